#!/bin/bash
# okr.changes over the week of history_bench.sh's churn against
# okr.progress() now, alternated (bench.alternate: A B C A B C ...), several
# rounds, so that a loaded machine slows every side alike: the figure of
# run_bench.sh's line "(g) okr.changes(the churn's week ...) vs now" without
# the rest of the benchmark (doc/performance.md, "What changed").  Runs
# inside a cluster, as run_bench.sh does (see bench.sh), e.g.
#   flock /tmp/okr-install.lock bash -c 'make -s install PG_CONFIG=... >/dev/null' &&
#   pg_virtualenv -v 15 -o shared_buffers=2GB -o max_wal_size=8GB -o work_mem=64MB \
#       bash test/bench/changes_bench.sh
# OKR_BENCH_SCALES (default "M L"), OKR_BENCH_RUNS (runs of each statement
# per round, default 7), OKR_BENCH_ROUNDS (default 5).  Prints per round the
# medians (ms) of okr.progress() now, okr.changes(from before the churn) and
# okr.progress(from before the churn), and the ratios to the first; then the
# median, least and greatest ratio of okr.changes over the rounds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
SCALES="${OKR_BENCH_SCALES:-M L}"
RUNS="${OKR_BENCH_RUNS:-7}"
ROUNDS="${OKR_BENCH_ROUNDS:-5}"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d okr_bench "$@"; }
declare -A LEVELS=([S]=3 [M]=4 [L]=5)
for scale in $SCALES; do
    dropdb --if-exists okr_bench >/dev/null 2>&1 || true
    createdb okr_bench
    q -c "CREATE EXTENSION okr"
    q -v levels="${LEVELS[$scale]}" -f generate.sql >/dev/null
    q -f reference.sql >/dev/null
    known=$(q -c "SELECT clock_timestamp()")
    # the churn of history_bench.sh (churn.sql), recorded now
    q -f churn.sql
    rows=$(q -c "SELECT count(*) FROM okr.changes('$known')")
    echo "== scale $scale: okr.changes('$known') returns $rows rows; ms of progress() now, changes, progress(from_ts)"
    for r in $(seq 1 "$ROUNDS"); do
        q -c "SELECT string_agg(round(median_ms::numeric, 1)::text, ' ' ORDER BY i)
                FROM bench.alternate(ARRAY[\$q\$SELECT count(*) FROM okr.progress()\$q\$,
                                           \$q\$SELECT count(*) FROM okr.changes('$known')\$q\$,
                                           \$q\$SELECT count(*) FROM okr.progress('$known')\$q\$], $RUNS)"
    done | python3 -c '
import sys, statistics
ratios = []
for line in sys.stdin:
    now, changes, past = map(float, line.split())
    ratios.append(changes / now)
    print(f"   {now:8.1f} {changes:8.1f} {past:8.1f}   changes/now {changes / now:.2f}   past/now {past / now:.2f}")
print(f"   okr.changes / okr.progress(): median {statistics.median(ratios):.2f}x, {min(ratios):.2f} to {max(ratios):.2f} over {len(ratios)} rounds (target at L: <= 2.5x)")
'
done
dropdb --if-exists okr_bench >/dev/null 2>&1 || true
