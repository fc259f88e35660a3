#!/bin/bash
# Benchmark of the task feeds (SPEC 6, issue 16): okr.sync_tasks over a
# source of N rows (default 100,000) against a plain MERGE of the same rows
# into a trigger-less copy of okr.task, first load and an update of 10 % of
# the rows; prints the times and the ratio sync / MERGE (the issue asks for
# at most 2).  Also times okr.sample() over 100 sources.
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 bash test/bench/feeds_bench.sh'
set -euo pipefail
N=${OKR_FEEDS_BENCH_ROWS:-100000}
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
CREATE TABLE app.copy (LIKE okr.task INCLUDING DEFAULTS INCLUDING IDENTITY);
CREATE UNIQUE INDEX ON app.copy (feed_id, external_key);
SQL
t() { local s e; s=$(date +%s.%N); psql -X -q -v ON_ERROR_STOP=1 -d $db -c "$1" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
merge="MERGE INTO app.copy t USING (SELECT s.*, p.id AS project_id FROM app.tasks s JOIN okr.project p ON p.external_key = s.project_external_key) s
  ON t.feed_id = 1 AND t.external_key = s.external_key
  WHEN MATCHED AND (t.title, t.status, t.effort) IS DISTINCT FROM (s.title, s.status, s.effort)
    THEN UPDATE SET project_id = s.project_id, title = s.title, status = s.status, effort = s.effort, done_at = s.done_at
  WHEN NOT MATCHED THEN INSERT (project_id, title, status, effort, done_at, external_key, feed_id)
    VALUES (s.project_id, s.title, s.status, s.effort, s.done_at, s.external_key, 1)"
sync1=$(t "SELECT * FROM okr.sync_tasks(1)")
merge1=$(t "$merge")
psql -X -q -d $db -c "UPDATE app.tasks SET title = title || ' (changed)' WHERE right(external_key, 1) = '7'"
sync2=$(t "SELECT * FROM okr.sync_tasks(1)")
merge2=$(t "$merge")
sync3=$(t "SELECT * FROM okr.sync_tasks(1)")
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
INSERT INTO okr.key_result (objective_id, title, start_value, target_value) SELECT 1, 'kr ' || g, 0, 100 FROM generate_series(1, 100) g;
INSERT INTO okr.key_result_source (key_result_id, query)
SELECT id, 'SELECT count(*) FROM app.tasks WHERE status = ''done'' AND project_external_key = ''P' || id % 100 || '''' FROM okr.key_result WHERE kind = 'metric';
SQL
sample=$(t "SELECT count(*) FROM okr.sample()")
printf 'feeds benchmark, %s source rows\n' "$N"
printf '  first load:     sync_tasks %.2f s, MERGE into a trigger-less copy %.2f s, ratio %.2f\n' "$sync1" "$merge1" "$(echo "$sync1 / $merge1" | bc -l)"
printf '  10%% changed:    sync_tasks %.2f s, MERGE %.2f s, ratio %.2f\n' "$sync2" "$merge2" "$(echo "$sync2 / $merge2" | bc -l)"
printf '  nothing changed: sync_tasks %.2f s\n' "$sync3"
printf '  okr.sample() of 100 sources (count over the source table): %.2f s\n' "$sample"
dropdb $db
