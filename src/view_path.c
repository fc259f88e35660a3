/*
 * view_path.c
 *	  okr.objective_path(id): where one objective sits in the alignment tree
 *	  as the caller sees it, for the path columns of the reporting views.
 *
 * The same answer as okr.objective_tree() for that objective (its depth
 * and its ' › ' path of titles from the root down; an objective whose
 * parent the caller cannot read is a root), but walked up from the
 * objective, so that a view filtered to a few objectives reads a few rows,
 * not the whole tree.  The queries run as the caller, so row-level security
 * decides what is a root, as in objective_tree().  The rows read are kept
 * for the rest of the statement (fn_extra, under the same snapshot); after a few hundred lookups
 * the call site reads every objective once instead, so a view read whole
 * costs one scan of the tree.
 */
#include "okr.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(okr_objective_path);

/*
 * Single-row lookups at a call site before it reads every objective: a
 * lookup costs about what reading 40 rows in the scan does.
 */
#define PATH_LOOKUP_ROWS 40
#define PATH_MIN_LOOKUPS 16

typedef struct PathNode
{
	int64		id;				/* hash key */
	bool		exists;			/* readable by the caller */
	bool		has_parent;
	int64		parent_id;		/* its parent, or its key result's objective */
	char	   *title;
} PathNode;

typedef struct PathCache
{
	MemoryContext cxt;
	OkrSnapshotKey snap;
	Oid			user;
	HTAB	   *nodes;
	bool		all;			/* every readable objective is in nodes */
	int			lookups;
	int			max_lookups;
} PathCache;

/*
 * (the key result probed only for the objectives aligned to one: a join
 * would hash every key result to read every objective)
 */
#define Q_LINKS \
	"SELECT o.id, o.title, COALESCE(o.parent_id, CASE WHEN o.parent_key_result_id IS NOT NULL" \
	" THEN (SELECT k.objective_id FROM okr.key_result k WHERE k.id = o.parent_key_result_id) END)" \
	" FROM okr.objective o"

static PathCache *
path_cache(FunctionCallInfo fcinfo)
{
	PathCache  *c = (PathCache *) fcinfo->flinfo->fn_extra;
	HASHCTL		ctl;
	OkrSnapshotKey snap;

	okr_snapshot_key(&snap);
	if (c && (c->user != GetUserId() || !okr_snapshot_key_same(&c->snap, &snap)))
	{
		MemoryContextDelete(c->cxt);
		c = NULL;
	}
	if (c)
		return c;
	{
		MemoryContext cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												  "okr objective path",
												  ALLOCSET_DEFAULT_SIZES);

		c = MemoryContextAllocZero(cxt, sizeof(PathCache));
		c->cxt = cxt;
		c->snap = snap;
		c->user = GetUserId();
		c->max_lookups = -1;	/* from the table's size, at the first lookup */
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PathNode);
		ctl.hcxt = cxt;
		c->nodes = hash_create("okr objective path", 256, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		fcinfo->flinfo->fn_extra = c;
	}
	return c;
}

/* Keep the rows of an SPI result (id, title, parent) in the cache. */
static void
path_keep(PathCache *c)
{
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		Datum		title = SPI_getbinval(tup, desc, 2, &isnull);
		bool		title_null = isnull;
		Datum		parent = SPI_getbinval(tup, desc, 3, &isnull);
		bool		found;
		PathNode   *n = hash_search(c->nodes, &id, HASH_ENTER, &found);

		n->exists = true;
		n->has_parent = !isnull;
		n->parent_id = isnull ? 0 : DatumGetInt64(parent);
		n->title = title_null ? NULL : MemoryContextStrdup(c->cxt, TextDatumGetCString(title));
	}
}

/* The node of id as the caller reads it (exists false when it cannot). */
static PathNode *
path_node(PathCache *c, int64 id)
{
	static SPIPlanPtr one_plan = NULL;
	static SPIPlanPtr all_plan = NULL;
	OkrSpiState st;
	PathNode   *n;
	bool		found;

	n = hash_search(c->nodes, &id, HASH_FIND, &found);
	if (n || c->all)
		return n;
	/* as the caller: row-level security decides what it reads */
	okr_spi_enter(&st, InvalidOid);
	if (c->max_lookups < 0)
	{
		static SPIPlanPtr size_plan = NULL;
		bool		isnull;
		double		rows = 0;

		if (SPI_execute_plan(okr_spi_plan(&size_plan,
										  "SELECT reltuples::float8 FROM pg_class WHERE oid = 'okr.objective'::regclass",
										  0, NULL),
							 NULL, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "okr: reading the size of okr.objective failed");
		if (SPI_processed == 1)
			rows = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		c->max_lookups = Max(PATH_MIN_LOOKUPS, (int) Min(rows / PATH_LOOKUP_ROWS, 100000.0));
	}
	if (c->lookups++ < c->max_lookups)
	{
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};

		if (SPI_execute_plan(okr_spi_plan(&one_plan, Q_LINKS " WHERE o.id = $1", 1, argtypes),
							 values, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "okr: reading an objective's parent failed");
	}
	else
	{
		if (SPI_execute_plan(okr_spi_plan(&all_plan, Q_LINKS, 0, NULL),
							 NULL, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "okr: reading the objectives' parents failed");
		c->all = true;
	}
	path_keep(c);
	okr_spi_leave(&st);
	n = hash_search(c->nodes, &id, HASH_ENTER, &found);
	if (!found)
		n->exists = false;
	return n;
}

/*
 * okr.objective_path(id): one row (depth, path, parent_id, parent_title),
 * none when the caller cannot read the objective; depth and path are NULL
 * when its branch never reaches a root.  parent_id is the objective it
 * aligns to (its parent, or its key result's objective, as the caller
 * reads them), parent_title that one's title when the caller reads it.
 */
Datum
okr_objective_path(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PathCache  *c;
	PathNode   *n;
	int64	   *chain;
	char	  **titles;
	int			depth = 0,
				cap = 16,
				i,
				j;
	StringInfoData path;
	bool		first = true;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	PathNode   *self;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	c = path_cache(fcinfo);
	chain = palloc(sizeof(int64) * cap);
	titles = palloc(sizeof(char *) * cap);
	n = path_node(c, PG_GETARG_INT64(0));
	if (n == NULL || !n->exists)
		return (Datum) 0;
	self = n;
	values[2] = Int64GetDatum(self->parent_id);
	nulls[2] = !self->has_parent;
	nulls[3] = true;
	if (self->has_parent)
	{
		PathNode   *p = path_node(c, self->parent_id);

		if (p && p->exists && p->title)
		{
			values[3] = CStringGetTextDatum(p->title);
			nulls[3] = false;
		}
	}
	/* up to the root: the first node whose parent the caller cannot read */
	for (;;)
	{
		PathNode   *p;

		CHECK_FOR_INTERRUPTS();
		for (j = 0; j < depth; j++)
			if (chain[j] == n->id)
			{
				/* a cycle: no root above (rule 1 forbids it) */
				nulls[0] = nulls[1] = true;
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
				return (Datum) 0;
			}
		if (depth == cap)
		{
			cap *= 2;
			chain = repalloc(chain, sizeof(int64) * cap);
			titles = repalloc(titles, sizeof(char *) * cap);
		}
		chain[depth] = n->id;
		titles[depth] = n->title;
		depth++;
		if (!n->has_parent)
			break;
		p = path_node(c, n->parent_id);
		if (p == NULL || !p->exists)
			break;
		n = p;
	}
	/* titles from the root down, as array_to_string (NULLs left out) */
	initStringInfo(&path);
	for (i = depth - 1; i >= 0; i--)
	{
		if (titles[i] == NULL)
			continue;
		if (!first)
			appendStringInfoString(&path, " › ");
		appendStringInfoString(&path, titles[i]);
		first = false;
	}
	values[0] = Int32GetDatum(depth - 1);
	values[1] = CStringGetTextDatum(path.data);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
