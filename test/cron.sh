#!/bin/bash
# Scheduling with pg_cron (SPEC 6; doc/feeds.md): okr.schedule() in the
# database pg_cron runs in creates a job that samples a source and syncs a
# feed on its own (waited for, at most 150 s: pg_cron 1.4 counts minutes);
# elsewhere okr.schedule() fails with 55000 and a hint that is the call to
# run in pg_cron's database.
#
# Needs a cluster started with shared_preload_libraries = pg_cron,
# cron.database_name = okr_cron and cron.use_background_workers = on, as
# test/run.sh starts it:
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 -o shared_preload_libraries=pg_cron -o cron.database_name=okr_cron -o cron.use_background_workers=on -o max_worker_processes=16 bash test/cron.sh'
# Prints TAP; exits non-zero when a test fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/safety_lib.sh
export PAGER=cat
sql() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
val() { local db=$1; shift; psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
cleanup() {
    val okr_cron -c "SELECT okr.unschedule()" >/dev/null 2>&1
    dropdb --if-exists okr_cron_other 2>/dev/null
}
trap cleanup EXIT

if [ "$(val postgres -c "SHOW cron.database_name" 2>/dev/null)" != okr_cron ]; then
    not_ok "the cluster preloads pg_cron with cron.database_name = okr_cron (see test/run.sh)"
    tap_done; exit 1
fi
dropdb --if-exists okr_cron_other 2>/dev/null
createdb okr_cron 2>/dev/null
createdb okr_cron_other
check "okr and pg_cron in pg_cron's database; a source and a feed due" sql okr_cron <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_cron;
DROP EXTENSION IF EXISTS okr CASCADE;
DROP SCHEMA IF EXISTS app CASCADE;
CREATE EXTENSION okr;
CREATE SCHEMA app;
CREATE TABLE app.orders (amount numeric);
INSERT INTO app.orders VALUES (40), (2);
CREATE TABLE app.tasks (external_key text, project_external_key text, title text, status text);
INSERT INTO app.tasks VALUES ('T-1', 'P', 'from the app', 'doing');
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('now', current_date - 10, current_date + 10);
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) VALUES (1, 'sales', 0, 100);
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'work', 'projects');
INSERT INTO okr.project (key_result_id, name, external_key) VALUES (2, 'P', 'P');
INSERT INTO okr.key_result_source (key_result_id, query) VALUES (1, 'SELECT sum(amount) FROM app.orders');
INSERT INTO okr.task_feed (source) VALUES ('app.tasks');
SQL

# Without pg_cron in this database: 55000, the hint is the call to run there.
out="$(psql -X -d okr_cron_other -v VERBOSITY=verbose -c "CREATE EXTENSION okr" -c "SELECT okr.schedule('*/5 * * * *')" 2>&1)"
case "$out" in *"ERROR:  55000: okr.schedule: pg_cron is not installed in database okr_cron_other"*) ok "without pg_cron here: 55000";;
    *) not_ok "without pg_cron here: 55000"; diag <<<"$out";; esac
want="HINT:  pg_cron runs jobs from database okr_cron: connect to it and run SELECT cron.schedule_in_database('okr okr_cron_other', '*/5 * * * *', 'SELECT count(*) FROM okr.sample(); SELECT count(*) FROM okr.sync_tasks();', 'okr_cron_other');"
case "$out" in *"$want"*) ok "... and its hint is the exact cron.schedule_in_database call";;
    *) not_ok "... and its hint is the exact cron.schedule_in_database call"; diag <<<"$out";; esac
# ... and the call works as given, from pg_cron's database
call="$(sed -n 's/.*connect to it and run \(SELECT cron.schedule_in_database(.*);\)$/\1/p' <<<"$out")"
check "the hint's call runs in pg_cron's database" sql okr_cron -c "$call"
check "... and makes the job" test "$(val okr_cron -c "SELECT database FROM cron.job WHERE jobname = 'okr okr_cron_other'")" = okr_cron_other
sql okr_cron -c "SELECT cron.unschedule('okr okr_cron_other')" >/dev/null

job="$(val okr_cron -c "SELECT okr.schedule('* * * * *')")"
check "okr.schedule() returns the job's id" test -n "$job" -a "$job" -gt 0
is "okr.schedule() again replaces the job (same id)" "$(val okr_cron -c "SELECT okr.schedule('* * * * *')")" "$job"
is "the job runs okr.sample() and okr.sync_tasks() in this database" \
    "$(val okr_cron -c "SELECT command, database FROM cron.job WHERE jobid = $job")" \
    "SELECT count(*) FROM okr.sample(); SELECT count(*) FROM okr.sync_tasks();|okr_cron"

# pg_cron runs it on its own, at the next minute
for _ in $(seq 1 150); do
    [ -n "$job" ] || break
    got="$(val okr_cron -c "SELECT (SELECT count(*) FROM okr.checkin) || ' ' || (SELECT count(*) FROM okr.task WHERE feed_id IS NOT NULL)")"
    [ "$got" = "1 1" ] && break
    sleep 1
done
is "pg_cron sampled the source and synced the feed on its own (check-ins, feed tasks)" "$got" "1 1"
is "the check-in is the source's value, written by okr.sample" \
    "$(val okr_cron -c "SELECT value || ' ' || author FROM okr.checkin")" "42 okr.sample"
is "okr.unschedule() removes the job" "$(val okr_cron -c "SELECT okr.unschedule()")" "t"
is "okr.unschedule() with no job: false" "$(val okr_cron -c "SELECT okr.unschedule()")" "f"
tap_done
