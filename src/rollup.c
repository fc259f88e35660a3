/*
 * rollup.c
 *	  Hierarchical progress as of any moment (SPEC 3): okr.progress() and
 *	  okr.objective_progress().
 *
 * Four queries load the rows once: cycles, objectives, key results with
 * their value at T, projects with their task effort by T.  Tasks are not
 * read: okr.project_effort keeps each project's effort sums (maintain.c),
 * and only tasks done after T are subtracted.  (Inside a transaction whose
 * own changes are still noted for its commit, the key results' values and
 * the effort are read from the check-ins and tasks instead.)  Everything
 * else happens in memory.  For a moment in the past, or as known at an
 * earlier moment, the same rows come from the history tables instead
 * (SPEC 7, "The organisation as it was" below), sorted by id like the
 * others so that every sum runs in the same order:
 *
 *	 1. project progress and activity from its task sums;
 *	 2. key-result progress from its value (progress.c) or, for kind
 *		'projects', from its projects; activity from its projects' tasks;
 *	 3. objectives in reverse breadth-first order, so every child is final
 *		before its parent reads it.  No recursion: memory is bounded by the
 *		number of rows, whatever the depth of the alignment tree.
 *
 * All queries run read-only under the caller's snapshot, so one call sees
 * one consistent state, and as the owner of okr's tables once the caller is
 * found to hold SELECT on them (access.c): a parent counts its private
 * children for every reader, one truth per organisation (SPEC 9).  The rows
 * the caller may not read are then left out of the output, and an
 * objective it may not read is reported as not existing.  For
 * objective_progress() the same queries are restricted to the objective's
 * subtree.
 */
#include "okr.h"
#include "rollup.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "common/int.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/resowner.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "executor/tuptable.h"

PG_FUNCTION_INFO_V1(okr_progress);

/* subtrees larger than this are rolled up with the whole-organisation queries */
#define SUBTREE_FULL_SCAN 1000
PG_FUNCTION_INFO_V1(okr_objective_progress);

/* the names of RState (rollup.h) */
static const char *const rstate_names[] = {
	"active", "draft", "closed", "cancelled", "planned", "done"
};

static void
idmap_build(IdMap *m, const char *first_id, Size stride, int n)
{
	int64		lo = PG_INT64_MAX,
				hi = PG_INT64_MIN;
	int			i;

	memset(m, 0, sizeof(IdMap));
	for (i = 0; i < n; i++)
	{
		int64		id = *(const int64 *) (first_id + i * stride);

		lo = Min(lo, id);
		hi = Max(hi, id);
	}

	/*
	 * Offsets from the smallest id are taken in uint64, which holds the
	 * distance between any two bigints (ids may be negative, 0, or at both
	 * ends of the range: hi - lo in int64 would overflow).
	 */
	if (n > 0 && (uint64) hi - (uint64) lo < (uint64) n * 4 + 1024)
	{
		m->min_id = lo;
		m->range = (uint64) hi - (uint64) lo + 1;
		m->direct = palloc(sizeof(int) * m->range);
		memset(m->direct, 0xff, sizeof(int) * m->range);	/* -1 */
		for (i = 0; i < n; i++)
			m->direct[(uint64) *(const int64 *) (first_id + i * stride) - (uint64) lo] = i;
	}
	else
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(IdEntry);
		ctl.hcxt = CurrentMemoryContext;
		m->hash = hash_create("okr ids", Max(n, 16), &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		for (i = 0; i < n; i++)
		{
			int64		id = *(const int64 *) (first_id + i * stride);
			IdEntry    *e = hash_search(m->hash, &id, HASH_ENTER, NULL);

			e->index = i;
		}
	}
}

static int
idmap_get(const IdMap *m, int64 id)
{
	if (m->direct)
	{
		/* an id below min_id wraps around to a large offset */
		uint64		off = (uint64) id - (uint64) m->min_id;

		return off < m->range ? m->direct[off] : -1;
	}
	if (m->hash)
	{
		IdEntry    *e = hash_search(m->hash, &id, HASH_FIND, NULL);

		return e ? e->index : -1;
	}
	return -1;
}

/* Compare a text datum with a C string without copying it. */
static bool
text_is(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);
	size_t		len = strlen(s);

	return VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

/*
 * A state or kind the table's CHECK constraints do not allow can only be
 * there if someone dropped them: a data error that names the row, never an
 * internal one.
 */
static void
report_bad_value(const char *table, int64 id, const char *column, Datum d)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("okr.%s " INT64_FORMAT " has %s \"%s\", which okr does not know",
					table, id, column, TextDatumGetCString(d)),
			 errhint("Restore the table's CHECK constraints and correct the row; okr.check_integrity() lists such rows.")));
}

static RState
parse_state(Datum d, const char *table, int64 id)
{
	int			i;

	for (i = 0; i < (int) lengthof(rstate_names); i++)
		if (text_is(d, rstate_names[i]))
			return (RState) i;
	report_bad_value(table, id, "state", d);
	return RS_ACTIVE;			/* keep compiler quiet */
}

static OkrKrKind
parse_kind(Datum d, int64 id)
{
	for (int k = OKR_KR_METRIC; k <= OKR_KR_OBJECTIVES; k++)
		if (text_is(d, okr_kr_kind_name((OkrKrKind) k)))
			return (OkrKrKind) k;
	report_bad_value("key_result", id, "kind", d);
	return OKR_KR_METRIC;		/* keep compiler quiet */
}

/* Make room for one more element in a growing array. */
static void *
grow(void *arr, int n, int *cap, Size elem)
{
	if (n < *cap)
		return arr;
	*cap = Max(*cap * 2, 64);
	return arr ? repalloc(arr, elem * *cap) : palloc(elem * *cap);
}

/*
 * The queries.  In subtree mode ($2 is the array of objective ids of the
 * subtree) each is restricted to it; $1 is always as_of.  No ORDER BY: the
 * engine links rows by id, whatever order they come in.
 */
#define Q_CYCLES \
	"SELECT id, starts_on, ends_on FROM okr.cycle WHERE $1 IS NOT NULL"
#define Q_CYCLES_SUB \
	"SELECT c.id, c.starts_on, c.ends_on FROM okr.cycle c WHERE c.id IN (" \
	" SELECT o.cycle_id FROM unnest($2) s(id) JOIN okr.objective o ON o.id = s.id)"
#define Q_OBJECTIVES \
	"SELECT id, parent_id, cycle_id, weight, rollup, state, parent_key_result_id" \
	" FROM okr.objective WHERE $1 IS NOT NULL"
#define Q_OBJECTIVES_SUB \
	"SELECT o.id, o.parent_id, o.cycle_id, o.weight, o.rollup, o.state, o.parent_key_result_id" \
	" FROM unnest($2) s(id) JOIN okr.objective o ON o.id = s.id"
/* The tables of 1.0, before ALTER EXTENSION UPDATE (schema.c) */
#define Q_OBJECTIVES_10 \
	"SELECT id, parent_id, cycle_id, weight, rollup, state, NULL::bigint" \
	" FROM okr.objective WHERE $1 IS NOT NULL"
#define Q_OBJECTIVES_SUB_10 \
	"SELECT o.id, o.parent_id, o.cycle_id, o.weight, o.rollup, o.state, NULL::bigint" \
	" FROM unnest($2) s(id) JOIN okr.objective o ON o.id = s.id"
/* okr.explain (Rollup.explain): the same rows, with what it shows of them */
#define Q_OBJECTIVES_EXPLAIN \
	"SELECT id, parent_id, cycle_id, weight, rollup, state, parent_key_result_id, title" \
	" FROM okr.objective"
/*
 * Value at T: the latest check-in with checked_at <= T.  current_value is
 * that value whenever the latest check-in is not after T (always so for
 * T = now() unless check-ins are dated in the future); only the others
 * probe checkin_latest_idx.
 */
#define Q_KRS_COLS \
	"SELECT k.id, k.objective_id, k.kind, k.weight, k.state, k.start_value, k.target_value," \
	" CASE WHEN k.last_checkin_at IS NULL OR k.last_checkin_at <= $1 THEN k.current_value" \
	" ELSE (" Q_VALUE_AT ") END," \
	" CASE WHEN k.last_checkin_at IS NULL OR k.last_checkin_at <= $1 THEN k.current_progress END"
#define Q_VALUE_AT \
	"SELECT c.value FROM okr.checkin c WHERE c.key_result_id = k.id AND c.checked_at <= $1" \
	"  ORDER BY c.checked_at DESC, c.id DESC LIMIT 1"
#define Q_KRS		Q_KRS_COLS " FROM okr.key_result k"
#define Q_KRS_EXPLAIN	Q_KRS_COLS ", k.title, k.last_checkin_at FROM okr.key_result k"
#define Q_KRS_SUB	Q_KRS_COLS \
	" FROM unnest($2) s(id) JOIN okr.key_result k ON k.objective_id = s.id"
/* With notes pending in this transaction (maintain.c): from the check-ins. */
#define Q_KRS_EXACT_COLS \
	"SELECT k.id, k.objective_id, k.kind, k.weight, k.state, k.start_value, k.target_value," \
	" (" Q_VALUE_AT "), NULL::float8"
#define Q_KRS_EXACT		Q_KRS_EXACT_COLS " FROM okr.key_result k"
#define Q_KRS_EXACT_SUB	Q_KRS_EXACT_COLS \
	" FROM unnest($2) s(id) JOIN okr.key_result k ON k.objective_id = s.id"
/*
 * Task effort: the project's maintained counters (okr.project_effort), less
 * what was done after T (nothing for T = now(): done_at is never in the
 * future).  For a subtree, task_project_done_idx per project finds those
 * tasks.  Exact numeric until the final conversion.
 */
#define Q_PROJECTS_SUB \
	"SELECT p.id, p.key_result_id, p.weight, p.state, e.effort_total_float," \
	" CASE WHEN a.effort IS NULL THEN e.effort_done_float" \
	"  ELSE (e.effort_done - a.effort)::float8 END" \
	" FROM unnest($2) s(id) JOIN okr.key_result k ON k.objective_id = s.id" \
	" JOIN okr.project p ON p.key_result_id = k.id" \
	" LEFT JOIN okr.project_effort e ON e.project_id = p.id" \
	" LEFT JOIN LATERAL (SELECT sum(t.effort::numeric) AS effort FROM okr.task t" \
	"  WHERE t.project_id = p.id AND t.status = 'done' AND t.done_at > $1) a ON true"
/*
 * For the whole organisation the same figures come from scans joined in
 * memory by id, cheaper than hash joins over every project: the projects,
 * their effort sums, and the tasks done after T (one pass over
 * task_done_at_idx, or okr.effort_ledger in the past; nothing for T = now(),
 * done_at is never in the future).  The efforts are summed in C (exact_add), and
 * a project with such tasks takes its done effort in numeric from
 * Q_EFFORT_NUMERIC, less those tasks, exactly as the maintained sum was
 * formed, so that the same set of tasks gives the same bits (SPEC 7).
 */
#define Q_PROJECTS_PLAIN \
	"SELECT id, key_result_id, weight, state FROM okr.project WHERE $1 IS NOT NULL"
#define Q_PROJECTS_EXPLAIN "SELECT id, key_result_id, weight, state, name FROM okr.project"
#define Q_EFFORT \
	"SELECT project_id, effort_total_float, effort_done_float FROM okr.project_effort" \
	" WHERE $1 IS NOT NULL"
#define Q_EFFORT_NUMERIC \
	"SELECT project_id, effort_total_float, effort_done_float, effort_done, effort_total" \
	" FROM okr.project_effort WHERE $1 IS NOT NULL"
/* the same for some projects ($2) only (okr_rollup_at_from) */
#define Q_EFFORT_NUMERIC_IDS \
	"SELECT project_id, effort_total_float, effort_done_float, effort_done, effort_total" \
	" FROM okr.project_effort WHERE project_id = ANY ($2) AND $1 IS NOT NULL"
#define Q_LATE \
	"SELECT t.project_id, t.effort FROM okr.task t WHERE t.status = 'done' AND t.done_at > $1"
/*
 * The same in the past, from okr.effort_ledger (its rows after T sum per
 * project to those tasks' efforts, exactly): okr.task's visibility map,
 * which any update of a task clears, would turn that index-only scan back
 * into one heap fetch per task.
 */
#define Q_LATE_LEDGER \
	"SELECT l.project_id, l.effort FROM okr.effort_ledger l WHERE l.done_at > $1"
/* With notes pending in this transaction: from the tasks. */
#define Q_EFFORT_OF_TASKS \
	" sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled') AS total," \
	" sum(t.effort::numeric) FILTER (WHERE t.status = 'done' AND t.done_at <= $1) AS done"
#define Q_PROJECTS_EXACT \
	"SELECT p.id, p.key_result_id, p.weight, p.state, a.total::float8, a.done::float8" \
	" FROM okr.project p LEFT JOIN (SELECT t.project_id," Q_EFFORT_OF_TASKS \
	"  FROM okr.task t GROUP BY t.project_id) a ON a.project_id = p.id"
#define Q_PROJECTS_EXACT_SUB \
	"SELECT p.id, p.key_result_id, p.weight, p.state, a.total::float8, a.done::float8" \
	" FROM unnest($2) s(id) JOIN okr.key_result k ON k.objective_id = s.id" \
	" JOIN okr.project p ON p.key_result_id = k.id" \
	" LEFT JOIN LATERAL (SELECT" Q_EFFORT_OF_TASKS \
	"  FROM okr.task t WHERE t.project_id = p.id) a ON true"


/*
 * The organisation as it was (SPEC 7): $1 = as_of (T), $2 = known_at (K,
 * 'infinity' for as known now), $3 = "this transaction has changes noted
 * for its commit".  A row's version at T as known at K is the one in force
 * at M = least(T, K): the latest recorded by M, or, when it was first
 * recorded after M, the last version of the transaction that first
 * recorded it (first versions reach back; the versions of one transaction
 * share its moment, so only its last one is ever in force); a row first
 * recorded after K, or deleted by K, does not exist.  Only the rows with a
 * version recorded after M (an insert counts only after K) are read from
 * the history; every other row is as it is now, read from its table.
 * H_CHANGED is that set of ids, H_VERSIONS their versions at M with "gone"
 * (deleted by K), read by id from <t>_history_id_idx: a generic plan
 * expects far more changed rows than there usually are and would hash the
 * whole history instead.
 */
#define H_M "least($1, $2)"
#define H_CHANGED(t, m) \
	"SELECT DISTINCT h.id FROM okr." t "_history h WHERE h.recorded_at > " m \
	" AND (h.action <> 'insert' OR h.recorded_at > $2)"
#define H_VERSIONS(t, chg, m) \
	"SELECT DISTINCT ON (h.id) h.*," \
	" pg_catalog.bool_or(h.action = 'delete') OVER (PARTITION BY h.id) AS gone" \
	" FROM " chg " c CROSS JOIN LATERAL (SELECT * FROM okr." t "_history h" \
	"  WHERE h.id = c.id AND h.recorded_at <= $2 OFFSET 0) h" \
	" ORDER BY h.id, (h.recorded_at <= " m ") DESC," \
	"  CASE WHEN h.recorded_at <= " m " THEN h.hid END DESC, h.recorded_at, h.hid DESC"
/*
 * A version's row exists now, or was deleted after K: rows TRUNCATE took
 * (no history of their delete) are gone at every moment.
 */
#define H_EXISTS(t, v) \
	"((SELECT true FROM okr." t " e WHERE e.id = " v ".id) IS NOT NULL" \
	" OR (SELECT true FROM okr." t "_history d WHERE d.id = " v ".id" \
	"  AND d.action = 'delete' AND d.recorded_at > $2 LIMIT 1) IS NOT NULL)"
/* the rows of table t at (M, K), columns cols */
#define H_ROWS(t, cols) \
	"WITH ch AS (" H_CHANGED(t, H_M) "), v AS (" H_VERSIONS(t, "ch", H_M) ")" \
	" SELECT " cols " FROM okr." t " x WHERE NOT EXISTS (SELECT FROM ch WHERE ch.id = x.id)" \
	" UNION ALL SELECT " cols " FROM v WHERE NOT v.gone AND " H_EXISTS(t, "v")
#define Q_CYCLES_PAST		H_ROWS("cycle", "id, starts_on, ends_on")
#define Q_OBJECTIVES_PAST	H_ROWS("objective", "id, parent_id, cycle_id, weight, rollup, state, parent_key_result_id")
#define Q_PROJECTS_PAST		H_ROWS("project", "id, key_result_id, weight, state")
/*
 * The key results at (M, K), as CTE k (with ch and v): the rows unchanged
 * since M from the table (now_valid: their current_value and
 * current_progress hold at T), the others from their versions.
 */
#define H_KRS_AT \
	"ch AS (" H_CHANGED("key_result", H_M) "), v AS (" H_VERSIONS("key_result", "ch", H_M) ")," \
	" k AS (SELECT id, objective_id, kind, weight, state, start_value, target_value," \
	"   NOT $3 AND (last_checkin_at IS NULL OR last_checkin_at <= $1) AS now_valid," \
	"   current_value, current_progress FROM okr.key_result x" \
	"  WHERE NOT EXISTS (SELECT FROM ch WHERE ch.id = x.id)" \
	"  UNION ALL SELECT id, objective_id, kind, weight, state, start_value, target_value," \
	"   false, NULL, NULL FROM v WHERE NOT v.gone AND " H_EXISTS("key_result", "v") ")"
/*
 * Key results at (M, K) with their value at T: the latest check-in dated
 * by T among those known at K (check-ins carry their own time, so their
 * versions are those in force at K): from okr.checkin but the check-ins
 * recorded since K, and from those check-ins' versions at K.
 */
#define Q_KRS_PAST \
	"WITH " H_KRS_AT "," \
	" cch AS (" H_CHANGED("checkin", "$2") "), cv AS (" H_VERSIONS("checkin", "cch", "$2") ")," \
	" cvl AS (SELECT DISTINCT ON (cv.key_result_id) cv.key_result_id, cv.value, cv.checked_at, cv.id" \
	"  FROM cv WHERE NOT cv.gone AND cv.checked_at <= $1 AND " H_EXISTS("checkin", "cv") \
	"  ORDER BY cv.key_result_id, cv.checked_at DESC, cv.id DESC)," \
	" kra AS (SELECT c.key_result_id AS id FROM cch JOIN okr.checkin c ON c.id = cch.id" \
	"  UNION SELECT cv.key_result_id FROM cv)" \
	" SELECT k.id, k.objective_id, k.kind, k.weight, k.state, k.start_value, k.target_value," \
	"  CASE WHEN k.now_valid AND NOT EXISTS (SELECT FROM kra WHERE kra.id = k.id) THEN k.current_value" \
	"  ELSE (SELECT q.value FROM (" \
	"   (SELECT c.value, c.checked_at, c.id FROM okr.checkin c" \
	"     WHERE c.key_result_id = k.id AND c.checked_at <= $1" \
	"     AND NOT EXISTS (SELECT FROM cch WHERE cch.id = c.id)" \
	"     ORDER BY c.checked_at DESC, c.id DESC LIMIT 1)" \
	"   UNION ALL SELECT l.value, l.checked_at, l.id FROM cvl l WHERE l.key_result_id = k.id) q" \
	"   ORDER BY q.checked_at DESC, q.id DESC LIMIT 1) END," \
	"  CASE WHEN k.now_valid AND NOT EXISTS (SELECT FROM kra WHERE kra.id = k.id) THEN k.current_progress END" \
	" FROM k"
/*
 * The same as known now (K = infinity): no check-in was recorded after K,
 * so okr.checkin holds exactly the check-ins known, and each key result's
 * value at T is one probe of checkin_latest_idx (for those checked in
 * after T only).
 */
#define Q_KRS_PAST_NOW \
	"WITH " H_KRS_AT \
	" SELECT k.id, k.objective_id, k.kind, k.weight, k.state, k.start_value, k.target_value," \
	"  CASE WHEN k.now_valid THEN k.current_value ELSE (" Q_VALUE_AT ") END," \
	"  CASE WHEN k.now_valid THEN k.current_progress END" \
	" FROM k"
/*
 * Task effort at (M, K), for the projects whose tasks changed since M: the
 * effort of their tasks not cancelled, and of those done at T.  A task is
 * done at T when its version in force at M, or a later one known at K, is
 * done with done_at <= T (a completion counts from its done_at, even
 * recorded later; a task reopened later still counts for the moments it was
 * done).  The figures of okr.project_effort (less the tasks done after T,
 * Q_LATE) are corrected by what the changed tasks contribute now and what
 * their versions at M contribute then: exact numeric, converted once, so
 * equal task sets give equal bits.  The other projects keep the figures of
 * Q_EFFORT and Q_LATE.  H_TASKS_THEN says it in SQL, for a transaction with
 * changes pending (Q_EFFORT_PAST_EXACT); otherwise task_versions_end does
 * the same over Q_TASK_VERSIONS, in C (about 25 us a changed task in SQL).
 */
#define H_TASKS_THEN \
	"WITH tch AS (" H_CHANGED("task", H_M) ")," \
	" tv AS (" H_VERSIONS("task", "tch", H_M) ")," \
	" tvd AS (SELECT tv.project_id, tv.status, tv.effort," \
	"  EXISTS (SELECT FROM okr.task_history d WHERE d.id = tv.id AND d.hid >= tv.hid" \
	"   AND d.recorded_at <= $2 AND d.status = 'done' AND d.done_at <= $1) AS done_t" \
	"  FROM tv WHERE NOT tv.gone AND " H_EXISTS("task", "tv") ")," \
	" old AS (SELECT tvd.project_id," \
	"  sum(tvd.effort::numeric) FILTER (WHERE tvd.status <> 'cancelled') AS total," \
	"  sum(tvd.effort::numeric) FILTER (WHERE tvd.done_t AND tvd.status <> 'cancelled') AS done" \
	"  FROM tvd GROUP BY tvd.project_id)"
/*
 * The same figures, read for a pass in C (task_versions_end): every version
 * of the tasks changed since M, in (id, hid) order, each with the task's
 * row now (NULLs when it is gone; one index probe per changed task).
 */
#define Q_TASK_VERSIONS \
	"WITH ch AS (" H_CHANGED("task", H_M) ")" \
	" SELECT h.id, h.hid, h.recorded_at, h.action = 'delete', h.project_id, h.status, h.effort," \
	"  h.done_at, c.id IS NOT NULL, c.project_id, c.status, c.effort, c.done_at" \
	" FROM ch LEFT JOIN LATERAL (SELECT x.id, x.project_id, x.status, x.effort, x.done_at" \
	"   FROM okr.task x WHERE x.id = ch.id OFFSET 0) c ON true" \
	" JOIN okr.task_history h ON h.id = ch.id" \
	" ORDER BY h.id, h.hid"
/*
 * The same without the task's row now: its latest version is that row, as
 * the history is written at commit with the row (when no change of this
 * transaction is pending) and none of okr.task's rows was truncated since
 * (okr.history_truncated); one random read of okr.task per changed task
 * saved.
 */
#define Q_TASK_VERSIONS_LATEST \
	"WITH ch AS (" H_CHANGED("task", H_M) ")" \
	" SELECT h.id, h.hid, h.recorded_at, h.action = 'delete', h.project_id, h.status, h.effort," \
	"  h.done_at, NULL::boolean, NULL::bigint, NULL::text, NULL::float8, NULL::timestamptz" \
	" FROM ch JOIN okr.task_history h ON h.id = ch.id" \
	" ORDER BY h.id, h.hid"
#define Q_TASK_TRUNCATED \
	"SELECT FROM okr.history_truncated WHERE table_name = 'task'"

/*
 * The same inside a transaction whose own changes are still noted for its
 * commit (okr.project_effort lags): every project from its tasks.
 */
#define Q_EFFORT_PAST_EXACT \
	H_TASKS_THEN "," \
	" cur AS (SELECT t.project_id," \
	"  sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled') AS total," \
	"  sum(t.effort::numeric) FILTER (WHERE t.status = 'done' AND t.done_at <= $1) AS done" \
	"  FROM okr.task t WHERE NOT EXISTS (SELECT FROM tch WHERE tch.id = t.id) AND $3" \
	"  GROUP BY t.project_id)" \
	" SELECT p.id, (COALESCE(cur.total, 0) + COALESCE(old.total, 0))::float8," \
	"  (COALESCE(cur.done, 0) + COALESCE(old.done, 0))::float8" \
	" FROM okr.project p LEFT JOIN cur ON cur.project_id = p.id LEFT JOIN old ON old.project_id = p.id" \
	" UNION ALL SELECT old.project_id, COALESCE(old.total, 0)::float8, COALESCE(old.done, 0)::float8" \
	" FROM old WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = old.project_id)"

/*
 * An earlier moment from a later one loaded at the same K (okr.changes,
 * okr_rollup_at_from): only the rows with a version recorded after
 * M = least(T, K) of the earlier moment (H_CHANGED; M of the later one is
 * not earlier, so its changed rows are among these) can differ in
 * definition, every other row is its table's row in both.  So the earlier
 * moment reads those rows' versions only (Q_CHANGED_IDS, H_CHANGED_ROWS),
 * and the key results whose value at T is not their current_value (checked
 * in after T, or check-ins recorded after K) with it, and takes every other
 * row from the later moment's arrays.
 */
#define Q_CHANGED_IDS \
	"SELECT 0, id FROM (" H_CHANGED("objective", H_M) ") o" \
	" UNION ALL SELECT 1, id FROM (" H_CHANGED("key_result", H_M) ") k" \
	" UNION ALL SELECT 2, id FROM (" H_CHANGED("project", H_M) ") p"
#define H_CHANGED_ROWS(t, cols) \
	"WITH ch AS (" H_CHANGED(t, H_M) "), v AS (" H_VERSIONS(t, "ch", H_M) ")" \
	" SELECT " cols " FROM v WHERE NOT v.gone AND " H_EXISTS(t, "v")
#define Q_OBJECTIVES_FROM	H_CHANGED_ROWS("objective", "id, parent_id, cycle_id, weight, rollup, state, parent_key_result_id")
#define Q_PROJECTS_FROM		H_CHANGED_ROWS("project", "id, key_result_id, weight, state")
#define Q_KRS_FROM_NOW		Q_KRS_PAST_NOW " WHERE NOT k.now_valid"
#define Q_KRS_FROM			Q_KRS_PAST " WHERE NOT (k.now_valid AND NOT EXISTS (SELECT FROM kra WHERE kra.id = k.id))"

typedef struct PastPlans
{
	SPIPlanPtr	cycles;
	SPIPlanPtr	objectives;
	SPIPlanPtr	krs;
	SPIPlanPtr	krs_now;		/* as known now: Q_KRS_PAST_NOW */
	SPIPlanPtr	projects;
	SPIPlanPtr	effort_exact;
	SPIPlanPtr	task_versions;	/* Q_TASK_VERSIONS */
	SPIPlanPtr	task_versions_latest;	/* Q_TASK_VERSIONS_LATEST */
	SPIPlanPtr	task_truncated; /* Q_TASK_TRUNCATED */
	SPIPlanPtr	late;			/* Q_LATE_LEDGER */
	/* okr_rollup_at_from */
	SPIPlanPtr	changed_ids;
	SPIPlanPtr	objectives_from;
	SPIPlanPtr	krs_from;
	SPIPlanPtr	krs_from_now;
	SPIPlanPtr	projects_from;
	SPIPlanPtr	effort_ids;
} PastPlans;

static PastPlans past_plans;

typedef struct RollupPlans
{
	SPIPlanPtr	cycles;
	SPIPlanPtr	objectives;
	SPIPlanPtr	krs;
	SPIPlanPtr	projects;
	SPIPlanPtr	effort;			/* whole organisation, Q_EFFORT */
	SPIPlanPtr	late;			/* whole organisation, Q_LATE */
	SPIPlanPtr	effort_numeric; /* whole organisation, Q_EFFORT_NUMERIC */
} RollupPlans;

static RollupPlans full_plans;
static RollupPlans explain_plans;	/* .objectives, .krs and .projects */
static RollupPlans sub_plans;
static SPIPlanPtr objectives_10_plans[2];	/* full, subtree: the 1.0 tables */
static RollupPlans full_exact_plans;	/* .krs and .projects only */
static RollupPlans sub_exact_plans;

/* progress_history: the events of the sweep, in time order */
typedef struct RCheckin
{
	int			kr;
	TimestampTz at;
	Datum		value;
} RCheckin;

typedef struct RDone
{
	int			project;
	TimestampTz at;
	double		effort;
} RDone;

typedef struct History
{
	int			ncheckins;
	int			cap_checkins;
	RCheckin   *checkins;
	int			ndone;
	int			cap_done;
	RDone	   *done;
} History;


typedef enum LoadKind
{
	LOAD_CYCLES,
	LOAD_OBJECTIVES,
	LOAD_KRS,
	LOAD_PROJECTS,
	LOAD_EFFORT,				/* (project id, total, done) into loaded projects */
	LOAD_LATE,					/* (project id, effort) of the tasks done after T */
	LOAD_TASK_VERSIONS,			/* the versions of the tasks changed since M */
	LOAD_CHECKINS,
	LOAD_DONE
} LoadKind;

/*
 * Rows stream from the executor straight into the engine's arrays through
 * this receiver: nothing is materialised in between.
 */
/*
 * An exact sum of task efforts, formed as okr.project_effort forms its
 * sums (in numeric, SPEC 3): the integral efforts below 1e15 (whose numeric
 * is that integer) in an int64, the others in numeric.
 */
typedef struct ExactSum
{
	bool		any;
	int64		ints;
	Datum		rest;			/* numeric, or 0 for none */
} ExactSum;

/*
 * What a project's maintained sums (okr.project_effort, as of the last
 * commit) need at (T, M, K): less the tasks done after T, and, for the
 * tasks changed since M, less what they contribute now plus what their
 * versions then contributed.
 */
typedef struct EffortAdjust
{
	ExactSum	done;
	ExactSum	total;
	bool		seen;			/* its okr.project_effort row was read */
} EffortAdjust;

/* One version of a changed task (Q_TASK_VERSIONS), kept until its id ends */
typedef struct TaskVersion
{
	int64		hid;
	TimestampTz recorded_at;
	bool		deleted;
	int			project;		/* loaded project, or -1 */
	bool		done;
	bool		cancelled;
	double		effort;
	bool		done_at_null;
	TimestampTz done_at;
} TaskVersion;

typedef struct RowReceiver
{
	DestReceiver pub;
	Rollup	   *r;
	IdMap	   *project_map;	/* for LOAD_EFFORT and LOAD_LATE */
	EffortAdjust *adjust;		/* per project: LOAD_LATE, LOAD_TASK_VERSIONS, LOAD_EFFORT */
	int64		task_id;		/* LOAD_TASK_VERSIONS: the task whose versions these are */
	bool		now_from_history;	/* its row now is its latest version */
	bool		task_now;		/* ... whether it exists now, and its row now */
	int			task_now_project;
	bool		task_now_done;
	bool		task_now_cancelled;
	double		task_now_effort;
	TimestampTz task_now_done_at;
	TaskVersion *versions;
	int			nversions;
	int			cap_versions;
	History    *history;		/* for LOAD_CHECKINS and LOAD_DONE */
	LoadKind	kind;
	MemoryContext cxt;			/* where the arrays live */
	MemoryContext rowcxt;		/* scratch, reset after every row */
	int			cap;
	int			explain_at;		/* Rollup.explain: its first column (0: none) */
} RowReceiver;

/* 1e15: below it, an integral double's numeric (15 significant digits) is exact */
#define EXACT_INT_LIMIT 1e15
/* 2^52: below it, every integer is a double and converts back unchanged */
#define EXACT_DOUBLE_LIMIT 4503599627370496.0

/* Add one task's effort, or take it away (in the arrays' memory context). */
static void
exact_add(ExactSum *sum, double effort, bool subtract)
{
	int64		result;

	sum->any = true;
	if (subtract)
		effort = -effort;
	if (effort == floor(effort) && fabs(effort) < EXACT_INT_LIMIT &&
		!pg_add_s64_overflow(sum->ints, (int64) effort, &result))
	{
		sum->ints = result;
		return;
	}
	{
		Datum		e = DirectFunctionCall1(float8_numeric, Float8GetDatum(effort));

		sum->rest = sum->rest ? DirectFunctionCall2(numeric_add, sum->rest, e) : e;
	}
}

/*
 * base + sum as a double, base being a maintained numeric sum (0 when the
 * project has none; base_float its conversion): in int64 when both are
 * integers well inside a double's exact range (the usual case), else in
 * numeric, converted once, as the maintained sums are.
 */
static double
exact_apply(Datum base, double base_float, const ExactSum *sum)
{
	Numeric		b = base ? DatumGetNumeric(base) : NULL;
	Datum		x;

	if (!sum->rest && fabs((double) sum->ints) < EXACT_DOUBLE_LIMIT)
	{
		if (!b)
			return (double) sum->ints;
		if (!numeric_is_nan(b) && !numeric_is_inf(b) && fabs(base_float) < EXACT_DOUBLE_LIMIT &&
			DatumGetInt32(DirectFunctionCall1(numeric_scale, base)) == 0)
			return (double) (DatumGetInt64(DirectFunctionCall1(numeric_int8, base)) + sum->ints);
	}
	x = DirectFunctionCall1(int8_numeric, Int64GetDatum(sum->ints));
	if (sum->rest)
		x = DirectFunctionCall2(numeric_add, x, sum->rest);
	if (b)
		x = DirectFunctionCall2(numeric_add, base, x);
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, x));
}

/*
 * All versions of one changed task are in (Q_TASK_VERSIONS): what it
 * contributed at (T, M, K) replaces what it contributes now, as in
 * H_TASKS_THEN.  Its version at M is the latest recorded by M or, when it
 * was first recorded after M, the last of the first transaction that
 * recorded it; it counts when it is not deleted by K and its row exists
 * now or was deleted after K; it is done at T when that version or a later
 * one known at K is done with done_at <= T.
 */
static void
task_versions_end(Rollup *r, RowReceiver *rr)
{
	TimestampTz k = r->known_at;
	TimestampTz m = Min(r->as_of, r->known_at);
	int			chosen = -1,
				i;
	bool		gone = false,
				deleted_after_k = false;

	if (rr->now_from_history)
	{
		TaskVersion *last = &rr->versions[rr->nversions - 1];

		rr->task_now = !last->deleted;
		rr->task_now_project = last->project;
		rr->task_now_done = last->done;
		rr->task_now_cancelled = last->cancelled;
		rr->task_now_effort = last->effort;
		rr->task_now_done_at = last->done_at_null ? DT_NOEND : last->done_at;
	}

	for (i = 0; i < rr->nversions; i++)
	{
		TaskVersion *v = &rr->versions[i];

		if (v->recorded_at > k)
		{
			deleted_after_k |= v->deleted;
			continue;
		}
		gone |= v->deleted;
		if (v->recorded_at <= m)
			chosen = i;			/* in hid order: the last one wins */
		else if (chosen < 0 || (rr->versions[chosen].recorded_at > m &&
								v->recorded_at < rr->versions[chosen].recorded_at))
			chosen = i;
		else if (rr->versions[chosen].recorded_at > m &&
				 v->recorded_at == rr->versions[chosen].recorded_at)
			chosen = i;			/* same transaction, later hid */
	}
	if (chosen >= 0 && !gone && (rr->task_now || deleted_after_k))
	{
		TaskVersion *c = &rr->versions[chosen];
		bool		done_t = false;

		for (i = 0; i < rr->nversions && !done_t; i++)
		{
			TaskVersion *v = &rr->versions[i];

			done_t = v->hid >= c->hid && v->recorded_at <= k && v->done &&
				!v->done_at_null && v->done_at <= r->as_of;
		}
		if (c->project >= 0 && !c->cancelled)
		{
			exact_add(&rr->adjust[c->project].total, c->effort, false);
			if (done_t)
				exact_add(&rr->adjust[c->project].done, c->effort, false);
		}
	}
	if (rr->task_now && rr->task_now_project >= 0 && !rr->task_now_cancelled)
	{
		exact_add(&rr->adjust[rr->task_now_project].total, rr->task_now_effort, true);
		if (rr->task_now_done && rr->task_now_done_at <= r->as_of)
			exact_add(&rr->adjust[rr->task_now_project].done, rr->task_now_effort, true);
	}
	rr->nversions = 0;
}

static bool
receive_row(TupleTableSlot *slot, DestReceiver *self)
{
	RowReceiver *rr = (RowReceiver *) self;
	Rollup	   *r = rr->r;
	Datum	   *v;
	bool	   *n;
	MemoryContext old;

	slot_getallattrs(slot);
	v = slot->tts_values;
	n = slot->tts_isnull;
	old = MemoryContextSwitchTo(rr->cxt);

	switch (rr->kind)
	{
		case LOAD_CYCLES:
			{
				RCycle	   *c;

				r->cycles = grow(r->cycles, r->ncycles, &rr->cap, sizeof(RCycle));
				c = &r->cycles[r->ncycles++];
				c->id = DatumGetInt64(v[0]);
				c->starts_on = DatumGetDateADT(v[1]);
				c->ends_on = DatumGetDateADT(v[2]);
				c->expected = okr_expected_progress(DatumGetDateADT(v[1]),
													DatumGetDateADT(v[2]), r->as_of);
				c->started = r->as_of >= okr_date_start(DatumGetDateADT(v[1]));
				break;
			}
		case LOAD_OBJECTIVES:
			{
				RObjective *o;

				r->objectives = grow(r->objectives, r->nobjectives, &rr->cap, sizeof(RObjective));
				o = &r->objectives[r->nobjectives++];
				memset(o, 0, sizeof(RObjective));
				o->id = DatumGetInt64(v[0]);
				o->has_parent = !n[1];
				o->parent_id = n[1] ? 0 : DatumGetInt64(v[1]);
				o->cycle_id = DatumGetInt64(v[2]);
				o->weight = DatumGetFloat8(v[3]);
				o->use_krs = !text_is(v[4], "children");
				o->use_children = !text_is(v[4], "key_results");
				o->state = parse_state(v[5], "objective", o->id);
				o->has_parent_kr = !n[6];
				o->parent_kr_id = n[6] ? 0 : DatumGetInt64(v[6]);
				o->first_child = o->next_sibling = o->first_kr = -1;
				o->via_kr = o->next_aligned = -1;
				if (rr->explain_at && !n[rr->explain_at])
					o->title = datumCopy(v[rr->explain_at], false, -1);
				break;
			}
		case LOAD_KRS:
			{
				RKeyResult *k;

				r->krs = grow(r->krs, r->nkrs, &rr->cap, sizeof(RKeyResult));
				k = &r->krs[r->nkrs++];
				memset(k, 0, sizeof(RKeyResult));
				k->id = DatumGetInt64(v[0]);
				k->objective_id = DatumGetInt64(v[1]);
				k->kind = parse_kind(v[2], k->id);
				k->weight = DatumGetFloat8(v[3]);
				k->state = parse_state(v[4], "key_result", k->id);
				k->first_project = k->next_kr = k->first_aligned = -1;
				if (rr->explain_at)
				{
					int			x = rr->explain_at;

					k->title = n[x] ? (Datum) 0 : datumCopy(v[x], false, -1);
					k->last_checkin_null = n[x + 1];
					k->last_checkin_at = n[x + 1] ? 0 : DatumGetTimestampTz(v[x + 1]);
				}
				/* numeric arithmetic allocates: keep it in the row context */
				MemoryContextSwitchTo(rr->rowcxt);
				if (k->kind == OKR_KR_METRIC && !n[5] && !n[6] &&
					DatumGetInt32(DirectFunctionCall2(numeric_cmp, v[5], v[6])) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_OKR_KIND_MISMATCH),
							 errmsg("okr.key_result " INT64_FORMAT " breaks rule 3: a metric's start_value and target_value are both %s",
									k->id, DatumGetCString(DirectFunctionCall1(numeric_out, v[5]))),
							 errhint("Correct the row; okr.check_integrity() lists the rows that break okr's rules.")));
				MemoryContextSwitchTo(rr->cxt);
				if (r->keep_values || r->keep_targets)
				{
					k->start_null = n[5];
					k->target_null = n[6];
					k->start = n[5] ? (Datum) 0 : datumCopy(v[5], false, -1);
					k->target = n[6] ? (Datum) 0 : datumCopy(v[6], false, -1);
				}
				/* scored by the key-result trigger at current_value, valid at T */
				if (!n[8] && !r->keep_values)
				{
					k->progress = DatumGetFloat8(v[8]);
					break;
				}
				/* numeric arithmetic allocates: keep it in the row context */
				MemoryContextSwitchTo(rr->rowcxt);
				if (k->kind != OKR_KR_PROJECTS &&
					!okr_kr_progress_numeric(k->kind, v[5], n[5], v[6], n[6], v[7], n[7],
											 &k->progress, NULL))
					k->progress = 0.0;	/* unreachable with rule 3 in force */
				MemoryContextReset(rr->rowcxt);
				break;
			}
		case LOAD_PROJECTS:
			{
				RProject   *p;

				r->projects = grow(r->projects, r->nprojects, &rr->cap, sizeof(RProject));
				p = &r->projects[r->nprojects++];
				memset(p, 0, sizeof(RProject));
				p->id = DatumGetInt64(v[0]);
				p->key_result_id = DatumGetInt64(v[1]);
				p->weight = DatumGetFloat8(v[2]);
				p->state = parse_state(v[3], "project", p->id);
				if (rr->explain_at && !n[rr->explain_at])
					p->title = datumCopy(v[rr->explain_at], false, -1);
				/* (Q_PROJECTS_PLAIN has no effort: LOAD_EFFORT brings it) */
				if (slot->tts_tupleDescriptor->natts > 5)
				{
					p->total_effort = n[4] ? 0.0 : DatumGetFloat8(v[4]);
					p->done_effort = n[5] ? 0.0 : DatumGetFloat8(v[5]);
				}
				p->next_project = -1;
				break;
			}
		case LOAD_EFFORT:
			{
				int			p = idmap_get(rr->project_map, DatumGetInt64(v[0]));

				if (p < 0)
					break;		/* project invisible to the caller */
				r->projects[p].total_effort = n[1] ? 0.0 : DatumGetFloat8(v[1]);
				r->projects[p].done_effort = n[2] ? 0.0 : DatumGetFloat8(v[2]);
				/* load_effort's: okr.project_effort's figures, unless adjusted below */
				r->projects[p].effort_maintained = rr->adjust &&
					!(rr->adjust[p].done.any || rr->adjust[p].total.any);
				/* Q_EFFORT_NUMERIC: adjusted to the moment (EffortAdjust) */
				if (rr->adjust && slot->tts_tupleDescriptor->natts > 3)
				{
					EffortAdjust *a = &rr->adjust[p];

					a->seen = true;
					MemoryContextSwitchTo(rr->rowcxt);
					if (a->done.any)
						r->projects[p].done_effort =
							exact_apply(n[3] ? (Datum) 0 : v[3], r->projects[p].done_effort, &a->done);
					if (a->total.any)
						r->projects[p].total_effort =
							exact_apply(n[4] ? (Datum) 0 : v[4], r->projects[p].total_effort, &a->total);
					MemoryContextReset(rr->rowcxt);
				}
				break;
			}
		case LOAD_LATE:
			{
				int			p = idmap_get(rr->project_map, DatumGetInt64(v[0]));

				if (p < 0 || n[1])
					break;		/* project invisible to the caller */
				exact_add(&rr->adjust[p].done, DatumGetFloat8(v[1]), true);
				break;
			}
		case LOAD_TASK_VERSIONS:
			{
				int64		id = DatumGetInt64(v[0]);
				TaskVersion *tv;

				if (rr->nversions > 0 && id != rr->task_id)
					task_versions_end(r, rr);
				if (rr->nversions == 0)
				{
					rr->task_id = id;
					rr->task_now = DatumGetBool(v[8]);
					rr->task_now_project = rr->task_now ?
						idmap_get(rr->project_map, DatumGetInt64(v[9])) : -1;
					if (rr->task_now)
					{
						rr->task_now_done = text_is(v[10], "done");
						rr->task_now_cancelled = text_is(v[10], "cancelled");
						rr->task_now_effort = DatumGetFloat8(v[11]);
						rr->task_now_done_at = n[12] ? DT_NOEND : DatumGetTimestampTz(v[12]);
					}
				}
				rr->versions = grow(rr->versions, rr->nversions, &rr->cap_versions, sizeof(TaskVersion));
				tv = &rr->versions[rr->nversions++];
				tv->hid = DatumGetInt64(v[1]);
				tv->recorded_at = DatumGetTimestampTz(v[2]);
				tv->deleted = DatumGetBool(v[3]);
				tv->project = n[4] ? -1 : idmap_get(rr->project_map, DatumGetInt64(v[4]));
				tv->done = !n[5] && text_is(v[5], "done");
				tv->cancelled = !n[5] && text_is(v[5], "cancelled");
				tv->effort = n[6] ? 0.0 : DatumGetFloat8(v[6]);
				tv->done_at_null = n[7];
				tv->done_at = n[7] ? 0 : DatumGetTimestampTz(v[7]);
				break;
			}
		case LOAD_CHECKINS:
			{
				History    *history = rr->history;
				int			kr = idmap_get(&r->kr_map, DatumGetInt64(v[0]));
				RCheckin   *c;

				if (kr < 0)
					break;		/* key result invisible to the caller */
				history->checkins = grow(history->checkins, history->ncheckins,
										 &history->cap_checkins, sizeof(RCheckin));
				c = &history->checkins[history->ncheckins++];
				c->kr = kr;
				c->value = datumCopy(v[1], false, -1);
				c->at = DatumGetTimestampTz(v[2]);
				break;
			}
		case LOAD_DONE:
			{
				History    *history = rr->history;
				int			project = idmap_get(&r->project_map, DatumGetInt64(v[0]));
				RDone	   *d;

				if (project < 0)
					break;
				history->done = grow(history->done, history->ndone,
									 &history->cap_done, sizeof(RDone));
				d = &history->done[history->ndone++];
				d->project = project;
				d->effort = DatumGetFloat8(v[1]);
				d->at = DatumGetTimestampTz(v[2]);
				break;
			}
	}
	MemoryContextSwitchTo(old);
	return true;
}

/*
 * What each load reads, column by column: receive_row takes the datums as
 * these types, so a column whose type was altered (okr's owner can) is an
 * error here, checked once per query, never a misread datum.
 */
typedef struct LoadColumn
{
	const char *name;
	Oid			type;
} LoadColumn;

#define MAX_LOAD_COLUMNS 13
static const LoadColumn load_columns[][MAX_LOAD_COLUMNS] = {
	[LOAD_CYCLES] = {{"okr.cycle.id", INT8OID}, {"okr.cycle.starts_on", DATEOID},
	{"okr.cycle.ends_on", DATEOID}},
	[LOAD_OBJECTIVES] = {{"okr.objective.id", INT8OID}, {"okr.objective.parent_id", INT8OID},
		{"okr.objective.cycle_id", INT8OID}, {"okr.objective.weight", FLOAT8OID},
		{"okr.objective.rollup", TEXTOID}, {"okr.objective.state", TEXTOID},
	{"okr.objective.parent_key_result_id", INT8OID}},
	[LOAD_KRS] = {{"okr.key_result.id", INT8OID}, {"okr.key_result.objective_id", INT8OID},
		{"okr.key_result.kind", TEXTOID}, {"okr.key_result.weight", FLOAT8OID},
		{"okr.key_result.state", TEXTOID}, {"okr.key_result.start_value", NUMERICOID},
		{"okr.key_result.target_value", NUMERICOID},
		{"okr.key_result.current_value (and okr.checkin.value)", NUMERICOID},
	{"okr.key_result.current_progress", FLOAT8OID}},
	[LOAD_PROJECTS] = {{"okr.project.id", INT8OID}, {"okr.project.key_result_id", INT8OID},
		{"okr.project.weight", FLOAT8OID}, {"okr.project.state", TEXTOID},
	{"effort total", FLOAT8OID}, {"effort done", FLOAT8OID}},
	[LOAD_EFFORT] = {{"okr.project_effort.project_id", INT8OID},
		{"okr.project_effort.effort_total_float", FLOAT8OID},
		{"okr.project_effort.effort_done_float", FLOAT8OID},
		{"okr.project_effort.effort_done", NUMERICOID},
	{"okr.project_effort.effort_total", NUMERICOID}},
	[LOAD_LATE] = {{"okr.task.project_id", INT8OID}, {"okr.task.effort", FLOAT8OID}},
	[LOAD_TASK_VERSIONS] = {{"okr.task_history.id", INT8OID}, {"okr.task_history.hid", INT8OID},
		{"okr.task_history.recorded_at", TIMESTAMPTZOID}, {"a deleted version", BOOLOID},
		{"okr.task_history.project_id", INT8OID}, {"okr.task_history.status", TEXTOID},
		{"okr.task_history.effort", FLOAT8OID}, {"okr.task_history.done_at", TIMESTAMPTZOID},
		{"the task exists", BOOLOID}, {"okr.task.project_id", INT8OID},
		{"okr.task.status", TEXTOID}, {"okr.task.effort", FLOAT8OID},
	{"okr.task.done_at", TIMESTAMPTZOID}},
	[LOAD_CHECKINS] = {{"okr.checkin.key_result_id", INT8OID}, {"okr.checkin.value", NUMERICOID},
	{"okr.checkin.checked_at", TIMESTAMPTZOID}},
	[LOAD_DONE] = {{"okr.task.project_id", INT8OID}, {"okr.task.effort", FLOAT8OID},
	{"okr.task.done_at", TIMESTAMPTZOID}},
};

/* okr.explain's columns (RowReceiver.explain_at on) */
static const LoadColumn explain_columns[][3] = {
	[LOAD_OBJECTIVES] = {{"okr.objective.title", TEXTOID}},
	[LOAD_KRS] = {{"okr.key_result.title", TEXTOID},
	{"okr.key_result.last_checkin_at", TIMESTAMPTZOID}},
	[LOAD_PROJECTS] = {{"okr.project.name", TEXTOID}},
};

/* Column i of the rows must be of col's type. */
static void
check_load_column(TupleDesc typeinfo, int i, const LoadColumn *col)
{
	Oid			got = i < typeinfo->natts ? TupleDescAttr(typeinfo, i)->atttypid : InvalidOid;

	if (got != col->type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("okr cannot read %s: it is of type %s, not %s",
						col->name,
						OidIsValid(got) ? format_type_be(got) : "(missing)",
						format_type_be(col->type)),
				 errhint("okr's tables must keep the column types that CREATE EXTENSION gave them; alter the column back.")));
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	LoadKind	kind = ((RowReceiver *) self)->kind;
	int			explain_at = ((RowReceiver *) self)->explain_at;
	const LoadColumn *cols = load_columns[kind];
	int			i;

	for (i = 0; i < MAX_LOAD_COLUMNS && cols[i].name; i++)
	{
		/* okr.explain's columns come next (the projects' effort comes later) */
		if (explain_at && i >= explain_at)
			break;
		/* the whole-organisation project query brings no effort (LOAD_EFFORT does) */
		if (kind == LOAD_PROJECTS && i >= 4 && typeinfo->natts == 4)
			break;
		/* and only Q_EFFORT_NUMERIC brings the numeric sum */
		if (kind == LOAD_EFFORT && i >= 3 && typeinfo->natts == 3)
			break;
		check_load_column(typeinfo, i, &cols[i]);
	}
	for (i = 0; explain_at && i < (int) lengthof(explain_columns[0]) && explain_columns[kind][i].name; i++)
		check_load_column(typeinfo, explain_at + i, &explain_columns[kind][i]);
}

static void
receiver_noop(DestReceiver *self)
{
}

static void
run_query(SPIPlanPtr *cache, const char *sql, bool subtree, TimestampTz as_of,
		  Datum subtree_ids, RowReceiver *rr, LoadKind kind)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT8ARRAYOID};
	ParamListInfo params = makeParamList(2);
	SPIExecuteOptions options;
	int			rc;

	params->params[0].value = TimestampTzGetDatum(as_of);
	params->params[0].isnull = false;
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[0].ptype = TIMESTAMPTZOID;
	params->params[1].value = subtree_ids;
	params->params[1].isnull = !subtree;
	params->params[1].pflags = PARAM_FLAG_CONST;
	params->params[1].ptype = INT8ARRAYOID;
	params->numParams = subtree ? 2 : 1;

	rr->kind = kind;
	rr->cap = 0;
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;	/* every query of one call: the caller's snapshot */
	options.dest = (DestReceiver *) rr;
	rc = SPI_execute_plan_extended(okr_spi_plan(cache, sql, subtree ? 2 : 1, argtypes),
								   &options);
	/* SPI reports a SELECT into a receiver of its own as SPI_OK_UTILITY */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "okr: rollup query failed: %s", SPI_result_code_string(rc));
}

/* A query of the organisation as it was: $1 as_of, $2 known_at, $3 pending. */
static void
run_past_query(SPIPlanPtr *cache, const char *sql, Rollup *r, bool pending,
			   RowReceiver *rr, LoadKind kind)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID};
	ParamListInfo params = makeParamList(3);
	SPIExecuteOptions options;
	int			i,
				rc;

	params->params[0].value = TimestampTzGetDatum(r->as_of);
	params->params[1].value = TimestampTzGetDatum(r->known_at);
	params->params[2].value = BoolGetDatum(pending);
	for (i = 0; i < 3; i++)
	{
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = argtypes[i];
	}
	params->numParams = 3;

	rr->kind = kind;
	rr->cap = 0;
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;
	options.dest = (DestReceiver *) rr;
	rc = SPI_execute_plan_extended(okr_spi_plan(cache, sql, 3, argtypes), &options);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "okr: rollup query failed: %s", SPI_result_code_string(rc));
}

/*
 * Rows in id order, whatever order the scans gave them in (the heap's, or
 * the history's): every sum over a parent's items then runs in id order,
 * so equal inputs give equal bits, now and in the past (SPEC 7).  Each row
 * struct starts with its int64 id; rows usually come sorted already.
 */
static int
id_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static void
sort_by_id(void *arr, int n, Size elem)
{
	int			i;
	int64		lo,
				hi;
	int		   *slot;
	char	   *sorted;
	uint64		range;

	for (i = 1; i < n; i++)
		if (id_cmp((char *) arr + (i - 1) * elem, (char *) arr + i * elem) > 0)
			break;
	if (i >= n)
		return;

	/*
	 * Out of order (rows updated since they were written sit elsewhere in
	 * the heap).  Ids are usually dense: place each row by its id, two
	 * copies a row, rather than qsort's swaps of whole structs (a fifth of
	 * the rollup at scale L).  Sparse or repeated ids fall back to qsort.
	 */
	lo = hi = *(const int64 *) arr;
	for (i = 1; i < n; i++)
	{
		int64		id = *(const int64 *) ((char *) arr + i * elem);

		lo = Min(lo, id);
		hi = Max(hi, id);
	}
	/* (the span in uint64: it does not overflow for any two int64) */
	if ((uint64) hi - (uint64) lo >= (uint64) n * 4 ||
		(uint64) hi - (uint64) lo >= MaxAllocSize / sizeof(int))
	{
		qsort(arr, n, elem, id_cmp);
		return;
	}
	range = (uint64) hi - (uint64) lo + 1;
	slot = palloc(range * sizeof(int));
	memset(slot, 0xff, range * sizeof(int));	/* -1: no row */
	for (i = 0; i < n; i++)
	{
		uint64		k = (uint64) *(const int64 *) ((char *) arr + i * elem) - (uint64) lo;

		if (slot[k] >= 0)
		{
			pfree(slot);
			qsort(arr, n, elem, id_cmp);
			return;
		}
		slot[k] = i;
	}
	sorted = palloc((Size) n * elem);
	{
		char	   *out = sorted;
		uint64		k;

		for (k = 0; k < range; k++)
			if (slot[k] >= 0)
			{
				memcpy(out, (char *) arr + (Size) slot[k] * elem, elem);
				out += elem;
			}
	}
	memcpy(arr, sorted, (Size) n * elem);
	pfree(sorted);
	pfree(slot);
}

static void effort_adjust(Rollup *r, RowReceiver *rr);
static void effort_unseen(Rollup *r, RowReceiver *rr);

/*
 * The effort of every loaded project (rr->project_map) at T: what moved
 * since (the tasks done after T; in the past, the tasks changed since M)
 * first, then the maintained sums, in numeric for the projects that moved.
 */
static void
load_effort(Rollup *r, RowReceiver *rr)
{
	int			i;
	bool		any = false;

	effort_adjust(r, rr);
	for (i = 0; i < r->nprojects && !any; i++)
		any = rr->adjust[i].done.any || rr->adjust[i].total.any;
	if (any)
	{
		run_query(&full_plans.effort_numeric, Q_EFFORT_NUMERIC, false, r->as_of, (Datum) 0,
				  rr, LOAD_EFFORT);
		effort_unseen(r, rr);
	}
	else
		run_query(&full_plans.effort, Q_EFFORT, false, r->as_of, (Datum) 0, rr, LOAD_EFFORT);
	rr->adjust = NULL;
}

/*
 * What the effort of each project at T needs on top of okr.project_effort
 * (rr->adjust): the tasks done after T; in the past, the tasks changed
 * since M.
 */
static void
effort_adjust(Rollup *r, RowReceiver *rr)
{
	rr->adjust = MemoryContextAllocZero(rr->cxt, Max(r->nprojects, 1) * sizeof(EffortAdjust));
	if (r->past)
		run_query(&past_plans.late, Q_LATE_LEDGER, false, r->as_of, (Datum) 0, rr, LOAD_LATE);
	else
		run_query(&full_plans.late, Q_LATE, false, r->as_of, (Datum) 0, rr, LOAD_LATE);
	if (r->past)
	{
		/*
		 * A task's latest version is its row now unless this transaction
		 * wrote tasks (their versions come at commit) or okr.task was
		 * truncated (its rows went, their versions stayed).
		 */
		rr->now_from_history = !okr_maint_tasks_written();
		if (rr->now_from_history)
		{
			if (SPI_execute_plan(okr_spi_plan(&past_plans.task_truncated, Q_TASK_TRUNCATED, 0, NULL),
								 NULL, NULL, true, 1) != SPI_OK_SELECT)
				elog(ERROR, "okr: could not read okr.history_truncated");
			rr->now_from_history = SPI_processed == 0;
		}
		rr->nversions = 0;
		if (rr->now_from_history)
			run_past_query(&past_plans.task_versions_latest, Q_TASK_VERSIONS_LATEST, r, false, rr,
						   LOAD_TASK_VERSIONS);
		else
			run_past_query(&past_plans.task_versions, Q_TASK_VERSIONS, r, false, rr, LOAD_TASK_VERSIONS);
		if (rr->nversions > 0)
			task_versions_end(r, rr);
	}
}

/* The adjusted projects without a row of okr.project_effort (deleted since) */
static void
effort_unseen(Rollup *r, RowReceiver *rr)
{
	MemoryContext old = MemoryContextSwitchTo(rr->cxt);
	int			i;

	for (i = 0; i < r->nprojects; i++)
	{
		EffortAdjust *a = &rr->adjust[i];

		if (a->seen || !(a->done.any || a->total.any))
			continue;
		r->projects[i].done_effort = exact_apply((Datum) 0, 0.0, &a->done);
		r->projects[i].total_effort = exact_apply((Datum) 0, 0.0, &a->total);
	}
	MemoryContextSwitchTo(old);
}

static void rollup_link(Rollup *r, MemoryContext cxt);

/* A receiver of rows into r's arrays, allocated in cxt */
static void
rollup_receiver_init(RowReceiver *rr, Rollup *r, MemoryContext cxt)
{
	memset(rr, 0, sizeof(*rr));
	rr->pub.receiveSlot = receive_row;
	rr->pub.rStartup = receiver_startup;
	rr->pub.rShutdown = receiver_noop;
	rr->pub.rDestroy = receiver_noop;
	rr->pub.mydest = DestNone;
	rr->r = r;
	rr->cxt = cxt;
	rr->rowcxt = AllocSetContextCreate(CurrentMemoryContext, "okr rollup row",
									   ALLOCSET_SMALL_SIZES);
}

/* Load all rows (subtree_ids = 0) or those of one subtree, into arrays
 * allocated in cxt, and link them.
 */
static void
rollup_load(Rollup *r, MemoryContext cxt, Datum subtree_ids)
{
	bool		sub = subtree_ids != (Datum) 0;
	RollupPlans *plans = sub ? &sub_plans : &full_plans;
	/* this transaction's changes are not in the maintained columns yet */
	bool		exact = okr_maint_pending();
	RollupPlans *exact_plans = sub ? &sub_exact_plans : &full_exact_plans;
	RowReceiver rr;
	MemoryContext old;
	IdMap		project_map;

	rollup_receiver_init(&rr, r, cxt);
	/* okr.explain's columns come with the whole organisation as it is now */
	r->explain_loaded = r->explain && !r->past && !sub && !exact &&
		okr_has_key_result_alignment();

	if (r->past)
	{
		/* the whole organisation as it was (subtree_ids unused) */
		run_past_query(&past_plans.cycles, Q_CYCLES_PAST, r, exact, &rr, LOAD_CYCLES);
		run_past_query(&past_plans.objectives, Q_OBJECTIVES_PAST, r, exact, &rr, LOAD_OBJECTIVES);
		if (r->known_at == DT_NOEND)
			run_past_query(&past_plans.krs_now, Q_KRS_PAST_NOW, r, exact, &rr, LOAD_KRS);
		else
			run_past_query(&past_plans.krs, Q_KRS_PAST, r, exact, &rr, LOAD_KRS);
		run_past_query(&past_plans.projects, Q_PROJECTS_PAST, r, exact, &rr, LOAD_PROJECTS);
		sort_by_id(r->projects, r->nprojects, sizeof(RProject));
		old = MemoryContextSwitchTo(cxt);
		idmap_build(&project_map, r->projects ? (const char *) &r->projects[0].id : NULL,
					sizeof(RProject), r->nprojects);
		MemoryContextSwitchTo(old);
		rr.project_map = &project_map;
		if (exact)
			run_past_query(&past_plans.effort_exact, Q_EFFORT_PAST_EXACT, r, exact, &rr, LOAD_EFFORT);
		else
			load_effort(r, &rr);
	}
	else
	{
		run_query(&plans->cycles, sub ? Q_CYCLES_SUB : Q_CYCLES, sub, r->as_of, subtree_ids, &rr, LOAD_CYCLES);
		if (r->explain_loaded)
		{
			rr.explain_at = 7;
			run_query(&explain_plans.objectives, Q_OBJECTIVES_EXPLAIN, false, r->as_of, (Datum) 0, &rr, LOAD_OBJECTIVES);
			rr.explain_at = 0;
		}
		else if (okr_has_key_result_alignment())
			run_query(&plans->objectives, sub ? Q_OBJECTIVES_SUB : Q_OBJECTIVES, sub, r->as_of, subtree_ids, &rr, LOAD_OBJECTIVES);
		else
			run_query(&objectives_10_plans[sub ? 1 : 0], sub ? Q_OBJECTIVES_SUB_10 : Q_OBJECTIVES_10,
					  sub, r->as_of, subtree_ids, &rr, LOAD_OBJECTIVES);
		if (exact)
		{
			run_query(&exact_plans->krs, sub ? Q_KRS_EXACT_SUB : Q_KRS_EXACT, sub, r->as_of, subtree_ids, &rr, LOAD_KRS);
			run_query(&exact_plans->projects, sub ? Q_PROJECTS_EXACT_SUB : Q_PROJECTS_EXACT, sub, r->as_of, subtree_ids, &rr, LOAD_PROJECTS);
		}
		else if (sub)
		{
			run_query(&plans->krs, Q_KRS_SUB, sub, r->as_of, subtree_ids, &rr, LOAD_KRS);
			run_query(&plans->projects, Q_PROJECTS_SUB, sub, r->as_of, subtree_ids, &rr, LOAD_PROJECTS);
		}
		else if (r->explain_loaded)
		{
			rr.explain_at = 9;
			run_query(&explain_plans.krs, Q_KRS_EXPLAIN, false, r->as_of, (Datum) 0, &rr, LOAD_KRS);
			rr.explain_at = 4;
			run_query(&explain_plans.projects, Q_PROJECTS_EXPLAIN, false, r->as_of, (Datum) 0, &rr, LOAD_PROJECTS);
			rr.explain_at = 0;
		}
		else
		{
			run_query(&plans->krs, Q_KRS, sub, r->as_of, subtree_ids, &rr, LOAD_KRS);
			run_query(&plans->projects, Q_PROJECTS_PLAIN, sub, r->as_of, subtree_ids, &rr, LOAD_PROJECTS);
		}
		if (!exact && !sub)
		{
			sort_by_id(r->projects, r->nprojects, sizeof(RProject));
			old = MemoryContextSwitchTo(cxt);
			idmap_build(&project_map, r->projects ? (const char *) &r->projects[0].id : NULL,
						sizeof(RProject), r->nprojects);
			MemoryContextSwitchTo(old);
			rr.project_map = &project_map;
			load_effort(r, &rr);
		}
	}
	MemoryContextDelete(rr.rowcxt);
	rollup_link(r, cxt);
}

/* Sort the loaded rows by id and link children to parents (cxt: the maps). */
static void
rollup_link(Rollup *r, MemoryContext cxt)
{
	MemoryContext old;
	IdMap		cycle_map,
				objective_map,
				kr_map;
	int			i;

	sort_by_id(r->cycles, r->ncycles, sizeof(RCycle));
	sort_by_id(r->objectives, r->nobjectives, sizeof(RObjective));
	sort_by_id(r->krs, r->nkrs, sizeof(RKeyResult));
	sort_by_id(r->projects, r->nprojects, sizeof(RProject));

	old = MemoryContextSwitchTo(cxt);
	if (r->keep_values)
		idmap_build(&r->project_map,
					r->projects ? (const char *) &r->projects[0].id : NULL,
					sizeof(RProject), r->nprojects);
	idmap_build(&cycle_map, r->cycles ? (const char *) &r->cycles[0].id : NULL,
				sizeof(RCycle), r->ncycles);
	idmap_build(&objective_map, r->objectives ? (const char *) &r->objectives[0].id : NULL,
				sizeof(RObjective), r->nobjectives);
	idmap_build(&kr_map, r->krs ? (const char *) &r->krs[0].id : NULL,
				sizeof(RKeyResult), r->nkrs);
	if (r->keep_values)
		r->kr_map = kr_map;
	MemoryContextSwitchTo(old);

	/* link children to parents; backwards, so sibling lists come out in id order */
	for (i = r->nkrs; i-- > 0;)
	{
		RKeyResult *k = &r->krs[i];

		k->objective = idmap_get(&objective_map, k->objective_id);
		if (k->objective >= 0)
		{
			k->next_kr = r->objectives[k->objective].first_kr;
			r->objectives[k->objective].first_kr = i;
		}
	}

	/*
	 * An objective aligned to a key result sits below that key result's
	 * objective in the tree (so the walk orders it first) and counts only
	 * through the key result (SPEC 1b).
	 */
	for (i = r->nobjectives; i-- > 0;)
	{
		RObjective *o = &r->objectives[i];

		o->cycle = idmap_get(&cycle_map, o->cycle_id);
		o->parent = o->has_parent ? idmap_get(&objective_map, o->parent_id) : -1;
		if (o->has_parent_kr)
		{
			o->via_kr = idmap_get(&kr_map, o->parent_kr_id);
			if (o->via_kr >= 0)
			{
				RKeyResult *k = &r->krs[o->via_kr];

				o->parent = k->objective;
				o->next_aligned = k->first_aligned;
				k->first_aligned = i;
			}
		}
		if (o->parent >= 0)
		{
			o->next_sibling = r->objectives[o->parent].first_child;
			r->objectives[o->parent].first_child = i;
		}
	}
	for (i = r->nprojects; i-- > 0;)
	{
		RProject   *p = &r->projects[i];

		p->key_result = idmap_get(&kr_map, p->key_result_id);
		if (p->key_result >= 0)
		{
			p->next_project = r->krs[p->key_result].first_project;
			r->krs[p->key_result].first_project = i;
		}
	}
}

/* ---------------------------------------------------------------------
 * An earlier moment from a later one (okr_rollup_at_from)
 * --------------------------------------------------------------------- */

/*
 * The ids whose rows the earlier moment must not take from the later one
 * (table 0 objectives, 1 key results, 2 projects): those changed since M,
 * sorted, in cxt.  Their versions at M come from the history instead, when
 * they existed then; most are also among those rows, but not all: an id
 * deleted and inserted again, say, is gone by its versions (H_VERSIONS)
 * while the later moment, read from today's tables, has its row.
 */
static void
changed_ids(Rollup *r, MemoryContext cxt, int64 **ids, int *nids)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID};
	Datum		values[3] = {TimestampTzGetDatum(r->as_of), TimestampTzGetDatum(r->known_at),
	BoolGetDatum(false)};
	uint64		i;
	int			t;

	if (SPI_execute_plan(okr_spi_plan(&past_plans.changed_ids, Q_CHANGED_IDS, 3, argtypes),
						 values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "okr: reading the rows changed since the moment failed");
	for (t = 0; t < 3; t++)
	{
		ids[t] = MemoryContextAlloc(cxt, Max(SPI_processed, 1) * sizeof(int64));
		nids[t] = 0;
	}
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int			table = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));

		if (table < 0 || table > 2)
			elog(ERROR, "okr: unexpected table %d", table);
		ids[table][nids[table]++] = id;
	}
	SPI_freetuptable(SPI_tuptable);
	for (t = 0; t < 3; t++)
		qsort(ids[t], nids[t], sizeof(int64), id_cmp);
}

/*
 * The ids to leave out of the later moment's rows: those changed, and
 * those the earlier moment's own query brought (rows [0, n) of arr).
 */
static int64 *
skip_ids(MemoryContext cxt, const int64 *changed, int nchanged, const void *arr, int n,
		 Size elem, int *nskip)
{
	int64	   *ids = MemoryContextAlloc(cxt, Max(nchanged + n, 1) * sizeof(int64));
	int			i;

	memcpy(ids, changed, nchanged * sizeof(int64));
	for (i = 0; i < n; i++)
		ids[nchanged + i] = *(const int64 *) ((const char *) arr + i * elem);
	qsort(ids, nchanged + n, sizeof(int64), id_cmp);
	*nskip = nchanged + n;
	return ids;
}

#define ROW_ID(arr, i, elem) (*(const int64 *) ((const char *) (arr) + (Size) (i) * (elem)))

/*
 * The rows of one table at the earlier moment, in id order: rows [0, *n)
 * of arr (its own, read from the history: few) merged with the later
 * moment's rows (in id order) but those whose ids skip holds, each made by
 * copy().  rollup_link then finds them sorted.
 */
static void *
merge_rows(MemoryContext cxt, void *arr, int *n, const void *later, int nlater, Size elem,
		   const int64 *skip, int nskip, void (*copy) (void *dst, const void *src))
{
	char	   *out = MemoryContextAlloc(cxt, Max(*n + nlater, 1) * elem);
	int			i = 0,
				j = 0,
				s = 0,
				m = 0;

	if (*n > 1)
		qsort(arr, *n, elem, id_cmp);
	for (;;)
	{
		/* the later moment's next row not skipped */
		while (j < nlater)
		{
			int64		id = ROW_ID(later, j, elem);

			while (s < nskip && skip[s] < id)
				s++;
			if (s < nskip && skip[s] == id)
				j++;
			else
				break;
		}
		if (i >= *n && j >= nlater)
			break;
		if (j >= nlater || (i < *n && ROW_ID(arr, i, elem) < ROW_ID(later, j, elem)))
			memcpy(out + (Size) m * elem, (char *) arr + (Size) i++ * elem, elem);
		else
			copy(out + (Size) m * elem, (const char *) later + (Size) j++ * elem);
		m++;
	}
	*n = m;
	return out;
}

/* A later moment's row, its definition only (links and figures reset) */
static void
copy_objective(void *dst, const void *src)
{
	const RObjective *s = src;
	RObjective *o = dst;

	memset(o, 0, sizeof(RObjective));
	o->id = s->id;
	o->has_parent = s->has_parent;
	o->parent_id = s->parent_id;
	o->has_parent_kr = s->has_parent_kr;
	o->parent_kr_id = s->parent_kr_id;
	o->cycle_id = s->cycle_id;
	o->weight = s->weight;
	o->use_krs = s->use_krs;
	o->use_children = s->use_children;
	o->state = s->state;
	o->first_child = o->next_sibling = o->first_kr = -1;
	o->via_kr = o->next_aligned = -1;
}

/* ... a key result's with its value-based progress: at its current value */
static void
copy_kr(void *dst, const void *src)
{
	const RKeyResult *s = src;
	RKeyResult *k = dst;

	memset(k, 0, sizeof(RKeyResult));
	k->id = s->id;
	k->objective_id = s->objective_id;
	k->kind = s->kind;
	k->weight = s->weight;
	k->state = s->state;
	k->progress = s->progress;
	k->first_project = k->next_kr = k->first_aligned = -1;
}

/* ... a project's without its effort (load_effort reads it) */
static void
copy_project(void *dst, const void *src)
{
	const RProject *s = src;
	RProject   *p = dst;

	memset(p, 0, sizeof(RProject));
	p->id = s->id;
	p->key_result_id = s->key_result_id;
	p->weight = s->weight;
	p->state = s->state;
	p->next_project = -1;
}

/*
 * load_effort at the earlier moment: a project with nothing to adjust
 * whose effort the later moment took as okr.project_effort has it takes
 * the same figures; the others are read by id (or, when they are many, as
 * load_effort reads them).
 */
static void
load_effort_from(Rollup *r, RowReceiver *rr, const Rollup *later)
{
	Datum	   *ids = palloc(Max(r->nprojects, 1) * sizeof(Datum));
	int			nids = 0,
				i,
				j = 0;

	effort_adjust(r, rr);
	for (i = 0; i < r->nprojects; i++)
	{
		RProject   *p = &r->projects[i];

		while (j < later->nprojects && later->projects[j].id < p->id)
			j++;
		if (!(rr->adjust[i].done.any || rr->adjust[i].total.any) &&
			j < later->nprojects && later->projects[j].id == p->id &&
			later->projects[j].effort_maintained)
		{
			p->total_effort = later->projects[j].total_effort;
			p->done_effort = later->projects[j].done_effort;
			p->effort_maintained = true;
		}
		else
			ids[nids++] = Int64GetDatum(p->id);
	}
	if (nids > r->nprojects / 4)
		run_query(&full_plans.effort_numeric, Q_EFFORT_NUMERIC, false, r->as_of, (Datum) 0,
				  rr, LOAD_EFFORT);
	else if (nids > 0)
		run_query(&past_plans.effort_ids, Q_EFFORT_NUMERIC_IDS, true, r->as_of,
				  PointerGetDatum(construct_array(ids, nids, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)),
				  rr, LOAD_EFFORT);
	effort_unseen(r, rr);
	rr->adjust = NULL;
	pfree(ids);
}

/*
 * Load the organisation at r's moment (past, no changes pending) from the
 * later moment's rows: every row not changed since M as the later moment
 * has it (its definition; a key result's value-based progress too, its
 * value at T being its current one), the others from their versions.  The
 * effort is loaded as for any past moment (load_effort).
 */
static void
rollup_load_from(Rollup *r, const Rollup *later, MemoryContext cxt)
{
	RowReceiver rr;
	MemoryContext old;
	IdMap		project_map;
	int64	   *changed[3];
	int			nchanged[3];
	int64	   *skip;
	int			nskip;

	rollup_receiver_init(&rr, r, cxt);
	run_past_query(&past_plans.cycles, Q_CYCLES_PAST, r, false, &rr, LOAD_CYCLES);
	changed_ids(r, cxt, changed, nchanged);

	/* objectives */
	run_past_query(&past_plans.objectives_from, Q_OBJECTIVES_FROM, r, false, &rr, LOAD_OBJECTIVES);
	skip = skip_ids(cxt, changed[0], nchanged[0], r->objectives, r->nobjectives, sizeof(RObjective), &nskip);
	r->objectives = merge_rows(cxt, r->objectives, &r->nobjectives, later->objectives, later->nobjectives,
							   sizeof(RObjective), skip, nskip, copy_objective);

	/* key results: those changed, and those whose value at T is not the current one */
	if (r->known_at == DT_NOEND)
		run_past_query(&past_plans.krs_from_now, Q_KRS_FROM_NOW, r, false, &rr, LOAD_KRS);
	else
		run_past_query(&past_plans.krs_from, Q_KRS_FROM, r, false, &rr, LOAD_KRS);
	skip = skip_ids(cxt, changed[1], nchanged[1], r->krs, r->nkrs, sizeof(RKeyResult), &nskip);
	r->krs = merge_rows(cxt, r->krs, &r->nkrs, later->krs, later->nkrs, sizeof(RKeyResult),
						skip, nskip, copy_kr);

	/* projects, then their effort at T */
	run_past_query(&past_plans.projects_from, Q_PROJECTS_FROM, r, false, &rr, LOAD_PROJECTS);
	skip = skip_ids(cxt, changed[2], nchanged[2], r->projects, r->nprojects, sizeof(RProject), &nskip);
	r->projects = merge_rows(cxt, r->projects, &r->nprojects, later->projects, later->nprojects,
							 sizeof(RProject), skip, nskip, copy_project);
	sort_by_id(r->projects, r->nprojects, sizeof(RProject));
	old = MemoryContextSwitchTo(cxt);
	idmap_build(&project_map, r->projects ? (const char *) &r->projects[0].id : NULL,
				sizeof(RProject), r->nprojects);
	MemoryContextSwitchTo(old);
	rr.project_map = &project_map;
	load_effort_from(r, &rr, later);

	MemoryContextDelete(rr.rowcxt);
	rollup_link(r, cxt);
}

/* ---------------------------------------------------------------------
 * Computing
 * --------------------------------------------------------------------- */

/*
 * Objectives breadth-first from the roots of the loaded set; walked in
 * reverse, every child comes before its parent.  Objectives not reached
 * (only possible with a damaged cycle) are left out and stay NULL.
 */
static void
rollup_order(Rollup *r)
{
	int			head = 0,
				tail = 0,
				i;

	r->order = palloc(sizeof(int) * Max(r->nobjectives, 1));
	for (i = 0; i < r->nobjectives; i++)
		if (r->objectives[i].parent < 0)
			r->order[tail++] = i;
	while (head < tail)
	{
		int			c;

		for (c = r->objectives[r->order[head]].first_child; c >= 0;
			 c = r->objectives[c].next_sibling)
			r->order[tail++] = c;
		head++;
	}
	r->norder = tail;
}

/* All figures from the projects' effort and the value-based key results'
 * progress; can be run again after either changes (history). */
static void
rollup_compute(Rollup *r)
{
	int			i;

	/* projects */
	for (i = 0; i < r->nprojects; i++)
	{
		RProject   *p = &r->projects[i];

		if (p->total_effort > 0)
			p->progress = p->done_effort / p->total_effort;
		else
			p->progress = (p->state == RS_DONE) ? 1.0 : 0.0;
	}

	/* key results: activity from all their projects' tasks; kind projects
	 * takes the weighted mean of its non-cancelled projects (0 with none) */
	for (i = 0; i < r->nkrs; i++)
	{
		RKeyResult *k = &r->krs[i];
		double		sum_wp = 0.0,
					sum_w = 0.0;
		int			pi;

		double		wmax = 0.0;

		/* weights are scaled by the largest, so huge ones cannot overflow */
		for (pi = k->first_project; pi >= 0; pi = r->projects[pi].next_project)
			if (r->projects[pi].state != RS_CANCELLED)
				wmax = Max(wmax, r->projects[pi].weight);
		k->done_effort = k->total_effort = 0.0;
		for (pi = k->first_project; pi >= 0; pi = r->projects[pi].next_project)
		{
			RProject   *p = &r->projects[pi];

			k->done_effort += p->done_effort;
			k->total_effort += p->total_effort;
			if (rollup_project_reason(k, p) == RR_COUNTED)
			{
				sum_wp += (p->weight / wmax) * p->progress;
				sum_w += p->weight / wmax;
			}
		}
		if (k->kind == OKR_KR_PROJECTS)
		{
			k->progress = sum_w > 0 ? sum_wp / sum_w : 0.0;
			k->counted_w = sum_w;
			k->wmax = wmax;
		}
	}

	for (i = 0; i < r->nobjectives; i++)
	{
		r->objectives[i].progress_null = true;
		r->objectives[i].done_effort = r->objectives[i].total_effort = 0.0;
	}

	/* expected progress of key results: the share of their cycle elapsed */
	for (i = 0; i < r->nkrs; i++)
	{
		RKeyResult *k = &r->krs[i];
		int			cycle = k->objective >= 0 ? r->objectives[k->objective].cycle : -1;

		k->progress_null = false;
		k->expected_null = cycle < 0;
		k->expected = cycle >= 0 ? r->cycles[cycle].expected : 0.0;
	}

	for (i = r->norder; i-- > 0;)
	{
		RObjective *o = &r->objectives[r->order[i]];
		double		sum_wp = 0.0,
					sum_we = 0.0,
					sum_w = 0.0,
					wmax = 0.0;
		int			ki,
					c;

		/*
		 * Key results of kind objectives, from the objectives aligned to
		 * them (all below o, so already computed): the weighted mean of the
		 * active or closed ones' progress and expected progress, NULL with
		 * none.  Every aligned objective's tasks count in the key result's
		 * activity, whatever its kind.
		 */
		for (ki = o->first_kr; ki >= 0; ki = r->krs[ki].next_kr)
		{
			RKeyResult *k = &r->krs[ki];
			double		kwp = 0.0,
						kwe = 0.0,
						kw = 0.0,
						kmax = 0.0;

			for (c = k->first_aligned; c >= 0; c = r->objectives[c].next_aligned)
				kmax = Max(kmax, r->objectives[c].weight);
			for (c = k->first_aligned; c >= 0; c = r->objectives[c].next_aligned)
			{
				RObjective *ch = &r->objectives[c];

				k->done_effort += ch->done_effort;
				k->total_effort += ch->total_effort;
				if (rollup_aligned_reason(k, ch) == RR_COUNTED)
				{
					kwp += (ch->weight / kmax) * ch->progress;
					kwe += (ch->weight / kmax) * ch->expected;
					kw += ch->weight / kmax;
				}
			}
			if (k->kind == OKR_KR_OBJECTIVES)
			{
				k->progress_null = !(kw > 0);
				k->progress = k->progress_null ? 0.0 : kwp / kw;
				k->counted_w = kw;
				k->wmax = kmax;
				if (kw > 0)
				{
					k->expected = kwe / kw;
					k->expected_null = false;
				}
			}
		}

		/* weights are scaled by the largest, so huge ones cannot overflow */
		for (ki = o->first_kr; ki >= 0; ki = r->krs[ki].next_kr)
			wmax = Max(wmax, r->krs[ki].weight);
		for (c = o->first_child; c >= 0; c = r->objectives[c].next_sibling)
			wmax = Max(wmax, r->objectives[c].weight);

		for (ki = o->first_kr; ki >= 0; ki = r->krs[ki].next_kr)
		{
			RKeyResult *k = &r->krs[ki];

			o->done_effort += k->done_effort;
			o->total_effort += k->total_effort;
			if (rollup_kr_reason(o, k) == RR_COUNTED)
			{
				sum_wp += (k->weight / wmax) * k->progress;
				sum_we += (k->weight / wmax) * k->expected;
				sum_w += k->weight / wmax;
			}
		}
		for (c = o->first_child; c >= 0; c = r->objectives[c].next_sibling)
		{
			RObjective *ch = &r->objectives[c];

			if (ch->via_kr >= 0)
				continue;		/* counted through its key result */
			o->done_effort += ch->done_effort;
			o->total_effort += ch->total_effort;
			if (rollup_objective_child_reason(o, ch) == RR_COUNTED)
			{
				sum_wp += (ch->weight / wmax) * ch->progress;
				sum_we += (ch->weight / wmax) * ch->expected;
				sum_w += ch->weight / wmax;
			}
		}
		o->progress_null = !(sum_w > 0);
		o->progress = o->progress_null ? 0.0 : sum_wp / sum_w;
		o->counted_w = sum_w;
		o->wmax = wmax;

		/*
		 * Expected progress (SPEC 3, changed in 1.1): that of the items
		 * counted, with their weights, so a child of a later quarter does
		 * not make an annual parent look behind; else its own cycle's.
		 */
		o->expected_null = false;
		if (sum_w > 0)
			o->expected = sum_we / sum_w;
		else if (o->cycle >= 0)
			o->expected = r->cycles[o->cycle].expected;
		else
			o->expected_null = true;
	}
}

/* ---------------------------------------------------------------------
 * Output
 * --------------------------------------------------------------------- */


/*
 * Status (SPEC 3): an item that is not active reports its state, and so do
 * its parts (changed in 1.1): its own state first, then a cancelled key
 * result's, then its objective's.  Child objectives keep their own.
 */
static const char *
item_status(Rollup *r, RState own, bool kr_cancelled, RState objective, int cycle,
			ItemFigures *f)
{
	if (own != RS_ACTIVE)
		return rstate_names[own];
	if (kr_cancelled)
		return rstate_names[RS_CANCELLED];
	if (objective != RS_ACTIVE)
		return rstate_names[objective];
	if (cycle < 0 || f->expected_null)
		return NULL;			/* cycle invisible to the caller */
	if (!r->cycles[cycle].started)
		return "not_started";
	return okr_status_name(f->progress_null, f->progress, f->expected);
}

static void
objective_figures(Rollup *r, int i, ItemFigures *f)
{
	RObjective *o = &r->objectives[i];

	f->item = "objective";
	f->id = o->id;
	f->parent_item = o->has_parent ? "objective" : o->has_parent_kr ? "key_result" : NULL;
	f->parent_id = o->has_parent ? o->parent_id : o->parent_kr_id;
	f->cycle_id = &o->cycle_id;
	f->progress_null = o->progress_null;
	f->progress = o->progress;
	f->done = o->done_effort;
	f->total = o->total_effort;
	f->expected_null = o->expected_null;
	f->expected = o->expected;
	f->status = item_status(r, o->state, false, RS_ACTIVE, o->cycle, f);
}

static void
kr_figures(Rollup *r, int i, ItemFigures *f)
{
	RKeyResult *k = &r->krs[i];
	RObjective *o = k->objective >= 0 ? &r->objectives[k->objective] : NULL;

	f->item = "key_result";
	f->id = k->id;
	f->parent_item = "objective";
	f->parent_id = k->objective_id;
	f->cycle_id = o ? &o->cycle_id : NULL;
	f->progress_null = k->progress_null;
	f->progress = k->progress;
	f->done = k->done_effort;
	f->total = k->total_effort;
	f->expected_null = k->expected_null;
	f->expected = k->expected;
	f->status = item_status(r, k->state, false, o ? o->state : RS_ACTIVE,
							o ? o->cycle : -1, f);
}

static void
project_figures(Rollup *r, int i, ItemFigures *f)
{
	RProject   *p = &r->projects[i];
	RKeyResult *k = p->key_result >= 0 ? &r->krs[p->key_result] : NULL;
	RObjective *o = (k && k->objective >= 0) ? &r->objectives[k->objective] : NULL;
	int			cycle = o ? o->cycle : -1;

	f->item = "project";
	f->id = p->id;
	f->parent_item = "key_result";
	f->parent_id = p->key_result_id;
	f->cycle_id = o ? &o->cycle_id : NULL;
	f->progress_null = false;
	f->progress = p->progress;
	f->done = p->done_effort;
	f->total = p->total_effort;
	f->expected_null = cycle < 0;
	f->expected = cycle >= 0 ? r->cycles[cycle].expected : 0.0;
	f->status = item_status(r, p->state, k && k->state == RS_CANCELLED,
							o ? o->state : RS_ACTIVE, cycle, f);
}

/* The call's text datum for s (built in the current memory context). */
Datum
okr_rollup_text(TextCache *tc, const char *s)
{
	int			i;

	for (i = 0; i < tc->n; i++)
		if (tc->keys[i] == s)
			return tc->values[i];
	if (tc->n == lengthof(tc->keys))
		return CStringGetTextDatum(s);
	tc->keys[tc->n] = s;
	tc->values[tc->n] = CStringGetTextDatum(s);
	return tc->values[tc->n++];
}

/* The row of okr.progress(), or with at of okr.progress_history(). */
static void
put_row(ReturnSetInfo *rsinfo, Rollup *r, const TimestampTz *at, const ItemFigures *f)
{
	Datum		values[9];
	bool		nulls[9];
	int			n = 0;

	memset(nulls, 0, sizeof(nulls));
	if (at)
		values[n++] = TimestampTzGetDatum(*at);
	values[n++] = okr_rollup_text(&r->texts, f->item);
	values[n++] = Int64GetDatum(f->id);
	if (!at)
	{
		if (f->parent_item)
			values[n] = okr_rollup_text(&r->texts, f->parent_item);
		nulls[n++] = f->parent_item == NULL;
		values[n] = Int64GetDatum(f->parent_id);
		nulls[n++] = f->parent_item == NULL;
		values[n] = f->cycle_id ? Int64GetDatum(*f->cycle_id) : (Datum) 0;
		nulls[n++] = f->cycle_id == NULL;
	}
	values[n] = Float8GetDatum(f->progress);
	nulls[n++] = f->progress_null;
	values[n] = Float8GetDatum(f->total > 0 ? f->done / f->total : 0.0);
	nulls[n++] = !(f->total > 0);
	values[n] = Float8GetDatum(f->expected);
	nulls[n++] = f->expected_null;
	if (f->status)
		values[n] = okr_rollup_text(&r->texts, f->status);
	nulls[n++] = f->status == NULL;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* Run the engine inside SPI; allocations go to a context that dies with it. */
static void
rollup_run(Rollup *r, MemoryContext cxt, Datum subtree_ids)
{
	MemoryContext old;

	rollup_load(r, cxt, subtree_ids);
	old = MemoryContextSwitchTo(cxt);
	rollup_order(r);
	MemoryContextSwitchTo(old);
	rollup_compute(r);
}

/*
 * The moment of a call: as_of, and known_at (NULL: as known now).  The
 * organisation is read as it was (Rollup.past) unless it is now: as_of at
 * or after the transaction's start, known now (or later).  Inside SPI.
 */
static void
rollup_moment(Rollup *r, TimestampTz as_of, bool known_null, TimestampTz known_at)
{
	TimestampTz start = GetCurrentTransactionStartTimestamp();

	r->as_of = as_of;
	r->known_at = known_null ? DT_NOEND : known_at;
	/* the tables of 1.0 (before ALTER EXTENSION UPDATE) have no history */
	if (!okr_has_key_result_alignment())
		return;
	if (!known_null && TIMESTAMP_NOT_FINITE(known_at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("known_at must be a finite moment"),
				 errhint("Leave known_at NULL for what is known now.")));
	/* before the history horizon (the upgrade, okr.forget_history) */
	if (!known_null || as_of < start)
	{
		static SPIPlanPtr plan = NULL;
		Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		values[2] = {TimestampTzGetDatum(known_at), TimestampTzGetDatum(as_of)};
		const char *nulls = known_null ? "n " : "  ";

		if (SPI_execute_plan(okr_spi_plan(&plan,
										  "SELECT horizon::text, reason, $1 IS NOT NULL AND horizon > $1"
										  " FROM okr.history_horizon"
										  " WHERE ($1 IS NOT NULL AND horizon > $1) OR (as_of_too AND horizon > $2)",
										  2, argtypes),
							 values, nulls, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "okr: reading okr.history_horizon failed");
		if (SPI_processed > 0)
		{
			bool		isnull;
			bool		known_before = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
																  SPI_tuptable->tupdesc, 3, &isnull));

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("okr's history starts at %s (%s): %s %s is before it",
							SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
							SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
							known_before ? "known_at" : "as_of",
							timestamptz_to_str(known_before ? known_at : as_of)),
					 errhint("Ask for a moment at or after the start of history%s.",
							 known_before ? ", or leave known_at NULL" : "")));
		}
	}
	r->past = as_of < start || r->known_at < start;
}

Datum
okr_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz as_of;
	MemoryContext work,
				old;
	OkrSpiState st;
	OkrAccess  *acc;
	Rollup		r;
	ItemFigures f;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;		/* as the STRICT function of 1.0 */
	as_of = PG_GETARG_TIMESTAMPTZ(0);

	work = AllocSetContextCreate(CurrentMemoryContext, "okr rollup",
								 ALLOCSET_DEFAULT_SIZES);
	memset(&r, 0, sizeof(r));

	okr_access_require_select();
	acc = okr_access_read(work);
	okr_spi_enter(&st, okr_access_owner());
	rollup_moment(&r, as_of, PG_NARGS() < 2 || PG_ARGISNULL(1),
				  PG_NARGS() < 2 || PG_ARGISNULL(1) ? 0 : PG_GETARG_TIMESTAMPTZ(1));
	rollup_run(&r, work, (Datum) 0);
	okr_spi_leave(&st);

	/* tuplestore rows are built in the per-query context of the SRF */
	old = MemoryContextSwitchTo(work);
	for (i = 0; i < r.nobjectives; i++)
	{
		if (okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, r.objectives[i].id))
			continue;
		objective_figures(&r, i, &f);
		put_row(rsinfo, &r, NULL, &f);
	}
	for (i = 0; i < r.nkrs; i++)
	{
		if (okr_access_hidden(acc, OKR_ACCESS_KEY_RESULT, r.krs[i].id))
			continue;
		kr_figures(&r, i, &f);
		put_row(rsinfo, &r, NULL, &f);
	}
	for (i = 0; i < r.nprojects; i++)
	{
		if (okr_access_hidden(acc, OKR_ACCESS_PROJECT, r.projects[i].id))
			continue;
		project_figures(&r, i, &f);
		put_row(rsinfo, &r, NULL, &f);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	return (Datum) 0;
}

/*
 * The ids of an objective's subtree (with the objectives aligned to its key
 * results), as a bigint[] (inside SPI).  Walked with LATERAL probes of
 * objective_parent_idx and objective_parent_key_result_idx per node (OFFSET 0 keeps the
 * planner from turning it into a scan of the whole table per level).  An
 * unknown (or invisible) objective is an error.  With limit > 0 the walk
 * stops after that many ids (the recursion is read lazily): enough to know
 * the subtree is too large for the subtree queries.
 */
static Datum
subtree_ids(int64 objective_id, OkrAccess *acc, int limit)
{
	static SPIPlanPtr plans[2] = {NULL, NULL};	/* 1.1 tables, 1.0 tables */
	bool		links = okr_has_key_result_alignment();
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(objective_id), Int64GetDatum(limit)};
	Datum		ids;
	bool		isnull;
	int			rc;

	rc = SPI_execute_plan(okr_spi_plan(&plans[links ? 0 : 1], links ?
									   "WITH RECURSIVE sub(id) AS ("
									   " SELECT id FROM okr.objective WHERE id = $1"
									   " UNION"
									   " SELECT c.id FROM sub, LATERAL (SELECT o.id FROM okr.objective o"
									   "  WHERE o.parent_id = sub.id"
									   "  UNION ALL SELECT o.id FROM okr.key_result k"
									   "  JOIN okr.objective o ON o.parent_key_result_id = k.id"
									   "  WHERE k.objective_id = sub.id OFFSET 0) c)"
									   " SELECT array_agg(id) FROM (SELECT id FROM sub LIMIT $2) s" :
									   "WITH RECURSIVE sub(id) AS ("
									   " SELECT id FROM okr.objective WHERE id = $1"
									   " UNION"
									   " SELECT c.id FROM sub, LATERAL (SELECT o.id FROM okr.objective o"
									   "  WHERE o.parent_id = sub.id OFFSET 0) c)"
									   " SELECT array_agg(id) FROM (SELECT id FROM sub LIMIT $2) s",
									   2, argtypes),
						  values, limit > 0 ? "  " : " n", true, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "okr: subtree query failed");
	ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull || okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, objective_id))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("objective " INT64_FORMAT " does not exist", objective_id)));
	return ids;
}

/*
 * Roll up what objective_id's figure needs (inside SPI, as the owner): its
 * subtree, or the whole organisation as it was (the subtree of then);
 * returns the objective's index.  Also okr_rollup_objective (explain.c).
 */
static int
rollup_objective(Rollup *r, MemoryContext work, OkrAccess *acc, int64 objective_id,
				 TimestampTz as_of, bool known_null, TimestampTz known_at)
{
	Datum		ids;
	int			i;

	rollup_moment(r, as_of, known_null, known_at);
	/* as it was: the subtree of then, from the whole organisation of then */
	ids = r->past ? (Datum) 0 : subtree_ids(objective_id, acc, SUBTREE_FULL_SCAN + 1);

	/*
	 * A large subtree costs less through the whole-organisation queries
	 * (sequential scans, one pass over recent tasks) than through one probe
	 * per node; the objective is then picked from the full result.
	 */
	if (ids != (Datum) 0 &&
		ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(ids)),
					   ARR_DIMS(DatumGetArrayTypeP(ids))) > SUBTREE_FULL_SCAN)
		ids = (Datum) 0;
	rollup_run(r, work, ids);
	for (i = 0; i < r->nobjectives; i++)
		if (r->objectives[i].id == objective_id)
			break;
	if (i == r->nobjectives || okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, objective_id))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 r->past ? errmsg("objective " INT64_FORMAT " did not exist at %s", objective_id,
								  timestamptz_to_str(as_of)) :
				 errmsg("objective " INT64_FORMAT " does not exist", objective_id)));
	return i;
}

/*
 * objective_progress(objective_id, as_of): the same engine over the
 * objective's subtree only; every query is a join from the subtree's ids,
 * so the cost follows the subtree's size.  An unknown (or invisible) objective is an error.
 */
Datum
okr_objective_progress(PG_FUNCTION_ARGS)
{
	int64		objective_id;
	TimestampTz as_of;
	MemoryContext work;
	OkrSpiState st;
	Rollup		r;
	OkrAccess  *acc;
	int			i;
	bool		result_null;
	double		result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();		/* as the STRICT function of 1.0 */
	objective_id = PG_GETARG_INT64(0);
	as_of = PG_GETARG_TIMESTAMPTZ(1);
	work = AllocSetContextCreate(CurrentMemoryContext, "okr rollup",
								 ALLOCSET_DEFAULT_SIZES);
	memset(&r, 0, sizeof(r));

	okr_access_require_select();
	acc = okr_access_read(work);
	okr_spi_enter(&st, okr_access_owner());
	i = rollup_objective(&r, work, acc, objective_id, as_of, PG_NARGS() < 3 || PG_ARGISNULL(2),
						 PG_NARGS() < 3 || PG_ARGISNULL(2) ? 0 : PG_GETARG_TIMESTAMPTZ(2));
	result_null = r.objectives[i].progress_null;
	result = r.objectives[i].progress;
	okr_spi_leave(&st);
	MemoryContextDelete(work);

	if (result_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* ---------------------------------------------------------------------
 * progress_history(from_ts, to_ts, step [, objective_id])
 *
 * okr.progress() at every moment from_ts, from_ts + step, ... <= to_ts, for
 * objectives and key results, in one pass: the rows are loaded once, every
 * check-in and task completion up to to_ts once, in time order, and the
 * sweep applies them as it goes, rolling the tree up at each moment.  The
 * cost is one load plus (steps x rows) in memory, not one rollup per step.
 * --------------------------------------------------------------------- */


#define Q_CHECKINS \
	"SELECT c.key_result_id, c.value, c.checked_at FROM okr.checkin c" \
	" WHERE c.checked_at <= $1 ORDER BY c.checked_at, c.id"
#define Q_CHECKINS_SUB \
	"SELECT c.key_result_id, c.value, c.checked_at" \
	" FROM unnest($2) s(id) JOIN okr.key_result k ON k.objective_id = s.id" \
	" JOIN okr.checkin c ON c.key_result_id = k.id" \
	" WHERE c.checked_at <= $1 ORDER BY c.checked_at, c.id"
#define Q_DONE \
	"SELECT t.project_id, t.effort, t.done_at FROM okr.task t" \
	" WHERE t.status = 'done' AND t.done_at <= $1 ORDER BY t.done_at"
#define Q_DONE_SUB \
	"SELECT t.project_id, t.effort, t.done_at" \
	" FROM unnest($2) s(id) JOIN okr.key_result k ON k.objective_id = s.id" \
	" JOIN okr.project p ON p.key_result_id = k.id JOIN okr.task t ON t.project_id = p.id" \
	" WHERE t.status = 'done' AND t.done_at <= $1 ORDER BY t.done_at"

PG_FUNCTION_INFO_V1(okr_progress_history);

/*
 * t + step, or false when that is past to_ts.  The sum is computed only
 * when it cannot leave timestamptz's range, or else in a subtransaction:
 * a series that ends near the end of time (a to_ts in year 294276, a step
 * of 2147483647 months) stops at to_ts instead of failing.  Bounds in
 * microseconds, whatever the months' lengths and the zone's shifts.
 */
static bool
next_moment(TimestampTz t, Interval *step, TimestampTz to_ts, TimestampTz *next)
{
	const double day = (double) USECS_PER_DAY;
	double		lo = (step->month >= 0 ? 28.0 : 31.0) * day * step->month +
		day * step->day + (double) step->time - 2 * day;
	double		hi = (step->month >= 0 ? 31.0 : 28.0) * day * step->month +
		day * step->day + (double) step->time + 2 * day;
	volatile bool ok = true;

	if ((double) t + lo > (double) to_ts)
		return false;
	if ((double) t + hi < (double) END_TIMESTAMP && (double) t + lo > (double) MIN_TIMESTAMP)
		*next = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														TimestampTzGetDatum(t),
														PointerGetDatum(step)));
	else if (IsInParallelMode())
		*next = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														TimestampTzGetDatum(t),
														PointerGetDatum(step)));
	else
	{
		MemoryContext cxt = CurrentMemoryContext;
		ResourceOwner owner = CurrentResourceOwner;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			*next = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
															TimestampTzGetDatum(t),
															PointerGetDatum(step)));
			ReleaseCurrentSubTransaction();
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			if (edata->sqlerrcode != ERRCODE_DATETIME_VALUE_OUT_OF_RANGE)
				ReThrowError(edata);
			FreeErrorData(edata);
			ok = false;			/* beyond the end of time, so past to_ts */
		}
		PG_END_TRY();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	return ok && *next <= to_ts;
}

/*
 * The moments from_ts, from_ts + step, ... <= to_ts.  A step that does not
 * move forward is refused, and so is a series whose rows (items at each
 * moment) would exceed okr.history_max_rows.
 */
static TimestampTz *
history_moments(TimestampTz from_ts, TimestampTz to_ts, Interval *step, int items,
				int *nmoments)
{
	int64		per_moment = Max(items, 1);
	int			cap = 64;
	int			n = 1;
	TimestampTz *moments = palloc(sizeof(TimestampTz) * cap);
	TimestampTz next;

	moments[0] = from_ts;
	while (next_moment(moments[n - 1], step, to_ts, &next))
	{
		CHECK_FOR_INTERRUPTS();
		if (next <= moments[n - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("step must be a positive interval")));
		if ((int64) (n + 1) * per_moment > okr_history_max_rows)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("progress history would return more than okr.history_max_rows = %d rows (%d items at each of more than %d moments)",
							okr_history_max_rows, items, n),
					 errhint("Use a longer step, a shorter range or one objective's subtree; a superuser can raise okr.history_max_rows.")));
		if (n == cap)
		{
			cap *= 2;
			moments = repalloc(moments, sizeof(TimestampTz) * cap);
		}
		moments[n++] = next;
	}
	*nmoments = n;
	return moments;
}

/*
 * Did the structure the sweep reads from today's tables move after from_ts?
 * Then the moments of the series must each be rolled up as they were (SPEC
 * 7).  Deletes do not count (as known now a deleted row never was), nor do
 * check-ins (they carry their own time), nor a task's plain completion (its
 * done_at is an event of the sweep); an update of a cycle, objective, key
 * result or project does, and a task that moved, changed its effort, was
 * cancelled or restored, or left done (or changed done_at while done).
 */
#define Q_STRUCTURE_MOVED \
	"SELECT EXISTS (SELECT FROM okr.cycle_history h WHERE h.recorded_at > $1 AND h.action = 'update')" \
	" OR EXISTS (SELECT FROM okr.objective_history h WHERE h.recorded_at > $1 AND h.action = 'update')" \
	" OR EXISTS (SELECT FROM okr.key_result_history h WHERE h.recorded_at > $1 AND h.action = 'update')" \
	" OR EXISTS (SELECT FROM okr.project_history h WHERE h.recorded_at > $1 AND h.action = 'update')" \
	" OR EXISTS (SELECT FROM (SELECT h.recorded_at, h.action, h.project_id, h.effort, h.status, h.done_at," \
	"   lag(h.project_id) OVER w AS p0, lag(h.effort) OVER w AS e0, lag(h.status) OVER w AS s0," \
	"   lag(h.done_at) OVER w AS d0" \
	"   FROM okr.task_history h WHERE h.id IN (SELECT c.id FROM okr.task_history c" \
	"    WHERE c.recorded_at > $1 AND c.action = 'update')" \
	"   WINDOW w AS (PARTITION BY h.id ORDER BY h.hid)) v" \
	"  WHERE v.recorded_at > $1 AND v.action = 'update'" \
	"   AND (v.project_id IS DISTINCT FROM v.p0 OR v.effort IS DISTINCT FROM v.e0" \
	"    OR (v.status = 'cancelled') IS DISTINCT FROM (v.s0 = 'cancelled')" \
	"    OR (v.s0 = 'done' AND (v.status <> 'done' OR v.done_at IS DISTINCT FROM v.d0))))"

static bool
structure_moved_since(TimestampTz from_ts)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(from_ts)};
	bool		isnull;

	if (!okr_has_key_result_alignment())
		return false;			/* the tables of 1.0: no history */
	if (SPI_execute_plan(okr_spi_plan(&plan, Q_STRUCTURE_MOVED, 1, argtypes),
						 values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "okr: reading the history of the structure failed");
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* Is objective i in the subtree of root_id (itself or below it)? */
static bool
in_subtree(Rollup *r, int i, int64 root_id)
{
	int			depth = 0;

	for (; i >= 0 && depth <= r->nobjectives; i = r->objectives[i].parent, depth++)
		if (r->objectives[i].id == root_id)
			return true;
	return false;
}

/*
 * progress_history when the structure moved: every moment rolled up as it
 * was, one full rollup each (the subtree picked from it).
 */
static void
history_by_moments(ReturnSetInfo *rsinfo, OkrAccess *acc, TimestampTz from_ts,
				   TimestampTz to_ts, Interval *step, bool sub, int64 root_id,
				   MemoryContext work)
{
	TimestampTz *moments;
	int			nmoments = 0,
				m,
				i;
	Rollup		r;
	ItemFigures f;
	MemoryContext each = AllocSetContextCreate(work, "okr history moment",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;

	/* the limit counts the items of the organisation of now */
	memset(&r, 0, sizeof(r));
	rollup_moment(&r, to_ts, true, 0);
	rollup_run(&r, each, (Datum) 0);
	old = MemoryContextSwitchTo(work);
	moments = history_moments(from_ts, to_ts, step, r.nobjectives + r.nkrs, &nmoments);
	MemoryContextSwitchTo(old);
	MemoryContextReset(each);

	for (m = 0; m < nmoments; m++)
	{
		TimestampTz t = moments[m];
		bool	   *keep;

		CHECK_FOR_INTERRUPTS();
		memset(&r, 0, sizeof(r));
		rollup_moment(&r, t, true, 0);
		rollup_run(&r, each, (Datum) 0);
		old = MemoryContextSwitchTo(each);
		keep = palloc0(sizeof(bool) * Max(r.nobjectives, 1));
		for (i = 0; i < r.nobjectives; i++)
			keep[i] = !sub || in_subtree(&r, i, root_id);
		for (i = 0; i < r.nobjectives; i++)
		{
			if (!keep[i] || okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, r.objectives[i].id))
				continue;
			objective_figures(&r, i, &f);
			put_row(rsinfo, &r, &t, &f);
		}
		for (i = 0; i < r.nkrs; i++)
		{
			if (r.krs[i].objective < 0 || !keep[r.krs[i].objective] ||
				okr_access_hidden(acc, OKR_ACCESS_KEY_RESULT, r.krs[i].id))
				continue;
			kr_figures(&r, i, &f);
			put_row(rsinfo, &r, &t, &f);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(each);
	}
}

Datum
okr_progress_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	static RollupPlans checkin_plans;	/* .cycles: full, .objectives: subtree */
	static RollupPlans done_plans;
	TimestampTz from_ts,
				to_ts;
	Interval   *step;
	TimestampTz *moments;
	int			nmoments = 0;
	MemoryContext work,
				scratch,
				old;
	OkrSpiState st;
	OkrAccess  *acc;
	Rollup		r;
	ItemFigures f;
	History		h;
	RowReceiver rr;
	Datum		ids = (Datum) 0;
	bool		sub = !PG_ARGISNULL(3);
	int			ci = 0,
				di = 0,
				m,
				i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return (Datum) 0;
	from_ts = PG_GETARG_TIMESTAMPTZ(0);
	to_ts = PG_GETARG_TIMESTAMPTZ(1);
	step = PG_GETARG_INTERVAL_P(2);
	if (TIMESTAMP_NOT_FINITE(from_ts) || TIMESTAMP_NOT_FINITE(to_ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("progress history needs finite from_ts and to_ts")));
	if (from_ts > to_ts)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_ts must not be after to_ts")));

	work = AllocSetContextCreate(CurrentMemoryContext, "okr history",
								 ALLOCSET_DEFAULT_SIZES);
	memset(&r, 0, sizeof(r));
	memset(&h, 0, sizeof(h));
	r.as_of = to_ts;
	r.keep_values = true;

	okr_access_require_select();
	acc = okr_access_read(work);
	okr_spi_enter(&st, okr_access_owner());
	if (sub)
		ids = subtree_ids(PG_GETARG_INT64(3), acc, 0);
	if (structure_moved_since(from_ts))
	{
		history_by_moments(rsinfo, acc, from_ts, to_ts, step, sub,
						   sub ? PG_GETARG_INT64(3) : 0, work);
		okr_spi_leave(&st);
		MemoryContextDelete(work);
		return (Datum) 0;
	}
	rollup_load(&r, work, ids);

	/* the events, in time order */
	memset(&rr, 0, sizeof(rr));
	rr.pub.receiveSlot = receive_row;
	rr.pub.rStartup = receiver_startup;
	rr.pub.rShutdown = receiver_noop;
	rr.pub.rDestroy = receiver_noop;
	rr.pub.mydest = DestNone;
	rr.r = &r;
	rr.cxt = work;
	rr.history = &h;
	run_query(sub ? &checkin_plans.objectives : &checkin_plans.cycles,
			  sub ? Q_CHECKINS_SUB : Q_CHECKINS, sub, to_ts, ids, &rr, LOAD_CHECKINS);
	run_query(sub ? &done_plans.objectives : &done_plans.cycles,
			  sub ? Q_DONE_SUB : Q_DONE, sub, to_ts, ids, &rr, LOAD_DONE);
	okr_spi_leave(&st);

	old = MemoryContextSwitchTo(work);
	moments = history_moments(from_ts, to_ts, step, r.nobjectives + r.nkrs, &nmoments);
	rollup_order(&r);
	scratch = AllocSetContextCreate(work, "okr history scratch", ALLOCSET_SMALL_SIZES);

	/* before any event: no value, nothing done */
	for (i = 0; i < r.nkrs; i++)
		r.krs[i].progress = 0.0;
	for (i = 0; i < r.nprojects; i++)
		r.projects[i].done_effort = 0.0;

	for (m = 0; m < nmoments; m++)
	{
		TimestampTz t = moments[m];

		CHECK_FOR_INTERRUPTS();
		/* check-ins up to t, oldest first: the latest (then highest id) wins */
		for (; ci < h.ncheckins && h.checkins[ci].at <= t; ci++)
		{
			RKeyResult *k = &r.krs[h.checkins[ci].kr];

			if (k->kind == OKR_KR_PROJECTS)
				continue;
			MemoryContextSwitchTo(scratch);
			if (!okr_kr_progress_numeric(k->kind, k->start, k->start_null,
										 k->target, k->target_null,
										 h.checkins[ci].value, false,
										 &k->progress, NULL))
				k->progress = 0.0;
			MemoryContextSwitchTo(work);
			MemoryContextReset(scratch);
		}
		for (; di < h.ndone && h.done[di].at <= t; di++)
			r.projects[h.done[di].project].done_effort += h.done[di].effort;

		for (i = 0; i < r.ncycles; i++)
		{
			r.cycles[i].expected = okr_expected_progress(r.cycles[i].starts_on,
														 r.cycles[i].ends_on, t);
			r.cycles[i].started = t >= okr_date_start(r.cycles[i].starts_on);
		}
		rollup_compute(&r);

		for (i = 0; i < r.nobjectives; i++)
		{
			if (okr_access_hidden(acc, OKR_ACCESS_OBJECTIVE, r.objectives[i].id))
				continue;
			objective_figures(&r, i, &f);
			put_row(rsinfo, &r, &t, &f);
		}
		for (i = 0; i < r.nkrs; i++)
		{
			if (okr_access_hidden(acc, OKR_ACCESS_KEY_RESULT, r.krs[i].id))
				continue;
			kr_figures(&r, i, &f);
			put_row(rsinfo, &r, &t, &f);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * For explain.c (rollup.h): the same engine and figures, one way
 * --------------------------------------------------------------------- */

const char *
okr_rollup_state_name(RState state)
{
	return rstate_names[state];
}

int
okr_rollup_objective(Rollup *r, MemoryContext cxt, OkrAccess *acc, int64 objective_id,
					 TimestampTz as_of, bool known_null, TimestampTz known_at)
{
	return rollup_objective(r, cxt, acc, objective_id, as_of, known_null, known_at);
}

void
okr_rollup_objective_figures(Rollup *r, int i, ItemFigures *f)
{
	objective_figures(r, i, f);
}

void
okr_rollup_kr_figures(Rollup *r, int i, ItemFigures *f)
{
	kr_figures(r, i, f);
}

void
okr_rollup_project_figures(Rollup *r, int i, ItemFigures *f)
{
	project_figures(r, i, f);
}

/*
 * For changes.c (rollup.h): the whole organisation at (as_of, known_at)
 * given later, the same organisation already rolled up at a moment not
 * before as_of with the same known_at: its rows are shared where they
 * cannot differ.  Otherwise (the moment is now, this transaction has
 * changes pending, the tables of 1.0) a rollup of its own.
 */
void
okr_rollup_at_from(Rollup *r, const Rollup *later, MemoryContext cxt, TimestampTz as_of,
				   bool known_null, TimestampTz known_at)
{
	MemoryContext old;

	rollup_moment(r, as_of, known_null, known_at);
	if (!r->past || okr_maint_pending() || !okr_has_key_result_alignment() ||
		later->explain || later->known_at != r->known_at || later->as_of < as_of)
	{
		rollup_run(r, cxt, (Datum) 0);
		return;
	}
	rollup_load_from(r, later, cxt);
	old = MemoryContextSwitchTo(cxt);
	rollup_order(r);
	MemoryContextSwitchTo(old);
	rollup_compute(r);
}

/* For forecast.c (rollup.h): the whole organisation, as okr.progress() */
void
okr_rollup_at(Rollup *r, MemoryContext cxt, TimestampTz as_of, bool known_null,
			  TimestampTz known_at)
{
	rollup_moment(r, as_of, known_null, known_at);
	rollup_run(r, cxt, (Datum) 0);
}
