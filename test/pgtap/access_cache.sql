-- Access by team: what a session keeps of the grants between statements
-- (src/access.c, "The grants cache", and the read scope the policies share)
-- is forgotten as soon as its inputs change, within the transaction that
-- changes them and at its rollback: a revoked grant, a moved team, a role
-- leaving a group, a renamed role, a new grant, an objective made private.
-- Each check first makes the session use (and so keep) the scope, then
-- changes one input, then checks that the very next statement follows it.
-- With a scope kept regardless (no invalidation), each "after" check fails.
-- test/isolation/specs/access_revoke.spec does the same across sessions.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(25);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

CREATE ROLE okr_ac_lead;                         -- writes team 2 (Sales) and below
CREATE ROLE okr_ac_login IN ROLE okr_ac_lead;    -- a login of the lead group
CREATE ROLE okr_ac_reader;                       -- reads team 2
CREATE ROLE okr_ac_late;                         -- no grant until later
CREATE ROLE okr_ac_all;                          -- unscoped writer, for a while
CREATE ROLE okr_ac_mkt;                          -- reads team 3 (Marketing)

-- 'ok', or the SQLSTATE of the first statement that fails as role r, with
-- 'okr' when it is okr's write check that refuses (its message names the
-- write scope), so that a privilege missing is never taken for it.
CREATE FUNCTION pg_temp.state_as(r text, VARIADIC stmts text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s text;
    res text := 'ok';
    msg text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    BEGIN
        FOREACH s IN ARRAY stmts LOOP
            EXECUTE s;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS res = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        IF msg LIKE '%outside the write scope of role%' THEN
            res := res || ' okr';
        END IF;
    END;
    RESET ROLE;
    RETURN res;
END $$;
-- what okr.grant_write would have granted, by hand: left once the grant is
-- gone, so that only okr's write check can refuse
CREATE FUNCTION pg_temp.privileges_by_hand(r text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA okr TO %I', r);
    EXECUTE pg_catalog.format('GRANT SELECT, UPDATE ON okr.task, okr.project, okr.key_result, okr.objective TO %I', r);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION okr.objective_visible(bigint), okr.key_result_visible(bigint), '
                              'okr.project_visible(bigint) TO %I', r);
END $$;
-- the ids of the objectives role r reads
CREATE FUNCTION pg_temp.seen_by(r text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE pg_catalog.format('SET ROLE %I', r);
    SELECT pg_catalog.string_agg(o.id::text, ',' ORDER BY o.id) INTO v FROM okr.objective o;
    RESET ROLE;
    RETURN v;
END $$;

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.team (name) VALUES ('Company');                                 -- 1
INSERT INTO okr.team (name, parent_id) VALUES ('Sales', 1), ('Marketing', 1);   -- 2, 3
INSERT INTO okr.team (name, parent_id) VALUES ('EMEA Sales', 2);                -- 4
INSERT INTO okr.objective (cycle_id, team_id, title, private) VALUES
    (1, 2, 'Sales goal', false),     -- 1
    (1, 4, 'EMEA goal', false),      -- 2
    (1, 4, 'EMEA secret', true),     -- 3
    (1, 3, 'Marketing goal', false); -- 4
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'Sales KR', 'projects'), (2, 'EMEA KR', 'projects');
INSERT INTO okr.project (key_result_id, name) VALUES (1, 'Sales project'), (2, 'EMEA project');
INSERT INTO okr.task (project_id, title) VALUES (1, 'Sales task'), (2, 'EMEA task');
SELECT okr.grant_write('okr_ac_lead', 2);
SELECT okr.grant_read('okr_ac_reader', 2);

-- a revoked grant
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$,
                                          $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), 'ok',
    'the lead writes its team''s tasks, twice (the second from what it kept)');
SELECT okr.revoke_access('okr_ac_lead', 2);
SELECT pg_temp.privileges_by_hand('okr_ac_lead');
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$), '42501 okr',
    'revoked (its table privileges given back by hand): the next statement is refused (42501)');
SELECT okr.grant_write('okr_ac_lead', 2);
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$), 'ok',
    'granted again: the next statement writes');

-- a revoke rolled back
SAVEPOINT before_revoke;
SELECT okr.revoke_access('okr_ac_lead', 2);
SELECT pg_temp.privileges_by_hand('okr_ac_lead');
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), '42501 okr',
    'revoked in a savepoint: refused there ...');
ROLLBACK TO SAVEPOINT before_revoke;
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), 'ok',
    '... and written again once the savepoint is rolled back (the refusal kept nothing)');

-- a team moved out of the lead's tree, and back
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'done' WHERE id = 2$$), 'ok',
    'the lead writes a sub-team''s task');
UPDATE okr.team SET parent_id = 3 WHERE id = 4;
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'todo' WHERE id = 2$$), '42501 okr',
    'the sub-team moved under Marketing: the next statement is refused (42501)');
SELECT is(pg_temp.seen_by('okr_ac_reader'), '1,2,4',
    '... and the Sales reader no longer reads its private objective');
UPDATE okr.team SET parent_id = 2 WHERE id = 4;
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'todo' WHERE id = 2$$), 'ok',
    'moved back: written again');
SELECT is(pg_temp.seen_by('okr_ac_reader'), '1,2,3,4', '... and read again');

-- a new team below the lead's (a team's insert changes the tree)
INSERT INTO okr.team (name, parent_id) VALUES ('Nordics', 2);                  -- 5
UPDATE okr.objective SET team_id = 5 WHERE id = 2;
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'done' WHERE id = 2$$), 'ok',
    'a new sub-team is in the lead''s scope at the next statement');
UPDATE okr.objective SET team_id = 4 WHERE id = 2;
DELETE FROM okr.team WHERE id = 5;

-- a login that leaves the lead group, and comes back
SELECT is(pg_temp.state_as('okr_ac_login', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$), 'ok',
    'a login of the lead group writes as the group');
REVOKE okr_ac_lead FROM okr_ac_login;
SELECT pg_temp.privileges_by_hand('okr_ac_login');
SELECT is(pg_temp.state_as('okr_ac_login', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), '42501 okr',
    'out of the group (table privileges of its own): refused at the next statement (42501)');
GRANT okr_ac_lead TO okr_ac_login;
SELECT is(pg_temp.state_as('okr_ac_login', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), 'ok',
    'back in the group: written again');

-- a renamed role (grants are by name), and renamed back
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$), 'ok',
    'the lead writes before it is renamed');
ALTER ROLE okr_ac_lead RENAME TO okr_ac_lead2;
SELECT is(pg_temp.state_as('okr_ac_lead2', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), '42501 okr',
    'renamed: its grants, kept by name, no longer apply at the next statement (42501)');
ALTER ROLE okr_ac_lead2 RENAME TO okr_ac_lead;
SELECT is(pg_temp.state_as('okr_ac_lead', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$), 'ok',
    'renamed back: written again');

-- a role that had no grant, then has one
SELECT okr.grant_read('okr_ac_late', 3);
GRANT UPDATE ON okr.task TO okr_ac_late;
SELECT is(pg_temp.state_as('okr_ac_late', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$), '42501 okr',
    'a reader with UPDATE granted by hand writes nothing (42501) ...');
SELECT okr.grant_write('okr_ac_late', 2);
SELECT is(pg_temp.state_as('okr_ac_late', $$UPDATE okr.task SET status = 'done' WHERE id = 1$$), 'ok',
    '... and writes at the next statement once granted');

-- an unscoped grant, then taken back
SELECT okr.grant_write('okr_ac_all');
SELECT is(pg_temp.state_as('okr_ac_all', $$UPDATE okr.task SET status = 'todo' WHERE id = 1$$,
                                          $$UPDATE okr.objective SET title = 'Marketing!' WHERE id = 4$$), 'ok',
    'an unscoped writer writes every team');
SELECT okr.grant_write('okr_ac_all', 2);
DELETE FROM okr.access_grant WHERE role = 'okr_ac_all' AND team_id IS NULL;
SELECT is(pg_temp.state_as('okr_ac_all', $$UPDATE okr.objective SET title = 'Marketing' WHERE id = 4$$), '42501 okr',
    'its unscoped row deleted from okr.access_grant by hand, a Sales grant left: Marketing is refused at the next statement (42501)');

-- the read scope the policies share between statements follows the rows
SELECT okr.grant_read('okr_ac_mkt', 3);
SELECT is(pg_temp.seen_by('okr_ac_mkt'), '1,2,4', 'the Marketing reader: no private EMEA objective');
UPDATE okr.objective SET private = false WHERE id = 3;
SELECT is(pg_temp.seen_by('okr_ac_mkt'), '1,2,3,4', 'made public: read at the next statement');
SAVEPOINT before_private;
UPDATE okr.objective SET private = true WHERE id = 3;
SELECT is(pg_temp.seen_by('okr_ac_mkt'), '1,2,4', 'made private in a savepoint: hidden there ...');
ROLLBACK TO SAVEPOINT before_private;
SELECT is(pg_temp.seen_by('okr_ac_mkt'), '1,2,3,4', '... and read again once the savepoint is rolled back');

SELECT * FROM finish();
ROLLBACK;
