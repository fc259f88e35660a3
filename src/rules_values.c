/*
 * rules_values.c
 *	  The values okr's CHECK constraints allow, reported with what is allowed.
 *
 * The CHECK constraints stay the guarantee (they hold with triggers off);
 * PostgreSQL's own message only names the constraint, so the BEFORE
 * triggers check the columns people type first and say what they may be,
 * with the same constraint name and SQLSTATE (23514).  Only columns an
 * UPDATE changes are looked at, so the hot paths pay a few string
 * comparisons at most.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"

typedef struct AllowedValues
{
	const char *table;
	const char *column;
	const char *constraint;
	const char *noun;			/* what the column is, in the message */
	const char *values[7];		/* NULL-terminated */
} AllowedValues;

static const AllowedValues allowed[] = {
	{"objective", "kind", "objective_kind_valid", "kind of objective",
	{"committed", "aspirational"}},
	{"objective", "rollup", "objective_rollup_valid", "rollup",
	{"both", "key_results", "children"}},
	{"objective", "state", "objective_state_valid", "state of an objective",
	{"draft", "active", "closed", "cancelled"}},
	{"key_result", "kind", "key_result_kind_valid", "kind of key result",
	{"metric", "at_least", "at_most", "milestone", "projects", "objectives"}},
	{"key_result", "state", "key_result_state_valid", "state of a key result",
	{"active", "cancelled"}},
	{"project", "state", "project_state_valid", "state of a project",
	{"planned", "active", "done", "cancelled"}},
	{"task", "status", "task_status_valid", "status of a task",
	{"todo", "doing", "done", "cancelled"}},
};

/* "a, b, c or d" */
static char *
list_of(const char *const *values)
{
	StringInfoData buf;
	int			n = 0;

	while (values[n])
		n++;
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i == 0 ? "" : (i == n - 1 ? " or " : ", "), values[i]);
	return buf.data;
}

void
okr_check_values(TriggerData *td, HeapTuple tup)
{
	const char *table = RelationGetRelationName(td->tg_relation);
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);

	for (int i = 0; i < (int) lengthof(allowed); i++)
	{
		const AllowedValues *a = &allowed[i];
		char	   *value;
		bool		ok = false;

		if (strcmp(a->table, table) != 0 || (!is_insert && !okr_col_changed(td, a->column)))
			continue;
		value = okr_get_text(td, tup, a->column);
		if (value == NULL)
			continue;			/* NOT NULL reports it */
		for (int j = 0; a->values[j]; j++)
			if (strcmp(value, a->values[j]) == 0)
				ok = true;
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("\"%s\" is not a %s: it is %s",
							value, a->noun, list_of(a->values)),
					 errtableconstraint(td->tg_relation, a->constraint)));
	}

	/* a confidence is a share, so 80 (per cent) is a likely slip */
	if (strcmp(table, "checkin") == 0 && (is_insert || okr_col_changed(td, "confidence")))
	{
		bool		isnull;
		int			col = okr_attnum_of(td, "confidence");
		Datum		d = heap_getattr(tup, col, RelationGetDescr(td->tg_relation), &isnull);

		if (!isnull && TupleDescAttr(RelationGetDescr(td->tg_relation), col - 1)->atttypid == FLOAT4OID &&
			!(DatumGetFloat4(d) >= 0.0f && DatumGetFloat4(d) <= 1.0f))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("confidence %g is not a share from 0 to 1", (double) DatumGetFloat4(d)),
					 errhint("Write 0.8 for 80 %%."),
					 errtableconstraint(td->tg_relation, "checkin_confidence_valid")));
	}
}

/* okr.objective BEFORE ROW INSERT OR UPDATE: its values (the other tables'
 * guards call okr_check_values themselves). */
PG_FUNCTION_INFO_V1(okr_objective_values);

Datum
okr_objective_values(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_objective_values", "objective", true);
	HeapTuple	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;

	okr_check_values(td, tup);
	return PointerGetDatum(tup);
}
