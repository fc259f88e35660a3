/*
 * history.c
 *	  Recording history (SPEC 7): the deferred trigger okr_95_history that
 *	  writes every committed version of the rows of okr's goals and work
 *	  into okr.<table>_history, and okr.forget_history().
 *
 * The trigger is deferred, so it runs at commit, after okr_90_maintain, and
 * every version of one transaction gets one moment: the clock when the
 * first of them is written.  (SET CONSTRAINTS ... IMMEDIATE makes that
 * earlier; the moment stays the transaction's.)  A version is the whole
 * row, passed to the INSERT as one composite value: the history table has
 * the table's columns by name, but the maintained ones, which are derived
 * from the check-ins and tasks.  It writes as the owner of okr's tables:
 * writers may not write history themselves.
 *
 * Rows that a pg_dump restore brings back (trigger_util.c's test of the
 * session) bring their history with them, restored from the history tables'
 * own dump, so their INSERTs are not recorded again.
 *
 * When an objective becomes closed, its score (progress at the end of its
 * cycle, as known now: this transaction's changes included) is kept in
 * okr.frozen_score, and dropped when it is reopened (SPEC 7: closed scores
 * stay closed).
 */
#include "okr.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "trigger_util.h"

static const char *const history_tables[] = {
	"cycle", "team", "objective", "key_result", "checkin", "project", "task"
};
#define N_HISTORY_TABLES lengthof(history_tables)

/*
 * How a version of one table is written.  Each kept column goes as it is
 * into the history table's column of the same name and type, inserted
 * straight into the heap and its indexes (an SPI INSERT per version was
 * most of what history cost a write: its executor start and end); when a
 * column's type differs (okr's owner altered one), through the INSERT that
 * casts.
 */
typedef struct HistoryPlan
{
	Oid			rowtype;		/* the table's row type the plan was made for */
	SPIPlanPtr	plan;			/* the INSERT, when not direct */
	bool		direct;
	Oid			relid;			/* okr.<t>_history */
	Oid			seqid;			/* okr.history_hid_seq */
	int			ncols;
	AttrNumber *attnums;		/* the kept columns in the table */
	AttrNumber *hist_attnums;	/* ... and in the history table */
} HistoryPlan;

static HistoryPlan plans[N_HISTORY_TABLES];

/* this transaction's moment */
static FullTransactionId moment_xid;
static TimestampTz moment;

static int
history_table(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	int			i;

	for (i = 0; i < (int) N_HISTORY_TABLES; i++)
		if (strcmp(name, history_tables[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("okr_record_history fires only on okr's tables of goals and work, not on okr.%s",
					name)));
	return -1;					/* keep the compiler quiet */
}

/*
 * INSERT INTO okr.<t>_history (hid, recorded_at, actor, action, <cols>)
 * VALUES (nextval(...), $1, $2, $3, ($4).<col>, ...), where <cols> are the
 * history table's columns after its four of its own.
 */
static HistoryPlan *
history_plan(int t, Relation rel)
{
	Oid			rowtype = rel->rd_rel->reltype;
	HistoryPlan *hp = &plans[t];
	StringInfoData cols,
				vals,
				sql;
	Oid			argtypes[4] = {TIMESTAMPTZOID, TEXTOID, TEXTOID, rowtype};
	SPIPlanPtr	plan;
	uint64		i;
	int			rc;
	bool		direct,
				isnull0;

	if (hp->rowtype == rowtype && (hp->plan || hp->direct))
		return hp;
	if (hp->plan)
		SPI_freeplan(hp->plan); /* the extension was created again */
	if (hp->attnums)
	{
		pfree(hp->attnums);
		pfree(hp->hist_attnums);
	}
	hp->plan = NULL;
	hp->direct = false;
	hp->attnums = hp->hist_attnums = NULL;
	rc = SPI_execute(psprintf("SELECT a.attname, a.attnum, a.atttypid, a.attrelid,"
							  " 'okr.history_hid_seq'::pg_catalog.regclass,"
							  " (SELECT pg_catalog.array_agg(f.atttypid ORDER BY f.attnum)::text"
							  "   FROM pg_catalog.pg_attribute f WHERE f.attrelid = a.attrelid"
							  "   AND f.attnum BETWEEN 1 AND 4)"
							  " FROM pg_catalog.pg_attribute a"
							  " WHERE a.attrelid = 'okr.%s_history'::pg_catalog.regclass"
							  " AND a.attnum > 4 AND NOT a.attisdropped ORDER BY a.attnum",
							  history_tables[t]), true, 0);
	if (rc != SPI_OK_SELECT || SPI_processed == 0)
		elog(ERROR, "okr: cannot read the columns of okr.%s_history", history_tables[t]);
	initStringInfo(&cols);
	initStringInfo(&vals);
	hp->ncols = (int) SPI_processed;
	hp->attnums = MemoryContextAlloc(TopMemoryContext, sizeof(AttrNumber) * SPI_processed);
	hp->hist_attnums = MemoryContextAlloc(TopMemoryContext, sizeof(AttrNumber) * SPI_processed);
	/* hid bigint, recorded_at timestamptz, actor text, action text, then the row */
	direct = strcmp(okr_result_text(0, 6),
					psprintf("{%u,%u,%u,%u}", INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID)) == 0;
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *name = okr_result_text((int) i, 1);
		const char *col = quote_identifier(name);
		bool		isnull;

		hp->attnums[i] = SPI_fnumber(RelationGetDescr(rel), name);
		if (hp->attnums[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("okr cannot keep the history of okr.%s: it has no column %s",
							history_tables[t], col),
					 errhint("okr's tables must keep the columns that CREATE EXTENSION gave them.")));
		hp->hist_attnums[i] = DatumGetInt16(okr_result_datum((int) i, 2, INT2OID, &isnull));
		if (DatumGetObjectId(okr_result_datum((int) i, 3, OIDOID, &isnull)) !=
			TupleDescAttr(RelationGetDescr(rel), hp->attnums[i] - 1)->atttypid)
			direct = false;
		appendStringInfo(&cols, ", %s", col);
		appendStringInfo(&vals, ", ($4).%s", col);
	}
	hp->relid = DatumGetObjectId(okr_result_datum(0, 4, OIDOID, &isnull0));
	hp->seqid = DatumGetObjectId(okr_result_datum(0, 5, REGCLASSOID, &isnull0));
	hp->rowtype = rowtype;
	if (direct)
	{
		hp->direct = true;
		return hp;
	}
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "INSERT INTO okr.%s_history (hid, recorded_at, actor, action%s)"
					 " VALUES (pg_catalog.nextval('okr.history_hid_seq'), $1, $2, $3%s)",
					 history_tables[t], cols.data, vals.data);
	plan = SPI_prepare(sql.data, 4, argtypes);
	if (plan == NULL)
		elog(ERROR, "okr: cannot prepare the history of okr.%s: %s",
			 history_tables[t], SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "okr: SPI_keepplan failed");
	hp->plan = plan;
	return hp;
}

/* Write one version into okr.<t>_history (insert.c: as an INSERT would). */
static void
write_version(HistoryPlan *hp, Relation rel, HeapTuple tuple, Datum moment,
			  Datum actor, Datum action)
{
	OkrInserter ins;
	TupleDesc	hdesc;
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *values;
	bool	   *nulls;
	int			i;

	okr_inserter_open(&ins, hp->relid);
	hdesc = RelationGetDescr(ins.rel);
	values = palloc0(hdesc->natts * sizeof(Datum));
	nulls = palloc(hdesc->natts * sizeof(bool));
	memset(nulls, true, hdesc->natts * sizeof(bool));
	values[0] = Int64GetDatum(nextval_internal(hp->seqid, false));
	values[1] = moment;
	values[2] = actor;
	values[3] = action;
	nulls[0] = nulls[1] = nulls[2] = nulls[3] = false;
	for (i = 0; i < hp->ncols; i++)
	{
		int			h = hp->hist_attnums[i] - 1;

		if (h >= 0 && h < hdesc->natts)
			values[h] = heap_getattr(tuple, hp->attnums[i], desc, &nulls[h]);
	}
	okr_inserter_put(&ins, values, nulls);
	okr_inserter_close(&ins);
}

/* Did an UPDATE change a kept column (not only the maintained ones)? */
static bool
kept_columns_changed(const HistoryPlan *hp, TriggerData *td)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			i;

	for (i = 0; i < hp->ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, hp->attnums[i] - 1);
		bool		old_null,
					new_null;
		Datum		old_value = heap_getattr(td->tg_trigtuple, hp->attnums[i], desc, &old_null);
		Datum		new_value = heap_getattr(td->tg_newtuple, hp->attnums[i], desc, &new_null);

		if (old_null != new_null ||
			(!old_null && !datumIsEqual(old_value, new_value, att->attbyval, att->attlen)))
			return true;
	}
	return false;
}

/* One moment per transaction, taken when its first version is written. */
static TimestampTz
transaction_moment(void)
{
	FullTransactionId xid = GetTopFullTransactionId();

	if (!FullTransactionIdEquals(xid, moment_xid))
	{
		moment_xid = xid;
		moment = GetCurrentTimestamp();
	}
	return moment;
}

/*
 * session_user, and " as " current_user when that differs (SPEC 7); kept
 * for the pair of roles of the last version written (a role's name can
 * change only between transactions).
 */
static char *
history_actor(void)
{
	static Oid	last_session = InvalidOid;
	static Oid	last_current = InvalidOid;
	static FullTransactionId last_xid;
	static char actor[2 * NAMEDATALEN + 8];
	Oid			session = GetSessionUserId();
	Oid			current = GetUserId();
	FullTransactionId xid = GetTopFullTransactionId();

	if (session != last_session || current != last_current ||
		!FullTransactionIdEquals(xid, last_xid))
	{
		const char *s = GetUserNameFromId(session, false);

		if (session == current)
			strlcpy(actor, s, sizeof(actor));
		else
			snprintf(actor, sizeof(actor), "%s as %s", s, GetUserNameFromId(current, false));
		last_session = session;
		last_current = current;
		last_xid = xid;
	}
	return actor;
}

/* A pg_dump restore, by the table's owner (trigger_util.c, "Restored rows"). */
static bool
restoring(Relation rel)
{
	return !row_security && !check_function_bodies &&
		has_privs_of_role(GetUserId(), rel->rd_rel->relowner);
}

/* Keep (or drop) the score of an objective that was closed (or reopened). */
static void
freeze_score(TriggerData *td)
{
	static SPIPlanPtr keep_plan = NULL;
	static SPIPlanPtr drop_plan = NULL;
	char	   *new_state = okr_get_text(td, TRIGGER_FIRED_BY_UPDATE(td->tg_event) ?
										 td->tg_newtuple : td->tg_trigtuple, "state");

	char	   *old_state = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ?
		okr_get_text(td, td->tg_trigtuple, "state") : NULL;
	bool		closed = okr_streq(new_state, "closed");
	bool		was_closed = okr_streq(old_state, "closed");
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		closed = false, was_closed = true;	/* its kept score goes with it */
	if (closed == was_closed)
		return;
	values[0] = Int64GetDatum(okr_get_id(td, td->tg_trigtuple, "id"));
	if (closed)
		okr_run_plan(okr_spi_plan(&keep_plan,
								  "INSERT INTO okr.frozen_score (id, score)"
								  " SELECT o.id, okr.objective_progress(o.id, okr.cycle_end(o.cycle_id))"
								  " FROM okr.objective o WHERE o.id = $1"
								  " ON CONFLICT (id) DO UPDATE SET score = EXCLUDED.score",
								  1, argtypes), values, NULL, 0);
	else
		okr_run_plan(okr_spi_plan(&drop_plan,
								  "DELETE FROM okr.frozen_score WHERE id = $1",
								  1, argtypes), values, NULL, 0);
}

PG_FUNCTION_INFO_V1(okr_record_history);

Datum
okr_record_history(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_record_history", NULL, true);
	Relation	rel = td->tg_relation;
	int			t = history_table(rel);
	HeapTuple	tuple;
	const char *action;
	Datum		values[4];
	OkrSpiState st;
	HistoryPlan *hp;
	int			rc;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		if (restoring(rel))
			return PointerGetDatum(NULL);
		tuple = td->tg_trigtuple;
		action = "insert";
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		tuple = td->tg_newtuple;
		action = "update";
	}
	else
	{
		tuple = td->tg_trigtuple;
		action = "delete";
	}

	values[1] = CStringGetTextDatum(history_actor());
	values[2] = CStringGetTextDatum(action);

	/*
	 * A table whose versions go straight into the heap, with its columns
	 * already known, runs no query (but an objective's kept score): no SPI,
	 * only the switch to the owner.  Nothing below looks a name up.
	 */
	hp = &plans[t];
	if (hp->direct && hp->rowtype == rel->rd_rel->reltype &&
		strcmp(history_tables[t], "objective") != 0)
	{
		Oid			save_userid;
		int			save_sec_context;

		if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && !kept_columns_changed(hp, td))
			return PointerGetDatum(NULL);
		GetUserIdAndSecContext(&save_userid, &save_sec_context);
		SetUserIdAndSecContext(okr_access_owner(),
							   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_NOFORCE_RLS);
		write_version(hp, rel, tuple, TimestampTzGetDatum(transaction_moment()),
					  values[1], values[2]);
		SetUserIdAndSecContext(save_userid, save_sec_context);
		return PointerGetDatum(NULL);
	}

	okr_spi_enter(&st, okr_access_owner());
	hp = history_plan(t, rel);
	/* an UPDATE of nothing kept (the maintained columns, a no-op) is no version */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && !kept_columns_changed(hp, td))
	{
		okr_spi_leave(&st);
		return PointerGetDatum(NULL);
	}
	values[0] = TimestampTzGetDatum(transaction_moment());
	if (hp->direct)
	{
		write_version(hp, rel, tuple, values[0], values[1], values[2]);
		rc = SPI_OK_INSERT;
	}
	else
	{
		values[3] = heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel));
		rc = SPI_execute_plan(hp->plan, values, NULL, false, 0);
	}
	if (rc == SPI_OK_INSERT && strcmp(history_tables[t], "objective") == 0)
		freeze_score(td);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "okr: writing the history of okr.%s failed: %s",
			 history_tables[t], SPI_result_code_string(rc));
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}
