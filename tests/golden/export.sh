#!/bin/sh
# export.sh - casemix export: the demo region's settlement (DIP and DRG) as a
# workbook and as CSV files, read back with Python (openpyxl, csv) and
# compared with the HDF5 file read by h5py: the sheets and their frozen
# header row, the header titles (member → meaning 中文), the cell types
# (money in yuan as numbers with #,##0.00, codes and ids as text, enums as
# their names), every money cell × 100 = the fen of the file exactly,
# Σ institutions' payments = /summary payments_fen, row counts = the
# datasets; /cases split over sheets; ids that Excel would turn into numbers
# (00123, 01.0) stay text; CSV: BOM, the same columns and totals (exact
# decimals). A scenario's or region's one-record summary (NAME_sum) one member
# a row (member, meaning, Chinese label, value, unit), each value the HDF5's;
# its CSV the one-row table. Outputs never replace a file casemix did not write.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
$PY -c 'import openpyxl, h5py' 2>/dev/null || { echo "skip: /usr/bin/python3 lacks openpyxl or h5py (make deps-test)"; exit 77; }
D=$(pwd)/$TMP/export
rm -rf "$D"; mkdir -p "$D"
sed -e "s|\.\./build/demo/|$D/|g" -e "s|\"demo/|\"$(pwd)/config/demo/|g" config/demo.cfg > "$D/demo.cfg"
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet --cases 4000 --history-cases 4000 --fees
"$BIN" settle --config "$D/demo.cfg" --out "$D/demo.h5" --quiet
# the small region, with ids Excel would read as a number or a date
S="$D/small"; mkdir -p "$S"
cp tests/golden/small/*.csv "$S/"; cp -r tests/golden/small/drg "$S/" 2>/dev/null || true
sed -e 's/^C1,P1,H1,/00123,P1,01.0,/' -e 's/^C2,P2,H1,/2025-01-02,P2,01.0,/' tests/golden/small/input.csv > "$S/input.csv"
cp tests/golden/small/small.cfg "$S/small.cfg"
"$BIN" settle --config "$S/small.cfg" --out "$S/small.h5" --quiet

CASEMIX_TEST_EXPORT_SHEET_ROWS=600 "$BIN" export "$D/demo.h5" --xlsx "$D/demo.xlsx" --quiet \
    --tables summary,institutions,groups,drgs,rejects,quality,rules,flags,review_sample,cases
"$BIN" export "$D/demo.h5" --csv "$D/csv" --quiet --tables summary,institutions,groups,drgs,rejects,quality,rules,flags,review_sample,cases
"$BIN" export "$S/small.h5" --xlsx "$S/small.xlsx" --csv "$S/csv" --tables institutions,cases --quiet

$PY - "$D/demo.h5" "$D/demo.xlsx" "$D/csv" "$S/small.h5" "$S/small.xlsx" "$S/csv" <<'PYEOF'
import csv, sys, re, h5py, openpyxl
from decimal import Decimal
h5, xl, cdir, sh5, sxl, scdir = sys.argv[1:]
fails = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else "  " + str(detail)))
    if not cond: fails.append(what)

def kinds(ds):
    """member -> 'money' | 'text' | 'enum' | 'num'"""
    out = {}
    for n in ds.dtype.names:
        t = ds.dtype[n]
        if h5py.check_enum_dtype(t) is not None: out[n] = ('enum', set(h5py.check_enum_dtype(t)))
        elif t.kind == 'S': out[n] = ('text', None)
        elif n.endswith('_fen'): out[n] = ('money', None)
        elif n.endswith('_e4') and t.kind in 'iu': out[n] = ('e4', None)   # 1e-4 units: the workbook divides, the CSV keeps them
        elif n == 'type' and ds.name == '/groups': out[n] = ('enum', {'comprehensive', 'core', 'blank'})
        else: out[n] = ('num', None)
    return out

def sheets_of(wb, table):
    return [ws for ws in wb if ws.title == table or re.fullmatch(table + r'_\d+', ws.title)]

def check_workbook(h5path, xlpath, tables, split={}):
    f = h5py.File(h5path, 'r')
    wb = openpyxl.load_workbook(xlpath)
    want_titles = []
    for t in tables:
        if t in split and 'split_sheets' not in want_titles: want_titles.append('split_sheets')   # before the first part
        want_titles += [f'{t}_{i}' for i in range(1, split[t] + 1)] if t in split else [t]
        if t == 'review_sample' and 'sample_seed' in f[t].attrs: want_titles.append('sample_settings')   # what drew it
    check(f'{xlpath}: sheets {want_titles}', wb.sheetnames == want_titles, wb.sheetnames)
    for t in tables:
        ds = f[t]; data = ds[:]; k = kinds(ds)
        sheets = sheets_of(wb, t)
        header = [c.value for c in sheets[0][1]]
        # the names column beside the id
        names_ds = {'institutions': 'institution_names', 'groups': 'group_names', 'drgs': 'drg_names', 'rules': 'rule_names'}.get(t)
        cols = list(ds.dtype.names)
        if names_ds and names_ds in f:
            key = {'institutions': 'institution_id', 'groups': 'code', 'drgs': 'code', 'rules': 'name'}[t]
            cols.insert(cols.index(key) + 1, '#names')
        # the flags sheet: the case's institution (and name), the rule's names (computed here from /cases, /rules)
        added = {}
        if t == 'flags' and len(data):
            cs = f['cases'][:]
            inst = dict(zip(cs['line'].tolist(), [x.rstrip(b'\0').decode() for x in cs['institution_id']]))
            added['#inst'] = ('institution 机构 (from /cases)', lambda d: inst[int(d['line'])])
            cols.insert(cols.index('case_id') + 1, '#inst')
            if 'institution_names' in f:
                nm = dict(zip([x.decode() for x in f['institutions']['institution_id']], [x.decode() for x in f['institution_names'][:]]))
                added['#iname'] = ('institution name 机构名称 (from /institution_names)', lambda d: nm[inst[int(d['line'])]])
                cols.insert(cols.index('#inst') + 1, '#iname')
            ru = f['rules'][:]
            en = dict(zip([x.decode() for x in ru['id']], [x.decode() for x in ru['name']]))
            zh = dict(zip([x.decode() for x in ru['id']], [x.decode() for x in f['rule_names'][:]]))
            added['#rname'] = ('rule name 规则名称 (from /rules)', lambda d: en[d['rule'].decode()])
            added['#rzh'] = ('rule name, Chinese 规则中文名称 (from /rule_names)', lambda d: zh[d['rule'].decode()])
            un = dict(zip([x.decode() for x in ru['id']], [x.decode() for x in ru['unit']]))
            added['#runit'] = ('unit of figure and threshold 指标值与阈值的单位 (from /rules)', lambda d: un[d['rule'].decode()])
            cols[cols.index('rule') + 1:cols.index('rule') + 1] = ['#rname', '#rzh', '#runit']
        check(f'{t}: {len(cols)} columns', len(header) == len(cols), header)
        for h, c in zip(header, cols):
            if c == '#names': check(f'{t}: names column titled in Chinese', '名称' in h, h); continue
            if c in added: check(f'{t}: column {c} titled "{added[c][0]}"', h == added[c][0], h); continue
            ok = h.startswith(c + ' → ') and re.search(r'[\u4e00-\u9fff]', h) is not None
            if k[c][0] == 'money': ok = ok and '(yuan)' in h
            if k[c][0] == 'e4':   # "total_score_e4 → total score (points; total_score_e4 ÷ 10^4) 总分值"
                ok = ok and f'({"points; " if "score" in c or "points" in c else ""}{c} ÷ 10^4) ' in h and '10^4 ' not in h.split('÷ 10^4')[1]
            check(f'{t}.{c}: header "{h}"', ok, h)
        rows = []
        for ws in sheets:
            check(f'{ws.title}: header row frozen', ws.freeze_panes == 'A2', ws.freeze_panes)
            rows += list(ws.iter_rows(min_row=2, values_only=True))
        check(f'{t}: {len(rows)} rows = {len(data)} of /{t}', len(rows) == len(data), (len(rows), len(data)))
        bad = []
        for i, (r, d) in enumerate(zip(rows, data)):
            for j, c in enumerate(cols):
                v = r[j]
                if c == '#names':
                    if not isinstance(v, str) or v != f[names_ds][i].decode(): bad.append((i, c, v))
                    continue
                if c in added:
                    if v != added[c][1](d): bad.append((i, c, v, added[c][1](d)))
                    continue
                kind, vals = k[c]; dv = d[c]
                if kind == 'money':
                    if not isinstance(v, (int, float)) or isinstance(v, bool) or round(v * 100) != int(dv): bad.append((i, c, v, int(dv)))
                elif kind == 'e4':   # divided by 10^4: exact, since |v| < 2^53 (the nearest double of v / 10^4)
                    if not isinstance(v, (int, float)) or isinstance(v, bool) or v != int(dv) / 10**4: bad.append((i, c, v, int(dv)))
                elif kind == 'text':
                    want = dv.rstrip(b'\0').decode()   # an empty string is an empty cell
                    if not (isinstance(v, str) and v == want) and not (v is None and want == ''): bad.append((i, c, v, dv))
                elif kind == 'enum':   # the English name, then the Chinese beside it ("fail 不达标")
                    if not isinstance(v, str) or v.split(' ')[0] not in vals or not re.fullmatch(r'\S+( [\u4e00-\u9fff]\S*)?', v): bad.append((i, c, v))
                    elif c in ('rating', 'result', 'family', 'outlier', 'reason', 'type', 'drg_status') and not re.search(r'[\u4e00-\u9fff]', v): bad.append((i, c, v, 'no Chinese'))
                elif v is None and float(dv) != float(dv):
                    pass   # NaN (none, not evaluated) is an empty cell
                else:
                    if not isinstance(v, (int, float)) or abs(v - float(dv)) > 1e-9 * max(1, abs(float(dv))): bad.append((i, c, v, dv))
        check(f'{t}: every cell of its type (money numbers = fen/100, text text, enums names)', not bad, bad[:5])
        for ws in sheets[:1]:
            for j, c in enumerate(cols):
                if c != '#names' and c not in added and k[c][0] == 'money' and ws.max_row > 1:
                    fmt = ws.cell(row=2, column=j + 1).number_format
                    check(f'{t}.{c}: number format #,##0.00', fmt == '#,##0.00', fmt)
                if c != '#names' and c not in added and k[c][0] == 'e4' and ws.max_row > 1:
                    fmt = ws.cell(row=2, column=j + 1).number_format
                    want = '#,##0.00' if 'score' in c or 'points' in c else '0.0000'
                    check(f'{t}.{c}: ÷ 10^4, number format {want}', fmt == want, fmt)
        if t == 'institutions':
            for pay, tot in (('payment_fen', 'payments_fen'), ('drg_payment_fen', 'drg_payments_fen')):
                if pay not in cols: continue
                j = cols.index(pay)
                s = sum(round(r[j] * 100) for r in rows)
                want = int(f['summary'][0][tot])
                check(f'Σ institutions {pay} in yuan × 100 = /summary {tot} ({want})', s == want, s)
    return f, wb

def check_csv(h5path, d, tables):
    f = h5py.File(h5path, 'r')
    for t in tables:
        raw = open(f'{d}/{t}.csv', 'rb').read()
        check(f'{t}.csv: UTF-8 with BOM', raw.startswith(b'\xef\xbb\xbf'))
        rows = list(csv.reader(raw.decode('utf-8-sig').splitlines()))
        ds = f[t]; k = kinds(ds)
        check(f'{t}.csv: {len(rows) - 1} rows = /{t}', len(rows) - 1 == len(ds), len(rows))
        head = rows[0]
        for c in ds.dtype.names:
            hs = [h for h in head if h.startswith(c + ' → ')]
            check(f'{t}.csv: column {c}', len(hs) == 1, head)
            if not hs: continue
            j = head.index(hs[0])
            if k[c][0] == 'money':
                bad = [r[j] for r, dv in zip(rows[1:], ds[c]) if not re.fullmatch(r'-?\d+\.\d\d', r[j]) or int(Decimal(r[j]) * 100) != int(dv)]
                check(f'{t}.csv {c}: yuan with 2 decimals = fen / 100 exactly', not bad, bad[:5])
            if k[c][0] == 'e4':   # the CSV keeps the stored integers (it mirrors the HDF5 table)
                bad = [r[j] for r, dv in zip(rows[1:], ds[c]) if r[j] != str(int(dv))]
                check(f'{t}.csv {c}: the stored integer, not divided', not bad and '× 10^4' in hs[0], (bad[:5], hs[0]))
            if k[c][0] == 'text':
                bad = [r[j] for r, dv in zip(rows[1:], ds[c]) if r[j] != dv.rstrip(b'\0').decode()]
                check(f'{t}.csv {c}: text as in the file', not bad, bad[:5])
        if t == 'institutions':
            j = [i for i, h in enumerate(head) if h.startswith('payment_fen → ')][0]
            s = sum(Decimal(r[j]) for r in rows[1:]) * 100
            check('institutions.csv: Σ payment × 100 = /summary payments_fen', s == int(f['summary'][0]['payments_fen']), s)

T = ['summary', 'institutions', 'groups', 'drgs', 'rejects', 'quality', 'rules', 'flags', 'review_sample', 'cases']
PER = 600   # CASEMIX_TEST_EXPORT_SHEET_ROWS above
nrows = {t: len(h5py.File(h5)[t]) for t in ('flags', 'cases')}
f, wb = check_workbook(h5, xl, T, split={t: -(-n // PER) for t, n in nrows.items()})
check('demo: /cases and /flags split over more than one sheet', len(sheets_of(wb, 'cases')) > 2 and len(sheets_of(wb, 'flags')) == 2)
check('demo: /summary has *_e4 members (the workbook divides them)', sum(x.endswith('_e4') for x in f['summary'].dtype.names) == 2)
# split_sheets (分表说明): one row per part (table, sheet, part k of n, the table's first and last row, rows),
# computed here from the row counts; the note in English and Chinese; each part's A1 comment names it
ss = list(wb['split_sheets'].iter_rows(values_only=True))
want = [(f'/{t}', f'{t}_{k}', f'{k} of {-(-n // PER)}', (k - 1) * PER + 1, min(k * PER, n), min(k * PER, n) - (k - 1) * PER)
        for t, n in nrows.items() for k in range(1, -(-n // PER) + 1)]
check('split_sheets: a row per part with the table rows it holds', [tuple(r) for r in ss[1:1 + len(want)]] == want, ss[:4])
check('split_sheets: the parts cover every row once', all(sum(w[5] for w in want if w[0] == f'/{t}') == n for t, n in nrows.items()))
notes = ' '.join(str(r[0]) for r in ss[1 + len(want):] if r[0])
check('split_sheets: says why and how the parts go together (English, Chinese, the lowered limit)',
      'Excel holds 1,048,576 rows a sheet' in notes and 'every row of the table once' in notes and '合起来即为全表' in notes
      and '600 data rows a sheet, lowered by CASEMIX_TEST_EXPORT_SHEET_ROWS' in notes, notes)
bad = [(w[1], wb[w[1]]['A1'].comment and wb[w[1]]['A1'].comment.text) for w in want
       if not (wb[w[1]]['A1'].comment and wb[w[1]]['A1'].comment.text.startswith(f'part {w[2]} of {w[0]}: its rows {w[3]:,} to {w[4]:,}'))]
check('each part: its A1 comment names the part and its rows', not bad, bad[:3])
check('the sheets not split: no comment', wb['summary']['A1'].comment is None)
check_csv(h5, cdir, T)
# ids Excel would turn into numbers or dates stay text
sf, swb = check_workbook(sh5, sxl, ['institutions', 'cases'])
ids = [r[1] for r in swb['cases'].iter_rows(min_row=2, values_only=True)]
insts = [r[0] for r in swb['institutions'].iter_rows(min_row=2, values_only=True)]
check("case id '00123' and '2025-01-02' are text", '00123' in ids and '2025-01-02' in ids, ids)
check("institution id '01.0' is text", '01.0' in insts, insts)
codes = [r[0] for r in wb['groups'].iter_rows(min_row=2, values_only=True)]
check("group codes such as K35.8 are text", all(isinstance(c, str) for c in codes) and any(re.fullmatch(r'[A-Z]\d\d\.\d+', c) for c in codes), codes[:5])
check_csv(sh5, scdir, ['institutions', 'cases'])
scsv = open(f'{scdir}/cases.csv', encoding='utf-8-sig').read()
check("cases.csv keeps 00123 and 01.0 as written", ',00123,01.0,' in scsv, scsv[:300])
sys.exit(1 if fails else 0)
PYEOF

# the default tables: all present but /cases
"$BIN" export "$D/demo.h5" --xlsx "$D/default.xlsx" --quiet
expect "default sheets" "$($PY -c "import openpyxl,sys; print(' '.join(openpyxl.load_workbook(sys.argv[1], read_only=True).sheetnames))" "$D/default.xlsx")" \
    "summary institutions groups drgs rejects quality indicators rules flags review_sample sample_settings"
# every sheet written row by row (libxlsxwriter's constant_memory: each string inline in its cell, no
# shared-string table held in memory), so a 10M-case file's flags sheet does not hold its cells in memory
expect "default workbook: strings inline, no shared-string table" "$($PY -c "
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); n = z.namelist()
sh = [x for x in n if x.startswith('xl/worksheets/sheet')]
print('xl/sharedStrings.xml' in n, len(sh), all(b't=\"inlineStr\"' in z.read(x) for x in sh))" "$D/default.xlsx")" "False 11 True"
# the supervision tables and a simulation's /scenarios/NAME/* (real outputs of settle and simulate):
# sheets (names <= 31 characters, unique), types, totals equal to the HDF5 file's
"$BIN" simulate --config "$D/demo.cfg" \
    --out "$D/sim.h5" --quiet
"$BIN" export "$D/sim.h5" --xlsx "$D/sim.xlsx" --csv "$D/simcsv" --quiet
# a generated two-region province (/regions/CODE/summary: the sheets CODE_sum)
P="$D/prov"; mkdir -p "$P"
cat > "$P/gen.cfg" <<CFG
region = "410000"; period = "2025Q1";
dip = { catalogue = "$(pwd)/config/demo/catalogue.csv"; group_stats = "$(pwd)/config/demo/group_stats.csv";
        proc_attributes = "$(pwd)/config/demo/proc_attributes.csv"; icd10 = "$(pwd)/config/demo/icd10.csv"; };
generator = { cases = 600; seed = 7; institutions = 12; };
CFG
"$BIN" gen --config "$P/gen.cfg" --regions 2 --out "$P/gen" --quiet
"$BIN" settle --config "$P/gen/province.cfg" --out "$P/province.h5" --quiet
"$BIN" export "$P/province.h5" --xlsx "$P/province.xlsx" --csv "$P/csv" --quiet
$PY - "$D/demo.h5" "$D/default.xlsx" "$D/sim.h5" "$D/sim.xlsx" "$D/simcsv" "$P/province.h5" "$P/province.xlsx" "$P/csv" <<'PYEOF'
import sys, re, csv, h5py, openpyxl
from decimal import Decimal
h5, xl, sh5, sxl, scdir, ph5, pxl, pcdir = sys.argv[1:]
fails = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else "  " + str(detail)))
    if not cond: fails.append(what)
def sheet_vs(ds, ws, label):
    """every cell against the dataset: money (int *_fen) = fen / 100 as a number, float *_fen / 100,
    text as text, enums their names, numbers equal; returns the rows"""
    rows = list(ws.iter_rows(values_only=True))
    head = [h.split(' → ')[0] for h in rows[0]]
    check(f'{label}: {len(rows) - 1} rows = {ds.name}', len(rows) - 1 == len(ds), len(rows))
    check(f'{label}: header row frozen', ws.freeze_panes == 'A2', ws.freeze_panes)
    names = ds.dtype.names
    check(f'{label}: every member a column, with a title (member → meaning)', all(n in head for n in names) and
          all(' → ' in h for h, n in zip(rows[0], head) if n in names), (head, names))
    bad = []
    data = ds[:]
    for n in names:
        j = head.index(n) if n in head else None
        if j is None: continue
        t = ds.dtype[n]
        en = h5py.check_enum_dtype(t)
        for i, r in enumerate(rows[1:]):
            v, dv = r[j], data[i][n]
            if en is not None:   # the English name, the Chinese beside it when casemix has one
                want = {x: k for k, x in en.items()}[int(dv)]
                if not isinstance(v, str) or v.split(' ')[0] != want or (n in ('rating', 'result', 'family', 'reason') and
                        not re.search(r'[\u4e00-\u9fff]', v)): bad.append((n, i, v, want))
            elif t.kind == 'S':
                want = dv.decode()
                if (v or '') != want or (want and not isinstance(v, str)): bad.append((n, i, v, want))
            elif n.endswith('_fen') and t.kind == 'i':
                if not isinstance(v, (int, float)) or round(v * 100) != int(dv): bad.append((n, i, v, dv))
            elif n.endswith('_fen') and t.kind == 'f':
                if dv == dv and (not isinstance(v, (int, float)) or abs(v * 100 - dv) > 1e-6 * max(1, abs(dv))): bad.append((n, i, v, dv))
            elif t.kind == 'f':
                if dv == dv and (not isinstance(v, (int, float)) or abs(v - dv) > 1e-9 * max(1, abs(dv))): bad.append((n, i, v, dv))
            else:
                if v != int(dv): bad.append((n, i, v, dv))
    check(f'{label}: every cell of its type and value (money in yuan, codes text, enums names)', not bad, bad[:4])
    return head, rows
CJK = re.compile(r'[\u4e00-\u9fff]')
def items_vs(ds, ws, label):
    """a one-record summary written one member a row (member, meaning, 中文, value, unit): against the
    dataset read here; money = fen / 100, *_e4 = the integer / 10^4, other numbers equal"""
    rows = list(ws.iter_rows(values_only=True))
    names = ds.dtype.names
    check(f'{label}: {ds.name} is one record of {len(names)} members', len(ds) == 1 and len(names) > 20, len(ds))
    check(f'{label}: five columns (member, meaning, Chinese label, value, unit), a row per member', ws.max_column == 5 and
          len(rows) == len(names) + 1, (ws.max_column, len(rows)))
    check(f'{label}: header names the dataset, every header cell with its Chinese', rows[0][0].startswith('member ') and
          ds.name in rows[0][0] and all(CJK.search(h) for h in rows[0]), rows[0])
    check(f'{label}: header row frozen', ws.freeze_panes == 'A2', ws.freeze_panes)
    check(f'{label}: the members in the file\'s order', tuple(r[0] for r in rows[1:]) == names, [r[0] for r in rows[1:4]])
    bad, rec = [], ds[0]
    for r in rows[1:]:
        n, en, zh, v, unit = r
        if n not in names: continue
        t, dv = ds.dtype[n], rec[n]
        if not en or CJK.search(en) or not zh or not CJK.search(zh): bad.append((n, 'labels', en, zh))
        if n.endswith('_fen') and t.kind == 'i':
            ok = isinstance(v, (int, float)) and round(v * 100) == int(dv) and unit == 'yuan 元'
        elif n.endswith('_e4') and t.kind in 'iu':
            ok = isinstance(v, (int, float)) and abs(v * 10000 - int(dv)) <= 1e-6 * max(1, abs(int(dv))) and '× 10^4' not in en
        elif t.kind == 'f':
            ok = isinstance(v, (int, float)) and abs(v - float(dv)) <= 1e-12 * max(1, abs(float(dv)))
        else:
            ok = v == int(dv)
        if n.endswith('_pct'): ok = ok and unit.startswith('%')
        if 'point_value' in n: ok = ok and unit.startswith('yuan per point')
        if n.startswith('diff_') and n.endswith('_fen'): ok = ok and en.startswith('change: ') and zh.startswith('变化')
        if not ok: bad.append((n, v, dv, unit))
    check(f'{label}: every member\'s value = the HDF5 value (yuan, ÷ 10^4), labels in English and Chinese, unit', not bad, bad[:4])
def csv_record(ds, path, label):
    """the CSV keeps the table layout: a header of every member, one data row"""
    rows = list(csv.reader(open(path, encoding='utf-8-sig')))
    check(f'{label}: CSV unchanged, one header row of the members and one data row', len(rows) == 2 and
          [h.split(' → ')[0] for h in rows[0]] == list(ds.dtype.names), rows[0][:3])
f = h5py.File(h5, 'r'); wb = openpyxl.load_workbook(xl)
for t in ('rules', 'flags', 'review_sample'):
    check(f'sheet {t}', t in wb.sheetnames, wb.sheetnames)
    if t in wb.sheetnames: sheet_vs(f[t], wb[t], t)
head, rows = sheet_vs(f['rules'], wb['rules'], 'rules')
hits = [r[head.index('hits')] for r in rows[1:]]
check('rules: Σ hits of evaluated rules = /flags rows', sum(h for h in hits if h > 0) == len(f['flags']), (sum(hits), len(f['flags'])))
s = h5py.File(sh5, 'r'); sw = openpyxl.load_workbook(sxl)
names = s['scenarios'].attrs['names']   # the configuration's order, as simulate prints them
names = (names.decode() if isinstance(names, bytes) else str(names)).split(',')
check('simulation: /scenarios names = its groups', sorted(names) == sorted(s['scenarios'].keys()), names)
want = ['scenarios'] + [f'{n}_{a}' for n in names for a in ('sum', 'meas', 'inst', 'grp')]
check(f'simulation sheets: the scenarios\' definitions, then NAME_sum/meas/inst/grp of {names}', sw.sheetnames == want, sw.sheetnames)
# the definitions sheet: every attribute of every /scenarios/NAME, in the configuration's order, its value as in the file
drows = list(sw['scenarios'].iter_rows(values_only=True))
wantd = []
for n in names:
    for a in sorted(s['scenarios'][n].attrs.keys()):
        v = s['scenarios'][n].attrs[a]
        v = v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, 'item') else v)
        wantd.append((n, a, v))
gotd = [(r[0], r[1], r[3]) for r in drows[1:]]
check(f'scenarios sheet: one row per attribute of /scenarios/NAME ({len(wantd)}), values as in the file', gotd == wantd,
      [(g, w) for g, w in zip(gotd, wantd) if g != w][:3] or (len(gotd), len(wantd)))
check('scenarios sheet: the policy and the multipliers explained in Chinese',
      all(r[2] and re.search(r'[\u4e00-\u9fff]', r[2]) for r in drows[1:] if r[1] in ('policy', 'multipliers')), drows[:3])
check('sheet names: at most 31 characters, unique (case-insensitive)', all(len(x) <= 31 for x in sw.sheetnames) and
      len({x.lower() for x in sw.sheetnames}) == len(sw.sheetnames))
for n in names:
    items_vs(s[f'scenarios/{n}/summary'], sw[f'{n}_sum'], f'{n}_sum')
    csv_record(s[f'scenarios/{n}/summary'], f'{scdir}/{n}_sum.csv', f'{n}_sum.csv')
    for a, tb in (('meas', 'measurement'), ('inst', 'institutions'), ('grp', 'groups')):
        sheet_vs(s[f'scenarios/{n}/{tb}'], sw[f'{n}_{a}'], f'{n}_{a}')
    # totals: the measurement's region row = its categories' sum; institutions' payments = the summary's
    head, rows = sheet_vs(s[f'scenarios/{n}/measurement'], sw[f'{n}_meas'], f'{n}_meas')
    sc, net = head.index('scope'), head.index('net_fen')
    reg = [r for r in rows[1:] if r[sc] == 'region'][0][net]
    cat = sum(round(r[net] * 100) for r in rows[1:] if r[sc] == 'category')
    check(f'{n}: measurement region net (yuan) x 100 = Σ categories = /summary diff_total_cost_fen', round(reg * 100) == cat ==
          int(s[f'scenarios/{n}/summary'][0]['diff_total_cost_fen']), (reg, cat))
    head, rows = sheet_vs(s[f'scenarios/{n}/institutions'], sw[f'{n}_inst'], f'{n}_inst')
    for m in ('dip_payment_fen', 'drg_payment_fen'):
        tot = sum(round(r[head.index(m)] * 100) for r in rows[1:])
        check(f'{n}: Σ institutions {m} (yuan x 100) = /summary {m}', tot == int(s[f'scenarios/{n}/summary'][0][m]), tot)
    raw = open(f'{scdir}/{n}_meas.csv', 'rb').read()
    check(f'{n}_meas.csv: BOM, one row per measurement row', raw.startswith(b'\xef\xbb\xbf') and
          len(raw.decode('utf-8-sig').splitlines()) == len(s[f'scenarios/{n}/measurement']) + 1)
# a province: each region's summary likewise (CODE_sum), the province summary (a row per region) a table
p = h5py.File(ph5, 'r'); pw = openpyxl.load_workbook(pxl)
codes = sorted(p['regions'].keys())
check(f'province: {len(codes)} regions, a CODE_sum sheet each', len(codes) == 2 and all(f'{c}_sum' in pw.sheetnames for c in codes),
      pw.sheetnames)
for c in codes:
    items_vs(p[f'regions/{c}/summary'], pw[f'{c}_sum'], f'{c}_sum')
    csv_record(p[f'regions/{c}/summary'], f'{pcdir}/{c}_sum.csv', f'{c}_sum.csv')
check('province_summary: still a table, a row per region and the total', pw['province_summary'].max_row == len(p['province_summary']) + 1,
      pw['province_summary'].max_row)
for label, w in (('default', wb), ('simulation', sw)):
    left = [(ws.title, c.value) for ws in w for c in next(ws.iter_rows(max_row=1)) if c.value and '10^4' in c.value and '÷ 10^4' not in c.value]
    check(f'{label} workbook: no header left "× 10^4" (every *_e4 divided)', not left, left[:3])
sys.exit(1 if fails else 0)
PYEOF
# a re-export replaces casemix's own workbook and CSV files
"$BIN" export "$D/demo.h5" --xlsx "$D/default.xlsx" --csv "$D/csv" --quiet; expect "re-export over its own files" "$?" 0
# never replace a file casemix did not write; a file that is not a settlement is refused
echo "my own notes" > "$D/mine.xlsx"
set +e
"$BIN" export "$D/demo.h5" --xlsx "$D/mine.xlsx" 2> "$D/err.txt"; rc=$?
set -e
expect "export over another .xlsx: exit 5" "$rc" 5
expect "export over another .xlsx: left as it is" "$(cat "$D/mine.xlsx")" "my own notes"
grep -q "not a workbook casemix exported" "$D/err.txt" || { cat "$D/err.txt"; echo "FAIL: message"; exit 1; }
mkdir -p "$D/csv2"; echo "id,x" > "$D/csv2/institutions.csv"
set +e
"$BIN" export "$D/demo.h5" --csv "$D/csv2" 2> "$D/err.txt"; rc=$?
set -e
expect "export over another CSV: exit 5" "$rc" 5
expect "export over another CSV: left as it is, nothing else written" "$(cat "$D/csv2/institutions.csv"; ls "$D/csv2" | tr '\n' ' ')" "id,x
institutions.csv "
set +e
"$BIN" export "$D/demo.csv" --xlsx "$D/x.xlsx" 2> "$D/err.txt"; rc1=$?
"$BIN" export "$D/current.csv" --xlsx "$D/x.xlsx" 2> "$D/err.txt"; rc2=$?
"$BIN" export "$D/demo.h5" 2> /dev/null; rc3=$?
"$BIN" export "$D/demo.h5" --xlsx "$D/x.xlsx" --tables institutions,nope 2> /dev/null; rc4=$?
set -e
expect "missing input: exit 4; not HDF5: exit 4; no --xlsx/--csv: 2; unknown table: 2" "$rc1 $rc2 $rc3 $rc4" "4 4 2 2"
grep -q "is not an HDF5 file" "$D/err.txt" || { cat "$D/err.txt"; echo "FAIL: message"; exit 1; }
expect "nothing written on refusal" "$(ls "$D" | grep -c '^x.xlsx' || true)" 0
# one temporary file per sheet stays open (constant_memory): under a hard open-file limit too low
# for the sheets, exit 5 with a message that names the limit and what to do, and no workbook left;
# under a low soft limit alone export raises it to the hard one and succeeds
set +e
(ulimit -n 16; "$BIN" export "$D/demo.h5" --xlsx "$D/fd.xlsx" --quiet 2> "$D/fd.err"); rc1=$?
(ulimit -Sn 16; "$BIN" export "$D/demo.h5" --xlsx "$D/fd2.xlsx" --quiet 2> /dev/null); rc2=$?
set -e
expect "too many sheets for the open-file limit: exit 5; a low soft limit raised: 0" "$rc1 $rc2" "5 0"
grep -q "too many open files (.*the limit is 16): raise it with .ulimit -n." "$D/fd.err" || { cat "$D/fd.err"; echo "FAIL: fd message"; exit 1; }
expect "nothing left behind under the open-file limit" "$(ls "$D" | grep -c '^fd.xlsx' || true)" 0
