-- okr 1.0: schema and tables (SPEC 1).
-- Every name is schema-qualified; nothing here depends on search_path.
\echo Use "CREATE EXTENSION okr" to load this file. \quit

CREATE SCHEMA okr;
COMMENT ON SCHEMA okr IS 'OKR engine: objectives, key results, check-ins, projects, tasks and their progress';
REVOKE ALL ON SCHEMA okr FROM PUBLIC;

CREATE TABLE okr.cycle (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name      text NOT NULL UNIQUE,
    starts_on date NOT NULL,
    ends_on   date NOT NULL,
    parent_id bigint REFERENCES okr.cycle (id),
    CONSTRAINT cycle_dates_ordered CHECK (starts_on OPERATOR(pg_catalog.<=) ends_on),
    CONSTRAINT cycle_dates_finite CHECK (pg_catalog.isfinite(starts_on) AND pg_catalog.isfinite(ends_on)),
    -- far enough inside timestamptz's range that a cycle's bounds always exist
    CONSTRAINT cycle_dates_in_range CHECK (starts_on OPERATOR(pg_catalog.>=) '0001-01-01'::date
                                           AND ends_on OPERATOR(pg_catalog.<) '10000-01-01'::date)
);
CREATE INDEX cycle_parent_idx ON okr.cycle (parent_id);
COMMENT ON TABLE okr.cycle IS 'Goal periods (a quarter, a year); dates are inclusive; a child cycle lies inside its parent';

CREATE TABLE okr.team (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name      text NOT NULL UNIQUE,
    parent_id bigint REFERENCES okr.team (id)
);
CREATE INDEX team_parent_idx ON okr.team (parent_id);
COMMENT ON TABLE okr.team IS 'The org chart';

CREATE TABLE okr.objective (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id  bigint NOT NULL REFERENCES okr.cycle (id),
    parent_id bigint REFERENCES okr.objective (id),
    team_id   bigint REFERENCES okr.team (id),
    title     text NOT NULL,
    owner     text,
    kind      text NOT NULL DEFAULT 'committed',
    weight    double precision NOT NULL DEFAULT 1,
    rollup    text NOT NULL DEFAULT 'both',
    state     text NOT NULL DEFAULT 'active',
    CONSTRAINT objective_kind_valid CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['committed', 'aspirational'])),
    CONSTRAINT objective_weight_valid CHECK (weight OPERATOR(pg_catalog.>=) 0 AND weight OPERATOR(pg_catalog.<) 'Infinity'::double precision),
    CONSTRAINT objective_rollup_valid CHECK (rollup OPERATOR(pg_catalog.=) ANY (ARRAY['both', 'key_results', 'children'])),
    CONSTRAINT objective_state_valid CHECK (state OPERATOR(pg_catalog.=) ANY (ARRAY['draft', 'active', 'closed', 'cancelled'])),
    -- A unique key only so that changing the state or the cycle is a key
    -- update: such an update waits for the transactions adding rows under
    -- this objective (they hold FOR KEY SHARE on it, rule 6) and they wait
    -- for it (README, "Concurrency").  A rename or a new owner is not.
    CONSTRAINT objective_link_key UNIQUE (id, cycle_id, state)
);
CREATE INDEX objective_parent_idx ON okr.objective (parent_id);
CREATE INDEX objective_cycle_idx ON okr.objective (cycle_id);
CREATE INDEX objective_team_idx ON okr.objective (team_id);
COMMENT ON TABLE okr.objective IS 'What we want to achieve; aligns to a parent objective whose cycle covers its own';

CREATE TABLE okr.key_result (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    objective_id  bigint NOT NULL REFERENCES okr.objective (id),
    title         text NOT NULL,
    owner         text,
    kind          text NOT NULL DEFAULT 'metric',
    start_value   numeric,
    target_value  numeric,
    current_value numeric,
    unit          text,
    weight        double precision NOT NULL DEFAULT 1,
    state         text NOT NULL DEFAULT 'active',
    -- Maintained with current_value: checked_at of the latest check-in, and
    -- the progress at current_value (NULL for kind projects).
    last_checkin_at timestamptz,
    current_progress double precision,
    -- Checked by the key-result trigger, which reports them as the CHECK
    -- constraints key_result_kind_valid (one of the five kinds),
    -- key_result_state_valid (active or cancelled), key_result_weight_valid
    -- (>= 0, finite) and key_result_values_finite (start_value and
    -- target_value not NaN or infinite), SQLSTATE 23514: as table CHECKs
    -- PostgreSQL would re-read them for every update of current_value.
    -- As for objectives: moving, re-kinding or cancelling a key result is a
    -- key update, so it and a check-in, project or task arriving under it
    -- wait for each other; updating current_value or a title is not.
    CONSTRAINT key_result_link_key UNIQUE (id, objective_id, kind, state)
);
CREATE INDEX key_result_objective_idx ON okr.key_result (objective_id);
COMMENT ON TABLE okr.key_result IS 'An outcome we measure; current_value is maintained from its check-ins';

CREATE TABLE okr.checkin (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_result_id bigint NOT NULL REFERENCES okr.key_result (id),
    value         numeric NOT NULL,
    confidence    real,
    note          text,
    checked_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    author        text NOT NULL DEFAULT CURRENT_USER,
    CONSTRAINT checkin_value_finite CHECK (value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND value OPERATOR(pg_catalog.<) 'Infinity'::numeric),
    CONSTRAINT checkin_confidence_valid CHECK (confidence OPERATOR(pg_catalog.>=) 0 AND confidence OPERATOR(pg_catalog.<=) 1),
    CONSTRAINT checkin_checked_at_finite CHECK (pg_catalog.isfinite(checked_at))
);
-- Serves "latest check-in of a key result" and "value as of T".
CREATE INDEX checkin_latest_idx ON okr.checkin (key_result_id, checked_at DESC, id DESC);
COMMENT ON TABLE okr.checkin IS 'History of a key result''s measured value';

CREATE TABLE okr.project (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_result_id bigint NOT NULL REFERENCES okr.key_result (id),
    name          text NOT NULL,
    owner         text,
    weight        double precision NOT NULL DEFAULT 1,
    state         text NOT NULL DEFAULT 'active',
    CONSTRAINT project_weight_valid CHECK (weight OPERATOR(pg_catalog.>=) 0 AND weight OPERATOR(pg_catalog.<) 'Infinity'::double precision),
    CONSTRAINT project_state_valid CHECK (state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'done', 'cancelled'])),
    -- state <> 'cancelled', set by the project trigger whatever is written.
    -- As for objectives it is in a unique key so that cancelling a project
    -- (or restoring it) is a key update that waits for the tasks arriving
    -- under it, while starting or finishing it is not.  (Not a generated
    -- column: PostgreSQL 15 counts every generated column as updated when
    -- a table has BEFORE ROW triggers, which would make every update a key
    -- update.)
    is_open       boolean NOT NULL DEFAULT true,
    CONSTRAINT project_link_key UNIQUE (id, is_open)
);
CREATE INDEX project_key_result_idx ON okr.project (key_result_id);
COMMENT ON TABLE okr.project IS 'An initiative that should move a key result';

-- Task effort per project, maintained at commit from the tasks (README,
-- "Rollup design").  A table of its own rather than columns of okr.project,
-- so that keeping it never waits for a transaction that updated the project
-- row itself (a rename, a state change).  numeric, so that adding and
-- removing the same efforts always comes back to exactly the same sum.
CREATE TABLE okr.project_effort (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   bigint NOT NULL UNIQUE,
    effort_total numeric NOT NULL DEFAULT 0,
    effort_done  numeric NOT NULL DEFAULT 0,
    -- The same as double precision, computed once per write rather than
    -- once per row on every read of the rollup.
    effort_total_float double precision GENERATED ALWAYS AS (effort_total::double precision) STORED,
    effort_done_float  double precision GENERATED ALWAYS AS (effort_done::double precision) STORED
);
COMMENT ON TABLE okr.project_effort IS 'Maintained by okr (read-only for users): effort of each project''s non-cancelled tasks and of its done tasks, as of the last commit';
COMMENT ON COLUMN okr.project_effort.project_id IS 'The project (okr.project.id); the row comes and goes with it';
COMMENT ON COLUMN okr.project_effort.effort_total IS 'Effort of its tasks that are not cancelled';
COMMENT ON COLUMN okr.project_effort.effort_done IS 'Effort of its done tasks';
COMMENT ON COLUMN okr.project_effort.effort_total_float IS 'effort_total as double precision';
COMMENT ON COLUMN okr.project_effort.effort_done_float IS 'effort_done as double precision';

CREATE TABLE okr.task (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES okr.project (id),
    title      text NOT NULL,
    assignee   text,
    status     text NOT NULL DEFAULT 'todo',
    effort     double precision NOT NULL DEFAULT 1,
    due_on     date,
    done_at    timestamptz,
    CONSTRAINT task_status_valid CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['todo', 'doing', 'done', 'cancelled'])),
    CONSTRAINT task_effort_valid CHECK (effort OPERATOR(pg_catalog.>) 0 AND effort OPERATOR(pg_catalog.<) 'Infinity'::double precision),
    -- Kept true by the task trigger (rule 7); the CHECK documents it for readers.
    CONSTRAINT task_done_at_iff_done CHECK ((status OPERATOR(pg_catalog.=) 'done') OPERATOR(pg_catalog.=) (done_at IS NOT NULL))
);
CREATE INDEX task_project_idx ON okr.task (project_id);
-- "Done after T": what the rollup subtracts from effort_done for a past T,
-- for the whole organisation and for one project.
CREATE INDEX task_done_at_idx ON okr.task (done_at) WHERE status OPERATOR(pg_catalog.=) 'done';
CREATE INDEX task_project_done_idx ON okr.task (project_id, done_at) WHERE status OPERATOR(pg_catalog.=) 'done';
COMMENT ON TABLE okr.task IS 'Something we do; belongs to a project';

-- pg_dump keeps the rows of these tables (they are members of the extension).
SELECT pg_catalog.pg_extension_config_dump('okr.cycle', '');
SELECT pg_catalog.pg_extension_config_dump('okr.team', '');
SELECT pg_catalog.pg_extension_config_dump('okr.objective', '');
SELECT pg_catalog.pg_extension_config_dump('okr.key_result', '');
SELECT pg_catalog.pg_extension_config_dump('okr.checkin', '');
SELECT pg_catalog.pg_extension_config_dump('okr.project', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task', '');
-- Registered, but no row is dumped: a restore rebuilds them from the
-- restored projects and tasks (their triggers fire during the restore).
SELECT pg_catalog.pg_extension_config_dump('okr.project_effort', 'WHERE false');
-- ... and the identity sequences, so restored databases hand out fresh ids.
SELECT pg_catalog.pg_extension_config_dump('okr.cycle_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.team_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.objective_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.key_result_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.checkin_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.project_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.project_effort_id_seq', '');
-- okr 1.0: progress maths in C (SPEC 3 and 4).  None of these reads a table.

CREATE FUNCTION okr.kr_progress(kind text, start_value numeric, target_value numeric, value numeric)
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_kr_progress'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.kr_progress(text, numeric, numeric, numeric) IS
'Progress (0 to 1) of a key result of the given kind at a measured value; 0 with no value; NULL for kind projects (scored from its projects), a NULL kind, or a missing start (metric) or target (metric, at_least, at_most). Values are exact numerics: NaN or infinity is an error';

CREATE FUNCTION okr.kr_attainment(kind text, start_value numeric, target_value numeric, value numeric)
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_kr_attainment'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.kr_attainment(text, numeric, numeric, numeric) IS
'Like kr_progress but unclamped for metric key results, so over-achievement shows (1.2 = 120%); an error when the ratio exceeds double precision';

CREATE FUNCTION okr.expected_progress(starts_on date, ends_on date, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_expected_progress_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION okr.expected_progress(date, date, timestamptz) IS
'Share of the cycle [starts_on 00:00, ends_on + 1 day 00:00) elapsed at as_of, in the session time zone, clamped to 0..1';

CREATE FUNCTION okr.status(progress double precision, expected double precision)
RETURNS text
AS 'MODULE_PATHNAME', 'okr_status'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.status(double precision, double precision) IS
'Status of an active item: not_started (expected NULL), not_scored (progress NULL), achieved, on_track, at_risk or off_track per okr.on_track_ratio and okr.at_risk_ratio';

CREATE FUNCTION okr.grade(score double precision, kind text)
RETURNS text
AS 'MODULE_PATHNAME', 'okr_grade'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.grade(double precision, text) IS
'green, yellow or red for an end-of-cycle score; aspirational: green >= 0.7, yellow >= 0.4; committed: green = 1, yellow >= 0.7';

CREATE FUNCTION okr.stale_after()
RETURNS interval
AS 'MODULE_PATHNAME', 'okr_stale_after'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.stale_after() IS
'The okr.stale_after setting as an interval: a key result with no check-in for this long is stale';

-- weighted_progress: state is {sum of w*p, sum of w}; a plain float8[] state
-- needs no serialisation, so parallel workers can hand it back as it is.
CREATE FUNCTION okr.weighted_progress_transfn(state double precision[], progress double precision, weight double precision)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'okr_weighted_progress_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION okr.weighted_progress_combinefn(double precision[], double precision[])
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'okr_weighted_progress_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION okr.weighted_progress_finalfn(double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_weighted_progress_finalfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION okr.weighted_progress_transfn(double precision[], double precision, double precision) IS
'Support function of okr.weighted_progress: adds one row to the state {sum of w*p, sum of w}';
COMMENT ON FUNCTION okr.weighted_progress_combinefn(double precision[], double precision[]) IS
'Support function of okr.weighted_progress: adds two partial states (parallel and partial aggregation)';
COMMENT ON FUNCTION okr.weighted_progress_finalfn(double precision[]) IS
'Support function of okr.weighted_progress: sum of w*p / sum of w, NULL when the sum of weights is 0';

CREATE AGGREGATE okr.weighted_progress(progress double precision, weight double precision) (
    SFUNC = okr.weighted_progress_transfn,
    STYPE = double precision[],
    FINALFUNC = okr.weighted_progress_finalfn,
    COMBINEFUNC = okr.weighted_progress_combinefn,
    INITCOND = '{0,0}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE okr.weighted_progress(double precision, double precision) IS
'Sum(w*p) / Sum(w) over rows where progress and weight are not NULL and weight > 0; NULL with none';
-- okr 1.0: link rules (SPEC 2), enforced by C triggers for every client.
-- Trigger names start with okr_ and a number: PostgreSQL fires triggers of
-- one kind in name order.

CREATE FUNCTION okr.structure_lock() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_structure_lock' LANGUAGE C;
CREATE FUNCTION okr.cycle_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_cycle_check' LANGUAGE C;
CREATE FUNCTION okr.team_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_team_check' LANGUAGE C;
CREATE FUNCTION okr.objective_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_objective_check' LANGUAGE C;
CREATE FUNCTION okr.key_result_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_key_result_guard' LANGUAGE C;
CREATE FUNCTION okr.checkin_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_checkin_guard' LANGUAGE C;
CREATE FUNCTION okr.checkin_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_checkin_sync' LANGUAGE C;
CREATE FUNCTION okr.truncate_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_truncate_sync' LANGUAGE C;
CREATE FUNCTION okr.task_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_task_sync' LANGUAGE C;
CREATE FUNCTION okr.project_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_project_guard' LANGUAGE C;
CREATE FUNCTION okr.task_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_task_guard' LANGUAGE C;
CREATE FUNCTION okr.project_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_project_sync' LANGUAGE C;
CREATE FUNCTION okr.maintain() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_maintain' LANGUAGE C;
CREATE FUNCTION okr.effort_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_effort_guard' LANGUAGE C;

-- Rules 1 and 2: hierarchy changes are serialised by one advisory lock taken
-- before any row is locked, then checked after the statement's rows are in.
CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id, starts_on, ends_on
    ON okr.cycle FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id, starts_on, ends_on
    ON okr.cycle FOR EACH ROW EXECUTE FUNCTION okr.cycle_check();

CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id
    ON okr.team FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id
    ON okr.team FOR EACH ROW EXECUTE FUNCTION okr.team_check();

CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id, cycle_id
    ON okr.objective FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
-- (state: closing an objective locks the key results and projects below it)
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id, cycle_id, state
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.objective_check();

-- Rules 3 to 6 for key results.
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.key_result FOR EACH ROW EXECUTE FUNCTION okr.key_result_guard();

-- Rules 3, 5, 6 for check-ins, then rule 4 once the row is in.  The sync
-- triggers have no column list: they must see every change, even one made
-- by another BEFORE trigger, and return at once when nothing moved.  They
-- only note what moved; okr_90_maintain, deferred to the commit, applies it
-- in id order (src/maintain.c, README "Concurrency").
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.checkin FOR EACH ROW EXECUTE FUNCTION okr.checkin_guard();
CREATE TRIGGER okr_20_sync AFTER INSERT OR UPDATE OR DELETE
    ON okr.checkin FOR EACH ROW EXECUTE FUNCTION okr.checkin_sync();
CREATE TRIGGER okr_30_truncate AFTER TRUNCATE
    ON okr.checkin FOR EACH STATEMENT EXECUTE FUNCTION okr.truncate_sync();
CREATE CONSTRAINT TRIGGER okr_90_maintain AFTER INSERT OR UPDATE OR DELETE
    ON okr.checkin DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION okr.maintain();

-- Rule 6 for projects; rule 7 for tasks, then rule 6 and the project's
-- effort counters once the row is in.
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.project_guard();
CREATE TRIGGER okr_20_sync AFTER INSERT OR DELETE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.project_sync();
CREATE TRIGGER okr_30_truncate AFTER TRUNCATE
    ON okr.project FOR EACH STATEMENT EXECUTE FUNCTION okr.truncate_sync();
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE OR DELETE
    ON okr.project_effort FOR EACH ROW EXECUTE FUNCTION okr.effort_guard();
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.task FOR EACH ROW EXECUTE FUNCTION okr.task_guard();
CREATE TRIGGER okr_20_sync AFTER INSERT OR UPDATE OR DELETE
    ON okr.task FOR EACH ROW EXECUTE FUNCTION okr.task_sync();
CREATE TRIGGER okr_30_truncate AFTER TRUNCATE
    ON okr.task FOR EACH STATEMENT EXECUTE FUNCTION okr.truncate_sync();
CREATE CONSTRAINT TRIGGER okr_90_maintain AFTER INSERT OR UPDATE OR DELETE
    ON okr.task DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION okr.maintain();

-- Recompute every maintained column (key_result.current_value,
-- last_checkin_at and current_progress, okr.project_effort) from the rows.
CREATE FUNCTION okr.refresh_maintained() RETURNS bigint
AS 'MODULE_PATHNAME', 'okr_refresh_maintained'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION okr.refresh_maintained() IS
'Recompute current_value, last_checkin_at, current_progress and okr.project_effort from check-ins and tasks; returns the number of rows corrected. For bulk loads made with triggers disabled.';
-- okr 1.0: hierarchical progress (SPEC 3), computed in C.

CREATE FUNCTION okr.progress(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (
    item        text,
    id          bigint,
    parent_item text,
    parent_id   bigint,
    cycle_id    bigint,
    progress    double precision,
    activity    double precision,
    expected    double precision,
    status      text)
AS 'MODULE_PATHNAME', 'okr_progress'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION okr.progress(timestamptz) IS
'Progress, activity, expected progress and status of every objective, key result and project as of a moment';

CREATE FUNCTION okr.objective_progress(objective_id bigint, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_objective_progress'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION okr.objective_progress(bigint, timestamptz) IS
'Progress of one objective as of a moment, computed from its own subtree only; NULL when nothing under it is scored';

-- The last instant of a cycle in the session time zone: the end of ends_on.
CREATE FUNCTION okr.cycle_end(cycle_id bigint)
RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ((c.ends_on + 1)::timestamptz - interval '1 microsecond')
      FROM okr.cycle c WHERE c.id = cycle_end.cycle_id;
END;
COMMENT ON FUNCTION okr.cycle_end(bigint) IS
'The last microsecond of a cycle (end of its ends_on day, session time zone): the moment its score is taken';

-- Score: progress as of the end of the objective's cycle.
CREATE FUNCTION okr.objective_score(objective_id bigint)
RETURNS double precision
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT okr.objective_progress(o.id, okr.cycle_end(o.cycle_id))
      FROM okr.objective o WHERE o.id = objective_score.objective_id;
END;
COMMENT ON FUNCTION okr.objective_score(bigint) IS
'Score of an objective: its progress as of the end of its cycle (see okr.grade)';

-- Progress over time, for trend and burn-up charts: what okr.progress()
-- reported at every moment of a series, in one pass.
CREATE FUNCTION okr.progress_history(from_ts timestamptz, to_ts timestamptz, step interval,
                                     objective_id bigint DEFAULT NULL)
RETURNS TABLE (
    as_of    timestamptz,
    item     text,
    id       bigint,
    progress double precision,
    activity double precision,
    expected double precision,
    status   text)
AS 'MODULE_PATHNAME', 'okr_progress_history'
LANGUAGE C STABLE PARALLEL SAFE ROWS 10000;
COMMENT ON FUNCTION okr.progress_history(timestamptz, timestamptz, interval, bigint) IS
'For each moment from_ts, from_ts + step, ... up to to_ts: every objective''s and key result''s progress, activity, expected progress and status as okr.progress would have reported then (objective_id: only that subtree). At most 10,000 moments; the step must be positive.';
-- okr 1.0: reporting views for analysts and BI tools (SPEC 4).
--
-- Every view is WITH (security_invoker = true): it reads the tables as the
-- user who queries it, so grants and row-level security apply to the reader,
-- not to the extension's owner.  Columns have plain SQL types only (bigint,
-- integer, text, double precision, numeric, date, timestamptz, boolean and
-- one bigint[]), and every view and column has a COMMENT, which BI tools
-- show as descriptions when they sync the schema.
--
-- Figures are as of now(): each view calls okr.progress(now()) once, which
-- computes the whole organisation in one pass; the views never call
-- okr.objective_progress per row.  Scores (progress at the end of a cycle)
-- take one more okr.progress call per distinct end moment of the ended
-- cycles that have objectives, not one per objective.
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
-- okr.objective_report
------------------------------------------------------------------------------
CREATE VIEW okr.objective_report WITH (security_invoker = true) AS
WITH RECURSIVE
cycles AS MATERIALIZED (
    SELECT c.id, c.name, c.starts_on, c.ends_on,
           okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
tree AS (
    SELECT o.id, 0 AS depth, ARRAY[o.title] AS titles
      FROM okr.objective o
     WHERE o.parent_id IS NULL
        OR NOT EXISTS (SELECT FROM okr.objective p WHERE p.id = o.parent_id)
    UNION ALL
    SELECT o.id, t.depth + 1, t.titles || o.title
      FROM tree t
      JOIN okr.objective o ON o.parent_id = t.id
),
-- GROUP BY id: one row per objective, and the planner knows it even when the
-- tables have no statistics yet (small tables are seldom auto-analyzed);
-- otherwise its row estimates for the recursive CTE multiply across the
-- joins below and a query over a handful of rows pays for JIT compilation.
paths AS (
    SELECT t.id, pg_catalog.min(t.depth) AS depth,
           pg_catalog.min(pg_catalog.array_to_string(t.titles, ' › ')) AS path
      FROM tree t
     GROUP BY t.id
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
      FROM okr.progress(pg_catalog.now()) f
     WHERE f.item = 'objective'
),
scores AS (
    SELECT s.id, s.progress AS score
      FROM (SELECT DISTINCT c.ends_at
              FROM cycles c
             WHERE c.ends_at < pg_catalog.now()
               AND EXISTS (SELECT FROM okr.objective o WHERE o.cycle_id = c.id)) e
     CROSS JOIN LATERAL okr.progress(e.ends_at) s
      JOIN cycles c ON c.id = s.cycle_id AND c.ends_at = e.ends_at
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
       o.parent_id                            AS parent_objective_id,
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
       c.ends_at < pg_catalog.now()           AS cycle_ended,
       CASE WHEN o.state IN ('active', 'closed') THEN s.score END AS score,
       CASE WHEN o.state IN ('active', 'closed') THEN okr.grade(s.score, o.kind) END AS grade
  FROM okr.objective o
  LEFT JOIN cycles c        ON c.id = o.cycle_id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN team_paths tt   ON tt.id = o.team_id
  LEFT JOIN okr.objective po ON po.id = o.parent_id
  LEFT JOIN paths tr        ON tr.id = o.id
  LEFT JOIN figures f       ON f.id = o.id
  LEFT JOIN scores s        ON s.id = o.id
  LEFT JOIN key_results kr  ON kr.objective_id = o.id
  LEFT JOIN children ch     ON ch.parent_id = o.id;

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
figures AS (
    SELECT f.id, f.progress, f.activity, f.expected, f.status
      FROM okr.progress(pg_catalog.now()) f
     WHERE f.item = 'key_result'
),
projects AS (
    SELECT p.key_result_id, pg_catalog.count(*) AS n
      FROM okr.project p
     WHERE p.state <> 'cancelled'
     GROUP BY p.key_result_id
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
       pg_catalog.now()::date - l.checked_at::date AS days_since_checkin,
       COALESCE(k.state = 'active' AND o.state = 'active' AND k.kind <> 'projects'
                AND c.starts_at <= pg_catalog.now() AND pg_catalog.now() <= c.ends_at
                AND COALESCE(l.checked_at, c.starts_at) <= pg_catalog.now() - okr.stale_after(),
                false)                        AS stale,
       COALESCE(pr.n, 0)                      AS projects,
       f.activity                             AS activity,
       f.activity - f.progress                AS outcome_gap
  FROM okr.key_result k
  LEFT JOIN okr.objective o ON o.id = k.objective_id
  LEFT JOIN cycles c        ON c.id = o.cycle_id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN figures f       ON f.id = k.id
  LEFT JOIN projects pr     ON pr.key_result_id = k.id
  -- the latest check-in up to now: one probe of checkin_latest_idx
  LEFT JOIN LATERAL (
        SELECT ch.value, ch.confidence, ch.checked_at
          FROM okr.checkin ch
         WHERE ch.key_result_id = k.id AND ch.checked_at <= pg_catalog.now()
         ORDER BY ch.checked_at DESC, ch.id DESC
         LIMIT 1) l ON true;

------------------------------------------------------------------------------
-- okr.project_report
------------------------------------------------------------------------------
CREATE VIEW okr.project_report WITH (security_invoker = true) AS
WITH
figures AS (
    SELECT f.id, f.progress, f.activity, f.expected, f.status
      FROM okr.progress(pg_catalog.now()) f
     WHERE f.item = 'project'
),
tasks AS (
    SELECT t.project_id,
           pg_catalog.count(*) FILTER (WHERE t.status <> 'cancelled') AS tasks,
           pg_catalog.count(*) FILTER (WHERE t.status = 'todo')       AS todo,
           pg_catalog.count(*) FILTER (WHERE t.status = 'doing')      AS doing,
           pg_catalog.count(*) FILTER (WHERE t.status = 'done')       AS done,
           pg_catalog.count(*) FILTER (WHERE t.status = 'cancelled')  AS cancelled,
           pg_catalog.count(*) FILTER (WHERE t.status IN ('todo', 'doing')
                                         AND t.due_on < pg_catalog.now()::date) AS overdue,
           pg_catalog.sum(t.effort) FILTER (WHERE t.status = 'done'
                                              AND t.done_at <= pg_catalog.now()) AS effort_done,
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

------------------------------------------------------------------------------
-- okr.objective_facts: the per-objective figures team_report and
-- cycle_report aggregate (one call of okr.progress() now, one per distinct
-- end of an ended cycle for the scores; task effort from the sums the task
-- trigger maintains on okr.project, so no task is read).
------------------------------------------------------------------------------
CREATE VIEW okr.objective_facts WITH (security_invoker = true) AS
WITH
cycles AS MATERIALIZED (
    SELECT c.id, okr.cycle_end(c.id) AS ends_at
      FROM okr.cycle c
),
figures AS (
    SELECT f.id, f.progress, f.status
      FROM okr.progress(pg_catalog.now()) f
     WHERE f.item = 'objective'
),
scores AS (
    SELECT s.id, s.progress AS score
      FROM (SELECT DISTINCT c.ends_at
              FROM cycles c
             WHERE c.ends_at < pg_catalog.now()
               AND EXISTS (SELECT FROM okr.objective o WHERE o.cycle_id = c.id)) e
     CROSS JOIN LATERAL okr.progress(e.ends_at) s
      JOIN cycles c ON c.id = s.cycle_id AND c.ends_at = e.ends_at
     WHERE s.item = 'objective'
),
-- Task effort under each objective's own key results, from the sums okr
-- maintains in okr.project_effort (no task is read), less the effort
-- of tasks done after now (possible only for a transaction that began
-- before they were done), as okr.progress does.
late AS (
    SELECT t.project_id, pg_catalog.sum(t.effort) AS effort
      FROM okr.task t
     WHERE t.status = 'done' AND t.done_at > pg_catalog.now()
     GROUP BY t.project_id
),
effort AS (
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
       f.status                               AS status,
       s.score                                AS score,
       okr.grade(s.score, o.kind)             AS grade,
       e.total                                AS effort_total,
       e.done                                 AS effort_done,
       COALESCE(kr.n, 0)                      AS key_results
  FROM okr.objective o
  LEFT JOIN figures f      ON f.id = o.id
  LEFT JOIN scores s       ON s.id = o.id
  LEFT JOIN effort e       ON e.objective_id = o.id
  LEFT JOIN key_results kr ON kr.objective_id = o.id;

COMMENT ON VIEW okr.objective_facts IS 'One row per objective with the figures that team_report and cycle_report add up: progress and status now, score and grade once its cycle has ended, task effort under its own key results';
COMMENT ON COLUMN okr.objective_facts.objective_id IS 'The objective';
COMMENT ON COLUMN okr.objective_facts.team_id IS 'Its team (NULL when it has none)';
COMMENT ON COLUMN okr.objective_facts.cycle_id IS 'Its cycle';
COMMENT ON COLUMN okr.objective_facts.kind IS 'committed or aspirational';
COMMENT ON COLUMN okr.objective_facts.state IS 'draft, active, closed or cancelled';
COMMENT ON COLUMN okr.objective_facts.counted IS 'True for active and closed objectives, the ones team and cycle means count';
COMMENT ON COLUMN okr.objective_facts.progress IS 'Progress now (0 to 1); NULL when nothing under it is scored';
COMMENT ON COLUMN okr.objective_facts.status IS 'Status now, as okr.progress reports it';
COMMENT ON COLUMN okr.objective_facts.score IS 'Progress at the end of its cycle, once the cycle has ended';
COMMENT ON COLUMN okr.objective_facts.grade IS 'green, yellow or red for the score';
COMMENT ON COLUMN okr.objective_facts.effort_total IS 'Effort of the non-cancelled tasks under its own key results (NULL with no projects)';
COMMENT ON COLUMN okr.objective_facts.effort_done IS 'Of which done by now';
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
objectives AS (
    SELECT x.team_id, x.cycle_id, x.status, x.effort_total AS total, x.effort_done AS done,
           x.counted, x.progress, x.score, x.grade
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
       okr.expected_progress(c.starts_on, c.ends_on, pg_catalog.now()) AS expected,
       ce.ends_at < pg_catalog.now()          AS cycle_ended,
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
       CASE WHEN ce.ends_at < pg_catalog.now() THEN g.mean_score END AS mean_score,
       CASE WHEN ce.ends_at < pg_catalog.now() THEN g.green END      AS green,
       CASE WHEN ce.ends_at < pg_catalog.now() THEN g.yellow END     AS yellow,
       CASE WHEN ce.ends_at < pg_catalog.now() THEN g.red END        AS red
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
objectives AS (
    SELECT x.cycle_id, x.team_id, x.status, x.effort_total AS total, x.effort_done AS done,
           x.key_results, x.counted, x.progress, x.score, x.grade
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
       okr.expected_progress(c.starts_on, c.ends_on, pg_catalog.now()) AS expected,
       ce.ends_at < pg_catalog.now()          AS cycle_ended,
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
       CASE WHEN ce.ends_at < pg_catalog.now() THEN g.mean_score END AS mean_score,
       CASE WHEN ce.ends_at < pg_catalog.now() THEN COALESCE(g.green, 0) END  AS green,
       CASE WHEN ce.ends_at < pg_catalog.now() THEN COALESCE(g.yellow, 0) END AS yellow,
       CASE WHEN ce.ends_at < pg_catalog.now() THEN COALESCE(g.red, 0) END    AS red
  FROM okr.cycle c
  LEFT JOIN okr.cycle pc  ON pc.id = c.parent_id
  LEFT JOIN cycles ce     ON ce.id = c.id
  LEFT JOIN per_cycle g   ON g.cycle_id = c.id;

------------------------------------------------------------------------------
-- okr.alignment: the objective tree flattened for drill-down.
------------------------------------------------------------------------------
CREATE VIEW okr.alignment WITH (security_invoker = true) AS
WITH RECURSIVE
tree AS (
    SELECT o.id, o.id AS root_id, 0 AS depth,
           ARRAY[o.id] AS ids, ARRAY[o.title] AS titles
      FROM okr.objective o
     WHERE o.parent_id IS NULL
        OR NOT EXISTS (SELECT FROM okr.objective p WHERE p.id = o.parent_id)
    UNION ALL
    SELECT o.id, t.root_id, t.depth + 1, t.ids || o.id, t.titles || o.title
      FROM tree t
      JOIN okr.objective o ON o.parent_id = t.id
),
-- one row per objective, which the planner knows even without statistics
paths AS (
    SELECT t.id, pg_catalog.min(t.root_id) AS root_id, pg_catalog.min(t.depth) AS depth,
           pg_catalog.min(t.ids) AS ids,
           pg_catalog.min(pg_catalog.array_to_string(t.titles, ' › ')) AS path
      FROM tree t
     GROUP BY t.id
),
parents AS (
    SELECT DISTINCT o.parent_id AS id
      FROM okr.objective o
     WHERE o.parent_id IS NOT NULL
)
SELECT o.id                                   AS objective_id,
       o.title                                AS title,
       o.parent_id                            AS parent_objective_id,
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
  LEFT JOIN paths t         ON t.id = o.id
  LEFT JOIN okr.objective r ON r.id = t.root_id
  LEFT JOIN parents pa      ON pa.id = o.id
  LEFT JOIN okr.team tm     ON tm.id = o.team_id
  LEFT JOIN okr.cycle c     ON c.id = o.cycle_id;

------------------------------------------------------------------------------
-- Descriptions for analysts (BI tools show them when they sync the schema)
------------------------------------------------------------------------------

COMMENT ON VIEW okr.objective_report IS
'One row per objective, with its progress as of now, where it sits in the alignment tree and, once its cycle has ended, its score and grade. Progress, expected and activity are shares from 0 to 1.';
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
COMMENT ON COLUMN okr.objective_report.parent_objective_id IS 'Id of the objective this one aligns to; NULL for a top-level objective';
COMMENT ON COLUMN okr.objective_report.parent_title IS 'Title of the objective this one aligns to';
COMMENT ON COLUMN okr.objective_report.depth IS 'Level in the alignment tree: 0 for a top-level objective, 1 for one aligned directly below it, and so on';
COMMENT ON COLUMN okr.objective_report.path IS 'Titles of the objectives from the top-level one down to this one, separated by › (alignment path)';
COMMENT ON COLUMN okr.objective_report.kind IS 'committed (must be fully achieved) or aspirational (a stretch goal: 0.7 counts as a success)';
COMMENT ON COLUMN okr.objective_report.state IS 'draft, active, closed or cancelled; only active and closed objectives count towards their parent';
COMMENT ON COLUMN okr.objective_report.weight IS 'Importance relative to its siblings when its parent''s progress is averaged (0 counts for nothing)';
COMMENT ON COLUMN okr.objective_report.rollup IS 'What the progress is averaged over: both (key results and aligned child objectives), key_results or children';
COMMENT ON COLUMN okr.objective_report.progress IS 'Outcome progress now, 0 to 1: weighted mean of its active key results and active or closed child objectives; NULL when nothing under it is scored';
COMMENT ON COLUMN okr.objective_report.expected IS 'Share of the goal period elapsed now, 0 to 1: where progress should be if it moved evenly';
COMMENT ON COLUMN okr.objective_report.status IS 'on_track, at_risk, off_track (progress against expected), achieved, not_scored, not_started (period not begun); draft, closed or cancelled objectives show their state';
COMMENT ON COLUMN okr.objective_report.activity IS 'Share of task effort done, 0 to 1, over all non-cancelled tasks below the objective, aligned objectives included; NULL when there are no tasks';
COMMENT ON COLUMN okr.objective_report.outcome_gap IS 'activity minus progress: large and positive means busy without moving the results; negative means results moving with little of the planned work done';
COMMENT ON COLUMN okr.objective_report.key_results IS 'Number of active key results (cancelled ones are not counted)';
COMMENT ON COLUMN okr.objective_report.child_objectives IS 'Number of aligned child objectives that are active or closed (drafts and cancelled ones are not counted)';
COMMENT ON COLUMN okr.objective_report.cycle_ended IS 'True once the goal period is over (now is past the end of its last day)';
COMMENT ON COLUMN okr.objective_report.score IS 'Final score, 0 to 1: progress as of the last moment of the goal period; NULL until the period has ended, for drafts and cancelled objectives, and when nothing is scored';
COMMENT ON COLUMN okr.objective_report.grade IS 'green, yellow or red for the score: aspirational green from 0.7, yellow from 0.4; committed green only at 1, yellow from 0.7; NULL when there is no score';

COMMENT ON VIEW okr.key_result_report IS
'One row per key result: its measured value, progress and attainment as of now, the latest check-in and whether it has gone stale, and the work (projects, activity) behind it.';
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
COMMENT ON COLUMN okr.key_result_report.expected IS 'Share of the goal period elapsed now, 0 to 1';
COMMENT ON COLUMN okr.key_result_report.status IS 'on_track, at_risk, off_track (progress against expected), achieved or not_started; cancelled key results show cancelled';
COMMENT ON COLUMN okr.key_result_report.confidence IS 'Confidence (0 to 1) given with the latest check-in up to now that the target will be reached';
COMMENT ON COLUMN okr.key_result_report.last_checkin_at IS 'Time of the latest check-in up to now; NULL when there has been none';
COMMENT ON COLUMN okr.key_result_report.days_since_checkin IS 'Calendar days from the latest check-in to today (session time zone); NULL when there has been none';
COMMENT ON COLUMN okr.key_result_report.stale IS 'True when the key result is being tracked now (active, its objective active, its goal period running, not of kind projects) and has had no check-in for the okr.stale_after setting (default 14 days), counting from the start of the period when it never had one; false otherwise';
COMMENT ON COLUMN okr.key_result_report.projects IS 'Number of projects (initiatives) under the key result that are not cancelled';
COMMENT ON COLUMN okr.key_result_report.activity IS 'Share of task effort done, 0 to 1, over the non-cancelled tasks of its projects; NULL when there are no tasks';
COMMENT ON COLUMN okr.key_result_report.outcome_gap IS 'activity minus progress: large and positive means busy without moving the result';

COMMENT ON VIEW okr.project_report IS
'One row per project (an initiative meant to move a key result): its progress as of now and its tasks by status and effort.';
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
COMMENT ON COLUMN okr.project_report.tasks_done IS 'Number of tasks done';
COMMENT ON COLUMN okr.project_report.tasks_cancelled IS 'Number of cancelled tasks (they count for nothing)';
COMMENT ON COLUMN okr.project_report.tasks_overdue IS 'Number of open tasks (todo or doing) whose due date is before today';
COMMENT ON COLUMN okr.project_report.effort_done IS 'Effort of the tasks done so far';
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
COMMENT ON COLUMN okr.team_report.expected IS 'Share of the goal period elapsed now, 0 to 1';
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
COMMENT ON COLUMN okr.team_report.activity IS 'Share of task effort done, 0 to 1, over the non-cancelled tasks under the key results of its active and closed objectives (work of other teams'' aligned objectives not included); NULL with no tasks';
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
COMMENT ON COLUMN okr.cycle_report.expected IS 'Share of the period elapsed now, 0 to 1';
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
COMMENT ON COLUMN okr.cycle_report.activity IS 'Share of task effort done, 0 to 1, over the non-cancelled tasks under the key results of its active and closed objectives; NULL with no tasks';
COMMENT ON COLUMN okr.cycle_report.outcome_gap IS 'activity minus mean_progress: large and positive means much work done without moving the results';
COMMENT ON COLUMN okr.cycle_report.mean_score IS 'Average final score, 0 to 1, of its active and closed objectives; NULL until the period has ended';
COMMENT ON COLUMN okr.cycle_report.green IS 'Number of objectives graded green; NULL until the period has ended';
COMMENT ON COLUMN okr.cycle_report.yellow IS 'Number of objectives graded yellow; NULL until the period has ended';
COMMENT ON COLUMN okr.cycle_report.red IS 'Number of objectives graded red; NULL until the period has ended';

COMMENT ON VIEW okr.alignment IS
'The alignment tree of objectives flattened for drill-down: one row per objective with its top-level objective, its depth and its path. ORDER BY id_path lists the tree top down, each objective followed by those aligned below it.';
COMMENT ON COLUMN okr.alignment.objective_id IS 'Id of the objective (okr.objective.id)';
COMMENT ON COLUMN okr.alignment.title IS 'Title of the objective';
COMMENT ON COLUMN okr.alignment.parent_objective_id IS 'Id of the objective it aligns to; NULL for a top-level objective';
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
-- okr 1.0: giving roles access (README "Security").
--
-- Nothing in schema okr is granted to PUBLIC (90_grants.sql).  These
-- functions grant a role what it needs to read or to write, generically:
-- they act on whatever exists in schema okr when they are called, so after
-- ALTER EXTENSION okr UPDATE adds a view or a function, calling them again
-- extends the role's access to it.
--
--   okr.grant_read(role)     USAGE on schema okr, SELECT on every table and
--                            view, EXECUTE on every aggregate and every
--                            function that is not VOLATILE (so not the
--                            trigger functions, not maintenance functions
--                            such as okr.refresh_maintained()), except the
--                            support functions of aggregates.  The reports
--                            are security_invoker views and the functions
--                            run as their caller, so a reader needs SELECT
--                            on the tables underneath them.
--   okr.grant_write(role)    grant_read, plus INSERT, UPDATE and DELETE on
--                            cycle, team, objective, key_result, checkin,
--                            project and task.  Not TRUNCATE: it fires no
--                            row triggers, ignores row-level security and
--                            erases history wholesale; not REFERENCES or
--                            TRIGGER.  Identity columns need no sequence
--                            privilege.
--   okr.revoke_access(role)  takes back everything the two above grant.
--
-- They run as their caller (not SECURITY DEFINER), so only a role that may
-- grant on the okr objects (a superuser, or the extension's owner) can use
-- them; EXECUTE on them is revoked from PUBLIC.  Each checks afterwards that
-- the privileges are really in place, because a GRANT by a role without
-- the right to grant only warns.
--
-- Hygiene: search_path is pinned, every relation and function is
-- schema-qualified, and identifiers reach dynamic SQL only through
-- format('%I').  The operators below are resolved with pg_catalog first on
-- the pinned path, so nothing a caller plants can capture them.

CREATE FUNCTION okr.grant_read(role_name name)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    r record;
BEGIN
    IF role_name IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'okr.grant_read: the role name must not be NULL';
    END IF;
    IF pg_catalog.lower(role_name) = 'public' THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = 'okr.grant_read: okr grants nothing to PUBLIC',
            HINT = 'Name a role, or create one and grant it to the users who need access.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.rolname = role_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = pg_catalog.format('role "%s" does not exist', role_name),
            HINT = 'Role names are case-sensitive here: pass the name as it is stored, without quotes.';
    END IF;

    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA okr TO %I', role_name);

    FOR r IN
        SELECT c.relname
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'okr'::pg_catalog.regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON TABLE okr.%I TO %I', r.relname, role_name);
        IF NOT pg_catalog.has_table_privilege(role_name,
                   pg_catalog.format('okr.%I', r.relname), 'SELECT') THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = pg_catalog.format('okr.grant_read: could not grant SELECT on okr.%I to %I', r.relname, role_name),
                HINT = 'Call it as a superuser or as the owner of the extension.';
        END IF;
    END LOOP;

    -- Every aggregate and every function that is not VOLATILE: reading only.
    -- Not trigger functions (a trigger function attached to another table
    -- would run its checks there), not the support functions of aggregates
    -- (calling an aggregate needs EXECUTE on the aggregate only), not
    -- volatile maintenance functions such as okr.refresh_maintained(), and
    -- not this administration API.
    FOR r IN
        SELECT p.oid::pg_catalog.regprocedure AS fn
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'okr'::pg_catalog.regnamespace
           AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
           AND p.prorettype <> 'pg_catalog.event_trigger'::pg_catalog.regtype
           AND p.proname NOT IN ('grant_read', 'grant_write', 'revoke_access')
           AND (p.provolatile <> 'v' OR p.prokind = 'a')
           AND NOT EXISTS (
                   SELECT FROM pg_catalog.pg_aggregate a
                    WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                                    a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn))
         ORDER BY p.oid
    LOOP
        -- regprocedure prints okr.f(argtypes) (okr is not on the pinned path)
        EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO %I', r.fn, role_name);
        IF NOT pg_catalog.has_function_privilege(role_name, r.fn::pg_catalog.oid, 'EXECUTE') THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = pg_catalog.format('okr.grant_read: could not grant EXECUTE on %s to %I', r.fn, role_name),
                HINT = 'Call it as a superuser or as the owner of the extension.';
        END IF;
    END LOOP;

    IF NOT pg_catalog.has_schema_privilege(role_name, 'okr', 'USAGE') THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('okr.grant_read: could not grant USAGE on schema okr to %I', role_name),
            HINT = 'Call it as a superuser or as the owner of the extension.';
    END IF;
END;
$function$;
COMMENT ON FUNCTION okr.grant_read(name) IS
'Lets a role read okr: USAGE on the schema, SELECT on every table and view, EXECUTE on every aggregate and non-volatile function (not aggregate support functions); acts on what exists when called';

CREATE FUNCTION okr.grant_write(role_name name)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    t text;
BEGIN
    -- validates the role and grants reading first
    PERFORM okr.grant_read(role_name);

    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task']
    LOOP
        EXECUTE pg_catalog.format('GRANT INSERT, UPDATE, DELETE ON TABLE okr.%I TO %I', t, role_name);
        IF NOT pg_catalog.has_table_privilege(role_name, pg_catalog.format('okr.%I', t), 'INSERT')
           OR NOT pg_catalog.has_table_privilege(role_name, pg_catalog.format('okr.%I', t), 'UPDATE')
           OR NOT pg_catalog.has_table_privilege(role_name, pg_catalog.format('okr.%I', t), 'DELETE') THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = pg_catalog.format('okr.grant_write: could not grant INSERT, UPDATE, DELETE on okr.%I to %I', t, role_name),
                HINT = 'Call it as a superuser or as the owner of the extension.';
        END IF;
    END LOOP;
END;
$function$;
COMMENT ON FUNCTION okr.grant_write(name) IS
'Lets a role read okr (see grant_read) and write goals, check-ins, projects and tasks: INSERT, UPDATE, DELETE on cycle, team, objective, key_result, checkin, project, task (not TRUNCATE)';

CREATE FUNCTION okr.revoke_access(role_name name)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    r record;
BEGIN
    IF role_name IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'okr.revoke_access: the role name must not be NULL';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.rolname = role_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = pg_catalog.format('role "%s" does not exist', role_name);
    END IF;

    FOR r IN
        SELECT c.relname, c.relkind
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'okr'::pg_catalog.regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
         ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON %s okr.%I FROM %I',
                                  CASE r.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                                  r.relname, role_name);
    END LOOP;
    FOR r IN
        SELECT p.oid::pg_catalog.regprocedure AS fn
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'okr'::pg_catalog.regnamespace
         ORDER BY p.oid
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON ROUTINE %s FROM %I', r.fn, role_name);
    END LOOP;
    EXECUTE pg_catalog.format('REVOKE ALL ON SCHEMA okr FROM %I', role_name);
END;
$function$;
COMMENT ON FUNCTION okr.revoke_access(name) IS
'Takes back from a role every privilege on schema okr and its tables, views, sequences and functions (not those it has through other roles)';

REVOKE ALL ON FUNCTION okr.grant_read(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.grant_write(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.revoke_access(name) FROM PUBLIC;
-- okr 1.0: nothing is granted to PUBLIC.  Functions are executable by
-- PUBLIC by default in PostgreSQL, so take that back explicitly.
REVOKE ALL ON ALL TABLES IN SCHEMA okr FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA okr FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA okr FROM PUBLIC;
