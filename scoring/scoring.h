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
 * (budget ÷ fund share) ÷ total score with the share sc_fund_share(fund,
 * cost): sc_point_value_share, where total_score in points is
 * total_score_e4 / SC_SCORE_UNIT. 0 when any term is <= 0. */
double sc_point_value(int64_t budget_fen, int64_t fund_fen, int64_t cost_fen,
                      int64_t total_score_e4);

/* The same with a given fund share (budget.fund_share, in (0, 1]):
 * (budget ÷ share) ÷ total score, yuan per point: sc_year_pv. 0 when a
 * term is <= 0. */
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
    double month_cv;         /* year.month_cv = 0.25: assumed month-to-month variation of the monthly score without history */
    int no_history_pay;      /* year.no_history_pay = band_low: what a month without history pays at (sc_no_history_pay) */
} sc_year_params;

void sc_year_params_default(sc_year_params *p);
/* SC_OK, or SC_ERR_ARG when a share is outside [0, 1] (deposit, reserve,
 * margin < 1), NaN, or the corridor is on without a budget point value > 0. */
sc_status sc_year_params_check(const sc_year_params *p);

/* round-half-even(amount × share) with share read to 1e-6: the money of a
 * share (reserve, deposit, band limits). */
int64_t sc_share_fen(int64_t amount_fen, double share);

/* Money of a point value: round-half-even(pv yuan/point × fund share ×
 * points_e4 / 1e4 × 100) fen, computed ((pv × share) × points_e4) ÷ 100 in
 * double (0 when a term is <= 0). */
int64_t sc_points_fen(double pv, double fund_share, int64_t points_e4);

/* The forecast of the year's total score from the months so far.
 *   ytd_e4    Σ scores of the months present (mask bit m-1 for month m)
 *   hist      ny × 12 monthly weights of the history years (Σ cost, fen),
 *             year-major; ny may be 0 (then a flat pattern, share m/12,
 *             band only ± band_min: casemix month uses sc_forecast_flat then)
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
/* What a clearing leaves to settle now (本次应补(追)) when earlier clearings
 * of the year were removed by casemix month --reopen: those are assumed paid
 * out / recovered (as a month run again assumes its difference paid). For
 * institution k of n: settled_before[k] = Σ prior_fen[j] over the j < np
 * with prior_inst[j] == k (what the removed clearings settled, 已清算) and
 * to_settle[k] = balance[k] − settled_before[k]. SC_ERR_ARG (outputs 0)
 * when a prior_inst is ≥ n or a sum overflows int64. */
sc_status sc_clear_settle(const int64_t *balance, size_t n, const int64_t *prior_fen, const size_t *prior_inst,
                          size_t np, int64_t *settled_before, int64_t *to_settle);

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

/* One case re-priced in full (casemix simulate's per-case sweep): the new
 * total (sc_reprice_case), each category's change delta[k] and its fund
 * part dfund[k] = sc_muldiv_round(delta[k], fund, total) (0 when total <=
 * 0), and *new_fund = sc_reprice_fund(new total, fund, total); the same
 * results, with the five divisions by the case's total done by one
 * reciprocal and an exact remainder correction. Returns the new total. */
int64_t sc_reprice_case_full(int64_t total, int64_t fund, const int64_t *cat, const int64_t *m, int n,
                             int64_t *delta, int64_t *dfund, int64_t *new_fund);

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

/* Institution indicators, peer percentiles, rating (domain.md §7,     */
/* docs/METHODS.md "Indicators and rating"; scoring/indicators.c)      */
/* ------------------------------------------------------------------ */

/* The indicators, in the order of /indicator_names. A new one: the next
 * value here and its row in the table of indicators.c. */
typedef enum {
    SC_IND_CASES = 0,          /* cases 病例数 */
    SC_IND_COST_PER_CASE,      /* per-case cost 次均费用 (yuan) */
    SC_IND_FUND_RATIO,         /* Σ fund ÷ Σ total 基金支付比例 */
    SC_IND_SELF_PAY_RATIO,     /* Σ (total − fund) ÷ Σ total 个人负担比例 */
    SC_IND_CMI,                /* DIP: mean group score before coefficients 病例组合指数 */
    SC_IND_DRG_CMI,            /* DRG: mean RW of grouped cases */
    SC_IND_DRG_GROUPING_RATE,  /* DRG grouped ÷ cases 入组率 */
    SC_IND_COST_INDEX,         /* 费用消耗指数 */
    SC_IND_TIME_INDEX,         /* 时间消耗指数 */
    SC_IND_R01_RATE,           /* readmission 再入院 */
    SC_IND_R02_RATE,           /* split admission 分解住院 */
    SC_IND_R04_RATE,           /* overlapping stays 同一时段多次住院 */
    SC_IND_R05_RATE,           /* duplicate claim 重复结算 */
    SC_IND_R06_RATE,           /* bed-holding 挂床住院 */
    SC_IND_R07_RATE,           /* low-standard admission 低标准入院 */
    SC_IND_R08_RATE,           /* over-long stay 超长住院 */
    SC_IND_R11_RATE,           /* death in a low-risk group 低风险组死亡 (÷ cases) */
    SC_IND_OUTLIER_RATE,       /* DIP cost outliers (low + high) 偏差病例率 */
    SC_IND_BLANK_RATE,         /* DIP blank KBBZ, else DRG 0000 空白/未入组率 */
    SC_IND_MCC_CC_SHARE,       /* DRG grouped cases with MCC or CC 并发症占比 */
    SC_IND_LOW_RISK_MORTALITY, /* deaths ÷ cases in low-risk groups 低风险组病例死亡率 */
    SC_IND_SHARE_SERVICES,     /* price-ratio structure 比价关系: services 医疗服务 */
    SC_IND_SHARE_DRUGS,        /* drugs and consumables 药品耗材 */
    SC_IND_SHARE_EXAMS,        /* examinations and tests 检查化验 */
    SC_IND_BUDGET_PROGRESS,    /* payments ÷ annual target 总额进度 */
    SC_IND_BUDGET_GAP,         /* budget progress − share of the year elapsed 进度差 */
    SC_IND__COUNT
} sc_indicator;

/* What the numerator and denominator are: it decides the minimum-count
 * rule of the peer ranking and how growth is written. */
typedef enum {
    SC_KIND_COUNT = 0,  /* a count (cases): not ranked; growth relative */
    SC_KIND_RATE,       /* cases ÷ cases: ranked when both >= min_count; growth relative */
    SC_KIND_MEAN,       /* amount ÷ cases (cost, CMI, indices): ranked when cases >= min_count */
    SC_KIND_SHARE,      /* a share of money (fund ratio, structure): as MEAN; growth in
                           percentage points (value − previous) × 100 */
    SC_KIND_PROGRESS    /* budget progress and gap: not ranked; growth in points */
} sc_ind_kind;

/* Direction of an indicator in the rating: which side of the peers costs
 * its points. */
typedef enum {
    SC_DIR_NONE = 0,   /* never costs points */
    SC_DIR_LOWER,      /* lower is better: a high outlier costs the weight */
    SC_DIR_HIGHER,     /* higher is better: a low outlier costs the weight */
    SC_DIR_BOTH,       /* either outlier costs the weight (coding: MCC/CC share) */
    SC_DIR__COUNT
} sc_ind_direction;

typedef struct {
    const char *code;      /* "r01_rate" */
    const char *english;
    const char *chinese;
    sc_ind_kind kind;
    sc_ind_direction dir;  /* default direction */
    double weight;         /* default weight in the rating */
} sc_ind_info;

/* The row of indicator i (static), NULL when out of range. */
const sc_ind_info *sc_ind_info_of(int i);
/* The indicator whose code is s[0..n), or -1. */
int sc_ind_find(const char *s, size_t n);
const char *sc_dir_name(sc_ind_direction d);   /* "none", "lower", "higher", "both" */

/* Peer percentile definitions (v: the institution's value, among n ranked
 * peers; below / equal: peers with a value < v / == v, itself included in
 * equal). */
typedef enum {
    SC_PCT_WEAK = 0,   /* 100 × (below + equal) ÷ n: >= 80 ⇔ v >= the nearest-rank P80 (ties at the
                          top, e.g. all zero, are all high: use with min_count >= 1) */
    SC_PCT_STRICT,     /* 100 × below ÷ n */
    SC_PCT_MEAN,       /* 100 × (below + equal ÷ 2) ÷ n (mid-rank; the default) */
    SC_PCT_LINEAR      /* 100 × (average rank − 1) ÷ (n − 1) (PERCENTRANK.INC); 50 when n = 1 */
} sc_pct_def;

typedef enum { SC_PEER_NONE = 0, SC_PEER_HIGH, SC_PEER_LOW, SC_PEER_NOT_RANKED } sc_peer_outlier;
const char *sc_peer_outlier_name(sc_peer_outlier o); /* "none", "high", "low", "not_ranked" */

typedef enum { SC_RATE_EXCELLENT = 0, SC_RATE_GOOD, SC_RATE_PASS, SC_RATE_FAIL, SC_RATE_NOT_RATED } sc_rating;
const char *sc_rating_name(sc_rating r);     /* "excellent", "good", "pass", "fail", "not_rated" */
const char *sc_rating_chinese(sc_rating r);  /* 优秀 良好 合格 不达标 未评级 */

typedef struct {
    sc_pct_def pct_def;        /* default SC_PCT_MEAN (mid-rank: ties share one percentile) */
    double high_cut;           /* default 80: percentile >= high_cut is a high outlier */
    double low_cut;            /* default 20: percentile <= low_cut is a low outlier */
    int64_t min_count;         /* default 11: fewer cases in a numerator or denominator: not ranked */
    double weight[SC_IND__COUNT];          /* rating weights (defaults: sc_ind_info) */
    sc_ind_direction dir[SC_IND__COUNT];   /* rating directions */
    double cut_excellent, cut_good, cut_pass; /* default 90, 80, 60 (score out of 100) */
} sc_ind_params;

void sc_ind_params_default(sc_ind_params *p);
/* Checks 0 <= low_cut < high_cut <= 100, min_count >= 0, weights >= 0 and
 * finite, 0 <= cut_pass <= cut_good <= cut_excellent <= 100. */
sc_status sc_ind_params_check(const sc_ind_params *p);
/* Reads "code = number, code = number, ..." (weights) or "code = lower,
 * ..." (directions: none lower higher both) into p, over the defaults.
 * SC_OK, or SC_ERR_ARG with what is wrong (the item, quoted) in why. */
sc_status sc_ind_parse_weights(const char *text, sc_ind_params *p, char *why, size_t whylen);
sc_status sc_ind_parse_directions(const char *text, sc_ind_params *p, char *why, size_t whylen);

/* Integer partials of one institution (or the region: sc_ind_merge of all
 * of them). Money in fen, scores in 1e-4. */
typedef struct {
    int64_t cases, cost_fen, fund_fen;
    int64_t bucket_fen[SC_BUCKET__COUNT];
    int64_t dip_score_e4;          /* Σ group score before coefficients (DIP) */
    int64_t n_blank;               /* DIP blank-group cases */
    int64_t n_outlier;             /* DIP low + high cost outliers */
    int64_t drg_grouped, drg_rw_e4, drg_ungroup, drg_cc; /* DRG: grouped, Σ RW, 0000, with MCC/CC */
    int64_t rule_hits[13];         /* cases with rule R(r+1) */
    int64_t low_risk_cases, low_risk_deaths;
    int64_t pay_fen, target_fen;   /* payments so far, annual target (0: none) */
    /* consumption indices: Σ_g cost_kg × n_g ÷ cost_g over the groups with a
     * region mean, and the cases of those groups (sc_consumption_add) */
    double ci_num, ti_num;
    int64_t ci_den, ti_den;
} sc_ind_partial;

void sc_ind_merge(sc_ind_partial *dst, const sc_ind_partial *src);

/* One case as the indicators see it. */
typedef struct {
    int64_t cost_fen, fund_fen;
    int64_t bucket_fen[SC_BUCKET__COUNT];
    int64_t dip_score_e4;      /* the group's score before coefficients, 1e-4 (DIP) */
    int blank, outlier;        /* DIP blank group; DIP low or high cost outlier */
    int drg_grouped;           /* DRG: 1 grouped, 0 0000 (only read when DRG runs) */
    int64_t drg_rw_e4;         /* the DRG's RW, 1e-4 */
    int cc;                    /* DRG: 1 CC or 2 MCC, 0 none */
    uint16_t rules;            /* rule mask: bit r-1 set when rule Rr fired (R01..R13) */
    int low_risk, died;        /* in a low-risk group; discharged dead */
} sc_ind_case;

/* Adds one case to a partial (integer sums). */
void sc_ind_add_case(sc_ind_partial *p, const sc_ind_case *c);

/* Adds group g's term to an institution's consumption index: its cases
 * n_k with sum_k (cost in fen or LOS days) against the region's n_r and
 * sum_r. Term: n_k × (sum_k / n_k) ÷ (sum_r / n_r) = sum_k × n_r ÷ sum_r;
 * skipped when n_k, n_r or sum_r is 0. Call in group order (determinism). */
void sc_consumption_add(double *num, int64_t *den, int64_t n_k, int64_t sum_k, int64_t n_r, int64_t sum_r);

/* Which inputs a run has. */
typedef struct {
    int dip, drg;               /* schemes run */
    int rules[13];              /* rule R(r+1) evaluated */
    int low_risk;               /* low-risk groups known */
    int targets;                /* annual targets given */
    double year_elapsed;        /* share of the year elapsed, for the budget gap */
} sc_ind_inputs;

typedef struct {
    int evaluated;              /* 0: inputs absent; value, num, den NaN */
    double value, num, den;     /* num, den: money in yuan, counts as counts */
    int64_t n_num, n_den;       /* case counts for the minimum rule (-1: not a count) */
} sc_ind_value;

/* The indicators of one partial into out[SC_IND__COUNT]. A value with a
 * zero denominator is NaN (evaluated). */
void sc_ind_compute(const sc_ind_partial *p, const sc_ind_inputs *in, sc_ind_value out[SC_IND__COUNT]);

/* Peer percentiles of n values (NaN: not ranked), among those that are
 * not NaN; pct[i] NaN for those. O(n log n) with scratch of n doubles
 * (caller's); deterministic. */
void sc_peer_percentiles(const double *v, size_t n, sc_pct_def def, double *pct, double *scratch);

/* Whether a value may be ranked (kind, minimum counts). */
int sc_ind_rankable(const sc_ind_value *v, sc_ind_kind kind, int64_t min_count);

/* Outlier class of a percentile (NaN: not ranked). */
sc_peer_outlier sc_peer_class(double pct, const sc_ind_params *p);

/* Growth against the previous period: (v − prev) ÷ prev for counts,
 * rates and means (NaN when prev is 0 or either is NaN); (v − prev) × 100
 * percentage points for shares and budget progress. */
double sc_ind_growth(sc_ind_kind kind, double v, double prev);

/* The rating of one institution from its indicators' outlier classes:
 * an indicator with weight w > 0 that is ranked scores w, or 0 when it is
 * an outlier on its direction's bad side; score = 100 × Σ scored ÷ Σ w of
 * the ranked indicators; points[i] = 100 × scored_i ÷ Σ w (NaN for an
 * indicator not ranked or of weight 0), so Σ points = score. No ranked
 * indicator of positive weight: SC_RATE_NOT_RATED, score NaN. Rating by
 * the cut-offs: >= cut_excellent 优秀, >= cut_good 良好, >= cut_pass 合格,
 * else 不达标. */
sc_rating sc_rate(const sc_peer_outlier cls[SC_IND__COUNT], const sc_ind_params *p, double points[SC_IND__COUNT],
                  double *score);

/* Work to ranks by size (province runs: regions to MPI ranks; partition.c):
 * longest first (ties: lower index), each to the bin with the least total
 * so far (ties: lower bin); an item of size 0 counts as 1. owner[i] in
 * [0, nbins). load: the caller's nbins entries, left with each bin's total.
 * SC_OK, or SC_ERR_ARG (n < 0, nbins < 1, a NULL array). O(n^2 + n·nbins),
 * no allocation; the same result on every rank. */
sc_status sc_assign_by_size(const uint64_t *size, int n, int nbins, int *owner, uint64_t *load);
/* How many chunks to cut each region's scenarios into (province simulate over
 * MPI ranks; partition.c). A work unit is a region and some of its scenarios;
 * it costs size × (base_w + its scenarios' weights): every unit reads and
 * groups the region and runs its baseline again (base_w), then its scenarios.
 * Region i: size[i] (its rows' bytes), nscen[i] scenarios of summed weight
 * sum_w[i], the heaviest max_w[i]. Start with one unit a region; while the
 * largest unit is above a fair share (Σ costs ÷ nbins) cut its region into
 * the fewest more chunks that make its largest unit smaller (never more
 * chunks than scenarios or bins); stop when the largest cannot shrink.
 * chunks[i] in [1, max(1, min(nscen[i], nbins))]; all 1 when nbins is 1.
 * SC_OK or SC_ERR_ARG; no allocation; the same result on every rank. */
sc_status sc_split_scenarios(const uint64_t *size, const uint64_t *sum_w, const uint64_t *max_w, const int *nscen,
                             int n, int nbins, uint64_t base_w, int *chunks);

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
    double ratio;                  /* cost ratio (docs/METHODS.md §5), -1 none */
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
/* The two halves of sc_sample_institution: the random order key of one
 * case (a 64-bit hash of (seed, key)), and the draw on keys already
 * mixed (h[i] = sc_sample_key(key[i], seed)); the same result. */
uint64_t sc_sample_key(uint64_t key, uint64_t seed);
size_t sc_sample_pick(size_t m, const uint8_t *flagged, const uint64_t *h, double rate, double flagged_share,
                      uint8_t *out, uint32_t *scratch_i);

/* The points an institution's rating lost per indicator (the summary's
 * 不达标 line): lost[i] = 100 × w_i ÷ Σ w of the ranked indicators for a
 * ranked indicator of weight w_i > 0 that is an outlier on its direction's
 * bad side (sc_rate gave it 0 points), else 0; so Σ lost = 100 − score.
 * All 0 when nothing is rated. */
void sc_rate_lost(const sc_peer_outlier cls[SC_IND__COUNT], const sc_ind_params *p, double lost[SC_IND__COUNT]);

/* supervision.previous_input (docs/METHODS.md §11): N, the days before the
 * current first admission whose previous-period discharges join R01-R05:
 * the largest gap an evaluated cross-case rule looks back (R01 readmit_days,
 * R02 split_days, R03 transfer_days; R04 and R05 need none). eval: bit r
 * set for a rule evaluated. A previous case discharged on day d is kept
 * when d >= first_admit - N (sc_previous_kept). */
int sc_cross_window(const sc_sup_params *p, unsigned eval);
int sc_previous_kept(int32_t discharge, int32_t first_admit, int window);

/* Repeated keys (scoring/repeated.c; the supervision join keeps only the
 * stays of patients with two or more): rep[j] = 1 when key[j] occurs at
 * least twice in key[0..m), else 0. tab: scratch of tcap entries, tcap >=
 * sc_repeated_tab_size(m) (a power of two >= 2m, at least 16). Returns
 * the number of marked positions, or SIZE_MAX when tcap is too small (rep
 * then unspecified). */
size_t sc_repeated_tab_size(size_t m);
size_t sc_mark_repeated(const uint64_t *key, size_t m, uint8_t *rep, uint32_t *tab, size_t tcap);

/* Re-review sample from candidates (scoring/sample.c): the picks of
 * sc_sample_pick without gathering an institution's cases. A candidate is
 * a case's order key h (sc_sample_key), its position pos (ties by pos, as
 * sc_sample_pick's position: e.g. the slot, in the institution's order)
 * and whether it is flagged (0/1).
 * sc_sample_want: the cases drawn of m at the rate (ceil(rate × m), at
 * most m); sc_sample_fmax: at most that many of them as flagged.
 * sc_sample_bound: a bound on the key below which the want first of m
 * uniform keys all lie but for a chance of about 1e-9 (*cutoff; keys at
 * or below it are kept), and how many keys are expected there (at least
 * want; m and UINT64_MAX when all are kept).
 * sc_cand_keep: a buffer of cap candidates: x appended while *n < cap; the
 * buffer turns into a max-heap when it fills, and then keeps the cap
 * first in (h, pos) order (x in place of the last when before it).
 * Returns 1 when x was kept.
 * sc_sample_pick_cands: the draw of an institution of m cases from fl[0..nf),
 * flagged cases among which the min(fmax, flagged) first flagged ones,
 * and all[0..na), cases among which the min(want, m) first of all; both
 * arrays are reordered. On return fl[0..*nflag) are the picks as flagged
 * (reason 1) and all[0..*nrand) the random ones (reason 2), in no order:
 * exactly the cases sc_sample_pick marks 1 and 2. Returns *nflag + *nrand,
 * or SIZE_MAX when na < want (the candidates are too few: pass all the
 * institution's cases). */
typedef struct {
    uint64_t h;
    uint32_t pos;
    uint8_t flagged;
} sc_cand;
size_t sc_sample_want(size_t m, double rate);
size_t sc_sample_fmax(size_t want, double flagged_share);
size_t sc_sample_bound(size_t m, size_t want, uint64_t *cutoff);
int sc_cand_keep(sc_cand *buf, size_t *n, size_t cap, sc_cand x);
size_t sc_sample_pick_cands(size_t m, double rate, double flagged_share, sc_cand *fl, size_t nf, sc_cand *all,
                            size_t na, size_t *nflag, size_t *nrand);

/* ---- Why an indicator is never ranked (what /indicators' not_ranked means) ----
 * sc_ind_never_ranked_note: for a kind that sc_ind_rankable never ranks (a
 * count, budget progress) the reason as a user reads it, English and Chinese
 * ("a count, not ranked 计数不排名"); NULL for a kind that is ranked when
 * it has enough cases. Static text. */
const char *sc_ind_never_ranked_note(sc_ind_kind kind);


/* ---- Forecast without history years and the pre-settlement basis (scoring/forecast.c) ----
 * docs/METHODS.md §9 "Without history years". Without history the months
 * so far are the only evidence: the year's score is forecast as 12 × the
 * mean month, and its band from how much the months vary (their sample
 * coefficient of variation pooled with the prior year.month_cv, which
 * counts as SC_FLAT_PRIOR_MONTHS months of spread): the rest of the year,
 * r = 12 − n months, is uncertain by sd = cv × mean × sqrt(r + r²/n) (r
 * months' own variation plus the error of the mean of n months), the band
 * ± SC_FLAT_Z of it (about 95 %), never below the months' own score, at
 * least ± band_min. */
#define SC_FLAT_PRIOR_MONTHS 2
#define SC_FLAT_Z 2.0
typedef struct {
    int months;        /* n, the months present */
    double total_e4;   /* forecast of the year's score: 12 × the mean month */
    double low_e4;     /* band of the year's score */
    double high_e4;
    double cv_months;  /* sample coefficient of variation of the months' scores (n ≥ 2; else 0) */
    double cv;         /* the one used: ((n − 1) cv_months² + k month_cv²) / (n − 1 + k), square root */
    double half;       /* the band's relative half-width before band_min (z × sd ÷ total) */
} sc_flat_forecast;
/* month_e4[m]: Σ score of month m+1 (read where mask bit m is set).
 * SC_ERR_EMPTY when mask is 0 or the months' score is 0; SC_ERR_ARG for a
 * negative score or month_cv outside (0, 2]. */
sc_status sc_forecast_flat(const int64_t month_e4[12], unsigned mask, double month_cv, double band_min,
                           sc_flat_forecast *out);

/* year.no_history_pay: what a month pays at without history years */
enum { SC_NOHIST_BAND_LOW = 0, SC_NOHIST_FORECAST = 1 };
/* The basis of the month's pre-settlement point value (预结算点值) */
typedef enum {
    SC_BASIS_FORECAST = 0, /* the forecast (with history; or year.no_history_pay = "forecast") */
    SC_BASIS_BAND_LOW = 1, /* without history: the band's low end */
    SC_BASIS_BUDGET = 2    /* without history: clearing.budget_point_value, lower than the band's low end */
} sc_pay_basis;
/* The point value a month pays at: the basis × (1 − estimate_margin).
 * With history (history != 0) or all twelve months present (months == 12:
 * the year's score is known, the forecast is the final point value) the
 * basis is the forecast. Otherwise by p->no_history_pay: the band's low end
 * (default; never above the forecast), capped at p->budget_point_value when
 * that is set (> 0) and lower; or the forecast. *basis says which; 0 when
 * forecast or band_low is not > 0. */
double sc_no_history_pay(double forecast, double band_low, int history, int months, const sc_year_params *p,
                         sc_pay_basis *basis);

/* The points lost per row of a stored /indicators table (scoring/ratinglost.c;
 * the workbook's points_lost column and the report's 不达标 table read them
 * back from the file; sc_rate_lost gives the same in the run).
 * sc_rating_weight: the weight of indicator code in the text of /indicators'
 * attribute "rating" ("cut-offs ...; weight/direction: code=w/dir ..."); NaN
 * when it is not listed (weight 0: not in the rating) or rating is NULL.
 * sc_rows_points_lost: rows i < n, g[i] < n the group of row i (the same for
 * the rows of one institution, e.g. its first row), w[i] its indicator's
 * weight (NaN unknown), points[i] the row's points (NaN: not ranked). An
 * institution's ranked rows are those with points; W = Σ their w. lost[i] =
 * 100 × w[i] ÷ W when points[i] is 0, 0 when points[i] > 0, NaN when the row
 * is not ranked, W is not positive or a ranked row's weight is unknown; so
 * an institution's lost sum to 100 − rating_score. wsum: n doubles of
 * scratch (left with W per group). */
double sc_rating_weight(const char *rating, const char *code);
void sc_rows_points_lost(size_t n, const size_t *g, const double *w, const double *points, double *wsum, double *lost);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_SCORING_H */
