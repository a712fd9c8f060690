/* bench/bench_tui.c: the workbench benchmark of issue 3, on the demo CSV
 * bench_load uses (BUILD/bench-data/demo-ROWS.csv, generated with
 * core/demo.h when missing).
 *
 * 1. First screen: the real binary runs headless (SEXTANT_NO_DISPLAY, 80x24)
 *    with its keys coming through a pipe and SEXTANT_KEY_TIMING naming a
 *    file it writes events to (tui/keytiming.h). We type `:open FILE` and
 *    time from the keystrokes to the refresh that first shows rows
 *    ("rows"), and to the whole table having arrived ("loaded"), while the
 *    load goes on in the background. In-process floor: sx_csv_load of the
 *    first SX_DATA_PREVIEW_ROWS rows (max_rows, one thread).
 * 2. Keystroke to finished redraw: a script (SEXTANT_SCRIPT) opens the file,
 *    waits for the load (scripts do), then types N keys that page through
 *    the grid (PgDn, PgUp, j, k, h, l, G, gg, Home, End) at 200x60; the app
 *    writes each key's time from reading it to the end of the refresh.
 *    Median, p99 and max. The script then sorts by temperature (`[`), whose
 *    key-to-redraw time is the sort as a user sees it.
 * 3. Sort of the grid by a float column (temperature), in a child process:
 *    sx_table_order (what the grid's sort job runs) on the loaded table;
 *    against a plain qsort of the column's doubles in the same run, and
 *    pandas sort_values on the same file when /usr/bin/python3 has pandas
 *    (bench/pandas_sort.py).
 * Targets (10M rows): first screen <= 0.3 s, key median <= 5 ms and p99 <=
 * 20 ms, sort <= 0.8 s.
 * 4. The Experiments pane on a store of N runs (default 100,000: 80,000
 *    runs and 2,000 sweeps of 9 trials, params alpha/features/seed,
 *    metrics rmse/mae/r2), written once through core/runs.h into
 *    DATA/runs-N/ and reused: a script types 3 (the pane), Enter (the runs
 *    table of every experiment: keys to the first drawn table), [ on rmse
 *    (sort by a metric) and F, bound in the rc file to `filter rmse < 3 and
 *    algo == 'ridge'` (filter by an expression); each key's time from
 *    reading it to the end of its redraw (SEXTANT_KEY_TIMING), median of
 *    REPEAT runs, against the target of 100 ms each. Baselines
 *    measured in the same run, in process (best of 3): sx_runs_table_load
 *    on a fresh connection (as the app opens it), then sx_frame_sort_index
 *    on rmse and sx_expr_eval_mask of the filter.
 *
 * Usage: bench_tui [--rows N] [--data DIR] [--bin SEXTANT] [--keys N]
 *                  [--repeat N] [--python PATH] [--pandas-script PATH]
 *                  [--no-pandas] [--runs N] [--only-runs] [--strict]
 * Exit 0 when every measurement ran (and, with --strict, every target
 * passed), 1 otherwise, 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "csv.h"
#include "demo.h"
#include "err.h"
#include "expr.h"
#include "frame.h"
#include "runs.h"
#include "store.h"
#include "table.h"

#define PREVIEW_ROWS 1000        /* SX_DATA_PREVIEW_ROWS of tui/data.h */
#define SORT_COLUMN "temperature"
#define TARGET_ROWS 10000000u
#define TARGET_FIRST_S 0.3
#define TARGET_KEY_MEDIAN_MS 5.0
#define TARGET_KEY_P99_MS 20.0
#define TARGET_SORT_S 0.8
#define TARGET_RUNS_MS 100.0       /* the Experiments pane: open, sort, filter */
#define RUNS_FILTER "rmse < 3 and algo == 'ridge'"

struct opts {
    uint64_t rows;
    char *data;
    char *bin;
    const char *python;
    const char *pandas_script;
    int keys;
    int repeat;
    int no_pandas;
    int strict;
    uint64_t runs;               /* runs in the Experiments pane's store; 0 skips it */
    int only_runs;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Q-quantile (0..1) of sorted V[0..N) by the nearest rank. */
static double rank_q(const double *v, size_t n, double q)
{
    if (n == 0) return NAN;
    size_t k = (size_t)ceil(q * (double)n);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

/* ---- the data file ---- */

static int mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The demo CSV of ROWS rows at PATH, generated when missing. */
static int ensure_data(const char *path, uint64_t rows)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) return 0;
    struct sx_demo_opts o;
    sx_demo_opts_init(&o);
    o.rows = rows;
    if (sx_demo_row_count(&o) != rows) {
        fprintf(stderr, "bench_tui: the demo generator cannot give %" PRIu64 " rows\n", rows);
        return -1;
    }
    char *pat = NULL;
    glob_t g;
    if (asprintf(&pat, "%s.??????", path) >= 0 && glob(pat, GLOB_NOSORT, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) unlink(g.gl_pathv[i]);
        globfree(&g);
    }
    free(pat);
    printf("generating %s (%" PRIu64 " rows) ...\n", path, rows);
    fflush(stdout);
    struct sx_err err;
    uint64_t wrote = 0;
    sx_err_clear(&err);
    if (sx_demo_write_file(path, &o, &wrote, &err) != SX_OK) {
        fprintf(stderr, "bench_tui: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Read PATH once so the measurements start from a warm page cache. */
static void warm(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    char *buf = malloc(1 << 20);
    while (buf && read(fd, buf, 1 << 20) > 0) {}
    free(buf);
    close(fd);
}

/* ---- running the workbench ---- */

/* Start the binary headless at ROWSxCOLS in directory DIR with SCRIPT
 * (NULL: keys from a pipe whose write end goes to *KEYS_FD), events into
 * TIMING. Returns the pid or -1. */
static pid_t start_app(const struct opts *op, const char *dir, const char *timing,
                       const char *script, int lines, int cols, int *keys_fd)
{
    int fd[2] = {-1, -1};
    if (!script && pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        char l[16], c[16];
        snprintf(l, sizeof l, "%d", lines);
        snprintf(c, sizeof c, "%d", cols);
        if (chdir(dir) != 0) _exit(126);
        int in = script ? open("/dev/null", O_RDONLY) : fd[0];
        if (in < 0) _exit(126);
        dup2(in, STDIN_FILENO);
        int nul = open("/dev/null", O_WRONLY);
        if (nul >= 0) dup2(nul, STDOUT_FILENO);
        if (!script) close(fd[1]);
        setenv("SEXTANT_NO_DISPLAY", "1", 1);
        setenv("TERM", "xterm-256color", 1);
        setenv("LINES", l, 1);
        setenv("COLUMNS", c, 1);
        setenv("SEXTANT_LOG", "", 1);
        setenv("SEXTANT_KEY_TIMING", timing, 1);
        setenv("HOME", dir, 1);           /* no user rc file */
        setenv("XDG_CONFIG_HOME", dir, 1);
        unsetenv("SEXTANT_STORE");
        if (script) setenv("SEXTANT_SCRIPT", script, 1);
        else unsetenv("SEXTANT_SCRIPT");
        execl(op->bin, op->bin, (char *)NULL);
        _exit(127);
    }
    if (!script) {
        close(fd[0]);
        *keys_fd = fd[1];
    }
    return pid;
}

/* The time of event WHAT in timing file PATH, or a negative value while it
 * is not there. */
static double event_time(const char *path, const char *what)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    char line[256];
    double t = -1;
    size_t n = strlen(what);
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, what, n) == 0 && line[n] == ' ') {
            t = strtod(line + n + 1, NULL);
            break;
        }
    fclose(fp);
    return t;
}

/* Wait up to TIMEOUT seconds for event WHAT; its time or -1. */
static double wait_event(const char *path, const char *what, double timeout, pid_t pid)
{
    double end = now() + timeout;
    while (now() < end) {
        double t = event_time(path, what);
        if (t >= 0) return t;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) return -1;
        sleep_ms(2);
    }
    return -1;
}

static void stop_app(pid_t pid, int keys_fd)
{
    if (keys_fd >= 0) close(keys_fd);
    kill(pid, SIGTERM);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

/* First screen: best and median over REPEAT runs into FIRST and LOADED. */
static int measure_first(const struct opts *op, const char *path, const char *dir,
                         double *first_best, double *first_med, double *loaded_med)
{
    double firsts[64], loads[64];
    int n = 0;
    char timing[PATH_MAX];
    snprintf(timing, sizeof timing, "%s/first.timing", dir);
    for (int r = 0; r < op->repeat && r < 64; r++) {
        unlink(timing);
        int keys = -1;
        pid_t pid = start_app(op, dir, timing, NULL, 24, 80, &keys);
        if (pid < 0) {
            fprintf(stderr, "bench_tui: cannot start %s\n", op->bin);
            return -1;
        }
        if (wait_event(timing, "first-draw", 10, pid) < 0) {
            fprintf(stderr, "bench_tui: %s drew nothing within 10 s (is it built with "
                            "SEXTANT_KEY_TIMING support?)\n", op->bin);
            stop_app(pid, keys);
            return -1;
        }
        char cmd[PATH_MAX + 16];
        int len = snprintf(cmd, sizeof cmd, ":open %s\r", path);
        double t0 = now();
        if (write_all(keys, cmd, (size_t)len) != 0) {
            stop_app(pid, keys);
            return -1;
        }
        double rows = wait_event(timing, "rows", 30, pid);
        double loaded = rows >= 0 ? wait_event(timing, "loaded", 300, pid) : -1;
        stop_app(pid, keys);
        if (rows < 0 || loaded < 0) {
            fprintf(stderr, "bench_tui: the grid did not show %s within the timeout\n",
                    rows < 0 ? "its first rows" : "the whole table");
            return -1;
        }
        firsts[n] = rows - t0;
        loads[n] = loaded - t0;
        n++;
    }
    qsort(firsts, (size_t)n, sizeof *firsts, cmp_double);
    qsort(loads, (size_t)n, sizeof *loads, cmp_double);
    *first_best = firsts[0];
    *first_med = firsts[n / 2];
    *loaded_med = loads[n / 2];
    unlink(timing);
    return 0;
}

/* xorshift64*: the same keys every run. */
static uint64_t rnd_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 0x2545F4914F6CDD1Dull;
}

/* The paging script: open, NKEYS paging keys, then sort by temperature. */
static int write_key_script(const char *script, const char *path, int nkeys)
{
    FILE *fp = fopen(script, "w");
    if (!fp) return -1;
    fprintf(fp, "# bench_tui: page through the grid\n:open %s\n", path);
    int n = 0;
    while (n < nkeys) {
        unsigned r = (unsigned)(rnd() % 100);
        const char *k = r < 40 ? "<PgDn>" : r < 55 ? "<PgUp>" : r < 70 ? "j" : r < 80 ? "k"
                      : r < 85 ? "l" : r < 90 ? "h" : r < 93 ? "G" : r < 95 ? "<End>"
                      : r < 98 ? "<Home>" : "gg";
        int cost = strcmp(k, "gg") == 0 ? 2 : 1;
        if (n + cost > nkeys) k = "j", cost = 1;
        fprintf(fp, "%s\n", k);
        n += cost;
    }
    /* temperature is the fourth column of the demo data */
    fprintf(fp, "<Home>\nl\nl\nl\n[\n");
    return fclose(fp);
}

struct key_result {
    double median_ms, p99_ms, max_ms, mean_ms;
    size_t n;
    double sort_ms;              /* the `[` key: sort job and redraw */
    double loaded_s;             /* open to whole table, scripted */
};

static int measure_keys(const struct opts *op, const char *path, const char *dir,
                        struct key_result *kr)
{
    char script[PATH_MAX], timing[PATH_MAX];
    snprintf(script, sizeof script, "%s/keys.script", dir);
    snprintf(timing, sizeof timing, "%s/keys.timing", dir);
    unlink(timing);
    if (write_key_script(script, path, op->keys) != 0) {
        fprintf(stderr, "bench_tui: cannot write %s\n", script);
        return -1;
    }
    double t0 = now();
    pid_t pid = start_app(op, dir, timing, script, 60, 200, NULL);
    if (pid < 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_tui: the scripted run failed (status %d)\n", st);
        return -1;
    }
    FILE *fp = fopen(timing, "r");
    if (!fp) return -1;
    size_t cap = (size_t)op->keys + 16, n = 0;
    double *v = malloc(cap * sizeof *v);
    char line[256];
    double loaded = -1;
    while (v && fgets(line, sizeof line, fp)) {
        if (strncmp(line, "key ", 4) == 0 && n < cap)
            v[n++] = strtod(line + 4, NULL) / 1000.0;
        else if (strncmp(line, "loaded ", 7) == 0)
            loaded = strtod(line + 7, NULL);
    }
    fclose(fp);
    /* The last five keys are Home, l, l, l and the sort. */
    if (!v || n < (size_t)op->keys + 5) {
        fprintf(stderr, "bench_tui: %zu key timings, expected %d\n", n, op->keys + 5);
        free(v);
        return -1;
    }
    kr->sort_ms = v[n - 1];
    size_t k = (size_t)op->keys;
    double sum = 0;
    for (size_t i = 0; i < k; i++) sum += v[i];
    qsort(v, k, sizeof *v, cmp_double);
    kr->n = k;
    kr->median_ms = rank_q(v, k, 0.5);
    kr->p99_ms = rank_q(v, k, 0.99);
    kr->max_ms = v[k - 1];
    kr->mean_ms = sum / (double)k;
    kr->loaded_s = loaded >= 0 ? loaded - t0 : NAN;
    free(v);
    unlink(timing);
    unlink(script);
    return 0;
}

/* ---- in-process: first rows and the sort ---- */

struct sort_result {
    int ok;
    char msg[sizeof(((struct sx_err *)0)->msg) + 64];
    double preview_s;            /* sx_csv_load, first rows, one thread */
    double load_s;
    double order_s;              /* sx_table_order by temperature, ascending */
    double order_desc_s;
    double qsort_s;              /* qsort of the column's present doubles */
    uint64_t rows;
};

static void sort_child(const char *path, struct sort_result *r)
{
    struct sx_err err;
    struct sx_csv_opts co;
    sx_err_clear(&err);
    sx_csv_opts_init(&co);
    co.max_rows = PREVIEW_ROWS;
    co.threads = 1;
    double t0 = now();
    struct sx_frame *head = sx_csv_load(path, &co, NULL, &err);
    r->preview_s = now() - t0;
    if (!head) {
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
        return;
    }
    sx_frame_free(head);
    t0 = now();
    struct sx_frame *f = sx_csv_load(path, NULL, NULL, &err);
    r->load_s = now() - t0;
    if (!f) {
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
        return;
    }
    r->rows = f->nrows;
    long col = sx_frame_find(f, SORT_COLUMN);
    if (col < 0 || f->cols[col]->type != SX_FLOAT) {
        snprintf(r->msg, sizeof r->msg, "no float column %s", SORT_COLUMN);
        sx_frame_free(f);
        return;
    }
    const struct sx_column *c = f->cols[col];
    double *vals = malloc((f->nrows ? f->nrows : 1) * sizeof *vals);
    size_t nv = 0;
    for (size_t i = 0; vals && i < f->nrows; i++)
        if (sx_col_valid(c, i)) vals[nv++] = c->v.f64[i];
    struct sx_table *t = sx_table_new("bench", path, f, &err);
    if (!t || !vals) {
        snprintf(r->msg, sizeof r->msg, "out of memory");
        free(vals);
        if (t) sx_table_free(t); else sx_frame_free(f);
        return;
    }
    struct sx_sort_key key = {(size_t)col, 0};
    t0 = now();
    size_t *rows = sx_table_order(t, &key, 1, &err);
    r->order_s = now() - t0;
    if (rows) sx_table_apply_order(t, &key, 1, rows);
    key.descending = 1;
    t0 = now();
    size_t *rows2 = rows ? sx_table_order(t, &key, 1, &err) : NULL;
    r->order_desc_s = now() - t0;
    free(rows2);
    t0 = now();
    qsort(vals, nv, sizeof *vals, cmp_double);
    r->qsort_s = now() - t0;
    free(vals);
    sx_table_free(t);
    if (!rows || !rows2) {
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
        return;
    }
    r->ok = 1;
}

static int measure_sort(const char *path, struct sort_result *r)
{
    int fd[2];
    memset(r, 0, sizeof *r);
    if (pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fd[0]);
        struct sort_result res;
        memset(&res, 0, sizeof res);
        sort_child(path, &res);
        _exit(write_all(fd[1], &res, sizeof res) == 0 ? 0 : 1);
    }
    close(fd[1]);
    size_t got = 0;
    while (got < sizeof *r) {
        ssize_t n = read(fd[0], (char *)r + got, sizeof *r - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (got != sizeof *r) {
        snprintf(r->msg, sizeof r->msg, "the sorting child died (status %d)", st);
        r->ok = 0;
    }
    r->msg[sizeof r->msg - 1] = '\0';
    return r->ok ? 0 : -1;
}

/* pandas: read_csv then sort_values(temperature); the sort's wall time. */
static int measure_pandas(const struct opts *op, const char *path, double *sort_s,
                          char *version, size_t vsize)
{
    int fd[2];
    if (pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDOUT_FILENO);
        execl(op->python, op->python, op->pandas_script, path, SORT_COLUMN, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char out[4096];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd[0], out + n, sizeof out - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
        if (n == sizeof out - 1) break;
    }
    out[n] = '\0';
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    const json_t *s = json_object_get(j, "sort_values");
    const json_t *v = json_object_get(j, "pandas");
    int rc = json_is_number(s) ? 0 : -1;
    if (rc == 0) {
        *sort_s = json_number_value(s);
        snprintf(version, vsize, "%s", json_is_string(v) ? json_string_value(v) : "?");
    }
    json_decref(j);
    return rc;
}

static int pandas_available(const char *python)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import pandas' >/dev/null 2>&1", python);
    return access(python, X_OK) == 0 && system(cmd) == 0;
}

/* ---- the Experiments pane ---- */

/* Deterministic values for the runs store. */
static uint64_t runs_rnd_state = 0x9E3779B97F4A7C15ull;
static double runs_unif(void)
{
    runs_rnd_state ^= runs_rnd_state >> 12;
    runs_rnd_state ^= runs_rnd_state << 25;
    runs_rnd_state ^= runs_rnd_state >> 27;
    return (double)((runs_rnd_state * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* One run through core/runs.h (start, then record with params and
 * metrics) inside the caller's transaction. */
static enum sx_status put_run(struct sx_store *st, const char *name, const char *kind,
                              const char *parent, int64_t start, char id[SX_UUID_LEN],
                              struct sx_err *err)
{
    static const char *const feats[] = {"raw", "fs-basic", "fs-wide"};
    char alpha[32], seed[32];
    int ridge = runs_unif() < 0.7;
    double a = ridge ? pow(10.0, -3.0 + 4.0 * runs_unif()) : 0;
    snprintf(alpha, sizeof alpha, "%.4g", a);
    snprintf(seed, sizeof seed, "%d", (int)(runs_unif() * 1000));
    double rmse = 2.2 + 1.6 * runs_unif();
    struct sx_log_item it[6] = {
        {.kind = SX_LOG_PARAM, .key = "alpha", .value = alpha},
        {.kind = SX_LOG_PARAM, .key = "features", .value = feats[(int)(runs_unif() * 3) % 3]},
        {.kind = SX_LOG_PARAM, .key = "seed", .value = seed},
        {.kind = SX_LOG_METRIC, .key = "rmse", .number = rmse, .time_ms = start},
        {.kind = SX_LOG_METRIC, .key = "mae", .number = rmse * 0.78, .time_ms = start},
        {.kind = SX_LOG_METRIC, .key = "r2", .number = 0.95 - rmse / 20, .time_ms = start},
    };
    struct sx_run_new in = {.experiment = "bench", .name = name, .author = "bench",
                            .start_ms = start, .parent_id = parent, .kind = kind};
    enum sx_status rc = sx_runs_start(st, &in, id, err);
    if (rc != SX_OK)
        return rc;
    struct sx_run_result r = {.algo = ridge ? "ridge" : "ols", .target = "demand",
                              .items = ridge ? it : it + 1, .nitems = ridge ? 6 : 5};
    return sx_runs_record(st, id, &r, err);
}

/* DIR/.sextant/store.db with N runs (80% plain runs, the rest sweeps of a
 * parent and 9 trials), made under a temporary name and renamed into
 * place; an existing one is reused. */
static int ensure_runs_store(const char *dir, uint64_t n)
{
    char db[PATH_MAX + 32], tmp[PATH_MAX + 8], path[PATH_MAX];
    snprintf(db, sizeof db, "%s/.sextant/store.db", dir);
    struct stat sb;
    if (stat(db, &sb) == 0)
        return 0;
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0 || mkdir_p(tmp) != 0)
        return -1;
    printf("generating %s (%" PRIu64 " runs) ...\n", dir, n);
    fflush(stdout);
    struct sx_err err;
    sx_err_clear(&err);
    struct sx_store *st = NULL;
    if (sx_store_init(tmp, path, sizeof path, &err) != SX_OK ||
        !(st = sx_store_open(path, 0, &err)) || sx_store_begin(st, &err) != SX_OK) {
        fprintf(stderr, "bench_tui: %s\n", err.msg);
        if (st) sx_store_close(st);
        return -1;
    }
    int64_t t0 = 1704164645000;
    uint64_t made = 0, plain = n * 4 / 5;
    char id[SX_UUID_LEN], pid[SX_UUID_LEN], name[64];
    enum sx_status rc = SX_OK;
    for (; made < plain && rc == SX_OK; made++) {
        snprintf(name, sizeof name, "run-%06" PRIu64, made);
        rc = put_run(st, name, "run", NULL, t0 + (int64_t)made * 1000, id, &err);
    }
    for (uint64_t s = 0; made < n && rc == SX_OK; s++) {
        snprintf(name, sizeof name, "sweep-%05" PRIu64, s);
        rc = put_run(st, name, "sweep", NULL, t0 + (int64_t)made * 1000, pid, &err);
        made++;
        for (int k = 0; k < 9 && made < n && rc == SX_OK; k++, made++) {
            snprintf(name, sizeof name, "sweep-%05" PRIu64 "-t%d", s, k);
            rc = put_run(st, name, "trial", pid, t0 + (int64_t)made * 1000, id, &err);
        }
    }
    if (rc == SX_OK)
        rc = sx_store_commit(st, &err);
    else
        sx_store_rollback(st);
    sx_store_close(st);
    if (rc != SX_OK) {
        fprintf(stderr, "bench_tui: writing the runs store: %s\n", err.msg);
        return -1;
    }
    if (rename(tmp, dir) != 0) {
        fprintf(stderr, "bench_tui: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

struct runs_result {
    double load_ms, sort_ms, filter_ms;        /* in process */
    size_t rows, pass;
    double open_ms, key_sort_ms, key_filter_ms; /* in the app, medians */
    int ok;
};

/* In process: the table load, a sort by rmse, the filter's mask. */
static int runs_in_process(const char *dir, struct runs_result *r)
{
    char db[PATH_MAX + 32];
    snprintf(db, sizeof db, "%s/.sextant/store.db", dir);
    struct sx_err err;
    sx_err_clear(&err);
    double best_load = INFINITY, best_sort = INFINITY, best_filter = INFINITY;
    int ok = 0;
    for (int rep = 0; rep < 3; rep++) {
        /* a fresh connection each time, as the app has: SQLite's cache cold */
        struct sx_store *st = sx_store_open(db, 0, &err);
        if (!st) break;
        double t = now();
        struct sx_runs_table *tb = sx_runs_table_load(st, NULL, 0, &err);
        sx_store_close(st);
        if (!tb) break;
        double t1 = now();
        long col = sx_frame_find(tb->frame, "rmse");
        struct sx_sort_key k = {col >= 0 ? (size_t)col : 0, 0};
        size_t *ord = col >= 0 ? sx_frame_sort_index(tb->frame, &k, 1, &err) : NULL;
        double t2 = now();
        uint8_t *mask = malloc(tb->frame->nrows + 1);
        struct sx_expr *e = sx_expr_parse(RUNS_FILTER, &err, NULL);
        int good = ord && mask && e && sx_expr_check(e, tb->frame, &err, NULL) == SX_OK &&
                   sx_expr_eval_mask(e, tb->frame, mask, &err) == SX_OK;
        double t3 = now();
        if (good) {
            r->rows = tb->frame->nrows;
            r->pass = 0;
            for (size_t i = 0; i < tb->frame->nrows; i++) r->pass += mask[i];
            if (t1 - t < best_load) best_load = t1 - t;
            if (t2 - t1 < best_sort) best_sort = t2 - t1;
            if (t3 - t2 < best_filter) best_filter = t3 - t2;
            ok = 1;
        }
        sx_expr_free(e);
        free(mask);
        free(ord);
        sx_runs_table_free(tb);
        if (!good) break;
    }
    if (!ok) {
        fprintf(stderr, "bench_tui: runs table: %s\n", err.msg);
        return -1;
    }
    r->load_ms = best_load * 1000;
    r->sort_ms = best_sort * 1000;
    r->filter_ms = best_filter * 1000;
    return 0;
}

/* In the app: 3, Enter, [ on rmse, F (the filter), REPEAT times; medians. */
static int runs_in_app(const struct opts *op, const char *store_dir, const char *dir,
                       struct runs_result *r)
{
    char script[PATH_MAX], timing[PATH_MAX], rcdir[PATH_MAX + 16], rc[PATH_MAX + 32];
    snprintf(script, sizeof script, "%s/runs.script", dir);
    snprintf(timing, sizeof timing, "%s/runs.timing", dir);
    /* the app runs in the store's directory, which is also its HOME and
     * XDG_CONFIG_HOME (start_app): the rc file goes there for the run */
    snprintf(rcdir, sizeof rcdir, "%s/sextant", store_dir);
    snprintf(rc, sizeof rc, "%s/sextantrc", rcdir);
    FILE *fp = fopen(script, "w");
    if (!fp) return -1;
    fprintf(fp, "# bench_tui: the Experiments pane\n3\n<Enter>\n:columns rmse,alpha,features\n"
                "[\nF\n");
    if (fclose(fp) != 0 || mkdir_p(rcdir) != 0 || !(fp = fopen(rc, "w"))) return -1;
    fprintf(fp, "bind runs F filter %s\n", RUNS_FILTER);
    if (fclose(fp) != 0) return -1;
    double open[64], sort[64], filt[64];
    int n = 0;
    for (int rep = 0; rep < op->repeat && rep < 64; rep++) {
        unlink(timing);
        pid_t pid = start_app(op, store_dir, timing, script, 24, 80, NULL);
        if (pid < 0) return -1;
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "bench_tui: the Experiments pane run failed (status %d)\n", st);
            return -1;
        }
        FILE *tf = fopen(timing, "r");
        if (!tf) return -1;
        char line[256];
        double v[8];
        int k = 0;
        while (fgets(line, sizeof line, tf))
            if (strncmp(line, "key ", 4) == 0 && k < 8) v[k++] = strtod(line + 4, NULL) / 1000.0;
        fclose(tf);
        /* keys: 3, Enter, [, F */
        if (k != 4) {
            fprintf(stderr, "bench_tui: %d key timings from the Experiments pane, expected 4\n", k);
            return -1;
        }
        open[n] = v[1];
        sort[n] = v[2];
        filt[n] = v[3];
        n++;
    }
    qsort(open, (size_t)n, sizeof *open, cmp_double);
    qsort(sort, (size_t)n, sizeof *sort, cmp_double);
    qsort(filt, (size_t)n, sizeof *filt, cmp_double);
    r->open_ms = open[n / 2];
    r->key_sort_ms = sort[n / 2];
    r->key_filter_ms = filt[n / 2];
    unlink(timing);
    unlink(script);
    unlink(rc);
    rmdir(rcdir);
    return 0;
}

/* ---- report ---- */

static int check(int *fails, int applies, int ok)
{
    if (!applies) return printf("  (target at 10M rows)\n");
    if (!ok) (*fails)++;
    return printf("  %s\n", ok ? "ok" : "MISSED");
}

/* The Experiments pane's targets hold at 100,000 runs. */
static int check_ms(int *fails, int applies, int ok)
{
    if (!applies) return printf("  (target at 100,000 runs: 100 ms)\n");
    if (!ok) (*fails)++;
    return printf("  %s (target 100 ms)\n", ok ? "ok" : "MISSED");
}

static char *default_dir(const char *sub)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *out = NULL;
    if (n <= 0) return strdup(sub);
    exe[n] = '\0';
    char *build = dirname(dirname(exe));        /* BUILD/bench/bench_tui → BUILD */
    if (asprintf(&out, "%s/%s", build, sub) < 0) return NULL;
    return out;
}

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: bench_tui [--rows N] [--data DIR] [--bin SEXTANT] [--keys N] [--repeat N]\n"
        "                 [--python PATH] [--pandas-script PATH] [--no-pandas] [--strict]\n"
        "  --rows N        rows of the demo CSV (default 10000000)\n"
        "  --data DIR      where demo-ROWS.csv is kept (default BUILD/bench-data)\n"
        "  --bin PATH      the sextant binary (default BUILD/sextant)\n"
        "  --keys N        paging keys timed (default 10000)\n"
        "  --repeat N      first-screen runs (default 3; best and median shown)\n"
        "  --python PATH   python with pandas (default /usr/bin/python3)\n"
        "  --pandas-script bench/pandas_sort.py (default)\n"
        "  --no-pandas     skip pandas\n"
        "  --runs N        runs in the Experiments pane's store (default 100000; 0 skips)\n"
        "  --only-runs     only the Experiments pane (no CSV, no grid)\n"
        "  --strict        exit 1 when a target is missed\n");
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"rows", required_argument, NULL, 'r'},   {"data", required_argument, NULL, 'd'},
        {"bin", required_argument, NULL, 'b'},    {"keys", required_argument, NULL, 'k'},
        {"repeat", required_argument, NULL, 'n'}, {"python", required_argument, NULL, 'p'},
        {"pandas-script", required_argument, NULL, 's'},
        {"no-pandas", no_argument, NULL, 'P'},    {"strict", no_argument, NULL, 'S'},
        {"runs", required_argument, NULL, 'R'},   {"only-runs", no_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct opts op = {.rows = TARGET_ROWS, .python = "/usr/bin/python3",
                      .pandas_script = "bench/pandas_sort.py", .keys = 10000, .repeat = 3,
                      .runs = 100000};
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'r': op.rows = strtoull(optarg, &end, 10); if (!op.rows || *end) goto bad; break;
        case 'd': op.data = strdup(optarg); break;
        case 'b': op.bin = strdup(optarg); break;
        case 'k': op.keys = (int)strtol(optarg, &end, 10); if (op.keys < 1 || *end) goto bad; break;
        case 'n': op.repeat = (int)strtol(optarg, &end, 10);
                  if (op.repeat < 1 || op.repeat > 64 || *end) goto bad;
                  break;
        case 'p': op.python = optarg; break;
        case 's': op.pandas_script = optarg; break;
        case 'P': op.no_pandas = 1; break;
        case 'S': op.strict = 1; break;
        case 'R': op.runs = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case 'O': op.only_runs = 1; break;
        case 'h': usage(stdout); return 0;
        default: goto bad;
        }
    }
    if (optind != argc) goto bad;
    if (!op.data) op.data = default_dir("bench-data");
    if (!op.bin) op.bin = default_dir("sextant");
    if (!op.data || !op.bin) return 1;
    char *bin = realpath(op.bin, NULL);   /* the app runs in another directory */
    if (!bin || access(bin, X_OK) != 0) {
        fprintf(stderr, "bench_tui: %s is not built\n", op.bin);
        return 1;
    }
    free(op.bin);
    op.bin = bin;
    char path[PATH_MAX], dir[] = "/tmp/bench_tui.XXXXXX";
    char *abs = NULL;
    if (mkdir_p(op.data) != 0)
        return 1;
    if (!op.only_runs) {   /* the Experiments pane alone needs no CSV */
        snprintf(path, sizeof path, "%s/demo-%" PRIu64 ".csv", op.data, op.rows);
        if (ensure_data(path, op.rows) != 0)
            return 1;
        if (!(abs = realpath(path, NULL))) {
            fprintf(stderr, "bench_tui: %s: %s\n", path, strerror(errno));
            return 1;
        }
        warm(abs);
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_tui: %s: %s\n", dir, strerror(errno));
        free(abs);
        return 1;
    }
    int at_target = op.rows == TARGET_ROWS;
    int failed = 0, fails = 0;
    if (op.only_runs)
        goto runs;

    printf("\nbench_tui: %s (%" PRIu64 " rows), %ld CPUs\n", abs, op.rows,
           sysconf(_SC_NPROCESSORS_ONLN));

    struct sort_result sr;
    if (measure_sort(abs, &sr) != 0) {
        fprintf(stderr, "bench_tui: sort: %s\n", sr.msg);
        failed = 1;
    }

    double first_best = NAN, first_med = NAN, loaded_med = NAN;
    if (measure_first(&op, abs, dir, &first_best, &first_med, &loaded_med) != 0)
        failed = 1;
    struct key_result kr;
    memset(&kr, 0, sizeof kr);
    if (measure_keys(&op, abs, dir, &kr) != 0)
        failed = 1;

    double pd_sort = NAN;
    char pd_ver[64] = "";
    int have_pandas = !op.no_pandas && pandas_available(op.python);
    if (have_pandas && measure_pandas(&op, abs, &pd_sort, pd_ver, sizeof pd_ver) != 0) {
        fprintf(stderr, "bench_tui: %s %s failed\n", op.python, op.pandas_script);
        failed = 1;
    }

    printf("\nfirst screen of rows (`:open`, 80x24, %d runs)\n", op.repeat);
    printf("  keys typed to first rows drawn   %8.3f s best, %.3f s median",
           first_best, first_med);
    check(&fails, at_target, first_med <= TARGET_FIRST_S);
    printf("  keys typed to whole table        %8.3f s median (loading in the background)\n",
           loaded_med);
    if (sr.ok)
        printf("  in-process: first %4d rows      %8.3f s (sx_csv_load max_rows, 1 thread); "
               "full load %.3f s\n", PREVIEW_ROWS, sr.preview_s, sr.load_s);

    printf("\nkeystroke to finished redraw (%zu scripted paging keys, 200x60, whole table)\n",
           kr.n);
    printf("  median %.3f ms", kr.median_ms);
    check(&fails, at_target, kr.median_ms <= TARGET_KEY_MEDIAN_MS);
    printf("  p99    %.3f ms", kr.p99_ms);
    check(&fails, at_target, kr.p99_ms <= TARGET_KEY_P99_MS);
    printf("  max    %.3f ms, mean %.3f ms\n", kr.max_ms, kr.mean_ms);

    printf("\nsort by %s (float), %" PRIu64 " rows\n", SORT_COLUMN, sr.rows);
    printf("  sx_table_order ascending         %8.3f s", sr.order_s);
    check(&fails, at_target, sr.ok && sr.order_s <= TARGET_SORT_S);
    printf("  sx_table_order descending        %8.3f s\n", sr.order_desc_s);
    printf("  in the app: `[` to redraw        %8.3f s (a job; the UI stays live)\n",
           kr.sort_ms / 1000.0);
    printf("  baseline qsort of the doubles    %8.3f s   sextant/qsort %.2fx\n", sr.qsort_s,
           sr.order_s / sr.qsort_s);
    if (have_pandas && !isnan(pd_sort))
        printf("  pandas %s sort_values         %8.3f s   sextant/pandas %.2fx "
               "(%.1fx faster)\n", pd_ver, pd_sort, sr.order_s / pd_sort, pd_sort / sr.order_s);
    else
        printf("  pandas: skipped (%s)\n", op.no_pandas ? "--no-pandas"
                                                        : "no python with pandas");
runs:
    if (op.runs) {
        char store_dir[PATH_MAX];
        struct runs_result rr;
        memset(&rr, 0, sizeof rr);
        snprintf(store_dir, sizeof store_dir, "%s/pane-runs-%" PRIu64, op.data, op.runs);
        int runs_target = op.runs == 100000;
        if (ensure_runs_store(store_dir, op.runs) != 0 || runs_in_process(store_dir, &rr) != 0 ||
            runs_in_app(&op, store_dir, dir, &rr) != 0) {
            failed = 1;
        } else {
            printf("\nthe Experiments pane on %zu runs (%s, 80x24, median of %d runs)\n",
                   rr.rows, store_dir, op.repeat);
            printf("  Enter to the first drawn table   %8.1f ms", rr.open_ms);
            check_ms(&fails, runs_target, rr.open_ms <= TARGET_RUNS_MS);
            printf("  [ sort by rmse to redraw         %8.1f ms", rr.key_sort_ms);
            check_ms(&fails, runs_target, rr.key_sort_ms <= TARGET_RUNS_MS);
            printf("  filter %s  %6.1f ms", RUNS_FILTER, rr.key_filter_ms);
            check_ms(&fails, runs_target, rr.key_filter_ms <= TARGET_RUNS_MS);
            printf("  (%zu of %zu runs pass the filter)\n", rr.pass, rr.rows);
            printf("  in process: sx_runs_table_load %8.1f ms   open/load %.2fx\n", rr.load_ms,
                   rr.open_ms / rr.load_ms);
            printf("  in process: sort index by rmse %8.1f ms   key/sort %.2fx\n", rr.sort_ms,
                   rr.key_sort_ms / rr.sort_ms);
            printf("  in process: filter mask        %8.1f ms   key/mask %.2fx\n", rr.filter_ms,
                   rr.key_filter_ms / rr.filter_ms);
        }
    }
    printf("\n");
    rmdir(dir);
    free(abs);
    if (failed) return 1;
    return op.strict && fails ? 1 : 0;
bad:
    usage(stderr);
    return 2;
}
