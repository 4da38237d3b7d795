/*
 * gtrace.h - private to the grouper library: the text buffer the explain
 * functions (gr_dip_explain, gr_drg_explain) write into. Like snprintf, the
 * length counts what the whole trace needs even when buf is too small.
 */
#ifndef CASEMIX_GROUPER_GTRACE_H
#define CASEMIX_GROUPER_GTRACE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    char *buf;
    size_t n, len;
} trace;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline void trf(trace *t, const char *fmt, ...)
{
    char *dst = NULL;
    size_t room = 0;
    if (t->len < t->n) {
        dst = t->buf + t->len;
        room = t->n - t->len;
    }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (k > 0) t->len += (size_t)k;
}

/* Writes only when tracing; the fast path (tr == NULL) formats nothing. */
#define TR(...) do { if (tr) trf(tr, __VA_ARGS__); } while (0)

/* A code with a lower-case letter (the explanations' hint at letter case). */
static inline int has_lower(const char *s)
{
    for (; s && *s; s++)
        if (*s >= 'a' && *s <= 'z') return 1;
    return 0;
}

#endif
