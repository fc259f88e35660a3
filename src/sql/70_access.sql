-- okr 1.1: access by team (SPEC 9, doc/access.md).
--
-- What is granted lives in okr.access_grant, a table of okr's that pg_dump
-- dumps; what enforces it is created here, by CREATE EXTENSION, so a restore
-- brings back both:
--   * writes: okr_05_access, a C BEFORE ROW trigger on every table a user
--     writes (src/rules_access.c);
--   * reads: row-level security policies on the tables of goals and work,
--     whose C functions answer from okr.access_grant as the owner
--     (src/access.c), so a policy never reads through another policy.
-- A policy created by the extension script is not dumped by pg_dump (it
-- belongs with the table, which is the extension's): CREATE EXTENSION
-- recreates it, as test/dump_restore.sh checks.  This file is appended whole
-- to the 1.0 -> 1.1 update script (Makefile).

CREATE TABLE okr.access_grant (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- a role name, not an oid: oids do not survive a dump and restore
    role      name NOT NULL,
    -- NULL: unscoped (every team, cycles and teams themselves).  Not a
    -- foreign key, so that TRUNCATE okr.team keeps working as in 1.0; a
    -- grant on a team that is gone grants nothing (doc/access.md).
    team_id   bigint,
    can_write boolean NOT NULL DEFAULT false,
    CONSTRAINT access_grant_once UNIQUE NULLS NOT DISTINCT (role, team_id)
);
CREATE INDEX access_grant_team_idx ON okr.access_grant (team_id);
COMMENT ON TABLE okr.access_grant IS 'Who may read and write what (SPEC 9): one row per role and team (NULL: unscoped), written by okr.grant_read, okr.grant_write and okr.revoke_access; read only by the owner';
COMMENT ON COLUMN okr.access_grant.role IS 'The role granted (by name, so that grants survive a dump and restore); its members have the grant too';
COMMENT ON COLUMN okr.access_grant.team_id IS 'The team whose objectives (and those of its sub-teams) the role reads or writes; NULL for every team';
COMMENT ON COLUMN okr.access_grant.can_write IS 'Writes as well as reads';
SELECT pg_catalog.pg_extension_config_dump('okr.access_grant', '');
SELECT pg_catalog.pg_extension_config_dump('okr.access_grant_id_seq', '');
-- Readers never see it: no policy, so only its owner reads it.
ALTER TABLE okr.access_grant ENABLE ROW LEVEL SECURITY;

-- Each session keeps what the grants give a user across statements
-- (src/access.c); a change of the grants or of the team tree tells every
-- session at commit.  ALWAYS: also under session_replication_role =
-- replica, as a bulk load would run.
CREATE FUNCTION okr.access_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_access_changed' LANGUAGE C;
CREATE TRIGGER okr_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON okr.access_grant FOR EACH STATEMENT EXECUTE FUNCTION okr.access_changed();
ALTER TABLE okr.access_grant ENABLE ALWAYS TRIGGER okr_access_changed;
CREATE TRIGGER okr_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON okr.team FOR EACH STATEMENT EXECUTE FUNCTION okr.access_changed();
ALTER TABLE okr.team ENABLE ALWAYS TRIGGER okr_access_changed;

------------------------------------------------------------------------------
-- Writes
------------------------------------------------------------------------------
CREATE FUNCTION okr.access_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_access_check' LANGUAGE C;

-- 05: before every other BEFORE ROW trigger, so a refused write learns
-- nothing from the link rules.
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.cycle FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.team FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.key_result FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.checkin FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.task FOR EACH ROW EXECUTE FUNCTION okr.access_check();
-- the feeds of SPEC 6 (60_feeds.sql): a source by its key result; a feed,
-- which belongs to no project, by its run_as and its tasks (doc/access.md)
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.key_result_source FOR EACH ROW EXECUTE FUNCTION okr.access_check();
CREATE TRIGGER okr_05_access BEFORE INSERT OR UPDATE OR DELETE
    ON okr.task_feed FOR EACH ROW EXECUTE FUNCTION okr.access_check();

------------------------------------------------------------------------------
-- Reads
------------------------------------------------------------------------------
-- The policies' functions: may the current user read this objective (key
-- result, project)?  STABLE, and each call site keeps the answer for the
-- statement.  PARALLEL RESTRICTED: they read tables as the owner.
CREATE FUNCTION okr.objective_visible(objective_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'okr_objective_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.objective_visible(bigint) IS
'May the current user read this objective and its parts? False only for a private objective outside the teams the user is granted (SPEC 9)';
CREATE FUNCTION okr.key_result_visible(key_result_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'okr_key_result_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.key_result_visible(bigint) IS
'May the current user read this key result (its objective) and its check-ins and projects?';
CREATE FUNCTION okr.project_visible(project_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'okr_project_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.project_visible(bigint) IS
'May the current user read this project (its objective) and its tasks?';
CREATE FUNCTION okr.task_feed_visible(feed_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'okr_task_feed_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.task_feed_visible(bigint) IS
'May the current user read this task feed and its rejections? False when one of its tasks lies under a private objective the user may not read';

-- One permissive policy per table, for every command: a row is read,
-- updated or deleted only where it is visible; what a row may become is
-- the write trigger's to decide (WITH CHECK true), so that a refused write
-- is okr's 42501 naming the team rather than a policy violation.  The
-- owner and superusers are not subject to row-level security.
ALTER TABLE okr.objective ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.objective
    USING (okr.objective_visible(id)) WITH CHECK (true);
ALTER TABLE okr.key_result ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.key_result
    USING (okr.objective_visible(objective_id)) WITH CHECK (true);
ALTER TABLE okr.checkin ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.checkin
    USING (okr.key_result_visible(key_result_id)) WITH CHECK (true);
ALTER TABLE okr.project ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.project
    USING (okr.key_result_visible(key_result_id)) WITH CHECK (true);
ALTER TABLE okr.project_effort ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.project_effort
    USING (okr.project_visible(project_id)) WITH CHECK (true);
ALTER TABLE okr.effort_ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.effort_ledger
    USING (okr.project_visible(project_id)) WITH CHECK (true);
ALTER TABLE okr.task ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.task
    USING (okr.project_visible(project_id)) WITH CHECK (true);
-- a source is a part of its key result's objective (its query too); a
-- feed, and the rows it rejected, of every objective it syncs tasks into
ALTER TABLE okr.key_result_source ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.key_result_source
    USING (okr.key_result_visible(key_result_id)) WITH CHECK (true);
ALTER TABLE okr.task_feed ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.task_feed
    USING (okr.task_feed_visible(id)) WITH CHECK (true);
ALTER TABLE okr.task_feed_rejection ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.task_feed_rejection
    USING (okr.task_feed_visible(feed_id)) WITH CHECK (true);

REVOKE ALL ON TABLE okr.access_grant FROM PUBLIC;
REVOKE ALL ON SEQUENCE okr.access_grant_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.access_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.access_changed() FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.objective_visible(bigint), okr.key_result_visible(bigint),
    okr.project_visible(bigint), okr.task_feed_visible(bigint) FROM PUBLIC;

-- 1.0 had no scopes: every role granted on okr then keeps what it had, as
-- an unscoped grant (a fresh install finds no such role), and may call the
-- policies' functions, which its reads now call.  Read from the ACL of
-- okr.objective, not has_table_privilege (true for superusers).
INSERT INTO okr.access_grant (role, team_id, can_write)
SELECT r.rolname, NULL, pg_catalog.bool_or(a.privilege_type OPERATOR(pg_catalog.=) 'INSERT')
  FROM pg_catalog.pg_class c
 CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
 WHERE c.oid OPERATOR(pg_catalog.=) 'okr.objective'::pg_catalog.regclass
   AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
   AND a.privilege_type OPERATOR(pg_catalog.=) ANY (ARRAY['SELECT', 'INSERT'])
 GROUP BY r.rolname;
DO $do$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT a.role FROM okr.access_grant a ORDER BY a.role LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION okr.objective_visible(bigint), '
                                  'okr.key_result_visible(bigint), okr.project_visible(bigint), '
                                  'okr.task_feed_visible(bigint) TO %I', g.role);
    END LOOP;
END;
$do$;
