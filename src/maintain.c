/*
 * maintain.c
 *	  Commit-time maintenance of the derived figures: key_result.current_value
 *	  (with last_checkin_at and current_progress) and okr.project_effort.
 *
 * The row triggers on checkin and task (triggers.c) only note here what
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

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

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

			merge_note(note_for_key(&a->note.key), &a->note);
			MemoryContextSwitchTo(old);
		}
	}
}

static Note *
note_for_key(const NoteKey *key)
{
	Note	   *n;
	bool		found;

	if (!callbacks_registered)
	{
		RegisterXactCallback(maint_xact_callback, NULL);
		RegisterSubXactCallback(maint_subxact_callback, NULL);
		callbacks_registered = true;
	}
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

/* Fold another note of the same item into one. */
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

/* TRUNCATE: every noted item of that kind must be read afresh. */
void
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
 * trigger okr_90_maintain (triggers.c).  The notes are taken out of the
 * table first (the updates below fire triggers of their own) and kept as
 * applied by this subtransaction (see the header).
 */
void
okr_maint_flush(void)
{
	HASH_SEQ_STATUS seq;
	Note	   *n;
	Note	  **all;
	long		count,
				i,
				j;
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

	for (i = 0; i < count; i = j)
	{
		Note		merged = *all[i];

		/* merge the notes of one item from several subtransactions */
		for (j = i + 1; j < count && note_cmp(&all[i], &all[j]) == 0; j++)
			merge_note(&merged, all[j]);
		if (merged.key.kind == NOTE_KEY_RESULT)
			flush_key_result(merged.key.id, &merged);
		else
			flush_project(merged.key.id, &merged);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
