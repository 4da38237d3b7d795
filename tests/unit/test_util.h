/*
 * test_util.h - small helpers shared by the unit tests (header only).
 */
#ifndef CASEMIX_TESTS_TEST_UTIL_H
#define CASEMIX_TESTS_TEST_UTIL_H

#include <string.h>

/* Splits s in place at '|' into out (at most max items, the rest dropped);
 * returns the count stored; "" gives 0. */
static inline int tu_split_list(char *s, const char **out, int max)
{
    int n = 0;
    if (!*s) return 0;
    for (char *p = s;;) {
        char *bar = strchr(p, '|');
        if (n < max) out[n++] = p;
        if (!bar) break;
        *bar = '\0';
        p = bar + 1;
    }
    return n;
}

#endif
