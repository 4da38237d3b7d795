#!/bin/sh
# dip_golden_3k.sh - `casemix group --scheme dip` on the 3,002 golden records of
# the real 平顶山 catalogue must give the expected group and match path on
# every record (end to end: reader, aliases, grouper, CSV writer).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
need_real dip/pingdingshan-2025
D=$(pwd)/$TMP/real
mkdir -p "$D"
cat > "$D/pds.cfg" <<EOF2
$REAL_DIP
budget = { fund_budget = "30000000.00"; };
EOF2
G=$DATA/dip/pingdingshan-2025/golden_3k.csv
"$BIN" group --scheme dip --config "$D/pds.cfg" --input "$G" --out "$D/golden.out.csv" --quiet
# expected: case_id, expected_group, expected_path (last three columns of the golden file)
awk -F, 'NR > 1 { print $1 "," $(NF-2) "," $(NF-1) }' "$G" > "$D/want.csv"
awk -F, 'NR > 1 { print $1 "," $3 "," $5 }' "$D/golden.out.csv" > "$D/got.csv"
n=$(wc -l < "$D/want.csv")
diff "$D/want.csv" "$D/got.csv" > "$D/diff.txt" || true
bad=$(grep -c '^<' "$D/diff.txt" || true)
echo "golden_3k: $((n - bad)) of $n records agree on group and match path"
[ "$n" -eq 3002 ] && [ "$bad" -eq 0 ] || { head -20 "$D/diff.txt"; exit 1; }
# and the settlement of the same records closes on the budget
"$BIN" settle --config "$D/pds.cfg" --input "$G" --out "$D/golden.h5" --quiet
expect "golden_3k settle: read|cases|rejects" "$(h5cols "$D/golden.h5" /summary records_read cases rejects)" "3002|3002|0"
expect "golden_3k settle: Σ payments = budget" "$(h5cols "$D/golden.h5" /summary payments_fen fund_budget_fen)" "3000000000|3000000000"
