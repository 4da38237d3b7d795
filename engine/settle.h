/*
 * settle.h - internal: the settlement and calibration runs.
 *
 * Every fallible function returns a cm_status (engine.h) with the message
 * in err; the cmd_* functions print their message and return the status,
 * which only main turns into an exit code.
 */
#ifndef CASEMIX_SETTLE_H
#define CASEMIX_SETTLE_H

#include "pipeline.h"

/* Calibration from up to three years of history (docs/METHODS.md §3). */
typedef struct {
    size_t ng;
    int nyears;                 /* history years read (0..3) */
    int years[3];               /* calendar years, oldest first, aligned to weights[3-nyears..] */
    int64_t *n;                 /* [g*3+y] cases before trimming */
    int64_t *n_used;            /* [g*3+y] after trimming */
    double *mean_fen;           /* [g] weighted trimmed mean (m_g); 0 when no cases */
    double *cv;                 /* [g] pooled CV of kept cases */
    double *rw;                 /* [g] calibrated score; catalogue score when no cases */
    uint8_t *has;               /* [g] 1 when the group had history cases */
    double *level_mean_fen;     /* [g*4+L] newest-year mean at level L (untrimmed), 0 none */
    double region_mean_fen;     /* M */
    double coef[4];             /* level coefficients from history */
    double budget_pv;           /* yuan per point: weighted cost / weighted score */
    int64_t records[3], rejects[3];
    int64_t flagged[3];         /* kept with a data-quality flag (CF_BAD_*, CF_AGE_MISMATCH) */
    /* CHS-DRG weights (when a DRG context was given) */
    size_t ndrg;
    int64_t *drg_n;             /* [d] history cases, all years */
    double *drg_mean_fen;       /* [d] weighted trimmed mean cost */
    double *drg_cv;             /* [d] pooled CV */
    double *drg_rw;             /* [d] RW = m_d / M_drg; 0 when no history */
    double drg_region_mean_fen; /* M over all grouped cases */
    struct cm_hist_prev *prev;  /* the newest year per institution (engine/indicators.h), or NULL */
    /* supervision (R08, R11; supervise.c): per DIP group over all history
     * years, integer sums (NULL when supervision is off or no DIP) */
    int64_t *sup_cases;         /* [g] history cases */
    int64_t *sup_deaths;        /* [g] of which discharged by death (离院方式 5) */
    int64_t *sup_los_sum;       /* [g] Σ LOS days of the cases with a LOS */
    int64_t *sup_los_n;         /* [g] cases with a LOS */
    int sup_dmode_years;        /* history years whose header has discharge_mode */
} cm_calib;

/* Frees every array of c (malloc'd by calib_run, or by period_build for a
 * DRG run without history) and zeroes it; safe on a zeroed cm_calib. */
void calib_free(cm_calib *c);

/* Reads cfg->history and calibrates into out (its arrays the caller's:
 * calib_free, whatever the result). CM_OK; CM_ERR_INPUT (a history file
 * unreadable or without usable cases, a benchmark group without history
 * cases, input.institutions unreadable: exit 4 as before), CM_ERR_NOMEM or
 * CM_ERR_INTERRUPTED, with err. */
cm_status calib_run(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg,
                    const struct col_aliases *al, cm_calib *out, char *err, size_t errlen);

/* calib_run with every history case's total cost replaced by cost(ctx,
 * parser, case) (casemix simulate: the re-priced history; the parser holds
 * the row's categories and institution id). cost NULL: calib_run. */
typedef int64_t (*calib_cost_fn)(void *ctx, const cm_parser *p, const cm_case *c);
cm_status calib_run_hook(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg,
                         const struct col_aliases *al, calib_cost_fn cost, void *cost_ctx, cm_calib *out,
                         char *err, size_t errlen);

/* The history read for supervision alone (settle with supervision.enabled
 * when nothing else calibrates from it; DIP): the sup_* sums (R08, R11) and
 * prev (the indicators' previous year) of out, nyears, years and the
 * records, rejects and flagged counts; no scores, means or coefficients
 * (calib_finish is not run). Errors as calib_run. */
cm_status calib_sup_run(const cm_config *cfg, const gr_dip *dip, const struct col_aliases *al, cm_calib *out,
                        char *err, size_t errlen);

/* casemix simulate: the history read once (calib_hist_read) and kept per
 * case as re-calibration needs it, so each scenario re-prices and
 * re-calibrates from memory (calib_hist_run) instead of re-reading the
 * files. Per history case (a settled row; rejects are only counted):
 * total cost 8 B, DIP group 4 B, level 1 B, DRG 2 B (scheme with DRG),
 * institution tag 2 B (when some scenario names institutions), and 8 B per
 * kept category: 13 + 8 K B for DIP (K = the categories some scenario
 * re-prices; every category when a scenario has a price table). */
typedef struct cm_hist_cache {
    int nyears, years[3];                 /* by weight slot y (the newest is 2), as cm_calib */
    int64_t records[3], rejects[3], flagged[3];
    size_t n[3];                          /* cases kept of year slot y */
    int64_t *total[3];                    /* [n] recorded total cost, fen */
    int32_t *group[3];                    /* [n] DIP group, or NULL */
    int16_t *drg[3];                      /* [n] DRG, or NULL */
    uint8_t *level[3];                    /* [n] level (after input.institutions) */
    uint16_t *tag[3];                     /* [n] 1 + index into tag_id of the case's institution, 0: none; or NULL */
    int64_t *cat[3];                      /* [n*K] the kept categories, fen (0 without category columns) */
    int K;
    uint8_t cat_id[SC_CAT__COUNT];
    int ntag;
    char (*tag_id)[32];                   /* [ntag] institution ids some scenario names (owned) */
    size_t bytes_per_case;
} cm_hist_cache;

/* Reads cfg->history once into hc (as calib_run reads it: same columns,
 * levels, grouping; no indicators' previous period), keeping categories
 * cats[0..ncat) and a tag for each institution id of ids[0..nids).
 * CM_OK or as calib_run, with err; free hc with calib_hist_free either way. */
cm_status calib_hist_read(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, const struct col_aliases *al,
                          const uint8_t *cats, int ncat, const char (*ids)[32], int nids, cm_hist_cache *hc,
                          char *err, size_t errlen);
void calib_hist_free(cm_hist_cache *hc);

/* calib_run from hc: every case's cost re-priced by the multipliers
 * mv[(tag * 4 + level) * K + j] (fixed point, SC_MULT_ONE = 1; tag 0 for a
 * case without a tag, level 0..3), or as recorded (mv NULL). The same
 * result, to the bit, as calib_run_hook with the same re-pricing. */
cm_status calib_hist_run(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, const cm_hist_cache *hc,
                         const int64_t *mv, cm_calib *out, char *err, size_t errlen);

/* The trimmed mean cost (fen) of each DRG over the cases of one period
 * (the slots of a settlement), trimmed as history is (cp); 0 for a DRG
 * without cases. The outlier reference of DRG settlement with published
 * weights and no history. mean_fen: the caller's array of nd entries.
 * CM_OK, or CM_ERR_NOMEM (no message). */
cm_status calib_period_drg_means(const pl_slots *s, size_t nd, const sc_calib_params *cp, double *mean_fen);
/* CM_OK when history[h].file can be read; else CM_ERR_INPUT and err naming the
 * history entry of the configuration (not --input / input.records). */
cm_status calib_hist_check_file(const cm_config *cfg, int h, char *err, size_t errlen);

/* Writes the calibrated catalogue in the published CSV layout (PATH.tmp
 * renamed to path). CM_OK, or CM_ERR_OUTPUT with err (nothing left). */
cm_status calib_write_csv(const cm_calib *c, const gr_dip *dip, const char *path, char *err, size_t errlen);

typedef struct {
    const char *input;          /* overrides cfg->input_file when set */
    const char *output;         /* overrides cfg->output_file when set */
    int threads;
    int quiet;
    const char *timings;        /* settle: write stage times as JSON here */
} cm_run_opts;

/* casemix bench: one stage or floor, timed, as one JSON line on stdout.
 * Prints its message; returns CM_OK, CM_ERR_USAGE, _CONFIG, _INPUT,
 * _OUTPUT or _NOMEM. */
cm_status cmd_bench(const cm_config *cfg, const char *stage, const char *input, const char *output,
              long long rows, long long rowbytes);

/* Loads the DIP catalogue (want_dip) and the CHS-DRG tables (want_drg)
 * named by cfg and, when al is not NULL, the header aliases of
 * input.aliases (NULL when unset). The tables are the caller's:
 * gr_dip_free, gr_drg_free, col_aliases_free. CM_OK, or CM_ERR_CONFIG with
 * "file:line: field: message" in err and nothing left loaded (*dip, *drg,
 * *al NULL). */
cm_status load_tables(const cm_config *cfg, int want_dip, int want_drg, gr_dip **dip, gr_drg **drg,
                      struct col_aliases **al, char *err, size_t errlen);

/* casemix settle: prints its message and returns CM_OK, CM_ERR_USAGE,
 * _CONFIG, _INPUT, _OUTPUT, _INTERRUPTED or _NOMEM (period_build, sn_run,
 * settle_write). */
cm_status cmd_settle(const cm_config *cfg, const cm_run_opts *o);
/* casemix settle on a province configuration (cfg->n_regions > 0;
 * engine/province.c): every region settled as its own one-region run into
 * /regions/<code>/..., /province_summary and /rejects of one file. Prints
 * its message; the statuses of cmd_settle. */
cm_status cmd_province(const cm_config *cfg, const cm_run_opts *o);
/* MPI (make MPI=1, -DCM_MPI): MPI_Init_thread (FUNNELED) / MPI_Finalize
 * around main; this process's rank (0 without MPI). Without CM_MPI the
 * first two do nothing. */
void prov_mpi_init(int *argc, char ***argv);
void prov_mpi_finalize(void);
int prov_mpi_rank(void);
/* casemix calibrate: as cmd_settle (load_tables, calib_run,
 * calib_write_csv, the HDF5 output). */
cm_status cmd_calibrate(const cm_config *cfg, const cm_run_opts *o);
/* casemix simulate (engine/simulate.c): the period once, the baseline and
 * the scenarios of simulate.scenarios (only[0..nonly): those named by
 * --scenario; nonly 0: all) into one HDF5 file (casemix_kind "simulation"). */
cm_status cmd_simulate(const cm_config *cfg, const cm_run_opts *o, const char *const *only, int nonly);
/* simulate on a province configuration (engine/provsim.c): each region's scenarios under
 * /regions/<code>/scenarios of one simulation file, each equal to the one-region run */
cm_status cmd_province_simulate(const cm_config *top, const cm_run_opts *o, const char *const *only, int nonly);
/* casemix export (export.c): the tables of the settlement file input as a
 * workbook (xlsx, libxlsxwriter) and/or CSV files in csv_dir; tables: a
 * comma list or NULL (all present but cases). CM_OK, CM_ERR_USAGE,
 * _INPUT (not a settlement file), _OUTPUT, _INTERRUPTED, _NOMEM. */
cm_status cmd_export(const char *input, const char *xlsx, const char *csv_dir, const char *tables, int quiet);
/* casemix report (report.c): one self-contained HTML file from the casemix
 * file input, written to out (NULL: input with .h5 replaced by .html).
 * CM_OK, CM_ERR_USAGE, _INPUT (not a casemix file), _OUTPUT (out holds a
 * file casemix did not write, or cannot be written), _INTERRUPTED, _NOMEM. */
cm_status cmd_report(const char *input, const char *out, int quiet);

#endif
