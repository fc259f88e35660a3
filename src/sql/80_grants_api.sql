-- okr 1.0, scoped by team in 1.1: giving roles access (README "Security").
--
-- Nothing in schema okr is granted to PUBLIC (90_grants.sql).  These
-- functions grant a role what it needs to read or to write, generically:
-- they act on whatever exists in schema okr when they are called, so after
-- ALTER EXTENSION okr UPDATE adds a view or a function, calling them again
-- extends the role's access to it.
--
-- Since 1.1 each takes a team (SPEC 9, doc/access.md): what is granted is
-- also written to okr.access_grant (one row per role and team, NULL for
-- unscoped), which okr's triggers and row-level security policies enforce
-- (70_access.sql).  Without a team they grant as 1.0 did: unscoped.
--
--   okr.grant_read(role[, team])  USAGE on schema okr, SELECT on every table and
--                            view (but okr.access_grant), EXECUTE on every aggregate and every
--                            function that is not VOLATILE (so not the
--                            trigger functions, not maintenance functions
--                            such as okr.refresh_maintained()), except the
--                            support functions of aggregates.  The reports
--                            are security_invoker views and the functions
--                            run as their caller, so a reader needs SELECT
--                            on the tables underneath them.
--                            With a team, the role reads the private
--                            objectives of that team and its sub-teams too.
--   okr.grant_write(role[, team])  grant_read, plus INSERT, UPDATE and DELETE on
--                            cycle, team, objective, key_result, checkin,
--                            project, task, key_result_source and task_feed
--                            (with a team not on cycle and team, and the
--                            trigger okr_05_access lets it write only that
--                            team's objectives, those of its sub-teams and
--                            what is below them), and EXECUTE on okr.sample,
--                            okr.backfill, okr.sync_tasks, okr.schedule,
--                            okr.unschedule.  Not TRUNCATE: it fires no
--                            row triggers, ignores row-level security and
--                            erases history wholesale; not REFERENCES or
--                            TRIGGER.  Identity columns need no sequence
--                            privilege.
--   okr.revoke_access(role[, team])  without a team takes back everything the
--                            two above grant; with one, that team's grant,
--                            and the privileges no remaining grant needs.
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

CREATE FUNCTION okr.grant_read(role_name name, team_id bigint DEFAULT NULL)
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
    IF grant_read.team_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM okr.team t WHERE t.id = grant_read.team_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = pg_catalog.format('team %s does not exist', grant_read.team_id);
    END IF;

    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA okr TO %I', role_name);

    FOR r IN
        SELECT c.relname
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'okr'::pg_catalog.regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND c.relname <> 'access_grant'
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

    -- Last, so that a caller who may not grant has failed above.
    INSERT INTO okr.access_grant AS a (role, team_id, can_write)
    VALUES (role_name, grant_read.team_id, false)
    ON CONFLICT ON CONSTRAINT access_grant_once DO NOTHING;
END;
$function$;
COMMENT ON FUNCTION okr.grant_read(name, bigint) IS
'Lets a role read okr: USAGE on the schema, SELECT on every table and view, EXECUTE on every aggregate and non-volatile function (not aggregate support functions); acts on what exists when called. With a team, it also reads the private objectives of that team and its sub-teams; without, every private objective (SPEC 9)';

CREATE FUNCTION okr.grant_write(role_name name, team_id bigint DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    t text;
BEGIN
    -- validates the role and the team and grants reading first
    PERFORM okr.grant_read(role_name, grant_write.team_id);

    -- A scoped writer writes neither cycles nor teams (and the trigger
    -- okr_05_access refuses it them whatever privileges it holds).
    FOREACH t IN ARRAY CASE WHEN grant_write.team_id IS NULL
                            THEN ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task',
                                       'key_result_source', 'task_feed']
                            ELSE ARRAY['objective', 'key_result', 'checkin', 'project', 'task',
                                       'key_result_source', 'task_feed'] END
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

    -- 1.1: running the sources and feeds it writes (SPEC 6), on demand or
    -- on pg_cron's schedule
    FOREACH t IN ARRAY ARRAY['okr.sample(bigint)', 'okr.backfill(bigint, timestamptz, timestamptz, interval)',
                             'okr.sync_tasks(bigint)', 'okr.schedule(text)', 'okr.unschedule()']
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', t, role_name);
        IF NOT pg_catalog.has_function_privilege(role_name, t, 'EXECUTE') THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = pg_catalog.format('okr.grant_write: could not grant EXECUTE on %s to %I', t, role_name),
                HINT = 'Call it as a superuser or as the owner of the extension.';
        END IF;
    END LOOP;
    UPDATE okr.access_grant a SET can_write = true
     WHERE a.role = role_name AND a.team_id IS NOT DISTINCT FROM grant_write.team_id;
END;
$function$;
COMMENT ON FUNCTION okr.grant_write(name, bigint) IS
'Lets a role read okr (see grant_read) and write goals, check-ins, projects, tasks, key-result sources and task feeds: INSERT, UPDATE, DELETE on cycle, team, objective, key_result, checkin, project, task, key_result_source, task_feed (not TRUNCATE), and EXECUTE on sample, backfill, sync_tasks, schedule, unschedule. With a team, only that team''s objectives, those of its sub-teams and what is below them, and neither cycles nor teams (SPEC 9)';

CREATE FUNCTION okr.revoke_access(role_name name, team_id bigint DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    r record;
    t text;
BEGIN
    IF role_name IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'okr.revoke_access: the role name must not be NULL';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.rolname = role_name) THEN
        -- the grants of a dropped role go (a role created later under its
        -- name would otherwise inherit them)
        DELETE FROM okr.access_grant a WHERE a.role = role_name;
        IF FOUND THEN
            RETURN;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = pg_catalog.format('role "%s" does not exist', role_name);
    END IF;

    IF revoke_access.team_id IS NOT NULL THEN
        -- one team's grant; then only what no remaining grant needs
        DELETE FROM okr.access_grant a
         WHERE a.role = role_name AND a.team_id = revoke_access.team_id;
        IF EXISTS (SELECT FROM okr.access_grant a WHERE a.role = role_name) THEN
            FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task']
            LOOP
                IF NOT EXISTS (SELECT FROM okr.access_grant a
                                WHERE a.role = role_name AND a.can_write
                                  AND (a.team_id IS NULL OR t NOT IN ('cycle', 'team'))) THEN
                    EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE ON TABLE okr.%I FROM %I', t, role_name);
                END IF;
            END LOOP;
            RETURN;
        END IF;
    END IF;
    DELETE FROM okr.access_grant a WHERE a.role = role_name;

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
COMMENT ON FUNCTION okr.revoke_access(name, bigint) IS
'Without a team, takes back from a role every grant of okr.access_grant and every privilege on schema okr and its tables, views, sequences and functions (not those it has through other roles); with a team, that team''s grant and the privileges no remaining grant needs';

REVOKE ALL ON FUNCTION okr.grant_read(name, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.grant_write(name, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.revoke_access(name, bigint) FROM PUBLIC;
