#!/bin/sh
# gen_roundtrip.sh - cases generated from every group of the real 平顶山
# catalogue are grouped back into the group they were drawn from, through the
# CLI (gen -> CSV -> reader -> grouper -> CSV). N cases (default 200,000;
# ROUNDTRIP_CASES=1000000 for the figure in the closing note).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
need_real dip/pingdingshan-2025
N=${ROUNDTRIP_CASES:-200000}
D=$(pwd)/$TMP/roundtrip
mkdir -p "$D"
cat > "$D/pds.cfg" <<EOF2
region = "410400";
$REAL_DIP
generator = { seed = 11; institutions = 80; year = 2025; bad_rows = 0.0; };
EOF2
"$BIN" gen --config "$D/pds.cfg" --out "$D" --cases "$N" --history-cases -1 --quiet
"$BIN" group --scheme dip --config "$D/pds.cfg" --input "$D/current.csv" --out "$D/grouped.csv" --quiet
# drawn_group is the last column of the generated file; group is column 3 of the output
awk -F, 'NR > 1 { print toupper($NF) }' "$D/current.csv" > "$D/drawn.txt"
awk -F, 'NR > 1 { print toupper($3) }' "$D/grouped.csv" > "$D/got.txt"
n=$(wc -l < "$D/drawn.txt")
bad=$(paste -d' ' "$D/drawn.txt" "$D/got.txt" | awk '$1 != $2' | wc -l)
groups=$(sort -u "$D/drawn.txt" | wc -l)
echo "roundtrip: $((n - bad)) of $n generated cases ($groups distinct groups) grouped back into their drawn group"
[ "$n" -eq "$N" ] && [ "$bad" -eq 0 ] || { paste -d' ' "$D/drawn.txt" "$D/got.txt" | awk '$1 != $2' | head; exit 1; }
