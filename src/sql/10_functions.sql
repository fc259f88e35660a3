-- okr 1.0: progress maths in C (SPEC 3 and 4).  None of these reads a table.

CREATE FUNCTION okr.kr_progress(kind text, start_value numeric, target_value numeric, value numeric)
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_kr_progress'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.kr_progress(text, numeric, numeric, numeric) IS
'Progress (0 to 1) of a key result of the given kind at a measured value; 0 with no value; NULL for kind projects (scored from its projects), a NULL kind, or a missing start (metric) or target (metric, at_least, at_most). Values are exact numerics: NaN or infinity is an error';

CREATE FUNCTION okr.kr_attainment(kind text, start_value numeric, target_value numeric, value numeric)
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_kr_attainment'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.kr_attainment(text, numeric, numeric, numeric) IS
'Like kr_progress but unclamped for metric key results, so over-achievement shows (1.2 = 120%); an error when the ratio exceeds double precision';

CREATE FUNCTION okr.expected_progress(starts_on date, ends_on date, as_of timestamptz DEFAULT okr.as_of())
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_expected_progress_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION okr.expected_progress(date, date, timestamptz) IS
'Share of the cycle [starts_on 00:00, ends_on + 1 day 00:00) elapsed at as_of, in the session time zone, clamped to 0..1';

CREATE FUNCTION okr.status(progress double precision, expected double precision)
RETURNS text
AS 'MODULE_PATHNAME', 'okr_status'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.status(double precision, double precision) IS
'Status of an active item: not_started (expected NULL), not_scored (progress NULL), achieved, on_track, at_risk or off_track per okr.on_track_ratio and okr.at_risk_ratio';

CREATE FUNCTION okr.grade(score double precision, kind text)
RETURNS text
AS 'MODULE_PATHNAME', 'okr_grade'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.grade(double precision, text) IS
'green, yellow or red for an end-of-cycle score; aspirational: green >= 0.7, yellow >= 0.4; committed: green = 1, yellow >= 0.7';

CREATE FUNCTION okr.stale_after()
RETURNS interval
AS 'MODULE_PATHNAME', 'okr_stale_after'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.stale_after() IS
'The okr.stale_after setting as an interval: a key result with no check-in for this long is stale';

-- weighted_progress: state is {sum of w*p, sum of w}; a plain float8[] state
-- needs no serialisation, so parallel workers can hand it back as it is.
CREATE FUNCTION okr.weighted_progress_transfn(state double precision[], progress double precision, weight double precision)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'okr_weighted_progress_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION okr.weighted_progress_combinefn(double precision[], double precision[])
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'okr_weighted_progress_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION okr.weighted_progress_finalfn(double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_weighted_progress_finalfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION okr.weighted_progress_transfn(double precision[], double precision, double precision) IS
'Support function of okr.weighted_progress: adds one row to the state {sum of w*p, sum of w}';
COMMENT ON FUNCTION okr.weighted_progress_combinefn(double precision[], double precision[]) IS
'Support function of okr.weighted_progress: adds two partial states (parallel and partial aggregation)';
COMMENT ON FUNCTION okr.weighted_progress_finalfn(double precision[]) IS
'Support function of okr.weighted_progress: sum of w*p / sum of w, NULL when the sum of weights is 0';

CREATE AGGREGATE okr.weighted_progress(progress double precision, weight double precision) (
    SFUNC = okr.weighted_progress_transfn,
    STYPE = double precision[],
    FINALFUNC = okr.weighted_progress_finalfn,
    COMBINEFUNC = okr.weighted_progress_combinefn,
    INITCOND = '{0,0}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE okr.weighted_progress(double precision, double precision) IS
'Sum(w*p) / Sum(w) over rows where progress and weight are not NULL and weight > 0; NULL with none';
