#!/bin/bash
# The rollup of now, this checkout against okr 1.0, on the same machine and
# the same data (issue 14: "the full rollup as of now stays within 10 % of
# today's"):  bash test/bench/versus_1_0.sh   (as root on Debian 12)
#
# Builds this checkout and 1.0's last commit (OKR_1_0_COMMIT, the parent of
# the commit that started 1.1) into two private copies of PostgreSQL 15
# under a temporary directory, starts one server on each (shared_buffers
# 2GB), loads each with its own version's benchmark organisation at the
# scale asked for (OKR_BENCH_SCALE: S, M or L, default L), and prints, for
# OKR_BENCH_ROUNDS rounds (3), the median of 9 runs of
# SELECT count(*) FROM okr.progress() on each, taken alternately so that
# both see the same load.  Both sides agree with their plain-SQL reference
# first.  Removes everything it made.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh"
SCALE="${OKR_BENCH_SCALE:-L}"
ROUNDS="${OKR_BENCH_ROUNDS:-3}"
OLD="${OKR_1_0_COMMIT:-f99f5fe}"
declare -A LEVELS=([S]=3 [M]=4 [L]=5)
levels="${LEVELS[$SCALE]:?OKR_BENCH_SCALE is S, M or L}"
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config

work="$(mktemp -d /tmp/okr-versus.XXXXXX)"
chmod 755 "$work"
cleanup() {
    for side in new old; do
        [ -d "$work/$side/data" ] && su postgres -c "$work/$side/bin/pg_ctl -D $work/$side/data -m immediate stop" >/dev/null 2>&1 || true
    done
    git -C "$OKR_ROOT" worktree remove --force "$work/src-old" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# side NAME SOURCE PORT: a relocatable copy of the system PostgreSQL with
# okr built from SOURCE installed into it, and a running server
side() {
    local name="$1" src="$2" port="$3" root="$work/$1"
    mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
    cp -a /usr/lib/postgresql/15 "$root/usr/lib/postgresql/"
    cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
    rm -f "$root/usr/share/postgresql/15/extension"/okr--*.sql
    make -C "$src" -s PG_CONFIG=$PG_CONFIG >/dev/null
    make -C "$src" -s install DESTDIR="$root" PG_CONFIG=$PG_CONFIG >/dev/null
    ln -s "$root/usr/lib/postgresql/15/bin" "$root/bin"
    chown -R postgres "$root"
    su postgres -c "$root/bin/initdb -D $root/data -U postgres -A trust" >/dev/null
    printf "port=%s\nunix_socket_directories='%s'\nlisten_addresses=''\nshared_buffers=2GB\nwork_mem=64MB\nmax_wal_size=8GB\nfsync=off\n" \
        "$port" "$root" >> "$root/data/postgresql.conf"
    su postgres -c "$root/bin/pg_ctl -D $root/data -l $root/log -w start" >/dev/null
    psql -X -q -h "$root" -p "$port" -U postgres -d postgres -c "CREATE DATABASE okr_versus" >/dev/null
    psql -X -q -h "$root" -p "$port" -U postgres -d okr_versus -c "CREATE EXTENSION okr" >/dev/null
    psql -X -q -h "$root" -p "$port" -U postgres -d okr_versus -v levels="$levels" \
        -f "$src/test/bench/generate.sql" >/dev/null
    psql -X -q -h "$root" -p "$port" -U postgres -d okr_versus -f "$src/test/bench/reference.sql" >/dev/null
    echo "$name: okr $(psql -X -At -h "$root" -p "$port" -U postgres -d okr_versus \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'okr'"), agrees with its reference to \
$(psql -X -At -h "$root" -p "$port" -U postgres -d okr_versus -c "SELECT bench.max_diff(now())")"
}
median() {
    psql -X -At -h "$work/$1" -p "$2" -U postgres -d okr_versus \
        -c "SELECT round(bench.median_ms(\$q\$SELECT count(*) FROM okr.progress()\$q\$, 9)::numeric, 1)"
}

git -C "$OKR_ROOT" worktree add --detach "$work/src-old" "$OLD" >/dev/null 2>&1
echo "okr.progress() at scale $SCALE: this checkout ($(git -C "$OKR_ROOT" rev-parse --short HEAD)) against 1.0 ($OLD)"
side new "$OKR_ROOT" 5590
side old "$work/src-old" 5591
for i in $(seq 1 "$ROUNDS"); do
    o=$(median old 5591); n=$(median new 5590)
    echo "round $i: 1.0 $o ms, this checkout $n ms: $(python3 -c "print(f'{$n/$o:.2f}')")x"
done
# the checkout's own build artefacts are rebuilt by the next make
