/*
 * demo_region.h - the generated region of the engine's unit tests (header
 * only): test_engine_indicators.c, test_engine_samplekeys.c.
 */
#ifndef CASEMIX_TESTS_DEMO_REGION_H
#define CASEMIX_TESTS_DEMO_REGION_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../bench/gen.h"
#include "../../engine/period.h"

/* config/demo.cfg (the demo tables) into *cfg with 2 threads and partial
 * slices of 256 slots (pipeline.c's test setting CASEMIX_TEST_SLICE_SHIFT),
 * and a region of `cases` rows plus `history` history rows generated with
 * `seed` into a new directory tmp (tmpn bytes) made from tmpl
 * ("/tmp/casemix-NAME-XXXXXX"). 0, or -1 with the reason on stderr. */
static inline int demo_region(char *tmp, size_t tmpn, const char *tmpl, cm_config *cfg, int64_t cases,
                              int64_t history, uint64_t seed)
{
    char err[1024];
    snprintf(tmp, tmpn, "%s", tmpl);
    if (!mkdtemp(tmp)) return -1;
    cm_cfg_error ce;
    if (cm_config_load("config/demo.cfg", cfg, &ce) != CM_CFG_OK) { fprintf(stderr, "%s\n", ce.msg); return -1; }
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    if (load_tables(cfg, 1, 0, &dip, &drg, NULL, err, sizeof err)) { fprintf(stderr, "%s\n", err); return -1; }
    cfg->threads = 2;
    setenv("CASEMIX_TEST_SLICE_SHIFT", "8", 1);
    if (pl_test_settings(err, sizeof err)) { fprintf(stderr, "%s\n", err); gr_dip_free(dip); return -1; }
    int rc = gen_region(cfg, dip, tmp, cases, history, seed, 0.0, err, sizeof err);
    gr_dip_free(dip);
    if (rc) { fprintf(stderr, "%s\n", err); return -1; }
    return 0;
}

#endif
