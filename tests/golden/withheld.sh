#!/bin/sh
# withheld.sh - R05 duplicate claims (重复结算不予支付) are withheld from payment
# alike by casemix settle, month and simulate (docs/METHODS.md §11): a month's
# export with one row copied under a new case id (结算ID, greater than the
# original's, so the copy is the later claim):
#  settle, month and simulate's baseline    withhold exactly the copy (score 0, payment 0), not the original
#  Σ payments                               = the budget (settle, simulate), = the month's gross (month)
#  simulate's baseline                      = settle's payments per institution and per case
#  the copy first in the file, 1 thread     the same claim withheld, the same payments (month, simulate)
#  the three summaries, the HTML report     say "1 case" and the copy's claim, formatted as the other money lines
#  /summary (settle, month), export --xlsx   duplicates_withheld and the claim (fen; yuan on the summary sheet)
#  the ledger's /months row, simulate's     duplicates_withheld and the claim (fen) = settle's /summary
#    /scenarios attributes and summaries      (and the claim from the CSV); shown by report and export --xlsx
#  a ledger of an older casemix (no such    its months read as not recorded (-1, amounts 0), a new month
#    columns, made with h5py)                 beside them is recorded; report says which months
#  supervision.rules.R05.enabled = false    nothing withheld: the copy is paid by all three
#  supervision.enabled = false              nothing withheld either
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/withheld
rm -rf "$D"; mkdir -p "$D/out"
W=$(pwd)
base_cfg() { # LEDGER
    cat <<EOF
region = "410400";
period = "2025";
scheme = "dip";
input = { records = "$D/gen/current.csv"; };
history = (
  { year = 2023; file = "$D/gen/history_2023.csv"; },
  { year = 2024; file = "$D/gen/history_2024.csv"; }
);
dip = {
  catalogue = "$W/config/demo/catalogue.csv";
  group_stats = "$W/config/demo/group_stats.csv";
  proc_attributes = "$W/config/demo/proc_attributes.csv";
  icd10 = "$W/config/demo/icd10.csv";
};
scores = { source = "catalogue"; };
budget = { fund_budget = "3000000.00"; };
year = { ledger = "$1"; };
simulate = { case_output = true; scenarios = ( { name = "identity"; } ); };
generator = { cases = 3000; history_cases = 3000; seed = 11; institutions = 6; year = 2025; };
EOF
}
base_cfg "$D/out/ledger-on.h5" > "$D/on.cfg"
{ base_cfg "$D/out/ledger-off.h5"; echo 'supervision = { rules = { R05 = { enabled = false; }; }; };'; } > "$D/off.cfg"
{ base_cfg "$D/out/ledger-nosup.h5"; echo 'supervision = { enabled = false; };'; } > "$D/nosup.cfg"
"$BIN" gen --config "$D/on.cfg" --out "$D/gen" --quiet || { echo "FAIL: gen"; exit 1; }
# March (column 11, discharge_date) and its 5th case again under a new case id
awk -F, 'NR == 1 || substr($11, 6, 2) == "03"' "$D/gen/current.csv" > "$D/m03.csv"
awk -F, -v OFS=, 'NR == 6 { $1 = $1 "-DUP"; print }' "$D/m03.csv" >> "$D/m03.csv"
orig=$(awk -F, 'NR == 6 { print $1 }' "$D/m03.csv")
dup="$orig-DUP"
# the copy's claim, formatted independently (thousands separators, 2 decimals; columns total_cost, fund_paid)
claim=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    END { printf "%s|%s\n", $c["total_cost"], $c["fund_paid"] }' "$D/m03.csv" |
    awk -F'|' 'function g(x,   s, i, w, f) { s = sprintf("%.2f", x); w = substr(s, 1, length(s) - 3); f = substr(s, length(s) - 2)
                   while (length(w) > 3) { f = "," substr(w, length(w) - 2) f; w = substr(w, 1, length(w) - 3) }; return w f }
               { printf "claimed %s yuan (fund part %s yuan)", g($1), g($2) }')

# the withheld cases of a settlement file (flag bit 13, duplicate_withheld): id|score|payment
withheld() { h5cols "$1" /cases case_id score payment_fen flags | awk -F'|' 'int($4 / 8192) % 2 { print $1 "|" $2 "|" $3 }' | sort; }
# simulate's baseline cases with score 0 and payment 0 (the /scenarios cases carry no flags)
sim_zero() { h5cols "$1" /scenarios/identity/cases case_id base_score base_payment_fen | awk -F'|' '$2 == 0 && $3 == 0 { print $1 "|0|0" }' | sort; }
sum() { awk '{ s += $1 } END { printf "%.0f", s }'; }
run_all() { # NAME: settle, month 2025-03, simulate on the March file with NAME.cfg
    "$BIN" settle --config "$D/$1.cfg" --input "$D/m03.csv" --out "$D/out/$1-s.h5" > "$D/$1-s.txt" 2>&1 || { echo "FAIL: settle $1"; cat "$D/$1-s.txt"; exit 1; }
    "$BIN" month --config "$D/$1.cfg" --month 2025-03 --input "$D/m03.csv" --out "$D/out/$1-m.h5" > "$D/$1-m.txt" 2>&1 || { echo "FAIL: month $1"; cat "$D/$1-m.txt"; exit 1; }
    "$BIN" simulate --config "$D/$1.cfg" --input "$D/m03.csv" --out "$D/out/$1-sim.h5" > "$D/$1-sim.txt" 2>&1 || { echo "FAIL: simulate $1"; cat "$D/$1-sim.txt"; exit 1; }
}

run_all on
eq "settle withholds exactly the copy" "$(withheld "$D/out/on-s.h5")" "$dup|0|0"
eq "month withholds exactly the copy" "$(withheld "$D/out/on-m.h5")" "$dup|0|0"
eq "simulate's baseline withholds exactly the copy" "$(sim_zero "$D/out/on-sim.h5")" "$dup|0|0"
eq "simulate's scenario withholds it too" \
   "$(h5cols "$D/out/on-sim.h5" /scenarios/identity/cases case_id score payment_fen | grep "^$dup|")" "$dup|0|0"
eq "the original is paid (settle)" "$(h5cols "$D/out/on-s.h5" /cases case_id payment_fen | awk -F'|' -v o="$orig" '$1 == o { print ($2 > 0) }')" 1
eq "settle: Σ payments = budget" "$(h5cols "$D/out/on-s.h5" /cases payment_fen | sum)" 300000000
eq "simulate: Σ baseline payments = budget" \
   "$(h5cols "$D/out/on-sim.h5" /scenarios/identity/institutions base_dip_payment_fen | sum)" 300000000
eq "month: Σ payments = the month's gross" "$(h5cols "$D/out/on-m.h5" /cases payment_fen | sum)" \
   "$(h5cols "$D/out/ledger-on.h5" /months gross_fen)"
eq "simulate's baseline = settle per institution" \
   "$(h5cols "$D/out/on-sim.h5" /scenarios/identity/institutions institution_id base_dip_payment_fen | md5sum)" \
   "$(h5cols "$D/out/on-s.h5" /institutions institution_id payment_fen | md5sum)"
eq "simulate's baseline = settle per case" \
   "$(h5cols "$D/out/on-sim.h5" /scenarios/identity/cases case_id base_payment_fen | sort | md5sum)" \
   "$(h5cols "$D/out/on-s.h5" /cases case_id payment_fen | sort | md5sum)"
line="R05 duplicates withheld from payment (重复结算不予支付): 1 case, $claim"
has "settle's summary" "$(cat "$D/on-s.txt")" "$line; kept in /cases"
has "month's summary" "$(cat "$D/on-m.txt")" "$line; score 0 and payment 0"
has "simulate's summary" "$(cat "$D/on-sim.txt")" "$line; score 0 and payment 0"
fen=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } END { printf "%.0f|%.0f", $c["total_cost"] * 100, $c["fund_paid"] * 100 }' "$D/m03.csv")
eq "settle: /summary duplicates_withheld, their claim (fen)" \
   "$(h5cols "$D/out/on-s.h5" /summary duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen)" "1|$fen"
eq "month: /summary duplicates_withheld, their claim (fen)" \
   "$(h5cols "$D/out/on-m.h5" /summary duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen)" "1|$fen"
"$BIN" report "$D/out/on-s.h5" --out "$D/out/on-s.html" --quiet || bad "report" "exit $?"
has "the report's withheld line" "$(grep 'id="withheld"' "$D/out/on-s.html")" \
    "(重复结算不予支付)</b>: 1 case, $claim"
"$BIN" export "$D/out/on-s.h5" --xlsx "$D/out/on-s.xlsx" --quiet || bad "export" "exit $?"
# wb_withheld WORKBOOK SHEET WHAT: the sheet's first data row has the withheld count and claim
# (yuan, #,##0.00), each title with the Chinese term 不予支付
wb_withheld() {
    if ! /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
        echo "skip: /usr/bin/python3 lacks openpyxl ($3)"
        return
    fi
    eq "$3" "$(/usr/bin/python3 - "$1" "$2" <<'PYEOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])[sys.argv[2]]
out = []
for h, c in zip(ws[1], ws[2]):
    n = h.value.split(' ')[0]
    if n.startswith('duplicates_withheld'):
        out.append('%s=%s %s %s' % (n, round(c.value * (1 if n == 'duplicates_withheld' else 100)),
                                    c.number_format, '不予支付' in h.value))
print(';'.join(out))
PYEOF
)" "duplicates_withheld=1 General True;duplicates_withheld_total_fen=${fen%|*} #,##0.00 True;duplicates_withheld_fund_fen=${fen#*|} #,##0.00 True"
}
wb_withheld "$D/out/on-s.xlsx" summary "export: the summary sheet has the withheld count and claim (yuan, #,##0.00) with the Chinese term"
# the ledger's month and simulate's file carry the same count and claim as settle's /summary
swh=$(h5cols "$D/out/on-s.h5" /summary duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen)
eq "ledger: /months row of March has settle's duplicates_withheld and claim (fen)" \
   "$(h5cols "$D/out/ledger-on.h5" /months month duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen)" \
   "3|$swh"
eq "ledger: ... and the claim from the CSV" "$swh" "1|$fen"
eq "simulate: /scenarios/identity/summary has settle's duplicates_withheld and claim (fen)" \
   "$(h5cols "$D/out/on-sim.h5" /scenarios/identity/summary duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen)" \
   "$swh"
h5attr() { h5dump -a "$2" "$1" | awk '$1 == "(0):" { print $2 }'; }
eq "simulate: /scenarios attributes duplicates_withheld* = settle's" \
   "$(for a in duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen; do h5attr "$D/out/on-sim.h5" /scenarios/$a; done | paste -sd'|')" \
   "$swh"
"$BIN" report "$D/out/ledger-on.h5" --out "$D/out/ledger-on.html" --quiet || bad "report of the ledger" "exit $?"
has "the ledger report's withheld line" "$(grep 'id="withheld-months"' "$D/out/ledger-on.html")" \
    "(重复结算不予支付)</b>: 1 case, $claim in 1 month(s). Source: /months"
"$BIN" report "$D/out/on-sim.h5" --out "$D/out/on-sim.html" --quiet || bad "report of the simulation" "exit $?"
has "the simulation report's withheld line" "$(grep 'id="withheld-scenarios"' "$D/out/on-sim.html")" \
    "(重复结算不予支付)</b>: 1 case, $claim, by the baseline and every scenario"
"$BIN" export "$D/out/ledger-on.h5" --xlsx "$D/out/ledger-on.xlsx" --quiet || bad "export of the ledger" "exit $?"
wb_withheld "$D/out/ledger-on.xlsx" months "export: the ledger's months sheet has the withheld count and claim (yuan) with the Chinese term"
eq "month writes no rule tables (only R05 ran)" "$(h5ls "$D/out/on-m.h5" | grep -cE '^(flags|rules|review_sample) ')" 0

# the copy first in the file (the input order never decides: the greater case id is the later
# claim), and 1 thread against 2: the same claim withheld, the same payments
{ head -1 "$D/m03.csv"; tail -1 "$D/m03.csv"; sed '1d;$d' "$D/m03.csv"; } > "$D/m03r.csv"
"$BIN" month --config "$D/on.cfg" --month 2025-03 --input "$D/m03r.csv" --out "$D/out/on-mr.h5" --threads 1 --quiet ||
    bad "month, copy first" "exit $?"
"$BIN" simulate --config "$D/on.cfg" --input "$D/m03r.csv" --out "$D/out/on-simr.h5" --threads 1 --quiet ||
    bad "simulate, copy first" "exit $?"
eq "copy first, 1 thread: month withholds the copy" "$(withheld "$D/out/on-mr.h5")" "$dup|0|0"
eq "copy first, 1 thread: simulate's baseline withholds the copy" "$(sim_zero "$D/out/on-simr.h5")" "$dup|0|0"
eq "copy first, 1 thread: month's payments per case as before" \
   "$(h5cols "$D/out/on-mr.h5" /cases case_id payment_fen | sort | md5sum)" "$(h5cols "$D/out/on-m.h5" /cases case_id payment_fen | sort | md5sum)"
eq "copy first, 1 thread: simulate's payments per case as before" \
   "$(h5cols "$D/out/on-simr.h5" /scenarios/identity/cases case_id base_payment_fen payment_fen | sort | md5sum)" \
   "$(h5cols "$D/out/on-sim.h5" /scenarios/identity/cases case_id base_payment_fen payment_fen | sort | md5sum)"

# a ledger written by a casemix before the withheld columns (h5py drops them from /months):
# its March reads as not recorded (-1, amounts 0), its other columns as they were; April,
# settled now beside it, is recorded (no duplicate there: 0)
if /usr/bin/python3 -c 'import h5py, numpy' 2>/dev/null; then
    cp "$D/out/ledger-on.h5" "$D/out/ledger-old.h5"
    /usr/bin/python3 - "$D/out/ledger-old.h5" <<'PYEOF' || bad "h5py: dropping the columns"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r+') as f:
    d = f['months']
    a, attrs = d[...], dict(d.attrs)
    keep = [n for n in a.dtype.names if not n.startswith('duplicates_withheld')]
    b = np.empty(a.shape, dtype=[(n, a.dtype[n]) for n in keep])
    for n in keep: b[n] = a[n]
    del f['months']
    nd = f.create_dataset('months', data=b)
    for k, v in attrs.items(): nd.attrs[k] = v
PYEOF
    eq "old ledger: /months has no duplicates_withheld column" \
       "$(h5dump -H -d /months "$D/out/ledger-old.h5" | grep -c duplicates_withheld)" 0
    { base_cfg "$D/out/ledger-old.h5"; } > "$D/old.cfg"
    awk -F, 'NR == 1 || substr($11, 6, 2) == "04"' "$D/gen/current.csv" > "$D/m04.csv"
    "$BIN" month --config "$D/old.cfg" --month 2025-04 --input "$D/m04.csv" --out "$D/out/old-m04.h5" --quiet ||
        bad "month on an old ledger" "exit $?"
    eq "old ledger: March not recorded (-1, 0, 0), its gross kept; April recorded (0: no duplicate)" \
       "$(h5cols "$D/out/ledger-old.h5" /months month duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen gross_fen)" \
       "3|-1|0|0|$(h5cols "$D/out/ledger-on.h5" /months gross_fen)
4|0|0|0|$(h5cols "$D/out/old-m04.h5" /institutions payment_fen | sum)"
    "$BIN" report "$D/out/ledger-old.h5" --out "$D/out/ledger-old.html" --quiet || bad "report of the old ledger" "exit $?"
    has "old ledger: the report says which month is not recorded" "$(grep 'id="withheld-months"' "$D/out/ledger-old.html")" \
        ": none in 1 month(s); not recorded for month(s) 03 ("
else
    echo "skip: /usr/bin/python3 lacks h5py (the old-ledger check)"
fi

for v in off nosup; do
    run_all $v
    eq "$v: settle withholds nothing" "$(withheld "$D/out/$v-s.h5" | wc -l)" 0
    eq "$v: month withholds nothing" "$(withheld "$D/out/$v-m.h5" | wc -l)" 0
    eq "$v: simulate withholds nothing (the copy is paid)" \
       "$(h5cols "$D/out/$v-sim.h5" /scenarios/identity/cases case_id base_payment_fen | awk -F'|' -v d="$dup" '$1 == d { print ($2 > 0) }')" 1
    eq "$v: simulate's baseline = settle per institution" \
       "$(h5cols "$D/out/$v-sim.h5" /scenarios/identity/institutions institution_id base_dip_payment_fen | md5sum)" \
       "$(h5cols "$D/out/$v-s.h5" /institutions institution_id payment_fen | md5sum)"
    eq "$v: no duplicates_withheld in /summary (not checked)" \
       "$(h5dump -H -d /summary "$D/out/$v-s.h5" "$D/out/$v-m.h5" | grep -c duplicates_withheld || true)" 0
    eq "$v: the ledger's /months: not recorded (-1, amounts 0)" \
       "$(h5cols "$D/out/ledger-$v.h5" /months month duplicates_withheld duplicates_withheld_total_fen duplicates_withheld_fund_fen)" "3|-1|0|0"
    eq "$v: simulate: no duplicates_withheld (attributes, summary members)" \
       "$(h5dump -A "$D/out/$v-sim.h5" | grep -c duplicates_withheld || true)" 0
    eq "$v: no withheld line in month's and simulate's summaries" "$(cat "$D/$v-m.txt" "$D/$v-sim.txt" | grep -c 'R05' || true)" 0
done
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
