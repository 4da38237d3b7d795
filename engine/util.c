/*
 * util.c - small driver utilities: time, progress, interrupt flag, CSV quoting.
 */
#include "engine.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int g_interrupted = 0;

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int progress_enabled(void)
{
    static int v = -1;
    if (v < 0) v = isatty(STDERR_FILENO);
    return v;
}

void csv_put(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = len < max ? len : max;
    if (k == 0) return 0;
    /* the last character that starts before k: back over at most 3
     * continuation bytes (10xxxxxx) to its lead byte */
    size_t lead = k - 1;
    while (lead > 0 && k - lead < 4 && (u[lead] & 0xC0) == 0x80) lead--;
    unsigned c = u[lead];
    size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if ((c & 0xC0) == 0x80) return k; /* not UTF-8 here: nothing to keep whole */
    return lead + need <= k ? k : lead;
}

const char *cm_yuan_text(char *buf, size_t cap, int64_t fen, int grouped)
{
    char d[24];
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)(a / 100));
    size_t k = 0;
    if (fen < 0 && k + 1 < cap) buf[k++] = '-';
    for (int i = 0; i < n && k + 2 < cap; i++) {
        if (grouped && i && (n - i) % 3 == 0) buf[k++] = ',';
        buf[k++] = d[i];
    }
    snprintf(buf + k, cap - k, ".%02u", (unsigned)(a % 100));
    return buf;
}

const char *cm_echo(char *buf, size_t cap, const char *s, size_t n)
{
    size_t lim = cap - 4 < 32 ? cap - 4 : 32, k = utf8_cut(s, n, lim);
    for (size_t i = 0; i < k; i++) buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (k < n) memcpy(buf + k, "...", 4);
    else buf[k] = '\0';
    return buf;
}

size_t str_maxlen(size_t cur, const char *s)
{
    size_t l = strlen(s);
    return l > cur ? l : cur;
}

size_t dip_code_width(const gr_dip *dip, const int64_t *only_if_positive)
{
    size_t w = 1, ng = gr_dip_ngroups(dip);
    for (size_t g = 0; g < ng; g++)
        if (!only_if_positive || only_if_positive[g] > 0) w = str_maxlen(w, gr_dip_group_at(dip, g)->published);
    return w;
}

/* OUT without a final ".h5": the stem the derived names start from */
/* Length of an output path without its .h5 / .hdf5 extension (any case). */
static size_t h5_stem_len(const char *out)
{
    size_t L = strlen(out);
    if (L > 3 && strcasecmp(out + L - 3, ".h5") == 0) return L - 3;
    if (L > 5 && strcasecmp(out + L - 5, ".hdf5") == 0) return L - 5;
    return L;
}

void cm_default_output(const char *cmd, const char *output_file, char *buf, size_t n)
{
    if (!strcmp(cmd, "settle")) snprintf(buf, n, "%s", output_file);
    else if (!strcmp(cmd, "calibrate") && output_file[0])
        snprintf(buf, n, "%.*s.calibration.h5", (int)h5_stem_len(output_file), output_file);
    else if (!strcmp(cmd, "calibrate")) snprintf(buf, n, "calibration.h5");
    else if (n) buf[0] = '\0';
}

cm_status cm_side_path(const char *out, const char *suffix, char *buf, size_t n)
{
    int w = snprintf(buf, n, "%.*s%s", (int)h5_stem_len(out), out, suffix);
    return w < 0 || (size_t)w >= n ? CM_ERR_USAGE : CM_OK;
}
