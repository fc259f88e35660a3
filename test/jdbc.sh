#!/bin/bash
# A real BI client: the PostgreSQL JDBC driver (Debian's
# libpostgresql-jdbc-java) driven by test/jdbc/OkrBiClient.java.  Runs inside
# pg_virtualenv (called by test/in_cluster.sh; PGHOST/PGPORT set): loads the
# example organisation into a fresh database, makes a role that may only read,
# and lets the client connect as that role over TCP with a password.  Then
# (access by team, SPEC 9) test/jdbc/OkrScopedClient.java connects as a
# scoped reader and a scoped writer and checks they see and write exactly
# their part.
# Prints TAP ("ok N - ...") and exits non-zero when a check fails.
set -euo pipefail
cd "$OKR_ROOT"
jar=/usr/share/java/postgresql.jar
db=okr_jdbc
role=okr_bi_reader

if ! command -v java >/dev/null || [ ! -r "$jar" ]; then
    echo "not ok 1 - java and $jar are needed (packages default-jdk-headless, libpostgresql-jdbc-java)"
    exit 1
fi

password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
# The views report as of now() unless okr.as_of pins them (not here: the
# unpinned path is what a BI tool gets by default).  To check final
# figures whatever the day, the example is loaded with its dates in 2015
# instead of 2026: 2015 has the same calendar (a Thursday January 1st, no
# February 29th), so every day count, and so every figure, is the same,
# and the last data point (2015-09-29) is long past.  Names ('Q3 2026')
# keep their year; only date literals move.
demo="$(mktemp)"
sed -e "s/'2026-/'2015-/g" test/demo_data.sql >"$demo"
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v role="$role" -v password="$password" -v demo="$demo" <<'SQL'
CREATE EXTENSION okr;
\i :demo
CREATE ROLE :"role" LOGIN PASSWORD :'password';
-- okr.grant_read when the extension has it, else the same by hand:
-- usage of the schema, SELECT on its tables and views, EXECUTE on its
-- functions (the views are security_invoker: they read as the caller).
SELECT EXISTS (SELECT FROM pg_proc
                WHERE proname = 'grant_read' AND pronamespace = 'okr'::regnamespace) AS has_grant_read \gset
\if :has_grant_read
SELECT okr.grant_read(:'role');
\else
GRANT USAGE ON SCHEMA okr TO :"role";
GRANT SELECT ON ALL TABLES IN SCHEMA okr TO :"role";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA okr TO :"role";
\endif
SQL

rc=0
url="jdbc:postgresql://${PGHOST:-localhost}:${PGPORT:-5432}/$db"
java -cp "$jar" test/jdbc/OkrBiClient.java "$url" "$role" "$password" || rc=$?

# Access by team (SPEC 9): the same driver as a scoped reader (EMEA Sales)
# and a scoped writer (Sales), with the Sales and Marketing goals private
# (their titles marked, to find any leak).  What they must see is computed
# here as the owner, without the policies.
if psql -X -At -d "$db" -c "SELECT 1 FROM pg_proc WHERE proname = 'objective_visible'" | grep -q 1; then
    read -r visible parent parent_progress own other < <(
        psql -X -At -F ' ' -v ON_ERROR_STOP=1 -d "$db" -v password="$password" <<'SQL'
\o /dev/null
CREATE ROLE okr_jdbc_scoped_reader LOGIN PASSWORD :'password';
CREATE ROLE okr_jdbc_scoped_writer LOGIN PASSWORD :'password';
SELECT FROM okr.grant_read('okr_jdbc_scoped_reader', (SELECT id FROM okr.team WHERE name = 'EMEA Sales'));
SELECT FROM okr.grant_write('okr_jdbc_scoped_writer', (SELECT id FROM okr.team WHERE name = 'Sales'));
UPDATE okr.objective SET private = true, title = 'PRIVATE ' || title
 WHERE title IN ('Win the enterprise segment', 'Make the brand known');
\o
SELECT (SELECT string_agg(o.id::text, ',' ORDER BY o.id) FROM okr.objective o
         WHERE NOT o.private OR o.team_id = (SELECT id FROM okr.team WHERE name = 'EMEA Sales')),
       p.id, p.progress,
       (SELECT id FROM okr.objective WHERE title = 'Open the DACH market'),
       (SELECT id FROM okr.objective WHERE title = 'Ship a product customers love')
  FROM okr.progress() p
 WHERE p.item = 'objective'
   AND p.id = (SELECT id FROM okr.objective WHERE title = 'Become the market leader in mid-market CRM');
SQL
    )
    java -cp "$jar" test/jdbc/OkrScopedClient.java "$url" okr_jdbc_scoped_reader "$password" \
        okr_jdbc_scoped_writer "$password" "$visible" "$parent" "$parent_progress" "$own" "$other" || rc=$?
fi

dropdb "$db"
rm -f "$demo"
psql -X -q -c "DROP ROLE \"$role\""
psql -X -q -c "DROP ROLE IF EXISTS okr_jdbc_scoped_reader, okr_jdbc_scoped_writer"
exit $rc
