/*
 * rules_access.c
 *	  Write scope (SPEC 9): okr_05_access, a BEFORE ROW trigger on every
 *	  table a user writes, refuses what a scoped writer may not write.
 *
 * The owner of okr's tables, superusers and roles with an unscoped write
 * grant pass at once.  Anyone else writes only the objectives whose team is
 * in its write scope (access.c: the teams of its write grants and their
 * sub-teams) and the key results, check-ins, projects and tasks below them;
 * never a cycle or a team.  Key-result sources are scoped like check-ins
 * (by their key result); a task feed, which belongs to no project, is
 * the writer's when it runs as the writer or a role the writer is a member
 * of (the guard checks the new run_as, this trigger the old one) and all
 * its tasks are in scope.  An UPDATE is checked on both sides: the row as
 * it was and as it will be, so moving an objective (or a key result, a
 * project, a task) from one team to another needs both.  The trigger fires
 * per row, so COPY is checked like INSERT.
 *
 * A refused write is 42501.  It names the objective's team when the writer
 * may read that objective, and otherwise only the row's id; the detail
 * names the writer's own teams.  Parents are looked up as the owner; a
 * parent that does not exist is left to the foreign key.
 */
#include "okr.h"
#include "trigger_util.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/memutils.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(okr_access_check);

typedef struct Scope
{
	Oid			user;
	OkrAccess  *write;
	OkrAccess  *read;			/* computed on the first refusal only */
} Scope;

/* The objective above a row: its id, team and flag, and the team's name. */
typedef struct Above
{
	bool		found;
	int64		objective_id;
	bool		has_team;
	int64		team_id;
	bool		private;
	char	   *team_name;
} Above;

#define Q_ABOVE_COLS \
	"SELECT o.id, o.team_id, o.private, tm.name FROM okr.objective o" \
	" LEFT JOIN okr.team tm ON tm.id = o.team_id"

static void
look_up(Above *ab, const char *table, int64 parent_id)
{
	static SPIPlanPtr by_objective = NULL;
	static SPIPlanPtr by_key_result = NULL;
	static SPIPlanPtr by_project = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(parent_id)};
	SPIPlanPtr	plan;
	bool		isnull;

	if (strcmp(table, "key_result") == 0)
		plan = okr_spi_plan(&by_objective, Q_ABOVE_COLS " WHERE o.id = $1", 1, argtypes);
	else if (strcmp(table, "task") == 0)
		plan = okr_spi_plan(&by_project, Q_ABOVE_COLS
							" JOIN okr.key_result k ON k.objective_id = o.id"
							" JOIN okr.project p ON p.key_result_id = k.id WHERE p.id = $1",
							1, argtypes);
	else						/* checkin, project, key_result_source */
		plan = okr_spi_plan(&by_key_result, Q_ABOVE_COLS
							" JOIN okr.key_result k ON k.objective_id = o.id WHERE k.id = $1",
							1, argtypes);
	memset(ab, 0, sizeof(*ab));
	if (okr_run_plan(plan, values, NULL, 1) != 1)
		return;
	ab->found = true;
	ab->objective_id = okr_result_int64(0, 1, &isnull);
	ab->team_id = okr_result_int64(0, 2, &isnull);
	ab->has_team = !isnull;
	ab->private = DatumGetBool(okr_result_datum(0, 3, BOOLOID, &isnull));
	ab->team_name = ab->has_team ? okr_result_text(0, 4) : NULL;
}

static const char *
item_name(const char *table)
{
	if (strcmp(table, "key_result") == 0)
		return "key result";
	if (strcmp(table, "checkin") == 0)
		return "check-in";
	if (strcmp(table, "key_result_source") == 0)
		return "key-result source";
	if (strcmp(table, "task_feed") == 0)
		return "task feed";
	return table;
}

/* The row in messages: a new one as the user wrote it (its id will never
 * exist if the insert is refused), else by its id. */
static char *
row_label(TriggerData *td, HeapTuple tup, const char *table, int64 id, bool has_id)
{
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) || !has_id)
		return okr_row_name(td, tup);
	return psprintf("%s " INT64_FORMAT, item_name(table), id);
}

static void
refuse(Scope *sc, const char *row, const Above *ab)
{
	bool		readable;

	if (sc->read == NULL)
		sc->read = okr_access_read_lazy(CurrentMemoryContext);
	readable = !okr_access_hidden(sc->read, OKR_ACCESS_OBJECTIVE, ab->objective_id);

	if (!readable)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write %s: it is outside the write scope of role \"%s\"",
						row, GetUserNameFromId(sc->user, false)),
				 errdetail_internal("%s", okr_access_scope_detail(sc->write))));
	if (!ab->has_team)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write %s: objective " INT64_FORMAT " has no team, outside the write scope of role \"%s\"",
						row, ab->objective_id, GetUserNameFromId(sc->user, false)),
				 errdetail_internal("%s", okr_access_scope_detail(sc->write))));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to write %s: objective " INT64_FORMAT " belongs to team " INT64_FORMAT " (%s), outside the write scope of role \"%s\"",
					row, ab->objective_id, ab->team_id, ab->team_name,
					GetUserNameFromId(sc->user, false)),
			 errdetail_internal("%s", okr_access_scope_detail(sc->write))));
}

/* One side (old or new) of a row. */
static void
check_side(Scope *sc, TriggerData *td, HeapTuple tup, const char *table, bool is_new_row)
{
	Above		ab;
	bool		has_id;
	int64		id = okr_get_id_opt(td, tup, "id", &has_id);

	MemoryContext caller = CurrentMemoryContext;

	if (strcmp(table, "objective") == 0)
	{
		memset(&ab, 0, sizeof(ab));
		ab.found = true;
		ab.objective_id = id;
		ab.team_id = okr_get_id_opt(td, tup, "team_id", &ab.has_team);
		if (ab.has_team && okr_access_team(sc->write, ab.team_id))
			return;
		if (ab.has_team)
		{
			OkrSpiState st;
			static SPIPlanPtr plan = NULL;
			Oid			argtypes[1] = {INT8OID};
			Datum		values[1] = {Int64GetDatum(ab.team_id)};

			okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
			if (okr_run_plan(okr_spi_plan(&plan, "SELECT name FROM okr.team WHERE id = $1",
										  1, argtypes), values, NULL, 1) == 1)
				ab.team_name = MemoryContextStrdup(caller, okr_result_text(0, 1));
			else
				ab.team_name = "unknown";
			okr_spi_leave(&st);
		}
		/* a new objective is readable by its writer: name its team */
		if (!is_new_row)
			refuse(sc, row_label(td, tup, table, id, has_id), &ab);
		else
		{
			if (!ab.has_team)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to write %s without a team: role \"%s\" writes only its teams' objectives",
								row_label(td, tup, table, id, has_id),
								GetUserNameFromId(sc->user, false)),
						 errdetail_internal("%s", okr_access_scope_detail(sc->write))));
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to write %s in team " INT64_FORMAT " (%s), outside the write scope of role \"%s\"",
							row_label(td, tup, table, id, has_id),
							ab.team_id, ab.team_name, GetUserNameFromId(sc->user, false)),
					 errdetail_internal("%s", okr_access_scope_detail(sc->write))));
		}
		return;
	}
	else
	{
		const char *parent_col = strcmp(table, "key_result") == 0 ? "objective_id" :
		strcmp(table, "task") == 0 ? "project_id" : "key_result_id";
		int64		parent_id = okr_get_id(td, tup, parent_col);
		OkrSpiState st;
		OkrGoalAbove above;

		/*
		 * An accepted write is answered through the primary keys
		 * (goal_lookup.c); anything else asks SPI again, which decides
		 * and names the team.
		 */
		if (okr_goal_above(strcmp(table, "key_result") == 0 ? OKR_GOAL_OBJECTIVE :
						   strcmp(table, "task") == 0 ? OKR_GOAL_PROJECT : OKR_GOAL_KEY_RESULT,
						   parent_id, true, &above) &&
			above.has_team && okr_access_team(sc->write, above.team_id))
			return;

		okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
		look_up(&ab, table, parent_id);
		if (!ab.found ||		/* the foreign key reports it */
			(ab.has_team && okr_access_team(sc->write, ab.team_id)))
		{
			okr_spi_leave(&st);
			return;
		}
		if (ab.team_name)
			ab.team_name = MemoryContextStrdup(caller, ab.team_name);
		okr_spi_leave(&st);
		refuse(sc, row_label(td, tup, table, id, has_id), &ab);
	}
}

/*
 * A feed as it was (UPDATE, DELETE): the writer's only if it runs as the
 * writer or a role the writer is a member of, and every objective its
 * tasks lie under is in the write scope.
 */
static void
check_feed(Scope *sc, TriggerData *td, HeapTuple tup)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	int64		id = okr_get_id(td, tup, "id");
	int			fno = SPI_fnumber(td->tg_relation->rd_att, "run_as");
	char	   *run_as = fno > 0 ? SPI_getvalue(tup, td->tg_relation->rd_att, fno) : NULL;
	Oid			role = run_as ? get_role_oid(run_as, true) : InvalidOid;
	MemoryContext caller = CurrentMemoryContext;
	OkrSpiState st;
	uint64		i;

	if (!OidIsValid(role) || !is_member_of_role(sc->user, role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write task feed " INT64_FORMAT ": it runs as \"%s\", and role \"%s\" has a write grant scoped to teams and is not a member of it",
						id, run_as ? run_as : "", GetUserNameFromId(sc->user, false)),
				 errdetail_internal("%s", okr_access_scope_detail(sc->write)),
				 errhint("A member of the feed's run_as, the owner of okr's tables or a role granted okr.grant_write(role) without a team may change it.")));

	values[0] = Int64GetDatum(id);
	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	okr_run_plan(okr_spi_plan(&plan, Q_ABOVE_COLS
							  " WHERE o.id IN (SELECT k.objective_id FROM okr.task t"
							  "  JOIN okr.project p ON p.id = t.project_id"
							  "  JOIN okr.key_result k ON k.id = p.key_result_id WHERE t.feed_id = $1)"
							  " ORDER BY o.id", 1, argtypes),
				 values, NULL, 0);
	for (i = 0; i < SPI_processed; i++)
	{
		Above		ab;
		bool		isnull;

		memset(&ab, 0, sizeof(ab));
		ab.found = true;
		ab.objective_id = okr_result_int64(i, 1, &isnull);
		ab.team_id = okr_result_int64(i, 2, &isnull);
		ab.has_team = !isnull;
		if (ab.has_team && okr_access_team(sc->write, ab.team_id))
			continue;
		ab.private = DatumGetBool(okr_result_datum(i, 3, BOOLOID, &isnull));
		ab.team_name = ab.has_team ? MemoryContextStrdup(caller, okr_result_text(i, 4)) : NULL;
		okr_spi_leave(&st);
		refuse(sc, psprintf("task feed " INT64_FORMAT, id), &ab);
	}
	okr_spi_leave(&st);
}

Datum
okr_access_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_access_check", NULL, true);
	HeapTuple	result = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	const char *table = RelationGetRelationName(td->tg_relation);
	Oid			user = GetUserId();
	Scope	   *sc;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("okr_access_check fires only as okr installs it: BEFORE ROW")));

	/* the owner (maintain.c writes as it), superusers: at once */
	if (superuser_arg(user) || has_privs_of_role(user, td->tg_relation->rd_rel->relowner))
		return PointerGetDatum(result);

	/* the scope, once per statement (the trigger's FmgrInfo lives as long) */
	sc = (Scope *) fcinfo->flinfo->fn_extra;
	if (sc == NULL || sc->user != user)
	{
		sc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Scope));
		sc->user = user;
		sc->write = okr_access_write(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = sc;
	}
	if (okr_access_all(sc->write))
		return PointerGetDatum(result);

	if (strcmp(table, "cycle") == 0 || strcmp(table, "team") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write okr.%s: role \"%s\" has a write grant scoped to teams, which writes neither cycles nor teams",
						table, GetUserNameFromId(user, false)),
				 errdetail_internal("%s", okr_access_scope_detail(sc->write)),
				 errhint("The owner of okr's tables, or a role granted okr.grant_write(role) without a team, keeps cycles and the org chart.")));

	if (strcmp(table, "task_feed") == 0)
	{
		if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
			check_feed(sc, td, td->tg_trigtuple);
		return PointerGetDatum(result);
	}

	if (strcmp(table, "objective") != 0 && strcmp(table, "key_result") != 0 &&
		strcmp(table, "checkin") != 0 && strcmp(table, "project") != 0 &&
		strcmp(table, "task") != 0 && strcmp(table, "key_result_source") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("okr_access_check fires only on okr's tables of goals and work, not on okr.%s", table)));

	/* an UPDATE that keeps the row where it was is checked once */
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		check_side(sc, td, td->tg_trigtuple, table, false);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) ||
		(TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		 okr_col_changed(td, strcmp(table, "objective") == 0 ? "team_id" :
						 strcmp(table, "key_result") == 0 ? "objective_id" :
						 strcmp(table, "task") == 0 ? "project_id" : "key_result_id")))
		check_side(sc, td, result, table, true);
	return PointerGetDatum(result);
}
