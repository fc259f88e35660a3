#!/bin/bash
# The okr benchmark: bash test/bench/bench.sh   (as root on Debian 12)
# Builds and installs okr, starts a throwaway cluster and measures, at scales
# S, M and L, the rollup against a plain-SQL reference and against a bare
# scan, objective_progress, and write throughput against trigger-less copies.
# Environment: OKR_BENCH_SCALES ("S M L"), OKR_BENCH_RUNS (5),
# OKR_BENCH_PGBENCH_SECONDS (10), OKR_BENCH_CLIENTS (4).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh"
exec pg_virtualenv -v 15 -o shared_buffers=2GB -o max_wal_size=8GB -o work_mem=64MB \
    bash "$OKR_ROOT/test/bench/run_bench.sh"
