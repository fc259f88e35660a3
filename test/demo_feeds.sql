-- okr demo, part 2 (SPEC 6, doc/feeds.md): the database feeds okr.  The
-- sales and leads key results follow tables crm.orders and crm.leads,
-- back-filled month by month; the "AI assistant beta" project's tasks come
-- from a task table of its own.  Run by test/demo.sql after demo_data.sql.
SET TimeZone = 'UTC';
CREATE SCHEMA crm;
-- Orders in M$ and qualified leads, one row per deal or lead.
CREATE TABLE crm.orders (id int PRIMARY KEY, amount numeric NOT NULL, closed_at timestamptz NOT NULL);
INSERT INTO crm.orders
SELECT g, round((0.5 + (g % 7) * 0.1)::numeric, 2), '2026-01-03 10:00+00'::timestamptz + g * interval '36 hours'
  FROM generate_series(1, 190) g;
CREATE TABLE crm.leads (id int PRIMARY KEY, qualified_at timestamptz);
INSERT INTO crm.leads SELECT g, '2026-01-05 09:00+00'::timestamptz + g * interval '7 hours' FROM generate_series(1, 850) g;

-- The two key results measured by queries, as of any moment ($1) inside
-- their cycle ($2 = its start).
INSERT INTO okr.key_result_source (key_result_id, query, every, timezone)
SELECT id, 'SELECT sum(amount) FROM crm.orders WHERE closed_at >= $2 AND closed_at <= $1', '1 hour', 'UTC'
  FROM okr.key_result WHERE title = 'Increase sales to $120 million';
INSERT INTO okr.key_result_source (key_result_id, query, every, timezone)
SELECT id, 'SELECT count(*) FROM crm.leads WHERE qualified_at >= $2 AND qualified_at <= $1', '1 hour', 'UTC'
  FROM okr.key_result WHERE title = 'Generate 1,000 qualified leads';
\echo
\echo Back-filling sales and leads from the CRM, month by month (check-ins written):
SELECT k.title AS key_result, okr.backfill(s.key_result_id, '2026-01-31 23:00+00', now(), '1 month') AS written
  FROM okr.key_result_source s JOIN okr.key_result k ON k.id = s.key_result_id ORDER BY k.id;
\echo Sampling them now:
SELECT k.title AS key_result, s.value, s.checkin_id IS NOT NULL AS recorded, s.error
  FROM okr.sample() s JOIN okr.key_result k ON k.id = s.key_result_id ORDER BY k.id;

-- The AI team keeps its tasks in a table of its own.
CREATE SCHEMA ai;
CREATE TABLE ai.tickets (ref text PRIMARY KEY, summary text, state text, points int, closed timestamptz);
INSERT INTO ai.tickets VALUES
    ('AI-1', 'Prompt library', 'closed', 3, '2026-06-20 12:00+00'),
    ('AI-2', 'Assistant in the deal view', 'in progress', 5, NULL),
    ('AI-3', 'Usage analytics', 'open', 2, NULL),
    ('AI-4', 'Evaluate a second model', 'open', 3, NULL),
    ('AI-5', 'Fix done in the future', 'closed', 1, '2099-01-01 00:00+00');
UPDATE okr.project SET external_key = 'AI-BETA' WHERE name = 'AI assistant beta';
CREATE VIEW ai.okr_tasks AS
SELECT ref AS external_key, 'AI-BETA' AS project_external_key, summary AS title,
       CASE state WHEN 'open' THEN 'todo' WHEN 'in progress' THEN 'doing' WHEN 'closed' THEN 'done' END AS status,
       points AS effort, closed AS done_at
  FROM ai.tickets;
INSERT INTO okr.task_feed (source) VALUES ('ai.okr_tasks');
\echo Syncing the AI team's tickets into the project's tasks:
SELECT feed_id, inserted, updated, deleted, rejected, error FROM okr.sync_tasks();
SELECT external_key, sqlstate, message FROM okr.task_feed_rejection;
\echo A second sync, nothing changed:
SELECT feed_id, inserted, updated, deleted, rejected FROM okr.sync_tasks(1);
