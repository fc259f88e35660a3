#!/bin/bash
# Benchmark of the task feeds (SPEC 6, issue 16): okr.sync_tasks over a
# source of N rows (default 100,000) against the best plain SQL doing the
# same into a copy of okr.task without okr's triggers (the same columns,
# indexes and foreign keys, as the other write benchmarks of
# doc/performance.md use): the DELETE of the rows gone from the source
# followed by either a MERGE or an INSERT ... ON CONFLICT DO UPDATE, each
# updating only the rows that differ.  Three phases: the first load, 10 % of
# the rows changed, nothing changed.  Each is run OKR_FEEDS_BENCH_RUNS times
# (default 3) and the medians are compared: the ratio printed is a
# throughput ratio, plain SQL time / sync_tasks time (target: at least 0.5,
# i.e. sync_tasks at least half as fast).  Also times okr.sample() over 100
# sources.  Run by test/bench/run_bench.sh (bench.sh), or alone:
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 bash test/bench/feeds_bench.sh'
set -euo pipefail
N=${OKR_FEEDS_BENCH_ROWS:-100000}
RUNS=${OKR_FEEDS_BENCH_RUNS:-3}
db=okr_feeds_bench
dropdb --if-exists $db; createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db <<SQL
CREATE EXTENSION okr;
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('now', current_date - 100, current_date + 100);
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'O');
INSERT INTO okr.key_result (objective_id, title, kind) VALUES (1, 'work', 'projects');
INSERT INTO okr.project (key_result_id, name, external_key) SELECT 1, 'P' || g, 'P' || g FROM generate_series(1, 100) g;
CREATE SCHEMA app;
CREATE TABLE app.tasks AS
SELECT 'T-' || g AS external_key, 'P' || (1 + g % 100) AS project_external_key, 'task ' || g AS title,
       CASE WHEN g % 3 = 0 THEN 'done' ELSE 'todo' END AS status, (1 + g % 5)::float8 AS effort,
       CASE WHEN g % 3 = 0 THEN now() - interval '1 day' END AS done_at
  FROM generate_series(1, $N) g;
ALTER TABLE app.tasks ADD PRIMARY KEY (external_key);
ANALYZE app.tasks;
INSERT INTO okr.task_feed (source) VALUES ('app.tasks');
-- okr.task without okr's triggers: same columns, defaults, identity,
-- CHECKs and indexes (INCLUDING ALL), and its two foreign keys
CREATE TABLE app.copy (LIKE okr.task INCLUDING ALL);
ALTER TABLE app.copy ADD FOREIGN KEY (project_id) REFERENCES okr.project (id),
                     ADD FOREIGN KEY (feed_id) REFERENCES okr.task_feed (id);
SQL
# seconds of one statement (its own transaction)
t() { local s e; s=$(date +%s.%N); psql -X -q -v ON_ERROR_STOP=1 -d $db -c "$1" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
delete_gone="DELETE FROM app.copy t WHERE t.feed_id = 1 AND NOT EXISTS (SELECT FROM app.tasks s WHERE s.external_key = t.external_key);"
src="SELECT s.*, p.id AS project_id FROM app.tasks s JOIN okr.project p ON p.external_key = s.project_external_key"
merge="BEGIN; $delete_gone
MERGE INTO app.copy t USING ($src) s
  ON t.feed_id = 1 AND t.external_key = s.external_key
  WHEN MATCHED AND (t.project_id, t.title, t.status, t.effort, t.done_at) IS DISTINCT FROM (s.project_id, s.title, s.status, s.effort, s.done_at)
    THEN UPDATE SET project_id = s.project_id, title = s.title, status = s.status, effort = s.effort, done_at = s.done_at
  WHEN NOT MATCHED THEN INSERT (project_id, title, status, effort, done_at, external_key, feed_id)
    VALUES (s.project_id, s.title, s.status, s.effort, s.done_at, s.external_key, 1); COMMIT;"
upsert="BEGIN; $delete_gone
INSERT INTO app.copy AS t (project_id, title, status, effort, done_at, external_key, feed_id)
SELECT s.project_id, s.title, s.status, s.effort, s.done_at, s.external_key, 1 FROM ($src) s
    ON CONFLICT (feed_id, external_key) DO UPDATE
   SET project_id = EXCLUDED.project_id, title = EXCLUDED.title, status = EXCLUDED.status,
       effort = EXCLUDED.effort, done_at = EXCLUDED.done_at
 WHERE (t.project_id, t.title, t.status, t.effort, t.done_at)
       IS DISTINCT FROM (EXCLUDED.project_id, EXCLUDED.title, EXCLUDED.status, EXCLUDED.effort, EXCLUDED.done_at); COMMIT;"
sync="SELECT * FROM okr.sync_tasks(1)"
empty="TRUNCATE okr.task, app.copy"
change="UPDATE app.tasks SET title = title || '.' WHERE right(external_key, 1) = '7'"

declare -a s1 m1 u1 s2 m2 u2 s3 m3 u3
for ((r = 0; r < RUNS; r++)); do
    # first load: sync, MERGE, then ON CONFLICT (emptied in between)
    psql -X -q -d $db -c "$empty"
    s1+=("$(t "$sync")"); m1+=("$(t "$merge")")
    psql -X -q -d $db -c "TRUNCATE app.copy"; u1+=("$(t "$upsert")")
    psql -X -q -d $db -c "ANALYZE okr.task, app.copy"
    # 10 % of the rows changed, for each in turn
    psql -X -q -d $db -c "$change"
    s2+=("$(t "$sync")"); m2+=("$(t "$merge")")
    psql -X -q -d $db -c "$change"
    s2+=("$(t "$sync")"); u2+=("$(t "$upsert")")
    # nothing changed
    s3+=("$(t "$sync")"); m3+=("$(t "$merge")"); u3+=("$(t "$upsert")")
done
# both ended with the same rows
diff=$(psql -X -qAt -d $db -c "SELECT count(*) FROM (
    (SELECT project_id, title, status, effort, done_at, external_key FROM okr.task
     EXCEPT SELECT project_id, title, status, effort, done_at, external_key FROM app.copy)
    UNION ALL
    (SELECT project_id, title, status, effort, done_at, external_key FROM app.copy
     EXCEPT SELECT project_id, title, status, effort, done_at, external_key FROM okr.task)) d")
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) SELECT 1, 'kr ' || g, 0, 100 FROM generate_series(1, 100) g;
INSERT INTO okr.key_result_source (key_result_id, query)
SELECT id, 'SELECT count(*) FROM app.tasks WHERE status = ''done'' AND project_external_key = ''P' || id % 100 || '''' FROM okr.key_result WHERE kind = 'metric';
SQL
sample=$(t "SELECT count(*) FROM okr.sample()")
# the same 100 queries run by plain SQL, each value inserted as a check-in
# into a trigger-less copy of okr.checkin (what okr.sample does, less its
# checks, its run_as role and its per-source error isolation)
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE TABLE app.checkin_copy (LIKE okr.checkin INCLUDING ALL)"
sample_plain=$(t "DO \$\$ DECLARE r record; v numeric; BEGIN
    FOR r IN SELECT key_result_id, query FROM okr.key_result_source LOOP
        EXECUTE r.query INTO v;
        INSERT INTO app.checkin_copy (key_result_id, value, checked_at) VALUES (r.key_result_id, v, now());
    END LOOP; END \$\$")
row() {  # phase, sync times..., then plain times (merge, upsert) as medians
    local phase=$1 s=$2 m=$3 u=$4 best
    best=$(printf '%s\n%s\n' "$m" "$u" | sort -g | head -1)
    printf '  %-16s sync_tasks %6.3f s, MERGE %6.3f s, ON CONFLICT %6.3f s; throughput vs the best: %.2f\n' \
        "$phase" "$s" "$m" "$u" "$(echo "$best / $s" | bc -l)"
}
printf 'feeds benchmark, %s source rows, medians of %s runs (plain SQL: DELETE + MERGE or ON CONFLICT into a trigger-less copy; target >= 0.50)\n' "$N" "$RUNS"
row "first load:" "$(median "${s1[@]}")" "$(median "${m1[@]}")" "$(median "${u1[@]}")"
row "10% changed:" "$(median "${s2[@]}")" "$(median "${m2[@]}")" "$(median "${u2[@]}")"
row "nothing changed:" "$(median "${s3[@]}")" "$(median "${m3[@]}")" "$(median "${u3[@]}")"
echo "  rows that differ between okr.task and the copy at the end: $diff"
[ "$diff" = 0 ] || { echo "feeds benchmark: okr.sync_tasks and plain SQL disagree" >&2; exit 1; }
printf '  okr.sample() of 100 sources (count over the source table): %.2f s; the same queries and inserts in plain SQL %.2f s; throughput vs plain: %.2f (issue 16 sets no target)\n' "$sample" "$sample_plain" "$(echo "$sample_plain / $sample" | bc -l)"
# --- issue 18: the feeds' figures for run_bench.sh's summary table
if [ -n "${OKR_BENCH_SUMMARY:-}" ]; then
    ratio_of() { printf '%.2fx' "$(echo "$1 / $2" | bc -l)"; }
    best_of() { printf '%s\n%s\n' "$1" "$2" | sort -g | head -1; }
    {
        printf 'feeds\t(h) okr.sync_tasks first load, throughput vs MERGE/ON CONFLICT\t%s\t>= 0.5x\n' "$(ratio_of "$(best_of "$(median "${m1[@]}")" "$(median "${u1[@]}")")" "$(median "${s1[@]}")")"
        printf 'feeds\t(h) okr.sync_tasks 10%% changed, throughput vs plain\t%s\t>= 0.5x\n' "$(ratio_of "$(best_of "$(median "${m2[@]}")" "$(median "${u2[@]}")")" "$(median "${s2[@]}")")"
        printf 'feeds\t(h) okr.sync_tasks nothing changed, throughput vs plain\t%s\t>= 0.5x\n' "$(ratio_of "$(best_of "$(median "${m3[@]}")" "$(median "${u3[@]}")")" "$(median "${s3[@]}")")"
        printf 'feeds\t(h) okr.sample() of 100 sources, throughput vs plain SQL\t%s\t(issue 16: none)\n' "$(ratio_of "$sample_plain" "$sample")"
    } >> "$OKR_BENCH_SUMMARY"
fi
# --- end issue 18
dropdb $db
