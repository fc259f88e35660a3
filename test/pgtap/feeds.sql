-- SPEC 6: tasks synced from the user's own tables (okr.task_feed,
-- okr.sync_tasks): external keys, set-based sync, rejections one by one,
-- a second sync that changes nothing, done_at kept.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(23);
SET TimeZone = 'UTC';

CREATE ROLE okr_feed_writer;
CREATE ROLE okr_feed_other;
SELECT okr.grant_write('okr_feed_writer');
CREATE SCHEMA app;
CREATE TABLE app.issues (key text, project text, summary text, state text, points double precision, resolved timestamptz);
-- the view maps the app's statuses to okr's
CREATE VIEW app.okr_tasks AS
SELECT key AS external_key, project AS project_external_key, summary AS title,
       CASE state WHEN 'open' THEN 'todo' WHEN 'in progress' THEN 'doing' WHEN 'closed' THEN 'done' ELSE 'cancelled' END AS status,
       points AS effort, resolved AS done_at
  FROM app.issues;
GRANT USAGE ON SCHEMA app TO okr_feed_writer;
GRANT SELECT ON app.okr_tasks TO okr_feed_writer;

INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'now', current_date - 30, current_date + 30);
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Ship');
INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'delivered', 'projects');
INSERT INTO okr.project (id, key_result_id, name, external_key) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 'Web', 'WEB'), (2, 1, 'App', 'APP'), (3, 1, 'Old', 'OLD');
UPDATE okr.project SET state = 'cancelled' WHERE id = 3;

-- external keys
SELECT throws_ok($$INSERT INTO okr.project (key_result_id, name, external_key) VALUES (1, 'again', 'WEB')$$,
    '23505', NULL, 'project external keys are unique');
INSERT INTO okr.task (project_id, title, external_key) VALUES (1, 'by hand', 'H-1');
SELECT throws_ok($$INSERT INTO okr.task (project_id, title, external_key) VALUES (1, 'by hand again', 'H-1')$$,
    '23505', NULL, 'tasks written by hand are unique among themselves');

-- the feed
SET ROLE okr_feed_writer;
SELECT throws_ok($$INSERT INTO okr.task_feed (source, run_as) VALUES ('app.okr_tasks', 'okr_feed_other')$$,
    '42501', NULL, 'run_as a role the writer is not a member of: 42501');
SELECT throws_ok($$INSERT INTO okr.task_feed (source) VALUES ('app.issues')$$,
    '42501', NULL, 'a source run_as may not read: 42501');
SELECT lives_ok($$INSERT INTO okr.task_feed (id, source) OVERRIDING SYSTEM VALUE VALUES (1, 'app.okr_tasks')$$, 'a writer writes a feed');
RESET ROLE;

INSERT INTO app.issues VALUES
    ('H-1', 'WEB', 'same key as a task by hand', 'open', 2, NULL),
    ('W-2', 'WEB', 'login page', 'in progress', 3, NULL),
    ('W-3', 'WEB', 'shipped', 'closed', 1, now() - interval '2 days'),
    ('A-1', 'APP', 'closed, no date', 'closed', NULL, NULL);
SELECT results_eq($$SELECT inserted, updated, deleted, rejected, error FROM okr.sync_tasks()$$,
    $$VALUES (4::bigint, 0::bigint, 0::bigint, 0::bigint, NULL::text)$$, 'first sync: 4 tasks in, set-based');
SELECT results_eq($$SELECT external_key, project_id, title, status, effort, feed_id FROM okr.task WHERE feed_id IS NOT NULL ORDER BY external_key$$,
    $$VALUES ('A-1'::text, 2::bigint, 'closed, no date'::text, 'done'::text, 1::float8, 1::bigint),
             ('H-1', 1, 'same key as a task by hand', 'todo', 2, 1), ('W-2', 1, 'login page', 'doing', 3, 1),
             ('W-3', 1, 'shipped', 'done', 1, 1)$$,
    'the tasks are the source''s rows; a key is unique per feed, not across hand and feed');
SELECT is((SELECT done_at FROM okr.task WHERE external_key = 'A-1' AND feed_id = 1), now(),
    'a done row without done_at: okr gives it one');
SELECT is((SELECT done_at FROM okr.task WHERE external_key = 'W-3'), now() - interval '2 days', 'a given done_at is kept');
SELECT is((SELECT count(*) FROM okr.sync_tasks()), 0::bigint, 'a synced feed is not due again');
SELECT results_eq($$SELECT inserted, updated, deleted, rejected FROM okr.sync_tasks(1)$$,
    $$VALUES (0::bigint, 0::bigint, 0::bigint, 0::bigint)$$, 'a second sync with nothing changed changes nothing');

-- changes, deletions and rows that break rules
DELETE FROM app.issues WHERE key = 'H-1';
UPDATE app.issues SET state = 'closed', resolved = now() - interval '1 hour' WHERE key = 'W-2';
INSERT INTO app.issues VALUES
    ('W-4', 'NOPE', 'unknown project', 'open', 1, NULL),
    ('W-5', 'OLD', 'under a cancelled project', 'open', 1, NULL),
    ('W-6', 'WEB', 'done tomorrow', 'closed', 1, now() + interval '1 day'),
    ('W-7', 'WEB', 'twice', 'open', 1, NULL), ('W-7', 'WEB', 'twice', 'open', 1, NULL),
    (NULL, 'WEB', 'no key', 'open', 1, NULL),
    ('W-8', 'APP', 'fine', 'open', 5, NULL);
SELECT results_eq($$SELECT inserted, updated, deleted, rejected, error FROM okr.sync_tasks(1)$$,
    $$VALUES (1::bigint, 1::bigint, 1::bigint, 6::bigint, NULL::text)$$,
    'a sync with changes: 1 in, 1 updated, 1 deleted, 6 rejected (both rows of a repeated key), the rest go in');
SELECT results_eq($$SELECT external_key, sqlstate FROM okr.task_feed_rejection WHERE feed_id = 1 ORDER BY external_key NULLS FIRST$$,
    $$VALUES (NULL::text, '23502'::text), ('W-4', '23503'), ('W-5', '23O06'), ('W-6', '23O07'), ('W-7', '23505'), ('W-7', '23505')$$,
    'each rejected row is listed with its key and SQLSTATE');
SELECT matches((SELECT message FROM okr.task_feed_rejection WHERE external_key = 'W-4'), 'no project has external_key NOPE',
    'with a readable message');
SELECT is((SELECT count(*) FROM okr.task WHERE external_key = 'H-1'), 1::bigint, 'the deleted source row is removed from okr (the hand-written H-1 stays)');
SELECT is((SELECT row(status, done_at)::text FROM okr.task WHERE external_key = 'W-2'),
    row('done', now() - interval '1 hour')::text, 'the changed row is updated');
SELECT results_eq($$SELECT inserted, updated, deleted, rejected FROM okr.sync_tasks(1)$$,
    $$VALUES (0::bigint, 0::bigint, 0::bigint, 6::bigint)$$, 'unchanged again: nothing changes, the same rejections');
SELECT is((SELECT count(*) FROM okr.task_feed_rejection), 6::bigint, 'rejections are replaced at each sync, not added');
SELECT is((SELECT effort FROM okr.task WHERE external_key = 'W-8'), 5::float8, 'the row that breaks nothing went in with its effort');

-- a feed that fails as a whole, and the others go on
CREATE TABLE app.bad (external_key text);
GRANT SELECT ON app.bad TO okr_feed_writer;
SET ROLE okr_feed_writer;
INSERT INTO okr.task_feed (id, source) OVERRIDING SYSTEM VALUE VALUES (2, 'app.bad');
RESET ROLE;
UPDATE okr.task_feed SET last_synced_at = NULL;
SELECT results_eq($$SELECT feed_id, error LIKE '42703: %' FROM okr.sync_tasks() ORDER BY 1$$,
    $$VALUES (1::bigint, NULL::boolean), (2, true)$$, 'a source without the columns fails alone (42703)');
SELECT matches((SELECT last_error FROM okr.task_feed WHERE id = 2), 'needs the columns', 'its error is recorded in last_error');
REVOKE SELECT ON app.okr_tasks FROM okr_feed_writer;
SELECT matches((SELECT error FROM okr.sync_tasks(1)), '^42501: ', 'a run_as that lost its privileges fails, recorded');
SELECT is((SELECT count(*) FROM okr.task WHERE feed_id = 1), 4::bigint, 'and nothing of the feed changed');

SELECT * FROM finish();
ROLLBACK;
