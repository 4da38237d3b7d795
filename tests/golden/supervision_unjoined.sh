#!/bin/sh
# supervision_unjoined.sh - the cross-case join (R01-R05) leaves out every
# case without a patient id or a date (engine/supervise.c cross_rules: their
# facts cleared, never placed in a partition): two such claims of the same
# institution with the same dates are not duplicates (R05), nor a
# readmission (R01, R02) or an overlap (R04) of each other or of a stay
# with a patient; the same rows with a patient id are joined (R05, R01),
# so the check can fail. Bytes the same at 1 and 2 threads.
set -eu
. tests/golden/lib.inc
D=$TMP/supervision_unjoined
rm -rf "$D"; mkdir -p "$D"
demo_dip_cfg UNJ cur.csv 1234567.89 > "$D/g.cfg"
"$BIN" gen --config "$D/g.cfg" --out "$D" --cases 400 --history-cases -1 --seed 11 --quiet
head -301 "$D/current.csv" > "$D/base.csv"
day() { date -u -d "$1 $2 days" +%F; }
los() { echo $(( ($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)) / 86400 )); }
T=$(sed -n 2p "$D/base.csv")
M=$(echo "$T" | cut -d, -f10)
# row CASE PATIENT ADMIT DISCHARGE: the template row (line 2) with these fields
row() { echo "$T" | awk -F, -v OFS=, -v c="$1" -v p="$2" -v a="$3" -v d="$4" -v l="$(los "$3" "$4")" \
    '{ $1 = c; $2 = p; $10 = a; $11 = d; $12 = l; $13 = 1; print }'; }
{ cat "$D/base.csv"
  row UNJ1 "" "$M" "$(day "$M" 3)"                   # no patient id
  row UNJ2 "" "$M" "$(day "$M" 3)"                   # the same claim, no patient id: not R05
  row UNJ3 "" "$(day "$M" 5)" "$(day "$M" 8)"        # 2 days later, no patient id: not R01
  row UNJ4 "" "$(day "$M" 1)" "$(day "$M" 2)"        # inside UNJ1's stay, no patient id: not R04
  row WITH1 UNJP "$M" "$(day "$M" 3)"                # the same rows with a patient: joined
  row WITH2 UNJP "$M" "$(day "$M" 3)"
  row WITH3 UNJP "$(day "$M" 5)" "$(day "$M" 8)"
} > "$D/cur.csv"
"$BIN" settle --config "$D/g.cfg" --out "$D/t1.h5" --threads 1 --quiet
"$BIN" settle --config "$D/g.cfg" --out "$D/t2.h5" --threads 2 --quiet
F=$(h5cols "$D/t1.h5" /flags case_id rule related_case_id | grep -E '^(UNJ|WITH)|\|(UNJ|WITH)' || true)
eq "no R01-R05 on or against a case without a patient id" \
   "$(echo "$F" | grep -E 'UNJ' | grep -cE '\|R0[1-5]\|' || true)" 0
has "the same claim with a patient: R05" "$F" "WITH2|R05|WITH1"
has "2 days later with a patient: R01" "$F" "WITH3|R01|WITH1"
a=$(h5dump -d /flags "$D/t1.h5" | tail -n +2 | md5sum); b=$(h5dump -d /flags "$D/t2.h5" | tail -n +2 | md5sum)
eq "/flags the same at 1 and 2 threads" "$a" "$b"
[ "$fails" -eq 0 ] || { echo "$fails failure(s):$failed"; exit 1; }
echo "supervision_unjoined: all ok"
