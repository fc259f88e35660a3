-- okr 1.1: history, the past as it was (SPEC 7, doc/history.md).
--
-- Every committed insert, update and delete of the seven tables of goals and
-- work is kept as a version in okr.<table>_history: the row as it was made
-- (for a delete, as it was), the moment its transaction was recorded and
-- the role that made it.  A version is in force from its recorded_at until
-- the next version of the same id.  The versions are written by one
-- deferred trigger per table (src/history.c) when the transaction commits,
-- so a transaction's changes share one moment, taken as late as okr can.
-- The maintained columns (key_result.current_value, last_checkin_at,
-- current_progress; project.is_open) are derived, not kept.
--
-- The history tables are okr's (members of the extension, dumped by
-- pg_dump with their rows): a restore brings the history back rather than
-- starting a new one.  They are read under the same visibility as the rows
-- themselves (SPEC 9); only okr writes them.  This file is appended whole to
-- the 1.0 -> 1.1 update script (Makefile); who may read the history is in
-- 75_history_access.sql, after the access functions it uses.

-- One sequence orders the versions of every table (hid): versions of one
-- row are made in the order their transactions took its row lock.
CREATE SEQUENCE okr.history_hid_seq;

CREATE TABLE okr.cycle_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    name        text,
    starts_on   date,
    ends_on     date,
    parent_id   bigint
);
CREATE TABLE okr.team_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    name        text,
    parent_id   bigint
);
CREATE TABLE okr.objective_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    cycle_id    bigint,
    parent_id   bigint,
    team_id     bigint,
    title       text,
    owner       text,
    kind        text,
    weight      double precision,
    rollup      text,
    state       text,
    parent_key_result_id bigint,
    external_key text,
    private     boolean
);
CREATE TABLE okr.key_result_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    objective_id bigint,
    title       text,
    owner       text,
    kind        text,
    start_value numeric,
    target_value numeric,
    unit        text,
    weight      double precision,
    state       text,
    external_key text
);
CREATE TABLE okr.checkin_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    key_result_id bigint,
    value       numeric,
    confidence  real,
    note        text,
    checked_at  timestamptz,
    author      text
);
CREATE TABLE okr.project_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    key_result_id bigint,
    name        text,
    owner       text,
    weight      double precision,
    state       text,
    external_key text
);
CREATE TABLE okr.task_history (
    hid         bigint NOT NULL PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    id          bigint NOT NULL,
    project_id  bigint,
    title       text,
    assignee    text,
    status      text,
    effort      double precision,
    due_on      date,
    done_at     timestamptz,
    external_key text,
    feed_id     bigint
);

-- The tables TRUNCATE emptied, and when last (okr_30_truncate): their rows
-- are gone at every moment, but their versions stay, so the latest version
-- of a row no longer says whether it exists; the past rollup then asks the
-- table itself (rollup.c, Q_TASK_VERSIONS).
CREATE TABLE okr.history_truncated (
    table_name   text NOT NULL PRIMARY KEY,
    truncated_at timestamptz NOT NULL
);
COMMENT ON TABLE okr.history_truncated IS 'The tables of okr that TRUNCATE emptied, and when it last did: their truncated rows are gone at every moment';
SELECT pg_catalog.pg_extension_config_dump('okr.history_truncated', '');

-- The moment history starts (the upgrade from 1.0, or okr.forget_history):
-- a known_at before it is an error.  No row on a fresh install.
CREATE TABLE okr.history_horizon (
    horizon     timestamptz NOT NULL,
    reason      text NOT NULL,
    -- okr.forget_history removed what came before: as_of before it is an
    -- error too (after an upgrade, first versions reach back before it)
    as_of_too   boolean NOT NULL DEFAULT false,
    -- one row
    id          integer NOT NULL DEFAULT 1 PRIMARY KEY CHECK (id OPERATOR(pg_catalog.=) 1)
);

-- The score of each closed objective, kept when it is closed (the history
-- trigger; the upgrade from 1.0 for those closed then): what
-- okr.objective_score and the views report for it until it is reopened.
CREATE TABLE okr.frozen_score (
    id           bigint PRIMARY KEY,     -- the objective's
    score        double precision
);
COMMENT ON TABLE okr.frozen_score IS 'The score of each closed objective as it was when it was closed (SPEC 7), kept by okr at the close; NULL when nothing under it was scored';
COMMENT ON TABLE okr.history_horizon IS 'Where okr''s history starts (the upgrade from 1.0, or the last okr.forget_history): okr.progress with a known_at before it is an error';

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task'] LOOP
        EXECUTE pg_catalog.format(
            'ALTER TABLE okr.%1$I ADD CONSTRAINT %1$s_action_valid CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY[''insert'', ''update'', ''delete'']))',
            t || '_history');
        -- the versions of one row, in order
        EXECUTE pg_catalog.format('CREATE INDEX %1$s_id_idx ON okr.%1$I (id, hid)', t || '_history');
        -- what was recorded after a moment
        EXECUTE pg_catalog.format('CREATE INDEX %1$s_recorded_idx ON okr.%1$I (recorded_at) INCLUDE (id, action)', t || '_history');
        EXECUTE pg_catalog.format('COMMENT ON TABLE okr.%I IS %L', t || '_history',
            'Every version of okr.' || t || ' (SPEC 7): the row as made by an insert or update, or as it was at a delete, recorded_at the moment its transaction was recorded, by actor; written only by okr');
        PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.format('okr.%I', t || '_history'), '');
    END LOOP;
END;
$do$;
SELECT pg_catalog.pg_extension_config_dump('okr.history_hid_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.history_horizon', '');
SELECT pg_catalog.pg_extension_config_dump('okr.frozen_score', '');

CREATE FUNCTION okr.record_history() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_record_history' LANGUAGE C;

-- 95: after okr_90_maintain.  Deferred, so the versions are written at
-- commit with the transaction's moment; the trigger skips an UPDATE that
-- changes nothing kept (the maintained columns, a no-op).  Like
-- okr_90_maintain, it makes TRUNCATE wait for SET CONSTRAINTS ... IMMEDIATE
-- in a transaction that wrote the table (55006).
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.cycle
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.team
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.objective
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.key_result
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.checkin
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.project
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
CREATE CONSTRAINT TRIGGER okr_95_history AFTER INSERT OR UPDATE OR DELETE ON okr.task
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION okr.record_history();
