-- okr demo data: the example organisation of test/demo.sql (cycles of
-- 2026, teams, objectives, key results, check-ins, projects and tasks).
-- Loaded by test/demo.sql and by the JDBC test (test/jdbc.sh) into a
-- database where CREATE EXTENSION okr has run:
--   psql -X -q -v ON_ERROR_STOP=1 -f test/demo_data.sql
-- The times below are UTC.  The last check-in is on 2026-09-29.
SET TimeZone = 'UTC';

------------------------------------------------------------------------------
-- The organisation
------------------------------------------------------------------------------

-- Cycles: the year and its quarters (dates are inclusive).
INSERT INTO okr.cycle (name, starts_on, ends_on)
VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.cycle (name, starts_on, ends_on, parent_id)
SELECT q.name, q.starts_on::date, q.ends_on::date, y.id
FROM (VALUES (1, 'Q1 2026', '2026-01-01', '2026-03-31'),
             (2, 'Q2 2026', '2026-04-01', '2026-06-30'),
             (3, 'Q3 2026', '2026-07-01', '2026-09-30'),
             (4, 'Q4 2026', '2026-10-01', '2026-12-31')) AS q (n, name, starts_on, ends_on)
JOIN okr.cycle y ON y.name = '2026'
ORDER BY q.n;

-- Teams: the org chart.
INSERT INTO okr.team (name) VALUES ('Company');
INSERT INTO okr.team (name, parent_id)
SELECT v.name, p.id
FROM (VALUES (1, 'Sales'), (2, 'Marketing'), (3, 'Engineering')) AS v (n, name)
JOIN okr.team p ON p.name = 'Company'
ORDER BY v.n;
INSERT INTO okr.team (name, parent_id)
SELECT 'EMEA Sales', id FROM okr.team WHERE name = 'Sales';

-- Objectives: the company goal for the year, team goals aligned below it,
-- and an EMEA goal for Q3 aligned below the Sales goal.
INSERT INTO okr.objective (cycle_id, team_id, title, owner, kind)
SELECT c.id, t.id, 'Become the market leader in mid-market CRM', 'CEO', 'committed'
FROM okr.cycle c, okr.team t
WHERE c.name = '2026' AND t.name = 'Company';

INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, owner, kind, weight)
SELECT c.id, p.id, t.id, v.title, v.owner, v.kind, v.weight
FROM (VALUES
        (1, 'Sales',       '2026',    'Win the enterprise segment',         'VP Sales', 'committed',    1.0),
        (2, 'Marketing',   'Q3 2026', 'Make the brand known',               'CMO',      'committed',    1.0),
        (3, 'Engineering', '2026',    'Ship a product customers love',      'CTO',      'committed',    1.0),
        (4, 'Engineering', '2026',    'Make AI-assisted selling a reality', 'CTO',      'aspirational', 0.5)
     ) AS v (n, team, cycle, title, owner, kind, weight)
JOIN okr.team t ON t.name = v.team
JOIN okr.cycle c ON c.name = v.cycle
JOIN okr.objective p ON p.title = 'Become the market leader in mid-market CRM'
ORDER BY v.n;

INSERT INTO okr.objective (cycle_id, parent_id, team_id, title, owner)
SELECT c.id, p.id, t.id, 'Open the DACH market', 'Head of EMEA Sales'
FROM okr.cycle c, okr.team t, okr.objective p
WHERE c.name = 'Q3 2026' AND t.name = 'EMEA Sales' AND p.title = 'Win the enterprise segment';

-- Key results.  A milestone goes from 0 to 1; a 'projects' key result takes
-- no values: its progress comes from its projects.
INSERT INTO okr.key_result (objective_id, title, owner, kind, start_value, target_value, unit, weight)
SELECT o.id, v.title, v.owner, v.kind, v.start_value, v.target_value, v.unit, v.weight
FROM (VALUES
        (1, 'Become the market leader in mid-market CRM', 'Increase sales to $120 million', 'CFO', 'metric', 0::numeric, 120::numeric, 'M$', 1.0),
        (2, 'Become the market leader in mid-market CRM', 'Generate 1,000 qualified leads', 'CMO', 'metric', 0, 1000, 'leads', 1.0),
        (3, 'Win the enterprise segment', 'Close 10 enterprise deals', 'VP Sales', 'at_least', NULL, 10, 'deals', 1.0),
        (4, 'Win the enterprise segment', 'Cut sales cycle from 90 to 60 days', 'Sales Ops', 'metric', 90, 60, 'days', 1.0),
        (5, 'Open the DACH market', 'Grow the DACH pipeline from 2 to 5 MEUR', 'Head of EMEA Sales', 'metric', 2, 5, 'MEUR', 1.0),
        (6, 'Open the DACH market', 'Sign 3 reseller partners in DACH', 'Partner Manager', 'at_least', NULL, 3, 'partners', 1.0),
        (7, 'Make the brand known', 'Launch the new website', 'Web Lead', 'milestone', 0, 1, NULL, 1.0),
        (8, 'Make the brand known', 'Raise aided brand awareness from 12% to 30%', 'Brand Lead', 'metric', 12, 30, '%', 1.0),
        (9, 'Ship a product customers love', 'Keep p95 latency at most 300 ms', 'SRE Lead', 'at_most', NULL, 300, 'ms', 1.0),
        (10, 'Ship a product customers love', 'Deliver the 2026 roadmap', 'VP Product', 'projects', NULL, NULL, NULL, 1.0),
        (11, 'Make AI-assisted selling a reality', 'Get 25% of active users onto the AI assistant', 'AI Lead', 'metric', 0, 25, '%', 1.0)
     ) AS v (n, objective, title, owner, kind, start_value, target_value, unit, weight)
JOIN okr.objective o ON o.title = v.objective
ORDER BY v.n;

-- Check-ins: the measured history of each key result.  Inserting one sets
-- current_value (SPEC rule 4).
INSERT INTO okr.checkin (key_result_id, value, confidence, note, checked_at, author)
SELECT k.id, v.value, v.confidence, v.note, v.checked_at::timestamptz, v.author
FROM (VALUES
        (1, 'Increase sales to $120 million', 8::numeric, 0.8::real, 'January bookings', '2026-01-30 17:00', 'cfo'),
        (2, 'Increase sales to $120 million', 22, 0.7, 'Q1 closed slightly behind plan', '2026-03-31 17:00', 'cfo'),
        (3, 'Increase sales to $120 million', 41, 0.65, 'H1: two enterprise deals slipped', '2026-06-30 17:00', 'cfo'),
        (4, 'Increase sales to $120 million', 60, 0.7, 'Q3 closed: halfway there', '2026-09-29 17:00', 'cfo'),
        (5, 'Generate 1,000 qualified leads', 120, 0.8, 'Webinar series started', '2026-02-27 17:00', 'cmo'),
        (6, 'Generate 1,000 qualified leads', 310, 0.8, NULL, '2026-04-30 17:00', 'cmo'),
        (7, 'Generate 1,000 qualified leads', 480, 0.75, 'Summer slowdown expected', '2026-06-30 17:00', 'cmo'),
        (8, 'Generate 1,000 qualified leads', 640, 0.8, NULL, '2026-08-31 17:00', 'cmo'),
        (9, 'Generate 1,000 qualified leads', 700, 0.85, 'Trade fair leads qualified', '2026-09-29 17:00', 'cmo'),
        (10, 'Close 10 enterprise deals', 2, 0.6, NULL, '2026-03-31 16:00', 'vp_sales'),
        (11, 'Close 10 enterprise deals', 6, 0.7, NULL, '2026-06-30 16:00', 'vp_sales'),
        (12, 'Close 10 enterprise deals', 9, 0.85, 'Two contracts in legal review', '2026-08-31 16:00', 'vp_sales'),
        (13, 'Close 10 enterprise deals', 11, 1.0, 'Target reached', '2026-09-25 16:00', 'vp_sales'),
        (14, 'Cut sales cycle from 90 to 60 days', 86, 0.6, NULL, '2026-03-31 16:00', 'sales_ops'),
        (15, 'Cut sales cycle from 90 to 60 days', 79, 0.7, 'Standard contracts help', '2026-06-30 16:00', 'sales_ops'),
        (16, 'Cut sales cycle from 90 to 60 days', 72, 0.75, NULL, '2026-09-25 16:00', 'sales_ops'),
        (17, 'Grow the DACH pipeline from 2 to 5 MEUR', 2.6, 0.6, NULL, '2026-07-31 15:00', 'emea'),
        (18, 'Grow the DACH pipeline from 2 to 5 MEUR', 3.4, 0.65, NULL, '2026-08-31 15:00', 'emea'),
        (19, 'Grow the DACH pipeline from 2 to 5 MEUR', 4.1, 0.7, 'Partners bring deals', '2026-09-29 15:00', 'emea'),
        (20, 'Sign 3 reseller partners in DACH', 1, 0.7, 'First partner signed', '2026-08-14 15:00', 'partners'),
        (21, 'Sign 3 reseller partners in DACH', 3, 1.0, NULL, '2026-09-18 15:00', 'partners'),
        (22, 'Launch the new website', 0, 0.8, 'Design approved', '2026-07-31 14:00', 'web'),
        (23, 'Launch the new website', 0, 0.4, 'Launch slipped to October: content migration', '2026-09-29 14:00', 'web'),
        (24, 'Raise aided brand awareness from 12% to 30%', 12, 0.6, 'Baseline survey', '2026-07-03 14:00', 'brand'),
        (25, 'Raise aided brand awareness from 12% to 30%', 13, 0.4, NULL, '2026-08-31 14:00', 'brand'),
        (26, 'Raise aided brand awareness from 12% to 30%', 14, 0.3, 'Campaign reach below plan', '2026-09-29 14:00', 'brand'),
        (27, 'Keep p95 latency at most 300 ms', 340, 0.5, NULL, '2026-02-27 12:00', 'sre'),
        (28, 'Keep p95 latency at most 300 ms', 310, 0.6, 'Read replicas live', '2026-06-12 12:00', 'sre'),
        (29, 'Keep p95 latency at most 300 ms', 295, 0.8, NULL, '2026-07-31 12:00', 'sre'),
        (30, 'Keep p95 latency at most 300 ms', 280, 0.9, NULL, '2026-09-25 12:00', 'sre'),
        (31, 'Get 25% of active users onto the AI assistant', 3, 0.5, 'Beta opened', '2026-06-30 12:00', 'ai'),
        (32, 'Get 25% of active users onto the AI assistant', 6, 0.4, NULL, '2026-08-31 12:00', 'ai'),
        (33, 'Get 25% of active users onto the AI assistant', 9, 0.4, NULL, '2026-09-25 12:00', 'ai')
     ) AS v (n, key_result, value, confidence, note, checked_at, author)
JOIN okr.key_result k ON k.title = v.key_result
ORDER BY v.n;

-- Two back-dated check-ins, entered last: they join the history but do not
-- override the newer values (current_value stays 60 and 700).
INSERT INTO okr.checkin (key_result_id, value, confidence, note, checked_at, author)
SELECT id, 30, 0.65, 'Late entry: April bookings', '2026-05-15 17:00', 'cfo'
FROM okr.key_result WHERE title = 'Increase sales to $120 million';
INSERT INTO okr.checkin (key_result_id, value, confidence, note, checked_at, author)
SELECT id, 560, 0.8, 'Late entry: July count from the CRM export', '2026-07-31 17:00', 'cmo'
FROM okr.key_result WHERE title = 'Generate 1,000 qualified leads';

-- Projects: the initiatives meant to move the key results.  "Email
-- integration" is done and has no tasks, so it counts as complete.
INSERT INTO okr.project (key_result_id, name, owner, weight, state)
SELECT k.id, v.name, v.owner, v.weight, v.state
FROM (VALUES
        (1, 'Close 10 enterprise deals', 'Enterprise pilot programme', 'VP Sales', 1.0, 'active'),
        (2, 'Cut sales cycle from 90 to 60 days', 'Deal desk', 'Sales Ops', 1.0, 'active'),
        (3, 'Sign 3 reseller partners in DACH', 'DACH partner programme', 'Partner Manager', 1.0, 'active'),
        (4, 'Launch the new website', 'Website relaunch', 'Web Lead', 1.0, 'active'),
        (5, 'Raise aided brand awareness from 12% to 30%', 'Brand awareness campaign', 'Brand Lead', 1.0, 'active'),
        (6, 'Keep p95 latency at most 300 ms', 'Query cache and read replicas', 'SRE Lead', 1.0, 'active'),
        (7, 'Deliver the 2026 roadmap', 'Pipeline forecasting', 'PM Forecasting', 2.0, 'active'),
        (8, 'Deliver the 2026 roadmap', 'Mobile app', 'PM Mobile', 1.0, 'active'),
        (9, 'Deliver the 2026 roadmap', 'Email integration', 'PM Integrations', 1.0, 'done'),
        (10, 'Get 25% of active users onto the AI assistant', 'AI assistant beta', 'AI Lead', 1.0, 'active')
     ) AS v (n, key_result, name, owner, weight, state)
JOIN okr.key_result k ON k.title = v.key_result
ORDER BY v.n;

-- Tasks, with effort.  Finished tasks carry an explicit done_at.
-- Marketing is busy without results: nearly all its work is done while its
-- key results have barely moved.  Sales moves its results with little done.
INSERT INTO okr.task (project_id, title, assignee, status, effort, done_at)
SELECT p.id, v.title, v.assignee, v.status, v.effort, v.done_at::timestamptz
FROM (VALUES
        (1, 'Enterprise pilot programme', 'Define the pilot offer', 'ana', 'done', 2.0, '2026-02-10 10:00'),
        (2, 'Enterprise pilot programme', 'Recruit 5 pilot customers', 'ben', 'doing', 5, NULL),
        (3, 'Enterprise pilot programme', 'Build enterprise pricing', 'ana', 'todo', 3, NULL),
        (4, 'Enterprise pilot programme', 'Security questionnaire pack', 'ben', 'todo', 3, NULL),
        (5, 'Deal desk', 'Standard contract templates', 'cleo', 'done', 2, '2026-04-20 10:00'),
        (6, 'Deal desk', 'Approval workflow in the CRM', 'cleo', 'doing', 3, NULL),
        (7, 'Deal desk', 'Legal review SLA', 'dan', 'todo', 2, NULL),
        (8, 'DACH partner programme', 'Shortlist resellers', 'eva', 'done', 2, '2026-07-15 10:00'),
        (9, 'DACH partner programme', 'Partner contract in German', 'eva', 'done', 3, '2026-08-20 10:00'),
        (10, 'DACH partner programme', 'Partner onboarding kit', 'finn', 'doing', 3, NULL),
        (11, 'Website relaunch', 'Sitemap and wireframes', 'gina', 'done', 2, '2026-07-08 10:00'),
        (12, 'Website relaunch', 'Copywriting', 'hugo', 'done', 3, '2026-07-29 10:00'),
        (13, 'Website relaunch', 'Visual design', 'gina', 'done', 3, '2026-08-12 10:00'),
        (14, 'Website relaunch', 'Build the pages', 'ivan', 'done', 5, '2026-09-02 10:00'),
        (15, 'Website relaunch', 'Content migration', 'hugo', 'done', 2, '2026-09-18 10:00'),
        (16, 'Website relaunch', 'Go-live checklist', 'ivan', 'doing', 1, NULL),
        (17, 'Brand awareness campaign', 'Campaign concept', 'jade', 'done', 2, '2026-07-10 10:00'),
        (18, 'Brand awareness campaign', 'Video shoot', 'jade', 'done', 5, '2026-07-31 10:00'),
        (19, 'Brand awareness campaign', 'Paid social flight', 'kai', 'done', 3, '2026-08-25 10:00'),
        (20, 'Brand awareness campaign', 'Trade fair booth', 'kai', 'done', 3, '2026-09-10 10:00'),
        (21, 'Brand awareness campaign', 'Podcast sponsorship', 'jade', 'cancelled', 2, NULL),
        (22, 'Brand awareness campaign', 'Press release', 'kai', 'done', 1, '2026-09-22 10:00'),
        (23, 'Query cache and read replicas', 'Profile slow endpoints', 'lea', 'done', 2, '2026-03-05 10:00'),
        (24, 'Query cache and read replicas', 'Add read replicas', 'max', 'done', 3, '2026-06-10 10:00'),
        (25, 'Query cache and read replicas', 'Tune indexes', 'lea', 'doing', 2, NULL),
        (26, 'Pipeline forecasting', 'Forecast data model', 'nina', 'done', 3, '2026-02-20 10:00'),
        (27, 'Pipeline forecasting', 'Forecast UI', 'omar', 'done', 5, '2026-05-15 10:00'),
        (28, 'Pipeline forecasting', 'Forecast accuracy report', 'nina', 'todo', 2, NULL),
        (29, 'Mobile app', 'Mobile API', 'paul', 'done', 3, '2026-04-10 10:00'),
        (30, 'Mobile app', 'iOS app', 'quin', 'doing', 5, NULL),
        (31, 'Mobile app', 'Android app', 'rosa', 'todo', 5, NULL),
        (32, 'Mobile app', 'Offline mode', 'paul', 'cancelled', 2, NULL),
        (33, 'AI assistant beta', 'Prompt library', 'sam', 'done', 2, '2026-06-01 10:00'),
        (34, 'AI assistant beta', 'Beta with 20 customers', 'tess', 'doing', 3, NULL)
     ) AS v (n, project, title, assignee, status, effort, done_at)
JOIN okr.project p ON p.name = v.project
ORDER BY v.n;
