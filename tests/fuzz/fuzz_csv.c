/*
 * fuzz_csv.c - libFuzzer harness of the engine's CSV reader (engine/reader.c,
 * driven through pl_read in engine/pipeline.c, the path settle uses).
 *
 * The input is a whole discharge-record CSV file. It is read three times
 * with the reader's block size (rd_set_block_size) at 64, 257 and 64 KiB
 * bytes, so that block (and with them chunk) boundaries fall everywhere,
 * including inside quoted fields, CRLF pairs and UTF-8 sequences. Built
 * without OpenMP, pl_read runs its parallel loops on one thread, in order.
 *
 * Oracles, besides ASan / UBSan / LeakSanitizer:
 *  - the result must not depend on the block size: a hash of the header
 *    (columns found), of every slot (status, physical line, case id,
 *    amounts, flags, level, buckets) and of the callback stream (reject
 *    field and reason; grouping of each case) or of the error message is
 *    compared across the three reads;
 *  - every slot is CASE, REJECT or EMPTY, case ids are terminated, and
 *    physical line numbers strictly increase from the line after the header;
 *    there are no more rows than newlines + 1;
 *  - every parsed case is grouped with gr_dip_assign and gr_drg_assign on the
 *    small test tables (tests/data/dip-mini, tests/data/drg-mini), and the
 *    group index must be inside the catalogue; pl_find_duplicates runs on
 *    the slots and reports only cases whose id was seen before.
 * A broken oracle calls abort(), which libFuzzer reports as a crash.
 */
#include "../../engine/pipeline.h"
#include "fuzz_util.h"

static gr_dip *g_dip;
static gr_drg *g_drg;
static char g_path[128];

typedef struct {
    uint64_t h;
} hasher;

static void hash_bytes(hasher *x, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) x->h = (x->h ^ b[i]) * 1099511628211ULL;
}
static void hash_str(hasher *x, const char *s) { hash_bytes(x, s, strlen(s) + 1); }
static void hash_u64(hasher *x, uint64_t v) { hash_bytes(x, &v, sizeof v); }

static void on_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    hasher *x = vctx;
    (void)tid;
    if (c->status == SLOT_REJECT) {
        hash_str(x, p->rj_field ? p->rj_field : "(null)");
        if (!memchr(p->rj_reason, '\0', sizeof p->rj_reason)) abort();
        hash_str(x, p->rj_reason);
        return;
    }
    for (int k = 0; k < p->nnotes; k++) { /* data-quality notes of a kept row */
        if (!memchr(p->notes[k].reason, '\0', sizeof p->notes[k].reason)) abort();
        hash_str(x, p->notes[k].field);
        hash_str(x, p->notes[k].reason);
    }
    if (c->status != SLOT_CASE) abort(); /* SLOT_EMPTY never reaches the callback */
    gr_dip_result r;
    gr_dip_assign(g_dip, &p->gc, &r);
    if (r.group < 0 || (size_t)r.group >= gr_dip_ngroups(g_dip)) abort();
    c->group = r.group;
    c->path = r.path;
    c->why = r.why;
    gr_drg_result d;
    gr_drg_assign(g_drg, &p->gc, &d);
    if (d.drg >= 0 && (size_t)d.drg >= gr_drg_ndrg(g_drg)) abort();
    c->drg = (int16_t)d.drg;
    c->drg_status = d.status;
    hash_str(x, p->gc.principal_dx ? p->gc.principal_dx : "");
    hash_u64(x, (uint64_t)p->gc.n_other_dx * 1000 + (uint64_t)p->gc.n_other_procs);
}

static void on_dup(void *ctx, int tid, cm_case *dup, const cm_case *first, const char *case_id)
{
    hasher *x = ctx;
    (void)tid;
    if (dup->status != SLOT_CASE || first->status != SLOT_CASE || first->line >= dup->line ||
        strncmp(dup->case_id, first->case_id, sizeof dup->case_id) != 0 || strlen(case_id) > CM_CASE_ID_MAX)
        abort();
    hash_u64(x, (uint64_t)first->line << 32 | dup->line);
}

/* Reads g_path with the given block size; returns the hash of everything seen. */
static uint64_t read_all(size_t block, const cm_parse_opts *o, const uint8_t *data, size_t size)
{
    hasher x = {1469598103934665603ULL};  /* header, slots, errors */
    hasher cb = {1469598103934665603ULL}; /* the callback stream, in slot order */
    char err[1024] = "";
    static const int required[] = {-1};
    cm_reader hdr;
    pl_slots s;
    rd_set_block_size(block);
    memset(&hdr, 0, sizeof hdr);
    int rc = pl_read(g_path, NULL, required, o, on_row, &cb, &s, &hdr, NULL, NULL, err, sizeof err);
    hash_u64(&x, (uint64_t)(rc + 10));
    if (rc != 0) {
        if (!err[0] || !memchr(err, '\0', sizeof err)) abort();
        hash_str(&x, err);
    } else {
        hash_u64(&x, (uint64_t)hdr.ncols);
        hash_bytes(&x, hdr.colidx, sizeof hdr.colidx);
        hash_u64(&x, (uint64_t)hdr.has_categories * 1000003u + hdr.header_lines);
        size_t newlines = 0;
        for (size_t i = 0; i < size; i++) newlines += data[i] == '\n';
        if (s.n > newlines + 1) abort();
        uint64_t last_line = hdr.header_lines;
        for (size_t i = 0; i < s.n; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status > SLOT_EMPTY || c->line <= last_line) abort();
            if (!memchr(c->case_id, '\0', sizeof c->case_id)) abort();
            last_line = c->line;
            hash_u64(&x, (uint64_t)c->status << 32 | c->line);
            hash_str(&x, pl_case_id(&s, i));
            if (strlen(pl_case_id(&s, i)) > CM_CASE_ID_MAX) abort();
            hash_u64(&x, (uint64_t)c->total_fen);
            hash_u64(&x, (uint64_t)c->fund_fen);
            hash_u64(&x, (uint64_t)c->flags << 16 | (uint64_t)c->level << 8 | c->path);
            hash_u64(&x, (uint64_t)(uint32_t)c->group << 32 | (uint16_t)c->drg);
            int64_t b[SC_BUCKET__COUNT];
            pl_case_buckets(&s, i, b);
            for (int k = 0; k < SC_BUCKET__COUNT; k++) hash_u64(&x, (uint64_t)b[k]);
        }
        if (s.n) {
            pl_hash_ids(&s);
            size_t nd;
            if (pl_find_duplicates(&s, on_dup, &x, &nd) != CM_OK) abort();
        }
    }
    pl_slots_free(&s);
    hash_u64(&x, cb.h);
    return x.h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gr_error e;
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = FUZZ_ROOT "/tests/data/dip-mini/catalogue.csv";
    o.group_stats_csv = FUZZ_ROOT "/tests/data/dip-mini/group_stats.csv";
    o.proc_attr_csv = FUZZ_ROOT "/tests/data/dip-mini/attributes.csv";
    o.icd10_csv = FUZZ_ROOT "/tests/data/dip-mini/icd10.csv";
    o.simple_procs_csv = FUZZ_ROOT "/tests/data/dip-mini/simple_procs.csv";
    if (gr_dip_load(&o, &g_dip, &e) != GR_OK) { fprintf(stderr, "%s:%ld: %s\n", e.file, e.line, e.msg); abort(); }
    gr_drg_options d;
    gr_drg_options_default(&d);
    d.dir = FUZZ_ROOT "/tests/data/drg-mini";
    if (gr_drg_load(&d, &g_drg, &e) != GR_OK) { fprintf(stderr, "%s:%ld: %s\n", e.file, e.line, e.msg); abort(); }
    snprintf(g_path, sizeof g_path, "%s/input.csv", fz_tmpdir("fuzz-csv"));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_write_file(g_path, data, size);
    /* settle's options; the mismatch rule follows the input (both are covered) */
    cm_parse_opts o;
    memset(&o, 0, sizeof o);
    /* settle's needs, with or without CHS-DRG (both are covered) */
    o.need = cm_need_columns(CM_RUN_SETTLE, 1, (size >> 1) & 1);
    o.mismatch = (size & 1) ? CM_MISMATCH_REJECT : CM_MISMATCH_FLAG;
    o.tolerance_fen = (int64_t)(size % 3);
    uint64_t a = read_all(64, &o, data, size);
    uint64_t b = read_all(257, &o, data, size);
    uint64_t c = read_all((size_t)64 << 10, &o, data, size);
    if (a != b || a != c) {
        fprintf(stderr, "fuzz_csv: the result depends on the block size: %016llx %016llx %016llx\n",
                (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
        abort();
    }
    return 0;
}
