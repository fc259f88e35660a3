-- SPEC 2, rule 1: no cycles in objective.parent_id, team.parent_id or
-- cycle.parent_id, whatever the order of inserts and updates.
-- Expected SQLSTATE: 23O01.  The message names the rows involved, e.g.
-- "objective 12 cannot align to objective 40: 40 is already below 12".
-- Ids are given explicitly (OVERRIDING SYSTEM VALUE) so messages can be checked.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(76);
SET TimeZone = 'UTC';

-- One annual cycle for every objective, so that rule 2 never fires here.
INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE
VALUES (1, 'FY2026', '2026-01-01', '2026-12-31');

-- Chain 12 <- 40 <- 41 <- 42, plus free roots 60, 61, 62 and 70 <- 71.
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (12, 1, NULL, 'Company');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (40, 1, 12, 'Sales');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (41, 1, 40, 'EMEA');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (42, 1, 41, 'DACH');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (60, 1, NULL, 'root 60');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (61, 1, NULL, 'root 61');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (62, 1, NULL, 'root 62');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (70, 1, NULL, 'root 70');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (71, 1, 70, 'child 71');

-- ===================================================================
-- objective.parent_id
-- ===================================================================

-- self-parent
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = id WHERE id = 42$$,
    '23O01', NULL, 'objective: self-parent by UPDATE SET parent_id = id -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.objective SET parent_id = id WHERE id = 42$$,
    '\m42\M', 'objective: self-parent message names objective 42');
SELECT is((SELECT parent_id FROM okr.objective WHERE id = 42), 41::bigint,
    'objective: 42 still aligned to 41 after the failed self-parent');

-- 2-cycle
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 40 WHERE id = 12$$,
    '23O01', NULL, 'objective: 2-cycle 12 -> 40 -> 12 by UPDATE -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.objective SET parent_id = 40 WHERE id = 12$$,
    '(\m12\M.*\m40\M)|(\m40\M.*\m12\M)', 'objective: 2-cycle message names 12 and 40');
SELECT is((SELECT parent_id FROM okr.objective WHERE id = 12), NULL::bigint,
    'objective: 12 still a root after the failed 2-cycle');

-- longer cycles
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 42 WHERE id = 12$$,
    '23O01', NULL, 'objective: 4-cycle 12 -> 42 -> 41 -> 40 -> 12 by UPDATE -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.objective SET parent_id = 42 WHERE id = 12$$,
    '(\m12\M.*\m42\M)|(\m42\M.*\m12\M)', 'objective: 4-cycle message names 12 and 42');
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 42 WHERE id = 40$$,
    '23O01', NULL, 'objective: 3-cycle 40 -> 42 -> 41 -> 40 in the middle of a chain -> 23O01');

-- multi-row UPDATE: two roots made parents of each other in one statement
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = CASE id WHEN 60 THEN 61 WHEN 61 THEN 60 END WHERE id IN (60, 61)$$,
    '23O01', NULL, 'objective: one UPDATE swapping parents 60 <-> 61 -> 23O01');
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = CASE id WHEN 60 THEN 61 WHEN 61 THEN 62 WHEN 62 THEN 60 END WHERE id IN (60, 61, 62)$$,
    '23O01', NULL, 'objective: one UPDATE rotating parents 60 -> 61 -> 62 -> 60 -> 23O01');

SELECT results_eq(
    $$SELECT id, parent_id FROM okr.objective ORDER BY id$$,
    $$VALUES (12::bigint, NULL::bigint), (40, 12), (41, 40), (42, 41), (60, NULL), (61, NULL), (62, NULL), (70, NULL), (71, 70)$$,
    'objective: no parent_id changed by any failed UPDATE');

-- multi-row INSERT with explicit ids whose rows reference each other
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (100, 1, 101, 'a'), (101, 1, 100, 'b')$$,
    '23O01', NULL, 'objective: one INSERT of 100 -> 101 -> 100 -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id IN (100, 101)), 0,
    'objective: no row of the failed 2-cycle INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (110, 1, 111, 'a'), (111, 1, 112, 'b'), (112, 1, 110, 'c')$$,
    '23O01', NULL, 'objective: one INSERT of 110 -> 111 -> 112 -> 110 -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id IN (110, 111, 112)), 0,
    'objective: no row of the failed 3-cycle INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (120, 1, 120, 'self')$$,
    '23O01', NULL, 'objective: INSERT of 120 aligned to itself -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id = 120), 0,
    'objective: no row of the failed self-parent INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (125, 1, 12, 'fine'), (126, 1, 127, 'a'), (127, 1, 126, 'b')$$,
    '23O01', NULL, 'objective: one INSERT with a valid row and a 2-cycle -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id IN (125, 126, 127)), 0,
    'objective: not even the valid row of the failed INSERT remains');

-- valid shapes are accepted
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (130, 1, 131, 'child first'), (131, 1, NULL, 'parent second')$$,
    'objective: one INSERT where a row aligns to a later row of the same statement is accepted');
SELECT lives_ok(
    $$UPDATE okr.objective SET parent_id = CASE id WHEN 70 THEN 71 WHEN 71 THEN NULL END WHERE id IN (70, 71)$$,
    'objective: one UPDATE inverting 71 under 70 into 70 under 71 (no cycle at the end) is accepted');
SELECT results_eq(
    $$SELECT id, parent_id FROM okr.objective WHERE id IN (70, 71) ORDER BY id$$,
    $$VALUES (70::bigint, 71::bigint), (71, NULL::bigint)$$,
    'objective: the inversion is stored');
SELECT lives_ok(
    $$UPDATE okr.objective SET parent_id = 12 WHERE id = 42$$,
    'objective: moving 42 up under the root 12 is accepted');
SELECT lives_ok(
    $$UPDATE okr.objective SET parent_id = 41 WHERE id = 42$$,
    'objective: moving 42 back under 41 is accepted');

-- a 50-level chain
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      SELECT g, 1, CASE WHEN g = 1000 THEN NULL ELSE g - 1 END, 'level ' || g
      FROM generate_series(1000, 1049) AS g$$,
    'objective: a 50-level chain built by one INSERT ... generate_series is accepted');
SELECT is(
    (WITH RECURSIVE up(id, depth) AS (
         SELECT id, 1 FROM okr.objective WHERE id = 1049
         UNION ALL
         SELECT o.parent_id, up.depth + 1 FROM up JOIN okr.objective o ON o.id = up.id WHERE o.parent_id IS NOT NULL)
     SELECT max(depth) FROM up),
    50, 'objective: the chain is 50 levels deep');
SELECT lives_ok(
    $q$DO $do$ BEGIN
        FOR g IN 2000..2049 LOOP
            INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
            VALUES (g, 1, CASE WHEN g = 2000 THEN NULL ELSE g - 1 END, 'row ' || g);
        END LOOP;
    END $do$
    $q$,
    'objective: a 50-level chain built by 50 single-row INSERTs is accepted');
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 1049 WHERE id = 1000$$,
    '23O01', NULL, 'objective: closing the 50-level chain into a loop -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.objective SET parent_id = 1049 WHERE id = 1000$$,
    '(\m1000\M.*\m1049\M)|(\m1049\M.*\m1000\M)', 'objective: 50-level loop message names 1000 and 1049');
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 1049 WHERE id = 1025$$,
    '23O01', NULL, 'objective: aligning the middle of the chain under its leaf -> 23O01');
SELECT is((SELECT parent_id FROM okr.objective WHERE id = 1000), NULL::bigint,
    'objective: the chain root is still a root');

-- ===================================================================
-- team.parent_id: 7 <- 8 <- 9, roots 20, 21, 22
-- ===================================================================
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (7, 'Company', NULL);
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (8, 'Sales', 7);
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (9, 'EMEA Sales', 8);
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (20, 'Team 20', NULL);
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (21, 'Team 21', NULL);
INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (22, 'Team 22', NULL);

SELECT throws_ok(
    $$UPDATE okr.team SET parent_id = id WHERE id = 9$$,
    '23O01', NULL, 'team: self-parent by UPDATE -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.team SET parent_id = id WHERE id = 9$$,
    '\m9\M', 'team: self-parent message names team 9');
SELECT throws_ok(
    $$UPDATE okr.team SET parent_id = 8 WHERE id = 7$$,
    '23O01', NULL, 'team: 2-cycle 7 -> 8 -> 7 by UPDATE -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.team SET parent_id = 8 WHERE id = 7$$,
    '(\m7\M.*\m8\M)|(\m8\M.*\m7\M)', 'team: 2-cycle message names 7 and 8');
SELECT throws_ok(
    $$UPDATE okr.team SET parent_id = 9 WHERE id = 7$$,
    '23O01', NULL, 'team: 3-cycle 7 -> 9 -> 8 -> 7 by UPDATE -> 23O01');
SELECT throws_ok(
    $$UPDATE okr.team SET parent_id = CASE id WHEN 20 THEN 21 WHEN 21 THEN 20 END WHERE id IN (20, 21)$$,
    '23O01', NULL, 'team: one UPDATE swapping parents 20 <-> 21 -> 23O01');
SELECT throws_ok(
    $$UPDATE okr.team SET parent_id = CASE id WHEN 20 THEN 21 WHEN 21 THEN 22 WHEN 22 THEN 20 END WHERE id IN (20, 21, 22)$$,
    '23O01', NULL, 'team: one UPDATE rotating parents 20 -> 21 -> 22 -> 20 -> 23O01');
SELECT results_eq(
    $$SELECT id, parent_id FROM okr.team ORDER BY id$$,
    $$VALUES (7::bigint, NULL::bigint), (8, 7), (9, 8), (20, NULL), (21, NULL), (22, NULL)$$,
    'team: no parent_id changed by any failed UPDATE');
SELECT throws_ok(
    $$INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (100, 'T100', 101), (101, 'T101', 100)$$,
    '23O01', NULL, 'team: one INSERT of 100 -> 101 -> 100 -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.team WHERE id IN (100, 101)), 0,
    'team: no row of the failed 2-cycle INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (110, 'T110', 111), (111, 'T111', 112), (112, 'T112', 110)$$,
    '23O01', NULL, 'team: one INSERT of 110 -> 111 -> 112 -> 110 -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.team WHERE id IN (110, 111, 112)), 0,
    'team: no row of the failed 3-cycle INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES (120, 'T120', 120)$$,
    '23O01', NULL, 'team: INSERT of 120 under itself -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.team WHERE id = 120), 0,
    'team: no row of the failed self-parent INSERT remains');
SELECT lives_ok(
    $$INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE
      SELECT g, 'level ' || g, CASE WHEN g = 1000 THEN NULL ELSE g - 1 END
      FROM generate_series(1000, 1049) AS g$$,
    'team: a 50-level chain built by one INSERT ... generate_series is accepted');
SELECT throws_ok(
    $$UPDATE okr.team SET parent_id = 1049 WHERE id = 1000$$,
    '23O01', NULL, 'team: closing the 50-level chain into a loop -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.team SET parent_id = 1049 WHERE id = 1000$$,
    '(\m1000\M.*\m1049\M)|(\m1049\M.*\m1000\M)', 'team: 50-level loop message names 1000 and 1049');
SELECT is((SELECT parent_id FROM okr.team WHERE id = 1000), NULL::bigint,
    'team: the chain root is still a root');

-- ===================================================================
-- cycle.parent_id: all with identical dates, so rule 2 (a child cycle lies
-- inside its parent) is satisfied and only rule 1 can fire.
-- 201 <- 202 <- 203, roots 210, 211, 212
-- ===================================================================
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (201, 'C201', '2026-01-01', '2026-12-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (202, 'C202', '2026-01-01', '2026-12-31', 201);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (203, 'C203', '2026-01-01', '2026-12-31', 202);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (210, 'C210', '2026-01-01', '2026-12-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (211, 'C211', '2026-01-01', '2026-12-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (212, 'C212', '2026-01-01', '2026-12-31', NULL);

SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = id WHERE id = 203$$,
    '23O01', NULL, 'cycle: self-parent by UPDATE -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.cycle SET parent_id = id WHERE id = 203$$,
    '\m203\M', 'cycle: self-parent message names cycle 203');
SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = 202 WHERE id = 201$$,
    '23O01', NULL, 'cycle: 2-cycle 201 -> 202 -> 201 by UPDATE -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.cycle SET parent_id = 202 WHERE id = 201$$,
    '(\m201\M.*\m202\M)|(\m202\M.*\m201\M)', 'cycle: 2-cycle message names 201 and 202');
SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = 203 WHERE id = 201$$,
    '23O01', NULL, 'cycle: 3-cycle 201 -> 203 -> 202 -> 201 by UPDATE -> 23O01');
SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = CASE id WHEN 210 THEN 211 WHEN 211 THEN 210 END WHERE id IN (210, 211)$$,
    '23O01', NULL, 'cycle: one UPDATE swapping parents 210 <-> 211 -> 23O01');
SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = CASE id WHEN 210 THEN 211 WHEN 211 THEN 212 WHEN 212 THEN 210 END WHERE id IN (210, 211, 212)$$,
    '23O01', NULL, 'cycle: one UPDATE rotating parents 210 -> 211 -> 212 -> 210 -> 23O01');
SELECT results_eq(
    $$SELECT id, parent_id FROM okr.cycle WHERE id >= 200 ORDER BY id$$,
    $$VALUES (201::bigint, NULL::bigint), (202, 201), (203, 202), (210, NULL), (211, NULL), (212, NULL)$$,
    'cycle: no parent_id changed by any failed UPDATE');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (300, 'C300', '2026-01-01', '2026-12-31', 301), (301, 'C301', '2026-01-01', '2026-12-31', 300)$$,
    '23O01', NULL, 'cycle: one INSERT of 300 -> 301 -> 300 -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.cycle WHERE id IN (300, 301)), 0,
    'cycle: no row of the failed 2-cycle INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (310, 'C310', '2026-01-01', '2026-12-31', 311), (311, 'C311', '2026-01-01', '2026-12-31', 312),
             (312, 'C312', '2026-01-01', '2026-12-31', 310)$$,
    '23O01', NULL, 'cycle: one INSERT of 310 -> 311 -> 312 -> 310 -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.cycle WHERE id IN (310, 311, 312)), 0,
    'cycle: no row of the failed 3-cycle INSERT remains');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (320, 'C320', '2026-01-01', '2026-12-31', 320)$$,
    '23O01', NULL, 'cycle: INSERT of 320 inside itself -> 23O01');
SELECT is((SELECT count(*)::int FROM okr.cycle WHERE id = 320), 0,
    'cycle: no row of the failed self-parent INSERT remains');
SELECT lives_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      SELECT g, 'level ' || g, DATE '2026-01-01', DATE '2026-12-31', CASE WHEN g = 1000 THEN NULL ELSE g - 1 END
      FROM generate_series(1000, 1049) AS g$$,
    'cycle: a 50-level chain (identical dates) built by one INSERT ... generate_series is accepted');
SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = 1049 WHERE id = 1000$$,
    '23O01', NULL, 'cycle: closing the 50-level chain into a loop -> 23O01');
SELECT throws_matching(
    $$UPDATE okr.cycle SET parent_id = 1049 WHERE id = 1000$$,
    '(\m1000\M.*\m1049\M)|(\m1049\M.*\m1000\M)', 'cycle: 50-level loop message names 1000 and 1049');
SELECT is((SELECT parent_id FROM okr.cycle WHERE id = 1000), NULL::bigint,
    'cycle: the chain root is still a root');

-- ===================================================================
-- other ways of writing: no-op rewrites, upserts, MERGE
-- ===================================================================
SELECT lives_ok(
    $$UPDATE okr.objective SET parent_id = parent_id$$,
    'objective: writing every parent_id back unchanged (ORM save of all rows) is accepted');
SELECT lives_ok(
    $$UPDATE okr.team SET parent_id = parent_id$$,
    'team: writing every parent_id back unchanged is accepted');
SELECT lives_ok(
    $$UPDATE okr.cycle SET parent_id = parent_id$$,
    'cycle: writing every parent_id back unchanged is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (12, 1, 40, 'Company')
      ON CONFLICT (id) DO UPDATE SET parent_id = EXCLUDED.parent_id$$,
    '23O01', NULL, 'objective: INSERT ... ON CONFLICT DO UPDATE making 12 -> 40 -> 12 -> 23O01');
SELECT throws_ok(
    $$MERGE INTO okr.objective o USING (VALUES (12::bigint, 42::bigint)) AS v(id, p) ON o.id = v.id
      WHEN MATCHED THEN UPDATE SET parent_id = v.p$$,
    '23O01', NULL, 'objective: MERGE making 12 -> 42 -> 41 -> 40 -> 12 -> 23O01');
SELECT throws_ok(
    $$MERGE INTO okr.team t USING (VALUES (7::bigint, 9::bigint)) AS v(id, p) ON t.id = v.id
      WHEN MATCHED THEN UPDATE SET parent_id = v.p$$,
    '23O01', NULL, 'team: MERGE making 7 -> 9 -> 8 -> 7 -> 23O01');
SELECT throws_ok(
    $$MERGE INTO okr.cycle c USING (VALUES (201::bigint, 203::bigint)) AS v(id, p) ON c.id = v.id
      WHEN MATCHED THEN UPDATE SET parent_id = v.p$$,
    '23O01', NULL, 'cycle: MERGE making 201 -> 203 -> 202 -> 201 -> 23O01');
SELECT results_eq(
    $$SELECT 'objective', id, parent_id FROM okr.objective WHERE id = 12
      UNION ALL SELECT 'team', id, parent_id FROM okr.team WHERE id = 7
      UNION ALL SELECT 'cycle', id, parent_id FROM okr.cycle WHERE id = 201$$,
    $$VALUES ('objective', 12::bigint, NULL::bigint), ('team', 7, NULL), ('cycle', 201, NULL)$$,
    'the roots 12, 7 and 201 are still roots after the rejected upsert and MERGEs');

SELECT * FROM finish();
ROLLBACK;
