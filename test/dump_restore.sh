#!/bin/bash
# Dump and restore (SPEC 5, "keeps data"; README "Data safety").
#
# Fills an organisation (test/safety_org.sql), dumps it with pg_dump in plain
# and custom format, restores it into new databases in several ways and
# checks that every row, every sequence and every computed figure came back
# (test/safety_lib.sh: okr_snapshot), that new rows get fresh ids and that
# the link rules apply to them again.  The restores run in another time
# zone (UTC+14), where one check-in lies outside its cycle, and with the
# rows of every table reversed and shuffled: the restore must not depend on
# the order rows come in.
#
# Runs inside pg_virtualenv (PGHOST, PGPORT, PGUSER set; okr installed):
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 bash test/dump_restore.sh'
# Prints TAP; exits non-zero when a test fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/safety_lib.sh
export PAGER=cat

work="$(mktemp -d)"
chmod 755 "$work"
dbs=()
cleanup() {
    local d
    for d in "${dbs[@]}"; do dropdb --if-exists "$d" 2>/dev/null; done
    psql -X -q -d postgres -c 'DROP ROLE IF EXISTS okr_dump_sales, okr_dump_reader' 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

newdb() { dropdb --if-exists "$1" 2>/dev/null; createdb "$1" && dbs+=("$1"); }
sql() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# ---------------------------------------------------------------------------
# The source database
# ---------------------------------------------------------------------------
src=okr_dump_src
newdb "$src"
check "fill an organisation, with sources and feeds" sql "$src" -c 'CREATE EXTENSION okr' -f test/safety_org.sql -f test/safety_feeds.sql || { tap_done; exit 1; }

check "every table and sequence of schema okr is registered with pg_extension_config_dump" \
    test "$(psql -X -At -d "$src" -c "
        SELECT string_agg(c.oid::regclass::text, ', ')
        FROM pg_class c, pg_extension e
        WHERE e.extname = 'okr' AND c.relnamespace = 'okr'::regnamespace
          AND c.relkind IN ('r', 'p', 'S') AND NOT c.oid = ANY (e.extconfig)")" = ""

# Access by team (SPEC 9): a scoped writer, a scoped reader and private
# objectives (one per team).  Roles belong to the cluster, so every restore
# below has them; the grants are rows of okr.access_grant.
check "grant scoped access, make objectives private" sql "$src" <<'SQL'
DROP ROLE IF EXISTS okr_dump_sales, okr_dump_reader;
CREATE ROLE okr_dump_sales;
CREATE ROLE okr_dump_reader;
SELECT okr.grant_write('okr_dump_sales', (SELECT id FROM okr.team WHERE name = 'Sales'));
SELECT okr.grant_read('okr_dump_reader', (SELECT id FROM okr.team WHERE name = 'EMEA Sales'));
UPDATE okr.objective SET private = true
 WHERE id IN (SELECT min(o.id) FROM okr.objective o WHERE o.team_id IS NOT NULL GROUP BY o.team_id);
SQL

# What the scoped roles read and may write; rolled back, so it changes
# nothing (not even a sequence).
access_probe() {
    PGTZ=Europe/Paris psql -X -At -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
CREATE FUNCTION pg_temp.state_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT 'policies ' || string_agg(polrelid::regclass || ' ' || polname, ', ' ORDER BY polrelid::regclass::text)
  FROM pg_policy WHERE polrelid::regclass::text LIKE 'okr.%';
SELECT 'rls ' || string_agg(oid::regclass::text, ', ' ORDER BY oid::regclass::text)
  FROM pg_class WHERE relnamespace = 'okr'::regnamespace AND relrowsecurity;
SELECT 'private objectives ' || count(*) FROM okr.objective WHERE private;
BEGIN;
SET ROLE okr_dump_reader;
SELECT 'reader objectives ' || string_agg(id::text, ',' ORDER BY id) FROM okr.objective;
SELECT 'reader private objectives ' || coalesce(string_agg(id::text, ',' ORDER BY id), 'none') FROM okr.objective WHERE private;
SELECT 'reader key results ' || count(*) FROM okr.key_result;
SELECT 'reader check-ins ' || count(*) FROM okr.checkin;
SELECT 'reader tasks ' || count(*) FROM okr.task;
SELECT 'reader progress ' || p::text FROM okr.progress('2025-06-30 12:00') p WHERE item = 'objective' ORDER BY id;
RESET ROLE;
SET ROLE okr_dump_sales;
SELECT 'sales objectives ' || count(*) FROM okr.objective;
SELECT 'sales updates its team''s objectives: ' || pg_temp.state_of(
    $$UPDATE okr.objective SET title = title WHERE team_id = (SELECT id FROM okr.team WHERE name = 'Sales')$$);
SELECT 'sales updates another team''s objective: ' || pg_temp.state_of(
    $$UPDATE okr.objective SET title = title WHERE team_id IS NULL
         OR team_id NOT IN (SELECT id FROM okr.team WHERE name IN ('Sales', 'EMEA Sales', 'DACH Sales'))$$);
SELECT 'sales moves its team: ' || pg_temp.state_of($$UPDATE okr.team SET parent_id = NULL WHERE name = 'Sales'$$);
ROLLBACK;
SELECT 'owner progress ' || p::text FROM okr.progress('2025-06-30 12:00') p
 WHERE item = 'objective' ORDER BY id;
SQL
}
access_probe "$src" >"$work/src.access" 2>&1
check "source: the scoped reader sees no private objective outside its team, the scoped writer is refused outside its team" \
    grep -x -e "sales updates another team's objective: 42501" -e 'reader private objectives .*' "$work/src.access"

okr_snapshot -d "$src" >"$work/src.snap" 2>"$work/src.err"
check "snapshot of the source" test -s "$work/src.snap" -a ! -s "$work/src.err"
check "source: current_value is every key result's latest check-in" \
    grep -qx 'invariant: key results whose current_value is not their latest check-in: 0' "$work/src.snap"
check "source: okr.project_effort holds the sums of every project's tasks, and nothing else; okr.effort_ledger sums to the done tasks" \
    test "$(grep -cx 'invariant: .*: 0' "$work/src.snap")" = 4

# What the source would hand out next, per table: "table next_id".
psql -X -At -F ' ' -d "$src" -c "
    SELECT c.relname, coalesce(pg_sequence_last_value(s.oid), 0) + 1
    FROM pg_class c JOIN pg_depend d ON d.refobjid = c.oid AND d.deptype = 'i'
    JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    WHERE c.relnamespace = 'okr'::regnamespace
      AND c.relname IN ('cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task')
    " | LC_ALL=C sort >"$work/next_ids"

check "pg_dump, plain format" pg_dump -Fp -f "$work/dump.sql" "$src"
check "pg_dump, custom format" pg_dump -Fc -f "$work/dump.custom" "$src"
# okr's policies and ENABLE ROW LEVEL SECURITY belong to CREATE EXTENSION:
# pg_dump need not (and does not) dump them, so a restore cannot lose them.
is "the dumps hold no policy and no ENABLE ROW LEVEL SECURITY (CREATE EXTENSION makes them)" \
    "$(cat "$work/dump.sql" <(pg_restore -f - "$work/dump.custom") | grep -c -E 'CREATE POLICY|ROW LEVEL SECURITY')" 0

# ---------------------------------------------------------------------------
# Plain dumps with the rows of each COPY block reversed or shuffled (fixed
# seed): children before parents, newest check-ins first or last.
# ---------------------------------------------------------------------------
reorder_copy_rows() {   # reorder_copy_rows tac|shuffle < dump > dump
    local how=$1
    awk -v how="$how" '
        function flush(   i, j, t) {
            if (how == "tac")
                for (i = n; i >= 1; i--) print rows[i]
            else {
                for (i = n; i > 1; i--) { j = int(rand() * i) + 1; t = rows[i]; rows[i] = rows[j]; rows[j] = t }
                for (i = 1; i <= n; i++) print rows[i]
            }
            n = 0
        }
        BEGIN { srand(20250815) }
        incopy && $0 == "\\." { flush(); incopy = 0; print; next }
        incopy { rows[++n] = $0; next }
        /^COPY okr\..* FROM stdin;$/ { incopy = 1 }
        { print }'
}
reorder_copy_rows tac <"$work/dump.sql" >"$work/dump-reversed.sql"
reorder_copy_rows shuffle <"$work/dump.sql" >"$work/dump-shuffled.sql"
check "reordered dumps hold the same rows" \
    test "$(sort "$work/dump.sql" | md5sum)" = "$(sort "$work/dump-shuffled.sql" | md5sum)" \
    -a "$(sort "$work/dump.sql" | md5sum)" = "$(sort "$work/dump-reversed.sql" | md5sum)" \
    -a "$(md5sum <"$work/dump.sql")" != "$(md5sum <"$work/dump-shuffled.sql")"

# ---------------------------------------------------------------------------
# Restores
# ---------------------------------------------------------------------------
restore_plain() {       # restore_plain DB FILE
    PGTZ=Pacific/Kiritimati psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$1" -f "$2" >/dev/null
}
restore_custom() {      # restore_custom DB FILE
    PGTZ=Pacific/Kiritimati pg_restore --exit-on-error --single-transaction -d "$1" "$2"
}
# pg_restore -j loads tables in parallel, but pg_dump does not record the
# foreign keys between an extension's tables in the archive (only its sort
# order follows them), so okr's data must be loaded in one serial pass, in
# dump order, with the sequences after the rows.  The README gives this
# recipe for parallel restores.
restore_parallel() {    # restore_parallel DB FILE
    local db=$1 dump=$2
    pg_restore -l "$dump" >"$work/all.list" &&
    grep -E '^[0-9]+; [0-9]+ [0-9]+ (TABLE DATA|SEQUENCE SET) okr ' "$work/all.list" >"$work/okr.list" &&
    grep -v -x -F -f "$work/okr.list" "$work/all.list" >"$work/rest.list" &&
    PGTZ=Pacific/Kiritimati pg_restore --exit-on-error -d "$db" --section=pre-data "$dump" &&
    PGTZ=Pacific/Kiritimati pg_restore --exit-on-error -d "$db" -j 4 --section=data -L "$work/rest.list" "$dump" &&
    PGTZ=Pacific/Kiritimati pg_restore --exit-on-error -d "$db" --section=data -L "$work/okr.list" "$dump" &&
    PGTZ=Pacific/Kiritimati pg_restore --exit-on-error -d "$db" -j 4 --section=post-data "$dump"
}

# After a restore: new rows get the ids the source would have given next,
# and the link rules apply to them again (they are not "restored rows").
new_rows() {
    PGTZ=Europe/Paris psql -X -At -F ' ' -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH i AS (INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('FY 2027', '2027-01-01', '2027-12-31') RETURNING id)
SELECT 'cycle', id FROM i;
WITH i AS (INSERT INTO okr.team (name) VALUES ('New team') RETURNING id)
SELECT 'team', id FROM i;
WITH i AS (INSERT INTO okr.objective (cycle_id, parent_id, title)
    SELECT c.id, o.id, 'New objective' FROM okr.cycle c, okr.objective o
    WHERE c.name = 'FY 2025' AND o.title = 'Level 1: become the market leader' RETURNING id)
SELECT 'objective', id FROM i;
WITH i AS (INSERT INTO okr.key_result (objective_id, title, start_value, target_value)
    SELECT id, 'New key result', 0, 10 FROM okr.objective WHERE title = 'New objective' RETURNING id)
SELECT 'key_result', id FROM i;
WITH i AS (INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT id, 4, '2025-06-01 12:00' FROM okr.key_result WHERE title = 'New key result' RETURNING id)
SELECT 'checkin', id FROM i;
WITH i AS (INSERT INTO okr.project (key_result_id, name)
    SELECT id, 'New project' FROM okr.key_result WHERE title = 'New key result' RETURNING id)
SELECT 'project', id FROM i;
WITH i AS (INSERT INTO okr.task (project_id, title)
    SELECT id, 'New task' FROM okr.project WHERE name = 'New project' RETURNING id)
SELECT 'task', id FROM i;
SQL
}
# Each statement below breaks a link rule in the restored database.  Prints
# one line per statement, "SQLSTATE: message", then the messages the rules
# should give (SPEC 2: a message that names the rows involved).
rules_apply() {
    PGTZ=Europe/Paris psql -X -At -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TEMP TABLE ids AS SELECT
    (SELECT id FROM okr.project WHERE name = 'Cancelled later: fax support') AS project,
    (SELECT id FROM okr.objective WHERE title = 'Closed early: make the brand known') AS closed,
    (SELECT id FROM okr.key_result WHERE title = 'Increase sales to $120 million') AS kr,
    (SELECT last_value + 1 FROM okr.checkin_id_seq) AS checkin;
SELECT pg_temp.error_of($$INSERT INTO okr.task (project_id, title)
    SELECT id, 'under a cancelled project' FROM okr.project WHERE name = 'Cancelled later: fax support'$$);
SELECT pg_temp.error_of($$INSERT INTO okr.key_result (objective_id, title, target_value, kind)
    SELECT id, 'under a closed objective', 1, 'at_least' FROM okr.objective WHERE title = 'Closed early: make the brand known'$$);
SELECT pg_temp.error_of($$INSERT INTO okr.checkin (key_result_id, value, checked_at)
    SELECT id, 1, '2026-01-01 00:30' FROM okr.key_result WHERE title = 'Increase sales to $120 million'$$);
SELECT pg_temp.error_of($$UPDATE okr.key_result SET current_value = 1 WHERE title = 'Increase sales to $120 million'$$);
SELECT pg_temp.error_of($$INSERT INTO okr.objective (cycle_id, parent_id, title)
    SELECT cycle_id, id, 'aligned under a closed objective' FROM okr.objective WHERE title = 'Closed early: make the brand known'$$);
SELECT '--';
SELECT format('23O06: cannot add new task "under a cancelled project" under project %s: it is cancelled', project) FROM ids;
SELECT format('23O06: cannot add new key result "under a closed objective" under objective %s: it is closed', closed) FROM ids;
SELECT format('23O05: a check-in of key result %s at 2026-01-01 00:30:00+01 falls outside cycle "FY 2025" (2025-01-01 to 2025-12-31)', kr) FROM ids;
SELECT format('428C9: current_value and last_checkin_at of key result %s are maintained from its check-ins', kr) FROM ids;
SELECT format('23O06: new objective "aligned under a closed objective" cannot align to objective %s: it is closed', closed) FROM ids;
SQL
}

# Floating-point numbers in figure lines, to 12 significant digits.
round_figures() {
    perl -pe 'next if /^(table|sequence) /; s/(-?\d+\.\d{6,}(?:e[-+]?\d+)?)/sprintf("%.12g", $1)/ge'
}

try_restore() {         # try_restore NAME FUNCTION FILE as-dumped|reordered
    local name=$1 fn=$2 file=$3 order=$4 db="okr_restore_$1"
    newdb "$db" || { not_ok "$name: create database"; return; }
    if ! check "$name: restore" "$fn" "$db" "$file"; then return; fi
    okr_snapshot -d "$db" >"$work/$name.snap" 2>&1
    if [ "$order" = as-dumped ]; then
        same "$name: every row, sequence and figure (okr.progress, objective_progress, score, views) as in the source" \
            "$work/src.snap" "$work/$name.snap"
    else
        # Rows in another physical order: the figures are sums of doubles
        # taken in scan order, so they may differ in the last bits.  Rows
        # and sequences must be identical; figures agree to 12 digits.
        same "$name: every row and sequence as in the source" \
            <(grep -E '^(table|sequence|invariant)' "$work/src.snap") <(grep -E '^(table|sequence|invariant)' "$work/$name.snap")
        same "$name: every figure (okr.progress, objective_progress, score, views) as in the source, to 12 digits" \
            <(round_figures <"$work/src.snap") <(round_figures <"$work/$name.snap")
        local ulps
        ulps="$(diff <(grep -vE '^(table|sequence|invariant)' "$work/src.snap") <(grep -vE '^(table|sequence|invariant)' "$work/$name.snap") | grep -c '^>')"
        [ "$ulps" -gt 0 ] && echo "# $name: $ulps figure lines differ from the source in the last bits (summation follows the physical row order)"
    fi
    access_probe "$db" >"$work/$name.access" 2>&1
    if [ "$order" = as-dumped ]; then
        same "$name: the scoped writer, the scoped reader and the private objectives behave as in the source" \
            "$work/src.access" "$work/$name.access"
    else
        same "$name: the scoped writer, the scoped reader and the private objectives behave as in the source (figures to 12 digits)" \
            <(round_figures <"$work/src.access") <(round_figures <"$work/$name.access")
    fi
    new_rows "$db" >"$work/$name.ids" 2>&1
    same "$name: new rows get fresh ids, where the source's sequences stood" \
        "$work/next_ids" <(LC_ALL=C sort "$work/$name.ids")
    # once in an ordinary session, once in one set up the way pg_dump's
    # script and pg_restore set theirs up (row_security and
    # check_function_bodies off): new rows are new rows there too.
    local how rfile
    for how in ordinary restore-like; do
        rfile="$work/$name.rules.$how"
        if [ "$how" = ordinary ]; then rules_apply "$db" >"$rfile" 2>&1
        else PGOPTIONS="-c row_security=off -c check_function_bodies=off" rules_apply "$db" >"$rfile" 2>&1; fi
        is "$name: new rows obey the link rules again, $how session (23O06, 23O06, 23O05, 428C9, 23O06)" \
            "$(sed -n '1,/^--$/p' "$rfile" | cut -d: -f1 | tr '\n' ' ')" "23O06 23O06 23O05 428C9 23O06 -- "
        [ "$name" = plain ] && same "$name: their errors name the rows involved, $how session" \
            <(sed -n '/^--$/,$p' "$rfile" | sed 1d) <(sed '/^--$/,$d' "$rfile")
    done
}

try_restore plain restore_plain "$work/dump.sql" as-dumped
try_restore plain_reversed restore_plain "$work/dump-reversed.sql" reordered
try_restore plain_shuffled restore_plain "$work/dump-shuffled.sql" reordered
try_restore custom restore_custom "$work/dump.custom" as-dumped
try_restore custom_parallel restore_parallel "$work/dump.custom" as-dumped

tap_done
