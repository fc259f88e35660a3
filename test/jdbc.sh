#!/bin/bash
# A real BI client: the PostgreSQL JDBC driver (Debian's
# libpostgresql-jdbc-java) driven by test/jdbc/OkrBiClient.java.  Runs inside
# pg_virtualenv (called by test/in_cluster.sh; PGHOST/PGPORT set): loads the
# example organisation into a fresh database, makes a role that may only read,
# and lets the client connect as that role over TCP with a password.
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
# The views report as of now(), which no setting moves.  To check final
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
java -cp "$jar" test/jdbc/OkrBiClient.java \
    "jdbc:postgresql://${PGHOST:-localhost}:${PGPORT:-5432}/$db" "$role" "$password" || rc=$?

dropdb "$db"
rm -f "$demo"
psql -X -q -c "DROP ROLE \"$role\""
exit $rc
