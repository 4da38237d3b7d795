/*
 * drg_case.h - test helper shared by the CHS-DRG unit tests: a gr_case built
 * from '|'-separated code lists (first procedure = principal), stored in a
 * caller-owned tcase so that it needs no allocation.
 */
#ifndef CASEMIX_TESTS_DRG_CASE_H
#define CASEMIX_TESTS_DRG_CASE_H

#include <string.h>

#include "../../grouper/grouper.h"
#include "test_util.h"

typedef struct {
    gr_case c;
    char buf[4096];
    const char *dx[80], *pr[80];
} tcase;

/* Fills t from the lists and demographics (-1 = missing) and returns &t->c.
 * The lists must fit t->buf (asserted by the callers' tests). */
static inline gr_case *mk(tcase *t, int sex, int age, int days, int weight, const char *dx,
                          const char *procs)
{
    memset(t, 0, sizeof *t);
    size_t ld = strlen(dx);
    memcpy(t->buf, dx, ld + 1);
    memcpy(t->buf + ld + 1, procs, strlen(procs) + 1);
    int nd = tu_split_list(t->buf, t->dx, 80);
    int np = tu_split_list(t->buf + ld + 1, t->pr, 80);
    t->c.principal_dx = nd ? t->dx[0] : "";
    t->c.other_dx = t->dx + 1;
    t->c.n_other_dx = nd ? nd - 1 : 0;
    t->c.principal_proc = np ? t->pr[0] : "";
    t->c.other_procs = t->pr + 1;
    t->c.n_other_procs = np ? np - 1 : 0;
    t->c.sex = sex;
    t->c.age_years = age;
    t->c.age_days = days;
    t->c.birth_weight_g = weight;
    return &t->c;
}

#endif
