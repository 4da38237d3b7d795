#!/bin/sh
# bench.sh - the benchmark suite behind `make bench` (and `make bench-compare`).
#
# Generates seeded regions of 1M and 10M cases once (cached in build/bench/
# by seed and size), then for each size, at 1 and 2 threads, runs every stage
# BENCH_RUNS times (median) together with its floor, measured in the same run
# on the same hot file:
#   read      the I/O floor: the file read in blocks (page cache, hot)
#   tokenize  the parse floor: rows split into fields by the engine's tokenizer
#   parse     tokenize + every field parsed (exact amounts, dates, codes)
#   dip, drg  parse + grouping (grouping alone = stage - parse)
#   settle    the whole DIP settlement: uncompressed (none), the default
#             shuffle+deflate with libdeflate (deflate), and the same filters
#             through zlib (zlib); with its own per-stage times (read+group,
#             checks+score, pay, write)
#   flags     supervision alone (the case rules, mask and sample after the
#             settlement; casemix bench --stage flags), and settle-nosup: the
#             default settle with supervision.enabled = false (the whole cost
#             of supervision = settle-deflate - settle-nosup; the settle runs are
#             interleaved, and the targets list it per size and thread count:
#             wall and CPU seconds, and peak RSS bytes a case, with and without)
#   write     the write floor: the same /cases bytes written again with the same
#             output settings, no computation
#   report    casemix report of the compressed settlement: seconds and HTML bytes
#             (target: under 1 s and 2 MB at 1M cases)
#   simulate-1, simulate-8  casemix simulate with 1 and 8 category scenarios
#             (fixed_point_value), end to end, at the most threads; "x floor"
#             is x settle-nosup, like for like: simulate does not supervise
#             (aim: simulate-8 at most 2x; the targets say it against the
#             default settle too)
#   read-fees, simulate-items  item-level re-pricing of the fee lines
#             (casemix gen --fees) by the generated price table, up to 1M
#             cases (BENCH_ITEMS=0 skips it): lines/s against the fee file
#             read alone (read-fees)
# Prints a table and saves bench/results/<date>-<rev>.json; --compare compares
# the newest result with the one before and says what got slower.
# Environment: BENCH_SIZES (default "1000000 10000000"), BENCH_RUNS (3, for
# sizes below 5M), BENCH_RUNS_LARGE (3, for 5M and more; the suite
# stays under 10 minutes on 2 cores), BENCH_THREADS ("1 2"), CASEMIX_DATA
# (real tables used when present).
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--compare" ]; then exec python3 bench/report.py --compare bench/results; fi
BIN=${CASEMIX_BIN:-./casemix}
SIZES=${BENCH_SIZES:-"1000000 10000000"}
RUNS_SMALL=${BENCH_RUNS:-3}
RUNS_LARGE=${BENCH_RUNS_LARGE:-3}
THREADS=${BENCH_THREADS:-"1 2"}
SEED=${BENCH_SEED:-2025}
DATA=${CASEMIX_DATA:-../shared/data}
W=build/bench
mkdir -p "$W" bench/results
if [ -d "$DATA/dip/pingdingshan-2025" ] && [ -d "$DATA/chs-drg-1.1" ]; then
    DATA=$(cd "$DATA" && pwd)
    TABLES="real 平顶山 DIP 2.0 catalogue + CHS-DRG 1.1"
    DIPCFG="catalogue = \"$DATA/dip/pingdingshan-2025/catalogue.csv\"; group_stats = \"$DATA/dip/pingdingshan-2025/group_stats.csv\";
            proc_attributes = \"$DATA/codes/icd9cm3_yb2.0_attributes.csv\"; icd10 = \"$DATA/codes/icd10_clinical2.0_to_yb2.0.csv\";"
    DRGCFG="tables = \"$DATA/chs-drg-1.1\";"
else
    TABLES="demo tables (config/demo)"
    C=$(pwd)/config/demo
    DIPCFG="catalogue = \"$C/catalogue.csv\"; group_stats = \"$C/group_stats.csv\"; proc_attributes = \"$C/proc_attributes.csv\"; icd10 = \"$C/icd10.csv\";"
    DRGCFG="tables = \"$C/drg\";"
fi
mkcfg() { # name compression deflate_library [supervision enabled]
    cat > "$W/$1.cfg" <<CFG
region = "410400"; period = "BENCH"; scheme = "dip";
dip = { $DIPCFG };
drg = { $DRGCFG };
budget = { fund_budget = "50000000000.00"; };
output = { compression = "$2"; case_columns = "compact"; deflate_library = "$3"; };
generator = { seed = $SEED; institutions = 200; year = 2025; bad_rows = 0.0005; };
supervision = { enabled = ${4:-true}; };
CFG
}
mkcfg none none libdeflate
mkcfg deflate deflate libdeflate   # the default output: shuffle + deflate, chunks compressed on all threads
mkcfg zlib deflate zlib            # the same filters and level through zlib's compress2, for comparison
mkcfg nosup deflate libdeflate false   # the default output without supervision (its cost: settle-deflate - this)
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && REV="$REV+dirty"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$W/raw-$STAMP.jsonl
: > "$RAW"
machine() {
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    cc=$(${CC:-cc} --version | head -1)
    h5=$(dpkg-query -W -f='${Version}' libhdf5-dev 2>/dev/null || echo "?")
    printf '{"machine":{"cpu":"%s","cores":%s,"memory":"%s","compiler":"%s","hdf5":"%s","rev":"%s","tables":"%s","date":"%s"}}\n' \
        "$cpu" "$(nproc)" "$mem" "$cc" "$h5" "$REV" "$TABLES" "$STAMP" >> "$RAW"
}
machine
run() { # size threads label command... ; appends {"size":..,"label":..,<json>} lines
    size=$1; th=$2; label=$3; shift 3
    i=0
    while [ $i -lt "$RUNS" ]; do
        case $label in write-*) sync ;; esac   # as before a settle run: no writeback backlog
        out=$("$@") || { echo "bench: '$*' failed" >&2; exit 1; }
        echo "$out" | tail -1 | sed "s/^{/{\"size\":$size,\"label\":\"$label\",/" >> "$RAW"
        i=$((i + 1))
    done
}
# run_simulate LABEL CONFIG EXTRA_JSON: casemix simulate end to end ($RUNS times, at $TMAX threads),
# one JSON line each ({"size","label","threads","seconds"} + EXTRA_JSON) into $RAW
run_simulate() {
    i=0
    while [ $i -lt "$RUNS" ]; do
        rm -f "$W/out-sim.h5"
        t0=$(date +%s.%N)
        "$BIN" simulate --config "$2" --input "$IN" --out "$W/out-sim.h5" --threads "$TMAX" --quiet ||
            { echo "bench: simulate ($1) failed" >&2; exit 1; }
        t1=$(date +%s.%N)
        printf '{"size":%s,"label":"%s","threads":%s,"seconds":%s%s}\n' "$N" "$1" "$TMAX" \
            "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')" "$3" >> "$RAW"
        i=$((i + 1))
    done
}
for N in $SIZES; do
    D=$W/s$SEED-n$N
    if [ ! -f "$D/current.csv" ]; then
        echo "generating $N cases (seed $SEED, cached in $D) ..."
        "$BIN" gen --config "$W/none.cfg" --out "$D" --cases "$N" --history-cases -1 --quiet
    fi
    IN=$D/current.csv
    RUNS=$RUNS_SMALL
    [ "$N" -ge 5000000 ] && RUNS=$RUNS_LARGE
    cat "$IN" > /dev/null     # hot page cache
    TMAX=$(for T in $THREADS; do echo "$T"; done | sort -n | tail -1)
    for T in $THREADS; do
        echo "size $N, $T thread(s) ..."
        for st in read tokenize parse dip drg flags; do
            run "$N" "$T" "$st" "$BIN" bench --config "$W/none.cfg" --stage "$st" --input "$IN" --threads "$T"
        done
        comps="none deflate nosup"
        [ "$T" = "$TMAX" ] && comps="$comps zlib"   # zlib vs libdeflate: at the most threads only (time)
        # the settle runs interleaved (none deflate nosup, none deflate nosup, ...), so a change of the
        # machine's load weighs on every configuration alike: deflate vs nosup is supervision's cost
        i=0
        while [ $i -lt "$RUNS" ]; do
            for comp in $comps; do
                rm -f "$W/out-$comp.h5"
                sync   # earlier outputs' dirty pages flushed, so writeback does not throttle this run
                "$BIN" settle --config "$W/$comp.cfg" --input "$IN" \
                    --out "$W/out-$comp.h5" --threads "$T" --quiet --timings "$W/t.json" ||
                    { echo "bench: settle failed" >&2; exit 1; }
                sed "s/^{/{\"size\":$N,\"label\":\"settle-$comp\",/" "$W/t.json" >> "$RAW"
            done
            i=$((i + 1))
        done
        for comp in $comps; do
            run "$N" "$T" "write-$comp" "$BIN" bench --config "$W/$comp.cfg" --stage write --input "$W/out-$comp.h5" \
                --out "$W/floor-$comp.h5" --threads "$T"
        done
    done
    # the HTML report of the (compressed) settlement: time and bytes (one thread: HDF5 reads and printing)
    i=0
    while [ $i -lt "$RUNS" ]; do
        t0=$(date +%s.%N)
        "$BIN" report "$W/out-deflate.h5" --out "$W/report.html" --quiet || { echo "bench: report failed" >&2; exit 1; }
        t1=$(date +%s.%N)
        printf '{"size":%s,"label":"report","threads":1,"seconds":%s,"out_bytes":%s}\n' "$N" \
            "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')" "$(wc -c < "$W/report.html")" >> "$RAW"
        i=$((i + 1))
    done
    # casemix simulate with 1 and 8 category scenarios (policy fixed_point_value: the bench region has no
    # history), at the most threads, end to end (its own read and baseline included); x floor = x settle-nosup
    for K in 1 8; do
        cp "$W/nosup.cfg" "$W/sim$K.cfg"
        {
            printf 'simulate = { scenarios = ('
            k=0
            while [ $k -lt $K ]; do
                [ $k -gt 0 ] && printf ','
                printf '{ name = "s%d"; policy = "fixed_point_value"; categories = { services = 1.1%d; exam = 0.85; lab = 0.8333; western = 0.9%d; }; }' $k $k $k
                k=$((k + 1))
            done
            printf '); };\n'
        } >> "$W/sim$K.cfg"
        run_simulate "simulate-$K" "$W/sim$K.cfg" ""
    done
    # item-level re-pricing (费用明细): the region's fee lines (casemix gen --fees, ~36 a case, ~2.2 GB at 1M)
    # re-priced by the generated price table, end to end; floor: the fee file read alone (bench --stage read).
    # Up to 1M cases (BENCH_ITEMS=0 skips it)
    if [ "$N" -le 1000000 ] && [ "${BENCH_ITEMS:-1}" != 0 ]; then
        if [ ! -f "$D/fees.csv" ]; then
            echo "generating the fee lines of $N cases ..."
            "$BIN" gen --config "$W/none.cfg" --out "$D" --cases "$N" --history-cases -1 --fees --quiet
        fi
        cp "$W/nosup.cfg" "$W/simitems.cfg"
        printf 'simulate = { fee_file = "%s"; scenarios = ({ name = "items"; policy = "fixed_point_value"; price_table = "%s"; }); };\n' \
            "$(pwd)/$D/fees.csv" "$(pwd)/$D/prices.csv" >> "$W/simitems.cfg"
        LINES=$(($(wc -l < "$D/fees.csv") - 1))
        cat "$D/fees.csv" > /dev/null     # hot page cache, as the case file
        run "$N" "$TMAX" "read-fees" "$BIN" bench --config "$W/none.cfg" --stage read --input "$D/fees.csv" --threads "$TMAX"
        run_simulate "simulate-items" "$W/simitems.cfg" ",\"items\":$LINES"
    fi
done
rm -f "$W/report.html" "$W/out-sim.h5"
rm -f "$W"/out-*.h5 "$W"/floor-*.h5
OUT=bench/results/$STAMP-$REV.json
python3 bench/report.py "$RAW" "$OUT"
echo "saved $OUT"
