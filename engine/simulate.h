/*
 * simulate.h - internal: casemix simulate's scenario runs (engine/simulate.c),
 * shared with its tests. README "Policy simulation"; docs/METHODS.md.
 */
#ifndef CASEMIX_SIMULATE_H
#define CASEMIX_SIMULATE_H

#include "period.h"
#include "settle.h"

/* The multipliers of one scenario resolved for a period's kept categories. */
typedef struct {
    const cm_period *p;
    const cm_scenario_def *d;
    int K;                       /* kept categories (p->keep_cat) */
    int64_t lev[4][SC_CAT__COUNT];/* [level][j]: level override, else the category's */
    int64_t *inst;               /* [ninst*K] institution override, 0 = none (owned) */
    int changed;                 /* some multiplier is not 1 */
    int has_inst;                /* some institution override (else a case's are lev[level]) */
} mults;

/* A scenario's re-priced period: per-case new cost and fund part, the static
 * measurement (region, institutions, categories by kept index j), bucket and
 * group cost changes. */
typedef struct {
    int64_t *cost, *fund;        /* [slot] new total cost (owned, or cmd_simulate's pool) and fund
                                    part (items only; category scenarios keep only its sums) */
    sc_measure region;
    sc_measure *inst;            /* [ninst] */
    int64_t *inst_bucket;        /* [ninst*3] change of the price-ratio buckets */
    int ncat;                    /* category rows: cat[0..ncat) (the kept ones, or all for items) */
    uint8_t cat[SC_CAT__COUNT];
    int64_t cat_up[SC_CAT__COUNT], cat_down[SC_CAT__COUNT], cat_fund[SC_CAT__COUNT]; /* by row j */
    int64_t cat_old[SC_CAT__COUNT];  /* items: Σ recorded amount of the lines by category (row j) */
    /* items (price_table): lines read, re-priced (in the table), of no settled case, unusable;
     * table items no line used (count, the first codes) */
    int64_t items, items_repriced, items_no_case, items_bad, table_unseen;
    char unseen[160];
    int64_t *group_cost;         /* [ng] new Σ cost of the group's cases */
    int64_t cost_sum, fund_sum;  /* Σ new */
} repriced;

/* One scenario: settings, re-pricing, re-calibration, the solve and its
 * settlement (sn: own arrays). Everything is its own: sim_run_free. */
typedef struct {
    const cm_scenario_def *d;
    cm_config cfg;               /* the settings in force (budgets of the policy) */
    cm_scenario sn;
    mults m;
    repriced r;
    int priced;                  /* some case's cost changed */
    int rescored;                /* scores from a re-calibration */
    cm_calib cal, cal0;          /* re-priced calibration; the base one when the period has none */
    double *rw_scale, *std_scale, *drg_rw, *drg_ref;
    sc_solve_result solve;       /* the category or point-value solve */
    sc_solve_result solve_drg;   /* the point-value solve of DRG (scheme both) */
    int64_t solved_m;            /* the multiplier found (0: no solve) */
    cm_scenario_def hist_def;    /* items: the per-category multipliers the lines amount to,
                                    for re-pricing the history (policies 1 and 2) */
    mults hm;
} sim_run;

/* Item-level re-pricing (engine/simitems.c): streams fee_file (费用明细) in
 * parallel chunks and re-prices its lines by price_table into r (per-case
 * new cost and fund, the measurement by item line, buckets, categories).
 * CM_OK, or CM_ERR_INPUT (a file unreadable, a column missing, a price
 * table row unusable, with file:line) / CM_ERR_NOMEM, with err. */
cm_status sim_items_reprice(const cm_period *p, const char *fee_file, const char *price_table, repriced *r,
                            char *err, size_t errlen);

/* The categories any scenario of set re-prices (or solves) into keep
 * (SC_CAT__COUNT entries); returns how many. */
int sim_keep_categories(const cm_scenario_set *set, uint8_t *keep);
/* Runs scenario d on period p (built with the kept categories) against the
 * baseline base into x (zeroed here). CM_OK, or CM_ERR_CONFIG / INPUT /
 * NOMEM with err. Free x with sim_run_free either way. */
cm_status sim_run_scenario(sim_run *x, const cm_scenario_def *d, const cm_period *p, const cm_scenario *base,
                           char *err, size_t errlen);

/* The history of a simulate run, read once, the first time a scenario
 * re-calibrates (sim_hist_init: the categories and institution ids of the
 * scenario set; sim_hist_free). */
typedef struct {
    int loaded;
    cm_hist_cache hc;
    uint8_t cats[SC_CAT__COUNT];
    int ncat;
    char (*ids)[32];
    int nids;
    double t_read;               /* seconds spent reading it */
} sim_hist;
cm_status sim_hist_init(sim_hist *h, const cm_scenario_set *set, const cm_period *p);
/* the same before the period is built (keep: sim_keep_categories) */
cm_status sim_hist_init_cats(sim_hist *h, const cm_scenario_set *set, const uint8_t *keep, int nkeep);
void sim_hist_free(sim_hist *h);
/* sim_run_scenario re-calibrating from h (read on first use) instead of
 * re-reading the history files; h NULL: sim_run_scenario. The same result
 * to the bit (tests/unit/test_engine_simulate.c). */
cm_status sim_run_scenario_hist(sim_run *x, const cm_scenario_def *d, const cm_period *p, const cm_scenario *base,
                                sim_hist *h, char *err, size_t errlen);
void sim_run_free(sim_run *x);
/* cmd_simulate's output kind (casemix_kind). */
#define H5_KIND_SIMULATION "simulation"

/* The seconds cmd_simulate's last run spent writing its scenarios (province runs' timings). */
extern double sim_last_write_seconds;
/* A province simulate over MPI ranks (provsim.c): with n > 0, cmd_simulate still loads every
 * scenario its `only` selects (the categories kept per case and the history read are those of
 * all of them, so each scenario's tables are the whole run's) but runs and writes only the
 * scenarios named in names[0..n) (the caller's array, kept until reset); n = 0: all again. */
void sim_set_run_subset(const char *const *names, int n);

#endif
