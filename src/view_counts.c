/*
 * view_counts.c
 *	  Counts of a row's parts for the reporting views (src/sql/40_views.sql):
 *	  okr.objective_key_results(), okr.objective_children() and
 *	  okr.key_result_projects().
 *
 * Called in a view's select list, so a query that does not select the
 * column does not count at all, and a filtered query counts for its rows
 * only: the first calls of a call site probe one row's parts each (an
 * index lookup); after as many probes as a scan of the table would cost,
 * the call site counts every row's parts in one pass instead and answers
 * the rest of the statement from memory (fn_extra lives as long as the
 * query's execution, one snapshot; keyed by the snapshot too, for a
 * PL/pgSQL simple expression, which keeps it for the transaction).  The queries run as the caller, so
 * row-level security decides what is counted, as in the views of 1.0.
 */
#include "okr.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(okr_objective_key_results);
PG_FUNCTION_INFO_V1(okr_objective_children);
PG_FUNCTION_INFO_V1(okr_key_result_projects);

/* a probe costs about what counting this many rows in one pass does */
#define COUNT_PROBE_ROWS 80
#define COUNT_MIN_PROBES 16

typedef struct CountQueries
{
	const char *table;			/* whose size sets the probes' budget */
	const char *one;			/* $1: the id; one row, the count */
	const char *all;			/* (id, count) for every id with parts */
	SPIPlanPtr	one_plan;
	SPIPlanPtr	all_plan;
	SPIPlanPtr	size_plan;
} CountQueries;

typedef struct CountEntry
{
	int64		id;
	int64		n;
} CountEntry;

typedef struct CountCache
{
	MemoryContext cxt;
	OkrSnapshotKey snap;
	Oid			user;
	HTAB	   *counts;
	bool		all;			/* every id with parts is in counts */
	int			probes;
	int			max_probes;
} CountCache;

static CountQueries key_results_q = {
	"okr.key_result",
	"SELECT count(*) FROM okr.key_result k WHERE k.objective_id = $1 AND k.state = 'active'",
	"SELECT k.objective_id, count(*) FROM okr.key_result k WHERE k.state = 'active'"
	" GROUP BY k.objective_id",
	NULL, NULL, NULL
};

static CountQueries children_q = {
	"okr.objective",
	"SELECT count(*) FROM okr.objective o WHERE o.parent_id = $1 AND o.state IN ('active', 'closed')",
	"SELECT o.parent_id, count(*) FROM okr.objective o"
	" WHERE o.parent_id IS NOT NULL AND o.state IN ('active', 'closed') GROUP BY o.parent_id",
	NULL, NULL, NULL
};

static CountQueries projects_q = {
	"okr.project",
	"SELECT count(*) FROM okr.project p WHERE p.key_result_id = $1 AND p.state <> 'cancelled'",
	"SELECT p.key_result_id, count(*) FROM okr.project p WHERE p.state <> 'cancelled'"
	" GROUP BY p.key_result_id",
	NULL, NULL, NULL
};

static CountCache *
count_cache(FunctionCallInfo fcinfo)
{
	CountCache *c = (CountCache *) fcinfo->flinfo->fn_extra;
	MemoryContext cxt;
	HASHCTL		ctl;
	OkrSnapshotKey snap;

	okr_snapshot_key(&snap);
	if (c && c->user == GetUserId() && okr_snapshot_key_same(&c->snap, &snap))
		return c;
	if (c)
		MemoryContextDelete(c->cxt);
	cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "okr view counts",
								ALLOCSET_SMALL_SIZES);
	c = MemoryContextAllocZero(cxt, sizeof(CountCache));
	c->cxt = cxt;
	c->snap = snap;
	c->user = GetUserId();
	c->max_probes = -1;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(CountEntry);
	ctl.hcxt = cxt;
	c->counts = hash_create("okr view counts", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

/* Inside SPI: how many probes cost what one pass over the table does. */
static int
probe_budget(CountQueries *q)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(q->table)};
	bool		isnull;
	double		rows = 0;

	if (SPI_execute_plan(okr_spi_plan(&q->size_plan,
									  "SELECT reltuples::float8 FROM pg_class WHERE oid = $1::regclass",
									  1, argtypes),
						 values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the size of %s failed", q->table);
	if (SPI_processed == 1)
		rows = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return Max(COUNT_MIN_PROBES, (int) Min(rows / COUNT_PROBE_ROWS, 100000.0));
}

static int64
view_count(FunctionCallInfo fcinfo, CountQueries *q)
{
	CountCache *c = count_cache(fcinfo);
	int64		id = PG_GETARG_INT64(0);
	CountEntry *e;
	bool		found;
	bool		isnull;
	OkrSpiState st;
	uint64		i;

	e = hash_search(c->counts, &id, HASH_FIND, &found);
	if (e)
		return e->n;
	if (c->all)
		return 0;
	/* as the caller: row-level security decides what is counted */
	okr_spi_enter(&st, InvalidOid);
	if (c->max_probes < 0)
		c->max_probes = probe_budget(q);
	if (c->probes++ < c->max_probes)
	{
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};
		int64		n = 0;

		if (SPI_execute_plan(okr_spi_plan(&q->one_plan, q->one, 1, argtypes),
							 values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "okr: counting the parts of a row failed");
		if (SPI_processed == 1)
			n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		okr_spi_leave(&st);
		e = hash_search(c->counts, &id, HASH_ENTER, &found);
		e->n = n;
		return n;
	}
	if (SPI_execute_plan(okr_spi_plan(&q->all_plan, q->all, 0, NULL),
						 NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: counting the parts of every row failed");
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		key = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		int64		k;

		if (isnull)
			continue;
		k = DatumGetInt64(key);
		e = hash_search(c->counts, &k, HASH_ENTER, &found);
		e->n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	okr_spi_leave(&st);
	c->all = true;
	e = hash_search(c->counts, &id, HASH_FIND, &found);
	return e ? e->n : 0;
}

/* okr.objective_key_results(id): its active key results */
Datum
okr_objective_key_results(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(view_count(fcinfo, &key_results_q));
}

/* okr.objective_children(id): the active and closed objectives whose parent it is */
Datum
okr_objective_children(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(view_count(fcinfo, &children_q));
}

/* okr.key_result_projects(id): its projects not cancelled */
Datum
okr_key_result_projects(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(view_count(fcinfo, &projects_q));
}
