/*
 * test_util.h - small helpers shared by the unit tests (header only).
 */
#ifndef CASEMIX_TESTS_TEST_UTIL_H
#define CASEMIX_TESTS_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The repository root, with a trailing '/' (or "" for the current
 * directory), such that root + probe is readable: found from the test's
 * source path (file = __FILE__, relative to the repository as the Makefile
 * compiles it) or, run from elsewhere, from the binary's own path
 * (<repo>/<build>/tests/<name>). */
static inline void tu_repo_root(char *root, size_t n, const char *file, const char *probe)
{
    const char *cut = strstr(file, "tests/unit/");
    char path[2048];
    snprintf(root, n, "%.*s", cut ? (int)(cut - file) : 0, file);
    snprintf(path, sizeof path, "%s%s", root, probe);
    if (access(path, R_OK) == 0) return;
    char exe[900];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) return;
    exe[k] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(root, n, "%s/../../", exe);
}

/* A generated amount "123.45" -> fen, read independently of the engine's
 * parsers; -1 unless it is digits, '.', exactly 2 decimals. */
static inline int64_t tu_fen_of(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot || strlen(dot) != 3 || dot == s) return -1;
    int64_t v = 0;
    for (const char *p = s; p < dot; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (*p - '0');
    }
    if (dot[1] < '0' || dot[1] > '9' || dot[2] < '0' || dot[2] > '9') return -1;
    return v * 100 + (dot[1] - '0') * 10 + (dot[2] - '0');
}

/* Removes a test's temporary directory and what is in it; 0 or -1. */
static inline int tu_rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
