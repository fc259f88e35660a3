/*
 * feeds.c
 *	  Tasks that live in the user's own tables (SPEC 6): okr.sync_tasks and
 *	  the guard of okr.task_feed.
 *
 * A feed is synced as its run_as, in a subtransaction of its own, set-based:
 * one statement reads the source once, joined to the feed's tasks, and
 * DELETEs, UPDATEs and INSERTs from it in data-modifying WITH queries.
 * Rows that cannot go in for reasons seen before writing (a NULL or repeated
 * external_key, an unknown project key) are listed as rejected and left
 * out.  When a statement still fails on a row (a link rule, a CHECK, a bad
 * cast), the set-based attempt is rolled back and the feed is synced again
 * row by row, each row in a subtransaction, so that the rows that break a
 * rule are rejected one by one and the rest go in.  The rejections replace
 * the feed's previous ones in okr.task_feed_rejection, written as okr's
 * owner.  Concurrent syncs skip the feeds another is syncing (FOR UPDATE
 * SKIP LOCKED), as okr.sample does.
 *
 * Team scope (SPEC 9): the tasks are written as run_as, so okr_05_access
 * refuses (42501) those outside run_as's write scope; such a refusal, too,
 * sends the feed to the row-by-row pass, where it rejects just that row.
 * A caller with a scoped write grant runs only the feeds that run as it
 * or a role it is a member of.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* True while okr writes a feed's maintained columns: the guard lets it. */
static bool feeds_writing = false;

PG_FUNCTION_INFO_V1(okr_task_feed_guard);
Datum
okr_task_feed_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_task_feed_guard", "task_feed", true);
	TupleDesc	desc;
	HeapTuple	tup;
	bool		isnull;
	Oid			source;
	Oid			role;
	char		relkind;
	char	   *run_as;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("okr_task_feed_guard fires only as okr installs it: BEFORE row trigger on okr.task_feed")));
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	if (feeds_writing)
		return PointerGetDatum(tup);

	desc = td->tg_relation->rd_att;
	run_as = SPI_getvalue(tup, desc, SPI_fnumber(desc, "run_as"));
	source = DatumGetObjectId(SPI_getbinval(tup, desc, SPI_fnumber(desc, "source"), &isnull));
	if (run_as == NULL || isnull)
		return PointerGetDatum(tup);	/* NOT NULL says so */
	role = okr_run_as_role(run_as);

	relkind = get_rel_relkind(source);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
		relkind != RELKIND_FOREIGN_TABLE && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("a feed's source must be a table or a view")));
	if (pg_class_aclcheck(source, role, ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("run_as \"%s\" may not read the feed's source %s", run_as,
						get_rel_name(source))));
	return PointerGetDatum(tup);
}

/* One rejected source row. */
typedef struct Rejection
{
	char	   *key;
	char	   *sqlstate;
	char	   *message;
} Rejection;

typedef struct Feed
{
	int64		id;
	Oid			source;
	char	   *run_as_name;
	Oid			run_as;
	MemoryContext mcxt;
	/* built from the source's columns */
	char	   *from;			/* "FROM src s [LEFT JOIN okr.project p ...]" */
	bool		has_effort,
				has_assignee,
				has_due_on,
				has_done_at;
	bool		key_unique;		/* a unique index on the source's external_key */
	/* results */
	int64		inserted,
				updated,
				deleted;
	List	   *rejections;
	bool		row_by_row;		/* the set-based attempt failed on a row */
} Feed;

static void
reject(Feed *f, const char *key, const char *sqlstate, const char *message)
{
	MemoryContext old = MemoryContextSwitchTo(f->mcxt);
	Rejection  *r = palloc(sizeof(Rejection));

	r->key = key ? pstrdup(key) : NULL;
	r->sqlstate = pstrdup(sqlstate);
	r->message = pstrdup(message);
	f->rejections = lappend(f->rejections, r);
	MemoryContextSwitchTo(old);
}

static bool
has_column(Oid rel, const char *name)
{
	return get_attnum(rel, name) != InvalidAttrNumber;
}

static int64
run(const char *sql, int nargs, Oid *types, Datum *args, const char *nulls, int expect)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, args, nulls, false, 0);

	if (rc != expect)
		elog(ERROR, "okr: sync statement failed: %s", SPI_result_code_string(rc));
	return (int64) SPI_processed;
}

/*
 * Does a unique index, immediate, valid, on the column alone and no
 * expression or predicate, make external_key unique in the source?  Only
 * for types whose distinct values have distinct texts (the key is compared
 * as text).
 */
static bool
key_is_unique(Oid rel)
{
	AttrNumber	att = get_attnum(rel, "external_key");
	Oid			type = get_atttype(rel, att);
	Oid			argtypes[2] = {OIDOID, INT2OID};
	Datum		args[2] = {ObjectIdGetDatum(rel), Int16GetDatum(att)};

	if (att == InvalidAttrNumber ||
		(type != TEXTOID && type != VARCHAROID && type != INT4OID && type != INT8OID))
		return false;
	run("SELECT FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) $1"
		" AND i.indisunique AND i.indimmediate AND i.indisvalid AND i.indnkeyatts OPERATOR(pg_catalog.=) 1"
		" AND i.indkey[0] OPERATOR(pg_catalog.=) $2 AND i.indexprs IS NULL AND i.indpred IS NULL LIMIT 1",
		2, argtypes, args, NULL, SPI_OK_SELECT);
	return SPI_processed > 0;
}

/*
 * The columns of the source, as okr's types (typed) or as text (for the
 * row-by-row pass, which casts each row on its own).  n counts the rows of
 * each key: a repeated key is rejected.  A source whose external_key has a
 * unique index of its own repeats none, and is spared the sort.
 */
static char *
source_select(Feed *f, bool typed)
{
	StringInfoData q;

#define COL(present, expr, type) \
	((present) ? psprintf("(%s)::%s", expr, typed ? type : "text") : psprintf("NULL::%s", typed ? type : "text"))
	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT s.external_key::text AS external_key, %s AS project_id, %s AS project_key,"
					 " %s AS title, %s AS status, %s AS effort, %s AS done_at, %s AS assignee, %s AS due_on,"
					 " %s AS n %s",
					 has_column(f->source, "project_external_key") ? COL(true, "p.id", "bigint") : COL(true, "s.project_id", "bigint"),
					 has_column(f->source, "project_external_key") ? "s.project_external_key::text" : "NULL::text",
					 COL(true, "s.title", "text"), COL(true, "s.status", "text"),
					 COL(f->has_effort, "s.effort", "double precision"),
					 COL(f->has_done_at, "s.done_at", "timestamptz"),
					 COL(f->has_assignee, "s.assignee", "text"),
					 COL(f->has_due_on, "s.due_on", "date"),
					 f->key_unique ? "1::bigint" : "count(*) OVER (PARTITION BY s.external_key::text)",
					 f->from);
#undef COL
	return q.data;
}

/* SET list and change test of the UPDATE: only the columns the source has. */
static void
update_lists(Feed *f, const char *s, StringInfo set, StringInfo test_t, StringInfo test_s)
{
	/* done_at: a done row without one keeps okr's; a row not done has none */
	char	   *done_at = psprintf("CASE WHEN %s.status OPERATOR(pg_catalog.<>) 'done' THEN NULL"
								   " WHEN %s.done_at IS NULL THEN t.done_at ELSE %s.done_at END", s, s, s);

	appendStringInfo(set, "project_id = %s.project_id, title = %s.title, status = %s.status, done_at = %s",
					 s, s, s, done_at);
	appendStringInfoString(test_t, "t.project_id, t.title, t.status, t.done_at");
	appendStringInfo(test_s, "%s.project_id, %s.title, %s.status, %s", s, s, s, done_at);
	if (f->has_effort)
	{
		appendStringInfo(set, ", effort = coalesce(%s.effort, 1)", s);
		appendStringInfoString(test_t, ", t.effort");
		appendStringInfo(test_s, ", coalesce(%s.effort, 1)", s);
	}
	if (f->has_assignee)
	{
		appendStringInfo(set, ", assignee = %s.assignee", s);
		appendStringInfoString(test_t, ", t.assignee");
		appendStringInfo(test_s, ", %s.assignee", s);
	}
	if (f->has_due_on)
	{
		appendStringInfo(set, ", due_on = %s.due_on", s);
		appendStringInfoString(test_t, ", t.due_on");
		appendStringInfo(test_s, ", %s.due_on", s);
	}
}


/* The INSERT of the rows select_from gives; unless known new, those not yet tasks. */
static const char *
insert_sql(const char *select_from, bool test_new)
{
	return psprintf("INSERT INTO okr.task (project_id, title, status, effort, done_at, assignee, due_on, external_key, feed_id)"
					" SELECT s.project_id, s.title, s.status, coalesce(s.effort, 1),"
					" CASE WHEN s.status OPERATOR(pg_catalog.=) 'done' THEN s.done_at END, s.assignee, s.due_on, s.external_key, $1"
					" %s%s", select_from,
					test_new ? " AND NOT EXISTS (SELECT FROM okr.task t WHERE t.feed_id OPERATOR(pg_catalog.=) $1"
					" AND t.external_key OPERATOR(pg_catalog.=) s.external_key)" : "");
}

/*
 * Why a row is rejected before writing (columns of source_select as s):
 * its SQLSTATE and message.
 */
static const char *const reject_cols =
	"CASE WHEN s.external_key IS NULL THEN '23502'"
	" WHEN s.n OPERATOR(pg_catalog.>) 1 THEN '23505' ELSE '23503' END,"
	" CASE WHEN s.external_key IS NULL THEN 'external_key is NULL'"
	" WHEN s.n OPERATOR(pg_catalog.>) 1 THEN pg_catalog.format('external_key %s appears %s times in the source', s.external_key, s.n)"
	" WHEN s.project_key IS NOT NULL THEN pg_catalog.format('no project has external_key %s', s.project_key)"
	" ELSE 'the project is NULL' END";
#define REJECT_WHERE \
	"s.external_key IS NULL OR s.n OPERATOR(pg_catalog.>) 1 OR s.project_id IS NULL"

/*
 * The set-based pass: one statement, whose data-modifying WITH queries
 * DELETE, UPDATE and INSERT from the source read once (MATERIALIZED), and
 * which returns the counts and then the rows rejected before writing.  The
 * three touch disjoint tasks (gone from the source, in it and in okr, in it
 * only), so they need not see each other's rows.
 */
static void
set_based_fn(void *arg)
{
	Feed	   *f = (Feed *) arg;
	Oid			types[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(f->id)};
	StringInfoData set,
				test_t,
				test_s;
	SPITupleTable *res;
	bool		isnull;
	uint64		i;

	initStringInfo(&set);
	initStringInfo(&test_t);
	initStringInfo(&test_s);
	update_lists(f, "s", &set, &test_t, &test_s);

	run(psprintf("WITH s AS MATERIALIZED (SELECT s.*, NOT (" REJECT_WHERE ") AS ok, t.id AS task_id,"
				 "  (%s) IS DISTINCT FROM (%s) AS changed FROM (%s) s"
				 "  LEFT JOIN okr.task t ON t.feed_id OPERATOR(pg_catalog.=) $1"
				 "   AND t.external_key OPERATOR(pg_catalog.=) s.external_key),"
				 " d AS (DELETE FROM okr.task t WHERE t.feed_id OPERATOR(pg_catalog.=) $1"
				 "  AND NOT EXISTS (SELECT FROM s WHERE s.external_key OPERATOR(pg_catalog.=) t.external_key) RETURNING 1),"
				 " u AS (UPDATE okr.task t SET %s FROM s"
				 "  WHERE t.id OPERATOR(pg_catalog.=) s.task_id AND s.ok AND s.changed RETURNING 1),"
				 " i AS (%s RETURNING 1)"
				 " SELECT 0 AS part, NULL::text AS key, NULL::text, NULL::text,"
				 "  (SELECT count(*) FROM d), (SELECT count(*) FROM u), (SELECT count(*) FROM i)"
				 " UNION ALL SELECT 1, s.external_key, %s, NULL, NULL, NULL FROM s WHERE NOT s.ok"
				 " ORDER BY 1, 2",
				 test_t.data, test_s.data, source_select(f, true), set.data,
				 insert_sql("FROM s WHERE s.ok AND s.task_id IS NULL", false), reject_cols),
		1, types, args, NULL, SPI_OK_SELECT);
	res = SPI_tuptable;
	if (SPI_processed < 1)
		elog(ERROR, "okr: the sync statement returned no counts");
	f->deleted = DatumGetInt64(SPI_getbinval(res->vals[0], res->tupdesc, 5, &isnull));
	f->updated = DatumGetInt64(SPI_getbinval(res->vals[0], res->tupdesc, 6, &isnull));
	f->inserted = DatumGetInt64(SPI_getbinval(res->vals[0], res->tupdesc, 7, &isnull));
	for (i = 1; i < SPI_processed; i++)
		reject(f, SPI_getvalue(res->vals[i], res->tupdesc, 2),
			   SPI_getvalue(res->vals[i], res->tupdesc, 3),
			   SPI_getvalue(res->vals[i], res->tupdesc, 4));
}

/* One row of the row-by-row pass, its values as text parameters. */
typedef struct OneRow
{
	Feed	   *f;
	SPIPlanPtr	update_plan;
	SPIPlanPtr	insert_plan;
	Datum		args[9];
	char		nulls[9];
} OneRow;

static int64
run_plan(SPIPlanPtr plan, Datum *args, const char *nulls, int expect)
{
	int			rc = SPI_execute_plan(plan, args, nulls, false, 0);

	if (rc != expect)
		elog(ERROR, "okr: sync statement failed: %s", SPI_result_code_string(rc));
	return (int64) SPI_processed;
}

static void
one_row_fn(void *arg)
{
	OneRow	   *r = (OneRow *) arg;

	r->f->updated += run_plan(r->update_plan, r->args, r->nulls, SPI_OK_UPDATE);
	r->f->inserted += run_plan(r->insert_plan, r->args, r->nulls, SPI_OK_INSERT);
}

/* The two statements of one row, prepared once per feed (kept: they outlive the rows' subtransactions). */
static SPIPlanPtr
prepare_kept(const char *sql)
{
	Oid			types[9] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	SPIPlanPtr	plan = SPI_prepare(sql, 9, types);

	if (plan == NULL)
		elog(ERROR, "okr: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "okr: SPI_keepplan failed");
	return plan;
}

/* One DELETE of the tasks gone from the source (gone.key NULL), or of one. */
typedef struct Gone
{
	Feed	   *f;
	const char *key;
	int64		deleted;
} Gone;

static void
gone_fn(void *arg)
{
	Gone	   *g = (Gone *) arg;
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		args[2] = {Int64GetDatum(g->f->id), g->key ? CStringGetTextDatum(g->key) : (Datum) 0};

	if (g->key)
		g->deleted = run("DELETE FROM okr.task WHERE feed_id OPERATOR(pg_catalog.=) $1"
						 " AND external_key OPERATOR(pg_catalog.=) $2", 2, types, args, NULL, SPI_OK_DELETE);
	else
		g->deleted = run(psprintf("DELETE FROM okr.task t WHERE t.feed_id OPERATOR(pg_catalog.=) $1"
								  " AND NOT EXISTS (SELECT FROM (%s) s WHERE s.external_key OPERATOR(pg_catalog.=) t.external_key)",
								  source_select(g->f, false)),
						 1, types, args, NULL, SPI_OK_DELETE);
}

/*
 * The tasks whose source row is gone: all at once, or, when that is
 * refused (a task outside run_as's write scope), one by one, each refusal
 * a rejection.
 */
static void
delete_gone(Feed *f)
{
	Gone		g = {f, NULL, 0};
	ErrorData  *edata;
	SPITupleTable *keys;
	Oid			types[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(f->id)};
	uint64		i,
				n;

	if (okr_subxact_run(gone_fn, &g, &edata))
	{
		f->deleted = g.deleted;
		return;
	}
	if (edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
		ReThrowError(edata);
	f->deleted = 0;
	run(psprintf("SELECT t.external_key FROM okr.task t WHERE t.feed_id OPERATOR(pg_catalog.=) $1"
				 " AND NOT EXISTS (SELECT FROM (%s) s WHERE s.external_key OPERATOR(pg_catalog.=) t.external_key)"
				 " ORDER BY 1", source_select(f, false)),
		1, types, args, NULL, SPI_OK_SELECT);
	keys = SPI_tuptable;
	n = SPI_processed;
	for (i = 0; i < n; i++)
	{
		g.key = SPI_getvalue(keys->vals[i], keys->tupdesc, 1);
		if (okr_subxact_run(gone_fn, &g, &edata))
			f->deleted += g.deleted;
		else
		{
			if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
				ReThrowError(edata);
			reject(f, g.key, unpack_sql_state(edata->sqlerrcode), edata->message);
		}
	}
}

static void
row_by_row(Feed *f)
{
	const char *row = "(SELECT $2 AS external_key, $3::bigint AS project_id, $4 AS title, $5 AS status,"
		" $6::double precision AS effort, $7::timestamptz AS done_at, $8 AS assignee, $9::date AS due_on) s";
	StringInfoData set,
				test_t,
				test_s;
	SPITupleTable *rows;
	uint64		n;
	OneRow		r;

	f->inserted = f->updated = 0;
	delete_gone(f);
	run(psprintf("SELECT * FROM (%s) s WHERE s.n OPERATOR(pg_catalog.=) 1 AND s.project_id IS NOT NULL AND s.external_key IS NOT NULL ORDER BY s.external_key",
				 source_select(f, false)), 0, NULL, NULL, NULL, SPI_OK_SELECT);
	rows = SPI_tuptable;
	n = SPI_processed;

	initStringInfo(&set);
	initStringInfo(&test_t);
	initStringInfo(&test_s);
	update_lists(f, "s", &set, &test_t, &test_s);
	r.f = f;
	r.update_plan = prepare_kept(psprintf("UPDATE okr.task t SET %s FROM %s"
										  " WHERE t.feed_id OPERATOR(pg_catalog.=) $1 AND t.external_key OPERATOR(pg_catalog.=) s.external_key"
										  " AND (%s) IS DISTINCT FROM (%s)", set.data, row, test_t.data, test_s.data));
	r.insert_plan = prepare_kept(insert_sql(psprintf("FROM %s WHERE true", row), true));
	PG_TRY();
	{
		uint64		i;

		for (i = 0; i < n; i++)
		{
			ErrorData  *edata;
			int			c;

			/* columns of source_select: 1 key, 2 project_id, 4 title .. 9 due_on */
			static const int cols[8] = {1, 2, 4, 5, 6, 7, 8, 9};

			r.args[0] = Int64GetDatum(f->id);
			r.nulls[0] = ' ';
			for (c = 0; c < 8; c++)
			{
				bool		isnull;

				r.args[c + 1] = SPI_getbinval(rows->vals[i], rows->tupdesc, cols[c], &isnull);
				r.nulls[c + 1] = isnull ? 'n' : ' ';
			}
			if (!okr_subxact_run(one_row_fn, &r, &edata))
			{
				if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
					ReThrowError(edata);
				reject(f, SPI_getvalue(rows->vals[i], rows->tupdesc, 1),
					   unpack_sql_state(edata->sqlerrcode), edata->message);
			}
		}
	}
	PG_FINALLY();
	{
		SPI_freeplan(r.update_plan);
		SPI_freeplan(r.insert_plan);
	}
	PG_END_TRY();
}

/* Rows that cannot go in, known before writing (the row-by-row pass). */
static void
rejected_before(Feed *f)
{
	SPITupleTable *bad;
	uint64		i;

	run(psprintf("SELECT s.external_key, %s FROM (%s) s WHERE " REJECT_WHERE " ORDER BY 1",
				 reject_cols, source_select(f, false)),
		0, NULL, NULL, NULL, SPI_OK_SELECT);
	bad = SPI_tuptable;
	for (i = 0; i < SPI_processed; i++)
		reject(f, SPI_getvalue(bad->vals[i], bad->tupdesc, 1),
			   SPI_getvalue(bad->vals[i], bad->tupdesc, 2),
			   SPI_getvalue(bad->vals[i], bad->tupdesc, 3));
}

static void
sync_feed_fn(void *arg)
{
	Feed	   *f = (Feed *) arg;
	OkrRunAs	ra;
	ErrorData  *edata;
	char	   *name;
	bool		by_key;

	okr_run_as_begin(&ra, f->run_as, NULL);
	if (pg_class_aclcheck(f->source, f->run_as, ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for the feed's source %s", get_rel_name(f->source))));
	/* regclass prints schema-qualified: search_path is pinned */
	name = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(f->source)));
	by_key = has_column(f->source, "project_external_key");
	if (!has_column(f->source, "external_key") || !has_column(f->source, "title") ||
		!has_column(f->source, "status") || (!by_key && !has_column(f->source, "project_id")))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the feed's source %s needs the columns external_key, project_external_key (or project_id), title and status", name)));
	f->has_effort = has_column(f->source, "effort");
	f->has_done_at = has_column(f->source, "done_at");
	f->has_assignee = has_column(f->source, "assignee");
	f->has_due_on = has_column(f->source, "due_on");
	f->key_unique = key_is_unique(f->source);
	f->from = by_key
		? psprintf("FROM %s s LEFT JOIN okr.project p ON p.external_key OPERATOR(pg_catalog.=) s.project_external_key::text", name)
		: psprintf("FROM %s s", name);

	if (!okr_subxact_run(set_based_fn, f, &edata))
	{
		int			class = ERRCODE_TO_CATEGORY(edata->sqlerrcode);

		/*
		 * a row broke a rule, did not convert, or lies outside run_as's
		 * write scope: again, row by row
		 */
		if (class != ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION && class != ERRCODE_DATA_EXCEPTION &&
			edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
			ReThrowError(edata);
		f->row_by_row = true;
		f->rejections = NIL;
		rejected_before(f);
		row_by_row(f);
	}
	okr_run_as_end(&ra);
}

PG_FUNCTION_INFO_V1(okr_sync_tasks);
Datum
okr_sync_tasks(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		one = !PG_ARGISNULL(0);
	Oid			caller = GetUserId();
	bool		all = okr_access_all(okr_access_write(CurrentMemoryContext));
	OkrSpiState st;
	Oid			argtypes[3] = {INT8OID, BOOLOID, OIDOID};
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	SPITupleTable *feeds;
	uint64		n,
				i;
	volatile int rc;
	MemoryContext mcxt = CurrentMemoryContext;

	InitMaterializedSRF(fcinfo, 0);
	okr_spi_enter(&st, okr_rel_owner(get_relname_relid("task_feed", get_namespace_oid("okr", false))));
	args[0] = one ? PG_GETARG_DATUM(0) : (Datum) 0;
	nulls[0] = one ? ' ' : 'n';
	args[1] = BoolGetDatum(all);
	args[2] = ObjectIdGetDatum(caller);
	/* a scoped caller runs its own feeds: run as it or a role it is in */
	if (one && !all)
	{
		rc = SPI_execute_with_args("SELECT f.run_as FROM okr.task_feed f WHERE f.id = $1",
								   1, argtypes, args, NULL, true, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "okr: reading the feed failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 1)
		{
			char	   *run_as = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			Oid			role = get_role_oid(run_as, true);

			if (!OidIsValid(role) || !is_member_of_role(caller, role))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to run task feed " INT64_FORMAT ": it runs as \"%s\", and role \"%s\" has a write grant scoped to teams and is not a member of it",
								DatumGetInt64(args[0]), run_as, GetUserNameFromId(caller, false)),
						 errhint("A member of the feed's run_as, the owner of okr's tables or a role granted okr.grant_write(role) without a team may run it.")));
		}
	}
	rc = SPI_execute_with_args("SELECT f.id, f.source::oid, f.run_as FROM okr.task_feed f"
							   " WHERE CASE WHEN $1 IS NULL THEN f.enabled"
							   "   AND (f.last_synced_at IS NULL OR f.last_synced_at + f.every <= now())"
							   "   AND ($2 OR EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = f.run_as"
							   "     AND pg_catalog.pg_has_role($3, r.oid, 'MEMBER')))"
							   "   ELSE f.id = $1 END"
							   " ORDER BY f.id FOR UPDATE OF f SKIP LOCKED",
							   3, argtypes, args, nulls, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the feeds failed: %s", SPI_result_code_string(rc));
	feeds = SPI_tuptable;
	n = SPI_processed;

	for (i = 0; i < n; i++)
	{
		Feed		f = {0};
		ErrorData  *edata;
		char	   *volatile error = NULL;
		bool		isnull;
		ListCell   *lc;
		Oid			utypes[2] = {INT8OID, TEXTOID};
		Datum		uargs[2];
		char		unulls[2] = {' ', ' '};

		f.id = DatumGetInt64(SPI_getbinval(feeds->vals[i], feeds->tupdesc, 1, &isnull));
		f.source = DatumGetObjectId(SPI_getbinval(feeds->vals[i], feeds->tupdesc, 2, &isnull));
		f.run_as_name = SPI_getvalue(feeds->vals[i], feeds->tupdesc, 3);
		f.run_as = get_role_oid(f.run_as_name, true);
		f.mcxt = mcxt;
		if (!OidIsValid(f.run_as))
			error = psprintf("42704: run_as role \"%s\" does not exist", f.run_as_name);
		else if (!okr_subxact_run(sync_feed_fn, &f, &edata))
		{
			if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
				ReThrowError(edata);
			error = psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode), edata->message);
			f.inserted = f.updated = f.deleted = 0;
			f.rejections = NIL;
		}

		/* as okr's owner: the run, its error and its rejections */
		uargs[0] = Int64GetDatum(f.id);
		uargs[1] = error ? CStringGetTextDatum(error) : (Datum) 0;
		unulls[1] = error ? ' ' : 'n';
		feeds_writing = true;
		PG_TRY();
		{
			run("UPDATE okr.task_feed SET last_synced_at = now(), last_error = $2 WHERE id = $1",
				2, utypes, uargs, unulls, SPI_OK_UPDATE);
		}
		PG_FINALLY();
		{
			feeds_writing = false;
		}
		PG_END_TRY();
		run("DELETE FROM okr.task_feed_rejection WHERE feed_id = $1", 1, utypes, uargs, NULL, SPI_OK_DELETE);
		foreach(lc, f.rejections)
		{
			Rejection  *r = lfirst(lc);
			Oid			rtypes[4] = {INT8OID, TEXTOID, TEXTOID, TEXTOID};
			Datum		rargs[4];
			char		rnulls[4] = {' ', r->key ? ' ' : 'n', ' ', ' '};

			rargs[0] = Int64GetDatum(f.id);
			rargs[1] = r->key ? CStringGetTextDatum(r->key) : (Datum) 0;
			rargs[2] = CStringGetTextDatum(r->sqlstate);
			rargs[3] = CStringGetTextDatum(r->message);
			run("INSERT INTO okr.task_feed_rejection (feed_id, external_key, sqlstate, message) VALUES ($1, $2, $3, $4)",
				4, rtypes, rargs, rnulls, SPI_OK_INSERT);
		}

		{
			Datum		values[6];
			bool		vnull[6] = {false, false, false, false, false, error == NULL};
			MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);

			values[0] = Int64GetDatum(f.id);
			values[1] = Int64GetDatum(f.inserted);
			values[2] = Int64GetDatum(f.updated);
			values[3] = Int64GetDatum(f.deleted);
			values[4] = Int64GetDatum(list_length(f.rejections));
			values[5] = error ? CStringGetTextDatum(error) : (Datum) 0;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, vnull);
			MemoryContextSwitchTo(old);
		}
	}
	okr_spi_leave(&st);
	return (Datum) 0;
}
