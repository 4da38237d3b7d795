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
#  casemix report                                      the corrections in the ledger section: every cell = the
#                                                      two tables (h5py), 补付 / 追回 by the sign, Σ differences;
#                                                      per institution at most 200 rows (250 planted: the export
#                                                      named); without /revisions one line "no month was run
#                                                      again"; every element closed, no id twice
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

# report: the corrections (更正记录) in the ledger section, every cell against /revisions and
# /revision_institutions read with h5py; Σ differences; the per-institution table capped at 200 rows
# (a copy with 250 planted rows), the export named for the rest; a ledger without /revisions: one line
"$BIN" report "$L" --out "$D/l.html" --quiet || { echo "FAIL: report"; exit 1; }
"$BIN" report "$D/out/ledger-norev.h5" --out "$D/l0.html" --quiet || { echo "FAIL: report without /revisions"; exit 1; }
/usr/bin/python3 - "$L" "$D/big.h5" <<'PY' || { echo "FAIL: plant 250 rows"; exit 1; }
import sys, shutil, h5py, numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
f = h5py.File(sys.argv[2], 'r+')
ri = f['revision_institutions'][:]
big = np.concatenate([ri] * (250 // len(ri) + 1))[:250].copy()
big['revision'] = np.arange(250) // len(ri) + 1
big['difference_fen'] = np.arange(250) * 7919 - 900000
del f['revision_institutions']
f.create_dataset('revision_institutions', data=big)
# names by month (/institution_names beside /institutions): the report names each row's institution in its month
ins = f['institutions'][:]
del f['institution_names']
f.create_dataset('institution_names', data=['医院%s 第%d月' % (r['institution_id'].decode()[-3:], r['month']) for r in ins],
                 dtype=h5py.string_dtype('utf-8'))
PY
"$BIN" report "$D/big.h5" --out "$D/big.html" --quiet || { echo "FAIL: report of 250 rows"; exit 1; }
if PYTHONPATH=tests/golden /usr/bin/python3 - "$L" "$D/l.html" "$D/l0.html" "$D/big.h5" "$D/big.html" > "$D/report.check" 2>&1 <<'PY'
import sys, h5py
from report_check import *
L, html, html0, big, bightml = sys.argv[1:]
c = Checker('ledger report')
f = h5py.File(L, 'r'); yr = str(int(f.attrs['year']))
rv, ri = f['revisions'][:], f['revision_institutions'][:]
text = open(html, encoding='utf-8').read()
t = structure(c, text, ['ledger'], ['fig-months', 'tab-months', 'tab-clearing', 'tab-revisions', 'tab-revision-institutions'])
c.check('no id twice in the ledger report', not well_formed(c, text))
c.check('the header names no scheme for a ledger (was "scheme 付费方式 -")', '付费方式' not in text.split('</header>')[0])
mon = lambda m: '%s-%02d' % (yr, int(m))
cnt = lambda v: '{:,}'.format(int(v))
way = lambda d: 'pay 补付' if d > 0 else 'recover 追回' if d < 0 else 'none 无'
def pv(got, want): return abs(float(got.replace(',', '')) - float(want)) <= 0.5e-6 * (1 + 1e-9)
g = grouped(t, 'tab-revisions')
c.check('revisions: two tables', len(g) == 2, len(g))
if len(g) == 2:
    c.check('revisions, paid: month, revision, paid then and now, difference, pay or recover',
            g[0]['members'] == ['month', 'revision', 'paid_old_fen', 'paid_new_fen', 'difference_fen', ''], g[0]['members'])
    for h, z in zip(g[0]['heads'], ['月份', '更正次数', '原拨付', '新拨付', '差额', '补付/追回']):
        c.check(f'revisions, paid: header {z}', z in h, h)
    want = [[mon(r['month']), cnt(r['revision']), yuan(r['paid_old_fen']), yuan(r['paid_new_fen']),
             yuan(r['difference_fen']), way(int(r['difference_fen']))] for r in rv]
    c.check(f'revisions, paid: every row = /revisions ({len(rv)}; yuan = fen / 100, 补付 > 0, 追回 < 0)', g[0]['rows'] == want, (g[0]['rows'], want))
    c.check('revisions: no total row (paid then summed over revisions means nothing)', g[0]['total'] is None and g[1]['total'] is None)
    c.check('revisions, the month: cases, gross, point value then and now',
            g[1]['members'] == ['month', 'revision', 'cases_old', 'cases_new', 'gross_old_fen', 'gross_new_fen',
                                'point_value_old', 'point_value_new'], g[1]['members'])
    bad = []
    for row, r in zip(g[1]['rows'], rv):
        w = [mon(r['month']), cnt(r['revision']), cnt(r['cases_old']), cnt(r['cases_new']), yuan(r['gross_old_fen']),
             yuan(r['gross_new_fen'])]
        if row[:6] != w or not pv(row[6], r['point_value_old']) or not pv(row[7], r['point_value_new']): bad.append((row, w))
    c.check('revisions, the month: every row = /revisions (point values to 6 decimals)', len(g[1]['rows']) == len(rv) and not bad, bad[:2])
tot = [n.alltext() for n in t.root.find_all('p', id='revisions-total')]
s = int(rv['difference_fen'].sum())
c.check('revisions: the count and Σ differences = Σ /revisions difference_fen', len(tot) == 1 and
        f'{len(rv)} month re-runs' in tot[0] and f'Σ differences 差额合计 {yuan(s)} yuan' in tot[0] and
        f'to pay 补付 {yuan(sum(int(d) for d in rv["difference_fen"] if d > 0))}' in tot[0] and
        f'to recover 追回 {yuan(-sum(int(d) for d in rv["difference_fen"] if d < 0))}' in tot[0], tot)
gi = grouped(t, 'tab-revision-institutions')
c.check('per institution: one table: month, revision, institution, paid then and now, difference, pay or recover',
        len(gi) == 1 and gi[0]['members'] == ['month', 'revision', 'institution_id', 'paid_old_fen', 'paid_new_fen',
                                               'difference_fen', ''], gi and gi[0]['members'])
want = [[mon(r['month']), cnt(r['revision']), r['institution_id'].decode(), yuan(r['paid_old_fen']),
         yuan(r['paid_new_fen']), yuan(r['difference_fen']), way(int(r['difference_fen']))] for r in ri]
c.check(f'per institution: every row = /revision_institutions ({len(ri)}), in its order', gi and gi[0]['rows'] == want,
        gi and (gi[0]['rows'][:2], want[:2]))
c.check('per institution: both ways in this ledger (补付 and 追回 rows)', any(r[-1] == 'pay 补付' for r in want) and any(r[-1] == 'recover 追回' for r in want))
c.check('per institution: not capped under 200 rows', 'first 200 of' not in text)
# the ledger without /revisions
t0 = open(html0, encoding='utf-8').read()
p0 = [n.alltext() for n in Tree(t0).root.find_all('p', id='revisions')]
c.check('without /revisions: one line, no month was run again', len(p0) == 1 and 'no month was run again' in p0[0], p0)
c.check('without /revisions: no corrections table', 'tab-revision' not in t0)
well_formed(c, t0, 'without /revisions: ')
# 250 rows planted: 200 shown, the rest named
b = h5py.File(big, 'r')['revision_institutions'][:]
tb = open(bightml, encoding='utf-8').read()
gb = grouped(Tree(tb), 'tab-revision-institutions')
c.check('250 rows: the first 200 shown, = the first 200 of the file', gb and len(gb[0]['rows']) == 200 and
        [r[6] for r in gb[0]['rows']] == [yuan(x) for x in b['difference_fen'][:200]], gb and len(gb[0]['rows']))
c.check('names: the name column after institution_id (/institution_names)', gb and gb[0]['members'][2:4] == ['institution_id', 'institution_names'],
        gb and gb[0]['members'])
nm = {(int(r['month']), r['institution_id'].decode()): '医院%s 第%d月' % (r['institution_id'].decode()[-3:], r['month'])
      for r in h5py.File(big, 'r')['institutions'][:]}
c.check('names: each row\'s name = /institution_names of its month and institution (computed here)',
        gb and [r[3] for r in gb[0]['rows']] == [nm.get((int(x['month']), x['institution_id'].decode()), '') for x in b[:200]],
        gb and [r[3] for r in gb[0]['rows']][:3])
c.check('250 rows: "first 200 of 250 rows", the full list in the export (sheet revision_institutions)',
        'first 200 of 250 rows; all of them: casemix export LEDGER --xlsx FILE (sheet revision_institutions)' in tb)
well_formed(c, tb, '250 rows: ')
sys.exit(1 if c.fails else 0)
PY
then ok "report: the corrections section against /revisions, /revision_institutions ($(grep -c '^ok' "$D/report.check") checks)"
else bad "report: the corrections section" "$(grep -v '^ok' "$D/report.check" | head -8)"; fi

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
