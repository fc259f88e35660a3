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
 * The line is fitted in one pass over the check-ins (read through an SPI
 * cursor, summed per key result in double precision, x in days from the
 * cycle start) and its value cast to numeric, which keeps 15 significant
 * digits, so a series that is exactly linear projects exactly.  A key
 * result with a value no double holds (1e309) has no forecast.  Progress,
 * expected progress and the projects' progress come from okr.progress(as_of)
 * (called through SPI, so the rollup's rules are not written twice).
 *
 * Like the rollup it reads as the owner of okr's tables, so a parent counts
 * the items its reader may not see (SPEC 9, one truth), and returns only
 * the rows access.c lets the caller read.
 */
#include "okr.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(okr_forecast);

typedef enum FState
{
	FS_TODO,
	FS_BUSY,
	FS_DONE
} FState;

typedef struct FObjective
{
	int64		id;
	bool		has_parent;
	bool		has_parent_kr;
	int64		cycle_id;
	int64		parent_id;
	int64		parent_kr_id;
	double		weight;
	bool		counted;		/* active or closed: counts in its parent */
	bool		use_krs;
	bool		use_children;
	bool		aspirational;
	int			first_kr;
	int			first_child;	/* children by parent_id */
	int			next_sibling;
	int			next_aligned;	/* the next objective aligned to the same KR */
	FState		state;
	bool		fc_null;
	double		fc;
} FObjective;

typedef struct FKeyResult
{
	int64		id;
	OkrKrKind	kind;
	double		weight;
	bool		active;
	Datum		start;
	Datum		target;
	bool		start_null;
	bool		target_null;
	int			objective;		/* index, -1 when unknown */
	int			next_kr;
	int			first_project;
	int			first_aligned;
	double		progress;		/* at as_of, from okr.progress */
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

typedef struct FProject
{
	int64		id;
	double		weight;
	bool		counted;		/* not cancelled */
	int			next_project;
	double		progress;
	double		expected;
	bool		expected_null;
} FProject;

typedef struct Forecast
{
	MemoryContext cxt;
	int			nobjectives;
	int			nkrs;
	int			nprojects;
	FObjective *objectives;
	FKeyResult *krs;
	FProject   *projects;
	int64	   *objective_ids;	/* sorted, for lookups */
	int64	   *kr_ids;
	int64	   *project_ids;
} Forecast;

/* Index of id in a sorted array, or -1. */
static int
find_id(const int64 *ids, int n, int64 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static bool
text_eq(Datum d, const char *s)
{
	return strcmp(TextDatumGetCString(d), s) == 0;
}

/* Run a read-only query inside SPI; its rows are in SPI_tuptable. */
static void
run(SPIPlanPtr *cache, const char *sql, TimestampTz as_of)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(as_of)};
	int			rc;

	rc = SPI_execute_plan(okr_spi_plan(cache, sql, 1, argtypes), values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: forecast query failed: %s", SPI_result_code_string(rc));
}

#define COL(i, isnull) SPI_getbinval(tup, SPI_tuptable->tupdesc, (i), (isnull))

/* Objectives, key results and projects, each by id, linked to their parents. */
static void
load_structure(Forecast *f, TimestampTz as_of)
{
	static SPIPlanPtr plans[2];
	MemoryContext old;
	bool		isnull;
	uint64		i;

	run(&plans[0], "SELECT id, parent_id, parent_key_result_id, weight, rollup, state, kind, cycle_id"
		" FROM okr.objective WHERE $1 IS NOT NULL ORDER BY id", as_of);
	old = MemoryContextSwitchTo(f->cxt);
	f->nobjectives = (int) SPI_processed;
	f->objectives = palloc0(sizeof(FObjective) * Max(f->nobjectives, 1));
	f->objective_ids = palloc(sizeof(int64) * Max(f->nobjectives, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		FObjective *o = &f->objectives[i];

		o->id = f->objective_ids[i] = DatumGetInt64(COL(1, &isnull));
		o->parent_id = DatumGetInt64(COL(2, &isnull));
		o->has_parent = !isnull;
		o->parent_kr_id = DatumGetInt64(COL(3, &isnull));
		o->has_parent_kr = !isnull;
		o->weight = DatumGetFloat8(COL(4, &isnull));
		o->use_krs = !text_eq(COL(5, &isnull), "children");
		o->use_children = !text_eq(COL(5, &isnull), "key_results");
		o->counted = text_eq(COL(6, &isnull), "active") || text_eq(COL(6, &isnull), "closed");
		o->aspirational = text_eq(COL(7, &isnull), "aspirational");
		o->cycle_id = DatumGetInt64(COL(8, &isnull));
		o->first_kr = o->first_child = o->next_sibling = o->next_aligned = -1;
	}
	MemoryContextSwitchTo(old);

	run(&plans[1], "SELECT id, objective_id, kind, weight, state, start_value, target_value"
		" FROM okr.key_result WHERE $1 IS NOT NULL ORDER BY id", as_of);
	old = MemoryContextSwitchTo(f->cxt);
	f->nkrs = (int) SPI_processed;
	f->krs = palloc0(sizeof(FKeyResult) * Max(f->nkrs, 1));
	f->kr_ids = palloc(sizeof(int64) * Max(f->nkrs, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		FKeyResult *k = &f->krs[i];
		int			o = find_id(f->objective_ids, f->nobjectives,
								DatumGetInt64(COL(2, &isnull)));
		Datum		d;

		k->id = f->kr_ids[i] = DatumGetInt64(COL(1, &isnull));
		k->kind = okr_parse_kr_kind(TextDatumGetCString(COL(3, &isnull)));
		k->weight = DatumGetFloat8(COL(4, &isnull));
		k->active = text_eq(COL(5, &isnull), "active");
		d = COL(6, &k->start_null);
		k->start = k->start_null ? (Datum) 0 : datumCopy(d, false, -1);
		d = COL(7, &k->target_null);
		k->target = k->target_null ? (Datum) 0 : datumCopy(d, false, -1);
		k->first_project = k->first_aligned = -1;
		k->value_null = true;
		k->next_kr = -1;
		k->objective = o;
		if (o >= 0)
		{
			k->next_kr = f->objectives[o].first_kr;
			f->objectives[o].first_kr = (int) i;
		}
	}
	MemoryContextSwitchTo(old);

	/* the objectives' links, now that the key results are known */
	for (i = 0; i < (uint64) f->nobjectives; i++)
	{
		FObjective *o = &f->objectives[i];
		int			p = o->has_parent ? find_id(f->objective_ids, f->nobjectives, o->parent_id) : -1;
		int			k = o->has_parent_kr ? find_id(f->kr_ids, f->nkrs, o->parent_kr_id) : -1;

		if (p >= 0)
		{
			o->next_sibling = f->objectives[p].first_child;
			f->objectives[p].first_child = (int) i;
		}
		else if (k >= 0)
		{
			o->next_aligned = f->krs[k].first_aligned;
			f->krs[k].first_aligned = (int) i;
		}
	}
}

static void
load_projects(Forecast *f, TimestampTz as_of)
{
	static SPIPlanPtr plan;
	MemoryContext old;
	bool		isnull;
	uint64		i;

	run(&plan, "SELECT id, key_result_id, weight, state"
		" FROM okr.project WHERE $1 IS NOT NULL ORDER BY id", as_of);
	old = MemoryContextSwitchTo(f->cxt);
	f->nprojects = (int) SPI_processed;
	f->projects = palloc0(sizeof(FProject) * Max(f->nprojects, 1));
	f->project_ids = palloc(sizeof(int64) * Max(f->nprojects, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		FProject   *p = &f->projects[i];
		int			k = find_id(f->kr_ids, f->nkrs, DatumGetInt64(COL(2, &isnull)));

		p->id = f->project_ids[i] = DatumGetInt64(COL(1, &isnull));
		p->weight = DatumGetFloat8(COL(3, &isnull));
		p->counted = !text_eq(COL(4, &isnull), "cancelled");
		p->expected_null = true;
		p->next_project = -1;
		if (k >= 0)
		{
			p->next_project = f->krs[k].first_project;
			f->krs[k].first_project = (int) i;
		}
	}
	MemoryContextSwitchTo(old);
}

/* Progress at as_of of key results and projects, and projects' expected. */
static void
load_progress(Forecast *f, TimestampTz as_of)
{
	static SPIPlanPtr plan;
	bool		isnull;
	uint64		i;

	run(&plan, "SELECT item, id, progress, expected FROM okr.progress($1)"
		" WHERE item <> 'objective'", as_of);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		int64		id = DatumGetInt64(COL(2, &isnull));
		Datum		progress = COL(3, &isnull);
		bool		progress_null = isnull;

		if (text_eq(COL(1, &isnull), "key_result"))
		{
			int			k = find_id(f->kr_ids, f->nkrs, id);

			if (k >= 0 && !progress_null)
				f->krs[k].progress = DatumGetFloat8(progress);
		}
		else
		{
			int			p = find_id(f->project_ids, f->nprojects, id);
			Datum		expected = COL(4, &isnull);

			if (p < 0)
				continue;
			f->projects[p].progress = progress_null ? 0.0 : DatumGetFloat8(progress);
			f->projects[p].expected_null = isnull;
			f->projects[p].expected = isnull ? 0.0 : DatumGetFloat8(expected);
		}
	}
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

/* A numeric as a double; false when no double holds it. */
static bool
to_double(Datum num, double *d)
{
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

/*
 * The projected value of every metric, at_least and at_most key result:
 * the check-ins are read once, in batches, and summed per key result.
 */
static void
load_lines(Forecast *f, TimestampTz as_of)
{
	static SPIPlanPtr cycle_plan,
				checkin_plan;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		args[1] = {TimestampTzGetDatum(as_of)};
	MemoryContext batch,
				old;
	Portal		portal;
	bool		isnull;
	int64	   *cycle_ids;
	TimestampTz *starts,
			   *ends;
	bool	   *bounded;
	int			ncycles;
	uint64		i;

	/* the cycles' bounds, in the session time zone (rule 5's) */
	run(&cycle_plan, "SELECT id, starts_on, ends_on FROM okr.cycle WHERE $1 IS NOT NULL ORDER BY id", as_of);
	ncycles = (int) SPI_processed;
	cycle_ids = MemoryContextAlloc(f->cxt, sizeof(int64) * Max(ncycles, 1));
	starts = MemoryContextAlloc(f->cxt, sizeof(TimestampTz) * Max(ncycles, 1));
	ends = MemoryContextAlloc(f->cxt, sizeof(TimestampTz) * Max(ncycles, 1));
	bounded = MemoryContextAlloc(f->cxt, sizeof(bool) * Max(ncycles, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		DateADT		ends_on = DatumGetDateADT(COL(3, &isnull));

		cycle_ids[i] = DatumGetInt64(COL(1, &isnull));
		/* a cycle beyond the range of timestamps gets no line */
		bounded[i] = day_start(DatumGetDateADT(COL(2, &isnull)), &starts[i]) &&
			!DATE_NOT_FINITE(ends_on) && day_start(ends_on + 1, &ends[i]);
	}
	for (int k = 0; k < f->nkrs; k++)
	{
		FKeyResult *kr = &f->krs[k];
		int			c;

		if (kr->kind != OKR_KR_METRIC && kr->kind != OKR_KR_AT_LEAST && kr->kind != OKR_KR_AT_MOST)
			continue;
		if (kr->objective < 0 ||
			(c = find_id(cycle_ids, ncycles, f->objectives[kr->objective].cycle_id)) < 0 ||
			!bounded[c])
			continue;
		kr->has_line = true;
		kr->cycle_start = starts[c];
		kr->cycle_end = ends[c];
		if (kr->kind == OKR_KR_METRIC && !kr->start_null)
		{
			double		y;

			if (to_double(kr->start, &y))
				line_add(kr, 0.0, y);
			else
				kr->line_bad = true;
		}
	}

	/* the check-ins up to as_of, 10,000 rows at a time */
	batch = AllocSetContextCreate(CurrentMemoryContext, "okr forecast batch",
								  ALLOCSET_DEFAULT_SIZES);
	portal = SPI_cursor_open(NULL,
							 okr_spi_plan(&checkin_plan,
										  "SELECT key_result_id, checked_at, value FROM okr.checkin"
										  " WHERE checked_at <= $1",
										  1, argtypes),
							 args, NULL, true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(batch);
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			int			k = find_id(f->kr_ids, f->nkrs, DatumGetInt64(COL(1, &isnull)));
			TimestampTz at = DatumGetTimestampTz(COL(2, &isnull));
			FKeyResult *kr;
			double		y;

			if (k < 0 || !f->krs[k].has_line)
				continue;
			kr = &f->krs[k];
			if (at < kr->cycle_start || at >= kr->cycle_end)
				continue;		/* outside its cycle */
			if (!to_double(COL(3, &isnull), &y))
				kr->line_bad = true;
			else
				line_add(kr, (double) (at - kr->cycle_start) / USECS_PER_DAY, y);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(batch);

	/*
	 * value = intercept + slope * X, X the end of the cycle in days:
	 * slope = (n Sxy - Sx Sy) / (n Sxx - Sx^2), intercept = (Sy - slope Sx) / n
	 */
	old = MemoryContextSwitchTo(f->cxt);
	for (int k = 0; k < f->nkrs; k++)
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
	MemoryContextSwitchTo(old);
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

static void forecast_objective(Forecast *f, int i);

/* A project's forecast: false before its cycle has started (no pace yet). */
static bool
project_forecast(const FProject *p, double *fc)
{
	if (p->expected_null || !(p->expected > 0))
		return false;
	*fc = Min(p->progress / p->expected, 1.0);
	return true;
}

/* The items a mean counts: weight above 0 and a forecast. */
#define COUNTS(counted, weight, fc_null) ((counted) && (weight) > 0 && !(fc_null))

static void
forecast_key_result(Forecast *f, int i)
{
	FKeyResult *k = &f->krs[i];
	Mean		m = {0, 0, 0};
	double		fc;

	if (k->state == FS_DONE)
		return;
	check_stack_depth();
	k->state = FS_BUSY;
	k->fc_null = true;
	switch (k->kind)
	{
		case OKR_KR_METRIC:
		case OKR_KR_AT_LEAST:
		case OKR_KR_AT_MOST:
			if (!k->value_null)
				/* no attainment: a far projection may not fit a double */
				k->fc_null = !okr_kr_progress_numeric(k->kind, k->start, k->start_null,
													  k->target, k->target_null,
													  k->value, false,
													  &k->fc, NULL);
			break;
		case OKR_KR_MILESTONE:
			k->fc = k->progress;
			k->fc_null = false;
			break;
		case OKR_KR_PROJECTS:
			{
				bool		any = false;
				int			p;

				for (p = k->first_project; p >= 0; p = f->projects[p].next_project)
				{
					FProject   *pr = &f->projects[p];

					any |= pr->counted && pr->weight > 0;
					if (COUNTS(pr->counted, pr->weight, !project_forecast(pr, &fc)))
						m.wmax = Max(m.wmax, pr->weight);
				}
				for (p = k->first_project; p >= 0; p = f->projects[p].next_project)
				{
					FProject   *pr = &f->projects[p];

					if (COUNTS(pr->counted, pr->weight, !project_forecast(pr, &fc)))
						mean_add(&m, pr->weight, fc);
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

				for (c = k->first_aligned; c >= 0; c = f->objectives[c].next_aligned)
				{
					FObjective *ch = &f->objectives[c];

					forecast_objective(f, c);
					if (COUNTS(ch->counted, ch->weight, ch->fc_null))
						m.wmax = Max(m.wmax, ch->weight);
				}
				for (c = k->first_aligned; c >= 0; c = f->objectives[c].next_aligned)
				{
					FObjective *ch = &f->objectives[c];

					if (COUNTS(ch->counted, ch->weight, ch->fc_null))
						mean_add(&m, ch->weight, ch->fc);
				}
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

static void
forecast_objective(Forecast *f, int i)
{
	FObjective *o = &f->objectives[i];
	Mean		m = {0, 0, 0};
	int			k,
				c;

	if (o->state == FS_DONE)
		return;
	if (o->state == FS_BUSY)
		elog(ERROR, "okr: objective " INT64_FORMAT " is below itself", o->id);
	check_stack_depth();
	o->state = FS_BUSY;
	/* its items first, then the mean, as the rollup takes it */
	for (k = o->first_kr; k >= 0; k = f->krs[k].next_kr)
	{
		forecast_key_result(f, k);
		if (COUNTS(o->use_krs && f->krs[k].active, f->krs[k].weight, f->krs[k].fc_null))
			m.wmax = Max(m.wmax, f->krs[k].weight);
	}
	for (c = o->first_child; c >= 0; c = f->objectives[c].next_sibling)
	{
		FObjective *ch = &f->objectives[c];

		forecast_objective(f, c);
		if (COUNTS(o->use_children && ch->counted, ch->weight, ch->fc_null))
			m.wmax = Max(m.wmax, ch->weight);
	}
	for (k = o->first_kr; k >= 0; k = f->krs[k].next_kr)
		if (COUNTS(o->use_krs && f->krs[k].active, f->krs[k].weight, f->krs[k].fc_null))
			mean_add(&m, f->krs[k].weight, f->krs[k].fc);
	for (c = o->first_child; c >= 0; c = f->objectives[c].next_sibling)
	{
		FObjective *ch = &f->objectives[c];

		if (COUNTS(o->use_children && ch->counted, ch->weight, ch->fc_null))
			mean_add(&m, ch->weight, ch->fc);
	}
	o->fc_null = !(m.sum_w > 0);
	o->fc = o->fc_null ? 0.0 : m.sum_wp / m.sum_w;
	o->state = FS_DONE;
}

static void
put(ReturnSetInfo *rsinfo, const char *item, int64 id, bool value_null, Datum value,
	bool fc_null, double fc, const char *grade)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, value_null, fc_null, grade == NULL};

	values[0] = CStringGetTextDatum(item);
	values[1] = Int64GetDatum(id);
	values[2] = value;
	values[3] = Float8GetDatum(fc);
	values[4] = grade ? CStringGetTextDatum(grade) : (Datum) 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

Datum
okr_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(0);
	Forecast	f;
	OkrSpiState st;
	OkrAccess  *acc;
	MemoryContext old;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	memset(&f, 0, sizeof(f));
	f.cxt = AllocSetContextCreate(CurrentMemoryContext, "okr forecast",
								  ALLOCSET_DEFAULT_SIZES);

	okr_access_require_select();
	acc = okr_access_read(f.cxt);
	okr_spi_enter(&st, okr_access_owner());
	load_structure(&f, as_of);
	load_projects(&f, as_of);
	load_progress(&f, as_of);
	load_lines(&f, as_of);
	okr_spi_leave(&st);

	old = MemoryContextSwitchTo(f.cxt);
	for (i = 0; i < f.nobjectives; i++)
		forecast_objective(&f, i);
	for (i = 0; i < f.nkrs; i++)
		forecast_key_result(&f, i);

	for (i = 0; i < f.nobjectives; i++)
	{
		FObjective *o = &f.objectives[i];

		if (okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, o->id))
			continue;
		put(rsinfo, "objective", o->id, true, (Datum) 0, o->fc_null, o->fc,
			o->fc_null ? NULL : okr_grade_name(o->fc, o->aspirational));
	}
	for (i = 0; i < f.nkrs; i++)
	{
		FKeyResult *k = &f.krs[i];

		if (okr_access_hidden(acc, OKR_ACCESS_KEY_RESULT, k->id))
			continue;
		put(rsinfo, "key_result", k->id, k->value_null, k->value, k->fc_null, k->fc, NULL);
	}
	for (i = 0; i < f.nprojects; i++)
	{
		FProject   *p = &f.projects[i];
		double		fc = 0.0;
		bool		fc_null = !project_forecast(p, &fc);

		if (okr_access_hidden(acc, OKR_ACCESS_PROJECT, p->id))
			continue;
		put(rsinfo, "project", p->id, true, (Datum) 0, fc_null, fc, NULL);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(f.cxt);
	return (Datum) 0;
}
