/*
 * triggers.c
 *	  The link rules of SPEC 2, enforced for every client and statement kind.
 *
 * One trigger function per table, plus a statement-level lock:
 *
 *	okr_structure_lock  BEFORE STATEMENT on cycle, team, objective when a
 *						hierarchy link or a cycle's dates may change.  It takes
 *						one transaction-level advisory lock, so two sessions
 *						can never build a cycle or break a cover together, and
 *						because it is taken before any row is locked it cannot
 *						deadlock with the row locks of the statements it guards.
 *	okr_cycle_check, okr_team_check, okr_objective_check
 *						AFTER ROW: rules 1, 2, 5 and 6 for the hierarchies.
 *						AFTER triggers see every row of the statement, so a
 *						multi-row UPDATE that swaps two parents is caught.
 *	okr_key_result_guard BEFORE ROW on key_result: rules 3, 4, 5 and 6.
 *	okr_checkin_guard	BEFORE ROW on checkin: rules 3, 5 and 6.
 *	okr_checkin_sync	AFTER ROW on checkin: rule 4 (current_value and
 *						last_checkin_at).
 *	okr_project_guard	BEFORE ROW on project: rule 6; effort counters are ours.
 *	okr_task_guard		BEFORE ROW on task: rule 7.
 *	okr_task_sync		AFTER ROW on task: rule 6 and the project's effort
 *						counters (effort_total, effort_done) that let the
 *						rollup skip reading tasks.
 *	okr_truncate_sync	AFTER TRUNCATE on checkin and task: reset what the
 *						truncated rows maintained.
 *
 * Locking, always top-down (objective, then key result, then project) so the
 * extension's own locks cannot deadlock each other: a new child takes FOR
 * SHARE on the parents whose state decides rule 6, which makes it wait for a
 * concurrent "close" and then see it.  A check-in takes FOR NO KEY UPDATE on
 * its key result at once (it will update current_value), so two check-ins
 * never hold a shared lock they both need to upgrade.  Under READ COMMITTED
 * every SPI query below takes a fresh snapshot, so once a lock is granted the
 * check sees what the other session committed.
 *
 * All queries run with search_path pinned and as the table owner (spi_util.c).
 */
#include "okr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/guc.h"
#include "utils/rls.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(okr_structure_lock);
PG_FUNCTION_INFO_V1(okr_cycle_check);
PG_FUNCTION_INFO_V1(okr_team_check);
PG_FUNCTION_INFO_V1(okr_objective_check);
PG_FUNCTION_INFO_V1(okr_key_result_guard);
PG_FUNCTION_INFO_V1(okr_checkin_guard);
PG_FUNCTION_INFO_V1(okr_checkin_sync);
PG_FUNCTION_INFO_V1(okr_truncate_sync);
PG_FUNCTION_INFO_V1(okr_task_sync);
PG_FUNCTION_INFO_V1(okr_project_guard);
PG_FUNCTION_INFO_V1(okr_task_guard);

/* Advisory lock key of the structure lock: ('okr', 1). */
#define OKR_LOCK_KEY1	0x006F6B72
#define OKR_LOCK_KEY2	1

/* True while we write a maintained column (current_value, effort counters). */
static bool okr_syncing_current_value = false;


/* ---------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

/*
 * The trigger data, after checking the function fires where okr put it: on
 * its own table in schema okr (table NULL: any okr table), per row or per
 * statement as declared.  Attached anywhere else it would read columns that
 * are not there.
 */
static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *fname, const char *table,
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
static int
attnum_of(TriggerData *td, const char *col)
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

static Datum
get_col(TriggerData *td, HeapTuple tup, const char *col, bool *isnull)
{
	return heap_getattr(tup, attnum_of(td, col),
						RelationGetDescr(td->tg_relation), isnull);
}

/*
 * bigint column; 0 when NULL.  Only for NOT NULL columns (where a NULL is
 * reported by the constraint after the BEFORE triggers) or with has set:
 * every bigint, 0 and negative ones included, is an id.
 */
static int64
get_id_opt(TriggerData *td, HeapTuple tup, const char *col, bool *has)
{
	bool		isnull;
	Datum		d = get_col(td, tup, col, &isnull);

	if (has)
		*has = !isnull;
	return isnull ? 0 : DatumGetInt64(d);
}

static int64
get_id(TriggerData *td, HeapTuple tup, const char *col)
{
	return get_id_opt(td, tup, col, NULL);
}

/* text column as a C string; NULL when NULL */
static char *
get_text(TriggerData *td, HeapTuple tup, const char *col)
{
	bool		isnull;
	Datum		d = get_col(td, tup, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Did an UPDATE change this column?  (binary comparison: conservative) */
static bool
col_changed(TriggerData *td, const char *col)
{
	int			attno = attnum_of(td, col);
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

static bool
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Run a cached plan; returns the number of rows. */
static uint64
run_plan(SPIPlanPtr plan, Datum *values, const char *nulls, long limit)
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
static Datum
result_datum(int row, int col, Oid type, bool *isnull)
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

static int64
result_int64(int row, int col, bool *isnull)
{
	Datum		d = result_datum(row, col, INT8OID, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

static char *
result_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}


static bool
state_is_closed(const char *state)
{
	return streq(state, "closed") || streq(state, "cancelled");
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

static TriggerData *insert_td = NULL;
static HeapTuple insert_tuple = NULL;
static Oid	insert_user = InvalidOid;
static int	insert_restored = -1;	/* -1: not yet known */

static void
begin_row(TriggerData *td)
{
	/* our own maintenance UPDATEs fire guards too: keep the outer row */
	if (okr_syncing_current_value)
		return;
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		insert_td = td;
		insert_tuple = td->tg_trigtuple;
		insert_user = GetUserId();	/* before okr_spi_enter switches it */
	}
	else
		insert_td = NULL;
	insert_restored = -1;
}

/* Must be called inside SPI (okr_spi_enter). */
static bool
row_is_restored(void)
{
	if (insert_td == NULL)
		return false;
	if (insert_restored < 0)
	{
		static SPIPlanPtr plan = NULL;
		Oid			seq = getIdentitySequence(RelationGetRelid(insert_td->tg_relation),
											  attnum_of(insert_td, "id"), true);
		bool		isnull = true;
		int64		last = 0;

		insert_restored = 0;
		if (!OidIsValid(seq) || row_security || check_function_bodies ||
			!has_privs_of_role(insert_user, insert_td->tg_relation->rd_rel->relowner))
			return false;
		{
			/* callers read their own result after asking: keep it */
			SPITupleTable *saved = SPI_tuptable;
			uint64		saved_n = SPI_processed;
			Oid			argtypes[1] = {OIDOID};
			Datum		values[1];

			values[0] = ObjectIdGetDatum(seq);
			run_plan(okr_spi_plan(&plan,
								  "SELECT pg_sequence_last_value($1::regclass)",
								  1, argtypes),
					 values, NULL, 1);
			if (SPI_processed > 0)
				last = result_int64(0, 1, &isnull);
			SPI_tuptable = saved;
			SPI_processed = saved_n;
		}
		insert_restored = (isnull || get_id(insert_td, insert_tuple, "id") > last) ? 1 : 0;
	}
	return insert_restored == 1;
}

/* ---------------------------------------------------------------------
 * Statement-level structure lock
 * --------------------------------------------------------------------- */

Datum
okr_structure_lock(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_structure_lock", NULL, false);

	if (!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		elog(ERROR, "okr_structure_lock must be a statement-level trigger");

	DirectFunctionCall2(pg_advisory_xact_lock_int4,
						Int32GetDatum(OKR_LOCK_KEY1),
						Int32GetDatum(OKR_LOCK_KEY2));
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * Rule 1: no cycles, and no tree deeper than okr.max_depth.  Walks up from
 * the new parent, at most okr.max_depth levels; reaching the row itself
 * means the new link would close a loop.  Each step is a primary-key probe
 * written as a scalar subquery, so no cached plan can turn it into a scan
 * of the table per level, and the level bound ends the walk even on
 * damaged data.  A row that moves takes its subtree along: the levels
 * below it are walked down, as far as the bound, to find how deep it
 * reaches.  So a write costs at most the depth bound, and a move what lies
 * within it below the row.  Under REPEATABLE READ or SERIALIZABLE our
 * snapshot may predate a committed concurrent change, so the rows on the
 * path are then locked FOR SHARE: one changed after our snapshot raises a
 * serialization failure instead of slipping through.
 * --------------------------------------------------------------------- */

typedef struct HierarchyPlans
{
	SPIPlanPtr	walk;
	SPIPlanPtr	below;
	SPIPlanPtr	lock_path;
} HierarchyPlans;

static HierarchyPlans cycle_plans,
			team_plans,
			objective_plans;

static void
report_too_deep(const char *noun, int64 id, int64 level)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s " INT64_FORMAT " would sit at level " INT64_FORMAT " of its tree, deeper than okr.max_depth (%d)",
					noun, id, level, okr_max_depth),
			 errhint("A superuser can raise okr.max_depth.")));
}

static void
check_no_cycle(HierarchyPlans *plans, const char *table, const char *noun,
			   const char *verb, int64 id, bool has_parent, int64 parent_id,
			   bool may_have_children)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4OID};
	Datum		values[3];
	bool		isnull;
	int64		ancestors;
	char		sql[640];

	if (!has_parent)
		return;					/* a root: nothing above, nothing deeper than before */
	if (parent_id == id)
		ereport(ERROR,
				(errcode(ERRCODE_OKR_HIERARCHY_CYCLE),
				 errmsg("%s " INT64_FORMAT " cannot %s itself", noun, id, verb)));

	snprintf(sql, sizeof(sql),
			 "WITH RECURSIVE up(id, n) AS ("
			 " SELECT $1::bigint, 1"
			 " UNION ALL"
			 " SELECT (SELECT t.parent_id FROM okr.%s t WHERE t.id = up.id), up.n + 1"
			 " FROM up WHERE up.id IS NOT NULL AND up.n <= $3)"
			 " SELECT coalesce(bool_or(id = $2), false),"
			 "        array_agg(id) FILTER (WHERE id IS NOT NULL),"
			 "        count(id)"
			 " FROM up",
			 table);
	values[0] = Int64GetDatum(parent_id);
	values[1] = Int64GetDatum(id);
	values[2] = Int32GetDatum(okr_max_depth);
	run_plan(okr_spi_plan(&plans->walk, sql, 3, argtypes), values, NULL, 0);

	if (DatumGetBool(result_datum(0, 1, BOOLOID, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_HIERARCHY_CYCLE),
				 errmsg("%s " INT64_FORMAT " cannot %s %s " INT64_FORMAT ": "
						INT64_FORMAT " is already below " INT64_FORMAT,
						noun, id, verb, noun, parent_id, parent_id, id)));
	ancestors = result_int64(0, 3, &isnull);
	if (ancestors + 1 > okr_max_depth)
		report_too_deep(noun, id, ancestors + 1);

	if (IsolationUsesXactSnapshot())
	{
		Datum		path = result_datum(0, 2, INT8ARRAYOID, &isnull);

		if (!isnull)
		{
			Oid			arrtype[1] = {INT8ARRAYOID};

			snprintf(sql, sizeof(sql),
					 "SELECT 1 FROM okr.%s WHERE id = ANY ($1) FOR SHARE", table);
			run_plan(okr_spi_plan(&plans->lock_path, sql, 1, arrtype),
					 &path, NULL, 0);
		}
	}

	/*
	 * A row being moved brings its subtree: is anything below it further
	 * down than the levels left under the bound?  (A new row has nothing
	 * below it: a child's foreign key needs its parent first.)
	 */
	if (may_have_children)
	{
		int64		room = okr_max_depth - (ancestors + 1);
		Datum		d;

		snprintf(sql, sizeof(sql),
				 "WITH RECURSIVE down(id, n) AS ("
				 " SELECT $1::bigint, 0"
				 " UNION ALL"
				 " SELECT t.id, down.n + 1 FROM down JOIN okr.%s t ON t.parent_id = down.id"
				 " WHERE down.n < $3)"
				 " SELECT max(n) FROM down",
				 table);
		values[0] = Int64GetDatum(id);
		values[1] = Int64GetDatum(0);
		values[2] = Int32GetDatum((int32) Min(room + 1, PG_INT32_MAX));
		run_plan(okr_spi_plan(&plans->below, sql, 3, argtypes), values, NULL, 0);
		d = result_datum(0, 1, INT4OID, &isnull);
		if (!isnull && DatumGetInt32(d) > room)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s " INT64_FORMAT " cannot move to level " INT64_FORMAT ": the %ss below it would sit deeper than okr.max_depth (%d)",
							noun, id, ancestors + 1, noun, okr_max_depth),
					 errhint("A superuser can raise okr.max_depth.")));
	}
}

/* ---------------------------------------------------------------------
 * Rule 2 and 5 helpers
 * --------------------------------------------------------------------- */

/* Error when some check-in of key results matched by the plan lies outside
 * its cycle; the plan returns (checkin id, key_result id, checked_at, cycle
 * name, starts_on, ends_on) for the first offender, given $1. */
static void
report_checkin_outside(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OKR_OUTSIDE_CYCLE),
			 errmsg("check-in %s of key result %s at %s would fall outside cycle \"%s\" (%s to %s)",
					result_text(0, 1), result_text(0, 2), result_text(0, 3),
					result_text(0, 4), result_text(0, 5), result_text(0, 6)),
			 errdetail("%s", what)));
}

/*
 * Check-ins under the objectives of a cycle must fit the cycle.  The bounds
 * are computed in SQL from the dates, in the session time zone.
 */
static void
check_checkins_fit_cycle(int64 cycle_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(cycle_id)};

	run_plan(okr_spi_plan(&plan,
						  "SELECT ci.id, ci.key_result_id, ci.checked_at, c.name, c.starts_on, c.ends_on"
						  " FROM okr.cycle c"
						  " JOIN okr.objective o ON o.cycle_id = c.id"
						  " JOIN okr.key_result k ON k.objective_id = o.id"
						  " JOIN okr.checkin ci ON ci.key_result_id = k.id"
						  " WHERE c.id = $1"
						  "   AND (ci.checked_at < c.starts_on::timestamptz"
						  "        OR ci.checked_at >= (c.ends_on + 1)::timestamptz)"
						  " LIMIT 1", 1, argtypes),
			 values, NULL, 1);
	if (SPI_processed > 0)
		report_checkin_outside("Check-ins must lie within the cycle of their objective, in the session time zone.");
}

/* Check-ins of one objective's key results must fit the objective's cycle. */
static void
check_objective_checkins_fit(int64 objective_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};

	run_plan(okr_spi_plan(&plan,
						  "SELECT ci.id, ci.key_result_id, ci.checked_at, c.name, c.starts_on, c.ends_on"
						  " FROM okr.objective o"
						  " JOIN okr.cycle c ON c.id = o.cycle_id"
						  " JOIN okr.key_result k ON k.objective_id = o.id"
						  " JOIN okr.checkin ci ON ci.key_result_id = k.id"
						  " WHERE o.id = $1"
						  "   AND (ci.checked_at < c.starts_on::timestamptz"
						  "        OR ci.checked_at >= (c.ends_on + 1)::timestamptz)"
						  " LIMIT 1", 1, argtypes),
			 values, NULL, 1);
	if (SPI_processed > 0)
		report_checkin_outside("Check-ins must lie within the cycle of their objective, in the session time zone.");
}

/*
 * Rule 2 for one objective: its parent's cycle covers its own, and its own
 * cycle covers each child's.  Reports the first broken link.
 */
static void
check_objective_cover(int64 objective_id, bool check_parent, bool check_children)
{
	static SPIPlanPtr parent_plan = NULL;
	static SPIPlanPtr children_plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};

	if (check_parent)
	{
		run_plan(okr_spi_plan(&parent_plan,
							  "SELECT o.id, p.id, c.name, c.starts_on, c.ends_on, pc.name, pc.starts_on, pc.ends_on"
							  " FROM okr.objective o"
							  " JOIN okr.objective p ON p.id = o.parent_id"
							  " JOIN okr.cycle c ON c.id = o.cycle_id"
							  " JOIN okr.cycle pc ON pc.id = p.cycle_id"
							  " WHERE o.id = $1"
							  "   AND NOT (pc.starts_on <= c.starts_on AND pc.ends_on >= c.ends_on)",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("objective %s cannot align to objective %s: its cycle \"%s\" (%s to %s) is not within the parent's cycle \"%s\" (%s to %s)",
							result_text(0, 1), result_text(0, 2),
							result_text(0, 3), result_text(0, 4), result_text(0, 5),
							result_text(0, 6), result_text(0, 7), result_text(0, 8))));
	}
	if (check_children)
	{
		run_plan(okr_spi_plan(&children_plan,
							  "SELECT ch.id, o.id, cc.name, cc.starts_on, cc.ends_on, c.name, c.starts_on, c.ends_on"
							  " FROM okr.objective o"
							  " JOIN okr.objective ch ON ch.parent_id = o.id"
							  " JOIN okr.cycle c ON c.id = o.cycle_id"
							  " JOIN okr.cycle cc ON cc.id = ch.cycle_id"
							  " WHERE o.id = $1"
							  "   AND NOT (c.starts_on <= cc.starts_on AND c.ends_on >= cc.ends_on)"
							  " LIMIT 1",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("objective %s cannot stay aligned to objective %s: its cycle \"%s\" (%s to %s) is not within the parent's cycle \"%s\" (%s to %s)",
							result_text(0, 1), result_text(0, 2),
							result_text(0, 3), result_text(0, 4), result_text(0, 5),
							result_text(0, 6), result_text(0, 7), result_text(0, 8))));
	}
}

/* ---------------------------------------------------------------------
 * okr.cycle: rules 1, 2 (cycle containment and objective covers), 5
 * --------------------------------------------------------------------- */

Datum
okr_cycle_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_cycle_check", "cycle", true);
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		parent_changed = is_insert || col_changed(td, "parent_id");
	bool		dates_changed = !is_insert &&
		(col_changed(td, "starts_on") || col_changed(td, "ends_on"));
	int64		id = get_id(td, newtup, "id");
	OkrSpiState st;

	if (!parent_changed && !dates_changed)
		return PointerGetDatum(NULL);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (parent_changed)
	{
		bool		has_parent;
		int64		parent_id = get_id_opt(td, newtup, "parent_id", &has_parent);

		check_no_cycle(&cycle_plans, "cycle", "cycle", "be part of",
					   id, has_parent, parent_id, !is_insert);
	}

	/* A child cycle lies inside its parent cycle; check both directions. */
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};

		run_plan(okr_spi_plan(&plan,
							  "SELECT c.id, c.name, c.starts_on, c.ends_on, p.id, p.name, p.starts_on, p.ends_on"
							  " FROM okr.cycle c JOIN okr.cycle p ON p.id = c.parent_id"
							  " WHERE (c.id = $1 OR p.id = $1)"
							  "   AND NOT (p.starts_on <= c.starts_on AND p.ends_on >= c.ends_on)"
							  " LIMIT 1", 1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("cycle %s \"%s\" (%s to %s) does not lie within its parent cycle %s \"%s\" (%s to %s)",
							result_text(0, 1), result_text(0, 2), result_text(0, 3), result_text(0, 4),
							result_text(0, 5), result_text(0, 6), result_text(0, 7), result_text(0, 8))));
	}

	if (dates_changed)
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};

		/*
		 * Check-ins are written without the structure lock; block new ones
		 * until we commit, so none can slip outside the new dates unseen.
		 */
		if (SPI_execute("LOCK TABLE okr.checkin IN SHARE MODE", false, 0) < 0)
			elog(ERROR, "okr: could not lock okr.checkin");

		/* every alignment that involves an objective of this cycle */
		run_plan(okr_spi_plan(&plan,
							  "SELECT ch.id, p.id, cc.name, cc.starts_on, cc.ends_on, pc.name, pc.starts_on, pc.ends_on"
							  " FROM okr.objective ch"
							  " JOIN okr.objective p ON p.id = ch.parent_id"
							  " JOIN okr.cycle cc ON cc.id = ch.cycle_id"
							  " JOIN okr.cycle pc ON pc.id = p.cycle_id"
							  " WHERE (ch.cycle_id = $1 OR p.cycle_id = $1)"
							  "   AND NOT (pc.starts_on <= cc.starts_on AND pc.ends_on >= cc.ends_on)"
							  " LIMIT 1", 1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("objective %s can no longer align to objective %s: cycle \"%s\" (%s to %s) would not lie within cycle \"%s\" (%s to %s)",
							result_text(0, 1), result_text(0, 2),
							result_text(0, 3), result_text(0, 4), result_text(0, 5),
							result_text(0, 6), result_text(0, 7), result_text(0, 8))));

		check_checkins_fit_cycle(id);
	}

	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.team: rule 1
 * --------------------------------------------------------------------- */

Datum
okr_team_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_team_check", "team", true);
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		has_parent;
	int64		parent_id = get_id_opt(td, newtup, "parent_id", &has_parent);
	OkrSpiState st;

	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event) && !col_changed(td, "parent_id"))
		return PointerGetDatum(NULL);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	check_no_cycle(&team_plans, "team", "team", "report to",
				   get_id(td, newtup, "id"), has_parent, parent_id,
				   !TRIGGER_FIRED_BY_INSERT(td->tg_event));
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.objective: rules 1, 2, 5 and 6
 * --------------------------------------------------------------------- */

Datum
okr_objective_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_objective_check", "objective", true);
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		parent_changed = is_insert || col_changed(td, "parent_id");
	bool		cycle_changed = !is_insert && col_changed(td, "cycle_id");
	int64		id = get_id(td, newtup, "id");
	bool		has_parent;
	int64		parent_id = get_id_opt(td, newtup, "parent_id", &has_parent);
	OkrSpiState st;

	begin_row(td);

	/* (closing it needs nothing here: see "Rule 6" below) */
	if (!parent_changed && !cycle_changed)
		return PointerGetDatum(NULL);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (parent_changed && has_parent)
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(parent_id)};

		check_no_cycle(&objective_plans, "objective", "objective", "align to",
					   id, has_parent, parent_id, !is_insert);

		/* Rule 6; FOR KEY SHARE waits for a concurrent close and then sees it. */
		run_plan(okr_spi_plan(&plan,
							  "SELECT state FROM okr.objective WHERE id = $1 FOR KEY SHARE",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0 && state_is_closed(result_text(0, 1)) &&
			!row_is_restored())
			ereport(ERROR,
					(errcode(ERRCODE_OKR_PARENT_INACTIVE),
					 errmsg("objective " INT64_FORMAT " cannot align to objective " INT64_FORMAT ": it is %s",
							id, parent_id, result_text(0, 1))));
	}

	check_objective_cover(id, parent_changed || cycle_changed, cycle_changed);

	if (cycle_changed)
	{
		if (SPI_execute("LOCK TABLE okr.checkin IN SHARE MODE", false, 0) < 0)
			elog(ERROR, "okr: could not lock okr.checkin");
		check_objective_checkins_fit(id);
	}

	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * Rule 6: the parents above a new link are locked FOR KEY SHARE before
 * their states are read.  Closing or cancelling a parent (and moving or
 * re-kinding a key result) changes a column of its *_link_key, so it is a
 * key update: it waits for the transactions holding FOR KEY SHARE and they
 * wait for it, as PostgreSQL makes an update of a referenced key wait for
 * the rows being inserted under it.  The lock conflicts with nothing else
 * (not a rename, not current_value), and is the one the foreign key takes
 * anyway.  Under READ COMMITTED the read after a wait sees the committed
 * state; under REPEATABLE READ a key update committed after the snapshot
 * makes the lock fail to serialize instead of being missed.
 * --------------------------------------------------------------------- */

static void
check_objective_open(const char *child, int64 objective_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};

	run_plan(okr_spi_plan(&plan,
						  "SELECT state FROM okr.objective WHERE id = $1 FOR KEY SHARE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed > 0 && state_is_closed(result_text(0, 1)) &&
		!row_is_restored())
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under objective " INT64_FORMAT ": it is %s",
						child, objective_id, result_text(0, 1))));
}

/*
 * Lock the parents of a new link (a project's key result and objective, or
 * a key result and its objective) and read them.  plan_sql selects, from
 * the row with id $1, at least the columns the caller reads, and locks the
 * parents FOR KEY SHARE.  A parent moved meanwhile drops the row from the
 * join when the lock is re-checked: read again.  Returns false when row id
 * of okr.<table> does not exist (its foreign key reports that).
 */
static bool
lock_parents(SPIPlanPtr *plan, const char *plan_sql, SPIPlanPtr *exists_plan,
			 const char *table, int64 id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		run_plan(okr_spi_plan(plan, plan_sql, 1, argtypes), values, NULL, 1);
		if (SPI_processed > 0)
			return true;
		if (*exists_plan == NULL)
			(void) okr_spi_plan(exists_plan,
								psprintf("SELECT 1 FROM okr.%s WHERE id = $1", table),
								1, argtypes);
		run_plan(*exists_plan, values, NULL, 1);
		if (SPI_processed == 0)
			return false;
		if (attempt >= 3)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("the parents of %s " INT64_FORMAT " keep moving", table, id),
					 errhint("Retry the transaction.")));
	}
}

/* Rule 6 for a new project under a key result; false if it does not exist. */
static bool
check_key_result_open(const char *child, int64 key_result_id)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr exists_plan = NULL;

	if (!lock_parents(&plan,
					  "SELECT k.state, o.id, o.state FROM okr.key_result k"
					  " JOIN okr.objective o ON o.id = k.objective_id WHERE k.id = $1"
					  " FOR KEY SHARE OF k, o",
					  &exists_plan, "key_result", key_result_id))
		return false;
	if (row_is_restored())
		return true;
	if (streq(result_text(0, 1), "cancelled"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under key result " INT64_FORMAT ": it is cancelled",
						child, key_result_id)));
	if (state_is_closed(result_text(0, 3)))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under objective %s: it is %s",
						child, result_text(0, 2), result_text(0, 3))));
	return true;
}

/* ---------------------------------------------------------------------
 * okr.key_result: rules 3, 4, 5, 6 (BEFORE ROW INSERT OR UPDATE)
 * --------------------------------------------------------------------- */

/* Value and time of the latest check-in of a key result (latest checked_at,
 * then highest id); *isnull when it has none. */
static Datum
latest_checkin_value(int64 key_result_id, bool *isnull, Datum *checked_at)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(key_result_id)};
	bool		n;

	run_plan(okr_spi_plan(&plan,
						  "SELECT value, checked_at FROM okr.checkin WHERE key_result_id = $1"
						  " ORDER BY checked_at DESC, id DESC LIMIT 1",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*checked_at = result_datum(0, 2, TIMESTAMPTZOID, &n);
	return result_datum(0, 1, NUMERICOID, isnull);
}

static bool
numeric_is(Datum n, int64 v)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
											 DirectFunctionCall1(int8_numeric, Int64GetDatum(v)))) == 0;
}

/*
 * current_progress: the key result's progress at its current_value, kept on
 * every write so that the rollup need not score it again for any moment
 * after its latest check-in.  It is derived, so whatever a client writes
 * there is replaced.  NULL for kind projects (scored from its projects) and
 * while a value is not finite (the CHECK constraints then reject the row).
 */
static HeapTuple
set_current_progress(TriggerData *td, HeapTuple tup, OkrKrKind kind)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			col = attnum_of(td, "current_progress");
	bool		sn,
				tn,
				vn,
				oldnull;
	Datum		start = get_col(td, tup, "start_value", &sn);
	Datum		target = get_col(td, tup, "target_value", &tn);
	Datum		value = get_col(td, tup, "current_value", &vn);
	Datum		old = heap_getattr(tup, col, desc, &oldnull);
	double		progress = 0.0;
	bool		isnull = true;
	Datum		d;

	/* an update that touches none of its inputs (a title, a weight) */
	if (td->tg_newtuple && tup == td->tg_newtuple &&
		!col_changed(td, "kind") && !col_changed(td, "start_value") &&
		!col_changed(td, "target_value") && !col_changed(td, "current_value") &&
		!col_changed(td, "current_progress"))
		return tup;

	if (kind != OKR_KR_PROJECTS &&
		(sn || (!numeric_is_nan(DatumGetNumeric(start)) && !numeric_is_inf(DatumGetNumeric(start)))) &&
		(tn || (!numeric_is_nan(DatumGetNumeric(target)) && !numeric_is_inf(DatumGetNumeric(target)))) &&
		(vn || (!numeric_is_nan(DatumGetNumeric(value)) && !numeric_is_inf(DatumGetNumeric(value)))) &&
		!(kind == OKR_KR_METRIC && !sn && !tn &&
		  DatumGetInt32(DirectFunctionCall2(numeric_cmp, start, target)) == 0))
		isnull = !okr_kr_progress_numeric(kind, start, sn, target, tn, value, vn,
										  &progress, NULL);
	if (isnull == oldnull && (isnull || DatumGetFloat8(old) == progress))
		return tup;
	d = Float8GetDatum(progress);
	return heap_modify_tuple_by_cols(tup, desc, 1, &col, &d, &isnull);
}

Datum
okr_key_result_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_key_result_guard", "key_result", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int64		id = get_id(td, newtup, "id");
	char	   *kind_name = get_text(td, newtup, "kind");
	bool		start_null,
				target_null,
				cur_null;
	Datum		start = get_col(td, newtup, "start_value", &start_null);
	Datum		target = get_col(td, newtup, "target_value", &target_null);
	OkrKrKind	kind;
	bool		kind_changed = is_insert || col_changed(td, "kind");
	bool		objective_changed = is_insert || col_changed(td, "objective_id");
	bool		current_changed;
	bool		clear_current = false;
	OkrSpiState st;

	begin_row(td);

	/*
	 * NOT NULL and the CHECK constraint key_result_kind_valid report a
	 * missing or unknown kind; they run after this trigger.
	 */
	if (kind_name == NULL ||
		!(streq(kind_name, "metric") || streq(kind_name, "at_least") ||
		  streq(kind_name, "at_most") || streq(kind_name, "milestone") ||
		  streq(kind_name, "projects")))
		return PointerGetDatum(newtup);
	kind = streq(kind_name, "metric") ? OKR_KR_METRIC :
		streq(kind_name, "at_least") ? OKR_KR_AT_LEAST :
		streq(kind_name, "at_most") ? OKR_KR_AT_MOST :
		streq(kind_name, "milestone") ? OKR_KR_MILESTONE : OKR_KR_PROJECTS;

	/* Rule 3: the values fit the kind. */
	switch (kind)
	{
		case OKR_KR_METRIC:
			if (start_null || target_null)
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("key result " INT64_FORMAT " of kind metric needs start_value and target_value", id)));
			if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, start, target)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("key result " INT64_FORMAT " of kind metric needs a target_value different from its start_value", id)));
			break;
		case OKR_KR_AT_LEAST:
		case OKR_KR_AT_MOST:
			if (target_null)
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("key result " INT64_FORMAT " of kind %s needs a target_value", id, kind_name)));
			break;
		case OKR_KR_MILESTONE:
			if ((!start_null && !numeric_is(start, 0)) ||
				(!target_null && !numeric_is(target, 1)))
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("key result " INT64_FORMAT " of kind milestone goes from 0 to 1", id),
						 errhint("Leave start_value and target_value NULL; they default to 0 and 1.")));
			break;
		case OKR_KR_PROJECTS:
			break;
	}

	/* Rule 4: current_value and last_checkin_at are derived from check-ins. */
	if (is_insert)
	{
		bool		last_null;

		(void) get_col(td, newtup, "current_value", &cur_null);
		(void) get_col(td, newtup, "last_checkin_at", &last_null);
		current_changed = !cur_null || !last_null;
	}
	else
		current_changed = !okr_syncing_current_value &&
			(col_changed(td, "current_value") || col_changed(td, "last_checkin_at"));

	if (current_changed || objective_changed || (kind_changed && !is_insert))
	{
		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

		if (objective_changed)
			check_objective_open("a key result", get_id(td, newtup, "objective_id"));

		if (current_changed)
		{
			bool		latest_null = true;
			Datum		latest_at = (Datum) 0;
			Datum		latest = is_insert ? (Datum) 0 :
				latest_checkin_value(id, &latest_null, &latest_at);
			Datum		cur = get_col(td, newtup, "current_value", &cur_null);
			bool		at_null;
			Datum		at = get_col(td, newtup, "last_checkin_at", &at_null);

			/* Writing back the values it already has is fine (ORMs do). */
			if (cur_null != latest_null || at_null != latest_null ||
				(!cur_null && DatumGetInt32(DirectFunctionCall2(numeric_cmp, cur, latest)) != 0) ||
				(!at_null && DatumGetTimestampTz(at) != DatumGetTimestampTz(latest_at)))
			{
				/* restored: no check-in can reference it yet, so NULL */
				if (is_insert && row_is_restored())
					clear_current = true;
				else
					ereport(ERROR,
						(errcode(ERRCODE_GENERATED_ALWAYS),
						 errmsg("current_value and last_checkin_at of key result " INT64_FORMAT " are maintained from its check-ins", id),
						 errhint("Insert a row into okr.checkin to record a new value.")));
			}
		}

		if (!is_insert && kind_changed && (kind == OKR_KR_MILESTONE || kind == OKR_KR_PROJECTS))
		{
			static SPIPlanPtr plan = NULL;
			Oid			argtypes[1] = {INT8OID};
			Datum		values[1] = {Int64GetDatum(id)};

			run_plan(okr_spi_plan(&plan,
								  "SELECT id, value FROM okr.checkin WHERE key_result_id = $1"
								  " ORDER BY (value IN (0, 1)), id LIMIT 1",
								  1, argtypes),
					 values, NULL, 1);
			if (SPI_processed > 0)
			{
				if (kind == OKR_KR_PROJECTS)
					ereport(ERROR,
							(errcode(ERRCODE_OKR_KIND_MISMATCH),
							 errmsg("key result " INT64_FORMAT " cannot become kind projects: it has check-ins (check-in %s)",
									id, result_text(0, 1)),
							 errdetail("A key result of kind projects takes its progress from its projects.")));
				else
				{
					bool		isnull;
					Datum		v = result_datum(0, 2, NUMERICOID, &isnull);

					if (!numeric_is(v, 0) && !numeric_is(v, 1))
						ereport(ERROR,
								(errcode(ERRCODE_OKR_KIND_MISMATCH),
								 errmsg("key result " INT64_FORMAT " cannot become kind milestone: check-in %s has value %s",
										id, result_text(0, 1), result_text(0, 2)),
								 errdetail("A milestone takes the values 0 and 1 only.")));
				}
			}
		}

		if (!is_insert && objective_changed)
		{
			/* moved to another objective: its check-ins must fit that cycle */
			static SPIPlanPtr plan = NULL;
			Oid			argtypes[2] = {INT8OID, INT8OID};
			Datum		values[2] = {Int64GetDatum(id),
			Int64GetDatum(get_id(td, newtup, "objective_id"))};

			run_plan(okr_spi_plan(&plan,
								  "SELECT ci.id, ci.key_result_id, ci.checked_at, c.name, c.starts_on, c.ends_on"
								  " FROM okr.checkin ci, okr.objective o JOIN okr.cycle c ON c.id = o.cycle_id"
								  " WHERE ci.key_result_id = $1 AND o.id = $2"
								  "   AND (ci.checked_at < c.starts_on::timestamptz"
								  "        OR ci.checked_at >= (c.ends_on + 1)::timestamptz)"
								  " LIMIT 1", 2, argtypes),
					 values, NULL, 1);
			if (SPI_processed > 0)
				report_checkin_outside("A key result moved to another objective keeps its check-ins; they must lie within the new cycle.");
		}

		okr_spi_leave(&st);
	}

	if (clear_current)
	{
		int			cols[2] = {attnum_of(td, "current_value"), attnum_of(td, "last_checkin_at")};
		Datum		v[2] = {(Datum) 0, (Datum) 0};
		bool		n[2] = {true, true};

		newtup = heap_modify_tuple_by_cols(newtup, desc, 2, cols, v, n);
	}

	/* Milestones go from 0 to 1. */
	if (kind == OKR_KR_MILESTONE && (start_null || target_null))
	{
		int			cols[2];
		Datum		vals[2];
		bool		nulls[2] = {false, false};
		int			n = 0;

		if (start_null)
		{
			cols[n] = attnum_of(td, "start_value");
			vals[n++] = DirectFunctionCall1(int8_numeric, Int64GetDatum(0));
		}
		if (target_null)
		{
			cols[n] = attnum_of(td, "target_value");
			vals[n++] = DirectFunctionCall1(int8_numeric, Int64GetDatum(1));
		}
		newtup = heap_modify_tuple_by_cols(newtup, desc, n, cols, vals, nulls);
	}

	newtup = set_current_progress(td, newtup, kind);
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.checkin BEFORE ROW INSERT OR UPDATE: rules 3, 5, 6
 *
 * One query locks the key result and its objective FOR KEY SHARE (see
 * "Rule 6") and reads their kind, states and cycle.  Nothing stronger: the
 * key result's current_value is written at commit (maintain.c), so a
 * check-in holds no lock that another check-in or a rename waits for.
 * --------------------------------------------------------------------- */

Datum
okr_checkin_guard(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr exists_plan = NULL;
	TriggerData *td = trigger_data(fcinfo, "okr_checkin_guard", "checkin", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	int64		id = get_id(td, newtup, "id");
	int64		kr_id = get_id(td, newtup, "key_result_id");
	bool		moved = is_insert || col_changed(td, "key_result_id");
	bool		value_null,
				checked_null,
				isnull,
				n1,
				n2;
	Datum		value = get_col(td, newtup, "value", &value_null);
	Datum		checked_at_d = get_col(td, newtup, "checked_at", &checked_null);
	TimestampTz checked_at = checked_null ? 0 : DatumGetTimestampTz(checked_at_d);
	char	   *kind;
	int64		objective_id;
	DateADT		starts_on,
				ends_on;
	OkrSpiState st;

	begin_row(td);

	if (!moved && !col_changed(td, "value") && !col_changed(td, "checked_at"))
		return PointerGetDatum(newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (!lock_parents(&plan,
					  "SELECT k.kind, k.state, k.objective_id, o.state, c.starts_on, c.ends_on, c.name"
					  " FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id"
					  " JOIN okr.cycle c ON c.id = o.cycle_id WHERE k.id = $1"
					  " FOR KEY SHARE OF k, o",
					  &exists_plan, "key_result", kr_id))
	{
		okr_spi_leave(&st);
		return PointerGetDatum(newtup);	/* the foreign key reports it */
	}
	kind = result_text(0, 1);
	objective_id = result_int64(0, 3, &isnull);
	starts_on = DatumGetDateADT(result_datum(0, 5, DATEOID, &n1));
	ends_on = DatumGetDateADT(result_datum(0, 6, DATEOID, &n2));

	/* Rule 3 */
	if (streq(kind, "projects"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_KIND_MISMATCH),
				 errmsg("key result " INT64_FORMAT " of kind projects takes no check-ins", kr_id),
				 errdetail("Its progress comes from its projects.")));
	if (streq(kind, "milestone") && !value_null && !numeric_is(value, 0) && !numeric_is(value, 1))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_KIND_MISMATCH),
				 errmsg("check-in of milestone key result " INT64_FORMAT " must have value 0 or 1, not %s",
						kr_id, DatumGetCString(DirectFunctionCall1(numeric_out, value)))));

	/* Rule 6, for a check-in new to this key result */
	if (moved && streq(result_text(0, 2), "cancelled") && !row_is_restored())
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a check-in under key result " INT64_FORMAT ": it is cancelled",
						kr_id)));
	if (moved && state_is_closed(result_text(0, 4)) && !row_is_restored())
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a check-in under objective " INT64_FORMAT ": it is %s",
						objective_id, result_text(0, 4))));

	/* Rule 5: inside the cycle, in the session time zone. */
	if (!checked_null &&
		(checked_at < okr_date_start(starts_on) ||
		 checked_at >= okr_date_start(ends_on + 1)) &&
		!row_is_restored())
		ereport(ERROR,
				(errcode(ERRCODE_OKR_OUTSIDE_CYCLE),
				 errmsg("check-in " INT64_FORMAT " of key result " INT64_FORMAT " at %s falls outside cycle \"%s\" (%s to %s)",
						id, kr_id, timestamptz_to_str(checked_at), result_text(0, 7),
						result_text(0, 5), result_text(0, 6)),
				 errdetail("Check-ins must lie within the cycle of their objective, in the session time zone.")));

	okr_spi_leave(&st);
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.checkin AFTER ROW INSERT OR UPDATE OR DELETE: rule 4, noted for the
 * commit (maintain.c).  An insert carries its row, which becomes the key
 * result's latest unless a later one exists; anything else re-reads.
 * --------------------------------------------------------------------- */

Datum
okr_checkin_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_checkin_sync", "checkin", true);
	HeapTuple	old = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? NULL : td->tg_trigtuple;
	HeapTuple	new = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? td->tg_trigtuple :
		TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : NULL;
	bool		isnull;

	if (old == NULL)
		okr_maint_note_checkin(get_id(td, new, "key_result_id"), true,
							   DatumGetTimestampTz(get_col(td, new, "checked_at", &isnull)),
							   get_id(td, new, "id"),
							   get_col(td, new, "value", &isnull));
	else
	{
		okr_maint_note_checkin(get_id(td, old, "key_result_id"), false, 0, 0, (Datum) 0);
		if (new && get_id(td, new, "key_result_id") != get_id(td, old, "key_result_id"))
			okr_maint_note_checkin(get_id(td, new, "key_result_id"), false, 0, 0, (Datum) 0);
	}
	return PointerGetDatum(NULL);
}

/*
 * Run an UPDATE of maintained columns (a cached plan, or else sql) with the
 * guards told it is us, so they let it write them.  Returns the row count.
 */
static uint64
run_sync(SPIPlanPtr plan, const char *sql, Datum *values, const char *nulls)
{
	volatile uint64 n = 0;		/* set inside PG_TRY */

	okr_syncing_current_value = true;
	PG_TRY();
	{
		if (plan)
			n = run_plan(plan, values, nulls, 0);
		else
		{
			int			rc = SPI_execute(sql, false, 0);

			if (rc != SPI_OK_UPDATE && rc != SPI_OK_INSERT && rc != SPI_OK_DELETE)
				elog(ERROR, "okr: could not update maintained columns: %s", sql);
			n = SPI_processed;
		}
	}
	PG_FINALLY();
	{
		okr_syncing_current_value = false;
	}
	PG_END_TRY();
	return n;
}

static void
run_sync_plan(SPIPlanPtr plan, Datum *values, const char *nulls)
{
	(void) run_sync(plan, NULL, values, nulls);
}

/*
 * Recompute current_value and last_checkin_at from the check-ins.  The lock
 * comes first, so that the read after it sees every check-in committed by
 * whoever held it: under READ COMMITTED with the new snapshot SPI takes,
 * under REPEATABLE READ and SERIALIZABLE with a fresh one taken here (the
 * transaction's own would miss a back-dated check-in committed since, which
 * changed no key-result row and so raised no serialization failure).
 */
void
okr_sync_current_value(int64 key_result_id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr latest_plan = NULL;
	static SPIPlanPtr update_plan = NULL;
	Oid			argtypes[3] = {INT8OID, NUMERICOID, TIMESTAMPTZOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	bool		isnull;

	values[0] = Int64GetDatum(key_result_id);
	run_plan(okr_spi_plan(&lock_plan,
						  "SELECT 1 FROM okr.key_result WHERE id = $1 FOR NO KEY UPDATE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
		return;					/* deleted */

	okr_spi_plan(&latest_plan,
				 "SELECT value, checked_at FROM okr.checkin WHERE key_result_id = $1"
				 " ORDER BY checked_at DESC, id DESC LIMIT 1",
				 1, argtypes);
	if (IsolationUsesXactSnapshot())
	{
		CommandCounterIncrement();	/* our own changes, too */
		if (SPI_execute_snapshot(latest_plan, values, NULL, GetLatestSnapshot(),
								 InvalidSnapshot, true, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "okr: could not read the latest check-in");
	}
	else
		run_plan(latest_plan, values, NULL, 1);
	if (SPI_processed == 0)
		nulls[1] = nulls[2] = 'n';
	else
	{
		values[1] = result_datum(0, 1, NUMERICOID, &isnull);
		values[2] = result_datum(0, 2, TIMESTAMPTZOID, &isnull);
	}
	run_sync_plan(okr_spi_plan(&update_plan,
							   "UPDATE okr.key_result SET current_value = $2, last_checkin_at = $3"
							   " WHERE id = $1 AND (current_value IS DISTINCT FROM $2"
							   "   OR last_checkin_at IS DISTINCT FROM $3)",
							   3, argtypes),
				  values, nulls);
}

/*
 * Only inserts: the newest inserted check-in becomes the latest unless one
 * is later (a back-dated check-in changes nothing); equal times fall to the
 * highest id.  One conditional UPDATE decides and writes; waiting for the
 * row re-evaluates the condition on the version committed meanwhile.
 */
void
okr_apply_checkin_candidate(int64 key_result_id, Datum value, TimestampTz at,
							int64 checkin_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[4] = {INT8OID, NUMERICOID, TIMESTAMPTZOID, INT8OID};
	Datum		values[4];

	values[0] = Int64GetDatum(key_result_id);
	values[1] = value;
	values[2] = TimestampTzGetDatum(at);
	values[3] = Int64GetDatum(checkin_id);
	run_sync_plan(okr_spi_plan(&plan,
							   "UPDATE okr.key_result SET current_value = $2, last_checkin_at = $3"
							   " WHERE id = $1 AND (last_checkin_at IS NULL OR last_checkin_at < $3"
							   "   OR (last_checkin_at = $3 AND $4 > (SELECT max(c.id) FROM okr.checkin c"
							   "       WHERE c.key_result_id = $1 AND c.checked_at = $3 AND c.id <> $4)))",
							   4, argtypes),
				  values, NULL);
}

/* Add deltas to a project's effort counters (none if it is gone). */
void
okr_apply_effort(int64 project_id, Datum dtotal, Datum ddone)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {INT8OID, NUMERICOID, NUMERICOID};
	Datum		values[3] = {Int64GetDatum(project_id), dtotal, ddone};

	run_sync_plan(okr_spi_plan(&plan,
							   "UPDATE okr.project_effort"
							   " SET effort_total = effort_total + $2, effort_done = effort_done + $3"
							   " WHERE project_id = $1",
							   3, argtypes),
				  values, NULL);
}

/* Recount a project's effort from its tasks (after a TRUNCATE). */
void
okr_recount_effort(int64 project_id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(project_id)};

	run_plan(okr_spi_plan(&lock_plan,
						  "SELECT 1 FROM okr.project_effort WHERE project_id = $1 FOR NO KEY UPDATE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
		return;
	run_sync_plan(okr_spi_plan(&plan,
							   "UPDATE okr.project_effort e SET effort_total = s.total, effort_done = s.done"
							   " FROM (SELECT"
							   "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled'), 0) AS total,"
							   "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status = 'done'), 0) AS done"
							   "   FROM okr.task t WHERE t.project_id = $1) s"
							   " WHERE e.project_id = $1"
							   "   AND (e.effort_total <> s.total OR e.effort_done <> s.done)",
							   1, argtypes),
				  values, NULL);
}

/*
 * okr_90_maintain: DEFERRABLE INITIALLY DEFERRED constraint trigger on
 * checkin and task.  It is queued for every row, so it runs whichever
 * subtransactions survive; the first call at commit applies every note
 * (maintain.c) and the others find nothing left.
 */
PG_FUNCTION_INFO_V1(okr_maintain);

Datum
okr_maintain(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_maintain", NULL, true);
	OkrSpiState st;

	if (!okr_maint_pending())
		return PointerGetDatum(NULL);
	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	okr_maint_flush();
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* TRUNCATE fires no row triggers: reset what the rows were maintaining. */
Datum
okr_truncate_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_truncate_sync", NULL, false);
	const char *table = RelationGetRelationName(td->tg_relation);
	const char *sql;
	OkrSpiState st;

	if (strcmp(table, "checkin") == 0)
	{
		sql = "UPDATE okr.key_result SET current_value = NULL, last_checkin_at = NULL"
			" WHERE current_value IS NOT NULL OR last_checkin_at IS NOT NULL";
		okr_maint_recompute_all(true);
	}
	else if (strcmp(table, "task") == 0)
	{
		sql = "UPDATE okr.project_effort SET effort_total = 0, effort_done = 0"
			" WHERE effort_total <> 0 OR effort_done <> 0";
		okr_maint_recompute_all(false);
	}
	else
		sql = "DELETE FROM okr.project_effort";

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	(void) run_sync(NULL, sql, NULL, NULL);
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.project BEFORE ROW INSERT OR UPDATE: rule 6
 * --------------------------------------------------------------------- */

Datum
okr_project_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_project_guard", "project", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	OkrSpiState st;

	int			open_attno = attnum_of(td, "is_open");
	bool		open_null;
	Datum		open = heap_getattr(newtup, open_attno, RelationGetDescr(td->tg_relation),
									&open_null);
	bool		want_open = !streq(get_text(td, newtup, "state"), "cancelled");

	begin_row(td);

	/* is_open follows state (see project_link_key) */
	if (open_null || DatumGetBool(open) != want_open)
	{
		Datum		v = BoolGetDatum(want_open);
		bool		n = false;

		newtup = heap_modify_tuple_by_cols(newtup, RelationGetDescr(td->tg_relation),
										   1, &open_attno, &v, &n);
	}

	if (!is_insert && !col_changed(td, "key_result_id"))
		return PointerGetDatum(newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	(void) check_key_result_open("a project", get_id(td, newtup, "key_result_id"));
	okr_spi_leave(&st);
	return PointerGetDatum(newtup);
}

/*
 * okr.project AFTER ROW INSERT OR DELETE: its row in okr.project_effort.
 * A new project has no tasks yet (they reference it), so it starts at 0.
 */
PG_FUNCTION_INFO_V1(okr_project_sync);

Datum
okr_project_sync(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr insert_plan = NULL;
	static SPIPlanPtr delete_plan = NULL;
	TriggerData *td = trigger_data(fcinfo, "okr_project_sync", "project", true);
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(get_id(td, td->tg_trigtuple, "id"))};
	OkrSpiState st;

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		run_sync_plan(okr_spi_plan(&insert_plan,
								   "INSERT INTO okr.project_effort (project_id) VALUES ($1)"
								   " ON CONFLICT (project_id) DO NOTHING",
								   1, argtypes),
					  values, NULL);
	else
		run_sync_plan(okr_spi_plan(&delete_plan,
								   "DELETE FROM okr.project_effort WHERE project_id = $1",
								   1, argtypes),
					  values, NULL);
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* okr.project_effort BEFORE ROW: written by okr only (428C9 otherwise). */
PG_FUNCTION_INFO_V1(okr_effort_guard);

Datum
okr_effort_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_effort_guard", "project_effort", true);

	if (!okr_syncing_current_value)
		ereport(ERROR,
				(errcode(ERRCODE_GENERATED_ALWAYS),
				 errmsg("okr.project_effort is maintained from the tasks"),
				 errhint("Write okr.task; to rebuild the sums call okr.refresh_maintained().")));
	return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple);
}

/* ---------------------------------------------------------------------
 * okr.task BEFORE ROW INSERT OR UPDATE: rule 7
 * --------------------------------------------------------------------- */

Datum
okr_task_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_task_guard", "task", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	char	   *status = get_text(td, newtup, "status");
	int			done_attno = attnum_of(td, "done_at");
	bool		done_null;
	Datum		done_at = heap_getattr(newtup, done_attno, desc, &done_null);
	bool		set_done = false;
	bool		clear_done = false;

	/* done_at describes done tasks only, and never the future. */
	if (streq(status, "done"))
	{
		if (done_null)
			set_done = true;
		else if (DatumGetTimestampTz(done_at) > GetCurrentTimestamp())
			ereport(ERROR,
					(errcode(ERRCODE_OKR_DONE_AT_INVALID),
					 errmsg("done_at of task " INT64_FORMAT " is in the future: %s",
							get_id(td, newtup, "id"),
							timestamptz_to_str(DatumGetTimestampTz(done_at)))));
	}
	else if (!done_null)
		clear_done = true;

	if (set_done || clear_done)
	{
		Datum		v = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		bool		n = clear_done;

		newtup = heap_modify_tuple_by_cols(newtup, desc, 1, &done_attno, &v, &n);
	}
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.task AFTER ROW INSERT OR UPDATE OR DELETE: rule 6 for a task arriving
 * in a project, and the effort deltas noted for the commit (maintain.c).
 *
 * A task contributes its effort to effort_total unless cancelled, and to
 * effort_done when done.  The counters move by exactly what the row's old
 * version added and its new version adds.  An AFTER trigger, so that a row
 * another trigger skipped never counts.
 * --------------------------------------------------------------------- */

static void
task_contribution(TriggerData *td, HeapTuple tup, double *total, double *done)
{
	char	   *status = get_text(td, tup, "status");
	bool		isnull;
	Datum		effort = get_col(td, tup, "effort", &isnull);
	double		e = isnull ? 0.0 : DatumGetFloat8(effort);

	*total = streq(status, "cancelled") ? 0.0 : e;
	*done = streq(status, "done") ? e : 0.0;
}

/* Rule 6 for a task arriving in a project: the project and its parents. */
static void
check_task_parents(int64 project_id)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr exists_plan = NULL;

	if (!lock_parents(&plan,
					  "SELECT p.state, k.id, k.state, o.id, o.state FROM okr.project p"
					  " JOIN okr.key_result k ON k.id = p.key_result_id"
					  " JOIN okr.objective o ON o.id = k.objective_id WHERE p.id = $1"
					  " FOR KEY SHARE OF p, k, o",
					  &exists_plan, "project", project_id) ||
		row_is_restored())
		return;
	if (streq(result_text(0, 1), "cancelled"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a task under project " INT64_FORMAT ": it is cancelled",
						project_id)));
	if (streq(result_text(0, 3), "cancelled"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a task under key result %s: it is cancelled",
						result_text(0, 2))));
	if (state_is_closed(result_text(0, 5)))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a task under objective %s: it is %s",
						result_text(0, 4), result_text(0, 5))));
}

Datum
okr_task_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_task_sync", "task", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	HeapTuple	oldtup = is_insert ? NULL : td->tg_trigtuple;
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : (is_delete ? NULL : td->tg_newtuple);
	int64		old_project = oldtup ? get_id(td, oldtup, "project_id") : 0;
	int64		new_project = newtup ? get_id(td, newtup, "project_id") : 0;
	bool		moved = newtup && (!oldtup || new_project != old_project);
	double		old_total = 0.0,
				old_done = 0.0,
				new_total = 0.0,
				new_done = 0.0;

	begin_row(td);
	if (oldtup)
		task_contribution(td, oldtup, &old_total, &old_done);
	if (newtup)
		task_contribution(td, newtup, &new_total, &new_done);

	if (moved)
	{
		OkrSpiState st;

		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
		check_task_parents(new_project);
		okr_spi_leave(&st);
	}

	if (oldtup && newtup && !moved)
	{
		/* same contribution (todo -> doing, a title): nothing to note */
		if (old_total != new_total || old_done != new_done)
			okr_maint_note_effort(new_project, old_total, new_total, old_done, new_done);
	}
	else
	{
		if (oldtup)
			okr_maint_note_effort(old_project, old_total, 0.0, old_done, 0.0);
		if (newtup)
			okr_maint_note_effort(new_project, 0.0, new_total, 0.0, new_done);
	}
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.refresh_maintained(): recompute every maintained column from the rows
 * themselves.  For bulk loads done with triggers off (session_replication_role
 * = replica), and as the reference the benchmark compares against.  Returns
 * the number of rows it had to correct, and warns about each row that breaks
 * a rule (okr.check_integrity()), which it cannot correct.
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_refresh_maintained);

Datum
okr_refresh_maintained(PG_FUNCTION_ARGS)
{
	OkrSpiState st;
	uint64		fixed = 0;

	okr_spi_enter(&st, InvalidOid);	/* as the caller: needs UPDATE rights */
	fixed += run_sync(NULL,
					  "UPDATE okr.key_result k SET current_value = l.value, last_checkin_at = l.checked_at"
					  " FROM okr.key_result k2 LEFT JOIN LATERAL ("
					  "   SELECT c.value, c.checked_at FROM okr.checkin c WHERE c.key_result_id = k2.id"
					  "   ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) l ON true"
					  " WHERE k2.id = k.id AND (k.current_value IS DISTINCT FROM l.value"
					  "   OR k.last_checkin_at IS DISTINCT FROM l.checked_at)",
					  NULL, NULL);
	/* the guard recomputes current_progress on any update of the row */
	fixed += run_sync(NULL,
					  "UPDATE okr.key_result k SET kind = k.kind"
					  /* kr_progress refuses this rule-3 break: reported below */
					  " WHERE CASE WHEN k.kind = 'metric' AND k.start_value = k.target_value THEN false"
					  "   ELSE k.current_progress IS DISTINCT FROM"
					  "     okr.kr_progress(k.kind, k.start_value, k.target_value, k.current_value) END",
					  NULL, NULL);
	/* a row in project_effort for every project, and for nothing else */
	fixed += run_sync(NULL,
					  "DELETE FROM okr.project_effort e"
					  " WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = e.project_id)",
					  NULL, NULL);
	fixed += run_sync(NULL,
					  "INSERT INTO okr.project_effort (project_id)"
					  " SELECT p.id FROM okr.project p"
					  " WHERE NOT EXISTS (SELECT FROM okr.project_effort e WHERE e.project_id = p.id)",
					  NULL, NULL);
	fixed += run_sync(NULL,
					  "UPDATE okr.project_effort e SET effort_total = s.total, effort_done = s.done"
					  " FROM (SELECT p.id,"
					  "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled'), 0) AS total,"
					  "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status = 'done'), 0) AS done"
					  "   FROM okr.project p LEFT JOIN okr.task t ON t.project_id = p.id GROUP BY p.id) s"
					  " WHERE s.id = e.project_id AND (e.effort_total <> s.total OR e.effort_done <> s.done)",
					  NULL, NULL);
	/* what it cannot fix: rows that break a rule, one warning each */
	if (SPI_execute("SELECT item, id, rule, problem FROM okr.check_integrity()"
					" ORDER BY item, id, rule, problem LIMIT 101", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: could not run okr.check_integrity()");
	for (uint64 i = 0; i < SPI_processed && i < 100; i++)
		ereport(WARNING,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("okr.%s %s breaks %s: %s, which okr.refresh_maintained() cannot fix",
						result_text(i, 1), result_text(i, 2), result_text(i, 3), result_text(i, 4)),
				 errhint("Correct the row by hand; okr.check_integrity() lists every such row.")));
	if (SPI_processed > 100)
		ereport(WARNING,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("okr: more rows break okr's rules than the 100 reported"),
				 errhint("okr.check_integrity() lists every such row.")));
	okr_spi_leave(&st);
	PG_RETURN_INT64((int64) fixed);
}
