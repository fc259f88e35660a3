#!/usr/bin/perl
# Run by test/readme.sh (inside pg_virtualenv, from the top of the tree).
#
# The ```sql blocks of README.md, then of each doc/*.md, run in order, each
# block as one psql session (psql -X -At, ON_ERROR_STOP), in a new database
# per file; a block that does not run to the end fails.  Within a block:
#   STATEMENT;  -- returns X   the statement must print exactly X (unaligned,
#                               tuples only, columns separated by |)
#   STATEMENT;  -- error XXXXX the statement must fail with SQLSTATE XXXXX
# (the comment sits on the line where the statement ends).  The HTML comment
# <!-- readme-test: example organisation --> before a block switches to a new
# database with okr and the demo's organisation (test/demo_data.sql) for the
# blocks after it.  Databases and roles the examples create are dropped at
# the end of each file.  Prints TAP.
use strict;
use warnings;

my $n = 0;
my $failed = 0;
sub tap {
    my ($ok, $desc) = @_;
    $n++;
    print(($ok ? "ok" : "not ok"), " $n - $desc\n");
    $failed = 1 unless $ok;
}
sub slurp { my ($f) = @_; open(my $fh, '<', $f) or return undef; local $/; my $s = <$fh>; return $s; }
sub sh_quote { my ($s) = @_; $s =~ s/'/'\\''/g; return "'$s'"; }
sub psql_cmd { my ($db, @rest) = @_; return join(' ', 'psql -X -q -At -v ON_ERROR_STOP=1 -d', sh_quote($db), @rest); }
sub roles { return { map { chomp; ($_ => 1) } `psql -X -q -At -d postgres -c "SELECT rolname FROM pg_roles"` }; }

my $tmp = "/tmp/okr-readme.$$";
mkdir $tmp or die "mkdir $tmp: $!";
my $dbseq = 0;
my @dbs;

sub new_db {
    my ($org) = @_;
    my $db = "okr_readme_" . (++$dbseq);
    system("dropdb --if-exists $db >/dev/null 2>&1; createdb $db") == 0 or return (undef, "createdb $db failed");
    push @dbs, $db;
    if ($org) {
        my $out = `@{[psql_cmd($db, '-c "CREATE EXTENSION okr"', "-f test/demo_data.sql")]} 2>&1`;
        return (undef, "loading test/demo_data.sql failed: $out") if $?;
    }
    return ($db, "");
}

# Split a block into statements; returns the psql script and the checks.
sub block_script {
    my ($lines, $first_line) = @_;
    my (@script, @checks, @stmt);
    my $lineno = $first_line;
    for my $l (@$lines) {
        push @stmt, $l;
        my ($code, $comment) = ($l, "");
        if ($l =~ /^(.*?)\s*--\s*(.*)$/) { ($code, $comment) = ($1, $2); }
        if ($code =~ /;\s*$/) {
            my $text = join("\n", @stmt);
            if ($comment =~ /^returns\s+(.*?)\s*$/) {
                my $id = scalar @checks;
                push @checks, { kind => 'returns', want => $1, line => $lineno, id => $id };
                push @script, "\\echo '\@\@begin $id'", $text, "\\echo '\@\@end $id'";
            } elsif ($comment =~ /^error\s+([0-9A-Z]{5})\b/) {
                my $id = scalar @checks;
                push @checks, { kind => 'error', want => $1, line => $lineno, id => $id };
                push @script, "\\set ON_ERROR_STOP 0", $text, "\\echo '\@\@sqlstate $id' :SQLSTATE", "\\set ON_ERROR_STOP 1";
            } else {
                push @script, $text;
            }
            @stmt = ();
        }
        $lineno++;
    }
    push @script, @stmt;
    push @script, "\\echo '\@\@done'";
    return (join("\n", @script) . "\n", \@checks);
}

sub run_file {
    my ($file) = @_;
    my $text = slurp($file);
    my @lines = split /\n/, $text, -1;
    my $roles_before = roles();
    my ($db, $err) = new_db(0);
    my $blocks = 0;
    my ($in, $start, @block);
    for (my $i = 0; $i <= $#lines; $i++) {
        my $l = $lines[$i];
        if (!$in && $l =~ /<!--\s*readme-test:\s*example organisation\s*-->/) {
            ($db, $err) = new_db(1);
            tap(defined $db, "$file line " . ($i + 1) . ": a database with the example organisation$err");
            next;
        }
        if (!$in && $l =~ /^```sql\s*$/) { $in = 1; $start = $i + 2; @block = (); next; }
        if ($in && $l =~ /^```\s*$/) {
            $in = 0;
            $blocks++;
            my ($script, $checks) = block_script(\@block, $start);
            my $sf = "$tmp/block$blocks.sql";
            open(my $fh, '>', $sf) or die; print $fh $script; close $fh;
            my $out = defined $db ? `@{[psql_cmd($db, '-f', $sf)]} 2>$tmp/stderr` : "";
            my $rc = defined $db ? $? : -1;
            my $stderr = slurp("$tmp/stderr") // "";
            my $done = $out =~ /^\@\@done$/m;
            tap($rc == 0 && $done, "$file line " . ($start - 1) . ": the sql block runs"
                . ($rc == 0 && $done ? "" : " (psql: " . join(" ", grep { /\S/ } split /\n/, $stderr) . ")"));
            for my $c (@$checks) {
                if ($c->{kind} eq 'returns') {
                    my ($got) = $out =~ /^\@\@begin $c->{id}\n(.*?)^\@\@end $c->{id}$/ms;
                    $got = defined $got ? join("; ", split /\n/, $got) : "(not run)";
                    tap($got eq $c->{want}, "$file line $c->{line} returns $c->{want}" . ($got eq $c->{want} ? "" : " (got: $got)"));
                } else {
                    my ($got) = $out =~ /^\@\@sqlstate $c->{id} (\S+)$/m;
                    $got //= "(not run)";
                    tap($got eq $c->{want}, "$file line $c->{line} fails with SQLSTATE $c->{want}" . ($got eq $c->{want} ? "" : " (got: $got)"));
                }
            }
            next;
        }
        push @block, $l if $in;
    }
    # what the examples left behind
    system("dropdb --if-exists $_ >/dev/null 2>&1") for @dbs;
    @dbs = ();
    my $roles_after = roles();
    for my $r (sort keys %$roles_after) {
        next if $roles_before->{$r};
        system("psql -X -q -d postgres -c " . sh_quote(qq{DROP ROLE "$r"}) . " >/dev/null 2>&1");
    }
    return $blocks;
}

# 1. The README: length and its opening.
my $readme = slurp("README.md") // "";
my $nlines = () = $readme =~ /\n/g;
tap($nlines <= 350, "README.md is at most 350 lines ($nlines)");
my ($first_block) = $readme =~ /^```\w*\n(.*?)^```/ms;
$first_block //= "";
tap($first_block =~ m{^bash test/demo\.sh\b}m && $first_block =~ m{^bash test/run\.sh\b}m,
    "README.md opens with bash test/demo.sh and bash test/run.sh");

# 2. The examples.
my $total = run_file("README.md");
tap($total > 0, "README.md has sql blocks ($total)");
for my $f (sort glob("doc/*.md")) {
    next unless (slurp($f) // "") =~ /^```sql\s*$/m;
    run_file($f);
}

# 3. Links between the documents.
sub slugs {
    my ($file) = @_;
    my %s;
    my $in = 0;
    for (split /\n/, slurp($file) // "") {
        if (/^```/) { $in = !$in; next; }
        next if $in;
        next unless /^#+\s+(.*?)\s*$/;
        my $h = lc $1;
        $h =~ s/`//g;
        $h =~ s/[^\w\- ]//g;
        $h =~ s/ /-/g;
        $s{$h} = 1;
    }
    return \%s;
}
my @docs = grep { -f } ("README.md", "DEVELOPER.md", "CHANGELOG.md", sort glob("doc/*.md"));
my ($nlinks, @broken) = (0);
for my $f (@docs) {
    my $in = 0;
    my $dir = $f =~ m{^(.*)/} ? "$1/" : "";
    for (split /\n/, slurp($f)) {
        if (/^```/) { $in = !$in; next; }
        next if $in;
        (my $l = $_) =~ s/(`+).*?\1//g;
        while ($l =~ /\]\(([^)\s]+)\)/g) {
            my $target = $1;
            next if $target =~ /^[a-z]+:/;
            $nlinks++;
            my ($path, $anchor) = split /#/, $target, 2;
            my $p = $path eq "" ? $f : "$dir$path";
            1 while $p =~ s{(^|/)[^/.][^/]*/\.\./}{$1};
            if (!-e $p) { push @broken, "$f: $target"; next; }
            if (defined $anchor && $anchor ne "" && !slugs($p)->{$anchor}) { push @broken, "$f: $target (no such heading)"; }
        }
    }
}
tap(!@broken && $nlinks > 0, "the $nlinks relative links of README.md, DEVELOPER.md, CHANGELOG.md and doc/*.md resolve"
    . (@broken ? " (broken: " . join(", ", @broken) . ")" : ""));

system("rm", "-rf", $tmp);
exit $failed;
