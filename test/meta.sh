#!/bin/bash
# PGXN: checks META.json (meta-spec 1.0.0) against the build: required keys,
# the extension's name, its version equal to default_version in okr.control
# and EXTVERSION in the Makefile (PGXN wants semantic versions, so "1.0" is
# written "1.0.0" there), the files it names, PostgreSQL >= 15; that
# debian/changelog packages the same version; and that "make dist" builds
# the zip PGXN takes.  Prints TAP.  OKR_ROOT=dir checks another tree.
set -uo pipefail
OKR_ROOT="${OKR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$OKR_ROOT"

n=0; failed=0
tap() {  # tap <status> <description>
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
# meta <perl expression over $m, the decoded META.json>: prints its value
meta() { perl -MJSON::PP -e 'local $/; open my $f, "<", "META.json" or die; my $m = decode_json(<$f>); my $v = eval $ARGV[0]; die $@ if $@; print defined $v ? $v : "", "\n"' "$1" 2>&1; }
semver() { if [[ "$1" =~ ^[0-9]+\.[0-9]+$ ]]; then echo "$1.0"; else echo "$1"; fi; }

control_version="$(sed -n "s/^default_version *= *'\(.*\)'\s*$/\1/p" okr.control)"
make_version="$(sed -n 's/^EXTVERSION *= *\([^ ]*\)\s*$/\1/p' Makefile)"
make_name="$(sed -n 's/^EXTENSION *= *\([^ ]*\)\s*$/\1/p' Makefile)"

perl -MJSON::PP -e 'local $/; open my $f, "<", "META.json" or die; decode_json(<$f>)' 2>/dev/null
tap $? "META.json is valid JSON"

missing="$(meta 'join " ", grep { !exists $m->{$_} } qw(name abstract version maintainer license provides meta-spec prereqs resources tags)')"
[ -z "$missing" ]
tap $? "META.json has name, abstract, version, maintainer, license, provides, meta-spec, prereqs, resources, tags${missing:+ (missing: $missing)}"

spec="$(meta '$m->{"meta-spec"}{version}')"
[ "$spec" = "1.0.0" ]
tap $? "meta-spec version is 1.0.0 (got '$spec')"

name="$(meta '$m->{name}')"; provided="$(meta 'join " ", sort keys %{$m->{provides}}')"
[ "$name" = okr ] && [ "$make_name" = okr ] && [ "$provided" = okr ]
tap $? "name and provides are the extension okr (name '$name', provides '$provided', Makefile '$make_name')"

license="$(meta '$m->{license}')"; maint="$(meta 'ref $m->{maintainer} ? join(", ", @{$m->{maintainer}}) : $m->{maintainer}')"
[ "$license" = postgresql ] && [ -f LICENSE ] && grep -q '^PostgreSQL License' LICENSE && [ -n "$maint" ]
tap $? "license is postgresql, as LICENSE says, and a maintainer is named"

[ -n "$control_version" ] && [ "$control_version" = "$make_version" ]
tap $? "okr.control default_version ('$control_version') equals the Makefile's EXTVERSION ('$make_version')"

version="$(meta '$m->{version}')"; pversion="$(meta '$m->{provides}{okr}{version}')"
[ -n "$control_version" ] && [ "$version" = "$(semver "$control_version")" ] && [ "$version" = "$(semver "$make_version")" ]
tap $? "META.json version ('$version') is default_version ('$control_version') and EXTVERSION ('$make_version')"
[ -n "$control_version" ] && [ "$pversion" = "$(semver "$control_version")" ]
tap $? "provides.okr.version ('$pversion') is default_version ('$control_version')"

file="$(meta '$m->{provides}{okr}{file}')"; doc="$(meta '$m->{provides}{okr}{docfile}')"
[ -n "$file" ] && [ -f "$file" ] && [ -n "$doc" ] && [ -f "$doc" ] && [ -n "$(meta '$m->{provides}{okr}{abstract}')" ]
tap $? "provides.okr names files that exist (file '$file', docfile '$doc') and has an abstract"

pg="$(meta '$m->{prereqs}{runtime}{requires}{PostgreSQL}')"
[ -n "$pg" ] && [ "${pg%%.*}" -ge 15 ] 2>/dev/null
tap $? "prereqs: PostgreSQL >= 15 at run time (got '$pg')"

tags="$(meta 'scalar @{$m->{tags}}')"; repo="$(meta '$m->{resources}{repository}{type}')"
[ "${tags:-0}" -ge 1 ] 2>/dev/null && [ "$repo" = git ]
tap $? "tags are listed and resources name the git repository"

deb="$(sed -n '1s/^okr (\([^)-]*\)-[^)]*).*/\1/p' debian/changelog 2>/dev/null)"
[ -n "$control_version" ] && [ "$deb" = "$control_version" ]
tap $? "debian/changelog packages version '$deb', default_version is '$control_version'"

# make dist: git archive of HEAD as okr-VERSION.zip, every path under okr-VERSION/
if git rev-parse HEAD >/dev/null 2>&1; then
    tmp="$(mktemp -d)"
    make -s dist DIST="$tmp/okr-$make_version.zip" >/dev/null 2>&1
    listing="$(unzip -Z1 "$tmp/okr-$make_version.zip" 2>/dev/null)"
    outside="$(grep -v "^okr-$make_version/" <<<"$listing")"
    [ -n "$listing" ] && [ -z "$outside" ] &&
      grep -qx "okr-$make_version/META.json" <<<"$listing" &&
      grep -qx "okr-$make_version/okr.control" <<<"$listing" &&
      grep -qx "okr-$make_version/Makefile" <<<"$listing"
    tap $? "make dist builds okr-$make_version.zip, every file under okr-$make_version/ (META.json, okr.control, Makefile)"
    rm -rf "$tmp"
else
    n=$((n + 1)); echo "ok $n - # SKIP make dist needs a git checkout"
fi

exit $failed
