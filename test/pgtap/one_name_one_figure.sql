-- One name, one figure (issue 13, item 7): across the reporting views a
-- column name means one figure.  For the same object, two views' columns of
-- the same name agree: objective_report, objective_facts and alignment per
-- objective; team_report for a team with one objective in a cycle, and
-- cycle_report for a cycle with one objective, against that objective's
-- objective_report row; team_report and cycle_report per cycle.  The shared
-- names are read from the catalog, so a column added later under a name
-- another view already uses is compared too.  Then hand-computed values of
-- a small organisation (activity over each task once, aligned objectives
-- included; expected beside mean_progress), and the same comparisons on
-- the demo's organisation.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(24);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

-- Rows of view a and view b that are about the same object (join), and
-- every column both have under the same name, except those listed in
-- skip; returns one line per disagreement ("column: key a-value b-value").
-- Doubles agree to 1e-12 (C and SQL sum in different orders).
CREATE FUNCTION pg_temp.disagreements(a text, b text, keys text, join_on text, only_where text DEFAULT 'true',
                                      skip text[] DEFAULT '{}')
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE col record; r text;
BEGIN
    FOR col IN
        SELECT ca.column_name, ca.data_type
          FROM information_schema.columns ca
          JOIN information_schema.columns cb ON cb.column_name = ca.column_name
         WHERE ca.table_schema = 'okr' AND ca.table_name = a
           AND cb.table_schema = 'okr' AND cb.table_name = b
           AND ca.column_name <> ALL (skip)
         ORDER BY ca.column_name
    LOOP
        FOR r IN EXECUTE format(
            'SELECT %L || '': '' || %s || '' '' || coalesce(a.%I::text, ''NULL'') || '' '' || coalesce(b.%I::text, ''NULL'')
               FROM okr.%I a JOIN okr.%I b ON %s
              WHERE (%s) AND (%s)',
            col.column_name, keys, col.column_name, col.column_name, a, b, join_on, only_where,
            CASE WHEN col.data_type = 'double precision'
                 THEN format('(a.%1$I IS NULL) <> (b.%1$I IS NULL) OR abs(a.%1$I - b.%1$I) > 1e-12', col.column_name)
                 ELSE format('a.%1$I IS DISTINCT FROM b.%1$I', col.column_name) END)
        LOOP
            RETURN NEXT r;
        END LOOP;
    END LOOP;
END $$;

-- Names two views share, for a given pair (to show the comparison is not empty).
CREATE FUNCTION pg_temp.shared(a text, b text) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(ca.column_name::text ORDER BY ca.column_name)
      FROM information_schema.columns ca
      JOIN information_schema.columns cb ON cb.column_name = ca.column_name
     WHERE ca.table_schema = 'okr' AND ca.table_name = a AND cb.table_schema = 'okr' AND cb.table_name = b
$$;

-- The comparisons, as tests (run on two organisations below).
CREATE FUNCTION pg_temp.compare_views(org text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEXT is_empty($q$SELECT * FROM pg_temp.disagreements('objective_report', 'objective_facts', 'a.objective_id',
                            'b.objective_id = a.objective_id')$q$,
                         org || ': objective_report and objective_facts agree on every column they share');
    RETURN NEXT is_empty($q$SELECT * FROM pg_temp.disagreements('objective_report', 'alignment', 'a.objective_id',
                            'b.objective_id = a.objective_id')$q$,
                         org || ': objective_report and alignment agree on every column they share');
    -- a team with exactly one objective in a cycle, and that one counted
    RETURN NEXT is_empty($q$SELECT * FROM pg_temp.disagreements('team_report', 'objective_report', 'a.team_name',
                            'b.team_id IS NOT DISTINCT FROM a.team_id AND b.cycle_id = a.cycle_id',
                            'a.objectives = 1 AND b.state IN (''active'', ''closed'')')$q$,
                         org || ': team_report of a team with one objective agrees with objective_report on every column they share');
    RETURN NEXT is_empty($q$SELECT * FROM pg_temp.disagreements('cycle_report', 'objective_report', 'a.cycle_name',
                            'b.cycle_id = a.cycle_id', 'a.objectives = 1 AND b.state IN (''active'', ''closed'')')$q$,
                         org || ': cycle_report of a cycle with one objective agrees with objective_report on every column they share');
    -- the figures under other names: mean_progress is the objective's progress
    RETURN NEXT is_empty($q$SELECT t.team_name FROM okr.team_report t JOIN okr.objective_report o
                               ON o.team_id IS NOT DISTINCT FROM t.team_id AND o.cycle_id = t.cycle_id
                            WHERE t.objectives = 1 AND o.state IN ('active', 'closed')
                              AND t.mean_progress IS DISTINCT FROM o.progress$q$,
                         org || ': ... and its mean_progress is the objective''s progress');
    RETURN NEXT is_empty($q$SELECT * FROM pg_temp.disagreements('team_report', 'cycle_report', 'a.cycle_name',
                            'b.cycle_id = a.cycle_id', 'true',
                            -- per team against per cycle: counts and means differ by design
                            ARRAY['objectives', 'on_track', 'at_risk', 'off_track', 'achieved', 'not_scored',
                                  'not_started', 'draft', 'closed', 'cancelled', 'mean_progress', 'expected',
                                  'activity', 'outcome_gap', 'mean_score', 'green', 'yellow', 'red'])$q$,
                         org || ': team_report and cycle_report agree on what they say of the cycle');
END $$;

SELECT is(pg_temp.shared('team_report', 'objective_report'),
          '{activity,cycle_ended,cycle_ends_on,cycle_id,cycle_name,cycle_starts_on,expected,outcome_gap,team_id,team_name,team_path}',
          'team_report shares these names with objective_report, and each is compared');
SELECT is(pg_temp.shared('cycle_report', 'objective_report'),
          '{activity,cycle_ended,cycle_id,cycle_name,expected,key_results,outcome_gap}',
          'cycle_report shares these names with objective_report, and each is compared');

-- ===================================================================
-- A small organisation, by hand.  Cycle Long runs 2000-2099 (share
-- elapsed e), Past is 2001 (elapsed 1), Future 2098 (elapsed 0).
--
--   O1 Company goal (Company, Long)       K1 metric 0 -> 100 at 40: 0.4
--                                         K2 kind objectives <- O2
--                                         project P4 under K1: 1 of 4 done
--     O2 Sales goal (Sales, Past, via K2) K3 at_least 10 at 12: 1
--                                         project P1 under K3: 3 of 4 done
--       O5 Sales sub (Sales, Past)        K6 projects <- P5: 1 of 1 done: 1
--     O3 Sales later (Sales, Future)      K4 metric 0 -> 10, no value: 0
--                                         project P2 under K4: 0 of 2 done
--   O4 Ops goal (Ops, Long)               K5 milestone at 1: 1
--                                         project P3 under K5: 2 of 2 done
--
-- O5 = 1 (expected 1); O2 = (1 + 1) / 2 = 1 (expected 1); K2 = O2 = 1;
-- O3 = 0 (expected 0); O1 = (0.4 + 1 + 0) / 3 = 7/15, expected (e + 1 + 0) / 3.
-- Activity, each task once, aligned objectives included: O2 = (3 + 1) /
-- (4 + 1) = 0.8; O1 = (1 + 4 + 0) / (4 + 5 + 2) = 5/11; O4 = 1.
-- ===================================================================
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Long', '2000-01-01', '2099-12-31');
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) SELECT 'Past', '2001-01-01', '2001-12-31', id FROM okr.cycle WHERE name = 'Long';
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) SELECT 'Future', '2098-01-01', '2098-12-31', id FROM okr.cycle WHERE name = 'Long';
INSERT INTO okr.team (name) VALUES ('Company'), ('Sales'), ('Ops');
CREATE FUNCTION pg_temp.cy(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM okr.cycle WHERE name = n $$;
CREATE FUNCTION pg_temp.tm(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM okr.team WHERE name = n $$;
CREATE FUNCTION pg_temp.ob(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM okr.objective WHERE title = n $$;
CREATE FUNCTION pg_temp.kr(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM okr.key_result WHERE title = n $$;
CREATE FUNCTION pg_temp.pr(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM okr.project WHERE name = n $$;

INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (pg_temp.cy('Long'), pg_temp.tm('Company'), 'Company goal');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (pg_temp.ob('Company goal'), 'K1', 0, 100);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (pg_temp.ob('Company goal'), 'K2', 'objectives');
INSERT INTO okr.objective (cycle_id, team_id, parent_key_result_id, title) VALUES (pg_temp.cy('Past'), pg_temp.tm('Sales'), pg_temp.kr('K2'), 'Sales goal');
INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (pg_temp.ob('Sales goal'), 'K3', 'at_least', 10);
INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (pg_temp.cy('Past'), pg_temp.tm('Sales'), pg_temp.ob('Sales goal'), 'Sales sub');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (pg_temp.ob('Sales sub'), 'K6', 'projects');
INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (pg_temp.cy('Future'), pg_temp.tm('Sales'), pg_temp.ob('Company goal'), 'Sales later');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (pg_temp.ob('Sales later'), 'K4', 0, 10);
INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (pg_temp.cy('Long'), pg_temp.tm('Ops'), 'Ops goal');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (pg_temp.ob('Ops goal'), 'K5', 'milestone');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
    (pg_temp.kr('K1'), 40, '2001-06-01'), (pg_temp.kr('K3'), 12, '2001-03-01'), (pg_temp.kr('K5'), 1, '2001-03-01');
INSERT INTO okr.project (key_result_id, name) VALUES
    (pg_temp.kr('K1'), 'P4'), (pg_temp.kr('K3'), 'P1'), (pg_temp.kr('K4'), 'P2'), (pg_temp.kr('K5'), 'P3'), (pg_temp.kr('K6'), 'P5');
INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES
    (pg_temp.pr('P4'), 'p4 done', 1, 'done', '2001-02-01'), (pg_temp.pr('P4'), 'p4 open', 3, 'todo', NULL),
    (pg_temp.pr('P1'), 'p1 done', 3, 'done', '2001-02-01'), (pg_temp.pr('P1'), 'p1 open', 1, 'doing', NULL),
    (pg_temp.pr('P2'), 'p2 open', 2, 'todo', NULL),
    (pg_temp.pr('P3'), 'p3 done a', 1, 'done', '2001-02-01'), (pg_temp.pr('P3'), 'p3 done b', 1, 'done', '2001-02-01'),
    (pg_temp.pr('P5'), 'p5 done', 1, 'done', '2001-02-01');

CREATE TEMP VIEW e AS SELECT okr.expected_progress('2000-01-01', '2099-12-31', now()) AS e;
CREATE FUNCTION pg_temp.near(a double precision, b double precision) RETURNS boolean LANGUAGE sql AS $$
    SELECT abs(a - b) < 1e-12 $$;

SELECT ok((SELECT pg_temp.near(activity, 5.0 / 11) AND pg_temp.near(progress, 7.0 / 15)
             AND pg_temp.near(outcome_gap, 5.0 / 11 - 7.0 / 15)
             AND pg_temp.near(expected, (e.e + 1 + 0) / 3)
             FROM okr.objective_report, e WHERE title = 'Company goal'),
          'objective_report: Company goal activity 5/11, progress 7/15, gap 5/11 - 7/15, expected (e + 1 + 0) / 3');
SELECT ok((SELECT pg_temp.near(activity, 5.0 / 11) AND pg_temp.near(mean_progress, 7.0 / 15)
             AND pg_temp.near(outcome_gap, 5.0 / 11 - 7.0 / 15)
             AND pg_temp.near(expected, (e.e + 1 + 0) / 3) AND pg_temp.near(elapsed, e.e)
             FROM okr.team_report, e WHERE team_name = 'Company'),
          'team_report: Company has the same activity 5/11 (not 1/4, its own key results'' work only), gap and expected; elapsed e');
SELECT ok((SELECT pg_temp.near(activity, 0.8) AND pg_temp.near(mean_progress, 1) AND objectives = 2
             FROM okr.team_report WHERE team_name = 'Sales' AND cycle_name = 'Past'),
          'team_report: Sales in Past (Sales goal and Sales sub below it) counts each task once: (3 + 1) / (4 + 1) = 0.8, not 5/6');
SELECT ok((SELECT pg_temp.near(activity, 0) AND pg_temp.near(expected, 0) AND not_started = 1
             FROM okr.team_report WHERE team_name = 'Sales' AND cycle_name = 'Future'),
          'team_report: Sales in Future: activity 0 of 2, expected 0, not started');
SELECT ok((SELECT pg_temp.near(activity, 1) AND pg_temp.near(expected, e.e) AND achieved = 1
             FROM okr.team_report, e WHERE team_name = 'Ops'),
          'team_report: Ops: activity 2 of 2, expected e, achieved');
SELECT ok((SELECT pg_temp.near(activity, (5.0 + 2) / (11 + 2)) AND pg_temp.near(mean_progress, (7.0 / 15 + 1) / 2)
             AND pg_temp.near(expected, ((e.e + 1) / 3 + e.e) / 2) AND pg_temp.near(elapsed, e.e)
             FROM okr.cycle_report, e WHERE cycle_name = 'Long'),
          'cycle_report: Long: activity (5 + 2) / (11 + 2), mean progress (7/15 + 1) / 2, expected the mean of (e + 1) / 3 and e');
SELECT ok((SELECT pg_temp.near(activity, 0.8) AND pg_temp.near(expected, 1) AND pg_temp.near(elapsed, 1)
             FROM okr.cycle_report WHERE cycle_name = 'Past'),
          'cycle_report: Past: activity 0.8 (each task once), expected 1');
SELECT is((SELECT array_agg(o.title || ' ' || f.within_team || ' ' || f.within_cycle ORDER BY o.title)
             FROM okr.objective_facts f JOIN okr.objective o ON o.id = f.objective_id),
          '{"Company goal false false","Ops goal false false","Sales goal false false","Sales later false false","Sales sub true true"}',
          'objective_facts: only Sales sub lies below a counted objective of its team and cycle');
SELECT ok((SELECT pg_temp.near(effort_done, 5) AND pg_temp.near(effort_total, 11) FROM okr.objective_facts
            WHERE objective_id = pg_temp.ob('Company goal')),
          'objective_facts: Company goal effort 5 of 11 (aligned objectives included)');
SELECT * FROM pg_temp.compare_views('hand-made organisation');

-- A draft objective below: its tasks still count in its parent's activity
-- (as okr.progress counts them), and the team's activity follows.
UPDATE okr.objective SET state = 'draft' WHERE title = 'Sales later';
SELECT ok((SELECT pg_temp.near(t.activity, o.activity) AND pg_temp.near(o.activity, 5.0 / 11)
             FROM okr.team_report t JOIN okr.objective_report o ON o.team_id = t.team_id AND o.cycle_id = t.cycle_id
            WHERE t.team_name = 'Company'),
          'a draft child''s tasks stay in the activity of its parent and of the parent''s team, in both views alike');

-- ===================================================================
-- The demo's organisation
-- ===================================================================
TRUNCATE okr.task, okr.project, okr.checkin, okr.key_result_source, okr.key_result, okr.objective, okr.team, okr.cycle RESTART IDENTITY;
\ir ../demo_data.sql
SELECT * FROM pg_temp.compare_views('demo organisation');

SELECT * FROM finish();
ROLLBACK;
