-- okr 1.1: what a load with triggers off can break (README "Data safety").
--
-- The link rules live in triggers, and foreign keys are triggers too: a bulk
-- load made with session_replication_role = replica (the path
-- okr.refresh_maintained() is for) skips all of them.  CHECK and NOT NULL
-- constraints still hold.  okr.refresh_maintained() recomputes what is
-- derived; what it cannot fix, rows that break a rule, this function lists,
-- one row per problem, so that they can be corrected by hand.  It runs as
-- its caller and sees what the caller may read.

CREATE FUNCTION okr.check_integrity()
RETURNS TABLE (item text, id bigint, rule text, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    -- references that their foreign keys would have refused
    SELECT 'objective', o.id, 'foreign key', format('cycle %s does not exist', o.cycle_id)
      FROM okr.objective o WHERE NOT EXISTS (SELECT FROM okr.cycle c WHERE c.id = o.cycle_id)
    UNION ALL
    SELECT 'objective', o.id, 'foreign key', format('parent objective %s does not exist', o.parent_id)
      FROM okr.objective o
     WHERE o.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM okr.objective p WHERE p.id = o.parent_id)
    UNION ALL
    SELECT 'objective', o.id, 'foreign key', format('team %s does not exist', o.team_id)
      FROM okr.objective o
     WHERE o.team_id IS NOT NULL AND NOT EXISTS (SELECT FROM okr.team t WHERE t.id = o.team_id)
    UNION ALL
    SELECT 'cycle', c.id, 'foreign key', format('parent cycle %s does not exist', c.parent_id)
      FROM okr.cycle c
     WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM okr.cycle p WHERE p.id = c.parent_id)
    UNION ALL
    SELECT 'team', t.id, 'foreign key', format('parent team %s does not exist', t.parent_id)
      FROM okr.team t
     WHERE t.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM okr.team p WHERE p.id = t.parent_id)
    UNION ALL
    SELECT 'key_result', k.id, 'foreign key', format('objective %s does not exist', k.objective_id)
      FROM okr.key_result k WHERE NOT EXISTS (SELECT FROM okr.objective o WHERE o.id = k.objective_id)
    UNION ALL
    SELECT 'checkin', ci.id, 'foreign key', format('key result %s does not exist', ci.key_result_id)
      FROM okr.checkin ci WHERE NOT EXISTS (SELECT FROM okr.key_result k WHERE k.id = ci.key_result_id)
    UNION ALL
    SELECT 'project', p.id, 'foreign key', format('key result %s does not exist', p.key_result_id)
      FROM okr.project p WHERE NOT EXISTS (SELECT FROM okr.key_result k WHERE k.id = p.key_result_id)
    UNION ALL
    SELECT 'task', t.id, 'foreign key', format('project %s does not exist', t.project_id)
      FROM okr.task t WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = t.project_id)
    UNION ALL
    -- rule 1: a row whose chain of parents comes back to it, or goes deeper
    -- than okr.max_depth (each walk stops one level past the bound)
    SELECT w.item, w.start, 'rule 1',
           CASE WHEN w.looped THEN 'its parents lead back to it'
                ELSE format('it sits deeper than okr.max_depth (%s)', okr_max_depth.n) END
      FROM (
        WITH RECURSIVE up(item, start, id, n) AS (
            SELECT 'objective', o.id, o.parent_id, 1 FROM okr.objective o WHERE o.parent_id IS NOT NULL
            UNION ALL
            SELECT 'team', t.id, t.parent_id, 1 FROM okr.team t WHERE t.parent_id IS NOT NULL
            UNION ALL
            SELECT 'cycle', c.id, c.parent_id, 1 FROM okr.cycle c WHERE c.parent_id IS NOT NULL
            UNION ALL
            SELECT up.item, up.start,
                   CASE up.item
                       WHEN 'objective' THEN (SELECT o.parent_id FROM okr.objective o WHERE o.id = up.id)
                       WHEN 'team' THEN (SELECT t.parent_id FROM okr.team t WHERE t.id = up.id)
                       ELSE (SELECT c.parent_id FROM okr.cycle c WHERE c.id = up.id) END,
                   up.n + 1
              FROM up
             WHERE up.id IS NOT NULL AND up.id <> up.start
               AND up.n < coalesce(nullif(current_setting('okr.max_depth', true), '')::integer, 1000)
        )
        SELECT up.item, up.start, bool_or(up.id = up.start) AS looped,
               max(up.n) FILTER (WHERE up.id IS NOT NULL) AS n
          FROM up GROUP BY up.item, up.start
      ) w,
      -- the setting exists once okr's library is loaded; 1000 is its default
      LATERAL (SELECT coalesce(nullif(current_setting('okr.max_depth', true), '')::integer, 1000) AS n) okr_max_depth
     WHERE w.looped OR w.n >= okr_max_depth.n
    UNION ALL
    -- rule 2: alignment within the parent's cycle, child cycles inside parents
    SELECT 'objective', o.id, 'rule 2',
           format('its cycle %s is not within the cycle %s of its parent objective %s', c.id, pc.id, p.id)
      FROM okr.objective o JOIN okr.objective p ON p.id = o.parent_id
      JOIN okr.cycle c ON c.id = o.cycle_id JOIN okr.cycle pc ON pc.id = p.cycle_id
     WHERE NOT (pc.starts_on <= c.starts_on AND pc.ends_on >= c.ends_on)
    UNION ALL
    SELECT 'cycle', c.id, 'rule 2', format('it does not lie within its parent cycle %s', p.id)
      FROM okr.cycle c JOIN okr.cycle p ON p.id = c.parent_id
     WHERE NOT (p.starts_on <= c.starts_on AND p.ends_on >= c.ends_on)
    UNION ALL
    -- rule 3: values that fit the kind
    SELECT 'key_result', k.id, 'rule 3',
           CASE k.kind
               WHEN 'metric' THEN 'a metric needs start_value and target_value, and they differ'
               WHEN 'milestone' THEN 'a milestone goes from 0 to 1'
               ELSE format('kind %s needs a target_value', k.kind) END
      FROM okr.key_result k
     WHERE (k.kind = 'metric' AND (k.start_value IS NULL OR k.target_value IS NULL
                                   OR k.start_value = k.target_value))
        OR (k.kind IN ('at_least', 'at_most') AND k.target_value IS NULL)
        OR (k.kind = 'milestone' AND (k.start_value IS DISTINCT FROM 0 OR k.target_value IS DISTINCT FROM 1))
    UNION ALL
    SELECT 'checkin', ci.id, 'rule 3',
           CASE WHEN k.kind IN ('projects', 'objectives') THEN format('key result %s of kind %s takes no check-ins', k.id, k.kind)
                       ELSE format('a check-in of milestone key result %s is 0 or 1', k.id) END
      FROM okr.checkin ci JOIN okr.key_result k ON k.id = ci.key_result_id
     WHERE k.kind IN ('projects', 'objectives') OR (k.kind = 'milestone' AND ci.value NOT IN (0, 1))
    UNION ALL
    -- rule 5: check-ins inside the cycle, in this session's time zone
    SELECT 'checkin', ci.id, 'rule 5', format('checked_at %s lies outside cycle %s', ci.checked_at, c.id)
      FROM okr.checkin ci JOIN okr.key_result k ON k.id = ci.key_result_id
      JOIN okr.objective o ON o.id = k.objective_id JOIN okr.cycle c ON c.id = o.cycle_id
     WHERE ci.checked_at < c.starts_on::timestamptz OR ci.checked_at >= (c.ends_on + 1)::timestamptz
    UNION ALL
    -- rule 7: done_at never in the future
    SELECT 'task', t.id, 'rule 7', format('done_at %s is in the future', t.done_at)
      FROM okr.task t WHERE t.done_at > now();
END;
COMMENT ON FUNCTION okr.check_integrity() IS
'Rows that break a link rule or a foreign key, as a load with triggers disabled (session_replication_role = replica) can leave them: one row per problem. okr.refresh_maintained() fixes derived columns and warns about these';
REVOKE ALL ON FUNCTION okr.check_integrity() FROM PUBLIC;
