-- Errors a person can act on (issue 13, item 5): what a CHECK allows, what
-- is below a row that cannot be deleted, how to record a late check-in.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(21);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'Grow' FROM okr.cycle;
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
SELECT id, 'Sales', 0, 100 FROM okr.objective WHERE title = 'Grow';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT id, 10, '2026-03-01' FROM okr.key_result WHERE title = 'Sales';
INSERT INTO okr.project (key_result_id, name) SELECT id, 'Outreach' FROM okr.key_result WHERE title = 'Sales';
INSERT INTO okr.task (project_id, title) SELECT id, 'Call' FROM okr.project WHERE name = 'Outreach';

-- CHECK constraints that people hit say what is allowed (same name, 23514)
SELECT throws_ok($$UPDATE okr.objective SET state = 'canceled' WHERE title = 'Grow'$$, '23514',
                 '"canceled" is not a state of an objective: it is draft, active, closed or cancelled',
                 'a misspelt objective state lists the states');
CREATE FUNCTION pg_temp.constraint_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN EXECUTE q; RETURN NULL;
EXCEPTION WHEN check_violation THEN GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME; RETURN c; END $$;
SELECT is(pg_temp.constraint_of($$UPDATE okr.objective SET state = 'canceled' WHERE title = 'Grow'$$),
          'objective_state_valid', 'the error keeps the constraint name objective_state_valid');
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, title, kind) SELECT id, 'x', 'stretch' FROM okr.cycle$$, '23514',
                 '"stretch" is not a kind of objective: it is committed or aspirational', 'an unknown objective kind');
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, title, rollup) SELECT id, 'x', 'all' FROM okr.cycle$$, '23514',
                 '"all" is not a rollup: it is both, key_results or children', 'an unknown rollup');
SELECT throws_ok($$UPDATE okr.key_result SET kind = 'count' WHERE title = 'Sales'$$, '23514',
                 '"count" is not a kind of key result: it is metric, at_least, at_most, milestone, projects or objectives',
                 'an unknown key-result kind');
SELECT is(pg_temp.constraint_of($$UPDATE okr.key_result SET kind = 'count' WHERE title = 'Sales'$$),
          'key_result_kind_valid', '... named key_result_kind_valid');
SELECT throws_ok($$UPDATE okr.key_result SET state = 'paused' WHERE title = 'Sales'$$, '23514',
                 '"paused" is not a state of a key result: it is active or cancelled', 'an unknown key-result state');
SELECT throws_ok($$UPDATE okr.project SET state = 'started' WHERE name = 'Outreach'$$, '23514',
                 '"started" is not a state of a project: it is planned, active, done or cancelled', 'an unknown project state');
SELECT throws_ok($$UPDATE okr.task SET status = 'finished' WHERE title = 'Call'$$, '23514',
                 '"finished" is not a status of a task: it is todo, doing, done or cancelled', 'an unknown task status');
SELECT is(pg_temp.constraint_of($$UPDATE okr.task SET status = 'finished' WHERE title = 'Call'$$),
          'task_status_valid', '... named task_status_valid');
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, confidence, checked_at) SELECT id, 20, 80, '2026-03-02' FROM okr.key_result WHERE title = 'Sales'$$,
                 '23514', 'confidence 80 is not a share from 0 to 1', 'a confidence of 80 says it is a share');
SELECT is(pg_temp.constraint_of($$INSERT INTO okr.checkin (key_result_id, value, confidence, checked_at) SELECT id, 20, 80, '2026-03-02' FROM okr.key_result WHERE title = 'Sales'$$),
          'checkin_confidence_valid', '... named checkin_confidence_valid');
SELECT lives_ok($$UPDATE okr.task SET status = 'doing' WHERE title = 'Call'$$, 'a valid status still goes in');

-- deleting a row with rows below it
SELECT throws_like($$DELETE FROM okr.objective WHERE title = 'Grow'$$,
                   'cannot delete objective % "Grow": 1 key result still below it',
                   'deleting an objective with a key result says what is below it');
SELECT throws_ok($$DELETE FROM okr.objective WHERE title = 'Grow'$$, '23503', NULL, '... as a foreign-key violation (23503)');
SELECT throws_like($$DELETE FROM okr.key_result WHERE title = 'Sales'$$,
                   'cannot delete key result % "Sales": 1 check-in, 1 project still below it',
                   'a key result: its check-ins and projects');
SELECT throws_like($$DELETE FROM okr.project WHERE name = 'Outreach'$$,
                   'cannot delete project % "Outreach": 1 task still below it', 'a project: its tasks');
-- the hint says what to do instead
CREATE FUNCTION pg_temp.hint_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN EXECUTE q; RETURN NULL;
EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT; RETURN h; END $$;
SELECT alike(pg_temp.hint_of($$DELETE FROM okr.project WHERE name = 'Outreach'$$), 'Cancel it instead%',
            'the hint: cancel it instead, or delete or move what is below it first');
-- deleting a parent with what is below it in one statement still works
INSERT INTO okr.objective (cycle_id, parent_id, title) SELECT cycle_id, id, 'Child' FROM okr.objective WHERE title = 'Grow';
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'Lonely' FROM okr.cycle;
INSERT INTO okr.objective (cycle_id, parent_id, title) SELECT cycle_id, id, 'Lonely child' FROM okr.objective WHERE title = 'Lonely';
SELECT lives_ok($$DELETE FROM okr.objective WHERE title IN ('Lonely', 'Lonely child')$$,
                'a parent and its child deleted in one statement');

-- a late check-in under a closed objective says how to record it
UPDATE okr.objective SET state = 'closed' WHERE title = 'Grow';
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 30, '2026-06-01' FROM okr.key_result WHERE title = 'Sales'$$,
                 '23O06', NULL, 'a check-in under a closed objective is refused (23O06)');
SELECT alike(pg_temp.hint_of($$INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 30, '2026-06-01' FROM okr.key_result WHERE title = 'Sales'$$),
            'To record a late check-in, reopen the objective%close it again%',
            'the hint: reopen, add the check-in, close again');

SELECT * FROM finish();
ROLLBACK;
