#!/bin/bash
# Runs every okr test: pg_regress (sql/, expected/) and pgTAP (test/pgtap/)
# against a throwaway PostgreSQL 15 cluster made by pg_virtualenv.
# Usage (as root on Debian 12): bash test/run.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$OKR_ROOT"
# pg_regress writes results/ as the invoking user; the server runs as postgres.
# pg_cron is preloaded for test/cron.sh, running jobs from database okr_cron
# (which that test creates) in background workers (no password needed).
exec pg_virtualenv -v 15 -o shared_preload_libraries=pg_cron -o cron.database_name=okr_cron \
    -o cron.use_background_workers=on -o max_worker_processes=16 bash "$OKR_ROOT/test/in_cluster.sh"
