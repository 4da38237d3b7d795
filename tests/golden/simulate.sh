#!/bin/sh
# simulate.sh - casemix simulate on the demo region (config/demo.cfg's
# scenarios identity, reprice, reprice_neutral): the identity scenario's
# differences are all zero; under the fixed budget Σ payments = budget; the
# budget-neutral scenario keeps the fund part within 1 fen; the region's
# measurement is the summary's cost change; the same bytes of every table at
# 1 and 2 threads. Bad scenarios stop before any work with file:line (exit
# 3); an output of another kind is never replaced (exit 5).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/sim
mkdir -p "$D"
sed -e "s|\.\./build/demo/|$D/|g" -e "s|\"demo/|\"$(pwd)/config/demo/|g" config/demo.cfg > "$D/demo.cfg"
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet --fees
rm -f "$D/sim.h5" "$D/sim1.h5" "$D/items.h5"
"$BIN" simulate --config "$D/demo.cfg" --out "$D/sim.h5" > "$D/sim.txt"
grep -q "scenario reprice_neutral" "$D/sim.txt" || { cat "$D/sim.txt"; echo "FAIL: no comparison table"; exit 1; }
expect "casemix_kind" "$(h5dump -a /casemix_kind "$D/sim.h5" | grep -o '"simulation"')" '"simulation"'
# the demo's bad rows are rejected: the summary says they are in no scenario (records read = cases + rejects)
expect "rejected rows named in the summary" "$(grep -cE '^  records read [0-9]+ = cases [0-9]+ \+ rejects [1-9][0-9]* \(not in the baseline' "$D/sim.txt")" 1
I=$(h5rows "$D/sim.h5" /scenarios/identity/summary)
expect "identity: every diff_ member of the summary is 0" \
    "$(h5cols "$D/sim.h5" /scenarios/identity/summary diff_total_cost_fen diff_fund_fen diff_dip_points diff_dip_point_value diff_dip_payment_fen diff_drg_points diff_drg_payment_fen)" \
    "0|0|0|0|0|0|0"
expect "identity: no institution's payment moves" \
    "$(h5cols "$D/sim.h5" /scenarios/identity/institutions diff_dip_payment_fen diff_drg_payment_fen dip_price_effect_fen dip_structure_effect_fen | sort -u)" "0|0|0|0"
for s in reprice reprice_neutral; do
    S=$(h5cols "$D/sim.h5" /scenarios/$s/summary dip_budget_fen dip_payment_fen drg_budget_fen drg_payment_fen diff_total_cost_fen)
    expect "$s: Σ payments = budget (DIP, DRG)" "$(echo "$S" | awk -F'|' '{print ($1 == $2 && $3 == $4) ? "yes" : "NO: " $0}')" "yes"
    expect "$s: Σ institutions' payments = budget" \
        "$(h5cols "$D/sim.h5" /scenarios/$s/institutions dip_payment_fen | awk '{s += $1} END {printf "%.0f", s}')" "$(echo "$S" | cut -d'|' -f1)"
    expect "$s: region measurement net = summary cost change" \
        "$(h5rows "$D/sim.h5" /scenarios/$s/measurement | awk -F'|' '$1 == "region" {print $5}')" "$(echo "$S" | cut -d'|' -f5)"
    expect "$s: institutions' price + structure effects = payment change" \
        "$(h5cols "$D/sim.h5" /scenarios/$s/institutions diff_dip_payment_fen dip_price_effect_fen dip_structure_effect_fen | awk -F'|' '$1 != $2 + $3' | wc -l | tr -d ' ')" "0"
done
expect "reprice: the price-ratio shift (services up)" \
    "$(h5cols "$D/sim.h5" /scenarios/reprice/summary diff_services_pct | awk '{print ($1 > 0) ? "up" : "down"}')" "up"
expect "reprice_neutral: fund part within 1 fen" \
    "$(h5cols "$D/sim.h5" /scenarios/reprice_neutral/summary diff_fund_fen | awk '{print ($1 >= -1 && $1 <= 1) ? "yes" : "NO " $1}')" "yes"
expect "reprice_neutral: solve attributes" "$(h5dump -a /scenarios/reprice_neutral/solve_converged "$D/sim.h5" | grep -c '(0): 1')" "1"
"$BIN" simulate --config "$D/demo.cfg" --out "$D/sim1.h5" --threads 1 --quiet --scenario reprice --scenario identity
for s in identity reprice; do
    for t in summary groups institutions measurement; do
        expect "same $s/$t at 1 and 2 threads" "$(h5rows "$D/sim1.h5" /scenarios/$s/$t | md5sum)" "$(h5rows "$D/sim.h5" /scenarios/$s/$t | md5sum)"
    done
done
expect "--scenario: only those" "$(h5ls "$D/sim1.h5/scenarios" | awk '{print $1}' | tr '\n' ' ')" "identity reprice "
# item-level re-pricing: the measurement against an independent sum of the fee lines (费用明细)
# of the settled cases (their ids from a settlement of the same input)
cp "$D/demo.cfg" "$D/items.cfg"
perl -0pi -e 's/\nsimulate = \{.*?\n\};\n/\n/s' "$D/items.cfg"
cat >> "$D/items.cfg" <<'CFG'
simulate = { fee_file = "fees.csv"; scenarios = ( { name = "items"; price_table = "prices.csv"; } ); };
CFG
"$BIN" simulate --config "$D/items.cfg" --out "$D/items.h5" > "$D/items.txt"
grep -q "1 table item(s) never seen: X9999" "$D/items.txt" || { cat "$D/items.txt"; echo "FAIL: unseen table item not listed"; exit 1; }
"$BIN" settle --config "$D/items.cfg" --out "$D/items_settle.h5" --quiet
h5cols "$D/items_settle.h5" /cases case_id > "$D/settled.txt"
W=$(awk -F, 'FILENAME ~ /settled/ { ok[$1] = 1; next }
             FILENAME ~ /prices/ { if (FNR > 1) { split($3, y, "."); np[$1] = y[1] * 100 + y[2] }; next }
             FNR == 1 { next }
             !($1 in ok) { next }
             ($2 in np) { split($7, y, "."); old = y[1] * 100 + y[2]; d = $5 * np[$2] - old;
                          if (d > 0) up += d; else down += d; cat[$4] += d }
             END { printf "%d|%d|%d", up, down, up + down; for (c in cat) printf "\n%s %d", c, cat[c] > "/dev/stderr" }' \
        "$D/settled.txt" "$D/prices.csv" "$D/fees.csv" 2> "$D/cat_awk.txt")
expect "items: measurement up|down|net = the fee lines summed independently" \
    "$(h5rows "$D/items.h5" /scenarios/items/measurement | awk -F'|' '$1 == "region" {print $3 "|" $4 "|" $5}')" "$W"
expect "items: the examination category's change" \
    "$(h5rows "$D/items.h5" /scenarios/items/measurement | awk -F'|' '$2 == "cost_exam" {print $5}')" \
    "$(awk '$1 == "检查费" {print $2}' "$D/cat_awk.txt")"
expect "items: every fee line read once" "$(h5dump -a /scenarios/items/item_lines "$D/items.h5" | awk '/\(0\)/ {print $2}')" \
    "$(($(wc -l < "$D/fees.csv") - 1))"
expect "items: no unusable line" "$(h5dump -a /scenarios/items/item_lines_unusable "$D/items.h5" | awk '/\(0\)/ {print $2}')" "0"
expect "items: Σ payments = budget" "$(h5cols "$D/items.h5" /scenarios/items/summary dip_payment_fen dip_budget_fen | awk -F'|' '{print ($1 == $2) ? "yes" : "NO"}')" "yes"
# the comparison table: the row the solve holds is marked (and moves at most 1 fen), the others are not;
# a settings-only scenario prints no price effect; item paths are printed clean (no "/../")
row() { awk -v s="scenario $1 " -v r="$2" 'index($0, s) == 1 {on = 1; next} /^scenario / {on = 0} on && index($0, r) {print; exit}' "$3"; }
# who gains and who loses: the counts and the three largest each way = /scenarios/reprice/institutions
h5cols "$D/sim.h5" /scenarios/reprice/institutions institution_id diff_dip_payment_fen > "$D/movers.txt"
cnt=$(awk -F'|' '{u += $2 > 0; d += $2 < 0; z += $2 == 0} END{printf "%d gain, %d lose, %d unchanged", u, d, z}' "$D/movers.txt")
has "reprice: DIP institutions gaining / losing" "$(row reprice "DIP institutions:" "$D/sim.txt")" "DIP institutions: $cnt"
top=$(sort -t'|' -k2,2nr -k1,1 "$D/movers.txt" | awk -F'|' '$2 > 0' | head -3 | cut -d'|' -f1 | tr '\n' ' ')
got=$(row reprice "largest gains:" "$D/sim.txt" | sed 's/;/\n/g' | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^H[0-9]+$/) printf "%s ", $i}')
expect "reprice: the three largest DIP gains, by institution" "$got" "$top"
bot=$(sort -t'|' -k2,2n -k1,1 "$D/movers.txt" | awk -F'|' '$2 < 0' | head -3 | cut -d'|' -f1 | tr '\n' ' ')
got=$(row reprice "largest losses:" "$D/sim.txt" | sed 's/;/\n/g' | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^H[0-9]+$/) printf "%s ", $i}')
expect "reprice: the three largest DIP losses, by institution" "$got" "$bot"
# the points row with thousands separators, as settle prints the total score: /summary base_dip_points, dip_points
pts=$(h5cols "$D/sim.h5" /scenarios/reprice/summary base_dip_points dip_points | awk -F'|' '{printf "%.1f %.1f", $1, $2}' |
      sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\([,.]\)/\1,\2\3/' -e 'ta')
expect "reprice: the DIP points row, thousands separated" "$(row reprice "DIP points" "$D/sim.txt" | awk '{print $3, $4}')" "$pts"
# the structure row's change: percentage points of the services share (not "points" of a score)
svc=$(h5cols "$D/sim.h5" /scenarios/reprice/summary diff_services_pct | awk '{printf "%+.2f", $1}')
has "reprice: the structure row's change in percentage points of the services share" \
    "$(row reprice "services:drugs:exams" "$D/sim.txt")" "$svc pp services 医疗服务占比"
has "reprice_neutral: the cases' fund part row is held by the solve" "$(row reprice_neutral "cases' fund part" "$D/sim.txt")" "<- held by the solve"
expect "reprice_neutral: the held row moves at most 1 fen" \
    "$(row reprice_neutral "cases' fund part" "$D/sim.txt" | awk '{print ($7 >= -0.01 && $7 <= 0.01) ? "yes" : "NO " $0}')" "yes"
expect "reprice_neutral: the payments rows are not marked" "$(row reprice_neutral "DIP payments = outlay" "$D/sim.txt" | grep -c held || true)" 0
grep -v '^simulate = {' "$D/items.cfg" > "$D/pv.cfg"
cat >> "$D/pv.cfg" <<'CFG'
simulate = { fee_file = "fees.csv"; scenarios = (
  { name = "pv"; policy = "fixed_point_value"; categories = { exam = 0.85; }; solve = { target = "fund"; point_value = true; }; },
  { name = "high3"; settings = { outliers = { high = 3.0; }; }; },
  { name = "budget"; settings = { budget = { fund_budget = "999000000.00"; }; }; },
  { name = "items"; price_table = "../sim/prices.csv"; } ); };
CFG
rm -f "$D/pv.h5"
"$BIN" simulate --config "$D/pv.cfg" --out "$D/pv.h5" > "$D/pv.txt"
has "point-value solve: the payments row is held" "$(row pv "DIP payments = outlay" "$D/pv.txt")" "<- held by the solve"
expect "point-value solve: the cases' fund part (which moves) is not marked held" "$(row pv "cases' fund part" "$D/pv.txt" | grep -c held || true)" 0
has "point-value solve: the solve line says what it holds" "$(row pv "budget-neutral solve" "$D/pv.txt")" "fund outlay unchanged: the payments rows; the cases' fund part moves with the prices"
has "settings only: no price effect" "$(row high3 "DIP largest change" "$D/pv.txt")" "own-points effect"
has "settings only: price effect shown as —" "$(row high3 "DIP largest change" "$D/pv.txt")" "(price effect —: no price change"
# a budget alone moves no institution's own points: its change is all structure (the point value), said so
has "budget only: own points unchanged" "$(row budget "DIP largest change" "$D/pv.txt")" "own-points effect 0.00 + structure effect"
has "budget only: the structure effect explained" "$(row budget "DIP largest change" "$D/pv.txt")" \
    "structure effect: the point value moved, by the others' points or the budget)"
expect "priced: the price effect stays" "$(row pv "DIP largest change" "$D/pv.txt" | grep -c "= price effect")" 1
rel=$(realpath --relative-to=. "$D/prices.csv")
has "item path printed clean" "$(row items "items (费用明细)" "$D/pv.txt")" "re-priced by $rel,"
# RFC 4180 quotes in the fee file and the price table (every field quoted, a note column with a comma,
# a doubled quote and a line break inside quotes): the same tables as the plain files
perl -ne 'chomp; my @f = split /,/, $_, -1; my $n = $. == 1 ? "备注" : "a, \"\"b\"\"\nc"; $n = "\"$n\"" if $. > 1;
          print join(",", map { "\"$_\"" } @f), ",", $n, "\r\n"' "$D/fees.csv" > "$D/fees_q.csv"
perl -ne 'chomp; print join(",", map { "\"$_\"" } split /,/, $_, -1), "\n"' "$D/prices.csv" > "$D/prices_q.csv"
grep -q '^"D' "$D/fees_q.csv" && grep -q '^c"' "$D/fees_q.csv" || { head -3 "$D/fees_q.csv"; echo "FAIL: quoted fee file not made"; exit 1; }
sed -e 's|fee_file = "fees.csv"|fee_file = "fees_q.csv"|' -e 's|price_table = "prices.csv"|price_table = "prices_q.csv"|' "$D/items.cfg" > "$D/items_q.cfg"
rm -f "$D/items_q.h5"
"$BIN" simulate --config "$D/items_q.cfg" --out "$D/items_q.h5" --quiet
for t in summary institutions measurement groups; do
    expect "quoted fee file: same items/$t" "$(h5rows "$D/items_q.h5" /scenarios/items/$t | md5sum)" "$(h5rows "$D/items.h5" /scenarios/items/$t | md5sum)"
done
expect "quoted fee file: every line read once, none unusable" \
    "$(h5dump -a /scenarios/items/item_lines -a /scenarios/items/item_lines_unusable "$D/items_q.h5" | awk '/\(0\)/ {printf "%s ", $2}')" \
    "$(($(wc -l < "$D/fees.csv") - 1)) 0 "
# bad scenarios: file:line, exit 3, nothing written
bad_cfg() {
    cp "$D/demo.cfg" "$D/bad.cfg"
    printf '%s\n' "$1" >> "$D/bad.cfg"
    rm -f "$D/bad.h5"
    set +e
    "$BIN" simulate --config "$D/bad.cfg" --out "$D/bad.h5" > "$D/bad.out" 2> "$D/bad.err"
    rc=$?
    set -e
    expect "$2: exit 3" "$rc" "3"
    expect "$2: no output" "$(ls "$D" | grep -c '^bad\.h5' || true)" "0"
    grep -q "$3" "$D/bad.err" || { cat "$D/bad.err"; echo "FAIL: $2: message lacks '$3'"; exit 1; }
    echo "ok: $2: $(head -1 "$D/bad.err")"
}
# the demo's own simulate group out, so that each bad one is the only one
perl -0pi -e 's/\nsimulate = \{.*?\n\};\n/\n/s' "$D/demo.cfg"
L=$(($(wc -l < "$D/demo.cfg") + 1))
bad_cfg 'simulate = { scenarios = ( { name = "x"; categories = { bogus = 1.1; }; } ); };' "unknown category" "bad.cfg:$L: simulate.scenarios\[0\] (x).categories.bogus: unknown cost category"
bad_cfg 'simulate = { scenarios = ( { name = "x"; categories = { exam = -1; }; } ); };' "negative multiplier" "bad.cfg:$L: .*not a multiplier"
bad_cfg 'simulate = { scenarios = ( { name = "x"; policy = "free_lunch"; } ); };' "unknown policy" "bad.cfg:$L: .*policy: must be"
bad_cfg 'simulate = { scenarios = ( { name = "x"; settings = { outliers = { high = 0.1; }; }; } ); };' "bad setting" "bad.cfg:$L:"
bad_cfg 'simulate = { scenarios = ( { name = "x"; settings = { input = { records = "y.csv"; }; }; } ); };' "a setting that is not a policy setting" "bad.cfg:$L: .*settings.input: not a key here"
bad_cfg 'simulate = { scenarios = ( { name = "x"; }, { name = "x"; } ); };' "duplicate name" "used twice"
bad_cfg 'simulate = { scenarios = ( { name = "x"; policy = "fixed_point_value"; settings = { budget = { fund_budget = "115000000.00"; }; }; } ); };' "a budget under fixed_point_value (it would change nothing)" "bad.cfg:$L: .*settings.budget: policy \"fixed_point_value\" keeps the baseline's point value"
bad_cfg 'simulate = { scenarios = ( { name = "x"; solve = { target = "fund"; }; } ); };' "solve without a variable" "bad.cfg:$L: .*solve either"
bad_cfg 'simulate = { scenarios = ( { name = "x"; categories = { services = 1.1; }; solve = { target = "fund"; categories = ["services"]; }; } ); };' "a multiplier the solve would replace" "bad.cfg:$L: .*solve.categories: category .* is also solved"
set +e
"$BIN" simulate --config "$D/bad.cfg" --scenario nope > /dev/null 2> "$D/bad.err"; rc=$?
set -e
expect "--scenario of no scenario: exit 3" "$rc" "3"
"$BIN" settle --config "$D/demo.cfg" --out "$D/settle.h5" --quiet
cp "$D/demo.cfg" "$D/good.cfg"
echo 'simulate = { scenarios = ( { name = "identity"; } ); };' >> "$D/good.cfg"
set +e
"$BIN" simulate --config "$D/good.cfg" --out "$D/settle.h5" --quiet 2>/dev/null; rc=$?
set -e
expect "a settlement file is never replaced: exit 5" "$rc" "5"
# institution names (input.institutions): /institution_names in the scenarios' institution order,
# each the name config/example/institutions.csv gives the id (the report and workbook show them)
mkdir -p "$D/named"
cp config/example/export.csv config/example/institutions.csv "$D/named/"
sed "s|\"\\.\\./demo/|\"$PWD/config/demo/|; s|file = \".*\";|file = \"$D/named/settle.h5\";|" config/example/region.cfg > "$D/named/region.cfg"
echo 'simulate = { scenarios = ( { name = "svc"; policy = "fixed_point_value"; categories = { services = 1.1; }; } ); };' >> "$D/named/region.cfg"
"$BIN" simulate --config "$D/named/region.cfg" --out "$D/named/sim.h5" --quiet
if /usr/bin/python3 -c 'import h5py, openpyxl' 2>/dev/null; then
    expect "simulate: /institution_names, one per /scenarios/NAME/institutions row, the table's names by id" \
        "$(/usr/bin/python3 - "$D/named/sim.h5" config/example/institutions.csv <<'PY'
import csv, sys, h5py
f = h5py.File(sys.argv[1], 'r')
ids = [x.decode() for x in f['scenarios/svc/institutions']['institution_id']]
nm = [x.decode() if isinstance(x, bytes) else x for x in f['institution_names'][:]]
tab = {r[0]: r[1] for r in csv.reader(open(sys.argv[2], encoding='utf-8-sig'))}
bad = [i for i, k in enumerate(ids) if len(nm) != len(ids) or nm[i] != tab.get(k, '')]
print(f'{len(ids)} rows, {len(bad)} wrong' if ids else 'no rows')
PY
)" "$(($(wc -l < config/example/institutions.csv) - 1)) rows, 0 wrong"
    "$BIN" export "$D/named/sim.h5" --xlsx "$D/named/sim.xlsx" --quiet
    expect "simulation workbook: svc_inst names each institution after its id (from /institution_names)" \
        "$(/usr/bin/python3 - "$D/named/sim.xlsx" config/example/institutions.csv <<'PY'
import csv, sys, openpyxl
tab = {r[0]: r[1] for r in csv.reader(open(sys.argv[2], encoding='utf-8-sig'))}
rows = list(openpyxl.load_workbook(sys.argv[1], read_only=True)['svc_inst'].iter_rows(values_only=True))
ok = rows[0][1].startswith('institution_name') and all(r[1] == tab.get(r[0]) for r in rows[1:])
print('ok' if ok and len(rows) > 1 else f'wrong: {rows[:2]}')
PY
)" "ok"
else
    echo "SKIP: simulate /institution_names check: /usr/bin/python3 lacks h5py (make deps-test)"
fi
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed:$failed"; exit 1; }
