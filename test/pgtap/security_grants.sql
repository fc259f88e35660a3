-- Security: roles and grants (README "Security").
--
-- Nothing is granted to PUBLIC; okr.grant_read(role) and okr.grant_write(role)
-- give exactly what they document, generically over whatever exists in schema
-- okr; a role without grants can do nothing; the triggers (which run as the
-- table owner) and the functions (which run as the caller) give no one more
-- than their grants; row-level security a user adds on the tables is
-- respected by okr.progress(), okr.objective_progress() and every view, while
-- the link rules are still enforced against rows the writer cannot see.
--
-- Roles are created inside this file's transaction and vanish with its
-- ROLLBACK.  Statements run as a role through pg_temp helpers (SET ROLE inside
-- a function) so that pgTAP itself always runs as the superuser.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(101);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

CREATE ROLE okr_sec_nobody;
CREATE ROLE okr_sec_reader;
CREATE ROLE okr_sec_writer;
CREATE ROLE okr_sec_fnonly;
CREATE ROLE "Okr Sec Mixed Case";
CREATE ROLE "okr_sec""; DROP SCHEMA okr CASCADE; --";

-- ---------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------

-- Run statements as a role; 'ok', or the SQLSTATE of the first that fails.
-- Whatever the statements change (search_path, role) is put back.
CREATE FUNCTION pg_temp.sqlstate_as(r text, VARIADIC stmts text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s text;
    st text := 'ok';
    saved_path text := pg_catalog.current_setting('search_path');
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        FOREACH s IN ARRAY stmts LOOP
            EXECUTE s;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
    END;
    RESET ROLE;
    PERFORM pg_catalog.set_config('search_path', saved_path, false);
    RETURN st;
END $$;

-- Run statements as a role and return the first column of the last one as
-- text (or 'ERROR <sqlstate>').
CREATE FUNCTION pg_temp.value_as(r text, VARIADIC stmts text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    i int;
    v text;
    saved_path text := pg_catalog.current_setting('search_path');
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        FOR i IN 1 .. pg_catalog.array_length(stmts, 1) - 1 LOOP
            EXECUTE stmts[i];
        END LOOP;
        EXECUTE stmts[pg_catalog.array_length(stmts, 1)] INTO v;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v = RETURNED_SQLSTATE;
        v := 'ERROR ' || v;
    END;
    RESET ROLE;
    PERFORM pg_catalog.set_config('search_path', saved_path, false);
    RETURN v;
END $$;

-- Every relation (table, view, ...) in schema okr but okr.access_grant,
-- which only its owner reads (test/pgtap/security_access.sql).
CREATE FUNCTION pg_temp.okr_relations() RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.format('okr.%I', c.relname)
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND c.relname <> 'access_grant'
     ORDER BY 1
$$;
CREATE FUNCTION pg_temp.okr_views() RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.format('okr.%I', c.relname)
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind IN ('v', 'm')
     ORDER BY 1
$$;
-- The seven tables users write to.
CREATE FUNCTION pg_temp.okr_data_tables() RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'okr.' || t FROM unnest(ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task']) t
$$;
-- Support functions of the aggregates in okr.
CREATE FUNCTION pg_temp.okr_agg_support() RETURNS SETOF regprocedure
LANGUAGE sql STABLE AS $$
    SELECT f::regprocedure
      FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid,
           unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                        a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn]::oid[]) f
     WHERE p.pronamespace = 'okr'::regnamespace AND f <> 0
$$;
-- Every function and aggregate in okr that a reader may call (an aggregate or
-- a non-volatile function, not an aggregate support function), as a call
-- with NULL arguments of the right types.
CREATE FUNCTION pg_temp.okr_null_calls() RETURNS TABLE (fn regprocedure, call text)
LANGUAGE sql STABLE AS $$
    SELECT p.oid::regprocedure,
           pg_catalog.format('SELECT %I.%I(%s)', n.nspname, p.proname,
               (SELECT pg_catalog.string_agg('NULL::' || pg_catalog.format_type(t, NULL), ', ' ORDER BY i)
                  FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i)))
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'okr'
       AND p.prorettype <> 'trigger'::regtype
       AND p.proname NOT IN ('grant_read', 'grant_write', 'revoke_access')
       AND (p.provolatile <> 'v' OR p.prokind = 'a')
       AND p.oid NOT IN (SELECT pg_temp.okr_agg_support())
     ORDER BY p.oid
$$;

-- ---------------------------------------------------------------------------
-- The grant API itself
-- ---------------------------------------------------------------------------
SELECT has_function('okr', 'grant_read', ARRAY['name', 'bigint'], 'okr.grant_read(name, bigint) exists (1.1: the team is optional)');
SELECT has_function('okr', 'grant_write', ARRAY['name', 'bigint'], 'okr.grant_write(name, bigint) exists');
SELECT has_function('okr', 'revoke_access', ARRAY['name', 'bigint'], 'okr.revoke_access(name, bigint) exists');
SELECT throws_ok($$SELECT okr.grant_read('okr_sec_no_such_role')$$, '42704',
    'role "okr_sec_no_such_role" does not exist', 'grant_read of an unknown role: 42704');
SELECT throws_ok($$SELECT okr.grant_write('okr_sec_no_such_role')$$, '42704',
    'role "okr_sec_no_such_role" does not exist', 'grant_write of an unknown role: 42704');
SELECT throws_ok($$SELECT okr.revoke_access('okr_sec_no_such_role')$$, '42704',
    'role "okr_sec_no_such_role" does not exist', 'revoke_access of an unknown role: 42704');
SELECT throws_ok($$SELECT okr.grant_read('public')$$, '42704', NULL,
    'grant_read(''public''): 42704, okr grants nothing to PUBLIC');
SELECT throws_ok($$SELECT okr.grant_write('PUBLIC')$$, '42704', NULL,
    'grant_write(''PUBLIC''): 42704');
SELECT throws_ok($$SELECT okr.grant_read(NULL)$$, '22004', NULL, 'grant_read(NULL): 22004');
SELECT throws_ok($$SELECT okr.grant_read('okr_sec_reader; DROP SCHEMA okr CASCADE')$$, '42704', NULL,
    'a role name with SQL in it is only a name (42704)');

SELECT lives_ok($$SELECT okr.grant_read('Okr Sec Mixed Case')$$, 'grant_read of a role whose name needs quoting');
SELECT ok(has_schema_privilege('Okr Sec Mixed Case', 'okr', 'USAGE')
          AND has_table_privilege('Okr Sec Mixed Case', 'okr.objective', 'SELECT'),
    '... and that role can read');
SELECT lives_ok($$SELECT okr.grant_write('okr_sec"; DROP SCHEMA okr CASCADE; --')$$,
    'grant_write of a role whose name is an injection attempt');
SELECT ok(has_table_privilege('okr_sec"; DROP SCHEMA okr CASCADE; --', 'okr.task', 'INSERT')
          AND to_regnamespace('okr') IS NOT NULL,
    '... the role got its grants and schema okr is still there');

-- ---------------------------------------------------------------------------
-- Nothing for PUBLIC, nothing for a role without grants
-- ---------------------------------------------------------------------------
SELECT is((
    SELECT count(*)::int FROM (
        SELECT (aclexplode(coalesce(nspacl, acldefault('n', nspowner)))).grantee
          FROM pg_namespace WHERE nspname = 'okr'
        UNION ALL
        SELECT (aclexplode(coalesce(relacl, acldefault((CASE WHEN relkind = 'S' THEN 's' ELSE 'r' END)::"char", relowner)))).grantee
          FROM pg_class WHERE relnamespace = 'okr'::regnamespace
        UNION ALL
        SELECT (aclexplode(coalesce(proacl, acldefault('f', proowner)))).grantee
          FROM pg_proc WHERE pronamespace = 'okr'::regnamespace
    ) g WHERE grantee = 0), 0,
    'PUBLIC holds no privilege on schema okr, its relations or its functions (default ACLs included)');

SELECT is((
    SELECT count(*)::int FROM pg_class c
     WHERE c.relnamespace = 'okr'::regnamespace
       AND has_table_privilege('okr_sec_nobody', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')), 0,
    'a role without grants has no privilege on any okr relation');
SELECT is((
    SELECT count(*)::int FROM pg_proc p
     WHERE p.pronamespace = 'okr'::regnamespace AND has_function_privilege('okr_sec_nobody', p.oid, 'EXECUTE')), 0,
    'a role without grants may execute no okr function');
SELECT ok(NOT has_schema_privilege('okr_sec_nobody', 'okr', 'USAGE')
          AND NOT has_schema_privilege('okr_sec_nobody', 'okr', 'CREATE'),
    'a role without grants has no USAGE or CREATE on schema okr');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_relations() r
            WHERE pg_temp.sqlstate_as('okr_sec_nobody', 'SELECT * FROM ' || r) <> '42501'), 0,
    'a role without grants: SELECT from every okr relation raises 42501');
SELECT is(pg_temp.sqlstate_as('okr_sec_nobody', $$SELECT okr.kr_progress('metric', 0, 10, 5)$$), '42501',
    'a role without grants cannot call okr.kr_progress (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_nobody', $$SELECT * FROM okr.progress()$$), '42501',
    'a role without grants cannot call okr.progress (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_nobody', $$SELECT okr.grant_read('okr_sec_nobody')$$), '42501',
    'a role without grants cannot grant itself access (42501)');

-- ---------------------------------------------------------------------------
-- Fixture (as the superuser)
-- ---------------------------------------------------------------------------
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');        -- 1
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('Q1 2026', '2026-01-01', '2026-03-31', 1); -- 2
INSERT INTO okr.team (name) VALUES ('Company');                         -- 1
INSERT INTO okr.team (name, parent_id) VALUES ('Sales', 1), ('Acquisitions', 1); -- 2, 3
INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES
    (1, 1, NULL, 'Company goal'),         -- 1
    (1, 2, 1,    'Sales goal'),           -- 2
    (1, 3, 1,    'SECRET acquisition'),   -- 3
    (1, 3, 2,    'SECRET sales child'),   -- 4, below visible 2
    (1, 3, NULL, 'SECRET closed');        -- 5, closed below
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES
    (2, 'Pipeline',        'metric',    0, 100),   -- 1
    (4, 'SECRET revenue',  'metric',    0, 10),    -- 2
    (3, 'SECRET deal',     'milestone', NULL, NULL), -- 3
    (1, 'Company KR',      'at_least',  NULL, 5),  -- 4
    (5, 'SECRET old',      'metric',    0, 1);     -- 5
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
    (1, 50, '2026-03-01'), (2, 10, '2026-03-01'), (3, 1, '2026-03-01'), (4, 5, '2026-03-01');
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'Campaign');  -- 1
INSERT INTO okr.task (project_id, title, status, done_at) VALUES (1, 'Write copy', 'done', '2026-02-01'); -- 1
INSERT INTO okr.task (project_id, title) VALUES (1, 'Send mailing');    -- 2
UPDATE okr.objective SET state = 'closed' WHERE id = 5;

-- ---------------------------------------------------------------------------
-- Reader
-- ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT okr.grant_read('okr_sec_reader')$$, 'grant_read(okr_sec_reader)');
SELECT ok(has_schema_privilege('okr_sec_reader', 'okr', 'USAGE')
          AND NOT has_schema_privilege('okr_sec_reader', 'okr', 'CREATE'),
    'reader: USAGE on schema okr, no CREATE');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_relations() r
            WHERE NOT has_table_privilege('okr_sec_reader', r, 'SELECT')), 0,
    'reader: SELECT on every okr table and view');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_relations() r
            WHERE has_table_privilege('okr_sec_reader', r, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')), 0,
    'reader: no INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER on any okr relation');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_null_calls() c
            WHERE NOT has_function_privilege('okr_sec_reader', c.fn, 'EXECUTE')), 0,
    'reader: EXECUTE on every okr aggregate and non-volatile function (aggregate support functions aside)');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p
            WHERE p.pronamespace = 'okr'::regnamespace
              AND (p.prorettype = 'trigger'::regtype OR (p.provolatile = 'v' AND p.prokind <> 'a')
                   OR p.oid IN (SELECT pg_temp.okr_agg_support()))
              AND has_function_privilege('okr_sec_reader', p.oid, 'EXECUTE')), NULL,
    'reader: no EXECUTE on trigger functions, volatile (maintenance) functions, aggregate support functions or the grant API');
SELECT is(pg_temp.value_as('okr_sec_reader',
    'SELECT okr.weighted_progress(p, w)::text FROM (VALUES (0.5::float8, 1::float8), (1, 3)) v(p, w)'), '0.875',
    'reader: the aggregate works without EXECUTE on its support functions');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_relations() r
            WHERE pg_temp.sqlstate_as('okr_sec_reader', 'SELECT * FROM ' || r) <> 'ok'), 0,
    'reader: SELECT * from every okr relation works');
SELECT is((SELECT pg_catalog.string_agg(c.fn::text || ' -> ' || s, ', ')
             FROM pg_temp.okr_null_calls() c, LATERAL pg_temp.sqlstate_as('okr_sec_reader', c.call) s
            WHERE s = '42501' OR s LIKE 'XX%'), NULL,
    'reader: every okr function and aggregate can be called (NULL arguments), none denied');
SELECT is(pg_temp.value_as('okr_sec_reader', $$SELECT okr.objective_progress(1, '2026-06-01')::text$$),
    (SELECT okr.objective_progress(1, '2026-06-01')::text),
    'reader (no row-level security yet) sees the same rollup as the owner');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_data_tables() t
            WHERE pg_temp.sqlstate_as('okr_sec_reader', 'INSERT INTO ' || t || ' DEFAULT VALUES') <> '42501'), 0,
    'reader: INSERT into any okr table raises 42501');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_data_tables() t
            WHERE pg_temp.sqlstate_as('okr_sec_reader', 'UPDATE ' || t || ' SET id = DEFAULT') <> '42501'), 0,
    'reader: UPDATE of any okr table raises 42501');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_data_tables() t
            WHERE pg_temp.sqlstate_as('okr_sec_reader', 'DELETE FROM ' || t) <> '42501'), 0,
    'reader: DELETE from any okr table raises 42501');
SELECT is(pg_temp.sqlstate_as('okr_sec_reader', 'TRUNCATE okr.checkin'), '42501',
    'reader: TRUNCATE raises 42501');
SELECT is(pg_temp.sqlstate_as('okr_sec_reader', $$SELECT okr.grant_write('okr_sec_reader')$$), '42501',
    'reader cannot upgrade itself with grant_write (42501)');
CREATE SCHEMA okr_sec_sandbox AUTHORIZATION okr_sec_reader;
SELECT is(pg_temp.sqlstate_as('okr_sec_reader',
    'CREATE TABLE okr_sec_sandbox.task (id bigint, project_id bigint, status text, done_at timestamptz)',
    'CREATE TRIGGER t BEFORE INSERT ON okr_sec_sandbox.task FOR EACH ROW EXECUTE FUNCTION okr.task_guard()'),
    '42501',
    'reader cannot attach an okr trigger function (which runs as the table owner) to a table of its own');

-- A role allowed to call the rollup but not to read the tables gets nothing.
GRANT USAGE ON SCHEMA okr TO okr_sec_fnonly;
GRANT EXECUTE ON FUNCTION okr.progress(timestamptz, timestamptz), okr.objective_progress(bigint, timestamptz, timestamptz),
                          okr.objective_score(bigint) TO okr_sec_fnonly;
SELECT is(pg_temp.sqlstate_as('okr_sec_fnonly', 'SELECT * FROM okr.progress()'), '42501',
    'EXECUTE on okr.progress without SELECT on the tables: 42501, the function reads as its caller');
SELECT is(pg_temp.sqlstate_as('okr_sec_fnonly', 'SELECT okr.objective_progress(1)'), '42501',
    'EXECUTE on okr.objective_progress without SELECT on the tables: 42501');
SELECT is(pg_temp.sqlstate_as('okr_sec_fnonly', 'SELECT okr.objective_score(1)'), '42501',
    'EXECUTE on okr.objective_score without SELECT on the tables: 42501');

-- grant_read is generic: an object added later is covered by calling it again.
CREATE VIEW okr.zz_sec_probe WITH (security_invoker = true) AS SELECT count(*) AS n FROM okr.objective;
CREATE FUNCTION okr.zz_sec_probe_fn() RETURNS int LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp RETURN 1;
REVOKE ALL ON okr.zz_sec_probe FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.zz_sec_probe_fn() FROM PUBLIC;
SELECT is(pg_temp.sqlstate_as('okr_sec_reader', 'SELECT * FROM okr.zz_sec_probe'), '42501',
    'a view added after grant_read is not readable yet');
SELECT lives_ok($$SELECT okr.grant_read('okr_sec_reader')$$, 'grant_read again (idempotent)');
SELECT is(pg_temp.value_as('okr_sec_reader', 'SELECT n::text FROM okr.zz_sec_probe'), '5',
    '... now the new view is readable');
SELECT is(pg_temp.value_as('okr_sec_reader', 'SELECT okr.zz_sec_probe_fn()::text'), '1',
    '... and the new function callable');
DROP VIEW okr.zz_sec_probe;
DROP FUNCTION okr.zz_sec_probe_fn();

-- ---------------------------------------------------------------------------
-- Writer
-- ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT okr.grant_write('okr_sec_writer')$$, 'grant_write(okr_sec_writer)');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_data_tables() t
            WHERE NOT (has_table_privilege('okr_sec_writer', t, 'SELECT') AND has_table_privilege('okr_sec_writer', t, 'INSERT')
                   AND has_table_privilege('okr_sec_writer', t, 'UPDATE') AND has_table_privilege('okr_sec_writer', t, 'DELETE'))), 0,
    'writer: SELECT, INSERT, UPDATE, DELETE on the seven data tables');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_relations() r
            WHERE has_table_privilege('okr_sec_writer', r, 'TRUNCATE, REFERENCES, TRIGGER')), 0,
    'writer: no TRUNCATE, REFERENCES or TRIGGER on any okr relation');
SELECT is((SELECT count(*)::int FROM pg_temp.okr_views() v
            WHERE has_table_privilege('okr_sec_writer', v, 'INSERT, UPDATE, DELETE')), 0,
    'writer: views stay read-only');
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'okr'::regnamespace
              AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('okr_sec_writer', c.oid, 'USAGE, SELECT, UPDATE') END), 0,
    'writer: no privilege on the identity sequences (inserts do not need one)');
SELECT ok(NOT has_schema_privilege('okr_sec_writer', 'okr', 'CREATE'), 'writer: no CREATE on schema okr');

-- the whole chain, written by the writer
SELECT is(pg_temp.sqlstate_as('okr_sec_writer',
    $$INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Writer cycle', '2026-01-01', '2026-12-31')$$,
    $$INSERT INTO okr.team (name, parent_id) VALUES ('Writer team', 1)$$,
    $$INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (3, 4, 1, 'Writer objective')$$,
    $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (6, 'Writer KR', 0, 4)$$,
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (6, 1, '2026-04-01'), (6, 3, '2026-05-01')$$,
    $$INSERT INTO okr.project (key_result_id, name) VALUES (6, 'Writer project')$$,
    $$INSERT INTO okr.task (project_id, title) VALUES (2, 'Writer task')$$,
    $$UPDATE okr.task SET status = 'done' WHERE id = 3$$,
    $$UPDATE okr.objective SET title = 'Writer objective, renamed' WHERE id = 6$$,
    $$DELETE FROM okr.checkin WHERE key_result_id = 6 AND value = 3$$),
    'ok', 'writer: inserts, updates and deletes through every table');
SELECT is((SELECT current_value FROM okr.key_result WHERE id = 6), 1::numeric,
    'writer: the trigger (running as the table owner) kept current_value at the latest remaining check-in');
SELECT ok((SELECT done_at IS NOT NULL FROM okr.task WHERE id = 3), 'writer: done_at was set by the trigger');
SELECT is((SELECT pg_catalog.string_agg(DISTINCT author, ',') FROM okr.checkin WHERE key_result_id = 6), 'okr_sec_writer',
    'writer: check-in author defaults to the writer, not to the table owner the triggers run as');
SELECT is(pg_temp.value_as('okr_sec_writer',
    'SET search_path = public',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (6, 2, '2026-06-01')$$,
    $$SELECT current_user || ' ' || session_user || ' ' || current_setting('search_path')$$),
    'okr_sec_writer ' || session_user || ' public',
    'after the triggers ran, the writer is still the current user and its search_path is its own');
SELECT is(pg_temp.value_as('okr_sec_writer',
    'SET search_path = public',
    $q$DO $do$ BEGIN
        INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (6, 2, '2030-01-01');
        PERFORM pg_catalog.set_config('okr_test.caught', 'no error', false);
      EXCEPTION WHEN OTHERS THEN
        PERFORM pg_catalog.set_config('okr_test.caught', SQLSTATE, false);
      END $do$$q$,
    $$SELECT current_user || ' ' || current_setting('search_path') || ' ' || current_setting('okr_test.caught')$$),
    'okr_sec_writer public 23O05',
    '... and the same after a trigger raised an error (rule 5: 23O05, a check-in after its cycle) that was caught');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'UPDATE okr.key_result SET current_value = 99 WHERE id = 6'),
    '428C9', 'writer: a direct write to current_value is rejected (428C9)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'UPDATE okr.team SET parent_id = 4 WHERE id = 1'),
    '23O01', 'writer: link rules apply (team cycle, 23O01)');

-- what the writer may not do
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'TRUNCATE okr.task'), '42501', 'writer: TRUNCATE raises 42501');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'ALTER TABLE okr.task DISABLE TRIGGER ALL'), '42501',
    'writer cannot disable the triggers (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'DROP TRIGGER okr_10_guard ON okr.task'), '42501',
    'writer cannot drop a trigger (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'SET session_replication_role = replica'), '42501',
    'writer cannot switch triggers off with session_replication_role (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer',
    $$CREATE FUNCTION pg_temp.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'$$,
    'CREATE TRIGGER t BEFORE INSERT ON okr.task FOR EACH ROW EXECUTE FUNCTION pg_temp.f()'), '42501',
    'writer cannot add a trigger to an okr table (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'CREATE TABLE okr.mine (x int)'), '42501',
    'writer cannot create a table in schema okr (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer',
    'CREATE FUNCTION okr.now() RETURNS timestamptz LANGUAGE sql RETURN pg_catalog.now()'), '42501',
    'writer cannot plant a function in schema okr (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'ALTER FUNCTION okr.progress(timestamptz, timestamptz) SECURITY DEFINER'), '42501',
    'writer cannot alter an okr function (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'ALTER TABLE okr.objective ADD COLUMN x int'), '42501',
    'writer cannot alter an okr table (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'CREATE POLICY p ON okr.objective USING (true)'), '42501',
    'writer cannot add a row-level security policy (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'DROP TABLE okr.task'), '42501',
    'writer cannot drop an okr table (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', $$SELECT okr.grant_write('okr_sec_nobody')$$), '42501',
    'writer cannot hand out access (42501)');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text) FROM pg_proc p
            WHERE p.pronamespace = 'okr'::regnamespace AND p.provolatile = 'v' AND p.prokind <> 'a'
              AND has_function_privilege('okr_sec_writer', p.oid, 'EXECUTE')),
          'okr.backfill(bigint,timestamp with time zone,timestamp with time zone,interval), okr.sample(bigint), okr.schedule(text), okr.sync_tasks(bigint), okr.unschedule()',
    'writer: no EXECUTE on volatile (maintenance) functions but the runners of its sources and feeds (1.1): the rest stay with the owner');

-- ---------------------------------------------------------------------------
-- Row-level security: okr's read scope (SPEC 9; 1.0 tested policies a user
-- added, which 1.1 replaces because pg_dump drops them)
-- ---------------------------------------------------------------------------
-- The SECRET team's objectives are private; the reader is granted on the
-- Sales team only; the scoped writer writes the Sales team's objectives.
-- (The reader sees the non-private Company goal too: okr shows every
-- objective that is not private.)
CREATE ROLE okr_sec_scoped;
SELECT okr.revoke_access('okr_sec_reader');
SELECT okr.grant_read('okr_sec_reader', 2);
SELECT okr.grant_write('okr_sec_scoped', 2);
UPDATE okr.objective SET private = true WHERE id NOT IN (1, 2);  -- the SECRET ones and those added above

SELECT is(pg_temp.value_as('okr_sec_reader', 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM okr.objective'), '1,2',
    'RLS fixture: the reader sees objectives 1 and 2, none of the private SECRET ones');
SELECT is(pg_temp.value_as('okr_sec_reader',
    $$SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.progress('2026-06-01') WHERE item = 'objective'$$), '1,2',
    'okr.progress() as the reader: only the visible objectives');
SELECT is(pg_temp.value_as('okr_sec_reader',
    $$SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.progress('2026-06-01') WHERE item = 'key_result'$$), '1,4',
    'okr.progress() as the reader: only key results of visible objectives');
SELECT is((SELECT okr.objective_progress(2, '2026-06-01')), 0.75::float8,
    'owner: objective 2 rolls up its key result (0.5) and its SECRET child (1.0): 0.75');
SELECT is(pg_temp.value_as('okr_sec_reader', $$SELECT okr.objective_progress(2, '2026-06-01')::text$$), '0.75',
    'reader: objective 2 counts its private child too, one truth (1.0 with user policies: 0.5)');
SELECT is(pg_temp.value_as('okr_sec_reader',
    $$SELECT progress::text FROM okr.progress('2026-06-01') WHERE item = 'objective' AND id = 2$$), '0.75',
    'reader: okr.progress() agrees (0.75)');
SELECT is(pg_temp.value_as('okr_sec_reader', $$SELECT okr.objective_progress(3, '2026-06-01')::text$$), 'ERROR P0002',
    'reader: a hidden objective is reported as not existing (P0002) ...');
SELECT is(pg_temp.value_as('okr_sec_reader', $$SELECT okr.objective_progress(999, '2026-06-01')::text$$), 'ERROR P0002',
    '... exactly like an objective that does not exist');
SELECT is(pg_temp.value_as('okr_sec_reader', $$SELECT coalesce(okr.objective_score(3)::text, 'NULL')$$), 'NULL',
    'reader: okr.objective_score of a hidden objective is NULL');
SELECT is(pg_temp.value_as('okr_sec_reader',
    $$SELECT okr.weighted_progress(progress, 1)::text FROM okr.progress('2026-06-01') WHERE item = 'objective'$$),
    (SELECT okr.weighted_progress(progress, 1)::text FROM okr.progress('2026-06-01') WHERE item = 'objective' AND id IN (1, 2)),
    'reader: okr.weighted_progress over okr.progress() sees only visible rows');

-- every view, generically: nothing hidden shows, and objective ids are visible ones
SELECT is((SELECT pg_catalog.string_agg(v || ' -> ' || s, ', ')
             FROM pg_temp.okr_views() v,
                  LATERAL pg_temp.value_as('okr_sec_reader',
                      pg_catalog.format($$SELECT count(*)::text FROM %s t WHERE t::text LIKE '%%SECRET%%'$$, v)) s
            WHERE s <> '0'), NULL,
    pg_catalog.format('reader: no row of any view (%s) shows a hidden objective, key result or their titles',
        (SELECT count(*) FROM pg_temp.okr_views())));
SELECT is((SELECT pg_catalog.string_agg(v || ' -> ' || s, ', ')
             FROM pg_temp.okr_views() v,
                  LATERAL pg_temp.value_as('okr_sec_reader',
                      pg_catalog.format($$SELECT count(*)::text FROM %s t WHERE t.objective_id NOT IN (1, 2)$$, v)) s
            WHERE EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = v::regclass AND a.attname = 'objective_id')
              AND s <> '0'), NULL,
    'reader: every view with an objective_id column shows only visible objectives');
SELECT is(
    CASE WHEN to_regclass('okr.objective_report') IS NULL THEN 'no view'
         ELSE pg_temp.value_as('okr_sec_reader',
             $$SELECT (SELECT r.progress FROM okr.objective_report r WHERE r.objective_id = 2)
                      IS NOT DISTINCT FROM okr.objective_progress(2)
                  AND okr.objective_progress(2) IS DISTINCT FROM okr.objective_progress(2, '2026-01-01')
                  OR pg_catalog.now() < '2026-03-01'$$) END,
    CASE WHEN to_regclass('okr.objective_report') IS NULL THEN 'no view' ELSE 'true' END,
    'reader: okr.objective_report (when present) agrees with okr.objective_progress');

-- the scoped writer cannot see the SECRET team's private objectives, but
-- the link rules, checked by triggers as the table owner, still see them
SELECT is(pg_temp.value_as('okr_sec_scoped', 'SELECT count(*)::text FROM okr.objective WHERE team_id = 3'), '0',
    'RLS fixture: the scoped writer sees no SECRET objective');
SELECT is(pg_temp.value_as('okr_sec_scoped', $$WITH u AS (UPDATE okr.objective SET title = 'x' WHERE id = 3 RETURNING 1)
                                                SELECT count(*)::text FROM u$$), '0',
    'scoped writer: an UPDATE of a hidden objective touches nothing');
SELECT is(pg_temp.sqlstate_as('okr_sec_scoped', 'UPDATE okr.objective SET parent_id = 4 WHERE id = 2'), '23O01',
    'scoped writer: aligning 2 under its hidden child 4 is a cycle (23O01)');
SELECT is(pg_temp.sqlstate_as('okr_sec_scoped',
    $$INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (1, 2, 5, 'under hidden closed')$$), '23O06',
    'scoped writer: aligning under a hidden closed objective is refused (23O06)');
SELECT is(pg_temp.sqlstate_as('okr_sec_scoped',
    $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (5, 'x', 0, 1)$$), '42501',
    'scoped writer: a key result under a hidden objective is refused by the write scope first (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_scoped', 'UPDATE okr.objective SET cycle_id = 2 WHERE id = 2'), '23O02',
    'scoped writer: moving 2 to Q1 breaks the cover of its hidden child 4 (23O02)');
SELECT is(pg_temp.sqlstate_as('okr_sec_scoped',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (2, 1, '2027-06-01')$$), '42501',
    'scoped writer: a check-in under a hidden objective is refused by the write scope first (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_scoped', 'UPDATE okr.cycle SET ends_on = $$2026-02-28$$ WHERE id = 2'), '42501',
    'scoped writer: writes no cycle (42501)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'UPDATE okr.cycle SET ends_on = $$2026-02-28$$ WHERE id = 2'), 'ok',
    'unscoped writer: changing the dates of a cycle is allowed when every link still fits');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'UPDATE okr.cycle SET ends_on = $$2026-06-30$$ WHERE id = 1'), '23O02',
    'writer: shrinking a cycle so that an alignment no longer fits is refused (23O02)');

-- Rows "being restored" (an explicit id beyond the identity sequence) are
-- exempt from rules 4, 5 and 6 so that pg_dump output loads in any order;
-- only the owner of the tables in a restore-like session gets that, never a
-- writer.
SELECT is(pg_temp.sqlstate_as('okr_sec_writer',
    $$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE
      VALUES (1000000, 5, 'smuggled', 0, 1)$$), '23O06',
    'writer: an explicit id does not smuggle a key result under a closed objective (23O06)');
SELECT is(pg_temp.sqlstate_as('okr_sec_writer',
    $$INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE
      VALUES (1000000, 1, 1, '2031-01-01')$$), '23O05',
    'writer: an explicit id does not smuggle a check-in outside its cycle (23O05)');
-- (Since 1.1 okr's tables have row-level security, so with row_security
-- off PostgreSQL refuses a non-owner's query on them outright.)
SELECT is(pg_temp.sqlstate_as('okr_sec_writer', 'SET row_security = off', 'SET check_function_bodies = off',
    $$INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (1000000, 5, 'smuggled')$$), '42501',
    'writer: not even in a session that looks like a restore (row_security and check_function_bodies off: 42501)');

-- ---------------------------------------------------------------------------
-- revoke_access
-- ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT okr.revoke_access('okr_sec_reader')$$, 'revoke_access(okr_sec_reader)');
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'okr'::regnamespace
              AND has_table_privilege('okr_sec_reader', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
         + (SELECT count(*)::int FROM pg_proc p
             WHERE p.pronamespace = 'okr'::regnamespace AND has_function_privilege('okr_sec_reader', p.oid, 'EXECUTE'))
         + has_schema_privilege('okr_sec_reader', 'okr', 'USAGE')::int, 0,
    'after revoke_access the reader holds no privilege in okr');
SELECT is(pg_temp.sqlstate_as('okr_sec_reader', 'SELECT * FROM okr.objective'), '42501',
    'after revoke_access the reader cannot read (42501)');

SELECT * FROM finish();
ROLLBACK;
