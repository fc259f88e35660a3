-- Issue 11: the crashes and integrity holes a fuzzing campaign found in 1.0,
-- each as its reproducer, which crashed the server or broke a rule before
-- its fix.  (Rule 4 after savepoints: sql/savepoints.sql; progress_history's
-- limits: sql/history.sql.)
BEGIN;
CREATE EXTENSION okr;
SELECT plan(51);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';
SET client_min_messages = warning;

-- ===================================================================
-- 1. Ids at both ends of bigint (the id maps of the rollup)
-- ===================================================================
SAVEPOINT ids;
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE
  SELECT g, 'c' || g, '2026-01-01', '2026-12-31' FROM generate_series(1, 5) g;
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE
  VALUES (-9223372036854775808, 'lo', '2026-01-01', '2026-12-31'), (9223372036854775807, 'hi', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) SELECT g, 'goal' FROM generate_series(1, 5) g;
SELECT results_eq($$SELECT count(*), count(expected), count(status) FROM okr.progress('2026-07-02')$$,
                  $$VALUES (5::bigint, 5::bigint, 5::bigint)$$,
                  'cycles at -2^63 and 2^63-1: every objective has its expected progress and status');
SELECT is((SELECT count(*) FROM okr.objective_report), 5::bigint, 'objective_report reads them');
SELECT is((SELECT count(*) FROM okr.progress_history('2026-01-01', '2026-01-05', '1 day')), 25::bigint,
          'progress_history reads them');
ROLLBACK TO SAVEPOINT ids;

-- every table's ids at both ends and around 0, with 3 and 4 rows (the old
-- map silently lost rows there): figures equal those of ordinary ids
SAVEPOINT ids;
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES
  (-9223372036854775808, 'lo', '2026-01-01', '2026-12-31'), (0, 'zero', '2026-01-01', '2026-12-31'),
  (9223372036854775807, 'hi', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES
  (-9223372036854775808, 0, 'root'), (9223372036854775807, 9223372036854775807, 'other');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES
  (0, -9223372036854775808, -9223372036854775808, 'child'), (-1, 0, 0, 'grandchild');
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
  (9223372036854775807, -1, 'leaf kr', 0, 10), (-9223372036854775808, 9223372036854775807, 'other kr', 0, 4),
  (0, -9223372036854775808, 'root kr', 0, 100);
INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE VALUES
  (-5000000000000000000, 0, 'projects kr', 'projects');
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
  (-9223372036854775808, 9223372036854775807, 5, '2026-03-01'), (0, 0, 25, '2026-03-01'),
  (9223372036854775807, -9223372036854775808, 1, '2026-03-01');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES
  (5000000000000000000, -5000000000000000000, 'p hi'), (-9223372036854775808, -5000000000000000000, 'p lo');
INSERT INTO okr.task (id, project_id, title, status, effort, done_at) OVERRIDING SYSTEM VALUE VALUES
  (9223372036854775807, 5000000000000000000, 't', 'done', 3, '2026-03-01'),
  (0, 5000000000000000000, 't', 'todo', 1, NULL),
  (-9223372036854775808, -9223372036854775808, 't', 'done', 1, '2026-03-01');
-- by hand: leaf kr 0.5; projects kr = mean(p hi 3/4, p lo 1) = 0.875;
-- grandchild 0.5; child = mean(0.875, 0.5) = 0.6875; root = mean(0.25, 0.6875) = 0.46875
SELECT results_eq(
    $$SELECT item, id, parent_id, cycle_id, progress FROM okr.progress('2026-07-02') ORDER BY item, id$$,
    $$VALUES ('key_result', '-9223372036854775808'::bigint, 9223372036854775807::bigint, 9223372036854775807::bigint, 0.25::float8),
             ('key_result', -5000000000000000000, 0, -9223372036854775808, 0.875),
             ('key_result', 0, -9223372036854775808, 0, 0.25),
             ('key_result', 9223372036854775807, -1, 0, 0.5),
             ('objective', -9223372036854775808, NULL, 0, 0.46875),
             ('objective', -1, 0, 0, 0.5),
             ('objective', 0, -9223372036854775808, -9223372036854775808, 0.6875),
             ('objective', 9223372036854775807, NULL, 9223372036854775807, 0.25),
             ('project', -9223372036854775808, -5000000000000000000, -9223372036854775808, 1),
             ('project', 5000000000000000000, -5000000000000000000, -9223372036854775808, 0.75)$$,
    'extreme ids, 0 and negative ones: parents, cycles and figures by hand');
SELECT is(okr.objective_progress(-9223372036854775808, '2026-07-02'), 0.46875::float8,
          'objective_progress of a root with id -2^63');
SELECT is((SELECT depth FROM okr.objective_report WHERE objective_id = -1), 2,
          'objective_report: id -1 sits two levels below the root (its parent is id 0)');
ROLLBACK TO SAVEPOINT ids;

-- ===================================================================
-- 4. Id 0 is an id, not "no parent"
-- ===================================================================
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
CREATE TEMP TABLE y AS SELECT id FROM okr.cycle WHERE name = '2026';
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'one' FROM y;
SAVEPOINT zero;
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
  SELECT 0, y.id, o.id, 'zero' FROM y, okr.objective o WHERE o.title = 'one';
SELECT throws_ok($$UPDATE okr.objective SET parent_id = 0 WHERE title = 'one'$$,
                 '23O01', NULL, 'a loop through objective 0 is refused (23O01)');
UPDATE okr.objective SET state = 'closed' WHERE id = 0;
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, parent_id, title) SELECT id, 0, 'under zero' FROM y$$,
                 '23O06', NULL, 'nothing new aligns under a closed objective 0 (23O06)');
SELECT throws_ok($$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (0, 'k', 0, 1)$$,
                 '23O06', NULL, 'no new key result under a closed objective 0 (23O06)');
INSERT INTO okr.team (id, name) OVERRIDING SYSTEM VALUE VALUES (0, 'team zero');
INSERT INTO okr.team (name, parent_id) VALUES ('team one', 0);
SELECT throws_ok($$UPDATE okr.team SET parent_id = (SELECT id FROM okr.team WHERE name = 'team one') WHERE id = 0$$,
                 '23O01', NULL, 'a loop through team 0 is refused (23O01)');
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (0, 'cycle zero', '2026-01-01', '2026-12-31');
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('cycle one', '2026-01-01', '2026-06-30', 0);
SELECT throws_ok($$UPDATE okr.cycle SET parent_id = (SELECT id FROM okr.cycle WHERE name = 'cycle one') WHERE id = 0$$,
                 '23O01', NULL, 'a loop through cycle 0 is refused (23O01)');
UPDATE okr.objective SET state = 'active' WHERE id = 0;
INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE VALUES (0, 0, 'k0', 'projects');
INSERT INTO okr.project (id, key_result_id, name, state) OVERRIDING SYSTEM VALUE VALUES (0, 0, 'p0', 'cancelled');
SELECT throws_ok($$INSERT INTO okr.task (project_id, title) VALUES (0, 't')$$,
                 '23O06', NULL, 'no new task under a cancelled project 0 (23O06)');
UPDATE okr.project SET state = 'active' WHERE id = 0;
INSERT INTO okr.task (project_id, title, status, effort) VALUES (0, 't', 'done', 2), (0, 'u', 'todo', 1);
SELECT results_eq($$SELECT effort_total, effort_done FROM okr.project_effort WHERE project_id = 0$$,
                  $$VALUES (3::numeric, 2::numeric)$$, 'tasks of project 0 count in its effort sums');
SELECT is((SELECT progress FROM okr.progress() WHERE item = 'objective' AND id = 0), 2.0::float8 / 3,
          'objective 0 (aligned to objective one) has the progress of its project');
SELECT is((SELECT parent_id FROM okr.progress() WHERE item = 'objective' AND id = 0),
          (SELECT id FROM okr.objective WHERE title = 'one'), 'and its parent');
ROLLBACK TO SAVEPOINT zero;

-- ===================================================================
-- 10. Depth is bounded (okr.max_depth): linear writes, a clear 54000
-- ===================================================================
SAVEPOINT depth;
SELECT is(current_setting('okr.max_depth'), '1000', 'okr.max_depth defaults to 1000');
SET LOCAL okr.max_depth = 5;
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
  SELECT 100 + g, y.id, CASE WHEN g > 1 THEN 99 + g END, 'level ' || g FROM y, generate_series(1, 5) g;
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, parent_id, title) SELECT id, 105, 'level 6' FROM y$$,
                 '54000', NULL, 'a sixth level is refused with 54000');
SELECT throws_like($$INSERT INTO okr.objective (cycle_id, parent_id, title) SELECT id, 105, 'level 6' FROM y$$,
                   '%would sit at level 6 of its tree, deeper than okr.max_depth (5)', 'the error names the level and the setting');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE SELECT 200, id, 'other root' FROM y;
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE SELECT 201, id, 200, 'other child' FROM y;
SELECT throws_ok($$UPDATE okr.objective SET parent_id = 104 WHERE id = 200$$,
                 '54000', NULL, 'moving a subtree so that its leaves sit too deep is refused (54000)');
SELECT lives_ok($$UPDATE okr.objective SET parent_id = 103 WHERE id = 200$$,
                'moving it where it fits is allowed (its child lands at level 5)');
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE
  SELECT 100 + g, 'team level ' || g, CASE WHEN g > 1 THEN 99 + g END FROM generate_series(1, 5) g;
SELECT throws_ok($$INSERT INTO okr.team (name, parent_id) VALUES ('team level 6', 105)$$,
                 '54000', NULL, 'teams: a sixth level is refused (54000)');
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
  SELECT 100 + g, 'cycle level ' || g, '2026-01-01', '2026-12-31', CASE WHEN g > 1 THEN 99 + g END FROM generate_series(1, 5) g;
SELECT throws_ok($$INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('cycle level 6', '2026-01-01', '2026-12-31', 105)$$,
                 '54000', NULL, 'cycles: a sixth level is refused (54000)');
CREATE ROLE okr_depth_user;
SET LOCAL ROLE okr_depth_user;
SELECT throws_ok($$SET okr.max_depth = 2000$$, '42501', NULL, 'only a superuser may raise okr.max_depth');
RESET ROLE;
ROLLBACK TO SAVEPOINT depth;
SAVEPOINT depth;
-- the default bound: a chain of 1,000 levels is accepted, the 1,001st is not
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
  SELECT 1000 + g, y.id, CASE WHEN g > 1 THEN 999 + g END, 'chain ' || g FROM y, generate_series(1, 1000) g;
SELECT is((SELECT max(depth) FROM okr.objective_report), 999, 'a chain of 1,000 objectives (depth 0 to 999) is allowed');
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, parent_id, title) SELECT id, 2000, 'chain 1001' FROM y$$,
                 '54000', NULL, 'level 1,001 is refused at the default bound');
ROLLBACK TO SAVEPOINT depth;

-- ===================================================================
-- 3. Columns altered or renamed by the owner: clear errors, no crash
-- ===================================================================
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
  SELECT id, 'sales', 0, 100 FROM okr.objective WHERE title = 'one';
CREATE TEMP TABLE k AS SELECT id FROM okr.key_result WHERE title = 'sales';
INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 40, '2026-03-01' FROM k;
INSERT INTO okr.project (key_result_id, name) SELECT id, 'proj' FROM k;
INSERT INTO okr.task (project_id, title) SELECT id, 'task' FROM okr.project WHERE name = 'proj';
-- PostgreSQL refuses to alter a column that views and SQL-body functions
-- read: take them out of the way (inside a savepoint that rolls back)
CREATE FUNCTION pg_temp.clear_dependents() RETURNS void LANGUAGE plpgsql AS $$DECLARE v text; vs text[]; BEGIN
    SELECT array_agg(c.oid::regclass::text) INTO vs FROM pg_class c
     WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v';
    FOREACH v IN ARRAY vs LOOP EXECUTE format('ALTER EXTENSION okr DROP VIEW %s', v); END LOOP;
    FOREACH v IN ARRAY vs LOOP EXECUTE format('DROP VIEW IF EXISTS %s CASCADE', v); END LOOP;
    ALTER EXTENSION okr DROP FUNCTION okr.check_integrity();
    DROP FUNCTION okr.check_integrity();
END $$;
SAVEPOINT alter_type;
ALTER TABLE okr.key_result ALTER COLUMN current_value TYPE double precision;
SELECT throws_ok($$SELECT count(*) FROM okr.progress()$$, '42804',
                 'okr cannot read okr.key_result.current_value (and okr.checkin.value): it is of type double precision, not numeric',
                 'current_value altered to double precision: okr.progress() refuses (42804), no crash');
SELECT throws_ok($$SELECT okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'one'))$$, '42804', NULL,
                 'objective_progress refuses too');
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 50, '2026-03-02' FROM k$$, '42804', NULL,
                 'a check-in refuses to maintain it (42804)');
ROLLBACK TO SAVEPOINT alter_type;
SAVEPOINT alter_type;
SELECT pg_temp.clear_dependents();
ALTER TABLE okr.checkin ALTER COLUMN value TYPE double precision;
SELECT throws_ok($$SELECT count(*) FROM okr.progress_history('2026-01-01', '2026-04-01', '1 week')$$, '42804', NULL,
                 'checkin.value altered: progress_history refuses (42804)');
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 50, '2026-03-02' FROM k$$, '42804', NULL,
                 'and the check-in trigger refuses (42804)');
ROLLBACK TO SAVEPOINT alter_type;
SAVEPOINT alter_type;
SELECT pg_temp.clear_dependents();
ALTER TABLE okr.task ALTER COLUMN effort TYPE integer;
SELECT throws_ok($$UPDATE okr.task SET status = 'done' WHERE title = 'task'$$, '42804',
                 'okr cannot read okr.task.effort: it is of type integer, not double precision',
                 'task.effort altered to integer: the task trigger refuses (42804)');
ROLLBACK TO SAVEPOINT alter_type;
SAVEPOINT alter_type;
ALTER TABLE okr.key_result RENAME COLUMN state TO st;
SELECT throws_ok($$SELECT count(*) FROM okr.progress()$$, '42703', NULL,
                 'key_result.state renamed: okr.progress() fails with 42703');
ROLLBACK TO SAVEPOINT alter_type;
SAVEPOINT alter_type;
ALTER TABLE okr.project RENAME COLUMN state TO st;
SELECT throws_ok($$UPDATE okr.project SET name = 'renamed' WHERE name = 'proj'$$, '42703',
                 'okr needs column "state" of okr.project, which no longer exists',
                 'project.state renamed: the project trigger fails with 42703 (was XX000)');
ROLLBACK TO SAVEPOINT alter_type;
SAVEPOINT alter_type;
ALTER TABLE okr.task RENAME COLUMN status TO st;
SELECT throws_ok($$UPDATE okr.task SET title = 'x'$$, '42703',
                 'okr needs column "status" of okr.task, which no longer exists',
                 'task.status renamed: the task trigger names the missing column (42703)');
ROLLBACK TO SAVEPOINT alter_type;

-- ===================================================================
-- 5. CHECKs hold with triggers off; what they cannot, check_integrity lists
-- ===================================================================
SAVEPOINT replica;
SET LOCAL session_replication_role = replica;
SELECT throws_ok($$INSERT INTO okr.key_result (objective_id, title, start_value, target_value, state) SELECT id, 'p', 0, 1, 'paused' FROM okr.objective WHERE title = 'one'$$,
                 '23514', NULL, 'with triggers off, state paused is still refused by key_result_state_valid (23514)');
SELECT throws_ok($$INSERT INTO okr.key_result (objective_id, title, kind) SELECT id, 'p', 'metrics' FROM okr.objective WHERE title = 'one'$$,
                 '23514', NULL, 'an unknown kind too (key_result_kind_valid)');
SELECT throws_ok($$UPDATE okr.key_result SET weight = 'NaN' WHERE title = 'sales'$$,
                 '23514', NULL, 'a NaN weight too (key_result_weight_valid)');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
  SELECT id, 'flat', 5, 5 FROM okr.objective WHERE title = 'one';
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
  SELECT 7, id, 8, 'loop a' FROM y UNION ALL SELECT 8, id, 7, 'loop b' FROM y;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (-42, 1, '2026-02-01');
RESET session_replication_role;
SELECT set_eq($$SELECT item, rule FROM okr.check_integrity()$$,
              $$VALUES ('key_result', 'rule 3'), ('objective', 'rule 1'), ('checkin', 'foreign key')$$,
              'check_integrity lists the rule-3 break, the loop and the dangling check-in');
SELECT is((SELECT count(*) FROM okr.check_integrity() WHERE item = 'objective'), 2::bigint, 'both objectives of the loop');
SET LOCAL client_min_messages = error;
SELECT lives_ok($$SELECT okr.refresh_maintained()$$, 'refresh_maintained does not fail on them (it warns about each)');
SET LOCAL client_min_messages = warning;
ROLLBACK TO SAVEPOINT replica;
SELECT is((SELECT count(*) FROM okr.check_integrity()), 0::bigint, 'a clean organisation: check_integrity lists nothing');

-- ===================================================================
-- 2. okr functions re-entered from inside one another (a policy whose
--    function calls okr while okr is reading the table)
-- ===================================================================
SAVEPOINT nested;
INSERT INTO okr.task (project_id, title, status, done_at) SELECT id, 'done task', 'done', '2026-03-03' FROM okr.project WHERE name = 'proj';
CREATE SCHEMA okr_test;
CREATE FUNCTION okr_test.peek() RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    IF current_setting('my.busy', true) = 'on' OR coalesce(current_setting('my.fn', true), '') = '' THEN
        RETURN true;
    END IF;
    PERFORM set_config('my.busy', 'on', true);
    CASE current_setting('my.fn')
        WHEN 'history' THEN PERFORM count(*) FROM okr.progress_history('2026-01-01', '2026-01-02', '1 day');
        WHEN 'progress' THEN PERFORM count(*) FROM okr.progress('2026-02-01');
        WHEN 'objective' THEN PERFORM okr.objective_progress(o.id, '2026-02-01') FROM okr.objective o;
        WHEN 'score' THEN PERFORM okr.objective_score(o.id) FROM okr.objective o;
        WHEN 'report' THEN PERFORM count(*) FROM okr.objective_report;
    END CASE;
    PERFORM set_config('my.busy', 'off', true);
    RETURN true;
END $f$;
CREATE ROLE okr_nested_reader;
SELECT okr.grant_read('okr_nested_reader');
GRANT USAGE ON SCHEMA okr_test TO okr_nested_reader;
GRANT EXECUTE ON FUNCTION okr_test.peek() TO okr_nested_reader;
GRANT SELECT ON k TO okr_nested_reader;
ALTER TABLE okr.checkin ENABLE ROW LEVEL SECURITY;
ALTER TABLE okr.task ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON okr.checkin USING (okr_test.peek());
CREATE POLICY p ON okr.task USING (okr_test.peek());
SET LOCAL ROLE okr_nested_reader;
CREATE TEMP TABLE nested_expected AS
  SELECT count(*) AS n, sum(progress) AS progress FROM okr.progress_history('2026-03-01', '2026-03-05', '1 day');
SELECT r.t FROM unnest(ARRAY['history', 'progress', 'objective', 'score', 'report']) f,
  LATERAL (SELECT set_config('my.fn', f, true)) c (x),
  LATERAL (SELECT results_eq(
    $$SELECT count(*), sum(progress) FROM okr.progress_history('2026-03-01', '2026-03-05', '1 day')$$,
    $$SELECT n, progress FROM nested_expected$$,
    'progress_history, re-entered by ' || f || ' from a policy, returns its own figures')) r (t);
SELECT set_config('my.fn', 'history', true) IS NULL AS set_history;
SELECT is(
    (SELECT progress FROM okr.progress('2026-03-04') WHERE item = 'key_result' AND id = (SELECT id FROM k)), 0.4::float8,
    'okr.progress, re-entered by progress_history from a policy, returns its own figures');
RESET ROLE;
ROLLBACK TO SAVEPOINT nested;

-- ===================================================================
-- 7. Parallel workers: the rollup runs in the leader only
-- ===================================================================
SELECT set_eq($$SELECT proname::text FROM pg_proc WHERE pronamespace = 'okr'::regnamespace AND proparallel = 'r'$$,
              ARRAY['progress', 'objective_progress', 'objective_score', 'progress_history', 'forecast',
                    'explain', 'changes', 'objective_tree', 'item_figures', 'objective_score_at', 'objective_path',
                    'objective_key_results', 'objective_children', 'key_result_projects', 'objective_visible', 'key_result_visible', 'project_visible', 'task_feed_visible', 'access_unscoped'],
              'the four rollup functions, okr.forecast, okr.explain and okr.changes (on the rollup), okr.objective_tree and the per-row functions of the views (on the rollup, or read under the policies) and the five functions of the policies (they query as the owner) are PARALLEL RESTRICTED');
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history DEFERRED;
INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 100, '2026-03-05' FROM k;
CREATE TEMP TABLE serial_figures AS SELECT item, id, progress FROM okr.progress('2026-07-02');
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL force_parallel_mode = on;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SELECT results_eq($$SELECT item, id, progress FROM okr.progress('2026-07-02') ORDER BY 1, 2$$,
                  $$SELECT item, id, progress FROM serial_figures ORDER BY 1, 2$$,
                  'with a check-in pending in this transaction, forced parallel mode gives the same figures');
SELECT is((SELECT progress FROM okr.progress('2026-07-02') WHERE item = 'key_result' AND id = (SELECT id FROM k)), 1::float8,
          'the pending check-in (100 of 100) counts under force_parallel_mode');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'one'), '2026-07-02'), 1::float8,
          'and in objective_progress');
RESET force_parallel_mode;
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

SELECT * FROM finish();
ROLLBACK;
