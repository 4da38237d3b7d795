/*
 * simitems.c - item-level re-pricing for casemix simulate (README "Policy
 * simulation", docs/METHODS.md §10): the fee file (费用明细: case id, item
 * code, cost category, quantity, unit price, amount; Chinese headers) is
 * mapped and parsed in parallel chunks (one per task, cut at line ends);
 * each line of an item in the price table (项目编码 → 新单价) costs
 * round_half_even(quantity × new price) instead of its amount; items not
 * in the table keep theirs. The changes are added per case (atomic integer
 * adds: exact in any order) and per thread (measurement by line, merged in
 * thread order: integer sums), so the result does not depend on the thread
 * count. Fields may be quoted as RFC 4180 (as the main reader): a comma,
 * a doubled quote or a line break inside quotes; a file without any quote
 * takes the plain fast path (memchr per line, no copy), a file with quotes
 * is cut into chunks at line ends outside quotes (one serial scan) and its
 * quoted lines are split into a per-thread buffer. A line that does not
 * parse is counted (items_bad), never guessed.
 */
#include "simulate.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* header column of any of the names (UTF-8, BOM stripped by the caller), or -1 */
static int find_col(const char *const *f, const size_t *fl, int nf, const char *const *names)
{
    for (int i = 0; i < nf; i++)
        for (int j = 0; names[j]; j++)
            if (fl[i] == strlen(names[j]) && !memcmp(f[i], names[j], fl[i])) return i;
    return -1;
}

static int split(const char *s, size_t n, const char **f, size_t *fl, int max)
{
    int nf = 0;
    size_t a = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == ',') {
            if (nf < max) { f[nf] = s + a; fl[nf] = i - a; }
            nf++;
            a = i + 1;
        }
    if (nf <= max && nf && fl[nf - 1] && f[nf - 1][fl[nf - 1] - 1] == '\r') fl[nf - 1]--;
    return nf;
}

/* The end of the line starting at s: the next '\n' outside quotes (quoted:
 * the file has quotes), or end. */
static const char *line_end(const char *s, const char *end, int quoted)
{
    if (!quoted) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        return e ? e : end;
    }
    int in = 0;
    for (const char *q = s; q < end; q++) {
        if (*q == '"') in = !in;
        else if (*q == '\n' && !in) return q;
    }
    return end;
}

/* split for a line with quotes (RFC 4180): quoted fields unescaped into
 * *buf (grown as needed; fields point into it). Returns the number of
 * fields, or -1 for a malformed line (text after a closing quote, an
 * unclosed quote, a quote inside an unquoted field) or out of memory. */
static int split_quoted(const char *s, size_t n, const char **f, size_t *fl, int max, char **buf, size_t *cap)
{
    if (n && s[n - 1] == '\r') n--;
    if (*cap < n + 1) {
        char *nb = realloc(*buf, n + 1);
        if (!nb) return -1;
        *buf = nb;
        *cap = n + 1;
    }
    char *o = *buf;
    int nf = 0;
    size_t i = 0;
    for (;;) {
        const char *start = o;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) return -1;                    /* unclosed quote */
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') { *o++ = '"'; i += 2; continue; }
                    i++;
                    break;
                }
                *o++ = s[i++];
            }
            if (i < n && s[i] != ',') return -1;         /* text after the closing quote */
        } else {
            while (i < n && s[i] != ',') {
                if (s[i] == '"') return -1;               /* a quote inside an unquoted field */
                *o++ = s[i++];
            }
        }
        if (nf < max) { f[nf] = start; fl[nf] = (size_t)(o - start); }
        nf++;
        if (i >= n) break;
        i++; /* the comma */
    }
    return nf;
}

static int cat_of_text(const char *s, size_t n)
{
    for (int k = 0; k < SC_CAT__COUNT; k++) {
        const char *zh = sc_category_chinese((sc_category)k), *col = sc_category_column((sc_category)k);
        size_t zl = strlen(zh);
        if ((n == zl && !memcmp(s, zh, n)) || (n == zl - 3 && !memcmp(s, zh, n)) /* 检查 for 检查费 */ ||
            (n == strlen(col) && !memcmp(s, col, n)) || (n == strlen(col) - 5 && !memcmp(s, col + 5, n)))
            return k;
    }
    return -1;
}

typedef struct {
    const char *map;
    size_t size;
    int fd;
} mapped;

static int map_file(const char *path, mapped *m)
{
    memset(m, 0, sizeof *m);
    m->fd = open(path, O_RDONLY);
    if (m->fd < 0) return -1;
    struct stat sb;
    if (fstat(m->fd, &sb) || sb.st_size <= 0) { close(m->fd); return -1; }
    m->size = (size_t)sb.st_size;
    m->map = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, m->fd, 0);
    if (m->map == MAP_FAILED) { close(m->fd); return -1; }
    madvise((void *)m->map, m->size, MADV_SEQUENTIAL);
    return 0;
}

static void unmap_file(mapped *m)
{
    if (m->map && m->map != MAP_FAILED) munmap((void *)m->map, m->size);
    if (m->fd > 0) close(m->fd);
    memset(m, 0, sizeof *m);
}

static const char *const H_CASE[] = {"case_id", "结算ID", "就诊ID", "结算清单流水号", NULL};
static const char *const H_ITEM[] = {"item_code", "项目编码", "医保项目编码", "收费项目编码", NULL};
static const char *const H_CAT[] = {"category", "收费项目类别", "费用类别", "项目类别", NULL};
static const char *const H_QTY[] = {"quantity", "数量", NULL};
static const char *const H_PRICE[] = {"unit_price", "单价", NULL};
static const char *const H_AMOUNT[] = {"amount", "金额", "明细项目费用总额", NULL};
static const char *const H_NEW[] = {"new_price", "新单价", "调整后单价", "调整后价格", "price", NULL};

typedef struct {
    size_t n, cap;               /* table items; hash capacity (power of 2) */
    char (*code)[32];
    int64_t *price_e4;
    uint8_t *seen;
    uint32_t *h;                 /* index + 1, 0 empty */
} price_tab;

static long ptab_find(const price_tab *t, const char *s, size_t n)
{
    if (n >= 32) return -1;
    size_t j = hash_bytes(s, n) & (t->cap - 1);
    while (t->h[j]) {
        size_t i = t->h[j] - 1;
        if (strlen(t->code[i]) == n && !memcmp(t->code[i], s, n)) return (long)i;
        j = (j + 1) & (t->cap - 1);
    }
    return -1;
}

static cm_status load_prices(const char *path, price_tab *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    char *qb = NULL;
    size_t qcap = 0;
    mapped m;
    if (map_file(path, &m)) { snprintf(err, errlen, "%s: cannot read the price table (or it is empty)", path); return CM_ERR_INPUT; }
    const char *s = m.map, *end = m.map + m.size;
    if (m.size >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    size_t lines = 0;
    for (const char *q = s; q < end; q++) lines += *q == '\n';
    t->cap = 16;
    while (t->cap < 2 * (lines + 1)) t->cap *= 2;
    t->code = calloc(lines + 1, sizeof *t->code);
    t->price_e4 = calloc(lines + 1, sizeof *t->price_e4);
    t->seen = calloc(lines + 1, 1);
    t->h = calloc(t->cap, sizeof *t->h);
    cm_status rc = CM_OK;
    if (!t->code || !t->price_e4 || !t->seen || !t->h) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; goto out; }
    int ci = -1, pi = -1;
    long ln = 0;
    int quoted = memchr(s, '"', (size_t)(end - s)) != NULL;
    while (s < end) {
        const char *e = line_end(s, end, quoted);
        ln++;
        const char *f[16];
        size_t fl[16];
        int nf = quoted && memchr(s, '"', (size_t)(e - s)) ? split_quoted(s, (size_t)(e - s), f, fl, 16, &qb, &qcap)
                                                           : split(s, (size_t)(e - s), f, fl, 16);
        s = e + 1;
        if (nf < 0) {
            snprintf(err, errlen, "%s:%ld: a quoted field is not closed, or has text after its closing quote, or a "
                                  "quote stands inside an unquoted field; fix the row", path, ln);
            rc = CM_ERR_INPUT;
            goto out;
        }
        if (nf > 16) nf = 16;
        if (ln == 1) {
            ci = find_col(f, fl, nf, H_ITEM);
            pi = find_col(f, fl, nf, H_NEW);
            if (ci < 0 || pi < 0) {
                snprintf(err, errlen, "%s:1: the price table needs an item code column (项目编码, item_code) and a "
                                      "new unit price column (新单价, new_price)", path);
                rc = CM_ERR_INPUT;
                goto out;
            }
            continue;
        }
        if (nf == 1 && fl[0] == 0) continue; /* empty line */
        int64_t pr;
        if (nf <= ci || nf <= pi || fl[ci] == 0 || fl[ci] >= 32 || sc_parse_e4(f[pi], fl[pi], &pr) || pr < 0) {
            snprintf(err, errlen, "%s:%ld: not an item code and a new unit price in yuan (at most 4 decimals); "
                                  "fix the row", path, ln);
            rc = CM_ERR_INPUT;
            goto out;
        }
        if (ptab_find(t, f[ci], fl[ci]) >= 0) {
            snprintf(err, errlen, "%s:%ld: item %.*s is listed twice; give each item one new price", path, ln,
                     (int)fl[ci], f[ci]);
            rc = CM_ERR_INPUT;
            goto out;
        }
        memcpy(t->code[t->n], f[ci], fl[ci]);
        t->price_e4[t->n] = pr;
        size_t j = hash_bytes(f[ci], fl[ci]) & (t->cap - 1);
        while (t->h[j]) j = (j + 1) & (t->cap - 1);
        t->h[j] = (uint32_t)(t->n + 1);
        t->n++;
    }
out:
    free(qb);
    unmap_file(&m);
    return rc;
}

static void free_prices(price_tab *t)
{
    free(t->code); free(t->price_e4); free(t->seen); free(t->h);
    memset(t, 0, sizeof *t);
}

/* settled case id -> slot */
typedef struct {
    size_t cap;
    uint64_t *slot1;   /* slot + 1, 0 empty */
} case_index;

static long case_find(const cm_period *p, const case_index *x, const char *s, size_t n)
{
    if (n > CM_CASE_ID_MAX) return -1;
    size_t j = hash_bytes(s, n) & (x->cap - 1);
    while (x->slot1[j]) {
        size_t i = (size_t)x->slot1[j] - 1;
        const char *id = pl_case_id(&p->s, i);
        if (strlen(id) == n && !memcmp(id, s, n)) return (long)i;
        j = (j + 1) & (x->cap - 1);
    }
    return -1;
}

typedef struct {
    int64_t up, down;
} updown;

cm_status sim_items_reprice(const cm_period *p, const char *fee_file, const char *price_table, repriced *r,
                            char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    price_tab t;
    cm_status rc = load_prices(price_table, &t, err, errlen);
    if (rc) { free_prices(&t); return rc; }
    size_t n = p->s.n, ninst = p->ninst, ng = p->ng;
    int nt = pl_threads();
    case_index cx = {16, NULL};
    while (cx.cap < 2 * ((size_t)p->cases + 1)) cx.cap *= 2;
    cx.slot1 = calloc(cx.cap, sizeof *cx.slot1);
    int64_t *dcase = calloc(n * 3 + 1, sizeof *dcase);   /* change by bucket, per slot */
    updown *iud = calloc((size_t)nt * ninst + 1, sizeof *iud);
    int64_t *tcat = calloc((size_t)nt * SC_CAT__COUNT * 4 + 1, sizeof *tcat); /* up, down, fund, old */
    int64_t *tcnt = calloc((size_t)nt * 4 + 1, sizeof *tcnt);
    mapped m;
    memset(&m, 0, sizeof m);
    if (!cx.slot1 || !dcase || !iud || !tcat || !tcnt) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; goto out; }
    for (size_t i = 0; i < n; i++) {
        if (p->s.slots[i].status != SLOT_CASE) continue;
        const char *id = pl_case_id(&p->s, i);
        size_t j = hash_bytes(id, strlen(id)) & (cx.cap - 1);
        while (cx.slot1[j]) j = (j + 1) & (cx.cap - 1);
        cx.slot1[j] = i + 1;
    }
    if (map_file(fee_file, &m)) { snprintf(err, errlen, "%s: cannot read the fee file (simulate.fee_file), or it is empty", fee_file); rc = CM_ERR_INPUT; goto out; }
    const char *s0 = m.map, *end = m.map + m.size;
    if (m.size >= 3 && !memcmp(s0, "\xEF\xBB\xBF", 3)) s0 += 3;
    int quoted = memchr(s0, '"', (size_t)(end - s0)) != NULL;   /* RFC 4180 quotes: the cold path */
    const char *he = line_end(s0, end, quoted);
    const char *f[32];
    size_t fl[32];
    char *hb = NULL;
    size_t hcap = 0;
    int nf = quoted ? split_quoted(s0, (size_t)(he - s0), f, fl, 32, &hb, &hcap) : split(s0, (size_t)(he - s0), f, fl, 32);
    if (nf > 32) nf = 32;
    if (nf < 0) nf = 0;
    int c_case = find_col(f, fl, nf, H_CASE), c_item = find_col(f, fl, nf, H_ITEM), c_cat = find_col(f, fl, nf, H_CAT);
    int c_qty = find_col(f, fl, nf, H_QTY), c_amt = find_col(f, fl, nf, H_AMOUNT);
    (void)H_PRICE;
    free(hb);
    if (c_case < 0 || c_item < 0 || c_cat < 0 || c_qty < 0 || c_amt < 0) {
        snprintf(err, errlen, "%s:1: the fee file (费用明细) needs the columns case id (结算ID), item code (项目编码), "
                              "category (收费项目类别), quantity (数量) and amount (金额); unit price (单价) is optional",
                 fee_file);
        rc = CM_ERR_INPUT;
        goto out;
    }
    int maxc = c_case;
    if (c_item > maxc) maxc = c_item;
    if (c_cat > maxc) maxc = c_cat;
    if (c_qty > maxc) maxc = c_qty;
    if (c_amt > maxc) maxc = c_amt;
    const char *body = he < end ? he + 1 : end;
    size_t nchunk = (size_t)nt * 16, blen = (size_t)(end - body);
    if (blen < nchunk * 4096) nchunk = blen / 4096 + 1;
    /* with quotes, the chunks start at line ends outside quotes (one serial scan) */
    const char **qstart = NULL;
    if (quoted) {
        qstart = malloc((nchunk + 1) * sizeof *qstart);
        if (!qstart) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; goto out; }
        const char *q = body;
        int in = 0;
        qstart[0] = body;
        for (size_t ch = 1; ch < nchunk; ch++) {
            const char *target = body + blen * ch / nchunk;
            for (; q < target; q++) in ^= *q == '"';
            while (q < end && (in || q[-1] != '\n')) in ^= *q++ == '"';
            qstart[ch] = q;
        }
        qstart[nchunk] = end;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (long ch = 0; ch < (long)nchunk; ch++) {
        int tid = pl_thread_id();
        /* a chunk is the lines that start in [a, b) */
        const char *a = body + blen * (size_t)ch / nchunk, *b = body + blen * (size_t)(ch + 1) / nchunk;
        if (qstart) { a = qstart[ch]; b = qstart[ch + 1]; }
        else if (ch > 0) {
            while (a < end && a[-1] != '\n') a++;
        }
        updown *IU = iud + (size_t)tid * ninst;
        int64_t *TC = tcat + (size_t)tid * SC_CAT__COUNT * 4, *CN = tcnt + (size_t)tid * 4;
        const char *q = a;
        char *qb = NULL;
        size_t qcap = 0;
        while (q < b && q < end) {
            const char *e = line_end(q, end, quoted);
            const char *g[32];
            size_t gl[32];
            int k = quoted && memchr(q, '"', (size_t)(e - q)) ? split_quoted(q, (size_t)(e - q), g, gl, 32, &qb, &qcap)
                                                              : split(q, (size_t)(e - q), g, gl, 32);
            q = e + 1;
            if (k == 1 && gl[0] == 0) continue;
            CN[0]++;
            int64_t qty, amt;
            int cat;
            if (k <= maxc || (cat = cat_of_text(g[c_cat], gl[c_cat])) < 0 || sc_parse_e4(g[c_qty], gl[c_qty], &qty) ||
                sc_parse_e4(g[c_amt], gl[c_amt], &amt) || amt % 100) {
                CN[3]++;
                continue;
            }
            long slot = case_find(p, &cx, g[c_case], gl[c_case]);
            if (slot < 0) { CN[2]++; continue; }
            amt /= 100;
            const cm_case *c = &p->s.slots[slot];
            TC[cat * 4 + 3] += amt;
            long it = ptab_find(&t, g[c_item], gl[c_item]);
            if (it < 0) continue;
            CN[1]++;
            if (!t.seen[it]) {
#pragma omp atomic write
                t.seen[it] = 1; /* set to 1 by any thread: the same result */
            }
            int64_t d = sc_reprice_item(qty, t.price_e4[it]) - amt;
            if (!d) continue;
            sc_bucket bk = sc_category_bucket((sc_category)cat);
#pragma omp atomic
            dcase[(size_t)slot * 3 + bk] += d;
            if (d > 0) { TC[cat * 4] += d; IU[c->inst].up += d; }
            else { TC[cat * 4 + 1] += d; IU[c->inst].down += d; }
            TC[cat * 4 + 2] += c->total_fen > 0 ? sc_muldiv_round(d, c->fund_fen, c->total_fen) : 0;
        }
        free(qb);
    }
    free(qstart);
    /* the cases: new cost and fund, institution sums */
    r->cost = malloc((n ? n : 1) * sizeof *r->cost);
    r->fund = malloc((n ? n : 1) * sizeof *r->fund);
    r->inst = calloc(ninst + 1, sizeof *r->inst);
    r->inst_bucket = calloc(ninst * 3 + 1, sizeof *r->inst_bucket);
    r->group_cost = calloc(ng + 1, sizeof *r->group_cost);
    if (!r->cost || !r->fund || !r->inst || !r->inst_bucket || !r->group_cost) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; goto out; }
    int64_t *ifund = calloc(ninst + 1, sizeof *ifund);
    if (!ifund) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; goto out; }
    for (size_t i = 0; i < n; i++) {
        const cm_case *c = &p->s.slots[i];
        if (c->status != SLOT_CASE) { r->cost[i] = r->fund[i] = 0; continue; }
        int64_t d = dcase[i * 3] + dcase[i * 3 + 1] + dcase[i * 3 + 2];
        r->cost[i] = c->total_fen + d;
        r->fund[i] = sc_reprice_fund(r->cost[i], c->fund_fen, c->total_fen);
        ifund[c->inst] += r->fund[i] - c->fund_fen;
        for (int q = 0; q < 3; q++) r->inst_bucket[(size_t)c->inst * 3 + (size_t)q] += dcase[i * 3 + (size_t)q];
        if (c->group >= 0 && (size_t)c->group < ng) r->group_cost[c->group] += r->cost[i];
    }
    for (size_t k = 0; k < ninst; k++) {
        sc_measure *M = &r->inst[k];
        for (int th = 0; th < nt; th++) {
            M->up_fen += iud[(size_t)th * ninst + k].up;
            M->down_fen += iud[(size_t)th * ninst + k].down;
        }
        M->net_fen = M->up_fen + M->down_fen;
        M->fund_fen = ifund[k];
        M->patient_fen = M->net_fen - M->fund_fen;
        sc_measure_merge(&r->region, M);
    }
    free(ifund);
    r->ncat = SC_CAT__COUNT;
    for (int k = 0; k < SC_CAT__COUNT; k++) {
        r->cat[k] = (uint8_t)k;
        for (int th = 0; th < nt; th++) {
            const int64_t *TC = tcat + (size_t)th * SC_CAT__COUNT * 4;
            r->cat_up[k] += TC[k * 4];
            r->cat_down[k] += TC[k * 4 + 1];
            r->cat_fund[k] += TC[k * 4 + 2];
            r->cat_old[k] += TC[k * 4 + 3];
        }
    }
    for (int th = 0; th < nt; th++) {
        r->items += tcnt[th * 4];
        r->items_repriced += tcnt[th * 4 + 1];
        r->items_no_case += tcnt[th * 4 + 2];
        r->items_bad += tcnt[th * 4 + 3];
    }
    size_t ul = 0;
    for (size_t i = 0; i < t.n; i++)
        if (!t.seen[i]) {
            r->table_unseen++;
            int w = snprintf(r->unseen + ul, sizeof r->unseen - ul, "%s%s", ul ? ", " : "", t.code[i]);
            if (w > 0 && (size_t)w < sizeof r->unseen - ul) ul += (size_t)w;
        }
    r->cost_sum = p->cost_fen + r->region.net_fen;
    r->fund_sum = p->fund_fen + r->region.fund_fen;
out:
    unmap_file(&m);
    free(cx.slot1); free(dcase); free(iud); free(tcat); free(tcnt);
    free_prices(&t);
    return rc;
}
