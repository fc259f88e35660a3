-- The past rollup takes a changed task's row now from its latest version in
-- okr.task_history (rollup.c, Q_TASK_VERSIONS_LATEST), except where that
-- version is not the row: in a transaction that wrote tasks (their versions
-- come at its commit) and once okr.task was truncated (the rows went, their
-- versions stayed).  Each case here gives a wrong figure if the exception
-- is dropped.
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'P', 'projects');
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'p');
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES
  (1, 'a', 1, 'todo', NULL), (1, 'b', 3, 'todo', NULL);
SELECT pg_sleep(0.01);
-- b done on 10-10, recorded now: at 10-20, 3 of 4 done (0.75)
UPDATE okr.task SET status = 'done', done_at = '2026-10-10' WHERE title = 'b';
SELECT activity FROM okr.progress('2026-10-20') WHERE item = 'project';
-- this transaction raises b's effort to 5 with its figures applied but its
-- history not yet written: at 10-20 b still counts as it was then (its
-- first version, effort 3), 0.75, in the transaction as after it (the
-- version before would make it 5 of 6)
BEGIN;
SET CONSTRAINTS okr.okr_90_maintain IMMEDIATE;
UPDATE okr.task SET effort = 5 WHERE title = 'b';
SELECT activity AS in_transaction FROM okr.progress('2026-10-20') WHERE item = 'project';
COMMIT;
SELECT activity AS after_commit FROM okr.progress('2026-10-20') WHERE item = 'project';
-- after TRUNCATE, the tasks are gone at every moment: no effort at all then
TRUNCATE okr.task;
SELECT activity AS truncated FROM okr.progress('2026-10-20') WHERE item = 'project';
SELECT table_name FROM okr.history_truncated;
-- new tasks after it count as ever (c: 4 of 4)
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES (1, 'c', 2, 'done', '2026-10-06');
UPDATE okr.task SET effort = 4 WHERE title = 'c';
SELECT activity AS after_truncate FROM okr.progress('2026-10-20') WHERE item = 'project';
