/*
 * summary.c - the terminal summary of a settlement (one period, one
 * scenario): what is in force, records read = cases + rejects, reject
 * reasons, money, outliers, point values, payments reconciled, the
 * largest payments, timings.
 */
#include "period.h"
#include "rejects.h"
#include "html.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *std_cost_name(cm_std_cost s)
{
    switch (s) {
    case CM_STD_GROUP_MEAN_X_COEF: return "group_mean_x_coef: (b) group mean fee x institution coefficient";
    case CM_STD_LEVEL_MEAN: return "level_mean: (a) group mean at same-level institutions, newest history year";
    case CM_STD_SCORE_X_POINT: return "score_x_point_value: (c) score x budget point value x coefficient";
    }
    return "?";
}

/* summary                                                             */
/* ------------------------------------------------------------------ */


typedef struct {
    int64_t pay;
    size_t k;
} inst_pay;

static int cmp_inst_pay(const void *a, const void *b)
{
    const inst_pay *x = a, *y = b;
    if (x->pay != y->pay) return x->pay > y->pay ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k; /* ties: lower institution id (the list is sorted by id) */
}

/* A scheme's totals: points, budget against the fund money the cases
 * claimed, point value, payments reconciled, the five largest payments. */
static void print_scheme(const cm_period *st, const cm_scenario *sn, const char *name, const scheme_tot *T, const char *unit)
{
    char b1[40], b2[40], b3[40];
    printf("  %s total        %18s %s\n", name, fmt_e4(b1, sizeof b1, T->points_e4, 4), unit); /* exact, grouped */
    int64_t diff = T->budget_fen - st->fund_fen;
    printf("  %s budget       %18s yuan\n", name, cm_yuan_text(b1, sizeof b1, T->budget_fen, 1));
    if (st->fund_fen > 0)
        printf("  %s vs claimed   %18s yuan (%+.2f%%) = budget - fund claimed by the cases (Σ fund_paid %s yuan)\n",
               name, cm_yuan_text(b3, sizeof b3, diff, 1), 100.0 * (double)diff / (double)st->fund_fen, cm_yuan_text(b2, sizeof b2, st->fund_fen, 1));
    else
        printf("  %s vs claimed   the cases claim no fund money (Σ fund_paid 0): no comparison\n", name);
    printf("  %s point value  %15.6f yuan/point (点值) = (budget / fund share) / Σ points\n", name, T->point_value);
    int ok = T->pay_fen == T->budget_fen && T->cases_paid_fen == T->pay_fen;
    printf("  %s payments     %18s yuan   = budget %s; Σ cases %s  [%s]\n", name, cm_yuan_text(b1, sizeof b1, T->pay_fen, 1),
           T->pay_fen == T->budget_fen ? "to the fen" : "MISMATCH",
           T->cases_paid_fen == T->pay_fen ? "= Σ institutions" : "MISMATCH", ok ? "reconciled" : "MISMATCH");
    size_t n = st->ninst, top = n < 5 ? n : 5;
    inst_pay *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return;
    for (size_t k = 0; k < n; k++) v[k] = (inst_pay){T->inst_pay[k], k};
    qsort(v, n, sizeof *v, cmp_inst_pay);
    printf("  %s largest payments (%zu of %zu institutions): institution, cases, payment, share of the budget\n",
           name, top, n);
    for (size_t j = 0; j < top; j++) {
        size_t k = v[j].k;
        printf("      %-20s %10lld  %18s yuan  %6.2f%%%s%s\n", st->inst[k].id, (long long)sn->ip[k].n_cases,
               cm_yuan_text(b1, sizeof b1, v[j].pay, 1), T->budget_fen > 0 ? 100.0 * (double)v[j].pay / (double)T->budget_fen : 0.0,
               st->inst_name && st->inst_name[k][0] ? "  " : "", st->inst_name ? st->inst_name[k] : "");
    }
    free(v);
}

/* Rejects by reason (field + reason, echoed values left out), the five
 * most frequent, and the money of the rejected rows. */
void settle_print_rejects(const cm_period *st)
{
    char b1[40], b2[40];
    if (st->rej.n == 0) return;
    rj_reason_count *rc = NULL;
    size_t ng = 0;
    (void)rj_top_reasons(&st->rej, &rc, &ng); /* out of memory: no reasons listed (ng 0) */
    printf("  reject reasons   rows, field: reason (values left out; every row is in the rejects file)\n");
    for (size_t j = 0; j < ng && j < 5; j++)
        printf("     %12lld  %s: %s\n", (long long)rc[j].n, rc[j].field[0] ? rc[j].field : "(row)", rc[j].text);
    if (ng > 5) printf("                   and %zu more reasons\n", ng - 5);
    free(rc);
    printf("  rejected money   total cost %s yuan, fund paid %s yuan: the amounts that could be parsed",
           cm_yuan_text(b1, sizeof b1, st->rej_cost_fen, 1), cm_yuan_text(b2, sizeof b2, st->rej_fund_fen, 1));
    if (st->rej_no_cost)
        printf(" (%lld of %lld rows count 0: their total cost does not read)", (long long)st->rej_no_cost,
               (long long)st->rejects);
    printf("; not settled\n");
}

/* A path as a person reads it: the existing file's canonical path
 * ("config/../build/x.h5" -> "build/x.h5", absolute), else as given. */
static const char *shown_path(const char *path, char *buf)
{
    return realpath(path, buf) ? buf : path;
}

void settle_summary(const cm_period *st, const cm_scenario *sn, const char *output, const char *rejects_csv,
                    double t_write)
{
    const cm_config *cfg = st->cfg;
    char b1[40];
    static const char *const SCH[] = {"DIP", "CHS-DRG", "DIP and CHS-DRG"};
    printf("casemix %s: %s settlement, region %s, period %s\n", CM_VERSION, SCH[cfg->scheme], cfg->region,
           cfg->period);
    switch (cfg->scheme) {
    case CM_SCHEME_DIP:
        printf("  in force         DIP payments (按病种分值付费): /cases payment_fen, /institutions payment_fen\n");
        break;
    case CM_SCHEME_DRG:
        printf("  in force         CHS-DRG payments (按疾病诊断相关分组付费): /cases drg_payment_fen, "
               "/institutions drg_payment_fen\n");
        break;
    case CM_SCHEME_BOTH:
        printf("  in force         scheme \"both\": DIP and CHS-DRG each settle the same cases in full, each on "
               "its own budget.\n"
               "                   They are two alternative settlements, not one payment on top of the "
               "other: pay by one\n"
               "                   (DIP payment_fen or DRG drg_payment_fen); the other is for comparison.\n");
        break;
    }
    char pbuf[PATH_MAX];
    printf("  input            %s%s\n", shown_path(st->input, pbuf),
           st->input_encoding && strcmp(st->input_encoding, "UTF-8") ? " (decoded from GB18030/GBK)" : "");
    printf("  records read     %12lld  = cases %lld + rejects %lld  [%s]\n", (long long)st->records,
           (long long)st->cases, (long long)st->rejects,
           st->records == st->cases + st->rejects ? "reconciled" : "MISMATCH");
    if (st->dups) printf("  duplicate ids    %12lld  (rejected, not paid)\n", (long long)st->dups);
    settle_print_rejects(st);
    /* a run that rejects much shares the whole budget over what is left:
     * say so loudly (the payments are right for the cases kept, but the
     * input needs a look before they are used) */
    if (st->rejects * 100 >= st->records || st->rej_cost_fen * 100 > st->cost_fen + st->rej_cost_fen) {
        int64_t all_cost = st->cost_fen + st->rej_cost_fen;
        printf("  WARNING          %.1f%% of the records (%.1f%% of the cost that could be read) were rejected and are "
               "not paid;\n"
               "                   the whole budget is shared over the cases left. Read the rejects file before "
               "using these payments.\n",
               st->records ? 100.0 * (double)st->rejects / (double)st->records : 0.0,
               all_cost ? 100.0 * (double)st->rej_cost_fen / (double)all_cost : 0.0);
    }
    printf("  institutions     %12zu   level coefficients %.4f / %.4f / %.4f (%s)\n", st->ninst, sn->coef[1],
           sn->coef[2], sn->coef[3], cfg->coef_mode == CM_COEF_HISTORY ? "history" : "fixed");
    printf("  total cost       %18s yuan (the cases)\n", cm_yuan_text(b1, sizeof b1, st->cost_fen, 1));
    printf("  fund paid        %18s yuan   fund share %.6f (%s)\n", cm_yuan_text(b1, sizeof b1, st->fund_fen, 1), sn->fund_share,
           cfg->fund_share > 0 ? "budget.fund_share, not computed" : "Σ fund paid / Σ total cost");
    printf("  flags            categories!=total %lld, LOS!=dates %lld, fund+self!=total %lld, "
           "level!=institution's %lld%s\n",
           (long long)st->n_flag[0], (long long)st->n_flag[1], (long long)st->n_flag[3], (long long)st->n_flag[2],
           st->has_mtab ? " (the table's level is used)" : " (the first row's level is used)");
    printf("  quality notes    %12lld  on kept cases (field treated as missing: bad date %lld, patient %lld, "
           "amount %lld; age_days vs age_years %lld); see /quality\n",
           (long long)st->notes, (long long)st->n_flag[9], (long long)st->n_flag[10], (long long)st->n_flag[11],
           (long long)st->n_flag[12]);
    if (sn->dipt.on) {
        int64_t used = 0;
        for (size_t g = 0; g < st->ng; g++) used += st->group_n[g] > 0;
        printf("  DIP groups used  %12lld  of %zu (blank group KBBZ: %lld cases)\n", (long long)used, st->ng,
               (long long)st->n_blank);
        printf("  DIP outliers     low %lld, high %lld, special review %lld (cap %.1f‰; %lld more above %.1fx)\n",
               (long long)sn->dipt.n_outlier[SC_OUT_LOW], (long long)sn->dipt.n_outlier[SC_OUT_HIGH],
               (long long)sn->n_special, cfg->outliers.special_cap * 1000, (long long)sn->n_special_over,
               cfg->outliers.special);
        print_scheme(st, sn, "DIP", &sn->dipt, "points (分值)");
        printf("  standard cost    %s\n", std_cost_name(cfg->standard_cost));
    }
    if (sn->drgt.on) {
        int64_t used = 0;
        for (size_t d = 0; d < st->nd; d++) used += st->drg_n[d] > 0;
        printf("  DRG groups used  %12lld  of %zu (%s); 0000: %lld cases\n", (long long)used, st->nd,
               gr_drg_version(st->drg), (long long)st->n_drg_ungroupable);
        printf("  DRG outliers     low %lld, high %lld\n", (long long)sn->drgt.n_outlier[SC_OUT_LOW],
               (long long)sn->drgt.n_outlier[SC_OUT_HIGH]);
        print_scheme(st, sn, "DRG", &sn->drgt, "points (RW x 100)");
        printf("  DRG rate         %15.2f yuan per RW (费率)\n", sn->drgt.point_value * 100.0);
    }
    printf("  time             load %.2fs, read+group+score %.2fs, checks %.2fs, pay %.2fs, write %.2fs; "
           "%d threads, peak RSS %ld MiB\n",
           st->t_load, st->t_read, st->t_checks + sn->t_score, sn->t_pay, t_write, st->nt, peak_rss_kb() / 1024);
    printf("  output           %s\n", shown_path(output, pbuf));
    printf("  rejects file     %s (%lld rows; CSV, UTF-8 with BOM: opens in Excel)\n", shown_path(rejects_csv, pbuf),
           (long long)st->rejects);
    printf("  methods          docs/METHODS.md in the casemix repository: every formula, its default and "
           "the setting that changes it\n");
}
