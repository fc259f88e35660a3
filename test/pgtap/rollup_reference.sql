-- SPEC 3 and 4: okr.progress(as_of) and okr.objective_progress(id, as_of)
-- checked against an independent plain-SQL reference, on random
-- organisations built from a seed, at moments chosen around their cycles.
--
-- The reference (pg_temp.ref_*) is written from SPEC 3 only.  It calls none
-- of okr.progress, okr.objective_progress, okr.kr_progress,
-- okr.weighted_progress, okr.expected_progress or okr.status: every formula is
-- a CASE or a sum below.  Objective progress is computed bottom-up one depth
-- level at a time (PL/pgSQL loop over depths, one plain-SQL UPDATE each).
-- Since 1.1 the organisations also align objectives to key results (SPEC
-- 1b, kind objectives among them), expected progress of an objective is
-- that of its counted items, and the parts of inactive items report their
-- state (SPEC 3); check-ins dated after now() are loaded as 1.0 had them.
--
-- To reproduce a failure: the diag() names the seed and the moment;
-- SELECT pg_temp.gen_org(<seed>) builds the same organisation again.
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = warning;
-- 6 seeds x (1 coverage + 10 moments + 2 explain + 1 progress_history series)
-- + 2 objective_progress checks + 2 more progress_history series (seed 5)
SELECT plan(88);
-- okr applies current_value and the effort sums at commit (README,
-- "Concurrency"); this file checks them inside one transaction, so it
-- has them applied after every statement instead.
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

-- ===================================================================
-- The moments tested
-- ===================================================================
CREATE TEMP TABLE moments (n int PRIMARY KEY, label text NOT NULL, t timestamptz NOT NULL);
INSERT INTO moments VALUES
    (1,  '-infinity',                                '-infinity'),
    (2,  'one microsecond before the first cycle',   '2024-12-31 23:59:59.999999+00'),
    (3,  'first instant of 2025 (start of FY, Y2025, Y2025Q1)', '2025-01-01 00:00:00+00'),
    (4,  'inside Y2025Q1',                           '2025-02-14 09:17:23.25+00'),
    (5,  'inside Y2025Q3 (Q1, Q2 ended; 2026 not started)', '2025-08-20 17:45:10.5+00'),
    (6,  'one microsecond before Y2026Q2',           '2026-03-31 23:59:59.999999+00'),
    (7,  'first instant of Y2026Q2 and of the sprint', '2026-04-01 00:00:00+00'),
    (8,  'inside Y2026Q4',                           '2026-11-10 08:03:41+00'),
    (9,  'end of everything (2027-01-01 00:00)',     '2027-01-01 00:00:00+00'),
    (10, 'infinity',                                 'infinity');

-- ===================================================================
-- Generator: a random organisation from a seed
-- ===================================================================
-- Cycles: FY2025-2026 > Y2025, Y2026 > 4 quarters each; a one-day sprint
-- 2026-04-01 inside Y2026Q2.  Objectives in `levels` levels; every objective
-- of level L >= 1 aligns to one of level L-1, in its parent's cycle or a
-- cycle inside it (so depth = levels - 1).  States that block new children
-- (closed, cancelled) are set at the very end.
CREATE FUNCTION pg_temp.gen_org(seed double precision, per_level int DEFAULT 40, levels int DEFAULT 8)
RETURNS void LANGUAGE plpgsql AS $gen$
DECLARE
    lvl int;
    parents bigint[];
    finite_moments timestamptz[];
BEGIN
    TRUNCATE okr.task, okr.project, okr.checkin, okr.key_result_source, okr.key_result, okr.objective, okr.cycle;
    CREATE TEMP TABLE IF NOT EXISTS okr_future_checkins (kr bigint, ro double precision, at timestamptz, value numeric);
    TRUNCATE okr_future_checkins;
    -- setseed() takes -1 to 1: seeds 1, 2, ... map to 0.01, 0.02, ...
    PERFORM setseed(seed / 100.0);
    SELECT array_agg(m.t ORDER BY m.n) INTO finite_moments FROM moments m WHERE isfinite(m.t);

    -- cycles
    INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('FY2025-2026', '2025-01-01', '2026-12-31');
    INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
    SELECT 'Y' || y, make_date(y, 1, 1), make_date(y, 12, 31), c.id
      FROM generate_series(2025, 2026) y, okr.cycle c WHERE c.name = 'FY2025-2026' ORDER BY y;
    INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
    SELECT c.name || 'Q' || q, make_date(y, 3 * q - 2, 1),
           (make_date(y, 3 * q - 2, 1) + interval '3 months')::date - 1, c.id
      FROM generate_series(2025, 2026) y, generate_series(1, 4) q, okr.cycle c
     WHERE c.name = 'Y' || y ORDER BY y, q;
    INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
    SELECT 'Sprint 2026-04-01', '2026-04-01', '2026-04-01', c.id FROM okr.cycle c WHERE c.name = 'Y2026Q2';

    -- objectives, level by level
    FOR lvl IN 0 .. levels - 1 LOOP
        IF lvl = 0 THEN
            WITH x AS MATERIALIZED (
                SELECT g, random() AS rc, random() AS rw, random() AS rr, random() AS rs
                  FROM generate_series(1, per_level) g ORDER BY g)
            INSERT INTO okr.objective (cycle_id, parent_id, title, weight, rollup, state)
            SELECT (SELECT c.id FROM okr.cycle c
                     WHERE c.name = CASE WHEN x.rc < 0.3 THEN 'FY2025-2026' WHEN x.rc < 0.5 THEN 'Y2025'
                                         WHEN x.rc < 0.7 THEN 'Y2026' ELSE c.name END
                     ORDER BY random() LIMIT 1),
                   NULL, format('L0 #%s', x.g),
                   (ARRAY[0, 0.5, 1, 1, 1, 2, 3]::float8[])[1 + floor(x.rw * 7)::int],
                   (ARRAY['both', 'both', 'key_results', 'children'])[1 + floor(x.rr * 4)::int],
                   CASE WHEN x.rs < 0.08 THEN 'draft' ELSE 'active' END
              FROM x ORDER BY x.g;
        ELSE
            parents := ARRAY(SELECT o.id FROM okr.objective o
                              WHERE o.title LIKE format('L%s #%%', lvl - 1) ORDER BY o.id);
            WITH x AS MATERIALIZED (
                SELECT g, parents[1 + floor(random() * cardinality(parents))::int] AS pid,
                       random() AS rc, random() AS rw, random() AS rr, random() AS rs
                  FROM generate_series(1, per_level) g ORDER BY g)
            INSERT INTO okr.objective (cycle_id, parent_id, title, weight, rollup, state)
            SELECT CASE WHEN x.rc < 0.45 THEN p.cycle_id
                        ELSE (SELECT c.id FROM okr.cycle c, okr.cycle pc
                               WHERE pc.id = p.cycle_id
                                 AND c.starts_on >= pc.starts_on AND c.ends_on <= pc.ends_on
                               ORDER BY random() LIMIT 1) END,
                   p.id, format('L%s #%s', lvl, x.g),
                   (ARRAY[0, 0.5, 1, 1, 1, 2, 3]::float8[])[1 + floor(x.rw * 7)::int],
                   (ARRAY['both', 'both', 'key_results', 'children'])[1 + floor(x.rr * 4)::int],
                   CASE WHEN x.rs < 0.08 THEN 'draft' ELSE 'active' END
              FROM x JOIN okr.objective p ON p.id = x.pid ORDER BY x.g;
        END IF;
    END LOOP;

    -- key results: 0 to 3 per objective, every kind
    WITH o AS MATERIALIZED (
        SELECT o.id, floor(random() * 4)::int AS n FROM okr.objective o ORDER BY o.id),
    k AS MATERIALIZED (
        SELECT o.id AS oid, g, random() AS r1, random() AS r2, random() AS r3, random() AS r4
          FROM o, generate_series(1, o.n) g ORDER BY o.id, g)
    INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight)
    SELECT k.oid, format('KR %s.%s', k.oid, k.g),
           CASE WHEN k.r1 < 0.34 THEN 'metric' WHEN k.r1 < 0.5 THEN 'at_least'
                WHEN k.r1 < 0.64 THEN 'at_most' WHEN k.r1 < 0.8 THEN 'milestone' ELSE 'projects' END,
           CASE WHEN k.r1 < 0.17 THEN round((k.r2 * 50)::numeric, 1)          -- metric, increase
                WHEN k.r1 < 0.34 THEN 100 + round((k.r2 * 100)::numeric, 2)   -- metric, decrease
           END,
           CASE WHEN k.r1 < 0.17 THEN round((k.r2 * 50)::numeric, 1) + 10 + floor(k.r3 * 100)::numeric
                WHEN k.r1 < 0.34 THEN 100 + round((k.r2 * 100)::numeric, 2) - 10 - floor(k.r3 * 150)::numeric
                WHEN k.r1 < 0.64 THEN floor(k.r3 * 100)::numeric
           END,
           (ARRAY[0, 0.5, 1, 1, 1, 2, 3]::float8[])[1 + floor(k.r4 * 7)::int]
      FROM k ORDER BY k.oid, k.g;

    -- SPEC 1b: some key results with child objectives become kind
    -- objectives, and about a third of the objectives below level 0 align
    -- to a key result of their parent instead of to the parent itself
    -- (mostly to one of kind objectives, some to another kind)
    UPDATE okr.key_result k SET kind = 'objectives', start_value = NULL, target_value = NULL
     WHERE k.id IN (SELECT k2.id FROM okr.key_result k2
                     WHERE EXISTS (SELECT FROM okr.objective c WHERE c.parent_id = k2.objective_id)
                     ORDER BY k2.id)
       AND random() < 0.25;
    UPDATE okr.objective o SET parent_id = NULL, parent_key_result_id = x.kid
      FROM (SELECT o2.id,
                   (SELECT k.id FROM okr.key_result k WHERE k.objective_id = o2.parent_id
                     ORDER BY (k.kind = 'objectives') DESC, random() LIMIT 1) AS kid,
                   random() AS r
              FROM okr.objective o2 WHERE o2.parent_id IS NOT NULL ORDER BY o2.id) x
     WHERE x.id = o.id AND x.kid IS NOT NULL AND x.r < 0.35;

    -- check-ins: 0 to 5 per measured key result, inside the objective's
    -- cycle, sometimes exactly at a tested moment; inserted in random order
    -- so that many are back-dated (inserted after later ones)
    WITH k AS MATERIALIZED (
        SELECT k.id, k.kind, k.start_value AS s, k.target_value AS tv,
               c.starts_on::timestamptz AS cs, (c.ends_on + 1)::timestamptz AS ce,
               floor(random() * 6)::int AS n
          FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id
          JOIN okr.cycle c ON c.id = o.cycle_id
         WHERE k.kind NOT IN ('projects', 'objectives') ORDER BY k.id),
    ci AS MATERIALIZED (
        SELECT k.*, g, random() AS rt, random() AS rv, random() AS rm, random() AS ro
          FROM k, generate_series(1, k.n) g ORDER BY k.id, g),
    ci2 AS MATERIALIZED (
        SELECT ci.id AS kr, ci.ro,
               CASE WHEN ci.rm < 0.15 AND m.t >= ci.cs AND m.t < ci.ce THEN m.t
                    ELSE ci.cs + floor(ci.rt * extract(epoch FROM ci.ce - ci.cs)) * interval '1 second' END AS at,
               CASE ci.kind
                   WHEN 'metric' THEN round(ci.s + (ci.tv - ci.s) * (ci.rv * 1.5 - 0.25)::numeric, 2)
                   WHEN 'milestone' THEN CASE WHEN ci.rv < 0.5 THEN 0 ELSE 1 END
                   ELSE ci.tv + floor((ci.rv - 0.5) * 12)::numeric END AS value
          FROM ci LEFT JOIN LATERAL (
                SELECT finite_moments[1 + floor(ci.rm / 0.15 * cardinality(finite_moments))::int] AS t) m ON true
         ORDER BY ci.id, ci.g),
    future AS (INSERT INTO okr_future_checkins SELECT * FROM ci2 WHERE ci2.at > now())
    INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT ci2.kr, ci2.value, ci2.at FROM ci2 WHERE ci2.at <= now() ORDER BY ci2.ro;

    -- ties: a second check-in at the same checked_at with another value
    -- (the higher id must win)
    INSERT INTO okr_future_checkins
    SELECT c.key_result_id, 0, c.checked_at,
           CASE WHEN k.kind = 'milestone' THEN 1 - c.value ELSE c.value + 1 END
      FROM okr.checkin c JOIN okr.key_result k ON k.id = c.key_result_id
     WHERE random() < 0.1 ORDER BY c.id;
    INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT t.kr, t.value, t.at FROM okr_future_checkins t WHERE t.ro = 0 ORDER BY t.at, t.kr;
    DELETE FROM okr_future_checkins WHERE ro = 0;
    -- those dated after now(): 1.1 refuses them (rule 5), 1.0 took them
    -- and they stay, so they are loaded as 1.0 had them (with the triggers
    -- off, then maintained), with ties of their own
    INSERT INTO okr_future_checkins
    SELECT t.kr, 2, t.at, CASE WHEN k.kind = 'milestone' THEN 1 - t.value ELSE t.value + 1 END
      FROM okr_future_checkins t JOIN okr.key_result k ON k.id = t.kr WHERE random() < 0.1 ORDER BY t.ro;
    PERFORM set_config('session_replication_role', 'replica', true);
    INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT t.kr, t.value, t.at FROM okr_future_checkins t ORDER BY t.ro;
    PERFORM set_config('session_replication_role', 'origin', true);
    PERFORM okr.refresh_maintained();

    -- projects: 0 to 3 per key result (any kind)
    WITH k AS MATERIALIZED (
        SELECT k.id, floor(random() * 4)::int AS n FROM okr.key_result k ORDER BY k.id),
    p AS MATERIALIZED (
        SELECT k.id AS kid, g, random() AS r1, random() AS r2
          FROM k, generate_series(1, k.n) g ORDER BY k.id, g)
    INSERT INTO okr.project (key_result_id, name, weight, state)
    SELECT p.kid, format('P %s.%s', p.kid, p.g),
           (ARRAY[0, 0.5, 1, 1, 2]::float8[])[1 + floor(p.r1 * 5)::int],
           (ARRAY['planned', 'active', 'active', 'done'])[1 + floor(p.r2 * 4)::int]
      FROM p ORDER BY p.kid, p.g;

    -- tasks: 0 to 5 per project, every status; done ones done at many
    -- moments from December 2024 to 2026-11-19 (sometimes a tested moment)
    WITH p AS MATERIALIZED (
        SELECT p.id, floor(random() * 6)::int AS n FROM okr.project p ORDER BY p.id),
    t AS MATERIALIZED (
        SELECT p.id AS pid, g, random() AS rs, random() AS re, random() AS rd, random() AS rm
          FROM p, generate_series(1, p.n) g ORDER BY p.id, g),
    t2 AS MATERIALIZED (
        SELECT t.pid, t.g, (ARRAY['todo', 'doing', 'done', 'done', 'cancelled'])[1 + floor(t.rs * 5)::int] AS status,
               (ARRAY[0.25, 0.5, 1, 1, 2, 3, 5, 8]::float8[])[1 + floor(t.re * 8)::int] AS effort,
               CASE WHEN t.rm < 0.2 AND m.t <= '2026-11-19' THEN m.t
                    ELSE timestamptz '2024-12-01 00:00+00'
                         + floor(t.rd * extract(epoch FROM timestamptz '2026-11-19 00:00+00' - timestamptz '2024-12-01 00:00+00'))
                           * interval '1 second' END AS done_at
          FROM t LEFT JOIN LATERAL (
                SELECT finite_moments[1 + floor(t.rm / 0.2 * cardinality(finite_moments))::int] AS t) m ON true
         ORDER BY t.pid, t.g)
    INSERT INTO okr.task (project_id, title, status, effort, done_at)
    SELECT t2.pid, format('T %s.%s', t2.pid, t2.g), t2.status, t2.effort,
           CASE WHEN t2.status = 'done' THEN t2.done_at END
      FROM t2 ORDER BY t2.pid, t2.g;

    -- churn: the engine reads counters the triggers maintain
    -- (project.effort_total/effort_done, key_result.current_value/
    -- last_checkin_at), so change, move and delete rows after the fact.
    -- tasks: status changes (to done with a past done_at, or none: now()),
    UPDATE okr.task t SET status = x.status,
           done_at = CASE WHEN x.status = 'done' AND x.rd < 0.8
                          THEN timestamptz '2024-12-01 00:00+00'
                               + floor(x.rd / 0.8 * extract(epoch FROM timestamptz '2026-11-19 00:00+00' - timestamptz '2024-12-01 00:00+00'))
                                 * interval '1 second' END
      FROM (SELECT t2.id, (ARRAY['todo', 'doing', 'done', 'cancelled'])[1 + floor(random() * 4)::int] AS status,
                   random() AS rd
              FROM okr.task t2 WHERE random() < 0.15 ORDER BY t2.id) x
     WHERE t.id = x.id;
    -- effort changes, moves to another project, all three at once, deletions
    UPDATE okr.task SET effort = (ARRAY[0.25, 0.5, 1, 2, 3, 5, 8]::float8[])[1 + floor(random() * 7)::int]
     WHERE random() < 0.1;
    UPDATE okr.task t SET project_id = coalesce((SELECT p.id FROM okr.project p WHERE p.id <> t.project_id
                                                  ORDER BY random() LIMIT 1), t.project_id)
     WHERE random() < 0.05;
    UPDATE okr.task t SET project_id = coalesce((SELECT p.id FROM okr.project p WHERE p.id <> t.project_id
                                                  ORDER BY random() LIMIT 1), t.project_id),
           effort = t.effort * 2,
           status = CASE t.status WHEN 'done' THEN 'todo' ELSE 'done' END,
           done_at = CASE WHEN t.status <> 'done' THEN timestamptz '2025-06-30 12:00+00' END
     WHERE random() < 0.03;
    DELETE FROM okr.task WHERE random() < 0.05;
    -- projects moved to another key result
    UPDATE okr.project p SET key_result_id = coalesce((SELECT k.id FROM okr.key_result k WHERE k.id <> p.key_result_id
                                                        ORDER BY random() LIMIT 1), p.key_result_id)
     WHERE random() < 0.03;
    -- check-ins: new values, new moments inside the cycle, moves to another
    -- key result of the same kind and cycle, deletions
    UPDATE okr.checkin c SET value = CASE WHEN k.kind = 'milestone' THEN 1 - c.value
                                          ELSE c.value + round(((random() - 0.5) * 40)::numeric, 2) END
      FROM okr.key_result k WHERE k.id = c.key_result_id AND random() < 0.1
       AND c.checked_at <= now();   -- (a check-in changed in 1.1 is never in the future)
    UPDATE okr.checkin c SET checked_at = least(now(), cy.starts_on::timestamptz
               + floor(random() * extract(epoch FROM (cy.ends_on + 1)::timestamptz - cy.starts_on::timestamptz)) * interval '1 second')
      FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle cy ON cy.id = o.cycle_id
     WHERE k.id = c.key_result_id AND random() < 0.1
       AND c.checked_at <= now() AND cy.starts_on::timestamptz <= now();
    UPDATE okr.checkin c SET key_result_id = coalesce((
               SELECT k2.id FROM okr.key_result k2 JOIN okr.objective o2 ON o2.id = k2.objective_id
                WHERE k2.kind = k.kind AND o2.cycle_id = o.cycle_id AND k2.id <> k.id
                ORDER BY random() LIMIT 1), c.key_result_id)
      FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id
     WHERE k.id = c.key_result_id AND random() < 0.05 AND c.checked_at <= now();
    DELETE FROM okr.checkin WHERE random() < 0.08;

    -- finally the states that block new children
    UPDATE okr.project SET state = 'cancelled' WHERE random() < 0.12;
    UPDATE okr.key_result SET state = 'cancelled' WHERE random() < 0.12;
    UPDATE okr.objective SET state = CASE WHEN random() < 0.5 THEN 'closed' ELSE 'cancelled' END
     WHERE random() < 0.16;
END
$gen$;

-- Each objective with the objective it aligns to: its parent, or the
-- objective of the key result it aligns to (SPEC 1b).
CREATE FUNCTION pg_temp.ref_links()
RETURNS TABLE (id bigint, parent_id bigint, via_kr bigint) LANGUAGE sql STABLE AS $$
    SELECT o.id, coalesce(o.parent_id, k.objective_id), o.parent_key_result_id
      FROM okr.objective o LEFT JOIN okr.key_result k ON k.id = o.parent_key_result_id
$$;

-- What the generated organisation must contain; returns the missing features.
CREATE FUNCTION pg_temp.gen_missing() RETURNS text[] LANGUAGE sql AS $$
    WITH RECURSIVE tree AS (
        SELECT o.id, 0 AS depth FROM pg_temp.ref_links() o WHERE o.parent_id IS NULL
        UNION ALL
        SELECT o.id, tree.depth + 1 FROM pg_temp.ref_links() o JOIN tree ON o.parent_id = tree.id),
    feature (name, present) AS (VALUES
        ('alignment depth >= 6', (SELECT max(depth) >= 6 FROM tree)),
        ('every objective reachable from a root', (SELECT count(*) FROM tree) = (SELECT count(*) FROM okr.objective)),
        ('metric increase', EXISTS (SELECT FROM okr.key_result WHERE kind = 'metric' AND target_value > start_value)),
        ('metric decrease', EXISTS (SELECT FROM okr.key_result WHERE kind = 'metric' AND target_value < start_value)),
        ('at_least', EXISTS (SELECT FROM okr.key_result WHERE kind = 'at_least')),
        ('at_most', EXISTS (SELECT FROM okr.key_result WHERE kind = 'at_most')),
        ('milestone', EXISTS (SELECT FROM okr.key_result WHERE kind = 'milestone')),
        ('projects', EXISTS (SELECT FROM okr.key_result WHERE kind = 'projects')),
        ('objectives', EXISTS (SELECT FROM okr.key_result WHERE kind = 'objectives')),
        ('aligned to a key result of kind objectives', EXISTS (
            SELECT FROM okr.objective o JOIN okr.key_result k ON k.id = o.parent_key_result_id
             WHERE k.kind = 'objectives')),
        ('aligned to a key result of another kind', EXISTS (
            SELECT FROM okr.objective o JOIN okr.key_result k ON k.id = o.parent_key_result_id
             WHERE k.kind <> 'objectives')),
        ('kind objectives with none counted', EXISTS (
            SELECT FROM okr.key_result k WHERE k.kind = 'objectives'
               AND NOT EXISTS (SELECT FROM okr.objective o WHERE o.parent_key_result_id = k.id
                                  AND o.state IN ('active', 'closed') AND o.weight > 0))),
        ('objective weight 0', EXISTS (SELECT FROM okr.objective WHERE weight = 0)),
        ('key result weight 0', EXISTS (SELECT FROM okr.key_result WHERE weight = 0)),
        ('project weight 0', EXISTS (SELECT FROM okr.project WHERE weight = 0)),
        ('objective states', (SELECT count(DISTINCT state) = 4 FROM okr.objective)),
        ('key result states', (SELECT count(DISTINCT state) = 2 FROM okr.key_result)),
        ('project states', (SELECT count(DISTINCT state) = 4 FROM okr.project)),
        ('rollup modes', (SELECT count(DISTINCT rollup) = 3 FROM okr.objective)),
        ('task statuses', (SELECT count(DISTINCT status) = 4 FROM okr.task)),
        ('objective with no key results and no children', EXISTS (
            SELECT FROM okr.objective o
             WHERE NOT EXISTS (SELECT FROM okr.key_result k WHERE k.objective_id = o.id)
               AND NOT EXISTS (SELECT FROM okr.objective c WHERE c.parent_id = o.id))),
        ('back-dated check-in', EXISTS (
            SELECT FROM okr.checkin a JOIN okr.checkin b ON a.key_result_id = b.key_result_id
             WHERE a.id > b.id AND a.checked_at < b.checked_at)),
        ('check-ins tied on checked_at', EXISTS (
            SELECT FROM okr.checkin a JOIN okr.checkin b ON a.key_result_id = b.key_result_id
             WHERE a.id > b.id AND a.checked_at = b.checked_at AND a.value <> b.value)),
        ('check-in at a tested moment', EXISTS (SELECT FROM okr.checkin c JOIN moments m ON m.t = c.checked_at)),
        ('task done at now() by the trigger', EXISTS (SELECT FROM okr.task WHERE done_at = now())),
        ('check-in dated after now()', EXISTS (SELECT FROM okr.checkin WHERE checked_at > now())),
        ('task done at a tested moment', EXISTS (SELECT FROM okr.task t JOIN moments m ON m.t = t.done_at)),
        ('done project without tasks', EXISTS (
            SELECT FROM okr.project p WHERE p.state = 'done'
               AND NOT EXISTS (SELECT FROM okr.task t WHERE t.project_id = p.id))),
        ('not-done project without tasks', EXISTS (
            SELECT FROM okr.project p WHERE p.state <> 'done'
               AND NOT EXISTS (SELECT FROM okr.task t WHERE t.project_id = p.id))),
        ('project whose tasks are all cancelled', EXISTS (
            SELECT FROM okr.project p JOIN okr.task t ON t.project_id = p.id
             GROUP BY p.id HAVING bool_and(t.status = 'cancelled'))),
        ('annual objective above a quarterly one', EXISTS (
            SELECT FROM okr.objective o JOIN okr.objective p ON p.id = o.parent_id
              JOIN okr.cycle c ON c.id = o.cycle_id JOIN okr.cycle pc ON pc.id = p.cycle_id
             WHERE pc.name ~ '^Y\d{4}$' AND c.name ~ '^Y\d{4}Q\d$')),
        ('quarterly objective under one of the same quarter', EXISTS (
            SELECT FROM okr.objective o JOIN okr.objective p ON p.id = o.parent_id
              JOIN okr.cycle c ON c.id = o.cycle_id
             WHERE p.cycle_id = o.cycle_id AND c.name ~ '^Y\d{4}Q\d$')),
        ('objectives in the one-day sprint', EXISTS (
            SELECT FROM okr.objective o JOIN okr.cycle c ON c.id = o.cycle_id WHERE c.name LIKE 'Sprint%')))
    SELECT coalesce(array_agg(name ORDER BY name) FILTER (WHERE present IS NOT TRUE), '{}') FROM feature
$$;

-- ===================================================================
-- Reference, straight from SPEC 3
-- ===================================================================
-- (test/past_workload.sh runs this section and ref_links over the rows as
-- they were at a past moment: it points each table name at a table of
-- its own, so the reference reads no other object of the extension.)

-- Projects: progress from effort of non-cancelled tasks, or from the state.
CREATE FUNCTION pg_temp.ref_projects(p_as_of timestamptz)
RETURNS TABLE (id bigint, key_result_id bigint, state text, weight double precision,
               progress double precision, activity double precision)
LANGUAGE sql STABLE AS $$
    SELECT p.id, p.key_result_id, p.state, p.weight,
           CASE WHEN s.total > 0 THEN s.done / s.total
                WHEN p.state = 'done' THEN 1.0
                ELSE 0.0 END,
           CASE WHEN s.total > 0 THEN s.done / s.total END
      FROM okr.project p
      LEFT JOIN LATERAL (
            SELECT coalesce(sum(ta.effort) FILTER (WHERE ta.status = 'done' AND ta.done_at <= p_as_of), 0) AS done,
                   coalesce(sum(ta.effort) FILTER (WHERE ta.status <> 'cancelled'), 0) AS total
              FROM okr.task ta WHERE ta.project_id = p.id) s ON true
$$;

-- Key results: value at T from the latest check-in at or before T.
CREATE FUNCTION pg_temp.ref_key_results(p_as_of timestamptz)
RETURNS TABLE (id bigint, objective_id bigint, state text, weight double precision,
               progress double precision, activity double precision)
LANGUAGE sql STABLE AS $$
    WITH ranked AS (
        SELECT c.key_result_id, c.value,
               row_number() OVER (PARTITION BY c.key_result_id ORDER BY c.checked_at DESC, c.id DESC) AS rn
          FROM okr.checkin c WHERE c.checked_at <= p_as_of),
    val AS (SELECT key_result_id, value FROM ranked WHERE rn = 1),
    proj AS (
        SELECT pr.key_result_id,
               sum(pr.weight * pr.progress) FILTER (WHERE pr.state <> 'cancelled' AND pr.weight > 0) AS wp,
               sum(pr.weight) FILTER (WHERE pr.state <> 'cancelled' AND pr.weight > 0) AS w
          FROM pg_temp.ref_projects(p_as_of) pr GROUP BY pr.key_result_id),
    work AS (
        SELECT p.key_result_id,
               sum(ta.effort) FILTER (WHERE ta.status = 'done' AND ta.done_at <= p_as_of) AS done,
               sum(ta.effort) FILTER (WHERE ta.status <> 'cancelled') AS total
          FROM okr.task ta JOIN okr.project p ON p.id = ta.project_id GROUP BY p.key_result_id)
    SELECT k.id, k.objective_id, k.state, k.weight,
           CASE k.kind
               WHEN 'metric' THEN
                   CASE WHEN v.value IS NULL THEN 0
                        ELSE greatest(0, least(1, (v.value - k.start_value) / (k.target_value - k.start_value)))::double precision END
               WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1 ELSE 0 END
               WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1 ELSE 0 END
               WHEN 'milestone' THEN CASE WHEN v.value = 1 THEN 1 ELSE 0 END
               WHEN 'projects' THEN CASE WHEN pj.w > 0 THEN pj.wp / pj.w ELSE 0 END
               -- 'objectives': from its aligned objectives, in ref_progress
           END::double precision,
           CASE WHEN w.total > 0 THEN coalesce(w.done, 0) / w.total END
      FROM okr.key_result k
      LEFT JOIN val v ON v.key_result_id = k.id
      LEFT JOIN proj pj ON pj.key_result_id = k.id
      LEFT JOIN work w ON w.key_result_id = k.id
$$;

CREATE TEMP TABLE ref_kr (id bigint PRIMARY KEY, objective_id bigint, state text, weight double precision,
                          progress double precision, activity double precision,
                          kind text, expected double precision);
CREATE TEMP TABLE ref_obj (id bigint PRIMARY KEY, parent_id bigint, via_kr bigint, cycle_id bigint, depth int,
                           weight double precision, rollup text, state text, progress double precision,
                           expected double precision);
CREATE TEMP TABLE ref_cyc (id bigint PRIMARY KEY, starts timestamptz, expected double precision);
CREATE INDEX ON ref_obj (depth);
CREATE INDEX ON ref_obj (parent_id);
CREATE INDEX ON ref_obj (via_kr);
CREATE INDEX ON ref_kr (objective_id);

-- Status of an item (SPEC 3), with the default ratios 0.9 and 0.7.
CREATE FUNCTION pg_temp.ref_status(state text, as_of timestamptz, starts timestamptz,
                                   progress double precision, expected double precision)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN state <> 'active' THEN state
        WHEN as_of < starts THEN 'not_started'
        WHEN progress IS NULL THEN 'not_scored'
        WHEN progress >= 1 THEN 'achieved'
        WHEN expected = 0 THEN 'on_track'
        WHEN progress / expected >= 0.9 THEN 'on_track'
        WHEN progress / expected >= 0.7 THEN 'at_risk'
        ELSE 'off_track' END
$$;

-- The items an objective counts (SPEC 3): its active key results that are
-- scored (rollup key_results or both) and its child objectives aligned to
-- it directly, active or closed and scored (rollup children or both);
-- weight 0 counts for nothing.  (w, p, e): weight, progress, expected.
CREATE FUNCTION pg_temp.ref_items(p_id bigint, p_rollup text)
RETURNS TABLE (w double precision, p double precision, e double precision) LANGUAGE sql STABLE AS $$
    SELECT k.weight, k.progress, k.expected FROM ref_kr k
     WHERE k.objective_id = p_id AND p_rollup IN ('key_results', 'both')
       AND k.state = 'active' AND k.weight > 0 AND k.progress IS NOT NULL
    UNION ALL
    SELECT c.weight, c.progress, c.expected FROM ref_obj c
     WHERE c.parent_id = p_id AND c.via_kr IS NULL AND p_rollup IN ('children', 'both')
       AND c.state IN ('active', 'closed') AND c.progress IS NOT NULL AND c.weight > 0
$$;

CREATE FUNCTION pg_temp.ref_progress(p_as_of timestamptz)
RETURNS TABLE (item text, id bigint, parent_item text, parent_id bigint, cycle_id bigint,
               progress double precision, activity double precision,
               expected double precision, status text)
LANGUAGE plpgsql AS $ref$
#variable_conflict use_column
DECLARE
    d int;
BEGIN
    -- expected progress of a cycle: the share of it elapsed
    DELETE FROM ref_cyc;
    INSERT INTO ref_cyc
    SELECT c.id, c.starts_on::timestamptz,
           greatest(0, least(1,
               (extract(epoch FROM p_as_of) - extract(epoch FROM c.starts_on::timestamptz))
               / (extract(epoch FROM (c.ends_on + 1)::timestamptz) - extract(epoch FROM c.starts_on::timestamptz))
           ))::double precision
      FROM okr.cycle c;

    DELETE FROM ref_kr;
    INSERT INTO ref_kr
    SELECT r.*, k.kind, cy.expected
      FROM pg_temp.ref_key_results(p_as_of) r JOIN okr.key_result k ON k.id = r.id
      JOIN okr.objective o ON o.id = k.objective_id JOIN ref_cyc cy ON cy.id = o.cycle_id;

    -- the tree through both kinds of alignment (SPEC 1b)
    DELETE FROM ref_obj;
    INSERT INTO ref_obj
    WITH RECURSIVE tree AS (
        SELECT l.id, 0 AS depth FROM pg_temp.ref_links() l WHERE l.parent_id IS NULL
        UNION ALL
        SELECT l.id, tree.depth + 1 FROM pg_temp.ref_links() l JOIN tree ON l.parent_id = tree.id)
    SELECT o.id, l.parent_id, l.via_kr, o.cycle_id, tree.depth, o.weight, o.rollup, o.state, NULL, NULL
      FROM tree JOIN okr.objective o ON o.id = tree.id JOIN pg_temp.ref_links() l ON l.id = o.id;
    ANALYZE ref_obj;

    -- deepest level first: children are final before their parents
    FOR d IN SELECT DISTINCT r.depth FROM ref_obj r ORDER BY r.depth DESC LOOP
        -- key results of kind objectives: weighted mean of their aligned
        -- objectives (active or closed, scored, weight > 0); NULL with none
        UPDATE ref_kr k SET progress = a.p, expected = a.e
          FROM (SELECT c.via_kr, sum(c.weight * c.progress) / sum(c.weight) AS p,
                       sum(c.weight * c.expected) / sum(c.weight) AS e
                  FROM ref_obj c
                 WHERE c.via_kr IS NOT NULL AND c.state IN ('active', 'closed')
                   AND c.progress IS NOT NULL AND c.weight > 0
                 GROUP BY c.via_kr) a
         WHERE k.kind = 'objectives' AND a.via_kr = k.id
           AND k.objective_id IN (SELECT r.id FROM ref_obj r WHERE r.depth = d);
        -- objectives: their counted items; an objective aligned to a key
        -- result counts only through it
        UPDATE ref_obj r SET progress = i.p,
               expected = coalesce(i.e, (SELECT cy.expected FROM ref_cyc cy WHERE cy.id = r.cycle_id))
          FROM (SELECT r2.id,
                       (SELECT sum(x.w * x.p) / sum(x.w) FROM pg_temp.ref_items(r2.id, r2.rollup) x) AS p,
                       (SELECT sum(x.w * x.e) / sum(x.w) FROM pg_temp.ref_items(r2.id, r2.rollup) x) AS e
                  FROM ref_obj r2 WHERE r2.depth = d) i
         WHERE i.id = r.id;
    END LOOP;

    RETURN QUERY
    WITH RECURSIVE
    -- every (ancestor, descendant) pair through both kinds of alignment, an
    -- objective being its own descendant
    closure (anc, des) AS (
        SELECT o.id, o.id FROM okr.objective o
        UNION ALL
        SELECT cl.anc, l.id FROM closure cl JOIN pg_temp.ref_links() l ON l.parent_id = cl.des),
    obj_work AS (
        SELECT cl.anc AS id,
               sum(ta.effort) FILTER (WHERE ta.status = 'done' AND ta.done_at <= p_as_of) AS done,
               sum(ta.effort) FILTER (WHERE ta.status <> 'cancelled') AS total
          FROM closure cl
          JOIN okr.key_result k ON k.objective_id = cl.des
          JOIN okr.project p ON p.key_result_id = k.id
          JOIN okr.task ta ON ta.project_id = p.id
         GROUP BY cl.anc),
    -- a key result's tasks: its projects', and those below the objectives
    -- aligned to it
    kr_tasks AS (
        SELECT p.key_result_id AS kid, ta.effort, ta.status, ta.done_at
          FROM okr.project p JOIN okr.task ta ON ta.project_id = p.id
        UNION ALL
        SELECT l.via_kr, ta.effort, ta.status, ta.done_at
          FROM pg_temp.ref_links() l JOIN closure cl ON cl.anc = l.id
          JOIN okr.key_result k ON k.objective_id = cl.des
          JOIN okr.project p ON p.key_result_id = k.id
          JOIN okr.task ta ON ta.project_id = p.id
         WHERE l.via_kr IS NOT NULL),
    kr_work AS (
        SELECT kt.kid AS id,
               sum(kt.effort) FILTER (WHERE kt.status = 'done' AND kt.done_at <= p_as_of) AS done,
               sum(kt.effort) FILTER (WHERE kt.status <> 'cancelled') AS total
          FROM kr_tasks kt GROUP BY kt.kid)
    SELECT 'objective'::text, r.id,
           CASE WHEN r.via_kr IS NOT NULL THEN 'key_result' WHEN r.parent_id IS NOT NULL THEN 'objective' END,
           coalesce(r.via_kr, r.parent_id),
           r.cycle_id, r.progress,
           CASE WHEN w.total > 0 THEN coalesce(w.done, 0) / w.total END,
           r.expected, pg_temp.ref_status(r.state, p_as_of, cy.starts, r.progress, r.expected)
      FROM ref_obj r JOIN ref_cyc cy ON cy.id = r.cycle_id LEFT JOIN obj_work w ON w.id = r.id
    UNION ALL
    -- parts of a draft, closed or cancelled objective report its state
    SELECT 'key_result', k.id, 'objective', k.objective_id, o.cycle_id, k.progress,
           CASE WHEN w.total > 0 THEN coalesce(w.done, 0) / w.total END,
           k.expected,
           pg_temp.ref_status(CASE WHEN k.state <> 'active' THEN k.state ELSE o.state END,
                              p_as_of, cy.starts, k.progress, k.expected)
      FROM ref_kr k JOIN okr.objective o ON o.id = k.objective_id JOIN ref_cyc cy ON cy.id = o.cycle_id
      LEFT JOIN kr_work w ON w.id = k.id
    UNION ALL
    SELECT 'project', p.id, 'key_result', p.key_result_id, o.cycle_id, p.progress, p.activity,
           cy.expected,
           pg_temp.ref_status(CASE WHEN p.state <> 'active' THEN p.state
                                   WHEN k.state = 'cancelled' THEN 'cancelled' ELSE o.state END,
                              p_as_of, cy.starts, p.progress, cy.expected)
      FROM pg_temp.ref_projects(p_as_of) p
      JOIN okr.key_result k ON k.id = p.key_result_id
      JOIN okr.objective o ON o.id = k.objective_id JOIN ref_cyc cy ON cy.id = o.cycle_id;
END
$ref$;

-- Equal figures: both NULL, or both numbers within tol.
CREATE FUNCTION pg_temp.feq(a double precision, b double precision, tol double precision DEFAULT 1e-9)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (a IS NULL AND b IS NULL) OR (a IS NOT NULL AND b IS NOT NULL AND abs(a - b) <= tol)
$$;

-- The rows of the engine's figures (cmp_engine) and of the reference (cmp_ref)
-- that differ: missing on one side, another parent, cycle or status, or a
-- figure off by more than tol; each side in words.
CREATE TEMP TABLE cmp_engine (item text, id bigint, parent_item text, parent_id bigint, cycle_id bigint,
                              progress double precision, activity double precision,
                              expected double precision, status text);
CREATE TEMP TABLE cmp_ref (LIKE cmp_engine);
CREATE FUNCTION pg_temp.ref_diff(tol double precision)
RETURNS TABLE (item text, id bigint, engine text, reference text) LANGUAGE sql STABLE AS $$
    SELECT coalesce(e.item, r.item), coalesce(e.id, r.id),
           CASE WHEN e.id IS NULL THEN '(missing)' ELSE format('parent=%s %s cycle=%s progress=%s activity=%s expected=%s status=%s',
                e.parent_item, e.parent_id, e.cycle_id, e.progress, e.activity, e.expected, e.status) END,
           CASE WHEN r.id IS NULL THEN '(missing)' ELSE format('parent=%s %s cycle=%s progress=%s activity=%s expected=%s status=%s',
                r.parent_item, r.parent_id, r.cycle_id, r.progress, r.activity, r.expected, r.status) END
      FROM cmp_engine e FULL JOIN cmp_ref r ON r.item = e.item AND r.id = e.id
     WHERE e.id IS NULL OR r.id IS NULL
        OR e.parent_item IS DISTINCT FROM r.parent_item
        OR e.parent_id IS DISTINCT FROM r.parent_id
        OR e.cycle_id IS DISTINCT FROM r.cycle_id
        OR e.status IS DISTINCT FROM r.status
        OR NOT pg_temp.feq(e.progress, r.progress, tol)
        OR NOT pg_temp.feq(e.activity, r.activity, tol)
        OR NOT pg_temp.feq(e.expected, r.expected, tol)
$$;

-- ===================================================================
-- Comparison
-- ===================================================================

-- One ok() for okr.progress(t) against the reference; diag() on mismatch.
CREATE FUNCTION pg_temp.compare_at(seed double precision, label text, t timestamptz)
RETURNS SETOF text LANGUAGE plpgsql AS $cmp$
DECLARE
    n_engine bigint;
    n_ref bigint;
    n_bad bigint;
    bad text[];
BEGIN
    DELETE FROM cmp_engine;
    DELETE FROM cmp_ref;
    INSERT INTO cmp_engine SELECT * FROM okr.progress(t);
    INSERT INTO cmp_ref SELECT * FROM pg_temp.ref_progress(t);
    SELECT count(*) INTO n_engine FROM cmp_engine;
    SELECT count(*) INTO n_ref FROM cmp_ref;

    SELECT count(*),
           (array_agg(format('  %s %s: engine %s | reference %s', d.item, d.id, d.engine, d.reference)
                      ORDER BY d.item, d.id))[1:5]
      INTO n_bad, bad FROM pg_temp.ref_diff(1e-9) d;

    RETURN NEXT ok(n_bad = 0 AND n_engine = n_ref,
                   format('seed %s, as_of %s (%s): okr.progress matches the reference on all %s rows',
                          seed, t, label, n_ref));
    IF n_bad <> 0 OR n_engine <> n_ref THEN
        RETURN NEXT diag(format('seed %s, as_of %s: %s rows from okr.progress, %s from the reference, %s differing; first ones:',
                                seed, t, n_engine, n_ref, n_bad));
        RETURN NEXT diag(array_to_string(bad, E'\n'));
    END IF;
END
$cmp$;

-- okr.progress_history(from_ts, to_ts, step [, objective_id]) against the
-- reference at every moment of the series (okr.progress is not used: the
-- history shares its engine).  The organisations hold check-ins tied on
-- checked_at (the higher id must win at every later moment) and check-ins
-- exactly at moments of the series (2025-01-01, 2026-04-01 00:00).
CREATE TEMP TABLE cmp_hist AS
SELECT * FROM okr.progress_history('2026-01-01', '2026-01-01', '1 day') WITH NO DATA;
CREATE FUNCTION pg_temp.compare_history(seed double precision, f timestamptz, t timestamptz, step interval,
                                        root bigint DEFAULT NULL)
RETURNS SETOF text LANGUAGE plpgsql AS $cmh$
DECLARE
    m timestamptz;
    n_moments int := 0;
    n_rows bigint := 0;
    n_bad bigint := 0;
    n bigint;
    bad text[] := '{}';
    b text[];
BEGIN
    DELETE FROM cmp_hist;
    INSERT INTO cmp_hist SELECT * FROM okr.progress_history(f, t, step, root);
    FOR m IN SELECT g FROM generate_series(f, t, step) g LOOP
        n_moments := n_moments + 1;
        DELETE FROM cmp_ref;
        INSERT INTO cmp_ref SELECT * FROM pg_temp.ref_progress(m) r
         WHERE r.item IN ('objective', 'key_result')
           AND (root IS NULL
                OR (CASE r.item WHEN 'objective' THEN r.id ELSE r.parent_id END) IN (
                       WITH RECURSIVE sub AS (SELECT root AS id
                                              UNION ALL SELECT o.id FROM pg_temp.ref_links() o JOIN sub ON o.parent_id = sub.id)
                       SELECT sub.id FROM sub));
        n_rows := n_rows + (SELECT count(*) FROM cmp_ref);
        WITH h AS (SELECT * FROM cmp_hist WHERE as_of = m),
        diff AS (
            SELECT coalesce(h.item, r.item) AS item, coalesce(h.id, r.id) AS id,
                   CASE WHEN h.id IS NULL THEN '(missing)' ELSE format('progress=%s activity=%s expected=%s status=%s',
                        h.progress, h.activity, h.expected, h.status) END AS engine,
                   CASE WHEN r.id IS NULL THEN '(missing)' ELSE format('progress=%s activity=%s expected=%s status=%s',
                        r.progress, r.activity, r.expected, r.status) END AS reference
              FROM h FULL JOIN cmp_ref r ON r.item = h.item AND r.id = h.id
             WHERE h.id IS NULL OR r.id IS NULL
                OR h.status IS DISTINCT FROM r.status
                OR NOT pg_temp.feq(h.progress, r.progress)
                OR NOT pg_temp.feq(h.activity, r.activity)
                OR NOT pg_temp.feq(h.expected, r.expected))
        SELECT count(*), (array_agg(format('  %s %s %s: engine %s | reference %s', m, d.item, d.id, d.engine, d.reference)
                                    ORDER BY d.item, d.id))[1:3]
          INTO n, b FROM diff d;
        n_bad := n_bad + n;
        IF n > 0 AND cardinality(bad) < 6 THEN bad := bad || b; END IF;
    END LOOP;
    RETURN NEXT ok(n_bad = 0 AND n_rows = (SELECT count(*) FROM cmp_hist) AND n_rows > 0,
                   format('seed %s: okr.progress_history(%s, %s, %s%s) matches the reference at all %s moments (%s rows)',
                          seed, f, t, step, coalesce(', ' || root, ''), n_moments, n_rows));
    IF n_bad <> 0 OR n_rows <> (SELECT count(*) FROM cmp_hist) THEN
        RETURN NEXT diag(format('seed %s: %s rows from okr.progress_history, %s from the reference, %s differing; first ones:',
                                seed, (SELECT count(*) FROM cmp_hist), n_rows, n_bad));
        RETURN NEXT diag(array_to_string(bad, E'\n'));
    END IF;
END
$cmh$;

-- okr.explain (SPEC 8) of every root at t, against okr.progress(t) (checked
-- against the reference above) and the rules of SPEC 3 and 1b written
-- again here from the tables (in this transaction every moment sees the
-- rows as they are): every item once, with okr.progress's figures; counted
-- or the reason why not; share = weight / the counted weight of its
-- parent; the contributions of every parent's counted items add up to its
-- progress (1e-12); a key result's check-in is its latest dated by t and
-- gives its progress.
CREATE FUNCTION pg_temp.compare_explain(seed double precision, t timestamptz)
RETURNS SETOF text LANGUAGE plpgsql AS $cex$
DECLARE
    n int;
    n_parents int;
    bad text[];
BEGIN
    DROP TABLE IF EXISTS ex;
    CREATE TEMP TABLE ex AS
    SELECT r.id AS root, x.ord, e.*
      FROM okr.objective r,
           LATERAL (SELECT row_number() OVER () AS ord, e.* FROM okr.explain(r.id, t) e) x,
           LATERAL (SELECT x.depth, x.item, x.id, x.parent_item, x.parent_id, x.title, x.status, x.weight,
                           x.share, x.progress, x.contribution, x.counted, x.reason, x.value, x.checkin_id,
                           x.checkin_at, x.checkin_by, x.effort_done, x.effort_total) e
     WHERE r.parent_id IS NULL AND r.parent_key_result_id IS NULL;
    DROP TABLE IF EXISTS pr;
    CREATE TEMP TABLE pr AS SELECT * FROM okr.progress(t);
    SELECT count(*) INTO n FROM ex;
    WITH
    expect AS (
        SELECT e.root, e.item, e.id, e.ord,
               CASE e.item
                 WHEN 'key_result' THEN
                   CASE WHEN k.state <> 'active' THEN k.state WHEN k.weight = 0 THEN 'zero_weight'
                        WHEN p.progress IS NULL THEN 'not_scored' WHEN o.rollup = 'children' THEN 'parent_rollup' END
                 WHEN 'objective' THEN
                   CASE WHEN c.state NOT IN ('active', 'closed') THEN c.state WHEN c.weight = 0 THEN 'zero_weight'
                        WHEN p.progress IS NULL THEN 'not_scored'
                        WHEN c.parent_id IS NOT NULL AND po.rollup = 'key_results' THEN 'parent_rollup'
                        WHEN c.parent_key_result_id IS NOT NULL AND pk.kind <> 'objectives' THEN 'parent_kind' END
                 WHEN 'project' THEN
                   CASE WHEN j.state = 'cancelled' THEN 'cancelled' WHEN j.weight = 0 THEN 'zero_weight'
                        WHEN jk.kind <> 'projects' THEN 'parent_kind' END
               END AS reason,
               coalesce(k.weight, c.weight, j.weight) AS weight
          FROM ex e
          LEFT JOIN pr p ON p.item = e.item AND p.id = e.id
          LEFT JOIN okr.key_result k ON e.item = 'key_result' AND k.id = e.id
          LEFT JOIN okr.objective o ON o.id = k.objective_id
          LEFT JOIN okr.objective c ON e.item = 'objective' AND c.id = e.id
          LEFT JOIN okr.objective po ON po.id = c.parent_id
          LEFT JOIN okr.key_result pk ON pk.id = c.parent_key_result_id
          LEFT JOIN okr.project j ON e.item = 'project' AND j.id = e.id
          LEFT JOIN okr.key_result jk ON jk.id = j.key_result_id
         WHERE e.depth > 0),
    counted_w AS (
        SELECT e.root, e.parent_item, e.parent_id, sum(x.weight) AS w
          FROM ex e JOIN expect x ON x.root = e.root AND x.ord = e.ord
         WHERE x.reason IS NULL GROUP BY e.root, e.parent_item, e.parent_id),
    latest AS (
        SELECT DISTINCT ON (c.key_result_id) c.key_result_id, c.id, c.value, c.checked_at, c.author
          FROM okr.checkin c WHERE c.checked_at <= t ORDER BY c.key_result_id, c.checked_at DESC, c.id DESC),
    problems AS (
        -- every item of okr.progress once, and nothing else
        SELECT format('%s %s: %s rows in the explains of the roots', p.item, p.id, count(e.id)) AS problem
          FROM pr p LEFT JOIN ex e ON e.item = p.item AND e.id = p.id
         GROUP BY p.item, p.id HAVING count(e.id) <> 1
        UNION ALL
        SELECT format('%s %s: not in okr.progress', e.item, e.id)
          FROM ex e WHERE NOT EXISTS (SELECT FROM pr p WHERE p.item = e.item AND p.id = e.id)
        UNION ALL
        SELECT format('%s %s: progress %s status %s parent %s %s, okr.progress %s %s %s %s', e.item, e.id,
                      e.progress, e.status, e.parent_item, e.parent_id, p.progress, p.status, p.parent_item, p.parent_id)
          FROM ex e JOIN pr p ON p.item = e.item AND p.id = e.id
         WHERE p.progress IS DISTINCT FROM e.progress OR p.status IS DISTINCT FROM e.status
            OR p.parent_item IS DISTINCT FROM e.parent_item OR p.parent_id IS DISTINCT FROM e.parent_id
        UNION ALL
        SELECT format('%s %s under root %s: counted %s reason %s share %s, expected reason %s share %s',
                      e.item, e.id, e.root, e.counted, e.reason, e.share, x.reason, x.weight / w.w)
          FROM ex e JOIN expect x ON x.root = e.root AND x.ord = e.ord
          LEFT JOIN counted_w w ON w.root = e.root AND w.parent_item = e.parent_item AND w.parent_id = e.parent_id
         WHERE e.reason IS DISTINCT FROM x.reason OR e.counted IS DISTINCT FROM (x.reason IS NULL)
            OR (x.reason IS NULL AND NOT pg_temp.feq(e.share, x.weight / w.w, 1e-12))
            OR (x.reason IS NULL AND NOT pg_temp.feq(e.contribution, e.share * e.progress, 1e-15))
            OR (x.reason IS NOT NULL AND (e.share IS NOT NULL OR e.contribution IS NOT NULL))
        UNION ALL
        SELECT format('root %s: %s %s has depth %s, its parent %s', e.root, e.item, e.id, e.depth, pe.depth)
          FROM ex e LEFT JOIN ex pe ON pe.root = e.root AND pe.item = e.parent_item AND pe.id = e.parent_id
         WHERE e.depth > 0 AND pe.depth IS DISTINCT FROM e.depth - 1
        UNION ALL
        SELECT format('%s %s: contributions add up to %s, progress %s', pe.item, pe.id, sum(e.contribution), pe.progress)
          FROM ex e JOIN ex pe ON pe.root = e.root AND pe.item = e.parent_item AND pe.id = e.parent_id
         WHERE e.counted GROUP BY pe.root, pe.item, pe.id, pe.progress
        HAVING NOT pg_temp.feq(sum(e.contribution), pe.progress, 1e-12)
        UNION ALL
        SELECT format('key result %s: check-in %s (%s at %s by %s), latest dated by t %s (%s)', e.id,
                      e.checkin_id, e.value, e.checkin_at, e.checkin_by, l.id, l.value)
          FROM ex e JOIN okr.key_result k ON k.id = e.id LEFT JOIN latest l ON l.key_result_id = e.id
         WHERE e.item = 'key_result'
           AND (e.checkin_id IS DISTINCT FROM (CASE WHEN k.kind NOT IN ('projects', 'objectives') THEN l.id END)
                OR e.value IS DISTINCT FROM (CASE WHEN k.kind NOT IN ('projects', 'objectives') THEN l.value END)
                OR e.checkin_by IS DISTINCT FROM (CASE WHEN k.kind NOT IN ('projects', 'objectives') THEN l.author END)
                OR (l.id IS NOT NULL AND k.kind NOT IN ('projects', 'objectives')
                    AND NOT pg_temp.feq(okr.kr_progress(k.kind, k.start_value, k.target_value, e.value), e.progress, 0))))
    SELECT (array_agg(pb.problem ORDER BY pb.problem))[1:8] INTO bad FROM problems pb;
    SELECT count(*) INTO n_parents FROM (SELECT DISTINCT root, parent_item, parent_id FROM ex WHERE counted) z;
    RETURN NEXT ok(bad IS NULL AND n > 0,
                   format('seed %s, as_of %s: okr.explain of every root: %s rows, okr.progress''s figures, the rules'' reasons and shares, and the contributions of each of %s parents add up',
                          seed, t, n, n_parents));
    IF bad IS NOT NULL THEN
        RETURN NEXT diag(array_to_string(bad, E'\n'));
    END IF;
END
$cex$;

-- Build the organisation of a seed; check its coverage, then every moment.
CREATE FUNCTION pg_temp.run_seed(seed double precision) RETURNS SETOF text LANGUAGE plpgsql AS $run$
DECLARE
    m record;
    missing text[];
    line text;
BEGIN
    PERFORM pg_temp.gen_org(seed);
    missing := pg_temp.gen_missing();
    RETURN NEXT ok(missing = '{}',
                   format('seed %s: the organisation (%s objectives, %s key results, %s check-ins, %s projects, %s tasks) has every feature',
                          seed, (SELECT count(*) FROM okr.objective), (SELECT count(*) FROM okr.key_result),
                          (SELECT count(*) FROM okr.checkin), (SELECT count(*) FROM okr.project),
                          (SELECT count(*) FROM okr.task)));
    IF missing <> '{}' THEN
        RETURN NEXT diag(format('seed %s: missing %s', seed, missing));
    END IF;
    FOR m IN SELECT * FROM moments ORDER BY n LOOP
        FOR line IN SELECT * FROM pg_temp.compare_at(seed, m.label, m.t) LOOP
            RETURN NEXT line;
        END LOOP;
    END LOOP;
    -- okr.explain now (the subtree queries) and in the past (as it was)
    FOR line IN SELECT * FROM pg_temp.compare_explain(seed, now()) LOOP
        RETURN NEXT line;
    END LOOP;
    FOR line IN SELECT * FROM pg_temp.compare_explain(seed, '2026-04-01 00:00:00+00') LOOP
        RETURN NEXT line;
    END LOOP;
    -- monthly from the first instant of 2025 to the end of everything
    FOR line IN SELECT * FROM pg_temp.compare_history(seed, '2025-01-01 00:00+00', '2027-01-01 00:00+00', '1 month') LOOP
        RETURN NEXT line;
    END LOOP;
END
$run$;

-- objective_progress(id, t) against the reference for every objective.
CREATE FUNCTION pg_temp.compare_objective_progress(seed double precision, t timestamptz)
RETURNS SETOF text LANGUAGE plpgsql AS $cop$
DECLARE
    n int;
    n_bad int;
    bad text[];
BEGIN
    PERFORM * FROM pg_temp.ref_progress(t);     -- fills ref_obj
    SELECT count(*),
           count(*) FILTER (WHERE NOT pg_temp.feq(x.got, x.want)),
           (array_agg(format('  objective %s: objective_progress %s | reference %s', x.id, x.got, x.want)
                      ORDER BY x.id) FILTER (WHERE NOT pg_temp.feq(x.got, x.want)))[1:5]
      INTO n, n_bad, bad
      FROM (SELECT r.id, okr.objective_progress(r.id, t) AS got, r.progress AS want FROM ref_obj r) x;
    RETURN NEXT ok(n_bad = 0 AND n = (SELECT count(*) FROM okr.objective),
                   format('seed %s, as_of %s: okr.objective_progress matches the reference for all %s objectives', seed, t, n));
    IF n_bad <> 0 THEN
        RETURN NEXT diag(format('seed %s, as_of %s: %s objectives differ; first ones:', seed, t, n_bad));
        RETURN NEXT diag(array_to_string(bad, E'\n'));
    END IF;
END
$cop$;

-- ===================================================================
-- The tests
-- ===================================================================
SELECT * FROM pg_temp.run_seed(1);
SELECT * FROM pg_temp.run_seed(2);
SELECT * FROM pg_temp.run_seed(3);
SELECT * FROM pg_temp.run_seed(4);
SELECT * FROM pg_temp.run_seed(5);

-- seed 5 is still loaded
SELECT * FROM pg_temp.compare_objective_progress(5, '2025-08-20 17:45:10.5+00');
SELECT * FROM pg_temp.compare_objective_progress(5, '2026-04-01 00:00:00+00');
-- odd steps from one microsecond before the first cycle, and one subtree
SELECT * FROM pg_temp.compare_history(5, '2024-12-31 23:59:59.999999+00', '2026-12-31 23:59:59.999999+00',
                                      '37 days 5 hours 17 minutes 23.25 seconds');
-- (the root whose subtree holds the most check-ins tied on checked_at)
SELECT * FROM pg_temp.compare_history(5, '2025-01-01 00:00+00', '2026-12-31 00:00+00', '3 weeks', (
    WITH RECURSIVE sub AS (SELECT o.id AS root, o.id FROM pg_temp.ref_links() o WHERE o.parent_id IS NULL
                           UNION ALL SELECT sub.root, o.id FROM sub JOIN pg_temp.ref_links() o ON o.parent_id = sub.id)
    SELECT sub.root FROM sub JOIN okr.key_result k ON k.objective_id = sub.id
      JOIN okr.checkin a ON a.key_result_id = k.id
      JOIN okr.checkin b ON b.key_result_id = k.id AND b.checked_at = a.checked_at AND b.id > a.id
     GROUP BY sub.root ORDER BY count(*) DESC, sub.root LIMIT 1));

-- Seed 6 with the default commit-time maintenance: the whole organisation
-- is written in this transaction and nothing is applied yet, so okr.progress
-- and okr.objective_progress read the check-ins and tasks themselves (the
-- path a transaction takes between its writes and its commit).
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history DEFERRED;
SELECT * FROM pg_temp.run_seed(6);

SELECT * FROM finish();
ROLLBACK;
