"""report_check.py - checks of a casemix report's HTML (tests/golden/report.sh
and report_browser.sh): the structure (sections, figures, chart elements,
captions naming their dataset), self-containment (no URL, script, link or
external resource) and privacy (no patient id or case id), against the HDF5
file it was made from (read with h5py: an independent computation of every
number checked)."""
import html.parser, re, sys

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], ''
    def iter(self):
        yield self
        for k in self.kids:
            yield from k.iter()
    def find_all(self, tag=None, cls=None, id=None):
        for n in self.iter():
            if tag and n.tag != tag: continue
            if cls and cls not in (n.attrs.get('class') or '').split(): continue
            if id and n.attrs.get('id') != id: continue
            yield n
    def alltext(self):
        return self.text + ''.join(k.alltext() for k in self.kids)

VOID = {'meta', 'br', 'img', 'input', 'link', 'hr', 'wbr'}

class Tree(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node('#root', {}, None)
        self.cur = self.root
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID: self.cur = n
    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))
    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag: n = n.parent
        if n is not None and n.parent is not None: self.cur = n.parent
    def handle_data(self, data):
        self.cur.kids.append(Node('#text', {}, self.cur)); self.cur.kids[-1].text = data

class Checker:
    def __init__(self, label):
        self.label, self.fails = label, []
    def check(self, what, cond, detail=''):
        print(('ok: ' if cond else 'FAIL: ') + self.label + ': ' + what + ('' if cond else '  ' + str(detail)[:300]))
        if not cond: self.fails.append(what)

def yuan(fen):
    fen = int(fen); s = '-' if fen < 0 else ''; a = abs(fen)
    return s + '{:,}'.format(a // 100) + '.%02d' % (a % 100)

def structure(c, text, sections, figures):
    """every section and figure, each figure with a chart or table and a
    caption naming its dataset; self-contained; print styles; CJK fonts."""
    t = Tree(text)
    ids = [n.attrs.get('id') for n in t.root.find_all('section')]
    for s in sections:
        c.check(f'section #{s}', s in ids, ids)
    for fid in figures:
        fig = list(t.root.find_all('figure', id=fid))
        c.check(f'figure #{fid}', len(fig) == 1, len(fig))
        if not fig: continue
        fig = fig[0]
        has = any(True for _ in fig.find_all('svg')) or any(True for _ in fig.find_all('table')) or \
            any(True for _ in fig.find_all(cls='cards'))
        c.check(f'#{fid}: a chart, table or cards', has)
        cap = [n.alltext() for n in fig.find_all('figcaption')]
        c.check(f'#{fid}: caption names its dataset ("source: /...")', len(cap) == 1 and re.search(r'source: /\w', cap[0]), cap)
        c.check(f'#{fid}: caption in English and Chinese', cap and re.search(r'[A-Za-z]', cap[0]) and re.search(r'[\u4e00-\u9fff]', cap[0]), cap)
    for fig in t.root.find_all('figure'):
        c.check(f'every figure is expected: #{fig.attrs.get("id")}', fig.attrs.get('id') in figures or fig.attrs.get('id','').startswith(('fig-scenario-', 'tab-scenario-', 'tab-measurement-')))
    # self-contained: no URL, script, link, image, iframe; no JavaScript
    low = text.lower()
    c.check('no external URL', not re.search(r'(https?:|ftp:|//[a-z0-9.-]+\.[a-z]{2,}/|url\()', low), re.findall(r'.{30}(?:https?:|url\().{30}', low)[:3])
    for tag in ('script', 'link', 'img', 'iframe', 'object', 'embed'):
        c.check(f'no <{tag}>', not any(True for _ in t.root.find_all(tag)))
    c.check('no event handler attributes', not re.search(r'\son[a-z]+\s*=', low))
    c.check('charset utf-8', '<meta charset="utf-8">' in text)
    c.check('A4 print styles with page breaks', '@page{size:A4' in text and '@media print' in text and 'break-before:page' in text)
    c.check('CJK font stack', '"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif' in text)
    cells = [td.alltext() for td in t.root.find_all('td')]
    c.check('no table cell in exponent notation (2.677768613e+10)', not [x for x in cells if re.search(r'\de[+-]?\d', x)],
            [x for x in cells if re.search(r'\de[+-]?\d', x)][:3])
    c.check('starts with the casemix mark', text.startswith('<!DOCTYPE html>\n<!-- casemix report -->\n'))
    return t

def well_formed(c, text, label=''):
    """every element casemix opens is closed, in order (casemix closes <p>, <tr>, <td> too), and
    no id twice in the document"""
    class B(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True); self.st, self.bad, self.ids = [], [], {}
        def _id(self, attrs):
            i = dict(attrs).get('id')
            if i is not None: self.ids[i] = self.ids.get(i, 0) + 1
        def handle_starttag(self, tag, attrs):
            self._id(attrs)
            if tag not in VOID: self.st.append(tag)
        def handle_startendtag(self, tag, attrs):
            self._id(attrs)
        def handle_endtag(self, tag):
            if tag in VOID: return
            if self.st and self.st[-1] == tag: self.st.pop()
            else: self.bad.append((tag, self.getpos(), self.st[-3:]))
    b = B(); b.feed(text)
    c.check(f'{label}every element closed in order', not b.bad and not b.st, (b.bad[:3], b.st[-3:]))
    return [k for k, v in b.ids.items() if v > 1]

def no_ids(c, text, ids, what):
    found = [i for i in ids if i and i in text]
    c.check(f'no {what} in the report ({len(ids)} checked)', not found, found[:5])

def bars(fig_svg):
    """(label, value text) of an hbars chart, in order"""
    labels = [n.alltext() for n in fig_svg.find_all('text', cls='label')]
    vals = [n.alltext() for n in fig_svg.find_all('text', cls='val')]
    return list(zip(labels, vals))

def svg_of(t, sid):
    l = list(t.root.find_all('svg', id=sid))
    return l[0] if l else None

def grouped(t, fig):
    """the column-group tables of a figure (report.c grouped_table), each as a
    dict: caption, members (each header's <code>), heads (header texts), rows
    (cell texts) and total (the total row's cells, or None)"""
    out = []
    for tb in list(t.root.find_all('figure', id=fig))[0].find_all('table'):
        trs = list(tb.find_all('tr'))
        ths = list(trs[0].find_all('th'))
        is_total = lambda tr: 'total' in (tr.attrs.get('class') or '').split()
        tot = [tr for tr in trs[1:] if is_total(tr)]
        out.append(dict(caption=''.join(n.alltext() for n in tb.find_all('caption')),
                        members=[''.join(k.alltext() for k in th.find_all('code')) for th in ths],
                        heads=[th.alltext() for th in ths],
                        rows=[[td.alltext() for td in tr.find_all('td')] for tr in trs[1:] if not is_total(tr)],
                        total=[td.alltext() for td in tot[0].find_all('td')] if tot else None))
    return out

def e4(v, dec):
    """v / 10^4 at dec decimals, rounded half away from zero, with separators, from the integer"""
    v = int(v); unit = 10 ** (4 - dec); q = (abs(v) + unit // 2) // unit if unit > 1 else abs(v)
    s = '-' if v < 0 and q else ''
    return s + '{:,}'.format(q // 10 ** dec) + ('.%0*d' % (dec, q % 10 ** dec) if dec else '')

def ledger_expected(name, v, kind, year):
    """the text a ledger table shows for member name's value v (None: a float, compared as a number)"""
    if kind == 'S': return v.decode()
    if kind == 'f': return None
    if name == 'month' and year: return '%s-%02d' % (year, int(v))
    if name.endswith('_fen'): return yuan(v)
    if name.endswith('_e4'): return e4(v, 2 if name == 'score_e4' else 4)
    if name == 'duplicates_withheld' and v < 0: return '\u2013'
    return '{:,}'.format(int(v))

SUMMED = ('cases', 'records', 'rejects', 'n_special', 'score_e4')

def check_ledger_table(c, t, fig, data, key, year, first, zh, names=None):
    """a ledger table (/months or /clearing as data, a numpy record array)
    in column groups: the key member first in every group, every member of
    the dataset shown exactly once (none cut, none lost), the first group's
    members = first, the Chinese titles zh {member: term} in its headers,
    each row's cells = the dataset's values read with h5py (money fen / 100,
    *_e4 / 10^4, counts, point values to their decimals), one row per dataset
    row in the dataset's order, and the total row = the sums of money, counts
    and scores"""
    gs = grouped(t, fig)
    if names is not None and any(names):   # /clearing_names: the name beside the key in every group
        c.check(f'{fig}: the names (/clearing_names) beside {key} in every group',
                gs and all(g['members'][1:2] == ['clearing_names'] and [r[1] for r in g['rows']] == list(names) for g in gs),
                [(g['members'][:2], [r[1] for r in g['rows']][:3]) for g in gs])
        for g in gs:
            for k in ('members', 'heads'): g[k] = g[k][:1] + g[k][2:]
            g['rows'] = [r[:1] + r[2:] for r in g['rows']]
            if g['total'] is not None: g['total'] = g['total'][:1] + g['total'][2:]
    names = list(data.dtype.names)
    c.check(f'{fig}: column groups, each led by {key}', gs and all(g['members'][0] == key for g in gs), [g['members'][:1] for g in gs])
    shown = [m for g in gs for m in g['members'][1:]]
    c.check(f'{fig}: every member shown once ({len(names) - 1})', sorted(shown) == sorted(n for n in names if n != key), (shown, names))
    c.check(f'{fig}: the key columns first: {first}', gs and gs[0]['members'][:len(first)] == first, gs[0]['members'] if gs else None)
    for m, term in zh.items():
        h = [hd for g in gs for hd, mm in zip(g['heads'], g['members']) if mm == m]
        c.check(f'{fig}: {m} titled with {term}', h and term in h[0], h)
    c.check(f'{fig}: at most 8 columns a table (A4)', all(len(g['members']) <= 8 for g in gs), [len(g['members']) for g in gs])
    bad = []
    for g in gs:
        if len(g['rows']) != len(data): bad.append((g['caption'], 'rows', len(g['rows']))); continue
        for j, m in enumerate(g['members']):
            kind = data.dtype[m].kind if data.dtype[m].kind != 'u' else 'i'
            for r, row in enumerate(g['rows']):
                want, got = ledger_expected(m, data[m][r], kind, year), row[j]
                if want is None:
                    dec = 2 if m.endswith('score') else 4 if 'share' in m else 6
                    ok = abs(float(got.replace(',', '')) - float(data[m][r])) <= 0.5 * 10 ** -dec * (1 + 1e-9) + 1e-12 * abs(float(data[m][r]))
                else: ok = got == want
                if not ok: bad.append((m, r, got, want))
        if g['total'] is not None:
            for j, m in enumerate(g['members'][1:], 1):
                summed = data.dtype[m].kind in 'iu' and (m.endswith('_fen') or m in SUMMED)
                want = ledger_expected(m, int(data[m].astype('int64').sum()), 'i', year) if summed else ''
                if g['total'][j] != want: bad.append(('total', m, g['total'][j], want))
    c.check(f'{fig}: every cell = the file\'s value read with h5py (yuan = fen / 100, *_e4 / 10^4), totals = sums', not bad, bad[:4])
    c.check(f'{fig}: no number in exponent notation', not any(re.search(r'\de[+-]\d', x) for g in gs for row in g['rows'] for x in row))
    return gs
