#!/bin/bash
# Runs the whole pg_regress and pgTAP suites against a PostgreSQL 15 server
# running under valgrind memcheck, then reports every invalid read or write,
# use of uninitialised memory and definite leak whose stack runs through
# okr's code.  Not part of CI: it takes about 11 minutes (README,
# "Security").
#
# Usage (Debian 12, as root; the system PostgreSQL install is shared, so hold
# the install lock for the whole run):
#     flock /tmp/okr-install.lock bash test/valgrind.sh
#
# The postmaster runs as
#     valgrind --tool=memcheck --trace-children=yes --track-origins=no
#              --leak-check=full --show-leak-kinds=definite
#              --suppressions=test/valgrind.supp ...
# with one log per process.  Every backend and parallel worker is a fork of
# the postmaster and so runs under memcheck too.  Debian's server has no
# Valgrind client requests (USE_VALGRIND), so memcheck sees memory contexts
# only as the malloc'ed blocks behind them: reads past a deleted context,
# reads of uninitialised bytes and writes past a malloc'ed block are found;
# an overrun inside a block is not.  It also reports false positives inside
# PostgreSQL itself; those whose stack does not include okr are counted but
# not judged.
#
# Exit status 0 when no error has an okr frame and both suites pass.
# Set OKR_VALGRIND_KEEP=1 to keep the logs (otherwise kept only on failure),
# VALGRIND_PG_SUPP to add PostgreSQL's src/tools/valgrind.supp,
# OKR_VALGRIND_PGTAP to run only some pgTAP files (e.g. test/pgtap/fuzz.sql)
# and OKR_VALGRIND_REGRESS=0 to skip pg_regress, for a quicker look.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"    # packages, build, install
cd "$OKR_ROOT"
started=$(date +%s)

if ! command -v valgrind >/dev/null 2>&1; then
    echo "okr: installing valgrind" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

BIN=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/okr-valgrind.XXXXXX)"
chmod 755 "$work"
mkdir "$work/vg"
chown postgres: "$work" "$work/vg"

as_postgres() { runuser -u postgres -- "$@"; }

as_postgres "$BIN/initdb" -D "$work/data" -U postgres -A trust --no-sync >"$work/initdb.log"
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
port = 5432
fsync = off
autovacuum = off
shared_buffers = 32MB
max_connections = 20
max_worker_processes = 8
max_parallel_workers = 4
log_min_messages = warning
# JIT would compile expressions with LLVM under memcheck: slow, noisy, and
# not okr's code.
jit = off
EOF

supp=(--suppressions="$OKR_ROOT/test/valgrind.supp")
[ -n "${VALGRIND_PG_SUPP:-}" ] && supp+=(--suppressions="$VALGRIND_PG_SUPP")

as_postgres valgrind --tool=memcheck --trace-children=yes --track-origins=no \
    --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --error-limit=no --num-callers=40 --read-inline-info=yes --fullpath-after= \
    --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
    "${supp[@]}" --log-file="$work/vg/%p.log" \
    "$BIN/postgres" -D "$work/data" >"$work/postmaster.log" 2>&1 &
vg_pid=$!

stop_server() {
    as_postgres "$BIN/pg_ctl" -D "$work/data" -m fast -w -t 600 stop >/dev/null 2>&1 || kill "$vg_pid" 2>/dev/null || true
    wait "$vg_pid" 2>/dev/null || true
}
trap stop_server EXIT

export PGHOST="$work" PGPORT=5432 PGUSER=postgres
for _ in $(seq 1 300); do
    pg_isready -q && break
    sleep 1
done
pg_isready -q || { echo "valgrind: the server did not start"; cat "$work/postmaster.log"; exit 1; }
echo "valgrind: server up under memcheck after $(( $(date +%s) - started )) s; logs in $work"

suite_failed=0

# 1. pg_regress
if [ "${OKR_VALGRIND_REGRESS:-1}" = 0 ]; then
    echo "valgrind: pg_regress skipped (OKR_VALGRIND_REGRESS=0)"
elif make -s PG_CONFIG=$BIN/pg_config installcheck >"$work/regress.out" 2>&1; then
    echo "valgrind: pg_regress passed"
else
    echo "valgrind: pg_regress FAILED"; cat "$work/regress.out"
    [ -f regression.diffs ] && cat regression.diffs
    suite_failed=1
fi

# 2. pgTAP
createdb okr_tap
psql -q -d okr_tap -c 'CREATE EXTENSION pgtap' >/dev/null
# shellcheck disable=SC2086 # a list of files
if pg_prove -d okr_tap --ext .sql -r ${OKR_VALGRIND_PGTAP:-test/pgtap} >"$work/pgtap.out" 2>&1; then
    echo "valgrind: pgTAP passed ($(sed -n 's/^Files=\([0-9]*\), Tests=\([0-9]*\),.*/\1 files, \2 tests/p' "$work/pgtap.out"))"
else
    echo "valgrind: pgTAP FAILED"; cat "$work/pgtap.out"
    suite_failed=1
fi

# Stop the server so every process writes its leak summary.
trap - EXIT
stop_server

# 3. The verdict: error blocks (between the markers) whose stack runs through
#    okr -- a frame in okr.so or in one of okr's source files.
okr_frames="okr\.so|$OKR_ROOT/src/[a-z_]+\.[ch]:"
awk -v okr="$okr_frames" -v out="$work/okr-errors.txt" '
    /VALGRINDERROR-BEGIN/ { inblk = 1; blk = ""; next }
    /VALGRINDERROR-END/   {
        inblk = 0; total++
        if (blk ~ okr) { mine++; print "== " FILENAME "\n" blk > out }
        next
    }
    inblk { sub(/^==[0-9]+== /, ""); blk = blk $0 "\n" }
    END { printf "%d %d\n", total + 0, mine + 0 > "/dev/stderr" }
' "$work"/vg/*.log 2>"$work/counts" || true
read -r total mine <"$work/counts"
procs=$(ls "$work"/vg/*.log | wc -l)
crashed=$(grep -l "Process terminating with default action" "$work"/vg/*.log 2>/dev/null | wc -l || true)

elapsed=$(( $(date +%s) - started ))
echo "valgrind: $procs processes ran under memcheck; $total error(s) reported in all, $mine with an okr frame; $crashed process(es) killed by a signal"
if [ "$mine" -gt 0 ]; then
    echo "valgrind: errors in okr's code:"
    cat "$work/okr-errors.txt"
fi
echo "valgrind: took $((elapsed / 60)) min $((elapsed % 60)) s"

if [ "$mine" -eq 0 ] && [ "$suite_failed" -eq 0 ] && [ "$crashed" -eq 0 ]; then
    echo "valgrind: CLEAN - no invalid read or write, no use of uninitialised memory and no definite leak in okr's code"
    [ "${OKR_VALGRIND_KEEP:-0}" = 1 ] || rm -rf "$work"
    exit 0
fi
echo "valgrind: NOT CLEAN - logs kept in $work"
exit 1
