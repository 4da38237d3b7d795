#!/bin/sh
# auditor_trial.sh - a newcomer's trial as an auditor (稽核) and as a policy
# analyst (政策模拟): what each one reads to answer their questions, every
# figure checked against the HDF5 file read independently (h5py, openpyxl):
#  - the supervision summary: each rule's line carries its Chinese name
#    (/rule_names) and result type in Chinese, the hits of /rules; a rule not
#    evaluated says "not evaluated: " /rules' reason, then its Chinese name and 未评估;
#  - "N flagged cases not drawn" ("1 flagged case"): N = the cases with a /flags row of a rule
#    that is not info-only minus the flagged rows of /review_sample; the sample
#    holds at least ceil(sample_rate x cases) of every institution, and the same
#    seed gives the same /review_sample (h5diff), another seed another one;
#  - the 不达标 line's "-N": 100 x the indicator's weight (/indicators rating
#    attribute) / the weights of the institution's ranked indicators (rows with
#    points), and that row has points 0;
#  - the workbook: review_sample and indicators carry the institution's name
#    (/institution_names by institution_id), indicators the indicator's English
#    and Chinese name (/indicator_names), flags the unit of the rule's figure
#    (/rules unit), point values titled yuan/point;
#  - the report's rules table: the Chinese rule name (/rule_names) and the
#    family and result type with their Chinese; its table of the institutions
#    rated 不达标 says what the terminal says (score, points lost, indicator);
#    the sample's cards give the rate per institution and the seed;
#  - a history file that does not exist: exit 4, the message names the file,
#    history[i].file and the configuration, not --input / input.records;
#  - simulate: point values in yuan/point, the identity scenario's static
#    measurement line in Chinese too, the price and structure effects named in
#    Chinese (价格效应 + 结构效应), each scenario's heading says what its policy
#    does (价值平移 ..., 点值不变 ...), the multipliers 调价系数.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
$PY -c 'import openpyxl, h5py' 2>/dev/null || { echo "skip: /usr/bin/python3 lacks openpyxl or h5py (make deps-test)"; exit 77; }
D=$(pwd)/$TMP/auditor_trial
rm -rf "$D"; mkdir -p "$D"

echo "== the example region, settled, exported, reported"
X=config/example
"$BIN" settle --config $X/region.cfg --out "$D/ex.h5" > "$D/ex.txt" 2>&1 || { cat "$D/ex.txt"; echo "FAIL: settle example"; exit 1; }
"$BIN" export "$D/ex.h5" --xlsx "$D/ex.xlsx" --quiet || { echo "FAIL: export"; exit 1; }
"$BIN" report "$D/ex.h5" --out "$D/ex.html" > /dev/null || { echo "FAIL: report"; exit 1; }

echo "== a generated region with planted patterns and its history (R11 evaluated)"
sed -e "s|\.\./build/demo/|$D/|g" -e "s|\"demo/|\"$(pwd)/config/demo/|g" config/demo.cfg > "$D/demo.cfg"
"$BIN" gen --config "$D/demo.cfg" --out "$D" --quiet --cases 6000 --history-cases 3000 --plant 0.02 || { echo "FAIL: gen"; exit 1; }
"$BIN" settle --config "$D/demo.cfg" --out "$D/pl.h5" > "$D/pl.txt" 2>&1 || { cat "$D/pl.txt"; echo "FAIL: settle planted"; exit 1; }
"$BIN" report "$D/pl.h5" --out "$D/pl.html" > /dev/null || { echo "FAIL: report planted"; exit 1; }
"$BIN" settle --config "$D/demo.cfg" --out "$D/pl2.h5" --threads 1 --quiet > /dev/null 2>&1 || { echo "FAIL: settle planted again"; exit 1; }
sed -e 's|^supervision = {|supervision = {\n  sample_seed = 7;|' "$D/demo.cfg" > "$D/seed7.cfg"
grep -q '^supervision = {' "$D/seed7.cfg" || printf 'supervision = { sample_seed = 7; };\n' >> "$D/seed7.cfg"
"$BIN" settle --config "$D/seed7.cfg" --out "$D/pl7.h5" --quiet > /dev/null 2>&1 || { echo "FAIL: settle seed 7"; exit 1; }
if h5diff -q "$D/pl.h5" "$D/pl2.h5" /review_sample /review_sample; then ok "the same seed: the same /review_sample (1 vs 2 threads)"
else bad "the same seed: the same /review_sample"; fi
if h5diff -q "$D/pl.h5" "$D/pl7.h5" /review_sample /review_sample > /dev/null 2>&1; then bad "another seed: another /review_sample"
else ok "another seed (7): another /review_sample"; fi

echo "== supervision's time on a tiny region (7 cases): not \"(0.00 s)\", in ms under 0.01 s"
"$BIN" settle --config tests/golden/small/small.cfg --out "$D/small.h5" > "$D/small.txt" 2>&1 || { cat "$D/small.txt"; echo "FAIL: settle small"; exit 1; }
st=$(grep '^Supervision (稽核)' "$D/small.txt" | sed -n 's/.*(\([0-9.]*\) \(m*s\))$/\1 \2/p')
case "$st" in
    "") bad "supervision time: the line ends with (N s) or (N ms)" "$(grep '^Supervision' "$D/small.txt")" ;;
    0.00\ *) bad "supervision time: not 0.00" "$st" ;;
    *\ s) awk -v v="${st% s}" 'BEGIN { exit !(v >= 0.01) }' && ok "supervision time: $st (>= 0.01 s in s)" || bad "supervision time: under 0.01 s in ms" "$st" ;;
    *\ ms) awk -v v="${st% ms}" 'BEGIN { exit !(v > 0 && v < 10) }' && ok "supervision time: $st (under 0.01 s in ms)" || bad "supervision time: ms only under 10 ms" "$st" ;;
esac

echo "== a history file that is not there"
sed -e "s|$D/history_2022.csv|$D/nowhere_2022.csv|" "$D/demo.cfg" > "$D/nohist.cfg"
"$BIN" settle --config "$D/nohist.cfg" --out "$D/nohist.h5" > "$D/nohist.txt" 2>&1
eq "missing history file: exit 4 (input)" "$?" 4
msg=$(cat "$D/nohist.txt")
has "missing history file: the file" "$msg" "$D/nowhere_2022.csv: cannot open the history file of 2022"
has "missing history file: the key and the configuration" "$msg" "(history[0].file in $D/nohist.cfg)"
case "$msg" in *input.records*) bad "missing history file: not blamed on input.records" "text: $msg" ;;
    *) ok "missing history file: not blamed on --input / input.records" ;; esac
[ -e "$D/nohist.h5" ] && bad "missing history file: no output written" || ok "missing history file: no output written"

echo "== simulate: the analyst's terminal"
printf 'simulate = { scenarios = ( { name = "identity"; }, { name = "up"; categories = { services = 1.10; exam = 0.9; }; },\n  { name = "fpv"; policy = "fixed_point_value"; categories = { services = 1.05; }; } ); };\n' > "$D/sim.inc"
sed -e '/^simulate = {/,$d' "$D/demo.cfg" > "$D/sim.cfg"; cat "$D/sim.inc" >> "$D/sim.cfg"
"$BIN" simulate --config "$D/sim.cfg" --out "$D/sim.h5" > "$D/sim.txt" 2>&1 || { cat "$D/sim.txt"; echo "FAIL: simulate"; exit 1; }
sim=$(cat "$D/sim.txt")
has "simulate: the DIP point value's unit" "$sim" "DIP point value (yuan/point)"
has "simulate: the DRG point value's unit" "$sim" "DRG point value (yuan/point)"
case "$sim" in *"point value (yuan) "*) bad "simulate: no point value in bare yuan" ;; *) ok "simulate: no point value in bare yuan" ;; esac
has "simulate identity: the static measurement in Chinese too" "$sim" "static measurement (静态测算): no price change"
has "simulate up: the effects named in Chinese" "$sim" "(价格效应 + 结构效应)"
has "simulate: what the default policy does" "$sim" "scenario up  (policy fixed_budget_rescored: 价值平移: the budget kept"
has "simulate: what fixed_point_value does" "$sim" "scenario fpv  (policy fixed_point_value: 点值不变: scores and the baseline's point value kept"
has "simulate: the multipliers in Chinese too" "$sim" "  multipliers (调价系数): bed=1.1, consult=1.1"

$PY - "$D" <<'PYEOF' || fails=$((fails + 1))
import sys, re, math, html, h5py, openpyxl
D = sys.argv[1]
fails = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else "  " + str(detail)[:400]))
    if not cond: fails.append(what)
def dec(b): return b.rstrip(b'\0').decode() if isinstance(b, bytes) else b
ZH = {'definite': '明确违规', 'highly_suspicious': '高度可疑', 'suspicious': '可疑', 'info': '提示'}   # domain.md §7
FZ = {'policy': '政策类', 'management': '管理类', 'medical': '医疗类'}

for tag in ('ex', 'pl'):
    f = h5py.File(f'{D}/{tag}.h5', 'r')
    txt = open(f'{D}/{tag}.txt', encoding='utf-8').read()
    ru = f['rules'][:]; zh = [x.decode() for x in f['rule_names'][:]]
    res = {v: k for k, v in h5py.check_enum_dtype(f['rules'].dtype['result']).items()}
    bad = []
    for r, z in zip(ru, zh):
        rid = dec(r['id'])
        if r['evaluated']:
            want = f"{int(r['hits'])}  {z}, {ZH[res[int(r['result'])]]}"
            line = [l for l in txt.splitlines() if l.startswith(f'  {rid} ') and l.endswith(want)]
        else:
            want = f"not evaluated: {dec(r['not_evaluated_because'])}  {z}, 未评估"
            line = [l for l in txt.splitlines() if l.startswith(f'  {rid} ') and l.endswith(want)]
        if len(line) != 1: bad.append((rid, want))
    check(f'{tag}: every rule line ends with its hits, /rule_names and the result type in Chinese (or 未评估 and why)', not bad, bad)
    # flagged cases not drawn into the sample
    fl = f['flags'][:]; fres = {v: k for k, v in h5py.check_enum_dtype(f['flags'].dtype['result']).items()}
    need = {int(l) for l, r in zip(fl['line'], fl['result']) if fres[int(r)] != 'info'}
    rs = f['review_sample'][:]; ren = {v: k for k, v in h5py.check_enum_dtype(f['review_sample'].dtype['reason']).items()}
    drawn = sum(1 for x in rs['reason'] if ren[int(x)] == 'flagged')
    m = re.search(r'(\d+) flagged (cases?) not drawn: flagged cases fill at most (\d+)% of an institution', txt)
    if len(need) > drawn:
        check(f'{tag}: "N flagged cases not drawn" = flagged cases - flagged sample rows ({len(need)} - {drawn})',
              m is not None and int(m.group(1)) == len(need) - drawn, m and m.group(0))
        check(f'{tag}: ... "1 flagged case", "N flagged cases"', m is not None and m.group(2) == ('case' if len(need) - drawn == 1 else 'cases'),
              m and m.group(0))
        share = f['review_sample'].attrs['sample_flagged_share']
        check(f'{tag}: ... the share named is sample_flagged_share', m is not None and int(m.group(3)) == round(100 * share), m and m.group(0))
    else:
        check(f'{tag}: no "not drawn" line when every flagged case is drawn', m is None, m and m.group(0))
    rate = f['review_sample'].attrs['sample_rate']
    cnt = {}
    for i in rs['institution_id']: cnt[dec(i)] = cnt.get(dec(i), 0) + 1
    under = [(dec(i['institution_id']), int(i['cases']), cnt.get(dec(i['institution_id']), 0)) for i in f['institutions'][:]
             if cnt.get(dec(i['institution_id']), 0) < math.ceil(rate * int(i['cases']) - 1e-9)]
    check(f'{tag}: the sample holds at least ceil({rate} x cases) of every institution', not under, under[:5])
    check(f'{tag}: the seed is printed', f"seed {int(f['review_sample'].attrs['sample_seed'])} (the same seed and input: the same sample)" in txt)
    # the 不达标 line: -N = 100 w / Σ w over the ranked (pointed) indicators
    w = dict((k, float(v.split('/')[0])) for k, v in re.findall(r'(\w+)=([\d.]+/\w+)', f['indicators'].attrs['rating'].decode()))
    ind = f['indicators'][:]
    inst = f['institutions'][:]
    rat = {v: k for k, v in h5py.check_enum_dtype(f['institutions'].dtype['rating']).items()}
    fails_inst = [dec(r['institution_id']) for r in inst if rat[int(r['rating'])] == 'fail']
    check(f'{tag}: a region with an institution rated 不达标 (the check below means something)', len(fails_inst) > 0)
    bad = []
    for iid in fails_inst[:10]:
        rows = [r for r in ind if dec(r['institution_id']) == iid and not math.isnan(r['points'])]
        W = sum(w.get(dec(r['indicator']), 0) for r in rows)
        lost = sorted(((100 * w[dec(r['indicator'])] / W, dec(r['indicator'])) for r in rows if r['points'] == 0), key=lambda x: -x[0])
        line = [l for l in txt.splitlines() if l.startswith(f'    {iid} ')]
        got = re.findall(r'-(\d+\.\d) (\w+) ', line[0]) if line else []
        want = [(f'{v:.1f}', c) for v, c in lost[:3]]
        if sorted(got) != sorted(want): bad.append((iid, got, want))
    check(f'{tag}: each 不达标 line names the indicators with points 0 and -100 w / Σ w of its ranked indicators', not bad, bad[:3])
    check(f'{tag}: the summary says what -N is', "-N = the points lost: 100 x its weight / the weights of the institution's ranked indicators" in txt)

# the workbook of the example (it has /institution_names)
f = h5py.File(f'{D}/ex.h5', 'r'); wb = openpyxl.load_workbook(f'{D}/ex.xlsx')
names = dict(zip([dec(x) for x in f['institutions']['institution_id']], [x.decode() for x in f['institution_names'][:]]))
def sheet(n):
    rows = list(wb[n].iter_rows(values_only=True))
    return [h.split(' → ')[0] for h in rows[0]], rows[0], rows[1:]
h, h0, rows = sheet('review_sample')
j = h.index('institution_id')
check('review_sample sheet: the name column follows institution_id', h0[j + 1] == 'institution name 机构名称 (from /institution_names)', h0)
bad = [r for r in rows if r[j + 1] != names[r[j]]]
check(f'review_sample sheet: every row\'s name = /institution_names of its institution ({len(rows)} rows)', rows and not bad, bad[:3])
# what drew the sample (/review_sample's attributes): the sheet sample_settings right after review_sample,
# and the seed and the rate in a comment on review_sample's first header cell
a = f['review_sample'].attrs
check('workbook: the sheet sample_settings follows review_sample', 'sample_settings' in wb.sheetnames and
      wb.sheetnames.index('sample_settings') == wb.sheetnames.index('review_sample') + 1, wb.sheetnames)
st = {r[0]: r[2] for r in list(wb['sample_settings'].iter_rows(values_only=True))[1:]} if 'sample_settings' in wb.sheetnames else {}
check('sample_settings: seed, rate and flagged share = /review_sample attributes',
      st.get('sample_seed') == int(a['sample_seed']) and st.get('sample_rate') == float(a['sample_rate'])
      and st.get('sample_flagged_share') == float(a['sample_flagged_share']) and st.get('method') == a['method'].decode(), st)
cm = wb['review_sample']['A1'].comment
want = 'seed 随机种子 %d, at least %.1f%% of each institution' % (int(a['sample_seed']), 100 * a['sample_rate'])
check('review_sample sheet: the header comment names the seed and the rate', cm is not None and want in cm.text, (cm and cm.text, want))
h, h0, rows = sheet('indicators')
inames = {}
for x in f['indicator_names'][:]:
    code, en, z = x.decode().split(' | ')
    inames[code] = f'{en} {z}'
j = h.index('institution_id'); k = h.index('indicator')
check('indicators sheet: institution name and indicator name columns',
      h0[j + 1] == 'institution name 机构名称 (from /institution_names)' and h0[k + 1] == 'indicator name 指标名称 (from /indicator_names)', h0)
bad = [r for r in rows if r[k + 1] != inames[r[k]] or (r[j] != '(region 统筹区)' and r[j + 1] != names[r[j]])
       or (r[j] == '(region 统筹区)' and r[j + 1] not in (None, ''))]
check(f'indicators sheet: names as /indicator_names and /institution_names say ({len(rows)} rows; the region\'s rows no name)', rows and not bad, bad[:3])
# the points lost per row (the report's 不达标 table and the terminal's -N), computed here from /indicators
LT = "points lost 扣分 (points 0: 100 × the indicator's weight ÷ the weights of the institution's ranked indicators; weights: /indicators attribute rating)"
check('indicators sheet: a points lost column after points', LT in h0 and h0.index(LT) == h0.index([x for x in h0 if x.split(' → ')[0] == 'points'][0]) + 1, h0)
lc = h0.index(LT) if LT in h0 else -1
w = dict((k, float(v.split('/')[0])) for k, v in re.findall(r'(\w+)=([\d.]+/\w+)', f['indicators'].attrs['rating'].decode()))
ind = f['indicators'][:]
W = {}
for r in ind:
    if not math.isnan(r['points']): W[dec(r['institution_id'])] = W.get(dec(r['institution_id']), 0) + w[dec(r['indicator'])]
want = [None if math.isnan(r['points']) else 100 * w[dec(r['indicator'])] / W[dec(r['institution_id'])] if r['points'] == 0 else 0
        for r in ind]
got = [r[lc] if lc >= 0 else 'missing' for r in rows]
bad = [(i, g, x) for i, (g, x) in enumerate(zip(got, want)) if (g is None) != (x is None) or (x is not None and abs(g - x) > 1e-9)]
check(f'indicators sheet: points lost = 100 w / Σ w of the institution\'s ranked rows on a row with points 0, else 0, blank unranked ({len(rows)} rows, {sum(1 for x in want if x)} lost)',
      len(got) == len(want) and any(want) and not bad, bad[:3])
rat = {v: k for k, v in h5py.check_enum_dtype(f['institutions'].dtype['rating']).items()}
tot = {}
for r, x in zip(ind, want):
    if x is not None: tot[dec(r['institution_id'])] = tot.get(dec(r['institution_id']), 0) + x
bad = [(dec(i['institution_id']), tot.get(dec(i['institution_id'])), i['rating_score']) for i in f['institutions'][:]
       if rat[int(i['rating'])] != 'not_rated' and abs(tot.get(dec(i['institution_id']), 0) - (100 - i['rating_score'])) > 1e-6]
check('indicators sheet: an institution\'s points lost sum to 100 - rating_score', not bad, bad[:3])
h, h0, rows = sheet('flags')
units = dict(zip([dec(x) for x in f['rules']['id']], [dec(x) for x in f['rules']['unit']]))
k = h.index('rule')
uc = h0.index('unit of figure and threshold 指标值与阈值的单位 (from /rules)') if 'unit of figure and threshold 指标值与阈值的单位 (from /rules)' in h0 else -1
check('flags sheet: a unit column', uc > k, h0)
bad = [r for r in rows if uc < 0 or r[uc] != units[r[k]]]
check(f'flags sheet: each flag\'s unit = /rules unit of its rule ({len(rows)} rows)', rows and not bad, bad[:3])
h, h0, rows = sheet('summary')
check('summary sheet: the point value in yuan/point', h0[h.index('point_value')] == 'point_value → point value (yuan/point) 点值', h0[h.index('point_value')])

# the report's rules table
s = open(f'{D}/ex.html', encoding='utf-8').read()
t = s[s.find('id="tab-rules"'):]; t = t[:t.find('</table>')]
trs = re.findall(r'<tr>(.*?)</tr>', t, re.S)
cells = [[html.unescape(re.sub(r'<[^>]+>', ' ', c)).split() for c in re.findall(r'<t[hd][^>]*>(.*?)</t[hd]>', tr, re.S)] for tr in trs]
head = [' '.join(c) for c in cells[0]]
check('report rules table: a Chinese title under each member and a 规则名称 column', 'name_zh 规则名称 (/rule_names)' in head
      and 'family 规则类别' in head and 'result 违规性质' in head and 'unit 指标值与阈值的单位' in head, head)
zi = head.index('name_zh 规则名称 (/rule_names)') if 'name_zh 规则名称 (/rule_names)' in head else 0
fi = head.index('family 规则类别') if 'family 规则类别' in head else 0
ri = head.index('result 违规性质') if 'result 违规性质' in head else 0
ru = f['rules'][:]; zh = [x.decode() for x in f['rule_names'][:]]
fam = {v: k for k, v in h5py.check_enum_dtype(f['rules'].dtype['family']).items()}
res = {v: k for k, v in h5py.check_enum_dtype(f['rules'].dtype['result']).items()}
bad = [(i, c) for i, (c, r) in enumerate(zip(cells[1:], ru))
       if ' '.join(c[zi]) != zh[i] or ' '.join(c[fi]) != f"{fam[int(r['family'])]} {FZ[fam[int(r['family'])]]}"
       or ' '.join(c[ri]) != f"{res[int(r['result'])]} {ZH[res[int(r['result'])]]}"]
check(f'report rules table: /rule_names, family and result with their Chinese, row by row ({len(cells) - 1} rows)',
      len(cells) - 1 == len(ru) and not bad, bad[:3])

# the report's indicators table: each institution's row starts with its name (/institution_names,
# cut at 36 bytes of UTF-8, on a character boundary, with …) and its id; each column head the indicator's code, English and Chinese name
t = s[s.find('id="tab-indicators"'):]; t = t[:t.find('</figure>')]
firsts = [html.unescape(re.sub(r'<[^>]+>', '', c)) for c in re.findall(r'<tr><td>(.*?)</td>', t, re.S)]
cut = lambda n: n if len(n.encode()) <= 36 else n.encode()[:36].decode(errors='ignore') + '…'
ids = [dec(x) for x in f['institutions']['institution_id']]
want = [f'{cut(names[i])} {i}' if names.get(i) else i for i in ids]
ntab = t.count('<table')
check(f'report indicators table: each row\'s first cell = the institution\'s name and id ({len(firsts)} rows, {ntab} tables)',
      ntab > 0 and firsts == want * ntab, (firsts[:3], want[:3]))
heads = [html.unescape(re.sub(r'<small.*?</small>', '', h)) for h in re.findall(r'<th><code>(.*?)</th>', t, re.S)]
heads = [re.sub(r'<[^>]+>', '|', h).replace('||', '|').strip('|') for h in heads]
check(f'report indicators table: each head = code | English | Chinese of /indicator_names ({len(heads)})',
      heads and all(h in [x.decode() .replace(' | ', '|') for x in f['indicator_names'][:]] for h in heads), heads[:3])

# the report's 不达标 table: the terminal's lines, as the report reads them from the file
for tag in ('ex', 'pl'):
    f = h5py.File(f'{D}/{tag}.h5', 'r')
    txt = open(f'{D}/{tag}.txt', encoding='utf-8').read()
    s = open(f'{D}/{tag}.html', encoding='utf-8').read()
    i = s.find('id="tab-rating-fail"')
    check(f'{tag} report: a table of the institutions rated 不达标', i > 0)
    t = s[i:s.find('</table>', i)]
    rows = {}
    for tr in re.findall(r'<tr>(.*?)</tr>', t, re.S)[1:]:
        td = [html.unescape(re.sub(r'<[^>]+>', '', c)) for c in re.findall(r'<td[^>]*>(.*?)</td>', tr, re.S)]
        rows[td[0].split()[-1]] = (td[1], re.findall(r'-(\d+\.\d) (\w+) ', td[2]))
    term = {}
    for l in txt.splitlines():
        m = re.match(r'    (H\S+) .*?\((\d+\.\d)\): (.*)', l) or re.match(r'    (H\S+) \((\d+\.\d)\): (.*)', l)
        if m: term[m.group(1)] = (m.group(2), re.findall(r'-(\d+\.\d) (\w+) ', m.group(3)))
    rat = {v: k for k, v in h5py.check_enum_dtype(f['institutions'].dtype['rating']).items()}
    failed = {dec(r['institution_id']) for r in f['institutions'][:] if rat[int(r['rating'])] == 'fail'}
    check(f'{tag} report: every institution rated fail in /institutions has its row ({len(failed)})', set(rows) == failed, (sorted(rows), sorted(failed)))
    # the terminal names the first 10 and at most 3 indicators each
    check(f'{tag} report: the 不达标 table = the terminal\'s lines (institution, score, points lost and indicator; {len(term)} lines)',
          term and all(k in rows and rows[k][0] == v[0] and rows[k][1][:3] == v[1] for k, v in term.items()), (rows, term))
# the report's sample cards: the rate per institution and the seed, from /review_sample's attributes
for tag in ('ex', 'pl'):
    f = h5py.File(f'{D}/{tag}.h5', 'r')
    s = open(f'{D}/{tag}.html', encoding='utf-8').read()
    fig = s[s.find('id="fig-review-sample"'):]; fig = fig[:fig.find('</figure>')]
    cards = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'<div class="k">(.*?)</div><div class="v">(.*?)</div>', fig)}
    a = f['review_sample'].attrs
    check(f'{tag} report: the sample\'s rate per institution = sample_rate', cards.get('at least, of each institution\'s cases 每机构至少') == '%.1f%%' % (100 * a['sample_rate']), cards)
    check(f'{tag} report: the sample\'s seed = sample_seed', cards.get('seed 随机种子 (the same seed and input: the same sample)') == str(int(a['sample_seed'])), cards)
    check(f'{tag} report: the sample named 复审抽查 as in the terminal', 're-review sample 复审抽查 (cases)' in cards, cards)
sys.exit(1 if fails else 0)
PYEOF
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
echo "auditor_trial: all checks passed"
