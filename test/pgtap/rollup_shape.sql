-- SPEC 3 and 4: okr.progress and okr.objective_progress on extreme shapes
-- (a chain of 1,000 aligned objectives, 10,000 children under one root) and
-- on bad input (NULL, unknown objective, infinite moments).
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = warning;
SELECT plan(38);

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('FY2026', '2026-01-01', '2026-12-31');

-- (Width comes first: the triggers' cached plan for the rule-1 walk is
-- made at the first aligned insert; made on a 1,000-row table it scans the
-- whole table at each step, and the 10,000 inserts then take ~6 s instead
-- of ~0.3 s.)
-- ===================================================================
-- Width: 10,000 children under one root, one key result each
-- ===================================================================
-- child i has a metric key result 0 -> 100 at value i mod 101, so
-- progress (i mod 101) / 100; the root's progress is their plain mean.
INSERT INTO okr.objective (cycle_id, title)
SELECT id, 'wide root' FROM okr.cycle WHERE name = 'FY2026';
INSERT INTO okr.objective (cycle_id, parent_id, title)
SELECT r.cycle_id, r.id, 'wide ' || g FROM okr.objective r, generate_series(1, 10000) g
 WHERE r.title = 'wide root' ORDER BY g;
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT o.id, 'wide KR ' || substr(o.title, 6), 'metric', 0, 100
  FROM okr.objective o JOIN okr.objective r ON r.id = o.parent_id
 WHERE r.title = 'wide root' ORDER BY o.id;
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, substr(k.title, 8)::int % 101, '2026-03-01 12:00+00'
  FROM okr.key_result k WHERE k.title LIKE 'wide KR %' ORDER BY k.id;

CREATE TEMP TABLE wide_expected AS
SELECT avg((g % 101) / 100.0)::float8 AS mean FROM generate_series(1, 10000) g;

SELECT is((SELECT count(*) FROM okr.progress('2026-07-01 00:00+00') p
            WHERE p.item = 'objective' AND p.parent_id = (SELECT id FROM okr.objective WHERE title = 'wide root')),
          10000::bigint, 'wide: okr.progress returns the 10,000 children of the root');
SELECT is((SELECT progress FROM okr.progress('2026-07-01 00:00+00') p
            WHERE p.item = 'objective' AND p.id = (SELECT id FROM okr.objective WHERE title = 'wide 4242')),
          0.0::float8, 'wide: child 4242 (4242 mod 101 = 0) has progress 0');

SELECT ok(abs(p.progress - e.mean) < 1e-9,
          format('wide: okr.progress of the root is the mean of its 10,000 children (%s, want %s)', p.progress, e.mean))
  FROM okr.progress('2026-07-01 00:00+00') p, wide_expected e
 WHERE p.item = 'objective' AND p.id = (SELECT id FROM okr.objective WHERE title = 'wide root');
SELECT ok(abs(okr.objective_progress(o.id, '2026-07-01 00:00+00') - e.mean) < 1e-9,
          format('wide: okr.objective_progress of the root is the mean of its 10,000 children (%s, want %s)',
                 okr.objective_progress(o.id, '2026-07-01 00:00+00'), e.mean))
  FROM okr.objective o, wide_expected e WHERE o.title = 'wide root';
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'wide 50'), '2026-07-01 00:00+00'), 0.5::float8,
    'wide: okr.objective_progress of child 50 is 0.5');

-- ===================================================================
-- Depth: a chain of 1,000 objectives, each aligned to the previous one
-- ===================================================================
INSERT INTO okr.objective (cycle_id, title)
SELECT c.id, 'chain ' || g FROM okr.cycle c, generate_series(1, 1000) g WHERE c.name = 'FY2026' ORDER BY g;
-- Linked one statement per link, from the bottom up: each new parent is
-- still a root when linked, so the rule-1 walk is one step.  (One UPDATE of
-- all 999 links is O(n^2): the AFTER ROW checks run once the statement is
-- done and each walks the whole chain; that took ~30 s.)
DO $$
DECLARE
    ids bigint[] := ARRAY(SELECT id FROM okr.objective WHERE title LIKE 'chain %' ORDER BY substr(title, 7)::int);
BEGIN
    FOR k IN REVERSE 1000 .. 2 LOOP
        UPDATE okr.objective SET parent_id = ids[k - 1] WHERE id = ids[k];
    END LOOP;
END
$$;

-- the leaf's only item: a metric key result, 73 of 200 on 2026-06-01 -> 0.365;
-- and a project with 1 of 4 units of effort done -> activity 0.25
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT id, 'chain leaf KR', 'metric', 0, 200 FROM okr.objective WHERE title = 'chain 1000';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT id, 73, '2026-06-01 10:00+00' FROM okr.key_result WHERE title = 'chain leaf KR';
INSERT INTO okr.project (key_result_id, name)
SELECT id, 'chain leaf project' FROM okr.key_result WHERE title = 'chain leaf KR';
INSERT INTO okr.task (project_id, title, status, effort, done_at)
SELECT p.id, 'chain task ' || g, CASE WHEN g = 1 THEN 'done' ELSE 'todo' END, 1,
       CASE WHEN g = 1 THEN timestamptz '2026-05-01 00:00+00' END
  FROM okr.project p, generate_series(1, 4) g WHERE p.name = 'chain leaf project';

CREATE TEMP TABLE chain AS
WITH RECURSIVE down AS (
    SELECT o.id, 0 AS depth FROM okr.objective o WHERE o.title = 'chain 1'
    UNION ALL
    SELECT o.id, down.depth + 1 FROM okr.objective o JOIN down ON o.parent_id = down.id)
SELECT * FROM down;

SELECT is((SELECT max(depth) FROM chain), 999, 'chain: setup, 1,000 objectives in one line (depth 999)');

CREATE TEMP TABLE chain_progress AS
WITH p AS MATERIALIZED (SELECT * FROM okr.progress('2026-07-01 00:00+00'))
SELECT p.* FROM p JOIN chain c ON p.item = 'objective' AND p.id = c.id
UNION ALL
SELECT p.* FROM p JOIN okr.objective o ON p.item = 'key_result' AND p.parent_id = o.id AND o.title = 'chain 1000';

SELECT is((SELECT count(*) FROM chain_progress WHERE item = 'objective'), 1000::bigint,
    'chain: okr.progress returns the 1,000 objectives');
SELECT is((SELECT progress FROM chain_progress WHERE item = 'key_result'), 0.365::float8,
    'chain: leaf key result progress is 73/200 = 0.365');
SELECT is((SELECT progress FROM chain_progress WHERE item = 'objective' AND id = (SELECT id FROM okr.objective WHERE title = 'chain 1')),
          (SELECT progress FROM chain_progress WHERE item = 'key_result'),
    'chain: okr.progress of the root equals the leaf key result''s progress');
SELECT is((SELECT count(*) FROM chain_progress WHERE item = 'objective' AND progress IS DISTINCT FROM 0.365::float8), 0::bigint,
    'chain: every one of the 1,000 levels has progress 0.365');
SELECT is((SELECT count(*) FROM chain_progress WHERE item = 'objective' AND activity IS DISTINCT FROM 0.25::float8), 0::bigint,
    'chain: every level has activity 0.25 (1 of 4 units of effort done, 999 levels below the root)');
-- expected at 2026-07-01 is 181/365 = 0.496; 0.365/0.496 = 0.736 -> at_risk
SELECT is((SELECT array_agg(DISTINCT status) FROM chain_progress WHERE item = 'objective'), ARRAY['at_risk'],
    'chain: every level is at_risk (0.365 against 181/365 expected)');
SELECT is((SELECT count(*) FROM chain_progress c JOIN okr.objective o ON o.id = c.id
            WHERE c.item = 'objective' AND c.parent_id IS DISTINCT FROM o.parent_id), 0::bigint,
    'chain: parent_id of each level is the objective it aligns to');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 1'), '2026-07-01 00:00+00'), 0.365::float8,
    'chain: okr.objective_progress of the root is 0.365');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 500'), '2026-07-01 00:00+00'), 0.365::float8,
    'chain: okr.objective_progress of level 500 is 0.365');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 1000'), '2026-07-01 00:00+00'), 0.365::float8,
    'chain: okr.objective_progress of the leaf is 0.365');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 1'), '2026-05-31 23:59:59.999999+00'), 0::float8,
    'chain: okr.objective_progress of the root is 0 one microsecond before the check-in');

-- ===================================================================
-- Bad input
-- ===================================================================
SELECT is((SELECT count(*) FROM okr.progress(NULL)), 0::bigint, 'okr.progress(NULL) returns no rows');
SELECT ok(okr.objective_progress(NULL) IS NULL, 'okr.objective_progress(NULL) is NULL');
SELECT ok(okr.objective_progress(NULL, '2026-07-01 00:00+00') IS NULL, 'okr.objective_progress(NULL, T) is NULL');
SELECT ok(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 1'), NULL) IS NULL,
    'okr.objective_progress(id, NULL) is NULL');
SELECT throws_ok('SELECT okr.objective_progress(-1)', 'P0002', NULL,
    'okr.objective_progress(-1) raises P0002');
SELECT throws_ok(format('SELECT okr.objective_progress(%s, %L)', (SELECT max(id) + 1 FROM okr.objective), '2026-07-01'),
    'P0002', NULL, 'okr.objective_progress(an id just past the last one) raises P0002');

-- Infinite moments.  A few items that are not active, in their own tree:
-- a draft objective, a cancelled key result with a check-in, a done project
-- without tasks, a planned one, a closed objective.
INSERT INTO okr.objective (cycle_id, title, state)
SELECT id, 'misc root', 'active' FROM okr.cycle WHERE name = 'FY2026';
INSERT INTO okr.objective (cycle_id, parent_id, title, state)
SELECT r.cycle_id, r.id, 'misc ' || s, 'active' FROM okr.objective r, unnest(ARRAY['draft', 'closed']) s
 WHERE r.title = 'misc root';
INSERT INTO okr.key_result (objective_id, title, kind, target_value)
SELECT o.id, 'misc KR ' || o.title, 'at_least', 10 FROM okr.objective o WHERE o.title LIKE 'misc %';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, 12, '2026-02-01 00:00+00' FROM okr.key_result k WHERE k.title LIKE 'misc KR %';
INSERT INTO okr.project (key_result_id, name, state)
SELECT k.id, 'misc project ' || s, s FROM okr.key_result k, unnest(ARRAY['done', 'planned', 'active']) s
 WHERE k.title = 'misc KR misc root';
UPDATE okr.key_result SET state = 'cancelled' WHERE title = 'misc KR misc draft';
UPDATE okr.objective SET state = 'draft' WHERE title = 'misc draft';
UPDATE okr.objective SET state = 'closed' WHERE title = 'misc closed';

-- the state each item reports when it is not active (SPEC 3, changed in
-- 1.1): its own, then a cancelled key result's, then its objective's
CREATE TEMP TABLE item_state AS
SELECT 'objective'::text AS item, id, state FROM okr.objective
UNION ALL SELECT 'key_result', k.id, CASE WHEN k.state <> 'active' THEN k.state ELSE o.state END
  FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id
UNION ALL SELECT 'project', p.id, CASE WHEN p.state <> 'active' THEN p.state
                                       WHEN k.state = 'cancelled' THEN 'cancelled' ELSE o.state END
  FROM okr.project p JOIN okr.key_result k ON k.id = p.key_result_id JOIN okr.objective o ON o.id = k.objective_id;

CREATE TEMP TABLE at_minus_inf AS SELECT * FROM okr.progress('-infinity');
CREATE TEMP TABLE at_plus_inf AS SELECT * FROM okr.progress('infinity');

SELECT is((SELECT count(*) FROM at_minus_inf), (SELECT count(*) FROM item_state),
    'okr.progress(-infinity) returns every item');
SELECT is((SELECT count(*) FROM at_minus_inf WHERE expected IS DISTINCT FROM 0::float8), 0::bigint,
    'okr.progress(-infinity): expected is 0 for every item');
SELECT is((SELECT count(*) FROM at_minus_inf p JOIN item_state s USING (item, id)
            WHERE p.status IS DISTINCT FROM CASE WHEN s.state = 'active' THEN 'not_started' ELSE s.state END), 0::bigint,
    'okr.progress(-infinity): active items are not_started, the others (and their parts) report their state');
SELECT is((SELECT count(*) FROM at_plus_inf), (SELECT count(*) FROM item_state),
    'okr.progress(infinity) returns every item');
SELECT is((SELECT count(*) FROM at_plus_inf WHERE expected IS DISTINCT FROM 1::float8), 0::bigint,
    'okr.progress(infinity): expected is 1 for every item');
SELECT is((SELECT array_agg(DISTINCT p.status ORDER BY p.status) FROM at_plus_inf p JOIN okr.objective o ON o.id = p.id
            WHERE p.item = 'objective' AND o.title LIKE 'misc %'),
          ARRAY['achieved', 'closed', 'draft'],
    'okr.progress(infinity): misc root achieved (its KR 12 >= 10 and its closed child''s KR too), draft and closed children report their state');
SELECT is((SELECT row(progress, activity, status)::text FROM at_minus_inf
            WHERE item = 'objective' AND id = (SELECT id FROM okr.objective WHERE title = 'chain 1')),
          row(0::float8, 0::float8, 'not_started')::text,
    'okr.progress(-infinity): chain root has progress 0 (no value yet), activity 0 (nothing done), not_started');
SELECT is((SELECT row(progress, activity, status)::text FROM at_plus_inf
            WHERE item = 'objective' AND id = (SELECT id FROM okr.objective WHERE title = 'chain 1')),
          row(0.365::float8, 0.25::float8, 'off_track')::text,
    'okr.progress(infinity): chain root has progress 0.365, activity 0.25, off_track (expected 1)');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 1'), '-infinity'), 0::float8,
    'okr.objective_progress(chain root, -infinity) is 0');
SELECT is(okr.objective_progress((SELECT id FROM okr.objective WHERE title = 'chain 1'), 'infinity'), 0.365::float8,
    'okr.objective_progress(chain root, infinity) is 0.365');

-- okr.objective_progress runs a rollup: declared costly, the planner tests
-- a cheap filter of the same row first instead of calling it for the rows
-- that filter drops (with COST 1 this calls it on a key result's id, a day
-- before anything existed: "objective ... did not exist")
SELECT cmp_ok((SELECT procost FROM pg_proc WHERE oid = 'okr.objective_progress(bigint, timestamptz, timestamptz)'::regprocedure),
    '>=', 1000::real, 'okr.objective_progress is declared as costly as a rollup');
SELECT lives_ok($$
    SELECT v.id FROM (VALUES ('key_result', 999999::bigint, now() - interval '1 day'), ('objective', 1, now())) v(item, id, t)
     WHERE okr.objective_progress(v.id, v.t) IS NULL AND lower(v.item) || '' = 'objective'$$,
    'a cheap filter is tested before okr.objective_progress');

-- Rows out of id order (written in reverse, or updated since, they sit
-- elsewhere in the heap) are put in order before linking: by placing each
-- by its id when the ids are dense (rollup.c's sort_by_id), by qsort when
-- they are sparse.  A parent m + 10 (m: the largest objective id so far)
-- gets children m + 3, m + 2, m + 1 written in that order, each with a
-- metric 0 -> 10 at 3, 2 and 1.  Summed in id order, 0.1 + 0.2 + 0.3 is
-- 0.6000000000000001 in double precision and the mean 0.20000000000000004;
-- in the order written it would be 0.6 and 0.2, so the figure shows the order.
SELECT max(id) AS m FROM okr.objective \gset
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE
SELECT :m + 10, id, 'order dense' FROM okr.cycle WHERE name = 'FY2026';
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
SELECT :m + c, (SELECT id FROM okr.cycle WHERE name = 'FY2026'), :m + 10, 'order ' || c
  FROM unnest(ARRAY[3, 2, 1]) WITH ORDINALITY u(c, n) ORDER BY n;
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT :m + c, 'order KR ' || c, 'metric', 0, 10 FROM unnest(ARRAY[3, 2, 1]) WITH ORDINALITY u(c, n) ORDER BY n;
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, substr(k.title, 10)::int, '2026-03-01' FROM okr.key_result k WHERE k.title LIKE 'order KR %';
SELECT is((SELECT progress FROM okr.progress() WHERE item = 'objective' AND id = :m + 10), 0.20000000000000004::float8,
    'children written in reverse id order are summed in id order: (0.1 + 0.2 + 0.3) / 3 = 0.20000000000000004');
SELECT is(okr.objective_progress(:m + 10), 0.20000000000000004::float8, 'the same for its subtree');
-- then a sparse id: child 9000000 (at 6) of the parent, written first, and
-- m + 4 (at 4): (0.1 + 0.2 + 0.3 + 0.4 + 0.6) / 5
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
SELECT c, (SELECT id FROM okr.cycle WHERE name = 'FY2026'), :m + 10, 'order ' || c
  FROM unnest(ARRAY[9000000, :m + 4]) WITH ORDINALITY u(c, n) ORDER BY n;
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT c, 'sparse KR', 'metric', 0, 10 FROM unnest(ARRAY[9000000, :m + 4]) c;
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT k.id, CASE WHEN k.objective_id = 9000000 THEN 6 ELSE 4 END, '2026-03-01'
  FROM okr.key_result k WHERE k.title = 'sparse KR';
SELECT is((SELECT progress FROM okr.progress() WHERE item = 'objective' AND id = :m + 10),
    (((0.1::float8 + 0.2::float8) + 0.3::float8) + 0.4::float8 + 0.6::float8) / 5,
    'with a sparse id too (qsort), in id order');

SELECT * FROM finish();
ROLLBACK;
