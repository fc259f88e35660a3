/*
 * access.c
 *	  Access by team (SPEC 9): what the current user may read and write,
 *	  answered from okr's own grant table, okr.access_grant.
 *
 * A scope is made once (per statement for a policy or a trigger, per
 * call for the rollup) and kept in memory: whether the user sees or writes
 * everything, the teams in scope (the granted teams and every team below
 * them) and, for reading, the ids of the objectives, key results and
 * projects the user may not read, sorted for bsearch.  The hidden sets are
 * the private objectives outside the user's teams and their parts: usually
 * few, so a row costs one binary search.
 *
 * The first part (the grants: all, teams) depends only on okr.access_grant,
 * okr.team and the roles, which change rarely, so it is also kept across
 * statements and transactions, per user and kind (see "The grants cache").
 * The hidden sets depend on the goal tables and are never kept beyond the
 * statement.
 *
 * Every query runs as the owner of okr's tables (spi_util.c), so it reads
 * okr.access_grant (which readers cannot) and is never filtered by the
 * row-level security policies that call it: a policy never recurses into
 * itself.
 *
 * It calls nothing of okr's but spi_util.c and goal_lookup.c (a single
 * row's answer through the primary keys); rollup.c and rules_access.c
 * build on it.
 */
#include "okr.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "storage/proc.h"

struct OkrAccess
{
	Oid			user;
	bool		write;			/* a write scope (else a read scope) */
	bool		all;			/* every row */
	int			nteams;
	int64	   *teams;			/* sorted: teams in scope, sub-teams included */
	char	   *granted;		/* the granted teams, for messages; NULL: none */
	MemoryContext cxt;			/* where it lives */
	bool		loaded;			/* the hidden sets below are loaded */
	int			nhidden[OKR_ACCESS_LEVELS];
	int64	   *hidden[OKR_ACCESS_LEVELS];	/* sorted ids the user may not read */
	/* before the sets are loaded: the answers of single lookups */
	int			nmemo;
	struct
	{
		OkrAccessLevel level;
		int64		id;
		bool		hidden;
	}			memo[OKR_ACCESS_MEMO];
};

/* The owner of okr's tables (of okr.objective). */
Oid
okr_access_owner(void)
{
	Oid			nsp = get_namespace_oid("okr", false);
	Oid			rel = get_relname_relid("objective", nsp);
	HeapTuple	tp;
	Oid			owner;

	if (!OidIsValid(rel))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("okr needs table okr.objective, which no longer exists")));
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "okr: cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

/* Sees (or writes) everything whatever okr.access_grant says. */
static bool
privileged(Oid user, Oid owner, bool write)
{
	if (superuser_arg(user) || has_privs_of_role(user, owner))
		return true;
	/* row-level security does not apply to BYPASSRLS roles: nor here */
	return !write && has_bypassrls_privilege(user);
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static bool
in_sorted(const int64 *arr, int n, int64 id)
{
	return n > 0 && bsearch(&id, arr, n, sizeof(int64), cmp_int64) != NULL;
}

/* bigint[] datum -> palloc'd array in cxt */
static int64 *
int8_array(Datum d, int *n, MemoryContext cxt)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				i,
				k = 0;
	int64	   *out;

	deconstruct_array(a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	out = MemoryContextAlloc(cxt, sizeof(int64) * Max(count, 1));
	for (i = 0; i < count; i++)
		if (!nulls[i])
			out[k++] = DatumGetInt64(elems[i]);
	qsort(out, k, sizeof(int64), cmp_int64);
	*n = k;
	return out;
}

/*
 * The grants of the user (through any role whose privileges it has): is one
 * of them unscoped, the teams in scope with their sub-teams, and the granted
 * teams as text for messages.  With write, only write grants count.
 */
#define Q_SCOPE \
	"WITH RECURSIVE g AS (" \
	"  SELECT a.team_id FROM okr.access_grant a" \
	"  JOIN pg_catalog.pg_roles r ON r.rolname = a.role" \
	"  WHERE (a.can_write OR NOT $2) AND pg_catalog.pg_has_role($1, r.oid, 'USAGE'))," \
	" t(id) AS (SELECT g.team_id FROM g WHERE g.team_id IS NOT NULL" \
	"  UNION SELECT c.id FROM okr.team c JOIN t ON c.parent_id = t.id)" \
	" SELECT EXISTS (SELECT FROM g WHERE g.team_id IS NULL)," \
	"  ARRAY(SELECT t.id FROM t)," \
	"  (SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s)', tm.id, pg_catalog.quote_ident(tm.name)), ', ' ORDER BY tm.id)" \
	"     FROM okr.team tm WHERE tm.id IN (SELECT g.team_id FROM g))"

/*
 * The private objectives outside teams $1, their key results and projects,
 * and the task feeds with a task in one of those projects.
 */
#define Q_HIDDEN \
	"WITH h AS (SELECT o.id FROM okr.objective o" \
	"  WHERE o.private AND (o.team_id IS NULL OR NOT o.team_id = ANY ($1)))," \
	" k AS (SELECT k.id FROM okr.key_result k WHERE k.objective_id IN (SELECT h.id FROM h))," \
	" p AS (SELECT p.id FROM okr.project p WHERE p.key_result_id IN (SELECT k.id FROM k))" \
	" SELECT 0, h.id FROM h UNION ALL SELECT 1, k.id FROM k UNION ALL SELECT 2, p.id FROM p" \
	" UNION ALL SELECT 3, f.id FROM okr.task_feed f WHERE EXISTS (SELECT FROM okr.task t" \
	"  WHERE t.feed_id = f.id AND t.project_id IN (SELECT p.id FROM p))" \
	" ORDER BY 1, 2"

/* One row's answer: is it below a private objective outside teams $2? */
#define Q_HIDDEN_ONE_COND \
	"SELECT o.private AND (o.team_id IS NULL OR NOT o.team_id = ANY ($2))"
static const char *const q_hidden_one[OKR_ACCESS_LEVELS] = {
	Q_HIDDEN_ONE_COND " FROM okr.objective o WHERE o.id = $1",
	Q_HIDDEN_ONE_COND " FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id"
	" WHERE k.id = $1",
	Q_HIDDEN_ONE_COND " FROM okr.project p JOIN okr.key_result k ON k.id = p.key_result_id"
	" JOIN okr.objective o ON o.id = k.objective_id WHERE p.id = $1",
	"SELECT EXISTS (SELECT FROM okr.task t JOIN okr.project p ON p.id = t.project_id"
	" JOIN okr.key_result k ON k.id = p.key_result_id JOIN okr.objective o ON o.id = k.objective_id"
	" WHERE t.feed_id = $1 AND o.private AND (o.team_id IS NULL OR NOT o.team_id = ANY ($2)))"
};

/* bigint[] of the teams in scope (in the current memory context) */
Datum
okr_access_teams_datum(const OkrAccess *a)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(a->nteams, 1));
	int			i;

	for (i = 0; i < a->nteams; i++)
		elems[i] = Int64GetDatum(a->teams[i]);
	return PointerGetDatum(construct_array(elems, a->nteams, INT8OID, 8,
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Load the hidden sets of a read scope (every row of a level at once). */
static void
load_hidden(OkrAccess *a)
{
	static SPIPlanPtr hidden_plan = NULL;
	Oid			hidden_types[1] = {INT8ARRAYOID};
	Datum		hidden_args[1];
	OkrSpiState st;
	bool		isnull;
	uint64		i;
	int			rc;

	okr_spi_enter(&st, okr_access_owner());
	hidden_args[0] = okr_access_teams_datum(a);
	rc = SPI_execute_plan(okr_spi_plan(&hidden_plan, Q_HIDDEN, 1, hidden_types),
						  hidden_args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: hidden rows query failed");
	for (i = 0; i < OKR_ACCESS_LEVELS; i++)
	{
		a->hidden[i] = MemoryContextAlloc(a->cxt, sizeof(int64) * Max(SPI_processed, 1));
		a->nhidden[i] = 0;
	}
	for (i = 0; i < SPI_processed; i++)
	{
		int32		level = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
														SPI_tuptable->tupdesc, 1, &isnull));
		int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
													 SPI_tuptable->tupdesc, 2, &isnull));

		if (level < 0 || level >= OKR_ACCESS_LEVELS)
			elog(ERROR, "okr: hidden rows query returned level %d", level);
		a->hidden[level][a->nhidden[level]++] = id;
	}
	okr_spi_leave(&st);
	a->loaded = true;
}

/* One row's answer by an indexed lookup (as the owner). */
static bool
lookup_hidden(const OkrAccess *a, OkrAccessLevel level, int64 id)
{
	static SPIPlanPtr plans[OKR_ACCESS_LEVELS];
	Oid			types[2] = {INT8OID, INT8ARRAYOID};
	Datum		args[2];
	OkrSpiState st;
	bool		hidden = false;
	bool		isnull;
	int			rc;
	OkrGoalAbove above;

	/* through the primary keys when it can (goal_lookup.c), as the query would */
	if (level != OKR_ACCESS_FEED &&
		okr_goal_above(level == OKR_ACCESS_OBJECTIVE ? OKR_GOAL_OBJECTIVE :
					   level == OKR_ACCESS_KEY_RESULT ? OKR_GOAL_KEY_RESULT : OKR_GOAL_PROJECT,
					   id, false, &above))
		return above.private && !(above.has_team && in_sorted(a->teams, a->nteams, above.team_id));

	okr_spi_enter(&st, okr_access_owner());
	args[0] = Int64GetDatum(id);
	args[1] = okr_access_teams_datum(a);
	rc = SPI_execute_plan(okr_spi_plan(&plans[level], q_hidden_one[level], 2, types),
						  args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "okr: hidden row query failed");
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		hidden = !isnull && DatumGetBool(d);
	}
	okr_spi_leave(&st);
	return hidden;
}

/* ---------------------------------------------------------------------
 * The grants cache
 *
 * What Q_SCOPE answers for a user is kept in this backend until one of its
 * inputs may have changed:
 *  - okr.access_grant or okr.team: their statement trigger okr_access_changed
 *    (below) sends a relcache invalidation of okr.access_grant, which
 *    PostgreSQL delivers to this session when the command ends and to the
 *    others when the transaction commits (nothing if it rolls back);
 *    ALTER TABLE on either table (DISABLE TRIGGER, say) invalidates too;
 *  - the roles (pg_authid: created, renamed, dropped, superuser, inherit)
 *    and their memberships (pg_auth_members): syscache invalidations.
 * Every lookup first accepts pending invalidations, so a revoke committed
 * elsewhere applies from the next statement even inside a transaction that
 * takes no new lock.  A missed answer is computed from the latest snapshot,
 * taken after those invalidations were accepted, and kept only if none
 * arrived while it was computed: a kept answer is never older than the
 * last invalidation received (the statement's own snapshot may be older,
 * in REPEATABLE READ or when this very lookup accepted the invalidation).
 * --------------------------------------------------------------------- */
typedef struct Grants
{
	Oid			user;
	bool		write;
	bool		all;
	int			nteams;
	int64	   *teams;
	char	   *granted;
} Grants;

#define GRANTS_KEPT 8			/* users (times kinds) kept; then start over */

static MemoryContext grants_cxt = NULL;
static Grants grants_kept[GRANTS_KEPT];
static int	ngrants_kept = 0;
static uint64 grants_generation = 0;	/* moves on every invalidation */
static Oid	grants_rels[2];		/* okr.access_grant, okr.team when kept */

static void
grants_forget(void)
{
	ngrants_kept = 0;
	grants_generation++;
	if (grants_cxt != NULL)
		MemoryContextReset(grants_cxt);
}

static void
grants_relcache_cb(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == grants_rels[0] || relid == grants_rels[1])
		grants_forget();
}

static void
grants_syscache_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	grants_forget();
}

/* Run Q_SCOPE for the user into g, allocated in cxt. */
static void
grants_query(Grants *g, Oid owner, Snapshot snap, MemoryContext cxt)
{
	static SPIPlanPtr scope_plan = NULL;
	OkrSpiState st;
	Oid			scope_types[2] = {OIDOID, BOOLOID};
	Datum		scope_args[2];
	bool		isnull;
	int			rc;

	okr_spi_enter(&st, owner);
	scope_args[0] = ObjectIdGetDatum(g->user);
	scope_args[1] = BoolGetDatum(g->write);
	rc = SPI_execute_snapshot(okr_spi_plan(&scope_plan, Q_SCOPE, 2, scope_types),
							  scope_args, NULL, snap, InvalidSnapshot, true, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "okr: access scope query failed");
	g->all = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	g->nteams = 0;
	g->teams = NULL;
	g->granted = NULL;
	if (!g->all)
	{
		Datum		teams = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		char	   *granted = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

		g->teams = int8_array(teams, &g->nteams, cxt);
		g->granted = granted ? MemoryContextStrdup(cxt, granted) : NULL;
	}
	okr_spi_leave(&st);
}

/* Keep a copy of g: memory only, so no invalidation can come in between. */
static void
grants_keep(const Grants *g, Oid grant_rel, Oid team_rel)
{
	Grants	   *k;

	if (ngrants_kept == GRANTS_KEPT)
		grants_forget();
	grants_rels[0] = grant_rel;
	grants_rels[1] = team_rel;
	k = &grants_kept[ngrants_kept++];
	*k = *g;
	k->teams = MemoryContextAlloc(grants_cxt, sizeof(int64) * Max(g->nteams, 1));
	if (g->nteams > 0)
		memcpy(k->teams, g->teams, sizeof(int64) * g->nteams);
	k->granted = g->granted ? MemoryContextStrdup(grants_cxt, g->granted) : NULL;
}

/* The grants of a's user, into a (allocated in a->cxt). */
static void
grants_get(OkrAccess *a, Oid owner)
{
	static bool registered = false;
	Grants		g;
	uint64		generation;
	bool		keep;
	Oid			nsp,
				grant_rel,
				team_rel;
	int			i;

	if (!registered)
	{
		grants_cxt = AllocSetContextCreate(CacheMemoryContext, "okr access grants",
										   ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(grants_relcache_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, grants_syscache_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, grants_syscache_cb, (Datum) 0);
		registered = true;
	}
	AcceptInvalidationMessages();
	for (i = 0; i < ngrants_kept; i++)
	{
		const Grants *k = &grants_kept[i];

		if (k->user != a->user || k->write != a->write)
			continue;
		a->all = k->all;
		a->nteams = k->nteams;
		a->teams = MemoryContextAlloc(a->cxt, sizeof(int64) * Max(k->nteams, 1));
		if (k->nteams > 0)
			memcpy(a->teams, k->teams, sizeof(int64) * k->nteams);
		a->granted = k->granted ? MemoryContextStrdup(a->cxt, k->granted) : NULL;
		return;
	}

	/* a parallel query may not take a new snapshot: answer, do not keep */
	keep = !IsInParallelMode();
	generation = grants_generation;
	g.user = a->user;
	g.write = a->write;
	grants_query(&g, owner, keep ? GetLatestSnapshot() : InvalidSnapshot, a->cxt);
	nsp = get_namespace_oid("okr", false);
	grant_rel = get_relname_relid("access_grant", nsp);
	team_rel = get_relname_relid("team", nsp);
	if (keep && generation == grants_generation)
		grants_keep(&g, grant_rel, team_rel);
	a->all = g.all;
	a->nteams = g.nteams;
	a->teams = g.teams;
	a->granted = g.granted;
}

/*
 * okr_access_changed: the statement trigger on okr.access_grant and
 * okr.team (src/sql/70_access.sql) that tells every session's grants cache.
 */
PG_FUNCTION_INFO_V1(okr_access_changed);

Datum
okr_access_changed(PG_FUNCTION_ARGS)
{
	Oid			grants;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("okr_access_changed fires only as okr installs it: a statement trigger on okr.access_grant and okr.team")));
	grants = get_relname_relid("access_grant", get_namespace_oid("okr", false));
	if (!OidIsValid(grants))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("okr needs table okr.access_grant, which no longer exists")));
	CacheInvalidateRelcacheByRelid(grants);
	return PointerGetDatum(NULL);
}

static OkrAccess *
compute(MemoryContext cxt, bool write, bool eager)
{
	Oid			owner = okr_access_owner();
	OkrAccess  *a = MemoryContextAllocZero(cxt, sizeof(OkrAccess));

	a->user = GetUserId();
	a->write = write;
	a->cxt = cxt;
	if (privileged(a->user, owner, write))
	{
		a->all = true;
		return a;
	}
	grants_get(a, owner);
	if (!a->all && !write && eager)
		load_hidden(a);
	return a;
}

OkrAccess *
okr_access_read(MemoryContext cxt)
{
	return compute(cxt, false, true);
}

/*
 * A read scope whose hidden sets are loaded only once it has answered
 * OKR_ACCESS_MEMO different rows: a statement that touches a few rows (a
 * task update, a check-in) pays a few indexed lookups, not a scan of the
 * goal tables.
 */
OkrAccess *
okr_access_read_lazy(MemoryContext cxt)
{
	return compute(cxt, false, false);
}

OkrAccess *
okr_access_write(MemoryContext cxt)
{
	return compute(cxt, true, false);
}

bool
okr_access_all(const OkrAccess *a)
{
	return a->all;
}

bool
okr_access_hidden(OkrAccess *a, OkrAccessLevel level, int64 id)
{
	if (a->all)
		return false;
	if (!a->loaded)
	{
		int			i;

		for (i = 0; i < a->nmemo; i++)
			if (a->memo[i].level == level && a->memo[i].id == id)
				return a->memo[i].hidden;
		if (a->nmemo == OKR_ACCESS_MEMO)
			load_hidden(a);
		else
		{
			bool		hidden = lookup_hidden(a, level, id);

			a->memo[a->nmemo].level = level;
			a->memo[a->nmemo].id = id;
			a->memo[a->nmemo].hidden = hidden;
			a->nmemo++;
			return hidden;
		}
	}
	return in_sorted(a->hidden[level], a->nhidden[level], id);
}

bool
okr_access_team(const OkrAccess *a, int64 team_id)
{
	return a->all || in_sorted(a->teams, a->nteams, team_id);
}

/* For an error's detail: what the user's write scope is. */
char *
okr_access_scope_detail(const OkrAccess *a)
{
	const char *role = GetUserNameFromId(a->user, false);

	if (a->granted == NULL)
		return psprintf("Role \"%s\" has no write grant in okr (okr.grant_write).", role);
	return psprintf("Role \"%s\" writes only the objectives of team %s, their sub-teams and what is below them.",
					role, a->granted);
}

/*
 * Running what lies below a key result (its source): 42501 unless its
 * objective's team is in write scope w.  As in rules_access.c, the message
 * names the team only when the user may read the objective, and the detail
 * names the user's own teams.  A key result that does not exist passes:
 * the caller reports it.  Called as the user (not inside okr_spi_enter).
 */
void
okr_access_require_key_result(OkrAccess *w, const char *what, int64 key_result_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(key_result_id)};
	MemoryContext caller = CurrentMemoryContext;
	OkrSpiState st;
	bool		found;
	int64		objective_id = 0;
	bool		has_team = false;
	int64		team_id = 0;
	char	   *team_name = NULL;
	OkrAccess  *r;
	const char *role = GetUserNameFromId(w->user, false);

	if (w->all)
		return;
	if (w->user != GetUserId())
		elog(ERROR, "okr: a write scope checked as another role");
	okr_spi_enter(&st, okr_access_owner());
	if (SPI_execute_plan(okr_spi_plan(&plan, "SELECT o.team_id, tm.name, o.id FROM okr.key_result k"
									  " JOIN okr.objective o ON o.id = k.objective_id"
									  " LEFT JOIN okr.team tm ON tm.id = o.team_id WHERE k.id = $1",
									  1, types), args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "okr: objective team query failed");
	found = SPI_processed == 1;
	if (found)
	{
		bool		isnull;
		Datum		d;

		objective_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		has_team = !isnull;
		team_id = has_team ? DatumGetInt64(d) : 0;
		if (has_team)
			team_name = MemoryContextStrdup(caller, SPI_getvalue(SPI_tuptable->vals[0],
																  SPI_tuptable->tupdesc, 2));
	}
	okr_spi_leave(&st);
	if (!found || (has_team && okr_access_team(w, team_id)))
		return;

	r = okr_access_read_lazy(caller);
	if (okr_access_hidden(r, OKR_ACCESS_OBJECTIVE, objective_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to run %s: it is outside the write scope of role \"%s\"",
						what, role),
				 errdetail_internal("%s", okr_access_scope_detail(w))));
	if (!has_team)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to run %s: objective " INT64_FORMAT " has no team, outside the write scope of role \"%s\"",
						what, objective_id, role),
				 errdetail_internal("%s", okr_access_scope_detail(w))));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to run %s: objective " INT64_FORMAT " belongs to team " INT64_FORMAT " (%s), outside the write scope of role \"%s\"",
					what, objective_id, team_id, team_name, role),
			 errdetail_internal("%s", okr_access_scope_detail(w))));
}

/*
 * The rollup reads as the owner, so check here what PostgreSQL would have
 * checked had it read as the caller: SELECT on the tables it reads.
 */
void
okr_access_require_select(void)
{
	static const char *const tables[] = {
		"cycle", "objective", "key_result", "checkin", "project", "project_effort", "task"
	};
	Oid			nsp = get_namespace_oid("okr", false);
	Oid			user = GetUserId();
	size_t		i;

	for (i = 0; i < lengthof(tables); i++)
	{
		Oid			rel = get_relname_relid(tables[i], nsp);

		if (!OidIsValid(rel))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("okr needs table okr.%s, which no longer exists", tables[i])));
		if (pg_class_aclcheck(rel, user, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s", tables[i])));
	}
}

/* ---------------------------------------------------------------------
 * The functions of the row-level security policies (src/sql/70_access.sql)
 * --------------------------------------------------------------------- */

/*
 * The policies share one read scope, with its memo and hidden sets, while
 * what it answers cannot change: the same user, transaction, subtransaction
 * and grants, and a snapshot that sees the same rows (the same command id,
 * xmin, xmax and transactions in progress).  So the two call sites of an
 * UPDATE (its row filter and its check of the new row) and a SQL function
 * the views call per row, each a call site of its own, ask the same scope,
 * and a row looked up once is not looked up again.  Each call site checks
 * the key on its first call (after accepting pending invalidations, so a
 * revoke applies from the next statement) and again only if another call
 * site has made a new scope since.  A write of this transaction moves the
 * command id; a subtransaction rolled back leaves a later command id or
 * another subtransaction.
 */
typedef struct ScopeKey
{
	Oid			user;
	LocalTransactionId lxid;
	SubTransactionId subxid;
	uint64		grants_generation;
	CommandId	cid;
	TransactionId xmin;
	TransactionId xmax;
	bool		suboverflowed;
	bool		recovery;
	uint32		xcnt;
	int32		subxcnt;
	TransactionId *xip;			/* points into the snapshot, or shared_cxt */
	TransactionId *subxip;
} ScopeKey;

typedef struct CallSite
{
	Oid			user;
	uint64		shared_epoch;	/* of the shared scope it checked, if any */
	OkrAccess  *own;			/* its own scope when there was no key */
} CallSite;

static MemoryContext shared_cxt = NULL;
static OkrAccess *shared_scope = NULL;
static ScopeKey shared_key;
static uint64 shared_epoch = 0;

/* The key of the current moment; false when there is none to share on. */
static bool
scope_key(ScopeKey *k, Oid user)
{
	Snapshot	snap;

	if (!ActiveSnapshotSet())
		return false;
	snap = GetActiveSnapshot();
	if (snap->snapshot_type != SNAPSHOT_MVCC)
		return false;
	k->user = user;
	k->lxid = MyProc->lxid;
	k->subxid = GetCurrentSubTransactionId();
	k->grants_generation = grants_generation;
	k->cid = snap->curcid;
	k->xmin = snap->xmin;
	k->xmax = snap->xmax;
	k->suboverflowed = snap->suboverflowed;
	k->recovery = snap->takenDuringRecovery;
	k->xcnt = snap->xcnt;
	k->subxcnt = snap->subxcnt;
	k->xip = snap->xip;
	k->subxip = snap->subxip;
	return true;
}

static bool
same_key(const ScopeKey *x, const ScopeKey *y)
{
	return x->user == y->user && x->lxid == y->lxid && x->subxid == y->subxid &&
		x->grants_generation == y->grants_generation && x->cid == y->cid &&
		x->xmin == y->xmin && x->xmax == y->xmax &&
		x->suboverflowed == y->suboverflowed && x->recovery == y->recovery &&
		x->xcnt == y->xcnt && x->subxcnt == y->subxcnt &&
		(x->xcnt == 0 || memcmp(x->xip, y->xip, sizeof(TransactionId) * x->xcnt) == 0) &&
		(x->subxcnt <= 0 || memcmp(x->subxip, y->subxip, sizeof(TransactionId) * x->subxcnt) == 0);
}

/* Copy the key's arrays into shared_cxt. */
static void
keep_key(const ScopeKey *k)
{
	shared_key = *k;
	shared_key.xip = MemoryContextAlloc(shared_cxt, sizeof(TransactionId) * Max(k->xcnt, 1));
	if (k->xcnt > 0)
		memcpy(shared_key.xip, k->xip, sizeof(TransactionId) * k->xcnt);
	shared_key.subxip = MemoryContextAlloc(shared_cxt, sizeof(TransactionId) * Max(k->subxcnt, 1));
	if (k->subxcnt > 0)
		memcpy(shared_key.subxip, k->subxip, sizeof(TransactionId) * k->subxcnt);
}

static OkrAccess *
policy_scope(FunctionCallInfo fcinfo)
{
	CallSite   *site = (CallSite *) fcinfo->flinfo->fn_extra;
	Oid			user = GetUserId();
	ScopeKey	key;

	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallSite));
		fcinfo->flinfo->fn_extra = site;
	}
	else if (site->user == user)
	{
		if (site->own != NULL)
			return site->own;
		if (shared_scope != NULL && site->shared_epoch == shared_epoch)
			return shared_scope;
	}
	site->user = user;
	site->own = NULL;
	AcceptInvalidationMessages();
	if (!scope_key(&key, user))
	{
		site->own = okr_access_read_lazy(fcinfo->flinfo->fn_mcxt);
		return site->own;
	}
	if (shared_scope == NULL || !same_key(&key, &shared_key))
	{
		if (shared_cxt == NULL)
			shared_cxt = AllocSetContextCreate(TopMemoryContext, "okr shared read scope",
											   ALLOCSET_SMALL_SIZES);
		shared_scope = NULL;
		MemoryContextReset(shared_cxt);
		keep_key(&key);
		shared_scope = okr_access_read_lazy(shared_cxt);
		shared_epoch++;
	}
	site->shared_epoch = shared_epoch;
	return shared_scope;
}

static bool
visible(FunctionCallInfo fcinfo, OkrAccessLevel level)
{
	return !okr_access_hidden(policy_scope(fcinfo), level, PG_GETARG_INT64(0));
}

PG_FUNCTION_INFO_V1(okr_objective_visible);

Datum
okr_objective_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(visible(fcinfo, OKR_ACCESS_OBJECTIVE));
}

PG_FUNCTION_INFO_V1(okr_key_result_visible);

Datum
okr_key_result_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(visible(fcinfo, OKR_ACCESS_KEY_RESULT));
}

PG_FUNCTION_INFO_V1(okr_project_visible);

Datum
okr_project_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(visible(fcinfo, OKR_ACCESS_PROJECT));
}

PG_FUNCTION_INFO_V1(okr_task_feed_visible);

Datum
okr_task_feed_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(visible(fcinfo, OKR_ACCESS_FEED));
}

PG_FUNCTION_INFO_V1(okr_access_unscoped);

/* Does the current user read every row (the history tables' policies)? */
Datum
okr_access_unscoped(PG_FUNCTION_ARGS)
{
	OkrAccess  *a = (OkrAccess *) fcinfo->flinfo->fn_extra;

	if (a == NULL || a->user != GetUserId())
	{
		a = okr_access_read_lazy(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = a;
	}
	PG_RETURN_BOOL(okr_access_all(a));
}
