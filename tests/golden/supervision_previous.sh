#!/bin/sh
# supervision_previous.sh - readmissions and duplicates across the period
# boundary (docs/METHODS.md §11, supervision.previous_input): the previous
# period's cases discharged in the last N days before the current first
# admission join R01-R05; a readmission 3 days (and exactly N days) after a
# previous discharge is flagged R01 with the previous case as related case;
# a previous case is never flagged itself (two overlapping previous stays
# give no R04); a discharge older than N days is not joined; a current
# claim duplicating a previous one is R05 and not paid, and Σ payments is
# still the budget; the previous file's bad row is counted, not put in this
# run's /rejects; the same bytes at 1 and 2 threads and with the previous
# file shuffled; a missing file stops before any work (exit 3, file:line).
set -eu
. tests/golden/lib.inc
D=$TMP/supervision_previous
rm -rf "$D"; mkdir -p "$D"
demo_dip_cfg PREV cur.csv 1234567.89 > "$D/g.cfg"
{ cat "$D/g.cfg"; echo 'supervision = { previous_input = "prev.csv"; };'; } > "$D/s.cfg"
"$BIN" gen --config "$D/g.cfg" --out "$D" --cases 400 --history-cases -1 --seed 5 --quiet
head -301 "$D/current.csv" > "$D/base.csv"
# M: the current first admission (the planted current rows are admitted on or after it)
M=$(tail -n +2 "$D/base.csv" | cut -d, -f10 | sort | head -1)
day() { date -u -d "$1 $2 days" +%F; }
los() { echo $(( ($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)) / 86400 )); }
# row CASE PATIENT ADMIT DISCHARGE [TOTAL]: the template row (line 2) with these fields
T=$(sed -n 2p "$D/base.csv")
row() { echo "$T" | awk -F, -v OFS=, -v c="$1" -v p="$2" -v a="$3" -v d="$4" -v l="$(los "$3" "$4")" -v t="${5:-}" \
    '{ $1 = c; $2 = p; $10 = a; $11 = d; $12 = l; $13 = 1; if (t != "") $20 = t; print }'; }
M3=$(day "$M" 20)
{ cat "$D/base.csv"
  row PVC1 PVP1 "$(day "$M3" 3)" "$(day "$M3" 6)"      # 3 days after PVA1
  row PVC4 PVP4 "$M" "$(day "$M" 2)"                     # N+1 days after PVA4 (not joined)
  row PVC5 PVP5 "$M" "$(day "$M" 3)"                     # exactly N days after PVA5
  row PV0B6 PVP6 "$(day "$M3" 1)" "$(day "$M3" 4)"        # a claim the previous period already had (PVA6): the later, whatever the ids
} > "$D/cur.csv"
{ head -1 "$D/base.csv"
  row PVA1 PVP1 "$(day "$M3" -4)" "$M3"
  row PVA2 PVP2 "$(day "$M3" -6)" "$(day "$M3" -1)"     # PVA2, PVA3 overlap: both previous, never flagged
  row PVA3 PVP2 "$(day "$M3" -3)" "$(day "$M3" 2)"
  row PVA4 PVP4 "$(day "$M" -20)" "$(day "$M" -16)"     # older than N = 15 days before M
  row PVA5 PVP5 "$(day "$M" -19)" "$(day "$M" -15)"
  row PVA6 PVP6 "$(day "$M3" 1)" "$(day "$M3" 4)"
  row PVBAD PVP9 "$(day "$M3" 1)" "$(day "$M3" 4)" abc   # unreadable total_cost: a rejected row
} > "$D/prev.csv"
"$BIN" settle --config "$D/s.cfg" --out "$D/t1.h5" --threads 1 > "$D/t1.out"
"$BIN" settle --config "$D/s.cfg" --out "$D/t2.h5" --threads 2 --quiet
h5cols "$D/t1.h5" /flags case_id rule related_case_id figure | grep '^PV' | sort > "$D/pv.txt"
has "R01 3 days after a previous discharge" "$(cat "$D/pv.txt")" "PVC1|R01|PVA1|3"
has "R01 exactly N days after a previous discharge" "$(cat "$D/pv.txt")" "PVC5|R01|PVA5|15"
has "R05 on a claim the previous period had" "$(cat "$D/pv.txt")" "PV0B6|R05|PVA6|0"
eq "a previous case is never flagged" "$(grep -c '^PVA' "$D/pv.txt" || true)" 0
eq "a discharge older than N days is not joined" "$(grep -c 'PVA4' "$D/pv.txt" || true)" 0
eq "previous cases are related cases only (no other PV flags)" \
   "$(grep -v '^PVC1|R0[12]|PVA1|3$' "$D/pv.txt" | grep -v '^PVC5|R0[12]|PVA5|15$' | grep -v '^PV0B6|R05|PVA6|0$' || true)" ""
eq "previous_input_joined (kept: discharged >= M - 15)" "$(h5dump -a /rules/previous_input_joined "$D/t1.h5" | grep '(0)' | tr -d ' ')" "(0):5"
eq "previous_input_rejected" "$(h5dump -a /rules/previous_input_rejected "$D/t1.h5" | grep '(0)' | tr -d ' ')" "(0):1"
eq "the previous file's bad row is not in this run's /rejects" "$(h5rows "$D/t1.h5" /rejects | grep -c PVBAD || true)" 0
has "the summary names the previous file's rows" "$(cat "$D/t1.out")" "previous period (supervision.previous_input): 7 rows, 6 cases, 1 rejected"
# the duplicate of a previous claim is not paid; Σ payments = budget
eq "PV0B6 (a smaller case id than the previous PVA6) paid 0, flag duplicate_withheld (bit 13)" \
   "$(h5cols "$D/t1.h5" /cases case_id payment_fen flags | grep '^PV0B6|' | awk -F'|' '{ print $2, int($3 / 8192) % 2 }')" "0 1"
eq "Σ payments = budget" "$(h5cols "$D/t1.h5" /cases payment_fen | awk '{ s += $1 } END { printf "%.0f", s }')" 123456789
for ds in /flags /rules /review_sample; do
    a=$(h5dump -d "$ds" "$D/t1.h5" | tail -n +2 | md5sum); b=$(h5dump -d "$ds" "$D/t2.h5" | tail -n +2 | md5sum)
    eq "$ds the same at 1 and 2 threads" "$a" "$b"
done
{ head -1 "$D/prev.csv"; tail -n +2 "$D/prev.csv" | tac; } > "$D/prev_r.csv"
sed 's/prev.csv/prev_r.csv/' "$D/s.cfg" > "$D/r.cfg"
"$BIN" settle --config "$D/r.cfg" --out "$D/r.h5" --threads 2 --quiet
a=$(h5cols "$D/t1.h5" /flags case_id rule related_case_id figure | md5sum); b=$(h5cols "$D/r.h5" /flags case_id rule related_case_id figure | md5sum)
eq "/flags the same with the previous file reversed" "$a" "$b"
# a missing previous file: exit 3 before any work, file:line
sed 's/prev.csv/nothere.csv/' "$D/s.cfg" > "$D/m.cfg"
set +e; msg=$("$BIN" settle --config "$D/m.cfg" --out "$D/m.h5" --quiet 2>&1); rc=$?; set -e
eq "missing previous_input: exit 3" "$rc" 3
has "missing previous_input: file:line" "$msg" "m.cfg:6"
[ ! -e "$D/m.h5" ] && ok "missing previous_input: nothing written" || bad "missing previous_input" "m.h5 written"
# the run's own input named as the previous period: refused before any work (exit 3)
sed 's/prev.csv/cur.csv/' "$D/s.cfg" > "$D/same.cfg"
set +e; msg=$("$BIN" settle --config "$D/same.cfg" --out "$D/same.h5" --quiet 2>&1); rc=$?; set -e
eq "previous_input = the input: exit 3" "$rc" 3
has "previous_input = the input: says so" "$msg" "is this run's input"
[ "$fails" -eq 0 ] || { echo "$fails failure(s):$failed"; exit 1; }
echo "supervision_previous: all ok"
