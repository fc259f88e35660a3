-- The organisation every fuzz run starts from (test/fuzz/okr_fuzz.pl),
-- loaded by the superuser with ordinary ids 1, 2, 3...: the generated
-- statements mostly name small ids, so they hit these rows.
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES
    ('FY2025', '2025-01-01', '2025-12-31');
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES
    ('2025Q1', '2025-01-01', '2025-03-31', 1), ('2025Q2', '2025-04-01', '2025-06-30', 1),
    ('2025Q3', '2025-07-01', '2025-09-30', 1), ('2025Q4', '2025-10-01', '2025-12-31', 1);
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES
    ('FY2026', '2026-01-01', '2026-12-31'), ('2020s', '2020-01-01', '2029-12-31');
INSERT INTO okr.team (name) VALUES ('Company');
INSERT INTO okr.team (name, parent_id) VALUES ('Sales', 1), ('Engineering', 1), ('EMEA', 2);

INSERT INTO okr.objective (cycle_id, title, kind) VALUES
    (1, 'o1 company 2025', 'committed'), (6, 'o2 company 2026', 'aspirational'), (7, 'o3 decade', 'committed');
INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, kind, weight, rollup) VALUES
    (2, 1, 2, 'o4 sales q1', 'committed', 1, 'both'),
    (3, 1, 2, 'o5 sales q2', 'aspirational', 2, 'key_results'),
    (1, 1, 3, 'o6 eng 2025', 'committed', 0, 'children'),
    (6, 2, 3, 'o7 eng 2026', 'committed', 1, 'both'),
    (6, 3, 4, 'o8 emea 2026', 'aspirational', 3, 'both'),
    (4, 6, 3, 'o9 eng q3', 'committed', 1, 'both'),
    (5, 6, 3, 'o10 eng q4', 'committed', 1, 'both');
INSERT INTO okr.objective (cycle_id, parent_id, title, state) VALUES
    (6, 2, 'o11 draft', 'draft'), (1, 1, 'o12 closed', 'active');

INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES
    (1, 'k1', 'metric', 0, 100), (1, 'k2', 'at_least', NULL, 50), (2, 'k3', 'at_most', NULL, 10),
    (2, 'k4', 'milestone', NULL, NULL), (3, 'k5', 'projects', NULL, NULL), (4, 'k6', 'metric', 100, 0),
    (5, 'k7', 'metric', 0, 1e6), (7, 'k8', 'projects', NULL, NULL), (8, 'k9', 'metric', -5, 5),
    (9, 'k10', 'at_least', NULL, 0), (10, 'k11', 'metric', 0, 10), (12, 'k12', 'milestone', NULL, NULL),
    (11, 'k13', 'metric', 0, 10), (7, 'k14', 'at_most', NULL, 3), (2, 'k15', 'projects', NULL, NULL);

INSERT INTO okr.checkin (key_result_id, value, checked_at, confidence) VALUES
    (1, 10, '2025-02-01 10:00', 0.5), (1, 40, '2025-05-01 10:00', 0.6), (1, 20, '2025-03-01 10:00', NULL),
    (2, 60, '2025-06-01', 1), (3, 12, '2026-02-01', 0.2), (3, 8, '2026-03-01', 0.9),
    (4, 1, '2026-04-01', NULL), (6, 50, '2025-02-15', NULL), (7, 250000, '2025-05-05', NULL),
    (9, 0, '2026-01-10', NULL), (9, 5, '2026-01-10', NULL), (10, 1, '2025-08-01', NULL),
    (11, 3, '2025-11-11', NULL), (12, 0, '2025-06-06', NULL), (14, 2, '2026-06-06', NULL);

INSERT INTO okr.project (key_result_id, name, weight, state) VALUES
    (5, 'p1', 1, 'active'), (5, 'p2', 2, 'planned'), (8, 'p3', 1, 'active'), (8, 'p4', 0, 'done'),
    (15, 'p5', 1, 'active'), (1, 'p6', 1, 'active'), (11, 'p7', 1, 'active'), (14, 'p8', 1, 'active');

INSERT INTO okr.task (project_id, title, status, effort, done_at) VALUES
    (1, 't1', 'done', 3, '2026-02-01'), (1, 't2', 'todo', 2, NULL), (1, 't3', 'doing', 1, NULL),
    (2, 't4', 'done', 5, '2026-05-01'), (2, 't5', 'cancelled', 8, NULL), (3, 't6', 'done', 1, '2026-03-03'),
    (3, 't7', 'done', 0.5, '2026-03-04'), (3, 't8', 'todo', 13, NULL), (5, 't9', 'todo', 1, NULL),
    (5, 't10', 'done', 1e-3, '2026-01-05'), (6, 't11', 'done', 2, '2025-04-04'), (6, 't12', 'todo', 2, NULL),
    (7, 't13', 'done', 1, '2025-10-10'), (7, 't14', 'doing', 1, NULL), (8, 't15', 'todo', 1, NULL);

UPDATE okr.objective SET state = 'closed' WHERE id = 12;
UPDATE okr.project SET state = 'cancelled' WHERE id = 8;
