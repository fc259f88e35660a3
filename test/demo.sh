#!/bin/bash
# The README's demo: loads an example organisation into a throwaway
# PostgreSQL 15 cluster and prints its goals, progress and status.
# Usage (as root on Debian 12): bash test/demo.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export PAGER=cat
exec pg_virtualenv -v 15 psql -X -q -v ON_ERROR_STOP=1 -f "$OKR_ROOT/test/demo.sql"
