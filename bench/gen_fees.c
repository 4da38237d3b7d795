/*
 * gen_fees.c - the item-level fee file (费用明细) and a demo price table for
 * a generated region (casemix gen; casemix simulate's item re-pricing).
 *
 * From DIR/current.csv (gen's own layout), every case's cost categories
 * are split into item lines: per category two catalogue items at fixed
 * unit prices with whole quantities, and the remainder as one line of item
 * X<kk>99 (quantity 1 at the remaining amount), so the lines of a case add
 * up to its categories to the fen. Rows that do not parse (gen's bad rows)
 * get no lines. DIR/prices.csv re-prices the catalogue items: medical
 * services +10%, drugs and consumables -5%, examinations and tests -15%
 * (rounded to the fen), and lists one item no case uses (X9999).
 * Headers in Chinese as a HIS export writes them. Serial; the same seed
 * and input give the same bytes.
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* unit prices of the two catalogue items of each category (fen) */
static const int64_t ITEM_PRICE[SC_CAT__COUNT][2] = {
    {4500, 8000},   {1200, 2500},  {12000, 38000}, {3500, 850},  {6000, 1500},
    {85000, 240000}, {3000, 1800}, {5500, 23000},  {680, 4200},  {320, 1500},
    {2800, 960},    {1000, 500},   {100, 300},     {2000, 750},
};

static int64_t new_price(int k, int64_t p)
{
    sc_bucket b = sc_category_bucket((sc_category)k);
    int64_t m = b == SC_BUCKET_SERVICES ? 110 : b == SC_BUCKET_DRUGS ? 95 : 85;
    return sc_muldiv_round(p, m, 100);
}

static void put_yuan(FILE *f, int64_t fen)
{
    if (fen < 0) { fputc('-', f); fen = -fen; }
    fprintf(f, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
}

int gen_fee_files(const char *dir, uint64_t seed, int64_t *lines_out, char *err, size_t errlen)
{
    char in[1100], out[1100], pt[1100], tmp[1200];
    snprintf(in, sizeof in, "%s/current.csv", dir);
    snprintf(out, sizeof out, "%s/fees.csv", dir);
    snprintf(pt, sizeof pt, "%s/prices.csv", dir);
    FILE *fi = fopen(in, "r");
    if (!fi) { snprintf(err, errlen, "%s: cannot read", in); return -1; }
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *fo = fopen(tmp, "w");
    if (!fo) { fclose(fi); snprintf(err, errlen, "%s: cannot write", tmp); return -1; }
    static char obuf[1 << 20];
    setvbuf(fo, obuf, _IOFBF, sizeof obuf);
    fputs(GEN_FEE_HEADER "\n", fo);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int col[SC_CAT__COUNT], idcol = -1, ncols = 0;
    for (int k = 0; k < SC_CAT__COUNT; k++) col[k] = -1;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 12345;
    int64_t nlines = 0;
    int first = 1;
    /* case ids already given lines (a repeated id is gen's duplicate bad row: its lines would be
     * counted to the first case) */
    size_t hcap = 1 << 16, hn = 0;
    uint64_t *seen = calloc(hcap, sizeof *seen);
    if (!seen) { snprintf(err, errlen, "out of memory"); fclose(fi); fclose(fo); remove(tmp); return -1; }
    while ((len = getline(&line, &cap, fi)) > 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        const char *f[64];
        size_t fl[64];
        int nf = 0;
        const char *p = line;
        for (;;) {
            const char *c = strchr(p, ',');
            if (nf < 64) { f[nf] = p; fl[nf] = c ? (size_t)(c - p) : strlen(p); nf++; }
            if (!c) break;
            p = c + 1;
        }
        if (first) {
            first = 0;
            ncols = nf;
            for (int i = 0; i < nf; i++) {
                if (fl[i] == 7 && !strncmp(f[i], "case_id", 7)) idcol = i;
                for (int k = 0; k < SC_CAT__COUNT; k++) {
                    const char *nm = sc_category_column((sc_category)k);
                    if (fl[i] == strlen(nm) && !strncmp(f[i], nm, fl[i])) col[k] = i;
                }
            }
            if (idcol < 0) { snprintf(err, errlen, "%s: no case_id column", in); goto fail; }
            for (int k = 0; k < SC_CAT__COUNT; k++)
                if (col[k] < 0) { snprintf(err, errlen, "%s: no %s column", in, sc_category_column((sc_category)k)); goto fail; }
            continue;
        }
        if (nf != ncols || fl[idcol] == 0 || fl[idcol] > 64) continue;
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < fl[idcol]; i++) h = (h ^ (unsigned char)f[idcol][i]) * 1099511628211ull;
        h |= 1;
        if (2 * (hn + 1) > hcap) {
            size_t nc = hcap * 2;
            uint64_t *ns = calloc(nc, sizeof *ns);
            if (!ns) { snprintf(err, errlen, "out of memory"); free(seen); goto fail; }
            for (size_t i = 0; i < hcap; i++)
                if (seen[i]) {
                    size_t j = seen[i] & (nc - 1);
                    while (ns[j]) j = (j + 1) & (nc - 1);
                    ns[j] = seen[i];
                }
            free(seen);
            seen = ns;
            hcap = nc;
        }
        size_t hj = h & (hcap - 1);
        int dup = 0;
        while (seen[hj]) {
            if (seen[hj] == h) { dup = 1; break; }
            hj = (hj + 1) & (hcap - 1);
        }
        if (dup) continue;
        seen[hj] = h;
        hn++;
        int64_t a[SC_CAT__COUNT];
        int ok = 1;
        for (int k = 0; k < SC_CAT__COUNT && ok; k++) {
            int64_t e4;
            ok = sc_parse_e4(f[col[k]], fl[col[k]], &e4) == 0 && e4 >= 0 && e4 % 100 == 0;
            a[k] = e4 / 100;
        }
        if (!ok) continue;
        for (int k = 0; k < SC_CAT__COUNT; k++) {
            int64_t rem = a[k];
            if (rem <= 0) continue;
            for (int j = 0; j < 2; j++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                int64_t price = ITEM_PRICE[k][j];
                int64_t share = j == 0 ? (int64_t)(30 + x % 41) : 80;   /* % of what is left */
                int64_t q = rem * share / 100 / price;
                if (q <= 0) continue;
                fprintf(fo, "%.*s,X%02d%02d,%s项目%d,%s,%lld,", (int)fl[idcol], f[idcol], k, j + 1,
                        sc_category_chinese((sc_category)k), j + 1, sc_category_chinese((sc_category)k), (long long)q);
                put_yuan(fo, price);
                fputc(',', fo);
                put_yuan(fo, q * price);
                fputc('\n', fo);
                rem -= q * price;
                nlines++;
            }
            if (rem > 0) {
                fprintf(fo, "%.*s,X%02d99,%s其他,%s,1,", (int)fl[idcol], f[idcol], k,
                        sc_category_chinese((sc_category)k), sc_category_chinese((sc_category)k));
                put_yuan(fo, rem);
                fputc(',', fo);
                put_yuan(fo, rem);
                fputc('\n', fo);
                nlines++;
            }
        }
    }
    free(line);
    free(seen);
    fclose(fi);
    if (fclose(fo) != 0 || rename(tmp, out) != 0) { snprintf(err, errlen, "%s: cannot write", out); remove(tmp); return -1; }
    snprintf(tmp, sizeof tmp, "%s.tmp", pt);
    FILE *fp = fopen(tmp, "w");
    if (!fp) { snprintf(err, errlen, "%s: cannot write", tmp); return -1; }
    fputs(GEN_PRICE_HEADER "\n", fp);
    for (int k = 0; k < SC_CAT__COUNT; k++)
        for (int j = 0; j < 2; j++) {
            fprintf(fp, "X%02d%02d,%s项目%d,", k, j + 1, sc_category_chinese((sc_category)k), j + 1);
            put_yuan(fp, new_price(k, ITEM_PRICE[k][j]));
            fputc('\n', fp);
        }
    fputs("X9999,未使用项目,1.00\n", fp);
    if (fclose(fp) != 0 || rename(tmp, pt) != 0) { snprintf(err, errlen, "%s: cannot write", pt); remove(tmp); return -1; }
    if (lines_out) *lines_out = nlines;
    return 0;
fail:
    free(line);
    fclose(fi);
    fclose(fo);
    remove(tmp);
    return -1;
}
