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
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v role="$role" -v password="$password" <<'SQL'
CREATE EXTENSION okr;
\i test/demo_data.sql
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
psql -X -q -c "DROP ROLE \"$role\""
exit $rc
