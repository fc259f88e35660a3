-- Access by team: the write scope answered through the primary keys
-- (src/goal_lookup.c).  A scoped writer's accepted rows are looked up
-- without SPI; every refusal still says 42501 and names the team, a move
-- is a write to both sides, a parent that does not exist is left to the
-- foreign key, and a change of the structure made earlier in the
-- transaction (an objective moved to another team, a team re-parented)
-- counts at the writer's next row.  The concurrent case is
-- test/isolation/specs/access_structure_move.spec.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(35);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

CREATE ROLE okr_lk_sales;           -- writes team 2 (Sales) and below
CREATE ROLE okr_lk_reader;          -- reads team 2 (Sales) and below

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
-- The first column of a query's first row as text, as role r.
CREATE FUNCTION pg_temp.get_as(r text, q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    EXECUTE q INTO v;
    RESET ROLE;
    RETURN v;
END $$;

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.team (name) VALUES ('Company');                                   -- 1
INSERT INTO okr.team (name, parent_id) VALUES ('Sales', 1), ('Marketing', 1);     -- 2, 3
INSERT INTO okr.team (name, parent_id) VALUES ('EMEA Sales', 2);                  -- 4
INSERT INTO okr.objective (cycle_id, team_id, title, private) VALUES
    (1, 2, 'Sales goal', false),      -- 1
    (1, 3, 'Mkt goal', false),        -- 2
    (1, 4, 'EMEA goal', false),       -- 3
    (1, NULL, 'No team', false),      -- 4
    (1, 3, 'Mkt secret', true);       -- 5: private, Marketing
INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
SELECT id, 'kr of ' || id, 0, 10 FROM okr.objective ORDER BY id;                 -- 1..5
INSERT INTO okr.project (key_result_id, name)
SELECT id, 'project of ' || id FROM okr.key_result ORDER BY id;                   -- 1..5
INSERT INTO okr.task (project_id, title)
SELECT id, 'task of ' || id FROM okr.project ORDER BY id;                         -- 1..5
SELECT okr.grant_write('okr_lk_sales', 2);
SELECT okr.grant_read('okr_lk_reader', 2);

-- accepted through the primary keys: its team and a sub-team, every table
SELECT is(pg_temp.try_as('okr_lk_sales',
    $$UPDATE okr.task SET status = 'done' WHERE id = 1$$,
    $$UPDATE okr.task SET status = 'doing' WHERE id = 3$$,
    $$INSERT INTO okr.task (project_id, title) VALUES (3, 'EMEA task 2')$$,
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 4, '2026-03-02')$$,
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (3, 5, '2026-03-02')$$,
    $$UPDATE okr.key_result SET title = 'Sales kr' WHERE id = 1$$,
    $$INSERT INTO okr.project (key_result_id, name) VALUES (3, 'EMEA project 2')$$,
    $$UPDATE okr.project SET name = 'Sales project' WHERE id = 1$$), 'ok',
    'a scoped writer writes tasks, check-ins, key results and projects of its team and sub-teams');
SELECT is((SELECT status FROM okr.task WHERE id = 1) || '/' || (SELECT status FROM okr.task WHERE id = 3)
          || '/' || (SELECT current_value::text FROM okr.key_result WHERE id = 3),
    'done/doing/5', '... and the writes are in');

-- refused: each names the team, as before the lookup
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'done' WHERE id = 2$$),
    '42501: permission denied to write task 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'a task of another team: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'done' WHERE id = 4$$),
    '42501: permission denied to write task 4: objective 4 has no team, outside the write scope of role "okr_lk_sales"',
    'a task under an objective without a team: 42501 saying so');
SELECT is(pg_temp.try_as('okr_lk_sales', $$DELETE FROM okr.task WHERE id = 2$$),
    '42501: permission denied to write task 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'deleting a task of another team: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_lk_sales', $$INSERT INTO okr.task (project_id, title) VALUES (2, 'sneak')$$),
    '42501: permission denied to write new task "sneak": objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'a new task in another team''s project: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET title = 'both' WHERE id IN (1, 2)$$),
    '42501: permission denied to write task 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'one row of a statement outside the scope refuses the statement');
SELECT is((SELECT count(*)::int FROM okr.task WHERE title = 'both'), 0, '... none of its rows is written');
SELECT is(pg_temp.try_as('okr_lk_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (2, 6, '2026-03-02')$$),
    '42501: permission denied to write a new check-in of key result 2 at 2026-03-02 00:00:00+00: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'a check-in under another team''s key result: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_lk_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 6, '2026-03-02')$$),
    '42501: permission denied to write a new check-in of key result 5 at 2026-03-02 00:00:00+00: it is outside the write scope of role "okr_lk_sales"',
    'a check-in under a private objective it may not read: 42501 naming neither objective nor team');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.key_result SET title = 'x' WHERE id = 2$$),
    '42501: permission denied to write key result 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'a key result of another team: 42501 naming the team');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.project SET name = 'x' WHERE id = 2$$),
    '42501: permission denied to write project 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'a project of another team: 42501 naming the team');

-- a move is a write to both sides
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET project_id = 2 WHERE id = 1$$),
    '42501: permission denied to write task 1: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'moving its task into another team''s project: 42501 (the new side)');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET project_id = 1 WHERE id = 2$$),
    '42501: permission denied to write task 2: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'moving another team''s task into its project: 42501 (the old side)');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET project_id = 3 WHERE id = 1$$,
    $$UPDATE okr.task SET project_id = 1 WHERE id = 1$$), 'ok',
    'moving a task between two projects of its scope, and back');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.checkin SET key_result_id = 2 WHERE key_result_id = 1$$),
    '42501: permission denied to write check-in 1: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'moving its check-in to another team''s key result: 42501');

-- a parent that does not exist is the foreign key's
SELECT is(split_part(pg_temp.try_as('okr_lk_sales', $$INSERT INTO okr.task (project_id, title) VALUES (999, 'x')$$), ':', 1),
    '23503', 'a task in a project that does not exist: the foreign key (23503), not 42501');
SELECT is(split_part(pg_temp.try_as('okr_lk_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (999, 1, '2026-03-02')$$), ':', 1),
    '23503', 'a check-in of a key result that does not exist: the foreign key (23503)');

-- the structure changed earlier in the transaction counts at the next row
UPDATE okr.objective SET team_id = 3 WHERE id = 1;
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$),
    '42501: permission denied to write task 1: objective 1 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'its objective moved to another team: its task''s next update is refused, naming the new team');
SELECT is(pg_temp.try_as('okr_lk_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 7, '2026-03-03')$$),
    '42501: permission denied to write a new check-in of key result 1 at 2026-03-03 00:00:00+00: objective 1 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    '... and so is a check-in of its key result');
UPDATE okr.objective SET team_id = 2 WHERE id = 1;
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'doing' WHERE id = 1$$), 'ok',
    'moved back: accepted again');
UPDATE okr.key_result SET objective_id = 2 WHERE id = 3;
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'done' WHERE id = 3$$),
    '42501: permission denied to write task 3: objective 2 belongs to team 3 (Marketing), outside the write scope of role "okr_lk_sales"',
    'the key result above its task moved to another team''s objective: refused');
UPDATE okr.key_result SET objective_id = 3 WHERE id = 3;
UPDATE okr.team SET parent_id = 3 WHERE id = 4;
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'done' WHERE id = 3$$),
    '42501: permission denied to write task 3: objective 3 belongs to team 4 (EMEA Sales), outside the write scope of role "okr_lk_sales"',
    'the sub-team re-parented out of its team: its tasks are refused');
SELECT is(pg_temp.try_as('okr_lk_sales',
    $$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (3, 1, '2026-03-03')$$),
    '42501: permission denied to write a new check-in of key result 3 at 2026-03-03 00:00:00+00: objective 3 belongs to team 4 (EMEA Sales), outside the write scope of role "okr_lk_sales"',
    '... and its check-ins');
UPDATE okr.team SET parent_id = 2 WHERE id = 4;
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'done' WHERE id = 3$$), 'ok',
    're-parented back: accepted');
UPDATE okr.objective SET team_id = NULL WHERE id = 3;
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET status = 'todo' WHERE id = 3$$),
    '42501: permission denied to write task 3: objective 3 has no team, outside the write scope of role "okr_lk_sales"',
    'its objective lost its team: refused');
UPDATE okr.objective SET team_id = 4 WHERE id = 3;
SELECT is((SELECT string_agg(id || ':' || status, ' ' ORDER BY id) FROM okr.task WHERE id <= 5),
    '1:doing 2:todo 3:done 4:todo 5:todo', 'only the accepted writes are in');

-- the policies' single rows (is it below a private objective outside the
-- reader's teams?) through the primary keys too
SELECT is(pg_temp.get_as('okr_lk_reader',
    $$SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.task WHERE id IN (1, 2, 3, 5)$$),
    '1,2,3', 'a scoped reader reads the tasks of public objectives, not those below another team''s private one');
SELECT is(pg_temp.get_as('okr_lk_reader',
    $$SELECT (SELECT count(*) FROM okr.project WHERE id = 5) || '/' || (SELECT count(*) FROM okr.key_result WHERE id = 5)
             || '/' || (SELECT count(*) FROM okr.objective WHERE id = 5) || '/' || (SELECT count(*) FROM okr.checkin WHERE key_result_id = 5)$$),
    '0/0/0/0', '... nor its project, key result, objective or check-ins');
SELECT is(pg_temp.try_as('okr_lk_sales', $$UPDATE okr.task SET title = 'seen' WHERE id = 5$$), 'ok',
    'a scoped writer''s update of a task it may not read finds no row ...');
SELECT is((SELECT title FROM okr.task WHERE id = 5), 'task of 5', '... and changes nothing');
UPDATE okr.objective SET team_id = 2 WHERE id = 5;
SELECT is(pg_temp.get_as('okr_lk_reader', $$SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.task WHERE id IN (1, 2, 3, 5)$$),
    '1,2,3,5', 'the private objective moved into the reader''s team: its task is read at the next statement');
UPDATE okr.objective SET team_id = NULL WHERE id = 5;
SELECT is(pg_temp.get_as('okr_lk_reader', $$SELECT count(*)::text FROM okr.task WHERE id = 5$$),
    '0', 'a private objective without a team: hidden');
UPDATE okr.objective SET private = false WHERE id = 5;
SELECT is(pg_temp.get_as('okr_lk_reader', $$SELECT count(*)::text FROM okr.task WHERE id = 5$$),
    '1', 'made public: read');
UPDATE okr.objective SET private = true, team_id = 3 WHERE id = 5;
UPDATE okr.key_result SET objective_id = 5 WHERE id = 2;
SELECT is(pg_temp.get_as('okr_lk_reader', $$SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.task WHERE id IN (1, 2, 3, 5)$$),
    '1,3', 'a key result moved under the private objective: the task below it is hidden');
UPDATE okr.key_result SET objective_id = 2 WHERE id = 2;

SELECT * FROM finish();
ROLLBACK;
