/* bench/bench_features.c: the feature-set benchmark of issue 4.
 *
 * Loads the demo CSV of ROWS rows (generated once, as bench_load does; the
 * load is not timed here), parses the demo's feature set (core/demo.h, or
 * --spec FILE), then measures, best of --repeat runs each:
 *   - sx_features_fit on the whole frame (target: 2 s for 10M rows);
 *   - sx_features_apply in inference mode (every row; target: 1 s) and in
 *     train mode (the filters drop rows);
 * and reports rows/s. When Debian's python3 has scikit-learn,
 * bench/sklearn_features.py times SimpleImputer + StandardScaler + PCA +
 * OneHotEncoder (the spec's fitted transforms) on the same file in the same
 * run, and the ratios are printed. Peak RSS of this process is reported.
 *
 * Usage: bench_features [--rows N] [--data DIR] [--spec FILE] [--repeat N]
 *                       [--python PATH] [--sklearn-script PATH] [--no-sklearn]
 *                       [--strict]
 * Exit 0 when every measurement ran (and, with --strict, every target
 * passed), 1 otherwise, 2 on a usage error. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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
#include "features.h"
#include "frame.h"

#define TARGET_ROWS    10000000u
#define TARGET_FIT_S   2.0
#define TARGET_APPLY_S 1.0

struct opts {
    uint64_t rows;
    const char *data, *spec, *python, *script;
    int repeat, sklearn, strict;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *n = realloc(buf, cap);
            if (!n) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = n;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    buf[len] = '\0';
    return buf;
}

/* The demo CSV of ROWS rows at PATH, generated when absent. */
static int ensure_data(const char *dir, uint64_t rows, char *path, size_t size)
{
    if (snprintf(path, size, "%s/demo-%" PRIu64 ".csv", dir, rows) >= (int)size)
        return -1;
    struct stat sb;
    if (stat(path, &sb) == 0)
        return 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_features: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct sx_demo_opts o;
    sx_demo_opts_init(&o);
    o.rows = rows;
    if (sx_demo_row_count(&o) != rows) {
        fprintf(stderr, "bench_features: the demo generator cannot give %" PRIu64 " rows\n",
                rows);
        return -1;
    }
    printf("generating %s (%" PRIu64 " rows) ...\n", path, rows);
    fflush(stdout);
    struct sx_err err;
    uint64_t wrote = 0;
    if (sx_demo_write_file(path, &o, &wrote, &err) != SX_OK) {
        fprintf(stderr, "bench_features: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Run the scikit-learn script on PATH; fills *FIT and *TRANSFORM. */
static int run_sklearn(const struct opts *op, const char *path, double *fit, double *transform,
                       char *version, size_t vsize)
{
    char check[512];
    snprintf(check, sizeof check, "%s -c 'import sklearn, pandas' >/dev/null 2>&1", op->python);
    if (system(check) != 0) {
        printf("scikit-learn: not importable with %s, skipped\n", op->python);
        return 1;
    }
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl(op->python, op->python, op->script, path, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[4096];
    size_t len = 0;
    ssize_t got;
    while (len < sizeof buf - 1 && (got = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    buf[len] = '\0';
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_features: %s failed\n", op->script);
        return -1;
    }
    json_error_t jerr;
    json_t *j = json_loads(buf, 0, &jerr);
    if (!j) {
        fprintf(stderr, "bench_features: %s output: %s\n", op->script, jerr.text);
        return -1;
    }
    *fit = json_number_value(json_object_get(j, "fit"));
    *transform = json_number_value(json_object_get(j, "transform"));
    snprintf(version, vsize, "%s", json_string_value(json_object_get(j, "sklearn")));
    json_decref(j);
    return 0;
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: bench_features [--rows N] [--data DIR] [--spec FILE] [--repeat N]\n"
            "                      [--python PATH] [--sklearn-script PATH] [--no-sklearn] "
            "[--strict]\n"
            "  --rows N             rows of the demo CSV (default 10000000)\n"
            "  --data DIR           where demo-N.csv is kept (default build/bench-data)\n"
            "  --spec FILE          the feature set (default: the demo's)\n"
            "  --repeat N           measure N times, keep the best (default 1)\n"
            "  --python PATH        python with scikit-learn (default /usr/bin/python3)\n"
            "  --sklearn-script P   default bench/sklearn_features.py\n"
            "  --no-sklearn         skip the scikit-learn comparison\n"
            "  --strict             exit 1 when a target fails\n");
}

int main(int argc, char **argv)
{
    struct opts op = {.rows = TARGET_ROWS, .data = "build/bench-data", .spec = NULL,
                      .python = "/usr/bin/python3", .script = "bench/sklearn_features.py",
                      .repeat = 1, .sklearn = 1, .strict = 0};
    static const struct option lo[] = {
        {"rows", required_argument, NULL, 'r'},   {"data", required_argument, NULL, 'd'},
        {"spec", required_argument, NULL, 's'},   {"repeat", required_argument, NULL, 'n'},
        {"python", required_argument, NULL, 'p'}, {"sklearn-script", required_argument, NULL, 'k'},
        {"no-sklearn", no_argument, NULL, 'S'},   {"strict", no_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'r':
            op.rows = strtoull(optarg, &end, 10);
            if (*end || op.rows == 0) {
                usage(stderr);
                return 2;
            }
            break;
        case 'd': op.data = optarg; break;
        case 's': op.spec = optarg; break;
        case 'n':
            op.repeat = atoi(optarg);
            if (op.repeat < 1) {
                usage(stderr);
                return 2;
            }
            break;
        case 'p': op.python = optarg; break;
        case 'k': op.script = optarg; break;
        case 'S': op.sklearn = 0; break;
        case 'x': op.strict = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }

    char path[4096];
    if (ensure_data(op.data, op.rows, path, sizeof path) != 0)
        return 1;
    char *spec_text = op.spec ? read_file(op.spec) : strdup(sx_demo_feature_spec);
    if (!spec_text) {
        fprintf(stderr, "bench_features: %s: %s\n", op.spec, strerror(errno));
        return 1;
    }
    struct sx_err err;
    int el, ec;
    struct sx_fspec *spec = sx_fspec_parse(spec_text, &err, &el, &ec);
    free(spec_text);
    if (!spec) {
        fprintf(stderr, "bench_features: %s:%s\n", op.spec ? op.spec : "demo spec", err.msg);
        return 1;
    }
    struct sx_csv_opts co;
    sx_csv_opts_init(&co);
    double t0 = now();
    struct sx_frame *f = sx_csv_load(path, &co, NULL, &err);
    if (!f) {
        fprintf(stderr, "bench_features: %s\n", err.msg);
        return 1;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("== feature set on %s: %zu rows, %zu columns (loaded in %.2f s, not counted), "
           "%ld CPUs\n", path, f->nrows, f->ncols, now() - t0, ncpu);

    double best_fit = 1e300, best_inf = 1e300, best_train = 1e300;
    size_t rows_train = 0, cols_out = 0;
    for (int r = 0; r < op.repeat; r++) {
        double a = now();
        struct sx_ffit *fit = sx_features_fit(spec, f, &err);
        double b = now();
        if (!fit) {
            fprintf(stderr, "bench_features: fit: %s\n", err.msg);
            return 1;
        }
        struct sx_frame *inf = sx_features_apply(fit, f, SX_FMODE_INFERENCE, NULL, &err);
        double d = now();
        if (!inf) {
            fprintf(stderr, "bench_features: apply: %s\n", err.msg);
            return 1;
        }
        cols_out = inf->ncols;
        sx_frame_free(inf);
        double e = now();
        struct sx_frame *tr = sx_features_apply(fit, f, SX_FMODE_TRAIN, NULL, &err);
        double g = now();
        if (!tr) {
            fprintf(stderr, "bench_features: apply: %s\n", err.msg);
            return 1;
        }
        rows_train = tr->nrows;
        sx_frame_free(tr);
        sx_ffit_free(fit);
        if (b - a < best_fit)
            best_fit = b - a;
        if (d - b < best_inf)
            best_inf = d - b;
        if (g - e < best_train)
            best_train = g - e;
    }
    double n = (double)f->nrows;
    int at_target = f->nrows == TARGET_ROWS;
    int fit_ok = best_fit <= TARGET_FIT_S, apply_ok = best_inf <= TARGET_APPLY_S;
    printf("sextant fit               %7.3f s  %6.1f M rows/s%s\n", best_fit, n / best_fit / 1e6,
           at_target ? (fit_ok ? "   target <= 2.0 s: ok" : "   target <= 2.0 s: MISSED") : "");
    printf("sextant apply (inference) %7.3f s  %6.1f M rows/s%s   -> %zu columns\n", best_inf,
           n / best_inf / 1e6,
           at_target ? (apply_ok ? "   target <= 1.0 s: ok" : "   target <= 1.0 s: MISSED") : "",
           cols_out);
    printf("sextant apply (train)     %7.3f s  %6.1f M rows/s   -> %zu rows kept\n", best_train,
           n / best_train / 1e6, rows_train);
    printf("peak RSS                  %7.0f MB (frame, fit and outputs)\n", peak_rss_mb());
    sx_frame_free(f);
    sx_fspec_free(spec);

    int rc = 0;
    if (op.sklearn) {
        double sf = 0, st = 0;
        char ver[64] = "";
        int s = run_sklearn(&op, path, &sf, &st, ver, sizeof ver);
        if (s < 0) {
            rc = 1;
        } else if (s == 0) {
            printf("scikit-learn %s fit     %7.3f s  (SimpleImputer + StandardScaler + PCA + "
                   "OneHotEncoder)\n", ver, sf);
            printf("scikit-learn %s transform %5.3f s\n", ver, st);
            printf("ratio: sextant fit is %.1fx faster, apply %.1fx faster (and computes the "
                   "spec's expressions and filters too)\n", sf / best_fit, st / best_inf);
        }
    }
    if (op.strict && at_target && (!fit_ok || !apply_ok))
        rc = 1;
    return rc;
}
