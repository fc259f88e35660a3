/*
 * spi_util.c
 *	  Entering SPI safely.
 *
 * Every query okr runs through SPI executes with search_path pinned to
 * "pg_catalog, pg_temp", so objects planted by a user earlier on the path
 * (a table called okr, an operator = on bigint) can never capture a name or
 * an operator in our queries.  Trigger checks also switch to the owner of the
 * table, as PostgreSQL's foreign-key triggers do: an integrity check must see
 * every row whatever the current user may read, and maintenance writes (the
 * current_value of a key result) must not need extra grants.
 */
#include "okr.h"

#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/snapmgr.h"
#include "utils/guc.h"

void
okr_spi_enter(OkrSpiState *st, Oid as_owner)
{
	st->switched_user = false;
	if (OidIsValid(as_owner))
	{
		GetUserIdAndSecContext(&st->save_userid, &st->save_sec_context);
		SetUserIdAndSecContext(as_owner,
							   st->save_sec_context |
							   SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_NOFORCE_RLS);
		st->switched_user = true;
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "okr: SPI_connect failed");

	st->guc_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/*
	 * okr's queries are short and planned for many rows (the history's
	 * correlated subqueries cost much on paper): compiling them with JIT
	 * would take longer than running them.
	 */
	(void) set_config_option("jit", "off",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

void
okr_spi_leave(OkrSpiState *st)
{
	AtEOXact_GUC(true, st->guc_nestlevel);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "okr: SPI_finish failed");
	if (st->switched_user)
		SetUserIdAndSecContext(st->save_userid, st->save_sec_context);
}

SPIPlanPtr
okr_spi_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "okr: SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "okr: SPI_keepplan failed");
		*cache = plan;
	}
	return *cache;
}

/*
 * What a cache kept for one statement (fn_extra) may be reused under: the
 * same transaction, and a snapshot that sees the same rows (no transaction
 * completed since, no command of ours since).  A query keeps its snapshot
 * while it runs, so its call sites keep their caches; a PL/pgSQL simple
 * expression keeps its fn_extra for the whole transaction, and this tells
 * it when the rows may have changed.
 */
void
okr_snapshot_key(OkrSnapshotKey *k)
{
	Snapshot	s = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;

	memset(k, 0, sizeof(*k));
	if (s == NULL)
		return;					/* valid false: never reused */
	k->valid = true;
	k->lxid = MyProc->lxid;
	k->completion = s->snapXactCompletionCount;
	k->curcid = s->curcid;
	k->xmin = s->xmin;
	k->xmax = s->xmax;
}

bool
okr_snapshot_key_same(const OkrSnapshotKey *a, const OkrSnapshotKey *b)
{
	return a->valid && b->valid && a->lxid == b->lxid && a->completion == b->completion &&
		a->curcid == b->curcid && a->xmin == b->xmin && a->xmax == b->xmax;
}
