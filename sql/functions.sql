--
-- okr progress maths (src/progress.c): kr_progress, kr_attainment,
-- expected_progress, status, grade, stale_after.
-- Every expected value below is computed by hand in the comment next to it.
--
\pset null '(null)'
SET extra_float_digits = 0;	-- 15 significant digits: hand-checkable
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- err(q) runs q and shows the SQLSTATE and message of its error, if any.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

--
-- kr_progress / kr_attainment: metric
--
SELECT k, s, t, v,
       okr.kr_progress(k, s, t, v) AS progress,
       okr.kr_attainment(k, s, t, v) AS attainment
FROM (VALUES
    ('metric', 0::numeric, 1000::numeric, 700::numeric),   -- 700/1000 = 0.7
    ('metric', 0, 1000, 0),          -- at start: 0
    ('metric', 0, 1000, 1000),       -- at target: 1
    ('metric', 0, 1000, 1200),       -- beyond: 1, attainment 1.2
    ('metric', 0, 1000, -500),       -- behind start: 0, attainment -0.5
    ('metric', 100, 50, 70),         -- decrease: -30/-50 = 0.6
    ('metric', 100, 50, 50),         -- decrease at target: 1
    ('metric', 100, 50, 40),         -- decrease beyond: 1, attainment -60/-50 = 1.2
    ('metric', 100, 50, 110),        -- decrease wrong way: 0, attainment 10/-50 = -0.2
    ('metric', -10, 10, 0),          -- across zero: 10/20 = 0.5
    ('metric', 0, 3, 1),             -- 1/3
    ('metric', 0.5, 0.75, 0.625),    -- 0.125/0.25 = 0.5
    ('metric', 0, 1000, NULL),       -- no value: 0, attainment 0
    ('metric', NULL, 1000, 700),     -- no start: NULL
    ('metric', 0, NULL, 700),        -- no target: NULL
    ('metric', NULL, NULL, NULL)     -- NULL
) AS x(k, s, t, v);

-- kind NULL: NULL whatever the values
SELECT okr.kr_progress(NULL, 0, 1, 1) AS progress,
       okr.kr_attainment(NULL, 0, 1, 1) AS attainment;

-- start = target cannot be scored: an error even without a value
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', 5, 5, 7)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', 5, 5.000, NULL)$$);
SELECT pg_temp.err($$SELECT okr.kr_attainment('metric', 0, 0, 0)$$);

--
-- at_least, at_most, milestone, projects
--
SELECT k, s, t, v,
       okr.kr_progress(k, s, t, v) AS progress,
       okr.kr_attainment(k, s, t, v) AS attainment
FROM (VALUES
    ('at_least', NULL::numeric, 10::numeric, 10::numeric),  -- exactly the target: 1
    ('at_least', NULL, 10, 10.000),     -- same number, other scale: 1
    ('at_least', NULL, 10, 9.99),       -- below: 0
    ('at_least', NULL, 10, 11),         -- above: 1
    ('at_least', 0, 10, NULL),          -- no value: 0
    ('at_least', 0, NULL, 11),          -- no target: NULL
    ('at_most', NULL, 10, 10),          -- exactly the target: 1
    ('at_most', NULL, 10, 10.01),       -- above: 0
    ('at_most', NULL, 10, -5),          -- below: 1
    ('at_most', NULL, 10, NULL),        -- no value: 0
    ('at_most', NULL, NULL, 3),         -- no target: NULL
    ('milestone', NULL, NULL, 0),       -- 0
    ('milestone', NULL, NULL, 1),       -- 1
    ('milestone', NULL, NULL, 1.000),   -- 1
    ('milestone', NULL, NULL, 0.5),     -- 0: only 1 counts
    ('milestone', NULL, NULL, 2),       -- 0
    ('milestone', NULL, NULL, NULL),    -- no value: 0
    ('milestone', 0, 1, 1),             -- start and target are ignored: 1
    ('projects', NULL, NULL, NULL),     -- from its projects (the rollup): NULL
    ('projects', 0, 1, 1)               -- NULL
) AS x(k, s, t, v);

--
-- Unknown kinds: 22023
--
SELECT pg_temp.err($$SELECT okr.kr_progress('bogus', 0, 1, 1)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('', 0, 1, 1)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('Metric', 0, 1, 1)$$);
SELECT pg_temp.err($$SELECT okr.kr_attainment('metric ', 0, 1, NULL)$$);

--
-- NaN and +-Infinity in any argument, whatever the kind: 22023
--
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', 'NaN', 1, 0.5)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', 0, 'NaN', 0.5)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', 0, 1, 'NaN')$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', '-Infinity', 1, 0.5)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('metric', 0, 'Infinity', 0.5)$$);
SELECT pg_temp.err($$SELECT okr.kr_attainment('metric', 0, 1, 'Infinity')$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('at_least', NULL, 10, 'Infinity')$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('at_most', NULL, '-Infinity', 3)$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('milestone', NULL, NULL, 'NaN')$$);
SELECT pg_temp.err($$SELECT okr.kr_progress('projects', 'NaN', NULL, NULL)$$);

--
-- Numerics beyond double precision: computed exactly in numeric
--
SELECT okr.kr_progress('metric', 0, 1e400, 5e399) AS half,            -- 0.5
       okr.kr_progress('metric', 1e400, 1e400 + 2, 1e400 + 1) AS half_of_two,  -- 1/2
       okr.kr_progress('metric', -1e400, 1e400, 0) AS across_zero,    -- 0.5
       okr.kr_progress('metric', 1e400, 0, 7.5e399) AS decrease;      -- 2.5/10 = 0.25
-- 1000-digit numbers: 9 x 10^999 and 3 x 10^999
SELECT length('9' || repeat('0', 999)) AS digits,
       okr.kr_progress('metric', 0, ('9' || repeat('0', 999))::numeric,
                       ('3' || repeat('0', 999))::numeric) AS third,  -- 1/3
       okr.kr_progress('metric', ('9' || repeat('0', 999))::numeric, 0,
                       ('3' || repeat('0', 999))::numeric) AS two_thirds,  -- -6/-9
       okr.kr_progress('at_least', NULL, ('9' || repeat('0', 999))::numeric,
                       ('9' || repeat('0', 998) || '1')::numeric) AS at_least_1,
       okr.kr_progress('at_most', NULL, ('9' || repeat('0', 999))::numeric,
                       ('9' || repeat('0', 998) || '1')::numeric) AS at_most_0;
-- Far beyond the target: progress clamps to 1 before any conversion ...
SELECT okr.kr_progress('metric', 0, 1, 1e400) AS progress_high,       -- 1
       okr.kr_progress('metric', 0, 1, -1e400) AS progress_low,       -- 0
       okr.kr_progress('metric', 0, 1e-400, 1) AS tiny_span;          -- 1
-- ... but the attainment does not fit in double precision: 22003
SELECT pg_temp.err($$SELECT okr.kr_attainment('metric', 0, 1, 1e400)$$);
SELECT pg_temp.err($$SELECT okr.kr_attainment('metric', 0, 1, -1e400)$$);
-- An attainment too small for double precision is simply 0
SELECT okr.kr_attainment('metric', 0, 1e400, 1) AS tiny_attainment,   -- 1e-400 -> 0
       okr.kr_progress('metric', 0, 1e400, 1) AS tiny_progress;       -- 0
-- A value short of its target never reads as 1 (achieved), even when the
-- ratio 1 - 1e-30 rounds to 1 in double precision: it stays just below 1.
SELECT okr.kr_progress('metric', 0, 1e30, 1e30 - 1) < 1 AS below_one,
       okr.kr_progress('metric', 0, 1e30, 1e30 - 1) > 0.9999999999 AS nearly_one,
       okr.kr_attainment('metric', 0, 1e30, 1e30 - 1) < 1 AS att_below_one,
       okr.status(okr.kr_progress('metric', 0, 1e30, 1e30 - 1), 1) AS status;
-- values whose difference overflows numeric: 22003, not a crash
SELECT pg_temp.err(format('SELECT okr.kr_progress(%L, %s, %s, 0)', 'metric',
                          '-9' || repeat('9', 131071), '9' || repeat('9', 131071)));

--
-- expected_progress
--
SET TimeZone = 'UTC';
-- Q1 2026: 2026-01-01 00:00 .. 2026-04-01 00:00 = 90 days = 7776000 s
SELECT as_of, okr.expected_progress('2026-01-01', '2026-03-31', as_of) AS expected
FROM (VALUES
    ('2025-12-31 23:59:59'::timestamptz),  -- before: 0
    ('2026-01-01 00:00:00'),               -- first second: 0
    ('2026-01-01 00:00:01'),               -- 1/7776000 = 1.28600823045267e-07
    ('2026-02-15 00:00:00'),               -- 45 days of 90: 0.5
    ('2026-03-31 23:59:59'),               -- 7775999/7776000 = 0.999999871399177
    ('2026-04-01 00:00:00'),               -- end: 1
    ('2027-01-01 00:00:00'),               -- after: 1
    ('-infinity'),                         -- 0
    ('infinity')                           -- 1
) AS x(as_of);
-- exact ratios printed as booleans as well
SELECT okr.expected_progress('2026-01-01', '2026-03-31', '2026-03-31 23:59:59') = 7775999::float8 / 7776000 AS last_second,
       okr.expected_progress('2026-01-01', '2026-03-31', '2026-04-01 00:00:00') = 1 AS end_is_1;
-- a one-day cycle: 6 hours of 24 = 0.25
SELECT okr.expected_progress('2026-05-01', '2026-05-01', '2026-05-01 06:00') AS one_day;

-- DST: in Europe/Paris 2026-03-29 has 23 hours (02:00 -> 03:00).
-- Noon local is 11 hours after midnight: 11/23 = 0.478260869565217.
SET TimeZone = 'Europe/Paris';
SELECT okr.expected_progress('2026-03-29', '2026-03-29', '2026-03-29 12:00') AS spring_noon,
       okr.expected_progress('2026-03-29', '2026-03-29', '2026-03-29 12:00') = 11::float8 / 23 AS is_11_23,
       -- 03:00 local (CEST) is 2 real hours after midnight: 2/23
       okr.expected_progress('2026-03-29', '2026-03-29', '2026-03-29 03:00') = 2::float8 / 23 AS is_2_23;
-- 2026-10-25 has 25 hours (03:00 -> 02:00): noon local is 13 hours in, 13/25 = 0.52
SELECT okr.expected_progress('2026-10-25', '2026-10-25', '2026-10-25 12:00') AS autumn_noon;
-- a week that contains the 23-hour day: 6 * 24 + 23 = 167 hours;
-- 2026-03-29 12:00 local = 4 * 24 + 11 = 107 hours after 2026-03-25 00:00
SELECT okr.expected_progress('2026-03-25', '2026-03-31', '2026-03-29 12:00') = 107::float8 / 167 AS dst_week;

-- the same instant under different time zones: 2026-01-01 12:00 UTC,
-- cycle = the day 2026-01-01 (local midnight to local midnight)
SET TimeZone = 'UTC';               -- 12h of 24 = 0.5
SELECT okr.expected_progress('2026-01-01', '2026-01-01', '2026-01-01 12:00+00') AS utc;
SET TimeZone = 'America/New_York';  -- local midnight = 05:00 UTC: 7h of 24 = 0.291666666666667
SELECT okr.expected_progress('2026-01-01', '2026-01-01', '2026-01-01 12:00+00') AS new_york;
SET TimeZone = 'Asia/Tokyo';        -- local midnight = 15:00 UTC the day before: 21/24 = 0.875
SELECT okr.expected_progress('2026-01-01', '2026-01-01', '2026-01-01 12:00+00') AS tokyo;

SET TimeZone = 'UTC';
-- STRICT: NULL in, NULL out
SELECT okr.expected_progress(NULL, '2026-03-31', '2026-02-01') AS null_start,
       okr.expected_progress('2026-01-01', NULL, '2026-02-01') AS null_end,
       okr.expected_progress('2026-01-01', '2026-03-31', NULL) AS null_as_of;
-- the default as_of is now(): a past cycle is over, a future one not begun
SELECT okr.expected_progress('2000-01-01', '2000-12-31') AS past,
       okr.expected_progress('9999-01-01', '9999-12-31') AS future;
-- bad cycles
SELECT pg_temp.err($$SELECT okr.expected_progress('2026-04-01', '2026-03-31', now())$$);
SELECT pg_temp.err($$SELECT okr.expected_progress('-infinity', '2026-03-31', now())$$);
SELECT pg_temp.err($$SELECT okr.expected_progress('2026-01-01', 'infinity', now())$$);
-- dates beyond the range of timestamp: 22008
SELECT pg_temp.err($$SELECT okr.expected_progress('2026-01-01', '294276-12-31', now())$$);
SELECT pg_temp.err($$SELECT okr.expected_progress('300000-01-01', '300000-01-01', now())$$);
-- the last day a timestamp can end on, and the first day one can start on
SELECT okr.expected_progress('2026-01-01', '294276-12-30', '294276-12-31 00:00') AS last_day_over;
SELECT okr.expected_progress('4714-11-24 BC', '4714-11-24 BC', '4714-11-24 12:00 BC') AS first_day_half;
-- east of UTC, midnight of that first day is before the first timestamp: 22008
SET TimeZone = 'Asia/Tokyo';
SELECT pg_temp.err($$SELECT okr.expected_progress('4714-11-24 BC', '4714-11-24 BC', now())$$);
SET TimeZone = 'UTC';
-- a cycle over nearly the whole timestamp range (int64 microseconds overflow)
SELECT okr.expected_progress('4714-11-24 BC', '294276-12-30', 'infinity') AS all_time_end,
       round(okr.expected_progress('4714-11-24 BC', '294276-12-30', '2000-01-01')::numeric, 6) AS all_time_2000;

--
-- status
--
SELECT p, e, okr.status(p, e) AS status
FROM (VALUES
    (NULL::float8, NULL::float8), -- cycle not started: not_started
    (0.5, NULL),                  -- not_started
    (NULL, 0.5),                  -- not_scored
    (1, 0.5),                     -- achieved
    (1, 0),                       -- achieved
    (1, 1),                       -- achieved
    (0, 0),                       -- expected 0 is on track
    (0.5, 0),                     -- on_track
    (0.9, 1),                     -- r = 0.9: on_track
    (0.45, 0.5),                  -- r = 0.9: on_track
    (0.8999, 1),                  -- at_risk
    (0.7, 1),                     -- r = 0.7: at_risk
    (0.35, 0.5),                  -- r = 0.7: at_risk
    (0.6999, 1),                  -- off_track
    (0, 0.5),                     -- off_track
    (0.999, 0.5)                  -- r = 1.998: on_track
) AS x(p, e);
-- bad arguments: 22023, checked before NULLs decide
SELECT pg_temp.err($$SELECT okr.status('NaN', 0.5)$$);
SELECT pg_temp.err($$SELECT okr.status(0.5, 'NaN')$$);
SELECT pg_temp.err($$SELECT okr.status('Infinity', 0.5)$$);
SELECT pg_temp.err($$SELECT okr.status(0.5, '-Infinity')$$);
SELECT pg_temp.err($$SELECT okr.status(-0.1, 0.5)$$);
SELECT pg_temp.err($$SELECT okr.status(1.5, 0.5)$$);
SELECT pg_temp.err($$SELECT okr.status(0.5, 1.01)$$);
SELECT pg_temp.err($$SELECT okr.status(2, NULL)$$);
SELECT pg_temp.err($$SELECT okr.status(NULL, -1)$$);

-- the thresholds follow the GUCs
SET okr.at_risk_ratio = 0.25;       -- lower at_risk first: the pair stays in order
SET okr.on_track_ratio = 0.5;
SELECT p, okr.status(p, 1) AS status
FROM (VALUES (0.5::float8), (0.4999), (0.25), (0.2499)) AS x(p);  -- on, at_risk, at_risk, off
SET okr.at_risk_ratio = 0.5;        -- equal to on_track: no at_risk band
SELECT p, okr.status(p, 1) AS status
FROM (VALUES (0.5::float8), (0.4999)) AS x(p);                    -- on, off
SET okr.at_risk_ratio = 0;          -- nothing is off track
SELECT okr.status(0, 1) AS status;                                -- at_risk
SET okr.on_track_ratio = 0;         -- everything is on track
SELECT okr.status(0, 1) AS status;                                -- on_track
SET okr.on_track_ratio = 1;
SELECT okr.status(0.9999, 1) AS below, okr.status(0.5, 0.5) AS equal;  -- at_risk, on_track
RESET okr.on_track_ratio;
RESET okr.at_risk_ratio;
SHOW okr.on_track_ratio;
SHOW okr.at_risk_ratio;

-- either ratio may be set first (1.1): lowering on_track below the default
-- at_risk (0.7) is accepted; while the pair is in the wrong order, status
-- refuses to guess (22023) wherever the ratios decide
SET okr.on_track_ratio = 0.6;
SHOW okr.on_track_ratio;
SELECT pg_temp.err($$SELECT okr.status(0.5, 1)$$);
SELECT okr.status(1, 0.5) AS achieved, okr.status(NULL, 0.5) AS not_scored,
       okr.status(0.5, NULL) AS not_started;  -- the ratios do not matter here
SET okr.at_risk_ratio = 0.4;        -- now in order
SELECT okr.status(0.5, 1) AS status;          -- at_risk (0.5 in [0.4, 0.6))
SELECT pg_temp.err($$SET okr.on_track_ratio = 1.5$$);     -- out of 0..1: 22023
RESET okr.at_risk_ratio;
RESET okr.on_track_ratio;
SELECT okr.status(0.5, 1) AS status;          -- back in order: off_track

--
-- grade
--
SELECT s, okr.grade(s, 'aspirational') AS aspirational, okr.grade(s, 'committed') AS committed
FROM (VALUES (0::float8), (0.3999), (0.4), (0.6999), (0.7), (0.9999), (1)) AS x(s);
-- aspirational: red red yellow yellow green green green
-- committed:    red red red    red    yellow yellow green
SELECT okr.grade(NULL, 'committed') AS null_score,
       okr.grade(0.5, NULL) AS null_kind,
       okr.grade(NULL, NULL) AS both_null;
SELECT pg_temp.err($$SELECT okr.grade(0.5, 'stretch')$$);
SELECT pg_temp.err($$SELECT okr.grade(NULL, 'Committed')$$);
SELECT pg_temp.err($$SELECT okr.grade('NaN', 'committed')$$);
SELECT pg_temp.err($$SELECT okr.grade('Infinity', 'aspirational')$$);
SELECT pg_temp.err($$SELECT okr.grade(-0.01, 'aspirational')$$);
SELECT pg_temp.err($$SELECT okr.grade(1.01, NULL)$$);

--
-- stale_after: the okr.stale_after setting as an interval
--
-- (interval syntax since 1.1: a value needs a unit and is positive)
SHOW okr.stale_after;                            -- 14 days
SELECT okr.stale_after();                        -- 14 days
SET okr.stale_after = '90min';
SELECT okr.stale_after();                        -- 01:30:00
SET okr.stale_after = '25h';
SELECT okr.stale_after();                        -- 25:00:00
SET okr.stale_after = '30d';
SELECT okr.stale_after(), okr.stale_after() = interval '30 days' AS eq;
SET okr.stale_after = '3 days';
SELECT okr.stale_after();                        -- 3 days
SET okr.stale_after = '2 weeks';
SELECT okr.stale_after();                        -- 14 days
SET okr.stale_after = '14d';
SELECT okr.stale_after();                        -- 14 days
SET okr.stale_after = '1 mon';
SELECT okr.stale_after();                        -- 1 mon
SELECT pg_temp.err($$SET okr.stale_after = 3$$);          -- no unit: 22023
SELECT pg_temp.err($$SET okr.stale_after = '3'$$);        -- no unit: 22023
SELECT pg_temp.err($$SET okr.stale_after = '0 days'$$);   -- not positive
SELECT pg_temp.err($$SET okr.stale_after = '-3 days'$$);  -- not positive
SELECT pg_temp.err($$SET okr.stale_after = '3 parsecs'$$); -- not an interval
SELECT okr.stale_after();                        -- still 1 mon
RESET okr.stale_after;
SELECT okr.stale_after();

--
-- catalog: volatility, strictness and parallel safety as declared
--
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'okr'
  AND p.proname IN ('kr_progress', 'kr_attainment', 'expected_progress',
                    'status', 'grade', 'stale_after')
ORDER BY p.proname;
