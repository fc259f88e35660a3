-- SPEC 2, rule 7: a task becoming done gets done_at = now() unless one is
-- given; a task leaving done loses its done_at; a non-done task never keeps a
-- done_at; done_at is never in the future (SQLSTATE 23O07).
-- now() is the transaction's start time, constant inside this file.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(44);
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'FY2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Ship');
INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'delivered', 'projects');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Project');

-- ===================================================================
-- INSERT
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title, status) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'done now', 'done')$$,
    'INSERT of a done task without done_at is accepted');
SELECT is((SELECT done_at FROM okr.task WHERE id = 1), now(),
    'INSERT done without done_at: done_at = now()');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE
      VALUES (2, 1, 'done in January', 'done', '2026-01-15 10:00+00')$$,
    'INSERT of a done task with a past done_at is accepted');
SELECT is((SELECT done_at FROM okr.task WHERE id = 2), '2026-01-15 10:00+00'::timestamptz,
    'INSERT done with a past done_at: the given done_at is kept');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE VALUES
      (3, 1, 'todo with done_at', 'todo', '2026-01-15 10:00+00'),
      (4, 1, 'doing with done_at', 'doing', '2026-01-15 10:00+00'),
      (5, 1, 'cancelled with done_at', 'cancelled', '2026-01-15 10:00+00')$$,
    'INSERT of todo/doing/cancelled tasks written with a done_at is accepted');
SELECT results_eq(
    $$SELECT id, done_at FROM okr.task WHERE id IN (3, 4, 5) ORDER BY id$$,
    $$VALUES (3::bigint, NULL::timestamptz), (4, NULL), (5, NULL)$$,
    'INSERT of non-done tasks: done_at is NULL');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE VALUES (6, 1, 'done exactly now', 'done', now())$$,
    'INSERT of a done task with done_at = now() is accepted (not in the future)');
SELECT is((SELECT done_at FROM okr.task WHERE id = 6), now(), 'done_at = now() is kept');

SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE
      VALUES (1010, 1, 'done tomorrow', 'done', now() + interval '1 hour')$$,
    '23O07', NULL, 'INSERT of a done task with done_at in an hour -> 23O07');
SELECT throws_matching(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE
      VALUES (1010, 1, 'done tomorrow', 'done', now() + interval '1 hour')$$,
    '^done_at of new task "done tomorrow" ', 'the message names the new task by its title');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE
      VALUES (1011, 1, 'done at infinity', 'done', 'infinity')$$,
    '23O07', NULL, 'INSERT of a done task with done_at = infinity -> 23O07');
SELECT throws_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE
      VALUES (1012, 1, 'ok', 'done', '2026-01-15 10:00+00'), (1013, 1, 'future', 'done', now() + interval '1 day')$$,
    '23O07', NULL, 'one INSERT of a valid done task and one done in the future -> 23O07');
SELECT is((SELECT count(*)::int FROM okr.task WHERE id > 1000), 0,
    'no row of the rejected INSERTs remains');

-- ===================================================================
-- UPDATE: becoming done
-- ===================================================================
INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (7, 1, 'todo 7'), (8, 1, 'todo 8'), (9, 1, 'todo 9'), (10, 1, 'todo 10');
SELECT lives_ok($$UPDATE okr.task SET status = 'done' WHERE id = 7$$, 'UPDATE todo -> done');
SELECT is((SELECT done_at FROM okr.task WHERE id = 7), now(), 'UPDATE todo -> done: done_at = now()');
SELECT lives_ok(
    $$UPDATE okr.task SET status = 'done', done_at = '2026-02-01 09:00+00' WHERE id = 8$$,
    'UPDATE todo -> done with a past done_at');
SELECT is((SELECT done_at FROM okr.task WHERE id = 8), '2026-02-01 09:00+00'::timestamptz,
    'UPDATE todo -> done with a past done_at: it is kept');
SELECT lives_ok($$UPDATE okr.task SET status = 'done' WHERE id IN (9, 10)$$, 'one UPDATE of two tasks todo -> done');
SELECT results_eq(
    $$SELECT id, done_at FROM okr.task WHERE id IN (9, 10) ORDER BY id$$,
    $$SELECT x, now() FROM (VALUES (9::bigint), (10)) v(x)$$,
    'multi-row UPDATE -> done: both get done_at = now()');

-- ===================================================================
-- UPDATE: staying done
-- ===================================================================
SELECT lives_ok($$UPDATE okr.task SET title = 'done in Feb, renamed' WHERE id = 8$$, 'renaming a done task');
SELECT is((SELECT done_at FROM okr.task WHERE id = 8), '2026-02-01 09:00+00'::timestamptz,
    'renaming a done task keeps its done_at');
SELECT lives_ok($$UPDATE okr.task SET status = 'done' WHERE id = 8$$, 'writing status done again on a done task');
SELECT is((SELECT done_at FROM okr.task WHERE id = 8), '2026-02-01 09:00+00'::timestamptz,
    'writing status done again keeps its done_at');
SELECT lives_ok($$UPDATE okr.task SET done_at = NULL WHERE id = 8$$, 'UPDATE of a done task setting done_at NULL');
SELECT is((SELECT done_at FROM okr.task WHERE id = 8), now(),
    'a done task whose done_at is set NULL gets now() again');
SELECT lives_ok($$UPDATE okr.task SET done_at = '2026-03-01 08:00+00' WHERE id = 8$$, 'UPDATE of a done task to another past done_at');
SELECT is((SELECT done_at FROM okr.task WHERE id = 8), '2026-03-01 08:00+00'::timestamptz,
    'a done task takes another past done_at');

-- ===================================================================
-- UPDATE: done_at in the future
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.task SET done_at = now() + interval '1 hour' WHERE id = 8$$,
    '23O07', NULL, 'UPDATE of a done task to done_at in an hour -> 23O07');
SELECT throws_ok(
    $$UPDATE okr.task SET status = 'done', done_at = now() + interval '1 hour' WHERE id = 3$$,
    '23O07', NULL, 'UPDATE todo -> done with done_at in an hour -> 23O07');
SELECT results_eq(
    $$SELECT id, status, done_at FROM okr.task WHERE id IN (3, 8) ORDER BY id$$,
    $$VALUES (3::bigint, 'todo'::text, NULL::timestamptz), (8, 'done', '2026-03-01 08:00+00')$$,
    'nothing changed by the rejected UPDATEs');

-- ===================================================================
-- UPDATE: leaving done
-- ===================================================================
SELECT lives_ok($$UPDATE okr.task SET status = 'todo' WHERE id = 2$$, 'UPDATE done -> todo');
SELECT lives_ok($$UPDATE okr.task SET status = 'doing' WHERE id = 1$$, 'UPDATE done -> doing');
SELECT lives_ok($$UPDATE okr.task SET status = 'cancelled' WHERE id = 7$$, 'UPDATE done -> cancelled');
SELECT lives_ok(
    $$UPDATE okr.task SET status = 'todo', done_at = done_at WHERE id = 6$$,
    'UPDATE done -> todo writing the old done_at back (ORM style)');
SELECT results_eq(
    $$SELECT id, status, done_at FROM okr.task WHERE id IN (1, 2, 6, 7) ORDER BY id$$,
    $$VALUES (1::bigint, 'doing'::text, NULL::timestamptz), (2, 'todo', NULL), (6, 'todo', NULL), (7, 'cancelled', NULL)$$,
    'tasks leaving done lose their done_at');

-- ===================================================================
-- UPDATE: a non-done task written with a done_at
-- ===================================================================
SELECT lives_ok(
    $$UPDATE okr.task SET done_at = '2026-01-15 10:00+00' WHERE id = 3$$,
    'UPDATE of a todo task setting a done_at');
SELECT is((SELECT done_at FROM okr.task WHERE id = 3), NULL::timestamptz,
    'a todo task written with a done_at keeps done_at NULL');

-- ===================================================================
-- more client styles
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title, status, done_at) OVERRIDING SYSTEM VALUE VALUES
      (11, 1, 'done, explicit NULL', 'done', NULL), (12, 1, 'todo, stale done_at', 'todo', '2026-01-15 10:00+00'),
      (13, 1, 'done, given', 'done', '2026-01-20 10:00+00')$$,
    'one INSERT of done (done_at NULL), todo (with a done_at) and done (with a past done_at) tasks');
SELECT results_eq(
    $$SELECT id, done_at FROM okr.task WHERE id IN (11, 12, 13) ORDER BY id$$,
    $$VALUES (11::bigint, now()), (12, NULL), (13, '2026-01-20 10:00+00'::timestamptz)$$,
    'multi-row INSERT: now(), NULL and the given done_at');
SELECT lives_ok(
    $$INSERT INTO okr.task (id, project_id, title) OVERRIDING SYSTEM VALUE VALUES (12, 1, 'x')
      ON CONFLICT (id) DO UPDATE SET status = 'done'$$,
    'INSERT ... ON CONFLICT DO UPDATE marking task 12 done');
SELECT is((SELECT done_at FROM okr.task WHERE id = 12), now(), 'the upserted done task gets done_at = now()');
SELECT throws_ok(
    $$MERGE INTO okr.task t USING (VALUES (13::bigint)) AS v(id) ON t.id = v.id
      WHEN MATCHED THEN UPDATE SET done_at = now() + interval '1 day'$$,
    '23O07', NULL, 'MERGE moving done_at a day into the future -> 23O07');
SELECT is((SELECT done_at FROM okr.task WHERE id = 13), '2026-01-20 10:00+00'::timestamptz, 'done_at unchanged by the rejected MERGE');
SELECT is_empty(
    $$SELECT id FROM okr.task WHERE (status = 'done') <> (done_at IS NOT NULL) OR done_at > now()$$,
    'every done task has a done_at, no other task has one, and none is in the future');

SELECT * FROM finish();
ROLLBACK;
