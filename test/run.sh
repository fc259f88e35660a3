#!/bin/bash
# Runs every okr test: pg_regress (sql/, expected/) and pgTAP (test/pgtap/)
# against a throwaway PostgreSQL 15 cluster made by pg_virtualenv.
# Usage (as root on Debian 12): bash test/run.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$OKR_ROOT"
# pg_regress writes results/ as the invoking user; the server runs as postgres.
exec pg_virtualenv -v 15 bash "$OKR_ROOT/test/in_cluster.sh"
