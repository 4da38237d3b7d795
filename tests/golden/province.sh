#!/bin/sh
# province.sh - a province run (省级多统筹区) equals one-region runs, region by region.
#
# Ten regions of different sizes (casemix gen, one seed each; 120 to 2,400
# cases, 1% bad rows) joined into one export with a region column, rows
# interleaved, plus rows of an unconfigured region and one with an empty
# region. The province configuration has shared defaults and per-region
# overrides (budgets, level coefficients, an outlier threshold, compression).
#   A. the export: each /regions/<code> group equals a one-region run of a
#      file holding only the region's rows (the province's region file holds
#      no padding: its lines are mapped to the export's), recorded at their
#      export lines (CASEMIX_TEST_LINE_MAP, the lines counted here by awk), by
#      h5diff of every table and of the attributes but the named ones; run
#      with partial slices of 64 slots, so slots of other regions' rows (the
#      padding of before) would move the slices' double sums. Without the map
#      the one-region run differs only in the tables that carry lines, and its
#      lines map to the province's. Every export line is in exactly one
#      region's /cases or /rejects or in the province /rejects; unconfigured
#      rows are /rejects (line, field region, value); records of the export =
#      Σ cases + Σ rejects.
#   B. one file per region (regions[i].input.records): each group equals the
#      one-region run of that file.
#   C. a bad region setting stops with file:line naming the region (exit 3).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/province
. tests/province_gen.inc
# flat one-region config: the shared settings with the region's groups merged by hand
flat() { # code index
    echo "region = \"$1\";"
    echo "period = \"2025Q1\";"
    echo "dip = { catalogue = \"$DEMO/catalogue.csv\"; group_stats = \"$DEMO/group_stats.csv\"; proc_attributes = \"$DEMO/proc_attributes.csv\"; icd10 = \"$DEMO/icd10.csv\"; };"
    l1=0.85; [ $(($2 % 3)) -eq 0 ] && l1=0.7
    echo "coefficients = { mode = \"fixed\"; level1 = $l1; level2 = 0.92; level3 = 1.0; };"
    comp=deflate; [ $2 -eq 5 ] && comp=none
    echo "output = { compression = \"$comp\"; chunk_rows = 512; };"
    over "$1" "$2" | grep -v -e '^coefficients' -e '^output'
}

# A. the export (slices of 64 slots: the largest region spans 19)
export CASEMIX_TEST_SLICE_SHIFT=6
"$BIN" settle --config "$D/province.cfg" --out "$D/province.h5" --timings "$D/province.json" > "$D/out.txt"
i=0
for code in $CODES; do
    i=$((i + 1))
    flat "$code" "$i" > "$D/one$code.cfg"
    awk -F, -v rc="$RC" -v c="$code" 'NR == 1 || $rc == c' "$D/export.csv" > "$D/only$code.csv"
    awk -F, -v rc="$RC" -v c="$code" 'NR == 1 || $rc == c { print NR }' "$D/export.csv" > "$D/lines$code.txt"
    CASEMIX_TEST_LINE_MAP="$D/lines$code.txt" "$BIN" settle --config "$D/one$code.cfg" --input "$D/only$code.csv" \
        --out "$D/one$code.h5" --quiet
    same_region "$D/province.h5" "$code" "$D/one$code.h5" "export"
done
# the region's slots are its rows only (--timings region_slots; before the line map: the export's lines)
eq "export: each region's read holds a slot per row of its own (region_slots)" \
    "$(grep -o '"region_slots":\[[0-9,]*\]' "$D/province.json" | sed 's/.*\[//; s/\]//')" \
    "$(for code in $CODES; do printf '%s,' $(($(wc -l < "$D/only$code.csv") - 1)); done | sed 's/,$//')"
# the largest region without the map: the same settlement, only the line-carrying tables differ
"$BIN" settle --config "$D/one410100.cfg" --input "$D/only410100.csv" --out "$D/plain.h5" --quiet
difs=""
for t in $(h5ls "$D/plain.h5" | awk '{print $1}'); do
    h5diff -q "$D/province.h5" "$D/plain.h5" "/regions/410100/$t" "/$t" > /dev/null 2>&1 || difs="$difs $t"
done
eq "export 410100 without the line map: only the tables with lines differ" "$difs" " cases flags quality rejects review_sample"
eq "export 410100: /cases lines = the one-region lines mapped to the export's" \
    "$(h5cols "$D/plain.h5" /cases line | awk 'NR == FNR { m[FNR] = $1; next } { print m[$1] }' "$D/lines410100.txt" - | md5sum)" \
    "$(h5cols "$D/province.h5" /regions/410100/cases line | md5sum)"
unset CASEMIX_TEST_SLICE_SHIFT
# every line of the export in exactly one place: a region's /cases or /rejects, or the province /rejects
{ for code in $CODES; do h5cols "$D/province.h5" /regions/$code/cases line; h5cols "$D/province.h5" /regions/$code/rejects line; done
  h5cols "$D/province.h5" /rejects line; } | sort -n > "$D/placed.txt"
eq "export: every line in exactly one region's output or /rejects" "$(md5sum < "$D/placed.txt")" \
    "$(awk 'NR > 1 && /./ { print NR }' "$D/export.csv" | md5sum)"
eq "export: no line map or region file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
eq "export: unconfigured and empty regions are /rejects (line|field)" \
    "$(h5cols "$D/province.h5" /rejects line field | tr '\n' ' ')" "8|region 41|region 91|region "
has "export: the reject names the region" "$(h5cols "$D/province.h5" /rejects reason | head -1)" "'419999' is not in the regions list"
recs=$(($(wc -l < "$D/export.csv") - 1))
eq "export: records = Σ cases + Σ rejects (totals row)" \
    "$(h5cols "$D/province.h5" /province_summary region records_read | tail -1)" "total|$recs"
eq "export: totals row = Σ region rows" \
    "$(h5cols "$D/province.h5" /province_summary cases rejects payments_fen | awk -F'|' 'NR <= 10 {c += $1; r += $2; p += $3; next} {print (c == $1 && r + 3 == $2 && p == $3) ? "yes" : "no"}')" yes
eq "export: payments = budget in every region" \
    "$(h5cols "$D/province.h5" /province_summary fund_budget_fen payments_fen | awk -F'|' '$1 != $2' | wc -l | tr -d ' ')" 0
eq "export: OUT.rejects.csv holds every reject" "$(($(wc -l < "$D/province.rejects.csv") - 1))" \
    "$(h5cols "$D/province.h5" /province_summary rejects | tail -1)"

# B. one file per region
"$BIN" settle --config "$D/province-files.cfg" --out "$D/province-files.h5" --quiet
i=0
for code in $CODES; do
    i=$((i + 1))
    "$BIN" settle --config "$D/one$code.cfg" --input "$D/gen/$code/current.csv" --out "$D/file$code.h5" --quiet
    same_region "$D/province-files.h5" "$code" "$D/file$code.h5" "files"
done
eq "files: no temporary file or directory left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0

# C. a bad region setting: file:line and the region, nothing done
sed 's/fund_budget = "20000000.00"/fund_budget = "-5"/; s/code = "410300";/code = "410300"; budgte = 1;/' \
    "$D/province.cfg" > "$D/bad.cfg"
set +e
"$BIN" settle --config "$D/bad.cfg" --out "$D/bad.h5" > "$D/bad.txt" 2>&1; rc=$?
set -e
eq "bad region key: exit 3" "$rc" 3
line=$(grep -n 'budgte' "$D/bad.cfg" | cut -d: -f1)
has "bad region key: file:line and the region" "$(cat "$D/bad.txt")" "bad.cfg:$line: regions[2] (410300).budgte: unknown key"
eq "bad region key: nothing written" "$(ls "$D" | grep -c '^bad\.h5' || true)" 0
# a region without a budget: the line of its entry and the region, before any work
awk '/code = "410700"/ { print; getline; if ($0 ~ /budget/) next } { print }' "$D/province.cfg" > "$D/bad2.cfg"
set +e
"$BIN" settle --config "$D/bad2.cfg" --out "$D/bad.h5" > "$D/bad.txt" 2>&1; rc=$?
set -e
eq "region without a budget: exit 3" "$rc" 3
line=$(grep -n 'code = "410700"' "$D/bad2.cfg" | cut -d: -f1)
has "region without a budget: file:line and the region" "$(cat "$D/bad.txt")" "bad2.cfg:$line: regions[6] (410700): budget.fund_budget must be set"
# a configured region the export has no row of: exit 4 saying so (not "fix the input" with no reason)
sed 's/code = "410300";/code = "419998";/' "$D/province.cfg" > "$D/bad3.cfg"
set +e
"$BIN" settle --config "$D/bad3.cfg" --out "$D/bad.h5" > "$D/bad.txt" 2>&1; rc=$?
set -e
eq "region absent from the export: exit 4" "$rc" 4
has "region absent from the export: named, with the region column" "$(cat "$D/bad.txt")" \
    "region 419998 (regions[2]): no row of $D/export.csv has 419998 in its region column"
# config/example-province.cfg is a valid province configuration (it stops on the missing input, exit 4)
set +e
"$BIN" settle --config config/example-province.cfg --input "$D/none.csv" --out "$D/ex.h5" --quiet > "$D/ex.txt" 2>&1; rc=$?
set -e
eq "config/example-province.cfg loads (exit 4: no input, not 3)" "$rc" 4
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
rm -rf "$D"
