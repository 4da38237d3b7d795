#!/bin/sh
# report_browser.sh - casemix report in a browser: `make demo`'s run (bench/
# demo.sh, which ends with the report and the workbook) and its report
# loaded by headless Chromium:
#   - the DOM Chromium built (--dump-dom) has every section and figure, each
#     chart's SVG elements (a bar per institution, the histogram's bins and
#     thresholds, the region's lines) and a caption naming its dataset;
#   - the CJK font of the stack is installed (fc-match), so the Chinese
#     labels render;
#   - printed to PDF (A4): one page or more per section (the page breaks);
#   - the simulation report: the 4 demo scenarios (DOM), its screenshot
#     $BUILD/demo/report-simulation.png;
#   - a screenshot kept as the artefact: $BUILD/demo/report.png (and the PDF,
#     $BUILD/demo/report.pdf).
# Chromium and fonts-noto-cjk are installed when missing (tests/deps.sh
# browser); where they cannot be, the test is skipped with one line.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
have_browser() { command -v chromium >/dev/null 2>&1 && fc-match "Noto Sans CJK SC" 2>/dev/null | grep -qi "Noto Sans CJK"; }
have_browser || sh tests/deps.sh browser >/dev/null 2>&1 || true
if ! have_browser; then
    echo "SKIP: chromium and fonts-noto-cjk are not installed and could not be (sudo apt-get install chromium fonts-noto-cjk)"
    exit 77
fi
$PY -c 'import h5py' 2>/dev/null || { echo "SKIP: /usr/bin/python3 lacks h5py (make deps-test)"; exit 77; }
D=$(pwd)/$TMP/report_browser
rm -rf "$D"; mkdir -p "$D"
ART=${BUILD:-build}/demo
CASEMIX_BIN=$BIN sh bench/demo.sh > "$D/demo.txt" 2>&1
H5=build/demo/settlement-410400-2025.h5
HTML=build/demo/settlement-410400-2025.html
has "make demo prints the report's path" "$(tail -3 "$D/demo.txt")" "$HTML"
has "make demo prints the workbook's path" "$(cat "$D/demo.txt")" "build/demo/settlement-410400-2025.xlsx"
[ -s "$HTML" ] && ok "the report exists" || bad "no report at $HTML"
URL="file://$(pwd)/$HTML"
CHROME="chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions --disable-dev-shm-usage --hide-scrollbars"
mkdir -p "$ART"
# three browsers side by side (each mostly waits while starting)
rm -f "$ART/report.png" "$ART/report.pdf"
timeout 120 $CHROME --user-data-dir="$D/p1" --dump-dom "$URL" > "$D/dom.html" 2> "$D/chromium1.txt" &
timeout 120 $CHROME --user-data-dir="$D/p2" --window-size=1000,11000 --screenshot="$ART/report.png" "$URL" > "$D/chromium2.txt" 2>&1 &
timeout 120 $CHROME --user-data-dir="$D/p3" --no-pdf-header-footer --print-to-pdf="$ART/report.pdf" "$URL" > "$D/chromium3.txt" 2>&1 &
wait
# the simulation's report: every scenario of the demo (its DOM and a screenshot, $ART/report-simulation.png)
SURL="file://$(pwd)/build/demo/settlement-410400-2025.simulation.html"
rm -f "$ART/report-simulation.png"
timeout 120 $CHROME --user-data-dir="$D/p4" --dump-dom "$SURL" > "$D/simdom.html" 2> "$D/chromium4.txt" &
timeout 120 $CHROME --user-data-dir="$D/p5" --window-size=1000,3000 --screenshot="$ART/report-simulation.png" "$SURL" > "$D/chromium5.txt" 2>&1 &
wait

PYTHONPATH=tests/golden $PY - "$D/dom.html" "$H5" "$ART/report.png" "$ART/report.pdf" "$D/simdom.html" \
    build/demo/settlement-410400-2025.simulation.h5 "$ART/report-simulation.png" <<'PYEOF'
import sys, re, os, h5py
from report_check import *
dom, h5, png, pdf, simdom, simh5, simpng = sys.argv[1:]
c = Checker('chromium')
text = open(dom, encoding='utf-8').read()
c.check('Chromium dumped a DOM', len(text) > 10000, len(text))
f = h5py.File(h5, 'r')
inst = f['institutions'][:]
t = Tree(text)
SECTIONS = ['summary', 'payments', 'cost-ratios', 'price-structure', 'drg-cmi', 'supervision', 'indicators', 'rejects']
FIGS = ['fig-summary', 'fig-payments-dip', 'fig-payments-drg', 'fig-cost-ratio', 'fig-price-structure', 'fig-cmi',
        'fig-flags-rule', 'fig-flags-inst', 'fig-review-sample', 'tab-rules', 'fig-rating', 'tab-indicators', 'tab-rejects', 'tab-quality']
ids = [n.attrs.get('id') for n in t.root.find_all('section')]
for s in SECTIONS: c.check(f'DOM: section #{s}', s in ids, ids)
for fid in FIGS:
    fig = list(t.root.find_all('figure', id=fid))
    c.check(f'DOM: figure #{fid} with a caption naming its dataset', len(fig) == 1 and
            re.search(r'source: /\w', ''.join(n.alltext() for n in fig[0].find_all('figcaption'))))
n = min(len(inst), 60)
for sid in ('payments-dip', 'payments-drg', 'cmi'):
    s = svg_of(t, sid)
    c.check(f'DOM: #{sid} has {n} bars', s is not None and len(list(s.find_all('rect', cls='bar'))) == n)
hs = svg_of(t, 'cost-ratio')
nb = int(round((f['cases'].attrs['outlier_special'] + 1) / 0.1)) + 1
c.check(f'DOM: histogram has {nb} bins', hs is not None and len(list(hs.find_all('rect', cls='hist'))) == nb)
c.check('DOM: histogram has the 3 outlier thresholds', hs is not None and len(list(hs.find_all('line', cls='threshold'))) == 3)
ps = svg_of(t, 'svg-price-structure')
c.check('DOM: price structure: 3-4 segments per institution and the region\'s 2 lines', ps is not None and
        3 * n <= len(list(ps.find_all('rect', cls='seg'))) <= 4 * n and len(list(ps.find_all('line', cls='region-line'))) == 2)
c.check('DOM: no script, link or image', not any(True for tg in ('script', 'link', 'img', 'iframe') for _ in t.root.find_all(tg)))
c.check('DOM: Chinese labels', re.search(r'[\u4e00-\u9fff]', text) is not None)
cases = [x.decode() for x in f['cases']['case_id']]
c.check('DOM: no case id', not any(x in text for x in cases[:5000]))
c.check(f'screenshot {png}', os.path.exists(png) and os.path.getsize(png) > 50000 and open(png, 'rb').read(8) == b'\x89PNG\r\n\x1a\n')
pages = len(re.findall(rb'/Type\s*/Page\b', open(pdf, 'rb').read())) if os.path.exists(pdf) else 0
c.check(f'PDF (A4): {pages} pages, at least one per section ({len(SECTIONS)})', pages >= len(SECTIONS), pages)
st = Tree(open(simdom, encoding='utf-8').read())
names = h5py.File(simh5, 'r')['scenarios'].attrs['names']   # the configuration's order (report.c, as simulate)
names = (names.decode() if isinstance(names, bytes) else str(names)).split(',')
c.check(f'simulation DOM: the demo\'s 4 scenarios {names}, each with its table, payment charts and measurement',
        len(names) == 4 and [n.alltext() for n in st.root.find_all('h3')] == names and
        all(len(list(st.root.find_all('figure', id=f'{p}{n}{q}'))) + len(list(st.root.find_all('p', id=f'note-{p[4:]}{n}{q}'))) == 1
            for n in names
            for p, q in (('tab-scenario-', ''), ('fig-scenario-', '-dip'), ('fig-scenario-', '-drg'), ('tab-measurement-', ''))),
        [n.alltext() for n in st.root.find_all('h3')])
c.check(f'screenshot {simpng}', os.path.exists(simpng) and os.path.getsize(simpng) > 50000)
print(f'{len(c.fails)} failed' if c.fails else 'all checks passed')
sys.exit(1 if c.fails else 0)
PYEOF
[ "$fails" = 0 ] || { echo "$fails failed:$failed"; exit 1; }
echo "report_browser: all checks passed; screenshots $ART/report.png, $ART/report-simulation.png, PDF $ART/report.pdf"
