-- Task effort at a past moment (SPEC 3 and 7): a project's done effort at T
-- is its maintained sum less the tasks done after T, summed as the
-- maintained sum is (exactly, in numeric), so that it equals the effort of
-- the tasks done by T to the last bit, whatever their efforts: integers
-- (summed in int64 by rollup.c), fractions, mixed scales, and an effort too
-- large for the integer path.
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'P', 'projects');
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'integers'), (1, 'fractions'), (1, 'mixed'), (1, 'huge');
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES
  (1, 'a', 1, 'done', '2026-11-01'), (1, 'b', 2, 'done', '2026-11-10'), (1, 'c', 4, 'todo', NULL),
  (2, 'a', 0.1, 'done', '2026-11-01'), (2, 'b', 0.2, 'done', '2026-11-10'), (2, 'c', 3, 'done', '2026-11-10'),
  (3, 'a', 0.5, 'done', '2026-11-01'), (3, 'b', 2, 'done', '2026-11-10'), (3, 'c', 1.5, 'todo', NULL),
  (4, 'a', 1, 'done', '2026-11-01'), (4, 'b', 1e15, 'done', '2026-11-10');
-- At 2026-11-05 (the tasks done on 11-10 not yet done):
--   integers  1 of 7 = 0.14285714285714285
--   fractions 0.1 of 3.3 = 0.030303030303030307
--   mixed     0.5 of 4 = 0.125
--   huge      1 of 1e15 + 1 = 9.99999999999999e-16
-- and now: 3/7, 3.3/3.3 = 1, 2.5/4 = 0.625, 1
SELECT id, activity FROM okr.progress('2026-11-05') WHERE item = 'project' ORDER BY id;
SELECT id, activity FROM okr.progress() WHERE item = 'project' ORDER BY id;
-- equal, bit for bit, to the exact sums of the tasks done by then
WITH t(label, at) AS (VALUES ('10-31', timestamptz '2026-10-31'), ('11-01', '2026-11-01'),
                             ('11-05', '2026-11-05'), ('11-10', '2026-11-10'), ('now', now())),
ref AS (
  SELECT t.label, t.at, x.project_id,
         (sum(x.effort::numeric) FILTER (WHERE x.status = 'done' AND x.done_at <= t.at))::float8
       / (sum(x.effort::numeric) FILTER (WHERE x.status <> 'cancelled'))::float8 AS activity
    FROM t CROSS JOIN okr.task x GROUP BY t.label, t.at, x.project_id)
SELECT ref.label, count(*) AS projects,
       count(*) FILTER (WHERE p.activity IS NOT DISTINCT FROM COALESCE(ref.activity, 0)) AS equal
  FROM ref JOIN LATERAL okr.progress(ref.at) p ON p.item = 'project' AND p.id = ref.project_id
 GROUP BY ref.label ORDER BY ref.label;
