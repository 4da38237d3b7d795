/*
 * yuan.c - exact parsing of yuan amounts (元) into integer fen (分).
 *
 * Money never goes through a double: "123.45" becomes 12345 fen by integer
 * arithmetic on the digits. Accepted: optional spaces/tabs around, an
 * optional sign, digits, an optional '.', at most two decimals, at least one
 * digit in all ("5", "5.", ".5", "-0.05", "+7.10"). Rejected: "", ".", "-",
 * three decimals, exponents, thousands separators, inner spaces, and any
 * amount beyond ±9e15 fen (9e13 yuan, far above any budget and safely below
 * 2^63). The engine calls this for every amount of every record, so it is a
 * single pass with no library calls; it is thread-safe.
 */
#include <stdint.h>

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
