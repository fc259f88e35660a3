-- okr.progress_history agrees with okr.progress at every moment of the
-- series, whatever the step, and refuses bad series.
-- Start from an empty organisation (earlier tests share the database).
DROP EXTENSION okr;
CREATE EXTENSION okr;
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31'), ('Q2', '2026-04-01', '2026-06-30');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'Company');
INSERT INTO okr.objective (cycle_id, title, parent_id, weight) VALUES (2, 'Team', 1, 2);
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (1, 'Sales', 0, 100), (2, 'Churn', 10, 5);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (2, 'Launch', 'milestone'), (2, 'Roadmap', 'projects');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
  (1, 10, '2026-01-15'), (1, 40, '2026-03-01'), (1, 70, '2026-05-01'),
  (2, 9, '2026-04-10'), (2, 6, '2026-06-01'), (3, 0, '2026-04-02'), (3, 1, '2026-06-20'),
  (1, 30, '2026-02-01');   -- back-dated
INSERT INTO okr.project (key_result_id, name) VALUES (4, 'A'), (4, 'B');
INSERT INTO okr.task (project_id, title, status, effort, done_at) VALUES
  (1, 'a1', 'done', 2, '2026-04-15'), (1, 'a2', 'done', 1, '2026-05-15'), (1, 'a3', 'todo', 1, NULL),
  (2, 'b1', 'done', 3, '2026-06-10'), (2, 'b2', 'cancelled', 5, NULL);
-- the Team objective over Q2, weekly
SELECT as_of::date, item, id, round(progress::numeric, 4) AS progress, round(activity::numeric, 4) AS activity,
       round(expected::numeric, 4) AS expected, status
  FROM okr.progress_history('2026-04-01', '2026-07-01', '2 weeks', 2) ORDER BY as_of, item DESC, id;
-- every row equals okr.progress at that moment (whole organisation, daily over 13 months)
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (h.progress IS NULL) <> (p.progress IS NULL)
                           OR abs(h.progress - p.progress) > 1e-12
                           OR (h.activity IS NULL) <> (p.activity IS NULL)
                           OR abs(h.activity - p.activity) > 1e-12
                           OR h.expected IS DISTINCT FROM p.expected
                           OR h.status IS DISTINCT FROM p.status) AS rows_differing
  FROM okr.progress_history('2025-12-15', '2027-01-15', '1 day') h
  JOIN LATERAL okr.progress(h.as_of) p ON p.item = h.item AND p.id = h.id;
-- steps follow the calendar from one moment to the next, as generate_series does
SELECT count(*) AS months FROM (SELECT DISTINCT as_of FROM okr.progress_history('2026-01-31', '2026-12-31', '1 month')) s;
\set VERBOSITY sqlstate
SELECT count(*) FROM okr.progress_history('2026-01-01', '2026-02-01', '0 days');
SELECT count(*) FROM okr.progress_history('2026-01-01', '2026-02-01', '-1 day');
SELECT count(*) FROM okr.progress_history('2026-01-01', '2026-02-01', '1 month -40 days');
SELECT count(DISTINCT as_of) AS hours FROM okr.progress_history('2026-01-01', '2027-01-01', '1 hour');  -- 8,761 moments: allowed
-- at most okr.history_max_rows rows (moments x items; 6 items here)
SHOW okr.history_max_rows;
SET okr.history_max_rows = 105126;  -- 17,521 half-hours x 6 items: just allowed
SELECT count(*) FROM okr.progress_history('2026-01-01', '2027-01-01', '30 minutes');
SET okr.history_max_rows = 105125;  -- one row too many
SELECT count(*) FROM okr.progress_history('2026-01-01', '2027-01-01', '30 minutes');
RESET okr.history_max_rows;
-- only a superuser may raise it
CREATE ROLE okr_regress_history;
SET ROLE okr_regress_history;
SET okr.history_max_rows = 20000000;
RESET ROLE;
DROP ROLE okr_regress_history;
-- a series running into the end of timestamptz stops at to_ts (no 22008):
-- 31 days x 6 items, and one moment x 6 items
SELECT count(*) FROM okr.progress_history('294276-12-01', '294276-12-31 23:59:59', '1 day');
SELECT count(*) FROM okr.progress_history('2026-01-01', '294276-12-31 23:59:59', '2147483647 months');
SELECT count(*) FROM okr.progress_history('2026-02-01', '2026-01-01', '1 day');
SELECT count(*) FROM okr.progress_history('-infinity', '2026-01-01', '1 day');
SELECT count(*) FROM okr.progress_history('2026-01-01', '2026-02-01', '1 day', 999);
SELECT count(*) FROM okr.progress_history(NULL, '2026-02-01', '1 day');
