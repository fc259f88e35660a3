-- Generates a benchmark organisation with okr's own tables.
-- psql variables: levels (3 = S: 111 objectives, 4 = M: 1,111, 5 = L: 11,111).
-- A 10-wide alignment tree; per objective 3 key results (metric up, metric
-- down, projects), 2 projects per key result, 30 tasks per project, and 10
-- check-ins per metric key result.  Objectives, key results and projects go
-- through every trigger; the 2 million tasks and the check-ins are bulk
-- loaded with triggers off (session_replication_role = replica, as a
-- migration would) and okr.refresh_maintained() then derives the maintained
-- columns, exactly as the triggers would have.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SELECT setseed(0.42);

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.team (name) VALUES ('Company');

-- objective (d, j): level d, index j; its id is base(d) + j with
-- base(d) = (10^d - 1) / 9 + 1, and its parent is (d - 1, j / 10).
SELECT format('INSERT INTO okr.objective (cycle_id, team_id, parent_id, title, owner)
  SELECT 1, 1, CASE WHEN %1$s = 0 THEN NULL ELSE ((10 ^ (%1$s - 1))::bigint - 1) / 9 + 1 + j / 10 END,
         ''Objective %1$s.'' || j, ''owner'' || (j %% 97)
    FROM generate_series(0, (10 ^ %1$s)::bigint - 1) j ORDER BY j', d)
  FROM generate_series(0, :levels - 1) d
\gexec

INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, unit)
SELECT o.id, k.title || ' of ' || o.id, k.kind, k.s, k.t, k.unit
  FROM okr.objective o
 CROSS JOIN (VALUES (1, 'Grow revenue', 'metric', 0, 1000, 'k$'),
                    (2, 'Cut churn', 'metric', 10, 2, '%'),
                    (3, 'Deliver the plan', 'projects', NULL, NULL, NULL)) AS k(n, title, kind, s, t, unit)
 ORDER BY o.id, k.n;

INSERT INTO okr.project (key_result_id, name, weight)
SELECT k.id, 'Project ' || n || ' of ' || k.id, n
  FROM okr.key_result k CROSS JOIN generate_series(1, 2) n ORDER BY k.id, n;

SET session_replication_role = replica;
INSERT INTO okr.checkin (key_result_id, value, checked_at, confidence)
SELECT k.id,
       round((k.start_value + (k.target_value - k.start_value) * (n / 12.0 + random() * 0.1))::numeric, 2),
       timestamptz '2026-01-05' + (n - 1) * interval '31 days' + random() * interval '20 days',
       0.5 + random() / 2
  FROM okr.key_result k CROSS JOIN generate_series(1, 10) n
 WHERE k.kind = 'metric';

INSERT INTO okr.task (project_id, title, status, effort, done_at)
SELECT p.id, 'Task ' || n, s.status, 1 + (n % 5),
       CASE WHEN s.status = 'done'
            THEN timestamptz '2026-01-02' + random() * (timestamptz '2026-11-20' - timestamptz '2026-01-02') END
  FROM okr.project p CROSS JOIN generate_series(1, 30) n
 CROSS JOIN LATERAL (SELECT CASE WHEN r < 0.45 THEN 'done' WHEN r < 0.55 THEN 'doing'
                                 WHEN r < 0.93 THEN 'todo' ELSE 'cancelled' END AS status
                       FROM (SELECT random() + 0 * n + 0 * p.id AS r) x) s;
RESET session_replication_role;
SELECT okr.refresh_maintained() AS maintained_rows_derived;
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM okr.objective) AS objectives, (SELECT count(*) FROM okr.key_result) AS key_results,
       (SELECT count(*) FROM okr.project) AS projects, (SELECT count(*) FROM okr.task) AS tasks,
       (SELECT count(*) FROM okr.checkin) AS checkins;
