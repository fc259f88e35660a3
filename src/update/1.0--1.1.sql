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
    ADD CONSTRAINT key_result_kind_valid CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['metric', 'at_least', 'at_most', 'milestone', 'projects'])),
    ADD CONSTRAINT key_result_weight_valid CHECK (weight OPERATOR(pg_catalog.>=) 0 AND weight OPERATOR(pg_catalog.<) 'Infinity'::double precision),
    ADD CONSTRAINT key_result_state_valid CHECK (state OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'cancelled'])),
    ADD CONSTRAINT key_result_values_finite CHECK (
        (start_value IS NULL OR (start_value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND start_value OPERATOR(pg_catalog.<) 'Infinity'::numeric))
        AND (target_value IS NULL OR (target_value OPERATOR(pg_catalog.>) '-Infinity'::numeric AND target_value OPERATOR(pg_catalog.<) 'Infinity'::numeric)));

-- The rollup reads what only the writing backend knows: not in workers.
ALTER FUNCTION okr.progress(timestamptz) PARALLEL RESTRICTED;
ALTER FUNCTION okr.objective_progress(bigint, timestamptz) PARALLEL RESTRICTED;
ALTER FUNCTION okr.objective_score(bigint) PARALLEL RESTRICTED;
ALTER FUNCTION okr.progress_history(timestamptz, timestamptz, interval, bigint) PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.progress_history(timestamptz, timestamptz, interval, bigint) IS
'For each moment from_ts, from_ts + step, ... up to to_ts: every objective''s and key result''s progress, activity, expected progress and status as okr.progress would have reported then (objective_id: only that subtree). The step must be positive; at most okr.history_max_rows rows (moments times items).';

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
