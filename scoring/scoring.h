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
/* The settlement year (docs/METHODS.md "The settlement year", 年度清算)   */
/* ------------------------------------------------------------------ */

/* Every rule of the year as a setting (config keys year.* and clearing.*,
 * defaults in sc_year_params_default and config/example.cfg). Shares are
 * read to 1e-6 (round(x·1e6)) and money is computed from them in exact
 * integer arithmetic (sc_muldiv_round). */
typedef struct {
    double reserve;          /* year.reserve = 0: share r of the budget held back (预留调节金) */
    double deposit;          /* year.deposit = 0.05: share q of each monthly payment withheld (质量保证金) */
    double estimate_margin;  /* year.estimate_margin = 0: estimate = forecast × (1 − margin) */
    double band_min;         /* year.band_min = 0.02: least half-width of the forecast band, relative */
    int corridor;            /* clearing.corridor = false: clamp the final point value (点值区间) */
    double corridor_low;     /* clearing.corridor_low = 0.1: a, floor (1 − a) × budget point value */
    double corridor_high;    /* clearing.corridor_high = 0.1: b, ceiling (1 + b) × budget point value */
    double budget_point_value; /* clearing.budget_point_value: yuan per point (预算点值); needed with the corridor */
    int bands;               /* clearing.bands = false: surplus retention / overspend sharing (结余留用, 超支分担) */
    double surplus_keep;     /* clearing.surplus_keep = 0.2: surplus up to this share of the amount due kept in full */
    double overspend_limit;  /* clearing.overspend_limit = 0.2: overspend up to this share of the amount due is shared */
    double overspend_fund;   /* clearing.overspend_fund_share = 0.6: the fund's share of that overspend */
    double special_cap;      /* clearing.special_cap = 0.005: approved special-review cases ≤ this share of the year's discharges (特例单议) */
    double default_assessment; /* clearing.default_assessment = 1: assessment coefficient of an institution not in the CSV */
} sc_year_params;

void sc_year_params_default(sc_year_params *p);
/* SC_OK, or SC_ERR_ARG when a share is outside [0, 1] (deposit, reserve,
 * margin < 1), NaN, or the corridor is on without a budget point value > 0. */
sc_status sc_year_params_check(const sc_year_params *p);

/* round-half-even(amount × share) with share read to 1e-6: the money of a
 * share (reserve, deposit, band limits). */
int64_t sc_share_fen(int64_t amount_fen, double share);

/* Money of a point value: round-half-even(pv yuan/point × fund share ×
 * points_e4 / 1e4 × 100) fen (long double; 0 when a term is <= 0). */
int64_t sc_points_fen(double pv, double fund_share, int64_t points_e4);

/* The forecast of the year's total score from the months so far.
 *   ytd_e4    Σ scores of the months present (mask bit m-1 for month m)
 *   hist      ny × 12 monthly weights of the history years (Σ cost, fen),
 *             year-major; ny may be 0 (then a flat pattern, share m/12)
 * share_y = Σ_{months present} hist[y][m] / Σ_m hist[y][m] (pooled over
 * years for the centre); total = ytd / share; low / high = the smallest and
 * largest ytd / share_y over the years, widened to at least total × (1 ±
 * band_min). SC_ERR_EMPTY when mask is 0 or the pattern has no weight in the
 * months present; SC_ERR_ARG for negative weights. */
sc_status sc_forecast_total(int64_t ytd_e4, unsigned mask, const int64_t *hist, int ny, double band_min,
                            double *total_e4, double *low_e4, double *high_e4);

/* Point value in yuan per point of an allocated budget over a total score
 * (which may be a forecast): budget_fen / 100 / fund share / (total_e4 /
 * 1e4); 0 when a term is <= 0. */
double sc_year_pv(int64_t budget_fen, double fund_share, double total_e4);

/* One month's pre-settlement of n institutions: gross = sc_points_fen(pv,
 * share, Σ points) shared by points (largest remainder), the deposit
 * sc_share_fen(gross total, q) shared by gross (largest remainder), paid =
 * gross − deposit; Σ gross, Σ deposit, Σ paid match the totals to the fen.
 * scratch: n int64. SC_OK, SC_ERR_EMPTY (Σ points 0: all 0), SC_ERR_ARG. */
sc_status sc_month_pay(double pv, double fund_share, double q, const int64_t *points_e4, size_t n,
                       int64_t *gross, int64_t *deposit, int64_t *paid, int64_t *scratch);

/* The final point value with the corridor (p->corridor off: the raw one).
 * raw = sc_year_pv(allocated, share, Σ points). Clamped to [(1 − a) Pb,
 * (1 + b) Pb]: pool = sc_points_fen(pv, share, points) and reserve_used =
 * pool − allocated (> 0: the reserve tops the pool up; < 0: returned to
 * it); unclamped: pool = allocated, reserve_used = 0. clamped: −1 floor,
 * +1 ceiling, 0 none. */
typedef struct {
    double raw, pv;
    int clamped;
    int64_t pool_fen, reserve_used_fen;
} sc_year_pv_result;
void sc_year_final_pv(int64_t allocated_fen, double fund_share, int64_t points_e4, const sc_year_params *p,
                      sc_year_pv_result *out);

/* Surplus / overspend band adjustment of one institution (p->bands off: 0):
 * surplus s = due − fund cost > 0: 0 up to L = sc_share_fen(due,
 * surplus_keep), −(s − L) beyond; overspend o = cost − due > 0: +
 * sc_share_fen(min(o, sc_share_fen(due, overspend_limit)), overspend_fund),
 * the rest borne by the institution. */
int64_t sc_band_adjust(int64_t due_fen, int64_t fund_cost_fen, const sc_year_params *p);

/* Special review (特例单议): an approved case is paid at its approved cost.
 * Top-up from the reserve = max(0, round((approved − points × pv) × share))
 * in fen, points × pv being what the pool paid for the case. */
int64_t sc_special_topup(int64_t approved_fen, int64_t points_e4, double pv, double fund_share);
/* Approved cases allowed in the year: floor(year_cases × cap) (cap to 1e-6). */
int64_t sc_special_cap_cases(int64_t year_cases, double cap);

/* The clearing balance of one institution (年度清算): due − gross monthly
 * pre-payments (deposit included) − audit + round(deposit × coef_e4 / 1e4)
 * + band adjustment + special-review top-up. */
int64_t sc_clear_balance(int64_t due_fen, int64_t gross_fen, int64_t deposit_fen, int64_t audit_fen,
                         int64_t coef_e4, int64_t band_fen, int64_t special_fen);

/* ------------------------------------------------------------------ */
/* Re-pricing and the budget-neutral solve (scoring/reprice.c,         */
/* docs/METHODS.md "Policy simulation")                                */
/* ------------------------------------------------------------------ */

/* Multipliers are fixed point: SC_MULT_ONE = 1.0 (1e-12 resolution). */
#define SC_MULT_ONE INT64_C(1000000000000)

/* amount × m / SC_MULT_ONE rounded half to even, exact (128-bit). */
int64_t sc_reprice_amount(int64_t fen, int64_t m);

/* Re-prices one case: cat[k] (k < n) are the case's category amounts whose
 * multipliers are m[k]; every other category keeps its amount. Writes the
 * change of each category to delta[k] (may be NULL) and returns the new
 * total = total + Σ_k (sc_reprice_amount(cat[k], m[k]) − cat[k]). */
int64_t sc_reprice_case(int64_t total, const int64_t *cat, const int64_t *m, int n, int64_t *delta);

/* The new fund part of a re-priced case at the case's own fund share:
 * new_total × fund / total, rounded half to even; fund when total <= 0. */
int64_t sc_reprice_fund(int64_t new_total, int64_t fund, int64_t total);

/* Static measurement (静态测算) at the baseline's volumes, summed exactly. */
typedef struct {
    int64_t up_fen;       /* Σ of the positive changes (case × category) */
    int64_t down_fen;     /* Σ of the negative changes (<= 0) */
    int64_t net_fen;      /* up + down = Σ new total − Σ old total */
    int64_t fund_fen;     /* Σ new fund − Σ old fund */
    int64_t patient_fen;  /* net − fund */
} sc_measure;

/* Adds one case's changes (delta[0..n), new and old fund) to m. */
void sc_measure_add(sc_measure *m, const int64_t *delta, int n, int64_t fund_delta);
/* dst += src. */
void sc_measure_merge(sc_measure *dst, const sc_measure *src);

/* A monotone non-decreasing total (fen) as a function of a multiplier
 * (fixed point, SC_MULT_ONE = 1). */
typedef int64_t (*sc_eval_fn)(void *ctx, int64_t m);

typedef struct {
    int64_t m;            /* the multiplier found */
    int64_t value;        /* eval(m) */
    int64_t residual;     /* value − target */
    int iterations;       /* evaluations */
    int converged;        /* |residual| <= tolerance */
} sc_solve_result;

/* Finds m in [lo, hi] with |eval(m) − target| <= tol_fen by bisection on
 * the integer multiplier (eval non-decreasing in m). When no m reaches the
 * tolerance (a step of the total larger than 2·tol, or the target outside
 * [eval(lo), eval(hi)]), returns the m of the smallest |residual| seen
 * (ties: the smaller m), converged 0. SC_ERR_ARG when lo > hi or eval is NULL. */
sc_status sc_solve_multiplier(sc_eval_fn eval, void *ctx, int64_t target, int64_t lo, int64_t hi, int64_t tol_fen,
                              sc_solve_result *out);

/* The split of an institution's payment change (docs/METHODS.md "Policy
 * simulation"): price effect = (P1_k − P0_k) valued at the baseline's money
 * per point, round-half-even(B0 × (P1_k − P0_k) / P0); structure effect =
 * (pay1_k − pay0_k) − price effect (the point value moved). P0 > 0. */
void sc_pay_decompose(int64_t budget0_fen, int64_t points0_e4, int64_t inst_p0_e4, int64_t inst_p1_e4,
                      int64_t pay0_fen, int64_t pay1_fen, int64_t *price_fen, int64_t *structure_fen);


/* Item-level re-pricing (费用明细): an item line of quantity q (1e-4 units)
 * at a new unit price (1e-4 yuan) costs round_half_even(q × price / 10^6)
 * fen. Pure. */
int64_t sc_reprice_item(int64_t qty_e4, int64_t price_e4);
/* A decimal number with at most 4 decimals ("12", "-0.5", "3.1416") into
 * 1e-4 units: 0, or -1 when s (n bytes) is not one (or beyond ±9.2e14). */
int sc_parse_e4(const char *s, size_t n, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_SCORING_H */
