-- SPEC 2, rule 5: a check-in's checked_at falls inside its key result's
-- objective's cycle, from starts_on 00:00 to the end of ends_on in the
-- session's time zone: checked_at >= starts_on::timestamptz and
-- checked_at < (ends_on + 1)::timestamptz.  Expected SQLSTATE: 23O05.
-- All literals carry an explicit UTC offset, so they denote the same instant
-- whatever TimeZone is set.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(39);
SET TimeZone = 'UTC';

-- cycle 5 = Q1 2026, cycle 6 = Q2 2026; no parent or child cycles, and the
-- objectives have no parent or children, so rule 2 never fires here.
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (5, 'Q1 2026', '2026-01-01', '2026-03-31');
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (6, 'Q2 2026', '2026-04-01', '2026-06-30');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 5, 'Q1 objective');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (2, 6, 'Q2 objective');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (77, 1, 'Q1 leads', 'metric', 0, 1000);
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (78, 2, 'Q2 leads', 'metric', 0, 1000);

-- ===================================================================
-- boundaries (TimeZone UTC)
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (1, 77, 10, '2026-01-01 00:00:00+00')$$,
    'UTC: exactly starts_on 00:00:00 is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (2, 77, 20, '2026-03-31 23:59:59.999999+00')$$,
    'UTC: ends_on 23:59:59.999999 is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (101, 77, 30, '2026-04-01 00:00:00+00')$$,
    '23O05', NULL, 'UTC: ends_on + 1 day 00:00:00 -> 23O05');
SELECT throws_matching(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (101, 77, 30, '2026-04-01 00:00:00+00')$$,
    '\m77\M|\m101\M|Q1 2026', 'UTC: the message names the key result, the check-in or the cycle');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (102, 77, 30, '2025-12-31 23:59:59.999999+00')$$,
    '23O05', NULL, 'UTC: one microsecond before starts_on -> 23O05');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (108, 77, 30, '2026-02-01 12:00+00'), (109, 77, 31, '2026-05-01 12:00+00')$$,
    '23O05', NULL, 'UTC: one INSERT with one check-in inside and one outside -> 23O05');
SELECT is((SELECT count(*)::int FROM okr.checkin), 2,
    'UTC: no row of the rejected INSERTs remains');

-- ===================================================================
-- the same instant under different time zones
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (3, 77, 30, '2026-03-31 23:30:00+00')$$,
    'TimeZone UTC: 2026-03-31 23:30 UTC is inside Q1');
SET TimeZone = 'Asia/Tokyo';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (103, 77, 30, '2026-03-31 23:30:00+00')$$,
    '23O05', NULL, 'TimeZone Asia/Tokyo: 2026-03-31 23:30 UTC (already April 1 in Tokyo) -> 23O05');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (4, 77, 40, '2025-12-31 16:00:00+00')$$,
    'TimeZone Asia/Tokyo: 2025-12-31 16:00 UTC (January 1 01:00 in Tokyo) is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (5, 77, 50, '2026-01-01 00:00:00+09')$$,
    'TimeZone Asia/Tokyo: starts_on 00:00:00 Tokyo time is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (104, 77, 30, '2025-12-31 23:59:59.999999+09')$$,
    '23O05', NULL, 'TimeZone Asia/Tokyo: one microsecond before starts_on Tokyo time -> 23O05');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (105, 77, 30, '2026-04-01 00:00:00+09')$$,
    '23O05', NULL, 'TimeZone Asia/Tokyo: ends_on + 1 day 00:00 Tokyo time -> 23O05');
SET TimeZone = 'America/Los_Angeles';
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (6, 77, 60, '2026-04-01 05:00:00+00')$$,
    'TimeZone America/Los_Angeles: 2026-04-01 05:00 UTC (March 31 22:00 there) is accepted');
SET TimeZone = 'UTC';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (106, 77, 40, '2025-12-31 16:00:00+00')$$,
    '23O05', NULL, 'TimeZone UTC: 2025-12-31 16:00 UTC -> 23O05');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (107, 77, 60, '2026-04-01 05:00:00+00')$$,
    '23O05', NULL, 'TimeZone UTC: 2026-04-01 05:00 UTC -> 23O05');
SELECT results_eq(
    $$SELECT id FROM okr.checkin ORDER BY id$$,
    $$VALUES (1::bigint), (2), (3), (4), (5), (6)$$,
    'time zones: exactly the accepted check-ins exist');
-- 4, 5 and 6 are outside Q1 in UTC; remove them before the cycle's dates change.
DELETE FROM okr.checkin WHERE id IN (4, 5, 6);

-- ===================================================================
-- UPDATE of checked_at
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.checkin SET checked_at = '2026-04-01 00:00:00+00' WHERE id = 1$$,
    '23O05', NULL, 'UPDATE checked_at to ends_on + 1 day 00:00 -> 23O05');
SELECT throws_ok(
    $$UPDATE okr.checkin SET checked_at = '2025-12-31 12:00:00+00' WHERE id = 2$$,
    '23O05', NULL, 'UPDATE checked_at to the day before starts_on -> 23O05');
SELECT throws_ok(
    $$UPDATE okr.checkin SET checked_at = checked_at + interval '1 day'$$,
    '23O05', NULL, 'UPDATE of every check-in, one of which leaves the cycle -> 23O05');
SELECT results_eq(
    $$SELECT id, checked_at FROM okr.checkin ORDER BY id$$,
    $$VALUES (1::bigint, '2026-01-01 00:00:00+00'::timestamptz), (2, '2026-03-31 23:59:59.999999+00'), (3, '2026-03-31 23:30:00+00')$$,
    'UPDATE: no checked_at changed by the rejected UPDATEs');
SELECT lives_ok(
    $$UPDATE okr.checkin SET checked_at = '2026-02-15 12:00:00+00' WHERE id = 1$$,
    'UPDATE checked_at to a moment inside the cycle is accepted');

-- ===================================================================
-- the cycle's dates change under existing check-ins
-- (check-ins now: 1 Feb 15 12:00, 2 Mar 31 23:59:59.999999, 3 Mar 31 23:30)
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.cycle SET ends_on = '2026-03-30' WHERE id = 5$$,
    '23O05', NULL, 'cycle: ending the cycle a day earlier leaves check-ins outside -> 23O05');
SELECT throws_ok(
    $$UPDATE okr.cycle SET starts_on = '2026-02-16' WHERE id = 5$$,
    '23O05', NULL, 'cycle: starting the cycle after a check-in -> 23O05');
SELECT results_eq(
    $$SELECT starts_on, ends_on FROM okr.cycle WHERE id = 5$$,
    $$VALUES (DATE '2026-01-01', DATE '2026-03-31')$$,
    'cycle: dates unchanged after the rejected UPDATEs');
SELECT lives_ok(
    $$UPDATE okr.cycle SET ends_on = '2026-04-30' WHERE id = 5$$,
    'cycle: extending the cycle is accepted');
SELECT lives_ok(
    $$UPDATE okr.cycle SET starts_on = '2026-02-15', ends_on = '2026-03-31' WHERE id = 5$$,
    'cycle: shrinking it to exactly the days of its check-ins is accepted');

-- ===================================================================
-- moves that put existing check-ins under another cycle
-- (SPEC 2: enforced whatever the client writes; the brief lists only the
--  cases above, these follow from "falls inside its cycle")
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.checkin SET key_result_id = 78 WHERE id = 1$$,
    '23O05', NULL, 'moving a Q1 check-in to a key result of a Q2 objective -> 23O05');
SELECT throws_ok(
    $$UPDATE okr.key_result SET objective_id = 2 WHERE id = 77$$,
    '23O05', NULL, 'moving a key result with Q1 check-ins to a Q2 objective -> 23O05');
SELECT throws_ok(
    $$UPDATE okr.objective SET cycle_id = 6 WHERE id = 1$$,
    '23O05', NULL, 'moving an objective whose key result has Q1 check-ins to Q2 -> 23O05');
SELECT results_eq(
    $$SELECT c.id, c.key_result_id, k.objective_id, o.cycle_id
        FROM okr.checkin c JOIN okr.key_result k ON k.id = c.key_result_id JOIN okr.objective o ON o.id = k.objective_id
       ORDER BY c.id$$,
    $$VALUES (1::bigint, 77::bigint, 1::bigint, 5::bigint), (2, 77, 1, 5), (3, 77, 1, 5)$$,
    'moves: nothing moved by the rejected UPDATEs');

-- ===================================================================
-- a time zone where midnight does not exist: America/Santiago moves its
-- clocks from 2026-09-06 00:00 (-04) to 01:00 (-03), so the cycle starting
-- on 2026-09-06 starts at '2026-09-06'::timestamptz = 04:00 UTC, and a cycle
-- ending on 2026-09-05 ends there too.
-- ===================================================================
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (7, 'Sep 2026', '2026-09-06', '2026-09-30');
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (8, 'Aug 2026', '2026-08-01', '2026-09-05');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (3, 7, 'September');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (4, 8, 'August');
INSERT INTO okr.key_result (id, objective_id, title, kind, target_value) OVERRIDING SYSTEM VALUE VALUES (79, 3, 'sep', 'at_least', 1);
INSERT INTO okr.key_result (id, objective_id, title, kind, target_value) OVERRIDING SYSTEM VALUE VALUES (80, 4, 'aug', 'at_least', 1);
SET TimeZone = 'America/Santiago';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (120, 79, 1, '2026-09-06 03:59:59.999999+00')$$,
    '23O05', NULL, 'America/Santiago: just before the first instant of 2026-09-06 -> 23O05 for a cycle starting that day');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (21, 79, 1, '2026-09-06 04:00:00+00')$$,
    'America/Santiago: the first instant of 2026-09-06 (01:00 -03) is inside a cycle starting that day');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (22, 80, 1, '2026-09-06 03:59:59.999999+00')$$,
    'America/Santiago: the last instant of 2026-09-05 is inside a cycle ending that day');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (121, 80, 1, '2026-09-06 04:00:00+00')$$,
    '23O05', NULL, 'America/Santiago: the first instant of 2026-09-06 -> 23O05 for a cycle ending on 2026-09-05');
SET TimeZone = 'UTC';
SELECT is((SELECT count(*)::int FROM okr.checkin WHERE id IN (120, 121)), 0,
    'America/Santiago: no row of the rejected INSERTs remains');

-- ===================================================================
-- default checked_at (now()) and upserts
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value) OVERRIDING SYSTEM VALUE VALUES (122, 77, 5)$$,
    '23O05', NULL, 'a check-in with the default checked_at now() on a key result of a past cycle -> 23O05');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (1, 77, 10, '2026-02-15 12:00+00')
      ON CONFLICT (id) DO UPDATE SET checked_at = '2026-04-15 12:00+00'$$,
    '23O05', NULL, 'INSERT ... ON CONFLICT DO UPDATE moving a check-in out of its cycle -> 23O05');
SELECT is((SELECT checked_at FROM okr.checkin WHERE id = 1), '2026-02-15 12:00+00'::timestamptz,
    'the check-in did not move');

SELECT * FROM finish();
ROLLBACK;
