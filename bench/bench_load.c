/* bench/bench_load.c: the load and profile benchmark of issue 2.
 *
 * For each size (rows) it generates a CSV of the demo data set once
 * (core/demo.h, written to a temporary name and renamed), then measures,
 * each in a fresh fork()ed child so that peak RSS belongs to one
 * measurement (wait4() rusage of that child):
 *   - a single-threaded libcsv pass that only counts fields and records
 *     (1 MiB fread buffers): the floor any libcsv-based loader stands on;
 *   - sx_csv_load with default options (all CPUs), then in the same child
 *     sx_profile_frame of every column and sx_profile_corr;
 *   - pandas read_csv + describe(include='all') through bench/pandas_bench.py
 *     when Debian's python3 can import pandas.
 * Timings come back from the child through a pipe; ratios are computed
 * against the baselines measured in the same run. The file is read once
 * before measuring, so every measurement starts from a warm page cache.
 *
 * Usage: bench_load [--sizes N,N…] [--data DIR] [--repeat N] [--python PATH]
 *                   [--pandas-script PATH] [--no-pandas] [--strict]
 * Exit 0 when every measurement ran (and, with --strict, every target
 * passed), 1 otherwise, 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>                  /* libcsv's; ours is "csv.h" (-iquote core) */
#include <jansson.h>

#include "csv.h"
#include "demo.h"
#include "err.h"
#include "frame.h"
#include "profile.h"

#define READ_BUF (1u << 20)        /* the baseline's fread buffer: 1 MiB */
#define MAX_SIZES 16

/* The targets of issue 2, for the 10M-row file (the ratios at every size). */
#define TARGET_ROWS      10000000u
#define TARGET_LOAD_S    3.0
#define TARGET_RSS_MB    1100.0    /* 1.1 GB, decimal */
#define TARGET_PROFILE_S 1.5
#define TARGET_SPEEDUP   4.0
#define TARGET_MEMRATIO  0.5

struct opts {
    uint64_t sizes[MAX_SIZES];
    size_t nsizes;
    char *data;                    /* directory of the generated CSVs */
    const char *python;
    const char *pandas_script;
    int repeat;
    int no_pandas;
    int strict;
};

/* One phase as measured inside a child. */
struct phase {
    double wall;                   /* seconds */
    double cpu;                    /* user + system seconds, all threads */
};

/* What a measuring child sends back through its pipe. Fixed size, so the
 * parent knows it got all of it. */
struct sample {
    int ok;
    char msg[sizeof(((struct sx_err *)0)->msg) + 64];
    struct phase ph[3];            /* baseline: [0]; sextant: load, profile, corr */
    uint64_t records, fields;      /* baseline: records incl. header, fields */
    uint64_t rows, cols, corr_n;   /* sextant */
    uint64_t frame_bytes;
    long load_maxrss_kib;          /* sextant: peak RSS right after the load */
};

/* Best-of-N results of one size. */
struct result {
    uint64_t file_bytes;
    int base_ok, sx_ok, pd_ok;
    struct phase base;
    long base_rss;                 /* KiB */
    uint64_t records, fields;
    struct phase load, prof, corr;
    long load_rss, sx_rss;         /* KiB: after the load; whole child */
    uint64_t rows, cols, corr_n, frame_bytes;
    struct phase pd_read, pd_desc;
    long pd_rss;
    uint64_t pd_rows;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of this process so far, every thread. */
static double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static long maxrss_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double mb(uint64_t bytes) { return (double)bytes / 1e6; }
static double rss_mb(long kib) { return (double)kib * 1024.0 / 1e6; }

static void fail_msg(struct sample *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail_msg(struct sample *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->ok = 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read until EOF or N bytes; returns the bytes read. */
static size_t read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

/* Wait for PID; fills ST and RU. */
static void wait_child(pid_t pid, int *st, struct rusage *ru)
{
    while (wait4(pid, st, 0, ru) < 0 && errno == EINTR) {}
}

static void describe_status(int st, char *buf, size_t size)
{
    if (WIFSIGNALED(st))
        snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(st));
}

/* ---- the measurements, each run in a child ---- */

typedef void (*measure_fn)(const char *path, struct sample *s);

struct counts { uint64_t fields, records; };

static void count_field(void *data, size_t len, void *ctx)
{
    (void)data;
    (void)len;
    ((struct counts *)ctx)->fields++;
}

static void count_record(int term, void *ctx)
{
    (void)term;
    ((struct counts *)ctx)->records++;
}

/* The baseline: one thread, libcsv in strict mode, callbacks that count. */
static void measure_baseline(const char *path, struct sample *s)
{
    struct csv_parser p;
    struct counts c = {0, 0};
    char *buf = malloc(READ_BUF);
    FILE *fp = NULL;
    if (!buf) { fail_msg(s, "out of memory"); return; }
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fail_msg(s, "csv_init failed");
        free(buf);
        return;
    }
    double t0 = now(), c0 = cpu_self();
    if (!(fp = fopen(path, "rb"))) {
        fail_msg(s, "%s: %s", path, strerror(errno));
        goto out;
    }
    for (;;) {
        size_t n = fread(buf, 1, READ_BUF, fp);
        if (n == 0) break;
        if (csv_parse(&p, buf, n, count_field, count_record, &c) != n) {
            fail_msg(s, "%s: libcsv: %s", path, csv_strerror(csv_error(&p)));
            goto out;
        }
    }
    if (ferror(fp)) {
        fail_msg(s, "%s: read error", path);
        goto out;
    }
    if (csv_fini(&p, count_field, count_record, &c) != 0) {
        fail_msg(s, "%s: libcsv: %s", path, csv_strerror(csv_error(&p)));
        goto out;
    }
    s->ph[0].wall = now() - t0;
    s->ph[0].cpu = cpu_self() - c0;
    s->records = c.records;
    s->fields = c.fields;
    s->ok = 1;
out:
    if (fp) fclose(fp);
    csv_free(&p);
    free(buf);
}

/* sextant: load with default options, then profile every column, then the
 * correlation matrix; each phase timed on its own. */
static void measure_sextant(const char *path, struct sample *s)
{
    struct sx_err err;
    struct sx_csv_opts o;
    struct sx_frame *f = NULL;
    struct sx_profile *prof = NULL;
    struct sx_corr *corr = NULL;

    sx_err_clear(&err);
    sx_csv_opts_init(&o);
    double t0 = now(), c0 = cpu_self();
    f = sx_csv_load(path, &o, NULL, &err);
    double t1 = now(), c1 = cpu_self();
    if (!f) { fail_msg(s, "sx_csv_load: %s", err.msg); return; }
    s->load_maxrss_kib = maxrss_self();
    s->ph[0] = (struct phase){t1 - t0, c1 - c0};
    s->rows = f->nrows;
    s->cols = f->ncols;
    s->frame_bytes = sx_frame_bytes(f);

    prof = sx_profile_frame(f, NULL, &err);
    double t2 = now(), c2 = cpu_self();
    if (!prof) { fail_msg(s, "sx_profile_frame: %s", err.msg); goto out; }
    if (prof->ncols != f->ncols || prof->rows != f->nrows) {
        fail_msg(s, "sx_profile_frame: profiled %zu columns of %" PRIu64
                 " rows, the frame has %zu of %zu", prof->ncols, prof->rows,
                 f->ncols, f->nrows);
        goto out;
    }
    s->ph[1] = (struct phase){t2 - t1, c2 - c1};

    corr = sx_profile_corr(f, &err);
    double t3 = now(), c3 = cpu_self();
    if (!corr) { fail_msg(s, "sx_profile_corr: %s", err.msg); goto out; }
    s->ph[2] = (struct phase){t3 - t2, c3 - c2};
    s->corr_n = corr->n;
    s->ok = 1;
out:
    sx_corr_free(corr);
    sx_profile_free(prof);
    sx_frame_free(f);
}

/* Run FN(PATH) in a fresh child; S receives its sample, *RSS_KIB the
 * child's peak RSS. Returns 0, or -1 with S->msg saying why. */
static int run_measure(measure_fn fn, const char *path, struct sample *s, long *rss_kib)
{
    int fd[2];
    memset(s, 0, sizeof *s);
    if (pipe(fd) != 0) {
        fail_msg(s, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fail_msg(s, "fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        struct sample r;
        close(fd[0]);
        memset(&r, 0, sizeof r);
        fn(path, &r);
        _exit(write_all(fd[1], &r, sizeof r) == 0 ? 0 : 3);
    }
    close(fd[1]);
    size_t got = read_full(fd[0], s, sizeof *s);
    close(fd[0]);
    int st;
    struct rusage ru;
    wait_child(pid, &st, &ru);
    *rss_kib = ru.ru_maxrss;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char why[128];
        describe_status(st, why, sizeof why);
        memset(s, 0, sizeof *s);
        fail_msg(s, "measuring child %s", why);
        return -1;
    }
    if (got != sizeof *s) {
        memset(s, 0, sizeof *s);
        fail_msg(s, "measuring child sent %zu of %zu bytes", got, sizeof *s);
        return -1;
    }
    s->msg[sizeof s->msg - 1] = '\0';
    return s->ok ? 0 : -1;
}

/* Run ARGV (argv[0] a path) with stdout into a new string (*OUT, caller
 * frees) and stderr inherited, or to /dev/null when QUIET. Returns the wait
 * status, or -1 if it could not start; *RU gets the child's rusage. */
static int run_capture(char *const argv[], int quiet, char **out, struct rusage *ru)
{
    int fd[2];
    *out = NULL;
    if (pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDOUT_FILENO);
        close(fd[1]);
        if (quiet) {
            int nul = open("/dev/null", O_WRONLY);
            if (nul >= 0) dup2(nul, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t n = 0, cap = 4096;
    char *buf = malloc(cap);
    for (;;) {
        if (buf && n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; }
            else { buf = nb; cap *= 2; }
        }
        if (!buf) {                       /* out of memory: drain and drop */
            char sink[4096];
            ssize_t r = read(fd[0], sink, sizeof sink);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            continue;
        }
        ssize_t r = read(fd[0], buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd[0]);
    if (buf) buf[n] = '\0';
    int st;
    wait_child(pid, &st, ru);
    *out = buf;
    return st;
}

/* pandas' version when PYTHON can import it, else NULL (caller frees). */
static char *pandas_version(const char *python)
{
    char *argv[] = {(char *)python, "-c",
                    "import sys, pandas; sys.stdout.write(pandas.__version__)", NULL};
    char *out = NULL;
    struct rusage ru;
    int st = run_capture(argv, 1, &out, &ru);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || !out || !*out) {
        free(out);
        return NULL;
    }
    return out;
}

static int json_num(const json_t *o, const char *key, double *v)
{
    const json_t *j = json_object_get(o, key);
    if (!json_is_number(j)) return -1;
    *v = json_number_value(j);
    return 0;
}

/* One pandas measurement: RD and DESC get the two phases, *RSS_KIB the
 * peak RSS of the python process, *ROWS the rows it read. Returns 0 or -1 with a
 * message in WHY. */
static int measure_pandas(const struct opts *op, const char *path,
                          struct phase *rd, struct phase *desc,
                          long *rss_kib, uint64_t *rows, char *why, size_t whylen)
{
    char *argv[] = {(char *)op->python, (char *)op->pandas_script, (char *)path, NULL};
    char *out = NULL;
    struct rusage ru;
    int st = run_capture(argv, 0, &out, &ru);
    int rc = -1;
    if (st == -1) {
        snprintf(why, whylen, "could not run %s: %s", op->python, strerror(errno));
        goto out;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char s[128];
        describe_status(st, s, sizeof s);
        snprintf(why, whylen, "%s %s %s", op->python, op->pandas_script, s);
        goto out;
    }
    json_error_t jerr;
    json_t *j = out ? json_loads(out, 0, &jerr) : NULL;
    double nrows = 0;
    if (!j || json_num(j, "read_csv", &rd->wall) || json_num(j, "describe", &desc->wall) ||
        json_num(j, "read_csv_cpu", &rd->cpu) || json_num(j, "describe_cpu", &desc->cpu) ||
        json_num(j, "rows", &nrows)) {
        snprintf(why, whylen, "%s printed no valid result: %.200s", op->pandas_script,
                 out ? out : "(nothing)");
        json_decref(j);
        goto out;
    }
    json_decref(j);
    *rows = (uint64_t)nrows;
    *rss_kib = ru.ru_maxrss;
    rc = 0;
out:
    free(out);
    return rc;
}

/* ---- data ---- */

static int file_size(const char *path, uint64_t *size)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return -1;
    *size = (uint64_t)sb.st_size;
    return 0;
}

static int mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Generate the demo CSV of ROWS rows at PATH in a child (so the parent stays
 * small: a forked or exec'd child starts from the parent's RSS). */
static int generate(const char *path, uint64_t rows)
{
    struct sx_demo_opts o;
    sx_demo_opts_init(&o);
    o.rows = rows;
    uint64_t expect = sx_demo_row_count(&o);
    if (expect != rows) {
        fprintf(stderr, "bench_load: the demo generator gives %" PRIu64
                " rows, not %" PRIu64 "\n", expect, rows);
        return -1;
    }
    /* sx_demo_write_file writes PATH.XXXXXX and renames it; a run killed
     * while generating leaves such a file behind. Remove those. */
    char *pat = NULL;
    glob_t g;
    if (asprintf(&pat, "%s.??????", path) >= 0 && glob(pat, GLOB_NOSORT, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) unlink(g.gl_pathv[i]);
        globfree(&g);
    }
    free(pat);
    printf("generating %s (%" PRIu64 " rows) ...\n", path, rows);
    double t0 = now();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench_load: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        struct sx_err err;
        uint64_t wrote = 0;
        sx_err_clear(&err);
        if (sx_demo_write_file(path, &o, &wrote, &err) != SX_OK) {
            fprintf(stderr, "bench_load: %s\n", err.msg);
            _exit(1);
        }
        if (wrote != rows) {
            fprintf(stderr, "bench_load: %s: wrote %" PRIu64 " rows, wanted %" PRIu64 "\n",
                    path, wrote, rows);
            unlink(path);
            _exit(1);
        }
        _exit(0);
    }
    int st;
    struct rusage ru;
    wait_child(pid, &st, &ru);
    uint64_t size = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || file_size(path, &size) != 0) {
        char why[128];
        describe_status(st, why, sizeof why);
        fprintf(stderr, "bench_load: generating %s failed (%s)\n", path, why);
        return -1;
    }
    printf("generated %.1f MB in %.1f s\n", mb(size), now() - t0);
    return 0;
}

/* Read PATH once so every measurement starts from the same warm page cache. */
static int warm(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    char *buf = malloc(READ_BUF);
    ssize_t r = 0;
    if (buf) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        while ((r = read(fd, buf, READ_BUF)) > 0 || (r < 0 && errno == EINTR)) {}
    }
    int ok = buf && r == 0;
    free(buf);
    close(fd);
    return ok ? 0 : -1;
}

/* ---- one size ---- */

static void keep_best(struct phase *best, const struct phase *p, int first)
{
    if (first || p->wall < best->wall) *best = *p;
}

static int bench_size(const struct opts *op, const char *pandas_ver, uint64_t rows,
                      struct result *r)
{
    char path[PATH_MAX];
    memset(r, 0, sizeof *r);
    if (snprintf(path, sizeof path, "%s/demo-%" PRIu64 ".csv", op->data, rows) >= (int)sizeof path) {
        fprintf(stderr, "bench_load: data path too long\n");
        return -1;
    }
    if (file_size(path, &r->file_bytes) != 0) {
        if (generate(path, rows) != 0) return -1;
        if (file_size(path, &r->file_bytes) != 0) return -1;
    }
    if (warm(path) != 0) {
        fprintf(stderr, "bench_load: %s: %s\n", path, strerror(errno));
        return -1;
    }

    int failed = 0;
    for (int rep = 0; rep < op->repeat; rep++) {
        struct sample s;
        long rss;
        if (run_measure(measure_baseline, path, &s, &rss) == 0) {
            keep_best(&r->base, &s.ph[0], !r->base_ok);
            r->base_rss = rss > r->base_rss ? rss : r->base_rss;
            r->records = s.records;
            r->fields = s.fields;
            r->base_ok = 1;
        } else {
            fprintf(stderr, "bench_load: libcsv baseline: %s\n", s.msg);
            failed = 1;
        }
        if (run_measure(measure_sextant, path, &s, &rss) == 0) {
            keep_best(&r->load, &s.ph[0], !r->sx_ok);
            keep_best(&r->prof, &s.ph[1], !r->sx_ok);
            keep_best(&r->corr, &s.ph[2], !r->sx_ok);
            r->load_rss = s.load_maxrss_kib > r->load_rss ? s.load_maxrss_kib : r->load_rss;
            r->sx_rss = rss > r->sx_rss ? rss : r->sx_rss;
            r->rows = s.rows;
            r->cols = s.cols;
            r->corr_n = s.corr_n;
            r->frame_bytes = s.frame_bytes;
            r->sx_ok = 1;
        } else {
            fprintf(stderr, "bench_load: sextant: %s\n", s.msg);
            failed = 1;
        }
        if (pandas_ver) {
            struct phase rd, ds;
            uint64_t prow = 0;
            char why[512];
            if (measure_pandas(op, path, &rd, &ds, &rss, &prow, why, sizeof why) == 0) {
                keep_best(&r->pd_read, &rd, !r->pd_ok);
                keep_best(&r->pd_desc, &ds, !r->pd_ok);
                r->pd_rss = rss > r->pd_rss ? rss : r->pd_rss;
                r->pd_rows = prow;
                r->pd_ok = 1;
            } else {
                fprintf(stderr, "bench_load: pandas: %s\n", why);
                failed = 1;
            }
        }
    }
    return failed ? -1 : 0;
}

/* Print one target as " what PASS" (", what FAIL" after the first, counted
 * by *N); returns 1 when it failed. */
static int target(int *n, int ok, const char *fmt, double v)
{
    printf("%s", (*n)++ ? ", " : " ");
    printf(fmt, v);
    printf(" %s", ok ? "PASS" : "FAIL");
    return !ok;
}

/* Print the table of one size; returns the number of failed targets, or -1
 * when the row counts disagree. */
static int report(const struct opts *op, const char *pandas_ver, long ncpu,
                  uint64_t rows, const struct result *r)
{
    int bad = 0, mismatch = 0;
    double fmb = mb(r->file_bytes);

    printf("\nsextant bench (%ld cores, %" PRIu64 " rows, %" PRIu64 " columns, %.1f MB)\n",
           ncpu, rows, r->sx_ok ? r->cols : (r->records ? r->fields / r->records : 0), fmb);
    printf("%-32s %8s %8s %7s %9s\n", "", "wall", "cpu", "MB/s", "peak RSS");
    if (r->base_ok)
        printf("%-32s %6.2f s %6.2f s %7.0f %6.0f MB\n", "libcsv parse-only (1 thread)",
               r->base.wall, r->base.cpu, fmb / r->base.wall, rss_mb(r->base_rss));
    else
        printf("%-32s failed\n", "libcsv parse-only (1 thread)");
    if (r->sx_ok) {
        char name[64];
        snprintf(name, sizeof name, "sextant load (%ld threads)", ncpu);
        printf("%-32s %6.2f s %6.2f s %7.0f %6.0f MB", name, r->load.wall, r->load.cpu,
               fmb / r->load.wall, rss_mb(r->load_rss));
        if (r->base_ok) printf("   %.2fx the parse-only pass", r->load.wall / r->base.wall);
        printf("\n");
        snprintf(name, sizeof name, "sextant profile (%" PRIu64 " columns)", r->cols);
        printf("%-32s %6.2f s %6.2f s\n", name, r->prof.wall, r->prof.cpu);
        snprintf(name, sizeof name, "sextant corr (%" PRIu64 " columns)", r->corr_n);
        printf("%-32s %6.2f s %6.2f s %7s %6.0f MB (load+profile+corr)\n", name,
               r->corr.wall, r->corr.cpu, "", rss_mb(r->sx_rss));
        printf("sextant frame: %.0f MB of column buffers\n", mb(r->frame_bytes));
    } else {
        printf("%-32s failed\n", "sextant load+profile+corr");
    }
    if (pandas_ver && r->pd_ok) {
        char name[64];
        snprintf(name, sizeof name, "pandas %s read_csv", pandas_ver);
        printf("%-32s %6.2f s %6.2f s %7.0f %6.0f MB (read_csv+describe)\n", name,
               r->pd_read.wall, r->pd_read.cpu, fmb / r->pd_read.wall, rss_mb(r->pd_rss));
        printf("%-32s %6.2f s %6.2f s\n", "pandas describe(include='all')",
               r->pd_desc.wall, r->pd_desc.cpu);
    } else if (pandas_ver) {
        printf("%-32s failed\n", "pandas");
    } else if (op->no_pandas) {
        printf("pandas: skipped (--no-pandas)\n");
    } else {
        printf("pandas: skipped (%s cannot import pandas)\n", op->python);
    }

    /* The three parsers must agree on the rows. */
    if (r->base_ok && r->records != rows + 1) {
        printf("ROWS MISMATCH: libcsv counted %" PRIu64 " records, expected %" PRIu64
               " rows + header (delete %s to regenerate)\n", r->records, rows, op->data);
        mismatch = 1;
    }
    if (r->base_ok && r->sx_ok && r->fields != r->records * r->cols) {
        printf("FIELDS MISMATCH: libcsv counted %" PRIu64 " fields in %" PRIu64
               " records, sextant has %" PRIu64 " columns\n", r->fields, r->records, r->cols);
        mismatch = 1;
    }
    if (r->sx_ok && r->rows != rows) {
        printf("ROWS MISMATCH: sextant loaded %" PRIu64 " rows, expected %" PRIu64 "\n",
               r->rows, rows);
        mismatch = 1;
    }
    if (r->pd_ok && r->pd_rows != rows) {
        printf("ROWS MISMATCH: pandas read %" PRIu64 " rows, expected %" PRIu64 "\n",
               r->pd_rows, rows);
        mismatch = 1;
    }

    if (!r->sx_ok) return mismatch ? -1 : 1;
    double speedup = 0, memratio = 0;
    if (r->pd_ok) {
        speedup = (r->pd_read.wall + r->pd_desc.wall) / (r->load.wall + r->prof.wall);
        memratio = rss_mb(r->sx_rss) / rss_mb(r->pd_rss);
        printf("sextant vs pandas: load+profile %.1fx %s, %.2fx the memory\n",
               speedup >= 1 ? speedup : 1 / speedup, speedup >= 1 ? "faster" : "slower",
               memratio);
    }
    /* Each target prints "NAME PASS" or "NAME FAIL"; bad counts the FAILs. */
    printf("targets:");
    int n = 0;
    if (rows == TARGET_ROWS) {
        bad += target(&n, r->load.wall <= TARGET_LOAD_S, "load <= %.1f s", TARGET_LOAD_S);
        bad += target(&n, rss_mb(r->load_rss) <= TARGET_RSS_MB, "RSS <= %.1f GB",
                      TARGET_RSS_MB / 1000.0);
        bad += target(&n, r->prof.wall <= TARGET_PROFILE_S, "profile <= %.1f s",
                      TARGET_PROFILE_S);
    }
    if (r->pd_ok) {
        bad += target(&n, speedup >= TARGET_SPEEDUP, ">= %.0fx pandas", TARGET_SPEEDUP);
        bad += target(&n, memratio <= TARGET_MEMRATIO, "<= %.1fx memory", TARGET_MEMRATIO);
    }
    if (rows != TARGET_ROWS)
        printf("%s(the load, RSS and profile targets apply to %u rows)", n ? "; " : " ",
               TARGET_ROWS);
    printf("\n");
    return mismatch ? -1 : bad;
}

/* ---- main ---- */

static void cpu_model(char *buf, size_t size)
{
    FILE *fp = fopen("/proc/cpuinfo", "r");
    char line[512];
    snprintf(buf, size, "unknown CPU");
    if (!fp) return;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(buf, size, "%s", colon);
        break;
    }
    fclose(fp);
}

/* BUILD/bench-data, BUILD being the directory above this binary's. */
static char *default_data_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *out = NULL;
    if (n <= 0) return strdup("bench-data");
    exe[n] = '\0';
    char *bindir = dirname(exe);               /* BUILD/bench */
    char *build = dirname(bindir);             /* BUILD */
    if (asprintf(&out, "%s/bench-data", build) < 0) return NULL;
    return out;
}

static int parse_sizes(const char *arg, struct opts *op)
{
    const char *p = arg;
    op->nsizes = 0;
    while (*p) {
        char *end;
        errno = 0;
        if (*p < '0' || *p > '9') return -1;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || end == p || v == 0 || op->nsizes == MAX_SIZES) return -1;
        op->sizes[op->nsizes++] = v;
        if (*end == ',') end++;
        else if (*end) return -1;
        p = end;
    }
    return op->nsizes ? 0 : -1;
}

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: bench_load [--sizes N,N...] [--data DIR] [--repeat N] [--python PATH]\n"
        "                  [--pandas-script PATH] [--no-pandas] [--strict]\n"
        "  --sizes N,N...       rows of the generated demo CSVs (default 1000000,10000000)\n"
        "  --data DIR           where the CSVs are generated and kept (default BUILD/bench-data)\n"
        "  --repeat N           measure each N times; report the best wall time, the highest RSS\n"
        "  --python PATH        python with pandas (default /usr/bin/python3)\n"
        "  --pandas-script PATH the pandas side (default bench/pandas_bench.py)\n"
        "  --no-pandas          do not measure pandas\n"
        "  --strict             exit 1 when a target fails\n");
}

int main(int argc, char **argv)
{
    struct opts op = {
        .sizes = {1000000, 10000000}, .nsizes = 2, .data = NULL,
        .python = "/usr/bin/python3", .pandas_script = "bench/pandas_bench.py",
        .repeat = 1, .no_pandas = 0, .strict = 0,
    };
    static const struct option longopts[] = {
        {"sizes", required_argument, NULL, 's'},
        {"data", required_argument, NULL, 'd'},
        {"repeat", required_argument, NULL, 'r'},
        {"python", required_argument, NULL, 'p'},
        {"pandas-script", required_argument, NULL, 'P'},
        {"no-pandas", no_argument, NULL, 'n'},
        {"strict", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_sizes(optarg, &op) != 0) {
                fprintf(stderr, "bench_load: --sizes: expected positive row counts "
                        "separated by commas, got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'd':
            free(op.data);
            op.data = strdup(optarg);
            break;
        case 'r': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 1 || v > 100) {
                fprintf(stderr, "bench_load: --repeat: expected 1..100, got '%s'\n", optarg);
                return 2;
            }
            op.repeat = (int)v;
            break;
        }
        case 'p': op.python = optarg; break;
        case 'P': op.pandas_script = optarg; break;
        case 'n': op.no_pandas = 1; break;
        case 'S': op.strict = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (!op.data && !(op.data = default_data_dir())) {
        fprintf(stderr, "bench_load: out of memory\n");
        return 1;
    }
    if (mkdir_p(op.data) != 0) {
        fprintf(stderr, "bench_load: %s: %s\n", op.data, strerror(errno));
        free(op.data);
        return 1;
    }

    char model[256];
    cpu_model(model, sizeof model);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    char *pandas_ver = op.no_pandas ? NULL : pandas_version(op.python);
    printf("machine: %ld CPUs online, %s\n", ncpu, model);
    printf("libcsv %d.%d.%d; pandas %s; data in %s; warm page cache; %s\n",
           CSV_MAJOR, CSV_MINOR, CSV_RELEASE,
           pandas_ver ? pandas_ver : (op.no_pandas ? "not measured" : "not available"),
           op.data, op.repeat > 1 ? "best wall time of each repeat, highest RSS" : "one run each");
    if (pandas_ver && access(op.pandas_script, R_OK) != 0) {
        fprintf(stderr, "bench_load: %s: %s\n", op.pandas_script, strerror(errno));
        free(pandas_ver);
        free(op.data);
        return 1;
    }

    int status = 0;
    for (size_t i = 0; i < op.nsizes; i++) {
        struct result r;
        if (bench_size(&op, pandas_ver, op.sizes[i], &r) != 0) status = 1;
        if (r.file_bytes == 0) {
            status = 1;
            continue;
        }
        int bad = report(&op, pandas_ver, ncpu, op.sizes[i], &r);
        if (bad < 0 || (bad > 0 && op.strict)) status = 1;
    }
    free(pandas_ver);
    free(op.data);
    return status;
}
