# Shared by test/dump_restore.sh, test/upgrade.sh and test/replica.sh:
# TAP output (counted by test/in_cluster.sh) and a text snapshot of
# everything okr stores and computes, so two databases can be compared with
# diff.  Source it; it sets no shell options.

tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
diag() { sed -e 's/^/# /'; }

# check DESCRIPTION COMMAND...: ok when the command succeeds; its output is
# shown as a diagnostic only when it fails.
check() {
    local desc=$1 out rc
    shift
    out="$("$@" 2>&1)"; rc=$?
    if [ $rc -eq 0 ]; then ok "$desc"; else not_ok "$desc"; printf '%s\n' "$out" | head -40 | diag; fi
    return $rc
}

# same DESCRIPTION FILE1 FILE2: ok when both files are identical (either
# may be a process substitution: each is read once).
same() {
    local desc=$1 a b
    a="$(cat "$2")"; b="$(cat "$3")"
    if [ "$a" = "$b" ]; then ok "$desc"
    else not_ok "$desc"; diff -u <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -60 | diag; fi
}

# is DESCRIPTION GOT EXPECTED
is() {
    if [ "$2" = "$3" ]; then ok "$1"
    else not_ok "$1"; printf 'got:      %s\nexpected: %s\n' "$2" "$3" | diag; fi
}

# Ends the TAP stream; the exit status says whether everything passed.
tap_done() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

# The moments every figure is compared at (fixed, so results do not depend
# on the day the tests run).
OKR_MOMENTS="'2025-02-15 12:00+00', '2025-08-15 12:00+00', '2025-12-31 23:59:59+01', '2026-06-01 00:00+00'"

# okr_snapshot [psql options...]: prints, one line each, every row of every
# table in schema okr (ordered by id, whatever tables exist), the state of
# every sequence, okr.progress and okr.objective_progress of every objective
# at the moments above, okr.objective_score, every row of every view in
# schema okr (the reporting views, whichever exist), and an invariant check
# (current_value = value of the latest check-in).  Read-only: it runs in a
# READ ONLY transaction, so it works on a hot standby too.  Time-dependent
# figures use the session time zone, pinned here to Europe/Paris.  With
# OKR_SNAPSHOT_HISTORY=no, history (the *_history tables, history_horizon,
# okr.audit) is left out: an upgrade records it at its own moment.
okr_snapshot() {
    local skip_history=false
    [ "${OKR_SNAPSHOT_HISTORY:-yes}" = no ] && skip_history=true
    PGTZ=Europe/Paris PGDATESTYLE=ISO PGOPTIONS="${PGOPTIONS:-} -c default_transaction_read_only=on -c extra_float_digits=1" \
        psql -X -At -q -v ON_ERROR_STOP=1 "$@" <<SQL
SELECT format('SELECT %L || t::text FROM okr.%I t ORDER BY %s',
              'table ' || c.relname || ' ('
              || (SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) || '): ',
              c.relname,
              CASE WHEN EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id')
                   THEN 't.id, t::text' ELSE 't::text' END)
FROM pg_class c
WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT IN ('project_effort', 'effort_ledger')   -- derived: see the invariants
  AND NOT ($skip_history AND (c.relname ~ '_history\$' OR c.relname = 'history_horizon'))
ORDER BY c.relname
\gexec
SELECT 'sequence ' || c.relname || ' ' || coalesce(pg_sequence_last_value(c.oid)::text, 'not called')
FROM pg_class c WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'S'
  AND NOT ($skip_history AND c.relname = 'history_hid_seq') ORDER BY c.relname;
SELECT 'progress ' || a || ' ' || p::text
FROM unnest(ARRAY[$OKR_MOMENTS]::timestamptz[]) AS a, okr.progress(a) AS p
ORDER BY a, p.item, p.id;
SELECT 'objective_progress ' || o.id || ' ' || a || ' ' || coalesce(okr.objective_progress(o.id, a)::text, 'NULL')
FROM okr.objective o, unnest(ARRAY[$OKR_MOMENTS]::timestamptz[]) AS a
ORDER BY o.id, a;
SELECT 'objective_score ' || o.id || ' ' || coalesce(okr.objective_score(o.id)::text, 'NULL')
FROM okr.objective o ORDER BY o.id;
SELECT format('SELECT %L || t::text FROM okr.%I t ORDER BY t::text', 'view ' || c.relname || ': ', c.relname)
FROM pg_class c
WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind IN ('v', 'm')
  AND NOT ($skip_history AND c.relname = 'audit')
ORDER BY c.relname
\gexec
SELECT 'invariant: key results whose current_value is not their latest check-in: ' || count(*)
FROM okr.key_result k
WHERE k.current_value IS DISTINCT FROM
      (SELECT ci.value FROM okr.checkin ci WHERE ci.key_result_id = k.id
       ORDER BY ci.checked_at DESC, ci.id DESC LIMIT 1);
SELECT 'invariant: projects whose okr.project_effort row is missing or not the sum of their tasks: ' || count(*)
FROM okr.project p
LEFT JOIN okr.project_effort e ON e.project_id = p.id
WHERE e.effort_total IS DISTINCT FROM
      (SELECT coalesce(sum(t.effort::numeric), 0) FROM okr.task t WHERE t.project_id = p.id AND t.status <> 'cancelled')
   OR e.effort_done IS DISTINCT FROM
      (SELECT coalesce(sum(t.effort::numeric), 0) FROM okr.task t WHERE t.project_id = p.id AND t.status = 'done');
SELECT 'invariant: okr.project_effort rows of no project: '
       || count(*) FROM okr.project_effort e WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = e.project_id);
SELECT to_regclass('okr.effort_ledger') IS NOT NULL AS okr_has_ledger \\gset
\\if :okr_has_ledger
SELECT 'invariant: (project, done_at) whose okr.effort_ledger rows do not sum to its done tasks: ' || count(*)
FROM (SELECT project_id, done_at, sum(effort::numeric) AS s FROM okr.effort_ledger GROUP BY 1, 2) l
FULL JOIN (SELECT project_id, done_at, sum(effort::numeric) AS s FROM okr.task WHERE status = 'done' GROUP BY 1, 2) t
  ON t.project_id = l.project_id AND t.done_at = l.done_at
WHERE coalesce(l.s, 0) <> coalesce(t.s, 0);
\\endif
SQL
}
