-- SPEC 8: okr.as_of and okr.known_at pin a session to a moment.  Every
-- reporting view and every function whose moment is left out computes then
-- (stale and days_since_checkin measured from it, scores of the cycles ended
-- by then, overdue tasks); a bad value is an error, never silently now;
-- triggers and link rules ignore both settings.  (A role's setting and the
-- placeholder kept before okr.so loads need their own connections:
-- test/moments.sh.)
--
-- Cycle 1 runs 2026-01-01 to 2026-01-10 (UTC, ten days); key result 1 is a
-- metric 0 -> 100 checked in at 10 (Jan 2), 40 (Jan 4) and 80 (Jan 8).
BEGIN;
CREATE EXTENSION okr;
SELECT plan(53);
SET TimeZone = 'UTC';

INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES
    (1, 'ten days', '2026-01-01', '2026-01-10'),
    (2, 'this year', pg_catalog.date_trunc('year', now())::date, (pg_catalog.date_trunc('year', now()) + interval '1 year - 1 day')::date);
INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 'Measured'), (2, 1, 'Worked on'), (3, 2, 'Now');
INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 'metric', 'metric', 0, 100),
    (2, 2, 'projects', 'projects', NULL, NULL),
    (3, 3, 'this year', 'metric', 0, 100);
INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES
    (1, 10, '2026-01-02'), (1, 40, '2026-01-04'), (1, 80, '2026-01-08');
INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES (1, 2, 'P');
-- t1: due Jan 2, done Jan 4; t2: due Jan 6, open
INSERT INTO okr.task (id, project_id, title, effort, status, due_on, done_at) OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 't1', 1, 'done', '2026-01-02', '2026-01-04'),
    (2, 1, 't2', 3, 'todo', '2026-01-06', NULL);

-- ---------------------------------------------------------------------------
-- The functions
-- ---------------------------------------------------------------------------
SELECT is(current_setting('okr.as_of'), '', 'okr.as_of is empty by default');
SELECT is(current_setting('okr.known_at'), '', 'okr.known_at is empty by default');
SELECT is(okr.as_of(), now(), 'okr.as_of() is now() when the setting is empty');
SELECT is(okr.known_at(), NULL, 'okr.known_at() is NULL when the setting is empty');
SET okr.as_of = '2026-01-05 00:00';
SELECT is(okr.as_of(), '2026-01-05 00:00+00'::timestamptz, 'okr.as_of() returns the pinned moment');
SET okr.known_at = '2026-01-07 12:00';
SELECT is(okr.known_at(), '2026-01-07 12:00+00'::timestamptz, 'okr.known_at() returns its setting');
RESET okr.known_at;
SET TimeZone = 'Europe/Paris';
SELECT is(okr.as_of(), '2026-01-04 23:00+00'::timestamptz,
    'the setting is parsed where it is used, in the session time zone: 00:00 in Paris is 23:00 UTC');
SET TimeZone = 'UTC';
SELECT is(okr.as_of(), '2026-01-05 00:00+00'::timestamptz, 'and again in UTC after the time zone changes back');
SET okr.as_of = '2026-01-05 00:00:00+02';
SELECT is(okr.as_of(), '2026-01-04 22:00+00'::timestamptz, 'an explicit offset is honoured');
SET okr.as_of = 'epoch';
SELECT is(okr.as_of(), 'epoch'::timestamptz, '''epoch'' is a fixed moment and accepted');
SELECT is((SELECT provolatile::text || proparallel::text FROM pg_proc WHERE oid = 'okr.as_of()'::regprocedure), 'ss',
    'okr.as_of() is STABLE and PARALLEL SAFE (a setting is passed on to parallel workers)');

-- ---------------------------------------------------------------------------
-- Bad values: refused at SET (22023) while okr is loaded, and where they are
-- used (22007) when they got in otherwise
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SET okr.as_of = 'next tuesday'$$, '22023', NULL, 'SET okr.as_of to words that are no timestamp: 22023');
SELECT throws_ok($$SET okr.as_of = 'now'$$, '22023', NULL, 'now is refused: it moves with the clock');
SELECT throws_ok($$SET okr.as_of = 'today'$$, '22023', NULL, 'today is refused');
SELECT throws_ok($$SET okr.as_of = 'Tomorrow'$$, '22023', NULL, 'tomorrow is refused, in any case');
SELECT throws_ok($$SET okr.as_of = '2026-01-05 yesterday'$$, '22023', NULL, 'yesterday is refused, even with a date');
SELECT throws_ok($$SET okr.as_of = 'infinity'$$, '22023', NULL, 'infinity is no moment');
SELECT throws_ok($$SET okr.known_at = '2026-13-01'$$, '22023', NULL, 'okr.known_at: month 13 is refused');
SELECT throws_ok($$SELECT set_config('okr.as_of', 'soon', false)$$, '22023', NULL, 'set_config is checked as SET is');
SELECT throws_ok($$ALTER ROLE CURRENT_USER SET okr.as_of = 'now'$$, '22023', NULL, 'ALTER ROLE ... SET is checked when okr is loaded');
SELECT is(okr.as_of(), 'epoch'::timestamptz, 'a refused SET leaves the setting as it was');
-- valid when set (day-month order), not where it is used (month-day order)
SET DateStyle = 'ISO, DMY';
SET okr.as_of = '13/01/2026';
SELECT is(okr.as_of(), '2026-01-13 00:00+00'::timestamptz, 'with DateStyle DMY, 13/01/2026 is January 13');
SET DateStyle = 'ISO, MDY';
SELECT throws_ok($$SELECT okr.as_of()$$, '22007', NULL,
    'the same setting under DateStyle MDY: no month 13, an error where it is used (22007), not now');
SELECT throws_ok($$SELECT count(*) FROM okr.objective_report$$, '22007', NULL,
    'a view that needs the moment fails with it, rather than showing now');
SET DateStyle = 'ISO, DMY';
SET okr.known_at = '13/01/2026';
SET DateStyle = 'ISO, MDY';
SELECT throws_ok($$SELECT okr.known_at()$$, '22007', NULL, 'okr.known_at() too: 22007');
RESET okr.known_at;

-- ---------------------------------------------------------------------------
-- The views at a pinned moment agree with okr.progress(that moment)
-- ---------------------------------------------------------------------------
SET okr.as_of = '2026-01-05 00:00';
SELECT results_eq($$SELECT objective_id, progress, expected, status, activity FROM okr.objective_report ORDER BY 1$$,
    $$SELECT id, progress, expected, status, activity FROM okr.progress('2026-01-05 00:00') WHERE item = 'objective' ORDER BY 1$$,
    'objective_report pinned to Jan 5 = okr.progress(Jan 5)');
SELECT results_eq($$SELECT key_result_id, progress, expected, status FROM okr.key_result_report ORDER BY 1$$,
    $$SELECT id, progress, expected, status FROM okr.progress('2026-01-05 00:00') WHERE item = 'key_result' ORDER BY 1$$,
    'key_result_report pinned = okr.progress(Jan 5)');
SELECT results_eq($$SELECT project_id, progress, expected, status FROM okr.project_report ORDER BY 1$$,
    $$SELECT id, progress, expected, status FROM okr.progress('2026-01-05 00:00') WHERE item = 'project' ORDER BY 1$$,
    'project_report pinned = okr.progress(Jan 5)');
SELECT results_eq($$SELECT progress, expected, status, current_value FROM okr.key_result_report WHERE key_result_id = 1$$,
    $$VALUES (0.4::float8, 0.4::float8, 'on_track'::text, 40::numeric)$$,
    'by hand: on Jan 5 the value is 40 (Jan 4), progress 0.4, 4 of 10 days elapsed, on track');
SELECT results_eq($$SELECT last_checkin_at, days_since_checkin, stale FROM okr.key_result_report WHERE key_result_id = 1$$,
    $$VALUES ('2026-01-04 00:00+00'::timestamptz, 1, false)$$,
    'the latest check-in up to Jan 5 is Jan 4: one day since, not stale');
SET okr.stale_after = '1 day';
SELECT is((SELECT stale FROM okr.key_result_report WHERE key_result_id = 1), true,
    'stale from the pinned moment: a check-in exactly okr.stale_after (1 day) before it is stale');
SET okr.as_of = '2026-01-04 23:59:59';
SELECT is((SELECT stale FROM okr.key_result_report WHERE key_result_id = 1), false,
    'a second earlier it is not');
RESET okr.stale_after;
SELECT is((SELECT progress FROM okr.objective_report WHERE objective_id = 2), 0.25::float8,
    'as of Jan 4 23:59:59: t1 (1 of 4 effort) is done, 0.25');
SET okr.as_of = '2026-01-03 12:00';
SELECT results_eq($$SELECT current_value, progress, days_since_checkin, status FROM okr.key_result_report WHERE key_result_id = 1$$,
    $$VALUES (10::numeric, 0.1::float8, 1, 'off_track'::text)$$,
    'as of Jan 3 12:00: value 10, 0.1 against 0.25 expected (0.4 < 0.7): off track, one day since Jan 2');
SELECT results_eq($$SELECT tasks_done, tasks_overdue, effort_done FROM okr.project_report WHERE project_id = 1$$,
    $$VALUES (0::bigint, 1::bigint, 0::float8)$$,
    'as of Jan 3: t1 (due Jan 2, done only on Jan 4) is open and overdue, nothing done');
SET okr.as_of = '2026-01-05 00:00';
SELECT results_eq($$SELECT tasks_done, tasks_overdue, effort_done FROM okr.project_report WHERE project_id = 1$$,
    $$VALUES (1::bigint, 0::bigint, 1::float8)$$,
    'as of Jan 5: t1 done, t2 due Jan 6 not yet overdue');
SET okr.as_of = '2026-01-07 00:00';
SELECT results_eq($$SELECT tasks_done, tasks_overdue FROM okr.project_report WHERE project_id = 1$$,
    $$VALUES (1::bigint, 1::bigint)$$, 'as of Jan 7: t2 is overdue');

-- scores and ended cycles
SET okr.as_of = '2026-01-10 23:59:59';
SELECT results_eq($$SELECT cycle_ended, score, grade FROM okr.objective_report WHERE objective_id = 1$$,
    $$VALUES (false, NULL::float8, NULL::text)$$, 'in the cycle''s last second it has not ended: no score');
SELECT is((SELECT cycle_ended FROM okr.cycle_report WHERE cycle_id = 1), false, 'cycle_report agrees');
SET okr.as_of = '2026-01-11 00:00';
SELECT results_eq($$SELECT cycle_ended, score, grade FROM okr.objective_report WHERE objective_id = 1$$,
    $$VALUES (true, 0.8::float8, 'yellow'::text)$$,
    'once ended by the pinned moment: score 0.8 (the value 80 of Jan 8), committed: yellow');
SELECT results_eq($$SELECT cycle_ended, round(mean_score::numeric, 12), yellow, red FROM okr.team_report WHERE cycle_id = 1$$,
    $$VALUES (true, 0.525, 1::bigint, 1::bigint)$$,
    'team_report: the scores of the cycle ended by then, 0.8 (yellow) and 0.25 (t1 of 4 effort, red), mean 0.525');
SELECT results_eq($$SELECT cycle_ended, expected FROM okr.cycle_report WHERE cycle_id = 1$$,
    $$VALUES (true, 1::float8)$$, 'cycle_report at the pinned moment');
SET okr.as_of = '2026-01-03 00:00';
SELECT is((SELECT expected FROM okr.cycle_report WHERE cycle_id = 1), 0.2::float8,
    'cycle_report expected as of Jan 3: 2 of 10 days');

-- ---------------------------------------------------------------------------
-- Functions whose moment is left out use okr.as_of()
-- ---------------------------------------------------------------------------
SET okr.as_of = '2026-01-05 00:00';
SELECT results_eq($$SELECT * FROM okr.progress() ORDER BY item, id$$,
    $$SELECT * FROM okr.progress('2026-01-05 00:00') ORDER BY item, id$$, 'okr.progress() = okr.progress(okr.as_of())');
SELECT is(okr.objective_progress(1), 0.4::float8, 'okr.objective_progress(id) at the pinned moment: 0.4');
SELECT is(okr.expected_progress('2026-01-01', '2026-01-10'), 0.4::float8,
    'okr.expected_progress(starts_on, ends_on) at the pinned moment: 0.4');
SELECT is((SELECT pg_catalog.count(*)::int FROM pg_proc
            WHERE pronamespace = 'okr'::regnamespace AND pg_get_function_arguments(oid) ~ 'DEFAULT now\(\)'), 0,
    'no okr function defaults a moment to now()');

-- ---------------------------------------------------------------------------
-- Triggers and link rules ignore both settings
-- ---------------------------------------------------------------------------
SET okr.as_of = '2026-01-05 00:00';
SET okr.known_at = '2026-01-05 00:00';
SELECT lives_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (1, 90, '2026-01-09')$$,
    'a check-in dated after the pinned moment (but not after now) is accepted: rule 5 reads the clock');
SET CONSTRAINTS ALL IMMEDIATE;   -- okr applies current_value at commit: now
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT current_value FROM okr.key_result WHERE id = 1), 90::numeric,
    'current_value follows the latest check-in, whatever the setting');
SELECT lives_ok($$INSERT INTO okr.checkin (id, key_result_id, value) OVERRIDING SYSTEM VALUE VALUES (100, 3, 5)$$,
    'a check-in with the default time goes to this year''s key result');
SELECT is((SELECT checked_at FROM okr.checkin WHERE id = 100), now(), 'its checked_at is now(), not the pinned moment');
SET okr.as_of = '2099-01-01 00:00';
SELECT throws_ok($$INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES (3, 6, now() + interval '1 hour')$$,
    '23O05', NULL, 'pinned to 2099, a check-in an hour ahead of the clock is still in the future (23O05)');
UPDATE okr.task SET status = 'done' WHERE id = 2;
SELECT is((SELECT done_at FROM okr.task WHERE id = 2), now(), 'a task becoming done gets done_at = now(), not the pinned moment (rule 7)');

SELECT * FROM finish();
ROLLBACK;
