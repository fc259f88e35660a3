-- okr 1.0: reporting views for analysts and BI tools (SPEC 4).
--
-- Every view is WITH (security_invoker = true): it reads the tables as the
-- user who queries it, so grants and row-level security apply to the reader,
-- not to the extension's owner.  Columns have plain SQL types only (bigint,
-- integer, text, double precision, numeric, date, timestamptz, boolean and
-- one bigint[]), and every view and column has a COMMENT, which BI tools
-- show as descriptions when they sync the schema.
--
-- Figures are as of okr.as_of() (1.1: now(), unless the setting okr.as_of
-- pins the session to a moment, SPEC 8); stale, days since a check-in,
-- ended cycles, scores and overdue tasks are measured from that moment too.
-- 1.1 (issue 18): objective_report, key_result_report, project_report and
-- objective_facts compute a row's figures per row (okr.item_figures,
-- okr.objective_score_at, okr.objective_path and the counts below, in C),
-- so a WHERE on a row's own columns (objective_id, team_id, ...) applies
-- before any figure is computed and a filtered view costs what its rows'
-- subtrees cost.  Each call site keeps what it computed for the rest of the
-- statement, so a view read whole still costs one rollup of the
-- organisation (one more per distinct end of an ended cycle, for the
-- scores), never one per row.  The figures are those okr.progress() reports.
--
-- Hygiene: every function is called schema-qualified.  Operators are written
-- plainly for readability: a view stores the OIDs of the operators it uses,
-- resolved once, here, where CREATE EXTENSION has set search_path to
-- "pg_catalog, pg_temp" (the extension's schema is pg_catalog), so nothing a
-- user puts on a search_path can capture them later.  The regression test
-- sql/views.sql checks that every function and operator the views depend on
-- lives in pg_catalog or okr.
--
-- A ' › ' path joins titles from the root of the alignment tree down.  An
-- objective whose parent the reader cannot see (row-level security) counts
-- as a root, so every visible row appears.

------------------------------------------------------------------------------
-- okr.objective_tree(): the alignment tree as the caller sees it (1.1)
------------------------------------------------------------------------------
-- One row per objective the caller can read: its root, depth, the ids from
-- the root down to it and its ' › ' path of titles.  The views that show
-- paths read it rather than walking the tree themselves: PostgreSQL cannot
-- estimate a recursive walk (at 11,111 objectives it guessed 31 million
-- rows), and the cost it then put on every view made each query pay for JIT
-- compilation (about a second at that size, for a walk of 20 ms).  Planned
-- here, apart, with JIT off, a view sees one function scan instead.
-- SECURITY INVOKER: row-level security applies to the caller, as in the views.
CREATE FUNCTION okr.objective_tree()
RETURNS TABLE (id bigint, root_id bigint, depth integer, ids bigint[], path text)
LANGUAGE sql STABLE PARALLEL RESTRICTED ROWS 1000
SET search_path = pg_catalog, pg_temp
SET jit = off
BEGIN ATOMIC
    WITH RECURSIVE
    -- the objective each one aligns to: its parent, or its key result's objective
    links AS MATERIALIZED (
        SELECT o.id, o.title, COALESCE(o.parent_id, k.objective_id) AS parent_id
          FROM okr.objective o
          LEFT JOIN okr.key_result k ON k.id = o.parent_key_result_id
    ),
    tree AS (
        SELECT l.id, l.id AS root_id, 0 AS depth, ARRAY[l.id] AS ids, ARRAY[l.title] AS titles
          FROM links l
         WHERE l.parent_id IS NULL
            OR NOT EXISTS (SELECT FROM okr.objective p WHERE p.id = l.parent_id)
        UNION ALL
        SELECT l.id, t.root_id, t.depth + 1, t.ids || l.id, t.titles || l.title
          FROM tree t
          JOIN links l ON l.parent_id = t.id
    )
    -- (one path per objective: min() only makes it one row)
    SELECT t.id, min(t.root_id), min(t.depth), min(t.ids),
           min(array_to_string(t.titles, ' › '))
      FROM tree t
     GROUP BY t.id;
END;
COMMENT ON FUNCTION okr.objective_tree() IS
'The alignment tree as the caller sees it: each readable objective with its root, depth, ids from the root down and path of titles (an objective whose parent the caller cannot read is a root); what the views show as paths';

------------------------------------------------------------------------------
-- The figures of one row (1.1, issue 18; src/view_figures.c, src/view_path.c)
------------------------------------------------------------------------------
-- The views call these per row through LATERAL, so that a WHERE on a row's
-- own columns (objective_id, team_id, ...) is applied before any figure is
-- computed: a view filtered to one objective costs what its subtree costs.
-- A call site keeps the figures of the rollups it made for the statement, and
-- after a few subtrees (at once for a moment in the past) rolls up the
-- whole organisation once, so a view read whole costs one rollup.  Every
-- figure is the one okr.progress(as_of, known_at) reports for the item.
CREATE FUNCTION okr.item_figures(item text, id bigint, objective_id bigint,
                                 as_of timestamptz, known_at timestamptz)
RETURNS TABLE (progress double precision, activity double precision,
               expected double precision, status text, cycle_id bigint)
AS 'MODULE_PATHNAME', 'okr_item_figures'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1;
COMMENT ON FUNCTION okr.item_figures(text, bigint, bigint, timestamptz, timestamptz) IS
'The row of okr.progress(as_of, known_at) for one objective, key result or project (objective_id: the objective whose subtree holds it), computed from that subtree; no row when okr.progress has none for it. What the reporting views call per row';

CREATE FUNCTION okr.objective_score_at(objective_id bigint, cycle_id bigint,
                                       at timestamptz, known_at timestamptz)
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_objective_score_at'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.objective_score_at(bigint, bigint, timestamptz, timestamptz) IS
'An objective''s progress at the end of its cycle (at), as okr.progress(at, known_at) reports it while the objective was in that cycle; NULL otherwise, and for an end before the history horizon (okr.forget_history). The score the reporting views show for an objective without a kept score';

CREATE FUNCTION okr.objective_path(objective_id bigint)
RETURNS TABLE (depth integer, path text, parent_id bigint, parent_title text)
AS 'MODULE_PATHNAME', 'okr_objective_path'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1;
COMMENT ON FUNCTION okr.objective_path(bigint) IS
'Where one objective sits in the alignment tree as the caller sees it: its depth and '' › '' path of titles as okr.objective_tree() gives them (an objective whose parent the caller cannot read is a root), the objective it aligns to (its parent, or its key result''s objective) and that one''s title; no row when the caller cannot read it';

-- Counts of a row's parts (src/view_counts.c), in the select lists: a query
-- that does not select one does not count, a filtered one counts its rows'
-- parts only, a whole view counts in one pass.  As the caller (row-level
-- security applies).
CREATE FUNCTION okr.objective_key_results(objective_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'okr_objective_key_results'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.objective_key_results(bigint) IS
'Number of active key results of an objective that the caller can read';

CREATE FUNCTION okr.objective_children(objective_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'okr_objective_children'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.objective_children(bigint) IS
'Number of active and closed objectives whose parent is the objective, of those the caller can read';

CREATE FUNCTION okr.key_result_projects(key_result_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'okr_key_result_projects'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.key_result_projects(bigint) IS
'Number of projects of a key result that are not cancelled, of those the caller can read';

------------------------------------------------------------------------------
-- okr.objective_report
------------------------------------------------------------------------------
CREATE VIEW okr.objective_report WITH (security_invoker = true) AS
WITH RECURSIVE
cycles AS MATERIALIZED (
    SELECT c.id, c.name, c.starts_on, c.ends_on,
           okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
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
-- GROUP BY id proves one row per objective, so when a query selects no
-- forecast column the planner removes the join and okr.forecast is not run
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
       tr.parent_id                           AS parent_objective_id,
       tr.parent_title                        AS parent_title,
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
       okr.objective_key_results(o.id)        AS key_results,
       okr.objective_children(o.id)           AS child_objectives,
       c.ends_at < okr.as_of()                AS cycle_ended,
       s.score                                AS score,
       CASE WHEN o.state IN ('active', 'closed') THEN okr.grade(s.score, o.kind) END AS grade,
       fc.forecast_progress                   AS forecast_progress,
       fc.forecast_grade                      AS forecast_grade
  FROM okr.objective o
  LEFT JOIN cycles c        ON c.id = o.cycle_id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN team_paths tt   ON tt.id = o.team_id
  -- its place in the tree, and the objective it aligns to
  LEFT JOIN LATERAL okr.objective_path(o.id) tr ON true
  LEFT JOIN LATERAL okr.item_figures('objective', o.id, o.id, okr.as_of(), okr.known_at()) f ON true
  LEFT JOIN okr.frozen_score z ON z.id = o.id
  -- The score once its cycle has ended: a closed objective's is the one
  -- kept when it was closed (SPEC 7, as okr.objective_score says), else
  -- its progress at the end of the cycle.  (OFFSET 0: one call for score
  -- and grade.)
  LEFT JOIN LATERAL (
        SELECT CASE WHEN o.state = 'closed' AND z.id IS NOT NULL
                    THEN CASE WHEN f.cycle_id IS NOT NULL THEN z.score END
                    ELSE okr.objective_score_at(o.id, o.cycle_id, c.ends_at, okr.known_at())
               END AS score
         WHERE o.state IN ('active', 'closed') AND c.ends_at < okr.as_of()
        OFFSET 0) s ON true
  LEFT JOIN forecasts fc    ON fc.id = o.id;

------------------------------------------------------------------------------
-- okr.key_result_report
------------------------------------------------------------------------------
CREATE VIEW okr.key_result_report WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, c.name, c.starts_on::timestamptz AS starts_at,
           okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
-- one row per key result, proven by GROUP BY: see objective_report
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
       okr.key_result_projects(k.id)          AS projects,
       f.activity                             AS activity,
       f.activity - f.progress                AS outcome_gap,
       fc.forecast_value                      AS forecast_value,
       fc.forecast_progress                   AS forecast_progress
  FROM okr.key_result k
  LEFT JOIN okr.objective o ON o.id = k.objective_id
  LEFT JOIN cycles c        ON c.id = o.cycle_id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN LATERAL okr.item_figures('key_result', k.id, k.objective_id, okr.as_of(), okr.known_at()) f ON true
  LEFT JOIN forecasts fc    ON fc.id = k.id
  -- the latest check-in up to the moment: one probe of checkin_latest_idx
  LEFT JOIN LATERAL (
        SELECT ch.value, ch.confidence, ch.checked_at
          FROM okr.checkin ch
         WHERE ch.key_result_id = k.id AND ch.checked_at <= okr.as_of()
         ORDER BY ch.checked_at DESC, ch.id DESC
         LIMIT 1) l ON true;

------------------------------------------------------------------------------
-- okr.project_report
------------------------------------------------------------------------------
CREATE VIEW okr.project_report WITH (security_invoker = true) AS
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
  LEFT JOIN LATERAL okr.item_figures('project', p.id, k.objective_id, okr.as_of(), okr.known_at()) f ON true
  -- its tasks: one probe of the task table's project index per row
  LEFT JOIN LATERAL (
        SELECT pg_catalog.count(*) FILTER (WHERE t.status <> 'cancelled') AS tasks,
               pg_catalog.count(*) FILTER (WHERE t.status = 'todo')       AS todo,
               pg_catalog.count(*) FILTER (WHERE t.status = 'doing')      AS doing,
               pg_catalog.count(*) FILTER (WHERE t.status = 'done'
                                             AND t.done_at <= okr.as_of())     AS done,
               pg_catalog.count(*) FILTER (WHERE t.status = 'cancelled')  AS cancelled,
               -- open at the moment: todo or doing, or done only after it
               pg_catalog.count(*) FILTER (WHERE (t.status IN ('todo', 'doing')
                                                  OR (t.status = 'done' AND t.done_at > okr.as_of()))
                                             AND t.due_on < okr.as_of()::date) AS overdue,
               pg_catalog.sum(t.effort) FILTER (WHERE t.status = 'done'
                                                  AND t.done_at <= okr.as_of()) AS effort_done,
               pg_catalog.sum(t.effort) FILTER (WHERE t.status <> 'cancelled') AS effort_total
          FROM okr.task t
         WHERE t.project_id = p.id) t ON true;

------------------------------------------------------------------------------
-- okr.objective_facts: the per-objective figures team_report and
-- cycle_report aggregate (okr.item_figures and okr.objective_score_at per
-- row, as objective_report: one rollup now, one per distinct end of an
-- ended cycle for the scores; task effort from the sums the task trigger
-- maintains on okr.project, so no task is read).
--
-- One name, one figure: its activity and effort are those of every task
-- below the objective, aligned objectives included, as objective_report's
-- activity (okr.progress).  A team's or cycle's activity is then the union
-- of its objectives' subtrees, each task once: an objective below another
-- counted one of the same team (or cycle) is already in that one's effort,
-- which the within_* flags say.
------------------------------------------------------------------------------
CREATE VIEW okr.objective_facts WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
-- the objective each one aligns to: its parent, or its key result's objective
links AS MATERIALIZED (
    SELECT o.id, COALESCE(o.parent_id, k.objective_id) AS parent_id,
           o.team_id, o.cycle_id, o.state IN ('active', 'closed') AS counted
      FROM okr.objective o
      LEFT JOIN okr.key_result k ON k.id = o.parent_key_result_id
),
-- ids from the root down to each objective (a parent the reader cannot see
-- makes a root, as in objective_report)
paths AS (
    SELECT t.id, t.ids FROM okr.objective_tree() t
),
-- each objective with each of its ancestors (not itself)
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
-- Task effort under each objective's own key results, from the sums okr
-- maintains in okr.project_effort (no task is read), less the effort
-- of tasks done after now (possible only for a transaction that began
-- before they were done), as okr.progress does.
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
-- and below each objective: its own and that of every objective below it
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
  LEFT JOIN cycles c       ON c.id = o.cycle_id
  -- figures and score per row, as in objective_report
  LEFT JOIN LATERAL okr.item_figures('objective', o.id, o.id, okr.as_of(), okr.known_at()) f ON true
  LEFT JOIN okr.frozen_score z ON z.id = o.id
  LEFT JOIN LATERAL (
        SELECT CASE WHEN o.state = 'closed' AND z.id IS NOT NULL
                    THEN CASE WHEN f.cycle_id IS NOT NULL THEN z.score END
                    ELSE okr.objective_score_at(o.id, o.cycle_id, c.ends_at, okr.known_at())
               END AS score
         WHERE c.ends_at < okr.as_of()
        OFFSET 0) s ON true
  LEFT JOIN effort e       ON e.objective_id = o.id
  LEFT JOIN within w       ON w.id = o.id
  LEFT JOIN key_results kr ON kr.objective_id = o.id;

COMMENT ON VIEW okr.objective_facts IS 'One row per objective with the figures that team_report and cycle_report add up: progress, expected, status and activity now (the same figures as in objective_report), score and grade once its cycle has ended, the task effort below it';
COMMENT ON COLUMN okr.objective_facts.objective_id IS 'The objective';
COMMENT ON COLUMN okr.objective_facts.team_id IS 'Its team (NULL when it has none)';
COMMENT ON COLUMN okr.objective_facts.cycle_id IS 'Its cycle';
COMMENT ON COLUMN okr.objective_facts.kind IS 'committed or aspirational';
COMMENT ON COLUMN okr.objective_facts.state IS 'draft, active, closed or cancelled';
COMMENT ON COLUMN okr.objective_facts.counted IS 'True for active and closed objectives, the ones team and cycle means count';
COMMENT ON COLUMN okr.objective_facts.progress IS 'Progress now (0 to 1); NULL when nothing under it is scored';
COMMENT ON COLUMN okr.objective_facts.expected IS 'Expected progress now, 0 to 1, as in objective_report: the weighted mean of the expected progress of the items counted in its progress; with none, the share of its cycle elapsed';
COMMENT ON COLUMN okr.objective_facts.status IS 'Status now, as okr.progress reports it';
COMMENT ON COLUMN okr.objective_facts.score IS 'Progress at the end of its cycle, once the cycle has ended';
COMMENT ON COLUMN okr.objective_facts.grade IS 'green, yellow or red for the score';
COMMENT ON COLUMN okr.objective_facts.activity IS 'Share of task effort done, 0 to 1, over all non-cancelled tasks below the objective, aligned objectives included (effort_done / effort_total, as objective_report.activity); NULL when there are no tasks';
COMMENT ON COLUMN okr.objective_facts.effort_total IS 'Effort of the non-cancelled tasks below the objective, aligned objectives included (NULL with no projects below it)';
COMMENT ON COLUMN okr.objective_facts.effort_done IS 'Of which done by now';
COMMENT ON COLUMN okr.objective_facts.within_team IS 'True when an active or closed objective of the same team and cycle lies above it: its tasks are already in that one''s effort, so team_report counts them once';
COMMENT ON COLUMN okr.objective_facts.within_cycle IS 'True when an active or closed objective of the same cycle lies above it: its tasks are already in that one''s effort, so cycle_report counts them once';
COMMENT ON COLUMN okr.objective_facts.key_results IS 'Number of its active key results';

------------------------------------------------------------------------------
-- okr.team_report: one row per team and cycle in which the team has
-- objectives (objectives without a team form a row with team_id NULL).
------------------------------------------------------------------------------
CREATE VIEW okr.team_report WITH (security_invoker = true) AS
WITH RECURSIVE
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
-- an objective below another counted one of the team and cycle adds no
-- effort of its own: that one's effort already holds it
objectives AS (
    SELECT x.team_id, x.cycle_id, x.status,
           CASE WHEN NOT x.within_team THEN x.effort_total END AS total,
           CASE WHEN NOT x.within_team THEN x.effort_done END AS done,
           x.counted, x.progress, x.expected, x.score, x.grade
      FROM okr.objective_facts x
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
-- one row per team, which the planner knows even without statistics
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

------------------------------------------------------------------------------
-- okr.cycle_report: one row per cycle, with or without objectives.
------------------------------------------------------------------------------
CREATE VIEW okr.cycle_report WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
-- (as in team_report, each task once: see objective_facts.within_cycle)
objectives AS (
    SELECT x.cycle_id, x.team_id, x.status,
           CASE WHEN NOT x.within_cycle THEN x.effort_total END AS total,
           CASE WHEN NOT x.within_cycle THEN x.effort_done END AS done,
           x.key_results, x.counted, x.progress, x.expected, x.score, x.grade
      FROM okr.objective_facts x
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

------------------------------------------------------------------------------
-- okr.alignment: the objective tree flattened for drill-down.
------------------------------------------------------------------------------
CREATE VIEW okr.alignment WITH (security_invoker = true) AS
WITH
-- the objective each one aligns to: its parent, or its key result's objective
links AS MATERIALIZED (
    SELECT o.id, o.title, COALESCE(o.parent_id, k.objective_id) AS parent_id
      FROM okr.objective o
      LEFT JOIN okr.key_result k ON k.id = o.parent_key_result_id
),
paths AS (
    SELECT t.id, t.root_id, t.depth, t.ids, t.path FROM okr.objective_tree() t
),
parents AS (
    SELECT DISTINCT l.parent_id AS id
      FROM links l
     WHERE l.parent_id IS NOT NULL
)
SELECT o.id                                   AS objective_id,
       o.title                                AS title,
       ln.parent_id                           AS parent_objective_id,
       o.parent_key_result_id                 AS via_key_result_id,
       t.root_id                              AS root_objective_id,
       r.title                                AS root_title,
       t.depth                                AS depth,
       t.ids                                  AS id_path,
       t.path                                 AS path,
       pa.id IS NULL                          AS is_leaf,
       o.team_id                              AS team_id,
       tm.name                                AS team_name,
       o.cycle_id                             AS cycle_id,
       c.name                                 AS cycle_name,
       o.state                                AS state
  FROM okr.objective o
  LEFT JOIN links ln        ON ln.id = o.id
  LEFT JOIN paths t         ON t.id = o.id
  LEFT JOIN okr.objective r ON r.id = t.root_id
  LEFT JOIN parents pa      ON pa.id = o.id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN okr.cycle c     ON c.id = o.cycle_id;

------------------------------------------------------------------------------
-- Descriptions for analysts (BI tools show them when they sync the schema)
------------------------------------------------------------------------------

COMMENT ON VIEW okr.objective_report IS
'One row per objective, with its progress as of okr.as_of() (now, unless the okr.as_of setting pins a moment), where it sits in the alignment tree and, once its cycle has ended, its score and grade. Progress, expected and activity are shares from 0 to 1.';
COMMENT ON COLUMN okr.objective_report.objective_id IS 'Id of the objective (okr.objective.id)';
COMMENT ON COLUMN okr.objective_report.title IS 'What the objective wants to achieve';
COMMENT ON COLUMN okr.objective_report.cycle_id IS 'Id of the goal period (okr.cycle.id) the objective belongs to';
COMMENT ON COLUMN okr.objective_report.cycle_name IS 'Name of the goal period, e.g. Q3 2026';
COMMENT ON COLUMN okr.objective_report.cycle_starts_on IS 'First day of the goal period';
COMMENT ON COLUMN okr.objective_report.cycle_ends_on IS 'Last day of the goal period (inclusive)';
COMMENT ON COLUMN okr.objective_report.team_id IS 'Id of the owning team (okr.team.id); NULL when no team is set';
COMMENT ON COLUMN okr.objective_report.team_name IS 'Name of the owning team';
COMMENT ON COLUMN okr.objective_report.team_path IS 'The owning team''s place in the org chart, top down, e.g. Company › Sales › EMEA Sales';
COMMENT ON COLUMN okr.objective_report.owner IS 'Person responsible for the objective';
COMMENT ON COLUMN okr.objective_report.parent_objective_id IS 'Id of the objective this one aligns to, directly or through one of its key results; NULL for a top-level objective';
COMMENT ON COLUMN okr.objective_report.parent_title IS 'Title of the objective this one aligns to';
COMMENT ON COLUMN okr.objective_report.depth IS 'Level in the alignment tree: 0 for a top-level objective, 1 for one aligned directly below it, and so on';
COMMENT ON COLUMN okr.objective_report.path IS 'Titles of the objectives from the top-level one down to this one, separated by › (alignment path)';
COMMENT ON COLUMN okr.objective_report.kind IS 'committed (must be fully achieved) or aspirational (a stretch goal: 0.7 counts as a success)';
COMMENT ON COLUMN okr.objective_report.state IS 'draft, active, closed or cancelled; only active and closed objectives count towards their parent';
COMMENT ON COLUMN okr.objective_report.weight IS 'Importance relative to its siblings when its parent''s progress is averaged (0 counts for nothing)';
COMMENT ON COLUMN okr.objective_report.rollup IS 'What the progress is averaged over: both (key results and aligned child objectives), key_results or children';
COMMENT ON COLUMN okr.objective_report.progress IS 'Outcome progress now, 0 to 1: weighted mean of its active key results and active or closed child objectives; NULL when nothing under it is scored';
COMMENT ON COLUMN okr.objective_report.expected IS 'Expected progress now, 0 to 1: the weighted mean of the expected progress of the items counted in its progress (a key result''s is the share of its cycle elapsed), so a child objective of a later quarter counts 0 until its quarter starts; with no counted items, the share of its own cycle elapsed';
COMMENT ON COLUMN okr.objective_report.status IS 'on_track, at_risk, off_track (progress against expected), achieved, not_scored, not_started (period not begun); draft, closed or cancelled objectives show their state';
COMMENT ON COLUMN okr.objective_report.activity IS 'Share of task effort done, 0 to 1, over all non-cancelled tasks below the objective, aligned objectives included; NULL when there are no tasks';
COMMENT ON COLUMN okr.objective_report.outcome_gap IS 'activity minus progress: large and positive means busy without moving the results; negative means results moving with little of the planned work done';
COMMENT ON COLUMN okr.objective_report.key_results IS 'Number of active key results (cancelled ones are not counted)';
COMMENT ON COLUMN okr.objective_report.child_objectives IS 'Number of aligned child objectives that are active or closed (drafts and cancelled ones are not counted)';
COMMENT ON COLUMN okr.objective_report.cycle_ended IS 'True once the goal period is over (okr.as_of(), now unless pinned, is past the end of its last day)';
COMMENT ON COLUMN okr.objective_report.score IS 'Final score, 0 to 1: progress as of the last moment of the goal period; NULL until the period has ended, for drafts and cancelled objectives, and when nothing is scored';
COMMENT ON COLUMN okr.objective_report.grade IS 'green, yellow or red for the score: aspirational green from 0.7, yellow from 0.4; committed green only at 1, yellow from 0.7; NULL when there is no score';
COMMENT ON COLUMN okr.objective_report.forecast_progress IS 'Where progress will be at the end of the goal period at the pace seen so far, 0 to 1: the weighted mean of its items'' forecasts (okr.forecast); NULL when none can be forecast yet';
COMMENT ON COLUMN okr.objective_report.forecast_grade IS 'green, yellow or red for forecast_progress, as the score would be graded';

COMMENT ON VIEW okr.key_result_report IS
'One row per key result: its measured value, progress and attainment as of okr.as_of() (now, unless the okr.as_of setting pins a moment), the latest check-in and whether it has gone stale, and the work (projects, activity) behind it.';
COMMENT ON COLUMN okr.key_result_report.key_result_id IS 'Id of the key result (okr.key_result.id)';
COMMENT ON COLUMN okr.key_result_report.title IS 'The outcome being measured';
COMMENT ON COLUMN okr.key_result_report.objective_id IS 'Id of the objective the key result measures';
COMMENT ON COLUMN okr.key_result_report.objective_title IS 'Title of the objective the key result measures';
COMMENT ON COLUMN okr.key_result_report.cycle_id IS 'Id of the goal period of its objective';
COMMENT ON COLUMN okr.key_result_report.cycle_name IS 'Name of the goal period of its objective';
COMMENT ON COLUMN okr.key_result_report.team_id IS 'Id of the team owning its objective; NULL when no team is set';
COMMENT ON COLUMN okr.key_result_report.team_name IS 'Name of the team owning its objective';
COMMENT ON COLUMN okr.key_result_report.owner IS 'Person responsible for the key result';
COMMENT ON COLUMN okr.key_result_report.kind IS 'metric (from start_value to target_value), at_least / at_most (reach or stay within target_value), milestone (0 or 1) or projects (progress comes from its projects)';
COMMENT ON COLUMN okr.key_result_report.state IS 'active or cancelled; cancelled key results do not count towards their objective';
COMMENT ON COLUMN okr.key_result_report.weight IS 'Importance relative to the other items of its objective (0 counts for nothing)';
COMMENT ON COLUMN okr.key_result_report.start_value IS 'Baseline value where the metric started';
COMMENT ON COLUMN okr.key_result_report.target_value IS 'Value to reach (or, for at_most, not to exceed)';
COMMENT ON COLUMN okr.key_result_report.current_value IS 'Value of the latest check-in up to now; NULL with none (equals okr.key_result.current_value unless a check-in is dated in the future)';
COMMENT ON COLUMN okr.key_result_report.unit IS 'Unit of the values, e.g. M$, leads, %';
COMMENT ON COLUMN okr.key_result_report.progress IS 'Progress now, 0 to 1: for a metric (current - start) / (target - start) kept within 0..1; 1 or 0 for at_least, at_most and milestone; the weighted mean of its projects for kind projects';
COMMENT ON COLUMN okr.key_result_report.attainment IS 'Like progress but not capped for metrics, so over- and under-shooting show (1.2 = 120 % of the way to target, negative = moved away from it); equals progress for the other kinds';
COMMENT ON COLUMN okr.key_result_report.expected IS 'Expected progress now, 0 to 1: the share of its objective''s goal period elapsed; for kind objectives, the weighted mean of the expected progress of the objectives aligned to it that count';
COMMENT ON COLUMN okr.key_result_report.status IS 'on_track, at_risk, off_track (progress against expected), achieved or not_started; cancelled key results show cancelled';
COMMENT ON COLUMN okr.key_result_report.confidence IS 'Confidence (0 to 1) given with the latest check-in up to now that the target will be reached';
COMMENT ON COLUMN okr.key_result_report.last_checkin_at IS 'Time of the latest check-in up to now; NULL when there has been none';
COMMENT ON COLUMN okr.key_result_report.days_since_checkin IS 'Calendar days from the latest check-in to the day of okr.as_of() (today unless pinned; session time zone); NULL when there has been none';
COMMENT ON COLUMN okr.key_result_report.stale IS 'True when the key result is being tracked now (active, its objective active, its goal period running, not of kind projects) and has had no check-in for the okr.stale_after setting (default 14 days), counting from the start of the period when it never had one; false otherwise';
COMMENT ON COLUMN okr.key_result_report.projects IS 'Number of projects (initiatives) under the key result that are not cancelled';
COMMENT ON COLUMN okr.key_result_report.activity IS 'Share of task effort done, 0 to 1, over the non-cancelled tasks of its projects and of the objectives aligned to it; NULL when there are no tasks';
COMMENT ON COLUMN okr.key_result_report.outcome_gap IS 'activity minus progress: large and positive means busy without moving the result';
COMMENT ON COLUMN okr.key_result_report.forecast_value IS 'Value at the end of the goal period on the least-squares line through the check-ins of the period so far (a metric from its start_value at the start); NULL for other kinds and with fewer than two points at distinct times';
COMMENT ON COLUMN okr.key_result_report.forecast_progress IS 'Progress at the end of the goal period at the pace seen so far, 0 to 1 (okr.forecast): the progress of forecast_value; a milestone''s progress; the weighted mean of its projects'' or objectives'' forecasts';

COMMENT ON VIEW okr.project_report IS
'One row per project (an initiative meant to move a key result): its progress as of okr.as_of() (now, unless the okr.as_of setting pins a moment) and its tasks by status and effort.';
COMMENT ON COLUMN okr.project_report.project_id IS 'Id of the project (okr.project.id)';
COMMENT ON COLUMN okr.project_report.name IS 'Name of the project';
COMMENT ON COLUMN okr.project_report.owner IS 'Person responsible for the project';
COMMENT ON COLUMN okr.project_report.state IS 'planned, active, done or cancelled';
COMMENT ON COLUMN okr.project_report.weight IS 'Importance relative to the other projects of its key result';
COMMENT ON COLUMN okr.project_report.key_result_id IS 'Id of the key result the project should move';
COMMENT ON COLUMN okr.project_report.key_result_title IS 'Title of the key result the project should move';
COMMENT ON COLUMN okr.project_report.objective_id IS 'Id of the objective above its key result';
COMMENT ON COLUMN okr.project_report.objective_title IS 'Title of the objective above its key result';
COMMENT ON COLUMN okr.project_report.team_id IS 'Id of the team owning that objective; NULL when no team is set';
COMMENT ON COLUMN okr.project_report.team_name IS 'Name of the team owning that objective';
COMMENT ON COLUMN okr.project_report.cycle_id IS 'Id of the goal period of that objective';
COMMENT ON COLUMN okr.project_report.cycle_name IS 'Name of the goal period of that objective';
COMMENT ON COLUMN okr.project_report.progress IS 'Progress now, 0 to 1: the share of its non-cancelled task effort done; with no tasks, 1 when the project is done, else 0';
COMMENT ON COLUMN okr.project_report.activity IS 'Share of its non-cancelled task effort done, 0 to 1; NULL when it has no tasks';
COMMENT ON COLUMN okr.project_report.expected IS 'Share of the goal period elapsed now, 0 to 1';
COMMENT ON COLUMN okr.project_report.status IS 'on_track, at_risk, off_track, achieved or not_started for an active project; planned, done or cancelled projects show their state';
COMMENT ON COLUMN okr.project_report.tasks IS 'Number of tasks that are not cancelled';
COMMENT ON COLUMN okr.project_report.tasks_todo IS 'Number of tasks not started (status todo)';
COMMENT ON COLUMN okr.project_report.tasks_doing IS 'Number of tasks in progress (status doing)';
COMMENT ON COLUMN okr.project_report.tasks_done IS 'Number of tasks done by okr.as_of() (now unless pinned)';
COMMENT ON COLUMN okr.project_report.tasks_cancelled IS 'Number of cancelled tasks (they count for nothing)';
COMMENT ON COLUMN okr.project_report.tasks_overdue IS 'Number of tasks open at okr.as_of() (todo or doing, or done only later) whose due date is before that day (today unless pinned)';
COMMENT ON COLUMN okr.project_report.effort_done IS 'Effort of the tasks done by okr.as_of() (now unless pinned)';
COMMENT ON COLUMN okr.project_report.effort_total IS 'Effort of all tasks that are not cancelled';

COMMENT ON VIEW okr.team_report IS
'One row per team and goal period in which the team owns objectives (objectives without a team form a row with an empty team): how many objectives stand where, average progress against the work done, and, once the period has ended, the score distribution. Averages are plain means over the team''s active and closed objectives: an objective''s weight only ranks it among its siblings, so it is not used here.';
COMMENT ON COLUMN okr.team_report.team_id IS 'Id of the team (okr.team.id); NULL for objectives without a team';
COMMENT ON COLUMN okr.team_report.team_name IS 'Name of the team';
COMMENT ON COLUMN okr.team_report.team_path IS 'The team''s place in the org chart, top down, e.g. Company › Sales › EMEA Sales';
COMMENT ON COLUMN okr.team_report.cycle_id IS 'Id of the goal period (okr.cycle.id)';
COMMENT ON COLUMN okr.team_report.cycle_name IS 'Name of the goal period';
COMMENT ON COLUMN okr.team_report.cycle_starts_on IS 'First day of the goal period';
COMMENT ON COLUMN okr.team_report.cycle_ends_on IS 'Last day of the goal period (inclusive)';
COMMENT ON COLUMN okr.team_report.expected IS 'Expected progress now, 0 to 1, to set against mean_progress: the mean of objective_report.expected over the same objectives (its active and closed objectives that are scored; with none scored, all its active and closed ones; with none, elapsed)';
COMMENT ON COLUMN okr.team_report.elapsed IS 'Share of the goal period elapsed now, 0 to 1';
COMMENT ON COLUMN okr.team_report.cycle_ended IS 'True once the goal period is over';
COMMENT ON COLUMN okr.team_report.objectives IS 'Number of the team''s objectives in the period, in any state; the status columns add up to it';
COMMENT ON COLUMN okr.team_report.on_track IS 'Number of its objectives on track';
COMMENT ON COLUMN okr.team_report.at_risk IS 'Number of its objectives at risk';
COMMENT ON COLUMN okr.team_report.off_track IS 'Number of its objectives off track';
COMMENT ON COLUMN okr.team_report.achieved IS 'Number of its objectives fully achieved (progress 1)';
COMMENT ON COLUMN okr.team_report.not_scored IS 'Number of its active objectives with nothing scored under them yet';
COMMENT ON COLUMN okr.team_report.not_started IS 'Number of its active objectives whose period has not begun';
COMMENT ON COLUMN okr.team_report.draft IS 'Number of its draft objectives';
COMMENT ON COLUMN okr.team_report.closed IS 'Number of its closed objectives';
COMMENT ON COLUMN okr.team_report.cancelled IS 'Number of its cancelled objectives';
COMMENT ON COLUMN okr.team_report.mean_progress IS 'Average progress now, 0 to 1, of its active and closed objectives that are scored';
COMMENT ON COLUMN okr.team_report.activity IS 'Share of task effort done, 0 to 1, over all non-cancelled tasks below its active and closed objectives, aligned objectives included (of any team), each task counted once: for a team with one objective, that objective''s activity in objective_report; NULL with no tasks';
COMMENT ON COLUMN okr.team_report.outcome_gap IS 'activity minus mean_progress: large and positive means the team is busy without moving its results';
COMMENT ON COLUMN okr.team_report.mean_score IS 'Average final score, 0 to 1, of its active and closed objectives; NULL until the period has ended';
COMMENT ON COLUMN okr.team_report.green IS 'Number of its objectives graded green; NULL until the period has ended';
COMMENT ON COLUMN okr.team_report.yellow IS 'Number of its objectives graded yellow; NULL until the period has ended';
COMMENT ON COLUMN okr.team_report.red IS 'Number of its objectives graded red; NULL until the period has ended';

COMMENT ON VIEW okr.cycle_report IS
'One row per goal period (a year, a quarter): how many objectives stand where, average progress against the work done, and, once the period has ended, the score distribution. Averages are plain means over its active and closed objectives.';
COMMENT ON COLUMN okr.cycle_report.cycle_id IS 'Id of the goal period (okr.cycle.id)';
COMMENT ON COLUMN okr.cycle_report.cycle_name IS 'Name of the goal period, e.g. Q3 2026';
COMMENT ON COLUMN okr.cycle_report.parent_cycle_id IS 'Id of the period it lies in (a quarter''s year); NULL for a top-level period';
COMMENT ON COLUMN okr.cycle_report.parent_cycle_name IS 'Name of the period it lies in';
COMMENT ON COLUMN okr.cycle_report.starts_on IS 'First day of the period';
COMMENT ON COLUMN okr.cycle_report.ends_on IS 'Last day of the period (inclusive)';
COMMENT ON COLUMN okr.cycle_report.expected IS 'Expected progress now, 0 to 1, to set against mean_progress: the mean of objective_report.expected over the same objectives (its active and closed objectives that are scored; with none scored, all its active and closed ones; with none, elapsed)';
COMMENT ON COLUMN okr.cycle_report.elapsed IS 'Share of the period elapsed now, 0 to 1';
COMMENT ON COLUMN okr.cycle_report.cycle_ended IS 'True once the period is over';
COMMENT ON COLUMN okr.cycle_report.objectives IS 'Number of objectives in the period, in any state; the status columns add up to it';
COMMENT ON COLUMN okr.cycle_report.teams IS 'Number of teams owning objectives in the period';
COMMENT ON COLUMN okr.cycle_report.key_results IS 'Number of active key results of its active and closed objectives';
COMMENT ON COLUMN okr.cycle_report.on_track IS 'Number of objectives on track';
COMMENT ON COLUMN okr.cycle_report.at_risk IS 'Number of objectives at risk';
COMMENT ON COLUMN okr.cycle_report.off_track IS 'Number of objectives off track';
COMMENT ON COLUMN okr.cycle_report.achieved IS 'Number of objectives fully achieved (progress 1)';
COMMENT ON COLUMN okr.cycle_report.not_scored IS 'Number of active objectives with nothing scored under them yet';
COMMENT ON COLUMN okr.cycle_report.not_started IS 'Number of active objectives, when the period has not begun';
COMMENT ON COLUMN okr.cycle_report.draft IS 'Number of draft objectives';
COMMENT ON COLUMN okr.cycle_report.closed IS 'Number of closed objectives';
COMMENT ON COLUMN okr.cycle_report.cancelled IS 'Number of cancelled objectives';
COMMENT ON COLUMN okr.cycle_report.mean_progress IS 'Average progress now, 0 to 1, of its active and closed objectives that are scored';
COMMENT ON COLUMN okr.cycle_report.activity IS 'Share of task effort done, 0 to 1, over all non-cancelled tasks below its active and closed objectives, aligned objectives included (of any cycle), each task counted once: for a cycle with one objective, that objective''s activity in objective_report; NULL with no tasks';
COMMENT ON COLUMN okr.cycle_report.outcome_gap IS 'activity minus mean_progress: large and positive means much work done without moving the results';
COMMENT ON COLUMN okr.cycle_report.mean_score IS 'Average final score, 0 to 1, of its active and closed objectives; NULL until the period has ended';
COMMENT ON COLUMN okr.cycle_report.green IS 'Number of objectives graded green; NULL until the period has ended';
COMMENT ON COLUMN okr.cycle_report.yellow IS 'Number of objectives graded yellow; NULL until the period has ended';
COMMENT ON COLUMN okr.cycle_report.red IS 'Number of objectives graded red; NULL until the period has ended';

COMMENT ON VIEW okr.alignment IS
'The alignment tree of objectives flattened for drill-down: one row per objective with its top-level objective, its depth and its path. ORDER BY id_path lists the tree top down, each objective followed by those aligned below it.';
COMMENT ON COLUMN okr.alignment.objective_id IS 'Id of the objective (okr.objective.id)';
COMMENT ON COLUMN okr.alignment.title IS 'Title of the objective';
COMMENT ON COLUMN okr.alignment.parent_objective_id IS 'Id of the objective it aligns to, directly or through one of its key results (via_key_result_id); NULL for a top-level objective';
COMMENT ON COLUMN okr.alignment.via_key_result_id IS 'Id of the key result it aligns to (okr.objective.parent_key_result_id); NULL when it aligns to an objective directly';
COMMENT ON COLUMN okr.alignment.root_objective_id IS 'Id of the top-level objective at the root of its branch (itself for a top-level objective)';
COMMENT ON COLUMN okr.alignment.root_title IS 'Title of the top-level objective at the root of its branch';
COMMENT ON COLUMN okr.alignment.depth IS 'Level in the tree: 0 for a top-level objective, 1 for one aligned directly below it, and so on';
COMMENT ON COLUMN okr.alignment.id_path IS 'Ids of the objectives from the root down to this one (bigint array); sorting by it gives the tree top down';
COMMENT ON COLUMN okr.alignment.path IS 'Titles of the objectives from the root down to this one, separated by ›';
COMMENT ON COLUMN okr.alignment.is_leaf IS 'True when no objective aligns to this one';
COMMENT ON COLUMN okr.alignment.team_id IS 'Id of the owning team; NULL when no team is set';
COMMENT ON COLUMN okr.alignment.team_name IS 'Name of the owning team';
COMMENT ON COLUMN okr.alignment.cycle_id IS 'Id of the goal period of the objective';
COMMENT ON COLUMN okr.alignment.cycle_name IS 'Name of the goal period of the objective';
COMMENT ON COLUMN okr.alignment.state IS 'draft, active, closed or cancelled';
