/*
 * aggregate.c
 *	  okr.weighted_progress(progress float8, weight float8): the weighted mean
 *	  Sum(w * p) / Sum(w) over the rows where both are not NULL and w > 0;
 *	  NULL when there are none (SPEC 4).
 *
 *	  The state is a plain float8[] {Sum(w * p), Sum(w)} with initcond
 *	  '{0,0}', like float8_accum's: it needs no serialisation, so parallel
 *	  workers hand it back as it is and the combine function adds two of them.
 */
#include "okr.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(okr_weighted_progress_transfn);
PG_FUNCTION_INFO_V1(okr_weighted_progress_combinefn);
PG_FUNCTION_INFO_V1(okr_weighted_progress_finalfn);

#define OKR_WP_STATE_LEN 2		/* {Sum(w * p), Sum(w)} */

/*
 * The data of an array without a null bitmap.  (ARR_DATA_PTR mixes signed
 * and unsigned operands, which -Wextra -Werror rejects.)
 */
static inline char *
state_data(ArrayType *state)
{
	Assert(!ARR_HASNULL(state));
	return (char *) state + ARR_OVERHEAD_NONULLS(ARR_NDIM(state));
}

/*
 * Read the two sums of a state array, after checking its shape.  Inside the
 * aggregate a bad shape can't happen; the functions can also be called
 * directly, so check anyway rather than read past the array.
 */
static void
state_get(ArrayType *state, float8 *sums, const char *caller)
{
	if (ARR_NDIM(state) != 1 ||
		ARR_DIMS(state)[0] != OKR_WP_STATE_LEN ||
		ARR_HASNULL(state) ||
		ARR_ELEMTYPE(state) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the state must be a %d-element float8 array without NULLs",
						caller, OKR_WP_STATE_LEN)));
	memcpy(sums, state_data(state), OKR_WP_STATE_LEN * sizeof(float8));
}

/* Overwrite the sums of a state array checked by state_get(). */
static void
state_set(ArrayType *state, const float8 *sums)
{
	memcpy(state_data(state), sums, OKR_WP_STATE_LEN * sizeof(float8));
}

static ArrayType *
make_state(float8 sum_wp, float8 sum_w)
{
	Datum		elems[OKR_WP_STATE_LEN];

	elems[0] = Float8GetDatumFast(sum_wp);
	elems[1] = Float8GetDatumFast(sum_w);
	return construct_array(elems, OKR_WP_STATE_LEN, FLOAT8OID,
						   sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

static void
check_finite_sum(float8 sum, const char *what)
{
	if (isinf(sum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("weighted_progress: %s is out of range for type double precision",
						what)));
}

static void
check_finite_arg(float8 x, const char *argname)
{
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weighted_progress: %s cannot be %s", argname,
						isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity"))));
}

/*
 * Transition function, not strict: a row with a NULL progress or weight is
 * skipped, but a bad weight is an error even when its progress is NULL.
 */
Datum
okr_weighted_progress_transfn(PG_FUNCTION_ARGS)
{
	ArrayType  *state;
	float8		sums[OKR_WP_STATE_LEN];
	float8		progress;
	float8		weight;

	if (PG_ARGISNULL(0))
		state = make_state(0.0, 0.0);	/* can't happen with the initcond */
	else
		state = PG_GETARG_ARRAYTYPE_P(0);
	state_get(state, sums, "okr_weighted_progress_transfn");

	if (!PG_ARGISNULL(1))
		check_finite_arg(PG_GETARG_FLOAT8(1), "progress");
	if (!PG_ARGISNULL(2))
	{
		weight = PG_GETARG_FLOAT8(2);
		check_finite_arg(weight, "weight");
		if (weight < 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weighted_progress: weight cannot be negative (%g)",
							weight)));
	}

	/* Rows with no progress or no weight, and weight 0, count for nothing. */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_ARRAYTYPE_P(state);
	progress = PG_GETARG_FLOAT8(1);
	weight = PG_GETARG_FLOAT8(2);
	if (weight == 0.0)
		PG_RETURN_ARRAYTYPE_P(state);

	sums[0] += weight * progress;
	sums[1] += weight;
	check_finite_sum(sums[0], "sum of weight * progress");
	check_finite_sum(sums[1], "sum of weights");

	/*
	 * In an aggregate the state belongs to us and may be changed in place,
	 * saving an array per row, as float8_accum does.
	 */
	if (AggCheckCallContext(fcinfo, NULL))
	{
		state_set(state, sums);
		PG_RETURN_ARRAYTYPE_P(state);
	}
	PG_RETURN_ARRAYTYPE_P(make_state(sums[0], sums[1]));
}

/* Combine function (STRICT): the sum of two states. */
Datum
okr_weighted_progress_combinefn(PG_FUNCTION_ARGS)
{
	ArrayType  *state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *state2 = PG_GETARG_ARRAYTYPE_P(1);
	float8		sums1[OKR_WP_STATE_LEN];
	float8		sums2[OKR_WP_STATE_LEN];

	state_get(state1, sums1, "okr_weighted_progress_combinefn");
	state_get(state2, sums2, "okr_weighted_progress_combinefn");

	sums1[0] += sums2[0];
	sums1[1] += sums2[1];
	check_finite_sum(sums1[0], "sum of weight * progress");
	check_finite_sum(sums1[1], "sum of weights");

	if (AggCheckCallContext(fcinfo, NULL))
	{
		state_set(state1, sums1);
		PG_RETURN_ARRAYTYPE_P(state1);
	}
	PG_RETURN_ARRAYTYPE_P(make_state(sums1[0], sums1[1]));
}

/* Final function (STRICT): Sum(w * p) / Sum(w), NULL when no weight counted. */
Datum
okr_weighted_progress_finalfn(PG_FUNCTION_ARGS)
{
	float8		sums[OKR_WP_STATE_LEN];

	state_get(PG_GETARG_ARRAYTYPE_P(0), sums, "okr_weighted_progress_finalfn");

	if (!(sums[1] > 0.0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sums[0] / sums[1]);
}
