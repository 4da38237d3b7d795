#!/bin/sh
# month_mistakes.sh - the settlement year's common mistakes, as a newcomer makes them (casemix month / clear /
# export), on the README's example region (config/example) cut into one export per month of discharge:
#
#  a month skipped (03 before 02)                  WARNING naming the month missing before it
#  02 run with April's export (--quiet)            the dates WARNING (stderr, --quiet too); then April's own month: every row
#                                                  "already settled", exit 4, and the hint says to check the
#                                                  month's export (not "casemix group ... lists every row")
#  02 run again with its own export                April's ids freed: 04 settles
#  02 run a third time with the same export        WARNING: the same cases as its entry; the printed split of
#                                                  the difference: the export's change 0.00
#  03 run again from a corrected export, after     the difference split into the export's change (the new cases
#    all twelve months                             at the replaced entry's point value and fund share, computed
#                                                  here from /months with h5py) + the estimate's = the difference
#  month 12                                        "band ±0.0% ... (widened to ±2.0%: year.band_min)"
#  a history file that is not there                exit 4, names history[0].file, not --input
#  the workbook (openpyxl)                         point values 0.000000, months' fund share says year to date
#                                                  (累计统筹支付比例), clearing_year's partial row says 1 = --partial,
#                                                  revision_institutions names each institution
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
if ! /usr/bin/python3 -c 'import h5py, openpyxl' 2>/dev/null; then echo "SKIP: no h5py / openpyxl for /usr/bin/python3"; exit 77; fi
D=$(pwd)/$TMP/month_mistakes
example_months "$D"
L=$D/out/ex-2025.ledger-2025.h5
month() { # MM FILE OUT: casemix month 2025-MM --input FILE, stdout and stderr to OUT; prints the exit code
    "$BIN" month --config "$D/region.cfg" --month "2025-$1" --input "$2" > "$3" 2>&1
    echo $?
}

eq "01: exit 0" "$(month 01 "$D/m/m01.csv" "$D/01.out")" 0
eq "03 before 02: exit 0" "$(month 03 "$D/m/m03.csv" "$D/03.out")" 0
has "03 before 02: the month missing is named" "$(cat "$D/03.out")" \
    "WARNING: the ledger has no 2025-02, before 2025-03"
# run --quiet, as a batch of months is: the WARNING still prints (stderr), nothing else does
"$BIN" month --config "$D/region.cfg" --month 2025-02 --input "$D/m/m04.csv" --quiet > "$D/02w.stdout" 2> "$D/02w.out"
eq "02 from April's export, --quiet: exit 0 (a WARNING only)" "$?" 0
has "02 from April's export, --quiet: the dates WARNING on stderr" "$(cat "$D/02w.out")" "beyond 2025-02; is this the month's export?"
eq "02 from April's export, --quiet: nothing on stdout" "$(wc -c < "$D/02w.stdout" | tr -d ' ')" 0
eq "04 after April was run as 02: exit 4" "$(month 04 "$D/m/m04.csv" "$D/04x.out")" 4
has "04: every row already settled in 02" "$(cat "$D/04x.out")" "case id already settled in month 2025-02 of the ledger"
has "04: the hint names the month's export" "$(cat "$D/04x.out")" \
    "every row was settled in another month of the ledger: is this the month's own export? Check --month and --input"
case "$(cat "$D/04x.out")" in *"casemix group --scheme dip"*) bad "04: the hint still sends the user to casemix group" ;;
    *) ok "04: no casemix group hint" ;; esac
eq "02 again from its own export: exit 0" "$(month 02 "$D/m/m02.csv" "$D/02.out")" 0
case "$(cat "$D/02.out")" in *"WARNING: 2025-02 was run again with the same cases"*) bad "02 corrected: same-cases WARNING" ;;
    *) ok "02 corrected: no same-cases WARNING (its cases changed)" ;; esac
eq "04 now: exit 0 (its ids freed)" "$(month 04 "$D/m/m04.csv" "$D/04.out")" 0
eq "02 a third time, the same export: exit 0" "$(month 02 "$D/m/m02.csv" "$D/02s.out")" 0
has "02 the same export: WARNING" "$(cat "$D/02s.out")" \
    "WARNING: 2025-02 was run again with the same cases as its entry in the ledger (22 cases"
has "02 the same export: the export's change is nothing" "$(cat "$D/02s.out")" "of which the export's change 0.00 yuan"
for m in 05 06 07 08 09 10 11 12; do
    eq "$m: exit 0" "$(month $m "$D/m/m$m.csv" "$D/$m.out")" 0
done
has "12: the band widened to band_min, said" "$(cat "$D/12.out")" \
    "band ±0.0% of the year's score (widened to ±2.0%: year.band_min)"
# a corrected March (one row withdrawn, one principal diagnosis recoded) after all twelve months
{ head -n -1 "$D/m/m03.csv" | awk -F, -v OFS=, 'NR == 2 { $13 = "C34.102" } 1'; } > "$D/m/m03fix.csv"
/usr/bin/python3 - "$L" > "$D/old03.txt" <<'PY'
import sys, h5py
m = [r for r in h5py.File(sys.argv[1], 'r')['months'][:] if r['month'] == 3][0]
print(repr(float(m['point_value_estimate'])), repr(float(m['fund_share'])), int(m['paid_fen']))
PY
eq "03 corrected: exit 0" "$(month 03 "$D/m/m03fix.csv" "$D/03fix.out")" 0
# the split, recomputed: the new cases at the old point value and fund share (round half even, fen), less the
# deposit (5%, round half even); the export's part = that - paid then; the estimate's = paid now - that
eq "03 corrected: the printed split = the new cases at the old estimate, the rest the estimate's" "$(
    /usr/bin/python3 - "$L" "$D/old03.txt" "$D/03fix.out" <<'PY'
import sys, re, h5py
from decimal import Decimal as Dd, ROUND_HALF_EVEN
pv, fs, paid_old = open(sys.argv[2]).read().split()
m = [r for r in h5py.File(sys.argv[1], 'r')['months'][:] if r['month'] == 3][0]
g = (Dd(float(pv)) * Dd(float(fs)) * Dd(int(m['score_e4'])) / 100).quantize(Dd(1), ROUND_HALF_EVEN)
p = g - (g * Dd('0.05')).quantize(Dd(1), ROUND_HALF_EVEN)
exp_part, est_part = int(p) - int(paid_old), int(m['paid_fen']) - int(p)
out = open(sys.argv[3]).read()
y = lambda s: int(round(float(s.replace(',', '')) * 100))
a = re.search(r"pay the difference (-?[\d,.]+) yuan", out)
b = re.search(r"of which the export's change (-?[\d,.]+) yuan .* and the estimate's (-?[\d,.]+) yuan", out)
if not a or not b: print('not printed'); sys.exit()
got = (y(a.group(1)), y(b.group(1)), y(b.group(2)))
want = (int(m['paid_fen']) - int(paid_old), exp_part, est_part)
print('ok' if got == want and got[1] + got[2] == got[0] and exp_part < 0 else 'got %r want %r' % (got, want))
PY
)" ok
"$BIN" clear --config "$D/region.cfg" --year 2025 > "$D/clear.out" 2>&1 || { bad "clear"; cat "$D/clear.out"; }
"$BIN" export "$L" --xlsx "$D/out/year.xlsx" > /dev/null 2>&1 || bad "export"
eq "workbook: point values 0.000000, the months' fund share year to date, the partial row" "$(
    /usr/bin/python3 - "$D/out/year.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for sheet, cols in (('months', ('point_value_estimate', 'forecast', 'band_low', 'band_high', 'fund_share')),
                    ('revisions', ('point_value_old', 'point_value_new'))):
    ws = wb[sheet]
    head = [c.value for c in ws[1]]
    for c in cols:
        j = [i for i, h in enumerate(head) if h.startswith(c + ' →')][0]
        fmts = {ws.cell(row=r, column=j + 1).number_format for r in range(2, ws.max_row + 1)}
        if fmts != {'0.000000'}: out.append('%s.%s %r' % (sheet, c, fmts))
h = [c.value for c in wb['months'][1] if c.value.startswith('fund_share →')][0]
if '累计统筹支付比例' not in h or 'year to date' not in h: out.append(h)
rows = [r for r in wb['clearing_year'].iter_rows(values_only=True) if r[1] and r[1].startswith('部分年度清算')]
if len(rows) != 1 or '1 = cleared with --partial' not in rows[0][0] or rows[0][2] != 0: out.append(repr(rows))
print('\n'.join(out) or 'ok')
PY
)" ok
eq "workbook: revision_institutions names each institution after its id (the master table's name)" "$(
    /usr/bin/python3 - "$D/out/year.xlsx" "$E/institutions.csv" <<'PY'
import sys, csv, openpyxl
names = {r[0]: r[1] for r in csv.reader(open(sys.argv[2], encoding='utf-8-sig')) if r and r[0].startswith('H')}
rows = list(openpyxl.load_workbook(sys.argv[1])['revision_institutions'].iter_rows(values_only=True))
h = list(rows[0])
i = [k for k, c in enumerate(h) if c.startswith('institution_id →')][0]
if not h[i + 1].startswith('institution_name →') or '机构名称' not in h[i + 1]: print('header', h); sys.exit()
bad = [r for r in rows[1:] if names.get(r[i]) != r[i + 1]]
print('ok' if len(rows) > 2 and not bad else 'rows %d, wrong %r' % (len(rows) - 1, bad[:3]))
PY
)" ok
# a history file that is not there: named as the configuration names it
sed -e "s|ex-2025.h5|hist-2025.h5|" "$D/region.cfg" > "$D/hist.cfg"
printf 'history = ( { year = 2024; file = "nowhere/history_2024.csv"; } );\n' >> "$D/hist.cfg"
"$BIN" month --config "$D/hist.cfg" --month 2025-01 --input "$D/m/m01.csv" > "$D/hist.out" 2>&1
eq "a missing history file: exit 4" "$?" 4
has "a missing history file: named as the configuration's entry" "$(cat "$D/hist.out")" \
    "cannot open the history file of 2024 (history[0].file in $D/hist.cfg)"
case "$(cat "$D/hist.out")" in *"--input or input.records"*) bad "a missing history file: points at --input" ;;
    *) ok "a missing history file: not --input" ;; esac
[ "$fails" -eq 0 ] || { echo "month_mistakes: $fails failed:$failed"; exit 1; }
rm -rf "$D"
echo "month_mistakes: all passed"
