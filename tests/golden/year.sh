#!/bin/sh
# year.sh - the settlement year end to end (casemix month / casemix clear).
#
#  twelve months, then clear = one settle over the year   the final point value (to 1e-12 relative) and
#                                                         every institution's amount due, to the fen,
#                                                         with case ids in two months' exports (the year's
#                                                         file: the months in order; settle keeps the first)
#  a case id settled in an earlier month                  rejected by the later month: line, case_id, reason
#                                                         naming the month; its own ids on a re-run are not
#  a ledger without /case_ids (older casemix)             still read: a WARNING naming its months, no reject
#  a month run twice                                      counted once (the identity still holds)
#  a month re-run with a corrected file                   only that month's ledger rows change
#  SIGINT inside the ledger write (test pause)            exit 6, ledger byte-identical, no temp file
#  clear with audit / assessment / special-review CSVs    balance = due − gross − audit + deposit × coef
#                                                         + top-up, recomputed here from the ledger
#  bad CSV rows, a bad setting                            file:line, exit 4 / 3
#  settle: discharge dates outside the period label       a WARNING (a year's file under 2025Q1), none inside
#  clear with months missing                              refused (exit 4) naming them, ledger untouched;
#                                                         --partial clears and says partial (terminal, attributes)
#  institution names (机构名称): months 01-06 under one    /institution_names = each month's settlement file's;
#  institution table, 07-12 under another (one renamed,   /clearing_names, clear's printed table, the workbook's
#  one without a name, one not in it)                     clearing sheet and the report's clearing table: the
#                                                         latest month's non-empty name, from the months'
#                                                         settlement files (h5py, independently)
#  a ledger without names (older casemix)                 clear, export, report: exit 0, names empty / no column
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/year
rm -rf "$D"; mkdir -p "$D/out"
# the year's configuration, its generated region and one export per month (lib.inc)
year_setup "$D" 8000 || { echo "FAIL: gen"; exit 1; }
# case ids (结算ID) exported again in a later month: two January rows again in May, a February row
# again in September (each at the end of the later file); the year's export is the months in order,
# so settle keeps the earlier month's row, as the ledger does
x05=$(($(wc -l < "$D/gen/m05.csv") + 1)); x09=$(($(wc -l < "$D/gen/m09.csv") + 1))
sed -n 2,3p "$D/gen/m01.csv" >> "$D/gen/m05.csv"
sed -n 2p "$D/gen/m02.csv" >> "$D/gen/m09.csv"
id01a=$(sed -n 2p "$D/gen/m01.csv" | cut -d, -f1); id01b=$(sed -n 3p "$D/gen/m01.csv" | cut -d, -f1)
id02=$(sed -n 2p "$D/gen/m02.csv" | cut -d, -f1)
cp "$D/gen/m01.csv" "$D/gen/current.csv"
for m in 02 03 04 05 06 07 08 09 10 11 12; do tail -n +2 "$D/gen/m$m.csv" >> "$D/gen/current.csv"; done
"$BIN" settle --config "$D/year.cfg" --out "$D/out/year.h5" > /dev/null 2> "$D/settle.err" || { echo "FAIL: settle"; exit 1; }
expect "settle: a year's discharges under period \"2025\": no warning" "$(grep -c WARNING "$D/settle.err")" 0
# the period label against the discharge dates (as casemix month does): a year's file under "2025Q1" warns
sed 's|^period = "2025";|period = "2025Q1";|' "$D/year.cfg" > "$D/q1.cfg"
"$BIN" settle --config "$D/q1.cfg" --out "$D/out/q1.h5" > /dev/null 2> "$D/q1.err" || { echo "FAIL: settle q1"; exit 1; }
has "settle: a year's file under period 2025Q1 is warned" "$(cat "$D/q1.err")" \
    "discharge dates run from 2025-01-01 to 2025-12-31, beyond 2025Q1; is this the period's export?"
sed 's|^period = "2025";|period = "2025Q2";|' "$D/year.cfg" > "$D/q2.cfg"
cat "$D/gen/m04.csv" > "$D/q2.csv"; tail -n +2 "$D/gen/m06.csv" >> "$D/q2.csv"
"$BIN" settle --config "$D/q2.cfg" --input "$D/q2.csv" --out "$D/out/q2.h5" > /dev/null 2> "$D/q2.err" || { echo "FAIL: settle q2"; exit 1; }
expect "settle: April and June under period 2025Q2: no warning" "$(grep -c WARNING "$D/q2.err")" 0
expect "settle: the year's cross-month duplicates rejected" \
    "$(grep -c -e "^[0-9]*,$id01a,case_id,duplicate" -e "^[0-9]*,$id01b,case_id,duplicate" -e "^[0-9]*,$id02,case_id,duplicate" "$D/out/year.rejects.csv")" 3
year_months "$D/year.cfg" "$D" 01 02 03 04 05 06 07 08 09 10 11 12 || exit 1
# the later month rejects a case id an earlier month settled: line, case_id, field, reason naming the month
why01="case id already settled in month 2025-01 of the ledger; correct the export or re-run 2025-01 without it"
why02="case id already settled in month 2025-02 of the ledger; correct the export or re-run 2025-02 without it"
expect "May rejects January's two ids (line, id, reason)" "$(grep 'already settled' "$D/out/settle-2025-05.rejects.csv" | tr -d '\r')" \
    "$x05,$id01a,case_id,$why01
$((x05 + 1)),$id01b,case_id,$why01"
expect "September rejects February's id (line, id, reason)" "$(grep 'already settled' "$D/out/settle-2025-09.rejects.csv" | tr -d '\r')" \
    "$x09,$id02,case_id,$why02"
expect "January keeps its ids (no such reject)" "$(grep -c 'already settled' "$D/out/settle-2025-01.rejects.csv")" 0
expect "/case_ids: one row per case of the ledger" "$(h5rows "$D/out/ledger-2025.h5" /case_ids | wc -l)" \
    "$(h5cols "$D/out/ledger-2025.h5" /months cases | awk '{s+=$1} END{printf "%.0f\n", s}')"
expect "/case_ids: the January id under month 1 only" "$(h5cols "$D/out/ledger-2025.h5" /case_ids case_id month | grep "^$id01a|")" "$id01a|1"
# a month run twice is counted once, and does not reject its own ids (only January's two, again)
# fen_yuan FEN: 1,234.56 (the terminal's yuan)
fen_yuan() { awk -v s="$1" 'BEGIN{v=s<0?-s:s; printf "%s%d.%02d\n", s<0?"-":"", int(v/100), v%100}' |
             sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\([,.]\)/\1,\2\3/' -e 'ta'; }
paid05=$(h5cols "$D/out/ledger-2025.h5" /months month paid_fen | grep '^5|' | cut -d'|' -f2)
"$BIN" month --config "$D/year.cfg" --month 2025-05 --input "$D/gen/m05.csv" > "$D/m05.out" 2>&1 || { echo "FAIL: month 05 again"; cat "$D/m05.out"; exit 1; }
has "May re-run: its own line" "$(cat "$D/m05.out")" "already settled   2 case id(s) settled in another month of the ledger: rejected"
expect "May re-run: read = cases + rejects" "$(awk '/records read/{print ($3 == $5 + $8) ? "yes" : $0}' "$D/m05.out")" yes
expect "May re-run: the same two rejects" "$(grep -c 'already settled' "$D/out/settle-2025-05.rejects.csv")" 2
has "May re-run: why rows were rejected, as settle says it" "$(cat "$D/m05.out")" "2  case_id: case id already settled in month 2025-01"
now05=$(h5cols "$D/out/ledger-2025.h5" /months month paid_fen | grep '^5|' | cut -d'|' -f2)
has "May re-run: what the month paid before and now, and the difference to pay" "$(cat "$D/m05.out")" \
    "paid then $(fen_yuan "$paid05") yuan at"
has "May re-run: the difference" "$(cat "$D/m05.out")" "pay the difference $(fen_yuan $((now05 - paid05))) yuan"
case "$(cat "$D/m05.out")" in *"forecast basis"*) bad "with history: no flat-pattern note" ;; *) ok "with history: no flat-pattern note" ;; esac
# without history years the forecast is flat (1/12 a month), its band from the months' spread and the
# month paid at the band's low end: month says so (tests/golden/forecast.sh checks the figures)
sed -e '/^history = (/,/^);/d' -e 's/mode = "history"/mode = "fixed"/' -e 's|ledger-2025\.h5|nohist-ledger.h5|' "$D/year.cfg" > "$D/nohist.cfg"
"$BIN" month --config "$D/nohist.cfg" --month 2025-01 --input "$D/gen/m01.csv" --out "$D/out/nohist-01.h5" > "$D/nohist.out" 2>&1 ||
    { echo "FAIL: month without history"; cat "$D/nohist.out"; exit 1; }
has "no history: the forecast's basis is said" "$(cat "$D/nohist.out")" "no history years: each month taken as 1/12 of the year; the band from the months' spread"
has "no history: the payment's basis is said" "$(cat "$D/nohist.out")" "paid at           the band's low end"
"$BIN" clear --config "$D/year.cfg" --year 2025 --quiet || { echo "FAIL: clear"; exit 1; }
L=$D/out/ledger-2025.h5
expect "a full year: /clearing partial = 0" "$(h5dump -a /clearing/partial "$L" | awk '/\(0\)/{print $2}')" 0
# the ledger's text members as any HDF5 reader sees them (h5rows strips NUL bytes; h5py and the
# workbook do not): /groups codes, /special case and institution ids start with their first character
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    expect "ledger text members readable (/groups group, /special case_id, institution_id)" "$(/usr/bin/python3 - "$L" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], 'r')
vals = [('groups', 'group', v) for v in f['groups']['group']] + \
       [('special', m, v) for m in ('case_id', 'institution_id') for v in f['special'][m]]
inst = set(f['institutions']['institution_id'])
bad = [(t, m, v) for t, m, v in vals if not v or v[:1] == b'\0' or (m == 'institution_id' and v not in inst)]
print('ok' if vals and not bad else 'bad %d of %d, e.g. %r' % (len(bad), len(vals), bad[:1]))
PY
)" ok
fi

expect "ledger months" "$(h5cols "$L" /months month | tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 11 12 "
expect "ledger cases = the year's cases" "$(h5cols "$L" /months cases | awk '{s+=$1} END{printf "%.0f\n", s}')" \
    "$(h5cols "$D/out/year.h5" /summary cases)"
h5cols "$D/out/year.h5" /institutions institution_id payment_fen > "$D/settle_pay.txt"
h5cols "$L" /clearing institution_id due_fen > "$D/clear_due.txt"
expect "amount due per institution = settle's payment (fen)" "$(cmp -s "$D/settle_pay.txt" "$D/clear_due.txt" && echo same || diff "$D/settle_pay.txt" "$D/clear_due.txt" | head -4)" same
# the settlement's point value is the last member of its /summary row (scheme dip)
pv_settle=$(h5dump -m '%.17g' -d /summary -y -w 0 "$D/out/year.h5" | awk '/DATA \{/{d=1; next} d && /^ *\}/{print last; exit} d {gsub(/[ ,]/, ""); if ($0 != "{") last = $0}')
pv_clear=$(h5dump -m '%.17g' -a /clearing/point_value "$L" | awk '/\(0\)/{print $2}')
expect "final point value = settle's" "$(awk -v a="$pv_settle" -v b="$pv_clear" 'BEGIN{d=a-b; if(d<0)d=-d; print (d <= 1e-12*a) ? "same" : a " vs " b}')" same

# a ledger of an older casemix (no /case_ids): read, a WARNING naming the months whose ids are unknown
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    cp "$L" "$D/out/ledger-old.h5"
    /usr/bin/python3 -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r+"); del f["case_ids"]; f.close()' "$D/out/ledger-old.h5"
    sed "s|ledger-2025.h5|ledger-old.h5|" "$D/year.cfg" > "$D/old.cfg"
    "$BIN" month --config "$D/old.cfg" --month 2025-05 --input "$D/gen/m05.csv" --out "$D/out/old05.h5" --reopen > "$D/old.out" 2> "$D/old.err"
    expect "older ledger: the month runs (exit 0)" "$?" 0
    has "older ledger: a WARNING" "$(cat "$D/old.err")" "WARNING: $D/out/ledger-old.h5 has no case ids (/case_ids) for 2025-01, 2025-02, 2025-03, 2025-04, 2025-06, 2025-07, 2025-08, 2025-09, 2025-10, 2025-11, 2025-12"
    has "older ledger: nothing known to reject" "$(cat "$D/old.out")" "already settled   0 case id(s)"
    expect "older ledger: now May's ids recorded" "$(h5cols "$D/out/ledger-old.h5" /case_ids month | sort -u)" 5
else
    echo "skip: older ledger (no h5py for /usr/bin/python3)"
fi

# re-running a month with a corrected file changes only that month
h5rows "$L" /months | grep -v '^3|' | cut -d'|' -f1-17 > "$D/months_before.txt"
h5rows "$L" /institutions | grep -v '^3|' > "$D/inst_before.txt"
h5rows "$L" /groups | grep -v '^3|' > "$D/groups_before.txt"
head -n -5 "$D/gen/m03.csv" > "$D/gen/m03fix.csv"   # five rows withdrawn from March's export
"$BIN" month --config "$D/year.cfg" --month 2025-03 --input "$D/gen/m03fix.csv" --reopen --quiet || { echo "FAIL: month 03 corrected"; exit 1; }
expect "other months' rows unchanged (/months)" "$(h5rows "$L" /months | grep -v '^3|' | cut -d'|' -f1-17 | cmp -s - "$D/months_before.txt" && echo same)" same
expect "other months' rows unchanged (/institutions)" "$(h5rows "$L" /institutions | grep -v '^3|' | cmp -s - "$D/inst_before.txt" && echo same)" same
expect "other months' rows unchanged (/groups)" "$(h5rows "$L" /groups | grep -v '^3|' | cmp -s - "$D/groups_before.txt" && echo same)" same
expect "March has its corrected cases" "$(h5cols "$L" /months month cases | grep '^3|' | cut -d'|' -f2)" \
    "$(($(wc -l < "$D/gen/m03fix.csv") - 1))"
expect "a month run with --reopen drops the stale clearing (tests/golden/reopen.sh: refused without)" "$(h5ls "$L" | grep -c '^clearing')" 0

# SIGINT inside the ledger write leaves the ledger byte-identical
cp "$L" "$D/ledger_before.h5"
CASEMIX_TEST_LEDGER_PAUSE=20 "$BIN" month --config "$D/year.cfg" --month 2025-04 --input "$D/gen/m03.csv" --quiet 2>"$D/int.err" &
pid=$!
i=0
while ! ls "$L".tmp.* >/dev/null 2>&1 && kill -0 $pid 2>/dev/null && [ $i -lt 2000 ]; do sleep 0.01; i=$((i + 1)); done
kill -INT $pid
wait $pid
expect "SIGINT: exit 6" "$?" 6
expect "SIGINT: ledger byte-identical" "$(cmp -s "$L" "$D/ledger_before.h5" && echo same)" same
expect "SIGINT: no temporary file left" "$(ls "$L".tmp.* 2>/dev/null | wc -l)" 0
has "SIGINT: message" "$(cat "$D/int.err")" "ledger was left as it was"

# clear with the CSV inputs: recompute every balance from the ledger here
"$BIN" month --config "$D/year.cfg" --month 2025-03 --input "$D/gen/m03.csv" --quiet || exit 1
inst1=$(h5cols "$L" /institutions institution_id | sort -u | sed -n 1p)
inst2=$(h5cols "$L" /institutions institution_id | sort -u | sed -n 2p)
case1=$(h5cols "$L" /special case_id | sed -n 1p)
printf 'institution_id,deduction_yuan\n%s,"1,234.56"\n' "$inst1" > "$D/audit.csv"
printf '\357\273\277institution_id,coefficient\r\n%s,0.9\r\n%s,0.85\r\n' "$inst1" "$inst2" > "$D/assess.csv"
printf 'case_id,approved_yuan\n%s,900000.00\n' "$case1" > "$D/special.csv"
cp "$D/year.cfg" "$D/clear.cfg"
cat >> "$D/clear.cfg" <<EOF
clearing = { audit = "$D/audit.csv"; assessment = "$D/assess.csv"; special_review = "$D/special.csv"; };
EOF
"$BIN" clear --config "$D/clear.cfg" --year 2025 > "$D/clear.out" || { echo "FAIL: clear with CSVs"; cat "$D/clear.out"; exit 1; }
pv=$(h5dump -m '%.17g' -a /clearing/point_value "$L" | awk '/\(0\)/{print $2}')
share=$(h5dump -m '%.17g' -a /clearing/fund_share "$L" | awk '/\(0\)/{print $2}')
sp=$(h5cols "$L" /special case_id institution_id score_e4 | grep "^$case1|")
# balance = due − gross − audit + round(deposit × coef) + top-up, top-up = (approved − score × pv) × share
h5cols "$L" /clearing institution_id due_fen gross_fen deposit_fen balance_fen | awk -F'|' \
    -v i1="$inst1" -v i2="$inst2" -v sp="$sp" -v pv="$pv" -v share="$share" '
    function rnd(x) { return x < 0 ? -int(-x + 0.5) : int(x + 0.5) }
    BEGIN { split(sp, s, "|"); top = rnd((90000000 - s[3] * pv / 100) * share); if (top < 0) top = 0 }
    { audit = ($1 == i1) ? 123456 : 0; coef = ($1 == i1) ? 0.9 : ($1 == i2) ? 0.85 : 1
      want = $2 - $3 - audit + rnd($4 * coef) + (($1 == s[2]) ? top : 0)
      if (want != $5) { print "FAIL: " $1 " balance " $5 ", want " want; bad = 1 } }
    END { exit bad }' || exit 1
ok "clearing balances recomputed from the ledger"
expect "one approved special-review case" "$(h5dump -a /clearing/n_special "$L" | awk '/\(0\)/{print $2}')" 1
# the terminal's totals line: Σ pre-paid gross and Σ balance as /clearing sums them (yuan), then what
# each column is, in Chinese too, and the balance's sign
yuan_sum() { h5cols "$L" /clearing "$1" | awk '{s+=$1} END{v=s<0?-s:s; printf "%s%d.%02d\n", s<0?"-":"", int(v/100), v%100}' |
             sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\([,.]\)/\1,\2\3/' -e 'ta'; }
has "clear: Σ pre-paid gross" "$(cat "$D/clear.out")" "Σ pre-paid gross $(yuan_sum gross_fen);"
has "clear: Σ balance" "$(cat "$D/clear.out")" "Σ balance $(yuan_sum balance_fen) yuan"
has "clear: the columns explained" "$(cat "$D/clear.out")" "audit 审核扣款; coef 考核系数"
has "clear: the balance's sign" "$(tr -s ' \n' ' ' < "$D/clear.out")" "positive = the fund pays the institution (应补拨), negative = the institution returns it (应扣回)"

# bad inputs: file:line
printf 'institution_id,deduction_yuan\n%s,12.345\n' "$inst1" > "$D/audit.csv"
"$BIN" clear --config "$D/clear.cfg" --year 2025 --quiet 2> "$D/bad.err"
expect "bad deduction: exit 4" "$?" 4
has "bad deduction: file:line" "$(cat "$D/bad.err")" "audit.csv:2: deduction_yuan"
printf 'institution_id,deduction_yuan\n' > "$D/audit.csv"
printf 'case_id,approved_yuan\nNOSUCHCASE,10.00\n' > "$D/special.csv"
"$BIN" clear --config "$D/clear.cfg" --year 2025 --quiet 2> "$D/bad.err"
expect "unknown special case: exit 4" "$?" 4
has "unknown special case: file:line" "$(cat "$D/bad.err")" "special.csv:2: case_id"
cp "$D/year.cfg" "$D/bad.cfg"
printf 'clearing = {\n  corridor = true;\n};\n' >> "$D/bad.cfg"
"$BIN" clear --config "$D/bad.cfg" --year 2025 --quiet 2> "$D/bad.err"
expect "corridor without a budget point value: exit 3" "$?" 3
has "corridor: file:line" "$(cat "$D/bad.err")" "bad.cfg:$(($(wc -l < "$D/year.cfg") + 2)): clearing.budget_point_value"
"$BIN" month --config "$D/year.cfg" --month 2025-13 --quiet 2> "$D/bad.err"
expect "bad --month: exit 2" "$?" 2

# the same month at 1 and 2 threads: the same ledger rows
"$BIN" month --config "$D/year.cfg" --month 2025-03 --input "$D/gen/m03.csv" --threads 1 --reopen --quiet || exit 1
t1=$(h5rows "$L" /institutions; h5rows "$L" /groups; h5rows "$L" /special; h5cols "$L" /months month cases score_e4 gross_fen deposit_fen forecast)
CASEMIX_TEST_SLICE_SHIFT=6 "$BIN" month --config "$D/year.cfg" --month 2025-03 --input "$D/gen/m03.csv" --threads 2 --quiet || exit 1
t2=$(h5rows "$L" /institutions; h5rows "$L" /groups; h5rows "$L" /special; h5cols "$L" /months month cases score_e4 gross_fen deposit_fen forecast)
expect "1 vs 2 threads (and small slices): the same ledger rows" "$([ "$t1" = "$t2" ] && echo same)" same

# reserve and bands: Σ amount due = budget − reserve; the reserve left = reserve − bands − special top-ups
cp "$D/year.cfg" "$D/reserve.cfg"
sed -i 's|^year = { ledger|year = { reserve = 0.05; ledger|' "$D/reserve.cfg"
printf 'clearing = { bands = true; };\n' >> "$D/reserve.cfg"
"$BIN" clear --config "$D/reserve.cfg" --year 2025 --quiet || { echo "FAIL: clear with reserve"; exit 1; }
attr() { h5dump -a "/clearing/$1" "$L" | awk '/\(0\)/{print $2}'; }
expect "reserve 5% of 33,000,000.00" "$(attr reserve_fen)" 165000000
expect "Σ due = budget − reserve" "$(h5cols "$L" /clearing due_fen | awk '{s+=$1} END{printf "%.0f\n", s}')" $((3300000000 - 165000000))
expect "Σ band adjustments" "$(h5cols "$L" /clearing band_fen | awk '{s+=$1} END{printf "%.0f\n", s}')" "$(attr band_fen)"
expect "reserve left = reserve − bands" "$(attr reserve_left_fen)" $((165000000 - $(attr band_fen)))
# every band recomputed here: surplus kept to 20% of due, overspend within 20% shared 60%
h5cols "$L" /clearing due_fen fund_fen band_fen | awk -F'|' '
    function rnd(x) { return int(x + 0.5) }
    { due = $1; f = $2
      if (f < due) { s = due - f; L = rnd(due * 0.2); want = s > L ? -(s - L) : 0 }
      else { o = f - due; L = rnd(due * 0.2); want = rnd((o < L ? o : L) * 0.6) }
      if (want != $3) { print "FAIL: band " $3 ", want " want " (due " due ", fund " f ")"; bad = 1 } }
    END { exit bad }' || exit 1
ok "bands recomputed per institution"

# the ledger in Excel / CSV (casemix export): /months, /clearing with the same rows and money
"$BIN" export "$L" --csv "$D/ledcsv" --quiet || { echo "FAIL: export of the ledger"; exit 1; }
expect "export: clearing.csv rows = /clearing" "$(($(wc -l < "$D/ledcsv/clearing.csv") - 1))" "$(h5rows "$L" /clearing | wc -l)"
expect "export: months.csv rows = /months" "$(($(wc -l < "$D/ledcsv/months.csv") - 1))" "$(h5rows "$L" /months | wc -l)"
col=$(head -1 "$D/ledcsv/clearing.csv" | tr ',' '\n' | grep -n '^balance_fen → ' | cut -d: -f1)
expect "export: Σ balance in yuan × 100 = Σ /clearing balance_fen" \
    "$(tail -n +2 "$D/ledcsv/clearing.csv" | cut -d, -f"$col" | tr -d '\r.' | awk '{s+=$1} END{printf "%.0f\n", s}')" \
    "$(h5cols "$L" /clearing balance_fen | awk '{s+=$1} END{printf "%.0f\n", s}')"

# the ledger's workbook shows what the report shows: *_e4 divided by 10^4 (scores #,##0.00, the
# assessment coefficient 0.0000; the header saying so), months as text YYYY-MM of the ledger's year
# (/history_months keeps its year and month columns); the CSV files keep the stored integers
if /usr/bin/python3 -c 'import h5py, openpyxl' 2>/dev/null; then
    "$BIN" export "$L" --xlsx "$D/ledger.xlsx" --quiet || { echo "FAIL: export --xlsx of the ledger"; exit 1; }
    expect "export: the ledger workbook in the report's units (*_e4 / 10^4, months YYYY-MM), the CSV raw" \
        "$(/usr/bin/python3 - "$L" "$D/ledger.xlsx" "$D/ledcsv" <<'PY'
import sys, csv, h5py, openpyxl
L = h5py.File(sys.argv[1], 'r')
wb = openpyxl.load_workbook(sys.argv[2])
year = int(L.attrs['year'])
for t in ['months', 'institutions', 'groups', 'special', 'clearing', 'history_months']:
    if t not in L: continue
    a, ws = L[t][:], wb[t]
    rows = list(ws.iter_rows())
    head = [c.value for c in rows[0]]
    col = {h.split(' ')[0]: k for k, h in enumerate(head)}
    bad, n = [], {'e4': 0, 'month': 0}
    for m in a.dtype.names:
        k = col[m]
        for r, v in zip(rows[1:], a[m]):
            c = r[k]
            if m.endswith('_e4'):
                n['e4'] += 1
                want = int(v) / 10**4                      # points, the coefficient
                if not (isinstance(c.value, float) or isinstance(c.value, int)) or abs(c.value - want) > 1e-9 * max(1, abs(want)) \
                        or c.number_format != ('#,##0.00' if 'score' in m else '0.0000'):
                    bad.append((m, c.value, int(v), c.number_format))
            elif m == 'month' and 'year' not in a.dtype.names:
                n['month'] += 1
                if c.value != '%04d-%02d' % (year, int(v)) or c.data_type != 's': bad.append((m, c.value, int(v)))
            elif m == 'month' and c.value != int(v): bad.append((m, c.value, int(v)))
        if m.endswith('_e4') and not (head[k].startswith(m + ' → ') and '÷ 10^4' in head[k] and '× 10^4' not in head[k]
                                      and (' (points; ' in head[k]) == ('score' in m)):
            bad.append(head[k])
        if m == 'month' and 'year' not in a.dtype.names and not head[k].startswith('month → month (YYYY-MM) 月份'):
            bad.append(head[k])
    print(t, len(a) == len(rows) - 1, bad[:3], {k: v > 0 for k, v in n.items()})
with open(sys.argv[3] + '/months.csv', encoding='utf-8-sig') as fh:
    r = list(csv.reader(fh))
h = [x.split(' ')[0] for x in r[0]]
print('months.csv raw:', [x[h.index('month')] for x in r[1:]] == [str(v) for v in L['months']['month']]
      and [x[h.index('score_e4')] for x in r[1:]] == [str(v) for v in L['months']['score_e4']])
PY
)" "months True [] {'e4': True, 'month': True}
institutions True [] {'e4': True, 'month': True}
groups True [] {'e4': True, 'month': True}
special True [] {'e4': True, 'month': True}
clearing True [] {'e4': True, 'month': False}
history_months True [] {'e4': False, 'month': False}
months.csv raw: True"
else
    echo "skip: the ledger workbook's units (no h5py / openpyxl for /usr/bin/python3)"
fi

# a whole year's file given as one month: a WARNING naming the discharge dates
"$BIN" month --config "$D/year.cfg" --month 2025-04 --input "$D/gen/current.csv" --reopen 2> "$D/warn.err" >/dev/null || exit 1
has "a year's file as a month: warned" "$(cat "$D/warn.err")" "beyond 2025-04"
expect "discharge dates kept in /months" "$(h5cols "$L" /months month discharge_first discharge_last | grep '^4|')" "4|2025-01-01|2025-12-31"

# the month and year options: missing ones said as such (exit 2); a month of another year than the
# period (a mistyped year) warned, naming the ledger's year it goes to
"$BIN" month --config "$D/year.cfg" --input "$D/gen/m01.csv" > /dev/null 2> "$D/opt.err"; rc=$?
expect "month without --month: exit 2" "$rc" 2
has "month without --month: said" "$(cat "$D/opt.err")" "--month YYYY-MM is required"
"$BIN" clear --config "$D/year.cfg" > /dev/null 2> "$D/opt.err"; rc=$?
expect "clear without --year: exit 2" "$rc" 2
has "clear without --year: said" "$(cat "$D/opt.err")" "--year YYYY is required"
sed "s|ledger-2025.h5|ledger-other.h5|" "$D/year.cfg" > "$D/other.cfg"
"$BIN" month --config "$D/other.cfg" --month 2024-01 --input "$D/gen/m01.csv" --out "$D/out/other-01.h5" > /dev/null 2> "$D/other.err" ||
    { echo "FAIL: month 2024-01"; cat "$D/other.err"; exit 1; }
has "a month of another year than the period: warned" "$(cat "$D/other.err")" \
    "WARNING: --month 2024-01 is not in the configuration's period 2025"

# a year with months missing: clear refuses without --partial, names the months, leaves the ledger
sed "s|ledger-2025.h5|ledger-part.h5|" "$D/year.cfg" > "$D/part.cfg"
P=$D/out/ledger-part.h5
for m in 01 02 03 05; do
    "$BIN" month --config "$D/part.cfg" --month 2025-$m --input "$D/gen/m$m.csv" --quiet || { echo "FAIL: part month $m"; exit 1; }
done
cp "$P" "$D/part.before"
"$BIN" clear --config "$D/part.cfg" --year 2025 > "$D/part.out" 2> "$D/part.err"
expect "clear with 4 months: refused, exit 4" "$?" 4
has "refusal names the missing months" "$(cat "$D/part.err")" "missing: 2025-04, 2025-06, 2025-07, 2025-08, 2025-09, 2025-10, 2025-11, 2025-12"
has "refusal says how to proceed" "$(cat "$D/part.err")" "or pass --partial"
expect "refused: the ledger is left as it was" "$(cmp -s "$P" "$D/part.before" && echo same)" same
expect "refused: no clearing table printed" "$(wc -c < "$D/part.out")" 0
"$BIN" clear --config "$D/part.cfg" --year 2025 --partial > "$D/part.out" 2>&1 || { echo "FAIL: clear --partial"; cat "$D/part.out"; exit 1; }
has "--partial: the summary says partial" "$(cat "$D/part.out")" "PARTIAL YEAR (--partial): 4 of 12 months; missing 2025-04, 2025-06"
expect "--partial: /clearing partial = 1" "$(h5dump -a /clearing/partial "$P" | awk '/\(0\)/{print $2}')" 1
has "--partial: /clearing months_missing" "$(h5dump -a /clearing/months_missing "$P")" '"2025-04, 2025-06, 2025-07, 2025-08, 2025-09, 2025-10, 2025-11, 2025-12"'
"$BIN" clear --config "$D/part.cfg" --year 2025 --partial --quiet 2> "$D/part.err" || { echo "FAIL: clear --partial --quiet"; exit 1; }
has "--partial --quiet: still a WARNING on stderr" "$(cat "$D/part.err")" "WARNING: partial year"

# institution names (机构名称): January-June under table A, July-December under table B, where the first
# institution is renamed, the second has no name and the third is not listed; each institution's
# clearing name is its latest month's non-empty name, recomputed here from the months' settlement files
if /usr/bin/python3 -c 'import h5py, openpyxl' 2>/dev/null; then
    { printf '\357\273\277定点医药机构编码,定点医药机构名称,医疗机构等级\n'
      tail -n +2 "$D/gen/current.csv" | cut -d, -f3,4 | sort -u -t, -k1,1 | awk -F, '{printf "%s,第%d人民医院,%s\n", $1, NR, $2}'
    } > "$D/instA.csv"
    # B also gives real Chinese names of various display widths (Chinese 2 columns, · and ASCII 1): under
    # clear's 32-column cap (30, 25, 32 exactly), just over it (33, 34, 38) and far over the former 48 (58)
    awk -F, 'BEGIN {
            L[5] = "上海交通大学医学院附属瑞金医院"; L[6] = "四川大学华西医院·锦江院区"
            L[7] = "首都医科大学附属北京天坛医院新院"; L[8] = "首都医科大学附属北京天坛医院新院A"
            L[9] = "华中科技大学同济医学院附属协和医院"; L[10] = "中国人民解放军联勤保障部队第九〇〇医院"
            L[11] = "中国医学科学院肿瘤医院深圳医院（深圳市第二肿瘤防治中心）" }
        NR == 2 {print $1 "," $2 "（新院区）," $3; next} NR == 3 {print $1 ",," $3; next} NR == 4 {next}
        NR in L {print $1 "," L[NR] "," $3; next} {print}' \
        "$D/instA.csv" > "$D/instB.csv"
    sed -e "s|^input = { records = \"\([^\"]*\)\"; };|input = { records = \"\1\"; institutions = \"$D/instA.csv\"; };|" \
        -e "s|ledger-2025.h5|ledger-names.h5|" -e "s|/out/settle.h5|/out/names.h5|" "$D/year.cfg" > "$D/namesA.cfg"
    sed "s|instA.csv|instB.csv|" "$D/namesA.cfg" > "$D/namesB.cfg"
    year_months "$D/namesA.cfg" "$D" 01 02 03 04 05 06 || exit 1
    year_months "$D/namesB.cfg" "$D" 07 08 09 10 11 12 || exit 1
    year_months "$D/namesA.cfg" "$D" 03 || exit 1   # a month run again after later ones: its rows sorted into place with their names
    N=$D/out/ledger-names.h5
    "$BIN" clear --config "$D/namesB.cfg" --year 2025 > "$D/names.out" || { echo "FAIL: clear (names)"; exit 1; }
    "$BIN" export "$N" --xlsx "$D/names.xlsx" --quiet || { echo "FAIL: export (names)"; exit 1; }
    "$BIN" report "$N" --out "$D/names.html" --quiet || { echo "FAIL: report (names)"; exit 1; }
    /usr/bin/python3 - "$D" "$N" > "$D/names.check" <<'PY'
import sys, re, html, h5py, openpyxl
D, N = sys.argv[1], sys.argv[2]
def s(v): return v.decode() if isinstance(v, bytes) else v
per, want = {}, {}
for m in range(1, 13):                       # the months' settlement files, in month order
    f = h5py.File('%s/out/names-2025-%02d.h5' % (D, m), 'r')
    ids = [s(v) for v in f['institutions']['institution_id']]
    nms = [s(v) for v in f['institution_names'][:]]
    for i, n in zip(ids, nms):
        per[(m, i)] = n
        if n: want[i] = n                    # the latest month that names it
L = h5py.File(N, 'r')
cl = [s(v) for v in L['clearing']['institution_id']]
exp = [want.get(i, '') for i in cl]
last = {i: n for (m, i), n in sorted(per.items())}
print('rule exercised:', sum(1 for i in cl if last[i] != want.get(i, '')) >= 2 and len(set(exp)) > 2)
li = list(zip(L['institutions']['month'], [s(v) for v in L['institutions']['institution_id']]))
print('ledger /institution_names = the months\' files:', [s(v) for v in L['institution_names'][:]] == [per[(int(m), i)] for m, i in li])
print('/clearing_names:', [s(v) for v in L['clearing_names'][:]] == exp)
out = open(D + '/names.out', encoding='utf-8').read()
import unicodedata                           # the table's columns line up in a terminal (Chinese 2 columns wide)
cols = lambda l: sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in l.rstrip())
def shown(n, w=32):                          # a name over 32 columns: cut to at most 29, then "..."
    if cols(n) <= w: return n
    k = 0
    while cols(n[:k + 1]) <= w - 3: k += 1
    return n[:k] + '...'
rows = dict(re.findall(r'^  (H\d+)   (\S*) {2,}', out, re.M))
print('clear printed:', [rows.get(i) for i in cl] == [shown(n) for n in exp])
W = [cols(n) for n in exp]
print('clear: names under, at and over 32 columns, and over 48:', min(W) < 32 and 32 in W and 33 in W and max(W) > 48)
tl = [l for l in out.splitlines() if re.match(r'  (institution|H\d+) ', l)]
print('clear printed, aligned:', len(tl) == len(cl) + 1 and len(set(map(cols, tl))) == 1)
st = [l.split('   ', 1)[1] for l in tl]     # the name column starts at the same place and is 32 wide
print('clear: the name column 32 columns wide:', all(cols(x[:len(shown(n))]) <= 32 and x[len(shown(n)):][:33 - cols(shown(n))].strip() == ''
                                                    for x, n in zip(st[1:], exp)))
print('clear: the cut names said:', ('%d name(s) over 32 columns shortened' % sum(w > 32 for w in W)) in out)
ws = openpyxl.load_workbook(D + '/names.xlsx')['clearing']
head = [c.value for c in ws[1]]
k = [h.split(' ')[0] for h in head].index('institution_id')
got = [(r[k], r[k + 1] or '') for r in ws.iter_rows(min_row=2, values_only=True)]
print('workbook:', head[k + 1].startswith('institution_name') and got == list(zip(cl, exp)))
# the special sheet (特例单议): each row's institution named as in its month's settlement file, else the
# latest month that names it; the CSV mirrors /special (no name column)
sp = L['special'][:]
ws = openpyxl.load_workbook(D + '/names.xlsx')['special']
head = [c.value for c in ws[1]]
k = [h.split(' ')[0] for h in head].index('institution_id')
wsp = [per.get((int(m), s(i)), '') or want.get(s(i), '') for m, i in zip(sp['month'], sp['institution_id'])]
got = [(r[k], r[k + 1] or '') for r in ws.iter_rows(min_row=2, values_only=True)]
print('special sheet names:', len(sp) > 0 and head[k + 1] == 'institution_name → institution name 机构名称'
      and got == list(zip([s(i) for i in sp['institution_id']], wsp)) and len(set(wsp)) > 2)
print('special sheet: a month without the name takes the latest month\'s:', any(not per.get((int(m), s(i))) and want.get(s(i))
      for m, i in zip(sp['month'], sp['institution_id'])))
h = open(D + '/names.html', encoding='utf-8').read()
h = h[h.index('id="tab-clearing"'):]
h = h[:h.index('</table>')]
rep = [(a, html.unescape(b)) for a, b in re.findall(r'<tr><td>(H\d+)</td><td class="name">([^<]*)</td>', h)]
print('report:', rep == list(zip(cl, exp)))
PY
    expect "names: ledger, clear, workbook and report against the months' files" "$(cat "$D/names.check")" \
"rule exercised: True
ledger /institution_names = the months' files: True
/clearing_names: True
clear printed: True
clear: names under, at and over 32 columns, and over 48: True
clear printed, aligned: True
clear: the name column 32 columns wide: True
clear: the cut names said: True
workbook: True
special sheet names: True
special sheet: a month without the name takes the latest month's: True
report: True"
    # a ledger of an older casemix: no /institution_names, no /clearing_names
    cp "$N" "$D/out/ledger-nonames.h5"
    /usr/bin/python3 -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r+"); del f["institution_names"]; del f["clearing_names"]; f.close()' "$D/out/ledger-nonames.h5"
    sed "s|ledger-names.h5|ledger-nonames.h5|" "$D/namesB.cfg" > "$D/nonames.cfg"
    cp "$D/out/ledger-nonames.h5" "$D/out/ledger-nonames0.h5"
    "$BIN" export "$D/out/ledger-nonames0.h5" --xlsx "$D/nonames0.xlsx" --quiet
    expect "older ledger: export exit 0" "$?" 0
    "$BIN" report "$D/out/ledger-nonames0.h5" --out "$D/nonames0.html" --quiet
    expect "older ledger: report exit 0" "$?" 0
    expect "older ledger: no name column in the report" "$(grep -c 'class="name"' "$D/nonames0.html")" 0
    "$BIN" clear --config "$D/nonames.cfg" --year 2025 > "$D/nonames.out" 2>&1
    expect "older ledger: clear exit 0" "$?" 0
    expect "older ledger: clear's rows, name column empty" "$(grep -c '^  H[0-9]* \{10,\}[0-9]' "$D/nonames.out")" "$(h5rows "$N" /clearing | wc -l)"
    expect "older ledger: /clearing_names all empty" "$(/usr/bin/python3 -c 'import sys, h5py; print(sorted(set(h5py.File(sys.argv[1], "r")["clearing_names"][:])))' "$D/out/ledger-nonames.h5")" "[b'']"
else
    echo "skip: institution names (no h5py / openpyxl for /usr/bin/python3)"
fi
[ "$fails" -eq 0 ] || { echo "year: $fails failed:$failed"; exit 1; }
rm -rf "$D"
echo "year: all passed"
