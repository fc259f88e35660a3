#!/bin/bash
# A BI client over ODBC, as Excel and Power BI connect: unixODBC and
# Debian's PostgreSQL ODBC driver (odbc-postgresql, psqlODBC) driven by a
# small C program against the ODBC API, test/odbc/okr_odbc_client.c (built
# here with gcc; headers from unixodbc-dev).  Runs inside pg_virtualenv
# (called by test/in_cluster.sh; PGHOST/PGPORT set): loads the example
# organisation into a fresh database, makes a role that may only read,
# with its default search_path, writes a temporary odbcinst.ini and
# odbc.ini (ODBCSYSINI/ODBCINI) with the DSN settings doc/analysts.md
# gives, and lets the client connect through them over TCP with a password.
# Prints TAP ("ok N - ...") and exits non-zero when a check fails.
set -euo pipefail
cd "$OKR_ROOT"
driver=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so
db=okr_odbc
role=okr_odbc_reader

if ! command -v gcc >/dev/null || [ ! -r /usr/include/sql.h ] || [ ! -r "$driver" ]; then
    echo "not ok 1 - gcc, /usr/include/sql.h and $driver are needed (packages gcc, unixodbc-dev, odbc-postgresql)"
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gcc -std=c99 -Wall -Wextra -Werror -O -o "$tmp/okr_odbc_client" test/odbc/okr_odbc_client.c -lodbc -lm

password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
# As test/jdbc.sh: the example with its dates in 2015 instead of 2026 (the
# same calendar), so that its figures are final whatever the day.
sed -e "s/'2026-/'2015-/g" test/demo_data.sql >"$tmp/demo.sql"
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v role="$role" -v password="$password" -v demo="$tmp/demo.sql" <<'SQL'
CREATE EXTENSION okr;
\i :demo
CREATE ROLE :"role" LOGIN PASSWORD :'password';
SELECT okr.grant_read(:'role') \g /dev/null
SQL
objectives="$(psql -X -At -d "$db" -c 'SELECT count(*) FROM okr.objective')"

# The DSNs, in files of our own: ODBCSYSINI is the directory of
# odbcinst.ini (the drivers), ODBCINI the odbc.ini file (the DSNs).  okr
# is the plain DSN; okr_search_path adds ConnSettings, SQL psqlODBC runs
# on connecting, which puts okr first on the session's search_path.
export ODBCSYSINI="$tmp" ODBCINI="$tmp/odbc.ini"
cat >"$ODBCSYSINI/odbcinst.ini" <<INI
[PostgreSQL Unicode]
Description = PostgreSQL ODBC driver (Unicode)
Driver = $driver
INI
dsn() {
    cat <<INI
[$1]
Driver = PostgreSQL Unicode
Servername = ${PGHOST:-localhost}
Port = ${PGPORT:-5432}
Database = $db
SSLmode = prefer
$2
INI
}
{
    dsn okr ""
    dsn okr_search_path 'ConnSettings = SET search_path = okr, "$user", public'
} >"$ODBCINI"

rc=0
"$tmp/okr_odbc_client" okr okr_search_path "$role" "$password" "$objectives" || rc=$?

dropdb "$db"
psql -X -q -c "DROP ROLE \"$role\""
exit $rc
