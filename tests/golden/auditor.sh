#!/bin/sh
# auditor.sh - an auditor's (稽核) trial of supervision as a user: what the
# terminal, the workbook (casemix export --xlsx, read with openpyxl) and the
# report show, each check against the HDF5 file read independently (h5py):
#  - settle prints the DIP / DRG totals with thousands separators, exact to the
#    4th decimal: /summary total_score_e4 / 10^4 grouped by the test itself;
#  - a duplicate case id of 34 characters (a national-platform id) is never cut
#    in its reject (the reason does not echo a cut id; case_id holds it whole);
#  - casemix month's default file: output.file "...-2025.h5" and --month 2025-03
#    give "...-2025-03.h5" (the year once), "out.h5" gives "out-2025-03.h5";
#  - the workbook: enum cells (rating, result, outlier, reason, family) show the
#    English name and the Chinese beside it; /indicators value, numerator,
#    region_value, previous_value get a number format per indicator (counts
#    integers, yuan #,##0.00, rates and shares 0.00%, indices 0.000); an empty
#    rejects sheet says that every row read was settled; a simulation's
#    NAME_grp sheets carry the group names of /group_names;
#  - gen --plant keeps every planted discharge in the generated year (no
#    WARNING that the export leaves the period when it is settled);
#  - the flags sheet: each flag's institution equals /cases' institution of
#    its line (h5py), its name /institution_names', the rule's names /rules'
#    name and /rule_names' (a planted region; the example, which has names);
#  - /review_sample's rules: each flagged row names the rules of its case's
#    /flags rows that are not info-only (from /flags by line, h5py), in rule
#    order; a random row none; the member as wide as the longest written; the
#    workbook's review_sample sheet and review_sample.csv the same;
#  - the region is 统筹区 wherever a user reads it: the indicators' label
#    "(region 统筹区)", the region_value title "region's value 统筹区值", the
#    report; no 全市 / 全区 in the workbook or the report;
#  - the indicator cases (a count) is always not_ranked: the workbook's
#    outlier cell, the report's column head and the /indicators attribute
#    not_ranked_because say it is a count, not ranked (计数不排名);
#  - R05 checked and no claim withheld: settle's, month's and simulate's
#    summaries and the report's three notes (settlement, ledger, scenarios)
#    say "none" (the HDF5 attributes, read with h5dump, are 0), not
#    "0 cases, claimed 0.00 yuan";
#  - the report prints the indicator counts (cases) as integers and leaves out
#    a chart whose bars are all zero (the identity scenario), with a note.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
D=$(pwd)/$TMP/auditor
rm -rf "$D"; mkdir -p "$D"

echo "== settle: the DIP total with thousands separators"
X=config/example
"$BIN" settle --config $X/region.cfg --out "$D/ex.h5" > "$D/ex.txt" 2>&1 || { cat "$D/ex.txt"; echo "FAIL: settle example"; exit 1; }
e4=$(h5cols "$D/ex.h5" /summary total_score_e4)
want=$(echo "$e4" | awk '{ i = int($1 / 10000); f = $1 - i * 10000; s = sprintf("%d", i); o = "";
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } printf "%s%s.%04d", s, o, f }')
has "summary: DIP total grouped" "$(grep 'DIP total' "$D/ex.txt")" " $want points"

echo "== a duplicate 34-character case id: whole, never cut"
# the example export's repeated settlement: its id is 34 characters
REJ=$(h5cols "$D/ex.h5" /rejects case_id field reason | grep '|case_id|duplicate')
id=$(echo "$REJ" | cut -d'|' -f1)
eq "the duplicate's id: 34 characters, whole in case_id" "${#id}" 34
case "$REJ" in *...*) bad "the duplicate's reason shows a cut id" "$REJ" ;; *) ok "no cut id in the reason" ;; esac
has "the reason names the first line" "$REJ" "first seen on line 6"
csvrow=$(grep "duplicate case id" "$(echo "$D/ex.h5" | sed 's/\.h5$//').rejects.csv")
has "rejects.csv: the whole id beside the reason" "$csvrow" "$id"
case "$csvrow" in *...*) bad "rejects.csv: a cut id" "$csvrow" ;; *) ok "rejects.csv: no cut id" ;; esac

echo "== casemix month: the default file name has the year once"
year_setup "$D/y" 600 || { echo "FAIL: gen"; exit 1; }
sed "s|output = { file = \"$D/y/out/settle.h5\"; };|output = { file = \"$D/y/out/settlement-410400-2025.h5\"; };|" "$D/y/year.cfg" > "$D/y/a.cfg"
grep -q "settlement-410400-2025.h5" "$D/y/a.cfg" || bad "test setup: output.file not replaced"
"$BIN" month --config "$D/y/a.cfg" --month 2025-03 --input "$D/y/gen/m03.csv" --quiet || bad "month 2025-03" "exit $?"
eq "month file: settlement-410400-2025-03.h5" "$(cd "$D/y/out" && ls settlement-410400-2025-*.h5 2>/dev/null | tr '\n' ' ')" \
    "settlement-410400-2025-03.h5 "
sed -e "s|$D/y/out/settle.h5|$D/y/out/out.h5|" -e "s|ledger-2025.h5|ledger-b.h5|" "$D/y/year.cfg" > "$D/y/b.cfg"
"$BIN" month --config "$D/y/b.cfg" --month 2025-03 --input "$D/y/gen/m03.csv" > "$D/y/b.txt" || bad "month 2025-03 (out.h5)" "exit $?"
eq "month file of output.file out.h5: out-2025-03.h5" "$([ -f "$D/y/out/out-2025-03.h5" ] && echo yes)" yes

echo "== R05 checked and nothing withheld: 'none', not '0 cases, claimed 0.00 yuan'"
h5attr() { h5dump -a "$2" "$1" | awk '$1 == "(0):" { print $2 }'; }
eq "test premise: the example withholds no duplicate (/rules attribute)" "$(h5attr "$D/ex.h5" /rules/duplicates_withheld)" 0
eq "test premise: the month withholds none (/months)" "$(h5cols "$D/y/out/ledger-b.h5" /months duplicates_withheld)" 0
printf 'simulate = { scenarios = ( { name = "identity"; } ); };\n' | cat "$D/y/year.cfg" - > "$D/y/sim.cfg"
"$BIN" simulate --config "$D/y/sim.cfg" --out "$D/y/sim.h5" > "$D/y/sim.txt" 2>&1 || { cat "$D/y/sim.txt"; bad "simulate" "exit $?"; }
eq "test premise: the simulation withholds none (/scenarios attribute)" "$(h5attr "$D/y/sim.h5" /scenarios/duplicates_withheld)" 0
for t in "settle:$D/ex.txt" "month:$D/y/b.txt" "simulate:$D/y/sim.txt"; do
    eq "${t%%:*}'s summary: the R05 line says none" "$(grep 'R05 duplicates withheld' "${t#*:}")" \
        "  R05 duplicates withheld from payment (重复结算不予支付): none"
done
"$BIN" report "$D/ex.h5" --out "$D/ex.html" --quiet || bad "report example" "exit $?"
"$BIN" report "$D/y/out/ledger-b.h5" --out "$D/y/ledger-b.html" --quiet || bad "report ledger" "exit $?"
"$BIN" report "$D/y/sim.h5" --out "$D/y/sim.html" --quiet || bad "report simulation" "exit $?"
for t in "withheld:$D/ex.html:none. Source: /rules" "withheld-months:$D/y/ledger-b.html:none in 1 month(s). Source: /months" \
         "withheld-scenarios:$D/y/sim.html:none. Source: /scenarios"; do
    id=${t%%:*}; r=${t#*:}; html=${r%%:*}; want=${r#*:}
    note=$(grep "id=\"$id\"" "$html")
    has "report note $id" "$note" "(重复结算不予支付)</b>: $want"
    case "$note" in *"0 cases"*|*"0.00 yuan"*) bad "report note $id: a claim of 0" "$note" ;; *) ok "report note $id: no 0 cases, no 0.00 yuan" ;; esac
done

echo "== the workbook of a clean settlement: the empty rejects sheet says why"
"$BIN" settle --config "$D/y/year.cfg" --out "$D/y/clean.h5" --quiet || bad "settle clean" "exit $?"
eq "test setup: the clean region has no rejects" "$(h5rows "$D/y/clean.h5" /rejects | grep -c . || true)" 0
"$BIN" export "$D/y/clean.h5" --xlsx "$D/y/clean.xlsx" --quiet || bad "export clean" "exit $?"
if $PY -c 'import openpyxl, h5py' 2>/dev/null; then
    eq "rejects sheet: the note under the header" \
        "$($PY -c 'import sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1])["rejects"]; print(ws.max_row, ws["A2"].value)' "$D/y/clean.xlsx")" \
        "2 no rejects: every row read was settled (无剔除记录：读入的每一行均已结算)"
fi

echo "== a supervised region with planted patterns: workbook and report as an auditor reads them"
G=$D/g; mkdir -p "$G"
sed -e "s|\.\./build/demo/|$G/|g" -e "s|\"demo/|\"$(pwd)/config/demo/|g" config/demo.cfg > "$G/demo.cfg"
"$BIN" gen --config "$G/demo.cfg" --out "$G" --quiet --cases 3000 --history-cases 3000 --fees --plant 0.03 || { echo "FAIL: gen"; exit 1; }
# gen's own line for current.csv counts the planted rows (it said 3000 for a file of 3000 + planted)
"$BIN" gen --config "$G/demo.cfg" --out "$G/p2" --cases 3000 --history-cases -1 --plant 0.03 > "$G/gen.out" || bad "gen" "exit $?"
eq "gen --plant: the rows printed for current.csv = the file's rows" \
    "$(sed -n 's|.*/current.csv: \([0-9]*\) rows.*|\1|p' "$G/gen.out")" "$(($(wc -l < "$G/p2/current.csv") - 1))"
# the planted rows (case ids PL...) stay in the generated year: settle has no dates-outside-the-period WARNING
eq "planted rows discharged outside 2025" "$(awk -F, 'NR > 1 && $1 ~ /^PL/ && substr($11, 1, 4) != "2025"' "$G/current.csv" | wc -l | tr -d ' ')" 0
"$BIN" settle --config "$G/demo.cfg" --out "$G/s.h5" --quiet 2> "$G/settle.err" || { cat "$G/settle.err"; echo "FAIL: settle"; exit 1; }
eq "settle of a planted region: no WARNING on stderr" "$(grep -c WARNING "$G/settle.err" || true)" 0
"$BIN" export "$G/s.h5" --xlsx "$G/s.xlsx" --quiet || bad "export" "exit $?"
"$BIN" report "$G/s.h5" --out "$G/s.html" --quiet || bad "report" "exit $?"
"$BIN" export "$G/s.h5" --csv "$G/csv" --tables review_sample --quiet || bad "export --csv review_sample" "exit $?"
"$BIN" simulate --config "$G/demo.cfg" --out "$G/sim.h5" --quiet || { echo "FAIL: simulate"; exit 1; }
"$BIN" export "$G/sim.h5" --xlsx "$G/sim.xlsx" --quiet || bad "export sim" "exit $?"
"$BIN" report "$G/sim.h5" --out "$G/sim.html" --quiet || bad "report sim" "exit $?"
if $PY -c 'import openpyxl, h5py' 2>/dev/null; then
$PY - "$G" <<'PYEOF' || fails=$((fails + 1))
import sys, re, math, html, h5py, openpyxl
G = sys.argv[1]
fails = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else "  " + str(detail)[:400]))
    if not cond: fails.append(what)
f = h5py.File(f'{G}/s.h5', 'r'); wb = openpyxl.load_workbook(f'{G}/s.xlsx')
def sheet(name):
    rows = list(wb[name].iter_rows())
    head = [c.value.split(' → ')[0] for c in rows[0]]
    return head, rows[1:]
def enum_names(ds, m):
    en = {v: k for k, v in h5py.check_enum_dtype(ds.dtype[m]).items()}
    return [en[int(x)] for x in ds[m]]
# the Chinese of each enum name, written out here (README, domain.md §7), not read from casemix
ZH = {'rating': {'excellent': '优秀', 'good': '良好', 'pass': '合格', 'fail': '不达标', 'not_rated': '未评级'},
      'result': {'definite': '明确违规', 'highly_suspicious': '高度可疑', 'suspicious': '可疑', 'info': '提示'},
      'family': {'policy': '政策类', 'management': '管理类', 'medical': '医疗类'},
      'reason': {'flagged': '疑点病例', 'random': '随机抽取'},
      'outlier': {'none': '无异常', 'high': '高值异常', 'low': '低值异常', 'not_ranked': '未排名'}}
# the indicators never ranked, and why (README, METHODS: a count is not ranked, nor budget progress)
NEVER = {'cases': 'a count, not ranked 计数不排名', 'budget_progress': 'budget progress, not ranked 总额进度不排名',
         'budget_gap': 'budget progress, not ranked 总额进度不排名'}
for table, m in (('institutions', 'rating'), ('flags', 'result'), ('rules', 'result'), ('rules', 'family'),
                 ('review_sample', 'reason'), ('indicators', 'outlier')):
    head, rows = sheet(table)
    got = [r[head.index(m)].value for r in rows]
    want = [f'{n} {ZH[m][n]}' for n in enum_names(f[table], m)]
    if table == 'indicators':   # never ranked by design (a count, budget progress): the reason beside not_ranked
        codes = [x.decode() for x in f['indicators']['indicator']]
        want = [w + (f' ({NEVER[c]})' if w.startswith('not_ranked') and c in NEVER else '') for w, c in zip(want, codes)]
    check(f'{table}.{m}: every cell "English 中文" ({len(want)} rows, e.g. {want[0] if want else ""})', got == want,
          [(g, w) for g, w in zip(got, want) if g != w][:3])
# /review_sample rules: a flagged row names the rules of its case's /flags rows that are not info (rule
# order, "R01 R02"); a random row none; the width the longest written; the same in the sheet and the CSV
import csv
fl = f['flags'][:]
res = {v: k for k, v in h5py.check_enum_dtype(f['flags'].dtype['result']).items()}
serious = {}
for d in fl:
    if res[int(d['result'])] != 'info': serious.setdefault(int(d['line']), set()).add(d['rule'].decode())
rs = f['review_sample']
why = {v: k for k, v in h5py.check_enum_dtype(rs.dtype['reason']).items()}
check('review_sample: a member rules', 'rules' in (rs.dtype.names or ()), rs.dtype.names)
if 'rules' in (rs.dtype.names or ()):
    sam = rs[:]
    want = [' '.join(sorted(serious.get(int(d['line']), ()))) if why[int(d['reason'])] == 'flagged' else '' for d in sam]
    got = [d['rules'].decode() for d in sam]
    nfl = sum(1 for d in sam if why[int(d['reason'])] == 'flagged')
    check(f'review_sample.rules = the non-info rules of the case in /flags ({nfl} flagged rows, '
          f'{sum(1 for w in want if " " in w)} with two rules or more), "" for a random row',
          got == want and nfl > 0 and all(want[i] for i, d in enumerate(sam) if why[int(d['reason'])] == 'flagged') and
          any(' ' in w for w in want), [(g, w) for g, w in zip(got, want) if g != w][:3])
    check('review_sample.rules: width the longest written', rs.dtype['rules'].itemsize == max(1, max(map(len, want))),
          (rs.dtype['rules'].itemsize, max(map(len, want))))
    head, rows = sheet('review_sample')
    check('review_sample sheet: a rules column titled in English and Chinese', 'rules' in head and
          '入样' in [c.value for c in list(wb['review_sample'].iter_rows())[0]][head.index('rules')], head)
    if 'rules' in head:
        cells = [r[head.index('rules')].value or '' for r in rows]
        check('review_sample sheet: each row\'s rules = /review_sample\'s', cells == got, [(a, b) for a, b in zip(cells, got) if a != b][:3])
    with open(f'{G}/csv/review_sample.csv', encoding='utf-8-sig', newline='') as fh:
        cr = list(csv.reader(fh))
    ch = [h.split(' → ')[0] for h in cr[0]]
    check('review_sample.csv: each row\'s rules = /review_sample\'s', 'rules' in ch and
          [r[ch.index('rules')] for r in cr[1:]] == got, ch)
# shares in %, the rating score to one decimal, a flag's figure and threshold to at most 3 decimals
for table, members, fmt in (('institutions', ('share_services', 'share_drugs', 'share_exams'), '0.00%'),
                            ('institutions', ('rating_score',), '0.0'), ('flags', ('figure', 'threshold'), '#,##0.###')):
    head, rows = sheet(table)
    for m in members:
        cells = [r[head.index(m)] for r in rows if r[head.index(m)].value is not None]
        check(f'{table}.{m}: number format {fmt} ({len(cells)} cells)', cells and all(c.number_format == fmt for c in cells),
              [c.number_format for c in cells[:2]])
# /indicators: a number format per indicator, the values unchanged
head, rows = sheet('indicators')
ind = f['indicators'][:]
COUNT = {'cases'}
RATE = {'drg_grouping_rate', 'cost_outlier_rate', 'blank_rate', 'mcc_cc_share', 'low_risk_mortality'} | \
       {f'r{k:02d}_rate' for k in range(1, 14)}
SHARE = {'fund_ratio', 'self_pay_ratio', 'share_services', 'share_drugs', 'share_exams'}
def want_fmt(code, m):
    if code in COUNT: return '#,##0'
    if code in RATE: return '0.00%' if m != 'numerator' else '#,##0'
    if code in SHARE: return '0.00%' if m != 'numerator' else '#,##0.00'
    if code == 'cost_per_case': return '#,##0.00'
    if code in ('cost_index', 'time_index'): return '0.000' if m != 'numerator' else '#,##0.000'
    return None
bad, seen = [], set()
for r, d in zip(rows, ind):
    code = d['indicator'].decode()
    for m in ('value', 'numerator', 'region_value'):
        c = r[head.index(m)]
        if isinstance(d[m], float) and math.isnan(d[m]): continue
        w = want_fmt(code, m)
        if w is None: continue
        seen.add(code)
        if c.number_format != w or abs(c.value - float(d[m])) > 1e-9 * max(1, abs(float(d[m]))): bad.append((code, m, c.value, c.number_format, w))
check(f'indicators: value / numerator / region_value formats per indicator ({len(seen)} indicators)', not bad and
      {'cases', 'cost_per_case', 'fund_ratio', 'r01_rate', 'cost_index'} <= seen, bad[:4])
regs = [r[head.index('institution_id')].value for r, d in zip(rows, ind) if d['institution_id'] == b'']
check(f'indicators: the region\'s rows ({len(regs)}) say so in the institution column', regs and all(v == '(region 统筹区)' for v in regs), regs[:2])
# one term for the region where a user reads it: 统筹区 (the pooling region), never 全市 / 全区
title = [c.value for c in list(wb['indicators'].iter_rows())[0]][head.index('region_value')]
check('indicators sheet: region_value titled "region\'s value 统筹区值"', "region's value 统筹区值" in title, title)
other = [(ws.title, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
         if isinstance(c.value, str) and ('全市' in c.value or '全区' in c.value)]
check('workbook: no cell says 全市 or 全区', not other, other[:3])
text_all = open(f'{G}/s.html', encoding='utf-8').read()
check('report: no 全市 or 全区; the region is 统筹区', '全市' not in text_all and '全区' not in text_all and
      'region 统筹区' in text_all, re.findall(r'.{20}(?:全市|全区).{20}', text_all)[:3])
g = [r[head.index('growth')] for r, d in zip(rows, ind) if d['indicator'] == b'share_drugs' and not math.isnan(d['growth'])]
check('indicators: growth of a share in percentage points', g and all(c.number_format.endswith('" pp"') for c in g), [c.number_format for c in g[:2]])
g = [r[head.index('growth')] for r, d in zip(rows, ind) if d['indicator'] == b'cases' and not math.isnan(d['growth'])]
check('indicators: growth of cases relative, in %', g and all(c.number_format == '0.00%' for c in g), [c.number_format for c in g[:2]])
# the cases indicator: not_ranked on every row, the sheet says it is a count, the report's column and /indicators too
cr = [(r, d) for r, d in zip(rows, ind) if d['indicator'] == b'cases']
oen = {v: k for k, v in h5py.check_enum_dtype(f['indicators'].dtype['outlier']).items()}
check(f'indicators: cases not_ranked on all its {len(cr)} rows (test premise)', cr and all(oen[int(d['outlier'])] == 'not_ranked' for _, d in cr))
check('indicators sheet: cases\' outlier cells say "a count, not ranked 计数不排名"',
      all(r[head.index('outlier')].value == 'not_ranked 未排名 (a count, not ranked 计数不排名)' for r, _ in cr),
      [r[head.index('outlier')].value for r, _ in cr[:2]])
nrb = f['indicators'].attrs.get('not_ranked_because', b'')
nrb = nrb.decode() if isinstance(nrb, bytes) else str(nrb)
check('/indicators attribute not_ranked_because names cases as a count', 'cases never (a count, not ranked 计数不排名)' in nrb, nrb)
rep = open(f'{G}/s.html', encoding='utf-8').read()
th = re.search(r'<th><code>cases</code>(.*?)</th>', rep)
check('report: the cases column says "a count, not ranked 计数不排名"', th and 'a count, not ranked 计数不排名' in th.group(1), th.group(0) if th else None)
# the simulation: every NAME_grp sheet names its groups as /groups and /group_names of the settlement do
names = dict(zip([x.decode() for x in f['groups']['code']], [x.decode() for x in f['group_names'][:]]))
s = h5py.File(f'{G}/sim.h5', 'r'); sw = openpyxl.load_workbook(f'{G}/sim.xlsx')
for n in sorted(s['scenarios'].keys()):
    ws = sw[f'{n}_grp']
    rows = list(ws.iter_rows(values_only=True))
    check(f'{n}_grp: a group-name column after the code', rows[0][1] is not None and '病种名称' in rows[0][1], rows[0][:3])
    bad = [(r[0], r[1]) for r in rows[1:] if r[1] != names.get(r[0])]
    check(f'{n}_grp: each group named as in the settlement ({len(rows) - 1} groups)', not bad and len(rows) > 2, bad[:3])
# the report: the indicators' counts as integers, per-case cost to the fen
text = open(f'{G}/s.html', encoding='utf-8').read()
reg = {d['indicator'].decode(): d['region_value'] for d in ind if d['institution_id'] == b''}
m = re.search(r'<tr class="region"><td>region 统筹区</td>(.*?)</tr>', text)
cells = re.findall(r'<td class="n">([^<]*)</td>', m.group(1)) if m else []
check('report: the region row starts with cases as an integer, per-case cost in yuan to the fen',
      cells[:2] == [f"{int(reg['cases']):,}", f"{reg['cost_per_case']:,.2f}"], (cells[:2], reg.get('cases')))
fig = text.split('id="tab-indicators"')[1].split('</table>')[0] if 'id="tab-indicators"' in text else ''
cases = {d['institution_id'].decode(): int(d['value']) for d in ind if d['indicator'] == b'cases' and d['institution_id']}
got = {m.group(1): m.group(2) for m in re.finditer(r'<tr><td>([^<]+)</td><td class="n[^"]*">([^<]*)', fig)}
check(f'report: each institution\'s cases an integer with separators ({len(got)} rows)',
      got and all(got.get(k) == f'{v:,}' for k, v in cases.items()), [(k, got.get(k), v) for k, v in cases.items() if got.get(k) != f'{v:,}'][:3])
# the simulation's report: a chart of the payment change only when some payment moves
st = open(f'{G}/sim.html', encoding='utf-8').read()
for n in sorted(s['scenarios'].keys()):
    for sch in ('dip', 'drg'):
        moved = any(int(x) != 0 for x in s[f'scenarios/{n}/institutions'][f'diff_{sch}_payment_fen'])
        chart = f'id="scenario-{n}-{sch}"' in st
        note = re.search(rf'<p class="note" id="note-scenario-{n}-{sch}">[^<]*no chart', st) is not None
        check(f'sim report {n} {sch}: {"a chart" if moved else "a note, no chart of zero bars"}', (chart, note) == (moved, not moved), (chart, note))
check('sim report: the identity scenario moves nothing (test premise)', 'identity' in s['scenarios'] and
      not any(int(x) for x in s['scenarios/identity/institutions']['diff_dip_payment_fen']))
sys.exit(1 if fails else 0)
PYEOF
else
    echo "skip: /usr/bin/python3 lacks openpyxl or h5py (the workbook and report checks)"
fi
echo "== the flags sheet: each flag with its case's institution and the rule's names"
"$BIN" export "$D/ex.h5" --xlsx "$D/ex.xlsx" --quiet || bad "export example" "exit $?"
if $PY -c 'import openpyxl, h5py' 2>/dev/null; then
$PY - "$G/s.h5" "$G/s.xlsx" "$D/ex.h5" "$D/ex.xlsx" <<'PYEOF' || fails=$((fails + 1))
import sys, h5py, openpyxl
fails = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else "  " + str(detail)[:400]))
    if not cond: fails.append(what)
for h5, xl in zip(sys.argv[1::2], sys.argv[2::2]):
    f = h5py.File(h5, 'r')
    rows = list(openpyxl.load_workbook(xl)['flags'].iter_rows(values_only=True))
    head = [h.split(' → ')[0] for h in rows[0]]
    col = {k: head.index(t) for k, t in (('line', 'line'), ('rule', 'rule'), ('inst', 'institution 机构 (from /cases)'),
           ('en', 'rule name 规则名称 (from /rules)'), ('zh', 'rule name, Chinese 规则中文名称 (from /rule_names)')) if t in head}
    # independently: the institution of each line from /cases, the names from /institutions + /institution_names, /rules + /rule_names
    cases = f['cases'][:]
    inst_of = dict(zip(cases['line'].tolist(), [x.decode() for x in cases['institution_id']]))
    has_names = 'institution_names' in f
    if has_names:
        iname = dict(zip([x.decode() for x in f['institutions']['institution_id']], [x.decode() for x in f['institution_names'][:]]))
        col['name'] = head.index('institution name 机构名称 (from /institution_names)') if 'institution name 机构名称 (from /institution_names)' in head else None
    rules = f['rules'][:]
    en = dict(zip([x.decode() for x in rules['id']], [x.decode() for x in rules['name']]))
    zh = dict(zip([x.decode() for x in rules['id']], [x.decode() for x in f['rule_names'][:]]))
    fl = f['flags'][:]
    check(f'{xl}: the flags sheet has the institution and rule-name columns', len(col) == 5 + has_names and None not in col.values(), head)
    if len(col) != 5 + has_names or None in col.values(): continue
    body = rows[1:]
    check(f'{xl}: one sheet row per /flags row ({len(fl)}), in its order', len(body) == len(fl) and len(fl) > 0 and
          all(r[col['line']] == int(d['line']) and r[col['rule']] == d['rule'].decode() for r, d in zip(body, fl)), (len(body), len(fl)))
    bad = [(r[col['line']], r[col['inst']], inst_of.get(r[col['line']])) for r in body if r[col['inst']] != inst_of.get(r[col['line']])]
    check(f'{xl}: each flag\'s institution = /cases\' institution of its line ({len(body)} rows, '
          f'{len(set(r[col["inst"]] for r in body))} institutions)', not bad, bad[:3])
    if has_names:
        bad = [(r[col['inst']], r[col['name']]) for r in body if r[col['name']] != iname.get(r[col['inst']])]
        check(f'{xl}: each flag\'s institution name = /institution_names\'', not bad and all(r[col['name']] for r in body), bad[:3])
    bad = [(r[col['rule']], r[col['en']], r[col['zh']]) for r in body if (r[col['en']], r[col['zh']]) != (en[r[col['rule']]], zh[r[col['rule']]])]
    check(f'{xl}: each flag\'s rule names = /rules name and /rule_names ({len(set(r[col["rule"]] for r in body))} rules)', not bad, bad[:3])
sys.exit(1 if fails else 0)
PYEOF
fi
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
echo "auditor: all checks passed"
