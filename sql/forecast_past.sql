-- okr.forecast (SPEC 8) of the past as it was (SPEC 7), hand-computed: the
-- forecast of a moment is computed on the organisation okr.progress rolls
-- up then (weights, targets, the rows that existed), as known now or at
-- okr.known_at.  Each statement commits (history is written at commit);
-- k1 is taken between them.
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
-- Q4 runs 92 days: the line is taken at x = 92.  K: (0, 0) its start,
-- (10, 1), (20, 2): y = x / 10, 9.2 at the end; M reached on 10-05
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Q4', '2026-10-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES (1, 'K', 'metric', 0, 10);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'M', 'milestone');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 1, '2026-10-11'), (1, 2, '2026-10-21');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (2, 1, '2026-10-05');
SELECT pg_sleep(0.01);
SELECT clock_timestamp() AS k1 \gset
SELECT pg_sleep(0.01);
-- then: K re-targeted to 20, M weighted 3, a key result L added
UPDATE okr.key_result SET target_value = 20 WHERE id = 1;
UPDATE okr.key_result SET weight = 3 WHERE id = 2;
INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES (1, 'L', 'at_least', 5);

CREATE FUNCTION pg_temp.forecast(as_of timestamptz)
RETURNS TABLE (item text, id bigint, forecast_value numeric, forecast_progress numeric, forecast_grade text)
LANGUAGE sql AS $$
    SELECT f.item, f.id, round(f.forecast_value, 6), round(f.forecast_progress::numeric, 6), f.forecast_grade
      FROM okr.forecast(as_of) f ORDER BY 1, 2
$$;
-- Now: K 9.2 of 20 = 0.46; O (0.46 + 3 x 1) / 4 = 0.865; L, no check-in, NULL
SELECT * FROM pg_temp.forecast(now());
-- As of k1 as known now: target 10 and weight 1 then (the versions in
-- force at k1), so K 9.2 of 10 = 0.92, O (0.92 + 1) / 2 = 0.96; L's first
-- version reaches back
SELECT * FROM pg_temp.forecast(:'k1');
-- As of k1 as known at k1 (okr.known_at, as okr.progress takes it): the
-- same figures, and no row for L, recorded later
SELECT set_config('okr.known_at', :'k1', false) IS NOT NULL AS known;
SELECT * FROM pg_temp.forecast(:'k1');
-- one forecast row per row of okr.progress at the same moment
SELECT (SELECT count(*) FROM okr.forecast(:'k1')) = (SELECT count(*) FROM okr.progress(:'k1')) AS same_rows;
RESET okr.known_at;
-- leave a fresh extension for the tests that follow
DROP EXTENSION okr;
CREATE EXTENSION okr;
