/*
 * changes.c
 *	  okr.changes(from_ts, to_ts): what changed between two moments (SPEC 8,
 *	  doc/analysts.md "What changed since last week?").
 *
 * Both sides are the rollup's (rollup.h), as okr.progress(from_ts) and
 * okr.progress(to_ts) would give them at okr.known_at(): to_ts is rolled up
 * first, then from_ts from its rows (okr_rollup_at_from: only the rows
 * changed since M(from_ts), and the key results checked in since, are read
 * again), as the owner, and access by team leaves out of both what the
 * caller may not read, as okr.progress does.  The two are compared in C,
 * by id.  The definitions, check-ins, tasks and titles are read as the
 * caller (SECURITY INVOKER), so their row-level security applies: a reader
 * sees no title, version, check-in or task it could not select itself.
 *
 * A row's version at a moment T as known at K follows rollup.c exactly:
 * the one in force at M = least(T, K) (the latest recorded by M or, when
 * it was first recorded after M, the last version of its first
 * transaction: first versions reach back), unless T and K are both at or
 * after the start of the transaction, where the rollup reads today's
 * tables ('infinity' below: that side's versions are all in the history
 * already, but for this transaction's own, not recorded yet).  Only rows
 * with a version recorded after M(from_ts) can differ, so only those are
 * read from the history.
 *
 * A row is returned when it was created, its definition changed (changed
 * names the columns, in the fixed order of Q_DEFS), its progress or status
 * moved, or it got check-ins (key results) or finished tasks (projects)
 * dated in (from_ts, to_ts]; a row deleted in the interval is returned with
 * no figures (as known at K it never was).  Ordered by item (objective,
 * key_result, project), then id.
 */
#include "okr.h"
#include "rollup.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(okr_changes);

/* the three items, in the order of the output */
#define N_ITEMS 3
static const char *const item_names[N_ITEMS] = {"objective", "key_result", "project"};

/*
 * The definitions ($1 M(from_ts), $2 M(to_ts), $3 K or 'infinity'): every
 * version known at K of the rows with a version recorded after M(from_ts),
 * the definition columns in a fixed order (jsonb compares numbers by value:
 * 10 = 10.0); per row its first moment, its delete, and its versions in
 * force at both M (the rule of rollup.c's H_VERSIONS), one pass.  Rows:
 * item number, id, title at M(to_ts), created, deleted, changed columns.
 * The versions are read by id from <t>_history_id_idx (LATERAL, OFFSET 0):
 * a semi-join hashed the changed ids and scanned the whole history.
 */
#define Q_DEFS \
	"WITH hv AS (" \
	" SELECT 0 AS item, h.id, h.hid, h.recorded_at, h.action, h.title AS name," \
	"  pg_catalog.jsonb_build_array(h.cycle_id, h.parent_id, h.team_id, h.title, h.owner, h.kind," \
	"   h.weight, h.rollup, h.state, h.parent_key_result_id, h.private) AS def" \
	"  FROM (SELECT DISTINCT c.id FROM okr.objective_history c WHERE $1 < 'infinity' AND c.recorded_at > $1) ch" \
	"  CROSS JOIN LATERAL (SELECT * FROM okr.objective_history h WHERE h.id = ch.id AND h.recorded_at <= $3 OFFSET 0) h" \
	" UNION ALL" \
	" SELECT 1, h.id, h.hid, h.recorded_at, h.action, h.title," \
	"  pg_catalog.jsonb_build_array(h.objective_id, h.title, h.owner, h.kind, h.start_value," \
	"   h.target_value, h.unit, h.weight, h.state)" \
	"  FROM (SELECT DISTINCT c.id FROM okr.key_result_history c WHERE $1 < 'infinity' AND c.recorded_at > $1) ch" \
	"  CROSS JOIN LATERAL (SELECT * FROM okr.key_result_history h WHERE h.id = ch.id AND h.recorded_at <= $3 OFFSET 0) h" \
	" UNION ALL" \
	" SELECT 2, h.id, h.hid, h.recorded_at, h.action, h.name," \
	"  pg_catalog.jsonb_build_array(h.key_result_id, h.name, h.owner, h.weight, h.state)" \
	"  FROM (SELECT DISTINCT c.id FROM okr.project_history c WHERE $1 < 'infinity' AND c.recorded_at > $1) ch" \
	"  CROSS JOIN LATERAL (SELECT * FROM okr.project_history h WHERE h.id = ch.id AND h.recorded_at <= $3 OFFSET 0) h)," \
	" cols (item, names) AS (VALUES" \
	"  (0, ARRAY['cycle_id', 'parent_id', 'team_id', 'title', 'owner', 'kind', 'weight'," \
	"           'rollup', 'state', 'parent_key_result_id', 'private'])," \
	"  (1, ARRAY['objective_id', 'title', 'owner', 'kind', 'start_value', 'target_value'," \
	"           'unit', 'weight', 'state'])," \
	"  (2, ARRAY['key_result_id', 'name', 'owner', 'weight', 'state']))," \
	" hs AS (SELECT hv.item, hv.id, min(hv.recorded_at) AS first_at," \
	"  max(hv.recorded_at) FILTER (WHERE hv.action = 'delete') AS deleted_at," \
	"  (array_agg(hv.def ORDER BY (hv.recorded_at <= $1) DESC," \
	"   CASE WHEN hv.recorded_at <= $1 THEN hv.hid END DESC, hv.recorded_at, hv.hid DESC))[1] AS def0," \
	"  (array_agg(hv.def ORDER BY (hv.recorded_at <= $2) DESC," \
	"   CASE WHEN hv.recorded_at <= $2 THEN hv.hid END DESC, hv.recorded_at, hv.hid DESC))[1] AS def1," \
	"  (array_agg(hv.name ORDER BY (hv.recorded_at <= $2) DESC," \
	"   CASE WHEN hv.recorded_at <= $2 THEN hv.hid END DESC, hv.recorded_at, hv.hid DESC))[1] AS name" \
	"  FROM hv GROUP BY hv.item, hv.id)" \
	" SELECT hs.item, hs.id, hs.name," \
	"  COALESCE(hs.first_at > $1 AND hs.first_at <= $2, false)," \
	"  COALESCE(hs.deleted_at > $1 AND hs.deleted_at <= $2, false)," \
	"  ARRAY(SELECT n.col FROM pg_catalog.unnest(cols.names) WITH ORDINALITY n(col, i)" \
	"   WHERE (hs.def0 OPERATOR(pg_catalog.->) (n.i::integer - 1))" \
	"    IS DISTINCT FROM (hs.def1 OPERATOR(pg_catalog.->) (n.i::integer - 1))" \
	"   ORDER BY n.i)" \
	" FROM hs JOIN cols ON cols.item = hs.item" \
	" ORDER BY hs.item, hs.id"

/*
 * Check-ins dated in ($1 from_ts, $2 to_ts], as known at K ($3: K is set,
 * $4 K or 'infinity'): each at its version in force at K (check-ins carry
 * their own time), none deleted by K; those with no version after K as
 * they are now.  Per key result, by id.  ($3 makes the plan skip the
 * history when K is not set.)
 */
#define Q_CHECKINS_OF(which) \
	"WITH cch AS (SELECT DISTINCT h.id FROM okr.checkin_history h WHERE $3 AND h.recorded_at > $4)," \
	" cv AS (SELECT DISTINCT ON (h.id) h.id, h.key_result_id, h.checked_at," \
	"   pg_catalog.bool_or(h.action = 'delete') OVER (PARTITION BY h.id) AS gone" \
	"  FROM cch JOIN okr.checkin_history h ON h.id = cch.id AND h.recorded_at <= $4" \
	"  ORDER BY h.id, h.hid DESC)" \
	" SELECT x.key_result_id, count(*)" \
	" FROM (SELECT c.key_result_id FROM okr.checkin c" \
	"   WHERE " which " c.checked_at > $1 AND c.checked_at <= $2" \
	"   AND NOT EXISTS (SELECT FROM cch WHERE cch.id = c.id)" \
	"  UNION ALL" \
	"  SELECT cv.key_result_id FROM cv" \
	"   WHERE NOT cv.gone AND cv.checked_at > $1 AND cv.checked_at <= $2" \
	"   AND (EXISTS (SELECT FROM okr.checkin e WHERE e.id = cv.id)" \
	"    OR EXISTS (SELECT FROM okr.checkin_history d WHERE d.id = cv.id" \
	"     AND d.action = 'delete' AND d.recorded_at > $4))) x" \
	" GROUP BY x.key_result_id ORDER BY x.key_result_id"
#define Q_CHECKINS		Q_CHECKINS_OF("")
/*
 * The same, the check-ins of okr.checkin read for the key results ($5)
 * whose last_checkin_at is after from_ts only: a check-in dated in the
 * interval is dated after from_ts, and last_checkin_at is the latest
 * checked_at of its check-ins (maintained at commit with them, as the
 * rollup takes it), so these are all there are, found through
 * checkin_latest_idx instead of a scan of every check-in.
 */
#define Q_CHECKINS_IDS	Q_CHECKINS_OF("c.key_result_id = ANY ($5) AND")
/* (as the owner) those key results, when they are few */
#define Q_CHECKED_IN_SINCE \
	"SELECT array_agg(id) FILTER (WHERE last_checkin_at > $1)," \
	" count(*) FILTER (WHERE last_checkin_at > $1) < count(*) / 4 FROM okr.key_result"

/*
 * Tasks done at to_ts (as the rollup counts them) with a done_at in
 * ($1 from_ts, $2 to_ts], counted for their project at to_ts: a task's
 * version in force at $3 M(to_ts), or a later one known at $4 (K or
 * 'infinity'), is done with that done_at (a task done and reopened by
 * then is not).  Per project, by id.
 */
#define Q_TASKS \
	"WITH tch AS (SELECT DISTINCT h.id FROM okr.task_history h" \
	"  WHERE $3 < 'infinity' AND h.recorded_at > $3 AND (h.action <> 'insert' OR h.recorded_at > $4))," \
	" tv AS (SELECT DISTINCT ON (h.id) h.id, h.hid, h.project_id, h.status," \
	"   pg_catalog.bool_or(h.action = 'delete') OVER (PARTITION BY h.id) AS gone" \
	"  FROM tch JOIN okr.task_history h ON h.id = tch.id AND h.recorded_at <= $4" \
	"  ORDER BY h.id, (h.recorded_at <= $3) DESC," \
	"   CASE WHEN h.recorded_at <= $3 THEN h.hid END DESC, h.recorded_at, h.hid DESC)" \
	" SELECT x.project_id, count(*)" \
	" FROM (SELECT t.project_id FROM okr.task t" \
	"   WHERE t.status = 'done' AND t.done_at > $1 AND t.done_at <= $2" \
	"   AND NOT EXISTS (SELECT FROM tch WHERE tch.id = t.id)" \
	"  UNION ALL" \
	"  SELECT tv.project_id FROM tv" \
	"   WHERE NOT tv.gone AND tv.status <> 'cancelled'" \
	"   AND EXISTS (SELECT FROM okr.task_history d WHERE d.id = tv.id AND d.hid >= tv.hid" \
	"    AND d.recorded_at <= $4 AND d.status = 'done'" \
	"    AND d.done_at > $1 AND d.done_at <= $2)" \
	"   AND (EXISTS (SELECT FROM okr.task e WHERE e.id = tv.id)" \
	"    OR EXISTS (SELECT FROM okr.task_history d WHERE d.id = tv.id" \
	"     AND d.action = 'delete' AND d.recorded_at > $4))) x" \
	" GROUP BY x.project_id ORDER BY x.project_id"

/* today's titles of the rows that moved and have no version read ($1 ids) */
static const char *const q_titles[N_ITEMS] = {
	"SELECT id, title FROM okr.objective WHERE id = ANY ($1)",
	"SELECT id, title FROM okr.key_result WHERE id = ANY ($1)",
	"SELECT id, name FROM okr.project WHERE id = ANY ($1)",
};

/* A definition change (Q_DEFS) */
typedef struct Def
{
	int64		id;
	char	   *name;			/* NULL: none */
	bool		created;
	bool		deleted;
	Datum		cols;			/* text[] */
	int			ncols;
} Def;

/* A count per id (Q_CHECKINS, Q_TASKS), or a title (q_titles) */
typedef struct Count
{
	int64		id;
	int64		n;
	char	   *title;
} Count;

/* One side of a row: its figures at one moment */
typedef struct Side
{
	bool		present;
	bool		progress_null;
	double		progress;
	const char *status;
} Side;

/* A row of the result, before its title is known */
typedef struct Change
{
	int			item;
	int64		id;
	const Def  *def;
	Side		before;
	Side		after;
	int64		checkins;
	int64		tasks_done;
} Change;

typedef struct Changes
{
	Def		   *defs[N_ITEMS];
	int			ndefs[N_ITEMS];
	Count	   *checkins;
	int			ncheckins;
	Count	   *tasks;
	int			ntasks;
	Change	   *rows;
	int			nrows;
	int			caprows;
} Changes;

static int
id_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* the entry of id in a sorted array of structs starting with their id */
static void *
find_id(void *arr, int n, Size elem, int64 id)
{
	return n > 0 ? bsearch(&id, arr, n, elem, id_cmp) : NULL;
}

static SPIPlanPtr plans[6 + N_ITEMS];

static void
run(int plan, const char *sql, int nargs, Oid *argtypes, Datum *values, const char *nulls)
{
	if (SPI_execute_plan(okr_spi_plan(&plans[plan], sql, nargs, argtypes), values, nulls,
						 true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: okr.changes query failed");
}

/* Q_DEFS into ch->defs, in cxt */
static void
read_defs(Changes *ch, MemoryContext cxt, TimestampTz m0, TimestampTz m1, TimestampTz kk)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[3] = {TimestampTzGetDatum(m0), TimestampTzGetDatum(m1), TimestampTzGetDatum(kk)};
	MemoryContext old;
	uint64		i;
	int			t;

	run(0, Q_DEFS, 3, argtypes, values, NULL);
	old = MemoryContextSwitchTo(cxt);
	for (t = 0; t < N_ITEMS; t++)
	{
		ch->defs[t] = palloc(Max(SPI_processed, 1) * sizeof(Def));
		ch->ndefs[t] = 0;
	}
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int			item = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		Def		   *d;
		Datum		name;
		ArrayType  *cols;

		if (item < 0 || item >= N_ITEMS)
			elog(ERROR, "okr: unexpected item %d", item);
		d = &ch->defs[item][ch->ndefs[item]++];
		d->id = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
		name = SPI_getbinval(tup, desc, 3, &isnull);
		d->name = isnull ? NULL : TextDatumGetCString(name);
		d->created = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
		d->deleted = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
		cols = DatumGetArrayTypePCopy(SPI_getbinval(tup, desc, 6, &isnull));
		d->cols = PointerGetDatum(cols);
		d->ncols = ArrayGetNItems(ARR_NDIM(cols), ARR_DIMS(cols));
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
}

/* (id, count) rows of the last query, in cxt */
static Count *
read_counts(MemoryContext cxt, int *n)
{
	Count	   *c = MemoryContextAlloc(cxt, Max(SPI_processed, 1) * sizeof(Count));
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		c[i].id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		c[i].n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		c[i].title = NULL;
	}
	*n = (int) SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	return c;
}

/*
 * (As the owner) the key results checked in after t0 as a bigint[] in cxt,
 * when they are few and last_checkin_at holds for this transaction (no
 * changes of its own pending: maintain.c applies them at commit); else 0.
 */
static Datum
checked_in_since(MemoryContext cxt, TimestampTz t0)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(t0)};
	Datum		ids;
	bool		isnull,
				few;
	MemoryContext old;

	if (okr_maint_pending())
		return (Datum) 0;
	run(4, Q_CHECKED_IN_SINCE, 1, argtypes, values, NULL);
	few = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!few)
		return (Datum) 0;
	old = MemoryContextSwitchTo(cxt);
	/* none: an empty array, so that the check-ins of okr.checkin are not scanned */
	ids = isnull ? PointerGetDatum(construct_empty_array(INT8OID)) : datumCopy(ids, false, -1);
	MemoryContextSwitchTo(old);
	return ids;
}

/* Q_CHECKINS, or Q_CHECKINS_IDS for the key results ids (not 0) */
static void
read_checkins(Changes *ch, MemoryContext cxt, TimestampTz t0, TimestampTz t1, bool known_null,
			  TimestampTz kk, Datum ids)
{
	Oid			argtypes[5] = {TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID, TIMESTAMPTZOID, INT8ARRAYOID};
	Datum		values[5] = {TimestampTzGetDatum(t0), TimestampTzGetDatum(t1),
	BoolGetDatum(!known_null), TimestampTzGetDatum(kk), ids};

	if (ids)
		run(5, Q_CHECKINS_IDS, 5, argtypes, values, NULL);
	else
		run(1, Q_CHECKINS, 4, argtypes, values, NULL);
	ch->checkins = read_counts(cxt, &ch->ncheckins);
}

static void
read_tasks(Changes *ch, MemoryContext cxt, TimestampTz t0, TimestampTz t1, TimestampTz m1,
		   TimestampTz kk)
{
	Oid			argtypes[4] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[4] = {TimestampTzGetDatum(t0), TimestampTzGetDatum(t1),
	TimestampTzGetDatum(m1), TimestampTzGetDatum(kk)};

	run(2, Q_TASKS, 4, argtypes, values, NULL);
	ch->tasks = read_counts(cxt, &ch->ntasks);
}

/* One side of item i of the rollup r, or absent when acc hides it */
static void
side_of(Rollup *r, int item, int i, OkrAccess *acc, Side *s)
{
	static const OkrAccessLevel levels[N_ITEMS] = {OKR_ACCESS_OBJECTIVE, OKR_ACCESS_KEY_RESULT,
	OKR_ACCESS_PROJECT};
	ItemFigures f;
	int64		id = item == 0 ? r->objectives[i].id : item == 1 ? r->krs[i].id : r->projects[i].id;

	memset(s, 0, sizeof(Side));
	if (okr_access_hidden(acc, levels[item], id))
		return;
	if (item == 0)
		okr_rollup_objective_figures(r, i, &f);
	else if (item == 1)
		okr_rollup_kr_figures(r, i, &f);
	else
		okr_rollup_project_figures(r, i, &f);
	s->present = true;
	s->progress_null = f.progress_null;
	s->progress = f.progress;
	s->status = f.status;
}

static int
item_count(const Rollup *r, int item)
{
	return item == 0 ? r->nobjectives : item == 1 ? r->nkrs : r->nprojects;
}

static int64
item_id(const Rollup *r, int item, int i)
{
	return item == 0 ? r->objectives[i].id : item == 1 ? r->krs[i].id : r->projects[i].id;
}

/* progress and status as IS DISTINCT FROM compares them */
static bool
side_moved(const Side *a, const Side *b)
{
	bool		an = !a->present || a->progress_null;
	bool		bn = !b->present || b->progress_null;

	if (an != bn)
		return true;
	if (!an && !(a->progress == b->progress || (isnan(a->progress) && isnan(b->progress))))
		return true;
	if ((a->present && a->status) != (b->present && b->status))
		return true;
	return a->present && a->status && b->present && b->status &&
		strcmp(a->status, b->status) != 0;
}

/*
 * The rows of both moments, merged by id (the rollup's rows are sorted by
 * id), that moved; with their definition change, check-ins and tasks.
 */
static void
compare(Changes *ch, Rollup *r0, Rollup *r1, OkrAccess *acc, MemoryContext cxt)
{
	int			item;

	for (item = 0; item < N_ITEMS; item++)
	{
		int			n0 = item_count(r0, item),
					n1 = item_count(r1, item),
					i = 0,
					j = 0;

		while (i < n0 || j < n1)
		{
			int64		id0 = i < n0 ? item_id(r0, item, i) : PG_INT64_MAX;
			int64		id1 = j < n1 ? item_id(r1, item, j) : PG_INT64_MAX;
			int64		id = Min(id0, id1);
			Change		c;
			Count	   *cnt;

			if (i >= n0)
				id = id1;
			else if (j >= n1)
				id = id0;
			memset(&c, 0, sizeof(c));
			c.item = item;
			c.id = id;
			if (i < n0 && id0 == id)
				side_of(r0, item, i++, acc, &c.before);
			if (j < n1 && id1 == id)
				side_of(r1, item, j++, acc, &c.after);
			if (!c.before.present && !c.after.present)
				continue;
			c.def = find_id(ch->defs[item], ch->ndefs[item], sizeof(Def), id);
			if (item == 1 && (cnt = find_id(ch->checkins, ch->ncheckins, sizeof(Count), id)))
				c.checkins = cnt->n;
			if (item == 2 && (cnt = find_id(ch->tasks, ch->ntasks, sizeof(Count), id)))
				c.tasks_done = cnt->n;
			if (!((c.def && (c.def->created || c.def->ncols > 0)) || side_moved(&c.before, &c.after) ||
				  c.checkins > 0 || c.tasks_done > 0))
				continue;
			if (ch->nrows == ch->caprows)
			{
				ch->caprows = Max(ch->caprows * 2, 64);
				ch->rows = ch->rows ? repalloc(ch->rows, ch->caprows * sizeof(Change)) :
					MemoryContextAlloc(cxt, ch->caprows * sizeof(Change));
			}
			ch->rows[ch->nrows++] = c;
		}
	}
}

/* Today's titles (as the caller) of the rows that moved with no version read */
static Count *
read_titles(Changes *ch, int item, MemoryContext cxt, int *n)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum	   *ids = palloc(Max(ch->nrows, 1) * sizeof(Datum));
	int			nids = 0,
				i;
	Datum		values[1];
	Count	   *c;
	uint64		k;

	for (i = 0; i < ch->nrows; i++)
		if (ch->rows[i].item == item && !(ch->rows[i].def && ch->rows[i].def->name))
			ids[nids++] = Int64GetDatum(ch->rows[i].id);
	*n = 0;
	if (nids == 0)
		return NULL;
	values[0] = PointerGetDatum(construct_array(ids, nids, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	run(6 + item, q_titles[item], 1, argtypes, values, NULL);
	c = MemoryContextAlloc(cxt, Max(SPI_processed, 1) * sizeof(Count));
	for (k = 0; k < SPI_processed; k++)
	{
		bool		isnull;
		Datum		title;

		c[k].id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[k], SPI_tuptable->tupdesc, 1, &isnull));
		title = SPI_getbinval(SPI_tuptable->vals[k], SPI_tuptable->tupdesc, 2, &isnull);
		c[k].title = isnull ? NULL : MemoryContextStrdup(cxt, TextDatumGetCString(title));
		c[k].n = 0;
	}
	*n = (int) SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	qsort(c, *n, sizeof(Count), id_cmp);
	return c;
}

/* 'created' and 'deleted' before a definition's changed columns */
static Datum
changed_array(const Def *d, bool deleted)
{
	Datum	   *elems;
	int			n = 0,
				i;
	Datum	   *cols = NULL;
	int			ncols = 0;

	if (d && !deleted)
		deconstruct_array(DatumGetArrayTypeP(d->cols), TEXTOID, -1, false, TYPALIGN_INT,
						  &cols, NULL, &ncols);
	elems = palloc((ncols + 2) * sizeof(Datum));
	if (d && d->created)
		elems[n++] = CStringGetTextDatum("created");
	if (deleted)
		elems[n++] = CStringGetTextDatum("deleted");
	for (i = 0; i < ncols; i++)
		elems[n++] = cols[i];
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static void
put_change(ReturnSetInfo *rsinfo, const Change *c, const char *title)
{
	Datum		values[11];
	bool		nulls[11];
	bool		created = c->def && c->def->created;
	const Side *b = &c->before,
			   *a = &c->after;
	bool		b_null = created || !b->present || b->progress_null;
	bool		a_null = !a->present || a->progress_null;

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(item_names[c->item]);
	values[1] = Int64GetDatum(c->id);
	if (title)
		values[2] = CStringGetTextDatum(title);
	nulls[2] = title == NULL;
	values[3] = Float8GetDatum(b->progress);
	nulls[3] = b_null;
	values[4] = Float8GetDatum(a->progress);
	nulls[4] = a_null;
	values[5] = Float8GetDatum(a->progress - b->progress);
	nulls[5] = b_null || a_null;
	if (!created && b->present && b->status)
		values[6] = CStringGetTextDatum(b->status);
	nulls[6] = created || !b->present || !b->status;
	if (a->present && a->status)
		values[7] = CStringGetTextDatum(a->status);
	nulls[7] = !a->present || !a->status;
	values[8] = Int64GetDatum(c->checkins);
	values[9] = Int64GetDatum(c->tasks_done);
	values[10] = changed_array(c->def, false);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static void
put_deleted(ReturnSetInfo *rsinfo, int item, const Def *d)
{
	Datum		values[11];
	bool		nulls[11];
	int			i;

	for (i = 0; i < 11; i++)
		nulls[i] = true;
	values[0] = CStringGetTextDatum(item_names[item]);
	nulls[0] = false;
	values[1] = Int64GetDatum(d->id);
	nulls[1] = false;
	if (d->name)
		values[2] = CStringGetTextDatum(d->name);
	nulls[2] = d->name == NULL;
	values[8] = Int64GetDatum(0);
	nulls[8] = false;
	values[9] = Int64GetDatum(0);
	nulls[9] = false;
	values[10] = changed_array(d, true);
	nulls[10] = false;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static char *
timestamptz_text(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

/* okr.changes(from_ts, to_ts DEFAULT okr.as_of()) */
Datum
okr_changes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz t0,
				t1,
				k,
				kk,
				m0,
				m1,
				start = GetCurrentTransactionStartTimestamp();
	bool		known_null;
	MemoryContext work,
				old;
	OkrSpiState st;
	OkrAccess  *acc;
	Rollup		r0,
				r1;
	Changes		ch;
	Count	   *titles[N_ITEMS];
	int			ntitles[N_ITEMS];
	int			item,
				i;
	Datum		checked_in;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("okr.changes: from_ts and to_ts must not be NULL"),
				 errhint("Leave to_ts out for okr.as_of() (now, unless the session is pinned).")));
	t0 = PG_GETARG_TIMESTAMPTZ(0);
	t1 = PG_GETARG_TIMESTAMPTZ(1);
	if (TIMESTAMP_NOT_FINITE(t0) || TIMESTAMP_NOT_FINITE(t1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("okr.changes needs finite from_ts and to_ts, not %s and %s",
						timestamptz_text(t0), timestamptz_text(t1))));
	if (t0 > t1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("okr.changes: from_ts %s is after to_ts %s",
						timestamptz_text(t0), timestamptz_text(t1)),
				 errhint("The interval is (from_ts, to_ts]: give the earlier moment first.")));
	known_null = !okr_known_at_pinned(&k);
	kk = known_null ? DT_NOEND : k;
	/* DT_NOEND: that side is today's tables */
	m0 = t0 >= start && kk >= start ? DT_NOEND : Min(t0, kk);
	m1 = t1 >= start && kk >= start ? DT_NOEND : Min(t1, kk);

	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(CurrentMemoryContext, "okr changes", ALLOCSET_DEFAULT_SIZES);
	memset(&ch, 0, sizeof(ch));
	memset(&r0, 0, sizeof(r0));
	memset(&r1, 0, sizeof(r1));

	okr_access_require_select();
	acc = okr_access_read(work);

	/* as the caller: the definitions and tasks it may read */
	okr_spi_enter(&st, InvalidOid);
	read_defs(&ch, work, m0, m1, kk);
	read_tasks(&ch, work, t0, t1, m1, kk);
	okr_spi_leave(&st);

	/* as the owner: both moments, the earlier from the later */
	okr_spi_enter(&st, okr_access_owner());
	checked_in = checked_in_since(work, t0);
	okr_rollup_at(&r1, work, t1, known_null, k);
	okr_rollup_at_from(&r0, &r1, work, t0, known_null, k);
	okr_spi_leave(&st);

	/* as the caller: the check-ins it may read */
	okr_spi_enter(&st, InvalidOid);
	read_checkins(&ch, work, t0, t1, known_null, kk, checked_in);
	okr_spi_leave(&st);

	old = MemoryContextSwitchTo(work);
	compare(&ch, &r0, &r1, acc, work);
	MemoryContextSwitchTo(old);

	/* as the caller: the titles of the rows that moved it may read */
	okr_spi_enter(&st, InvalidOid);
	for (item = 0; item < N_ITEMS; item++)
		titles[item] = read_titles(&ch, item, work, &ntitles[item]);
	okr_spi_leave(&st);

	/* the rows that moved and the rows deleted, by item and id */
	old = MemoryContextSwitchTo(work);
	i = 0;
	for (item = 0; item < N_ITEMS; item++)
	{
		int			d = 0;

		for (;;)
		{
			const Def  *del = NULL;
			Change	   *c = i < ch.nrows && ch.rows[i].item == item ? &ch.rows[i] : NULL;

			while (d < ch.ndefs[item] && !ch.defs[item][d].deleted)
				d++;
			if (d < ch.ndefs[item])
				del = &ch.defs[item][d];
			if (!c && !del)
				break;
			if (c && (!del || c->id <= del->id))
			{
				const char *title = c->def ? c->def->name : NULL;

				if (!title)
				{
					Count	   *t = find_id(titles[item], ntitles[item], sizeof(Count), c->id);

					title = t ? t->title : NULL;
				}
				put_change(rsinfo, c, title);
				i++;
			}
			else
			{
				put_deleted(rsinfo, item, del);
				d++;
			}
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	return (Datum) 0;
}
