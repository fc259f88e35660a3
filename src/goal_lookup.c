/*
 * goal_lookup.c
 *	  The objective above a key result or a project (its id, team and
 *	  private flag), read straight through the primary-key indexes of
 *	  okr.project, okr.key_result and okr.objective, without SPI.
 *
 * The write-scope trigger (rules_access.c) asks this for every row a scoped
 * writer writes; through SPI the same answer cost a pinned search_path and
 * an executor run of a three-table join.  Here it is one index probe per
 * level.
 *
 * The policies of row-level security ask it too (access.c: is a row below
 * a private objective outside the reader's teams?).
 *
 * It sees exactly what the SPI query it replaces saw.  For the trigger
 * (may_write): the snapshot SPI takes for a query that is not read-only,
 * the transaction snapshot with the command counter advanced (a fresh one
 * per call in READ COMMITTED, so a move of an objective to another team
 * committed by another session counts from the writer's next row on; the
 * transaction's own in REPEATABLE READ).  For the policies (read-only):
 * the active snapshot, the statement's.  Nothing is kept between calls:
 * there is no cache to go stale.  Rows are read as stored, whatever the user may read, as the
 * owner's SPI query did (the owner is not subject to row-level security).
 *
 * Anything unusual (okr's schema or a table missing, a primary key that is
 * not a btree on a bigint id, a column of another type, a row not found)
 * answers "don't know": the caller then asks SPI, which also builds the
 * messages of refusals.
 *
 * It calls nothing of okr's.
 */
#include "okr.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

/* The column numbered attno of rel, if it exists and is of type typid. */
static AttrNumber
column_of(Relation rel, const char *name, Oid typid)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->atttypid == typid ? att->attnum : InvalidAttrNumber;
	}
	return InvalidAttrNumber;
}

/*
 * The row of okr.<table> whose id is id, visible to snap, read through its
 * primary key; out[i] gets column cols[i] (bigint or, for the objective's
 * private flag, boolean; nulls[i] its nullness).  False when not found or
 * unusual.  The table and its index stay locked AccessShare to the end of
 * the transaction, as a query would leave them.
 */
static bool
fetch_row(Oid nsp, const char *table, int64 id, Snapshot snap,
		  int ncols, const char *const *cols, const Oid *types,
		  Datum *out, bool *nulls)
{
	Oid			relid = get_relname_relid(table, nsp);
	Relation	rel;
	Oid			pk;
	Relation	irel;
	AttrNumber	id_att;
	AttrNumber	atts[2];
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		usual;
	bool		found = false;
	int			i;

	Assert(ncols <= 2);
	if (!OidIsValid(relid))
		return false;
	rel = table_open(relid, AccessShareLock);
	usual = rel->rd_rel->relkind == RELKIND_RELATION;
	id_att = usual ? column_of(rel, "id", INT8OID) : InvalidAttrNumber;
	usual = id_att != InvalidAttrNumber;
	for (i = 0; usual && i < ncols; i++)
	{
		atts[i] = column_of(rel, cols[i], types[i]);
		usual = atts[i] != InvalidAttrNumber;
	}
	pk = usual ? RelationGetPrimaryKeyIndex(rel) : InvalidOid;
	if (!OidIsValid(pk))
	{
		table_close(rel, NoLock);
		return false;
	}
	irel = index_open(pk, AccessShareLock);
	usual = irel->rd_rel->relam == BTREE_AM_OID &&
		irel->rd_index->indnkeyatts == 1 &&
		irel->rd_index->indkey.values[0] == id_att &&
		irel->rd_opcintype[0] == INT8OID &&
		irel->rd_index->indisvalid;
	index_close(irel, NoLock);
	if (!usual)
	{
		table_close(rel, NoLock);
		return false;
	}

	ScanKeyInit(&key, id_att, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	scan = systable_beginscan(rel, pk, true, snap, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		found = true;
		for (i = 0; i < ncols; i++)
			out[i] = heap_getattr(tup, atts[i], RelationGetDescr(rel), &nulls[i]);
	}
	systable_endscan(scan);
	table_close(rel, NoLock);
	return found;
}

bool
okr_goal_above(OkrGoalLevel from, int64 id, bool may_write, OkrGoalAbove *above)
{
	static const char *const kr_cols[1] = {"objective_id"};
	static const char *const project_cols[1] = {"key_result_id"};
	static const char *const objective_cols[2] = {"team_id", "private"};
	static const Oid id_type[1] = {INT8OID};
	static const Oid objective_types[2] = {INT8OID, BOOLOID};
	Oid			nsp = get_namespace_oid("okr", true);
	Snapshot	snap;
	Datum		v[2];
	bool		n[2];
	bool		ok = true;

	if (!OidIsValid(nsp) || !ActiveSnapshotSet())
		return false;

	if (may_write)
	{
		/* as SPI_execute_plan does for a query that is not read-only */
		PushActiveSnapshot(GetTransactionSnapshot());
		CommandCounterIncrement();
		UpdateActiveSnapshotCommandId();
	}
	snap = GetActiveSnapshot();

	if (from == OKR_GOAL_PROJECT)
	{
		ok = fetch_row(nsp, "project", id, snap, 1, project_cols, id_type, v, n) && !n[0];
		id = ok ? DatumGetInt64(v[0]) : 0;
		from = OKR_GOAL_KEY_RESULT;
	}
	if (ok && from == OKR_GOAL_KEY_RESULT)
	{
		ok = fetch_row(nsp, "key_result", id, snap, 1, kr_cols, id_type, v, n) && !n[0];
		id = ok ? DatumGetInt64(v[0]) : 0;
	}
	if (ok)
		ok = fetch_row(nsp, "objective", id, snap, 2, objective_cols, objective_types, v, n);
	if (may_write)
		PopActiveSnapshot();
	if (!ok)
		return false;
	above->objective_id = id;
	above->has_team = !n[0];
	above->team_id = n[0] ? 0 : DatumGetInt64(v[0]);
	above->private = !n[1] && DatumGetBool(v[1]);
	return true;
}
