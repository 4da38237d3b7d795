/*
 * columns.c - input column names and their Chinese aliases.
 *
 * The canonical names are the project's; the aliases are the headers of
 * real settlement-list (医保结算清单) exports (the README's input table). A region
 * whose export uses other headers adds them with input.aliases, a CSV file
 * of `canonical,alias` rows, without a code change. The README prints this
 * table (casemix columns).
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *canon;
    const char *alias[5];
} col_def;

static const col_def COLS[COL__COUNT] = {
    [COL_CASE_ID]      = {"case_id", {"结算ID", "就诊ID", "结算清单流水号", "record_id"}},
    [COL_PATIENT_ID]   = {"patient_id", {"人员编号", "医保编号"}},
    [COL_INST_ID]      = {"institution_id", {"定点医药机构编码", "医疗机构编码", "定点医疗机构编码"}},
    [COL_INST_LEVEL]   = {"institution_level", {"医疗机构等级", "医院等级"}},
    [COL_REGION]       = {"region", {"统筹区编码", "统筹区", "参保地区划"}},
    [COL_SEX]          = {"sex", {"性别"}},
    [COL_AGE_YEARS]    = {"age_years", {"年龄"}},
    [COL_AGE_DAYS]     = {"age_days", {"年龄(天)", "新生儿年龄(天)", "年龄（天）", "新生儿年龄（天）"}},
    [COL_BIRTH_WEIGHT] = {"birth_weight_g", {"新生儿出生体重(克)", "新生儿出生体重（克）"}},
    [COL_ADMIT]        = {"admit_date", {"入院时间", "入院日期"}},
    [COL_DISCHARGE]    = {"discharge_date", {"出院时间", "出院日期"}},
    [COL_LOS]          = {"los_days", {"实际住院天数", "住院天数"}},
    [COL_DMODE]        = {"discharge_mode", {"离院方式"}},
    [COL_PDX]          = {"principal_dx", {"主要诊断编码", "主诊断代码", "主要诊断代码"}},
    [COL_ODX]          = {"other_dx", {"其他诊断编码", "其他诊断代码"}},
    [COL_PPROC]        = {"principal_proc", {"主要手术及操作编码", "主要手术操作代码"}},
    [COL_OPROCS]       = {"other_procs", {"其他手术及操作编码", "其他手术操作代码"}},
    [COL_PROCEDURES]   = {"procedures", {"手术及操作编码"}},
    [COL_VENT]         = {"vent_hours", {"呼吸机使用时间(小时)", "呼吸机使用时间（小时）"}},
    [COL_ICU]          = {"icu_days", {"重症监护天数"}},
    [COL_TOTAL]        = {"total_cost", {"医疗费总额", "总费用"}},
    [COL_FUND]         = {"fund_paid", {"统筹基金支付"}},
    [COL_SELF]         = {"self_paid", {"个人自付", "个人负担"}},
    [COL_ADMIT_ROUTE]  = {"admit_route", {"入院途径"}},
    [COL_CAT0 + SC_CAT_BED]          = {"cost_bed", {"床位费"}},
    [COL_CAT0 + SC_CAT_CONSULT]      = {"cost_consult", {"诊查费"}},
    [COL_CAT0 + SC_CAT_EXAM]         = {"cost_exam", {"检查费"}},
    [COL_CAT0 + SC_CAT_LAB]          = {"cost_lab", {"化验费"}},
    [COL_CAT0 + SC_CAT_TREATMENT]    = {"cost_treatment", {"治疗费"}},
    [COL_CAT0 + SC_CAT_SURGERY]      = {"cost_surgery", {"手术费"}},
    [COL_CAT0 + SC_CAT_NURSING]      = {"cost_nursing", {"护理费"}},
    [COL_CAT0 + SC_CAT_MATERIAL]     = {"cost_material", {"卫生材料费"}},
    [COL_CAT0 + SC_CAT_WESTERN]      = {"cost_western", {"西药费"}},
    [COL_CAT0 + SC_CAT_HERBAL]       = {"cost_herbal", {"中药饮片费"}},
    [COL_CAT0 + SC_CAT_PATENT]       = {"cost_patent", {"中成药费"}},
    [COL_CAT0 + SC_CAT_GENERAL]      = {"cost_general", {"一般诊疗费"}},
    [COL_CAT0 + SC_CAT_REGISTRATION] = {"cost_registration", {"挂号费"}},
    [COL_CAT0 + SC_CAT_OTHER]        = {"cost_other", {"其他费"}},
};

struct col_aliases {
    size_t n;
    struct { char *alias; int col; } *e;
};

const char *col_name(cm_col c)
{
    return (unsigned)c < COL__COUNT ? COLS[c].canon : "?";
}

static int eq(const char *a, const char *s, size_t n)
{
    return strlen(a) == n && memcmp(a, s, n) == 0;
}

int col_lookup(const char *name, size_t len, const struct col_aliases *extra)
{
    while (len && (*name == ' ' || *name == '\t')) name++, len--;
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
    for (int c = 0; c < COL__COUNT; c++) {
        if (eq(COLS[c].canon, name, len)) return c;
        for (int k = 0; k < 5 && COLS[c].alias[k]; k++)
            if (eq(COLS[c].alias[k], name, len)) return c;
    }
    if (extra)
        for (size_t i = 0; i < extra->n; i++)
            if (eq(extra->e[i].alias, name, len)) return extra->e[i].col;
    return -1;
}

struct col_aliases *col_aliases_load(const char *path, char *err, size_t errlen)
{
    if (!path || !*path) return NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the alias table; check input.aliases", path);
        return NULL;
    }
    struct col_aliases *a = calloc(1, sizeof *a);
    char line[1024];
    long ln = 0;
    size_t cap = 0;
    while (a && fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (ln == 1 && strncmp(line, "canonical", 9) == 0) continue;
        if (!*line || *line == '#') continue;
        char *comma = strchr(line, ',');
        if (!comma) {
            snprintf(err, errlen, "%s:%ld: expected `canonical,alias`", path, ln);
            goto fail;
        }
        *comma = '\0';
        int col = -1;
        for (int c = 0; c < COL__COUNT; c++)
            if (strcmp(COLS[c].canon, line) == 0) col = c;
        if (col < 0) {
            snprintf(err, errlen, "%s:%ld: field canonical: unknown column '%s'; see `casemix columns`",
                     path, ln, line);
            goto fail;
        }
        if (a->n == cap) {
            cap = cap ? cap * 2 : 16;
            void *ne = realloc(a->e, cap * sizeof *a->e);
            if (!ne) goto fail;
            a->e = ne;
        }
        a->e[a->n].alias = strdup(comma + 1);
        a->e[a->n].col = col;
        a->n++;
    }
    fclose(f);
    return a;
fail:
    fclose(f);
    col_aliases_free(a);
    return NULL;
}

void col_aliases_free(struct col_aliases *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) free(a->e[i].alias);
    free(a->e);
    free(a);
}

void col_print_aliases(FILE *f)
{
    fprintf(f, "%-20s %s\n", "column", "accepted headers (aliases)");
    for (int c = 0; c < COL__COUNT; c++) {
        fprintf(f, "%-20s", COLS[c].canon);
        for (int k = 0; k < 5 && COLS[c].alias[k]; k++)
            fprintf(f, "%s%s", k ? ", " : " ", COLS[c].alias[k]);
        fputc('\n', f);
    }
    /* the list the header check uses (cm_settle_required), printed, not copied */
    int req[16], n0 = cm_settle_required(0, 0, req), n1;
    fputs("\nsettle needs:", f);
    for (int i = 0; i < n0; i++) {
        fprintf(f, "%s%s", !i ? " " : i == 4 ? ",\n  " : ", ", COLS[req[i]].canon);
        if (req[i] == COL_INST_LEVEL) fputs(" (not with input.institutions)", f);
        if (req[i] == COL_PPROC) fputs(" (or procedures)", f);
    }
    n1 = cm_settle_required(0, 1, req);
    for (int i = n0; i < n1; i++) fprintf(f, "%s%s", i == n0 ? "; scheme drg or both also " : ", ", COLS[req[i]].canon);
    fputs(".\n  The others are optional: supervision names each rule a missing column leaves \"not evaluated\"\n"
          "  (patient_id and the dates for readmissions, discharge_mode, sex, age_years, the cost categories).\n"
          "Another header for a column: input.aliases = \"aliases.csv\"; (rows canonical,alias). Unknown headers are ignored.\n",
          f);
}

/* The columns settle's header must have (README "Reject or flag"), -1
 * ended, into req[16]: with input.institutions the level comes from the
 * table; CHS-DRG validates sex and age (without them every case would be
 * CHECK_FAILED, 0000, and the run stop at the payment: said at the header). */
int cm_settle_required(int has_mtab, int drg, int req[16])
{
    static const int base[] = {COL_CASE_ID, COL_INST_ID, COL_INST_LEVEL, COL_PDX, COL_PPROC, COL_TOTAL, COL_FUND, -1};
    int n = 0;
    for (const int *q = base; *q >= 0; q++)
        if (!(has_mtab && *q == COL_INST_LEVEL)) req[n++] = *q;
    if (drg) {
        req[n++] = COL_SEX;
        req[n++] = COL_AGE_YEARS;
    }
    req[n] = -1;
    return n;
}

/* One name per bit of cm_case.flags, in bit order (the /cases attribute
 * flags_bits). A new bit: add it to the enum in engine.h, raise CF__COUNT
 * and add its name here; the assertion below stops a build that forgot. */
static const char *const FLAG_NAMES[] = {
    "cat_mismatch", "los_mismatch", "level_mismatch", "fund_mismatch",
    "special_review", "special_over_cap", "no_standard_cost", "no_categories",
    "big_buckets", "bad_date", "bad_patient", "bad_amount", "age_mismatch",
    "duplicate_withheld",
};
_Static_assert(sizeof FLAG_NAMES / sizeof FLAG_NAMES[0] == CF__COUNT,
               "FLAG_NAMES needs exactly one name per case flag bit (CF__COUNT)");

/* The columns each run needs (README "Reject or flag: what each command
 * needs"). Every run needs the case id. CHS-DRG grouping needs sex and age
 * (RULES.md §1: validation, MDCM/MDCN, MDCP) and, for age_years 0, age_days
 * and birth weight (narrowed per row by the reader). Settlement pays by
 * institution and level out of the cost and the fund share; calibration
 * averages costs. Dates, LOS, self_paid and the cost categories are needed
 * by no run: they feed flags, /drgs mean_los and /institutions shares. */
uint64_t cm_need_columns(cm_run_kind run, int dip, int drg)
{
    (void)dip;
    uint64_t need = CM_NEED(COL_CASE_ID);
    if (drg) need |= CM_NEED(COL_SEX) | CM_NEED(COL_AGE_YEARS) | CM_NEED(COL_AGE_DAYS) | CM_NEED(COL_BIRTH_WEIGHT);
    switch (run) {
    case CM_RUN_SETTLE:
        need |= CM_NEED(COL_INST_ID) | CM_NEED(COL_INST_LEVEL) | CM_NEED(COL_TOTAL) | CM_NEED(COL_FUND);
        break;
    case CM_RUN_CALIBRATE: need |= CM_NEED(COL_TOTAL); break;
    case CM_RUN_GROUP: break;
    case CM_RUN_BENCH: need = 0; break;
    }
    return need;
}

const char *case_flag_name(unsigned bit)
{
    return bit < CF__COUNT ? FLAG_NAMES[bit] : "?";
}
