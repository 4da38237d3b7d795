/*
 * config.c - reads and validates one libconfig file into a cm_config.
 *
 * Design
 * - One table, KEYS[], lists every valid key: its group, its name, its kind
 *   (how it is read and checked), where it goes in cm_config (offsetof) and
 *   its range. The same table drives the reading, the unknown-key check and
 *   the "did you mean" suggestions: a new key is one line here plus its
 *   entry in config/example.cfg.
 * - Checks run in this order and stop at the first problem, so a bad file
 *   never starts any work: read the bytes (the SHA-256 covers exactly those
 *   bytes); a lexical pre-scan (@include is refused, because the checksum
 *   must cover every setting; integer literals beyond 32 bits without an L
 *   suffix are refused, because libconfig 1.5 silently truncates them,
 *   except for money keys, whose literal text the pre-scan keeps);
 *   libconfig's parse; unknown keys anywhere in the tree; every key of the
 *   table in order (type, then range); rules between keys (low < high,
 *   the scheme's required tables, ...); finally the named tables exist and
 *   are readable.
 * - Relative paths are joined to the absolute directory of the file. Data
 *   files (input.records, history[].file, output.file) are not checked for
 *   existence: `casemix gen` writes them, and the engine names them when it
 *   opens them. Tables (dip.*, drg.tables, input.aliases) are checked.
 * - Numbers: an integer is accepted where a real is expected; nothing else
 *   is converted (no "2" for 2, no 1 for true). Money (budget.fund_budget,
 *   drg_budget; K_YUAN) is parsed from its text by cm_parse_yuan: a string
 *   (thousands separators allowed) or the number's own source text, so
 *   5000000000 and 5000000000.50 are exact; only a number libconfig alone
 *   sees (an exponent) goes through a double, proved exact in
 *   yuan_from_double. At most 10^13 yuan.
 * - The library never prints or exits; all libconfig state lives in
 *   cm_config_load's frame, so separate loads do not share anything.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"

#define CM_CFG_MAX_BYTES (16u << 20)   /* a larger file is not a configuration */

/* ------------------------------------------------------------------ */
/* The table of keys                                                   */
/* ------------------------------------------------------------------ */

typedef enum {
    K_GROUP,     /* top-level group { ... } holding further keys */
    K_HISTORY,   /* the history list, read by load_history */
    K_HIST_ITEM, /* a key of one history entry (read by load_history) */
    K_STR,       /* string into char[size] */
    K_PATH,      /* data file path, resolved, not checked (written by gen) */
    K_TABLE,     /* table file path, resolved, must be a readable file */
    K_DIR,       /* table directory, resolved, must be a readable directory */
    K_ENCODING,  /* "auto" | "UTF-8" | "GB18030" (synonyms: utf8, gbk, gb2312, cp936) */
    K_ENUM,      /* one of names[] into an int-sized enum */
    K_BOOL,      /* true / false into an int */
    K_INT,       /* integer into an int */
    K_INT64,     /* integer into an int64_t */
    K_UINT64,    /* integer >= 0 into a uint64_t */
    K_REAL,      /* number (integer accepted) into a double */
    K_WEIGHTS,   /* 3 numbers >= 0 with a positive sum into double[3] */
    K_YUAN,      /* yuan, string or number, into int64_t fen */
    K_EXTERN,    /* read by its own parser (simulate.scenarios: config/scenario.c) */
    K_REGIONS    /* the province's regions list (统筹区), read by load_region */
} kind;

typedef struct {
    const char *group;            /* NULL: top level */
    const char *name;
    kind k;
    size_t off;                   /* offsetof(cm_config, ...) */
    size_t size;                  /* size of the member */
    double lo, hi;                /* numeric range */
    unsigned char lo_open, hi_open; /* 1: the bound itself is excluded */
    const char *const *names;     /* K_ENUM: choices, NULL-terminated */
} keydef;

static const char *const SCHEMES[] = { "dip", "drg", "both", NULL };
static const char *const MISMATCH[] = { "flag", "reject", NULL };
static const char *const SOURCES[] = { "catalogue", "history", NULL };
static const char *const SCALES[] = { "region_mean", "benchmark", "unit", NULL };
static const char *const COEF_MODES[] = { "fixed", "history", NULL };
static const char *const STD_COSTS[] = { "group_mean_x_coef", "level_mean",
                                         "score_x_point_value", NULL };
static const char *const COMPRESSIONS[] = { "deflate", "none", NULL };
static const char *const CASE_COLUMNS[] = { "codes", "compact", NULL };
static const char *const DEFLATE_LIBS[] = { "libdeflate", "zlib", "hdf5", NULL };
static const char *const TIE_RULES[] = { "lowest_seq", NULL };
static const char *const NOHIST_PAY[] = { "band_low", "forecast", NULL }; /* SC_NOHIST_* order */
static const char *const PCT_DEFS[] = { "weak", "strict", "mean", "linear", NULL };

/* K_ENUM writes an int: every enum it targets must be int-sized. */
_Static_assert(sizeof(cm_scheme) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_mismatch) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_score_source) == sizeof(int), "enum size");
_Static_assert(sizeof(sc_scale) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_coef_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_std_cost) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_compression) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_case_columns) == sizeof(int), "enum size");
_Static_assert(sizeof(cm_deflate_library) == sizeof(int), "enum size");
_Static_assert(sizeof(gr_tie_rule) == sizeof(int), "enum size");
_Static_assert(sizeof(sc_pct_def) == sizeof(int), "enum size");

#define M(m) offsetof(cm_config, m), sizeof(((cm_config *)0)->m)
#define IN 0   /* bound included */
#define EX 1   /* bound excluded */

#define GROUP(n)            { NULL, n, K_GROUP, 0, 0, 0, 0, 0, 0, NULL }
#define TEXT(g, n, k, m)    { g, n, k, M(m), 0, 0, 0, 0, NULL }
#define CHOICE(g, n, m, v)  { g, n, K_ENUM, M(m), 0, 0, 0, 0, v }
#define NUM(g, n, k, m, lo, lo_open, hi, hi_open) \
    { g, n, k, M(m), lo, hi, lo_open, hi_open, NULL }

static const keydef KEYS[] = {
    TEXT(NULL, "region", K_STR, region),
    TEXT(NULL, "period", K_STR, period),
    CHOICE(NULL, "scheme", scheme, SCHEMES),
    NUM(NULL, "threads", K_INT, threads, 0, IN, CM_MAX_THREADS, IN),
    GROUP("input"),
    { NULL, "history", K_HISTORY, 0, 0, 0, 0, 0, 0, NULL },
    { NULL, "regions", K_REGIONS, 0, 0, 0, 0, 0, 0, NULL },
    GROUP("dip"), GROUP("drg"), GROUP("scores"), GROUP("coefficients"),
    GROUP("outliers"), GROUP("budget"), GROUP("output"), GROUP("generator"), GROUP("supervision"),
    GROUP("year"), GROUP("clearing"),

    GROUP("simulate"),
    { "simulate", "scenarios", K_EXTERN, 0, 0, 0, 0, 0, 0, NULL },
    TEXT("simulate", "case_output", K_BOOL, sim_case_output),
    TEXT("simulate", "fee_file", K_PATH, sim_fee_file),

    TEXT("input", "records", K_PATH, input_file),
    TEXT("input", "encoding", K_ENCODING, input_encoding),
    TEXT("input", "aliases", K_TABLE, input_aliases),
    TEXT("input", "institutions", K_TABLE, input_institutions),
    CHOICE("input", "category_mismatch", category_mismatch, MISMATCH),
    NUM("input", "category_tolerance_fen", K_INT64, category_tolerance_fen, 0, IN, 9e15, IN),

    { "history", "year", K_HIST_ITEM, 0, 0, 1900, 2999, 0, 0, NULL },
    { "history", "file", K_HIST_ITEM, 0, 0, 0, 0, 0, 0, NULL },

    TEXT("dip", "catalogue", K_TABLE, dip_catalogue),
    TEXT("dip", "group_stats", K_TABLE, dip_group_stats),
    TEXT("dip", "proc_attributes", K_TABLE, dip_proc_attr),
    TEXT("dip", "icd10", K_TABLE, dip_icd10),
    TEXT("dip", "simple_procedures", K_TABLE, dip_simple_procs),
    NUM("dip", "blank_factor", K_REAL, blank_factor, 0, EX, 1, IN),
    NUM("dip", "blank_score", K_REAL, dip.blank_score, 0, IN, 1e9, IN),
    CHOICE("dip", "tie_rule", dip.tie_rule, TIE_RULES),
    TEXT("dip", "first_other_as_principal", K_BOOL, dip.first_other_as_principal),

    TEXT("drg", "tables", K_DIR, drg_dir),
    TEXT("drg", "weights", K_TABLE, drg_weights),
    TEXT("drg", "upcase_codes", K_BOOL, drg.upcase_codes),
    TEXT("drg", "strict_weight", K_BOOL, drg.strict_weight),
    NUM("drg", "low_ratio", K_REAL, drg_outliers.low, 0, EX, 100, IN),
    NUM("drg", "rw_band_low", K_REAL, drg_outliers.rw_band_low, 0, EX, 1000, IN),
    NUM("drg", "rw_band_high", K_REAL, drg_outliers.rw_band_high, 0, EX, 1000, IN),
    NUM("drg", "high_k_low_rw", K_REAL, drg_outliers.high_k_low_rw, 0, EX, 1000, IN),
    NUM("drg", "high_k_mid_rw", K_REAL, drg_outliers.high_k_mid_rw, 0, EX, 1000, IN),
    NUM("drg", "high_k_high_rw", K_REAL, drg_outliers.high_k_high_rw, 0, EX, 1000, IN),

    CHOICE("scores", "source", score_source, SOURCES),
    TEXT("scores", "year_weights", K_WEIGHTS, calib.year_weight),
    NUM("scores", "trim_low", K_REAL, calib.trim_low, 0, IN, 1, EX),
    NUM("scores", "trim_high", K_REAL, calib.trim_high, 0, EX, 1, IN),
    NUM("scores", "trim_min_cases", K_INT64, calib.trim_min_cases, 0, IN, 1e12, IN),
    CHOICE("scores", "scale", calib.scale, SCALES),
    NUM("scores", "scale_factor", K_REAL, calib.scale_factor, 0, EX, 1e9, IN),
    TEXT("scores", "benchmark_group", K_STR, benchmark_group),
    NUM("scores", "cv_split_threshold", K_REAL, cv_split_threshold, 0, EX, 100, IN),

    CHOICE("coefficients", "mode", coef_mode, COEF_MODES),
    NUM("coefficients", "level1", K_REAL, level_coef[1], 0, EX, 100, IN),
    NUM("coefficients", "level2", K_REAL, level_coef[2], 0, EX, 100, IN),
    NUM("coefficients", "level3", K_REAL, level_coef[3], 0, EX, 100, IN),

    NUM("outliers", "low", K_REAL, outliers.low, 0, EX, 1000, EX),
    TEXT("outliers", "low_inclusive", K_BOOL, outliers.low_inclusive),
    NUM("outliers", "high", K_REAL, outliers.high, 0, EX, 1000, EX),
    TEXT("outliers", "high_inclusive", K_BOOL, outliers.high_inclusive),
    NUM("outliers", "high_k", K_REAL, outliers.high_k, 0, IN, 1000, IN),
    NUM("outliers", "special", K_REAL, outliers.special, 0, EX, 1e6, IN),
    NUM("outliers", "special_cap", K_REAL, outliers.special_cap, 0, IN, 1, IN),
    NUM("outliers", "special_pay_k", K_REAL, outliers.special_pay_k, 0, IN, 1000, IN),
    CHOICE("outliers", "standard_cost", standard_cost, STD_COSTS),

    NUM("budget", "fund_budget", K_YUAN, fund_budget_fen, 0, EX, 1e15, IN),
    NUM("budget", "drg_budget", K_YUAN, drg_budget_fen, 0, EX, 1e15, IN),
    NUM("budget", "fund_share", K_REAL, fund_share, 0, IN, 1, IN),

    TEXT("output", "file", K_PATH, output_file),
    CHOICE("output", "compression", compression, COMPRESSIONS),
    NUM("output", "deflate_level", K_INT, deflate_level, 1, IN, 9, IN),
    CHOICE("output", "deflate_library", deflate_library, DEFLATE_LIBS),
    NUM("output", "chunk_rows", K_INT, chunk_rows, 1, IN, 16777216, IN),
    GROUP("mpi"),
    NUM("mpi", "split_bytes", K_INT64, mpi_split_bytes, 0, IN, 9e18, IN),
    CHOICE("output", "case_columns", case_columns, CASE_COLUMNS),

    NUM("generator", "cases", K_INT64, gen_cases, 1, IN, 1e12, IN),
    NUM("generator", "history_cases", K_INT64, gen_history_cases, 0, IN, 1e12, IN),
    NUM("generator", "seed", K_UINT64, gen_seed, 0, IN, 9.2e18, IN),
    NUM("generator", "institutions", K_INT, gen_institutions, 1, IN, 100000, IN),
    NUM("generator", "year", K_INT, gen_year, 1900, IN, 2999, IN),
    NUM("generator", "bad_rows", K_REAL, gen_bad_rows, 0, IN, 1, IN),
    NUM("generator", "seasonality", K_REAL, gen_seasonality, 0, IN, 0.9, IN),

    /* the settlement year (casemix month / clear) */
    NUM("year", "reserve", K_REAL, year.reserve, 0, IN, 1, EX),
    NUM("year", "deposit", K_REAL, year.deposit, 0, IN, 1, EX),
    NUM("year", "estimate_margin", K_REAL, year.estimate_margin, 0, IN, 1, EX),
    NUM("year", "band_min", K_REAL, year.band_min, 0, IN, 1, IN),
    NUM("year", "month_cv", K_REAL, year.month_cv, 0, EX, 2, IN),
    CHOICE("year", "no_history_pay", year.no_history_pay, NOHIST_PAY),
    TEXT("year", "ledger", K_PATH, year_ledger),
    TEXT("clearing", "corridor", K_BOOL, year.corridor),
    NUM("clearing", "corridor_low", K_REAL, year.corridor_low, 0, IN, 1, IN),
    NUM("clearing", "corridor_high", K_REAL, year.corridor_high, 0, IN, 10, IN),
    NUM("clearing", "budget_point_value", K_REAL, year.budget_point_value, 0, EX, 1e9, IN),
    TEXT("clearing", "bands", K_BOOL, year.bands),
    NUM("clearing", "surplus_keep", K_REAL, year.surplus_keep, 0, IN, 1, IN),
    NUM("clearing", "overspend_limit", K_REAL, year.overspend_limit, 0, IN, 1, IN),
    NUM("clearing", "overspend_fund_share", K_REAL, year.overspend_fund, 0, IN, 1, IN),
    NUM("clearing", "special_cap", K_REAL, year.special_cap, 0, IN, 1, IN),
    NUM("clearing", "default_assessment", K_REAL, year.default_assessment, 0, IN, 10, IN),
    TEXT("clearing", "audit", K_PATH, clear_audit),
    TEXT("clearing", "assessment", K_PATH, clear_assessment),
    TEXT("clearing", "special_review", K_PATH, clear_special),


    /* supervision: institution indicators and rating (issue 11; nested groups
     * supervision.indicators and supervision.rating, dotted group names) */
    TEXT("supervision", "previous", K_PATH, sup_previous),
    TEXT("supervision", "previous_input", K_TABLE, sup_previous_input),
    TEXT("supervision", "targets", K_TABLE, sup_targets),
    NUM("supervision", "year_elapsed", K_REAL, sup_year_elapsed, 0, IN, 1, IN),
    { "supervision", "indicators", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision", "rating", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    CHOICE("supervision.indicators", "percentile", indicators.pct_def, PCT_DEFS),
    NUM("supervision.indicators", "high_cut", K_REAL, indicators.high_cut, 0, IN, 100, IN),
    NUM("supervision.indicators", "low_cut", K_REAL, indicators.low_cut, 0, IN, 100, IN),
    NUM("supervision.indicators", "min_count", K_INT64, indicators.min_count, 0, IN, 1e12, IN),
    TEXT("supervision.rating", "weights", K_STR, ind_weights),
    TEXT("supervision.rating", "directions", K_STR, ind_directions),
    NUM("supervision.rating", "excellent", K_REAL, indicators.cut_excellent, 0, IN, 100, IN),
    NUM("supervision.rating", "good", K_REAL, indicators.cut_good, 0, IN, 100, IN),
    NUM("supervision.rating", "pass", K_REAL, indicators.cut_pass, 0, IN, 100, IN),

    /* supervision (稽核): nested groups supervision.rules.RXX (dotted group names) */
    TEXT("supervision", "enabled", K_BOOL, sup_enabled),
    NUM("supervision", "sample_rate", K_REAL, sample_rate, 0, IN, 1, IN),
    NUM("supervision", "sample_flagged_share", K_REAL, sample_flagged_share, 0, IN, 1, IN),
    NUM("supervision", "sample_seed", K_UINT64, sample_seed, 0, IN, 9.2e18, IN),
    { "supervision", "rules", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R01", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R02", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R03", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R04", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R05", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R06", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R07", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R08", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R09", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R10", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R11", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R12", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    { "supervision.rules", "R13", K_GROUP, 0, 0, 0, 0, 0, 0, NULL },
    TEXT("supervision.rules.R01", "enabled", K_BOOL, sup.enabled[0]),
    TEXT("supervision.rules.R02", "enabled", K_BOOL, sup.enabled[1]),
    TEXT("supervision.rules.R03", "enabled", K_BOOL, sup.enabled[2]),
    TEXT("supervision.rules.R04", "enabled", K_BOOL, sup.enabled[3]),
    TEXT("supervision.rules.R05", "enabled", K_BOOL, sup.enabled[4]),
    TEXT("supervision.rules.R06", "enabled", K_BOOL, sup.enabled[5]),
    TEXT("supervision.rules.R07", "enabled", K_BOOL, sup.enabled[6]),
    TEXT("supervision.rules.R08", "enabled", K_BOOL, sup.enabled[7]),
    TEXT("supervision.rules.R09", "enabled", K_BOOL, sup.enabled[8]),
    TEXT("supervision.rules.R10", "enabled", K_BOOL, sup.enabled[9]),
    TEXT("supervision.rules.R11", "enabled", K_BOOL, sup.enabled[10]),
    TEXT("supervision.rules.R12", "enabled", K_BOOL, sup.enabled[11]),
    TEXT("supervision.rules.R13", "enabled", K_BOOL, sup.enabled[12]),
    NUM("supervision.rules.R01", "days", K_INT, sup.readmit_days, 0, IN, 3650, IN),
    TEXT("supervision.rules.R01", "exempt_dx", K_STR, sup_exempt_dx),
    TEXT("supervision.rules.R01", "exempt_emergency", K_BOOL, sup.exempt_emergency),
    NUM("supervision.rules.R02", "days", K_INT, sup.split_days, 0, IN, 3650, IN),
    NUM("supervision.rules.R03", "days", K_INT, sup.transfer_days, 0, IN, 3650, IN),
    NUM("supervision.rules.R06", "min_los", K_INT, sup.bed_min_los, 0, IN, 60000, IN),
    NUM("supervision.rules.R06", "service_share_max", K_REAL, sup.bed_service_max, 0, IN, 1, IN),
    NUM("supervision.rules.R06", "bed_share_min", K_REAL, sup.bed_fee_min, 0, IN, 1, IN),
    NUM("supervision.rules.R07", "max_los", K_INT, sup.low_max_los, 0, IN, 60000, IN),
    NUM("supervision.rules.R07", "ratio_max", K_REAL, sup.low_ratio_max, 0, IN, 1000, IN),
    TEXT("supervision.rules.R07", "dx", K_STR, sup_low_dx),
    NUM("supervision.rules.R08", "max_los", K_INT, sup.long_los, 0, IN, 60000, IN),
    NUM("supervision.rules.R08", "k", K_REAL, sup.long_k, 0, EX, 1000, IN),
    TEXT("supervision.rules.R09", "table", K_TABLE, sup_sex_table),
    TEXT("supervision.rules.R10", "table", K_TABLE, sup_age_table),
    NUM("supervision.rules.R10", "newborn_age_max", K_INT, sup.newborn_age_max, 0, IN, 150, IN),
    NUM("supervision.rules.R10", "obstetric_age_min", K_INT, sup.obstetric_age_min, 0, IN, 150, IN),
    NUM("supervision.rules.R10", "obstetric_age_max", K_INT, sup.obstetric_age_max, 0, IN, 150, IN),
    NUM("supervision.rules.R11", "z", K_REAL, sup.lowrisk_z, -100, IN, 100, IN),
};

#define NKEYS (sizeof KEYS / sizeof KEYS[0])

static int same_group(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int key_index(const char *group, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (same_group(KEYS[i].group, group) && strcmp(KEYS[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void key_path(const keydef *k, char *out, size_t n)
{
    if (k->group)
        snprintf(out, n, "%s.%s", k->group, k->name);
    else
        snprintf(out, n, "%s", k->name);
}

/* ------------------------------------------------------------------ */
/* Loader state and errors                                             */
/* ------------------------------------------------------------------ */

/* The first NUL byte, the first @ directive and the first integer literal
 * that libconfig 1.5 would truncate (beyond 32 bits, no L suffix). */
#define SCAN_YUAN_MAX 512  /* a province lists a budget per region */
typedef struct scan_result {
    int include_line;
    int nul_line;
    int big_line;
    char big[48];
    /* the source text of the numbers written for money keys (K_YUAN), so
     * that their value never depends on libconfig's int (32-bit, truncated
     * without L) or double reading: "5000000000.50" is parsed digit by digit */
    int n_yuan;
    struct { char key[32]; char text[48]; int line; } yuan[SCAN_YUAN_MAX];
} scan_result;

static int is_yuan_key_name(const char *name, size_t n);

typedef struct {
    const char *path;
    char dir[CM_PATH_MAX];   /* absolute directory of the file */
    config_t cf;
    cm_config *c;
    cm_cfg_error *err;
    int line[NKEYS];         /* source line of each key present, else 0 */
    const struct scan_result *scan; /* the lexical pre-scan (money literals) */
    char kprefix[64];        /* "regions[2] (410400)." while a region's settings are read */
} loader;

__attribute__((format(printf, 5, 6)))
static cm_cfg_status fail(loader *L, cm_cfg_status st, int line, const char *key,
                          const char *fmt, ...)
{
    cm_cfg_error *e = L->err;
    snprintf(e->file, sizeof e->file, "%s", L->path);
    e->line = line;
    snprintf(e->key, sizeof e->key, "%s%s", L->kprefix, key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return st;
}

static int key_line(const loader *L, const char *group, const char *name)
{
    int i = key_index(group, name);
    return i < 0 ? 0 : L->line[i];
}

/* Line of a key if present, else of its group, else 0. */
static int best_line(const loader *L, const char *group, const char *name)
{
    int line = key_line(L, group, name);
    const char *dot = group ? strrchr(group, '.') : NULL;
    if (!line && dot) {
        /* a nested group (supervision.rules.R10): the line of the group itself */
        char parent[128];
        snprintf(parent, sizeof parent, "%.*s", (int)(dot - group), group);
        line = key_line(L, parent, dot + 1);
    } else if (!line && group) {
        line = key_line(L, NULL, group);
    }
    return line;
}

/* ------------------------------------------------------------------ */
/* Unknown keys and suggestions                                        */
/* ------------------------------------------------------------------ */

/* Optimal-string-alignment distance (insert, delete, substitute, swap of
 * neighbours), case-insensitive; names longer than 63 count as far. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return 1000;
    int d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int cost = ca != cb;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* Distance for suggestions: a prefix of 3+ letters ("fund" for
 * "fund_budget") counts as one edit. */
static int key_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), k = n < m ? n : m;
    if (n != m && k >= 3 && strncasecmp(a, b, k) == 0)
        return 1;
    return edit_distance(a, b);
}

static int close_enough(const char *name, int dist)
{
    int len = (int)strlen(name);
    return dist <= (len <= 4 ? 1 : len <= 8 ? 2 : 3);
}

/* Writes the advice for an unknown key `name` in `group` (shown as
 * `shown`, e.g. "history[1]") into out. */
static void suggest(const char *group, const char *shown, const char *name,
                    char *out, size_t n)
{
    const keydef *best = NULL;
    int bestd = INT_MAX;
    for (size_t i = 0; i < NKEYS; i++) {
        if (!same_group(KEYS[i].group, group))
            continue;
        int d = key_distance(name, KEYS[i].name);
        if (d < bestd) { bestd = d; best = &KEYS[i]; }
    }
    if (best && close_enough(name, bestd)) {
        snprintf(out, n, "did you mean %s%s%s?", shown ? shown : "", shown ? "." : "",
                 best->name);
        return;
    }
    /* The right name in the wrong group. */
    best = NULL;
    bestd = INT_MAX;
    for (size_t i = 0; i < NKEYS; i++) {
        if (same_group(KEYS[i].group, group) || KEYS[i].k == K_HIST_ITEM)
            continue;
        int d = key_distance(name, KEYS[i].name);
        if (d < bestd) { bestd = d; best = &KEYS[i]; }
    }
    if (best && bestd <= 1) {
        if (best->group)
            snprintf(out, n, "did you mean %s.%s? it belongs inside %s { ... }",
                     best->group, best->name, best->group);
        else
            snprintf(out, n, "did you mean %s? it is a top-level key, outside any group",
                     best->name);
        return;
    }
    size_t used = (size_t)snprintf(out, n, "valid keys %s%s:", group ? "in " : "at the top level",
                                   group ? group : "");
    for (size_t i = 0; i < NKEYS && used < n; i++)
        if (same_group(KEYS[i].group, group))
            used += (size_t)snprintf(out + used, n - used, " %s", KEYS[i].name);
}

static cm_cfg_status unknown_key(loader *L, const config_setting_t *s, const char *group,
                                 const char *shown)
{
    char advice[300], kp[128];
    const char *name = config_setting_name(s);
    suggest(group, shown, name, advice, sizeof advice);
    snprintf(kp, sizeof kp, "%s%s%s", shown ? shown : "", shown ? "." : "", name);
    return fail(L, CM_CFG_ERR_KEY, (int)config_setting_source_line(s), kp,
                "unknown key; %s (config/example.cfg lists every key)", advice);
}

/* The members of group s at path (e.g. "supervision.rules"): each in KEYS
 * with that group; a member that is a group itself (K_GROUP) is checked
 * the same way under "path.name". */
static cm_cfg_status check_members(loader *L, config_setting_t *s, const char *path)
{
    for (int j = 0; j < config_setting_length(s); j++) {
        config_setting_t *m = config_setting_get_elem(s, (unsigned)j);
        int mi = key_index(path, config_setting_name(m));
        if (mi < 0)
            return unknown_key(L, m, path, path);
        if (KEYS[mi].k == K_GROUP && config_setting_is_group(m)) {
            char sub[128];
            snprintf(sub, sizeof sub, "%s.%s", path, KEYS[mi].name);
            cm_cfg_status st = check_members(L, m, sub);
            if (st != CM_CFG_OK)
                return st;
        }
    }
    return CM_CFG_OK;
}

/* Every setting of the tree must be in KEYS. Settings of the wrong type
 * (a scalar where a group is expected) are left to the typed reading. */
static cm_cfg_status type_error(loader *L, const config_setting_t *s, const char *kp, kind k);

static cm_cfg_status check_unknown_in(loader *L, const config_setting_t *root, int in_region)
{
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *nm = config_setting_name(s);
        if (in_region && strcmp(nm, "code") == 0)
            continue;
        if (in_region && (strcmp(nm, "regions") == 0 || strcmp(nm, "region") == 0))
            return fail(L, CM_CFG_ERR_KEY, (int)config_setting_source_line(s), nm,
                        "is not allowed inside a region; the region is named by its code "
                        "(code = \"410400\";) and regions do not nest");
        int ki = key_index(NULL, nm);
        if (ki < 0)
            return unknown_key(L, s, NULL, NULL);
        const keydef *k = &KEYS[ki];
        if (k->k == K_GROUP && config_setting_is_group(s)) {
            cm_cfg_status st = check_members(L, s, k->name);
            if (st != CM_CFG_OK)
                return st;
        } else if (k->k == K_HISTORY && config_setting_is_list(s)) {
            for (int j = 0; j < config_setting_length(s); j++) {
                config_setting_t *e = config_setting_get_elem(s, (unsigned)j);
                if (!config_setting_is_group(e))
                    continue;
                char prefix[32];
                snprintf(prefix, sizeof prefix, "history[%d]", j);
                for (int q = 0; q < config_setting_length(e); q++) {
                    config_setting_t *m = config_setting_get_elem(e, (unsigned)q);
                    if (key_index("history", config_setting_name(m)) < 0)
                        return unknown_key(L, m, "history", prefix);
                }
            }
        }
    }
    return CM_CFG_OK;
}

/* The province (统筹区 list): regions = ( { code = "410400"; <overrides> }, ... ).
 * Each entry a group with a unique non-empty code of at most 31 characters
 * and no key unknown at the top level. */
static cm_cfg_status check_regions(loader *L, const config_setting_t *rs)
{
    if (!config_setting_is_list(rs))
        return type_error(L, rs, "regions", K_REGIONS);
    int n = config_setting_length(rs);
    if (n == 0)
        return fail(L, CM_CFG_ERR_VALUE, (int)config_setting_source_line(rs), "regions",
                    "the list is empty; list each pooling region (统筹区) as "
                    "{ code = \"410400\"; budget = { fund_budget = \"...\"; }; }, or remove the key");
    for (int j = 0; j < n; j++) {
        const config_setting_t *e = config_setting_get_elem(rs, (unsigned)j);
        char kp[48];
        snprintf(kp, sizeof kp, "regions[%d]", j);
        if (!config_setting_is_group(e))
            return type_error(L, e, kp, K_GROUP);
        const config_setting_t *code = config_setting_get_member(e, "code");
        int eline = (int)config_setting_source_line(e);
        if (!code || config_setting_type(code) != CONFIG_TYPE_STRING ||
            !config_setting_get_string(code)[0] || strlen(config_setting_get_string(code)) > 31)
            return fail(L, CM_CFG_ERR_VALUE, code ? (int)config_setting_source_line(code) : eline, kp,
                        "every region needs its code as a string of 1 to 31 characters, the "
                        "region's code in the input's region column (统筹区编码), e.g. code = \"410400\";");
        const char *c = config_setting_get_string(code);
        for (int q = 0; q < j; q++) {
            const config_setting_t *o = config_setting_get_member(config_setting_get_elem(rs, (unsigned)q), "code");
            if (strcmp(config_setting_get_string(o), c) == 0)
                return fail(L, CM_CFG_ERR_VALUE, (int)config_setting_source_line(code), kp,
                            "code \"%s\" is listed twice (also regions[%d]); each region once", c, q);
        }
        snprintf(L->kprefix, sizeof L->kprefix, "regions[%d] (%s).", j, c);
        cm_cfg_status st = check_unknown_in(L, e, 1);
        L->kprefix[0] = '\0';
        if (st != CM_CFG_OK)
            return st;
    }
    return CM_CFG_OK;
}

static cm_cfg_status check_unknown(loader *L)
{
    config_setting_t *root = config_root_setting(&L->cf);
    cm_cfg_status st = check_unknown_in(L, root, 0);
    const config_setting_t *rs = config_setting_get_member(root, "regions");
    if (st == CM_CFG_OK && rs)
        st = check_regions(L, rs);
    return st;
}

/* ------------------------------------------------------------------ */
/* Typed reading                                                        */
/* ------------------------------------------------------------------ */

static const char *got_type(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "a whole number";
    case CONFIG_TYPE_FLOAT: return "a number with a decimal point";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true/false";
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "an unknown type";
    }
}

static const char *want_type(kind k)
{
    switch (k) {
    case K_GROUP: return "a group, written name = { key = value; ... };";
    case K_HISTORY: return "a list of groups, written ( { year = 2023; file = \"2023.csv\"; }, ... )";
    case K_HIST_ITEM: return "a group { year = 2023; file = \"2023.csv\"; }";
    case K_EXTERN: return "a list of named groups ( { name = \"reprice\"; ... }, ... )";
    case K_STR: case K_ENCODING: case K_ENUM: return "a string in double quotes";
    case K_PATH: case K_TABLE: return "a file path in double quotes";
    case K_DIR: return "a directory path in double quotes";
    case K_BOOL: return "true or false, without quotes";
    case K_INT: case K_INT64: case K_UINT64:
        return "a whole number, without quotes or decimal point";
    case K_REAL: return "a number, without quotes";
    case K_WEIGHTS: return "an array of 3 numbers such as [1.0, 2.0, 7.0]";
    case K_YUAN: return "an amount in yuan, a string such as \"123456789.00\" or a number";
    case K_REGIONS: return "a list of groups, written ( { code = \"410400\"; budget = { ... }; }, ... )";
    }
    return "?";
}

static cm_cfg_status type_error(loader *L, const config_setting_t *s, const char *kp, kind k)
{
    return fail(L, CM_CFG_ERR_TYPE, (int)config_setting_source_line(s), kp,
                "must be %s, not %s", want_type(k), got_type(s));
}

static int is_int(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static int is_num(const config_setting_t *s)
{
    return is_int(s) || config_setting_type(s) == CONFIG_TYPE_FLOAT;
}

static double num_value(const config_setting_t *s)
{
    return is_int(s) ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
}

static void range_text(const keydef *k, char *out, size_t n)
{
    snprintf(out, n, "%s %.15g and %s %.15g", k->lo_open ? ">" : ">=", k->lo,
             k->hi_open ? "<" : "<=", k->hi);
}

static int in_range(const keydef *k, double v)
{
    if (!isfinite(v))
        return 0;
    if (k->lo_open ? !(v > k->lo) : !(v >= k->lo))
        return 0;
    if (k->hi_open ? !(v < k->hi) : !(v <= k->hi))
        return 0;
    return 1;
}

static cm_cfg_status range_error(loader *L, const config_setting_t *s, const char *kp,
                                 const keydef *k, const char *shown)
{
    char r[128];
    range_text(k, r, sizeof r);
    return fail(L, CM_CFG_ERR_VALUE, (int)config_setting_source_line(s), kp,
                "%s is out of range: it must be %s", shown, r);
}

/* Joins a relative path to the file's directory; "" stays "". */
static int resolve_path(const loader *L, const char *v, char *out, size_t n)
{
    int len;
    if (v[0] == '\0' || v[0] == '/')
        len = snprintf(out, n, "%s", v);
    else
        len = snprintf(out, n, "%s%s%s", L->dir,
                       L->dir[strlen(L->dir) - 1] == '/' ? "" : "/", v);
    return len >= 0 && (size_t)len < n ? 0 : -1;
}

/* Largest amount of money a setting takes: 10^13 yuan (10 trillion, far
 * above any pooling region's annual fund), 10^15 fen. */
#define YUAN_SETTING_MAX_FEN INT64_C(1000000000000000)

/* A double read by libconfig from a number such as 5000000000.50 (used only
 * when the literal's own text is not at hand, e.g. 5.0000000005e9).
 * Claim: if the literal is a decimal x with at most 2 decimals and
 * |x| <= 10^13, then v = the double nearest x prints with "%.2f" as exactly
 * x, so x is recovered digit for digit (and parsed exactly below).
 * Proof: 10^13 < 2^44, and below 2^44 consecutive doubles are at most
 * 2^(43-52) = 2^-9 ~ 0.00195 apart, so |v - x| <= 2^-10 ~ 0.00098. The
 * nearest multiple of 0.01 to v is therefore x: any other is at least
 * 0.01 - 0.00098 > 0.00098 away. glibc's printf rounds correctly, so "%.2f"
 * prints x. Conversely strtod(x) == v, which tells a double that came from
 * a 2-decimal literal from one that did not (1.234 prints "1.23", whose
 * nearest double is not 1.234's): those are refused, never rounded. */
static int yuan_from_double(double v, int64_t *fen)
{
    char buf[64];
    if (!isfinite(v) || fabs(v) > 1e13)
        return -1;
    snprintf(buf, sizeof buf, "%.2f", v);
    if (strtod(buf, NULL) != v)
        return -1;
    return cm_parse_yuan(buf, strlen(buf), fen);
}

static int is_yuan_key_name(const char *name, size_t n)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (KEYS[i].k == K_YUAN && strlen(KEYS[i].name) == n && memcmp(KEYS[i].name, name, n) == 0)
            return 1;
    return 0;
}

/* Why a written amount is not one: the advice of the error message. */
static const char *yuan_advice(const char *t)
{
    const char *dot = strchr(t, '.');
    size_t dec = 0;
    if (dot)
        while (dot[1 + dec] >= '0' && dot[1 + dec] <= '9') dec++;
    if (strpbrk(t, "eE"))
        return "write it out without an exponent, e.g. \"5000000000.50\"";
    if (dec > 2)
        return "it has more than 2 decimals; round it to the fen (分), e.g. \"5000000000.50\"";
    if (strchr(t, ','))
        return "thousands separators go every 3 digits, e.g. \"5,000,000,000.50\", or leave them "
               "out: \"5000000000.50\"";
    return "write the amount in yuan with at most 2 decimals, as a number (5000000000.50) or a "
           "string (\"5000000000.50\" or \"5,000,000,000.50\")";
}

/* The money value of setting s (key name kname): a string parsed exactly
 * (with or without thousands separators), or a number parsed from its own
 * source text (so 5000000000 without L and 5000000000.50 are exact),
 * falling back to libconfig's value. 0 and *fen; -1 with *why. */
static int yuan_setting(const loader *L, const char *kname, const config_setting_t *s,
                        int64_t *fen, char *shown, size_t nshown, const char **why)
{
    *why = NULL;
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        const char *v = config_setting_get_string(s);
        snprintf(shown, nshown, "\"%.40s\"", v);
        if (cm_parse_yuan_grouped(v, strlen(v), fen) == 0) /* with or without thousands separators */
            return 0;
        *why = yuan_advice(v);
        return -1;
    }
    /* the number's own text, from the pre-scan (the one on this setting's line, else the
     * last one for this key) */
    const char *text = NULL;
    int sline = (int)config_setting_source_line(s), exact = 0;
    for (int i = 0; L->scan && i < L->scan->n_yuan; i++)
        if (strcmp(L->scan->yuan[i].key, kname) == 0 && !exact) {
            text = L->scan->yuan[i].text;
            exact = L->scan->yuan[i].line == sline;
        }
    if (text) {
        char t[48];
        size_t n = strlen(text);
        while (n && (text[n - 1] == 'L' || text[n - 1] == 'l')) n--;
        snprintf(t, sizeof t, "%.*s", (int)n, text);
        snprintf(shown, nshown, "%s", text);
        if (!strpbrk(t, "xXeE")) {   /* plain decimal: exact from the digits */
            if (cm_parse_yuan(t, n, fen) == 0)
                return 0;
            *why = yuan_advice(t);
            return -1;
        }
    }
    if (is_int(s)) {
        long long v = config_setting_get_int64(s);
        if (!text) snprintf(shown, nshown, "%lld", v);
        if (v > YUAN_SETTING_MAX_FEN / 100 || v < -YUAN_SETTING_MAX_FEN / 100) {
            *why = "it is above 10^13 yuan";
            return -1;
        }
        *fen = (int64_t)v * 100;
        return 0;
    }
    double v = config_setting_get_float(s);
    if (!text) snprintf(shown, nshown, "%.17g", v);
    if (yuan_from_double(v, fen) == 0)
        return 0;
    *why = fabs(v) > 1e13 ? "it is above 10^13 yuan"
                          : "it is not an amount with at most 2 decimals; write it as a string "
                            "such as \"5000000000.50\"";
    return -1;
}

static cm_cfg_status load_key(loader *L, const keydef *k, const config_setting_t *s)
{
    char kp[128];
    key_path(k, kp, sizeof kp);
    void *dst = (char *)L->c + k->off;
    const char *str = NULL;

    switch (k->k) {
    case K_STR: case K_PATH: case K_TABLE: case K_DIR: case K_ENCODING: case K_ENUM:
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return type_error(L, s, kp, k->k);
        str = config_setting_get_string(s);
        break;
    case K_BOOL:
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            return type_error(L, s, kp, k->k);
        *(int *)dst = config_setting_get_bool(s);
        return CM_CFG_OK;
    case K_INT: case K_INT64: case K_UINT64: {
        if (!is_int(s))
            return type_error(L, s, kp, k->k);
        long long v = config_setting_get_int64(s);
        if (!in_range(k, (double)v)) {
            char shown[32];
            snprintf(shown, sizeof shown, "%lld", v);
            return range_error(L, s, kp, k, shown);
        }
        if (k->k == K_INT)
            *(int *)dst = (int)v;
        else if (k->k == K_INT64)
            *(int64_t *)dst = (int64_t)v;
        else
            *(uint64_t *)dst = (uint64_t)v;
        return CM_CFG_OK;
    }
    case K_REAL: {
        if (!is_num(s))
            return type_error(L, s, kp, k->k);
        double v = num_value(s);
        if (!in_range(k, v)) {
            char shown[32];
            snprintf(shown, sizeof shown, "%.15g", v);
            return range_error(L, s, kp, k, shown);
        }
        *(double *)dst = v;
        return CM_CFG_OK;
    }
    case K_WEIGHTS: {
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
            return type_error(L, s, kp, k->k);
        int line = (int)config_setting_source_line(s);
        if (config_setting_length(s) != 3)
            return fail(L, CM_CFG_ERR_VALUE, line, kp,
                        "has %d values; give exactly 3 weights, oldest year first, "
                        "e.g. [1.0, 2.0, 7.0]", config_setting_length(s));
        double w[3], sum = 0;
        for (unsigned i = 0; i < 3; i++) {
            const config_setting_t *e = config_setting_get_elem(s, i);
            if (!is_num(e))
                return type_error(L, s, kp, k->k);
            w[i] = num_value(e);
            if (!isfinite(w[i]) || w[i] < 0)
                return fail(L, CM_CFG_ERR_VALUE, line, kp,
                            "weight %u is %.15g; weights must be >= 0", i + 1, w[i]);
            sum += w[i];
        }
        if (!(sum > 0))
            return fail(L, CM_CFG_ERR_VALUE, line, kp,
                        "the weights are all zero; at least one year needs a positive weight "
                        "(national default [1.0, 2.0, 7.0])");
        memcpy(dst, w, sizeof w);
        return CM_CFG_OK;
    }
    case K_YUAN: {
        int64_t fen = 0;
        char shown[64];
        const char *why;
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_STRING && !is_num(s))
            return type_error(L, s, kp, k->k);
        int line = (int)config_setting_source_line(s);
        if (yuan_setting(L, k->name, s, &fen, shown, sizeof shown, &why) != 0)
            return fail(L, CM_CFG_ERR_VALUE, line, kp, "%s is not an amount in yuan: %s", shown,
                        why);
        if (fen <= 0)
            return fail(L, CM_CFG_ERR_VALUE, line, kp,
                        "%s must be greater than 0 yuan; give the fund budget of the "
                        "period, or leave the key out when not settling", shown);
        if (fen > YUAN_SETTING_MAX_FEN)
            return fail(L, CM_CFG_ERR_VALUE, line, kp,
                        "%s is above 10^13 yuan (10 trillion); amounts are in yuan (元), not "
                        "fen: check the unit, e.g. \"5000000000.50\" for 5 billion yuan", shown);
        *(int64_t *)dst = fen;
        return CM_CFG_OK;
    }
    case K_GROUP: case K_HISTORY: case K_HIST_ITEM: case K_EXTERN: case K_REGIONS:
        return CM_CFG_OK;
    }

    /* String kinds. */
    int line = (int)config_setting_source_line(s);
    if (k->k == K_ENUM) {
        for (int i = 0; k->names[i]; i++)
            if (strcasecmp(str, k->names[i]) == 0) {
                *(int *)dst = i;
                return CM_CFG_OK;
            }
        char list[256];
        size_t used = 0;
        for (int i = 0; k->names[i] && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"",
                                     i ? ", " : "", k->names[i]);
        return fail(L, CM_CFG_ERR_VALUE, line, kp, "\"%.60s\" is not valid; use one of %s",
                    str, list);
    }
    if (k->k == K_ENCODING) {
        const char *canon = NULL;
        if (strcasecmp(str, "auto") == 0)
            canon = "auto";
        else if (strcasecmp(str, "UTF-8") == 0 || strcasecmp(str, "UTF8") == 0)
            canon = "UTF-8";
        else if (strcasecmp(str, "GB18030") == 0 || strcasecmp(str, "GBK") == 0 ||
                 strcasecmp(str, "GB2312") == 0 || strcasecmp(str, "CP936") == 0)
            canon = "GB18030";
        if (!canon)
            return fail(L, CM_CFG_ERR_VALUE, line, kp,
                        "\"%.40s\" is not a known text encoding (编码); use \"auto\" (UTF-8, or "
                        "GBK/GB18030 when the file is not UTF-8), \"UTF-8\" or \"GB18030\" "
                        "(also written \"GBK\")", str);
        snprintf((char *)dst, k->size, "%s", canon);
        return CM_CFG_OK;
    }
    if (k->k == K_STR) {
        if (strlen(str) >= k->size)
            return fail(L, CM_CFG_ERR_VALUE, line, kp,
                        "the value is %zu characters long; at most %zu are allowed",
                        strlen(str), k->size - 1);
        memcpy(dst, str, strlen(str) + 1);
        return CM_CFG_OK;
    }
    if (resolve_path(L, str, (char *)dst, k->size) != 0)
        return fail(L, CM_CFG_ERR_VALUE, line, kp,
                    "the path is longer than %zu characters once joined to %s; "
                    "use a shorter path", k->size - 1, L->dir);
    return CM_CFG_OK;
}

static cm_cfg_status load_history(loader *L, const config_setting_t *s)
{
    int t = config_setting_type(s);
    int line = (int)config_setting_source_line(s);
    L->c->n_history = 0;   /* a region's history replaces the shared one */
    if (t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)
        return CM_CFG_OK;   /* history = []; */
    if (t != CONFIG_TYPE_LIST)
        return type_error(L, s, "history", K_HISTORY);
    int n = config_setting_length(s);
    if (n > CM_MAX_HISTORY)
        return fail(L, CM_CFG_ERR_VALUE, line, "history",
                    "%d years given; at most %d are used (oldest first): "
                    "remove the oldest", n, CM_MAX_HISTORY);
    const keydef *kyear = &KEYS[key_index("history", "year")];
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char kp[64];
        snprintf(kp, sizeof kp, "history[%d]", i);
        if (!config_setting_is_group(e))
            return type_error(L, e, kp, K_HIST_ITEM);
        int eline = (int)config_setting_source_line(e);
        const config_setting_t *y = config_setting_get_member(e, "year");
        const config_setting_t *f = config_setting_get_member(e, "file");
        if (!y || !f)
            return fail(L, CM_CFG_ERR_VALUE, eline, kp,
                        "no %s given; every history entry needs year and file, "
                        "e.g. { year = 2023; file = \"2023.csv\"; }", y ? "file" : "year");
        snprintf(kp, sizeof kp, "history[%d].year", i);
        if (!is_int(y))
            return type_error(L, y, kp, K_INT);
        long long year = config_setting_get_int64(y);
        if (!in_range(kyear, (double)year)) {
            char shown[32];
            snprintf(shown, sizeof shown, "%lld", year);
            return range_error(L, y, kp, kyear, shown);
        }
        if (i > 0 && year <= L->c->history[i - 1].year)
            return fail(L, CM_CFG_ERR_VALUE, (int)config_setting_source_line(y), kp,
                        "%lld does not follow %d: list history years oldest first, "
                        "each year once", year, L->c->history[i - 1].year);
        L->c->history[i].year = (int)year;
        snprintf(kp, sizeof kp, "history[%d].file", i);
        if (config_setting_type(f) != CONFIG_TYPE_STRING)
            return type_error(L, f, kp, K_PATH);
        const char *v = config_setting_get_string(f);
        if (v[0] == '\0')
            return fail(L, CM_CFG_ERR_VALUE, (int)config_setting_source_line(f), kp,
                        "the path is empty; name the CSV of year %lld", year);
        if (resolve_path(L, v, L->c->history[i].file, sizeof L->c->history[i].file) != 0)
            return fail(L, CM_CFG_ERR_VALUE, (int)config_setting_source_line(f), kp,
                        "the path is too long once joined to %s", L->dir);
        L->c->n_history = i + 1;
    }
    return CM_CFG_OK;
}

static cm_cfg_status load_all(loader *L, const config_setting_t *root)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const keydef *k = &KEYS[i];
        if (k->k == K_HIST_ITEM || k->k == K_REGIONS)
            continue;
        const config_setting_t *parent = root;
        if (k->group) {
            parent = strchr(k->group, '.') ? config_setting_lookup((config_setting_t *)root, k->group)
                                            : config_setting_get_member(root, k->group);
            if (!parent)
                continue;   /* a group that is present was checked to be a group */
        }
        const config_setting_t *s = config_setting_get_member(parent, k->name);
        if (!s)
            continue;
        L->line[i] = (int)config_setting_source_line(s);
        cm_cfg_status st;
        if (k->k == K_GROUP)
            st = config_setting_is_group(s) ? CM_CFG_OK : type_error(L, s, k->name, K_GROUP);
        else if (k->k == K_HISTORY)
            st = load_history(L, s);
        else
            st = load_key(L, k, s);
        if (st != CM_CFG_OK)
            return st;
    }
    return CM_CFG_OK;
}

/* ------------------------------------------------------------------ */
/* Rules between keys, and the named tables                            */
/* ------------------------------------------------------------------ */

static cm_cfg_status check_rules(loader *L)
{
    const cm_config *c = L->c;

    if (!(c->calib.trim_low < c->calib.trim_high))
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "scores", "trim_high"), "scores.trim_high",
                    "scores.trim_low (%.15g) must be below scores.trim_high (%.15g); "
                    "national defaults 0.025 and 0.975", c->calib.trim_low, c->calib.trim_high);
    if (c->calib.scale == SC_SCALE_BENCHMARK && c->benchmark_group[0] == '\0')
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "scores", "scale"), "scores.benchmark_group",
                    "scores.scale = \"benchmark\" needs scores.benchmark_group, the code of "
                    "the benchmark group (基准病种), e.g. benchmark_group = \"K35.8:47.0100\";");

    const sc_outlier_params *o = &c->outliers;
    if (!(o->low < o->high))
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "outliers", "high"), "outliers.high",
                    "outliers.low (%.15g) must be below outliers.high (%.15g); national "
                    "defaults 0.5 and 2.0", o->low, o->high);
    if (!(o->high <= o->special))
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "outliers", "special"), "outliers.special",
                    "%.15g is below outliers.high (%.15g); it must be at least that "
                    "(national default 5.0)", o->special, o->high);
    if (sc_outlier_params_check(o) != SC_OK)
        return fail(L, CM_CFG_ERR_VALUE, key_line(L, NULL, "outliers"), "outliers",
                    "the outlier settings are inconsistent: need 0 < low < high <= special, "
                    "high_k >= 0, 0 <= special_cap <= 1");

    if (sc_drg_outlier_params_check(&c->drg_outliers) != SC_OK)
        return fail(L, CM_CFG_ERR_VALUE, key_line(L, NULL, "drg"), "drg",
                    "the DRG outlier settings are inconsistent: need 0 < low below every "
                    "high_k_*, 0 < rw_band_low <= rw_band_high (defaults 0.4; 3, 2, 1.5; 1 and 2)");

    if (c->score_source == CM_SCORES_HISTORY && c->n_history == 0)
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "scores", "source"), "scores.source",
                    "\"history\" needs history years: add history = "
                    "( { year = 2023; file = \"2023.csv\"; }, ... ); or use \"catalogue\"");
    if (c->coef_mode == CM_COEF_HISTORY && c->n_history == 0)
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "coefficients", "mode"),
                    "coefficients.mode",
                    "\"history\" needs history years: add history = "
                    "( { year = 2023; file = \"2023.csv\"; }, ... ); or use \"fixed\"");

    if (c->year.corridor && !(c->year.budget_point_value > 0))
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "clearing", "corridor"), "clearing.budget_point_value",
                    "clearing.corridor = true needs the budget point value (预算点值) the corridor is around: "
                    "add clearing = { budget_point_value = 12.5; }; (yuan per point), or set corridor = false");
    {   /* supervision: indicators and rating (scoring/indicators.c) */
        char why[200];
        if (c->ind_weights[0] && sc_ind_parse_weights(c->ind_weights, &L->c->indicators, why, sizeof why) != SC_OK)
            return fail(L, CM_CFG_ERR_VALUE, key_line(L, "supervision.rating", "weights"),
                        "supervision.rating.weights", "%s; write e.g. \"r01_rate = 10, r02_rate = 15\" "
                        "(config/example.cfg lists the codes and default weights)", why);
        if (c->ind_directions[0] &&
            sc_ind_parse_directions(c->ind_directions, &L->c->indicators, why, sizeof why) != SC_OK)
            return fail(L, CM_CFG_ERR_VALUE, key_line(L, "supervision.rating", "directions"),
                        "supervision.rating.directions", "%s; a direction is none, lower, higher or both", why);
        const sc_ind_params *ip = &c->indicators;
        if (!(ip->low_cut < ip->high_cut))
            return fail(L, CM_CFG_ERR_VALUE, best_line(L, "supervision.indicators", "high_cut"),
                        "supervision.indicators.high_cut", "low_cut (%.15g) must be below high_cut (%.15g); "
                        "defaults 20 and 80", ip->low_cut, ip->high_cut);
        if (!(ip->cut_pass <= ip->cut_good && ip->cut_good <= ip->cut_excellent))
            return fail(L, CM_CFG_ERR_VALUE, best_line(L, "supervision.rating", "good"), "supervision.rating",
                        "the cut-offs must be pass <= good <= excellent (defaults 60, 80, 90), not %.15g, %.15g, %.15g",
                        ip->cut_pass, ip->cut_good, ip->cut_excellent);
    }

    int scheme_line = key_line(L, NULL, "scheme");
    if (c->scheme != CM_SCHEME_DRG && c->dip_catalogue[0] == '\0') {
        int line = key_line(L, NULL, "dip");
        return fail(L, CM_CFG_ERR_VALUE, line ? line : scheme_line, "dip.catalogue",
                    "scheme \"%s\" needs the DIP catalogue (病种目录库): add "
                    "dip = { catalogue = \"catalogue.csv\"; };",
                    c->scheme == CM_SCHEME_BOTH ? "both" : "dip");
    }
    if (c->scheme != CM_SCHEME_DIP && c->drg_dir[0] == '\0') {
        int line = key_line(L, NULL, "drg");
        return fail(L, CM_CFG_ERR_VALUE, line ? line : scheme_line, "drg.tables",
                    "scheme \"%s\" needs the CHS-DRG tables: add "
                    "drg = { tables = \"chs-drg-1.1\"; }; (the folder with mdc.csv, adrg.csv, ...)",
                    c->scheme == CM_SCHEME_BOTH ? "both" : "drg");
    }
    return CM_CFG_OK;
}

static cm_cfg_status check_tables(loader *L)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const keydef *k = &KEYS[i];
        if (k->k != K_TABLE && k->k != K_DIR)
            continue;
        const char *p = (const char *)L->c + k->off;
        if (p[0] == '\0')
            continue;
        char kp[128];
        key_path(k, kp, sizeof kp);
        struct stat st;
        const char *what = NULL;
        if (stat(p, &st) != 0)
            what = strerror(errno);
        else if (k->k == K_DIR && !S_ISDIR(st.st_mode))
            what = "not a directory";
        else if (k->k == K_TABLE && S_ISDIR(st.st_mode))
            what = "a directory, not a file";
        else if (access(p, k->k == K_DIR ? R_OK | X_OK : R_OK) != 0)
            what = strerror(errno);
        /* a path through ../shared (the published tables beside the repository, as
         * config/example.cfg reads them): say where they are expected */
        const char *sh = strstr(p, "../shared/");
        if (what)
            return fail(L, CM_CFG_ERR_IO, L->line[i], kp,
                        "cannot use %s: %s; fix the path (relative paths start at the "
                        "directory of this file)%s", p, what,
                        sh ? "; the published tables are expected in ../shared/data, beside the repository "
                             "(README \"Using the real tables\")" : "");
    }
    return CM_CFG_OK;
}

/* ------------------------------------------------------------------ */
/* Supervision: the code lists of the rules                            */
/* ------------------------------------------------------------------ */

/* A list file of R09 / R10 (config/supervision/r09_sex.csv): lines
 * "name,ranges" ("female,O00-O99 C51-C58"); '#' starts a comment line;
 * the names are names[0..1], their lists out[0..1] (replaced when named). */
static cm_cfg_status load_code_lists(loader *L, const char *grp, const char *key, const char *path,
                                     const char *const names[2], sc_code_ranges *out[2])
{
    int kl = best_line(L, grp, "table");
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(L, CM_CFG_ERR_IO, kl, key, "cannot read %s: %s", path,
                    strerror(errno));
    char line[4096];
    int ln = 0;
    int seen[2] = {0, 0};
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        const char *t = line;
        if (ln == 1 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB && (unsigned char)t[2] == 0xBF)
            t += 3;
        while (*t == ' ' || *t == '\t') t++;
        if (!*t || *t == '#')
            continue;
        const char *comma = strchr(t, ',');
        int which = -1;
        for (int q = 0; q < 2 && comma; q++)
            if ((size_t)(comma - t) == strlen(names[q]) && strncmp(t, names[q], strlen(names[q])) == 0)
                which = q;
        size_t bad = 0;
        if (which < 0 || sc_code_ranges_parse(comma + 1, out[which], &bad) != SC_OK) {
            fclose(f);
            if (which < 0)
                return fail(L, CM_CFG_ERR_VALUE, kl, key,
                            "%s:%d: a line is \"%s,RANGES\" or \"%s,RANGES\" (e.g. %s,O00-O99 C51-C58)", path, ln,
                            names[0], names[1], names[0]);
            return fail(L, CM_CFG_ERR_VALUE, kl, key,
                        "%s:%d: '%.20s' is not an ICD-10 category (letter and two digits, A00) or a range "
                        "A00-B99 (at most %d items)", path, ln, comma + 1 + bad, SC_CODE_RANGES_MAX);
        }
        seen[which] = 1;
    }
    fclose(f);
    (void)seen;
    return CM_CFG_OK;
}

static cm_cfg_status check_supervision(loader *L)
{
    cm_config *c = L->c;
    size_t bad = 0;
    if (sc_prefix_list_parse(c->sup_exempt_dx, &c->sup.exempt_dx, &bad) != SC_OK)
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "supervision.rules.R01", "exempt_dx"),
                    "supervision.rules.R01.exempt_dx",
                    "'%.20s': items are code prefixes of at most %d characters (\"Z51.0, Z51.1\"), at most %d",
                    c->sup_exempt_dx + bad, SC_PREFIX_LEN - 1, SC_PREFIXES_MAX);
    if (sc_prefix_list_parse(c->sup_low_dx, &c->sup.low_dx, &bad) != SC_OK)
        return fail(L, CM_CFG_ERR_VALUE, best_line(L, "supervision.rules.R07", "dx"), "supervision.rules.R07.dx",
                    "'%.20s': items are code prefixes of at most %d characters (\"J06, K29.7\"), at most %d",
                    c->sup_low_dx + bad, SC_PREFIX_LEN - 1, SC_PREFIXES_MAX);
    if (c->sup.obstetric_age_min > c->sup.obstetric_age_max)
        return fail(L, CM_CFG_ERR_VALUE, key_line(L, "supervision.rules.R10", "obstetric_age_max")
                                             ? key_line(L, "supervision.rules.R10", "obstetric_age_max")
                                             : best_line(L, "supervision.rules.R10", "obstetric_age_min"),
                    "supervision.rules.R10.obstetric_age_max",
                    "%d is below obstetric_age_min (%d); national defaults 12 and 55", c->sup.obstetric_age_max,
                    c->sup.obstetric_age_min);
    static const char *const sex[2] = {"female", "male"}, *const age[2] = {"newborn", "obstetric"};
    if (c->sup_sex_table[0]) {
        sc_code_ranges *o[2] = {&c->sup.female, &c->sup.male};
        cm_cfg_status st = load_code_lists(L, "supervision.rules.R09", "supervision.rules.R09.table", c->sup_sex_table, sex, o);
        if (st != CM_CFG_OK)
            return st;
    }
    if (c->sup_age_table[0]) {
        sc_code_ranges *o[2] = {&c->sup.newborn, &c->sup.obstetric};
        cm_cfg_status st = load_code_lists(L, "supervision.rules.R10", "supervision.rules.R10.table", c->sup_age_table, age, o);
        if (st != CM_CFG_OK)
            return st;
    }
    return CM_CFG_OK;
}

/* ------------------------------------------------------------------ */
/* Reading the file                                                    */
/* ------------------------------------------------------------------ */

static int read_bytes(const char *path, char **out, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        *why = "it is a directory";
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            fclose(f);
            *why = "out of memory";
            return -2;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap >= CM_CFG_MAX_BYTES) {
            free(buf);
            fclose(f);
            *why = "larger than 16 MiB, which is not a configuration file";
            return -1;
        }
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        *why = "read error";
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* The first NUL byte, the first @ directive and the first integer literal
 * that libconfig 1.5 would truncate (beyond 32 bits, no L suffix). */

static int ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '*' || ch == '-';
}

static int overflows_int32(const char *t, size_t n)
{
    size_t i = 0;
    int neg = 0;
    if (t[i] == '-' || t[i] == '+')
        neg = t[i++] == '-';
    if (n > 0 && (t[n - 1] == 'L' || t[n - 1] == 'l'))
        return 0;
    for (size_t j = i; j < n; j++)
        if (t[j] == '.' || t[j] == 'e' || t[j] == 'E')
            return 0;   /* a real: libconfig reads it as a double, no truncation */
    if (n - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
        i += 2;
        while (i < n && t[i] == '0')
            i++;
        return n - i > 8;
    }
    unsigned long long v = 0;
    for (; i < n; i++) {
        if (!isdigit((unsigned char)t[i]))
            return 0;   /* a real (".", "e") or a malformed token: libconfig decides */
        v = v * 10 + (unsigned)(t[i] - '0');
        if (v > 2147483648ull)
            return 1;
    }
    return neg ? v > 2147483648ull : v > 2147483647ull;
}

static void prescan(const char *t, size_t n, scan_result *r)
{
    int line = 1;
    size_t i = 0;
    memset(r, 0, sizeof *r);
    const char *nul = memchr(t, '\0', n);
    if (nul) {
        r->nul_line = 1;
        for (const char *q = t; q < nul; q++)
            r->nul_line += *q == '\n';
    }
    while (i < n) {
        char ch = t[i];
        if (ch == '\n') {
            line++;
            i++;
        } else if (ch == '#' || (ch == '/' && i + 1 < n && t[i + 1] == '/')) {
            while (i < n && t[i] != '\n')
                i++;
        } else if (ch == '/' && i + 1 < n && t[i + 1] == '*') {
            for (i += 2; i < n && !(t[i] == '*' && i + 1 < n && t[i + 1] == '/'); i++)
                if (t[i] == '\n')
                    line++;
            i += 2;
        } else if (ch == '"') {
            for (i++; i < n && t[i] != '"'; i++) {
                if (t[i] == '\\' && i + 1 < n)
                    i++;
                if (t[i] == '\n')
                    line++;
            }
            i++;
        } else if (ch == '@') {
            if (!r->include_line)
                r->include_line = line;
            i++;
        } else if (isalpha((unsigned char)ch) || ch == '_' || ch == '*') {
            while (i < n && ident_char(t[i]))
                i++;
        } else if (isdigit((unsigned char)ch) ||
                   ((ch == '-' || ch == '+' || ch == '.') && i + 1 < n &&
                    isdigit((unsigned char)t[i + 1]))) {
            size_t b = i++;
            while (i < n && (isalnum((unsigned char)t[i]) || t[i] == '.' ||
                             ((t[i] == '-' || t[i] == '+') &&
                              (t[i - 1] == 'e' || t[i - 1] == 'E'))))
                i++;
            /* the key this number is the value of: "name =" or "name :" before it */
            size_t q = b;
            while (q > 0 && (t[q - 1] == ' ' || t[q - 1] == '\t' || t[q - 1] == '\r' || t[q - 1] == '\n'))
                q--;
            size_t kn = 0, ke = 0;
            if (q > 0 && (t[q - 1] == '=' || t[q - 1] == ':')) {
                q--;
                while (q > 0 && (t[q - 1] == ' ' || t[q - 1] == '\t' || t[q - 1] == '\r' || t[q - 1] == '\n'))
                    q--;
                ke = q;
                while (q > 0 && ident_char(t[q - 1]))
                    q--;
                kn = ke - q;
            }
            int yuan = kn && is_yuan_key_name(t + q, kn);
            if (yuan && r->n_yuan < SCAN_YUAN_MAX) {
                snprintf(r->yuan[r->n_yuan].key, sizeof r->yuan[0].key, "%.*s", (int)kn, t + q);
                snprintf(r->yuan[r->n_yuan].text, sizeof r->yuan[0].text, "%.*s",
                         (int)(i - b < 47 ? i - b : 47), t + b);
                r->yuan[r->n_yuan].line = line;
                r->n_yuan++;
            }
            if (!yuan && !r->big_line && overflows_int32(t + b, i - b)) {
                r->big_line = line;
                snprintf(r->big, sizeof r->big, "%.*s", (int)(i - b < 40 ? i - b : 40), t + b);
            }
        } else {
            i++;
        }
    }
}

/* Path of the first scalar setting on `line`, for error messages. */
static int path_at_line(const config_setting_t *s, int line, char *out, size_t n)
{
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(e);
        size_t used = strlen(out);
        if (name)
            snprintf(out + used, n - used, "%s%s", used ? "." : "", name);
        else
            snprintf(out + used, n - used, "[%d]", i);
        if (config_setting_is_aggregate(e) ? path_at_line(e, line, out, n)
                                           : (int)config_setting_source_line(e) == line)
            return 1;
        out[used] = '\0';
    }
    return 0;
}

static void base_dir(const char *path, char *out, size_t n)
{
    char tmp[CM_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(tmp, sizeof tmp, ".");
    else if (slash == path)
        snprintf(tmp, sizeof tmp, "/");
    else
        snprintf(tmp, sizeof tmp, "%.*s", (int)(slash - path), path);
    char *abs = realpath(tmp, NULL);
    snprintf(out, n, "%s", abs ? abs : tmp);
    free(abs);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

void cm_config_relink(cm_config *c)
{
    c->dip.catalogue_csv = c->dip_catalogue[0] ? c->dip_catalogue : NULL;
    c->dip.group_stats_csv = c->dip_group_stats[0] ? c->dip_group_stats : NULL;
    c->dip.proc_attr_csv = c->dip_proc_attr[0] ? c->dip_proc_attr : NULL;
    c->dip.icd10_csv = c->dip_icd10[0] ? c->dip_icd10 : NULL;
    c->dip.simple_procs_csv = c->dip_simple_procs[0] ? c->dip_simple_procs : NULL;
    c->drg.dir = c->drg_dir[0] ? c->drg_dir : NULL;
}

void cm_config_default(cm_config *c)
{
    memset(c, 0, sizeof *c);
    c->scheme = CM_SCHEME_DIP;
    c->threads = 0;
    snprintf(c->input_encoding, sizeof c->input_encoding, "auto");
    c->category_mismatch = CM_MISMATCH_FLAG;
    c->category_tolerance_fen = 0;
    gr_dip_options_default(&c->dip);
    c->blank_factor = 0.7;
    gr_drg_options_default(&c->drg);
    c->score_source = CM_SCORES_CATALOGUE;
    sc_calib_params_default(&c->calib);
    c->cv_split_threshold = 0.7;
    c->coef_mode = CM_COEF_FIXED;
    c->level_coef[0] = 0.0;
    c->level_coef[1] = c->level_coef[2] = c->level_coef[3] = 1.0;
    sc_outlier_params_default(&c->outliers);
    c->standard_cost = CM_STD_GROUP_MEAN_X_COEF;
    c->fund_budget_fen = 0;
    c->drg_budget_fen = 0;
    sc_drg_outlier_params_default(&c->drg_outliers);
    c->compression = CM_COMP_DEFLATE;
    c->deflate_level = 2;
    c->chunk_rows = 16384;
    c->mpi_split_bytes = (int64_t)2 << 30;
    c->gen_cases = 20000;
    c->gen_history_cases = 0;
    c->gen_seed = 42;
    c->gen_institutions = 40;
    c->gen_year = 2025;
    c->gen_bad_rows = 0.0;
    sc_year_params_default(&c->year);
    sc_ind_params_default(&c->indicators);
    c->region_index = -1;
    c->sup_enabled = 1;
    c->sample_rate = 0.08;
    c->sample_flagged_share = 0.5;
    c->sample_seed = 2024;
    sc_sup_params_default(&c->sup);
    snprintf(c->sup_exempt_dx, sizeof c->sup_exempt_dx, "Z51.0, Z51.1");
    cm_config_relink(c);
}

/* Region j of the province: the shared settings, then the region's own
 * over them (a group key replaces only the keys it names; a history list
 * replaces the shared one), region = its code, then the rules and tables,
 * every error naming the region. */
static cm_cfg_status load_region(loader *L, const config_setting_t *root, const config_setting_t *rs, int j)
{
    const config_setting_t *e = config_setting_get_elem(rs, (unsigned)j);
    const char *code = config_setting_get_string(config_setting_get_member(e, "code"));
    memset(L->line, 0, sizeof L->line);
    cm_cfg_status st = load_all(L, root);
    snprintf(L->kprefix, sizeof L->kprefix, "regions[%d] (%s).", j, code);
    if (st == CM_CFG_OK)
        st = load_all(L, e);
    if (st == CM_CFG_OK)
        st = check_rules(L);
    if (st == CM_CFG_OK)
        st = check_tables(L);
    L->kprefix[0] = '\0';
    snprintf(L->c->region, sizeof L->c->region, "%s", code);
    L->c->n_regions = config_setting_length(rs);
    L->c->region_index = j;
    L->c->region_line = (int)config_setting_source_line(e);
    return st;
}

static cm_cfg_status load_parsed(loader *L, const char *text, size_t len, int region)
{
    scan_result sr;
    prescan(text, len, &sr);
    L->scan = &sr;
    if (sr.nul_line)
        return fail(L, CM_CFG_ERR_SYNTAX, sr.nul_line, NULL,
                    "the file holds a NUL byte on line %d; a configuration is plain UTF-8 "
                    "text: save it again as text", sr.nul_line);
    if (sr.include_line)
        return fail(L, CM_CFG_ERR_SYNTAX, sr.include_line, NULL,
                    "@include is not supported: the checksum recorded in the output must "
                    "cover every setting, so put all settings in this one file");

    if (!config_read_string(&L->cf, text)) {
        const char *t = config_error_text(&L->cf);
        int line = config_error_line(&L->cf);
        const char *hint = strstr(t, "mismatched element type")
            ? "; an array holds one type: write all numbers with a decimal point, "
              "e.g. [1.0, 2.0, 7.0]"
            : strstr(t, "duplicate") ? "; each key may appear once in its group"
            : "; check this line and the one before it (missing ';', '=' or quote?)";
        return fail(L, CM_CFG_ERR_SYNTAX, line, NULL, "syntax error: %s%s",
                    t ? t : "unknown", hint);
    }
    if (sr.big_line) {
        char kp[128] = "";
        path_at_line(config_root_setting(&L->cf), sr.big_line, kp, sizeof kp);
        return fail(L, CM_CFG_ERR_VALUE, sr.big_line, kp,
                    "the integer %s does not fit in 32 bits and libconfig would "
                    "silently truncate it; write it with an L suffix (%sL)", sr.big, sr.big);
    }

    cm_cfg_status st = check_unknown(L);
    if (st != CM_CFG_OK)
        return st;
    config_setting_t *root = config_root_setting(&L->cf);
    const config_setting_t *rs = config_setting_get_member(root, "regions");
    int n = rs ? config_setting_length(rs) : 0;
    if (region >= 0) {
        if (region >= n)
            return fail(L, CM_CFG_ERR_VALUE, 0, "regions",
                        "the file lists %d region(s); there is no region %d", n, region);
        return load_region(L, root, rs, region);
    }
    if (n > 0) {
        /* a province: every region checked before any work; c holds the shared settings */
        cm_config *keep = L->c, *tmp = malloc(sizeof *tmp);
        if (!tmp)
            return fail(L, CM_CFG_ERR_NOMEM, 0, NULL, "out of memory");
        for (int j = 0; j < n && st == CM_CFG_OK; j++) {
            cm_config_default(tmp);
            L->c = tmp;
            st = load_region(L, root, rs, j);
        }
        free(tmp);
        L->c = keep;
        memset(L->line, 0, sizeof L->line);
        if (st == CM_CFG_OK)
            st = load_all(L, root);
        L->c->n_regions = n;
        L->c->region_index = -1;
        return st;
    }
    st = load_all(L, root);
    if (st == CM_CFG_OK)
        st = check_rules(L);
    if (st == CM_CFG_OK)
        st = check_tables(L);
    if (st == CM_CFG_OK)
        st = check_supervision(L);
    return st;
}

static cm_cfg_status load_file(const char *path, int region, cm_config *c, cm_cfg_error *err)
{
    cm_cfg_error scratch;
    loader L;
    memset(&L, 0, sizeof L);
    L.path = path ? path : "";
    L.c = c;
    L.err = err ? err : &scratch;
    memset(L.err, 0, sizeof *L.err);
    cm_config_default(c);
    if (!path || !path[0])
        return fail(&L, CM_CFG_ERR_IO, 0, NULL,
                    "no configuration file given; pass one with --config");

    char *text = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rc = read_bytes(path, &text, &len, &why);
    if (rc != 0)
        return fail(&L, rc == -2 ? CM_CFG_ERR_NOMEM : CM_CFG_ERR_IO, 0, NULL,
                    "cannot read the configuration file: %s; check the path", why);
    cm_sha256_hex(text, len, c->sha256);
    snprintf(c->path, sizeof c->path, "%s", path);
    base_dir(path, L.dir, sizeof L.dir);

    /* A UTF-8 byte-order mark is not part of the syntax; lines do not move. */
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

    config_init(&L.cf);
    cm_cfg_status st = load_parsed(&L, text + skip, len - skip, region);
    config_destroy(&L.cf);
    free(text);
    cm_config_relink(c);
    return st;
}

cm_cfg_status cm_config_overlay(cm_config *c, void *settings, cm_cfg_error *err)
{
    cm_cfg_error scratch;
    loader L;
    memset(&L, 0, sizeof L);
    L.path = c->path;
    L.c = c;
    L.err = err ? err : &scratch;
    memset(L.err, 0, sizeof *L.err);
    base_dir(c->path, L.dir, sizeof L.dir);
    cm_cfg_status st = check_unknown_in(&L, settings, 0);
    if (st == CM_CFG_OK)
        st = load_all(&L, settings);
    if (st == CM_CFG_OK)
        st = check_rules(&L);
    cm_config_relink(c);
    return st;
}

cm_cfg_status cm_config_load(const char *path, cm_config *c, cm_cfg_error *err)
{
    return load_file(path, -1, c, err);
}

cm_cfg_status cm_config_load_region(const char *path, int i, cm_config *c, cm_cfg_error *err)
{
    return load_file(path, i, c, err);
}

const char *cm_cfg_status_name(cm_cfg_status s)
{
    switch (s) {
    case CM_CFG_OK: return "ok";
    case CM_CFG_ERR_IO: return "io";
    case CM_CFG_ERR_SYNTAX: return "syntax";
    case CM_CFG_ERR_KEY: return "unknown key";
    case CM_CFG_ERR_TYPE: return "type";
    case CM_CFG_ERR_VALUE: return "value";
    case CM_CFG_ERR_NOMEM: return "out of memory";
    }
    return "?";
}
