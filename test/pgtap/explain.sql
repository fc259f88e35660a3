-- okr.explain (SPEC 8, doc/analysts.md): the derivation of an objective's
-- figure on a small organisation with every case, hand-computed; its
-- figures are okr.progress()'s; bad input; access by team (SPEC 9: hidden
-- items summed into one row, no title or id of a private objective, one
-- truth).  The add-up invariant on random organisations is in
-- rollup_reference.sql; the past as it was and known_at (which need
-- committed history) in sql/explain_past.sql.
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = warning;
SELECT plan(43);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

-- ---------------------------------------------------------------------------
-- Fixture: the ids are those of the comments
-- ---------------------------------------------------------------------------
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.team (name) VALUES ('Company'), ('Secret');                       -- teams 1, 2
INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (1, 1, 'Root');        -- 1
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight) VALUES
    (1, 'Cut cost 100 -> 50', 'metric', 100, 50, 2),   -- 1: decrease target
    (1, 'Launch', 'milestone', NULL, NULL, 0),         -- 2: weight 0
    (1, 'Ten deals', 'at_least', NULL, 10, 1),         -- 3: cancelled below
    (1, 'Deliver', 'projects', NULL, NULL, 1),         -- 4
    (1, 'Teams deliver', 'objectives', NULL, NULL, 1), -- 5
    (1, 'Unmeasured', 'metric', 0, 100, 1),            -- 6: no check-in
    (1, 'Nobody aligned', 'objectives', NULL, NULL, 1);-- 7: none counted: not scored
INSERT INTO okr.objective (cycle_id, team_id, parent_id, parent_key_result_id, title, weight, rollup, state) VALUES
    (1, 1, NULL, 5, 'Aligned A1', 1, 'both', 'active'),        -- 2
    (1, 1, NULL, 5, 'Aligned A2 draft', 1, 'both', 'draft'),   -- 3
    (1, 1, NULL, 7, 'Aligned A3 weight 0', 0, 'both', 'active'),-- 4
    (1, 1, NULL, 1, 'Aligned A4 to a metric', 1, 'both', 'active'), -- 5
    (1, 2, 1, NULL, 'Child C1', 1, 'key_results', 'active'),  -- 6 (made private below)
    (1, 1, 1, NULL, 'Child C2', 1, 'both', 'active'),         -- 7: cancelled below
    (1, 1, 1, NULL, 'Child C3 empty', 1, 'both', 'active');   -- 8: not scored
INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (1, 1, 6, 'Grandchild G1');  -- 9
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES
    (2, 'A1 metric', 'metric', 0, 10),     -- 8
    (5, 'A4 milestone', 'milestone', NULL, NULL), -- 9
    (6, 'C1 at most 5', 'at_most', NULL, 5), -- 10
    (9, 'G1 milestone', 'milestone', NULL, NULL), -- 11
    (7, 'C2 metric', 'metric', 0, 1),      -- 12
    (3, 'A2 metric', 'metric', 0, 10);     -- 13
INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES
    (1, 90, '2026-02-01', 'ann'),   -- 1
    (1, 70, '2026-03-01', 'bob'),   -- 2
    (1, 80, '2026-03-01', 'cat'),   -- 3: same moment, higher id: the value from 03-01 on
    (2, 1, '2026-02-01', 'ann'),    -- 4
    (8, 5, '2026-02-01', 'dan'),    -- 5
    (9, 0, '2026-02-01', 'dan'),    -- 6
    (10, 4, '2026-02-01', 'eve'),   -- 7
    (11, 1, '2026-02-01', 'eve'),   -- 8
    (13, 10, '2026-02-01', 'fay');  -- 9
INSERT INTO okr.project (key_result_id, name, weight) VALUES
    (4, 'P1', 3), (4, 'P2', 1), (4, 'P3', 2), (4, 'P4 weight 0', 0),  -- 1 to 4
    (1, 'P5 under a metric', 1);                                       -- 5
UPDATE okr.project SET state = 'done' WHERE id = 2;
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES
    (1, 't1', 1, 'done', '2026-02-10'), (1, 't2', 3, 'todo', NULL),
    (3, 't3', 1, 'done', '2026-02-10'), (5, 't5', 2, 'done', '2026-02-10'), (5, 't6', 2, 'todo', NULL);
UPDATE okr.project SET state = 'cancelled' WHERE id = 3;
UPDATE okr.key_result SET state = 'cancelled' WHERE id = 3;
UPDATE okr.objective SET state = 'cancelled' WHERE id = 7;

CREATE TEMP TABLE e AS SELECT * FROM okr.explain(1, '2026-06-01');
-- one row of e, as text, for is()
CREATE FUNCTION pg_temp.row_of(i text, n bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('depth=%s parent=%s/%s weight=%s share=%s progress=%s contribution=%s counted=%s reason=%s',
                  depth, parent_item, parent_id, weight, round(share::numeric, 12), round(progress::numeric, 12),
                  round(contribution::numeric, 12), counted, reason)
      FROM e WHERE item = i AND id = n
$$;

-- The first column of a query's first row as text, as role r ('ERROR sqlstate').
CREATE FUNCTION pg_temp.get_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE format('SET ROLE %I', r);
    BEGIN
        EXECUTE q INTO v;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v = RETURNED_SQLSTATE;
        v := 'ERROR ' || v;
    END;
    RESET ROLE;
    RETURN v;
END $$;

-- ---------------------------------------------------------------------------
-- The derivation, hand-computed (as of 2026-06-01)
-- ---------------------------------------------------------------------------
-- Root counts KR1 (weight 2, (80 - 100) / (50 - 100) = 0.4), KR4 (1,
-- (3 x 1/4 + 1 x 1) / 4 = 0.4375), KR5 (1, A1's 5/10 = 0.5), KR6 (1, no
-- value: 0) and C1 (1, its key result only: 4 <= 5, 1): 6 in all, so
-- progress (0.8 + 0.4375 + 0.5 + 0 + 1) / 6 = 2.7375 / 6 = 0.45625.
SELECT is(pg_temp.row_of('objective', 1),
    'depth=0 parent=/ weight=1 share= progress=0.456250000000 contribution= counted= reason=',
    'the root: progress 2.7375 / 6, no share, no contribution');
SELECT is(pg_temp.row_of('key_result', 1),
    'depth=1 parent=objective/1 weight=2 share=0.333333333333 progress=0.400000000000 contribution=0.133333333333 counted=t reason=',
    'a decrease target (100 -> 50 at 80): 0.4, weight 2 of 6');
SELECT is((SELECT format('%s %s %s %s', value, checkin_id, checkin_at, checkin_by) FROM e WHERE item = 'key_result' AND id = 1),
    '80 3 2026-03-01 00:00:00+00 cat',
    'its value comes from check-in 3 (tied on checked_at with 2: the higher id), at 03-01 by cat');
SELECT is(pg_temp.row_of('key_result', 2),
    'depth=1 parent=objective/1 weight=0 share= progress=1.000000000000 contribution= counted=f reason=zero_weight',
    'weight 0: left out (zero_weight), its progress shown');
SELECT is(pg_temp.row_of('key_result', 3),
    'depth=1 parent=objective/1 weight=1 share= progress=0.000000000000 contribution= counted=f reason=cancelled',
    'a cancelled key result: left out (cancelled)');
SELECT is(pg_temp.row_of('key_result', 4),
    'depth=1 parent=objective/1 weight=1 share=0.166666666667 progress=0.437500000000 contribution=0.072916666667 counted=t reason=',
    'kind projects: (3 x 0.25 + 1 x 1) / 4');
SELECT is((SELECT string_agg(format('%s:%s/%s:%s:%s:%s', id, effort_done, effort_total, round(share::numeric, 4),
                                    round(contribution::numeric, 4), coalesce(reason, '-')), ' ' ORDER BY id)
             FROM e WHERE item = 'project' AND parent_id = 4),
    '1:1/4:0.7500:0.1875:- 2:0/0:0.2500:0.2500:- 3:1/1:::cancelled 4:0/0:::zero_weight',
    'its projects: P1 1 of 4 done (share 3/4), P2 done without tasks (1/4), P3 cancelled, P4 weight 0');
SELECT is(pg_temp.row_of('project', 5),
    'depth=2 parent=key_result/1 weight=1 share= progress=0.500000000000 contribution= counted=f reason=parent_kind',
    'a project under a metric: shown with its effort, left out by the key result''s kind');
SELECT is((SELECT format('%s/%s', effort_done, effort_total) FROM e WHERE item = 'project' AND id = 5), '2/4',
    '... its task effort, 2 of 4');
SELECT is(pg_temp.row_of('objective', 5),
    'depth=2 parent=key_result/1 weight=1 share= progress=0.000000000000 contribution= counted=f reason=parent_kind',
    'an objective aligned to a metric: under it, not counted (parent_kind)');
SELECT is(pg_temp.row_of('key_result', 5),
    'depth=1 parent=objective/1 weight=1 share=0.166666666667 progress=0.500000000000 contribution=0.083333333333 counted=t reason=',
    'kind objectives: from A1 only');
SELECT is(pg_temp.row_of('objective', 2),
    'depth=2 parent=key_result/5 weight=1 share=1.000000000000 progress=0.500000000000 contribution=0.500000000000 counted=t reason=',
    'A1, aligned to it: the whole of it');
SELECT is(pg_temp.row_of('objective', 3),
    'depth=2 parent=key_result/5 weight=1 share= progress=1.000000000000 contribution= counted=f reason=draft',
    'A2, a draft: left out (draft), its own progress shown');
SELECT is(pg_temp.row_of('key_result', 6),
    'depth=1 parent=objective/1 weight=1 share=0.166666666667 progress=0.000000000000 contribution=0.000000000000 counted=t reason=',
    'a metric with no check-in: counted at 0 ...');
SELECT is((SELECT format('%s|%s|%s|%s', value, checkin_id, checkin_at, checkin_by) FROM e WHERE item = 'key_result' AND id = 6),
    '|||', '... with no value and no check-in');
SELECT is(pg_temp.row_of('key_result', 7),
    'depth=1 parent=objective/1 weight=1 share= progress= contribution= counted=f reason=not_scored',
    'kind objectives with none counted: NULL, left out (not_scored)');
SELECT is(pg_temp.row_of('objective', 4),
    'depth=2 parent=key_result/7 weight=0 share= progress= contribution= counted=f reason=zero_weight',
    '... because its one objective has weight 0');
SELECT is(pg_temp.row_of('objective', 6),
    'depth=1 parent=objective/1 weight=1 share=0.166666666667 progress=1.000000000000 contribution=0.166666666667 counted=t reason=',
    'a child objective with rollup key_results: 1 from its key result');
SELECT is(pg_temp.row_of('objective', 9),
    'depth=2 parent=objective/6 weight=1 share= progress=1.000000000000 contribution= counted=f reason=parent_rollup',
    '... its own child left out by its rollup (parent_rollup)');
SELECT is(pg_temp.row_of('objective', 7),
    'depth=1 parent=objective/1 weight=1 share= progress=0.000000000000 contribution= counted=f reason=cancelled',
    'a cancelled child: left out (cancelled)');
SELECT is(pg_temp.row_of('objective', 8),
    'depth=1 parent=objective/1 weight=1 share= progress= contribution= counted=f reason=not_scored',
    'a child with nothing to count: left out (not_scored)');
SELECT is((SELECT string_agg(format('%s %s %s', depth, item, id), ', ' ORDER BY ord) FROM
             (SELECT depth, item, id, row_number() OVER () AS ord FROM okr.explain(1, '2026-06-01')) x),
    '0 objective 1, 1 key_result 1, 2 project 5, 2 objective 5, 3 key_result 9, 1 key_result 2, 1 key_result 3, '
    '1 key_result 4, 2 project 1, 2 project 2, 2 project 3, 2 project 4, 1 key_result 5, 2 objective 2, '
    '3 key_result 8, 2 objective 3, 3 key_result 13, 1 key_result 6, 1 key_result 7, 2 objective 4, '
    '1 objective 6, 2 key_result 10, 2 objective 9, 3 key_result 11, 1 objective 7, 2 key_result 12, 1 objective 8',
    'every item once, depth first: key results (their projects, then aligned objectives), then children, by id');
SELECT is((SELECT string_agg(DISTINCT title, ',') FROM e WHERE item = 'project' AND id = 1) || ' '
          || (SELECT title FROM e WHERE item = 'objective' AND id = 9) || ' '
          || (SELECT status FROM e WHERE item = 'key_result' AND id = 3),
    'P1 Grandchild G1 cancelled', 'titles (names of projects) and statuses');
-- the add-up: every parent with counted items
SELECT is((SELECT count(*)::int FROM (
             SELECT p.item, p.id FROM e p JOIN e c ON c.parent_item = p.item AND c.parent_id = p.id AND c.counted
              GROUP BY p.item, p.id, p.progress
             HAVING abs(sum(c.contribution) - p.progress) > 1e-12) bad), 0,
    'the contributions of every parent''s counted items add up to its progress');
SELECT is((SELECT count(*)::int FROM e p WHERE EXISTS (SELECT FROM e c WHERE c.parent_item = p.item
                                                         AND c.parent_id = p.id AND c.counted)), 9,
    '... nine parents here: the root, KR4, KR5, and the objectives A1, A2, A4, C1, C2 and G1 (each from its key result)');
-- one truth with okr.progress and okr.objective_progress
SELECT is((SELECT count(*)::int FROM e JOIN okr.progress('2026-06-01') p USING (item, id)
            WHERE p.progress IS NOT DISTINCT FROM e.progress AND p.status IS NOT DISTINCT FROM e.status
              AND p.parent_item IS NOT DISTINCT FROM e.parent_item AND p.parent_id IS NOT DISTINCT FROM e.parent_id),
          (SELECT count(*)::int FROM e),
    'every row''s progress, status and parent are okr.progress()''s, to the bit');
SELECT is((SELECT progress FROM e WHERE depth = 0), okr.objective_progress(1, '2026-06-01'),
    'the root''s progress is okr.objective_progress()''s');

-- as of 2026-02-15: KR1 at 90 (0.2), from check-in 1 by ann; P1 1 of 4
-- done already: root (0.4 + 0.4375 + 0.5 + 0 + 1) / 6
SELECT is((SELECT format('%s %s %s %s', round(progress::numeric, 12), value, checkin_id, checkin_by)
             FROM okr.explain(1, '2026-02-15') WHERE item = 'key_result' AND id = 1),
    '0.200000000000 90 1 ann', 'as of 02-15: the value of then and the check-in it came from');
SELECT is((SELECT round(progress::numeric, 12) FROM okr.explain(1, '2026-02-15') WHERE depth = 0),
    round((2.3375 / 6)::numeric, 12), '... and the root of then');
-- a subtree: the counted shares of its root's items are those of its own mean
SELECT is((SELECT string_agg(format('%s %s %s', item, id, coalesce(reason, round(share::numeric, 4)::text)), ', ')
             FROM okr.explain(6, '2026-06-01')),
    'objective 6 , key_result 10 1.0000, objective 9 parent_rollup, key_result 11 1.0000',
    'explain of a child objective: its own subtree');
-- pinned moment (SPEC 8): the default as_of is okr.as_of()
SELECT set_config('okr.as_of', '2026-02-15 00:00:00+00', true) IS NOT NULL;
SELECT is((SELECT checkin_id FROM okr.explain(1) WHERE item = 'key_result' AND id = 1), 1::bigint,
    'as_of left out: the session''s okr.as_of');
SELECT set_config('okr.as_of', '', true) IS NOT NULL;

-- ---------------------------------------------------------------------------
-- A large subtree (more than 1,000 rows and key results): the titles and
-- check-ins come from one scan each instead of probes; the same answer
-- ---------------------------------------------------------------------------
INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (1, 1, 'Big');   -- 10
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT 10, 'big ' || g, 'metric', 0, 100 FROM generate_series(1, 1100) g ORDER BY g;
-- in random order, ties on checked_at, some dated after as_of
INSERT INTO okr.checkin (key_result_id, value, checked_at, author)
SELECT k.id, (random() * 100)::int, timestamptz '2026-02-01' + (floor(random() * 4) || ' days')::interval
       + CASE WHEN random() < 0.2 THEN interval '200 days' ELSE interval '0' END, 'a' || (random() * 9)::int
  FROM okr.key_result k, generate_series(1, 3) g WHERE k.objective_id = 10 ORDER BY random();
SELECT is((SELECT count(*)::int FROM okr.explain(10, '2026-06-01') e
             LEFT JOIN LATERAL (SELECT c.id, c.value, c.checked_at, c.author FROM okr.checkin c
                                 WHERE c.key_result_id = e.id AND c.checked_at <= '2026-06-01'
                                 ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) l ON true
             JOIN okr.key_result k ON k.id = e.id
            WHERE e.item = 'key_result'
              AND (e.checkin_id IS NOT DISTINCT FROM l.id AND e.value IS NOT DISTINCT FROM l.value
                   AND e.checkin_at IS NOT DISTINCT FROM l.checked_at AND e.checkin_by IS NOT DISTINCT FROM l.author
                   AND e.title = k.title)),
    1100, 'a large subtree: every key result''s title and the latest check-in dated by as_of (ties: the higher id)');
SELECT is((SELECT count(*)::int FROM okr.explain(10, '2026-06-01') WHERE item = 'key_result' AND checkin_id IS NULL),
    (SELECT count(*)::int FROM okr.key_result k WHERE k.objective_id = 10
        AND NOT EXISTS (SELECT FROM okr.checkin c WHERE c.key_result_id = k.id AND c.checked_at <= '2026-06-01')),
    '... and none for those with no check-in dated by then');

-- ---------------------------------------------------------------------------
-- Bad input
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM okr.explain(NULL)), 0, 'NULL objective: no rows');
SELECT is((SELECT count(*)::int FROM okr.explain(1, NULL)), 0, 'NULL as_of: no rows');
SELECT throws_ok($$SELECT * FROM okr.explain(999)$$, 'P0002', 'objective 999 does not exist',
    'an unknown objective: P0002');
SELECT throws_ok($$SELECT * FROM okr.explain(1, now(), '2026-01-01')$$, 'P0002',
    'objective 1 did not exist at ' || now()::text,
    'known at a moment before it was recorded, it did not exist then: P0002');

-- ---------------------------------------------------------------------------
-- Access (SPEC 9): C1 (6) private to team Secret; G1 (9) its visible child
-- ---------------------------------------------------------------------------
UPDATE okr.objective SET private = true WHERE id = 6;
UPDATE okr.objective SET title = 'PRIV-C1' WHERE id = 6;
UPDATE okr.key_result SET title = 'PRIV-C1 kr' WHERE id = 10;
CREATE ROLE okr_x_reader;      -- reads team Company only
CREATE ROLE okr_x_secret;      -- reads team Secret
SELECT okr.grant_read('okr_x_reader', 1) IS NULL;
SELECT okr.grant_read('okr_x_secret', 2) IS NULL;
CREATE TEMP TABLE e_reader AS SELECT * FROM okr.explain(1, '2026-06-01') WITH NO DATA;
CREATE TEMP TABLE e_secret AS SELECT * FROM okr.explain(1, '2026-06-01') WITH NO DATA;
GRANT ALL ON e_reader TO okr_x_reader;
GRANT ALL ON e_secret TO okr_x_secret;
SET ROLE okr_x_reader;
INSERT INTO e_reader SELECT * FROM okr.explain(1, '2026-06-01');
RESET ROLE;
SET ROLE okr_x_secret;
INSERT INTO e_secret SELECT * FROM okr.explain(1, '2026-06-01');
RESET ROLE;

SELECT is((SELECT count(*)::int FROM e_reader WHERE (item = 'objective' AND id IN (6, 9))
                                            OR (item = 'key_result' AND id IN (10, 11))
                                            OR e_reader::text LIKE '%PRIV%'), 0,
    'a reader outside team Secret: no row, title or id of the private objective, nor of what is below it');
SELECT is((SELECT format('%s %s %s/%s %s %s %s %s', depth, coalesce(id::text, '-'), parent_item, parent_id,
                         coalesce(title, '-'), round(share::numeric, 12), round(contribution::numeric, 12), counted)
             FROM e_reader WHERE item = 'hidden'),
    '1 - objective/1 - 0.166666666667 0.166666666667 t',
    '... its share and contribution in one row (item hidden, no id, no title)');
SELECT is((SELECT round(sum(contribution)::numeric, 12) FROM e_reader WHERE parent_item = 'objective' AND parent_id = 1 AND counted),
    (SELECT round(progress::numeric, 12) FROM e_reader WHERE depth = 0),
    '... so the root''s contributions still add up, to the progress every reader sees (one truth)');
SELECT is((SELECT count(*)::int FROM e_secret), (SELECT count(*)::int FROM e),
    'a reader of team Secret sees every row, as the owner');
SELECT is(pg_temp.get_as('okr_x_reader', 'SELECT count(*) FROM okr.explain(6)'), 'ERROR P0002',
    'the private objective asked for by id does not exist (P0002)');
SELECT is(pg_temp.get_as('okr_x_reader',
    $$SELECT format('%s %s/%s %s', item, parent_item, parent_id, title) FROM okr.explain(9) WHERE depth = 0$$),
    'objective objective/6 Grandchild G1',
    'a visible child of the private objective: explained, showing only its parent''s id');

SELECT * FROM finish();
ROLLBACK;
