#!/bin/bash
# Installs what building and testing okr needs (Debian 12, as root), then
# builds and installs the extension into the system PostgreSQL 15.
# Sourced by test/run.sh and test/demo.sh; safe to run again.
set -euo pipefail

OKR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export OKR_ROOT

okr_packages="make gcc postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-cron libtap-parser-sourcehandler-pgtap-perl default-jdk-headless libpostgresql-jdbc-java odbc-postgresql unixodbc unixodbc-dev build-essential debhelper postgresql-server-dev-all unzip"

okr_missing_packages() {
    local p missing=""
    for p in $okr_packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    echo "$missing"
}

okr_install_packages() {
    local missing
    missing="$(okr_missing_packages)"
    if [ -n "$missing" ]; then
        echo "okr: installing packages:$missing" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq $missing >/dev/null
    fi
}

okr_build_install() {
    make -C "$OKR_ROOT" -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
    # The system PostgreSQL may hold okr scripts that another checkout
    # installed (a later version's, say), which test/upgrade.sh would take
    # for released versions: install exactly this checkout's.
    rm -f "$(/usr/lib/postgresql/15/bin/pg_config --sharedir)"/extension/okr--*.sql
    make -C "$OKR_ROOT" -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null
}

okr_install_packages
okr_build_install
