#!/bin/sh
# identity.sh - the output must be the same bytes in every dataset at 1 and
# 2 threads (serial-vs-parallel identity, after zsv). Uses a generated region
# large enough to span several reader blocks and partial slices.
set -eu
BIN=${CASEMIX_BIN:-build/casemix}
D=${BUILD:-build}/identity
mkdir -p "$D"
cat > "$D/id.cfg" <<CFG
region = "410400"; period = "ID"; scheme = "both";
input = { records = "current.csv"; };
history = ( { year = 2024; file = "history_2024.csv"; } );
dip = { catalogue = "$(pwd)/config/demo/catalogue.csv"; group_stats = "$(pwd)/config/demo/group_stats.csv";
        proc_attributes = "$(pwd)/config/demo/proc_attributes.csv"; icd10 = "$(pwd)/config/demo/icd10.csv"; };
drg = { tables = "$(pwd)/config/demo/drg"; };
coefficients = { mode = "history"; };
budget = { fund_budget = "98765432.10"; drg_budget = "87654321.09"; };
output = { compression = "deflate"; };
generator = { cases = 150000; history_cases = 50000; seed = 7; institutions = 60; year = 2025; bad_rows = 0.001; };
CFG
"$BIN" gen --config "$D/id.cfg" --out "$D" --quiet
# history_cases 50000 writes three history years; the config reads the newest
"$BIN" settle --config "$D/id.cfg" --threads 1 --out "$D/t1.h5" --quiet
"$BIN" settle --config "$D/id.cfg" --threads 2 --out "$D/t2.h5" --quiet
for ds in /cases /groups /group_names /drgs /drg_names /institutions /rejects /quality /summary; do
    h5diff "$D/t1.h5" "$D/t2.h5" "$ds" "$ds" || { echo "dataset $ds differs between 1 and 2 threads"; exit 1; }
    a=$(h5dump -d "$ds" "$D/t1.h5" | tail -n +2 | md5sum); b=$(h5dump -d "$ds" "$D/t2.h5" | tail -n +2 | md5sum)
    [ "$a" = "$b" ] || { echo "h5dump of $ds differs"; exit 1; }
done
cmp "$D/t1.rejects.csv" "$D/t2.rejects.csv" || { echo "the rejects file differs between 1 and 2 threads"; exit 1; }
n=$(h5dump -d /summary "$D/t1.h5" | grep -c records_read)
[ "$n" -ge 1 ]
. tests/golden/lib.inc
expect "DIP payments = DIP budget" "$(h5cols "$D/t2.h5" /summary payments_fen)" "9876543210"
expect "DRG payments = DRG budget" "$(h5cols "$D/t2.h5" /summary drg_payments_fen)" "8765432109"
echo "identical at 1 and 2 threads: /cases /groups /group_names /drgs /drg_names /institutions /rejects /quality /summary, OUT.rejects.csv"
