/*
 * rules.c - supervision (稽核): the case rules R01-R13 of domain.md §7 as
 * data, and the pure functions that evaluate them (scoring.h
 * "Supervision"). The engine (engine/supervise.c) gathers the inputs,
 * runs these on all threads and writes /flags, /rules, /review_sample.
 */
#include "scoring.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

/* The national rule library's shape (智能审核和监控知识库、规则库框架体系
 * 1.0): id, names, family, result type. The parameters are sc_sup_params. */
static const sc_rule_def RULES[SC_RULE__COUNT] = {
    {"R01", "readmission within N days", "再入院(二次入院)", SC_FAM_MANAGEMENT, SC_RES_SUSPICIOUS},
    {"R02", "split admission", "分解住院", SC_FAM_MANAGEMENT, SC_RES_HIGHLY},
    {"R03", "transfer (not a violation)", "转院", SC_FAM_MANAGEMENT, SC_RES_INFO},
    {"R04", "overlapping stays", "同一时段多次住院", SC_FAM_POLICY, SC_RES_DEFINITE},
    {"R05", "duplicate claim", "重复结算", SC_FAM_POLICY, SC_RES_HIGHLY},
    {"R06", "bed-holding (proxy)", "挂床住院", SC_FAM_MANAGEMENT, SC_RES_SUSPICIOUS},
    {"R07", "low-standard admission", "低标准入院", SC_FAM_MEDICAL, SC_RES_SUSPICIOUS},
    {"R08", "over-long stay", "超长住院", SC_FAM_MEDICAL, SC_RES_SUSPICIOUS},
    {"R09", "sex conflict", "性别限定", SC_FAM_MEDICAL, SC_RES_DEFINITE},
    {"R10", "age conflict", "年龄限定", SC_FAM_MEDICAL, SC_RES_HIGHLY},
    {"R11", "death in a low-risk group", "低风险组死亡", SC_FAM_MEDICAL, SC_RES_SUSPICIOUS},
    {"R12", "cost outlier", "费用偏差病例", SC_FAM_MANAGEMENT, SC_RES_INFO},
    {"R13", "data quality", "数据质量", SC_FAM_MANAGEMENT, SC_RES_INFO},
};

const sc_rule_def *sc_rule(int r)
{
    return r >= 0 && r < SC_RULE__COUNT ? &RULES[r] : NULL;
}

const char *sc_family_name(sc_rule_family f)
{
    static const char *const n[] = {"policy", "management", "medical"};
    return (unsigned)f < SC_FAM__COUNT ? n[f] : "?";
}
const char *sc_family_zh(sc_rule_family f)
{
    static const char *const n[] = {"政策类", "管理类", "医疗类"};
    return (unsigned)f < SC_FAM__COUNT ? n[f] : "?";
}
const char *sc_result_name(sc_rule_result r)
{
    static const char *const n[] = {"definite", "highly_suspicious", "suspicious", "info"};
    return (unsigned)r < SC_RES__COUNT ? n[r] : "?";
}
const char *sc_result_zh(sc_rule_result r)
{
    static const char *const n[] = {"明确违规", "高度可疑", "可疑", "提示"};
    return (unsigned)r < SC_RES__COUNT ? n[r] : "?";
}

/* ICD-10 blocks restricted to one sex or age (domain.md §7); the same text
 * is in config/supervision/ for a region to copy and edit. */
const char SC_R09_FEMALE_DEFAULT[] = "O00-O99, C51-C58, D06, D25-D28, N70-N98, Z32-Z37, Z39";
const char SC_R09_MALE_DEFAULT[] = "C60-C63, D29, D40, N40-N51";
const char SC_R10_NEWBORN_DEFAULT[] = "P00-P96";
const char SC_R10_OBSTETRIC_DEFAULT[] = "O00-O99";

int sc_dx_category(const char *code)
{
    if (!code) return -1;
    int l = toupper((unsigned char)code[0]);
    if (l < 'A' || l > 'Z' || !isdigit((unsigned char)code[1]) || !isdigit((unsigned char)code[2])) return -1;
    return (l - 'A') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

static int is_sep(char c) { return c == ',' || c == ';' || c == ' ' || c == '\t'; }

sc_status sc_code_ranges_parse(const char *text, sc_code_ranges *out, size_t *bad_at)
{
    out->n = 0;
    size_t i = 0;
    while (text && text[i]) {
        if (is_sep(text[i])) { i++; continue; }
        size_t start = i;
        while (text[i] && !is_sep(text[i])) i++;
        size_t len = i - start;
        const char *t = text + start;
        int lo = -1, hi = -1;
        if (len == 3) {
            lo = hi = sc_dx_category(t);
        } else if (len == 7 && t[3] == '-') {
            lo = sc_dx_category(t);
            hi = sc_dx_category(t + 4);
        }
        if (lo < 0 || hi < lo || out->n == SC_CODE_RANGES_MAX) {
            if (bad_at) *bad_at = start;
            return SC_ERR_ARG;
        }
        out->r[out->n].lo = (int16_t)lo;
        out->r[out->n].hi = (int16_t)hi;
        out->n++;
    }
    return SC_OK;
}

int sc_code_ranges_has(const sc_code_ranges *l, int category)
{
    if (category < 0) return 0;
    for (int i = 0; i < l->n; i++)
        if (category >= l->r[i].lo && category <= l->r[i].hi) return 1;
    return 0;
}

sc_status sc_prefix_list_parse(const char *text, sc_prefix_list *out, size_t *bad_at)
{
    out->n = 0;
    size_t i = 0;
    while (text && text[i]) {
        if (is_sep(text[i])) { i++; continue; }
        size_t start = i;
        while (text[i] && !is_sep(text[i])) i++;
        size_t len = i - start;
        if (len >= SC_PREFIX_LEN || out->n == SC_PREFIXES_MAX) {
            if (bad_at) *bad_at = start;
            return SC_ERR_ARG;
        }
        memcpy(out->p[out->n], text + start, len);
        out->p[out->n][len] = '\0';
        out->n++;
    }
    return SC_OK;
}

int sc_prefix_list_has(const sc_prefix_list *l, const char *code)
{
    if (!code || !code[0]) return 0;
    for (int i = 0; i < l->n; i++) {
        const char *a = l->p[i], *b = code;
        while (*a && *b && toupper((unsigned char)*a) == toupper((unsigned char)*b)) a++, b++;
        if (!*a) return 1;
    }
    return 0;
}

void sc_sup_params_default(sc_sup_params *p)
{
    memset(p, 0, sizeof *p);
    for (int r = 0; r < SC_RULE__COUNT; r++) p->enabled[r] = 1;
    p->readmit_days = 15;
    sc_prefix_list_parse("Z51.0, Z51.1", &p->exempt_dx, NULL);
    p->exempt_emergency = 1;
    p->split_days = 15;
    p->transfer_days = 1;
    p->bed_min_los = 3;
    p->bed_service_max = 0.05;
    p->bed_fee_min = 0.30;
    p->low_max_los = 2;
    p->low_ratio_max = 0.4;
    p->long_los = 60;
    p->long_k = 3;
    sc_code_ranges_parse(SC_R09_FEMALE_DEFAULT, &p->female, NULL);
    sc_code_ranges_parse(SC_R09_MALE_DEFAULT, &p->male, NULL);
    p->newborn_age_max = 0;
    p->obstetric_age_min = 12;
    p->obstetric_age_max = 55;
    sc_code_ranges_parse(SC_R10_NEWBORN_DEFAULT, &p->newborn, NULL);
    sc_code_ranges_parse(SC_R10_OBSTETRIC_DEFAULT, &p->obstetric, NULL);
    p->lowrisk_z = -1;
}

/* ------------------------------------------------------------------ */
/* cross-case rules R01-R05                                            */
/* ------------------------------------------------------------------ */

int sc_stay_cmp(const sc_stay *a, const sc_stay *b)
{
    if (a->admit != b->admit) return a->admit < b->admit ? -1 : 1;
    if (a->discharge != b->discharge) return a->discharge < b->discharge ? -1 : 1;
    if (a->inst != b->inst) return a->inst < b->inst ? -1 : 1;
    return 0;
}

static void emit(sc_hit_fn fn, void *ctx, size_t *nh, int64_t k, int64_t other, int rule, sc_rule_result res,
                 double fig, double thr)
{
    sc_hit h = {k, other, rule, res, fig, thr};
    fn(ctx, &h);
    (*nh)++;
}

#define ON(r) (eval & (1u << (r)))

size_t sc_patient_rules(const sc_stay *st, size_t n, const sc_sup_params *p, unsigned eval, sc_hit_fn fn,
                        void *ctx)
{
    size_t nh = 0;
    size_t same = 0;    /* first stay with B's admission, discharge and institution */
    int64_t last = -1;  /* the earlier stay with the latest discharge (ties: the earlier) */
    for (size_t b = 0; b < n; b++) {
        const sc_stay *B = &st[b];
        if (b == 0 || sc_stay_cmp(&st[b - 1], B) != 0) same = b;
        /* R05: an earlier stay with the same admission, discharge and institution
         * (sorted, so they are consecutive: the first of them is the original) */
        int64_t dup = same < b ? (int64_t)same : -1;
        if (dup >= 0) {
            if (ON(SC_R05)) emit(fn, ctx, &nh, (int64_t)b, dup, SC_R05, SC_RES_HIGHLY, 0, 0);
            continue; /* a duplicate is neither a readmission nor an overlap of its original */
        }
        if (last >= 0) {
            const sc_stay *A = &st[last];
            if (B->admit < A->discharge) {
                /* R04: at least one night in common */
                if (ON(SC_R04)) {
                    int32_t end = A->discharge < B->discharge ? A->discharge : B->discharge;
                    if (end > B->admit)
                        emit(fn, ctx, &nh, (int64_t)b, last, SC_R04,
                             A->inst != B->inst ? SC_RES_DEFINITE : SC_RES_HIGHLY, end - B->admit, 1);
                }
            } else {
                int gap = B->admit - A->discharge;
                int transfer = A->dmode == 2 && A->inst != B->inst && gap <= p->transfer_days;
                if (transfer && ON(SC_R03))
                    emit(fn, ctx, &nh, (int64_t)b, last, SC_R03, SC_RES_INFO, gap, p->transfer_days);
                if (!transfer && !B->exempt) {
                    if (ON(SC_R01) && gap <= p->readmit_days)
                        emit(fn, ctx, &nh, (int64_t)b, last, SC_R01, SC_RES_SUSPICIOUS, gap, p->readmit_days);
                    if (ON(SC_R02) && gap <= p->split_days && A->inst == B->inst && B->pdx_category >= 0 &&
                        A->pdx_category == B->pdx_category && A->dmode != 5 && A->dmode != 2)
                        emit(fn, ctx, &nh, (int64_t)b, last, SC_R02, SC_RES_HIGHLY, gap, p->split_days);
                }
            }
        }
        if (last < 0 || B->discharge > st[last].discharge) last = (int64_t)b;
    }
    return nh;
}

/* ------------------------------------------------------------------ */
/* single-case rules                                                   */
/* ------------------------------------------------------------------ */

size_t sc_case_rules(const sc_case_in *c, int64_t k, const sc_sup_params *p, unsigned eval, sc_hit_fn fn,
                     void *ctx)
{
    size_t nh = 0;
    /* R06 bed-holding: LOS >= 3, services < 5% of total, bed fee > 30% (figure: services ‰) */
    if (ON(SC_R06) && c->los >= p->bed_min_los && c->total_fen > 0 && c->bed_fen >= 0 && c->service_fen >= 0) {
        double sv = (double)c->service_fen / (double)c->total_fen, bed = (double)c->bed_fen / (double)c->total_fen;
        if (sv < p->bed_service_max && bed > p->bed_fee_min)
            emit(fn, ctx, &nh, k, -1, SC_R06, SC_RES_SUSPICIOUS, sv * 1000.0, p->bed_service_max * 1000.0);
    }
    /* R07 low-standard admission: short, no procedure, not died / transferred, cheap;
     * or the principal dx on the configured list */
    if (ON(SC_R07)) {
        if (c->los >= 0 && c->los <= p->low_max_los && !c->has_procedure && c->dmode != 5 && c->dmode != 2 &&
            c->ratio >= 0 && c->ratio <= p->low_ratio_max)
            emit(fn, ctx, &nh, k, -1, SC_R07, SC_RES_SUSPICIOUS, c->ratio, p->low_ratio_max);
        else if (c->low_dx_listed)
            emit(fn, ctx, &nh, k, -1, SC_R07, SC_RES_SUSPICIOUS, c->los, -1);
    }
    /* R08 over-long stay: LOS > 60, or > k × the group's mean LOS */
    if (ON(SC_R08) && c->los >= 0) {
        if (c->los > p->long_los)
            emit(fn, ctx, &nh, k, -1, SC_R08, SC_RES_SUSPICIOUS, c->los, p->long_los);
        else if (c->group_mean_los > 0 && c->los > p->long_k * c->group_mean_los)
            emit(fn, ctx, &nh, k, -1, SC_R08, SC_RES_SUSPICIOUS, c->los, p->long_k * c->group_mean_los);
    }
    /* R11 death in a low-risk group (figure: the group's z; -inf written as -999) */
    if (ON(SC_R11) && c->dmode == 5 && c->lowrisk_group == 1)
        emit(fn, ctx, &nh, k, -1, SC_R11, SC_RES_SUSPICIOUS, isfinite(c->group_z) ? c->group_z : -999.0,
             p->lowrisk_z);
    return nh;
}

int sc_sex_conflict(const sc_sup_params *p, int sex, const char *const *codes, int n)
{
    const sc_code_ranges *other = sex == 1 ? &p->female : sex == 2 ? &p->male : NULL;
    if (!other) return -1;
    for (int i = 0; i < n; i++)
        if (sc_code_ranges_has(other, sc_dx_category(codes[i]))) return i;
    return -1;
}

int sc_age_conflict(const sc_sup_params *p, int age_years, const char *const *codes, int n)
{
    if (age_years < 0) return -1;
    for (int i = 0; i < n; i++) {
        int cat = sc_dx_category(codes[i]);
        if (age_years > p->newborn_age_max && sc_code_ranges_has(&p->newborn, cat)) return i;
        if ((age_years < p->obstetric_age_min || age_years > p->obstetric_age_max) &&
            sc_code_ranges_has(&p->obstetric, cat))
            return i;
    }
    return -1;
}

sc_status sc_lowrisk_groups(const int64_t *deaths, const int64_t *cases, size_t n, double z_max, uint8_t *out,
                            double *z)
{
    double sum = 0, sq = 0;
    size_t m = 0;
    for (size_t g = 0; g < n; g++)
        if (cases[g] > 0 && deaths[g] > 0) {
            double l = log((double)deaths[g] / (double)cases[g]);
            sum += l;
            m++;
        }
    double mean = m ? sum / (double)m : 0;
    for (size_t g = 0; g < n; g++)
        if (cases[g] > 0 && deaths[g] > 0) {
            double d = log((double)deaths[g] / (double)cases[g]) - mean;
            sq += d * d;
        }
    double sd = m ? sqrt(sq / (double)m) : 0;
    for (size_t g = 0; g < n; g++) {
        double zg = NAN;
        out[g] = 0;
        if (cases[g] > 0 && deaths[g] == 0) {
            zg = -INFINITY;
            out[g] = 1;
        } else if (cases[g] > 0) {
            zg = sd > 0 ? (log((double)deaths[g] / (double)cases[g]) - mean) / sd : 0;
            out[g] = zg < z_max;
        }
        if (z) z[g] = zg;
    }
    return m ? SC_OK : SC_ERR_EMPTY;
}

/* ------------------------------------------------------------------ */
/* re-review sample                                                    */
/* ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30; x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27; x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* (h, position) order: a before b */
static int before(const uint64_t *h, uint32_t a, uint32_t b)
{
    return h[a] < h[b] || (h[a] == h[b] && a < b);
}

/* sift down in a max-heap (the last in order on top) of n positions */
static void sift(uint32_t *heap, size_t n, size_t i, const uint64_t *h)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < n && before(h, heap[top], heap[l])) top = l;
        if (r < n && before(h, heap[top], heap[r])) top = r;
        if (top == i) return;
        uint32_t t = heap[i]; heap[i] = heap[top]; heap[top] = t;
        i = top;
    }
}

/* marks with `mark` the k first positions in (h, position) order among
 * those with out[i] == 0 and (want_flag < 0 or flagged[i] == want_flag):
 * a max-heap of k (O(m log k)); returns how many were marked */
static size_t take_first(size_t m, const uint8_t *flagged, int want_flag, const uint64_t *h, size_t k, uint8_t *out,
                         uint8_t mark, uint32_t *heap)
{
    if (k == 0) return 0;
    size_t n = 0;
    for (size_t i = 0; i < m; i++) {
        if (out[i] || (want_flag >= 0 && flagged[i] != want_flag)) continue;
        if (n < k) {
            heap[n++] = (uint32_t)i;
            if (n == k)
                for (size_t q = k / 2 + 1; q-- > 0;) sift(heap, n, q, h);
        } else if (before(h, (uint32_t)i, heap[0])) {
            heap[0] = (uint32_t)i;
            sift(heap, n, 0, h);
        }
    }
    for (size_t q = 0; q < n; q++) out[heap[q]] = mark;
    return n;
}

uint64_t sc_sample_key(uint64_t key, uint64_t seed)
{
    return mix64(key ^ mix64(seed + UINT64_C(0x9e3779b97f4a7c15)));
}

size_t sc_sample_pick(size_t m, const uint8_t *flagged, const uint64_t *h, double rate, double flagged_share,
                      uint8_t *out, uint32_t *scratch_i)
{
    if (m == 0) return 0;
    size_t want = (size_t)ceil(rate * (double)m - 1e-9);
    if (want > m) want = m;
    size_t fmax = (size_t)ceil(flagged_share * (double)want - 1e-9);
    memset(out, 0, m);
    size_t got = take_first(m, flagged, 1, h, fmax < want ? fmax : want, out, 1, scratch_i);
    got += take_first(m, flagged, -1, h, want - got, out, 2, scratch_i);
    return got;
}

size_t sc_sample_institution(size_t m, const uint8_t *flagged, const uint64_t *key, uint64_t seed, double rate,
                             double flagged_share, uint8_t *out, uint64_t *scratch_h, uint32_t *scratch_i)
{
    for (size_t i = 0; i < m; i++) scratch_h[i] = sc_sample_key(key[i], seed);
    return sc_sample_pick(m, flagged, scratch_h, rate, flagged_share, out, scratch_i);
}

/* ------------------------------------------------------------------ */
/* the previous period's window (supervision.previous_input)           */
/* ------------------------------------------------------------------ */

int sc_cross_window(const sc_sup_params *p, unsigned eval)
{
    int w = 0;
    if ((eval & (1u << SC_R01)) && p->readmit_days > w) w = p->readmit_days;
    if ((eval & (1u << SC_R02)) && p->split_days > w) w = p->split_days;
    if ((eval & (1u << SC_R03)) && p->transfer_days > w) w = p->transfer_days;
    return w;
}

int sc_previous_kept(int32_t discharge, int32_t first_admit, int window)
{
    return (int64_t)discharge >= (int64_t)first_admit - window;
}
