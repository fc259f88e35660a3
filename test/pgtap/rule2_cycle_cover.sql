-- SPEC 2, rule 2: an objective aligns only to a parent whose cycle covers its
-- own (parent starts_on <= child starts_on and parent ends_on >= child
-- ends_on); re-checked when an objective's parent_id or cycle_id changes (in
-- both directions) and when a cycle's dates change.  A child cycle lies inside
-- its parent cycle.  Expected SQLSTATE: 23O02.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(54);
SET TimeZone = 'UTC';

-- Cycles
--   1 FY2026 (root) with children 2 Q1, 3 Q2, 4 Q1bis (same dates as Q1), 7 H1
--   5 FY2026b and 6 Qx: roots with no child cycles (objective links only)
--   50 FY2027 with child 51 Q1-2027; 52 FY2028 (root)
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (1, 'FY2026', '2026-01-01', '2026-12-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (2, 'Q1 2026', '2026-01-01', '2026-03-31', 1);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (3, 'Q2 2026', '2026-04-01', '2026-06-30', 1);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (4, 'Q1bis 2026', '2026-01-01', '2026-03-31', 1);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (7, 'H1 2026', '2026-01-01', '2026-06-30', 1);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (5, 'FY2026b', '2026-01-01', '2026-12-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (6, 'Qx 2026', '2026-01-01', '2026-03-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (50, 'FY2027', '2027-01-01', '2027-12-31', NULL);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (51, 'Q1 2027', '2027-01-01', '2027-03-31', 50);
INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES (52, 'FY2028', '2028-01-01', '2028-12-31', NULL);

-- Objectives: 10 Company (FY2026); 20 a Q2 root; 30 (FY2026b) <- 31 (Qx)
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (10, 1, NULL, 'Company 2026');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (20, 3, NULL, 'Q2 root');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (30, 5, NULL, 'Annual b');
INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (31, 6, 30, 'Quarter x under annual b');

-- ===================================================================
-- INSERT of objectives
-- ===================================================================
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (11, 2, 10, 'Sales Q1')$$,
    'objective: a quarterly objective under an annual one is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (12, 2, 11, 'EMEA Q1')$$,
    'objective: an objective under a parent in the same cycle is accepted');
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (13, 4, 11, 'APAC Q1bis')$$,
    'objective: an objective under a parent whose (other) cycle has equal dates is accepted');

SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (90, 1, 11, 'annual under quarterly')$$,
    '23O02', NULL, 'objective: an annual objective under a quarterly one -> 23O02');
SELECT throws_matching(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (90, 1, 11, 'annual under quarterly')$$,
    '^new objective "annual under quarterly" cannot align to objective 11\M',
    'objective: the message names the new objective by its title, and objective 11');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (91, 3, 11, 'Q2 under Q1')$$,
    '23O02', NULL, 'objective: a Q2 objective under a Q1 one (disjoint cycles) -> 23O02');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (92, 7, 11, 'H1 under Q1')$$,
    '23O02', NULL, 'objective: an H1 objective under a Q1 one (overlapping, not covered) -> 23O02');
SELECT throws_ok(
    $$INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (1, 11, 'annual under quarterly, default id')$$,
    '23O02', NULL, 'objective: an annual objective under a quarterly one, default id -> 23O02');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id IN (90, 91, 92) OR title LIKE '%under quarterly%'), 0,
    'objective: no row of the failed INSERTs remains');

-- ===================================================================
-- UPDATE of parent_id
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.objective SET parent_id = 11 WHERE id = 20$$,
    '23O02', NULL, 'objective: aligning the Q2 objective 20 to the Q1 objective 11 -> 23O02');
SELECT is((SELECT parent_id FROM okr.objective WHERE id = 20), NULL::bigint,
    'objective: 20 is still a root');
SELECT lives_ok(
    $$UPDATE okr.objective SET parent_id = 10 WHERE id = 20$$,
    'objective: aligning the Q2 objective 20 to the annual objective 10 is accepted');

-- ===================================================================
-- UPDATE of cycle_id: the objective's own parent, then its children
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.objective SET cycle_id = 7 WHERE id = 12$$,
    '23O02', NULL, 'objective: moving 12 (under Q1 objective 11) to H1 -> 23O02 (its parent no longer covers it)');
SELECT throws_ok(
    $$UPDATE okr.objective SET cycle_id = 1 WHERE id = 12$$,
    '23O02', NULL, 'objective: moving 12 (under Q1 objective 11) to FY2026 -> 23O02');
SELECT is((SELECT cycle_id FROM okr.objective WHERE id = 12), 2::bigint,
    'objective: 12 is still in Q1');
SELECT throws_ok(
    $$UPDATE okr.objective SET cycle_id = 3 WHERE id = 11$$,
    '23O02', NULL, 'objective: moving 11 to Q2 while its children 12, 13 are in Q1 -> 23O02');
SELECT throws_matching(
    $$UPDATE okr.objective SET cycle_id = 3 WHERE id = 11$$,
    '\m11\M', 'objective: the message names objective 11');
SELECT is((SELECT cycle_id FROM okr.objective WHERE id = 11), 2::bigint,
    'objective: 11 is still in Q1');
SELECT lives_ok(
    $$UPDATE okr.objective SET cycle_id = 7 WHERE id = 11$$,
    'objective: moving 11 to H1 (covers its Q1 children, covered by its annual parent) is accepted');
SELECT throws_ok(
    $$UPDATE okr.objective SET cycle_id = 2 WHERE id = 10$$,
    '23O02', NULL, 'objective: moving the root 10 to Q1 while children are in H1 and Q2 -> 23O02');
SELECT is((SELECT cycle_id FROM okr.objective WHERE id = 10), 1::bigint,
    'objective: 10 is still in FY2026');
SELECT lives_ok(
    $$UPDATE okr.objective SET cycle_id = 1 WHERE id IN (11, 12, 13)$$,
    'objective: one UPDATE moving 11 and its children 12, 13 to FY2026 together (valid at the end) is accepted');
SELECT results_eq(
    $$SELECT id, cycle_id, parent_id FROM okr.objective ORDER BY id$$,
    $$VALUES (10::bigint, 1::bigint, NULL::bigint), (11, 1, 10), (12, 1, 11), (13, 1, 11), (20, 3, 10), (30, 5, NULL), (31, 6, 30)$$,
    'objective: cycles and parents are exactly what the accepted statements made them');

-- ===================================================================
-- A cycle's dates change: objective links are re-checked
-- (cycles 5 and 6 have no parent or child cycles; only objectives 30 <- 31 link them)
-- ===================================================================
SELECT throws_ok(
    $$UPDATE okr.cycle SET ends_on = '2026-02-28' WHERE id = 5$$,
    '23O02', NULL, 'cycle dates: shrinking the annual cycle of 30 so that its Q child 31 no longer fits -> 23O02');
SELECT throws_ok(
    $$UPDATE okr.cycle SET starts_on = '2026-02-01' WHERE id = 5$$,
    '23O02', NULL, 'cycle dates: starting the annual cycle of 30 later than its Q child 31 -> 23O02');
SELECT throws_ok(
    $$UPDATE okr.cycle SET ends_on = '2027-01-31' WHERE id = 6$$,
    '23O02', NULL, 'cycle dates: stretching the cycle of child 31 past the end of its parent''s cycle -> 23O02');
SELECT throws_ok(
    $$UPDATE okr.cycle SET starts_on = '2025-12-01' WHERE id = 6$$,
    '23O02', NULL, 'cycle dates: stretching the cycle of child 31 before the start of its parent''s cycle -> 23O02');
SELECT results_eq(
    $$SELECT id, starts_on, ends_on FROM okr.cycle WHERE id IN (5, 6) ORDER BY id$$,
    $$VALUES (5::bigint, DATE '2026-01-01', DATE '2026-12-31'), (6, DATE '2026-01-01', DATE '2026-03-31')$$,
    'cycle dates: no date changed by the failed UPDATEs');
SELECT lives_ok(
    $$UPDATE okr.cycle SET ends_on = '2026-06-30' WHERE id = 5$$,
    'cycle dates: shrinking the annual cycle while it still covers the child is accepted');
SELECT lives_ok(
    $$UPDATE okr.cycle SET ends_on = '2026-06-30' WHERE id = 6$$,
    'cycle dates: stretching the child cycle to exactly its parent''s end is accepted');

-- ===================================================================
-- Cycles inside cycles
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (53, 'starts before FY2027', '2026-12-01', '2027-03-31', 50)$$,
    '23O02', NULL, 'cycle: a child cycle starting before its parent -> 23O02');
SELECT throws_matching(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (53, 'starts before FY2027', '2026-12-01', '2027-03-31', 50)$$,
    '^new cycle "starts before FY2027" .* parent cycle 50\M',
    'cycle: the message names the new cycle by its name, and cycle 50');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (54, 'ends after FY2027', '2027-10-01', '2028-01-31', 50)$$,
    '23O02', NULL, 'cycle: a child cycle ending after its parent -> 23O02');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (55, 'contains FY2027', '2026-01-01', '2028-12-31', 50)$$,
    '23O02', NULL, 'cycle: a child cycle containing its parent -> 23O02');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (57, 'disjoint from FY2027', '2028-01-01', '2028-03-31', 50)$$,
    '23O02', NULL, 'cycle: a child cycle disjoint from its parent -> 23O02');
SELECT is((SELECT count(*)::int FROM okr.cycle WHERE id IN (53, 54, 55, 57) OR name LIKE '% FY2027'), 0,
    'cycle: no row of the failed INSERTs remains');
SELECT lives_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (56, 'FY2027 copy', '2027-01-01', '2027-12-31', 50)$$,
    'cycle: a child cycle with its parent''s exact dates is accepted');

SELECT throws_ok(
    $$UPDATE okr.cycle SET starts_on = '2027-02-01' WHERE id = 50$$,
    '23O02', NULL, 'cycle: moving the parent''s start after its child''s start -> 23O02');
SELECT throws_ok(
    $$UPDATE okr.cycle SET ends_on = '2027-03-30' WHERE id = 50$$,
    '23O02', NULL, 'cycle: moving the parent''s end before its children''s ends -> 23O02');
SELECT throws_ok(
    $$UPDATE okr.cycle SET ends_on = '2028-01-31' WHERE id = 51$$,
    '23O02', NULL, 'cycle: stretching a child past its parent''s end -> 23O02');
SELECT throws_ok(
    $$UPDATE okr.cycle SET parent_id = 52 WHERE id = 51$$,
    '23O02', NULL, 'cycle: moving Q1 2027 under FY2028 -> 23O02');
SELECT results_eq(
    $$SELECT id, starts_on, ends_on, parent_id FROM okr.cycle WHERE id IN (50, 51, 56) ORDER BY id$$,
    $$VALUES (50::bigint, DATE '2027-01-01', DATE '2027-12-31', NULL::bigint),
             (51, DATE '2027-01-01', DATE '2027-03-31', 50),
             (56, DATE '2027-01-01', DATE '2027-12-31', 50)$$,
    'cycle: no date or parent changed by the failed UPDATEs');
SELECT lives_ok(
    $$UPDATE okr.cycle SET starts_on = (starts_on + interval '1 year')::date,
                           ends_on = (ends_on + interval '1 year')::date
      WHERE id IN (50, 51, 56)$$,
    'cycle: one UPDATE shifting a parent and its children by a year together (valid at the end) is accepted');
SELECT lives_ok(
    $$UPDATE okr.cycle SET parent_id = NULL WHERE id = 51$$,
    'cycle: detaching a child cycle is accepted');

-- ===================================================================
-- rows of one INSERT referencing each other, no-op rewrites, upserts
-- ===================================================================
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (200, 2, 201, 'Q1 child first'), (201, 3, NULL, 'Q2 parent second')$$,
    '23O02', NULL, 'objective: one INSERT of a Q1 child before its Q2 parent -> 23O02');
SELECT is((SELECT count(*)::int FROM okr.objective WHERE id IN (200, 201)), 0,
    'objective: no row of that INSERT remains');
SELECT lives_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE
      VALUES (202, 2, 203, 'Q1 child first'), (203, 1, NULL, 'annual parent second')$$,
    'objective: one INSERT of a Q1 child before its annual parent is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE
      VALUES (58, 'child first 2029', '2029-01-01', '2029-03-31', 59), (59, 'parent second 2029', '2029-02-01', '2029-12-31', NULL)$$,
    '23O02', NULL, 'cycle: one INSERT of a child cycle before a parent that does not contain it -> 23O02');
SELECT is((SELECT count(*)::int FROM okr.cycle WHERE id IN (58, 59)), 0,
    'cycle: no row of that INSERT remains');
SELECT lives_ok(
    $$UPDATE okr.objective SET parent_id = parent_id, cycle_id = cycle_id$$,
    'objective: writing every parent_id and cycle_id back unchanged is accepted');
SELECT lives_ok(
    $$UPDATE okr.cycle SET starts_on = starts_on, ends_on = ends_on, parent_id = parent_id$$,
    'cycle: writing every date and parent back unchanged is accepted');
SELECT throws_ok(
    $$INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES (202, 2, 20, 'x')
      ON CONFLICT (id) DO UPDATE SET parent_id = EXCLUDED.parent_id$$,
    '23O02', NULL, 'objective: INSERT ... ON CONFLICT DO UPDATE aligning the Q1 objective 202 to the Q2 objective 20 -> 23O02');
SELECT throws_ok(
    $$MERGE INTO okr.cycle c USING (VALUES (5::bigint, DATE '2026-05-31')) AS v(id, e) ON c.id = v.id
      WHEN MATCHED THEN UPDATE SET ends_on = v.e$$,
    '23O02', NULL, 'cycle dates: MERGE shrinking the cycle of 30 below its child 31''s cycle -> 23O02');
SELECT results_eq(
    $$SELECT (SELECT parent_id FROM okr.objective WHERE id = 202), (SELECT ends_on FROM okr.cycle WHERE id = 5)$$,
    $$VALUES (203::bigint, DATE '2026-06-30')$$,
    'nothing changed by the rejected upsert and MERGE');

SELECT * FROM finish();
ROLLBACK;
