#!/bin/sh
# province.sh - a province run (省级多统筹区) equals one-region runs, region by region.
#
# Ten regions of different sizes (casemix gen, one seed each; 120 to 2,400
# cases, 1% bad rows) joined into one export with a region column, rows
# interleaved, plus rows of an unconfigured region and one with an empty
# region. The province configuration has shared defaults and per-region
# overrides (budgets, level coefficients, an outlier threshold, compression).
#   A. the export: each /regions/<code> group equals a one-region run of the
#      export with every other region's rows blanked (the same lines), by
#      h5diff of every table and of the attributes but the named ones;
#      unconfigured rows are /rejects (line, field region, value);
#      records of the export = Σ cases + Σ rejects.
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

ATTRS_DIFFER="config_file|config_sha256|input_file|rejects_file|start_time|end_time"
# same_region PROVINCE.h5 CODE ONE.h5 WHAT: every table and the group's attributes
same_region() {
    tabs=$(h5ls "$3" | awk '{print $1}'); difs=""
    for t in $tabs; do h5diff -q "$1" "$3" "/regions/$2/$t" "/$t" > "$D/diff.txt" 2>&1 || difs="$difs $t"; done
    if [ -z "$difs" ] && [ "$(h5ls "$1/regions/$2" | awk '{print $1}')" = "$tabs" ]; then
        ok "$4 $2: every table equals the one-region run (h5diff)"
    else
        bad "$4 $2: tables differ from the one-region run:$difs"
    fi
    # attributes of the group vs the one-region root, but those named (paths, times, the file kind)
    h5dump -A -g "/regions/$2" "$1" | sed -n '/^   ATTRIBUTE/,$p' > "$D/a1.txt"
    h5dump -A "$3" | awk '/^   ATTRIBUTE/ {p = 1} /^   (GROUP|DATASET)/ {p = 0} p' > "$D/a2.txt"
    strip() { awk -v re="^   ATTRIBUTE \"($ATTRS_DIFFER|casemix_kind)\"" '$0 ~ re {skip = 1; next} /^   ATTRIBUTE/ {skip = 0} /^   (GROUP|DATASET)/ {skip = 1} !skip' "$1"; }
    eq "$4 $2: attributes but $ATTRS_DIFFER" "$(strip "$D/a1.txt" | md5sum)" "$(strip "$D/a2.txt" | md5sum)"
}

# A. the export
"$BIN" settle --config "$D/province.cfg" --out "$D/province.h5" > "$D/out.txt"
i=0
for code in $CODES; do
    i=$((i + 1))
    flat "$code" "$i" > "$D/one$code.cfg"
    awk -F, -v rc="$RC" -v c="$code" 'NR == 1 || $rc == c { print; next } { print "" }' "$D/export.csv" > "$D/only$code.csv"
    "$BIN" settle --config "$D/one$code.cfg" --input "$D/only$code.csv" --out "$D/one$code.h5" --quiet
    same_region "$D/province.h5" "$code" "$D/one$code.h5" "export"
done
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
    "$BIN" settle --config "$D/one$code.cfg" --input "$D/r$code/current.csv" --out "$D/file$code.h5" --quiet
    same_region "$D/province-files.h5" "$code" "$D/file$code.h5" "files"
done
eq "files: no temporary file or directory left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0

# C. a bad region setting: file:line and the region, nothing done
sed 's/fund_budget = "20000000.00"/fund_budget = "-5"/; s/code = "410103";/code = "410103"; budgte = 1;/' \
    "$D/province.cfg" > "$D/bad.cfg"
set +e
"$BIN" settle --config "$D/bad.cfg" --out "$D/bad.h5" > "$D/bad.txt" 2>&1; rc=$?
set -e
eq "bad region key: exit 3" "$rc" 3
line=$(grep -n 'budgte' "$D/bad.cfg" | cut -d: -f1)
has "bad region key: file:line and the region" "$(cat "$D/bad.txt")" "bad.cfg:$line: regions[2] (410103).budgte: unknown key"
eq "bad region key: nothing written" "$(ls "$D" | grep -c '^bad\.h5' || true)" 0
# a region without a budget: the line of its entry and the region, before any work
awk '/code = "410107"/ { print; getline; if ($0 ~ /budget/) next } { print }' "$D/province.cfg" > "$D/bad2.cfg"
set +e
"$BIN" settle --config "$D/bad2.cfg" --out "$D/bad.h5" > "$D/bad.txt" 2>&1; rc=$?
set -e
eq "region without a budget: exit 3" "$rc" 3
line=$(grep -n 'code = "410107"' "$D/bad2.cfg" | cut -d: -f1)
has "region without a budget: file:line and the region" "$(cat "$D/bad.txt")" "bad2.cfg:$line: regions[6] (410107): budget.fund_budget must be set"
# config/example-province.cfg is a valid province configuration (it stops on the missing input, exit 4)
set +e
"$BIN" settle --config config/example-province.cfg --input "$D/none.csv" --out "$D/ex.h5" --quiet > "$D/ex.txt" 2>&1; rc=$?
set -e
eq "config/example-province.cfg loads (exit 4: no input, not 3)" "$rc" 4
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
rm -rf "$D"
