-- Helpers of the stateful fuzz test (test/fuzz/okr_fuzz.pl), created by
-- the superuser in schema okr_fuzz, outside schema okr so that the
-- generator's look-up of okr's functions in pg_proc does not find them.
-- The generated scripts call them after a COMMIT (autocommit statements):
-- each raises an error of SQLSTATE class FZ, which the driver counts as a
-- broken invariant, naming the rows involved.
CREATE SCHEMA okr_fuzz;

-- Rule 4 as other sessions see it: every key result's current_value (and
-- last_checkin_at) is that of its latest check-in, by checked_at then id.
CREATE FUNCTION okr_fuzz.check_rule4() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    SELECT k.id, k.current_value, k.last_checkin_at, l.id AS checkin_id, l.value, l.checked_at INTO r
      FROM okr.key_result k
      LEFT JOIN LATERAL (SELECT ci.id, ci.value, ci.checked_at FROM okr.checkin ci
                          WHERE ci.key_result_id = k.id
                          ORDER BY ci.checked_at DESC, ci.id DESC LIMIT 1) l ON true
     WHERE k.current_value IS DISTINCT FROM l.value
        OR k.last_checkin_at IS DISTINCT FROM l.checked_at
     ORDER BY k.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'FZ004',
            MESSAGE = format('rule 4 broken: key result %s has current_value %s (last_checkin_at %s) but its latest check-in %s has value %s (checked_at %s)',
                             r.id, coalesce(r.current_value::text, 'NULL'), coalesce(r.last_checkin_at::text, 'NULL'),
                             coalesce(r.checkin_id::text, '(none)'), coalesce(r.value::text, 'NULL'), coalesce(r.checked_at::text, 'NULL'));
    END IF;
END $$;

-- okr.project_effort: one row per project, holding the sums of its tasks.
CREATE FUNCTION okr_fuzz.check_effort() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    SELECT p.id, e.effort_total, e.effort_done, s.total, s.done INTO r
      FROM okr.project p
      LEFT JOIN okr.project_effort e ON e.project_id = p.id
      CROSS JOIN LATERAL (SELECT coalesce(sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled'), 0) AS total,
                                 coalesce(sum(t.effort::numeric) FILTER (WHERE t.status = 'done'), 0) AS done
                            FROM okr.task t WHERE t.project_id = p.id) s
     WHERE e.effort_total IS DISTINCT FROM s.total OR e.effort_done IS DISTINCT FROM s.done
     ORDER BY p.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'FZ005',
            MESSAGE = format('effort broken: okr.project_effort of project %s holds (%s, %s), its tasks sum to (%s, %s)',
                             r.id, coalesce(r.effort_total::text, 'no row'), coalesce(r.effort_done::text, 'no row'), r.total, r.done);
    END IF;
    SELECT e.project_id INTO r FROM okr.project_effort e
     WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = e.project_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'FZ005',
            MESSAGE = format('effort broken: okr.project_effort has a row for project %s, which does not exist', r.project_id);
    END IF;
END $$;

-- Rule 1: no cycle in parent_id of cycle, team and objective.  Returns the
-- ids found on a cycle, as 'table id'.
CREATE FUNCTION okr_fuzz.cycles() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective'] LOOP
        RETURN QUERY EXECUTE format($q$
            WITH RECURSIVE w (start, id) AS (
                SELECT x.id, x.parent_id FROM okr.%1$I x WHERE x.parent_id IS NOT NULL
              UNION ALL
                SELECT w.start, x.parent_id FROM w JOIN okr.%1$I x ON x.id = w.id WHERE x.parent_id IS NOT NULL
            ) CYCLE id SET on_cycle USING path
            SELECT DISTINCT %1$L || ' ' || start FROM w WHERE id = start ORDER BY 1$q$, t);
    END LOOP;
END $$;

CREATE FUNCTION okr_fuzz.check_cycles() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE found text;
BEGIN
    SELECT string_agg(c, ', ') INTO found FROM (SELECT c FROM okr_fuzz.cycles() c LIMIT 10) s;
    IF found IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'FZ001',
            MESSAGE = format('rule 1 broken: rows on a parent_id cycle: %s', found);
    END IF;
END $$;

-- Rule 4 inside a writing transaction (README "Concurrency"): okr.progress
-- reads the check-ins itself while notes are pending, and a parallel worker
-- must compute the same figures as the leader.  Called inside
-- transactions, after writes.
CREATE FUNCTION okr_fuzz.progress_digest(parallel boolean) RETURNS text
LANGUAGE plpgsql STABLE
-- (the SET clauses undo, on return, what set_config does inside)
SET force_parallel_mode = off SET parallel_setup_cost = 1000 SET parallel_tuple_cost = 0.1
SET max_parallel_workers_per_gather = 2 AS $$
DECLARE h text;
BEGIN
    -- EXECUTE plans with parallel query allowed (a SQL function's body
    -- and a static SELECT INTO do not run in a worker, even when forced)
    IF parallel THEN
        PERFORM set_config('force_parallel_mode', 'on', true), set_config('parallel_setup_cost', '0', true),
                set_config('parallel_tuple_cost', '0', true), set_config('max_parallel_workers_per_gather', '2', true);
    ELSE
        PERFORM set_config('force_parallel_mode', 'off', true);
    END IF;
    EXECUTE $q$SELECT md5(coalesce(string_agg(p::text, '|' ORDER BY p.item, p.id), '')) FROM okr.progress() p$q$ INTO h;
    RETURN h;
END $$;
CREATE FUNCTION okr_fuzz.progress_rows(parallel boolean) RETURNS TABLE (item text, id bigint, r text)
LANGUAGE plpgsql STABLE
SET force_parallel_mode = off AS $$
BEGIN
    PERFORM set_config('force_parallel_mode', CASE WHEN parallel THEN 'on' ELSE 'off' END, true);
    RETURN QUERY EXECUTE 'SELECT p.item, p.id, p::text FROM okr.progress() p';
END $$;
CREATE FUNCTION okr_fuzz.check_parallel() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE a text; b text; d text;
BEGIN
    -- one statement, so both see the same snapshot (STABLE functions use
    -- their caller's), whatever other sessions commit meanwhile
    SELECT okr_fuzz.progress_digest(false), okr_fuzz.progress_digest(true) INTO a, b;
    IF a IS DISTINCT FROM b THEN
        SELECT string_agg(format('leader %s, worker %s', coalesce(s.r, '(none)'), coalesce(q.r, '(none)')), '; ') INTO d
          FROM okr_fuzz.progress_rows(false) s
          FULL JOIN okr_fuzz.progress_rows(true) q USING (item, id)
         WHERE s.r IS DISTINCT FROM q.r;
        RAISE EXCEPTION USING ERRCODE = 'FZ007',
            MESSAGE = format('okr.progress() differs in a parallel worker (force_parallel_mode = on): %s', coalesce(d, 'rows differ'));
    END IF;
END $$;

GRANT USAGE ON SCHEMA okr_fuzz TO okr_fuzz_writer, okr_fuzz_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA okr_fuzz TO okr_fuzz_writer, okr_fuzz_reader;
