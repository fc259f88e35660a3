/*
 * rules_task.c
 *	  Projects and tasks: rule 6 for a project under its key result and a
 *	  task under its project, rule 7 (done_at), and the effort deltas noted
 *	  for the commit (maintain.c writes okr.project_effort).
 *
 *	okr_project_guard	BEFORE ROW on project: rule 6; is_open follows state.
 *	okr_task_guard		BEFORE ROW on task: rule 7.
 *	okr_task_sync		AFTER ROW on task: rule 6 and the effort deltas.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* ---------------------------------------------------------------------
 * okr.project BEFORE ROW INSERT OR UPDATE: rule 6
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_project_guard);

Datum
okr_project_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_project_guard", "project", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	OkrSpiState st;
	OkrRow		row;

	int			open_attno = okr_attnum_of(td, "is_open");
	bool		open_null;
	Datum		open = heap_getattr(newtup, open_attno, RelationGetDescr(td->tg_relation),
									&open_null);
	bool		want_open = !okr_streq(okr_get_text(td, newtup, "state"), "cancelled");

	okr_begin_row(&row, td);
	okr_check_values(td, newtup);

	/* is_open follows state (see project_link_key) */
	if (open_null || DatumGetBool(open) != want_open)
	{
		Datum		v = BoolGetDatum(want_open);
		bool		n = false;

		newtup = heap_modify_tuple_by_cols(newtup, RelationGetDescr(td->tg_relation),
										   1, &open_attno, &v, &n);
	}

	if (!is_insert && !okr_col_changed(td, "key_result_id"))
		return PointerGetDatum(newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	(void) okr_check_key_result_open(&row, okr_row_name(td, newtup),
									 okr_get_id(td, newtup, "key_result_id"), NULL);
	okr_spi_leave(&st);
	return PointerGetDatum(newtup);
}

/* ---------------------------------------------------------------------
 * okr.task BEFORE ROW INSERT OR UPDATE: rule 7
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_task_guard);

Datum
okr_task_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_task_guard", "task", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	char	   *status = okr_get_text(td, newtup, "status");
	int			done_attno = okr_attnum_of(td, "done_at");
	bool		done_null;
	Datum		done_at = heap_getattr(newtup, done_attno, desc, &done_null);
	bool		set_done = false;
	bool		clear_done = false;

	okr_check_values(td, newtup);
	/* done_at describes done tasks only, and never the future. */
	if (okr_streq(status, "done"))
	{
		if (done_null)
			set_done = true;
		else if (DatumGetTimestampTz(done_at) > GetCurrentTimestamp())
			ereport(ERROR,
					(errcode(ERRCODE_OKR_DONE_AT_INVALID),
					 errmsg("done_at of %s is in the future: %s",
							okr_row_name(td, newtup),
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
	char	   *status = okr_get_text(td, tup, "status");
	bool		isnull;
	Datum		effort = okr_get_col(td, tup, "effort", &isnull);
	double		e = isnull ? 0.0 : DatumGetFloat8(effort);

	*total = okr_streq(status, "cancelled") ? 0.0 : e;
	*done = okr_streq(status, "done") ? e : 0.0;
}

/*
 * Rule 6 for task tup arriving in a project: the project and its parents.
 * True when they are open (false: a restored row under a closed parent,
 * let through).  Whether the row is restored is asked only before
 * refusing it: the question costs a catalog lookup.
 */
static bool
check_task_parents(OkrRow *row, TriggerData *td, HeapTuple tup, int64 project_id)
{
	char	   *name;

	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr exists_plan = NULL;

	if (!okr_lock_parents(&plan,
					  "SELECT p.state, k.id, k.state, o.id, o.state FROM okr.project p"
					  " JOIN okr.key_result k ON k.id = p.key_result_id"
					  " JOIN okr.objective o ON o.id = k.objective_id WHERE p.id = $1"
					  " FOR KEY SHARE OF p, k, o",
					  &exists_plan, "project", project_id))
		return false;			/* its foreign key reports it */
	if (!okr_streq(okr_result_text(0, 1), "cancelled") &&
		!okr_streq(okr_result_text(0, 3), "cancelled") &&
		!okr_state_is_closed(okr_result_text(0, 5)))
		return true;
	if (okr_row_is_restored(row))
		return false;
	name = okr_row_name(td, tup);
	if (okr_streq(okr_result_text(0, 1), "cancelled"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under project " INT64_FORMAT ": it is cancelled",
						name, project_id)));
	if (okr_streq(okr_result_text(0, 3), "cancelled"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under key result %s: it is cancelled",
						name, okr_result_text(0, 2))));
	ereport(ERROR,
			(errcode(ERRCODE_OKR_PARENT_INACTIVE),
			 errmsg("cannot add %s under objective %s: it is %s",
					name, okr_result_text(0, 4), okr_result_text(0, 5))));
	return false;				/* not reached */
}

/*
 * The projects whose parents this statement has locked FOR KEY SHARE and
 * found open, kept in the trigger's FmgrInfo (one per statement): the lock
 * makes a close or cancel by anyone else wait for our commit (a key
 * update, doc/concurrency.md) and no trigger of this statement changes a
 * state, so the answer holds for the statement's other rows.  A set-based
 * insert of many tasks into few projects (okr.sync_tasks) then runs one
 * query per project, not per task.
 */
static bool
parents_known_open(FunctionCallInfo fcinfo, int64 project_id, bool add)
{
	HTAB	   *open = (HTAB *) fcinfo->flinfo->fn_extra;
	bool		found;

	if (open == NULL)
	{
		HASHCTL		ctl;

		if (!add)
			return false;
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(int64);
		ctl.hcxt = fcinfo->flinfo->fn_mcxt;
		open = hash_create("okr open projects", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		fcinfo->flinfo->fn_extra = open;
	}
	(void) hash_search(open, &project_id, add ? HASH_ENTER : HASH_FIND, &found);
	return found;
}

/*
 * okr.effort_ledger: a done task's effort leaves it as it was (old) and
 * enters it as it is (new), unless neither moved.
 */
static void
note_done(TriggerData *td, HeapTuple oldtup, HeapTuple newtup,
		  int64 old_project, int64 new_project)
{
	bool		on,
				nn;
	Datum		oat = oldtup ? okr_get_col(td, oldtup, "done_at", &on) : (Datum) 0;
	Datum		nat = newtup ? okr_get_col(td, newtup, "done_at", &nn) : (Datum) 0;
	bool		was = oldtup && !on && okr_streq(okr_get_text(td, oldtup, "status"), "done");
	bool		is = newtup && !nn && okr_streq(okr_get_text(td, newtup, "status"), "done");
	double		oe = was ? DatumGetFloat8(okr_get_col(td, oldtup, "effort", &on)) : 0.0;
	double		ne = is ? DatumGetFloat8(okr_get_col(td, newtup, "effort", &nn)) : 0.0;

	if (was && is && old_project == new_project && oe == ne &&
		DatumGetTimestampTz(oat) == DatumGetTimestampTz(nat))
		return;
	if (was)
		okr_maint_note_done(old_project, DatumGetTimestampTz(oat), -oe);
	if (is)
		okr_maint_note_done(new_project, DatumGetTimestampTz(nat), ne);
}

PG_FUNCTION_INFO_V1(okr_task_sync);

Datum
okr_task_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_task_sync", "task", true);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	HeapTuple	oldtup = is_insert ? NULL : td->tg_trigtuple;
	HeapTuple	newtup = is_insert ? td->tg_trigtuple : (is_delete ? NULL : td->tg_newtuple);
	int64		old_project = oldtup ? okr_get_id(td, oldtup, "project_id") : 0;
	int64		new_project = newtup ? okr_get_id(td, newtup, "project_id") : 0;
	bool		moved = newtup && (!oldtup || new_project != old_project);
	double		old_total = 0.0,
				old_done = 0.0,
				new_total = 0.0,
				new_done = 0.0;
	OkrRow		row;

	okr_begin_row(&row, td);
	okr_maint_note_task_written();
	if (oldtup)
		task_contribution(td, oldtup, &old_total, &old_done);
	if (newtup)
		task_contribution(td, newtup, &new_total, &new_done);

	if (moved && !parents_known_open(fcinfo, new_project, false))
	{
		OkrSpiState st;
		bool		open;

		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
		open = check_task_parents(&row, td, newtup, new_project);
		okr_spi_leave(&st);
		if (open)
			(void) parents_known_open(fcinfo, new_project, true);
	}

	note_done(td, oldtup, newtup, old_project, new_project);
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
