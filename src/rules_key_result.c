/*
 * rules_key_result.c
 *	  Key results and check-ins: rules 3 (values fit the kind), 4
 *	  (current_value and last_checkin_at are derived from the check-ins), 5
 *	  (check-ins inside the cycle) and 6 (under open parents) of SPEC 2.
 *
 *	okr_key_result_guard BEFORE ROW on key_result: rules 3, 4, 5 and 6, the
 *						milestone defaults, and current_progress (maintain.c).
 *	okr_checkin_guard	BEFORE ROW on checkin: rules 3, 5 and 6.
 *	okr_checkin_sync	AFTER ROW on checkin: rule 4, noted for the commit;
 *						maintain.c writes current_value and last_checkin_at.
 *
 * A check-in takes FOR KEY SHARE on its key result and objective (rule 6,
 * rules_parents.c) and nothing stronger: current_value is written when the
 * transaction commits (maintain.c), so a check-in holds no lock that another
 * check-in or a rename waits for.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/rel.h"

/* ---------------------------------------------------------------------
 * okr.key_result: rules 3, 4, 5, 6 (BEFORE ROW INSERT OR UPDATE)
 * --------------------------------------------------------------------- */

/* Value and time of the latest check-in of a key result (latest checked_at,
 * then highest id); *isnull when it has none. */
static Datum
latest_checkin_value(int64 key_result_id, bool *isnull, Datum *checked_at)
{
	Datum		values[1] = {Int64GetDatum(key_result_id)};
	bool		n;

	okr_run_plan(okr_latest_checkin_plan(), values, NULL, 1);
	if (SPI_processed == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*checked_at = okr_result_datum(0, 2, TIMESTAMPTZOID, &n);
	return okr_result_datum(0, 1, NUMERICOID, isnull);
}

/* Rule 3: the values of key result tup fit the kind. */
static void
check_kind_values(TriggerData *td, HeapTuple tup, OkrKrKind kind, const char *kind_name,
				  Datum start, bool start_null, Datum target, bool target_null)
{
	switch (kind)
	{
		case OKR_KR_METRIC:
			if (start_null || target_null)
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("%s of kind metric needs start_value and target_value",
								okr_row_name(td, tup))));
			if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, start, target)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("%s of kind metric needs a target_value different from its start_value",
								okr_row_name(td, tup))));
			break;
		case OKR_KR_AT_LEAST:
		case OKR_KR_AT_MOST:
			if (target_null)
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("%s of kind %s needs a target_value", okr_row_name(td, tup), kind_name)));
			break;
		case OKR_KR_MILESTONE:
			if ((!start_null && !okr_numeric_is(start, 0)) ||
				(!target_null && !okr_numeric_is(target, 1)))
				ereport(ERROR,
						(errcode(ERRCODE_OKR_KIND_MISMATCH),
						 errmsg("%s of kind milestone goes from 0 to 1", okr_row_name(td, tup)),
						 errhint("Leave start_value and target_value NULL; they default to 0 and 1.")));
			break;
		case OKR_KR_PROJECTS:
		case OKR_KR_OBJECTIVES:
			break;
	}
}

/*
 * Rule 4: a written current_value and last_checkin_at must be those of the
 * latest check-in.  Returns true when a restored row's values are to be
 * cleared instead (no check-in can reference it yet).  Inside SPI.
 */
static bool
check_current_derived(TriggerData *td, HeapTuple newtup, int64 id, OkrRow *row)
{
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		latest_null = true;
	Datum		latest_at = (Datum) 0;
	Datum		latest = is_insert ? (Datum) 0 :
		latest_checkin_value(id, &latest_null, &latest_at);
	bool		cur_null;
	Datum		cur = okr_get_col(td, newtup, "current_value", &cur_null);
	bool		at_null;
	Datum		at = okr_get_col(td, newtup, "last_checkin_at", &at_null);

	/* Writing back the values it already has is fine (ORMs do). */
	if (cur_null == latest_null && at_null == latest_null &&
		(cur_null || DatumGetInt32(DirectFunctionCall2(numeric_cmp, cur, latest)) == 0) &&
		(at_null || DatumGetTimestampTz(at) == DatumGetTimestampTz(latest_at)))
		return false;
	if (is_insert && okr_row_is_restored(row))
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_GENERATED_ALWAYS),
			 errmsg("current_value and last_checkin_at of %s are maintained from its check-ins",
					okr_row_name(td, newtup)),
			 errhint("Insert a row into okr.checkin to record a new value.")));
	return false;				/* keep compiler quiet */
}

/* Rule 3 for a key result re-kinded to milestone or projects: its check-ins. */
static void
check_rekind_checkins(int64 id, OkrKrKind kind)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	bool		isnull;
	Datum		v;

	okr_run_plan(okr_spi_plan(&plan,
							  "SELECT id, value FROM okr.checkin WHERE key_result_id = $1"
							  " ORDER BY (value IN (0, 1)), id LIMIT 1",
							  1, argtypes),
				 values, NULL, 1);
	if (SPI_processed == 0)
		return;
	if (OKR_KR_DERIVED(kind))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_KIND_MISMATCH),
				 errmsg("key result " INT64_FORMAT " cannot become kind %s: it has check-ins (check-in %s)",
						id, okr_kr_kind_name(kind), okr_result_text(0, 1)),
				 errdetail("A key result of kind projects takes its progress from its projects.")));
	v = okr_result_datum(0, 2, NUMERICOID, &isnull);
	if (!okr_numeric_is(v, 0) && !okr_numeric_is(v, 1))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_KIND_MISMATCH),
				 errmsg("key result " INT64_FORMAT " cannot become kind milestone: check-in %s has value %s",
						id, okr_result_text(0, 1), okr_result_text(0, 2)),
				 errdetail("A milestone takes the values 0 and 1 only.")));
}

/* Rule 5 for a key result moved to another objective: its check-ins. */
static void
check_moved_checkins(int64 id, int64 objective_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(id), Int64GetDatum(objective_id)};

	okr_run_plan(okr_spi_plan(&plan,
							  "SELECT ci.id, ci.key_result_id, ci.checked_at, c.name, c.starts_on, c.ends_on"
							  " FROM okr.checkin ci, okr.objective o JOIN okr.cycle c ON c.id = o.cycle_id"
							  " WHERE ci.key_result_id = $1 AND o.id = $2"
							  "   AND (ci.checked_at < c.starts_on::timestamptz"
							  "        OR ci.checked_at >= (c.ends_on + 1)::timestamptz)"
							  " LIMIT 1", 2, argtypes),
				 values, NULL, 1);
	if (SPI_processed > 0)
		okr_report_checkin_outside("A key result moved to another objective keeps its check-ins; they must lie within the new cycle.");
}

/* The row with current_value and last_checkin_at NULL (a restored row). */
static HeapTuple
clear_current(TriggerData *td, HeapTuple tup)
{
	int			cols[2] = {okr_attnum_of(td, "current_value"), okr_attnum_of(td, "last_checkin_at")};
	Datum		v[2] = {(Datum) 0, (Datum) 0};
	bool		n[2] = {true, true};

	return heap_modify_tuple_by_cols(tup, RelationGetDescr(td->tg_relation), 2, cols, v, n);
}

/* Milestones go from 0 to 1: fill in a NULL start_value or target_value. */
static HeapTuple
milestone_defaults(TriggerData *td, HeapTuple tup, bool start_null, bool target_null)
{
	int			cols[2];
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			n = 0;

	if (start_null)
	{
		cols[n] = okr_attnum_of(td, "start_value");
		vals[n++] = DirectFunctionCall1(int8_numeric, Int64GetDatum(0));
	}
	if (target_null)
	{
		cols[n] = okr_attnum_of(td, "target_value");
		vals[n++] = DirectFunctionCall1(int8_numeric, Int64GetDatum(1));
	}
	return heap_modify_tuple_by_cols(tup, RelationGetDescr(td->tg_relation), n, cols, vals, nulls);
}

PG_FUNCTION_INFO_V1(okr_key_result_guard);

Datum
okr_key_result_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_key_result_guard", "key_result", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	int64		id = okr_get_id(td, newtup, "id");
	char	   *kind_name = okr_get_text(td, newtup, "kind");
	bool		start_null,
				target_null;
	Datum		start = okr_get_col(td, newtup, "start_value", &start_null);
	Datum		target = okr_get_col(td, newtup, "target_value", &target_null);
	OkrKrKind	kind;
	bool		kind_changed = is_insert || okr_col_changed(td, "kind");
	bool		objective_changed = is_insert || okr_col_changed(td, "objective_id");
	bool		current_changed;
	bool		clear = false;
	OkrSpiState st;
	OkrRow		row;

	okr_begin_row(&row, td);
	okr_check_values(td, newtup);

	/*
	 * NOT NULL reports a missing kind (and the CHECK constraint
	 * key_result_kind_valid an unknown one written with triggers off).
	 */
	if (kind_name == NULL || !okr_kr_kind_lookup(kind_name, &kind))
		return PointerGetDatum(newtup);

	check_kind_values(td, newtup, kind, kind_name, start, start_null, target, target_null);

	/* Rule 4: current_value and last_checkin_at are derived from check-ins. */
	if (is_insert)
	{
		bool		cur_null,
					last_null;

		(void) okr_get_col(td, newtup, "current_value", &cur_null);
		(void) okr_get_col(td, newtup, "last_checkin_at", &last_null);
		current_changed = !cur_null || !last_null;
	}
	else
		current_changed = !okr_maint_writing() &&
			(okr_col_changed(td, "current_value") || okr_col_changed(td, "last_checkin_at"));

	if (current_changed || objective_changed || (kind_changed && !is_insert))
	{
		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
		if (objective_changed)
			okr_check_objective_open(&row, okr_row_name(td, newtup),
									 okr_get_id(td, newtup, "objective_id"));
		if (current_changed)
			clear = check_current_derived(td, newtup, id, &row);
		if (!is_insert && kind_changed && (kind == OKR_KR_MILESTONE || OKR_KR_DERIVED(kind)))
			check_rekind_checkins(id, kind);
		if (!is_insert && objective_changed)
		{
			check_moved_checkins(id, okr_get_id(td, newtup, "objective_id"));
			okr_check_key_result_move(id, okr_get_id(td, newtup, "objective_id"));
		}
		okr_spi_leave(&st);
	}

	if (clear)
		newtup = clear_current(td, newtup);
	if (kind == OKR_KR_MILESTONE && (start_null || target_null))
		newtup = milestone_defaults(td, newtup, start_null, target_null);
	newtup = okr_maint_current_progress(td, newtup, kind);
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

PG_FUNCTION_INFO_V1(okr_checkin_guard);

Datum
okr_checkin_guard(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr exists_plan = NULL;
	TriggerData *td = okr_trigger_data(fcinfo, "okr_checkin_guard", "checkin", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	int64		id = okr_get_id(td, newtup, "id");
	int64		kr_id = okr_get_id(td, newtup, "key_result_id");
	bool		moved = is_insert || okr_col_changed(td, "key_result_id");
	bool		value_null,
				checked_null,
				isnull,
				n1,
				n2;
	Datum		value = okr_get_col(td, newtup, "value", &value_null);
	Datum		checked_at_d = okr_get_col(td, newtup, "checked_at", &checked_null);
	TimestampTz checked_at = checked_null ? 0 : DatumGetTimestampTz(checked_at_d);
	char	   *kind;
	OkrKrKind	kr_kind;
	int64		objective_id;
	DateADT		starts_on,
				ends_on;
	OkrSpiState st;
	OkrRow		row;

	okr_begin_row(&row, td);
	okr_check_values(td, newtup);

	if (!moved && !okr_col_changed(td, "value") && !okr_col_changed(td, "checked_at"))
		return PointerGetDatum(newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (!okr_lock_parents(&plan,
					  "SELECT k.kind, k.state, k.objective_id, o.state, c.starts_on, c.ends_on, c.name"
					  " FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id"
					  " JOIN okr.cycle c ON c.id = o.cycle_id WHERE k.id = $1"
					  " FOR KEY SHARE OF k, o",
					  &exists_plan, "key_result", kr_id))
	{
		okr_spi_leave(&st);
		return PointerGetDatum(newtup);	/* the foreign key reports it */
	}
	kind = okr_result_text(0, 1);
	objective_id = okr_result_int64(0, 3, &isnull);
	starts_on = DatumGetDateADT(okr_result_datum(0, 5, DATEOID, &n1));
	ends_on = DatumGetDateADT(okr_result_datum(0, 6, DATEOID, &n2));

	/* Rule 3 */
	if (kind == NULL || !okr_kr_kind_lookup(kind, &kr_kind))
		kr_kind = OKR_KR_METRIC;	/* (forbidden by NOT NULL and CHECK) */
	if (OKR_KR_DERIVED(kr_kind))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_KIND_MISMATCH),
				 errmsg("key result " INT64_FORMAT " of kind %s takes no check-ins", kr_id, kind),
				 errdetail(kr_kind == OKR_KR_PROJECTS ? "Its progress comes from its projects." :
						   "Its progress comes from the objectives aligned to it.")));
	if (kr_kind == OKR_KR_MILESTONE && !value_null && !okr_numeric_is(value, 0) && !okr_numeric_is(value, 1))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_KIND_MISMATCH),
				 errmsg("check-in of milestone key result " INT64_FORMAT " must have value 0 or 1, not %s",
						kr_id, DatumGetCString(DirectFunctionCall1(numeric_out, value)))));

	/* Rule 6, for a check-in new to this key result */
	if (moved && okr_streq(okr_result_text(0, 2), "cancelled") && !okr_row_is_restored(&row))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a check-in under key result " INT64_FORMAT ": it is cancelled",
						kr_id)));
	if (moved && okr_state_is_closed(okr_result_text(0, 4)) && !okr_row_is_restored(&row))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add a check-in under objective " INT64_FORMAT ": it is %s",
						objective_id, okr_result_text(0, 4)),
				 okr_streq(okr_result_text(0, 4), "closed") ?
				 errhint("To record a late check-in, reopen the objective (state = 'active'), add the check-in, then close it again; its score is its progress at the end of its cycle.") : 0));

	/*
	 * Rule 5: inside the cycle, in the session time zone, and never in the
	 * future (new in 1.1: a value is measured, not planned; rows 1.0 took
	 * are left alone until they change).  A new row is named by what the
	 * user wrote: its id is one that will never exist.
	 */
	if (!checked_null &&
		(checked_at < okr_date_start(starts_on) ||
		 checked_at >= okr_date_start(ends_on + 1)) &&
		!okr_row_is_restored(&row))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_OUTSIDE_CYCLE),
				 errmsg("%s of key result " INT64_FORMAT " at %s falls outside cycle \"%s\" (%s to %s)",
						is_insert ? "a check-in" : psprintf("check-in " INT64_FORMAT, id),
						kr_id, timestamptz_to_str(checked_at), okr_result_text(0, 7),
						okr_result_text(0, 5), okr_result_text(0, 6)),
				 errdetail("Check-ins must lie within the cycle of their objective, in the session time zone.")));
	if (!checked_null && checked_at > GetCurrentTimestamp() && !okr_row_is_restored(&row))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_OUTSIDE_CYCLE),
				 errmsg("%s of key result " INT64_FORMAT " at %s is in the future",
						is_insert ? "a check-in" : psprintf("check-in " INT64_FORMAT, id),
						kr_id, timestamptz_to_str(checked_at)),
				 errdetail("A check-in records a value measured, not planned."),
				 errhint("Record it when it is measured, or leave checked_at out to record it now.")));

	okr_spi_leave(&st);
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.checkin AFTER ROW INSERT OR UPDATE OR DELETE: rule 4, noted for the
 * commit (maintain.c).  An insert carries its row, which becomes the key
 * result's latest unless a later one exists; anything else re-reads.
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_checkin_sync);

Datum
okr_checkin_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_checkin_sync", "checkin", true);
	HeapTuple	old = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? NULL : td->tg_trigtuple;
	HeapTuple	new = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? td->tg_trigtuple :
		TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : NULL;
	bool		isnull;

	if (old == NULL)
		okr_maint_note_checkin(okr_get_id(td, new, "key_result_id"), true,
							   DatumGetTimestampTz(okr_get_col(td, new, "checked_at", &isnull)),
							   okr_get_id(td, new, "id"),
							   okr_get_col(td, new, "value", &isnull));
	else
	{
		okr_maint_note_checkin(okr_get_id(td, old, "key_result_id"), false, 0, 0, (Datum) 0);
		if (new && okr_get_id(td, new, "key_result_id") != okr_get_id(td, old, "key_result_id"))
			okr_maint_note_checkin(okr_get_id(td, new, "key_result_id"), false, 0, 0, (Datum) 0);
	}
	return PointerGetDatum(NULL);
}
