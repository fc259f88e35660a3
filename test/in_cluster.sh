#!/bin/bash
# Runs inside pg_virtualenv (PGHOST/PGPORT/PGUSER set).  Prints each suite's
# result and ends with a line "okr: N passed, N failed" counting every test,
# followed by ", N skipped" when some were skipped (a # SKIP is not a pass).
set -uo pipefail
cd "$OKR_ROOT"
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
passed=0; failed=0; skipped=0
# tally_tap OUTPUT RC: count the "ok N", "ok N # SKIP" and "not ok N" lines of
# a TAP producer (a failure without a "not ok" line counts as one)
tally_tap() {
    local n_ok n_skip n_bad
    n_ok=$(grep -cE '^ok [0-9]+' <<<"$1" || true)
    n_skip=$(grep -ciE '^ok [0-9]+.*# skip' <<<"$1" || true)
    n_bad=$(grep -cE '^not ok [0-9]+' <<<"$1" || true)
    passed=$((passed + n_ok - n_skip)); skipped=$((skipped + n_skip)); failed=$((failed + n_bad))
    [ "$2" -ne 0 ] && [ "$n_bad" -eq 0 ] && failed=$((failed + 1))
}

# 1. pg_regress (sql/, expected/), then the isolation tests (test/isolation/),
#    run apart so that a failure in one does not skip the other.
for only in "ISOLATION=" "REGRESS="; do
    out="$(make -s PG_CONFIG=$PG_CONFIG installcheck "$only" 2>&1)"; rc=$?
    echo "$out"
    if [ $rc -ne 0 ]; then
        [ "$only" = "ISOLATION=" ] && [ -f regression.diffs ] && cat regression.diffs
        [ "$only" = "REGRESS=" ] && [ -f output_iso/regression.diffs ] && cat output_iso/regression.diffs
    fi
    n_ok=$(grep -cE '^ok [0-9]+|\.\.\. ok' <<<"$out" || true)
    n_bad=$(grep -cE '^not ok [0-9]+|\.\.\. FAILED' <<<"$out" || true)
    passed=$((passed + n_ok)); failed=$((failed + n_bad))
    [ $rc -ne 0 ] && [ "$n_bad" -eq 0 ] && failed=$((failed + 1))
done

# 2. pgTAP
createdb okr_tap
psql -q -d okr_tap -c 'CREATE EXTENSION pgtap' >/dev/null
# (--directives also prints each skipped test: "ok N # SKIP why")
out="$(pg_prove --directives -d okr_tap --ext .sql -r test/pgtap 2>&1)"; rc=$?
echo "$out"
n_tests=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' <<<"$out")
n_bad=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' <<<"$out" | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
n_skip=$(grep -ciE '^ *ok [0-9]+.*# skip' <<<"$out" || true)
n_tests=${n_tests:-0}
passed=$((passed + n_tests - n_bad - n_skip)); failed=$((failed + n_bad)); skipped=$((skipped + n_skip))
[ $rc -ne 0 ] && [ "$n_bad" -eq 0 ] && failed=$((failed + 1))

# 3. BI clients over JDBC and ODBC (test/jdbc.sh, test/odbc.sh; each prints TAP)
for t in jdbc odbc; do
    out="$(bash "test/$t.sh" 2>&1)"; rc=$?
    echo "$out"
    tally_tap "$out" "$rc"
done

# 4. Data safety (README "Data safety"; each prints TAP): dump and restore,
#    upgrades, and a streaming-replication hot standby (test/replica.sh
#    starts its own primary and standby; about 3 seconds); then scheduling
#    with pg_cron (test/cron.sh waits up to 150 s for pg_cron's job); then
#    what needs connections or databases of its own (test/moments.sh: a
#    role pinned with ALTER ROLE ... SET okr.as_of, okr.bar in SQL_ASCII
#    and LATIN1 databases; test/past_workload.sh: the past under a random
#    workload of committed transactions, about 15 s).
for t in dump_restore upgrade replica cron moments past_workload; do
    out="$(bash "test/$t.sh" 2>&1)"; rc=$?
    echo "$out"
    tally_tap "$out" "$rc"
done

# 5. Static checks of the C code: strict compile and cppcheck (test/lint.sh prints TAP)
out="$(bash test/lint.sh 2>&1)"; rc=$?
echo "$out"
tally_tap "$out" "$rc"

# 6. The documentation's SQL examples and links (test/readme.sh), and
#    packaging (each prints TAP): META.json for PGXN and "make dist"
#    (test/meta.sh); the Debian package built, installed in place of
#    "make install" and run through the regression tests (test/package.sh,
#    which puts the "make install" files back afterwards); the stateful
#    fuzz test's short run (test/fuzz.sh; doc/fuzzing.md).
for t in readme meta package fuzz; do
    out="$(bash "test/$t.sh" 2>&1)"; rc=$?
    echo "$out"
    tally_tap "$out" "$rc"
done

if [ "$skipped" -gt 0 ]; then
    echo "okr: $passed passed, $failed failed, $skipped skipped"
else
    echo "okr: $passed passed, $failed failed"
fi
[ $failed -eq 0 ]
