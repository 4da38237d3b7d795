#!/bin/sh
# simprov.sh - casemix simulate on a province configuration (省级多统筹区 政策模拟):
# three generated regions (different sizes and budgets, one with its own level
# coefficient) in one export with a region column, one category scenario
# (services +10%, lab -16.67%, fixed point value; region 3 overrides the list
# with services +20%) and the identity. Each
# region's /regions/<code>/scenarios/NAME/{summary,groups,institutions,
# measurement} equals (h5diff) the one-region simulate of a file holding only
# the region's rows (as the province's region file: no padding, its lines
# mapped to the export's), the scenario's attributes too (but config_line);
# /province_summary has one row per region and scenario with the members of
# the one-region summary; three rows of no configured region are in /rejects and
# read = to the regions + rejected (attributes of /province_summary); the file is casemix_kind "simulation"; a province simulate on a bad region
# setting stops with file:line (exit 3).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/simprov
rm -rf "$D"; mkdir -p "$D"
DEMO=$(pwd)/config/demo
SIZES="400 90 250"
CODES=""
i=0
for n in $SIZES; do
    i=$((i + 1)); code=$(printf '4102%02d' $i); CODES="$CODES $code"
    cat > "$D/gen$code.cfg" <<CFG
region = "$code"; period = "2025Q1";
dip = { catalogue = "$DEMO/catalogue.csv"; group_stats = "$DEMO/group_stats.csv";
        proc_attributes = "$DEMO/proc_attributes.csv"; icd10 = "$DEMO/icd10.csv"; };
generator = { cases = $n; seed = $((2000 + i)); institutions = $((3 + i * 2)); bad_rows = 0.01; };
CFG
    "$BIN" gen --config "$D/gen$code.cfg" --out "$D/r$code" --history-cases -1 --quiet
done
head -1 "$D/r410201/current.csv" > "$D/export.csv"
RC=$(head -1 "$D/export.csv" | tr ',' '\n' | grep -n '^region$' | cut -d: -f1)
for code in $CODES; do tail -n +2 "$D/r$code/current.csv"; done | LC_ALL=C sort -t, -k1,1 >> "$D/export.csv"
# three rows no configured region takes (an unknown region, twice, and an empty one): /rejects
awk -F, -v OFS=, -v rc="$RC" 'NR == 5 || NR == 60 { $rc = "419999"; print } NR == 77 { $rc = ""; print }' "$D/export.csv" > "$D/extra.csv"
cat "$D/extra.csv" >> "$D/export.csv"
shared() {
    cat <<CFG
period = "2025Q1";
dip = { catalogue = "$DEMO/catalogue.csv"; group_stats = "$DEMO/group_stats.csv";
        proc_attributes = "$DEMO/proc_attributes.csv"; icd10 = "$DEMO/icd10.csv"; };
output = { compression = "deflate"; chunk_rows = 512; };
CFG
}
# the scenarios: the shared ones (services +10%, lab -16.67%); region 3 overrides them (services +20%)
scen() { # services-multiplier
    echo "simulate = { scenarios = ( { name = \"identity\"; },"
    echo "  { name = \"prices\"; policy = \"fixed_point_value\"; categories = { services = $1; lab = 0.8333; }; } ); };"
}
svc() { [ "$1" -eq 3 ] && echo 1.20 || echo 1.10; }
l1() { [ "$1" -eq 2 ] && echo 0.7 || echo 0.85; }
budget() { echo "$((30000000 + $1 * 1234567)).0$1"; }
{
    shared
    scen 1.10
    echo "region = \"41\";"
    echo "input = { records = \"$D/export.csv\"; };"
    echo "coefficients = { mode = \"fixed\"; level1 = 0.85; level2 = 0.92; level3 = 1.0; };"
    echo "regions = ("
    i=0; sep=""
    for code in $CODES; do
        i=$((i + 1))
        printf '%s  { code = "%s"; budget = { fund_budget = "%s"; };' "$sep" "$code" "$(budget $i)"
        [ $i -eq 2 ] && printf ' coefficients = { level1 = 0.7; };'
        [ $i -eq 3 ] && printf '\n    %s' "$(scen 1.20 | tr '\n' ' ')"
        printf ' }'
        sep=",
"
    done
    printf '\n);\n'
} > "$D/province.cfg"

"$BIN" simulate --config "$D/province.cfg" --out "$D/province.h5" > "$D/out.txt"
expect "casemix_kind" "$(h5dump -a /casemix_kind "$D/province.h5" | grep -o '"simulation"')" '"simulation"'
i=0
for code in $CODES; do
    i=$((i + 1))
    { shared
      scen "$(svc $i)"
      echo "region = \"$code\";"
      echo "coefficients = { mode = \"fixed\"; level1 = $(l1 $i); level2 = 0.92; level3 = 1.0; };"
      echo "budget = { fund_budget = \"$(budget $i)\"; };"; } > "$D/one$code.cfg"
    awk -F, -v rc="$RC" -v c="$code" 'NR == 1 || $rc == c' "$D/export.csv" > "$D/only$code.csv"
    "$BIN" simulate --config "$D/one$code.cfg" --input "$D/only$code.csv" --out "$D/one$code.h5" --quiet
    for s in identity prices; do
        for t in summary groups institutions measurement; do
            if h5diff -q "$D/province.h5" "$D/one$code.h5" "/regions/$code/scenarios/$s/$t" "/scenarios/$s/$t" > "$D/diff.txt" 2>&1; then
                ok "region $code: /scenarios/$s/$t equals the one-region simulate (h5diff)"
            else
                bad "region $code: /regions/$code/scenarios/$s/$t differs from the one-region simulate" "$(head -5 "$D/diff.txt")"
            fi
        done
        # the attributes but config_line (the scenario's line: another file)
        a1=$(h5dump -A -g "/regions/$code/scenarios/$s" "$D/province.h5" | sed 1,2d | sed '/ATTRIBUTE "config_line"/,+6d')
        a2=$(h5dump -A -g "/scenarios/$s" "$D/one$code.h5" | sed 1,2d | sed '/ATTRIBUTE "config_line"/,+6d')
        eq "region $code: scenario $s attributes but config_line" "$a1" "$a2"
        eq "region $code: /province_summary row of $s = the one-region summary" \
            "$(h5cols "$D/province.h5" /province_summary region scenario cases base_total_cost_fen diff_total_cost_fen diff_fund_fen dip_payment_fen | grep "^$code|$s|" | cut -d'|' -f3-)" \
            "$(h5cols "$D/one$code.h5" /scenarios/$s/summary cases base_total_cost_fen diff_total_cost_fen diff_fund_fen dip_payment_fen)"
    done
    eq "region $code: cases attribute" "$(h5dump -a "/regions/$code/cases" "$D/province.h5" | grep -o '([0-9]*): [0-9]*' | sed 's/.*: //')" \
        "$(h5dump -a /cases "$D/one$code.h5" | grep -o '([0-9]*): [0-9]*' | sed 's/.*: //')"
done
eq "/province_summary: one row per region and scenario" "$(h5rows "$D/province.h5" /province_summary | wc -l)" 6
# no record lost: the rows of no configured region in /rejects (line, field region, reason), and
# read = to the regions + rejected, against the export and each region's rows counted here
eq "/rejects: the 3 rows of no configured region" "$(h5rows "$D/province.h5" /rejects | wc -l)" 3
eq "/rejects: their lines" "$(h5cols "$D/province.h5" /rejects line | tr '\n' ' ')" \
    "$(awk -v n="$(($(wc -l < "$D/export.csv") - 3))" 'BEGIN { printf "%d %d %d ", n + 1, n + 2, n + 3 }')"
has "/rejects: field region, reason" "$(h5cols "$D/province.h5" /rejects field reason)" "region|region '419999' is not in the regions list"
has "/rejects: the empty region" "$(h5cols "$D/province.h5" /rejects reason)" "empty region"
sattr() { h5dump -a "$2" "$1" | grep -o '(0): [0-9]*' | sed 's/(0): //'; }
eq "records_read = the export's rows" "$(sattr "$D/province.h5" /province_summary/records_read)" "$(($(wc -l < "$D/export.csv") - 1))"
eq "records_rejected = 3" "$(sattr "$D/province.h5" /province_summary/records_rejected)" 3
eq "records_read = records_to_regions + records_rejected" "$(sattr "$D/province.h5" /province_summary/records_read)" \
    "$(($(sattr "$D/province.h5" /province_summary/records_to_regions) + 3))"
for code in $CODES; do
    eq "region $code: records = its rows in the export" "$(sattr "$D/province.h5" /regions/$code/records)" \
        "$(awk -F, -v rc="$RC" -v c="$code" 'NR > 1 && $rc == c' "$D/export.csv" | wc -l)"
done
has "the terminal: read = to the regions + rejected" "$(cat "$D/out.txt")" "records: $(($(wc -l < "$D/export.csv") - 1)) read = "
# the scenario moves something (else the comparison above would be vacuous)
expect "prices: region 410201's cost moves" \
    "$(h5cols "$D/province.h5" /regions/410201/scenarios/prices/summary diff_total_cost_fen | awk '{print ($1 != 0) ? "yes" : "NO"}')" "yes"
# a bad region setting: file:line, exit 3, no output
sed "s/\"$(budget 2)\"/\"lots\"/" "$D/province.cfg" > "$D/bad.cfg"
set +e
"$BIN" simulate --config "$D/bad.cfg" --out "$D/bad.h5" > "$D/bad.txt" 2>&1; code=$?
set -e
eq "bad region setting: exit 3" "$code" 3
has "bad region setting: file:line" "$(cat "$D/bad.txt")" "bad.cfg:"
eq "bad region setting: no output" "$(ls "$D/bad.h5" 2>/dev/null)" ""
# a scenario that re-scores from history in a region without history (region 3's own list): stopped
# before any region runs, with the file:line of the scenario and the region (exit 3, no output)
sed '/regions = (/,$ s/policy = "fixed_point_value"; categories = { services = 1.20/categories = { services = 1.20/' \
    "$D/province.cfg" > "$D/bad2.cfg"
set +e
"$BIN" simulate --config "$D/bad2.cfg" --out "$D/bad2.h5" > "$D/bad2.txt" 2>&1; code=$?
set -e
eq "scenario without history: exit 3" "$code" 3
has "scenario without history: file:line, region and scenario" "$(cat "$D/bad2.txt")" \
    "bad2.cfg:$(grep -n 'services = 1.20' "$D/bad2.cfg" | cut -d: -f1): regions[2] (410203): scenario prices: policy fixed_budget_rescored"
eq "scenario without history: no region ran" "$(grep -c 'cases -> ' "$D/bad2.txt" || true)" 0
eq "scenario without history: no output" "$(ls "$D/bad2.h5" 2>/dev/null)" ""
[ "$fails" -eq 0 ] || { echo "FAIL: $fails check(s):$failed"; exit 1; }
rm -rf "$D"
