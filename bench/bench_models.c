/* bench/bench_models.c: the training benchmark of issue 5.
 *
 * Generates a design of ROWS x FEATURES (1M x 20 by default) from a fixed
 * seed in memory: correlated features, a linear target with noise and a
 * 0/1 target drawn from a logistic model. Measures, best of --repeat runs:
 *   - ridge (alpha 1; target: 1 s for 1M x 20),
 *   - logistic regression (C 1, Newton to max |gradient| <= 1e-10 or the
 *     rounding floor; target: 3 s for 1M x 20),
 *   - OLS (minimum-norm SVD; no target, for information);
 * and as baselines in the same run: one plain pass computing XT X with
 * gsl_blas_dgemm (what any normal-equations solver must at least do) and,
 * when Debian's python3 has scikit-learn, bench/sklearn_models.py timing
 * Ridge, LogisticRegression and LinearRegression on the same numbers (read
 * from a raw file written here, not timed) and reporting the largest
 * difference between its coefficients and ours.
 *
 * Usage: bench_models [--rows N] [--features P] [--repeat N] [--data DIR]
 *                     [--python PATH] [--sklearn-script PATH] [--no-sklearn]
 *                     [--strict]
 * Exit 0 when every measurement ran (and, with --strict, every target
 * passed), 1 otherwise, 2 on a usage error. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <jansson.h>

#include "models.h"

#define TARGET_ROWS     1000000u
#define TARGET_FEATURES 20u
#define TARGET_RIDGE_S  1.0
#define TARGET_LOGIT_S  3.0

struct opts {
    size_t rows, features;
    int repeat, sklearn, strict;
    const char *data, *python, *script;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static uint64_t rng_state = 0x5eed5eedull;

static double unif(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return (double)((x * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

/* The two designs (same X): YREG linear, YBIN 0/1. */
static int generate(size_t n, size_t p, struct sx_design *reg, struct sx_design *bin)
{
    memset(reg, 0, sizeof *reg);
    memset(bin, 0, sizeof *bin);
    double *x = malloc(n * p * sizeof *x), *yr = malloc(n * sizeof *yr),
           *yb = malloc(n * sizeof *yb), *beta = malloc(p * sizeof *beta);
    char **names = calloc(p, sizeof *names), **names2 = calloc(p, sizeof *names2);
    if (!x || !yr || !yb || !beta || !names || !names2)
        return -1;
    for (size_t j = 0; j < p; j++) {
        beta[j] = 2 * unif() - 1;
        if (asprintf(&names[j], "x%zu", j + 1) < 0 || !(names2[j] = strdup(names[j])))
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        double common = 2 * unif() - 1, z = 0.5;
        for (size_t j = 0; j < p; j++) {
            double v = 0.6 * common + (2 * unif() - 1) + 0.1 * (double)j;
            x[i * p + j] = v;
            z += beta[j] * v;
        }
        yr[i] = 3 + 2 * z + (unif() - 0.5);
        double zl = z / 2 - 0.3;
        yb[i] = unif() < 1 / (1 + exp(-zl)) ? 1.0 : 0.0;
    }
    free(beta);
    reg->n = bin->n = n;
    reg->p = bin->p = p;
    reg->x = x;
    reg->y = yr;
    reg->names = names;
    bin->x = malloc(n * p * sizeof *bin->x);
    if (!bin->x)
        return -1;
    memcpy(bin->x, x, n * p * sizeof *x);
    bin->y = yb;
    bin->names = names2;
    return 0;
}

/* X, the linear target and the 0/1 target as raw doubles for python. */
static int write_raw(const char *path, const struct sx_design *reg, const struct sx_design *bin)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return -1;
    size_t n = reg->n, p = reg->p;
    int ok = fwrite(reg->x, sizeof(double), n * p, fp) == n * p &&
             fwrite(reg->y, sizeof(double), n, fp) == n && fwrite(bin->y, sizeof(double), n, fp) == n;
    if (fclose(fp) != 0 || !ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Run the python script; its stdout (JSON) as a new object, or NULL. */
static json_t *run_sklearn(const struct opts *o, const char *raw)
{
    char rows[32], feats[32];
    snprintf(rows, sizeof rows, "%zu", o->rows);
    snprintf(feats, sizeof feats, "%zu", o->features);
    int pfd[2];
    if (pipe(pfd) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl(o->python, o->python, o->script, raw, rows, feats, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    json_error_t jerr;
    FILE *fp = fdopen(pfd[0], "r");
    json_t *j = fp ? json_loadf(fp, 0, &jerr) : NULL;
    if (fp)
        fclose(fp);
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* "8.2x faster" or "1.3x slower": sklearn's time over ours. */
static const char *speed(double theirs, double ours, char *buf, size_t size)
{
    double r = theirs / ours;
    if (r >= 1)
        snprintf(buf, size, "%.1fx faster", r);
    else
        snprintf(buf, size, "%.1fx slower", 1 / r);
    return buf;
}

static double max_rel_diff(const struct sx_model *m, const json_t *ref)
{
    const json_t *coef = json_object_get(ref, "coef");
    double mx = 0;
    for (size_t j = 0; j < m->p && j < json_array_size(coef); j++) {
        double want = json_number_value(json_array_get(coef, j));
        double d = fabs(m->coef[j] - want) / fmax(fabs(want), 1e-12);
        if (d > mx)
            mx = d;
    }
    double wi = json_number_value(json_object_get(ref, "intercept"));
    double d = fabs(m->intercept - wi) / fmax(fabs(wi), 1e-12);
    return d > mx ? d : mx;
}

static void usage(FILE *fp)
{
    fprintf(fp, "usage: bench_models [--rows N] [--features P] [--repeat N] [--data DIR]\n"
                "                    [--python PATH] [--sklearn-script PATH] [--no-sklearn]\n"
                "                    [--strict]\n");
}

int main(int argc, char **argv)
{
    struct opts o = {.rows = TARGET_ROWS, .features = TARGET_FEATURES, .repeat = 1, .sklearn = 1,
                     .data = "build/bench-data", .python = "/usr/bin/python3",
                     .script = "bench/sklearn_models.py"};
    static const struct option lo[] = {
        {"rows", required_argument, 0, 'n'},   {"features", required_argument, 0, 'p'},
        {"repeat", required_argument, 0, 'r'}, {"data", required_argument, 0, 'd'},
        {"python", required_argument, 0, 'y'}, {"sklearn-script", required_argument, 0, 's'},
        {"no-sklearn", no_argument, 0, 'N'},   {"strict", no_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'n': o.rows = strtoull(optarg, NULL, 10); break;
        case 'p': o.features = strtoull(optarg, NULL, 10); break;
        case 'r': o.repeat = atoi(optarg); break;
        case 'd': o.data = optarg; break;
        case 'y': o.python = optarg; break;
        case 's': o.script = optarg; break;
        case 'N': o.sklearn = 0; break;
        case 'S': o.strict = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || o.rows < 10 || o.features < 1 || o.features > 1000 || o.repeat < 1) {
        usage(stderr);
        return 2;
    }
    struct sx_design reg, bin;
    if (generate(o.rows, o.features, &reg, &bin) != 0) {
        fprintf(stderr, "bench_models: out of memory\n");
        return 1;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("== models on %zu rows x %zu features (generated in memory, seed fixed), %ld CPUs, "
           "best of %d\n", o.rows, o.features, ncpu, o.repeat);

    struct sx_model_params pr;
    sx_model_params_default(&pr);
    struct sx_model ridge = {0}, logit = {0}, ols = {0};
    double t_ridge = INFINITY, t_logit = INFINITY, t_ols = INFINITY, t_gemm = INFINITY;
    double c_ridge = 0, c_logit = 0;
    struct sx_err err;
    int rc = 0;
    for (int r = 0; r < o.repeat; r++) {
        sx_model_clear(&ridge);
        sx_model_clear(&logit);
        sx_model_clear(&ols);
        double t0 = now(), c0 = cpu_now();
        if (sx_model_fit(SX_ALGO_RIDGE, &pr, &reg, NULL, 0, &ridge, &err) != SX_OK) {
            fprintf(stderr, "bench_models: ridge: %s\n", err.msg);
            return 1;
        }
        double t1 = now(), c1 = cpu_now();
        if (t1 - t0 < t_ridge) {
            t_ridge = t1 - t0;
            c_ridge = c1 - c0;
        }
        t0 = now();
        c0 = cpu_now();
        if (sx_model_fit(SX_ALGO_LOGISTIC, &pr, &bin, NULL, 0, &logit, &err) != SX_OK) {
            fprintf(stderr, "bench_models: logistic: %s\n", err.msg);
            return 1;
        }
        t1 = now();
        c1 = cpu_now();
        if (t1 - t0 < t_logit) {
            t_logit = t1 - t0;
            c_logit = c1 - c0;
        }
        t0 = now();
        if (sx_model_fit(SX_ALGO_OLS, &pr, &reg, NULL, 0, &ols, &err) != SX_OK) {
            fprintf(stderr, "bench_models: ols: %s\n", err.msg);
            return 1;
        }
        t1 = now();
        if (t1 - t0 < t_ols)
            t_ols = t1 - t0;
        /* Baseline: XT X by one dgemm over the same rows (GSL's CBLAS). */
        gsl_matrix_const_view X = gsl_matrix_const_view_array(reg.x, o.rows, o.features);
        gsl_matrix *XtX = gsl_matrix_alloc(o.features, o.features);
        t0 = now();
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &X.matrix, &X.matrix, 0.0, XtX);
        t1 = now();
        if (t1 - t0 < t_gemm)
            t_gemm = t1 - t0;
        gsl_matrix_free(XtX);
    }
    double mrows = (double)o.rows / 1e6;
    int full = o.rows >= TARGET_ROWS && o.features >= TARGET_FEATURES;
    int ok_ridge = t_ridge <= TARGET_RIDGE_S, ok_logit = t_logit <= TARGET_LOGIT_S;
    printf("sextant ridge (alpha 1)        %7.3f s  cpu %6.3f s  %6.1f M rows/s   target <= %.1f s: %s\n",
           t_ridge, c_ridge, mrows / t_ridge, TARGET_RIDGE_S,
           full ? (ok_ridge ? "PASS" : "FAIL") : "n/a (not 1M x 20)");
    printf("sextant logistic (C 1)         %7.3f s  cpu %6.3f s  %6.1f M rows/s   target <= %.1f s: %s\n",
           t_logit, c_logit, mrows / t_logit, TARGET_LOGIT_S,
           full ? (ok_logit ? "PASS" : "FAIL") : "n/a (not 1M x 20)");
    printf("    %d Newton iterations, max |gradient| %.3g, converged %s; %.3f s per iteration\n",
           logit.iterations, logit.grad_norm, logit.converged ? "yes" : "NO",
           t_logit / (logit.iterations + 1));
    printf("sextant ols (min-norm SVD)     %7.3f s                %6.1f M rows/s   (no target), rank %zu\n",
           t_ols, mrows / t_ols, ols.rank);
    printf("baseline XT X by gsl_blas_dgemm %6.3f s   ridge/dgemm %.2fx, logistic/dgemm %.2fx\n",
           t_gemm, t_ridge / t_gemm, t_logit / t_gemm);
    if (!logit.converged)
        rc = 1;
    if (o.sklearn && access(o.python, X_OK) == 0 && access(o.script, R_OK) == 0) {
        char raw[4096];
        mkdir(o.data, 0777);
        snprintf(raw, sizeof raw, "%s/models-%zux%zu.bin", o.data, o.rows, o.features);
        if (write_raw(raw, &reg, &bin) != 0) {
            fprintf(stderr, "bench_models: %s: %s\n", raw, strerror(errno));
            rc = 1;
        } else {
            json_t *j = run_sklearn(&o, raw);
            unlink(raw);
            if (!j) {
                printf("scikit-learn: not run (%s lacks it, or the script failed)\n", o.python);
            } else {
                const char *ver = json_string_value(json_object_get(j, "sklearn"));
                json_t *jr = json_object_get(j, "ridge"), *jl = json_object_get(j, "logistic"),
                       *jo = json_object_get(j, "ols");
                double sr = json_number_value(json_object_get(jr, "seconds"));
                double sl = json_number_value(json_object_get(jl, "seconds"));
                double so = json_number_value(json_object_get(jo, "seconds"));
                char b1[32], b2[32], b3[32];
                printf("scikit-learn %s Ridge         %7.3f s   sextant %s; max rel. coef difference %.2g\n",
                       ver ? ver : "?", sr, speed(sr, t_ridge, b1, sizeof b1),
                       max_rel_diff(&ridge, jr));
                printf("scikit-learn %s LogisticRegr. %7.3f s   sextant %s; %d lbfgs iterations, "
                       "max rel. coef difference %.2g (sklearn stops at tol 1e-4)\n",
                       ver ? ver : "?", sl, speed(sl, t_logit, b2, sizeof b2),
                       (int)json_integer_value(json_object_get(jl, "n_iter")), max_rel_diff(&logit, jl));
                printf("scikit-learn %s LinearRegr.   %7.3f s   sextant %s; max rel. coef difference %.2g\n",
                       ver ? ver : "?", so, speed(so, t_ols, b3, sizeof b3), max_rel_diff(&ols, jo));
                json_decref(j);
            }
        }
    } else if (o.sklearn) {
        printf("scikit-learn: not run (%s or %s missing)\n", o.python, o.script);
    }
    if (o.strict && full && (!ok_ridge || !ok_logit))
        rc = 1;
    sx_model_clear(&ridge);
    sx_model_clear(&logit);
    sx_model_clear(&ols);
    sx_design_clear(&reg);
    sx_design_clear(&bin);
    return rc;
}
