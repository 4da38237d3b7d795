/*
 * names.c - names of the scoring enums: status, cost categories (收费项目类别)
 * with their canonical column, Chinese name and price-ratio bucket (比价关系),
 * bucket names and outlier classes.
 *
 * One table per enum, indexed by the enum value, so adding a category means
 * adding one row here. Out-of-range values give NULL (or the __COUNT
 * sentinel for the bucket), never a read past the table.
 */
#include "scoring.h"

const char *sc_status_name(sc_status s)
{
    switch (s) {
    case SC_OK:        return "ok";
    case SC_ERR_ARG:   return "invalid argument";
    case SC_ERR_EMPTY: return "nothing to compute from";
    }
    return "unknown status";
}

static const struct {
    const char *column;
    const char *chinese;
    sc_bucket bucket;
} cat_table[SC_CAT__COUNT] = {
    [SC_CAT_BED]          = {"cost_bed",          "床位费",     SC_BUCKET_SERVICES},
    [SC_CAT_CONSULT]      = {"cost_consult",      "诊查费",     SC_BUCKET_SERVICES},
    [SC_CAT_EXAM]         = {"cost_exam",         "检查费",     SC_BUCKET_EXAMS},
    [SC_CAT_LAB]          = {"cost_lab",          "化验费",     SC_BUCKET_EXAMS},
    [SC_CAT_TREATMENT]    = {"cost_treatment",    "治疗费",     SC_BUCKET_SERVICES},
    [SC_CAT_SURGERY]      = {"cost_surgery",      "手术费",     SC_BUCKET_SERVICES},
    [SC_CAT_NURSING]      = {"cost_nursing",      "护理费",     SC_BUCKET_SERVICES},
    [SC_CAT_MATERIAL]     = {"cost_material",     "卫生材料费", SC_BUCKET_DRUGS},
    [SC_CAT_WESTERN]      = {"cost_western",      "西药费",     SC_BUCKET_DRUGS},
    [SC_CAT_HERBAL]       = {"cost_herbal",       "中药饮片费", SC_BUCKET_DRUGS},
    [SC_CAT_PATENT]       = {"cost_patent",       "中成药费",   SC_BUCKET_DRUGS},
    [SC_CAT_GENERAL]      = {"cost_general",      "一般诊疗费", SC_BUCKET_SERVICES},
    [SC_CAT_REGISTRATION] = {"cost_registration", "挂号费",     SC_BUCKET_SERVICES},
    [SC_CAT_OTHER]        = {"cost_other",        "其他费",     SC_BUCKET_SERVICES},
};

static int cat_ok(sc_category c)
{
    return (unsigned)c < (unsigned)SC_CAT__COUNT;
}

const char *sc_category_column(sc_category c)
{
    return cat_ok(c) ? cat_table[c].column : NULL;
}

const char *sc_category_chinese(sc_category c)
{
    return cat_ok(c) ? cat_table[c].chinese : NULL;
}

sc_bucket sc_category_bucket(sc_category c)
{
    return cat_ok(c) ? cat_table[c].bucket : SC_BUCKET__COUNT;
}

const char *sc_bucket_name(sc_bucket b)
{
    static const char *const names[SC_BUCKET__COUNT] = {
        [SC_BUCKET_SERVICES] = "services",
        [SC_BUCKET_DRUGS]    = "drugs",
        [SC_BUCKET_EXAMS]    = "exams",
    };
    return (unsigned)b < (unsigned)SC_BUCKET__COUNT ? names[b] : NULL;
}

const char *sc_outlier_name(sc_outlier_class c)
{
    static const char *const names[SC_OUT__COUNT] = {
        [SC_OUT_NORMAL] = "normal",
        [SC_OUT_LOW]    = "low",
        [SC_OUT_HIGH]   = "high",
    };
    return (unsigned)c < (unsigned)SC_OUT__COUNT ? names[c] : NULL;
}
