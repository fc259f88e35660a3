-- SPEC 1 and 5: the tables of schema okr with their fixed columns and types,
-- the CHECK constraints (23514) and foreign keys (23503) of the schema, the
-- shape that keeps tasks away from objectives, and a clean install/uninstall
-- next to user objects.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(166);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

-- ===================================================================
-- tables and columns
-- ===================================================================
SELECT has_schema('okr', 'schema okr exists');
SELECT has_table('okr', t, 'table okr.' || t || ' exists')
  FROM unnest(ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task']) AS t;

-- columns whose type the SPEC fixes (foreign keys must be bigint to match id bigint)
SELECT col_type_is('okr', t, c, ty, 'okr.' || t || '.' || c || ' is ' || ty)
  FROM (VALUES
    ('cycle', 'id', 'bigint'), ('cycle', 'name', 'text'), ('cycle', 'starts_on', 'date'),
    ('cycle', 'ends_on', 'date'), ('cycle', 'parent_id', 'bigint'),
    ('team', 'id', 'bigint'), ('team', 'name', 'text'), ('team', 'parent_id', 'bigint'),
    ('objective', 'id', 'bigint'), ('objective', 'cycle_id', 'bigint'), ('objective', 'parent_id', 'bigint'),
    ('objective', 'team_id', 'bigint'), ('objective', 'title', 'text'), ('objective', 'owner', 'text'),
    ('objective', 'weight', 'double precision'),
    ('key_result', 'id', 'bigint'), ('key_result', 'objective_id', 'bigint'), ('key_result', 'title', 'text'),
    ('key_result', 'owner', 'text'), ('key_result', 'start_value', 'numeric'), ('key_result', 'target_value', 'numeric'),
    ('key_result', 'current_value', 'numeric'), ('key_result', 'unit', 'text'), ('key_result', 'weight', 'double precision'),
    ('checkin', 'id', 'bigint'), ('checkin', 'key_result_id', 'bigint'), ('checkin', 'value', 'numeric'),
    ('checkin', 'confidence', 'real'), ('checkin', 'note', 'text'), ('checkin', 'checked_at', 'timestamp with time zone'),
    ('checkin', 'author', 'text'),
    ('project', 'id', 'bigint'), ('project', 'key_result_id', 'bigint'), ('project', 'name', 'text'),
    ('project', 'owner', 'text'), ('project', 'weight', 'double precision'),
    ('task', 'id', 'bigint'), ('task', 'project_id', 'bigint'), ('task', 'title', 'text'), ('task', 'assignee', 'text'),
    ('task', 'effort', 'double precision'), ('task', 'due_on', 'date'), ('task', 'done_at', 'timestamp with time zone')
  ) AS v(t, c, ty);

-- columns whose name is fixed but whose type the SPEC leaves open
SELECT has_column('okr', t, c, 'okr.' || t || '.' || c || ' exists')
  FROM (VALUES ('objective', 'kind'), ('objective', 'rollup'), ('objective', 'state'),
               ('key_result', 'kind'), ('key_result', 'state'), ('project', 'state'), ('task', 'status')) AS v(t, c);

SELECT col_not_null('okr', t, c, 'okr.' || t || '.' || c || ' is NOT NULL')
  FROM (VALUES ('cycle', 'name'), ('cycle', 'starts_on'), ('cycle', 'ends_on'), ('team', 'name'),
               ('objective', 'cycle_id'), ('objective', 'title'), ('objective', 'weight'),
               ('key_result', 'objective_id'), ('key_result', 'title'),
               ('checkin', 'key_result_id'), ('checkin', 'value'), ('checkin', 'checked_at'), ('checkin', 'author'),
               ('project', 'key_result_id'), ('project', 'name'),
               ('task', 'project_id'), ('task', 'title'), ('task', 'effort')) AS v(t, c);

SELECT col_is_pk('okr', t, 'id', 'okr.' || t || '.id is the primary key')
  FROM unnest(ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task']) AS t;
SELECT results_eq(
    $$SELECT table_name::text COLLATE "default" FROM information_schema.columns
       WHERE table_schema = 'okr' AND column_name = 'id' AND is_identity = 'YES' AND identity_generation = 'ALWAYS'
       ORDER BY 1$$,
    $$VALUES ('access_grant'), ('checkin'), ('cycle'), ('key_result'), ('key_result_source'), ('objective'), ('project'), ('project_effort'), ('task'), ('task_feed'), ('task_feed_rejection'), ('team')$$,
    'every table''s id is GENERATED ALWAYS AS IDENTITY');
SELECT throws_ok(
    $$INSERT INTO okr.team (id, name) VALUES (1, 'explicit id without OVERRIDING')$$,
    '428C9', NULL, 'an explicit id without OVERRIDING SYSTEM VALUE -> 428C9');

-- unique names
SELECT throws_ok(
    $$INSERT INTO okr.team (name) VALUES ('dup'), ('dup')$$,
    '23505', NULL, 'team.name is UNIQUE');

-- ===================================================================
-- defaults
-- ===================================================================
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE
VALUES (1, 'around today', current_date - 30, current_date + 30);
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'defaults');
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'defaults', 0, 10);
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'defaults');
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'defaults');
INSERT INTO okr.checkin (id, key_result_id, value) OVERRIDING SYSTEM VALUE VALUES (1, 1, 3);

SELECT results_eq(
    $$SELECT kind, weight, rollup, state FROM okr.objective WHERE id = 1$$,
    $$VALUES ('committed'::text, 1::double precision, 'both'::text, 'active'::text)$$,
    'objective defaults: committed, weight 1, rollup both, active');
SELECT results_eq(
    $$SELECT kind, weight, state FROM okr.key_result WHERE id = 1$$,
    $$VALUES ('metric'::text, 1::double precision, 'active'::text)$$,
    'key_result defaults: metric, weight 1, active');
SELECT results_eq(
    $$SELECT weight, state FROM okr.project WHERE id = 1$$,
    $$VALUES (1::double precision, 'active'::text)$$,
    'project defaults: weight 1, active');
SELECT results_eq(
    $$SELECT status, effort, done_at FROM okr.task WHERE id = 1$$,
    $$VALUES ('todo'::text, 1::double precision, NULL::timestamptz)$$,
    'task defaults: todo, effort 1, no done_at');
SELECT results_eq(
    $$SELECT checked_at, author FROM okr.checkin WHERE id = 1$$,
    $$VALUES (now(), current_user::text COLLATE "default")$$,
    'checkin defaults: checked_at now(), author current_user');

-- ===================================================================
-- CHECK constraints: 23514, and no row left behind
-- cycles keep inside years 1 to 9999, so their bounds exist as timestamptz
SELECT throws_ok($$INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('far', '9999-01-01', '10000-01-01')$$,
    '23514', NULL, 'a cycle ending in year 10000 -> 23514');
SELECT throws_ok($$INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('old', '0001-12-31 BC', '0001-06-01')$$,
    '23514', NULL, 'a cycle starting before year 1 -> 23514');
SELECT is((SELECT count(*) FROM okr.cycle WHERE name IN ('far', 'old')), 0::bigint, 'no out-of-range cycle left behind');
-- ===================================================================
SELECT throws_ok($$INSERT INTO okr.objective (id, cycle_id, title, kind) OVERRIDING SYSTEM VALUE VALUES (101, 1, 'x', 'stretch')$$,
    '23514', NULL, 'objective.kind ''stretch'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.objective (id, cycle_id, title, rollup) OVERRIDING SYSTEM VALUE VALUES (102, 1, 'x', 'tasks')$$,
    '23514', NULL, 'objective.rollup ''tasks'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.objective (id, cycle_id, title, state) OVERRIDING SYSTEM VALUE VALUES (103, 1, 'x', 'archived')$$,
    '23514', NULL, 'objective.state ''archived'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.objective (id, cycle_id, title, weight) OVERRIDING SYSTEM VALUE VALUES (104, 1, 'x', -0.5)$$,
    '23514', NULL, 'objective.weight -0.5 -> 23514');
SELECT throws_ok($$UPDATE okr.objective SET state = 'Active' WHERE id = 1$$,
    '23514', NULL, 'objective.state ''Active'' (wrong case) by UPDATE -> 23514');
SELECT is((SELECT count(*)::int FROM okr.objective), 1, 'objective: no row of the rejected INSERTs remains');
SELECT is((SELECT state FROM okr.objective WHERE id = 1), 'active', 'objective: state unchanged by the rejected UPDATE');

SELECT throws_ok($$INSERT INTO okr.key_result (id, objective_id, title, kind, target_value) OVERRIDING SYSTEM VALUE VALUES (101, 1, 'x', 'boolean', 1)$$,
    '23514', NULL, 'key_result.kind ''boolean'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value, state) OVERRIDING SYSTEM VALUE VALUES (102, 1, 'x', 0, 1, 'closed')$$,
    '23514', NULL, 'key_result.state ''closed'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value, weight) OVERRIDING SYSTEM VALUE VALUES (103, 1, 'x', 0, 1, -1)$$,
    '23514', NULL, 'key_result.weight -1 -> 23514');
SELECT is((SELECT count(*)::int FROM okr.key_result), 1, 'key_result: no row of the rejected INSERTs remains');
-- key_result's CHECKs are table constraints again (1.1); kinds and states
-- are refused first by its trigger, which says what is allowed
-- (test/pgtap/errors_1_1.sql checks the constraint names)
SELECT throws_ok($$UPDATE okr.key_result SET kind = 'boolean' WHERE id = 1$$,
    '23514', '"boolean" is not a kind of key result: it is metric, at_least, at_most, milestone, projects or objectives',
    'UPDATE key_result.kind ''boolean'' -> 23514, with the kinds');
SELECT throws_ok($$UPDATE okr.key_result SET state = 'closed' WHERE id = 1$$,
    '23514', '"closed" is not a state of a key result: it is active or cancelled',
    'UPDATE key_result.state ''closed'' -> 23514, with the states');
SELECT throws_ok($$UPDATE okr.key_result SET weight = 'NaN' WHERE id = 1$$,
    '23514', 'new row for relation "key_result" violates check constraint "key_result_weight_valid"',
    'UPDATE key_result.weight NaN -> 23514, key_result_weight_valid');
SELECT throws_ok($$UPDATE okr.key_result SET weight = 'Infinity' WHERE id = 1$$,
    '23514', 'new row for relation "key_result" violates check constraint "key_result_weight_valid"',
    'UPDATE key_result.weight Infinity -> 23514');
SELECT throws_ok($$UPDATE okr.key_result SET start_value = '-Infinity' WHERE id = 1$$,
    '23514', 'new row for relation "key_result" violates check constraint "key_result_values_finite"',
    'UPDATE key_result.start_value -Infinity -> 23514, key_result_values_finite');
SELECT lives_ok($$UPDATE okr.key_result SET weight = 0, title = title WHERE id = 1$$,
    'UPDATE key_result.weight 0 (the lower bound) is accepted');
UPDATE okr.key_result SET weight = 1 WHERE id = 1;

SELECT throws_ok($$INSERT INTO okr.project (id, key_result_id, name, state) OVERRIDING SYSTEM VALUE VALUES (101, 1, 'x', 'paused')$$,
    '23514', NULL, 'project.state ''paused'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.project (id, key_result_id, name, weight) OVERRIDING SYSTEM VALUE VALUES (102, 1, 'x', -0.001)$$,
    '23514', NULL, 'project.weight -0.001 -> 23514');
SELECT is((SELECT count(*)::int FROM okr.project), 1, 'project: no row of the rejected INSERTs remains');

SELECT throws_ok($$INSERT INTO okr.task (id, project_id, title, status) OVERRIDING SYSTEM VALUE VALUES (101, 1, 'x', 'blocked')$$,
    '23514', NULL, 'task.status ''blocked'' -> 23514');
SELECT throws_ok($$INSERT INTO okr.task (id, project_id, title, effort) OVERRIDING SYSTEM VALUE VALUES (102, 1, 'x', 0)$$,
    '23514', NULL, 'task.effort 0 -> 23514');
SELECT throws_ok($$INSERT INTO okr.task (id, project_id, title, effort) OVERRIDING SYSTEM VALUE VALUES (103, 1, 'x', -1)$$,
    '23514', NULL, 'task.effort -1 -> 23514');
SELECT throws_ok($$UPDATE okr.task SET effort = 0 WHERE id = 1$$,
    '23514', NULL, 'task.effort 0 by UPDATE -> 23514');
SELECT is((SELECT count(*)::int FROM okr.task), 1, 'task: no row of the rejected INSERTs remains');
SELECT is((SELECT effort FROM okr.task WHERE id = 1), 1::double precision, 'task: effort unchanged by the rejected UPDATE');

SELECT throws_ok($$INSERT INTO okr.checkin (id, key_result_id, value, confidence) OVERRIDING SYSTEM VALUE VALUES (101, 1, 4, -0.01)$$,
    '23514', NULL, 'checkin.confidence -0.01 -> 23514');
SELECT throws_ok($$INSERT INTO okr.checkin (id, key_result_id, value, confidence) OVERRIDING SYSTEM VALUE VALUES (102, 1, 4, 1.01)$$,
    '23514', NULL, 'checkin.confidence 1.01 -> 23514');
SELECT is((SELECT count(*)::int FROM okr.checkin), 1, 'checkin: no row of the rejected INSERTs remains');
SELECT lives_ok($$INSERT INTO okr.checkin (id, key_result_id, value, confidence) OVERRIDING SYSTEM VALUE VALUES (2, 1, 4, 0), (3, 1, 5, 1)$$,
    'checkin.confidence 0 and 1 are accepted');

SELECT throws_ok($$INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (101, 'backwards', '2026-03-31', '2026-01-01')$$,
    '23514', NULL, 'cycle starts_on > ends_on -> 23514');
SELECT is((SELECT count(*)::int FROM okr.cycle WHERE id = 101), 0, 'cycle: no row of the rejected INSERT remains');
SELECT lives_ok($$INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (2, 'one day', '2026-01-01', '2026-01-01')$$,
    'a one-day cycle (starts_on = ends_on) is accepted');
SELECT lives_ok($$INSERT INTO okr.objective (id, cycle_id, title, weight) OVERRIDING SYSTEM VALUE VALUES (2, 1, 'weightless', 0)$$,
    'objective.weight 0 is accepted');

-- NaN and infinities (README: they raise 23514 like the other CHECKs)
SELECT throws_ok($$INSERT INTO okr.checkin (id, key_result_id, value) OVERRIDING SYSTEM VALUE VALUES (103, 1, 'NaN')$$,
    '23514', NULL, 'checkin.value NaN -> 23514');
SELECT throws_ok($$INSERT INTO okr.checkin (id, key_result_id, value) OVERRIDING SYSTEM VALUE VALUES (104, 1, 'Infinity')$$,
    '23514', NULL, 'checkin.value Infinity -> 23514');
SELECT throws_ok($$INSERT INTO okr.checkin (id, key_result_id, value, confidence) OVERRIDING SYSTEM VALUE VALUES (105, 1, 4, 'NaN')$$,
    '23514', NULL, 'checkin.confidence NaN -> 23514');
SELECT throws_ok($$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (104, 1, 'x', 0, 'Infinity')$$,
    '23514', NULL, 'key_result.target_value Infinity -> 23514');
SELECT throws_ok($$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (105, 1, 'x', 'NaN', 1)$$,
    '23514', NULL, 'key_result.start_value NaN -> 23514');
SELECT throws_ok($$INSERT INTO okr.objective (id, cycle_id, title, weight) OVERRIDING SYSTEM VALUE VALUES (105, 1, 'x', 'NaN')$$,
    '23514', NULL, 'objective.weight NaN -> 23514');
SELECT throws_ok($$INSERT INTO okr.project (id, key_result_id, name, weight) OVERRIDING SYSTEM VALUE VALUES (103, 1, 'x', 'Infinity')$$,
    '23514', NULL, 'project.weight Infinity -> 23514');
SELECT throws_ok($$INSERT INTO okr.task (id, project_id, title, effort) OVERRIDING SYSTEM VALUE VALUES (104, 1, 'x', 'NaN')$$,
    '23514', NULL, 'task.effort NaN -> 23514');
SELECT throws_ok($$INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (102, 'endless', '2026-01-01', 'infinity')$$,
    '23514', NULL, 'cycle ends_on infinity -> 23514');
SELECT is((SELECT count(*)::int FROM okr.checkin WHERE id > 100) + (SELECT count(*)::int FROM okr.key_result WHERE id > 100)
          + (SELECT count(*)::int FROM okr.objective WHERE id > 100) + (SELECT count(*)::int FROM okr.project WHERE id > 100)
          + (SELECT count(*)::int FROM okr.task WHERE id > 100) + (SELECT count(*)::int FROM okr.cycle WHERE id > 100),
    0, 'no row of the rejected NaN/infinity INSERTs remains');

-- SPEC 1 and 5: not relocatable, superuser-only, nothing granted to PUBLIC
SELECT throws_ok($$ALTER EXTENSION okr SET SCHEMA public$$, '0A000', NULL, 'the extension is not relocatable');
SELECT results_eq(
    $$SELECT superuser, trusted, relocatable FROM pg_available_extension_versions WHERE name = 'okr' AND version = '1.0'$$,
    $$VALUES (true, false, false)$$,
    'okr 1.0 is superuser-only, not trusted, not relocatable');
SELECT is_empty(
    $$SELECT c.relname FROM pg_class c, LATERAL aclexplode(c.relacl) a
       WHERE c.relnamespace = 'okr'::regnamespace AND a.grantee = 0$$,
    'no table, view or sequence of okr grants anything to PUBLIC');
SELECT is_empty(
    $$SELECT n.nspname FROM pg_namespace n, LATERAL aclexplode(n.nspacl) a WHERE n.nspname = 'okr' AND a.grantee = 0$$,
    'schema okr grants nothing to PUBLIC');

-- ===================================================================
-- foreign keys: 23503
-- ===================================================================
SELECT throws_ok($$INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (201, 999, 'no cycle')$$,
    '23503', NULL, 'objective with a missing cycle -> 23503');
SELECT throws_ok($$INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (201, 999, 'x', 0, 1)$$,
    '23503', NULL, 'key_result with a missing objective -> 23503');
SELECT throws_ok($$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (201, 999, 'x')$$,
    '23503', NULL, 'task with a missing project -> 23503');
SELECT throws_ok($$DELETE FROM okr.objective WHERE id = 1$$,
    '23503', NULL, 'deleting an objective that has key results -> 23503');

-- ===================================================================
-- tasks cannot link to objectives
-- ===================================================================
SELECT hasnt_column('okr', 'task', 'objective_id', 'okr.task has no objective_id');
SELECT hasnt_column('okr', 'task', 'key_result_id', 'okr.task has no key_result_id');
SELECT is(
    (SELECT count(*)::int FROM pg_constraint
      WHERE contype = 'f' AND conrelid = 'okr.task'::regclass
        AND confrelid NOT IN ('okr.project'::regclass, 'okr.task_feed'::regclass)),
    0, 'okr.task has no foreign key except to okr.project (and, 1.1, the feed that writes it)');
SELECT throws_ok(
    $$INSERT INTO okr.task (project_id, objective_id, title) VALUES (1, 1, 'straight to an objective')$$,
    '42703', NULL, 'INSERT of a task with an objective_id -> 42703 (no such column)');

-- ===================================================================
-- DROP EXTENSION leaves no okr schema behind
-- ===================================================================
SELECT lives_ok($$DROP EXTENSION okr$$, 'DROP EXTENSION okr (with rows in its tables)');
SELECT is((SELECT count(*)::int FROM pg_namespace WHERE nspname = 'okr'), 0, 'no schema okr is left behind');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relname IN ('cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'project_effort', 'task')), 0,
    'no okr table is left behind anywhere');

-- ===================================================================
-- CREATE EXTENSION next to user objects of the same names
-- ===================================================================
CREATE TABLE public.objective (id int PRIMARY KEY, title text NOT NULL, due date);
INSERT INTO public.objective VALUES (1, 'user row one', '2026-05-01'), (2, 'user row two', NULL);
CREATE SCHEMA app;
CREATE TABLE app.cycle (id serial PRIMARY KEY, label text);
INSERT INTO app.cycle (label) VALUES ('sprint 1'), ('sprint 2');
CREATE FUNCTION app.progress() RETURNS int LANGUAGE sql AS 'SELECT 42';
CREATE TEMP TABLE before_install AS
SELECT c.oid AS relid, c.relname, n.nspname, c.relacl, c.relowner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app') AND c.relkind IN ('r', 'S', 'i', 'v');

SELECT lives_ok($$CREATE EXTENSION okr$$, 'CREATE EXTENSION okr next to public.objective and schema app');
SELECT results_eq(
    $$SELECT id, title, due FROM public.objective ORDER BY id$$,
    $$VALUES (1, 'user row one'::text, DATE '2026-05-01'), (2, 'user row two', NULL)$$,
    'public.objective keeps its rows');
SELECT columns_are('public', 'objective', ARRAY['id', 'title', 'due'], 'public.objective keeps its columns');
SELECT results_eq(
    $$SELECT id, label FROM app.cycle ORDER BY id$$,
    $$VALUES (1, 'sprint 1'::text), (2, 'sprint 2')$$,
    'app.cycle keeps its rows');
SELECT is(app.progress(), 42, 'app.progress() still works');
SELECT set_eq(
    $$SELECT c.oid, c.relname::text COLLATE "default", n.nspname::text COLLATE "default", c.relacl::text, c.relowner
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'app') AND c.relkind IN ('r', 'S', 'i', 'v')$$,
    $$SELECT relid, relname::text COLLATE "default", nspname::text COLLATE "default", relacl::text, relowner FROM before_install$$,
    'no relation was added to, removed from or changed in public and app');
SELECT is(
    (SELECT count(*)::int FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
      WHERE e.extname = 'okr' AND d.deptype = 'e'
        AND d.classid = 'pg_class'::regclass AND d.objid IN ('public.objective'::regclass, 'app.cycle'::regclass)),
    0, 'the user tables are not members of the extension');
SELECT has_table('okr', 'objective', 'okr.objective exists beside public.objective');
-- (history is written at commit; written now, the DROP below does not wait for it)
SET CONSTRAINTS okr.okr_95_history IMMEDIATE;
SELECT lives_ok(
    $$INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('fresh', '2026-01-01', '2026-12-31')$$,
    'okr tables work beside the user objects');
SELECT lives_ok($$DROP EXTENSION okr$$, 'DROP EXTENSION okr again');
SELECT is((SELECT count(*)::int FROM public.objective), 2, 'public.objective survives DROP EXTENSION okr');
SELECT is((SELECT count(*)::int FROM app.cycle), 2, 'app.cycle survives DROP EXTENSION okr');
SELECT hasnt_schema('okr', 'schema okr is gone again');

SELECT * FROM finish();
ROLLBACK;
