/*
 * rules_delete.c
 *	  Deleting an objective, key result or project that still has rows below
 *	  it: an error that says what is below and what to do instead.
 *
 * The foreign keys refuse such a delete anyway, with PostgreSQL's bare
 * message.  This AFTER ROW trigger is named in capitals (OKR_05_below) so
 * that it fires before PostgreSQL's own foreign-key triggers (RI_...,
 * fired in name order); being an AFTER trigger it runs once the whole
 * statement has deleted its rows, so deleting a parent together with what
 * is below it in one statement still works, as the foreign keys allow.
 */
#include "okr.h"
#include "trigger_util.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "utils/rel.h"

/* what lies below a row of each table: (noun, plural, query counting them for id $1) */
typedef struct Below
{
	const char *noun;
	const char *plural;
	const char *sql;
	bool		needs_alignment;	/* 1.1's tables only (schema.c) */
} Below;

static const Below objective_below[] = {
	{"key result", "key results", "SELECT count(*) FROM okr.key_result WHERE objective_id = $1", false},
	{"objective aligned to it", "objectives aligned to it", "SELECT count(*) FROM okr.objective WHERE parent_id = $1", false},
};
static const Below key_result_below[] = {
	{"check-in", "check-ins", "SELECT count(*) FROM okr.checkin WHERE key_result_id = $1", false},
	{"project", "projects", "SELECT count(*) FROM okr.project WHERE key_result_id = $1", false},
	{"objective aligned to it", "objectives aligned to it",
	"SELECT count(*) FROM okr.objective WHERE parent_key_result_id = $1", true},
};
static const Below project_below[] = {
	{"task", "tasks", "SELECT count(*) FROM okr.task WHERE project_id = $1", false},
};

PG_FUNCTION_INFO_V1(okr_delete_check);

Datum
okr_delete_check(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plans[3][3];
	TriggerData *td = okr_trigger_data(fcinfo, "okr_delete_check", NULL, true);
	const char *table = RelationGetRelationName(td->tg_relation);
	int			t = strcmp(table, "objective") == 0 ? 0 : strcmp(table, "key_result") == 0 ? 1 : 2;
	const Below *below = t == 0 ? objective_below : t == 1 ? key_result_below : project_below;
	int			n = t == 0 ? lengthof(objective_below) : t == 1 ? lengthof(key_result_below) :
		lengthof(project_below);
	const char *noun = t == 0 ? "objective" : t == 1 ? "key result" : "project";
	int64		id = okr_get_id(td, td->tg_trigtuple, "id");
	char	   *name = okr_get_text(td, td->tg_trigtuple, t == 2 ? "name" : "title");
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	StringInfoData what;
	bool		links = okr_has_key_result_alignment();
	OkrSpiState st;

	if (t == 2 && strcmp(table, "project") != 0)
		elog(ERROR, "okr_delete_check fires only on okr.objective, okr.key_result and okr.project");
	initStringInfo(&what);
	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		int64		count;

		if (below[i].needs_alignment && !links)
			continue;
		okr_run_plan(okr_spi_plan(&plans[t][i], below[i].sql, 1, argtypes), values, NULL, 1);
		count = okr_result_int64(0, 1, &isnull);
		if (count > 0)
			appendStringInfo(&what, "%s" INT64_FORMAT " %s", what.len ? ", " : "", count,
							 count == 1 ? below[i].noun : below[i].plural);
	}
	okr_spi_leave(&st);
	if (what.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("cannot delete %s " INT64_FORMAT " \"%s\": %s still below it",
						noun, id, name ? name : "", what.data),
				 errhint("Cancel it instead (state = 'cancelled'): it keeps its history and stops counting. Or delete or move what is below it first.")));
	return PointerGetDatum(NULL);
}
