#!/bin/bash
# Peak memory of a backend running one statement (issue 18), from the
# kernel's own counters of that backend (/proc/<pid>/status, via
# pg_backend_pid()): a fresh backend first reads every page of the three goal
# tables (so the shared buffers a rollup reads are mapped already, and not
# counted as its memory) and loads okr (okr.objective_progress of one
# objective), then its peak resident set is reset (clear_refs; needs root or
# the server's user, else the peak since the backend started is used) and the
# statement runs.  The peak also counts shared memory (shared buffers) the
# backend maps for the first time, which stays mapped after it; so the
# private peak is the growth less the growth of RssShmem.  Prints, in kB:
# private peak (VmHWM after - VmRSS before - RssShmem growth), peak growth
# (VmHWM after - VmRSS before), VmRSS before, shared memory newly mapped;
# then whether the peak was reset.
#   bash test/bench/peak_memory.sh DATABASE STATEMENT
set -euo pipefail
db=$1 stmt=$2
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv OKR_PID :pid
SELECT count(*) FROM (SELECT * FROM okr.objective) o;
SELECT count(*) FROM (SELECT * FROM okr.key_result) k;
SELECT count(*) FROM (SELECT * FROM okr.project) p;
SELECT okr.objective_progress((SELECT max(id) FROM okr.objective)) IS NOT NULL;
\! sh -c 'if echo 5 > /proc/\$OKR_PID/clear_refs 2>/dev/null; then echo reset=yes; else echo reset=no; fi; sed -n -e "s/^VmRSS:[[:space:]]*\([0-9]*\) kB/before=\1/p" -e "s/^RssShmem:[[:space:]]*\([0-9]*\) kB/shm0=\1/p" /proc/\$OKR_PID/status'
$stmt;
\! sed -n -e 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/peak=\1/p' -e 's/^RssShmem:[[:space:]]*\([0-9]*\) kB/shm1=\1/p' /proc/\$OKR_PID/status
SQL
)
before=$(sed -n 's/^before=//p' <<<"$out"); peak=$(sed -n 's/^peak=//p' <<<"$out"); reset=$(sed -n 's/^reset=//p' <<<"$out")
shm0=$(sed -n 's/^shm0=//p' <<<"$out"); shm1=$(sed -n 's/^shm1=//p' <<<"$out")
echo "$((peak - before - (shm1 - shm0))) $((peak - before)) $before $((shm1 - shm0)) $reset"
