-- okr 1.1: what changed between two moments (SPEC 8, doc/analysts.md
-- "What changed since last week?").  Appended whole to the 1.0 -> 1.1
-- update script (Makefile).
--
-- Both sides are okr.progress (as of from_ts and to_ts, as known at
-- okr.known_at()), so the figures are the rollup's own and access by team
-- holds as it does there: the rollup leaves out what the reader may not
-- read.  The definitions, check-ins and tasks are read from the tables and
-- their history as the caller (SECURITY INVOKER), so their row-level
-- security applies too: a reader sees no title, version, check-in or task
-- it could not select itself.
--
-- A row's version at a moment T as known at K follows rollup.c exactly:
-- the one in force at M = least(T, K) (the latest recorded by M or, when
-- it was first recorded after M, the last version of its first
-- transaction: first versions reach back), unless T and K are both at or
-- after the start of the transaction, where the rollup reads today's
-- tables.  Only rows with a version recorded after M(from_ts) can differ,
-- so only those are read from the history.
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
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED ROWS 100
SET search_path = pg_catalog, pg_temp
-- a few thousand rows: compiling the plan (its estimates run high under
-- row-level security) would cost a scoped reader more than a second
SET jit = off
AS $function$
#variable_conflict use_column
DECLARE
    v_t0 timestamptz := changes.from_ts;
    v_t1 timestamptz := changes.to_ts;
    v_k  timestamptz := okr.known_at();
    v_kk timestamptz;
    v_m0 timestamptz;
    v_m1 timestamptz;
BEGIN
    IF v_t0 IS NULL OR v_t1 IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'okr.changes: from_ts and to_ts must not be NULL',
            HINT = 'Leave to_ts out for okr.as_of() (now, unless the session is pinned).';
    END IF;
    IF NOT (isfinite(v_t0) AND isfinite(v_t1)) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('okr.changes needs finite from_ts and to_ts, not %s and %s', v_t0, v_t1);
    END IF;
    IF v_t0 > v_t1 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('okr.changes: from_ts %s is after to_ts %s', v_t0, v_t1),
            HINT = 'The interval is (from_ts, to_ts]: give the earlier moment first.';
    END IF;
    v_kk := COALESCE(v_k, 'infinity');
    -- 'infinity': that side is today's tables, whose versions are all in
    -- the history already (but for this transaction's own, not recorded yet)
    v_m0 := CASE WHEN v_t0 >= now() AND v_kk >= now() THEN 'infinity' ELSE least(v_t0, v_kk) END;
    v_m1 := CASE WHEN v_t1 >= now() AND v_kk >= now() THEN 'infinity' ELSE least(v_t1, v_kk) END;

    RETURN QUERY
    WITH
    p0 AS (SELECT p.item, p.id, p.progress, p.status FROM okr.progress(v_t0, v_k) p),
    p1 AS (SELECT p.item, p.id, p.progress, p.status FROM okr.progress(v_t1, v_k) p),
    -- Definitions: every version known at K of the rows with a version
    -- recorded after M(from_ts), the definition columns in a fixed order
    -- (cols below); jsonb compares numbers by value (10 = 10.0).
    hv AS (
        SELECT 'objective'::text AS item, h.id, h.hid, h.recorded_at, h.action, h.title AS name,
               pg_catalog.jsonb_build_array(h.cycle_id, h.parent_id, h.team_id, h.title, h.owner, h.kind,
                                            h.weight, h.rollup, h.state, h.parent_key_result_id, h.private) AS def
          FROM okr.objective_history h
         WHERE v_m0 < 'infinity' AND h.recorded_at <= v_kk
           AND h.id IN (SELECT c.id FROM okr.objective_history c WHERE c.recorded_at > v_m0)
        UNION ALL
        SELECT 'key_result', h.id, h.hid, h.recorded_at, h.action, h.title,
               pg_catalog.jsonb_build_array(h.objective_id, h.title, h.owner, h.kind, h.start_value,
                                            h.target_value, h.unit, h.weight, h.state)
          FROM okr.key_result_history h
         WHERE v_m0 < 'infinity' AND h.recorded_at <= v_kk
           AND h.id IN (SELECT c.id FROM okr.key_result_history c WHERE c.recorded_at > v_m0)
        UNION ALL
        SELECT 'project', h.id, h.hid, h.recorded_at, h.action, h.name,
               pg_catalog.jsonb_build_array(h.key_result_id, h.name, h.owner, h.weight, h.state)
          FROM okr.project_history h
         WHERE v_m0 < 'infinity' AND h.recorded_at <= v_kk
           AND h.id IN (SELECT c.id FROM okr.project_history c WHERE c.recorded_at > v_m0)),
    cols (item, names) AS (VALUES
        ('objective', ARRAY['cycle_id', 'parent_id', 'team_id', 'title', 'owner', 'kind', 'weight',
                            'rollup', 'state', 'parent_key_result_id', 'private']),
        ('key_result', ARRAY['objective_id', 'title', 'owner', 'kind', 'start_value', 'target_value',
                             'unit', 'weight', 'state']),
        ('project', ARRAY['key_result_id', 'name', 'owner', 'weight', 'state'])),
    -- one pass over the versions: each row's first moment, its delete, and
    -- its versions in force at m0 and m1 (the rule of rollup.c's H_VERSIONS);
    -- joining three CTEs of these rows instead made the planner loop over
    -- one for each row of another (its estimates of CTEs are one row)
    hs AS (SELECT hv.item, hv.id, min(hv.recorded_at) AS first_at,
                  max(hv.recorded_at) FILTER (WHERE hv.action = 'delete') AS deleted_at,
                  (array_agg(hv.def ORDER BY (hv.recorded_at <= v_m0) DESC,
                             CASE WHEN hv.recorded_at <= v_m0 THEN hv.hid END DESC,
                             hv.recorded_at, hv.hid DESC))[1] AS def0,
                  (array_agg(hv.def ORDER BY (hv.recorded_at <= v_m1) DESC,
                             CASE WHEN hv.recorded_at <= v_m1 THEN hv.hid END DESC,
                             hv.recorded_at, hv.hid DESC))[1] AS def1,
                  (array_agg(hv.name ORDER BY (hv.recorded_at <= v_m1) DESC,
                             CASE WHEN hv.recorded_at <= v_m1 THEN hv.hid END DESC,
                             hv.recorded_at, hv.hid DESC))[1] AS name
             FROM hv GROUP BY hv.item, hv.id),
    defs AS (
        SELECT hs.item, hs.id, hs.name,
               hs.first_at > v_m0 AND hs.first_at <= v_m1 AS created,
               hs.deleted_at > v_m0 AND hs.deleted_at <= v_m1 AS deleted,
               ARRAY(SELECT n.col FROM pg_catalog.unnest(cols.names) WITH ORDINALITY n(col, i)
                      WHERE (hs.def0 OPERATOR(pg_catalog.->) (n.i::integer - 1))
                            IS DISTINCT FROM (hs.def1 OPERATOR(pg_catalog.->) (n.i::integer - 1))
                      ORDER BY n.i) AS cols
          FROM hs JOIN cols ON cols.item = hs.item),
    -- Check-ins dated in (from_ts, to_ts], as known at K: each at its
    -- version in force at K (check-ins carry their own time), none deleted
    -- by K; those with no version after K as they are now.
    -- (the guards make the plan skip these scans when no row can qualify)
    cch AS (SELECT DISTINCT h.id FROM okr.checkin_history h WHERE v_k IS NOT NULL AND h.recorded_at > v_kk),
    cv AS (SELECT DISTINCT ON (h.id) h.id, h.key_result_id, h.checked_at,
                  pg_catalog.bool_or(h.action = 'delete') OVER (PARTITION BY h.id) AS gone
             FROM cch JOIN okr.checkin_history h ON h.id = cch.id AND h.recorded_at <= v_kk
            ORDER BY h.id, h.hid DESC),
    ci AS (SELECT x.key_result_id AS id, count(*) AS n
             FROM (SELECT c.key_result_id FROM okr.checkin c
                    WHERE c.checked_at > v_t0 AND c.checked_at <= v_t1
                      AND NOT EXISTS (SELECT FROM cch WHERE cch.id = c.id)
                   UNION ALL
                   SELECT cv.key_result_id FROM cv
                    WHERE NOT cv.gone AND cv.checked_at > v_t0 AND cv.checked_at <= v_t1
                      AND (EXISTS (SELECT FROM okr.checkin e WHERE e.id = cv.id)
                           OR EXISTS (SELECT FROM okr.checkin_history d WHERE d.id = cv.id
                                         AND d.action = 'delete' AND d.recorded_at > v_kk))) x
            GROUP BY x.key_result_id),
    -- Tasks done at to_ts (as the rollup counts them) with a done_at in
    -- (from_ts, to_ts], counted for their project at to_ts: a task's
    -- version in force at M(to_ts), or a later one known at K, is done
    -- with that done_at (a task done and reopened by then is not).
    tch AS (SELECT DISTINCT h.id FROM okr.task_history h
             WHERE v_m1 < 'infinity' AND h.recorded_at > v_m1 AND (h.action <> 'insert' OR h.recorded_at > v_kk)),
    tv AS (SELECT DISTINCT ON (h.id) h.id, h.hid, h.project_id, h.status,
                  pg_catalog.bool_or(h.action = 'delete') OVER (PARTITION BY h.id) AS gone
             FROM tch JOIN okr.task_history h ON h.id = tch.id AND h.recorded_at <= v_kk
            ORDER BY h.id, (h.recorded_at <= v_m1) DESC,
                     CASE WHEN h.recorded_at <= v_m1 THEN h.hid END DESC, h.recorded_at, h.hid DESC),
    td AS (SELECT x.project_id AS id, count(*) AS n
             FROM (SELECT t.project_id FROM okr.task t
                    WHERE t.status = 'done' AND t.done_at > v_t0 AND t.done_at <= v_t1
                      AND NOT EXISTS (SELECT FROM tch WHERE tch.id = t.id)
                   UNION ALL
                   SELECT tv.project_id FROM tv
                    WHERE NOT tv.gone AND tv.status <> 'cancelled'
                      AND EXISTS (SELECT FROM okr.task_history d WHERE d.id = tv.id AND d.hid >= tv.hid
                                     AND d.recorded_at <= v_kk AND d.status = 'done'
                                     AND d.done_at > v_t0 AND d.done_at <= v_t1)
                      AND (EXISTS (SELECT FROM okr.task e WHERE e.id = tv.id)
                           OR EXISTS (SELECT FROM okr.task_history d WHERE d.id = tv.id
                                         AND d.action = 'delete' AND d.recorded_at > v_kk))) x
            GROUP BY x.project_id),
    r AS (
        SELECT COALESCE(a.item, b.item) AS item, COALESCE(a.id, b.id) AS id,
               b.progress AS p_before, a.progress AS p_after, b.status AS s_before, a.status AS s_after,
               d.name, COALESCE(d.created, false) AS created, COALESCE(d.cols, '{}') AS cols,
               COALESCE(ci.n, 0) AS checkins, COALESCE(td.n, 0) AS tasks_done
          FROM p1 a FULL JOIN p0 b ON b.item = a.item AND b.id = a.id
          LEFT JOIN defs d ON d.item = COALESCE(a.item, b.item) AND d.id = COALESCE(a.id, b.id)
          LEFT JOIN ci ON COALESCE(a.item, b.item) = 'key_result' AND ci.id = COALESCE(a.id, b.id)
          LEFT JOIN td ON COALESCE(a.item, b.item) = 'project' AND td.id = COALESCE(a.id, b.id)),
    -- the rows that moved, materialized so that the title lookups below
    -- probe each table's primary key by a plain id (under row-level
    -- security, an expression such as the join's COALESCE would not be
    -- pushed into the index and every lookup would scan the table)
    m AS MATERIALIZED (
        SELECT r.* FROM r
         WHERE r.created OR pg_catalog.cardinality(r.cols) > 0
            OR r.p_before IS DISTINCT FROM r.p_after OR r.s_before IS DISTINCT FROM r.s_after
            OR r.checkins > 0 OR r.tasks_done > 0),
    res AS (
        SELECT m.item, m.id,
               COALESCE(m.name, CASE m.item
                   WHEN 'objective' THEN (SELECT o.title FROM okr.objective o WHERE o.id = m.id)
                   WHEN 'key_result' THEN (SELECT k.title FROM okr.key_result k WHERE k.id = m.id)
                   ELSE (SELECT p.name FROM okr.project p WHERE p.id = m.id) END) AS title,
               CASE WHEN NOT m.created THEN m.p_before END AS progress_before,
               m.p_after AS progress_after,
               CASE WHEN NOT m.created THEN m.p_after - m.p_before END AS delta,
               CASE WHEN NOT m.created THEN m.s_before END AS status_before,
               m.s_after AS status_after,
               m.checkins, m.tasks_done,
               CASE WHEN m.created THEN ARRAY['created'] || m.cols ELSE m.cols END AS changed
          FROM m
        UNION ALL
        -- deleted in the interval: as known at K it never was (its figures
        -- count nowhere), but the reader who may read its history sees it went
        SELECT d.item, d.id, d.name, NULL::double precision, NULL::double precision, NULL::double precision,
               NULL::text, NULL::text, 0::bigint, 0::bigint,
               CASE WHEN d.created THEN ARRAY['created', 'deleted'] ELSE ARRAY['deleted'] END
          FROM defs d
         WHERE d.deleted)
    SELECT o.item, o.id, o.title, o.progress_before, o.progress_after, o.delta, o.status_before,
           o.status_after, o.checkins, o.tasks_done, o.changed
      FROM res o
     ORDER BY CASE o.item WHEN 'objective' THEN 1 WHEN 'key_result' THEN 2 ELSE 3 END, o.id;
END;
$function$;
COMMENT ON FUNCTION okr.changes(timestamptz, timestamptz) IS
'What changed between from_ts and to_ts (default okr.as_of()), as known now or at okr.known_at(): every objective, key result and project whose progress or status moved, that got check-ins (key results) or finished tasks (projects) dated in (from_ts, to_ts], or whose definition changed (changed names the columns; created, deleted), with progress and status at both moments (doc/analysts.md)';
