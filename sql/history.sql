-- okr.progress_history: hand-computed figures over a quarter, the moments
-- of a calendar step, agreement with okr.progress at every moment of the
-- series, and bad series refused.  (rollup_reference.sql checks it against
-- the independent plain-SQL reference, with tied check-ins.)
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
-- The Team objective (2, cycle Q2) over Q2, every 2 weeks, by hand.
-- Expected (days since Apr 1) / 91 (Q2 is Apr 1 .. Jun 30, 91 days), the
-- same for the objective and its key results: Apr 1 0, Apr 15 14/91 =
-- 0.1538, Apr 29 28/91 = 0.3077, May 13 42/91 = 0.4615, May 27 56/91 =
-- 0.6154, Jun 10 70/91 = 0.7692, Jun 24 84/91 = 0.9231.
-- KR 2 Churn, metric 10 -> 5: no value before Apr 10 (0); 9 from Apr 10:
--   (9 - 10) / (5 - 10) = 0.2; 6 from Jun 1: (6 - 10) / (5 - 10) = 0.8.
-- KR 3 Launch, milestone: 0 from Apr 2, 1 from Jun 20 (so 1 on Jun 24 only).
-- KR 4 Roadmap, projects A and B (weight 1 each); a done_at at midnight
--   counts at that midnight (done_at <= T):
--   A: non-cancelled effort 4 (a1 2, a2 1, a3 1); done 2 from Apr 15, 3
--      from May 15: 0, 0.5 (Apr 15 .. May 13), 0.75 (from May 27);
--   B: non-cancelled effort 3 (b1; b2 cancelled); b1 done Jun 10: 0, then 1;
--   progress (A + B) / 2: 0, 0.25 (Apr 15 .. May 13), 0.375 (May 27),
--   0.875 (Jun 10, Jun 24);
--   activity, effort done / 7: 0, 2/7 = 0.2857, 3/7 = 0.4286 (May 27),
--   6/7 = 0.8571 (Jun 10); KR 2 and KR 3 have no tasks: NULL.
-- Objective 2 = (KR 2 + KR 3 + KR 4) / 3: Apr 1 0; Apr 15 .. May 13
--   (0.2 + 0 + 0.25) / 3 = 0.15; May 27 (0.2 + 0 + 0.375) / 3 = 0.1917;
--   Jun 10 (0.8 + 0 + 0.875) / 3 = 0.5583; Jun 24 (0.8 + 1 + 0.875) / 3 =
--   0.8917; its activity is KR 4's (all its tasks are there).
-- Status, r = progress / expected (on_track >= 0.9, at_risk >= 0.7):
--   Apr 1: expected 0, all on_track (the cycle starts at that instant);
--   Apr 15: objective 0.15 / 0.1538 = 0.975 on_track, KR 2 1.3 on_track,
--     KR 3 0 off_track, KR 4 1.625 on_track;
--   Apr 29: objective 0.4875 off, KR 2 0.65 off, KR 4 0.8125 at_risk;
--   May 13: objective 0.325, KR 2 0.433, KR 4 0.542: off_track;
--   May 27: objective 0.311, KR 2 0.325, KR 4 0.609: off_track;
--   Jun 10: objective 0.5583 / 0.7692 = 0.726 at_risk, KR 2 1.04 on_track,
--     KR 4 1.1375 on_track;
--   Jun 24: objective 0.8917 / 0.9231 = 0.966 on_track, KR 2 0.867
--     at_risk, KR 3 achieved (1), KR 4 0.948 on_track.
SELECT as_of::date, item, id, round(progress::numeric, 4) AS progress, round(activity::numeric, 4) AS activity,
       round(expected::numeric, 4) AS expected, status
  FROM okr.progress_history('2026-04-01', '2026-07-01', '2 weeks', 2) ORDER BY as_of, item DESC, id;
-- every row equals okr.progress at that moment (whole organisation, daily
-- over 13 months): 2025-12-15 .. 2027-01-15 is 17 + 365 + 15 = 397
-- moments of 6 rows (2 objectives, 4 key results) = 2,382 rows
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (h.progress IS NULL) <> (p.progress IS NULL)
                           OR abs(h.progress - p.progress) > 1e-12
                           OR (h.activity IS NULL) <> (p.activity IS NULL)
                           OR abs(h.activity - p.activity) > 1e-12
                           OR h.expected IS DISTINCT FROM p.expected
                           OR h.status IS DISTINCT FROM p.status) AS rows_differing
  FROM okr.progress_history('2025-12-15', '2027-01-15', '1 day') h
  JOIN LATERAL okr.progress(h.as_of) p ON p.item = h.item AND p.id = h.id;
-- steps follow the calendar from one moment to the next, as generate_series
-- does: Jan 31 + 1 month = Feb 28, then the 28th of each month (a fixed
-- 30 days or from_ts + n months would give other days, and also 12 moments)
SELECT string_agg(to_char(as_of, 'MM-DD'), ' ' ORDER BY as_of) AS moments,
       array_agg(as_of ORDER BY as_of) = ARRAY(SELECT generate_series(timestamptz '2026-01-31', '2026-12-31', '1 month')) AS as_generate_series
  FROM (SELECT DISTINCT as_of FROM okr.progress_history('2026-01-31', '2026-12-31', '1 month')) s;
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
