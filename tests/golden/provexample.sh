#!/bin/sh
# provexample.sh - the README's province walkthrough (README "Province runs"), its commands
# as a provincial analyst types them, with build/ replaced by this test's directory:
#   A. casemix gen --config config/demo.cfg --regions 3 --out build/province: the regions'
#      sizes are the weights' shares of the cases (largest remainder, computed here), each
#      region's file holds its rows with its own region code, seed + i (a region alone from
#      casemix gen gives the same bytes), the export holds every region's rows in their
#      order, the budgets are Σ fund_paid rounded to 10,000 yuan (summed here), every third
#      region overrides level1; the same bytes at 1 and 2 threads; a file gen did not write
#      is not replaced (exit 5); bad --regions uses stop with exit 2.
#   B. casemix settle --config build/province/province.cfg: each /regions/<code> equals the
#      one-region run of its own file with the export's lines (CASEMIX_TEST_LINE_MAP), its
#      settings merged here by hand from the generated file; province-files.cfg likewise
#      without the map; /province_summary: one row per region and the total, payments = budget.
#   C. config/example-province.cfg after `make demo` and the generation step: it settles
#      (exit 0), four regions, the demo region from its own file with its history years.
#   (mpirun -np 2 of the README: tests/mpi.sh.)
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/provexample
rm -rf "$D"; mkdir -p "$D/build"
P=$D/build/province

# A. the generator
"$BIN" gen --config config/demo.cfg --regions 3 --out "$P" > "$D/gen.txt"
has "gen prints the settle command" "$(cat "$D/gen.txt")" "casemix settle --config $P/province.cfg"
CODES=$(sed -n 's/^  { code = "\([0-9]*\)".*/\1/p' "$P/province.cfg" | tr '\n' ' ')
eq "gen: regions PP0100, PP0200, PP0300 of the province 41 (config/demo.cfg's region 410400)" "$CODES" "410100 410200 410300 "
CASES=$(sed -n 's/^ *cases = \([0-9]*\);.*/\1/p' config/demo.cfg)
SEED=$(sed -n 's/^ *seed = \([0-9]*\);.*/\1/p' config/demo.cfg)
eq "gen: the region sizes are the weights' shares of generator.cases (largest remainder)" \
    "$(for c in $CODES; do printf '%s ' $(($(wc -l < "$P/$c/current.csv") - 1)); done)" \
    "$(echo "1200 60 450" | awk -v t="$CASES" '{ for (i = 1; i <= NF; i++) s += $i
        for (i = 1; i <= NF; i++) { n[i] = int(t * $i / s); r[i] = t * $i % s; g += n[i] }
        for (k = t - g; k > 0; k--) { b = 1; for (i = 2; i <= NF; i++) if (r[i] > r[b]) b = i; n[b]++; r[b] = -1 }
        for (i = 1; i <= NF; i++) printf "%d ", n[i] }')"
RC=$(head -1 "$P/province.csv" | tr ',' '\n' | grep -n '^region$' | cut -d: -f1)
i=0
for c in $CODES; do
    i=$((i + 1))
    eq "gen $c: every row of its file has its code" "$(tail -n +2 "$P/$c/current.csv" | cut -d, -f$RC | sort -u)" "$c"
    eq "gen $c: the export holds its rows in their order" \
        "$(awk -F, -v rc="$RC" -v c="$c" 'NR > 1 && $rc == c' "$P/province.csv" | md5sum)" "$(tail -n +2 "$P/$c/current.csv" | md5sum)"
    fund=$(tail -n +2 "$P/$c/current.csv" | cut -d, -f21 | awk -F. '{ f += $1 * 100 + substr($2 "00", 1, 2) } END { printf "%.0f", f }')
    eq "gen $c: budget = Σ fund_paid rounded to 10,000 yuan" \
        "$(grep "code = \"$c\"" "$P/province.cfg" | grep -o 'fund_budget = "[0-9.]*"')" \
        "fund_budget = \"$(( (fund + 500000) / 1000000 * 10000 )).00\""
    l1=$(grep "code = \"$c\"" "$P/province.cfg" | grep -c 'level1 = 0.7' || true)
    eq "gen $c: its own level1 when i % 3 = 0" "$l1" "$(( i % 3 == 0 ))"
    # the same region alone (casemix gen of its code, seed + i; the institutions as the generator printed them)
    inst=$(awk -v c="$c" '$1 == c { print $3 }' "$D/gen.txt")
    sed "s/^region = .*/region = \"$c\";/; s/^  institutions = .*/  institutions = $inst;/" config/demo.cfg > "$D/alone$c.cfg"
    sed -i "s|\"demo/|\"$(pwd)/config/demo/|; s|\"../build/|\"$D/unused/|" "$D/alone$c.cfg"
    "$BIN" gen --config "$D/alone$c.cfg" --out "$D/alone$c" --cases $(($(wc -l < "$P/$c/current.csv") - 1)) \
        --seed $((SEED + i)) --history-cases -1 --quiet
    eq "gen $c: the bytes of a region generated alone (seed + $i)" "$(md5sum < "$D/alone$c/current.csv")" "$(md5sum < "$P/$c/current.csv")"
done
"$BIN" gen --config config/demo.cfg --regions 3 --out "$D/t1" --threads 1 --quiet
"$BIN" gen --config config/demo.cfg --regions 3 --out "$D/t2" --threads 2 --quiet
eq "gen: the same bytes at 1 and 2 threads (but the paths in the comments)" \
    "$(cd "$D/t1" && find . -type f | sort | xargs cat | sed "s|$D/t1|X|g" | md5sum)" \
    "$(cd "$D/t2" && find . -type f | sort | xargs cat | sed "s|$D/t2|X|g" | md5sum)"
eq "gen: the same bytes as the first run (but the paths in the comments)" \
    "$(cd "$D/t1" && find . -type f | sort | xargs cat | sed "s|$D/t1|X|g" | md5sum)" \
    "$(cd "$P" && find . -type f | sort | xargs cat | sed "s|$P|X|g" | md5sum)"
# a file gen did not write is not replaced; bad uses say what to do (exit 2)
mkdir -p "$D/mine"; echo "my own export" > "$D/mine/province.csv"
set +e
"$BIN" gen --config config/demo.cfg --regions 2 --out "$D/mine" --quiet > "$D/err.txt" 2>&1; rc5=$?
"$BIN" gen --config config/demo.cfg --regions 0 --out "$D/bad" > "$D/err0.txt" 2>&1; rc0=$?
"$BIN" gen --config config/demo.cfg --regions 2 --fees --out "$D/bad" > "$D/errf.txt" 2>&1; rcf=$?
set -e
eq "gen: a foreign province.csv in --out: exit 5, kept" "$rc5 $(cat "$D/mine/province.csv")" "5 my own export"
has "gen: a foreign file: what to do" "$(cat "$D/err.txt")" "pass --out with another name"
eq "gen --regions 0: exit 2" "$rc0" 2
has "gen --regions 0: the range" "$(cat "$D/err0.txt")" "--regions needs a number from 1 to 99, not '0'"
eq "gen --regions --fees: exit 2" "$rcf" 2
has "gen --regions --fees: what to do" "$(cat "$D/errf.txt")" "leave out --fees"

# B. settle the generated province; each region = the one-region run of its rows
"$BIN" settle --config "$P/province.cfg" > "$D/settle.txt" 2>&1
has "settle: the output where the configuration says" "$(cat "$D/settle.txt")" "-> $P/province.h5"
"$BIN" settle --config "$P/province-files.cfg" --quiet
# the one-region configuration of region $1: the generated file's shared lines, the region's overrides merged by hand
flat() {
    line=$(grep "code = \"$1\"" "$P/province.cfg")
    l1=$(echo "$line" | grep -o 'level1 = [0-9.]*' | cut -d' ' -f3)
    echo "region = \"$1\";"
    sed -n '/^regions = (/q; /^#/d; /^region = /d; /^input = /d; /^output = /d; p' "$P/province.cfg" |
        sed "s/level1 = 0.85;/level1 = ${l1:-0.85};/"
    echo "$line" | grep -o 'budget = {[^}]*};'
}
for c in $CODES; do
    flat "$c" > "$D/one$c.cfg"
    awk -F, -v rc="$RC" -v c="$c" 'NR == 1 || $rc == c { print NR }' "$P/province.csv" > "$D/lines$c.txt"
    CASEMIX_TEST_LINE_MAP="$D/lines$c.txt" "$BIN" settle --config "$D/one$c.cfg" --input "$P/$c/current.csv" \
        --out "$D/one$c.h5" --quiet
    same_region "$P/province.h5" "$c" "$D/one$c.h5" "province.cfg"
    "$BIN" settle --config "$D/one$c.cfg" --input "$P/$c/current.csv" --out "$D/file$c.h5" --quiet
    same_region "$P/province-files.h5" "$c" "$D/file$c.h5" "province-files.cfg"
done
eq "/province_summary: the regions and the total" "$(h5cols "$P/province.h5" /province_summary region | tr '\n' ' ')" "${CODES}total "
eq "/province_summary: payments = budget in every row" \
    "$(h5cols "$P/province.h5" /province_summary fund_budget_fen payments_fen | awk -F'|' '$1 != $2' | wc -l | tr -d ' ')" 0
eq "/province_summary: records = the export's rows" "$(h5cols "$P/province.h5" /province_summary region records_read | tail -1)" \
    "total|$(($(wc -l < "$P/province.csv") - 1))"
"$BIN" export "$P/province.h5" --csv "$D/csv" --tables province_summary --quiet
eq "export --csv: province_summary.csv has the regions and the total" "$(($(wc -l < "$D/csv/province_summary.csv") - 1))" 4

# C. config/example-province.cfg: `make demo` (the demo region with its history) and the
# generation step, then settle (the example with build/ pointing here)
"$BIN" gen --config config/demo.cfg --out "$D/build/demo" --quiet
sed "s|\"\\.\\./build/|\"$D/build/|; s|\"demo/|\"$(pwd)/config/demo/|" config/example-province.cfg > "$D/example-province.cfg"
eq "example: names only files of build/ and config/demo/" "$(grep -c '"\.\./\|"demo/' "$D/example-province.cfg" || true)" 0
set +e
"$BIN" settle --config "$D/example-province.cfg" > "$D/ex.txt" 2>&1; rc=$?
set -e
eq "example: settles (exit 0)" "$rc" 0
eq "example: four regions and the total" "$(h5cols "$D/build/province/province-41-2025.h5" /province_summary region | tr '\n' ' ')" \
    "410100 410200 410300 410400 total "
eq "example: 410400 is the demo region (its own file: every row)" \
    "$(h5cols "$D/build/province/province-41-2025.h5" /province_summary region records_read | grep '^410400')" \
    "410400|$(($(wc -l < "$D/build/demo/current.csv") - 1))"
EX=$D/build/province/province-41-2025.h5
eq "example: 410400 reads its own history years, 410100 the shared (none)" \
    "$(h5dump -A -g /regions/410400 "$EX" | grep -c 'ATTRIBUTE "history_') $(h5dump -A -g /regions/410100 "$EX" | grep -c 'ATTRIBUTE "history_' || true)" "3 0"
eq "example: 410200's own level1, 410100's the shared" \
    "$(h5dump -a /regions/410200/level1_coefficient "$EX" | grep -A1 'DATA {' | tail -1 | tr -d ' ') $(h5dump -a /regions/410100/level1_coefficient "$EX" | grep -A1 'DATA {' | tail -1 | tr -d ' ')" \
    "(0):0.7 (0):0.85"
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
rm -rf "$D"
