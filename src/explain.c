/*
 * explain.c
 *	  okr.explain(objective_id, as_of, known_at): the derivation of one
 *	  objective's figure, item by item (SPEC 8).
 *
 * One rollup of the objective's subtree (rollup.c, exactly as
 * okr.objective_progress rolls it up, the past from the history tables),
 * then a walk of the subtree in memory: every objective, key result,
 * project and aligned objective below the root, depth first, each with its
 * share of its parent's counted weight, its contribution (share *
 * progress) and, when left out, why.  Whether an item counts and its share
 * come from what rollup_compute() used (rollup.h: the reasons and each
 * parent's counted weight), never from rules written twice, so the
 * contributions of a parent's counted items add up to its progress and
 * every figure is okr.progress()'s for the same moment.  Two more queries
 * (of the items shown only) bring the titles and, for each key result
 * measured by check-ins, the check-in its value comes from at as_of, as
 * known at known_at; for the whole organisation as it is now the rollup's
 * own scans bring the titles (Rollup.explain), and the check-in scan goes
 * by the key results' last_checkin_at (CheckinScan).
 *
 * Access (SPEC 9): the rollup reads as the owner, so a parent counts what
 * its reader may not see; the walk shows none of it.  An item the caller
 * may not read is not shown, nor anything below it; the counted ones of a
 * parent are summed into one row (item 'hidden', no id), whose share and
 * contribution are what the visible rows and the parent's progress imply
 * anyway, so the contributions still add up for every reader.  A root the
 * caller may not read does not exist (P0002), as in objective_progress.
 */
#include "okr.h"
#include "rollup.h"

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "tcop/dest.h"

PG_FUNCTION_INFO_V1(okr_explain);

/* the items of the walk */
typedef enum XKind
{
	X_OBJECTIVE,
	X_KEY_RESULT,
	X_PROJECT,
	X_HIDDEN					/* the counted items of a parent the caller may not read */
} XKind;

#define X_LEVELS 3				/* the kinds with rows of their own */

typedef struct XRow
{
	XKind		kind;
	int			index;			/* into the rollup's arrays; X_HIDDEN: the parent's */
	XKind		parent_kind;	/* X_HIDDEN only */
	int			depth;
	bool		root;
	RollupReason reason;
	double		share;			/* when counted */
	double		contribution;
	double		progress;		/* X_HIDDEN only */
} XRow;

/* what the two queries bring, per item of the rollup */
typedef struct XText
{
	bool		shown;			/* in the output: the queries fill it */
	bool		found;
	Datum		title;
} XText;

typedef struct XCheckin
{
	bool		wanted;			/* shown, and measured by check-ins */
	bool		stale;			/* the scan found its last_checkin_at wrong */
	bool		found;
	int64		id;
	TimestampTz at;
	Datum		value;
	Datum		author;
} XCheckin;

/* columns of okr.explain (src/sql/36_explain.sql) */
enum
{
	XC_DEPTH, XC_ITEM, XC_ID, XC_PARENT_ITEM, XC_PARENT_ID, XC_TITLE, XC_STATUS,
	XC_WEIGHT, XC_SHARE, XC_PROGRESS, XC_CONTRIBUTION, XC_COUNTED, XC_REASON,
	XC_VALUE, XC_CHECKIN_ID, XC_CHECKIN_AT, XC_CHECKIN_BY, XC_EFFORT_DONE, XC_EFFORT_TOTAL,
	XC_NCOLUMNS
};

/* Below this many items the queries probe by id; above it they scan. */
#define X_PROBE_MAX 1000

static const char *
reason_text(RollupReason reason, RState state)
{
	switch (reason)
	{
		case RR_COUNTED:
			return NULL;
		case RR_STATE:
			return okr_rollup_state_name(state);
		case RR_ZERO_WEIGHT:
			return "zero_weight";
		case RR_NOT_SCORED:
			return "not_scored";
		case RR_PARENT_ROLLUP:
			return "parent_rollup";
		case RR_PARENT_KIND:
			return "parent_kind";
	}
	return NULL;				/* keep compiler quiet */
}

/* Index of the row with this id in an array sorted by id (rollup.c sorts them). */
static int
find_by_id(const void *arr, int n, Size stride, int64 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int64		v = *(const int64 *) ((const char *) arr + (Size) mid * stride);

		if (v == id)
			return mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * id -> index of one of the rollup's arrays (sorted by id), for the scans
 * below: a direct array when the ids are dense (identity columns), as they
 * usually are, else a binary search.
 */
typedef struct XMap
{
	const void *arr;
	int			n;
	Size		stride;
	int64		min_id;
	uint64		range;
	int		   *direct;
} XMap;

static void
xmap_build(XMap *m, const void *arr, int n, Size stride)
{
	memset(m, 0, sizeof(XMap));
	m->arr = arr;
	m->n = n;
	m->stride = stride;
	if (n > 0)
	{
		int64		lo = *(const int64 *) arr;
		int64		hi = *(const int64 *) ((const char *) arr + (Size) (n - 1) * stride);

		/* in uint64: the distance between any two bigints (as rollup.c's IdMap) */
		if ((uint64) hi - (uint64) lo < (uint64) n * 4 + 1024)
		{
			int			i;

			m->min_id = lo;
			m->range = (uint64) hi - (uint64) lo + 1;
			m->direct = palloc(sizeof(int) * m->range);
			memset(m->direct, 0xff, sizeof(int) * m->range);	/* -1 */
			for (i = 0; i < n; i++)
				m->direct[(uint64) *(const int64 *) ((const char *) arr + (Size) i * stride) -
						  (uint64) lo] = i;
		}
	}
}

static int
xmap_get(const XMap *m, int64 id)
{
	if (m->direct)
	{
		uint64		off = (uint64) id - (uint64) m->min_id;

		return off < m->range ? m->direct[off] : -1;
	}
	return find_by_id(m->arr, m->n, m->stride, id);
}

static void *
grow_array(void *arr, int n, int *cap, Size elem)
{
	if (n < *cap)
		return arr;
	*cap = Max(*cap * 2, 64);
	return arr ? repalloc(arr, elem * *cap) : palloc(elem * *cap);
}

/* A child row of a parent, or its share added to the parent's hidden sum. */
typedef struct XChildren
{
	XRow	   *rows;
	int			n;
	int			cap;
	double		hidden_share;
	double		hidden_contribution;
	bool		hidden;
} XChildren;

static void
add_child(XChildren *c, OkrAccess *acc, XKind kind, int64 id, int index, int depth,
		  RollupReason reason, double scaled_w, double counted_w, double progress)
{
	static const OkrAccessLevel levels[X_LEVELS] = {
		OKR_ACCESS_OBJECTIVE, OKR_ACCESS_KEY_RESULT, OKR_ACCESS_PROJECT
	};
	double		share = reason == RR_COUNTED ? scaled_w / counted_w : 0.0;
	XRow	   *x;

	if (okr_access_hidden(acc, levels[kind], id))
	{
		if (reason == RR_COUNTED)
		{
			c->hidden = true;
			c->hidden_share += share;
			c->hidden_contribution += share * progress;
		}
		return;
	}
	c->rows = grow_array(c->rows, c->n, &c->cap, sizeof(XRow));
	x = &c->rows[c->n++];
	memset(x, 0, sizeof(XRow));
	x->kind = kind;
	x->index = index;
	x->depth = depth;
	x->reason = reason;
	x->share = share;
	x->contribution = share * progress;
}

/*
 * The subtree of objective root in output order: depth first, an
 * objective's key results (each followed by its projects and the
 * objectives aligned to it) before its child objectives, each list in id
 * order, a parent's hidden row after its other items.  An explicit stack,
 * so the depth of the tree costs no C stack; an objective is visited once
 * (a damaged parent cycle cannot loop).
 */
static XRow *
walk(Rollup *r, OkrAccess *acc, int root, int *nrows)
{
	XRow	   *out = NULL;
	XRow	   *stack = NULL;
	int			nout = 0,
				cap_out = 0,
				nstack = 0,
				cap_stack = 0;
	bool	   *seen = palloc0(sizeof(bool) * Max(r->nobjectives, 1));
	XChildren	c;

	memset(&c, 0, sizeof(c));
	/* every item has one row at most, plus the hidden rows (few) */
	cap_out = r->nobjectives + r->nkrs + r->nprojects + 1;
	out = palloc(sizeof(XRow) * cap_out);
	stack = grow_array(stack, nstack, &cap_stack, sizeof(XRow));
	memset(&stack[0], 0, sizeof(XRow));
	stack[0].kind = X_OBJECTIVE;
	stack[0].index = root;
	stack[0].root = true;
	nstack = 1;
	seen[root] = true;

	while (nstack > 0)
	{
		XRow		x = stack[--nstack];
		int			d = x.depth + 1;
		int			i;

		CHECK_FOR_INTERRUPTS();
		out = grow_array(out, nout, &cap_out, sizeof(XRow));
		out[nout++] = x;

		c.n = 0;
		c.hidden = false;
		c.hidden_share = c.hidden_contribution = 0.0;
		if (x.kind == X_OBJECTIVE)
		{
			RObjective *o = &r->objectives[x.index];

			for (i = o->first_kr; i >= 0; i = r->krs[i].next_kr)
			{
				RKeyResult *k = &r->krs[i];

				add_child(&c, acc, X_KEY_RESULT, k->id, i, d, rollup_kr_reason(o, k),
						  k->weight / o->wmax, o->counted_w, k->progress);
			}
			for (i = o->first_child; i >= 0; i = r->objectives[i].next_sibling)
			{
				RObjective *ch = &r->objectives[i];

				if (ch->via_kr >= 0 || seen[i])
					continue;	/* under its key result */
				seen[i] = true;
				add_child(&c, acc, X_OBJECTIVE, ch->id, i, d,
						  rollup_objective_child_reason(o, ch),
						  ch->weight / o->wmax, o->counted_w, ch->progress);
			}
		}
		else if (x.kind == X_KEY_RESULT)
		{
			RKeyResult *k = &r->krs[x.index];

			for (i = k->first_project; i >= 0; i = r->projects[i].next_project)
			{
				RProject   *p = &r->projects[i];

				add_child(&c, acc, X_PROJECT, p->id, i, d, rollup_project_reason(k, p),
						  p->weight / k->wmax, k->counted_w, p->progress);
			}
			for (i = k->first_aligned; i >= 0; i = r->objectives[i].next_aligned)
			{
				RObjective *ch = &r->objectives[i];

				if (seen[i])
					continue;
				seen[i] = true;
				add_child(&c, acc, X_OBJECTIVE, ch->id, i, d, rollup_aligned_reason(k, ch),
						  ch->weight / k->wmax, k->counted_w, ch->progress);
			}
		}
		else
			continue;			/* projects and hidden rows are leaves */

		/* pushed in reverse, so that they come out in order */
		if (c.hidden)
		{
			XRow	   *h;

			stack = grow_array(stack, nstack, &cap_stack, sizeof(XRow));
			h = &stack[nstack++];
			memset(h, 0, sizeof(XRow));
			h->kind = X_HIDDEN;
			h->index = x.index;
			h->parent_kind = x.kind;
			h->depth = d;
			h->reason = RR_COUNTED;
			h->share = c.hidden_share;
			h->contribution = c.hidden_contribution;
			h->progress = c.hidden_contribution / c.hidden_share;
		}
		for (i = c.n; i-- > 0;)
		{
			stack = grow_array(stack, nstack, &cap_stack, sizeof(XRow));
			stack[nstack++] = c.rows[i];
		}
	}
	*nrows = nout;
	return out;
}

/* bigint[] of the ids of the items of one kind that are shown */
static Datum
shown_ids(XRow *rows, int nrows, XKind kind, Rollup *r, bool measured_only)
{
	Datum	   *ids = palloc(sizeof(Datum) * Max(nrows, 1));
	int			n = 0,
				i;

	for (i = 0; i < nrows; i++)
	{
		int64		id;

		if (rows[i].kind != kind)
			continue;
		if (kind == X_OBJECTIVE)
			id = r->objectives[rows[i].index].id;
		else if (kind == X_KEY_RESULT)
		{
			if (measured_only && OKR_KR_DERIVED(r->krs[rows[i].index].kind))
				continue;
			id = r->krs[rows[i].index].id;
		}
		else
			id = r->projects[rows[i].index].id;
		ids[n++] = Int64GetDatum(id);
	}
	return PointerGetDatum(construct_array(ids, n, INT8OID, sizeof(int64), true, TYPALIGN_DOUBLE));
}

/*
 * Titles (names, for projects) as they are now: the item of a moment in the
 * past that has been deleted since has its last recorded one.  Rows are
 * (kind 0/1/2, id, title).
 */
#define Q_TITLES_PROBE \
	"SELECT 0, o.id, o.title FROM unnest($1) s(id) JOIN okr.objective o ON o.id = s.id" \
	" UNION ALL SELECT 1, k.id, k.title FROM unnest($2) s(id) JOIN okr.key_result k ON k.id = s.id" \
	" UNION ALL SELECT 2, p.id, p.name FROM unnest($3) s(id) JOIN okr.project p ON p.id = s.id"
#define Q_TITLES_SCAN \
	"SELECT 0, id, title FROM okr.objective WHERE $1 IS NOT NULL" \
	" UNION ALL SELECT 1, id, title FROM okr.key_result WHERE $2 IS NOT NULL" \
	" UNION ALL SELECT 2, id, name FROM okr.project WHERE $3 IS NOT NULL"
#define Q_TITLES_GONE \
	"SELECT 0, h.id, (SELECT l.title FROM okr.objective_history l WHERE l.id = h.id AND l.title IS NOT NULL" \
	"  ORDER BY l.hid DESC LIMIT 1) FROM unnest($1) h(id)" \
	" UNION ALL SELECT 1, h.id, (SELECT l.title FROM okr.key_result_history l WHERE l.id = h.id" \
	"  AND l.title IS NOT NULL ORDER BY l.hid DESC LIMIT 1) FROM unnest($2) h(id)" \
	" UNION ALL SELECT 2, h.id, (SELECT l.name FROM okr.project_history l WHERE l.id = h.id" \
	"  AND l.name IS NOT NULL ORDER BY l.hid DESC LIMIT 1) FROM unnest($3) h(id)"

/* The titles' rows, straight from the executor into the items shown. */
typedef struct TitleScan
{
	DestReceiver pub;
	Rollup	   *r;
	XText	  **texts;
	MemoryContext cxt;
	XMap		maps[X_LEVELS];
} TitleScan;

static bool
title_row(TupleTableSlot *slot, DestReceiver *self)
{
	TitleScan  *ts = (TitleScan *) self;
	Datum	   *v;
	bool	   *n;
	int			kind,
				i;
	int64		id;
	XText	   *t;
	MemoryContext old;

	slot_getallattrs(slot);
	v = slot->tts_values;
	n = slot->tts_isnull;
	if (n[0] || n[1] || n[2])
		return true;
	kind = DatumGetInt32(v[0]);
	id = DatumGetInt64(v[1]);
	if (kind < 0 || kind >= X_LEVELS)
		return true;
	i = xmap_get(&ts->maps[kind], id);
	if (i < 0)
		return true;
	t = &ts->texts[kind][i];
	if (!t->shown || t->found)
		return true;
	old = MemoryContextSwitchTo(ts->cxt);
	t->title = datumCopy(v[2], false, -1);
	MemoryContextSwitchTo(old);
	t->found = true;
	return true;
}

static void
title_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	static const Oid types[3] = {INT4OID, INT8OID, TEXTOID};
	int			i;

	/* the datums are taken as these types: okr's owner may have altered a column */
	for (i = 0; i < 3; i++)
		if (i >= typeinfo->natts || TupleDescAttr(typeinfo, i)->atttypid != types[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("okr cannot read the titles of okr.objective, okr.key_result and okr.project: a column has another type than CREATE EXTENSION gave it"),
					 errhint("Alter the column back.")));
}

static void
receiver_noop(DestReceiver *self)
{
}

/* Run a query of okr.explain into receiver rr, with params (types argtypes). */
static void
run_into(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes, const Datum *values,
		 DestReceiver *rr)
{
	ParamListInfo params = makeParamList(nargs);
	SPIExecuteOptions options;
	int			i,
				rc;

	for (i = 0; i < nargs; i++)
	{
		params->params[i].value = values[i];
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = argtypes[i];
	}
	params->numParams = nargs;
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;	/* the caller's snapshot, as the rollup's */
	options.dest = rr;
	rc = SPI_execute_plan_extended(okr_spi_plan(plan, sql, nargs, argtypes), &options);
	/* SPI reports a SELECT into a receiver of its own as SPI_OK_UTILITY */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "okr: explain query failed: %s", SPI_result_code_string(rc));
}

static void
run_titles(SPIPlanPtr *plan, const char *sql, Datum *ids, Rollup *r, XText **texts,
		   MemoryContext cxt)
{
	Oid			argtypes[3] = {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID};
	TitleScan	ts;

	memset(&ts, 0, sizeof(ts));
	ts.pub.receiveSlot = title_row;
	ts.pub.rStartup = title_startup;
	ts.pub.rShutdown = receiver_noop;
	ts.pub.rDestroy = receiver_noop;
	ts.pub.mydest = DestNone;
	ts.r = r;
	ts.texts = texts;
	ts.cxt = cxt;				/* the receiver copies the titles it keeps there */
	xmap_build(&ts.maps[X_OBJECTIVE], r->objectives, r->nobjectives, sizeof(RObjective));
	xmap_build(&ts.maps[X_KEY_RESULT], r->krs, r->nkrs, sizeof(RKeyResult));
	xmap_build(&ts.maps[X_PROJECT], r->projects, r->nprojects, sizeof(RProject));
	run_into(plan, sql, 3, argtypes, ids, (DestReceiver *) &ts);
}

static void
load_titles(Rollup *r, XRow *rows, int nrows, XText **texts, MemoryContext cxt)
{
	static SPIPlanPtr probe_plan = NULL,
				scan_plan = NULL,
				gone_plan = NULL;
	Datum		ids[3];
	Datum	   *gone[3];
	int			ngone[3] = {0, 0, 0};
	int			n[3] = {r->nobjectives, r->nkrs, r->nprojects};
	int			k,
				i;
	bool		any_gone = false;

	for (i = 0; i < nrows; i++)
		if (rows[i].kind != X_HIDDEN)
			texts[rows[i].kind][rows[i].index].shown = true;
	if (nrows <= X_PROBE_MAX)
	{
		for (k = 0; k < X_LEVELS; k++)
			ids[k] = shown_ids(rows, nrows, (XKind) k, r, false);
		run_titles(&probe_plan, Q_TITLES_PROBE, ids, r, texts, cxt);
	}
	else
	{
		/* (the scan takes every row and keeps those shown) */
		for (k = 0; k < X_LEVELS; k++)
			ids[k] = PointerGetDatum(construct_empty_array(INT8OID));
		run_titles(&scan_plan, Q_TITLES_SCAN, ids, r, texts, cxt);
	}

	/* rows of the past that are gone now */
	for (k = 0; k < X_LEVELS; k++)
	{
		gone[k] = palloc(sizeof(Datum) * Max(n[k], 1));
		for (i = 0; i < n[k]; i++)
			if (texts[k][i].shown && !texts[k][i].found)
			{
				int64		id = k == X_OBJECTIVE ? r->objectives[i].id :
					k == X_KEY_RESULT ? r->krs[i].id : r->projects[i].id;

				gone[k][ngone[k]++] = Int64GetDatum(id);
				any_gone = true;
			}
	}
	if (!any_gone)
		return;
	for (k = 0; k < X_LEVELS; k++)
		ids[k] = PointerGetDatum(construct_array(gone[k], ngone[k], INT8OID, sizeof(int64),
												 true, TYPALIGN_DOUBLE));
	run_titles(&gone_plan, Q_TITLES_GONE, ids, r, texts, cxt);
}

/*
 * The check-in a key result's value at T comes from: its latest check-in
 * dated by T (then the highest id), as the rollup takes its value.  As
 * known now that is okr.checkin: one probe of checkin_latest_idx per key
 * result, or, for many, one scan of the check-ins dated by T kept in
 * memory (CheckinScan).  As known at K, among the check-ins' versions in
 * force at K (check-ins carry their own time: SPEC 7, doc/history.md),
 * those recorded or changed since K read from okr.checkin_history.  $1 the
 * key results, $2 T, $3 K.  Rows are (key result, check-in, value, at,
 * author).
 */
#define Q_CHECKIN_NOW \
	"SELECT s.id, c.id, c.value, c.checked_at, c.author FROM unnest($1) s(id)" \
	" CROSS JOIN LATERAL (SELECT c.id, c.value, c.checked_at, c.author FROM okr.checkin c" \
	"  WHERE c.key_result_id = s.id AND c.checked_at <= $2" \
	"  ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) c WHERE $3 IS NOT NULL"
/*
 * The scan: every check-in, its columns in the table's order so that the
 * rows reach the receiver without a projection; the receiver drops those
 * dated after T (cheaper in C than as a qual).
 */
#define Q_CHECKIN_SCAN \
	"SELECT id, key_result_id, value, confidence, note, checked_at, author FROM okr.checkin"
#define Q_CHECKIN_KNOWN \
	"WITH cch AS (SELECT DISTINCT h.id FROM okr.checkin_history h WHERE h.recorded_at > $3)," \
	" cv AS (SELECT DISTINCT ON (h.id) h.id, h.key_result_id, h.value, h.checked_at, h.author," \
	"  pg_catalog.bool_or(h.action = 'delete') OVER (PARTITION BY h.id) AS gone" \
	"  FROM cch JOIN okr.checkin_history h ON h.id = cch.id AND h.recorded_at <= $3" \
	"  ORDER BY h.id, h.hid DESC)," \
	" rows AS (SELECT c.id, c.key_result_id, c.value, c.checked_at, c.author FROM okr.checkin c" \
	"  WHERE c.key_result_id = ANY ($1) AND c.checked_at <= $2" \
	"  AND NOT EXISTS (SELECT FROM cch WHERE cch.id = c.id)" \
	"  UNION ALL SELECT v.id, v.key_result_id, v.value, v.checked_at, v.author FROM cv v" \
	"  WHERE NOT v.gone AND v.key_result_id = ANY ($1) AND v.checked_at <= $2" \
	"  AND ((SELECT true FROM okr.checkin e WHERE e.id = v.id) IS NOT NULL" \
	"   OR (SELECT true FROM okr.checkin_history d WHERE d.id = v.id" \
	"    AND d.action = 'delete' AND d.recorded_at > $3 LIMIT 1) IS NOT NULL))" \
	" SELECT DISTINCT ON (w.key_result_id) w.key_result_id, w.id, w.value, w.checked_at, w.author" \
	" FROM rows w ORDER BY w.key_result_id, w.checked_at DESC, w.id DESC"

/* Keep check-in (id, at, value, author) for key result i if it is later. */
static void
keep_checkin(XCheckin *c, int64 id, TimestampTz at, Datum value, bool value_null,
			 Datum author, bool author_null, bool copy)
{
	if (c->found && (at < c->at || (at == c->at && id < c->id)))
		return;
	if (copy)
	{
		if (c->found && c->value != (Datum) 0)
			pfree(DatumGetPointer(c->value));
		if (c->found && c->author != (Datum) 0)
			pfree(DatumGetPointer(c->author));
	}
	c->found = true;
	c->id = id;
	c->at = at;
	c->value = value_null ? (Datum) 0 : copy ? datumCopy(value, false, -1) : value;
	c->author = author_null ? (Datum) 0 : copy ? datumCopy(author, false, -1) : author;
}

/*
 * The scan's rows, straight from the executor: the latest of each key
 * result wins.  With the rollup's last_checkin_at (Rollup.explain_loaded;
 * maintained with current_value, the value the rollup took), only the
 * check-ins dated exactly then are candidates, so that the few winners are
 * copied rather than every later row in heap order; a check-in that
 * contradicts it (dated by T, later, or with none maintained) marks the key
 * result stale, to be probed afterwards, so the result never depends on the
 * maintained column being right.
 */
typedef struct CheckinScan
{
	DestReceiver pub;
	Rollup	   *r;
	XCheckin   *checkins;
	/*
	 * What the scan looks for, per key result (its index): its
	 * last_checkin_at, or one of the marks below; 8 bytes each, so that the
	 * rows that are not candidates touch little memory.
	 */
	TimestampTz *keys;
	MemoryContext cxt;
	XMap		map;
} CheckinScan;

#define KEY_SKIP		PG_INT64_MIN	/* not wanted */
#define KEY_NONE		(PG_INT64_MIN + 1)	/* trusted, none maintained */
#define KEY_ANY			PG_INT64_MAX	/* not trusted: the latest row wins */

/* the columns of Q_CHECKIN_SCAN that are read */
enum
{
	CS_ID = 0, CS_KEY_RESULT = 1, CS_VALUE = 2, CS_AT = 5, CS_AUTHOR = 6, CS_NCOLUMNS = 7
};

static bool
checkin_scan_row(TupleTableSlot *slot, DestReceiver *self)
{
	CheckinScan *cs = (CheckinScan *) self;
	Datum	   *v;
	bool	   *n;
	int			i;
	TimestampTz at,
				key;
	MemoryContext old;

	/* the author only for a candidate */
	slot_getsomeattrs(slot, CS_AT + 1);
	v = slot->tts_values;
	n = slot->tts_isnull;
	if (n[CS_ID] || n[CS_KEY_RESULT] || n[CS_AT])
		return true;
	at = DatumGetTimestampTz(v[CS_AT]);
	if (at > cs->r->as_of)
		return true;
	i = xmap_get(&cs->map, DatumGetInt64(v[CS_KEY_RESULT]));
	if (i < 0)
		return true;
	key = cs->keys[i];
	if (key != at)
	{
		if (key == KEY_SKIP)
			return true;
		if (key != KEY_ANY)
		{
			/* (KEY_NONE is below any check-in's time) */
			if (at > key)
				cs->checkins[i].stale = true;
			return true;
		}
	}
	slot_getsomeattrs(slot, CS_NCOLUMNS);
	old = MemoryContextSwitchTo(cs->cxt);
	keep_checkin(&cs->checkins[i], DatumGetInt64(v[CS_ID]), at, v[CS_VALUE], n[CS_VALUE],
				 v[CS_AUTHOR], n[CS_AUTHOR], true);
	MemoryContextSwitchTo(old);
	return true;
}

static void
checkin_scan_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	static const struct
	{
		int			column;
		Oid			type;
	}			cols[] = {
		{CS_ID, INT8OID}, {CS_KEY_RESULT, INT8OID}, {CS_VALUE, NUMERICOID},
		{CS_AT, TIMESTAMPTZOID}, {CS_AUTHOR, TEXTOID}
	};
	int			i;

	/* the datums are taken as these types: okr's owner may have altered a column */
	for (i = 0; i < (int) lengthof(cols); i++)
		if (typeinfo->natts != CS_NCOLUMNS ||
			TupleDescAttr(typeinfo, cols[i].column)->atttypid != cols[i].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("okr cannot read okr.checkin: a column has another type than CREATE EXTENSION gave it"),
					 errhint("Alter the column back.")));
}

/*
 * The check-ins of the key results ids (a bigint[]) by probes, or as known
 * at K (Q_CHECKIN_NOW, Q_CHECKIN_KNOWN); the datums kept point into SPI's
 * result, which outlives the output.
 */
static void
probe_checkins(Rollup *r, Datum ids, XCheckin *checkins)
{
	static SPIPlanPtr now_plan = NULL,
				known_plan = NULL;
	Oid			argtypes[3] = {INT8ARRAYOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[3];
	bool		known = r->known_at != DT_NOEND;
	uint64		j;

	values[0] = ids;
	values[1] = TimestampTzGetDatum(r->as_of);
	values[2] = TimestampTzGetDatum(r->known_at);
	if (SPI_execute_plan(okr_spi_plan(known ? &known_plan : &now_plan,
									  known ? Q_CHECKIN_KNOWN : Q_CHECKIN_NOW, 3, argtypes),
						 values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the check-ins failed");
	for (j = 0; j < SPI_processed; j++)
	{
		HeapTuple	tup = SPI_tuptable->vals[j];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull,
					value_null,
					author_null;
		int			i = find_by_id(r->krs, r->nkrs, sizeof(RKeyResult),
								   DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull)));
		int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
		Datum		value = SPI_getbinval(tup, desc, 3, &value_null);
		TimestampTz at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 4, &isnull));
		Datum		author = SPI_getbinval(tup, desc, 5, &author_null);

		if (i >= 0 && checkins[i].wanted)
			keep_checkin(&checkins[i], id, at, value, value_null, author, author_null, false);
	}
}

static void
load_checkins(Rollup *r, XRow *rows, int nrows, XCheckin *checkins, MemoryContext cxt)
{
	static SPIPlanPtr scan_plan = NULL;
	bool		known = r->known_at != DT_NOEND;
	int			nwanted,
				nstale;
	int			j;
	Datum	   *stale;
	CheckinScan cs;
	SPIExecuteOptions options;
	int			rc;

	nwanted = 0;
	for (j = 0; j < nrows; j++)
		if (rows[j].kind == X_KEY_RESULT && !OKR_KR_DERIVED(r->krs[rows[j].index].kind))
		{
			checkins[rows[j].index].wanted = true;
			nwanted++;
		}
	if (nwanted == 0)
		return;
	if (known || nwanted <= X_PROBE_MAX)
	{
		probe_checkins(r, shown_ids(rows, nrows, X_KEY_RESULT, r, true), checkins);
		return;
	}

	/*
	 * (the scan takes every check-in and keeps those wanted).  A key
	 * result's value at T is its current_value when its last_checkin_at is
	 * not after T (Q_KRS): its check-in is then the latest dated exactly at
	 * last_checkin_at, unless that column is wrong, which a check-in dated
	 * later, or none at that moment, shows.
	 */
	memset(&cs, 0, sizeof(cs));
	cs.keys = palloc(sizeof(TimestampTz) * Max(r->nkrs, 1));
	for (j = 0; j < r->nkrs; j++)
	{
		const RKeyResult *k = &r->krs[j];

		cs.keys[j] = !checkins[j].wanted ? KEY_SKIP :
			!r->explain_loaded ? KEY_ANY :
			k->last_checkin_null ? KEY_NONE :
			k->last_checkin_at <= r->as_of && k->last_checkin_at > KEY_NONE ? k->last_checkin_at :
			KEY_ANY;
	}
	cs.pub.receiveSlot = checkin_scan_row;
	cs.pub.rStartup = checkin_scan_startup;
	cs.pub.rShutdown = receiver_noop;
	cs.pub.rDestroy = receiver_noop;
	cs.pub.mydest = DestNone;
	cs.r = r;
	cs.checkins = checkins;
	cs.cxt = cxt;
	xmap_build(&cs.map, r->krs, r->nkrs, sizeof(RKeyResult));
	memset(&options, 0, sizeof(options));
	options.read_only = true;	/* the caller's snapshot, as the rollup's */
	options.dest = (DestReceiver *) &cs;
	rc = SPI_execute_plan_extended(okr_spi_plan(&scan_plan, Q_CHECKIN_SCAN, 0, NULL), &options);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "okr: explain query failed: %s", SPI_result_code_string(rc));

	/* the key results whose last_checkin_at the scan did not bear out: probed */
	stale = palloc(sizeof(Datum) * Max(r->nkrs, 1));
	nstale = 0;
	for (j = 0; j < r->nkrs; j++)
	{
		XCheckin   *c = &checkins[j];
		TimestampTz key = cs.keys[j];

		if (key != KEY_SKIP && key != KEY_ANY && (c->stale || (!c->found && key != KEY_NONE)))
		{
			c->found = false;
			stale[nstale++] = Int64GetDatum(r->krs[j].id);
		}
	}
	if (nstale > 0)
		probe_checkins(r, PointerGetDatum(construct_array(stale, nstale, INT8OID, sizeof(int64),
														  true, TYPALIGN_DOUBLE)), checkins);
}

/*
 * The output rows, formed here rather than by tuplestore_putvalues: at
 * scale L okr.explain writes 111,110 rows of 19 columns, and the generic
 * heap_form_minimal_tuple walks the descriptor twice a row, calling out
 * for every column (a sixth of the call).  One pass over the columns'
 * lengths and alignments, kept from the descriptor, writes the same bytes
 * heap_fill_tuple writes (access/common/heaptuple.c: the null bitmap, the
 * zeroed padding that readers rely on, varlenas packed to a 1-byte header
 * when they fit), into a scratch buffer that the tuplestore copies.  A row
 * with a TOAST pointer or an expanded datum, or a descriptor with a column
 * of another kind, goes the generic way.
 */
typedef struct XForm
{
	Tuplestorestate *store;
	TupleDesc	desc;
	TupleTableSlot *slot;		/* NULL: always the generic way */
	char	   *buf;			/* MAXALIGNed scratch */
	Size		cap;
	Size		fixed;			/* room for every fixed-width column, padded */
	int16		len[XC_NCOLUMNS];
	char		align[XC_NCOLUMNS];
	bool		packable[XC_NCOLUMNS];
} XForm;

static void
xform_init(XForm *xf, ReturnSetInfo *rsinfo)
{
	TupleDesc	desc = rsinfo->setDesc;
	int			i;

	memset(xf, 0, sizeof(XForm));
	xf->store = rsinfo->setResult;
	xf->desc = desc;
	if (desc->natts != XC_NCOLUMNS)
		return;
	xf->fixed = MAXALIGN(SizeofMinimalTupleHeader + BITMAPLEN(XC_NCOLUMNS));
	for (i = 0; i < XC_NCOLUMNS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped ||
			!(att->attlen == -1 || (att->attbyval && (att->attlen == 1 || att->attlen == 2 ||
													 att->attlen == 4 || att->attlen == 8))))
			return;
		xf->len[i] = att->attlen;
		xf->align[i] = att->attalign;
		xf->packable[i] = att->attstorage != TYPSTORAGE_PLAIN;
		xf->fixed += att->attlen > 0 ? att->attlen + MAXIMUM_ALIGNOF : MAXIMUM_ALIGNOF;
	}
	xf->cap = Max(1024, 2 * xf->fixed);
	xf->buf = palloc(xf->cap);
	xf->slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
}

/*
 * Data offset off aligned as att_align_nominal aligns a pointer (the data
 * start is MAXALIGNed), the padding zeroed.
 */
static inline Size
xform_align(char *data, Size off, char align)
{
	Size		to;

	switch (align)
	{
		case TYPALIGN_INT:
			to = INTALIGN(off);
			break;
		case TYPALIGN_CHAR:
			return off;
		case TYPALIGN_DOUBLE:
			to = DOUBLEALIGN(off);
			break;
		default:
			to = SHORTALIGN(off);
			break;
	}
	while (off < to)
		data[off++] = 0;
	return to;
}

static void
put_tuple(XForm *xf, Datum *values, bool *nulls)
{
	MinimalTuple tuple;
	char	   *data;
	Size		hoff,
				off;
	uint16		infomask = 0;
	bool		hasnull = false;
	int			i;

	if (!xf->slot)
	{
		tuplestore_putvalues(xf->store, xf->desc, values, nulls);
		return;
	}
	for (i = 0; i < XC_NCOLUMNS; i++)
		hasnull |= nulls[i];
	hoff = MAXALIGN(SizeofMinimalTupleHeader + (hasnull ? BITMAPLEN(XC_NCOLUMNS) : 0));
	memset(xf->buf, 0, hoff);
	tuple = (MinimalTuple) xf->buf;
	data = xf->buf + hoff;
	off = 0;
	for (i = 0; i < XC_NCOLUMNS; i++)
	{
		if (nulls[i])
			continue;
		if (hasnull)
			tuple->t_bits[i >> 3] |= 1 << (i & 7);
		if (xf->len[i] > 0)
		{
			/* (xf->cap keeps room for all fixed-width columns past any offset) */
			off = xform_align(data, off, xf->align[i]);
			store_att_byval(data + off, values[i], xf->len[i]);
			off += xf->len[i];
		}
		else
		{
			Pointer		val = DatumGetPointer(values[i]);
			Size		len;

			if (VARATT_IS_EXTERNAL(val))
			{
				tuplestore_putvalues(xf->store, xf->desc, values, nulls);
				return;
			}
			len = VARSIZE_ANY(val);
			if (hoff + off + len + xf->fixed > xf->cap)
			{
				xf->cap = Max(hoff + off + len + xf->fixed, xf->cap * 2);
				xf->buf = repalloc(xf->buf, xf->cap);
				tuple = (MinimalTuple) xf->buf;
				data = xf->buf + hoff;
			}
			infomask |= HEAP_HASVARWIDTH;
			if (VARATT_IS_SHORT(val))
			{
				memcpy(data + off, val, len);
				off += len;
			}
			else if (xf->packable[i] && VARATT_CAN_MAKE_SHORT(val))
			{
				len = VARATT_CONVERTED_SHORT_SIZE(val);
				SET_VARSIZE_SHORT(data + off, len);
				memcpy(data + off + 1, VARDATA(val), len - 1);
				off += len;
			}
			else
			{
				off = xform_align(data, off, xf->align[i]);
				memcpy(data + off, val, len);
				off += len;
			}
		}
	}
	if (hasnull)
		infomask |= HEAP_HASNULL;
	tuple->t_len = hoff + off;
	HeapTupleHeaderSetNatts(tuple, XC_NCOLUMNS);
	tuple->t_infomask = infomask;
	tuple->t_hoff = hoff + MINIMAL_TUPLE_OFFSET;
	ExecStoreMinimalTuple(tuple, xf->slot, false);
	tuplestore_puttupleslot(xf->store, xf->slot);
}

/* One output row; texts NULL: the titles are the rollup's (Rollup.explain_loaded). */
static void
put_explain_row(XForm *xf, Rollup *r, XRow *x, XText **texts, XCheckin *checkins,
				TextCache *tc)
{
	Datum		values[XC_NCOLUMNS];
	bool		nulls[XC_NCOLUMNS];
	ItemFigures f;
	RState		state = RS_ACTIVE;
	double		weight = 0.0;
	bool		counted = x->reason == RR_COUNTED;

	memset(values, 0, sizeof(values));
	memset(nulls, true, sizeof(nulls));
	values[XC_DEPTH] = Int32GetDatum(x->depth);
	nulls[XC_DEPTH] = false;

	if (x->kind == X_HIDDEN)
	{
		values[XC_ITEM] = okr_rollup_text(tc, "hidden");
		nulls[XC_ITEM] = false;
		values[XC_PARENT_ITEM] = okr_rollup_text(tc, x->parent_kind == X_OBJECTIVE ?
										 "objective" : "key_result");
		nulls[XC_PARENT_ITEM] = false;
		values[XC_PARENT_ID] = Int64GetDatum(x->parent_kind == X_OBJECTIVE ?
											 r->objectives[x->index].id : r->krs[x->index].id);
		nulls[XC_PARENT_ID] = false;
		values[XC_SHARE] = Float8GetDatum(x->share);
		nulls[XC_SHARE] = false;
		values[XC_PROGRESS] = Float8GetDatum(x->progress);
		nulls[XC_PROGRESS] = false;
		values[XC_CONTRIBUTION] = Float8GetDatum(x->contribution);
		nulls[XC_CONTRIBUTION] = false;
		values[XC_COUNTED] = BoolGetDatum(true);
		nulls[XC_COUNTED] = false;
		put_tuple(xf, values, nulls);
		return;
	}

	if (x->kind == X_OBJECTIVE)
	{
		okr_rollup_objective_figures(r, x->index, &f);
		state = r->objectives[x->index].state;
		weight = r->objectives[x->index].weight;
	}
	else if (x->kind == X_KEY_RESULT)
	{
		XCheckin   *c = &checkins[x->index];

		okr_rollup_kr_figures(r, x->index, &f);
		state = r->krs[x->index].state;
		weight = r->krs[x->index].weight;
		if (c->found)
		{
			values[XC_VALUE] = c->value;
			nulls[XC_VALUE] = c->value == (Datum) 0;
			values[XC_CHECKIN_ID] = Int64GetDatum(c->id);
			nulls[XC_CHECKIN_ID] = false;
			values[XC_CHECKIN_AT] = TimestampTzGetDatum(c->at);
			nulls[XC_CHECKIN_AT] = false;
			values[XC_CHECKIN_BY] = c->author;
			nulls[XC_CHECKIN_BY] = c->author == (Datum) 0;
		}
	}
	else
	{
		RProject   *p = &r->projects[x->index];

		okr_rollup_project_figures(r, x->index, &f);
		state = p->state;
		weight = p->weight;
		values[XC_EFFORT_DONE] = Float8GetDatum(p->done_effort);
		nulls[XC_EFFORT_DONE] = false;
		values[XC_EFFORT_TOTAL] = Float8GetDatum(p->total_effort);
		nulls[XC_EFFORT_TOTAL] = false;
	}

	values[XC_ITEM] = okr_rollup_text(tc, f.item);
	nulls[XC_ITEM] = false;
	values[XC_ID] = Int64GetDatum(f.id);
	nulls[XC_ID] = false;
	if (f.parent_item)
	{
		values[XC_PARENT_ITEM] = okr_rollup_text(tc, f.parent_item);
		nulls[XC_PARENT_ITEM] = false;
		values[XC_PARENT_ID] = Int64GetDatum(f.parent_id);
		nulls[XC_PARENT_ID] = false;
	}
	if (!texts)
	{
		/* the rollup's scans brought them (Rollup.explain_loaded) */
		Datum		title = x->kind == X_OBJECTIVE ? r->objectives[x->index].title :
			x->kind == X_KEY_RESULT ? r->krs[x->index].title : r->projects[x->index].title;

		values[XC_TITLE] = title;
		nulls[XC_TITLE] = title == (Datum) 0;
	}
	else if (texts[x->kind][x->index].found)
	{
		values[XC_TITLE] = texts[x->kind][x->index].title;
		nulls[XC_TITLE] = false;
	}
	if (f.status)
	{
		values[XC_STATUS] = okr_rollup_text(tc, f.status);
		nulls[XC_STATUS] = false;
	}
	values[XC_WEIGHT] = Float8GetDatum(weight);
	nulls[XC_WEIGHT] = false;
	values[XC_PROGRESS] = Float8GetDatum(f.progress);
	nulls[XC_PROGRESS] = f.progress_null;
	if (!x->root)
	{
		values[XC_COUNTED] = BoolGetDatum(counted);
		nulls[XC_COUNTED] = false;
		if (counted)
		{
			values[XC_SHARE] = Float8GetDatum(x->share);
			nulls[XC_SHARE] = false;
			values[XC_CONTRIBUTION] = Float8GetDatum(x->contribution);
			nulls[XC_CONTRIBUTION] = false;
		}
		else
		{
			values[XC_REASON] = okr_rollup_text(tc, reason_text(x->reason, state));
			nulls[XC_REASON] = false;
		}
	}
	put_tuple(xf, values, nulls);
}

/*
 * okr.explain(objective_id, as_of, known_at): NULL objective_id or as_of
 * gives no rows; known_at NULL is as known now.  The rows are written
 * before leaving SPI: titles and check-ins point into its results.
 */
Datum
okr_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work,
				old;
	OkrSpiState st;
	OkrAccess  *acc;
	Rollup		r;
	XRow	   *rows;
	XText	   *texts[X_LEVELS];
	XText	  **shown_texts = NULL;
	XCheckin   *checkins;
	TextCache	tc;
	XForm		xf;
	bool		known_null;
	int			root,
				nrows,
				i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return (Datum) 0;
	known_null = PG_NARGS() < 3 || PG_ARGISNULL(2);

	work = AllocSetContextCreate(CurrentMemoryContext, "okr explain",
								 ALLOCSET_DEFAULT_SIZES);
	memset(&r, 0, sizeof(r));
	memset(&tc, 0, sizeof(tc));
	r.explain = true;
	okr_access_require_select();
	acc = okr_access_read(work);
	okr_spi_enter(&st, okr_access_owner());
	root = okr_rollup_objective(&r, work, acc, PG_GETARG_INT64(0), PG_GETARG_TIMESTAMPTZ(1),
								known_null, known_null ? 0 : PG_GETARG_TIMESTAMPTZ(2));

	old = MemoryContextSwitchTo(work);
	rows = walk(&r, acc, root, &nrows);
	if (!r.explain_loaded)
	{
		texts[X_OBJECTIVE] = palloc0(sizeof(XText) * Max(r.nobjectives, 1));
		texts[X_KEY_RESULT] = palloc0(sizeof(XText) * Max(r.nkrs, 1));
		texts[X_PROJECT] = palloc0(sizeof(XText) * Max(r.nprojects, 1));
		shown_texts = texts;
	}
	checkins = palloc0(sizeof(XCheckin) * Max(r.nkrs, 1));
	MemoryContextSwitchTo(old);
	if (shown_texts)
		load_titles(&r, rows, nrows, shown_texts, work);
	load_checkins(&r, rows, nrows, checkins, work);

	old = MemoryContextSwitchTo(work);
	xform_init(&xf, rsinfo);
	for (i = 0; i < nrows; i++)
		put_explain_row(&xf, &r, &rows[i], shown_texts, checkins, &tc);
	if (xf.slot)
		ExecDropSingleTupleTableSlot(xf.slot);
	MemoryContextSwitchTo(old);
	okr_spi_leave(&st);
	MemoryContextDelete(work);
	return (Datum) 0;
}
