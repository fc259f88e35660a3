-- okr 1.0 -> 1.1 (README "Upgrades"): every change to the SQL surface made
-- since 1.0, as ALTER/CREATE statements, followed (Makefile) by the files of
-- src/sql/ that 1.1 adds whole; test/upgrade.sh proves that the result
-- equals a fresh install of 1.1.
\echo Use "ALTER EXTENSION okr UPDATE TO '1.1'" to load this file. \quit

-- Issue 11 (crash fixes) ----------------------------------------------------

-- key_result's CHECK constraints are real constraints again, so they hold
-- whatever a session does (session_replication_role = replica skips
-- triggers, not CHECKs).  Existing rows were checked by 1.0's trigger; a
-- row loaded with triggers off that breaks them makes this update fail,
-- naming the constraint: correct the row and update again.
ALTER TABLE okr.key_result
    ADD CONSTRAINT key_result_kind_valid CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['metric', 'at_least', 'at_most', 'milestone', 'projects', 'objectives'])),
    ADD CONSTRAINT key_result_weight_valid CHECK (weight OPERATOR(pg_catalog.>=) 0 AND weight OPERATOR(pg_catalog.<) 'Infinity'::double precision),
    ADD CONSTRAINT key_result_state_valid CHECK (state OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'cancelled'])),
    ADD CONSTRAINT key_result_values_finite CHECK (
        (start_value IS NULL OR (start_value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND start_value OPERATOR(pg_catalog.<) 'Infinity'::numeric))
        AND (target_value IS NULL OR (target_value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND target_value OPERATOR(pg_catalog.<) 'Infinity'::numeric)));


-- Issue 13: objectives aligned to key results (SPEC 1b) ----------------------

ALTER TABLE okr.objective
    ADD COLUMN parent_key_result_id bigint,
    ADD CONSTRAINT objective_one_parent CHECK (parent_id IS NULL OR parent_key_result_id IS NULL),
    ADD CONSTRAINT objective_parent_key_result_id_fkey
        FOREIGN KEY (parent_key_result_id) REFERENCES okr.key_result (id);
CREATE INDEX objective_parent_key_result_idx ON okr.objective (parent_key_result_id);
COMMENT ON COLUMN okr.objective.parent_key_result_id IS 'The key result this objective aligns to (instead of a parent objective); it counts through that key result when it is of kind objectives';

-- the hierarchy triggers watch the new link; moving a key result takes the
-- structure lock (the objectives aligned to it move with it)
DROP TRIGGER okr_10_lock ON okr.objective;
DROP TRIGGER okr_20_check ON okr.objective;
CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id, cycle_id, parent_key_result_id
    ON okr.objective FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id, cycle_id, state, parent_key_result_id
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.objective_check();
CREATE TRIGGER okr_05_lock BEFORE UPDATE OF objective_id
    ON okr.key_result FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();

-- The views follow the new link: they are dropped here and created again
-- from src/sql/40_views.sql, which the Makefile appends to this script with
-- 90_grants.sql.  A view of your own built on okr's views makes this DROP
-- fail, naming it: drop it first and create it again after the update.
DROP VIEW okr.alignment, okr.cycle_report, okr.team_report, okr.objective_facts,
          okr.project_report, okr.key_result_report, okr.objective_report;

-- Errors a person can act on: allowed values named, deletes with rows below
CREATE FUNCTION okr.objective_values() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_objective_values' LANGUAGE C;
CREATE FUNCTION okr.delete_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_delete_check' LANGUAGE C;
CREATE TRIGGER okr_05_values BEFORE INSERT OR UPDATE
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.objective_values();
CREATE TRIGGER "OKR_05_below" AFTER DELETE
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.delete_check();
CREATE TRIGGER "OKR_05_below" AFTER DELETE
    ON okr.key_result FOR EACH ROW EXECUTE FUNCTION okr.delete_check();
CREATE TRIGGER "OKR_05_below" AFTER DELETE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.delete_check();
-- Issue 16 (the database feeds okr, SPEC 6) ---------------------------------

-- External keys for sync jobs; a task's key is unique within its feed
-- (feed_id gets its foreign key to okr.task_feed in 60_feeds.sql, appended
-- below) and among the tasks written by hand.
ALTER TABLE okr.objective ADD COLUMN external_key text;
ALTER TABLE okr.key_result ADD COLUMN external_key text;
ALTER TABLE okr.project ADD COLUMN external_key text;
ALTER TABLE okr.task ADD COLUMN external_key text, ADD COLUMN feed_id bigint;
CREATE UNIQUE INDEX task_feed_key_idx ON okr.task (feed_id, external_key);
CREATE UNIQUE INDEX task_manual_key_idx ON okr.task (external_key) WHERE feed_id IS NULL;
CREATE UNIQUE INDEX objective_external_key_idx ON okr.objective (external_key);
CREATE UNIQUE INDEX key_result_external_key_idx ON okr.key_result (external_key);
CREATE UNIQUE INDEX project_external_key_idx ON okr.project (external_key);
-- The effort of done tasks by the moment it was done (00_schema.sql), for
-- the past rollup; it starts from the tasks done now.
CREATE TABLE okr.effort_ledger (
    project_id bigint NOT NULL,
    done_at    timestamptz NOT NULL,
    effort     double precision NOT NULL
) WITH (autovacuum_vacuum_insert_scale_factor = 0.02);
INSERT INTO okr.effort_ledger (project_id, done_at, effort)
SELECT t.project_id, t.done_at, t.effort FROM okr.task t
 WHERE t.status OPERATOR(pg_catalog.=) 'done' AND t.done_at IS NOT NULL;
CREATE INDEX effort_ledger_done_at_idx ON okr.effort_ledger (done_at) INCLUDE (project_id, effort);
COMMENT ON TABLE okr.effort_ledger IS 'Maintained by okr (read-only for users): effort of done tasks by the moment they were done, appended at commit (+effort when a task becomes done, -effort when it stops being done, moves or changes its effort); rows with done_at > T sum per project to the effort of the tasks now done after T';
CREATE FUNCTION okr.ledger_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_ledger_guard' LANGUAGE C;
SELECT pg_catalog.pg_extension_config_dump('okr.effort_ledger', 'WHERE false');
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE OR DELETE
    ON okr.effort_ledger FOR EACH ROW EXECUTE FUNCTION okr.ledger_guard();
CREATE TRIGGER okr_11_guard BEFORE TRUNCATE
    ON okr.effort_ledger FOR EACH STATEMENT EXECUTE FUNCTION okr.ledger_guard();

-- grant_write covers the sources and feeds and the functions that run
-- them: 80_grants_api.sql, appended below, creates it again (issue 17).

-- Issue 17 (access by team, SPEC 9) ------------------------------------------

-- A private objective is read only by the roles granted on its team or a
-- team above it (src/sql/70_access.sql, appended below, enforces it).
ALTER TABLE okr.objective ADD COLUMN private boolean NOT NULL DEFAULT false;
-- The grant functions take a team now: 80_grants_api.sql, appended below,
-- creates them again with their new signatures (a one-argument call means
-- what it meant in 1.0: unscoped).  EXECUTE granted on the old ones by hand
-- is not carried over.
DROP FUNCTION okr.grant_read(name);
DROP FUNCTION okr.grant_write(name);
DROP FUNCTION okr.revoke_access(name);

-- Issue 14 (history, SPEC 7) ------------------------------------------------

-- The rollup takes a known_at and reads the organisation as it was; the
-- functions of src/sql/30_rollup.sql, appended below, are created again
-- (PARALLEL RESTRICTED since 1.1: they read what only the writing backend
-- knows).  The views that use them were dropped above.  EXECUTE granted on
-- them by hand is not carried over: call okr.grant_read again.
DROP FUNCTION okr.objective_score(bigint);
DROP FUNCTION okr.progress_history(timestamptz, timestamptz, interval, bigint);
DROP FUNCTION okr.objective_progress(bigint, timestamptz);
DROP FUNCTION okr.progress(timestamptz);
DROP FUNCTION okr.cycle_end(bigint);
