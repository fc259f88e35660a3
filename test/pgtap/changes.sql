-- okr.changes (SPEC 8): what changed between two moments, hand-computed.
--
-- One organisation, one story (below): a target changed, a weight changed,
-- an objective re-parented, states changed, check-ins and tasks dated on
-- both ends of the interval and inside it, a back-dated check-in, a late
-- one, a task done and reopened, a key result created and projects deleted
-- in the interval, and items where nothing but expected progress moved.
-- Then known_at, the default moment, time zones, the errors with their
-- SQLSTATEs, and access by team (a private objective of team B).
BEGIN;
CREATE EXTENSION okr;
SELECT plan(55);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

-- History is written at commit; inside this transaction each statement
-- writes its versions at once (IMMEDIATE), and pg_temp.recorded(moment)
-- then dates the versions written since the last call at that moment, so
-- the story below happens on the days it names.
CREATE TEMP TABLE mark AS SELECT 0::bigint AS hid;
CREATE FUNCTION pg_temp.recorded(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task'] LOOP
        EXECUTE format('UPDATE okr.%I SET recorded_at = $1 WHERE hid > (SELECT hid FROM pg_temp.mark)',
                       t || '_history') USING at;
    END LOOP;
    UPDATE pg_temp.mark SET hid = (SELECT last_value FROM okr.history_hid_seq);
END $$;

-- R0 = 2026-11-01: the organisation.  The interval is F = 2026-11-05 00:00
-- to T = 2026-11-12 00:00 (UTC); cycle Q4 has 92 days, so expected is
-- 35/92 = 0.3804 at F and 42/92 = 0.4565 at T.
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.team (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'A'), (2, 'B');
INSERT INTO okr.objective (id, cycle_id, team_id, title, private) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 1, 'Target', false), (2, 1, 1, 'Weights', false), (3, 1, 1, 'Parent A', false),
    (4, 1, 1, 'Parent B', false), (6, 1, 1, 'States', false), (7, 1, 1, 'Closing', false),
    (8, 1, 1, 'Project done', false), (9, 1, 1, 'Checkins', false), (10, 1, 1, 'Back-dated', false),
    (11, 1, 1, 'Late', false), (12, 1, 1, 'Tasks', false), (13, 1, 1, 'Reopened', false),
    (14, 1, 1, 'Created', false), (15, 1, 1, 'Deleted', false), (16, 1, 1, 'Quiet', false),
    (17, 1, 2, 'Secret', true);
INSERT INTO okr.objective (id, cycle_id, team_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (5, 1, 1, 3, 'Child');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (11, 1, 'KR target', 'metric', 0, 10),
    (21, 2, 'KR full', 'metric', 0, 10), (22, 2, 'KR heavier', 'metric', 0, 10),
    (51, 5, 'KR child', 'milestone', 0, 1),
    (61, 6, 'KR cancelled', 'metric', 0, 10),
    (71, 7, 'KR closing', 'milestone', 0, 1),
    (81, 8, 'KR projects', 'projects', NULL, NULL),
    (91, 9, 'KR checkins', 'metric', 0, 10),
    (101, 10, 'KR back-dated', 'metric', 0, 10),
    (111, 11, 'KR late', 'metric', 0, 10),
    (121, 12, 'KR tasks', 'projects', NULL, NULL),
    (131, 13, 'KR reopened', 'projects', NULL, NULL),
    (141, 14, 'KR old', 'milestone', 0, 1),
    (151, 15, 'KR deleted project', 'projects', NULL, NULL),
    (161, 16, 'KR quiet', 'metric', 0, 10),
    (171, 17, 'Secret KR', 'metric', 0, 10), (172, 17, 'Secret projects', 'projects', NULL, NULL);
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES
    (81, 81, 'No tasks'), (121, 121, 'Tasks'), (131, 131, 'Reopened'), (151, 151, 'Gone'),
    (172, 172, 'Secret project');
INSERT INTO okr.task (id, project_id, title, effort, status, done_at) OVERRIDING SYSTEM VALUE VALUES
    (1211, 121, 'done in the week', 1, 'todo', NULL),
    (1212, 121, 'done at F', 1, 'done', '2026-11-05 00:00'),
    (1213, 121, 'done at T', 2, 'todo', NULL),
    (1311, 131, 'done and reopened', 1, 'todo', NULL);
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
    (11, 4, '2026-11-02'), (21, 10, '2026-11-02'), (22, 0, '2026-11-02'), (51, 1, '2026-11-02'),
    (61, 5, '2026-11-02'), (71, 1, '2026-11-02'), (91, 1, '2026-11-05 00:00'), (101, 2, '2026-11-02'),
    (111, 2, '2026-11-02'), (141, 1, '2026-11-02');
SELECT pg_temp.recorded('2026-11-01');

-- F: recorded at the first moment, which the interval leaves out
UPDATE okr.objective SET owner = 'new owner' WHERE id = 16;
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (152, 151, 'Born at F');
SELECT pg_temp.recorded('2026-11-05 00:00');

-- R1 = 11-06: a target, a weight, a parent, states
UPDATE okr.key_result SET target_value = 20 WHERE id IN (11, 171);
UPDATE okr.key_result SET weight = 3 WHERE id = 22;
UPDATE okr.objective SET parent_id = 4 WHERE id = 5;
UPDATE okr.key_result SET state = 'cancelled' WHERE id = 61;
UPDATE okr.objective SET state = 'closed' WHERE id = 7;
UPDATE okr.project SET state = 'done' WHERE id = 81;
SELECT pg_temp.recorded('2026-11-06');

-- R2 = 11-08 06:00: check-ins (one back-dated before F), tasks done, a key
-- result created, two projects deleted
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
    (91, 3, '2026-11-08'), (101, 7, '2026-11-04'), (171, 5, '2026-11-08');
UPDATE okr.task SET status = 'done', done_at = '2026-11-08' WHERE id IN (1211, 1311);
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (142, 14, 'KR new', 'metric', 0, 10);
DELETE FROM okr.project WHERE id IN (151, 172);
SELECT pg_temp.recorded('2026-11-08 06:00');

-- R2b = 11-09: the task done on 11-08 reopened
UPDATE okr.task SET status = 'todo' WHERE id = 1311;
SELECT pg_temp.recorded('2026-11-09');

-- T: recorded at the last moment, which the interval takes in
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (91, 6, '2026-11-12 00:00');
UPDATE okr.task SET status = 'done', done_at = '2026-11-12 00:00' WHERE id = 1213;
UPDATE okr.key_result SET target_value = 20 WHERE id = 142;
UPDATE okr.key_result SET title = 'KR quiet, renamed' WHERE id = 161;
SELECT pg_temp.recorded('2026-11-12 00:00');

-- R5 = 11-20, after the interval: a check-in dated inside it, entered
-- late; the task done on 11-08 reopened (it was done at T all the same)
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (111, 9, '2026-11-10');
UPDATE okr.task SET status = 'todo' WHERE id = 1211;
SELECT pg_temp.recorded('2026-11-20');

-- ---------------------------------------------------------------------------
-- The function
-- ---------------------------------------------------------------------------
SELECT has_function('okr', 'changes', ARRAY['timestamp with time zone', 'timestamp with time zone'],
    'okr.changes(from_ts, to_ts) exists');
SELECT is((SELECT ROW(prosecdef, provolatile, proparallel, proconfig)::text FROM pg_proc
            WHERE oid = 'okr.changes(timestamptz, timestamptz)'::regprocedure),
          '(f,s,r,"{""search_path=pg_catalog, pg_temp"",jit=off}")',
          'it is SECURITY INVOKER (the tables'' row-level security applies), STABLE, PARALLEL RESTRICTED, search_path pinned, no JIT');

CREATE TEMP TABLE ch AS SELECT * FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00');
CREATE FUNCTION pg_temp.row_of(i text, n bigint) RETURNS text LANGUAGE sql AS $$
    SELECT c::text FROM pg_temp.ch c WHERE c.item = i AND c.id = n $$;

-- ---------------------------------------------------------------------------
-- As known now, (F, T]
-- ---------------------------------------------------------------------------
SELECT set_eq($$SELECT item, id FROM ch$$,
    $$VALUES ('objective', 1::bigint), ('objective', 2), ('objective', 3), ('objective', 4), ('objective', 5),
             ('objective', 6), ('objective', 7), ('objective', 8), ('objective', 9), ('objective', 11),
             ('objective', 12), ('objective', 17),
             ('key_result', 11), ('key_result', 22), ('key_result', 61), ('key_result', 71), ('key_result', 81),
             ('key_result', 91), ('key_result', 111), ('key_result', 121), ('key_result', 142),
             ('key_result', 161), ('key_result', 171),
             ('project', 81), ('project', 121), ('project', 151), ('project', 172)$$,
    'exactly the items that moved, got check-ins or tasks, or changed definition: 27 rows, none for the others');
SELECT results_eq($$SELECT item, id FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00')$$,
    $$SELECT item, id FROM ch ORDER BY CASE item WHEN 'objective' THEN 1 WHEN 'key_result' THEN 2 ELSE 3 END, id$$,
    'rows come objectives first, then key results, then projects, each by id');

-- a target changed: 4 of 10 = 0.4 (on track at expected 0.38), 4 of 20 = 0.2 (off track at 0.46)
SELECT is(pg_temp.row_of('key_result', 11), '(key_result,11,"KR target",0.4,0.2,-0.2,on_track,off_track,0,0,{target_value})',
    'a target changed: 0.4 -> 0.2, on_track -> off_track, changed {target_value}');
SELECT is(pg_temp.row_of('objective', 1), '(objective,1,Target,0.4,0.2,-0.2,on_track,off_track,0,0,{})',
    'its objective moves with it; its own definition did not change: {}');
-- a weight changed: KR full 1 (weight 1), KR heavier 0 (weight 1 -> 3): (1 + 0) / 2 -> (1 + 0) / 4
SELECT is(pg_temp.row_of('key_result', 22), '(key_result,22,"KR heavier",0,0,0,off_track,off_track,0,0,{weight})',
    'a weight changed: the key result is listed for its definition alone, progress and status unchanged');
SELECT is(pg_temp.row_of('objective', 2), '(objective,2,Weights,0.5,0.25,-0.25,on_track,off_track,0,0,{})',
    'its objective: (1 + 0) / 2 = 0.5 -> (1*1 + 0*3) / 4 = 0.25');
SELECT is(pg_temp.row_of('key_result', 21), NULL, 'the achieved key result beside it, 1 at both moments, has no row');
-- re-parented: Child (1, achieved) moves from Parent A to Parent B
SELECT is(pg_temp.row_of('objective', 5), '(objective,5,Child,1,1,0,achieved,achieved,0,0,{parent_id})',
    'an objective re-parented: changed {parent_id}, its own figures unchanged');
SELECT is(pg_temp.row_of('objective', 3), '(objective,3,"Parent A",1,,,achieved,not_scored,0,0,{})',
    'its old parent: 1 -> not scored (NULL), delta NULL');
SELECT is(pg_temp.row_of('objective', 4), '(objective,4,"Parent B",,1,,not_scored,achieved,0,0,{})',
    'its new parent: not scored -> 1');
-- states
SELECT is(pg_temp.row_of('key_result', 61), '(key_result,61,"KR cancelled",0.5,0.5,0,on_track,cancelled,0,0,{state})',
    'a key result cancelled: status -> cancelled, changed {state}');
SELECT is(pg_temp.row_of('objective', 6), '(objective,6,States,0.5,,,on_track,not_scored,0,0,{})',
    'its objective, with nothing left to count: not scored');
SELECT is(pg_temp.row_of('objective', 7), '(objective,7,Closing,1,1,0,achieved,closed,0,0,{state})',
    'an objective closed: changed {state}');
SELECT is(pg_temp.row_of('key_result', 71), '(key_result,71,"KR closing",1,1,0,achieved,closed,0,0,{})',
    'its key result reports the objective''s state; its own definition did not change');
SELECT is(pg_temp.row_of('project', 81), '(project,81,"No tasks",0,1,1,off_track,done,0,0,{state})',
    'a project without tasks marked done: 0 -> 1, changed {state}');
SELECT is(pg_temp.row_of('key_result', 81), '(key_result,81,"KR projects",0,1,1,off_track,achieved,0,0,{})',
    'its key result of kind projects follows');
-- check-ins dated at F (left out), on 11-08 and at T (counted)
SELECT is(pg_temp.row_of('key_result', 91), '(key_result,91,"KR checkins",0.1,0.6,0.5,off_track,on_track,2,0,{})',
    'check-ins: the one dated at from_ts is left out, the ones on 11-08 and at to_ts count (2); 1 -> 6 of 10');
SELECT is(pg_temp.row_of('objective', 9), '(objective,9,Checkins,0.1,0.6,0.5,off_track,on_track,0,0,{})',
    'an objective counts no check-ins of its own (0): they are on its key results'' rows');
-- a back-dated check-in entered in the week, dated before F
SELECT is((SELECT count(*) FROM ch WHERE (item, id) IN (('key_result', 101), ('objective', 10))), 0::bigint,
    'a check-in entered in the week but dated before from_ts (7 on 11-04): as known now both sides are 0.7, no row');
SELECT is((SELECT ROW(a.progress, b.progress)::text FROM okr.progress('2026-11-05 00:00', '2026-11-05 00:00') a
             JOIN okr.progress('2026-11-05 00:00') b USING (item, id) WHERE item = 'key_result' AND id = 101),
          '(0.2,0.7)', '(what the dashboard showed at from_ts, 0.2, is okr.progress with known_at => from_ts)');
-- a check-in dated inside the week, entered after it
SELECT is(pg_temp.row_of('key_result', 111), '(key_result,111,"KR late",0.2,0.9,0.7,off_track,on_track,1,0,{})',
    'a check-in dated in the week and entered on 11-20 counts, as known now, by its own time');
-- tasks: done at F (left out), on 11-08 and at T (counted); done and reopened
SELECT is(pg_temp.row_of('project', 121), '(project,121,Tasks,0.25,1,0.75,off_track,achieved,0,2,{})',
    'tasks: the one done at from_ts is left out, the ones done on 11-08 (reopened after to_ts: done at to_ts all the same) and at to_ts count (2); 1 -> 4 of 4 effort');
SELECT is(pg_temp.row_of('key_result', 121), '(key_result,121,"KR tasks",0.25,1,0.75,off_track,achieved,0,0,{})',
    'a key result counts no tasks of its own (0): they are on its projects'' rows');
SELECT is((SELECT count(*) FROM ch WHERE (item, id) IN (('project', 131), ('key_result', 131), ('objective', 13))), 0::bigint,
    'a task done on 11-08 and reopened on 11-09 is not done at to_ts: no row for it, its key result or objective');
-- created and deleted in the interval
SELECT is(pg_temp.row_of('key_result', 142), '(key_result,142,"KR new",,0,,,off_track,0,0,"{created,target_value}")',
    'a key result created in the week: no figures before, changed {created} and what changed since (target_value)');
SELECT is(pg_temp.row_of('objective', 14), NULL,
    'its objective: as known now its first version reaches back, (1 + 0) / 2 at both moments, on track: no row');
SELECT is(pg_temp.row_of('project', 151), '(project,151,Gone,,,,,,0,0,{deleted})',
    'a project deleted in the week: listed with its last title, no figures (as known now it never counted), {deleted}');
SELECT is((SELECT count(*) FROM ch WHERE (item, id) IN (('key_result', 151), ('objective', 15))), 0::bigint,
    '... and above it nothing moved: a deleted row never existed as known now');
-- definitions recorded at F (left out) and at T (counted); expected moving alone
SELECT is(pg_temp.row_of('objective', 16), NULL,
    'an owner changed at from_ts exactly is not in the interval, and expected moving (0.38 -> 0.46, off track at 0) is no change: no row');
SELECT is(pg_temp.row_of('project', 152), NULL,
    'a project created at from_ts exactly was not created in the interval (and 0 at both moments): no row');
SELECT is(pg_temp.row_of('key_result', 161), '(key_result,161,"KR quiet, renamed",0,0,0,off_track,off_track,0,0,{title})',
    'a title changed at to_ts exactly is in the interval, shown as it is at to_ts');
-- the two sides are okr.progress at the two moments
SELECT is((SELECT count(*) FROM ch c
             JOIN okr.progress('2026-11-05 00:00') b ON b.item = c.item AND b.id = c.id
             JOIN okr.progress('2026-11-12 00:00') a ON a.item = c.item AND a.id = c.id
            WHERE NOT 'created' = ANY (c.changed)
              AND (c.progress_before IS DISTINCT FROM b.progress OR c.progress_after IS DISTINCT FROM a.progress
                   OR c.status_before IS DISTINCT FROM b.status OR c.status_after IS DISTINCT FROM a.status
                   OR c.delta IS DISTINCT FROM a.progress - b.progress)), 0::bigint,
    'progress and status before and after are okr.progress at from_ts and to_ts, delta their difference');
SELECT is((SELECT count(*) FROM okr.changes('2026-11-12 00:00', '2026-11-12 00:00')), 0::bigint,
    'from_ts = to_ts: an empty interval, no rows');

-- ---------------------------------------------------------------------------
-- As known at a moment, the default moment, time zones
-- ---------------------------------------------------------------------------
SET okr.known_at = '2026-11-08 12:00';
SELECT set_eq($$SELECT item, id, changed, checkins, tasks_done FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00')
                WHERE item <> 'objective'$$,
    $$VALUES ('key_result', 11::bigint, '{target_value}'::text[], 0::bigint, 0::bigint),
             ('key_result', 22, '{weight}', 0, 0), ('key_result', 61, '{state}', 0, 0), ('key_result', 71, '{}', 0, 0),
             ('key_result', 81, '{}', 0, 0), ('key_result', 91, '{}', 1, 0), ('key_result', 121, '{}', 0, 0),
             ('key_result', 131, '{}', 0, 0), ('key_result', 142, '{created}', 0, 0),
             ('key_result', 171, '{target_value}', 1, 0),
             ('project', 81, '{state}', 0, 0), ('project', 121, '{}', 0, 1), ('project', 131, '{}', 0, 1),
             ('project', 151, '{deleted}', 0, 0), ('project', 172, '{deleted}', 0, 0)$$,
    'as known at 11-08 12:00: only what was recorded by then (not the check-in at T, the task done at T, the late check-in, the re-target of the new key result, the rename)');
SELECT is((SELECT ROW(progress_before, progress_after, tasks_done)::text
             FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00') WHERE item = 'project' AND id = 131),
          '(0,1,1)', 'as known at 11-08 12:00 the task done on 11-08 had not been reopened: it counts, 0 -> 1');
SET okr.known_at = '2026-11-12 00:00';
SELECT is((SELECT count(*) FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00') WHERE item = 'key_result' AND id = 111),
          0::bigint, 'as known at to_ts, the check-in entered later is not there');
RESET okr.known_at;
SET okr.as_of = '2026-11-12 00:00';
SELECT results_eq($$SELECT * FROM okr.changes('2026-11-05 00:00')$$, $$SELECT * FROM ch$$,
    'to_ts defaults to okr.as_of()');
RESET okr.as_of;
SET TimeZone = 'America/New_York';
SELECT results_eq($$SELECT * FROM okr.changes('2026-11-04 19:00', '2026-11-11 19:00')$$, $$SELECT * FROM ch$$,
    'in New York, 19:00 the day before is the same pair of moments: the same rows');
SELECT is((SELECT array_agg(checkins + tasks_done ORDER BY id) FROM okr.changes('2026-11-04 19:00', '2026-11-11 18:59:59')
            WHERE (item, id) IN (('key_result', 91), ('project', 121))),
          ARRAY[1, 1]::bigint[], 'the moments are read in the session time zone: a second before to_ts leaves out what happened at it');
SET TimeZone = 'UTC';
-- to_ts now: that side is today's tables (a version recorded in this
-- transaction, after its start, counts there as the rollup of now counts it)
UPDATE okr.key_result SET weight = 2 WHERE id = 21;
SELECT is((SELECT ROW(progress_before, progress_after, changed)::text FROM okr.changes('2026-11-20')
            WHERE item = 'key_result' AND id = 21),
          '(1,1,{weight})', 'from 11-20 to now: the weight changed just now is in changed');
SELECT is((SELECT count(*) FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00') WHERE item = 'key_result' AND id = 21),
          0::bigint, '... and in no interval that ends before it was recorded');

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM okr.changes('2026-11-12', '2026-11-05')$$, '22023',
    'okr.changes: from_ts 2026-11-12 00:00:00+00 is after to_ts 2026-11-05 00:00:00+00', 'from_ts after to_ts is 22023');
SELECT throws_ok($$SELECT * FROM okr.changes(NULL, '2026-11-05')$$, '22004', NULL, 'a NULL from_ts is 22004');
SELECT throws_ok($$SELECT * FROM okr.changes('2026-11-05', NULL)$$, '22004', NULL, 'a NULL to_ts is 22004');
SELECT throws_ok($$SELECT * FROM okr.changes('-infinity', '2026-11-05')$$, '22023', NULL, 'an infinite from_ts is 22023');
SELECT throws_ok($$SELECT * FROM okr.changes('2026-11-05', 'infinity')$$, '22023', NULL, 'an infinite to_ts is 22023');
SAVEPOINT horizon;
INSERT INTO okr.history_horizon (horizon, reason, as_of_too) VALUES ('2026-11-03', 'a test', true);
SELECT throws_like($$SELECT * FROM okr.changes('2026-11-02', '2026-11-12')$$,
    'okr''s history starts at % (a test): as_of % is before it', 'from_ts before the start of history is the rollup''s 22023');
SET okr.known_at = '2026-11-02';
SELECT throws_ok($$SELECT * FROM okr.changes('2026-11-05', '2026-11-12')$$, '22023', NULL,
    'okr.known_at before the start of history is 22023');
RESET okr.known_at;
ROLLBACK TO SAVEPOINT horizon;

-- ---------------------------------------------------------------------------
-- Access by team (SPEC 9): Secret (team B, private), its key results and
-- its deleted project
-- ---------------------------------------------------------------------------
CREATE ROLE okr_chg_a;      -- reads team A
CREATE ROLE okr_chg_b;      -- reads team B
CREATE ROLE okr_chg_all;    -- reads everything (unscoped)
CREATE ROLE okr_chg_none;   -- no grant
SELECT okr.grant_read('okr_chg_a', 1), okr.grant_read('okr_chg_b', 2), okr.grant_read('okr_chg_all');
-- item:id:title of every row okr.changes(F, T) returns to role r
CREATE FUNCTION pg_temp.rows_as(r text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET ROLE %I', r);
    RETURN QUERY SELECT c.item || ':' || c.id || ':' || c.title
                   FROM okr.changes('2026-11-05 00:00', '2026-11-12 00:00') c;
    RESET ROLE;
END $$;
SELECT set_eq($$SELECT * FROM pg_temp.rows_as('okr_chg_a')$$,
    $$SELECT item || ':' || id || ':' || title FROM ch WHERE (item, id) NOT IN (('objective', 17), ('key_result', 171), ('project', 172), ('project', 151))$$,
    'a reader of team A gets every row but the private objective''s, its key result''s and its deleted project''s, and no deleted row (the history of a row that is gone is read by unscoped readers only)');
SELECT is((SELECT count(*) FROM pg_temp.rows_as('okr_chg_a') r WHERE r LIKE '%Secret%' OR r LIKE '%:17:%' OR r LIKE '%:171:%'),
    0::bigint, '... no title or id of them');
SELECT is((SELECT array_agg(r ORDER BY r) FROM pg_temp.rows_as('okr_chg_b') r WHERE r LIKE '%Secret%'),
    ARRAY['key_result:171:Secret KR', 'objective:17:Secret'],
    'a reader of team B reads its private objective''s rows; the deleted project''s history is read by unscoped readers only');
SELECT set_eq($$SELECT * FROM pg_temp.rows_as('okr_chg_all')$$, $$SELECT item || ':' || id || ':' || title FROM ch$$,
    'an unscoped reader gets every row, the deleted private project too');
SELECT throws_ok($$SELECT * FROM pg_temp.rows_as('okr_chg_none')$$, '42501', NULL,
    'a role without okr.grant_read may not call it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
