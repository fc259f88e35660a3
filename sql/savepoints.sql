-- Rule 4 and the effort sums after every combination of savepoints,
-- rollbacks and SET CONSTRAINTS (issue 11, item 6).  Each scenario is its
-- own transaction on its own key result and project: a check-in and a done
-- task first (notes pending), then every valid sequence of three more steps
-- from: a later check-in, deleting the latest check-in, finishing or
-- reopening a task, SAVEPOINT, ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT,
-- SET CONSTRAINTS okr.okr_90_maintain IMMEDIATE and DEFERRED; then COMMIT.
-- Afterwards every current_value must equal its latest check-in and every
-- effort sum its tasks.  The 1.0 reproducer (check-in, SAVEPOINT,
-- IMMEDIATE, ROLLBACK TO, COMMIT) is one of them.
SET TimeZone = 'UTC';
DROP EXTENSION okr;
CREATE EXTENSION okr;
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'savepoints' FROM okr.cycle;
CREATE TEMP TABLE steps (step text, depth_change int, sql text);
INSERT INTO steps VALUES
  ('checkin',   0, 'INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT k.id, (SELECT count(*) FROM okr.checkin c WHERE c.key_result_id = k.id) + 10, ''2026-03-01''::timestamptz + (SELECT count(*) FROM okr.checkin c WHERE c.key_result_id = k.id) * interval ''1 day'' FROM okr.key_result k WHERE k.title = %L'),
  ('delete',    0, 'DELETE FROM okr.checkin WHERE id = (SELECT c.id FROM okr.checkin c JOIN okr.key_result k ON k.id = c.key_result_id WHERE k.title = %L ORDER BY c.checked_at DESC, c.id DESC LIMIT 1)'),
  ('finish',    0, 'INSERT INTO okr.task (project_id, title, status, effort) SELECT p.id, ''t'', ''done'', 2 FROM okr.project p WHERE p.name = %L'),
  ('reopen',    0, 'UPDATE okr.task SET status = ''todo'' WHERE id = (SELECT max(t.id) FROM okr.task t JOIN okr.project p ON p.id = t.project_id WHERE p.name = %L AND t.status = ''done'')'),
  ('savepoint', 1, 'SAVEPOINT s'),
  ('rollback', -1, 'ROLLBACK TO SAVEPOINT s'),
  ('release',  -1, 'RELEASE SAVEPOINT s'),
  ('immediate', 0, 'SET CONSTRAINTS okr.okr_90_maintain IMMEDIATE'),
  ('deferred',  0, 'SET CONSTRAINTS okr.okr_90_maintain DEFERRED');
-- every valid sequence of three steps (ROLLBACK TO and RELEASE need an open
-- savepoint; ROLLBACK TO keeps it open, as in SQL)
CREATE TEMP TABLE scenarios AS
WITH RECURSIVE seq (steps, depth) AS (
    SELECT ARRAY[]::text[], 0
    UNION ALL
    SELECT q.steps || s.step,
           q.depth + CASE s.step WHEN 'rollback' THEN 0 ELSE s.depth_change END
      FROM seq q JOIN steps s ON q.depth + s.depth_change >= 0
     WHERE pg_catalog.cardinality(q.steps) < 3
)
SELECT row_number() OVER (ORDER BY steps) AS n, steps FROM seq WHERE pg_catalog.cardinality(steps) = 3;
SELECT count(*) AS scenarios FROM scenarios;
SELECT n FROM scenarios WHERE steps = ARRAY['savepoint', 'immediate', 'rollback'];  -- the 1.0 reproducer
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
SELECT o.id, 'kr ' || s.n, 0, 100 FROM okr.objective o, scenarios s;
INSERT INTO okr.project (key_result_id, name)
SELECT k.id, 'p ' || substr(k.title, 4) FROM okr.key_result k;
-- a check-in and a task before each scenario, so there is something to delete and reopen
INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT id, 1, '2026-02-01' FROM okr.key_result;
INSERT INTO okr.task (project_id, title, status, effort) SELECT id, 'before', 'done', 1 FROM okr.project;
\set QUIET on
\set ECHO none
SELECT stmt FROM (
    SELECT s.n, 0 AS i, 'BEGIN' AS stmt FROM scenarios s
    UNION ALL SELECT s.n, 1, format(st.sql, 'kr ' || s.n) FROM scenarios s, steps st WHERE st.step = 'checkin'
    UNION ALL SELECT s.n, 2, format(st.sql, 'p ' || s.n) FROM scenarios s, steps st WHERE st.step = 'finish'
    UNION ALL
    SELECT s.n, 2 + u.i, format(st.sql, CASE WHEN st.step IN ('finish', 'reopen') THEN 'p ' ELSE 'kr ' END || s.n)
      FROM scenarios s CROSS JOIN LATERAL unnest(s.steps) WITH ORDINALITY u (step, i)
      JOIN steps st ON st.step = u.step
    UNION ALL SELECT s.n, 9, 'COMMIT' FROM scenarios s
) x ORDER BY n, i \gexec
\set ECHO all
\set QUIET off
-- rule 4: current_value is the latest check-in (latest checked_at, then id)
SELECT count(*) AS key_results_checked,
       count(*) FILTER (WHERE k.current_value IS DISTINCT FROM l.value
                           OR k.last_checkin_at IS DISTINCT FROM l.checked_at) AS stale
  FROM okr.key_result k
  LEFT JOIN LATERAL (SELECT c.value, c.checked_at FROM okr.checkin c WHERE c.key_result_id = k.id
                      ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) l ON true;
-- the effort sums equal the tasks
SELECT count(*) AS projects_checked,
       count(*) FILTER (WHERE e.effort_total IS DISTINCT FROM t.total
                           OR e.effort_done IS DISTINCT FROM t.done) AS wrong_sums
  FROM okr.project p
  JOIN okr.project_effort e ON e.project_id = p.id
  CROSS JOIN LATERAL (SELECT coalesce(sum(effort::numeric) FILTER (WHERE status <> 'cancelled'), 0) AS total,
                             coalesce(sum(effort::numeric) FILTER (WHERE status = 'done'), 0) AS done
                        FROM okr.task WHERE project_id = p.id) t;
-- the 1.0 reproducer: its current_value is its second check-in (11), not the first
SELECT k.current_value FROM okr.key_result k JOIN scenarios s ON k.title = 'kr ' || s.n
 WHERE s.steps = ARRAY['savepoint', 'immediate', 'rollback'];
DROP EXTENSION okr;
CREATE EXTENSION okr;
