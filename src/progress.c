/*
 * progress.c
 *	  The pure maths of SPEC 3: key-result progress and attainment, expected
 *	  progress, status and grade.  Nothing here reads a table; the rollup
 *	  (rollup.c) calls the C entry points, the SQL functions of
 *	  src/sql/10_functions.sql call the fmgr wrappers at the end.
 *
 *	  Key-result values are numeric and may lie far beyond the range of
 *	  double precision (1e400, thousands of digits), so every difference and
 *	  the ratio itself are computed in numeric; only the final ratio, already
 *	  clamped where the result is clamped, is converted to double.
 */
#include "okr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(okr_kr_progress);
PG_FUNCTION_INFO_V1(okr_kr_attainment);
PG_FUNCTION_INFO_V1(okr_expected_progress_sql);
PG_FUNCTION_INFO_V1(okr_status);
PG_FUNCTION_INFO_V1(okr_grade);
PG_FUNCTION_INFO_V1(okr_stale_after);


/* ------------------------------------------------------------------------
 * Key-result kinds
 * ------------------------------------------------------------------------ */

/* The one table of kind names, in OkrKrKind order. */
static const char *const kr_kind_names[] = {
	"metric", "at_least", "at_most", "milestone", "projects", "objectives"
};

StaticAssertDecl(lengthof(kr_kind_names) == OKR_KR_OBJECTIVES + 1,
				 "kr_kind_names must name every OkrKrKind");

const char *
okr_kr_kind_name(OkrKrKind kind)
{
	return kr_kind_names[kind];
}

/* Look a kind name up; false for an unknown one. */
bool
okr_kr_kind_lookup(const char *name, OkrKrKind *kind)
{
	for (int i = 0; i < (int) lengthof(kr_kind_names); i++)
		if (strcmp(name, kr_kind_names[i]) == 0)
		{
			*kind = (OkrKrKind) i;
			return true;
		}
	return false;
}

OkrKrKind
okr_parse_kr_kind(const char *kind)
{
	OkrKrKind	k;

	if (okr_kr_kind_lookup(kind, &k))
		return k;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown key result kind \"%s\"", kind),
			 errhint("Valid kinds are metric, at_least, at_most, milestone and projects.")));
	pg_unreachable();
}


/* ------------------------------------------------------------------------
 * Numeric helpers
 * ------------------------------------------------------------------------ */

/* Reject NaN and +-Infinity: a measured value is always a finite number. */
static void
check_finite_numeric(Numeric num, const char *argname)
{
	if (numeric_is_nan(num) || numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s cannot be %s", argname,
						DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(num)))),
				 errdetail("Key result values must be finite numbers.")));
}

static inline int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/*
 * a - b through the SQL-callable numeric_sub, which every server version
 * has (numeric_sub_opt_error, which reported overflow without raising, is
 * gone from PostgreSQL 18): an overflow raises 22003.
 */
static Numeric
num_sub(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/*
 * Convert a finite numeric to double through its exact decimal text, which
 * strtod() rounds correctly.  Unlike numeric_float8(), a value too small for
 * double precision quietly becomes 0 (or a subnormal) instead of an error:
 * a ratio of 1e-400 is simply 0.  Returns false when the magnitude is too
 * large for double precision.
 */
static bool
numeric_to_double(Numeric num, double *result)
{
	char	   *str = DatumGetCString(DirectFunctionCall1(numeric_out,
														  NumericGetDatum(num)));
	char	   *end;
	double		val;

	errno = 0;
	val = strtod(str, &end);
	if (*end != '\0')
		elog(ERROR, "could not convert numeric \"%s\" to double precision", str);
	pfree(str);
	if (errno == ERANGE && isinf(val))
		return false;
	*result = val;
	return true;
}

/*
 * A ratio known (exactly, in numeric) to lie strictly between 0 and 1, as a
 * double.  The conversion may round up to 1.0 (value 1e30 - 1 for a target
 * of 1e30); progress 1 means "achieved", which this value is not, so it is
 * kept just below 1.
 */
static double
open_unit_ratio_to_double(Numeric ratio)
{
	double		d = 0.0;

	if (!numeric_to_double(ratio, &d))
		elog(ERROR, "ratio below 1 out of range for double precision");
	if (d >= 1.0)
		d = nextafter(1.0, 0.0);
	return d;
}


/* ------------------------------------------------------------------------
 * Key-result progress
 * ------------------------------------------------------------------------ */

/*
 * metric: progress = clamp((value - start) / (target - start), 0, 1),
 * attainment = the same ratio unclamped.  Start and target are present and
 * finite; value may be absent (progress and attainment 0).
 */
static void
metric_progress(Numeric start, Numeric target, Numeric value, bool value_null,
				double *progress, double *attainment)
{
	Numeric		zero = int64_to_numeric(0);
	Numeric		span;
	Numeric		moved;
	int			span_sign;
	int			moved_sign;

	span = num_sub(target, start);
	span_sign = num_cmp(span, zero);
	if (span_sign == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_value and target_value of a metric key result must differ"),
				 errdetail("Both are %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(start))))));

	if (value_null)
	{
		*progress = 0.0;
		if (attainment)
			*attainment = 0.0;
		return;
	}

	moved = num_sub(value, start);
	moved_sign = num_cmp(moved, zero);

	/*
	 * Decide the clamped cases exactly, before any division: the ratio is <=
	 * 0 when the value has not moved towards the target, >= 1 when it moved
	 * at least as far as the target.
	 */
	if (moved_sign == 0 || moved_sign != span_sign)
		*progress = 0.0;
	else
	{
		Numeric		abs_moved = DatumGetNumeric(DirectFunctionCall1(numeric_abs,
																	NumericGetDatum(moved)));
		Numeric		abs_span = DatumGetNumeric(DirectFunctionCall1(numeric_abs,
																   NumericGetDatum(span)));

		if (num_cmp(abs_moved, abs_span) >= 0)
			*progress = 1.0;
		else
		{
			/* 0 < ratio < 1: no overflow possible, and it is the attainment */
			Numeric		ratio = DatumGetNumeric(DirectFunctionCall2(numeric_div,
																	NumericGetDatum(moved),
																	NumericGetDatum(span)));

			*progress = open_unit_ratio_to_double(ratio);
			if (attainment)
				*attainment = *progress;
			return;
		}
	}

	if (attainment)
	{
		/* span is not 0 (rule 3); an overflowing quotient raises 22003 */
		Numeric		ratio = DatumGetNumeric(DirectFunctionCall2(numeric_div,
																NumericGetDatum(moved),
																NumericGetDatum(span)));
		double		d = 0.0;

		if (!numeric_to_double(ratio, &d))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("attainment is out of range for type double precision"),
					 errdetail("(value - start_value) / (target_value - start_value) is too large.")));

		*attainment = d;
	}
}

bool
okr_kr_progress_numeric(OkrKrKind kind, Datum start, bool start_null,
						Datum target, bool target_null,
						Datum value, bool value_null,
						double *progress, double *attainment)
{
	Numeric		start_num = NULL;
	Numeric		target_num = NULL;
	Numeric		value_num = NULL;
	double		result;

	/* Values may come straight from a heap tuple: detoast (short headers). */
	if (!start_null)
	{
		start_num = DatumGetNumeric(start);
		check_finite_numeric(start_num, "start_value");
	}
	if (!target_null)
	{
		target_num = DatumGetNumeric(target);
		check_finite_numeric(target_num, "target_value");
	}
	if (!value_null)
	{
		value_num = DatumGetNumeric(value);
		check_finite_numeric(value_num, "value");
	}

	switch (kind)
	{
		case OKR_KR_METRIC:
			if (start_null || target_null)
				return false;
			metric_progress(start_num, target_num, value_num, value_null,
							progress, attainment);
			return true;

		case OKR_KR_AT_LEAST:
		case OKR_KR_AT_MOST:
			if (target_null)
				return false;
			if (value_null)
				result = 0.0;
			else
			{
				int			cmp = num_cmp(value_num, target_num);

				if (kind == OKR_KR_AT_LEAST)
					result = (cmp >= 0) ? 1.0 : 0.0;
				else
					result = (cmp <= 0) ? 1.0 : 0.0;
			}
			break;

		case OKR_KR_MILESTONE:
			if (value_null)
				result = 0.0;
			else
				result = (num_cmp(value_num, int64_to_numeric(1)) == 0) ? 1.0 : 0.0;
			break;

		case OKR_KR_PROJECTS:
		case OKR_KR_OBJECTIVES:
			/* computed from its projects or aligned objectives by the rollup */
			return false;

		default:
			elog(ERROR, "unrecognized key result kind: %d", (int) kind);
			return false;		/* keep compiler quiet */
	}

	*progress = result;
	if (attainment)
		*attainment = result;
	return true;
}

/* Shared body of okr.kr_progress() and okr.kr_attainment(). */
static Datum
kr_progress_common(FunctionCallInfo fcinfo, bool want_attainment)
{
	OkrKrKind	kind;
	char	   *kind_str;
	double		progress = 0.0;
	double		attainment = 0.0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();

	kind_str = text_to_cstring(PG_GETARG_TEXT_PP(0));
	kind = okr_parse_kr_kind(kind_str);

	if (!okr_kr_progress_numeric(kind,
								 PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1),
								 PG_ARGISNULL(1),
								 PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2),
								 PG_ARGISNULL(2),
								 PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3),
								 PG_ARGISNULL(3),
								 &progress,
								 want_attainment ? &attainment : NULL))
		PG_RETURN_NULL();

	PG_RETURN_FLOAT8(want_attainment ? attainment : progress);
}

/* okr.kr_progress(kind text, start numeric, target numeric, value numeric) */
Datum
okr_kr_progress(PG_FUNCTION_ARGS)
{
	return kr_progress_common(fcinfo, false);
}

/* okr.kr_attainment(kind text, start numeric, target numeric, value numeric) */
Datum
okr_kr_attainment(PG_FUNCTION_ARGS)
{
	return kr_progress_common(fcinfo, true);
}


/* ------------------------------------------------------------------------
 * Expected progress
 * ------------------------------------------------------------------------ */

static char *
date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

/*
 * Midnight at the start of d in the session time zone (the moment a cycle
 * starting on d starts).  Infinite dates give infinite timestamps.
 */
TimestampTz
okr_date_start(DateADT d)
{
	int			overflow = 0;
	TimestampTz result = date2timestamptz_opt_overflow(d, &overflow);

	if (overflow != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date \"%s\" is out of range for type timestamp with time zone",
						date_text(d))));
	return result;
}

double
okr_expected_progress(DateADT starts_on, DateADT ends_on, TimestampTz as_of)
{
	TimestampTz start;
	TimestampTz end;
	int			overflow = 0;
	int64		elapsed;
	int64		length;

	if (DATE_NOT_FINITE(starts_on) || DATE_NOT_FINITE(ends_on))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cycle dates must be finite"),
				 errdetail("starts_on is %s, ends_on is %s.",
						   date_text(starts_on), date_text(ends_on))));
	if (starts_on > ends_on)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cycle starts_on %s is after its ends_on %s",
						date_text(starts_on), date_text(ends_on))));

	start = okr_date_start(starts_on);
	/* ends_on is finite, so ends_on + 1 cannot overflow DateADT */
	end = date2timestamptz_opt_overflow(ends_on + 1, &overflow);
	if (overflow != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cycle ends_on %s is out of range for type timestamp with time zone",
						date_text(ends_on)),
				 errdetail("The cycle ends at midnight after its ends_on date.")));

	/* -infinity is before any cycle, +infinity after it */
	if (as_of <= start)
		return 0.0;
	if (as_of >= end)
		return 1.0;

	/*
	 * Real elapsed microseconds, so a day on which clocks change counts 23 or
	 * 25 hours.  A cycle spanning nearly the whole timestamp range can
	 * overflow int64; then double arithmetic is precise enough.
	 */
	if (pg_sub_s64_overflow(end, start, &length) ||
		pg_sub_s64_overflow(as_of, start, &elapsed))
		return ((double) as_of - (double) start) / ((double) end - (double) start);

	return (double) elapsed / (double) length;
}

/*
 * okr.expected_progress(starts_on date, ends_on date, as_of timestamptz),
 * STRICT.  The C symbol differs from the SQL name because
 * okr_expected_progress() is the C entry point the rollup uses.
 */
Datum
okr_expected_progress_sql(PG_FUNCTION_ARGS)
{
	DateADT		starts_on = PG_GETARG_DATEADT(0);
	DateADT		ends_on = PG_GETARG_DATEADT(1);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(2);

	PG_RETURN_FLOAT8(okr_expected_progress(starts_on, ends_on, as_of));
}


/* ------------------------------------------------------------------------
 * Status and grade
 * ------------------------------------------------------------------------ */

const char *
okr_status_name(bool progress_null, double progress, double expected)
{
	double		ratio;

	if (progress_null || isnan(progress))
		return "not_scored";
	if (progress >= 1.0)
		return "achieved";
	if (expected <= 0.0)
		return "on_track";		/* nothing expected yet: on track */

	/*
	 * The two ratios may be set in either order (guc.c), so a pair in the
	 * wrong order is reported here, where it would make statuses meaningless.
	 */
	if (okr_at_risk_ratio > okr_on_track_ratio)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("okr.at_risk_ratio (%g) exceeds okr.on_track_ratio (%g)",
						okr_at_risk_ratio, okr_on_track_ratio),
				 errhint("Set okr.at_risk_ratio at or below okr.on_track_ratio; either may be set first.")));

	ratio = progress / expected;
	if (ratio >= okr_on_track_ratio)
		return "on_track";
	if (ratio >= okr_at_risk_ratio)
		return "at_risk";
	return "off_track";
}

/* An argument that must be a share from 0 to 1. */
static void
check_unit_interval(double x, const char *argname)
{
	if (isnan(x) || x < 0.0 || x > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 0 and 1, not %g", argname, x)));
}

/*
 * okr.status(progress float8, expected float8), not strict: every non-NULL
 * argument is checked first; then NULL expected means the item's cycle has
 * not started (not_started), NULL progress that it is not scored.
 */
Datum
okr_status(PG_FUNCTION_ARGS)
{
	bool		progress_null = PG_ARGISNULL(0);
	double		progress = progress_null ? 0.0 : PG_GETARG_FLOAT8(0);

	if (!progress_null)
		check_unit_interval(progress, "progress");
	if (!PG_ARGISNULL(1))
		check_unit_interval(PG_GETARG_FLOAT8(1), "expected");

	if (PG_ARGISNULL(1))
		PG_RETURN_TEXT_P(cstring_to_text("not_started"));

	PG_RETURN_TEXT_P(cstring_to_text(okr_status_name(progress_null, progress,
													 PG_GETARG_FLOAT8(1))));
}

const char *
okr_grade_name(double score, bool aspirational)
{
	if (aspirational)
	{
		if (score >= 0.7)
			return "green";
		if (score >= 0.4)
			return "yellow";
		return "red";
	}
	if (score >= 1.0)
		return "green";
	if (score >= 0.7)
		return "yellow";
	return "red";
}

/*
 * okr.grade(score float8, kind text), not strict: every non-NULL argument is
 * checked first; then a NULL score or kind gives NULL.
 */
Datum
okr_grade(PG_FUNCTION_ARGS)
{
	bool		aspirational = false;

	if (!PG_ARGISNULL(1))
	{
		char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(1));

		if (strcmp(kind, "aspirational") == 0)
			aspirational = true;
		else if (strcmp(kind, "committed") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown objective kind \"%s\"", kind),
					 errhint("Valid kinds are committed and aspirational.")));
	}
	if (!PG_ARGISNULL(0))
		check_unit_interval(PG_GETARG_FLOAT8(0), "score");

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();

	PG_RETURN_TEXT_P(cstring_to_text(okr_grade_name(PG_GETARG_FLOAT8(0),
													aspirational)));
}


/* ------------------------------------------------------------------------
 * Settings as values
 * ------------------------------------------------------------------------ */

/*
 * okr.stale_after(): the okr.stale_after setting (minutes) as an interval,
 * whole days as days ('14 days'), so adding it to a timestamptz steps over
 * calendar days as a person counts them.
 */
Datum
okr_stale_after(PG_FUNCTION_ARGS)
{
	Interval   *result = (Interval *) palloc(sizeof(Interval));

	*result = okr_stale_after_interval;
	PG_RETURN_INTERVAL_P(result);
}
