-- The link rules hold for COPY and TRUNCATE too, not only INSERT/UPDATE.
SET TimeZone = 'UTC';
\set VERBOSITY sqlstate
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q1', '2026-01-01', '2026-03-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (1, 'K', 0, 100);
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'P');
-- rows in any order: the back-dated one does not win
COPY okr.checkin (key_result_id, value, checked_at) FROM stdin;
1	10	2026-01-10
1	40	2026-03-01
1	20	2026-02-01
\.
SELECT current_value FROM okr.key_result;
-- one bad row rejects the whole COPY (rule 5): nothing half-written
COPY okr.checkin (key_result_id, value, checked_at) FROM stdin;
1	50	2026-03-15
1	60	2026-04-01
\.
SELECT count(*) AS checkins, max(value) FROM okr.checkin;
SELECT current_value FROM okr.key_result;
-- rule 7 through COPY: a done task without done_at gets now()
COPY okr.task (project_id, title, status) FROM stdin;
1	a	done
1	b	todo
\.
SELECT title, status, done_at BETWEEN now() - interval '5 minutes' AND now() AS done_recently, done_at IS NULL AS no_done_at FROM okr.task ORDER BY id;
-- a cycle in one multi-row COPY with explicit ids (as a restore would) is caught
COPY okr.team (id, name, parent_id) FROM stdin;
100	A	101
101	B	100
\.
SELECT count(*) AS teams FROM okr.team;
-- TRUNCATE fires no row trigger; current_value must still follow
TRUNCATE okr.checkin;
SELECT current_value FROM okr.key_result;
-- A bulk load with triggers off leaves the maintained columns behind;
-- okr.refresh_maintained() derives them as the triggers would have, and a
-- second call finds nothing to correct.
SET session_replication_role = replica;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 25, '2026-02-01'), (1, 75, '2026-03-20');
INSERT INTO okr.task (project_id, title, status, effort, done_at) VALUES (1, 'bulk', 'done', 2.5, '2026-03-01');
RESET session_replication_role;
SELECT current_value, last_checkin_at, current_progress FROM okr.key_result;
SELECT project_id, effort_total, effort_done FROM okr.project_effort;
SELECT okr.refresh_maintained() AS corrected;
SELECT current_value, last_checkin_at, current_progress FROM okr.key_result;
SELECT project_id, effort_total, effort_done, effort_total_float, effort_done_float FROM okr.project_effort;
SELECT okr.refresh_maintained() AS corrected_again;
-- the maintained columns refuse or replace direct writes
UPDATE okr.project_effort SET effort_done = 100;
DELETE FROM okr.project_effort;
UPDATE okr.key_result SET last_checkin_at = now();
-- Commit-time maintenance (README, "Concurrency").  A transaction that
-- wrote check-ins must apply them before it truncates the table, as with
-- any deferred trigger (55006), and SET CONSTRAINTS ... IMMEDIATE does
-- (okr_95_history too: it writes the history of those check-ins).
BEGIN;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 90, '2026-03-25');
SELECT current_value FROM okr.key_result;   -- still 75 inside the transaction
SAVEPOINT s;
TRUNCATE okr.checkin;
ROLLBACK TO SAVEPOINT s;
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SELECT current_value FROM okr.key_result;   -- 90: applied
TRUNCATE okr.checkin;
COMMIT;
SELECT current_value, last_checkin_at FROM okr.key_result;
-- With okr_90_maintain disabled and the other triggers on, a commit that
-- would leave the figures behind fails (55000) and takes its rows with it.
ALTER TABLE okr.checkin DISABLE TRIGGER okr_90_maintain;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 40, '2026-03-26');
ALTER TABLE okr.checkin ENABLE TRIGGER okr_90_maintain;
SELECT count(*) AS checkins, (SELECT current_value FROM okr.key_result) FROM okr.checkin;
