/*
 * maintain.c
 *	  The maintained figures: key_result.current_value (with last_checkin_at
 *	  and current_progress) and okr.project_effort.  Every write of them is
 *	  here: the commit-time flush (okr_90_maintain), the TRUNCATE sync, a
 *	  project's row in okr.project_effort, okr.refresh_maintained(), and
 *	  current_progress for okr_key_result_guard.  The rule files reach this
 *	  file through the interface in okr.h (okr_maint_note_*,
 *	  okr_maint_writing, okr_maint_current_progress); nothing here calls back
 *	  into them.
 *
 * The row triggers on checkin and task (rules_key_result.c, rules_task.c)
 * only note here what
 * moved: a key result whose latest check-in may have changed, or an effort
 * delta for a project.  A deferred constraint trigger (okr_90_maintain) then
 * applies the notes when the transaction commits: key results in id order,
 * then effort counters in project-id order.  So every transaction takes the
 * row locks of this maintenance at the same point (its commit), in the same
 * global order, holding none of them before: two transactions that check in
 * on the same key results, or finish tasks of the same projects, in any
 * order, queue one behind the other instead of deadlocking.  Other sessions
 * see the figures change exactly when the rows that move them commit.
 *
 * Inside the writing transaction the maintained columns lag until commit
 * (or until SET CONSTRAINTS okr.okr_90_maintain IMMEDIATE); okr.progress()
 * and okr.objective_progress() know it (okr_maint_pending) and read the
 * check-ins and tasks themselves then.
 *
 * A check-in's new latest value (the common note) is written straight into
 * the key result's heap and indexes (apply_checkin_candidate_direct; an
 * UPDATE through SPI spent most of its time starting an executor and
 * rebuilding key_result's CHECK constraints from their text, none of which
 * reads a maintained column), locked and decided exactly as that UPDATE
 * would, while okr.key_result has only okr's triggers and constraints;
 * anything else still runs the UPDATE.
 *
 * A project's note also carries the rows it adds to okr.effort_ledger (the
 * effort of done tasks by their done_at, for the past rollup): the flush
 * appends them all in one INSERT, after the effort counters.
 *
 * The notes live in a hash table in TopTransactionContext, one entry per
 * (item, subtransaction): a subtransaction that rolls back takes its notes
 * with it.  Effort deltas are exact: integral efforts (the common case) are
 * summed in an int64, others in numeric.
 *
 * A flush inside a subtransaction (SET CONSTRAINTS ... IMMEDIATE after a
 * SAVEPOINT) writes in that subtransaction, and its writes go if it rolls
 * back.  So the notes it applied are kept aside, tagged with the
 * subtransaction that applied them: when that one rolls back, the notes
 * that survive it are pending again (and PostgreSQL queues okr_90_maintain
 * again, since the trigger event it fired there is un-fired); when it
 * commits, the tag moves to its parent.  The commit of the transaction
 * drops them.
 */
#include "okr.h"
#include "trigger_util.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include <math.h>

typedef enum NoteKind
{
	NOTE_KEY_RESULT = 0,		/* flushed first */
	NOTE_PROJECT = 1
} NoteKind;

typedef struct NoteKey
{
	int64		id;
	SubTransactionId subid;
	int32		kind;			/* NoteKind */
} NoteKey;

/* A row for okr.effort_ledger */
typedef struct LedgerEntry
{
	TimestampTz done_at;
	double		effort;			/* negative: what an earlier row added, taken back */
} LedgerEntry;

typedef struct Note
{
	NoteKey		key;			/* must be first */
	bool		recompute;		/* key result: read the latest check-in;
								 * project: recount its tasks */
	/* key result, inserts only: the newest check-in inserted */
	bool		has_candidate;
	TimestampTz cand_at;
	int64		cand_id;
	Datum		cand_value;		/* numeric, in maint_cxt */
	/* project: effort deltas, integral part and the rest */
	int64		itotal;
	int64		idone;
	Datum		ntotal;			/* numeric or 0 */
	Datum		ndone;
	/* project: rows for okr.effort_ledger, in maint_cxt */
	int			nledger;
	int			capledger;
	LedgerEntry *ledger;
} Note;

static HTAB *notes = NULL;
static MemoryContext maint_cxt = NULL;

/* Notes applied by a flush, while the subtransaction that applied them may
 * still roll back; in maint_cxt. */
typedef struct Applied
{
	Note		note;
	SubTransactionId applied_in;
	struct Applied *next;
} Applied;

static Applied *applied = NULL;
static bool callbacks_registered = false;
/* this transaction wrote a row of okr.task (okr_maint_tasks_written) */
static bool tasks_written = false;

/* Efforts up to this size are summed exactly in an int64 (2^31 rows each). */
#define INT_EFFORT_MAX	2147483648.0

static void
maint_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			/* the deferred trigger has run by now; anything left is lost */
			if (notes && hash_get_num_entries(notes) > 0)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("okr: maintained figures were not brought up to date at commit"),
						 errhint("Trigger okr_90_maintain on okr.checkin or okr.task is disabled; enable it, or run okr.refresh_maintained() afterwards with all okr triggers off.")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* the memory goes with TopTransactionContext */
			tasks_written = false;
			notes = NULL;
			applied = NULL;
			maint_cxt = NULL;
			break;
		default:
			break;
	}
}

static Note *note_for_key(const NoteKey *key);
static void merge_note(Note *into, const Note *from);
static void ledger_append(Note *n, TimestampTz done_at, double effort);

static void
maint_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS seq;
	Note	   *n;
	Applied   **link;

	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		/* what it applied is now its parent's to keep or lose */
		for (Applied *a = applied; a; a = a->next)
			if (a->applied_in >= mySubid)
				a->applied_in = parentSubid;
		return;
	}
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;

	/* ids grow: every note from mySubid or a child of it is >= mySubid */
	if (notes)
	{
		hash_seq_init(&seq, notes);
		while ((n = hash_seq_search(&seq)) != NULL)
			if (n->key.subid >= mySubid)
				(void) hash_search(notes, &n->key, HASH_REMOVE, NULL);
	}

	/* its flushes are undone: the notes that outlive it are pending again */
	link = &applied;
	while (*link)
	{
		Applied    *a = *link;

		if (a->applied_in < mySubid)
		{
			link = &a->next;
			continue;
		}
		*link = a->next;
		if (a->note.key.subid < mySubid)
		{
			MemoryContext old = MemoryContextSwitchTo(maint_cxt);

			Note	   *into = note_for_key(&a->note.key);

			merge_note(into, &a->note);
			for (int i = 0; i < a->note.nledger; i++)
				ledger_append(into, a->note.ledger[i].done_at, a->note.ledger[i].effort);
			MemoryContextSwitchTo(old);
		}
	}
}

static void
register_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(maint_xact_callback, NULL);
		RegisterSubXactCallback(maint_subxact_callback, NULL);
		callbacks_registered = true;
	}
}

/*
 * A row of okr.task was written in this transaction (okr_task_sync): its
 * version in okr.task_history comes only at commit.  Kept until the
 * transaction ends, whatever its subtransactions do.
 */
void
okr_maint_note_task_written(void)
{
	register_callbacks();
	tasks_written = true;
}

bool
okr_maint_tasks_written(void)
{
	return tasks_written;
}

static Note *
note_for_key(const NoteKey *key)
{
	Note	   *n;
	bool		found;

	register_callbacks();
	if (maint_cxt == NULL)
		maint_cxt = AllocSetContextCreate(TopTransactionContext, "okr maintenance",
										  ALLOCSET_DEFAULT_SIZES);
	if (notes == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(NoteKey);
		ctl.entrysize = sizeof(Note);
		ctl.hcxt = maint_cxt;
		notes = hash_create("okr maintenance notes", 256, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	n = hash_search(notes, key, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) n) + sizeof(NoteKey), 0, sizeof(Note) - sizeof(NoteKey));
	}
	return n;
}

static Note *
note_for(NoteKind kind, int64 id)
{
	NoteKey		key;

	memset(&key, 0, sizeof(key));
	key.id = id;
	key.subid = GetCurrentSubTransactionId();
	key.kind = kind;
	return note_for_key(&key);
}

/* numeric a + b (either may be 0, none), in the current memory context */
static Datum
add_numeric(Datum a, Datum b)
{
	if (a == (Datum) 0)
		return b;
	if (b == (Datum) 0)
		return a;
	return DirectFunctionCall2(numeric_add, a, b);
}

/*
 * A row for okr.effort_ledger, in the note's own array (in maint_cxt).  A
 * pending note's array is its own: an applied note's is copied, never
 * shared (see the subtransaction callback).
 */
static void
ledger_append(Note *n, TimestampTz done_at, double effort)
{
	if (n->nledger == n->capledger)
	{
		int			cap = n->capledger > 0 ? n->capledger * 2 : 4;
		LedgerEntry *e = MemoryContextAlloc(maint_cxt, cap * sizeof(LedgerEntry));

		if (n->nledger > 0)
		{
			memcpy(e, n->ledger, n->nledger * sizeof(LedgerEntry));
			pfree(n->ledger);
		}
		n->ledger = e;
		n->capledger = cap;
	}
	n->ledger[n->nledger].done_at = done_at;
	n->ledger[n->nledger].effort = effort;
	n->nledger++;
}

/*
 * Fold another note of the same item into one; not their ledger rows,
 * which the flush takes from every note as it is.
 */
static void
merge_note(Note *into, const Note *from)
{
	into->recompute |= from->recompute;
	if (from->has_candidate &&
		(!into->has_candidate || from->cand_at > into->cand_at ||
		 (from->cand_at == into->cand_at && from->cand_id > into->cand_id)))
	{
		into->has_candidate = true;
		into->cand_at = from->cand_at;
		into->cand_id = from->cand_id;
		into->cand_value = from->cand_value;
	}
	into->itotal += from->itotal;
	into->idone += from->idone;
	into->ntotal = add_numeric(into->ntotal, from->ntotal);
	into->ndone = add_numeric(into->ndone, from->ndone);
}

bool
okr_maint_pending(void)
{
	return notes != NULL && hash_get_num_entries(notes) > 0;
}

void
okr_maint_note_checkin(int64 key_result_id, bool inserted, TimestampTz at,
					   int64 checkin_id, Datum value)
{
	Note	   *n = note_for(NOTE_KEY_RESULT, key_result_id);

	if (!inserted)
	{
		n->recompute = true;
		return;
	}
	if (n->recompute)
		return;
	if (!n->has_candidate || at > n->cand_at ||
		(at == n->cand_at && checkin_id > n->cand_id))
	{
		MemoryContext old = MemoryContextSwitchTo(maint_cxt);

		if (n->has_candidate)
			pfree(DatumGetPointer(n->cand_value));
		n->cand_value = PointerGetDatum(DatumGetNumericCopy(value));
		n->cand_at = at;
		n->cand_id = checkin_id;
		n->has_candidate = true;
		MemoryContextSwitchTo(old);
	}
}

/* acc += delta, exactly */
static void
add_effort(int64 *iacc, Datum *nacc, double delta)
{
	MemoryContext old;
	Datum		d,
				sum;

	if (delta == 0.0)
		return;
	if (delta == floor(delta) && fabs(delta) < INT_EFFORT_MAX)
	{
		*iacc += (int64) delta;
		return;
	}
	old = MemoryContextSwitchTo(maint_cxt);
	d = DirectFunctionCall1(float8_numeric, Float8GetDatum(delta));
	if (*nacc == (Datum) 0)
		sum = d;
	else
	{
		sum = DirectFunctionCall2(numeric_add, *nacc, d);
		pfree(DatumGetPointer(*nacc));
		pfree(DatumGetPointer(d));
	}
	*nacc = sum;
	MemoryContextSwitchTo(old);
}

void
okr_maint_note_effort(int64 project_id, double old_total, double new_total,
					  double old_done, double new_done)
{
	Note	   *n = note_for(NOTE_PROJECT, project_id);

	/* each term apart: old - new in double would round */
	add_effort(&n->itotal, &n->ntotal, -old_total);
	add_effort(&n->itotal, &n->ntotal, new_total);
	add_effort(&n->idone, &n->ndone, -old_done);
	add_effort(&n->idone, &n->ndone, new_done);
}

/*
 * A done task's effort enters okr.effort_ledger (effort > 0) or leaves it
 * (effort < 0: the row it had added, taken back).
 */
void
okr_maint_note_done(int64 project_id, TimestampTz done_at, double effort)
{
	ledger_append(note_for(NOTE_PROJECT, project_id), done_at, effort);
}

/* TRUNCATE: every noted item of that kind must be read afresh. */
static void
okr_maint_recompute_all(bool key_results)
{
	HASH_SEQ_STATUS seq;
	Note	   *n;

	if (notes == NULL)
		return;
	hash_seq_init(&seq, notes);
	while ((n = hash_seq_search(&seq)) != NULL)
		if ((n->key.kind == NOTE_KEY_RESULT) == key_results)
			n->recompute = true;
}

/* ---------------------------------------------------------------------
 * The writes.  Every write of a maintained figure goes through run_sync,
 * which tells the guards (okr_maint_writing) that it is us.
 * --------------------------------------------------------------------- */

/* True while we write a maintained column (current_value, effort counters). */
static bool okr_syncing_current_value = false;

bool
okr_maint_writing(void)
{
	return okr_syncing_current_value;
}

/*
 * Run an UPDATE of maintained columns (a cached plan, or else sql) with the
 * guards told it is us, so they let it write them.  Returns the row count.
 */
static uint64
run_sync(SPIPlanPtr plan, const char *sql, Datum *values, const char *nulls)
{
	volatile uint64 n = 0;		/* set inside PG_TRY */

	okr_syncing_current_value = true;
	PG_TRY();
	{
		if (plan)
			n = okr_run_plan(plan, values, nulls, 0);
		else
		{
			int			rc = SPI_execute(sql, false, 0);

			if (rc != SPI_OK_UPDATE && rc != SPI_OK_INSERT && rc != SPI_OK_DELETE)
				elog(ERROR, "okr: could not update maintained columns: %s", sql);
			n = SPI_processed;
		}
	}
	PG_FINALLY();
	{
		okr_syncing_current_value = false;
	}
	PG_END_TRY();
	return n;
}

static void
run_sync_plan(SPIPlanPtr plan, Datum *values, const char *nulls)
{
	(void) run_sync(plan, NULL, values, nulls);
}

/*
 * Recompute current_value and last_checkin_at from the check-ins.  The lock
 * comes first, so that the read after it sees every check-in committed by
 * whoever held it: under READ COMMITTED with the new snapshot SPI takes,
 * under REPEATABLE READ and SERIALIZABLE with a fresh one taken here (the
 * transaction's own would miss a back-dated check-in committed since, which
 * changed no key-result row and so raised no serialization failure).
 */
static void
okr_sync_current_value(int64 key_result_id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr update_plan = NULL;
	SPIPlanPtr	latest_plan;
	Oid			argtypes[3] = {INT8OID, NUMERICOID, TIMESTAMPTZOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	bool		isnull;

	values[0] = Int64GetDatum(key_result_id);
	okr_run_plan(okr_spi_plan(&lock_plan,
						  "SELECT 1 FROM okr.key_result WHERE id = $1 FOR NO KEY UPDATE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
		return;					/* deleted */

	latest_plan = okr_latest_checkin_plan();
	if (IsolationUsesXactSnapshot())
	{
		CommandCounterIncrement();	/* our own changes, too */
		if (SPI_execute_snapshot(latest_plan, values, NULL, GetLatestSnapshot(),
								 InvalidSnapshot, true, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "okr: could not read the latest check-in");
	}
	else
		okr_run_plan(latest_plan, values, NULL, 1);
	if (SPI_processed == 0)
		nulls[1] = nulls[2] = 'n';
	else
	{
		values[1] = okr_result_datum(0, 1, NUMERICOID, &isnull);
		values[2] = okr_result_datum(0, 2, TIMESTAMPTZOID, &isnull);
	}
	run_sync_plan(okr_spi_plan(&update_plan,
							   "UPDATE okr.key_result SET current_value = $2, last_checkin_at = $3"
							   " WHERE id = $1 AND (current_value IS DISTINCT FROM $2"
							   "   OR last_checkin_at IS DISTINCT FROM $3)",
							   3, argtypes),
				  values, nulls);
}

/*
 * Is okr.key_result as CREATE EXTENSION made it, so that writing its
 * maintained columns straight into the heap does what the UPDATE below
 * would: its triggers okr's own, enabled as installed, in a session that
 * fires them (the access check passes the owner, the guard only derives
 * current_progress, the history records no version of maintained columns,
 * the foreign keys' triggers skip an unchanged key); its CHECK constraints
 * okr's own, validated (none reads a maintained column).  Anything else
 * (a trigger or constraint of its owner's, replica mode): the UPDATE.
 */
static bool
key_result_is_plain(Relation rel)
{
	static const char *const triggers[][2] = {
		{"okr_05_access", "access_check"}, {"okr_05_lock", "structure_lock"},
		{"okr_10_guard", "key_result_guard"}, {"okr_95_history", "record_history"},
		{"OKR_05_below", "delete_check"}
	};
	static const char *const checks[] = {
		"key_result_kind_valid", "key_result_state_valid",
		"key_result_values_finite", "key_result_weight_valid"
	};
	TriggerDesc *td = rel->trigdesc;
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			i,
				j;

	if (SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN)
		return false;
	for (i = 0; td && i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];
		bool		known = false;

		if (t->tgisinternal)
			continue;			/* the foreign keys' */
		for (j = 0; j < (int) lengthof(triggers) && !known; j++)
		{
			char	   *fname;

			if (strcmp(t->tgname, triggers[j][0]) != 0 || t->tgenabled != TRIGGER_FIRES_ON_ORIGIN ||
				get_func_namespace(t->tgfoid) != RelationGetNamespace(rel))
				continue;
			fname = get_func_name(t->tgfoid);
			known = fname && strcmp(fname, triggers[j][1]) == 0;
		}
		if (!known)
			return false;
	}
	for (i = 0; constr && i < constr->num_check; i++)
	{
		bool		known = false;

		for (j = 0; j < (int) lengthof(checks) && !known; j++)
			known = strcmp(constr->check[i].ccname, checks[j]) == 0;
		if (!known || !constr->check[i].ccvalid)
			return false;
	}
	return true;
}

/*
 * Would key_result's guard take the row as it is (rule 3's values for its
 * kind, a milestone's bounds already filled in)?  If not, the UPDATE runs
 * and the guard says what is wrong.
 */
static bool
key_result_values_fit(TriggerData *td, HeapTuple tup, OkrKrKind *kind)
{
	char	   *kind_name = okr_get_text(td, tup, "kind");
	bool		sn,
				tn;
	Datum		start = okr_get_col(td, tup, "start_value", &sn);
	Datum		target = okr_get_col(td, tup, "target_value", &tn);

	if (kind_name == NULL || !okr_kr_kind_lookup(kind_name, kind))
		return false;
	switch (*kind)
	{
		case OKR_KR_METRIC:
			return !sn && !tn && DatumGetInt32(DirectFunctionCall2(numeric_cmp, start, target)) != 0;
		case OKR_KR_AT_LEAST:
		case OKR_KR_AT_MOST:
			return !tn;
		case OKR_KR_MILESTONE:
			return !sn && !tn && okr_numeric_is(start, 0) && okr_numeric_is(target, 1);
		default:
			return false;		/* takes no check-ins */
	}
}

/*
 * The UPDATE of okr_apply_checkin_candidate written straight into the
 * heap: found by its primary key in the snapshot the UPDATE would take,
 * locked as the UPDATE locks it (waiting for a concurrent writer; under
 * READ COMMITTED then its latest version, under REPEATABLE READ a
 * serialization failure), the condition decided on the locked version,
 * current_progress derived as the guard derives it.  False when the
 * UPDATE must run instead (an unusual table or row, or a check-in at the
 * same moment as the key result's latest, which the UPDATE's subquery
 * decides); nothing was written then (the row may be locked).
 */
static bool
apply_checkin_candidate_direct(int64 key_result_id, Datum value, TimestampTz at)
{
	Oid			relid = get_relname_relid("key_result", get_namespace_oid("okr", false));
	Relation	rel;
	Oid			pk;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	found;
	ItemPointerData tid;
	TupleTableSlot *slot;
	TM_FailureData tmfd;
	TM_Result	res;
	HeapTuple	old,
				tup;
	TriggerData td;
	OkrKrKind	kind;
	bool		done = false;
	bool		decided = true;
	bool		at_null;
	Datum		last;
	int			cols[2];

	if (!OidIsValid(relid))
		return false;
	rel = table_open(relid, RowExclusiveLock);
	memset(&td, 0, sizeof(td));
	td.type = T_TriggerData;
	td.tg_event = TRIGGER_EVENT_UPDATE | TRIGGER_EVENT_ROW | TRIGGER_EVENT_BEFORE;
	td.tg_relation = rel;
	pk = RelationGetPrimaryKeyIndex(rel);
	if (OidIsValid(pk))
	{
		/* a btree on the bigint id, as okr made it */
		Relation	irel = index_open(pk, AccessShareLock);

		if (irel->rd_rel->relam != BTREE_AM_OID || irel->rd_index->indnkeyatts != 1 ||
			irel->rd_index->indkey.values[0] != okr_attnum_of(&td, "id") ||
			irel->rd_opcintype[0] != INT8OID)
			pk = InvalidOid;
		index_close(irel, NoLock);
	}
	if (rel->rd_rel->relkind != RELKIND_RELATION || !OidIsValid(pk) || !key_result_is_plain(rel))
	{
		table_close(rel, NoLock);
		return false;
	}
	cols[0] = okr_attnum_of(&td, "current_value");
	cols[1] = okr_attnum_of(&td, "last_checkin_at");

	/* as SPI_execute_plan does for the UPDATE */
	PushActiveSnapshot(GetTransactionSnapshot());
	CommandCounterIncrement();
	UpdateActiveSnapshotCommandId();

	ScanKeyInit(&key, okr_attnum_of(&td, "id"), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(key_result_id));
	scan = systable_beginscan(rel, pk, true, GetActiveSnapshot(), 1, &key);
	found = systable_getnext(scan);
	if (HeapTupleIsValid(found))
	{
		tid = found->t_self;
		last = heap_getattr(found, cols[1], RelationGetDescr(rel), &at_null);
		/* the UPDATE's condition on the version it scans first */
		if (!at_null && DatumGetTimestampTz(last) == at)
			decided = false;	/* the subquery decides: the UPDATE */
		else if (!at_null && DatumGetTimestampTz(last) > at)
			done = true;		/* a later check-in: the UPDATE skips the row */
	}
	else
		done = true;			/* deleted: the UPDATE finds nothing either */
	systable_endscan(scan);
	if (done || !decided)
	{
		PopActiveSnapshot();
		table_close(rel, NoLock);
		return decided;
	}

	slot = table_slot_create(rel, NULL);
	res = table_tuple_lock(rel, &tid, GetActiveSnapshot(), slot, GetCurrentCommandId(false),
						   LockTupleNoKeyExclusive, LockWaitBlock,
						   IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
						   &tmfd);
	switch (res)
	{
		case TM_Ok:
			break;
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent delete")));
			done = true;		/* gone meanwhile: nothing to update */
			break;
		case TM_Updated:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			/* FALLTHROUGH */
		default:
			/* (updated by this very command, or else unexpected) */
			ExecDropSingleTupleTableSlot(slot);
			PopActiveSnapshot();
			table_close(rel, NoLock);
			return false;
	}
	if (done)
	{
		ExecDropSingleTupleTableSlot(slot);
		PopActiveSnapshot();
		table_close(rel, NoLock);
		return true;
	}

	/* the UPDATE's condition again, on the version locked (its latest) */
	old = ExecFetchSlotHeapTuple(slot, true, NULL);
	last = heap_getattr(old, cols[1], RelationGetDescr(rel), &at_null);
	if (!at_null && DatumGetTimestampTz(last) == at)
	{
		/* the subquery decides: the UPDATE, which finds the row locked by us */
		ExecDropSingleTupleTableSlot(slot);
		PopActiveSnapshot();
		table_close(rel, NoLock);
		return false;
	}
	if (at_null || DatumGetTimestampTz(last) < at)
	{
		Datum		vals[2];
		bool		nulls[2] = {false, false};

		td.tg_trigtuple = old;
		if (!key_result_values_fit(&td, old, &kind))
		{
			ExecDropSingleTupleTableSlot(slot);
			PopActiveSnapshot();
			table_close(rel, NoLock);
			return false;
		}
		vals[0] = value;
		vals[1] = TimestampTzGetDatum(at);
		tup = heap_modify_tuple_by_cols(old, RelationGetDescr(rel), 2, cols, vals, nulls);
		td.tg_newtuple = tup;
		tup = okr_maint_current_progress(&td, tup, kind);
		okr_heap_update(rel, &slot->tts_tid, tup);
	}
	ExecDropSingleTupleTableSlot(slot);
	PopActiveSnapshot();
	table_close(rel, NoLock);
	return true;
}

/*
 * Only inserts: the newest inserted check-in becomes the latest unless one
 * is later (a back-dated check-in changes nothing); equal times fall to the
 * highest id.  One conditional UPDATE decides and writes; waiting for the
 * row re-evaluates the condition on the version committed meanwhile.
 */
static void
okr_apply_checkin_candidate(int64 key_result_id, Datum value, TimestampTz at,
							int64 checkin_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[4] = {INT8OID, NUMERICOID, TIMESTAMPTZOID, INT8OID};
	Datum		values[4];

	if (apply_checkin_candidate_direct(key_result_id, value, at))
		return;
	values[0] = Int64GetDatum(key_result_id);
	values[1] = value;
	values[2] = TimestampTzGetDatum(at);
	values[3] = Int64GetDatum(checkin_id);
	run_sync_plan(okr_spi_plan(&plan,
							   "UPDATE okr.key_result SET current_value = $2, last_checkin_at = $3"
							   " WHERE id = $1 AND (last_checkin_at IS NULL OR last_checkin_at < $3"
							   "   OR (last_checkin_at = $3 AND $4 > (SELECT max(c.id) FROM okr.checkin c"
							   "       WHERE c.key_result_id = $1 AND c.checked_at = $3 AND c.id <> $4)))",
							   4, argtypes),
				  values, NULL);
}

/* Add deltas to a project's effort counters (none if it is gone). */
static void
okr_apply_effort(int64 project_id, Datum dtotal, Datum ddone)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {INT8OID, NUMERICOID, NUMERICOID};
	Datum		values[3] = {Int64GetDatum(project_id), dtotal, ddone};

	run_sync_plan(okr_spi_plan(&plan,
							   "UPDATE okr.project_effort"
							   " SET effort_total = effort_total + $2, effort_done = effort_done + $3"
							   " WHERE project_id = $1",
							   3, argtypes),
				  values, NULL);
}

/*
 * A project's rows of okr.effort_ledger from its done tasks, after a
 * TRUNCATE of okr.task (which emptied the ledger, okr_truncate_sync).
 */
static void
okr_ledger_from_tasks(int64 project_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(project_id)};

	run_sync_plan(okr_spi_plan(&plan,
							   "INSERT INTO okr.effort_ledger (project_id, done_at, effort)"
							   " SELECT t.project_id, t.done_at, t.effort FROM okr.task t"
							   " WHERE t.project_id = $1 AND t.status = 'done' AND t.done_at IS NOT NULL",
							   1, argtypes),
				  values, NULL);
}

/*
 * Append the noted rows of okr.effort_ledger (insert.c: straight into the
 * heap, as an INSERT would; its guard is for writes by others).
 */
static void
okr_ledger_append(const Datum *projects, const Datum *done_at, const Datum *effort, int n)
{
	Oid			nsp = get_namespace_oid("okr", false);
	OkrInserter ins;
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			i;

	okr_inserter_open(&ins, get_relname_relid("effort_ledger", nsp));
	desc = RelationGetDescr(ins.rel);
	if (desc->natts != 3 || TupleDescAttr(desc, 0)->atttypid != INT8OID ||
		TupleDescAttr(desc, 1)->atttypid != TIMESTAMPTZOID ||
		TupleDescAttr(desc, 2)->atttypid != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("okr.effort_ledger no longer has the columns okr created it with"),
				 errhint("Drop and create the extension again, or restore its columns (project_id bigint, done_at timestamptz, effort double precision).")));
	for (i = 0; i < n; i++)
	{
		values[0] = projects[i];
		values[1] = done_at[i];
		values[2] = effort[i];
		okr_inserter_put(&ins, values, nulls);
	}
	okr_inserter_close(&ins);
}

/* Recount a project's effort from its tasks (after a TRUNCATE). */
static void
okr_recount_effort(int64 project_id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(project_id)};

	okr_run_plan(okr_spi_plan(&lock_plan,
						  "SELECT 1 FROM okr.project_effort WHERE project_id = $1 FOR NO KEY UPDATE",
						  1, argtypes),
			 values, NULL, 1);
	if (SPI_processed == 0)
		return;
	run_sync_plan(okr_spi_plan(&plan,
							   "UPDATE okr.project_effort e SET effort_total = s.total, effort_done = s.done"
							   " FROM (SELECT"
							   "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled'), 0) AS total,"
							   "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status = 'done'), 0) AS done"
							   "   FROM okr.task t WHERE t.project_id = $1) s"
							   " WHERE e.project_id = $1"
							   "   AND (e.effort_total <> s.total OR e.effort_done <> s.done)",
							   1, argtypes),
				  values, NULL);
}

/*
 * current_progress, for okr_key_result_guard (rules_key_result.c): the key result's progress at its current_value, kept on
 * every write so that the rollup need not score it again for any moment
 * after its latest check-in.  It is derived, so whatever a client writes
 * there is replaced.  NULL for kind projects (scored from its projects) and
 * while a value is not finite (the CHECK constraints then reject the row).
 */
HeapTuple
okr_maint_current_progress(TriggerData *td, HeapTuple tup, OkrKrKind kind)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			col = okr_attnum_of(td, "current_progress");
	bool		sn,
				tn,
				vn,
				oldnull;
	Datum		start = okr_get_col(td, tup, "start_value", &sn);
	Datum		target = okr_get_col(td, tup, "target_value", &tn);
	Datum		value = okr_get_col(td, tup, "current_value", &vn);
	Datum		old = heap_getattr(tup, col, desc, &oldnull);
	double		progress = 0.0;
	bool		isnull = true;
	Datum		d;

	/* an update that touches none of its inputs (a title, a weight) */
	if (td->tg_newtuple && tup == td->tg_newtuple &&
		!okr_col_changed(td, "kind") && !okr_col_changed(td, "start_value") &&
		!okr_col_changed(td, "target_value") && !okr_col_changed(td, "current_value") &&
		!okr_col_changed(td, "current_progress"))
		return tup;

	if (!OKR_KR_DERIVED(kind) &&
		(sn || (!numeric_is_nan(DatumGetNumeric(start)) && !numeric_is_inf(DatumGetNumeric(start)))) &&
		(tn || (!numeric_is_nan(DatumGetNumeric(target)) && !numeric_is_inf(DatumGetNumeric(target)))) &&
		(vn || (!numeric_is_nan(DatumGetNumeric(value)) && !numeric_is_inf(DatumGetNumeric(value)))) &&
		!(kind == OKR_KR_METRIC && !sn && !tn &&
		  DatumGetInt32(DirectFunctionCall2(numeric_cmp, start, target)) == 0))
		isnull = !okr_kr_progress_numeric(kind, start, sn, target, tn, value, vn,
										  &progress, NULL);
	if (isnull == oldnull && (isnull || DatumGetFloat8(old) == progress))
		return tup;
	d = Float8GetDatum(progress);
	return heap_modify_tuple_by_cols(tup, desc, 1, &col, &d, &isnull);
}

/* ---------------------------------------------------------------------
 * The flush
 * --------------------------------------------------------------------- */

static int
note_cmp(const void *a, const void *b)
{
	const Note *x = *(Note *const *) a;
	const Note *y = *(Note *const *) b;

	if (x->key.kind != y->key.kind)
		return x->key.kind < y->key.kind ? -1 : 1;
	if (x->key.id != y->key.id)
		return x->key.id < y->key.id ? -1 : 1;
	return 0;
}

static Datum
to_numeric(int64 i, Datum n)
{
	Datum		d = DirectFunctionCall1(int8_numeric, Int64GetDatum(i));

	return n == (Datum) 0 ? d : DirectFunctionCall2(numeric_add, d, n);
}

/* Apply the merged notes of one key result. */
static void
flush_key_result(int64 id, Note *merged)
{
	if (merged->recompute || !merged->has_candidate)
	{
		okr_sync_current_value(id);
		return;
	}
	okr_apply_checkin_candidate(id, merged->cand_value, merged->cand_at,
								merged->cand_id);
}

static void
flush_project(int64 id, Note *merged)
{
	if (merged->recompute)
	{
		okr_recount_effort(id);
		okr_ledger_from_tasks(id);
		return;
	}
	if (merged->itotal == 0 && merged->idone == 0 &&
		merged->ntotal == (Datum) 0 && merged->ndone == (Datum) 0)
		return;
	okr_apply_effort(id, to_numeric(merged->itotal, merged->ntotal),
					 to_numeric(merged->idone, merged->ndone));
}

/*
 * Apply every note, in (kind, id) order; called inside SPI by the deferred
 * trigger okr_90_maintain (below).  The notes are taken out of the
 * table first (the updates below fire triggers of their own) and kept as
 * applied by this subtransaction (see the header).
 */
static void
okr_maint_flush(void)
{
	HASH_SEQ_STATUS seq;
	Note	   *n;
	Note	  **all;
	long		count,
				i,
				j,
				nledger;
	Datum	   *lp = NULL,
			   *ld = NULL,
			   *le = NULL;
	SubTransactionId subid = GetCurrentSubTransactionId();
	MemoryContext cxt;
	MemoryContext old;

	if (!okr_maint_pending())
		return;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "okr flush",
								ALLOCSET_DEFAULT_SIZES);
	count = hash_get_num_entries(notes);
	all = MemoryContextAlloc(cxt, sizeof(Note *) * count);
	i = 0;
	hash_seq_init(&seq, notes);
	while ((n = hash_seq_search(&seq)) != NULL)
	{
		/* its numerics are in maint_cxt already, which outlives the table */
		Applied    *a = MemoryContextAlloc(maint_cxt, sizeof(Applied));

		a->note = *n;
		a->applied_in = subid;
		a->next = applied;
		applied = a;
		all[i++] = &a->note;
	}
	/* forget them before running anything */
	hash_destroy(notes);
	notes = NULL;

	old = MemoryContextSwitchTo(cxt);
	qsort(all, count, sizeof(Note *), note_cmp);

	nledger = 0;
	for (i = 0; i < count; i++)
		nledger += all[i]->nledger;
	if (nledger > 0)
	{
		lp = palloc(nledger * sizeof(Datum));
		ld = palloc(nledger * sizeof(Datum));
		le = palloc(nledger * sizeof(Datum));
	}
	nledger = 0;
	for (i = 0; i < count; i = j)
	{
		Note		merged = *all[i];

		/* merge the notes of one item from several subtransactions */
		for (j = i + 1; j < count && note_cmp(&all[i], &all[j]) == 0; j++)
			merge_note(&merged, all[j]);
		if (merged.key.kind == NOTE_KEY_RESULT)
			flush_key_result(merged.key.id, &merged);
		else
		{
			flush_project(merged.key.id, &merged);
			/* a recount rebuilt its ledger rows from its tasks */
			for (long k = i; k < j && !merged.recompute; k++)
				for (int e = 0; e < all[k]->nledger; e++)
				{
					lp[nledger] = Int64GetDatum(merged.key.id);
					ld[nledger] = TimestampTzGetDatum(all[k]->ledger[e].done_at);
					le[nledger] = Float8GetDatum(all[k]->ledger[e].effort);
					nledger++;
				}
		}
	}
	/* (1.0's tables, before the update, have no ledger) */
	if (nledger > 0 && okr_has_effort_ledger())
		okr_ledger_append(lp, ld, le, (int) nledger);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/* ---------------------------------------------------------------------
 * Trigger entry points and okr.refresh_maintained()
 * --------------------------------------------------------------------- */

/*
 * okr_90_maintain: DEFERRABLE INITIALLY DEFERRED constraint trigger on
 * checkin and task.  It is queued for every row, so it runs whichever
 * subtransactions survive; the first call at commit applies every note
 * (maintain.c) and the others find nothing left.
 */
PG_FUNCTION_INFO_V1(okr_maintain);

Datum
okr_maintain(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_maintain", NULL, true);
	OkrSpiState st;

	if (!okr_maint_pending())
		return PointerGetDatum(NULL);
	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	okr_maint_flush();
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* TRUNCATE fires no row triggers: reset what the rows were maintaining. */
PG_FUNCTION_INFO_V1(okr_truncate_sync);

Datum
okr_truncate_sync(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr truncated_plan = NULL;
	TriggerData *td = okr_trigger_data(fcinfo, "okr_truncate_sync", NULL, false);
	const char *table = RelationGetRelationName(td->tg_relation);
	const char *sql;
	OkrSpiState st;

	if (strcmp(table, "checkin") == 0)
	{
		sql = "UPDATE okr.key_result SET current_value = NULL, last_checkin_at = NULL"
			" WHERE current_value IS NOT NULL OR last_checkin_at IS NOT NULL";
		okr_maint_recompute_all(true);
	}
	else if (strcmp(table, "task") == 0)
	{
		sql = "UPDATE okr.project_effort SET effort_total = 0, effort_done = 0"
			" WHERE effort_total <> 0 OR effort_done <> 0";
		okr_maint_recompute_all(false);
	}
	else
		sql = "DELETE FROM okr.project_effort";

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	(void) run_sync(NULL, sql, NULL, NULL);
	/* no task is done any more (1.0's tables, before the update, have no ledger) */
	if (strcmp(table, "task") == 0 && okr_has_effort_ledger())
		(void) run_sync(NULL, "DELETE FROM okr.effort_ledger", NULL, NULL);
	/* its versions outlive its rows (see okr.history_truncated) */
	if (okr_has_effort_ledger())
	{
		Oid			argtypes[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(table)};

		okr_run_plan(okr_spi_plan(&truncated_plan,
								  "INSERT INTO okr.history_truncated (table_name, truncated_at)"
								  " VALUES ($1, pg_catalog.now()) ON CONFLICT (table_name)"
								  " DO UPDATE SET truncated_at = EXCLUDED.truncated_at",
								  1, argtypes),
					 values, NULL, 0);
	}
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/*
 * okr.project AFTER ROW INSERT OR DELETE: its row in okr.project_effort.
 * A new project has no tasks yet (they reference it), so it starts at 0.
 */
PG_FUNCTION_INFO_V1(okr_project_sync);

Datum
okr_project_sync(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr insert_plan = NULL;
	static SPIPlanPtr delete_plan = NULL;
	TriggerData *td = okr_trigger_data(fcinfo, "okr_project_sync", "project", true);
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(okr_get_id(td, td->tg_trigtuple, "id"))};
	OkrSpiState st;

	okr_spi_enter(&st, td->tg_relation->rd_rel->relowner);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		run_sync_plan(okr_spi_plan(&insert_plan,
								   "INSERT INTO okr.project_effort (project_id) VALUES ($1)"
								   " ON CONFLICT (project_id) DO NOTHING",
								   1, argtypes),
					  values, NULL);
	else
		run_sync_plan(okr_spi_plan(&delete_plan,
								   "DELETE FROM okr.project_effort WHERE project_id = $1",
								   1, argtypes),
					  values, NULL);
	okr_spi_leave(&st);
	return PointerGetDatum(NULL);
}

/* okr.project_effort BEFORE ROW: written by okr only (428C9 otherwise). */
PG_FUNCTION_INFO_V1(okr_effort_guard);

Datum
okr_effort_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = okr_trigger_data(fcinfo, "okr_effort_guard", "project_effort", true);

	if (!okr_syncing_current_value)
		ereport(ERROR,
				(errcode(ERRCODE_GENERATED_ALWAYS),
				 errmsg("okr.project_effort is maintained from the tasks"),
				 errhint("Write okr.task; to rebuild the sums call okr.refresh_maintained().")));
	return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple);
}

/*
 * okr.effort_ledger BEFORE ROW, and BEFORE TRUNCATE: written by okr only
 * (428C9).
 */
PG_FUNCTION_INFO_V1(okr_ledger_guard);

Datum
okr_ledger_guard(PG_FUNCTION_ARGS)
{
	bool		truncate = CALLED_AS_TRIGGER(fcinfo) &&
		TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event);
	TriggerData *td = okr_trigger_data(fcinfo, "okr_ledger_guard", "effort_ledger", !truncate);

	if (!okr_syncing_current_value)
		ereport(ERROR,
				(errcode(ERRCODE_GENERATED_ALWAYS),
				 errmsg("okr.effort_ledger is maintained from the tasks"),
				 errhint("Write okr.task; to rebuild it call okr.refresh_maintained().")));
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		return PointerGetDatum(NULL);
	return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple);
}

/* ---------------------------------------------------------------------
 * okr.refresh_maintained(): recompute every maintained column from the rows
 * themselves.  For bulk loads done with triggers off (session_replication_role
 * = replica), and as the reference the benchmark compares against.  Returns
 * the number of rows it had to correct, and warns about each row that breaks
 * a rule (okr.check_integrity()), which it cannot correct.
 * --------------------------------------------------------------------- */

/*
 * okr.effort_ledger against the done tasks, (project, done_at) by
 * (project, done_at): the projects whose rows do not sum to their tasks'
 * efforts (counted as corrected), or that hold more rows than tasks (rows
 * that cancel out, folded), get their rows again from their tasks.
 */
static uint64
refresh_ledger(void)
{
	static SPIPlanPtr delete_plan = NULL;
	static SPIPlanPtr insert_plan = NULL;
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		values[1];
	bool		isnull;
	uint64		wrong;

	if (!okr_has_effort_ledger())
		return 0;
	if (SPI_execute("WITH l AS (SELECT project_id, done_at, sum(effort::numeric) AS s, count(*) AS n"
					"   FROM okr.effort_ledger GROUP BY project_id, done_at),"
					" t AS (SELECT project_id, done_at, sum(effort::numeric) AS s, count(*) AS n"
					"   FROM okr.task WHERE status = 'done' AND done_at IS NOT NULL"
					"   GROUP BY project_id, done_at),"
					" g AS (SELECT COALESCE(l.project_id, t.project_id) AS p,"
					"   COALESCE(l.s, 0) <> COALESCE(t.s, 0) AS wrong, COALESCE(l.n, 0) > COALESCE(t.n, 0) AS loose"
					"   FROM l FULL JOIN t ON t.project_id = l.project_id AND t.done_at = l.done_at)"
					" SELECT count(*) FILTER (WHERE wrong), array_agg(DISTINCT p) FILTER (WHERE wrong OR loose) FROM g",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "okr: could not compare okr.effort_ledger with the tasks");
	wrong = (uint64) DatumGetInt64(okr_result_datum(0, 1, INT8OID, &isnull));
	values[0] = okr_result_datum(0, 2, INT8ARRAYOID, &isnull);
	if (isnull)
		return wrong;
	values[0] = PointerGetDatum(DatumGetArrayTypePCopy(values[0]));
	run_sync_plan(okr_spi_plan(&delete_plan,
							   "DELETE FROM okr.effort_ledger WHERE project_id = ANY ($1)",
							   1, argtypes),
				  values, NULL);
	run_sync_plan(okr_spi_plan(&insert_plan,
							   "INSERT INTO okr.effort_ledger (project_id, done_at, effort)"
							   " SELECT t.project_id, t.done_at, t.effort FROM okr.task t"
							   " WHERE t.project_id = ANY ($1) AND t.status = 'done' AND t.done_at IS NOT NULL",
							   1, argtypes),
				  values, NULL);
	return wrong;
}

PG_FUNCTION_INFO_V1(okr_refresh_maintained);

Datum
okr_refresh_maintained(PG_FUNCTION_ARGS)
{
	OkrSpiState st;
	uint64		fixed = 0;

	okr_spi_enter(&st, InvalidOid);	/* as the caller: needs UPDATE rights */
	fixed += run_sync(NULL,
					  "UPDATE okr.key_result k SET current_value = l.value, last_checkin_at = l.checked_at"
					  " FROM okr.key_result k2 LEFT JOIN LATERAL ("
					  "   SELECT c.value, c.checked_at FROM okr.checkin c WHERE c.key_result_id = k2.id"
					  "   ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) l ON true"
					  " WHERE k2.id = k.id AND (k.current_value IS DISTINCT FROM l.value"
					  "   OR k.last_checkin_at IS DISTINCT FROM l.checked_at)",
					  NULL, NULL);
	/* the guard recomputes current_progress on any update of the row */
	fixed += run_sync(NULL,
					  "UPDATE okr.key_result k SET kind = k.kind"
					  /* kr_progress refuses this rule-3 break: reported below */
					  " WHERE CASE WHEN k.kind = 'metric' AND k.start_value = k.target_value THEN false"
					  "   ELSE k.current_progress IS DISTINCT FROM"
					  "     okr.kr_progress(k.kind, k.start_value, k.target_value, k.current_value) END",
					  NULL, NULL);
	/* a row in project_effort for every project, and for nothing else */
	fixed += run_sync(NULL,
					  "DELETE FROM okr.project_effort e"
					  " WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = e.project_id)",
					  NULL, NULL);
	fixed += run_sync(NULL,
					  "INSERT INTO okr.project_effort (project_id)"
					  " SELECT p.id FROM okr.project p"
					  " WHERE NOT EXISTS (SELECT FROM okr.project_effort e WHERE e.project_id = p.id)",
					  NULL, NULL);
	fixed += run_sync(NULL,
					  "UPDATE okr.project_effort e SET effort_total = s.total, effort_done = s.done"
					  " FROM (SELECT p.id,"
					  "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled'), 0) AS total,"
					  "   coalesce(sum(t.effort::numeric) FILTER (WHERE t.status = 'done'), 0) AS done"
					  "   FROM okr.project p LEFT JOIN okr.task t ON t.project_id = p.id GROUP BY p.id) s"
					  " WHERE s.id = e.project_id AND (e.effort_total <> s.total OR e.effort_done <> s.done)",
					  NULL, NULL);
	fixed += refresh_ledger();
	/* what it cannot fix: rows that break a rule, one warning each */
	if (SPI_execute("SELECT item, id, rule, problem FROM okr.check_integrity()"
					" ORDER BY item, id, rule, problem LIMIT 101", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: could not run okr.check_integrity()");
	for (uint64 i = 0; i < SPI_processed && i < 100; i++)
		ereport(WARNING,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("okr.%s %s breaks %s: %s, which okr.refresh_maintained() cannot fix",
						okr_result_text(i, 1), okr_result_text(i, 2), okr_result_text(i, 3), okr_result_text(i, 4)),
				 errhint("Correct the row by hand; okr.check_integrity() lists every such row.")));
	if (SPI_processed > 100)
		ereport(WARNING,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("okr: more rows break okr's rules than the 100 reported"),
				 errhint("okr.check_integrity() lists every such row.")));
	okr_spi_leave(&st);
	PG_RETURN_INT64((int64) fixed);
}
