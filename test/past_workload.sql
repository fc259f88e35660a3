-- The random workload of test/past_workload.sh (SPEC 7, issue 14): a small
-- organisation changed by many committed transactions, with okr.progress()
-- saved between them.  Loaded into a database where okr is installed;
-- everything of its own is in schema wl.  CALL wl.workload(seed, n) runs
-- it: one transaction sets the organisation up, then n transactions of one
-- to three random changes each (a change that breaks a link rule is caught
-- by its own savepoint and logged in wl.refused), each followed by a
-- transaction that saves okr.progress() with its now().
CREATE SCHEMA wl;
CREATE TABLE wl.saved AS SELECT 0 AS n, pg_catalog.now() AS t, f.* FROM okr.progress() f WITH NO DATA;
CREATE TABLE wl.done (n int, op text);
CREATE TABLE wl.refused (n int, op text, state text, message text);

-- A random moment of cycle c, not in the future (SPEC 2 rule 5)
CREATE FUNCTION wl.rand_at(c bigint) RETURNS timestamptz LANGUAGE sql AS $$
    SELECT cy.starts_on::timestamptz
           + random() * (least(now(), (cy.ends_on + 1)::timestamptz) - cy.starts_on::timestamptz)
      FROM okr.cycle cy WHERE cy.id = c
$$;
-- A value that fits the kind, sometimes past the target
CREATE FUNCTION wl.rand_value(kind text, s numeric, t numeric) RETURNS numeric LANGUAGE sql AS $$
    SELECT CASE kind
        WHEN 'metric' THEN round(s + (t - s) * (random() * 1.4 - 0.2)::numeric, 2)
        WHEN 'milestone' THEN CASE WHEN random() < 0.5 THEN 0 ELSE 1 END
        ELSE t + floor((random() - 0.5) * 10)::numeric END
$$;
CREATE FUNCTION wl.pick(a anyarray) RETURNS anyelement LANGUAGE sql AS $$
    SELECT a[1 + floor(random() * cardinality(a))::int]
$$;
CREATE FUNCTION wl.any_id(tab text, cond text DEFAULT 'true') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
BEGIN
    EXECUTE format('SELECT id FROM okr.%I WHERE %s ORDER BY id LIMIT 1 OFFSET floor(random() * (SELECT count(*) FROM okr.%I WHERE %s))::bigint',
                   tab, cond, tab, cond) INTO r;
    RETURN r;
END
$$;
-- A completion moment: given (up to 60 days back) or left to the trigger
CREATE FUNCTION wl.rand_done_at() RETURNS timestamptz LANGUAGE sql AS $$
    SELECT CASE WHEN random() < 0.6 THEN now() - random() * interval '60 days' END
$$;

-- The organisation: a year and a quarter in it around today, 8 objectives
-- (two aligned to key results), 12 key results of every kind, 6 projects,
-- 15 tasks, a few check-ins.
CREATE FUNCTION wl.setup() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    kinds text[] := ARRAY['metric', 'metric', 'at_least', 'at_most', 'milestone', 'projects',
                          'objectives', 'metric', 'at_least', 'milestone', 'projects', 'metric'];
    i int;
    k record;
BEGIN
    INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('Year', current_date - 200, current_date + 165);
    INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id) VALUES ('Quarter', current_date - 40, current_date + 50, 1);
    INSERT INTO okr.objective (cycle_id, parent_id, title, weight, rollup) VALUES
        (1, NULL, 'Company', 1, 'both'),
        (1, 1, 'Sales', 2, 'both'),
        (1, 1, 'Product', 1, 'key_results'),
        (2, 2, 'EMEA', 1, 'both'),
        (2, 3, 'Mobile', 0.5, 'children'),
        (1, NULL, 'Hiring', 1, 'children'),
        (2, 6, 'Interns', 3, 'both');
    -- key results 1..12 over objectives 1..7 in turn
    FOR i IN 1 .. 12 LOOP
        INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value, weight)
        VALUES (1 + (i - 1) % 7, 'KR ' || i, kinds[i],
                CASE kinds[i] WHEN 'metric' THEN CASE WHEN i % 2 = 0 THEN 200 ELSE 0 END END,
                CASE kinds[i] WHEN 'metric' THEN CASE WHEN i % 2 = 0 THEN 100 ELSE 50 END
                              WHEN 'at_least' THEN 40 WHEN 'at_most' THEN 10 END,
                wl.pick(ARRAY[0.5, 1, 1, 2]::float8[]));
    END LOOP;
    -- changed in the transaction that first records them: only its last
    -- version reaches back (SPEC 7)
    UPDATE okr.objective SET weight = 1.5 WHERE id = 5;
    UPDATE okr.key_result SET target_value = 45 WHERE id = 3;
    -- aligned to key results: one of kind objectives (KR 7, of Interns), one of another kind (KR 1)
    INSERT INTO okr.objective (cycle_id, parent_key_result_id, title) VALUES (2, 7, 'Win enterprise');
    INSERT INTO okr.objective (cycle_id, parent_key_result_id, title, weight) VALUES (2, 1, 'Partners', 2);
    FOR i IN 1 .. 6 LOOP
        INSERT INTO okr.project (key_result_id, name, weight, state)
        VALUES (wl.pick(ARRAY[6, 11, 6, 11, 3, 8]::bigint[]), 'P ' || i,
                wl.pick(ARRAY[0, 1, 1, 2]::float8[]), wl.pick(ARRAY['planned', 'active', 'active', 'done']));
    END LOOP;
    FOR i IN 1 .. 15 LOOP
        INSERT INTO okr.task (project_id, title, status, effort, done_at)
        SELECT 1 + (i - 1) % 6, 'T ' || i, s, wl.pick(ARRAY[0.5, 1, 2, 3, 5]::float8[]),
               CASE WHEN s = 'done' THEN wl.rand_done_at() END
          FROM (SELECT wl.pick(ARRAY['todo', 'doing', 'done', 'done', 'cancelled']) AS s) x;
    END LOOP;
    FOR k IN SELECT kr.id, kr.kind, kr.start_value AS s, kr.target_value AS t, o.cycle_id
               FROM okr.key_result kr JOIN okr.objective o ON o.id = kr.objective_id
              WHERE kr.kind IN ('metric', 'at_least', 'at_most', 'milestone') ORDER BY kr.id LOOP
        INSERT INTO okr.checkin (key_result_id, value, checked_at)
        VALUES (k.id, wl.rand_value(k.kind, k.s, k.t), wl.rand_at(k.cycle_id));
    END LOOP;
END
$$;

-- One random change; a violation of a link rule is an error the caller catches.
CREATE FUNCTION wl.change(op text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k record;
    x bigint;
    r double precision := random();
BEGIN
    CASE op
    WHEN 'checkin' THEN
        -- now, back-dated, or tied with an existing check-in's moment
        SELECT kr.id, kr.kind, kr.start_value AS s, kr.target_value AS t, o.cycle_id INTO k
          FROM okr.key_result kr JOIN okr.objective o ON o.id = kr.objective_id
         WHERE kr.id = (SELECT wl.any_id('key_result', $c$kind IN ('metric', 'at_least', 'at_most', 'milestone')$c$));
        INSERT INTO okr.checkin (key_result_id, value, checked_at)
        VALUES (k.id, wl.rand_value(k.kind, k.s, k.t),
                CASE WHEN r < 0.2 THEN now()
                     WHEN r < 0.45 THEN coalesce((SELECT c.checked_at FROM okr.checkin c WHERE c.key_result_id = k.id
                                                  ORDER BY c.id DESC LIMIT 1), now())
                     ELSE wl.rand_at(k.cycle_id) END);
    WHEN 'checkin_update' THEN
        x := wl.any_id('checkin');
        SELECT kr.kind, kr.start_value AS s, kr.target_value AS t, o.cycle_id INTO k
          FROM okr.checkin c JOIN okr.key_result kr ON kr.id = c.key_result_id
          JOIN okr.objective o ON o.id = kr.objective_id WHERE c.id = x;
        IF r < 0.5 THEN
            UPDATE okr.checkin SET value = wl.rand_value(k.kind, k.s, k.t) WHERE id = x;
        ELSE
            UPDATE okr.checkin SET checked_at = wl.rand_at(k.cycle_id) WHERE id = x;
        END IF;
    WHEN 'checkin_delete' THEN
        DELETE FROM okr.checkin WHERE id = (SELECT wl.any_id('checkin'));
    WHEN 'task' THEN
        INSERT INTO okr.task (project_id, title, status, effort, done_at)
        SELECT wl.any_id('project'), 'new task', s, wl.pick(ARRAY[0.25, 1, 2, 3, 8]::float8[]),
               CASE WHEN s = 'done' THEN wl.rand_done_at() END
          FROM (SELECT wl.pick(ARRAY['todo', 'doing', 'done', 'done', 'cancelled']) AS s) x
        RETURNING id INTO x;
        -- sometimes changed again before its commit (two versions at one moment)
        IF r < 0.5 THEN
            UPDATE okr.task SET effort = effort + 1 WHERE id = x;
        END IF;
    WHEN 'task_status' THEN
        UPDATE okr.task SET status = x.s, done_at = CASE WHEN x.s = 'done' THEN wl.rand_done_at() END
          FROM (SELECT wl.pick(ARRAY['todo', 'doing', 'done', 'done', 'cancelled']) AS s) x
         WHERE id = (SELECT wl.any_id('task'));
    WHEN 'task_reopen' THEN
        UPDATE okr.task SET status = wl.pick(ARRAY['todo', 'doing']) WHERE id = (SELECT wl.any_id('task', $c$status = 'done'$c$));
    WHEN 'task_delete' THEN
        DELETE FROM okr.task WHERE id = (SELECT wl.any_id('task'));
    WHEN 'task_move' THEN
        UPDATE okr.task SET project_id = wl.any_id('project'),
               effort = CASE WHEN r < 0.5 THEN effort ELSE wl.pick(ARRAY[0.5, 1, 4]::float8[]) END
         WHERE id = (SELECT wl.any_id('task'));
    WHEN 'project' THEN
        IF r < 0.25 THEN
            INSERT INTO okr.project (key_result_id, name, weight) VALUES (wl.any_id('key_result'), 'new project', 1);
        ELSIF r < 0.5 THEN
            UPDATE okr.project SET key_result_id = wl.any_id('key_result') WHERE id = (SELECT wl.any_id('project'));
        ELSIF r < 0.85 THEN
            UPDATE okr.project SET state = wl.pick(ARRAY['planned', 'active', 'done', 'cancelled', 'cancelled'])
             WHERE id = (SELECT wl.any_id('project'));
        ELSE
            UPDATE okr.project SET weight = wl.pick(ARRAY[0, 1, 3]::float8[]) WHERE id = (SELECT wl.any_id('project'));
        END IF;
    WHEN 'kr_retarget' THEN
        -- a new target (metric: away from its start), sometimes a new start or
        -- weight, of a key result that has a target
        UPDATE okr.key_result SET
               target_value = CASE kind WHEN 'metric' THEN target_value + (target_value - start_value) * wl.pick(ARRAY[-0.5, 0.25, 1]::numeric[])
                                        WHEN 'at_least' THEN target_value + floor((random() - 0.5) * 20)::numeric
                                        WHEN 'at_most' THEN target_value + floor((random() - 0.5) * 6)::numeric
                                        ELSE target_value END,
               start_value = CASE WHEN kind = 'metric' AND r < 0.3 THEN start_value - 5 ELSE start_value END,
               weight = CASE WHEN r > 0.8 THEN wl.pick(ARRAY[0, 1, 2]::float8[]) ELSE weight END
         WHERE id = (SELECT wl.any_id('key_result', $c$kind IN ('metric', 'at_least', 'at_most')$c$));
    WHEN 'kr_other' THEN
        IF r < 0.35 THEN
            UPDATE okr.key_result SET state = CASE state WHEN 'active' THEN 'cancelled' ELSE 'active' END
             WHERE id = (SELECT wl.any_id('key_result'));
        ELSIF r < 0.65 THEN
            UPDATE okr.key_result SET objective_id = wl.any_id('objective') WHERE id = (SELECT wl.any_id('key_result'));
        ELSIF r < 0.85 THEN
            INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
            SELECT wl.any_id('objective'), 'new KR', kd,
                   CASE WHEN kd = 'metric' THEN 10 END, CASE WHEN kd IN ('metric', 'at_least', 'at_most') THEN 20 END
              FROM (SELECT wl.pick(ARRAY['metric', 'at_least', 'at_most', 'milestone', 'projects', 'objectives']) AS kd) x;
        ELSE
            -- a change of kind (refused for check-ins under projects or objectives)
            UPDATE okr.key_result SET kind = x.kd,
                   start_value = CASE WHEN x.kd = 'metric' THEN coalesce(start_value, 0) END,
                   target_value = CASE WHEN x.kd IN ('metric', 'at_least', 'at_most')
                                       THEN coalesce(target_value, 1) + CASE WHEN x.kd = 'metric' AND start_value = target_value THEN 1 ELSE 0 END END
              FROM (SELECT wl.pick(ARRAY['metric', 'at_least', 'at_most', 'milestone', 'projects', 'objectives']) AS kd) x
             WHERE id = (SELECT wl.any_id('key_result'));
        END IF;
    WHEN 'objective_move' THEN
        x := wl.any_id('objective');
        IF r < 0.15 THEN
            UPDATE okr.objective SET parent_id = NULL, parent_key_result_id = NULL WHERE id = x;
        ELSIF r < 0.6 THEN
            UPDATE okr.objective SET parent_key_result_id = NULL, parent_id = wl.any_id('objective', format('id <> %s', x)) WHERE id = x;
        ELSE
            UPDATE okr.objective SET parent_id = NULL,
                   parent_key_result_id = wl.any_id('key_result', format('objective_id <> %s', x)) WHERE id = x;
        END IF;
    WHEN 'objective_state' THEN
        -- close, reopen, cancel, draft
        x := wl.any_id('objective');
        UPDATE okr.objective SET state = CASE WHEN state <> 'active' THEN 'active'
                                              ELSE wl.pick(ARRAY['closed', 'closed', 'cancelled', 'cancelled', 'draft']) END
         WHERE id = x;
    WHEN 'objective_other' THEN
        IF r < 0.4 THEN
            UPDATE okr.objective SET weight = wl.pick(ARRAY[0, 0.5, 1, 2]::float8[]) WHERE id = (SELECT wl.any_id('objective'));
        ELSIF r < 0.7 THEN
            UPDATE okr.objective SET rollup = wl.pick(ARRAY['both', 'key_results', 'children']) WHERE id = (SELECT wl.any_id('objective'));
        ELSIF r < 0.9 THEN
            INSERT INTO okr.objective (cycle_id, parent_id, title) VALUES (2, wl.any_id('objective'), 'new objective');
        ELSE
            UPDATE okr.objective SET cycle_id = CASE cycle_id WHEN 1 THEN 2 ELSE 1 END WHERE id = (SELECT wl.any_id('objective'));
        END IF;
    WHEN 'cycle' THEN
        -- the quarter's dates move (expected progress changes from then on)
        UPDATE okr.cycle SET ends_on = ends_on + (floor((random() - 0.5) * 20))::int WHERE name = 'Quarter';
    END CASE;
END
$$;

CREATE PROCEDURE wl.workload(seed double precision, n int) LANGUAGE plpgsql AS $$
DECLARE
    -- each kind of change as many times as it is to be chosen: weighted so
    -- that every seed makes every kind wl.missing() asks for (the rarest,
    -- one branch of a kind: project cancelled, objective cancelled, key
    -- result inserted later, task effort changed)
    ops text[] := ARRAY['checkin', 'checkin', 'checkin', 'checkin', 'checkin_update', 'checkin_update', 'checkin_delete',
                        'task', 'task', 'task_status', 'task_status', 'task_reopen', 'task_delete', 'task_move', 'task_move', 'task_move',
                        'project', 'project', 'project', 'project', 'kr_retarget', 'kr_retarget',
                        'kr_other', 'kr_other', 'kr_other', 'kr_other',
                        'objective_move', 'objective_move', 'objective_state', 'objective_state', 'objective_state',
                        'objective_other', 'objective_other', 'objective_other', 'cycle'];
    op text;
    i int;
    j int;
BEGIN
    PERFORM setseed(seed);
    PERFORM wl.setup();
    COMMIT;
    INSERT INTO wl.saved SELECT 0, now(), f.* FROM okr.progress() f;
    COMMIT;
    FOR i IN 1 .. n LOOP
        FOR j IN 1 .. 1 + floor(random() * 3)::int LOOP
            op := wl.pick(ops);
            BEGIN
                PERFORM wl.change(op);
                INSERT INTO wl.done VALUES (i, op);
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO wl.refused VALUES (i, op, SQLSTATE, SQLERRM);
            END;
        END LOOP;
        COMMIT;
        -- a dashboard between two transactions
        INSERT INTO wl.saved SELECT i, now(), f.* FROM okr.progress() f;
        COMMIT;
    END LOOP;
END
$$;

-- ===================================================================
-- The organisation at (T, K), in plain SQL from SPEC 7 (the semantics of
-- issue 14), into temporary tables pg_temp.asof_<table> shaped as the
-- history tables: test/past_workload.sh runs test/pgtap/rollup_reference.sql's
-- reference over them.  They read the history tables only
-- (test/past_workload.sh checks it).  With M = least(T, K), a row exists if
-- its first version was recorded by K and no delete of it was recorded by
-- K (the workload never truncates, so every row of history exists now or
-- has its delete recorded); its version is the latest recorded by M, else
-- the last of the transaction that first recorded it.  Check-ins: their version at K (they carry their own time).
-- A task is done at T if its version at M or a later one recorded by K is
-- done with done_at <= T; its effort, project and status (cancelled or
-- not) are those of its version at M.
-- ===================================================================
CREATE FUNCTION wl.make_asof_tables() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'objective', 'key_result', 'checkin', 'project', 'task'] LOOP
        EXECUTE format('CREATE TEMP TABLE %I AS SELECT * FROM okr.%s_history WITH NO DATA', 'asof_' || t, t);
    END LOOP;
END
$$;

-- t: one of the six table names above
CREATE FUNCTION wl.fill_asof_table(t text, m timestamptz, k timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('TRUNCATE pg_temp.%I', 'asof_' || t);
    EXECUTE format($q$
        INSERT INTO pg_temp.%1$I
        SELECT v.*
          FROM (SELECT h.id, min(h.recorded_at) AS first_at FROM okr.%2$s_history h GROUP BY h.id) f
         CROSS JOIN LATERAL (
               SELECT h.* FROM okr.%2$s_history h
                WHERE h.id = f.id AND (h.recorded_at <= $1 OR h.recorded_at = f.first_at)
                ORDER BY h.recorded_at <= $1 DESC, h.recorded_at DESC, h.hid DESC LIMIT 1) v
         WHERE f.first_at <= $2
           AND NOT EXISTS (SELECT FROM okr.%2$s_history d WHERE d.id = f.id AND d.action = 'delete' AND d.recorded_at <= $2)$q$,
        'asof_' || t, t) USING m, k;
END
$$;

CREATE FUNCTION wl.fill_asof(as_of timestamptz, known_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k timestamptz := coalesce(known_at, 'infinity');
    m timestamptz := least(as_of, coalesce(known_at, 'infinity'));
BEGIN
    PERFORM wl.fill_asof_table('cycle', m, k);
    PERFORM wl.fill_asof_table('objective', m, k);
    PERFORM wl.fill_asof_table('key_result', m, k);
    PERFORM wl.fill_asof_table('checkin', k, k);
    PERFORM wl.fill_asof_table('project', m, k);
    PERFORM wl.fill_asof_table('task', m, k);
    -- the reference counts status 'done' with done_at <= T as done, and
    -- every status but cancelled in the total
    UPDATE pg_temp.asof_task a
       SET status = CASE WHEN a.status = 'cancelled' THEN 'cancelled' WHEN d.done THEN 'done' ELSE 'todo' END,
           done_at = CASE WHEN d.done THEN '-infinity'::timestamptz END
      FROM (SELECT a2.id, EXISTS (SELECT FROM okr.task_history h
                                   WHERE h.id = a2.id AND h.hid >= a2.hid AND h.recorded_at <= k
                                     AND h.status = 'done' AND h.done_at <= as_of) AS done
              FROM pg_temp.asof_task a2) d
     WHERE d.id = a.id;
END
$$;

-- ===================================================================
-- The checks; each returns (pass, description, details) for TAP.
-- ===================================================================
-- What the workload did (from the history: what was committed)
CREATE FUNCTION wl.missing() RETURNS text[] LANGUAGE sql AS $$
    WITH t AS (SELECT h.*, lag(h) OVER w AS prev FROM okr.task_history h WINDOW w AS (PARTITION BY h.id ORDER BY h.hid)),
    c AS (SELECT h.*, lag(h) OVER w AS prev FROM okr.checkin_history h WINDOW w AS (PARTITION BY h.id ORDER BY h.hid)),
    k AS (SELECT h.*, lag(h) OVER w AS prev FROM okr.key_result_history h WINDOW w AS (PARTITION BY h.id ORDER BY h.hid)),
    p AS (SELECT h.*, lag(h) OVER w AS prev FROM okr.project_history h WINDOW w AS (PARTITION BY h.id ORDER BY h.hid)),
    o AS (SELECT h.*, lag(h) OVER w AS prev FROM okr.objective_history h WINDOW w AS (PARTITION BY h.id ORDER BY h.hid)),
    first_save AS (SELECT min(s.t) AS t FROM wl.saved s WHERE s.n = 1),
    feature (name, present) AS (VALUES
        ('50 saved dashboards', (SELECT count(DISTINCT s.t) >= 50 FROM wl.saved s)),
        ('back-dated check-in', EXISTS (SELECT FROM c WHERE c.action = 'insert' AND c.checked_at < c.recorded_at - interval '1 day'
                                         AND EXISTS (SELECT FROM okr.checkin_history e WHERE e.key_result_id = c.key_result_id
                                                       AND e.hid < c.hid AND e.checked_at > c.checked_at))),
        ('check-in moved in time', EXISTS (SELECT FROM c WHERE c.action = 'update' AND c.checked_at <> (c.prev).checked_at)),
        ('check-in value corrected', EXISTS (SELECT FROM c WHERE c.action = 'update' AND c.value <> (c.prev).value)),
        ('check-ins tied on checked_at', EXISTS (SELECT FROM okr.checkin_history a JOIN okr.checkin_history b
                                                   ON a.key_result_id = b.key_result_id AND a.checked_at = b.checked_at AND a.id < b.id)),
        ('deleted check-in', EXISTS (SELECT FROM c WHERE c.action = 'delete')),
        ('deleted task', EXISTS (SELECT FROM t WHERE t.action = 'delete')),
        ('task reopened', EXISTS (SELECT FROM t WHERE t.action = 'update' AND t.status <> 'done' AND (t.prev).status = 'done')),
        ('completion recorded late', EXISTS (SELECT FROM t WHERE t.status = 'done' AND t.done_at < t.recorded_at - interval '1 day'
                                              AND t.recorded_at > (SELECT first_save.t FROM first_save))),
        ('task moved', EXISTS (SELECT FROM t WHERE t.action = 'update' AND t.project_id <> (t.prev).project_id)),
        ('task effort changed', EXISTS (SELECT FROM t WHERE t.action = 'update' AND t.effort <> (t.prev).effort)),
        ('task changed in the transaction that inserted it', EXISTS (SELECT FROM t WHERE t.action = 'update' AND (t.prev).action = 'insert'
                                                                       AND t.recorded_at = (t.prev).recorded_at
                                                                       AND t.recorded_at > (SELECT first_save.t FROM first_save))),
        ('task cancelled', EXISTS (SELECT FROM t WHERE t.action = 'update' AND t.status = 'cancelled')),
        ('project moved', EXISTS (SELECT FROM p WHERE p.action = 'update' AND p.key_result_id <> (p.prev).key_result_id)),
        ('project cancelled', EXISTS (SELECT FROM p WHERE p.action = 'update' AND p.state = 'cancelled')),
        ('project inserted later', EXISTS (SELECT FROM p WHERE p.action = 'insert' AND p.recorded_at > (SELECT first_save.t FROM first_save))),
        ('key result re-targeted', EXISTS (SELECT FROM k WHERE k.action = 'update' AND k.target_value <> (k.prev).target_value)),
        ('key result moved', EXISTS (SELECT FROM k WHERE k.action = 'update' AND k.objective_id <> (k.prev).objective_id)),
        ('key result cancelled', EXISTS (SELECT FROM k WHERE k.action = 'update' AND k.state = 'cancelled')),
        ('key result inserted later', EXISTS (SELECT FROM k WHERE k.action = 'insert' AND k.recorded_at > (SELECT first_save.t FROM first_save))),
        ('objective moved', EXISTS (SELECT FROM o WHERE o.action = 'update'
                                     AND (o.parent_id, o.parent_key_result_id) IS DISTINCT FROM ((o.prev).parent_id, (o.prev).parent_key_result_id))),
        ('objective aligned to a key result by a move', EXISTS (SELECT FROM o WHERE o.action = 'update' AND o.parent_key_result_id IS NOT NULL
                                     AND o.parent_key_result_id IS DISTINCT FROM (o.prev).parent_key_result_id)),
        ('objective closed', EXISTS (SELECT FROM o WHERE o.action = 'update' AND o.state = 'closed')),
        ('objective reopened', EXISTS (SELECT FROM o WHERE o.action = 'update' AND o.state = 'active' AND (o.prev).state = 'closed')),
        ('objective cancelled', EXISTS (SELECT FROM o WHERE o.action = 'update' AND o.state = 'cancelled')),
        ('objective weight changed', EXISTS (SELECT FROM o WHERE o.action = 'update' AND o.weight <> (o.prev).weight)),
        ('cycle dates changed', EXISTS (SELECT FROM okr.cycle_history h WHERE h.action = 'update')),
        ('a change refused by a link rule', EXISTS (SELECT FROM wl.refused)))
    SELECT coalesce(array_agg(name ORDER BY name) FILTER (WHERE present IS NOT TRUE), '{}') FROM feature
$$;

CREATE FUNCTION wl.check_workload(seed text) RETURNS TABLE (pass boolean, description text, details text) LANGUAGE sql AS $$
    SELECT wl.missing() = '{}',
           format('seed %s: the workload committed %s changes (%s refused by the link rules) in %s transactions, with every kind of change',
                  seed, (SELECT count(*) FROM wl.done), (SELECT count(*) FROM wl.refused), (SELECT max(n) FROM wl.saved)),
           'missing: ' || array_to_string(wl.missing(), ', ')
$$;

-- (a) every saved okr.progress() equals okr.progress(t, known_at => t), exactly
CREATE FUNCTION wl.check_saved(seed text) RETURNS TABLE (pass boolean, description text, details text) LANGUAGE sql AS $$
    WITH s AS (SELECT DISTINCT n, t FROM wl.saved),
    diff AS (
        SELECT s.n, 'saved only' AS side, x.* FROM s CROSS JOIN LATERAL (
            SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status FROM wl.saved v WHERE v.n = s.n
            EXCEPT ALL
            SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status FROM okr.progress(s.t, known_at => s.t)) x
        UNION ALL
        SELECT s.n, 'known_at only', x.* FROM s CROSS JOIN LATERAL (
            SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status FROM okr.progress(s.t, known_at => s.t)
            EXCEPT ALL
            SELECT item, id, parent_item, parent_id, cycle_id, progress, activity, expected, status FROM wl.saved v WHERE v.n = s.n) x)
    SELECT count(*) = 0,
           format('seed %s: every one of the %s saved dashboards (%s rows) equals okr.progress(t, known_at => t) exactly',
                  seed, (SELECT count(*) FROM s), (SELECT count(*) FROM wl.saved)),
           format('%s rows differ; first ones: ', count(*))
           || string_agg(format('after transaction %s, %s: %s %s parent=%s %s cycle=%s progress=%s activity=%s expected=%s status=%s',
                                d.n, d.side, d.item, d.id, d.parent_item, d.parent_id, d.cycle_id, d.progress, d.activity, d.expected, d.status),
                         ' ;; ' ORDER BY d.n, d.item, d.id, d.side) FILTER (WHERE d.rn <= 8)
      FROM (SELECT diff.*, row_number() OVER (ORDER BY diff.n, diff.item, diff.id, diff.side) AS rn FROM diff) d
$$;

-- (c) okr.progress_history over the workload (its structure moved: every
-- moment rolled up as it was, each derived from the rollup at to_ts)
-- equals okr.progress at each of its moments, exactly, for the objectives
-- and key results (every column it returns)
CREATE FUNCTION wl.check_history(seed text) RETURNS TABLE (pass boolean, description text, details text) LANGUAGE sql AS $$
    WITH b AS (SELECT min(t) AS f, max(t) AS l FROM wl.saved),
    h AS MATERIALIZED (SELECT x.* FROM b, okr.progress_history(b.f, b.l, (b.l - b.f) / 11) x),
    m AS (SELECT DISTINCT as_of FROM h),
    p AS MATERIALIZED (SELECT m.as_of, x.item, x.id, x.progress, x.activity, x.expected, x.status
                         FROM m CROSS JOIN LATERAL okr.progress(m.as_of) x
                        WHERE x.item IN ('objective', 'key_result')),
    diff AS (SELECT 'history only' AS side, d.* FROM (SELECT * FROM h EXCEPT ALL SELECT * FROM p) d
             UNION ALL
             SELECT 'progress only', d.* FROM (SELECT * FROM p EXCEPT ALL SELECT * FROM h) d)
    SELECT count(*) = 0 AND (SELECT count(*) FROM m) >= 11,
           format('seed %s: okr.progress_history over the workload (%s moments, %s rows) equals okr.progress at each moment exactly',
                  seed, (SELECT count(*) FROM m), (SELECT count(*) FROM h)),
           format('%s rows differ; first ones: ', count(*))
           || string_agg(format('%s at %s: %s %s progress=%s activity=%s expected=%s status=%s',
                                d.side, d.as_of, d.item, d.id, d.progress, d.activity, d.expected, d.status),
                         ' ;; ' ORDER BY d.as_of, d.item, d.id, d.side) FILTER (WHERE d.rn <= 8)
      FROM (SELECT diff.*, row_number() OVER (ORDER BY diff.as_of, diff.item, diff.id, diff.side) AS rn FROM diff) d
$$;

-- The moments of (b): dates in the cycles, and moments before, at, between
-- and after those the workload recorded
CREATE FUNCTION wl.moments() RETURNS TABLE (label text, t timestamptz) LANGUAGE sql AS $$
    WITH r AS (SELECT DISTINCT h.recorded_at AS t FROM okr.objective_history h
               UNION SELECT recorded_at FROM okr.key_result_history UNION SELECT recorded_at FROM okr.checkin_history
               UNION SELECT recorded_at FROM okr.project_history UNION SELECT recorded_at FROM okr.task_history
               UNION SELECT recorded_at FROM okr.cycle_history),
    rn AS (SELECT r.t, row_number() OVER (ORDER BY r.t) AS i, count(*) OVER () AS n FROM r),
    s AS (SELECT DISTINCT v.n, v.t FROM wl.saved v)
    SELECT * FROM (VALUES
        ('-infinity', '-infinity'::timestamptz),
        ('a microsecond before the year', (SELECT starts_on::timestamptz - interval '1 microsecond' FROM okr.cycle WHERE id = 1)),
        ('the quarter''s first instant', (SELECT starts_on::timestamptz FROM okr.cycle_history WHERE id = 2 ORDER BY hid LIMIT 1)),
        ('15 days ago', now() - interval '15 days 3 hours'),
        ('a check-in''s checked_at', coalesce((SELECT checked_at FROM okr.checkin_history ORDER BY hid OFFSET 20 LIMIT 1), now() - interval '1 day')),
        ('a task''s done_at', coalesce((SELECT done_at FROM okr.task_history WHERE done_at IS NOT NULL ORDER BY hid DESC LIMIT 1), now() - interval '2 days')),
        ('a microsecond before anything was recorded', (SELECT min(r.t) - interval '1 microsecond' FROM r)),
        ('the moment of the setup', (SELECT min(r.t) FROM r)),
        ('the moment of a transaction a third in', (SELECT rn.t FROM rn WHERE rn.i = rn.n / 3)),
        ('between two transactions two thirds in', (SELECT s.t FROM s WHERE s.n = (SELECT max(n) FROM s) * 2 / 3)),
        ('a millisecond after the last transaction', (SELECT max(r.t) + interval '1 millisecond' FROM r)),
        ('infinity', 'infinity')) m (label, t)
    UNION ALL
    -- and through the workload: the moments of transactions and of saved
    -- dashboards a fifth, two fifths, ... in
    SELECT format('the moment of the transaction %s/5 in', q), (SELECT rn.t FROM rn WHERE rn.i = rn.n * q / 5)
      FROM generate_series(1, 4) q
    UNION ALL
    SELECT format('the dashboard %s/5 in', q), (SELECT s.t FROM s WHERE s.n = (SELECT max(n) FROM s) * q / 5)
      FROM generate_series(1, 4) q
$$;

-- (b) okr.progress(T, known_at => K) against the reference over the rows at (T, K)
CREATE FUNCTION wl.check_reference(seed text, k_label text, k timestamptz)
RETURNS TABLE (pass boolean, description text, details text) LANGUAGE plpgsql AS $$
DECLARE
    m record;
    n_rows bigint := 0;
    n_bad bigint := 0;
    n_moments int := 0;
    bad text[] := '{}';
    b text[];
    n bigint;
BEGIN
    FOR m IN SELECT * FROM wl.moments() LOOP
        n_moments := n_moments + 1;
        DELETE FROM cmp_engine;
        DELETE FROM cmp_ref;
        INSERT INTO cmp_engine SELECT * FROM okr.progress(m.t, known_at => k);
        PERFORM wl.fill_asof(m.t, k);
        INSERT INTO cmp_ref SELECT * FROM pg_temp.ref_progress(m.t);
        n_rows := n_rows + (SELECT count(*) FROM cmp_ref);
        SELECT count(*), (array_agg(format('as_of %s (%s): %s %s: engine %s | reference %s', m.t, m.label, d.item, d.id, d.engine, d.reference)
                                    ORDER BY d.item, d.id))[1:4]
          INTO n, b FROM pg_temp.ref_diff(1e-12) d;
        n_bad := n_bad + n;
        IF n > 0 AND cardinality(bad) < 8 THEN bad := bad || b; END IF;
        -- okr.objective_progress(id, T, K) of every objective of then (the
        -- reference's).  Materialized: flattened, the planner may test the
        -- inlined feq(), and so call okr.objective_progress, before
        -- r.item = 'objective', on the id of a key result or project.
        WITH x AS MATERIALIZED (
            SELECT r.id, okr.objective_progress(r.id, m.t, k) AS got, r.progress AS want
              FROM cmp_ref r WHERE r.item = 'objective')
        SELECT count(*), (array_agg(format('as_of %s (%s): okr.objective_progress(%s) %s | reference %s', m.t, m.label, x.id, x.got, x.want)
                                    ORDER BY x.id))[1:4]
          INTO n, b
          FROM x WHERE NOT pg_temp.feq(x.got, x.want, 1e-12);
        n_bad := n_bad + n;
        IF n > 0 AND cardinality(bad) < 8 THEN bad := bad || b; END IF;
    END LOOP;
    RETURN QUERY SELECT n_bad = 0,
        format('seed %s: okr.progress(T, known_at => %s) and okr.objective_progress equal the reference over the history at %s moments T (%s rows)',
               seed, k_label, n_moments, n_rows),
        format('%s rows differ; first ones: ', n_bad) || array_to_string(bad, ' ;; ');
END
$$;
