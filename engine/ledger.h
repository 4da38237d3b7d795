/*
 * ledger.h - internal: the ledger of a settlement year (engine/ledger.c),
 * one HDF5 file per region and year, casemix_kind "ledger". It keeps, per
 * month, the month's exact partial aggregates (per institution and per DIP
 * group: cases, scores in 1e-4 points, costs and fund paid in fen), what
 * was paid (gross, deposit withheld, paid), the estimate and the forecast;
 * the special-review candidates (a few per mille of the cases); the history
 * pattern by month; the case ids settled per month (no other case field);
 * and, after `casemix clear`, the clearing. Nothing else of a case.
 * Written complete or absent (temporary file + rename of the whole
 * file): a failed or interrupted run leaves the previous ledger.
 *
 * Tables (all flat, keyed by month 1..12, rows sorted):
 *   /months         one row per month present (ld_month)
 *   /institutions   month × institution (ld_inst), by month then id
 *   /groups         month × DIP group with cases (ld_group)
 *   /special        month × special-review candidate (ld_special)
 *   /history_months history year × month: cases and Σ cost (ld_hist)
 *   /case_ids       month × case id (结算ID) settled that month, by month
 *                   in the export's row order: a month rejects an id settled
 *                   in another month (never a patient id). Absent in a
 *                   ledger of a casemix before it: those months' ids are
 *                   unknown (casemix month warns).
 *   /clearing       institution rows of the clearing (ld_clear), with the
 *                   year's figures as attributes (written by clear only)
 *   /institution_names  one UTF-8 name per /institutions row: the name the
 *                   month's institution table (input.institutions) gives, as
 *                   that month's settlement file's /institution_names; ""
 *                   when none. Absent in a ledger of a casemix before it
 *                   (those months' names are "" when a month is written).
 *   /clearing_names one UTF-8 name per /clearing row: the institution's name
 *                   of the latest month that gives one ("" when none); written
 *                   by clear (ld_clear_names).
 *   /revisions      更正记录: one row per month run again (ld_rev), appended,
 *                   never rewritten nor dropped: the replaced and the new
 *                   entry of /months and the difference paid_new - paid_old
 *                   (fen) to pay (< 0: recover); by month then revision.
 *   /revision_institutions  per revision and institution (ld_rev_inst): its
 *                   paid then, now and the difference (Σ = the revision's).
 *                   Both absent until a month is run again (and in a ledger
 *                   of a casemix before them: no revisions).
 *   /reopenings     撤销清算记录: one row per casemix month --reopen on a cleared
 *                   year (ld_reopen), appended, never rewritten nor dropped:
 *                   when, the month run, and what the removed /clearing had
 *                   (months, cases, final point value, Σ due, Σ balance).
 *                   Absent until a year is reopened.
 *   /reopening_institutions  per reopening (1-based /reopenings row) and
 *                   institution of the removed clearing: its balance_fen and
 *                   to_settle_fen, the latter assumed paid out (< 0:
 *                   recovered). Appended like
 *                   /reopenings; casemix clear deducts them (/clearing's
 *                   settled_before_fen, to_settle_fen). Absent until a
 *                   year is reopened (and in a ledger before it: a clearing
 *                   removed then deducts nothing).
 */
#ifndef CASEMIX_LEDGER_H
#define CASEMIX_LEDGER_H

#include "period.h"

#include <string.h>

#define H5_KIND_LEDGER "ledger"     /* casemix month / casemix clear */

typedef struct {
    int32_t month;             /* 1..12 */
    int32_t pad;
    int64_t records, cases, rejects;
    int64_t cost_fen, fund_fen, score_e4;
    int64_t gross_fen, deposit_fen, paid_fen;
    /* R05 duplicate claims withheld from payment (重复结算不予支付; supervise.c,
     * as settle's /summary): their count, claimed total cost and fund part.
     * duplicates_withheld = -1 (and the amounts 0): not recorded, because R05
     * was not checked (supervision.enabled or R05 off) or the month was
     * written by a casemix before these columns (ld_load). */
    int64_t dups_withheld, dups_withheld_total_fen, dups_withheld_fund_fen;
    double fund_share;         /* year to date, the one used for the estimate */
    double point_value_estimate; /* the month's payments were made at it (yuan per point) */
    double forecast;           /* forecast of the year's final point value */
    double band_low, band_high;
    double forecast_score;     /* forecast of the year's total score (points) */
    int64_t input_bytes;
    char input[256];           /* the month's input file (cut) */
    char run_at[24];           /* UTC, ISO 8601 */
    char discharge_first[12];  /* the earliest and latest discharge date of the month's cases */
    char discharge_last[12];   /*   (YYYY-MM-DD; "" when none): outside the month → a WARNING */
} ld_month;

typedef struct {
    int32_t month;
    int32_t level;
    char institution_id[32];
    int64_t cases, cost_fen, fund_fen, score_e4;
    int64_t n_low, n_high, n_special;
    int64_t gross_fen, deposit_fen, paid_fen;
} ld_inst;

typedef struct {
    int32_t month;
    int32_t pad;
    char group[GR_DIP_CODE_MAX];
    int64_t cases, cost_fen, score_e4;
} ld_group;

typedef struct {
    int32_t month;
    int32_t pad;
    char case_id[CM_CASE_ID_MAX + 8];
    char institution_id[32];
    int64_t score_e4, cost_fen, fund_fen;
} ld_special;

typedef struct {
    int32_t year, month;
    int64_t cases, cost_fen;
} ld_hist;

/* The case ids (/case_ids) are kept as the file has them: rows of kw =
 * 4 + W bytes, an int32 month then the exact id text NUL-padded to W bytes
 * (W ≥ the longest id + 1, kw rounded up to a multiple of 8; at most 72):
 * 16 bytes a case for 11-character ids, read and written without
 * conversion. Rows by
 * month, a month's in its export's row order. */
static inline int ld_id_month(const char *kb, size_t kw, size_t j)
{
    int32_t m;
    memcpy(&m, kb + j * kw, sizeof m);
    return m;
}
static inline const char *ld_id_text(const char *kb, size_t kw, size_t j) { return kb + j * kw + 4; }

/* The case ids of the ledger's months but one, for casemix month's check:
 * an open-addressing table of row indices (built once, read-only). */
typedef struct {
    const char *kb;
    size_t kw;
    uint32_t *slot;            /* index + 1; 0 empty */
    size_t mask;
    size_t n;                  /* ids in the set */
} ld_idset;

typedef struct {
    char institution_id[32];
    int64_t cases, cost_fen, fund_fen, score_e4;
    int64_t due_fen;           /* amount due (应付) at the final point value */
    int64_t gross_fen, deposit_fen, paid_fen; /* monthly pre-settlement, summed */
    int64_t audit_fen;         /* audit deductions (审核扣款) */
    int64_t assessment_e4;     /* assessment coefficient (考核系数) × 1e4 */
    int64_t deposit_back_fen;  /* deposit × coefficient, paid back */
    int64_t band_fen;          /* surplus / overspend band adjustment */
    int64_t n_special;         /* approved special-review cases */
    int64_t special_fen;       /* their top-up */
    int64_t balance_fen;       /* paid at clearing (< 0: owed back) */
    /* added with /reopening_institutions (0 and balance_fen in a ledger before them, ld_load): */
    int64_t settled_before_fen; /* Σ this institution's balances in the clearings removed by --reopen (已清算) */
    int64_t to_settle_fen;     /* balance − settled_before: paid now (< 0: recovered; 本次应补(追)) */
} ld_clear;

/* The year's figures of the clearing (attributes of /clearing). */
typedef struct {
    int64_t budget_fen, reserve_fen, allocated_fen, pool_fen, reserve_used_fen;
    int64_t band_fen, special_fen, reserve_left_fen, cases, score_e4, n_special, special_cap;
    double fund_share, point_value_raw, point_value;
    int32_t clamped, months;
} ld_year;

/* A month run again (/revisions): the replaced (_old) and the new (_new)
 * entry of /months. */
typedef struct {
    int32_t month;
    int32_t revision;          /* the month's 1, 2, ... */
    int64_t cases_old, gross_old_fen, deposit_old_fen, paid_old_fen;
    int64_t cases_new, gross_new_fen, deposit_new_fen, paid_new_fen;
    int64_t difference_fen;    /* paid_new - paid_old: to pay (< 0: to recover) */
    double point_value_old, point_value_new; /* point_value_estimate of each entry */
    char input_old[256], run_at_old[24];     /* the entry's input file and its settlement time (UTC) */
    char input_new[256], run_at_new[24];
} ld_rev;

typedef struct {
    int32_t month;
    int32_t revision;
    char institution_id[32];
    int64_t paid_old_fen, paid_new_fen, difference_fen; /* 0 paid when absent from that entry */
} ld_rev_inst;

/* A cleared year reopened by casemix month --reopen (/reopenings): the
 * month run and the figures of the clearing it removed. */
typedef struct {
    int32_t month;             /* the month run (1..12) */
    int32_t months_cleared;    /* months the removed clearing covered */
    int64_t cases;             /* its cases */
    int64_t due_fen;           /* its Σ amount due (应付) */
    int64_t balance_fen;       /* its Σ balance (paid at clearing, < 0 owed back) */
    double point_value;        /* its final point value (yuan per point) */
    char run_at[24];           /* UTC, ISO 8601: when the month reopened the year */
} ld_reopen;

/* Per reopening and institution (/reopening_institutions): the balance of
 * the removed clearing and what it left to settle (its balance less what
 * clearings removed before it had settled), assumed paid out (< 0:
 * recovered). Σ to_settle_fen over the removed clearings = the latest one's
 * balance. */
typedef struct {
    int32_t reopening;         /* its /reopenings row, 1-based */
    int32_t pad;
    char institution_id[32];
    int64_t balance_fen;       /* the removed clearing's balance */
    int64_t to_settle_fen;     /* what it left to pay then (its to_settle_fen): taken as paid */
} ld_reopen_inst;

typedef struct {
    char region[32];
    int year;
    ld_month *m; size_t nm;
    ld_inst *i; size_t ni;
    ld_group *g; size_t ng;
    ld_special *s; size_t ns;
    ld_hist *h; size_t nh;
    char *kb; size_t nk, kw;   /* /case_ids: nk rows of kw bytes (ld_id_month, ld_id_text) */
    ld_clear *c; size_t nc;    /* nc == 0: no clearing */
    ld_year y;
    char **iname;              /* [ni] /institution_names (owned copies; NULL = none, as "") */
    char **cname;              /* [nc] /clearing_names (owned copies; NULL = none) */
    ld_rev *r; size_t nr;      /* /revisions (kept by ld_drop_month) */
    ld_rev_inst *ri; size_t nri; /* /revision_institutions */
    ld_reopen *o; size_t no;   /* /reopenings (kept by ld_drop_month) */
    ld_reopen_inst *oi; size_t noi; /* /reopening_institutions (kept by ld_drop_month) */
} ledger;

/* The ledger's path: cfg's year.ledger, else output.file with ".h5" (or
 * nothing) replaced by ".ledger-YYYY.h5". CM_OK or CM_ERR_USAGE (err). */
cm_status ld_path(const cm_config *cfg, int year, char *out, size_t n, char *err, size_t errlen);
/* Reads the ledger at path into l (zeroed first; its arrays l's: ld_free).
 * *exists = 0 and CM_OK when there is no file. CM_ERR_INPUT (err) when it
 * is not a ledger, or of another region or year. */
cm_status ld_load(const char *path, const char *region, int year, ledger *l, int *exists, char *err, size_t errlen);
/* Writes l as the whole ledger file (temporary + rename). CM_OK, or
 * CM_ERR_OUTPUT / CM_ERR_INTERRUPTED (err; the previous file is left). */
cm_status ld_write(const char *path, const cm_config *cfg, const ledger *l, char *err, size_t errlen);
/* The months of l->year absent from l->m as "2025-10, 2025-11" into out
 * ("" when all twelve are there); returns how many are missing. */
int ld_missing_months(const ledger *l, char *out, size_t n);
/* Drops the rows of month m (all tables) and the clearing. */
void ld_drop_month(ledger *l, int m);
void ld_free(ledger *l);
/* Sets the case ids of month m to ids[0..n) (copied, in that order; the
 * month's earlier ids replaced). CM_OK, CM_ERR_NOMEM or CM_ERR_INPUT (an id
 * longer than CM_CASE_ID_MAX). */
cm_status ld_ids_set_month(ledger *l, int m, const char *const *ids, size_t n);
/* The ids of every month of l but skip (the month being run again) into
 * set (its own memory: ld_idset_free). CM_OK or CM_ERR_NOMEM. */
cm_status ld_idset_build(const ledger *l, int skip, ld_idset *set);
/* The month (1..12) id was settled in, 0 when it is not in set. */
int ld_idset_find(const ld_idset *set, const char *id);
void ld_idset_free(ld_idset *set);
/* The months of l but skip without a case id in /case_ids (months of an
 * older ledger) as "2025-01, 2025-02" into out; returns how many. */
int ld_months_without_ids(const ledger *l, int skip, char *out, size_t n);

/* The names of /institutions rows [first, l->ni) (copied; NULL or "" =
 * none): names[j - first] for row j. CM_OK or CM_ERR_NOMEM. */
cm_status ld_inst_names_set(ledger *l, size_t first, const char *const *names);
/* Sorts /institutions by month then institution id, its names along.
 * CM_OK or CM_ERR_NOMEM (l unchanged). */
cm_status ld_sort_inst(ledger *l);
/* /clearing_names from /institution_names: each clearing row (l->c, sorted
 * by id) takes the non-empty name of its institution's latest month; none:
 * NULL (""). CM_OK or CM_ERR_NOMEM. */
cm_status ld_clear_names(ledger *l);
/* The name of clearing row k, "" when none. */
static inline const char *ld_clear_name(const ledger *l, size_t k)
{
    return l->cname && k < l->nc && l->cname[k] ? l->cname[k] : "";
}

/* Month m was run again: old is its replaced /months entry and oi[0..noi)
 * its /institutions rows (sorted by id); l already holds the new entry and
 * rows. Appends the /revisions row (revision = the month's count + 1) and
 * one /revision_institutions row per institution of either entry. CM_OK,
 * CM_ERR_NOMEM or CM_ERR_INTERNAL (l has no month m). */
cm_status ld_add_revision(ledger *l, const ld_month *old, const ld_inst *oi, size_t noi);
/* l's clearing (l->nc > 0) is about to be removed by month m run at
 * run_at (casemix month --reopen): appends its /reopenings row and its
 * balances per institution to /reopening_institutions. CM_OK or
 * CM_ERR_NOMEM (l unchanged). */
cm_status ld_add_reopen(ledger *l, int m, const char *run_at);
/* The revisions of l: their count (return) and Σ difference_fen (*sum). */
size_t ld_revisions(const ledger *l, int64_t *sum);

/* casemix month / casemix clear (engine/month.c, engine/clear.c). */
/* reopen = 0: a ledger with a clearing (/clearing) is refused before any
 * work (CM_ERR_USAGE); 1 (--reopen): the month runs, the clearing is
 * removed and the reopening appended to /reopenings. */
cm_status cmd_month(const cm_config *cfg, const cm_run_opts *o, const char *month, int reopen);
/* partial = 0: a ledger without all twelve months is refused (CM_ERR_INPUT,
 * naming the missing months); 1 (--partial): cleared, and said so. */
cm_status cmd_clear(const cm_config *cfg, const cm_run_opts *o, const char *year, int partial);

#endif
