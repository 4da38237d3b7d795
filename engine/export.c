/*
 * export.c - casemix export: the tables of a settlement HDF5 file as an
 * Excel workbook (libxlsxwriter) or as UTF-8-with-BOM CSV files, for the
 * people who work in Excel / WPS.
 *
 *   casemix export OUT.h5 --xlsx FILE.xlsx | --csv DIR [--tables summary,institutions,...]
 *
 * The tables are read generically from their HDF5 compound types, so a new
 * member of /institutions appears in the export without a change here:
 *   - members ending in _fen (money, integer fen) -> yuan: in the workbook a
 *     number with the format "#,##0.00", in CSV "123.45" printed from
 *     fen / 100 and fen % 100 as integers (exact, no floating point);
 *   - mean_cost, history_mean_cost (yuan, float) -> number, "#,##0.00";
 *   - fixed strings (case_id, institution_id, code, dip_group, drg, adrg,
 *     field, reason ...) -> text cells (format "@"), never numbers or dates;
 *   - HDF5 enums (match_path, outlier, ...) and /groups type -> their names;
 *   - other integers and floats -> numbers.
 * /institution_names, /group_names and /drg_names go into a name column
 * beside the id. Each header cell holds the member name, its meaning and
 * the Chinese title ("payment_fen → payment (yuan) 结算金额").
 *
 * Outputs are complete or absent: the workbook (each CSV) is written under
 * a temporary name and renamed at the end. An existing workbook is replaced
 * only when casemix wrote it: a casemix workbook ends with the zip comment
 * EXPORT_MARK (and carries the custom document property casemix_kind =
 * "export"); an existing CSV only when its first bytes are the header
 * casemix writes for that table (cm_side_check_target).
 *
 * The workbook's flags sheet adds the institution of each flag's case, the
 * rule's names and the unit of its figure (fx_open; the CSV mirrors /flags);
 * review_sample and indicators add the institution's name, indicators the
 * indicator's name (fx_open_rows).
 *
 * The workbook is written in libxlsxwriter's constant_memory mode (every
 * sheet row by row, strings inline): its memory does not grow with the rows.
 *
 * /cases is exported only when --tables names it. Excel holds 1,048,576
 * rows per sheet: a longer table (/cases, a 10M region's /flags) is split over
 * sheets cases_1, cases_2, ... of XLSX_SHEET_ROWS data rows each, the sheet
 * split_sheets before the first part listing every part and the table rows it
 * holds, a comment on each part's first header cell saying which part it is
 * (CSV has no limit: one file).
 */
#include "settle.h"
#include "h5out.h"
#include "ledger.h"
#include "html.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define XLSX_SHEET_ROWS 1048575L        /* Excel: 1,048,576 rows, one of them the header */
#define EXPORT_MARK "casemix export"    /* zip comment of a workbook casemix wrote */
#define CHUNK_ROWS 65536

/* Chinese titles (and the meaning, for money) of the members. */
static const struct { const char *name, *title; } TITLES[] = {
    {"line", "line 输入行号"}, {"case_id", "case id 结算ID"}, {"institution_id", "institution id 机构编码"},
    {"institution", "institution 机构"}, {"institution_name", "institution name 机构名称"},
    {"name", "name 名称"}, {"level", "hospital level 医院等级"}, {"flags", "flags 标记"},
    {"total_cost_fen", "total cost (yuan) 医疗总费用"}, {"fund_paid_fen", "fund paid (yuan) 统筹基金支付"},
    {"payment_fen", "payment (yuan) 结算金额"}, {"drg_payment_fen", "DRG payment (yuan) DRG结算金额"},
    {"rejects_total_cost_fen", "rejected rows' total cost (yuan) 剔除病例医疗总费用"},
    {"rejects_fund_paid_fen", "rejected rows' fund paid (yuan) 剔除病例统筹支付"},
    {"fund_budget_fen", "fund budget (yuan) 统筹基金预算"}, {"payments_fen", "payments (yuan) 结算总额"},
    {"drg_budget_fen", "DRG fund budget (yuan) DRG基金预算"}, {"drg_payments_fen", "DRG payments (yuan) DRG结算总额"},
    {"dip_group", "DIP group 病种编码"}, {"dip_group_index", "row of /groups 病种序号"},
    {"match_path", "match path 入组路径"}, {"outlier", "outlier class 高低倍率"},
    {"dip_blank_reason", "blank-group reason 空白病种原因"}, {"cost_ratio", "cost ratio 费用倍率"},
    {"score", "score 分值"}, {"code", "code 编码"}, {"seq", "catalogue row 目录序号"}, {"type", "type 病种类型"},
    {"n", "cases 病例数"}, {"mean_cost", "mean cost (yuan) 次均费用"}, {"cv", "CV 变异系数"},
    {"catalogue_score", "catalogue score 目录分值"}, {"history_n", "history cases 历史病例数"},
    {"history_mean_cost", "history mean cost (yuan) 历史次均费用"}, {"history_cv", "history CV 历史变异系数"},
    {"split_candidate", "split candidate 拆分候选"}, {"cases", "cases 病例数"}, {"coefficient", "coefficient 等级系数"},
    {"share_services", "share of services 医疗服务占比"}, {"share_drugs", "share of drugs 药品占比"},
    {"share_exams", "share of examinations 检查检验占比"}, {"total_score", "total score 总分值"},
    {"n_low", "low outliers 低倍率病例"}, {"n_high", "high outliers 高倍率病例"},
    {"n_special", "special review cases 特例单议病例"}, {"n_blank", "blank group 空白病种病例"},
    {"field", "field 字段"}, {"reason", "reason 原因"}, {"records_read", "records read 读入记录"},
    {"rejects", "rejected rows 剔除记录"}, {"duplicate_case_ids", "duplicate case ids 重复结算ID"},
    {"duplicates_withheld", "R05 duplicate claims withheld from payment 重复结算不予支付 (cases; -1 not recorded)"},
    {"duplicates_withheld_total_fen", "R05 withheld: claimed total cost (yuan) 不予支付申报总费用"},
    {"duplicates_withheld_fund_fen", "R05 withheld: fund part (yuan) 不予支付统筹基金"},
    {"quality_notes", "data-quality notes 数据质量提示"}, {"institutions", "institutions 机构数"},
    {"blank_cases", "blank-group cases 空白病种病例"}, {"low_cases", "low outliers 低倍率病例"},
    {"high_cases", "high outliers 高倍率病例"}, {"special_review_cases", "special review 特例单议病例"},
    {"total_score_e4", "total score × 10^4 总分值×10^4"}, {"fund_share", "fund share 统筹支付比例"},
    {"point_value", "point value (yuan/point) 点值"}, {"drg", "DRG DRG编码"}, {"adrg", "ADRG ADRG编码"},
    {"mdc", "MDC 主要诊断大类"}, {"drg_index", "row of /drgs DRG序号"}, {"drg_status", "DRG status 入组状态"},
    {"drg_reason", "DRG reason 未入组原因"}, {"drg_outlier", "DRG outlier class DRG高低倍率"},
    {"drg_cc", "CC/MCC 并发症"}, {"drg_points", "DRG points DRG点数"}, {"drg_point_value", "DRG point value (yuan/point) DRG点值"},
    {"drg_rate", "DRG rate DRG费率"}, {"rw", "relative weight 权重"}, {"mean_los", "mean length of stay 平均住院日"},
    {"cmi", "CMI 病例组合指数"}, {"n_drg_low", "DRG low outliers DRG低倍率"},
    {"n_drg_high", "DRG high outliers DRG高倍率"}, {"n_drg_0000", "DRG ungroupable DRG未入组"},
    {"drg_grouped_cases", "DRG grouped cases DRG入组病例"}, {"drg_0000_cases", "DRG ungroupable DRG未入组病例"},
    {"drg_low_cases", "DRG low outliers DRG低倍率病例"}, {"drg_high_cases", "DRG high outliers DRG高倍率病例"},
    {"drg_points_e4", "DRG points × 10^4 DRG总点数×10^4"},
    /* supervision: /indicators and the rating of /institutions (indicators.c) */
    {"rating", "rating 评级"}, {"rating_score", "rating score 评级得分"}, {"indicator", "indicator 指标"},
    {"indicator_index", "row of /indicator_names 指标序号"}, {"evaluated", "evaluated 是否计算"},
    {"value", "value 指标值"}, {"numerator", "numerator 分子"}, {"denominator", "denominator 分母"},
    {"region_value", "region's value 统筹区值"}, {"peer_percentile", "percentile among same-level peers 同级百分位"},
    {"previous_value", "previous period 上期值"}, {"growth", "growth (relative; shares and budget progress: percentage points) 指标增长"}, {"points", "rating points 得分"},
    /* supervision: /rules, /flags, /review_sample (supervise.c) */
    {"id", "rule id 规则编号"}, {"family", "family 规则类别"}, {"result", "result type 违规性质"},
    {"hits", "hits (-1 not evaluated) 疑点数"}, {"parameters", "parameters 参数"},
    {"not_evaluated_because", "not evaluated because 未评估原因"}, {"rule", "rule 规则"},
    {"related_case_id", "related case id 关联结算ID"}, {"figure", "figure 指标值"}, {"threshold", "threshold 阈值"},
    {"unit", "unit of figure and threshold 单位"},
    {"rules", "rules that put the case in the sample 入样疑点规则"},
    /* simulation: the tables of /scenarios/NAME (simulate.c); base_<m> and diff_<m> titled from <m> */
    {"fund_fen", "fund part (yuan) 基金支付"}, {"patient_fen", "patients' part (yuan) 个人负担"},
    {"services_pct", "services (%) 医疗服务占比"}, {"drugs_pct", "drugs and consumables (%) 药耗占比"},
    {"exams_pct", "examinations and tests (%) 检查化验占比"}, {"dip_budget_fen", "DIP budget (yuan) DIP预算"},
    {"dip_points", "DIP points DIP总分值"}, {"dip_point_value", "DIP point value (yuan/point) DIP点值"},
    {"dip_payment_fen", "DIP payment (yuan) DIP结算金额"}, {"drg_budget_fen", "DRG budget (yuan) DRG预算"},
    {"n_cases", "cases 病例数"}, {"dip_price_effect_fen", "DIP price effect (yuan) DIP价格效应"},
    {"dip_structure_effect_fen", "DIP structure effect (yuan) DIP结构效应"},
    {"drg_price_effect_fen", "DRG price effect (yuan) DRG价格效应"},
    {"drg_structure_effect_fen", "DRG structure effect (yuan) DRG结构效应"},
    {"mean_cost_fen", "mean cost (yuan) 次均费用"}, {"standard_cost_fen", "standard cost (yuan) 标准费用"},
    {"scope", "scope 范围"}, {"up_fen", "increase (yuan) 增加额"}, {"down_fen", "decrease (yuan) 减少额"},
    {"net_fen", "net (yuan) 净额"}, {"region", "pooling region 统筹区"},
    /* a ledger: /months, /institutions, /groups, /special, /history_months, /clearing (ledger.c, clear.c) */
    {"month", "month 月份"}, {"year", "year 年度"}, {"records", "records read 读入记录"},
    {"cost_fen", "total cost (yuan) 医疗总费用"}, {"score_e4", "score × 10^4 分值×10^4"},
    {"gross_fen", "amount before the deposit (yuan) 预结算金额"}, {"deposit_fen", "quality deposit (yuan) 质量保证金"},
    {"paid_fen", "paid (yuan) 已拨付"}, {"point_value_estimate", "estimated point value (yuan/point) 月度估算点值"},
    {"forecast", "forecast of the year's point value 年终点值预测"}, {"band_low", "forecast band, low 预测下限"},
    {"band_high", "forecast band, high 预测上限"}, {"forecast_score", "forecast year score 全年分值预测"},
    {"input_bytes", "input bytes 输入字节"}, {"input", "input file 输入文件"}, {"run_at", "run at (UTC) 运行时间"},
    {"discharge_first", "first discharge 最早出院"}, {"discharge_last", "last discharge 最晚出院"},
    {"group", "group 病种"}, {"due_fen", "amount due (yuan) 应结算金额"}, {"audit_fen", "audit deductions (yuan) 审核扣款"},
    {"assessment_e4", "assessment coefficient × 10^4 考核系数×10^4"},
    {"deposit_back_fen", "deposit returned (yuan) 返还保证金"}, {"band_fen", "surplus / overspend sharing (yuan) 结余留用/超支分担"},
    {"special_fen", "special review (yuan) 特例单议"}, {"balance_fen", "balance to pay (yuan) 清算应拨付"},
    /* a ledger's corrections (更正记录): /revisions, /revision_institutions (ledger.c ld_add_revision) */
    {"revision", "revision 更正次数"}, {"cases_old", "cases then 原病例数"}, {"cases_new", "cases now 新病例数"},
    {"gross_old_fen", "gross then (yuan) 原预结算金额"}, {"gross_new_fen", "gross now (yuan) 新预结算金额"},
    {"deposit_old_fen", "deposit then (yuan) 原质量保证金"}, {"deposit_new_fen", "deposit now (yuan) 新质量保证金"},
    {"paid_old_fen", "paid then (yuan) 原拨付"}, {"paid_new_fen", "paid now (yuan) 新拨付"},
    {"difference_fen", "difference to pay, negative recover (yuan) 差额"},
    {"point_value_old", "point value then (yuan/point) 原估算点值"}, {"point_value_new", "point value now (yuan/point) 新估算点值"},
    {"input_old", "input file then 原输入文件"}, {"input_new", "input file now 新输入文件"},
    {"run_at_old", "settled then (UTC) 原结算时间"}, {"run_at_new", "settled now (UTC) 新结算时间"},
    /* a ledger's revoked clearings (撤销清算记录): /reopenings (ledger.c ld_add_reopen) */
    {"months_cleared", "months of the removed clearing 撤销清算的月份数"},
    {"reopening", "reopening 撤销清算次数"},
    {"settled_before_fen", "settled in removed clearings (yuan) 已清算"},
    {"to_settle_fen", "to pay now, negative recover (yuan) 本次应补(追)"},
};

/* The tables, in sheet order; names: its UTF-8 names dataset; cases only on request. */
static const struct { const char *name, *names, *name_title; int by_default; } TABLES[] = {
    {"summary", NULL, NULL, 1},
    {"province_summary", NULL, NULL, 1}, /* a province file (province.c) */
    {"institutions", "institution_names", "institution_name → institution name 机构名称", 1},
    {"groups", "group_names", "name → group name 病种名称", 1},
    {"drgs", "drg_names", "name → DRG name DRG名称", 1},
    {"rejects", NULL, NULL, 1},
    {"quality", NULL, NULL, 1},
    {"indicators", NULL, NULL, 1}, /* supervision: institution indicators (indicators.c) */
    {"rules", "rule_names", "name_zh → rule name 规则名称", 1},   /* supervision: the rules in force, their hits (supervise.c) */
    {"flags", NULL, NULL, 1},      /* supervision: one row per (case, rule) */
    {"review_sample", NULL, NULL, 1},
    {"months", NULL, NULL, 1},     /* a ledger (casemix month / clear, ledger.c) */
    {"clearing", "clearing_names", "institution_name → institution name 机构名称", 1},
    {"special", NULL, NULL, 1},
    {"history_months", NULL, NULL, 1},
    {"revisions", NULL, NULL, 1},  /* a ledger's corrections (更正记录: a month run again, ledger.c) */
    {"revision_institutions", NULL, NULL, 1},
    {"reopenings", NULL, NULL, 1}, /* a ledger's revoked clearings (撤销清算记录: month --reopen, ledger.c) */
    {"reopening_institutions", NULL, NULL, 1},
    {"cases", NULL, NULL, 0},
};
#define NTABLES (sizeof TABLES / sizeof TABLES[0])

/* The sheets of this file: the tables above that it has, then the tables of
 * each scenario (/scenarios/NAME/TABLE, a simulation) and each region
 * (/regions/CODE/TABLE, a province), named so that a sheet name has at most
 * 31 characters and is unique (Excel's limits). */
#define MAX_ENT 512
typedef struct {
    char path[192];     /* dataset path */
    char sheet[32];     /* sheet name, CSV file name */
    const char *base;   /* table kind: TABLES name, "scenarios" or "regions" (for --tables) */
    const char *names, *name_title;
    char names_path[192];   /* names of a scenario's or a region's groups (names points here) */
    int by_default;
} entry;
static entry E[MAX_ENT];
static size_t NE;

static const struct { const char *table, *abbr; } SUB_ABBR[] = {
    {"summary", "sum"}, {"groups", "grp"}, {"institutions", "inst"}, {"measurement", "meas"}, {"cases", "cases"},
    {"drgs", "drg"}, {"rejects", "rej"}, {"quality", "qual"}, {"indicators", "ind"}, {"rules", "rules"},
    {"flags", "flags"}, {"review_sample", "sample"},
};

static int sheet_taken(const char *sn)
{
    for (size_t i = 0; i < NE; i++)
        if (!strcasecmp(E[i].sheet, sn)) return 1;   /* Excel compares sheet names case-insensitively */
    return 0;
}

/* PREFIX_NAME_ABBR, at most 31 bytes, characters Excel refuses replaced, a ~k suffix when taken. */
static void sheet_name(char *out, const char *name, const char *sub)
{
    const char *ab = sub;
    for (size_t i = 0; i < sizeof SUB_ABBR / sizeof SUB_ABBR[0]; i++)
        if (!strcmp(SUB_ABBR[i].table, sub)) ab = SUB_ABBR[i].abbr;
    char nm[32];
    size_t room = 31 - strlen(ab) - 1 - 3; /* "_" and room for "~NN" */
    snprintf(nm, sizeof nm, "%.*s", (int)room, name);
    for (char *p = nm; *p; p++)
        if (strchr("[]:*?/\\'", *p)) *p = '_';
    snprintf(out, 32, "%s_%s", nm, ab);
    for (int k = 2; sheet_taken(out) && k < 100; k++) snprintf(out, 32, "%s~%d_%s", nm, k, ab);
}

typedef struct { char name[MAX_ENT][96]; int n; } subnames;
static herr_t add_sub(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    (void)g; (void)info;
    subnames *l = op;
    if (l->n < MAX_ENT) snprintf(l->name[l->n++], sizeof l->name[0], "%s", name);
    return 0;
}

static void entries_build(hid_t f)
{
    NE = 0;
    for (size_t ti = 0; ti < NTABLES; ti++) {
        if (H5Lexists(f, TABLES[ti].name, H5P_DEFAULT) <= 0) continue;
        entry *e = &E[NE++];
        snprintf(e->path, sizeof e->path, "/%s", TABLES[ti].name);
        snprintf(e->sheet, sizeof e->sheet, "%s", TABLES[ti].name);
        e->base = TABLES[ti].name;
        e->names = TABLES[ti].names;
        e->name_title = TABLES[ti].name_title;
        e->by_default = TABLES[ti].by_default;
    }
    static const char *GROUPS[2] = {"scenarios", "regions"};
    static const char *SUBS[] = {"summary", "measurement", "institutions", "groups", "drgs", "cases"};
    for (int gi = 0; gi < 2; gi++) {
        if (H5Lexists(f, GROUPS[gi], H5P_DEFAULT) <= 0) continue;
        hid_t g = H5Gopen2(f, GROUPS[gi], H5P_DEFAULT);
        if (g < 0) continue;
        static subnames L;
        L.n = 0;
        hsize_t idx = 0;
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, add_sub, &L);
        h5_names_order(g, "names", L.name[0], sizeof L.name[0], L.n); /* scenarios: the configuration's order */
        H5Gclose(g);
        for (int s = 0; s < L.n; s++)
            for (size_t k = 0; k < sizeof SUBS / sizeof SUBS[0] && NE < MAX_ENT; k++) {
                char p[192];
                snprintf(p, sizeof p, "/%s/%s/%s", GROUPS[gi], L.name[s], SUBS[k]);
                if (H5Lexists(f, p, H5P_DEFAULT) <= 0) continue;
                hid_t d = H5Dopen2(f, p, H5P_DEFAULT);   /* a dataset, not a group */
                if (d < 0) continue;
                H5Dclose(d);
                entry *e = &E[NE];
                snprintf(e->path, sizeof e->path, "%s", p);
                sheet_name(e->sheet, L.name[s], SUBS[k]);
                e->base = GROUPS[gi];
                e->names = NULL;
                e->name_title = NULL;
                if (!strcmp(SUBS[k], "groups")) {
                    /* a simulation's /group_names (same order as every /scenarios/NAME/groups), a
                     * region's /regions/CODE/group_names: the group names beside the code */
                    if (gi == 0) snprintf(e->names_path, sizeof e->names_path, "/group_names");
                    else snprintf(e->names_path, sizeof e->names_path, "/regions/%s/group_names", L.name[s]);
                    e->names = e->names_path;
                    e->name_title = "name → group name 病种名称";
                } else if (!strcmp(SUBS[k], "institutions")) {
                    /* a simulation's /institution_names (the scenarios' institution order), a region's
                     * /regions/CODE/institution_names (input.institutions; absent: no name column) */
                    if (gi == 0) snprintf(e->names_path, sizeof e->names_path, "/institution_names");
                    else snprintf(e->names_path, sizeof e->names_path, "/regions/%s/institution_names", L.name[s]);
                    e->names = e->names_path;
                    e->name_title = "institution_name → institution name 机构名称";
                }
                e->by_default = strcmp(SUBS[k], "cases") != 0;
                NE++;
            }
    }
}

static const char *const GROUP_TYPES[] = {"comprehensive", "core", "blank"};   /* /groups type (main.c) */

/* K_E4, K_MONTH: the workbook only (workbook_units): an integer × 10^4 shown divided; a ledger's month 1..12 as YYYY-MM */
typedef enum { K_TEXT, K_MONEY, K_YUAN, K_FENF, K_INT, K_UINT, K_FLOAT, K_ENUM, K_GTYPE, K_E4, K_MONTH } col_kind;

typedef struct {
    char name[64];
    char header[160];
    col_kind k;
    size_t off, size;
    hid_t mtype;        /* member type (enums: H5Tenum_nameof) */
    double width;
    lxw_format *fmt;    /* the workbook's number format of a float member (member_format) or a K_E4 one, or NULL */
    int year;           /* K_MONTH: the ledger's year */
} column;

typedef struct {
    hid_t ds, mem;      /* dataset, native compound memory type */
    size_t rowsize;
    hsize_t nrows;
    column *col;
    int ncol;
    int name_after;     /* the names column goes after this column (-1: none) */
    char **names;       /* [nrows] UTF-8 names, or NULL */
    int names_own;      /* names are malloc'd copies (h5_names_free), not HDF5's variable strings */
    const char *name_title;
} table;

static const char *title_of(const char *name)
{
    for (size_t i = 0; i < sizeof TITLES / sizeof TITLES[0]; i++)
        if (!strcmp(TITLES[i].name, name)) return TITLES[i].title;
    /* simulate's base_<m> / diff_<m>: the title of <m> */
    static char b[2][200];
    static int k;
    int base = !strncmp(name, "base_", 5), diff = !strncmp(name, "diff_", 5);
    if (base || diff) {
        const char *t = title_of(name + 5);
        if (!t) return NULL;
        k ^= 1;
        snprintf(b[k], sizeof b[k], "%s %s", base ? "baseline 基线:" : "change 变化:", t);
        return b[k];
    }
    return NULL;
}

/* For the report (html.h): its wide ledger tables take their headers from here. */
const char *cm_member_title(const char *name) { return title_of(name); }

/* The Chinese beside an enum name in the workbook ("fail" -> "不达标"): the
 * rating, rule result and family, the peer outlier of /indicators, the
 * review sample's reason, a case's outlier class and blank / DRG reasons,
 * /groups type. NULL when there is none (the cell keeps the English alone).
 * tkind: the table kind (E[].base), member: the column. */
static const char *enum_zh(const char *tkind, const char *member, const char *name)
{
    static const struct { const char *table, *member, *name, *zh; } Z[] = {
        {NULL, "rating", "excellent", "优秀"}, {NULL, "rating", "good", "良好"}, {NULL, "rating", "pass", "合格"},
        {NULL, "rating", "fail", "不达标"}, {NULL, "rating", "not_rated", "未评级"},
        {NULL, "result", "definite", "明确违规"}, {NULL, "result", "highly_suspicious", "高度可疑"},
        {NULL, "result", "suspicious", "可疑"}, {NULL, "result", "info", "提示"},
        {NULL, "family", "policy", "政策类"}, {NULL, "family", "management", "管理类"}, {NULL, "family", "medical", "医疗类"},
        {"indicators", "outlier", "none", "无异常"}, {"indicators", "outlier", "high", "高值异常"},
        {"indicators", "outlier", "low", "低值异常"}, {"indicators", "outlier", "not_ranked", "未排名"},
        {"review_sample", "reason", "flagged", "疑点病例"}, {"review_sample", "reason", "random", "随机抽取"},
        {"review_sample", "reason", "none", "无"},
        {NULL, "outlier", "normal", "正常"}, {NULL, "outlier", "low", "低倍率"}, {NULL, "outlier", "high", "高倍率"},
        {NULL, "drg_outlier", "normal", "正常"}, {NULL, "drg_outlier", "low", "低倍率"}, {NULL, "drg_outlier", "high", "高倍率"},
        {NULL, "drg_status", "OK", "入组"}, {NULL, "drg_status", "UNGROUPABLE", "未入组"},
        {NULL, "drg_status", "CHECK_FAILED", "校验未通过"},
        {NULL, "dip_blank_reason", "none", "无"}, {NULL, "dip_blank_reason", "dx_missing", "主要诊断缺失"},
        {NULL, "dip_blank_reason", "dx_invalid", "主要诊断无效"},
        {NULL, "dip_blank_reason", "no_catalogue_entry", "目录无此病种"},
        {NULL, "type", "comprehensive", "综合病种"}, {NULL, "type", "core", "核心病种"}, {NULL, "type", "blank", "空白病种"},
    };
    for (size_t i = 0; i < sizeof Z / sizeof Z[0]; i++)
        if ((!Z[i].table || !strcmp(Z[i].table, tkind)) && !strcmp(Z[i].member, member) && !strcmp(Z[i].name, name))
            return Z[i].zh;
    return NULL;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static void table_free(table *t)
{
    for (int i = 0; i < t->ncol; i++)
        if (t->col[i].mtype >= 0) H5Tclose(t->col[i].mtype);
    free(t->col);
    if (t->names && t->names_own) h5_names_free(t->names, t->nrows);
    else if (t->names) {
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, H5T_VARIABLE);
        hid_t sp = H5Screate_simple(1, &t->nrows, NULL);
        H5Dvlen_reclaim(st, sp, H5P_DEFAULT, t->names);
        H5Sclose(sp);
        H5Tclose(st);
        free(t->names);
    }
    if (t->mem >= 0) H5Tclose(t->mem);
    if (t->ds >= 0) H5Dclose(t->ds);
    memset(t, 0, sizeof *t);
    t->ds = t->mem = -1;
}

/* Opens /name of f and lays out its columns. CM_OK or CM_ERR_INPUT (message printed). */
static cm_status table_open(hid_t f, const char *file, size_t ti, const char *gname, table *t)
{
    memset(t, 0, sizeof *t);
    t->ds = t->mem = -1;
    t->name_after = -1;
    const char *name = E[ti].base;
    t->ds = H5Dopen2(f, E[ti].path, H5P_DEFAULT);
    hid_t ft = t->ds >= 0 ? H5Dget_type(t->ds) : -1;
    if (ft < 0 || H5Tget_class(ft) != H5T_COMPOUND) {
        fprintf(stderr, "casemix export: %s: %s is not a table casemix writes\n", file, E[ti].path);
        if (ft >= 0) H5Tclose(ft);
        return CM_ERR_INPUT;
    }
    t->mem = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    H5Tclose(ft);
    hid_t sp = H5Dget_space(t->ds);
    hsize_t n = 0;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &n, NULL);
    if (sp >= 0) H5Sclose(sp);
    t->nrows = n;
    t->rowsize = H5Tget_size(t->mem);
    int nm = H5Tget_nmembers(t->mem);
    t->col = calloc(nm > 0 ? (size_t)nm : 1, sizeof *t->col);
    if (!t->col) return CM_ERR_NOMEM;
    for (int i = 0; i < nm; i++) {
        column *c = &t->col[t->ncol++];
        char *mn = H5Tget_member_name(t->mem, (unsigned)i);
        snprintf(c->name, sizeof c->name, "%s", mn ? mn : "?");
        H5free_memory(mn);
        c->off = H5Tget_member_offset(t->mem, (unsigned)i);
        c->mtype = H5Tget_member_type(t->mem, (unsigned)i);
        c->size = H5Tget_size(c->mtype);
        H5T_class_t cl = H5Tget_class(c->mtype);
        if (cl == H5T_STRING) c->k = K_TEXT;
        else if (cl == H5T_ENUM) c->k = K_ENUM;
        else if (cl == H5T_FLOAT) c->k = ends_with(c->name, "mean_cost") ? K_YUAN : ends_with(c->name, "_fen") ? K_FENF : K_FLOAT;
        else if (cl == H5T_INTEGER) {
            if (ends_with(c->name, "_fen") && c->size == 8) c->k = K_MONEY;
            else if (!strcmp(name, "groups") && !strcmp(c->name, "type")) c->k = K_GTYPE;
            else c->k = H5Tget_sign(c->mtype) == H5T_SGN_NONE ? K_UINT : K_INT;
        } else c->k = K_TEXT;   /* not written by casemix: shown as "" */
        const char *ti_ = title_of(c->name);
        if (!strcmp(name, "indicators") && !strcmp(c->name, "outlier"))   /* not a case's cost class */
            ti_ = "peer outlier (high ≥ 80th / low ≤ 20th percentile) 同级比较异常";
        if (c->k == K_MONEY || c->k == K_FENF) {
            char plain[64];
            snprintf(plain, sizeof plain, "%.*s", (int)(strlen(c->name) - 4), c->name);
            snprintf(c->header, sizeof c->header, "%s → %s", c->name, ti_ ? ti_ : plain);
        } else {
            snprintf(c->header, sizeof c->header, "%s%s%s", c->name, ti_ ? " → " : "", ti_ ? ti_ : "");
        }
        if (!strcmp(c->name, "code") || !strcmp(c->name, "institution_id") || !strcmp(c->name, "drg") ||
            (!strcmp(name, "rules") && !strcmp(c->name, "name")))
            if (t->name_after < 0) t->name_after = t->ncol - 1;
    }
    if (gname && H5Lexists(f, gname, H5P_DEFAULT) > 0 && t->name_after >= 0) {
        hid_t nd = H5Dopen2(f, gname, H5P_DEFAULT);
        hid_t nsp = nd >= 0 ? H5Dget_space(nd) : -1;
        hsize_t nn = 0;
        if (nsp >= 0) H5Sget_simple_extent_dims(nsp, &nn, NULL);
        if (nn == t->nrows && nn > 0) {
            hid_t st = H5Tcopy(H5T_C_S1);
            H5Tset_size(st, H5T_VARIABLE);
            H5Tset_cset(st, H5T_CSET_UTF8);
            t->names = calloc(nn, sizeof *t->names);
            if (t->names && H5Dread(nd, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->names) < 0) {
                free(t->names);
                t->names = NULL;
            }
            H5Tclose(st);
            t->name_title = E[ti].name_title;
        }
        if (nsp >= 0) H5Sclose(nsp);
        if (nd >= 0) H5Dclose(nd);
    }
    return CM_OK;
}

/* Reads rows [first, first+n) into buf. 0 or -1. */
static int table_read(const table *t, hsize_t first, hsize_t n, void *buf)
{
    hid_t fs = H5Dget_space(t->ds);
    hid_t ms = H5Screate_simple(1, &n, NULL);
    int e = fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &first, NULL, &n, NULL) < 0 ||
            H5Dread(t->ds, t->mem, ms, fs, H5P_DEFAULT, buf) < 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return e ? -1 : 0;
}

/* One cell, converted: text (s) or a number (v); money also as exact text. */
typedef struct {
    int is_text;
    char s[512];
    double v;
} cell;

static int64_t get_int(const column *c, const unsigned char *p, int *is_unsigned, uint64_t *u)
{
    int64_t v = 0;
    *is_unsigned = c->k == K_UINT;
    switch (c->size) {
    case 1: if (c->k == K_UINT || c->k == K_GTYPE) v = *(const uint8_t *)p; else v = *(const int8_t *)p; break;
    case 2: { uint16_t x; int16_t y; memcpy(&x, p, 2); memcpy(&y, p, 2); v = c->k == K_UINT ? x : y; break; }
    case 4: { uint32_t x; int32_t y; memcpy(&x, p, 4); memcpy(&y, p, 4); v = c->k == K_UINT ? (int64_t)x : y; break; }
    default: { uint64_t x; memcpy(&x, p, 8); *u = x; memcpy(&v, p, 8); return v; }
    }
    *u = (uint64_t)v;
    return v;
}


static void get_cell(const column *c, const unsigned char *row, cell *o)
{
    const unsigned char *p = row + c->off;
    o->is_text = 0;
    o->s[0] = '\0';
    o->v = 0;
    switch (c->k) {
    case K_TEXT: {
        o->is_text = 1;
        if (H5Tis_variable_str(c->mtype) > 0) {
            const char *s;
            memcpy(&s, p, sizeof s);
            snprintf(o->s, sizeof o->s, "%s", s ? s : "");
        } else {
            size_t L = strnlen((const char *)p, c->size);
            if (L >= sizeof o->s) L = sizeof o->s - 1;
            memcpy(o->s, p, L);
            o->s[L] = '\0';
        }
        break;
    }
    case K_ENUM:
        o->is_text = 1;
        if (H5Tenum_nameof(c->mtype, p, o->s, sizeof o->s) < 0) snprintf(o->s, sizeof o->s, "?");
        break;
    case K_GTYPE: {
        unsigned v = *p;
        o->is_text = 1;
        if (v < 3) snprintf(o->s, sizeof o->s, "%s", GROUP_TYPES[v]);
        else snprintf(o->s, sizeof o->s, "%u", v);
        break;
    }
    case K_MONEY: {
        int64_t fen;
        memcpy(&fen, p, 8);
        cm_yuan_text(o->s, sizeof o->s, fen, 0);
        o->v = (double)fen / 100.0;
        break;
    }
    case K_YUAN:
    case K_FENF:
    case K_FLOAT: {
        if (c->size == 4) { float x; memcpy(&x, p, 4); o->v = x; }
        else memcpy(&o->v, p, sizeof o->v);
        if (isnan(o->v)) { o->is_text = 1; o->s[0] = '\0'; break; } /* none / not evaluated: an empty cell */
        if (c->k == K_FENF) o->v /= 100.0;   /* a mean in fen (simulate's groups): yuan */
        if (c->k == K_YUAN || c->k == K_FENF) snprintf(o->s, sizeof o->s, "%.2f", o->v);
        else snprintf(o->s, sizeof o->s, "%.15g", o->v);
        break;
    }
    case K_E4: {   /* score_e4 -> points, assessment_e4 -> the coefficient: exact for |v| < 2^53 */
        int us;
        uint64_t u;
        o->v = (double)get_int(c, p, &us, &u) / 10000.0;
        snprintf(o->s, sizeof o->s, "%.4f", o->v);
        break;
    }
    case K_MONTH: {   /* a ledger's month 1..12 as the report shows it: 2025-01 */
        int us;
        uint64_t u;
        o->is_text = 1;
        snprintf(o->s, sizeof o->s, "%04d-%02lld", c->year, (long long)get_int(c, p, &us, &u));
        break;
    }
    case K_INT:
    case K_UINT: {
        int us;
        uint64_t u;
        int64_t v = get_int(c, p, &us, &u);
        if (us) { snprintf(o->s, sizeof o->s, "%llu", (unsigned long long)u); o->v = (double)u; }
        else { snprintf(o->s, sizeof o->s, "%lld", (long long)v); o->v = (double)v; }
        break;
    }
    }
}

/* ---- shared helpers ------------------------------------------------ */

static int asked(const char *list, const char *name)
{
    if (!list) return -1;
    size_t L = strlen(name);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == L && !strncmp(p, name, L)) return 1;
        p += n;
        if (*p == ',') p++;
    }
    return 0;
}

/* Sheet rows: Excel's limit; CASEMIX_TEST_EXPORT_SHEET_ROWS (tests, read by pl_test_settings) may lower it. */
static long sheet_rows(void)
{
    long v = pl_test_sheet_rows();
    return v > 0 && v < XLSX_SHEET_ROWS ? v : XLSX_SHEET_ROWS;
}

/* Table ti is exported: asked for by --tables (or one of the default set
 * without it) and present in the file. */
static int selected(hid_t f, const char *tables, size_t ti)
{
    (void)f;
    int a = asked(tables, E[ti].base);
    if (a < 0 && strcmp(E[ti].base, E[ti].sheet)) a = -1;
    return a != 0 && (a > 0 || E[ti].by_default);
}

/* An existing FILE.xlsx may be replaced only when casemix wrote it: its last
 * bytes are the zip comment EXPORT_MARK. */
static cm_status xlsx_check_target(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return CM_OK;
    size_t L = strlen(EXPORT_MARK);
    char tail[64] = "";
    FILE *f = S_ISREG(sb.st_mode) && (size_t)sb.st_size > L ? fopen(path, "rb") : NULL;
    if (f) {
        int ok = fseek(f, -(long)L, SEEK_END) == 0 && fread(tail, 1, L, f) == L;
        fclose(f);
        if (ok && memcmp(tail, EXPORT_MARK, L) == 0) return CM_OK;
    }
    snprintf(err, errlen, "%s: %s, not a workbook casemix exported; it was left as it is (nothing was done): "
                          "pass --xlsx with another name, or remove or move the file",
             path, S_ISDIR(sb.st_mode) ? "is a directory" : "is another file");
    return CM_ERR_OUTPUT;
}

/* Sets the zip comment of the closed workbook to EXPORT_MARK. 0 or -1. */
static int xlsx_mark(const char *path)
{
    FILE *f = fopen(path, "r+b");
    if (!f) return -1;
    unsigned char e[22];
    int ok = fseek(f, -22, SEEK_END) == 0 && fread(e, 1, 22, f) == 22 && e[0] == 0x50 && e[1] == 0x4b &&
             e[2] == 5 && e[3] == 6 && e[20] == 0 && e[21] == 0;
    if (ok) {
        size_t L = strlen(EXPORT_MARK);
        unsigned char len[2] = {(unsigned char)(L & 0xff), (unsigned char)(L >> 8)};
        ok = fseek(f, -2, SEEK_END) == 0 && fwrite(len, 1, 2, f) == 2 && fseek(f, 0, SEEK_END) == 0 &&
             fwrite(EXPORT_MARK, 1, L, f) == L;
    }
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : -1;
}

/* Display width of a UTF-8 string: CJK characters count 2. */
static double text_width(const char *s)
{
    double w = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if ((*u & 0xC0) == 0x80) continue;
        w += *u >= 0xE0 ? 2 : 1;
    }
    return w;
}

/* ---- xlsx ---------------------------------------------------------- */

typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *money, *text, *num;
    lxw_format *count, *pct, *pp, *idx3, *sum3, *dec4, *dec1, *upto3, *note;   /* /indicators per indicator; the empty-sheet note */
    lxw_format *pv6;    /* a point value to 6 decimals (clearing_year) */
    lxw_format *coef4;  /* a coefficient to 4 decimals (a ledger's assessment_e4 / 10^4) */
    int ledger_year;    /* a ledger (casemix_kind "ledger"): its year attribute; 0 otherwise */
} xlsx;

/* /indicators: the number format of column member on the row of indicator
 * code (counts integers, yuan #,##0.00, rates and shares 0.00%, indices
 * 0.000, scores 4 decimals; growth relative in %, of shares and budget
 * progress in percentage points); NULL: the column's. */
static lxw_format *ind_format(const xlsx *x, const char *code, const char *member)
{
    int i = sc_ind_find(code, strlen(code));
    const sc_ind_info *in = sc_ind_info_of(i);
    if (!in) return NULL;
    if (!strcmp(member, "peer_percentile") || !strcmp(member, "points")) return x->dec1;
    if (!strcmp(member, "growth"))
        return in->kind == SC_KIND_SHARE || in->kind == SC_KIND_PROGRESS ? x->pp : x->pct;
    int val = !strcmp(member, "value") || !strcmp(member, "region_value") || !strcmp(member, "previous_value");
    int num = !strcmp(member, "numerator"), den = !strcmp(member, "denominator");
    if (!val && !num && !den) return NULL;
    if (!strcmp(code, "budget_gap")) return x->pct;                          /* progress − share of the year */
    switch (in->kind) {
    case SC_KIND_COUNT: return x->count;
    case SC_KIND_RATE: return val ? x->pct : x->count;                       /* cases ÷ cases */
    case SC_KIND_SHARE: return val ? x->pct : x->money;                      /* yuan ÷ yuan */
    case SC_KIND_PROGRESS: return val ? x->pct : x->money;                   /* payments ÷ annual target */
    case SC_KIND_MEAN:
        if (den) return x->count;                                            /* ÷ cases */
        if (!strcmp(code, "cost_per_case")) return x->money;
        if (!strcmp(code, "cost_index") || !strcmp(code, "time_index")) return val ? x->idx3 : x->sum3;
        return x->dec4;                                                      /* CMI: scores, RW */
    }
    return NULL;
}

typedef struct flagx flagx;
#define FX_MAXCOLS 3   /* columns added after one column */
static int fx_cols(const flagx *x, int i, const char *tt[FX_MAXCOLS]);

/* constant_memory: libxlsxwriter keeps one temporary file open per sheet until the workbook is
 * closed (export_xlsx raises the soft open-file limit to the hard one first); what to do when even
 * that is too low. sheet: the sheet that could not be added, or "" (the workbook's assembly). */
static void too_many_files(const char *sheet)
{
    struct rlimit rl;
    unsigned long long lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (unsigned long long)rl.rlim_cur : 0;
    fprintf(stderr, "casemix export: %s%s%stoo many open files (the workbook keeps one temporary file per sheet "
                    "until it is closed; the limit is %llu): raise it with `ulimit -n`, or export fewer tables "
                    "with --tables\n", sheet[0] ? "sheet " : "", sheet, sheet[0] ? ": " : "", lim);
}

/* A small sheet of named items (clearing_year, scenarios, sample_settings, split_sheets): added
 * (a too-low open-file limit named, too_many_files), the header row frozen, n columns of widths w
 * and formats fmt (NULL: general) titled t, the header head_height points high (0: the default).
 * NULL when the sheet cannot be added. */
static lxw_worksheet *note_sheet(xlsx *x, const char *name, int n, const char *const *t, const double *w,
                                 lxw_format *const *fmt, double head_height)
{
    errno = 0;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws) {
        if (errno == EMFILE) too_many_files(name);
        return NULL;
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (head_height > 0) worksheet_set_row(ws, 0, head_height, x->head);
    for (int c = 0; c < n; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], fmt ? fmt[c] : NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, t[c], x->head);
    }
    return ws;
}

/* A new sheet with the header row of t (fx: the flags sheet's added columns, or NULL). */
static lxw_worksheet *xlsx_sheet(xlsx *x, const char *name, const table *t, const flagx *fx)
{
    errno = 0;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws) {
        if (errno == EMFILE) too_many_files(name);
        else
            fprintf(stderr, "casemix export: sheet %s: cannot be added (%s)\n", name, errno ? strerror(errno) : "libxlsxwriter");
        return NULL;
    }
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_set_row(ws, 0, 48, x->head);
    lxw_col_t c = 0;
    for (int i = 0; i < t->ncol; i++) {
        const column *k = &t->col[i];
        lxw_format *fm = k->k == K_MONEY || k->k == K_YUAN || k->k == K_FENF ? x->money
                         : k->k == K_TEXT || k->k == K_MONTH                  ? x->text
                         : k->k == K_E4                                       ? k->fmt
                                                                              : NULL;
        worksheet_set_column(ws, c, c, k->width, fm);
        worksheet_write_string(ws, 0, c++, k->header, x->head);
        if (i == t->name_after && t->names) {
            worksheet_set_column(ws, c, c, 30, x->text);
            worksheet_write_string(ws, 0, c++, t->name_title, x->head);
        }
        const char *tt[FX_MAXCOLS];
        for (int j = 0, n = fx_cols(fx, i, tt); j < n; j++) {
            worksheet_set_column(ws, c, c, strstr(tt[j], "name") ? 30 : strstr(tt[j], "unit") ? 24 : 16, x->text);
            worksheet_write_string(ws, 0, c++, tt[j], x->head);
        }
    }
    return ws;
}

/* Column widths from the header's first word and the first rows' values. */
static void widths(table *t, const unsigned char *buf, hsize_t n)
{
    for (int i = 0; i < t->ncol; i++) {
        column *c = &t->col[i];
        double w = text_width(c->name) + 2;
        if (w < 12) w = 12;
        for (hsize_t r = 0; r < n && r < 1000; r++) {
            cell v;
            get_cell(c, buf + r * t->rowsize, &v);
            double vw = (c->k == K_MONEY ? text_width(v.s) * 1.3 : text_width(v.s)) + 2;
            if (vw > w) w = vw;
        }
        c->width = w > 60 ? 60 : w;
    }
}

/* The number format of a float member a person reads as a share, a score or
 * a rule's figure (NULL: Excel's General): shares of the price structure in
 * %, the rating score to one decimal, a flag's figure and threshold to at
 * most 3 decimals (days stay whole). */
static lxw_format *member_format(const xlsx *x, const char *member)
{
    if (!strncmp(member, "share_", 6)) return x->pct;
    if (!strcmp(member, "rating_score")) return x->dec1;
    if (!strcmp(member, "figure") || !strcmp(member, "threshold")) return x->upto3;
    /* point values (yuan per point) and fund shares to 6 decimals, as the terminal and the report print them;
     * a ledger's forecast year score in points */
    static const char *const PV6[] = {"point_value", "point_value_estimate", "point_value_old", "point_value_new",
                                      "forecast", "band_low", "band_high", "dip_point_value", "drg_point_value",
                                      "fund_share"};
    for (size_t i = 0; i < sizeof PV6 / sizeof PV6[0]; i++)
        if (!strcmp(member, PV6[i])) return x->pv6;
    if (!strcmp(member, "forecast_score")) return x->money;
    return NULL;
}

/* ---- the flags sheet: institution and rule names beside each flag ---- */

/* An auditor reads a flag with its hospital and the rule's name: the flags
 * sheet adds, after case_id, the case's institution_id (from /cases, by
 * line) and its name (/institution_names), and after rule, the rule's
 * English (/rules name) and Chinese name (/rule_names). /flags and /cases
 * are both in slot order (input order), so one forward walk through /cases'
 * line and institution_id, read through HDF5 in blocks of CHUNK_ROWS rows,
 * finds every flag's case; a line the walk passed is looked for again from the start (files casemix writes
 * never need it; after FX_MISSES misses the column stays empty). The
 * HDF5 tables and the CSV files are unchanged. */
#define FX_ID 64
#define FX_MISSES 16
typedef struct {
    const char *id, *nm;
} fx_inst_name;


static int fx_by_id(const void *a, const void *b)
{
    return strcmp(((const fx_inst_name *)a)->id, ((const fx_inst_name *)b)->id);
}

struct flagx {
    int inst_after, rule_after;         /* the new columns follow these columns of /flags (-1: none) */
    int line_col, rule_col;
    int inst_direct;                    /* review_sample, indicators: the row's own institution_id (inst_after) */
    int ind_after;                      /* indicators: the indicator's name after its code column (-1: none) */
    int lost_after;                     /* indicators: the points lost after the points column (-1: none) */
    double *lost;                       /* [table rows] cm_indicators_points_lost (NaN: blank) */
    hid_t cds, cmem;                    /* /cases and its (line, institution_id) memory type */
    size_t idsz, rsz;
    hsize_t ncases, pos, bfirst, bn;    /* walk: the next row to look at; rows [bfirst, bfirst + bn) in cbuf */
    unsigned char *cbuf;
    int misses;
    size_t ninst;                       /* /institutions institution_id, /institution_names */
    char (*inst_id)[FX_ID];
    char **inst_nm;
    fx_inst_name *by_id;                /* [ninst] sorted by id (names only) */
    size_t nrule;                       /* /rules id and name, /rule_names */
    char (*rule_id)[8];
    char (*rule_en)[FX_ID];
    char **rule_zh;
    char (*rule_unit)[FX_ID];           /* /rules unit: of the flag's figure and threshold */
};

static const char *const FX_TITLES[7] = {
    "institution 机构 (from /cases)", "institution name 机构名称 (from /institution_names)",
    "rule name 规则名称 (from /rules)", "rule name, Chinese 规则中文名称 (from /rule_names)",
    "unit of figure and threshold 指标值与阈值的单位 (from /rules)",
    "indicator name 指标名称 (from /indicator_names)",
    "points lost 扣分 (points 0: 100 × the indicator's weight ÷ the weights of the institution's ranked indicators; "
    "weights: /indicators attribute rating)",
};


/* Reads members a and b (fixed strings of at most FX_ID - 1 bytes) of table
 * path into the arrays *pa, *pb (rows of wa, wb bytes). Rows, 0 when absent. */
static size_t fx_pairs(hid_t f, const char *path, const char *a, size_t wa, void *pa, const char *b, size_t wb, void *pb)
{
    if (H5Lexists(f, path, H5P_DEFAULT) <= 0) return 0;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t ft = d >= 0 ? H5Dget_type(d) : -1;
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t n = 0;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &n, NULL);
    size_t got = 0;
    if (ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND && H5Tget_member_index(ft, a) >= 0 &&
        (!b || H5Tget_member_index(ft, b) >= 0) && n > 0) {
        /* the file's string types resized (HDF5 converts no character set into another) */
        hid_t m = H5Tcreate(H5T_COMPOUND, wa + (b ? wb : 0));
        hid_t ta = H5Tget_member_type(ft, (unsigned)H5Tget_member_index(ft, a));
        hid_t tb = H5Tget_member_type(ft, (unsigned)H5Tget_member_index(ft, b ? b : a));
        hid_t sa = H5Tcopy(ta), sb = H5Tcopy(tb);
        H5Tclose(ta);
        H5Tclose(tb);
        H5Tset_size(sa, wa);
        if (b) H5Tset_size(sb, wb);
        H5Tinsert(m, a, 0, sa);
        if (b) H5Tinsert(m, b, wa, sb);
        unsigned char *buf = calloc(n, wa + wb);
        char *oa = calloc(n, wa), *ob = b ? calloc(n, wb) : NULL;
        if (buf && oa && (!b || ob) && H5Dread(d, m, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
            size_t rs = wa + (b ? wb : 0);
            for (hsize_t i = 0; i < n; i++) {
                memcpy(oa + i * wa, buf + i * rs, wa - 1);
                if (b) memcpy(ob + i * wb, buf + i * rs + wa, wb - 1);
            }
            got = (size_t)n;
            *(char **)pa = oa;
            if (b) *(char **)pb = ob;
            oa = ob = NULL;
        }
        free(oa);
        free(ob);
        free(buf);
        H5Tclose(sa);
        H5Tclose(sb);
        H5Tclose(m);
    }
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    if (d >= 0) H5Dclose(d);
    return got;
}

static void fx_close(flagx *x)
{
    if (x->cmem >= 0) H5Tclose(x->cmem);
    if (x->cds >= 0) H5Dclose(x->cds);
    free(x->cbuf);
    h5_names_free(x->inst_nm, x->ninst);
    h5_names_free(x->rule_zh, x->nrule);
    free(x->by_id);
    free(x->inst_id);
    free(x->rule_id);
    free(x->rule_en);
    free(x->rule_unit);
    free(x->lost);
    memset(x, 0, sizeof *x);
    x->cds = x->cmem = -1;
    x->inst_after = x->rule_after = x->ind_after = x->lost_after = -1;
}

/* The institution names of /institutions (x->inst_id, x->inst_nm, x->by_id); x->inst_nm NULL without them. */
static void fx_names(hid_t f, flagx *x)
{
    x->ninst = fx_pairs(f, "/institutions", "institution_id", FX_ID, &x->inst_id, NULL, 0, NULL);
    x->inst_nm = h5_names_read(f, "/institution_names", x->ninst);
    if (x->inst_nm && !(x->by_id = calloc(x->ninst, sizeof *x->by_id))) {
        h5_names_free(x->inst_nm, x->ninst);
        x->inst_nm = NULL;
    }
    for (size_t k = 0; x->inst_nm && k < x->ninst; k++)
        x->by_id[k] = (fx_inst_name){x->inst_id[k], x->inst_nm[k] ? x->inst_nm[k] : ""};
    if (x->inst_nm) qsort(x->by_id, x->ninst, sizeof *x->by_id, fx_by_id);
}

/* The review_sample and indicators sheets: the institution's name after its
 * institution_id (when the file has /institution_names) and, on indicators,
 * the indicator's English and Chinese name after its code, so an auditor
 * reads "cost_index", "cost-consumption index 费用消耗指数" and the hospital
 * without a lookup. 1 when some column is added. */
static int fx_open_rows(hid_t f, const table *t, int indicators, flagx *x)
{
    memset(x, 0, sizeof *x);
    x->cds = x->cmem = -1;
    x->inst_after = x->rule_after = x->ind_after = x->lost_after = -1;
    x->line_col = x->rule_col = -1;
    x->inst_direct = 1;
    for (int i = 0; i < t->ncol; i++) {
        if (!strcmp(t->col[i].name, "institution_id") && t->col[i].k == K_TEXT) x->inst_after = i;
        if (indicators && !strcmp(t->col[i].name, "indicator") && t->col[i].k == K_TEXT) x->ind_after = i;
        if (indicators && !strcmp(t->col[i].name, "points") && t->col[i].k == K_FLOAT) x->lost_after = i;
    }
    if (x->inst_after >= 0) fx_names(f, x);
    if (!x->inst_nm) x->inst_after = -1;
    if (x->lost_after >= 0) { /* the rating's points lost (as the report's 不达标 table) */
        size_t n = 0;
        x->lost = cm_indicators_points_lost(f, &n);
        if (n != t->nrows) { free(x->lost); x->lost = NULL; x->lost_after = -1; }
    }
    return x->inst_after >= 0 || x->ind_after >= 0 || x->lost_after >= 0;
}

/* Sets up the lookups of the flags table t; x->inst_after / rule_after stay
 * -1 when the file lacks what a column needs. */
static void fx_open(hid_t f, const table *t, flagx *x)
{
    memset(x, 0, sizeof *x);
    x->cds = x->cmem = -1;
    x->inst_after = x->rule_after = x->ind_after = x->lost_after = -1;
    x->line_col = x->rule_col = -1;
    int idc = -1;
    for (int i = 0; i < t->ncol; i++) {
        if (!strcmp(t->col[i].name, "line") && t->col[i].k == K_UINT && t->col[i].size == 4) x->line_col = i;
        if (!strcmp(t->col[i].name, "case_id")) idc = i;
        if (!strcmp(t->col[i].name, "rule") && t->col[i].k == K_TEXT) x->rule_col = i;
    }
    if (x->line_col >= 0 && H5Lexists(f, "/cases", H5P_DEFAULT) > 0) {
        /* a chunk cache that holds a /cases chunk whole: each chunk inflated once by the walk */
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (dapl >= 0) H5Pset_chunk_cache(dapl, 521, (size_t)64 << 20, 1.0);
        x->cds = H5Dopen2(f, "/cases", dapl >= 0 ? dapl : H5P_DEFAULT);
        if (dapl >= 0) H5Pclose(dapl);
        hid_t ft = x->cds >= 0 ? H5Dget_type(x->cds) : -1;
        int li = ft >= 0 ? H5Tget_member_index(ft, "line") : -1, ii = ft >= 0 ? H5Tget_member_index(ft, "institution_id") : -1;
        if (li >= 0 && ii >= 0) {
            hid_t it = H5Tget_member_type(ft, (unsigned)ii);
            x->idsz = H5Tget_class(it) == H5T_STRING && H5Tis_variable_str(it) <= 0 ? H5Tget_size(it) : 0;
            H5Tclose(it);
        }
        hid_t sp = x->cds >= 0 ? H5Dget_space(x->cds) : -1;
        if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &x->ncases, NULL);
        if (sp >= 0) H5Sclose(sp);
        if (x->idsz > 0 && x->idsz < FX_ID) {
            x->rsz = 4 + x->idsz;
            x->cmem = H5Tcreate(H5T_COMPOUND, x->rsz);
            hid_t s = H5Tget_member_type(ft, (unsigned)ii);   /* the file's: same size and character set */
            H5Tinsert(x->cmem, "line", 0, H5T_NATIVE_UINT32);
            H5Tinsert(x->cmem, "institution_id", 4, s);
            H5Tclose(s);
            x->cbuf = malloc((size_t)CHUNK_ROWS * x->rsz);
            if (x->cbuf) x->inst_after = idc >= 0 ? idc : x->line_col;
        }
        if (ft >= 0) H5Tclose(ft);
    }
    if (x->inst_after >= 0) fx_names(f, x);
    if (x->rule_col >= 0) {
        x->nrule = fx_pairs(f, "/rules", "id", sizeof x->rule_id[0], &x->rule_id, "name", FX_ID, &x->rule_en);
        x->rule_zh = h5_names_read(f, "/rule_names", x->nrule);
        if (x->nrule) x->rule_after = x->rule_col;
        char (*rid)[8] = NULL;   /* the units, by the same row order as the ids */
        if (x->nrule && fx_pairs(f, "/rules", "id", sizeof x->rule_id[0], &rid, "unit", FX_ID, &x->rule_unit) != x->nrule) {
            free(x->rule_unit);
            x->rule_unit = NULL;
        }
        free(rid);
    }

}

/* The columns after column i of /flags (0, 1 or 2), their titles in tt[]. */
static int fx_cols(const flagx *x, int i, const char *tt[FX_MAXCOLS])
{
    if (!x) return 0;
    int n = 0;
    if (i == x->inst_after) {
        if (!x->inst_direct) tt[n++] = FX_TITLES[0];
        if (x->inst_nm) tt[n++] = FX_TITLES[1];
    }
    if (i == x->rule_after) {
        tt[n++] = FX_TITLES[2];
        if (x->rule_zh) tt[n++] = FX_TITLES[3];
        if (x->rule_unit) tt[n++] = FX_TITLES[4];
    }
    if (i == x->ind_after) tt[n++] = FX_TITLES[5];
    if (i == x->lost_after) tt[n++] = FX_TITLES[6];
    return n;
}

/* Row k of the walk's /cases rows in cbuf, loading its chunk; NULL past the end or on a read error. */
static const unsigned char *fx_case(flagx *x, hsize_t k)
{
    if (k >= x->ncases) return NULL;
    if (k < x->bfirst || k >= x->bfirst + x->bn) {
        hsize_t n = x->ncases - k < CHUNK_ROWS ? x->ncases - k : CHUNK_ROWS;
        hid_t fs = H5Dget_space(x->cds), ms = H5Screate_simple(1, &n, NULL);
        int e = fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &k, NULL, &n, NULL) < 0 ||
                H5Dread(x->cds, x->cmem, ms, fs, H5P_DEFAULT, x->cbuf) < 0;
        if (ms >= 0) H5Sclose(ms);
        if (fs >= 0) H5Sclose(fs);
        if (e) { x->bn = 0; return NULL; }
        x->bfirst = k;
        x->bn = n;
    }
    return x->cbuf + (k - x->bfirst) * x->rsz;
}

/* The institution_id of the case on line L (into id[FX_ID]): 1, or 0 when not found. */
static int fx_inst(flagx *x, uint32_t L, char *id)
{
    if (x->misses > FX_MISSES) return 0;
    hsize_t from = x->pos;
    for (int pass = 0; pass < 2; pass++) {
        hsize_t end = pass ? from : x->ncases;
        for (hsize_t k = pass ? 0 : from; k < end; k++) {
            const unsigned char *r = fx_case(x, k);
            if (!r) break;
            uint32_t l;
            memcpy(&l, r, 4);
            if (l == L) {
                memcpy(id, r + 4, x->idsz);
                id[x->idsz] = '\0';
                x->pos = k;   /* a case may carry several flags: stay on it */
                return 1;
            }
        }
    }
    x->misses++;
    return 0;
}

/* The cells after column i of flag row rp, into v[] (UTF-8, "" when unknown): their count. */
static int fx_cells(flagx *x, const table *t, int i, const unsigned char *rp, char v[FX_MAXCOLS][512])
{
    int n = 0;
    if (i == x->inst_after) {
        char id[FX_ID] = "";
        int found;
        if (x->inst_direct) { /* the row's own institution_id */
            cell c;
            get_cell(&t->col[i], rp, &c);
            snprintf(id, sizeof id, "%s", c.s);
            found = id[0] != '\0';
        } else {
            uint32_t L;
            memcpy(&L, rp + t->col[x->line_col].off, 4);
            found = fx_inst(x, L, id);
            snprintf(v[n++], 512, "%s", found ? id : "");
        }
        if (x->inst_nm) {
            fx_inst_name key = {id, NULL};
            const fx_inst_name *h = found ? bsearch(&key, x->by_id, x->ninst, sizeof *x->by_id, fx_by_id) : NULL;
            snprintf(v[n++], 512, "%s", h ? h->nm : "");
        }
    }
    if (i == x->rule_after) {
        cell r;
        get_cell(&t->col[x->rule_col], rp, &r);
        size_t k = 0;
        while (k < x->nrule && strcmp(x->rule_id[k], r.s)) k++;
        snprintf(v[n++], 512, "%s", k < x->nrule ? x->rule_en[k] : "");
        if (x->rule_zh) snprintf(v[n++], 512, "%s", k < x->nrule && x->rule_zh[k] ? x->rule_zh[k] : "");
        if (x->rule_unit) snprintf(v[n++], 512, "%s", k < x->nrule ? x->rule_unit[k] : "");
    }
    if (i == x->ind_after) {
        cell c;
        get_cell(&t->col[i], rp, &c);
        const sc_ind_info *in = sc_ind_info_of(sc_ind_find(c.s, strlen(c.s)));
        snprintf(v[n++], 512, "%s%s%s", in ? in->english : "", in ? " " : "", in ? in->chinese : "");
    }
    return n;
}

/* The year's figures of a ledger's clearing (clear.c's attributes of /clearing) as a sheet of
 * three columns, item / 项目 / value, beside the per-institution clearing sheet: the final point
 * value (结算点值) and the pool are attributes, not members, so the clearing sheet alone lacks them. */
static int clearing_year_sheet(hid_t f, xlsx *x, lxw_format *pv_fmt)
{
    hid_t d = H5Dopen2(f, "/clearing", H5P_DEFAULT);
    if (d < 0) return 0;
    static const struct { const char *attr, *item, *zh; int kind; } Y[] = {   /* kind: 0 yuan (fen), 1 point value, 2 count, 3 score e4, 4 share */
        {"point_value", "final point value (yuan per point)", "结算点值", 1},
        {"point_value_raw", "point value before the corridor", "点值（区间调整前）", 1},
        {"budget_fen", "fund budget (yuan)", "基金预算", 0},
        {"reserve_fen", "reserve (yuan)", "预留调节金", 0},
        {"allocated_fen", "allocated budget (yuan)", "可分配预算", 0},
        {"pool_fen", "pool shared by score (yuan)", "清算总额", 0},
        {"reserve_used_fen", "reserve used by the corridor (yuan)", "调节金使用（点值区间）", 0},
        {"band_fen", "surplus / overspend sharing (yuan)", "结余留用/超支分担", 0},
        {"special_fen", "special review top-ups (yuan)", "特例单议补付", 0},
        {"n_special", "approved special-review cases", "特例单议病例数", 2},
        {"reserve_left_fen", "reserve left (yuan)", "调节金结余", 0},
        {"cases", "cases", "病例数", 2},
        {"score_e4", "total score (points)", "总分值", 3},
        {"fund_share", "fund share", "统筹支付比例", 4},
        {"months", "months in the ledger", "月份数", 2},
        {"partial", "partial year: 1 = cleared with --partial (months missing), 0 = all twelve months", "部分年度清算", 2},
    };
    static const char *const T[] = {"item (the year's clearing, /clearing attributes)", "项目 (年度清算)", "value 数值"};
    static const double W[] = {38, 22, 20};
    lxw_worksheet *ws = note_sheet(x, "clearing_year", 3, T, W, NULL, 0);
    if (!ws) { H5Dclose(d); return -1; }
    lxw_row_t r = 1;
    for (size_t k = 0; k < sizeof Y / sizeof Y[0]; k++) {
        double v = h5_attr_num(d, Y[k].attr);
        if (isnan(v)) continue;
        worksheet_write_string(ws, r, 0, Y[k].item, NULL);
        worksheet_write_string(ws, r, 1, Y[k].zh, NULL);
        switch (Y[k].kind) {
        case 0: worksheet_write_number(ws, r, 2, v / 100, x->money); break;
        case 1: worksheet_write_number(ws, r, 2, v, pv_fmt); break;
        case 3: worksheet_write_number(ws, r, 2, v / 10000, x->dec4); break;
        case 4: worksheet_write_number(ws, r, 2, v, x->dec4); break;
        default: worksheet_write_number(ws, r, 2, v, x->count); break;
        }
        r++;
    }
    char mm[256]; /* the months a partial year lacked (a text attribute) */
    if (h5_attr_text(d, "months_missing", mm, sizeof mm)[0]) {
        worksheet_write_string(ws, r, 0, "months missing (partial year)", NULL);
        worksheet_write_string(ws, r, 1, "缺少的月份", NULL);
        worksheet_write_string(ws, r, 2, mm, x->text);
    }
    H5Dclose(d);
    return 1;
}

/* ---- a summary of one record: one item per row ----
 * A scenario's or a region's summary (/scenarios/NAME/summary, /regions/CODE/summary: the sheets
 * NAME_sum) is one record of 32 to 49 members: as a table it is one row of as many columns, read by
 * scrolling sideways. The workbook writes it as the clearing_year sheet does, one member a row: the
 * member's name (as in the HDF5 file and the CSV header), its meaning in English, the Chinese label,
 * the value (money in yuan, *_e4 divided, the formats of the table layout) and its unit. The CSV file
 * keeps the table layout (one header row, one data row), as the HDF5 file. */

/* the member's title split into its English meaning and its Chinese label (en and zh, "" when none);
 * base_<m> / diff_<m> (simulate) as "baseline: ..." / "基线：..." */
static void item_labels(const column *c, char *en, size_t en_cap, char *zh, size_t zh_cap)
{
    const char *nm = c->name, *pre_en = "", *pre_zh = "";
    if (!strncmp(nm, "base_", 5) && title_of(nm + 5)) { nm += 5; pre_en = "baseline: "; pre_zh = "基线："; }
    else if (!strncmp(nm, "diff_", 5) && title_of(nm + 5)) { nm += 5; pre_en = "change: "; pre_zh = "变化："; }
    const char *ti = title_of(nm);
    if (!ti) {
        snprintf(en, en_cap, "%s", c->name);
        zh[0] = '\0';
        return;
    }
    char u[200];
    if (c->k == K_E4) ti = title_unscaled(ti, u, sizeof u);   /* shown ÷ 10^4: the unit says so */
    size_t z = title_zh_at(ti), e = z;
    while (e > 0 && ti[e - 1] == ' ') e--;
    const char *tail = strstr(ti + z, " (");   /* "重复结算不予支付 (cases; -1 not recorded)": the note is English */
    size_t zl = tail ? (size_t)(tail - (ti + z)) : strlen(ti + z);
    if (tail && title_zh_at(tail) < strlen(tail)) { tail = NULL; zl = strlen(ti + z); } /* Chinese in it: keep */
    snprintf(en, en_cap, "%s%.*s%s", pre_en, (int)e, ti, tail ? tail : "");
    if (zl) snprintf(zh, zh_cap, "%s%.*s", pre_zh, (int)zl, ti + z);
    else zh[0] = '\0';
}

/* the unit of a summary member as the sheet shows it */
static const char *item_unit(const column *c)
{
    const char *nm = c->name;
    if (!strncmp(nm, "base_", 5) || !strncmp(nm, "diff_", 5)) nm += 5;
    int drg = !strncmp(nm, "drg_", 4);
    if (c->k == K_MONEY || c->k == K_YUAN || c->k == K_FENF) return "yuan 元";
    if (strstr(nm, "point_value")) return drg ? "yuan per point 元/点" : "yuan per point 元/分";
    if (!strcmp(nm, "drg_rate")) return "yuan per relative weight 元/权重";
    if (ends_with(nm, "_pct")) return "% 百分比";
    if (strstr(nm, "share")) return "ratio 比例";
    if (!strcmp(nm, "drg_points_e4") || !strcmp(nm, "drg_points")) return "points 点数";
    if (strstr(nm, "score") || !strcmp(nm, "dip_points")) return "points 分值";
    if (!strcmp(nm, "records_read") || !strcmp(nm, "rejects")) return "rows 行";
    if (!strcmp(nm, "quality_notes")) return "notes 条";
    if (!strcmp(nm, "institutions")) return "institutions 家";
    if (!strcmp(nm, "duplicate_case_ids")) return "case ids 个";
    if (!strcmp(nm, "cases") || ends_with(nm, "_cases") || !strcmp(nm, "n_cases") || !strcmp(nm, "duplicates_withheld"))
        return "cases 例";
    return "";
}

/* The sheet of a one-record table t (its row at rp) as items; 1 written, -1 on a write error. */
static int items_sheet(xlsx *x, const char *name, const char *path, const table *t, const unsigned char *rp)
{
    char h0[240];
    snprintf(h0, sizeof h0, "member 字段 (of %s)", path);
    const char *T[] = {h0, "meaning 含义", "Chinese label 中文名称", "value 数值", "unit 单位"};
    static const double W[] = {30, 46, 26, 18, 22};
    lxw_format *F[] = {x->text, NULL, NULL, NULL, NULL};
    lxw_worksheet *ws = note_sheet(x, name, 5, T, W, F, 0);
    if (!ws) return -1;
    lxw_row_t r = 1;
    for (int i = 0; i < t->ncol; i++, r++) {
        const column *c = &t->col[i];
        char en[240], zh[200];
        item_labels(c, en, sizeof en, zh, sizeof zh);
        worksheet_write_string(ws, r, 0, c->name, x->text);
        worksheet_write_string(ws, r, 1, en, NULL);
        if (zh[0]) worksheet_write_string(ws, r, 2, zh, NULL);
        cell v;
        get_cell(c, rp, &v);
        lxw_format *nf = c->k == K_MONEY || c->k == K_YUAN || c->k == K_FENF ? x->money : c->fmt;
        if (!nf && c->k == K_FLOAT && strstr(c->name, "point_value")) nf = x->pv6;   /* a column shows General */
        else if (!nf && c->k == K_FLOAT && (strstr(c->name, "points") || strstr(c->name, "score"))) nf = x->dec4;
        else if (!nf && (c->k == K_INT || c->k == K_UINT)) nf = x->count;
        if (v.is_text) worksheet_write_string(ws, r, 3, v.s, x->text);
        else worksheet_write_number(ws, r, 3, v.v, nf);
        const char *un = item_unit(c);
        if (c->k == K_E4 && !un[0]) un = "÷ 10^4";
        if (un[0]) worksheet_write_string(ws, r, 4, un, NULL);
    }
    return 1;
}

/* the summary of a scenario or a region (one record): written as items */
static int one_record_summary(const entry *e, const table *t)
{
    return t->nrows == 1 && (!strcmp(e->base, "scenarios") || !strcmp(e->base, "regions")) &&
           ends_with(e->path, "/summary");
}

/* The month (int32) and institution_id (fixed string, < FX_ID bytes, fx_pairs) of every row of
 * table path, into *months and *ids (rows of FX_ID bytes): the rows, 0 when absent or unreadable. */
static size_t month_ids(hid_t f, const char *path, int32_t **months, char (**ids)[FX_ID])
{
    *months = NULL;
    *ids = NULL;
    size_t n = fx_pairs(f, path, "institution_id", FX_ID, ids, NULL, 0, NULL);
    hid_t d = n ? H5Dopen2(f, path, H5P_DEFAULT) : -1;
    hid_t m = H5Tcreate(H5T_COMPOUND, 4);   /* the member month alone, converted to int32 */
    H5Tinsert(m, "month", 0, H5T_NATIVE_INT32);
    *months = n ? malloc(n * sizeof **months) : NULL;
    if (!*months || d < 0 || H5Dread(d, m, H5S_ALL, H5S_ALL, H5P_DEFAULT, *months) < 0) {
        free(*months);
        free(*ids);
        *months = NULL;
        *ids = NULL;
        n = 0;
    }
    H5Tclose(m);
    if (d >= 0) H5Dclose(d);
    return n;
}

static const char (*sn_ids)[FX_ID];   /* month_ids' ids, for sn_by_id (qsort has no context) */
static const int32_t *sn_months;
static int sn_by_id(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int r = strcmp(sn_ids[i], sn_ids[j]);
    return r ? r : (sn_months[i] > sn_months[j]) - (sn_months[i] < sn_months[j]);
}

/* A ledger's special sheet (特例单议) and revision_institutions sheet (更正记录, path: the table) name
 * each row's institution as the other ledger sheets do:
 * its name in the row's month (/institutions and /institution_names, the month's settlement file's),
 * or, when that month gives none, the latest month that names it (as /clearing_names does). The
 * column goes after institution_id; "" when no month names it or the ledger has no names (an older
 * casemix). The CSV mirrors the table (no column added). */
static void special_names(hid_t f, const char *path, table *t)
{
    int idc = -1;
    for (int i = 0; i < t->ncol; i++)
        if (!strcmp(t->col[i].name, "institution_id") && t->col[i].k == K_TEXT) idc = i;
    if (idc < 0 || t->names || t->nrows == 0) return;
    int32_t *im = NULL, *sm = NULL;
    char (*iid)[FX_ID] = NULL, (*sid)[FX_ID] = NULL;
    size_t ni = month_ids(f, "/institutions", &im, &iid);
    size_t ns = month_ids(f, path, &sm, &sid);
    char **inm = ni ? h5_names_read(f, "/institution_names", ni) : NULL;
    size_t *ord = inm && ns == t->nrows ? malloc(ni * sizeof *ord) : NULL;
    char **out = ord ? calloc(ns, sizeof *out) : NULL;
    if (out) {
        for (size_t k = 0; k < ni; k++) ord[k] = k;
        sn_ids = (const char (*)[FX_ID])iid;
        sn_months = im;
        qsort(ord, ni, sizeof *ord, sn_by_id);   /* by id, then month */
        int ok = 1;
        for (size_t r = 0; r < ns && ok; r++) {
            size_t lo = 0, hi = ni;   /* the first row of the id */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(iid[ord[mid]], sid[r]) < 0) lo = mid + 1; else hi = mid;
            }
            const char *nm = "";
            for (size_t k = lo; k < ni && !strcmp(iid[ord[k]], sid[r]); k++) {
                const char *c = inm[ord[k]] ? inm[ord[k]] : "";
                if (!c[0]) continue;
                if (im[ord[k]] == sm[r]) { nm = c; break; }   /* the row's own month */
                nm = c;                                      /* else the latest month that names it */
            }
            ok = (out[r] = strdup(nm)) != NULL;
        }
        if (ok) {
            t->names = out;
            t->names_own = 1;
            t->name_after = idc;
            t->name_title = "institution_name → institution name 机构名称";
            out = NULL;
        }
    }
    if (out) h5_names_free(out, ns);
    free(ord);
    h5_names_free(inm, ni);
    free(im);
    free(iid);
    free(sm);
    free(sid);
}

/* Attribute name of obj into cell (r, c): a string attribute as text, a number with format
 * fmt (NULL: the column's), nothing when absent (scenario_def_sheet, sample_settings_sheet). */
static void attr_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, hid_t obj, const char *name, const xlsx *x,
                      lxw_format *fmt)
{
    hid_t at = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ty = at >= 0 ? H5Aget_type(at) : -1;
    int text = ty >= 0 && H5Tget_class(ty) == H5T_STRING;
    if (ty >= 0) H5Tclose(ty);
    if (at >= 0) H5Aclose(at);
    if (text) {
        char v[2048];
        worksheet_write_string(ws, r, c, h5_attr_text(obj, name, v, sizeof v), x->text);
    } else {
        double v = h5_attr_num(obj, name);
        if (!isnan(v)) worksheet_write_number(ws, r, c, v, fmt);
    }
}

/* The scenarios' definitions (a simulation file): one row per attribute of each
 * /scenarios/NAME, in the configuration's order, so the workbook says what each
 * scenario is (policy 政策口径, multipliers 调价系数, settings, price table, the
 * solve's result) beside its NAME_sum / NAME_inst sheets, as the report's
 * def-scenario-NAME does. Columns: scenario, attribute, meaning, value (text, or
 * a number). 1 when written, 0 without /scenarios, -1 on an error. */
typedef struct { char name[64][64]; int n; } attrnames;
static herr_t add_attr(hid_t o, const char *name, const H5A_info_t *info, void *op)
{
    (void)o; (void)info;
    attrnames *l = op;
    if (l->n < 64) snprintf(l->name[l->n++], sizeof l->name[0], "%s", name);
    return 0;
}

static int scenario_def_sheet(hid_t f, xlsx *x)
{
    static const struct { const char *attr, *meaning; } M[] = {
        {"policy", "policy 政策口径"}, {"multipliers", "category multipliers 调价系数"},
        {"settings", "settings changed 政策参数"}, {"price_table", "item price table 项目价格表"},
        {"config_line", "line of the scenario in the configuration 配置行号"},
        {"repriced", "prices changed (1 yes) 是否调价"}, {"rescored", "scores re-calibrated (1 yes) 是否重算分值"},
        {"solve_target", "budget-neutral solve: what is held 测算目标"},
        {"solve_variable", "budget-neutral solve: what is solved 求解变量"},
        {"solved_multiplier", "solved multiplier 求解系数"}, {"solved_multiplier_e12", "solved multiplier × 10^12"},
        {"solve_residual_fen", "solve residual (fen) 残差（分）"}, {"solve_iterations", "solve evaluations 迭代次数"},
        {"solve_converged", "solve within 1 fen (1 yes) 是否收敛"},
        {"multiplier_rounding", "rounding of the re-priced amounts 舍入规则"},
        {"fee_file", "fee lines file 费用明细文件"}, {"item_lines", "fee lines read 明细行数"},
        {"item_lines_repriced", "fee lines re-priced 调价明细行数"},
        {"item_lines_no_case", "fee lines of no settled case 无结算病例的明细行数"},
        {"item_lines_unusable", "fee lines unusable 无法使用的明细行数"},
        {"table_items_never_seen", "price-table items in no fee line 价格表中未出现的项目数"},
        {"table_items_never_seen_first", "the first of them 首个未出现项目"},
    };
    if (H5Lexists(f, "scenarios", H5P_DEFAULT) <= 0) return 0;
    hid_t g = H5Gopen2(f, "scenarios", H5P_DEFAULT);
    if (g < 0) return 0;
    static subnames L;
    L.n = 0;
    hsize_t idx = 0;
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, add_sub, &L);
    h5_names_order(g, "names", L.name[0], sizeof L.name[0], L.n);
    static const char *const T[] = {"scenario 情景 (/scenarios/NAME)", "attribute 属性", "meaning 含义", "value 取值"};
    static const double W[] = {20, 24, 44, 60};
    lxw_format *const F[] = {x->text, x->text, NULL, NULL};
    lxw_worksheet *ws = note_sheet(x, "scenarios", 4, T, W, F, 0);
    if (!ws) { H5Gclose(g); return -1; }
    lxw_row_t r = 1;
    for (int s = 0; s < L.n; s++) {
        hid_t sg = H5Oopen(g, L.name[s], H5P_DEFAULT);
        if (sg < 0) continue;
        static attrnames A;
        A.n = 0;
        hsize_t ai = 0;
        H5Aiterate2(sg, H5_INDEX_NAME, H5_ITER_INC, &ai, add_attr, &A);
        for (int a = 0; a < A.n; a++) {
            const char *mean = "";
            for (size_t k = 0; k < sizeof M / sizeof M[0]; k++)
                if (!strcmp(M[k].attr, A.name[a])) mean = M[k].meaning;
            worksheet_write_string(ws, r, 0, L.name[s], x->text);
            worksheet_write_string(ws, r, 1, A.name[a], x->text);
            worksheet_write_string(ws, r, 2, mean, NULL);
            attr_cell(ws, r++, 3, sg, A.name[a], x, NULL);
        }
        H5Oclose(sg);
    }
    H5Gclose(g);
    return 1;
}

/* The review sample's settings (the attributes of /review_sample: sample_seed 随机种子,
 * sample_rate, sample_flagged_share, method, rules, result), as the report's sample cards show
 * them: the sheet sample_settings after review_sample (columns attribute, meaning,
 * value), and a comment on the review_sample sheet's first header cell naming the
 * seed and the rate, so an auditor who draws the sample again knows what drew it.
 * 1 when written, 0 without the attributes, -1 on an error. */
#define SAMPLE_SHEET "sample_settings"
static int sample_settings_sheet(hid_t f, xlsx *x)
{
    static const struct { const char *attr, *meaning; } M[] = {
        {"sample_seed", "seed 随机种子 (the same seed and input: the same sample; supervision.sample_seed)"},
        {"sample_rate", "at least this share of each institution's cases 每机构至少抽取比例 (supervision.sample_rate)"},
        {"sample_flagged_share", "flagged cases fill at most this share of an institution's sample 疑点病例最多占比 "
                                 "(supervision.sample_flagged_share)"},
        {"method", "how the sample is drawn 抽样方法"},
        {"rules", "the rules column 规则列"},
        {"result", "the result column 违规性质列 (most serious first: sort by it)"},
    };
    if (H5Lexists(f, "review_sample", H5P_DEFAULT) <= 0) return 0;
    hid_t d = H5Oopen(f, "review_sample", H5P_DEFAULT);
    if (d < 0) return 0;
    if (H5Aexists(d, "sample_seed") <= 0) { H5Oclose(d); return 0; }
    static const char *const T[] = {"attribute 属性 (of /review_sample)", "meaning 含义", "value 取值"};
    static const double W[] = {22, 60, 60};
    lxw_format *const F[] = {x->text, NULL, NULL};
    lxw_worksheet *ws = note_sheet(x, SAMPLE_SHEET, 3, T, W, F, 0);
    if (!ws) { H5Oclose(d); return -1; }
    lxw_row_t r = 1;
    for (size_t k = 0; k < sizeof M / sizeof M[0]; k++) {
        if (H5Aexists(d, M[k].attr) <= 0) continue;
        worksheet_write_string(ws, r, 0, M[k].attr, x->text);
        worksheet_write_string(ws, r, 1, M[k].meaning, NULL);
        /* rates and shares as percentages (8.0%), the seed as an integer */
        attr_cell(ws, r++, 2, d, M[k].attr, x, strcmp(M[k].attr, "sample_seed") ? x->pct : NULL);
    }
    H5Oclose(d);
    return 1;
}

/* The comment on the review_sample sheet's first header cell: the seed and the rate (sample_settings_sheet). */
static void sample_comment(hid_t f, lxw_worksheet *ws)
{
    if (H5Lexists(f, "review_sample", H5P_DEFAULT) <= 0) return;
    hid_t d = H5Oopen(f, "review_sample", H5P_DEFAULT);
    if (d < 0) return;
    double seed = h5_attr_num(d, "sample_seed"), rate = h5_attr_num(d, "sample_rate");
    H5Oclose(d);
    if (isnan(seed) || isnan(rate)) return;
    char cm[256];
    snprintf(cm, sizeof cm, "re-review sample 复审抽查: seed 随机种子 %.0f, at least %.1f%% of each institution's cases "
                            "每机构至少; see the sheet %s", seed, 100 * rate, SAMPLE_SHEET);
    worksheet_write_comment(ws, 0, 0, cm);
}

/* Every workbook shows an integer member *_e4 (1e-4 units: a settlement's total_score_e4 and
 * drg_points_e4, a province region's, a ledger's score_e4 and assessment_e4) as the report shows it
 * (report.c ledger_cell): divided by 10^4 (a score or points in points, #,##0.00; a coefficient
 * such as assessment_e4, 0.0000; exact for |v| < 2^53), its header saying so ("total_score_e4 →
 * total score (points; total_score_e4 ÷ 10^4) 总分值"). A ledger's workbook also shows the month
 * 1..12 as the text YYYY-MM of the ledger's year (not in /history_months, whose rows carry their own
 * year). The CSV files keep the stored integers: they mirror the HDF5 tables. */
static void workbook_units(const xlsx *x, table *t)
{
    int has_year = 0, months = 0;
    for (int i = 0; i < t->ncol; i++) {
        has_year |= !strcmp(t->col[i].name, "year");
        months |= !strcmp(t->col[i].name, "point_value_estimate") && x->ledger_year > 0;
    }
    for (int i = 0; months && i < t->ncol; i++) /* a ledger's /months: the fund share of the months so far */
        if (!strcmp(t->col[i].name, "fund_share"))
            snprintf(t->col[i].header, sizeof t->col[i].header, "fund_share → fund share of the year to date (Σ fund "
                     "÷ Σ cost of the months so far) 累计统筹支付比例");
    for (int i = 0; i < t->ncol; i++) {
        column *c = &t->col[i];
        if (c->k != K_INT && c->k != K_UINT) continue;
        const char *ti = title_of(c->name);
        char u[200], unit[96];
        if (ends_with(c->name, "_e4")) {
            int score = strstr(c->name, "score") != NULL || strstr(c->name, "points") != NULL;
            c->k = K_E4;
            c->fmt = score ? x->money : x->coef4;
            snprintf(unit, sizeof unit, "%s%s ÷ 10^4", score ? "points; " : "", c->name);
            title_unscaled(ti ? ti : c->name, u, sizeof u);
        } else if (!strcmp(c->name, "month") && !has_year && x->ledger_year > 0) {
            c->k = K_MONTH;
            c->year = x->ledger_year;
            snprintf(unit, sizeof unit, "YYYY-MM");
            snprintf(u, sizeof u, "%s", ti ? ti : c->name);
        } else continue;
        size_t z = title_zh_at(u);
        size_t e = z;
        while (e > 0 && u[e - 1] == ' ') e--;
        snprintf(c->header, sizeof c->header, "%s → %.*s (%s)%s%s", c->name, (int)e, u, unit, u[z] ? " " : "", u + z);
    }
}

/* ---- a table longer than a sheet: parts TABLE_1, TABLE_2, ... and the split_sheets sheet ---- */

#define SPLIT_SHEET "split_sheets"

/* The sheet of part k (1, 2, ...) of table sheet name: NAME_k, NAME cut (at a character) to keep 31 bytes. */
static void part_name(char *out, const char *name, long k)
{
    char suf[24];
    snprintf(suf, sizeof suf, "_%ld", k);
    size_t keep = utf8_cut(name, strlen(name), 31 - strlen(suf));
    snprintf(out, 32, "%.*s%s", (int)keep, name, suf);
}

/* v with thousands separators: 1,048,575. */
static const char *grouped(char *b, size_t cap, long v)
{
    char d[32];
    int n = snprintf(d, sizeof d, "%ld", v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < cap; i++) {
        b[k++] = d[i];
        if (d[i] != '-' && i < n - 1 && (n - 1 - i) % 3 == 0) b[k++] = ',';
    }
    b[k] = '\0';
    return b;
}

/* Rows of the dataset at path (0 when it cannot be read). */
static hsize_t ds_rows(hid_t f, const char *path)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t n = 0;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &n, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return n;
}

/* The sheet split_sheets (分表说明), written before the first part of the first table split: one row
 * per part of every exported table longer than per rows (table, sheet, part "k of n", the table's
 * rows it holds, 1 = the table's first row, and their count), then a note saying why and how the
 * parts go together, in English and Chinese, so that an auditor does not take flags_1 for the whole
 * of /flags. 1 (a sheet), or -1. */
static int split_sheet(hid_t f, xlsx *x, const char *tables, size_t from, long per)
{
    static const char *const T[] = {"table 表 (HDF5)", "sheet 工作表", "part 分表", "first row of the table 起始行",
                                    "last row of the table 截止行", "rows 行数"};
    static const double W[] = {22, 22, 12, 16, 16, 14};
    lxw_format *const F[] = {NULL, NULL, NULL, x->count, x->count, x->count};
    lxw_worksheet *ws = note_sheet(x, SPLIT_SHEET, 6, T, W, F, 32);
    if (!ws) return -1;
    lxw_row_t r = 1;
    char first[32] = "", sn[32], part[48];
    for (size_t ti = from; ti < NE; ti++) {
        if (!selected(f, tables, ti)) continue;
        hsize_t n = ds_rows(f, E[ti].path);
        if (n <= (hsize_t)per) continue;
        long nsh = (long)((n + (hsize_t)per - 1) / (hsize_t)per);
        for (long k = 1; k <= nsh; k++) {
            hsize_t a = (hsize_t)(k - 1) * (hsize_t)per, b = a + (hsize_t)per < n ? a + (hsize_t)per : n;
            part_name(sn, E[ti].sheet, k);
            if (!first[0]) snprintf(first, sizeof first, "%s", E[ti].sheet);
            snprintf(part, sizeof part, "%ld of %ld", k, nsh);
            worksheet_write_string(ws, r, 0, E[ti].path, x->text);
            worksheet_write_string(ws, r, 1, sn, x->text);
            worksheet_write_string(ws, r, 2, part, x->text);
            worksheet_write_number(ws, r, 3, (double)a + 1, x->count);
            worksheet_write_number(ws, r, 4, (double)b, x->count);
            worksheet_write_number(ws, r, 5, (double)(b - a), x->count);
            r++;
        }
    }
    char note[640], pr[32];
    grouped(pr, sizeof pr, per);
    snprintf(note, sizeof note,
             "Excel holds 1,048,576 rows a sheet, one of them the header: a longer table is split, in its row order, "
             "over the sheets TABLE_1, TABLE_2, ... listed above (e.g. %s_1, %s_2), each with the same header row and "
             "%s data rows (the last one the rest); together they hold every row of the table once. The CSV files "
             "(casemix export --csv) hold each table whole, in one file.", first, first, pr);
    worksheet_write_string(ws, ++r, 0, note, x->note);
    snprintf(note, sizeof note,
             "Excel 每个工作表最多 1,048,576 行（含表头）：超过的表按原行序拆分为上列各工作表（如 %s_1、%s_2），"
             "表头相同，每表 %s 行数据（最后一表为余数），合起来即为全表，每行只出现一次；CSV 导出（--csv）每表一个完整文件。",
             first, first, pr);
    worksheet_write_string(ws, ++r, 0, note, x->note);
    if (per < XLSX_SHEET_ROWS) {
        snprintf(note, sizeof note, "This workbook: %s data rows a sheet, lowered by CASEMIX_TEST_EXPORT_SHEET_ROWS (tests).", pr);
        worksheet_write_string(ws, ++r, 0, note, x->note);
    }
    return 1;
}

static cm_status export_xlsx(hid_t f, const char *file, const char *out, const char *tables, int quiet)
{
    char err[1024], tmp[CM_PATH_MAX + 64];
    if (xlsx_check_target(out, err, sizeof err)) {
        fprintf(stderr, "casemix export: %s\n", err);
        return CM_ERR_OUTPUT;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    /* Every sheet is written row by row, in row order and each row's cells in column order (the
     * header, then the data rows or the empty sheet's note; widths and formats set before the
     * first row), so libxlsxwriter's constant_memory mode fits all of them: a row is flushed to the
     * sheet's temporary file when the next starts and strings go inline into their cells instead
     * of a shared-string table held to the end. openpyxl reads the same values, types and formats;
     * a 1M-case file's default sheets: 346 MB -> 24 MB peak (README "Scale"). */
    struct rlimit rl;   /* one temporary file per sheet stays open (below): the soft limit up to the hard one */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    xlsx x = {.wb = workbook_new_opt(tmp, &opt)};
    if (!x.wb) {
        fprintf(stderr, "casemix export: %s: cannot create the workbook (%s)\n", out, strerror(errno));
        return CM_ERR_OUTPUT;
    }
    workbook_set_custom_property_string(x.wb, "casemix_kind", "export");
    char ptitle[] = "casemix settlement export 结算数据导出", pauthor[] = "casemix", pcomm[CM_PATH_MAX + 16];
    snprintf(pcomm, sizeof pcomm, "from %s", file);
    lxw_doc_properties props = {.title = ptitle, .author = pauthor, .comments = pcomm};
    workbook_set_properties(x.wb, &props);
    x.head = workbook_add_format(x.wb);
    format_set_bold(x.head);
    format_set_text_wrap(x.head);
    format_set_align(x.head, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(x.head, 0xDDEBF7);
    x.money = workbook_add_format(x.wb);
    format_set_num_format(x.money, "#,##0.00");
    x.text = workbook_add_format(x.wb);
    format_set_num_format(x.text, "@");
    struct { lxw_format **f; const char *nf; } NF[] = {
        {&x.count, "#,##0"}, {&x.pct, "0.00%"}, {&x.pp, "+0.00\" pp\";-0.00\" pp\";0.00\" pp\""},
        {&x.idx3, "0.000"}, {&x.sum3, "#,##0.000"}, {&x.dec4, "#,##0.0000"}, {&x.dec1, "0.0"}, {&x.upto3, "#,##0.###"},
        {&x.pv6, "0.000000"}, {&x.coef4, "0.0000"},
    };
    for (size_t k = 0; k < sizeof NF / sizeof NF[0]; k++) {
        *NF[k].f = workbook_add_format(x.wb);
        format_set_num_format(*NF[k].f, NF[k].nf);
    }
    x.note = workbook_add_format(x.wb);
    format_set_italic(x.note);
    char kind[64] = "";
    h5_file_kind(f, kind, sizeof kind);
    if (!strcmp(kind, "ledger")) {   /* months as YYYY-MM need the year; without it they stay 1..12 */
        hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
        double y = root >= 0 ? h5_attr_num(root, "year") : NAN;
        if (root >= 0) H5Gclose(root);
        x.ledger_year = y >= 1000 && y <= 9999 ? (int)y : 0;
    }
    cm_status st = CM_OK;
    long per_sheet = sheet_rows();
    int nsheets = 0, split_done = 0, defs_done = 0;
    unsigned char *buf = NULL;
    for (size_t ti = 0; ti < NE && st == CM_OK; ti++) {
        const char *name = E[ti].sheet;
        if (!selected(f, tables, ti)) continue;
        if (!defs_done && !strcmp(E[ti].base, "scenarios")) { /* what each scenario is, before its tables */
            defs_done = 1;
            int ds = scenario_def_sheet(f, &x);
            if (ds < 0) { st = CM_ERR_OUTPUT; break; }
            nsheets += ds;
        }
        table t;
        flagx fxs, *fx = NULL;   /* the flags sheet: institution and rule names added (fx_open) */
        if ((st = table_open(f, file, ti, E[ti].names, &t)) != CM_OK) { table_free(&t); break; }
        workbook_units(&x, &t);
        if (x.ledger_year && (!strcmp(E[ti].base, "special") || !strcmp(E[ti].base, "revision_institutions")))
            special_names(f, E[ti].path, &t); /* the institution's name beside its id (a ledger has no aligned names) */
        free(buf);
        hsize_t chunk = t.nrows < CHUNK_ROWS ? (t.nrows ? t.nrows : 1) : CHUNK_ROWS;
        buf = malloc(chunk * t.rowsize);
        if (!buf) { table_free(&t); st = CM_ERR_NOMEM; break; }
        hsize_t first_n = t.nrows < chunk ? t.nrows : chunk;
        if (first_n && table_read(&t, 0, first_n, buf)) goto bad_read;
        widths(&t, buf, first_n);
        for (int i = 0; i < t.ncol; i++)
            if (t.col[i].k == K_FLOAT) t.col[i].fmt = member_format(&x, t.col[i].name);
        if (one_record_summary(&E[ti], &t)) {   /* one item a row (items_sheet) */
            int is = items_sheet(&x, name, E[ti].path, &t, buf);
            table_free(&t);
            if (is < 0) { st = CM_ERR_OUTPUT; break; }
            nsheets += is;
            continue;
        }
        if (!strcmp(E[ti].base, "flags") && t.nrows) {
            fx_open(f, &t, &fxs);
            fx = &fxs;
        } else if ((!strcmp(E[ti].base, "review_sample") || !strcmp(E[ti].base, "indicators")) && t.nrows) {
            if (fx_open_rows(f, &t, !strcmp(E[ti].base, "indicators"), &fxs)) fx = &fxs;
            else fx_close(&fxs);
        }
        int ind_col = -1;   /* /indicators: the indicator code decides each row's number formats */
        if (!strcmp(E[ti].base, "indicators"))
            for (int i = 0; i < t.ncol; i++)
                if (!strcmp(t.col[i].name, "indicator") && t.col[i].k == K_TEXT) ind_col = i;
        long nsh = t.nrows ? (long)((t.nrows + (hsize_t)per_sheet - 1) / (hsize_t)per_sheet) : 1;
        lxw_worksheet *ws = NULL;
        long sheet = 0;
        lxw_row_t row = 0;
        for (hsize_t r0 = 0; r0 < t.nrows || (r0 == 0 && !ws); r0 += chunk) {
            hsize_t n = t.nrows - r0 < chunk ? t.nrows - r0 : chunk;
            if (r0 && table_read(&t, r0, n, buf)) goto bad_read;
            if (g_interrupted) { st = CM_ERR_INTERRUPTED; break; }
            for (hsize_t r = 0; r < n || !ws; r++) {
                if (!ws || row > (lxw_row_t)per_sheet) {
                    char sn[32];
                    if (nsh > 1 && !split_done) {   /* before the first part of the first table split */
                        int ss = split_sheet(f, &x, tables, ti, per_sheet);
                        if (ss < 0) { st = CM_ERR_OUTPUT; break; }
                        nsheets += ss;
                        split_done = 1;
                    }
                    if (nsh > 1) part_name(sn, name, ++sheet);
                    else snprintf(sn, sizeof sn, "%s", name);
                    if (!(ws = xlsx_sheet(&x, sn, &t, fx))) { st = CM_ERR_OUTPUT; break; }
                    if (nsh > 1) {   /* the header's first cell says which part this is (a cell comment) */
                        char cm[256];
                        hsize_t a = (hsize_t)(sheet - 1) * (hsize_t)per_sheet;
                        hsize_t b = a + (hsize_t)per_sheet < t.nrows ? a + (hsize_t)per_sheet : t.nrows;
                        char ga[32], gb[32];
                        snprintf(cm, sizeof cm, "part %ld of %ld of %s: its rows %s to %s (第%ld/%ld部分); see the sheet %s",
                                 sheet, nsh, E[ti].path, grouped(ga, sizeof ga, (long)a + 1), grouped(gb, sizeof gb, (long)b),
                                 sheet, nsh, SPLIT_SHEET);
                        worksheet_write_comment(ws, 0, 0, cm);
                    } else if (!strcmp(E[ti].path, "/review_sample"))
                        sample_comment(f, ws);
                    nsheets++;
                    row = 1;
                }
                if (r >= n) {
                    if (!t.nrows) {   /* an empty table: say why, so an empty sheet is not taken for a failed export */
                        const char *why = !strcmp(E[ti].base, "rejects")
                                              ? "no rejects: every row read was settled (无剔除记录：读入的每一行均已结算)"
                                          : !strcmp(E[ti].base, "quality")
                                              ? "no data-quality notes: no kept case had a field treated as missing (无数据质量提示)"
                                          : !strcmp(E[ti].base, "flags") ? "no flags: no rule fired on any case (无疑点)"
                                                                         : "no rows (无记录)";
                        worksheet_write_string(ws, 1, 0, why, x.note);
                    }
                    break;
                }
                const unsigned char *rp = buf + r * t.rowsize;
                lxw_col_t c = 0;
                cell code = {0};
                if (ind_col >= 0) get_cell(&t.col[ind_col], rp, &code);
                for (int i = 0; i < t.ncol; i++) {
                    cell v;
                    get_cell(&t.col[i], rp, &v);
                    const char *zh = t.col[i].k == K_ENUM || t.col[i].k == K_GTYPE ? enum_zh(E[ti].base, t.col[i].name, v.s) : NULL;
                    if (zh) { /* the project's bilingual form: English, the Chinese beside */
                        size_t L = strlen(v.s);
                        snprintf(v.s + L, sizeof v.s - L, " %s", zh);
                    }
                    if (ind_col >= 0 && zh && !strcmp(t.col[i].name, "outlier") && !strncmp(v.s, "not_ranked", 10)) {
                        /* a count or budget progress is never ranked: say so, not a data problem */
                        const sc_ind_info *in = sc_ind_info_of(sc_ind_find(code.s, strlen(code.s)));
                        const char *why = in ? sc_ind_never_ranked_note(in->kind) : NULL;
                        size_t L = strlen(v.s);
                        if (why) snprintf(v.s + L, sizeof v.s - L, " (%s)", why);
                    }
                    lxw_format *nf = t.col[i].k == K_MONEY || t.col[i].k == K_YUAN || t.col[i].k == K_FENF ? x.money
                                                                                                  : t.col[i].fmt;
                    if (ind_col >= 0 && !v.is_text) {
                        lxw_format *fi = ind_format(&x, code.s, t.col[i].name);
                        if (fi) nf = fi;
                    }
                    if (ind_col >= 0 && !strcmp(t.col[i].name, "institution_id") && !v.s[0])
                        snprintf(v.s, sizeof v.s, "(region 统筹区)"); /* the region's rows: no institution id */
                    if (v.is_text) worksheet_write_string(ws, row, c++, v.s, x.text);
                    else worksheet_write_number(ws, row, c++, v.v, nf);
                    if (i == t.name_after && t.names) {
                        const char *nm = t.names[r0 + r];
                        worksheet_write_string(ws, row, c++, nm ? nm : "", x.text);
                    }
                    char xv[FX_MAXCOLS][512];
                    for (int j = 0, nx = fx ? fx_cells(fx, &t, i, rp, xv) : 0; j < nx; j++)
                        worksheet_write_string(ws, row, c++, xv[j], x.text);
                    if (fx && i == fx->lost_after) { /* a number, blank when the row lost nothing it could */
                        double L = fx->lost[r0 + r];
                        if (!isnan(L)) worksheet_write_number(ws, row, c, L, x.dec1);
                        c++;
                    }
                }
                row++;
            }
            if (st) break;
            if (!t.nrows) break;
        }
        if (fx) fx_close(fx);
        table_free(&t);
        if (st == CM_OK && !strcmp(E[ti].path, "/review_sample")) { /* what drew the sample, beside it */
            int ss = sample_settings_sheet(f, &x);
            if (ss < 0) st = CM_ERR_OUTPUT;
            else nsheets += ss;
        }
        if (st == CM_OK && !strcmp(E[ti].base, "clearing")) { /* the year's figures beside the clearing */
            int ys = clearing_year_sheet(f, &x, x.pv6);
            if (ys < 0) st = CM_ERR_OUTPUT;
            else nsheets += ys;
        }
        continue;
    bad_read:
        fprintf(stderr, "casemix export: %s: cannot read /%s\n", file, name);
        if (fx) fx_close(fx);
        table_free(&t);
        st = CM_ERR_INPUT;
    }
    free(buf);
    if (st == CM_OK && nsheets == 0) {
        fprintf(stderr, "casemix export: %s: none of the tables asked (--tables %s) is in the file\n", file,
                tables ? tables : "");
        st = CM_ERR_USAGE;
    }
    if (st != CM_OK) {
        workbook_close(x.wb);
        unlink(tmp);
        return st;
    }
    lxw_error le = workbook_close(x.wb);
    if (le != LXW_NO_ERROR || xlsx_mark(tmp) || xlsx_check_target(out, err, sizeof err) || rename(tmp, out)) {
        int fds = (le == LXW_ERROR_CREATING_TMPFILE || le == LXW_ERROR_CREATING_XLSX_FILE) && errno == EMFILE;   /* the sheets' files, or the workbook's own */
        fprintf(stderr, "casemix export: %s: cannot write the workbook (%s)\n", out,
                le != LXW_NO_ERROR ? lxw_strerror(le) : err[0] ? err : strerror(errno));
        if (fds) too_many_files("");
        unlink(tmp);
        return CM_ERR_OUTPUT;
    }
    if (!quiet) printf("casemix export: %s (%d sheets)\n", out, nsheets);
    return CM_OK;
}

/* ---- csv ------------------------------------------------------------ */


static cm_status export_csv(hid_t f, const char *file, const char *dir, const char *tables, int quiet)
{
    struct stat sb;
    int made_dir = 0;
    if (stat(dir, &sb) != 0) {
        if (mkdir(dir, 0777) != 0) {
            fprintf(stderr, "casemix export: %s: cannot create the directory (%s)\n", dir, strerror(errno));
            return CM_ERR_OUTPUT;
        }
        made_dir = 1;
    } else if (!S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "casemix export: %s: is not a directory; --csv names the directory the CSV files go to\n", dir);
        return CM_ERR_OUTPUT;
    }
    static char fin[MAX_ENT][CM_PATH_MAX + 32], tmp[MAX_ENT][CM_PATH_MAX + 64];
    int nf = 0;
    cm_status st = CM_OK;
    unsigned char *buf = NULL;
    for (size_t ti = 0; ti < NE && st == CM_OK; ti++) {
        const char *name = E[ti].sheet;
        if (!selected(f, tables, ti)) continue;
        table t;
        if ((st = table_open(f, file, ti, E[ti].names, &t)) != CM_OK) { table_free(&t); break; }
        /* the header, also the mark of a CSV casemix wrote */
        char *head = NULL;
        size_t hl = 0;
        FILE *hm = open_memstream(&head, &hl);
        if (!hm) { table_free(&t); st = CM_ERR_NOMEM; break; }
        fputs(CM_UTF8_BOM, hm);
        for (int i = 0; i < t.ncol; i++) {
            if (i) fputc(',', hm);
            csv_put(hm, t.col[i].header);
            if (i == t.name_after && t.names) { fputc(',', hm); csv_put(hm, t.name_title); }
        }
        fputs("\r\n", hm);
        fclose(hm);
        char mark[200];
        snprintf(mark, sizeof mark, "%.*s", (int)(hl < sizeof mark - 1 ? hl : sizeof mark - 1), head);
        snprintf(fin[nf], sizeof fin[nf], "%s/%s.csv", dir, name);
        snprintf(tmp[nf], sizeof tmp[nf], "%s.tmp.%ld", fin[nf], (long)getpid());
        char err[1024];
        if (cm_side_check_target(fin[nf], mark, "--csv", err, sizeof err)) {
            fprintf(stderr, "casemix export: %s\n", err);
            free(head);
            table_free(&t);
            st = CM_ERR_OUTPUT;
            break;
        }
        FILE *o = fopen(tmp[nf], "wb");
        if (!o) {
            fprintf(stderr, "casemix export: %s: cannot create (%s)\n", fin[nf], strerror(errno));
            free(head);
            table_free(&t);
            st = CM_ERR_OUTPUT;
            break;
        }
        nf++;
        fwrite(head, 1, hl, o);
        free(head);
        free(buf);
        hsize_t chunk = t.nrows < CHUNK_ROWS ? (t.nrows ? t.nrows : 1) : CHUNK_ROWS;
        buf = malloc(chunk * t.rowsize);
        if (!buf) st = CM_ERR_NOMEM;
        for (hsize_t r0 = 0; r0 < t.nrows && st == CM_OK; r0 += chunk) {
            hsize_t n = t.nrows - r0 < chunk ? t.nrows - r0 : chunk;
            if (g_interrupted) { st = CM_ERR_INTERRUPTED; break; }
            if (table_read(&t, r0, n, buf)) {
                fprintf(stderr, "casemix export: %s: cannot read /%s\n", file, name);
                st = CM_ERR_INPUT;
                break;
            }
            for (hsize_t r = 0; r < n; r++) {
                for (int i = 0; i < t.ncol; i++) {
                    cell v;
                    get_cell(&t.col[i], buf + r * t.rowsize, &v);
                    if (i) fputc(',', o);
                    csv_put(o, v.s);
                    if (i == t.name_after && t.names) {
                        fputc(',', o);
                        csv_put(o, t.names[r0 + r] ? t.names[r0 + r] : "");
                    }
                }
                fputs("\r\n", o);
            }
        }
        if ((ferror(o) | fclose(o)) && st == CM_OK) {
            fprintf(stderr, "casemix export: %s: cannot write (%s)\n", fin[nf - 1], strerror(errno));
            st = CM_ERR_OUTPUT;
        }
        table_free(&t);
    }
    free(buf);
    if (st == CM_OK && nf == 0) {
        fprintf(stderr, "casemix export: %s: none of the tables asked (--tables %s) is in the file\n", file,
                tables ? tables : "");
        st = CM_ERR_USAGE;
    }
    for (int i = 0; i < nf && st == CM_OK; i++)
        if (rename(tmp[i], fin[i])) {
            fprintf(stderr, "casemix export: %s: cannot rename into place (%s)\n", fin[i], strerror(errno));
            st = CM_ERR_OUTPUT;
        }
    if (st != CM_OK) {
        for (int i = 0; i < nf; i++) unlink(tmp[i]);
        if (made_dir) rmdir(dir); /* nothing left behind */
        return st;
    }
    if (!quiet) {
        printf("casemix export: %d CSV files (UTF-8 with BOM) in %s:", nf, dir);
        for (int i = 0; i < nf; i++) printf(" %s", strrchr(fin[i], '/') + 1);
        printf("\n");
    }
    return CM_OK;
}

cm_status cmd_export(const char *input, const char *xlsx_path, const char *csv_dir, const char *tables, int quiet)
{
    if (!input || (!xlsx_path && !csv_dir)) {
        fprintf(stderr, "casemix export: usage: casemix export OUT.h5 --xlsx FILE.xlsx | --csv DIR "
                        "[--tables summary,institutions,...]; see casemix export --help\n");
        return CM_ERR_USAGE;
    }
    if (tables) {
        for (const char *p = tables; *p;) {
            size_t n = strcspn(p, ",");
            int ok = 0;
            for (size_t i = 0; i < NTABLES; i++)
                if (strlen(TABLES[i].name) == n && !strncmp(TABLES[i].name, p, n)) ok = 1;
            if ((n == 9 && !strncmp(p, "scenarios", 9)) || (n == 7 && !strncmp(p, "regions", 7))) ok = 1;
            if (!ok) {
                fprintf(stderr, "casemix export: --tables: unknown table '%.*s' (tables: summary, institutions, "
                                "groups, drgs, rejects, quality, indicators, rules, flags, review_sample, months, clearing, special, "
                                "history_months, revisions, revision_institutions, reopenings, reopening_institutions, province_summary, scenarios, "
                                "regions, cases)\n", (int)n, p);
                return CM_ERR_USAGE;
            }
            p += n;
            if (*p == ',') p++;
        }
    }
    char why[256];
    hid_t f = h5_open_read(input, why, sizeof why);
    if (f < 0) {
        fprintf(stderr, "casemix export: %s: %s; give an HDF5 file casemix wrote (settle, simulate, month / clear)\n", input, why);
        return CM_ERR_INPUT;
    }
    char kind[64] = "";
    h5_file_kind(f, kind, sizeof kind);
    if (strcmp(kind, H5_KIND_SETTLEMENT) && strcmp(kind, "simulation") && strcmp(kind, "ledger") &&
        strcmp(kind, H5_KIND_PROVINCE)) {
        if (kind[0])
            fprintf(stderr, "casemix export: %s: is a casemix %s file; export reads settlement, simulation, ledger "
                            "and province files (casemix_kind settlement, simulation, ledger, province)\n", input, kind);
        else
            fprintf(stderr, "casemix export: %s: is not a casemix output file (no file attribute "
                            "casemix_kind); give the HDF5 file casemix settle, simulate, month or clear wrote\n", input);
        H5Fclose(f);
        return CM_ERR_INPUT;
    }
    entries_build(f);
    /* the workbook's target is checked before any work; the CSVs (checked as
     * they are written, renamed only when all are) go first, so that a
     * refused CSV leaves the workbook untouched too */
    char err[1024];
    if (xlsx_path && xlsx_check_target(xlsx_path, err, sizeof err)) {
        fprintf(stderr, "casemix export: %s\n", err);
        H5Fclose(f);
        return CM_ERR_OUTPUT;
    }
    cm_status st = CM_OK;
    if (csv_dir) st = export_csv(f, input, csv_dir, tables, quiet);
    if (st == CM_OK && xlsx_path) st = export_xlsx(f, input, xlsx_path, tables, quiet);
    H5Fclose(f);
    return st;
}
