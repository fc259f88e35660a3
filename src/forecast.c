/*
 * forecast.c
 *	  okr.forecast(as_of): where every objective, key result and project
 *	  will land at the end of its cycle at the pace seen so far (SPEC 8).
 *
 *	  metric, at_least, at_most  the least-squares line through the key
 *	                 result's check-ins dated in its cycle up to as_of (a
 *	                 metric adds the point (cycle start, start_value)),
 *	                 taken at the end of the cycle (ends_on + 1 day 00:00,
 *	                 where expected progress reaches 1); NULL with fewer than
 *	                 two points at distinct times.  forecast_progress is the
 *	                 key result's progress at that value.
 *	  milestone      its progress at as_of.
 *	  project        its progress at as_of over the share of its cycle
 *	                 elapsed, at most 1; NULL before the cycle has started.
 *	  projects kind  the weighted mean of its non-cancelled projects'
 *	                 forecasts (0 with none counted, as its progress).
 *	  objectives kind  the weighted mean of its active or closed aligned
 *	                 objectives' forecasts.
 *	  objective      the weighted mean of its items' forecasts, counted by
 *	                 the rules of its progress, graded with okr.grade.
 *	  A NULL forecast is left out of a mean, as a NULL progress is; a mean
 *	  with nothing counted is NULL.
 *
 * The organisation, its progress and expected progress are the rollup's
 * (rollup.h): one load of the moment (as_of, and okr.known_at as
 * okr.progress takes it), so the rules are not written twice and the
 * forecast costs one rollup plus one pass over the check-ins.  That pass
 * is a sequential scan streamed into per-key-result sums (an index-ordered
 * read costs several times as much: a heap fetch per row), x in days from
 * the cycle start, y the value as a double (numeric_to_double_fast); the
 * line's value is cast to numeric, which keeps 15 significant digits, so
 * a series that is exactly linear projects exactly.  A key result with a
 * value no double holds (1e309) has no forecast.
 *
 * Like the rollup it reads as the owner of okr's tables, so a parent counts
 * the items its reader may not see (SPEC 9, one truth), and returns only
 * the rows access.c lets the caller read.
 */
#include "okr.h"
#include "rollup.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(okr_forecast);

typedef enum FState
{
	FS_TODO,
	FS_DONE
} FState;

/* What the forecast adds to a key result of the rollup (same index). */
typedef struct FKeyResult
{
	/* the least-squares line: x in days from the cycle start */
	bool		has_line;		/* metric, at_least, at_most with a cycle */
	bool		line_bad;		/* a value no double holds */
	TimestampTz cycle_start;
	TimestampTz cycle_end;		/* ends_on + 1 day 00:00 */
	double		n,
				sx,
				sy,
				sxx,
				sxy,
				xmin,
				xmax;
	bool		value_null;		/* forecast_value */
	Datum		value;
	FState		state;
	bool		fc_null;
	double		fc;
} FKeyResult;

/* ... and to an objective */
typedef struct FObjective
{
	bool		aspirational;	/* graded as such (okr.grade) */
	FState		state;
	bool		fc_null;
	double		fc;
} FObjective;

typedef struct Forecast
{
	Rollup		r;
	FKeyResult *krs;
	FObjective *objectives;
	bool	   *project_fc_null;	/* the projects' forecasts, by index */
	double	   *project_fc;
	/* key result id -> index: a plain array over [kr_min, kr_min + kr_range) */
	int64		kr_min;
	int64		kr_range;
	int		   *kr_direct;		/* NULL when the ids are too sparse */
} Forecast;

/* The index of key result id in f->r.krs (sorted by id), or -1. */
static int
find_kr(const Forecast *f, int64 id)
{
	int			lo = 0,
				hi = f->r.nkrs - 1;

	/* in unsigned arithmetic: any bigint is an id, the difference may not fit */
	if (f->kr_direct)
		return id >= f->kr_min && (uint64) id - (uint64) f->kr_min < (uint64) f->kr_range ?
			f->kr_direct[(uint64) id - (uint64) f->kr_min] : -1;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (f->r.krs[mid].id == id)
			return mid;
		if (f->r.krs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void
build_kr_map(Forecast *f)
{
	int			n = f->r.nkrs;

	if (n == 0)
		return;
	f->kr_min = f->r.krs[0].id;
	/* ids are dense identity values: a direct array unless they are not */
	if ((uint64) f->r.krs[n - 1].id - (uint64) f->kr_min >= (uint64) n * 4 + 1024)
		return;
	f->kr_range = (int64) ((uint64) f->r.krs[n - 1].id - (uint64) f->kr_min) + 1;
	f->kr_direct = palloc(sizeof(int) * f->kr_range);
	memset(f->kr_direct, -1, sizeof(int) * f->kr_range);
	for (int i = 0; i < n; i++)
		f->kr_direct[(uint64) f->r.krs[i].id - (uint64) f->kr_min] = i;
}

/*
 * Which objectives are aspirational, for their grade: the rollup does not
 * load the kind.  Read from the table, as the forecast always has.
 */
static void
load_kinds(Forecast *f)
{
	static SPIPlanPtr plan;
	bool		isnull;

	if (SPI_execute_plan(okr_spi_plan(&plan, "SELECT id FROM okr.objective WHERE kind = 'aspirational'",
									  0, NULL), NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the objectives' kinds failed");
	for (uint64 j = 0; j < SPI_processed; j++)
	{
		int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[j],
													 SPI_tuptable->tupdesc, 1, &isnull));
		int			lo = 0,
					hi = f->r.nobjectives - 1;

		/* the rollup's objectives are sorted by id */
		while (lo <= hi)
		{
			int			mid = lo + (hi - lo) / 2;

			if (f->r.objectives[mid].id == id)
			{
				f->objectives[mid].aspirational = true;
				break;
			}
			if (f->r.objectives[mid].id < id)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

/* The start of a day as a timestamptz; false for one beyond its range. */
static bool
day_start(DateADT d, TimestampTz *t)
{
	int			overflow = 0;

	if (DATE_NOT_FINITE(d))
		return false;
	*t = date2timestamptz_opt_overflow(d, &overflow);
	return overflow == 0;
}

/*
 * A numeric as a double, as numeric_float8 gives it (strtod of its exact
 * decimal text, correctly rounded), without the text when that is cheap to
 * match: the value's digits form an integer M < 2^53 scaled by 10^e with
 * |e| <= 22, so M and 10^e are exact doubles and M * 10^e (or M / 10^-e)
 * is one correctly rounded operation, the same double.  That reads the
 * numeric's stored form (numeric.c's NumericShort and NumericLong, the
 * on-disk format pg_upgrade relies on); anything else (more digits, a far
 * exponent, a special value, a toasted datum) returns false for the slow
 * path.  The check-ins' values are typically such short decimals.
 */
#define NUM_SIGN_MASK		0xC000
#define NUM_NEG				0x4000
#define NUM_SHORT			0x8000
#define NUM_SPECIAL			0xC000
#define NUM_SHORT_SIGN		0x2000
#define NUM_SHORT_WSIGN		0x0040
#define NUM_SHORT_WMASK		0x003F
#define NUM_BASE			10000
#define EXACT_2_53			9007199254740992.0

static bool
numeric_to_double_fast(Datum d, double *out)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *p;
	Size		len;
	uint16		header;
	int			weight,
				ndigits,
				e,
				i;
	bool		neg;
	uint64		m = 0;
	double		x;

	if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
		return false;
	p = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	if (len < sizeof(uint16))
		return false;
	memcpy(&header, p, sizeof(uint16));	/* a short varlena is not aligned */
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
		return false;
	if ((header & NUM_SIGN_MASK) == NUM_SHORT)
	{
		neg = (header & NUM_SHORT_SIGN) != 0;
		weight = ((header & NUM_SHORT_WSIGN) ? ~NUM_SHORT_WMASK : 0) | (header & NUM_SHORT_WMASK);
		p += sizeof(uint16);
		len -= sizeof(uint16);
	}
	else
	{
		int16		w;

		if (len < 2 * sizeof(uint16))
			return false;
		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		memcpy(&w, p + sizeof(uint16), sizeof(int16));
		weight = w;
		p += 2 * sizeof(uint16);
		len -= 2 * sizeof(uint16);
	}
	ndigits = (int) (len / sizeof(int16));
	if (ndigits == 0)
	{
		*out = 0.0;				/* numeric_out writes zero unsigned */
		return true;
	}
	if (ndigits > 4)			/* 16 decimal digits at most: m < 2^64 */
		return false;
	for (i = 0; i < ndigits; i++)
	{
		int16		digit;

		memcpy(&digit, p + i * sizeof(int16), sizeof(int16));
		if (digit < 0 || digit >= NUM_BASE)
			return false;
		m = m * NUM_BASE + (uint64) digit;
	}
	e = 4 * (weight - ndigits + 1);
	while (e < 0 && m % 10 == 0)
	{
		m /= 10;
		e++;
	}
	if ((double) m >= EXACT_2_53 || e < -22 || e > 22)
		return false;
	x = (double) m;
	x = e >= 0 ? x * pow10[e] : x / pow10[-e];
	*out = neg ? -x : x;
	return true;
}

/* A numeric as a double; false when no double holds it. */
static bool
to_double(Datum num, double *d)
{
	if (numeric_to_double_fast(num, d))
		return true;
	*d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, num));
	return !isinf(*d) && !isnan(*d);
}

static void
line_add(FKeyResult *k, double x, double y)
{
	k->n += 1;
	k->sx += x;
	k->sy += y;
	k->sxx += x * x;
	k->sxy += x * y;
	k->xmin = k->n == 1 ? x : Min(k->xmin, x);
	k->xmax = k->n == 1 ? x : Max(k->xmax, x);
}

/* The check-ins stream from the executor into the sums: nothing is kept. */
typedef struct CheckinReceiver
{
	DestReceiver pub;
	Forecast   *f;
	MemoryContext rowcxt;		/* the slow conversion's scratch */
} CheckinReceiver;

static const struct
{
	const char *name;
	Oid			type;
}			checkin_columns[3] = {
	{"okr.checkin.key_result_id", INT8OID},
	{"okr.checkin.checked_at", TIMESTAMPTZOID},
	{"okr.checkin.value", NUMERICOID}
};

/* A column whose type was altered (okr's owner can) is an error, never a misread datum. */
static void
checkin_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	for (int i = 0; i < (int) lengthof(checkin_columns); i++)
	{
		Oid			got = i < typeinfo->natts ? TupleDescAttr(typeinfo, i)->atttypid : InvalidOid;

		if (got != checkin_columns[i].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("okr cannot read %s: it is of type %s, not %s",
							checkin_columns[i].name,
							OidIsValid(got) ? format_type_be(got) : "(missing)",
							format_type_be(checkin_columns[i].type)),
					 errhint("okr's tables must keep the column types that CREATE EXTENSION gave them; alter the column back.")));
	}
}

static bool
checkin_receive(TupleTableSlot *slot, DestReceiver *self)
{
	CheckinReceiver *cr = (CheckinReceiver *) self;
	Forecast   *f = cr->f;
	FKeyResult *kr;
	TimestampTz at;
	double		y;
	int			k;

	slot_getallattrs(slot);
	k = find_kr(f, DatumGetInt64(slot->tts_values[0]));
	if (k < 0 || !f->krs[k].has_line)
		return true;
	kr = &f->krs[k];
	at = DatumGetTimestampTz(slot->tts_values[1]);
	if (at < kr->cycle_start || at >= kr->cycle_end)
		return true;			/* outside its cycle */
	if (numeric_to_double_fast(slot->tts_values[2], &y))
		line_add(kr, (double) (at - kr->cycle_start) / USECS_PER_DAY, y);
	else
	{
		MemoryContext old = MemoryContextSwitchTo(cr->rowcxt);

		if (!to_double(slot->tts_values[2], &y))
			kr->line_bad = true;
		else
			line_add(kr, (double) (at - kr->cycle_start) / USECS_PER_DAY, y);
		MemoryContextSwitchTo(old);
		MemoryContextReset(cr->rowcxt);
	}
	return true;
}

static void
checkin_noop(DestReceiver *self)
{
}

/*
 * The projected value of every metric, at_least and at_most key result:
 * the check-ins up to as_of are read once and summed per key result.
 */
static void
load_lines(Forecast *f, TimestampTz as_of, MemoryContext cxt)
{
	static SPIPlanPtr plan;
	Rollup	   *r = &f->r;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	ParamListInfo params = makeParamList(1);
	SPIExecuteOptions options;
	CheckinReceiver cr;
	TimestampTz *starts,
			   *ends;
	bool	   *bounded;
	int			rc;

	/* the cycles' bounds, in the session time zone (rule 5's) */
	starts = palloc(sizeof(TimestampTz) * Max(r->ncycles, 1));
	ends = palloc(sizeof(TimestampTz) * Max(r->ncycles, 1));
	bounded = palloc(sizeof(bool) * Max(r->ncycles, 1));
	for (int c = 0; c < r->ncycles; c++)
	{
		DateADT		ends_on = r->cycles[c].ends_on;

		/* a cycle beyond the range of timestamps gets no line */
		bounded[c] = day_start(r->cycles[c].starts_on, &starts[c]) &&
			!DATE_NOT_FINITE(ends_on) && day_start(ends_on + 1, &ends[c]);
	}
	for (int k = 0; k < r->nkrs; k++)
	{
		RKeyResult *rk = &r->krs[k];
		FKeyResult *kr = &f->krs[k];
		int			c;

		kr->value_null = true;
		if (rk->kind != OKR_KR_METRIC && rk->kind != OKR_KR_AT_LEAST && rk->kind != OKR_KR_AT_MOST)
			continue;
		if (rk->objective < 0 || (c = r->objectives[rk->objective].cycle) < 0 || !bounded[c])
			continue;
		kr->has_line = true;
		kr->cycle_start = starts[c];
		kr->cycle_end = ends[c];
		if (rk->kind == OKR_KR_METRIC && !rk->start_null)
		{
			double		y;

			if (to_double(rk->start, &y))
				line_add(kr, 0.0, y);
			else
				kr->line_bad = true;
		}
	}

	memset(&cr, 0, sizeof(cr));
	cr.pub.receiveSlot = checkin_receive;
	cr.pub.rStartup = checkin_startup;
	cr.pub.rShutdown = checkin_noop;
	cr.pub.rDestroy = checkin_noop;
	cr.pub.mydest = DestNone;
	cr.f = f;
	cr.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "okr forecast row",
									  ALLOCSET_SMALL_SIZES);
	params->params[0].value = TimestampTzGetDatum(as_of);
	params->params[0].isnull = false;
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[0].ptype = TIMESTAMPTZOID;
	params->numParams = 1;
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;	/* the caller's snapshot, as the rollup's */
	options.dest = (DestReceiver *) &cr;
	rc = SPI_execute_plan_extended(okr_spi_plan(&plan,
												"SELECT key_result_id, checked_at, value FROM okr.checkin"
												" WHERE checked_at <= $1",
												1, argtypes),
								   &options);
	/* SPI reports a SELECT into a receiver of its own as SPI_OK_UTILITY */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "okr: forecast query failed: %s", SPI_result_code_string(rc));
	MemoryContextDelete(cr.rowcxt);

	/* the values outlive SPI (which leaves its own context current) */
	MemoryContextSwitchTo(cxt);

	/*
	 * value = intercept + slope * X, X the end of the cycle in days:
	 * slope = (n Sxy - Sx Sy) / (n Sxx - Sx^2), intercept = (Sy - slope Sx) / n
	 */
	for (int k = 0; k < r->nkrs; k++)
	{
		FKeyResult *kr = &f->krs[k];
		double		d,
					slope,
					value;

		if (!kr->has_line || kr->line_bad || kr->n < 2 || !(kr->xmax > kr->xmin))
			continue;
		d = kr->n * kr->sxx - kr->sx * kr->sx;
		slope = (kr->n * kr->sxy - kr->sx * kr->sy) / d;
		value = (kr->sy - slope * kr->sx) / kr->n +
			slope * ((double) (kr->cycle_end - kr->cycle_start) / USECS_PER_DAY);
		if (!(d > 0) || isinf(value) || isnan(value))
			continue;
		/* float8 to numeric keeps 15 significant digits */
		kr->value = DirectFunctionCall1(float8_numeric, Float8GetDatum(value));
		kr->value_null = false;
	}
}

/*
 * A weighted mean.  Weights are divided by the power of two at or below the
 * largest counted one (known before the sum), so sums of huge weights
 * cannot overflow and the division is exact: weights 1 and 3 over 0.5 and 1
 * give exactly 0.875.
 */
typedef struct Mean
{
	double		wmax;
	double		sum_wp;
	double		sum_w;
} Mean;

static void
mean_add(Mean *m, double weight, double value)
{
	double		scale = ldexp(1.0, ilogb(m->wmax));

	m->sum_wp += (weight / scale) * value;
	m->sum_w += weight / scale;
}

/* A project's forecast: false before its cycle has started (no pace yet). */
static bool
project_forecast(const Rollup *r, int i, double *fc)
{
	const RProject *p = &r->projects[i];
	const RKeyResult *k = p->key_result >= 0 ? &r->krs[p->key_result] : NULL;
	int			cycle = k && k->objective >= 0 ? r->objectives[k->objective].cycle : -1;
	double		expected;

	if (cycle < 0)
		return false;
	expected = r->cycles[cycle].expected;
	if (!(expected > 0))
		return false;
	*fc = Min(p->progress / expected, 1.0);
	return true;
}

/* The items a mean counts: weight above 0 and a forecast. */
#define COUNTS(counted, weight, fc_null) ((counted) && (weight) > 0 && !(fc_null))
/* an objective counted in its parent's mean: active or closed */
#define OBJECTIVE_COUNTED(o) ((o)->state == RS_ACTIVE || (o)->state == RS_CLOSED)
/* an aligned objective whose forecast is known (one not reached stays NULL) */
#define OBJECTIVE_FC_NULL(f, c) ((f)->objectives[c].state != FS_DONE || (f)->objectives[c].fc_null)

static void
forecast_key_result(Forecast *f, int i)
{
	Rollup	   *r = &f->r;
	RKeyResult *rk = &r->krs[i];
	FKeyResult *k = &f->krs[i];
	Mean		m = {0, 0, 0};

	if (k->state == FS_DONE)
		return;
	k->fc_null = true;
	switch (rk->kind)
	{
		case OKR_KR_METRIC:
		case OKR_KR_AT_LEAST:
		case OKR_KR_AT_MOST:
			if (!k->value_null)
				/* no attainment: a far projection may not fit a double */
				k->fc_null = !okr_kr_progress_numeric(rk->kind, rk->start, rk->start_null,
													  rk->target, rk->target_null,
													  k->value, false,
													  &k->fc, NULL);
			break;
		case OKR_KR_MILESTONE:
			k->fc = rk->progress_null ? 0.0 : rk->progress;
			k->fc_null = false;
			break;
		case OKR_KR_PROJECTS:
			{
				bool		any = false;
				int			p;

				for (p = rk->first_project; p >= 0; p = r->projects[p].next_project)
				{
					RProject   *pr = &r->projects[p];

					any |= pr->state != RS_CANCELLED && pr->weight > 0;
					if (COUNTS(pr->state != RS_CANCELLED, pr->weight, f->project_fc_null[p]))
						m.wmax = Max(m.wmax, pr->weight);
				}
				for (p = rk->first_project; p >= 0; p = r->projects[p].next_project)
				{
					RProject   *pr = &r->projects[p];

					if (COUNTS(pr->state != RS_CANCELLED, pr->weight, f->project_fc_null[p]))
						mean_add(&m, pr->weight, f->project_fc[p]);
				}
				if (!any)
				{
					k->fc = 0.0;	/* as its progress: nothing will move it */
					k->fc_null = false;
				}
				break;
			}
		case OKR_KR_OBJECTIVES:
			{
				int			c;

				/* the aligned objectives lie below its objective: done first */
				for (c = rk->first_aligned; c >= 0; c = r->objectives[c].next_aligned)
					if (COUNTS(OBJECTIVE_COUNTED(&r->objectives[c]), r->objectives[c].weight,
							   OBJECTIVE_FC_NULL(f, c)))
						m.wmax = Max(m.wmax, r->objectives[c].weight);
				for (c = rk->first_aligned; c >= 0; c = r->objectives[c].next_aligned)
					if (COUNTS(OBJECTIVE_COUNTED(&r->objectives[c]), r->objectives[c].weight,
							   OBJECTIVE_FC_NULL(f, c)))
						mean_add(&m, r->objectives[c].weight, f->objectives[c].fc);
				break;
			}
	}
	if (m.sum_w > 0)
	{
		k->fc = m.sum_wp / m.sum_w;
		k->fc_null = false;
	}
	k->state = FS_DONE;
}

/* An objective after its items (the rollup's order): the mean of their forecasts. */
static void
forecast_objective(Forecast *f, int i)
{
	Rollup	   *r = &f->r;
	RObjective *o = &r->objectives[i];
	Mean		m = {0, 0, 0};
	int			k,
				c;

#define KR_COUNTS(k) COUNTS(o->use_krs && r->krs[k].state == RS_ACTIVE, r->krs[k].weight, f->krs[k].fc_null)
	/* its children: not those aligned to a key result (counted through it) */
#define CHILD_COUNTS(c) (r->objectives[c].via_kr < 0 && \
		COUNTS(o->use_children && OBJECTIVE_COUNTED(&r->objectives[c]), r->objectives[c].weight, \
			   OBJECTIVE_FC_NULL(f, c)))
	for (k = o->first_kr; k >= 0; k = r->krs[k].next_kr)
	{
		forecast_key_result(f, k);
		if (KR_COUNTS(k))
			m.wmax = Max(m.wmax, r->krs[k].weight);
	}
	for (c = o->first_child; c >= 0; c = r->objectives[c].next_sibling)
		if (CHILD_COUNTS(c))
			m.wmax = Max(m.wmax, r->objectives[c].weight);
	for (k = o->first_kr; k >= 0; k = r->krs[k].next_kr)
		if (KR_COUNTS(k))
			mean_add(&m, r->krs[k].weight, f->krs[k].fc);
	for (c = o->first_child; c >= 0; c = r->objectives[c].next_sibling)
		if (CHILD_COUNTS(c))
			mean_add(&m, r->objectives[c].weight, f->objectives[c].fc);
#undef KR_COUNTS
#undef CHILD_COUNTS
	f->objectives[i].fc_null = !(m.sum_w > 0);
	f->objectives[i].fc = f->objectives[i].fc_null ? 0.0 : m.sum_wp / m.sum_w;
	f->objectives[i].state = FS_DONE;
}

static void
put(ReturnSetInfo *rsinfo, TextCache *tc, const char *item, int64 id, bool value_null, Datum value,
	bool fc_null, double fc, const char *grade)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, value_null, fc_null, grade == NULL};

	values[0] = okr_rollup_text(tc, item);
	values[1] = Int64GetDatum(id);
	values[2] = value;
	values[3] = Float8GetDatum(fc);
	values[4] = grade ? okr_rollup_text(tc, grade) : (Datum) 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

Datum
okr_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(0);
	TimestampTz known_at = 0;
	bool		known_null;
	MemoryContext work,
				old;
	Forecast	f;
	Rollup	   *r = &f.r;
	OkrSpiState st;
	OkrAccess  *acc;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	/* the moment okr.progress(as_of) takes: known at okr.known_at() */
	known_null = !okr_known_at_pinned(&known_at);
	work = AllocSetContextCreate(CurrentMemoryContext, "okr forecast",
								 ALLOCSET_DEFAULT_SIZES);
	memset(&f, 0, sizeof(f));
	r->keep_targets = true;		/* the line's key results are scored at their forecast */

	okr_access_require_select();
	acc = okr_access_read(work);
	okr_spi_enter(&st, okr_access_owner());
	okr_rollup_at(r, work, as_of, known_null, known_at);
	old = MemoryContextSwitchTo(work);
	f.krs = palloc0(sizeof(FKeyResult) * Max(r->nkrs, 1));
	f.objectives = palloc0(sizeof(FObjective) * Max(r->nobjectives, 1));
	build_kr_map(&f);
	load_kinds(&f);
	load_lines(&f, as_of, work);
	MemoryContextSwitchTo(old);
	okr_spi_leave(&st);

	old = MemoryContextSwitchTo(work);
	f.project_fc_null = palloc(sizeof(bool) * Max(r->nprojects, 1));
	f.project_fc = palloc0(sizeof(double) * Max(r->nprojects, 1));
	for (i = 0; i < r->nprojects; i++)
		f.project_fc_null[i] = !project_forecast(r, i, &f.project_fc[i]);
	/* children before parents, as the rollup computes them */
	for (i = r->norder; i-- > 0;)
		forecast_objective(&f, r->order[i]);
	/* (objectives not reached, only with a damaged cycle, stay NULL) */
	for (i = 0; i < r->nkrs; i++)
		forecast_key_result(&f, i);

	for (i = 0; i < r->nobjectives; i++)
	{
		FObjective *o = &f.objectives[i];
		bool		fc_null = o->state != FS_DONE || o->fc_null;

		if (okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, r->objectives[i].id))
			continue;
		put(rsinfo, &r->texts, "objective", r->objectives[i].id, true, (Datum) 0, fc_null, o->fc,
			fc_null ? NULL : okr_grade_name(o->fc, o->aspirational));
	}
	for (i = 0; i < r->nkrs; i++)
	{
		FKeyResult *k = &f.krs[i];

		if (okr_access_hidden(acc, OKR_ACCESS_KEY_RESULT, r->krs[i].id))
			continue;
		put(rsinfo, &r->texts, "key_result", r->krs[i].id, k->value_null, k->value, k->fc_null, k->fc, NULL);
	}
	for (i = 0; i < r->nprojects; i++)
	{
		if (okr_access_hidden(acc, OKR_ACCESS_PROJECT, r->projects[i].id))
			continue;
		put(rsinfo, &r->texts, "project", r->projects[i].id, true, (Datum) 0,
			f.project_fc_null[i], f.project_fc[i], NULL);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	return (Datum) 0;
}
