-- okr 1.1: forgetting history (SPEC 7, doc/history.md).  Appended whole to
-- the 1.0 -> 1.1 update script.

-- Removes the versions recorded before a moment that no moment from then
-- on needs: of each row it keeps the version in force then, and a row
-- deleted before then goes with all its versions (as known from then on it
-- never existed).  The scores of objectives closed before then are kept in
-- okr.frozen_score first.  The moment becomes the history horizon: an
-- as_of or known_at before it is then an error.  Run by the owner of okr's
-- tables (the history tables are its own).
CREATE FUNCTION okr.forget_history(before timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    t text;
    n bigint;
    removed bigint := 0;
BEGIN
    IF before IS NULL OR NOT pg_catalog.isfinite(before) THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = 'okr.forget_history needs a finite moment';
    END IF;
    IF before > pg_catalog.now() THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format('okr.forget_history: %s is in the future', before),
            HINT = 'History can only be forgotten up to now.';
    END IF;
    IF before <= (SELECT h.horizon FROM okr.history_horizon h) THEN
        RETURN 0;   -- forgotten already
    END IF;
    -- one at a time, and no writer in between: their history is written at commit
    LOCK TABLE okr.cycle, okr.team, okr.objective, okr.key_result, okr.checkin, okr.project, okr.task
        IN SHARE MODE;
    -- the scores of the objectives closed before then, as they stand
    INSERT INTO okr.frozen_score (id, score)
    SELECT o.id, okr.objective_score(o.id)
      FROM okr.objective o
     WHERE o.state = 'closed'
       AND (SELECT min(h.recorded_at) FROM okr.objective_history h
             WHERE h.id = o.id AND h.state = 'closed'
               AND h.hid > COALESCE((SELECT max(x.hid) FROM okr.objective_history x
                                      WHERE x.id = o.id AND x.state <> 'closed'), 0)) < before
    ON CONFLICT (id) DO UPDATE SET score = EXCLUDED.score;
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task'] LOOP
        EXECUTE pg_catalog.format(
            'DELETE FROM okr.%1$I h WHERE h.recorded_at < $1'
            ' AND (EXISTS (SELECT FROM okr.%1$I d WHERE d.id = h.id AND d.action = ''delete'' AND d.recorded_at < $1)'
            '      OR EXISTS (SELECT FROM okr.%1$I l WHERE l.id = h.id AND l.recorded_at < $1 AND l.hid > h.hid))',
            t || '_history') USING before;
        GET DIAGNOSTICS n = ROW_COUNT;
        removed := removed + n;
    END LOOP;
    INSERT INTO okr.history_horizon (id, horizon, reason, as_of_too)
    VALUES (1, before, 'okr.forget_history', true)
    ON CONFLICT (id) DO UPDATE SET horizon = EXCLUDED.horizon, reason = EXCLUDED.reason, as_of_too = true;
    RETURN removed;
END;
$function$;
COMMENT ON FUNCTION okr.forget_history(timestamptz) IS
'Remove the history recorded before a moment (SPEC 7): keeps each row''s version in force then and the scores of objectives closed by then; moments before it are then an error. Returns the number of versions removed.';
REVOKE ALL ON FUNCTION okr.forget_history(timestamptz) FROM PUBLIC;
