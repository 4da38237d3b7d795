#!/bin/sh
# identity.sh - the output must be the same bytes in every dataset at 1 and
# 2 threads (serial-vs-parallel identity, after zsv), and the same bytes when
# the input is cut into many reader blocks and partial slices. A generated
# region of 150k rows (37 MB) fits in one 64 MiB reader block and one slice of
# 2^20 cases, so the test-only settings CASEMIX_TEST_BLOCK_BYTES and
# CASEMIX_TEST_SLICE_SHIFT (engine/pipeline.c) shrink them: blocks of 256 KiB
# (about 150 for the current year) and slices of 4096 cases (37 slices);
# the merge across blocks and slices must give what one block and one slice
# give, at 1 and at 2 threads.
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
BLOCK=262144 SHIFT=12
CASEMIX_TEST_BLOCK_BYTES=$BLOCK CASEMIX_TEST_SLICE_SHIFT=$SHIFT \
    "$BIN" settle --config "$D/id.cfg" --threads 1 --out "$D/s1.h5" --quiet
CASEMIX_TEST_BLOCK_BYTES=$BLOCK CASEMIX_TEST_SLICE_SHIFT=$SHIFT \
    "$BIN" settle --config "$D/id.cfg" --threads 2 --out "$D/s2.h5" --quiet
# the input really spans several blocks and slices at these sizes
bytes=$(wc -c < "$D/current.csv")
[ "$bytes" -gt $((8 * BLOCK)) ] || { echo "current.csv ($bytes bytes) fits in 8 blocks of $BLOCK"; exit 1; }
. tests/golden/lib.inc
read_n=$(h5cols "$D/t1.h5" /summary records_read)
[ "$read_n" -gt $((8 << SHIFT)) ] || { echo "$read_n records fit in 8 slices of $((1 << SHIFT))"; exit 1; }
# same REF RUN: every dataset and the rejects file are the same bytes
same() {
    for ds in /cases /groups /group_names /drgs /drg_names /institutions /rejects /quality /summary \
              /flags /rules /rule_names /review_sample; do
        h5diff "$D/$1.h5" "$D/$2.h5" "$ds" "$ds" || { echo "dataset $ds differs between $1 and $2"; exit 1; }
        a=$(h5dump -d "$ds" "$D/$1.h5" | tail -n +2 | md5sum); b=$(h5dump -d "$ds" "$D/$2.h5" | tail -n +2 | md5sum)
        [ "$a" = "$b" ] || { echo "h5dump of $ds differs between $1 and $2"; exit 1; }
    done
    cmp "$D/$1.rejects.csv" "$D/$2.rejects.csv" || { echo "the rejects file differs between $1 and $2"; exit 1; }
    echo "ok: $1 and $2 identical"
}
same t1 t2   # one block, one slice: 1 vs 2 threads
same s1 s2   # many blocks and slices: 1 vs 2 threads
# many vs one block and slice: the same bytes, except the coefficients of
# variation (cv) of /groups and /drgs: a sum of squares in double, summed per
# slice, whose last bits follow the slice size (fixed in a normal run, so the
# output is the same at any thread count)
for ds in /cases /group_names /drg_names /institutions /rejects /quality /summary /flags /rules /rule_names /review_sample; do
    h5diff "$D/t1.h5" "$D/s2.h5" "$ds" "$ds" || { echo "dataset $ds differs between one and many blocks/slices"; exit 1; }
done
for ds in /groups /drgs; do
    h5diff -p 1e-12 "$D/t1.h5" "$D/s2.h5" "$ds" "$ds" \
        || { echo "dataset $ds differs between one and many blocks/slices beyond 1e-12"; exit 1; }
done
cmp "$D/t1.rejects.csv" "$D/s2.rejects.csv" || { echo "the rejects file differs between one and many blocks/slices"; exit 1; }
echo "ok: one block and slice = many blocks and slices"
# every row read is a case or a reject (this check used to be
# `grep -c records_read` on the dump, true of any /summary)
expect "records read = cases + rejects" "$read_n" \
    "$(h5cols "$D/t1.h5" /summary cases rejects | awk -F'|' '{ print $1 + $2 }')"
expect "rows in /cases + /rejects = records read" \
    "$(( $(h5rows "$D/t1.h5" /cases | wc -l) + $(h5rows "$D/t1.h5" /rejects | wc -l) ))" "$read_n"
expect "DIP payments = DIP budget" "$(h5cols "$D/t2.h5" /summary payments_fen)" "9876543210"
expect "DRG payments = DRG budget" "$(h5cols "$D/t2.h5" /summary drg_payments_fen)" "8765432109"
echo "identical at 1 and 2 threads, in one block and slice and in $BLOCK-byte blocks and $((1 << SHIFT))-case slices:"
echo "  /cases /groups /group_names /drgs /drg_names /institutions /rejects /quality /summary, /flags /rules /rule_names /review_sample, OUT.rejects.csv"
