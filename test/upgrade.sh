#!/bin/bash
# Upgrades (SPEC 5: "Upgrades go through okr--A--B.sql scripts"; README
# "Data safety" says how to add a version).
#
# For every installable version V older than the default one: install V into
# a new database, fill it (test/safety_org.sql), apply each okr--A--B.sql of
# the update path in turn (ALTER EXTENSION okr UPDATE TO each step), then
# check that
#   - the catalog objects of the extension and their definitions (members,
#     function bodies, columns in order, defaults, constraints, indexes,
#     triggers, views, sequences, comments, grants, pg_init_privs, the
#     pg_extension_config_dump registrations) are those of a fresh install of
#     the default version,
#   - the rows of V survived (every column V had) and every computed figure
#     is unchanged,
#   - the upgraded database holds exactly what a fresh install of the default
#     version holds after the same fill (so columns added by an upgrade are
#     backfilled the way the new version computes them), and still works.
# The test also proves that the catalog comparison notices drift, by
# changing objects on purpose.
#
# Runs inside pg_virtualenv (PGHOST, PGPORT, PGUSER set; okr installed):
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 bash test/upgrade.sh'
# Prints TAP; exits non-zero when a test fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/safety_lib.sh
export PAGER=cat
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

work="$(mktemp -d)"
dbs=()
cleanup() {
    local d
    for d in "${dbs[@]}"; do dropdb --if-exists "$d" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
newdb() { dropdb --if-exists "$1" 2>/dev/null; createdb "$1" && dbs+=("$1"); }
sql() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
val() { local db=$1; shift; psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# ---------------------------------------------------------------------------
# The version bookkeeping of the repository and of the installation agree.
# ---------------------------------------------------------------------------
control_version="$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" okr.control)"
make_version="$(sed -n 's/^EXTVERSION *= *//p' Makefile)"
is "okr.control default_version ($control_version) = Makefile EXTVERSION" "$make_version" "$control_version"

extdir="$("$PG_CONFIG" --sharedir)/extension"
missing=""
for f in okr--*--*.sql versions/okr--*.sql "okr--$control_version.sql"; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$extdir/$(basename "$f")" || missing="$missing $(basename "$f")"
done
is "every install and upgrade script of the repository is installed as is" "$missing" ""

newdb okr_versions
default="$(val okr_versions -c "SELECT default_version FROM pg_available_extensions WHERE name = 'okr'")"
is "the installed default version is the repository's" "$default" "$control_version"
mapfile -t versions < <(val okr_versions -c "SELECT version FROM pg_available_extension_versions WHERE name = 'okr' ORDER BY string_to_array(version, '.')::int[]")
is "1.0 is installable (versions: ${versions[*]})" "$(printf '%s\n' "${versions[@]}" | grep -cx '1.0')" "1"

# ---------------------------------------------------------------------------
# A description of the extension's catalog objects, free of OIDs, one line
# per fact, sorted: two databases with the same objects print the same text.
# ---------------------------------------------------------------------------
# catalog DB [CHANGE]: the description; with CHANGE, the description taken
# after applying CHANGE in a transaction that is then rolled back.
read -r -d '' CATALOG_SQL <<'SQL'
WITH ext AS (SELECT e.* FROM pg_extension e WHERE e.extname = 'okr'),
member AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (
    SELECT c.* FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
lines (line) AS (
    SELECT format('extension %s version %s relocatable %s schema %s superuser-only config %s',
                  extname, extversion, extrelocatable, extnamespace::regnamespace,
                  (SELECT string_agg(c::regclass::text || ' ' || coalesce(extcondition[i], 'NULL'), ', ' ORDER BY c::regclass::text)
                   FROM unnest(extconfig) WITH ORDINALITY AS u (c, i)))
    FROM ext
  UNION ALL
    SELECT format('member %s comment %L', pg_describe_object(classid, objid, 0),
                  obj_description(objid, classid::regclass::text))
    FROM member
  UNION ALL
    SELECT format('schema %s acl %s', nspname, nspacl)
    FROM pg_namespace n JOIN member m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
  UNION ALL
    SELECT format('initprivs %s %s %s', pg_describe_object(i.classoid, i.objoid, i.objsubid), i.privtype, i.initprivs)
    FROM pg_init_privs i JOIN member m ON m.classid = i.classoid AND m.objid = i.objoid
  UNION ALL
    SELECT format('function %s acl %s definition %s', p.oid::regprocedure, p.proacl,
                  CASE WHEN p.prokind = 'a'
                       THEN (SELECT format('aggregate kind %s trans %s final %s combine %s serial %s deserial %s stype %s init %s finalmodify %s parallel %s strict %s',
                                           a.aggkind, a.aggtransfn::regprocedure, a.aggfinalfn, a.aggcombinefn,
                                           a.aggserialfn, a.aggdeserialfn, a.aggtranstype::regtype,
                                           a.agginitval, a.aggfinalmodify, p.proparallel, p.proisstrict)
                             FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
                       ELSE pg_get_functiondef(p.oid) END)
    FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
  UNION ALL
    SELECT format('relation %s kind %s persistence %s options %s acl %s rls %s/%s replica identity %s',
                  oid::regclass, relkind, relpersistence, reloptions, relacl,
                  relrowsecurity, relforcerowsecurity, relreplident)
    FROM rel
  UNION ALL
    SELECT format('column %s #%s %s type %s not null %s identity %L generated %L default %s collation %s comment %L',
                  r.oid::regclass,
                  lpad((row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum))::text, 3, '0'),
                  a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  a.attidentity, a.attgenerated, pg_get_expr(ad.adbin, ad.adrelid),
                  CASE WHEN a.attcollation <> 0 THEN a.attcollation::regcollation END,
                  col_description(r.oid, a.attnum))
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
         AND r.relkind <> 'S'
    LEFT JOIN pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
  UNION ALL
    SELECT format('constraint %s %s %s comment %L', r.oid::regclass, co.conname,
                  pg_get_constraintdef(co.oid), obj_description(co.oid, 'pg_constraint'))
    FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid
  UNION ALL
    SELECT format('index %s comment %L', pg_get_indexdef(i.indexrelid),
                  obj_description(i.indexrelid, 'pg_class'))
    FROM rel r JOIN pg_index i ON i.indrelid = r.oid
  UNION ALL
    SELECT format('trigger %s enabled %s comment %L', pg_get_triggerdef(t.oid), t.tgenabled,
                  obj_description(t.oid, 'pg_trigger'))
    FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
  UNION ALL
    SELECT format('policy %s %s %s %s using %s check %s', p.schemaname, p.tablename, p.policyname,
                  p.cmd, p.qual, p.with_check)
    FROM pg_policies p JOIN rel r ON r.oid = format('%I.%I', p.schemaname, p.tablename)::regclass
  UNION ALL
    SELECT format('view %s definition %s', r.oid::regclass, pg_get_viewdef(r.oid))
    FROM rel r WHERE r.relkind IN ('v', 'm')
  UNION ALL
    SELECT format('sequence %s type %s start %s increment %s min %s max %s cache %s cycle %s',
                  r.oid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin,
                  s.seqmax, s.seqcache, s.seqcycle)
    FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid
  UNION ALL
    SELECT format('type %s definition %s', t.oid::regtype,
                  (SELECT string_agg(format('%s %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0)
                  || (SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
    FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
)
SELECT replace(line, E'\n', ' | ') FROM lines;
SQL
catalog() {
    printf 'BEGIN;\n%s;\n%s\nROLLBACK;\n' "${2:-SELECT}" "$CATALOG_SQL" |
        psql -X -At -q -v ON_ERROR_STOP=1 -d "$1" | LC_ALL=C sort
    return "${PIPESTATUS[1]}"
}

# The rows of every table, restricted to the columns listed in the file
# made by columns_of (the columns of the old version), then the figures.
columns_of() {          # columns_of DB > file: "table col,col,..."
    val "$1" -F ' ' -c "
        SELECT c.relname, string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum)
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'okr'::regnamespace AND c.relkind IN ('r', 'p')
        GROUP BY c.relname ORDER BY c.relname"
}
old_rows() {            # old_rows DB COLUMNS_FILE
    local db=$1 table cols
    while read -r table cols; do
        val "$db" -c "SELECT 'table $table: ' || t::text FROM (SELECT $cols FROM okr.$table) t ORDER BY id"
    done <"$2"
    # the sequences of the tables of that version (a later one adds its own)
    local seqs
    seqs="$(cut -d' ' -f1 "$2" | sed 's/$/_id_seq/' | paste -sd'|')"
    # (not the invariant of okr.effort_ledger, a table of 1.1, checked by the fresh-install comparison)
    okr_snapshot -d "$db" | grep -E "^(progress|objective_progress|objective_score|invariant)|^sequence ($seqs) " |
        grep -v '^invariant: (project, done_at) whose okr.effort_ledger'
}

# ---------------------------------------------------------------------------
# The catalog comparison notices drift (so an equal result means something).
# ---------------------------------------------------------------------------
newdb okr_fresh
sql okr_fresh -c 'CREATE EXTENSION okr'
catalog okr_fresh >"$work/fresh.catalog"
check "the catalog description of a fresh install is not empty (members, columns, triggers)" \
    test "$(grep -c '^member ' "$work/fresh.catalog")" -gt 20 -a "$(grep -c '^trigger ' "$work/fresh.catalog")" -gt 5 \
         -a "$(grep -c '^column ' "$work/fresh.catalog")" -gt 40
# Each change is made in a transaction that is rolled back; the description
# taken inside it must differ from the fresh one.
drift_changes=(
    "ALTER TABLE okr.task ALTER COLUMN effort SET DEFAULT 2"
    "ALTER TABLE okr.task ADD COLUMN extra int"
    "ALTER TABLE okr.checkin ALTER COLUMN author TYPE varchar(200)"
    "COMMENT ON FUNCTION okr.grade(double precision, text) IS 'changed'"
    "COMMENT ON COLUMN okr.task.effort IS 'changed'"
    "CREATE OR REPLACE FUNCTION okr.cycle_end(cycle_id bigint) RETURNS timestamptz LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp BEGIN ATOMIC SELECT now(); END"
    "ALTER FUNCTION okr.progress(timestamptz, timestamptz) ROWS 10"
    "DROP TRIGGER okr_10_guard ON okr.task"
    "ALTER TABLE okr.task DISABLE TRIGGER okr_10_guard"
    "DROP INDEX okr.checkin_latest_idx"
    "ALTER TABLE okr.cycle DROP CONSTRAINT cycle_dates_ordered"
    "GRANT SELECT ON okr.task TO PUBLIC"
    "ALTER SEQUENCE okr.task_id_seq INCREMENT BY 2"
    "ALTER EXTENSION okr DROP FUNCTION okr.stale_after()"
    "UPDATE pg_extension SET extconfig = extconfig[2:], extcondition = extcondition[2:] WHERE extname = 'okr'"
)
undetected=""
for change in "${drift_changes[@]}"; do
    if ! catalog okr_fresh "$change" >"$work/drift.catalog" 2>&1; then
        undetected="$undetected
could not apply: $change: $(head -3 "$work/drift.catalog")"
    elif cmp -s "$work/fresh.catalog" "$work/drift.catalog"; then
        undetected="$undetected
not noticed: $change"
    fi
done
is "the comparison notices each of ${#drift_changes[@]} changes to defaults, columns, types, comments, function bodies and options, triggers, indexes, constraints, grants, sequences, membership and dump registration" "$undetected" ""

# ---------------------------------------------------------------------------
# Upgrade from every older version to the default one.  While the default
# is the only version, "from" is the default itself and the path is empty.
# ---------------------------------------------------------------------------
sql okr_fresh -f test/safety_org.sql
# The fill recorded its own history, transaction by transaction; an upgrade
# records each row once, at the upgrade, and past moments follow history
# (SPEC 7).  So the fresh fill's history is made what an upgrade makes of
# the same rows (the update's own last part), and then the figures compare.
sql okr_fresh -c "TRUNCATE okr.cycle_history, okr.team_history, okr.objective_history, okr.key_result_history,
                           okr.checkin_history, okr.project_history, okr.task_history, okr.history_horizon, okr.frozen_score" \
              -f src/update/1.0--1.1-history.sql
OKR_SNAPSHOT_HISTORY=no okr_snapshot -d okr_fresh >"$work/fresh.snap"

still_works() {         # writes after the upgrade: prints "current_value sqlstate"
    PGTZ=Europe/Paris psql -X -At -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
INSERT INTO okr.checkin (key_result_id, value, checked_at)
SELECT id, 100, '2025-10-01 12:00' FROM okr.key_result WHERE title = 'Increase sales to $120 million';
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE stmt; RETURN 'no error'; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $$;
SELECT current_value || ' ' || pg_temp.sqlstate_of($$INSERT INTO okr.task (project_id, title)
    SELECT id, 'x' FROM okr.project WHERE name = 'Cancelled later: fax support'$$)
FROM okr.key_result WHERE title = 'Increase sales to $120 million';
SQL
}

for from in "${versions[@]}"; do
    if [ "$from" = "$default" ] && [ "${#versions[@]}" -gt 1 ]; then continue; fi
    db="okr_from_${from//[^0-9a-zA-Z]/_}"
    steps=()
    if [ "$from" != "$default" ]; then
        path="$(val okr_versions -c "SELECT path FROM pg_extension_update_paths('okr') WHERE source = '$from' AND target = '$default'")"
        if [ -z "$path" ]; then not_ok "$from: an update path leads to $default"; continue; fi
        ok "$from: update path $path"
        IFS=' ' read -r -a steps <<<"$(sed -e 's/--/ /g' <<<"$path" | cut -d' ' -f2-)"
    fi
    newdb "$db"
    check "$from: install version $from and fill an organisation" \
        sql "$db" -c "CREATE EXTENSION okr VERSION '$from'" -f test/safety_org.sql || continue
    columns_of "$db" >"$work/$db.columns"
    old_rows "$db" "$work/$db.columns" >"$work/$db.before" 2>&1
    prev=$from
    for step in "${steps[@]}"; do
        check "$from: ALTER EXTENSION okr UPDATE TO '$step' (okr--$prev--$step.sql)" \
            sql "$db" -c "ALTER EXTENSION okr UPDATE TO '$step'"
        prev=$step
    done
    is "$from: now at version $default" \
        "$(val "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'okr'")" "$default"
    catalog "$db" >"$work/$db.catalog"
    same "$from: catalog objects and definitions are those of a fresh install of $default" \
        "$work/fresh.catalog" "$work/$db.catalog"
    old_rows "$db" "$work/$db.columns" >"$work/$db.after" 2>&1
    same "$from: every row (the columns of $from), sequence and figure survived" \
        "$work/$db.before" "$work/$db.after"
    OKR_SNAPSHOT_HISTORY=no okr_snapshot -d "$db" >"$work/$db.snap" 2>&1
    same "$from: the data equals a fresh install of $default after the same fill (new columns backfilled)" \
        "$work/fresh.snap" "$work/$db.snap"
    # history starts at the upgrade: one first version of every row, equal
    # to it, recorded at the horizon
    is "$from: history starts at the upgrade: one version per row, equal to it, at the horizon" \
        "$(val "$db" -c "SELECT string_agg(t || ' ' || ok::text, ', ' ORDER BY t) FROM (
              SELECT 'cycle' AS t, (SELECT count(*) FROM okr.cycle) = (SELECT count(*) FROM okr.cycle_history h JOIN okr.cycle x USING (id, name, starts_on, ends_on) WHERE h.action = 'insert' AND h.recorded_at = (SELECT horizon FROM okr.history_horizon)) AND (SELECT count(*) FROM okr.cycle_history) = (SELECT count(*) FROM okr.cycle) AS ok
              UNION ALL SELECT 'objective', (SELECT count(*) FROM okr.objective) = (SELECT count(*) FROM okr.objective_history h JOIN okr.objective x USING (id, title, state, weight) WHERE h.action = 'insert' AND h.recorded_at = (SELECT horizon FROM okr.history_horizon)) AND (SELECT count(*) FROM okr.objective_history) = (SELECT count(*) FROM okr.objective)
              UNION ALL SELECT 'key_result', (SELECT count(*) FROM okr.key_result) = (SELECT count(*) FROM okr.key_result_history h JOIN okr.key_result x USING (id, title, kind, state) WHERE h.recorded_at = (SELECT horizon FROM okr.history_horizon)) AND (SELECT count(*) FROM okr.key_result_history) = (SELECT count(*) FROM okr.key_result)
              UNION ALL SELECT 'checkin', (SELECT count(*) FROM okr.checkin_history h JOIN okr.checkin x USING (id, value, checked_at) WHERE h.recorded_at = (SELECT horizon FROM okr.history_horizon)) = (SELECT count(*) FROM okr.checkin)
              UNION ALL SELECT 'task', (SELECT count(*) FROM okr.task_history h JOIN okr.task x USING (id, status, effort) WHERE h.recorded_at = (SELECT horizon FROM okr.history_horizon)) = (SELECT count(*) FROM okr.task)) s")" \
        "checkin true, cycle true, key_result true, objective true, task true"
    is "$from: the upgraded extension still works (check-in sets current_value, rules enforced)" \
        "$(still_works "$db" 2>&1)" "100 23O06"

    # What a user runs: one ALTER EXTENSION okr UPDATE, PostgreSQL picks the path.
    newdb "${db}_direct"
    check "$from: CREATE EXTENSION okr VERSION '$from'; ALTER EXTENSION okr UPDATE" \
        sql "${db}_direct" -c "CREATE EXTENSION okr VERSION '$from'" -c "ALTER EXTENSION okr UPDATE"
    catalog "${db}_direct" >"$work/${db}_direct.catalog"
    same "$from: after a direct update, catalog objects are those of a fresh install of $default" \
        "$work/fresh.catalog" "$work/${db}_direct.catalog"
done

tap_done
