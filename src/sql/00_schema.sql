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
    CONSTRAINT objective_link_key UNIQUE (id, cycle_id, state),
    -- new in 1.1: aligned to a key result instead of an objective (SPEC 1b);
    -- its foreign key follows okr.key_result below
    parent_key_result_id bigint,
    CONSTRAINT objective_one_parent CHECK (parent_id IS NULL OR parent_key_result_id IS NULL),
    -- 1.1: the key of a sync job that upserts objectives (SPEC 6)
    external_key text,
    -- (new in 1.1: SPEC 9) read only by the roles granted on its team or a
    -- team above it, unscoped roles, the owner and superusers
    private   boolean NOT NULL DEFAULT false
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
    CONSTRAINT key_result_kind_valid CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['metric', 'at_least', 'at_most', 'milestone', 'projects', 'objectives'])),
    CONSTRAINT key_result_weight_valid CHECK (weight OPERATOR(pg_catalog.>=) 0 AND weight OPERATOR(pg_catalog.<) 'Infinity'::double precision),
    CONSTRAINT key_result_state_valid CHECK (state OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'cancelled'])),
    CONSTRAINT key_result_values_finite CHECK (
        (start_value IS NULL OR (start_value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND start_value OPERATOR(pg_catalog.<) 'Infinity'::numeric))
        AND (target_value IS NULL OR (target_value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND target_value OPERATOR(pg_catalog.<) 'Infinity'::numeric))),
    -- As for objectives: moving, re-kinding or cancelling a key result is a
    -- key update, so it and a check-in, project or task arriving under it
    -- wait for each other; updating current_value or a title is not.
    CONSTRAINT key_result_link_key UNIQUE (id, objective_id, kind, state),
    -- 1.1: the key of a sync job that upserts key results (SPEC 6)
    external_key text
);
CREATE INDEX key_result_objective_idx ON okr.key_result (objective_id);
ALTER TABLE okr.objective ADD CONSTRAINT objective_parent_key_result_id_fkey
    FOREIGN KEY (parent_key_result_id) REFERENCES okr.key_result (id);
CREATE INDEX objective_parent_key_result_idx ON okr.objective (parent_key_result_id);
COMMENT ON COLUMN okr.objective.parent_key_result_id IS 'The key result this objective aligns to (instead of a parent objective); it counts through that key result when it is of kind objectives';
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
    CONSTRAINT project_link_key UNIQUE (id, is_open),
    -- 1.1: the key of a sync job, and what a task feed's
    -- project_external_key names (SPEC 6)
    external_key text
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
    CONSTRAINT task_done_at_iff_done CHECK ((status OPERATOR(pg_catalog.=) 'done') OPERATOR(pg_catalog.=) (done_at IS NOT NULL)),
    -- 1.1 (SPEC 6): the task's key in the feed that writes it (feed_id,
    -- a foreign key to okr.task_feed added in 60_feeds.sql), or in no
    -- feed (NULL: written by hand)
    external_key text,
    feed_id    bigint
);
CREATE INDEX task_project_idx ON okr.task (project_id);
-- 1.1: external keys are unique per table, for tasks per feed, and among
-- the tasks written by hand (feed_id NULL)
CREATE UNIQUE INDEX task_feed_key_idx ON okr.task (feed_id, external_key);
CREATE UNIQUE INDEX task_manual_key_idx ON okr.task (external_key) WHERE feed_id IS NULL;
CREATE UNIQUE INDEX objective_external_key_idx ON okr.objective (external_key);
CREATE UNIQUE INDEX key_result_external_key_idx ON okr.key_result (external_key);
CREATE UNIQUE INDEX project_external_key_idx ON okr.project (external_key);
-- "Done after T", of one project (the rollup of a subtree) and by time
-- (okr.changes); the whole organisation's reads okr.effort_ledger.
CREATE INDEX task_done_at_idx ON okr.task (done_at) WHERE status OPERATOR(pg_catalog.=) 'done';
CREATE INDEX task_project_done_idx ON okr.task (project_id, done_at) WHERE status OPERATOR(pg_catalog.=) 'done';
COMMENT ON TABLE okr.task IS 'Something we do; belongs to a project';

-- 1.1 (SPEC 7): the effort of done tasks by the moment it was done,
-- appended at commit (maintain.c) and never updated: a task that becomes
-- done adds (project, done_at, +effort), one that stops being done, moves
-- or changes its effort adds the opposite of what it had added.  So, for
-- any T, the rows with done_at > T sum, per project, to the effort of the
-- tasks now done after T, exactly as okr.project_effort sums them.  The
-- rollup of a past moment reads them instead of okr.task, whose visibility
-- map any update of a task clears: an index-only scan here stays one, as
-- the table only grows (vacuum, which inserts trigger, marks it visible).
-- okr.refresh_maintained() corrects it and folds rows that cancel out.
CREATE TABLE okr.effort_ledger (
    project_id bigint NOT NULL,
    done_at    timestamptz NOT NULL,
    effort     double precision NOT NULL
) WITH (autovacuum_vacuum_insert_scale_factor = 0.02);
CREATE INDEX effort_ledger_done_at_idx ON okr.effort_ledger (done_at) INCLUDE (project_id, effort);
COMMENT ON TABLE okr.effort_ledger IS 'Maintained by okr (read-only for users): effort of done tasks by the moment they were done, appended at commit (+effort when a task becomes done, -effort when it stops being done, moves or changes its effort); rows with done_at > T sum per project to the effort of the tasks now done after T';

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
SELECT pg_catalog.pg_extension_config_dump('okr.effort_ledger', 'WHERE false');
-- ... and the identity sequences, so restored databases hand out fresh ids.
SELECT pg_catalog.pg_extension_config_dump('okr.cycle_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.team_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.objective_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.key_result_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.checkin_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.project_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.project_effort_id_seq', '');
