/*
 * pipeline.c - the parallel read stage shared by settle, calibrate and
 * group: blocks -> chunks -> one parser per thread -> a callback per row,
 * plus the per-thread tables the callbacks fill (institutions, rejects)
 * and their deterministic merge (sorted ids, rejects by line).
 *
 * This file and the other engine files are the only places with OpenMP.
 */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int cmp_big(const void *a, const void *b);
static int cmp_lid(const void *a, const void *b);

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels: EINVAL, and the pages fault as before */
#endif

void pl_populate(void *at, size_t bytes)
{
    if (!bytes) return;
    uintptr_t a = (uintptr_t)at & ~(uintptr_t)4095, b = ((uintptr_t)at + bytes + 4095) & ~(uintptr_t)4095;
    (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
}

/* A per-slot side array (*side, *mapped bytes) to at least bytes, zeroed: an
 * anonymous mapping grown with mremap, like the slots. Returns 0 or -1. */
static int side_reserve(unsigned char **side, size_t *mapped, size_t bytes)
{
    size_t sb = (bytes + 4095) / 4096 * 4096;
    void *q = *mapped ? mremap(*side, *mapped, sb, MREMAP_MAYMOVE)
                      : mmap(NULL, sb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) return -1;
    *side = q;
    *mapped = sb;
    return 0;
}

/* The slot array is the one big allocation (96 bytes a case, ~1 GB at
 * 10M): an anonymous mapping grown with mremap (no copy). Transparent huge
 * pages were measured and left off: on this project's VMs first touch of a
 * 2 MiB page costs more than 512 faults of 4 KiB (10M-case parse stage,
 * 2 threads: 3.2 s with MADV_HUGEPAGE, 2.6 s without). Returns 0 or -1. */
static int slots_reserve(pl_slots *s, size_t ncap)
{
    size_t huge = (size_t)2 << 20;
    size_t bytes = (ncap * sizeof(cm_case) + huge - 1) / huge * huge;
    void *m;
    if (!s->mapped)
        m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    else
        m = mremap(s->slots, s->mapped, bytes, MREMAP_MAYMOVE);
    if (m == MAP_FAILED) return -1;
    s->slots = m;
    s->mapped = bytes;
    s->cap = bytes / sizeof(cm_case);
    /* the per-slot side arrays grow with the slots (supervision's facts; simulate's kept categories) */
    if (s->side_size && side_reserve(&s->side, &s->side_mapped, s->cap * s->side_size)) return -1;
    if (s->side2_size && side_reserve(&s->side2, &s->side2_mapped, s->cap * s->side2_size)) return -1;
    return 0;
}

cm_case *pl_slots_grow(pl_slots *s, size_t n)
{
    if (s->n + n > s->cap && slots_reserve(s, s->n + n)) return NULL;
    cm_case *at = s->slots + s->n;
    s->n += n;
    return at;
}

void pl_side_free(pl_slots *s)
{
    if (s->side_mapped) munmap(s->side, s->side_mapped);
    s->side = NULL;
    s->side_mapped = 0;
}

int pl_threads(void)
{
#ifdef _OPENMP
    /* main clamps the team to CM_MAX_THREADS; lowered here too for callers
     * that do not go through main (the unit tests), so that no team is ever
     * larger than the per-thread arrays */
    int n = omp_get_max_threads();
    if (n > CM_MAX_THREADS) omp_set_num_threads(n = CM_MAX_THREADS);
    return n;
#else
    return 1;
#endif
}

static int g_slice_shift = 20;
static long g_sheet_rows; /* 0: Excel's limit */

int pl_slice_shift(void) { return g_slice_shift; }
long pl_test_sheet_rows(void) { return g_sheet_rows; }
static int g_report_slow;
int pl_test_report_slow(void) { return g_report_slow; }

/* A whole number from environment variable name in [lo, hi]: 1 and *v, 0
 * when unset, -1 (message in err) when set to anything else. */
static int env_int(const char *name, long long lo, long long hi, long long *v, char *err, size_t errlen)
{
    const char *s = getenv(name);
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*end || errno || x < lo || x > hi) {
        snprintf(err, errlen, "%s (a test-only setting) must be a whole number from %lld to %lld, not '%s'; unset it",
                 name, lo, hi, s);
        return -1;
    }
    *v = x;
    return 1;
}

/* CASEMIX_TEST_LINE_MAP=FILE (tests/golden/province.sh): the reference one-region run of a
 * province region's rows recorded at the export's lines, as the province run records them:
 * FILE holds, one number a line, the line to record for each physical line of the input
 * (header included: its first number is 1); handed to the reader (rd_set_line_map) for the
 * whole run. A province run replaces it by its regions' own maps. */
static cm_status test_line_map(const char *path, char *err, size_t errlen)
{
    static uint32_t *map;
    if (map) return CM_OK; /* read once */
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "CASEMIX_TEST_LINE_MAP (a test-only setting): %s: %s; unset it", path, strerror(errno));
        return CM_ERR_USAGE;
    }
    size_t n = 1, cap = 1024;
    map = malloc(cap * sizeof *map);
    unsigned long v;
    while (map && fscanf(f, "%lu", &v) == 1) {
        if (n == cap) {
            uint32_t *m = realloc(map, 2 * cap * sizeof *m);
            if (!m) { free(map); map = NULL; break; }
            map = m;
            cap *= 2;
        }
        map[n++] = (uint32_t)v;
    }
    fclose(f);
    if (!map) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    map[0] = 0;
    rd_set_line_map(map, n);
    return CM_OK;
}

cm_status pl_test_settings(char *err, size_t errlen)
{
    long long v;
    const char *lm = getenv("CASEMIX_TEST_LINE_MAP");
    if (lm && *lm && test_line_map(lm, err, errlen)) return CM_ERR_USAGE;
    int r = env_int("CASEMIX_TEST_BLOCK_BYTES", 64, (long long)1 << 30, &v, err, errlen);
    if (r < 0) return CM_ERR_USAGE;
    if (r) rd_set_block_size((size_t)v);
    r = env_int("CASEMIX_TEST_SLICE_SHIFT", 4, 30, &v, err, errlen);
    if (r < 0) return CM_ERR_USAGE;
    if (r) g_slice_shift = (int)v;
    r = env_int("CASEMIX_TEST_EXPORT_SHEET_ROWS", 1, 1048575, &v, err, errlen);
    if (r < 0) return CM_ERR_USAGE;
    if (r) g_sheet_rows = (long)v;
    r = env_int("CASEMIX_TEST_REPORT_SLOW", 0, 1, &v, err, errlen);
    if (r < 0) return CM_ERR_USAGE;
    if (r) g_report_slow = (int)v;
    return CM_OK;
}

int pl_thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int pl_team_size(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

/* ------------------------------------------------------------------ */
/* per-thread institution table                                        */
/* ------------------------------------------------------------------ */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static int it_grow(pl_inst_table *t)
{
    size_t nc = t->cap ? t->cap * 2 : 256;
    int32_t *slots = malloc(nc * sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < nc; i++) slots[i] = -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = hash_str(t->e[i].id) & (nc - 1);
        while (slots[h] >= 0) h = (h + 1) & (nc - 1);
        slots[h] = (int32_t)i;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = nc;
    pl_inst *ne = realloc(t->e, nc / 2 * sizeof *ne);
    if (!ne) return -1;
    t->e = ne;
    return 0;
}

int32_t pl_inst_get(pl_inst_table *t, const char *id, uint32_t line, int level)
{
    if ((t->n + 1) * 2 > t->cap && it_grow(t)) return -1;
    size_t h = hash_str(id) & (t->cap - 1);
    while (t->slots[h] >= 0) {
        pl_inst *e = &t->e[t->slots[h]];
        if (strcmp(e->id, id) == 0) {
            if (line < e->first_line) { e->first_line = line; e->level = (uint8_t)level; }
            return t->slots[h];
        }
        h = (h + 1) & (t->cap - 1);
    }
    pl_inst *e = &t->e[t->n];
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", id);
    e->first_line = line;
    e->level = (uint8_t)level;
    t->slots[h] = (int32_t)t->n;
    return (int32_t)t->n++;
}

void pl_inst_table_free(pl_inst_table *t)
{
    free(t->slots);
    free(t->e);
    memset(t, 0, sizeof *t);
}

static int cmp_inst(const void *a, const void *b)
{
    return strcmp(((const pl_inst *)a)->id, ((const pl_inst *)b)->id);
}

cm_status pl_inst_merge(pl_inst_table *tabs, int ntabs, pl_inst **out, size_t *nout, uint32_t **remap)
{
    size_t total = 0;
    for (int t = 0; t < ntabs; t++) total += tabs[t].n;
    pl_inst *all = malloc((total ? total : 1) * sizeof *all);
    if (!all) return CM_ERR_NOMEM;
    size_t k = 0;
    for (int t = 0; t < ntabs; t++)
        for (size_t i = 0; i < tabs[t].n; i++) all[k++] = tabs[t].e[i];
    qsort(all, total, sizeof *all, cmp_inst);
    /* unique, keeping the level of the earliest line */
    size_t u = 0;
    for (size_t i = 0; i < total; i++) {
        if (u && strcmp(all[u - 1].id, all[i].id) == 0) {
            if (all[i].first_line < all[u - 1].first_line) {
                all[u - 1].first_line = all[i].first_line;
                all[u - 1].level = all[i].level;
            }
        } else {
            all[u++] = all[i];
        }
    }
    /* per-thread remap tables: local index -> global index */
    for (int t = 0; t < ntabs; t++) {
        remap[t] = malloc((tabs[t].n ? tabs[t].n : 1) * sizeof **remap);
        if (!remap[t]) { free(all); return CM_ERR_NOMEM; }
        for (size_t i = 0; i < tabs[t].n; i++) {
            pl_inst key;
            memcpy(key.id, tabs[t].e[i].id, sizeof key.id);
            pl_inst *f = bsearch(&key, all, u, sizeof *all, cmp_inst);
            remap[t][i] = (uint32_t)(f - all);
        }
    }
    *out = all;
    *nout = u;
    return CM_OK;
}

/* ------------------------------------------------------------------ */
/* rejects                                                             */
/* ------------------------------------------------------------------ */

cm_status pl_reject_add(pl_rejects *r, uint32_t line, const char *case_id, const char *field,
                  const char *reason)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        cm_reject *ne = realloc(r->e, nc * sizeof *ne);
        if (!ne) return CM_ERR_NOMEM;
        r->e = ne;
        r->cap = nc;
    }
    cm_reject *e = &r->e[r->n++];
    memset(e, 0, sizeof *e);
    e->line = line;
    /* cut at a UTF-8 character boundary: a cut Chinese character would
     * make the whole string undecodable (memset above gives the NUL) */
    if (case_id) memcpy(e->case_id, case_id, utf8_cut(case_id, strlen(case_id), sizeof e->case_id - 1));
    if (field) memcpy(e->field, field, utf8_cut(field, strlen(field), sizeof e->field - 1));
    if (reason) memcpy(e->reason, reason, utf8_cut(reason, strlen(reason), sizeof e->reason - 1));
    return CM_OK;
}

cm_status pl_notes_add(pl_rejects *r, const cm_parser *p, const cm_case *c)
{
    for (int k = 0; k < p->nnotes; k++)
        if (pl_reject_add(r, c->line, rd_row_id(p, c), p->notes[k].field, p->notes[k].reason)) return CM_ERR_NOMEM;
    return CM_OK;
}

static int cmp_reject(const void *a, const void *b)
{
    const cm_reject *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    int d = strcmp(x->field, y->field); /* several notes on one line */
    return d ? d : strcmp(x->reason, y->reason);
}

cm_status pl_rejects_merge(pl_rejects *parts, int n, pl_rejects *out)
{
    memset(out, 0, sizeof *out);
    for (int t = 0; t < n; t++)
        for (size_t i = 0; i < parts[t].n; i++) {
            const cm_reject *e = &parts[t].e[i];
            if (pl_reject_add(out, e->line, e->case_id, e->field, e->reason)) return CM_ERR_NOMEM;
        }
    if (out->n) qsort(out->e, out->n, sizeof *out->e, cmp_reject);
    return CM_OK;
}

void pl_rejects_free(pl_rejects *r)
{
    free(r->e);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* the read stage                                                      */
/* ------------------------------------------------------------------ */

cm_status pl_read(const char *path, const struct col_aliases *aliases, const int *required,
            const cm_parse_opts *o, rd_row_fn fn, void *ctx, pl_slots *out, cm_reader *hdr,
            pl_progress_fn progress, void *pctx, char *err, size_t errlen)
{
    cm_reader r;
    memset(out, 0, sizeof *out);
    out->side_size = o->side_bytes;
    out->side2_size = o->side2_bytes;
    cm_status rs = rd_open(&r, path, aliases, o->encoding, err, errlen);
    if (rs) { rd_close(&r); return rs; }
    for (const int *c = required; c && *c >= 0; c++) {
        if (*c == COL_PPROC && r.colidx[COL_PROCEDURES] >= 0) continue;
        if (r.colidx[*c] < 0) {
            snprintf(err, errlen, "%s:1: missing required column '%s'; add it to the header, or, if the export "
                                  "names it otherwise, map that name to it in the CSV of input.aliases (rows "
                                  "canonical,alias; `casemix columns` lists the names casemix knows)%s%s",
                     path, col_name((cm_col)*c), r.unknown[0] ? ". Headers not recognised: " : "", r.unknown);
            rd_close(&r);
            return CM_ERR_INPUT;
        }
    }
    int nt = pl_threads();
    cm_parser *ps = calloc((size_t)nt, sizeof *ps);
    if (!ps) { snprintf(err, errlen, "out of memory"); rd_close(&r); return CM_ERR_NOMEM; }
    for (int t = 0; t < nt; t++) parser_init(&ps[t]);
    cm_chunk *chunks = NULL;
    size_t ccap = 0, next_slot = 0;
    cm_status rc = CM_OK;
    for (;;) {
        if (g_interrupted) { rc = CM_ERR_INTERRUPTED; break; }
        size_t nch = 0;
        if ((rc = rd_next_block(&r, (size_t)1 << 20, &chunks, &ccap, &nch, err, errlen)) != CM_OK) break;
        if (nch == 0) break;
        if ((rc = rd_count_block(&r, (size_t)1 << 20, &chunks, &ccap, &nch, err, errlen)) != CM_OK) break;
        size_t first = next_slot;
        next_slot += rd_number_chunks(&r, chunks, nch, first);
        if (next_slot > out->cap) {
            size_t nc = out->cap ? out->cap : 1 << 16;
            if (!out->cap && r.size > r.offset && next_slot > 1000) {
                /* size the slots once from the first block's bytes per row */
                double per = (double)r.len / (double)next_slot;
                nc = (size_t)((double)(r.size - r.offset + r.len) / per * 1.02) + 4096;
            }
            while (nc < next_slot) nc = nc + nc / 2;
            if (slots_reserve(out, nc)) { snprintf(err, errlen, "out of memory for %zu cases", next_slot); rc = CM_ERR_NOMEM; break; }
        }
        const char *buf = r.buf;
        cm_case *slots = out->slots;
#pragma omp parallel for schedule(dynamic, 1)
        for (long k = 0; k < (long)nch; k++) {
            int tid = pl_thread_id();
            /* the chunk's slots and side entries mapped in one call each
             * (pl_populate) before the parse writes them */
            pl_populate(slots + chunks[k].slot0, chunks[k].nrec * sizeof *slots);
            if (out->side_size) pl_populate(out->side + chunks[k].slot0 * out->side_size, chunks[k].nrec * out->side_size);
            if (out->side2_size)
                pl_populate(out->side2 + chunks[k].slot0 * out->side2_size, chunks[k].nrec * out->side2_size);
            rd_parse_chunk(&r, buf, &chunks[k], o, &ps[tid], slots, fn, ctx, tid);
        }
        out->n = next_slot;
        if (progress) progress(pctx, r.offset + r.len, r.size);
    }
    if (hdr) {
        *hdr = r;
        hdr->buf = NULL;
        hdr->map = NULL;
        hdr->fd = -1;
    }
    free(chunks);
    size_t nbig = 0;
    for (int t = 0; t < nt; t++) nbig += ps[t].nbig;
    if (nbig && rc == 0) {
        out->big = malloc(nbig * sizeof *out->big);
        if (!out->big) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; }
        for (int t = 0; t < nt && out->big; t++) {
            if (ps[t].nbig) memcpy(out->big + out->nbig, ps[t].big, ps[t].nbig * sizeof *out->big);
            out->nbig += ps[t].nbig;
        }
        if (out->big) qsort(out->big, out->nbig, sizeof *out->big, cmp_big);
    }
    size_t nlid = 0, tlen = 0;
    for (int t = 0; t < nt; t++) { nlid += ps[t].nlid; tlen += ps[t].lid_len; }
    if (nlid && rc == 0) {
        out->lid = malloc(nlid * sizeof *out->lid);
        out->lid_text = malloc(tlen);
        if (!out->lid || !out->lid_text) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; }
        size_t base = 0;
        for (int t = 0; t < nt && rc == 0; t++) {
            if (ps[t].lid_len) memcpy(out->lid_text + base, ps[t].lid_text, ps[t].lid_len);
            for (size_t k = 0; k < ps[t].nlid; k++)
                out->lid[out->nlid++] = (cm_long_id){ps[t].lid[k].slot, ps[t].lid[k].off + base};
            base += ps[t].lid_len;
        }
        if (rc == 0) qsort(out->lid, out->nlid, sizeof *out->lid, cmp_lid);
    }
    for (int t = 0; t < nt; t++) parser_free(&ps[t]);
    free(ps);
    rd_close(&r);
    return rc;
}

static int cmp_lid(const void *a, const void *b)
{
    size_t x = ((const cm_long_id *)a)->slot, y = ((const cm_long_id *)b)->slot;
    return x < y ? -1 : x > y;
}

const char *pl_case_id(const pl_slots *s, size_t i)
{
    const cm_case *c = &s->slots[i];
    if (!cm_id_is_long(c->case_id)) return c->case_id;
    size_t lo = 0, hi = s->nlid;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->lid[mid].slot < i) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->nlid && s->lid[lo].slot == i ? s->lid_text + s->lid[lo].off : c->case_id;
}

static int cmp_big(const void *a, const void *b)
{
    size_t x = ((const cm_big *)a)->slot, y = ((const cm_big *)b)->slot;
    return x < y ? -1 : x > y;
}

void pl_case_buckets(const pl_slots *s, size_t i, int64_t out[SC_BUCKET__COUNT])
{
    if (s->buckets_gone) abort(); /* a stage after the pay partials asked for buckets: engine bug */
    const cm_case *c = &s->slots[i];
    if (c->flags & CF_BIG_BUCKETS) {
        cm_big key;
        key.slot = i;
        const cm_big *e = bsearch(&key, s->big, s->nbig, sizeof *s->big, cmp_big);
        if (e) {
            memcpy(out, e->bucket_fen, sizeof e->bucket_fen);
            return;
        }
    }
    for (int q = 0; q < SC_BUCKET__COUNT; q++) out[q] = c->bucket_fen[q];
}

void pl_slots_free(pl_slots *s)
{
    free(s->lid);
    free(s->lid_text);
    free(s->big);
    if (s->mapped) munmap(s->slots, s->mapped);
    pl_side_free(s);
    if (s->side2_mapped) munmap(s->side2, s->side2_mapped);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ */
/* duplicate case ids                                                  */
/* ------------------------------------------------------------------ */

/* A duplicate-check table: entry k at base + k * stride (the score_e4
 * fields of a range of slots, or a heap array), cap entries, linear
 * probing from fastrange(hash); an entry is (slot + 1) << 32 | 32 hash bits. */
typedef struct {
    char *base;
    size_t stride, cap;
} dup_table;

static inline uint64_t *dt_at(const dup_table *t, size_t k)
{
    return (uint64_t *)(void *)(t->base + k * t->stride);
}

static inline size_t dt_home(const dup_table *t, uint64_t h)
{
    return (size_t)((((h >> 8) & 0xFFFFFFFFu) * (uint64_t)t->cap) >> 32);
}

static void dt_clear(dup_table *t)
{
    if (t->stride == sizeof(uint64_t)) memset(t->base, 0, t->cap * sizeof(uint64_t));
    else
        for (size_t k = 0; k < t->cap; k++) *dt_at(t, k) = 0;
}

cm_status pl_find_duplicates(pl_slots *s, pl_dup_fn fn, void *ctx, size_t *ndup_out)
{
    *ndup_out = 0;
    cm_case *slots = s->slots;
    size_t n = s->n;
    /* Partitioned by hash: every copy of an id lands in the same partition,
     * and each partition is scanned in slot order, so "the first row wins"
     * whatever the number of partitions (threads). The hash of each id is
     * in the slot (id_hash, set while parsing: no side array, no extra
     * sweep). The tables cost no memory either: thread t's table is the
     * score_e4 field of the slots of its t-th share of the array (scores
     * are computed after this check), and there are twice as many
     * partitions as threads so that a table is at most about half full. A
     * partition too big for its share (skewed ids) gets a heap table.
     * Entries keep 32 bits of the hash, so most probes never touch the id. */
    if (n == 0 || !slots) return CM_OK;
    int np = pl_threads();
    size_t nparts = 2 * (size_t)np;
    enum { MAXP = 2 * CM_MAX_THREADS };
    size_t count[MAXP] = {0};
    if (nparts > MAXP) nparts = MAXP;
#pragma omp parallel
    {
        size_t c[MAXP] = {0};
#pragma omp for schedule(static)
        for (long i = 0; i < (long)n; i++) {
            uint64_t h = slots[i].id_hash;
            if (h) c[(h >> 40) % nparts]++;
        }
#pragma omp critical
        for (size_t q = 0; q < nparts; q++) count[q] += c[q];
    }
    size_t ndup = 0, bad = 0;
#pragma omp parallel reduction(+ : ndup, bad)
    {
        /* the team may be smaller than pl_threads() (OMP_DYNAMIC, a thread
         * limit): regions and partitions follow the team that runs, so that
         * every partition is scanned whatever its size */
        int me = pl_thread_id(), nth = pl_team_size();
        size_t lo = n * (size_t)me / (size_t)nth, hi = n * ((size_t)me + 1) / (size_t)nth;
        dup_table region = {(char *)&slots[lo].dup_entry, sizeof(cm_case), hi - lo};
        for (size_t part = (size_t)me; part < nparts && !bad; part += (size_t)nth) {
            dup_table t = region;
            uint64_t *heap = NULL;
            if (4 * count[part] > 3 * region.cap || region.cap == 0) { /* skewed: a table of its own */
                size_t cap = 2 * count[part] + 16;
                heap = malloc(cap * sizeof *heap);
                if (!heap) { bad++; break; }
                t = (dup_table){(char *)heap, sizeof *heap, cap};
            }
            dt_clear(&t);
            enum { AHEAD = 16 }; /* table entries of the ids 16 rows on are loaded early */
            for (size_t i = 0; i < n; i++) {
                if (i + AHEAD < n) {
                    uint64_t ha = slots[i + AHEAD].id_hash;
                    if (ha && (ha >> 40) % nparts == part) __builtin_prefetch(dt_at(&t, dt_home(&t, ha)), 1);
                }
                uint64_t h = slots[i].id_hash; /* 0: not a case (never the status: on_dup writes it) */
                if (!h || (h >> 40) % nparts != part) continue;
                uint32_t frag = (uint32_t)h;
                size_t k = dt_home(&t, h);
                for (;;) {
                    uint64_t *e = dt_at(&t, k);
                    if (!*e) {
                        *e = ((uint64_t)(i + 1) << 32) | frag;
                        break;
                    }
                    if ((uint32_t)*e == frag) {
                        size_t j = (size_t)(*e >> 32) - 1;
                        const char *id = pl_case_id(s, i);
                        if (strcmp(pl_case_id(s, j), id) == 0) {
                            fn(ctx, me, &slots[i], &slots[j], id);
                            ndup++;
                            break;
                        }
                    }
                    k = k + 1 == t.cap ? 0 : k + 1;
                }
            }
            free(heap);
        }
        dt_clear(&region); /* score_e4 back to 0 */
    }
    if (bad) return CM_ERR_NOMEM;
    *ndup_out = ndup;
    return CM_OK;
}

uint64_t pl_id_hash(const char *case_id)
{
    return hash_str(case_id) | 1; /* never 0: 0 marks a slot that is not a case */
}

void pl_hash_ids(pl_slots *s)
{
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)s->n; i++)
        if (s->slots[i].status == SLOT_CASE) s->slots[i].id_hash = pl_id_hash(pl_case_id(s, (size_t)i));
}

void pl_group_case(const gr_dip *dip, const gr_drg *drg, const gr_case *gc, cm_case *c)
{
    if (dip) {
        gr_dip_result r;
        gr_dip_assign(dip, gc, &r);
        c->group = r.group;
        c->path = r.path;
        c->why = r.why;
    }
    if (drg) {
        gr_drg_result d;
        gr_drg_assign(drg, gc, &d);
        c->drg = (int16_t)d.drg;
        c->mdc = d.mdc;
        c->drg_status = d.status;
        c->drg_why = d.why;
        c->cc = d.cc;
    }
}
