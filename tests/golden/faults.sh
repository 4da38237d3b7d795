#!/bin/sh
# faults.sh - output faults and interrupts: every failed run exits with the
# documented code (README: 5 output cannot be written, 6 interrupted), says
# so on stderr, and leaves neither OUT nor OUT.tmp.PID behind (nor settle's
# rejects file OUT.rejects.csv and its .tmp.PID); the input's SHA-256 is the
# same after every run.
#
#  fault                                         expected
#  settle --out under a regular file             exit 5, message names the path, nothing created
#  settle --out in a missing directory           exit 5, the directory is not created
#  settle --out naming an existing directory     exit 5, directory untouched, no .tmp.* beside it
#  settle --out in a read-only directory         exit 5 (skipped as root: root writes anyway)
#  settle: OUT.rejects.csv is a directory         exit 5, names it, no OUT and no temporary file
#  group  --out under a regular file             exit 5
#  disk full (ulimit -f, SIGXFSZ ignored so write() fails with EFBIG):
#    settle, small output (fails at the flush)   exit 5, nothing left (was a segfault at exit)
#    settle, 20k cases (fails while writing)     exit 5, nothing left (was a segfault at exit)
#    group                                       exit 5, nothing left
#    gen                                         exit 5, no partial current.csv
#    settle with SIGXFSZ at its default          exit 5, nothing left (casemix ignores SIGXFSZ)
#  SIGINT / SIGTERM 0.3 s into settle (500k)     exit 6, "interrupted", nothing left
#  SIGTERM while settle writes OUT.tmp.PID       exit 6, nothing left
#  SIGINT while group writes its CSV             exit 6, nothing left
#  SIGINT 0.3 s into gen (1M cases)              exit 6, no current.csv
#
# Inputs are generated into $TMP/faults.PID with `casemix gen` (config/demo tables)
# and removed at the end; the big one takes > 1 s to settle on one thread.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
case $TMP in /*) D=$TMP/faults.$$ ;; *) D=$(pwd)/$TMP/faults.$$ ;; esac   # per run
rm -rf "$D"
mkdir -p "$D"

# left PATH: prints PATH and PATH.tmp.* that exist (empty when none), and
# for an .h5 the rejects file beside it (OUT.rejects.csv, .tmp.*).
left() {
    _r=${1%.h5}.rejects.csv
    for f in "$1" "$1".tmp.* "$_r" "$_r".tmp.*; do [ -e "$f" ] && [ ! -d "$f" ] && printf '%s ' "$f"; done
}
# outcome NAME WANT_EXIT OUT TEXT: checks RC, MSG and leftovers of OUT.
outcome() {
    n=$1; want=$2; out=$3; text=$4
    l=$(left "$out")
    if [ "$RC" = "$want" ] && [ -z "$l" ] && case "$MSG" in *"$text"*) true ;; *) false ;; esac; then
        ok "$n: exit $want, '$text', nothing left"
    else
        bad "$n" "got: exit $RC, left: '${l}', message: $MSG" "want: exit $want, '$text', nothing left"
    fi
    for f in $l; do rm -f "$f"; done
}
# same_input NAME FILE SUM
same_input() { [ "$(sha256sum < "$2")" = "$3" ] && ok "$1: input unchanged" || bad "$1: input file modified"; }

SMALL=tests/golden/small/small.cfg
SMALL_IN=tests/golden/small/input.csv
SMALL_SUM=$(sha256sum < "$SMALL_IN")

echo "== unwritable output"
: > "$D/afile"
MSG=$("$BIN" settle --config $SMALL --out "$D/afile/out.h5" --quiet 2>&1 >/dev/null); RC=$?
outcome under_file 5 "$D/afile/out.h5" "afile/out.h5"
eq "under_file: the regular file is untouched" "$(wc -c < "$D/afile")" 0
MSG=$("$BIN" settle --config $SMALL --out "$D/nodir/sub/out.h5" --quiet 2>&1 >/dev/null); RC=$?
outcome missing_dir 5 "$D/nodir/sub/out.h5" "nodir/sub/out.h5"
[ ! -e "$D/nodir" ] && ok "missing_dir: not created" || bad "missing_dir: $D/nodir was created"
mkdir -p "$D/isdir"
MSG=$("$BIN" settle --config $SMALL --out "$D/isdir" --quiet 2>&1 >/dev/null); RC=$?
[ -d "$D/isdir" ] && [ -z "$(ls -A "$D/isdir")" ] && ok "out_is_dir: directory untouched" || bad "out_is_dir: directory changed"
rmdir "$D/isdir" 2>/dev/null
outcome out_is_dir 5 "$D/isdir" "isdir"
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$D/ro"; chmod 555 "$D/ro"
    MSG=$("$BIN" settle --config $SMALL --out "$D/ro/out.h5" --quiet 2>&1 >/dev/null); RC=$?
    outcome read_only_dir 5 "$D/ro/out.h5" "ro/out.h5"
    chmod 755 "$D/ro"
else
    echo "skip: read_only_dir: running as root, which writes into a 555 directory"
fi
mkdir -p "$D/side.rejects.csv"
MSG=$("$BIN" settle --config $SMALL --out "$D/side.h5" --quiet 2>&1 >/dev/null); RC=$?
outcome rejects_file_is_dir 5 "$D/side.h5" "side.rejects.csv"
[ -d "$D/side.rejects.csv" ] && [ -z "$(ls -A "$D/side.rejects.csv")" ] && ok "rejects_file_is_dir: directory untouched" \
    || bad "rejects_file_is_dir: directory changed"
rmdir "$D/side.rejects.csv"
MSG=$("$BIN" group --scheme dip --config $SMALL --input $SMALL_IN --out "$D/afile/out.csv" --quiet 2>&1 >/dev/null); RC=$?
outcome group_under_file 5 "$D/afile/out.csv" "afile/out.csv"
same_input unwritable "$SMALL_IN" "$SMALL_SUM"

echo "== disk full (file-size limit)"
# full BLOCKS CMD...: runs CMD under ulimit -f BLOCKS (shell units) with SIGXFSZ
# ignored, so that a write past the limit fails with EFBIG like ENOSPC.
# Under ASan leak detection is off here: a file HDF5 cannot flush (EFBIG) stays open inside the
# library with its chunk cache whatever the caller closes (every dataset and the file are closed:
# h5w_abort), so LeakSanitizer would report HDF5's buffers, not ours. The other cases keep it on.
full() { b=$1; shift; ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" sh -c 'ulimit -f "$1"; trap "" XFSZ; shift; exec "$@"' sh "$b" "$@"; }
cat > "$D/demo.cfg" <<EOF
region = "410400"; period = "2025Q1";
input = { records = "gen/current.csv"; };
dip = { catalogue = "$(pwd)/config/demo/catalogue.csv"; group_stats = "$(pwd)/config/demo/group_stats.csv";
        proc_attributes = "$(pwd)/config/demo/proc_attributes.csv"; icd10 = "$(pwd)/config/demo/icd10.csv"; };
budget = { fund_budget = "110000000.00"; };
generator = { seed = 20251; institutions = 40; year = 2025; };
EOF
"$BIN" gen --config "$D/demo.cfg" --out "$D/gen" --cases 20000 --history-cases -1 --quiet || bad "gen 20k exited $?"
MID=$D/gen/current.csv
MID_SUM=$(sha256sum < "$MID")
# the whole small output is ~32 KB: 16 blocks (8 or 16 KB) fail at the flush / close
MSG=$(full 16 "$BIN" settle --config $SMALL --out "$D/full.h5" --quiet 2>&1 >/dev/null); RC=$?
outcome settle_full_small 5 "$D/full.h5" "full.h5"
# 20k cases give ~600 KB: 200 blocks fail while the tables are written
MSG=$(full 200 "$BIN" settle --config "$D/demo.cfg" --out "$D/full20k.h5" --quiet 2>&1 >/dev/null); RC=$?
outcome settle_full_20k 5 "$D/full20k.h5" "full20k.h5"
MSG=$(full 200 "$BIN" group --scheme dip --config "$D/demo.cfg" --input "$MID" --out "$D/full.csv" --quiet 2>&1 >/dev/null); RC=$?
outcome group_full 5 "$D/full.csv" "full.csv"
same_input disk_full "$MID" "$MID_SUM"
MSG=$(full 200 "$BIN" gen --config "$D/demo.cfg" --out "$D/genfull" --cases 20000 --history-cases -1 --quiet 2>&1 >/dev/null); RC=$?
outcome gen_full 5 "$D/genfull/current.csv" "current.csv"
eq "gen_full: files left in the output directory" "$(ls -A "$D/genfull" 2>/dev/null)" ""
rm -rf "$D/genfull"
MSG=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" sh -c 'ulimit -f 16; exec "$@"' sh "$BIN" settle --config $SMALL --out "$D/xfsz.h5" --quiet 2>&1 >/dev/null); RC=$?
outcome settle_sigxfsz 5 "$D/xfsz.h5" "xfsz.h5"

echo "== SIGINT / SIGTERM"
"$BIN" gen --config "$D/demo.cfg" --out "$D/big" --cases 500000 --history-cases -1 --quiet || bad "gen 500k exited $?"
BIG=$D/big/current.csv
BIG_SUM=$(sha256sum < "$BIG")
# sig NAME SIGNAL WHEN OUT CMD...: starts CMD in the background and sends
# SIGNAL after WHEN seconds, or (WHEN = tmp) once OUT.tmp.* exists.
sig() {
    n=$1; s=$2; when=$3; out=$4; shift 4
    "$@" 2>"$D/sig.err" >/dev/null &
    pid=$!
    # first until casemix catches the signal (SigCgt in /proc): a background
    # job of sh starts with SIGINT ignored, so a signal sent before the
    # handler is installed (a slow start on a loaded machine) is lost
    case $s in INT) bit=2 ;; TERM) bit=16384 ;; *) bit=0 ;; esac
    i=0
    while [ -r /proc/$pid/status ] && [ $i -lt 4000 ]; do
        m=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)
        [ -n "$m" ] && [ $((0x$m & bit)) -ne 0 ] && break
        sleep 0.005; i=$((i + 1))
    done
    if [ "$when" = tmp ]; then
        i=0
        while [ -z "$(left "$out")" ] && kill -0 $pid 2>/dev/null && [ $i -lt 6000 ]; do sleep 0.005; i=$((i + 1)); done
    else
        sleep "$when"
    fi
    if kill -0 $pid 2>/dev/null; then kill -"$s" $pid; else echo "note: $n: finished before the signal"; fi
    wait $pid
    RC=$?
    MSG=$(cat "$D/sig.err")
}
sig settle_int INT 0.3 "$D/int.h5" "$BIN" settle --config "$D/demo.cfg" --input "$BIG" --out "$D/int.h5" --threads 1 --quiet
outcome settle_sigint 6 "$D/int.h5" "interrupted"
sig settle_term TERM 0.3 "$D/term.h5" "$BIN" settle --config "$D/demo.cfg" --input "$BIG" --out "$D/term.h5" --threads 1 --quiet
outcome settle_sigterm 6 "$D/term.h5" "interrupted"
sig settle_term_write TERM tmp "$D/termw.h5" "$BIN" settle --config "$D/demo.cfg" --input "$BIG" --out "$D/termw.h5" --threads 1 --quiet
outcome settle_sigterm_while_writing 6 "$D/termw.h5" "interrupted"
sig group_int_write INT tmp "$D/intw.csv" "$BIN" group --scheme dip --config "$D/demo.cfg" --input "$BIG" --out "$D/intw.csv" --threads 1 --quiet
outcome group_sigint_while_writing 6 "$D/intw.csv" "interrupted"
same_input signals "$BIG" "$BIG_SUM"
rm -rf "$D/big"
sig gen_int INT 0.3 "$D/genint/current.csv" "$BIN" gen --config "$D/demo.cfg" --out "$D/genint" --cases 1000000 --history-cases -1 --quiet
outcome gen_sigint 6 "$D/genint/current.csv" "interrupted"
eq "gen_sigint: files left in the output directory" "$(ls -A "$D/genint" 2>/dev/null)" ""
rm -rf "$D/genint" "$D/gen"

echo
if [ $fails -ne 0 ]; then
    echo "faults: $fails check(s) failed (files kept in $D):$failed"
    exit 1
fi
rm -rf "$D"
echo "faults: all checks passed"
