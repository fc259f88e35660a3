--
-- okr.weighted_progress (src/aggregate.c): Sum(w*p) / Sum(w) over rows with
-- both non-NULL and w > 0; NULL with none.  Expected values by hand.
--
\pset null '(null)'
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- plain means
SELECT okr.weighted_progress(p, w) FROM (VALUES (0.5::float8, 1::float8)) x(p, w);  -- 0.5
SELECT okr.weighted_progress(p, w)                                                  -- (0 + 1)/2 = 0.5
FROM (VALUES (0::float8, 1::float8), (1, 1)) x(p, w);
SELECT okr.weighted_progress(p, w)                                                  -- (0.2 + 2.4)/4 = 0.65
FROM (VALUES (0.2::float8, 1::float8), (0.8, 3)) x(p, w);
SELECT okr.weighted_progress(p, w)                                                  -- (0.125 + 1.5 + 0)/3.5 = 13/28 = 0.464285714285714
FROM (VALUES (0.25::float8, 0.5::float8), (0.75, 2), (0, 1)) x(p, w);
SELECT abs(okr.weighted_progress(p, w) - 0.2) < 1e-12 AS mean_is_0_2               -- (0.1 + 0.2 + 0.3)/3, with rounding
FROM (VALUES (0.1::float8, 1::float8), (0.2, 1), (0.3, 1)) x(p, w);
-- all achieved: exactly 1
SELECT okr.weighted_progress(1, w) FROM generate_series(1, 10) w;

-- NULL progress or NULL weight: the row is left out (not counted as 0)
SELECT okr.weighted_progress(p, w)                                                  -- 0.8 alone
FROM (VALUES (0.8::float8, 1::float8), (NULL, 5), (0.1, NULL), (NULL, NULL)) x(p, w);
-- weight 0 counts for nothing
SELECT okr.weighted_progress(p, w)                                                  -- 0.3 alone
FROM (VALUES (0.3::float8, 2::float8), (1, 0), (0, 0)) x(p, w);
-- nothing counted: NULL
SELECT okr.weighted_progress(p, w) AS zero_weights
FROM (VALUES (0.3::float8, 0::float8), (1, 0)) x(p, w);
SELECT okr.weighted_progress(p, w) AS all_null
FROM (VALUES (NULL::float8, 1::float8), (0.5, NULL)) x(p, w);
SELECT okr.weighted_progress(p, w) AS empty
FROM (VALUES (0.5::float8, 1::float8)) x(p, w) WHERE false;

-- errors: 22023 for a negative weight (even with NULL progress), NaN, infinity
SELECT pg_temp.err($$SELECT okr.weighted_progress(p, w) FROM (VALUES (0.5::float8, 1::float8), (0.5, -1)) x(p, w)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress(p, w) FROM (VALUES (NULL::float8, -0.001::float8)) x(p, w)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress('NaN', 1)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress(0.5, 'NaN')$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress('Infinity', 1)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress('-Infinity', 1)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress(0.5, 'Infinity')$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress(NULL, 'Infinity')$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress('NaN', NULL)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress(0.5, '-Infinity')$$);
-- sums beyond double precision: 22003
SELECT pg_temp.err($$SELECT okr.weighted_progress(p, w) FROM (VALUES (0.5::float8, 1e308::float8), (0.5, 1e308)) x(p, w)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress(2, 1e308)$$);
-- a large but finite sum is fine: (1e308 * 0.5 + 0.5e308 * 1) / 1.5e308 = 2/3
SELECT okr.weighted_progress(p, w) = 1e308 / 1.5e308 AS big_ok
FROM (VALUES (0.5::float8, 1e308::float8), (1, 0.5e308)) x(p, w);

-- GROUP BY
CREATE TEMP TABLE wp (grp text, p float8, w float8);
INSERT INTO wp VALUES
    ('a', 0.5, 1), ('a', 1, 1),          -- 0.75
    ('b', 0, 3), ('b', 1, 1),            -- 1/4 = 0.25
    ('c', NULL, 1), ('c', 0.5, 0),       -- nothing counted: NULL
    ('d', 0.2, 2), ('d', NULL, 1),       -- 0.2
    ('e', 0.4, 0.5), ('e', 0.9, 1.5);    -- (0.2 + 1.35)/2 = 0.775
SELECT grp, okr.weighted_progress(p, w) AS progress, count(*)
FROM wp GROUP BY grp ORDER BY grp;
-- as a window function: running weighted mean
SELECT grp, p, w, okr.weighted_progress(p, w) OVER (ORDER BY grp, p NULLS FIRST) AS running
FROM wp WHERE grp IN ('a', 'b') ORDER BY grp, p;
-- (a,0.5,1): 0.5; (a,1,1): 0.75; (b,0,3): 1.5/5 = 0.3; (b,1,1): 2.5/6 = 0.416666666666667
-- a moving frame restarts the aggregate for each row (the state is updated
-- in place, so each restart must begin from a fresh copy of '{0,0}')
SELECT grp, p, w, okr.weighted_progress(p, w) OVER (ORDER BY grp, p ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS pairs
FROM wp WHERE grp IN ('a', 'b') ORDER BY grp, p;
-- (a,0.5,1): 0.5; +(a,1,1): 0.75; (a,1,1)+(b,0,3): 1/4 = 0.25; (b,0,3)+(b,1,1): 1/4 = 0.25
-- with FILTER
SELECT okr.weighted_progress(p, w) FILTER (WHERE grp <> 'b') AS not_b    -- (0.5+1+0.4+0.2+1.35)/(1+1+2+2) = 3.45/6 = 0.575
FROM wp;

-- the support functions called directly
SELECT okr.weighted_progress_transfn('{0,0}', 0.5, 2);          -- {1,2}
SELECT okr.weighted_progress_transfn(NULL, 0.5, 2);             -- {1,2}
SELECT okr.weighted_progress_transfn('{1,2}', NULL, 2);         -- unchanged
SELECT okr.weighted_progress_combinefn('{1,2}', '{0.5,3}');      -- {1.5,5}
SELECT okr.weighted_progress_combinefn('{1,2}', NULL);          -- STRICT: NULL
SELECT okr.weighted_progress_finalfn('{1.5,5}');                -- 0.3
SELECT okr.weighted_progress_finalfn('{0,0}');                  -- NULL
SELECT pg_temp.err($$SELECT okr.weighted_progress_finalfn('{1,2,3}')$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress_combinefn('{{1,2},{3,4}}', '{1,2}')$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress_transfn('{1,NULL}', 0.5, 1)$$);
SELECT pg_temp.err($$SELECT okr.weighted_progress_combinefn('{1,1e308}', '{1,1e308}')$$);  -- 2e308: 22003

--
-- Partial aggregation without parallel workers: partitionwise aggregate
-- runs Partial Aggregate per partition and combines the states.
--
CREATE TEMP TABLE wpp (k int, p float8, w float8) PARTITION BY RANGE (k);
CREATE TEMP TABLE wpp1 PARTITION OF wpp FOR VALUES FROM (0) TO (10);
CREATE TEMP TABLE wpp2 PARTITION OF wpp FOR VALUES FROM (10) TO (20);
INSERT INTO wpp SELECT k, (k % 2) * 0.5, 1 + (k % 2) FROM generate_series(0, 19) k;
-- even k: p 0, w 1 (10 rows); odd k: p 0.5, w 2 (10 rows): 10 / 30 = 0.333333333333333
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT okr.weighted_progress(p, w) FROM wpp;
SELECT okr.weighted_progress(p, w), okr.weighted_progress(p, w) = 1.0 / 3 AS is_third FROM wpp;
-- grouped by something that is not the partition key
EXPLAIN (COSTS OFF) SELECT k % 2 AS odd, okr.weighted_progress(p, w) FROM wpp GROUP BY 1 ORDER BY 1;
SELECT k % 2 AS odd, okr.weighted_progress(p, w) FROM wpp GROUP BY 1 ORDER BY 1;  -- 0, 0.5
RESET enable_partitionwise_aggregate;
RESET max_parallel_workers_per_gather;

--
-- Parallel aggregation: workers compute partial states, the leader combines
--
CREATE TABLE wp_big (i int, p float8, w float8, g int);
-- i = 1..100000 cycles through i % 4 = 1, 2, 3, 0:
--   p = 0.25, 0.5, 0.75, 0 and w = 1, 3, 1, 3.
-- Every block of 4: Sum(w*p) = 0.25 + 1.5 + 0.75 + 0 = 2.5, Sum(w) = 8.
-- All sums are exact in double precision, so the mean is 2.5/8 = 0.3125
-- in any order of addition.
INSERT INTO wp_big
SELECT i, (i % 4) * 0.25, CASE WHEN i % 2 = 1 THEN 1 ELSE 3 END, i % 3
FROM generate_series(1, 100000) i;
-- rows that count for nothing: NULL progress, NULL weight, weight 0
INSERT INTO wp_big SELECT i, NULL, 5 FROM generate_series(100001, 101000) i;
INSERT INTO wp_big SELECT i, 1, NULL FROM generate_series(101001, 102000) i;
INSERT INTO wp_big SELECT i, 1, 0 FROM generate_series(102001, 103000) i;
ANALYZE wp_big;

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_result AS
    SELECT okr.weighted_progress(p, w) AS r FROM wp_big;
SELECT r, r = 0.3125 AS exact FROM serial_result;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT okr.weighted_progress(p, w) FROM wp_big;
SELECT okr.weighted_progress(p, w) AS parallel_result FROM wp_big;
SELECT abs(par.r - s.r) < 1e-12 AS same_as_serial, par.r = 0.3125 AS exact
FROM (SELECT okr.weighted_progress(p, w) AS r FROM wp_big) par, serial_result s;

-- the workers really ran (and so the leader combined their states)
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q INTO plan;
    RETURN (plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Workers Launched')::int;
END $$;
SELECT pg_temp.workers_launched('SELECT okr.weighted_progress(p, w) FROM wp_big') > 0 AS workers_ran;

-- grouped, in parallel: g = i % 3.  i mod 12 fixes both i % 3 and i % 4, so
-- each g gets one row of each i % 4 per 12 rows: 8333 blocks of
-- Sum(w*p) = 2.5, Sum(w) = 8 per g, plus i = 99997..100000 (i mod 12 = 1..4):
--   g = 0: i = 99999  (p 0.75, w 1):              20833.25 / 66665
--   g = 1: i = 99997  (p 0.25, w 1), 100000 (p 0, w 3): 20832.75 / 66668
--   g = 2: i = 99998  (p 0.5, w 3):               20834 / 66667
-- every sum is a multiple of 0.25 far below 2^53, hence exact in any order.
-- The 3000 rows that count for nothing have g NULL: their group is NULL.
EXPLAIN (COSTS OFF) SELECT g, okr.weighted_progress(p, w) FROM wp_big GROUP BY g ORDER BY g;
SELECT g, okr.weighted_progress(p, w) AS r,
       okr.weighted_progress(p, w) = CASE g WHEN 0 THEN 20833.25::float8 / 66665
                                             WHEN 1 THEN 20832.75::float8 / 66668
                                             ELSE 20834::float8 / 66667 END AS exact
FROM wp_big GROUP BY g ORDER BY g;
CREATE TEMP TABLE parallel_groups AS
    SELECT g, okr.weighted_progress(p, w) AS r FROM wp_big GROUP BY g;
SET max_parallel_workers_per_gather = 0;
SELECT s.g, abs(s.r - par.r) < 1e-12 AS same_as_serial
FROM (SELECT g, okr.weighted_progress(p, w) AS r FROM wp_big GROUP BY g) s
JOIN parallel_groups par USING (g) ORDER BY g;

-- an error raised inside a parallel worker reaches the client
INSERT INTO wp_big VALUES (200000, 0.5, -2);
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.err($$SELECT okr.weighted_progress(p, w) FROM wp_big$$);

RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE wp_big;
