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

CREATE OR REPLACE FUNCTION okr.progress(as_of timestamptz DEFAULT okr.as_of())
RETURNS TABLE (
    item        text,
    id          bigint,
    parent_item text,
    parent_id   bigint,
    cycle_id    bigint,
    progress    double precision,
    activity    double precision,
    expected    double precision,
    status      text)
AS 'MODULE_PATHNAME', 'okr_progress'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 1000;

CREATE OR REPLACE FUNCTION okr.objective_progress(objective_id bigint, as_of timestamptz DEFAULT okr.as_of())
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_objective_progress'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
