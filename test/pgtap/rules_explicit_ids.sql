-- SPEC 2: "Every rule below is enforced inside the database, whatever client
-- writes".  The rules that reject something new (4: current_value, 5: check-in
-- window, 6: nothing new under closed/cancelled parents) must hold both for
-- rows that take their id from the identity and for rows written with an
-- explicit id (INSERT ... OVERRIDING SYSTEM VALUE, as data loaders, sync tools
-- and the other test files here do), including ids beyond the identity
-- sequence's last value.
-- Every row here is found by its unique name or title, never by a fixed id.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(31);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q1 2026', '2026-01-01', '2026-03-31');
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'open' FROM okr.cycle WHERE name = 'Q1 2026';
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'closed' FROM okr.cycle WHERE name = 'Q1 2026';
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) SELECT id, 'kr open', 0, 100 FROM okr.objective WHERE title = 'open';
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) SELECT id, 'kr cancelled', 0, 100 FROM okr.objective WHERE title = 'open';
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) SELECT id, 'kr of closed', 0, 100 FROM okr.objective WHERE title = 'closed';
INSERT INTO okr.project (key_result_id, name) SELECT id, 'p open' FROM okr.key_result WHERE title = 'kr open';
INSERT INTO okr.project (key_result_id, name) SELECT id, 'p cancelled' FROM okr.key_result WHERE title = 'kr open';
UPDATE okr.project SET state = 'cancelled' WHERE name = 'p cancelled';
UPDATE okr.key_result SET state = 'cancelled' WHERE title = 'kr cancelled';
UPDATE okr.objective SET state = 'closed' WHERE title = 'closed';

CREATE TEMP VIEW row_counts AS
SELECT (SELECT count(*) FROM okr.objective) AS objectives, (SELECT count(*) FROM okr.key_result) AS key_results,
       (SELECT count(*) FROM okr.checkin) AS checkins, (SELECT count(*) FROM okr.project) AS projects,
       (SELECT count(*) FROM okr.task) AS tasks;
CREATE TEMP TABLE counts_before AS SELECT * FROM row_counts;

-- ===================================================================
-- ids from the identity
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
      SELECT id, 'new', 0, 1 FROM okr.objective WHERE title = 'closed'$$,
    '23O06', NULL, 'default id: new key result under a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at)
      SELECT id, 1, '2026-02-01 12:00+00' FROM okr.key_result WHERE title = 'kr cancelled'$$,
    '23O06', NULL, 'default id: new check-in on a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at)
      SELECT id, 1, '2026-02-01 12:00+00' FROM okr.key_result WHERE title = 'kr of closed'$$,
    '23O06', NULL, 'default id: new check-in on a key result of a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.project (key_result_id, name)
      SELECT id, 'new' FROM okr.key_result WHERE title = 'kr cancelled'$$,
    '23O06', NULL, 'default id: new project under a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.task (project_id, title)
      SELECT id, 'new' FROM okr.project WHERE name = 'p cancelled'$$,
    '23O06', NULL, 'default id: new task under a cancelled project -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.objective (cycle_id, parent_id, title)
      SELECT cycle_id, id, 'new child' FROM okr.objective WHERE title = 'closed'$$,
    '23O06', NULL, 'default id: new child objective under a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at)
      SELECT id, 1, '2026-04-01 00:00:00+00' FROM okr.key_result WHERE title = 'kr open'$$,
    '23O05', NULL, 'default id: check-in at ends_on + 1 day 00:00 -> 23O05');
SET TimeZone = 'Asia/Tokyo';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at)
      SELECT id, 1, '2026-03-31 23:30:00+00' FROM okr.key_result WHERE title = 'kr open'$$,
    '23O05', NULL, 'default id, TimeZone Asia/Tokyo: check-in already on April 1 there -> 23O05');
SET TimeZone = 'UTC';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (key_result_id, value)
      SELECT id, 1 FROM okr.key_result WHERE title = 'kr open'$$,
    '23O05', NULL, 'default id: check-in at the default now(), after the cycle -> 23O05');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value, current_value)
      SELECT id, 'preset', 0, 10, 5 FROM okr.objective WHERE title = 'open'$$,
    '428C9', NULL, 'default id: new key result with current_value 5 -> 428C9');
SELECT results_eq($$SELECT * FROM row_counts$$, $$SELECT * FROM counts_before$$,
    'default ids: no row of the rejected INSERTs remains');

-- ===================================================================
-- explicit ids beyond the identity sequence
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE
      SELECT 1000000, id, 'new', 0, 1 FROM okr.objective WHERE title = 'closed'$$,
    '23O06', NULL, 'explicit id: new key result under a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      SELECT 1000000, id, 1, '2026-02-01 12:00+00' FROM okr.key_result WHERE title = 'kr cancelled'$$,
    '23O06', NULL, 'explicit id: new check-in on a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      SELECT 1000001, id, 1, '2026-02-01 12:00+00' FROM okr.key_result WHERE title = 'kr of closed'$$,
    '23O06', NULL, 'explicit id: new check-in on a key result of a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE
      SELECT 1000000, id, 'new' FROM okr.key_result WHERE title = 'kr cancelled'$$,
    '23O06', NULL, 'explicit id: new project under a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE
      SELECT 1000000, id, 'new' FROM okr.project WHERE name = 'p cancelled'$$,
    '23O06', NULL, 'explicit id: new task under a cancelled project -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      SELECT 1000000, cycle_id, id, 'new child' FROM okr.objective WHERE title = 'closed'$$,
    '23O06', NULL, 'explicit id: new child objective under a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      SELECT 1000002, id, 1, '2026-04-01 00:00:00+00' FROM okr.key_result WHERE title = 'kr open'$$,
    '23O05', NULL, 'explicit id: check-in at ends_on + 1 day 00:00 -> 23O05');
SET TimeZone = 'Asia/Tokyo';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      SELECT 1000003, id, 1, '2026-03-31 23:30:00+00' FROM okr.key_result WHERE title = 'kr open'$$,
    '23O05', NULL, 'explicit id, TimeZone Asia/Tokyo: check-in already on April 1 there -> 23O05');
SET TimeZone = 'UTC';
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value) OVERRIDING SYSTEM VALUE
      SELECT 1000004, id, 1 FROM okr.key_result WHERE title = 'kr open'$$,
    '23O05', NULL, 'explicit id: check-in at the default now(), after the cycle -> 23O05');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value, current_value) OVERRIDING SYSTEM VALUE
      SELECT 1000001, id, 'preset', 0, 10, 5 FROM okr.objective WHERE title = 'open'$$,
    '428C9', NULL, 'explicit id: new key result with current_value 5 -> 428C9');
SELECT results_eq($$SELECT * FROM row_counts$$, $$SELECT * FROM counts_before$$,
    'explicit ids: no row of the rejected INSERTs remains');
SELECT is_empty(
    $$SELECT id FROM okr.checkin WHERE checked_at < '2026-01-01 00:00+00' OR checked_at >= '2026-04-01 00:00+00'$$,
    'no check-in lies outside Q1 2026 (UTC)');

-- ===================================================================
-- moves by UPDATE of rows that were inserted with explicit ids
-- ===================================================================
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE
SELECT 2000000, id, 'explicit kr', 0, 100 FROM okr.objective WHERE title = 'open';
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
SELECT 2000000, id, 5, '2026-02-01 12:00+00' FROM okr.key_result WHERE title = 'explicit kr';
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE
SELECT 2000000, id, 'explicit task' FROM okr.project WHERE name = 'p open';
SELECT is((SELECT current_value FROM okr.key_result WHERE title = 'explicit kr'), 5::numeric,
    'explicit ids: a check-in with an explicit id sets current_value');
SELECT throws_ok(
    $$UPDATE okr.key_result SET objective_id = (SELECT id FROM okr.objective WHERE title = 'closed') WHERE title = 'explicit kr'$$,
    '23O06', NULL, 'explicit ids: moving the key result under a closed objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.task SET project_id = (SELECT id FROM okr.project WHERE name = 'p cancelled') WHERE title = 'explicit task'$$,
    '23O06', NULL, 'explicit ids: moving the task under a cancelled project -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.checkin SET checked_at = '2026-04-02 12:00+00' WHERE id = 2000000$$,
    '23O05', NULL, 'explicit ids: moving the check-in out of the cycle -> 23O05');
SELECT throws_ok(
    $$UPDATE okr.key_result SET current_value = 6 WHERE title = 'explicit kr'$$,
    '428C9', NULL, 'explicit ids: writing a different current_value -> 428C9');

-- ===================================================================
-- an explicit id that the identity has already passed
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      SELECT 1, id, 1, '2026-02-01 12:00+00' FROM okr.key_result WHERE title = 'kr cancelled'$$,
    '23O06', NULL, 'explicit low id 1: new check-in on a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE
      SELECT 1, id, 'new' FROM okr.project WHERE name = 'p cancelled'$$,
    '23O06', NULL, 'explicit low id 1: new task under a cancelled project -> 23O06');
SELECT results_eq(
    $$SELECT (SELECT count(*) FROM okr.checkin WHERE id = 1), (SELECT count(*) FROM okr.task WHERE id = 1)$$,
    $$VALUES (0::bigint, 0::bigint)$$,
    'explicit low id 1: no row of the rejected INSERTs remains');

SELECT * FROM finish();
ROLLBACK;
