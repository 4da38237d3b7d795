/*
 * html.c - pure helpers of casemix report (html.h): escaping, numbers,
 * axis ticks, histogram bins.
 */
#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t html_escape(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        const char *rep = NULL;
        char one[2] = {0, 0};
        size_t len = 1;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t') { one[0] = '?'; rep = one; }
            else if (*p >= 0xC0) { /* a UTF-8 sequence: copied whole or not at all */
                len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
                for (size_t k = 1; k < len; k++)
                    if ((p[k] & 0xC0) != 0x80) { len = k; break; }
            }
        }
        size_t rl = rep ? strlen(rep) : len;
        if (o + rl + 1 > cap) break;
        memcpy(out + o, rep ? rep : (const char *)p, rl);
        o += rl;
        p += len;
    }
    out[o] = '\0';
    return o;
}

/* digits of a (no sign) with separators into out; returns the length */
static size_t group_digits(char *out, size_t cap, unsigned long long a)
{
    char d[32];
    int n = snprintf(d, sizeof d, "%llu", a);
    size_t k = 0;
    for (int i = 0; i < n && k + 1 < cap; i++) {
        if (i && (n - i) % 3 == 0 && k + 2 < cap) out[k++] = ',';
        out[k++] = d[i];
    }
    out[k] = '\0';
    return k;
}

const char *fmt_count(char *out, size_t cap, int64_t n)
{
    if (cap == 0) return out;
    size_t k = 0;
    unsigned long long a = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    if (n < 0 && cap > 1) out[k++] = '-';
    group_digits(out + k, cap - k, a);
    return out;
}

const char *fmt_num(char *out, size_t cap, double v, int decimals)
{
    if (cap == 0) return out;
    if (isnan(v)) { snprintf(out, cap, "-"); return out; }
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    long long p10 = 1;
    for (int i = 0; i < decimals; i++) p10 *= 10;
    if (!isfinite(v) || fabs(v) * (double)p10 >= 9e18) { snprintf(out, cap, "%.6g", v); return out; }
    unsigned long long scaled = (unsigned long long)llround(fabs(v) * (double)p10); /* rounded once: 9.996 -> 10.00 */
    size_t k = 0;
    if (v < 0 && scaled > 0 && cap > 1) out[k++] = '-';
    k += group_digits(out + k, cap - k, scaled / (unsigned long long)p10);
    if (decimals > 0 && k < cap)
        snprintf(out + k, cap - k, ".%0*llu", decimals, scaled % (unsigned long long)p10);
    return out;
}

int axis_ticks(double lo, double hi, int max_ticks, double *first, double *step, int *decimals)
{
    if (max_ticks < 2) max_ticks = 2;
    if (!(hi > lo)) { /* zero width (or NaN): a unit around it */
        double c = isfinite(lo) ? lo : 0;
        lo = c == 0 ? 0 : c - fabs(c) * 0.5;
        hi = c == 0 ? 1 : c + fabs(c) * 0.5;
        if (lo > 0 && c > 0) lo = 0;
    }
    double raw = (hi - lo) / (max_ticks - 1);
    double mag = pow(10, floor(log10(raw)));
    static const double M[] = {1, 2, 5};
    double st = mag;
    int n = 0;
    double f = 0;
    for (int i = 0; i < 3 * 40; i++) { /* 1, 2, 5 × 10^k, growing until the ticks fit */
        st = M[i % 3] * mag * pow(10, i / 3);
        f = floor(lo / st + 1e-9) * st;
        n = (int)ceil((hi - f) / st - 1e-9) + 1;
        if (n <= max_ticks) break;
    }
    if (n < 2) n = 2;
    *first = f;
    *step = st;
    int d = 0;
    for (double s = st; d < 6 && fabs(s - llround(s)) > 1e-9 * fmax(1, fabs(s)); s *= 10) d++;
    *decimals = d;
    return n;
}

int hist_bin(double x, double w, int nbins)
{
    if (!(x >= 0)) return -1;
    double b = floor(x / w);
    return b >= nbins ? nbins : (int)b;
}

const char *rating_zh(const char *name)
{
    static const struct { const char *en, *zh; } R[] = {
        {"excellent", "优秀"}, {"good", "良好"}, {"pass", "合格"}, {"qualified", "合格"}, {"adequate", "合格"},
        {"fail", "不达标"}, {"failed", "不达标"}, {"unqualified", "不达标"}, {"substandard", "不达标"},
        {"优秀", "优秀"}, {"良好", "良好"}, {"合格", "合格"}, {"不达标", "不达标"},
    };
    for (size_t i = 0; i < sizeof R / sizeof R[0]; i++)
        if (!strcasecmp(name, R[i].en)) return R[i].zh;
    return NULL;
}

double text_width_em(const char *s)
{
    double w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        uint32_t cp = len == 1 ? c : c & (0x3Fu >> (len - 1));
        for (int k = 1; k < len && (p[k] & 0xC0) == 0x80; k++) cp = cp << 6 | (p[k] & 0x3Fu);
        if (cp >= 0x1100) w += 1.0;
        else if ((cp >= 'a' && cp <= 'z') || cp == ' ') w += 0.52;
        else w += 0.62;
        for (int k = 0; k < len && *p; k++) p++;
    }
    return w;
}

const char *rating_none_zh(const char *name)
{
    return name && !strcasecmp(name, "not_rated") ? "未评级" : NULL;
}

int cmp_desc_nan_last(double x, double y)
{
    int xn = isnan(x), yn = isnan(y);
    if (xn || yn) return xn - yn;
    return x > y ? -1 : x < y ? 1 : 0;
}

const char *fmt_e4(char *out, size_t cap, int64_t v, int decimals)
{
    if (cap == 0) return out;
    if (decimals < 0) decimals = 0;
    if (decimals > 4) decimals = 4;
    static const unsigned long long P[5] = {1, 10, 100, 1000, 10000};
    unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    unsigned long long unit = P[4 - decimals];           /* e4 units per last shown digit */
    unsigned long long q = a / unit + (a % unit >= (unit + 1) / 2 && unit > 1);
    size_t k = 0;
    if (v < 0 && q > 0 && cap > 1) out[k++] = '-';
    k += group_digits(out + k, cap - k, q / P[decimals]);
    if (decimals > 0 && k < cap) snprintf(out + k, cap - k, ".%0*llu", decimals, q % P[decimals]);
    return out;
}

const char *title_unscaled(const char *title, char *out, size_t cap)
{
    static const char *const SCALE[] = {" \xC3\x97 10^4", "\xC3\x97" "10^4"}; /* " × 10^4", "×10^4" */
    size_t k = 0;
    if (cap == 0) return out;
    for (const char *p = title; *p && k + 1 < cap;) {
        size_t skip = 0;
        for (size_t i = 0; i < 2 && !skip; i++)
            if (!strncmp(p, SCALE[i], strlen(SCALE[i]))) skip = strlen(SCALE[i]);
        if (skip) { p += skip; continue; }
        out[k++] = *p++;
    }
    out[k] = '\0';
    return out;
}

size_t title_zh_at(const char *title)
{
    const unsigned char *s = (const unsigned char *)title;
    size_t i = 0;
    for (; s[i]; i++) {
        if (s[i] < 0xE0 || (s[i] & 0xF0) != 0xE0 || !s[i + 1] || !s[i + 2]) continue;
        uint32_t cp = (uint32_t)(s[i] & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
        if (cp >= 0x2E80) break;
    }
    if (!s[i]) return i;
    while (i > 0 && s[i - 1] != ' ') i--;   /* the whole word: "DRG编码" of "DRG DRG编码" */
    return i;
}
