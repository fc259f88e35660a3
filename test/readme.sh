#!/bin/bash
# The documentation's examples, run so that they cannot go stale: every
# ```sql block of README.md and doc/*.md, in order, checked as
# test/readme.pl describes; the README's length and opening commands; every
# relative link (and #anchor) of README.md, DEVELOPER.md, CHANGELOG.md and
# doc/*.md.  Prints TAP.  Runs inside pg_virtualenv (test/in_cluster.sh);
# started outside one, it makes its own (the extension must be installed:
# source test/setup.sh).
set -uo pipefail
OKR_ROOT="${OKR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export OKR_ROOT
if [ -z "${PGPORT:-}" ]; then
    exec pg_virtualenv -v 15 bash "$OKR_ROOT/test/readme.sh"
fi
cd "$OKR_ROOT"
exec perl test/readme.pl
