#!/bin/bash
# Read replicas (README "Data safety"): dashboards scale beyond one server
# with PostgreSQL's own streaming replication, so everything that reads must
# work on a hot standby and give the primary's results there.
#
# Starts a primary and a hot standby made with pg_basebackup, on 127.0.0.1
# and unused ports, both run by the postgres user from the Debian binaries
# in a temporary directory.  Writes on the primary (CREATE EXTENSION and an
# organisation, then more check-ins and task changes), waits until the
# standby has replayed them, and compares every row, okr.progress and
# okr.objective_progress at fixed moments, okr.objective_score and every
# view in schema okr (whichever exist) between the two: they must be
# identical, and the reads run in read-only transactions on both, so
# nothing that reads writes.  A write on the standby fails cleanly.
#
# Usage (as root, okr installed): bash test/replica.sh
# test/in_cluster.sh runs it too (it takes a few seconds).  Prints TAP;
# exits non-zero when a test fails.  Every wait is bounded.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/safety_lib.sh
export PAGER=cat

BIN=/usr/lib/postgresql/15/bin
TIMEOUT=60                        # seconds, for any single command
# Connect only where told to, whatever the caller's environment says.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGSERVICE PGPASSWORD PGSSLMODE
export PGUSER=postgres PGCONNECT_TIMEOUT=10 PGOPTIONS="-c statement_timeout=${TIMEOUT}s"

if [ "$(id -u)" -ne 0 ]; then
    echo "test/replica.sh: run as root (it starts servers as the postgres user)" >&2
    exit 2
fi

dir="$(mktemp -d /tmp/okr-replica.XXXXXX)"
chown postgres: "$dir"
chmod 700 "$dir"
as_postgres() { runuser -u postgres -- timeout "$TIMEOUT" "$@"; }
cleanup() {
    local d
    for d in standby primary; do
        [ -f "$dir/$d/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$dir/$d" -m immediate -w -t 20 stop >/dev/null 2>&1
    done
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# An unused TCP port on 127.0.0.1: nothing listens there, and it lies below
# the kernel's ephemeral range, so no outgoing connection (such as the
# standby's own replication connection) can be using it as its local port.
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
free_port() {           # free_port [PORT-TO-AVOID...]
    local p
    for p in $(shuf -i 15000-$((ephemeral_low - 1)) -n 50); do
        case " $* " in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    return 1
}
p1="$(free_port)" && p2="$(free_port "$p1")" || { not_ok "find two free ports"; tap_done; exit 1; }

q() { timeout "$TIMEOUT" psql -X -At -q -v ON_ERROR_STOP=1 "$@"; }

show_log() { [ -f "$dir/$1.log" ] && tail -20 "$dir/$1.log"; }

# ---------------------------------------------------------------------------
# Primary, then a hot standby cloned from it
# ---------------------------------------------------------------------------
start_primary() {
    as_postgres "$BIN/initdb" -D "$dir/primary" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 &&
    cat >>"$dir/primary/postgresql.conf" <<EOF &&
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
EOF
    start_server primary p1 || { show_log initdb; show_log primary; return 1; }
}

# start_server primary|standby p1|p2: pg_ctl start on the port in the named
# variable; if another process took that port meanwhile, move to another.
start_server() {
    local name=$1 var=$2 try new
    for try in 1 2 3; do
        echo "port = ${!var}" >>"$dir/$name/postgresql.conf"
        as_postgres "$BIN/pg_ctl" -D "$dir/$name" -l "$dir/$name.log" -w -t 30 start >/dev/null && return 0
        grep -q 'Address already in use' "$dir/$name.log" || return 1
        new="$(free_port "$p1" "$p2")" || return 1
        printf -v "$var" '%s' "$new"
    done
    return 1
}
# (not through check: start_server may change p1 or p2 in this shell)
started() {             # started DESCRIPTION FUNCTION
    if "$2" >"$dir/start.out" 2>&1; then ok "$1"
    else not_ok "$1"; diag <"$dir/start.out"; tap_done; exit 1; fi
}
started "start a primary on 127.0.0.1" start_primary

start_standby() {
    as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$dir/standby" \
        -R -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1 &&
    start_server standby p2 || { show_log basebackup; show_log standby; return 1; }
}
started "clone it with pg_basebackup and start a hot standby on 127.0.0.1" start_standby
echo "# primary on port $p1, standby on port $p2"
primary=(-h 127.0.0.1 -p "$p1" -d okr_replica)
standby=(-h 127.0.0.1 -p "$p2" -d okr_replica)
is "the standby is in recovery" "$(q -h 127.0.0.1 -p "$p2" -d postgres -c 'SELECT pg_is_in_recovery()')" "t"

# Wait until the standby has replayed everything the primary has written.
caught_up() {
    local target i
    target="$(q -h 127.0.0.1 -p "$p1" -d postgres -c 'SELECT pg_current_wal_insert_lsn()')" || return 1
    for i in $(seq 1 300); do
        if [ "$(q -h 127.0.0.1 -p "$p2" -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "standby did not replay up to $target within 30 s"
    return 1
}

# ---------------------------------------------------------------------------
# Writes on the primary, reads on both
# ---------------------------------------------------------------------------
fill() {
    q -h 127.0.0.1 -p "$p1" -d postgres -c 'CREATE DATABASE okr_replica' &&
    q "${primary[@]}" -c 'CREATE EXTENSION okr' -f test/safety_org.sql &&
    # A view of our own next to the extension's (if any yet), so that the
    # comparison of every view in schema okr is exercised either way.
    q "${primary[@]}" -c "CREATE VIEW okr.replica_test_view WITH (security_invoker = true) AS
        SELECT o.id, o.title, okr.objective_progress(o.id, '2025-08-15 12:00+00') AS progress,
               okr.status(okr.objective_progress(o.id, '2025-08-15 12:00+00'), 0.5) AS status
        FROM okr.objective o"
}
check "on the primary: CREATE EXTENSION okr and fill an organisation" fill
check "the standby catches up" caught_up

# Sequences are left out: PostgreSQL WAL-logs them 32 values ahead, so a
# standby (and a promoted one) shows a higher last_value; ids stay unique.
compare() {             # compare LABEL
    okr_snapshot "${primary[@]}" 2>&1 | grep -v '^sequence ' >"$dir/primary.$1"
    okr_snapshot "${standby[@]}" 2>&1 | grep -v '^sequence ' >"$dir/standby.$1"
    check "$1: the snapshot (read-only transactions) runs to the end on both" \
        test "$(grep -c '^invariant' "$dir/primary.$1")" = 4 -a "$(grep -c '^invariant' "$dir/standby.$1")" = 4
    same "$1: every row, okr.progress, objective_progress, score and view is the same on the standby" \
        "$dir/primary.$1" "$dir/standby.$1"
}
compare "after the fill"
views="$(q "${standby[@]}" -c "SELECT string_agg(relname, ', ' ORDER BY relname) FROM pg_class WHERE relnamespace = 'okr'::regnamespace AND relkind IN ('v', 'm')")"
is "every view in schema okr was read on the standby ($views)" \
    "$(grep '^view ' "$dir/standby.after the fill" | cut -d: -f1 | LC_ALL=C sort -u | sed 's/^view //' | paste -sd, | sed 's/,/, /g')" "$views"

# History (SPEC 7) is part of the snapshot: its tables and okr.audit.
is "the history tables and okr.audit were compared on the standby" \
    "$(grep -cE '^table (checkin|task|objective)_history ' "$dir/standby.after the fill" | awk '{print ($1 > 0)}') $(grep -c '^view audit: ' "$dir/standby.after the fill" | awk '{print ($1 > 0)}')" "1 1"
# The moment the fill was known at, for the figures as known then below
known="$(q "${primary[@]}" -c 'SELECT clock_timestamp()')"
# okr.progress at the fixed moments, as known at $known (SPEC 7)
known_figures() {       # known_figures psql-options...
    PGTZ=Europe/Paris PGDATESTYLE=ISO PGOPTIONS="${PGOPTIONS:-} -c default_transaction_read_only=on -c extra_float_digits=1" q "$@" -c "
        SELECT 'progress ' || a || ' ' || p::text
          FROM unnest(ARRAY[$OKR_MOMENTS]::timestamptz[]) AS a, okr.progress(a, known_at => '$known') AS p
         ORDER BY a, p.item, p.id"
}

# More writes: a check-in that becomes the latest, a back-dated one, a
# deleted one, a task finished and one moved, an objective closed.
check "on the primary: more check-ins and task changes" q "${primary[@]}" <<'SQL'
SET TimeZone = 'Europe/Paris';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT id, 90, '2025-10-15 12:00' FROM okr.key_result WHERE title = 'Increase sales to $120 million';
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT id, 5, '2025-03-15 12:00' FROM okr.key_result WHERE title = 'Close 10 enterprise deals';
DELETE FROM okr.checkin WHERE id = (SELECT max(id) FROM okr.checkin WHERE author = 'bot');
UPDATE okr.task SET status = 'done', done_at = '2025-07-01 12:00' WHERE title = 'Accuracy report';
UPDATE okr.task SET project_id = (SELECT id FROM okr.project WHERE name = 'Mobile app') WHERE title = 'Bulk task 7';
UPDATE okr.objective SET state = 'closed' WHERE title = 'Level 10: deeper goal';
SQL
check "the standby catches up again" caught_up
compare "after more writes"
# The past as it was known: after those writes, okr.progress(T, known_at)
# at the moment of the fill gives, on both, the figures of the fill.
known_figures "${primary[@]}" >"$dir/primary.known" 2>&1
known_figures "${standby[@]}" >"$dir/standby.known" 2>&1
same "okr.progress(T, known_at => the fill) on the standby is the primary's" "$dir/primary.known" "$dir/standby.known"
same "okr.progress(T, known_at => the fill) after more writes shows the figures of the fill" \
    <(grep '^progress ' "$dir/primary.after the fill") "$dir/standby.known"
check "the writes changed figures as known now (so the comparison above is not vacuous)" \
    bash -c '! diff -q <(grep "^progress " "$1") <(grep "^progress " "$2")' _ "$dir/standby.after the fill" "$dir/standby.after more writes"

# The same reads with today's date (as_of defaults to now()) work there too.
check "okr.progress() and okr.objective_progress(id) with the default as_of run on the standby" \
    q "${standby[@]}" -c 'SELECT count(*) FROM okr.progress()' \
      -c 'SELECT count(okr.objective_progress(id)) FROM okr.objective'

# Writing on the standby fails cleanly, with PostgreSQL's read-only error.
err="$(q "${standby[@]}" -c "INSERT INTO okr.team (name) VALUES ('on the standby')" 2>&1)"
is "a write on the standby is refused (read-only transaction)" \
    "$(grep -c 'cannot execute INSERT in a read-only transaction' <<<"$err")" "1"

tap_done
