/*
 * schema.c
 *	  Which version of okr's tables this database has.
 *
 * One okr.so serves every installed version: between installing a new
 * build and ALTER EXTENSION okr UPDATE, a database still has the tables of
 * the version it was created with.  The code that reads a column added
 * since asks here first, and reads the older tables the older way.
 */
#include "okr.h"

#include "catalog/namespace.h"
#include "utils/lsyscache.h"

/* okr.objective.parent_key_result_id (1.1): objectives aligned to key results */
bool
okr_has_key_result_alignment(void)
{
	Oid			nsp = get_namespace_oid("okr", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("objective", nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, "parent_key_result_id") != InvalidAttrNumber;
}

/* okr.effort_ledger (1.1): the effort of done tasks by their done_at */
bool
okr_has_effort_ledger(void)
{
	Oid			nsp = get_namespace_oid("okr", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("effort_ledger", nsp));
}
