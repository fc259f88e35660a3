#!/bin/bash
# What needs connections or databases of its own (SPEC 8): a role pinned to
# a moment with ALTER ROLE ... SET okr.as_of, honoured although PostgreSQL
# applies it before okr's library is loaded (a placeholder then); a bad
# value that got in that way is an error where it is used (22007), never
# now; and okr.bar in databases whose encoding is not UTF8.
#
# Runs inside pg_virtualenv (test/in_cluster.sh; okr installed):
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 bash test/moments.sh'
# Prints TAP; exits non-zero when a test fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/safety_lib.sh
export PAGER=cat

dbs=(okr_moments okr_ascii okr_latin1)
roles=(okr_quarter_review okr_bad_review)
cleanup() {
    local d r
    for d in "${dbs[@]}"; do dropdb --if-exists "$d" 2>/dev/null; done
    for r in "${roles[@]}"; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" 2>/dev/null; done
}
trap cleanup EXIT
cleanup

# as ROLE SQL: the output of SQL in a new connection of ROLE (errors with
# their SQLSTATE)
password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
as() {
    PGPASSWORD="$password" PGTZ=UTC psql -X -At -v VERBOSITY=sqlstate -h "${PGHOST:-localhost}" \
        -U "$1" -d okr_moments -c "$2" 2>&1
}

createdb okr_moments
psql -X -q -v ON_ERROR_STOP=1 -d okr_moments -v password="$password" >/dev/null <<'SQL'
SET TimeZone = 'UTC';
CREATE EXTENSION okr;
INSERT INTO okr.cycle (name, starts_on, ends_on) VALUES ('ten days', '2026-01-01', '2026-01-10');
INSERT INTO okr.objective (cycle_id, title) VALUES (1, 'Measured');
INSERT INTO okr.key_result (objective_id, title, kind, start_value, target_value)
     VALUES (1, 'metric', 'metric', 0, 100);
INSERT INTO okr.checkin (key_result_id, value, checked_at)
     VALUES (1, 10, '2026-01-02'), (1, 40, '2026-01-04'), (1, 80, '2026-01-08');
CREATE ROLE okr_quarter_review LOGIN PASSWORD :'password';
CREATE ROLE okr_bad_review LOGIN PASSWORD :'password';
SELECT FROM okr.grant_read('okr_quarter_review');
SELECT FROM okr.grant_read('okr_bad_review');
SQL

# Set in sessions where okr is not loaded, so PostgreSQL keeps placeholders
# without checking them.
psql -X -q -d okr_moments -c "ALTER ROLE okr_quarter_review SET okr.as_of = '2026-01-05 00:00'"
psql -X -q -d okr_moments -c "ALTER ROLE okr_bad_review SET okr.as_of = 'today'" 2>/dev/null

is "a new connection of the role has its okr.as_of before okr is loaded (a placeholder)" \
    "$(as okr_quarter_review "SELECT current_setting('okr.as_of') || ' ' || (SELECT count(*) FROM pg_settings WHERE name = 'okr.on_track_ratio')")" \
    "2026-01-05 00:00 0"
is "loading okr keeps the role's moment: okr.as_of() returns it" \
    "$(as okr_quarter_review "SELECT okr.as_of()")" "2026-01-05 00:00:00+00"
is "the role's views compute at that moment: value 40 of Jan 4, progress 0.4, one day since the check-in" \
    "$(as okr_quarter_review "SELECT current_value || ' ' || progress || ' ' || days_since_checkin FROM okr.key_result_report")" \
    "40 0.4 1"
is "objective_report as that role agrees with okr.progress at the moment" \
    "$(as okr_quarter_review "SELECT bool_and(r.progress = p.progress AND r.status = p.status)::text || count(*) FROM okr.objective_report r JOIN okr.progress('2026-01-05 00:00') p ON p.item = 'objective' AND p.id = r.objective_id")" \
    "true1"
is "another role is not pinned: okr.as_of() = now()" \
    "$(psql -X -At -d okr_moments -c "SELECT okr.as_of() = now()")" "t"
is "a role pinned to a relative word: an error where the moment is used (22007), not now" \
    "$(as okr_bad_review "SELECT okr.as_of()" | head -1)" "ERROR:  22007"
is "... and its views fail the same way" \
    "$(as okr_bad_review "SELECT count(*) FROM okr.key_result_report" | head -1)" "ERROR:  22007"
is "a SET before okr is loaded is honoured when it loads" \
    "$(PGTZ=UTC psql -X -q -At -d okr_moments -c "SET okr.as_of = '2026-01-03 00:00'" -c "SELECT okr.as_of()" -c "SELECT current_value FROM okr.key_result_report")" \
    "2026-01-03 00:00:00+00
10"
is "a bad SET before okr is loaded: 22007 where it is used" \
    "$(psql -X -q -At -v VERBOSITY=sqlstate -d okr_moments -c "SET okr.as_of = 'last quarter'" -c "SELECT okr.as_of()" 2>&1)" \
    "ERROR:  22007"
is "a bad SET once okr is loaded: refused at once (22023)" \
    "$(psql -X -q -At -v VERBOSITY=sqlstate -d okr_moments -c "SELECT okr.as_of() IS NOT NULL" -c "SET okr.as_of = 'last quarter'" 2>&1)" \
    "t
ERROR:  22023"

# okr.bar where the encoding is not UTF8: # and -
for enc in SQL_ASCII LATIN1; do
    db=okr_ascii; [ $enc = LATIN1 ] && db=okr_latin1
    createdb -E $enc --locale=C -T template0 $db
    psql -X -q -d $db -c 'CREATE EXTENSION okr'
    is "okr.bar in a $enc database draws # and -" \
        "$(psql -X -At -d $db -c "SELECT okr.bar(0.5, 4) || ' ' || okr.bar(0.125, 4) || ' ' || octet_length(okr.bar(1, 1000)) || ' ' || (okr.bar(NULL) IS NULL)")" \
        "##-- #--- 1000 true"
done
is "okr.bar in a UTF8 database draws U+2588 and U+2591" \
    "$(psql -X -At -d okr_moments -c "SELECT okr.bar(0.5, 4) || ' ' || octet_length(okr.bar(0.5, 4))")" "██░░ 12"

tap_done
