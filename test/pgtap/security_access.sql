-- Security: access by team (SPEC 9, doc/access.md).
--
-- Team-scoped grants kept in okr.access_grant; the write scope enforced by
-- the trigger okr_05_access (42501 naming the team); private objectives
-- hidden by okr's own row-level security policies from every table, view
-- and function; one truth: a parent's progress counts its private children
-- for every reader.  Then the attacks a scoped writer tries to widen its
-- scope or to read another team's private rows: each is refused (the
-- SQLSTATE is checked) or finds nothing.
--
-- Roles are created inside this file's transaction and vanish with its
-- ROLLBACK; statements run as a role through pg_temp helpers.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(88);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

CREATE ROLE okr_acc_sales;          -- writes team 2 (Sales) and below
CREATE ROLE okr_acc_mkt;            -- writes team 3 (Marketing)
CREATE ROLE okr_acc_reader;         -- reads everything (unscoped)
CREATE ROLE okr_acc_emea;           -- reads team 4 (EMEA Sales, below Sales)
CREATE ROLE okr_acc_boss;           -- reads team 1 (Company, above all)
CREATE ROLE okr_acc_writer;         -- writes everything (unscoped)
CREATE ROLE okr_acc_member IN ROLE okr_acc_sales;  -- a login of the Sales lead group

-- 'ok', or 'SQLSTATE: message' of the first statement that fails, as role r.
CREATE FUNCTION pg_temp.try_as(r text, VARIADIC stmts text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s text;
    res text := 'ok';
    st text;
    msg text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        FOREACH s IN ARRAY stmts LOOP
            EXECUTE s;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        res := st || ': ' || msg;
    END;
    RESET ROLE;
    RETURN res;
END $$;
CREATE FUNCTION pg_temp.state_as(r text, VARIADIC stmts text[]) RETURNS text
LANGUAGE sql AS $$ SELECT pg_catalog.split_part(pg_temp.try_as(r, VARIADIC stmts), ':', 1) $$;
-- The first column of a query's first row as text, as role r.
CREATE FUNCTION pg_temp.get_as(r text, q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        EXECUTE q INTO v;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v = RETURNED_SQLSTATE;
        v := 'ERROR ' || v;
    END;
    RESET ROLE;
    RETURN v;
END $$;
-- Rows of any okr view, as role r, whose text shows a PRIV- title.
CREATE FUNCTION pg_temp.views_leaking(r text, pattern text) RETURNS text
LANGUAGE sql AS $$
    SELECT pg_catalog.string_agg(v.relname || ' -> ' || s, ', ')
      FROM pg_catalog.pg_class v,
           LATERAL pg_temp.get_as(r, pg_catalog.format(
               $q$SELECT count(*)::text FROM okr.%I t WHERE t::text LIKE %L$q$, v.relname, pattern)) s
     WHERE v.relnamespace = 'okr'::regnamespace AND v.relkind = 'v' AND s <> '0'
$$;

-- ---------------------------------------------------------------------------
-- Fixture (as the superuser)
-- ---------------------------------------------------------------------------
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.team (name) VALUES ('Company');                                   -- 1
INSERT INTO okr.team (name, parent_id) VALUES ('Sales', 1), ('Marketing', 1);     -- 2, 3
INSERT INTO okr.team (name, parent_id) VALUES ('EMEA Sales', 2);                  -- 4
INSERT INTO okr.objective (cycle_id, team_id, parent_id, title, private) VALUES
    (1, 1, NULL, 'Company goal', false),      -- 1
    (1, 3, 1,    'PRIV-MKT plan', true),      -- 2: private, Marketing
    (1, 2, 1,    'Sales goal', false),        -- 3
    (1, 3, 2,    'Mkt public child', false),  -- 4: visible child of private 2
    (1, 2, 3,    'PRIV-SALES plan', true),    -- 5: private, Sales
    (1, 4, 3,    'EMEA goal', false);         -- 6
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES
    (2, 'PRIV-MKT kr', 0, 10),   -- 1
    (3, 'Sales kr', 0, 10),      -- 2
    (4, 'Mkt kr', 0, 10),        -- 3
    (6, 'EMEA kr', 0, 10),       -- 4
    (5, 'PRIV-SALES kr', 0, 10); -- 5
INSERT INTO okr.checkin (key_result_id, value, checked_at, note) VALUES
    (1, 10, '2026-03-01', 'PRIV-MKT note'), (2, 5, '2026-03-01', NULL),
    (3, 2, '2026-03-01', NULL), (4, 8, '2026-03-01', NULL), (5, 4, '2026-03-01', 'PRIV-SALES note');
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'PRIV-MKT project'), (2, 'Sales project'); -- 1, 2
INSERT INTO okr.task (project_id, title, status, done_at) VALUES
    (1, 'PRIV-MKT task', 'done', '2026-02-01'), (2, 'Sales task', 'todo', NULL);

-- ---------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT okr.grant_write('okr_acc_sales', 2)$$, 'grant_write(role, team)');
SELECT lives_ok($$SELECT okr.grant_write('okr_acc_mkt', team_id => 3)$$, 'grant_write(role, team_id => 3)');
SELECT lives_ok($$SELECT okr.grant_read('okr_acc_reader')$$, 'grant_read(role): unscoped, as in 1.0');
SELECT lives_ok($$SELECT okr.grant_read('okr_acc_emea', 4)$$, 'grant_read(role, team)');
SELECT lives_ok($$SELECT okr.grant_read('okr_acc_boss', 1)$$, 'grant_read(role, top team)');
SELECT lives_ok($$SELECT okr.grant_write('okr_acc_writer')$$, 'grant_write(role): unscoped');
SELECT is((SELECT string_agg(format('%s/%s/%s', role, coalesce(team_id::text, '-'), can_write::text), ' ' ORDER BY role)
             FROM okr.access_grant),
    'okr_acc_boss/1/false okr_acc_emea/4/false okr_acc_mkt/3/true okr_acc_reader/-/false okr_acc_sales/2/true okr_acc_writer/-/true',
    'okr.access_grant holds one row per role and team');
SELECT lives_ok($$SELECT okr.grant_write('okr_acc_sales', 2)$$, 'granting again changes nothing ...');
SELECT is((SELECT count(*)::int FROM okr.access_grant WHERE role = 'okr_acc_sales'), 1, '... still one row');
SELECT throws_ok($$SELECT okr.grant_read('okr_acc_emea', 999)$$, '42704', 'team 999 does not exist',
    'grant on an unknown team: 42704');
SELECT ok(NOT has_table_privilege('okr_acc_sales', 'okr.team', 'INSERT')
          AND NOT has_table_privilege('okr_acc_sales', 'okr.cycle', 'UPDATE')
          AND has_table_privilege('okr_acc_sales', 'okr.task', 'INSERT'),
    'a scoped writer gets no INSERT, UPDATE, DELETE on cycle and team, but on the tables of goals and work');
SELECT is(pg_temp.state_as('okr_acc_reader', 'SELECT count(*) FROM okr.access_grant'), '42501',
    'readers cannot read okr.access_grant (42501)');

-- ---------------------------------------------------------------------------
-- Write scope
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.try_as('okr_acc_sales', $$UPDATE okr.objective SET title = 'Sales goal!' WHERE id = 3$$), 'ok',
    'scoped writer: updates its team''s objective');
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.objective (cycle_id, team_id, parent_id, title) VALUES (1, 4, 3, 'EMEA second')$$), 'ok',
    'scoped writer: inserts an objective of a sub-team');               -- 7
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (7, 'EMEA kr 2', 0, 1)$$,
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (2, 6, '2026-03-02')$$,
    $$INSERT INTO okr.project (key_result_id, name) VALUES (2, 'Sales project 2')$$,
    $$INSERT INTO okr.task (project_id, title) VALUES (2, 'Sales task 2')$$,
    $$UPDATE okr.task SET status = 'done' WHERE project_id = 2 AND title = 'Sales task 2'$$,
    $$DELETE FROM okr.task WHERE project_id = 2 AND title = 'Sales task 2'$$), 'ok',
    'scoped writer: writes key results, check-ins, projects and tasks below its objectives');
SELECT is(pg_temp.try_as('okr_acc_member', $$UPDATE okr.objective SET owner = 'ann' WHERE id = 3$$), 'ok',
    'a member of the scoped role writes as the role does');
SELECT is(pg_temp.try_as('okr_acc_sales', $$UPDATE okr.objective SET title = 'hacked' WHERE id = 1$$),
    '42501: permission denied to write objective 1: objective 1 belongs to team 1 (Company), outside the write scope of role "okr_acc_sales"',
    'scoped writer: another team''s objective is 42501, naming the team');
SELECT is(pg_temp.state_as('okr_acc_sales', $$DELETE FROM okr.objective WHERE id = 4$$), '42501',
    'scoped writer: deleting another team''s objective is 42501');
SELECT is(pg_temp.state_as('okr_acc_sales',
    $$INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (1, 3, 'into Marketing')$$), '42501',
    'scoped writer: an objective in another team is 42501');
SELECT is(pg_temp.state_as('okr_acc_sales', $$INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'no team')$$), '42501',
    'scoped writer: an objective without a team is 42501');
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (1, 3, 'into Marketing')$$),
    '42501: permission denied to write new objective "into Marketing" in team 3 (Marketing), outside the write scope of role "okr_acc_sales"',
    '... and the message names the new objective by its title, not by the id the insert used up');
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (4, 'x', 0, 1)$$),
    '42501: permission denied to write new key result "x": objective 4 belongs to team 3 (Marketing), outside the write scope of role "okr_acc_sales"',
    '... and so does the message for a new key result under another team''s objective');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.objective SET team_id = 3 WHERE id = 3$$), '42501',
    'attack: moving its objective out to another team is a write to both sides (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.objective SET team_id = 2 WHERE id = 4$$), '42501',
    'attack: moving another team''s objective into its team (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.objective SET private = true WHERE id = 4$$), '42501',
    'attack: writing private on another team''s objective (42501)');
SELECT is(pg_temp.try_as('okr_acc_sales', $$UPDATE okr.objective SET private = true WHERE id = 6$$,
                                           $$UPDATE okr.objective SET private = false WHERE id = 6$$), 'ok',
    'scoped writer: sets private on its own team''s objectives');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.team SET parent_id = 3 WHERE id = 2$$), '42501',
    'attack: re-parenting its team (42501)');
SELECT is(pg_temp.try_as('okr_acc_sales', $$UPDATE okr.team SET parent_id = 3 WHERE id = 2$$),
    '42501: permission denied for table team',
    '... refused by the privileges grant_write(role, team) leaves out');
GRANT UPDATE, INSERT ON okr.team, okr.cycle TO okr_acc_sales;
SELECT alike(pg_temp.try_as('okr_acc_sales', $$UPDATE okr.team SET parent_id = 3 WHERE id = 2$$),
    '42501: permission denied to write okr.team: role "okr_acc_sales" has a write grant scoped to teams%',
    'attack: with UPDATE on okr.team granted by hand, the trigger still refuses (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$INSERT INTO okr.team (name, parent_id) VALUES ('Sales 2', 2)$$), '42501',
    'attack: adding a team, even below its own (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.cycle SET ends_on = '2026-12-30' WHERE id = 1$$), '42501',
    'a scoped writer writes no cycle (42501)');
REVOKE UPDATE, INSERT ON okr.team, okr.cycle FROM okr_acc_sales;
SELECT is(pg_temp.state_as('okr_acc_sales', $$SELECT okr.grant_write('okr_acc_sales')$$), '42501',
    'attack: granting itself unscoped write (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$INSERT INTO okr.access_grant (role, team_id, can_write) VALUES ('okr_acc_sales', NULL, true)$$), '42501',
    'attack: writing its own grant row (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.access_grant SET team_id = NULL$$), '42501',
    'attack: widening its grant row (42501)');
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (3, 1, '2026-03-02')$$),
    '42501: permission denied to write a new check-in of key result 3 at 2026-03-02 00:00:00+00: objective 4 belongs to team 3 (Marketing), outside the write scope of role "okr_acc_sales"',
    'attack: a check-in under another team''s key result (42501, naming the team)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (4, 'x', 0, 1)$$), '42501',
    'attack: a key result under another team''s objective (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$INSERT INTO okr.project (key_result_id, name) VALUES (3, 'x')$$), '42501',
    'attack: a project under another team''s key result (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.key_result SET objective_id = 4 WHERE id = 2$$), '42501',
    'attack: moving its key result under another team''s objective (42501)');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.project SET key_result_id = 3 WHERE id = 2$$), '42501',
    'attack: moving its project under another team''s key result (42501)');
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 1, '2026-03-02')$$),
    '42501: permission denied to write a new check-in of key result 1 at 2026-03-02 00:00:00+00: it is outside the write scope of role "okr_acc_sales"',
    'attack: a check-in on a hidden key result: 42501, and the message names neither its objective nor its team');
SELECT is(pg_temp.state_as('okr_acc_sales', $$INSERT INTO okr.task (project_id, title) VALUES (1, 'x')$$), '42501',
    'attack: a task under a hidden project (42501)');
SELECT is(pg_temp.get_as('okr_acc_sales', $$WITH u AS (UPDATE okr.objective SET title = 'x' WHERE id = 2 RETURNING 1) SELECT count(*)::text FROM u$$), '0',
    'attack: an UPDATE of a hidden objective finds nothing');
SELECT is(pg_temp.get_as('okr_acc_sales', $$WITH d AS (DELETE FROM okr.checkin WHERE key_result_id = 1 RETURNING 1) SELECT count(*)::text FROM d$$), '0',
    'attack: a DELETE of hidden check-ins finds nothing');
SELECT is(pg_temp.try_as('okr_acc_mkt', $$UPDATE okr.objective SET title = 'PRIV-MKT plan v2' WHERE id = 2$$,
                                         $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (3, 3, '2026-03-03')$$), 'ok',
    'the Marketing writer writes its private objective and its public one');
SELECT is(pg_temp.try_as('okr_acc_writer', $$UPDATE okr.cycle SET ends_on = '2026-12-31' WHERE id = 1$$,
                                            $$UPDATE okr.objective SET owner = 'cfo' WHERE id IN (1, 2)$$), 'ok',
    'an unscoped writer writes cycles and every team''s objectives, as in 1.0');
-- COPY: PostgreSQL refuses COPY FROM into a table with row-level security
-- for the roles it applies to (doc/access.md); INSERT ... SELECT from a
-- staging table goes through the same trigger.
COPY (SELECT 2, 7, '2026-03-04'::timestamptz) TO '/tmp/okr_acc_copy_in';
GRANT pg_read_server_files TO okr_acc_sales;
SELECT is(pg_temp.try_as('okr_acc_sales', $$COPY okr.checkin (key_result_id, value, checked_at) FROM '/tmp/okr_acc_copy_in'$$),
    '0A000: COPY FROM not supported with row-level security',
    'COPY FROM as a role the policies apply to: PostgreSQL refuses it (0A000, documented)');
REVOKE pg_read_server_files FROM okr_acc_sales;
CREATE TEMP TABLE staging (key_result_id bigint, value numeric, checked_at timestamptz);
GRANT SELECT ON staging TO PUBLIC;
INSERT INTO staging VALUES (2, 7, '2026-03-04');
SELECT is(pg_temp.try_as('okr_acc_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT * FROM pg_temp.staging$$), 'ok',
    'the alternative to COPY FROM: INSERT ... SELECT from a staging table, where the role may write');
INSERT INTO staging VALUES (3, 7, '2026-03-04');
SELECT is(pg_temp.state_as('okr_acc_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) SELECT * FROM pg_temp.staging$$), '42501',
    '... and refused as a whole (42501) when one row is outside its scope');

-- ---------------------------------------------------------------------------
-- Read scope
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.get_as('okr_acc_reader', 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM okr.objective'), '1,2,3,4,5,6,7',
    'unscoped reader: every objective');
SELECT is(pg_temp.get_as('okr_acc_boss', 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM okr.objective'), '1,2,3,4,5,6,7',
    'reader granted on the top team: every objective (a team above)');
SELECT is(pg_temp.get_as('okr_acc_sales', 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM okr.objective'), '1,3,4,5,6,7',
    'Sales writer: its private objective, not Marketing''s');
SELECT is(pg_temp.get_as('okr_acc_emea', 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM okr.objective'), '1,3,4,6,7',
    'EMEA reader: no private objective of the team above it');
SELECT is(pg_temp.get_as('okr_acc_emea', 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM okr.key_result'), '2,3,4,6',
    'EMEA reader: key results of visible objectives only');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT count(*)::text FROM okr.checkin WHERE key_result_id IN (1, 5) OR note LIKE 'PRIV%'$$), '0',
    'EMEA reader: no check-in of a private objective');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.project$$), '2,3',
    'EMEA reader: no project of a private objective');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT count(*)::text FROM okr.task WHERE project_id = 1$$), '0',
    'EMEA reader: no task of a private objective');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT count(*)::text FROM okr.project_effort WHERE project_id = 1$$), '0',
    'EMEA reader: no effort sums of a private objective''s project');
SELECT is(pg_temp.get_as('okr_acc_sales', 'SELECT parent_id::text FROM okr.objective WHERE id = 4'), '2',
    'a visible child of a private parent shows the parent''s id ...');
SELECT is(pg_temp.views_leaking('okr_acc_sales', '%PRIV-MKT%'), NULL,
    '... and no view shows anything of it (titles, paths) to the Sales writer');
SELECT is(pg_temp.views_leaking('okr_acc_emea', '%PRIV-%'), NULL,
    'no view shows a private title, path, note or project to the EMEA reader');
SELECT is(pg_temp.get_as('okr_acc_sales', 'SELECT path FROM okr.objective_report WHERE objective_id = 4'), 'Mkt public child',
    'the path of a visible child of a private parent starts at the child');
SELECT is(pg_temp.views_leaking('okr_acc_sales', '%PRIV-SALES%') IS NOT NULL, true,
    'the Sales writer does see its own private objective in the views');
SELECT is(pg_temp.get_as('okr_acc_emea',
    $$SELECT string_agg(item || id, ',' ORDER BY item, id) FROM okr.progress('2026-06-01') WHERE (item, id) IN (('objective', 2), ('objective', 5), ('key_result', 1), ('key_result', 5), ('project', 1))$$), NULL,
    'okr.progress as the EMEA reader: no private objective, key result or project');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT okr.objective_progress(2, '2026-06-01')::text$$), 'ERROR P0002',
    'okr.objective_progress of a private objective: "does not exist" (P0002) ...');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT okr.objective_progress(999, '2026-06-01')::text$$), 'ERROR P0002',
    '... exactly as for an objective that does not exist');
SELECT is(pg_temp.get_as('okr_acc_emea',
    $$SELECT count(*)::text FROM okr.progress_history('2026-02-01', '2026-06-01', '1 month') h WHERE (h.item, h.id) IN (('objective', 2), ('key_result', 1))$$), '0',
    'okr.progress_history as the EMEA reader: no private rows');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT okr.progress_history('2026-02-01', '2026-06-01', '1 month', 2)::text$$), 'ERROR P0002',
    'okr.progress_history of a private subtree: "does not exist" (P0002)');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT coalesce(okr.objective_score(2)::text, 'NULL')$$), 'NULL',
    'okr.objective_score of a private objective: NULL');
-- COPY TO: PostgreSQL turns it into a query under the policies.
GRANT pg_write_server_files TO okr_acc_emea;
SELECT is(pg_temp.try_as('okr_acc_emea', format($$COPY okr.objective TO %L$$, '/tmp/okr_acc_copy_' || pg_backend_pid())), 'ok',
    'COPY TO as the EMEA reader works ...');
SELECT is((SELECT count(*)::int FROM regexp_split_to_table(pg_read_file('/tmp/okr_acc_copy_' || pg_backend_pid()), E'\n') l
            WHERE l LIKE '%PRIV-%'), 0,
    '... and writes no private row');
SELECT is(pg_temp.state_as('okr_acc_emea', $$SELECT * FROM okr.objective WHERE id = 2 AND 1 / (CASE WHEN title LIKE 'PRIV%' THEN 0 ELSE 1 END) = 1$$), 'ok',
    'attack: an error-raising predicate on a hidden row never sees it (the policy is applied first)');
SELECT is(pg_temp.state_as('okr_acc_emea', $$SELECT okr.objective_visible(2)$$), 'ok',
    'the policies'' functions are callable by readers ...');
SELECT is(pg_temp.get_as('okr_acc_emea', $$SELECT okr.objective_visible(2)::text || okr.objective_visible(3)::text$$), 'falsetrue',
    '... and tell only whether an id is visible');

-- ---------------------------------------------------------------------------
-- One truth: a parent counts its private children for every reader
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE truth (reader text, objective bigint, progress text, direct text, report text);
GRANT INSERT ON truth TO PUBLIC;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['postgres_owner', 'okr_acc_reader', 'okr_acc_boss', 'okr_acc_sales', 'okr_acc_emea', 'okr_acc_mkt']
    LOOP
        IF r <> 'postgres_owner' THEN
            EXECUTE format('SET ROLE %I', r);
        END IF;
        INSERT INTO pg_temp.truth
        SELECT r, p.id, p.progress::text, okr.objective_progress(p.id, '2026-06-01')::text,
               (SELECT rr.progress::text FROM okr.objective_report rr WHERE rr.objective_id = p.id)
          FROM okr.progress('2026-06-01') p
         WHERE p.item = 'objective' AND p.id IN (1, 3);
        RESET ROLE;
    END LOOP;
END $$;
SELECT is((SELECT count(*)::int FROM truth), 12, 'every reader sees objectives 1 and 3 ...');
SELECT is((SELECT count(DISTINCT (objective, progress))::int FROM truth), 2,
    '... with the same progress in okr.progress for every reader (one truth)');
SELECT is((SELECT count(*)::int FROM truth WHERE direct IS DISTINCT FROM progress), 0,
    'okr.objective_progress agrees for every reader');
SELECT is((SELECT count(DISTINCT (objective, report))::int FROM truth), 2,
    'okr.objective_report shows the same progress for every reader');
SELECT is((SELECT round(progress::numeric, 12) FROM truth WHERE reader = 'okr_acc_emea' AND objective = 3),
          (SELECT round(avg(progress)::numeric, 12) FROM okr.progress('2026-06-01')
            WHERE (item, id) IN (('key_result', 2), ('objective', 5), ('objective', 6), ('objective', 7))),
    'the EMEA reader''s figure for objective 3 counts its private child 5 with its key result and other children');

-- ---------------------------------------------------------------------------
-- revoke_access
-- ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT okr.grant_read('okr_acc_sales', 3)$$, 'a second, read-only grant on Marketing');
SELECT is(pg_temp.get_as('okr_acc_sales', 'SELECT count(*)::text FROM okr.objective WHERE id = 2'), '1',
    '... lets the Sales writer read Marketing''s private objective');
SELECT is(pg_temp.state_as('okr_acc_sales', $$UPDATE okr.objective SET title = 'x' WHERE id = 2$$), '42501',
    '... but not write it');
SELECT lives_ok($$SELECT okr.revoke_access('okr_acc_sales', 3)$$, 'revoke_access(role, team)');
SELECT is(pg_temp.get_as('okr_acc_sales', 'SELECT count(*)::text FROM okr.objective WHERE id = 2'), '0',
    '... takes that team back');
SELECT ok(has_table_privilege('okr_acc_sales', 'okr.objective', 'UPDATE'), '... and keeps the privileges the other grant needs');
SELECT lives_ok($$SELECT okr.revoke_access('okr_acc_sales', 2)$$, 'revoke_access of its last team');
SELECT ok(NOT has_table_privilege('okr_acc_sales', 'okr.objective', 'SELECT')
          AND (SELECT count(*) FROM okr.access_grant WHERE role = 'okr_acc_sales') = 0,
    '... takes every privilege and row back');
SELECT lives_ok($$SELECT okr.revoke_access('okr_acc_writer')$$, 'revoke_access(role) takes everything back');
SELECT is(pg_temp.state_as('okr_acc_writer', 'SELECT count(*) FROM okr.objective'), '42501', '... nothing left to read');

SELECT * FROM finish();
ROLLBACK;
