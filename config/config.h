/*
 * config.h - the one public header of the configuration library.
 *
 * Reads one libconfig file per region and period, checks every key, type
 * and value, and returns typed settings (cm_config) with the national
 * defaults filled in. A bad configuration stops the run before any work:
 * cm_config_load returns an error with file:line and what to do (unknown
 * keys get the closest valid name suggested).
 *
 * The library does not print, exit, start threads or call HDF5. Relative
 * paths in the file are resolved against the directory of the file.
 * See config/example.cfg for every key with its default and meaning.
 */
#ifndef CASEMIX_CONFIG_H
#define CASEMIX_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../grouper/grouper.h"
#include "../scoring/scoring.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CM_CFG_OK = 0,
    CM_CFG_ERR_IO,      /* file cannot be read */
    CM_CFG_ERR_SYNTAX,  /* libconfig parse error */
    CM_CFG_ERR_KEY,     /* unknown key */
    CM_CFG_ERR_TYPE,    /* wrong type */
    CM_CFG_ERR_VALUE,   /* impossible or contradictory value */
    CM_CFG_ERR_NOMEM
} cm_cfg_status;

/* file, line (0 if unknown), key path ("outliers.low") and message. The
 * message does not repeat file, line or key: print "file:line: key: msg". */
typedef struct {
    char file[512];
    int line;
    char key[128];
    char msg[512];
} cm_cfg_error;

#define CM_PATH_MAX 1024
#define CM_MAX_HISTORY 3
/* The one thread limit (线程数上限): the threads setting, casemix --threads and
 * every per-thread array of the engine are bounded by it; a larger OpenMP
 * default (OMP_NUM_THREADS, the number of cores) is clamped to it. */
#define CM_MAX_THREADS 256

typedef enum { CM_SCHEME_DIP = 0, CM_SCHEME_DRG, CM_SCHEME_BOTH } cm_scheme;
typedef enum { CM_MISMATCH_FLAG = 0, CM_MISMATCH_REJECT } cm_mismatch;
typedef enum { CM_SCORES_CATALOGUE = 0, CM_SCORES_HISTORY } cm_score_source;
typedef enum { CM_COEF_FIXED = 0, CM_COEF_HISTORY } cm_coef_mode;
typedef enum {
    CM_STD_GROUP_MEAN_X_COEF = 0, /* (b) group mean fee × institution coefficient (default) */
    CM_STD_LEVEL_MEAN,            /* (a) group mean at same-level institutions, history */
    CM_STD_SCORE_X_POINT          /* (c) score × budget point value × coefficient */
} cm_std_cost;
typedef enum { CM_COMP_DEFLATE = 0, CM_COMP_NONE } cm_compression;
typedef enum {
    CM_DEFLATE_LIBDEFLATE = 0, /* chunks compressed on all threads with libdeflate, H5Dwrite_chunk */
    CM_DEFLATE_ZLIB,           /* chunks compressed on all threads with zlib, H5Dwrite_chunk */
    CM_DEFLATE_HDF5            /* HDF5's own filter pipeline (one thread) */
} cm_deflate_library;
typedef enum {
    CM_CASES_CODES = 0,   /* /cases carries institution id and group code strings */
    CM_CASES_COMPACT      /* /cases carries indices into /institutions and /groups */
} cm_case_columns;

typedef struct {
    int year;                    /* e.g. 2022 */
    char file[CM_PATH_MAX];      /* CSV of that year's discharges */
} cm_history_year;

typedef struct {
    /* identity */
    char region[32];             /* region = "410400" (统筹区) */
    char period[32];             /* period = "2025Q1" */
    cm_scheme scheme;            /* scheme = "dip" | "drg" | "both"; default dip */
    int threads;                 /* threads = 0 (0 = all cores, at most CM_MAX_THREADS); 0..CM_MAX_THREADS */

    /* input { ... } */
    char input_file[CM_PATH_MAX];      /* input.records; may be overridden by --input */
    char input_encoding[16];           /* input.encoding = "auto" | "UTF-8" | "GB18030" (canonical
                                          spelling; "gbk" is read as "GB18030"); default "auto" */
    char input_aliases[CM_PATH_MAX];   /* input.aliases = "" : extra header alias CSV */
    char input_institutions[CM_PATH_MAX]; /* input.institutions = "" : institution master table
                                          (institution_id, name, level; 定点医药机构) */
    cm_mismatch category_mismatch;     /* input.category_mismatch = "flag" | "reject" */
    int64_t category_tolerance_fen;    /* input.category_tolerance_fen = 0 */

    /* history ( {year, file}, ... ) oldest first, 0..3 entries */
    int n_history;
    cm_history_year history[CM_MAX_HISTORY];

    /* dip { ... } */
    gr_dip_options dip;                /* paths point into the char arrays below */
    char dip_catalogue[CM_PATH_MAX];   /* dip.catalogue (required for dip) */
    char dip_group_stats[CM_PATH_MAX]; /* dip.group_stats */
    char dip_proc_attr[CM_PATH_MAX];   /* dip.proc_attributes */
    char dip_icd10[CM_PATH_MAX];       /* dip.icd10 */
    char dip_simple_procs[CM_PATH_MAX];/* dip.simple_procedures */
    double blank_factor;               /* dip.blank_factor = 0.7 (KBBZ: f × ratio × RW) */

    /* drg { ... } */
    gr_drg_options drg;                /* drg.upcase_codes, drg.strict_weight */
    char drg_dir[CM_PATH_MAX];         /* drg.tables */
    char drg_weights[CM_PATH_MAX];     /* drg.weights = "" : published DRG weights CSV (drg, rw;
                                          权重); "" = weights from history */
    sc_drg_outlier_params drg_outliers;/* drg.low_ratio = 0.4, rw_band_low = 1, rw_band_high = 2,
                                          high_k_low_rw = 3, high_k_mid_rw = 2, high_k_high_rw = 1.5 */

    /* scores { ... } */
    cm_score_source score_source;      /* scores.source = "catalogue" | "history" */
    sc_calib_params calib;             /* scores.year_weights, trim_low, trim_high,
                                          trim_min_cases, scale, scale_factor */
    char benchmark_group[GR_DIP_CODE_MAX]; /* scores.benchmark_group (scale "benchmark") */
    double cv_split_threshold;         /* scores.cv_split_threshold = 0.7 */

    /* coefficients { ... } */
    cm_coef_mode coef_mode;            /* coefficients.mode = "fixed" | "history" */
    double level_coef[4];              /* coefficients.level1..level3 = 1.0 ([0] unused) */

    /* outliers { ... } */
    sc_outlier_params outliers;        /* outliers.low, low_inclusive, high, ... */
    cm_std_cost standard_cost;         /* outliers.standard_cost = "group_mean_x_coef" |
                                          "level_mean" | "score_x_point_value" */

    /* budget { ... } */
    int64_t fund_budget_fen;           /* budget.fund_budget = "123456789.00" (yuan,
                                          string or number, exact to the fen) */
    int64_t drg_budget_fen;            /* budget.drg_budget: fund budget for DRG payment;
                                          absent = fund_budget (scheme "drg") */
    double fund_share;                 /* budget.fund_share = 0 (0: Σ fund paid ÷ Σ total cost of
                                          the period; else the share in (0, 1] to use, 基金支付比例) */

    /* output { ... } */
    char output_file[CM_PATH_MAX];     /* output.file; may be overridden by --out */
    cm_compression compression;        /* output.compression = "deflate" | "none" */
    int deflate_level;                 /* output.deflate_level = 2 (1..9) */
    cm_deflate_library deflate_library;/* output.deflate_library = "libdeflate" | "zlib" | "hdf5" */
    int chunk_rows;                    /* output.chunk_rows = 16384 */
    cm_case_columns case_columns;      /* output.case_columns = "codes" | "compact" */

    /* generator { ... } (casemix gen) */
    int64_t gen_cases;                 /* generator.cases = 20000 (current period) */
    int64_t gen_history_cases;         /* generator.history_cases = 0 (0 = same as cases) */
    uint64_t gen_seed;                 /* generator.seed = 42 */
    int gen_institutions;              /* generator.institutions = 40 */
    int gen_year;                      /* generator.year = 2025 (current period year) */
    double gen_bad_rows;               /* generator.bad_rows = 0.0 (share of bad rows) */
    double gen_seasonality;            /* generator.seasonality = 0 (0..0.9: monthly amplitude A, discharges
                                          of month m ∝ 1 + A cos(2π(m−1)/12), winter peak) */

    /* year { ... } and clearing { ... } (casemix month / clear; the settlement year) */
    sc_year_params year;               /* year.reserve, deposit, estimate_margin, band_min;
                                          clearing.corridor, corridor_low, corridor_high,
                                          budget_point_value, bands, surplus_keep, overspend_limit,
                                          overspend_fund_share, special_cap, default_assessment */
    char year_ledger[CM_PATH_MAX];     /* year.ledger = "" : the ledger file; "" = output.file with
                                          .h5 replaced by .ledger-YYYY.h5 */
    char clear_audit[CM_PATH_MAX];     /* clearing.audit = "" : CSV institution_id,deduction_yuan (审核扣款) */
    char clear_assessment[CM_PATH_MAX];/* clearing.assessment = "" : CSV institution_id,coefficient (考核系数) */
    char clear_special[CM_PATH_MAX];   /* clearing.special_review = "" : CSV case_id,approved_yuan (特例单议) */

    /* simulate { ... } (casemix simulate; the scenarios list is read by
     * cm_scenarios_load, config/scenario.c) */
    int sim_case_output;               /* simulate.case_output = false: /scenarios/NAME/cases */
    char sim_fee_file[CM_PATH_MAX];    /* simulate.fee_file = "" : item lines (费用明细) for the
                                          scenarios with a price_table */

    /* supervision { previous; targets; year_elapsed; indicators { ... }; rating { ... } }
     * (institution indicators and rating, docs/METHODS.md "Indicators and rating") */
    char sup_previous[CM_PATH_MAX];    /* supervision.previous = "": a previous settlement file (.h5)
                                          whose /indicators give previous_value and growth */
    char sup_previous_input[CM_PATH_MAX]; /* supervision.previous_input = "": the previous period's
                                          discharge export (input.records' format): its cases of the last
                                          N days join R01-R05 (docs/METHODS.md §11) */
    char sup_targets[CM_PATH_MAX];     /* supervision.targets = "": CSV institution_id,annual_target (yuan) */
    double sup_year_elapsed;           /* supervision.year_elapsed = 0 (0: from the period, e.g.
                                          "2025Q1" 0.25, "2025-06" 0.5, "2025H1" 0.5, else 1) */
    sc_ind_params indicators;          /* supervision.indicators.percentile = "mean", high_cut = 80,
                                          low_cut = 20, min_count = 11; supervision.rating.excellent
                                          = 90, good = 80, pass = 60; weights and directions below */
    char ind_weights[1024];            /* supervision.rating.weights = "": "code = w, ..." over the defaults */
    char ind_directions[1024];         /* supervision.rating.directions = "": "code = lower, ..." */

    /* supervision { ... } (稽核; docs/METHODS.md "Supervision") */
    int sup_enabled;                   /* supervision.enabled = true */
    double sample_rate;                /* supervision.sample_rate = 0.08 (each institution's share) */
    double sample_flagged_share;       /* supervision.sample_flagged_share = 0.5 */
    uint64_t sample_seed;              /* supervision.sample_seed = 2024 */
    sc_sup_params sup;                 /* supervision.rules.RXX.* (lists parsed from the texts below) */
    char sup_exempt_dx[512];           /* supervision.rules.R01.exempt_dx = "Z51.0, Z51.1" */
    char sup_low_dx[1024];             /* supervision.rules.R07.dx = "" */
    char sup_sex_table[CM_PATH_MAX];   /* supervision.rules.R09.table = "" (built-in list =
                                          config/supervision/r09_sex.csv) */
    char sup_age_table[CM_PATH_MAX];   /* supervision.rules.R10.table = "" (built-in list =
                                          config/supervision/r10_age.csv) */

    /* provenance */
    char path[CM_PATH_MAX];            /* the file read */
    char sha256[65];                   /* hex SHA-256 of the file's bytes */

    /* province (省级多统筹区): regions = ( { code = "410400"; <overrides> }, ... ) */
    int n_regions;                     /* regions listed in the file; 0: a one-region file */
    int region_index;                  /* the region this cm_config is (cm_config_load_region),
                                          -1: the shared settings of a province file */
    int region_line;                   /* the line of that region's entry in the file */
    int64_t mpi_split_bytes;           /* mpi.split_bytes = 2147483648: under MPI, a region whose input
                                          is larger is read by every rank (its rows cut in contiguous
                                          parts) and settled by its owner; 0: never split */
} cm_config;

/* Fills c with the national defaults (no paths). */
void cm_config_default(cm_config *c);

/* Reads and validates path into *c (defaults first, then the file).
 * Returns CM_CFG_OK, or an error with err filled (file, line, key, message
 * that says what to do). Does not open the table files it names, but
 * checks that required ones are given for the scheme and that every named
 * file exists and is readable (error names the key and its line).
 * "Named file" means the tables (dip.*, drg.tables, input.aliases); data
 * files (input.records, history[].file, output.file) are resolved but not
 * checked, since `casemix gen` writes them. Relative paths are joined to
 * the absolute directory of path. err may be NULL; err->msg is a complete
 * sentence that names the key. After an error *c is partly filled: do not
 * use it. Reentrant (no global state); the caller owns c and err. */
cm_cfg_status cm_config_load(const char *path, cm_config *c, cm_cfg_error *err);

/* Province files. cm_config_load on a file with a regions list checks
 * every region (the shared settings, then the region's own over them; an
 * error's key names the region: "regions[2] (410300).budget.fund_budget")
 * and returns the shared settings with n_regions set. This loads region i
 * (0-based, in the file's order) into c: its settings merged, region = its
 * code, n_regions and region_index set. Same errors as cm_config_load. */
cm_cfg_status cm_config_load_region(const char *path, int i, cm_config *c, cm_cfg_error *err);

/* Points c->dip's path members and c->drg.dir at c's own arrays (NULL when
 * empty). cm_config_default and cm_config_load do it; call it again after
 * copying a cm_config by value or editing a dip_* / drg_dir path. */
void cm_config_relink(cm_config *c);

/* Static English name of a status. */
const char *cm_cfg_status_name(cm_cfg_status s);

/* Parses a yuan amount with at most 2 decimals ("12.3", "-0.05", "7") into
 * fen exactly. Returns 0 on success, -1 on a malformed or out-of-range
 * value. Shared by the configuration (budget) and available to callers.
 * Reads s[0..len) only (no NUL needed). Accepts spaces/tabs around, a sign,
 * "5." and ".5"; rejects "", ".", exponents, separators and |fen| > 9e15.
 * *fen is written only on success. Thread-safe, no allocation. */
int cm_parse_yuan(const char *s, size_t len, int64_t *fen);

/* cm_parse_yuan plus thousands separators (千分位) as HIS exports write them
 * inside quotes: "13,728.90", "1,234,567", "-1,000.5". Returns 0 with *fen
 * set when the text is an amount and its commas group the integer digits
 * by three from the right; CM_YUAN_BAD_GROUPING when it would be an amount
 * without its commas but they are misplaced ("13,72.90", "1,2345.00",
 * ",123", "1.2,3"); -1 otherwise. Without a comma it is cm_parse_yuan. */
#define CM_YUAN_BAD_GROUPING (-2)
int cm_parse_yuan_grouped(const char *s, size_t len, int64_t *fen);


/* The common shape of an amount, "D.DD" with 1 to 8 integer digits and no
 * sign or spaces, parsed branch-light with SWAR (digits of a 64-bit word
 * combined by three multiplies; after simdjson's parse_eight_digits).
 * Reads s[0..len) only. Returns 1 and sets *fen when the shape matches,
 * 0 otherwise (then cm_parse_yuan decides: it accepts every string this
 * accepts, with the same value). The reader calls it 17 times per row. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cm_parse_yuan_fast assumes a little-endian machine (x86-64, arm64)"
#endif
static inline int cm_parse_yuan_fast(const char *s, size_t len, int64_t *fen)
{
    if (len < 4 || len > 11 || s[len - 3] != '.')
        return 0;
    size_t k = len - 3; /* integer digits, 1..8 */
    const unsigned char *u = (const unsigned char *)s;
    uint64_t w;
    if (k >= 4) {
        uint32_t a, b;
        __builtin_memcpy(&a, u, 4);
        __builtin_memcpy(&b, u + k - 4, 4);
        w = (uint64_t)a | ((uint64_t)b << (8 * (k - 4))); /* overlap ORs equal bytes */
    } else {
        w = (uint64_t)u[0] | ((uint64_t)u[k / 2] << (8 * (k / 2))) | ((uint64_t)u[k - 1] << (8 * (k - 1)));
    }
    /* little-endian: u[0] is the low byte (the caller's platform, x86-64/arm64) */
    uint64_t mask = k == 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * k)) - 1;
    uint64_t bad = ((w + UINT64_C(0x4646464646464646)) | (w - UINT64_C(0x3030303030303030))) &
                   UINT64_C(0x8080808080808080) & mask;
    unsigned d1 = (unsigned)u[len - 2] - '0', d2 = (unsigned)u[len - 1] - '0';
    if (bad || d1 > 9 || d2 > 9)
        return 0;
    w = (w & UINT64_C(0x0F0F0F0F0F0F0F0F)) << (8 * (8 - k)); /* leading zeros */
    w = (w * 10 + (w >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
    w = (w * 100 + (w >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
    w = (w * 10000 + (w >> 32)) & UINT64_C(0xFFFFFFFF);
    *fen = (int64_t)(w * 100 + d1 * 10 + d2);
    return 1;
}

/* SHA-256 of a byte buffer as 64 lowercase hex digits + NUL into hex. */
void cm_sha256_hex(const void *data, size_t len, char hex[65]);


/* ------------------------------------------------------------------ */
/* Policy simulation scenarios (simulate.scenarios; config/scenario.c)  */
/* ------------------------------------------------------------------ */

/* Applies a group of settings laid out as the top level of a configuration
 * (outliers = { high = 3.0; }; budget = { ... }; ...) onto c, which holds a
 * loaded configuration, and checks the rules between keys again. settings
 * is a config_setting_t * of a libconfig tree (void * keeps libconfig out of
 * this header). CM_CFG_OK or an error with file:line in err. */
cm_cfg_status cm_config_overlay(cm_config *c, void *settings, cm_cfg_error *err);

#define CM_MAX_SCENARIOS 32
#define CM_SCEN_NAME_MAX 48
#define CM_SCEN_MAX_INST 64

typedef enum {
    CM_POLICY_RESCORED = 0,      /* "fixed_budget_rescored" (价值平移): scores from the re-priced
                                    history, budget kept, the point value floats */
    CM_POLICY_BUDGET_ADJUSTED,   /* "budget_adjusted": re-scored as above, budget + Δfund */
    CM_POLICY_FIXED_POINT        /* "fixed_point_value": scores and point value kept */
} cm_policy;

typedef enum {
    CM_SOLVE_NONE = 0,
    CM_SOLVE_TOTAL_COST,         /* solve.target = "total_cost": Σ total cost unchanged */
    CM_SOLVE_FUND                /* solve.target = "fund": fund outlay unchanged */
} cm_solve_target;

/* A multiplier of one category at one institution (institutions list). */
typedef struct {
    char inst_id[32];
    uint8_t cat;
    int64_t m;                   /* fixed point, SC_MULT_ONE = 1 */
} cm_inst_mult;

typedef struct {
    char name[CM_SCEN_NAME_MAX];
    int line;                    /* line of the scenario in the file */
    cm_policy policy;            /* policy = "fixed_budget_rescored" (default) | ... */
    int64_t mult[SC_CAT__COUNT];            /* categories = { surgery = 1.10; ... } (1 when absent) */
    int64_t level_mult[4][SC_CAT__COUNT];   /* levels = ( { level = 3; categories = {...}; } ); 0 unset */
    int n_inst;
    cm_inst_mult inst[CM_SCEN_MAX_INST];    /* institutions = ( { id = "H001"; categories = {...}; } ) */
    int has_settings;            /* settings = { ... } present */
    int recalibrate;             /* settings that change the calibration (scores.*) */
    char settings_text[512];     /* the overridden keys and values, "outliers.high = 3, budget.fund_budget = 120000000.00" */
    cm_config cfg;               /* the base configuration with settings applied */
    cm_solve_target solve;       /* solve = { target = "fund" | "total_cost"; ... } */
    int solve_point_value;       /* solve.point_value = true: the factor on the point value
                                    (policy fixed_point_value; target fund) */
    uint16_t solve_cats;         /* solve.categories = ["exam", "lab", ...]: bit k = category k */
    int64_t solve_lo, solve_hi;  /* solve.range = [0.5, 1.5] (fixed point) */
    char price_table[CM_PATH_MAX];/* price_table = "prices.csv": item code -> new unit price
                                    (项目编码, 新单价); re-prices simulate.fee_file's lines */
} cm_scenario_def;

typedef struct {
    int n;
    cm_scenario_def *s;          /* [n], malloc'd: cm_scenarios_free */
} cm_scenario_set;

/* Reads simulate.scenarios of base->path (the loaded configuration) into
 * out; only[0..nonly) selects scenarios by name (nonly 0: all; an unknown
 * name is an error). Category names: the input columns without "cost_"
 * (bed, consult, exam, lab, treatment, surgery, nursing, material, western,
 * herbal, patent, general, registration, other), with "cost_", or a bucket
 * (services, drugs, exams: every category of it, then single categories
 * override). CM_CFG_OK, or an error with file:line, key and what to do. */
cm_cfg_status cm_scenarios_load(const cm_config *base, const char *const *only, int nonly, cm_scenario_set *out,
                                cm_cfg_error *err);
void cm_scenarios_free(cm_scenario_set *s);
/* Static names: "fixed_budget_rescored", ...; "total_cost" / "fund" / "none". */
const char *cm_policy_name(cm_policy p);
const char *cm_solve_name(cm_solve_target t);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_CONFIG_H */
