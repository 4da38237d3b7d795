/*
 * period.h - internal: the settlement split into an immutable period and
 * scenarios computed from it (docs/ARCHITECTURE.md "Period and scenario").
 *
 *   cm_period   the read, parsed and grouped cases of one period with their
 *               institutions, groups, rejects, data-quality notes and
 *               duplicate checks, and every sum that does not depend on the
 *               settlement settings (costs, buckets, group and DRG counts).
 *               Built once by period_build (engine/period.c); read-only
 *               afterwards (see "the baseline" below).
 *   cm_scenario one settlement of a period under one set of settings
 *               (budgets, fund share, level coefficients, outlier rules,
 *               scores): per-case scores, outlier classes, special-review
 *               flags, DRG points and payments, the partials, point values
 *               and institution payments. As many as asked, each with its
 *               own memory (sn_run, engine/score.c and engine/pay.c).
 *
 * The baseline. A plain settlement must not cost more memory than one
 * 96-byte slot a case, so the first scenario (SN_IN_SLOTS) keeps its
 * per-case state in slot fields the period no longer reads after the build:
 * cm_case.score_e4, pay_fen, outlier, drg_outlier and the scenario bits of
 * flags (SN_FLAGS). Any other scenario (SN_OWN_ARRAYS) allocates arrays of
 * its own: 8 (score) + 8 (payment) + 2 (DIP and DRG outlier classes) + 2
 * (flags) = 20 bytes a case for one scheme (19 touched: one outlier class
 * is unused), 36 for scheme "both" (+ DRG points and payments). Scheme
 * "both" keeps DRG points and payments in two side arrays (16 bytes a case)
 * in the baseline too. The period reads its own
 * flag bits only (flags & ~SN_FLAGS), so scenarios can run in any order and
 * a scenario's results do not depend on another's.
 */
#ifndef CASEMIX_PERIOD_H
#define CASEMIX_PERIOD_H

#include "settle.h"

/* 1 when case_id was settled elsewhere (a month of the ledger), with the
 * reject reason in why[0..n); 0 otherwise. Called from several threads
 * at once: read-only on ctx. */
typedef int (*cm_prior_fn)(const void *ctx, const char *case_id, char *why, size_t n);

/* Partials are summed per fixed slice of 2^SLICE_SHIFT slots and merged in
 * slice order (the one definition; period.c and pay.c use it). */
#define SLICE_SHIFT pl_slice_shift() /* 20; smaller under CASEMIX_TEST_SLICE_SHIFT (tests) */
/* Slots [*a, *b) of partial slice sl of n slots. */
static inline void slice_bounds(size_t n, size_t sl, size_t *a, size_t *b)
{
    *a = sl << SLICE_SHIFT;
    *b = *a + ((size_t)1 << SLICE_SHIFT);
    if (*b > n) *b = n;
}

/* Flag bits set by a scenario (outlier rules, special review); every other
 * bit of cm_case.flags belongs to the period. */
#define SN_FLAGS (CF_SPECIAL | CF_SPECIAL_OVER | CF_NO_STD_COST | CF_DUP_WITHHELD)

/* ------------------------------------------------------------------ */
/* Period                                                              */
/* ------------------------------------------------------------------ */

/* A case whose kept category amount does not fit 32 bits (casemix
 * simulate: keep_fen holds CM_KEEP_BIG there): every kept amount of it. */
typedef struct {
    size_t slot;
    int64_t fen[SC_CAT__COUNT];
} cm_keep_big;
#define CM_KEEP_BIG INT32_MIN

typedef struct {
    /* settings and tables (owned: dip, drg, al, cal, mtab, drg_ref_fen) */
    const cm_config *cfg;    /* the period's configuration (not owned) */
    const char *input;       /* input path (not owned) */
    gr_dip *dip;             /* NULL when the scheme has no DIP */
    gr_drg *drg;             /* NULL when the scheme has no DRG */
    struct col_aliases *al;
    cm_calib cal;            /* history calibration; DRG RW even without history */
    int use_hist;
    int sup_rules;           /* the build runs supervision's rules (period_build_ex supervise 1) */
    int sup_hist;            /* the history read for supervision alone (calib_sup_run): cal has the
                                sup_* sums and prev, no calibration (use_hist 0) */
    int nt;                  /* threads of the build (per-thread lists below) */
    size_t ng;               /* DIP groups */
    int32_t blank;           /* the blank group KBBZ */
    size_t nd;               /* CHS-DRGs */
    int drg_table_rw;        /* RW from drg.weights (published), not from history */
    double *drg_ref_fen;     /* [d] mean cost of the DRG for the outlier rules: history,
                                else (published weights) the current period's */
    size_t drg_ref_period;   /* DRGs whose reference mean is the current period's */
    /* institution master table (input.institutions) */
    gr_inst_table mtab;
    int has_mtab;
    const char **inst_name;  /* [ninst] name from the table, "" when not in it (owned array) */
    size_t n_inst_untabled;  /* institutions with cases that are not in the table */
    char untabled_ids[160];  /* the first of them, for the note */
    /* cases (owned). Slot fields of the period: everything but score_e4,
     * pay_fen, outlier, drg_outlier and the SN_FLAGS bits, which are the
     * baseline scenario's. bucket_fen is gone after the build: the slots
     * hold the institution order (order_at) there. */
    pl_slots s;
    pl_inst_table *itab;     /* [nt] read stage only */
    pl_rejects *rejs;        /* [nt + 1] read stage only */
    pl_rejects rej;          /* merged, by line (/rejects) */
    pl_rejects *quals;       /* [nt] read stage only */
    pl_rejects qual;         /* merged, by line (/quality) */
    pl_inst *inst;           /* [ninst] sorted by id */
    size_t ninst;
    size_t *inst_start;      /* [ninst + 1] the cases of institution k, in slot order, are the
                                slots s.slots[j].order_at for j in inst_start[k]..inst_start[k+1] */
    size_t nslice;           /* slices of 2^SLICE_SHIFT slots */
    /* sums that do not depend on the settings (owned) */
    sc_inst_partial *ip;     /* [ninst] n_cases, costs, buckets, n_blank (score fields 0) */
    int64_t *inst_rw_e4;     /* [ninst] Σ DRG RW of DRG-grouped cases, 1e-4 (CMI) */
    int64_t *inst_ndrg;      /* [ninst] DRG-grouped cases */
    int64_t *inst_ungroup;   /* [ninst] DRG 0000 cases */
    int64_t *group_n, *group_cost;
    double *group_sumsq;
    int64_t *drg_n, *drg_cost, *drg_los, *drg_los_n;
    double *drg_sumsq;
    int64_t records, cases, rejects, dups, notes;
    int64_t cost_fen, fund_fen, n_blank;
    int64_t n_flag[CF__COUNT];   /* cases by flag, the period's bits (SN_FLAGS bits 0) */
    int64_t n_drg_ok, n_drg_ungroupable;
    /* rejected rows' money as parsed (a row rejected before or at an
     * amount has 0 there: slot_init zeroes it, parse_money too on error) */
    int64_t rej_cost_fen, rej_fund_fen, rej_no_cost;
    uint64_t input_size;
    int32_t discharge_min, discharge_max; /* day numbers of the kept cases' discharge dates (-1: none);
                                             casemix month warns when they leave the month */
    int32_t (*dis_range)[2];     /* [nt] read stage only */
    const char *input_encoding;  /* the reader's: "UTF-8" or "GB18030" (decoded) */
    double t_load, t_read, t_checks;
    /* casemix simulate: cost categories kept per case for re-pricing
     * (period_build_keep; none for settle). keep_fen[slot * keep_n + j] is
     * category keep_cat[j] of the slot's case, fen (0 for a case without
     * category columns, CF_NO_CATEGORIES), or CM_KEEP_BIG for an amount
     * outside 32 bits: keep_big has that case's amounts (period_keep_case
     * gives them exact either way). 4 × keep_n bytes a case. */
    int keep_n;
    uint8_t keep_cat[SC_CAT__COUNT];
    int32_t *keep_fen;           /* the slots' second side array (pl_slots.side2; not owned) */
    cm_keep_big *keep_big;       /* [nkeep_big] by slot (owned) */
    size_t nkeep_big;
    struct keep_vec *keep_bigtmp;/* [nt] read stage only */
    struct sv_state *sup;    /* supervision (engine/supervise.h; owned), NULL when not run */
    /* casemix simulate (period_build_hist): the history read once into
     * *hist_out (calib_hist_read: categories hist_cats, institution tags
     * hist_ids) and the period calibrated from it; NULL: calib_run */
    cm_hist_cache *hist_out;
    const uint8_t *hist_cats;
    int hist_ncat;
    const char (*hist_ids)[32];
    int hist_nids;
    /* casemix month (period_build_prior): the case ids settled in the
     * ledger's other months; a case whose id prior says so is rejected
     * (field case_id, prior's reason) after the export's own duplicate
     * check, counted in prior_dups. NULL: no such check. */
    cm_prior_fn prior;
    void *prior_ctx;
    int64_t prior_dups;
} cm_period;

/* Loads the tables, reads, groups and checks input (the cm_run_opts'
 * input, else cfg's) into p: load, read+group, set checks, the period's
 * partials and the institution order. CM_OK, or CM_ERR_CONFIG (tables,
 * budgets), CM_ERR_INPUT (input or history unusable, no case to settle),
 * CM_ERR_NOMEM or CM_ERR_INTERRUPTED, with a message in err. Everything
 * p holds is its own (marked "owned" above; cfg and input are not): free
 * it with period_free either way. */
cm_status period_build(cm_period *p, const cm_config *cfg, const char *input, int quiet, char *err, size_t errlen);
/* period_build that also keeps the cost categories cats[0..ncat) of every
 * case (p->keep_fen) for casemix simulate. ncat 0: period_build. */
cm_status period_build_keep(cm_period *p, const cm_config *cfg, const char *input, int quiet, const uint8_t *cats,
                            int ncat, char *err, size_t errlen);
/* period_build, and with supervise the supervision facts of every case
 * (p->sup, engine/supervise.h; settle runs the rules with sv_run).
 * supervise PERIOD_SUP_DUPS (casemix month; period_build_keep and _hist,
 * casemix simulate, use it too): when supervision and its rule R05 are
 * enabled, only R05 (sv_dups_only), its join run at the end of the build
 * (sv_cross), so that sn_score withholds the duplicates from payment as
 * settle does; p->sup then holds only that. */
enum { PERIOD_SUP_DUPS = 2 };
cm_status period_build_sup(cm_period *p, const cm_config *cfg, const char *input, int quiet, int supervise, char *err,
                           size_t errlen);
/* period_build_sup that also rejects the cases whose id prior(ctx, id)
 * says was settled before (casemix month: the ledger's other months). */
cm_status period_build_prior(cm_period *p, const cm_config *cfg, const char *input, int quiet, int supervise,
                             cm_prior_fn prior, const void *ctx, char *err, size_t errlen);
/* Both: the one body behind period_build, _keep and _sup. */
/* period_build_keep that keeps the history it calibrates from in *hist
 * (calib_hist_read with hcats/ids; loaded only when the period calibrates
 * from history: hist->nyears > 0), for casemix simulate's re-calibrations. */
cm_status period_build_hist(cm_period *p, const cm_config *cfg, const char *input, int quiet, const uint8_t *cats,
                            int ncat, const uint8_t *hcats, int nhcat, const char (*ids)[32], int nids,
                            cm_hist_cache *hist, char *err, size_t errlen);
cm_status period_build_ex(cm_period *p, const cm_config *cfg, const char *input, int quiet, int supervise,
                          const uint8_t *cats, int ncat, char *err, size_t errlen);
/* A region split over MPI ranks (province.c): fn(p, ctx) runs in every
 * period_build after the read (slots, per-thread institution tables,
 * rejects and notes as the reader left them) and before the set checks;
 * not CM_OK stops the build with that status. NULL: none (the default). */
typedef cm_status (*period_read_hook)(cm_period *p, void *ctx, char *err, size_t errlen);
void period_set_read_hook(period_read_hook fn, void *ctx);
/* The kept categories of slot's case, exact (keep_fen, or keep_big for an
 * amount outside 32 bits), into out[0..p->keep_n). */
void period_keep_big(const cm_period *p, size_t slot, int64_t *out);
static inline void period_keep_case(const cm_period *p, size_t slot, int64_t *out)
{
    const int32_t *k = p->keep_fen + slot * (size_t)p->keep_n;
    int big = 0;
    for (int j = 0; j < p->keep_n; j++) {
        out[j] = k[j];
        big |= k[j] == CM_KEEP_BIG;
    }
    if (__builtin_expect(big, 0)) period_keep_big(p, slot, out);
}
/* Frees what period_build allocated and zeroes p; safe on a zeroed period.
 * Free the period's scenarios (sn_free) first: they read it. */
void period_free(cm_period *p);
/* The configuration checks of a settlement that come before any work
 * (budgets, weights, history): CM_OK, or CM_ERR_CONFIG with err. */
cm_status period_check_config(const cm_config *cfg, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Scenario                                                            */
/* ------------------------------------------------------------------ */

/* A per-case column: element i at base + i * stride (stride 96 for a field
 * of the slots, the element size for an array of the scenario's own). */
typedef struct {
    unsigned char *base;
    size_t stride;
} sn_col;
static inline int64_t *sn_i64(sn_col c, size_t i) { return (int64_t *)(void *)(c.base + i * c.stride); }
static inline uint16_t *sn_u16(sn_col c, size_t i) { return (uint16_t *)(void *)(c.base + i * c.stride); }
static inline uint8_t *sn_u8(sn_col c, size_t i) { return c.base + i * c.stride; }

/* cost / standard cost, or -1 when the group has no standard cost. The
 * same expression everywhere, so a recomputed ratio is bit-identical. */
static inline double case_ratio(const double *std_fen, const cm_case *c)
{
    double std = std_fen[(size_t)c->group * 4 + c->level];
    return std > 0 ? (double)c->total_fen / std : -1.0;
}

/* One payment scheme's totals (DIP or DRG). */
typedef struct {
    int on;
    int64_t budget_fen;
    int64_t points_e4;       /* Σ case scores / points */
    int64_t pay_fen;         /* Σ institution payments */
    int64_t cases_paid_fen;  /* Σ case payments */
    double point_value;      /* yuan per point */
    int64_t n_outlier[SC_OUT__COUNT];
    int64_t *inst_points;    /* [ninst] */
    int64_t *inst_pay;       /* [ninst] */
} scheme_tot;

typedef enum {
    SN_IN_SLOTS = 0,         /* the baseline: per-case state in the period's slots */
    SN_OWN_ARRAYS = 1        /* any other scenario: per-case arrays of its own */
} sn_storage;

/* What a simulated scenario changes beyond the settings (casemix simulate,
 * sn_run_in); every pointer NULL = the period's. Not owned; they outlive
 * the scenario. */
typedef struct {
    const int64_t *cost_fen;   /* [slot] the case's (re-priced) total cost, for the outlier ratios */
    const cm_calib *cal;       /* the calibration in use (re-priced history): level coefficients
                                  (mode history), scores (source history), standard costs, budget
                                  point value */
    const double *rw_scale;    /* [g] factor on catalogue scores (source catalogue) */
    const double *std_scale;   /* [g] factor on the catalogue mean fee (standard cost without history) */
    const double *drg_rw;      /* [d] DRG relative weights */
    const double *drg_ref_fen; /* [d] DRG outlier reference mean cost */
    int64_t cost_sum, fund_sum;/* Σ (re-priced) total cost and fund part, for the fund share when
                                  budget.fund_share is 0 (both 0: the period's) */
    void *lent[4];             /* SN_OWN_ARRAYS: per-case arrays lent by the caller in own[]'s layout
                                  (simulate's pool, reused scenario after scenario; zeroed here, not
                                  freed by sn_free); NULL: allocated */
} sn_inputs;

typedef struct {
    const cm_period *p;      /* the period (not owned; outlives the scenario) */
    const cm_config *cfg;    /* the settings (not owned): budgets, fund_share, coefficients,
                                outliers, drg_outliers, blank_factor, scores, standard cost.
                                Its input, tables and history are the period's. */
    sn_storage storage;
    double coef[4];          /* level coefficients in use ([0] = 1) */
    double *rw;              /* [ng] DIP scores in use (owned) */
    double *std_fen;         /* [ng*4+L] standard costs (owned) */
    /* per case, by slot (columns into the slots or the owned arrays) */
    sn_col score;            /* int64 DIP score e4; DRG points when DRG is the only scheme */
    sn_col pay;              /* int64 DIP payment fen; DRG payment when DRG is the only scheme */
    sn_col drg_pts, drg_pay; /* int64 DRG points e4 and payment fen (== score/pay without DIP) */
    sn_col outlier;          /* uint8 sc_outlier_class (DIP) */
    sn_col drg_outlier;      /* uint8 sc_outlier_class (DRG) */
    sn_col flags;            /* uint16: the period's bits | this scenario's SN_FLAGS */
    void *own[4];            /* the owned per-case arrays (SN_OWN_ARRAYS; scheme both: DRG ones) */
    /* sums (owned) */
    sc_inst_partial *ip;     /* [ninst] the period's partials + scores, outliers, special */
    int64_t *inst_drg_out;   /* [ninst*3] DRG outlier classes */
    int64_t n_special, n_special_over;
    double fund_share;
    scheme_tot dipt, drgt;
    double t_score, t_pay;
    sn_inputs in;            /* casemix simulate (sn_run_in); zero for a settlement */

    const struct cm_indicators *ind; /* indicators and rating to write (/indicators, /institutions
                                        rating columns), or NULL; not owned (engine/indicators.h) */
} cm_scenario;

/* Computes scenario s of period p under settings cfg (NULL: the period's
 * own): scores and outlier classes, special review, DRG points, the
 * partials, point values and payments. storage SN_IN_SLOTS is allowed once
 * per period (the baseline). CM_OK, or CM_ERR_CONFIG (settings),
 * CM_ERR_INPUT (nothing to share a budget over, an empty fund column),
 * CM_ERR_NOMEM, with err. Everything s holds (rw, std_fen, own[], ip,
 * inst_drg_out, the scheme totals' inst_points and inst_pay) is its own:
 * free it with sn_free either way. The period is not changed (but for the
 * baseline's own slot fields). */
cm_status sn_run(cm_scenario *s, const cm_period *p, const cm_config *cfg, sn_storage storage, char *err,
           size_t errlen);
/* sn_run with the re-priced costs and tables of in (NULL: sn_run). */
cm_status sn_run_in(cm_scenario *s, const cm_period *p, const cm_config *cfg, sn_storage storage,
                    const sn_inputs *in, char *err, size_t errlen);
/* Frees what sn_run allocated and zeroes s; safe on a zeroed scenario. */
void sn_free(cm_scenario *s);

/* score.c: the per-case state's storage, the tables in use, scores,
 * outlier classes, special review, DRG points. CM_OK, CM_ERR_CONFIG or
 * CM_ERR_NOMEM (err); what it allocates is s's (sn_free). */
cm_status sn_score(cm_scenario *s, char *err, size_t errlen);
/* pay.c: the scenario's partials per slice merged in slice order, point
 * values, institution and case payments. CM_OK, CM_ERR_INPUT or
 * CM_ERR_NOMEM (err); what it allocates is s's (sn_free). */
cm_status sn_pay(cm_scenario *s, char *err, size_t errlen);

/* write.c: the HDF5 output (temporary file renamed at the end) and the
 * rejects CSV beside it. CM_OK, or CM_ERR_OUTPUT / CM_ERR_INTERRUPTED with
 * err; on failure neither file is left behind. */
cm_status settle_write(const cm_period *p, const cm_scenario *s, const char *output, const char *rejects_csv,
                 const char *t_start, char *err, size_t errlen);
/* The tables and attributes of settle_write into w->loc (the file's root,
 * or a province's /regions/<code> group) of an open h5w; the caller opens,
 * commits or aborts w. CM_OK, or CM_ERR_OUTPUT with err. */
struct h5w_s;
cm_status settle_write_tables(const cm_period *p, const cm_scenario *s, struct h5w_s *w, const char *output,
                              const char *rejects_csv, const char *t_start, char *err, size_t errlen);
/* A rejects table (line, case_id, field, reason) named name in w->loc. */
cm_status write_rejects(const pl_rejects *rej, struct h5w_s *w, const char *name, const char *title);
/* summary.c: the terminal summary of a settlement (stdout). */
void settle_summary(const cm_period *p, const cm_scenario *s, const char *output, const char *rejects_csv,
                    double t_write);
/* summary.c: the rejects by reason (the five most frequent) and their money, as settle prints them
 * (nothing without rejects); month.c prints them too. */
void settle_print_rejects(const cm_period *p);
/* A static string; not to be freed. */
const char *std_cost_name(cm_std_cost s);
/* Peak resident set of the process in KiB (getrusage; a measure, not a status). */
long peak_rss_kb(void);
/* The current UTC time as ISO 8601 into buf (n bytes). */
void iso_now(char *buf, size_t n);

/* One settlement's stages (engine/settle.c; cmd_settle and each region of a
 * province run): the institution targets, the period (with the supervision
 * facts when supervision.enabled), the baseline scenario, the case rules
 * and the institution indicators. ind: the caller's (ind_free). */
struct cm_indicators;
cm_status settle_stages(cm_period *st, cm_scenario *sn, struct cm_indicators *ind, const cm_config *cfg,
                        const char *input, int quiet, char *err, size_t errlen);

/* The period label and the discharge dates (casemix month and settle).
 * civil_of / civil_day: the civil year, month (1..12) and day of a day
 * number (days since 1970-01-01). */
void civil_of(int z, int *y, int *m);
void civil_day(int z, int *y, int *m, int *d);
/* The months m0..m1 of *year a period label covers: "2025" (1-12),
 * "2025Q1".."2025Q4", "2025H1" / "2025H2", "2025-03" or "202503" (one
 * month). 0, or -1 for any other label (nothing to check). */
int period_label_months(const char *label, int *year, int *m0, int *m1);
/* The kept cases' first and last discharge date (YYYY-MM-DD) into first /
 * last (12 bytes each; "" when no case has a date). When they leave the
 * months of label (period_label_months), a WARNING on stderr (--quiet too)
 * naming input, the dates, the label and what: "month" or "period". 1 when
 * they leave it, else 0. */
int period_dates_check(const cm_period *st, const char *input, const char *label, const char *what,
                       char first[12], char last[12]);

#endif
