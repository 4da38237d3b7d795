#!/bin/sh
# report_real.sh - casemix report and export on REAL outputs of the other
# commands (nothing planted): a settlement with supervision (settle), the
# demo's scenarios (simulate: identity, reprice, reprice_neutral,
# reprice_items with its fee file) and a short settlement year (two months
# and clear). Each report's numbers are checked against h5py reads of the
# same file:
#   supervision  a bar per rule of /rules, labelled id + English (/rules.name)
#                + Chinese (/rule_names); its hits, or "not evaluated 未评估:
#                reason" (/rules.not_evaluated_because) for hits -1; flags per
#                institution = /flags joined with /cases by line, counted here;
#                the re-review sample's size and flagged / random split
#   indicators   a column per indicator with its English and Chinese name
#                (/indicator_names); the region's row = /indicators region_value
#   scenarios    every scenario of /scenarios; the DIP payment change per
#                institution = diff_dip_payment_fen; the measurement's region
#                and category rows = up/down/net/fund/patients in yuan
#   ledger       the months' estimate and forecast points, the /months and
#                /clearing tables (balance in yuan = balance_fen)
# and the ledger's workbook: sheets months, clearing, ...; Σ balance = the
# HDF5's.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
$PY -c 'import h5py, numpy, openpyxl' 2>/dev/null || { echo "SKIP: /usr/bin/python3 lacks h5py, numpy or openpyxl (make deps-test)"; exit 77; }
D=$(pwd)/$TMP/report_real
W=$(pwd)
rm -rf "$D"; mkdir -p "$D/out"
sed -e "s|\.\./build/demo/|$D/|g" -e "s|\"demo/|\"$W/config/demo/|g" config/demo.cfg > "$D/demo.cfg"
# one rule switched off: its bar reads "not evaluated" with the reason
printf 'supervision = {\n  rules = {\n    R13 = { enabled = false; };\n  };\n};\n' >> "$D/demo.cfg"
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet --cases 4000 --history-cases 4000 --fees
"$BIN" settle --config "$D/demo.cfg" --out "$D/set.h5" --quiet
"$BIN" simulate --config "$D/demo.cfg" --out "$D/sim.h5" --quiet
"$BIN" report "$D/set.h5" --quiet
"$BIN" report "$D/sim.h5" --quiet
"$BIN" export "$D/sim.h5" --xlsx "$D/sim.xlsx" --quiet
# a short settlement year: two months, then clear (as tests/golden/year.sh does for twelve)
year_setup "$D" 3000          # tests/golden/lib.inc: year.sh's year, smaller
year_months "$D/year.cfg" "$D" 01 02
"$BIN" clear --config "$D/year.cfg" --year 2025 --partial --quiet 2>/dev/null  # two months: a partial year (its WARNING)
L=$D/out/ledger-2025.h5
"$BIN" report "$L" --out "$D/ledger.html" --quiet
"$BIN" export "$L" --xlsx "$D/ledger.xlsx" --quiet
# a province (tests/province_gen.inc: ten generated regions in one export)
( D=$D/prov; . tests/province_gen.inc; "$BIN" settle --config "$D/province.cfg" --out "$D/province.h5" --quiet ) > /dev/null
"$BIN" report "$D/prov/province.h5" --quiet
"$BIN" export "$D/prov/province.h5" --xlsx "$D/province.xlsx" --quiet

PYTHONPATH=tests/golden $PY - "$D" <<'PYEOF'
import sys, re, h5py, numpy as np, openpyxl
from report_check import *
D = sys.argv[1]
c = Checker('real')
def count(n): return '{:,}'.format(int(n))

# --- the settlement with supervision
text = open(f'{D}/set.html', encoding='utf-8').read()
f = h5py.File(f'{D}/set.h5', 'r')
t = structure(c, text, ['summary', 'payments', 'supervision', 'indicators'],
              ['fig-summary', 'fig-payments-dip', 'fig-payments-drg', 'fig-cost-ratio', 'fig-price-structure', 'fig-cmi',
               'fig-flags-rule', 'fig-flags-inst', 'fig-review-sample', 'tab-rules', 'fig-rating', 'fig-rating-score', 'tab-rating-fail',
               'tab-indicators', 'tab-rejects', 'tab-quality'])
rl = f['rules'][:]
zh = [s.decode() if isinstance(s, bytes) else s for s in f['rule_names'][:]]
b = bars(svg_of(t, 'flags-rule'))
c.check(f'flags by rule: one bar per /rules row ({len(rl)})', len(b) == len(rl), len(b))
for (lab, val), r, z in zip(b, rl, zh):
    rid, en = r['id'].decode(), r['name'].decode()
    c.check(f'{rid}: label = id, English (/rules.name), Chinese (/rule_names)', lab == f'{rid} {en} {z}', (lab, en, z))
    if r['hits'] < 0 or not r['evaluated']:
        why = r['not_evaluated_because'].decode()
        c.check(f'{rid}: not evaluated, with the reason', val == 'not evaluated 未评估' + (': ' + why if why else ''), val)
    else:
        c.check(f'{rid}: hits {r["hits"]}', val == count(r['hits']), val)
# the labels are right-aligned at x: their room must hold a lower bound of their rendered width
# (11 px type: a CJK character 11 px, any other character at least 5 px), or the rule id is cut off
svg = svg_of(t, 'flags-rule')
labs = list(svg.find_all('text', cls='label'))
def min_px(s): return sum(11 if ord(ch) >= 0x1100 else 5 for ch in s)
c.check('flags by rule: every label fits left of the bars (R01 ... not cut)',
        labs and all(float(x.attrs['x']) >= min_px(x.alltext()) for x in labs),
        [(x.attrs['x'], min_px(x.alltext())) for x in labs][:2])
c.check('the demo has a rule not evaluated (R13, switched off) and rules with hits',
        any(r['hits'] < 0 for r in rl) and any(r['hits'] > 0 for r in rl), rl['hits'])
# flags per institution: /flags joined with /cases by line, counted here
cs = f['cases'][:]
inst_of = dict(zip(cs['line'].tolist(), [x.decode() for x in cs['institution_id']]))
cnt = {}
for ln in f['flags']['line'].tolist(): cnt[inst_of[ln]] = cnt.get(inst_of[ln], 0) + 1
ids = [x.decode() for x in f['institutions']['institution_id']]
order = sorted(range(len(ids)), key=lambda i: (-cnt.get(ids[i], 0), i))
want = [(ids[i], count(cnt[ids[i]])) for i in order if cnt.get(ids[i], 0) > 0][:60]
c.check('flags per institution = /flags joined with /cases by line, most first', bars(svg_of(t, 'flags-inst')) == want,
        (bars(svg_of(t, 'flags-inst'))[:3], want[:3]))
# the re-review sample
rs = f['review_sample']
en = {v: k for k, v in h5py.check_enum_dtype(rs.dtype['reason']).items()}
nfl = int(sum(1 for x in rs['reason'] if en[int(x)] == 'flagged'))
fig = list(t.root.find_all('figure', id='fig-review-sample'))[0]
cards = {n.find_all(cls='k').__next__().alltext(): n.find_all(cls='v').__next__().alltext() for n in fig.find_all(cls='card')}
c.check('sample size = /review_sample rows', cards.get('re-review sample 复审抽查 (cases)') == count(len(rs)), cards)
c.check('sample: flagged and random', cards.get('flagged 疑点病例') == count(nfl) and cards.get('random 随机') == count(len(rs) - nfl), cards)
c.check('sample: share of the cases, at least 8%', cards.get('share of the cases 占病例比例') == '%.2f%%' % (100 * len(rs) / f['summary'][0]['cases'])
        and len(rs) >= 0.08 * f['summary'][0]['cases'], cards)
# indicators: English and Chinese names, the region's row
names = [s.decode() if isinstance(s, bytes) else s for s in f['indicator_names'][:]]
tabs = list(list(t.root.find_all('figure', id='tab-indicators'))[0].find_all('table'))
heads = [th.alltext() for tb in tabs for th in list(tb.find_all('tr'))[0].find_all('th') if th.alltext() != 'institution 机构']
ind = f['indicators'][:]
codes = list(dict.fromkeys(x.decode() for x in ind['indicator']))
c.check(f'indicators: a column per indicator ({len(codes)}), in tables of at most 7', len(heads) == len(codes) and
        all(len(list(list(tb.find_all('tr'))[0].find_all('th'))) <= 8 for tb in tabs), (len(heads), len(codes)))
nm = {n.split(' | ')[0]: n.split(' | ')[1:] for n in names}
# a count and budget progress are never ranked: their heads say so (auditor.sh checks the workbook)
NEVER = {'cases': 'a count, not ranked 计数不排名', 'budget_progress': 'budget progress, not ranked 总额进度不排名',
         'budget_gap': 'budget progress, not ranked 总额进度不排名'}
c.check('indicators: each header = code + English + Chinese of /indicator_names (+ why a count or budget progress is not ranked)',
        all(h == code + ''.join(nm[code]) + NEVER.get(code, '') for h, code in zip(heads, codes)),
        [(h, code, nm.get(code)) for h, code in zip(heads, codes)][:3])
reg = [td.alltext() for tb in tabs for tr in tb.find_all('tr', cls='region') for td in list(tr.find_all('td'))[1:]]
first = {}
for r in ind:
    first.setdefault(r['indicator'].decode(), r['region_value'])
def fnum(v, k=''):   # counts as integers, the per-case cost in yuan to the fen, the rest to 3 decimals
    return '{:,.0f}'.format(v) if k == 'cases' else '{:,.2f}'.format(v) if k == 'cost_per_case' else '{:,.3f}'.format(v)
c.check('indicators: the region row = /indicators region_value', reg == [fnum(first[k], k) if first[k] == first[k] else '-' for k in codes],
        (reg[:4], [first[k] for k in codes][:4]))
# the region's /indicators rows (institution_id "") are the region row only, never a row without a label
labels = [list(tr.find_all('td'))[0].alltext() for tb in tabs for tr in list(tb.find_all('tr'))[1:] if tr.attrs.get('class') != 'region']
ninst = len(f['institutions'])
c.check('indicators: one labelled row per institution in each table', len(labels) == ninst * len(tabs) and all(labels),
        (len(labels), ninst * len(tabs), [l for l in labels if not l][:2]))

# --- the simulation: every scenario, the payment change, the measurement
text = open(f'{D}/sim.html', encoding='utf-8').read()
s = h5py.File(f'{D}/sim.h5', 'r')
names = s['scenarios'].attrs['names']
names = (names.decode() if isinstance(names, bytes) else str(names)).split(',')   # the configuration's order
c.check('simulation: /scenarios names = its groups', sorted(names) == sorted(s['scenarios'].keys()), names)
# the cost categories' Chinese names (README "Input", 收费项目类别)
CAT = {'cost_bed': '床位费', 'cost_consult': '诊查费', 'cost_exam': '检查费', 'cost_lab': '化验费', 'cost_treatment': '治疗费',
       'cost_surgery': '手术费', 'cost_nursing': '护理费', 'cost_material': '卫生材料费', 'cost_western': '西药费',
       'cost_herbal': '中药饮片费', 'cost_patent': '中成药费', 'cost_general': '一般诊疗费', 'cost_registration': '挂号费', 'cost_other': '其他费'}
figs = []
# a scheme's chart only when some institution's payment moves; all bars zero (identity): a note instead
moved = lambda n, sch: any(int(x) != 0 for x in s[f'scenarios/{n}/institutions'][f'diff_{sch}_payment_fen'])
for n in names: figs += [f'tab-scenario-{n}'] + [f'{k}-{n}-{sch}' for sch in ('dip', 'drg') if moved(n, sch) for k in ('fig-scenario', 'tab-movers')] + [f'tab-measurement-{n}']
t = structure(c, text, ['scenarios'], figs)
c.check('simulation: the 4 demo scenarios, in demo.cfg\'s order', names == ['identity', 'reprice', 'reprice_neutral', 'reprice_items'], names)
c.check('simulation: the heading names the scheme (root attribute scheme, as a settlement file)',
        f'scheme 付费方式 {s.attrs["scheme"].decode()} ' in text and 'casemix 0.1' in text, s.attrs.get('scheme'))
h1 = [n.alltext() for n in t.root.find_all('h1')]
c.check('simulation: the heading says what the file is (政策模拟报告), not a settlement', h1 == ['Policy simulation report 政策模拟报告'], h1)
h3 = [n.alltext() for n in t.root.find_all('h3')]
c.check('simulation: a heading per scenario, in the configuration\'s order (as simulate prints them)', h3 == names, h3)
wb = openpyxl.load_workbook(f'{D}/sim.xlsx', read_only=True)
c.check('simulation workbook: the scenarios\' sheets in the configuration\'s order',
        [x[:-4] for x in wb.sheetnames if x.endswith('_sum')] == names, wb.sheetnames)
for n in names:
    a = s[f'scenarios/{n}'].attrs
    txt = lambda k: (a[k].decode() if isinstance(a[k], bytes) else str(a[k])) if k in a else ''
    d = list(t.root.find_all('p', id=f'def-scenario-{n}'))
    dt = d[0].alltext() if d else ''
    c.check(f'{n}: what the scenario is, from /scenarios/{n} attributes (policy, multipliers, solve)',
            len(d) == 1 and f'policy 政策口径: {txt("policy")}' in dt
            and (txt('multipliers') in ('', 'none') or f'multipliers 调价系数: {txt("multipliers")}' in dt)
            and ('solved_multiplier' not in a or '%.9f' % a['solved_multiplier'] in dt), dt)
    sm = s[f'scenarios/{n}/summary'][0]
    row = [[td.alltext() for td in tr.find_all('td')] for tr in list(t.root.find_all('figure', id=f'tab-scenario-{n}'))[0].find_all('tr')]
    row = [r for r in row if r and r[0].startswith('dip_point_value')]
    c.check(f'{n}: the DIP point value to 6 decimals (as simulate prints it)',
            len(row) == 1 and row[0][1:3] == ['{:,.6f}'.format(sm['base_dip_point_value']), '{:,.6f}'.format(sm['dip_point_value'])], row)
for n in names:
    inst = s[f'scenarios/{n}/institutions'][:]
    for sch in ('dip', 'drg'):
        m = f'diff_{sch}_payment_fen'
        order = sorted(range(len(inst)), key=lambda i: (-int(inst[m][i]), i))
        want = [(inst['institution_id'][i].decode(), yuan(inst[m][i])) for i in order]
        if not moved(n, sch):   # every bar would be 0: no chart, a one-line note
            notes = list(t.root.find_all('p', id=f'note-scenario-{n}-{sch}'))
            c.check(f'{n}: {sch.upper()} payment unchanged everywhere: a note, no chart of zero bars',
                    len(notes) == 1 and 'no chart' in notes[0].alltext() and svg_of(t, f'scenario-{n}-{sch}') is None)
            continue
        got = bars(svg_of(t, f'scenario-{n}-{sch}'))
        c.check(f'{n}: {sch.upper()} payment change per institution = {m}', got == want, (got[:2], want[:2]))
        # the largest movers explained: 5 increases, 5 decreases (ties to the lower row), each
        # change = price (or own-points) effect + structure effect, from the file's members
        up = [i for i in order if int(inst[m][i]) > 0][:5]
        dn = sorted([i for i in range(len(inst)) if int(inst[m][i]) < 0], key=lambda i: (int(inst[m][i]), i))[:5]
        cols = [f'base_{sch}_payment_fen', f'{sch}_payment_fen', m, f'{sch}_price_effect_fen', f'{sch}_structure_effect_fen']
        exp = [[inst['institution_id'][i].decode()] + [yuan(inst[k][i]) for k in cols] for i in up + dn]
        mv = list(t.root.find_all('figure', id=f'tab-movers-{n}-{sch}'))
        got = [[td.alltext() for td in tr.find_all('td')] for tr in mv[0].find_all('tr')] if mv else []
        got = [r for r in got if len(r) == 6]
        c.check(f'{n}: {sch.upper()} largest movers = the 5 largest increases and decreases, with the split', got == exp, (got[:2], exp[:2]))
        c.check(f'{n}: {sch.upper()} movers: change = effect + structure effect, row by row',
                all(int(inst[m][i]) == int(inst[cols[3]][i]) + int(inst[cols[4]][i]) for i in up + dn))
        priced = any(int(x) != 0 for x in inst['diff_total_cost_fen'])
        hd = mv[0].find_all('th') if mv else []
        c.check(f'{n}: {sch.upper()} movers: the effect is named as what moved (price effect when costs moved)',
                any(('price effect 价格效应' if priced else 'own-points effect') in h.alltext() for h in hd))
    me = s[f'scenarios/{n}/measurement'][:]
    rows = [[td.alltext() for td in tr.find_all('td')] for tr in list(t.root.find_all('figure', id=f'tab-measurement-{n}'))[0].find_all('tr')][1:]
    want = [[r['scope'].decode(), r['name'].decode() + (' ' + CAT[r['name'].decode()] if r['scope'] == b'category' else '')]
            + [yuan(r[k]) for k in ('up_fen', 'down_fen', 'net_fen', 'fund_fen', 'patient_fen')]
            for r in me if r['scope'] != b'institution']
    c.check(f'{n}: measurement rows (region, categories with their Chinese names) = up/down/net/fund/patients in yuan', rows == want, (rows[:2], want[:2]))
    c.check(f'{n}: measurement region net = /summary diff_total_cost_fen', want[0][4] == yuan(s[f'scenarios/{n}/summary'][0]['diff_total_cost_fen']))

# --- the ledger: months and clearing
text = open(f'{D}/ledger.html', encoding='utf-8').read()
lf = h5py.File(f'{D}/out/ledger-2025.h5', 'r')
t = structure(c, text, ['ledger'], ['fig-months', 'tab-months', 'tab-clearing'])
mo = lf['months'][:]
sv = svg_of(t, 'months')
for k, m in ((0, 'estimate'), (1, 'forecast')):
    pl = list(sv.find_all('polyline', cls=m))
    c.check(f'months chart: a {m} line with a point per month ({len(mo)})', len(pl) == 1 and len(pl[0].attrs['points'].split()) == len(mo))
c.check('months chart: the band', len(list(sv.find_all('polygon', cls='band'))) == 1)
yr = str(int(lf.attrs['year']))
gm = check_ledger_table(c, t, 'tab-months', mo, 'month', yr, ['month', 'cases', 'gross_fen', 'deposit_fen', 'paid_fen', 'point_value_estimate', 'forecast'],
                        {'paid_fen': '已拨付', 'gross_fen': '预结算金额', 'point_value_estimate': '月度估算点值', 'score_e4': '分值', 'cost_fen': '医疗总费用'})
c.check('ledger: the heading names the ledger\'s year (root attribute year)', f'period 结算期 {yr}' in text)
c.check('months chart: month labels as 2025-MM, as the tables', all('%s-%02d' % (yr, m) in sv.alltext() for m in mo['month']), sv.alltext()[-80:])
c.check('months table: in column groups (24 members: more than one table)', len(gm) >= 4, len(gm))
c.check('months table: every month, as 2025-MM, in every group', all([r[0] for r in g['rows']] == ['%s-%02d' % (yr, m) for m in mo['month']] for g in gm) and len(mo) == 2)
c.check('months table: the year\'s total row under the key group', gm and gm[0]['total'] is not None and gm[0]['total'][1] == count(mo['cases'].sum()))
cl = lf['clearing'][:]
gc = check_ledger_table(c, t, 'tab-clearing', cl, 'institution_id', yr, ['institution_id', 'cases', 'due_fen', 'paid_fen', 'balance_fen'],
                        {'balance_fen': '清算应拨付', 'due_fen': '应结算金额', 'paid_fen': '已拨付', 'assessment_e4': '考核系数'},
                        [v.decode() if isinstance(v, bytes) else v for v in lf['clearing_names'][:]] if 'clearing_names' in lf else None)
j = gc[0]['members'].index('balance_fen')
got = {r[0]: r[j] for r in gc[0]['rows']}
c.check('clearing table: balance in yuan = /clearing balance_fen / 100, per institution',
        got == {i.decode(): '{:,.2f}'.format(int(b) / 100) for i, b in zip(cl['institution_id'], cl['balance_fen'])} and len(got) == len(cl), list(got.items())[:3])
c.check('clearing table: the total balance = Σ balance_fen / 100', gc[0]['total'][j] == '{:,.2f}'.format(int(cl['balance_fen'].sum()) / 100), gc[0]['total'])
ca = lf['clearing'].attrs
yp = list(t.root.find_all('p', id='clearing-year'))
ypt = yp[0].alltext() if yp else ''
c.check('clearing: the year\'s figures above the table: final point value 结算点值 (6 decimals), budget, reserve, pool',
        len(yp) == 1 and f'结算点值 {ca["point_value"]:,.6f} yuan/point' in ypt and f'基金预算 {int(ca["budget_fen"]) / 100:,.2f}' in ypt
        and f'清算总额 {int(ca["pool_fen"]) / 100:,.2f}' in ypt and f'剩余 {int(ca["reserve_left_fen"]) / 100:,.2f}' in ypt, ypt)
miss = lf['clearing'].attrs['months_missing']
miss = miss.decode() if isinstance(miss, bytes) else str(miss)
c.check('clearing: a partial year (clear --partial) is said above the table, with the missing months',
        int(lf['clearing'].attrs['partial']) == 1 and miss.startswith('2025-03, ') and ('Partial year' in text and miss in text), miss)
wb = openpyxl.load_workbook(f'{D}/ledger.xlsx', read_only=True)
c.check('ledger workbook: its tables as sheets, the year\'s clearing figures beside the clearing',
        wb.sheetnames == ['institutions', 'groups', 'months', 'clearing', 'clearing_year', 'special', 'history_months'], wb.sheetnames)
yv = {r[1]: r[2] for r in list(wb['clearing_year'].iter_rows(values_only=True))[1:]} if 'clearing_year' in wb.sheetnames else {}
c.check('ledger workbook: clearing_year = /clearing attributes (final point value 结算点值, budget, pool, reserve left, partial)',
        yv.get('结算点值') == float(ca['point_value']) and yv.get('基金预算') == int(ca['budget_fen']) / 100
        and yv.get('清算总额') == int(ca['pool_fen']) / 100 and yv.get('调节金结余') == int(ca['reserve_left_fen']) / 100
        and yv.get('部分年度清算') == 1 and yv.get('缺少的月份') == miss, yv)
rows = list(wb['clearing'].iter_rows(values_only=True))
j = [i for i, h in enumerate(rows[0]) if h.startswith('balance_fen → ')][0]
c.check('ledger workbook: Σ clearing balance (yuan × 100) = the HDF5\'s', sum(round(r[j] * 100) for r in rows[1:]) == int(cl['balance_fen'].sum()))
rows = list(wb['months'].iter_rows(values_only=True))
j = [i for i, h in enumerate(rows[0]) if h.startswith('forecast → ')][0]
c.check('ledger workbook: the months\' forecast', all(abs(r[j] - float(v)) <= 1e-12 * abs(float(v)) for r, v in zip(rows[1:], mo['forecast'])) and len(rows) == len(mo) + 1)

# --- the province: its summary, the regions' payments, each region's institutions
text = open(f'{D}/prov/province.html', encoding='utf-8').read()
pf = h5py.File(f'{D}/prov/province.h5', 'r')
ps = pf['province_summary'][:]
regs = [r['region'].decode() for r in ps if r['region'] != b'total']
t = structure(c, text, ['province', 'rejects'], ['tab-province-summary', 'fig-province-dip', 'tab-rejects'] +
              [f'fig-region-{r}-payments' for r in regs])
want = [(r['region'].decode(), yuan(r['payments_fen'])) for r in ps if r['region'] != b'total']
c.check(f'province: a bar per region ({len(regs)}) = /province_summary payments_fen', bars(svg_of(t, 'province-dip')) == want,
        bars(svg_of(t, 'province-dip'))[:3])
for r in regs:
    inst = pf[f'regions/{r}/institutions'][:]
    order = sorted(range(len(inst)), key=lambda i: (-int(inst['payment_fen'][i]), i))
    w = [(inst['institution_id'][i].decode(), yuan(inst['payment_fen'][i])) for i in order][:60]
    c.check(f'province: region {r}: payments per institution = /regions/{r}/institutions', bars(svg_of(t, f'region-{r}-payments')) == w)
wb = openpyxl.load_workbook(f'{D}/province.xlsx', read_only=True)
c.check('province workbook: province_summary, rejects and CODE_sum/inst/grp per region',
        wb.sheetnames == ['province_summary', 'rejects'] + [f'{r}_{a}' for r in sorted(pf['regions'].keys()) for a in ('sum', 'inst', 'grp')],
        wb.sheetnames)
rows = list(wb['province_summary'].iter_rows(values_only=True))
j = [i for i, h in enumerate(rows[0]) if h.startswith('payments_fen → ')][0]
c.check('province workbook: payments (yuan x 100) = the HDF5\'s, row by row', [round(r[j] * 100) for r in rows[1:]] == [int(v) for v in ps['payments_fen']])
nozh = [(ws.title, h) for ws in wb.worksheets for row in ws.iter_rows(min_row=1, max_row=1, values_only=True)
        for h in row if h and not any(ord(ch) >= 0x3000 for ch in str(h))]
c.check('province workbook: every header cell has its Chinese title (region 统筹区 too)', not nozh, nozh[:3])
print(f'{len(c.fails)} failed' if c.fails else 'all checks passed')
sys.exit(1 if c.fails else 0)
PYEOF
