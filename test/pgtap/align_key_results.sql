-- SPEC 1b (new in 1.1): objectives aligned to key results; SPEC 3 (changed
-- in 1.1): pace-aware expected progress and the status of the parts of a
-- closed or cancelled item; SPEC 2 rule 5: no check-in in the future.
-- Every figure is computed by hand in the comment above its test.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(42);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
SELECT q, s::date, e::date, (SELECT id FROM okr.cycle WHERE name = '2026')
  FROM (VALUES ('Q1', '2026-01-01', '2026-03-31'), ('Q3', '2026-07-01', '2026-09-30'),
               ('Q4', '2026-10-01', '2026-12-31')) v (q, s, e);
CREATE TEMP TABLE c AS SELECT name, id FROM okr.cycle;
CREATE FUNCTION pg_temp.cy(n text) RETURNS bigint LANGUAGE sql AS $$SELECT id FROM c WHERE name = n$$;
CREATE FUNCTION pg_temp.o(t text) RETURNS bigint LANGUAGE sql AS $$SELECT id FROM okr.objective WHERE title = t$$;
CREATE FUNCTION pg_temp.k(t text) RETURNS bigint LANGUAGE sql AS $$SELECT id FROM okr.key_result WHERE title = t$$;
CREATE FUNCTION pg_temp.p(item text, t text, at timestamptz) RETURNS double precision LANGUAGE sql AS $$
    SELECT g.progress FROM okr.progress(at) g
     WHERE g.item = p.item AND g.id = CASE p.item WHEN 'objective' THEN pg_temp.o(t) ELSE pg_temp.k(t) END$$;
CREATE FUNCTION pg_temp.e(item text, t text, at timestamptz) RETURNS double precision LANGUAGE sql AS $$
    SELECT g.expected FROM okr.progress(at) g
     WHERE g.item = e.item AND g.id = CASE e.item WHEN 'objective' THEN pg_temp.o(t) ELSE pg_temp.k(t) END$$;

-- Company (2026): Sales (metric 0 -> 120, at 60) and Enterprise (objectives)
INSERT INTO okr.objective (cycle_id, title) VALUES (pg_temp.cy('2026'), 'Company');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
     VALUES (pg_temp.o('Company'), 'Sales', 0, 120);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (pg_temp.o('Company'), 'Enterprise', 'objectives');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('Sales'), 60, '2026-06-01');
SELECT is(pg_temp.p('key_result', 'Enterprise', '2026-08-16'), NULL,
          'a key result of kind objectives with nothing aligned is not scored (NULL)');
-- ... and Company leaves it out: 0.5 from Sales alone
SELECT is(pg_temp.p('objective', 'Company', '2026-08-16'), 0.5::float8,
          'its objective leaves it out (Sales alone: 60/120 = 0.5)');

-- Win enterprise (Q3, weight 3): e1 metric 0 -> 10 at 5 (0.5)
-- Keep enterprise (Q4, weight 1): f1 milestone, done (1)
INSERT INTO okr.objective (cycle_id, title, parent_key_result_id, weight)
     VALUES (pg_temp.cy('Q3'), 'Win enterprise', pg_temp.k('Enterprise'), 3),
            (pg_temp.cy('Q4'), 'Keep enterprise', pg_temp.k('Enterprise'), 1);
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
     VALUES (pg_temp.o('Win enterprise'), 'e1', 0, 10);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (pg_temp.o('Keep enterprise'), 'f1', 'milestone');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('e1'), 5, '2026-08-01');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('f1'), 1, '2026-10-02');

-- at 2026-11-01: Enterprise = (3 * 0.5 + 1 * 1) / 4 = 0.625;
-- Company = (0.5 + 0.625) / 2 = 0.5625
SELECT is(pg_temp.p('key_result', 'Enterprise', '2026-11-01'), 0.625::float8,
          'Enterprise is the weighted mean of its aligned objectives: (3 x 0.5 + 1 x 1) / 4');
SELECT is(pg_temp.p('objective', 'Company', '2026-11-01'), 0.5625::float8,
          'Company = mean(Sales 0.5, Enterprise 0.625)');
SELECT is(okr.objective_progress(pg_temp.o('Company'), '2026-11-01'), 0.5625::float8,
          'objective_progress walks the subtree through the key result');
SELECT results_eq(
    $$SELECT parent_item, parent_id FROM okr.progress('2026-11-01') WHERE item = 'objective' AND id = pg_temp.o('Win enterprise')$$,
    $$VALUES ('key_result'::text, pg_temp.k('Enterprise'))$$,
    'okr.progress: the parent of an objective aligned to a key result is that key result');
-- Expected, at 2026-08-16: Win enterprise (Q3) 46/92 = 0.5; Keep enterprise (Q4) 0;
-- Enterprise = (3 x 0.5 + 1 x 0) / 4 = 0.375; Sales: 2026 elapsed 227/365;
-- Company = (227/365 + 0.375) / 2
SELECT is(pg_temp.e('key_result', 'Enterprise', '2026-08-16'), 0.375::float8,
          'expected of a key result of kind objectives: weighted mean of its objectives'' expected');
SELECT ok(abs(pg_temp.e('objective', 'Company', '2026-08-16') - (227.0 / 365 + 0.375) / 2) < 1e-12,
          'expected of Company: mean of its items'' expected ((227/365 + 0.375) / 2)');
-- none counted (both draft): Enterprise NULL again, Company back to Sales alone
UPDATE okr.objective SET state = 'draft' WHERE title IN ('Win enterprise', 'Keep enterprise');
SELECT is(pg_temp.p('key_result', 'Enterprise', '2026-11-01'), NULL, 'aligned objectives all drafts: not scored');
SELECT is(pg_temp.p('objective', 'Company', '2026-11-01'), 0.5::float8, 'and left out of Company');
UPDATE okr.objective SET state = 'active' WHERE title IN ('Win enterprise', 'Keep enterprise');
-- counted once, through the key result, whatever Company's rollup
UPDATE okr.objective SET rollup = 'children' WHERE title = 'Company';
SELECT is(pg_temp.p('objective', 'Company', '2026-11-01'), NULL,
          'rollup children: objectives aligned to its key results are not its children (not scored)');
UPDATE okr.objective SET rollup = 'both' WHERE title = 'Company';

-- aligned to a key result of another kind: shown under it, no effect
INSERT INTO okr.objective (cycle_id, title, parent_key_result_id) VALUES (pg_temp.cy('Q3'), 'Sales push', pg_temp.k('Sales'));
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (pg_temp.o('Sales push'), 'sp1', 0, 4);
SELECT is(pg_temp.p('key_result', 'Sales', '2026-11-01'), 0.5::float8,
          'an objective aligned to a metric key result does not change its progress');
SELECT is(pg_temp.p('objective', 'Company', '2026-11-01'), 0.5625::float8, 'nor its objective''s');
SELECT results_eq(
    $$SELECT depth, id_path, via_key_result_id, parent_objective_id, root_objective_id
        FROM okr.alignment WHERE objective_id = pg_temp.o('Sales push')$$,
    $$VALUES (1, ARRAY[pg_temp.o('Company'), pg_temp.o('Sales push')], pg_temp.k('Sales'), pg_temp.o('Company'), pg_temp.o('Company'))$$,
    'okr.alignment: under Company through key result Sales');
SELECT results_eq(
    $$SELECT depth, path, parent_objective_id FROM okr.objective_report WHERE objective_id = pg_temp.o('Win enterprise')$$,
    $$VALUES (1, 'Company › Win enterprise', pg_temp.o('Company'))$$,
    'objective_report: depth and path through the key result');
-- progress_history agrees with progress
SELECT is((SELECT progress FROM okr.progress_history('2026-11-01', '2026-11-01', '1 day')
            WHERE item = 'key_result' AND id = pg_temp.k('Enterprise')), 0.625::float8,
          'progress_history computes kind objectives too');

-- ===================================================================
-- Rules across the new link
-- ===================================================================
SELECT throws_ok($$UPDATE okr.objective SET parent_key_result_id = pg_temp.k('e1') WHERE title = 'Company'$$,
                 '23O01', NULL, 'rule 1: Company cannot align to a key result of an objective below it');
SELECT throws_like($$UPDATE okr.objective SET parent_key_result_id = pg_temp.k('e1') WHERE title = 'Company'$$,
                   '%cannot align to key result % of objective %: % is already below %',
                   'the error names the key result and its objective');
INSERT INTO okr.objective (cycle_id, title) VALUES (pg_temp.cy('Q3'), 'Quarter');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (pg_temp.o('Quarter'), 'Quarter kr', 'objectives');
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, title, parent_key_result_id) VALUES (pg_temp.cy('2026'), 'Annual under Q3', pg_temp.k('Quarter kr'))$$,
                 '23O02', NULL, 'rule 2: an annual objective cannot align to a key result of a Q3 objective');
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, title, parent_id, parent_key_result_id) VALUES (pg_temp.cy('Q3'), 'two parents', pg_temp.o('Company'), pg_temp.k('Sales'))$$,
                 '23514', NULL, 'at most one of parent_id and parent_key_result_id');
UPDATE okr.key_result SET state = 'cancelled' WHERE title = 'Quarter kr';
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, title, parent_key_result_id) VALUES (pg_temp.cy('Q3'), 'under cancelled', pg_temp.k('Quarter kr'))$$,
                 '23O06', NULL, 'rule 6: nothing aligns under a cancelled key result');
UPDATE okr.key_result SET state = 'active' WHERE title = 'Quarter kr';
UPDATE okr.objective SET state = 'closed' WHERE title = 'Quarter';
SELECT throws_ok($$INSERT INTO okr.objective (cycle_id, title, parent_key_result_id) VALUES (pg_temp.cy('Q3'), 'under closed', pg_temp.k('Quarter kr'))$$,
                 '23O06', NULL, 'rule 6: nothing aligns under a key result of a closed objective');
UPDATE okr.objective SET state = 'active' WHERE title = 'Quarter';
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('Enterprise'), 1, '2026-08-01')$$,
                 '23O03', NULL, 'rule 3: a key result of kind objectives takes no check-ins');
SELECT throws_ok($$UPDATE okr.key_result SET kind = 'objectives' WHERE title = 'Sales'$$,
                 '23O03', NULL, 'a key result with check-ins cannot become kind objectives');
-- moving a key result re-checks the objectives aligned to it
SELECT throws_ok($$UPDATE okr.key_result SET objective_id = pg_temp.o('Win enterprise') WHERE title = 'Enterprise'$$,
                 '23O01', NULL, 'rule 1: Enterprise cannot move below an objective aligned to it');
INSERT INTO okr.objective (cycle_id, title) VALUES (pg_temp.cy('Q1'), 'First quarter');
SELECT throws_ok($$UPDATE okr.key_result SET objective_id = pg_temp.o('First quarter') WHERE title = 'Enterprise'$$,
                 '23O02', NULL, 'rule 2: Enterprise cannot move to a Q1 objective (its aligned Q3 and Q4 objectives)');
SELECT is((SELECT count(*) FROM okr.check_integrity()), 0::bigint, 'check_integrity finds nothing broken');

-- ===================================================================
-- Pace-aware expected progress (SPEC 3, changed in 1.1)
-- ===================================================================
-- Annual (children only) with a Q3 child (weight 1) and a Q4 child (weight 1):
-- at 2026-08-16, Q3 expected 46/92 = 0.5, Q4 0: Annual (0.5 + 0) / 2 = 0.25
-- (1.0 said 227/365 = 0.62 and called it off track all year).
INSERT INTO okr.objective (cycle_id, title, rollup) VALUES (pg_temp.cy('2026'), 'Annual', 'children');
INSERT INTO okr.objective (cycle_id, title, parent_id) VALUES (pg_temp.cy('Q3'), 'Annual Q3', pg_temp.o('Annual')),
                                                             (pg_temp.cy('Q4'), 'Annual Q4', pg_temp.o('Annual'));
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
     VALUES (pg_temp.o('Annual Q3'), 'q3kr', 0, 100), (pg_temp.o('Annual Q4'), 'q4kr', 0, 100);
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('q3kr'), 45, '2026-08-15');
SELECT is(pg_temp.e('objective', 'Annual Q3', '2026-08-16'), 0.5::float8, 'Q3 objective: 46 of 92 days: 0.5');
SELECT is(pg_temp.e('objective', 'Annual', '2026-08-16'), 0.25::float8,
          'Annual: the weighted mean of its children''s expected progress (0.5 + 0) / 2');
-- progress (0.45 + 0) / 2 = 0.225; 0.225 / 0.25 = 0.9 -> on_track (was 0.225 / 0.62: off_track)
SELECT is((SELECT status FROM okr.progress('2026-08-16') WHERE item = 'objective' AND id = pg_temp.o('Annual')), 'on_track',
          'Annual is on track: 0.225 / 0.25 = 0.9');
SELECT is((SELECT status FROM okr.objective_report WHERE objective_id = pg_temp.o('Annual')),
          (SELECT status FROM okr.progress() WHERE item = 'objective' AND id = pg_temp.o('Annual')),
          'objective_report shows the same status as okr.progress');
-- no counted items: its own cycle's share
INSERT INTO okr.objective (cycle_id, title) VALUES (pg_temp.cy('Q3'), 'Empty Q3');
SELECT is(pg_temp.e('objective', 'Empty Q3', '2026-08-16'), 0.5::float8, 'an objective with nothing counted: its own cycle''s share');
SELECT is(pg_temp.p('objective', 'Empty Q3', '2026-08-16'), NULL, '... and it is not scored');
-- weight 0 leaves a child out of expected too: Annual = Q3's 0.5
UPDATE okr.objective SET weight = 0 WHERE title = 'Annual Q4';
SELECT is(pg_temp.e('objective', 'Annual', '2026-08-16'), 0.5::float8, 'a child of weight 0 counts in neither');
UPDATE okr.objective SET weight = 1 WHERE title = 'Annual Q4';

-- ===================================================================
-- Status below a closed or cancelled item (SPEC 3, changed in 1.1)
-- ===================================================================
INSERT INTO okr.project (key_result_id, name) VALUES (pg_temp.k('q3kr'), 'events');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (pg_temp.o('Annual Q3'), 'q3 other', 0, 1);
INSERT INTO okr.project (key_result_id, name) VALUES (pg_temp.k('q3 other'), 'other project');
UPDATE okr.key_result SET state = 'cancelled' WHERE title = 'q3 other';
UPDATE okr.objective SET state = 'closed' WHERE title = 'Annual Q3';
SELECT results_eq(
    $$SELECT item, status FROM okr.progress('2026-08-16')
       WHERE (item = 'key_result' AND id IN (pg_temp.k('q3kr'), pg_temp.k('q3 other')))
          OR (item = 'project' AND id IN (SELECT id FROM okr.project WHERE name IN ('events', 'other project')))
       ORDER BY item, id$$,
    $$VALUES ('key_result', 'closed'), ('key_result', 'cancelled'), ('project', 'closed'), ('project', 'cancelled')$$,
    'parts of a closed objective report closed; a project of a cancelled key result cancelled');
SELECT is((SELECT status FROM okr.project_report WHERE name = 'events'), 'closed', 'project_report too');
UPDATE okr.objective SET state = 'draft' WHERE title = 'Annual Q4';
SELECT is((SELECT status FROM okr.progress('2026-08-16') WHERE item = 'key_result' AND id = pg_temp.k('q4kr')), 'draft',
          'a key result of a draft objective reports draft');
SELECT is((SELECT status FROM okr.progress('2026-08-16') WHERE item = 'objective' AND id = pg_temp.o('Annual Q3')), 'closed',
          'a closed objective reports closed');

-- ===================================================================
-- Rule 5: no check-in dated in the future (new in 1.1)
-- ===================================================================
-- (a cycle around today, so that this holds whatever the date)
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('now', current_date - 60, current_date + 60);
INSERT INTO okr.objective (cycle_id, title) SELECT id, 'Now' FROM okr.cycle WHERE name = 'now';
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (pg_temp.o('Now'), 'now kr', 0, 10);
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('now kr'), 999, now() + interval '3 weeks')$$,
                 '23O05', NULL, 'a check-in three weeks ahead, inside its cycle, is refused (23O05)');
SELECT throws_like($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('now kr'), 999, now() + interval '1 hour')$$,
                   'a check-in of key result % at % is in the future', 'the error names what the user wrote, not an id that will never exist');
SELECT lives_ok($$INSERT INTO okr.checkin (key_result_id, value) VALUES (pg_temp.k('now kr'), 6)$$,
                'a check-in at now() is accepted');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (pg_temp.k('now kr'), 7, now() - interval '1 day');
SELECT throws_ok($$UPDATE okr.checkin SET checked_at = now() + interval '1 day' WHERE value = 7 AND key_result_id = pg_temp.k('now kr')$$,
                 '23O05', NULL, 'moving a check-in into the future is refused too');

SELECT * FROM finish();
ROLLBACK;
