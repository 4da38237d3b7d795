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

    int64_t v = 0;      /* yuan so far, then fen */
    int ndigits = 0;
    while (i < end && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i] - '0');
        if (v > YUAN_MAX_FEN / 100)
            return -1;
        ndigits++;
        i++;
    }
    v *= 100;
    if (i < end && s[i] == '.') {
        i++;
        int64_t scale = 10;
        int ndec = 0;
        while (i < end && s[i] >= '0' && s[i] <= '9') {
            if (++ndec > 2)
                return -1;
            v += (s[i] - '0') * scale;
            scale /= 10;
            ndigits++;
            i++;
        }
    }
    if (i != end || ndigits == 0 || v > YUAN_MAX_FEN)
        return -1;
    *fen = neg ? -v : v;
    return 0;
}
