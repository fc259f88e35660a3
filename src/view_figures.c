/*
 * view_figures.c
 *	  What the reporting views join per row, so that a WHERE on a view's id
 *	  reaches the rollup (1.1, issue 18):
 *
 *	  okr.item_figures(item, id, objective_id, as_of, known_at): the figures
 *	  okr.progress() reports for one objective, key result or project.  The
 *	  views call it LATERAL, once per row they keep, with the objective that
 *	  holds the item; a filtered view asks for a few ids only.  Within one
 *	  query the function's cache (fn_extra, one per moment) keeps what it
 *	  rolled up: the first ids roll up the subtree of their objective (every
 *	  item in a subtree has its whole subtree in it, SPEC 1b, so all its
 *	  figures are final and kept), until the objectives rolled up that way
 *	  pass SUBTREE_BUDGET; then the whole organisation is rolled up once and
 *	  every later row is read from it.  A past moment, whose subtree is
 *	  that of then, is always the whole organisation (as
 *	  okr.objective_progress does).
 *
 *	  okr.objective_path(objective_id): depth and ' › ' path of titles, as
 *	  okr.objective_tree() gives them, walked up from the objective as the
 *	  caller sees the tree; the paths walked are kept, and after
 *	  PATH_BUDGET steps the whole tree is read once from okr.objective_tree().
 *
 *	  okr.project_tasks(project_id, as_of): a project's tasks by status and
 *	  effort, probed per project and, past TASK_BUDGET, counted for every
 *	  project in one grouped scan.
 *
 *	  Calls rollup.c (okr_rollup_subtree and the figures), access.c and
 *	  spi_util.c; nothing calls it.
 */
#include "okr.h"
#include "rollup.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(okr_item_figures);
PG_FUNCTION_INFO_V1(okr_objective_path);
PG_FUNCTION_INFO_V1(okr_project_tasks);

/*
 * Objectives rolled up subtree by subtree before the whole organisation is:
 * per objective a subtree costs about five times what the whole does (index
 * probes against sequential scans, at scale L), so past this the rest is
 * cheaper at once.  The same bound as a single subtree's in rollup.c.
 */
#define SUBTREE_BUDGET 1000
/* path steps (one indexed probe each) before the whole tree is read */
#define PATH_BUDGET 256

typedef struct FigKey
{
	int64		id;
	int32		level;			/* OkrAccessLevel */
	int32		pad;			/* zeroed: the key is hashed as bytes */
} FigKey;

typedef struct FigEntry
{
	FigKey		key;
	bool		progress_null;
	bool		activity_null;
	bool		expected_null;
	double		progress;
	double		activity;
	double		expected;
	const char *status;			/* a constant of rollup.c or progress.c; NULL: none */
} FigEntry;

/* what one moment's calls rolled up */
typedef struct FigMoment
{
	TimestampTz as_of;
	bool		known_null;
	TimestampTz known_at;
	int			loaded;			/* objectives rolled up by subtrees */
	HTAB	   *items;			/* FigKey -> FigEntry, from the subtrees */
	Rollup	   *whole;			/* the whole organisation, once rolled up */
	struct FigMoment *next;
} FigMoment;

typedef struct FigCache
{
	Oid			userid;			/* the scope below is this role's */
	MemoryContext cxt;
	OkrAccess  *acc;
	FigMoment  *moments;
	TupleDesc	desc;			/* of the result row */
} FigCache;

static void
entry_from(FigEntry *e, const ItemFigures *f)
{
	e->progress_null = f->progress_null;
	e->progress = f->progress;
	e->activity_null = !(f->total > 0);
	e->activity = f->total > 0 ? f->done / f->total : 0.0;
	e->expected_null = f->expected_null;
	e->expected = f->expected;
	e->status = f->status;
}

/* the index of id in a row array sorted by id (each row starts with its id) */
static int
find_id(const void *rows, int n, Size elem, int64 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int64		at = *(const int64 *) ((const char *) rows + (Size) mid * elem);

		if (at == id)
			return mid;
		if (at < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* the figures of (level, id) in the whole rollup r; false when not in it */
static bool
whole_lookup(Rollup *r, OkrAccessLevel level, int64 id, FigEntry *e)
{
	ItemFigures f;
	int			i;

	switch (level)
	{
		case OKR_ACCESS_OBJECTIVE:
			if ((i = find_id(r->objectives, r->nobjectives, sizeof(RObjective), id)) < 0)
				return false;
			okr_rollup_objective_figures(r, i, &f);
			break;
		case OKR_ACCESS_KEY_RESULT:
			if ((i = find_id(r->krs, r->nkrs, sizeof(RKeyResult), id)) < 0)
				return false;
			okr_rollup_kr_figures(r, i, &f);
			break;
		default:
			if ((i = find_id(r->projects, r->nprojects, sizeof(RProject), id)) < 0)
				return false;
			okr_rollup_project_figures(r, i, &f);
			break;
	}
	entry_from(e, &f);
	return true;
}

static void
keep(HTAB *items, OkrAccessLevel level, int64 id, const ItemFigures *f)
{
	FigKey		key;
	FigEntry   *e;
	bool		found;

	memset(&key, 0, sizeof(key));
	key.id = id;
	key.level = level;
	e = hash_search(items, &key, HASH_ENTER, &found);
	if (!found)
		entry_from(e, f);
}

/*
 * Roll up what (level, id) needs: objective_id's subtree while the budget
 * lasts, else the whole organisation, kept in m.
 */
static void
fig_rollup(FigCache *c, FigMoment *m, bool has_objective, int64 objective_id)
{
	MemoryContext work = AllocSetContextCreate(c->cxt, "okr view figures",
											   ALLOCSET_DEFAULT_SIZES);
	int			limit = has_objective ? SUBTREE_BUDGET - m->loaded : 0;
	OkrSpiState st;
	Rollup	   *r = MemoryContextAllocZero(work, sizeof(Rollup));
	bool		whole;
	ItemFigures f;
	int			i;

	okr_spi_enter(&st, okr_access_owner());
	whole = okr_rollup_subtree(r, work, objective_id, Max(limit, 0),
							   m->as_of, m->known_null, m->known_at);
	okr_spi_leave(&st);

	if (whole)
	{
		m->whole = r;			/* lives in work, as long as the cache */
		return;
	}
	m->loaded += Max(r->nobjectives, 1);
	for (i = 0; i < r->nobjectives; i++)
	{
		okr_rollup_objective_figures(r, i, &f);
		keep(m->items, OKR_ACCESS_OBJECTIVE, r->objectives[i].id, &f);
	}
	for (i = 0; i < r->nkrs; i++)
	{
		okr_rollup_kr_figures(r, i, &f);
		keep(m->items, OKR_ACCESS_KEY_RESULT, r->krs[i].id, &f);
	}
	for (i = 0; i < r->nprojects; i++)
	{
		okr_rollup_project_figures(r, i, &f);
		keep(m->items, OKR_ACCESS_PROJECT, r->projects[i].id, &f);
	}
	MemoryContextDelete(work);
}

/* The row type of the function's OUT parameters, built once per call site. */
static TupleDesc
result_desc(FunctionCallInfo fcinfo, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	TupleDesc	desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "okr: return type must be a row type");
	desc = BlessTupleDesc(CreateTupleDescCopy(desc));
	MemoryContextSwitchTo(old);
	return desc;
}

/* The cache of this call site, for the current role (a new one otherwise). */
static FigCache *
fig_cache(FunctionCallInfo fcinfo)
{
	FigCache   *c = (FigCache *) fcinfo->flinfo->fn_extra;

	if (c && c->userid == GetUserId())
		return c;
	if (c)
		MemoryContextDelete(c->cxt);
	okr_access_require_select();
	c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FigCache));
	c->userid = GetUserId();
	c->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "okr view cache",
								   ALLOCSET_DEFAULT_SIZES);
	/* a filtered view reads a few rows: indexed lookups, not the tables */
	c->acc = okr_access_read_lazy(c->cxt);
	c->desc = result_desc(fcinfo, c->cxt);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

static FigMoment *
fig_moment(FigCache *c, TimestampTz as_of, bool known_null, TimestampTz known_at)
{
	FigMoment  *m;
	HASHCTL		ctl;

	for (m = c->moments; m; m = m->next)
		if (m->as_of == as_of && m->known_null == known_null &&
			(known_null || m->known_at == known_at))
			return m;
	m = MemoryContextAllocZero(c->cxt, sizeof(FigMoment));
	m->as_of = as_of;
	m->known_null = known_null;
	m->known_at = known_at;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(FigKey);
	ctl.entrysize = sizeof(FigEntry);
	ctl.hcxt = c->cxt;
	m->items = hash_create("okr view figures", 256, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	m->next = c->moments;
	c->moments = m;
	return m;
}

static OkrAccessLevel
parse_item(text *t)
{
	char	   *s = text_to_cstring(t);

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
 * item_figures(item, id, objective_id, as_of, known_at): progress,
 * activity, expected and status, all NULL when okr.progress(as_of,
 * known_at) has no row for the item (it did not exist then, or the caller
 * may not read it).  objective_id is the objective holding the item (the
 * item itself for an objective); NULL rolls up the whole organisation.
 * Not a set-returning function: a row per call, no tuplestore of its own
 * (a view calls it once per row).
 */
Datum
okr_item_figures(PG_FUNCTION_ARGS)
{
	OkrAccessLevel level;
	int64		id;
	FigCache   *c;
	FigMoment  *m;
	FigKey		key;
	FigEntry	found,
			   *e = NULL;
	Datum		values[4];
	bool		nulls[4] = {true, true, true, true};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	level = parse_item(PG_GETARG_TEXT_PP(0));
	id = PG_GETARG_INT64(1);
	c = fig_cache(fcinfo);
	if (PG_ARGISNULL(3))		/* as okr.progress(NULL): nothing */
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(c->desc, values, nulls)));
	m = fig_moment(c, PG_GETARG_TIMESTAMPTZ(3), PG_ARGISNULL(4),
				   PG_ARGISNULL(4) ? 0 : PG_GETARG_TIMESTAMPTZ(4));

	memset(&key, 0, sizeof(key));
	key.id = id;
	key.level = level;
	if (!m->whole)
	{
		e = hash_search(m->items, &key, HASH_FIND, NULL);
		if (!e)
		{
			fig_rollup(c, m, !PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT64(2));
			if (!m->whole)
				e = hash_search(m->items, &key, HASH_FIND, NULL);
		}
	}
	if (!e && m->whole && whole_lookup(m->whole, level, id, &found))
		e = &found;
	if (e && !okr_access_hidden(c->acc, level, id))
	{
		values[0] = Float8GetDatum(e->progress);
		nulls[0] = e->progress_null;
		values[1] = Float8GetDatum(e->activity);
		nulls[1] = e->activity_null;
		values[2] = Float8GetDatum(e->expected);
		nulls[2] = e->expected_null;
		if (e->status)
			values[3] = CStringGetTextDatum(e->status);
		nulls[3] = e->status == NULL;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(c->desc, values, nulls)));
}

/* ---------------------------------------------------------------------
 * objective_path(objective_id)
 * --------------------------------------------------------------------- */

typedef enum PathState
{
	PATH_LOADED,				/* its row read, path not known yet */
	PATH_RESOLVING,
	PATH_DONE
} PathState;

typedef struct PathEntry
{
	int64		id;
	PathState	state;
	bool		known;			/* false: not readable, or on no root's branch */
	bool		has_parent;
	int64		parent_id;		/* its parent, or its key result's objective */
	char	   *title;
	int32		depth;
	char	   *path;
} PathEntry;

typedef struct PathCache
{
	Oid			userid;
	MemoryContext cxt;
	HTAB	   *paths;			/* id -> PathEntry */
	int			steps;
	bool		whole;			/* every readable objective is in paths */
	TupleDesc	desc;
} PathCache;

/* one objective's title and link, as the caller reads them */
#define Q_PATH_ALL \
	"SELECT o.id, o.title, COALESCE(o.parent_id," \
	" (SELECT k.objective_id FROM okr.key_result k WHERE k.id = o.parent_key_result_id))" \
	" FROM okr.objective o"
#define Q_PATH_STEP Q_PATH_ALL " WHERE o.id = $1"
static Oid	path_argtypes[1] = {INT8OID};

static const char *path_separator(void);

/* keep the row (id, title, link) of Q_PATH_STEP */
static PathEntry *
path_load(PathCache *c, HeapTuple tup, TupleDesc desc)
{
	bool		isnull,
				found;
	int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	PathEntry  *e = hash_search(c->paths, &id, HASH_ENTER, &found);
	Datum		d;

	if (found)
		return e;
	e->state = PATH_LOADED;
	e->known = false;
	d = SPI_getbinval(tup, desc, 2, &isnull);
	e->title = isnull ? NULL : MemoryContextStrdup(c->cxt, TextDatumGetCString(d));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	e->has_parent = !isnull;
	e->parent_id = isnull ? 0 : DatumGetInt64(d);
	return e;
}

/* e's depth and path below p (NULL: e is a root) */
static void
path_set(PathCache *c, PathEntry *e, PathEntry *p)
{
	e->known = true;
	e->depth = p ? p->depth + 1 : 0;
	if (p == NULL || p->path == NULL || e->title == NULL)
		e->path = p == NULL || p->path == NULL ? e->title : p->path;
	else
	{
		MemoryContext old = MemoryContextSwitchTo(c->cxt);

		e->path = psprintf("%s%s%s", p->path, path_separator(), e->title);
		MemoryContextSwitchTo(old);
	}
}

/* ' › ' in the database's encoding (this file is UTF-8) */
static const char *
path_separator(void)
{
	static char *sep = NULL;

	if (sep == NULL)
		sep = MemoryContextStrdup(TopMemoryContext,
								  pg_any_to_server(" \xe2\x80\xba ", 5, PG_UTF8));
	return sep;
}

/*
 * The path of id, walked up as the caller reads the tree (inside SPI, as
 * the caller): one probe per step; the ancestors' paths are kept on the way.
 * NULL when the caller cannot read id.
 */
static PathEntry *
path_walk(PathCache *c, int64 id, int guard)
{
	static SPIPlanPtr plan = NULL;
	PathEntry  *e,
			   *p = NULL;

	e = hash_search(c->paths, &id, HASH_FIND, NULL);
	if (e == NULL)
	{
		c->steps++;
		if (SPI_execute_plan(okr_spi_plan(&plan, Q_PATH_STEP, 1, path_argtypes),
							 (Datum[]) {Int64GetDatum(id)}, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "okr: reading an objective's path failed");
		if (SPI_processed == 0)
			return NULL;		/* not readable */
		e = path_load(c, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
	}
	if (e->state != PATH_LOADED)
		return e;				/* known, or on a cycle */
	e->state = PATH_RESOLVING;
	if (e->has_parent && guard > 0)
		p = path_walk(c, e->parent_id, guard - 1);
	if (p == NULL)
		path_set(c, e, NULL);	/* an unreadable parent: a root */
	else if (p->known)
		path_set(c, e, p);
	e->state = PATH_DONE;
	return e;
}

/*
 * The whole tree at once, as okr.objective_tree() gives it: one scan of
 * the objectives the caller reads, linked in memory (the recursive query
 * of okr.objective_tree() costs about as much as the rollup at scale L).
 * An objective whose parent is not among them is a root; one on a cycle
 * (which the rules forbid) is reached from no root and has no path.
 */
static void
path_resolve(PathCache *c, PathEntry *e, int guard)
{
	PathEntry  *p;

	if (e->state != PATH_LOADED)
		return;
	e->state = PATH_RESOLVING;
	p = e->has_parent ? hash_search(c->paths, &e->parent_id, HASH_FIND, NULL) : NULL;
	if (p && guard > 0)
		path_resolve(c, p, guard - 1);
	if (p == NULL)
		path_set(c, e, NULL);	/* a root of the caller's tree */
	else if (p->known)
		path_set(c, e, p);
	e->state = PATH_DONE;		/* (on a cycle: not known) */
}

static void
path_whole(PathCache *c)
{
	static SPIPlanPtr plan = NULL;
	OkrSpiState st;
	uint64		i;
	HASH_SEQ_STATUS seq;
	PathEntry  *e;

	okr_spi_enter(&st, InvalidOid);
	if (SPI_execute_plan(okr_spi_plan(&plan, Q_PATH_ALL, 0, NULL), NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the objectives' tree failed");
	for (i = 0; i < SPI_processed; i++)
		path_load(c, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
	okr_spi_leave(&st);
	hash_seq_init(&seq, c->paths);
	while ((e = hash_seq_search(&seq)) != NULL)
		path_resolve(c, e, 10000);
	c->whole = true;
}

/*
 * objective_path(objective_id): depth and path of the objective in the tree
 * as the caller reads it; NULL, NULL when the caller cannot read it.
 */
Datum
okr_objective_path(PG_FUNCTION_ARGS)
{
	PathCache  *c = (PathCache *) fcinfo->flinfo->fn_extra;
	int64		id = PG_GETARG_INT64(0);
	PathEntry  *e;
	Datum		values[2];
	bool		nulls[2] = {true, true};

	if (!c || c->userid != GetUserId())
	{
		HASHCTL		ctl;

		if (c)
			MemoryContextDelete(c->cxt);
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PathCache));
		c->userid = GetUserId();
		c->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "okr path cache",
									   ALLOCSET_DEFAULT_SIZES);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PathEntry);
		ctl.hcxt = c->cxt;
		c->paths = hash_create("okr paths", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		c->desc = result_desc(fcinfo, c->cxt);
		fcinfo->flinfo->fn_extra = c;
	}
	e = hash_search(c->paths, &id, HASH_FIND, NULL);
	if (!e && !c->whole)
	{
		if (c->steps >= PATH_BUDGET)
			path_whole(c);
		else
		{
			OkrSpiState st;

			okr_spi_enter(&st, InvalidOid);
			e = path_walk(c, id, 10000);
			okr_spi_leave(&st);
		}
		if (c->whole)
			e = hash_search(c->paths, &id, HASH_FIND, NULL);
	}
	if (e && e->known)
	{
		values[0] = Int32GetDatum(e->depth);
		nulls[0] = false;
		if (e->path)
			values[1] = CStringGetTextDatum(e->path);
		nulls[1] = e->path == NULL;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(c->desc, values, nulls)));
}

/* ---------------------------------------------------------------------
 * project_tasks(project_id, as_of)
 * --------------------------------------------------------------------- */

/*
 * A project's tasks by status and effort at as_of, as the caller reads
 * them (row-level security on okr.task): project_report joins it per row.
 * The first projects of a query are probed one by one; past TASK_BUDGET
 * the tasks of every project are counted in one grouped scan, the rest
 * served from it (a filtered report reads the tasks of its rows only, a
 * whole one scans okr.task once, as a grouped join would).
 */
#define TASK_BUDGET 64
#define TASK_COLUMNS 8

#define Q_TASKS_COLS \
	"SELECT t.project_id," \
	" count(*) FILTER (WHERE t.status <> 'cancelled')," \
	" count(*) FILTER (WHERE t.status = 'todo')," \
	" count(*) FILTER (WHERE t.status = 'doing')," \
	" count(*) FILTER (WHERE t.status = 'done' AND t.done_at <= $1)," \
	" count(*) FILTER (WHERE t.status = 'cancelled')," \
	" count(*) FILTER (WHERE (t.status IN ('todo', 'doing') OR (t.status = 'done' AND t.done_at > $1))" \
	"                    AND t.due_on < $1::date)," \
	" sum(t.effort) FILTER (WHERE t.status = 'done' AND t.done_at <= $1)," \
	" sum(t.effort) FILTER (WHERE t.status <> 'cancelled')" \
	" FROM okr.task t"

typedef struct TaskEntry
{
	int64		project_id;
	Datum		values[TASK_COLUMNS];
	bool		nulls[TASK_COLUMNS];
} TaskEntry;

typedef struct TaskCache
{
	Oid			userid;
	TimestampTz as_of;
	MemoryContext cxt;
	HTAB	   *tasks;			/* project id -> TaskEntry */
	int			probes;
	bool		whole;			/* every project with tasks is in tasks */
	TupleDesc	desc;
} TaskCache;

/* keep one row of Q_TASKS_COLS (every column by value: bigint, float8) */
static void
task_keep(TaskCache *c, HeapTuple tup, TupleDesc desc)
{
	bool		isnull,
				found;
	int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	TaskEntry  *e = hash_search(c->tasks, &id, HASH_ENTER, &found);
	int			i;

	for (i = 0; i < TASK_COLUMNS; i++)
		e->values[i] = SPI_getbinval(tup, desc, i + 2, &e->nulls[i]);
}

Datum
okr_project_tasks(PG_FUNCTION_ARGS)
{
	TaskCache  *c = (TaskCache *) fcinfo->flinfo->fn_extra;
	int64		id = PG_GETARG_INT64(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	TaskEntry  *e;
	Datum		values[TASK_COLUMNS];
	bool		nulls[TASK_COLUMNS];
	int			i;

	if (!c || c->userid != GetUserId() || c->as_of != as_of)
	{
		HASHCTL		ctl;

		if (c)
			MemoryContextDelete(c->cxt);
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TaskCache));
		c->userid = GetUserId();
		c->as_of = as_of;
		c->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "okr task cache",
									   ALLOCSET_DEFAULT_SIZES);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(TaskEntry);
		ctl.hcxt = c->cxt;
		c->tasks = hash_create("okr tasks", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		c->desc = result_desc(fcinfo, c->cxt);
		fcinfo->flinfo->fn_extra = c;
	}
	e = hash_search(c->tasks, &id, HASH_FIND, NULL);
	if (!e && !c->whole)
	{
		static SPIPlanPtr one = NULL,
					all = NULL;
		Oid			argtypes[2] = {TIMESTAMPTZOID, INT8OID};
		Datum		args[2] = {TimestampTzGetDatum(as_of), Int64GetDatum(id)};
		OkrSpiState st;
		uint64		n;
		bool		whole = ++c->probes > TASK_BUDGET;

		okr_spi_enter(&st, InvalidOid);
		/* the scan of every task may use parallel workers, as a join would */
		if (whole && all == NULL)
		{
			SPIPlanPtr	plan = SPI_prepare_cursor(Q_TASKS_COLS " GROUP BY t.project_id", 1, argtypes,
												  CURSOR_OPT_PARALLEL_OK);

			if (plan == NULL || SPI_keepplan(plan) != 0)
				elog(ERROR, "okr: preparing the count of tasks failed");
			all = plan;
		}
		if (SPI_execute_plan(whole ? all :
							 okr_spi_plan(&one, Q_TASKS_COLS " WHERE t.project_id = $2 GROUP BY t.project_id",
										  2, argtypes),
							 args, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "okr: counting a project's tasks failed");
		for (n = 0; n < SPI_processed; n++)
			task_keep(c, SPI_tuptable->vals[n], SPI_tuptable->tupdesc);
		okr_spi_leave(&st);
		c->whole = whole;
		e = hash_search(c->tasks, &id, HASH_FIND, NULL);
	}
	for (i = 0; i < TASK_COLUMNS; i++)
	{
		/* no task: zero counts, no effort (as the views' COALESCE shows it) */
		values[i] = e ? e->values[i] : i < 6 ? Int64GetDatum(0) : (Datum) 0;
		nulls[i] = e ? e->nulls[i] : i >= 6;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(c->desc, values, nulls)));
}
