/*
 * yuan.c - exact parsing of yuan amounts (元) into integer fen (分).
 *
 * Money never goes through a double: "123.45" becomes 12345 fen by integer
 * arithmetic on the digits. Accepted: optional spaces/tabs around, an
 * optional sign, digits, an optional '.', at most two decimals, at least one
 * digit in all ("5", "5.", ".5", "-0.05", "+7.10"). Rejected: "", ".", "-",
 * three decimals, exponents, thousands separators (cm_parse_yuan_grouped
 * takes those), inner spaces, and any
 * amount beyond ±9e15 fen (9e13 yuan, far above any budget and safely below
 * 2^63). The engine calls this for every amount of every record, so it is a
 * single pass with no library calls; it is thread-safe.
 */
#include <stdint.h>
#include <string.h>

#include "config.h"

#define YUAN_MAX_FEN INT64_C(9000000000000000)

static int is_space(char ch) { return ch == ' ' || ch == '\t'; }

int cm_parse_yuan(const char *s, size_t len, int64_t *fen)
{
    if (!s || !fen)
        return -1;
    if (cm_parse_yuan_fast(s, len, fen))
        return 0;
    size_t i = 0, end = len;
    while (i < end && is_space(s[i]))
        i++;
    while (end > i && is_space(s[end - 1]))
        end--;
    if (i == end)
        return -1;

    int neg = 0;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    /* integer digits: at most 14 (9e13 yuan) so the sum cannot overflow;
     * the range is checked once at the end */
    uint64_t v = 0;
    size_t d0 = i;
    for (; i < end; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            break;
        v = v * 10 + d;
    }
    size_t nint = i - d0, ndec = 0;
    if (nint > 14)
        return -1;
    v *= 100;
    if (i < end && s[i] == '.') {
        i++;
        unsigned d;
        if (i < end && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
            v += d * 10;
            i++;
            ndec++;
            if (i < end && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
                v += d;
                i++;
                ndec++;
            }
        }
    }
    if (i != end || nint + ndec == 0 || v > (uint64_t)YUAN_MAX_FEN)
        return -1;
    *fen = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* amounts with thousands separators (千分位)                            */
/* ------------------------------------------------------------------ */

int cm_parse_yuan_grouped(const char *s, size_t len, int64_t *fen)
{
    if (!s || !fen)
        return -1;
    if (!memchr(s, ',', len))
        return cm_parse_yuan(s, len, fen);
    /* the amount without its commas must be an amount ... */
    char buf[64] = {0};
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ',')
            continue;
        if (k == sizeof buf)
            return -1;
        buf[k++] = s[i];
    }
    int64_t v;
    if (cm_parse_yuan(buf, k, &v) != 0)
        return -1;
    /* ... and the commas must group its integer digits by three from the
     * right: 1-3 digits, then (',' and 3 digits) repeated, then '.' or end */
    size_t i = 0, end = len;
    while (i < end && is_space(s[i]))
        i++;
    while (end > i && is_space(s[end - 1]))
        end--;
    if (i < end && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t lead = 0;
    while (i < end && (unsigned)(unsigned char)s[i] - '0' <= 9)
        i++, lead++;
    if (lead < 1 || lead > 3)
        return CM_YUAN_BAD_GROUPING;
    while (i < end && s[i] == ',') {
        i++;
        for (int d = 0; d < 3; d++, i++)
            if (i >= end || (unsigned)(unsigned char)s[i] - '0' > 9)
                return CM_YUAN_BAD_GROUPING;
    }
    if (i < end && s[i] != '.')
        return CM_YUAN_BAD_GROUPING; /* a 4th digit in a group, or a comma after the point */
    if (memchr(s + i, ',', end - i))
        return CM_YUAN_BAD_GROUPING;
    *fen = v;
    return 0;
}
