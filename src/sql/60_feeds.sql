-- okr 1.1: the database feeds okr (SPEC 6; doc/feeds.md).
--
-- Key results measured by a query of the user's (okr.key_result_source,
-- okr.sample, okr.backfill: src/sources.c), tasks synced from a table or
-- view of the user's (okr.task_feed, okr.sync_tasks: src/feeds.c), and
-- pg_cron's job that runs both (okr.schedule, okr.unschedule).
-- New in 1.1 as a whole: the update script appends this file (Makefile).

CREATE TABLE okr.key_result_source (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_result_id   bigint NOT NULL UNIQUE REFERENCES okr.key_result (id) ON DELETE CASCADE,
    query           text NOT NULL,
    run_as          name NOT NULL DEFAULT CURRENT_USER,
    every           interval NOT NULL DEFAULT '1 hour',
    enabled         boolean NOT NULL DEFAULT true,
    timezone        text NOT NULL DEFAULT pg_catalog.current_setting('TimeZone'),
    -- maintained by okr.sample
    last_sampled_at timestamptz,
    last_value      numeric,
    last_error      text,
    last_error_at   timestamptz,
    CONSTRAINT key_result_source_every_positive CHECK (every OPERATOR(pg_catalog.>) '0'::interval)
);
COMMENT ON TABLE okr.key_result_source IS 'A key result measured by a read-only query run as run_as (SPEC 6): okr.sample records its value as a check-in when it changes';
COMMENT ON COLUMN okr.key_result_source.query IS 'One read-only SELECT returning one row of one value; $1 the moment measured, $2 and $3 the start and end of the cycle (timestamptz)';
COMMENT ON COLUMN okr.key_result_source.run_as IS 'The role the query and its check-ins run as: the writer or a role the writer is a member of';
COMMENT ON COLUMN okr.key_result_source.timezone IS 'The time zone the source is measured in ($2 and $3, and the query''s own date arithmetic)';

CREATE TABLE okr.task_feed (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source         regclass NOT NULL,
    run_as         name NOT NULL DEFAULT CURRENT_USER,
    every          interval NOT NULL DEFAULT '1 hour',
    enabled        boolean NOT NULL DEFAULT true,
    -- maintained by okr.sync_tasks
    last_synced_at timestamptz,
    last_error     text,
    CONSTRAINT task_feed_every_positive CHECK (every OPERATOR(pg_catalog.>) '0'::interval)
);
COMMENT ON TABLE okr.task_feed IS 'A table or view of the user''s whose rows okr.sync_tasks makes the feed''s tasks (SPEC 6)';
COMMENT ON COLUMN okr.task_feed.source IS 'Columns external_key, project_external_key or project_id, title, status; optionally effort, done_at, assignee, due_on';

ALTER TABLE okr.task ADD CONSTRAINT task_feed_id_fkey FOREIGN KEY (feed_id) REFERENCES okr.task_feed (id);
CREATE INDEX task_feed_idx ON okr.task (feed_id) WHERE feed_id IS NOT NULL;

-- The rows of a feed's source that its last sync rejected (replaced at
-- every sync of the feed), readable by every reader of okr.
CREATE TABLE okr.task_feed_rejection (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id      bigint NOT NULL REFERENCES okr.task_feed (id) ON DELETE CASCADE,
    external_key text,
    sqlstate     text NOT NULL,
    message      text NOT NULL,
    at           timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX task_feed_rejection_feed_idx ON okr.task_feed_rejection (feed_id);
COMMENT ON TABLE okr.task_feed_rejection IS 'Maintained by okr.sync_tasks: the source rows of each feed that its last sync rejected, with the error';

CREATE FUNCTION okr.source_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_source_guard' LANGUAGE C;
CREATE FUNCTION okr.task_feed_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_task_feed_guard' LANGUAGE C;
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.key_result_source FOR EACH ROW EXECUTE FUNCTION okr.source_guard();
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.task_feed FOR EACH ROW EXECUTE FUNCTION okr.task_feed_guard();

CREATE FUNCTION okr.sample(key_result_id bigint DEFAULT NULL)
RETURNS TABLE (key_result_id bigint, value numeric, checkin_id bigint, error text)
AS 'MODULE_PATHNAME', 'okr_sample' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION okr.sample(bigint) IS
'Measures every enabled source that is due (or the one given, due or not) at now() and records a check-in where the value changed; one row per source measured';

CREATE FUNCTION okr.backfill(key_result_id bigint, from_ts timestamptz, to_ts timestamptz, step interval)
RETURNS bigint
AS 'MODULE_PATHNAME', 'okr_backfill' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION okr.backfill(bigint, timestamptz, timestamptz, interval) IS
'Measures the key result''s source at from_ts, from_ts + step, ... up to to_ts (inside its cycle, not after now()) and records back-dated check-ins where the value differs from the one in force then; returns how many';

CREATE FUNCTION okr.sync_tasks(feed_id bigint DEFAULT NULL)
RETURNS TABLE (feed_id bigint, inserted bigint, updated bigint, deleted bigint, rejected bigint, error text)
AS 'MODULE_PATHNAME', 'okr_sync_tasks' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION okr.sync_tasks(bigint) IS
'Makes the tasks of every enabled feed that is due (or of the one given) equal to its source, set-based; rows that break a link rule go to okr.task_feed_rejection';

-- pg_cron's job.  pg_cron is found through pg_extension, whatever schema it
-- lives in; where it lives in another database (cron.database_name), the
-- error's hint is the call to run there.
CREATE FUNCTION okr.schedule(schedule text DEFAULT '*/15 * * * *')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    nsp name;
    job_name text := 'okr ' || pg_catalog.current_database();
    command text := 'SELECT count(*) FROM okr.sample(); SELECT count(*) FROM okr.sync_tasks();';
    cron_db text := pg_catalog.current_setting('cron.database_name', true);
    job bigint;
BEGIN
    -- the schema of pg_cron's own function schedule (pg_cron's objects
    -- live in a schema of their own, not in pg_extension.extnamespace)
    SELECT n.nspname INTO nsp
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.refobjid = e.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
      JOIN pg_catalog.pg_proc p ON p.oid = d.objid AND p.proname = 'schedule'
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE e.extname = 'pg_cron'
     LIMIT 1;
    IF nsp IS NULL THEN
        IF cron_db IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
                MESSAGE = 'okr.schedule: pg_cron is not installed',
                HINT = 'Install pg_cron (Debian: apt-get install postgresql-15-cron), set shared_preload_libraries = ''pg_cron'' and cron.database_name in postgresql.conf, restart the server and run CREATE EXTENSION pg_cron in that database.';
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = pg_catalog.format('okr.schedule: pg_cron is not installed in database %s', pg_catalog.current_database()),
            HINT = pg_catalog.format('pg_cron runs jobs from database %s: connect to it and run SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                                     cron_db, job_name, schedule, command, pg_catalog.current_database());
    END IF;
    EXECUTE pg_catalog.format('SELECT %I.schedule($1, $2, $3)', nsp) INTO job USING job_name, schedule, command;
    RETURN job;
END;
$function$;
COMMENT ON FUNCTION okr.schedule(text) IS
'Creates or replaces the pg_cron job (named "okr <database>") that samples the sources and syncs the feeds of this database on the schedule given; returns its job id';

CREATE FUNCTION okr.unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    nsp name;
    job_name text := 'okr ' || pg_catalog.current_database();
    found_job boolean;
BEGIN
    -- the schema of pg_cron's own function schedule (pg_cron's objects
    -- live in a schema of their own, not in pg_extension.extnamespace)
    SELECT n.nspname INTO nsp
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.refobjid = e.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
      JOIN pg_catalog.pg_proc p ON p.oid = d.objid AND p.proname = 'schedule'
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE e.extname = 'pg_cron'
     LIMIT 1;
    IF nsp IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = pg_catalog.format('okr.unschedule: pg_cron is not installed in database %s', pg_catalog.current_database()),
            HINT = pg_catalog.format('Connect to pg_cron''s database and run SELECT cron.unschedule(%L);', job_name);
    END IF;
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %I.job WHERE jobname = $1 AND username = CURRENT_USER)', nsp)
       INTO found_job USING job_name;
    IF found_job THEN
        EXECUTE pg_catalog.format('SELECT %I.unschedule($1)', nsp) USING job_name;
    END IF;
    RETURN found_job;
END;
$function$;
COMMENT ON FUNCTION okr.unschedule() IS
'Removes the pg_cron job okr.schedule created for this database; false when there was none';

SELECT pg_catalog.pg_extension_config_dump('okr.key_result_source', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task_feed', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task_feed_rejection', '');
SELECT pg_catalog.pg_extension_config_dump('okr.key_result_source_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task_feed_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('okr.task_feed_rejection_id_seq', '');

-- Nothing to PUBLIC (90_grants.sql does it for a fresh install; the update
-- script ends with this file).
REVOKE ALL ON TABLE okr.key_result_source, okr.task_feed, okr.task_feed_rejection FROM PUBLIC;
REVOKE ALL ON SEQUENCE okr.key_result_source_id_seq, okr.task_feed_id_seq, okr.task_feed_rejection_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.source_guard(), okr.task_feed_guard(), okr.sample(bigint),
    okr.backfill(bigint, timestamptz, timestamptz, interval), okr.sync_tasks(bigint),
    okr.schedule(text), okr.unschedule() FROM PUBLIC;
