/*
 * view_figures.c
 *	  The figures of one row of a reporting view (src/sql/40_views.sql):
 *	  okr.item_figures() and okr.objective_score_at().
 *
 * The views call these per row through LATERAL, so that a WHERE on the
 * row's own columns (objective_id, team_id, ...) is applied before any
 * figure is computed, and a row costs what its subtree costs: the rollup
 * engine of rollup.c run over the objective's subtree (as
 * okr.objective_progress does).  A view read whole must not redo a subtree
 * per row, so the rollups a call site made are kept for the rest of the
 * statement (in fn_extra, which lives as long as the query's execution and
 * so sees one snapshot; a PL/pgSQL simple expression keeps it longer, so
 * it is also keyed by the snapshot) as the figures of their items, and every later row
 * that lies in one of them is answered from memory.  After a few subtrees, or at once for a moment in
 * the past (where the engine reads the whole organisation as it was
 * anyway), the call site rolls up the whole organisation once: N rows then
 * cost one rollup.
 *
 * Every figure is what okr.progress() reports for the item at the same
 * moment: a subtree holds every row below its objective, the engine sums in
 * id order either way, and it runs as the owner, so a parent counts its
 * private children for every reader; a row the caller may not read gets no
 * figures, as it gets no row of okr.progress().
 */
#include "okr.h"
#include "rollup.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(okr_item_figures);
PG_FUNCTION_INFO_V1(okr_objective_score_at);

/* subtrees rolled up one by one at a call site before it takes the whole */
#define VIEW_MAX_SUBTREES 4
/* ... or once the subtrees so far hold this many objectives */
#define VIEW_MAX_SUBTREE_OBJECTIVES 1000

/*
 * What a rollup says of one item, kept for the statement once the rollup
 * itself is freed: a whole organisation's rollup takes tens of MB at scale
 * L (hundreds as it was), its figures a few, and a view's scores may need
 * one rollup per ended cycle.
 */
typedef struct ViewItem
{
	int64		id;
	int64		cycle_id;
	double		progress;
	double		done;
	double		total;
	double		expected;
	const char *status;			/* a constant of rollup.c or progress.c */
	bool		progress_null;
	bool		expected_null;
	bool		has_cycle;
} ViewItem;

/* the figures of one rollup, each level sorted by id as rollup_load sorts it */
typedef struct ViewRollup
{
	ViewItem   *items[3];		/* objectives, key results, projects */
	int			n[3];
	struct ViewRollup *next;
} ViewRollup;

/* the rollups of one moment at one call site */
typedef struct ViewMoment
{
	TimestampTz as_of;
	bool		known_null;
	TimestampTz known_at;
	bool		whole;			/* a rollup of the whole organisation is here */
	int			subtrees;
	int			subtree_objectives;
	ViewRollup *rollups;
	struct ViewMoment *next;
} ViewMoment;

typedef struct ViewCache
{
	MemoryContext cxt;
	OkrSnapshotKey snap;		/* what was read was read under it */
	Oid			user;			/* the scope below is this role's */
	OkrAccess  *acc;
	bool		horizon_read;
	bool		horizon_null;
	TimestampTz horizon;
	bool		as_of_too;
	/*
	 * The level (objective, key result, project) the call site asks for:
	 * a view's call site asks for one, and only its figures are kept.  A
	 * call for another level (a direct call) keeps every level from then on.
	 */
	int			level;			/* -1: none yet; 3: every level */
	ViewMoment *moments;
} ViewCache;

/*
 * The call site's cache, for the current user (a cursor may be fetched
 * after SET ROLE: a new role starts afresh) and the rows the snapshot sees.
 */
static ViewCache *
view_cache(FunctionCallInfo fcinfo)
{
	ViewCache  *c = (ViewCache *) fcinfo->flinfo->fn_extra;
	OkrSnapshotKey snap;

	okr_snapshot_key(&snap);
	if (c && (c->user != GetUserId() || !okr_snapshot_key_same(&c->snap, &snap)))
	{
		MemoryContextDelete(c->cxt);
		c = NULL;
	}
	if (c == NULL)
	{
		MemoryContext cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												  "okr view figures",
												  ALLOCSET_DEFAULT_SIZES);

		okr_access_require_select();
		c = MemoryContextAllocZero(cxt, sizeof(ViewCache));
		c->cxt = cxt;
		c->snap = snap;
		c->user = GetUserId();
		/* lazy: a filtered view asks about a few rows only */
		c->acc = okr_access_read_lazy(cxt);
		c->level = -1;
		fcinfo->flinfo->fn_extra = c;
	}
	return c;
}

static ViewMoment *
view_moment(ViewCache *c, TimestampTz as_of, bool known_null, TimestampTz known_at)
{
	ViewMoment *m;

	for (m = c->moments; m; m = m->next)
		if (m->as_of == as_of && m->known_null == known_null &&
			(known_null || m->known_at == known_at))
			return m;
	m = MemoryContextAllocZero(c->cxt, sizeof(ViewMoment));
	m->as_of = as_of;
	m->known_null = known_null;
	m->known_at = known_null ? 0 : known_at;
	m->next = c->moments;
	c->moments = m;
	return m;
}

static int
level_index(OkrAccessLevel level)
{
	return level == OKR_ACCESS_OBJECTIVE ? 0 : level == OKR_ACCESS_KEY_RESULT ? 1 : 2;
}

/* The item's figures from the rollups of m; false when none holds it. */
static bool
view_find(ViewMoment *m, OkrAccessLevel level, int64 id, ItemFigures *f)
{
	int			l = level_index(level);
	ViewRollup *v;

	for (v = m->rollups; v; v = v->next)
	{
		int			lo = 0,
					hi = v->n[l] - 1;

		while (lo <= hi)
		{
			int			mid = lo + (hi - lo) / 2;
			ViewItem   *x = &v->items[l][mid];

			if (x->id == id)
			{
				memset(f, 0, sizeof(*f));
				f->id = x->id;
				f->cycle_id = x->has_cycle ? &x->cycle_id : NULL;
				f->progress_null = x->progress_null;
				f->progress = x->progress;
				f->done = x->done;
				f->total = x->total;
				f->expected_null = x->expected_null;
				f->expected = x->expected;
				f->status = x->status;
				return true;
			}
			if (x->id < id)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
	}
	return false;
}

static void
keep_item(ViewItem *x, const ItemFigures *f)
{
	x->id = f->id;
	x->has_cycle = f->cycle_id != NULL;
	x->cycle_id = f->cycle_id ? *f->cycle_id : 0;
	x->progress_null = f->progress_null;
	x->progress = f->progress;
	x->done = f->done;
	x->total = f->total;
	x->expected_null = f->expected_null;
	x->expected = f->expected;
	x->status = f->status;
}

/* The figures of r's items of the call site's level(s), in the cache's context. */
static ViewRollup *
keep_figures(ViewCache *c, Rollup *r)
{
	ViewRollup *v = MemoryContextAllocZero(c->cxt, sizeof(ViewRollup));
	ItemFigures f;
	int			i;

	if (c->level == 0 || c->level == 3)
	{
		v->n[0] = r->nobjectives;
		v->items[0] = MemoryContextAlloc(c->cxt, sizeof(ViewItem) * Max(v->n[0], 1));
		for (i = 0; i < r->nobjectives; i++)
		{
			okr_rollup_objective_figures(r, i, &f);
			keep_item(&v->items[0][i], &f);
		}
	}
	if (c->level == 1 || c->level == 3)
	{
		v->n[1] = r->nkrs;
		v->items[1] = MemoryContextAlloc(c->cxt, sizeof(ViewItem) * Max(v->n[1], 1));
		for (i = 0; i < r->nkrs; i++)
		{
			okr_rollup_kr_figures(r, i, &f);
			keep_item(&v->items[1][i], &f);
		}
	}
	if (c->level == 2 || c->level == 3)
	{
		v->n[2] = r->nprojects;
		v->items[2] = MemoryContextAlloc(c->cxt, sizeof(ViewItem) * Max(v->n[2], 1));
		for (i = 0; i < r->nprojects; i++)
		{
			okr_rollup_project_figures(r, i, &f);
			keep_item(&v->items[2][i], &f);
		}
	}
	return v;
}

/*
 * One more rollup for m, holding objective_id's subtree: the subtree alone
 * while a few suffice, else the whole organisation.  As it was (a moment
 * before the transaction, or a known_at), the engine reads the whole
 * organisation anyway, so it is taken whole at once; that also keeps an
 * objective that did not exist then from being an error (it has no row).
 */
static void
view_roll(ViewCache *c, ViewMoment *m, int64 objective_id)
{
	TimestampTz start = GetCurrentTransactionStartTimestamp();
	bool		past = m->as_of < start || (!m->known_null && m->known_at < start);
	MemoryContext work = AllocSetContextCreate(c->cxt, "okr view rollup",
											   ALLOCSET_DEFAULT_SIZES);
	Rollup		r;
	ViewRollup *v;
	OkrSpiState st;

	memset(&r, 0, sizeof(r));
	okr_spi_enter(&st, okr_access_owner());
	if (past || m->subtrees >= VIEW_MAX_SUBTREES ||
		m->subtree_objectives >= VIEW_MAX_SUBTREE_OBJECTIVES)
	{
		okr_rollup_at(&r, work, m->as_of, m->known_null, m->known_at);
		m->whole = true;
	}
	else
	{
		(void) okr_rollup_objective(&r, work, c->acc, objective_id, m->as_of,
									m->known_null, m->known_at);
		m->subtrees++;
		m->subtree_objectives += r.nobjectives;
	}
	okr_spi_leave(&st);
	v = keep_figures(c, &r);
	MemoryContextDelete(work);
	v->next = m->rollups;
	m->rollups = v;
}

/*
 * The figures of item id (of objective objective_id's subtree) at the
 * moment, as okr.progress(as_of, known_at) reports them; false when it
 * reports no row for it (hidden from the caller, or unknown then).
 */
static bool
view_figures(ViewCache *c, OkrAccessLevel level, int64 id, int64 objective_id,
			 TimestampTz as_of, bool known_null, TimestampTz known_at, ItemFigures *f)
{
	ViewMoment *m;

	if (okr_access_hidden(c->acc, level, id))
		return false;
	if (c->level != level_index(level) && c->level != 3)
	{
		/* another level than kept so far: start again, keeping them all */
		c->moments = NULL;
		c->level = c->level < 0 ? level_index(level) : 3;
	}
	m = view_moment(c, as_of, known_null, known_at);
	if (view_find(m, level, id, f))
		return true;
	if (m->whole)
		return false;
	view_roll(c, m, objective_id);
	return view_find(m, level, id, f);
}

static OkrAccessLevel
item_level(text *item)
{
	char	   *s = text_to_cstring(item);

	if (strcmp(s, "objective") == 0)
		return OKR_ACCESS_OBJECTIVE;
	if (strcmp(s, "key_result") == 0)
		return OKR_ACCESS_KEY_RESULT;
	if (strcmp(s, "project") == 0)
		return OKR_ACCESS_PROJECT;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("item must be objective, key_result or project, not \"%s\"", s)));
	return OKR_ACCESS_OBJECTIVE;	/* not reached */
}

/*
 * okr.item_figures(item, id, objective_id, as_of, known_at): one row of
 * progress, activity, expected, status and cycle_id, or none when okr.progress
 * has no row for the item; objective_id is the objective whose subtree
 * holds it (itself, its key result's, its project's key result's).
 */
Datum
okr_item_figures(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ViewCache  *c;
	ItemFigures f;
	bool		known_null = PG_ARGISNULL(4);
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	/* as okr.progress(NULL): no rows */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return (Datum) 0;
	c = view_cache(fcinfo);
	if (!view_figures(c, item_level(PG_GETARG_TEXT_PP(0)), PG_GETARG_INT64(1),
					  PG_GETARG_INT64(2), PG_GETARG_TIMESTAMPTZ(3), known_null,
					  known_null ? 0 : PG_GETARG_TIMESTAMPTZ(4), &f))
		return (Datum) 0;

	/* the columns of okr.progress(), computed as put_row() does */
	values[0] = Float8GetDatum(f.progress);
	nulls[0] = f.progress_null;
	values[1] = Float8GetDatum(f.total > 0 ? f.done / f.total : 0.0);
	nulls[1] = !(f.total > 0);
	values[2] = Float8GetDatum(f.expected);
	nulls[2] = f.expected_null;
	if (f.status)
		values[3] = CStringGetTextDatum(f.status);
	nulls[3] = f.status == NULL;
	/* the cycle it was in then; NULL when the parent holding it is invisible */
	values[4] = f.cycle_id ? Int64GetDatum(*f.cycle_id) : (Datum) 0;
	nulls[4] = f.cycle_id == NULL;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/* The history horizon (okr.history_horizon), read once per call site. */
static void
view_horizon(ViewCache *c)
{
	static SPIPlanPtr plan = NULL;
	OkrSpiState st;
	bool		isnull;

	if (c->horizon_read)
		return;
	c->horizon_null = true;
	okr_spi_enter(&st, okr_access_owner());
	if (SPI_execute_plan(okr_spi_plan(&plan,
									  "SELECT horizon, as_of_too FROM okr.history_horizon",
									  0, NULL),
						 NULL, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "okr: reading okr.history_horizon failed");
	if (SPI_processed > 0)
	{
		Datum		h = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			c->horizon_null = false;
			c->horizon = DatumGetTimestampTz(h);
			c->as_of_too = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 2, &isnull));
		}
	}
	okr_spi_leave(&st);
	c->horizon_read = true;
}

/*
 * okr.objective_score_at(objective_id, cycle_id, at, known_at): the
 * objective's progress at the end of its cycle (at), as the views' scores
 * take it from okr.progress(at, known_at): NULL when that has no row for it
 * of that cycle.  An end before the history horizon (okr.forget_history) is
 * forgotten: NULL, not the error okr.progress gives for it, so a view still
 * reads after history was forgotten (a closed objective's kept score is
 * read by the view itself, from okr.frozen_score).
 */
Datum
okr_objective_score_at(PG_FUNCTION_ARGS)
{
	ViewCache  *c;
	ItemFigures f;
	bool		known_null = PG_ARGISNULL(3);
	TimestampTz at;
	int64		id;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	id = PG_GETARG_INT64(0);
	at = PG_GETARG_TIMESTAMPTZ(2);
	c = view_cache(fcinfo);
	view_horizon(c);
	if (!c->horizon_null && c->as_of_too && c->horizon > at)
		PG_RETURN_NULL();
	if (!view_figures(c, OKR_ACCESS_OBJECTIVE, id, id, at, known_null,
					  known_null ? 0 : PG_GETARG_TIMESTAMPTZ(3), &f) ||
		f.cycle_id == NULL || *f.cycle_id != PG_GETARG_INT64(1) || f.progress_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(f.progress);
}
