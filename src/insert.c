/*
 * insert.c
 *	  Rows that okr writes into its own tables at commit (history versions,
 *	  history.c; the effort ledger, maintain.c), inserted straight into the
 *	  heap and its indexes, as an INSERT would insert them; and a row's new
 *	  version written the same way (a key result's maintained columns,
 *	  maintain.c, on a version it has locked).  An SPI INSERT
 *	  per row spent most of its time starting and ending an executor: that
 *	  was most of what history cost a write.  No trigger fires and no
 *	  constraint is checked: the callers write values of the columns' types
 *	  into tables whose only triggers guard them against writes by others.
 */
#include "okr.h"

#include "access/table.h"
#include "access/tableam.h"
#include "executor/executor.h"
#include "access/xact.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

void
okr_inserter_open(OkrInserter *ins, Oid relid)
{
	ins->rel = table_open(relid, RowExclusiveLock);
	ins->estate = CreateExecutorState();
	ins->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(ins->rri, ins->rel, 1, NULL, 0);
	ExecOpenIndices(ins->rri, false);
	ins->slot = ExecInitExtraTupleSlot(ins->estate, RelationGetDescr(ins->rel),
									   &TTSOpsHeapTuple);
}

/* values and nulls: one per attribute of the table, dropped ones null */
void
okr_inserter_put(OkrInserter *ins, Datum *values, bool *nulls)
{
	ExecClearTuple(ins->slot);
	ExecStoreHeapTuple(heap_form_tuple(RelationGetDescr(ins->rel), values, nulls),
					   ins->slot, true);
	simple_table_tuple_insert(ins->rel, ins->slot);
	if (ins->rri->ri_NumIndices > 0)
		(void) ExecInsertIndexTuples(ins->rri, ins->slot, ins->estate, false, false,
									 NULL, NIL);
	ResetPerTupleExprContext(ins->estate);
}

void
okr_inserter_close(OkrInserter *ins)
{
	ExecClearTuple(ins->slot);
	ExecCloseIndices(ins->rri);
	ExecResetTupleTable(ins->estate->es_tupleTable, false);
	FreeExecutorState(ins->estate);
	table_close(ins->rel, NoLock);
	/* what follows in this transaction sees the rows, as after an INSERT */
	CommandCounterIncrement();
}

/*
 * Replace the version at *tid of rel, which this transaction has locked,
 * with tup: the heap (HOT when it can) and, unless HOT, every index, as an
 * UPDATE would.  No trigger fires and no constraint is checked: the caller
 * changes only columns that no constraint of the table reads.
 */
void
okr_heap_update(Relation rel, ItemPointer tid, HeapTuple tup)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot;
	bool		update_indexes;

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(rel), &TTSOpsHeapTuple);
	ExecStoreHeapTuple(tup, slot, false);
	simple_table_tuple_update(rel, tid, slot, GetActiveSnapshot(), &update_indexes);
	/*
	 * (update = false: its hint that an index's key did not change needs the
	 * UPDATE's range table, which there is none of; it only steers index
	 * page cleanup)
	 */
	if (update_indexes && rri->ri_NumIndices > 0)
		(void) ExecInsertIndexTuples(rri, slot, estate, false, false, NULL, NIL);
	ExecClearTuple(slot);
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	/* what follows in this transaction sees the row, as after an UPDATE */
	CommandCounterIncrement();
}

