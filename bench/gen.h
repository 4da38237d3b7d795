/*
 * gen.h - the seeded synthetic-region generator (casemix gen).
 *
 * Builds discharge records (医保结算清单 rows) in the canonical input layout
 * from a DIP catalogue's case mix: groups drawn in proportion to BILL_COUNT,
 * costs lognormal around each group's DIP_AVG_FEE and CV, LOS around
 * AVG_IPT_DAYS. Each case is *constructed* from the catalogue's structure so
 * that it groups back into the group it was drawn from (drawn_group); the
 * generator never calls gr_dip_assign, so the grouper can verify it.
 *
 * Driver-side code (may use OpenMP). Every row is a function of (seed, year,
 * row number) only, so the output bytes are the same at any thread count.
 */
#ifndef CASEMIX_BENCH_GEN_H
#define CASEMIX_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"   /* cm_config: gen_* settings, c->dip options */
#include "../grouper/grouper.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The header row of every file written (LF line end not included). */
#define GEN_CSV_HEADER                                                        \
    "case_id,patient_id,institution_id,institution_level,region,sex,"        \
    "age_years,age_days,birth_weight_g,admit_date,discharge_date,los_days,"  \
    "discharge_mode,principal_dx,other_dx,principal_proc,other_procs,"       \
    "vent_hours,icu_days,total_cost,fund_paid,self_paid,cost_bed,"           \
    "cost_consult,cost_exam,cost_lab,cost_treatment,cost_surgery,"           \
    "cost_nursing,cost_material,cost_western,cost_herbal,cost_patent,"       \
    "cost_general,cost_registration,cost_other,drawn_group"

/* Column indices of GEN_CSV_HEADER (tests read the files by them). */
enum {
    GEN_COL_CASE = 0, GEN_COL_PAT = 1, GEN_COL_INST = 2, GEN_COL_LEVEL = 3, GEN_COL_SEX = 5,
    GEN_COL_AGE = 6, GEN_COL_AGED = 7, GEN_COL_BW = 8, GEN_COL_ADMIT = 9, GEN_COL_DISCH = 10,
    GEN_COL_LOS = 11, GEN_COL_MODE = 12, GEN_COL_PDX = 13, GEN_COL_ODX = 14, GEN_COL_PPROC = 15,
    GEN_COL_OPROC = 16, GEN_COL_TOTAL = 19, GEN_COL_FUND = 20, GEN_COL_SELF = 21,
    GEN_COL_CAT0 = 22, /* cost_bed; the 14 cost categories follow */
    GEN_COL_GROUP = 36, GEN_NCOL = 37
};

/* Deliberately bad rows (share bad_rows of all rows; each row is bad or not
 * by its own hash, see gen_bad_kind). Every other field of a bad row is
 * valid; drawn_group still names the group the row was drawn from. */
typedef enum {
    GEN_BAD_NONE = 0,
    GEN_BAD_EMPTY_DX,        /* principal_dx is empty */
    GEN_BAD_TOTAL_TEXT,      /* total_cost is not a number ("N/A") */
    GEN_BAD_CATEGORY_SUM,    /* cost_other raised by 1.00..100.00 yuan, so the
                                14 categories exceed total_cost */
    GEN_BAD_DATES,           /* admit_date 1..10 days after discharge_date */
    GEN_BAD_MISSING_ID,      /* case_id is empty */
    GEN_BAD_DUPLICATE_ID,    /* case_id repeats the id of the nearest earlier
                                row of the same file that carries its own id
                                (becomes GEN_BAD_EMPTY_DX when there is none) */
    GEN_BAD_OVERPRECISE,     /* total_cost has 3 decimals ("12.345"): the value
                                is total + 0.005 yuan, so it cannot be kept
                                exact in fen */
    GEN_BAD__COUNT
} gen_bad;

/* Why a catalogue group cannot be drawn (no valid construction exists). */
typedef enum {
    GEN_SKIP_DX_SHAPE = 0,      /* core dx is not a 5-character 亚目 / comprehensive
                                   dx not a 3-character 类目 */
    GEN_SKIP_NO_DX_CODE,        /* no valid ICD-10 code under the 亚目 / 类目 */
    GEN_SKIP_RELATED_INVALID,   /* related list repeats the main procedure or
                                   itself, or related without a main procedure */
    GEN_SKIP_SHADOWED,          /* same dx + main + related set as a group with a
                                   lower 序号, which wins the tie */
    GEN_SKIP_NO_ATTR_TABLE,     /* comprehensive SS/ZLXCZ/ZDXCZ without an
                                   attribute table */
    GEN_SKIP_NO_PROC_FOR_ATTR,  /* no procedure with that attribute that is not the
                                   main procedure of a core group under the 类目 */
    GEN_SKIP_NO_BSZL_DX,        /* BSZL: every 亚目 under the 类目 with a code has a
                                   dx-only core group */
    GEN_SKIP_BAD_ATTR,          /* comprehensive group with an unknown attribute */
    GEN_SKIP__COUNT
} gen_skip;

/* Static English names ("empty_dx", ..., "no_dx_code", ...); "?" if out of range. */
const char *gen_bad_name(gen_bad b);
const char *gen_skip_name(gen_skip s);

/* What gen_region_ex did. Filled even when it fails part-way. */
typedef struct {
    size_t n_groups;                      /* catalogue groups incl. KBBZ */
    size_t n_drawable;                    /* groups with a construction */
    size_t n_skipped[GEN_SKIP__COUNT];    /* groups skipped, by reason */
    char skip_example[GEN_SKIP__COUNT][GR_DIP_CODE_MAX]; /* first skipped code */
    int nfiles;                           /* files written: current first */
    int year[1 + CM_MAX_HISTORY];         /* discharge year of each file */
    int64_t rows[1 + CM_MAX_HISTORY];     /* data rows of each file */
    uint64_t bytes;                       /* bytes written, all files */
    int64_t bad[GEN_BAD__COUNT];          /* bad rows by kind, all files */
    int64_t readmissions;                 /* rows that are a readmission of an
                                             earlier row (same patient and
                                             institution, within 15 days) */
    int threads;                          /* OpenMP threads used */
    double seconds;                       /* wall time of generation + writing */
} gen_stats;

/* Called after each written batch with rows done and rows in the current
 * file (progress display only; it must not call back into the generator). */
typedef void (*gen_progress_fn)(void *user, int year, int64_t done, int64_t total);

/* Writes DIR/current.csv (cases rows, discharge year cfg->gen_year) and,
 * when history is wanted (history_cases >= 0), DIR/history_<year>.csv for
 * the 3 previous years (history_cases rows each; 0 = same as cases; < 0 =
 * no history files); creates DIR (one level) if missing. Header
 * GEN_CSV_HEADER, LF line ends, no quoting, amounts yuan with 2 decimals.
 *
 * Rows: case_id D<yy><8-digit row>; patient_id P<10 digits>, the same sex
 * and birth date in every row and year; institution_id H<region><5 digits>
 * (cfg->gen_institutions of them, levels 1/2/3 in a 3:2:1 mix, institution
 * 1 level 3); about 3.5% of rows readmit the patient of an earlier row at
 * the same institution 1..14 days after its discharge (same group);
 * newborn (P chapter) cases have age 0, age_days and birth_weight_g; codes
 * spelled as in real records (lower-case x: K35.800x001, 44.1300x001).
 * Costs: lognormal from DIP_AVG_FEE and CV (else score x 5.7 yuan, CV 0.5)
 * x level factor 0.75/0.90/1.10 x an institution factor 0.92-1.08 x 0.96
 * per history year; the 14 categories sum exactly to total_cost; fund_paid
 * 55-85% of the total, self_paid = total - fund_paid.
 *
 * cfg: region, gen_year (1903..9999), gen_institutions, threads (0 = the
 * OpenMP default; the bytes do not depend on it), dip.catalogue_csv (for
 * messages). dip: a loaded catalogue, browsed read-only (gr_dip_assign is
 * never called). seed: any value. bad_rows: share in [0, 1] (see gen_bad).
 * Returns 0, or -1 with a message in err (file and what to do): bad
 * argument, a catalogue without any drawable group, a file that cannot be
 * written. Thread-safety: concurrent calls are safe on different DIRs. */
int gen_region(const cm_config *cfg, const gr_dip *dip, const char *dir, int64_t cases,
               int64_t history_cases, uint64_t seed, double bad_rows, char *err, size_t errlen);

/* As gen_region, plus stats (may be NULL) and a progress callback (may be
 * NULL, called from the calling thread only). */
int gen_region_ex(const cm_config *cfg, const gr_dip *dip, const char *dir, int64_t cases,
                  int64_t history_cases, uint64_t seed, double bad_rows, gen_stats *stats,
                  gen_progress_fn progress, void *user, char *err, size_t errlen);

/* The bad-row kind of row (0-based data row of the file for discharge year
 * year), as gen_region decides it: lets a test find each bad row without
 * reading it. GEN_BAD_NONE for a good row. Pure function, thread-safe. */
gen_bad gen_bad_kind(uint64_t seed, int year, int64_t row, double bad_rows);

/* Set to nonzero (from a signal handler) to stop gen_region between batches;
 * the file being written is removed and gen_region returns -1. */
extern volatile int gen_interrupt;

/* Supervision patterns planted into a generated region (casemix gen
 * --plant SHARE; bench/gen_plant.c): about SHARE x rows rows are appended to
 * DIR/current.csv, copied from its own clean rows with new case ids
 * (PL...) and new patients, each one rule's pattern of domain.md §7:
 * readmission at 0 and N days (and a control at N+1 days, case ids PLX...,
 * which must not fire R01), split admission, transfer, overlap at two
 * institutions and at one, duplicate claim, bed-holding, low-standard
 * admission, long stay, sex and age conflicts, cost outlier, data
 * quality. With history files in DIR also: R11, a death in a group with
 * history cases and no history death; and R01 across the period boundary,
 * a readmission 3 days after a discharge of history_<year-1>.csv (same
 * patient; related case: the history case id; controls PLX...R01P at N+1
 * days), found when the settlement names that file as
 * supervision.previous_input. The truth goes to DIR/planted.csv (case_id,rule,related_case_id).
 * rows: the data rows of current.csv. Returns the planted rows (>= 0), or
 * -1 with err. */
int64_t gen_plant(const char *dir, double share, int64_t rows, int readmit_days, char *err, size_t errlen);

/* Largest number of rows per file (case ids have 8 digits per year). */
#define GEN_MAX_ROWS 99999999LL


/* The item-level fee file (费用明细) and the demo price table of a
 * generated region (bench/gen_fees.c): DIR/fees.csv from DIR/current.csv (the
 * lines of a case add up to its cost categories to the fen) and
 * DIR/prices.csv (catalogue items: services +10%, drugs -5%, exams -15%; one
 * item no case uses). 0, or -1 with err. *lines: fee lines written. */
#define GEN_FEE_HEADER "结算ID,项目编码,项目名称,收费项目类别,数量,单价,金额"
#define GEN_PRICE_HEADER "项目编码,项目名称,新单价"
int gen_fee_files(const char *dir, uint64_t seed, int64_t *lines, char *err, size_t errlen);


/* A generated province (省级多统筹区; casemix gen --regions N, bench/gen_province.c):
 * N regions (统筹区) of different sizes, one export with a region column and a
 * ready-to-run province configuration. gen_province_plan fills in (codes PP0100,
 * PP0200, ... after the first two digits of cfg->region; cases shared by fixed
 * weights; seed + i; institutions by share, at least 3; every third region its
 * own level-1 coefficient 0.7); gen_province writes DIR/<code>/current.csv (each
 * a gen_region, no history), DIR/province.csv (the regions' rows interleaved,
 * each region's in its order), DIR/province.cfg (reads province.csv) and
 * DIR/province-files.cfg (each region its own file), and sets fund_fen (Σ
 * fund_paid) and budget_fen (that, rounded to 10,000 yuan). 0, or -1 with err. */
#define GEN_MAX_REGIONS 99
#define GEN_PROVINCE_CFG_HEADER "# province.cfg - a generated province (casemix gen --regions)"
typedef struct {
    char code[8];
    int64_t cases;
    int institutions;
    uint64_t seed;
    int level1_override;
    int64_t fund_fen, budget_fen;
} gen_province_region;
typedef struct {
    int n;
    char province[3];
    uint64_t seed;
    gen_province_region r[GEN_MAX_REGIONS];
    int64_t export_rows, bad;
    uint64_t bytes;
    double seconds;
} gen_province_info;
/* The cases of each of n regions (1..GEN_MAX_REGIONS) for a province of total:
 * shares of the weights 1200, 60, 450, 750, 150, 1000, 320, 550, 240, 900 (cycled),
 * largest remainder; they sum to total. 0, or -1 on a bad argument. Pure. */
int gen_province_sizes(int64_t total, int n, int64_t *sizes);
int gen_province_plan(const cm_config *cfg, int nregions, int64_t cases, uint64_t seed, gen_province_info *in,
                      char *err, size_t errlen);
int gen_province(const cm_config *cfg, const gr_dip *dip, const char *dir, gen_province_info *in, double bad_rows,
                 gen_progress_fn progress, void *user, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_BENCH_GEN_H */
