-- okr demo: an example organisation, its goals, their progress and status.
-- Run by test/demo.sh:  psql -X -q -v ON_ERROR_STOP=1 -f test/demo.sql
--
-- Everything is dated in 2026 and every figure up to the dashboards is
-- computed as of one fixed moment, 2026-09-30 12:00 UTC (the last day of
-- Q3), so that part prints the same whenever the demo runs; the dashboards
-- at the end read the reporting views, which are as of now().  All check-ins and finished tasks lie before
-- that moment and inside their cycles (SPEC rule 5).

CREATE EXTENSION okr;
SET TimeZone = 'UTC';

-- The organisation: cycles, teams, objectives, key results, check-ins,
-- projects and tasks (shared with the JDBC test).
\ir demo_data.sql

------------------------------------------------------------------------------
-- Helper views for this session, all as of 2026-09-30 12:00 UTC
------------------------------------------------------------------------------

-- Project progress (SPEC 3): the effort-weighted share of its non-cancelled
-- tasks done by then; with no tasks, 1 when the project is done.
CREATE TEMP VIEW demo_project AS
SELECT p.id, p.key_result_id, p.name, p.weight, p.state,
       coalesce(sum(t.effort) FILTER (WHERE t.status <> 'cancelled'), 0) AS effort,
       coalesce(sum(t.effort) FILTER (WHERE t.status = 'done'
                                        AND t.done_at <= '2026-09-30 12:00+00'), 0) AS effort_done,
       CASE WHEN count(t.id) FILTER (WHERE t.status <> 'cancelled') > 0
            THEN coalesce(sum(t.effort) FILTER (WHERE t.status = 'done'
                                                  AND t.done_at <= '2026-09-30 12:00+00'), 0)
                 / sum(t.effort) FILTER (WHERE t.status <> 'cancelled')
            WHEN p.state = 'done' THEN 1
            ELSE 0
       END AS progress
FROM okr.project p
LEFT JOIN okr.task t ON t.project_id = p.id
GROUP BY p.id;

-- Key result progress: okr.kr_progress over its value then (the latest
-- check-in by then); a 'projects' key result is the weighted mean of its
-- non-cancelled projects.
CREATE TEMP VIEW demo_key_result AS
SELECT k.id, k.objective_id, k.title, k.kind, k.weight, k.state, v.value,
       CASE WHEN k.kind = 'projects'
            THEN coalesce((SELECT okr.weighted_progress(p.progress, p.weight)
                           FROM demo_project p
                           WHERE p.key_result_id = k.id AND p.state <> 'cancelled'), 0)
            ELSE okr.kr_progress(k.kind, k.start_value, k.target_value, v.value)
       END AS progress
FROM okr.key_result k
LEFT JOIN LATERAL (SELECT c.value FROM okr.checkin c
                   WHERE c.key_result_id = k.id AND c.checked_at <= '2026-09-30 12:00+00'
                   ORDER BY c.checked_at DESC, c.id DESC
                   LIMIT 1) v ON true;

-- Objective progress over its own active key results.
CREATE TEMP VIEW demo_objective AS
SELECT o.id, o.title, o.kind, t.name AS team, c.name AS cycle,
       c.starts_on, c.ends_on,
       count(k.id) AS key_results,
       okr.weighted_progress(k.progress, k.weight) AS progress
FROM okr.objective o
JOIN okr.cycle c ON c.id = o.cycle_id
LEFT JOIN okr.team t ON t.id = o.team_id
LEFT JOIN demo_key_result k ON k.objective_id = o.id AND k.state = 'active'
GROUP BY o.id, t.name, c.id;

------------------------------------------------------------------------------
-- Reports
------------------------------------------------------------------------------

\echo
\echo '=== (a) Key results of the company objective "Become the market leader in mid-market CRM" ==='
SELECT k.title AS key_result,
       k.start_value AS start,
       k.target_value AS target,
       k.current_value AS current,
       k.unit,
       round(okr.kr_progress(k.kind, k.start_value, k.target_value, k.current_value)::numeric, 2) AS progress
FROM okr.key_result k
JOIN okr.objective o ON o.id = k.objective_id
WHERE o.title = 'Become the market leader in mid-market CRM'
ORDER BY k.id;

\echo '--- Check-in history of "Increase sales to $120 million" (the 2026-05-15 one was entered last, back-dated)'
SELECT c.checked_at::date AS checked_on,
       c.value,
       c.confidence,
       c.note,
       c.id AS entered_as
FROM okr.checkin c
JOIN okr.key_result k ON k.id = c.key_result_id
WHERE k.title = 'Increase sales to $120 million'
ORDER BY c.checked_at, c.id;

\echo
\echo '=== (b) Objectives: weighted progress over their own key results (as of 2026-09-30 12:00 UTC) ==='
\echo 'own_kr_progress leaves out aligned child objectives; progress in (f) and the views counts them.'
SELECT o.title AS objective,
       o.team,
       o.cycle,
       o.kind,
       o.key_results AS krs,
       round(o.progress::numeric, 2) AS own_kr_progress
FROM demo_objective o
ORDER BY o.id;

\echo '--- Key results behind them'
SELECT o.title AS objective,
       k.title AS key_result,
       k.kind,
       k.value,
       round(k.progress::numeric, 2) AS progress
FROM demo_key_result k
JOIN okr.objective o ON o.id = k.objective_id
ORDER BY o.id, k.id;

\echo
\echo '=== (c) Alignment: objectives aligned up to the company goal ==='
WITH RECURSIVE tree AS (
    SELECT o.id, o.title, o.team_id, o.cycle_id, o.kind, o.weight,
           0 AS depth, ARRAY[o.id] AS path
    FROM okr.objective o
    WHERE o.parent_id IS NULL
    UNION ALL
    SELECT o.id, o.title, o.team_id, o.cycle_id, o.kind, o.weight,
           tree.depth + 1, tree.path || o.id
    FROM okr.objective o
    JOIN tree ON o.parent_id = tree.id
)
SELECT repeat('    ', tree.depth) || tree.title AS objective,
       t.name AS team,
       c.name AS cycle,
       tree.kind,
       tree.weight
FROM tree
JOIN okr.cycle c ON c.id = tree.cycle_id
LEFT JOIN okr.team t ON t.id = tree.team_id
ORDER BY tree.path;

\echo
\echo '=== (d) Share of each cycle elapsed as of 2026-09-30 12:00 UTC (okr.expected_progress) ==='
SELECT c.name AS cycle,
       c.starts_on,
       c.ends_on,
       round(okr.expected_progress(c.starts_on, c.ends_on, '2026-09-30 12:00+00')::numeric, 2) AS elapsed
FROM okr.cycle c
ORDER BY c.parent_id NULLS FIRST, c.starts_on;

\echo '--- Status of each objective by its own key results: own_kr_progress against the share of its cycle elapsed'
\echo '    (okr.status; (f) gives the status okr reports, counting aligned objectives and their pace)'
SELECT o.title AS objective,
       o.cycle,
       round(o.progress::numeric, 2) AS own_kr_progress,
       round(e.elapsed::numeric, 2) AS elapsed,
       okr.status(o.progress, e.elapsed) AS own_kr_status
FROM demo_objective o,
     LATERAL (SELECT okr.expected_progress(o.starts_on, o.ends_on, '2026-09-30 12:00+00') AS elapsed) e
ORDER BY o.id;

\echo
\echo '=== (e) Busy or effective? Work done on its own key results against their progress ==='
\echo 'own_kr_activity: share of task effort done under its own active key results; activity in (f) and the views also counts aligned objectives.'
SELECT o.title AS objective,
       o.team,
       round(o.progress::numeric, 2) AS own_kr_progress,
       round((sum(p.effort_done) / nullif(sum(p.effort), 0))::numeric, 2) AS own_kr_activity,
       round((sum(p.effort_done) / nullif(sum(p.effort), 0) - o.progress)::numeric, 2) AS own_kr_gap,
       sum(p.effort_done) || ' of ' || sum(p.effort) AS effort_done
FROM demo_objective o
JOIN demo_key_result k ON k.objective_id = o.id AND k.state = 'active'
JOIN demo_project p ON p.key_result_id = k.id AND p.state <> 'cancelled'
GROUP BY o.id, o.title, o.team, o.progress
ORDER BY own_kr_gap DESC;
\echo 'A large positive gap means a team is busy without moving its results (Marketing);'
\echo 'a negative one, results moving with little of the planned work done (Sales).'

------------------------------------------------------------------------------
-- Rollup (okr.progress): the whole tree as the engine computes it, with
-- progress, activity, expected, status and outcome_gap.
-------------------------------------------------------------------------------
\echo
\echo '=== (f) Rollup: okr.progress as of 2026-09-30 12:00 UTC ==='
WITH RECURSIVE r AS (
    SELECT p.*,
           coalesce(o.title, k.title, pr.name) AS title,
           -- under an objective, its key results come before its child objectives
           CASE p.item WHEN 'objective' THEN 2 ELSE 1 END::bigint * 1000000000 + p.id AS sort_key
    FROM okr.progress('2026-09-30 12:00+00') p
    LEFT JOIN okr.objective o ON p.item = 'objective' AND o.id = p.id
    LEFT JOIN okr.key_result k ON p.item = 'key_result' AND k.id = p.id
    LEFT JOIN okr.project pr ON p.item = 'project' AND pr.id = p.id
), tree AS (
    SELECT r.*, 0 AS depth, ARRAY[r.sort_key] AS path
    FROM r
    WHERE r.item = 'objective' AND r.parent_id IS NULL
    UNION ALL
    SELECT r.*, tree.depth + 1, tree.path || r.sort_key
    FROM r
    JOIN tree ON r.parent_item = tree.item AND r.parent_id = tree.id
)
SELECT repeat('    ', depth) || title AS title,
       item,
       round(progress::numeric, 2) AS progress,
       round(activity::numeric, 2) AS activity,
       round(expected::numeric, 2) AS expected,
       status,
       round((activity - progress)::numeric, 2) AS outcome_gap
FROM tree
ORDER BY path;

------------------------------------------------------------------------------
-- Dashboard: what an analyst runs against the reporting views.  The views
-- report as of now() (not the fixed moment above), so expected progress,
-- status and days since a check-in move with the clock; the example's last
-- data point is 2026-09-29, so from October 2026 on progress, activity and
-- the Q3 scores are final.
------------------------------------------------------------------------------
\echo
\echo '=== (g) Dashboard, as of now: objectives by status per team and cycle (okr.team_report) ==='
SELECT team_path AS team,
       cycle_name AS cycle,
       objectives,
       on_track,
       at_risk,
       off_track,
       achieved,
       round(mean_progress::numeric, 2) AS mean_progress,
       round(expected::numeric, 2) AS expected,
       round(activity::numeric, 2) AS activity,
       CASE WHEN cycle_ended
            THEN round(mean_score::numeric, 2) || ' (' || green || ' green, ' || yellow || ' yellow, ' || red || ' red)'
            ELSE 'open'
       END AS score
FROM okr.team_report
ORDER BY team_path, cycle_starts_on, cycle_name;

SELECT current_setting('okr.stale_after') AS stale_after \gset
\echo '--- Stale key results: no check-in for' :stale_after '(okr.stale_after) in a running cycle (okr.key_result_report)'
SELECT team_name AS team,
       title AS key_result,
       owner,
       last_checkin_at::date AS last_checkin,
       days_since_checkin AS days,
       round(progress::numeric, 2) AS progress,
       confidence,
       status
FROM okr.key_result_report
WHERE stale
ORDER BY days_since_checkin DESC NULLS FIRST, key_result_id;

\echo '--- Biggest outcome gaps: work done without results moving (okr.objective_report, okr.key_result_report)'
SELECT title AS objective,
       team_name AS team,
       cycle_name AS cycle,
       round(activity::numeric, 2) AS activity,
       round(progress::numeric, 2) AS progress,
       round(outcome_gap::numeric, 2) AS outcome_gap,
       coalesce(grade, status) AS "grade or status"
FROM okr.objective_report
WHERE outcome_gap > 0
ORDER BY outcome_gap DESC, objective_id
LIMIT 3;
SELECT title AS key_result,
       objective_title AS objective,
       round(activity::numeric, 2) AS activity,
       round(progress::numeric, 2) AS progress,
       round(outcome_gap::numeric, 2) AS outcome_gap,
       projects
FROM okr.key_result_report
WHERE outcome_gap > 0
ORDER BY outcome_gap DESC, key_result_id
LIMIT 5;
------------------------------------------------------------------------------
-- (h) Pinned to a moment, drawn as bars (SPEC 8): SET okr.as_of makes every
-- view compute then; okr.bar draws progress; okr.forecast projects the pace.
------------------------------------------------------------------------------
\echo
\echo '=== (h) At the close of Q3 (SET okr.as_of): the objective tree with bars, and where each objective will land (forecast) ==='
SET okr.as_of = '2026-09-30 23:59:59';
SELECT repeat('  ', a.depth) || a.title AS objective,
       okr.bar(r.progress) AS progress,
       round(100 * r.progress) AS "%",
       r.status,
       okr.bar(r.forecast_progress, 10) AS forecast,
       r.forecast_grade AS grade
FROM okr.alignment a
JOIN okr.objective_report r USING (objective_id)
ORDER BY a.id_path;

\echo '--- Will the key results hit their targets at this pace? (least squares through the check-ins of the cycle)'
SELECT title AS key_result,
       start_value AS start,
       target_value AS target,
       current_value AS now,
       round(forecast_value, 1) AS forecast,
       unit,
       okr.bar(forecast_progress, 10) AS forecast_progress
FROM okr.key_result_report
WHERE kind IN ('metric', 'at_least', 'at_most')
ORDER BY key_result_id;

\echo '--- A burn-up of the company objective, as text (okr.progress_history, okr.bar)'
SELECT h.as_of::date AS day,
       okr.bar(h.progress, 30) AS progress,
       round(h.progress::numeric, 2) AS p
FROM okr.progress_history('2026-01-01', '2026-10-01', '1 month') h
JOIN okr.objective o ON o.id = h.id
WHERE h.item = 'objective' AND o.title = 'Become the market leader in mid-market CRM'
ORDER BY h.as_of;

\echo '--- Why the company objective is where it is (okr.explain): every item, its share of the counted weight and contribution, or why it is left out; the check-in of each value, the effort of each project'
SELECT repeat('  ', e.depth) || e.item AS item,
       e.title,
       e.weight,
       round(e.share::numeric, 3) AS share,
       round(e.progress::numeric, 3) AS progress,
       round(e.contribution::numeric, 3) AS contribution,
       e.reason,
       e.value,
       e.checkin_at::date AS checked_on,
       e.checkin_by AS by,
       e.effort_done || ' of ' || e.effort_total AS effort
FROM okr.objective o, okr.explain(o.id) e
WHERE o.title = 'Become the market leader in mid-market CRM';

\echo '--- ... and its counted contributions add up to its progress'
SELECT round(e.progress::numeric, 6) AS progress,
       (SELECT round(sum(c.contribution)::numeric, 6) FROM okr.explain(o.id) c
         WHERE c.parent_item = 'objective' AND c.parent_id = o.id AND c.counted) AS sum_of_contributions
FROM okr.objective o, okr.explain(o.id) e
WHERE o.title = 'Become the market leader in mid-market CRM' AND e.depth = 0;
RESET okr.as_of;
------------------------------------------------------------------------------
-- (i) The weekly review (SPEC 8): okr.changes lists what moved between two
-- moments, with the check-ins and finished tasks of the interval and the
-- definitions that changed.
------------------------------------------------------------------------------
\echo
\echo '=== (i) What changed in the last week of Q3 (okr.changes), biggest moves first ==='
SELECT item,
       title,
       round(progress_before::numeric, 2) AS before,
       round(progress_after::numeric, 2) AS after,
       status_before,
       status_after,
       checkins,
       tasks_done,
       changed
FROM okr.changes('2026-09-22', '2026-09-29 23:59:59')
ORDER BY abs(delta) DESC NULLS FIRST, item, id;
\ir demo_feeds.sql
