#!/bin/sh
# demo_region.sh - the README's first command on its embedded default: the
# seeded demo region (config/demo.cfg, self-made tables) generates the same
# bytes twice, settles by DIP and CHS-DRG, and reconciles: records read =
# cases + rejects, Σ payments = each budget to the fen, Σ cases = Σ institutions;
# the summary's five largest payments of each scheme are those of
# /institutions (ties: lower id) and add up to no more than the budget; the
# rejects file holds one row per reject.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/demo
mkdir -p "$D"
sed -e "s|\.\./build/demo/|$D/|g" -e "s|\"demo/|\"$(pwd)/config/demo/|g" config/demo.cfg > "$D/demo.cfg"
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet
a=$(cat "$D"/*.csv | md5sum)
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet --threads 1
b=$(cat "$D"/*.csv | md5sum)
expect "generator: same seed, same bytes (2 threads, then 1)" "$a" "$b"
"$BIN" settle --config "$D/demo.cfg" --out "$D/demo.h5" > "$D/summary.txt"
grep -q "reconciled" "$D/summary.txt" && grep -q "DIP payments .* = budget to the fen; Σ cases = Σ institutions" "$D/summary.txt" \
    && grep -q "DRG payments .* = budget to the fen; Σ cases = Σ institutions" "$D/summary.txt" \
    || { cat "$D/summary.txt"; echo "FAIL: the summary does not reconcile"; exit 1; }
S=$(h5cols "$D/demo.h5" /summary records_read cases rejects payments_fen fund_budget_fen drg_payments_fen drg_budget_fen)
expect "records read = cases + rejects; payments = budgets" \
    "$(echo "$S" | awk -F'|' '{print ($1 == $2 + $3 && $4 == $5 && $6 == $7) ? "reconciled" : "NOT: " $0}')" "reconciled"
expect "Σ case payments (DIP) = budget" "$(h5cols "$D/demo.h5" /cases payment_fen | awk '{s += $1} END {printf "%.0f", s}')" \
    "$(echo "$S" | cut -d'|' -f5)"
expect "rejects listed = rejects counted" "$(h5rows "$D/demo.h5" /rejects | wc -l | tr -d ' ')" "$(echo "$S" | cut -d'|' -f3)"
for sch in DIP DRG; do
    col=payment_fen; [ $sch = DRG ] && col=drg_payment_fen
    budget=$(h5cols "$D/demo.h5" /summary $( [ $sch = DRG ] && echo drg_budget_fen || echo fund_budget_fen))
    TOPPAY=$(sed -n "/^  $sch largest payments/,/^  [A-Za-z]/p" "$D/summary.txt" | grep -E '^      ')
    expect "$sch largest payments: the five largest of /institutions" \
        "$(echo "$TOPPAY" | awk '{gsub(",", "", $3); printf "%s|%s|%.0f ", $1, $2, $3 * 100}')" \
        "$(h5cols "$D/demo.h5" /institutions institution_id cases $col | sort -t'|' -k3,3nr -k1,1 | head -5 | tr '\n' ' ')"
    expect "$sch largest payments: Σ <= budget" \
        "$(echo "$TOPPAY" | awk -v b="$budget" '{gsub(",", "", $3); s += $3 * 100} END {print (s <= b) ? "yes" : "no: " s " > " b}')" yes
done
grep -q 'in force         scheme "both"' "$D/summary.txt" || { echo "FAIL: the summary does not say which payments are in force"; exit 1; }
expect "rejects file: one row per reject" "$(($(wc -l < "$D/demo.rejects.csv") - 1))" "$(echo "$S" | cut -d'|' -f3)"
