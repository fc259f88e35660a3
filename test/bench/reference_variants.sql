-- The formulations of the plain-SQL reference that test/bench/reference.sql's
-- header compares (issue 18), kept so that the comparison can be rerun:
--   bash test/bench/reference_variants.sh   (against a generated organisation,
--   see that script).  Each returns (item, id, progress, activity) only, the
--   figures 1.0's benchmark compared; bench.ref_progress (reference.sql)
--   returns every column of okr.progress().  All read every task and check-in.
CREATE SCHEMA IF NOT EXISTS bench;

-- 1. The benchmark's reference up to issue 18: one statement, the closure of
-- the objective tree joined twice per step, then joined again to each
-- objective's own figures.
CREATE OR REPLACE FUNCTION bench.ref_v_closure(t timestamptz)
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
             WHEN 'metric' THEN CASE WHEN v.value IS NULL THEN 0.0 ELSE greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)) END
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


-- 2. As 1, each key result's latest check-in by a LATERAL ... LIMIT 1 probe
-- of checkin_latest_idx, the weight shares computed once before the walk.
CREATE OR REPLACE FUNCTION bench.ref_v_lateral(t timestamptz)
RETURNS TABLE (item text, id bigint, progress double precision, activity double precision)
LANGUAGE sql STABLE AS $$
WITH RECURSIVE
ts AS (
    SELECT project_id,
           sum(effort) FILTER (WHERE status <> 'cancelled') AS total,
           coalesce(sum(effort) FILTER (WHERE status = 'done' AND done_at <= t), 0) AS done
      FROM okr.task GROUP BY project_id),
pr AS (
    SELECT p.id, p.key_result_id, p.weight, p.state, s.total, s.done,
           CASE WHEN s.total > 0 THEN s.done / s.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS prog
      FROM okr.project p LEFT JOIN ts s ON s.project_id = p.id),
kr AS (
    SELECT k.id, k.objective_id, k.weight, k.state,
           CASE k.kind
             WHEN 'projects' THEN coalesce(pk.wp / nullif(pk.w, 0), 0)
             WHEN 'metric' THEN CASE WHEN v.value IS NULL THEN 0.0 ELSE greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)) END
             WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1.0 ELSE 0.0 END
             WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1.0 ELSE 0.0 END
             ELSE CASE WHEN v.value = 1 THEN 1.0 ELSE 0.0 END
           END AS prog,
           pk.total, pk.done
      FROM okr.key_result k
      LEFT JOIN LATERAL (SELECT c.value FROM okr.checkin c WHERE c.key_result_id = k.id AND c.checked_at <= t
                          ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) v ON k.kind NOT IN ('projects')
      LEFT JOIN (SELECT key_result_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS w
                   FROM pr GROUP BY key_result_id) pk ON pk.key_result_id = k.id),
own AS (
    SELECT o.id, o.parent_id, o.weight, o.state, o.rollup,
           (CASE WHEN o.rollup <> 'children' THEN coalesce(kb.w, 0) ELSE 0 END)
         + (CASE WHEN o.rollup <> 'key_results' THEN coalesce(cw.w, 0) ELSE 0 END) AS wsum,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.wp, 0) ELSE 0 END AS kr_part,
           kb.total, kb.done
      FROM okr.objective o
      LEFT JOIN (SELECT objective_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state = 'active' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state = 'active' AND weight > 0) AS w
                   FROM kr GROUP BY objective_id) kb ON kb.objective_id = o.id
      LEFT JOIN (SELECT parent_id, sum(weight) AS w FROM okr.objective
                  WHERE state IN ('active', 'closed') AND weight > 0 AND parent_id IS NOT NULL
                  GROUP BY parent_id) cw ON cw.parent_id = o.id),
-- each objective's share of its parent's mean and its own part, computed once
share AS (
    SELECT ch.id, ch.parent_id,
           CASE WHEN ch.state IN ('active', 'closed') AND ch.weight > 0 AND p.rollup <> 'key_results' AND p.wsum > 0
                THEN ch.weight / p.wsum ELSE 0 END AS s
      FROM own ch JOIN own p ON p.id = ch.parent_id),
closure AS (
    SELECT o.id AS anc, o.id AS obj, 1.0::float8 AS coef FROM okr.objective o
    UNION ALL
    SELECT c.anc, s.id, c.coef * s.s FROM closure c JOIN share s ON s.parent_id = c.obj),
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
SELECT 'project', id, prog, CASE WHEN total > 0 THEN done / total END FROM pr
$$;

-- 3. The closure walked once, each row carrying the descendant's share-weighted
-- part and its tasks, so no join after the walk; PARALLEL SAFE so that the
-- task aggregate may run in parallel when the function is inlined.
CREATE OR REPLACE FUNCTION bench.ref_v_carried(t timestamptz)
RETURNS TABLE (item text, id bigint, progress double precision, activity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH RECURSIVE
pr AS (
    SELECT p.id, p.key_result_id, p.weight, p.state, s.total, s.done,
           CASE WHEN s.total > 0 THEN s.done / s.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS prog
      FROM okr.project p
      LEFT JOIN (SELECT project_id,
                        sum(effort) FILTER (WHERE status <> 'cancelled') AS total,
                        coalesce(sum(effort) FILTER (WHERE status = 'done' AND done_at <= t), 0) AS done
                   FROM okr.task GROUP BY project_id) s ON s.project_id = p.id),
kr AS (
    SELECT k.id, k.objective_id, k.weight, k.state,
           CASE k.kind
             WHEN 'projects' THEN coalesce(pk.wp / nullif(pk.w, 0), 0)
             WHEN 'metric' THEN CASE WHEN v.value IS NULL THEN 0.0 ELSE greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)) END
             WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1.0 ELSE 0.0 END
             WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1.0 ELSE 0.0 END
             ELSE CASE WHEN v.value = 1 THEN 1.0 ELSE 0.0 END
           END AS prog,
           pk.total, pk.done
      FROM okr.key_result k
      LEFT JOIN (SELECT DISTINCT ON (key_result_id) key_result_id, value
                   FROM okr.checkin WHERE checked_at <= t
                  ORDER BY key_result_id, checked_at DESC, id DESC) v ON v.key_result_id = k.id
      LEFT JOIN (SELECT key_result_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS w
                   FROM pr GROUP BY key_result_id) pk ON pk.key_result_id = k.id),
-- per objective: the weight it averages over, its own key-result part
-- divided by it, its tasks, and its share of its parent's mean
own AS (
    SELECT o.id, o.parent_id, o.weight, o.state,
           x.wsum, CASE WHEN x.wsum > 0 THEN x.kr_part / x.wsum ELSE 0 END AS part, kb.total, kb.done,
           (o.rollup <> 'key_results' AND x.wsum > 0) AS averages_children
      FROM okr.objective o
      LEFT JOIN (SELECT objective_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state = 'active' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state = 'active' AND weight > 0) AS w
                   FROM kr GROUP BY objective_id) kb ON kb.objective_id = o.id
      LEFT JOIN (SELECT parent_id, sum(weight) AS w FROM okr.objective
                  WHERE state IN ('active', 'closed') AND weight > 0 AND parent_id IS NOT NULL
                  GROUP BY parent_id) cw ON cw.parent_id = o.id
      CROSS JOIN LATERAL (SELECT
           (CASE WHEN o.rollup <> 'children' THEN coalesce(kb.w, 0) ELSE 0 END)
         + (CASE WHEN o.rollup <> 'key_results' THEN coalesce(cw.w, 0) ELSE 0 END) AS wsum,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.wp, 0) ELSE 0 END AS kr_part) x),
edge AS (
    SELECT ch.id, ch.parent_id, ch.part, ch.total, ch.done,
           CASE WHEN ch.state IN ('active', 'closed') AND ch.weight > 0 AND p.averages_children
                THEN ch.weight / p.wsum ELSE 0 END AS share
      FROM own ch JOIN own p ON p.id = ch.parent_id),
-- walked once from every objective down: (ancestor, descendant's weighted part and tasks)
closure AS (
    SELECT id AS anc, wsum > 0 AS scored, id AS obj, 1.0::float8 AS coef, part, total, done FROM own
    UNION ALL
    SELECT c.anc, c.scored, e.id, c.coef * e.share, e.part, e.total, e.done
      FROM closure c JOIN edge e ON e.parent_id = c.obj)
SELECT 'objective', anc, CASE WHEN scored THEN sum(coef * part) END,
       CASE WHEN sum(total) > 0 THEN sum(done) / sum(total) END
  FROM closure GROUP BY anc, scored
UNION ALL
SELECT 'key_result', id, prog, CASE WHEN total > 0 THEN done / total END FROM kr
UNION ALL
SELECT 'project', id, prog, CASE WHEN total > 0 THEN done / total END FROM pr
$$;

-- 4. As 3, the latest check-in by a window function (row_number).
CREATE OR REPLACE FUNCTION bench.ref_v_window(t timestamptz)
RETURNS TABLE (item text, id bigint, progress double precision, activity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH RECURSIVE
pr AS (
    SELECT p.id, p.key_result_id, p.weight, p.state, s.total, s.done,
           CASE WHEN s.total > 0 THEN s.done / s.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS prog
      FROM okr.project p
      LEFT JOIN (SELECT project_id,
                        sum(effort) FILTER (WHERE status <> 'cancelled') AS total,
                        coalesce(sum(effort) FILTER (WHERE status = 'done' AND done_at <= t), 0) AS done
                   FROM okr.task GROUP BY project_id) s ON s.project_id = p.id),
kr AS (
    SELECT k.id, k.objective_id, k.weight, k.state,
           CASE k.kind
             WHEN 'projects' THEN coalesce(pk.wp / nullif(pk.w, 0), 0)
             WHEN 'metric' THEN CASE WHEN v.value IS NULL THEN 0.0 ELSE greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)) END
             WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1.0 ELSE 0.0 END
             WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1.0 ELSE 0.0 END
             ELSE CASE WHEN v.value = 1 THEN 1.0 ELSE 0.0 END
           END AS prog,
           pk.total, pk.done
      FROM okr.key_result k
      LEFT JOIN (SELECT key_result_id, value
                   FROM (SELECT key_result_id, value,
                                row_number() OVER (PARTITION BY key_result_id ORDER BY checked_at DESC, id DESC) AS n
                           FROM okr.checkin WHERE checked_at <= t) w
                  WHERE n = 1) v ON v.key_result_id = k.id
      LEFT JOIN (SELECT key_result_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS w
                   FROM pr GROUP BY key_result_id) pk ON pk.key_result_id = k.id),
-- per objective: the weight it averages over, its own key-result part
-- divided by it, its tasks, and its share of its parent's mean
own AS (
    SELECT o.id, o.parent_id, o.weight, o.state,
           x.wsum, CASE WHEN x.wsum > 0 THEN x.kr_part / x.wsum ELSE 0 END AS part, kb.total, kb.done,
           (o.rollup <> 'key_results' AND x.wsum > 0) AS averages_children
      FROM okr.objective o
      LEFT JOIN (SELECT objective_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state = 'active' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state = 'active' AND weight > 0) AS w
                   FROM kr GROUP BY objective_id) kb ON kb.objective_id = o.id
      LEFT JOIN (SELECT parent_id, sum(weight) AS w FROM okr.objective
                  WHERE state IN ('active', 'closed') AND weight > 0 AND parent_id IS NOT NULL
                  GROUP BY parent_id) cw ON cw.parent_id = o.id
      CROSS JOIN LATERAL (SELECT
           (CASE WHEN o.rollup <> 'children' THEN coalesce(kb.w, 0) ELSE 0 END)
         + (CASE WHEN o.rollup <> 'key_results' THEN coalesce(cw.w, 0) ELSE 0 END) AS wsum,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.wp, 0) ELSE 0 END AS kr_part) x),
edge AS (
    SELECT ch.id, ch.parent_id, ch.part, ch.total, ch.done,
           CASE WHEN ch.state IN ('active', 'closed') AND ch.weight > 0 AND p.averages_children
                THEN ch.weight / p.wsum ELSE 0 END AS share
      FROM own ch JOIN own p ON p.id = ch.parent_id),
-- walked once from every objective down: (ancestor, descendant's weighted part and tasks)
closure AS (
    SELECT id AS anc, wsum > 0 AS scored, id AS obj, 1.0::float8 AS coef, part, total, done FROM own
    UNION ALL
    SELECT c.anc, c.scored, e.id, c.coef * e.share, e.part, e.total, e.done
      FROM closure c JOIN edge e ON e.parent_id = c.obj)
SELECT 'objective', anc, CASE WHEN scored THEN sum(coef * part) END,
       CASE WHEN sum(total) > 0 THEN sum(done) / sum(total) END
  FROM closure GROUP BY anc, scored
UNION ALL
SELECT 'key_result', id, prog, CASE WHEN total > 0 THEN done / total END FROM kr
UNION ALL
SELECT 'project', id, prog, CASE WHEN total > 0 THEN done / total END FROM pr
$$;

-- 5. PL/pgSQL, level by level over temporary tables: the tree bottom-up,
-- each level's children aggregated once into their parents.
CREATE OR REPLACE FUNCTION bench.ref_v_levels(t timestamptz)
RETURNS TABLE (item text, id bigint, progress double precision, activity double precision)
LANGUAGE plpgsql AS $$
DECLARE d int;
BEGIN
    DROP TABLE IF EXISTS pg_temp.r_pr, pg_temp.r_kr, pg_temp.r_obj;
    CREATE TEMP TABLE r_pr AS
    SELECT p.id, p.key_result_id, p.weight, p.state, s.total, s.done,
           CASE WHEN s.total > 0 THEN s.done / s.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS prog
      FROM okr.project p
      LEFT JOIN (SELECT project_id,
                        sum(effort) FILTER (WHERE status <> 'cancelled') AS total,
                        coalesce(sum(effort) FILTER (WHERE status = 'done' AND done_at <= t), 0) AS done
                   FROM okr.task GROUP BY project_id) s ON s.project_id = p.id;
    CREATE TEMP TABLE r_kr AS
    SELECT k.id, k.objective_id, k.weight, k.state,
           CASE k.kind
             WHEN 'projects' THEN coalesce(pk.wp / nullif(pk.w, 0), 0)
             WHEN 'metric' THEN CASE WHEN v.value IS NULL THEN 0.0 ELSE greatest(0, least(1,
                                  ((v.value - k.start_value) / (k.target_value - k.start_value))::float8)) END
             WHEN 'at_least' THEN CASE WHEN v.value >= k.target_value THEN 1.0 ELSE 0.0 END
             WHEN 'at_most' THEN CASE WHEN v.value <= k.target_value THEN 1.0 ELSE 0.0 END
             ELSE CASE WHEN v.value = 1 THEN 1.0 ELSE 0.0 END
           END AS prog,
           pk.total, pk.done
      FROM okr.key_result k
      LEFT JOIN (SELECT DISTINCT ON (key_result_id) key_result_id, value
                   FROM okr.checkin c WHERE c.checked_at <= t
                  ORDER BY key_result_id, checked_at DESC, c.id DESC) v ON v.key_result_id = k.id
      LEFT JOIN (SELECT key_result_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state <> 'cancelled' AND weight > 0) AS w
                   FROM r_pr GROUP BY key_result_id) pk ON pk.key_result_id = k.id;
    -- objectives with their depth, their key-result sums, then filled bottom-up level by level
    CREATE TEMP TABLE r_obj AS
    WITH RECURSIVE lv AS (
        SELECT o.id, 0 AS depth FROM okr.objective o WHERE o.parent_id IS NULL
        UNION ALL
        SELECT o.id, lv.depth + 1 FROM lv JOIN okr.objective o ON o.parent_id = lv.id)
    SELECT o.id, o.parent_id, o.weight, o.state, o.rollup, lv.depth,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.wp, 0) ELSE 0 END AS wp,
           CASE WHEN o.rollup <> 'children' THEN coalesce(kb.w, 0) ELSE 0 END AS w,
           kb.total, kb.done, NULL::float8 AS prog
      FROM okr.objective o JOIN lv ON lv.id = o.id
      LEFT JOIN (SELECT objective_id, sum(total) AS total, sum(done) AS done,
                        sum(weight * prog) FILTER (WHERE state = 'active' AND weight > 0) AS wp,
                        sum(weight) FILTER (WHERE state = 'active' AND weight > 0) AS w
                   FROM r_kr GROUP BY objective_id) kb ON kb.objective_id = o.id;
    FOR d IN SELECT DISTINCT r.depth FROM r_obj r ORDER BY 1 DESC LOOP
        UPDATE r_obj o SET prog = CASE WHEN o.w + coalesce(c.w, 0) > 0 THEN (o.wp + coalesce(c.wp, 0)) / (o.w + coalesce(c.w, 0)) END,
                           total = CASE WHEN c.total IS NULL THEN o.total ELSE coalesce(o.total, 0) + c.total END,
                           done = CASE WHEN c.done IS NULL THEN o.done ELSE coalesce(o.done, 0) + c.done END
          FROM r_obj o2 LEFT JOIN (
                SELECT ch.parent_id,
                       sum(ch.weight * ch.prog) FILTER (WHERE ch.state IN ('active', 'closed') AND ch.weight > 0 AND ch.prog IS NOT NULL) AS wp,
                       sum(ch.weight) FILTER (WHERE ch.state IN ('active', 'closed') AND ch.weight > 0 AND ch.prog IS NOT NULL) AS w,
                       sum(ch.total) AS total, sum(ch.done) AS done
                  FROM r_obj ch WHERE ch.depth = d + 1 GROUP BY ch.parent_id) c ON c.parent_id = o2.id AND o2.rollup <> 'key_results'
         WHERE o.depth = d AND o2.id = o.id;
    END LOOP;
    RETURN QUERY
    SELECT 'objective'::text, o.id, o.prog, CASE WHEN o.total > 0 THEN o.done / o.total END FROM r_obj o
    UNION ALL
    SELECT 'key_result', k.id, k.prog, CASE WHEN k.total > 0 THEN k.done / k.total END FROM r_kr k
    UNION ALL
    SELECT 'project', p.id, p.prog, CASE WHEN p.total > 0 THEN p.done / p.total END FROM r_pr p;
END $$;
