#!/usr/bin/perl
# okr's stateful fuzz test (doc/fuzzing.md).
#
# From a seed, generates SQL scripts that write through every okr table
# (explicit and extreme ids, savepoints, ROLLBACK TO, SET CONSTRAINTS
# okr.okr_90_maintain IMMEDIATE/DEFERRED, TRUNCATE, cursors, parallel
# modes) and call every function of schema okr (found in pg_proc, so new
# ones are covered; set-returning ones in every position), as a writer role
# (okr.grant_write), a reader role (okr.grant_read) and the owner, and runs
# them through psql, several sessions at once.  Fails (TAP "not ok") on
#   - a server crash (psql loses its connection, the postmaster log says
#     "terminated by signal", or the checkpointer was restarted),
#   - any SQLSTATE XX000 (internal error) or of class 58 (system error),
#   - a broken invariant: during the run (SQLSTATE class FZ, raised by
#     test/fuzz/helpers.sql after COMMITs) and afterwards: rule 4, the
#     effort sums, no parent_id cycle, the reports readable by a reader,
#     okr.progress() complete, refresh_maintained() finding nothing.
# The seed, the failing statements and their transactions are printed, and
# the scripts are kept, so a failure can be reproduced.
#
# Perl core modules and psql only.  Runs inside pg_virtualenv (PGHOST,
# PGPORT, PGUSER set, okr installed), as test/fuzz.sh does:
#   perl test/fuzz/okr_fuzz.pl --seed 11 --statements 300 --sessions 3
#   perl test/fuzz/okr_fuzz.pl --seed 7 --duration 600     # long run
use strict;
use warnings;
use Getopt::Long;
use File::Temp qw(tempdir);
use File::Basename qw(dirname);
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(time sleep);

my %opt = (
    seed => undef, statements => 300, sessions => 3, rounds => 2, duration => 0,
    db => 'okr_fuzz', workdir => undef, keep => 0, 'max-restarts' => 4,
    'solo-statements' => undef, 'stop-on-failure' => 1, log => $ENV{OKR_FUZZ_LOG},
    timeout => 120, 'dry-run' => 0, 'avoid-known' => 0,
);
GetOptions(\%opt, 'seed=i', 'statements=i', 'sessions=i', 'rounds=i', 'duration=i', 'db=s',
           'workdir=s', 'keep!', 'max-restarts=i', 'solo-statements=i', 'stop-on-failure!',
           'log=s', 'timeout=i', 'dry-run!', 'help', 'avoid-known!')
    or die "usage: see the head of $0\n";
if ($opt{help}) { open my $f, '<', $0; while (<$f>) { last unless /^#/; print } exit 0 }
$opt{seed} //= int(time()) % 1000000;
$opt{'solo-statements'} //= $opt{statements};
my $here = dirname(__FILE__);
my $work = $opt{workdir} // tempdir('okr_fuzz.XXXXXX', TMPDIR => 1, CLEANUP => 0);
mkdir $work;
chmod 0755, $work;

my $DB = $opt{db};
my @failures;          # [kind, text]
my $tap_n = 0;
my $tap_failed = 0;
sub tap {
    my ($good, $desc, @diag) = @_;
    $tap_n++;
    print(($good ? "ok" : "not ok") . " $tap_n - $desc\n");
    $tap_failed++ unless $good;
    print map { "# $_\n" } map { split /\n/ } @diag unless $good;
}
sub note { print map { "# $_\n" } map { split /\n/ } @_ }

# ---------------------------------------------------------------------------
# psql helpers
# ---------------------------------------------------------------------------
sub psql_capture {      # psql_capture(db, sql) -> (rc, stdout+stderr)
    my ($db, $sql) = @_;
    my $f = "$work/q.$$.sql";
    open my $fh, '>', $f or die; print $fh $sql; close $fh;
    my $out = `psql -X -At -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d '$db' -f '$f' 2>&1`;
    return ($? >> 8, $out);
}
sub psql_value { my ($rc, $out) = psql_capture(@_); chomp $out; return $rc ? undef : $out }
sub psql_checked { wait_for_server(); my ($rc, $out) = psql_capture(@_); chomp $out; return ($rc ? undef : $out, $out) }

sub wait_for_server {
    for (1 .. 120) {
        my $r = `psql -X -At -d postgres -c 'SELECT 1' 2>/dev/null`;
        return 1 if defined $r && $r =~ /^1/;
        sleep 0.25;
    }
    return 0;
}

# The server log and the checkpointer's pid: a crash makes the postmaster
# kill every process and start new ones.
sub find_log {
    return $opt{log} if $opt{log};
    my $port = $ENV{PGPORT} // 5432;
    for (`pg_lsclusters -h 2>/dev/null`) {
        my @f = split ' ';
        return $f[6] if @f >= 7 && $f[2] eq $port;
    }
    return undef;
}
my $logfile = find_log();
my $log_offset = ($logfile && -r $logfile) ? -s $logfile : 0;
sub read_log_since {
    return '' unless $logfile && -r $logfile;
    open my $fh, '<', $logfile or return '';
    seek $fh, $log_offset, 0;
    local $/; my $t = <$fh> // ''; close $fh;
    return $t;
}
sub checkpointer_pid { psql_value('postgres', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'") }

# ---------------------------------------------------------------------------
# Random choices (perl's rand is drand48: the same on every platform)
# ---------------------------------------------------------------------------
sub pick { $_[int(rand(@_))] }
sub chance { rand() < $_[0] }
sub wpick {             # wpick(weight => item, ...)
    my @a = @_; my $t = 0; $t += $a[$_] for grep { !($_ % 2) } 0 .. $#a;
    my $r = rand($t);
    for (my $i = 0; $i < @a; $i += 2) { return $a[$i + 1] if ($r -= $a[$i]) < 0 }
    return $a[-1];
}
sub lit { my $s = shift; $s =~ s/'/''/g; "'$s'" }

my @TABLES = qw(cycle team objective key_result checkin project task);
my @EXTREME_IDS = ('-9223372036854775808', '-9223372036854775807', '-1', '0', '9223372036854775807',
                   '9223372036854775806', '5000000000000000000', '-5000000000000000000',
                   '4611686018427387904', '-4611686018427387905', '4294967296', '2147483648', '1000000000000');
# --avoid-known: ids whose span the id maps of okr 1.0 survive (issue 11, item 1)
@EXTREME_IDS = ('-1', '0', '-1000', '10000', '-2') if $opt{'avoid-known'};
sub small_id { 1 + int(rand(16)) }
# an id to refer to a row (a parent, a row to update)
sub ref_id {
    my $t = shift;
    return wpick(60 => small_id(), 12 => pick(@EXTREME_IDS), 8 => "(SELECT max(id) FROM okr.$t)",
                 8 => "(SELECT min(id) FROM okr.$t)", 4 => 'NULL',
                 8 => "(SELECT id FROM okr.$t ORDER BY id OFFSET " . int(rand(20)) . " LIMIT 1)");
}
# an explicit id for a new row (OVERRIDING SYSTEM VALUE)
sub new_id {
    return wpick(40 => 100 + int(rand(60)), 30 => pick(@EXTREME_IDS),
                 15 => ($opt{'avoid-known'} ? 500 + int(rand(500)) : (1 + int(rand(9))) . '000000000000000' . int(rand(10))), 15 => small_id());
}
my @STAMPS = ('2025-01-01 00:00', '2025-02-01 10:00', '2025-03-01 10:00', '2025-06-30 23:59:59.999999',
              '2025-12-31 23:59:59', '2026-01-10 00:00', '2026-03-01 00:00', '2026-06-06 00:00');
sub stamp {
    return wpick(50 => lit(pick(@STAMPS) . '+00'),
                 25 => sprintf("'2025-01-01+00'::timestamptz + interval '%d hours'", int(rand(16000))),
                 5 => 'now()', 3 => "now() - interval '1 day'", 3 => lit('infinity'), 2 => lit('-infinity'),
                 3 => lit('2030-01-01'), 2 => lit('294276-12-31 23:59:59+00'), 2 => lit('4713-01-01 00:00+00 BC'),
                 5 => 'NULL');
}
sub day {
    return wpick(60 => lit(pick('2025-01-01', '2025-03-31', '2025-04-01', '2025-06-30', '2025-12-31',
                               '2026-01-01', '2026-06-30', '2026-12-31', '2020-01-01', '2029-12-31')),
                 15 => sprintf("'2025-01-01'::date + %d", int(rand(800)) - 100),
                 5 => lit('infinity'), 5 => lit('0001-01-01'), 5 => lit('9999-12-31'), 5 => 'NULL', 5 => lit('5874897-12-31'));
}
sub num {
    return wpick(40 => pick(0, 1, 5, 9, 10, -1, 100, 50, 3), 15 => int(rand(200)) - 50,
                 10 => sprintf('%.3f', rand(20) - 5), 5 => 'NULL', 3 => lit('NaN') . '::numeric',
                 3 => lit('Infinity') . '::numeric', 3 => '1e20', 3 => '-1e20', 3 => '0.000000000000000000001',
                 3 => "repeat('9', 200)::numeric", 2 => '1e131071', 2 => '123456789012345678901234567890.5');
}
sub flt {
    return wpick(40 => pick(0, 1, 2, 0.5, 3), 10 => sprintf('%.4f', rand(10)), 5 => '-1', 5 => 'NULL',
                 3 => lit('NaN'), 3 => lit('Infinity'), 3 => '1e308', 3 => '5e-324', 3 => '1e-300');
}
sub txt { wpick(70 => lit('x' . int(rand(1000))), 5 => lit(''), 5 => 'NULL', 5 => "repeat('é', 3000)", 5 => lit("it's")) }
sub name_val { my $p = shift; wpick(80 => lit("$p" . int(rand(100000))), 10 => lit("$p" . int(rand(5))), 10 => 'NULL') }

sub okr_kind { wpick(90 => lit(pick(qw(metric at_least at_most milestone projects))), 5 => lit('paused'), 5 => 'NULL') }
sub obj_state { wpick(90 => lit(pick(qw(draft active active closed cancelled))), 5 => lit('paused'), 5 => 'NULL') }
sub proj_state { wpick(95 => lit(pick(qw(planned active active done cancelled))), 5 => lit('x')) }
sub task_status { wpick(95 => lit(pick(qw(todo doing done done cancelled))), 5 => lit('paused')) }

# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------
sub ins_cols {          # ins_cols(table, explicit_id?) -> INSERT statement
    my ($t, $explicit) = @_;
    my %c;
    if ($t eq 'cycle') {
        my $s = day(); my $e = chance(0.8) ? "($s)::date + " . pick(0, 30, 90, 364, 800) : day();
        %c = (name => name_val('c'), starts_on => $s, ends_on => $e);
        $c{parent_id} = ref_id('cycle') if chance(0.5);
    } elsif ($t eq 'team') {
        %c = (name => name_val('t'));
        $c{parent_id} = ref_id('team') if chance(0.6);
    } elsif ($t eq 'objective') {
        %c = (cycle_id => ref_id('cycle'), title => txt());
        $c{parent_id} = ref_id('objective') if chance(0.6);
        $c{team_id} = ref_id('team') if chance(0.3);
        $c{kind} = lit(pick('committed', 'aspirational', 'stretch')) if chance(0.3);
        $c{weight} = flt() if chance(0.3);
        $c{rollup} = lit(pick('both', 'key_results', 'children', 'none')) if chance(0.3);
        $c{state} = obj_state() if chance(0.3);
    } elsif ($t eq 'key_result') {
        %c = (objective_id => ref_id('objective'), title => txt(), kind => okr_kind());
        $c{start_value} = num() if chance(0.7);
        $c{target_value} = num() if chance(0.8);
        $c{weight} = flt() if chance(0.3);
        $c{state} = lit(pick('active', 'cancelled', 'paused')) if chance(0.2);
        $c{current_value} = num() if chance(0.05);
    } elsif ($t eq 'checkin') {
        %c = (key_result_id => ref_id('key_result'), value => num());
        $c{checked_at} = stamp() if chance(0.9);
        $c{confidence} = pick('0', '0.5', '1', '1.5', 'NULL', "'NaN'") if chance(0.3);
    } elsif ($t eq 'project') {
        %c = (key_result_id => ref_id('key_result'), name => txt());
        $c{weight} = flt() if chance(0.3);
        $c{state} = proj_state() if chance(0.4);
        $c{is_open} = pick('true', 'false') if chance(0.05);
    } elsif ($t eq 'task') {
        %c = (project_id => ref_id('project'), title => txt());
        $c{status} = task_status() if chance(0.7);
        $c{effort} = wpick(80 => pick(1, 2, 3, 0.5, 8, 13), 5 => '0', 5 => '1e300', 5 => '1e-300', 5 => lit('NaN')) if chance(0.8);
        $c{done_at} = stamp() if chance(0.3);
        $c{due_on} = day() if chance(0.2);
    }
    my @k = sort keys %c;
    my $ovr = '';
    if ($explicit) { unshift @k, 'id'; $c{id} = new_id(); $ovr = ' OVERRIDING SYSTEM VALUE' }
    my $rows = 1;
    if (chance(0.1) && $t =~ /^(checkin|task)$/) {
        # several rows at once, equal times included (rule 4: ties by id)
        my @v; for (1 .. 2 + int(rand(4))) { push @v, '(' . join(', ', map { $_ eq 'id' ? new_id() : $c{$_} } @k) . ')' }
        return "INSERT INTO okr.$t (" . join(', ', @k) . ")$ovr VALUES " . join(', ', @v);
    }
    return "INSERT INTO okr.$t (" . join(', ', @k) . ")$ovr VALUES (" . join(', ', map { $c{$_} } @k) . ')';
}

sub upd {
    my $t = shift;
    my $set;
    if ($t eq 'cycle') {
        $set = wpick(30 => 'parent_id = ' . ref_id('cycle'), 30 => 'starts_on = ' . day(), 30 => 'ends_on = ' . day(),
                     10 => 'parent_id = NULL');
    } elsif ($t eq 'team') {
        $set = wpick(70 => 'parent_id = ' . ref_id('team'), 15 => 'parent_id = NULL', 15 => 'name = ' . name_val('t'));
    } elsif ($t eq 'objective') {
        $set = wpick(30 => 'parent_id = ' . ref_id('objective'), 10 => 'parent_id = NULL', 10 => 'cycle_id = ' . ref_id('cycle'),
                     15 => 'state = ' . obj_state(), 10 => 'weight = ' . flt(), 10 => 'rollup = ' . lit(pick('both', 'key_results', 'children')),
                     5 => 'team_id = ' . ref_id('team'), 5 => 'kind = ' . lit(pick('committed', 'aspirational')), 5 => 'title = ' . txt());
    } elsif ($t eq 'key_result') {
        $set = wpick(15 => 'objective_id = ' . ref_id('objective'), 15 => 'kind = ' . okr_kind(), 15 => 'target_value = ' . num(),
                     10 => 'start_value = ' . num(), 10 => 'state = ' . lit(pick('active', 'cancelled')), 10 => 'weight = ' . flt(),
                     10 => 'current_value = ' . num(), 5 => 'last_checkin_at = ' . stamp(), 5 => 'current_progress = ' . flt(),
                     5 => 'title = ' . txt());
    } elsif ($t eq 'checkin') {
        $set = wpick(35 => 'value = ' . num(), 30 => 'checked_at = ' . stamp(), 20 => 'key_result_id = ' . ref_id('key_result'),
                     10 => 'confidence = ' . pick('0.1', '1', '2'), 5 => 'value = value + 1, checked_at = checked_at + interval \'1 second\'');
    } elsif ($t eq 'project') {
        $set = wpick(30 => 'state = ' . proj_state(), 25 => 'key_result_id = ' . ref_id('key_result'), 20 => 'weight = ' . flt(),
                     10 => 'is_open = ' . pick('true', 'false'), 15 => 'name = ' . txt());
    } elsif ($t eq 'task') {
        $set = wpick(35 => 'status = ' . task_status(), 20 => 'project_id = ' . ref_id('project'),
                     20 => 'effort = ' . wpick(80 => pick(1, 2, 5, 0.25), 20 => pick('0', '1e300', "'NaN'")),
                     15 => 'done_at = ' . stamp(), 10 => 'status = ' . lit('done') . ', done_at = ' . stamp());
    }
    my $where = wpick(60 => 'id = ' . ref_id($t), 15 => 'id IN (' . join(', ', map { ref_id($t) } 1 .. 3) . ')',
                      10 => 'id % ' . (2 + int(rand(5))) . ' = 0', 5 => 'true',
                      10 => "id = (SELECT max(id) FROM okr.$t)");
    return "UPDATE okr.$t SET $set WHERE $where";
}

sub del {
    my $t = shift;
    my $where = wpick(70 => 'id = ' . ref_id($t), 15 => "id = (SELECT max(id) FROM okr.$t)",
                      10 => 'id IN (' . join(', ', map { ref_id($t) } 1 .. 3) . ')', 5 => 'id % 7 = 3');
    return "DELETE FROM okr.$t WHERE $where";
}

sub write_stmt {
    my $t = wpick(6 => 'cycle', 4 => 'team', 14 => 'objective', 14 => 'key_result', 30 => 'checkin', 8 => 'project', 24 => 'task');
    return wpick(45 => ins_cols($t, chance(0.35)), 35 => upd($t), 20 => del($t));
}

# ---------------------------------------------------------------------------
# Reads: every okr function (from pg_proc), the views, cursors
# ---------------------------------------------------------------------------
my @FUNCS;              # {name, sig, args => [types], argnames, retset, kind, rettype, volatile}
my @VIEWS;
my @ROLE_NAMES = ("'okr_fuzz_nobody'", "'okr_fuzz_reader'", "'public'", "''", 'NULL', "'no such role'");
sub arg_val {
    my ($type, $argname, $fname) = @_;
    $argname //= '';
    return pick(@ROLE_NAMES) if $type eq 'name';
    if ($type eq 'bigint') {
        return wpick(50 => small_id(), 20 => pick(@EXTREME_IDS), 20 => '(SELECT max(id) FROM okr.objective)', 10 => 'NULL');
    }
    return wpick(60 => lit(pick(qw(metric at_least at_most milestone projects committed aspirational))), 10 => 'NULL',
                 10 => lit(''), 10 => lit('METRIC'), 10 => "repeat('x', 10000)") if $type eq 'text';
    return num() if $type eq 'numeric';
    return flt() . '::float8' if $type eq 'double precision';
    return day() . '::date' if $type eq 'date';
    return wpick(75 => stamp(), 25 => 'now()') . '::timestamptz' if $type =~ /^timestamp/;
    return wpick(60 => lit(pick('1 day', '7 days', '1 month', '1 hour')), 10 => lit('0'), 10 => lit('-1 day'),
                 5 => lit('1 microsecond'), 5 => lit('2147483647 months'), 5 => lit('178000000 years'), 5 => 'NULL') . '::interval'
        if $type eq 'interval';
    return wpick(60 => lit('{0.5,1}'), 10 => lit('{}'), 10 => lit('{1,2,3}'), 10 => 'NULL', 10 => lit('{NaN,1}')) . '::float8[]'
        if $type eq 'double precision[]';
    return pick('0', '1', '20', '-1', '2147483647', 'NULL') . '::integer' if $type eq 'integer';
    return pick('true', 'false', 'NULL') . '::boolean' if $type eq 'boolean';
    return "NULL::$type";
}
# progress_history with a window that stays small (the long run finds the limits)
sub history_args {
    my $f = shift;
    my @a;
    for my $i (0 .. $#{$f->{args}}) {
        my $n = $f->{argnames}[$i] // '';
        if ($n eq 'from_ts' && chance(0.8)) { my $d = int(rand(700)); push @a, "'2025-01-01+00'::timestamptz + interval '$d days'" }
        elsif ($n eq 'to_ts' && chance(0.8)) { push @a, "'2025-01-01+00'::timestamptz + interval '" . (int(rand(700)) + 30) . " days'" }
        elsif ($n eq 'step' && chance(0.8)) { push @a, lit(pick('1 day', '7 days', '1 month', '10 days')) . '::interval' }
        else { push @a, arg_val($f->{args}[$i], $n, $f->{name}) }
    }
    return @a;
}
sub call_args {
    my $f = shift;
    return history_args($f) if $f->{name} eq 'progress_history';
    my @a = map { arg_val($f->{args}[$_], $f->{argnames}[$_], $f->{name}) } 0 .. $#{$f->{args}};
    # sometimes leave defaulted trailing arguments out
    pop @a while @a && $f->{ndefaults} && @a > @{$f->{args}} - $f->{ndefaults} && chance(0.3);
    return @a;
}
sub call_expr { my $f = shift; "okr.$f->{name}(" . join(', ', call_args($f)) . ')' }

sub func_call {
    my ($who) = @_;
    my @f = grep { $who eq 'owner' || ($_->{rettype} ne 'trigger' && $_->{name} !~ /^(grant_|revoke_)/) } @FUNCS;
    push @f, grep { $_->{name} =~ /^(grant_|revoke_)/ } @FUNCS if $who eq 'writer' && chance(0.1);
    return 'SELECT 1' unless @f;
    my $f = pick(@f);
    if ($f->{name} =~ /^(grant_|revoke_)/ && $who eq 'owner') {
        # the owner only touches a role of its own, or refused names
        return "SELECT okr.$f->{name}(" . pick("'okr_fuzz_nobody'", "'public'", 'NULL', "'no such role'") . ')';
    }
    if ($f->{kind} eq 'a') {
        my @a = map { arg_val($_) } @{$f->{args}};
        return wpick(
            30 => "SELECT okr.$f->{name}(p.progress, p.expected) FROM okr.progress() p",
            20 => "SELECT p.item, okr.$f->{name}(p.progress, " . flt() . "::float8) FROM okr.progress() p GROUP BY p.item",
            20 => "SELECT okr.$f->{name}(x, w) OVER (ORDER BY x ROWS 2 PRECEDING) FROM (VALUES (" . join('), (', map { flt() . '::float8, ' . flt() . '::float8' } 1 .. 4) . ")) v(x, w)",
            15 => "SELECT okr.$f->{name}(" . join(', ', @a) . ')',
            15 => "SELECT okr.$f->{name}(k.current_progress, k.weight) FROM okr.key_result k");
    }
    my $e = call_expr($f);
    if ($f->{retset}) {
        my $lim = 1 + int(rand(50));
        return wpick(
            25 => "SELECT count(*) FROM $e",
            15 => "SELECT * FROM $e LIMIT $lim",
            10 => "SELECT $e LIMIT $lim",
            10 => "SELECT (x).* FROM (SELECT $e AS x) s ORDER BY 1 LIMIT $lim",
            10 => "WITH h AS MATERIALIZED (SELECT * FROM $e) SELECT count(*), count(DISTINCT id) FROM h",
            10 => "SELECT o.id, (SELECT count(*) FROM $e) FROM okr.objective o ORDER BY o.id LIMIT 3",
            10 => "SELECT count(*) FROM okr.progress() p, LATERAL (SELECT * FROM $e LIMIT 2) x WHERE p.item = 'objective'",
            5 => "SELECT count(*) FROM $e a JOIN okr.progress() b ON a.id = b.id",
            5 => "SELECT * FROM $e EXCEPT SELECT * FROM $e");
    }
    return wpick(
        50 => "SELECT $e",
        20 => "SELECT count(*) FROM okr.objective o WHERE okr.$f->{name}(" . join(', ', map { $_->[0] eq 'bigint' && chance(0.6) ? 'o.id' : arg_val($_->[0]) } map { [$_] } @{$f->{args}}) . ') IS NOT NULL',
        15 => "SELECT $e FROM generate_series(1, 3)",
        ($f->{rettype} eq 'double precision' ? 15 : 0) => "SELECT count(*) FROM okr.progress() p WHERE p.progress IS DISTINCT FROM (SELECT $e)");
}

sub view_read {
    return 'SELECT 1' unless @VIEWS;
    my $v = pick(@VIEWS);
    return wpick(40 => "SELECT count(*) FROM okr.$v", 30 => "SELECT * FROM okr.$v ORDER BY 1 LIMIT " . (1 + int(rand(20))),
                 15 => "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM okr.$v t",
                 15 => "SELECT * FROM okr.$v t WHERE t::text LIKE '%1%' LIMIT 5");
}

my $cursor_n = 0;
sub cursor_block {      # statements inside a transaction
    my ($who) = @_;
    my $c = 'c' . ++$cursor_n;
    my $q = chance(0.5) ? (grep { $_->{retset} } @FUNCS) ? do { my $f = pick(grep { $_->{retset} } @FUNCS); "SELECT * FROM " . call_expr($f) } : 'SELECT 1'
                        : @VIEWS ? 'SELECT * FROM okr.' . pick(@VIEWS) : 'SELECT 1';
    my @s = ("DECLARE $c " . pick('', 'SCROLL ', 'NO SCROLL ') . "CURSOR " . pick('', 'WITH HOLD ') . "FOR $q");
    for (1 .. 1 + int(rand(3))) {
        push @s, wpick(40 => "FETCH " . (1 + int(rand(5))) . " FROM $c", 15 => "FETCH BACKWARD 2 FROM $c",
                       15 => "MOVE LAST IN $c", 10 => "FETCH ABSOLUTE 1 FROM $c", 10 => "FETCH ALL FROM $c",
                       10 => ($who eq 'reader' ? view_read() : write_stmt()));
    }
    push @s, "CLOSE $c" if chance(0.7);
    return @s;
}

sub setting_stmt {
    return wpick(
        15 => 'SET force_parallel_mode = ' . pick('on', 'off', 'regress'),
        10 => 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = ' . pick(0, 2, 4),
        5 => 'RESET force_parallel_mode',
        10 => 'SET TimeZone = ' . lit(pick('UTC', 'Pacific/Kiritimati', 'America/St_Johns', 'Asia/Kathmandu', 'Etc/GMT+12', 'Europe/Paris')),
        10 => 'SET okr.on_track_ratio = ' . pick('0.9', '0', '1', '0.5', '1e-300'),
        10 => 'SET okr.at_risk_ratio = ' . pick('0.7', '0', '1', '0.95'),
        8 => 'SET okr.stale_after = ' . lit(pick('14 days', '0', '1 microsecond', '-1 day', '1000 years')),
        8 => 'SET work_mem = ' . lit(pick('64kB', '4MB')),
        6 => 'SET jit = off',
        6 => 'SET enable_seqscan = ' . pick('on', 'off'),
        6 => 'SET enable_hashjoin = ' . pick('on', 'off'),
        6 => 'SET DateStyle = ' . lit(pick('ISO, DMY', 'SQL, MDY', 'German', 'Postgres')),
        4 => 'SET extra_float_digits = ' . pick(-15, 0, 3));
}

# ---------------------------------------------------------------------------
# The issue's shapes (issue 11, items 1 to 7), with random ids and values
# ---------------------------------------------------------------------------
sub shape_extreme_cycles {      # item 1: an id map over [-2^63, 2^63-1]
    my $canonical = shift;     # the issue's reproducer, as it is
    my $lo = $canonical ? '-9223372036854775808' : pick('-9223372036854775808', '-5000000000000000000', '-9223372036854775807');
    my $hi = $canonical ? '9223372036854775807' : pick('9223372036854775807', '5000000000000000000', '9223372036854775806');
    my $n = $canonical ? 5 : pick(3, 4, 5);
    my $b = $canonical ? 0 : 1000 + int(rand(1000));   # canonical: cycles 1 to 5
    my $tab = $canonical ? 'cycle' : pick('cycle', 'cycle', 'objective', 'key_result');
    my @s;
    push @s, "INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE SELECT $b + g, 'xc$b' || g, '2026-01-01', '2026-12-31' FROM generate_series(1, $n) g";
    if ($tab eq 'cycle') {
        push @s, "INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES ($lo, 'lo$b', '2026-01-01', '2026-12-31'), ($hi, 'hi$b', '2026-01-01', '2026-12-31')";
        push @s, "INSERT INTO okr.objective (cycle_id, title) SELECT $b + g, 'goal' FROM generate_series(1, $n) g";
    } elsif ($tab eq 'objective') {
        push @s, "INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES ($lo, $b + 1, 'lo'), ($hi, $b + 2, 'hi')";
    } else {
        push @s, "INSERT INTO okr.key_result (id, objective_id, title, kind, target_value) OVERRIDING SYSTEM VALUE VALUES ($lo, 1, 'lo', 'at_least', 1), ($hi, 2, 'hi', 'at_least', 1)";
    }
    push @s, $canonical ? "SELECT count(*) FROM okr.progress()" : pick("SELECT count(*) FROM okr.progress()", "SELECT count(*), count(expected), count(status) FROM okr.progress()",
                  "SELECT count(*) FROM okr.objective_report", "SELECT okr.objective_progress(1)");
    return @s;
}
sub shape_zero_loop {           # item 4: id 0 taken for "no parent"
    my $canonical = shift;
    my $t = $canonical ? 'objective' : pick('objective', 'objective', 'team', 'cycle');
    my $z = $canonical ? '0' : pick('0', '0', '-1', '-9223372036854775808');
    my $other = $canonical ? 1 : 1 + int(rand(3));
    if ($t eq 'objective') {
        return ("INSERT INTO okr.objective (id, cycle_id, parent_id, title) OVERRIDING SYSTEM VALUE VALUES ($z, 1, $other, 'zero')",
                "UPDATE okr.objective SET parent_id = $z WHERE id = $other");
    } elsif ($t eq 'team') {
        return ("INSERT INTO okr.team (id, name, parent_id) OVERRIDING SYSTEM VALUE VALUES ($z, 'zero" . int(rand(1e6)) . "', $other)",
                "UPDATE okr.team SET parent_id = $z WHERE id = $other");
    }
    return ("INSERT INTO okr.cycle (id, name, starts_on, ends_on, parent_id) OVERRIDING SYSTEM VALUE VALUES ($z, 'zero" . int(rand(1e6)) . "', '2020-01-01', '2029-12-31', 7)",
            "UPDATE okr.cycle SET parent_id = $z WHERE id = 7");
}
# items 6 and 7 need a key result whose value they know: each builds its
# own cycle, objective and key result (fresh ids) in a committed unit first.
my $own_n = 0;
sub own_kr {            # -> (id, setup unit)
    my $b = 7000000 + 1000 * ++$own_n + int(rand(1000));
    return ($b, ['BEGIN',
        "INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES ($b, 'own$b', '2026-01-01', '2026-12-31')",
        "INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES ($b, $b, 'own')",
        "INSERT INTO okr.key_result (id, objective_id, title, kind, start_value, target_value) OVERRIDING SYSTEM VALUE VALUES ($b, $b, 'own', " . pick("'metric', 0, 10", "'at_least', NULL, 10") . ')',
        "INSERT INTO okr.project (id, key_result_id, name) OVERRIDING SYSTEM VALUE VALUES ($b, $b, 'own')",
        "INSERT INTO okr.task (project_id, title, effort) VALUES ($b, 'own', 1), ($b, 'own', 1)",
        "INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES ($b, 5, '2026-02-01 00:00+00')",
        'COMMIT']);
}
sub shape_stale {               # item 6: savepoint + immediate + rollback to
    my $canonical = shift;     # with a task done too (the effort sums)
    my ($kr, $setup) = own_kr();
    my @s = ('BEGIN', "INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES ($kr, 9, '2026-03-01 00:00+00')");
    push @s, "UPDATE okr.task SET status = 'done' WHERE project_id = $kr" if $canonical || chance(0.5);
    push @s, 'SAVEPOINT s_stale', pick('SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE', 'SET CONSTRAINTS ALL IMMEDIATE');
    push @s, "INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES ($kr, 1, '2026-01-15 00:00+00')" if chance(0.3);
    push @s, 'ROLLBACK TO s_stale';
    push @s, 'SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history DEFERRED' if chance(0.3);
    push @s, 'COMMIT';
    return ($setup, \@s, ['SELECT okr_fuzz.check_rule4()'], ['SELECT okr_fuzz.check_effort()']);
}
sub shape_parallel {            # item 7: pending notes and a parallel worker
    my ($kr, $setup) = own_kr();
    return ($setup, ['BEGIN', "INSERT INTO okr.checkin (key_result_id, value, checked_at) VALUES ($kr, " . pick(10, 7, 0) . ", '2026-04-01 00:00+00')",
                     pick("UPDATE okr.task SET status = 'done' WHERE project_id = $kr", 'SELECT 1'),
                     'SELECT okr_fuzz.check_parallel()', pick('COMMIT', 'ROLLBACK')]);
}
# owner shapes, always rolled back
sub shape_reentrant {           # item 2: progress_history re-entered through a policy
    my $canonical = shift;
    return ('CREATE FUNCTION pg_temp.peek() RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN IF current_setting(\'my.busy\', true) = \'on\' THEN RETURN true; END IF; PERFORM set_config(\'my.busy\', \'on\', true); PERFORM count(*) FROM okr.' . ($canonical ? "progress_history('2026-01-01', '2026-01-02', '1 day')" : pick("progress_history('2026-01-01', '2026-01-02', '1 day')", 'progress()', 'objective_report')) . '; PERFORM set_config(\'my.busy\', \'off\', true); RETURN true; END $f$',
            'ALTER TABLE okr.checkin ENABLE ROW LEVEL SECURITY',
            'CREATE POLICY p_fuzz ON okr.checkin USING (pg_temp.peek())',
            'SET LOCAL ROLE okr_fuzz_reader',
            "SELECT count(*) FROM okr.progress_history(" . ($canonical ? "'2026-03-01', '2026-03-05'" : pick("'2026-03-01', '2026-03-05'", "'2025-03-01', '2025-03-05'")) . ", '1 day')",
            'SELECT count(*) FROM okr.progress()');
}
sub shape_retype {              # item 3: columns of another type or name
    my $alter = pick('ALTER TABLE okr.key_result ALTER COLUMN current_value TYPE double precision',
                     'ALTER TABLE okr.key_result ALTER COLUMN weight TYPE numeric',
                     'ALTER TABLE okr.checkin ALTER COLUMN value TYPE double precision',
                     'ALTER TABLE okr.task ALTER COLUMN effort TYPE numeric',
                     'ALTER TABLE okr.objective ALTER COLUMN weight TYPE real',
                     'ALTER TABLE okr.key_result RENAME COLUMN state TO state2',
                     'ALTER TABLE okr.objective RENAME COLUMN parent_id TO parent2',
                     'ALTER TABLE okr.cycle ALTER COLUMN ends_on TYPE timestamptz');
    return ($alter, pick('SELECT count(*) FROM okr.progress()', "SELECT count(*) FROM okr.progress_history('2025-01-01', '2025-02-01', '7 days')",
                         'SELECT okr.objective_progress(1)', 'SELECT count(*) FROM okr.key_result_report'));
}
sub shape_replica {             # item 5: CHECKs that only the trigger holds
    my $canonical = shift;
    return ('SET LOCAL session_replication_role = replica',
            "INSERT INTO okr.key_result (objective_id, title, state, kind, weight) VALUES (1, 'replica', " . ($canonical ? "'paused', 'metric', 1" : $opt{'avoid-known'} ? "'active', 'metric', 1" : pick("'paused'", "'active'") . ', ' . pick("'metric'", "'bogus'") . ', ' . pick('1', "'-1'", "'NaN'")) . ')',
            "UPDATE okr.checkin SET value = value + 1 WHERE id = " . small_id(),
            'SET LOCAL session_replication_role = origin',
            $canonical ? ('SELECT okr.refresh_maintained()', 'SELECT count(*) FROM okr.progress()') : pick('SELECT okr.refresh_maintained()', 'SELECT count(*) FROM okr.progress()', 'SELECT count(*) FROM okr.key_result_report'));
}

# ---------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------
# A script is a list of units; a unit is a list of statements run as one
# transaction (or one autocommit statement).  Each statement gets a tag
# /*F r<round> s<session> u<unit> q<n>*/, which the server log shows for a
# crashing statement, and is written on one line, so psql's error lines
# (psql:FILE:LINE:) name it.
sub txn_unit {
    my ($who, @inner) = @_;
    my @s = (pick('BEGIN', 'BEGIN', 'BEGIN', 'BEGIN ISOLATION LEVEL REPEATABLE READ', 'BEGIN ISOLATION LEVEL SERIALIZABLE'));
    my @sp;
    my $n = 1 + int(rand(7));
    for (1 .. $n) {
        my $r = rand();
        if ($r < 0.12) { my $sp = 'sp' . int(rand(3)); push @s, "SAVEPOINT $sp"; push @sp, $sp }
        elsif ($r < 0.2 && @sp) { push @s, 'ROLLBACK TO ' . pick(@sp) }
        elsif ($r < 0.24 && @sp) { push @s, 'RELEASE ' . pop(@sp) }
        elsif ($r < 0.32) { push @s, pick('SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE', 'SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history DEFERRED', 'SET CONSTRAINTS ALL IMMEDIATE', 'SET CONSTRAINTS ALL DEFERRED') }
        elsif ($r < 0.36) { push @s, cursor_block($who) }
        elsif ($r < 0.40) { push @s, 'SELECT okr_fuzz.check_parallel()' }
        elsif ($r < 0.45) { push @s, func_call($who) }
        elsif ($r < 0.48) { push @s, 'SET LOCAL ' . substr(setting_stmt(), 4) =~ s/;.*//r }
        else { push @s, $who eq 'reader' ? (chance(0.5) ? view_read() : func_call($who)) : write_stmt() }
        push @s, splice(@inner, 0) if @inner && chance(0.3);
    }
    push @s, @inner;
    push @s, func_call($who) if chance(0.3);
    push @s, wpick(70 => 'COMMIT', 25 => 'ROLLBACK', 5 => 'ROLLBACK AND CHAIN', 0 => '');
    push @s, 'COMMIT' if $s[-1] eq 'ROLLBACK AND CHAIN';
    return \@s;
}

sub gen_script {
    my ($who, $nstmt, $shapes) = @_;
    my @units;
    my $count = 0;
    my %at;             # unit index -> shape units to put before it
    for my $sh (@$shapes) { push @{ $at{int(rand(10 + $nstmt / 4))} }, $sh }
    while ($count < $nstmt) {
        my $i = scalar @units;
        for my $g (@{ delete $at{$i} // [] }) { for my $u (@$g) { push @units, $u; $count += @$u } }
        my $u;
        my $r = rand();
        if ($who eq 'owner') {
            $u = wpick(
                20 => [write_stmt()],
                15 => [func_call('owner')],
                10 => ['BEGIN', 'SET CONSTRAINTS okr.okr_90_maintain, okr.okr_95_history IMMEDIATE', 'TRUNCATE okr.' . pick('checkin', 'task', 'project, okr.task', 'checkin, okr.task') . pick('', ' CASCADE'), func_call('owner'), pick('ROLLBACK', 'ROLLBACK', 'ROLLBACK', 'COMMIT')],
                5 => ['BEGIN', write_stmt(), 'TRUNCATE okr.checkin', 'ROLLBACK'],
                8 => ['SELECT okr.refresh_maintained()'],
                5 => ['ANALYZE okr.' . pick(@TABLES)],
                ($opt{'avoid-known'} ? 0 : 5) => ['BEGIN', shape_retype(), 'ROLLBACK'],
                5 => ['BEGIN', shape_replica(), 'ROLLBACK'],
                ($opt{'avoid-known'} ? 0 : 4) => ['BEGIN', shape_reentrant(), 'ROLLBACK'],
                23 => txn_unit('writer'));
        } elsif ($who eq 'reader') {
            $u = $r < 0.35 ? [view_read()] : $r < 0.6 ? [func_call('reader')] : $r < 0.7 ? [setting_stmt()] : txn_unit('reader');
        } else {
            $u = $r < 0.3 ? [write_stmt()] : $r < 0.4 ? [func_call('writer')] : $r < 0.45 ? [view_read()]
               : $r < 0.52 ? [setting_stmt()] : $r < 0.56 ? ['SELECT okr_fuzz.check_rule4()', 'SELECT okr_fuzz.check_effort()', 'SELECT okr_fuzz.check_cycles()']
               : txn_unit('writer');
        }
        push @units, $u;
        $count += @$u;
    }
    push @units, map { @$_ } map { @{ $at{$_} } } sort { $a <=> $b } keys %at;
    return \@units;
}

# The issue's reproducers as they are, on a fresh database (okr_fuzz_fresh:
# the extension, nothing else), first thing in round 0: some of them
# depend on what else the tables hold.
sub fresh_prelude {
    my @w = (['BEGIN', shape_extreme_cycles(1), 'ROLLBACK'],
             ['BEGIN', "INSERT INTO okr.cycle (id, name, starts_on, ends_on) OVERRIDING SYSTEM VALUE VALUES (1, 'c1', '2026-01-01', '2026-12-31')",
              "INSERT INTO okr.objective (id, cycle_id, title) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'o1')", 'COMMIT'],
             ['BEGIN', shape_zero_loop(1), 'COMMIT'], ['SELECT okr_fuzz.check_cycles()']);
    my @st = shape_stale(1); push @w, @st;
    my @pa = shape_parallel(); $pa[1][-1] = 'ROLLBACK'; push @w, @pa;
    push @w, ["SELECT count(*), count(depth), count(path) FROM okr.objective_report"];
    my @o = (['BEGIN', shape_reentrant(1), 'ROLLBACK'],
             ['BEGIN', 'ALTER TABLE okr.key_result ALTER COLUMN current_value TYPE double precision', 'SELECT count(*) FROM okr.progress()', 'ROLLBACK'],
             ['BEGIN', 'ALTER TABLE okr.key_result RENAME COLUMN state TO state2', 'SELECT count(*) FROM okr.progress()', 'ROLLBACK'],
             ['BEGIN', shape_replica(1), 'ROLLBACK']);
    return (\@w, \@o);
}

# Shapes for one round: each of the issue's shapes once, spread over the
# sessions (transactions of their own; 6 and 7 inside writing ones).
sub round_shapes {
    my ($nsess, $canonical) = @_;
    my %s = map { $_ => [] } (0 .. $nsess - 1), 'owner', 'first';
    # canonical: first thing in the run, on the rows of test/fuzz/base.sql only
    push @{ $s{$canonical ? 'first' : int(rand($nsess))} }, [['BEGIN', shape_extreme_cycles($canonical), $canonical ? 'ROLLBACK' : pick('ROLLBACK', 'ROLLBACK', 'COMMIT')]] unless $opt{'avoid-known'};
    push @{ $s{int(rand($nsess))} }, [['BEGIN', shape_zero_loop($canonical), 'COMMIT'], ['SELECT okr_fuzz.check_cycles()']];
    push @{ $s{int(rand($nsess))} }, [shape_stale()];
    push @{ $s{int(rand($nsess))} }, [shape_parallel()];
    push @{ $s{owner} }, [['BEGIN', shape_reentrant(), 'ROLLBACK']], [['BEGIN', shape_retype(), 'ROLLBACK']] unless $opt{'avoid-known'};
    push @{ $s{owner} }, [['BEGIN', shape_replica(), 'ROLLBACK']];
    return \%s;
}

my $PROLOGUE_LINES;
sub write_script {      # -> (file, [unit start lines], {line -> [unit, stmt]})
    my ($file, $tag, $who, $units, $seed) = @_;
    my @pro = (q{\set VERBOSITY verbose}, q{\set ON_ERROR_STOP 0}, "SET statement_timeout = '10s';",
               "SET lock_timeout = '2s';", "SET client_min_messages = error;", "SET application_name = 'okr_fuzz $tag';",
               "SELECT setseed(" . sprintf("%.6f", ($seed % 1999) / 1999) . ");");
    push @pro, 'SET ROLE okr_fuzz_writer;' if $who eq 'writer';
    push @pro, 'SET ROLE okr_fuzz_reader;' if $who eq 'reader';
    push @pro, '' while @pro < 10;
    $PROLOGUE_LINES = @pro;
    open my $fh, '>', $file or die "$file: $!";
    print $fh "$_\n" for @pro;
    my $line = @pro;
    my (@starts, %map);
    for my $ui (0 .. $#$units) {
        push @starts, $line + 1;
        my $qi = 0;
        for my $st (@{ $units->[$ui] }) {
            next if $st eq '';
            $qi++;
            (my $one = $st) =~ s/\n/ /g;
            $line++;
            print $fh "/*F $tag u$ui q$qi*/ $one;\n";
            $map{$line} = [$ui, $one];
        }
    }
    close $fh;
    return (\@starts, \%map);
}

# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------
# Runs one session's script; when the connection is lost (a crash, here
# or in another session), waits for the server and goes on with the unit
# after the one that was running (blank lines keep the line numbers).
sub run_session {
    my ($file, $starts, $errfile, $db) = @_;
    open my $in, '<', $file or die; my @lines = <$in>; close $in;
    unlink $errfile;
    my $from = 0;       # 0-based line index to resume from (0: whole file)
    for my $attempt (0 .. $opt{'max-restarts'}) {
        my $run = $file;
        if ($from) {
            $run = "$file.resume$attempt";
            open my $o, '>', $run or die;
            print $o @lines[0 .. $PROLOGUE_LINES - 1];
            print $o "\n" x ($from - $PROLOGUE_LINES);
            print $o @lines[$from .. $#lines];
            close $o;
        }
        my $rc = system("psql -X -q -d '$db' -f '$run' >/dev/null 2>>'$errfile'") >> 8;
        return if $rc != 2;
        # connection lost: which line was running?
        open my $e, '<', $errfile; my @err = <$e>; close $e;
        my ($lost) = reverse map { /^psql:[^:]+:(\d+): (?:server closed|error: connection|FATAL)/ ? $1 : () } @err;
        return unless defined $lost;
        my ($next) = grep { $_ > $lost } @$starts;
        return unless defined $next;
        open my $a, '>>', $errfile; print $a "okr_fuzz: connection lost at line $lost, resuming at line $next\n"; close $a;
        # the postmaster may not have begun its crash reset yet: give it a
        # moment, or the resumed session is killed by the same crash
        sleep 1.5;
        wait_for_server() or return;
        $from = $next - 1;
    }
}

sub run_round {
    my ($round, $sessions) = @_;    # sessions: [[tag, who, units, seed]]
    my %info;
    my %pid;
    for my $s (@$sessions) {
        my ($tag, $who, $units, $seed, $db) = @$s;
        my $file = "$work/r$round-$tag.sql";
        my ($starts, $map) = write_script($file, "r$round $tag", $who, $units, $seed);
        $info{$tag} = { file => $file, err => "$work/r$round-$tag.err", map => $map, units => $units, who => $who, db => $db // $DB };
    }
    return \%info if $opt{'dry-run'};
    for my $s (@$sessions) {
        my $i = $info{$s->[0]};
        my $pid = fork();
        die "fork: $!" unless defined $pid;
        if (!$pid) {
            open my $in, '<', $i->{file}; my $n = 0; my @starts;
            # recompute the unit start lines from the tags
            my $prev = -1;
            while (my $l = <$in>) { $n++; if ($l =~ m{^/\*F \S+ \S+ u(\d+) q}) { push @starts, $n if $1 != $prev; $prev = $1 } }
            close $in;
            run_session($i->{file}, \@starts, $i->{err}, $i->{db});
            POSIX::_exit(0);
        }
        $pid{$pid} = $s->[0];
    }
    my $deadline = time() + $opt{timeout};
    while (%pid) {
        my $p = waitpid(-1, WNOHANG);
        if ($p > 0) { delete $pid{$p}; next }
        if (time() > $deadline) {
            push @failures, ['hang', "round $round: sessions still running after $opt{timeout} s: " . join(', ', sort values %pid)];
            kill 'TERM', keys %pid;
            sleep 1;
            kill 'KILL', keys %pid;
            waitpid($_, 0) for keys %pid;
            %pid = ();
            # and the queries they left running
            psql_value('postgres', "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'okr_fuzz r$round %'");
        }
        sleep 0.05;
    }
    return \%info;
}

# Errors and lost connections in a round's psql output.
my %seen_error;
my %sqlstate_count;
sub scan_round {
    my ($round, $info) = @_;
    for my $tag (sort keys %$info) {
        my $i = $info->{$tag};
        next unless -e $i->{err};
        open my $e, '<', $i->{err}; my @err = <$e>; close $e;
        for my $k (0 .. $#err) {
            my $l = $err[$k];
            if ($l =~ /^psql:[^:]+:(\d+): (ERROR|FATAL|PANIC):  ([0-9A-Z]{5}): (.*)/) {
                my ($line, $lvl, $state, $msg) = ($1, $2, $3, $4);
                $sqlstate_count{$state}++;
                my $bad = $state =~ /^(XX|58|FZ)/ || $lvl eq 'PANIC';
                next unless $bad;
                my ($ui, $stmt) = @{ $i->{map}{$line} // [undef, '?'] };
                # one report per kind of message (an invariant: per SQLSTATE)
                my $key = $state =~ /^FZ/ ? $state : "$state $msg";
                $key =~ s/\d+/N/g unless $state =~ /^FZ/;
                next if $seen_error{$key}++;
                my $unit = defined $ui ? join("\n", map { "    $_;" } grep { $_ ne '' } @{ $i->{units}[$ui] }) : '';
                push @failures, [$state =~ /^FZ/ ? 'invariant' : 'error',
                                 "$state: $msg\n  statement (round $round, session $tag, $i->{who}, line $line of $i->{file}):\n    $stmt\n  its transaction:\n$unit"];
            } elsif ($l =~ /^psql:[^:]+:(\d+): server closed the connection unexpectedly/) {
                my ($ui, $stmt) = @{ $i->{map}{$1} // [undef, '?'] };
                push @{ $i->{lost} }, [$1, $stmt, $ui];
            }
        }
    }
}

# Crashes since the last look: the postmaster log names the statement.
my $cp_pid;
sub scan_crashes {
    my ($round, $info) = @_;
    my $log = read_log_since();
    $log_offset = (-s $logfile) // $log_offset if $logfile && -r $logfile;
    my $found = 0;
    while ($log =~ /(server process \(PID \d+\) was terminated by signal[^\n]*)\n(?:[^\n]*?DETAIL:  Failed process was running: ([^\n]*))?/g) {
        my ($what, $q) = ($1, $2 // '?');
        $found++;
        my ($tag, $ui) = $q =~ m{^/\*F r\d+ (\S+) u(\d+) q\d+\*/} ? ($1, $2) : ('?', undef);
        my $unit = '';
        if (defined $ui && $info->{$tag}) { $unit = join("\n", map { "    $_;" } grep { $_ ne '' } @{ $info->{$tag}{units}[$ui] }) }
        push @failures, ['crash', "round $round: $what\n  statement: $q\n" . ($unit ? "  its transaction:\n$unit" : '')];
    }
    while ($log =~ /(PANIC:[^\n]*)/g) { $found++; push @failures, ['crash', "round $round: $1"] }
    my $now = checkpointer_pid();
    if (!$found && defined $cp_pid && defined $now && $now ne $cp_pid) {
        $found++;
        push @failures, ['crash', "round $round: the checkpointer was restarted (pid $cp_pid, now $now): the server crashed"
                         . ($logfile ? " (nothing in $logfile)" : ' (no server log found: set OKR_FUZZ_LOG)')];
    }
    if (!$found) {
        # a lost connection without a crash in the log
        for my $tag (sort keys %$info) {
            for my $l (@{ $info->{$tag}{lost} // [] }) {
                push @failures, ['crash', "round $round: session $tag lost its connection at line $l->[0]: $l->[1]"];
                $found++;
            }
        }
    }
    $cp_pid = $now if defined $now;
    return $found;
}

# ---------------------------------------------------------------------------
# Invariants afterwards (as the superuser; reports as the reader)
# ---------------------------------------------------------------------------
sub invariants {
    my @r;
    my ($v, $why) = psql_checked($DB, q{
        SELECT string_agg(format('key result %s: current_value %s, latest check-in %s has %s', k.id, coalesce(k.current_value::text, 'NULL'),
                                 coalesce(l.id::text, '(none)'), coalesce(l.value::text, 'NULL')), E'\n' ORDER BY k.id)
        FROM okr.key_result k
        LEFT JOIN LATERAL (SELECT ci.id, ci.value, ci.checked_at FROM okr.checkin ci WHERE ci.key_result_id = k.id
                           ORDER BY ci.checked_at DESC, ci.id DESC LIMIT 1) l ON true
        WHERE k.current_value IS DISTINCT FROM l.value OR k.last_checkin_at IS DISTINCT FROM l.checked_at});
    push @r, ['rule 4: every current_value and last_checkin_at is that of the latest check-in (checked_at, then id)', defined $v && $v eq '', $v // $why];
    ($v, $why) = psql_checked($DB, q{
        SELECT string_agg(x, E'\n') FROM (
            SELECT format('project %s: effort row (%s, %s), tasks sum to (%s, %s)', p.id, e.effort_total, e.effort_done, s.total, s.done) AS x
            FROM okr.project p LEFT JOIN okr.project_effort e ON e.project_id = p.id
            CROSS JOIN LATERAL (SELECT coalesce(sum(t.effort::numeric) FILTER (WHERE t.status <> 'cancelled'), 0) AS total,
                                       coalesce(sum(t.effort::numeric) FILTER (WHERE t.status = 'done'), 0) AS done
                                FROM okr.task t WHERE t.project_id = p.id) s
            WHERE e.effort_total IS DISTINCT FROM s.total OR e.effort_done IS DISTINCT FROM s.done
            UNION ALL
            SELECT format('okr.project_effort row for project %s, which does not exist', e.project_id)
            FROM okr.project_effort e WHERE NOT EXISTS (SELECT FROM okr.project p WHERE p.id = e.project_id)) s});
    push @r, ['okr.project_effort holds the sums of every project\'s tasks, and nothing else', defined $v && $v eq '', $v // $why];
    ($v, $why) = psql_checked($DB, q{
        SELECT string_agg(format('project %s, done at %s: ledger sums to %s, its done tasks to %s',
                                 coalesce(l.project_id, t.project_id), coalesce(l.done_at, t.done_at), l.s, t.s), E'\n')
        FROM (SELECT project_id, done_at, sum(effort::numeric) AS s FROM okr.effort_ledger GROUP BY 1, 2) l
        FULL JOIN (SELECT project_id, done_at, sum(effort::numeric) AS s FROM okr.task WHERE status = 'done' GROUP BY 1, 2) t
          ON t.project_id = l.project_id AND t.done_at = l.done_at
        WHERE coalesce(l.s, 0) <> coalesce(t.s, 0)});
    push @r, ['okr.effort_ledger sums, by project and done_at, to the efforts of the done tasks', defined $v && $v eq '', $v // $why];
    ($v, $why) = psql_checked($DB, q{SELECT string_agg(c, ', ') FROM okr_fuzz.cycles() c});
    push @r, ['rule 1: no cycle in the parent_id of cycle, team and objective', defined $v && $v eq '', $v // $why];

    wait_for_server();
    my ($rc, $out) = psql_capture($DB, "SET ROLE okr_fuzz_reader;\n" . join('', map { "SELECT count(*) FROM okr.$_;\n" } @VIEWS)
        . "SELECT count(*) FROM okr.progress();\n"
        # (from the history horizon on, if the workload called okr.forget_history)
        . "SELECT count(*) FROM okr.progress_history(GREATEST('2025-01-01', (SELECT horizon FROM okr.history_horizon WHERE as_of_too)), GREATEST('2026-06-01', (SELECT horizon FROM okr.history_horizon WHERE as_of_too)), '1 month');\n"
        . "SELECT count(*) FROM okr.objective o WHERE okr.objective_score(o.id) IS NOT NULL;\n");
    push @r, ['the reports (' . join(', ', @VIEWS) . '), okr.progress and okr.progress_history are readable by a reader', $rc == 0, $out];

    ($v, $why) = psql_checked($DB, q{
        SELECT concat_ws(E'\n',
          (SELECT format('okr.progress() has %s rows, there are %s objectives, key results and projects', (SELECT count(*) FROM okr.progress()),
                         (SELECT count(*) FROM okr.objective) + (SELECT count(*) FROM okr.key_result) + (SELECT count(*) FROM okr.project))
            WHERE (SELECT count(*) FROM okr.progress()) <> (SELECT count(*) FROM okr.objective) + (SELECT count(*) FROM okr.key_result) + (SELECT count(*) FROM okr.project)),
          (SELECT 'okr.progress() rows with a NULL expected or status: ' || string_agg(item || ' ' || id, ', ') FROM okr.progress() WHERE expected IS NULL OR status IS NULL HAVING count(*) > 0),
          (SELECT 'okr.objective_report rows with a NULL depth or path: ' || string_agg(objective_id::text, ', ') FROM okr.objective_report WHERE depth IS NULL OR path IS NULL HAVING count(*) > 0),
          (SELECT 'okr.objective_progress differs from okr.progress for objectives: ' || string_agg(format('%s (%s / %s)', p.id, p.progress, okr.objective_progress(p.id)), ', ')
             FROM okr.progress() p WHERE p.item = 'objective'
              AND NOT (p.progress IS NOT DISTINCT FROM okr.objective_progress(p.id) OR abs(p.progress - okr.objective_progress(p.id)) < 1e-9) HAVING count(*) > 0))});
    push @r, ['okr.progress() has one row per item, none with a NULL expected or status; objective_report has every depth and path; objective_progress agrees', defined $v && $v eq '', $v // $why];

    # Rule 5 reads a check-in's cycle in the session's time zone (SPEC 3),
    # and the writers run in zones from UTC-12 to UTC+14: a check-in taken
    # near a cycle's edge in one zone lies outside it in another.  So the
    # refresh runs at both ends and in UTC (together they cover every zone's
    # cycle, even a one-day one), and a check-in counts as breaking rule 5
    # only when it does in all three; anything else it reports counts as is.
    wait_for_server();
    my (@outs, %rule5, $ok10);
    $ok10 = 1;
    for my $zone ('Pacific/Kiritimati', 'UTC', 'Etc/GMT+12') {
        ($rc, $out) = psql_capture($DB, "BEGIN;\nSET LOCAL TimeZone = '$zone';\nSELECT okr.refresh_maintained();\nROLLBACK;\n");
        push @outs, "in $zone: $out";
        my @lines = split /\n/, $out;
        my @number = grep { /^\d+$/ } @lines;
        $ok10 = 0 unless $rc == 0 && @number == 1 && $number[0] eq '0';
        $ok10 = 0 if grep { /WARNING:/ && !/okr\.checkin \d+ breaks rule 5: / } @lines;
        my %seen = map { $_ => 1 } ($out =~ /okr\.checkin (\d+) breaks rule 5: /g);
        $rule5{$_}++ for keys %seen;
    }
    $ok10 = 0 if grep { $rule5{$_} == 3 } keys %rule5;
    push @r, ['okr.refresh_maintained() finds nothing to correct (rule 5 in every writer\'s time zone)', $ok10, "it returned: " . join(' | ', @outs)];
    return @r;
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
print "# okr fuzz: seed $opt{seed}, $opt{statements} statements per session, $opt{sessions} writer sessions + a reader + the owner, "
    . ($opt{duration} ? "$opt{duration} s" : "$opt{rounds} rounds") . "; scripts and output in $work\n";
print "# reproduce: perl test/fuzz/okr_fuzz.pl --seed $opt{seed} --statements $opt{statements} --sessions $opt{sessions} "
    . ($opt{duration} ? "--duration $opt{duration}" : "--rounds $opt{rounds}") . " --solo-statements $opt{'solo-statements'}\n";

unless ($opt{'dry-run'}) {
    system("dropdb --if-exists '$DB' 2>/dev/null; dropdb --if-exists '${DB}_fresh' 2>/dev/null");
    my ($rc, $out) = psql_capture('postgres', qq{
        DROP ROLE IF EXISTS okr_fuzz_writer; DROP ROLE IF EXISTS okr_fuzz_reader; DROP ROLE IF EXISTS okr_fuzz_nobody;
        CREATE ROLE okr_fuzz_writer; CREATE ROLE okr_fuzz_reader; CREATE ROLE okr_fuzz_nobody;
        CREATE DATABASE "$DB";});
    ($rc, $out) = psql_capture($DB, "CREATE EXTENSION okr;\n\\i $here/base.sql\n\\i $here/helpers.sql\n"
        . "SELECT okr.grant_write('okr_fuzz_writer');\nSELECT okr.grant_read('okr_fuzz_reader');\n"
        . "GRANT CREATE ON SCHEMA public TO okr_fuzz_writer, okr_fuzz_reader;\n") unless $rc;
    ($rc, $out) = psql_capture('postgres', qq{CREATE DATABASE "${DB}_fresh";}) unless $rc;
    ($rc, $out) = psql_capture("${DB}_fresh", "CREATE EXTENSION okr;\n\\i $here/helpers.sql\n"
        . "SELECT okr.grant_write('okr_fuzz_writer');\nSELECT okr.grant_read('okr_fuzz_reader');\n") unless $rc;
    if ($rc) { tap(0, 'fuzz: set up the database', $out); print "1..$tap_n\n"; exit 1 }
    my $list = psql_value($DB, q{
        SELECT p.proname, p.proretset, p.prokind, format_type(p.prorettype, NULL), p.pronargdefaults,
               coalesce((SELECT string_agg(format_type(t, NULL), ',' ORDER BY o) FROM unnest(p.proargtypes) WITH ORDINALITY a(t, o)), ''),
               coalesce(array_to_string(p.proargnames[1:p.pronargs], ','), '')
        FROM pg_proc p WHERE p.pronamespace = 'okr'::regnamespace ORDER BY p.oid::regprocedure::text});
    for (split /\n/, $list // '') {
        my ($n, $rs, $k, $rt, $nd, $args, $names) = split /\|/, $_, -1;
        push @FUNCS, { name => $n, retset => $rs eq 't', kind => $k, rettype => $rt, ndefaults => $nd,
                       args => [$args eq '' ? () : split(/,/, $args)], argnames => [split /,/, $names, -1] };
    }
    @VIEWS = split /\n/, psql_value($DB, q{SELECT relname FROM pg_class WHERE relnamespace = 'okr'::regnamespace AND relkind IN ('v', 'm') ORDER BY 1}) // '';
    $cp_pid = checkpointer_pid();
    note('functions: ' . join(', ', map { $_->{name} } @FUNCS), 'views: ' . join(', ', @VIEWS),
         'server log: ' . ($logfile // 'not found'));
} else {
    # a plausible catalog, so a dry run shows what would be generated
    @FUNCS = ({ name => 'progress', retset => 1, kind => 'f', rettype => 'record', ndefaults => 1, args => ['timestamp with time zone'], argnames => ['as_of'] });
    @VIEWS = ('objective_report');
}

my $t0 = time();
my $total = 0;
my $crashes = 0;
my $round = 0;
while (1) {
    my @sessions;
    srand($opt{seed} * 7919 + $round * 104729);
    if ($round == 0) {
        # round 0: one writer alone, deterministic for a given seed
        my $sh = round_shapes(1, 1);
        my $units = gen_script('writer', $opt{'solo-statements'}, [@{ $sh->{0} }]);
        unshift @$units, map { @$_ } @{ $sh->{first} // [] };
        push @sessions, ['s0', 'writer', $units, $opt{seed}];
        push @sessions, ['owner', 'owner', [map { @$_ } @{ $sh->{owner} }], $opt{seed} + 1];
    } else {
        my $sh = round_shapes($opt{sessions});
        for my $s (0 .. $opt{sessions} - 1) {
            srand($opt{seed} * 7919 + $round * 104729 + ($s + 1) * 15485863);
            push @sessions, ["s$s", 'writer', gen_script('writer', $opt{statements}, $sh->{$s}), $opt{seed} + $s];
        }
        srand($opt{seed} * 7919 + $round * 104729 + 999331);
        push @sessions, ['reader', 'reader', gen_script('reader', $opt{statements}, []), $opt{seed} + 97];
        push @sessions, ['owner', 'owner', gen_script('owner', int($opt{statements} / 3), $sh->{owner}), $opt{seed} + 98];
    }
    my $info;
    if ($round == 0) {
        $info = {};
        srand($opt{seed} * 7919 + 77777);
        my ($fw, $fo) = fresh_prelude();
        for my $part (['0f', ['fresh', 'writer', $fw, $opt{seed}, "${DB}_fresh"]], ['0fo', ['fresh-owner', 'owner', $fo, $opt{seed}, "${DB}_fresh"]],
                      ['0', $sessions[0]], ['0o', $sessions[1]]) {
            next if $opt{'avoid-known'} && $part->[0] =~ /f/;
            my $i = run_round($part->[0], [$part->[1]]);
            %$info = (%$info, %$i);
            last if $opt{'dry-run'};
        }
    } else {
        $info = run_round($round, \@sessions);
    }
    for my $s (@sessions) { $total += scalar map { grep { $_ ne '' } @$_ } @{ $s->[2] } }
    last if $opt{'dry-run'};
    scan_round($round, $info);
    $crashes += scan_crashes($round, $info);
    wait_for_server();
    $round++;
    last if $opt{'stop-on-failure'} && $opt{duration} && @failures;
    last if $opt{duration} ? time() - $t0 >= $opt{duration} : $round >= $opt{rounds};
}
if ($opt{'dry-run'}) { print "# dry run: scripts written to $work\n"; exit 0 }

my @crash = grep { $_->[0] eq 'crash' || $_->[0] eq 'hang' } @failures;
my @err = grep { $_->[0] eq 'error' } @failures;
my @inv = grep { $_->[0] eq 'invariant' } @failures;
my $desc = sprintf('%d statements in %d rounds (seed %d)', $total, $round, $opt{seed});
tap(!@crash, "fuzz: no server crash or hang, $desc", map { $_->[1] } @crash);
tap(!@err, 'fuzz: no SQLSTATE XX000 (internal error) or of class 58', map { $_->[1] } @err);
tap(!@inv, 'fuzz: no invariant broken during the run (rule 4 after COMMIT, effort sums, no cycles, parallel workers agree)', map { $_->[1] } @inv);
for my $r (invariants()) { tap($r->[1], "fuzz, afterwards: $r->[0]", $r->[1] ? () : ($r->[2])) }
note('repeats of the failures above: ' . join(', ', map { "$_ x$seen_error{$_}" } grep { $seen_error{$_} > 1 } sort keys %seen_error)) if grep { $_ > 1 } values %seen_error;
note('SQLSTATEs seen: ' . join(', ', map { "$_ $sqlstate_count{$_}" } sort keys %sqlstate_count));
note(sprintf('%.1f s', time() - $t0));
print "1..$tap_n\n";
if ($tap_failed) {
    system("pg_dump -Fc -f '$work/okr_fuzz.dump' '$DB' 2>/dev/null");
    note("seed $opt{seed}: scripts, psql output and a dump of the database (pg_dump -Fc: okr_fuzz.dump) kept in $work");
    exit 1;
}
system("rm -rf '$work'") unless $opt{keep} || $opt{workdir};
exit 0;
