-- Sources and feeds (SPEC 6) for test/dump_restore.sh, after
-- test/safety_org.sql: a key result measured by a query and back-filled, a
-- failed sample recorded, a feed synced with rejections.  Not in
-- safety_org.sql, which test/upgrade.sh also loads into okr 1.0.
-- Run with: psql -X -q -v ON_ERROR_STOP=1 -f test/safety_feeds.sql

SET TimeZone = 'Europe/Paris';
CREATE SCHEMA crm;
CREATE TABLE crm.orders (id int PRIMARY KEY, amount numeric NOT NULL, closed_at timestamptz NOT NULL);
INSERT INTO crm.orders SELECT g, 10 * g, '2025-01-01 12:00+01'::timestamptz + g * interval '9 days' FROM generate_series(1, 30) g;
UPDATE okr.key_result SET external_key = 'KR-' || id;
INSERT INTO okr.key_result_source (key_result_id, query, every, timezone)
SELECT id, 'SELECT coalesce(sum(amount), 0) FROM crm.orders WHERE closed_at >= $2 AND closed_at <= $1', '1 day', 'Europe/Paris'
  FROM okr.key_result k WHERE kind = 'metric' AND state = 'active'
   AND (SELECT state FROM okr.objective o WHERE o.id = k.objective_id) = 'active' ORDER BY id LIMIT 1;
SELECT okr.backfill(key_result_id, '2025-01-01', '2025-12-31', '1 month') FROM okr.key_result_source;
-- its cycle is over: the sample is refused by rule 5, recorded in last_error
SELECT count(*) FROM okr.sample((SELECT key_result_id FROM okr.key_result_source));

CREATE SCHEMA app;
CREATE TABLE app.issues (external_key text, project_external_key text, title text, status text, effort double precision, done_at timestamptz);
UPDATE okr.project SET external_key = 'P-' || id;
INSERT INTO app.issues
SELECT 'I-' || g, 'P-' || (SELECT min(p.id) FROM okr.project p JOIN okr.key_result k ON k.id = p.key_result_id
                     JOIN okr.objective o ON o.id = k.objective_id
                    WHERE p.state = 'active' AND k.state = 'active' AND o.state = 'active'), 'Issue ' || g,
       CASE WHEN g % 2 = 0 THEN 'done' ELSE 'todo' END, g, CASE WHEN g % 4 = 0 THEN '2025-06-01 10:00+02'::timestamptz END
  FROM generate_series(1, 20) g;
INSERT INTO app.issues VALUES ('I-bad', 'P-none', 'unknown project', 'todo', 1, NULL);
INSERT INTO okr.task_feed (source) VALUES ('app.issues');
SELECT count(*) FROM okr.sync_tasks();
RESET TimeZone;
