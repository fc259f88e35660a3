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
 *	okr_checkin_sync	AFTER ROW on checkin: rule 4 (current_value).
 *	okr_checkin_truncate AFTER TRUNCATE on checkin: rule 4 when every check-in goes.
 *	okr_project_guard	BEFORE ROW on project: rule 6.
 *	okr_task_guard		BEFORE ROW on task: rules 6 and 7.
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
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(okr_structure_lock);
PG_FUNCTION_INFO_V1(okr_cycle_check);
PG_FUNCTION_INFO_V1(okr_team_check);
PG_FUNCTION_INFO_V1(okr_objective_check);
PG_FUNCTION_INFO_V1(okr_key_result_guard);
PG_FUNCTION_INFO_V1(okr_checkin_guard);
PG_FUNCTION_INFO_V1(okr_checkin_sync);
PG_FUNCTION_INFO_V1(okr_checkin_truncate);
PG_FUNCTION_INFO_V1(okr_project_guard);
PG_FUNCTION_INFO_V1(okr_task_guard);

/* Advisory lock key of the structure lock: ('okr', 1). */
#define OKR_LOCK_KEY1	0x006F6B72
#define OKR_LOCK_KEY2	1

/* True while okr_checkin_sync itself writes key_result.current_value. */
static bool okr_syncing_current_value = false;

/* ---------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *fname)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: not called by trigger manager", fname)));
	return (TriggerData *) fcinfo->context;
}

static int
attnum_of(TriggerData *td, const char *col)
{
	int			attno = SPI_fnumber(RelationGetDescr(td->tg_relation), col);

	if (attno <= 0)
		elog(ERROR, "okr: column \"%s\" not found in \"%s\"",
			 col, RelationGetRelationName(td->tg_relation));
	return attno;
}

static Datum
get_col(TriggerData *td, HeapTuple tup, const char *col, bool *isnull)
{
	return heap_getattr(tup, attnum_of(td, col),
						RelationGetDescr(td->tg_relation), isnull);
}

/* bigint column; 0 when NULL (ids start at 1) */
static int64
get_id(TriggerData *td, HeapTuple tup, const char *col)
{
	bool		isnull;
	Datum		d = get_col(td, tup, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
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

static int64
result_int64(int row, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
								  col, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

static char *
result_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

static Datum
result_datum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

static bool
state_is_closed(const char *state)
{
	return streq(state, "closed") || streq(state, "cancelled");
}

/* ---------------------------------------------------------------------
 * Restored rows.  pg_dump reloads these tables with COPY including the ids,
 * in whatever order it likes, after CREATE EXTENSION has installed the
 * triggers.  A row inserted with an explicit id beyond its identity
 * sequence (COPY with ids, INSERT ... OVERRIDING SYSTEM VALUE) is treated as
 * existing history being loaded: the rules about adding something new
 * (6), about the session's clock and time zone (5) and about deriving
 * current_value (4: the supplied value is replaced by the one derived from
 * the check-ins present, which the check-ins themselves then maintain) do
 * not reject it.  The structural rules 1, 2, 3 and 7 always apply.  The
 * test is made only when one of those rules is about to reject a row, so
 * ordinary inserts never pay for it.
 * --------------------------------------------------------------------- */

static TriggerData *insert_td = NULL;
static HeapTuple insert_tuple = NULL;
static int	insert_restored = -1;	/* -1: not yet known */

static void
begin_row(TriggerData *td)
{
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		insert_td = td;
		insert_tuple = td->tg_trigtuple;
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
		Oid			argtypes[1] = {OIDOID};
		Datum		values[1];
		Oid			seq = getIdentitySequence(RelationGetRelid(insert_td->tg_relation),
											  attnum_of(insert_td, "id"), true);
		bool		isnull = true;
		int64		last = 0;

		if (!OidIsValid(seq))
			return false;
		values[0] = ObjectIdGetDatum(seq);
		run_plan(okr_spi_plan(&plan,
							  "SELECT pg_sequence_last_value($1::regclass)",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			last = result_int64(0, 1, &isnull);
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
	TriggerData *td = trigger_data(fcinfo, "okr_structure_lock");

	if (!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		elog(ERROR, "okr_structure_lock must be a statement-level trigger");

	DirectFunctionCall2(pg_advisory_xact_lock_int4,
						Int32GetDatum(OKR_LOCK_KEY1),
						Int32GetDatum(OKR_LOCK_KEY2));
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * Rule 1: no cycles.  Walks up from the new parent; reaching the row itself
 * means the new link would close a loop.  UNION (not UNION ALL) makes the
 * walk terminate even on damaged data.  Under REPEATABLE READ or
 * SERIALIZABLE our snapshot may predate a committed concurrent change, so
 * the rows on the path are then locked FOR SHARE: one changed after our
 * snapshot raises a serialization failure instead of slipping through.
 * --------------------------------------------------------------------- */

typedef struct HierarchyPlans
{
	SPIPlanPtr	walk;
	SPIPlanPtr	lock_path;
} HierarchyPlans;

static HierarchyPlans cycle_plans,
			team_plans,
			objective_plans;

static void
check_no_cycle(HierarchyPlans *plans, const char *table, const char *noun,
			   const char *verb, int64 id, int64 parent_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];
	bool		isnull;
	char		sql[512];

	if (parent_id == 0)
		return;
	if (parent_id == id)
		ereport(ERROR,
				(errcode(ERRCODE_OKR_HIERARCHY_CYCLE),
				 errmsg("%s " INT64_FORMAT " cannot %s itself", noun, id, verb)));

	snprintf(sql, sizeof(sql),
			 "WITH RECURSIVE up(id) AS ("
			 " SELECT $1::bigint"
			 " UNION"
			 " SELECT t.parent_id FROM okr.%s t JOIN up ON t.id = up.id"
			 " WHERE t.parent_id IS NOT NULL)"
			 " SELECT (SELECT bool_or(id = $2) FROM up),"
			 "        (SELECT array_agg(id) FROM up)",
			 table);
	values[0] = Int64GetDatum(parent_id);
	values[1] = Int64GetDatum(id);
	run_plan(okr_spi_plan(&plans->walk, sql, 2, argtypes), values, NULL, 0);

	if (DatumGetBool(result_datum(0, 1, &isnull)) && !isnull)
		ereport(ERROR,
				(errcode(ERRCODE_OKR_HIERARCHY_CYCLE),
				 errmsg("%s " INT64_FORMAT " cannot %s %s " INT64_FORMAT ": "
						INT64_FORMAT " is already below " INT64_FORMAT,
						noun, id, verb, noun, parent_id, parent_id, id)));

	if (IsolationUsesXactSnapshot())
	{
		Oid			arrtype[1] = {INT8ARRAYOID};
		Datum		path = result_datum(0, 2, &isnull);

		if (!isnull)
		{
			snprintf(sql, sizeof(sql),
					 "SELECT 1 FROM okr.%s WHERE id = ANY ($1) FOR SHARE", table);
			run_plan(okr_spi_plan(&plans->lock_path, sql, 1, arrtype),
					 &path, NULL, 0);
		}
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
	TriggerData *td = trigger_data(fcinfo, "okr_cycle_check");
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
		check_no_cycle(&cycle_plans, "cycle", "cycle", "be part of",
					   id, get_id(td, newtup, "parent_id"));

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
	TriggerData *td = trigger_data(fcinfo, "okr_team_check");
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	OkrSpiState st;

	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event) && !col_changed(td, "parent_id"))
		return PointerGetDatum(NULL);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	check_no_cycle(&team_plans, "team", "team", "report to",
				   get_id(td, newtup, "id"), get_id(td, newtup, "parent_id"));
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.objective: rules 1, 2, 5 and 6
 * --------------------------------------------------------------------- */

Datum
okr_objective_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_objective_check");
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		parent_changed = is_insert || col_changed(td, "parent_id");
	bool		cycle_changed = !is_insert && col_changed(td, "cycle_id");
	int64		id = get_id(td, newtup, "id");
	int64		parent_id = get_id(td, newtup, "parent_id");
	OkrSpiState st;

	begin_row(td);

	if (!parent_changed && !cycle_changed)
		return PointerGetDatum(NULL);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (parent_changed && parent_id != 0)
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(parent_id)};

		check_no_cycle(&objective_plans, "objective", "objective", "align to",
					   id, parent_id);

		/* Rule 6; FOR SHARE waits for a concurrent close and then sees it. */
		run_plan(okr_spi_plan(&plan,
							  "SELECT state FROM okr.objective WHERE id = $1 FOR SHARE",
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
 * Rule 6 for key results, projects and tasks: the chain of parents above a
 * new link.  Locks objective, then key result, then project (top-down) FOR
 * SHARE and reports the first one that is closed or cancelled.
 * --------------------------------------------------------------------- */

static void
check_objective_open(const char *child, int64 objective_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};

	run_plan(okr_spi_plan(&plan,
						  "SELECT state FROM okr.objective WHERE id = $1 FOR SHARE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed > 0 && state_is_closed(result_text(0, 1)) &&
		!row_is_restored())
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under objective " INT64_FORMAT ": it is %s",
						child, objective_id, result_text(0, 1))));
}

/* Objective of a key result, or 0 if the key result does not exist. */
static int64
objective_of_key_result(int64 key_result_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(key_result_id)};
	bool		isnull;

	run_plan(okr_spi_plan(&plan,
						  "SELECT objective_id FROM okr.key_result WHERE id = $1",
						  1, argtypes),
			 values, NULL, 1);
	return SPI_processed > 0 ? result_int64(0, 1, &isnull) : 0;
}

/*
 * Lock a key result (after its objective) and check it is open.  Returns
 * false when the key result does not exist (the foreign key reports it).
 * for_update: the caller will update the row (check-ins), so take the
 * stronger lock at once rather than upgrading a shared one later.
 */
static bool
check_key_result_open(const char *child, int64 key_result_id, bool for_update,
					  char **kind)
{
	static SPIPlanPtr share_plan = NULL;
	static SPIPlanPtr update_plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(key_result_id)};
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		int64		objective_id = objective_of_key_result(key_result_id);
		bool		isnull;

		if (objective_id == 0)
			return false;
		check_objective_open(child, objective_id);

		if (for_update)
			run_plan(okr_spi_plan(&update_plan,
								  "SELECT objective_id, state, kind FROM okr.key_result WHERE id = $1 FOR NO KEY UPDATE",
								  1, argtypes),
					 values, NULL, 1);
		else
			run_plan(okr_spi_plan(&share_plan,
								  "SELECT objective_id, state, kind FROM okr.key_result WHERE id = $1 FOR SHARE",
								  1, argtypes),
					 values, NULL, 1);
		if (SPI_processed == 0)
			return false;
		/* moved to another objective meanwhile: check that one instead */
		if (result_int64(0, 1, &isnull) != objective_id)
		{
			if (attempt >= 3)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("key result " INT64_FORMAT " keeps moving between objectives", key_result_id)));
			continue;
		}
		if (streq(result_text(0, 2), "cancelled") && !row_is_restored())
			ereport(ERROR,
					(errcode(ERRCODE_OKR_PARENT_INACTIVE),
					 errmsg("cannot add %s under key result " INT64_FORMAT ": it is cancelled",
							child, key_result_id)));
		if (kind)
			*kind = result_text(0, 3);
		return true;
	}
}

/* ---------------------------------------------------------------------
 * okr.key_result: rules 3, 4, 5, 6 (BEFORE ROW INSERT OR UPDATE)
 * --------------------------------------------------------------------- */

/* Value of the latest check-in of a key result (latest checked_at, then id). */
static Datum
latest_checkin_value(int64 key_result_id, bool *isnull)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(key_result_id)};

	run_plan(okr_spi_plan(&plan,
						  "SELECT value FROM okr.checkin WHERE key_result_id = $1"
						  " ORDER BY checked_at DESC, id DESC LIMIT 1",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return result_datum(0, 1, isnull);
}

static bool
numeric_is(Datum n, int64 v)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
											 DirectFunctionCall1(int8_numeric, Int64GetDatum(v)))) == 0;
}

Datum
okr_key_result_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_key_result_guard");
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

	/* The CHECK constraint reports unknown kinds (and runs after us). */
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

	/* Rule 4: current_value is derived from check-ins. */
	if (is_insert)
	{
		(void) get_col(td, newtup, "current_value", &cur_null);
		current_changed = !cur_null;
	}
	else
		current_changed = col_changed(td, "current_value") && !okr_syncing_current_value;

	if (current_changed || objective_changed || (kind_changed && !is_insert))
	{
		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

		if (objective_changed)
			check_objective_open("a key result", get_id(td, newtup, "objective_id"));

		if (current_changed)
		{
			bool		latest_null;
			Datum		latest = is_insert ? (Datum) 0 : latest_checkin_value(id, &latest_null);
			Datum		cur = get_col(td, newtup, "current_value", &cur_null);

			if (is_insert)
				latest_null = true;
			/* Writing back the value it already has is fine (ORMs do). */
			if (cur_null != latest_null ||
				(!cur_null && DatumGetInt32(DirectFunctionCall2(numeric_cmp, cur, latest)) != 0))
			{
				/* restored: no check-in can reference it yet, so NULL */
				if (is_insert && row_is_restored())
					clear_current = true;
				else
					ereport(ERROR,
						(errcode(ERRCODE_GENERATED_ALWAYS),
						 errmsg("current_value of key result " INT64_FORMAT " is maintained from its check-ins", id),
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
					Datum		v = result_datum(0, 2, &isnull);

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
		int			col = attnum_of(td, "current_value");
		Datum		v = (Datum) 0;
		bool		n = true;

		newtup = heap_modify_tuple_by_cols(newtup, desc, 1, &col, &v, &n);
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

	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.checkin BEFORE ROW INSERT OR UPDATE: rules 3, 5, 6
 * --------------------------------------------------------------------- */

Datum
okr_checkin_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_checkin_guard");
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	int64		id = get_id(td, newtup, "id");
	int64		kr_id = get_id(td, newtup, "key_result_id");
	bool		moved = is_insert || col_changed(td, "key_result_id");
	bool		value_null,
				checked_null;
	Datum		value = get_col(td, newtup, "value", &value_null);
	Datum		checked_at_d = get_col(td, newtup, "checked_at", &checked_null);
	TimestampTz checked_at = checked_null ? 0 : DatumGetTimestampTz(checked_at_d);
	char	   *kind = NULL;
	OkrSpiState st;

	begin_row(td);

	if (!is_insert && !moved && !col_changed(td, "value") && !col_changed(td, "checked_at"))
		return PointerGetDatum(newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	/*
	 * Lock the key result FOR NO KEY UPDATE now: okr_checkin_sync will update
	 * it, and concurrent check-ins of one key result must queue here.
	 */
	if (moved)
	{
		if (!check_key_result_open("a check-in", kr_id, true, &kind))
		{
			okr_spi_leave(&st);
			return PointerGetDatum(newtup);	/* the foreign key reports it */
		}
	}
	else
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(kr_id)};

		run_plan(okr_spi_plan(&plan,
							  "SELECT kind FROM okr.key_result WHERE id = $1 FOR NO KEY UPDATE",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			kind = result_text(0, 1);
	}

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

	/* Rule 5: inside the cycle, in the session time zone. */
	if (!checked_null && kind != NULL)
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(kr_id)};
		bool		n1,
					n2;
		DateADT		starts_on,
					ends_on;

		run_plan(okr_spi_plan(&plan,
							  "SELECT c.starts_on, c.ends_on, c.name FROM okr.key_result k"
							  " JOIN okr.objective o ON o.id = k.objective_id"
							  " JOIN okr.cycle c ON c.id = o.cycle_id WHERE k.id = $1",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
		{
			starts_on = DatumGetDateADT(result_datum(0, 1, &n1));
			ends_on = DatumGetDateADT(result_datum(0, 2, &n2));
			if ((checked_at < okr_date_start(starts_on) ||
				 checked_at >= okr_date_start(ends_on + 1)) &&
				!row_is_restored())
				ereport(ERROR,
						(errcode(ERRCODE_OKR_OUTSIDE_CYCLE),
						 errmsg("check-in " INT64_FORMAT " of key result " INT64_FORMAT " at %s falls outside cycle \"%s\" (%s to %s)",
								id, kr_id, timestamptz_to_str(checked_at), result_text(0, 3),
								result_text(0, 1), result_text(0, 2)),
						 errdetail("Check-ins must lie within the cycle of their objective, in the session time zone.")));
		}
	}

	okr_spi_leave(&st);
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.checkin AFTER ROW INSERT OR UPDATE OR DELETE: rule 4
 * --------------------------------------------------------------------- */

static void
sync_current_value(int64 key_result_id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr update_plan = NULL;
	Oid			argtypes[2] = {INT8OID, NUMERICOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	bool		isnull;
	Datum		latest;

	values[0] = Int64GetDatum(key_result_id);
	/* Already locked on insert; a delete has not locked it yet. */
	run_plan(okr_spi_plan(&lock_plan,
						  "SELECT 1 FROM okr.key_result WHERE id = $1 FOR NO KEY UPDATE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
		return;					/* key result deleted in this statement */

	latest = latest_checkin_value(key_result_id, &isnull);
	values[1] = isnull ? (Datum) 0 : latest;
	nulls[1] = isnull ? 'n' : ' ';

	okr_syncing_current_value = true;
	PG_TRY();
	{
		run_plan(okr_spi_plan(&update_plan,
							  "UPDATE okr.key_result SET current_value = $2"
							  " WHERE id = $1 AND current_value IS DISTINCT FROM $2",
							  2, argtypes),
				 values, nulls, 0);
	}
	PG_FINALLY();
	{
		okr_syncing_current_value = false;
	}
	PG_END_TRY();
}

Datum
okr_checkin_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_checkin_sync");
	OkrSpiState st;
	int64		old_kr = 0,
				new_kr = 0;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		new_kr = get_id(td, td->tg_trigtuple, "key_result_id");
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		old_kr = get_id(td, td->tg_trigtuple, "key_result_id");
	else
	{
		old_kr = get_id(td, td->tg_trigtuple, "key_result_id");
		new_kr = get_id(td, td->tg_newtuple, "key_result_id");
		if (old_kr == new_kr)
			old_kr = 0;
	}

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	if (old_kr != 0)
		sync_current_value(old_kr);
	if (new_kr != 0)
		sync_current_value(new_kr);
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* TRUNCATE fires no row triggers: with every check-in gone, no value is left. */
Datum
okr_checkin_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_checkin_truncate");
	OkrSpiState st;

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	okr_syncing_current_value = true;
	PG_TRY();
	{
		if (SPI_execute("UPDATE okr.key_result SET current_value = NULL"
						" WHERE current_value IS NOT NULL", false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "okr: could not clear current_value");
	}
	PG_FINALLY();
	{
		okr_syncing_current_value = false;
	}
	PG_END_TRY();
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.project BEFORE ROW INSERT OR UPDATE: rule 6
 * --------------------------------------------------------------------- */

Datum
okr_project_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_project_guard");
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	OkrSpiState st;

	begin_row(td);

	if (!is_insert && !col_changed(td, "key_result_id"))
		return PointerGetDatum(newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	(void) check_key_result_open("a project", get_id(td, newtup, "key_result_id"),
								 false, NULL);
	okr_spi_leave(&st);
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.task BEFORE ROW INSERT OR UPDATE: rules 6 and 7
 * --------------------------------------------------------------------- */

Datum
okr_task_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "okr_task_guard");
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	char	   *status = get_text(td, newtup, "status");
	int			done_attno = attnum_of(td, "done_at");
	bool		done_null;
	Datum		done_at = heap_getattr(newtup, done_attno, desc, &done_null);
	bool		set_done = false;
	bool		clear_done = false;

	begin_row(td);

	/* Rule 7: done_at describes done tasks only, and never the future. */
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

	/* Rule 6 */
	if (is_insert || col_changed(td, "project_id"))
	{
		static SPIPlanPtr proj_plan = NULL;
		static SPIPlanPtr lock_plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(get_id(td, newtup, "project_id"))};
		OkrSpiState st;
		bool		isnull;

		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
		run_plan(okr_spi_plan(&proj_plan,
							  "SELECT key_result_id FROM okr.project WHERE id = $1",
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0 &&
			check_key_result_open("a task", result_int64(0, 1, &isnull), false, NULL))
		{
			run_plan(okr_spi_plan(&lock_plan,
								  "SELECT state FROM okr.project WHERE id = $1 FOR SHARE",
								  1, argtypes),
					 values, NULL, 1);
			if (SPI_processed > 0 && streq(result_text(0, 1), "cancelled") &&
				!row_is_restored())
				ereport(ERROR,
						(errcode(ERRCODE_OKR_PARENT_INACTIVE),
						 errmsg("cannot add a task under project " INT64_FORMAT ": it is cancelled",
								DatumGetInt64(values[0]))));
		}
		okr_spi_leave(&st);
	}

	if (set_done || clear_done)
	{
		Datum		v = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		bool		n = clear_done;

		newtup = heap_modify_tuple_by_cols(newtup, desc, 1, &done_attno, &v, &n);
	}
	return PointerGetDatum(newtup);
}
