-- Issue 15 (pinned moments, SPEC 8) ------------------------------------------
-- (The Makefile puts this after src/sql/05_moment.sql, which creates
-- okr.as_of(): the defaults below call it.)
--
-- A moment left out means okr.as_of(): the setting okr.as_of, or now().
-- CREATE OR REPLACE keeps each function (its oid, grants and the views of
-- users that call it), which DROP and CREATE would not; PostgreSQL allows
-- it in an update script only for a function that is already a member.
CREATE OR REPLACE FUNCTION okr.expected_progress(starts_on date, ends_on date, as_of timestamptz DEFAULT okr.as_of())
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_expected_progress_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- okr.progress and okr.objective_progress take a known_at too (issue 14):
-- they are dropped above and created again by src/sql/30_rollup.sql, with
-- both moments defaulting to the session's.
