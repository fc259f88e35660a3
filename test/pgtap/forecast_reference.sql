-- SPEC 8, "Forecast": okr.forecast(as_of) against an independent plain-SQL
-- reference on random organisations, now and at a past moment, to 1e-9.
--
-- The reference (pg_temp.ref_forecast) is written from SPEC 8 and SPEC 3
-- only: the lines by regr_slope / regr_intercept over the check-ins in the
-- cycle (a metric with its point (cycle start, start_value)), the rest as
-- sums and CASEs, objectives bottom-up one depth at a time.  It calls none
-- of okr.forecast, okr.progress, okr.kr_progress, okr.expected_progress or
-- okr.grade.  Values are scaled per key result by 10^-30 .. 10^30 and some
-- carry many digits, so both ways a value becomes a double are used (the
-- fast exact one and the text one); even seeds have sparse key result ids.
--
-- To reproduce a failure: the diag() names the seed and the moment;
-- SELECT pg_temp.gen_org(<seed>) builds the same organisation again.
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = error;
-- 5 seeds x 2 moments, and the coverage of what they exercise
SELECT plan(11);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

-- ===================================================================
-- Generator: a random organisation from a seed
-- ===================================================================
-- Cycles: Y2026 > four quarters, and Y2027 (not started at either
-- moment).  Objectives in three levels, each aligned to one of the level
-- above (in its cycle or a quarter of it), or to one of its key results.
CREATE FUNCTION pg_temp.gen_org(seed double precision, per_level int DEFAULT 25)
RETURNS void LANGUAGE plpgsql AS $gen$
DECLARE
    lvl int;
BEGIN
    TRUNCATE okr.task, okr.project, okr.checkin, okr.key_result_source, okr.key_result, okr.objective, okr.cycle;
    PERFORM setseed(seed / 100.0);
    INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Y2026', '2026-01-01', '2026-12-31'),
                                                            ('Y2027', '2027-01-01', '2027-12-31');
    INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
    SELECT 'Q' || q, make_date(2026, 3 * q - 2, 1), (make_date(2026, 3 * q - 2, 1) + interval '3 months')::date - 1, c.id
      FROM generate_series(1, 4) q, okr.cycle c WHERE c.name = 'Y2026' ORDER BY q;

    FOR lvl IN 0 .. 2 LOOP
        WITH x AS MATERIALIZED (
            SELECT g, random() AS rp, random() AS rc, random() AS rw, random() AS rr, random() AS rk
              FROM generate_series(1, per_level) g ORDER BY g),
        p AS MATERIALIZED (
            SELECT x.g, (SELECT o.id FROM okr.objective o WHERE o.title LIKE format('L%s #%%', lvl - 1)
                          ORDER BY o.id OFFSET floor(x.rp * per_level)::int LIMIT 1) AS pid
              FROM x WHERE lvl > 0)
        INSERT INTO okr.objective (cycle_id, parent_id, title, weight, rollup, kind)
        SELECT CASE WHEN lvl = 0 THEN (SELECT c.id FROM okr.cycle c ORDER BY c.id
                                        OFFSET floor(x.rc * 6)::int LIMIT 1)
                    WHEN x.rc < 0.5 OR pc.name <> 'Y2026' THEN po.cycle_id
                    ELSE (SELECT c.id FROM okr.cycle c WHERE c.parent_id = po.cycle_id ORDER BY c.id
                          OFFSET floor(x.rc * 8)::int % 4 LIMIT 1) END,
               po.id, format('L%s #%s', lvl, x.g),
               (ARRAY[0, 0.5, 1, 1, 1, 2, 3]::float8[])[1 + floor(x.rw * 7)::int],
               (ARRAY['both', 'both', 'key_results', 'children'])[1 + floor(x.rr * 4)::int],
               CASE WHEN x.rk < 0.4 THEN 'aspirational' ELSE 'committed' END
          FROM x LEFT JOIN p ON p.g = x.g LEFT JOIN okr.objective po ON po.id = p.pid
          LEFT JOIN okr.cycle pc ON pc.id = po.cycle_id
         ORDER BY x.g;
    END LOOP;

    -- key results: 0 to 3 per objective, every kind; a scale of 10^-30 to
    -- 10^30 per measured one
    CREATE TEMP TABLE IF NOT EXISTS kr_scale (id bigint PRIMARY KEY, s numeric);
    TRUNCATE kr_scale;
    WITH o AS MATERIALIZED (SELECT o.id, floor(random() * 4)::int AS n FROM okr.objective o ORDER BY o.id),
    k AS MATERIALIZED (
        SELECT o.id AS oid, g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
          FROM o, generate_series(1, o.n) g ORDER BY o.id, g),
    k2 AS MATERIALIZED (
        SELECT k.*, (ARRAY[1e-30, 1e-5, 1, 1, 1, 1e5, 1e30])[1 + floor(k.r5 * 7)::int] AS s FROM k),
    ins AS (
        INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight)
        SELECT k2.oid, format('KR %s.%s', k2.oid, k2.g),
               CASE WHEN k2.r1 < 0.34 THEN 'metric' WHEN k2.r1 < 0.5 THEN 'at_least'
                    WHEN k2.r1 < 0.64 THEN 'at_most' WHEN k2.r1 < 0.8 THEN 'milestone' ELSE 'projects' END,
               CASE WHEN k2.r1 < 0.17 THEN round((k2.r2 * 50)::numeric, 1) * k2.s
                    WHEN k2.r1 < 0.34 THEN (100 + round((k2.r2 * 100)::numeric, 2)) * k2.s END,
               CASE WHEN k2.r1 < 0.17 THEN (round((k2.r2 * 50)::numeric, 1) + 10 + floor(k2.r3 * 100)::numeric) * k2.s
                    WHEN k2.r1 < 0.34 THEN (100 + round((k2.r2 * 100)::numeric, 2) - 10 - floor(k2.r3 * 150)::numeric) * k2.s
                    WHEN k2.r1 < 0.64 THEN floor(k2.r3 * 100)::numeric * k2.s END,
               (ARRAY[0, 0.5, 1, 1, 1, 2, 3]::float8[])[1 + floor(k2.r4 * 7)::int]
          FROM k2 ORDER BY k2.oid, k2.g
        RETURNING id, title)
    INSERT INTO kr_scale SELECT ins.id, k2.s FROM ins JOIN k2 ON ins.title = format('KR %s.%s', k2.oid, k2.g);

    -- even seeds: key results with ids 10^12 further on, so that ids are
    -- too sparse for okr.forecast's direct lookup (its binary search)
    IF seed::int % 2 = 0 THEN
        PERFORM setval(pg_get_serial_sequence('okr.key_result', 'id'),
                       (SELECT max(k.id) FROM okr.key_result k) + 1000000000000);
        INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
        SELECT o.id, format('KR far %s', o.id), 'metric', 0, 100 FROM okr.objective o WHERE o.id % 5 = 0 ORDER BY o.id;
        INSERT INTO kr_scale SELECT k.id, 1 FROM okr.key_result k WHERE k.title LIKE 'KR far %';
    END IF;

    -- SPEC 1b: some key results with children become kind objectives, and
    -- a third of the objectives below level 0 align to a key result of
    -- their parent instead
    UPDATE okr.key_result k SET kind = 'objectives', start_value = NULL, target_value = NULL
     WHERE k.id IN (SELECT k2.id FROM okr.key_result k2
                     WHERE EXISTS (SELECT FROM okr.objective c WHERE c.parent_id = k2.objective_id) ORDER BY k2.id)
       AND random() < 0.3;
    UPDATE okr.objective o SET parent_id = NULL, parent_key_result_id = x.kid
      FROM (SELECT o2.id, (SELECT k.id FROM okr.key_result k WHERE k.objective_id = o2.parent_id
                            ORDER BY (k.kind = 'objectives') DESC, random() LIMIT 1) AS kid, random() AS r
              FROM okr.objective o2 WHERE o2.parent_id IS NOT NULL ORDER BY o2.id) x
     WHERE x.id = o.id AND x.kid IS NOT NULL AND x.r < 0.35;

    -- check-ins: 0 to 6 per measured key result inside its cycle up to
    -- now(), in random order, some at one moment (ties), some values with
    -- many digits (the text conversion)
    WITH k AS MATERIALIZED (
        SELECT k.id, k.kind, k.start_value AS sv, k.target_value AS tv, s.s,
               c.starts_on::timestamptz AS cs, least((c.ends_on + 1)::timestamptz, now()) AS ce,
               floor(random() * 7)::int AS n
          FROM okr.key_result k JOIN kr_scale s ON s.id = k.id
          JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle c ON c.id = o.cycle_id
         WHERE k.kind NOT IN ('projects', 'objectives') AND c.starts_on::timestamptz < now() ORDER BY k.id),
    ci AS MATERIALIZED (
        SELECT k.*, g, random() AS rt, random() AS rv, random() AS rd, random() AS ro
          FROM k, generate_series(1, k.n) g ORDER BY k.id, g)
    INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT ci.id,
           CASE ci.kind
               WHEN 'metric' THEN CASE WHEN ci.rd < 0.2 THEN round(ci.sv + (ci.tv - ci.sv) * (ci.rv * 1.5 - 0.25)::numeric, 2)
                                                             + (ci.rd / 7)::numeric * ci.s
                                       ELSE round((ci.sv + (ci.tv - ci.sv) * (ci.rv * 1.5 - 0.25)::numeric) / ci.s, 2) * ci.s END
               WHEN 'milestone' THEN CASE WHEN ci.rv < 0.5 THEN 0 ELSE 1 END
               ELSE (ci.tv / ci.s + floor((ci.rv - 0.5) * 12)::numeric) * ci.s END,
           CASE WHEN ci.rd > 0.9 THEN ci.cs + interval '1 day'
                ELSE ci.cs + floor(ci.rt * extract(epoch FROM ci.ce - ci.cs)) * interval '1 second' END
      FROM ci ORDER BY ci.ro;
    -- check-ins outside their cycle (1.0 data, loads with triggers off):
    -- before its start and after its end, which the line ignores
    PERFORM set_config('session_replication_role', 'replica', true);
    INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT k.id, coalesce(k.target_value, 1) * 3, c.starts_on::timestamptz - interval '1 hour'
      FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle c ON c.id = o.cycle_id
     WHERE k.kind IN ('metric', 'at_least', 'at_most') AND random() < 0.2 ORDER BY k.id;
    INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT k.id, coalesce(k.target_value, 1) * 3, (c.ends_on + 1)::timestamptz
      FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle c ON c.id = o.cycle_id
     WHERE k.kind IN ('metric', 'at_least', 'at_most') AND (c.ends_on + 1)::timestamptz <= now() AND random() < 0.2
     ORDER BY k.id;
    PERFORM set_config('session_replication_role', 'origin', true);
    PERFORM okr.refresh_maintained();

    -- projects and tasks
    WITH k AS MATERIALIZED (SELECT k.id, floor(random() * 4)::int AS n FROM okr.key_result k ORDER BY k.id),
    p AS MATERIALIZED (
        SELECT k.id AS kid, g, random() AS r1, random() AS r2 FROM k, generate_series(1, k.n) g ORDER BY k.id, g)
    INSERT INTO okr.project (key_result_id, name, weight, state)
    SELECT p.kid, format('P %s.%s', p.kid, p.g), (ARRAY[0, 0.5, 1, 1, 2]::float8[])[1 + floor(p.r1 * 5)::int],
           (ARRAY['planned', 'active', 'active', 'done'])[1 + floor(p.r2 * 4)::int]
      FROM p ORDER BY p.kid, p.g;
    WITH p AS MATERIALIZED (SELECT p.id, floor(random() * 5)::int AS n FROM okr.project p ORDER BY p.id),
    t AS MATERIALIZED (
        SELECT p.id AS pid, g, random() AS rs, random() AS re, random() AS rd FROM p, generate_series(1, p.n) g ORDER BY p.id, g)
    INSERT INTO okr.task (project_id, title, status, effort, done_at)
    SELECT t.pid, format('T %s.%s', t.pid, t.g), s.status, (ARRAY[0.25, 0.5, 1, 2, 3, 5, 8]::float8[])[1 + floor(t.re * 7)::int],
           CASE WHEN s.status = 'done' THEN timestamptz '2025-12-01 00:00+00'
                + floor(t.rd * extract(epoch FROM now() - timestamptz '2025-12-01 00:00+00')) * interval '1 second' END
      FROM t, LATERAL (SELECT (ARRAY['todo', 'doing', 'done', 'done', 'cancelled'])[1 + floor(t.rs * 5)::int] AS status) s
     ORDER BY t.pid, t.g;

    -- states last (closed and cancelled parents take no new children)
    UPDATE okr.project SET state = 'cancelled' WHERE random() < 0.1;
    UPDATE okr.key_result SET state = 'cancelled' WHERE random() < 0.08;
    UPDATE okr.objective SET state = (ARRAY['draft', 'closed', 'cancelled'])[1 + floor(random() * 3)::int]
     WHERE random() < 0.15;
END $gen$;

-- ===================================================================
-- The reference, from SPEC 8 and 3
-- ===================================================================
CREATE FUNCTION pg_temp.ref_forecast(t timestamptz)
RETURNS TABLE (item text, id bigint, forecast_value float8, forecast_progress float8, forecast_grade text)
LANGUAGE plpgsql AS $ref$
DECLARE
    d int;
BEGIN
    DROP TABLE IF EXISTS rk, ro, rp;
    -- cycle bounds and the share elapsed
    CREATE TEMP TABLE rp AS
    SELECT p.id, p.key_result_id AS kid, p.weight, p.state,
           CASE WHEN e.total > 0 THEN coalesce(e.done, 0) / e.total WHEN p.state = 'done' THEN 1.0 ELSE 0.0 END AS progress,
           CASE WHEN c.id IS NULL THEN NULL
                ELSE greatest(0, least(1, extract(epoch FROM t - c.starts_on::timestamptz)
                                          / extract(epoch FROM (c.ends_on + 1)::timestamptz - c.starts_on::timestamptz))) END AS expected,
           NULL::float8 AS fc
      FROM okr.project p
      JOIN okr.key_result k ON k.id = p.key_result_id JOIN okr.objective o ON o.id = k.objective_id
      LEFT JOIN okr.cycle c ON c.id = o.cycle_id
      LEFT JOIN LATERAL (SELECT sum(x.effort) FILTER (WHERE x.status <> 'cancelled') AS total,
                                sum(x.effort) FILTER (WHERE x.status = 'done' AND x.done_at <= t) AS done
                           FROM okr.task x WHERE x.project_id = p.id) e ON true;
    UPDATE rp SET fc = least(1, progress / expected) WHERE expected > 0;

    -- key results: the line through the points of the cycle up to t
    CREATE TEMP TABLE rk AS
    WITH b AS (
        SELECT k.id, k.kind, k.objective_id, k.weight, k.state, k.start_value, k.target_value,
               c.starts_on::timestamptz AS cs, (c.ends_on + 1)::timestamptz AS ce
          FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle c ON c.id = o.cycle_id),
    pts AS (
        SELECT b.id, extract(epoch FROM ch.checked_at - b.cs)::float8 / 86400 AS x, ch.value::float8 AS y
          FROM b JOIN okr.checkin ch ON ch.key_result_id = b.id
         WHERE b.kind IN ('metric', 'at_least', 'at_most')
           AND ch.checked_at <= t AND ch.checked_at >= b.cs AND ch.checked_at < b.ce
        UNION ALL
        SELECT b.id, 0, b.start_value::float8 FROM b WHERE b.kind = 'metric'),
    line AS (
        SELECT pts.id, regr_slope(pts.y, pts.x) AS slope, regr_intercept(pts.y, pts.x) AS icpt,
               count(*) AS n, max(pts.x) > min(pts.x) AS spread
          FROM pts GROUP BY pts.id),
    v AS (
        SELECT b.*, CASE WHEN l.n >= 2 AND l.spread
                         THEN l.icpt + l.slope * extract(epoch FROM b.ce - b.cs)::float8 / 86400 END AS value,
               (SELECT ch.value FROM okr.checkin ch WHERE ch.key_result_id = b.id AND ch.checked_at <= t
                 ORDER BY ch.checked_at DESC, ch.id DESC LIMIT 1) AS value_at
          FROM b LEFT JOIN line l ON l.id = b.id)
    SELECT v.id, v.kind, v.objective_id, v.weight, v.state, v.value,
           CASE v.kind
               WHEN 'metric' THEN CASE WHEN v.value IS NOT NULL THEN
                                  greatest(0, least(1, (v.value - v.start_value::float8)
                                                       / (v.target_value::float8 - v.start_value::float8))) END
               -- at the value rounded well above the noise of the two ways to fit
               WHEN 'at_least' THEN CASE WHEN v.value IS NULL THEN NULL
                                         WHEN round((v.value / s.s::float8)::numeric, 6) >= v.target_value / s.s THEN 1.0 ELSE 0.0 END
               WHEN 'at_most' THEN CASE WHEN v.value IS NULL THEN NULL
                                        WHEN round((v.value / s.s::float8)::numeric, 6) <= v.target_value / s.s THEN 1.0 ELSE 0.0 END
               WHEN 'milestone' THEN CASE WHEN v.value_at = 1 THEN 1.0 ELSE 0.0 END
           END::float8 AS fc,
           v.kind NOT IN ('projects', 'objectives') AS done
      FROM v LEFT JOIN kr_scale s ON s.id = v.id;
    -- projects kind: the weighted mean of its counted projects, 0 with none
    UPDATE rk SET fc = CASE WHEN NOT EXISTS (SELECT FROM rp WHERE rp.kid = rk.id AND rp.state <> 'cancelled' AND rp.weight > 0)
                            THEN 0.0
                            ELSE (SELECT sum(rp.weight * rp.fc) / sum(rp.weight) FROM rp
                                   WHERE rp.kid = rk.id AND rp.state <> 'cancelled' AND rp.weight > 0 AND rp.fc IS NOT NULL) END,
                  done = true
     WHERE rk.kind = 'projects';

    -- objectives bottom-up: depth from the roots, through key results too
    CREATE TEMP TABLE ro AS
    WITH RECURSIVE dep(id, depth) AS (
        SELECT o.id, 0 FROM okr.objective o WHERE o.parent_id IS NULL AND o.parent_key_result_id IS NULL
        UNION ALL
        SELECT o.id, dep.depth + 1 FROM dep JOIN okr.objective o
            ON o.parent_id = dep.id
            OR EXISTS (SELECT FROM okr.key_result k WHERE k.id = o.parent_key_result_id AND k.objective_id = dep.id))
    SELECT o.id, o.parent_id, o.parent_key_result_id, o.weight, o.rollup, o.state, o.kind, dep.depth, NULL::float8 AS fc
      FROM okr.objective o JOIN dep ON dep.id = o.id;
    FOR d IN REVERSE (SELECT max(depth) FROM ro) .. 0 LOOP
        UPDATE rk SET fc = (SELECT sum(c.weight * c.fc) / sum(c.weight) FROM ro c
                             WHERE c.parent_key_result_id = rk.id AND c.state IN ('active', 'closed')
                               AND c.weight > 0 AND c.fc IS NOT NULL),
                      done = true
          FROM ro WHERE ro.id = rk.objective_id AND ro.depth = d AND rk.kind = 'objectives';
        UPDATE ro SET fc = (
            SELECT sum(w * f) / sum(w) FROM (
                SELECT k.weight AS w, k.fc AS f FROM rk k
                 WHERE k.objective_id = ro.id AND ro.rollup <> 'children' AND k.state = 'active'
                   AND k.weight > 0 AND k.fc IS NOT NULL
                UNION ALL
                SELECT c.weight, c.fc FROM ro c
                 WHERE c.parent_id = ro.id AND ro.rollup <> 'key_results' AND c.state IN ('active', 'closed')
                   AND c.weight > 0 AND c.fc IS NOT NULL) items)
         WHERE ro.depth = d;
    END LOOP;

    RETURN QUERY
    SELECT 'objective', ro.id, NULL::float8, ro.fc,
           CASE WHEN ro.fc IS NULL THEN NULL
                WHEN ro.kind = 'aspirational' THEN CASE WHEN ro.fc >= 0.7 THEN 'green' WHEN ro.fc >= 0.4 THEN 'yellow' ELSE 'red' END
                ELSE CASE WHEN ro.fc >= 1.0 THEN 'green' WHEN ro.fc >= 0.7 THEN 'yellow' ELSE 'red' END END
      FROM ro
    UNION ALL SELECT 'key_result', rk.id, rk.value, rk.fc, NULL FROM rk
    UNION ALL SELECT 'project', rp.id, NULL, rp.fc, NULL FROM rp;
END $ref$;

-- The rows where okr.forecast and the reference disagree (beyond 1e-9,
-- relative for values; a grade only away from its thresholds).
CREATE FUNCTION pg_temp.disagreements(t timestamptz) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM okr.forecast(t) f FULL JOIN pg_temp.ref_forecast(t) r USING (item, id)
     WHERE f.id IS NULL OR r.id IS NULL
        OR (f.forecast_value IS NULL) <> (r.forecast_value IS NULL)
        OR abs(f.forecast_value::float8 - r.forecast_value) > 1e-9 * greatest(abs(r.forecast_value), 1e-300)
           AND abs(f.forecast_value::float8 - r.forecast_value) > 1e-9 * greatest(abs(r.forecast_value), 1)
        OR (f.forecast_progress IS NULL) <> (r.forecast_progress IS NULL)
        OR abs(f.forecast_progress - r.forecast_progress) > 1e-9
        OR ((f.forecast_grade IS NULL) <> (r.forecast_grade IS NULL)
            OR f.forecast_grade <> r.forecast_grade)
           AND NOT EXISTS (SELECT FROM unnest(ARRAY[0.4, 0.7, 1.0]) g WHERE abs(r.forecast_progress - g) < 1e-9)
$$;

CREATE TEMP TABLE coverage (what text, n bigint);
CREATE TEMP TABLE results (seed int, t timestamptz, bad bigint);
DO $$
DECLARE
    s int;
    t timestamptz;
BEGIN
    FOR s IN 1 .. 5 LOOP
        PERFORM pg_temp.gen_org(s);
        FOREACH t IN ARRAY ARRAY[now(), timestamptz '2026-06-15 12:00+00'] LOOP
            INSERT INTO results VALUES (s, t, pg_temp.disagreements(t));
            INSERT INTO coverage
            SELECT f.item || coalesce(':' || k.kind, '') || CASE WHEN f.forecast_progress IS NULL THEN ' null' ELSE '' END,
                   count(*)
              FROM okr.forecast(t) f LEFT JOIN okr.key_result k ON f.item = 'key_result' AND k.id = f.id
             GROUP BY 1;
        END LOOP;
    END LOOP;
END $$;

SELECT is(r.bad, 0::bigint, format('seed %s at %s: okr.forecast agrees with the reference (rows that disagree)',
                                   r.seed, CASE WHEN r.t = now() THEN 'now()' ELSE r.t::text END))
  FROM results r ORDER BY r.seed, r.t;
-- the organisations exercise every case: lines of each kind, NULL lines,
-- milestones, projects and both derived kinds, objectives scored and not
SELECT is((SELECT array_agg(w ORDER BY w) FROM unnest(ARRAY[
              'key_result:metric', 'key_result:metric null', 'key_result:at_least', 'key_result:at_least null',
              'key_result:at_most', 'key_result:at_most null', 'key_result:milestone', 'key_result:projects',
              'key_result:projects null', 'key_result:objectives', 'key_result:objectives null',
              'objective', 'objective null', 'project', 'project null']) w
            WHERE (SELECT sum(c.n) FROM coverage c WHERE c.what = w) IS DISTINCT FROM NULL AND (SELECT sum(c.n) FROM coverage c WHERE c.what = w) >= 3 IS NOT TRUE OR NOT EXISTS (SELECT FROM coverage c WHERE c.what = w)),
          NULL, 'the random organisations cover every kind of forecast, NULL and not, at least 3 times');

SELECT * FROM finish();
ROLLBACK;
