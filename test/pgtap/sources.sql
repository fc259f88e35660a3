-- SPEC 6: key results measured by queries (okr.key_result_source,
-- okr.sample, okr.backfill) and their security model: run_as checked
-- against the writer (42501), one read-only SELECT checked when written
-- (25006) and read-only enforced when run (25006), okr.source_timeout,
-- each source in a subtransaction so that failures are recorded and the
-- others go on.  now() is the transaction's start, constant in this file.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(48);
SET TimeZone = 'UTC';

CREATE ROLE okr_src_writer;
CREATE ROLE okr_src_other;
CREATE ROLE okr_src_super SUPERUSER;
SELECT okr.grant_write('okr_src_writer');
CREATE SCHEMA crm;
CREATE TABLE crm.orders (id serial PRIMARY KEY, amount numeric NOT NULL, closed_at timestamptz NOT NULL);
CREATE FUNCTION crm.writes() RETURNS int LANGUAGE sql AS $$ INSERT INTO crm.orders (amount, closed_at) VALUES (1, now()) RETURNING 1 $$;
GRANT USAGE ON SCHEMA crm TO okr_src_writer;
GRANT SELECT ON crm.orders TO okr_src_writer;
INSERT INTO crm.orders (amount, closed_at) VALUES
    (100, '2026-01-15 10:00+00'), (50, '2026-02-10 10:00+00'), (25, '2026-04-20 10:00+00');

-- A cycle from 2026-01-01 to a month after today; key results 1..12.
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE
    VALUES (1, 'now', '2026-01-01', greatest(current_date, '2026-06-30') + 30);
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Grow');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE
SELECT i, 1, 'kr ' || i, CASE WHEN i = 9 THEN 'milestone' ELSE 'metric' END,
       CASE WHEN i <> 9 THEN 0 END, CASE WHEN i <> 9 THEN 1000 END
  FROM generate_series(1, 14) i;

-- ===================================================================
-- Writing a source: run_as and the query
-- ===================================================================
SET ROLE okr_src_writer;
SELECT lives_ok(
    $$INSERT INTO okr.key_result_source (key_result_id, query, timezone)
      VALUES (1, 'SELECT sum(amount) FROM crm.orders WHERE closed_at >= $2 AND closed_at <= $1', 'UTC')$$,
    'a writer writes a source of its own (run_as defaults to current_user)');
SELECT is((SELECT run_as::text FROM okr.key_result_source WHERE key_result_id = 1), 'okr_src_writer',
    'run_as defaults to the writer');
SELECT throws_ok(
    $$INSERT INTO okr.key_result_source (key_result_id, query, run_as) VALUES (2, 'SELECT 1', 'okr_src_other')$$,
    '42501', NULL, 'run_as a role the writer is not a member of: 42501');
SELECT throws_ok(
    $$INSERT INTO okr.key_result_source (key_result_id, query, run_as) VALUES (2, 'SELECT 1', 'okr_src_super')$$,
    '42501', NULL, 'a superuser run_as for a writer that is not one: 42501');
SELECT throws_ok(
    $$UPDATE okr.key_result_source SET run_as = 'okr_src_other' WHERE key_result_id = 1$$,
    '42501', NULL, 'an update to a run_as the writer is not a member of: 42501');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'INSERT INTO crm.orders (amount, closed_at) VALUES (1, now())')$$,
    '25006', NULL, 'INSERT as a query: refused when written (25006)');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'UPDATE crm.orders SET amount = 0')$$,
    '25006', NULL, 'UPDATE as a query: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'DELETE FROM crm.orders')$$,
    '25006', NULL, 'DELETE as a query: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'CREATE TABLE crm.x (a int)')$$,
    '25006', NULL, 'DDL as a query: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'SELECT 1; SELECT 2')$$,
    '25006', NULL, 'two statements: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'WITH d AS (DELETE FROM crm.orders RETURNING amount) SELECT sum(amount) FROM d')$$,
    '25006', NULL, 'a data-modifying WITH: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'SELECT amount FROM crm.orders FOR UPDATE')$$,
    '25006', NULL, 'FOR UPDATE: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'SELECT 1 INTO crm.y')$$,
    '25006', NULL, 'SELECT INTO: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (2, 'SELEC 1')$$,
    '42601', NULL, 'a syntax error: refused when written');
SELECT throws_ok($$INSERT INTO okr.key_result_source (key_result_id, query, timezone) VALUES (2, 'SELECT 1', 'Mars/Olympus')$$,
    '22023', NULL, 'an unknown time zone: refused when written');

-- Sources that fail when they run, and sources that work, side by side.
INSERT INTO okr.key_result_source (key_result_id, query, timezone) VALUES
    (2, 'SELECT nextval(''crm.orders_id_seq'')', 'UTC'),
    (3, 'SELECT crm.writes()', 'UTC'),
    (4, 'SELECT 1 FROM pg_sleep(3)', 'UTC'),
    (5, 'SELECT 1 WHERE false', 'UTC'),
    (6, 'SELECT 1 FROM generate_series(1, 2)', 'UTC'),
    (7, 'SELECT ''lots''', 'UTC'),
    (8, 'SELECT sum(amount) FROM crm.orders WHERE false', 'UTC'),
    (9, 'SELECT 5', 'UTC'),
    (10, 'SELECT count(*) FROM crm.orders', 'UTC'),
    (11, 'SELECT extract(epoch FROM $3 - $2) / 86400 + extract(epoch FROM $2) / 1e9', 'Asia/Tokyo'),
    (12, 'SELECT 1 / 0', 'UTC');
RESET ROLE;
GRANT EXECUTE ON FUNCTION crm.writes() TO okr_src_writer;
GRANT USAGE ON SEQUENCE crm.orders_id_seq TO okr_src_writer;

-- ===================================================================
-- okr.sample(): every due source, failures recorded, the others go on
-- ===================================================================
SET okr.source_timeout = '200ms';
CREATE TEMP TABLE run1 AS SELECT * FROM okr.sample();
SELECT is((SELECT count(*) FROM run1), 12::bigint, 'sample() measures the 12 due sources');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 2), '^25006: cannot execute nextval\(\) in a read-only transaction',
    'nextval() in a query fails when run (25006)');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 3), '^25006: cannot execute INSERT in a read-only transaction',
    'a function that writes fails when run (25006)');
SELECT is((SELECT count(*) FROM crm.orders), 3::bigint, 'nothing was written to the user''s tables');
SELECT is((SELECT error FROM run1 WHERE key_result_id = 4), 'canceled after okr.source_timeout (200 ms)',
    'a query longer than okr.source_timeout is cancelled and recorded');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 5), '^21000: .*no rows', 'no row: an error (21000)');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 6), '^21000: .*several rows', 'several rows: an error (21000)');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 7), '^22P02: ', 'a value that is not a number: an error (22P02)');
SELECT is((SELECT row(value, checkin_id, error)::text FROM run1 WHERE key_result_id = 8), '(,,)',
    'a NULL value records nothing and is no error');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 9), '^23O03: ', 'a value the kind refuses (milestone 5): the rule''s error');
SELECT matches((SELECT error FROM run1 WHERE key_result_id = 12), '^22012: ', 'division by zero: an error');
SELECT results_eq($$SELECT key_result_id, value FROM run1 WHERE checkin_id IS NOT NULL ORDER BY 1$$,
    $$VALUES (1::bigint, 175::numeric), (10, 3), (11, round(extract(epoch FROM (current_date + 30)::timestamp + interval '1 day' - '2026-01-01') / 86400 + extract(epoch FROM '2026-01-01 00:00+09'::timestamptz) / 1e9, 20))$$,
    'the working sources recorded their values despite the failures around them');
SELECT is((SELECT value FROM okr.checkin WHERE key_result_id = 11),
    (SELECT extract(epoch FROM ((c.ends_on + 1)::timestamp AT TIME ZONE 'Asia/Tokyo') - (c.starts_on::timestamp AT TIME ZONE 'Asia/Tokyo')) / 86400
            + extract(epoch FROM c.starts_on::timestamp AT TIME ZONE 'Asia/Tokyo') / 1e9 FROM okr.cycle c),
    '$2 and $3 are the cycle''s start and end in the source''s time zone');
SELECT results_eq($$SELECT author, note FROM okr.checkin WHERE key_result_id = 1$$,
    $$VALUES ('okr.sample'::text, 'measured by key-result source 1 as okr_src_writer'::text)$$,
    'a sampled check-in says where it came from');
SELECT is((SELECT current_value FROM okr.key_result WHERE id = 1), NULL::numeric,
    'current_value is maintained at commit (the check-in went in through the usual triggers)');
SELECT is((SELECT count(*) FROM okr.key_result_source WHERE last_sampled_at = now()), 12::bigint,
    'every run, failed or not, advances last_sampled_at');
SELECT results_eq($$SELECT key_result_id FROM okr.key_result_source WHERE last_error IS NOT NULL AND last_error_at = now() ORDER BY 1$$,
    $$VALUES (2::bigint), (3), (4), (5), (6), (7), (9), (12)$$, 'failures are recorded in last_error and last_error_at');
SELECT is((SELECT last_value FROM okr.key_result_source WHERE key_result_id = 1), 175::numeric, 'last_value is the value measured');

-- ===================================================================
-- Due or not; equal values; lost privileges
-- ===================================================================
SELECT is((SELECT count(*) FROM okr.sample()), 0::bigint, 'a second sample() finds nothing due');
SELECT results_eq($$SELECT value, checkin_id, error FROM okr.sample(1)$$,
    $$VALUES (175::numeric, NULL::bigint, NULL::text)$$, 'sample(id) runs it anyway; an equal value records nothing');
INSERT INTO crm.orders (amount, closed_at) VALUES (5, now() - interval '1 minute');
SELECT is((SELECT value FROM okr.sample(1)), 180::numeric, 'a changed value is measured ...');
SELECT is((SELECT count(*) FROM okr.checkin WHERE key_result_id = 1), 2::bigint, '... and recorded');
UPDATE okr.key_result_source SET query = 'SELECT 7' WHERE key_result_id = 12;
SELECT results_eq($$SELECT value, error FROM okr.sample(12)$$, $$VALUES (7::numeric, NULL::text)$$, 'a fixed source works again ...');
SELECT is((SELECT last_error FROM okr.key_result_source WHERE key_result_id = 12), NULL, '... and its last_error is cleared');
REVOKE SELECT ON crm.orders FROM okr_src_writer;
SELECT matches((SELECT error FROM okr.sample(10)), '^42501: permission denied for table orders',
    'a source whose run_as lost its privileges fails, with its error recorded');
GRANT SELECT ON crm.orders TO okr_src_writer;
UPDATE okr.key_result SET state = 'cancelled' WHERE id = 10;
UPDATE okr.key_result_source SET last_sampled_at = now() - interval '2 hours';
SELECT ok(NOT EXISTS (SELECT FROM okr.sample() WHERE key_result_id = 10), 'a cancelled key result is not due');

-- ===================================================================
-- okr.backfill: hand-computed counts
-- ===================================================================
INSERT INTO okr.key_result (id, objective_id, title, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES (20, 1, 'sales', 0, 1000);
INSERT INTO okr.key_result_source (key_result_id, query, timezone, enabled)
    VALUES (20, 'SELECT sum(amount) FROM crm.orders WHERE closed_at >= $2 AND closed_at <= $1 AND closed_at < ''2026-06-01''', 'UTC', false);
-- At Dec 1 (before the cycle: skipped), Jan 1 (NULL), Feb 1 (100), Mar 1
-- (150), Apr 1 (150: equal), May 1 (175), Jun 1 (175: equal): 3 written.
SELECT is(okr.backfill(20, '2025-12-01 00:00+00', '2026-06-01 00:00+00', '1 month'), 3::bigint,
    'backfill month by month writes the 3 changes');
SELECT results_eq($$SELECT checked_at, value, author FROM okr.checkin WHERE key_result_id = 20 ORDER BY checked_at$$,
    $$VALUES ('2026-02-01 00:00+00'::timestamptz, 100::numeric, 'okr.backfill'::text), ('2026-03-01 00:00+00', 150, 'okr.backfill'), ('2026-05-01 00:00+00', 175, 'okr.backfill')$$,
    'back-dated check-ins at the moments the value changed');
SELECT is(okr.backfill(20, '2026-01-01 00:00+00', '2026-06-01 00:00+00', '1 month'), 0::bigint,
    'a second backfill writes nothing');
-- Weekly from Thursday Jan 1: Jan 22 sees 100 (nothing in force before
-- Feb 1), Feb 12 sees 150 (Feb 1's 100 in force), Apr 23 sees 175 (Mar 1's
-- 150 in force); every other week sees the value in force: 3 written.
SELECT is(okr.backfill(20, '2026-01-01 00:00+00', '2026-06-01 00:00+00', '1 week'), 3::bigint,
    'weekly: 3 more, where a week saw a change before the monthly check-in in force');
SELECT throws_ok($$SELECT okr.backfill(20, '2026-01-01', '2026-02-01', '0')$$, '22023', NULL, 'a step that is not positive: 22023');
SELECT throws_ok($$SELECT okr.backfill(13, '2026-01-01', '2026-02-01', '1 day')$$, 'P0002', NULL, 'a key result without a source: P0002');
SET ROLE okr_src_other;
SELECT throws_ok($$SELECT okr.backfill(20, '2026-01-01', '2026-02-01', '1 day')$$, '42501', NULL,
    'backfill by a role that may not run the function: 42501');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
