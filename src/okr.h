/*
 * okr.h
 *	  How the pieces of the okr extension fit together.
 *
 *	  guc.c        settings: okr.on_track_ratio, okr.at_risk_ratio, okr.stale_after,
 *	               ..., and the pinned moments okr.as_of and okr.known_at with
 *	               their functions okr.as_of() and okr.known_at()
 *	  progress.c   pure maths of SPEC 3: key-result progress, expected progress,
 *	               status and grade (no table access)
 *	  aggregate.c  okr.weighted_progress aggregate with a combine function
 *	  spi_util.c   entering and leaving SPI with a pinned search_path, and
 *	               optionally as the owner of the okr tables (as RI triggers do)
 *	  trigger_util.c  what the trigger functions share: where a trigger may
 *	               fire, its rows' columns read by name and type, cached SPI
 *	               plans, and rows that a pg_dump restore brings back
 *	               (trigger_util.h)
 *	  rules_hierarchy.c  rules 1 and 2 of SPEC 2 on cycle, team and objective
 *	               (the structure lock, cycles and depth, cycle covers), and
 *	               rule 5 when a cycle's dates or an objective's cycle move
 *	  rules_parents.c  rule 6: a new child locks its parents FOR KEY SHARE and
 *	               finds them open
 *	  rules_key_result.c  key results and check-ins: rules 3 to 6
 *	  rules_task.c projects and tasks: rules 6 and 7, effort deltas
 *	  maintain.c   the maintained figures (current_value, last_checkin_at,
 *	               current_progress, okr.project_effort) and every write of
 *	               them: the rule triggers note what moved, the deferred
 *	               trigger okr_90_maintain applies the notes at commit in id
 *	               order; also the TRUNCATE sync, okr.refresh_maintained()
 *	               and the guard of okr.project_effort
 *	  rollup.c     okr.progress(), okr.objective_progress() and
 *	               okr.progress_history(): hierarchical progress as of any
 *	               moment (or over a range of moments), of the organisation
 *	               as it was then (from the history tables), built from progress.c;
 *	               reads as the owner, shows only what access.c lets the
 *	               caller read
 *	  explain.c    okr.explain(): one objective's figure item by item, from
 *	               the organisation rollup.c loaded and computed (rollup.h:
 *	               its structures and the rules of what a parent counts),
 *	               with the titles and check-ins of the items shown
 *	  access.c     access by team (SPEC 9): the caller's read and write scope
 *	               from okr.access_grant, and the functions of the row-level
 *	               security policies
 *	  rules_access.c  the write-scope trigger of every okr table
 *	  goal_lookup.c  the objective above a key result or a project (team,
 *	               private flag) read through the primary keys, for
 *	               rules_access.c's accepted writes and access.c's
 *	               single-row answers
 *	  forecast.c   okr.forecast(): where every item will land at the end of its
 *	               cycle, on the organisation rollup.c loaded and computed
 *	               (rollup.h) and one pass over the check-ins for the
 *	               least-squares lines; reads as the owner, shows what
 *	               access.c lets the caller read
 *	  bar.c        okr.bar(): progress drawn as text
 *	  history.c    the deferred trigger that writes every committed version
 *	               into okr.<table>_history (SPEC 7); rollup.c reads them
 *	               back for the organisation as it was
 *	  insert.c     rows okr writes into its own tables at commit (versions,
 *	               the effort ledger), straight into the heap and indexes
 *
 *	  schema.c     which version of okr's tables this database has (one
 *	               okr.so serves a database until ALTER EXTENSION UPDATE)
 *	  run_as.c     running a user's query as its run_as role, pinned, in a
 *	               subtransaction of its own (SPEC 6)
 *	  sources.c    key results measured by queries: okr.sample, okr.backfill
 *	               and the guard of okr.key_result_source
 *	  feeds.c      tasks synced from the user's tables: okr.sync_tasks and
 *	               the guard of okr.task_feed
 *
 *	  okr.c holds the module magic and _PG_init.
 *
 *	  No two files call each other: trigger_util.c calls only spi_util.c;
 *	  maintain.c calls trigger_util.c, spi_util.c and progress.c; the rule
 *	  files call those and, one way, each other (the other three call
 *	  rules_parents.c, rules_key_result.c calls rules_hierarchy.c); rollup.c
 *	  asks maintain.c only okr_maint_pending(); explain.c calls rollup.c,
 *	  access.c and spi_util.c (rollup.c never calls it); sources.c and feeds.c call
 *	  run_as.c, spi_util.c, access.c (the caller's scope) and (for their
 *	  guards) trigger_util.c only; forecast.c calls rollup.c (which never
 *	  calls it), guc.c, spi_util.c, access.c and progress.c; bar.c nothing;
 *	  history.c calls spi_util.c, access.c, trigger_util.c and insert.c
 *	  only; maintain.c also insert.c; insert.c and goal_lookup.c call nothing of okr's.
 */
#ifndef OKR_H
#define OKR_H

#include "postgres.h"
#include "fmgr.h"
#include "access/htup.h"
#include "executor/spi.h"
#include "utils/date.h"
#include "utils/timestamp.h"

/* ---- SQLSTATEs of the link rules (class 23: integrity constraint violation) */
#define ERRCODE_OKR_HIERARCHY_CYCLE		MAKE_SQLSTATE('2','3','O','0','1')	/* rule 1 */
#define ERRCODE_OKR_CYCLE_NOT_COVERED	MAKE_SQLSTATE('2','3','O','0','2')	/* rule 2 */
#define ERRCODE_OKR_KIND_MISMATCH		MAKE_SQLSTATE('2','3','O','0','3')	/* rule 3 */
/* rule 4: direct writes to current_value use ERRCODE_GENERATED_ALWAYS (428C9) */
#define ERRCODE_OKR_OUTSIDE_CYCLE		MAKE_SQLSTATE('2','3','O','0','5')	/* rule 5 */
#define ERRCODE_OKR_PARENT_INACTIVE		MAKE_SQLSTATE('2','3','O','0','6')	/* rule 6 */
#define ERRCODE_OKR_DONE_AT_INVALID		MAKE_SQLSTATE('2','3','O','0','7')	/* rule 7 */

/* ---- insert.c: rows okr writes into its own tables, straight into the heap */
typedef struct OkrInserter
{
	Relation	rel;
	struct EState *estate;
	struct ResultRelInfo *rri;
	struct TupleTableSlot *slot;
} OkrInserter;
extern void okr_inserter_open(OkrInserter *ins, Oid relid);
extern void okr_inserter_put(OkrInserter *ins, Datum *values, bool *nulls);
extern void okr_inserter_close(OkrInserter *ins);
/* A new version of a row this transaction locked, heap and indexes. */
extern void okr_heap_update(Relation rel, ItemPointer tid, HeapTuple tup);

/* ---- goal_lookup.c: the objective above a row, through the primary keys */
typedef enum OkrGoalLevel
{
	OKR_GOAL_OBJECTIVE,			/* id is the objective's own */
	OKR_GOAL_KEY_RESULT,		/* id is a key result's */
	OKR_GOAL_PROJECT			/* id is a project's */
} OkrGoalLevel;
typedef struct OkrGoalAbove
{
	int64		objective_id;
	bool		has_team;
	int64		team_id;
	bool		private;
} OkrGoalAbove;
/*
 * The objective above key result or project id (or objective id), as a
 * query run now through SPI would see it: not read-only when may_write (a
 * new snapshot, the command counter advanced), else in the active
 * snapshot.  False: not found, or something unusual (ask SPI then).
 */
extern bool okr_goal_above(OkrGoalLevel from, int64 id, bool may_write,
						   OkrGoalAbove *above);

/* ---- schema.c: the version of okr's tables in this database */
extern bool okr_has_key_result_alignment(void);
extern bool okr_has_effort_ledger(void);

/* ---- guc.c */
extern double okr_on_track_ratio;
extern double okr_at_risk_ratio;
extern Interval okr_stale_after_interval;	/* okr.stale_after, parsed */
extern int	okr_max_depth;			/* levels of any hierarchy (rule 1's walks) */
extern int	okr_history_max_rows;	/* rows of one progress_history call */
extern int	okr_source_timeout_ms;	/* okr.source_timeout: one source query */
extern void okr_define_gucs(void);
/* The moment okr.known_at pins (false: none, as known now); a bad one is 22007. */
extern bool okr_known_at_pinned(TimestampTz *t);

/* ---- progress.c: key-result kinds */
typedef enum OkrKrKind
{
	OKR_KR_METRIC,
	OKR_KR_AT_LEAST,
	OKR_KR_AT_MOST,
	OKR_KR_MILESTONE,
	OKR_KR_PROJECTS,
	OKR_KR_OBJECTIVES			/* new in 1.1: from the objectives aligned to it */
} OkrKrKind;

/* Kinds scored from what lies below them, which take no check-ins. */
#define OKR_KR_DERIVED(k) ((k) == OKR_KR_PROJECTS || (k) == OKR_KR_OBJECTIVES)

/* Parse a kind name; raises 22023 for an unknown one. */
extern OkrKrKind okr_parse_kr_kind(const char *kind);
/* Look a kind name up; false for an unknown one (the one parser of kinds). */
extern bool okr_kr_kind_lookup(const char *name, OkrKrKind *kind);
extern const char *okr_kr_kind_name(OkrKrKind kind);

/*
 * Progress of a value-based key result from numeric inputs (NULL = absent).
 * Returns false when it cannot be computed (missing start/target, kind
 * 'projects'); otherwise sets *progress (clamped to [0,1]) and, when not
 * NULL, *attainment (the unclamped ratio for metric, else = progress).
 */
extern bool okr_kr_progress_numeric(OkrKrKind kind, Datum start, bool start_null,
									Datum target, bool target_null,
									Datum value, bool value_null,
									double *progress, double *attainment);

/* Share of [starts_on 00:00, ends_on + 1 day 00:00) elapsed at as_of, in [0,1]. */
extern double okr_expected_progress(DateADT starts_on, DateADT ends_on,
									TimestampTz as_of);
/* Start of a date in the session time zone (the cycle bounds of rule 5). */
extern TimestampTz okr_date_start(DateADT d);

/* Status for an active item that has started; progress may be NaN = NULL. */
extern const char *okr_status_name(bool progress_null, double progress,
								   double expected);
extern const char *okr_grade_name(double score, bool aspirational);

/* ---- spi_util.c */
typedef struct OkrSpiState
{
	int			guc_nestlevel;
	Oid			save_userid;
	int			save_sec_context;
	bool		switched_user;
} OkrSpiState;

/*
 * Connect to SPI with search_path pinned to pg_catalog, pg_temp (and JIT off).  When
 * as_owner is valid, queries run as that role with row-level security
 * bypassed, so integrity checks see every row whatever the caller may read.
 */
extern void okr_spi_enter(OkrSpiState *st, Oid as_owner);
extern void okr_spi_leave(OkrSpiState *st);
/* Prepare (once per backend) and cache a plan. */
extern SPIPlanPtr okr_spi_plan(SPIPlanPtr *cache, const char *sql,
							   int nargs, Oid *argtypes);
/* The snapshot a statement's cache (fn_extra) was filled under. */
typedef struct OkrSnapshotKey
{
	bool		valid;
	LocalTransactionId lxid;
	uint64		completion;
	CommandId	curcid;
	TransactionId xmin;
	TransactionId xmax;
} OkrSnapshotKey;
extern void okr_snapshot_key(OkrSnapshotKey *k);
extern bool okr_snapshot_key_same(const OkrSnapshotKey *a, const OkrSnapshotKey *b);

/* ---- run_as.c */
typedef struct OkrRunAs
{
	bool		switched;
	Oid			save_userid;
	int			save_sec_context;
	int			guc_nestlevel;
} OkrRunAs;

/* The role named as run_as, if the current user may name it (42501). */
extern Oid	okr_run_as_role(const char *rolname);
extern Oid	okr_rel_owner(Oid relid);
/* Become role (unless invalid) with search_path pinned and timezone set. */
extern void okr_run_as_begin(OkrRunAs *st, Oid role, const char *timezone);
extern void okr_run_as_end(OkrRunAs *st);
/* Run fn(arg) in a subtransaction; false with *error set when it failed. */
extern bool okr_subxact_run(void (*fn) (void *), void *arg, ErrorData **error);

/* ---- access.c: access by team (SPEC 9) */
typedef enum OkrAccessLevel
{
	OKR_ACCESS_OBJECTIVE,
	OKR_ACCESS_KEY_RESULT,
	OKR_ACCESS_PROJECT,
	OKR_ACCESS_FEED				/* a task feed: hidden with any of its tasks */
} OkrAccessLevel;
#define OKR_ACCESS_LEVELS 4

typedef struct OkrAccess OkrAccess;
/* single lookups a lazy read scope answers before it loads its sets */
#define OKR_ACCESS_MEMO 16

/* The owner of okr's tables. */
extern Oid	okr_access_owner(void);
/* The current user's read or write scope, computed now, allocated in cxt. */
extern OkrAccess *okr_access_read(MemoryContext cxt);
/* The same, answering a few rows by indexed lookups first (policies). */
extern OkrAccess *okr_access_read_lazy(MemoryContext cxt);
extern OkrAccess *okr_access_write(MemoryContext cxt);
/* Every row in scope (owner, superuser, an unscoped grant)? */
extern bool okr_access_all(const OkrAccess *a);
/* Read scope: may the user not read this objective, key result or project? */
extern bool okr_access_hidden(OkrAccess *a, OkrAccessLevel level, int64 id);
/* Is the team in scope (granted, or below a granted team)? */
extern bool okr_access_team(const OkrAccess *a, int64 team_id);
/* An errdetail naming the teams of a write scope. */
extern char *okr_access_scope_detail(const OkrAccess *a);
/* bigint[] of the teams in scope (current memory context); not for "all". */
extern Datum okr_access_teams_datum(const OkrAccess *a);
/*
 * 42501 unless write scope w covers the key result's objective, for
 * running what (e.g. "the source of key result 7"); as the user.
 */
extern void okr_access_require_key_result(OkrAccess *w, const char *what, int64 key_result_id);
/* 42501 unless the caller may SELECT from every table the rollup reads. */
extern void okr_access_require_select(void);

/*
 * ---- maintain.c: the interface of the rule triggers (rules_*.c) and the
 * rollup.  Nothing in maintain.c calls back into them.
 */
/* A check-in of the key result was inserted (with its row), or else moved. */
extern void okr_maint_note_checkin(int64 key_result_id, bool inserted,
								   TimestampTz at, int64 checkin_id, Datum value);
/* A task's contribution to a project moves from old to new. */
extern void okr_maint_note_effort(int64 project_id, double old_total, double new_total,
								  double old_done, double new_done);
/* A done task's effort enters okr.effort_ledger (> 0) or leaves it (< 0). */
extern void okr_maint_note_done(int64 project_id, TimestampTz done_at, double effort);
/* This transaction wrote okr.task (its history is written at commit). */
extern void okr_maint_note_task_written(void);
extern bool okr_maint_tasks_written(void);
/* Notes not yet applied: the maintained columns lag in this transaction. */
extern bool okr_maint_pending(void);
/* True while maintain.c writes a maintained column: the guards let it. */
extern bool okr_maint_writing(void);
/*
 * The key-result row tup with current_progress derived from its kind and
 * values (okr_key_result_guard, a BEFORE trigger, returns it).
 */
struct TriggerData;
extern HeapTuple okr_maint_current_progress(struct TriggerData *td, HeapTuple tup,
											OkrKrKind kind);

#endif							/* OKR_H */
