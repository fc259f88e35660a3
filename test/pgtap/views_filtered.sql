-- Issue 18 (f): the reporting views compute their figures per row
-- (okr.item_figures, okr.objective_score_at, okr.objective_path and the
-- counts of src/view_counts.c), so that a WHERE filters before any figure
-- is computed.  Their rows must be exactly those of the views of before,
-- which compute okr.progress() for the whole organisation: those
-- definitions are kept below (their comments left out) as the reference
-- (schema okr_ref).
-- Compared on random organisations, every column (EXCEPT ALL both ways,
-- floats bit for bit), unfiltered and filtered to each objective and each
-- team, each filtered query a statement of its own, as the owner and as a
-- reader scoped to one team (private objectives of other teams hidden),
-- now and pinned to past moments (okr.as_of, okr.known_at).  Then: the plan
-- of a filtered query calls the figures for its rows only, and the scores
-- after okr.forget_history (the views of before raised 22023 there).
--
-- To reproduce a failure: the test's name gives the seed and the setting;
-- SELECT pg_temp.gen_org(<seed>) builds the same organisation again.
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = warning;
-- 2 seeds x (2 coverage + 2 roles x 3 settings x 5 comparisons) + 7 plans + 3 direct calls + 7 forget
SELECT plan(81);
-- versions and the maintained columns as each statement ends, so that the
-- past can be pinned inside this transaction
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

CREATE ROLE okr_vf_reader;

-- ===================================================================
-- The reference: the views of before (src/sql/40_views.sql at 3571181)
-- ===================================================================
CREATE SCHEMA okr_ref;
CREATE VIEW okr_ref.objective_report WITH (security_invoker = true) AS
WITH RECURSIVE
cycles AS MATERIALIZED (
    SELECT c.id, c.name, c.starts_on, c.ends_on,
           okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
links AS MATERIALIZED (
    SELECT o.id, COALESCE(o.parent_id, k.objective_id) AS parent_id
      FROM okr.objective o
      LEFT JOIN okr.key_result k ON k.id = o.parent_key_result_id
),
paths AS (
    SELECT t.id, t.depth, t.path FROM okr.objective_tree() t
),
teams AS (
    SELECT tm.id, ARRAY[tm.name] AS names
      FROM okr.team tm
     WHERE tm.parent_id IS NULL
        OR NOT EXISTS (SELECT FROM okr.team p WHERE p.id = tm.parent_id)
    UNION ALL
    SELECT tm.id, t.names || tm.name
      FROM teams t
      JOIN okr.team tm ON tm.parent_id = t.id
),
team_paths AS (
    SELECT t.id, pg_catalog.min(pg_catalog.array_to_string(t.names, ' › ')) AS path
      FROM teams t
     GROUP BY t.id
),
figures AS (
    SELECT f.id, f.progress, f.activity, f.expected, f.status
      FROM okr.progress(okr.as_of()) f
     WHERE f.item = 'objective'
),
scores AS (
    SELECT s.id, CASE WHEN z.id IS NOT NULL AND o.state = 'closed' THEN z.score
                      ELSE s.progress END AS score
      FROM (SELECT DISTINCT c.ends_at
              FROM cycles c
             WHERE c.ends_at < okr.as_of()
               AND EXISTS (SELECT FROM okr.objective o WHERE o.cycle_id = c.id)) e
     CROSS JOIN LATERAL okr.progress(e.ends_at) s
      JOIN cycles c ON c.id = s.cycle_id AND c.ends_at = e.ends_at
      JOIN okr.objective o ON o.id = s.id
      LEFT JOIN okr.frozen_score z ON z.id = s.id
     WHERE s.item = 'objective'
),
key_results AS (
    SELECT k.objective_id, pg_catalog.count(*) AS n
      FROM okr.key_result k
     WHERE k.state = 'active'
     GROUP BY k.objective_id
),
children AS (
    SELECT o.parent_id, pg_catalog.count(*) AS n
      FROM okr.objective o
     WHERE o.parent_id IS NOT NULL AND o.state IN ('active', 'closed')
     GROUP BY o.parent_id
),
forecasts AS (
    SELECT fc.id, pg_catalog.min(fc.forecast_progress) AS forecast_progress,
           pg_catalog.min(fc.forecast_grade) AS forecast_grade
      FROM okr.forecast(okr.as_of()) fc
     WHERE fc.item = 'objective'
     GROUP BY fc.id
)
SELECT o.id                                   AS objective_id,
       o.title                                AS title,
       o.cycle_id                             AS cycle_id,
       c.name                                 AS cycle_name,
       c.starts_on                            AS cycle_starts_on,
       c.ends_on                              AS cycle_ends_on,
       o.team_id                              AS team_id,
       tm.name                                AS team_name,
       tt.path                                AS team_path,
       o.owner                                AS owner,
       ln.parent_id                           AS parent_objective_id,
       po.title                               AS parent_title,
       tr.depth                               AS depth,
       tr.path                                AS path,
       o.kind                                 AS kind,
       o.state                                AS state,
       o.weight                               AS weight,
       o.rollup                               AS rollup,
       f.progress                             AS progress,
       f.expected                             AS expected,
       f.status                               AS status,
       f.activity                             AS activity,
       f.activity - f.progress                AS outcome_gap,
       COALESCE(kr.n, 0)           AS key_results,
       COALESCE(ch.n, 0)           AS child_objectives,
       c.ends_at < okr.as_of()                AS cycle_ended,
       CASE WHEN o.state IN ('active', 'closed') THEN s.score END AS score,
       CASE WHEN o.state IN ('active', 'closed') THEN okr.grade(s.score, o.kind) END AS grade,
       fc.forecast_progress                   AS forecast_progress,
       fc.forecast_grade                      AS forecast_grade
  FROM okr.objective o
  LEFT JOIN cycles c        ON c.id = o.cycle_id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN team_paths tt   ON tt.id = o.team_id
  LEFT JOIN links ln        ON ln.id = o.id
  LEFT JOIN okr.objective po ON po.id = ln.parent_id
  LEFT JOIN paths tr        ON tr.id = o.id
  LEFT JOIN figures f       ON f.id = o.id
  LEFT JOIN scores s        ON s.id = o.id
  LEFT JOIN key_results kr  ON kr.objective_id = o.id
  LEFT JOIN children ch     ON ch.parent_id = o.id
  LEFT JOIN forecasts fc    ON fc.id = o.id;

CREATE VIEW okr_ref.key_result_report WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, c.name, c.starts_on::timestamptz AS starts_at,
           okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
figures AS (
    SELECT f.id, f.progress, f.activity, f.expected, f.status
      FROM okr.progress(okr.as_of()) f
     WHERE f.item = 'key_result'
),
projects AS (
    SELECT p.key_result_id, pg_catalog.count(*) AS n
      FROM okr.project p
     WHERE p.state <> 'cancelled'
     GROUP BY p.key_result_id
),
forecasts AS (
    SELECT fc.id, pg_catalog.min(fc.forecast_value) AS forecast_value,
           pg_catalog.min(fc.forecast_progress) AS forecast_progress
      FROM okr.forecast(okr.as_of()) fc
     WHERE fc.item = 'key_result'
     GROUP BY fc.id
)
SELECT k.id                                   AS key_result_id,
       k.title                                AS title,
       k.objective_id                         AS objective_id,
       o.title                                AS objective_title,
       o.cycle_id                             AS cycle_id,
       c.name                                 AS cycle_name,
       o.team_id                              AS team_id,
       tm.name                                AS team_name,
       k.owner                                AS owner,
       k.kind                                 AS kind,
       k.state                                AS state,
       k.weight                               AS weight,
       k.start_value                          AS start_value,
       k.target_value                         AS target_value,
       l.value                                AS current_value,
       k.unit                                 AS unit,
       f.progress                             AS progress,
       CASE WHEN k.kind = 'projects' THEN f.progress
            ELSE okr.kr_attainment(k.kind, k.start_value, k.target_value, l.value)
       END                                    AS attainment,
       f.expected                             AS expected,
       f.status                               AS status,
       l.confidence::numeric::double precision AS confidence,
       l.checked_at                           AS last_checkin_at,
       okr.as_of()::date - l.checked_at::date AS days_since_checkin,
       COALESCE(k.state = 'active' AND o.state = 'active' AND k.kind <> 'projects'
                AND c.starts_at <= okr.as_of() AND okr.as_of() <= c.ends_at
                AND COALESCE(l.checked_at, c.starts_at) <= okr.as_of() - okr.stale_after(),
                false)                        AS stale,
       COALESCE(pr.n, 0)                      AS projects,
       f.activity                             AS activity,
       f.activity - f.progress                AS outcome_gap,
       fc.forecast_value                      AS forecast_value,
       fc.forecast_progress                   AS forecast_progress
  FROM okr.key_result k
  LEFT JOIN okr.objective o ON o.id = k.objective_id
  LEFT JOIN cycles c        ON c.id = o.cycle_id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN figures f       ON f.id = k.id
  LEFT JOIN projects pr     ON pr.key_result_id = k.id
  LEFT JOIN forecasts fc    ON fc.id = k.id
  LEFT JOIN LATERAL (
        SELECT ch.value, ch.confidence, ch.checked_at
          FROM okr.checkin ch
         WHERE ch.key_result_id = k.id AND ch.checked_at <= okr.as_of()
         ORDER BY ch.checked_at DESC, ch.id DESC
         LIMIT 1) l ON true;

CREATE VIEW okr_ref.project_report WITH (security_invoker = true) AS
WITH
figures AS (
    SELECT f.id, f.progress, f.activity, f.expected, f.status
      FROM okr.progress(okr.as_of()) f
     WHERE f.item = 'project'
),
tasks AS (
    SELECT t.project_id,
           pg_catalog.count(*) FILTER (WHERE t.status <> 'cancelled') AS tasks,
           pg_catalog.count(*) FILTER (WHERE t.status = 'todo')       AS todo,
           pg_catalog.count(*) FILTER (WHERE t.status = 'doing')      AS doing,
           pg_catalog.count(*) FILTER (WHERE t.status = 'done'
                                         AND t.done_at <= okr.as_of())     AS done,
           pg_catalog.count(*) FILTER (WHERE t.status = 'cancelled')  AS cancelled,
           pg_catalog.count(*) FILTER (WHERE (t.status IN ('todo', 'doing')
                                              OR (t.status = 'done' AND t.done_at > okr.as_of()))
                                         AND t.due_on < okr.as_of()::date) AS overdue,
           pg_catalog.sum(t.effort) FILTER (WHERE t.status = 'done'
                                              AND t.done_at <= okr.as_of()) AS effort_done,
           pg_catalog.sum(t.effort) FILTER (WHERE t.status <> 'cancelled') AS effort_total
      FROM okr.task t
     GROUP BY t.project_id
)
SELECT p.id                                   AS project_id,
       p.name                                 AS name,
       p.owner                                AS owner,
       p.state                                AS state,
       p.weight                               AS weight,
       p.key_result_id                        AS key_result_id,
       k.title                                AS key_result_title,
       k.objective_id                         AS objective_id,
       o.title                                AS objective_title,
       o.team_id                              AS team_id,
       tm.name                                AS team_name,
       o.cycle_id                             AS cycle_id,
       c.name                                 AS cycle_name,
       f.progress                             AS progress,
       f.activity                             AS activity,
       f.expected                             AS expected,
       f.status                               AS status,
       COALESCE(t.tasks, 0)                   AS tasks,
       COALESCE(t.todo, 0)                    AS tasks_todo,
       COALESCE(t.doing, 0)                   AS tasks_doing,
       COALESCE(t.done, 0)                    AS tasks_done,
       COALESCE(t.cancelled, 0)               AS tasks_cancelled,
       COALESCE(t.overdue, 0)                 AS tasks_overdue,
       COALESCE(t.effort_done, 0)             AS effort_done,
       COALESCE(t.effort_total, 0)            AS effort_total
  FROM okr.project p
  LEFT JOIN okr.key_result k ON k.id = p.key_result_id
  LEFT JOIN okr.objective o  ON o.id = k.objective_id
  LEFT JOIN okr.cycle c      ON c.id = o.cycle_id
  LEFT JOIN okr.team tm      ON tm.id = o.team_id
  LEFT JOIN figures f        ON f.id = p.id
  LEFT JOIN tasks t          ON t.project_id = p.id;

CREATE VIEW okr_ref.objective_facts WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
figures AS (
    SELECT f.id, f.progress, f.expected, f.status
      FROM okr.progress(okr.as_of()) f
     WHERE f.item = 'objective'
),
links AS MATERIALIZED (
    SELECT o.id, COALESCE(o.parent_id, k.objective_id) AS parent_id,
           o.team_id, o.cycle_id, o.state IN ('active', 'closed') AS counted
      FROM okr.objective o
      LEFT JOIN okr.key_result k ON k.id = o.parent_key_result_id
),
paths AS (
    SELECT t.id, t.ids FROM okr.objective_tree() t
),
above AS (
    SELECT p.id, a.id AS ancestor
      FROM paths p
     CROSS JOIN LATERAL pg_catalog.unnest(p.ids) a(id)
     WHERE a.id <> p.id
),
within AS (
    SELECT ab.id,
           pg_catalog.bool_or(l.team_id IS NOT DISTINCT FROM d.team_id) AS team,
           true AS cycle
      FROM above ab
      JOIN links l ON l.id = ab.ancestor AND l.counted
      JOIN links d ON d.id = ab.id AND d.cycle_id = l.cycle_id
     GROUP BY ab.id
),
scores AS (
    SELECT s.id, CASE WHEN z.id IS NOT NULL AND o.state = 'closed' THEN z.score
                      ELSE s.progress END AS score
      FROM (SELECT DISTINCT c.ends_at
              FROM cycles c
             WHERE c.ends_at < okr.as_of()
               AND EXISTS (SELECT FROM okr.objective o WHERE o.cycle_id = c.id)) e
     CROSS JOIN LATERAL okr.progress(e.ends_at) s
      JOIN cycles c ON c.id = s.cycle_id AND c.ends_at = e.ends_at
      JOIN okr.objective o ON o.id = s.id
      LEFT JOIN okr.frozen_score z ON z.id = s.id
     WHERE s.item = 'objective'
),
late AS (
    SELECT t.project_id, pg_catalog.sum(t.effort) AS effort
      FROM okr.task t
     WHERE t.status = 'done' AND t.done_at > okr.as_of()
     GROUP BY t.project_id
),
own_effort AS (
    SELECT k.objective_id,
           pg_catalog.sum(e.effort_total)::double precision AS total,
           pg_catalog.sum(e.effort_done)::double precision
             - COALESCE(pg_catalog.sum(l.effort), 0) AS done
      FROM okr.project p
      JOIN okr.key_result k ON k.id = p.key_result_id
      JOIN okr.project_effort e ON e.project_id = p.id
      LEFT JOIN late l      ON l.project_id = p.id
     GROUP BY k.objective_id
),
effort AS (
    SELECT a.id AS objective_id,
           pg_catalog.sum(e.total) AS total,
           pg_catalog.sum(e.done) AS done
      FROM paths p
     CROSS JOIN LATERAL pg_catalog.unnest(p.ids) a(id)
      JOIN own_effort e ON e.objective_id = p.id
     GROUP BY a.id
),
key_results AS (
    SELECT k.objective_id, pg_catalog.count(*) AS n
      FROM okr.key_result k
     WHERE k.state = 'active'
     GROUP BY k.objective_id
)
SELECT o.id                                   AS objective_id,
       o.team_id                              AS team_id,
       o.cycle_id                             AS cycle_id,
       o.kind                                 AS kind,
       o.state                                AS state,
       o.state IN ('active', 'closed')        AS counted,
       f.progress                             AS progress,
       f.expected                             AS expected,
       f.status                               AS status,
       s.score                                AS score,
       okr.grade(s.score, o.kind)             AS grade,
       e.done / NULLIF(e.total, 0)            AS activity,
       e.total                                AS effort_total,
       e.done                                 AS effort_done,
       COALESCE(w.team, false)                AS within_team,
       COALESCE(w.cycle, false)               AS within_cycle,
       COALESCE(kr.n, 0)                      AS key_results
  FROM okr.objective o
  LEFT JOIN figures f      ON f.id = o.id
  LEFT JOIN scores s       ON s.id = o.id
  LEFT JOIN effort e       ON e.objective_id = o.id
  LEFT JOIN within w       ON w.id = o.id
  LEFT JOIN key_results kr ON kr.objective_id = o.id;

CREATE VIEW okr_ref.team_report WITH (security_invoker = true) AS
WITH RECURSIVE
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
objectives AS (
    SELECT x.team_id, x.cycle_id, x.status,
           CASE WHEN NOT x.within_team THEN x.effort_total END AS total,
           CASE WHEN NOT x.within_team THEN x.effort_done END AS done,
           x.counted, x.progress, x.expected, x.score, x.grade
      FROM okr_ref.objective_facts x
),
per_team AS (
    SELECT x.team_id, x.cycle_id,
           pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE x.status = 'on_track')    AS on_track,
           pg_catalog.count(*) FILTER (WHERE x.status = 'at_risk')     AS at_risk,
           pg_catalog.count(*) FILTER (WHERE x.status = 'off_track')   AS off_track,
           pg_catalog.count(*) FILTER (WHERE x.status = 'achieved')    AS achieved,
           pg_catalog.count(*) FILTER (WHERE x.status = 'not_scored')  AS not_scored,
           pg_catalog.count(*) FILTER (WHERE x.status = 'not_started') AS not_started,
           pg_catalog.count(*) FILTER (WHERE x.status = 'draft')       AS draft,
           pg_catalog.count(*) FILTER (WHERE x.status = 'closed')      AS closed,
           pg_catalog.count(*) FILTER (WHERE x.status = 'cancelled')   AS cancelled,
           pg_catalog.avg(x.progress) FILTER (WHERE x.counted)         AS mean_progress,
           COALESCE(pg_catalog.avg(x.expected) FILTER (WHERE x.counted AND x.progress IS NOT NULL),
                    pg_catalog.avg(x.expected) FILTER (WHERE x.counted)) AS mean_expected,
           pg_catalog.sum(x.done) FILTER (WHERE x.counted)
             / NULLIF(pg_catalog.sum(x.total) FILTER (WHERE x.counted), 0) AS activity,
           pg_catalog.avg(x.score) FILTER (WHERE x.counted)            AS mean_score,
           pg_catalog.count(*) FILTER (WHERE x.counted AND x.grade = 'green')  AS green,
           pg_catalog.count(*) FILTER (WHERE x.counted AND x.grade = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE x.counted AND x.grade = 'red')    AS red
      FROM objectives x
     GROUP BY x.team_id, x.cycle_id
),
teams AS (
    SELECT tm.id, ARRAY[tm.name] AS names
      FROM okr.team tm
     WHERE tm.parent_id IS NULL
        OR NOT EXISTS (SELECT FROM okr.team p WHERE p.id = tm.parent_id)
    UNION ALL
    SELECT tm.id, t.names || tm.name
      FROM teams t
      JOIN okr.team tm ON tm.parent_id = t.id
),
team_paths AS (
    SELECT t.id, pg_catalog.min(pg_catalog.array_to_string(t.names, ' › ')) AS path
      FROM teams t
     GROUP BY t.id
)
SELECT g.team_id                              AS team_id,
       tm.name                                AS team_name,
       tp.path                                AS team_path,
       g.cycle_id                             AS cycle_id,
       c.name                                 AS cycle_name,
       c.starts_on                            AS cycle_starts_on,
       c.ends_on                              AS cycle_ends_on,
       COALESCE(g.mean_expected,
                okr.expected_progress(c.starts_on, c.ends_on, okr.as_of())) AS expected,
       okr.expected_progress(c.starts_on, c.ends_on, okr.as_of()) AS elapsed,
       ce.ends_at < okr.as_of()               AS cycle_ended,
       g.objectives                           AS objectives,
       g.on_track                             AS on_track,
       g.at_risk                              AS at_risk,
       g.off_track                            AS off_track,
       g.achieved                             AS achieved,
       g.not_scored                           AS not_scored,
       g.not_started                          AS not_started,
       g.draft                                AS draft,
       g.closed                               AS closed,
       g.cancelled                            AS cancelled,
       g.mean_progress                        AS mean_progress,
       g.activity                             AS activity,
       g.activity - g.mean_progress           AS outcome_gap,
       CASE WHEN ce.ends_at < okr.as_of() THEN g.mean_score END AS mean_score,
       CASE WHEN ce.ends_at < okr.as_of() THEN g.green END      AS green,
       CASE WHEN ce.ends_at < okr.as_of() THEN g.yellow END     AS yellow,
       CASE WHEN ce.ends_at < okr.as_of() THEN g.red END        AS red
  FROM per_team g
  LEFT JOIN okr.team tm   ON tm.id = g.team_id
  LEFT JOIN team_paths tp ON tp.id = g.team_id
  LEFT JOIN okr.cycle c   ON c.id = g.cycle_id
  LEFT JOIN cycles ce     ON ce.id = g.cycle_id;

CREATE VIEW okr_ref.cycle_report WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
objectives AS (
    SELECT x.cycle_id, x.team_id, x.status,
           CASE WHEN NOT x.within_cycle THEN x.effort_total END AS total,
           CASE WHEN NOT x.within_cycle THEN x.effort_done END AS done,
           x.key_results, x.counted, x.progress, x.expected, x.score, x.grade
      FROM okr_ref.objective_facts x
),
per_cycle AS (
    SELECT x.cycle_id,
           pg_catalog.count(*) AS objectives,
           pg_catalog.count(DISTINCT x.team_id) AS teams,
           COALESCE(pg_catalog.sum(x.key_results) FILTER (WHERE x.counted), 0)::bigint AS key_results,
           pg_catalog.count(*) FILTER (WHERE x.status = 'on_track')    AS on_track,
           pg_catalog.count(*) FILTER (WHERE x.status = 'at_risk')     AS at_risk,
           pg_catalog.count(*) FILTER (WHERE x.status = 'off_track')   AS off_track,
           pg_catalog.count(*) FILTER (WHERE x.status = 'achieved')    AS achieved,
           pg_catalog.count(*) FILTER (WHERE x.status = 'not_scored')  AS not_scored,
           pg_catalog.count(*) FILTER (WHERE x.status = 'not_started') AS not_started,
           pg_catalog.count(*) FILTER (WHERE x.status = 'draft')       AS draft,
           pg_catalog.count(*) FILTER (WHERE x.status = 'closed')      AS closed,
           pg_catalog.count(*) FILTER (WHERE x.status = 'cancelled')   AS cancelled,
           pg_catalog.avg(x.progress) FILTER (WHERE x.counted)         AS mean_progress,
           COALESCE(pg_catalog.avg(x.expected) FILTER (WHERE x.counted AND x.progress IS NOT NULL),
                    pg_catalog.avg(x.expected) FILTER (WHERE x.counted)) AS mean_expected,
           pg_catalog.sum(x.done) FILTER (WHERE x.counted)
             / NULLIF(pg_catalog.sum(x.total) FILTER (WHERE x.counted), 0) AS activity,
           pg_catalog.avg(x.score) FILTER (WHERE x.counted)            AS mean_score,
           pg_catalog.count(*) FILTER (WHERE x.counted AND x.grade = 'green')  AS green,
           pg_catalog.count(*) FILTER (WHERE x.counted AND x.grade = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE x.counted AND x.grade = 'red')    AS red
      FROM objectives x
     GROUP BY x.cycle_id
)
SELECT c.id                                   AS cycle_id,
       c.name                                 AS cycle_name,
       c.parent_id                            AS parent_cycle_id,
       pc.name                                AS parent_cycle_name,
       c.starts_on                            AS starts_on,
       c.ends_on                              AS ends_on,
       COALESCE(g.mean_expected,
                okr.expected_progress(c.starts_on, c.ends_on, okr.as_of())) AS expected,
       okr.expected_progress(c.starts_on, c.ends_on, okr.as_of()) AS elapsed,
       ce.ends_at < okr.as_of()               AS cycle_ended,
       COALESCE(g.objectives, 0)              AS objectives,
       COALESCE(g.teams, 0)                   AS teams,
       COALESCE(g.key_results, 0)             AS key_results,
       COALESCE(g.on_track, 0)                AS on_track,
       COALESCE(g.at_risk, 0)                 AS at_risk,
       COALESCE(g.off_track, 0)               AS off_track,
       COALESCE(g.achieved, 0)                AS achieved,
       COALESCE(g.not_scored, 0)              AS not_scored,
       COALESCE(g.not_started, 0)             AS not_started,
       COALESCE(g.draft, 0)                   AS draft,
       COALESCE(g.closed, 0)                  AS closed,
       COALESCE(g.cancelled, 0)               AS cancelled,
       g.mean_progress                        AS mean_progress,
       g.activity                             AS activity,
       g.activity - g.mean_progress           AS outcome_gap,
       CASE WHEN ce.ends_at < okr.as_of() THEN g.mean_score END AS mean_score,
       CASE WHEN ce.ends_at < okr.as_of() THEN COALESCE(g.green, 0) END  AS green,
       CASE WHEN ce.ends_at < okr.as_of() THEN COALESCE(g.yellow, 0) END AS yellow,
       CASE WHEN ce.ends_at < okr.as_of() THEN COALESCE(g.red, 0) END    AS red
  FROM okr.cycle c
  LEFT JOIN okr.cycle pc  ON pc.id = c.parent_id
  LEFT JOIN cycles ce     ON ce.id = c.id
  LEFT JOIN per_cycle g   ON g.cycle_id = c.id;

GRANT USAGE ON SCHEMA okr_ref TO okr_vf_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA okr_ref TO okr_vf_reader;

-- ===================================================================
-- Generator: a random organisation from a seed
-- ===================================================================
-- Teams Company > Sales > EMEA, Company > Ops, and a root Lab; cycles 2025
-- (ended), 2026 with its Q2, 2027 (not begun).  Objectives in a tree, some
-- aligned to a key result of their parent (some of kind objectives), some
-- private; key results of every kind with check-ins inside their cycle;
-- projects and tasks of every state; at the end some objectives closed
-- (their scores kept), cancelled or draft, some key results cancelled.
CREATE FUNCTION pg_temp.gen_org(seed double precision, n int DEFAULT 45)
RETURNS void LANGUAGE plpgsql AS $gen$
DECLARE
    i int;
    par record;
    cyc bigint;
BEGIN
    TRUNCATE okr.task, okr.project, okr.checkin, okr.key_result_source, okr.key_result,
             okr.objective, okr.cycle, okr.team CASCADE;
    PERFORM setseed(seed / 100.0);
    INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES
        (seed * 10 + 1, 'Company', NULL), (seed * 10 + 2, 'Sales', seed * 10 + 1),
        (seed * 10 + 3, 'EMEA', seed * 10 + 2), (seed * 10 + 4, 'Ops', seed * 10 + 1),
        (seed * 10 + 5, 'Lab', NULL);
    INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES
        ('Y2025', '2025-01-01', '2025-12-31'), ('Y2026', '2026-01-01', '2026-12-31'),
        ('Y2027', '2027-01-01', '2027-12-31');
    INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
    SELECT 'Y2026Q2', '2026-04-01', '2026-06-30', id FROM okr.cycle WHERE name = 'Y2026';

    FOR i IN 1 .. n LOOP
        SELECT o.id, o.cycle_id INTO par FROM okr.objective o
         WHERE random() < 0.8 ORDER BY random() LIMIT 1;
        cyc := CASE WHEN par.id IS NOT NULL AND random() < 0.85 THEN par.cycle_id
                    ELSE (SELECT c.id FROM okr.cycle c WHERE c.parent_id IS NULL ORDER BY random() LIMIT 1) END;
        IF par.id IS NOT NULL AND cyc = (SELECT id FROM okr.cycle WHERE name = 'Y2026') AND random() < 0.3 THEN
            cyc := (SELECT id FROM okr.cycle WHERE name = 'Y2026Q2');
        ELSIF par.id IS NOT NULL AND NOT EXISTS (
                SELECT FROM okr.cycle c, okr.cycle pc WHERE c.id = cyc AND pc.id = par.cycle_id
                   AND c.starts_on >= pc.starts_on AND c.ends_on <= pc.ends_on) THEN
            cyc := par.cycle_id;
        END IF;
        INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, weight, rollup, kind, private)
        VALUES (cyc, CASE WHEN cyc = par.cycle_id OR EXISTS (
                             SELECT FROM okr.cycle c, okr.cycle pc WHERE c.id = cyc AND pc.id = par.cycle_id
                                AND c.starts_on >= pc.starts_on AND c.ends_on <= pc.ends_on) THEN par.id END,
                CASE WHEN random() < 0.85 THEN seed * 10 + 1 + floor(random() * 5)::int END,
                format('O%s', i), (ARRAY[0, 1, 1, 2]::float8[])[1 + floor(random() * 4)::int],
                (ARRAY['both', 'both', 'key_results', 'children'])[1 + floor(random() * 4)::int],
                CASE WHEN random() < 0.3 THEN 'aspirational' ELSE 'committed' END,
                random() < 0.25);
    END LOOP;

    -- key results, 0 to 3 per objective, every kind
    INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight)
    SELECT x.oid, format('K%s.%s', x.oid, x.g), x.kind,
           CASE x.kind WHEN 'metric' THEN x.s WHEN 'milestone' THEN NULL
                       WHEN 'at_least' THEN NULL WHEN 'at_most' THEN NULL END,
           CASE x.kind WHEN 'metric' THEN x.s + x.d WHEN 'at_least' THEN 50 WHEN 'at_most' THEN 50 END,
           x.w
      FROM (SELECT o.id AS oid, g,
                   (ARRAY['metric', 'metric', 'at_least', 'at_most', 'milestone', 'projects', 'objectives'])[1 + floor(random() * 7)::int] AS kind,
                   round((random() * 100)::numeric, 1) AS s,
                   (CASE WHEN random() < 0.3 THEN -1 ELSE 1 END) * (10 + floor(random() * 90))::numeric AS d,
                   (ARRAY[0, 1, 1, 2]::float8[])[1 + floor(random() * 4)::int] AS w
              FROM okr.objective o, generate_series(1, floor(random() * 4 + 0 * o.id)::int) g
             ORDER BY o.id, g) x;
    -- about a third of the children align to a key result of their parent instead
    UPDATE okr.objective o SET parent_id = NULL, parent_key_result_id = x.kid
      FROM (SELECT o2.id,
                   (SELECT k.id FROM okr.key_result k WHERE k.objective_id = o2.parent_id
                     ORDER BY (k.kind = 'objectives') DESC, random() LIMIT 1) AS kid
              FROM okr.objective o2 WHERE o2.parent_id IS NOT NULL AND random() < 0.35 ORDER BY o2.id) x
     WHERE x.id = o.id AND x.kid IS NOT NULL;

    -- check-ins inside the cycle, up to now
    INSERT INTO okr.checkin (key_result_id, value, checked_at, confidence)
    SELECT x.kid,
           CASE x.kind WHEN 'milestone' THEN round(x.rv)::numeric
                       WHEN 'metric' THEN round((x.s + (x.t - x.s) * (x.rv * 1.4 - 0.2))::numeric, 2)
                       ELSE round((x.rv * 100)::numeric, 1) END,
           x.at, round(x.rc::numeric, 2)
      FROM (SELECT k.id AS kid, k.kind, k.start_value AS s, k.target_value AS t, random() AS rv, random() AS rc,
                   c.starts_on::timestamptz
                     + random() * (LEAST((c.ends_on + 1)::timestamptz, now()) - c.starts_on::timestamptz) AS at
              FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id
              JOIN okr.cycle c ON c.id = o.cycle_id, generate_series(1, floor(random() * 4 + 0 * k.id)::int) g
             WHERE k.kind NOT IN ('projects', 'objectives') AND c.starts_on::timestamptz < now()
             ORDER BY k.id, g) x
     ORDER BY random();

    -- projects and tasks (generate_series(1, random() + 0 * id): a new count per row)
    INSERT INTO okr.project (key_result_id, name, weight, state)
    SELECT k.id, format('P%s.%s', k.id, g), (ARRAY[0, 1, 1, 2]::float8[])[1 + floor(random() * 4)::int],
           (ARRAY['planned', 'active', 'active', 'done'])[1 + floor(random() * 4)::int]
      FROM okr.key_result k, generate_series(1, floor(random() * 3 + 0 * k.id)::int) g ORDER BY k.id, g;
    INSERT INTO okr.task (project_id, title, status, effort, done_at, due_on)
    SELECT x.pid, format('T%s.%s', x.pid, x.g), x.status, x.effort,
           CASE WHEN x.status = 'done' THEN timestamptz '2025-01-01' + x.rd * (now() - timestamptz '2025-01-01') END,
           CASE WHEN random() < 0.7 THEN date '2025-01-01' + floor(random() * 900)::int END
      FROM (SELECT p.id AS pid, g, (ARRAY['todo', 'doing', 'done', 'done', 'cancelled'])[1 + floor(random() * 5)::int] AS status,
                   (ARRAY[0.5, 1, 2, 3, 5]::float8[])[1 + floor(random() * 5)::int] AS effort, random() AS rd
              FROM okr.project p, generate_series(1, floor(random() * 5 + 0 * p.id)::int) g ORDER BY p.id, g) x;

    -- states last (closed and cancelled take no new children)
    UPDATE okr.project SET state = 'cancelled' WHERE random() < 0.15;
    UPDATE okr.key_result SET state = 'cancelled' WHERE random() < 0.1;
    UPDATE okr.objective SET state = (ARRAY['closed', 'closed', 'cancelled', 'draft'])[1 + floor(random() * 4)::int]
     WHERE random() < 0.3;
END;
$gen$;

-- ===================================================================
-- The comparison
-- ===================================================================
-- The rows of okr.<v> under a WHERE against those of okr_ref.<v>, as role r
-- (NULL: the owner): how many are in one and not the other (EXCEPT ALL both
-- ways).  The reference's rows are read once per setting, whole, into
-- ref_<v> (a WHERE on the views of before only drops rows: their figures
-- are those of the whole organisation), so only okr.<v> runs filtered.
CREATE FUNCTION pg_temp.read_reference(r text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['objective_report', 'key_result_report', 'project_report', 'objective_facts',
                             'team_report', 'cycle_report'] LOOP
        EXECUTE format('DROP TABLE IF EXISTS pg_temp.ref_%s', v);
        IF r IS NOT NULL THEN
            EXECUTE format('SET LOCAL ROLE %I', r);
        END IF;
        EXECUTE format('CREATE TEMP TABLE ref_%1$s AS SELECT * FROM okr_ref.%1$I', v);
        RESET ROLE;
    END LOOP;
END;
$$;

-- The view's rows as role r (the owner when NULL), into got_<view>: one
-- temporary table per view for the whole file, emptied each time (a table
-- created per comparison held its locks until the file's one transaction
-- ended: out of shared memory on a server with few connections).
CREATE FUNCTION pg_temp.fill_got(r text, v text, filter text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass(format('pg_temp.got_%s', v)) IS NULL THEN
        EXECUTE format('CREATE TEMP TABLE got_%1$s AS SELECT * FROM okr.%1$I WITH NO DATA', v);
        EXECUTE format('GRANT SELECT, INSERT ON pg_temp.got_%s TO PUBLIC', v);
    END IF;
    EXECUTE format('DELETE FROM pg_temp.got_%s', v);
    IF r IS NOT NULL THEN
        EXECUTE format('SET LOCAL ROLE %I', r);
    END IF;
    EXECUTE format('INSERT INTO pg_temp.got_%1$s SELECT * FROM okr.%1$I WHERE %2$s', v, filter);
    RESET ROLE;
END;
$$;

CREATE FUNCTION pg_temp.diff(r text, v text, filter text DEFAULT 'true') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM pg_temp.fill_got(r, v, filter);
    EXECUTE format('SELECT count(*) FROM ((TABLE pg_temp.got_%1$s EXCEPT ALL SELECT * FROM pg_temp.ref_%1$s WHERE %2$s)
                    UNION ALL (SELECT * FROM pg_temp.ref_%1$s WHERE %2$s EXCEPT ALL TABLE pg_temp.got_%1$s)) d',
                   v, filter) INTO n;
    RETURN n;
END;
$$;

-- team_report and cycle_report average floats over objective_facts, whose
-- rows now come in another order: a mean may differ in its last bits.  Rows
-- matched on their keys (bigint ids; -1 for none), every column equal but those means, within 1e-12.
CREATE FUNCTION pg_temp.diff_means(r text, v text, keys text[], filter text DEFAULT 'true') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    same text;
    n bigint;
BEGIN
    SELECT string_agg(CASE WHEN a.atttypid = 'float8'::regtype
                           THEN format('((g.%1$I IS NULL) = (x.%1$I IS NULL) AND coalesce(abs(g.%1$I - x.%1$I) < 1e-12, true))', a.attname)
                           ELSE format('g.%1$I IS NOT DISTINCT FROM x.%1$I', a.attname) END, ' AND ')
      INTO same
      FROM pg_attribute a WHERE a.attrelid = format('okr.%I', v)::regclass AND a.attnum > 0;
    PERFORM pg_temp.fill_got(r, v, filter);
    EXECUTE format('SELECT count(*) FROM pg_temp.got_%1$s g FULL JOIN (SELECT * FROM pg_temp.ref_%1$s WHERE %2$s) x ON %3$s WHERE NOT (%4$s)',
                   v, filter,
                   (SELECT string_agg(format('coalesce(g.%1$I, -1) = coalesce(x.%1$I, -1)', k), ' AND ') FROM unnest(keys) k),
                   same) INTO n;
    RETURN n;
END;
$$;

-- The same for each objective (objective_report, key_result_report and
-- project_report WHERE objective_id = it) and each team (objective_report
-- WHERE team_id = it) the role reads, every filter a statement of its own;
-- 'objectives/teams/differing rows'.
CREATE FUNCTION pg_temp.diff_filtered(r text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    teams bigint[];
    x bigint;
    n bigint := 0;
BEGIN
    IF r IS NOT NULL THEN
        EXECUTE format('SET LOCAL ROLE %I', r);
    END IF;
    ids := ARRAY(SELECT id FROM okr.objective ORDER BY id);
    teams := ARRAY(SELECT DISTINCT team_id FROM okr.objective WHERE team_id IS NOT NULL ORDER BY 1);
    RESET ROLE;
    FOREACH x IN ARRAY ids LOOP
        n := n + pg_temp.diff(r, 'objective_report', 'objective_id = ' || x)
               + pg_temp.diff(r, 'key_result_report', 'objective_id = ' || x)
               + pg_temp.diff(r, 'project_report', 'objective_id = ' || x)
               + pg_temp.diff(r, 'objective_facts', 'objective_id = ' || x);
    END LOOP;
    FOREACH x IN ARRAY teams LOOP
        n := n + pg_temp.diff(r, 'objective_report', 'team_id = ' || x)
               + pg_temp.diff_means(r, 'team_report', ARRAY['team_id', 'cycle_id'], 'team_id = ' || x);
    END LOOP;
    RETURN format('%s/%s/%s', cardinality(ids), cardinality(teams), n);
END;
$$;

-- Every comparison for one organisation, as one role at one setting
-- (okr.as_of, okr.known_at as given: '' for now, known now).
CREATE FUNCTION pg_temp.compare(seed int, r text, label text, as_of text, known_at text)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    who text := coalesce(r, 'the owner');
    f text;
BEGIN
    PERFORM set_config('okr.as_of', as_of, true);
    PERFORM set_config('okr.known_at', known_at, true);
    PERFORM pg_temp.read_reference(r);
    RETURN NEXT is(pg_temp.diff(r, 'objective_report'), 0::bigint,
                   format('seed %s, %s, %s: objective_report has the rows of before', seed, who, label));
    RETURN NEXT is(pg_temp.diff(r, 'key_result_report'), 0::bigint,
                   format('seed %s, %s, %s: key_result_report has the rows of before', seed, who, label));
    RETURN NEXT is(pg_temp.diff(r, 'project_report'), 0::bigint,
                   format('seed %s, %s, %s: project_report has the rows of before', seed, who, label));
    RETURN NEXT is(pg_temp.diff(r, 'objective_facts') + pg_temp.diff_means(r, 'team_report', ARRAY['team_id', 'cycle_id'])
                   + pg_temp.diff_means(r, 'cycle_report', ARRAY['cycle_id']),
                   0::bigint,
                   format('seed %s, %s, %s: objective_facts, team_report and cycle_report have the rows of before', seed, who, label));
    f := pg_temp.diff_filtered(r);
    RETURN NEXT ok(f ~ '^[1-9][0-9]*/[1-9][0-9]*/0$',
                   format('seed %s, %s, %s: filtered to each objective and each team, the rows of before (objectives/teams/differing: %s)',
                          seed, who, label, f));
    PERFORM set_config('okr.as_of', '', true);
    PERFORM set_config('okr.known_at', '', true);
END;
$$;

CREATE FUNCTION pg_temp.check_seed(seed int) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    PERFORM pg_temp.gen_org(seed);
    -- the reader reads Sales and below: others' private objectives are hidden
    PERFORM okr.grant_read('okr_vf_reader', seed * 10 + 2);
    -- the organisations cover what the views show
    SELECT format('scores %s, of closed objectives %s, parents %s, statuses %s, activity %s, aligned to key results %s, kept scores %s',
                  count(*) FILTER (WHERE score IS NOT NULL), count(*) FILTER (WHERE state = 'closed' AND score IS NOT NULL),
                  count(*) FILTER (WHERE parent_objective_id IS NOT NULL), count(DISTINCT status),
                  count(*) FILTER (WHERE activity IS NOT NULL),
                  (SELECT count(*) FROM okr.objective WHERE parent_key_result_id IS NOT NULL),
                  (SELECT count(*) FROM okr.frozen_score z JOIN okr.objective o ON o.id = z.id))
      INTO t FROM okr.objective_report;
    RETURN NEXT ok(t ~ '^scores [1-9][0-9]*, of closed objectives [1-9][0-9]*, parents [1-9][0-9]*, statuses ([4-9]|[1-9][0-9]), activity [1-9][0-9]*, aligned to key results [1-9][0-9]*, kept scores [1-9]',
                   format('seed %s covers what the views show: %s', seed, t));
    RETURN NEXT ok((SELECT count(*) FROM okr.objective)
                   > pg_temp.count_as('okr_vf_reader', 'okr.objective_report'),
                   format('seed %s: the reader reads fewer objectives than the owner', seed));
    FOR t IN
        SELECT pg_temp.compare(seed, r.r, m.label, m.as_of, m.known_at)
          FROM (VALUES (1, NULL), (2, 'okr_vf_reader')) r (n, r),
               (VALUES (1, 'now', '', ''),
                       (2, 'pinned to 2026-05-20', '2026-05-20 12:00+00', ''),
                       (3, 'pinned to 2025-11-01 as known a second ago', '2025-11-01 00:00+00',
                        (now() - interval '1 second')::text)) m (n, label, as_of, known_at)
         ORDER BY r.n, m.n
    LOOP
        RETURN NEXT t;
    END LOOP;
END;
$$;

CREATE FUNCTION pg_temp.count_as(r text, v text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE 'SELECT count(*) FROM ' || v INTO n;
    RESET ROLE;
    RETURN n;
END;
$$;

SELECT pg_temp.check_seed(1);
SELECT pg_temp.check_seed(2);

-- ===================================================================
-- A filter applies before the figures: the plan calls them per row kept
-- ===================================================================
-- "Function Scan on item_figures f (actual rows=R loops=L)": L calls
CREATE FUNCTION pg_temp.calls(q text, fn text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n int := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF line ~ ('Function Scan on ' || fn || ' ') THEN
            n := n + substring(line FROM 'loops=([0-9]+)')::int;
        END IF;
    END LOOP;
    RETURN n;
END;
$$;
SELECT is(current_user::text, session_user::text, 'the checks above left the role as it was');
CREATE TEMP TABLE one AS
SELECT o.id, o.team_id,
       (SELECT count(*) FROM okr.objective x WHERE x.team_id = o.team_id) AS team_n,
       (SELECT count(*) FROM okr.project p JOIN okr.key_result k ON k.id = p.key_result_id
         WHERE k.objective_id = o.id) AS projects_n,
       (SELECT count(*) FROM okr.objective) AS all_n
  FROM okr.objective o
 WHERE o.team_id IS NOT NULL
   AND EXISTS (SELECT FROM okr.key_result k JOIN okr.project p ON p.key_result_id = k.id WHERE k.objective_id = o.id)
 ORDER BY o.id LIMIT 1;
SELECT is(pg_temp.calls(format('SELECT * FROM okr.objective_report WHERE objective_id = %s', id), 'item_figures'), 1,
          'objective_report WHERE objective_id = X: the figures are computed for that row only')
  FROM one;
SELECT is(pg_temp.calls(format('SELECT * FROM okr.objective_report WHERE objective_id = %s', id), 'objective_path'), 1,
          'and its path too')
  FROM one;
SELECT is(pg_temp.calls(format('SELECT * FROM okr.objective_report WHERE team_id = %s', team_id), 'item_figures'), team_n::int,
          'objective_report WHERE team_id = T: once per objective of the team')
  FROM one;
SELECT is(pg_temp.calls(format('SELECT * FROM okr.project_report WHERE objective_id = %s', id), 'item_figures'), projects_n::int,
          'project_report WHERE objective_id = X: once per project of X')
  FROM one;
SELECT is(pg_temp.calls('SELECT * FROM okr.objective_report', 'item_figures'), all_n::int,
          'objective_report unfiltered: once per objective')
  FROM one;
-- and the view of before ran the rollup of the whole organisation
SELECT cmp_ok(pg_temp.calls(format('SELECT * FROM okr_ref.objective_report WHERE objective_id = %s', id), 'progress'), '>=', 1,
          'the view of before, filtered, still ran okr.progress() over everything (the measure can fail)')
  FROM one;

-- okr.item_figures at one call site for every item of every level in turn
-- (the views ask for one level a call site; a direct call may mix them)
SELECT is((SELECT count(*) FROM (
             (SELECT p.item, p.id, p.progress, p.activity, p.expected, p.status, p.cycle_id FROM okr.progress() p
              EXCEPT ALL
              SELECT x.item, x.id, f.progress, f.activity, f.expected, f.status, f.cycle_id
                FROM (SELECT p.item, p.id,
                             CASE p.item WHEN 'objective' THEN p.id
                                         WHEN 'key_result' THEN (SELECT k.objective_id FROM okr.key_result k WHERE k.id = p.id)
                                         ELSE (SELECT k.objective_id FROM okr.project j JOIN okr.key_result k ON k.id = j.key_result_id
                                                WHERE j.id = p.id) END AS oid
                        FROM okr.progress() p ORDER BY random()) x,
                     LATERAL okr.item_figures(x.item, x.id, x.oid, okr.as_of(), okr.known_at()) f)) d),
          0::bigint, 'okr.item_figures for every item, levels mixed at one call site, gives the rows of okr.progress()');
SELECT throws_ok($$SELECT * FROM okr.item_figures('task', 1, 1, now(), NULL)$$, '22023', NULL,
                 'okr.item_figures of an unknown item: 22023');

-- A PL/pgSQL simple expression keeps its function's cache (fn_extra) for the
-- transaction: a later statement that sees other rows must not get the
-- figures of before.
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'Cache A' FROM okr.cycle WHERE name = 'Y2025';
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT id, 'KR of Cache A', 'metric', 0, 10 FROM okr.objective WHERE title = 'Cache A';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, 4, '2025-06-01 12:00+00' FROM okr.key_result k WHERE k.title = 'KR of Cache A';
CREATE FUNCTION pg_temp.around_writes(oid bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c bigint := (SELECT cycle_id FROM okr.objective WHERE id = oid);
    e timestamptz := okr.cycle_end(c);
    r text := '';
    n bigint;
    sc float8;
BEGIN
    -- the same two expressions (call sites) evaluated twice, writes between
    FOR i IN 1 .. 2 LOOP
        n := okr.objective_key_results(oid);
        sc := okr.objective_score_at(oid, c, e, NULL);
        r := r || format('%s %s ', n, sc);
        IF i = 1 THEN
            INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight)
            VALUES (oid, 'KR 2 of Cache A', 'milestone', NULL, NULL, 0);
            INSERT INTO okr.checkin (key_result_id, value, checked_at)
            SELECT k.id, 8, '2025-07-01 12:00+00' FROM okr.key_result k
             WHERE k.objective_id = oid AND k.title = 'KR of Cache A';
        END IF;
    END LOOP;
    RETURN rtrim(r);
END;
$$;
SELECT is(pg_temp.around_writes(id), '1 0.4 2 0.8',
          'in PL/pgSQL, the counts and the score after writes are those of the rows then, not of the first call')
  FROM okr.objective WHERE title = 'Cache A';

-- ===================================================================
-- After okr.forget_history: scores never ask for a forgotten moment
-- ===================================================================
-- Regression (the first per-row version raised 22023 here, fuzz test 8):
-- cycle 2025 ended before the new horizon.  A closed objective keeps its
-- kept score; one never closed has no score any more (its end is
-- forgotten); the figures now are unchanged.
-- Two objectives of 2025 by hand: A stays active (0.4 at the end of
-- 2025), B is closed at 0.7 (its score kept).
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'Forget A' FROM okr.cycle WHERE name = 'Y2025';
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'Forget B' FROM okr.cycle WHERE name = 'Y2025';
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT id, 'KR of ' || title, 'metric', 0, 10 FROM okr.objective WHERE title IN ('Forget A', 'Forget B');
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, CASE o.title WHEN 'Forget A' THEN 4 ELSE 7 END, '2025-06-01 12:00+00'
  FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id WHERE o.title IN ('Forget A', 'Forget B');
UPDATE okr.objective SET state = 'closed' WHERE title = 'Forget B';
CREATE TEMP TABLE before_forget AS
SELECT objective_id, title, state, score, progress, status, cycle_ended FROM okr.objective_report;
SELECT results_eq($$SELECT title, score FROM before_forget WHERE title LIKE 'Forget _' ORDER BY title$$,
                  $$VALUES ('Forget A', 0.4::float8), ('Forget B', 0.7::float8)$$,
                  'before forgetting: A scores 0.4 at the end of 2025, B kept 0.7 when it was closed');
SELECT ok(okr.forget_history(now()) >= 0, 'okr.forget_history(now()): 2025 is before the horizon');
SELECT throws_ok('SELECT count(*) FROM okr_ref.objective_report', '22023', NULL,
                 'the view of before raises 22023 for the forgotten end of 2025');
SELECT lives_ok('SELECT * FROM okr.objective_report', 'objective_report reads after okr.forget_history');
SELECT is((SELECT count(*) FROM okr.objective_report r JOIN before_forget b USING (objective_id)
            WHERE r.score IS DISTINCT FROM CASE WHEN b.state = 'closed' THEN b.score
                                               WHEN r.cycle_ended THEN NULL ELSE b.score END
               OR r.progress IS DISTINCT FROM b.progress OR r.status IS DISTINCT FROM b.status),
          0::bigint,
          'closed objectives keep their kept scores, the others of ended cycles (2025, 2026 Q2) have none, every other figure is unchanged');
SELECT results_eq($$SELECT title, score, grade FROM okr.objective_report WHERE title LIKE 'Forget _' ORDER BY title$$,
                  $$VALUES ('Forget A', NULL::float8, NULL::text), ('Forget B', 0.7::float8, okr.grade(0.7, 'committed'))$$,
                  'after: A has no score (the end of 2025 is forgotten), B keeps 0.7 and its grade');
SELECT results_eq($$SELECT title, okr.objective_score(id) FROM okr.objective WHERE title LIKE 'Forget _' ORDER BY title$$,
                  $$VALUES ('Forget A', NULL::float8), ('Forget B', 0.7::float8)$$,
                  'okr.objective_score says the same (it raised 22023 for A)');

SELECT * FROM finish();
ROLLBACK;
