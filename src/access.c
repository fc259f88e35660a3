/*
 * access.c
 *	  Access by team (SPEC 9): what the current user may read and write,
 *	  answered from okr's own grant table, okr.access_grant.
 *
 * A scope is computed once (per statement for a policy or a trigger, per
 * call for the rollup) and kept in memory: whether the user sees or writes
 * everything, the teams in scope (the granted teams and every team below
 * them) and, for reading, the ids of the objectives, key results and
 * projects the user may not read, sorted for bsearch.  The hidden sets are
 * the private objectives outside the user's teams and their parts: usually
 * few, so a row costs one binary search.
 *
 * Every query runs as the owner of okr's tables (spi_util.c), so it reads
 * okr.access_grant (which readers cannot) and is never filtered by the
 * row-level security policies that call it: a policy never recurses into
 * itself.
 *
 * It calls nothing of okr's but spi_util.c; rollup.c and rules_access.c
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
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

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

/* The private objectives outside teams $1, their key results and projects. */
#define Q_HIDDEN \
	"WITH h AS (SELECT o.id FROM okr.objective o" \
	"  WHERE o.private AND (o.team_id IS NULL OR NOT o.team_id = ANY ($1)))," \
	" k AS (SELECT k.id FROM okr.key_result k WHERE k.objective_id IN (SELECT h.id FROM h))" \
	" SELECT 0, h.id FROM h UNION ALL SELECT 1, k.id FROM k" \
	" UNION ALL SELECT 2, p.id FROM okr.project p WHERE p.key_result_id IN (SELECT k.id FROM k)" \
	" ORDER BY 1, 2"

/* One row's answer: is it below a private objective outside teams $2? */
#define Q_HIDDEN_ONE_COND \
	"SELECT o.private AND (o.team_id IS NULL OR NOT o.team_id = ANY ($2))"
static const char *const q_hidden_one[OKR_ACCESS_LEVELS] = {
	Q_HIDDEN_ONE_COND " FROM okr.objective o WHERE o.id = $1",
	Q_HIDDEN_ONE_COND " FROM okr.key_result k JOIN okr.objective o ON o.id = k.objective_id"
	" WHERE k.id = $1",
	Q_HIDDEN_ONE_COND " FROM okr.project p JOIN okr.key_result k ON k.id = p.key_result_id"
	" JOIN okr.objective o ON o.id = k.objective_id WHERE p.id = $1"
};

/* bigint[] of the teams in scope (in the current memory context) */
static Datum
teams_datum(const OkrAccess *a)
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
	hidden_args[0] = teams_datum(a);
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

	okr_spi_enter(&st, okr_access_owner());
	args[0] = Int64GetDatum(id);
	args[1] = teams_datum(a);
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

static OkrAccess *
compute(MemoryContext cxt, bool write, bool eager)
{
	static SPIPlanPtr scope_plan = NULL;
	Oid			owner = okr_access_owner();
	OkrAccess  *a = MemoryContextAllocZero(cxt, sizeof(OkrAccess));
	OkrSpiState st;
	Oid			scope_types[2] = {OIDOID, BOOLOID};
	Datum		scope_args[2];
	bool		isnull;
	int			rc;

	a->user = GetUserId();
	a->write = write;
	a->cxt = cxt;
	if (privileged(a->user, owner, write))
	{
		a->all = true;
		return a;
	}

	okr_spi_enter(&st, owner);
	scope_args[0] = ObjectIdGetDatum(a->user);
	scope_args[1] = BoolGetDatum(write);
	rc = SPI_execute_plan(okr_spi_plan(&scope_plan, Q_SCOPE, 2, scope_types),
						  scope_args, NULL, true, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "okr: access scope query failed");
	a->all = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!a->all)
	{
		Datum		teams = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		char	   *granted = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

		a->teams = int8_array(teams, &a->nteams, cxt);
		a->granted = granted ? MemoryContextStrdup(cxt, granted) : NULL;

	}
	okr_spi_leave(&st);
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

/* The read scope, cached for the statement in the policy's FmgrInfo. */
static bool
visible(FunctionCallInfo fcinfo, OkrAccessLevel level)
{
	OkrAccess  *a = (OkrAccess *) fcinfo->flinfo->fn_extra;

	if (a == NULL || a->user != GetUserId())
	{
		a = okr_access_read_lazy(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = a;
	}
	return !okr_access_hidden(a, level, PG_GETARG_INT64(0));
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
