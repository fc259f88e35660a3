-- okr.changes (SPEC 8) against an independent reference, on random
-- organisations with a random history.
--
-- The reference, pg_temp.changes_ref below, is okr.changes as 1.1 first
-- defined it, in PL/pgSQL: okr.progress at both moments, joined in SQL,
-- with the definitions, check-ins and tasks read from the tables and their
-- history in SQL.  okr.changes is now C (src/changes.c) and rolls the
-- earlier moment up from the later one's rows (okr_rollup_at_from), so the
-- reference also checks that against okr.progress's own past rollup.
--
-- Each seed builds an organisation (objectives in a tree, some aligned to
-- key results, some private to team B; key results of every kind; projects,
-- tasks, check-ins), records it, then plays 24 days of random changes, each
-- recorded at its own moment or sharing the previous one's (one
-- transaction): check-ins inserted (some back-dated), revalued, deleted;
-- tasks finished (some back-dated), reopened, cancelled, moved, created,
-- deleted; key results re-targeted, re-weighted, cancelled and restored,
-- created; projects re-weighted, finished, cancelled, moved, created,
-- deleted, their ids inserted again; objectives moved, closed and
-- reopened, renamed, created.  A
-- change a rule rejects is skipped.  Then okr.changes and the reference
-- must return the same rows in the same order (compared as text, so
-- progress to the bit) for many intervals: random ones, empty ones
-- (before the history, from = to), the interval ending now (the default
-- to_ts, and from = to = now), moments exactly at a recorded change, and
-- under okr.known_at before, inside and after the interval; as the owner
-- and as a reader of team A only (row-level security, access by team).
-- (Rows of the same item and id, a row deleted in the interval and its id
-- inserted again, may come in either order.)
--
-- To reproduce a failure: the diag() names the seed, the interval and
-- known_at; SELECT pg_temp.gen(<seed>) builds the same organisation again.
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = warning;
-- 4 seeds x (owner, reader of team A) + coverage + the reference's own check
SELECT plan(10);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

-- History is written at commit; inside this transaction each statement
-- writes its versions at once (IMMEDIATE), and pg_temp.recorded(moment)
-- dates the versions written since the last call at that moment (as
-- test/pgtap/changes.sql does).
CREATE TEMP TABLE mark AS SELECT 0::bigint AS hid;
CREATE FUNCTION pg_temp.recorded(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task'] LOOP
        EXECUTE format('UPDATE okr.%I SET recorded_at = $1 WHERE hid > (SELECT hid FROM pg_temp.mark)',
                       t || '_history') USING at;
    END LOOP;
    UPDATE pg_temp.mark SET hid = (SELECT last_value FROM okr.history_hid_seq);
END $$;

-- ===================================================================
-- The reference: okr.changes of 1.1's first release, verbatim but for
-- its name
-- ===================================================================
CREATE FUNCTION pg_temp.changes_ref(from_ts timestamptz, to_ts timestamptz DEFAULT okr.as_of())
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
    v_t0 timestamptz := changes_ref.from_ts;
    v_t1 timestamptz := changes_ref.to_ts;
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

-- ===================================================================
-- Generator
-- ===================================================================
-- a random element of a query's ids (NULL when there is none)
CREATE FUNCTION pg_temp.pick(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE 'SELECT array_agg(id ORDER BY id) FROM (' || q || ') s' INTO ids;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN ids[1 + floor(random() * cardinality(ids))::int];
END $$;

-- The organisation starts at d0 = 40 days before today (its cycle spans
-- from 30 days before d0 to 30 days after today); day n of the story is
-- d0 + n days, its changes an hour apart.
CREATE FUNCTION pg_temp.d0() RETURNS timestamptz LANGUAGE sql AS
$$ SELECT date_trunc('day', now()) - interval '40 days' $$;

CREATE FUNCTION pg_temp.gen(seed double precision) RETURNS void LANGUAGE plpgsql AS $gen$
DECLARE
    d0 timestamptz := pg_temp.d0();
    at timestamptz;
    o bigint;
    k bigint;
    p bigint;
    x bigint;
    kinds text[] := ARRAY['metric', 'at_least', 'at_most', 'milestone', 'projects', 'projects', 'objectives'];
    kind text;
    i int;
    j int;
    day int;
    step int;
BEGIN
    TRUNCATE okr.task, okr.project, okr.checkin, okr.key_result, okr.objective, okr.cycle CASCADE;
    TRUNCATE okr.cycle_history, okr.objective_history, okr.key_result_history,
             okr.checkin_history, okr.project_history, okr.task_history;
    PERFORM setseed(seed);
    INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('C', (d0 - interval '30 days')::date, (now() + interval '30 days')::date);
    FOR i IN 1..14 LOOP
        -- 3 roots, then children of earlier objectives; every 5th of team B, private
        INSERT INTO okr.objective (cycle_id, team_id, parent_id, title, weight, private)
        VALUES ((SELECT min(id) FROM okr.cycle),
                (SELECT min(id) + CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END FROM okr.team),
                CASE WHEN i > 3 THEN pg_temp.pick('SELECT id FROM okr.objective WHERE parent_key_result_id IS NULL') END,
                'O' || i, (ARRAY[1, 1, 2, 0.5])[1 + floor(random() * 4)::int], i % 5 = 0)
        RETURNING id INTO o;
        FOR j IN 1..1 + floor(random() * 3)::int LOOP
            kind := kinds[1 + floor(random() * cardinality(kinds))::int];
            INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight)
            VALUES (o, 'K' || i || '.' || j, kind,
                    CASE WHEN kind IN ('metric', 'milestone') THEN 0 WHEN kind IN ('at_least', 'at_most') THEN NULL END,
                    CASE WHEN kind IN ('metric', 'at_least', 'at_most') THEN 10 + floor(random() * 90)
                         WHEN kind = 'milestone' THEN 1 END,
                    (ARRAY[1, 1, 3])[1 + floor(random() * 3)::int])
            RETURNING id INTO k;
            IF kind = 'projects' THEN
                FOR p IN 1..1 + floor(random() * 2)::int LOOP
                    INSERT INTO okr.project (key_result_id, name, weight) VALUES (k, 'P' || k || '.' || p, 1 + floor(random() * 2))
                    RETURNING id INTO x;
                    INSERT INTO okr.task (project_id, title, effort, status, done_at)
                    SELECT x, 'T' || x || '.' || s, (ARRAY[1, 2, 3, 0.5])[1 + floor(random() * 4)::int], st,
                           CASE WHEN st = 'done' THEN d0 - random() * interval '10 days' END
                      FROM (SELECT s, (ARRAY['todo', 'doing', 'done', 'done', 'cancelled'])[1 + floor(random() * 5)::int] AS st
                              FROM generate_series(1, floor(random() * 6)::int) s) q;
                END LOOP;
            ELSIF kind <> 'objectives' THEN
                INSERT INTO okr.checkin (key_result_id, value, checked_at)
                SELECT k, CASE WHEN kind = 'milestone' THEN floor(random() * 2) ELSE floor(random() * 100) END,
                       d0 - random() * interval '10 days'
                  FROM generate_series(1, floor(random() * 3)::int);
            END IF;
        END LOOP;
    END LOOP;
    -- two objectives aligned to key results of kind objectives (SPEC 1b)
    FOR i IN 1..2 LOOP
        k := pg_temp.pick($q$SELECT id FROM okr.key_result WHERE kind = 'objectives'$q$);
        IF k IS NOT NULL THEN
            INSERT INTO okr.objective (cycle_id, team_id, parent_key_result_id, title)
            VALUES ((SELECT min(id) FROM okr.cycle), (SELECT min(id) FROM okr.team), k, 'Aligned ' || i)
            RETURNING id INTO o;
            INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
            VALUES (o, 'KA' || i, 'metric', 0, 10) RETURNING id INTO x;
            INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (x, 3, d0 - interval '2 days');
        END IF;
    END LOOP;
    PERFORM pg_temp.recorded(d0);

    FOR day IN 1..24 LOOP
        FOR step IN 1..7 LOOP
            at := d0 + day * interval '1 day' + step * interval '1 hour';
            BEGIN
                CASE floor(random() * 16)::int
                WHEN 0, 1 THEN      -- a check-in, a third of them back-dated up to 5 days
                    k := pg_temp.pick($q$SELECT id FROM okr.key_result WHERE kind IN ('metric', 'at_least', 'at_most', 'milestone')$q$);
                    INSERT INTO okr.checkin (key_result_id, value, checked_at)
                    SELECT k, CASE WHEN kr.kind = 'milestone' THEN floor(random() * 2) ELSE floor(random() * 100) END,
                           at - CASE WHEN random() < 0.33 THEN random() * interval '5 days' ELSE interval '0' END
                      FROM okr.key_result kr WHERE kr.id = k;
                WHEN 2 THEN         -- revalued or re-dated, or deleted
                    x := pg_temp.pick('SELECT id FROM okr.checkin');
                    IF random() < 0.5 THEN
                        UPDATE okr.checkin c SET value = CASE WHEN k.kind = 'milestone' THEN 1 - c.value ELSE c.value + 7 END
                          FROM okr.key_result k WHERE c.id = x AND k.id = c.key_result_id;
                    ELSIF random() < 0.5 THEN
                        UPDATE okr.checkin SET checked_at = checked_at - interval '2 days' WHERE id = x;
                    ELSE
                        DELETE FROM okr.checkin WHERE id = x;
                    END IF;
                WHEN 3, 4 THEN      -- a task finished, some back-dated
                    UPDATE okr.task SET status = 'done',
                           done_at = at - CASE WHEN random() < 0.33 THEN random() * interval '4 days' ELSE interval '0' END
                     WHERE id = pg_temp.pick($q$SELECT id FROM okr.task WHERE status IN ('todo', 'doing')$q$);
                WHEN 5 THEN         -- reopened, or cancelled
                    IF random() < 0.6 THEN
                        UPDATE okr.task SET status = 'todo' WHERE id = pg_temp.pick($q$SELECT id FROM okr.task WHERE status = 'done'$q$);
                    ELSE
                        UPDATE okr.task SET status = 'cancelled' WHERE id = pg_temp.pick('SELECT id FROM okr.task');
                    END IF;
                WHEN 6 THEN         -- moved, re-estimated, created, deleted
                    x := pg_temp.pick('SELECT id FROM okr.task');
                    IF random() < 0.3 THEN
                        UPDATE okr.task SET project_id = pg_temp.pick('SELECT id FROM okr.project') WHERE id = x;
                    ELSIF random() < 0.4 THEN
                        UPDATE okr.task SET effort = effort + 1 WHERE id = x;
                    ELSIF random() < 0.6 THEN
                        INSERT INTO okr.task (project_id, title, effort, status, done_at)
                        VALUES (pg_temp.pick('SELECT id FROM okr.project'), 'new task', 2,
                                CASE WHEN random() < 0.5 THEN 'done' ELSE 'todo' END, NULL);
                    ELSE
                        DELETE FROM okr.task WHERE id = x;
                    END IF;
                WHEN 7, 8 THEN      -- a key result re-targeted, re-weighted, cancelled or restored
                    k := pg_temp.pick('SELECT id FROM okr.key_result');
                    IF random() < 0.4 THEN
                        UPDATE okr.key_result SET target_value = target_value + 5 WHERE id = k;
                    ELSIF random() < 0.5 THEN
                        UPDATE okr.key_result SET weight = CASE WHEN weight = 0 THEN 1 ELSE weight * 2 END WHERE id = k;
                    ELSE
                        UPDATE okr.key_result SET state = CASE WHEN state = 'active' THEN 'cancelled' ELSE 'active' END WHERE id = k;
                    END IF;
                WHEN 9 THEN         -- a key result created (a metric, with a check-in) or renamed
                    IF random() < 0.5 THEN
                        INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
                        VALUES (pg_temp.pick('SELECT id FROM okr.objective'), 'new KR', 'metric', 0, 50) RETURNING id INTO k;
                        INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (k, 20, at);
                    ELSE
                        UPDATE okr.key_result SET title = title || '+' WHERE id = pg_temp.pick('SELECT id FROM okr.key_result');
                    END IF;
                WHEN 10, 11 THEN    -- a project re-weighted, finished, cancelled or restored, moved
                    p := pg_temp.pick('SELECT id FROM okr.project');
                    IF random() < 0.3 THEN
                        UPDATE okr.project SET weight = weight + 1 WHERE id = p;
                    ELSIF random() < 0.5 THEN
                        UPDATE okr.project SET state = (ARRAY['done', 'cancelled', 'active', 'planned'])[1 + floor(random() * 4)::int] WHERE id = p;
                    ELSE
                        UPDATE okr.project SET key_result_id = pg_temp.pick($q$SELECT id FROM okr.key_result WHERE kind = 'projects'$q$) WHERE id = p;
                    END IF;
                WHEN 12 THEN        -- a project created with a task, deleted with its tasks, or its id reused
                    IF random() < 0.25 THEN
                        INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE
                        SELECT h.id, h.key_result_id, 'reborn' FROM okr.project_history h
                         WHERE h.action = 'delete' AND NOT EXISTS (SELECT FROM okr.project p WHERE p.id = h.id)
                         ORDER BY h.hid LIMIT 1;
                    ELSIF random() < 0.5 THEN
                        INSERT INTO okr.project (key_result_id, name)
                        VALUES (pg_temp.pick($q$SELECT id FROM okr.key_result WHERE kind = 'projects'$q$), 'new project') RETURNING id INTO p;
                        INSERT INTO okr.task (project_id, title, effort, status, done_at) VALUES (p, 'first', 3, 'done', at);
                    ELSE
                        p := pg_temp.pick('SELECT id FROM okr.project');
                        DELETE FROM okr.task WHERE project_id = p;
                        DELETE FROM okr.project WHERE id = p;
                    END IF;
                WHEN 13 THEN        -- an objective moved (a rule may refuse a cycle)
                    UPDATE okr.objective SET parent_id = pg_temp.pick('SELECT id FROM okr.objective')
                     WHERE id = pg_temp.pick('SELECT id FROM okr.objective WHERE parent_id IS NOT NULL');
                WHEN 14 THEN        -- closed, reopened, re-weighted, renamed
                    o := pg_temp.pick('SELECT id FROM okr.objective');
                    IF random() < 0.3 THEN
                        UPDATE okr.objective SET state = CASE WHEN state = 'active' THEN 'closed' ELSE 'active' END WHERE id = o;
                    ELSIF random() < 0.5 THEN
                        UPDATE okr.objective SET weight = weight + 1 WHERE id = o;
                    ELSE
                        UPDATE okr.objective SET title = title || '+' WHERE id = o;
                    END IF;
                ELSE                -- an objective created, with a key result
                    INSERT INTO okr.objective (cycle_id, team_id, parent_id, title)
                    VALUES ((SELECT min(id) FROM okr.cycle), (SELECT min(id) FROM okr.team),
                            pg_temp.pick('SELECT id FROM okr.objective'), 'new objective') RETURNING id INTO o;
                    INSERT INTO okr.key_result (objective_id, title, kind) VALUES (o, 'new milestone', 'milestone');
                END CASE;
            EXCEPTION WHEN others THEN
                NULL;           -- refused by a rule: skipped
            END;
            -- a quarter of the changes share the next one's moment (one transaction)
            IF random() < 0.75 THEN
                PERFORM pg_temp.recorded(at);
            END IF;
        END LOOP;
        PERFORM pg_temp.recorded(at);
    END LOOP;
END $gen$;

-- ===================================================================
-- The comparison
-- ===================================================================
CREATE TEMP TABLE seen (item text, changed text[], checkins bigint, tasks_done bigint,
                        progress_moved boolean, status_moved boolean, created boolean);
-- The rows of okr.changes(f, t) (t NULL: the default) or of the reference
-- (ref), as text, sorted by (item, id) and then by the row (the order of
-- the rows of one item and id is not defined: a row deleted in the
-- interval whose id was inserted again comes twice); ordered says the rows
-- came in (item, id) order.
CREATE FUNCTION pg_temp.rows_of(f timestamptz, t timestamptz, ref boolean, OUT rows text[], OUT ordered boolean)
LANGUAGE plpgsql AS $$
BEGIN
    WITH c AS MATERIALIZED (
        SELECT c FROM okr.changes(f, COALESCE(t, okr.as_of())) c WHERE NOT ref AND t IS NOT NULL
        UNION ALL SELECT c FROM okr.changes(f) c WHERE NOT ref AND t IS NULL
        UNION ALL SELECT c FROM pg_temp.changes_ref(f, COALESCE(t, okr.as_of())) c WHERE ref AND t IS NOT NULL
        UNION ALL SELECT c FROM pg_temp.changes_ref(f) c WHERE ref AND t IS NULL),
    k AS (SELECT c, array_position(ARRAY['objective', 'key_result', 'project'], (c).item) AS k FROM c)
    SELECT array_agg(k.c::text ORDER BY k.k, (k.c).id, k.c::text) INTO rows FROM k;
    -- (in the order they came: each row's (item, id) not below the previous one's)
    SELECT COALESCE(bool_and(s.ok), true) INTO ordered
      FROM (SELECT (k, (c).id) >= (lag(k) OVER (), lag((c).id) OVER ()) IS NOT FALSE AS ok
              FROM (SELECT c, array_position(ARRAY['objective', 'key_result', 'project'], (c).item) AS k
                      FROM okr.changes(f, COALESCE(t, okr.as_of())) c) x) s
     WHERE NOT ref;
END $$;

-- NULL when okr.changes(f, t) and the reference return the same rows, in
-- (item, id) order (under known_at k, NULL: unset), else what differs.
CREATE FUNCTION pg_temp.differs(f timestamptz, t timestamptz, k timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a text[];
    b text[];
    ordered boolean;
    i int;
BEGIN
    PERFORM set_config('okr.known_at', COALESCE(k::text, ''), true);
    SELECT r.rows, r.ordered INTO a, ordered FROM pg_temp.rows_of(f, t, false) r;
    SELECT r.rows INTO b FROM pg_temp.rows_of(f, t, true) r;
    PERFORM set_config('okr.known_at', '', true);
    IF a IS NOT DISTINCT FROM b AND ordered THEN
        RETURN NULL;
    END IF;
    i := 1;
    WHILE a[i] IS NOT DISTINCT FROM b[i] LOOP
        i := i + 1;
    END LOOP;
    RETURN format('changes(%s, %s) known_at %s: %s rows%s, the reference %s; row %s: %s, the reference %s',
                  f, COALESCE(t::text, 'default'), COALESCE(k::text, 'unset'), COALESCE(cardinality(a), 0),
                  CASE WHEN ordered THEN '' ELSE ' (not in item, id order)' END,
                  COALESCE(cardinality(b), 0), i, a[i], b[i]);
END $$;

-- The intervals (f, t, k) compared for the current organisation: every
-- disagreement, with seed s in its text.
CREATE FUNCTION pg_temp.disagreements(s double precision) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    d0 timestamptz := pg_temp.d0();
    f timestamptz;
    t timestamptz;
    k timestamptz;
    n int;
    msg text;
BEGIN
    -- the fixed cases
    FOR f, t, k IN VALUES
        (d0 - interval '20 days', d0 - interval '10 days', NULL::timestamptz),   -- before the history: empty
        (d0 - interval '1 day', d0 + interval '1 day', NULL),
        (d0, d0 + interval '7 days', NULL),                                      -- from the first record
        (d0 + interval '5 days', d0 + interval '5 days', NULL),                  -- from = to
        (d0 + interval '3 days 2 hours', d0 + interval '9 days 5 hours', NULL),  -- exactly at recorded changes
        (d0 + interval '10 days', NULL, NULL),                                   -- the default to_ts (now)
        (d0 + interval '20 days', now(), NULL),                                  -- ending now
        (now(), now(), NULL),                                                    -- from = to = now
        (d0 + interval '1 day', now(), d0 + interval '12 days 3 hours'),         -- ending now, known_at inside
        (d0 + interval '4 days', d0 + interval '11 days', d0 + interval '2 days'),  -- known_at before
        (d0 + interval '4 days', d0 + interval '11 days', d0 + interval '8 days'),  -- known_at inside
        (d0 + interval '4 days', d0 + interval '11 days', d0 + interval '30 days')  -- known_at after it all
    LOOP
        msg := pg_temp.differs(f, t, k);
        IF msg IS NOT NULL THEN
            RETURN NEXT format('seed %s: %s', s, msg);
        END IF;
    END LOOP;
    -- random ones, a third of them under a random known_at
    FOR n IN 1..24 LOOP
        f := d0 - interval '2 days' + random() * (now() - d0 + interval '2 days');
        t := f + random() * (now() - f);
        k := CASE WHEN random() < 0.33 THEN d0 + random() * (now() - d0) END;
        msg := pg_temp.differs(f, t, k);
        IF msg IS NOT NULL THEN
            RETURN NEXT format('seed %s: %s', s, msg);
        END IF;
        -- what the intervals saw, to show the comparison covers every kind of change
        INSERT INTO pg_temp.seen
        SELECT c.item, c.changed, c.checkins, c.tasks_done, c.progress_before IS DISTINCT FROM c.progress_after,
               c.status_before IS DISTINCT FROM c.status_after, 'created' = ANY (c.changed)
          FROM okr.changes(f, t) c;
    END LOOP;
END $$;

-- A reader of team A only: team B's private objectives (every 5th) are
-- hidden from it, their figures still count in their parents.
INSERT INTO okr.team (name) VALUES ('A'), ('B');
SELECT pg_temp.recorded(pg_temp.d0() - interval '40 days');
CREATE ROLE okr_chr_a;
SELECT okr.grant_read('okr_chr_a', (SELECT min(id) FROM okr.team));
GRANT SELECT, INSERT ON pg_temp.seen TO okr_chr_a;
CREATE FUNCTION pg_temp.disagreements_as(r text, s double precision) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    RETURN QUERY SELECT * FROM pg_temp.disagreements(s);
    RESET ROLE;
END $$;

-- ===================================================================
-- The tests
-- ===================================================================
CREATE FUNCTION pg_temp.check_seed(s double precision) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    owner text[];
    reader text[];
BEGIN
    PERFORM pg_temp.gen(s);
    SELECT array_agg(d) INTO owner FROM pg_temp.disagreements(s) d;
    SELECT array_agg(d) INTO reader FROM pg_temp.disagreements_as('okr_chr_a', s) d;
    RETURN NEXT is(owner, NULL, format('seed %s: okr.changes agrees with the reference row for row on 36 intervals', s));
    RETURN NEXT is(reader, NULL, format('seed %s: ... and so it does for a reader of team A', s));
END $$;

SELECT pg_temp.check_seed(0.11);
SELECT pg_temp.check_seed(0.37);
SELECT pg_temp.check_seed(0.58);
SELECT pg_temp.check_seed(0.93);

-- the comparison is not vacuous: the intervals saw every kind of change
SELECT is((SELECT ARRAY[
              count(*) FILTER (WHERE item = 'objective' AND progress_moved) > 0,
              count(*) FILTER (WHERE item = 'key_result' AND progress_moved) > 0,
              count(*) FILTER (WHERE item = 'project' AND progress_moved) > 0,
              count(*) FILTER (WHERE status_moved) > 0,
              count(*) FILTER (WHERE created AND item = 'key_result') > 0,
              count(*) FILTER (WHERE created AND item = 'project') > 0,
              count(*) FILTER (WHERE 'deleted' = ANY (changed)) > 0,
              count(*) FILTER (WHERE item = 'objective' AND 'parent_id' = ANY (changed)) > 0,
              count(*) FILTER (WHERE item = 'key_result' AND 'target_value' = ANY (changed)) > 0,
              count(*) FILTER (WHERE item = 'project' AND 'key_result_id' = ANY (changed)) > 0,
              count(*) FILTER (WHERE checkins > 0) > 0,
              count(*) FILTER (WHERE tasks_done > 0) > 0]
             FROM pg_temp.seen),
          ARRAY[true, true, true, true, true, true, true, true, true, true, true, true],
          'the random intervals saw progress and status move, rows created and deleted, columns changed, check-ins and tasks counted');

-- and the reference does see a difference when there is one
SELECT isnt((SELECT array_agg(c::text) FROM okr.changes(pg_temp.d0() + interval '1 day', pg_temp.d0() + interval '20 days') c),
            (SELECT array_agg(c::text) FROM pg_temp.changes_ref(pg_temp.d0() + interval '1 day', pg_temp.d0() + interval '19 days') c),
            'the comparison tells two different intervals apart');

SELECT * FROM finish();
ROLLBACK;
