/*
 * fuzz_config.c - libFuzzer harness of the configuration loader
 * (cm_config_load, config/config.c, on libconfig).
 *
 * The input is a whole configuration file, written to fuzz.cfg in a
 * directory that also holds the small test tables under the names the
 * project's configurations use (catalogue.csv, group_stats.csv,
 * proc_attributes.csv, icd10.csv, demo/..., drg/), so that relative paths
 * resolve and the checks after parsing are reached.
 *
 * Oracles, besides the sanitizers: an error has a NUL-terminated, non-empty
 * message and a line >= 0; an accepted configuration keeps the documented
 * invariants (budget >= 0, outlier thresholds pass sc_outlier_params_check,
 * deflate level 1..9, chunk rows > 0, at most three history years, level
 * coefficients > 0, C strings terminated). When it names a DIP catalogue,
 * gr_dip_load runs on it (it exists: the loader checked it).
 *
 * Leak checks are off for syntax errors: libconfig 1.5 (Debian libconfig9)
 * leaks the pending string token then (repro: a file holding `""`), which
 * is not casemix's doing. Each input is loaded once without leak checking;
 * unless that ends in CM_CFG_ERR_SYNTAX it is loaded again, leak-checked,
 * and must give the same status (the loader keeps no state).
 */
#include "../../config/config.h"
#include "fuzz_util.h"

#include <math.h>
#include <sanitizer/lsan_interface.h>
#include <sys/stat.h>

static char g_path[128];

static void copy_tables(const char *dir)
{
    static const char *const dip[][2] = {
        {"tests/data/dip-mini/catalogue.csv", "catalogue.csv"},
        {"tests/data/dip-mini/group_stats.csv", "group_stats.csv"},
        {"tests/data/dip-mini/attributes.csv", "proc_attributes.csv"},
        {"tests/data/dip-mini/icd10.csv", "icd10.csv"},
        {"tests/data/dip-mini/simple_procs.csv", "simple_procs.csv"},
    };
    static const char *const drg[] = {"adrg.csv", "adrg_list.csv", "adrg_rule.csv", "cc.csv",
                                      "cc_exclusion.csv", "drg.csv", "icd10_dx.csv", "icd9_proc.csv",
                                      "mcc.csv", "mdc.csv", "mdc_dx.csv", "or_procedures.csv"};
    char p[512], src[256];
    snprintf(p, sizeof p, "%s/demo", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/drg", dir);
    mkdir(p, 0700);
    for (size_t i = 0; i < sizeof dip / sizeof dip[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, dip[i][1]);
        fz_copy_from_repo(dip[i][0], p);
        snprintf(p, sizeof p, "%s/demo/%s", dir, dip[i][1]);
        fz_copy_from_repo(dip[i][0], p);
    }
    for (size_t i = 0; i < sizeof drg / sizeof drg[0]; i++) {
        snprintf(p, sizeof p, "%s/drg/%s", dir, drg[i]);
        snprintf(src, sizeof src, "tests/data/drg-mini/%s", drg[i]);
        fz_copy_from_repo(src, p);
    }
}

static void must_terminate(const char *s, size_t n)
{
    if (!memchr(s, '\0', n)) abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = fz_tmpdir("fuzz-config");
    copy_tables(dir);
    snprintf(g_path, sizeof g_path, "%s/fuzz.cfg", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cm_config c;
    cm_cfg_error e;
    fz_write_file(g_path, data, size);
    memset(&e, 0x5a, sizeof e); /* the loader must fill what it reports */
    /* first without leak checking, to learn whether it is a syntax error */
    __lsan_disable();
    cm_cfg_status st = cm_config_load(g_path, &c, &e);
    __lsan_enable();
    if (st != CM_CFG_ERR_SYNTAX) {
        memset(&e, 0x5a, sizeof e);
        if (cm_config_load(g_path, &c, &e) != st) abort(); /* the loader keeps no state */
    }
    if (st != CM_CFG_OK) {
        must_terminate(e.msg, sizeof e.msg);
        must_terminate(e.file, sizeof e.file);
        must_terminate(e.key, sizeof e.key);
        if (!e.msg[0] || e.line < 0) abort();
        return 0;
    }
    must_terminate(c.region, sizeof c.region);
    must_terminate(c.period, sizeof c.period);
    must_terminate(c.input_file, sizeof c.input_file);
    must_terminate(c.dip_catalogue, sizeof c.dip_catalogue);
    must_terminate(c.output_file, sizeof c.output_file);
    must_terminate(c.sha256, sizeof c.sha256);
    if (c.fund_budget_fen < 0 || c.category_tolerance_fen < 0) abort();
    if (sc_outlier_params_check(&c.outliers) != SC_OK) abort();
    if (c.deflate_level < 1 || c.deflate_level > 9 || c.chunk_rows <= 0) abort();
    if (c.n_history < 0 || c.n_history > CM_MAX_HISTORY) abort();
    for (int l = 1; l <= 3; l++)
        if (!(c.level_coef[l] > 0) || !isfinite(c.level_coef[l])) abort();
    if (c.dip_catalogue[0]) {
        gr_dip *d = NULL;
        gr_error ge;
        if (gr_dip_load(&c.dip, &d, &ge) == GR_OK) {
            if (gr_dip_blank(d) < 0) abort();
            gr_dip_free(d);
        }
    }
    return 0;
}
