#!/bin/bash
# The long run of okr's stateful fuzz test (doc/fuzzing.md): the
# generator for a while, then sqlsmith (Debian's sqlsmith package) over
# the database it leaves, okr's schema included, with the server log
# checked for crashes afterwards.  Runs inside pg_virtualenv:
#   pg_virtualenv -v 15 bash test/fuzz_long.sh [SEED] [SECONDS] [SQLSMITH_QUERIES] [generator options...]
# Prints TAP; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seed=${1:-$(date +%s)}; secs=${2:-600}; queries=${3:-20000}
shift $(( $# < 3 ? $# : 3 ))
work="$(mktemp -d -t okr_fuzz_long.XXXXXX)"; chmod 755 "$work"

perl test/fuzz/okr_fuzz.pl --seed "$seed" --duration "$secs" --statements 1000 --sessions 3 \
    --timeout 300 --keep --workdir "$work/gen" --no-stop-on-failure "$@"
rc=$?

command -v sqlsmith >/dev/null || { echo "not ok - sqlsmith: not installed (apt-get install sqlsmith)"; exit 1; }
log="${OKR_FUZZ_LOG:-$(pg_lsclusters -h | awk -v p="${PGPORT:-5432}" '$3 == p {print $7}')}"
off=$( [ -r "$log" ] && stat -c %s "$log" || echo 0)
# SQLSTATEs in the server log, to find XX000 and class 58
psql -X -q -d postgres -c "ALTER SYSTEM SET log_error_verbosity = verbose" -c "SELECT pg_reload_conf()" >/dev/null
cp_before=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
# sqlsmith connects with a libpq URI; it builds its grammar from the
# catalog, okr's functions, views and tables included.  --seed makes
# its queries reproducible; failing queries are logged in the server log.
sqlsmith --target="host=$PGHOST port=$PGPORT dbname=okr_fuzz user=$PGUSER password=$PGPASSWORD" \
    --seed="$seed" --max-queries="$queries" --verbose >"$work/sqlsmith.out" 2>"$work/sqlsmith.err"
src=$?
tail -c +$((off + 1)) "$log" >"$work/sqlsmith.log" 2>/dev/null
cp_after=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
n=$(grep -c 'terminated by signal' "$work/sqlsmith.log")
if [ "$n" -eq 0 ] && [ "$cp_before" = "$cp_after" ]; then
    echo "ok - sqlsmith: $queries queries (seed $seed), no server crash (exit status $src)"
else
    echo "not ok - sqlsmith: $queries queries (seed $seed): the server crashed $n times"
    grep -A1 'terminated by signal' "$work/sqlsmith.log" | sed 's/^/# /' | head -20
    rc=1
fi
xx=$(grep -cE 'ERROR:  XX000|ERROR:  58' "$work/sqlsmith.log")
if [ "$xx" -eq 0 ]; then echo "ok - sqlsmith: no XX000 or class 58 error"
else echo "not ok - sqlsmith: $xx XX000 or class 58 errors"; grep -A1 -E 'ERROR:  XX000|ERROR:  58' "$work/sqlsmith.log" | sed 's/^/# /' | head -20; rc=1; fi
tail -5 "$work/sqlsmith.err" | sed 's/^/# sqlsmith: /'
echo "# everything is in $work"
exit $rc
