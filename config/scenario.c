/*
 * scenario.c - the policy simulation scenarios of a configuration
 * (simulate.scenarios; README "Policy simulation", config/example.cfg):
 *
 *   simulate = {
 *     case_output = false;
 *     scenarios = (
 *       { name = "identity"; },
 *       { name = "reprice"; policy = "fixed_budget_rescored";
 *         categories = { services = 1.10; exams = 0.90; western = 0.95; };
 *         levels = ( { level = 3; categories = { surgery = 1.15; }; } );
 *         institutions = ( { id = "H0001"; categories = { nursing = 1.2; }; } );
 *         settings = { outliers = { high = 3.0; }; };
 *         solve = { target = "fund"; categories = ["exam", "lab"]; range = [0.5, 1.5]; };
 *       }
 *     );
 *   };
 *
 * The file is read again (the main loader reads simulate.scenarios as an
 * opaque key, K_EXTERN); settings go through the main key table
 * (cm_config_overlay), so a scenario's setting is checked exactly as the
 * top-level one. Multipliers are fixed point (SC_MULT_ONE = 1.0): the
 * number rounded to 12 decimals. Nothing is printed; every error names
 * file:line, the key and what to do.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"

static cm_cfg_status sfail(cm_cfg_error *e, const char *file, int line, const char *key, cm_cfg_status st,
                           const char *fmt, ...)
{
    snprintf(e->file, sizeof e->file, "%s", file);
    e->line = line;
    snprintf(e->key, sizeof e->key, "%s", key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return st;
}

#define LINE(s) ((int)config_setting_source_line(s))

const char *cm_policy_name(cm_policy p)
{
    switch (p) {
    case CM_POLICY_RESCORED: return "fixed_budget_rescored";
    case CM_POLICY_BUDGET_ADJUSTED: return "budget_adjusted";
    case CM_POLICY_FIXED_POINT: return "fixed_point_value";
    }
    return "?";
}

const char *cm_solve_name(cm_solve_target t)
{
    switch (t) {
    case CM_SOLVE_NONE: return "none";
    case CM_SOLVE_TOTAL_COST: return "total_cost";
    case CM_SOLVE_FUND: return "fund";
    }
    return "?";
}

static const char CAT_LIST[] = "bed, consult, exam, lab, treatment, surgery, nursing, material, western, herbal, "
                               "patent, general, registration, other (or cost_<name>), or a bucket: services, "
                               "drugs, exams";

/* Category k of name (with or without "cost_"), or -1. */
static int cat_of(const char *name)
{
    const char *n = strncmp(name, "cost_", 5) == 0 ? name + 5 : name;
    for (int k = 0; k < SC_CAT__COUNT; k++)
        if (strcmp(sc_category_column((sc_category)k) + 5, n) == 0) return k;
    return -1;
}

static int bucket_of(const char *name)
{
    for (int b = 0; b < SC_BUCKET__COUNT; b++)
        if (strcmp(sc_bucket_name((sc_bucket)b), name) == 0) return b;
    return -1;
}

static int is_num(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

/* A multiplier in (0, 100] as fixed point. */
static cm_cfg_status read_mult(const config_setting_t *v, const char *file, const char *kp, int64_t *m,
                               cm_cfg_error *e)
{
    if (!is_num(v))
        return sfail(e, file, LINE(v), kp, CM_CFG_ERR_TYPE,
                     "must be a number, the price multiplier (1.10 = +10%%, 0.9 = -10%%)");
    double d = config_setting_get_float(v);
    if (config_setting_type(v) != CONFIG_TYPE_FLOAT) d = (double)config_setting_get_int64(v);
    if (!(d > 0 && d <= 100))
        return sfail(e, file, LINE(v), kp, CM_CFG_ERR_VALUE,
                     "%.15g is not a multiplier in (0, 100]; 1.10 raises the category by 10%%", d);
    *m = llround(d * 1e12);
    return CM_CFG_OK;
}

/* categories = { name = m; ... } into mult[] (buckets first, then single
 * categories); set[k] marks the categories given. */
static cm_cfg_status read_cats(const config_setting_t *g, const char *file, const char *prefix, int64_t *mult,
                               uint8_t *set, cm_cfg_error *e)
{
    char kp[128];
    if (!config_setting_is_group(g))
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_TYPE,
                     "must be a group of multipliers, e.g. categories = { surgery = 1.10; exam = 0.9; };");
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *v = config_setting_get_elem(g, (unsigned)i);
            const char *nm = config_setting_name(v);
            snprintf(kp, sizeof kp, "%s.%s", prefix, nm);
            int b = bucket_of(nm), k = cat_of(nm);
            if (b < 0 && k < 0)
                return sfail(e, file, LINE(v), kp, CM_CFG_ERR_KEY, "unknown cost category; use one of %s",
                             CAT_LIST);
            if ((pass == 0) != (b >= 0)) continue;
            int64_t m;
            cm_cfg_status st = read_mult(v, file, kp, &m, e);
            if (st) return st;
            for (int c = 0; c < SC_CAT__COUNT; c++)
                if (b >= 0 ? (int)sc_category_bucket((sc_category)c) == b : c == k) {
                    mult[c] = m;
                    if (set) set[c] = 1;
                }
        }
    }
    return CM_CFG_OK;
}

static cm_cfg_status check_members(const config_setting_t *g, const char *file, const char *prefix,
                                   const char *const *allowed, cm_cfg_error *e)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *nm = config_setting_name(m);
        int ok = 0;
        for (int j = 0; allowed[j]; j++) ok |= strcmp(allowed[j], nm) == 0;
        if (!ok) {
            char kp[128], list[256] = "";
            snprintf(kp, sizeof kp, "%s.%s", prefix, nm ? nm : "?");
            for (int j = 0; allowed[j]; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", allowed[j]);
            return sfail(e, file, LINE(m), kp, CM_CFG_ERR_KEY, "not a key here; the keys of %s are: %s", prefix,
                         list);
        }
    }
    return CM_CFG_OK;
}

/* The settings a scenario may override: those of the settlement that do
 * not change the period (tables, input, history files stay). */
static cm_cfg_status read_settings(cm_scenario_def *d, config_setting_t *g, const char *file, const char *prefix,
                                   cm_cfg_error *e)
{
    static const char *const TOP[] = {"outliers", "coefficients", "budget", "scores", "dip", "drg", NULL};
    static const char *const DIP[] = {"blank_factor", NULL};
    static const char *const DRG[] = {"low_ratio", "rw_band_low", "rw_band_high", "high_k_low_rw",
                                      "high_k_mid_rw", "high_k_high_rw", NULL};
    static const char *const SCORES[] = {"source", "year_weights", "trim_low", "trim_high", "trim_min_cases",
                                         "scale", "scale_factor", NULL};
    char kp[160];
    if (!config_setting_is_group(g))
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_TYPE,
                     "must be a group laid out as the top level, e.g. settings = { outliers = { high = 3.0; }; };");
    cm_cfg_status st = check_members(g, file, prefix, TOP, e);
    if (st) return st;
    size_t tl = 0;
    for (int i = 0; i < config_setting_length(g); i++) {
        config_setting_t *grp = config_setting_get_elem(g, (unsigned)i);
        const char *gn = config_setting_name(grp);
        snprintf(kp, sizeof kp, "%s.%s", prefix, gn);
        if (!config_setting_is_group(grp))
            return sfail(e, file, LINE(grp), kp, CM_CFG_ERR_TYPE, "must be a group, as at the top level");
        const char *const *allowed = !strcmp(gn, "dip") ? DIP : !strcmp(gn, "drg") ? DRG
                                     : !strcmp(gn, "scores") ? SCORES : NULL;
        if (allowed && (st = check_members(grp, file, kp, allowed, e))) return st;
        if (!strcmp(gn, "scores")) d->recalibrate = 1;
        for (int j = 0; j < config_setting_length(grp); j++) {
            config_setting_t *m = config_setting_get_elem(grp, (unsigned)j);
            const char *mn = config_setting_name(m);
            if (!strcmp(gn, "budget") && config_setting_type(m) != CONFIG_TYPE_STRING &&
                (!strcmp(mn, "fund_budget") || !strcmp(mn, "drg_budget"))) {
                snprintf(kp, sizeof kp, "%s.budget.%s", prefix, mn);
                return sfail(e, file, LINE(m), kp, CM_CFG_ERR_TYPE,
                             "write a scenario's budget as a string in yuan, e.g. \"120000000.00\"");
            }
            /* the key and, for a plain value, the value in force ("outliers.high = 3") */
            char val[64] = "";
            switch (config_setting_type(m)) {
            case CONFIG_TYPE_INT: snprintf(val, sizeof val, " = %d", config_setting_get_int(m)); break;
            case CONFIG_TYPE_INT64: snprintf(val, sizeof val, " = %lld", config_setting_get_int64(m)); break;
            case CONFIG_TYPE_FLOAT: snprintf(val, sizeof val, " = %g", config_setting_get_float(m)); break;
            case CONFIG_TYPE_BOOL: snprintf(val, sizeof val, " = %s", config_setting_get_bool(m) ? "true" : "false"); break;
            case CONFIG_TYPE_STRING: snprintf(val, sizeof val, " = %.48s", config_setting_get_string(m)); break;
            default: break;
            }
            int w = snprintf(d->settings_text + tl, sizeof d->settings_text - tl, "%s%s.%s%s", tl ? ", " : "", gn,
                             mn, val);
            if (w > 0 && (size_t)w < sizeof d->settings_text - tl) tl += (size_t)w;
        }
    }
    d->has_settings = 1;
    cm_cfg_error oe;
    memset(&oe, 0, sizeof oe);
    st = cm_config_overlay(&d->cfg, g, &oe);
    if (st) {
        *e = oe;
        snprintf(e->file, sizeof e->file, "%s", file);
        char k2[128];
        snprintf(k2, sizeof k2, "%s.%s", prefix, oe.key);
        snprintf(e->key, sizeof e->key, "%s", k2);
        if (e->line <= 0) e->line = LINE(g);
    }
    return st;
}

static cm_cfg_status read_solve(cm_scenario_def *d, const config_setting_t *g, const char *file, const char *prefix,
                                const uint8_t *overridden, const uint8_t *region_set, cm_cfg_error *e)
{
    static const char *const KEYS[] = {"target", "categories", "point_value", "range", NULL};
    char kp[160];
    if (!config_setting_is_group(g))
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_TYPE,
                     "must be a group, e.g. solve = { target = \"fund\"; categories = [\"exam\", \"lab\"]; };");
    cm_cfg_status st = check_members(g, file, prefix, KEYS, e);
    if (st) return st;
    const config_setting_t *t = config_setting_get_member(g, "target");
    snprintf(kp, sizeof kp, "%s.target", prefix);
    if (!t || config_setting_type(t) != CONFIG_TYPE_STRING)
        return sfail(e, file, t ? LINE(t) : LINE(g), kp, CM_CFG_ERR_VALUE,
                     "give the total the solve keeps unchanged: target = \"total_cost\" or \"fund\"");
    const char *tv = config_setting_get_string(t);
    if (!strcmp(tv, "total_cost")) d->solve = CM_SOLVE_TOTAL_COST;
    else if (!strcmp(tv, "fund")) d->solve = CM_SOLVE_FUND;
    else
        return sfail(e, file, LINE(t), kp, CM_CFG_ERR_VALUE, "'%s' is not a target; use \"total_cost\" or \"fund\"",
                     tv);
    const config_setting_t *pv = config_setting_get_member(g, "point_value");
    if (pv) {
        snprintf(kp, sizeof kp, "%s.point_value", prefix);
        if (config_setting_type(pv) != CONFIG_TYPE_BOOL)
            return sfail(e, file, LINE(pv), kp, CM_CFG_ERR_TYPE, "must be true or false");
        d->solve_point_value = config_setting_get_bool(pv);
    }
    const config_setting_t *cs = config_setting_get_member(g, "categories");
    if (cs) {
        snprintf(kp, sizeof kp, "%s.categories", prefix);
        int tp = config_setting_type(cs);
        if ((tp != CONFIG_TYPE_ARRAY && tp != CONFIG_TYPE_LIST) || config_setting_length(cs) == 0)
            return sfail(e, file, LINE(cs), kp, CM_CFG_ERR_TYPE,
                         "must be a non-empty array of category names, e.g. [\"exam\", \"lab\", \"western\"]");
        for (int i = 0; i < config_setting_length(cs); i++) {
            const config_setting_t *c = config_setting_get_elem(cs, (unsigned)i);
            const char *nm = config_setting_type(c) == CONFIG_TYPE_STRING ? config_setting_get_string(c) : "";
            int k = cat_of(nm), b = bucket_of(nm);
            if (k < 0 && b < 0)
                return sfail(e, file, LINE(cs), kp, CM_CFG_ERR_VALUE, "'%s' is not a cost category; use one of %s",
                             nm, CAT_LIST);
            for (int q = 0; q < SC_CAT__COUNT; q++)
                if (b >= 0 ? (int)sc_category_bucket((sc_category)q) == b : q == k) d->solve_cats |= (uint16_t)(1u << q);
        }
        for (int q = 0; q < SC_CAT__COUNT; q++)
            if ((d->solve_cats >> q & 1) && overridden[q])
                return sfail(e, file, LINE(cs), kp, CM_CFG_ERR_VALUE,
                             "category %s has level or institution multipliers; the solve sets one multiplier "
                             "for the whole region: leave it out of levels/institutions or of the solve",
                             sc_category_column((sc_category)q) + 5);
        /* a multiplier the solve would silently replace */
        for (int q = 0; q < SC_CAT__COUNT; q++)
            if ((d->solve_cats >> q & 1) && region_set[q])
                return sfail(e, file, LINE(cs), kp, CM_CFG_ERR_VALUE,
                             "category %s has a multiplier in categories = { ... } and is also solved: the solve "
                             "replaces that multiplier; leave the category out of one of them",
                             sc_category_column((sc_category)q) + 5);
    }
    if (!!d->solve_cats == !!d->solve_point_value)
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_VALUE,
                     "solve either the multiplier of categories (categories = [...]) or the factor on the point "
                     "value (point_value = true), one of the two");
    if (d->solve_cats && d->price_table[0])
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_VALUE,
                     "a scenario with a price_table solves only the factor on the point value (point_value = true)");
    if (d->solve_point_value && (d->policy != CM_POLICY_FIXED_POINT || d->solve != CM_SOLVE_FUND))
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_VALUE,
                     "the factor on the point value keeps the fund outlay of policy \"fixed_point_value\": set "
                     "policy = \"fixed_point_value\" and target = \"fund\"");
    d->solve_lo = SC_MULT_ONE / 4;
    d->solve_hi = SC_MULT_ONE * 4;
    const config_setting_t *r = config_setting_get_member(g, "range");
    if (r) {
        snprintf(kp, sizeof kp, "%s.range", prefix);
        int tp = config_setting_type(r);
        if ((tp != CONFIG_TYPE_ARRAY && tp != CONFIG_TYPE_LIST) || config_setting_length(r) != 2)
            return sfail(e, file, LINE(r), kp, CM_CFG_ERR_TYPE, "must be two multipliers [low, high], e.g. [0.5, 1.5]");
        if ((st = read_mult(config_setting_get_elem(r, 0), file, kp, &d->solve_lo, e)) ||
            (st = read_mult(config_setting_get_elem(r, 1), file, kp, &d->solve_hi, e)))
            return st;
        if (d->solve_lo >= d->solve_hi)
            return sfail(e, file, LINE(r), kp, CM_CFG_ERR_VALUE, "low must be below high");
    }
    return CM_CFG_OK;
}

static cm_cfg_status read_scenario(cm_scenario_def *d, config_setting_t *g, int idx, const cm_config *base,
                                   cm_cfg_error *e)
{
    static const char *const KEYS[] = {"name", "policy", "categories", "levels", "institutions", "settings",
                                       "solve", "price_table", NULL};
    const char *file = base->path;
    char prefix[96], kp[192];
    snprintf(prefix, sizeof prefix, "simulate.scenarios[%d]", idx);
    d->line = LINE(g);
    d->cfg = *base;
    cm_config_relink(&d->cfg);
    for (int k = 0; k < SC_CAT__COUNT; k++) d->mult[k] = SC_MULT_ONE;
    if (!config_setting_is_group(g))
        return sfail(e, file, LINE(g), prefix, CM_CFG_ERR_TYPE,
                     "must be a group { name = \"reprice\"; categories = { ... }; ... }");
    cm_cfg_status st = check_members(g, file, prefix, KEYS, e);
    if (st) return st;
    const config_setting_t *n = config_setting_get_member(g, "name");
    snprintf(kp, sizeof kp, "%s.name", prefix);
    if (!n || config_setting_type(n) != CONFIG_TYPE_STRING)
        return sfail(e, file, n ? LINE(n) : LINE(g), kp, CM_CFG_ERR_VALUE,
                     "every scenario needs a name = \"...\" (letters, digits, _ and -)");
    const char *nm = config_setting_get_string(n);
    size_t nl = strlen(nm);
    int okname = nl > 0 && nl < sizeof d->name;
    for (size_t i = 0; i < nl; i++) okname &= isalnum((unsigned char)nm[i]) || nm[i] == '_' || nm[i] == '-';
    if (!okname)
        return sfail(e, file, LINE(n), kp, CM_CFG_ERR_VALUE,
                     "'%s' is not a scenario name: 1 to %d letters, digits, '_' or '-' (it names "
                     "/scenarios/NAME in the output)", nm, (int)sizeof d->name - 1);
    memcpy(d->name, nm, nl + 1);
    snprintf(prefix, sizeof prefix, "simulate.scenarios[%d] (%s)", idx, d->name);
    const config_setting_t *p = config_setting_get_member(g, "policy");
    if (p) {
        snprintf(kp, sizeof kp, "%s.policy", prefix);
        const char *pv = config_setting_type(p) == CONFIG_TYPE_STRING ? config_setting_get_string(p) : "";
        int found = 0;
        for (int q = 0; q <= CM_POLICY_FIXED_POINT; q++)
            if (!strcmp(pv, cm_policy_name((cm_policy)q))) { d->policy = (cm_policy)q; found = 1; }
        if (!found)
            return sfail(e, file, LINE(p), kp, CM_CFG_ERR_VALUE,
                         "must be \"fixed_budget_rescored\" (价值平移), \"budget_adjusted\" or \"fixed_point_value\"");
    }
    uint8_t overridden[SC_CAT__COUNT] = {0}, region_set[SC_CAT__COUNT] = {0};
    config_setting_t *c = config_setting_get_member(g, "categories");
    if (c) {
        snprintf(kp, sizeof kp, "%s.categories", prefix);
        if ((st = read_cats(c, file, kp, d->mult, region_set, e))) return st;
    }
    config_setting_t *lv = config_setting_get_member(g, "levels");
    if (lv) {
        snprintf(kp, sizeof kp, "%s.levels", prefix);
        if (!config_setting_is_list(lv))
            return sfail(e, file, LINE(lv), kp, CM_CFG_ERR_TYPE,
                         "must be a list ( { level = 3; categories = { surgery = 1.15; }; }, ... )");
        for (int i = 0; i < config_setting_length(lv); i++) {
            config_setting_t *x = config_setting_get_elem(lv, (unsigned)i);
            char kx[224];
            snprintf(kx, sizeof kx, "%s[%d]", kp, i);
            static const char *const LK[] = {"level", "categories", NULL};
            if (!config_setting_is_group(x) || (st = check_members(x, file, kx, LK, e)))
                return st ? st : sfail(e, file, LINE(x), kx, CM_CFG_ERR_TYPE, "must be a group { level = 3; categories = {...}; }");
            const config_setting_t *l = config_setting_get_member(x, "level");
            config_setting_t *xc = config_setting_get_member(x, "categories");
            int L = l && config_setting_type(l) == CONFIG_TYPE_INT ? config_setting_get_int(l) : 0;
            if (L < 1 || L > 3 || !xc)
                return sfail(e, file, LINE(x), kx, CM_CFG_ERR_VALUE,
                             "needs level = 1, 2 or 3 (一/二/三级) and categories = { ... }");
            uint8_t set[SC_CAT__COUNT] = {0};
            if ((st = read_cats(xc, file, kx, d->level_mult[L], set, e))) return st;
            for (int q = 0; q < SC_CAT__COUNT; q++) overridden[q] |= set[q];
        }
    }
    config_setting_t *is = config_setting_get_member(g, "institutions");
    if (is) {
        snprintf(kp, sizeof kp, "%s.institutions", prefix);
        if (!config_setting_is_list(is))
            return sfail(e, file, LINE(is), kp, CM_CFG_ERR_TYPE,
                         "must be a list ( { id = \"H0001\"; categories = { nursing = 1.2; }; }, ... )");
        for (int i = 0; i < config_setting_length(is); i++) {
            config_setting_t *x = config_setting_get_elem(is, (unsigned)i);
            char kx[224];
            snprintf(kx, sizeof kx, "%s[%d]", kp, i);
            static const char *const IK[] = {"id", "categories", NULL};
            if (!config_setting_is_group(x) || (st = check_members(x, file, kx, IK, e)))
                return st ? st : sfail(e, file, LINE(x), kx, CM_CFG_ERR_TYPE, "must be a group { id = \"H0001\"; categories = {...}; }");
            const config_setting_t *id = config_setting_get_member(x, "id");
            config_setting_t *xc = config_setting_get_member(x, "categories");
            const char *idv = id && config_setting_type(id) == CONFIG_TYPE_STRING ? config_setting_get_string(id) : "";
            if (!idv[0] || strlen(idv) >= sizeof d->inst[0].inst_id || !xc)
                return sfail(e, file, LINE(x), kx, CM_CFG_ERR_VALUE,
                             "needs id = \"...\" (the institution id, 定点医药机构编码, under 32 bytes) and "
                             "categories = { ... }");
            int64_t m[SC_CAT__COUNT] = {0};
            uint8_t set[SC_CAT__COUNT] = {0};
            if ((st = read_cats(xc, file, kx, m, set, e))) return st;
            for (int q = 0; q < SC_CAT__COUNT; q++) {
                if (!set[q]) continue;
                if (d->n_inst == CM_SCEN_MAX_INST)
                    return sfail(e, file, LINE(x), kx, CM_CFG_ERR_VALUE,
                                 "more than %d institution multipliers in one scenario", CM_SCEN_MAX_INST);
                cm_inst_mult *im = &d->inst[d->n_inst++];
                snprintf(im->inst_id, sizeof im->inst_id, "%s", idv);
                im->cat = (uint8_t)q;
                im->m = m[q];
                overridden[q] = 1;
            }
        }
    }
    const config_setting_t *ptab = config_setting_get_member(g, "price_table");
    if (ptab) {
        snprintf(kp, sizeof kp, "%s.price_table", prefix);
        const char *v = config_setting_type(ptab) == CONFIG_TYPE_STRING ? config_setting_get_string(ptab) : "";
        if (!v[0])
            return sfail(e, file, LINE(ptab), kp, CM_CFG_ERR_TYPE,
                         "must be the path of a price table CSV (项目编码, 新单价) in double quotes");
        if (c || lv || is)
            return sfail(e, file, LINE(ptab), kp, CM_CFG_ERR_VALUE,
                         "a scenario re-prices either by items (price_table) or by categories "
                         "(categories, levels, institutions), not both: make two scenarios");
        if (!base->sim_fee_file[0])
            return sfail(e, file, LINE(ptab), kp, CM_CFG_ERR_VALUE,
                         "item re-pricing needs the fee lines: set simulate.fee_file = \"fees.csv\" "
                         "(费用明细: case id, item code, category, quantity, unit price, amount)");
        char dir[CM_PATH_MAX];
        snprintf(dir, sizeof dir, "%s", file);
        char *sl = strrchr(dir, '/');
        if (v[0] == '/' || !sl) snprintf(d->price_table, sizeof d->price_table, "%s", v);
        else {
            sl[1] = 0;
            snprintf(d->price_table, sizeof d->price_table, "%s%s", dir, v);
        }
        FILE *pf = fopen(d->price_table, "r");
        if (!pf)
            return sfail(e, file, LINE(ptab), kp, CM_CFG_ERR_IO, "cannot read %s; check the path (relative paths "
                         "are read from the configuration's directory)", d->price_table);
        fclose(pf);
    }
    config_setting_t *se = config_setting_get_member(g, "settings");
    if (se) {
        snprintf(kp, sizeof kp, "%s.settings", prefix);
        if ((st = read_settings(d, se, file, kp, e))) return st;
        /* fixed_point_value keeps the baseline's point value: the outlay follows the points, a budget
         * setting would change nothing (it was silently ignored) */
        const config_setting_t *bg = config_setting_get_member(se, "budget");
        if (bg && config_setting_length(bg) > 0 && d->policy == CM_POLICY_FIXED_POINT) {
            snprintf(kp, sizeof kp, "%s.settings.budget", prefix);
            return sfail(e, file, LINE(bg), kp, CM_CFG_ERR_VALUE,
                         "policy \"fixed_point_value\" keeps the baseline's point value, so the fund's outlay follows "
                         "the points and a budget changes nothing: use policy \"fixed_budget_rescored\" (the new "
                         "budget shared at a floating point value) or \"budget_adjusted\", or leave the budget out");
        }
    }
    const config_setting_t *so = config_setting_get_member(g, "solve");
    if (so) {
        snprintf(kp, sizeof kp, "%s.solve", prefix);
        if ((st = read_solve(d, so, file, kp, overridden, region_set, e))) return st;
    }
    return CM_CFG_OK;
}

cm_cfg_status cm_scenarios_load(const cm_config *base, const char *const *only, int nonly, cm_scenario_set *out,
                                cm_cfg_error *err)
{
    cm_cfg_error scratch;
    cm_cfg_error *e = err ? err : &scratch;
    memset(e, 0, sizeof *e);
    memset(out, 0, sizeof *out);
    const char *file = base->path;
    FILE *f = fopen(file, "rb");
    if (!f) return sfail(e, file, 0, NULL, CM_CFG_ERR_IO, "cannot read the configuration file again");
    config_t cf;
    config_init(&cf);
    /* a UTF-8 byte-order mark is not part of the syntax (as cm_config_load) */
    int c0 = fgetc(f), c1 = fgetc(f), c2 = fgetc(f);
    if (!(c0 == 0xEF && c1 == 0xBB && c2 == 0xBF)) rewind(f);
    int ok = config_read(&cf, f);
    fclose(f);
    cm_cfg_status st = CM_CFG_OK;
    if (!ok) {
        st = sfail(e, file, config_error_line(&cf), NULL, CM_CFG_ERR_SYNTAX, "syntax error: %s",
                   config_error_text(&cf));
        goto done;
    }
    config_setting_t *list = config_lookup(&cf, "simulate.scenarios");
    if (base->region_index >= 0 && base->n_regions > 0) { /* a province's region: its own list, else the shared one */
        config_setting_t *rl = config_lookup(&cf, "regions");
        config_setting_t *rg = rl ? config_setting_get_elem(rl, (unsigned)base->region_index) : NULL;
        config_setting_t *own = rg ? config_setting_lookup(rg, "simulate.scenarios") : NULL;
        if (own) list = own;
    }
    int n = list ? config_setting_length(list) : 0;
    if (list && !config_setting_is_list(list)) {
        st = sfail(e, file, LINE(list), "simulate.scenarios", CM_CFG_ERR_TYPE,
                   "must be a list of named groups ( { name = \"identity\"; }, { name = \"reprice\"; ... } )");
        goto done;
    }
    if (n > CM_MAX_SCENARIOS) {
        st = sfail(e, file, LINE(list), "simulate.scenarios", CM_CFG_ERR_VALUE, "%d scenarios; at most %d", n,
                   CM_MAX_SCENARIOS);
        goto done;
    }
    out->s = calloc((size_t)(n ? n : 1), sizeof *out->s);
    if (!out->s) { st = sfail(e, file, 0, NULL, CM_CFG_ERR_NOMEM, "out of memory"); goto done; }
    /* every scenario is checked, selected or not: a bad one stops the run */
    cm_scenario_def tmp;
    for (int i = 0; i < n; i++) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        memset(&tmp, 0, sizeof tmp);
        if ((st = read_scenario(&tmp, g, i, base, e))) goto done;
        for (int j = 0; j < out->n; j++)
            if (!strcmp(out->s[j].name, tmp.name)) {
                st = sfail(e, file, tmp.line, "simulate.scenarios", CM_CFG_ERR_VALUE,
                           "scenario name '%s' is used twice (first on line %d); give each its own", tmp.name,
                           out->s[j].line);
                goto done;
            }
        out->s[out->n++] = tmp;
    }
    for (int q = 0; q < nonly; q++) {
        int found = 0;
        for (int j = 0; j < out->n; j++) found |= !strcmp(out->s[j].name, only[q]);
        if (!found) {
            char names[256] = "";
            for (int j = 0; j < out->n; j++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "", out->s[j].name);
            st = sfail(e, file, list ? LINE(list) : 0, "simulate.scenarios", CM_CFG_ERR_VALUE,
                       "--scenario %s: no scenario of that name; the file has: %s", only[q],
                       out->n ? names : "(none)");
            goto done;
        }
    }
    if (nonly) {
        int k = 0;
        for (int j = 0; j < out->n; j++) {
            int sel = 0;
            for (int q = 0; q < nonly; q++) sel |= !strcmp(out->s[j].name, only[q]);
            if (sel) {
                if (k != j) out->s[k] = out->s[j];
                k++;
            }
        }
        out->n = k;
    }
    for (int j = 0; j < out->n; j++) cm_config_relink(&out->s[j].cfg);
done:
    config_destroy(&cf);
    if (st) cm_scenarios_free(out);
    return st;
}

void cm_scenarios_free(cm_scenario_set *s)
{
    free(s->s);
    s->s = NULL;
    s->n = 0;
}
