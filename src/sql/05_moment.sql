-- okr 1.1: the moment a session is pinned to (SPEC 8, src/guc.c).
--
-- okr.as_of() and okr.known_at() read the settings okr.as_of and
-- okr.known_at, parsed where they are used (in the session time zone), so a
-- bad value is an error (22007) wherever a view or a function asks for it,
-- never silently now.  Every reporting view computes at okr.as_of(), and
-- every function whose moment is left out defaults to it.  Triggers and link
-- rules never read them: a check-in is checked against the real clock.
-- STABLE: a setting may change between statements, not within one.

CREATE FUNCTION okr.as_of()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'okr_as_of'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.as_of() IS
'The moment okr''s views and functions compute at: the okr.as_of setting (a timestamptz, session time zone), or now() when it is empty';

CREATE FUNCTION okr.known_at()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'okr_known_at'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION okr.known_at() IS
'The okr.known_at setting as a timestamptz (only what had been recorded by then counts), or NULL when it is empty (everything recorded)';
