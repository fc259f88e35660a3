#!/bin/bash
# The Debian package (debian/), tested the way a user installs it: builds
# postgresql-15-okr_*.deb with dpkg-buildpackage in a copy of the tree (so
# no build artifact lands in the repository), takes okr's "make install"
# files out of the system PostgreSQL, installs the .deb with apt, runs
# CREATE EXTENSION okr and the regression and isolation tests
# (debian/tests/installcheck, the autopkgtest, which runs "make installcheck"
# in a cluster of its own) against the installed package, removes the
# package and puts the "make install" state back for the later steps.
# Runs inside pg_virtualenv (test/in_cluster.sh), as root; prints TAP.
set -uo pipefail
OKR_ROOT="${OKR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$OKR_ROOT"
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
pkglibdir="$($PG_CONFIG --pkglibdir)"
extdir="$($PG_CONFIG --sharedir)/extension"
version="$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" okr.control)"
pkg=postgresql-15-okr

n=0; failed=0
tap() {  # tap <status> <description>
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
okr_files() {  # every okr file in the system PostgreSQL 15
    ls -d "$pkglibdir/okr.so" "$pkglibdir/bitcode/okr" "$pkglibdir"/bitcode/okr.index.bc \
          "$extdir"/okr.control "$extdir"/okr--*.sql 2>/dev/null
}

work="$(mktemp -d /tmp/okr-package.XXXXXX)"
chmod 755 "$work"   # apt reads the .deb as user _apt
log="$work/log"
installed_deb=0; restored=0
restore() {
    [ $restored -eq 0 ] || return 0
    restored=1
    if [ $installed_deb -eq 1 ] || dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q "install ok installed"; then
        dpkg -r $pkg >>"$log" 2>&1
    fi
    if [ -d "$work/stash" ]; then  # what other checkouts had installed
        (cd "$work/stash" && find . -type f) | while read -r f; do
            f="${f#.}"; [ -e "$f" ] || { mkdir -p "$(dirname "$f")"; mv "$work/stash$f" "$f"; }
        done
    fi
    make -s PG_CONFIG=$PG_CONFIG >>"$log" 2>&1 && make -s PG_CONFIG=$PG_CONFIG install >>"$log" 2>&1
}
trap 'restore; rm -rf "$work"' EXIT

# 1. Build the .deb in a copy of the working tree (tracked and new files).
mkdir "$work/okr"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -co --exclude-standard | tar -cf - --null -T - | tar -xf - -C "$work/okr"
else
    cp -a . "$work/okr" && make -s -C "$work/okr" PG_CONFIG=$PG_CONFIG clean >/dev/null
fi
(cd "$work/okr" && DEB_BUILD_OPTIONS="noddebs nocheck" dpkg-buildpackage -us -uc -b) >>"$log" 2>&1
rc=$?
deb="$(ls "$work"/${pkg}_"$version"-*_*.deb 2>/dev/null | head -1)"
[ $rc -eq 0 ] && [ -n "$deb" ]
tap $? "dpkg-buildpackage -us -uc -b builds ${pkg}_$version-*.deb"
if [ -z "$deb" ]; then
    tail -30 "$log"
    echo "# no package built: the remaining checks cannot run"
    exit 1
fi
contents="$(dpkg-deb -c "$deb")"
grep -q "usr/lib/postgresql/15/lib/okr.so$" <<<"$contents" &&
  grep -q "usr/share/postgresql/15/extension/okr.control$" <<<"$contents" &&
  grep -q "usr/share/postgresql/15/extension/okr--$version.sql$" <<<"$contents"
tap $? "the package holds okr.so, okr.control and okr--$version.sql for PostgreSQL 15"

# 2. A system without okr's "make install" files.  The system PostgreSQL is
#    shared with other checkouts, whose "make install" may have left files
#    this tree does not know (say okr--1.0--1.1.sql): those are set aside in
#    $work/stash and put back at the end.
make -s PG_CONFIG=$PG_CONFIG uninstall >>"$log" 2>&1
tap $? "make uninstall"
mkdir "$work/stash"
for f in $(okr_files); do
    mkdir -p "$work/stash$(dirname "$f")" && mv "$f" "$work/stash$f"
done
left="$(okr_files)"
[ -z "$left" ]
tap $? "no okr file is left in the system PostgreSQL${left:+ (left: $left)}"
createdb okr_pkg
psql -X -q -d okr_pkg -c 'CREATE EXTENSION okr' >>"$log" 2>&1
[ $? -ne 0 ]
tap $? "without them, CREATE EXTENSION okr fails"

# 3. Install the package as the README says (apt install ./postgresql-15-okr_*.deb).
(cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$(basename "$deb")") >>"$log" 2>&1
tap $? "apt-get install ./$(basename "$deb")"
installed_deb=1
owned=1
for f in "$pkglibdir/okr.so" "$extdir/okr.control" "$extdir/okr--$version.sql"; do
    [ "$(dpkg-query -S "$f" 2>/dev/null | cut -d: -f1)" = "$pkg" ] || { owned=0; echo "# $f is not from $pkg"; }
done
[ $owned -eq 1 ]
tap $? "okr.so, okr.control and okr--$version.sql come from the package"

out="$(psql -X -q -At -d okr_pkg -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION okr' \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'okr'" \
        -c "SELECT round(okr.kr_progress('metric', 0, 120, 60)::numeric, 2)" 2>&1)"
[ "$out" = "$version
0.50" ]
tap $? "CREATE EXTENSION okr from the package gives version $version and a working okr.so"
dropdb okr_pkg

# 4. The regression tests against the installed package: the autopkgtest
#    debian/tests/installcheck, one TAP line per pg_regress test.
#    It makes a cluster of its own, so the connection settings of ours go.
out="$(cd "$work/okr" && env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
        -u PG_CLUSTER_CONF_ROOT -u PGSYSCONFDIR -u PG_CONFIG -u PGVERSION \
        bash debian/tests/installcheck 2>&1)"; rc=$?
echo "$out" >>"$log"
tests="$(grep -E '^(test | *)?[a-z_0-9]+ +\.\.\. (ok|FAILED)' <<<"$out" | sed -E 's/^(test )? *//')"
while read -r name _ result _; do
    [ -n "$name" ] || continue
    [ "$result" = ok ]
    tap $? "installed package: make installcheck, $name"
done <<<"$tests"
n_tests=$(grep -c . <<<"$tests")
[ $rc -eq 0 ] && [ "$n_tests" -ge "$(ls sql/*.sql | wc -l)" ]
tap $? "debian/tests/installcheck (autopkgtest) passes: $n_tests tests against the installed package"
[ $rc -eq 0 ] || grep -A30 -E 'regression.diffs|FAILED' <<<"$out" | head -60

# 5. Remove the package, put "make install" back.
dpkg -r $pkg >>"$log" 2>&1
rc=$?
installed_deb=0
left="$(okr_files)"
[ $rc -eq 0 ] && [ -z "$left" ]
tap $? "dpkg -r $pkg removes every okr file${left:+ (left: $left)}"
restore
[ -f "$pkglibdir/okr.so" ] && [ -f "$extdir/okr.control" ] && [ -f "$extdir/okr--$version.sql" ]
tap $? "make install puts okr back for the later steps"

[ $failed -eq 0 ] || { echo "# log:"; tail -40 "$log" | sed 's/^/# /'; }
exit $failed
