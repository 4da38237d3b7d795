/*
 * fuzz_csv.c - libFuzzer harness of the engine's CSV reader (engine/reader.c).
 *
 * The input is a whole discharge-record CSV file. It is read three times
 * the way pl_read reads it, but serially: rd_open, then rd_next_block and
 * rd_parse_chunk for every chunk, with (block size, chunk size) of (64, 1),
 * (257, 64) and (64 KiB, 1 MiB), so that block and chunk boundaries fall
 * everywhere, including inside quoted fields and CRLF pairs.
 *
 * Oracles, besides ASan / UBSan / LeakSanitizer:
 *  - the result must not depend on the block or chunk size: a hash of the
 *    header (columns found) and of every slot (status, physical line, case
 *    id, amounts, flags, level, groups, reject field and reason) or of the
 *    error message is compared across the three reads;
 *  - chunks tile the consumed bytes, slots are numbered without gaps, and
 *    physical line numbers strictly increase from the line after the header;
 *  - every parsed case is grouped with gr_dip_assign and gr_drg_assign on the
 *    small test tables (tests/data/dip-mini, tests/data/drg-mini), and the
 *    group index must be inside the catalogue.
 * A broken oracle calls abort(), which libFuzzer reports as a crash.
 */
#include "../../engine/engine.h"
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

/* Reads g_path with the given sizes; returns the hash of everything seen. */
static uint64_t read_all(size_t block, size_t chunk_bytes, const cm_parse_opts *o, size_t input_len)
{
    hasher x = {1469598103934665603ULL};  /* header, slots, errors */
    hasher cb = {1469598103934665603ULL}; /* the callback stream, in slot order */
    char err[1024] = "";
    cm_reader r;
    rd_set_block_size(block);
    if (rd_open(&r, g_path, NULL, err, sizeof err)) {
        rd_close(&r);
        if (!err[0]) abort();
        hash_str(&x, err);
        return x.h;
    }
    hash_u64(&x, (uint64_t)r.ncols);
    hash_bytes(&x, r.colidx, sizeof r.colidx);
    hash_u64(&x, (uint64_t)r.has_categories * 1000003u + r.header_lines);
    cm_chunk *chunks = NULL;
    size_t ccap = 0, next_slot = 0, done = 0;
    cm_case *slots = NULL;
    size_t scap = 0;
    cm_parser p;
    parser_init(&p);
    uint64_t last_line = r.header_lines; /* header ends on this line */
    for (;;) {
        size_t slot0 = next_slot;
        long nch = rd_next_block(&r, chunk_bytes, &chunks, &ccap, &next_slot, err, sizeof err);
        if (nch < 0) { hash_str(&x, err); break; }
        if (nch == 0) break;
        if (next_slot > scap) {
            scap = next_slot * 2;
            slots = realloc(slots, scap * sizeof *slots);
            if (!slots) abort();
        }
        for (long k = 0; k < nch; k++) {
            const cm_chunk *c = &chunks[k];
            size_t want_begin = k ? chunks[k - 1].end : 0;
            size_t want_slot = k ? chunks[k - 1].slot0 + chunks[k - 1].nrec : slot0;
            if (c->begin != want_begin || c->end < c->begin || c->end > r.len || c->slot0 != want_slot ||
                c->nrec == 0)
                abort();
            rd_parse_chunk(&r, r.buf, c, o, &p, slots, on_row, &cb, 0);
        }
        if (chunks[nch - 1].slot0 + chunks[nch - 1].nrec != next_slot) abort();
        for (size_t i = done; i < next_slot; i++) {
            const cm_case *c = &slots[i];
            if (c->status > SLOT_EMPTY || c->line <= last_line) abort();
            if (!memchr(c->case_id, '\0', sizeof c->case_id)) abort();
            last_line = c->line;
            hash_u64(&x, (uint64_t)c->status << 32 | c->line);
            hash_str(&x, c->case_id);
            hash_u64(&x, (uint64_t)c->total_fen);
            hash_u64(&x, (uint64_t)c->fund_fen);
            hash_u64(&x, (uint64_t)c->flags << 16 | (uint64_t)c->level << 8 | c->path);
            hash_u64(&x, (uint64_t)(uint32_t)c->group << 32 | (uint16_t)c->drg);
            for (int b = 0; b < SC_BUCKET__COUNT; b++) hash_u64(&x, (uint64_t)c->bucket_fen[b]);
        }
        done = next_slot;
    }
    /* a row is at least one physical line: never more rows than lines */
    if (next_slot > input_len + 1) abort();
    parser_free(&p);
    free(chunks);
    free(slots);
    rd_close(&r);
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
    cm_parse_opts o = {1, 1, (size & 1) ? CM_MISMATCH_REJECT : CM_MISMATCH_FLAG, (int64_t)(size % 3)};
    uint64_t a = read_all(64, 1, &o, size);
    uint64_t b = read_all(257, 64, &o, size);
    uint64_t c = read_all((size_t)64 << 10, (size_t)1 << 20, &o, size);
    if (a != b || a != c) {
        fprintf(stderr, "fuzz_csv: the result depends on the block size: %016llx %016llx %016llx\n",
                (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
        abort();
    }
    return 0;
}
