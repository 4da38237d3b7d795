/*
 * indicators.c - institution indicators, peer percentiles (the PEPPER
 * method), the four-level rating (domain.md §7; docs/METHODS.md
 * "Indicators and rating"). Pure functions on integer partials.
 */
#include "scoring.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sc_ind_info IND[SC_IND__COUNT] = {
    {"cases", "cases", "病例数", SC_KIND_COUNT, SC_DIR_NONE, 0},
    {"cost_per_case", "per-case cost (yuan)", "次均费用", SC_KIND_MEAN, SC_DIR_NONE, 0},
    {"fund_ratio", "fund-payment ratio", "基金支付比例", SC_KIND_SHARE, SC_DIR_NONE, 0},
    {"self_pay_ratio", "self-pay ratio", "个人负担比例", SC_KIND_SHARE, SC_DIR_NONE, 0},
    {"cmi", "case-mix index (DIP, score before coefficients)", "病例组合指数(DIP)", SC_KIND_MEAN, SC_DIR_NONE, 0},
    {"drg_cmi", "case-mix index (DRG, mean RW)", "病例组合指数(DRG)", SC_KIND_MEAN, SC_DIR_NONE, 0},
    {"drg_grouping_rate", "DRG grouping rate", "入组率", SC_KIND_RATE, SC_DIR_HIGHER, 0},
    {"cost_index", "cost-consumption index", "费用消耗指数", SC_KIND_MEAN, SC_DIR_LOWER, 5},
    {"time_index", "time-consumption index", "时间消耗指数", SC_KIND_MEAN, SC_DIR_LOWER, 5},
    {"r01_rate", "readmission rate (R01)", "再入院率", SC_KIND_RATE, SC_DIR_LOWER, 10},
    {"r02_rate", "split-admission rate (R02)", "分解住院率", SC_KIND_RATE, SC_DIR_LOWER, 15},
    {"r04_rate", "overlapping-stay rate (R04)", "同一时段多次住院率", SC_KIND_RATE, SC_DIR_LOWER, 10},
    {"r05_rate", "duplicate-claim rate (R05)", "重复结算率", SC_KIND_RATE, SC_DIR_LOWER, 10},
    {"r06_rate", "bed-holding rate (R06)", "挂床住院率", SC_KIND_RATE, SC_DIR_LOWER, 10},
    {"r07_rate", "low-standard admission rate (R07)", "低标准入院率", SC_KIND_RATE, SC_DIR_LOWER, 10},
    {"r08_rate", "over-long stay rate (R08)", "超长住院率", SC_KIND_RATE, SC_DIR_LOWER, 5},
    {"r11_rate", "low-risk death rate of all cases (R11)", "低风险组死亡病例占比", SC_KIND_RATE, SC_DIR_LOWER, 0},
    {"cost_outlier_rate", "cost-outlier rate (DIP low + high)", "偏差病例率", SC_KIND_RATE, SC_DIR_LOWER, 5},
    {"blank_rate", "blank / ungroupable rate", "空白病种/未入组率", SC_KIND_RATE, SC_DIR_LOWER, 5},
    {"mcc_cc_share", "share of DRG cases with MCC/CC", "MCC/CC病例占比", SC_KIND_RATE, SC_DIR_BOTH, 0},
    {"low_risk_mortality", "low-risk-group mortality", "低风险组病例死亡率", SC_KIND_RATE, SC_DIR_LOWER, 10},
    {"share_services", "price-ratio structure: medical services", "医疗服务收入占比", SC_KIND_SHARE, SC_DIR_NONE, 0},
    {"share_drugs", "price-ratio structure: drugs and consumables", "药品耗材收入占比", SC_KIND_SHARE, SC_DIR_NONE, 0},
    {"share_exams", "price-ratio structure: examinations and tests", "检查化验收入占比", SC_KIND_SHARE, SC_DIR_NONE, 0},
    {"budget_progress", "budget progress (payments / annual target)", "总额进度", SC_KIND_PROGRESS, SC_DIR_NONE, 0},
    {"budget_gap", "budget progress minus share of the year elapsed", "总额进度差", SC_KIND_PROGRESS, SC_DIR_NONE, 0},
};

const sc_ind_info *sc_ind_info_of(int i)
{
    return i >= 0 && i < SC_IND__COUNT ? &IND[i] : NULL;
}

int sc_ind_find(const char *s, size_t n)
{
    for (int i = 0; i < SC_IND__COUNT; i++)
        if (strlen(IND[i].code) == n && memcmp(IND[i].code, s, n) == 0) return i;
    return -1;
}

static const char *const DIR_NAMES[SC_DIR__COUNT] = {"none", "lower", "higher", "both"};
const char *sc_dir_name(sc_ind_direction d)
{
    return (unsigned)d < SC_DIR__COUNT ? DIR_NAMES[d] : NULL;
}

const char *sc_peer_outlier_name(sc_peer_outlier o)
{
    static const char *const N[] = {"none", "high", "low", "not_ranked"};
    return (unsigned)o < 4 ? N[o] : NULL;
}

const char *sc_rating_name(sc_rating r)
{
    static const char *const N[] = {"excellent", "good", "pass", "fail", "not_rated"};
    return (unsigned)r < 5 ? N[r] : NULL;
}

const char *sc_rating_chinese(sc_rating r)
{
    static const char *const N[] = {"优秀", "良好", "合格", "不达标", "未评级"};
    return (unsigned)r < 5 ? N[r] : NULL;
}

void sc_ind_params_default(sc_ind_params *p)
{
    memset(p, 0, sizeof *p);
    p->pct_def = SC_PCT_MEAN;
    p->high_cut = 80;
    p->low_cut = 20;
    p->min_count = 11;
    for (int i = 0; i < SC_IND__COUNT; i++) {
        p->weight[i] = IND[i].weight;
        p->dir[i] = IND[i].dir;
    }
    p->cut_excellent = 90;
    p->cut_good = 80;
    p->cut_pass = 60;
}

sc_status sc_ind_params_check(const sc_ind_params *p)
{
    if (!(p->low_cut >= 0 && p->low_cut < p->high_cut && p->high_cut <= 100)) return SC_ERR_ARG;
    if (p->min_count < 0 || (unsigned)p->pct_def > SC_PCT_LINEAR) return SC_ERR_ARG;
    for (int i = 0; i < SC_IND__COUNT; i++)
        if (!(p->weight[i] >= 0 && isfinite(p->weight[i])) || (unsigned)p->dir[i] >= SC_DIR__COUNT)
            return SC_ERR_ARG;
    if (!(p->cut_pass >= 0 && p->cut_pass <= p->cut_good && p->cut_good <= p->cut_excellent &&
          p->cut_excellent <= 100))
        return SC_ERR_ARG;
    return SC_OK;
}

/* "code = value, code = value": calls item(i, value text) for each. */
static sc_status parse_list(const char *text, sc_ind_params *p, char *why, size_t whylen,
                            int (*item)(sc_ind_params *, int, const char *, size_t))
{
    const char *s = text;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',' || *s == ';') s++;
        if (!*s) break;
        const char *a = s;
        while (*s && *s != ',' && *s != ';') s++;
        const char *e = s;
        while (e > a && isspace((unsigned char)e[-1])) e--;
        const char *eq = NULL;
        for (const char *q = a; q < e && !eq; q++)
            if (*q == '=') eq = q;
        const char *ke = eq ? eq : e;
        while (ke > a && isspace((unsigned char)ke[-1])) ke--;
        int i = sc_ind_find(a, (size_t)(ke - a));
        if (!eq || i < 0) {
            snprintf(why, whylen, "'%.*s' is not 'indicator = value' with an indicator code of /indicator_names "
                                  "(e.g. r01_rate = 10)", (int)(e - a > 60 ? 60 : e - a), a);
            return SC_ERR_ARG;
        }
        const char *v = eq + 1;
        while (v < e && isspace((unsigned char)*v)) v++;
        if (item(p, i, v, (size_t)(e - v))) {
            snprintf(why, whylen, "'%.*s': the value of %s is not valid", (int)(e - a > 60 ? 60 : e - a), a, IND[i].code);
            return SC_ERR_ARG;
        }
    }
    return SC_OK;
}

static int weight_item(sc_ind_params *p, int i, const char *v, size_t n)
{
    char buf[40], *end;
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, v, n);
    buf[n] = 0;
    double w = strtod(buf, &end);
    if (*end || !(w >= 0) || !isfinite(w) || w > 1e6) return -1;
    p->weight[i] = w;
    return 0;
}

static int dir_item(sc_ind_params *p, int i, const char *v, size_t n)
{
    for (int d = 0; d < SC_DIR__COUNT; d++)
        if (strlen(DIR_NAMES[d]) == n && memcmp(DIR_NAMES[d], v, n) == 0) {
            p->dir[i] = (sc_ind_direction)d;
            return 0;
        }
    return -1;
}

sc_status sc_ind_parse_weights(const char *text, sc_ind_params *p, char *why, size_t whylen)
{
    return parse_list(text, p, why, whylen, weight_item);
}

sc_status sc_ind_parse_directions(const char *text, sc_ind_params *p, char *why, size_t whylen)
{
    return parse_list(text, p, why, whylen, dir_item);
}

void sc_ind_merge(sc_ind_partial *d, const sc_ind_partial *s)
{
    d->cases += s->cases;
    d->cost_fen += s->cost_fen;
    d->fund_fen += s->fund_fen;
    for (int q = 0; q < SC_BUCKET__COUNT; q++) d->bucket_fen[q] += s->bucket_fen[q];
    d->dip_score_e4 += s->dip_score_e4;
    d->n_blank += s->n_blank;
    d->n_outlier += s->n_outlier;
    d->drg_grouped += s->drg_grouped;
    d->drg_rw_e4 += s->drg_rw_e4;
    d->drg_ungroup += s->drg_ungroup;
    d->drg_cc += s->drg_cc;
    for (int r = 0; r < 13; r++) d->rule_hits[r] += s->rule_hits[r];
    d->low_risk_cases += s->low_risk_cases;
    d->low_risk_deaths += s->low_risk_deaths;
    d->pay_fen += s->pay_fen;
    d->target_fen += s->target_fen;
    d->ci_num += s->ci_num;
    d->ti_num += s->ti_num;
    d->ci_den += s->ci_den;
    d->ti_den += s->ti_den;
}

void sc_ind_add_case(sc_ind_partial *p, const sc_ind_case *c)
{
    p->cases++;
    p->cost_fen += c->cost_fen;
    p->fund_fen += c->fund_fen;
    for (int q = 0; q < SC_BUCKET__COUNT; q++) p->bucket_fen[q] += c->bucket_fen[q];
    p->dip_score_e4 += c->dip_score_e4;
    p->n_blank += c->blank != 0;
    p->n_outlier += c->outlier != 0;
    if (c->drg_grouped) {
        p->drg_grouped++;
        p->drg_rw_e4 += c->drg_rw_e4;
        p->drg_cc += c->cc != 0;
    } else {
        p->drg_ungroup++;
    }
    if (c->rules) /* most cases fire no rule */
        for (unsigned r = 0; r < 13; r++) p->rule_hits[r] += (c->rules >> r) & 1u;
    if (c->low_risk) {
        p->low_risk_cases++;
        p->low_risk_deaths += c->died != 0;
    }
}

void sc_consumption_add(double *num, int64_t *den, int64_t n_k, int64_t sum_k, int64_t n_r, int64_t sum_r)
{
    if (n_k <= 0 || n_r <= 0 || sum_r <= 0) return;
    *num += (double)sum_k * (double)n_r / (double)sum_r;
    *den += n_k;
}

static void set(sc_ind_value *o, int ev, double num, double den, int64_t n_num, int64_t n_den, double scale)
{
    o->evaluated = ev;
    if (!ev) {
        o->value = o->num = o->den = NAN;
        o->n_num = o->n_den = -1;
        return;
    }
    o->num = num;
    o->den = den;
    o->value = den != 0 ? num / den * scale : NAN;
    o->n_num = n_num;
    o->n_den = n_den;
}

static const int RULE_OF[SC_IND__COUNT] = {
    [SC_IND_R01_RATE] = 1, [SC_IND_R02_RATE] = 2, [SC_IND_R04_RATE] = 4, [SC_IND_R05_RATE] = 5,
    [SC_IND_R06_RATE] = 6, [SC_IND_R07_RATE] = 7, [SC_IND_R08_RATE] = 8, [SC_IND_R11_RATE] = 11,
};

void sc_ind_compute(const sc_ind_partial *p, const sc_ind_inputs *in, sc_ind_value out[SC_IND__COUNT])
{
    double n = (double)p->cases, cost = (double)p->cost_fen / 100.0, fund = (double)p->fund_fen / 100.0;
    set(&out[SC_IND_CASES], 1, n, 1, p->cases, p->cases, 1);
    set(&out[SC_IND_COST_PER_CASE], 1, cost, n, -1, p->cases, 1);
    set(&out[SC_IND_FUND_RATIO], 1, fund, cost, -1, p->cases, 1);
    set(&out[SC_IND_SELF_PAY_RATIO], 1, cost - fund, cost, -1, p->cases, 1);
    int64_t dipn = p->cases; /* every case has a DIP group (KBBZ included) */
    set(&out[SC_IND_CMI], in->dip, (double)p->dip_score_e4 / SC_SCORE_UNIT, (double)dipn, -1, dipn, 1);
    set(&out[SC_IND_DRG_CMI], in->drg, (double)p->drg_rw_e4 / SC_SCORE_UNIT, (double)p->drg_grouped, -1,
        p->drg_grouped, 1);
    set(&out[SC_IND_DRG_GROUPING_RATE], in->drg, (double)p->drg_grouped, n, p->drg_grouped, p->cases, 1);
    set(&out[SC_IND_COST_INDEX], in->dip || in->drg, p->ci_num, (double)p->ci_den, -1, p->ci_den, 1);
    set(&out[SC_IND_TIME_INDEX], in->dip || in->drg, p->ti_num, (double)p->ti_den, -1, p->ti_den, 1);
    for (int i = 0; i < SC_IND__COUNT; i++)
        if (RULE_OF[i]) {
            int r = RULE_OF[i] - 1;
            set(&out[i], in->rules[r], (double)p->rule_hits[r], n, p->rule_hits[r], p->cases, 1);
        }
    set(&out[SC_IND_OUTLIER_RATE], in->dip, (double)p->n_outlier, n, p->n_outlier, p->cases, 1);
    int64_t blank = in->dip ? p->n_blank : p->drg_ungroup;
    set(&out[SC_IND_BLANK_RATE], in->dip || in->drg, (double)blank, n, blank, p->cases, 1);
    set(&out[SC_IND_MCC_CC_SHARE], in->drg, (double)p->drg_cc, (double)p->drg_grouped, p->drg_cc, p->drg_grouped, 1);
    set(&out[SC_IND_LOW_RISK_MORTALITY], in->low_risk, (double)p->low_risk_deaths, (double)p->low_risk_cases,
        p->low_risk_deaths, p->low_risk_cases, 1);
    int64_t bs = p->bucket_fen[0] + p->bucket_fen[1] + p->bucket_fen[2];
    for (int q = 0; q < SC_BUCKET__COUNT; q++)
        set(&out[SC_IND_SHARE_SERVICES + q], 1, (double)p->bucket_fen[q] / 100.0, (double)bs / 100.0, -1,
            p->cases, 1);
    int tg = in->targets && p->target_fen > 0;
    set(&out[SC_IND_BUDGET_PROGRESS], tg, (double)p->pay_fen / 100.0, (double)p->target_fen / 100.0, -1, p->cases, 1);
    out[SC_IND_BUDGET_GAP] = out[SC_IND_BUDGET_PROGRESS];
    if (tg) {
        out[SC_IND_BUDGET_GAP].value = out[SC_IND_BUDGET_PROGRESS].value - in->year_elapsed;
        out[SC_IND_BUDGET_GAP].num = out[SC_IND_BUDGET_PROGRESS].value;
        out[SC_IND_BUDGET_GAP].den = in->year_elapsed;
    }
}

int sc_ind_rankable(const sc_ind_value *v, sc_ind_kind kind, int64_t min_count)
{
    if (!v->evaluated || isnan(v->value)) return 0;
    switch (kind) {
    case SC_KIND_COUNT:
    case SC_KIND_PROGRESS: return 0;
    case SC_KIND_RATE: return v->n_num >= min_count && v->n_den >= min_count;
    case SC_KIND_MEAN:
    case SC_KIND_SHARE: return v->n_den >= min_count;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sc_peer_percentiles(const double *v, size_t n, sc_pct_def def, double *pct, double *scratch)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) scratch[m++] = v[i];
    qsort(scratch, m, sizeof *scratch, cmp_double);
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) { pct[i] = NAN; continue; }
        /* below: first index with value >= v; upto: first index > v */
        size_t lo = 0, hi = m;
        while (lo < hi) { size_t md = (lo + hi) / 2; if (scratch[md] < v[i]) lo = md + 1; else hi = md; }
        size_t below = lo;
        hi = m;
        while (lo < hi) { size_t md = (lo + hi) / 2; if (scratch[md] <= v[i]) lo = md + 1; else hi = md; }
        size_t equal = lo - below;
        double M = (double)m;
        switch (def) {
        case SC_PCT_WEAK: pct[i] = 100.0 * (double)(below + equal) / M; break;
        case SC_PCT_STRICT: pct[i] = 100.0 * (double)below / M; break;
        case SC_PCT_MEAN: pct[i] = 100.0 * ((double)below + (double)equal / 2.0) / M; break;
        case SC_PCT_LINEAR: {
            /* average 1-based rank of the ties: below + (equal + 1) / 2 */
            double rank = (double)below + ((double)equal + 1.0) / 2.0;
            pct[i] = m > 1 ? 100.0 * (rank - 1.0) / (M - 1.0) : 50.0;
            break;
        }
        }
    }
}

const char *sc_ind_never_ranked_note(sc_ind_kind kind)
{
    switch (kind) {
    case SC_KIND_COUNT: return "a count, not ranked 计数不排名";
    case SC_KIND_PROGRESS: return "budget progress, not ranked 总额进度不排名";
    default: return NULL;
    }
}

sc_peer_outlier sc_peer_class(double pct, const sc_ind_params *p)
{
    if (isnan(pct)) return SC_PEER_NOT_RANKED;
    if (pct >= p->high_cut) return SC_PEER_HIGH;
    if (pct <= p->low_cut) return SC_PEER_LOW;
    return SC_PEER_NONE;
}

double sc_ind_growth(sc_ind_kind kind, double v, double prev)
{
    if (isnan(v) || isnan(prev)) return NAN;
    if (kind == SC_KIND_SHARE || kind == SC_KIND_PROGRESS) return (v - prev) * 100.0;
    return prev != 0 ? (v - prev) / prev : NAN;
}

/* an indicator whose outlier class is on its direction's bad side */
static int rate_bad(sc_peer_outlier c, sc_ind_direction d)
{
    return (c == SC_PEER_HIGH && (d == SC_DIR_LOWER || d == SC_DIR_BOTH)) ||
           (c == SC_PEER_LOW && (d == SC_DIR_HIGHER || d == SC_DIR_BOTH));
}

void sc_rate_lost(const sc_peer_outlier cls[SC_IND__COUNT], const sc_ind_params *p, double lost[SC_IND__COUNT])
{
    double W = 0;
    for (int i = 0; i < SC_IND__COUNT; i++) {
        lost[i] = 0;
        if (p->weight[i] > 0 && cls[i] != SC_PEER_NOT_RANKED) W += p->weight[i];
    }
    if (!(W > 0)) return;
    for (int i = 0; i < SC_IND__COUNT; i++)
        if (p->weight[i] > 0 && cls[i] != SC_PEER_NOT_RANKED && rate_bad(cls[i], p->dir[i]))
            lost[i] = 100.0 * p->weight[i] / W;
}

sc_rating sc_rate(const sc_peer_outlier cls[SC_IND__COUNT], const sc_ind_params *p, double points[SC_IND__COUNT],
                  double *score)
{
    double W = 0;
    for (int i = 0; i < SC_IND__COUNT; i++)
        if (p->weight[i] > 0 && cls[i] != SC_PEER_NOT_RANKED) W += p->weight[i];
    for (int i = 0; i < SC_IND__COUNT; i++) points[i] = NAN;
    if (!(W > 0)) {
        *score = NAN;
        return SC_RATE_NOT_RATED;
    }
    double s = 0;
    for (int i = 0; i < SC_IND__COUNT; i++) {
        if (!(p->weight[i] > 0) || cls[i] == SC_PEER_NOT_RANKED) continue;
        points[i] = rate_bad(cls[i], p->dir[i]) ? 0.0 : 100.0 * p->weight[i] / W;
        s += points[i];
    }
    *score = s;
    /* compare with a tolerance of 1e-9 so that 90 written as a sum of points is 90 */
    if (s >= p->cut_excellent - 1e-9) return SC_RATE_EXCELLENT;
    if (s >= p->cut_good - 1e-9) return SC_RATE_GOOD;
    if (s >= p->cut_pass - 1e-9) return SC_RATE_PASS;
    return SC_RATE_FAIL;
}
