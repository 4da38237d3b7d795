#!/bin/sh
# revisions.sh - a month run again (a corrected export) keeps an audit trail (更正记录).
#
#  February, then February again from a corrected      /revisions row 1 = the /months entry before (cases, gross,
#  export (rows withdrawn, one cost altered)           deposit, paid, point value, input, run_at) and after, the
#                                                      difference paid_new - paid_old; January has none
#  per institution                                     /revision_institutions = the two months' /institutions
#                                                      paid by id; Σ differences = the month's difference
#  February a third time (another correction)         revision 2 appended, row 1 unchanged
#  casemix month                                       prints the revision it recorded
#  casemix clear                                       a line: 2 re-runs, Σ differences in yuan; none without
#  a ledger without /revisions (before any re-run:     clear prints no such line; export has no such sheet
#  as an older casemix's)
#  casemix export --csv / --xlsx                       revisions(.csv), revision_institutions: the rows, the
#                                                      Chinese headers (月份 更正次数 原拨付 新拨付 差额)
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/revisions
rm -rf "$D"; mkdir -p "$D/out"
year_setup "$D" 3000 || { echo "FAIL: gen"; exit 1; }
L=$D/out/ledger-2025.h5
year_months "$D/year.cfg" "$D" 01 02 || exit 1
if ! /usr/bin/python3 -c 'import h5py' 2>/dev/null; then echo "SKIP: no h5py for /usr/bin/python3"; exit 77; fi

# snap N: the ledger's February entry of /months and its /institutions paid by id (h5py), to $D/snapN.json
snap() {
    /usr/bin/python3 - "$L" "$D/snap$1.json" <<'PY'
import sys, json, h5py
f = h5py.File(sys.argv[1], 'r')
m = [r for r in f['months'][:] if r['month'] == 2][0]
e = {k: (m[k].decode() if isinstance(m[k], bytes) else m[k].item()) for k in
     ['cases', 'gross_fen', 'deposit_fen', 'paid_fen', 'point_value_estimate', 'input', 'run_at']}
e['inst'] = {r['institution_id'].decode(): int(r['paid_fen']) for r in f['institutions'][:] if r['month'] == 2}
json.dump(e, open(sys.argv[2], 'w'))
PY
}
# check_rev REV OLD NEW: /revisions row (month 2, revision REV) against snapshots OLD and NEW, and its
# /revision_institutions rows; prints one line per finding, "ok" when all agree
check_rev() {
    /usr/bin/python3 - "$L" "$1" "$D/snap$2.json" "$D/snap$3.json" <<'PY'
import sys, json, h5py
f = h5py.File(sys.argv[1], 'r'); rev = int(sys.argv[2])
old, new = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
out = []
R = [r for r in f['revisions'][:] if r['month'] == 2 and r['revision'] == rev]
if len(R) != 1: print('revision %d: %d rows' % (rev, len(R))); sys.exit()
r = R[0]
def val(k):
    v = r[k]
    return v.decode() if isinstance(v, bytes) else v.item()
for side, e in (('old', old), ('new', new)):
    for k, col in (('cases', 'cases_%s'), ('gross_fen', 'gross_%s_fen'), ('deposit_fen', 'deposit_%s_fen'),
                   ('paid_fen', 'paid_%s_fen'), ('point_value_estimate', 'point_value_%s'), ('input', 'input_%s'),
                   ('run_at', 'run_at_%s')):
        if val(col % side) != e[k]: out.append('%s: %r, /months had %r' % (col % side, val(col % side), e[k]))
if val('difference_fen') != new['paid_fen'] - old['paid_fen']:
    out.append('difference_fen %d, want %d' % (val('difference_fen'), new['paid_fen'] - old['paid_fen']))
I = [x for x in f['revision_institutions'][:] if x['month'] == 2 and x['revision'] == rev]
ids = sorted(set(old['inst']) | set(new['inst']))
got = [(x['institution_id'].decode(), int(x['paid_old_fen']), int(x['paid_new_fen']), int(x['difference_fen'])) for x in I]
want = [(i, old['inst'].get(i, 0), new['inst'].get(i, 0), new['inst'].get(i, 0) - old['inst'].get(i, 0)) for i in ids]
if got != want: out.append('institutions %r, want %r' % (got, want))
if sum(x[3] for x in got) != val('difference_fen'): out.append('institutions sum %d != %d' % (sum(x[3] for x in got), val('difference_fen')))
print('\n'.join(out) if out else 'ok')
PY
}

snap 1
cp "$L" "$D/out/ledger-norev.h5"            # as an older casemix's: no /revisions
# the corrected export: its last four rows withdrawn, one row's length of stay (los_days) doubled
head -n -4 "$D/gen/m02.csv" | awk -F, -v OFS=, 'NR == 3 { $12 = $12 * 2 } 1' > "$D/gen/m02fix.csv"
cmp -s "$D/gen/m02.csv" "$D/gen/m02fix.csv" && { echo "FAIL: the corrected export is the same"; exit 1; }
"$BIN" month --config "$D/year.cfg" --month 2025-02 --input "$D/gen/m02fix.csv" > "$D/r1.out" 2>&1 ||
    { echo "FAIL: month 02 corrected"; cat "$D/r1.out"; exit 1; }
snap 2
eq "first re-run: /revisions row 1 = February's /months entry before and after, per institution too" "$(check_rev 1 1 2)" ok
eq "first re-run: one revision, none for January" "$(h5cols "$L" /revisions month revision)" "2|1"
has "first re-run: casemix month says the revision" "$(cat "$D/r1.out")" "revision          1 of 2025-02 recorded in /revisions"
has "first re-run: and the difference as before" "$(cat "$D/r1.out")" "pay the difference"
h5rows "$L" /revisions > "$D/rev1.txt"
h5rows "$L" /revision_institutions > "$D/revi1.txt"
sleep 1   # another run_at
head -n -10 "$D/gen/m02.csv" > "$D/gen/m02fix2.csv"   # a second correction: ten rows withdrawn
"$BIN" month --config "$D/year.cfg" --month 2025-02 --input "$D/gen/m02fix2.csv" > "$D/r2.out" 2>&1 ||
    { echo "FAIL: month 02 third run"; cat "$D/r2.out"; exit 1; }
snap 3
eq "second re-run: /revisions row 2 = the entry before (the corrected) and after" "$(check_rev 2 2 3)" ok
eq "second re-run: revisions numbered 1, 2" "$(h5cols "$L" /revisions month revision | tr '\n' ' ')" "2|1 2|2 "
eq "second re-run: row 1 unchanged (appended, never rewritten)" "$(h5rows "$L" /revisions | head -1)" "$(cat "$D/rev1.txt")"
eq "second re-run: row 1's institutions unchanged" \
    "$(h5rows "$L" /revision_institutions | head -n "$(wc -l < "$D/revi1.txt")")" "$(cat "$D/revi1.txt")"
has "second re-run: casemix month says revision 2" "$(cat "$D/r2.out")" "revision          2 of 2025-02"
h5rows "$L" /revisions > "$D/rev2.txt"
sum=$(h5cols "$L" /revisions difference_fen | awk '{s += $1} END {printf "%d\n", s}')
isum=$(h5cols "$L" /revision_institutions difference_fen | awk '{s += $1} END {printf "%d\n", s}')
eq "Σ per-institution differences = Σ the months' differences" "$isum" "$sum"
one=$(h5cols "$L" /revisions difference_fen | tr '\n' ' ')
if echo "$one $sum" | awk '{for (i = 1; i <= NF; i++) if ($i == 0) z = 1} END {exit z}'; then
    ok "the corrections changed what February pays ($one fen, Σ $sum)"
else bad "a correction changed nothing: $one, Σ $sum"; fi

# clear: the year's corrections said; the paid figures are the latest entries
fen_yuan() { awk -v s="$1" 'BEGIN{v=s<0?-s:s; printf "%s%d.%02d\n", s<0?"-":"", int(v/100), v%100}' |
             sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\([,.]\)/\1,\2\3/' -e 'ta'; }
"$BIN" clear --config "$D/year.cfg" --year 2025 --partial > "$D/clear.out" 2>&1 || { echo "FAIL: clear"; cat "$D/clear.out"; exit 1; }
has "clear: the corrections line" "$(cat "$D/clear.out")" \
    "corrections (更正记录) 2 month re-run(s) in /revisions, Σ differences $(fen_yuan "$sum") yuan: assumed paid"
gsum=$(h5cols "$L" /clearing gross_fen | awk '{s += $1} END {printf "%d\n", s}')
msum=$(h5cols "$L" /months gross_fen | awk '{s += $1} END {printf "%d\n", s}')
eq "clear: pre-paid gross = the latest /months entries" "$gsum" "$msum"
eq "clear keeps /revisions" "$(h5rows "$L" /revisions)" "$(cat "$D/rev2.txt")"
sed "s|ledger-2025\.h5|ledger-norev.h5|" "$D/year.cfg" > "$D/norev.cfg"
"$BIN" clear --config "$D/norev.cfg" --year 2025 --partial > "$D/clear0.out" 2>&1 || { echo "FAIL: clear without /revisions"; cat "$D/clear0.out"; exit 1; }
eq "clear of a ledger without /revisions: no corrections line" "$(grep -c 更正记录 "$D/clear0.out")" 0

# export: the two tables, Chinese headers
"$BIN" export "$L" --csv "$D/csv" --quiet || { echo "FAIL: export --csv"; exit 1; }
eq "export: revisions.csv rows = /revisions" "$(($(wc -l < "$D/csv/revisions.csv") - 1))" 2
eq "export: revision_institutions.csv rows = /revision_institutions" \
    "$(($(wc -l < "$D/csv/revision_institutions.csv") - 1))" "$(h5rows "$L" /revision_institutions | wc -l)"
head=$(head -1 "$D/csv/revisions.csv")
for w in 月份 更正次数 原拨付 新拨付 差额 原输入文件 新结算时间; do has "export: revisions.csv header" "$head" "$w"; done
"$BIN" export "$D/out/ledger-norev.h5" --csv "$D/csv0" --quiet || { echo "FAIL: export without /revisions"; exit 1; }
[ ! -e "$D/csv0/revisions.csv" ] && ok "export of a ledger without /revisions: no such file" || bad "export without /revisions wrote revisions.csv"
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
    "$BIN" export "$L" --xlsx "$D/l.xlsx" --quiet || { echo "FAIL: export --xlsx"; exit 1; }
    eq "export: the workbook's revisions sheets (headers, differences in yuan)" "$(/usr/bin/python3 - "$L" "$D/l.xlsx" <<'PY'
import sys, h5py, openpyxl
f = h5py.File(sys.argv[1], 'r'); wb = openpyxl.load_workbook(sys.argv[2])
out = []
for t, heads in (('revisions', ['月份', '更正次数', '原拨付', '新拨付', '差额']),
                 ('revision_institutions', ['月份', '更正次数', '机构编码', '原拨付', '新拨付', '差额'])):
    if t not in wb.sheetnames: out.append('no sheet ' + t); continue
    rows = list(wb[t].iter_rows(values_only=True))
    for h in heads:
        if not any(h in (c or '') for c in rows[0]): out.append('%s: no header %s' % (t, h))
    k = [i for i, c in enumerate(rows[0]) if '差额' in (c or '')][0]
    got = [round(r[k] * 100) for r in rows[1:]]
    want = [int(v) for v in f[t]['difference_fen']]
    if got != want: out.append('%s: differences %r, want %r' % (t, got, want))
print('\n'.join(out) if out else 'ok')
PY
)" ok
else
    echo "skip: workbook check (no openpyxl)"
fi

[ $fails -eq 0 ] || { echo "revisions: $fails FAILED:$failed"; exit 1; }
echo "revisions: all passed"
