-- Errors about a row being inserted name it by what the user wrote (issue
-- 13, item 5): the id an INSERT draws from the identity sequence is used up
-- and never exists once the insert fails, so a message naming it sends the
-- reader looking for a row that is not there.  UPDATE messages keep the id.
-- Every case checks the SQLSTATE and the whole message, and that the
-- message does not contain the id the failed insert drew (pg_temp.err adds
-- "[names ... never exists]" to it when it does).
BEGIN;
CREATE EXTENSION okr;
SELECT plan(28);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

-- Ids far apart from each other and from the dates and numbers in the
-- messages, so finding one in a message means it names that row.
ALTER SEQUENCE okr.cycle_id_seq RESTART 300;
ALTER SEQUENCE okr.team_id_seq RESTART 400;
ALTER SEQUENCE okr.objective_id_seq RESTART 700;
ALTER SEQUENCE okr.key_result_id_seq RESTART 800;
ALTER SEQUENCE okr.project_id_seq RESTART 900;
ALTER SEQUENCE okr.task_id_seq RESTART 1000;

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');         -- 300
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('Q1 2026', '2026-01-01', '2026-03-31', 300); -- 301
INSERT INTO okr.team (name) VALUES ('Company');                                                          -- 400
INSERT INTO okr.objective (cycle_id, title) VALUES (300, 'Company goal');                               -- 700
INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (301, 700, 'Q1 goal');                    -- 701
INSERT INTO okr.objective (cycle_id, title, state) VALUES (300, 'Closed goal', 'closed');               -- 702
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (700, 'Revenue', 0, 100); -- 800
INSERT INTO okr.key_result (objective_id, title, kind, target_value, state)
VALUES (700, 'Dropped', 'at_least', 1, 'cancelled');                                                    -- 801
INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (701, 'Q1 deals', 'at_least', 5); -- 802
INSERT INTO okr.project (key_result_id, name, state) VALUES (800, 'Shelved', 'cancelled');              -- 900
INSERT INTO okr.project (key_result_id, name) VALUES (800, 'Outreach');                                 -- 901
INSERT INTO okr.task (project_id, title) VALUES (901, 'Call');                                          -- 1000

-- "SQLSTATE: message" of q's error, and a mark when the message names the
-- id the statement drew from seq (the row that never came to exist); seq
-- NULL for an UPDATE, whose row exists.
CREATE FUNCTION pg_temp.err(q text, seq text DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; drawn bigint;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    IF seq IS NOT NULL THEN
        EXECUTE format('SELECT last_value FROM okr.%I', seq) INTO drawn;
    END IF;
    RETURN st || ': ' || msg
        || CASE WHEN drawn IS NOT NULL AND msg ~ ('\m' || drawn || '\M') THEN ' [names ' || drawn || ', which never exists]' ELSE '' END;
END $$;

-- the mark works: a message naming the id last drawn is marked
SELECT is(pg_temp.err($q$DO $x$ BEGIN RAISE EXCEPTION 'task %', (SELECT last_value FROM okr.task_id_seq); END $x$$q$, 'task_id_seq'),
          'P0001: task 1000 [names 1000, which never exists]',
          'pg_temp.err marks a message that names the id last drawn');

-- Rule 1: no cycle, and the depth bound
SELECT is(pg_temp.err($$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
                         VALUES (750, 300, 750, 'Self')$$, 'objective_id_seq'),
          '23O01: new objective "Self" cannot align to itself',
          'rule 1: an objective inserted as its own parent is named by its title');
SELECT is(pg_temp.err($$INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (450, 'Loop', 450)$$,
                      'team_id_seq'),
          '23O01: new team "Loop" cannot report to itself',
          'rule 1: a team inserted as its own parent is named by its name');
SET okr.max_depth = 2;
SELECT is(pg_temp.err($$INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (301, 701, 'Too deep')$$,
                      'objective_id_seq'),
          '54000: new objective "Too deep" would sit at level 3 of its tree, deeper than okr.max_depth (2)',
          'depth bound on INSERT: the new objective is named by its title');
RESET okr.max_depth;

-- Rule 2: cycle cover, through a parent objective, through a key result, of a cycle
SELECT is(pg_temp.err($$INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (300, 701, 'Annual under Q1')$$,
                      'objective_id_seq'),
          '23O02: new objective "Annual under Q1" cannot align to objective 701: its cycle "2026" (2026-01-01 to 2026-12-31) is not within the parent''s cycle "Q1 2026" (2026-01-01 to 2026-03-31)',
          'rule 2 on INSERT under an objective: named by its title');
SELECT is(pg_temp.err($$INSERT INTO okr.objective (cycle_id, parent_key_result_id, title) VALUES (300, 802, 'Annual under a Q1 KR')$$,
                      'objective_id_seq'),
          '23O02: new objective "Annual under a Q1 KR" cannot align to objective 701: its cycle "2026" (2026-01-01 to 2026-12-31) is not within the parent''s cycle "Q1 2026" (2026-01-01 to 2026-03-31)',
          'rule 2 on INSERT under a key result: named by its title');
SELECT is(pg_temp.err($$INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('Winter', '2026-12-01', '2027-02-28', 300)$$,
                      'cycle_id_seq'),
          '23O02: new cycle "Winter" (2026-12-01 to 2027-02-28) does not lie within its parent cycle 300 "2026" (2026-01-01 to 2026-12-31)',
          'rule 2 on INSERT of a cycle: named by its name');
SELECT is(pg_temp.err($$UPDATE okr.cycle SET ends_on = '2027-01-31' WHERE id = 301$$),
          '23O02: cycle 301 "Q1 2026" (2026-01-01 to 2027-01-31) does not lie within its parent cycle 300 "2026" (2026-01-01 to 2026-12-31)',
          '... on UPDATE the cycle keeps its id');
SELECT is(pg_temp.err($$INSERT INTO okr.objective (cycle_id, parent_id, parent_key_result_id, title) VALUES (300, 700, 800, 'Both')$$,
                      'objective_id_seq'),
          '23514: new row for relation "objective" violates check constraint "objective_one_parent"',
          'one parent only, on INSERT: the CHECK constraint refuses it first, naming no id');

-- Rule 3: a key result's values fit its kind
SELECT is(pg_temp.err($$INSERT INTO okr.key_result (objective_id, title, target_value) VALUES (700, 'No start', 10)$$,
                      'key_result_id_seq'),
          '23O03: new key result "No start" of kind metric needs start_value and target_value',
          'rule 3: a metric without start_value');
SELECT is(pg_temp.err($$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (700, 'Flat', 5, 5)$$,
                      'key_result_id_seq'),
          '23O03: new key result "Flat" of kind metric needs a target_value different from its start_value',
          'rule 3: a metric with start = target');
SELECT is(pg_temp.err($$INSERT INTO okr.key_result (objective_id, title, kind) VALUES (700, 'NPS stays at least', 'at_least')$$,
                      'key_result_id_seq'),
          '23O03: new key result "NPS stays at least" of kind at_least needs a target_value',
          'rule 3: at_least without a target');
SELECT is(pg_temp.err($$INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (700, 'Launch', 'milestone', 5)$$,
                      'key_result_id_seq'),
          '23O03: new key result "Launch" of kind milestone goes from 0 to 1',
          'rule 3: a milestone with another target');
SELECT is(pg_temp.err($$UPDATE okr.key_result SET target_value = NULL WHERE id = 802$$),
          '23O03: key result 802 of kind at_least needs a target_value',
          '... on UPDATE the key result keeps its id');

-- Rule 4: current_value is maintained from the check-ins
SELECT is(pg_temp.err($$INSERT INTO okr.key_result (objective_id, title, start_value, target_value, current_value)
                         VALUES (700, 'Preset', 0, 10, 5)$$, 'key_result_id_seq'),
          '428C9: current_value and last_checkin_at of new key result "Preset" are maintained from its check-ins',
          'rule 4 on INSERT: named by its title');

-- Rule 5: a check-in is named by its key result and time
SELECT is(pg_temp.err($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (800, 5, '2027-01-02')$$,
                      'checkin_id_seq'),
          '23O05: a check-in of key result 800 at 2027-01-02 00:00:00+00 falls outside cycle "2026" (2026-01-01 to 2026-12-31)',
          'rule 5 on INSERT: a check-in named by its key result and time');

-- Rule 6: nothing new under a closed or cancelled parent
SELECT is(pg_temp.err($$INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (702, 'Late', 'at_least', 1)$$,
                      'key_result_id_seq'),
          '23O06: cannot add new key result "Late" under objective 702: it is closed',
          'rule 6: a key result under a closed objective');
SELECT is(pg_temp.err($$INSERT INTO okr.project (key_result_id, name) VALUES (801, 'Revive')$$, 'project_id_seq'),
          '23O06: cannot add new project "Revive" under key result 801: it is cancelled',
          'rule 6: a project under a cancelled key result');
SELECT is(pg_temp.err($$INSERT INTO okr.task (project_id, title) VALUES (900, 'Dust off')$$, 'task_id_seq'),
          '23O06: cannot add new task "Dust off" under project 900: it is cancelled',
          'rule 6: a task under a cancelled project');
SELECT is(pg_temp.err($$INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (300, 702, 'After closing')$$,
                      'objective_id_seq'),
          '23O06: new objective "After closing" cannot align to objective 702: it is closed',
          'rule 6: an objective aligned under a closed objective');
SELECT is(pg_temp.err($$INSERT INTO okr.objective (cycle_id, parent_key_result_id, title) VALUES (300, 801, 'For a dropped KR')$$,
                      'objective_id_seq'),
          '23O06: cannot add new objective "For a dropped KR" under key result 801: it is cancelled',
          'rule 6: an objective aligned to a cancelled key result');
SELECT is(pg_temp.err($$UPDATE okr.objective SET parent_id = 702 WHERE id = 701$$),
          '23O06: objective 701 cannot align to objective 702: it is closed',
          '... on UPDATE the objective keeps its id');
SELECT is(pg_temp.err($$UPDATE okr.project SET key_result_id = 801 WHERE id = 901$$),
          '23O06: cannot add project 901 under key result 801: it is cancelled',
          '... and so does a project moved under a cancelled key result');

-- Rule 7: done_at is never in the future
SELECT is(pg_temp.err($$INSERT INTO okr.task (project_id, title, status, done_at) VALUES (901, 'Tomorrow', 'done', '2999-01-01')$$,
                      'task_id_seq'),
          '23O07: done_at of new task "Tomorrow" is in the future: 2999-01-01 00:00:00+00',
          'rule 7 on INSERT: named by its title');
SELECT is(pg_temp.err($$UPDATE okr.task SET status = 'done', done_at = '2999-01-01' WHERE id = 1000$$),
          '23O07: done_at of task 1000 is in the future: 2999-01-01 00:00:00+00',
          '... on UPDATE the task keeps its id');

-- Allowed values: the message names the value and what is allowed, no row
SELECT is(pg_temp.err($$INSERT INTO okr.project (key_result_id, name, state) VALUES (800, 'Paused', 'paused')$$, 'project_id_seq'),
          '23514: "paused" is not a state of a project: it is planned, active, done or cancelled',
          'allowed values on INSERT: no id in the message');
SELECT is(pg_temp.err($$INSERT INTO okr.task (project_id, title, status) VALUES (901, 'Half', 'half')$$, 'task_id_seq'),
          '23514: "half" is not a status of a task: it is todo, doing, done or cancelled',
          'allowed task status on INSERT: no id in the message');

-- nothing of the refused inserts is left
SELECT is((SELECT count(*) FROM okr.objective)::int + (SELECT count(*) FROM okr.key_result)::int
          + (SELECT count(*) FROM okr.project)::int + (SELECT count(*) FROM okr.task)::int, 3 + 3 + 2 + 1,
          'every refused insert left nothing behind');

SELECT * FROM finish();
ROLLBACK;
