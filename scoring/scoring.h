/*
 * scoring.h - the one public header of the scoring library.
 *
 * Statistics, DIP scores (分值) calibrated from history, institution
 * coefficients, outlier cases (偏差病例), point value (点值) and exact
 * payments in integer fen (分). Formulas: docs/METHODS.md §3–6.
 *
 * Design
 * - Pure functions over caller-owned arrays. No printing, no exit, no
 *   threads, no HDF5. Nothing here allocates unless its comment says so.
 * - Money is int64 fen. A case score is kept as int64 in units of 1e-4
 *   point ("score_e4") so that every total is an exact integer sum: the
 *   same in any order, at any thread count, on any number of machines.
 * - Aggregates are partials (sc_inst_partial) merged with sc_inst_merge,
 *   which is plain integer addition: merge order cannot change the result.
 */
#ifndef CASEMIX_SCORING_H
#define CASEMIX_SCORING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SC_OK = 0,
    SC_ERR_ARG,      /* an argument is out of its domain (said in the comment) */
    SC_ERR_EMPTY     /* nothing to compute from (zero weights, zero cases) */
} sc_status;

const char *sc_status_name(sc_status s);

#define SC_SCORE_UNIT 10000   /* score_e4 units per point */

/* ------------------------------------------------------------------ */
/* Cost categories (收费项目类别) and the price-ratio structure (比价关系) */
/* ------------------------------------------------------------------ */

typedef enum {
    SC_CAT_BED = 0,        /* 床位费 */
    SC_CAT_CONSULT,        /* 诊查费 */
    SC_CAT_EXAM,           /* 检查费 */
    SC_CAT_LAB,            /* 化验费 */
    SC_CAT_TREATMENT,      /* 治疗费 */
    SC_CAT_SURGERY,        /* 手术费 */
    SC_CAT_NURSING,        /* 护理费 */
    SC_CAT_MATERIAL,       /* 卫生材料费 */
    SC_CAT_WESTERN,        /* 西药费 */
    SC_CAT_HERBAL,         /* 中药饮片费 */
    SC_CAT_PATENT,         /* 中成药费 */
    SC_CAT_GENERAL,        /* 一般诊疗费 */
    SC_CAT_REGISTRATION,   /* 挂号费 */
    SC_CAT_OTHER,          /* 其他费 */
    SC_CAT__COUNT
} sc_category;

typedef enum {
    SC_BUCKET_SERVICES = 0,  /* medical services: bed, consult, treatment, surgery,
                                nursing, general, registration, other */
    SC_BUCKET_DRUGS,         /* drugs and consumables: western, herbal, patent, material */
    SC_BUCKET_EXAMS,         /* examinations and tests: exam, lab */
    SC_BUCKET__COUNT
} sc_bucket;

/* Canonical column name ("cost_bed"), Chinese name ("床位费"), bucket.
 * Static strings; NULL (SC_BUCKET__COUNT for the bucket) when c is out of
 * range. The same holds for sc_bucket_name and sc_outlier_name. */
const char *sc_category_column(sc_category c);
const char *sc_category_chinese(sc_category c);
sc_bucket sc_category_bucket(sc_category c);
const char *sc_bucket_name(sc_bucket b);   /* "services", "drugs", "exams" */

/* ------------------------------------------------------------------ */
/* Calibration: trimmed, year-weighted means and scores (docs/METHODS.md §3) */
/* ------------------------------------------------------------------ */

typedef enum {
    SC_SCALE_REGION_MEAN = 0,  /* RW = m_g / M × factor (平均费用法, factor 1000) */
    SC_SCALE_BENCHMARK,        /* M = mean of a benchmark group (基准病种法) */
    SC_SCALE_UNIT              /* RW = m_g / M, no factor (标准定额法) */
} sc_scale;

typedef struct {
    double year_weight[3];   /* oldest -> newest; default 1, 2, 7 */
    double trim_low;         /* default 0.025 */
    double trim_high;        /* default 0.975 */
    int64_t trim_min_cases;  /* trim only groups with >= this many cases; default 25 */
    sc_scale scale;          /* default SC_SCALE_REGION_MEAN */
    double scale_factor;     /* default 1000 */
} sc_calib_params;

void sc_calib_params_default(sc_calib_params *p);

/* Trimmed statistics of one group in one year. */
typedef struct {
    int64_t n;          /* cases before trimming */
    int64_t n_used;     /* cases kept */
    int64_t sum_fen;    /* Σ cost of kept cases, fen (exact) */
    double mean_fen;    /* sum_fen / n_used; 0 when n_used == 0 */
    double sd_fen;      /* population SD of kept cases */
} sc_year_stat;

/* Sorts costs_fen ascending in place, then trims by the nearest-rank
 * quantiles Q(p) = x[ceil(p·n)] (1-based): cases with cost < Q(trim_low) or
 * > Q(trim_high) are dropped when n >= trim_min_cases (ties at the cut are
 * kept). Fills *out. n may be 0. Deterministic: depends only on the
 * multiset of costs. p is read to 1e-9 (round(p·1e9)) and the rank computed
 * in integers, so decimal settings are exact (0.07 × 100 gives rank 7). */
void sc_year_stats(int64_t *costs_fen, size_t n, const sc_calib_params *p,
                   sc_year_stat *out);

/* Σ w_y · mean_y / Σ w_y over the years with n_used > 0. Returns 0 and sets
 * *ok = 0 when no year has cases. ok may be NULL. */
double sc_weighted_mean(const sc_year_stat y[3], const double w[3], int *ok);

/* Pooled coefficient of variation (SD / mean) of the kept cases of all
 * three years, from their sums; 0 when fewer than 2 cases. Computed from
 * the per-year n_used, mean and SD exactly (parallel-axis rule). */
double sc_pooled_cv(const sc_year_stat y[3]);

/* RW of a group from its weighted mean m_g and the reference mean M
 * (region mean, or the benchmark group's mean), per p->scale.
 * Returns 0 when M <= 0. */
double sc_score_from_means(double m_g, double M, const sc_calib_params *p);

/* ------------------------------------------------------------------ */
/* Outliers (偏差病例, docs/METHODS.md §5)                                     */
/* ------------------------------------------------------------------ */

typedef enum {
    SC_OUT_NORMAL = 0,
    SC_OUT_LOW,        /* 费用极低 */
    SC_OUT_HIGH,       /* 费用超高 */
    SC_OUT__COUNT
} sc_outlier_class;

const char *sc_outlier_name(sc_outlier_class c);  /* "normal", "low", "high" */

typedef struct {
    double low;            /* default 0.5: low when ratio < low */
    int low_inclusive;     /* 1: low when ratio <= low; default 0 */
    double high;           /* default 2.0: high when ratio > high */
    int high_inclusive;    /* 1: high when ratio >= high; default 0 */
    double high_k;         /* default 1.0: high score = (ratio - high + k) × RW */
    double special;        /* default 5.0: special review when ratio > special */
    double special_cap;    /* default 0.005: at most this share of cases flagged */
    double special_pay_k;  /* 0 (default): special cases paid as high; > 0: K × RW */
} sc_outlier_params;

void sc_outlier_params_default(sc_outlier_params *p);

/* Checks the parameters: 0 < low < high <= special, high_k >= 0,
 * 0 <= special_cap <= 1, special_pay_k >= 0, all finite (NaN fails).
 * Returns SC_OK or SC_ERR_ARG. */
sc_status sc_outlier_params_check(const sc_outlier_params *p);

/* Classifies a case by ratio = cost / standard cost and returns the factor
 * by which the group score is multiplied: ratio (low), 1 (normal),
 * ratio - high + high_k (high). ratio must be >= 0. */
sc_outlier_class sc_outlier_classify(double ratio, const sc_outlier_params *p,
                                     double *factor);

/* Case score in 1e-4 points: llround(rw × coef × factor × 1e4), never
 * negative. */
int64_t sc_score_e4(double rw, double coef, double factor);

/* ------------------------------------------------------------------ */
/* DRG outliers (docs/METHODS.md §7, a typical regional rule)                */
/* ------------------------------------------------------------------ */

typedef struct {
    double rw_band_low;    /* default 1.0: RW <= this uses high_k_low_rw */
    double rw_band_high;   /* default 2.0: RW <= this uses high_k_mid_rw, above high_k_high_rw */
    double high_k_low_rw;  /* default 3.0 */
    double high_k_mid_rw;  /* default 2.0 */
    double high_k_high_rw; /* default 1.5 */
    double low;            /* default 0.4: low when cost <= low × DRG mean */
} sc_drg_outlier_params;

void sc_drg_outlier_params_default(sc_drg_outlier_params *p);

/* Checks 0 < low < every k, 0 < rw_band_low <= rw_band_high, all finite.
 * Returns SC_OK or SC_ERR_ARG. */
sc_status sc_drg_outlier_params_check(const sc_drg_outlier_params *p);

/* Classifies a DRG case by r = cost ÷ DRG mean cost and the DRG's RW, and
 * returns the factor on the base points (RW × 100 × institution factor):
 * high when r >= k(RW): 1 + (r − k) (base plus the extra points
 * (r − k) × base); low when r <= low: r; else 1. r must be >= 0. */
sc_outlier_class sc_drg_outlier_classify(double r, double rw, const sc_drg_outlier_params *p,
                                         double *factor);

/* ------------------------------------------------------------------ */
/* Partials and merge                                                  */
/* ------------------------------------------------------------------ */

/* Per-institution partial (one per institution per chunk). */
typedef struct {
    int64_t n_cases;
    int64_t cost_fen;                    /* Σ total cost */
    int64_t fund_fen;                    /* Σ fund paid (统筹支付) */
    int64_t score_e4;                    /* Σ case score */
    int64_t bucket_fen[SC_BUCKET__COUNT];/* price-ratio buckets */
    int64_t n_outlier[SC_OUT__COUNT];
    int64_t n_special;
    int64_t n_blank;
} sc_inst_partial;

/* dst += src, member by member. */
void sc_inst_merge(sc_inst_partial *dst, const sc_inst_partial *src);

/* ------------------------------------------------------------------ */
/* Point value and payment (点值, 结算, docs/METHODS.md §6)                     */
/* ------------------------------------------------------------------ */

/* fund share = fund_fen / cost_fen (0 when cost_fen <= 0). */
double sc_fund_share(int64_t fund_fen, int64_t cost_fen);

/* Settlement point value (结算点值) in yuan per point:
 * (budget ÷ fund share) ÷ total score = budget_fen × cost_fen /
 * (fund_fen × total_score) / 100 (long double), where total_score in
 * points is total_score_e4 / SC_SCORE_UNIT. 0 when any term is <= 0. */
double sc_point_value(int64_t budget_fen, int64_t fund_fen, int64_t cost_fen,
                      int64_t total_score_e4);

/* The same with a given fund share (budget.fund_share, in (0, 1]):
 * (budget ÷ share) ÷ total score, yuan per point. 0 when a term is <= 0. */
double sc_point_value_share(int64_t budget_fen, double fund_share, int64_t total_score_e4);

/* Largest-remainder apportionment (最大余额法): shares total (fen, >= 0)
 * over n items in proportion to w[i] >= 0. out[i] = floor(total·w[i]/W)
 * plus one fen for the items with the largest remainders, ties to the lower
 * index, so Σ out = total exactly. Exact 128-bit arithmetic. scratch must
 * hold n int64 (caller-owned, clobbered). Returns SC_ERR_EMPTY when W == 0
 * (out set to 0), SC_ERR_ARG for negative total or weight, for W = Σ w
 * beyond INT64_MAX, or a NULL array with n > 0 (out set to 0 when given).
 * O(n) expected, no allocation; thread-safe on distinct arrays. */
sc_status sc_apportion(int64_t total, const int64_t *w, size_t n,
                       int64_t *out, int64_t *scratch);

/* out = round-half-even of a × num / den in exact 128-bit arithmetic
 * (den > 0; returns 0 when den <= 0). a and num may be negative. The result
 * saturates at INT64_MIN / INT64_MAX. For payment × assessment coefficient
 * in fixed point. */
int64_t sc_muldiv_round(int64_t a, int64_t num, int64_t den);

/* ------------------------------------------------------------------ */
/* Supervision (稽核): the case rules R01-R13 as data (scoring/rules.c) */
/* ------------------------------------------------------------------ */
/* domain.md §7, docs/METHODS.md "Supervision". Rule r (0-based, SC_R01 =
 * 0) is bit r of a case's rule mask (uint16_t). Pure functions: the
 * cross-case rules read one patient's stays, the single-case rules one
 * case; nothing here allocates. */

typedef enum {
    SC_R01 = 0, SC_R02, SC_R03, SC_R04, SC_R05, SC_R06, SC_R07,
    SC_R08, SC_R09, SC_R10, SC_R11, SC_R12, SC_R13, SC_RULE__COUNT
} sc_rule_id;

typedef enum { SC_FAM_POLICY = 0, SC_FAM_MANAGEMENT, SC_FAM_MEDICAL, SC_FAM__COUNT } sc_rule_family;
/* result type (结果类型): 明确违规 definite, 高度可疑 highly suspicious, 可疑 suspicious, info */
typedef enum { SC_RES_DEFINITE = 0, SC_RES_HIGHLY, SC_RES_SUSPICIOUS, SC_RES_INFO, SC_RES__COUNT } sc_rule_result;

typedef struct {
    const char *id;          /* "R01" */
    const char *name_en;     /* "readmission within N days" */
    const char *name_zh;     /* "再入院" (UTF-8) */
    sc_rule_family family;
    sc_rule_result result;   /* the rule's result type (R04: the two-institution case) */
} sc_rule_def;

/* The rule table; r < SC_RULE__COUNT, else NULL. Static. */
const sc_rule_def *sc_rule(int r);
/* "policy" / "management" / "medical" and 政策类 / 管理类 / 医疗类 (static). */
const char *sc_family_name(sc_rule_family f);
const char *sc_family_zh(sc_rule_family f);
/* "definite" / "highly_suspicious" / "suspicious" / "info" and 明确违规 ... (static). */
const char *sc_result_name(sc_rule_result r);
const char *sc_result_zh(sc_rule_result r);

/* A list of ICD-10 类目 ranges ("O00-O99, C51-C58, D06"): a 3-character
 * category is letter + two digits, coded letter × 100 + digits (A00 = 0,
 * Z99 = 2599). */
#define SC_CODE_RANGES_MAX 64
typedef struct {
    int n;
    struct { int16_t lo, hi; } r[SC_CODE_RANGES_MAX];
} sc_code_ranges;
/* The 类目 of a code ("K80.100x001" -> K80 = 1080), or -1 when the code
 * does not start with a letter and two digits (case-insensitive). */
int sc_dx_category(const char *code);
/* Parses "A00-B99, D06" (commas, semicolons or spaces between items) into
 * out. SC_OK, or SC_ERR_ARG with *bad_at = the byte offset of the first
 * item that is not a category or a range lo-hi with lo <= hi (or beyond
 * SC_CODE_RANGES_MAX items). "" is an empty list. */
sc_status sc_code_ranges_parse(const char *text, sc_code_ranges *out, size_t *bad_at);
int sc_code_ranges_has(const sc_code_ranges *l, int category);

/* A list of code prefixes ("Z51.0, Z51.1"): a code is on the list when it
 * starts with one of them (case-insensitive; "Z51.0" holds Z51.000x001). */
#define SC_PREFIXES_MAX 64
#define SC_PREFIX_LEN 16
typedef struct {
    int n;
    char p[SC_PREFIXES_MAX][SC_PREFIX_LEN];
} sc_prefix_list;
/* Same separators and result as sc_code_ranges_parse; an item longer than
 * SC_PREFIX_LEN - 1 bytes is an error. */
sc_status sc_prefix_list_parse(const char *text, sc_prefix_list *out, size_t *bad_at);
int sc_prefix_list_has(const sc_prefix_list *l, const char *code);

/* Every parameter of the rules, each a setting (supervision.rules.RXX.*)
 * with the national default of sc_sup_params_default. */
typedef struct {
    int enabled[SC_RULE__COUNT];   /* RXX.enabled = true */
    int readmit_days;              /* R01.days = 15: B.admit - A.discharge in [0, N] */
    sc_prefix_list exempt_dx;      /* R01.exempt_dx = "Z51.0, Z51.1" (radio-/chemotherapy) */
    int exempt_emergency;          /* R01.exempt_emergency = true: admit_route 1 (急诊) exempt */
    int split_days;                /* R02.days = 15 */
    int transfer_days;             /* R03.days = 1 */
    int bed_min_los;               /* R06.min_los = 3 */
    double bed_service_max;        /* R06.service_share_max = 0.05 (exam+lab+treatment+surgery) */
    double bed_fee_min;            /* R06.bed_share_min = 0.30 */
    int low_max_los;               /* R07.max_los = 2 */
    double low_ratio_max;          /* R07.ratio_max = 0.4 */
    sc_prefix_list low_dx;         /* R07.dx = "" (outpatient-treatable principal dx) */
    int long_los;                  /* R08.max_los = 60: LOS > 60 */
    double long_k;                 /* R08.k = 3: LOS > k × the group's mean LOS (when known) */
    sc_code_ranges female, male;   /* R09: codes restricted to one sex (R09.female, R09.male) */
    int newborn_age_max;           /* R10.newborn_age_max = 0: P00-P96 at age_years > this */
    int obstetric_age_min;         /* R10.obstetric_age_min = 12 */
    int obstetric_age_max;         /* R10.obstetric_age_max = 55 */
    sc_code_ranges newborn, obstetric; /* R10.newborn = "P00-P96", R10.obstetric = "O00-O99" */
    double lowrisk_z;              /* R11.z = -1: z < this */
} sc_sup_params;

/* The national defaults (domain.md §7); the R09/R10 lists as written in
 * the files config/supervision/r09_*.txt, r10_*.txt. */
void sc_sup_params_default(sc_sup_params *p);
/* The default lists as text (static), for documentation and the settings. */
extern const char SC_R09_FEMALE_DEFAULT[], SC_R09_MALE_DEFAULT[];
extern const char SC_R10_NEWBORN_DEFAULT[], SC_R10_OBSTETRIC_DEFAULT[];

/* One rule hit: case k fired rule `rule` with evidence. Indices k and
 * other are the caller's (positions in its arrays); other = -1 when the
 * rule has no related case. figure and threshold in the rule's unit
 * (days, nights, per mille, years, z × 1000). */
typedef struct {
    int64_t k, other;
    int rule;                      /* sc_rule_id */
    sc_rule_result result;
    double figure, threshold;
} sc_hit;
typedef void (*sc_hit_fn)(void *ctx, const sc_hit *h);

/* One stay of a patient for the cross-case rules. */
typedef struct {
    int32_t admit, discharge;      /* days since 1970 */
    uint32_t inst;                 /* institution (any id; equal = same) */
    int16_t pdx_category;          /* sc_dx_category of the principal dx, -1 unknown */
    uint8_t dmode;                 /* 离院方式 1..9, 0 missing */
    uint8_t exempt;                /* R01 exemption: exempt dx or (setting) emergency route */
} sc_stay;

/* The order of a patient's stays: admission, discharge, institution; the
 * caller breaks a tie by case id. -1/0/1. */
int sc_stay_cmp(const sc_stay *a, const sc_stay *b);
/* Evaluates R01-R05 on one patient's n stays, sorted by sc_stay_cmp (then
 * case id); hit.k and hit.other are positions 0..n-1. eval: bit r set for
 * a rule to evaluate (enabled and its inputs present). O(n) after the
 * sort: the previous discharge is the earlier stay with the latest
 * discharge (ties: the earlier in order); a stay is a duplicate (R05) of
 * the first earlier stay with the same admission, discharge and
 * institution, and then fires nothing else. Returns the hits. */
size_t sc_patient_rules(const sc_stay *st, size_t n, const sc_sup_params *p, unsigned eval,
                        sc_hit_fn fn, void *ctx);

/* One case for the single-case rules R06-R08 and R11 (R09, R10:
 * sc_sex_conflict, sc_age_conflict; R12, R13 are the outlier classes and
 * data-quality flags). Missing values: -1. */
typedef struct {
    int los;                       /* days, -1 missing */
    int64_t total_fen;
    int64_t bed_fen;               /* 床位费, -1 without categories */
    int64_t service_fen;           /* 检查 + 化验 + 治疗 + 手术, -1 without categories */
    int has_procedure;             /* 0 / 1 */
    int dmode;                     /* 0 missing */
    double ratio;                  /* cost ratio (§4), -1 none */
    int low_dx_listed;             /* principal dx on R07.dx */
    double group_mean_los;         /* the group's mean LOS from history, <= 0 unknown */
    int lowrisk_group;             /* the group is low-risk (sc_lowrisk_groups), -1 unknown */
    double group_z;                /* its z (R11 evidence) */
} sc_case_in;
/* Evaluates R06, R07, R08, R11 (those with bit set in eval) on c; calls fn
 * with k for each hit. Returns the hits. */
size_t sc_case_rules(const sc_case_in *c, int64_t k, const sc_sup_params *p, unsigned eval, sc_hit_fn fn,
                     void *ctx);
/* R09: the first code of codes[0..n) restricted to the other sex (sex 1
 * male, 2 female; else no conflict): its index, or -1. */
int sc_sex_conflict(const sc_sup_params *p, int sex, const char *const *codes, int n);
/* R10: the first code of codes[0..n) in conflict with age_years (newborn
 * codes at age > newborn_age_max, obstetric codes outside [min, max]):
 * its index, or -1 (age < 0: none). */
int sc_age_conflict(const sc_sup_params *p, int age_years, const char *const *codes, int n);

/* R11 (低风险组): deaths[g] and cases[g] of n groups from history. out[g]
 * = 1 for a low-risk group: cases > 0 and (deaths = 0, or z_g = (ln m_g -
 * mean) / sd < z_max over the groups with m_g > 0, sd the population SD);
 * 0 otherwise; z[g] (optional) receives z_g (-INFINITY for no death, NAN
 * without cases). SC_ERR_EMPTY when no group has a death (then only the
 * groups without deaths are low-risk and sd is undefined). */
sc_status sc_lowrisk_groups(const int64_t *deaths, const int64_t *cases, size_t n, double z_max,
                            uint8_t *out, double *z);

/* The re-review sample (复审抽查) of one institution: m cases (positions
 * 0..m-1, in the caller's stable order, e.g. by case id), flagged[i] 0/1.
 * Draws want = ceil(rate × m) cases: flagged ones first up to
 * ceil(flagged_share × want) (at random among the flagged), then the rest
 * at random among those not drawn. Random = ordered by a 64-bit hash of
 * (seed, key[i]) (key: e.g. a hash of the case id), ties by position, so
 * the draw does not depend on order or threads. out[i] = 0 not drawn, 1
 * drawn as flagged, 2 drawn at random. scratch: m uint64 + m uint32
 * (caller's). Returns the number drawn. */
size_t sc_sample_institution(size_t m, const uint8_t *flagged, const uint64_t *key, uint64_t seed,
                             double rate, double flagged_share, uint8_t *out, uint64_t *scratch_h,
                             uint32_t *scratch_i);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_SCORING_H */
