-- okr 1.1: analysis (SPEC 8): forecasts and text bars.

CREATE FUNCTION okr.forecast(as_of timestamptz DEFAULT okr.as_of())
RETURNS TABLE (
    item              text,
    id                bigint,
    forecast_value    numeric,
    forecast_progress double precision,
    forecast_grade    text)
AS 'MODULE_PATHNAME', 'okr_forecast'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION okr.forecast(timestamptz) IS
'Where every objective, key result and project will land at the end of its cycle at the pace seen up to as_of: for metric, at_least and at_most key results the least-squares line through their check-ins in the cycle (a metric from (cycle start, start_value)) taken at the end of the cycle (forecast_value, and forecast_progress its progress; NULL with fewer than two points at distinct times); a milestone''s progress; a project''s progress over the share of its cycle elapsed, at most 1; weighted means above, as progress is computed; forecast_grade by okr.grade for objectives (doc/analysts.md)';

CREATE FUNCTION okr.bar(progress double precision, width integer DEFAULT 20)
RETURNS text
AS 'MODULE_PATHNAME', 'okr_bar'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION okr.bar(double precision, integer) IS
'Progress drawn as a bar of width characters (1 to 1000, default 20): round(progress * width) cells done, halves up, progress clamped to 0..1; U+2588 and U+2591 in a UTF8 database, # and - otherwise; NULL for NULL or NaN';
