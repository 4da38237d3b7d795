#!/bin/sh
# demo_region.sh - the README's first command on its embedded default: the
# seeded demo region (config/demo.cfg, self-made tables) generates the same
# bytes twice, settles by DIP and CHS-DRG, and reconciles: records read =
# cases + rejects, Σ payments = each budget to the fen, Σ cases = Σ institutions.
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
