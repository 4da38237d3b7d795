#!/bin/sh
# drg_golden_2k.sh - end to end through the CLI: `casemix group --scheme drg`
# reads golden_2k.csv in its own column layout (record_id, sex, age_years,
# age_days, birth_weight_g, principal_dx, other_dx, procedures) and must give
# the expected status, MDC, ADRG and DRG for all 2,000 records; then a
# DIP + DRG settlement of a generated region with the real tables closes
# both budgets to the fen, identical at 1 and 2 threads.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
need_real chs-drg-1.1 dip/pingdingshan-2025
D=$(pwd)/$TMP/drg
mkdir -p "$D"
cat > "$D/drg.cfg" <<EOF2
region = "410400"; period = "2025"; scheme = "both";
input = { records = "current.csv"; };
history = ( { year = 2023; file = "history_2023.csv"; }, { year = 2024; file = "history_2024.csv"; } );
$REAL_DIP
drg = { tables = "$DATA/chs-drg-1.1"; };
coefficients = { mode = "history"; };
budget = { fund_budget = "80000000.00"; drg_budget = "75000000.01"; };
generator = { seed = 5; institutions = 30; year = 2025; bad_rows = 0.001; cases = 30000; history_cases = 30000; };
EOF2
G=$DATA/chs-drg-1.1/golden_2k.csv
"$BIN" group --scheme drg --config "$D/drg.cfg" --input "$G" --out "$D/golden.out.csv" --quiet
python3 - "$G" "$D/golden.out.csv" <<'PY'
import csv, sys
want = {r["record_id"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
got = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
bad = [g for g in got if (g["status"], g["mdc"], g["adrg"], g["drg"]) !=
       tuple(want[g["case_id"]][k] for k in ("expected_status", "expected_mdc", "expected_adrg", "expected_drg"))]
print(f"golden_2k: {len(got) - len(bad)} of {len(want)} records agree on status, MDC, ADRG and DRG")
for g in bad[:10]: print("  differs:", g)
sys.exit(0 if len(got) == len(want) == 2000 and not bad else 1)
PY
"$BIN" gen --config "$D/drg.cfg" --out "$D" --quiet
"$BIN" settle --config "$D/drg.cfg" --threads 1 --out "$D/t1.h5" --quiet
"$BIN" settle --config "$D/drg.cfg" --threads 2 --out "$D/t2.h5" --quiet
expect "DIP payments = DIP budget" "$(h5cols "$D/t1.h5" /summary payments_fen)" "8000000000"
expect "DRG payments = DRG budget" "$(h5cols "$D/t1.h5" /summary drg_payments_fen)" "7500000001"
expect "records read = cases + rejects" \
    "$(h5cols "$D/t1.h5" /summary records_read cases rejects | awk -F'|' '{print ($1 == $2 + $3) ? "yes" : "no"}')" "yes"
expect "Σ case DRG payments = DRG budget" \
    "$(h5cols "$D/t1.h5" /cases drg_payment_fen | awk '{s += $1} END {printf "%.0f", s}')" "7500000001"
for ds in /cases /groups /drgs /institutions /rejects /summary; do
    h5diff "$D/t1.h5" "$D/t2.h5" "$ds" "$ds" || { echo "FAIL: $ds differs between 1 and 2 threads"; exit 1; }
done
echo "ok: DIP + DRG settlement identical at 1 and 2 threads"
