# Sourced by run_bench.sh for each scale (SPEC 7): the rollup as it was
# against the rollup of now, after some history has been recorded, and the
# bytes history takes per change.  Prints its lines into the scale's table.
hist_back20=$(q -c "SELECT now() - interval '20 days'")
hist_back40=$(q -c "SELECT now() - interval '40 days'")
hist_known=$(q -c "SELECT clock_timestamp()")
# a week's churn, recorded now: 1 % of the tasks reopened or finished, 1 %
# of the metric key results re-targeted, 1 % of the projects' weights moved
q -f churn.sql
# every figure against the rollup of now taken alternately with it (A B A B
# ...), so that a shared machine's load falls on both alike: "a_ms b_ms a/b"
hist_now_q="SELECT count(*) FROM okr.progress()"
read -r hist_p20 hist_now_20 hist_r20 <<< "$(alt "SELECT count(*) FROM okr.progress('$hist_back20')" "$hist_now_q")"
read -r hist_p40 hist_now_40 hist_r40 <<< "$(alt "SELECT count(*) FROM okr.progress('$hist_back40')" "$hist_now_q")"
read -r hist_k hist_now_k hist_rk <<< "$(alt "SELECT count(*) FROM okr.progress('$hist_back20', '$hist_known')" "$hist_now_q")"
hist_now=$hist_now_20
# the weekly review (SPEC 8): okr.changes over the week of the churn above,
# from before it to now (the organisation itself was recorded before it)
read -r hist_changes hist_now_c hist_rc <<< "$(alt "SELECT count(*) FROM okr.changes('$hist_known')" "$hist_now_q")"
read -r hist_from hist_now_f hist_rf <<< "$(alt "SELECT count(*) FROM okr.progress('$hist_known')" "$hist_now_q")"
hist_changes_n=$(q -c "SELECT count(*) FROM okr.changes('$hist_known')")
# the same past once okr.task is vacuumed (as autovacuum would, later): the
# churn cleared the visibility map, which task_done_at_idx's index-only scan
# needs (doc/operations.md, "Vacuum and the past")
q -c "VACUUM okr.task" >/dev/null
read -r hist_p20v hist_now_20v hist_r20v <<< "$(alt "SELECT count(*) FROM okr.progress('$hist_back20')" "$hist_now_q")"
read -r hist_p40v hist_now_40v hist_r40v <<< "$(alt "SELECT count(*) FROM okr.progress('$hist_back40')" "$hist_now_q")"
hist_versions=$(q -c "SELECT (SELECT count(*) FROM okr.cycle_history) + (SELECT count(*) FROM okr.team_history)
    + (SELECT count(*) FROM okr.objective_history) + (SELECT count(*) FROM okr.key_result_history)
    + (SELECT count(*) FROM okr.checkin_history) + (SELECT count(*) FROM okr.project_history)
    + (SELECT count(*) FROM okr.task_history)")
hist_bytes=$(q -c "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
    WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind = 'r' AND c.relname ~ '_history\$'")
hist_task_bytes=$(q -c "SELECT round(pg_total_relation_size('okr.task_history') / greatest(count(*), 1)) FROM okr.task_history")
hist_lines() {
    printf '   %-58s %10s %10s %8s  %s\n' "(c) okr.progress(20 days back) after a week's churn vs now, ms" "$hist_p20" "$hist_now_20" "${hist_r20}x" "<= 3x"
    printf '   %-58s %10s %10s %8s  %s\n' "(c) okr.progress(40 days back) after a week's churn vs now, ms" "$hist_p40" "$hist_now_40" "${hist_r40}x" "<= 3x"
    printf '   %-58s %10s %10s %8s  %s\n' "(c) okr.progress(20 days back) after VACUUM okr.task vs now, ms" "$hist_p20v" "$hist_now_20v" "${hist_r20v}x" "<= 3x"
    printf '   %-58s %10s %10s %8s  %s\n' "(c) okr.progress(40 days back) after VACUUM okr.task vs now, ms" "$hist_p40v" "$hist_now_40v" "${hist_r40v}x" "<= 3x"
    printf '   %-58s %10s %10s %8s  %s\n' "(c) okr.progress(20 days back, known before the churn), ms" "$hist_k" "$hist_now_k" "${hist_rk}x" ""
    printf '   %-58s %10s %10s %8s  %s\n' "(g) okr.changes(the churn's week: $hist_changes_n rows) vs now, ms" "$hist_changes" "$hist_now_c" "${hist_rc}x" "<= 2.5x"
    printf '   %-58s %10s %10s %8s  %s\n' "(g) (its rollup at from_ts alone) vs now, ms" "$hist_from" "$hist_now_f" "${hist_rf}x" ""
    echo "   history: $hist_versions versions in $hist_bytes bytes (tables and indexes): $(( hist_bytes / (hist_versions > 0 ? hist_versions : 1) )) bytes per version on average, $hist_task_bytes per task version"
}
