/*
 * html.h - internal: the small pure helpers behind casemix report's HTML and
 * SVG (no I/O, no HDF5, no allocation): escaping, number formatting, axis
 * ticks, histogram bins, the four-level rating's Chinese names. Tested by
 * tests/unit/test_engine_html.c. Money is formatted with cm_yuan_text
 * (engine.h, util.c) with thousands separators.
 */
#ifndef CASEMIX_HTML_H
#define CASEMIX_HTML_H

#include <stddef.h>
#include <stdint.h>

/* s with & < > " ' escaped as HTML entities (safe in text and in quoted
 * attributes), control bytes as '?'; into out (cap bytes, NUL included),
 * cut at a character boundary when it does not fit (never inside an entity
 * or a UTF-8 sequence). Returns the length written. */
size_t html_escape(const char *s, char *out, size_t cap);

/* An integer with thousands separators: 1234567 -> "1,234,567". Returns out. */
const char *fmt_count(char *out, size_t cap, int64_t n);

/* A number for an axis or a table: thousands separators on the integer
 * part, decimals digits after the point (0-6), "-" for NaN. Returns out. */
const char *fmt_num(char *out, size_t cap, double v, int decimals);

/* Axis ticks over [lo, hi] (lo <= hi): a step of 1, 2 or 5 × 10^k giving
 * at most max_ticks ticks (max_ticks >= 2) from *first (a multiple of the
 * step, <= lo) to the first multiple >= hi. Returns the tick count (>= 2);
 * a zero-width range gets a unit around it. *decimals: the decimals a
 * label needs to tell the ticks apart. */
int axis_ticks(double lo, double hi, int max_ticks, double *first, double *step, int *decimals);

/* The bin of x among nbins bins of width w starting at 0: -1 for x < 0 (a
 * case without standard cost has ratio -1) or NaN, nbins for x >= nbins × w
 * (the overflow bin), else floor(x / w). */
int hist_bin(double x, double w, int nbins);

/* The Chinese name of a four-level rating written by supervision
 * (excellent/good/pass/fail, in any case, or the Chinese name itself): 优秀, 良好,
 * 合格, 不达标; NULL when the name is none of them. */
const char *rating_zh(const char *name);

/* The width of s in em of the report's sans-serif font, estimated from its
 * UTF-8 characters (no font metrics here): a CJK or full-width character
 * (U+1100 and up) 1 em, an upper-case letter, a digit or another character
 * 0.62 em, a lower-case letter or space 0.52 em — a little wide, so a label
 * given that room is not cut. The chart labels are right-aligned against
 * the bars: hbars gives them max(230, this × font size) units. */
double text_width_em(const char *s);

/* The Chinese name of "not_rated" (no weighted indicator ranked): 未评级;
 * NULL for another name. */
const char *rating_none_zh(const char *name);

/* The order of two values, largest first, NaN (not rated, not evaluated)
 * after every number: -1 when x comes first, 1 when y does, 0 when tied (two
 * NaNs too). A comparison with NaN inside qsort's comparator gave no
 * consistent order (rated institutions after unrated ones). */
int cmp_desc_nan_last(double x, double y);

/* --- the wide tables of a ledger report (report.c, sec_ledger) --- */

/* v / 10^4 (a member *_e4: score_e4 points, assessment_e4 coefficient) with
 * thousands separators, rounded half away from zero to decimals (0..4),
 * exactly in integers: fmt_e4(267776861327, 2) = "26,777,686.13". */
const char *fmt_e4(char *out, size_t cap, int64_t v, int decimals);

/* title without its scale: "score × 10^4 分值×10^4" -> "score 分值" (the
 * report shows *_e4 members divided by 10^4). */
const char *title_unscaled(const char *title, char *out, size_t cap);

/* The byte offset where the Chinese part of a bilingual title starts: the
 * word of its first CJK character (U+2E80 and up), or strlen(title) when it
 * has none: "amount due (yuan) 应结算金额" -> 18, "DRG DRG编码" -> 4. */
size_t title_zh_at(const char *title);

/* The workbook's title of a member ("due_fen" -> "amount due (yuan)
 * 应结算金额"), NULL when it has none: the TITLES table of export.c, so the
 * report and the export use the same terms. */
const char *cm_member_title(const char *name);

#endif
