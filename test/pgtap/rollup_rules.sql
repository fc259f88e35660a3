-- SPEC 3 "How progress is computed", checked against HAND-COMPUTED values.
--
-- Small organisations are built by hand with fixed ids; every expected figure
-- below is a literal, with the arithmetic that produced it in a comment.
-- Nothing here is computed by a second implementation of the rules.
--
-- Calendar used throughout (TimeZone UTC unless a test says otherwise):
--   cycle 1 "C100": 2026-03-01 .. 2026-06-08 (inclusive) = exactly 100 days,
--     so it runs from 2026-03-01 00:00 to 2026-06-09 00:00 and
--     expected = (days since Mar 1) / 100:
--       2026-03-11 00:00 -> 10/100 = 0.1
--       2026-04-20 00:00 -> (31 March days + 19) / 100 = 50/100 = 0.5
--       2026-05-20 00:00 -> (31 + 30 + 19) / 100 = 80/100 = 0.8
--   cycle 2 "June": 2026-06-01 .. 2026-06-30, ends (UTC) at
--     2026-06-30 23:59:59.999999 (okr.cycle_end).
--
-- Sections:
--   A  the five key-result kinds                     (objective 1)
--   B  value of a key result as of T                 (objective 2)
--   C  project progress from task effort             (objective 3)
--   D  objective progress: weights, rollup modes, states, NULL, nesting
--                                                    (objectives 10..)
--   E  activity and outcome gap                      (objectives 20, 21)
--   F  expected progress and status, GUCs            (objective 30 and others)
--   G  time zones                                    (objective 30, 40)
--   H  score and grade                               (objectives 40..43)
--   I  okr.objective_progress(id, T) = okr.progress row, every objective
BEGIN;
CREATE EXTENSION okr;
SELECT plan(174);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

-- ---------------------------------------------------------------------
-- Helpers: one figure of one row of okr.progress(T); a float comparison
-- with a tolerance that prints both numbers when it fails.
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.prog(i text, n bigint, t timestamptz) RETURNS double precision
LANGUAGE sql AS $$ SELECT p.progress FROM okr.progress(t) p WHERE p.item = i AND p.id = n $$;
CREATE FUNCTION pg_temp.act(i text, n bigint, t timestamptz) RETURNS double precision
LANGUAGE sql AS $$ SELECT p.activity FROM okr.progress(t) p WHERE p.item = i AND p.id = n $$;
CREATE FUNCTION pg_temp.expd(i text, n bigint, t timestamptz) RETURNS double precision
LANGUAGE sql AS $$ SELECT p.expected FROM okr.progress(t) p WHERE p.item = i AND p.id = n $$;
CREATE FUNCTION pg_temp.stat(i text, n bigint, t timestamptz) RETURNS text
LANGUAGE sql AS $$ SELECT p.status FROM okr.progress(t) p WHERE p.item = i AND p.id = n $$;

CREATE FUNCTION pg_temp.is_near(got double precision, want double precision, descr text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF got IS NOT NULL AND abs(got - want) < 1e-12 THEN
        RETURN ok(true, descr);
    END IF;
    RETURN ok(false, descr) || E'\n' ||
           diag('        got: ' || coalesce(got::text, 'NULL') || E'\n   expected: ' || want::text);
END $$;

-- ---------------------------------------------------------------------
-- The organisation
-- ---------------------------------------------------------------------
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES
    (1, 'C100', '2026-03-01', '2026-06-08'),
    (2, 'June', '2026-06-01', '2026-06-30');

-- A: one key result per case, all check-ins on 2026-03-10 12:00.
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'A: kinds');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (101, 1, 'metric up',               'metric',    0,  1000),
    (102, 1, 'metric down',             'metric',   50,    10),
    (103, 1, 'metric up, beyond',       'metric',    0,   100),
    (104, 1, 'metric up, below start',  'metric',    0,   100),
    (105, 1, 'metric, no check-in',     'metric',    0,   100),
    (106, 1, 'metric down, beyond',     'metric',   50,    10),
    (107, 1, 'at_least at target',      'at_least', NULL, 100),
    (108, 1, 'at_least above target',   'at_least', NULL, 100),
    (109, 1, 'at_least below target',   'at_least', NULL, 100),
    (110, 1, 'at_least, no check-in',   'at_least', NULL, 100),
    (111, 1, 'at_most at target',       'at_most',  NULL,  20),
    (112, 1, 'at_most above target',    'at_most',  NULL,  20),
    (113, 1, 'at_most below target',    'at_most',  NULL,  20),
    (114, 1, 'at_most, no check-in',    'at_most',  NULL,  20),
    (115, 1, 'milestone 0',             'milestone', NULL, NULL),
    (116, 1, 'milestone 1',             'milestone', NULL, NULL),
    (117, 1, 'milestone, no check-in',  'milestone', NULL, NULL),
    (118, 1, 'projects',                'projects',  NULL, NULL),
    (119, 1, 'projects, none',          'projects',  NULL, NULL),
    (120, 1, 'projects, only cancelled','projects',  NULL, NULL);
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (1011, 101, 700, '2026-03-10 12:00+00'),
    (1021, 102,  40, '2026-03-10 12:00+00'),
    (1031, 103, 150, '2026-03-10 12:00+00'),
    (1041, 104, -20, '2026-03-10 12:00+00'),
    (1061, 106,   5, '2026-03-10 12:00+00'),
    (1071, 107, 100, '2026-03-10 12:00+00'),
    (1081, 108, 101, '2026-03-10 12:00+00'),
    (1091, 109,  99, '2026-03-10 12:00+00'),
    (1111, 111,  20, '2026-03-10 12:00+00'),
    (1121, 112,  21, '2026-03-10 12:00+00'),
    (1131, 113,  19, '2026-03-10 12:00+00'),
    (1151, 115,   0, '2026-03-10 12:00+00'),
    (1161, 116,   1, '2026-03-10 12:00+00');
-- KR 118: P1181 (w 1) 1 of 2 effort done = 0.5; P1182 (w 3) 1 of 4 = 0.25;
-- P1183 (w 10) all done = 1 but cancelled below; P1184 (w 0) all done = 1.
INSERT INTO okr.project (id, key_result_id, name, weight) OVERRIDING SYSTEM VALUE VALUES
    (1181, 118, 'half done',          1),
    (1182, 118, 'quarter done',       3),
    (1183, 118, 'done then cancelled', 10),
    (1184, 118, 'done, weight 0',     0),
    (1201, 120, 'done then cancelled', 1);
INSERT INTO okr.task (id, project_id, title, effort, status, done_at) OVERRIDING SYSTEM VALUE VALUES
    (11811, 1181, 't', 1, 'done', '2026-03-05 12:00+00'),
    (11812, 1181, 't', 1, 'todo', NULL),
    (11821, 1182, 't', 1, 'done', '2026-03-05 12:00+00'),
    (11822, 1182, 't', 3, 'todo', NULL),
    (11831, 1183, 't', 1, 'done', '2026-03-05 12:00+00'),
    (11841, 1184, 't', 1, 'done', '2026-03-05 12:00+00'),
    (12011, 1201, 't', 1, 'done', '2026-03-05 12:00+00');
UPDATE okr.project SET state = 'cancelled' WHERE id IN (1183, 1201);

-- B: one metric 0 -> 100 with a history, inserted out of order.
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (2, 1, 'B: value as of T');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (201, 2, 'history', 'metric', 0, 100);
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (2010, 201, 10, '2026-03-10 12:00+00'),
    (2020, 201, 40, '2026-04-10 12:00+00'),
    (2030, 201, 80, '2026-05-10 12:00+00');
-- back-dated: newest id, older moment
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (2040, 201, 25, '2026-03-20 12:00+00');
-- same checked_at as 2020: 2050 (higher id) must win over 2020 and 2005,
-- although 2005 is inserted last
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (2050, 201, 55, '2026-04-10 12:00+00');
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (2005, 201, 99, '2026-04-10 12:00+00');

-- C: project progress from task effort, under one 'projects' key result.
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (3, 1, 'C: projects');
INSERT INTO okr.key_result (id, objective_id, title, kind) OVERRIDING SYSTEM VALUE VALUES
    (301, 3, 'ship it', 'projects');
INSERT INTO okr.project (id, key_result_id, name, weight, state) OVERRIDING SYSTEM VALUE VALUES
    (3011, 301, 'tasks',                     2, 'active'),
    (3012, 301, 'no tasks, done',            1, 'done'),
    (3013, 301, 'no tasks, active',          1, 'active'),
    (3014, 301, 'no tasks, planned',         1, 'planned'),
    (3015, 301, 'only cancelled tasks, done',   1, 'done'),
    (3016, 301, 'only cancelled tasks, active', 1, 'active');
-- P3011: non-cancelled effort 2 + 3 + 4 + 1 = 10; done 2 on Mar 5, 3 on Apr 10.
INSERT INTO okr.task (id, project_id, title, effort, status, done_at) OVERRIDING SYSTEM VALUE VALUES
    (30111, 3011, 'early',     2, 'done',      '2026-03-05 12:00+00'),
    (30112, 3011, 'later',     3, 'done',      '2026-04-10 12:00+00'),
    (30113, 3011, 'open',      4, 'todo',      NULL),
    (30114, 3011, 'busy',      1, 'doing',     NULL),
    (30115, 3011, 'dropped',   7, 'cancelled', NULL),
    (30151, 3015, 'dropped',   2, 'cancelled', NULL),
    (30161, 3016, 'dropped',   1, 'cancelled', NULL);

-- D: an objective tree, check-ins on 2026-03-10 12:00 and 2026-05-01 00:00.
--
--   O10 both, w1   KR1001 metric 0->100 (60, later 80) w1
--                  KR1002 milestone 1 w0
--                  KR1003 milestone 1 w5, cancelled
--   +- O11 key_results, w2   KR1101 metric 0->10 (3) w1
--   |                        KR1102 metric 0->10 (9, later 10) w2
--   |  +- O111 w1            KR1111 milestone 1          (ignored by O11)
--   +- O12 children, w1      KR1201 milestone 1          (ignored by O12)
--   |  +- O121 both, w1      KR1211 metric 0->4 (1, later 2)
--   |  |  +- O1211 w1        KR12111 metric 0->100 (50)
--   |  +- O122 w3 closed     KR1221 metric 0->10 (5)
--   |  +- O123 w1 draft      KR1231 milestone 1
--   |  +- O124 w1 cancelled  KR1241 milestone 1
--   |  +- O125 w1            nothing at all -> NULL
--   |  +- O126 w0            KR1261 milestone 1
--   +- O13 w1 draft          KR1301 milestone 1
--   +- O14 w1                KR1401 milestone 1, cancelled -> NULL
--   +- O15 w1                KR1501 milestone 1 w0 -> NULL
--   +- O16 children, w1      KR1601 milestone 1, no children -> NULL
INSERT INTO okr.objective (id, cycle_id, parent_id, title, weight, rollup, state) OVERRIDING SYSTEM VALUE VALUES
    (10,   1, NULL, 'O10',   1, 'both',        'active'),
    (11,   1, 10,   'O11',   2, 'key_results', 'active'),
    (111,  1, 11,   'O111',  1, 'both',        'active'),
    (12,   1, 10,   'O12',   1, 'children',    'active'),
    (121,  1, 12,   'O121',  1, 'both',        'active'),
    (1211, 1, 121,  'O1211', 1, 'both',        'active'),
    (122,  1, 12,   'O122',  3, 'both',        'active'),
    (123,  1, 12,   'O123',  1, 'both',        'draft'),
    (124,  1, 12,   'O124',  1, 'both',        'active'),
    (125,  1, 12,   'O125',  1, 'both',        'active'),
    (126,  1, 12,   'O126',  0, 'both',        'active'),
    (13,   1, 10,   'O13',   1, 'both',        'draft'),
    (14,   1, 10,   'O14',   1, 'both',        'active'),
    (15,   1, 10,   'O15',   1, 'both',        'active'),
    (16,   1, 10,   'O16',   1, 'children',    'active');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value, weight) OVERRIDING SYSTEM VALUE VALUES
    (1001,  10,   'kr', 'metric',    0, 100, 1),
    (1002,  10,   'kr', 'milestone', NULL, NULL, 0),
    (1003,  10,   'kr', 'milestone', NULL, NULL, 5),
    (1101,  11,   'kr', 'metric',    0,  10, 1),
    (1102,  11,   'kr', 'metric',    0,  10, 2),
    (1111,  111,  'kr', 'milestone', NULL, NULL, 1),
    (1201,  12,   'kr', 'milestone', NULL, NULL, 1),
    (1211,  121,  'kr', 'metric',    0,   4, 1),
    (12111, 1211, 'kr', 'metric',    0, 100, 1),
    (1221,  122,  'kr', 'metric',    0,  10, 1),
    (1231,  123,  'kr', 'milestone', NULL, NULL, 1),
    (1241,  124,  'kr', 'milestone', NULL, NULL, 1),
    (1261,  126,  'kr', 'milestone', NULL, NULL, 1),
    (1301,  13,   'kr', 'milestone', NULL, NULL, 1),
    (1401,  14,   'kr', 'milestone', NULL, NULL, 1),
    (1501,  15,   'kr', 'milestone', NULL, NULL, 0),
    (1601,  16,   'kr', 'milestone', NULL, NULL, 1);
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (10011,  1001,  60, '2026-03-10 12:00+00'),
    (10012,  1001,  80, '2026-05-01 00:00+00'),
    (10021,  1002,   1, '2026-03-10 12:00+00'),
    (10031,  1003,   1, '2026-03-10 12:00+00'),
    (11011,  1101,   3, '2026-03-10 12:00+00'),
    (11021,  1102,   9, '2026-03-10 12:00+00'),
    (11022,  1102,  10, '2026-05-01 00:00+00'),
    (11111,  1111,   1, '2026-03-10 12:00+00'),
    (12011,  1201,   1, '2026-03-10 12:00+00'),
    (12111,  1211,   1, '2026-03-10 12:00+00'),
    (12112,  1211,   2, '2026-05-01 00:00+00'),
    (121111, 12111, 50, '2026-03-10 12:00+00'),
    (12211,  1221,   5, '2026-03-10 12:00+00'),
    (12311,  1231,   1, '2026-03-10 12:00+00'),
    (12411,  1241,   1, '2026-03-10 12:00+00'),
    (12611,  1261,   1, '2026-03-10 12:00+00'),
    (13011,  1301,   1, '2026-03-10 12:00+00'),
    (14011,  1401,   1, '2026-03-10 12:00+00'),
    (15011,  1501,   1, '2026-03-10 12:00+00'),
    (16011,  1601,   1, '2026-03-10 12:00+00');
-- states last: nothing may be added under them afterwards
UPDATE okr.key_result SET state = 'cancelled' WHERE id IN (1003, 1401);
UPDATE okr.objective SET state = 'closed' WHERE id = 122;
UPDATE okr.objective SET state = 'cancelled' WHERE id = 124;

-- E: a busy team that does not move its results.
--   O20   KR2001 metric 0->100 (10 on Mar 10)
--           P20011: 3 done (Mar 5), 1 todo, 2 cancelled
--           P20012: 4 done (Mar 6)
--         KR2002 at_least 5, no check-in, no projects
--   +- O21  KR2101 milestone, no check-in
--             P21011: 2 done (Mar 7), 6 todo
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES
    (20, 1, NULL, 'E: busy'),
    (21, 1, 20,   'E: busy child');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (2001, 20, 'revenue',  'metric',    0,    100),
    (2002, 20, 'NPS',      'at_least',  NULL, 5),
    (2101, 21, 'launch',   'milestone', NULL, NULL);
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (20011, 2001, 10, '2026-03-10 12:00+00');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES
    (20011, 2001, 'p'), (20012, 2001, 'p'), (21011, 2101, 'p');
INSERT INTO okr.task (id, project_id, title, effort, status, done_at) OVERRIDING SYSTEM VALUE VALUES
    (200111, 20011, 't', 3, 'done',      '2026-03-05 12:00+00'),
    (200112, 20011, 't', 1, 'todo',      NULL),
    (200113, 20011, 't', 2, 'cancelled', NULL),
    (200121, 20012, 't', 4, 'done',      '2026-03-06 12:00+00'),
    (210111, 21011, 't', 2, 'done',      '2026-03-07 12:00+00'),
    (210112, 21011, 't', 6, 'todo',      NULL);

-- F: statuses.  Metric 0 -> 100 key results, check-ins on 2026-03-02 00:00.
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (30, 1, 'F: status');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (3001, 30, '45', 'metric', 0, 100),
    (3002, 30, '40', 'metric', 0, 100),
    (3003, 30, '35', 'metric', 0, 100),
    (3004, 30, '30', 'metric', 0, 100),
    (3005, 30, '100', 'metric', 0, 100),
    (3006, 30, 'cancelled', 'metric', 0, 100);
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (30011, 3001,  45, '2026-03-02 00:00+00'),
    (30021, 3002,  40, '2026-03-02 00:00+00'),
    (30031, 3003,  35, '2026-03-02 00:00+00'),
    (30041, 3004,  30, '2026-03-02 00:00+00'),
    (30051, 3005, 100, '2026-03-02 00:00+00'),
    (30061, 3006,  90, '2026-03-02 00:00+00');
UPDATE okr.key_result SET state = 'cancelled' WHERE id = 3006;

-- H: score and grade, cycle 2 (June).
--   O40 committed     KR4001 projects: P40011 tasks 1 done Jun 10,
--                       1 done at the last microsecond of Jun 30,
--                       2 done Jul 1 00:00 (after the cycle)
--   O41 aspirational  KR4101 metric 0->10 (7 on Jun 15)
--   O42 committed     KR4201 metric 0->10 (8 on Jun 15)
--   O43 committed     nothing -> score NULL
INSERT INTO okr.objective (id, cycle_id, title, kind) OVERRIDING SYSTEM VALUE VALUES
    (40, 2, 'H: committed, late work', 'committed'),
    (41, 2, 'H: aspirational 0.7',     'aspirational'),
    (42, 2, 'H: committed 0.8',        'committed'),
    (43, 2, 'H: nothing',              'committed');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (4001, 40, 'ship', 'projects', NULL, NULL),
    (4101, 41, 'm',    'metric',   0,    10),
    (4201, 42, 'm',    'metric',   0,    10);
INSERT INTO okr.checkin (id, key_result_id, value, checked_at) OVERRIDING SYSTEM VALUE VALUES
    (41011, 4101, 7, '2026-06-15 12:00+00'),
    (42011, 4201, 8, '2026-06-15 12:00+00');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (40011, 4001, 'p');
INSERT INTO okr.task (id, project_id, title, effort, status, done_at) OVERRIDING SYSTEM VALUE VALUES
    (400111, 40011, 'in June',         1, 'done', '2026-06-10 12:00+00'),
    (400112, 40011, 'last microsecond',1, 'done', '2026-06-30 23:59:59.999999+00'),
    (400113, 40011, 'after the cycle', 2, 'done', '2026-07-01 00:00:00+00');


-- =====================================================================
-- A. The five key-result kinds, through okr.progress('2026-05-01')
-- =====================================================================
SELECT pg_temp.is_near(pg_temp.prog('key_result', 101, '2026-05-01 00:00+00'), 0.7,
    'A metric increase: (700 - 0) / (1000 - 0) = 0.7');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 102, '2026-05-01 00:00+00'), 0.25,
    'A metric decrease: (40 - 50) / (10 - 50) = -10 / -40 = 0.25');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 103, '2026-05-01 00:00+00'), 1,
    'A metric beyond target: 150 / 100 = 1.5, clamped to 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 104, '2026-05-01 00:00+00'), 0,
    'A metric below start: -20 / 100 = -0.2, clamped to 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 105, '2026-05-01 00:00+00'), 0,
    'A metric with no check-in: 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 106, '2026-05-01 00:00+00'), 1,
    'A metric decrease beyond target: (5 - 50) / (10 - 50) = 1.125, clamped to 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 107, '2026-05-01 00:00+00'), 1, 'A at_least 100, value 100 (at): 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 108, '2026-05-01 00:00+00'), 1, 'A at_least 100, value 101 (above): 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 109, '2026-05-01 00:00+00'), 0, 'A at_least 100, value 99 (below): 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 110, '2026-05-01 00:00+00'), 0, 'A at_least, no check-in: 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 111, '2026-05-01 00:00+00'), 1, 'A at_most 20, value 20 (at): 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 112, '2026-05-01 00:00+00'), 0, 'A at_most 20, value 21 (above): 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 113, '2026-05-01 00:00+00'), 1, 'A at_most 20, value 19 (below): 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 114, '2026-05-01 00:00+00'), 0, 'A at_most, no check-in: 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 115, '2026-05-01 00:00+00'), 0, 'A milestone value 0: 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 116, '2026-05-01 00:00+00'), 1, 'A milestone value 1: 1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 117, '2026-05-01 00:00+00'), 0, 'A milestone, no check-in: 0');
SELECT pg_temp.is_near(pg_temp.prog('project', 1181, '2026-05-01 00:00+00'), 0.5,  'A project 1181: 1 of 2 effort done = 0.5');
SELECT pg_temp.is_near(pg_temp.prog('project', 1182, '2026-05-01 00:00+00'), 0.25, 'A project 1182: 1 of 1+3 effort done = 0.25');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 118, '2026-05-01 00:00+00'), 0.3125,
    'A projects: (1*0.5 + 3*0.25) / (1 + 3) = 1.25 / 4 = 0.3125 (cancelled P1183 and weight-0 P1184, both at 1, left out)');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 119, '2026-05-01 00:00+00'), 0,
    'A projects with no project: 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 120, '2026-05-01 00:00+00'), 0,
    'A projects whose only project (all done) is cancelled: 0');
SELECT is(pg_temp.stat('project', 1183, '2026-05-01 00:00+00'), 'cancelled', 'A a cancelled project reports status cancelled');
-- objective 1 = mean of its 20 key results, all weight 1:
-- 0.7 + 0.25 + 1 + 0 + 0 + 1 + 1 + 1 + 0 + 0 + 1 + 0 + 1 + 0 + 0 + 1 + 0 + 0.3125 + 0 + 0
--   = 0.95 + 7 * 1 + 0.3125 = 8.2625; / 20 = 0.413125
SELECT pg_temp.is_near(pg_temp.prog('objective', 1, '2026-05-01 00:00+00'), 0.413125,
    'A objective 1: (0.7+0.25+1+0+0+1+1+1+0+0+1+0+1+0+0+1+0+0.3125+0+0) / 20 = 8.2625 / 20 = 0.413125');

-- =====================================================================
-- B. Value of a key result as of T (metric 0 -> 100, so progress = value/100)
--    2010: Mar 10 12:00 = 10     2040: Mar 20 12:00 = 25 (back-dated)
--    2005, 2020, 2050: Apr 10 12:00 = 99, 40, 55 (2050 has the highest id)
--    2030: May 10 12:00 = 80
-- =====================================================================
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-03-10 11:59:59.999999+00'), 0,
    'B one microsecond before the first check-in: no value, 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-03-10 12:00+00'), 0.1,
    'B at the first check-in''s checked_at (<= T): 10 / 100 = 0.1');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-03-15 00:00+00'), 0.1,
    'B Mar 15: latest is 2010 = 10 -> 0.1 (check-ins after T ignored)');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-03-25 00:00+00'), 0.25,
    'B Mar 25: the back-dated 2040 (Mar 20) counts after its checked_at: 25 / 100 = 0.25');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-04-10 12:00+00'), 0.55,
    'B Apr 10 12:00: three check-ins at that instant, highest id 2050 wins: 55 / 100 = 0.55');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-04-20 00:00+00'), 0.55,
    'B Apr 20: still 2050 = 55 -> 0.55');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 201, '2026-05-15 00:00+00'), 0.8,
    'B May 15: 2030 = 80 -> 0.8');
SELECT is((SELECT current_value FROM okr.key_result WHERE id = 201), 80::numeric,
    'B the back-dated and same-instant check-ins did not change current_value (80, from May 10)');
SELECT pg_temp.is_near(pg_temp.prog('objective', 2, '2026-03-25 00:00+00'), 0.25,
    'B objective 2 follows its only key result as of T: 0.25 on Mar 25');

-- =====================================================================
-- C. Project progress from task effort
--    P3011 (w 2): effort done 2 (Mar 5) + 3 (Apr 10) of 2+3+4+1 = 10
--    (the cancelled task of effort 7 is excluded)
-- =====================================================================
SELECT pg_temp.is_near(pg_temp.prog('project', 3011, '2026-03-01 00:00+00'), 0,
    'C Mar 1: nothing done yet: 0 / 10 = 0');
SELECT pg_temp.is_near(pg_temp.prog('project', 3011, '2026-04-01 00:00+00'), 0.2,
    'C Apr 1: 2 / 10 = 0.2 (the task done Apr 10 is not counted yet)');
SELECT pg_temp.is_near(pg_temp.prog('project', 3011, '2026-04-10 12:00+00'), 0.5,
    'C Apr 10 12:00 (done_at <= T): (2 + 3) / 10 = 0.5');
SELECT pg_temp.is_near(pg_temp.prog('project', 3011, '2026-04-20 00:00+00'), 0.5,
    'C Apr 20: (2 + 3) / 10 = 0.5, cancelled effort 7 left out of the total');
SELECT pg_temp.is_near(pg_temp.prog('project', 3012, '2026-04-20 00:00+00'), 1,
    'C no tasks, state done: 1');
SELECT pg_temp.is_near(pg_temp.prog('project', 3013, '2026-04-20 00:00+00'), 0,
    'C no tasks, state active: 0');
SELECT pg_temp.is_near(pg_temp.prog('project', 3014, '2026-04-20 00:00+00'), 0,
    'C no tasks, state planned: 0');
SELECT pg_temp.is_near(pg_temp.prog('project', 3015, '2026-04-20 00:00+00'), 1,
    'C only cancelled tasks, state done: like no tasks, 1');
SELECT pg_temp.is_near(pg_temp.prog('project', 3016, '2026-04-20 00:00+00'), 0,
    'C only cancelled tasks, state active: like no tasks, 0');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 301, '2026-04-20 00:00+00'), 0.42857142857142855,
    'C projects KR Apr 20: (2*0.5 + 1*1 + 1*0 + 1*0 + 1*1 + 1*0) / 7 = 3 / 7');
SELECT pg_temp.is_near(pg_temp.prog('key_result', 301, '2026-04-01 00:00+00'), 0.34285714285714286,
    'C projects KR Apr 1: (2*0.2 + 1 + 0 + 0 + 1 + 0) / 7 = 2.4 / 7');
SELECT pg_temp.is_near(pg_temp.prog('objective', 3, '2026-04-20 00:00+00'), 0.42857142857142855,
    'C objective 3 = its only key result: 3 / 7');

-- =====================================================================
-- D. Objective progress (as of 2026-04-20, expected 0.5)
--   O11 (key_results)  = (1*0.3 + 2*0.9) / 3 = 2.1 / 3 = 0.7   (O111 at 1 ignored)
--   O1211              = 50 / 100 = 0.5
--   O121 (both)        = (1*0.25 [KR1211 1/4] + 1*0.5 [O1211]) / 2 = 0.375
--   O122 (closed)      = 5 / 10 = 0.5
--   O12 (children)     = (1*0.375 [O121] + 3*0.5 [O122]) / (1 + 3) = 1.875 / 4 = 0.46875
--                        (KR1201 at 1 ignored; O123 draft, O124 cancelled,
--                         O126 weight 0, O125 NULL: all left out)
--   O10 (both)         = (1*0.6 [KR1001] + 2*0.7 [O11] + 1*0.46875 [O12]) / (1 + 2 + 1)
--                      = 2.46875 / 4 = 0.6171875
--                        (KR1002 w0 and KR1003 cancelled, both at 1, left out;
--                         O13 draft at 1 left out; O14, O15, O16 NULL left out)
-- =====================================================================
SELECT pg_temp.is_near(pg_temp.prog('objective', 11, '2026-04-20 00:00+00'), 0.7,
    'D rollup key_results: (1*0.3 + 2*0.9) / 3 = 0.7, the achieved child O111 ignored');
SELECT pg_temp.is_near(pg_temp.prog('objective', 111, '2026-04-20 00:00+00'), 1,
    'D O111 milestone reached: 1');
SELECT pg_temp.is_near(pg_temp.prog('objective', 1211, '2026-04-20 00:00+00'), 0.5,
    'D level 4 O1211: 50 / 100 = 0.5');
SELECT pg_temp.is_near(pg_temp.prog('objective', 121, '2026-04-20 00:00+00'), 0.375,
    'D level 3 O121 (both): (0.25 + 0.5) / 2 = 0.375');
SELECT pg_temp.is_near(pg_temp.prog('objective', 122, '2026-04-20 00:00+00'), 0.5,
    'D closed O122 keeps its progress: 5 / 10 = 0.5');
SELECT pg_temp.is_near(pg_temp.prog('objective', 12, '2026-04-20 00:00+00'), 0.46875,
    'D level 2 O12 (children): (1*0.375 + 3*0.5) / 4 = 0.46875; closed child in, draft/cancelled/weight-0/NULL children and own KR out');
SELECT pg_temp.is_near(pg_temp.prog('objective', 10, '2026-04-20 00:00+00'), 0.6171875,
    'D level 1 O10 (both): (1*0.6 + 2*0.7 + 1*0.46875) / 4 = 0.6171875');
SELECT is(pg_temp.prog('objective', 125, '2026-04-20 00:00+00'), NULL::double precision,
    'D objective with no items: progress NULL');
SELECT is(pg_temp.prog('objective', 14, '2026-04-20 00:00+00'), NULL::double precision,
    'D objective whose only key result is cancelled: progress NULL');
SELECT is(pg_temp.prog('objective', 15, '2026-04-20 00:00+00'), NULL::double precision,
    'D objective whose only key result has weight 0: progress NULL');
SELECT is(pg_temp.prog('objective', 16, '2026-04-20 00:00+00'), NULL::double precision,
    'D rollup children with key results but no children: progress NULL (its KR at 1 is not counted)');
SELECT is(pg_temp.stat('objective', 125, '2026-04-20 00:00+00'), 'not_scored', 'D O125 (nothing): status not_scored');
SELECT is(pg_temp.stat('objective', 16, '2026-04-20 00:00+00'), 'not_scored', 'D O16 (rollup children, no children): status not_scored');
SELECT is(pg_temp.stat('objective', 14, '2026-04-20 00:00+00'), 'not_scored', 'D O14 (only a cancelled KR): status not_scored');
SELECT is(pg_temp.stat('objective', 15, '2026-04-20 00:00+00'), 'not_scored', 'D O15 (only a weight-0 KR): status not_scored');
SELECT is(okr.objective_progress(125, '2026-04-20 00:00+00'), NULL::double precision,
    'D okr.objective_progress of an objective with no items: NULL');
-- the same tree on May 20, after the May 1 check-ins:
--   O11  = (1*0.3 + 2*1.0) / 3 = 2.3 / 3 = 0.7666666666666667
--   O121 = (2/4 + 0.5) / 2 = 0.5 ;  O12 = (1*0.5 + 3*0.5) / 4 = 0.5
--   O10  = (1*0.8 + 2*(2.3/3) + 1*0.5) / 4 = (0.8 + 4.6/3 + 0.5) / 4 = 0.7083333333333334
SELECT pg_temp.is_near(pg_temp.prog('objective', 11, '2026-05-20 00:00+00'), 0.7666666666666667,
    'D May 20 O11: (1*0.3 + 2*1) / 3 = 2.3 / 3');
SELECT pg_temp.is_near(pg_temp.prog('objective', 121, '2026-05-20 00:00+00'), 0.5,
    'D May 20 O121: (2/4 + 0.5) / 2 = 0.5');
SELECT pg_temp.is_near(pg_temp.prog('objective', 12, '2026-05-20 00:00+00'), 0.5,
    'D May 20 O12: (1*0.5 + 3*0.5) / 4 = 0.5');
SELECT pg_temp.is_near(pg_temp.prog('objective', 10, '2026-05-20 00:00+00'), 0.7083333333333334,
    'D May 20 O10: (0.8 + 2*2.3/3 + 0.5) / 4 = 0.708333...');
SELECT is(pg_temp.stat('key_result', 1003, '2026-04-20 00:00+00'), 'cancelled', 'D cancelled key result reports cancelled');
SELECT is(pg_temp.stat('objective', 122, '2026-04-20 00:00+00'), 'closed',    'D closed objective reports closed');
SELECT is(pg_temp.stat('objective', 123, '2026-04-20 00:00+00'), 'draft',     'D draft objective reports draft');
SELECT is(pg_temp.stat('objective', 124, '2026-04-20 00:00+00'), 'cancelled', 'D cancelled objective reports cancelled');
SELECT is(pg_temp.stat('objective', 13,  '2026-04-20 00:00+00'), 'draft',     'D draft objective O13 reports draft');
SELECT is(pg_temp.stat('objective', 111, '2026-04-20 00:00+00'), 'achieved',  'D objective at progress 1 is achieved');
SELECT is(pg_temp.stat('objective', 10,  '2026-04-20 00:00+00'), 'on_track',  'D O10: 0.6171875 / 0.5 = 1.23 -> on_track');
SELECT is(pg_temp.stat('objective', 12,  '2026-04-20 00:00+00'), 'on_track',  'D O12: 0.46875 / 0.5 = 0.9375 -> on_track');
SELECT is(pg_temp.stat('objective', 121, '2026-04-20 00:00+00'), 'at_risk',   'D O121: 0.375 / 0.5 = 0.75 -> at_risk');
SELECT is((SELECT parent_item || ' ' || parent_id FROM okr.progress('2026-04-20 00:00+00') WHERE item = 'objective' AND id = 1211),
    'objective 121', 'D parent of O1211 is objective 121');

-- =====================================================================
-- E. Activity and outcome gap (as of 2026-04-20)
--   P20011 = 3 / (3 + 1) = 0.75 (cancelled 2 left out); P20012 = 4 / 4 = 1
--   KR2001 = (3 + 4) / (4 + 4) = 0.875; KR2002: no tasks -> NULL
--   O21    = 2 / (2 + 6) = 0.25
--   O20    = (7 + 2) / (8 + 8) = 9 / 16 = 0.5625 (includes its child O21)
--   O20 progress = (0.1 + 0 + 0 [O21]) / 3 = 0.0333...; gap = 0.5625 - 0.0333... = 0.5291666666666667
-- =====================================================================
SELECT pg_temp.is_near(pg_temp.act('project', 20011, '2026-04-20 00:00+00'), 0.75, 'E project activity: 3 / (3 + 1) = 0.75');
SELECT pg_temp.is_near(pg_temp.act('project', 20012, '2026-04-20 00:00+00'), 1, 'E project activity: 4 / 4 = 1');
SELECT pg_temp.is_near(pg_temp.act('key_result', 2001, '2026-04-20 00:00+00'), 0.875, 'E key result activity: (3 + 4) / (4 + 4) = 0.875');
SELECT is(pg_temp.act('key_result', 2002, '2026-04-20 00:00+00'), NULL::double precision, 'E key result with no tasks: activity NULL');
SELECT pg_temp.is_near(pg_temp.act('objective', 21, '2026-04-20 00:00+00'), 0.25, 'E objective activity: 2 / 8 = 0.25');
SELECT pg_temp.is_near(pg_temp.act('objective', 20, '2026-04-20 00:00+00'), 0.5625,
    'E objective activity includes descendants: (7 + 2) / (8 + 8) = 0.5625');
SELECT pg_temp.is_near(pg_temp.prog('objective', 20, '2026-04-20 00:00+00'), 0.03333333333333333,
    'E busy objective progress: (0.1 + 0 + 0) / 3');
SELECT pg_temp.is_near((SELECT activity - progress FROM okr.progress('2026-04-20 00:00+00') WHERE item = 'objective' AND id = 20),
    0.5291666666666667, 'E outcome gap = activity - progress = 0.5625 - 0.1/3 = 0.5291666666666667');
SELECT pg_temp.is_near((SELECT activity - progress FROM okr.progress('2026-04-20 00:00+00') WHERE item = 'objective' AND id = 21),
    0.25, 'E outcome gap of O21: 0.25 - 0 = 0.25');
SELECT pg_temp.is_near(pg_temp.act('objective', 20, '2026-03-01 00:00+00'), 0,
    'E before any task is done: activity 0 (not NULL: there are tasks)');
SELECT is(pg_temp.act('objective', 10, '2026-04-20 00:00+00'), NULL::double precision, 'E objective tree with no tasks: activity NULL');
SELECT is(pg_temp.act('project', 3012, '2026-04-20 00:00+00'), NULL::double precision, 'E project with no tasks: activity NULL');
SELECT is(pg_temp.act('project', 3015, '2026-04-20 00:00+00'), NULL::double precision, 'E project with only cancelled tasks: activity NULL');
SELECT pg_temp.is_near(pg_temp.act('project', 3011, '2026-04-01 00:00+00'), 0.2, 'E project activity Apr 1: 2 / 10 = 0.2');
SELECT pg_temp.is_near(pg_temp.act('key_result', 301, '2026-04-20 00:00+00'), 0.5,
    'E projects KR activity: 5 / 10 = 0.5 (its other projects have no live tasks)');

-- =====================================================================
-- F. Expected progress and status (objective 30: 0.45, 0.40, 0.35, 0.30, 1, cancelled)
-- =====================================================================
SELECT pg_temp.is_near(pg_temp.expd('objective', 30, '2026-02-20 00:00+00'), 0, 'F before the cycle: expected 0');
SELECT is(pg_temp.stat('key_result', 3001, '2026-02-20 00:00+00'), 'not_started', 'F before the cycle: key result not_started');
SELECT is(pg_temp.stat('objective', 30, '2026-02-20 00:00+00'), 'not_started', 'F before the cycle: objective not_started');
SELECT is(pg_temp.stat('objective', 125, '2026-02-20 00:00+00'), 'not_started', 'F before the cycle: an unscored objective is not_started');
SELECT is(pg_temp.stat('project', 3011, '2026-02-20 00:00+00'), 'not_started', 'F before the cycle: active project not_started');
SELECT is(pg_temp.stat('key_result', 3001, '2026-02-28 23:59:59.999999+00'), 'not_started',
    'F one microsecond before starts_on 00:00: not_started');
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-03-01 00:00+00'), 0,
    'F at starts_on 00:00 exactly: expected 0');
SELECT is(pg_temp.stat('key_result', 3001, '2026-03-01 00:00+00'), 'on_track',
    'F at starts_on 00:00 exactly the cycle has started; progress 0 with expected 0 counts as on_track');
SELECT is(pg_temp.stat('objective', 125, '2026-03-01 00:00+00'), 'not_scored',
    'F at starts_on 00:00: an unscored objective is not_scored');
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-03-11 00:00+00'), 0.1, 'F Mar 11: expected 10 / 100 = 0.1');
SELECT is(pg_temp.stat('key_result', 3004, '2026-03-11 00:00+00'), 'on_track', 'F Mar 11: 0.30 / 0.1 = 3 -> on_track');
SELECT pg_temp.is_near(pg_temp.expd('objective', 30, '2026-04-20 00:00+00'), 0.5, 'F Apr 20: expected 50 / 100 = 0.5');
SELECT is(pg_temp.stat('key_result', 3001, '2026-04-20 00:00+00'), 'on_track',  'F Apr 20: 0.45 / 0.5 = 0.9 >= 0.9 -> on_track (boundary)');
SELECT is(pg_temp.stat('key_result', 3002, '2026-04-20 00:00+00'), 'at_risk',   'F Apr 20: 0.40 / 0.5 = 0.8 -> at_risk');
SELECT is(pg_temp.stat('key_result', 3003, '2026-04-20 00:00+00'), 'at_risk',   'F Apr 20: 0.35 / 0.5 = 0.7 >= 0.7 -> at_risk (boundary)');
SELECT is(pg_temp.stat('key_result', 3004, '2026-04-20 00:00+00'), 'off_track', 'F Apr 20: 0.30 / 0.5 = 0.6 -> off_track');
SELECT is(pg_temp.stat('key_result', 3005, '2026-04-20 00:00+00'), 'achieved',  'F progress 1 -> achieved');
SELECT is(pg_temp.stat('key_result', 3006, '2026-04-20 00:00+00'), 'cancelled', 'F cancelled key result -> cancelled');
SELECT pg_temp.is_near(pg_temp.prog('objective', 30, '2026-04-20 00:00+00'), 0.5,
    'F objective 30: (0.45 + 0.40 + 0.35 + 0.30 + 1) / 5 = 2.5 / 5 = 0.5 (cancelled KR at 0.9 out)');
SELECT is(pg_temp.stat('objective', 30, '2026-04-20 00:00+00'), 'on_track', 'F objective 30 Apr 20: 0.5 / 0.5 = 1 -> on_track');
SELECT pg_temp.is_near(pg_temp.expd('objective', 30, '2026-05-20 00:00+00'), 0.8, 'F May 20: expected 80 / 100 = 0.8');
SELECT is(pg_temp.stat('key_result', 3001, '2026-05-20 00:00+00'), 'off_track', 'F May 20: 0.45 / 0.8 = 0.5625 -> off_track');
SELECT is(pg_temp.stat('objective', 30, '2026-05-20 00:00+00'), 'off_track', 'F May 20: objective 0.5 / 0.8 = 0.625 -> off_track');
SELECT is(pg_temp.stat('key_result', 3005, '2026-05-20 00:00+00'), 'achieved', 'F May 20: still achieved');
SELECT pg_temp.is_near(pg_temp.expd('objective', 30, '2026-06-09 00:00+00'), 1, 'F at ends_on + 1 day 00:00: expected 1');
SELECT pg_temp.is_near(pg_temp.expd('objective', 30, '2026-07-01 00:00+00'), 1, 'F after the cycle: expected clamped to 1');
SELECT is(pg_temp.stat('key_result', 3001, '2026-07-01 00:00+00'), 'off_track', 'F after the cycle: 0.45 / 1 -> off_track');
SELECT is(pg_temp.stat('project', 3011, '2026-04-20 00:00+00'), 'on_track',  'F active project 0.5 / 0.5 -> on_track');
SELECT is(pg_temp.stat('project', 3013, '2026-04-20 00:00+00'), 'off_track', 'F active project 0 / 0.5 -> off_track');
SELECT is(pg_temp.stat('project', 20012, '2026-04-20 00:00+00'), 'achieved', 'F active project with all its effort done (1) -> achieved');
SELECT is(pg_temp.stat('project', 3012, '2026-04-20 00:00+00'), 'done',      'F done project reports done');
SELECT is(pg_temp.stat('project', 3014, '2026-04-20 00:00+00'), 'planned',   'F planned project reports planned');
SELECT is(pg_temp.stat('project', 3015, '2026-02-20 00:00+00'), 'done',      'F done project reports done even before the cycle');
SELECT is(pg_temp.stat('objective', 123, '2026-02-20 00:00+00'), 'draft',    'F draft objective reports draft even before the cycle');
-- GUCs (Apr 20, expected 0.5; ratios 0.9, 0.8, 0.7, 0.6)
SET okr.on_track_ratio = 0.95;
SELECT is(pg_temp.stat('key_result', 3001, '2026-04-20 00:00+00'), 'at_risk',  'F on_track_ratio 0.95: r 0.9 -> at_risk');
SET okr.on_track_ratio = 0.8;
SELECT is(pg_temp.stat('key_result', 3002, '2026-04-20 00:00+00'), 'on_track', 'F on_track_ratio 0.8: r 0.8 -> on_track');
SELECT is(pg_temp.stat('key_result', 3004, '2026-04-20 00:00+00'), 'off_track','F on_track_ratio 0.8, at_risk_ratio 0.7: r 0.6 -> off_track');
SET okr.at_risk_ratio = 0.5;
SELECT is(pg_temp.stat('key_result', 3004, '2026-04-20 00:00+00'), 'at_risk',  'F at_risk_ratio 0.5: r 0.6 -> at_risk');
SELECT is(pg_temp.stat('objective', 121, '2026-04-20 00:00+00'), 'at_risk',    'F on_track 0.8: O121 r 0.75 still at_risk');
SET okr.on_track_ratio = 0.75;
SELECT is(pg_temp.stat('objective', 121, '2026-04-20 00:00+00'), 'on_track',   'F on_track 0.75: O121 r 0.75 -> on_track');
RESET okr.on_track_ratio;
RESET okr.at_risk_ratio;
SELECT is(pg_temp.stat('key_result', 3002, '2026-04-20 00:00+00'), 'at_risk',  'F after RESET: r 0.8 -> at_risk again');
SELECT is(pg_temp.stat('key_result', 3004, '2026-04-20 00:00+00'), 'off_track','F after RESET: r 0.6 -> off_track again');

-- =====================================================================
-- G. Time zones: the same instants under three TimeZone settings.
--   Cycle 1 runs from local 2026-03-01 00:00 to local 2026-06-09 00:00.
--   UTC:        2026-03-01 00:00Z .. 2026-06-09 00:00Z = 2400 h
--   Asia/Tokyo: 2026-02-28 15:00Z .. 2026-06-08 15:00Z = 2400 h (no DST)
--   America/New_York: 2026-03-01 05:00Z (EST) .. 2026-06-09 04:00Z (EDT)
--               = 2400 h - 1 h = 2399 h (DST starts Mar 8)
-- =====================================================================
-- instant 2026-03-01 00:00Z
SET TimeZone = 'Asia/Tokyo';
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-03-01 00:00+00'), 0.00375,
    'G Tokyo, 2026-03-01 00:00Z: 9 h / 2400 h = 0.00375');
SELECT is(pg_temp.stat('key_result', 3001, '2026-03-01 00:00+00'), 'off_track',
    'G Tokyo, 2026-03-01 00:00Z: started, no value yet: 0 / 0.00375 -> off_track');
SET TimeZone = 'America/New_York';
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-03-01 00:00+00'), 0,
    'G New York, 2026-03-01 00:00Z (Feb 28 19:00 local): expected 0');
SELECT is(pg_temp.stat('key_result', 3001, '2026-03-01 00:00+00'), 'not_started',
    'G New York, 2026-03-01 00:00Z: the cycle has not started');
SET TimeZone = 'UTC';
SELECT is(pg_temp.stat('key_result', 3001, '2026-03-01 00:00+00'), 'on_track',
    'G UTC, 2026-03-01 00:00Z: starts_on 00:00, expected 0 -> on_track');
-- instant 2026-04-20 00:00Z; KR3001 progress 0.45 in every zone
SET TimeZone = 'Asia/Tokyo';
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-04-20 00:00+00'), 0.50375,
    'G Tokyo, 2026-04-20 00:00Z: (50*24 + 9) / 2400 = 1209 / 2400 = 0.50375');
SELECT is(pg_temp.stat('key_result', 3001, '2026-04-20 00:00+00'), 'at_risk',
    'G Tokyo: 0.45 / 0.50375 = 0.8933 -> at_risk');
SET TimeZone = 'America/New_York';
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-04-20 00:00+00'), 0.49812421842434346,
    'G New York, 2026-04-20 00:00Z: (50*24 - 5) / 2399 = 1195 / 2399');
SELECT is(pg_temp.stat('key_result', 3001, '2026-04-20 00:00+00'), 'on_track',
    'G New York: 0.45 / (1195/2399) = 0.9034 -> on_track');
SELECT pg_temp.is_near(okr.expected_progress('2026-03-01', '2026-06-08', '2026-04-20 00:00+00'), 0.49812421842434346,
    'G okr.expected_progress agrees in New York: 1195 / 2399');
-- the score depends on where the cycle ends: Tokyo's June 30 ends at 14:59:59.999999Z,
-- before task 400112 (23:59:59.999999Z): score 1 / (1 + 1 + 2) = 0.25
SET TimeZone = 'Asia/Tokyo';
SELECT is(okr.cycle_end(2), '2026-06-30 14:59:59.999999+00'::timestamptz,
    'G Tokyo: cycle_end(June) = 2026-06-30 23:59:59.999999+09');
SELECT pg_temp.is_near(okr.objective_score(40), 0.25,
    'G Tokyo: score of O40 = 1 / 4 = 0.25 (the task of the last UTC microsecond is after the Tokyo end)');
SET TimeZone = 'UTC';
SELECT pg_temp.is_near(pg_temp.expd('key_result', 3001, '2026-04-20 00:00+00'), 0.5,
    'G UTC, 2026-04-20 00:00Z: 50 / 100 = 0.5');

-- =====================================================================
-- H. Score and grade (UTC; June ends 2026-06-30 23:59:59.999999Z)
--   O40: at the end 1 (Jun 10) + 1 (last microsecond) of 1 + 1 + 2 = 2 / 4 = 0.5;
--        the 2 done Jul 1 00:00 count later: 4 / 4 = 1
--   O41: 7 / 10 = 0.7;  O42: 8 / 10 = 0.8;  O43: NULL
-- =====================================================================
SELECT is(okr.cycle_end(2), '2026-06-30 23:59:59.999999+00'::timestamptz, 'H cycle_end = the last microsecond of ends_on');
SELECT pg_temp.is_near(okr.objective_score(40), 0.5,
    'H score O40 = (1 + 1) / (1 + 1 + 2) = 0.5 (task done after the cycle end not counted)');
SELECT pg_temp.is_near(okr.objective_score(40), pg_temp.prog('objective', 40, okr.cycle_end(2)),
    'H score O40 = okr.progress as of cycle_end');
SELECT pg_temp.is_near(okr.objective_progress(40, '2026-06-30 23:59:59.999998+00'), 0.25,
    'H one microsecond before the end the last task is not done: 1 / 4 = 0.25');
SELECT pg_temp.is_near(okr.objective_progress(40, '2026-07-02 00:00+00'), 1,
    'H after the cycle all tasks count for progress: 4 / 4 = 1 (but not for the score)');
SELECT is(okr.grade(okr.objective_score(40), 'committed'), 'red', 'H committed 0.5 -> red');
SELECT pg_temp.is_near(okr.objective_score(41), 0.7, 'H score O41 = 7 / 10 = 0.7');
SELECT is(okr.grade(okr.objective_score(41), (SELECT kind FROM okr.objective WHERE id = 41)), 'green', 'H aspirational 0.7 -> green');
SELECT is(okr.grade(okr.objective_score(41), 'committed'), 'yellow', 'H the same 0.7 committed -> yellow');
SELECT pg_temp.is_near(okr.objective_score(42), 0.8, 'H score O42 = 8 / 10 = 0.8');
SELECT is(okr.grade(okr.objective_score(42), (SELECT kind FROM okr.objective WHERE id = 42)), 'yellow', 'H committed 0.8 -> yellow');
SELECT is(okr.objective_score(43), NULL::double precision, 'H objective with nothing scored: score NULL');
SELECT is(okr.grade(okr.objective_score(43), 'committed'), NULL, 'H grade of a NULL score is NULL');
SELECT is(okr.grade(1.0, 'committed'),     'green',  'H committed 1.0 -> green');
SELECT is(okr.grade(0.99, 'committed'),    'yellow', 'H committed 0.99 -> yellow');
SELECT is(okr.grade(0.7, 'committed'),     'yellow', 'H committed 0.7 -> yellow');
SELECT is(okr.grade(0.69, 'committed'),    'red',    'H committed 0.69 -> red');
SELECT is(okr.grade(0.7, 'aspirational'),  'green',  'H aspirational 0.7 -> green');
SELECT is(okr.grade(0.69, 'aspirational'), 'yellow', 'H aspirational 0.69 -> yellow');
SELECT is(okr.grade(0.4, 'aspirational'),  'yellow', 'H aspirational 0.4 -> yellow');
SELECT is(okr.grade(0.39, 'aspirational'), 'red',    'H aspirational 0.39 -> red');

-- =====================================================================
-- I. okr.objective_progress(id, T) equals the okr.progress row, for every
--    objective of the organisation, at two moments.
-- =====================================================================
SELECT is((SELECT count(*) FROM okr.progress('2026-04-20 00:00+00') WHERE item = 'objective'), 25::bigint,
    'I the organisation has 25 objectives');
SELECT is_empty($$
    SELECT p.id, p.progress, okr.objective_progress(p.id, '2026-04-20 00:00+00')
      FROM okr.progress('2026-04-20 00:00+00') p
     WHERE p.item = 'objective'
       AND ((p.progress IS NULL) <> (okr.objective_progress(p.id, '2026-04-20 00:00+00') IS NULL)
            OR abs(p.progress - okr.objective_progress(p.id, '2026-04-20 00:00+00')) >= 1e-12)$$,
    'I Apr 20: objective_progress(id, T) = okr.progress(T) for all 25 objectives');
SELECT is_empty($$
    SELECT p.id, p.progress, okr.objective_progress(p.id, '2026-05-20 00:00+00')
      FROM okr.progress('2026-05-20 00:00+00') p
     WHERE p.item = 'objective'
       AND ((p.progress IS NULL) <> (okr.objective_progress(p.id, '2026-05-20 00:00+00') IS NULL)
            OR abs(p.progress - okr.objective_progress(p.id, '2026-05-20 00:00+00')) >= 1e-12)$$,
    'I May 20: objective_progress(id, T) = okr.progress(T) for all 25 objectives');
-- and for the hand-computed ones, against the literals
SELECT pg_temp.is_near(okr.objective_progress(10, '2026-04-20 00:00+00'), 0.6171875, 'I objective_progress(O10, Apr 20) = 0.6171875');
SELECT pg_temp.is_near(okr.objective_progress(10, '2026-05-20 00:00+00'), 0.7083333333333334, 'I objective_progress(O10, May 20) = 0.708333...');
SELECT pg_temp.is_near(okr.objective_progress(12, '2026-04-20 00:00+00'), 0.46875, 'I objective_progress(O12, Apr 20) = 0.46875');
SELECT pg_temp.is_near(okr.objective_progress(121, '2026-05-20 00:00+00'), 0.5, 'I objective_progress(O121, May 20) = 0.5');
SELECT pg_temp.is_near(okr.objective_progress(3, '2026-04-01 00:00+00'), 0.34285714285714286, 'I objective_progress(O3, Apr 1) = 2.4 / 7');

SELECT * FROM finish();
ROLLBACK;
