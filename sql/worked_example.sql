-- The worked example of the README, computed by the engine.
SET TimeZone = 'UTC';
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('2026', '2026-01-01', '2026-12-31');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'Become the market leader');
INSERT INTO okr.objective (cycle_id, parent_id, title, weight) VALUES (1, 1, 'Win the enterprise segment', 2);
INSERT INTO okr.key_result (objective_id, title, start_value, target_value, unit) VALUES
  (1, 'Increase sales to $120 million', 0, 120, 'M$'),
  (1, 'Generate 1,000 qualified leads', 0, 1000, 'leads');
INSERT INTO okr.key_result (objective_id, title, kind, target_value) VALUES
  (2, 'Close 10 enterprise deals', 'at_least', 10);
INSERT INTO okr.key_result (objective_id, title, start_value, target_value, unit) VALUES
  (2, 'Cut the sales cycle from 90 to 60 days', 90, 60, 'days');
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
  (1, 20, '2026-03-31'), (1, 60, '2026-06-30'), (2, 700, '2026-06-15'),
  (3, 4, '2026-06-01'), (4, 75, '2026-06-20'),
  (1, 10, '2026-02-01');   -- back-dated: does not change current_value
SELECT id, title, current_value FROM okr.key_result ORDER BY id;
SELECT item, id, parent_item, parent_id, round(progress::numeric, 4) AS progress,
       round(expected::numeric, 4) AS expected, status
  FROM okr.progress('2026-07-01 00:00+00') ORDER BY item DESC, id;
SELECT round(okr.objective_progress(1, '2026-07-01 00:00+00')::numeric, 4) AS company,
       round(okr.objective_progress(2, '2026-07-01 00:00+00')::numeric, 4) AS enterprise;
-- as of the end of March, only the first sales check-in (20 of 120) counted
SELECT round(okr.objective_progress(1, '2026-03-31 12:00+00')::numeric, 4) AS company_in_march;
-- current_progress: each key result scored at its current_value by the
-- trigger (what the rollup reads for any moment after the latest check-in);
-- a value written there by a client is replaced by the derived one
SELECT id, kind, current_value, round(current_progress::numeric, 4) AS current_progress
  FROM okr.key_result ORDER BY id;
UPDATE okr.key_result SET current_progress = 0.99 WHERE id = 1;
SELECT round(current_progress::numeric, 4) AS still_derived FROM okr.key_result WHERE id = 1;
