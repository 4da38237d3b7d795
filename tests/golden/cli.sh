#!/bin/sh
# cli.sh - the command line (README "Commands", issue 9 point 14):
#  - `casemix COMMAND --help`, `-h` and `casemix help COMMAND` print the same
#    usage on stdout, exit 0, and name every option of the command (the
#    lists below are the README's, written out here, not read from casemix);
#  - `casemix help` / `--help` list every command, exit 0;
#  - --opt=value is the same as --opt value: settle --threads=2 writes the
#    same tables as --threads 2, group --scheme=dip ... the same CSV;
#  - an unknown option, an option of another command (settle --scheme), a
#    flag given a value, an empty value, a stray argument: exit 2 and a
#    message naming `casemix COMMAND --help`; nothing written.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
case $TMP in /*) D=$TMP/cli.$$ ;; *) D=$(pwd)/$TMP/cli.$$ ;; esac
rm -rf "$D"; mkdir -p "$D"
SMALL=tests/golden/small/small.cfg
SMALL_IN=tests/golden/small/input.csv

# command: its options
OPTS_settle="--config --input --out --threads --quiet --timings --help"
OPTS_calibrate="--config --out --threads --quiet --help"
OPTS_gen="--config --out --cases --history-cases --seed --bad-rows --fees --plant --regions --threads --quiet --help"
OPTS_group="--scheme --config --input --out --explain --threads --quiet --help"
OPTS_bench="--config --stage --input --out --threads --help"
OPTS_columns="--help"
OPTS_simulate="--config --scenario --input --out --threads --quiet --help"

echo "== help of every command"
for c in settle calibrate gen group bench columns simulate; do
    out=$("$BIN" "$c" --help 2>"$D/err"); rc=$?
    eq "$c --help: exit 0" "$rc" 0
    eq "$c --help: nothing on stderr" "$(cat "$D/err")" ""
    has "$c --help: usage line" "$out" "usage: casemix $c"
    eval "opts=\$OPTS_$c"
    for o in $opts; do
        # each option on its own line of the option list, with an explanation
        line=$(printf '%s\n' "$out" | grep -E "^  $o( [^ ]+)? +[^ ]" | head -n 1)
        [ -n "$line" ] && ok "$c --help explains $o" || bad "$c --help lacks a line for $o" "$out"
    done
    n_listed=$(printf '%s\n' "$out" | grep -cE '^  --')
    eq "$c --help: exactly its options" "$n_listed" "$(echo $opts | wc -w | tr -d ' ')"
    eq "$c -h = --help" "$("$BIN" "$c" -h 2>&1)" "$out"
    eq "help $c = $c --help" "$("$BIN" help "$c" 2>&1)" "$out"
    eq "$c --help after other options" "$("$BIN" "$c" --config nothing.cfg --help 2>&1)" "$out"
    # exit 1 is group --explain's alone: named on group's help (and the overview), on no other command's
    n1=$(printf '%s\n' "$out" | grep -c 'group --explain: 1 when')
    if [ "$c" = group ]; then eq "group --help names exit 1 (--explain)" "$n1" 1
    else eq "$c --help: no group --explain exit-1 line" "$n1" 0; fi
done
for c in month clear report export; do
    n1=$("$BIN" "$c" --help 2>&1 | grep -c 'group --explain: 1 when')
    eq "$c --help: no group --explain exit-1 line" "$n1" 0
done

echo "== overview"
for h in help --help -h; do
    out=$("$BIN" $h 2>"$D/err"); rc=$?
    eq "casemix $h: exit 0, stderr empty" "$rc:$(cat "$D/err")" "0:"
    for c in settle calibrate gen group bench columns simulate; do has "casemix $h lists $c" "$out" "  $c "; done
    has "casemix $h: exit 1 of group --explain" "$out" "group --explain: 1 when the case is not in the input"
done
"$BIN" > /dev/null 2>&1; eq "casemix without a command: exit 2" "$?" 2
msg=$("$BIN" help nosuch 2>&1 >/dev/null); rc=$?
eq "help nosuch: exit 2" "$rc" 2; has "help nosuch" "$msg" "unknown command 'nosuch'"

echo "== --opt=value"
"$BIN" settle --config "$SMALL" --out "$D/a.h5" --threads 2 --quiet; ra=$?
"$BIN" settle --config="$SMALL" --out="$D/b.h5" --threads=2 --quiet; rb=$?
eq "settle --threads=2 and --threads 2: both exit 0" "$ra:$rb" "0:0"
for ds in /cases /institutions /groups /rejects /summary; do
    h5diff -q "$D/a.h5" "$D/b.h5" $ds $ds > /dev/null 2>&1 && ok "same $ds" || bad "$ds differs between --opt=value and --opt value"
done
# a build without OpenMP (make OPENMP=0) runs one thread whatever --threads says
case "$("$BIN" --version)" in *"without OpenMP"*) NT=1 ;; *) NT=2 ;; esac
eq "the threads attribute is $NT in both" "$(h5dump -a /threads "$D/b.h5" | grep -c "(0): $NT\$")" 1
"$BIN" group --scheme dip --config "$SMALL" --input "$SMALL_IN" --out "$D/g1.csv" --quiet
"$BIN" group --scheme=dip --config="$SMALL" --input="$SMALL_IN" --out="$D/g2.csv" --quiet
eq "group with --opt=value: same CSV" "$(md5sum < "$D/g1.csv")" "$(md5sum < "$D/g2.csv")"
[ -s "$D/g1.csv" ] && ok "group CSV written" || bad "group CSV empty"

echo "== refused: exit 2, naming the command's help, nothing written"
refuse() { # NAME WANT_TEXT ARGS...
    n=$1; t=$2; shift 2
    msg=$("$BIN" "$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" = 2 ] && case "$msg" in *"$t"*) true ;; *) false ;; esac \
        && case "$msg" in *"see casemix $1 --help"*) true ;; *) false ;; esac; then
        ok "$n: exit 2, '$t'"
    else
        bad "$n" "got: exit $rc, message: $msg" "want: exit 2, '$t', 'see casemix $1 --help'"
    fi
}
refuse "unknown option" "unknown option '--bogus'" settle --config "$SMALL" --out "$D/x.h5" --bogus
refuse "unknown option with =" "unknown option '--bogus'" settle --config "$SMALL" --out "$D/x.h5" --bogus=1
refuse "settle --scheme" "--scheme is not an option of settle" settle --config "$SMALL" --out "$D/x.h5" --scheme dip
refuse "calibrate --input" "--input is not an option of calibrate" calibrate --config "$SMALL" --input "$SMALL_IN"
refuse "group --timings" "--timings is not an option of group" group --scheme dip --config "$SMALL" --input "$SMALL_IN" --out "$D/x.csv" --timings t.json
refuse "columns --config" "--config is not an option of columns" columns --config "$SMALL"
refuse "flag with a value" "--quiet takes no value" settle --config "$SMALL" --out "$D/x.h5" --quiet=yes
refuse "empty value" "--out needs a value" settle --config "$SMALL" --out=
refuse "missing value" "--threads needs a value" settle --config "$SMALL" --out "$D/x.h5" --threads
refuse "stray argument" "unexpected argument 'extra'" settle --config "$SMALL" extra
# the one thread limit (CM_MAX_THREADS), read from the help so the test follows it
LIM=$("$BIN" settle --help | sed -n 's/.*threads (1-\([0-9]*\)).*/\1/p')
[ -n "$LIM" ] && [ "$LIM" -ge 2 ] && ok "--help names the thread limit ($LIM)" || bad "--help names the thread limit: '$LIM'"
refuse "bad threads" "--threads needs a number from 1 to $LIM" settle --config "$SMALL" --threads=0
refuse "threads above the limit" "--threads needs a number from 1 to $LIM" settle --config "$SMALL" --out "$D/x.h5" --threads $((LIM + 1))
refuse "threads far above the limit" "--threads needs a number from 1 to $LIM" settle --config "$SMALL" --out "$D/x.h5" --threads 300
[ ! -e "$D/x.h5" ] && [ ! -e "$D/x.csv" ] && ok "nothing written by a refused command" || bad "a refused command wrote output"

echo "== OpenMP asking for more threads than the limit: clamped, same tables, no stray file"
# OMP_NUM_THREADS=300 (the thread count of a large machine) must not overflow
# a per-thread array: the run is clamped to the limit and writes what 2 threads write
ABIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
ASMALL=$(pwd)/$SMALL
mkdir -p "$D/cwd"
(cd "$D/cwd" && OMP_NUM_THREADS=300 "$ABIN" settle --config "$ASMALL" --out "$D/omp.h5" --quiet); rc=$?
eq "OMP_NUM_THREADS=300: exit 0" "$rc" 0
for ds in /cases /institutions /groups /rejects /summary; do
    h5diff -q "$D/a.h5" "$D/omp.h5" $ds $ds > /dev/null 2>&1 && ok "OMP_NUM_THREADS=300: same $ds as 2 threads" \
        || bad "OMP_NUM_THREADS=300: $ds differs from 2 threads"
done
(cd "$D/cwd" && "$ABIN" settle --config "$ASMALL" --out "$D/lim.h5" --threads "$LIM" --quiet); rc=$?
eq "--threads $LIM (the limit): exit 0" "$rc" 0
h5diff -q "$D/a.h5" "$D/lim.h5" /cases /cases > /dev/null 2>&1 && ok "--threads $LIM: same /cases as 2 threads" \
    || bad "--threads $LIM: /cases differs from 2 threads"
eq "nothing written into the working directory" "$(ls -A "$D/cwd" | wc -l)" 0

echo "== columns: the list settle needs is the list the header check enforces"
# each column `casemix columns` says settle needs, cut from the small input's
# header: exit 4 naming it; an optional column cut: the run goes on
NEEDS=$("$BIN" columns | sed -n '/^settle needs:/,/\./p' | tr '\n' ' ' | sed 's/^settle needs://; s/;.*//; s/([^)]*)//g; s/\..*//' | tr -d ' ' | tr ',' ' ')
has "columns: settle needs case_id" " $NEEDS " " case_id "
has "columns: settle needs fund_paid" " $NEEDS " " fund_paid "
cut_col() { awk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } { s = ""; n = 0; for (i = 1; i <= NF; i++) if (i != k) s = s (n++ ? "," : "") $i; print s }' "$SMALL_IN"; }
for col in $NEEDS; do
    cut_col "$col" > "$D/cut.csv"
    head -n 1 "$D/cut.csv" | grep -q "$col" && { bad "columns: $col not cut from the header"; continue; }
    "$BIN" settle --config "$SMALL" --input "$D/cut.csv" --out "$D/cut.h5" --quiet > "$D/out" 2>&1; rc=$?
    eq "columns: without $col settle stops (exit 4)" "$rc" 4
    grep -q "$col" "$D/out" && ok "columns: the message names $col" || bad "columns: the message lacks $col" "$(cat "$D/out")"
done
for col in patient_id self_paid other_dx; do
    cut_col "$col" > "$D/cut.csv"
    "$BIN" settle --config "$SMALL" --input "$D/cut.csv" --out "$D/opt-$col.h5" --quiet > "$D/out" 2>&1; rc=$?
    eq "columns: without the optional $col settle runs" "$rc" 0
done

rm -rf "$D"
echo
[ $fails -eq 0 ] && echo "cli: all checks passed" || { echo "cli: $fails check(s) failed:$failed"; exit 1; }
