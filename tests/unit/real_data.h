/*
 * real_data.h - the real-data tier's shared setup (header only): where the
 * published tables are ($CASEMIX_DATA, default ../shared/data), the skip
 * when they are absent (exit 77: tests/run.sh reports it, and fails it
 * under CI=true), and loading the real DIP tables.
 */
#ifndef CASEMIX_TESTS_REAL_DATA_H
#define CASEMIX_TESTS_REAL_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../grouper/grouper.h"

typedef struct {
    char cat[1024], stats[1024], golden[1024]; /* 平顶山 2025 DIP catalogue, stats, golden_3k */
    char attr[1024], icd[1024];                /* ICD-9-CM-3 attributes, ICD-10 医保版 2.0 list */
    char drg[1024], drg_mdc[1024];             /* CHS-DRG 1.1 table directory, its mdc.csv */
} tu_real;

/* Fills every path; returns 0 when each file of need (NULL-terminated,
 * pointers into p) exists, else prints a SKIP line naming the first
 * missing one and returns 77. */
static inline int tu_real_find(tu_real *p, const char *const *need)
{
    const char *root = getenv("CASEMIX_DATA");
    if (!root || !*root) root = "../shared/data";
    snprintf(p->cat, sizeof p->cat, "%s/dip/pingdingshan-2025/catalogue.csv", root);
    snprintf(p->stats, sizeof p->stats, "%s/dip/pingdingshan-2025/group_stats.csv", root);
    snprintf(p->golden, sizeof p->golden, "%s/dip/pingdingshan-2025/golden_3k.csv", root);
    snprintf(p->attr, sizeof p->attr, "%s/codes/icd9cm3_yb2.0_attributes.csv", root);
    snprintf(p->icd, sizeof p->icd, "%s/codes/icd10_clinical2.0_to_yb2.0.csv", root);
    snprintf(p->drg, sizeof p->drg, "%s/chs-drg-1.1", root);
    snprintf(p->drg_mdc, sizeof p->drg_mdc, "%s/chs-drg-1.1/mdc.csv", root);
    for (; need && *need; need++) {
        struct stat sb;
        if (stat(*need, &sb) != 0) {
            printf("SKIP: %s not found (set CASEMIX_DATA to the shared data directory)\n", *need);
            return 77;
        }
    }
    return 0;
}

/* Loads the real DIP tables (catalogue, stats, attributes, ICD-10 list);
 * o receives the options used. Prints the loader's error; 0 or -1. */
static inline int tu_real_load_dip(const tu_real *p, gr_dip **d, gr_dip_options *o)
{
    gr_dip_options_default(o);
    o->catalogue_csv = p->cat;
    o->group_stats_csv = p->stats;
    o->proc_attr_csv = p->attr;
    o->icd10_csv = p->icd;
    gr_error err;
    gr_status s = gr_dip_load(o, d, &err);
    if (s == GR_OK) return 0;
    fprintf(stderr, "load failed: %s: %s:%ld [%s] %s\n", gr_status_name(s), err.file, err.line, err.field,
            err.msg);
    return -1;
}

#endif
