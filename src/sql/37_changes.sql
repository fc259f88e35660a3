-- okr 1.1: what changed between two moments (SPEC 8, doc/analysts.md
-- "What changed since last week?").  Appended whole to the 1.0 -> 1.1
-- update script (Makefile).
--
-- In C (src/changes.c): both moments are the rollup's, the earlier one
-- rolled up from the later one's rows (only what changed since is read
-- again), compared by id in memory; access by team leaves out of both
-- what the caller may not read, as okr.progress does.  The definitions,
-- check-ins, tasks and titles are read from the tables and their history
-- as the caller (SECURITY INVOKER), so their row-level security applies
-- too: a reader sees no title, version, check-in or task it could not
-- select itself.  test/pgtap/changes_random.sql keeps the definition of
-- 1.1's first release, in SQL, as its reference.
CREATE FUNCTION okr.changes(from_ts timestamptz, to_ts timestamptz DEFAULT okr.as_of())
RETURNS TABLE (
    item            text,
    id              bigint,
    title           text,
    progress_before double precision,
    progress_after  double precision,
    delta           double precision,
    status_before   text,
    status_after    text,
    checkins        bigint,
    tasks_done      bigint,
    changed         text[])
AS 'MODULE_PATHNAME', 'okr_changes'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100
-- (changes.c pins both for its own queries too; kept on the function as 1.1
-- first declared it)
SET search_path = pg_catalog, pg_temp
SET jit = off;
COMMENT ON FUNCTION okr.changes(timestamptz, timestamptz) IS
'What changed between from_ts and to_ts (default okr.as_of()), as known now or at okr.known_at(): every objective, key result and project whose progress or status moved, that got check-ins (key results) or finished tasks (projects) dated in (from_ts, to_ts], or whose definition changed (changed names the columns; created, deleted), with progress and status at both moments (doc/analysts.md)';
