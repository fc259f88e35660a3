-- SPEC 2, rule 6: nothing new is linked under a closed or cancelled
-- objective, a cancelled key result or a cancelled project, transitively.
-- "New" includes moving an existing row there by an UPDATE of its foreign key.
-- Updating a row that is already there is allowed.  Expected SQLSTATE: 23O06.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(73);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'FY2026', '2026-01-01', '2026-12-31');

-- objectives: 10 active, 11 to be closed, 12 to be cancelled, 13 draft, 15 child of 11
INSERT INTO okr.objective (id, cycle_id, title, state) OVERRIDING SYSTEM VALUE VALUES (10, 1, 'active', 'active');
INSERT INTO okr.objective (id, cycle_id, title, state) OVERRIDING SYSTEM VALUE VALUES (11, 1, 'to close', 'active');
INSERT INTO okr.objective (id, cycle_id, title, state) OVERRIDING SYSTEM VALUE VALUES (12, 1, 'to cancel', 'active');
INSERT INTO okr.objective (id, cycle_id, title, state) OVERRIDING SYSTEM VALUE VALUES (13, 1, 'draft', 'draft');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (15, 1, 11, 'child of 11');
-- key results: 20, 21 (to cancel) under 10; 22 under 11; 23 under 12
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (20, 10, 'kr active', 0, 100);
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (21, 10, 'kr to cancel', 0, 100);
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (22, 11, 'kr of closed objective', 0, 100);
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (23, 12, 'kr of cancelled objective', 0, 100);
-- projects: 30 (to cancel), 31, 35 planned, 36 done under KR 20; 32 under 21; 33 under 22; 34 under 23
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (30, 20, 'project to cancel');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (31, 20, 'project active');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (32, 21, 'project of cancelled kr');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (33, 22, 'project of closed objective');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (34, 23, 'project of cancelled objective');
INSERT INTO okr.project (id, key_result_id, name, state) OVERRIDING SYSTEM VALUE VALUES (35, 20, 'project planned', 'planned');
INSERT INTO okr.project (id, key_result_id, name, state) OVERRIDING SYSTEM VALUE VALUES (36, 20, 'project done', 'done');
-- tasks: one under each of 30, 33, 32, 31, 34
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (40, 30, 'task of cancelled project');
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (41, 33, 'task under closed objective');
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (42, 32, 'task under cancelled kr');
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (43, 31, 'task of active project');
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (44, 34, 'task under cancelled objective');
-- check-ins on 22 (closed objective), 20 (active), 21 (cancelled)
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (50, 22, 10, '2026-06-01 12:00+00');
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (51, 20, 10, '2026-06-01 12:00+00');
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (52, 21, 10, '2026-06-01 12:00+00');

-- now close and cancel
SELECT lives_ok($$UPDATE okr.project SET state = 'cancelled' WHERE id = 30$$, 'fixture: cancel project 30');
SELECT lives_ok($$UPDATE okr.key_result SET state = 'cancelled' WHERE id = 21$$, 'fixture: cancel key result 21');
SELECT lives_ok($$UPDATE okr.objective SET state = 'closed' WHERE id = 11$$, 'fixture: close objective 11');
SELECT lives_ok($$UPDATE okr.objective SET state = 'cancelled' WHERE id = 12$$, 'fixture: cancel objective 12');

-- ===================================================================
-- new key results
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (101, 11, 'new', 0, 1)$$,
    '23O06', NULL, 'new key result under a closed objective -> 23O06');
SELECT throws_matching(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (101, 11, 'new', 0, 1)$$,
    '\m11\M', 'the message names the closed objective 11');
SELECT throws_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (102, 12, 'new', 0, 1)$$,
    '23O06', NULL, 'new key result under a cancelled objective -> 23O06');
SELECT is((SELECT count(*)::int FROM okr.key_result WHERE id IN (101, 102)), 0,
    'no row of the rejected key results remains');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (24, 13, 'kr of draft', 0, 1)$$,
    'new key result under a draft objective is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (25, 10, 'kr of active', 0, 1)$$,
    'new key result under an active objective is accepted');

-- ===================================================================
-- new check-ins
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (201, 21, 20, '2026-07-01 12:00+00')$$,
    '23O06', NULL, 'new check-in on a cancelled key result -> 23O06');
SELECT throws_matching(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (201, 21, 20, '2026-07-01 12:00+00')$$,
    '\m21\M', 'the message names the cancelled key result 21');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (202, 22, 20, '2026-07-01 12:00+00')$$,
    '23O06', NULL, 'new check-in on a key result of a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (203, 23, 20, '2026-07-01 12:00+00')$$,
    '23O06', NULL, 'new check-in on a key result of a cancelled objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (204, 20, 20, '2026-07-01 12:00+00'), (205, 22, 20, '2026-07-01 12:00+00')$$,
    '23O06', NULL, 'one INSERT of a valid check-in and one on a closed objective''s key result -> 23O06');
SELECT is((SELECT count(*)::int FROM okr.checkin WHERE id > 200), 0,
    'no row of the rejected check-ins remains');
SELECT lives_ok(
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES (53, 20, 20, '2026-07-01 12:00+00')$$,
    'new check-in on an active key result is accepted');

-- ===================================================================
-- new projects
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (301, 21, 'new')$$,
    '23O06', NULL, 'new project under a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (302, 22, 'new')$$,
    '23O06', NULL, 'new project under a key result of a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (303, 23, 'new')$$,
    '23O06', NULL, 'new project under a key result of a cancelled objective -> 23O06');
SELECT is((SELECT count(*)::int FROM okr.project WHERE id > 300), 0,
    'no row of the rejected projects remains');
SELECT lives_ok(
    $$INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (37, 20, 'new project')$$,
    'new project under an active key result is accepted');

-- ===================================================================
-- new tasks
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (401, 30, 'new')$$,
    '23O06', NULL, 'new task under a cancelled project -> 23O06');
SELECT throws_matching(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (401, 30, 'new')$$,
    '\m30\M', 'the message names the cancelled project 30');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (402, 32, 'new')$$,
    '23O06', NULL, 'new task under an active project of a cancelled key result -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (403, 33, 'new')$$,
    '23O06', NULL, 'new task under a project of a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (404, 34, 'new')$$,
    '23O06', NULL, 'new task under a project of a cancelled objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title, status) OVERRIDING SYSTEM VALUE VALUES (405, 33, 'new', 'done')$$,
    '23O06', NULL, 'new done task under a project of a closed objective -> 23O06');
SELECT is((SELECT count(*)::int FROM okr.task WHERE id > 400), 0,
    'no row of the rejected tasks remains');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (45, 31, 'new task, active project')$$,
    'new task under an active project is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (46, 35, 'new task, planned project')$$,
    'new task under a planned project is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (47, 36, 'new task, done project')$$,
    'new task under a done project is accepted');

-- ===================================================================
-- child objectives
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (501, 1, 11, 'new child')$$,
    '23O06', NULL, 'new child objective aligned under a closed objective -> 23O06');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (502, 1, 12, 'new child')$$,
    '23O06', NULL, 'new child objective aligned under a cancelled objective -> 23O06');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id > 500), 0,
    'no row of the rejected objectives remains');
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (14, 1, 10, 'child of active')$$,
    'new child objective under an active objective is accepted');

-- ===================================================================
-- moving existing rows under a closed/cancelled parent by UPDATE
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.key_result SET objective_id = 11 WHERE id = 25$$,
    '23O06', NULL, 'moving a key result under a closed objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.key_result SET objective_id = 12 WHERE id = 25$$,
    '23O06', NULL, 'moving a key result under a cancelled objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.checkin SET key_result_id = 21 WHERE id = 53$$,
    '23O06', NULL, 'moving a check-in onto a cancelled key result -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.checkin SET key_result_id = 22 WHERE id = 53$$,
    '23O06', NULL, 'moving a check-in onto a key result of a closed objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.project SET key_result_id = 21 WHERE id = 37$$,
    '23O06', NULL, 'moving a project under a cancelled key result -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.project SET key_result_id = 22 WHERE id = 37$$,
    '23O06', NULL, 'moving a project under a key result of a closed objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.task SET project_id = 30 WHERE id = 45$$,
    '23O06', NULL, 'moving a task under a cancelled project -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.task SET project_id = 32 WHERE id = 45$$,
    '23O06', NULL, 'moving a task under a project of a cancelled key result -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.task SET project_id = 33 WHERE id = 45$$,
    '23O06', NULL, 'moving a task under a project of a closed objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 11 WHERE id = 14$$,
    '23O06', NULL, 'aligning an existing objective under a closed objective -> 23O06');
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 12 WHERE id = 14$$,
    '23O06', NULL, 'aligning an existing objective under a cancelled objective -> 23O06');
SELECT results_eq(
    $$SELECT 'kr 25 -> objective ' || (SELECT objective_id FROM okr.key_result WHERE id = 25)
      UNION ALL SELECT 'checkin 53 -> kr ' || (SELECT key_result_id FROM okr.checkin WHERE id = 53)
      UNION ALL SELECT 'project 37 -> kr ' || (SELECT key_result_id FROM okr.project WHERE id = 37)
      UNION ALL SELECT 'task 45 -> project ' || (SELECT project_id FROM okr.task WHERE id = 45)
      UNION ALL SELECT 'objective 14 -> parent ' || (SELECT parent_id FROM okr.objective WHERE id = 14)$$,
    $$VALUES ('kr 25 -> objective 10'), ('checkin 53 -> kr 20'), ('project 37 -> kr 20'), ('task 45 -> project 31'), ('objective 14 -> parent 10')$$,
    'no foreign key changed by the rejected moves');

-- ===================================================================
-- updating rows that are already there is allowed
-- ===================================================================
SELECT lives_ok(
    $$UPDATE okr.task SET status = 'done' WHERE id = 41$$,
    'marking done a task under a closed objective is allowed');
SELECT lives_ok(
    $$UPDATE okr.task SET title = 'renamed' WHERE id = 44$$,
    'renaming a task under a cancelled objective is allowed');
SELECT lives_ok(
    $$UPDATE okr.task SET status = 'doing' WHERE id = 40$$,
    'changing the status of a task of a cancelled project is allowed');
SELECT lives_ok(
    $$UPDATE okr.task SET project_id = project_id, title = 'renamed too' WHERE id = 42$$,
    'an ORM-style UPDATE (foreign key written back unchanged) of a task under a cancelled key result is allowed');
SELECT lives_ok(
    $$UPDATE okr.project SET name = 'renamed' WHERE id = 33$$,
    'renaming a project under a closed objective is allowed');
SELECT lives_ok(
    $$UPDATE okr.key_result SET title = 'renamed', objective_id = objective_id WHERE id = 22$$,
    'renaming a key result of a closed objective is allowed');
SELECT lives_ok(
    $$UPDATE okr.checkin SET note = 'late note', key_result_id = key_result_id WHERE id = 50$$,
    'editing the note of a check-in under a closed objective is allowed');
SELECT lives_ok(
    $$UPDATE okr.objective SET title = 'renamed' WHERE id = 15$$,
    'renaming an objective aligned under a closed objective is allowed');
SELECT results_eq(
    $$SELECT id, status, title FROM okr.task WHERE id IN (40, 41, 42, 44) ORDER BY id$$,
    $$VALUES (40::bigint, 'doing'::text, 'task of cancelled project'::text), (41, 'done', 'task under closed objective'),
             (42, 'todo', 'renamed too'), (44, 'todo', 'renamed')$$,
    'the allowed updates are stored');

-- ===================================================================
-- more: multi-row, upserts, existing check-ins, moving out, re-opening
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (406, 31, 'fine'), (407, 30, 'under cancelled project')$$,
    '23O06', NULL, 'one INSERT of a valid task and one under a cancelled project -> 23O06');
SELECT is((SELECT count(*)::int FROM okr.task WHERE id IN (406, 407)), 0, 'no row of that INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (45, 30, 'x')
      ON CONFLICT (id) DO UPDATE SET project_id = EXCLUDED.project_id$$,
    '23O06', NULL, 'INSERT ... ON CONFLICT DO UPDATE moving a task under a cancelled project -> 23O06');
SELECT throws_ok(
    $$MERGE INTO okr.key_result k USING (VALUES (25::bigint)) AS v(id) ON k.id = v.id
      WHEN MATCHED THEN UPDATE SET objective_id = 11$$,
    '23O06', NULL, 'MERGE moving a key result under a closed objective -> 23O06');
SELECT lives_ok(
    $$UPDATE okr.checkin SET value = 15 WHERE id = 50$$,
    'correcting the value of an existing check-in under a closed objective is allowed');
SELECT is((SELECT current_value FROM okr.key_result WHERE id = 22), 15::numeric,
    'and current_value of its key result follows it');
SELECT lives_ok(
    $$DELETE FROM okr.checkin WHERE id = 52$$,
    'deleting a check-in of a cancelled key result is allowed');
SELECT lives_ok(
    $$UPDATE okr.task SET project_id = 31 WHERE id = 40$$,
    'moving a task out of a cancelled project to an active one is allowed');
SELECT lives_ok(
    $$UPDATE okr.key_result SET objective_id = 13 WHERE id = 25$$,
    'moving a key result (with nothing under it) to a draft objective is allowed');
SELECT lives_ok(
    $$UPDATE okr.objective SET state = 'active' WHERE id = 11$$,
    're-opening the closed objective 11');
SELECT lives_ok(
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (26, 11, 'after re-opening', 0, 1)$$,
    'a new key result under the re-opened objective is accepted');

-- project.is_open follows state whatever a client writes (it is what makes
-- cancelling a key update that waits for tasks arriving, README
-- "Concurrency"), so writing it cannot reopen a cancelled project.
SELECT is((SELECT is_open FROM okr.project WHERE id = 30), false, 'cancelled project 30: is_open is false');
SELECT lives_ok($$UPDATE okr.project SET is_open = true WHERE id = 30$$, 'writing is_open = true on the cancelled project 30 is accepted...');
SELECT throws_ok(
    $$INSERT INTO okr.task (project_id, title) VALUES (30, 'sneaked in')$$,
    '23O06', NULL, '... but it stays closed to new tasks (23O06)');
SELECT lives_ok($$INSERT INTO okr.project (id, key_result_id, name, is_open) OVERRIDING SYSTEM VALUE VALUES (390, 20, 'written closed', false)$$,
    'a new active project written with is_open = false');
SELECT is((SELECT is_open FROM okr.project WHERE id = 390), true, '... gets is_open = true from its state');

SELECT * FROM finish();
ROLLBACK;
