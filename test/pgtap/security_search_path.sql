-- Security: a hostile search_path captures nothing (README "Security").
--
-- Decoys are planted before the extension is installed: functions named
-- like the built-ins okr's SQL and C code call (now, count, sum, array_agg,
-- bool_or, format, pg_sequence_last_value, ...), operators on every type okr
-- compares or computes with (= <> < <= > >= + - * / || ~~ on bigint, integer,
-- numeric, double precision, text, date, timestamptz, ...), functions named
-- like okr's own (kr_progress, progress, objective_progress, ...), and views
-- named like okr's tables both in a decoy schema and in pg_temp (which
-- PostgreSQL searches first for relations unless it is listed explicitly).
-- Every decoy records that it ran -- in a sequence, which a rollback does not
-- undo, and in a log table -- and returns a wrong value.
--
-- The extension is then installed under a hostile search_path, a workload
-- writes through every trigger (including the statements that must fail,
-- with their SQLSTATEs) and every relation and function of schema okr is
-- read.  This happens with a clean search_path, with the decoy schema before
-- pg_catalog, with it after an implicit pg_catalog, and as a writer role;
-- a second install happens under the other hostile path.  No decoy may run,
-- and every outcome and result must equal the clean run's.  Finally the
-- decoys are shown to capture unqualified names, so the test has teeth.
--
-- Everything run under a hostile path is written with qualified names and
-- OPERATOR(pg_catalog.x) so the test itself never calls a decoy; pgTAP runs
-- only under the clean path.
BEGIN;
SELECT plan(28);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS ALL IMMEDIATE;  -- (okr is installed further down)
SET TimeZone = 'UTC';
SET client_min_messages = warning;

-- ---------------------------------------------------------------------------
-- The decoys
-- ---------------------------------------------------------------------------
CREATE SCHEMA okr_sec_log;
CREATE SEQUENCE okr_sec_log.hits;
CREATE TABLE okr_sec_log.ran (what text);
CREATE FUNCTION okr_sec_log.hit(what text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_catalog.nextval('okr_sec_log.hits');
    INSERT INTO okr_sec_log.ran VALUES (what);
END $$;
GRANT USAGE ON SCHEMA okr_sec_log TO PUBLIC;
GRANT INSERT, SELECT ON okr_sec_log.ran TO PUBLIC;
GRANT USAGE, SELECT ON SEQUENCE okr_sec_log.hits TO PUBLIC;

-- a row with every column name an okr table has, for the decoy relations
CREATE FUNCTION okr_sec_log.spy(what text)
RETURNS TABLE (id bigint, name text, starts_on date, ends_on date, parent_id bigint,
               cycle_id bigint, team_id bigint, title text, owner text, kind text,
               weight double precision, rollup text, state text, objective_id bigint,
               start_value numeric, target_value numeric, current_value numeric, unit text,
               key_result_id bigint, value numeric, confidence real, note text,
               checked_at timestamptz, author text, project_id bigint, assignee text,
               status text, effort double precision, due_on date, done_at timestamptz)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM okr_sec_log.hit(what);
    RETURN QUERY SELECT 1::bigint, 'decoy', '1999-01-01'::date, '1999-12-31'::date, 1::bigint,
        1::bigint, 1::bigint, 'decoy', 'decoy', 'metric', 1::float8, 'both', 'closed', 1::bigint,
        0::numeric, 1::numeric, 42::numeric, 'decoy', 1::bigint, 42::numeric, 0::real, 'decoy',
        '1999-01-01'::timestamptz, 'decoy', 1::bigint, 'decoy', 'done', 1::float8,
        '1999-01-01'::date, '1999-01-01'::timestamptz;
END $$;

CREATE SCHEMA okr_sec_evil;
GRANT USAGE ON SCHEMA okr_sec_evil TO PUBLIC;

-- relations named like okr's tables, in the decoy schema and in pg_temp
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task',
                             'objective_report', 'key_result_report', 'alignment', 'okr']
    LOOP
        EXECUTE format('CREATE VIEW okr_sec_evil.%I AS SELECT * FROM okr_sec_log.spy(%L)', t, 'okr_sec_evil.' || t);
        EXECUTE format('CREATE TEMP VIEW %I AS SELECT * FROM okr_sec_log.spy(%L)', t, 'pg_temp.' || t);
        EXECUTE format('GRANT SELECT ON okr_sec_evil.%I TO PUBLIC', t);
    END LOOP;
END $$;

-- functions named like built-ins and like okr's own
DO $$
DECLARE
    d text[];
BEGIN
    FOREACH d SLICE 1 IN ARRAY ARRAY[
        -- name, arguments, result type, wrong value
        ['now', '', 'timestamptz', '''1999-01-01'''],
        ['clock_timestamp', '', 'timestamptz', '''1999-01-01'''],
        ['statement_timestamp', '', 'timestamptz', '''1999-01-01'''],
        ['transaction_timestamp', '', 'timestamptz', '''1999-01-01'''],
        ['current_setting', 'text', 'text', '''decoy'''],
        ['current_setting', 'text, boolean', 'text', '''decoy'''],
        ['set_config', 'text, text, boolean', 'text', '''decoy'''],
        ['lower', 'text', 'text', '''decoy'''],
        ['upper', 'text', 'text', '''decoy'''],
        ['length', 'text', 'integer', '-1'],
        ['md5', 'text', 'text', '''decoy'''],
        ['format', 'text', 'text', '''decoy'''],
        ['format', 'text, VARIADIC text[]', 'text', '''decoy'''],
        ['concat_ws', 'text, VARIADIC text[]', 'text', '''decoy'''],
        ['array_to_string', 'anyarray, text', 'text', '''decoy'''],
        ['array_length', 'anyarray, integer', 'integer', '-1'],
        ['cardinality', 'anyarray', 'integer', '-1'],
        ['unnest', 'anyarray', 'SETOF anyelement', 'NULL'],
        ['isfinite', 'date', 'boolean', 'false'],
        ['isfinite', 'timestamptz', 'boolean', 'false'],
        ['date_trunc', 'text, timestamptz', 'timestamptz', '''1999-01-01'''],
        ['date_part', 'text, timestamptz', 'double precision', '-1'],
        ['date_part', 'text, interval', 'double precision', '-1'],
        ['extract', 'text, timestamptz', 'numeric', '-1'],
        ['extract', 'text, interval', 'numeric', '-1'],
        ['age', 'timestamptz, timestamptz', 'interval', '''-1 day'''],
        ['to_char', 'timestamptz, text', 'text', '''decoy'''],
        ['abs', 'numeric', 'numeric', '-1'],
        ['abs', 'double precision', 'double precision', '-1'],
        ['round', 'numeric', 'numeric', '-1'],
        ['round', 'numeric, integer', 'numeric', '-1'],
        ['round', 'double precision', 'double precision', '-1'],
        ['floor', 'double precision', 'double precision', '-1'],
        ['ceil', 'double precision', 'double precision', '-1'],
        ['float8', 'numeric', 'double precision', '-1'],
        ['numeric', 'double precision', 'numeric', '-1'],
        ['int8', 'numeric', 'bigint', '-1'],
        ['text', 'anyelement', 'text', '''decoy'''],
        ['nextval', 'regclass', 'bigint', '-1'],
        ['currval', 'regclass', 'bigint', '-1'],
        ['pg_sequence_last_value', 'regclass', 'bigint', '-1'],
        ['pg_advisory_xact_lock', 'integer, integer', 'void', 'NULL'],
        ['pg_advisory_xact_lock', 'bigint', 'void', 'NULL'],
        ['pg_extension_config_dump', 'regclass, text', 'void', 'NULL'],
        ['row_number', '', 'bigint', '-1'],
        -- okr's own names
        ['kr_progress', 'text, numeric, numeric, numeric', 'double precision', '-1'],
        ['kr_attainment', 'text, numeric, numeric, numeric', 'double precision', '-1'],
        ['okr_kr_progress', 'text, numeric, numeric, numeric', 'double precision', '-1'],
        ['expected_progress', 'date, date, timestamptz', 'double precision', '-1'],
        ['status', 'double precision, double precision', 'text', '''decoy'''],
        ['grade', 'double precision, text', 'text', '''decoy'''],
        ['stale_after', '', 'interval', '''-1 day'''],
        ['progress', 'timestamptz', 'TABLE (item text, id bigint, parent_item text, parent_id bigint, cycle_id bigint, progress double precision, activity double precision, expected double precision, status text)', 'NULL'],
        ['objective_progress', 'bigint, timestamptz', 'double precision', '-1'],
        ['objective_score', 'bigint', 'double precision', '-1'],
        ['cycle_end', 'bigint', 'timestamptz', '''1999-01-01''']
    ]
    LOOP
        EXECUTE format(
            'CREATE FUNCTION okr_sec_evil.%I(%s) RETURNS %s LANGUAGE plpgsql VOLATILE '
            'SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM okr_sec_log.hit(%L); %s END $f$',
            d[1], d[2], d[3], d[1] || '(' || d[2] || ')',
            CASE WHEN d[3] LIKE 'SETOF%' OR d[3] LIKE 'TABLE%' THEN 'RETURN;'
                 WHEN d[3] = 'void' THEN 'RETURN;'
                 ELSE 'RETURN ' || d[4] || ';' END);
    END LOOP;
END $$;

-- aggregates named like built-ins and like okr's
CREATE FUNCTION okr_sec_evil.agg_sfunc(s bigint, v anyelement) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM okr_sec_log.hit('aggregate'); RETURN -1; END $$;
CREATE FUNCTION okr_sec_evil.agg_sfunc2(s bigint, v anyelement, w anyelement) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM okr_sec_log.hit('aggregate'); RETURN -1; END $$;
CREATE FUNCTION okr_sec_evil.agg_sfunc0(s bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM okr_sec_log.hit('count(*)'); RETURN -1; END $$;
CREATE AGGREGATE okr_sec_evil.count(*) (SFUNC = okr_sec_evil.agg_sfunc0, STYPE = bigint, INITCOND = '0');
DO $$
DECLARE
    d text[];
BEGIN
    FOREACH d SLICE 1 IN ARRAY ARRAY[
        ['count', 'bigint'], ['count', 'text'], ['sum', 'double precision'], ['sum', 'numeric'],
        ['sum', 'bigint'], ['avg', 'double precision'], ['avg', 'numeric'], ['min', 'double precision'],
        ['max', 'double precision'], ['min', 'integer'], ['max', 'integer'], ['min', 'text'],
        ['max', 'timestamptz'], ['min', 'date'], ['max', 'date'], ['array_agg', 'bigint'],
        ['array_agg', 'text'], ['bool_or', 'boolean'], ['bool_and', 'boolean'], ['every', 'boolean'],
        ['string_agg', 'text, text'], ['weighted_progress', 'double precision, double precision']]
    LOOP
        EXECUTE format('CREATE AGGREGATE okr_sec_evil.%I(%s) (SFUNC = okr_sec_evil.%s, STYPE = bigint, INITCOND = ''0'')',
                       d[1], d[2], CASE WHEN d[2] LIKE '%,%' THEN 'agg_sfunc2' ELSE 'agg_sfunc' END);
    END LOOP;
END $$;

-- operators on every type okr compares or computes with
DO $$
DECLARE
    ty text;
    op text;
    d text[];
    i int := 0;
BEGIN
    FOREACH ty IN ARRAY ARRAY['bigint', 'integer', 'smallint', 'numeric', 'double precision', 'real', 'text',
                              'name', 'date', 'timestamptz', 'timestamp', 'interval', 'boolean', '"char"', 'oid',
                              'bigint[]', 'text[]']
    LOOP
        FOREACH op IN ARRAY ARRAY['=', '<>', '<', '<=', '>', '>=']
        LOOP
            i := i + 1;
            EXECUTE format(
                'CREATE FUNCTION okr_sec_evil.op_%s(a %s, b %s) RETURNS boolean LANGUAGE plpgsql VOLATILE '
                'SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM okr_sec_log.hit(%L); '
                'RETURN NOT (a OPERATOR(pg_catalog.%s) b); END $f$', i, ty, ty, ty || ' ' || op || ' ' || ty, op);
            EXECUTE format('CREATE OPERATOR okr_sec_evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = okr_sec_evil.op_%s)',
                           op, ty, ty, i);
        END LOOP;
    END LOOP;
    FOREACH d SLICE 1 IN ARRAY ARRAY[
        -- operator, left, right, result
        ['+', 'double precision', 'double precision', 'double precision'],
        ['-', 'double precision', 'double precision', 'double precision'],
        ['*', 'double precision', 'double precision', 'double precision'],
        ['/', 'double precision', 'double precision', 'double precision'],
        ['+', 'numeric', 'numeric', 'numeric'], ['-', 'numeric', 'numeric', 'numeric'],
        ['*', 'numeric', 'numeric', 'numeric'], ['/', 'numeric', 'numeric', 'numeric'],
        ['+', 'bigint', 'bigint', 'bigint'], ['-', 'bigint', 'bigint', 'bigint'],
        ['*', 'bigint', 'bigint', 'bigint'], ['/', 'bigint', 'bigint', 'bigint'],
        ['+', 'integer', 'integer', 'integer'], ['-', 'integer', 'integer', 'integer'],
        ['+', 'date', 'integer', 'date'], ['-', 'date', 'integer', 'date'], ['-', 'date', 'date', 'integer'],
        ['+', 'date', 'interval', 'timestamp'],
        ['+', 'timestamptz', 'interval', 'timestamptz'], ['-', 'timestamptz', 'interval', 'timestamptz'],
        ['-', 'timestamptz', 'timestamptz', 'interval'],
        ['||', 'text', 'text', 'text'], ['||', 'text[]', 'text', 'text[]'], ['||', 'bigint[]', 'bigint', 'bigint[]'],
        ['||', 'text[]', 'text[]', 'text[]'],
        ['~~', 'text', 'text', 'boolean'], ['!~~', 'text', 'text', 'boolean'], ['~', 'text', 'text', 'boolean'],
        ['@>', 'bigint[]', 'bigint[]', 'boolean'], ['&&', 'bigint[]', 'bigint[]', 'boolean']]
    LOOP
        i := i + 1;
        EXECUTE format(
            'CREATE FUNCTION okr_sec_evil.op_%s(a %s, b %s) RETURNS %s LANGUAGE plpgsql VOLATILE '
            'SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM okr_sec_log.hit(%L); RETURN NULL; END $f$',
            i, d[2], d[3], d[4], d[2] || ' ' || d[1] || ' ' || d[3]);
        EXECUTE format('CREATE OPERATOR okr_sec_evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = okr_sec_evil.op_%s)',
                       d[1], d[2], d[3], i);
    END LOOP;
    -- prefix minus
    CREATE FUNCTION okr_sec_evil.neg(a numeric) RETURNS numeric LANGUAGE plpgsql VOLATILE
        SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM okr_sec_log.hit('- numeric'); RETURN a; END $f$;
    CREATE OPERATOR okr_sec_evil.- (RIGHTARG = numeric, FUNCTION = okr_sec_evil.neg);
END $$;

-- ---------------------------------------------------------------------------
-- What the workload does, what it reads, and where the outcomes go
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE steps (n int PRIMARY KEY, sql text NOT NULL, expect text NOT NULL);
CREATE TEMP TABLE outcomes (run text, n int, outcome text);
CREATE TEMP TABLE probes (n int PRIMARY KEY, sql text NOT NULL);
CREATE TEMP TABLE results (run text, what text, result text);
GRANT SELECT ON steps, probes TO PUBLIC;
GRANT INSERT, SELECT ON outcomes, results TO PUBLIC;

-- Operators in WHERE clauses are qualified so that the workload itself never
-- calls a decoy.  'ok' or the expected SQLSTATE.
INSERT INTO steps VALUES
 ( 1, $$INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31')$$, 'ok'),
 ( 2, $$INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('Q1 2026', '2026-01-01', '2026-03-31', 1), ('Q2 2026', '2026-04-01', '2026-06-30', 1)$$, 'ok'),
 ( 3, $$INSERT INTO okr.team (name) VALUES ('Company')$$, 'ok'),
 ( 4, $$INSERT INTO okr.team (name, parent_id) VALUES ('Sales', 1), ('Product', 1)$$, 'ok'),
 ( 5, $$INSERT INTO okr.objective (cycle_id, team_id, title, kind) VALUES (1, 1, 'Lead the market', 'aspirational')$$, 'ok'),
 ( 6, $$INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (2, 2, 1, 'Win Q1 deals')$$, 'ok'),
 ( 7, $$INSERT INTO okr.objective (cycle_id, team_id, parent_id, title, weight) VALUES (1, 3, 1, 'Ship v2', 2)$$, 'ok'),
 ( 8, $$INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (3, 3, 3, 'Beta in Q2')$$, 'ok'),
 ( 9, $$INSERT INTO okr.objective (cycle_id, title, state) VALUES (1, 'Draft idea', 'draft')$$, 'ok'),
 (10, $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value, unit) VALUES (1, 'Revenue', 0, 120, 'M$')$$, 'ok'),
 (11, $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value, weight) VALUES (1, 'Churned users', 1000, 500, 2)$$, 'ok'),
 (12, $$INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (2, 'Deals', 'at_least', 10)$$, 'ok'),
 (13, $$INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (2, 'Cycle days', 'at_most', 30)$$, 'ok'),
 (14, $$INSERT INTO okr.key_result (objective_id, title, kind) VALUES (4, 'Beta shipped', 'milestone')$$, 'ok'),
 (15, $$INSERT INTO okr.key_result (objective_id, title, kind) VALUES (3, 'Roadmap done', 'projects')$$, 'ok'),
 (16, $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (5, 'Draft KR', 0, 1)$$, 'ok'),
 (17, $$INSERT INTO okr.checkin (key_result_id, value, checked_at, confidence, author) VALUES (1, 30, '2026-02-01', 0.5, 'ann'), (1, 60, '2026-06-30 12:00', 0.8, 'ann'), (1, 50, '2026-05-01', 0.7, 'bob')$$, 'ok'),
 (18, $$INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (2, 800, '2026-03-01', 'ann'), (2, 700, '2026-04-01', 'ann')$$, 'ok'),
 (19, $$INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (3, 4, '2026-02-15', 'ann'), (3, 12, '2026-03-20', 'ann')$$, 'ok'),
 (20, $$INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (4, 35, '2026-01-20', 'ann'), (4, 25, '2026-03-10', 'ann')$$, 'ok'),
 (21, $$INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (5, 0, '2026-04-10', 'ann'), (5, 1, '2026-06-01', 'ann')$$, 'ok'),
 (22, $$UPDATE okr.checkin SET value = 9 WHERE id OPERATOR(pg_catalog.=) 7$$, 'ok'),
 (23, $$DELETE FROM okr.checkin WHERE id OPERATOR(pg_catalog.=) 2$$, 'ok'),
 (24, $$UPDATE okr.checkin SET key_result_id = 3 WHERE id OPERATOR(pg_catalog.=) 9$$, 'ok'),
 (25, $$INSERT INTO okr.project (key_result_id, name, weight) VALUES (6, 'Backend', 2), (6, 'Frontend', 1), (6, 'Docs', 1)$$, 'ok'),
 (26, $$INSERT INTO okr.project (key_result_id, name, state) VALUES (6, 'Old plan', 'active'), (1, 'Campaign', 'planned')$$, 'ok'),
 (27, $$INSERT INTO okr.task (project_id, title, effort) VALUES (1, 'API', 3), (1, 'DB', 2), (2, 'UI', 5), (3, 'Guide', 1), (4, 'Legacy', 1), (5, 'Ads', 2)$$, 'ok'),
 (28, $$UPDATE okr.task SET status = 'done', done_at = '2026-03-01' WHERE id OPERATOR(pg_catalog.=) 1$$, 'ok'),
 (29, $$UPDATE okr.task SET status = 'done' WHERE id OPERATOR(pg_catalog.=) ANY ('{2,3}'::bigint[])$$, 'ok'),
 (30, $$UPDATE okr.task SET status = 'todo' WHERE id OPERATOR(pg_catalog.=) 3$$, 'ok'),
 (31, $$UPDATE okr.task SET status = 'cancelled' WHERE id OPERATOR(pg_catalog.=) 4$$, 'ok'),
 (32, $$UPDATE okr.task SET project_id = 2 WHERE id OPERATOR(pg_catalog.=) 6$$, 'ok'),
 (33, $$UPDATE okr.project SET state = 'cancelled' WHERE id OPERATOR(pg_catalog.=) 4$$, 'ok'),
 (34, $$UPDATE okr.project SET state = 'done' WHERE id OPERATOR(pg_catalog.=) 3$$, 'ok'),
 (35, $$UPDATE okr.cycle SET ends_on = '2026-07-15' WHERE id OPERATOR(pg_catalog.=) 3$$, 'ok'),
 (36, $$UPDATE okr.objective SET parent_id = 1 WHERE id OPERATOR(pg_catalog.=) 4$$, 'ok'),
 (37, $$UPDATE okr.key_result SET title = 'Revenue (M$)', current_value = current_value WHERE id OPERATOR(pg_catalog.=) 1$$, 'ok'),
 (38, $$UPDATE okr.objective SET state = 'closed' WHERE id OPERATOR(pg_catalog.=) 2$$, 'ok'),
 (39, $$UPDATE okr.key_result SET state = 'cancelled' WHERE id OPERATOR(pg_catalog.=) 7$$, 'ok'),
 -- link rules, broken on purpose
 (50, $$UPDATE okr.objective SET parent_id = 4 WHERE id OPERATOR(pg_catalog.=) 1$$, '23O01'),
 (51, $$UPDATE okr.team SET parent_id = 3 WHERE id OPERATOR(pg_catalog.=) 1$$, '23O01'),
 (52, $$UPDATE okr.cycle SET parent_id = 2 WHERE id OPERATOR(pg_catalog.=) 1$$, '23O01'),
 (53, $$INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (1, 4, 'Annual under Q2')$$, '23O02'),
 (54, $$UPDATE okr.cycle SET starts_on = '2025-12-01' WHERE id OPERATOR(pg_catalog.=) 2$$, '23O02'),
 (55, $$UPDATE okr.cycle SET ends_on = '2026-05-31' WHERE id OPERATOR(pg_catalog.=) 3$$, '23O05'),
 (56, $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (1, 'Flat', 5, 5)$$, '23O03'),
 (57, $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 0.5, '2026-05-01')$$, '23O03'),
 (58, $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (6, 1, '2026-05-01')$$, '23O03'),
 (59, $$UPDATE okr.key_result SET current_value = 99 WHERE id OPERATOR(pg_catalog.=) 1$$, '428C9'),
 (60, $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 1, '2026-08-01')$$, '23O05'),
 (61, $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 1, '2027-01-01 00:00')$$, '23O05'),
 (62, $$INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (2, 'Late', 'at_least', 1)$$, '23O06'),
 (63, $$INSERT INTO okr.project (key_result_id, name) VALUES (7, 'Under cancelled KR')$$, '23O06'),
 (64, $$INSERT INTO okr.task (project_id, title) VALUES (4, 'Under cancelled project')$$, '23O06'),
 (65, $$INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (2, 2, 'Under closed')$$, '23O06'),
 (66, $$INSERT INTO okr.task (project_id, title, status, done_at) VALUES (1, 'Future', 'done', '2999-01-01')$$, '23O07'),
 (67, $$INSERT INTO okr.objective (cycle_id, title, weight) VALUES (1, 'Negative', -1)$$, '23514'),
 (68, $$INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'Odd', 'vibes')$$, '23514'),
 (69, $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 'NaN', '2026-05-01')$$, '23514'),
 (70, $$INSERT INTO okr.task (project_id, title) VALUES (999, 'Dangling')$$, '23503'),
 -- and the history after those failures
 (80, $$DELETE FROM okr.checkin WHERE key_result_id OPERATOR(pg_catalog.=) 2$$, 'ok'),
 (81, $$INSERT INTO okr.checkin (key_result_id, value, checked_at, note, author) VALUES (2, 650, '2026-06-15', 'after the deletes', 'bob')$$, 'ok'),
 -- 1.1: a source and a feed, run under the hostile path (their queries
 -- and okr's own run pinned), measuring NULL and rejecting both rows, so
 -- that the figures checked below do not move
 (82, $$INSERT INTO okr.key_result_source (key_result_id, query, run_as) VALUES (1, 'SELECT pg_catalog.nullif(1 + 1, 2)', 'okr_sec_path_writer')$$, 'ok'),
 (83, $$SELECT pg_catalog.count(*) FROM okr.sample(1)$$, 'ok'),
 (84, $$INSERT INTO okr.task_feed (source, run_as) VALUES ('public.okr_sec_feed_src', 'okr_sec_path_writer')$$, 'ok'),
 (85, $$SELECT pg_catalog.count(*) FROM okr.sync_tasks()$$, 'ok');

-- The probes: every relation in schema okr (found at run time, so views
-- added later are covered), okr.progress at several moments, every
-- objective's progress and score, and the scalar functions and aggregate.
CREATE FUNCTION pg_temp.make_probes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
    k int := 0;
BEGIN
    DELETE FROM pg_temp.probes;
    -- (not okr.access_grant: only its owner reads it)
    FOR r IN SELECT c.relname FROM pg_class c
              WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
                AND c.relname <> 'access_grant'
              ORDER BY c.relname
    LOOP
        k := k + 1;
        INSERT INTO pg_temp.probes VALUES (k, format(
            $f$SELECT pg_catalog.concat(pg_catalog.count(*), ' rows ',
                pg_catalog.md5(pg_catalog.string_agg(%2$s, E'\n' ORDER BY %2$s)))
               FROM okr.%1$I t$f$, r.relname,
            -- history is recorded at a moment of its own in every run, by the run's role
            CASE WHEN r.relname ~ '_history$' OR r.relname = 'audit'
                 THEN $e$(pg_catalog.to_jsonb(t) OPERATOR(pg_catalog.-) ARRAY['recorded_at', 'at', 'actor']::pg_catalog.text[])::pg_catalog.text$e$
                 ELSE 't::pg_catalog.text' END));
    END LOOP;
    INSERT INTO pg_temp.probes
    SELECT k + row_number() OVER (), q FROM unnest(ARRAY[
        $q$SELECT pg_catalog.string_agg(p::pg_catalog.text, ' ' ORDER BY p.item, p.id) FROM okr.progress('2026-02-15') p$q$,
        $q$SELECT pg_catalog.string_agg(p::pg_catalog.text, ' ' ORDER BY p.item, p.id) FROM okr.progress('2026-03-31 23:00') p$q$,
        $q$SELECT pg_catalog.string_agg(p::pg_catalog.text, ' ' ORDER BY p.item, p.id) FROM okr.progress('2026-07-01') p$q$,
        $q$SELECT pg_catalog.string_agg(p::pg_catalog.text, ' ' ORDER BY p.item, p.id) FROM okr.progress('infinity') p$q$,
        $q$SELECT pg_catalog.string_agg(p::pg_catalog.text, ' ' ORDER BY p.item, p.id) FROM okr.progress('-infinity') p$q$,
        $q$SELECT pg_catalog.string_agg(p::pg_catalog.text, ' ' ORDER BY p.item, p.id) FROM okr.progress() p$q$,
        $q$SELECT okr.weighted_progress(p.progress, 1::pg_catalog.float8)::pg_catalog.text FROM okr.progress('2026-07-01') p$q$,
        $q$SELECT pg_catalog.string_agg(pg_catalog.concat(o.id, '=', okr.objective_progress(o.id, '2026-05-01'), '/', okr.objective_progress(o.id), '/', okr.objective_score(o.id)), ' ' ORDER BY o.id) FROM okr.objective o$q$,
        $q$SELECT pg_catalog.string_agg(pg_catalog.concat(c.id, '=', okr.cycle_end(c.id)), ' ' ORDER BY c.id) FROM okr.cycle c$q$,
        $q$SELECT pg_catalog.concat(okr.kr_progress('metric', 1000, 500, 700), ' ', okr.kr_attainment('metric', 0, 120, 150), ' ', okr.kr_progress('at_most', NULL, 30, 25), ' ', okr.kr_progress('milestone', 0, 1, 1))$q$,
        $q$SELECT pg_catalog.concat(okr.expected_progress('2026-01-01', '2026-12-31', '2026-07-01'), ' ', okr.status(0.4, 0.5), ' ', okr.grade(0.5, 'aspirational'), ' ', okr.stale_after())$q$,
        $q$SELECT pg_catalog.string_agg(pg_catalog.concat(k.id, '=', k.current_value), ' ' ORDER BY k.id) FROM okr.key_result k$q$,
        $q$SELECT pg_catalog.string_agg(pg_catalog.concat(t.id, '=', t.status, '@', t.done_at), ' ' ORDER BY t.id) FROM okr.task t$q$
    ]) q;
END $$;

-- Run the workload / the probes as the current role under the current
-- search_path.  Qualified throughout: these run under the hostile paths.
CREATE FUNCTION pg_temp.workload(run text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s record;
    st text;
BEGIN
    FOR s IN SELECT w.n, w.sql FROM pg_temp.steps w ORDER BY w.n LOOP
        BEGIN
            EXECUTE s.sql;
            st := 'ok';
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
        END;
        INSERT INTO pg_temp.outcomes VALUES (run, s.n, st);
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.snapshot(run text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p record;
    v text;
BEGIN
    FOR p IN SELECT q.n, q.sql FROM pg_temp.probes q ORDER BY q.n LOOP
        BEGIN
            EXECUTE p.sql INTO v;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v = RETURNED_SQLSTATE;
            v := pg_catalog.concat('ERROR ', v);
        END;
        INSERT INTO pg_temp.results VALUES (run, p.sql, v);
    END LOOP;
END $$;
-- Empty the tables and restart their ids, as the superuser.
-- (history too: every run starts from none, with a horizon row so that
-- okr.history_horizon has rows to probe)
CREATE FUNCTION pg_temp.reset_data() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE okr.task_feed_rejection, okr.task, okr.task_feed, okr.project, okr.project_effort, okr.checkin, okr.key_result_source, okr.key_result, okr.objective, okr.team, okr.cycle RESTART IDENTITY;
    TRUNCATE okr.cycle_history, okr.team_history, okr.objective_history, okr.key_result_history,
             okr.checkin_history, okr.project_history, okr.task_history, okr.history_horizon;
    ALTER SEQUENCE okr.history_hid_seq RESTART;
    INSERT INTO okr.history_horizon (horizon, reason) VALUES ('2000-01-01 00:00+00', 'the probes');
END
$$;

CREATE ROLE okr_sec_path_writer;
-- the source of the feed of steps 84-85
CREATE TABLE public.okr_sec_feed_src (external_key text, project_id bigint, title text, status text);
-- (both rows are rejected, so the hand-computed figures stay as they are)
INSERT INTO public.okr_sec_feed_src VALUES ('F-1', 999, 'no such project', 'doing'), ('F-2', 4, 'under a cancelled project', 'todo');
GRANT SELECT ON public.okr_sec_feed_src TO okr_sec_path_writer;

-- ---------------------------------------------------------------------------
-- Install #1 under "decoys, pg_catalog, public", with pg_temp decoys present
-- ---------------------------------------------------------------------------
SET search_path = okr_sec_evil, pg_catalog, public;
CREATE EXTENSION okr;
RESET search_path;
-- (the workload's sources and feeds run as the writer in every run)
SELECT okr.grant_write('okr_sec_path_writer');

SELECT is((SELECT count(*)::int FROM pg_depend d
            WHERE d.classid = 'pg_proc'::regclass AND d.objid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'okr'::regnamespace)
              AND d.deptype = 'n'
              AND d.refobjid IN (SELECT oid FROM pg_proc WHERE pronamespace IN ('okr_sec_evil'::regnamespace, 'okr_sec_log'::regnamespace)
                                 UNION ALL SELECT oid FROM pg_operator WHERE oprnamespace = 'okr_sec_evil'::regnamespace)), 0,
    'install #1: no okr function depends on a decoy function or operator');
SELECT is((
    WITH owned AS (
        SELECT 'pg_class'::regclass AS classid, c.oid AS objid FROM pg_class c WHERE c.relnamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p WHERE p.pronamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t WHERE t.typnamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_constraint'::regclass, k.oid FROM pg_constraint k WHERE k.connamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_attrdef'::regclass, a.oid FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE c.relnamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_trigger'::regclass, g.oid FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE c.relnamespace = 'okr'::regnamespace
        UNION ALL SELECT 'pg_policy'::regclass, y.oid FROM pg_policy y JOIN pg_class c ON c.oid = y.polrelid WHERE c.relnamespace = 'okr'::regnamespace
    ), refs AS (
        SELECT CASE d.refclassid
                 WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.refobjid)
                 WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid = d.refobjid)
                 WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.refobjid)
                 WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.refobjid)
                 WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation WHERE oid = d.refobjid)
               END AS nsp
          FROM pg_depend d JOIN owned o ON o.classid = d.classid AND o.objid = d.objid
         WHERE d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass, 'pg_type'::regclass,
                                'pg_class'::regclass, 'pg_collation'::regclass)
    )
    SELECT count(*)::int FROM refs WHERE nsp NOT IN ('pg_catalog'::regnamespace, 'okr'::regnamespace)), 0,
    'install #1: every function, operator, type and relation any okr object is bound to lives in pg_catalog or okr');
SELECT ok(to_regclass('okr.objective') IS NOT NULL
          AND (SELECT relkind FROM pg_class WHERE oid = to_regclass('okr.objective')) = 'r',
    'install #1: okr.objective is the real table, not a decoy');

-- clean run
SELECT pg_temp.make_probes();
SELECT pg_temp.reset_data();
SET search_path = public;
DO $$ BEGIN PERFORM pg_temp.workload('clean'); PERFORM pg_temp.snapshot('clean'); END $$;
RESET search_path;

-- a few absolute values of the clean run, so that "equal to the clean run"
-- also means "right"
SELECT is((SELECT string_agg(k.id || '=' || coalesce(k.current_value::text, 'NULL'), ' ' ORDER BY k.id) FROM okr.key_result k),
    '1=50 2=650 3=9 4=35 5=1 6=NULL 7=NULL',
    'clean run: current_value follows the latest check-in (back-dated, updated, deleted and moved check-ins)');
-- objective 1 at infinity: KR 50/120 (w1), KR (650-1000)/(500-1000) = 0.7 (w2), closed child 2 at 0 (w1),
-- child 3 = its projects KR (2*1 + 1*0 + 1*1)/4 = 0.75 (w2), child 4 = milestone 1 (w1)
SELECT ok(abs(okr.objective_progress(1, 'infinity') - (50.0 / 120 + 2 * 0.7 + 0 + 2 * 0.75 + 1) / 7) < 1e-12,
    'clean run: objective 1 is the hand-computed weighted mean');
SELECT is((SELECT string_agg(t.id || '=' || t.status || (t.done_at IS NOT NULL)::text, ' ' ORDER BY t.id) FROM okr.task t),
    '1=donetrue 2=donetrue 3=todofalse 4=cancelledfalse 5=todofalse 6=todofalse',
    'clean run: done_at follows status');

-- hostile run h1, as the superuser
SELECT pg_temp.reset_data();
SET search_path = okr_sec_evil, pg_catalog, public;
DO $$ BEGIN PERFORM pg_temp.workload('h1: decoys before pg_catalog'); PERFORM pg_temp.snapshot('h1: decoys before pg_catalog'); END $$;
RESET search_path;

-- ---------------------------------------------------------------------------
-- Install #2 under "decoys, public" (pg_catalog implicitly first)
-- ---------------------------------------------------------------------------
SET search_path = okr_sec_evil, public;
DROP EXTENSION okr;
CREATE EXTENSION okr;
RESET search_path;
SELECT okr.grant_write('okr_sec_path_writer');
SELECT ok(to_regclass('okr.objective') IS NOT NULL, 'install #2 under "decoys, public" works');

-- hostile run h2, as the superuser
SELECT pg_temp.reset_data();
SET search_path = okr_sec_evil, public;
DO $$ BEGIN PERFORM pg_temp.workload('h2: decoys after implicit pg_catalog'); PERFORM pg_temp.snapshot('h2: decoys after implicit pg_catalog'); END $$;
RESET search_path;

-- hostile run h3, as a writer role whose path puts the decoys first
SELECT pg_temp.reset_data();
SET ROLE okr_sec_path_writer;
SET search_path = okr_sec_evil, pg_catalog, public;
DO $$ BEGIN PERFORM pg_temp.workload('h3: writer, decoys before pg_catalog'); PERFORM pg_temp.snapshot('h3: writer, decoys before pg_catalog'); END $$;
RESET search_path;
RESET ROLE;

-- hostile run h4, as the writer, with pg_catalog implicit
SELECT pg_temp.reset_data();
SET ROLE okr_sec_path_writer;
SET search_path = okr_sec_evil, public;
DO $$ BEGIN PERFORM pg_temp.workload('h4: writer, decoys after implicit pg_catalog'); PERFORM pg_temp.snapshot('h4: writer, decoys after implicit pg_catalog'); END $$;
RESET search_path;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Verdicts
-- ---------------------------------------------------------------------------
SELECT is((SELECT is_called FROM okr_sec_log.hits), false,
    'no decoy ran, not even in a statement that failed (the hit counter was never called)');
SELECT is((SELECT string_agg(DISTINCT what, ', ') FROM okr_sec_log.ran), NULL, 'no decoy ran (log)');

SELECT is((SELECT string_agg(s.n || ' -> ' || o.outcome || ' (want ' || s.expect || ')', '; ' ORDER BY s.n)
             FROM pg_temp.steps s JOIN pg_temp.outcomes o ON o.n = s.n AND o.run = 'clean'
            WHERE o.outcome <> s.expect), NULL,
    'clean run: every workload step has its expected outcome (link-rule SQLSTATEs included)');
SELECT is((SELECT count(*)::int FROM pg_temp.outcomes WHERE run = 'clean'), (SELECT count(*)::int FROM pg_temp.steps),
    'clean run: every step ran');

SELECT is((SELECT count(*)::int FROM pg_temp.probes), (SELECT count(*)::int FROM pg_temp.results WHERE run = 'clean'),
    'clean run: every probe ran');
SELECT is((SELECT string_agg(what, '; ') FROM pg_temp.results WHERE run = 'clean' AND result LIKE 'ERROR%'), NULL,
    'clean run: no probe raised an error');
-- (the probes are made from the catalog, so counting them proves nothing;
-- that they read rows does: equal empty results would prove nothing either)
SELECT is((SELECT string_agg(substring(r.what from 'FROM okr\.(\w+) t$'), ', ' ORDER BY r.what) FROM pg_temp.results r
            WHERE r.run = 'clean' AND r.what ~ '^SELECT pg_catalog\.concat\(pg_catalog\.count\(\*\), '' rows '''
              AND r.result !~ '^[1-9][0-9]* rows '), NULL,
    format('the probes read data: each of the %s relations of schema okr has rows in the clean run',
           (SELECT count(*) FROM pg_class WHERE relnamespace = 'okr'::regnamespace AND relkind IN ('r', 'v', 'm', 'p')
                                              AND relname <> 'access_grant')));

-- every hostile run equals the clean run, step by step and probe by probe
SELECT is((SELECT string_agg(h.n || ': ' || h.outcome || ' vs clean ' || c.outcome, '; ' ORDER BY h.n)
             FROM pg_temp.outcomes h JOIN pg_temp.outcomes c ON c.n = h.n AND c.run = 'clean'
            WHERE h.run = r.run AND h.outcome IS DISTINCT FROM c.outcome), NULL,
    r.run || ': every workload step has the same outcome as in the clean run')
  FROM (VALUES ('h1: decoys before pg_catalog'), ('h2: decoys after implicit pg_catalog'),
               ('h3: writer, decoys before pg_catalog'), ('h4: writer, decoys after implicit pg_catalog')) r(run);
SELECT is((SELECT count(*)::int FROM pg_temp.outcomes h WHERE h.run = r.run), (SELECT count(*)::int FROM pg_temp.steps),
    r.run || ': every step ran')
  FROM (VALUES ('h1: decoys before pg_catalog'), ('h2: decoys after implicit pg_catalog'),
               ('h3: writer, decoys before pg_catalog'), ('h4: writer, decoys after implicit pg_catalog')) r(run);
SELECT is((SELECT string_agg(h.what || ' => ' || coalesce(h.result, 'NULL') || ' vs clean ' || coalesce(c.result, 'NULL'), '; ')
             FROM pg_temp.results h JOIN pg_temp.results c ON c.what = h.what AND c.run = 'clean'
            WHERE h.run = r.run AND h.result IS DISTINCT FROM c.result), NULL,
    r.run || ': every relation and function reads exactly as in the clean run')
  FROM (VALUES ('h1: decoys before pg_catalog'), ('h2: decoys after implicit pg_catalog'),
               ('h3: writer, decoys before pg_catalog'), ('h4: writer, decoys after implicit pg_catalog')) r(run);

-- ---------------------------------------------------------------------------
-- The decoys do capture unqualified names: the test has teeth
-- ---------------------------------------------------------------------------
SET search_path = okr_sec_evil, pg_catalog, public;
CREATE TEMP TABLE teeth AS
SELECT now() = '1999-01-01'::timestamptz AS now_captured,      -- decoy now() and decoy = on timestamptz
       (SELECT count(*) FROM objective) AS temp_relation_rows,  -- pg_temp.objective, searched first
       (1::bigint = 1::bigint) AS bigint_eq;                    -- decoy = on bigint (returns the negation)
RESET search_path;
SELECT ok((SELECT is_called FROM okr_sec_log.hits) AND (SELECT count(*) FROM okr_sec_log.ran) >= 3,
    'sanity: unqualified now(), =, and a relation named objective do reach the decoys');
SELECT is((SELECT bigint_eq FROM teeth), false,
    'sanity: the decoy = on bigint answers wrongly');

SELECT * FROM finish();
ROLLBACK;
