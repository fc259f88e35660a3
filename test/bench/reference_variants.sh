#!/bin/bash
# Times the formulations of the plain-SQL reference (reference_variants.sql)
# against the one the benchmark keeps (bench.ref_progress, reference.sql),
# each with JIT on and off, in turn, medians of OKR_BENCH_RUNS (5); checks
# each agrees with okr.progress() now and at a past moment.  Needs a database
# okr_bench generated as run_bench.sh does, e.g. at L:
#   createdb okr_bench; psql -d okr_bench -c 'create extension okr'
#   psql -d okr_bench -v levels=5 -f test/bench/generate.sql; psql -d okr_bench -f test/bench/reference.sql
#   bash test/bench/reference_variants.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
RUNS="${OKR_BENCH_RUNS:-5}"
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d okr_bench "$@"; }
q -f reference.sql >/dev/null
q -f reference_variants.sql >/dev/null
past="2026-06-15 12:00+00"
names=(ref_v_closure ref_v_lateral ref_v_carried ref_v_window ref_v_levels)
for f in "${names[@]}"; do
    d=$(q -c "SELECT max(greatest(
             CASE WHEN (e.progress IS NULL) <> (r.progress IS NULL) THEN 1 ELSE coalesce(abs(e.progress - r.progress), 0) END,
             CASE WHEN (e.activity IS NULL) <> (r.activity IS NULL) THEN 1 ELSE coalesce(abs(e.activity - r.activity), 0) END,
             CASE WHEN r.id IS NULL OR e.id IS NULL THEN 1 ELSE 0 END))
      FROM (SELECT 'now' AS m, * FROM okr.progress() UNION ALL SELECT 'past', * FROM okr.progress('$past')) e
      FULL JOIN (SELECT 'now' AS m, * FROM bench.$f(now()) UNION ALL SELECT 'past', * FROM bench.$f('$past')) r
     USING (m, item, id)")
    echo "bench.$f agrees with okr.progress() now and at $past to: $d"
done
echo "bench.ref_progress agrees to: now $(q -c 'SELECT bench.max_diff(now())'), at $past $(q -c "SELECT bench.max_diff('$past')")"
qs="'SELECT count(*) FROM bench.ref_progress(now())', 'SELECT count(*) FROM okr.progress()'"
jits="false, true"
for f in "${names[@]}"; do
    qs="$qs, 'SELECT count(*) FROM bench.$f(now())', 'SELECT count(*) FROM bench.$f(now())'"
    jits="$jits, true, false"
done
q -c "SELECT i, round(median_ms::numeric, 1) FROM bench.alternate(ARRAY[$qs], $RUNS, ARRAY[$jits])" | python3 -c '
import sys
names = ["bench.ref_progress (kept; JIT off by its SET)", "okr.progress()"]
for f in sys.argv[1:]:
    names += [f"bench.{f}, JIT on", f"bench.{f}, JIT off"]
rows = [l.split("|") for l in sys.stdin.read().split()]
base = float(rows[0][1])
print("{:<50} {:>10} {:>8}".format("formulation", "median ms", "vs kept"))
for (i, ms), n in zip(rows, names):
    print(f"{n:<50} {float(ms):>10.1f} {float(ms) / base:>7.2f}x")
' "${names[@]}"
