-- Security: extension-script hygiene (README "Security"), after PostgreSQL's
-- "Security Considerations for Extensions".
--
-- Reads the installed scripts (okr--1.0.sql and any okr--A--B.sql) and checks
-- with comments removed: no CREATE OR REPLACE (but an update script's, of an
-- okr function), no CREATE ... IF NOT EXISTS,
-- every object created or attached is named okr.something.  Then checks the
-- catalog: every SQL and PL/pgSQL function pins search_path to
-- "pg_catalog, pg_temp", nothing is SECURITY DEFINER, every member of the
-- extension lives in schema okr, every view is security_invoker, the
-- extension is superuser-only and not relocatable, and a schema okr planted
-- before installation makes CREATE EXTENSION fail instead of adopting it.
BEGIN;
SELECT plan(16);

-- ---------------------------------------------------------------------------
-- Installing over a planted schema, or elsewhere, fails
-- ---------------------------------------------------------------------------
CREATE ROLE okr_sec_squatter;
CREATE SCHEMA okr AUTHORIZATION okr_sec_squatter;
CREATE TABLE okr.objective (id bigint, title text);
SELECT throws_ok('CREATE EXTENSION okr', '42P06', NULL,
    'a schema okr that already exists (here owned by another role) makes CREATE EXTENSION fail (42P06)');
DROP SCHEMA okr CASCADE;
SELECT throws_ok('CREATE EXTENSION okr SCHEMA public', '0A000',
    'extension "okr" must be installed in schema "pg_catalog"',
    'okr cannot be installed into another schema (0A000: okr.control pins it)');
SELECT lives_ok('CREATE EXTENSION okr', 'CREATE EXTENSION okr');

-- ---------------------------------------------------------------------------
-- The scripts
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE scripts AS
SELECT f AS file,
       -- without -- comments and /* */ comments
       regexp_replace(regexp_replace(pg_read_file(d || '/' || f), '/\*.*?\*/', ' ', 'g'), '--[^\n]*', ' ', 'g') AS body
  FROM (SELECT setting || '/extension' AS d FROM pg_config WHERE name = 'SHAREDIR') s,
       LATERAL pg_ls_dir(s.d) f
 WHERE f ~ '^okr--[0-9.]+(--[0-9.]+)?\.sql$';

SELECT ok((SELECT count(*) FROM scripts WHERE file = 'okr--' || (SELECT extversion FROM pg_extension WHERE extname = 'okr') || '.sql') = 1,
    format('the install script is found (%s scripts: %s)', (SELECT count(*) FROM scripts),
           (SELECT string_agg(file, ', ' ORDER BY file) FROM scripts)));
-- SPEC 5: an update script may CREATE OR REPLACE a function that is already
-- a member (so a changed default keeps the function, its grants and the
-- users' views that call it); PostgreSQL refuses it in an extension script
-- for anything else.  Nothing else is replaced.
SELECT is((SELECT string_agg(file, ', ') FROM scripts
            WHERE CASE WHEN file ~ '^okr--[0-9.]+--[0-9.]+\.sql$'
                       THEN body ~* '\mcreate\s+or\s+replace\s+(?!function\s+okr\.)'
                       ELSE body ~* '\mcreate\s+or\s+replace\M' END), NULL,
    'no install script uses CREATE OR REPLACE, an update script only for okr functions (members already)');
SELECT is((SELECT string_agg(file, ', ') FROM scripts WHERE body ~* '\mif\s+not\s+exists\s+[^\s(]'), NULL,
    'no script uses IF NOT EXISTS on an object');
SELECT is((SELECT string_agg(file || ': ' || m[1], ', ')
             FROM scripts, LATERAL regexp_matches(body,
                 '\m(create\s+(?:table|unlogged\s+table|view|materialized\s+view|function|procedure|aggregate|sequence|type|domain|operator(?:\s+class|\s+family)?|collation|text\s+search\s+\w+|statistics)\s+(?!okr\.)[^\s(]+)', 'gi') m), NULL,
    'every object a script creates is named okr.something');
SELECT is((SELECT string_agg(file || ': ' || m[1], ', ')
             FROM scripts, LATERAL regexp_matches(body,
                 '\m(create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?\w+\s+on\s+(?:only\s+)?(?!okr\.)\S+)', 'gi') m), NULL,
    'every index a script creates is on an okr table');
SELECT is((SELECT string_agg(file || ': ' || m[1], ', ')
             FROM scripts, LATERAL regexp_matches(body,
                 '\m((?:create\s+(?:constraint\s+)?trigger|create\s+policy|create\s+rule)\s+\w+\s[^;]*?\mon\s+(?!okr\.)\S+)', 'gi') m), NULL,
    'every trigger, policy and rule a script creates is on an okr table');
SELECT is((SELECT string_agg(file || ': ' || m[1], ', ')
             FROM scripts, LATERAL regexp_matches(body, '\m(execute\s+(?:function|procedure)\s+(?!okr\.)\S+)', 'gi') m), NULL,
    'every trigger executes an okr.something function');
SELECT is((SELECT string_agg(file || ': ' || m[1], ', ')
             FROM scripts, LATERAL regexp_matches(body, '\m((?:create\s+cast|create\s+event\s+trigger|alter\s+default\s+privileges|grant\s[^;]*\mto\s+public)\M[^;]*)', 'gi') m), NULL,
    'no script creates a cast or an event trigger, changes default privileges or grants to PUBLIC');

-- ---------------------------------------------------------------------------
-- The catalog
-- ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ')
             FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.pronamespace = 'okr'::regnamespace AND l.lanname NOT IN ('c', 'internal')
              AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)), NULL,
    'every SQL and PL/pgSQL function in okr runs with search_path = pg_catalog, pg_temp');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ')
             FROM pg_proc p WHERE p.pronamespace = 'okr'::regnamespace AND p.prosecdef), NULL,
    'no okr function is SECURITY DEFINER');
SELECT is((
    SELECT string_agg(pg_describe_object(d.classid, d.objid, 0), ', ')
      FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'okr')
       AND d.deptype = 'e'
       AND CASE d.classid
             WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid)
             WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid)
             WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid)
             WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid = d.objid)
             WHEN 'pg_namespace'::regclass THEN d.objid
             ELSE 0
           END IS DISTINCT FROM 'okr'::regnamespace), NULL,
    'every member of the extension lives in schema okr (and is of a known kind)');
SELECT is((SELECT string_agg(c.relname, ', ') FROM pg_class c
            WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'v'
              AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)), NULL,
    format('every view in okr is security_invoker (%s views)',
           (SELECT count(*) FROM pg_class WHERE relnamespace = 'okr'::regnamespace AND relkind = 'v')));
SELECT is((SELECT row(e.extrelocatable, v.superuser, v.trusted)::text
             FROM pg_extension e JOIN pg_available_extension_versions v ON v.name = e.extname AND v.version = e.extversion
            WHERE e.extname = 'okr'), '(f,t,f)',
    'the extension is not relocatable, superuser-only and not trusted');

SELECT * FROM finish();
ROLLBACK;
