-- okr.effort_ledger (SPEC 7, doc/history.md): the effort of done tasks by
-- the moment each was done, appended at commit.  Its rows with done_at > T
-- must sum, per project, to the effort of the tasks now done after T, for
-- every T: checked here (pg_temp.ledger_off lists every (project, done_at)
-- where they do not) after each kind of write, through savepoints, a
-- flush inside a savepoint, TRUNCATE and a bulk load that okr did not see.
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
CREATE FUNCTION pg_temp.ledger_off() RETURNS TABLE (project_id bigint, done_at timestamptz, ledger numeric, tasks numeric)
LANGUAGE sql AS $$
  WITH l AS (SELECT project_id, done_at, sum(effort::numeric) AS s FROM okr.effort_ledger GROUP BY 1, 2),
       t AS (SELECT project_id, done_at, sum(effort::numeric) AS s FROM okr.task WHERE status = 'done' GROUP BY 1, 2)
  SELECT COALESCE(l.project_id, t.project_id), COALESCE(l.done_at, t.done_at), l.s, t.s
    FROM l FULL JOIN t ON t.project_id = l.project_id AND t.done_at = l.done_at
   WHERE COALESCE(l.s, 0) <> COALESCE(t.s, 0) ORDER BY 1, 2 $$;
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'P', 'projects');
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'a'), (1, 'b');
-- inserts: one row per done task, none for the others
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES
  (1, 't1', 1, 'done', '2026-11-01'), (1, 't2', 2.5, 'done', '2026-11-02'),
  (1, 't3', 4, 'todo', NULL), (2, 't4', 0.1, 'done', '2026-11-03'), (2, 't5', 8, 'cancelled', NULL);
SELECT project_id, done_at, effort FROM okr.effort_ledger ORDER BY 1, 2, 3;
-- reopen, complete, change the effort or done_at of a done task, move one,
-- cancel one, delete one, change only a title (no row)
UPDATE okr.task SET status = 'todo', done_at = NULL WHERE title = 't1';
UPDATE okr.task SET status = 'done', done_at = '2026-11-04' WHERE title = 't3';
UPDATE okr.task SET effort = 3 WHERE title = 't2';
UPDATE okr.task SET done_at = '2026-11-05' WHERE title = 't4';
UPDATE okr.task SET project_id = 2 WHERE title = 't3';
UPDATE okr.task SET title = 't2 renamed' WHERE title = 't2';
UPDATE okr.task SET status = 'cancelled', done_at = NULL WHERE title = 't4';
DELETE FROM okr.task WHERE title = 't2 renamed';
SELECT project_id, done_at, effort FROM okr.effort_ledger ORDER BY 1, 2, 3;
SELECT * FROM pg_temp.ledger_off();
-- a savepoint rolled back takes its rows with it; one flushed inside a
-- savepoint (SET CONSTRAINTS ... IMMEDIATE) and rolled back is written again
-- at commit
BEGIN;
UPDATE okr.task SET status = 'done', done_at = '2026-11-06' WHERE title = 't1';
SAVEPOINT s1;
UPDATE okr.task SET effort = 7 WHERE title = 't1';
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
SET CONSTRAINTS okr.okr_90_maintain IMMEDIATE;
SELECT count(*) AS ledger_rows_flushed FROM okr.effort_ledger;
ROLLBACK TO SAVEPOINT s2;
SELECT count(*) AS ledger_rows_after_rollback FROM okr.effort_ledger;
COMMIT;
SELECT project_id, done_at, effort FROM okr.effort_ledger WHERE done_at = '2026-11-06';
SELECT * FROM pg_temp.ledger_off();
-- TRUNCATE empties it (in a transaction that wrote tasks, once their
-- figures are applied: 55006 otherwise); tasks added after it come in
BEGIN;
UPDATE okr.task SET effort = 2 WHERE title = 't1';
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
TRUNCATE okr.task;
SELECT count(*) AS ledger_rows_after_truncate FROM okr.effort_ledger;
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES
  (1, 'u1', 5, 'done', '2026-11-07'), (2, 'u2', 6, 'done', '2026-11-08');
COMMIT;
SELECT project_id, done_at, effort FROM okr.effort_ledger ORDER BY 1, 2, 3;
SELECT * FROM pg_temp.ledger_off();
-- only okr writes it (428C9), whoever asks
\set VERBOSITY sqlstate
INSERT INTO okr.effort_ledger VALUES (1, now(), 1);
UPDATE okr.effort_ledger SET effort = 2;
DELETE FROM okr.effort_ledger;
TRUNCATE okr.effort_ledger;
\set VERBOSITY default
-- a task finished and reopened over and over leaves rows that cancel out;
-- okr.refresh_maintained() folds them (nothing to correct) ...
UPDATE okr.task SET status = 'todo', done_at = NULL WHERE title = 'u1';
UPDATE okr.task SET status = 'done', done_at = '2026-11-07' WHERE title = 'u1';
UPDATE okr.task SET status = 'todo', done_at = NULL WHERE title = 'u1';
UPDATE okr.task SET status = 'done', done_at = '2026-11-07' WHERE title = 'u1';
SELECT count(*) AS ledger_rows FROM okr.effort_ledger;
SELECT okr.refresh_maintained() AS corrected;
SELECT project_id, done_at, effort FROM okr.effort_ledger ORDER BY 1, 2, 3;
-- ... and corrects a ledger that lost or gained rows (a bulk load with okr's
-- triggers off), counting the (project, done_at) it corrected
SET session_replication_role = replica;
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES (1, 'bulk', 1.5, 'done', '2026-11-09');
INSERT INTO okr.effort_ledger VALUES (2, '2026-11-01', 4);
RESET session_replication_role;
SELECT * FROM pg_temp.ledger_off();
SELECT okr.refresh_maintained() AS corrected;
SELECT * FROM pg_temp.ledger_off();
SELECT okr.refresh_maintained() AS corrected_again;
