-- okr.explain of a subtree too large for the subtree queries (more than
-- 1,000 objectives), as of now: the titles come with the rollup's own scans
-- and the check-ins from one scan that goes by the key results' maintained
-- last_checkin_at (src/explain.c).  The answer must be the one the probes
-- give, whatever that column says: it is made wrong here on purpose (as a
-- restore without triggers could leave it), and a check-in of 1.0 dated in
-- the future is left behind.  Access by team holds on this path too.
BEGIN;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
SET client_min_messages = warning;
SELECT plan(9);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;

-- ---------------------------------------------------------------------------
-- Fixture: a root (1) with 1,100 children (2 .. 1101), each with one metric
-- key result (1 .. 1100); child 2 also has a key result of kind projects
-- (1101) with two projects; child 3 belongs to team Secret (private)
-- ---------------------------------------------------------------------------
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.team (name) VALUES ('Company'), ('Secret');
INSERT INTO okr.objective (cycle_id, team_id, title) VALUES (1, 1, 'Root');
INSERT INTO okr.objective (cycle_id, team_id, parent_id, title)
SELECT 1, 1, 1, 'Child ' || g FROM generate_series(2, 1101) g ORDER BY g;
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
SELECT g, 'KR of ' || g, 'metric', 0, 100 FROM generate_series(2, 1101) g ORDER BY g;
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (2, 'Deliver', 'projects');
INSERT INTO okr.project (key_result_id, name) VALUES (1101, 'Project one'), (1101, 'Project two');
-- three check-ins a key result in random order, ties on checked_at
INSERT INTO okr.checkin (key_result_id, value, checked_at, author)
SELECT k.id, (random() * 100)::int, timestamptz '2026-02-01' + (floor(random() * 3) || ' days')::interval,
       'a' || (random() * 9)::int
  FROM okr.key_result k, generate_series(1, 3) g WHERE k.kind = 'metric' ORDER BY random();
-- key result 1100: none
DELETE FROM okr.checkin WHERE key_result_id = 1100;

-- The maintained column made wrong, without the triggers: 1 says an earlier
-- moment than its latest check-in, 2 a later one that no check-in has, 3
-- none at all; 4 gets a check-in dated in the future (as 1.0 accepted
-- them), the latest as maintained.
SET LOCAL session_replication_role = replica;
UPDATE okr.key_result SET last_checkin_at = '2026-01-15' WHERE id = 1;
UPDATE okr.key_result SET last_checkin_at = '2026-03-01' WHERE id = 2;
UPDATE okr.key_result SET last_checkin_at = NULL WHERE id = 3;
INSERT INTO okr.checkin (key_result_id, value, checked_at, author) VALUES (4, 1, now() + interval '1 day', 'future');
UPDATE okr.key_result SET last_checkin_at = now() + interval '1 day' WHERE id = 4;
RESET session_replication_role;

-- a title stored out of line (TOAST): its row is formed the generic way
UPDATE okr.objective SET title = (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 200) g) WHERE id = 1101;

CREATE TEMP TABLE e AS SELECT * FROM okr.explain(1);

-- ---------------------------------------------------------------------------
-- Check-ins and titles
-- ---------------------------------------------------------------------------
-- the check-in each key result's value comes from, by the rule (latest
-- checked_at by now, then the highest id), straight from the table
CREATE TEMP TABLE latest AS
SELECT k.id AS key_result_id, l.id, l.value, l.checked_at, l.author
  FROM okr.key_result k
  LEFT JOIN LATERAL (SELECT c.id, c.value, c.checked_at, c.author FROM okr.checkin c
                      WHERE c.key_result_id = k.id AND c.checked_at <= now()
                      ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) l ON true
 WHERE k.kind = 'metric';

SELECT is((SELECT count(*)::int FROM e JOIN latest l ON l.key_result_id = e.id
            WHERE e.item = 'key_result' AND e.checkin_id IS NOT DISTINCT FROM l.id
              AND e.value IS NOT DISTINCT FROM l.value AND e.checkin_at IS NOT DISTINCT FROM l.checked_at
              AND e.checkin_by IS NOT DISTINCT FROM l.author),
    1100, 'every measured key result: the latest check-in dated by now (ties: the higher id)');
SELECT is((SELECT count(*)::int FROM okr.checkin c1 JOIN okr.checkin c2
             ON c1.key_result_id = c2.key_result_id AND c1.checked_at = c2.checked_at AND c1.id < c2.id
           JOIN e ON e.item = 'key_result' AND e.id = c1.key_result_id AND e.checkin_id = c1.id), 0,
    '... never the lower id of two check-ins at the same moment');
SELECT is((SELECT string_agg(format('%s:%s', e.id, e.checkin_id = l.id), ' ' ORDER BY e.id)
             FROM e JOIN latest l ON l.key_result_id = e.id WHERE e.item = 'key_result' AND e.id IN (1, 2, 3)),
    '1:t 2:t 3:t',
    'a maintained last_checkin_at that is earlier, later than any check-in, or NULL does not change the answer');
SELECT is((SELECT format('%s %s', checkin_by, checkin_at < now()) FROM e WHERE item = 'key_result' AND id = 4),
    (SELECT format('%s t', author) FROM latest WHERE key_result_id = 4),
    'a check-in dated in the future is not the one of now');
SELECT is((SELECT format('%s %s %s %s', checkin_id, value, checkin_at, checkin_by) FROM e
            WHERE item = 'key_result' AND id = 1100),
    '   ', 'a key result without check-ins: none');
SELECT is((SELECT count(*)::int FROM e
             LEFT JOIN okr.objective o ON e.item = 'objective' AND o.id = e.id
             LEFT JOIN okr.key_result k ON e.item = 'key_result' AND k.id = e.id
             LEFT JOIN okr.project p ON e.item = 'project' AND p.id = e.id
            WHERE e.title = coalesce(o.title, k.title, p.name)),
    1 + 1100 + 1101 + 2, 'every row''s title (a project''s name, one stored out of line), from the rollup''s own scans');

-- ---------------------------------------------------------------------------
-- The figures are okr.progress()'s
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM e LEFT JOIN okr.progress() p ON p.item = e.item AND p.id = e.id
            WHERE p.id IS NULL OR p.progress IS DISTINCT FROM e.progress OR p.status IS DISTINCT FROM e.status
               OR p.parent_id IS DISTINCT FROM e.parent_id), 0,
    'every row''s progress, status and parent are okr.progress()''s');

-- ---------------------------------------------------------------------------
-- Access (SPEC 9): child 3 private to team Secret
-- ---------------------------------------------------------------------------
UPDATE okr.objective SET team_id = 2, private = true, title = 'PRIV-3' WHERE id = 3;
UPDATE okr.key_result SET title = 'PRIV-3 kr' WHERE id = 2;
CREATE ROLE okr_x_reader;
DO $$ BEGIN PERFORM okr.grant_read('okr_x_reader', 1); END $$;
CREATE TEMP TABLE e_reader AS SELECT * FROM okr.explain(1) WITH NO DATA;
GRANT ALL ON e_reader TO okr_x_reader;
SET ROLE okr_x_reader;
INSERT INTO e_reader SELECT * FROM okr.explain(1);
RESET ROLE;
SELECT is((SELECT count(*)::int FROM e_reader WHERE (item = 'objective' AND id = 3) OR (item = 'key_result' AND id = 2)
                                            OR e_reader::text LIKE '%PRIV%'), 0,
    'a reader outside team Secret: no row, title or check-in of the private objective or its key result');
SELECT is((SELECT format('%s %s/%s %s %s', count(*), min(parent_item), min(parent_id), round(sum(share)::numeric, 12),
                         round(sum(contribution)::numeric, 12) = (SELECT round(r.contribution::numeric, 12) FROM e r
                                                                   WHERE r.item = 'objective' AND r.id = 3))
             FROM e_reader WHERE item = 'hidden'),
    format('1 objective/1 %s t', round(1 / 1100.0, 12)),
    '... one hidden row under the root, with its share and contribution');

SELECT * FROM finish();
ROLLBACK;
