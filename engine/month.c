/*
 * month.c - casemix month: the monthly pre-settlement of a settlement year
 * (月度预结算, docs/METHODS.md "The settlement year").
 *
 *   build the period of the month's export (period.c: read, group, checks;
 *   scores from the catalogue or history: final for the year), score it
 *   (score.c), then: the year to date from the ledger plus this month, the
 *   forecast of the year's total score from the history years' monthly
 *   pattern (scoring/clearing.c; without history years from the months'
 *   own spread, paid at the band's low end: scoring/forecast.c), the
 *   estimated point value, the month's
 *   gross payment per institution with the quality deposit withheld; pay
 *   the month's cases out of that gross (pay.c, the month's budget = the
 *   gross), write the month's settlement file (write.c) and the ledger
 *   (ledger.c) with this month's entry replaced.
 * Every sum is an integer, so twelve months merged are the year's sums.
 */
#include "ledger.h"
#include "h5out.h"
#include "rejects.h"
#include "supervise.h"
#include "html.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


typedef struct {
    int64_t (*acc)[12][2]; /* [thread][month]{cases, cost} */
} hist_month_ctx;

static void hist_month_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    hist_month_ctx *x = vctx;
    if (c->status != SLOT_CASE || p->discharge_day < 0) return;
    int y, m;
    civil_of(p->discharge_day, &y, &m);
    x->acc[tid][m - 1][0]++;
    x->acc[tid][m - 1][1] += c->total_fen;
}

/* The history years by month of discharge (cases, Σ cost) into l->h. */
static cm_status history_pattern(const cm_config *cfg, const struct col_aliases *al, ledger *l, char *err,
                                 size_t errlen)
{
    if (cfg->n_history == 0) return CM_OK;
    l->h = calloc((size_t)cfg->n_history * 12, sizeof *l->h);
    hist_month_ctx x = {calloc(CM_MAX_THREADS, sizeof *x.acc)};
    if (!l->h || !x.acc) { free(x.acc); snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    static const int required[] = {COL_CASE_ID, COL_DISCHARGE, COL_TOTAL, -1};
    cm_parse_opts po = {.need = CM_NEED(COL_TOTAL), .mismatch = CM_MISMATCH_FLAG,
                        .tolerance_fen = cfg->category_tolerance_fen,
                        .encoding = rd_encoding_of(cfg->input_encoding)};
    cm_status rc = CM_OK;
    for (int h = 0; h < cfg->n_history && !rc; h++) {
        memset(x.acc, 0, CM_MAX_THREADS * sizeof *x.acc);
        pl_slots s;
        memset(&s, 0, sizeof s);
        rc = calib_hist_check_file(cfg, h, err, errlen); /* named as the configuration names it */
        if (!rc)
            rc = pl_read(cfg->history[h].file, al, required, &po, hist_month_row, &x, &s, NULL, NULL, NULL, err, errlen);
        pl_slots_free(&s);
        for (int m = 0; m < 12 && !rc; m++) {
            ld_hist *e = &l->h[l->nh++];
            e->year = cfg->history[h].year;
            e->month = m + 1;
            for (int t = 0; t < CM_MAX_THREADS; t++) {
                e->cases += x.acc[t][m][0];
                e->cost_fen += x.acc[t][m][1];
            }
        }
    }
    free(x.acc);
    return rc;
}

static int cmp_month(const void *a, const void *b)
{
    const ld_month *x = a, *y = b;
    return (x->month > y->month) - (x->month < y->month);
}
static int cmp_group(const void *a, const void *b)
{
    const ld_group *x = a, *y = b;
    if (x->month != y->month) return x->month < y->month ? -1 : 1;
    return strcmp(x->group, y->group);
}
static int cmp_special(const void *a, const void *b)
{
    const ld_special *x = a, *y = b;
    if (x->month != y->month) return x->month < y->month ? -1 : 1;
    return strcmp(x->case_id, y->case_id);
}

/* "YYYY-MM" → year, month; -1 when malformed. */
static int parse_month(const char *s, int *y, int *m)
{
    if (strlen(s) != 7 || s[4] != '-') return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9')) return -1;
    *y = atoi(s);
    *m = atoi(s + 5);
    return *m >= 1 && *m <= 12 && *y >= 1900 ? 0 : -1;
}

/* casemix month's check of the other months' case ids (period_build_prior). */
typedef struct {
    ld_idset set;
    int year;
} prior_ctx;

static int prior_seen(const void *vctx, const char *case_id, char *why, size_t n)
{
    const prior_ctx *x = vctx;
    int m = ld_idset_find(&x->set, case_id);
    if (m)
        snprintf(why, n, "case id already settled in month %04d-%02d of the ledger; correct the export or re-run "
                         "%04d-%02d without it", x->year, m, x->year, m);
    return m != 0;
}

/* This month's case ids into the ledger (/case_ids), in the export's row order. */
static cm_status add_case_ids(ledger *l, const cm_period *st, int mo)
{
    size_t add = (size_t)st->cases, k = 0;
    const char **ids = malloc((add + 1) * sizeof *ids);
    if (!ids) return CM_ERR_NOMEM;
    for (size_t i = 0; i < st->s.n && k < add; i++)
        if (st->s.slots[i].status == SLOT_CASE) ids[k++] = pl_case_id(&st->s, i);
    cm_status rc = k == add ? ld_ids_set_month(l, mo, ids, k) : CM_ERR_INTERNAL;
    free(ids);
    return rc;
}

static void *grow(void *p, size_t n, size_t add, size_t es)
{
    return realloc(p, (n + add + 1) * es);
}

static int cmp_inst_id(const void *a, const void *b)
{
    return strcmp(((const ld_inst *)a)->institution_id, ((const ld_inst *)b)->institution_id);
}

/* path copied to to (created, never replacing a file): the fallback of keep_earlier where
 * hard links are not supported. 0, or -1 with errno (to removed). */
static int copy_file(const char *path, const char *to)
{
    int in = open(path, O_RDONLY), out = in >= 0 ? open(to, O_WRONLY | O_CREAT | O_EXCL, 0644) : -1;
    char buf[1 << 16];
    ssize_t n = 0;
    while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        for (ssize_t w = 0, k; w < n; w += k)
            if ((k = write(out, buf + w, (size_t)(n - w))) <= 0) { n = -1; break; }
    int e = errno, bad = in < 0 || out < 0 || n < 0 || fsync(out) != 0;
    if (out >= 0 && close(out) != 0) bad = 1;
    if (in >= 0) close(in);
    if (bad && out >= 0) unlink(to);
    errno = e;
    return bad ? -1 : 0;
}

/* A month run again: the earlier settlement file at out is kept as OUT.rN.h5 (OUT without .h5; N
 * from rev, the next free number when taken) before the new one is renamed over out: a hard
 * link (a copy where links are not supported), so out is the earlier or the new file at every
 * moment. kept: its name, "" when out does not exist. CM_OK, or CM_ERR_OUTPUT (err). */
static cm_status keep_earlier(const char *out, int rev, char *kept, size_t n, char *err, size_t errlen)
{
    struct stat sb;
    kept[0] = '\0';
    if (stat(out, &sb) != 0) return CM_OK;
    size_t len = strlen(out);
    if (len > 3 && !strcmp(out + len - 3, ".h5")) len -= 3;
    for (int r = rev > 0 ? rev : 1; r < rev + 1000; r++) {
        int w = snprintf(kept, n, "%.*s.r%d.h5", (int)len, out, r);
        if (w < 0 || (size_t)w >= n) break;
        if (link(out, kept) == 0) return CM_OK;
        if (errno == EEXIST) continue;
        if (copy_file(out, kept) == 0) return CM_OK; /* no hard links here (EPERM, ENOTSUP, ...) */
        if (errno == EEXIST) continue;
        snprintf(err, errlen, "%s: the earlier settlement file cannot be kept as %s (%s); nothing was done: check "
                              "that the directory is writable, or move the file away", out, kept, strerror(errno));
        kept[0] = '\0';
        return CM_ERR_OUTPUT;
    }
    snprintf(err, errlen, "%s: no free name to keep the earlier settlement file; nothing was done", out);
    kept[0] = '\0';
    return CM_ERR_OUTPUT;
}

cm_status cmd_month(const cm_config *cfg, const cm_run_opts *o, const char *month, int reopen)
{
    char err[1024] = "", t_start[32], lpath[CM_PATH_MAX + 32], out[CM_PATH_MAX + 32], rejects_csv[CM_PATH_MAX + 64];
    int year, mo;
    if (!month) {
        fprintf(stderr, "casemix month: --month YYYY-MM is required: the month to pre-settle (e.g. --month 2025-03); "
                        "see casemix month --help\n");
        return CM_ERR_USAGE;
    }
    if (parse_month(month, &year, &mo)) {
        fprintf(stderr, "casemix month: --month needs YYYY-MM (e.g. --month 2025-03), not '%s'; see casemix month "
                        "--help\n", month);
        return CM_ERR_USAGE;
    }
    /* a month of another year than the configuration's period (a mistyped year) opens another year's ledger */
    if (strlen(cfg->period) >= 4 && strncmp(cfg->period, month, 4) != 0)
        fprintf(stderr, "casemix: WARNING: --month %s is not in the configuration's period %s (period = \"%s\"): it "
                        "goes to the ledger of %.4s, not of %.4s; check --month, or use the configuration of that year\n",
                month, cfg->period, cfg->period, month, cfg->period);
    iso_now(t_start, sizeof t_start);
    const char *input = o->input ? o->input : cfg->input_file;
    if (!input[0]) { fprintf(stderr, "casemix: no input: pass --input FILE (the month's export) or set input.records\n"); return CM_ERR_USAGE; }
    if (ld_path(cfg, year, lpath, sizeof lpath, err, sizeof err)) { fprintf(stderr, "casemix: %s\n", err); return CM_ERR_USAGE; }
    /* the month's settlement file: --out, else output.file with -YYYY-MM before .h5 */
    if (o->output) snprintf(out, sizeof out, "%s", o->output);
    else if (!cfg->output_file[0]) {
        fprintf(stderr, "casemix: no output for the month's settlement: pass --out FILE.h5 or set output.file\n");
        return CM_ERR_USAGE;
    } else {
        size_t len = strlen(cfg->output_file);
        const char *of = cfg->output_file;
        if (len > 3 && strcmp(of + len - 3, ".h5") == 0) len -= 3;
        /* "settlement-410400-2025.h5" -> "settlement-410400-2025-03.h5", not "...-2025-2025-03.h5":
         * when the name already ends with the month's year (after a non-digit), only -MM is added */
        int ends_year = len > 4 && !strncmp(of + len - 4, month, 4) && (of[len - 5] < '0' || of[len - 5] > '9');
        snprintf(out, sizeof out, "%.*s-%s.h5", (int)len, of, ends_year ? month + 5 : month);
    }
    if (cm_side_path(out, ".rejects.csv", rejects_csv, sizeof rejects_csv)) {
        fprintf(stderr, "casemix: %s: output path too long\n", out);
        return CM_ERR_USAGE;
    }
    if (h5w_check_target(lpath, H5_KIND_LEDGER, err, sizeof err) ||
        h5w_check_target(out, H5_KIND_SETTLEMENT, err, sizeof err) ||
        cm_side_check_target(rejects_csv, RJ_CSV_HEADER, "--out", err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        return CM_ERR_OUTPUT;
    }
    static ledger L;
    long long replaced_cases = -1; /* the month was in the ledger: its earlier cases */
    int64_t replaced_paid_fen = 0; /* ... and what it paid, at its estimated point value */
    double replaced_pv = 0;
    char replaced_input[256] = "";
    static ld_month oldM;          /* the replaced /months entry and its /institutions rows (/revisions) */
    ld_inst *oldI = NULL;
    size_t n_oldI = 0;
    int had_clearing = 0;
    int exists = 0;
    cm_status rc = ld_load(lpath, cfg->region, year, &L, &exists, err, sizeof err);
    if (rc) { fprintf(stderr, "casemix: %s\n", err); ld_free(&L); return rc; }
    /* a cleared year (/clearing): its figures may have been paid out; a month reopens it only on --reopen */
    if (L.nc > 0 && !reopen) {
        fprintf(stderr, "casemix month: %s: the year %d was cleared (年度清算: /clearing over %d month(s), final point "
                        "value %.6f) and its balances may have been paid out; --month %s would reopen the year and "
                        "remove the clearing. Nothing was done (the ledger and %s are as they were). To correct a "
                        "month of a cleared year pass --reopen (recorded in the ledger's /reopenings), then run casemix "
                        "clear --year %d again; see casemix month --help\n",
                lpath, year, (int)L.y.months, L.y.point_value, month, out, year);
        ld_free(&L);
        return CM_ERR_USAGE;
    }
    snprintf(L.region, sizeof L.region, "%s", cfg->region);
    L.year = year;

    static cm_period p0;
    static cm_scenario s0;
    static cm_config c2;   /* the month's settings: the budget is the month's gross payment */
    cm_period *st = &p0;
    cm_scenario *sn = &s0;
    memset(st, 0, sizeof *st);
    memset(sn, 0, sizeof *sn);
    c2 = *cfg;
    cm_config_relink(&c2);
    int64_t *pts = NULL, *gross = NULL, *dep = NULL, *paid = NULL, *scr = NULL;
    /* the case ids settled in the ledger's other months: a case among them is rejected (a month re-run
     * replaces its own ids); months of an older ledger without /case_ids are not checked (a WARNING) */
    static prior_ctx px;
    char noids[128];
    int n_noids = ld_months_without_ids(&L, mo, noids, sizeof noids);
    px.year = year;
    if (ld_idset_build(&L, mo, &px.set)) {
        fprintf(stderr, "casemix: out of memory\n");
        ld_free(&L);
        return CM_ERR_NOMEM;
    }
    if (n_noids) /* WARNINGs print with --quiet too (a batch of months runs quiet) */
        fprintf(stderr, "casemix: WARNING: %s has no case ids (/case_ids) for %s (a ledger of an older casemix): a "
                        "case id settled there is not checked; run those months again to record them\n",
                lpath, noids);
    rc = period_build_prior(st, cfg, input, o->quiet, PERIOD_SUP_DUPS, prior_seen, &px, err,
                            sizeof err); /* R05 withheld as settle */
    if (!rc && L.nh == 0) rc = history_pattern(cfg, st->al, &L, err, sizeof err);
    if (!rc) {
        sn->p = st;
        sn->cfg = &c2;
        sn->storage = SN_IN_SLOTS;
        rc = period_check_config(&c2, err, sizeof err);
        if (!rc) rc = sn_score(sn, err, sizeof err);
    }
    size_t ninst = st->ninst;
    ld_month M;
    memset(&M, 0, sizeof M);
    sc_flat_forecast flat; /* without history years: the forecast's spread (printed) */
    memset(&flat, 0, sizeof flat);
    sc_pay_basis basis = SC_BASIS_FORECAST;
    int64_t paid_at_old_fen = 0; /* a month run again: its new cases paid at the replaced entry's estimate */
    if (!rc) {
        pts = calloc(ninst + 1, sizeof *pts);
        gross = calloc(ninst + 1, sizeof *gross);
        dep = calloc(ninst + 1, sizeof *dep);
        paid = calloc(ninst + 1, sizeof *paid);
        scr = calloc(ninst + 1, sizeof *scr);
        if (!pts || !gross || !dep || !paid || !scr) { snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
    }
    if (!rc) {
        /* this month's scores per institution (integer sums, any order) */
        const cm_case *sl = st->s.slots;
        for (size_t i = 0; i < st->s.n; i++)
            if (sl[i].status == SLOT_CASE) pts[sl[i].inst] += *sn_i64(sn->score, i);
        for (size_t j = 0; j < L.nm; j++) /* a month run again: say what it replaces */
            if (L.m[j].month == mo) {
                replaced_cases = L.m[j].cases;
                replaced_paid_fen = L.m[j].paid_fen;
                replaced_pv = L.m[j].point_value_estimate;
                snprintf(replaced_input, sizeof replaced_input, "%s", L.m[j].input);
                oldM = L.m[j];
            }
        if (replaced_cases >= 0) { /* kept for the month's /revisions row (ld_add_revision) */
            oldI = calloc(L.ni + 1, sizeof *oldI);
            if (!oldI) { snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
            for (size_t j = 0; oldI && j < L.ni; j++)
                if (L.i[j].month == mo) oldI[n_oldI++] = L.i[j];
            if (oldI) qsort(oldI, n_oldI, sizeof *oldI, cmp_inst_id);
        }
        had_clearing = L.nc > 0;
        if (had_clearing && !rc && ld_add_reopen(&L, mo, t_start)) { snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
        ld_drop_month(&L, mo);
        M.month = mo;
        M.records = st->records;
        M.cases = st->cases;
        M.rejects = st->rejects;
        M.cost_fen = st->cost_fen;
        M.fund_fen = st->fund_fen;
        for (size_t k = 0; k < ninst; k++) M.score_e4 += pts[k];
        /* R05 duplicates withheld (PERIOD_SUP_DUPS), as settle's /summary; -1: R05 not checked */
        M.dups_withheld = sv_withheld(st->sup, &M.dups_withheld_total_fen, &M.dups_withheld_fund_fen);
        /* the year to date: the other months of the ledger and this one */
        int64_t ytd_score = M.score_e4, ytd_cost = M.cost_fen, ytd_fund = M.fund_fen;
        unsigned mask = 1u << (mo - 1);
        for (size_t j = 0; j < L.nm; j++) {
            ytd_score += L.m[j].score_e4;
            ytd_cost += L.m[j].cost_fen;
            ytd_fund += L.m[j].fund_fen;
            mask |= 1u << (L.m[j].month - 1);
        }
        M.fund_share = cfg->fund_share > 0 ? cfg->fund_share : sc_fund_share(ytd_fund, ytd_cost);
        /* the history pattern, year-major */
        int ny = (int)(L.nh / 12);
        int64_t *hist = calloc((size_t)ny * 12 + 1, sizeof *hist);
        if (!hist) { snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
        for (size_t j = 0; hist && j < (size_t)ny * 12; j++) hist[j] = L.h[j].cost_fen;
        double tot = 0, lo = 0, hi = 0;
        if (!rc && ny == 0) { /* no history years: the band from the months' own spread (scoring/forecast.c) */
            int64_t by_month[12] = {0};
            by_month[mo - 1] = M.score_e4;
            for (size_t j = 0; j < L.nm; j++) by_month[L.m[j].month - 1] = L.m[j].score_e4;
            if (sc_forecast_flat(by_month, mask, cfg->year.month_cv, cfg->year.band_min, &flat) == SC_OK) {
                tot = flat.total_e4;
                lo = flat.low_e4;
                hi = flat.high_e4;
            } else tot = -1;
        }
        if (!rc && (ny == 0 ? tot < 0 : sc_forecast_total(ytd_score, mask, hist, ny, cfg->year.band_min, &tot, &lo,
                                                          &hi) != SC_OK)) {
            snprintf(err, sizeof err, "%s: no forecast of the year's score: the months so far have no score, or the "
                                      "history years have no discharges in these months",
                     input);
            rc = CM_ERR_INPUT;
        }
        free(hist);
        int64_t allocated = cfg->fund_budget_fen - sc_share_fen(cfg->fund_budget_fen, cfg->year.reserve);
        M.forecast_score = tot / SC_SCORE_UNIT;
        M.forecast = sc_year_pv(allocated, M.fund_share, tot);
        M.band_low = sc_year_pv(allocated, M.fund_share, hi);
        M.band_high = sc_year_pv(allocated, M.fund_share, lo);
        /* what the month pays at: with history the forecast; without, the band's low end (or the budget point
         * value when lower) unless year.no_history_pay = "forecast"; × (1 − year.estimate_margin) */
        M.point_value_estimate =
            sc_no_history_pay(M.forecast, M.band_low, ny > 0, __builtin_popcount(mask), &cfg->year, &basis);
        if (!rc && sc_month_pay(M.point_value_estimate, M.fund_share, cfg->year.deposit, pts, ninst, gross, dep, paid,
                                scr) != SC_OK) {
            snprintf(err, sizeof err, "%s: the month's scores add up to zero; nothing to pay", input);
            rc = CM_ERR_INPUT;
        }
        for (size_t k = 0; k < ninst; k++) {
            M.gross_fen += gross[k];
            M.deposit_fen += dep[k];
            M.paid_fen += paid[k];
        }
        /* a month run again: what its new cases would have been paid at the replaced entry's point value and
         * fund share, so that the difference splits into the export's change and the estimate's (printed) */
        if (!rc && replaced_cases >= 0) {
            int64_t *g2 = calloc(ninst + 1, sizeof *g2), *d2 = calloc(ninst + 1, sizeof *d2),
                    *p2 = calloc(ninst + 1, sizeof *p2);
            if (g2 && d2 && p2 &&
                sc_month_pay(oldM.point_value_estimate, oldM.fund_share, cfg->year.deposit, pts, ninst, g2, d2, p2,
                             scr) == SC_OK)
                for (size_t k = 0; k < ninst; k++) paid_at_old_fen += p2[k];
            else paid_at_old_fen = -1; /* not split */
            free(g2); free(d2); free(p2);
        }
        if (!rc && M.gross_fen <= 0) {
            snprintf(err, sizeof err, "%s: the month's payment rounds to 0 fen; check budget.fund_budget", input);
            rc = CM_ERR_INPUT;
        }
    }
    if (!rc) {
        /* the month's cases are paid out of its gross payment: its budget */
        c2.fund_budget_fen = M.gross_fen;
        c2.drg_budget_fen = M.gross_fen;
        double t1 = now_seconds();
        rc = sn_pay(sn, err, sizeof err);
        sn->t_pay = now_seconds() - t1;
        const int64_t *ip = st->dip ? sn->dipt.inst_pay : sn->drgt.inst_pay;
        for (size_t k = 0; !rc && k < ninst; k++)
            if (ip[k] != gross[k]) {
                snprintf(err, sizeof err, "internal: institution %s: the month's payment %lld differs from the "
                                          "pre-settlement %lld", st->inst[k].id, (long long)ip[k], (long long)gross[k]);
                rc = CM_ERR_INTERNAL;
            }
    }
    if (!rc) {
        /* the month's ledger rows */
        struct stat sb;
        M.input_bytes = stat(input, &sb) == 0 ? (int64_t)sb.st_size : -1;
        snprintf(M.input, sizeof M.input, "%s", input);
        snprintf(M.run_at, sizeof M.run_at, "%s", t_start);
        char mlabel[16];
        snprintf(mlabel, sizeof mlabel, "%04d-%02d", year, mo);
        period_dates_check(st, input, mlabel, "month", M.discharge_first, M.discharge_last);
        if (replaced_cases >= 0 && oldM.cases == M.cases && oldM.score_e4 == M.score_e4 &&
            oldM.cost_fen == M.cost_fen && oldM.fund_fen == M.fund_fen && oldM.rejects == M.rejects) {
            char a[40], b[40];
            fprintf(stderr, "casemix: WARNING: %s was run again with the same cases as its entry in the ledger (%lld "
                            "cases, the same score, total cost and fund paid; from %s): the same export twice? Its "
                            "payment moves only with the estimated point value (%.6f then, %.6f now): %s yuan then, %s "
                            "now; recorded as a revision (/revisions)\n",
                    mlabel, (long long)M.cases, replaced_input, replaced_pv, M.point_value_estimate,
                    cm_yuan_text(a, sizeof a, replaced_paid_fen, 1), cm_yuan_text(b, sizeof b, M.paid_fen, 1));
        }
        { /* months before this one not in the ledger: skipped by mistake, or run late */
            char gap[96] = "";
            size_t gl = 0, ng = 0;
            for (int m = 1; m < mo; m++) {
                int have = 0;
                for (size_t j = 0; j < L.nm; j++) have |= L.m[j].month == m;
                if (!have && gl < sizeof gap)
                    gl += (size_t)snprintf(gap + gl, sizeof gap - gl, "%s%04d-%02d", ng++ ? ", " : "", year, m);
            }
            if (ng)
                fprintf(stderr, "casemix: WARNING: the ledger has no %s, before %s: run %s (casemix month --month "
                                "YYYY-MM --input ITS_EXPORT) if it was skipped by mistake; the forecast counts the "
                                "%zu month(s) present\n",
                        gap, mlabel, ng > 1 ? "them" : "it", L.nm + 1);
        }
        for (size_t j = 0; j < L.nm; j++)
            if (!strcmp(L.m[j].input, M.input) && L.m[j].input_bytes == M.input_bytes)
                fprintf(stderr, "casemix: WARNING: month %02d was settled from the same file (%s, %lld bytes); "
                                "each month needs its own export\n",
                        L.m[j].month, input, (long long)M.input_bytes);
        L.m = grow(L.m, L.nm, 1, sizeof *L.m);
        L.i = grow(L.i, L.ni, ninst, sizeof *L.i);
        size_t ngr = st->dip ? st->ng : 0, ncand = 0;
        L.g = grow(L.g, L.ng, ngr, sizeof *L.g);
        for (size_t i = 0; i < st->s.n; i++)
            ncand += st->s.slots[i].status == SLOT_CASE && (*sn_u16(sn->flags, i) & CF_SPECIAL);
        L.s = grow(L.s, L.ns, ncand, sizeof *L.s);
        int64_t *gscore = calloc(ngr + 1, sizeof *gscore);
        if (!L.m || !L.i || !L.g || !L.s || !gscore) { free(gscore); snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
        else {
            L.m[L.nm++] = M;
            size_t first_inst = L.ni;
            for (size_t k = 0; k < ninst; k++) {
                ld_inst *e = &L.i[L.ni++];
                memset(e, 0, sizeof *e);
                const sc_inst_partial *P = &sn->ip[k];
                e->month = mo;
                e->level = st->inst[k].level;
                snprintf(e->institution_id, sizeof e->institution_id, "%s", st->inst[k].id);
                e->cases = P->n_cases;
                e->cost_fen = P->cost_fen;
                e->fund_fen = P->fund_fen;
                e->score_e4 = pts[k];
                e->n_low = P->n_outlier[SC_OUT_LOW];
                e->n_high = P->n_outlier[SC_OUT_HIGH];
                e->n_special = P->n_special;
                e->gross_fen = gross[k];
                e->deposit_fen = dep[k];
                e->paid_fen = paid[k];
            }
            const cm_case *sl = st->s.slots;
            for (size_t i = 0; i < st->s.n; i++) {
                if (sl[i].status != SLOT_CASE) continue;
                if (ngr && sl[i].group >= 0) gscore[sl[i].group] += *sn_i64(sn->score, i);
                if (*sn_u16(sn->flags, i) & CF_SPECIAL) {
                    ld_special *e = &L.s[L.ns++];
                    memset(e, 0, sizeof *e);
                    e->month = mo;
                    snprintf(e->case_id, sizeof e->case_id, "%s", pl_case_id(&st->s, i));
                    snprintf(e->institution_id, sizeof e->institution_id, "%s", st->inst[sl[i].inst].id);
                    e->score_e4 = *sn_i64(sn->score, i);
                    e->cost_fen = sl[i].total_fen;
                    e->fund_fen = sl[i].fund_fen;
                }
            }
            for (size_t g = 0; g < ngr; g++) {
                if (!st->group_n[g]) continue;
                ld_group *e = &L.g[L.ng++];
                memset(e, 0, sizeof *e);
                e->month = mo;
                snprintf(e->group, sizeof e->group, "%s", gr_dip_group_at(st->dip, g)->code);
                e->cases = st->group_n[g];
                e->cost_fen = st->group_cost[g];
                e->score_e4 = gscore[g];
            }
            free(gscore);
            /* the month's institution names (input.institutions, as its settlement file's /institution_names) */
            rc = ld_inst_names_set(&L, first_inst, st->inst_name);
            if (!rc) rc = add_case_ids(&L, st, mo);
            if (!rc) rc = ld_sort_inst(&L);
            qsort(L.m, L.nm, sizeof *L.m, cmp_month);
            /* a month run again: its replaced entry and the difference (/revisions, /revision_institutions) */
            if (!rc && replaced_cases >= 0) rc = ld_add_revision(&L, &oldM, oldI, n_oldI);
            if (rc) snprintf(err, sizeof err, rc == CM_ERR_NOMEM ? "out of memory" : "internal: no month to revise");
            qsort(L.g, L.ng, sizeof *L.g, cmp_group);
            qsort(L.s, L.ns, sizeof *L.s, cmp_special);
        }
    }
    if (!rc && g_interrupted) rc = CM_ERR_INTERRUPTED;
    /* the earlier settlement file of the month: kept as OUT.rN.h5 (N: this run's revision of the month) */
    char kept[CM_PATH_MAX + 48] = "";
    int written = 0;
    if (!rc) rc = keep_earlier(out, replaced_cases >= 0 && L.nr ? (int)L.r[L.nr - 1].revision : 1, kept, sizeof kept,
                               err, sizeof err);
    if (!rc) rc = settle_write(st, sn, out, rejects_csv, t_start, err, sizeof err);
    if (rc && kept[0]) unlink(kept); /* the new file was not written: the earlier one is still at out */
    written = !rc;
    if (!rc) rc = ld_write(lpath, cfg, &L, err, sizeof err);
    if (rc) {
        if (rc == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix: interrupted; the ledger was left as it was\n");
        else fprintf(stderr, "casemix: %s\n", err[0] ? err : "failed");
        if (rc == CM_ERR_CONFIG) fprintf(stderr, "casemix: nothing was done\n");
        if (written && kept[0]) fprintf(stderr, "casemix: %s was written; its earlier file is kept as %s\n", out, kept);
    } else if (o->quiet && had_clearing) {
        fprintf(stderr, "casemix: the year %d was reopened (--reopen): its clearing was removed and recorded in %s "
                        "/reopenings (what it settled, taken as paid out, in /reopening_institutions); run casemix clear --year %d again\n", year, lpath, year);
    } else if (!o->quiet) {
        char y1[40], y2[40], y3[40], y4[40];
        printf("casemix month %s: %s (region %s)\n", month, input, cfg->region);
        printf("  records read      %lld = %lld cases + %lld rejects\n", (long long)M.records, (long long)M.cases,
               (long long)M.rejects);
        printf("  already settled   %lld case id(s) settled in another month of the ledger: rejected (in the %lld "
               "rejects)\n", (long long)st->prior_dups, (long long)M.rejects);
        settle_print_rejects(st); /* why rows were rejected, as settle says it */
        if (st->notes)
            printf("  quality notes     %lld on kept cases (a field treated as missing; /quality of the month's file)\n",
                   (long long)st->notes);
        char sc4[48];
        printf("  score             %s points (year to date: %zu month(s))\n", fmt_e4(sc4, sizeof sc4, M.score_e4, 4),
               L.nm);
        printf("  fund share        %.6f\n", M.fund_share);
        char fs[48];
        printf("  forecast point value (预测点值)  %.6f yuan, band %.6f .. %.6f; year's score %s points\n",
               M.forecast, M.band_low, M.band_high, fmt_num(fs, sizeof fs, M.forecast_score, 1));
        if (L.nh == 0) { /* sc_forecast_flat: the band from the months' spread; the basis of the payment */
            char spread[32] = "-";
            if (flat.months >= 2) snprintf(spread, sizeof spread, "%.1f%%", 100 * flat.cv_months);
            char widened[96] = ""; /* the band printed is at least ±band_min wide (sc_forecast_flat) */
            if (flat.half < cfg->year.band_min)
                snprintf(widened, sizeof widened, " (widened to ±%.1f%%: year.band_min)", 100 * cfg->year.band_min);
            printf("  forecast basis    no history years: each month taken as 1/12 of the year; the band from the "
                   "months' spread (docs/METHODS.md §9):\n"
                   "                    %d month(s) so far, their spread (cv) %s; with year.month_cv %.1f%% counted as "
                   "%d months: cv %.1f%%; band ±%.1f%% of the year's score%s;\n"
                   "                    give history = ( { year = ..; file = ..; } ) for the seasonal pattern\n",
                   flat.months, spread, 100 * cfg->year.month_cv, SC_FLAT_PRIOR_MONTHS, 100 * flat.cv,
                   100 * flat.half, widened);
            if (basis == SC_BASIS_BUDGET)
                printf("  paid at           the budget point value %.6f (clearing.budget_point_value), below the "
                       "band's low end %.6f: without history a month pays at the lower of the two (year.no_history_pay "
                       "= \"band_low\")\n", cfg->year.budget_point_value, M.band_low);
            else if (basis == SC_BASIS_BAND_LOW)
                printf("  paid at           the band's low end %.6f, not the forecast %.6f: without history the forecast "
                       "can be far off (year.no_history_pay = \"band_low\"); clearing pays the rest\n",
                       M.band_low, M.forecast);
            else if (flat.months == 12)
                printf("  paid at           the forecast %.6f: all twelve months are in, the year's score is known\n",
                       M.forecast);
            else
                printf("  paid at           the forecast %.6f (year.no_history_pay = \"forecast\"): without history it "
                       "can be far too high; \"band_low\" pays the band's low end\n", M.forecast);
        }
        printf("  estimated point value (预估点值) %.6f yuan\n", M.point_value_estimate);
        printf("  gross %s = paid %s + deposit withheld (质量保证金) %s yuan (%zu institutions)\n",
               cm_yuan_text(y1, sizeof y1, M.gross_fen, 1), cm_yuan_text(y2, sizeof y2, M.paid_fen, 1),
               cm_yuan_text(y3, sizeof y3, M.deposit_fen, 1), ninst);
        printf("  special-review candidates (特例单议) %lld\n", (long long)sn->n_special);
        if (st->sup) sv_summary(st->sup, stdout); /* the R05 duplicates withheld (PERIOD_SUP_DUPS) */
        printf("  wrote %s (the month's settlement, rejects in %s)\n  ledger %s (%zu month(s))\n", out, rejects_csv,
               lpath, L.nm);
        if (replaced_cases >= 0)
            printf("  replaced          the ledger's earlier entry of %s (%lld cases from %s)\n", month,
                   replaced_cases, replaced_input);
        if (replaced_cases >= 0) /* the money already paid out for the month against its new figure */
            printf("                    paid then %s yuan at %.6f yuan/point, now %s yuan at %.6f: the ledger records "
                   "the new one; pay the difference %s yuan (negative: recover it)\n",
                   cm_yuan_text(y1, sizeof y1, replaced_paid_fen, 1), replaced_pv,
                   cm_yuan_text(y2, sizeof y2, M.paid_fen, 1), M.point_value_estimate,
                   cm_yuan_text(y3, sizeof y3, M.paid_fen - replaced_paid_fen, 1));
        if (replaced_cases >= 0 && paid_at_old_fen >= 0) /* the difference split: the export's, the estimate's */
            printf("                    of which the export's change %s yuan (%lld cases now, %lld then, paid at the "
                   "earlier %.6f yuan/point and fund share %.6f) and the estimate's %s yuan (now %.6f and %.6f: "
                   "the months in the ledger moved the forecast)\n",
                   cm_yuan_text(y1, sizeof y1, paid_at_old_fen - replaced_paid_fen, 1), (long long)M.cases,
                   replaced_cases, replaced_pv, oldM.fund_share, cm_yuan_text(y2, sizeof y2, M.paid_fen - paid_at_old_fen, 1),
                   M.point_value_estimate, M.fund_share);
        if (replaced_cases >= 0 && L.nr) /* ld_add_revision appended it last */
            printf("  revision          %d of %s recorded in /revisions (更正记录) and, per institution, "
                   "/revision_institutions: the difference each institution is paid or returns\n",
                   (int)L.r[L.nr - 1].revision, month);
        if (kept[0])
            printf("  kept              the earlier settlement file of %s as %s\n", month, kept);
        if (had_clearing && L.no) /* ld_add_reopen appended it last */
            printf("  REOPENED          the year %d was cleared: its clearing (年度清算, /clearing over %d month(s), "
                   "final point value %.6f, Σ balance %s yuan) was removed (--reopen) and recorded in /reopenings "
                   "(撤销清算记录), what it settled per institution in /reopening_institutions: taken as paid out "
                   "(negative: recovered); run casemix clear --year %d again: it deducts them (已清算) and shows what is "
                   "left to pay or recover (本次应补(追))\n",
                   year, (int)L.o[L.no - 1].months_cleared, L.o[L.no - 1].point_value,
                   cm_yuan_text(y4, sizeof y4, L.o[L.no - 1].balance_fen, 1), year);
    }
    free(pts); free(gross); free(dep); free(paid); free(scr); free(oldI);
    sn_free(sn);
    period_free(st);
    ld_idset_free(&px.set);
    ld_free(&L);
    return rc;
}
