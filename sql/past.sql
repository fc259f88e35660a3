-- The past as it was (SPEC 7): okr.progress(T) on the organisation of T,
-- okr.progress(T, known_at => K) on what had been recorded by K, hand-
-- computed; a saved dashboard equals progress(T, known_at => T) exactly;
-- deletes are corrections; first versions reach back; closed scores stay;
-- okr.audit; the horizon.  Each statement commits (history is written at
-- commit), and moments are taken between them with clock_timestamp().
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES (1, 'K', 'metric', 0, 10);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'P', 'projects');
INSERT INTO okr.project (key_result_id, name) VALUES (2, 'proj');
INSERT INTO okr.task (project_id, title, effort) VALUES (1, 't1', 1), (1, 't2', 3);
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 5, '2026-11-01');
UPDATE okr.task SET status = 'done', done_at = '2026-11-02' WHERE id = 1;
-- a dashboard at k1
SELECT pg_sleep(0.01);
CREATE TABLE saved AS SELECT pg_catalog.now() AS t, f.* FROM okr.progress() f;
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k1 \gset
SELECT pg_sleep(0.01);
-- then: re-targeted, reopened, a late completion, a back-dated check-in,
-- the first check-in deleted as a mistake
UPDATE okr.key_result SET target_value = 20 WHERE id = 1;
UPDATE okr.task SET status = 'todo', done_at = NULL WHERE id = 1;
UPDATE okr.task SET status = 'done', done_at = '2026-11-03' WHERE id = 2;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 8, '2026-11-01 12:00');
DELETE FROM okr.checkin WHERE id = 1;
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k2 \gset

-- Now: K 8 of 20 = 0.4; P: t2 done, 3 of 4 = 0.75; O (0.4 + 0.75) / 2 = 0.575
SELECT item, id, progress, activity FROM okr.progress() ORDER BY item, id;
-- The saved dashboard, exactly: 0 rows differ
SELECT count(*) AS differing FROM (
  (SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status FROM saved
   EXCEPT ALL
   SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status
     FROM okr.progress((SELECT t FROM saved LIMIT 1), known_at => (SELECT t FROM saved LIMIT 1)))
  UNION ALL
  (SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status
     FROM okr.progress((SELECT t FROM saved LIMIT 1), known_at => (SELECT t FROM saved LIMIT 1))
   EXCEPT ALL
   SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status FROM saved)) d;
-- ... which showed K 5 of 10 = 0.5, P 1 of 4 = 0.25, O 0.375
SELECT item, id, progress, activity FROM saved ORDER BY item, id;
-- A session pinned to k1 as known at k1 (SPEC 8) reads the views as the
-- dashboard showed them then: O 0.375, K 0.5; unpinned, as now
SELECT set_config('okr.as_of', :'k1', false) IS NOT NULL AS pinned,
       set_config('okr.known_at', :'k1', false) IS NOT NULL AS known;
SELECT title, progress, activity FROM okr.objective_report ORDER BY objective_id;
SELECT title, progress FROM okr.key_result_report ORDER BY key_result_id;
SELECT item, id, progress FROM okr.progress() WHERE item = 'objective';
RESET okr.as_of;
RESET okr.known_at;
SELECT title, progress FROM okr.objective_report ORDER BY objective_id;
-- As of 2026-11-15 as known at k1: the same figures (nothing then was dated later)
SELECT item, id, progress, activity FROM okr.progress('2026-11-15', :'k1') ORDER BY item, id;
-- As of 2026-11-15 as known now: the target of then (10, first version
-- reaching back), the check-in of 8 (the 5 was deleted: it never was),
-- t1 done on 11-02 (reopened later: still done then), t2's completion
-- recorded later but dated 11-03: K 0.8, P 4 of 4 = 1, O 0.9
SELECT item, id, progress, activity FROM okr.progress('2026-11-15') ORDER BY item, id;
-- As of 2026-11-02 12:00: t2 not done yet: P 1 of 4; O (0.8 + 0.25) / 2 = 0.525
SELECT item, id, progress, activity FROM okr.progress('2026-11-02 12:00') ORDER BY item, id;
-- As of k1 as known now: target 10 then, 8 since 11-01 12:00: K 0.8; P 1: O 0.9
SELECT item, id, progress FROM okr.progress(:'k1') WHERE item = 'objective';
-- As of k2, now: the same as now, through the history
SELECT item, id, progress FROM okr.progress(:'k2', :'k2') WHERE item = 'objective';
SELECT okr.objective_progress(1, :'k1', :'k1') AS at_k1, okr.objective_progress(1, '2026-11-15') AS nov15,
       okr.objective_progress(1) AS now;
-- progress_history follows the structure as it was: each of its moments
-- equals okr.progress then (the re-target and the reopening moved it)
SELECT count(*) AS rows, count(*) FILTER (WHERE h.progress IS DISTINCT FROM p.progress
                                          OR h.status IS DISTINCT FROM p.status) AS differing
  FROM okr.progress_history('2026-11-01', '2026-11-29', '7 days') h
  LEFT JOIN LATERAL okr.progress(h.as_of) p ON p.item = h.item AND p.id = h.id;
SELECT as_of::date, progress FROM okr.progress_history('2026-11-01', '2026-11-29', '7 days', 1)
 WHERE item = 'objective' ORDER BY as_of;
-- Before anything was recorded nothing existed as known then; a deleted
-- objective never existed as known now, but did as known before it went
SELECT count(*) FROM okr.progress('2026-01-01', '2026-01-01');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'Gone');
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k3 \gset
SELECT pg_sleep(0.01);
DELETE FROM okr.objective WHERE title = 'Gone';
SELECT count(*) AS objectives_now FROM okr.progress('2026-11-15') WHERE item = 'objective';
SELECT count(*) AS objectives_known_k3 FROM okr.progress('2026-11-15', :'k3') WHERE item = 'objective';
-- A cancelled project: active as of before its cancellation was recorded
INSERT INTO okr.project (key_result_id, name) VALUES (2, 'billboard');
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES (2, 'b1', 1, 'done', '2026-11-05');
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k4 \gset
SELECT pg_sleep(0.01);
UPDATE okr.project SET state = 'cancelled' WHERE name = 'billboard';
-- now: P counts only proj (0.75); as of k4: (0.75 + 1) / 2 = 0.875
SELECT id, progress, status FROM okr.progress() WHERE item = 'key_result' AND id = 2;
SELECT id, progress, status FROM okr.progress(:'k4') WHERE item = 'key_result' AND id = 2;
SELECT id, status FROM okr.progress(:'k4') WHERE item = 'project' ORDER BY id;
SELECT id, status FROM okr.progress() WHERE item = 'project' ORDER BY id;
-- who cancelled it, and when
SELECT item, id, action, actor = session_user AS by_me, at > :'k4' AS after_k4, changed
  FROM okr.audit WHERE item = 'project' AND action = 'update';
SELECT item, action, changed FROM okr.audit WHERE item = 'key_result' AND action = 'update';
SELECT item, action, changed->>'value' AS value FROM okr.audit WHERE item = 'checkin' ORDER BY at, id;
-- okr.audit is read under the rows' visibility (SPEC 9): a reader scoped to
-- team A does not see the history of team B's private objective and its
-- key result, nor of a private objective deleted since
INSERT INTO okr.team (name) VALUES ('A'), ('B');
INSERT INTO okr.objective (cycle_id, team_id, title, private) VALUES
  (1, (SELECT id FROM okr.team WHERE name = 'A'), 'A open', false),
  (1, (SELECT id FROM okr.team WHERE name = 'B'), 'B secret', true),
  (1, (SELECT id FROM okr.team WHERE name = 'B'), 'B secret gone', true);
INSERT INTO okr.key_result (objective_id, title, kind)
  SELECT id, 'B secret KR', 'milestone' FROM okr.objective WHERE title = 'B secret';
DELETE FROM okr.objective WHERE title = 'B secret gone';
CREATE ROLE okr_past_reader;
SELECT okr.grant_read('okr_past_reader', (SELECT id FROM okr.team WHERE name = 'A'));
SET ROLE okr_past_reader;
SELECT item, changed->>'title' AS title, action FROM okr.audit
 WHERE changed->>'title' LIKE 'A open%' OR changed->>'title' LIKE 'B secret%' ORDER BY 2, 3;
SELECT count(*) AS secret_versions FROM okr.objective_history WHERE title LIKE 'B secret%';
RESET ROLE;
SELECT item, changed->>'title' AS title, action FROM okr.audit
 WHERE changed->>'title' LIKE 'A open%' OR changed->>'title' LIKE 'B secret%' ORDER BY 2, 3;
SELECT okr.revoke_access('okr_past_reader');
DROP ROLE okr_past_reader;
-- one moment per transaction, and its versions in order
BEGIN;
UPDATE okr.objective SET title = 'O1' WHERE id = 1;
UPDATE okr.objective SET title = 'O2' WHERE id = 1;
COMMIT;
SELECT count(DISTINCT recorded_at) AS moments, array_agg(title ORDER BY hid) AS titles
  FROM okr.objective_history WHERE id = 1 AND action = 'update';
-- an UPDATE that changes nothing kept, or only maintained columns, is no version
UPDATE okr.objective SET title = title WHERE id = 1;
SELECT count(*) FROM okr.objective_history WHERE id = 1;
SELECT count(*) FROM okr.key_result_history WHERE id = 1;
-- a rolled-back transaction leaves no history
BEGIN;
UPDATE okr.key_result SET target_value = 30 WHERE id = 1;
ROLLBACK;
SELECT count(*) FROM okr.key_result_history WHERE id = 1;
-- writers cannot write history
CREATE ROLE okr_past_writer;
SELECT okr.grant_write('okr_past_writer');
SET ROLE okr_past_writer;
INSERT INTO okr.objective_history (hid, recorded_at, actor, action, id) VALUES (0, now(), 'x', 'insert', 1);
SELECT count(*) > 0 AS reads_audit FROM okr.audit;
RESET ROLE;
-- Closed scores stay closed: a score of 0.6, closed; deleting its check-in
-- later (a correction: as known now it never was) does not rewrite it;
-- reopened and closed again, it does
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q1', '2026-01-01', '2026-03-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (2, 'Closed');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
  SELECT id, 'KC', 'metric', 0, 10 FROM okr.objective WHERE title = 'Closed';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
  SELECT id, 6, '2026-02-01' FROM okr.key_result WHERE title = 'KC';
UPDATE okr.objective SET state = 'closed' WHERE title = 'Closed';
SELECT okr.objective_score(id) FROM okr.objective WHERE title = 'Closed';
DELETE FROM okr.checkin WHERE value = 6;
SELECT okr.objective_score(id) AS frozen, okr.objective_progress(id, okr.cycle_end(cycle_id)) AS as_known_now
  FROM okr.objective WHERE title = 'Closed';
UPDATE okr.objective SET state = 'active' WHERE title = 'Closed';
UPDATE okr.objective SET state = 'closed' WHERE title = 'Closed';
SELECT okr.objective_score(id) FROM okr.objective WHERE title = 'Closed';
-- The horizon: a known_at before the start of history is an error
INSERT INTO okr.history_horizon (horizon, reason) VALUES ('2026-06-01', 'a test');
\set VERBOSITY sqlstate
SELECT count(*) FROM okr.progress('2026-11-15', '2026-05-31');
SELECT count(*) FROM okr.progress('2026-11-15', 'infinity');
\set VERBOSITY default
SELECT count(*) FROM okr.progress('2026-05-01', '2026-06-01');
DELETE FROM okr.history_horizon;
-- Forgetting: the versions before a moment go but those in force then, the
-- figures from then on stay, closed scores stay, earlier moments are errors
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k6 \gset
SELECT pg_sleep(0.01);
UPDATE okr.key_result SET target_value = 16 WHERE id = 1;
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k7 \gset
CREATE TABLE before_forget AS
SELECT 'k6' AS at, f.* FROM okr.progress(:'k6') f UNION ALL SELECT 'k6/k6', f.* FROM okr.progress(:'k6', :'k6') f
 UNION ALL SELECT 'k7', f.* FROM okr.progress(:'k7') f UNION ALL SELECT 'k7/k7', f.* FROM okr.progress(:'k7', :'k7') f;
SELECT okr.objective_score(id) AS closed_score FROM okr.objective WHERE title = 'Closed';
SELECT okr.forget_history(:'k6') > 0 AS removed_some;
SELECT item, count(*) FILTER (WHERE at < :'k6') = count(DISTINCT id) FILTER (WHERE at < :'k6') AS one_version_before,
       bool_and(action <> 'delete') FILTER (WHERE at < :'k6') AS no_deleted_row_before
  FROM okr.audit GROUP BY item ORDER BY item;
CREATE TABLE after_forget AS
SELECT 'k6' AS at, f.* FROM okr.progress(:'k6') f UNION ALL SELECT 'k6/k6', f.* FROM okr.progress(:'k6', :'k6') f
 UNION ALL SELECT 'k7', f.* FROM okr.progress(:'k7') f UNION ALL SELECT 'k7/k7', f.* FROM okr.progress(:'k7', :'k7') f;
SELECT (SELECT count(*) FROM after_forget) AS rows_after,
       (SELECT count(*) FROM (SELECT * FROM before_forget EXCEPT ALL SELECT * FROM after_forget) a)
     + (SELECT count(*) FROM (SELECT * FROM after_forget EXCEPT ALL SELECT * FROM before_forget) b) AS differing;
-- as of k6 K was still on 20: 8 / 20 = 0.4
SELECT at, progress FROM after_forget WHERE item = 'key_result' AND id = 1 ORDER BY at;
-- (without the kept score this would be an error: its closing is before the horizon now)
SELECT okr.objective_score(id) AS closed_score_kept, (SELECT count(*) FROM okr.frozen_score) AS frozen
  FROM okr.objective WHERE title = 'Closed';
-- K on 16: 8 / 16 = 0.5
SELECT progress FROM okr.progress() WHERE item = 'key_result' AND id = 1;
\set VERBOSITY sqlstate
SELECT count(*) FROM okr.progress('2026-11-15');
SELECT count(*) FROM okr.progress(now(), '2026-11-15');
SELECT okr.forget_history(now() + interval '1 day');
SELECT okr.forget_history(NULL);
\set VERBOSITY default
SELECT okr.forget_history('2026-01-01') AS already_forgotten;
DELETE FROM okr.history_horizon;
DROP TABLE before_forget, after_forget;
TRUNCATE okr.frozen_score;
DROP TABLE saved;
DROP OWNED BY okr_past_writer;
DROP ROLE okr_past_writer;
