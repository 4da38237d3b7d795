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
static size_t h5_stem_len(const char *out)
{
    size_t L = strlen(out);
    return L > 3 && strcmp(out + L - 3, ".h5") == 0 ? L - 3 : L;
}

void cm_default_output(const char *cmd, const char *output_file, char *buf, size_t n)
{
    if (!strcmp(cmd, "settle")) snprintf(buf, n, "%s", output_file);
    else if (!strcmp(cmd, "calibrate") && output_file[0])
        snprintf(buf, n, "%.*s.calibration.h5", (int)h5_stem_len(output_file), output_file);
    else if (!strcmp(cmd, "calibrate")) snprintf(buf, n, "calibration.h5");
    else if (n) buf[0] = '\0';
}

void cm_side_path(const char *out, const char *suffix, char *buf, size_t n)
{
    snprintf(buf, n, "%.*s%s", (int)h5_stem_len(out), out, suffix);
}
