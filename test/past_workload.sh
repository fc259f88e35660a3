#!/bin/bash
# The past as it was (SPEC 7, issue 14), under a random workload.
#
# For each seed (five; setseed() takes -1 to 1), a fresh database gets a
# small organisation and 200 random committed transactions that insert,
# update, back-date, delete, move, reopen, re-target, cancel, close and
# reopen (test/past_workload.sql), with okr.progress() saved between every
# two; a check makes sure the seed made every kind of change.  History is
# written at commit, so this runs each transaction for real (a pgTAP file
# is one transaction).  Then:
#  (a) every saved dashboard equals okr.progress(t, known_at => t) exactly
#      (EXCEPT ALL both ways, every column);
#  (b) okr.progress(T, known_at => K) and okr.objective_progress, for 20
#      moments T (before, at, between and after the recorded ones, inside
#      the cycles, +-infinity) and 5 K (before anything, a transaction's
#      moment, between two, after all, NULL), equal
#      test/pgtap/rollup_reference.sql's plain-SQL reference (SPEC 3) run
#      over the rows as they were at (T, K), computed from the history
#      tables by wl.fill_asof (SPEC 7), to 1e-12;
#  (c) okr.progress_history over the workload (its structure moved)
#      equals okr.progress at each of its moments, exactly.
#
# Runs inside pg_virtualenv (PGHOST, PGPORT, PGUSER set; okr installed):
#   flock /tmp/okr-install.lock bash -c 'make -s install && pg_virtualenv -v 15 bash test/past_workload.sh'
# test/in_cluster.sh runs it in the suite (about 15 s).  Prints TAP; exits
# non-zero when a test fails.  To reproduce a seed:
#   OKR_PAST_SEEDS=0.52 OKR_PAST_KEEP=yes bash test/past_workload.sh
# keeps its database okr_past_0_52 (OKR_PAST_TRANSACTIONS sets the number
# of transactions).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/safety_lib.sh
export PAGER=cat PGTZ=UTC

seeds="${OKR_PAST_SEEDS:-0.11 0.52 -0.37 0.8 -0.64}"
transactions="${OKR_PAST_TRANSACTIONS:-200}"
work="$(mktemp -d)"
dbs=()
cleanup() {
    local d
    [ "${OKR_PAST_KEEP:-no}" = yes ] || for d in "${dbs[@]}"; do dropdb --if-exists "$d" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

# The reference of test/pgtap/rollup_reference.sql (ref_links and the
# section "Reference, straight from SPEC 3"), reading the rows at (T, K)
# in pg_temp.asof_<table> instead of okr's tables.
reference_sql() {
    sed -n -e '/^CREATE FUNCTION pg_temp.ref_links()/,/^\$\$;/p' \
           -e '/^-- Reference, straight from SPEC 3/,/^-- Comparison/p' test/pgtap/rollup_reference.sql |
        sed -E 's/\bokr\.(cycle|objective|key_result|checkin|project|task)\b/pg_temp.asof_\1/g'
}
reference_sql >"$work/reference.sql"
is "the reference taken from test/pgtap/rollup_reference.sql defines ref_progress and reads none of okr's objects" \
    "$(grep -c 'CREATE FUNCTION pg_temp.ref_progress' "$work/reference.sql") $(grep -c 'okr\.' "$work/reference.sql")" "1 0"
# ... and the rows it reads, test/past_workload.sql's wl.make_asof_tables,
# wl.fill_asof_table and wl.fill_asof, come from the history tables only
sed -n '/^CREATE FUNCTION wl.make_asof_tables()/,/^-- The checks;/p' test/past_workload.sql |
    grep -oE 'okr\.[A-Za-z0-9_%$]+' >"$work/asof_reads"
is "the rows at (T, K) the reference runs over are read from okr's history tables only" \
    "$(grep -c 'CREATE FUNCTION' <(sed -n '/^CREATE FUNCTION wl.make_asof_tables()/,/^-- The checks;/p' test/past_workload.sql)) $(grep -c '_history$' "$work/asof_reads") $(grep -vc '_history$' "$work/asof_reads")" "3 5 0"

# Each check prints rows (pass, description, details with " ;; " between lines).
tap_rows() {
    local pass desc details
    while IFS=$'\t' read -r pass desc details; do
        if [ "$pass" = t ]; then ok "$desc"
        else not_ok "$desc"; printf '%s\n' "$details" | sed 's/ ;; /\n/g' | diag; fi
    done
}

for seed in $seeds; do
    db="okr_past_${seed//[.-]/_}"
    dropdb --if-exists "$db" 2>/dev/null
    createdb "$db" && dbs+=("$db") || { not_ok "seed $seed: create database"; continue; }
    if ! check "seed $seed: $transactions random transactions, okr.progress() saved after each" \
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION okr' -f test/past_workload.sql \
            -c "CALL wl.workload($seed, $transactions)"; then
        continue
    fi
    {
        echo "SET client_min_messages = warning;"
        echo '\o /dev/null'
        echo "SELECT wl.make_asof_tables();"
        cat "$work/reference.sql"
        cat <<SQL
\\o
\\pset format unaligned
\\pset tuples_only on
\\pset fieldsep '\\t'
SELECT * FROM wl.check_workload('$seed');
SELECT * FROM wl.check_saved('$seed');
SELECT * FROM wl.check_history('$seed');
-- known_at: before anything, at a transaction's moment, between two, after all, and NULL
WITH k AS MATERIALIZED (
    SELECT * FROM wl.moments()
     WHERE label IN ('a microsecond before anything was recorded', 'the moment of a transaction a third in',
                     'between two transactions two thirds in', 'a millisecond after the last transaction')
    UNION ALL SELECT 'NULL (as known now)', NULL)
SELECT c.* FROM k, wl.check_reference('$seed', k.label, k.t) c;
SQL
    } >"$work/check.sql"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/check.sql" >"$work/check.out" 2>"$work/check.err"
    rc=$?
    tap_rows <"$work/check.out"
    [ $rc -eq 0 ] || { not_ok "seed $seed: the checks ran to the end"; diag <"$work/check.err"; }
done

tap_done
