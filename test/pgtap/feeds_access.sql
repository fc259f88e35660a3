-- Sources and feeds under access by team (SPEC 6 and 9, doc/access.md):
-- a role with a write grant scoped to a team defines, alters and runs only
-- the key-result sources of its scope and the task feeds that run as it;
-- a feed's sync writes only what its run_as may (the rest is rejected,
-- 42501 naming the team); readers see no source, query, feed or rejection
-- of a private objective they may not read.  Each refusal checks its
-- SQLSTATE and message.
--
-- Roles are created inside this file's transaction and vanish with its
-- ROLLBACK.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(38);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

CREATE ROLE okr_fa_sales;                        -- writes team 2 (Sales)
CREATE ROLE okr_fa_mkt;                          -- writes team 3 (Marketing)
CREATE ROLE okr_fa_reader;                       -- reads team 2 (Sales)
CREATE ROLE okr_fa_member IN ROLE okr_fa_sales;  -- a login of the Sales group

-- 'ok', or 'SQLSTATE: message' of the first statement that fails, as role r.
CREATE FUNCTION pg_temp.try_as(r text, VARIADIC stmts text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s text;
    res text := 'ok';
    st text;
    msg text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        FOREACH s IN ARRAY stmts LOOP
            EXECUTE s;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        res := st || ': ' || msg;
    END;
    RESET ROLE;
    RETURN res;
END $$;
-- The first column of a query's first row as text, as role r.
CREATE FUNCTION pg_temp.get_as(r text, q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        EXECUTE q INTO v;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v = RETURNED_SQLSTATE;
        v := 'ERROR ' || v;
    END;
    RESET ROLE;
    RETURN v;
END $$;

-- ---------------------------------------------------------------------------
-- Fixture (as the superuser)
-- ---------------------------------------------------------------------------
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE
    VALUES (1, 'now', current_date - 30, current_date + 30);
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE
    VALUES (1, 'Company', NULL), (2, 'Sales', 1), (3, 'Marketing', 1);
INSERT INTO okr.objective (id, cycle_id, team_id, title, private) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 2, 'Sell', false),               -- Sales
    (2, 1, 3, 'Be known', false),           -- Marketing
    (3, 1, 3, 'PRIV-MKT launch', true);     -- Marketing, private
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 'revenue', 'metric', 0, 100), (2, 2, 'reach', 'metric', 0, 100),
    (3, 3, 'PRIV-MKT signups', 'metric', 0, 100),
    (4, 1, 'sales work', 'projects', NULL, NULL), (5, 2, 'mkt work', 'projects', NULL, NULL),
    (6, 3, 'PRIV-MKT work', 'projects', NULL, NULL);
INSERT INTO okr.project (id, key_result_id, name, external_key) OVERRIDING SYSTEM VALUE VALUES
    (1, 4, 'CRM', 'SALES'), (2, 5, 'Campaign', 'MKT'), (3, 6, 'PRIV-MKT stealth', 'PRIV');

SELECT okr.grant_write('okr_fa_sales', 2);
SELECT okr.grant_write('okr_fa_mkt', 3);
SELECT okr.grant_read('okr_fa_reader', 2);

INSERT INTO okr.key_result_source (key_result_id, query, run_as) VALUES
    (2, 'SELECT 20', 'okr_fa_mkt'), (3, 'SELECT 30 /* PRIV-QUERY */', 'okr_fa_mkt');

CREATE SCHEMA app;
CREATE TABLE app.tasks (external_key text PRIMARY KEY, project_external_key text, title text, status text);
CREATE TABLE app.priv_tasks (external_key text PRIMARY KEY, project_external_key text, title text, status text);
GRANT USAGE ON SCHEMA app TO okr_fa_sales, okr_fa_mkt;
GRANT SELECT ON app.tasks, app.priv_tasks TO okr_fa_sales, okr_fa_mkt;
INSERT INTO app.tasks VALUES
    ('S-1', 'SALES', 'a', 'todo'), ('S-2', 'SALES', 'b', 'doing'),
    ('M-1', 'MKT', 'c', 'todo'),                 -- Marketing's project
    ('P-1', 'PRIV', 'd', 'todo');                -- a private project of Marketing
INSERT INTO app.priv_tasks VALUES ('X-1', 'PRIV', 'PRIV-MKT secret', 'todo'), ('X-2', 'NOPE', 'PRIV-MKT typo', 'todo');

-- ---------------------------------------------------------------------------
-- Writing sources
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.try_as('okr_fa_sales', $$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (1, 'SELECT 10')$$),
    'ok', 'a scoped writer defines a source for a key result of its team');
SELECT is(pg_temp.try_as('okr_fa_sales', $$INSERT INTO okr.key_result_source (key_result_id, query) VALUES (5, 'SELECT 1')$$),
    '42501: permission denied to write a new key-result source of key result 5: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    'another team''s key result: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_fa_sales', $$UPDATE okr.key_result_source SET query = 'SELECT 0' WHERE key_result_id = 2$$),
    '42501: permission denied to write key-result source 1: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    'altering another team''s source: 42501');
SELECT is(pg_temp.try_as('okr_fa_sales', $$DELETE FROM okr.key_result_source WHERE key_result_id = 2$$),
    '42501: permission denied to write key-result source 1: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    'deleting another team''s source: 42501');
SELECT is(pg_temp.try_as('okr_fa_sales', $$UPDATE okr.key_result_source SET key_result_id = 5 WHERE key_result_id = 1$$),
    '42501: permission denied to write key-result source 3: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    'moving its own source to another team''s key result: 42501');
SELECT is(pg_temp.try_as('okr_fa_sales', $$UPDATE okr.key_result_source SET enabled = false WHERE key_result_id = 3$$),
    'ok', 'a private objective''s source is not even found by another team''s writer ...');
SELECT ok((SELECT enabled FROM okr.key_result_source WHERE key_result_id = 3), '... and stays as it was');
SELECT is(pg_temp.try_as('okr_fa_mkt', $$UPDATE okr.key_result_source SET every = '2 hours' WHERE key_result_id IN (2, 3)$$),
    'ok', 'Marketing alters its own sources, the private one too');

-- ---------------------------------------------------------------------------
-- Reading sources
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.get_as('okr_fa_reader', 'SELECT string_agg(key_result_id::text, '','' ORDER BY key_result_id) FROM okr.key_result_source'),
    '1,2', 'a reader of Sales sees the sources of public objectives, not the private one''s');
SELECT is(pg_temp.get_as('okr_fa_reader', $$SELECT count(*)::text FROM okr.key_result_source WHERE query LIKE '%PRIV%'$$),
    '0', '... nor its query');
SELECT is(pg_temp.get_as('okr_fa_mkt', 'SELECT string_agg(key_result_id::text, '','' ORDER BY key_result_id) FROM okr.key_result_source'),
    '1,2,3', 'Marketing sees its private objective''s source');

-- ---------------------------------------------------------------------------
-- Running sources
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.get_as('okr_fa_sales', 'SELECT string_agg(key_result_id::text || ''='' || value, '','' ORDER BY key_result_id) FROM okr.sample()'),
    '1=10', 'okr.sample() by a scoped writer samples only the sources of its scope');
SELECT is((SELECT count(*)::int FROM okr.key_result_source WHERE last_sampled_at IS NOT NULL), 1,
    '... the others are left for their own team (not sampled, not locked)');
SELECT is((SELECT string_agg(key_result_id || ':' || value, ',') FROM okr.checkin), '1:10', '... and its check-in is recorded');
SELECT is(pg_temp.try_as('okr_fa_sales', 'SELECT * FROM okr.sample(2)'),
    '42501: permission denied to run the source of key result 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    'okr.sample(id) of another team''s source: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_fa_sales', 'SELECT * FROM okr.sample(3)'),
    '42501: permission denied to run the source of key result 3: it is outside the write scope of role "okr_fa_sales"',
    'of a private objective it may not read: 42501 without its team');
SELECT is(pg_temp.try_as('okr_fa_sales', $$SELECT okr.backfill(2, now() - interval '2 days', now(), '1 day')$$),
    '42501: permission denied to run okr.backfill of key result 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    'okr.backfill of another team''s source: 42501');
SELECT is(pg_temp.get_as('okr_fa_mkt', 'SELECT string_agg(key_result_id::text || ''='' || value, '','' ORDER BY key_result_id) FROM okr.sample()'),
    '2=20,3=30', 'Marketing''s okr.sample() samples its own two');

-- ---------------------------------------------------------------------------
-- Feeds: writing, running
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.try_as('okr_fa_sales', $$INSERT INTO okr.task_feed (id, source) OVERRIDING SYSTEM VALUE VALUES (1, 'app.tasks')$$),
    'ok', 'a scoped writer defines a feed that runs as itself');
INSERT INTO okr.task_feed (id, source, run_as) OVERRIDING SYSTEM VALUE VALUES (2, 'app.tasks', 'okr_fa_mkt');
SELECT is(pg_temp.get_as('okr_fa_sales', 'SELECT format(''%s %s %s %s %s'', inserted, updated, deleted, rejected, coalesce(error, ''-'')) FROM okr.sync_tasks(1)'),
    '2 0 0 2 -', 'its sync writes the rows of its team''s projects and rejects the others one by one');
SELECT is((SELECT string_agg(external_key || ' ' || sqlstate, ', ' ORDER BY external_key) FROM okr.task_feed_rejection WHERE feed_id = 1),
    'M-1 42501, P-1 23503', 'the row for another team''s project is rejected with 42501 ...');
SELECT matches((SELECT message FROM okr.task_feed_rejection WHERE feed_id = 1 AND external_key = 'M-1'),
    '^permission denied to write new task "[^"]*": objective 2 belongs to team 3 \(Marketing\), outside the write scope of role "okr_fa_sales"$',
    '... naming the team');
SELECT is((SELECT message FROM okr.task_feed_rejection WHERE feed_id = 1 AND external_key = 'P-1'),
    'no project has external_key PRIV',
    'a private project run_as may not read does not exist for it (nothing leaks)');
SELECT is((SELECT string_agg(external_key || '@' || project_id, ',' ORDER BY external_key) FROM okr.task WHERE feed_id = 1),
    'S-1@1,S-2@1', 'only the tasks of its scope went in');

-- a task of the feed that is now outside its scope is neither updated nor deleted
INSERT INTO okr.task (project_id, title, external_key, feed_id) VALUES (2, 'moved away', 'M-9', 1);
UPDATE app.tasks SET title = 'b2' WHERE external_key = 'S-2';
SELECT is(pg_temp.get_as('okr_fa_sales', 'SELECT format(''%s %s %s %s %s'', inserted, updated, deleted, rejected, coalesce(error, ''-'')) FROM okr.sync_tasks(1)'),
    '0 1 0 3 -', 'a task outside the scope whose source row is gone is not deleted, but rejected ...');
SELECT is((SELECT sqlstate || ': ' || message FROM okr.task_feed_rejection WHERE feed_id = 1 AND external_key = 'M-9'),
    '42501: permission denied to write task ' || (SELECT id FROM okr.task WHERE external_key = 'M-9')
    || ': objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_sales"',
    '... with 42501 naming the team');
SELECT is((SELECT string_agg(external_key || ' ' || title, ',' ORDER BY external_key) FROM okr.task WHERE feed_id = 1),
    'M-9 moved away,S-1 a,S-2 b2', '... it stays; the rest of the sync went in');

SELECT is(pg_temp.try_as('okr_fa_mkt', 'SELECT * FROM okr.sync_tasks(1)'),
    '42501: permission denied to run task feed 1: it runs as "okr_fa_sales", and role "okr_fa_mkt" has a write grant scoped to teams and is not a member of it',
    'okr.sync_tasks(id) of a feed that runs as another role: 42501');
UPDATE okr.task_feed SET last_synced_at = NULL;
SELECT is(pg_temp.get_as('okr_fa_member', 'SELECT string_agg(feed_id::text, '','') FROM okr.sync_tasks()'),
    '1', 'okr.sync_tasks() by a member of the Sales group runs the feed of its group, not Marketing''s');
SELECT ok((SELECT last_synced_at IS NULL FROM okr.task_feed WHERE id = 2), '... which is left due, not locked');

SELECT is(pg_temp.try_as('okr_fa_mkt', $$UPDATE okr.task_feed SET enabled = false WHERE id = 1$$),
    '42501: permission denied to write task feed 1: it runs as "okr_fa_sales", and role "okr_fa_mkt" has a write grant scoped to teams and is not a member of it',
    'altering a feed that runs as another role: 42501');
SELECT is(pg_temp.try_as('okr_fa_member', $$UPDATE okr.task_feed SET every = '2 hours' WHERE id = 1$$),
    '42501: permission denied to write task feed 1: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_fa_member"',
    'altering a feed with a task outside the writer''s scope: 42501 naming the team');
DELETE FROM okr.task WHERE external_key = 'M-9';
SELECT is(pg_temp.try_as('okr_fa_member', $$UPDATE okr.task_feed SET every = '2 hours' WHERE id = 1$$),
    'ok', 'with every task in scope, a member of its run_as alters it');
SELECT is(pg_temp.try_as('okr_fa_sales', $$DELETE FROM okr.task_feed WHERE id = 2$$),
    '42501: permission denied to write task feed 2: it runs as "okr_fa_mkt", and role "okr_fa_sales" has a write grant scoped to teams and is not a member of it',
    'deleting another role''s feed: 42501');

-- ---------------------------------------------------------------------------
-- Feeds: reading
-- ---------------------------------------------------------------------------
INSERT INTO okr.task_feed (id, source, run_as) OVERRIDING SYSTEM VALUE VALUES (3, 'app.priv_tasks', 'okr_fa_mkt');
SELECT is((SELECT format('%s %s', inserted, rejected) FROM okr.sync_tasks(3)), '1 1', 'a feed into the private project syncs');
SELECT is(pg_temp.get_as('okr_fa_reader', 'SELECT string_agg(id::text, '','' ORDER BY id) FROM okr.task_feed'),
    '1,2', 'a reader of Sales does not see the feed of a private objective ...');
SELECT is(pg_temp.get_as('okr_fa_reader', $$SELECT count(*)::text FROM okr.task_feed_rejection WHERE feed_id = 3 OR external_key LIKE 'X-%'$$),
    '0', '... nor its rejections');
SELECT is(pg_temp.get_as('okr_fa_mkt', 'SELECT string_agg(id::text, '','' ORDER BY id) || '' '' || (SELECT count(*) FROM okr.task_feed_rejection WHERE feed_id = 3) FROM okr.task_feed'),
    '1,2,3 1', 'Marketing sees it and its rejection');

SELECT * FROM finish();
ROLLBACK;
