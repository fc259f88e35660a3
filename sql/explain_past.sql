-- okr.explain (SPEC 8) of the past as it was (SPEC 7), hand-computed: the
-- derivation as of T, as known now and as known at K, with the check-in of
-- then; every figure okr.progress()'s for the same moment.  Each statement
-- commits (history is written at commit); k1 is taken between them.
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES (1, 'K', 'metric', 0, 10);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'P', 'projects');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'Gone', 'milestone');
INSERT INTO okr.project (key_result_id, name) VALUES (2, 'proj');
INSERT INTO okr.task (project_id, title, effort) VALUES (1, 't1', 1), (1, 't2', 3);
INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (1, 5, '2026-11-01', 'ann');
INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (3, 1, '2026-11-01', 'ann');
UPDATE okr.task SET status = 'done', done_at = '2026-11-02' WHERE id = 1;
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k1 \gset
SELECT pg_sleep(0.01);
-- then: K re-targeted to 20, P weighted 3, a back-dated check-in of 8 by
-- bob, the first check-in deleted as a mistake, a second project whose task
-- was done on 11-10, and the key result Gone deleted
UPDATE okr.key_result SET target_value = 20 WHERE id = 1;
UPDATE okr.key_result SET weight = 3 WHERE id = 2;
INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (1, 8, '2026-11-01 12:00', 'bob');
DELETE FROM okr.checkin WHERE id = 1;
INSERT INTO okr.project (key_result_id, name) VALUES (2, 'proj2');
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES (2, 't3', 1, 'done', '2026-11-10');
DELETE FROM okr.checkin WHERE key_result_id = 3;
DELETE FROM okr.key_result WHERE id = 3;

CREATE FUNCTION pg_temp.explained(as_of timestamptz, known_at timestamptz DEFAULT NULL)
RETURNS TABLE (depth int, item text, id bigint, title text, weight float8, share numeric, progress numeric,
               contribution numeric, reason text, value numeric, checkin_id bigint, checkin_at timestamptz,
               checkin_by text, effort text)
LANGUAGE sql AS $$
    SELECT e.depth, e.item, e.id, e.title, e.weight, round(e.share::numeric, 6), round(e.progress::numeric, 6),
           round(e.contribution::numeric, 6), e.reason, e.value, e.checkin_id, e.checkin_at, e.checkin_by,
           e.effort_done || '/' || e.effort_total
      FROM okr.explain(1, as_of, known_at) e
$$;
-- The rows of okr.explain whose progress, status or parent differ from okr.progress's
CREATE FUNCTION pg_temp.differing(as_of timestamptz, known_at timestamptz DEFAULT NULL)
RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM okr.explain(1, as_of, known_at) e
      LEFT JOIN okr.progress(as_of, known_at) p ON p.item = e.item AND p.id = e.id
     WHERE p.id IS NULL OR p.progress IS DISTINCT FROM e.progress OR p.status IS DISTINCT FROM e.status
        OR p.parent_id IS DISTINCT FROM e.parent_id
$$;

-- Now: K 8 of 20 = 0.4 (check-in 3 by bob); P (weight 3) from proj (1 of
-- 4 done) and proj2 (1 of 1): (0.25 + 1) / 2 = 0.625; O (0.4 + 3 x 0.625) / 4
SELECT * FROM pg_temp.explained(now());
SELECT pg_temp.differing(now()) AS differing;
-- As of 2026-11-15 as known now: the first versions reach back (target
-- 10, P weighted 1, proj2 existed), the deleted check-in never was: K 8 of
-- 10 = 0.8 from bob's check-in; P 0.625; O (0.8 + 0.625) / 2 = 0.7125;
-- Gone, deleted, never was
SELECT * FROM pg_temp.explained('2026-11-15');
SELECT pg_temp.differing('2026-11-15') AS differing;
-- As of 2026-11-15 as known at k1 (what a dashboard showed then): target
-- 10, ann's check-in of 5: 0.5; P weighted 1, proj only: 0.25; Gone at 1,
-- its title from the history; O (0.5 + 0.25 + 1) / 3
SELECT * FROM pg_temp.explained('2026-11-15', :'k1');
SELECT pg_temp.differing('2026-11-15', :'k1') AS differing;
-- As of 11-01 06:00 as known at k1, and as known now: ann's check-in then,
-- bob's (dated 12:00) not yet, so K has no value as known now
SELECT item, id, round(progress::numeric, 6) AS progress, value, checkin_id, checkin_by
  FROM okr.explain(1, '2026-11-01 06:00', :'k1') WHERE item = 'key_result' AND id = 1;
SELECT item, id, round(progress::numeric, 6) AS progress, value, checkin_id, checkin_by
  FROM okr.explain(1, '2026-11-01 06:00') WHERE item = 'key_result' AND id = 1;
-- as known before anything was recorded, the objective did not exist
SELECT count(*) FROM okr.explain(1, '2026-11-15', '2026-01-01');
-- a pinned session (SPEC 8): as_of and known_at left out are okr.as_of()
-- and okr.known_at()
SELECT set_config('okr.as_of', '2026-11-15 00:00:00+00', false) IS NOT NULL AS pinned,
       set_config('okr.known_at', :'k1', false) IS NOT NULL AS known;
SELECT item, id, round(progress::numeric, 6) AS progress, checkin_id FROM okr.explain(1) WHERE item <> 'project';
RESET okr.as_of;
RESET okr.known_at;
-- leave a fresh extension for the tests that follow
DROP EXTENSION okr;
CREATE EXTENSION okr;
