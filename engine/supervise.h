/*
 * supervise.h - internal: supervision (稽核) of a settlement: the case
 * rules R01-R13 (scoring/rules.c) run over the period and the baseline
 * scenario, /flags /rules /rule_names /review_sample, the summary lines.
 * docs/METHODS.md "Supervision".
 *
 * Flow (settle.c, period.c): sv_begin before the read (asks the reader
 * for the supervision fields and a 16-byte side array per slot), sv_row
 * for every kept row (from the read callback, any thread), sv_columns
 * after the read, sv_run after the baseline scenario, sv_write inside the
 * settlement file, sv_summary, sv_free.
 *
 * The interface to the institution indicators (issue 11, the other half):
 * sv_rule_mask (uint16_t per slot: bit r set when rule r, SC_R01 = 0,
 * fired on the case; bits SV_MASK_LEVEL the case's strongest result, see
 * below) and sv_evaluated (per rule, 0/1). NULL = rules not run.
 *
 * Ownership: the sv_state is sv_begin's (malloc) and freed by sv_free;
 * the mask and flags live in it.
 */
#ifndef CASEMIX_SUPERVISE_H
#define CASEMIX_SUPERVISE_H

#include "period.h"
#include "h5out.h"

typedef struct sv_state sv_state;

/* The rule mask's bits above the rules (SC_RULE__COUNT = 13): the strongest
 * result among the case's /flags rows that are not info, as SC_RES_INFO -
 * result (0 none, 1 suspicious, 2 highly_suspicious, 3 definite). It is the
 * flags' own result, not the rule table's: R04 is definite across two
 * institutions, highly_suspicious within one. sv_mask_result reads it back
 * as an sc_rule_result (SC_RES_INFO when the case has no such row). */
#define SV_MASK_LEVEL_SHIFT 13
#define SV_MASK_LEVEL (3u << SV_MASK_LEVEL_SHIFT)
static inline unsigned sv_mask_result(uint16_t m) { return 3u - ((m & SV_MASK_LEVEL) >> SV_MASK_LEVEL_SHIFT); }

/* When cfg->sup_enabled: a new state in *out (else *out = NULL), po asks
 * the reader for the supervision fields and the side array. CM_OK or
 * CM_ERR_NOMEM (err). */
cm_status sv_begin(const cm_config *cfg, int nt, cm_parse_opts *po, sv_state **out, char *err, size_t errlen);
/* One kept row (status SLOT_CASE) of slot `slot`: its facts into the side
 * array, the rules decided on the row's own codes (R06, R09, R10). Any
 * thread; tid is the reader's. */
void sv_row(sv_state *sv, pl_slots *s, size_t slot, int tid, const cm_parser *p, const cm_case *c);
/* After the read: which columns the header had (a rule whose inputs are
 * absent is not evaluated). */
void sv_columns(sv_state *sv, const int colidx[COL__COUNT], int has_categories);
/* After the baseline scenario: the cross-case rules, the single-case
 * rules, the rule mask and the re-review sample. Frees the side array.
 * CM_OK, CM_ERR_NOMEM or CM_ERR_INTERRUPTED (err). */
cm_status sv_run(sv_state *sv, cm_period *p, const cm_scenario *s, char *err, size_t errlen);
/* Before any work (settle_stages): supervision.previous_input must not be
 * the run's input itself (the same file). CM_OK or CM_ERR_CONFIG (err). */
cm_status sv_check_previous(const cm_config *cfg, const char *input, char *err, size_t errlen);
/* Before payment (settle_stages, between the period and sn_run): which
 * rules run, and the cross-case rules R01-R05 on the period's facts, so
 * that the R05 duplicates (B) are known before the budget is shared. sv_run
 * calls it when nobody did. NULL sv: CM_OK. CM_OK or CM_ERR_NOMEM (err). */
cm_status sv_cross(sv_state *sv, cm_period *p, char *err, size_t errlen);
/* After sn_score, before sn_pay: every R05 duplicate (B) gets score 0 (and
 * DRG points 0) and the flag CF_DUP_WITHHELD, so it is kept in /cases but
 * neither counted in the points nor paid. NULL sv: nothing. */
void sv_withhold(const sv_state *sv, cm_scenario *sn);
/* R05 only, for payment (casemix month, simulate: PERIOD_SUP_DUPS): the
 * other rules off, sv_write writes nothing, sv_summary prints only the
 * withheld line. Right after sv_begin, before the read. NULL sv: nothing. */
void sv_dups_only(sv_state *sv);
/* The duplicates withheld: count, and their claimed total cost and fund part (fen);
 * -1 (amounts 0) when R05 was not checked (no supervision, R05 off or not evaluated). */
int64_t sv_withheld(const sv_state *sv, int64_t *total_fen, int64_t *fund_fen);
/* /flags, /rules, /rule_names, /review_sample into w; id_width: /cases'
 * case_id width (settle_case_id_width), the case ids' width in /flags and
 * /review_sample too. CM_OK or CM_ERR_OUTPUT. */
cm_status sv_write(const sv_state *sv, const cm_period *p, h5w *w, size_t id_width);
/* The supervision lines of the terminal summary. */
void sv_summary(const sv_state *sv, FILE *f);
/* The interface for the indicators: mask per slot (NULL when not run),
 * evaluated per rule (SC_RULE__COUNT entries). */
const uint16_t *sv_rule_mask(const sv_state *sv);
const uint8_t *sv_evaluated(const sv_state *sv);
/* Per slot, R11's inputs for the indicators' low_risk_mortality: bit 0 the
 * case's DIP group is low-risk (history), bit 1 it ended in death; NULL
 * when R11 was not evaluated. */
const uint8_t *sv_low_risk(const sv_state *sv);
/* Seconds spent in sv_run. */
double sv_seconds(const sv_state *sv);
/* Seconds of sv_run's phases: 0 cross-case rules, 1 single-case rules,
 * 2 merge and rule mask, 3 sample (for casemix bench --stage flags). */
double sv_phase_seconds(const sv_state *sv, int k);
void sv_free(sv_state *sv);
/* A region split over MPI ranks (province.c): the read-stage flags of a
 * part (every thread's, slots - skip) as one malloc'd array of *n entries
 * of *elem bytes (the caller's: free), and their append to the owner's
 * (slots + base). CM_OK or CM_ERR_NOMEM. */
cm_status sv_part_flags(const sv_state *sv, size_t skip, void **out, size_t *n, size_t *elem);
cm_status sv_part_add(sv_state *sv, const void *flags, size_t n, size_t base);

#endif
