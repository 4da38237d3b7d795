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

/* Work to ranks by size (province runs: regions to MPI ranks; partition.c):
 * longest first (ties: lower index), each to the bin with the least total
 * so far (ties: lower bin); an item of size 0 counts as 1. owner[i] in
 * [0, nbins). load: the caller's nbins entries, left with each bin's total.
 * SC_OK, or SC_ERR_ARG (n < 0, nbins < 1, a NULL array). O(n^2 + n·nbins),
 * no allocation; the same result on every rank. */
sc_status sc_assign_by_size(const uint64_t *size, int n, int nbins, int *owner, uint64_t *load);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_SCORING_H */
