/*
 * insert.c
 *	  Rows that okr writes into its own tables at commit (history versions,
 *	  history.c; the effort ledger, maintain.c), inserted straight into the
 *	  heap and its indexes, as an INSERT would insert them.  An SPI INSERT
 *	  per row spent most of its time starting and ending an executor: that
 *	  was most of what history cost a write.  No trigger fires and no
 *	  constraint is checked: the callers write values of the columns' types
 *	  into tables whose only triggers guard them against writes by others.
 */
#include "okr.h"

#include "access/table.h"
#include "access/tableam.h"
#include "executor/executor.h"
#include "utils/rel.h"

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
