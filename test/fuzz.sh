#!/bin/bash
# The short run of okr's stateful fuzz test (doc/fuzzing.md), part of
# test/run.sh: a fixed seed, one writer alone (deterministic), then three
# writers, a reader and the owner at once; about 20 to 80 seconds (a round
# still running after 180 s counts as a hang).  Prints TAP;
# exits non-zero on a crash, an XX000 or class 58 error, or a broken
# invariant.  OKR_FUZZ_SEED=N picks another seed; extra arguments go to
# test/fuzz/okr_fuzz.pl.  Runs inside pg_virtualenv:
#   flock /tmp/okr-install.lock bash -c 'source test/setup.sh && pg_virtualenv -v 15 bash test/fuzz.sh'
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec perl test/fuzz/okr_fuzz.pl --seed "${OKR_FUZZ_SEED:-11011}" --solo-statements 1500 \
    --statements 500 --sessions 3 --rounds 3 --timeout 180 "$@"
