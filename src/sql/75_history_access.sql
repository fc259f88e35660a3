-- okr 1.1: who reads history (SPEC 7, 9): the policies of the history
-- tables and okr.audit.  Appended whole to the 1.0 -> 1.1 update script.

-- Reads: the versions of a row are read where the row is (SPEC 9); the
-- versions of a row that no longer exists only by unscoped readers.
CREATE FUNCTION okr.access_unscoped() RETURNS boolean
AS 'MODULE_PATHNAME', 'okr_access_unscoped'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION okr.access_unscoped() IS
'Does the current user read every row of okr (an unscoped grant, the owner, a superuser)?';

ALTER TABLE okr.cycle_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.cycle_history USING (true);
ALTER TABLE okr.team_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.team_history USING (true);
ALTER TABLE okr.objective_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.objective_history
    USING (okr.access_unscoped() OR (okr.objective_visible(id)
           AND EXISTS (SELECT FROM okr.objective o WHERE o.id OPERATOR(pg_catalog.=) objective_history.id)));
ALTER TABLE okr.key_result_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.key_result_history
    USING (okr.access_unscoped() OR EXISTS (SELECT FROM okr.key_result k WHERE k.id OPERATOR(pg_catalog.=) key_result_history.id));
ALTER TABLE okr.checkin_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.checkin_history
    USING (okr.access_unscoped() OR EXISTS (SELECT FROM okr.checkin c WHERE c.id OPERATOR(pg_catalog.=) checkin_history.id));
ALTER TABLE okr.project_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.project_history
    USING (okr.access_unscoped() OR EXISTS (SELECT FROM okr.project p WHERE p.id OPERATOR(pg_catalog.=) project_history.id));
ALTER TABLE okr.task_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY okr_access ON okr.task_history
    USING (okr.access_unscoped() OR EXISTS (SELECT FROM okr.task t WHERE t.id OPERATOR(pg_catalog.=) task_history.id));

-- okr.audit (SPEC 7): who changed what and when.  security_invoker, so a
-- reader sees the versions its policies let it read.
CREATE VIEW okr.audit WITH (security_invoker = true) AS
SELECT v.recorded_at AS at,
       v.actor,
       v.item,
       v.id,
       v.action,
       CASE WHEN v.action OPERATOR(pg_catalog.=) 'update' AND v.prev IS NOT NULL THEN
            (SELECT COALESCE(pg_catalog.jsonb_object_agg(n.key,
                        pg_catalog.jsonb_build_object('old', o.value, 'new', n.value) ORDER BY n.key),
                        '{}'::jsonb)
               FROM pg_catalog.jsonb_each(v.row) n
               JOIN pg_catalog.jsonb_each(v.prev) o ON o.key OPERATOR(pg_catalog.=) n.key
              WHERE n.value IS DISTINCT FROM o.value)
       ELSE v.row END AS changed
  FROM (SELECT h.hid, h.recorded_at, h.actor, h.item, h.id, h.action, h.row,
               pg_catalog.lag(h.row) OVER (PARTITION BY h.item, h.id ORDER BY h.hid) AS prev
          FROM (SELECT hid, recorded_at, actor, 'cycle'::text AS item, id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[] AS row
                  FROM okr.cycle_history x
                UNION ALL
                SELECT hid, recorded_at, actor, 'team', id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[]
                  FROM okr.team_history x
                UNION ALL
                SELECT hid, recorded_at, actor, 'objective', id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[]
                  FROM okr.objective_history x
                UNION ALL
                SELECT hid, recorded_at, actor, 'key_result', id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[]
                  FROM okr.key_result_history x
                UNION ALL
                SELECT hid, recorded_at, actor, 'checkin', id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[]
                  FROM okr.checkin_history x
                UNION ALL
                SELECT hid, recorded_at, actor, 'project', id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[]
                  FROM okr.project_history x
                UNION ALL
                SELECT hid, recorded_at, actor, 'task', id, action,
                       pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.-) '{hid,recorded_at,actor,action}'::text[]
                  FROM okr.task_history x) h) v;
COMMENT ON VIEW okr.audit IS 'Who changed what and when (SPEC 7): one row per committed insert, update or delete of okr''s goals and work; changed is the new row (insert), the old row (delete), or each changed column''s old and new value (update)';
COMMENT ON COLUMN okr.audit.at IS 'The moment the change was recorded (its transaction''s commit)';
COMMENT ON COLUMN okr.audit.actor IS 'Who made it: session_user, and " as " current_user when that differs (at commit)';
COMMENT ON COLUMN okr.audit.item IS 'The table: cycle, team, objective, key_result, checkin, project or task';
COMMENT ON COLUMN okr.audit.id IS 'The row''s id in that table';
COMMENT ON COLUMN okr.audit.action IS 'insert, update or delete';
COMMENT ON COLUMN okr.audit.changed IS 'For an insert the new row, for a delete the old row, for an update {"column": {"old": ..., "new": ...}} for each column it changed';

REVOKE ALL ON TABLE okr.cycle_history, okr.team_history, okr.objective_history, okr.key_result_history,
    okr.checkin_history, okr.project_history, okr.task_history, okr.history_horizon, okr.audit FROM PUBLIC;
REVOKE ALL ON SEQUENCE okr.history_hid_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION okr.record_history(), okr.access_unscoped() FROM PUBLIC;
