-- Installing next to a user's own objects touches none of them; dropping
-- removes everything, schema included.
DROP EXTENSION okr;
CREATE SCHEMA app;
CREATE TABLE app.objective (id int PRIMARY KEY, title text);
CREATE TABLE public.key_result (id int PRIMARY KEY);
INSERT INTO app.objective VALUES (1, 'mine');
CREATE FUNCTION public.kr_progress(text) RETURNS int LANGUAGE sql AS 'SELECT 42';
CREATE EXTENSION okr;
SELECT * FROM app.objective;
SELECT public.kr_progress('x');
SELECT e.extname, e.extversion, n.nspname, e.extrelocatable
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'okr';
-- every table of SPEC 1, with its identity primary key
SELECT c.relname, a.attname, a.attidentity, format_type(a.atttypid, a.atttypmod)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id'
 WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'r' ORDER BY 1;
-- config tables (pg_dump keeps their rows) and their identity sequences
SELECT unnest(extconfig)::regclass::text AS config FROM pg_extension WHERE extname = 'okr' ORDER BY 1;
-- nothing granted to PUBLIC: no ACL entry for PUBLIC (grantee 0) anywhere in okr
SELECT count(*) AS public_grants FROM (
  SELECT (aclexplode(relacl)).grantee FROM pg_class WHERE relnamespace = 'okr'::regnamespace
  UNION ALL SELECT (aclexplode(proacl)).grantee FROM pg_proc WHERE pronamespace = 'okr'::regnamespace
  UNION ALL SELECT (aclexplode(nspacl)).grantee FROM pg_namespace WHERE nspname = 'okr'
) g WHERE grantee = 0;
-- every function is PARALLEL SAFE but those that write (unsafe) and the
-- rollup, which reads this backend's changes not yet applied (restricted)
SELECT proname, proparallel FROM pg_proc
 WHERE pronamespace = 'okr'::regnamespace AND prorettype <> 'trigger'::regtype AND proparallel <> 's'
 ORDER BY proname;
DROP EXTENSION okr;
SELECT count(*) AS okr_schemas FROM pg_namespace WHERE nspname = 'okr';
SELECT count(*) AS leftovers FROM pg_depend d JOIN pg_extension e ON false;
SELECT * FROM app.objective;
SELECT to_regclass('public.key_result') IS NOT NULL AS user_table_kept;
DROP SCHEMA app CASCADE;
DROP TABLE public.key_result;
DROP FUNCTION public.kr_progress(text);
CREATE EXTENSION okr;
