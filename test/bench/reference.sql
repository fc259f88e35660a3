-- A plain-SQL reference for okr.progress(): the same figures (SPEC 3) from
-- the base rows with recursive CTEs, reading every task and check-in, as an
-- analyst would write it without the extension's engine.  Objective progress
-- uses the closure of the alignment tree: an objective's progress is the sum
-- over its descendants (itself included) of the path's weight shares times
-- each descendant's own key-result part.  That is exact when every counted
-- objective has a counted item, as in the generated organisations.
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.ref_progress(t timestamptz)
RETURNS TABLE (item text, id bigint, progress double precision, activity double precision)
LANGUAGE sql STABLE AS $$
WITH RECURSIVE
task_sum AS (
    SELECT project_id,
           sum(effort) FILTER (WHERE status <> 'cancelled') AS total,
           coalesce(sum(effort) FILTER (WHERE status = 'done' AND done_at <= t), 0) AS done
      FROM okr.task GROUP BY project_id),
proj AS (
    SELECT p.id, p.key_result_id, p.weight, p.state, s.total, s.done,
           CASE WHEN s.total > 0 THEN s.done / s.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS prog
      FROM okr.project p LEFT JOIN task_sum s ON s.project_id = p.id),
val AS (
    SELECT DISTINCT ON (key_result_id) key_result_id, value
      FROM okr.checkin WHERE checked_at <= t
     ORDER BY key_result_id, checked_at DESC, id DESC),
proj_by_kr AS (
    SELECT key_result_id, sum(total) AS total, sum(done) AS done,
           sum(weight * prog) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS wp,
           sum(weight) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS w
      FROM proj GROUP BY key_result_id),
kr AS (
    SELECT k.id, k.objective_id, k.weight, k.state,
           CASE k.kind
             WHEN 'projects' THEN coalesce(pk.wp / nullif(pk.w, 0), 0)
             WHEN 'metric' THEN coalesce(greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)), 0)
             WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1.0 ELSE 0.0 END
             WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1.0 ELSE 0.0 END
             ELSE CASE WHEN v.value = 1 THEN 1.0 ELSE 0.0 END
           END AS prog,
           pk.total, pk.done
      FROM okr.key_result k
      LEFT JOIN val v ON v.key_result_id = k.id
      LEFT JOIN proj_by_kr pk ON pk.key_result_id = k.id),
kr_by_obj AS (
    SELECT objective_id, sum(total) AS total, sum(done) AS done,
           sum(weight * prog) FILTER (WHERE state = 'active' AND weight > 0) AS wp,
           sum(weight) FILTER (WHERE state = 'active' AND weight > 0) AS w
      FROM kr GROUP BY objective_id),
child_w AS (
    SELECT parent_id, sum(weight) AS w FROM okr.objective
     WHERE state IN ('active', 'closed') AND weight > 0 AND parent_id IS NOT NULL GROUP BY parent_id),
-- per objective: the weight of everything it averages over, and its own key-result part
own AS (
    SELECT o.id, o.rollup,
           (CASE WHEN o.rollup <> 'children' THEN coalesce(kb.w, 0) ELSE 0 END)
         + (CASE WHEN o.rollup <> 'key_results' THEN coalesce(cw.w, 0) ELSE 0 END) AS wsum,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.wp, 0) ELSE 0 END AS kr_part,
           kb.total, kb.done
      FROM okr.objective o
      LEFT JOIN kr_by_obj kb ON kb.objective_id = o.id
      LEFT JOIN child_w cw ON cw.parent_id = o.id),
-- (ancestor, descendant, product of weight shares along the path)
closure AS (
    SELECT o.id AS anc, o.id AS obj, 1.0::float8 AS coef FROM okr.objective o
    UNION ALL
    SELECT c.anc, ch.id, c.coef * CASE WHEN ch.state IN ('active', 'closed') AND ch.weight > 0
                                         AND p.rollup <> 'key_results' AND p.wsum > 0
                                       THEN ch.weight / p.wsum ELSE 0 END
      FROM closure c JOIN own p ON p.id = c.obj JOIN okr.objective ch ON ch.parent_id = c.obj),
obj AS (
    SELECT c.anc AS id,
           sum(c.coef * CASE WHEN o.wsum > 0 THEN o.kr_part / o.wsum ELSE 0 END) AS prog,
           sum(o.total) AS total, sum(o.done) AS done
      FROM closure c JOIN own o ON o.id = c.obj GROUP BY c.anc)
SELECT 'objective', obj.id, CASE WHEN own.wsum > 0 THEN obj.prog END,
       CASE WHEN obj.total > 0 THEN obj.done / obj.total END
  FROM obj JOIN own ON own.id = obj.id
UNION ALL
SELECT 'key_result', id, prog, CASE WHEN total > 0 THEN done / total END FROM kr
UNION ALL
SELECT 'project', id, prog, CASE WHEN total > 0 THEN done / total END FROM proj
$$;

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

-- Largest difference between the engine and the reference at t (0 = agree).
CREATE OR REPLACE FUNCTION bench.max_diff(t timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$
SELECT max(greatest(
         CASE WHEN (e.progress IS NULL) <> (r.progress IS NULL) THEN 1 ELSE coalesce(abs(e.progress - r.progress), 0) END,
         CASE WHEN (e.activity IS NULL) <> (r.activity IS NULL) THEN 1 ELSE coalesce(abs(e.activity - r.activity), 0) END,
         CASE WHEN r.id IS NULL THEN 1 ELSE 0 END))
  FROM okr.progress(t) e FULL JOIN bench.ref_progress(t) r USING (item, id)
$$;
-- Medians of two queries run alternately (A B A B ...), so that the load of
-- a shared machine falls on both alike: a_ms, b_ms and a_ms / b_ms.
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
