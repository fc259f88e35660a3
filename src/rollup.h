/*
 * rollup.h
 *	  The rollup's organisation in memory (rollup.c), shared with explain.c
 *	  and forecast.c: the rows of one moment, linked by index, and the
 *	  figures computed on them.  They read what rollup.c loaded and
 *	  computed; the rules of what a parent counts are written once, below,
 *	  and rollup_compute() uses them.
 */
#ifndef OKR_ROLLUP_H
#define OKR_ROLLUP_H

#include "okr.h"
#include "utils/hsearch.h"

/* item states, shared by every level */
typedef enum RState
{
	RS_ACTIVE,
	RS_DRAFT,
	RS_CLOSED,
	RS_CANCELLED,
	RS_PLANNED,
	RS_DONE
} RState;

typedef struct RCycle
{
	int64		id;
	DateADT		starts_on;
	DateADT		ends_on;
	double		expected;
	bool		started;
} RCycle;

typedef struct RObjective
{
	int64		id;
	int64		parent_id;		/* valid when has_parent: any bigint is an id */
	bool		has_parent;
	int64		parent_kr_id;	/* aligned to a key result instead (SPEC 1b) */
	bool		has_parent_kr;
	int			via_kr;			/* index of that key result, -1 if none loaded */
	int			next_aligned;	/* next objective aligned to the same key result */
	int64		cycle_id;
	int			cycle;			/* index into cycles, -1 if not loaded */
	int			parent;			/* index, -1 for a root of the loaded set */
	int			first_child;
	int			next_sibling;
	int			first_kr;
	double		weight;
	bool		use_krs;
	bool		use_children;
	RState		state;
	/* results */
	bool		progress_null;
	double		progress;
	double		expected;		/* of the items counted, or of its cycle */
	bool		expected_null;	/* its cycle is invisible to the caller */
	double		done_effort;
	double		total_effort;
	/* the mean of its counted items: sum of (weight / wmax) (explain.c) */
	double		counted_w;
	double		wmax;
	Datum		title;			/* Rollup.explain_loaded: its title, 0 if NULL */
} RObjective;

typedef struct RKeyResult
{
	int64		id;
	int64		objective_id;
	int			objective;
	int			next_kr;
	int			first_project;
	int			first_aligned;	/* objectives aligned to it */
	OkrKrKind	kind;
	RState		state;
	double		weight;
	bool		progress_null;	/* kind objectives with none counted */
	double		progress;
	double		expected;
	bool		expected_null;
	double		done_effort;
	double		total_effort;
	/* kinds projects and objectives: the mean of the items counted, as above */
	double		counted_w;
	double		wmax;
	/* history only: values to re-score the key result as check-ins come */
	Datum		start;
	Datum		target;
	bool		start_null;
	bool		target_null;
	/* Rollup.explain_loaded: its title, and the maintained last_checkin_at */
	Datum		title;
	bool		last_checkin_null;
	TimestampTz last_checkin_at;
} RKeyResult;

typedef struct RProject
{
	int64		id;
	int64		key_result_id;
	int			key_result;
	int			next_project;
	RState		state;
	double		weight;
	double		progress;
	double		done_effort;
	double		total_effort;
	/* the effort is okr.project_effort's, nothing adjusted (okr_rollup_at_from) */
	bool		effort_maintained;
	Datum		title;			/* Rollup.explain_loaded: its name, 0 if NULL */
} RProject;



/* ---------------------------------------------------------------------
 * Loading
 * --------------------------------------------------------------------- */

/*
 * id -> array index.  Ids come from identity columns and are dense, so a
 * plain array over [min, max] usually serves; a hash table takes over when
 * they are too sparse for that.
 */
typedef struct IdMap
{
	int64		min_id;
	uint64		range;			/* ids min_id .. min_id + range - 1 */
	int		   *direct;
	HTAB	   *hash;
} IdMap;

typedef struct IdEntry
{
	int64		id;
	int			index;
} IdEntry;

/*
 * The item and status strings are a handful of constants: build each text
 * datum once per call rather than once per row.
 */
typedef struct TextCache
{
	int			n;
	const char *keys[32];
	Datum		values[32];
} TextCache;


typedef struct Rollup
{
	TimestampTz as_of;
	/*
	 * As it was (SPEC 7): the organisation at as_of as known at known_at
	 * (DT_NOEND: as known now), from the history tables.  Off for as_of at
	 * or after the transaction's start known now, where the tables are it.
	 */
	bool		past;
	TimestampTz known_at;
	bool		keep_values;	/* history: keep start/target for re-scoring */
	bool		keep_targets;	/* forecast: keep start/target, scored as usual */
	int		   *order;			/* objectives, parents before children */
	int			norder;
	int			ncycles;
	RCycle	   *cycles;
	int			nobjectives;
	RObjective *objectives;
	int			nkrs;
	RKeyResult *krs;
	int			nprojects;
	RProject   *projects;
	/* history only: id -> index of key results and projects, for the events */
	IdMap		kr_map;
	IdMap		project_map;
	TextCache	texts;			/* datums of this call's item and status names */
	/*
	 * okr.explain: the load's own scans also bring what explain shows of
	 * every row (the title fields above), when they read the whole
	 * organisation from its tables as they are now, without notes pending;
	 * explain_loaded says they did (else explain reads them itself).
	 */
	bool		explain;
	bool		explain_loaded;
} Rollup;

/*
 * Why an item is left out of its parent's mean (SPEC 3 and 1b), checked in
 * this order: its own state, its weight, its progress, then the parent's
 * rollup or kind.  rollup_compute() counts exactly the items these return
 * RR_COUNTED for, and okr.explain reports the others with the reason.
 */
typedef enum RollupReason
{
	RR_COUNTED,
	RR_STATE,					/* draft or cancelled: the state names it */
	RR_ZERO_WEIGHT,
	RR_NOT_SCORED,				/* progress NULL */
	RR_PARENT_ROLLUP,			/* the objective's rollup leaves its kind out */
	RR_PARENT_KIND				/* a key result of another kind: not from them */
} RollupReason;

/* a key result in its objective's progress */
static inline RollupReason
rollup_kr_reason(const RObjective *o, const RKeyResult *k)
{
	if (k->state != RS_ACTIVE)
		return RR_STATE;
	if (!(k->weight > 0))
		return RR_ZERO_WEIGHT;
	if (k->progress_null)
		return RR_NOT_SCORED;
	if (!o->use_krs)
		return RR_PARENT_ROLLUP;
	return RR_COUNTED;
}

/* an objective in its parent's progress, or in its key result's (aligned) */
static inline RollupReason
rollup_child_reason(const RObjective *ch, bool parent_counts)
{
	if (ch->state != RS_ACTIVE && ch->state != RS_CLOSED)
		return RR_STATE;
	if (!(ch->weight > 0))
		return RR_ZERO_WEIGHT;
	if (ch->progress_null)
		return RR_NOT_SCORED;
	return parent_counts ? RR_COUNTED : RR_PARENT_ROLLUP;
}

/* a child objective of o, aligned to o itself */
#define rollup_objective_child_reason(o, ch) rollup_child_reason((ch), (o)->use_children)

/* an objective aligned to key result k: counted by kind objectives only */
static inline RollupReason
rollup_aligned_reason(const RKeyResult *k, const RObjective *ch)
{
	RollupReason r = rollup_child_reason(ch, true);

	return r == RR_COUNTED && k->kind != OKR_KR_OBJECTIVES ? RR_PARENT_KIND : r;
}

/* a project in its key result's progress: counted by kind projects only */
static inline RollupReason
rollup_project_reason(const RKeyResult *k, const RProject *p)
{
	if (p->state == RS_CANCELLED)
		return RR_STATE;
	if (!(p->weight > 0))
		return RR_ZERO_WEIGHT;
	if (k->kind != OKR_KR_PROJECTS)
		return RR_PARENT_KIND;
	return RR_COUNTED;
}

/* What one output row says of an item, for okr.progress and its history. */
typedef struct ItemFigures
{
	const char *item;
	int64		id;
	const char *parent_item;	/* NULL: a root */
	int64		parent_id;
	const int64 *cycle_id;		/* NULL when the parent holding it is invisible */
	bool		progress_null;
	double		progress;
	double		done;
	double		total;
	bool		expected_null;
	double		expected;
	const char *status;
} ItemFigures;

/* ---- rollup.c, for explain.c (inside SPI, as the owner: see okr_rollup_objective) */
extern const char *okr_rollup_state_name(RState state);
/* The call's text datum for a constant string s: one per string, not per row. */
extern Datum okr_rollup_text(TextCache *tc, const char *s);
/*
 * Roll up what objective_id's figure needs at (as_of, known_at), as
 * okr.objective_progress does (its subtree, or the whole organisation as it
 * was); returns the objective's index in r->objectives.  An objective
 * that does not exist then, or that acc may not read, is P0002.
 */
extern int	okr_rollup_objective(Rollup *r, MemoryContext cxt, OkrAccess *acc,
								 int64 objective_id, TimestampTz as_of,
								 bool known_null, TimestampTz known_at);
extern void okr_rollup_objective_figures(Rollup *r, int i, ItemFigures *f);
extern void okr_rollup_kr_figures(Rollup *r, int i, ItemFigures *f);
extern void okr_rollup_project_figures(Rollup *r, int i, ItemFigures *f);

/* ---- rollup.c, for forecast.c (inside SPI, as the owner) */
/*
 * Roll up the whole organisation at (as_of, known_at), as okr.progress
 * does, every row loaded (the caller leaves out what acc hides).
 */
extern void okr_rollup_at(Rollup *r, MemoryContext cxt, TimestampTz as_of,
						  bool known_null, TimestampTz known_at);

/* ---- rollup.c, for changes.c (inside SPI, as the owner) */
/*
 * The same at an earlier moment (as_of <= later->as_of, the same known_at)
 * from later, rolled up by okr_rollup_at: only what differs is read again.
 */
extern void okr_rollup_at_from(Rollup *r, const Rollup *later, MemoryContext cxt,
							   TimestampTz as_of, bool known_null, TimestampTz known_at);

#endif							/* OKR_ROLLUP_H */
