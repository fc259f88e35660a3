#!/bin/bash
# The write figures (e) and (f) of run_bench.sh alone, alternated: per round,
# task updates on the trigger-less copy, then by a writer scoped to the top
# team and by the owner, then the same for check-ins, so that the load of a
# shared machine falls on every side alike.  Prints one line per pgbench run
# ("round label tps") and, at the end, the median ratio to the trigger-less
# copy of each label with its range over the rounds.
#
# Run it as a superuser against a database that generate.sql filled
# (psql -v levels=5 -f generate.sql: scale L); it adds what run_bench.sh
# adds for (e) and (f) if missing (the copies, the private team, the
# scoped role okr_bench_writer).  Settings from the environment:
#   OKR_BENCH_DB (okr_bench), OKR_BENCH_ROUNDS (6), OKR_BENCH_PGBENCH_SECONDS
#   (5), OKR_BENCH_CLIENTS (4), OKR_BENCH_PGOPTIONS (extra server options
#   of the pgbench sessions, e.g. "-c synchronous_commit=off" to take the
#   WAL flush, which other sessions' I/O makes erratic, out of both sides);
#   OKR_BENCH_LIBS: paths of okr.so builds to compare in the same rounds
#   (each run points that database's okr functions at one build through
#   pg_proc.probin: for a throwaway benchmark database only; the builds must
#   have the same SQL surface).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DB="${OKR_BENCH_DB:-okr_bench}"
ROUNDS="${OKR_BENCH_ROUNDS:-6}"
T="${OKR_BENCH_PGBENCH_SECONDS:-5}"
CLIENTS="${OKR_BENCH_CLIENTS:-4}"
read -r -a LIBS <<< "${OKR_BENCH_LIBS:-}"
[ "${#LIBS[@]}" -gt 0 ] || LIBS=("")
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

if [ "$(q -c "SELECT to_regclass('bench.task_plain') IS NULL")" = t ]; then
    q <<'SQL'
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE bench.task_plain (LIKE okr.task INCLUDING ALL);
ALTER TABLE bench.task_plain ADD FOREIGN KEY (project_id) REFERENCES okr.project (id);
INSERT INTO bench.task_plain OVERRIDING SYSTEM VALUE SELECT * FROM okr.task;
CREATE TABLE bench.checkin_plain (LIKE okr.checkin INCLUDING ALL);
ALTER TABLE bench.checkin_plain ADD FOREIGN KEY (key_result_id) REFERENCES okr.key_result (id);
INSERT INTO okr.team (name, parent_id) VALUES ('Private team', 1);
UPDATE okr.objective SET team_id = (SELECT id FROM okr.team WHERE name = 'Private team'), private = true
 WHERE id % 10 = 0;
VACUUM ANALYZE bench.task_plain, bench.checkin_plain, okr.objective;
SQL
fi
q -c "DO \$\$ BEGIN CREATE ROLE okr_bench_writer; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" \
  -c "SELECT FROM okr.grant_write('okr_bench_writer', 1)" >/dev/null
ntasks=$(q -c "SELECT count(*) FROM okr.task")
nkrs=$(q -c "SELECT count(*) FROM okr.key_result")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in okr.task bench.task_plain; do sed "s/:table/$t/" task_update.pgbench > "$tmp/t_$t"; done
for t in okr.checkin bench.checkin_plain; do sed "s/:table/$t/" checkin_insert.pgbench > "$tmp/c_$t"; done
[ -z "${LIBS[0]}" ] || orig=$(q -c "SELECT probin FROM pg_proc WHERE proname = 'access_check' AND pronamespace = 'okr'::regnamespace")
restore() { [ -z "${LIBS[0]}" ] || q -c "UPDATE pg_proc SET probin = '$orig' WHERE probin = '$cur'" >/dev/null; }
cur="${orig:-}"
use() {  # the build the next runs load
    [ -z "$1" ] && return
    q -c "UPDATE pg_proc SET probin = '$1' WHERE probin = '$cur'" >/dev/null
    cur="$1"
}
trap 'restore; rm -rf "$tmp"' EXIT
run() {  # round label file -D option, with role options
    local tps
    tps=$(PGOPTIONS="$5 ${OKR_BENCH_PGOPTIONS:-}" pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$T" -f "$3" -D "$4" "$DB" 2>&1 |
          sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "$1 $2 $tps" | tee -a "$tmp/out"
}
for r in $(seq 1 "$ROUNDS"); do
    # every other round runs the builds in the opposite order: each run
    # leaves versions and dead rows behind, which the next one pays for
    order=("${LIBS[@]}")
    if [ $((r % 2)) -eq 0 ]; then
        order=(); for l in "${LIBS[@]}"; do order=("$l" "${order[@]}"); done
    fi
    run "$r" task_plain "$tmp/t_bench.task_plain" ntasks="$ntasks" ""
    for l in "${order[@]}"; do
        use "$l"; tag=${l:+@$(basename "$l" .so)}
        run "$r" "task_scoped$tag" "$tmp/t_okr.task" ntasks="$ntasks" "-c role=okr_bench_writer"
        run "$r" "task_owner$tag" "$tmp/t_okr.task" ntasks="$ntasks" ""
    done
    run "$r" checkin_plain "$tmp/c_bench.checkin_plain" nkrs="$nkrs" ""
    for l in "${order[@]}"; do
        use "$l"; tag=${l:+@$(basename "$l" .so)}
        run "$r" "checkin_scoped$tag" "$tmp/c_okr.checkin" nkrs="$nkrs" "-c role=okr_bench_writer"
        run "$r" "checkin_owner$tag" "$tmp/c_okr.checkin" nkrs="$nkrs" ""
    done
done
python3 - "$tmp/out" <<'PY'
import collections, statistics, sys
by = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, label, tps = line.split()
    by[r][label] = float(tps)
labels = sorted({l for r in by for l in by[r] if not l.endswith('_plain')})
for l in labels:
    base = l.split('_')[0] + '_plain'
    rs = [by[r][l] / by[r][base] for r in by if l in by[r] and by[r].get(base)]
    print(f"{l:40s} vs trigger-less: median {statistics.median(rs):.2f}x, "
          f"range {min(rs):.2f}-{max(rs):.2f}x over {len(rs)} rounds")
PY
