/* bench/bench_runs.c: the experiment-tracking benchmark of issue 5.
 *
 * Four figures, each with its target and a baseline measured in the same
 * run:
 *   1. `sextant log batch RUN < FILE` of 1M metric points (the real binary,
 *      process start included; target 3 s) against inserting the same 1M
 *      rows into run_metrics of another fresh store with one bare prepared
 *      statement in one transaction (in this process);
 *   2. one `sextant log metric RUN KEY VALUE` call (the median of --calls
 *      calls, process start included; target 20 ms) against `/bin/true` and
 *      `sextant --version` (a process start without a store);
 *   3. sx_runs_table_load of 100,000 runs with 5 params and 5 metrics each
 *      (target 100 ms), against reading the same params and latest metrics
 *      row by row from run_params and run_latest;
 *   4. sorting that table by a metric (sx_frame_sort_index) and filtering it
 *      with an expression (parse, check, mask, sx_frame_filter), target
 *      100 ms each, against a bare qsort of the metric's doubles.
 * The store of 100,000 runs is built once through core/runs.h (in one
 * transaction) into DATA/runs-N.db and reused. Every timing is the best of
 * --repeat runs (the single call: the median).
 *
 * Usage: bench_runs [--bin PATH] [--data DIR] [--runs N] [--points N]
 *                   [--calls N] [--repeat N] [--strict]
 * Exit 0 when every measurement ran (and, with --strict, every target
 * passed), 1 otherwise, 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "expr.h"
#include "frame.h"
#include "runs.h"
#include "store.h"

#define TARGET_BATCH_S  3.0
#define TARGET_CALL_MS  20.0
#define TARGET_TABLE_MS 100.0
#define TARGET_SORT_MS  100.0
#define TARGET_FILTER_MS 100.0
#define FILTER_EXPR "rmse < 0.5 and optimizer == 'adam'"

struct opts {
    const char *bin, *data;
    long runs, points, calls;
    int repeat, strict;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_runs: %s: %s\n", what, msg);
    return 1;
}

/* Run ARGV with stdin from IN (NULL: /dev/null) and stdout to OUT (NULL:
 * /dev/null); the wall time in *SECS. Returns the exit status. */
static int run_proc(char *const argv[], const char *in, const char *out, double *secs)
{
    fflush(NULL);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fi = open(in ? in : "/dev/null", O_RDONLY);
        int fo = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open("/dev/null", O_WRONLY);
        if (fi < 0 || fo < 0)
            _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    *secs = now() - t0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A new store in a new directory under DATA; PATH receives the database. */
static struct sx_store *fresh_store(const char *data, const char *name, char *path, size_t size)
{
    char dir[PATH_MAX];
    struct sx_err err;
    snprintf(dir, sizeof dir, "%s/%s.XXXXXX", data, name);
    if (!mkdtemp(dir)) {
        die(dir, strerror(errno));
        return NULL;
    }
    if (sx_store_init(dir, path, size, &err) != SX_OK) {
        die(dir, err.msg);
        return NULL;
    }
    struct sx_store *st = sx_store_open(path, 0, &err);
    if (!st)
        die(path, err.msg);
    return st;
}

static void rm_store(const char *dbpath)
{
    char dir[PATH_MAX], buf[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s", dbpath);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    *slash = '\0';                               /* .../.sextant */
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(buf, sizeof buf, "%s%s", dbpath, suffix[i]);
        unlink(buf);
    }
    rmdir(dir);
    if ((slash = strrchr(dir, '/'))) {
        *slash = '\0';
        rmdir(dir);
    }
}

static const char *const metric_keys[] = {"loss", "accuracy", "val_loss", "val_accuracy"};

/* ---- 1: log batch ---- */

static int bench_batch(const struct opts *op, double *batch_s, double *bare_s)
{
    char path[PATH_MAX], file[PATH_MAX], id[SX_UUID_LEN];
    struct sx_err err;
    struct sx_store *st;
    snprintf(file, sizeof file, "%s/batch-%ld.txt", op->data, op->points);
    FILE *fp = fopen(file, "w");
    if (!fp)
        return die(file, strerror(errno));
    for (long i = 0; i < op->points; i++)
        fprintf(fp, "metric %s %.17g %ld\n", metric_keys[i % 4], 1.0 / (double)(i + 1), i / 4);
    fclose(fp);

    /* Each measurement into a fresh store, as the baseline's. */
    *batch_s = 1e300;
    for (int r = 0; r < op->repeat; r++) {
        if (!(st = fresh_store(op->data, "batch", path, sizeof path)))
            return 1;
        if (sx_runs_start(st, NULL, id, &err) != SX_OK)
            return die("run start", err.msg);
        sx_store_close(st);
        char *argv[] = {(char *)op->bin, "--store", path, "log", "batch", id, NULL};
        double t;
        int rc = run_proc(argv, file, NULL, &t);
        if (rc != 0) {
            fprintf(stderr, "bench_runs: sextant log batch exited %d\n", rc);
            return 1;
        }
        if (t < *batch_s)
            *batch_s = t;
        /* Every point is there. */
        if (!(st = sx_store_open(path, 0, &err)))
            return die(path, err.msg);
        sqlite3_stmt *s;
        sqlite3_prepare_v2(sx_store_db(st), "SELECT count(*) FROM run_metrics WHERE run_id = ?1",
                           -1, &s, NULL);
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        long got = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
        sqlite3_finalize(s);
        if (got != op->points) {
            fprintf(stderr, "bench_runs: %ld points stored, %ld logged\n", got, op->points);
            return 1;
        }
        sx_store_close(st);
        rm_store(path);
    }

    /* Baseline: the same rows, a bare prepared INSERT, one transaction. */
    *bare_s = 1e300;
    for (int r = 0; r < op->repeat; r++) {
        if (!(st = fresh_store(op->data, "bare", path, sizeof path)))
            return 1;
        if (sx_runs_start(st, NULL, id, &err) != SX_OK)
            return die("run start", err.msg);
        sqlite3 *db = sx_store_db(st);
        double t0 = now();
        sqlite3_stmt *s;
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO run_metrics (run_id, key, step, time_ms, value) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &s, NULL);
        int64_t ms = sx_runs_now_ms();
        for (long i = 0; i < op->points; i++) {
            sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, metric_keys[i % 4], -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 3, i / 4);
            sqlite3_bind_int64(s, 4, ms);
            sqlite3_bind_double(s, 5, 1.0 / (double)(i + 1));
            if (sqlite3_step(s) != SQLITE_DONE)
                return die("bare insert", sqlite3_errmsg(db));
            sqlite3_reset(s);
        }
        sqlite3_finalize(s);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            return die("bare commit", sqlite3_errmsg(db));
        double t = now() - t0;
        if (t < *bare_s)
            *bare_s = t;
        sx_store_close(st);
        rm_store(path);
    }
    unlink(file);
    return 0;
}

/* ---- 2: one log metric call ---- */

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(char *const argv[], long n)
{
    double *t = malloc((size_t)n * sizeof *t);
    if (!t)
        return NAN;
    for (long i = 0; i < n; i++)
        if (run_proc(argv, NULL, NULL, &t[i]) != 0) {
            free(t);
            return NAN;
        }
    qsort(t, (size_t)n, sizeof *t, dbl_cmp);
    double m = t[n / 2];
    free(t);
    return m;
}

static int bench_call(const struct opts *op, double *call_ms, double *true_ms,
                      double *version_ms)
{
    char path[PATH_MAX], id[SX_UUID_LEN];
    struct sx_err err;
    struct sx_store *st = fresh_store(op->data, "call", path, sizeof path);
    if (!st)
        return 1;
    if (sx_runs_start(st, NULL, id, &err) != SX_OK)
        return die("run start", err.msg);
    sx_store_close(st);
    char *argv[] = {(char *)op->bin, "--store", path, "log", "metric", id, "loss", "0.25",
                    "--step", "7", NULL};
    char *tr[] = {"/bin/true", NULL};
    char *ver[] = {(char *)op->bin, "--version", NULL};
    *call_ms = 1e3 * median_of(argv, op->calls);
    *true_ms = 1e3 * median_of(tr, op->calls);
    *version_ms = 1e3 * median_of(ver, op->calls);
    if (!(st = sx_store_open(path, 0, &err)))
        return die(path, err.msg);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(sx_store_db(st), "SELECT count(*) FROM run_metrics", -1, &s, NULL);
    long got = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sx_store_close(st);
    rm_store(path);
    if (isnan(*call_ms) || got != op->calls) {
        fprintf(stderr, "bench_runs: log metric failed (%ld points stored)\n", got);
        return 1;
    }
    return 0;
}

/* ---- 3 and 4: the runs table ---- */

/* DATA/runs-N/.sextant/store.db with N runs, built when absent. */
static int ensure_runs_store(const struct opts *op, char *path, size_t size)
{
    char dir[PATH_MAX - 64];
    struct sx_err err;
    struct stat sb;
    snprintf(dir, sizeof dir, "%s/runs-%ld", op->data, op->runs);
    snprintf(path, size, "%s/.sextant/store.db", dir);
    if (stat(path, &sb) == 0)
        return 0;
    char tmp[PATH_MAX - 32], tmpdb[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    snprintf(tmpdb, sizeof tmpdb, "%s/.sextant/store.db", tmp);
    rm_store(tmpdb);
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return die(tmp, strerror(errno));
    if (sx_store_init(tmp, tmpdb, sizeof tmpdb, &err) != SX_OK)
        return die(tmp, err.msg);
    struct sx_store *st = sx_store_open(tmpdb, 0, &err);
    if (!st)
        return die(tmpdb, err.msg);
    printf("building %s (%ld runs, 5 params and 5 metrics each) ...\n", dir, op->runs);
    fflush(stdout);
    double t0 = now();
    static const char *const algos[] = {"ols", "ridge", "logistic"};
    static const char *const opts[] = {"adam", "sgd", "lbfgs"};
    if (sx_store_begin(st, &err) != SX_OK)
        return die("begin", err.msg);
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < op->runs; i++) {
        struct sx_run_new in = {0};
        char id[SX_UUID_LEN], name[32], alpha[32], lr[32], batch[16], seed[16];
        snprintf(name, sizeof name, "trial-%ld", i);
        in.name = name;
        in.experiment = i % 2 ? "tuning" : "baseline";
        in.start_ms = 1767225600000LL + (int64_t)i * 1000;
        in.status = "finished";
        if (sx_runs_start(st, &in, id, &err) != SX_OK)
            return die("run start", err.msg);
        double u[5];
        for (int k = 0; k < 5; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            u[k] = (double)(x >> 11) / 9007199254740992.0;
        }
        snprintf(alpha, sizeof alpha, "%.4g", pow(10.0, -3.0 + 4.0 * u[0]));
        snprintf(lr, sizeof lr, "%.3g", 0.001 * (1 + (int)(u[1] * 100)));
        snprintf(batch, sizeof batch, "%d", 16 << (i % 4));
        snprintf(seed, sizeof seed, "%ld", i % 1000);
        struct sx_log_item items[10] = {
            {SX_LOG_PARAM, "alpha", alpha, 0, 0, 0},
            {SX_LOG_PARAM, "algo_variant", algos[i % 3], 0, 0, 0},
            {SX_LOG_PARAM, "batch", batch, 0, 0, 0},
            {SX_LOG_PARAM, "lr", lr, 0, 0, 0},
            {SX_LOG_PARAM, "optimizer", opts[(i / 3) % 3], 0, 0, 0},
            {SX_LOG_METRIC, "rmse", NULL, u[2], 10, 0},
            {SX_LOG_METRIC, "mae", NULL, u[2] * 0.8, 10, 0},
            {SX_LOG_METRIC, "r2", NULL, 1 - u[3], 10, 0},
            {SX_LOG_METRIC, "train_loss", NULL, u[4], 10, 0},
            {SX_LOG_METRIC, "val_loss", NULL, u[4] * 1.1, 10, 0},
        };
        (void)seed;
        if (sx_runs_log(st, id, items, 10, &err) != SX_OK)
            return die("log", err.msg);
    }
    if (sx_store_commit(st, &err) != SX_OK)
        return die("commit", err.msg);
    sx_store_close(st);
    printf("built in %.1f s (through sx_runs_start and sx_runs_log, one transaction)\n",
           now() - t0);
    if (rename(tmp, dir) != 0)
        return die(dir, strerror(errno));
    return 0;
}

/* Baseline: the params and latest metrics read row by row. */
static double rowwise_read(struct sx_store *st, long *rows)
{
    sqlite3 *db = sx_store_db(st);
    const char *q[] = {"SELECT run_id, key, value FROM run_params",
                       "SELECT run_id, key, value FROM run_latest",
                       "SELECT id, name, experiment_id, status, author, kind, parent_id, algo, "
                       "review, start_ms, end_ms FROM runs"};
    double t0 = now();
    size_t sink = 0;
    *rows = 0;
    for (int k = 0; k < 3; k++) {
        sqlite3_stmt *s;
        sqlite3_prepare_v2(db, q[k], -1, &s, NULL);
        while (sqlite3_step(s) == SQLITE_ROW) {
            int nc = sqlite3_column_count(s);
            for (int c = 0; c < nc; c++) {
                if (sqlite3_column_type(s, c) == SQLITE_FLOAT)
                    sink += (size_t)sqlite3_column_double(s, c);
                else
                    sink += (size_t)sqlite3_column_bytes(s, c);
            }
            (*rows)++;
        }
        sqlite3_finalize(s);
    }
    double t = now() - t0;
    if (sink == 1)
        printf(" ");
    return t;
}

struct table_fig {
    double load, rowwise, sort, qsort_, filter;
    long rowwise_rows;
    size_t nrows, ncols, kept;
};

static int bench_table(const struct opts *op, struct table_fig *f)
{
    char path[PATH_MAX];
    struct sx_err err;
    if (ensure_runs_store(op, path, sizeof path) != 0)
        return 1;
    struct sx_store *st = sx_store_open(path, SX_STORE_READONLY, &err);
    if (!st)
        return die(path, err.msg);
    struct sx_runs_table *t = NULL;
    f->load = f->rowwise = f->sort = f->qsort_ = f->filter = 1e300;
    for (int r = 0; r < op->repeat + 1; r++) {     /* the first warms the page cache */
        sx_runs_table_free(t);
        double t0 = now();
        if (!(t = sx_runs_table_load(st, NULL, 0, &err)))
            return die("sx_runs_table_load", err.msg);
        double dt = now() - t0;
        if (r && dt < f->load)
            f->load = dt;
        dt = rowwise_read(st, &f->rowwise_rows);
        if (r && dt < f->rowwise)
            f->rowwise = dt;
    }
    f->nrows = t->frame->nrows;
    f->ncols = t->frame->ncols;
    long j = sx_frame_find(t->frame, "rmse");
    if (j < 0 || f->nrows != (size_t)op->runs)
        return die("runs table", "unexpected shape");
    const struct sx_column *c = t->frame->cols[j];
    for (int r = 0; r < op->repeat; r++) {
        struct sx_sort_key k = {(size_t)j, 0};
        double t0 = now();
        size_t *idx = sx_frame_sort_index(t->frame, &k, 1, &err);
        double dt = now() - t0;
        if (!idx)
            return die("sort", err.msg);
        free(idx);
        if (dt < f->sort)
            f->sort = dt;
        double *v = malloc(f->nrows * sizeof *v);
        memcpy(v, c->v.f64, f->nrows * sizeof *v);
        t0 = now();
        qsort(v, f->nrows, sizeof *v, dbl_cmp);
        dt = now() - t0;
        free(v);
        if (dt < f->qsort_)
            f->qsort_ = dt;

        t0 = now();
        int col = 0;
        struct sx_expr *e = sx_expr_parse(FILTER_EXPR, &err, &col);
        if (!e || sx_expr_check(e, t->frame, &err, &col) != SX_OK)
            return die("filter", err.msg);
        uint8_t *mask = malloc(f->nrows);
        if (sx_expr_eval_mask(e, t->frame, mask, &err) != SX_OK)
            return die("filter", err.msg);
        struct sx_frame *kept = sx_frame_filter(t->frame, mask, &err);
        dt = now() - t0;
        if (!kept)
            return die("filter", err.msg);
        f->kept = kept->nrows;
        sx_frame_free(kept);
        free(mask);
        sx_expr_free(e);
        if (dt < f->filter)
            f->filter = dt;
    }
    sx_runs_table_free(t);
    sx_store_close(st);
    return 0;
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: bench_runs [--bin PATH] [--data DIR] [--runs N] [--points N] [--calls N]\n"
            "                  [--repeat N] [--strict]\n"
            "  --bin PATH     the sextant binary (default build/sextant)\n"
            "  --data DIR     where the runs store is kept (default build/bench-data)\n"
            "  --runs N       runs in the table store (default 100000)\n"
            "  --points N     metric points of the batch (default 1000000)\n"
            "  --calls N      single log metric calls, median (default 50)\n"
            "  --repeat N     measure N times, keep the best (default 1)\n"
            "  --strict       exit 1 when a target fails\n");
}

static const char *verdict(double v, double target, int *fails)
{
    if (v <= target)
        return "ok";
    (*fails)++;
    return "FAIL";
}

int main(int argc, char **argv)
{
    struct opts op = {.bin = "build/sextant", .data = "build/bench-data", .runs = 100000,
                      .points = 1000000, .calls = 50, .repeat = 1, .strict = 0};
    static const struct option lo[] = {
        {"bin", required_argument, NULL, 'b'},    {"data", required_argument, NULL, 'd'},
        {"runs", required_argument, NULL, 'r'},   {"points", required_argument, NULL, 'p'},
        {"calls", required_argument, NULL, 'c'},  {"repeat", required_argument, NULL, 'n'},
        {"strict", no_argument, NULL, 'x'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        char *end = NULL;
        long v = optarg ? strtol(optarg, &end, 10) : 0;
        int bad = optarg && (*end || v < 1);
        switch (ch) {
        case 'b': op.bin = optarg; bad = 0; break;
        case 'd': op.data = optarg; bad = 0; break;
        case 'r': op.runs = v; break;
        case 'p': op.points = v; break;
        case 'c': op.calls = v; break;
        case 'n': op.repeat = (int)v; break;
        case 'x': op.strict = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    char *bin = realpath(op.bin, NULL);
    if (!bin)
        return die(op.bin, strerror(errno));
    op.bin = bin;
    if (mkdir(op.data, 0777) != 0 && errno != EEXIST)
        return die(op.data, strerror(errno));
    struct sx_err err;
    if (sx_hash_init(&err) != SX_OK)
        return die("libsodium", err.msg);

    int fails = 0;
    double batch, bare, call, tru, ver;
    struct table_fig tf;
    printf("== experiment tracking (%ld CPUs, best of %d)\n", sysconf(_SC_NPROCESSORS_ONLN),
           op.repeat);
    if (bench_batch(&op, &batch, &bare) != 0)
        return 1;
    printf("log batch, %ld metric points     %7.3f s     target <= %.1f s: %s   "
           "(%.2f M points/s)\n", op.points, batch, TARGET_BATCH_S,
           verdict(batch, TARGET_BATCH_S, &fails), (double)op.points / batch / 1e6);
    printf("  baseline: bare INSERT, 1 txn  %7.3f s     sextant/bare %.2fx (parse, checks, "
           "process start included)\n", bare, batch / bare);
    fflush(stdout);
    if (bench_call(&op, &call, &tru, &ver) != 0)
        return 1;
    printf("log metric, one call (median)    %7.2f ms    target <= %.0f ms: %s\n", call,
           TARGET_CALL_MS, verdict(call, TARGET_CALL_MS, &fails));
    printf("  baseline: /bin/true            %7.2f ms    sextant --version %.2f ms "
           "(process start without a store)\n", tru, ver);
    fflush(stdout);
    if (bench_table(&op, &tf) != 0)
        return 1;
    printf("runs table load, %zu runs      %7.1f ms    target <= %.0f ms: %s   "
           "(%zu columns)\n", tf.nrows, tf.load * 1e3, TARGET_TABLE_MS,
           verdict(tf.load * 1e3, TARGET_TABLE_MS, &fails), tf.ncols);
    printf("  baseline: row-by-row read     %7.1f ms    (%ld rows of runs, run_params, "
           "run_latest; no frame built) sextant/rows %.2fx\n", tf.rowwise * 1e3,
           tf.rowwise_rows, tf.load / tf.rowwise);
    printf("sort by a metric (rmse)          %7.1f ms    target <= %.0f ms: %s\n",
           tf.sort * 1e3, TARGET_SORT_MS, verdict(tf.sort * 1e3, TARGET_SORT_MS, &fails));
    printf("  baseline: qsort of the doubles %7.1f ms    sextant/qsort %.2fx\n",
           tf.qsort_ * 1e3, tf.sort / tf.qsort_);
    printf("filter \"%s\" %5.1f ms  target <= %.0f ms: %s   (%zu runs kept)\n", FILTER_EXPR,
           tf.filter * 1e3, TARGET_FILTER_MS,
           verdict(tf.filter * 1e3, TARGET_FILTER_MS, &fails), tf.kept);
    free(bin);
    return op.strict && fails ? 1 : 0;
}
