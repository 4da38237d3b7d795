/*
 * fuzz_drg_tables.c - libFuzzer harness of the CHS-DRG table loader
 * (gr_drg_load, grouper/drg_load.c and grouper/csvtab.c).
 *
 * Input: one selector byte, then the content of one table. The table set of
 * tests/data/drg-mini is copied once to a directory under /tmp; the
 * selector (byte % 12) picks the file that gets the rest of the input (in
 * the order of TABLES below), the others stay valid. Bits 4 and 5 of the
 * selector set the options upcase_codes and strict_weight. The file is put
 * back after each run.
 *
 * Oracles, besides the sanitizers: a failed load has *out NULL and a
 * terminated, non-empty message; after a successful load every DRG, ADRG
 * and MDC has a terminated code, the fixed cases of fuzz_util.h group to
 * a DRG inside the table (or 0000), and gr_drg_explain returns the length
 * it wrote (snprintf contract) with a terminated buffer.
 */
#include "fuzz_util.h"

enum { NTAB = 12 };
static const char *const TABLES[NTAB] = {"adrg.csv", "adrg_list.csv", "adrg_rule.csv", "cc.csv",
                                         "cc_exclusion.csv", "drg.csv", "icd10_dx.csv", "icd9_proc.csv",
                                         "mcc.csv", "mdc.csv", "mdc_dx.csv", "or_procedures.csv"};
static fz_tables g_t;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_tables_init(&g_t, "fuzz-drg", "tests/data/drg-mini", TABLES, NTAB);
    return 0;
}

static void check_loaded(const gr_drg *g)
{
    size_t ndrg = gr_drg_ndrg(g), nadrg = gr_drg_nadrg(g), nmdc = gr_drg_nmdc(g);
    for (size_t i = 0; i < ndrg; i++) {
        if (strlen(gr_drg_code(g, (int32_t)i)) == 0) abort();
        (void)strlen(gr_drg_name(g, (int32_t)i));
        int32_t a = gr_drg_adrg_of(g, (int32_t)i);
        if (a < -1 || a >= (int32_t)nadrg) abort();
    }
    for (size_t i = 0; i < nadrg; i++) (void)strlen(gr_drg_adrg_code(g, (int32_t)i));
    for (size_t i = 0; i < nmdc; i++) (void)strlen(gr_drg_mdc_code(g, (int32_t)i));
    (void)strlen(gr_drg_version(g));
    gr_case c[FZ_NCASES];
    fz_make_cases(c);
    static char buf[4096];
    for (int i = 0; i < FZ_NCASES; i++) {
        gr_drg_result r;
        gr_drg_assign(g, &c[i], &r);
        if (r.drg < -1 || r.drg >= (int32_t)ndrg || r.mdc < -1 || r.mdc >= (int)nmdc) abort();
        if (r.status > GR_DRG_CHECK_FAILED || r.cc > 2) abort();
        size_t need = gr_drg_explain(g, &c[i], buf, sizeof buf);
        size_t got = strnlen(buf, sizeof buf);
        if (got == sizeof buf || (need < sizeof buf && got != need) || (need >= sizeof buf && got != sizeof buf - 1))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int sel = data[0] % NTAB;
    fz_write_file(g_t.path[sel], data + 1, size - 1);
    gr_drg_options o;
    gr_drg_options_default(&o);
    o.dir = fz_dir;
    o.upcase_codes = (data[0] >> 4) & 1;
    o.strict_weight = (data[0] >> 5) & 1;
    gr_drg *g = (gr_drg *)1;
    gr_error e;
    memset(&e, 0x5a, sizeof e);
    if (gr_drg_load(&o, &g, &e) == GR_OK) {
        if (!g) abort();
        check_loaded(g);
        gr_drg_free(g);
    } else {
        if (g || !memchr(e.msg, '\0', sizeof e.msg) || !e.msg[0] || !memchr(e.file, '\0', sizeof e.file))
            abort();
    }
    fz_write_file(g_t.path[sel], g_t.orig[sel], g_t.len[sel]);
    return 0;
}
