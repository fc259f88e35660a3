/*
 * sources.c
 *	  Key results measured by queries (SPEC 6): okr.sample, okr.backfill and
 *	  the guard of okr.key_result_source.
 *
 * The security model (doc/feeds.md): a source's query runs as its run_as,
 * which the writer of the source had to be or be a member of (the guard);
 * read-only, enforced twice: the guard accepts one SELECT only, and the
 * query runs with XactReadOnly set, so nextval(), a function that writes or
 * anything the parse check missed fails; with search_path pinned and every
 * setting it changes undone; under okr.source_timeout; in a subtransaction
 * of its own, so that a failure is recorded and the next source runs.
 *
 * Team scope (SPEC 9): a caller with a scoped write grant samples and
 * backfills only the sources of key results in its scope (42501 for one
 * asked by id); the source table's policy hides the others' from readers.
 *
 * Concurrent samplers: okr.sample locks the sources it measures FOR UPDATE
 * SKIP LOCKED, so a second okr.sample() skips those the first is measuring
 * and, once the first has committed, finds them no longer due.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timeout.h"

/* True while okr writes a source's maintained columns: the guard lets it. */
static bool sources_writing = false;

/* okr.source_timeout: our own timer, as statement_timeout is armed per statement */
static int	source_timeout_id = -1;
static volatile sig_atomic_t source_timed_out = false;

static void
source_timeout_handler(void)
{
	source_timed_out = true;
	InterruptPending = true;
	QueryCancelPending = true;
	SetLatch(MyLatch);
}

/*
 * Refuse, when it is written, a query that is not one read-only SELECT: no
 * second statement, no INSERT/UPDATE/DELETE/DDL, no data-modifying WITH, no
 * FOR UPDATE/SHARE, no SELECT INTO.  What hides in functions is stopped at
 * run time by XactReadOnly.
 */
static void
check_select_node(SelectStmt *sel)
{
	if (sel->intoClause != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a source's query may not be SELECT INTO")));
	if (sel->lockingClause != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a source's query may not lock rows (FOR UPDATE, FOR SHARE)")));
	if (sel->withClause != NULL)
	{
		ListCell   *lc;

		foreach(lc, sel->withClause->ctes)
		{
			CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);

			if (!IsA(cte->ctequery, SelectStmt))
				ereport(ERROR,
						(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
						 errmsg("a source's query may not modify data in WITH \"%s\"", cte->ctename)));
			check_select_node((SelectStmt *) cte->ctequery);
		}
	}
	if (sel->larg)
		check_select_node(sel->larg);
	if (sel->rarg)
		check_select_node(sel->rarg);
}

static void
check_source_query(const char *query)
{
	List	   *stmts = raw_parser(query, RAW_PARSE_DEFAULT);
	RawStmt    *raw;

	if (list_length(stmts) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a source's query must be one SELECT, not %d statements", list_length(stmts))));
	raw = linitial_node(RawStmt, stmts);
	if (!IsA(raw->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a source's query must be a read-only SELECT")));
	check_select_node((SelectStmt *) raw->stmt);
}

static char *
tuple_text(TriggerData *td, HeapTuple tup, const char *col)
{
	int			fno = SPI_fnumber(td->tg_relation->rd_att, col);
	char	   *v;

	if (fno <= 0)
		elog(ERROR, "okr: okr.key_result_source has no column %s", col);
	v = SPI_getvalue(tup, td->tg_relation->rd_att, fno);
	if (v == NULL)
		elog(ERROR, "okr: okr.key_result_source.%s is NULL", col);
	return v;
}

PG_FUNCTION_INFO_V1(okr_source_guard);
Datum
okr_source_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_source_guard", "key_result_source", true);
	HeapTuple	tup;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("okr_source_guard fires only as okr installs it: BEFORE row trigger on okr.key_result_source")));
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	if (sources_writing)
		return PointerGetDatum(tup);

	(void) okr_run_as_role(tuple_text(td, tup, "run_as"));
	check_source_query(tuple_text(td, tup, "query"));
	/* an unknown time zone fails here (22023), not at every sample */
	(void) DirectFunctionCall2(timestamptz_zone,
							   CStringGetTextDatum(tuple_text(td, tup, "timezone")),
							   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
	return PointerGetDatum(tup);
}

/* One source, as loaded by okr_sample or okr_backfill. */
typedef struct Source
{
	int64		id;
	int64		key_result_id;
	char	   *query;
	Oid			run_as;
	char	   *run_as_name;
	char	   *timezone;
	TimestampTz cycle_start;
	TimestampTz cycle_end;
} Source;

/* One measurement: the argument of measure_fn in its subtransaction. */
typedef struct Measure
{
	Source	   *src;
	TimestampTz moment;
	bool		backdated;		/* okr.backfill: compare with the value in force then */
	MemoryContext mcxt;			/* where the results live */
	/* results */
	bool		isnull;
	Datum		value;
	int64		checkin_id;		/* 0: none recorded */
} Measure;

static void
measure_fn(void *arg)
{
	Measure    *m = (Measure *) arg;
	Source	   *src = m->src;
	OkrRunAs	ra;
	Datum		args[3];
	bool		save_read_only = XactReadOnly;
	volatile int rc = 0;
	bool		isnull;
	Datum		v;
	Oid			vtype;

	args[0] = TimestampTzGetDatum(m->moment);
	args[1] = TimestampTzGetDatum(src->cycle_start);
	args[2] = TimestampTzGetDatum(src->cycle_end);

	okr_run_as_begin(&ra, src->run_as, src->timezone);

	/* Read-only and timed; an error leaves both to the subtransaction's abort. */
	XactReadOnly = true;
	if (source_timeout_id < 0)
		source_timeout_id = RegisterTimeout(USER_TIMEOUT, source_timeout_handler);
	source_timed_out = false;
	enable_timeout_after((TimeoutId) source_timeout_id, okr_source_timeout_ms);
	PG_TRY();
	{
		Oid			types[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID};

		rc = SPI_execute_with_args(src->query, 3, types, args, NULL, false, 2);
	}
	PG_FINALLY();
	{
		disable_timeout((TimeoutId) source_timeout_id, false);
	}
	PG_END_TRY();
	/* a timer that fired as the query ended cancels here, inside */
	CHECK_FOR_INTERRUPTS();
	XactReadOnly = save_read_only;

	if (rc != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a source's query must be a read-only SELECT")));
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("the source's query returned %s rows, not one",
						SPI_processed == 0 ? "no" : "several")));
	if (SPI_tuptable->tupdesc->natts != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the source's query returned %d columns, not one",
						SPI_tuptable->tupdesc->natts)));

	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	vtype = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
	m->isnull = isnull;
	if (isnull)
	{
		/* a NULL value (a sum over no rows) records nothing */
		okr_run_as_end(&ra);
		return;
	}
	/* numeric as is, anything else through its text (22P02 if not a number) */
	if (vtype != NUMERICOID)
		v = DirectFunctionCall3(numeric_in,
								CStringGetDatum(SPI_getvalue(SPI_tuptable->vals[0],
															 SPI_tuptable->tupdesc, 1)),
								ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	{
		MemoryContext old = MemoryContextSwitchTo(m->mcxt);

		m->value = datumCopy(v, false, -1);
		MemoryContextSwitchTo(old);
	}
	{
		/* The value in force (now, or then for a back-dated one), as run_as. */
		Oid			latest_types[2] = {INT8OID, TIMESTAMPTZOID};
		Datum		latest_args[2];
		bool		record = true;

		latest_args[0] = Int64GetDatum(src->key_result_id);
		latest_args[1] = TimestampTzGetDatum(m->moment);
		rc = SPI_execute_with_args(m->backdated
								   ? "SELECT value FROM okr.checkin WHERE key_result_id = $1 AND checked_at <= $2 ORDER BY checked_at DESC, id DESC LIMIT 1"
								   : "SELECT value FROM okr.checkin WHERE key_result_id = $1 ORDER BY checked_at DESC, id DESC LIMIT 1",
								   m->backdated ? 2 : 1, latest_types, latest_args, NULL, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "okr: reading the latest check-in failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 1)
		{
			bool		lnull;
			Datum		latest = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &lnull);

			if (!lnull && DatumGetInt32(DirectFunctionCall2(numeric_cmp, latest, m->value)) == 0)
				record = false;
		}
		if (record)
		{
			Oid			ins_types[5] = {INT8OID, NUMERICOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
			Datum		ins_args[5];
			bool		cnull;

			ins_args[0] = Int64GetDatum(src->key_result_id);
			ins_args[1] = m->value;
			ins_args[2] = TimestampTzGetDatum(m->moment);
			ins_args[3] = CStringGetTextDatum(m->backdated ? "okr.backfill" : "okr.sample");
			ins_args[4] = CStringGetTextDatum(psprintf("measured by key-result source %lld as %s",
													   (long long) src->id, src->run_as_name));
			rc = SPI_execute_with_args("INSERT INTO okr.checkin (key_result_id, value, checked_at, author, note) "
									   "VALUES ($1, $2, $3, $4, $5) RETURNING id",
									   5, ins_types, ins_args, NULL, false, 0);
			if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
				elog(ERROR, "okr: recording the check-in failed: %s", SPI_result_code_string(rc));
			m->checkin_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &cnull));
		}
	}
	okr_run_as_end(&ra);
}

/*
 * Measure in a subtransaction.  Returns NULL on success, else the error
 * message (a timeout says so).  A cancel that is not our timeout is thrown.
 */
static char *
measure(Measure *m)
{
	ErrorData  *edata;

	m->isnull = true;
	m->checkin_id = 0;
	if (okr_subxact_run(measure_fn, m, &edata))
		return NULL;
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED && source_timed_out)
		return psprintf("canceled after okr.source_timeout (%d ms)", okr_source_timeout_ms);
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		ReThrowError(edata);
	return psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode), edata->message);
}

static Oid
okr_relid(const char *name)
{
	return get_relname_relid(name, get_namespace_oid("okr", false));
}

/* The sources of a query's result, copied into the current memory context. */
static Source *
load_sources(uint64 *n)
{
	Source	   *out = palloc0(sizeof(Source) * Max(SPI_processed, 1));
	TupleDesc	desc = SPI_tuptable->tupdesc;
	uint64		i;

	*n = SPI_processed;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		bool		isnull;

		out[i].id = DatumGetInt64(SPI_getbinval(t, desc, 1, &isnull));
		out[i].key_result_id = DatumGetInt64(SPI_getbinval(t, desc, 2, &isnull));
		out[i].query = SPI_getvalue(t, desc, 3);
		out[i].run_as_name = SPI_getvalue(t, desc, 4);
		out[i].timezone = SPI_getvalue(t, desc, 5);
		out[i].cycle_start = DatumGetTimestampTz(SPI_getbinval(t, desc, 6, &isnull));
		out[i].cycle_end = DatumGetTimestampTz(SPI_getbinval(t, desc, 7, &isnull));
	}
	return out;
}

#define SOURCE_COLUMNS \
	"SELECT s.id, s.key_result_id, s.query, s.run_as, s.timezone, " \
	"       c.starts_on::timestamp AT TIME ZONE s.timezone, " \
	"       (c.ends_on + 1)::timestamp AT TIME ZONE s.timezone " \
	"  FROM okr.key_result_source s JOIN okr.key_result k ON k.id = s.key_result_id " \
	"  JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle c ON c.id = o.cycle_id "

/* A role that no longer exists fails the source, as its error. */
static bool
resolve_run_as(Source *src, char **error)
{
	src->run_as = get_role_oid(src->run_as_name, true);
	if (!OidIsValid(src->run_as))
	{
		*error = psprintf("42704: run_as role \"%s\" does not exist", src->run_as_name);
		return false;
	}
	return true;
}

PG_FUNCTION_INFO_V1(okr_sample);
Datum
okr_sample(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		one = !PG_ARGISNULL(0);
	Oid			caller = GetUserId();
	bool		caller_reads;
	OkrAccess  *scope = okr_access_write(CurrentMemoryContext);
	OkrSpiState st;
	Oid			argtypes[2] = {INT8OID, INT8ARRAYOID};
	Datum		args[2];
	char		nulls[2];
	Source	   *srcs;
	uint64		n,
				i;
	volatile int rc;
	MemoryContext mcxt = CurrentMemoryContext;

	InitMaterializedSRF(fcinfo, 0);
	caller_reads = pg_class_aclcheck(okr_relid("key_result"), caller, ACL_SELECT) == ACLCHECK_OK;
	if (one)
		okr_access_require_key_result(scope, psprintf("the source of key result " INT64_FORMAT,
													  PG_GETARG_INT64(0)), PG_GETARG_INT64(0));
	/* $2: the teams of a scoped caller, NULL for one who writes everything */
	args[1] = okr_access_all(scope) ? (Datum) 0 : okr_access_teams_datum(scope);
	nulls[1] = okr_access_all(scope) ? 'n' : ' ';

	okr_spi_enter(&st, okr_rel_owner(okr_relid("key_result_source")));
	args[0] = one ? PG_GETARG_DATUM(0) : (Datum) 0;
	nulls[0] = one ? ' ' : 'n';
	/* SKIP LOCKED: another sampler is measuring it; once it commits, not due */
	rc = SPI_execute_with_args(SOURCE_COLUMNS
							   " WHERE CASE WHEN $1 IS NULL THEN s.enabled"
							   "   AND (s.last_sampled_at IS NULL OR s.last_sampled_at + s.every <= now())"
							   "   AND k.state = 'active' AND o.state = 'active'"
							   "   AND now() >= c.starts_on::timestamp AT TIME ZONE s.timezone"
							   "   AND now() < (c.ends_on + 1)::timestamp AT TIME ZONE s.timezone"
							   "   AND ($2 IS NULL OR o.team_id = ANY ($2))"
							   "   ELSE s.key_result_id = $1 END"
							   " ORDER BY s.key_result_id FOR UPDATE OF s SKIP LOCKED",
							   2, argtypes, args, nulls, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the sources failed: %s", SPI_result_code_string(rc));
	srcs = load_sources(&n);

	for (i = 0; i < n; i++)
	{
		Measure		m = {0};
		char	   *error = NULL;
		Datum		uargs[4];
		char		unulls[4] = {' ', ' ', ' ', ' '};

		m.src = &srcs[i];
		m.moment = GetCurrentTransactionStartTimestamp();
		m.mcxt = mcxt;
		m.isnull = true;
		if (resolve_run_as(&srcs[i], &error))
			error = measure(&m);

		/* the run is recorded, failed or not */
		uargs[0] = Int64GetDatum(srcs[i].id);
		uargs[1] = m.isnull || error ? (Datum) 0 : m.value;
		unulls[1] = m.isnull || error ? 'n' : ' ';
		uargs[2] = error ? CStringGetTextDatum(error) : (Datum) 0;
		unulls[2] = error ? ' ' : 'n';
		uargs[3] = BoolGetDatum(error != NULL);
		sources_writing = true;
		PG_TRY();
		{
			Oid			utypes[4] = {INT8OID, NUMERICOID, TEXTOID, BOOLOID};

			rc = SPI_execute_with_args("UPDATE okr.key_result_source SET last_sampled_at = now(),"
									   " last_value = CASE WHEN $4 THEN last_value ELSE $2 END,"
									   " last_error = $3,"
									   " last_error_at = CASE WHEN $4 THEN now() ELSE last_error_at END"
									   " WHERE id = $1",
									   4, utypes, uargs, unulls, false, 0);
		}
		PG_FINALLY();
		{
			sources_writing = false;
		}
		PG_END_TRY();
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "okr: recording the sample failed: %s", SPI_result_code_string(rc));

		if (caller_reads)
		{
			Datum		values[4];
			bool		isnull[4] = {false, m.isnull || error, m.checkin_id == 0, error == NULL};
			MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);

			values[0] = Int64GetDatum(srcs[i].key_result_id);
			values[1] = isnull[1] ? (Datum) 0 : m.value;
			values[2] = Int64GetDatum(m.checkin_id);
			values[3] = error ? CStringGetTextDatum(error) : (Datum) 0;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
			MemoryContextSwitchTo(old);
		}
	}
	okr_spi_leave(&st);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(okr_backfill);
Datum
okr_backfill(PG_FUNCTION_ARGS)
{
	int64		key_result_id = PG_GETARG_INT64(0);
	Interval   *step = PG_GETARG_INTERVAL_P(3);
	OkrSpiState st;
	OkrRunAs	tz;
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1];
	Oid			mtypes[5] = {TIMESTAMPTZOID, TIMESTAMPTZOID, INTERVALOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		margs[5];
	Source	   *src;
	uint64		n,
				i;
	int			rc;
	int64		written = 0;
	SPITupleTable *moments;
	uint64		nmoments;
	MemoryContext mcxt = CurrentMemoryContext;

	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(step),
										  DirectFunctionCall3(interval_in, CStringGetDatum("0"),
															  ObjectIdGetDatum(InvalidOid),
															  Int32GetDatum(-1)))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("okr.backfill: step must be positive")));
	okr_access_require_key_result(okr_access_write(CurrentMemoryContext),
								  psprintf("okr.backfill of key result " INT64_FORMAT, key_result_id),
								  key_result_id);

	okr_spi_enter(&st, okr_rel_owner(okr_relid("key_result_source")));
	args[0] = Int64GetDatum(key_result_id);
	rc = SPI_execute_with_args(SOURCE_COLUMNS " WHERE s.key_result_id = $1 FOR UPDATE OF s",
							   1, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the source failed: %s", SPI_result_code_string(rc));
	src = load_sources(&n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("key result %lld has no source", (long long) key_result_id)));

	/* It writes history as run_as: only who may name run_as may ask. */
	{
		Oid			save_user;
		int			save_sec;

		GetUserIdAndSecContext(&save_user, &save_sec);
		SetUserIdAndSecContext(st.save_userid, st.save_sec_context);
		src->run_as = okr_run_as_role(src->run_as_name);
		SetUserIdAndSecContext(save_user, save_sec);
	}

	/* The moments, stepped in the source's time zone, inside the cycle, not ahead. */
	margs[0] = PG_GETARG_DATUM(1);
	margs[1] = PG_GETARG_DATUM(2);
	margs[2] = PG_GETARG_DATUM(3);
	margs[3] = TimestampTzGetDatum(src->cycle_start);
	margs[4] = TimestampTzGetDatum(src->cycle_end);
	okr_run_as_begin(&tz, InvalidOid, src->timezone);
	rc = SPI_execute_with_args("SELECT m FROM pg_catalog.generate_series($1, $2, $3) m"
							   " WHERE m >= $4 AND m < $5 AND m <= now() ORDER BY m",
							   5, mtypes, margs, NULL, false, (long) okr_history_max_rows + 1);
	okr_run_as_end(&tz);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: listing the moments failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > (uint64) okr_history_max_rows)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("okr.backfill: more than okr.history_max_rows (%d) moments", okr_history_max_rows)));
	moments = SPI_tuptable;
	nmoments = SPI_processed;

	for (i = 0; i < nmoments; i++)
	{
		Measure		m = {0};
		bool		isnull;
		char	   *error;

		m.src = src;
		m.moment = DatumGetTimestampTz(SPI_getbinval(moments->vals[i], moments->tupdesc, 1, &isnull));
		m.backdated = true;
		m.mcxt = mcxt;
		error = measure(&m);
		/* all or nothing: the first failure fails the backfill */
		if (error)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("okr.backfill: the source of key result %lld failed at %s",
							(long long) key_result_id, timestamptz_to_str(m.moment)),
					 errdetail("%s", error)));
		if (m.checkin_id != 0)
			written++;
	}
	okr_spi_leave(&st);
	PG_RETURN_INT64(written);
}
