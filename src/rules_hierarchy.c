/*
 * rules_hierarchy.c
 *	  Rules 1 and 2 of SPEC 2 on the hierarchies (cycle, team, objective),
 *	  and rule 5 for the check-ins a cycle's dates or an objective's cycle
 *	  move:
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
 *
 * All queries run with search_path pinned and as the table owner (spi_util.c).
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"

/* Advisory lock key of the structure lock: ('okr', 1). */
#define OKR_LOCK_KEY1	0x006F6B72
#define OKR_LOCK_KEY2	1

/* ---------------------------------------------------------------------
 * Statement-level structure lock
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_structure_lock);

Datum
okr_structure_lock(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_structure_lock", NULL, false);

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

/*
 * A tree: its table, how a row's parent is found (up, given "up.id") and
 * how its children are (down, a LATERAL subquery given "down.id").  An
 * objective's parent is its parent objective or, when it aligns to a key
 * result (SPEC 1b), that key result's objective.
 */
typedef struct Hierarchy
{
	const char *table;
	const char *noun;
	const char *up;
	const char *down;
	SPIPlanPtr	walk;
	SPIPlanPtr	below;
	SPIPlanPtr	lock_path;
} Hierarchy;

#define PLAIN_UP(t)		"(SELECT t.parent_id FROM okr." t " t WHERE t.id = up.id)"
#define PLAIN_DOWN(t)	"(SELECT t.id FROM okr." t " t WHERE t.parent_id = down.id)"

static Hierarchy cycle_tree = {"cycle", "cycle", PLAIN_UP("cycle"), PLAIN_DOWN("cycle"), NULL, NULL, NULL};
static Hierarchy team_tree = {"team", "team", PLAIN_UP("team"), PLAIN_DOWN("team"), NULL, NULL, NULL};
/* the objectives of a database still at 1.0's tables (schema.c) */
static Hierarchy objective_tree_10 = {"objective", "objective", PLAIN_UP("objective"),
PLAIN_DOWN("objective"), NULL, NULL, NULL};
static Hierarchy objective_tree = {"objective", "objective",
	"(SELECT coalesce(t.parent_id, (SELECT k.objective_id FROM okr.key_result k"
	" WHERE k.id = t.parent_key_result_id)) FROM okr.objective t WHERE t.id = up.id)",
	"(SELECT t.id FROM okr.objective t WHERE t.parent_id = down.id"
	" UNION ALL SELECT t.id FROM okr.key_result k JOIN okr.objective t"
	" ON t.parent_key_result_id = k.id WHERE k.objective_id = down.id)", NULL, NULL, NULL};

static void
report_too_deep(const char *name, int64 level)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s would sit at level " INT64_FORMAT " of its tree, deeper than okr.max_depth (%d)",
					name, level, okr_max_depth),
			 errhint("A superuser can raise okr.max_depth.")));
}

/*
 * Rule 1 (and the depth bound) for row id of the tree getting the parent
 * parent_id.  Messages name the row by name (okr_row_name) and the link by
 * what ("objective 4", "key result 9 of objective 4"); is_new says the row
 * is being inserted, so nothing lies below it yet and its id is not shown.
 */
static void
check_no_cycle(Hierarchy *h, const char *verb, int64 id, const char *name,
			   bool has_parent, int64 parent_id, const char *what, bool is_new)
{
	const char *noun = h->noun;
	const char *table = h->table;
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4OID};
	Datum		values[3];
	bool		isnull;
	int64		ancestors;
	char		sql[1024];

	if (!has_parent)
		return;					/* a root: nothing above, nothing deeper than before */
	if (parent_id == id)
		ereport(ERROR,
				(errcode(ERRCODE_OKR_HIERARCHY_CYCLE),
				 errmsg("%s cannot %s itself%s", name, verb,
						what ? psprintf(" (%s)", what) : "")));

	snprintf(sql, sizeof(sql),
			 "WITH RECURSIVE up(id, n) AS ("
			 " SELECT $1::bigint, 1"
			 " UNION ALL"
			 " SELECT %s, up.n + 1"
			 " FROM up WHERE up.id IS NOT NULL AND up.n <= $3)"
			 " SELECT coalesce(bool_or(id = $2), false),"
			 "        array_agg(id) FILTER (WHERE id IS NOT NULL),"
			 "        count(id)"
			 " FROM up",
			 h->up);
	values[0] = Int64GetDatum(parent_id);
	values[1] = Int64GetDatum(id);
	values[2] = Int32GetDatum(okr_max_depth);
	okr_run_plan(okr_spi_plan(&h->walk, sql, 3, argtypes), values, NULL, 0);

	if (DatumGetBool(okr_result_datum(0, 1, BOOLOID, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_HIERARCHY_CYCLE),
				 errmsg("%s cannot %s %s: " INT64_FORMAT " is already below %s",
						name, verb,
						what ? what : psprintf("%s " INT64_FORMAT, noun, parent_id),
						parent_id, is_new ? "it" : psprintf(INT64_FORMAT, id))));
	ancestors = okr_result_int64(0, 3, &isnull);
	if (ancestors + 1 > okr_max_depth)
		report_too_deep(name, ancestors + 1);

	if (IsolationUsesXactSnapshot())
	{
		Datum		path = okr_result_datum(0, 2, INT8ARRAYOID, &isnull);

		if (!isnull)
		{
			Oid			arrtype[1] = {INT8ARRAYOID};

			snprintf(sql, sizeof(sql),
					 "SELECT 1 FROM okr.%s WHERE id = ANY ($1) FOR SHARE", table);
			okr_run_plan(okr_spi_plan(&h->lock_path, sql, 1, arrtype),
					 &path, NULL, 0);
		}
	}

	/*
	 * A row being moved brings its subtree: is anything below it further
	 * down than the levels left under the bound?  (A new row has nothing
	 * below it: a child's foreign key needs its parent first.)
	 */
	if (!is_new)
	{
		int64		room = okr_max_depth - (ancestors + 1);
		Datum		d;

		snprintf(sql, sizeof(sql),
				 "WITH RECURSIVE down(id, n) AS ("
				 " SELECT $1::bigint, 0"
				 " UNION ALL"
				 " SELECT t.id, down.n + 1 FROM down, LATERAL %s t"
				 " WHERE down.n < $3)"
				 " SELECT max(n) FROM down",
				 h->down);
		values[0] = Int64GetDatum(id);
		values[1] = Int64GetDatum(0);
		values[2] = Int32GetDatum((int32) Min(room + 1, PG_INT32_MAX));
		okr_run_plan(okr_spi_plan(&h->below, sql, 3, argtypes), values, NULL, 0);
		d = okr_result_datum(0, 1, INT4OID, &isnull);
		if (!isnull && DatumGetInt32(d) > room)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s cannot move to level " INT64_FORMAT ": the %ss below it would sit deeper than okr.max_depth (%d)",
							name, ancestors + 1, noun, okr_max_depth),
					 errhint("A superuser can raise okr.max_depth.")));
	}
}

/* ---------------------------------------------------------------------
 * Rule 2 and 5 helpers
 * --------------------------------------------------------------------- */

/* Error when some check-in of key results matched by the plan lies outside
 * its cycle; the plan returns (checkin id, key_result id, checked_at, cycle
 * name, starts_on, ends_on) for the first offender, given $1. */
void
okr_report_checkin_outside(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OKR_OUTSIDE_CYCLE),
			 errmsg("check-in %s of key result %s at %s would fall outside cycle \"%s\" (%s to %s)",
					okr_result_text(0, 1), okr_result_text(0, 2), okr_result_text(0, 3),
					okr_result_text(0, 4), okr_result_text(0, 5), okr_result_text(0, 6)),
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

	okr_run_plan(okr_spi_plan(&plan,
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
		okr_report_checkin_outside("Check-ins must lie within the cycle of their objective, in the session time zone.");
}

/* Check-ins of one objective's key results must fit the objective's cycle. */
static void
check_objective_checkins_fit(int64 objective_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};

	okr_run_plan(okr_spi_plan(&plan,
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
		okr_report_checkin_outside("Check-ins must lie within the cycle of their objective, in the session time zone.");
}

/* The objective an objective aligns to: its parent, or its key result's. */
#define EFFECTIVE_PARENT(o) \
	"coalesce(" o ".parent_id, (SELECT k.objective_id FROM okr.key_result k" \
	" WHERE k.id = " o ".parent_key_result_id))"
#define EFFECTIVE_PARENT_10(o) o ".parent_id"
/* A query in both forms: of the 1.1 tables and of 1.0's (schema.c). */
#define BY_SCHEMA(links, q) ((links) ? q(EFFECTIVE_PARENT) : q(EFFECTIVE_PARENT_10))

/*
 * Rule 2 for one objective: its parent's cycle covers its own, and its own
 * cycle covers each child's (aligned to it or to one of its key results).
 * Reports the first broken link.
 */
#define Q_COVER_PARENT(EP) \
	"SELECT o.id, p.id, c.name, c.starts_on, c.ends_on, pc.name, pc.starts_on, pc.ends_on" \
	" FROM okr.objective o" \
	" JOIN okr.objective p ON p.id = " EP("o") \
	" JOIN okr.cycle c ON c.id = o.cycle_id" \
	" JOIN okr.cycle pc ON pc.id = p.cycle_id" \
	" WHERE o.id = $1" \
	"   AND NOT (pc.starts_on <= c.starts_on AND pc.ends_on >= c.ends_on)"
#define Q_COVER_CHILDREN(EP) \
	"SELECT ch.id, o.id, cc.name, cc.starts_on, cc.ends_on, c.name, c.starts_on, c.ends_on" \
	" FROM okr.objective o" \
	" JOIN okr.objective ch ON " EP("ch") " = o.id" \
	" JOIN okr.cycle c ON c.id = o.cycle_id" \
	" JOIN okr.cycle cc ON cc.id = ch.cycle_id" \
	" WHERE o.id = $1" \
	"   AND NOT (c.starts_on <= cc.starts_on AND c.ends_on >= cc.ends_on)" \
	" LIMIT 1"

static void
check_objective_cover(int64 objective_id, const char *name, bool check_parent,
					  bool check_children)
{
	static SPIPlanPtr parent_plan[2];	/* [links]: 1.0 tables, 1.1 tables */
	static SPIPlanPtr children_plan[2];
	int			links = okr_has_key_result_alignment() ? 1 : 0;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};

	if (check_parent)
	{
		okr_run_plan(okr_spi_plan(&parent_plan[links], BY_SCHEMA(links, Q_COVER_PARENT),
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("%s cannot align to objective %s: its cycle \"%s\" (%s to %s) is not within the parent's cycle \"%s\" (%s to %s)",
							name, okr_result_text(0, 2),
							okr_result_text(0, 3), okr_result_text(0, 4), okr_result_text(0, 5),
							okr_result_text(0, 6), okr_result_text(0, 7), okr_result_text(0, 8))));
	}
	if (check_children)
	{
		okr_run_plan(okr_spi_plan(&children_plan[links], BY_SCHEMA(links, Q_COVER_CHILDREN),
							  1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("objective %s cannot stay aligned to objective %s: its cycle \"%s\" (%s to %s) is not within the parent's cycle \"%s\" (%s to %s)",
							okr_result_text(0, 1), okr_result_text(0, 2),
							okr_result_text(0, 3), okr_result_text(0, 4), okr_result_text(0, 5),
							okr_result_text(0, 6), okr_result_text(0, 7), okr_result_text(0, 8))));
	}
}

/* Alignments that involve an objective of cycle $1 and break rule 2. */
#define Q_COVER_OF_CYCLE(EP) \
	"SELECT ch.id, p.id, cc.name, cc.starts_on, cc.ends_on, pc.name, pc.starts_on, pc.ends_on" \
	" FROM okr.objective ch" \
	" JOIN okr.objective p ON p.id = " EP("ch") \
	" JOIN okr.cycle cc ON cc.id = ch.cycle_id" \
	" JOIN okr.cycle pc ON pc.id = p.cycle_id" \
	" WHERE (ch.cycle_id = $1 OR p.cycle_id = $1)" \
	"   AND NOT (pc.starts_on <= cc.starts_on AND pc.ends_on >= cc.ends_on)" \
	" LIMIT 1"

/* ---------------------------------------------------------------------
 * okr.cycle: rules 1, 2 (cycle containment and objective covers), 5
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_cycle_check);

Datum
okr_cycle_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_cycle_check", "cycle", true);
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		parent_changed = is_insert || okr_col_changed(td, "parent_id");
	bool		dates_changed = !is_insert &&
		(okr_col_changed(td, "starts_on") || okr_col_changed(td, "ends_on"));
	int64		id = okr_get_id(td, newtup, "id");
	char	   *name;
	OkrSpiState st;

	if (!parent_changed && !dates_changed)
		return PointerGetDatum(NULL);
	name = okr_row_name(td, newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (parent_changed)
	{
		bool		has_parent;
		int64		parent_id = okr_get_id_opt(td, newtup, "parent_id", &has_parent);

		check_no_cycle(&cycle_tree, "be part of", id, name, has_parent, parent_id, NULL, is_insert);
	}

	/* A child cycle lies inside its parent cycle; check both directions. */
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};

		okr_run_plan(okr_spi_plan(&plan,
							  "SELECT c.id, c.name, c.starts_on, c.ends_on, p.id, p.name, p.starts_on, p.ends_on"
							  " FROM okr.cycle c JOIN okr.cycle p ON p.id = c.parent_id"
							  " WHERE (c.id = $1 OR p.id = $1)"
							  "   AND NOT (p.starts_on <= c.starts_on AND p.ends_on >= c.ends_on)"
							  " LIMIT 1", 1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
		{
			bool		isnull;
			/* the new row is named as the user wrote it, an existing one by id and name */
			char	   *child = is_insert && okr_result_int64(0, 1, &isnull) == id ? name :
				psprintf("cycle %s \"%s\"", okr_result_text(0, 1), okr_result_text(0, 2));

			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("%s (%s to %s) does not lie within its parent cycle %s \"%s\" (%s to %s)",
							child, okr_result_text(0, 3), okr_result_text(0, 4),
							okr_result_text(0, 5), okr_result_text(0, 6), okr_result_text(0, 7), okr_result_text(0, 8))));
		}
	}

	if (dates_changed)
	{
		static SPIPlanPtr plan[2];	/* [links]: 1.0 tables, 1.1 tables */
		int			links = okr_has_key_result_alignment() ? 1 : 0;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};

		/*
		 * Check-ins are written without the structure lock; block new ones
		 * until we commit, so none can slip outside the new dates unseen.
		 */
		if (SPI_execute("LOCK TABLE okr.checkin IN SHARE MODE", false, 0) < 0)
			elog(ERROR, "okr: could not lock okr.checkin");

		/* every alignment that involves an objective of this cycle */
		okr_run_plan(okr_spi_plan(&plan[links], BY_SCHEMA(links, Q_COVER_OF_CYCLE), 1, argtypes),
				 values, NULL, 1);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
					 errmsg("objective %s can no longer align to objective %s: cycle \"%s\" (%s to %s) would not lie within cycle \"%s\" (%s to %s)",
							okr_result_text(0, 1), okr_result_text(0, 2),
							okr_result_text(0, 3), okr_result_text(0, 4), okr_result_text(0, 5),
							okr_result_text(0, 6), okr_result_text(0, 7), okr_result_text(0, 8))));

		check_checkins_fit_cycle(id);
	}

	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.team: rule 1
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_team_check);

Datum
okr_team_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_team_check", "team", true);
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		has_parent;
	int64		parent_id = okr_get_id_opt(td, newtup, "parent_id", &has_parent);
	OkrSpiState st;

	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event) && !okr_col_changed(td, "parent_id"))
		return PointerGetDatum(NULL);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	check_no_cycle(&team_tree, "report to", okr_get_id(td, newtup, "id"), okr_row_name(td, newtup),
				   has_parent, parent_id, NULL, TRIGGER_FIRED_BY_INSERT(td->tg_event));
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * okr.objective: rules 1, 2, 5 and 6
 * --------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(okr_objective_check);

Datum
okr_objective_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_objective_check", "objective", true);
	HeapTuple	newtup = td->tg_newtuple ? td->tg_newtuple : td->tg_trigtuple;
	bool		is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	bool		links = okr_has_key_result_alignment();
	Hierarchy  *tree = links ? &objective_tree : &objective_tree_10;
	bool		parent_changed = is_insert || okr_col_changed(td, "parent_id") ||
		(links && okr_col_changed(td, "parent_key_result_id"));
	bool		cycle_changed = !is_insert && okr_col_changed(td, "cycle_id");
	int64		id = okr_get_id(td, newtup, "id");
	bool		has_parent,
				has_kr = false;
	int64		parent_id = okr_get_id_opt(td, newtup, "parent_id", &has_parent);
	int64		kr_id = links ? okr_get_id_opt(td, newtup, "parent_key_result_id", &has_kr) : 0;
	char	   *name;
	OkrSpiState st;
	OkrRow		row;

	okr_begin_row(&row, td);

	/* (closing it needs nothing here: see "Rule 6" below) */
	if (!parent_changed && !cycle_changed)
		return PointerGetDatum(NULL);
	name = okr_row_name(td, newtup);

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);

	if (parent_changed && has_parent && has_kr)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("%s cannot align both to objective " INT64_FORMAT " and to key result " INT64_FORMAT,
						name, parent_id, kr_id),
				 errhint("Set parent_id or parent_key_result_id, not both."),
				 errtableconstraint(td->tg_relation, "objective_one_parent")));
	if (parent_changed && has_kr)
	{
		int64		kr_objective = 0;

		/* Rule 6 first: it locks the key result and its objective */
		if (okr_check_key_result_open(&row, name, kr_id, &kr_objective))
			check_no_cycle(tree, "align to", id, name, true, kr_objective,
						   psprintf("key result " INT64_FORMAT " of objective " INT64_FORMAT,
									kr_id, kr_objective),
						   is_insert);
	}
	if (parent_changed && has_parent)
	{
		char	   *state;

		check_no_cycle(tree, "align to", id, name, has_parent, parent_id, NULL, is_insert);

		/* Rule 6; FOR KEY SHARE waits for a concurrent close and then sees it. */
		state = okr_closed_objective_state(parent_id);
		if (state && !okr_row_is_restored(&row))
			ereport(ERROR,
					(errcode(ERRCODE_OKR_PARENT_INACTIVE),
					 errmsg("%s cannot align to objective " INT64_FORMAT ": it is %s",
							name, parent_id, state)));
	}

	check_objective_cover(id, name, parent_changed || cycle_changed, cycle_changed);

	if (cycle_changed)
	{
		if (SPI_execute("LOCK TABLE okr.checkin IN SHARE MODE", false, 0) < 0)
			elog(ERROR, "okr: could not lock okr.checkin");
		check_objective_checkins_fit(id);
	}

	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/*
 * A key result moving to objective new_objective takes the objectives aligned
 * to it along: rules 1 and 2 for each (SPEC 1b).  Inside SPI, from the key
 * result's BEFORE trigger.
 */
void
okr_check_key_result_move(int64 key_result_id, int64 new_objective)
{
	static SPIPlanPtr aligned_plan = NULL;
	static SPIPlanPtr cover_plan = NULL;
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(key_result_id), Int64GetDatum(new_objective)};
	SPITupleTable *aligned;
	uint64		n;

	if (!okr_has_key_result_alignment())
		return;					/* 1.0's tables: nothing aligns to a key result */
	okr_run_plan(okr_spi_plan(&aligned_plan,
							  "SELECT id FROM okr.objective WHERE parent_key_result_id = $1 ORDER BY id",
							  1, argtypes),
				 values, NULL, 0);
	aligned = SPI_tuptable;
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		int64		child = DatumGetInt64(SPI_getbinval(aligned->vals[i], aligned->tupdesc, 1, &isnull));

		check_no_cycle(&objective_tree, "align to", child,
					   psprintf("objective " INT64_FORMAT, child), true, new_objective,
					   psprintf("key result " INT64_FORMAT " of objective " INT64_FORMAT,
								key_result_id, new_objective),
					   false);
	}
	okr_run_plan(okr_spi_plan(&cover_plan,
							  "SELECT ch.id, p.id, cc.name, cc.starts_on, cc.ends_on, pc.name, pc.starts_on, pc.ends_on"
							  " FROM okr.objective ch JOIN okr.cycle cc ON cc.id = ch.cycle_id,"
							  " okr.objective p JOIN okr.cycle pc ON pc.id = p.cycle_id"
							  " WHERE ch.parent_key_result_id = $1 AND p.id = $2"
							  "   AND NOT (pc.starts_on <= cc.starts_on AND pc.ends_on >= cc.ends_on)"
							  " LIMIT 1", 2, argtypes),
				 values, NULL, 1);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OKR_CYCLE_NOT_COVERED),
				 errmsg("key result " INT64_FORMAT " cannot move to objective %s: objective %s aligned to it has cycle \"%s\" (%s to %s), not within \"%s\" (%s to %s)",
						key_result_id, okr_result_text(0, 2), okr_result_text(0, 1),
						okr_result_text(0, 3), okr_result_text(0, 4), okr_result_text(0, 5),
						okr_result_text(0, 6), okr_result_text(0, 7), okr_result_text(0, 8))));
}
