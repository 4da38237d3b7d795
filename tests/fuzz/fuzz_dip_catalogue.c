/*
 * fuzz_dip_catalogue.c - libFuzzer harness of the DIP table loader
 * (gr_dip_load, grouper/dip_load.c and grouper/csvtab.c).
 *
 * Input: one selector byte, then the content of one table. The selector
 * (byte % 5) picks which of the five tables of tests/data/dip-mini is
 * replaced: 0 catalogue.csv, 1 group_stats.csv, 2 attributes.csv,
 * 3 icd10.csv, 4 simple_procs.csv; the other four stay valid, so that
 * cross-table checks (codes against the catalogue, KBBZ statistics) run.
 * Bit 3 of the selector drops the optional tables (catalogue only).
 *
 * Oracles, besides the sanitizers: a failed load has *out NULL and a
 * terminated, non-empty message; a successful load has KBBZ, every group
 * has a terminated code, published code, name and main procedure, groups
 * are in ascending 序号 with KBBZ last, gr_dip_find finds each group by its
 * own code, and the fixed cases of fuzz_util.h group into the catalogue.
 */
#include "fuzz_util.h"

enum { NTAB = 5 };
static const char *const SRC[NTAB] = {"catalogue.csv", "group_stats.csv", "attributes.csv", "icd10.csv",
                                      "simple_procs.csv"};
static fz_tables g_t;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_tables_init(&g_t, "fuzz-dip", "tests/data/dip-mini", SRC, NTAB);
    return 0;
}

static void check_loaded(const gr_dip *d)
{
    size_t n = gr_dip_ngroups(d);
    int32_t blank = gr_dip_blank(d);
    if (n == 0 || blank != (int32_t)(n - 1)) abort();
    for (size_t i = 0; i < n; i++) {
        const gr_dip_group *g = gr_dip_group_at(d, i);
        if (!g || !memchr(g->code, '\0', sizeof g->code) || !g->published || !g->name || !g->main_proc) abort();
        if (g->type > GR_DIP_BLANK || !memchr(g->dx, '\0', sizeof g->dx)) abort();
        if (g->n_related && !g->related) abort();
        for (unsigned k = 0; k < g->n_related; k++)
            if (!g->related[k]) abort();
        if (i + 1 < n && i > 0 && gr_dip_group_at(d, i - 1)->seq > g->seq) abort();
        int32_t f = gr_dip_find(d, g->code);
        if (f < 0 || strcmp(gr_dip_group_at(d, (size_t)f)->code, g->code) != 0) abort();
        (void)strlen(g->published);
        (void)strlen(g->name);
    }
    for (size_t i = 0; i < gr_dip_n_attr_codes(d); i++) {
        gr_attr a;
        const char *code = gr_dip_attr_code_at(d, i, &a);
        if (!code || gr_dip_attr_of(d, code) != a) abort();
    }
    for (size_t i = 0; i < gr_dip_n_icd10_codes(d); i++)
        if (!gr_dip_icd10_at(d, i)) abort();
    gr_case c[FZ_NCASES];
    fz_make_cases(c);
    for (int i = 0; i < FZ_NCASES; i++) {
        gr_dip_result r;
        gr_dip_assign(d, &c[i], &r);
        if (r.group < 0 || (size_t)r.group >= n) abort();
        /* the explanation takes the same path and stays within its buffer */
        static char buf[8192];
        gr_dip_result e;
        size_t need = gr_dip_explain(d, &c[i], &e, buf, sizeof buf);
        if (e.group != r.group || e.path != r.path || e.why != r.why || strlen(buf) != (need < sizeof buf ? need : sizeof buf - 1))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int sel = data[0] % NTAB;
    fz_write_file(g_t.path[sel], data + 1, size - 1);
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = g_t.path[0];
    if (!(data[0] & 8)) {
        o.group_stats_csv = g_t.path[1];
        o.proc_attr_csv = g_t.path[2];
        o.icd10_csv = g_t.path[3];
        o.simple_procs_csv = g_t.path[4];
    }
    gr_dip *d = (gr_dip *)1;
    gr_error e;
    memset(&e, 0x5a, sizeof e);
    if (gr_dip_load(&o, &d, &e) == GR_OK) {
        if (!d) abort();
        check_loaded(d);
        gr_dip_free(d);
    } else {
        if (d || !memchr(e.msg, '\0', sizeof e.msg) || !e.msg[0] || !memchr(e.file, '\0', sizeof e.file))
            abort();
    }
    fz_write_file(g_t.path[sel], g_t.orig[sel], g_t.len[sel]);
    return 0;
}
