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

VOID = {'meta', 'br', 'img', 'input', 'link', 'hr'}

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
    c.check('starts with the casemix mark', text.startswith('<!DOCTYPE html>\n<!-- casemix report -->\n'))
    return t

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
