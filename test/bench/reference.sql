-- The plain-SQL reference for okr.progress() (issue 18: the best an analyst
-- would write): every row and every column okr.progress(t) returns, from the
-- base rows, reading every task and check-in, without the extension's engine
-- (no maintained column, no okr function).  bench.max_diff compares all of it.
--
-- Formulations tried (test/bench/reference_variants.sql, timed by
-- reference_variants.sh, alternately, medians; at L, ratios to this one's
-- time; measured at L on commit 8db669d, a loaded 2-core machine, medians of 5
-- and 9 alternated rounds):
--   formulation (all read every task and check-in)            JIT on   JIT off
--   1. one statement: closure joined twice per step, then
--      to each objective's figures (the reference up to 1.0)   1.85x    0.88x
--   2. as 1, latest check-in by LATERAL ... LIMIT 1, the
--      weight shares computed once before the walk             1.82x    0.72x-1.08x
--   3. the closure walked once carrying each descendant's
--      weighted part (no join after it), PARALLEL SAFE         2.14x    0.89x
--   4. as 3, latest check-in by row_number()                   2.21x    0.92x
--   5. PL/pgSQL, level by level over temporary tables          0.86x    0.88x
--   kept: 5 with the LATERAL probe of 2, and every column
--      (expected, status, parents, cycle), which 1-5 lack        -      1.00x
--   1-5 return progress and activity only, yet the kept one is the fastest
--   (9 rounds: kept 485 ms, 5 548 ms, 2 526 ms, okr.progress() 43 ms).
--   Parallel query (3) gained nothing on 2 busy cores; work_mem 64MB as
--   bench.sh sets it.  The task aggregate alone is about half of any of them.
-- Kept: PL/pgSQL, level by level over temporary tables, with JIT off (SET
-- on the function), each key result's latest check-in by an index probe.
-- PostgreSQL's JIT (on by default) costs more than it saves on every
-- statement-sized formulation here, so the function turns it off.
--
-- It is exact for the generated organisations, in which no objective aligns
-- to a key result (SPEC 1b) and every cycle is the objective's: parent_id
-- alignment only, expected progress of a key result or project is its
-- objective's cycle's.  A child with NULL progress is left out of its
-- parent's mean, as SPEC 3 says.
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.ref_progress(t timestamptz)
RETURNS TABLE (item text, id bigint, parent_item text, parent_id bigint, cycle_id bigint,
               progress double precision, activity double precision, expected double precision, status text)
LANGUAGE plpgsql SET jit = off SET client_min_messages = warning AS $$
#variable_conflict use_column
DECLARE
    d int;
    on_track float8 := coalesce(current_setting('okr.on_track_ratio', true)::float8, 0.9);
    at_risk float8 := coalesce(current_setting('okr.at_risk_ratio', true)::float8, 0.7);
BEGIN
    DROP TABLE IF EXISTS pg_temp.ref_cycle, pg_temp.ref_project, pg_temp.ref_kr, pg_temp.ref_objective;
    -- each cycle's elapsed share at t (microseconds, as SPEC 3 divides them) and whether it started
    CREATE TEMP TABLE ref_cycle AS
    SELECT c.id, t >= c.starts_on::timestamptz AS started,
           CASE WHEN t <= c.starts_on::timestamptz THEN 0.0::float8
                WHEN t >= (c.ends_on + 1)::timestamptz THEN 1.0::float8
                ELSE ((extract(epoch FROM t) - extract(epoch FROM c.starts_on::timestamptz)) * 1000000)::float8
                   / ((extract(epoch FROM (c.ends_on + 1)::timestamptz) - extract(epoch FROM c.starts_on::timestamptz)) * 1000000)::float8
           END AS expected
      FROM okr.cycle c;
    -- projects: every task read once, aggregated once per project; the
    -- cycle and the state a project inherits (SPEC 3: its own, then a
    -- cancelled key result's, then its objective's) come along
    CREATE TEMP TABLE ref_project AS
    SELECT p.id, p.key_result_id, p.weight, p.state, s.total, s.done,
           CASE WHEN s.total > 0 THEN s.done / s.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS prog,
           o.cycle_id, cy.started, cy.expected,
           CASE WHEN p.state <> 'active' THEN p.state WHEN k.state = 'cancelled' THEN 'cancelled'
                WHEN o.state <> 'active' THEN o.state END AS inherited
      FROM okr.project p
      JOIN okr.key_result k ON k.id = p.key_result_id
      JOIN okr.objective o ON o.id = k.objective_id
      JOIN ref_cycle cy ON cy.id = o.cycle_id
      LEFT JOIN (SELECT project_id,
                        sum(effort) FILTER (WHERE status <> 'cancelled') AS total,
                        coalesce(sum(effort) FILTER (WHERE status = 'done' AND done_at <= t), 0) AS done
                   FROM okr.task GROUP BY project_id) s ON s.project_id = p.id;
    -- key results: the latest check-in at t, the projects aggregated once per key result
    CREATE TEMP TABLE ref_kr AS
    SELECT k.id, k.objective_id, k.weight, k.state,
           CASE k.kind
             WHEN 'projects' THEN coalesce(pk.wp / nullif(pk.w, 0), 0)
             -- (greatest and least skip a NULL: no value is 0, said first)
             WHEN 'metric' THEN CASE WHEN v.value IS NULL THEN 0.0 ELSE greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)) END
             WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1.0 ELSE 0.0 END
             WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1.0 ELSE 0.0 END
             ELSE CASE WHEN v.value = 1 THEN 1.0 ELSE 0.0 END
           END AS prog,
           pk.total, pk.done, o.cycle_id, cy.started, cy.expected,
           CASE WHEN k.state <> 'active' THEN k.state WHEN o.state <> 'active' THEN o.state END AS inherited
      FROM okr.key_result k
      JOIN okr.objective o ON o.id = k.objective_id
      JOIN ref_cycle cy ON cy.id = o.cycle_id
      -- the latest check-in at t: one probe of checkin_latest_idx per key result that takes check-ins
      LEFT JOIN LATERAL (SELECT c.value FROM okr.checkin c WHERE c.key_result_id = k.id AND c.checked_at <= t
                          ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) v ON k.kind <> 'projects'
      LEFT JOIN (SELECT p.key_result_id, sum(p.total) AS total, sum(p.done) AS done,
                        sum(p.weight * p.prog) FILTER (WHERE p.state <> 'cancelled' AND p.weight > 0) AS wp,
                        sum(p.weight) FILTER (WHERE p.state <> 'cancelled' AND p.weight > 0) AS w
                   FROM ref_project p GROUP BY p.key_result_id) pk ON pk.key_result_id = k.id;
    -- objectives: depth, own key-result sums (progress and expected), then
    -- filled bottom-up one level at a time
    CREATE TEMP TABLE ref_objective AS
    WITH RECURSIVE lv AS (
        SELECT o.id, 0 AS depth FROM okr.objective o WHERE o.parent_id IS NULL
        UNION ALL
        SELECT o.id, lv.depth + 1 FROM lv JOIN okr.objective o ON o.parent_id = lv.id)
    SELECT o.id, o.parent_id, o.cycle_id, o.weight, o.state, o.rollup, lv.depth,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.wp, 0) ELSE 0 END AS wp,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.w, 0) ELSE 0 END AS w,
           kb.total, kb.done, NULL::float8 AS prog, NULL::float8 AS exp, cy.started
      FROM okr.objective o JOIN lv ON lv.id = o.id
      JOIN ref_cycle cy ON cy.id = o.cycle_id
      LEFT JOIN (SELECT k.objective_id, sum(k.total) AS total, sum(k.done) AS done,
                        sum(k.weight * k.prog) FILTER (WHERE k.state = 'active' AND k.weight > 0) AS wp,
                        sum(k.weight) FILTER (WHERE k.state = 'active' AND k.weight > 0) AS w
                   FROM ref_kr k GROUP BY k.objective_id) kb ON kb.objective_id = o.id;
    FOR d IN SELECT DISTINCT r.depth FROM ref_objective r ORDER BY 1 DESC LOOP
        UPDATE ref_objective o
           SET prog = CASE WHEN x.w > 0 THEN x.wp / x.w END,
               -- the items counted, with their weights; key results share the objective's cycle
               exp = CASE WHEN x.w > 0 THEN (o.w * cy.expected + coalesce(c.we, 0)) / x.w ELSE cy.expected END,
               total = CASE WHEN c.total IS NULL THEN o.total ELSE coalesce(o.total, 0) + c.total END,
               done = CASE WHEN c.done IS NULL THEN o.done ELSE coalesce(o.done, 0) + c.done END
          FROM ref_objective o2
          JOIN ref_cycle cy ON cy.id = o2.cycle_id
          LEFT JOIN (SELECT ch.parent_id, sum(ch.total) AS total, sum(ch.done) AS done,
                            sum(ch.weight * ch.prog) FILTER (WHERE ch.state IN ('active', 'closed') AND ch.weight > 0 AND ch.prog IS NOT NULL) AS wp,
                            sum(ch.weight * ch.exp) FILTER (WHERE ch.state IN ('active', 'closed') AND ch.weight > 0 AND ch.prog IS NOT NULL) AS we,
                            sum(ch.weight) FILTER (WHERE ch.state IN ('active', 'closed') AND ch.weight > 0 AND ch.prog IS NOT NULL) AS w
                       FROM ref_objective ch WHERE ch.depth = d + 1 GROUP BY ch.parent_id) c ON c.parent_id = o2.id
          CROSS JOIN LATERAL (SELECT o2.wp + CASE WHEN o2.rollup <> 'key_results' THEN coalesce(c.wp, 0) ELSE 0 END AS wp,
                                     o2.w + CASE WHEN o2.rollup <> 'key_results' THEN coalesce(c.w, 0) ELSE 0 END AS w) x
         WHERE o.depth = d AND o2.id = o.id;
    END LOOP;
    -- SPEC 3's status: an item not active reports its state, and so do its parts
    RETURN QUERY
    WITH out AS (
        SELECT 'objective'::text AS item, o.id, CASE WHEN o.parent_id IS NOT NULL THEN 'objective' END AS parent_item,
               o.parent_id, o.cycle_id, o.prog, CASE WHEN o.total > 0 THEN o.done / o.total END AS act, o.exp,
               CASE WHEN o.state <> 'active' THEN o.state END AS inherited, o.started
          FROM ref_objective o
        UNION ALL
        SELECT 'key_result', k.id, 'objective', k.objective_id, k.cycle_id, k.prog,
               CASE WHEN k.total > 0 THEN k.done / k.total END, k.expected, k.inherited, k.started
          FROM ref_kr k
        UNION ALL
        SELECT 'project', p.id, 'key_result', p.key_result_id, p.cycle_id, p.prog,
               CASE WHEN p.total > 0 THEN p.done / p.total END, p.expected, p.inherited, p.started
          FROM ref_project p)
    SELECT out.item, out.id, out.parent_item, out.parent_id, out.cycle_id, out.prog, out.act, out.exp,
           CASE WHEN out.inherited IS NOT NULL THEN out.inherited
                WHEN NOT out.started THEN 'not_started'
                WHEN out.prog IS NULL THEN 'not_scored'
                WHEN out.prog >= 1 THEN 'achieved'
                WHEN out.exp <= 0 OR out.prog / out.exp >= on_track THEN 'on_track'
                WHEN out.prog / out.exp >= at_risk THEN 'at_risk'
                ELSE 'off_track' END
      FROM out;
END $$;

-- Median wall time in ms of a statement run n times (results discarded).
CREATE OR REPLACE FUNCTION bench.median_ms(q text, n int) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    ms double precision[] := '{}';
BEGIN
    FOR i IN 1 .. n LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        ms := ms || extract(epoch FROM clock_timestamp() - t0)::double precision * 1000;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x);
END $$;

-- Medians in ms of statements run in turn, n rounds (A B C A B C ...), so
-- that a loaded machine slows each alike: (i, median) for qs[i].
CREATE OR REPLACE FUNCTION bench.alternate(qs text[], n int, jit_on bool[] DEFAULT NULL)
RETURNS TABLE (i int, median_ms double precision) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    ms double precision[] := array_fill(0::float8, ARRAY[n, cardinality(qs)]);
BEGIN
    FOR r IN 1 .. n LOOP
        FOR j IN 1 .. cardinality(qs) LOOP
            IF jit_on IS NOT NULL THEN
                PERFORM set_config('jit', CASE WHEN jit_on[j] THEN 'on' ELSE 'off' END, true);
            END IF;
            t0 := clock_timestamp();
            EXECUTE qs[j];
            ms[r][j] := extract(epoch FROM clock_timestamp() - t0)::double precision * 1000;
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT j, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms[r][j]) FROM generate_series(1, n) r)
                   FROM generate_series(1, cardinality(qs)) j;
END $$;

-- Largest difference between the engine and the reference at t (0 = agree):
-- every row and column of okr.progress(t); a missing row, a NULL on one side
-- only, or a differing parent, cycle or status counts 1.
CREATE OR REPLACE FUNCTION bench.max_diff(t timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$
SELECT max(greatest(
         CASE WHEN (e.progress IS NULL) <> (r.progress IS NULL) THEN 1 ELSE coalesce(abs(e.progress - r.progress), 0) END,
         CASE WHEN (e.activity IS NULL) <> (r.activity IS NULL) THEN 1 ELSE coalesce(abs(e.activity - r.activity), 0) END,
         CASE WHEN (e.expected IS NULL) <> (r.expected IS NULL) THEN 1 ELSE coalesce(abs(e.expected - r.expected), 0) END,
         CASE WHEN r.id IS NULL OR e.id IS NULL THEN 1 ELSE 0 END,
         CASE WHEN (e.parent_item, e.parent_id, e.cycle_id, e.status)
                   IS DISTINCT FROM (r.parent_item, r.parent_id, r.cycle_id, r.status) THEN 1 ELSE 0 END))
  FROM okr.progress(t) e FULL JOIN bench.ref_progress(t) r USING (item, id)
$$;

-- medians of two statements run alternately (the filtered-view lines of run_bench.sh)
CREATE OR REPLACE FUNCTION bench.alternate_ms(a text, b text, n int,
                                              OUT a_ms double precision, OUT b_ms double precision,
                                              OUT ratio double precision)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    xa double precision[] := '{}';
    xb double precision[] := '{}';
BEGIN
    FOR i IN 1 .. n LOOP
        t0 := clock_timestamp();
        EXECUTE a;
        xa := xa || extract(epoch FROM clock_timestamp() - t0)::double precision * 1000;
        t0 := clock_timestamp();
        EXECUTE b;
        xb := xb || extract(epoch FROM clock_timestamp() - t0)::double precision * 1000;
    END LOOP;
    a_ms := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(xa) x);
    b_ms := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(xb) x);
    ratio := a_ms / b_ms;
END $$;
