/*
 * reader.c - the parallel CSV reader of discharge records.
 *
 * Design (after zsv): the file is read in large blocks; each block is cut
 * into chunks of about 1 MiB at record boundaries, and the chunks are
 * parsed in parallel by the caller, one parser per thread. Chunk
 * boundaries depend only on the bytes and the chunk size, never on the
 * thread count, so output is identical at any thread count.
 *
 * Record boundaries: when a block holds no '"', every '\n' ends a record
 * and the cut is a memchr. When it holds quotes (RFC 4180: "" escapes,
 * commas and newlines inside quotes), the block is scanned serially with a
 * quote state machine; the state at the start of a block is always
 * "outside" because a block starts at a record boundary.
 *
 * Every row gets a slot and a physical line number. A row that cannot be
 * parsed becomes a reject (field and reason), never an error of the run.
 * Amounts are parsed exactly to fen with cm_parse_yuan (no strtod).
 */
#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* The SWAR parsers below (amounts, dates) read bytes as little-endian words. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "engine/reader.c: the SWAR field parsers assume a little-endian machine"
#endif

static size_t g_block_size = (size_t)64 << 20;
#define MAX_RECORD ((size_t)1 << 30)

void rd_set_block_size(size_t bytes) { g_block_size = bytes < 64 ? 64 : bytes; }

/* ------------------------------------------------------------------ */
/* small parsers                                                       */
/* ------------------------------------------------------------------ */

int parse_int(const char *s, size_t n, long *v)
{
    size_t i = 0;
    int neg = 0;
    while (i < n && s[i] == ' ') i++;
    while (n > i && s[n - 1] == ' ') n--;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == n) return -1;
    long x = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9 || x > 100000000000L) return -1;
        x = x * 10 + (long)d;
    }
    *v = neg ? -x : x;
    return 0;
}

/* days from civil (H. Hinnant) */
static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_date_other(const char *s, size_t n);

/* The usual YYYY-MM-DD (or YYYY/MM/DD), optionally followed by a time
 * ("2025-01-14 08:30:00"); the 8 bytes "YYYY-MM-" are checked at once
 * (SWAR). -1 when the text has another shape: parse_date then tries the
 * other forms (parse_date_other). */
static inline int parse_date_iso(const char *s, size_t n)
{
    if (n < 10) return -1;
    uint64_t w;
    memcpy(&w, s, 8);
    const uint64_t dig = UINT64_C(0x00FFFF00FFFFFFFF); /* digit bytes 0-3 and 5-6 */
    uint64_t v = (w & dig) | (UINT64_C(0x3030303030303030) & ~dig); /* separators -> '0': no borrow */
    uint64_t bad = ((v + UINT64_C(0x4646464646464646)) | (v - UINT64_C(0x3030303030303030))) &
                   UINT64_C(0x8080808080808080);
    unsigned c4 = (unsigned)(w >> 32) & 0xFF, c7 = (unsigned)(w >> 56);
    unsigned d8 = (unsigned)(unsigned char)s[8] - '0', d9 = (unsigned)(unsigned char)s[9] - '0';
    if (bad || (c4 != '-' && c4 != '/') || (c7 != '-' && c7 != '/') || d8 > 9 || d9 > 9) return -1;
    if (n > 10 && s[10] != ' ' && s[10] != 'T') return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (int)(d8 * 10 + d9);
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return -1;
    return days_from_civil(y, m, d);
}

/* Day number of a checked calendar date, or -1. */
static int civil_or_fail(int y, int m, int d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return -1;
    return days_from_civil(y, m, d);
}

/* Cold path of parse_date: the other shapes exports write.
 *   YYYY-M-D, YYYY/M/D (month and day of 1 or 2 digits; '-' or '/'),
 *   YYYYMMDD, each optionally followed by ' ' or 'T' and a time (ignored,
 *   as after YYYY-MM-DD), and YYYYMMDDHHMMSS (14 digits, a valid time).
 * Invalid calendar dates fail (-1). */
static __attribute__((noinline, cold)) int parse_date_other(const char *s, size_t n)
{
    size_t i = 0;
    int v[3] = {0, 0, 0};
    while (i < n && i < 14 && (unsigned)(unsigned char)s[i] - '0' <= 9) i++;
    if (i == 8 || i == 14) { /* YYYYMMDD[HHMMSS] */
        for (int k = 0; k < 8; k++) v[k < 4 ? 0 : k < 6 ? 1 : 2] = v[k < 4 ? 0 : k < 6 ? 1 : 2] * 10 + (s[k] - '0');
        if (i == 14) {
            int hh = (s[8] - '0') * 10 + s[9] - '0', mi = (s[10] - '0') * 10 + s[11] - '0',
                ss = (s[12] - '0') * 10 + s[13] - '0';
            if (hh > 23 || mi > 59 || ss > 59 || n > 14) return -1;
        }
    } else if (i == 4) { /* YYYY-M-D */
        for (int k = 0; k < 4; k++) v[0] = v[0] * 10 + (s[k] - '0');
        for (int part = 1; part <= 2; part++) {
            if (i >= n || (s[i] != '-' && s[i] != '/')) return -1;
            i++;
            size_t d0 = i;
            while (i < n && i - d0 < 3 && (unsigned)(unsigned char)s[i] - '0' <= 9) v[part] = v[part] * 10 + (s[i++] - '0');
            if (i == d0 || i - d0 > 2) return -1;
        }
    } else {
        return -1;
    }
    if (i < n && s[i] != ' ' && s[i] != 'T') return -1;
    return civil_or_fail(v[0], v[1], v[2]);
}

int parse_date(const char *s, size_t n)
{
    int d = parse_date_iso(s, n);
    return d >= 0 ? d : parse_date_other(s, n);
}

/* ------------------------------------------------------------------ */
/* header                                                              */
/* ------------------------------------------------------------------ */

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        int k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (k < 0 || (k == 1 && c < 0xC2) || i + (size_t)k >= n + (k ? 0 : 1)) return 0;
        for (int j = 1; j <= k; j++)
            if (i + (size_t)j >= n || (s[i + j] & 0xC0) != 0x80) return 0;
        i += (size_t)k + 1;
    }
    return 1;
}

rd_encoding rd_encoding_of(const char *name)
{
    if (name && strcmp(name, "UTF-8") == 0) return RD_ENC_UTF8;
    if (name && strcmp(name, "GB18030") == 0) return RD_ENC_GB18030;
    return RD_ENC_AUTO;
}

/* auto: is the start of the mapped file UTF-8? The first MiB, cut after
 * its last newline (a character may straddle the cut), is checked. */
static int starts_utf8(const cm_reader *r)
{
    size_t n = r->size < ((size_t)1 << 20) ? r->size : ((size_t)1 << 20);
    if (n < r->size) {
        const char *nl = memrchr(r->map, '\n', n);
        if (nl) n = (size_t)(nl - r->map) + 1;
    }
    return valid_utf8((const unsigned char *)r->map, n);
}

/* Decodes the whole mapped file from GB18030 (GBK is a subset) into an
 * anonymous mapping, which then stands for the file (map, size). A byte
 * sequence that does not decode stops the run: a half-decoded file cannot
 * be trusted. Cold: only files that are not UTF-8. */
static cm_status decode_gb18030(cm_reader *r, int detected, char *err, size_t errlen)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) {
        snprintf(err, errlen, "%s: cannot decode GB18030 on this system (iconv_open: %s); convert the "
                              "file with iconv -f GB18030 -t UTF-8", r->path, strerror(errno));
        return CM_ERR_INPUT;
    }
    /* GB18030 -> UTF-8 grows 2-byte characters to 3 bytes at most */
    size_t cap = (size_t)r->size + (size_t)r->size / 2 + 64;
    char *out = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (out == MAP_FAILED) {
        iconv_close(cd);
        snprintf(err, errlen, "%s: out of memory to decode the file from GB18030 (%zu bytes)", r->path, cap);
        return CM_ERR_NOMEM;
    }
    char *in = (char *)r->map, *o = out;
    size_t inleft = r->size, oleft = cap;
    size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
    int e = errno;
    iconv_close(cd);
    if (rc == (size_t)-1) {
        size_t off = (size_t)(in - r->map);
        unsigned long long line = 1;
        for (const char *q = r->map; (q = memchr(q, '\n', (size_t)(r->map + off - q))) != NULL; q++) line++;
        char bytes[24] = "";
        size_t k = inleft < 4 ? inleft : 4, bl = 0;
        for (size_t i = 0; i < k; i++)
            bl += (size_t)snprintf(bytes + bl, sizeof bytes - bl, "%s%02X", i ? " " : "", (unsigned char)in[i]);
        munmap(out, cap);
        if (e == E2BIG)
            snprintf(err, errlen, "%s: internal error: the GB18030 text grew beyond its bound", r->path);
        else
            snprintf(err, errlen, "%s:%llu: byte offset %zu: bytes %s are %s GB18030/GBK text%s; the file "
                                  "is not read (a half-decoded file cannot be trusted): re-export it, or "
                                  "set input.encoding to the file's encoding",
                     r->path, line, off, bytes, e == EINVAL ? "an incomplete character of" : "not",
                     detected ? " (the file is not UTF-8 either, so input.encoding = \"auto\" tried GB18030)"
                              : " (input.encoding = \"GB18030\")");
        return CM_ERR_INPUT;
    }
    munmap((void *)r->map, r->size);
    r->map = out;
    r->size = (uint64_t)(o - out);
    r->decoded_cap = cap;
    r->encoding = "GB18030";
    mprotect(out, cap, PROT_READ);
    return CM_OK;
}

/* Lines before the first data line beyond the header (rd_set_line_offset; 0 by default). */
static uint64_t g_line_offset;
/* The line recorded for a row on physical line L < g_line_map_n: g_line_map[L] (rd_set_line_map). */
static const uint32_t *g_line_map;
static uint64_t g_line_map_n;

cm_status rd_open(cm_reader *r, const char *path, const struct col_aliases *aliases, rd_encoding enc,
            char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->fd = open(path, O_RDONLY);
    if (r->fd < 0) {
        snprintf(err, errlen, "%s: cannot open input: %s; check --input or input.records", path,
                 strerror(errno));
        return CM_ERR_INPUT;
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file; give a CSV file", path);
        return CM_ERR_INPUT;
    }
    r->size = (uint64_t)st.st_size;
    if (r->size == 0) {
        snprintf(err, errlen, "%s: empty file: expected a header row (case_id,institution_id,...); "
                              "see `casemix columns`", path);
        return CM_ERR_INPUT;
    }
    void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, r->fd, 0);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "%s: cannot map the file: %s", path, strerror(errno));
        return CM_ERR_INPUT;
    }
    r->map = m;
    r->file_size = r->size;
    r->encoding = "UTF-8";
    madvise(m, r->size, MADV_SEQUENTIAL);
    /* auto: a UTF-8 BOM is proof of UTF-8 (a stray byte in one row then
     * rejects that row, not the file); a UTF-16 BOM keeps its own error */
    int bom8 = r->size >= 3 && memcmp(r->map, CM_UTF8_BOM, 3) == 0;
    if (enc == RD_ENC_GB18030 || (enc == RD_ENC_AUTO && !bom8 && !starts_utf8(r) &&
                                  !(r->size >= 2 && (memcmp(r->map, "\xFF\xFE", 2) == 0 ||
                                                     memcmp(r->map, "\xFE\xFF", 2) == 0)))) {
        cm_status ds = decode_gb18030(r, enc == RD_ENC_AUTO, err, errlen);
        if (ds) return ds;
    }
    /* the header ends at the first newline outside quotes */
    size_t hdr_end = 0;
    int inq = 0;
    size_t lim = r->size < ((size_t)16 << 20) ? r->size : ((size_t)16 << 20);
    for (size_t i = 0; i < lim; i++) {
        if (r->map[i] == '"') inq = !inq;
        else if (r->map[i] == '\n' && !inq) { hdr_end = i + 1; break; }
    }
    if (!hdr_end && memchr(r->map, '\r', lim)) {
        snprintf(err, errlen, "%s:1: the file uses CR-only line endings (classic Mac); convert it with: "
                              "tr '\\r' '\\n' < '%s' > converted.csv", path, path);
        return CM_ERR_INPUT;
    }
    if (!hdr_end) {
        if (r->size > lim) {
            snprintf(err, errlen, "%s:1: header longer than 16 MiB; is this a CSV file?", path);
            return CM_ERR_INPUT;
        }
        hdr_end = r->size;
    }
    size_t start = 0;
    if (r->size >= 3 && memcmp(r->map, CM_UTF8_BOM, 3) == 0) start = 3;
    const char *h = r->map + start;
    size_t hl = hdr_end - start;
    if (memchr(h, '\0', hl)) {
        snprintf(err, errlen, "%s:1: the header contains NUL bytes; is this a UTF-16 or binary file? "
                              "Convert it with: iconv -f UTF-16 -t UTF-8 IN > OUT", path);
        return CM_ERR_INPUT;
    }
    if (!valid_utf8((const unsigned char *)h, hl)) {
        snprintf(err, errlen, "%s:1: the header is not UTF-8 (it looks like GBK/GB18030, common in "
                              "exports) and input.encoding = \"UTF-8\"; set input.encoding = \"auto\" "
                              "(or \"GB18030\") to decode it", path);
        return CM_ERR_INPUT;
    }
    for (int c = 0; c < COL__COUNT; c++) r->colidx[c] = -1;
    size_t i = 0;
    int col = 0;
    char cell[256];
    r->header_lines = 1;
    while (i <= hl) {
        size_t cl = 0;
        int q = 0;
        while (i < hl && (q || (h[i] != ',' && h[i] != '\n' && h[i] != '\r'))) {
            if (h[i] == '"') {
                if (q && i + 1 < hl && h[i + 1] == '"') { if (cl < sizeof cell - 1) cell[cl++] = '"'; i += 2; continue; }
                q = !q;
                i++;
                continue;
            }
            if (h[i] == '\n') r->header_lines++;
            if (cl < sizeof cell - 1) cell[cl++] = h[i];
            i++;
        }
        cell[cl] = '\0';
        int c = col_lookup(cell, cl, aliases);
        if (c >= 0) {
            if (r->colidx[c] >= 0) {
                snprintf(err, errlen, "%s:1: duplicate column: '%s' (column %d) and column %d both mean "
                                      "%s; remove or rename one", path, cell, col + 1, r->colidx[c] + 1,
                         col_name((cm_col)c));
                return CM_ERR_INPUT;
            }
            r->colidx[c] = col;
        } else if (cl && strlen(r->unknown) + cl + 8 < sizeof r->unknown) {
            /* named in a "missing column" message: often the export's name for it */
            size_t u = strlen(r->unknown);
            snprintf(r->unknown + u, sizeof r->unknown - u, "%s'%s'", u ? ", " : "", cell);
        }
        col++;
        if (i >= hl || h[i] != ',') break;
        i++;
    }
    r->ncols = col;
    r->has_categories = 1;
    for (int k = 0; k < SC_CAT__COUNT; k++)
        if (r->colidx[COL_CAT0 + k] < 0) r->has_categories = 0;
    r->pos = hdr_end;
    r->dropped = 0;
    r->next_line = 1 + r->header_lines + g_line_offset;
    return CM_OK;
}

void rd_set_line_offset(uint64_t lines) { g_line_offset = lines; }
void rd_set_line_map(const uint32_t *map, uint64_t n)
{
    g_line_map = map;
    g_line_map_n = map ? n : 0;
}

void rd_close(cm_reader *r)
{
    if (r->map) munmap((void *)r->map, r->decoded_cap ? r->decoded_cap : r->size);
    r->map = NULL;
    r->buf = NULL;
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
}

/* ------------------------------------------------------------------ */
/* blocks and chunks                                                   */
/* ------------------------------------------------------------------ */

/* Newlines in p[0..n); *quote is set when a '"' occurs (same pass). */
static size_t count_nl(const char *p, size_t n, int *quote)
{
    size_t k = 0, i = 0;
    int q = 0;
#ifdef __SSE2__
    /* byte counters: each match subtracts -1; summed with SAD every 255 rounds */
    const __m128i nl = _mm_set1_epi8('\n'), dq = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
    __m128i qacc = zero;
    while (i + 16 <= n) {
        __m128i acc = zero;
        size_t lim = i + 255 * 16 < n ? i + 255 * 16 : n;
        for (; i + 16 <= lim; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
            qacc = _mm_or_si128(qacc, _mm_cmpeq_epi8(v, dq));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        k += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
    }
    q = _mm_movemask_epi8(qacc) != 0;
#endif
    for (; i < n; i++) {
        k += p[i] == '\n';
        q |= p[i] == '"';
    }
    *quote = q;
    return k;
}

static int push_chunk(cm_chunk **chunks, size_t *cap, size_t *n, cm_chunk c)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        cm_chunk *p = realloc(*chunks, nc * sizeof *p);
        if (!p) return -1;
        *chunks = p;
        *cap = nc;
    }
    (*chunks)[(*n)++] = c;
    return 0;
}

/* Counts the rows and lines of a chunk (no-op for quoted blocks, counted
 * by the quote-aware cut) and notes a '"' in it; runs on several chunks in
 * parallel. */
static void rd_count_chunk(const cm_reader *r, cm_chunk *c)
{
    if (c->quoted) return; /* counted by the serial scan */
    const char *b = r->buf + c->begin;
    size_t n = c->end - c->begin;
    size_t k = count_nl(b, n, &c->has_quote);
    /* the last row of the file may have no newline */
    if (n && b[n - 1] != '\n') k++;
    c->nrec = c->nlines = k;
}

/* Cuts the window at r->pos into chunks: plain (cut at newlines, counted
 * later in parallel, which also looks for quotes) unless quoted is set
 * (the serial quote-aware scan, which counts as it goes). */
static cm_status cut_block(cm_reader *r, size_t chunk_bytes, cm_chunk **chunks, size_t *cap,
                           int quoted, size_t *out_nch, char *err, size_t errlen)
{
    *out_nch = 0;
    if (r->pos >= r->size) return CM_OK;
    size_t want = g_block_size, floor = g_block_size / 16;
    /* the mapped window counts in the peak RSS on top of the slots, which
     * are nearly all touched by the last windows: in a big file (16
     * windows or more) those shrink to a quarter of what is left, down to
     * a sixteenth of a window (4 MiB; 64 MiB windows would add ~6 bytes a
     * case at 10M cases); a smaller file keeps whole windows (tests place
     * rows across their boundary). The fuzz harness's tiny windows take
     * this path on every input of 16 windows or more. */
    if (floor > 0 && r->size / 16 >= want) {
        size_t quarter = (size_t)((r->size - r->pos) / 4);
        if (quarter < want) want = quarter < floor ? floor : quarter;
    }
    for (;;) {
        const char *b = r->map + r->pos;
        size_t avail = r->size - r->pos, len = avail < want ? avail : want;
        int at_eof = len == avail;
        size_t nch = 0, end = 0;
        if (!quoted) {
            const char *last = at_eof ? b + len - 1 : memrchr(b, '\n', len);
            if (last) {
                end = (size_t)(last - b) + 1;
                size_t pos = 0;
                while (pos < end) {
                    size_t e = pos + chunk_bytes < end ? pos + chunk_bytes : end;
                    if (e < end) {
                        const char *nl = memchr(b + e - 1, '\n', end - (e - 1));
                        e = nl ? (size_t)(nl - b) + 1 : end;
                    }
                    cm_chunk c = {pos, e, 0, 0, 0, 0, 0, 0};
                    if (push_chunk(chunks, cap, &nch, c)) goto nomem;
                    pos = e;
                }
            }
        } else {
            /* serial quote-aware scan: rows end at '\n' outside quotes */
            int inq = 0;
            size_t pos = 0, nrec = 0, lines = 0, pending = 0; /* pending: lines of the open row */
            uint64_t line = r->next_line;
            for (size_t i = 0; i < len; i++) {
                char ch = b[i];
                if (ch == '"') inq = !inq;
                else if (ch == '\n') {
                    pending++;
                    if (!inq) {
                        nrec++;
                        lines += pending;
                        pending = 0;
                        end = i + 1;
                        if (end - pos >= chunk_bytes) {
                            cm_chunk c = {pos, end, line, 0, nrec, lines, 1, 1};
                            if (push_chunk(chunks, cap, &nch, c)) goto nomem;
                            line += lines;
                            pos = end;
                            nrec = lines = 0;
                        }
                    }
                }
            }
            if (at_eof && end < len) {
                /* a last row without newline, or with an unterminated quote */
                nrec++;
                lines += pending;
                end = len;
            }
            if (nrec) {
                cm_chunk c = {pos, end, line, 0, nrec, lines, 1, 1};
                if (push_chunk(chunks, cap, &nch, c)) goto nomem;
            }
        }
        if (nch == 0) {
            /* no complete row in the window: a very long row; widen it */
            if (want >= MAX_RECORD) {
                snprintf(err, errlen, "%s:%llu: a row longer than 1 GiB (or an unterminated quote); "
                                      "check the quoting of this row", r->path,
                         (unsigned long long)r->next_line);
                return CM_ERR_INPUT;
            }
            want *= 2;
            continue;
        }
        r->buf = b;
        r->offset = r->pos;
        r->len = end;
        r->carry = 0;
        r->pos += end;
        r->eof = r->pos >= r->size;
        *out_nch = nch;
        return CM_OK;
    }
nomem:
    snprintf(err, errlen, "out of memory while reading %s", r->path);
    return CM_ERR_NOMEM;
}

cm_status rd_next_block(cm_reader *r, size_t chunk_bytes, cm_chunk **chunks, size_t *cap,
                        size_t *nch, char *err, size_t errlen)
{
    /* release the pages of the rows already parsed (bounded RSS) */
    uint64_t page = 4096, drop = r->pos / page * page;
    if (drop > r->dropped) {
        madvise((void *)(r->map + r->dropped), drop - r->dropped, MADV_DONTNEED);
        r->dropped = drop;
    }
    return cut_block(r, chunk_bytes, chunks, cap, 0, nch, err, errlen);
}

cm_status rd_count_block(cm_reader *r, size_t chunk_bytes, cm_chunk **chunks, size_t *cap, size_t *nch,
                         char *err, size_t errlen)
{
    cm_chunk *ch = *chunks;
    long n = (long)*nch;
#pragma omp parallel for schedule(dynamic, 4)
    for (long k = 0; k < n; k++) rd_count_chunk(r, &ch[k]);
    int quote = 0;
    for (long k = 0; k < n; k++) quote |= ch[k].has_quote;
    if (!quote) return CM_OK;
    /* a '"' somewhere: the plain cut may split a quoted field; cut the
     * same window again with the quote-aware scan */
    r->pos = r->offset;
    return cut_block(r, chunk_bytes, chunks, cap, 1, nch, err, errlen);
}

/* Assigns slots and line numbers to the chunks of a block once they are
 * counted (rd_count_block); returns the rows of the block. */
size_t rd_number_chunks(cm_reader *r, cm_chunk *chunks, size_t nch, size_t first_slot)
{
    size_t slot = first_slot;
    uint64_t line = r->next_line;
    for (size_t k = 0; k < nch; k++) {
        chunks[k].slot0 = slot;
        chunks[k].first_line = line;
        slot += chunks[k].nrec;
        line += chunks[k].nlines;
    }
    r->next_line = line;
    return slot - first_slot;
}

/* ------------------------------------------------------------------ */
/* row parsing                                                         */
/* ------------------------------------------------------------------ */

void parser_init(cm_parser *p)
{
    memset(p, 0, sizeof *p);
    for (int k = 0; k < SC_CAT__COUNT; k++) p->bucket_of[k] = (uint8_t)sc_category_bucket((sc_category)k);
}

void parser_free(cm_parser *p)
{
    free(p->lid);
    free(p->lid_text);
    free(p->big);
    free(p->fp);
    free(p->fl);
    free(p->scratch);
    memset(p, 0, sizeof *p);
}

/* Ends s (a buffer of cap bytes just written by vsnprintf, which returned
 * len) at a UTF-8 character boundary when it was cut. */
static void cut_utf8(char *s, size_t cap, int len)
{
    if (len >= 0 && (size_t)len >= cap) s[utf8_cut(s, cap - 1, cap - 1)] = '\0';
}

static int vreject(cm_parser *p, cm_case *c, const char *field, const char *fmt, va_list ap)
{
    c->status = SLOT_REJECT;
    p->rj_field = field;
    cut_utf8(p->rj_reason, sizeof p->rj_reason, vsnprintf(p->rj_reason, sizeof p->rj_reason, fmt, ap));
    return -1;
}

static int reject(cm_parser *p, cm_case *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int reject(cm_parser *p, cm_case *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreject(p, c, field, fmt, ap);
    va_end(ap);
    return -1;
}

/* A field the run does not need is unusable: the case keeps it as missing,
 * gets the flag, and the row a note (field, reason with the value). */
static void vnote(cm_parser *p, cm_case *c, unsigned flag, const char *field, const char *fmt, va_list ap)
{
    c->flags |= (uint16_t)flag;
    if (p->nnotes >= CM_MAX_NOTES) return;
    char *d = p->notes[p->nnotes].reason;
    p->notes[p->nnotes++].field = field;
    cut_utf8(d, sizeof p->notes[0].reason, vsnprintf(d, sizeof p->notes[0].reason, fmt, ap));
}

static void note(cm_parser *p, cm_case *c, unsigned flag, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void note(cm_parser *p, cm_case *c, unsigned flag, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(p, c, flag, field, fmt, ap);
    va_end(ap);
}

/* The flag of a column's family when its value is unusable but not needed. */
static unsigned bad_flag(int col)
{
    switch (col) {
    case COL_ADMIT: case COL_DISCHARGE: case COL_LOS: return CF_BAD_DATE;
    case COL_SEX: case COL_AGE_YEARS: case COL_AGE_DAYS: case COL_BIRTH_WEIGHT: return CF_BAD_PATIENT;
    case COL_INST_ID: case COL_INST_LEVEL: return 0; /* needed by settle; a note in group / calibrate */
    default: return CF_BAD_AMOUNT;
    }
}

/* A bad value in column col: reject (-1) when the run needs the column,
 * else note and flag it (1: the caller treats the field as missing). */
static int bad_value(cm_parser *p, cm_case *c, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad_value(cm_parser *p, cm_case *c, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (p->need & CM_NEED(col)) {
        vreject(p, c, col_name((cm_col)col), fmt, ap);
        va_end(ap);
        return -1;
    }
    vnote(p, c, bad_flag(col), col_name((cm_col)col), fmt, ap);
    va_end(ap);
    return 1;
}



/* Field of a column, or NULL when the column is absent. */
static inline const char *fld(const cm_reader *r, const cm_parser *p, int col, size_t *len)
{
    int i = r->colidx[col];
    if (i < 0 || i >= p->nf) { *len = 0; return NULL; }
    *len = p->fl[i];
    return p->fp[i];
}

/* Copies a field into scratch as a NUL-terminated string. */
static const char *dupz(cm_parser *p, size_t *used, const char *s, size_t n)
{
    char *d = p->scratch + *used;
    memcpy(d, s, n);
    d[n] = '\0';
    *used += n + 1;
    return d;
}

/* Splits the copied list d[0..n) at '|' (codes trimmed of spaces in
 * place); returns the count. */
static int split_bars(char *d, size_t n, const char **out, int max)
{
    int k = 0;
    size_t i = 0;
    while (i <= n && k < max) {
        const char *bar = memchr(d + i, '|', n - i);
        size_t j = bar ? (size_t)(bar - d) : n;
        size_t a = i, b = j;
        while (a < b && d[a] == ' ') a++;
        while (b > a && d[b - 1] == ' ') b--;
        d[b] = '\0';
        if (b > a) out[k++] = d + a;
        i = j + 1;
    }
    return k;
}

/* Copies a list whose separators are not all '|' into d with each of
 * ',' ';' and the full-width '，' (U+FF0C) '；' (U+FF1B) '、' (U+3001)
 * made a '|'; returns the length written (at most n). */
static __attribute__((noinline, cold)) size_t list_bars(char *d, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ',' || ch == ';') { d[k++] = '|'; continue; }
        if (i + 2 < n && ((ch == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
                           ((unsigned char)s[i + 2] == 0x8C || (unsigned char)s[i + 2] == 0x9B)) ||
                          (ch == 0xE3 && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x81))) {
            d[k++] = '|';
            i += 2;
            continue;
        }
        d[k++] = (char)ch;
    }
    d[k] = '\0';
    return k;
}

/* Splits a code list into scratch; returns the count. Separators: '|' as
 * the national layout writes, and ',' ';' '，' '；' '、' as exports do
 * ("P13.400,B16.100x003"): a list with a byte of those (',' ';' or a
 * byte >= 0x80) is copied through list_bars first. */
static int split_list(cm_parser *p, size_t *used, const char *s, size_t n, const char **out, int max)
{
    /* the list is copied once; each '|' becomes the NUL of the code before
     * it (codes are trimmed of spaces in place) */
    char *d = p->scratch + *used;
    int other = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        other |= ch == ',' || ch == ';' || ch >= 0x80;
    }
    if (other) {
        n = list_bars(d, s, n);
    } else {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    *used += n + 1;
    return split_bars(d, n, out, max);
}

/* An amount of at most 5 integer digits and exactly 2 decimals that ends
 * at s + n, read with one 8-byte load that ends at the field's end (the
 * bytes before the field, a comma and the previous field, are masked
 * off; the caller knows they are readable: p->tail_ok). No branch on the
 * digit count: most amounts of a row ("0.00", "2078.81") take this path.
 * Returns 1 with *v set, or 0 (then cm_parse_yuan_fast / cm_parse_yuan). */
static inline int money_tail8(const char *s, size_t n, int64_t *v)
{
    uintptr_t e = (uintptr_t)s + n;
    if (n - 4 > 4) return 0; /* n in 4..8 */
    uint64_t w;
    memcpy(&w, (const char *)e - 8, 8);
    size_t k = n - 3;                                  /* integer digits, 1..5: bytes 5-k..4 */
    uint64_t im = (UINT64_C(0xFFFFFFFFFF) >> (8 * (5 - k))) << (8 * (5 - k));
    uint64_t ip = (w & im) | (UINT64_C(0x3030303030) & ~im); /* bytes before the field -> '0' */
    uint64_t y = (ip << 8) | (w & UINT64_C(0xFFFF000000000000)) | 0x30; /* "0IIIIIDD" */
    uint64_t bad = ((y + UINT64_C(0x4646464646464646)) | (y - UINT64_C(0x3030303030303030))) &
                   UINT64_C(0x8080808080808080);
    if (bad || ((w >> 40) & 0xFF) != '.') return 0;
    y &= UINT64_C(0x0F0F0F0F0F0F0F0F);
    y = (y * 10 + (y >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
    y = (y * 100 + (y >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
    *v = (int64_t)((y * 10000 + (y >> 32)) & UINT64_C(0xFFFFFFFF));
    return 1;
}

static int money_error(cm_parser *p, cm_case *c, const char *s, size_t n, int col, int64_t *v);

/* 0 with *v, -1 (rejected) or 1 (not needed: noted, *v = 0, missing). */
static inline __attribute__((always_inline)) int parse_money(cm_parser *p, cm_case *c, const char *s, size_t n, int col, int64_t *v)
{
    /* tail_ok: the row is in the mapped file at least 8 bytes from its
     * start, so 8 bytes ending at any field end of at least 4 are readable */
    if (p->tail_ok && money_tail8(s, n, v)) return 0; /* < 100,000 yuan: never negative or absurd */
    if (cm_parse_yuan_fast(s, n, v) && *v <= (int64_t)100000000000LL) return 0;
    if (cm_parse_yuan(s, n, v) == 0 && *v >= 0 && *v <= (int64_t)100000000000LL) return 0;
    return money_error(p, c, s, n, col, v);
}

/* Cold path of parse_money: an amount with thousands separators (a quoted
 * "13,728.90": *v set, returns 0), or a bad amount: reject (-1) when the
 * run needs the column, else note it (1); *v = 0 then, so that a rejected
 * row's money counts only what parsed. */
static __attribute__((noinline, cold)) int money_error(cm_parser *p, cm_case *c, const char *s, size_t n,
                                                       int col, int64_t *v)
{
    int64_t x;
    int rc = cm_parse_yuan_grouped(s, n, &x);
    if (rc == 0 && x >= 0 && x <= (int64_t)100000000000LL) {
        *v = x;
        return 0;
    }
    char e[40];
    cm_echo(e, sizeof e, s, n);
    *v = 0;
    if (rc == CM_YUAN_BAD_GROUPING)
        return bad_value(p, c, col, "'%s': misplaced thousands separator (千分位; digits in groups of 3, "
                                    "e.g. 13,728.90)", e);
    if (rc != 0) return bad_value(p, c, col, "'%s': not yuan with at most 2 decimals (e.g. 1234.56)", e);
    if (x < 0) return bad_value(p, c, col, "'%s': negative amount", e);
    return bad_value(p, c, col, "'%s': above 1,000,000,000 yuan, absurd for one case", e);
}

static int int_error(cm_parser *p, cm_case *c, const char *s, size_t n, int col, long lo, long hi);

/* An optional whole number in [lo, hi] (-1 when empty). 1 to 5 plain
 * digits, the usual shape, are read inline; anything else goes through
 * parse_int (spaces, signs) and the cold path. A bad value rejects (-1)
 * when the run needs the column, else it is noted and *out = -1 (0). */
static inline __attribute__((always_inline)) int opt_int(cm_parser *p, cm_case *c, const cm_reader *r, int col,
                                                         long lo, long hi, int *out)
{
    size_t n;
    const char *s = fld(r, p, col, &n);
    *out = -1;
    if (!s || n == 0) return 0;
    long v;
    if (n <= 5) {
        unsigned d0 = (unsigned char)s[0] - '0', acc = d0, ok = d0 <= 9;
        for (size_t i = 1; i < n; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            ok &= d <= 9;
            acc = acc * 10 + d;
        }
        if (ok && (long)acc >= lo && (long)acc <= hi) {
            *out = (int)acc;
            return 0;
        }
    }
    if (parse_int(s, n, &v) || v < lo || v > hi) return int_error(p, c, s, n, col, lo, hi) < 0 ? -1 : 0;
    *out = (int)v;
    return 0;
}

static int int_error(cm_parser *p, cm_case *c, const char *s, size_t n, int col, long lo, long hi)
{
    char e[40];
    cm_echo(e, sizeof e, s, n);
    if (col == COL_INST_LEVEL)
        return bad_value(p, c, col, "'%s': institution level must be 1, 2 or 3 (一/二/三级)", e);
    if (col == COL_AGE_DAYS)
        return bad_value(p, c, col, "'%s': not a whole number of days from 0 to %ld (150 years)", e, hi);
    return bad_value(p, c, col, "'%s': not a whole number from %ld to %ld", e, lo, hi);
}

/* Keeps the trimmed case id s[0..n) (n > 0): in the slot, or, longer than
 * 23 bytes, in the parser's side table (cold). -1: rejected. */
static int long_case_id(cm_parser *p, cm_case *c, const char *s, size_t n);
static inline int set_case_id(cm_parser *p, cm_case *c, const char *s, size_t n)
{
    if (__builtin_expect(n < sizeof c->case_id, 1)) {
        memcpy(c->case_id, s, n);
        c->case_id[n] = '\0';
        return 0;
    }
    return long_case_id(p, c, s, n);
}

static int long_case_id(cm_parser *p, cm_case *c, const char *s, size_t n)
{
    size_t k = n;
    if (k > CM_CASE_ID_MAX) k = utf8_cut(s, n, CM_CASE_ID_MAX); /* kept cut to name the reject */
    if (p->nlid == p->caplid) {
        size_t nc = p->caplid ? p->caplid * 2 : 256;
        cm_long_id *nl = realloc(p->lid, nc * sizeof *nl);
        if (!nl) return reject(p, c, "case_id", "out of memory for long case ids");
        p->lid = nl;
        p->caplid = nc;
    }
    if (p->lid_len + k + 1 > p->lid_cap) {
        size_t nc = p->lid_cap ? p->lid_cap * 2 : 16384;
        while (nc < p->lid_len + k + 1) nc *= 2;
        char *nt = realloc(p->lid_text, nc);
        if (!nt) return reject(p, c, "case_id", "out of memory for long case ids");
        p->lid_text = nt;
        p->lid_cap = nc;
    }
    memcpy(p->long_id, s, k);
    p->long_id[k] = '\0';
    memcpy(p->lid_text + p->lid_len, p->long_id, k + 1);
    p->lid[p->nlid++] = (cm_long_id){(size_t)(c - p->slots), p->lid_len};
    p->lid_len += k + 1;
    memcpy(c->case_id, s, 22);
    c->case_id[22] = '\0';
    c->case_id[23] = CM_ID_LONG;
    if (k < n) {
        char e[40];
        return reject(p, c, "case_id", "'%s': case id of %zu bytes, longer than %d", cm_echo(e, sizeof e, s, n), n,
                      CM_CASE_ID_MAX);
    }
    return 0;
}

/* Flags a case whose age_days is more than a year away from age_years:
 * a Y-year-old is Y*365.25 to (Y+1)*365.25 days old. */
/* The note of an age in days more than a year from the age in years (the
 * test is inline in parse_row; this is its cold path). */
static __attribute__((noinline, cold)) void age_mismatch(cm_parser *p, cm_case *c, int years, int days)
{
    note(p, c, CF_AGE_MISMATCH, "age_days", "%d days is %.1f years, age_years says %d: more than a year apart",
         days, days / 365.25, years);
}

/* Cold path of opt_level: a number in 1..3 with spaces or a sign (as
 * opt_int takes it), or a written level (gr_level_parse: 三级, 3级, 三级甲等,
 * 三甲; 未定级 is missing: -1). */
static __attribute__((noinline, cold)) int level_other(cm_parser *p, cm_case *c, const char *s, size_t n,
                                                       int *out)
{
    long v;
    if (parse_int(s, n, &v) == 0 && v >= 1 && v <= 3) {
        *out = (int)v;
        return 0;
    }
    int lv = gr_level_parse(s, n);
    if (lv >= 0) {
        *out = lv ? lv : -1;
        return 0;
    }
    return int_error(p, c, s, n, COL_INST_LEVEL, 1, 3) < 0 ? -1 : 0;
}

/* Institution level (医疗机构等级): -1 when empty or not graded. */
static inline int opt_level(cm_parser *p, cm_case *c, const cm_reader *r, int *out)
{
    size_t n;
    const char *s = fld(r, p, COL_INST_LEVEL, &n);
    *out = -1;
    if (!s || n == 0) return 0;
    if (n == 1 && s[0] >= '1' && s[0] <= '3') {
        *out = s[0] - '0';
        return 0;
    }
    return level_other(p, c, s, n, out);
}

/* A rejected row's money, as far as it reads (cold): a row rejected before
 * its amounts were parsed (no case id, a level missing, ...) still counts
 * its total cost and fund payment in the summary's "rejected money", so
 * that a run rejecting many rows shows how much money they held. Only
 * when the row has the header's field count; amounts that do not read
 * stay 0. Never paid: the slot is a reject. */
static __attribute__((noinline, cold)) void reject_money(const cm_reader *r, cm_parser *p, cm_case *c)
{
    static const int cols[2] = {COL_TOTAL, COL_FUND};
    int64_t *dst[2] = {&c->total_fen, &c->fund_fen};
    if (p->nf != r->ncols) return;
    for (int k = 0; k < 2; k++) {
        size_t n;
        const char *s = fld(r, p, cols[k], &n);
        int64_t v;
        if (*dst[k] == 0 && s && n && cm_parse_yuan_grouped(s, n, &v) == 0 && v >= 0 &&
            v <= (int64_t)100000000000LL)
            *dst[k] = v;
    }
}

/* The fields only supervision reads (cm_parse_opts.supervise): the
 * patient id as a 64-bit hash (never kept as text), discharge mode and
 * admission route (digits or the Chinese words); an unreadable value is
 * missing, never a reject. */
static __attribute__((noinline)) void sup_fields(const cm_reader *r, cm_parser *p)
{
    size_t n;
    const char *s = fld(r, p, COL_PATIENT_ID, &n);
    while (s && n && *s == ' ') s++, n--;
    while (s && n && s[n - 1] == ' ') n--;
    uint64_t h = 0;
    if (s && n) {
        /* 8 bytes a step (the last 0-7 bytes as one word), each step
         * multiplied and folded, then murmur3's finaliser: the same
         * patient id the same hash, 0 kept for "none" */
        h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)n * UINT64_C(0x9E3779B97F4A7C15);
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            h = (h ^ w) * UINT64_C(0x9E3779B97F4A7C15);
            h ^= h >> 32;
        }
        if (i < n) {
            /* the last n - i bytes as a little-endian word; from n >= 8 one
             * 8-byte load ending at the last byte, shifted (the same word as
             * a copy of those bytes, without the library call) */
            uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            if (n >= 8) {
                memcpy(&w, s + n - 8, 8);
                w >>= 8 * (8 - (n - i));
            } else {
                for (size_t k = 0; k < n - i; k++) w |= (uint64_t)(unsigned char)s[i + k] << (8 * k);
            }
#else
            memcpy(&w, s + i, n - i);
#endif
            h = (h ^ w) * UINT64_C(0x9E3779B97F4A7C15);
            h ^= h >> 32;
        }
        h ^= h >> 33; h *= UINT64_C(0xff51afd7ed558ccd); h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53); h ^= h >> 33;
        if (!h) h = 1;
    }
    p->sup_patient = h;
    s = fld(r, p, COL_DMODE, &n);
    p->sup_dmode = s && n == 1 && *s >= '1' && *s <= '9' ? *s - '0' : 0;
    s = fld(r, p, COL_ADMIT_ROUTE, &n);
    int route = 0;
    if (s && n == 1 && (*s == '1' || *s == '2' || *s == '3' || *s == '9')) route = *s - '0';
    else if (s && n == 6 && memcmp(s, "急诊", 6) == 0) route = 1;
    else if (s && n == 6 && memcmp(s, "门诊", 6) == 0) route = 2;
    else if (s && n >= 6 && memcmp(s + n - 6, "转入", 6) == 0) route = 3;
    else if (s && n == 6 && memcmp(s, "其他", 6) == 0) route = 9;
    p->sup_route = route;
    /* R06's amounts: bed fee and exam + lab + treatment + surgery (-1: not given) */
    p->sup_bed_fen = p->sup_service_fen = -1;
    if (r->has_categories) {
        static const int cats[5] = {SC_CAT_BED, SC_CAT_EXAM, SC_CAT_LAB, SC_CAT_TREATMENT, SC_CAT_SURGERY};
        int64_t v[5];
        for (int k = 0; k < 5; k++) {
            v[k] = p->cat_fen[cats[k]]; /* parse_row's amount (parse_money) */
            if (v[k]) continue;
            /* 0: an empty cell, a zero, or an amount parse_money noted as
             * bad (R06 then not evaluated for the row) */
            s = fld(r, p, COL_CAT0 + cats[k], &n);
            if (s && n && !cm_parse_yuan_fast(s, n, &v[k]) && cm_parse_yuan_grouped(s, n, &v[k]) != 0) return;
        }
        p->sup_bed_fen = v[0];
        p->sup_service_fen = v[1] + v[2] + v[3] + v[4];
    }
}

/* Fills c and p->gc from the tokenized row. Returns 0 or -1 (reject). */
static int parse_row(const cm_reader *r, cm_parser *p, const cm_parse_opts *o, cm_case *c,
                     size_t used)
{
    size_t n;
    const char *s;
    char e1[40], e2[40];

    p->nnotes = 0;
    p->need = o->need;
    if (p->nf != r->ncols) {
        /* still try to keep the case id for the rejects table */
        s = fld(r, p, COL_CASE_ID, &n);
        while (s && n && *s == ' ') s++, n--;
        while (s && n && s[n - 1] == ' ') n--;
        if (s && n && n <= CM_CASE_ID_MAX) set_case_id(p, c, s, n);
        return reject(p, c, "", "row has %d fields but the header has %d; check quoting and commas", p->nf,
                      r->ncols);
    }
    s = fld(r, p, COL_CASE_ID, &n);
    while (n && *s == ' ') s++, n--;
    while (n && s[n - 1] == ' ') n--;
    if (!s || n == 0) return reject(p, c, "case_id", "empty case id (结算ID)%s", "");
    if (set_case_id(p, c, s, n)) return -1;

    /* institution */
    s = fld(r, p, COL_INST_ID, &n);
    while (n && *s == ' ') s++, n--;
    while (n && s[n - 1] == ' ') n--;
    p->inst_id[0] = '\0';
    if (s && n) {
        if (n < sizeof p->inst_id) {
            memcpy(p->inst_id, s, n);
            p->inst_id[n] = '\0';
        } else if (bad_value(p, c, COL_INST_ID, "'%s': institution id of %zu bytes, longer than %zu",
                             cm_echo(e1, sizeof e1, s, n), n, sizeof p->inst_id - 1) < 0) {
            return -1;
        }
    } else if (p->need & CM_NEED(COL_INST_ID)) {
        return reject(p, c, "institution_id", "empty institution id (定点医疗机构编码)%s", "");
    }
    int lv;
    if (opt_level(p, c, r, &lv)) return -1;
    if (lv < 0 && (p->need & CM_NEED(COL_INST_LEVEL))) {
        s = fld(r, p, COL_INST_LEVEL, &n);
        if (s && n)
            return reject(p, c, "institution_level", "'%s': not graded; settle needs a level 1-3 (一级/二级/三级, "
                          "三级甲等 ...) in the row or from input.institutions", cm_echo(e1, sizeof e1, s, n));
        return reject(p, c, "institution_level", "empty institution level: settle needs 1-3 (一级/二级/三级, "
                      "三级甲等 ...) in the row or from input.institutions%s", "");
    }
    c->level = (uint8_t)(lv < 0 ? 0 : lv);

    /* demographics */
    gr_case *g = &p->gc;
    s = fld(r, p, COL_SEX, &n);
    g->sex = -1;
    if (s && n) {
        if (n == 1 && (*s == '1' || *s == '2')) g->sex = *s - '0';
        else if (n == 3 && memcmp(s, "男", 3) == 0) g->sex = 1;
        else if (n == 3 && memcmp(s, "女", 3) == 0) g->sex = 2;
        else if (n == 1 && (*s == '0' || *s == '9')) g->sex = -1; /* GB/T 2261 unknown */
        else if (bad_value(p, c, COL_SEX, "'%s': sex must be 1 (male), 2 (female), 0 or 9 (unknown), 男 or 女",
                           cm_echo(e1, sizeof e1, s, n)) < 0)
            return -1;
    }
    if (opt_int(p, c, r, COL_AGE_YEARS, 0, 150, &g->age_years)) return -1;
    /* the CHS-DRG grouper reads age_days only at age 0, the weight only at
     * 0 to 28 days (RULES.md §0-1): elsewhere a bad value is only noted */
    if (g->age_years != 0) p->need &= ~(CM_NEED(COL_AGE_DAYS) | CM_NEED(COL_BIRTH_WEIGHT));
    if (opt_int(p, c, r, COL_AGE_DAYS, 0, CM_AGE_DAYS_MAX, &g->age_days)) return -1;
    if (g->age_days < 0 || g->age_days > 28) p->need &= ~CM_NEED(COL_BIRTH_WEIGHT);
    if (opt_int(p, c, r, COL_BIRTH_WEIGHT, 0, 10000, &g->birth_weight_g)) return -1;
    if (g->age_days >= 0 && g->age_years >= 0) {
        long d4 = 4L * g->age_days;
        if (d4 < (long)(g->age_years - 1) * 1461 || d4 >= (long)(g->age_years + 2) * 1461)
            age_mismatch(p, c, g->age_years, g->age_days);
    }

    /* dates and length of stay: needed by no run (flags, /drgs mean_los) */
    p->admit_day = p->discharge_day = -1;
    s = fld(r, p, COL_ADMIT, &n);
    const char *as = s;
    size_t an = n;
    if (s && n && (p->admit_day = parse_date(s, n)) < 0 &&
        bad_value(p, c, COL_ADMIT, "'%s': not a date (no such day, or a form not accepted)", cm_echo(e1, sizeof e1, s, n)) < 0)
        return -1;
    s = fld(r, p, COL_DISCHARGE, &n);
    if (s && n && (p->discharge_day = parse_date(s, n)) < 0 &&
        bad_value(p, c, COL_DISCHARGE, "'%s': not a date (no such day, or a form not accepted)", cm_echo(e1, sizeof e1, s, n)) < 0)
        return -1;
    if (p->admit_day >= 0 && p->discharge_day >= 0 && p->discharge_day < p->admit_day) {
        if (bad_value(p, c, COL_DISCHARGE, "discharge '%s' before admission '%s'", cm_echo(e1, sizeof e1, s, n),
                      cm_echo(e2, sizeof e2, as, an)) < 0)
            return -1;
        p->discharge_day = -1; /* treated as missing: LOS from los_days, or missing */
    }
    int los;
    if (opt_int(p, c, r, COL_LOS, 0, 60000, &los)) return -1;
    c->los_days = (uint16_t)(los >= 0 ? los : p->admit_day >= 0 && p->discharge_day >= 0
                                                  ? (p->discharge_day - p->admit_day > 0 ? p->discharge_day - p->admit_day : 1)
                                                  : 65535);
    if (los >= 0 && p->admit_day >= 0 && p->discharge_day >= 0) {
        int d = p->discharge_day - p->admit_day;
        if (los != d && !(d == 0 && los == 1)) c->flags |= CF_LOS_MISMATCH;
    }

    /* money */
    int me, have_total = 0, have_fund = 0;
    s = fld(r, p, COL_TOTAL, &n);
    if (s && n) {
        if ((me = parse_money(p, c, s, n, COL_TOTAL, &c->total_fen)) < 0) return -1;
        have_total = me == 0;
    } else if (p->need & CM_NEED(COL_TOTAL)) {
        return reject(p, c, "total_cost", "empty total cost (医疗费总额)%s", "");
    }
    s = fld(r, p, COL_FUND, &n);
    if (s && n) {
        if ((me = parse_money(p, c, s, n, COL_FUND, &c->fund_fen)) < 0) return -1;
        have_fund = me == 0;
    } else if (s && (p->need & CM_NEED(COL_FUND))) {
        /* an empty 统筹基金支付 is no fund payment (a self-paid stay): kept, 0,
         * noted; a column with nothing in it then gives a fund share of 0,
         * which stops the run unless budget.fund_share is set */
        note(p, c, CF_BAD_AMOUNT, "fund_paid", "empty fund payment (统筹基金支付): taken as 0");
    }
    if (have_total && c->fund_fen > c->total_fen) {
        if (bad_value(p, c, COL_FUND, "fund paid %s > total %s", cm_yuan_text(e1, sizeof e1, c->fund_fen, 1),
                      cm_yuan_text(e2, sizeof e2, c->total_fen, 1)) < 0)
            return -1;
        c->fund_fen = 0;
        have_fund = 0;
    }
    s = fld(r, p, COL_SELF, &n);
    if (s && n) {
        int64_t self;
        if ((me = parse_money(p, c, s, n, COL_SELF, &self)) < 0) return -1;
        if (me == 0 && have_fund && self + c->fund_fen != c->total_fen) c->flags |= CF_FUND_MISMATCH;
    }
    if (r->has_categories) {
        int64_t sum = 0, b[SC_BUCKET__COUNT] = {0};
        for (int k = 0; k < SC_CAT__COUNT; k++) {
            int64_t v = 0;
            s = fld(r, p, COL_CAT0 + k, &n);
            if (s && n && parse_money(p, c, s, n, COL_CAT0 + k, &v) < 0) return -1;
            p->cat_fen[k] = v;
            sum += v;
            b[p->bucket_of[k]] += v;
        }
        int big = 0;
        for (int q = 0; q < SC_BUCKET__COUNT; q++) {
            big |= b[q] > INT32_MAX;
            c->bucket_fen[q] = b[q] > INT32_MAX ? 0 : (int32_t)b[q];
        }
        if (big) {
            if (p->nbig == p->capbig) {
                size_t nc = p->capbig ? p->capbig * 2 : 16;
                cm_big *nb = realloc(p->big, nc * sizeof *nb);
                if (!nb) return reject(p, c, "", "out of memory%s", "");
                p->big = nb;
                p->capbig = nc;
            }
            cm_big *e = &p->big[p->nbig++];
            e->slot = (size_t)(c - p->slots);
            memcpy(e->bucket_fen, b, sizeof b);
            c->flags |= CF_BIG_BUCKETS;
        }
        int64_t diff = sum - c->total_fen;
        if (diff < 0) diff = -diff;
        if (diff > o->tolerance_fen) {
            if (o->mismatch == CM_MISMATCH_REJECT)
                return reject(p, c, "cost_*", "cost categories sum %s, total cost %s: differ by %+.2f yuan",
                              cm_yuan_text(e1, sizeof e1, sum, 1), cm_yuan_text(e2, sizeof e2, c->total_fen, 1),
                              (double)(sum - c->total_fen) / 100.0);
            c->flags |= CF_CAT_MISMATCH;
        }
    } else {
        c->flags |= CF_NO_CATEGORIES;
    }

    /* codes */
    s = fld(r, p, COL_PDX, &n);
    g->principal_dx = s ? dupz(p, &used, s, n) : "";
    s = fld(r, p, COL_ODX, &n);
    g->other_dx = p->odx;
    g->n_other_dx = s ? split_list(p, &used, s, n, p->odx, CM_MAX_LIST) : 0;
    g->other_procs = p->oproc;
    if (r->colidx[COL_PPROC] >= 0 || r->colidx[COL_PROCEDURES] < 0) {
        s = fld(r, p, COL_PPROC, &n);
        g->principal_proc = s ? dupz(p, &used, s, n) : "";
        s = fld(r, p, COL_OPROCS, &n);
        g->n_other_procs = s ? split_list(p, &used, s, n, p->oproc, CM_MAX_LIST) : 0;
    } else {
        /* a single procedures column: first = principal */
        s = fld(r, p, COL_PROCEDURES, &n);
        const char *tmp[CM_MAX_LIST + 1];
        int k = s ? split_list(p, &used, s, n, tmp, CM_MAX_LIST + 1) : 0;
        g->principal_proc = k ? tmp[0] : "";
        g->n_other_procs = k ? k - 1 : 0;
        for (int i = 1; i < k; i++) p->oproc[i - 1] = tmp[i];
    }
    if (o->supervise) sup_fields(r, p);
    return 0;
}

/* Rejects a row with a NUL byte or invalid UTF-8 (rare: checked only when
 * the row has a byte >= 0x80 or a NUL, or quotes). Returns 1 if rejected. */
static int bad_text(cm_parser *p, cm_case *c, const char *rec, size_t rl)
{
    const char *z = memchr(rec, '\0', rl);
    if (z) {
        reject(p, c, "", "NUL byte at byte %zu of the row: the file is damaged or not UTF-8 text",
               (size_t)(z - rec) + 1);
        return 1;
    }
    if (!valid_utf8((const unsigned char *)rec, rl)) {
        /* the first byte that does not start a valid character (the text
         * itself is not echoed: it may hold a patient id) */
        size_t i = 0;
        while (i < rl) {
            size_t k = 1;
            while (k < 4 && !valid_utf8((const unsigned char *)rec + i, k) && i + k < rl) k++;
            if (!valid_utf8((const unsigned char *)rec + i, k)) break;
            i += k;
        }
        reject(p, c, "", "byte 0x%02X at byte %zu is not UTF-8 (GBK? set input.encoding = \"GB18030\")",
               i < rl ? (unsigned char)rec[i] : 0, i + 1);
        return 1;
    }
    return 0;
}

/* The case id of a row bad_text rejected, when its own field is clean
 * text (the damage is elsewhere in the row): named in /rejects. */
static void bad_text_id(const cm_reader *r, cm_parser *p, cm_case *c, int nf)
{
    size_t n;
    p->nf = nf;
    const char *s = fld(r, p, COL_CASE_ID, &n);
    while (s && n && *s == ' ') s++, n--;
    while (s && n && s[n - 1] == ' ') n--;
    if (s && n && n <= CM_CASE_ID_MAX && !memchr(s, '\0', n) && valid_utf8((const unsigned char *)s, n))
        set_case_id(p, c, s, n);
}

/* Splits an unquoted row at its commas: fields point into the row.
 * Returns the field count (may exceed cap: then only cap are stored). */
static int split_plain(const char *rec, size_t rl, const char **fp, size_t *fl, int cap, int *high)
{
    int nf = 0;
    size_t start = 0, i = 0;
    unsigned hi = 0;
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(',');
    for (; i + 16 <= rl; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(rec + i));
        /* bytes >= 0x80 (not ASCII) or NUL: the row gets the full text check */
        hi |= (unsigned)_mm_movemask_epi8(v) | (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma));
        while (m) {
            size_t pos = i + (size_t)__builtin_ctz(m);
            m &= m - 1;
            if (nf < cap) { fp[nf] = rec + start; fl[nf] = pos - start; }
            nf++;
            start = pos + 1;
        }
    }
#endif
    for (; i < rl; i++) {
        hi |= ((unsigned char)rec[i] & 0x80) | (rec[i] == '\0');
        if (rec[i] == ',') {
            if (nf < cap) { fp[nf] = rec + start; fl[nf] = i - start; }
            nf++;
            start = i + 1;
        }
    }
    if (nf < cap) { fp[nf] = rec + start; fl[nf] = rl - start; }
    *high = hi != 0;
    return nf + 1;
}

static int ensure_fields(cm_parser *p, int n)
{
    if (n <= p->fcap) return 0;
    int nc = p->fcap ? p->fcap * 2 : 64;
    while (nc < n) nc *= 2;
    const char **fp = realloc(p->fp, (size_t)nc * sizeof *fp);
    if (!fp) return -1;
    p->fp = fp;
    size_t *fl = realloc(p->fl, (size_t)nc * sizeof *fl);
    if (!fl) return -1;
    p->fl = fl;
    p->fcap = nc;
    return 0;
}

/* Room in scratch for the unquoted fields and codes of a row of rl bytes;
 * on failure the row is rejected (returns -1). */
static int scratch_fit(cm_parser *p, cm_case *c, size_t rl)
{
    if (p->scap >= 2 * rl + 64) return 0;
    size_t nc = 2 * rl + 4096;
    char *ns = realloc(p->scratch, nc);
    if (!ns) return reject(p, c, "", "out of memory for a row of this size%s", "");
    p->scratch = ns;
    p->scap = nc;
    return 0;
}

/* A fresh slot for the row on physical line `line`. */
static void slot_init(cm_case *c, uint64_t line)
{
    memset(c, 0, sizeof *c);
    c->line = (uint32_t)(line < g_line_map_n ? g_line_map[line] : line); /* a province region: the export's line */
    c->group = -1;
    c->drg = -1;
    c->mdc = -1;
}

/* Bit masks of a 64-byte block: separators (',' and '\n'), newlines, and
 * whether the block holds a byte >= 0x80 or a NUL (then its rows get the
 * full text check). A block that would run past end is copied into a
 * zeroed buffer first (never read beyond the chunk) and its bits beyond
 * end are cleared. */
static inline void block_masks(const char *b, const char *end, uint64_t *sep, uint64_t *nl, int *hi)
{
    unsigned char tmp[64];
    size_t avail = (size_t)(end - b);
    const char *p = b;
    if (avail < 64) {
        memset(tmp, 0, sizeof tmp);
        memcpy(tmp, b, avail);
        p = (const char *)tmp;
    }
    uint64_t s = 0, n = 0, h = 0;
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(','), newline = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j));
        __m128i e = _mm_cmpeq_epi8(v, newline);
        s |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, comma), e)) << (16 * j);
        n |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * j);
        h |= (uint64_t)(unsigned)(_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, zero))) << (16 * j);
    }
#else
    for (int j = 0; j < 64; j++) {
        unsigned char ch = (unsigned char)p[j];
        s |= (uint64_t)(ch == ',' || ch == '\n') << j;
        n |= (uint64_t)(ch == '\n') << j;
        h |= (uint64_t)(ch >= 0x80 || ch == 0) << j;
    }
#endif
    if (avail < 64) {
        uint64_t keep = (UINT64_C(1) << avail) - 1;
        s &= keep;
        n &= keep;
        h &= keep;
    }
    *sep = s;
    *nl = n;
    *hi = h != 0;
}

/* Unquoted chunks: one pass over 64-byte blocks finds the commas and the
 * newlines together (no second scan for the end of a row); fields point
 * into the mapped file. Same results as the general path below. */
static void parse_plain_chunk(const cm_reader *r, const char *buf, const cm_chunk *ch,
                              const cm_parse_opts *o, cm_parser *p, cm_case *slots,
                              rd_row_fn fn, void *ctx, int tid)
{
    const char *end = buf + ch->end, *base = buf + ch->begin, *pos = base;
    uint64_t sep = 0, nl = 0, line = ch->first_line;
    int hi = 0;
    if (base < end) block_masks(base, end, &sep, &nl, &hi);
    p->slots = slots;
    if (p->fcap < 64) ensure_fields(p, 64);
    for (size_t k = 0; k < ch->nrec; k++) {
        cm_case *c = &slots[ch->slot0 + k];
        slot_init(c, line++);
        const char *rec = pos, *start = pos, *re;
        int nf = 0, rowhi = hi, oom = p->fcap == 0;
        const char **fp = p->fp; /* locals: the stores below cannot alias them */
        size_t *fl = p->fl;
        for (;;) {
            if (!sep) {
                base += 64;
                if (base >= end) { re = end; break; }
                block_masks(base, end, &sep, &nl, &hi);
                rowhi |= hi;
                continue;
            }
            /* room for every separator of this block, checked once */
            if (__builtin_expect(nf + 65 > p->fcap, 0) && !oom) {
                if (ensure_fields(p, nf + 65)) oom = 1;
                fp = p->fp;
                fl = p->fl;
            }
            /* the commas before the row's newline (all of them when the
             * row goes on into the next block), then the newline */
            uint64_t nlm = nl & sep, nlbit = nlm & (~nlm + 1);
            uint64_t m = nlm ? sep & (nlbit - 1) : sep;
            if (!oom) {
                while (m) {
                    const char *q = base + __builtin_ctzll(m);
                    m &= m - 1;
                    fp[nf] = start;
                    fl[nf] = (size_t)(q - start);
                    nf++;
                    start = q + 1;
                }
            } else {
                nf += __builtin_popcountll(m);
            }
            if (!nlm) { sep = 0; continue; }
            re = base + __builtin_ctzll(nlm);
            if (!oom) { fp[nf] = start; fl[nf] = (size_t)(re - start); }
            nf++;
            sep &= ~(nlbit | (nlbit - 1));
            break;
        }
        int cap = oom ? INT_MAX : p->fcap;
        if (re == end) { /* the last row of the file, without newline */
            if (nf == cap && !oom && ensure_fields(p, nf + 1)) oom = 1;
            if (!oom) { p->fp[nf] = start; p->fl[nf] = (size_t)(end - start); }
            nf++;
        }
        pos = re + 1;
        size_t rl = (size_t)(re - rec);
        if (rl && rec[rl - 1] == '\r') {
            rl--;
            if (!oom && p->fl[nf - 1]) p->fl[nf - 1]--;
        }
        if (rl == 0) { c->status = SLOT_EMPTY; continue; }
        if (oom) {
            reject(p, c, "", "out of memory for the fields of this row%s", "");
            fn(ctx, tid, p, c);
            continue;
        }
        if (scratch_fit(p, c, rl)) { fn(ctx, tid, p, c); continue; }
        if (rowhi && bad_text(p, c, rec, rl)) {
            bad_text_id(r, p, c, nf);
            fn(ctx, tid, p, c);
            continue;
        }
        p->nf = nf;
        c->status = SLOT_CASE;
        p->tail_ok = rec - r->map >= 8; /* fields point into the mapped file */
        if (!o->tokenize_only && parse_row(r, p, o, c, 0)) reject_money(r, p, c);
        fn(ctx, tid, p, c);
    }
}

void rd_parse_chunk(const cm_reader *r, const char *buf, const cm_chunk *ch,
                    const cm_parse_opts *o, cm_parser *p, cm_case *slots,
                    rd_row_fn fn, void *ctx, int tid)
{
    if (!ch->quoted) {
        parse_plain_chunk(r, buf, ch, o, p, slots, fn, ctx, tid);
        return;
    }
    const char *pos = buf + ch->begin, *end = buf + ch->end;
    uint64_t line = ch->first_line;
    p->slots = slots;
    p->tail_ok = 0; /* quoted chunks: fields may be copies in scratch */
    for (size_t k = 0; k < ch->nrec; k++) {
        cm_case *c = &slots[ch->slot0 + k];
        slot_init(c, line);
        const char *rec = pos;
        /* find the end of the row: the first '\n' outside quotes */
        const char *re = pos;
        uint64_t lines_in_row = 1;
        int unterminated = 0, inq = 0;
        while (re < end) {
            if (*re == '"') inq = !inq;
            else if (*re == '\n') {
                if (!inq) break;
                lines_in_row++;
            }
            re++;
        }
        if (re >= end) { re = end; unterminated = inq; }
        size_t rl = (size_t)(re - rec);
        if (rl && rec[rl - 1] == '\r') rl--;
        pos = re + 1;
        line += lines_in_row;
        if (rl == 0) { c->status = SLOT_EMPTY; continue; }
        if (scratch_fit(p, c, rl)) { fn(ctx, tid, p, c); continue; }
        if (unterminated) {
            /* the field whose opening quote never closes */
            int fi = 0, q = 0, open_at = 0;
            for (size_t i = 0; i < rl; i++) {
                if (rec[i] == '"') { if (!q) open_at = fi; q = !q; }
                else if (rec[i] == ',' && !q) fi++;
            }
            const char *cn = "";
            for (int col = 0; col < COL__COUNT; col++)
                if (r->colidx[col] == open_at) cn = col_name((cm_col)col);
            reject(p, c, "", "unterminated quoted field: the '\"' opening field %d%s%s%s never closes "
                             "(the row runs to the end of file)", open_at + 1, cn[0] ? " (" : "", cn, cn[0] ? ")" : "");
            fn(ctx, tid, p, c);
            continue;
        }
        /* tokenize */
        int nf = 0;
        size_t used = 0;
        size_t i = 0;
        if (!memchr(rec, '"', rl)) { /* a row without quotes in a quoted chunk */
            if (p->fcap < 64 && ensure_fields(p, 64)) {
                reject(p, c, "", "out of memory for the fields of this row%s", "");
                fn(ctx, tid, p, c);
                continue;
            }
            int high = 0;
            nf = split_plain(rec, rl, p->fp, p->fl, p->fcap, &high);
            if (nf > p->fcap) {
                if (ensure_fields(p, nf)) {
                    reject(p, c, "", "out of memory for the fields of this row%s", "");
                    fn(ctx, tid, p, c);
                    continue;
                }
                nf = split_plain(rec, rl, p->fp, p->fl, p->fcap, &high);
            }
            if (high && bad_text(p, c, rec, rl)) {
                bad_text_id(r, p, c, nf);
                fn(ctx, tid, p, c);
                continue;
            }
            p->nf = nf;
            c->status = SLOT_CASE;
            if (!o->tokenize_only && parse_row(r, p, o, c, used)) reject_money(r, p, c);
            fn(ctx, tid, p, c);
            continue;
        }
        if (bad_text(p, c, rec, rl)) {
            fn(ctx, tid, p, c);
            continue;
        }
        for (;;) {
            if (nf >= p->fcap && ensure_fields(p, nf + 1)) break;
            if (i < rl && rec[i] == '"') {
                char *d = p->scratch + used;
                size_t dl = 0;
                i++;
                while (i < rl) {
                    if (rec[i] == '"') {
                        if (i + 1 < rl && rec[i + 1] == '"') { d[dl++] = '"'; i += 2; continue; }
                        i++;
                        break;
                    }
                    d[dl++] = rec[i++];
                }
                while (i < rl && rec[i] != ',') d[dl++] = rec[i++];
                p->fp[nf] = d;
                p->fl[nf] = dl;
                used += dl + 1;
            } else {
                const char *f = rec + i;
                const char *cm = memchr(f, ',', rl - i);
                size_t fl = cm ? (size_t)(cm - f) : rl - i;
                p->fp[nf] = f;
                p->fl[nf] = fl;
                i += fl;
            }
            nf++;
            if (i >= rl) break;
            i++; /* the comma */
            if (i == rl) { /* trailing comma: one more empty field */
                if (nf >= p->fcap && ensure_fields(p, nf + 1)) break;
                p->fp[nf] = rec + i;
                p->fl[nf] = 0;
                nf++;
                break;
            }
        }
        p->nf = nf;
        c->status = SLOT_CASE;
        if (!o->tokenize_only && parse_row(r, p, o, c, used)) reject_money(r, p, c);
        fn(ctx, tid, p, c);
    }
}
