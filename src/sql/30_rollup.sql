-- okr 1.0: hierarchical progress (SPEC 3), computed in C.
--
-- PARALLEL RESTRICTED (1.1): inside a writing transaction these read what
-- only the writing backend knows (its changes not yet applied to the
-- maintained columns, maintain.c), so they must not run in a worker.

-- known_at (1.1, SPEC 7): only what had been recorded by then; NULL for
-- what is known now.  Not STRICT, so that known_at may be NULL; a NULL as_of
-- gives no rows, as in 1.0.  Left out, both are the session's pinned
-- moment (SPEC 8): okr.as_of() (now unless set) and okr.known_at().
CREATE FUNCTION okr.progress(as_of timestamptz DEFAULT okr.as_of(), known_at timestamptz DEFAULT okr.known_at())
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
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION okr.progress(timestamptz, timestamptz) IS
'Progress, activity, expected progress and status of every objective, key result and project as of a moment, the organisation as it was then (SPEC 7); with known_at, as it was known at that moment';

CREATE FUNCTION okr.objective_progress(objective_id bigint, as_of timestamptz DEFAULT okr.as_of(),
                                       known_at timestamptz DEFAULT okr.known_at())
RETURNS double precision
AS 'MODULE_PATHNAME', 'okr_objective_progress'
-- COST: a rollup of the subtree, so that the planner tests cheap filters
-- first rather than calling it for rows another condition drops (1.1)
LANGUAGE C STABLE PARALLEL RESTRICTED COST 1000;
COMMENT ON FUNCTION okr.objective_progress(bigint, timestamptz, timestamptz) IS
'Progress of one objective as of a moment (as known at known_at, or now), computed from its own subtree only; NULL when nothing under it is scored';

-- The last instant of a cycle in the session time zone: the end of ends_on.
CREATE FUNCTION okr.cycle_end(cycle_id bigint)
RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ((c.ends_on + 1)::timestamptz - interval '1 microsecond')
      FROM okr.cycle c WHERE c.id = cycle_end.cycle_id;
END;
COMMENT ON FUNCTION okr.cycle_end(bigint) IS
'The last microsecond of a cycle (end of its ends_on day, session time zone): the moment its score is taken';

-- Score: progress as of the end of the objective's cycle.  A closed
-- objective's score stays as it was when it was closed (SPEC 7): okr's
-- history trigger keeps it in okr.frozen_score at the close (and the
-- upgrade from 1.0 for those closed then), so later corrections under it
-- do not rewrite it unless it is reopened.  Without a kept score (a closed
-- row loaded with triggers off), as known at its latest closing.  After
-- okr.forget_history, an objective without a kept score whose cycle ended
-- before the horizon has none (NULL), as in the views, not an error.
CREATE FUNCTION okr.objective_score(objective_id bigint)
RETURNS double precision
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE WHEN o.state = 'closed' AND EXISTS (SELECT FROM okr.frozen_score f WHERE f.id = o.id)
                THEN (SELECT f.score FROM okr.frozen_score f WHERE f.id = o.id)
                -- (1.1) an end before the history horizon is forgotten: no score
                WHEN EXISTS (SELECT FROM okr.history_horizon z
                              WHERE z.as_of_too AND z.horizon > okr.cycle_end(o.cycle_id))
                THEN NULL
                ELSE okr.objective_progress(o.id, okr.cycle_end(o.cycle_id),
                         COALESCE((SELECT min(h.recorded_at) FROM okr.objective_history h
                                    WHERE o.state = 'closed' AND h.id = o.id AND h.state = 'closed'
                                      AND h.hid > COALESCE((SELECT max(n.hid) FROM okr.objective_history n
                                                             WHERE n.id = o.id AND n.state <> 'closed'), 0)
                                      AND h.recorded_at >= COALESCE((SELECT z.horizon FROM okr.history_horizon z), '-infinity')),
                                  okr.known_at()))
           END
      FROM okr.objective o
     WHERE o.id = objective_score.objective_id;
END;
COMMENT ON FUNCTION okr.objective_score(bigint) IS
'Score of an objective: its progress as of the end of its cycle (see okr.grade); for a closed objective, as known when it was closed';

-- Progress over time, for trend and burn-up charts: what okr.progress()
-- reported at every moment of a series, in one pass.
CREATE FUNCTION okr.progress_history(from_ts timestamptz, to_ts timestamptz, step interval,
                                     objective_id bigint DEFAULT NULL)
RETURNS TABLE (
    as_of    timestamptz,
    item     text,
    id       bigint,
    progress double precision,
    activity double precision,
    expected double precision,
    status   text)
AS 'MODULE_PATHNAME', 'okr_progress_history'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 10000;
COMMENT ON FUNCTION okr.progress_history(timestamptz, timestamptz, interval, bigint) IS
'For each moment from_ts, from_ts + step, ... up to to_ts: every objective''s and key result''s progress, activity, expected progress and status as okr.progress would have reported then (objective_id: only that subtree). The step must be positive; at most okr.history_max_rows rows (moments times items).';
