#!/bin/sh
# report.sh - casemix report, structure tier (no browser): the demo region's
# settlement (DIP and DRG, outlier thresholds set in the configuration) as
# one HTML file, parsed with Python's html.parser and checked against the
# HDF5 file read by h5py:
#   - every section and figure, each with its chart and a caption naming its
#     dataset; no URL, script, link or image (self-contained); A4 print
#     styles; the CJK font stack; no patient id (from the input CSV) and no
#     case id (from /cases);
#   - the numbers: the summary cards (point values, budgets, payments), the
#     payment bars (every institution, sorted, yuan from the fen), the
#     cost-ratio histogram (every bin = a count made from /cases cost_ratio
#     here; the thresholds of the configuration drawn at their bins), the
#     price-ratio bars and the region's line (cost-weighted shares), the CMI
#     bars, the reject reasons' counts;
#   - tolerance of the sections of the other commands' datasets (supervision
#     /flags /rules /rule_names /indicators and /institutions rating;
#     /scenarios/NAME; a ledger's /months and /clearing), planted here with
#     h5py in reduced layouts: drawn from what is there, and absent (with no
#     error) when datasets or members are missing. Their numbers on the real
#     outputs of settle, simulate, month and clear: tests/golden/report_real.sh;
#   - outputs: OUT.html beside OUT.h5 by default; an existing file casemix
#     did not write is never replaced (exit 5, untouched); a re-run replaces
#     its own report; no temporary file left; a file casemix did not write is
#     refused (exit 4).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
$PY -c 'import h5py, numpy' 2>/dev/null || { echo "SKIP: /usr/bin/python3 lacks h5py or numpy (make deps-test)"; exit 77; }
D=$(pwd)/$TMP/report
rm -rf "$D"; mkdir -p "$D"
sed -e "s|\.\./build/demo/|$D/|g" -e "s|\"demo/|\"$(pwd)/config/demo/|g" config/demo.cfg > "$D/demo.cfg"
printf 'outliers = {\n  low = 0.6;\n  high = 2.5;\n  special = 4.0;\n};\n' >> "$D/demo.cfg"
# the settlement alone: its supervision sections are planted below (and drawn from a real run in supervision.sh)
printf 'supervision = {\n  enabled = false;\n};\n' >> "$D/demo.cfg"
# chunks of 100 rows: /cases in 40 chunks, so the fast path crosses its batches of 32 chunks
sed -i -e 's/^output = {/output = {\n  chunk_rows = 100;/' "$D/demo.cfg"
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet --cases 4000 --history-cases 4000
"$BIN" settle --config "$D/demo.cfg" --out "$D/demo.h5" --quiet
out=$("$BIN" report "$D/demo.h5")
expect "report prints its path" "$out" "casemix report: $D/demo.html"

# the same settlement with the datasets of supervision and simulation, and a ledger
$PY - "$D/demo.h5" "$D/extra.h5" "$D/ledger.h5" "$D/partial.h5" <<'PYEOF'
import sys, shutil, h5py, numpy as np
src, extra, ledger, partial = sys.argv[1:]
shutil.copy(src, extra)
f = h5py.File(extra, 'r+')
# the planted tables replace the settlement's own (supervision writes them too)
for k in ('flags', 'rules', 'rule_names', 'indicators', 'indicator_names', 'review_sample'):
    if k in f: del f[k]
cases = f['cases'][:]
inst = f['institutions'][:]
lines = cases['line']
# /flags: one row per (case, rule); cases picked by a fixed rule of their own
res = h5py.enum_dtype({'violation': 0, 'highly_suspicious': 1, 'suspicious': 2, 'info': 3}, basetype='u1')
fl_dt = np.dtype([('line', '<u4'), ('case_id', 'S16'), ('rule', 'S4'), ('result', res), ('related_case_id', 'S16'),
                  ('figure', '<f8'), ('threshold', '<f8')])
rows = []
for i in range(0, len(cases), 37):
    rows.append((lines[i], cases['case_id'][i], b'R01', 1, cases['case_id'][(i + 1) % len(cases)], 3.0, 15.0))
    if i % 3 == 0: rows.append((lines[i], cases['case_id'][i], b'R07', 2, b'', 1.0, 0.0))
for i in range(5, len(cases), 101):
    rows.append((lines[i], cases['case_id'][i], b'R12', 0, b'', 40.0, 30.0))
f.create_dataset('flags', data=np.array(rows, dtype=fl_dt))
rl_dt = np.dtype([('id', 'S4'), ('family', 'S16'), ('result_type', 'S24'), ('evaluated', 'u1'), ('hits', '<i8'),
                  ('parameters', 'S64')])
hits = {r: sum(1 for x in rows if x[2] == r) for r in (b'R01', b'R07', b'R12')}
f.create_dataset('rules', data=np.array([(b'R01', b'policy', b'highly_suspicious', 1, hits[b'R01'], b'days=15'),
                                          (b'R07', b'management', b'suspicious', 1, hits[b'R07'], b'list='),
                                          (b'R09', b'medical', b'violation', 0, 0, b'sex codes'),
                                          (b'R12', b'medical', b'violation', 1, hits[b'R12'], b'los_cap=30')], dtype=rl_dt))
f.create_dataset('rule_names', data=['readmission within 15 days 15日内再入院', 'low-standard admission 低标准入院',
                                     'sex conflict 性别冲突', 'long stay 超长住院'], dtype=h5py.string_dtype('utf-8'))
# /indicators: institutions x 3 indicators
oenum = h5py.enum_dtype({'none': 0, 'high': 1, 'low': 2, 'not_ranked': 3}, basetype='u1')
in_dt = np.dtype([('institution_id', 'S12'), ('level', 'u1'), ('indicator', 'S24'), ('value', '<f8'), ('numerator', '<f8'),
                  ('denominator', '<f8'), ('region_value', '<f8'), ('peer_percentile', '<f8'), ('outlier', oenum),
                  ('previous_value', '<f8'), ('growth', '<f8'), ('points', '<f8')])
irows = []
for k, ind in enumerate([b'cmi', b'readmission_rate', b'mean_cost']):
    for j, r in enumerate(inst):
        pct = (j * 37 + k * 11) % 100
        irows.append((r['institution_id'], r['level'], ind, 1.0 + j / 100 + k, 0, 0, 1.5 + k, pct,
                      1 if pct >= 80 else 2 if pct <= 20 else 0, 0, 0, 0))
f.create_dataset('indicators', data=np.array(irows, dtype=in_dt))
# /institutions gains rating (enum) and rating_score
renum = h5py.enum_dtype({'excellent': 0, 'good': 1, 'pass': 2, 'fail': 3}, basetype='u1')
own = [n for n in inst.dtype.names if n not in ('rating', 'rating_score')]
new_dt = np.dtype([(n, inst.dtype[n]) for n in own] + [('rating', renum), ('rating_score', '<f8')])
ni = np.zeros(len(inst), dtype=new_dt)
for n in own: ni[n] = inst[n]
ni['rating'] = [(j * 7) % 4 for j in range(len(inst))]
ni['rating_score'] = [100 - j for j in range(len(inst))]
del f['institutions']
f.create_dataset('institutions', data=ni)
# /scenarios/reprice/{summary,institutions}
g = f.create_group('scenarios/reprice')
g.create_dataset('summary', data=np.array([(11000000000, 11000000000, 0, 5.1744, 5.3012, 0.1268)],
                 dtype=[('base_payments_fen', '<i8'), ('payments_fen', '<i8'), ('diff_payments_fen', '<i8'),
                        ('base_point_value', '<f8'), ('point_value', '<f8'), ('diff_point_value', '<f8')]))
sd = np.zeros(len(inst), dtype=[('institution_id', 'S12'), ('base_payment_fen', '<i8'), ('payment_fen', '<i8'),
                                ('diff_payment_fen', '<i8')])
sd['institution_id'] = inst['institution_id']; sd['base_payment_fen'] = inst['payment_fen']
sd['diff_payment_fen'] = [((j * 7919) % 200001) - 100000 for j in range(len(inst))]
sd['payment_fen'] = sd['base_payment_fen'] + sd['diff_payment_fen']
g.create_dataset('institutions', data=sd)
f.close()
# a ledger: casemix_kind "ledger", /months and /clearing only
L = h5py.File(ledger, 'w')
L.attrs['casemix_kind'] = np.bytes_('ledger'); L.attrs['program'] = np.bytes_('casemix 0.1.0')
L.attrs['region'] = np.bytes_('410400'); L.attrs['period'] = np.bytes_('2025')
m = np.zeros(6, dtype=[('month', 'S7'), ('cases', '<i8'), ('point_value_estimate', '<f8'), ('forecast', '<f8'),
                       ('band_low', '<f8'), ('band_high', '<f8'), ('paid_fen', '<i8'), ('future_count', '<i4')])
m['month'] = [b'2025-%02d' % (i + 1) for i in range(6)]
m['cases'] = 1000 + np.arange(6); m['point_value_estimate'] = 5 + 0.1 * np.arange(6)
m['forecast'] = 5.2 + 0.05 * np.arange(6); m['band_low'] = m['forecast'] - 0.3; m['band_high'] = m['forecast'] + 0.3
m['paid_fen'] = 123456789 + np.arange(6)
m['future_count'] = 1234567 * np.arange(6)   # a member the report does not know: in "other columns"
L.create_dataset('months', data=m)
c = np.zeros(3, dtype=[('institution_id', 'S12'), ('due_fen', '<i8'), ('paid_fen', '<i8'), ('balance_fen', '<i8')])
c['institution_id'] = [b'H1', b'H2', b'H3']; c['due_fen'] = [100000, 250050, 99]; c['paid_fen'] = [90000, 250000, 0]
c['balance_fen'] = c['due_fen'] - c['paid_fen']
L.create_dataset('clearing', data=c)
L.close()
# a settlement without /cases cost_ratio, /institution shares or /rejects: the sections go, no error
P = h5py.File(partial, 'w')
S = h5py.File(src, 'r')
for k, v in S.attrs.items(): P.attrs[k] = v
P.create_dataset('summary', data=S['summary'][:])
ii = S['institutions'][:]
keep = [n for n in ii.dtype.names if not n.startswith('share_') and n not in ('cmi', 'rating', 'rating_score')]
P.create_dataset('institutions', data=np.array([tuple(r[n] for n in keep) for r in ii],
                 dtype=[(n, ii.dtype[n]) for n in keep]))
cc = S['cases'][:]
P.create_dataset('cases', data=np.array(list(zip(cc['line'], cc['total_cost_fen'])), dtype=[('line', '<u4'), ('total_cost_fen', '<i8')]))
S.close(); P.close()
PYEOF
"$BIN" report "$D/extra.h5" --out "$D/extra.html" --quiet
"$BIN" report "$D/ledger.h5" --out "$D/ledger.html" --quiet
"$BIN" report "$D/partial.h5" --out "$D/partial.html" --quiet

PYTHONPATH=tests/golden $PY - "$D" <<'PYEOF'
import sys, csv, re, h5py, numpy as np
from report_check import *
D = sys.argv[1]
c = Checker('demo')
text = open(f'{D}/demo.html', encoding='utf-8').read()
f = h5py.File(f'{D}/demo.h5', 'r')
SECTIONS = ['summary', 'payments', 'cost-ratios', 'price-structure', 'drg-cmi', 'rejects']
FIGS = ['fig-summary', 'fig-payments-dip', 'fig-payments-drg', 'fig-cost-ratio', 'fig-price-structure', 'fig-cmi',
        'tab-rejects', 'tab-quality']
t = structure(c, text, SECTIONS, FIGS)
dup = well_formed(c, text, 'settlement report: ')
c.check('no id twice in the settlement report (a section and its chart once shared one)', not dup, dup[:5])
for s in ('supervision', 'indicators', 'scenarios', 'ledger'):
    c.check(f'no #{s} section without its datasets', f'id="{s}"' not in text)
# privacy: patient ids of the input, case ids of the output
pids = [r['patient_id'] for r in csv.DictReader(open(f'{D}/current.csv', encoding='utf-8'))]
no_ids(c, text, pids, 'patient id')
no_ids(c, text, [x.decode() for x in f['cases']['case_id']], 'case id')
# summary cards
s = f['summary'][0]
cards = {n.find_all(cls='k').__next__().alltext(): n.find_all(cls='v').__next__().alltext() for n in t.root.find_all(cls='card')}
c.check('DIP point value card', cards.get('DIP point value 点值') == '%.6f yuan/point' % s['point_value'], cards.get('DIP point value 点值'))
c.check('DRG point value card', cards.get('DRG point value DRG点值') == '%.6f yuan/point' % s['drg_point_value'], cards)
for k, m in [('DIP fund budget 统筹基金预算', 'fund_budget_fen'), ('DIP payments 结算总额', 'payments_fen'),
             ('DRG payments DRG结算总额', 'drg_payments_fen'), ('total cost 医疗总费用', 'total_cost_fen')]:
    c.check(f'card {k} = {m}', cards.get(k) == yuan(s[m]) + ' yuan', (cards.get(k), yuan(s[m])))
c.check('cases card', cards.get('cases 病例数') == '{:,}'.format(int(s['cases'])), cards.get('cases 病例数'))
# payments: every institution, largest first, yuan from the fen
inst = f['institutions'][:]
for sid, m in (('payments-dip', 'payment_fen'), ('payments-drg', 'drg_payment_fen')):
    b = bars(svg_of(t, sid))
    order = sorted(range(len(inst)), key=lambda i: (-int(inst[m][i]), i))
    want = [(inst['institution_id'][i].decode(), yuan(inst[m][i])) for i in order]
    c.check(f'{sid}: {len(want)} bars, sorted, yuan of {m}', b == want, (b[:3], want[:3]))
    c.check(f'{sid}: Σ bars = /summary', sum(int(inst[m][i]) for i in order) == int(s['payments_fen' if m == 'payment_fen' else 'drg_payments_fen']))
# histogram: each bin against a count made here
cr = f['cases']['cost_ratio']
nb = int(round((np.ceil(f['cases'].attrs['outlier_special']) + 1) / 0.1))
valid = cr[cr >= 0]
idx = np.minimum(np.floor(valid / 0.1), nb).astype(int)
want = np.bincount(idx, minlength=nb + 1)
hs = svg_of(t, 'cost-ratio')
got = {int(n.attrs['data-bin']): int(n.alltext().rsplit(':', 1)[1]) for n in hs.find_all('rect', cls='hist')}
c.check(f'histogram: {nb + 1} bins', len(got) == nb + 1, len(got))
c.check('histogram: every bin = the count of /cases cost_ratio in it', all(got.get(i) == want[i] for i in range(nb + 1)),
        [(i, got.get(i), want[i]) for i in range(nb + 1) if got.get(i) != want[i]][:5])
cap = list(t.root.find_all('figure', id='fig-cost-ratio'))[0].alltext()
c.check('histogram caption: cases without a standard cost', '{:,} without a standard cost'.format(int((cr < 0).sum())) in cap, cap)
th = {float(n.attrs['data-value']): float(n.attrs['x1']) for n in hs.find_all('line', cls='threshold')}
c.check('thresholds of the configuration drawn (0.6, 2.5, 4)', sorted(th) == [0.6, 2.5, 4.0], th)
rx = {int(n.attrs['data-bin']): float(n.attrs['x']) for n in hs.find_all('rect', cls='hist')}
for v, x in th.items():
    b = int(round(v / 0.1))
    c.check(f'threshold {v} at the left edge of bin {b}', abs(rx[b] - x) < 0.15, (rx[b], x))
# price structure: one row of segments per institution; the region's line at the cost-weighted shares
ps = svg_of(t, 'svg-price-structure')
c.check('price structure: a label per institution', len(list(ps.find_all('text', cls='label'))) == len(inst))
w = inst['total_cost_fen'].astype(float)
reg = [float((inst[k] * w).sum() / w.sum()) for k in ('share_services', 'share_drugs', 'share_exams')]
ref = list(ps.find_all('text', cls='ref'))[0].alltext()
c.check('price structure: the region line\'s shares', 'services %.1f%% | drugs %.1f%% | exams %.1f%%' % tuple(100 * x for x in reg) in ref, ref)
lines_x = sorted(float(n.attrs['x1']) for n in ps.find_all('line', cls='region-line'))
c.check('price structure: the region\'s boundaries drawn', len(lines_x) == 2 and abs(lines_x[0] - (230 + reg[0] * 470)) < 0.2
        and abs(lines_x[1] - (230 + (reg[0] + reg[1]) * 470)) < 0.2, lines_x)
# CMI: sorted, 4 decimals; region = case-weighted
b = bars(svg_of(t, 'cmi'))
order = sorted(range(len(inst)), key=lambda i: (-inst['cmi'][i], i))
c.check('CMI bars sorted with 4 decimals', b == [(inst['institution_id'][i].decode(), '%.4f' % inst['cmi'][i]) for i in order], b[:3])
rc = float((inst['cmi'] * inst['cases']).sum() / inst['cases'].sum())
c.check('CMI region line', 'region 统筹区 %.4f' % rc in svg_of(t, 'cmi').alltext())
# rejects: rows per field add up to /rejects
rows = [n for n in list(t.root.find_all('figure', id='tab-rejects'))[0].find_all('tr')][1:]
tot = sum(int(r.kids[2].alltext().replace(',', '')) for r in rows)
c.check('reject reasons: Σ rows = /rejects rows', tot == len(f['rejects']), (tot, len(f['rejects'])))

# --- the datasets of the other helpers
c2 = Checker('extra')
text = open(f'{D}/extra.html', encoding='utf-8').read()
x = h5py.File(f'{D}/extra.h5', 'r')
t = structure(c2, text, SECTIONS + ['supervision', 'indicators', 'scenarios'],
              FIGS + ['fig-flags-rule', 'fig-flags-inst', 'tab-rules', 'fig-rating', 'fig-rating-score', 'tab-rating-fail', 'tab-indicators'])
no_ids(c2, text, [v.decode() for v in x['flags']['case_id']] + [v.decode() for v in x['flags']['related_case_id'] if v], 'flag case id')
b = bars(svg_of(t, 'flags-rule'))
rl = x['rules'][:]
c2.check('flags by rule: /rules hits with /rule_names', [v for _, v in b] == [('{:,}'.format(int(h)) if e else 'not evaluated 未评估') for h, e in zip(rl['hits'], rl['evaluated'])]
         and all(l.startswith(i.decode() + ' ') for (l, _), i in zip(b, rl['id'])) and '15日内再入院' in b[0][0], b)
# by institution: the flags' lines joined with /cases here
cs = x['cases'][:]
line2inst = dict(zip(cs['line'], cs['institution_id']))
cnt = {}
for l in x['flags']['line']: cnt[line2inst[l]] = cnt.get(line2inst[l], 0) + 1
want = sorted(cnt.items(), key=lambda kv: (-kv[1], list(x['institutions']['institution_id']).index(kv[0])))
got = bars(svg_of(t, 'flags-inst'))
c2.check('flags by institution = the join of /flags and /cases by line', got == [(k.decode(), '{:,}'.format(v)) for k, v in want], (got[:3], want[:3]))
ri = x['institutions']['rating']
names = ['excellent 优秀', 'good 良好', 'pass 合格', 'fail 不达标']
c2.check('rating: institutions per level, in the enum order, with the Chinese names',
         bars(svg_of(t, 'rating')) == [(names[k], str(int((ri == k).sum()))) for k in range(4)], bars(svg_of(t, 'rating')))
tab = list(t.root.find_all('figure', id='tab-indicators'))[0]
hdr = [n.alltext() for n in tab.find_all('th')]
# no /indicator_names here: a known code gets the built-in English and Chinese names (those of the
# workbook and of domain.md §7), an unknown one its code alone
c2.check('indicators: one column per indicator, a known code named without /indicator_names',
         hdr == ['institution 机构', 'cmi' + 'case-mix index (DIP, score before coefficients)' + '病例组合指数(DIP)',
                 'readmission_rate', 'mean_cost'], hdr)
trs = list(tab.find_all('tr'))
c2.check('indicators: region row + one row per institution', len(trs) == 2 + len(x['institutions']), len(trs))
ind = x['indicators'][:]
c2.check('indicators: high outliers marked', len(list(tab.find_all('td', cls='out-high'))) == int((ind['outlier'] == 1).sum()))
c2.check('indicators: low outliers marked', len(list(tab.find_all('td', cls='out-low'))) == int((ind['outlier'] == 2).sum()))
c2.check('indicators: percentiles shown', text.count('<small>p') == len(ind))
sc = list(t.root.find_all('figure', id='tab-scenario-reprice'))
c2.check('scenario reprice: summary table', len(sc) == 1)
if sc:
    rows = [[k.alltext() for k in r.find_all('td')] for r in sc[0].find_all('tr')][1:]
    c2.check('scenario summary rows base / scenario / diff', rows == [['payments_fen (yuan)', yuan(11000000000), yuan(11000000000), yuan(0)],
             ['point_value', '5.174400', '5.301200', '0.126800']], rows)   # point values to 6 decimals
sd = x['scenarios/reprice/institutions'][:]
b = bars(svg_of(t, 'scenario-reprice'))
order = sorted(range(len(sd)), key=lambda i: (-int(sd['diff_payment_fen'][i]), i))
c2.check('scenario: change per institution, sorted, signed yuan', b == [(sd['institution_id'][i].decode(), yuan(sd['diff_payment_fen'][i])) for i in order], b[:3])

c3 = Checker('ledger')
text = open(f'{D}/ledger.html', encoding='utf-8').read()
t = structure(c3, text, ['ledger'], ['fig-months', 'tab-months', 'tab-clearing'])
for s in ('summary', 'payments', 'cost-ratios', 'rejects'):
    c3.check(f'no #{s} in a ledger', f'id="{s}"' not in text)
ms = svg_of(t, 'months')
pl = {n.attrs['class']: n.attrs['points'].split() for n in ms.find_all('polyline')}
c3.check('months: estimate and forecast lines, a point per month', len(pl.get('line estimate', [])) == 6 and len(pl.get('line forecast', [])) == 6, pl.keys())
c3.check('months: the band', len(list(ms.find_all('polygon', cls='band'))) == 1)
c3.check('months: month labels', all(f'2025-0{i}' in ms.alltext() for i in range(1, 7)))
cl = [[k.alltext() for k in r.find_all('td')] for r in list(t.root.find_all('figure', id='tab-clearing'))[0].find_all('tr')][1:]
c3.check('clearing: money in yuan', cl[1] == ['H2', '2,500.50', '2,500.00', '0.50'], cl)
L = h5py.File(f'{D}/ledger.h5', 'r')
gm = check_ledger_table(c3, t, 'tab-months', L['months'][:], 'month', '', ['month', 'cases', 'paid_fen', 'point_value_estimate', 'forecast'],
                        {'paid_fen': '已拨付', 'point_value_estimate': '月度估算点值', 'forecast': '年终点值预测', 'band_low': '预测下限'})
c3.check('months: a member the report does not know is in "other columns"', gm[-1]['caption'].startswith('other columns') and gm[-1]['members'] == ['month', 'future_count'] and gm[-1]['rows'][5][1] == '6,172,835', gm[-1])
check_ledger_table(c3, t, 'tab-clearing', L['clearing'][:], 'institution_id', '', ['institution_id', 'due_fen', 'paid_fen', 'balance_fen'],
                   {'balance_fen': '清算应拨付', 'due_fen': '应结算金额'})

c4 = Checker('partial')
text = open(f'{D}/partial.html', encoding='utf-8').read()
t = structure(c4, text, ['summary', 'payments'], ['fig-summary', 'fig-payments-dip', 'fig-payments-drg'])
for s in ('cost-ratios', 'price-structure', 'drg-cmi', 'rejects'):
    c4.check(f'no #{s} without its members', f'id="{s}"' not in text)
fails = c.fails + c2.fails + c3.fails + c4.fails
print(f'{len(fails)} failed' if fails else 'all checks passed')
sys.exit(1 if fails else 0)
PYEOF

# the same bytes through HDF5's own read of /cases (not the raw-chunk fast path) and at 1 and 2 threads;
# a compact settlement (institution = row of /institutions) joins the flags the same way
for x in demo extra; do
    CASEMIX_TEST_REPORT_SLOW=1 "$BIN" report "$D/$x.h5" --out "$D/$x.slow.html" --quiet
    OMP_NUM_THREADS=1 "$BIN" report "$D/$x.h5" --out "$D/$x.t1.html" --quiet
    OMP_NUM_THREADS=2 "$BIN" report "$D/$x.h5" --out "$D/$x.t2.html" --quiet
    cmp -s "$D/$x.html" "$D/$x.slow.html" && ok "$x: fast path = HDF5's read" || bad "$x: the fast path differs from HDF5's read"
    cmp -s "$D/$x.t1.html" "$D/$x.t2.html" && cmp -s "$D/$x.html" "$D/$x.t1.html" && ok "$x: the same bytes at 1 and 2 threads" ||
        bad "$x: the report depends on the thread count"
done
sed -e 's/^output = {/output = {\n  case_columns = "compact";/' "$D/demo.cfg" > "$D/compact.cfg"
grep -q 'case_columns = "compact"' "$D/compact.cfg" || printf 'output = { case_columns = "compact"; };\n' >> "$D/compact.cfg"
"$BIN" settle --config "$D/compact.cfg" --out "$D/compact.h5" --quiet
$PY - "$D/extra.h5" "$D/compact.h5" <<'PYEOF'
import sys, h5py
e, c = sys.argv[1:]
E = h5py.File(e, 'r'); C = h5py.File(c, 'r+')
for k in ('flags', 'rules', 'rule_names'): C.copy(E[k], k)
PYEOF
"$BIN" report "$D/compact.h5" --out "$D/compact.html" --quiet
for x in compact; do
    CASEMIX_TEST_REPORT_SLOW=1 "$BIN" report "$D/$x.h5" --out "$D/$x.slow.html" --quiet
    cmp -s "$D/$x.html" "$D/$x.slow.html" && ok "$x: fast path = HDF5's read" || bad "$x: the fast path differs from HDF5's read"
done
a=$(sed -n '/id="flags-inst"/,/<\/svg>/p' "$D/extra.html"); b=$(sed -n '/id="flags-inst"/,/<\/svg>/p' "$D/compact.html")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "flags by institution: the same from institution ids and from row numbers" ||
    bad "flags by institution differ between the codes and the compact layouts"
[ "$fails" = 0 ] || { echo "$fails failed:$failed"; exit 1; }

# outputs: never a file casemix did not write; complete or absent
echo "my notes" > "$D/mine.html"
set +e
"$BIN" report "$D/demo.h5" --out "$D/mine.html" 2> "$D/err.txt"; rc=$?
set -e
expect "a file casemix did not write is refused (exit 5)" "$rc" 5
expect "... and left as it was" "$(cat "$D/mine.html")" "my notes"
has "the refusal names --out" "$(cat "$D/err.txt")" "--out"
"$BIN" report "$D/demo.h5" --out "$D/demo.html" --quiet
expect "a re-run replaces its own report" "$?" 0
expect "no temporary file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
$PY -c "import h5py; h5py.File('$D/foreign.h5', 'w').create_dataset('x', data=[1])"
set +e
"$BIN" report "$D/foreign.h5" --out "$D/foreign.html" 2> "$D/err.txt"; rc=$?
set -e
expect "an HDF5 file casemix did not write: exit 4" "$rc" 4
expect "... nothing written" "$(ls "$D"/foreign.html* 2>/dev/null | wc -l)" 0
set +e
"$BIN" report "$D/none.h5" 2>/dev/null; rc=$?
"$BIN" report 2>/dev/null; rc2=$?
set -e
expect "a missing file: exit 4" "$rc" 4
expect "no file: usage (exit 2)" "$rc2" 2
echo "report: all checks passed"
