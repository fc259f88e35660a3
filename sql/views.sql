-- Reporting views (SPEC 4): catalog properties, then the figures of a small
-- hand-computed organisation.  The views report as of now(), so the example
-- lives in periods whose figures do not depend on the day the test runs: 2020
-- (ended: expected 1, scores and grades final), 2099 (not started), and one
-- period around today, of which only time-independent columns are shown.
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';

-- The six views, all security_invoker.
SELECT c.relname, c.reloptions
  FROM pg_class c
 WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v'
 ORDER BY c.relname;

-- Every view and every column has a comment.
SELECT c.relname AS view_without_comment
  FROM pg_class c
 WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v'
   AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT c.relname, a.attname AS column_without_comment
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v'
   AND col_description(c.oid, a.attnum) IS NULL;

-- Only plain SQL types, so BI tools can read every column.
SELECT DISTINCT format_type(a.atttypid, a.atttypmod) AS column_type
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v'
 ORDER BY 1;

-- The columns, in order.
SELECT c.relname, string_agg(a.attname, ', ' ORDER BY a.attnum) AS columns
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v'
 GROUP BY c.relname ORDER BY c.relname;

-- Every function and operator the views use lives in pg_catalog (pinned, so
-- not listed in pg_depend) or in okr: nothing on a search_path was captured
-- when the install script created them.
SELECT DISTINCT d.refclassid::regclass AS kind,
       coalesce(p.pronamespace, o.oprnamespace)::regnamespace AS schema
  FROM pg_rewrite r
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
  LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
  LEFT JOIN pg_operator o ON d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid
 WHERE r.ev_class IN (SELECT oid FROM pg_class WHERE relnamespace = 'okr'::regnamespace AND relkind = 'v')
   AND d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass)
 ORDER BY 1, 2;

-- Empty organisation: no rows, no errors.
SELECT (SELECT count(*) FROM okr.objective_report) AS objectives,
       (SELECT count(*) FROM okr.key_result_report) AS key_results,
       (SELECT count(*) FROM okr.project_report) AS projects,
       (SELECT count(*) FROM okr.team_report) AS teams,
       (SELECT count(*) FROM okr.cycle_report) AS cycles,
       (SELECT count(*) FROM okr.alignment) AS alignment;

------------------------------------------------------------------------------
-- A small organisation.
--
-- 2020 (ended, expected 1):
--   1 Grow (Org, committed, no key results)          children 2 and 3 -> (0.5 + 0.75) / 2 = 0.625, red
--     2 Sell more (Team A, committed)                 KR 1 metric 0->100 at 120 -> 1 (attainment 1.2)
--                                                     KR 2 at_least 10 at 5 -> 0          -> 0.5, red
--                                                     project 1 under KR 2: effort 3 done of 4
--                                                     (1 todo overdue, 2 cancelled)    -> activity 0.75
--     3 Build (Team B, aspirational)                  KR 3 metric 100->0 at 25 -> 0.75
--                                                     KR 4 cancelled (left out)           -> 0.75, green
--                                                     project 2 under KR 3: done, no tasks -> progress 1
--     4 Old idea (Team B, cancelled), 5 Maybe (Team A, draft): left out of Grow
-- 2099 (not started): 6 Later (Team A), KR 5 metric 0->10, no check-in
-- Now (today - 30 .. today + 30): 7 Current (no team)
--     KR 6 metric 0->10 at 5, checked in 20 days ago     -> stale
--     KR 7 metric 0->10 at 2, yesterday (9 dated tomorrow does not count yet)
--     KR 8 milestone, never checked in, period began 30 days ago -> stale
--     KR 9 projects, no projects (takes no check-ins: never stale)
------------------------------------------------------------------------------
INSERT INTO okr.team (name) VALUES ('Org');
INSERT INTO okr.team (name, parent_id) VALUES ('Team A', 1), ('Team B', 1);
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES
  ('2020', '2020-01-01', '2020-12-31'),
  ('2099', '2099-01-01', '2099-12-31'),
  ('Now', current_date - 30, current_date + 30);
INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, owner, kind, state) VALUES
  (1, NULL, 1, 'Grow', 'CEO', 'committed', 'active'),
  (1, 1, 2, 'Sell more', 'Ann', 'committed', 'active'),
  (1, 1, 3, 'Build', 'Bob', 'aspirational', 'active'),
  (1, 1, 3, 'Old idea', 'Bob', 'committed', 'cancelled'),
  (1, 1, 2, 'Maybe', 'Ann', 'committed', 'draft'),
  (2, NULL, 2, 'Later', 'Ann', 'committed', 'active'),
  (3, NULL, NULL, 'Current', 'Cy', 'committed', 'active');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, unit) VALUES
  (2, 'Revenue', 'metric', 0, 100, 'k$'),
  (2, 'Deals', 'at_least', NULL, 10, 'deals'),
  (3, 'Bugs', 'metric', 100, 0, 'bugs'),
  (3, 'Dropped', 'metric', 0, 1, NULL),
  (6, 'Later', 'metric', 0, 10, NULL),
  (7, 'Stale metric', 'metric', 0, 10, NULL),
  (7, 'Fresh metric', 'metric', 0, 10, NULL),
  (7, 'Silent milestone', 'milestone', 0, 1, NULL);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (7, 'Roadmap', 'projects');
-- Cancelled now, after the 2020 cycle ended: the scores (progress at the
-- end of 2020, the organisation as it was then, SPEC 7) still count it.
UPDATE okr.key_result SET state = 'cancelled' WHERE id = 4;
INSERT INTO okr.checkin (key_result_id, value, confidence, checked_at) VALUES
  (1, 40, 0.5, '2020-03-01 12:00+00'),
  (1, 120, 0.9, '2020-06-01 12:00+00'),
  (2, 5, 0.3, '2020-06-01 12:00+00'),
  (3, 25, 0.8, '2020-06-01 12:00+00'),
  (6, 5, 0.6, now() - interval '20 days'),
  (7, 2, 0.7, now() - interval '1 day');
-- a check-in dated tomorrow, as 1.0 accepted them (1.1 refuses new ones,
-- rule 5; those already there stay): loaded with triggers off, then
-- maintained as 1.0 did
SET session_replication_role = replica;
INSERT INTO okr.checkin (key_result_id, value, confidence, checked_at) VALUES (7, 9, 0.9, now() + interval '1 day');
RESET session_replication_role;
SELECT okr.refresh_maintained() AS corrected;
INSERT INTO okr.project (key_result_id, name, state) VALUES
  (2, 'Outreach', 'active'),
  (3, 'Bug bash', 'done');
INSERT INTO okr.task (project_id, title, status, effort, due_on, done_at) VALUES
  (1, 'Call list', 'done', 3, NULL, '2020-02-01 12:00+00'),
  (1, 'Follow-ups', 'todo', 1, '2020-05-01', NULL),
  (1, 'Fair booth', 'cancelled', 2, NULL, NULL);

SELECT objective_id AS id, title, cycle_name, team_name, team_path, parent_title,
       depth, path, kind, state,
       round(progress::numeric, 4) AS progress,
       round(expected::numeric, 4) AS expected,
       status,
       round(activity::numeric, 4) AS activity,
       round(outcome_gap::numeric, 4) AS outcome_gap,
       key_results, child_objectives, cycle_ended,
       round(score::numeric, 4) AS score, grade
  FROM okr.objective_report
 WHERE cycle_name <> 'Now'
 ORDER BY objective_id;
SELECT objective_id AS id, title, team_id, team_path, round(progress::numeric, 4) AS progress,
       activity, key_results, cycle_ended, score, grade
  FROM okr.objective_report WHERE cycle_name = 'Now';

SELECT key_result_id AS id, title, objective_title, team_name, kind, state,
       start_value, target_value, current_value, unit,
       round(progress::numeric, 4) AS progress,
       round(attainment::numeric, 4) AS attainment,
       round(expected::numeric, 4) AS expected,
       status, confidence, last_checkin_at, stale, projects,
       round(activity::numeric, 4) AS activity,
       round(outcome_gap::numeric, 4) AS outcome_gap
  FROM okr.key_result_report
 WHERE cycle_name <> 'Now'
 ORDER BY key_result_id;
-- the running period: staleness and days since the last check-in
SELECT key_result_id AS id, title, kind, current_value, round(progress::numeric, 4) AS progress,
       confidence, days_since_checkin, stale
  FROM okr.key_result_report WHERE cycle_name = 'Now' ORDER BY key_result_id;
SELECT k.current_value AS table_current_value, r.current_value AS value_now
  FROM okr.key_result k JOIN okr.key_result_report r ON r.key_result_id = k.id
 WHERE k.id = 7;
-- okr.stale_after decides: with 25 days, 20 days without a check-in is fine
SET okr.stale_after = '25d';
SELECT key_result_id AS id, stale FROM okr.key_result_report WHERE cycle_name = 'Now' ORDER BY 1;
RESET okr.stale_after;

SELECT project_id AS id, name, state, key_result_title, objective_title, team_name, cycle_name,
       round(progress::numeric, 4) AS progress,
       round(activity::numeric, 4) AS activity,
       round(expected::numeric, 4) AS expected,
       status, tasks, tasks_todo, tasks_doing, tasks_done, tasks_cancelled, tasks_overdue,
       effort_done, effort_total
  FROM okr.project_report ORDER BY project_id;

SELECT team_name, team_path, cycle_name, round(expected::numeric, 4) AS expected, cycle_ended,
       objectives, on_track, at_risk, off_track, achieved, not_scored, not_started,
       draft, closed, cancelled,
       round(mean_progress::numeric, 4) AS mean_progress,
       round(activity::numeric, 4) AS activity,
       round(outcome_gap::numeric, 4) AS outcome_gap,
       round(mean_score::numeric, 4) AS mean_score, green, yellow, red
  FROM okr.team_report
 WHERE cycle_name <> 'Now'
 ORDER BY cycle_name, team_name;
SELECT team_id, team_name, cycle_name, objectives, round(mean_progress::numeric, 4) AS mean_progress,
       mean_score, green
  FROM okr.team_report WHERE cycle_name = 'Now';

SELECT cycle_name, parent_cycle_name, starts_on, ends_on, round(expected::numeric, 4) AS expected,
       cycle_ended, objectives, teams, key_results,
       on_track, at_risk, off_track, achieved, not_scored, not_started, draft, closed, cancelled,
       round(mean_progress::numeric, 4) AS mean_progress,
       round(activity::numeric, 4) AS activity,
       round(outcome_gap::numeric, 4) AS outcome_gap,
       round(mean_score::numeric, 4) AS mean_score, green, yellow, red
  FROM okr.cycle_report
 WHERE cycle_name <> 'Now'
 ORDER BY cycle_id;

SELECT objective_id AS id, title, parent_objective_id AS parent, root_objective_id AS root,
       root_title, depth, id_path, path, is_leaf, team_name, cycle_name, state
  FROM okr.alignment ORDER BY id_path;

-- The figures agree with the engine: one okr.progress call per view.
SELECT count(*) AS disagreements
  FROM okr.objective_report r
  JOIN okr.progress() p ON p.item = 'objective' AND p.id = r.objective_id
 WHERE r.progress IS DISTINCT FROM p.progress OR r.status IS DISTINCT FROM p.status
    OR r.activity IS DISTINCT FROM p.activity;
-- ... and scores agree with okr.objective_score
SELECT count(*) AS disagreements
  FROM okr.objective_report r
 WHERE r.cycle_ended AND r.state IN ('active', 'closed')
   AND r.score IS DISTINCT FROM okr.objective_score(r.objective_id);

-- okr's read scope (SPEC 9, row-level security) applies to the reader
-- (security_invoker): a reader granted on Team A, with every other
-- objective private, gets only Team A's objectives, and an objective whose
-- parent is hidden becomes a root of the visible tree.
CREATE ROLE regress_okr_reader;
GRANT USAGE ON SCHEMA okr TO regress_okr_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA okr TO regress_okr_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA okr TO regress_okr_reader;
INSERT INTO okr.access_grant (role, team_id) VALUES ('regress_okr_reader', 2);
UPDATE okr.objective SET private = team_id IS DISTINCT FROM 2;
SET ROLE regress_okr_reader;
SELECT objective_id AS id, title, depth, path, parent_title FROM okr.objective_report ORDER BY 1;
SELECT objective_id AS id, root_objective_id AS root, depth, id_path FROM okr.alignment ORDER BY 1;
SELECT team_name, cycle_name, objectives FROM okr.team_report ORDER BY 2;
RESET ROLE;
UPDATE okr.objective SET private = false;
DELETE FROM okr.access_grant;
-- ... and so do grants: the views alone are not enough to read the tables.
REVOKE SELECT ON okr.task FROM regress_okr_reader;
SET ROLE regress_okr_reader;
\set VERBOSITY terse
SELECT count(*) FROM okr.project_report;
\set VERBOSITY default
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA okr FROM regress_okr_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA okr FROM regress_okr_reader;
REVOKE ALL ON SCHEMA okr FROM regress_okr_reader;
DROP ROLE regress_okr_reader;

-- A closed objective counts in the team and cycle figures like an active
-- one (SPEC 3: closed children count; objective_facts.counted), a
-- cancelled one does not.  2021 (ended, expected 1), Team C:
--   8 Shipped (committed, closed)      KR 10 metric 0->10 at 10 -> 1, score 1: green
--                                      project 3: 2 tasks of effort 1, both done -> effort 2 of 2
--   9 Half (aspirational, active)      KR 11 metric 0->10 at 5 -> 0.5, off_track (0.5 / 1 < 0.7),
--                                      score 0.5: yellow (aspirational, >= 0.4)
--                                      project 4: effort 1 done of 4 (tasks 1 done, 3 todo)
--  10 Dropped (committed, cancelled)   KR 12 metric 0->10 at 10 -> 1, effort 5 done of 5: left out
-- team_report and cycle_report for 2021, by hand:
--   objectives 3: off_track 1 (Half), closed 1, cancelled 1, the rest 0
--   mean_progress (1 + 0.5) / 2 = 0.75; activity (2 + 1) / (2 + 4) = 0.5;
--   outcome_gap 0.5 - 0.75 = -0.25; mean_score (1 + 0.5) / 2 = 0.75;
--   green 1, yellow 1, red 0; cycle_report: teams 1, key_results 2 (10, 11)
-- (Were Shipped left out: 0.5, 0.25, -0.25, 0.5, green 0, key_results 1.)
INSERT INTO okr.team (name, parent_id) VALUES ('Team C', 1);
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2021', '2021-01-01', '2021-12-31');
INSERT INTO okr.objective (cycle_id, team_id, title, kind)
SELECT c.id, t.id, o.title, o.kind FROM okr.cycle c, okr.team t,
       (VALUES (1, 'Shipped', 'committed'), (2, 'Half', 'aspirational'), (3, 'Dropped', 'committed')) o(n, title, kind)
 WHERE c.name = '2021' AND t.name = 'Team C' ORDER BY o.n;
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT o.id, 'KR of ' || o.title, 'metric', 0, 10 FROM okr.objective o WHERE o.title IN ('Shipped', 'Half', 'Dropped') ORDER BY o.id;
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, CASE k.title WHEN 'KR of Half' THEN 5 ELSE 10 END, '2021-06-01 12:00+00'
  FROM okr.key_result k WHERE k.title LIKE 'KR of %' ORDER BY k.id;
INSERT INTO okr.project (key_result_id, name)
SELECT k.id, 'Work for ' || k.title FROM okr.key_result k WHERE k.title LIKE 'KR of %' ORDER BY k.id;
INSERT INTO okr.task (project_id, title, status, effort, done_at)
SELECT p.id, t.title, t.status, t.effort, CASE WHEN t.status = 'done' THEN timestamptz '2021-05-01 12:00+00' END
  FROM okr.project p JOIN (VALUES
        ('Work for KR of Shipped', 'a', 'done', 1), ('Work for KR of Shipped', 'b', 'done', 1),
        ('Work for KR of Half', 'a', 'done', 1), ('Work for KR of Half', 'b', 'todo', 3),
        ('Work for KR of Dropped', 'a', 'done', 5)) t(project, title, status, effort) ON t.project = p.name
 ORDER BY p.id, t.title;
UPDATE okr.objective SET state = 'closed' WHERE title = 'Shipped';
UPDATE okr.objective SET state = 'cancelled' WHERE title = 'Dropped';
SELECT team_name, cycle_name, round(expected::numeric, 4) AS expected, cycle_ended,
       objectives, on_track, at_risk, off_track, achieved, not_scored, not_started,
       draft, closed, cancelled,
       round(mean_progress::numeric, 4) AS mean_progress,
       round(activity::numeric, 4) AS activity,
       round(outcome_gap::numeric, 4) AS outcome_gap,
       round(mean_score::numeric, 4) AS mean_score, green, yellow, red
  FROM okr.team_report WHERE cycle_name = '2021';
SELECT cycle_name, cycle_ended, objectives, teams, key_results,
       on_track, at_risk, off_track, achieved, not_scored, not_started, draft, closed, cancelled,
       round(mean_progress::numeric, 4) AS mean_progress,
       round(activity::numeric, 4) AS activity,
       round(outcome_gap::numeric, 4) AS outcome_gap,
       round(mean_score::numeric, 4) AS mean_score, green, yellow, red
  FROM okr.cycle_report WHERE cycle_name = '2021';

-- Leave a fresh extension for the tests that follow.
DROP EXTENSION okr;
CREATE EXTENSION okr;
