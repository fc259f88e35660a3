-- An organisation that exercises everything a dump, an upgrade or a replica
-- has to carry: deep alignment, every kind and state, check-in history with
-- back-dated and deleted entries, and rows whose physical order (the order
-- pg_dump's COPY writes them in) puts children before their parents.
-- Used by test/dump_restore.sh, test/upgrade.sh and test/replica.sh.
-- Everything is dated in 2025, before any day these tests run on, so that
-- done_at is never in the future (SPEC rule 7).
--
-- Run with: psql -X -q -v ON_ERROR_STOP=1 -f test/safety_org.sql (the
-- extension must already exist).

SET TimeZone = 'Europe/Paris';

------------------------------------------------------------------------------
-- Cycles: a year, its quarters, and an earlier year with nothing in it.
-- (Every cycle lies in the past, so no figure depends on the time a test
-- reads it at, to the microsecond: expected progress is 1 everywhere.)
-- The year is renamed after its quarters exist, so its row is written after
-- theirs: a dump lists the children first.
------------------------------------------------------------------------------
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('FY2025', '2025-01-01', '2025-12-31');
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
SELECT 'Q' || q || ' 2025', make_date(2025, 3 * q - 2, 1),
       (make_date(2025, 3 * q - 2, 1) + interval '3 months - 1 day')::date,
       (SELECT id FROM okr.cycle WHERE name = 'FY2025')
FROM generate_series(1, 4) AS q ORDER BY q;
UPDATE okr.cycle SET name = 'FY 2025' WHERE name = 'FY2025';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('FY 2024', '2024-01-01', '2024-12-31');

------------------------------------------------------------------------------
-- Teams.  "Platform" is created before the team it reports to, so its id
-- is lower than its parent's, and "Engineering" is then renamed so its row
-- comes last.
------------------------------------------------------------------------------
INSERT INTO okr.team (name) VALUES ('Platform');
INSERT INTO okr.team (name) VALUES ('Company');
INSERT INTO okr.team (name, parent_id)
SELECT v.name, (SELECT id FROM okr.team WHERE name = 'Company')
FROM (VALUES (1, 'Sales'), (2, 'Marketing'), (3, 'Engineering')) AS v (n, name) ORDER BY n;
INSERT INTO okr.team (name, parent_id) SELECT 'EMEA Sales', id FROM okr.team WHERE name = 'Sales';
INSERT INTO okr.team (name, parent_id) SELECT 'DACH Sales', id FROM okr.team WHERE name = 'EMEA Sales';
UPDATE okr.team SET parent_id = (SELECT id FROM okr.team WHERE name = 'Engineering') WHERE name = 'Platform';
UPDATE okr.team SET name = 'Engineering & Research' WHERE name = 'Engineering';

------------------------------------------------------------------------------
-- Objectives: a chain ten deep (annual at the top, quarterly from level 6),
-- every kind, rollup and state.
------------------------------------------------------------------------------
INSERT INTO okr.objective (cycle_id, team_id, title, owner)
SELECT c.id, t.id, 'Level 1: become the market leader', 'CEO'
FROM okr.cycle c, okr.team t WHERE c.name = 'FY 2025' AND t.name = 'Company';

DO $$
DECLARE
    lvl int;
BEGIN
    FOR lvl IN 2 .. 10 LOOP
        INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, owner, kind, weight, rollup)
        SELECT c.id, p.id, t.id, 'Level ' || lvl || ': deeper goal',
               'owner ' || lvl,
               CASE WHEN lvl % 3 = 0 THEN 'aspirational' ELSE 'committed' END,
               CASE WHEN lvl = 4 THEN 2.5 ELSE 1 END,
               CASE WHEN lvl = 9 THEN 'key_results' WHEN lvl = 5 THEN 'children' ELSE 'both' END
        FROM okr.cycle c, okr.objective p, okr.team t
        WHERE c.name = CASE WHEN lvl <= 5 THEN 'FY 2025' ELSE 'Q3 2025' END
          AND p.title = 'Level ' || (lvl - 1) || CASE WHEN lvl = 2 THEN ': become the market leader' ELSE ': deeper goal' END
          AND t.name = CASE WHEN lvl <= 3 THEN 'Sales' WHEN lvl <= 6 THEN 'EMEA Sales' ELSE 'DACH Sales' END;
    END LOOP;
END
$$;

-- A parent created after its child: the child's id is lower, and the
-- parent is then edited so its row also comes after the child's.
INSERT INTO okr.objective (cycle_id, team_id, title, owner)
SELECT id, (SELECT id FROM okr.team WHERE name = 'Platform'), 'Child created first: a stable platform', 'platform lead'
FROM okr.cycle WHERE name = 'Q2 2025';
INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, owner, kind, weight)
SELECT c.id, p.id, t.id, 'Parent created later: ship a product customers love', 'CTO', 'aspirational', 0
FROM okr.cycle c, okr.objective p, okr.team t
WHERE c.name = 'FY 2025' AND p.title = 'Level 1: become the market leader' AND t.name = 'Engineering & Research';
UPDATE okr.objective SET parent_id = (SELECT id FROM okr.objective WHERE title = 'Parent created later: ship a product customers love')
WHERE title = 'Child created first: a stable platform';
UPDATE okr.objective SET weight = 0.75 WHERE title = 'Parent created later: ship a product customers love';

-- Objectives that will be closed, cancelled or stay draft once their work
-- is in (SPEC rule 6 forbids adding under them afterwards; a restore must
-- still bring that work back).
INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, owner, state)
SELECT c.id, p.id, t.id, v.title, 'marketing', v.state
FROM (VALUES (1, 'Closed early: make the brand known', 'active'),
             (2, 'Cancelled: enter the US market', 'active'),
             (3, 'Draft: next year''s brand', 'draft')) AS v (n, title, state),
     okr.cycle c, okr.objective p, okr.team t
WHERE c.name = 'FY 2025' AND p.title = 'Level 1: become the market leader' AND t.name = 'Marketing'
ORDER BY v.n;
INSERT INTO okr.objective (cycle_id, parent_id, title)
SELECT c.id, p.id, 'Aligned under the closed one: brand survey'
FROM okr.cycle c, okr.objective p WHERE c.name = 'Q2 2025' AND p.title = 'Closed early: make the brand known';

------------------------------------------------------------------------------
-- Key results of every kind.  Titles carry the characters COPY escapes.
------------------------------------------------------------------------------
INSERT INTO okr.key_result (objective_id, title, owner, kind, start_value, target_value, unit, weight)
SELECT o.id, v.title, v.owner, v.kind, v.start_value, v.target_value, v.unit, v.weight
FROM (VALUES
    (1, 'Level 1: become the market leader', 'Increase sales to $120 million', 'CFO', 'metric', 0::numeric, 120::numeric, 'M$', 1.0),
    (2, 'Level 1: become the market leader', E'Cut "churn" \\ tab\there, newline\nhere', 'CFO', 'metric', 9.5, 4.25, '%', 2.0),
    (3, 'Level 2: deeper goal', 'Close 10 enterprise deals', 'VP Sales', 'at_least', NULL, 10, 'deals', 1.0),
    (4, 'Level 3: deeper goal', 'Keep p95 latency at most 300 µs', 'SRE', 'at_most', NULL, 300, 'µs', 1.0),
    (5, 'Level 4: deeper goal', 'Launch the partner portal', 'PM', 'milestone', NULL, NULL, NULL, 1.0),
    (6, 'Level 5: deeper goal', 'Deliver the roadmap', 'VP Product', 'projects', NULL, NULL, NULL, 1.0),
    (7, 'Level 6: deeper goal', 'Grow pipeline to 1e40 (very large numbers)', 'EMEA', 'metric', 0, 1e40, 'EUR', 1.0),
    (8, 'Level 7: deeper goal', 'Reach one third exactly', 'DACH', 'metric', 0, 0.333333333333333333333333, NULL, 0),
    (9, 'Level 8: deeper goal', 'Sign 3 resellers', 'DACH', 'at_least', NULL, 3, 'partners', 1.0),
    (10, 'Level 9: deeper goal', 'Cut onboarding from 90 to 60 days', 'DACH', 'metric', 90, 60, 'days', 1.0),
    (11, 'Level 10: deeper goal', 'No value yet', 'DACH', 'metric', 0, 5, NULL, 1.0),
    (12, 'Child created first: a stable platform', 'Uptime at least 99.9', 'SRE', 'at_least', NULL, 99.9, '%', 1.0),
    (13, 'Closed early: make the brand known', 'Raise awareness from 12% to 30%', 'Brand', 'metric', 12, 30, '%', 1.0),
    (14, 'Closed early: make the brand known', 'Brand book delivered', 'Brand', 'projects', NULL, NULL, NULL, 1.0),
    (15, 'Cancelled: enter the US market', 'Open a US office', 'CEO', 'milestone', 0, 1, NULL, 1.0),
    (16, 'Draft: next year''s brand', 'Draft a key result', 'Brand', 'at_most', NULL, 10, NULL, 1.0),
    (17, 'Level 2: deeper goal', 'Cancelled later: win a tender', 'VP Sales', 'metric', 0, 4, 'tenders', 1.0),
    (18, 'Aligned under the closed one: brand survey', 'Survey 500 people', 'Brand', 'metric', 0, 500, NULL, 1.0)
) AS v (n, objective, title, owner, kind, start_value, target_value, unit, weight)
JOIN okr.objective o ON o.title = v.objective
ORDER BY v.n;

------------------------------------------------------------------------------
-- Check-ins.  For several key results the latest check-in is inserted first
-- and older ones after it, so a dump lists them newest first.
------------------------------------------------------------------------------
CREATE TEMP TABLE ci (n int, kr text, value numeric, confidence real, note text, checked_at timestamptz, author text);
INSERT INTO ci VALUES
    (1, 'Increase sales to $120 million', 60, 0.7, 'Q3 closed: halfway there', '2025-09-29 17:00', 'cfo'),
    (2, 'Increase sales to $120 million', 8, 0.8, 'January bookings', '2025-01-30 17:00', 'cfo'),
    (3, 'Increase sales to $120 million', 41, 0.65, E'H1:\ttwo deals slipped\nsee CRM', '2025-06-30 17:00', 'cfo'),
    (4, 'Increase sales to $120 million', 22, NULL, NULL, '2025-03-31 17:00', 'cfo'),
    -- the year's last half hour in Paris: outside the cycle in UTC+14
    (5, E'Cut "churn" \\ tab\there, newline\nhere', 7.125, 0.5, 'year end', '2025-12-31 23:30', 'cfo'),
    (6, E'Cut "churn" \\ tab\there, newline\nhere', 9, 0.5, NULL, '2025-02-01 00:00', 'cfo'),
    (7, 'Close 10 enterprise deals', 11, 1, 'target reached', '2025-09-25 16:00', 'vp'),
    (8, 'Close 10 enterprise deals', 2, 0.6, NULL, '2025-03-31 16:00', 'vp'),
    (9, 'Keep p95 latency at most 300 µs', 340, 0.5, NULL, '2025-02-27 12:00', 'sre'),
    (10, 'Keep p95 latency at most 300 µs', 280, 0.9, NULL, '2025-09-25 12:00', 'sre'),
    (11, 'Launch the partner portal', 1, 0.9, 'live', '2025-08-01 09:00', 'pm'),
    (12, 'Launch the partner portal', 0, 0.9, NULL, '2025-04-01 09:00', 'pm'),
    (13, 'Grow pipeline to 1e40 (very large numbers)', 3.5e39, 0.5, NULL, '2025-08-30 10:00', 'emea'),
    (14, 'Reach one third exactly', 0.111111111111111111111111, 0.3, NULL, '2025-07-15 10:00', 'dach'),
    (15, 'Sign 3 resellers', 1, 0.4, NULL, '2025-07-20 10:00', 'dach'),
    (16, 'Cut onboarding from 90 to 60 days', 75, 0.6, NULL, '2025-09-10 10:00', 'dach'),
    (17, 'Cut onboarding from 90 to 60 days', 75, 0.6, 'same moment: the higher id wins', '2025-09-10 10:00', 'dach'),
    (18, 'Uptime at least 99.9', 99.95, 0.9, NULL, '2025-05-15 10:00', 'sre'),
    (19, 'Raise awareness from 12% to 30%', 14, 0.3, NULL, '2025-05-29 14:00', 'brand'),
    (20, 'Raise awareness from 12% to 30%', 12, 0.6, 'baseline', '2025-01-03 14:00', 'brand'),
    (21, 'Open a US office', 0, 0.2, NULL, '2025-02-01 10:00', 'ceo'),
    (22, 'Cancelled later: win a tender', 1, 0.5, NULL, '2025-03-01 10:00', 'vp'),
    (23, 'Survey 500 people', 120, 0.5, NULL, '2025-05-01 10:00', 'brand');
INSERT INTO okr.checkin (key_result_id, value, confidence, note, checked_at, author)
SELECT k.id, ci.value, ci.confidence, ci.note, ci.checked_at, ci.author
FROM ci JOIN okr.key_result k ON k.title = ci.kr ORDER BY ci.n;
-- Same value, same moment, higher id (n = 17): a different note tells it apart.
UPDATE okr.checkin SET value = 74 WHERE note = 'same moment: the higher id wins';

-- A longer history: 60 daily check-ins, inserted newest first.
INSERT INTO okr.checkin (key_result_id, value, confidence, checked_at, author)
SELECT k.id, 100 + d * 7, 0.5 + d / 200.0, '2025-04-01 08:00'::timestamptz + d * interval '1 day', 'bot'
FROM okr.key_result k, generate_series(59, 0, -1) AS d
WHERE k.title = 'Survey 500 people'
ORDER BY d DESC;

-- Correct an old check-in (its row moves to the end) and delete the latest
-- check-in of one key result (its current_value falls back to the one before).
UPDATE okr.checkin SET value = 25, note = 'corrected' WHERE value = 22 AND author = 'cfo';
INSERT INTO okr.checkin (key_result_id, value, checked_at, author)
SELECT id, 99, '2025-09-30 12:00', 'typo' FROM okr.key_result WHERE title = 'Sign 3 resellers';
DELETE FROM okr.checkin WHERE author = 'typo';

------------------------------------------------------------------------------
-- Projects and tasks of every state.
------------------------------------------------------------------------------
INSERT INTO okr.project (key_result_id, name, owner, weight, state)
SELECT k.id, v.name, v.owner, v.weight, v.state
FROM (VALUES
    (1, 'Deliver the roadmap', 'Forecasting', 'PM A', 2.0, 'active'),
    (2, 'Deliver the roadmap', 'Mobile app', 'PM B', 1.0, 'active'),
    (3, 'Deliver the roadmap', 'Email integration (done, no tasks)', 'PM C', 1.0, 'done'),
    (4, 'Deliver the roadmap', 'Planned: offline mode', 'PM D', 1.0, 'planned'),
    (5, 'Deliver the roadmap', 'Cancelled later: fax support', 'PM E', 1.0, 'active'),
    (6, 'Close 10 enterprise deals', 'Enterprise pilot', 'VP Sales', 1.0, 'active'),
    (7, 'Brand book delivered', 'Brand book', 'Brand', 1.0, 'active'),
    (8, 'Open a US office', 'US office search', 'CEO', 1.0, 'active'),
    (9, 'Cancelled later: win a tender', 'Tender paperwork', 'VP Sales', 1.0, 'active')
) AS v (n, kr, name, owner, weight, state)
JOIN okr.key_result k ON k.title = v.kr
ORDER BY v.n;

INSERT INTO okr.task (project_id, title, assignee, status, effort, due_on, done_at)
SELECT p.id, v.title, v.assignee, v.status, v.effort, v.due_on::date, v.done_at::timestamptz
FROM (VALUES
    (1, 'Forecasting', 'Data model', 'nina', 'done', 3.0, '2025-03-01', '2025-02-20 10:00'),
    (2, 'Forecasting', 'Forecast UI', 'omar', 'done', 5, NULL, '2025-05-15 10:00'),
    (3, 'Forecasting', 'Accuracy report', 'nina', 'todo', 2, '2025-10-01', NULL),
    (4, 'Mobile app', 'Mobile API', 'paul', 'done', 3, NULL, '2025-04-10 10:00'),
    (5, 'Mobile app', 'iOS app', 'quin', 'doing', 5.5, NULL, NULL),
    (6, 'Mobile app', 'Offline mode', 'paul', 'cancelled', 2, NULL, NULL),
    (7, 'Cancelled later: fax support', 'Buy a fax', 'rosa', 'done', 1, NULL, '2025-03-03 10:00'),
    (8, 'Cancelled later: fax support', 'Fax driver', 'rosa', 'todo', 2, NULL, NULL),
    (9, 'Enterprise pilot', 'Define the offer', 'ana', 'done', 2, NULL, '2025-02-10 10:00'),
    (10, 'Enterprise pilot', E'Security "questionnaire" \\ pack', NULL, 'doing', 0.25, NULL, NULL),
    (11, 'Brand book', 'Logo', 'jade', 'done', 2, NULL, '2025-04-10 10:00'),
    (12, 'Brand book', 'Typography', 'jade', 'todo', 1, NULL, NULL),
    (13, 'US office search', 'Visit Austin', 'ceo', 'todo', 1, NULL, NULL),
    (14, 'Tender paperwork', 'Fill the forms', 'vp', 'done', 1, NULL, '2025-03-02 10:00'),
    (15, 'Mobile app', 'Moved here from Forecasting', 'omar', 'done', 1, NULL, '2025-06-01 10:00'),
    (16, 'Forecasting', 'Done then reopened', 'nina', 'done', 1, NULL, '2025-06-02 10:00'),
    (17, 'Forecasting', 'Deleted later', 'nina', 'todo', 1, NULL, NULL)
) AS v (n, project, title, assignee, status, effort, due_on, done_at)
JOIN okr.project p ON p.name = v.project
ORDER BY v.n;
UPDATE okr.task SET project_id = (SELECT id FROM okr.project WHERE name = 'Forecasting')
WHERE title = 'Moved here from Forecasting';
UPDATE okr.task SET project_id = (SELECT id FROM okr.project WHERE name = 'Mobile app')
WHERE title = 'Moved here from Forecasting';
UPDATE okr.task SET status = 'doing' WHERE title = 'Done then reopened';

-- Bulk work, so that every table spans several pages.
INSERT INTO okr.task (project_id, title, assignee, status, effort, done_at)
SELECT p.id, 'Bulk task ' || g, 'bulk', CASE WHEN g % 3 = 0 THEN 'done' ELSE 'todo' END, 1 + g % 4,
       CASE WHEN g % 3 = 0 THEN '2025-01-01 00:00+00'::timestamptz + g * interval '1 day' END
FROM okr.project p, generate_series(1, 200) AS g
WHERE p.name = 'Forecasting';

-- Now close and cancel: the rows below them stay, nothing new may join.
UPDATE okr.project SET state = 'cancelled' WHERE name = 'Cancelled later: fax support';
UPDATE okr.key_result SET state = 'cancelled' WHERE title = 'Cancelled later: win a tender';
UPDATE okr.objective SET state = 'closed' WHERE title = 'Closed early: make the brand known';
UPDATE okr.objective SET state = 'cancelled' WHERE title = 'Cancelled: enter the US market';

-- Leave gaps at the end of the id sequences: a restored database must go on
-- from the sequence, not from the highest id left.
DELETE FROM okr.task WHERE title = 'Deleted later';
INSERT INTO okr.team (name) VALUES ('Short-lived team');
DELETE FROM okr.team WHERE name = 'Short-lived team';

RESET TimeZone;
