/*
 * indicators.h - internal: institution indicators, peer percentiles and
 * the four-level rating of a settlement (engine/indicators.c; the
 * arithmetic is scoring/indicators.c; docs/METHODS.md "Indicators and
 * rating").
 *
 * Inputs from the rules stage (issue 11, the supervision rules): per slot
 * a uint16_t rule mask (bit r-1 set when rule Rr fired, R01..R13) and
 * per rule an "evaluated" flag. case_rules NULL = the rules did not run:
 * the rule-rate indicators are written as not evaluated, never as zero.
 * low_risk (optional, per slot): bit 0 the case is in a low-risk group,
 * bit 1 it ended in death (R11's inputs); NULL: low_risk_mortality not
 * evaluated.
 */
#ifndef CASEMIX_INDICATORS_H
#define CASEMIX_INDICATORS_H

#include <stdbool.h>

#include "period.h"

typedef struct {
    char id[32];
    int64_t fen;
} ind_target;

typedef struct cm_indicators {
    size_t ninst;
    sc_ind_inputs in;
    sc_ind_params prm;
    int consumption_drg;          /* consumption indices over DRGs (1) or DIP groups (0) */
    sc_ind_value *v;              /* [ninst * SC_IND__COUNT] */
    sc_ind_value region[SC_IND__COUNT];
    double *pct;                  /* [ninst * N] peer percentile, NaN not ranked */
    uint8_t *cls;                 /* [ninst * N] sc_peer_outlier */
    double *prev, *growth;        /* [ninst * N] previous value, growth (NaN: none) */
    double region_prev[SC_IND__COUNT], region_growth[SC_IND__COUNT];
    double *points;               /* [ninst * N] rating points (NaN: not scored) */
    uint8_t *rating;              /* [ninst] sc_rating */
    double *score;                /* [ninst] rating score (NaN: not rated) */
    size_t n_rating[5];
    char prev_source[CM_PATH_MAX + 64]; /* "" when no previous period */
    /* annual targets (supervision.targets), loaded before any work */
    ind_target *tg;
    size_t ntg;
    size_t tg_unmatched;          /* institutions with cases and no target */
    double t;                     /* ind_run's wall seconds (--timings: part of "checks") */
} cm_indicators;

/* The newest history year per institution: the indicators' previous
 * period when supervision.previous is not given. Collected by calib_run
 * (engine/calibrate.c) while the year's slots are in memory; kept in
 * cm_calib.prev (freed by calib_free). Group lists per institution, in
 * ascending group order: DIP groups (KBBZ included) and DRGs (0000 left out). */
typedef struct {
    int32_t g;
    int64_t n, cost, nlos, los;
} ind_grp;
typedef struct cm_hist_prev {
    int year;
    size_t ninst;
    pl_inst *inst;                /* [ninst] sorted by id */
    sc_ind_partial *ip;           /* [ninst] cases, cost, fund, buckets, blank, DRG counts */
    size_t *dstart, *rstart;      /* [ninst + 1] into dip / drg */
    ind_grp *dip, *drg;
} cm_hist_prev;
/* Collects *out from the slots of history year `year` whose c->inst is
 * (thread << 24 | index into itab[thread]); ng DIP groups (0: no DIP), nd
 * DRGs (0: no DRG). out zeroed first; its arrays
 * are its own (ind_hist_free). CM_OK or CM_ERR_NOMEM (no message). */
cm_status ind_hist_collect(cm_hist_prev *out, int year, const pl_slots *s, pl_inst_table *itab, int nt,
                           int32_t blank, size_t ng, size_t nd);
void ind_hist_free(cm_hist_prev *hp);

/* Reads supervision.targets (CSV institution_id,annual_target in yuan;
 * Chinese headers 定点医药机构编码 / 医疗机构编码 and 年度目标 / 年度总额 /
 * 总额指标 accepted) into ind (zeroed first). Call before any work: a bad
 * file is a configuration error with file:line. CM_OK (nothing to read
 * when the key is unset), CM_ERR_CONFIG or CM_ERR_NOMEM, with err. */
cm_status ind_load_targets(cm_indicators *ind, const cm_config *cfg, char *err, size_t errlen);

/* Computes the indicators of period p under the baseline scenario s:
 * per-slice partials merged in slice order, consumption indices per
 * institution, the region's values, peer percentiles among institutions of
 * the same level, previous-period values and growth (supervision.previous),
 * budget progress (targets), the rating. Everything ind holds is its own:
 * ind_free. CM_OK, CM_ERR_CONFIG / CM_ERR_INPUT (previous file unusable),
 * CM_ERR_NOMEM, with err. */
cm_status ind_run(cm_indicators *ind, const cm_period *p, const cm_scenario *s, const uint16_t *case_rules,
                  const bool evaluated[13], const uint8_t *low_risk, char *err, size_t errlen);
void ind_free(cm_indicators *ind);

#ifdef CASEMIX_H5OUT_H /* HDF5 only where h5out.h is included first (the unit tests link no HDF5 headers) */
/* /indicators and /indicator_names (0 or -1, HDF5's convention). */
int ind_write(const cm_period *p, const cm_indicators *ind, h5w *w);
#endif
/* The supervision lines of the terminal summary (stdout). */
void ind_summary(const cm_period *p, const cm_indicators *ind);

#endif
