/*
 * fuzz_util.h - shared helpers of the libFuzzer harnesses (header-only,
 * static functions; each harness is one translation unit).
 *
 * Every harness writes the fuzzed bytes to a file made once per process
 * under /tmp (fz_tmpdir) and rewritten in place on each iteration, because
 * the code under test reads files by path. FUZZ_ROOT (set by
 * tests/fuzz/fuzz.mk) is the repository root, for the small valid tables
 * under tests/data that the harnesses start from.
 */
#ifndef CASEMIX_FUZZ_UTIL_H
#define CASEMIX_FUZZ_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../grouper/grouper.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

/* Replaces the whole content of path with data[0..n). Aborts on I/O errors
 * (a harness failure, not a finding). */
static inline void fz_write_file(const char *path, const uint8_t *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror(path); abort(); }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w <= 0) { perror(path); abort(); }
        off += (size_t)w;
    }
    close(fd);
}

/* Reads a whole file into a malloc'd buffer (*n bytes). Aborts on errors. */
static inline uint8_t *fz_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); abort(); }
    size_t cap = 4096, len = 0, r;
    uint8_t *b = malloc(cap);
    while (b && (r = fread(b + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) b = realloc(b, cap *= 2);
    }
    fclose(f);
    if (!b) abort();
    *n = len;
    return b;
}

/* Copies FUZZ_ROOT/rel to path. */
static inline void fz_copy_from_repo(const char *rel, const char *path)
{
    char src[4096];
    snprintf(src, sizeof src, "%s/%s", FUZZ_ROOT, rel);
    size_t n;
    uint8_t *b = fz_read_file(src, &n);
    fz_write_file(path, b, n);
    free(b);
}

/* A directory /tmp/casemix-TAG-PID made once per process. libFuzzer often
 * leaves with _Exit (no atexit), so each new process first removes the
 * directories of its tag whose process is gone. */
static char fz_dir[64];
static inline void fz_rm_tree(const char *dir)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) { /* best effort */ }
}
static inline void fz_rmdir(void)
{
    if (fz_dir[0]) fz_rm_tree(fz_dir);
}
static inline const char *fz_tmpdir(const char *tag)
{
    if (fz_dir[0]) return fz_dir;
    char prefix[48];
    snprintf(prefix, sizeof prefix, "casemix-%s-", tag);
    DIR *d = opendir("/tmp");
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        char *end;
        long pid = strtol(e->d_name + strlen(prefix), &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
            char old[300];
            snprintf(old, sizeof old, "/tmp/%s", e->d_name);
            fz_rm_tree(old);
        }
    }
    if (d) closedir(d);
    snprintf(fz_dir, sizeof fz_dir, "/tmp/%s%ld", prefix, (long)getpid());
    if (mkdir(fz_dir, 0700) != 0 && errno != EEXIST) { perror(fz_dir); abort(); }
    atexit(fz_rmdir);
    return fz_dir;
}

/* Fixed cases for the groupers once a table set has loaded: codes of the
 * test tables (tests/data/ *-mini), lower case, empty, a newborn, and codes
 * longer than the grouper's 64-character limit. */
#define FZ_NCASES 7
static const char *const fz_odx[] = {"E11.900", "I10.x00", "J96.000", "R57.000", "k35.800", ""};
static const char *const fz_oproc[] = {"54.5101", "99.0400", "88.0100", "47.0100", "51.2300", "99.0000"};
static const char fz_long[] =
    "K35.800000000000000000000000000000000000000000000000000000000000000000000000000001";
static inline void fz_make_cases(gr_case c[FZ_NCASES])
{
    static const struct {
        const char *dx, *proc;
        int nodx, noproc, sex, age, days, weight;
    } t[FZ_NCASES] = {
        {"K35.800", "47.0100", 0, 2, 1, 30, -1, -1},
        {"", "", 0, 0, -1, -1, -1, -1},
        {"k35.800x001", "", 5, 0, 2, 70, -1, -1},
        {"K80.100", "51.2300", 1, 6, 1, 45, -1, -1},
        {"P07.100", "", 0, 0, 2, 0, 10, 2500},
        {"I21.000", "36.0601", 4, 3, 1, 80, -1, -1},
        {fz_long, fz_long, 6, 6, 1, 200, 400, 0},
    };
    for (int i = 0; i < FZ_NCASES; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].principal_dx = t[i].dx;
        c[i].principal_proc = t[i].proc;
        c[i].other_dx = fz_odx;
        c[i].n_other_dx = t[i].nodx;
        c[i].other_procs = fz_oproc;
        c[i].n_other_procs = t[i].noproc;
        c[i].sex = t[i].sex;
        c[i].age_years = t[i].age;
        c[i].age_days = t[i].days;
        c[i].birth_weight_g = t[i].weight;
    }
}

/* A table set for the loader harnesses: the n files names[] of the
 * committed folder FUZZ_ROOT/from are copied into the process's temporary
 * directory (tag); path[i] names each copy and orig[i]/len[i] keep the
 * original bytes so a harness can restore a file after fuzzing it. */
typedef struct {
    char path[16][192];
    uint8_t *orig[16];
    size_t len[16];
} fz_tables;

static inline void fz_tables_init(fz_tables *t, const char *tag, const char *from,
                                  const char *const *names, int n)
{
    const char *dir = fz_tmpdir(tag);
    for (int i = 0; i < n && i < 16; i++) {
        char src[256];
        snprintf(src, sizeof src, "%s/%s/%s", FUZZ_ROOT, from, names[i]);
        t->orig[i] = fz_read_file(src, &t->len[i]);
        snprintf(t->path[i], sizeof t->path[i], "%s/%s", dir, names[i]);
        fz_write_file(t->path[i], t->orig[i], t->len[i]);
    }
}

#endif
