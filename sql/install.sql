-- Installing next to a user's own objects touches none of them; dropping
-- removes everything, schema included.
DROP EXTENSION okr;
CREATE SCHEMA app;
CREATE TABLE app.objective (id int PRIMARY KEY, title text);
CREATE TABLE public.key_result (id int PRIMARY KEY);
INSERT INTO app.objective VALUES (1, 'mine');
CREATE FUNCTION public.kr_progress(text) RETURNS int LANGUAGE sql AS 'SELECT 42';
-- Every object of the database (catalog and OID) and every dependency,
-- initial-privilege and comment record as they stand before CREATE
-- EXTENSION: after DROP EXTENSION the database must hold exactly these
-- again.  (The temporary tables and views are made first, so that the
-- snapshot holds them too.)
CREATE TEMP TABLE objects_before (classid regclass, objid oid);
CREATE TEMP TABLE records_before (rec text);
CREATE TEMP VIEW db_objects AS
SELECT 'pg_class'::regclass AS classid, oid AS objid FROM pg_class
UNION ALL SELECT 'pg_proc'::regclass, oid FROM pg_proc
UNION ALL SELECT 'pg_type'::regclass, oid FROM pg_type
UNION ALL SELECT 'pg_namespace'::regclass, oid FROM pg_namespace
UNION ALL SELECT 'pg_authid'::regclass, oid FROM pg_roles
UNION ALL SELECT 'pg_trigger'::regclass, oid FROM pg_trigger
UNION ALL SELECT 'pg_constraint'::regclass, oid FROM pg_constraint
UNION ALL SELECT 'pg_attrdef'::regclass, oid FROM pg_attrdef
UNION ALL SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite
UNION ALL SELECT 'pg_policy'::regclass, oid FROM pg_policy
UNION ALL SELECT 'pg_cast'::regclass, oid FROM pg_cast
UNION ALL SELECT 'pg_operator'::regclass, oid FROM pg_operator
UNION ALL SELECT 'pg_opclass'::regclass, oid FROM pg_opclass
UNION ALL SELECT 'pg_opfamily'::regclass, oid FROM pg_opfamily
UNION ALL SELECT 'pg_event_trigger'::regclass, oid FROM pg_event_trigger
UNION ALL SELECT 'pg_default_acl'::regclass, oid FROM pg_default_acl
UNION ALL SELECT 'pg_extension'::regclass, oid FROM pg_extension;
CREATE TEMP VIEW db_records AS
SELECT format('depend %s %s %s -> %s %s %s', classid, objid, objsubid, refclassid, refobjid, deptype) AS rec FROM pg_depend
UNION ALL SELECT format('init_privs %s %s %s %s', classoid, objoid, objsubid, initprivs) FROM pg_init_privs
UNION ALL SELECT format('description %s %s %s', classoid, objoid, objsubid) FROM pg_description;
INSERT INTO objects_before SELECT * FROM db_objects;
INSERT INTO records_before SELECT * FROM db_records;
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
-- nothing okr created is left anywhere: no object, dependency, initial
-- privilege or comment that was not there before CREATE EXTENSION
SELECT pg_describe_object(classid, objid, 0) AS leftover FROM (SELECT * FROM db_objects EXCEPT SELECT * FROM objects_before) o ORDER BY 1;
SELECT rec AS leftover_record FROM (SELECT * FROM db_records EXCEPT SELECT * FROM records_before) r ORDER BY 1;
SELECT * FROM app.objective;
SELECT to_regclass('public.key_result') IS NOT NULL AS user_table_kept;
DROP VIEW db_objects, db_records;
DROP TABLE objects_before, records_before;
DROP SCHEMA app CASCADE;
DROP TABLE public.key_result;
DROP FUNCTION public.kr_progress(text);
CREATE EXTENSION okr;
