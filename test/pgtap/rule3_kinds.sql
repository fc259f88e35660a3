-- SPEC 2, rule 3: key_result values fit its kind.  Expected SQLSTATE: 23O03.
--   metric:    start_value and target_value required, and different
--   at_least / at_most: target_value required
--   milestone: start_value/target_value default to 0 and 1 when NULL, other
--              values rejected; check-ins take the values 0 and 1 only
--   projects:  takes no check-ins
-- Changing a key result (kind, values) is re-checked against its check-ins.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(57);
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'FY2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Grow');

-- ===================================================================
-- metric
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (101, 1, 'no start', 'metric', NULL, 1000)$$,
    '23O03', NULL, 'metric: missing start_value -> 23O03');
SELECT throws_matching(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (101, 1, 'no start', 'metric', NULL, 1000)$$,
    '^new key result "no start" ', 'metric: the message names the new key result by its title');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (102, 1, 'no target', 'metric', 0, NULL)$$,
    '23O03', NULL, 'metric: missing target_value -> 23O03');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (103, 1, 'equal', 'metric', 500, 500)$$,
    '23O03', NULL, 'metric: start_value = target_value -> 23O03');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title) OVERRIDING SYSTEM VALUE
      VALUES (104, 1, 'default kind, no values')$$,
    '23O03', NULL, 'metric (the default kind) with no values at all -> 23O03');
SELECT is((SELECT count(*)::int FROM okr.key_result), 0,
    'metric: no row of the failed INSERTs remains');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (1, 1, 'leads', 'metric', 0, 1000)$$,
    'metric: start 0, target 1000 is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (2, 1, 'churn', 'metric', 8, 3)$$,
    'metric: a decrease target (start 8, target 3) is accepted');

-- UPDATE of a metric KR
SELECT throws_ok(
    $$UPDATE okr.key_result SET target_value = NULL WHERE id = 1$$,
    '23O03', NULL, 'metric UPDATE: setting target_value NULL -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.key_result SET start_value = NULL WHERE id = 1$$,
    '23O03', NULL, 'metric UPDATE: setting start_value NULL -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.key_result SET start_value = 1000 WHERE id = 1$$,
    '23O03', NULL, 'metric UPDATE: making start_value equal target_value -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.key_result SET kind = 'metric', start_value = NULL, target_value = NULL WHERE id = 1$$,
    '23O03', NULL, 'metric UPDATE: clearing both values -> 23O03');
SELECT results_eq(
    $$SELECT kind, start_value, target_value FROM okr.key_result WHERE id = 1$$,
    $$VALUES ('metric'::text, 0::numeric, 1000::numeric)$$,
    'metric UPDATE: key result 1 is unchanged after the failed UPDATEs');

-- ===================================================================
-- at_least / at_most
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (111, 1, 'uptime', 'at_least', 90, NULL)$$,
    '23O03', NULL, 'at_least: missing target_value -> 23O03');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (112, 1, 'latency', 'at_most', NULL, NULL)$$,
    '23O03', NULL, 'at_most: missing target_value -> 23O03');
SELECT is((SELECT count(*)::int FROM okr.key_result WHERE id IN (111, 112)), 0,
    'at_least/at_most: no row of the failed INSERTs remains');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, target_value) OVERRIDING SYSTEM VALUE
      VALUES (3, 1, 'uptime', 'at_least', 99.9)$$,
    'at_least: target_value without start_value is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, target_value) OVERRIDING SYSTEM VALUE
      VALUES (4, 1, 'latency', 'at_most', 200)$$,
    'at_most: target_value without start_value is accepted');
SELECT throws_ok(
    $$UPDATE okr.key_result SET target_value = NULL WHERE id = 3$$,
    '23O03', NULL, 'at_least UPDATE: setting target_value NULL -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.key_result SET target_value = NULL WHERE id = 4$$,
    '23O03', NULL, 'at_most UPDATE: setting target_value NULL -> 23O03');
SELECT results_eq(
    $$SELECT id, target_value FROM okr.key_result WHERE id IN (3, 4) ORDER BY id$$,
    $$VALUES (3::bigint, 99.9::numeric), (4, 200::numeric)$$,
    'at_least/at_most: targets unchanged after the failed UPDATEs');

-- ===================================================================
-- milestone
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE
      VALUES (5, 1, 'launch', 'milestone')$$,
    'milestone: no start/target given is accepted');
SELECT results_eq(
    $$SELECT start_value, target_value FROM okr.key_result WHERE id = 5$$,
    $$VALUES (0::numeric, 1::numeric)$$,
    'milestone: start_value and target_value default to 0 and 1');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (6, 1, 'ship', 'milestone', 0, 1)$$,
    'milestone: explicit start 0, target 1 is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (121, 1, 'bad target', 'milestone', 0, 5)$$,
    '23O03', NULL, 'milestone: target_value 5 -> 23O03');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (122, 1, 'bad start', 'milestone', 2, NULL)$$,
    '23O03', NULL, 'milestone: start_value 2 -> 23O03');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (123, 1, 'half start', 'milestone', 0.5, 1)$$,
    '23O03', NULL, 'milestone: start_value 0.5 -> 23O03');
SELECT is((SELECT count(*)::int FROM okr.key_result WHERE id IN (121, 122, 123)), 0,
    'milestone: no row of the failed INSERTs remains');
SELECT throws_ok(
    $$UPDATE okr.key_result SET target_value = 5 WHERE id = 5$$,
    '23O03', NULL, 'milestone UPDATE: target_value 5 -> 23O03');

-- check-ins on a milestone KR
SELECT lives_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 0, '2026-02-01 12:00+00')$$,
    'milestone check-in: value 0 is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 1, '2026-03-01 12:00+00')$$,
    'milestone check-in: value 1 is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 0.5, '2026-03-02 12:00+00')$$,
    '23O03', NULL, 'milestone check-in: value 0.5 -> 23O03');
SELECT throws_matching(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 2, '2026-03-02 12:00+00')$$,
    '\m5\M', 'milestone check-in: the message names key result 5');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 2, '2026-03-02 12:00+00')$$,
    '23O03', NULL, 'milestone check-in: value 2 -> 23O03');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, -1, '2026-03-02 12:00+00')$$,
    '23O03', NULL, 'milestone check-in: value -1 -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.checkin SET value = 0.5 WHERE key_result_id = 5 AND value = 1$$,
    '23O03', NULL, 'milestone check-in UPDATE: value 1 -> 0.5 -> 23O03');
SELECT results_eq(
    $$SELECT value FROM okr.checkin WHERE key_result_id = 5 ORDER BY checked_at$$,
    $$VALUES (0::numeric), (1::numeric)$$,
    'milestone check-in: only the two valid check-ins exist, unchanged');

-- ===================================================================
-- projects: no check-ins
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE
      VALUES (7, 1, 'deliver', 'projects')$$,
    'projects: a projects key result without values is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (7, 1, '2026-02-01 12:00+00')$$,
    '23O03', NULL, 'projects: a check-in on a projects key result -> 23O03');
SELECT is((SELECT count(*)::int FROM okr.checkin WHERE key_result_id = 7), 0,
    'projects: no check-in row remains');

-- ===================================================================
-- kind changes are re-checked against existing check-ins
-- ===================================================================
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (1001, 1, 700, '2026-02-01 12:00+00');

SELECT throws_ok(
    $$UPDATE okr.key_result SET kind = 'milestone', start_value = 0, target_value = 1 WHERE id = 1$$,
    '23O03', NULL, 'kind change: metric KR with a check-in of 700 -> milestone -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.key_result SET kind = 'projects' WHERE id = 1$$,
    '23O03', NULL, 'kind change: metric KR with check-ins -> projects -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.key_result SET kind = 'milestone' WHERE id = 2$$,
    '23O03', NULL, 'kind change: metric KR (8 -> 3) -> milestone keeping start 8, target 3 -> 23O03');
SELECT results_eq(
    $$SELECT id, kind, start_value, target_value FROM okr.key_result WHERE id IN (1, 2) ORDER BY id$$,
    $$VALUES (1::bigint, 'metric'::text, 0::numeric, 1000::numeric), (2, 'metric', 8, 3)$$,
    'kind change: key results 1 and 2 unchanged after the failed UPDATEs');
SELECT throws_ok(
    $$UPDATE okr.checkin SET key_result_id = 5 WHERE id = 1001$$,
    '23O03', NULL, 'moving the check-in of 700 onto the milestone KR 5 -> 23O03');
SELECT throws_ok(
    $$UPDATE okr.checkin SET key_result_id = 7 WHERE id = 1001$$,
    '23O03', NULL, 'moving a check-in onto the projects KR 7 -> 23O03');
SELECT is((SELECT key_result_id FROM okr.checkin WHERE id = 1001), 1::bigint,
    'the check-in of 700 still belongs to key result 1');

-- a metric KR whose check-ins are all 0 or 1 may become a milestone
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
VALUES (8, 1, 'binary metric', 'metric', 0, 1);
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (8, 0, '2026-02-01 12:00+00'), (8, 1, '2026-03-01 12:00+00');
SELECT lives_ok(
    $$UPDATE okr.key_result SET kind = 'milestone' WHERE id = 8$$,
    'kind change: metric KR with check-ins 0 and 1 -> milestone is accepted');
-- a KR without check-ins may become a projects KR
SELECT lives_ok(
    $$UPDATE okr.key_result SET kind = 'projects', start_value = NULL, target_value = NULL WHERE id = 2$$,
    'kind change: metric KR without check-ins -> projects is accepted');

-- ===================================================================
-- numerically equal values written differently; multi-row; upserts
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (131, 1, 'equal, other scale', 'metric', 1.0, 1.00)$$,
    '23O03', NULL, 'metric: start 1.0 and target 1.00 are equal -> 23O03');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (9, 1, 'milestone, other scale', 'milestone', 0.0, 1.00)$$,
    'milestone: start 0.0 and target 1.00 (= 0 and 1) are accepted');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (9, 0.000, '2026-02-01 12:00+00'), (9, 1.0, '2026-03-01 12:00+00')$$,
    'milestone check-ins 0.000 and 1.0 (= 0 and 1) are accepted');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (9, 1, '2026-04-01 12:00+00'), (9, 0.99, '2026-04-02 12:00+00')$$,
    '23O03', NULL, 'milestone: one INSERT of a valid check-in and one of 0.99 -> 23O03');
SELECT is((SELECT count(*)::int FROM okr.checkin WHERE key_result_id = 9), 2,
    'milestone: no row of that INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (1, 1, 'leads', 'metric', 0, 1000)
      ON CONFLICT (id) DO UPDATE SET target_value = NULL$$,
    '23O03', NULL, 'metric: INSERT ... ON CONFLICT DO UPDATE clearing target_value -> 23O03');
SELECT throws_ok(
    $$MERGE INTO okr.key_result k USING (VALUES (1::bigint)) AS v(id) ON k.id = v.id
      WHEN MATCHED THEN UPDATE SET kind = 'projects'$$,
    '23O03', NULL, 'kind change by MERGE: metric KR with check-ins -> projects -> 23O03');
SELECT results_eq(
    $$SELECT kind, start_value, target_value FROM okr.key_result WHERE id = 1$$,
    $$VALUES ('metric'::text, 0::numeric, 1000::numeric)$$,
    'key result 1 unchanged after the rejected upsert and MERGE');

SELECT * FROM finish();
ROLLBACK;
