/*
 * trigger_util.c
 *	  What every trigger function of okr uses: checking where it fires,
 *	  reading columns of the trigger's rows by name (checked against the
 *	  types okr reads them as), running cached SPI plans and reading their
 *	  results, and recognising rows that a pg_dump restore brings back.
 *
 * It calls nothing of okr's but spi_util.c: the rule files (rules_*.c) and
 * maintain.c build on it.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"

/* ---------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

/*
 * The trigger data, after checking the function fires where okr put it: on
 * its own table in schema okr (table NULL: any okr table), per row or per
 * statement as declared.  Attached anywhere else it would read columns that
 * are not there.
 */
TriggerData *
okr_trigger_data(FunctionCallInfo fcinfo, const char *fname, const char *table,
			 bool for_row)
{
	static Oid	okr_namespace = InvalidOid;
	TriggerData *td;
	Oid			nsp;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: not called by trigger manager", fname)));
	td = (TriggerData *) fcinfo->context;
	nsp = RelationGetNamespace(td->tg_relation);
	/* remember okr's schema; look it up again only on a mismatch (recreated) */
	if (nsp != okr_namespace)
		okr_namespace = get_namespace_oid("okr", true);
	if (nsp != okr_namespace ||
		(table && strcmp(RelationGetRelationName(td->tg_relation), table) != 0) ||
		(TRIGGER_FIRED_FOR_ROW(td->tg_event) ? 1 : 0) != (for_row ? 1 : 0))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s fires only as okr installs it: %s trigger on %s",
						fname, for_row ? "row" : "statement",
						table ? psprintf("okr.%s", table) : "okr's tables")));
	return td;
}

/*
 * The type okr's code reads a column as, from its name (each name has one
 * type across okr's tables); InvalidOid for columns read as any type.
 */
static Oid
column_type(const char *col)
{
	const char *suffix = strrchr(col, '_');

	if (strcmp(col, "id") == 0 || (suffix && strcmp(suffix, "_id") == 0))
		return INT8OID;
	if (strcmp(col, "value") == 0 || strcmp(col, "start_value") == 0 ||
		strcmp(col, "target_value") == 0 || strcmp(col, "current_value") == 0)
		return NUMERICOID;
	if (strcmp(col, "state") == 0 || strcmp(col, "kind") == 0 || strcmp(col, "status") == 0)
		return TEXTOID;
	if (strcmp(col, "weight") == 0 || strcmp(col, "effort") == 0 ||
		strcmp(col, "current_progress") == 0)
		return FLOAT8OID;
	if (strcmp(col, "checked_at") == 0 || strcmp(col, "done_at") == 0 ||
		strcmp(col, "last_checkin_at") == 0)
		return TIMESTAMPTZOID;
	if (strcmp(col, "is_open") == 0)
		return BOOLOID;
	return InvalidOid;
}

/*
 * A column's number, after checking it is still there with the type the
 * code reads it as: okr's owner can rename a column or change its type, and
 * a datum taken as the wrong type would crash the server.
 */
int
okr_attnum_of(TriggerData *td, const char *col)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			attno = SPI_fnumber(desc, col);
	Oid			want = column_type(col);

	if (attno <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("okr needs column \"%s\" of okr.%s, which no longer exists",
						col, RelationGetRelationName(td->tg_relation)),
				 errhint("okr's tables must keep the columns that CREATE EXTENSION gave them; rename it back.")));
	if (OidIsValid(want) && TupleDescAttr(desc, attno - 1)->atttypid != want)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("okr cannot read okr.%s.%s: it is of type %s, not %s",
						RelationGetRelationName(td->tg_relation), col,
						format_type_be(TupleDescAttr(desc, attno - 1)->atttypid),
						format_type_be(want)),
				 errhint("okr's tables must keep the column types that CREATE EXTENSION gave them; alter the column back.")));
	return attno;
}

Datum
okr_get_col(TriggerData *td, HeapTuple tup, const char *col, bool *isnull)
{
	return heap_getattr(tup, okr_attnum_of(td, col),
						RelationGetDescr(td->tg_relation), isnull);
}

/*
 * bigint column; 0 when NULL.  Only for NOT NULL columns (where a NULL is
 * reported by the constraint after the BEFORE triggers) or with has set:
 * every bigint, 0 and negative ones included, is an id.
 */
int64
okr_get_id_opt(TriggerData *td, HeapTuple tup, const char *col, bool *has)
{
	bool		isnull;
	Datum		d = okr_get_col(td, tup, col, &isnull);

	if (has)
		*has = !isnull;
	return isnull ? 0 : DatumGetInt64(d);
}

int64
okr_get_id(TriggerData *td, HeapTuple tup, const char *col)
{
	return okr_get_id_opt(td, tup, col, NULL);
}

/* text column as a C string; NULL when NULL */
char *
okr_get_text(TriggerData *td, HeapTuple tup, const char *col)
{
	bool		isnull;
	Datum		d = okr_get_col(td, tup, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * How a message names the row tup of the trigger's table: by its id once it
 * exists ("objective 12"), and while it is being inserted by what the user
 * wrote ('new objective "Grow EMEA"', "a new check-in of key result 4 at
 * ..."): the id an INSERT draws from the identity sequence is consumed, and
 * never exists if the insert fails.
 */
char *
okr_row_name(TriggerData *td, HeapTuple tup)
{
	static const struct
	{
		const char *table;
		const char *noun;
		const char *label;
	}			names[] = {
		{"cycle", "cycle", "name"},
		{"team", "team", "name"},
		{"objective", "objective", "title"},
		{"key_result", "key result", "title"},
		{"project", "project", "name"},
		{"task", "task", "title"},
	};
	const char *table = RelationGetRelationName(td->tg_relation);

	if (strcmp(table, "checkin") == 0)
	{
		bool		isnull;
		Datum		at = okr_get_col(td, tup, "checked_at", &isnull);

		if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
			return psprintf("check-in " INT64_FORMAT, okr_get_id(td, tup, "id"));
		return psprintf("a new check-in of key result " INT64_FORMAT "%s%s",
						okr_get_id(td, tup, "key_result_id"), isnull ? "" : " at ",
						isnull ? "" : timestamptz_to_str(DatumGetTimestampTz(at)));
	}
	/* (sources and feeds have no title: by what they belong to) */
	if (strcmp(table, "key_result_source") == 0)
	{
		if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
			return psprintf("key-result source " INT64_FORMAT, okr_get_id(td, tup, "id"));
		return psprintf("a new key-result source of key result " INT64_FORMAT,
						okr_get_id(td, tup, "key_result_id"));
	}
	if (strcmp(table, "task_feed") == 0)
	{
		bool		isnull;
		Datum		source = okr_get_col(td, tup, "source", &isnull);

		if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
			return psprintf("task feed " INT64_FORMAT, okr_get_id(td, tup, "id"));
		return psprintf("a new task feed of %s", isnull ? "(no source)" :
						DatumGetCString(DirectFunctionCall1(regclassout, source)));
	}
	for (int i = 0; i < (int) lengthof(names); i++)
	{
		char	   *label;

		if (strcmp(names[i].table, table) != 0)
			continue;
		if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
			return psprintf("%s " INT64_FORMAT, names[i].noun, okr_get_id(td, tup, "id"));
		label = okr_get_text(td, tup, names[i].label);
		return psprintf("new %s \"%s\"", names[i].noun, label ? label : "");
	}
	elog(ERROR, "okr_row_name: no name for rows of okr.%s", table);
	return NULL;				/* keep compiler quiet */
}

/* Did an UPDATE change this column?  (binary comparison: conservative) */
bool
okr_col_changed(TriggerData *td, const char *col)
{
	int			attno = okr_attnum_of(td, col);
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
	bool		n1,
				n2;
	Datum		d1 = heap_getattr(td->tg_trigtuple, attno, desc, &n1);
	Datum		d2 = heap_getattr(td->tg_newtuple, attno, desc, &n2);

	if (n1 || n2)
		return n1 != n2;
	return !datumIsEqual(d1, d2, att->attbyval, att->attlen);
}

bool
okr_streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Run a cached plan; returns the number of rows. */
uint64
okr_run_plan(SPIPlanPtr plan, Datum *values, const char *nulls, long limit)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, limit);

	if (rc < 0)
		elog(ERROR, "okr: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * A binary result column of the type the caller takes it as (checked: the
 * query reads okr's columns, whose types their owner could have altered).
 */
Datum
okr_result_datum(int row, int col, Oid type, bool *isnull)
{
	Oid			got = SPI_gettypeid(SPI_tuptable->tupdesc, col);

	if (got != type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("okr cannot read column %s of okr's tables: it is of type %s, not %s",
						SPI_fname(SPI_tuptable->tupdesc, col),
						format_type_be(got), format_type_be(type)),
				 errhint("okr's tables must keep the column types that CREATE EXTENSION gave them; alter the column back.")));
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

int64
okr_result_int64(int row, int col, bool *isnull)
{
	Datum		d = okr_result_datum(row, col, INT8OID, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

char *
okr_result_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}


bool
okr_state_is_closed(const char *state)
{
	return okr_streq(state, "closed") || okr_streq(state, "cancelled");
}

/* ---------------------------------------------------------------------
 * Restored rows.  pg_dump reloads these tables with COPY, ids included, in
 * whatever order it likes, after CREATE EXTENSION has installed the
 * triggers; rows under a closed objective, key results with their
 * current_value, check-ins taken in another time zone all come back.  A row
 * is treated as existing history being restored, not as something new, when
 * all of these hold:
 *   - the session looks like a pg_dump restore: row_security and
 *     check_function_bodies are both off (pg_dump's script and pg_restore
 *     set both at the start of every restore; ordinary sessions leave them
 *     on);
 *   - the writer owns the table (or is a superuser);
 *   - the row is INSERTed with an explicit id beyond its identity sequence.
 * Then the rules about adding something new (6), about the session's time
 * zone (5) and about deriving current_value (4: the supplied value is
 * replaced by the one derived from the check-ins present, which the
 * check-ins then maintain) do not reject it.  The structural rules 1, 2, 3
 * and 7 always apply.  The test runs only when one of those rules is about
 * to reject a row, so ordinary inserts never pay for it.
 * --------------------------------------------------------------------- */

/*
 * The state of one trigger call (OkrRow, on its stack): a maintenance
 * UPDATE that fires a guard inside another guard's call has its own, so
 * neither sees the other's row.
 */
void
okr_begin_row(OkrRow *row, TriggerData *td)
{
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		row->td = td;
		row->tuple = td->tg_trigtuple;
		row->user = GetUserId();	/* before okr_spi_enter switches it */
	}
	else
	{
		row->td = NULL;
		row->tuple = NULL;
		row->user = InvalidOid;
	}
	row->restored = -1;
}

/* Must be called inside SPI (okr_spi_enter). */
bool
okr_row_is_restored(OkrRow *row)
{
	if (row->td == NULL)
		return false;
	if (row->restored < 0)
	{
		static SPIPlanPtr plan = NULL;
		Oid			seq = getIdentitySequence(RelationGetRelid(row->td->tg_relation),
											  okr_attnum_of(row->td, "id"), true);
		bool		isnull = true;
		int64		last = 0;

		row->restored = 0;
		if (!OidIsValid(seq) || row_security || check_function_bodies ||
			!has_privs_of_role(row->user, row->td->tg_relation->rd_rel->relowner))
			return false;
		{
			/* callers read their own result after asking: keep it */
			SPITupleTable *saved = SPI_tuptable;
			uint64		saved_n = SPI_processed;
			Oid			argtypes[1] = {OIDOID};
			Datum		values[1];

			values[0] = ObjectIdGetDatum(seq);
			okr_run_plan(okr_spi_plan(&plan,
									  "SELECT pg_sequence_last_value($1::regclass)",
									  1, argtypes),
						 values, NULL, 1);
			if (SPI_processed > 0)
				last = okr_result_int64(0, 1, &isnull);
			SPI_tuptable = saved;
			SPI_processed = saved_n;
		}
		row->restored = (isnull || okr_get_id(row->td, row->tuple, "id") > last) ? 1 : 0;
	}
	return row->restored == 1;
}

/*
 * The plan that reads a key result's latest check-in (latest checked_at,
 * then highest id): value, checked_at, given $1 = key_result_id.
 */
SPIPlanPtr
okr_latest_checkin_plan(void)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};

	return okr_spi_plan(&plan,
						"SELECT value, checked_at FROM okr.checkin WHERE key_result_id = $1"
						" ORDER BY checked_at DESC, id DESC LIMIT 1",
						1, argtypes);
}

/* numeric n = v? */
bool
okr_numeric_is(Datum n, int64 v)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
											 DirectFunctionCall1(int8_numeric, Int64GetDatum(v)))) == 0;
}
