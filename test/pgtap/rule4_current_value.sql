-- SPEC 2, rule 4: key_result.current_value always equals the value of its
-- latest check-in (latest checked_at, then highest id).  A direct write of a
-- different value to current_value is rejected with SQLSTATE 428C9; writing
-- back the value it already has is allowed (ORMs write every column back).
BEGIN;
CREATE EXTENSION okr;
SELECT plan(86);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'FY2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Grow');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (1, 1, 'leads', 'metric', 0, 1000);
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (2, 1, 'deals', 'metric', 0, 1000);

CREATE TEMP VIEW cv AS SELECT id, current_value FROM okr.key_result;

SELECT is((SELECT current_value FROM cv WHERE id = 1), NULL::numeric,
    'no check-in yet: current_value is NULL');

-- check-ins in order
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (10, 1, 100, '2026-02-01 10:00+00')$$,
    'check-in 10 (Feb 1, 100) accepted');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 100::numeric, 'after the first check-in: 100');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (20, 1, 200, '2026-03-01 10:00+00')$$,
    'check-in 20 (Mar 1, 200) accepted');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 200::numeric, 'after the second check-in: 200');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (30, 1, 300, '2026-04-01 10:00+00')$$,
    'check-in 30 (Apr 1, 300) accepted');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 300::numeric, 'after the third check-in: 300');

-- a back-dated check-in does not override a newer one
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (50, 1, 50, '2026-01-15 10:00+00')$$,
    'back-dated check-in 50 (Jan 15, 50) accepted');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 300::numeric, 'a back-dated check-in does not change current_value');

-- same checked_at: the highest id wins, whatever the order of inserts
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (40, 1, 350, '2026-04-01 10:00+00')$$,
    'check-in 40 at the same checked_at as 30 accepted');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 350::numeric, 'same checked_at: the higher id 40 wins (350)');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (35, 1, 320, '2026-04-01 10:00+00')$$,
    'check-in 35 at the same checked_at, inserted later with a lower id, accepted');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 350::numeric, 'same checked_at: the later-inserted lower id 35 does not win');

-- deleting the latest restores the previous value
SELECT lives_ok($$DELETE FROM okr.checkin WHERE id = 40$$, 'deleting the latest check-in 40');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 320::numeric, 'deleting the latest restores the previous (35: 320)');
SELECT lives_ok($$DELETE FROM okr.checkin WHERE id = 35$$, 'deleting the latest check-in 35');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 300::numeric, 'deleting the latest again restores 30: 300');
SELECT lives_ok($$DELETE FROM okr.checkin WHERE id = 50$$, 'deleting an old check-in 50');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 300::numeric, 'deleting an older check-in changes nothing');

-- updating a check-in's value or checked_at recomputes
SELECT lives_ok($$UPDATE okr.checkin SET value = 333 WHERE id = 30$$, 'updating the value of the latest check-in');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 333::numeric, 'updated value of the latest check-in is current (333)');
SELECT lives_ok($$UPDATE okr.checkin SET value = 111 WHERE id = 10$$, 'updating the value of an older check-in');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 333::numeric, 'updating an older check-in changes nothing');
SELECT lives_ok($$UPDATE okr.checkin SET checked_at = '2026-05-01 10:00+00' WHERE id = 10$$,
    'moving check-in 10 forward to May 1');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 111::numeric, 'a check-in moved forward becomes the latest (111)');
SELECT lives_ok($$UPDATE okr.checkin SET checked_at = '2026-02-01 10:00+00' WHERE id = 10$$,
    'moving check-in 10 back to Feb 1');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 333::numeric, 'moving it back restores 30 as the latest (333)');
SELECT lives_ok($$UPDATE okr.checkin SET checked_at = '2026-01-20 10:00+00' WHERE id = 30$$,
    'back-dating the latest check-in 30 to Jan 20');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 200::numeric, 'back-dating the latest makes 20 the latest (200)');
SELECT lives_ok($$UPDATE okr.checkin SET checked_at = '2026-04-01 10:00+00' WHERE id = 30$$,
    'moving check-in 30 back to Apr 1');

-- moving a check-in to another key result recomputes both
SELECT lives_ok($$UPDATE okr.checkin SET key_result_id = 2 WHERE id = 30$$, 'moving check-in 30 to key result 2');
SELECT results_eq(
    $$SELECT id, current_value FROM cv WHERE id IN (1, 2) ORDER BY id$$,
    $$VALUES (1::bigint, 200::numeric), (2, 333::numeric)$$,
    'after the move: KR 1 falls back to 200, KR 2 gets 333');

-- deleting all check-ins -> NULL
SELECT lives_ok($$DELETE FROM okr.checkin WHERE key_result_id = 1$$, 'deleting every check-in of KR 1');
SELECT results_eq(
    $$SELECT id, current_value FROM cv WHERE id IN (1, 2) ORDER BY id$$,
    $$VALUES (1::bigint, NULL::numeric), (2, 333::numeric)$$,
    'no check-in left: KR 1 current_value is NULL; KR 2 keeps 333');

-- multi-row INSERTs
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (60, 1, 20, '2026-03-01 10:00+00'), (61, 1, 30, '2026-04-01 10:00+00'), (62, 1, 10, '2026-02-01 10:00+00')$$,
    'one INSERT of three check-ins out of date order');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 30::numeric, 'multi-row INSERT: the latest checked_at wins (30)');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (71, 1, 1, '2026-06-01 10:00+00'), (70, 1, 2, '2026-06-01 10:00+00')$$,
    'one INSERT of two check-ins with the same checked_at, higher id first');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 1::numeric, 'multi-row INSERT, same checked_at: the highest id 71 wins (1)');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (80, 1, 500, '2026-07-01 10:00+00'), (81, 2, 600, '2026-07-01 10:00+00'), (82, 2, 550, '2026-01-02 10:00+00')$$,
    'one INSERT of check-ins on two key results');
SELECT results_eq(
    $$SELECT id, current_value FROM cv WHERE id IN (1, 2) ORDER BY id$$,
    $$VALUES (1::bigint, 500::numeric), (2, 600::numeric)$$,
    'multi-row INSERT on two key results updates both');
SELECT lives_ok($$DELETE FROM okr.checkin WHERE id IN (80, 81)$$, 'one DELETE of the latest check-in of both key results');
SELECT results_eq(
    $$SELECT id, current_value FROM cv WHERE id IN (1, 2) ORDER BY id$$,
    $$VALUES (1::bigint, 1::numeric), (2, 333::numeric)$$,
    'multi-row DELETE restores the previous value of both');

-- ===================================================================
-- direct writes to current_value
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.key_result SET current_value = 999 WHERE id = 1$$,
    '428C9', NULL, 'UPDATE current_value to a different value -> 428C9');
SELECT is((SELECT current_value FROM cv WHERE id = 1), 1::numeric, 'current_value unchanged after the rejected write');
SELECT throws_ok(
    $$UPDATE okr.key_result SET current_value = NULL WHERE id = 1$$,
    '428C9', NULL, 'UPDATE current_value to NULL while it has check-ins -> 428C9');
SELECT throws_ok(
    $$UPDATE okr.key_result SET title = 'leads (renamed)', current_value = current_value + 1 WHERE id = 1$$,
    '428C9', NULL, 'UPDATE of title plus a different current_value -> 428C9');
SELECT results_eq(
    $$SELECT title, current_value FROM okr.key_result WHERE id = 1$$,
    $$VALUES ('leads'::text, 1::numeric)$$,
    'title and current_value unchanged after the rejected writes');
SELECT lives_ok(
    $$UPDATE okr.key_result SET current_value = 1 WHERE id = 1$$,
    'UPDATE current_value to the value it already has is allowed');
SELECT lives_ok(
    $$UPDATE okr.key_result
         SET objective_id = objective_id, title = 'leads v2', owner = owner, kind = kind,
             start_value = start_value, target_value = target_value, current_value = current_value,
             unit = unit, weight = weight, state = state
       WHERE id IN (1, 2)$$,
    'an ORM-style UPDATE writing every column back (two rows) is allowed');
SELECT results_eq(
    $$SELECT id, title, current_value FROM okr.key_result WHERE id IN (1, 2) ORDER BY id$$,
    $$VALUES (1::bigint, 'leads v2'::text, 1::numeric), (2, 'leads v2', 333::numeric)$$,
    'the ORM-style UPDATE changed the title and kept current_value');

-- a key result with no check-ins
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (3, 1, 'empty', 'metric', 0, 10);
SELECT throws_ok(
    $$UPDATE okr.key_result SET current_value = 5 WHERE id = 3$$,
    '428C9', NULL, 'UPDATE current_value of a key result without check-ins -> 428C9');
SELECT is((SELECT current_value FROM cv WHERE id = 3), NULL::numeric, 'it stays NULL');
SELECT lives_ok(
    $$UPDATE okr.key_result SET current_value = NULL WHERE id = 3$$,
    'writing back NULL to a key result without check-ins is allowed');

-- INSERT with a current_value
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value, current_value) OVERRIDING SYSTEM VALUE
      VALUES (4, 1, 'preset', 'metric', 0, 10, 5)$$,
    '428C9', NULL, 'INSERT of a new key result with current_value 5 -> 428C9');
SELECT is((SELECT count(*)::int FROM okr.key_result WHERE id = 4 OR title LIKE 'preset%'), 0,
    'no row of the rejected INSERTs remains');

-- ===================================================================
-- ordering details: numeric ids, microseconds, time zones
-- ===================================================================
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (5, 1, 'ordering', 'metric', 0, 100);
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (109, 5, 10, '2026-08-01 10:00+00'), (9, 5, 9, '2026-08-01 10:00+00')$$,
    'ids 9 and 109 at the same checked_at');
SELECT is((SELECT current_value FROM cv WHERE id = 5), 10::numeric, 'same checked_at: id 109 beats id 9 (numeric, not text, order)');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (110, 5, 20, '2026-08-01 10:00:00.000002+00'), (111, 5, 21, '2026-08-01 10:00:00.000001+00')$$,
    'two check-ins a microsecond apart, the later one with the lower id');
SELECT is((SELECT current_value FROM cv WHERE id = 5), 20::numeric, 'one microsecond later wins over a higher id');
SET TimeZone = 'Asia/Tokyo';
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (112, 5, 30, '2026-08-02 08:00+09')$$,
    'TimeZone Asia/Tokyo: a check-in at 2026-08-02 08:00 Tokyo (Aug 1 23:00 UTC)');
SET TimeZone = 'UTC';
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
      (113, 5, 31, '2026-08-01 23:30+00')$$,
    'TimeZone UTC: a check-in at 2026-08-01 23:30 UTC (later instant, earlier calendar day in Tokyo terms)');
SELECT is((SELECT current_value FROM cv WHERE id = 5), 31::numeric, 'the latest instant wins whatever the session time zone was');

-- ===================================================================
-- more client styles
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (113, 5, 32, '2026-08-01 23:30+00')
      ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value$$,
    'INSERT ... ON CONFLICT DO UPDATE of the latest check-in''s value');
SELECT is((SELECT current_value FROM cv WHERE id = 5), 32::numeric, 'the upserted value is current');
SELECT throws_ok(
    $$MERGE INTO okr.key_result k USING (VALUES (5::bigint, 77::numeric)) AS v(id, x) ON k.id = v.id
      WHEN MATCHED THEN UPDATE SET current_value = v.x$$,
    '428C9', NULL, 'MERGE writing a different current_value -> 428C9');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (5, 1, 'ordering', 'metric', 0, 100)
      ON CONFLICT (id) DO UPDATE SET current_value = 78$$,
    '428C9', NULL, 'INSERT ... ON CONFLICT DO UPDATE writing a different current_value -> 428C9');
SELECT is((SELECT current_value FROM cv WHERE id = 5), 32::numeric, 'current_value unchanged by the rejected MERGE and upsert');
SELECT lives_ok(
    $$UPDATE okr.key_result SET current_value = 32.0 WHERE id = 5$$,
    'writing back 32.0 where current_value is 32 (the same number) is allowed');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value, current_value) OVERRIDING SYSTEM VALUE
      VALUES (6, 1, 'orm insert', 'metric', 0, 10, NULL)$$,
    'INSERT of a new key result with current_value written as NULL (ORM insert of every column) is allowed');

-- ===================================================================
-- the invariant over every key result, also after TRUNCATE of okr.checkin
-- (TRUNCATE fires no row triggers: it must either be refused or leave every
-- current_value NULL)
-- ===================================================================
CREATE TEMP VIEW cv_wrong AS
SELECT k.id FROM okr.key_result k
 WHERE k.current_value IS DISTINCT FROM
       (SELECT c.value FROM okr.checkin c WHERE c.key_result_id = k.id ORDER BY c.checked_at DESC, c.id DESC LIMIT 1);
SELECT is_empty($$SELECT * FROM cv_wrong$$, 'every key result''s current_value is its latest check-in''s value');
SELECT lives_ok(
    $$UPDATE okr.checkin SET key_result_id = CASE key_result_id WHEN 1 THEN 5 ELSE 1 END
       WHERE id IN (71, 113)$$,
    'one UPDATE swapping the latest check-ins of key results 1 and 5');
SELECT results_eq(
    $$SELECT id, current_value FROM cv WHERE id IN (1, 5) ORDER BY id$$,
    $$VALUES (1::bigint, 32::numeric), (5, 30::numeric)$$,
    'after the swap: KR 1 has 32 (Aug 1 23:30), KR 5 has 30 (Aug 1 23:00; 71 of June is older)');
SELECT lives_ok(
    $$UPDATE okr.checkin SET key_result_id = 2, checked_at = checked_at - interval '1 day' WHERE key_result_id = 5$$,
    'one UPDATE moving every check-in of KR 5 to KR 2 and back-dating them a day');
SELECT is_empty($$SELECT * FROM cv_wrong$$, 'after the bulk move, every current_value is its latest check-in''s value');
SELECT is((SELECT current_value FROM cv WHERE id = 5), NULL::numeric, 'KR 5 has no check-in left: NULL');
-- nothing is pending (okr_90_maintain is IMMEDIATE here), so TRUNCATE is
-- allowed (copy_truncate.sql has the 55006 of a pending one)
SELECT lives_ok($$TRUNCATE okr.checkin$$, 'TRUNCATE okr.checkin');
SELECT is((SELECT count(*)::int FROM okr.checkin), 0, 'after TRUNCATE okr.checkin no check-in is left');
SELECT is((SELECT count(*)::int FROM okr.key_result WHERE current_value IS NOT NULL OR last_checkin_at IS NOT NULL), 0,
    'after TRUNCATE okr.checkin every current_value and last_checkin_at is NULL (the truncate trigger cleared them)');

-- ===================================================================
-- The default outside this file: the figures are applied when the
-- transaction commits (okr_90_maintain is DEFERRABLE INITIALLY DEFERRED).
-- Inside the writing transaction current_value keeps its committed value
-- until then, while okr.progress and okr.objective_progress read the
-- check-ins and tasks themselves; a rolled-back savepoint takes its changes
-- with it; SET CONSTRAINTS ... IMMEDIATE applies what is pending at once.
-- ===================================================================
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history DEFERRED;
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (900, 1, 400, '2026-05-01 10:00+00');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (900, 1, 'deferred work');
INSERT INTO okr.task (project_id, title, status, effort, done_at) VALUES
    (900, 'done', 'done', 2, '2026-05-02 10:00+00'), (900, 'todo', 'todo', 1, NULL);
SELECT is((SELECT current_value FROM cv WHERE id = 1), NULL::numeric,
    'deferred: inside the writing transaction current_value keeps its committed value (NULL)');
SELECT is((SELECT effort_total || '/' || effort_done FROM okr.project_effort WHERE project_id = 900), '0/0',
    'deferred: okr.project_effort keeps its committed sums (0/0)');
SELECT is((SELECT progress FROM okr.progress('2026-06-01') WHERE item = 'key_result' AND id = 1), 0.4::float8,
    'deferred: okr.progress already counts the new check-in (400 of 1000: 0.4)');
SELECT is((SELECT round(progress::numeric, 6) FROM okr.progress('2026-06-01') WHERE item = 'project' AND id = 900), 0.666667,
    'deferred: okr.progress already counts the new tasks (2 of 3 effort done)');
SELECT is(okr.objective_progress(1, '2026-06-01'),
          (SELECT progress FROM okr.progress('2026-06-01') WHERE item = 'objective' AND id = 1),
    'deferred: okr.objective_progress agrees with okr.progress');
SAVEPOINT later;
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (901, 1, 500, '2026-06-01 10:00+00');
UPDATE okr.task SET status = 'done' WHERE project_id = 900;
ROLLBACK TO SAVEPOINT later;
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SELECT is((SELECT current_value FROM cv WHERE id = 1), 400::numeric,
    'SET CONSTRAINTS ... IMMEDIATE applies the pending check-in: 400 (the rolled-back 500 is gone)');
SELECT is((SELECT effort_total || '/' || effort_done FROM okr.project_effort WHERE project_id = 900), '3/2',
    '... and the pending effort: 3/2 (the rolled-back completion is gone)');
SELECT is((SELECT progress FROM okr.progress('2026-06-01') WHERE item = 'key_result' AND id = 1), 0.4::float8,
    'okr.progress from the maintained columns gives the same 0.4');

SELECT * FROM finish();
ROLLBACK;
