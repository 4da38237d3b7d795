#!/bin/sh
# reopen.sh - a cleared year is not reopened by accident; a month run again keeps its earlier file.
#
#  casemix month after casemix clear, no --reopen   refused: exit 2, says what (cleared), where (the ledger)
#                                                    and what to do (--reopen, clear again); the ledger and the
#                                                    month's file byte-identical, no kept or temporary file
#  the same with --reopen                            runs; /clearing gone; /reopenings row = what the removed
#                                                    clearing had (its attributes and Σ of its rows, read
#                                                    from a copy taken before), the month, when (between the
#                                                    times taken around the run); the output says REOPENED
#  a month run again                                 its earlier settlement file kept as OUT.rN.h5 (N = the
#                                                    /revisions number), byte-identical to a copy taken
#                                                    before (cmp and h5diff); the output names it
#  a third run, OUT.r3.h5 taken by another file      kept as OUT.r4.h5, OUT.r3.h5 and OUT.r1.h5 untouched
#  cleared again, --reopen --quiet                   /reopenings appended (row 1 unchanged); stderr says it
#                                                    /reopening_institutions: the removed clearing's balance
#                                                    per institution (read from the copy), reopening 1 then 2
#  no reopening (the first clear)                     settled_before_fen 0, to_settle_fen = balance_fen
#  clear after a reopening, and after two             per institution (union of the clearings' ids)
#                                                    settled_before = Σ the removed clearings' balances and
#                                                    to_settle = balance - settled, from copies of the ledgers
#                                                    (h5py); Σ to the fen; the terminal's Σ to settle now
#  export                                            reopenings.csv with its Chinese header; the clearing
#                                                    sheet's 已清算 / 本次应补(追) columns
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/reopen
rm -rf "$D"; mkdir -p "$D/out"
year_setup "$D" 2000 || { echo "FAIL: gen"; exit 1; }
L=$D/out/ledger-2025.h5
M=$D/out/settle-2025-02.h5          # February's settlement file (output.file with -2025-02)
year_months "$D/year.cfg" "$D" 01 02 || exit 1
[ -f "$M" ] || { echo "FAIL: no $M"; exit 1; }
"$BIN" clear --config "$D/year.cfg" --year 2025 --partial --quiet 2>/dev/null || { echo "FAIL: clear"; exit 1; }
cp "$L" "$D/ledger.cleared"
cp "$L" "$D/ledger.first"
cp "$M" "$D/m02.first"
head -n -4 "$D/gen/m02.csv" > "$D/gen/m02fix.csv"   # a corrected February: four rows withdrawn

# settle_check NAME NEW OLD...: NEW's /clearing against the /clearing of the earlier (removed) clearings'
# copies OLD... (in order): each removed clearing paid its to_settle, so what was settled before is the
# latest removed clearing's balance (0 when none; telescoping: b1 + (b2 - b1) + ...); per institution
# settled_before = that, to_settle = NEW balance - settled; prints
# "ok" lines or FAIL lines, and last "SUM <Σ to_settle fen>"
settle_check() {
    /usr/bin/python3 - "$@" <<'PY'
import sys, h5py
name, new, olds = sys.argv[1], sys.argv[2], sys.argv[3:]
def bal(path):
    with h5py.File(path, 'r') as f:
        c = f['/clearing'][()]
        return {r['institution_id'].decode(): int(r['balance_fen']) for r in c}
with h5py.File(new, 'r') as f:
    c = f['/clearing'][()]
    rows = {r['institution_id'].decode(): (int(r['balance_fen']), int(r['settled_before_fen']), int(r['to_settle_fen'])) for r in c}
prev = [bal(p) for p in olds]
ids = set(rows)
for b in prev: ids |= set(b)
bad = 0
if set(rows) != ids:
    print('FAIL: %s: /clearing ids %d, want the union %d' % (name, len(rows), len(ids))); bad += 1
for i in sorted(ids):
    b, sb, ts = rows.get(i, (0, None, None))
    want_sb = prev[-1].get(i, 0) if prev else 0
    if sb != want_sb or ts != b - want_sb:
        print('FAIL: %s: %s settled %s to settle %s, want %d and %d' % (name, i, sb, ts, want_sb, b - want_sb)); bad += 1
tb = sum(v[0] for v in rows.values()); ts = sum(v[2] for v in rows.values())
tp = sum(prev[-1].values()) if prev else 0
if ts != tb - tp:
    print('FAIL: %s: Σ to settle %d != Σ balance %d - Σ latest removed balance %d' % (name, ts, tb, tp)); bad += 1
if not bad:
    print('ok: %s: %d institutions, settled = the latest removed balance, to settle = balance - settled; Σ %d fen' % (name, len(ids), ts))
print('SUM %d' % ts)
PY
}
yuan_of() { awk -v s="$1" 'BEGIN{v=s<0?-s:s; printf "%s%d.%02d\n", s<0?"-":"", int(v/100), v%100}' |
             sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\([,.]\)/\1,\2\3/' -e 'ta'; }
chk=$(settle_check "no reopening" "$D/ledger.first")
echo "$chk" | grep -v '^SUM'
case "$chk" in *FAIL*) fails=$((fails + 1)); failed="$failed no-reopening" ;; esac
eq "no reopening: Σ to settle = Σ balance" "$(echo "$chk" | sed -n 's/^SUM //p')" \
    "$(h5cols "$D/ledger.first" /clearing balance_fen | awk '{s += $1} END {printf "%.0f\n", s}')"

# 1. refused without --reopen
"$BIN" month --config "$D/year.cfg" --month 2025-02 --input "$D/gen/m02fix.csv" > "$D/no.out" 2> "$D/no.err"
eq "after clear, no --reopen: exit 2" "$?" 2
err=$(tr -s ' \n' ' ' < "$D/no.err")
has "refusal: what" "$err" "the year 2025 was cleared (年度清算: /clearing over 2 month(s)"
has "refusal: where" "$err" "$L:"
has "refusal: what to do" "$err" "pass --reopen"
has "refusal: and then" "$err" "run casemix clear --year 2025 again"
has "refusal: nothing was done" "$err" "Nothing was done"
eq "refusal: nothing on stdout" "$(wc -c < "$D/no.out")" 0
eq "refusal: the ledger byte-identical" "$(cmp "$L" "$D/ledger.cleared" && echo same)" same
eq "refusal: February's file byte-identical" "$(cmp "$M" "$D/m02.first" && echo same)" same
eq "refusal: no kept file, no temporary file" "$(ls "$D/out" | grep -c '\.r[0-9]*\.h5\|\.tmp\.')" 0
"$BIN" month --config "$D/year.cfg" --month 2025-03 --input "$D/gen/m03.csv" --quiet 2> /dev/null
eq "after clear, a new month without --reopen: exit 2 too" "$?" 2
eq "... the ledger byte-identical" "$(cmp "$L" "$D/ledger.cleared" && echo same)" same
[ ! -e "$D/out/settle-2025-03.h5" ] && ok "... no March file" || bad "a refused March wrote its file"
"$BIN" month --help > "$D/help.txt" 2>&1
has "month --help: the option" "$(cat "$D/help.txt")" "--reopen"
has "month --help: the refusal" "$(tr -s ' \n' ' ' < "$D/help.txt")" "A cleared year (casemix clear wrote /clearing; its balances may have been paid out) is refused"

# 2. with --reopen: runs, removes the clearing, records it
t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$BIN" month --config "$D/year.cfg" --month 2025-02 --input "$D/gen/m02fix.csv" --reopen > "$D/r1.out" 2>&1 ||
    { echo "FAIL: month --reopen"; cat "$D/r1.out"; exit 1; }
t1=$(date -u +%Y-%m-%dT%H:%M:%SZ)
eq "--reopen: /clearing removed" "$(h5ls "$L" | grep -c '^clearing')" 0
eq "--reopen: one /reopenings row" "$(h5rows "$L" /reopenings | wc -l)" 1
attr() { h5dump -m '%.17g' -a "/clearing/$1" "$D/ledger.cleared" | awk '/\(0\)/{print $2}'; }
sumc() { h5cols "$D/ledger.cleared" /clearing "$1" | awk '{s += $1} END {printf "%.0f\n", s}'; }
want="2|$(attr months)|$(attr cases)|$(sumc due_fen)|$(sumc balance_fen)"
eq "/reopenings: month, and the removed clearing's months, cases, Σ due, Σ balance" \
    "$(h5cols "$L" /reopenings month months_cleared cases due_fen balance_fen)" "$want"
eq "/reopenings: point_value = the removed clearing's" "$(h5cols "$L" /reopenings point_value)" \
    "$(h5dump -m '%.12g' -a /clearing/point_value "$D/ledger.cleared" | awk '/\(0\)/{print $2}')"
at=$(h5cols "$L" /reopenings run_at)
if [ "$t0" \< "$at" ] || [ "$t0" = "$at" ]; then
    if [ "$at" \< "$t1" ] || [ "$at" = "$t1" ]; then ok "/reopenings: run_at $at within the run"; else bad "run_at $at after $t1"; fi
else bad "run_at $at before $t0"; fi
out=$(tr -s ' \n' ' ' < "$D/r1.out")
has "--reopen: the output says so" "$out" "REOPENED the year 2025 was cleared: its clearing (年度清算, /clearing over 2 month(s)"
has "--reopen: recorded where" "$out" "recorded in /reopenings (撤销清算记录)"
has "--reopen: what to do next" "$out" "run casemix clear --year 2025 again"
has "--reopen: what it settled counts as paid out" "$out" "what it settled per institution in /reopening_institutions: taken as paid out"
eq "/reopening_institutions: reopening 1, the removed clearing's ids and balances" \
    "$(h5cols "$L" /reopening_institutions reopening institution_id balance_fen)" \
    "$(h5cols "$D/ledger.cleared" /clearing institution_id balance_fen | sed 's/^/1|/')"

# 3. February's earlier file kept under its revision's name, byte for byte
K1=$D/out/settle-2025-02.r1.h5
eq "re-run: revision 1 in /revisions" "$(h5cols "$L" /revisions month revision)" "2|1"
eq "re-run: the earlier file kept as .r1.h5, byte-identical" "$(cmp "$K1" "$D/m02.first" && echo same)" same
h5diff -q "$K1" "$D/m02.first" && ok "re-run: h5diff kept vs the copy: no difference" || bad "re-run: h5diff kept vs copy differ"
h5diff -q "$M" "$D/m02.first" > /dev/null 2>&1 && bad "re-run: the new February file equals the earlier" ||
    ok "re-run: the new February file is the corrected one"
eq "re-run: the new file has the corrected cases" "$(h5cols "$M" /summary cases)" "$(h5cols "$L" /months month cases | grep '^2|' | cut -d'|' -f2)"
eq "re-run: the kept file has the earlier cases" "$(h5cols "$K1" /summary cases)" "$(h5cols "$L" /revisions cases_old)"
has "re-run: the output names the kept file" "$out" "kept the earlier settlement file of 2025-02 as $K1"
eq "re-run: no temporary file left" "$(ls "$D/out" | grep -c '\.tmp\.')" 0

# 4. a third run: revision 2 → .r2.h5; a fourth with .r3.h5 taken by another file → .r4.h5
cp "$M" "$D/m02.second"
head -n -9 "$D/gen/m02.csv" > "$D/gen/m02fix2.csv"
"$BIN" month --config "$D/year.cfg" --month 2025-02 --input "$D/gen/m02fix2.csv" > "$D/r2.out" 2>&1 ||
    { echo "FAIL: month 02 third run"; cat "$D/r2.out"; exit 1; }
eq "third run: no clearing, no --reopen needed, no REOPENED" "$(grep -c REOPENED "$D/r2.out")" 0
eq "third run: kept as .r2.h5 = the second file" "$(cmp "$D/out/settle-2025-02.r2.h5" "$D/m02.second" && echo same)" same
eq "third run: .r1.h5 untouched" "$(cmp "$K1" "$D/m02.first" && echo same)" same
cp "$M" "$D/m02.third"
echo "not casemix's" > "$D/out/settle-2025-02.r3.h5"
"$BIN" month --config "$D/year.cfg" --month 2025-02 --input "$D/gen/m02fix.csv" > "$D/r3.out" 2>&1 ||
    { echo "FAIL: month 02 fourth run"; cat "$D/r3.out"; exit 1; }
eq "fourth run: .r3.h5 taken: kept as .r4.h5 = the third file" "$(cmp "$D/out/settle-2025-02.r4.h5" "$D/m02.third" && echo same)" same
eq "fourth run: the other file at .r3.h5 untouched" "$(cat "$D/out/settle-2025-02.r3.h5")" "not casemix's"
has "fourth run: the output names .r4.h5" "$(cat "$D/r3.out")" "as $D/out/settle-2025-02.r4.h5"

# 5. cleared again, reopened again (--quiet): appended, the first row unchanged
row1=$(h5rows "$L" /reopenings)
"$BIN" clear --config "$D/year.cfg" --year 2025 --partial --quiet 2>/dev/null || { echo "FAIL: clear again"; exit 1; }
eq "clear keeps /reopenings" "$(h5rows "$L" /reopenings)" "$row1"
"$BIN" clear --config "$D/year.cfg" --year 2025 --partial > "$D/c2.out" 2>/dev/null || { echo "FAIL: clear again (terminal)"; exit 1; }
cp "$L" "$D/ledger.second"
chk=$(settle_check "after one reopening" "$D/ledger.second" "$D/ledger.first")
echo "$chk" | grep -v '^SUM'
case "$chk" in *FAIL*) fails=$((fails + 1)); failed="$failed one-reopening" ;; esac
c2=$(tr -s ' \n' ' ' < "$D/c2.out")
has "clear after a reopening: Σ to settle now" "$c2" "Σ to settle now (本次应补(追)) $(yuan_of "$(echo "$chk" | sed -n 's/^SUM //p')") yuan"
has "clear after a reopening: the columns" "$c2" "settled (已清算) to settle (本次应补(追))"
nz=$(/usr/bin/python3 -c "import h5py,sys; c=h5py.File(sys.argv[1],'r')['/clearing'][()]; print(sum(1 for r in c if r['settled_before_fen'] != 0))" "$D/ledger.second")
[ "$nz" -gt 0 ] && ok "clear after a reopening: $nz institution(s) with a balance settled before" ||
    bad "clear after a reopening: nothing settled before (the test would not see a deduction)"
cp "$L" "$D/ledger.cleared"
"$BIN" month --config "$D/year.cfg" --month 2025-03 --input "$D/gen/m03.csv" --reopen --quiet > "$D/q.out" 2> "$D/q.err" ||
    { echo "FAIL: month 03 --reopen --quiet"; cat "$D/q.err"; exit 1; }
eq "--quiet: nothing on stdout" "$(wc -c < "$D/q.out")" 0
has "--quiet: stderr says the year was reopened" "$(cat "$D/q.err")" "the year 2025 was reopened (--reopen)"
eq "second reopening: two rows, the first unchanged" "$(h5rows "$L" /reopenings | head -1)|$(h5rows "$L" /reopenings | wc -l)" "$row1|2"
eq "second reopening: month 3, the removed clearing's cases" "$(h5cols "$L" /reopenings month cases | tail -1)" "3|$(attr cases)"
[ ! -e "$D/out/settle-2025-03.r1.h5" ] && ok "a new month: nothing to keep" || bad "a new month kept a file"
eq "/reopening_institutions: reopening 2 appended = the second clearing's balances, what it left to settle" \
    "$(h5cols "$L" /reopening_institutions reopening institution_id balance_fen to_settle_fen | grep '^2|')" \
    "$(h5cols "$D/ledger.second" /clearing institution_id balance_fen to_settle_fen | sed 's/^/2|/')"
eq "/reopening_institutions: reopening 1: to settle = balance (nothing reopened before it)" \
    "$(h5cols "$L" /reopening_institutions reopening balance_fen to_settle_fen | grep '^1|' | awk -F'|' '$2 != $3' | wc -l)" 0
"$BIN" clear --config "$D/year.cfg" --year 2025 --partial --quiet 2>/dev/null || { echo "FAIL: clear a third time"; exit 1; }
chk=$(settle_check "after two reopenings" "$L" "$D/ledger.first" "$D/ledger.second")
echo "$chk" | grep -v '^SUM'
case "$chk" in *FAIL*) fails=$((fails + 1)); failed="$failed two-reopenings" ;; esac

# 6. export: the table with its Chinese header
"$BIN" export "$L" --csv "$D/csv" --quiet || { echo "FAIL: export"; exit 1; }
eq "export: reopenings.csv rows" "$(($(wc -l < "$D/csv/reopenings.csv") - 1))" 2
has "export: reopenings.csv header" "$(head -1 "$D/csv/reopenings.csv")" "撤销清算的月份数"
/usr/bin/python3 - "$D/csv/clearing.csv" "$L" <<'PY'
import sys, csv, h5py
from decimal import Decimal
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig')))
h = rows[0]
def col(word):
    k = [i for i, x in enumerate(h) if word in x]
    return k[0] if len(k) == 1 else None
ks, kt, ki = col('已清算'), col('本次应补(追)'), col('institution_id')
if ki is None:
    ki = 0
if ks is None or kt is None:
    print('FAIL: export: clearing.csv lacks 已清算 / 本次应补(追): %s' % h); sys.exit(0)
c = h5py.File(sys.argv[2], 'r')['/clearing'][()]
want = {r['institution_id'].decode(): (int(r['settled_before_fen']), int(r['to_settle_fen'])) for r in c}
fen = lambda s: int(Decimal(s.replace(',', '')) * 100)
got = {r[ki]: (fen(r[ks]), fen(r[kt])) for r in rows[1:] if r}
print('ok: export: clearing.csv 已清算 / 本次应补(追) = /clearing' if got == want else
      'FAIL: export: clearing.csv 已清算 / 本次应补(追) differ from /clearing')
PY


[ $fails -eq 0 ] || { echo "reopen: $fails FAILED:$failed"; exit 1; }
echo "reopen: all passed"
