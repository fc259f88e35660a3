/*
 * run_as.c
 *	  Running a user's query as a role of the user's (SPEC 6): what the
 *	  key-result sources (sources.c) and the task feeds (feeds.c) share.
 *
 *	  - okr_run_as_role: the run_as a writer may name (itself or a role it
 *	    is a member of; a superuser only for a superuser writer);
 *	  - okr_run_as_begin/end: become that role with search_path pinned
 *	    (and a time zone), every setting the query changes undone after;
 *	  - okr_subxact_run: a function run in a subtransaction of its own, its
 *	    error handed back instead of thrown (the pattern of plpgsql's
 *	    exception blocks), so that one source or feed failing leaves the
 *	    others going on.
 *
 *	  Calls nothing else of okr.
 */
#include "okr.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

Oid
okr_run_as_role(const char *rolname)
{
	Oid			role = get_role_oid(rolname, false);

	if (!is_member_of_role(GetUserId(), role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("run_as \"%s\" is neither the current user nor a role it is a member of", rolname),
				 errhint("Name yourself, or a role granted to you.")));
	if (superuser_arg(role) && !superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may name superuser \"%s\" as run_as", rolname)));
	return role;
}

Oid
okr_rel_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "okr: cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

void
okr_run_as_begin(OkrRunAs *st, Oid role, const char *timezone)
{
	st->switched = OidIsValid(role);
	if (st->switched)
	{
		GetUserIdAndSecContext(&st->save_userid, &st->save_sec_context);
		/*
		 * LOCAL_USERID_CHANGE: the query cannot SET ROLE its way out; and
		 * not NOFORCE_RLS, which okr_spi_enter sets for okr's own checks:
		 * run_as's tables keep their FORCE ROW LEVEL SECURITY.
		 */
		SetUserIdAndSecContext(role, (st->save_sec_context & ~SECURITY_NOFORCE_RLS) |
							   SECURITY_LOCAL_USERID_CHANGE);
	}
	st->guc_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (timezone)
		(void) set_config_option("TimeZone", timezone,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
}

void
okr_run_as_end(OkrRunAs *st)
{
	/* false: whatever the query set, even with SET (not LOCAL), is undone */
	AtEOXact_GUC(false, st->guc_nestlevel);
	if (st->switched)
		SetUserIdAndSecContext(st->save_userid, st->save_sec_context);
}

bool
okr_subxact_run(void (*fn) (void *), void *arg, ErrorData **error)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		/* undoes the role, the settings and XactReadOnly of the attempt */
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		*error = edata;
		ok = false;
	}
	PG_END_TRY();
	return ok;
}
