#!/bin/bash
# Static checks of okr's C code, printed as TAP; exits non-zero when one fails.
# About 10 seconds.  test/in_cluster.sh runs it, so CI enforces it.
# Usage (Debian 12, as root; installs cppcheck when missing): bash test/lint.sh
#
# 1. Every src/*.c compiles with PostgreSQL's own CFLAGS plus -Wall -Wextra
#    -Werror.  The server headers are included as system headers (-isystem)
#    so that warnings inside PostgreSQL's headers (unused parameters of their
#    static inline functions) do not count, while every warning in okr's own
#    code does -- except -Wunused-parameter: okr implements callbacks whose
#    signatures PostgreSQL fixes (GUC check hooks, DestReceiver methods,
#    PG_FUNCTION_ARGS) and legitimately ignores some of their parameters.
#    The Makefile builds with the same warnings.
# 2. cppcheck --enable=warning,style,performance,portability on src/*.c,
#    preprocessed for the platform okr is built on (GCC, x86-64 Linux)
#    instead of every #ifdef configuration of PostgreSQL's headers (which
#    takes minutes and checks Windows code paths).  Findings inside
#    PostgreSQL's headers are suppressed; findings in okr's code are not
#    (an intended exception is marked in the code with
#    "// cppcheck-suppress <id>" and a reason).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
server_inc="$($PG_CONFIG --includedir-server)"
internal_inc="$($PG_CONFIG --includedir)/internal"

if ! command -v cppcheck >/dev/null 2>&1; then
    echo "# lint: installing cppcheck" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cppcheck >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cppcheck >/dev/null 2>&1; }
fi

echo "1..2"
status=0

# 1. strict compile
out=""
for f in src/*.c; do
    # shellcheck disable=SC2046 # pg_config --cflags is a list of flags
    out+="$(gcc $($PG_CONFIG --cflags) -Wall -Wextra -Werror -Wno-unused-parameter \
                -I src -isystem "$server_inc" -isystem "$internal_inc" \
                -c -o /dev/null "$f" 2>&1)"
done
if [ -z "$out" ]; then
    echo "ok 1 - src/*.c compile with -Wall -Wextra -Werror (PostgreSQL's headers as system headers)"
else
    echo "not ok 1 - src/*.c compile with -Wall -Wextra -Werror (PostgreSQL's headers as system headers)"
    sed 's/^/# /' <<<"$out"
    status=1
fi

# 2. cppcheck
if ! command -v cppcheck >/dev/null 2>&1; then
    echo "not ok 2 - cppcheck reports nothing in okr's code # cppcheck is not installed"
    exit 1
fi
out="$(cppcheck -q --enable=warning,style,performance,portability --error-exitcode=1 --inline-suppr \
            --std=c99 -D__GNUC__=12 -D__x86_64__=1 -D__linux__=1 \
            -I src -I "$server_inc" -I "$internal_inc" --suppress='*:/usr/include/*' \
            -j "$(nproc)" src/*.c 2>&1)"
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
    echo "ok 2 - cppcheck reports nothing in okr's code ($(cppcheck --version))"
else
    echo "not ok 2 - cppcheck reports nothing in okr's code ($(cppcheck --version))"
    sed 's/^/# /' <<<"$out"
    status=1
fi
exit $status
