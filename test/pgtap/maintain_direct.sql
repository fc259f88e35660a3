-- A check-in's key result written straight into the heap (src/maintain.c,
-- apply_checkin_candidate_direct): the maintained columns as the UPDATE
-- wrote them (current_value, last_checkin_at, current_progress derived as
-- key_result's guard derives it, a back-dated check-in changing nothing),
-- the indexes of a version that is not HOT, and the UPDATE itself whenever
-- the table or the row is not as okr made it: an owner's trigger sees the
-- write, an owner's CHECK constraint on current_value refuses it, a row
-- written with triggers off gets the guard's defaults or its rule-3 error.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(18);
SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE;
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'Grow');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES
    (1, 'leads', 'metric', 0, 200),         -- 1
    (1, 'churn', 'at_most', NULL, 10),      -- 2
    (1, 'launch', 'milestone', NULL, NULL); -- 3
CREATE TEMP VIEW kr AS
    SELECT id, current_value, last_checkin_at, round(current_progress::numeric, 4) AS p FROM okr.key_result;

INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 50, '2026-03-01 10:00+00');
SELECT is((SELECT format('%s %s %s', current_value, last_checkin_at, p) FROM kr WHERE id = 1),
    '50 2026-03-01 10:00:00+00 0.2500', 'a check-in: current_value, last_checkin_at and current_progress (50 of 0 to 200)');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 150, '2026-04-01 10:00+00');
SELECT is((SELECT format('%s %s %s', current_value, last_checkin_at, p) FROM kr WHERE id = 1),
    '150 2026-04-01 10:00:00+00 0.7500', 'a later one replaces it');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 10, '2026-02-01 10:00+00');
SELECT is((SELECT format('%s %s %s', current_value, last_checkin_at, p) FROM kr WHERE id = 1),
    '150 2026-04-01 10:00:00+00 0.7500', 'a back-dated one changes nothing');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 120, '2026-04-01 10:00+00');
SELECT is((SELECT current_value FROM kr WHERE id = 1), 120::numeric,
    'one at the same moment as the latest, with a higher id, is the latest');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (2, 4, '2026-03-01 10:00+00');
SELECT is((SELECT format('%s %s', current_value, p) FROM kr WHERE id = 2), '4 1.0000',
    'at_most 10: 4 is at most 10, current_progress 1 (derived as the guard derives it)');
SELECT is((SELECT format('%s %s', current_value, p) FROM kr WHERE id = 2), (SELECT format('%s %s', 4, round(okr.kr_progress('at_most', NULL, 10, 4)::numeric, 4))),
    '... the same as okr.kr_progress');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (3, 1, '2026-03-01 10:00+00');
SELECT is((SELECT format('%s %s', current_value, p) FROM kr WHERE id = 3), '1 1.0000', 'a milestone reached');
SELECT is((SELECT okr.check_integrity()::text), NULL, 'okr.check_integrity() finds nothing to say');

-- the indexes of a version that is not HOT: fill key result 1's page
UPDATE okr.key_result SET title = repeat('x', 3000) WHERE id IN (2, 3);
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 160, '2026-05-01 10:00+00');
SET LOCAL enable_seqscan = off;
SELECT is((SELECT current_value FROM okr.key_result WHERE id = 1), 160::numeric, 'found again through its primary key');
SELECT is((SELECT count(*)::int FROM okr.key_result WHERE objective_id = 1), 3, '... and through its objective''s index');
RESET enable_seqscan;

-- an owner's trigger on okr.key_result: the UPDATE, which fires it
CREATE TABLE pg_temp.seen (id bigint, current_value numeric);
CREATE FUNCTION pg_temp.note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO pg_temp.seen VALUES (NEW.id, NEW.current_value); RETURN NEW; END $$;
CREATE TRIGGER zz_note AFTER UPDATE ON okr.key_result FOR EACH ROW EXECUTE FUNCTION pg_temp.note();
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 170, '2026-05-02 10:00+00');
SELECT is((SELECT string_agg(id || ':' || current_value, ' ') FROM pg_temp.seen), '1:170',
    'an owner''s trigger on okr.key_result sees the maintained write');
DROP TRIGGER zz_note ON okr.key_result;
-- okr's own trigger disabled: the UPDATE, as before
ALTER TABLE okr.key_result DISABLE TRIGGER okr_10_guard;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 100, '2026-05-03 10:00+00');
SELECT is((SELECT format('%s %s', current_value, p) FROM kr WHERE id = 1), '100 0.8500',
    'with the guard disabled, current_value moves and current_progress does not (no guard derives it)');
ALTER TABLE okr.key_result ENABLE TRIGGER okr_10_guard;

-- an owner's CHECK constraint on a maintained column: the UPDATE checks it
ALTER TABLE okr.key_result ADD CONSTRAINT leads_below_1000 CHECK (current_value < 1000);
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 5000, '2026-05-04 10:00+00')$$,
    '23514', NULL, 'an owner''s CHECK constraint on current_value refuses the check-in (23514)');
ALTER TABLE okr.key_result DROP CONSTRAINT leads_below_1000;

-- rows written with triggers off: the guard's way, through the UPDATE
SET session_replication_role = replica;
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value) VALUES
    (1, 'restored milestone', 'milestone', NULL, NULL),   -- 4
    (1, 'broken metric', 'metric', 5, 5);                 -- 5
RESET session_replication_role;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (4, 1, '2026-03-01 10:00+00');
SELECT is((SELECT format('%s %s %s %s', start_value, target_value, current_value, p) FROM okr.key_result JOIN kr USING (id, current_value) WHERE id = 4),
    '0 1 1 1.0000', 'a milestone without bounds gets the guard''s 0 and 1 with its check-in');
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (5, 6, '2026-03-01 10:00+00')$$,
    '23O03', NULL, 'a metric whose target equals its start: the guard''s rule-3 error (23O03), as before');

-- in a session that fires no okr trigger (replica mode), a check-in still
-- moves current_value, through the UPDATE
SET session_replication_role = replica;
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (2, 3, '2026-06-01 10:00+00');
RESET session_replication_role;
SELECT is((SELECT current_value FROM kr WHERE id = 2), 4::numeric,
    'replica mode fires no maintenance: current_value stays (as before)');

-- the history of the key result has no version of a maintained write
SELECT is((SELECT count(*)::int FROM okr.key_result_history WHERE id = 1 AND action = 'update'), 0,
    'no version of key result 1 for its maintained writes');
SELECT is((SELECT count(*)::int FROM okr.checkin_history), (SELECT count(*)::int FROM okr.checkin WHERE key_result_id <> 2 OR value <> 3),
    'every check-in has its version');

SELECT * FROM finish();
ROLLBACK;
