/* tests/test_models.c: the learning algorithms (core/models.h). OLS and
 * ridge against scikit-learn 1.2 (tests/ref/sklearn_models.py) at rtol
 * 1e-8/atol 1e-10 (1e-7 for exactly collinear designs), including a
 * rank-deficient design and n < p; logistic regression against the exact
 * Newton optimum (rtol 1e-6/atol 1e-8) and against scikit-learn's default
 * fit (rtol 1e-2/atol 1e-3), separable data included (../shared/STATS.md
 * sections 11 and 13). Also: building designs from frames (listwise
 * deletion, bad types, a non-0/1 target), predictions, the JSON round trip
 * (bit-exact), the SQL export run in SQLite against the C predictions, and
 * parameter parsing. */
#include <math.h>
#include <sqlite3.h>

#include "features.h"
#include "json.h"
#include "models.h"
#include "testutil.h"

/* ---- helpers ---- */

static int close_to(double got, double want, double rtol, double atol)
{
    if (isnan(want))
        return isnan(got);
    double tol = rtol * fabs(want);
    return fabs(got - want) <= (tol > atol ? tol : atol);
}

/* A design of N rows of P features from X (row-major) and Y, named
 * x1..xP, target "y". */
static void design_of(struct sx_design *d, size_t n, size_t p, const double *x, const double *y)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    d->p = p;
    d->x = malloc(n * p * sizeof *d->x);
    d->y = malloc(n * sizeof *d->y);
    d->rows = malloc(n * sizeof *d->rows);
    d->names = calloc(p, sizeof *d->names);
    cr_assert(d->x && d->y && d->rows && d->names);
    memcpy(d->x, x, n * p * sizeof *x);
    memcpy(d->y, y, n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        d->rows[i] = i;
    for (size_t j = 0; j < p; j++) {
        cr_assert(asprintf(&d->names[j], "x%zu", j + 1) > 0);
    }
    d->target = strdup("y");
}

/* Random regression data: X uniform with per-column scales and offsets,
 * y = 1.5 + X.beta + noise. */
static void regression_data(size_t n, size_t p, uint64_t seed, double *x, double *y)
{
    tu_rng_seed(seed);
    double beta[64];
    for (size_t j = 0; j < p; j++)
        beta[j] = 4 * tu_unif() - 2;
    for (size_t i = 0; i < n; i++) {
        double z = 1.5;
        for (size_t j = 0; j < p; j++) {
            double v = (tu_unif() * 10 - 5) * (double)(j % 3 + 1) + (double)j;
            x[i * p + j] = v;
            z += beta[j] * v;
        }
        y[i] = z + (tu_unif() - 0.5) * 3;
    }
}

/* Random 0/1 data: y = 1 with probability sigmoid(0.3 + X.beta). With
 * SEPARABLE, y = 1 exactly when x1 + 0.5 x2 > 0.2. */
static void binary_data(size_t n, size_t p, uint64_t seed, int separable, double *x, double *y)
{
    tu_rng_seed(seed);
    double beta[64];
    for (size_t j = 0; j < p; j++)
        beta[j] = 2 * tu_unif() - 1;
    for (size_t i = 0; i < n; i++) {
        double z = 0.3;
        for (size_t j = 0; j < p; j++) {
            double v = tu_unif() * 4 - 2 + (j == 2 ? 3.0 : 0.0);
            x[i * p + j] = v;
            z += beta[j] * v;
        }
        if (separable)
            y[i] = x[i * p] + 0.5 * x[i * p + 1] > 0.2 ? 1.0 : 0.0;
        else
            y[i] = tu_unif() < 1.0 / (1.0 + exp(-z)) ? 1.0 : 0.0;
    }
}

/* Run tests/ref/sklearn_models.py on design D (written to a CSV with
 * %.17g) for ALGO with option OPT VALUE (OPT may be NULL). */
static json_t *sklearn_fit(const struct sx_design *d, const char *algo, const char *opt,
                           const char *value)
{
    const char *py = tu_sklearn_python("");
    char *dir = tu_tmpdir(), *path = tu_path(dir, "design.csv");
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    for (size_t j = 0; j < d->p; j++)
        fprintf(fp, "%s,", d->names[j]);
    fprintf(fp, "y\n");
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->p; j++)
            fprintf(fp, "%.17g,", d->x[i * d->p + j]);
        fprintf(fp, "%.17g\n", d->y[i]);
    }
    cr_assert_eq(fclose(fp), 0);
    const char *src = getenv("SEXTANT_SRC");
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/ref/sklearn_models.py", src && *src ? src : ".");
    char *argv[] = {(char *)py, script, path, (char *)algo, (char *)opt, (char *)value, NULL};
    struct tu_run r = tu_runv(NULL, NULL, NULL, argv);
    cr_assert_eq(r.status, 0, "sklearn_models.py failed: %s", r.err);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    cr_assert(j, "sklearn_models.py output: %s", jerr.text);
    tu_run_free(&r);
    tu_rmrf(dir);
    free(path);
    free(dir);
    return j;
}

/* M's coefficients and intercept against REF's "coef" and "intercept". */
static void check_against(const struct sx_model *m, const json_t *ref, double rtol, double atol,
                          const char *what)
{
    const json_t *coef = json_object_get(ref, "coef");
    cr_assert_eq(json_array_size(coef), m->p);
    for (size_t j = 0; j < m->p; j++) {
        double want = json_number_value(json_array_get(coef, j));
        cr_assert(close_to(m->coef[j], want, rtol, atol), "%s: coef %zu: %.17g vs %.17g", what, j,
                  m->coef[j], want);
    }
    double want = json_number_value(json_object_get(ref, "intercept"));
    cr_assert(close_to(m->intercept, want, rtol, atol), "%s: intercept %.17g vs %.17g", what,
              m->intercept, want);
}

static void fit_ok(enum sx_algo a, const struct sx_model_params *pr, const struct sx_design *d,
                   struct sx_model *m)
{
    struct sx_err err;
    enum sx_status rc = sx_model_fit(a, pr, d, NULL, 0, m, &err);
    cr_assert_eq(rc, SX_OK, "fit: %s", err.msg);
}

/* ---- OLS ---- */

Test(models_ols, matches_sklearn_linear_regression)
{
    size_t n = 60, p = 4;
    double x[60 * 4], y[60];
    regression_data(n, p, 11, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model m;
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    json_t *ref = sklearn_fit(&d, "ols", NULL, NULL);
    check_against(&m, ref, 1e-8, 1e-10, "ols");
    cr_assert_eq(m.rank, 4);
    cr_assert_eq(m.rank, (size_t)json_integer_value(json_object_get(ref, "rank")));
    cr_assert_eq(m.rows, n);
    cr_assert_eq(m.converged, 1);
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_ols, exact_fit_without_noise)
{
    /* y = 2 + 3 x1 - x2 exactly: the coefficients come back to rounding. */
    double x[] = {1, 2, 2, 1, 3, 5, 4, 4, 0, 1, 7, 3};
    double y[6];
    for (size_t i = 0; i < 6; i++)
        y[i] = 2 + 3 * x[2 * i] - x[2 * i + 1];
    struct sx_design d;
    design_of(&d, 6, 2, x, y);
    struct sx_model m;
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    cr_assert(close_to(m.coef[0], 3, 1e-13, 1e-13), "%.17g", m.coef[0]);
    cr_assert(close_to(m.coef[1], -1, 1e-13, 1e-13), "%.17g", m.coef[1]);
    cr_assert(close_to(m.intercept, 2, 1e-13, 1e-13), "%.17g", m.intercept);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

/* x3 = x1 and x4 = 2 x2, N rows from SEED. */
static void collinear_design(struct sx_design *d, size_t n, uint64_t seed)
{
    size_t p = 4;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    tu_rng_seed(seed);
    for (size_t i = 0; i < n; i++) {
        double a = tu_unif() * 6 - 3, b = tu_unif() * 2 + 1;
        x[i * p] = a;
        x[i * p + 1] = b;
        x[i * p + 2] = a;
        x[i * p + 3] = 2 * b;
        y[i] = 0.7 + 1.3 * a - 0.5 * b + (tu_unif() - 0.5);
    }
    design_of(d, n, p, x, y);
    free(x);
    free(y);
}

Test(models_ols, rank_deficient_min_norm)
{
    /* The minimum-norm solution splits the weight so that coef(x3) =
     * coef(x1) and coef(x4) = 2 coef(x2). scikit-learn's gelsd finds the
     * two zero singular values only to rounding (about eps*S0, on either
     * side of its eps*S0 cut): with seed 6 it finds rank 2, with seed 5 it
     * keeps rank 3 and answers 1e13-sized coefficients. */
    size_t n = 50;
    struct sx_design d;
    collinear_design(&d, n, 6);
    struct sx_model m;
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    cr_assert_eq(m.rank, 2);
    json_t *ref = sklearn_fit(&d, "ols", NULL, NULL);
    cr_assert_eq(json_integer_value(json_object_get(ref, "rank")), 2);
    check_against(&m, ref, 1e-7, 1e-10, "ols collinear");
    cr_assert(close_to(m.coef[2], m.coef[0], 1e-9, 0));
    cr_assert(close_to(m.coef[3], 2 * m.coef[1], 1e-9, 0));
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_ols, rank_deficient_always_found)
{
    /* Exactly proportional columns are found whatever the rounding: rank 2
     * and the split solution on every seed, also in parallel chunks. */
    for (uint64_t seed = 1; seed <= 300; seed++) {
        size_t n = seed == 300 ? 70000 : 5 + seed % 120;
        struct sx_design d;
        collinear_design(&d, n, seed);
        struct sx_model m;
        fit_ok(SX_ALGO_OLS, NULL, &d, &m);
        cr_assert_eq(m.rank, 2, "seed %llu n %zu: rank %zu", (unsigned long long)seed, n, m.rank);
        cr_assert(close_to(m.coef[2], m.coef[0], 1e-12, 0), "seed %llu", (unsigned long long)seed);
        cr_assert(close_to(m.coef[3], 2 * m.coef[1], 1e-12, 0), "seed %llu",
                  (unsigned long long)seed);
        cr_assert(fabs(m.coef[0]) < 2 && fabs(m.coef[1]) < 2, "seed %llu: %g %g",
                  (unsigned long long)seed, m.coef[0], m.coef[1]);
        sx_model_clear(&m);
        sx_design_clear(&d);
    }
}

Test(models_ols, fewer_rows_than_features_always_rank_n_minus_1)
{
    for (uint64_t seed = 1; seed <= 200; seed++) {
        size_t n = 3 + seed % 10, p = n + 1 + seed % 7;
        double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
        regression_data(n, p, seed, x, y);
        struct sx_design d;
        design_of(&d, n, p, x, y);
        struct sx_model m;
        fit_ok(SX_ALGO_OLS, NULL, &d, &m);
        cr_assert_eq(m.rank, n - 1, "seed %llu n %zu p %zu: rank %zu", (unsigned long long)seed, n,
                     p, m.rank);
        double *pred = malloc(n * sizeof *pred);
        sx_model_predict(&m, &d, NULL, 0, pred);
        for (size_t i = 0; i < n; i++)
            cr_assert(close_to(pred[i], y[i], 1e-8, 1e-8), "seed %llu row %zu",
                      (unsigned long long)seed, i);
        free(pred);
        sx_model_clear(&m);
        sx_design_clear(&d);
        free(x);
        free(y);
    }
}

Test(models_ols, fewer_rows_than_features)
{
    size_t n = 8, p = 12;
    double x[8 * 12], y[8];
    regression_data(n, p, 23, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model m;
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    cr_assert_eq(m.rank, 7);    /* centring leaves n - 1 */
    json_t *ref = sklearn_fit(&d, "ols", NULL, NULL);
    cr_assert_eq(json_integer_value(json_object_get(ref, "rank")), 7);
    check_against(&m, ref, 1e-8, 1e-10, "ols n < p");
    /* An interpolating fit: every training row is predicted exactly. */
    double pred[8];
    sx_model_predict(&m, &d, NULL, 0, pred);
    for (size_t i = 0; i < n; i++)
        cr_assert(close_to(pred[i], y[i], 1e-9, 1e-9), "row %zu: %.17g vs %.17g", i, pred[i], y[i]);
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_ols, constant_feature_gets_zero)
{
    double x[] = {1, 5, 2, 5, 3, 5, 4, 5, 6, 5};
    double y[] = {1, 3, 2, 5, 4};
    struct sx_design d;
    design_of(&d, 5, 2, x, y);
    struct sx_model m;
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    cr_assert_eq(m.rank, 1);
    cr_assert_eq(m.coef[1], 0.0);
    json_t *ref = sklearn_fit(&d, "ols", NULL, NULL);
    check_against(&m, ref, 1e-8, 1e-10, "ols constant column");
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

/* ---- ridge ---- */

static void ridge_case(size_t n, size_t p, uint64_t seed, const char *alpha, double rtol)
{
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    regression_data(n, p, seed, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model_params pr;
    sx_model_params_default(&pr);
    struct sx_err err;
    cr_assert_eq(sx_model_param_set(&pr, SX_ALGO_RIDGE, "alpha", alpha, &err), SX_OK);
    struct sx_model m;
    fit_ok(SX_ALGO_RIDGE, &pr, &d, &m);
    json_t *ref = sklearn_fit(&d, "ridge", "--alpha", alpha);
    char what[64];
    snprintf(what, sizeof what, "ridge n=%zu p=%zu alpha=%s", n, p, alpha);
    check_against(&m, ref, rtol, 1e-10, what);
    cr_assert_eq(m.converged, 1);
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
    free(x);
    free(y);
}

Test(models_ridge, matches_sklearn_ridge)
{
    ridge_case(60, 4, 3, "0.5", 1e-8);
    ridge_case(60, 4, 3, "1", 1e-8);
    ridge_case(200, 6, 4, "25", 1e-8);
}

Test(models_ridge, fewer_rows_than_features_dual)
{
    ridge_case(10, 15, 8, "2", 1e-8);
    ridge_case(5, 40, 9, "0.01", 1e-8);
}

Test(models_ridge, many_rows_in_parallel_chunks)
{
    /* 60,000 rows: fifteen chunks on every CPU. */
    ridge_case(60000, 5, 12, "3", 1e-8);
}

Test(models_ridge, collinear_design)
{
    size_t n = 40, p = 3;
    double x[40 * 3], y[40];
    tu_rng_seed(17);
    for (size_t i = 0; i < n; i++) {
        double a = tu_unif() * 4, b = tu_unif();
        x[i * p] = a;
        x[i * p + 1] = b;
        x[i * p + 2] = a;
        y[i] = 1 + a - 2 * b + tu_unif();
    }
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model m;
    fit_ok(SX_ALGO_RIDGE, NULL, &d, &m);
    json_t *ref = sklearn_fit(&d, "ridge", "--alpha", "1");
    check_against(&m, ref, 1e-7, 1e-10, "ridge collinear");
    cr_assert(close_to(m.coef[0], m.coef[2], 1e-12, 0));
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_ridge, alpha_zero_is_ols)
{
    size_t n = 30, p = 3;
    double x[30 * 3], y[30];
    regression_data(n, p, 31, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model_params pr;
    sx_model_params_default(&pr);
    pr.alpha = 0;
    struct sx_model r, o;
    fit_ok(SX_ALGO_RIDGE, &pr, &d, &r);
    fit_ok(SX_ALGO_OLS, NULL, &d, &o);
    for (size_t j = 0; j < p; j++)
        cr_assert(close_to(r.coef[j], o.coef[j], 1e-10, 1e-12));
    cr_assert(close_to(r.intercept, o.intercept, 1e-10, 1e-12));
    sx_model_clear(&r);
    sx_model_clear(&o);
    sx_design_clear(&d);
    /* Also where XcT Xc and Xc XcT are singular: n < p, collinear. */
    double xw[6 * 9], yw[6];
    regression_data(6, 9, 32, xw, yw);
    design_of(&d, 6, 9, xw, yw);
    fit_ok(SX_ALGO_RIDGE, &pr, &d, &r);
    fit_ok(SX_ALGO_OLS, NULL, &d, &o);
    for (size_t j = 0; j < 9; j++)
        cr_assert(close_to(r.coef[j], o.coef[j], 1e-9, 1e-12), "coef %zu: %.17g vs %.17g", j,
                  r.coef[j], o.coef[j]);
    sx_model_clear(&r);
    sx_model_clear(&o);
    sx_design_clear(&d);
    collinear_design(&d, 30, 5);
    fit_ok(SX_ALGO_RIDGE, &pr, &d, &r);
    fit_ok(SX_ALGO_OLS, NULL, &d, &o);
    for (size_t j = 0; j < 4; j++)
        cr_assert(close_to(r.coef[j], o.coef[j], 1e-9, 1e-12), "coef %zu: %.17g vs %.17g", j,
                  r.coef[j], o.coef[j]);
    sx_model_clear(&r);
    sx_model_clear(&o);
    sx_design_clear(&d);
}

Test(models_ridge, subset_of_rows_equals_subset_design)
{
    size_t n = 50, p = 3;
    double x[50 * 3], y[50], xs[25 * 3], ys[25];
    size_t idx[25];
    regression_data(n, p, 41, x, y);
    for (size_t k = 0; k < 25; k++) {
        idx[k] = 2 * k + 1;
        memcpy(xs + k * p, x + idx[k] * p, p * sizeof *x);
        ys[k] = y[idx[k]];
    }
    struct sx_design d, ds;
    design_of(&d, n, p, x, y);
    design_of(&ds, 25, p, xs, ys);
    for (int a = SX_ALGO_OLS; a <= SX_ALGO_RIDGE; a++) {
        struct sx_model m1, m2;
        struct sx_err err;
        cr_assert_eq(sx_model_fit((enum sx_algo)a, NULL, &d, idx, 25, &m1, &err), SX_OK, "%s",
                     err.msg);
        fit_ok((enum sx_algo)a, NULL, &ds, &m2);
        cr_assert_eq(m1.rows, 25);
        for (size_t j = 0; j < p; j++)
            cr_assert_eq(m1.coef[j], m2.coef[j]);
        cr_assert_eq(m1.intercept, m2.intercept);
        sx_model_clear(&m1);
        sx_model_clear(&m2);
    }
    struct sx_model m;
    struct sx_err err;
    size_t bad[] = {3, 50};
    cr_assert_eq(sx_model_fit(SX_ALGO_OLS, NULL, &d, bad, 2, &m, &err), SX_EINVAL);
    cr_assert_eq(sx_model_fit(SX_ALGO_OLS, NULL, &d, bad, 0, &m, &err), SX_EINVAL);
    sx_design_clear(&d);
    sx_design_clear(&ds);
}

/* ---- logistic regression ---- */

static void logistic_case(size_t n, size_t p, uint64_t seed, int separable, const char *C)
{
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    binary_data(n, p, seed, separable, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model_params pr;
    sx_model_params_default(&pr);
    struct sx_err err;
    cr_assert_eq(sx_model_param_set(&pr, SX_ALGO_LOGISTIC, "C", C, &err), SX_OK);
    struct sx_model m;
    fit_ok(SX_ALGO_LOGISTIC, &pr, &d, &m);
    char what[96];
    snprintf(what, sizeof what, "logistic n=%zu p=%zu C=%s%s", n, p, C,
             separable ? " separable" : "");
    cr_assert_eq(m.converged, 1, "%s: not converged after %d iterations, grad %g", what,
                 m.iterations, m.grad_norm);
    cr_assert(m.iterations >= 1 && m.iterations < 100, "%s: %d iterations", what, m.iterations);
    cr_assert(m.grad_norm <= 1e-10 || n > 10000, "%s: grad %g", what, m.grad_norm);
    json_t *ref = sklearn_fit(&d, "logistic", "--C", C);
    const json_t *newton = json_object_get(ref, "newton");
    cr_assert(json_number_value(json_object_get(newton, "grad")) < 1e-9,
              "%s: the reference Newton did not converge", what);
    check_against(&m, newton, 1e-6, 1e-8, what);
    check_against(&m, ref, 1e-2, 1e-3, what);
    json_decref(ref);
    sx_model_clear(&m);
    sx_design_clear(&d);
    free(x);
    free(y);
}

Test(models_logistic, matches_newton_optimum_and_sklearn)
{
    logistic_case(400, 3, 2, 0, "1");
    logistic_case(300, 4, 6, 0, "0.1");
    logistic_case(300, 2, 7, 0, "10");
}

Test(models_logistic, perfectly_separable_data)
{
    logistic_case(80, 2, 3, 1, "1");
    logistic_case(120, 3, 4, 1, "10");
}

Test(models_logistic, many_rows_in_parallel_chunks)
{
    logistic_case(50000, 4, 9, 0, "1");
}

Test(models_logistic, max_iter_reached_is_not_converged)
{
    size_t n = 200, p = 2;
    double x[200 * 2], y[200];
    binary_data(n, p, 13, 1, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model_params pr;
    sx_model_params_default(&pr);
    pr.max_iter = 1;
    struct sx_model m;
    fit_ok(SX_ALGO_LOGISTIC, &pr, &d, &m);
    cr_assert_eq(m.converged, 0);
    cr_assert_eq(m.iterations, 1);
    cr_assert(m.grad_norm > 1e-10);
    sx_model_clear(&m);
    pr.max_iter = 100;
    fit_ok(SX_ALGO_LOGISTIC, &pr, &d, &m);
    cr_assert_eq(m.converged, 1);
    cr_assert(m.grad_norm <= 1e-10);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_logistic, target_must_be_binary)
{
    double x[] = {1, 2, 3, 4}, y[] = {0, 1, 2, 1};
    struct sx_design d;
    design_of(&d, 4, 1, x, y);
    struct sx_model m;
    struct sx_err err;
    cr_assert_eq(sx_model_fit(SX_ALGO_LOGISTIC, NULL, &d, NULL, 0, &m, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "0/1"), "%s", err.msg);
    cr_assert(strstr(err.msg, "row 3"), "%s", err.msg);
    /* Linear models take any target. */
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

/* ---- designs from frames ---- */

/* The frame: a float (one missing), b int, c bool, cat category, t text,
 * dt date, y float (one missing), k int 0/1/2. */
static struct sx_frame *mixed_frame(void)
{
    struct sx_err err;
    struct sx_frame *f = sx_frame_new();
    struct sx_column *a = sx_frame_add(f, "a", SX_FLOAT, &err), *b = sx_frame_add(f, "b", SX_INT, &err),
                     *c = sx_frame_add(f, "c", SX_BOOL, &err),
                     *cat = sx_frame_add(f, "cat", SX_CATEGORY, &err),
                     *t = sx_frame_add(f, "t", SX_TEXT, &err),
                     *dt = sx_frame_add(f, "dt", SX_DATE, &err),
                     *y = sx_frame_add(f, "y", SX_FLOAT, &err),
                     *k = sx_frame_add(f, "k", SX_INT, &err);
    cr_assert(a && b && c && cat && t && dt && y && k);
    double av[] = {1.5, NAN, 3, 4, 5, 6};
    double yv[] = {10, 20, 30, NAN, 50, 60};
    int64_t kv[] = {0, 1, 1, 0, 2, 1};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(isnan(av[i]) ? sx_col_push_missing(a) : sx_col_push_f64(a, av[i]), SX_OK);
        cr_assert_eq(sx_col_push_i64(b, (int64_t)(i * i)), SX_OK);
        cr_assert_eq(sx_col_push_bool(c, (int)(i % 2)), SX_OK);
        cr_assert_eq(sx_col_push_str(cat, i % 2 ? "north" : "south", 5), SX_OK);
        cr_assert_eq(sx_col_push_str(t, "note", 4), SX_OK);
        cr_assert_eq(sx_col_push_i64(dt, 19000 + (int64_t)i), SX_OK);
        cr_assert_eq(isnan(yv[i]) ? sx_col_push_missing(y) : sx_col_push_f64(y, yv[i]), SX_OK);
        cr_assert_eq(sx_col_push_i64(k, kv[i]), SX_OK);
    }
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    return f;
}

Test(models_design, listwise_deletion_and_default_features)
{
    struct sx_frame *f = mixed_frame();
    struct sx_design d;
    struct sx_err err;
    cr_assert_eq(sx_design_from_frame(f, "y", NULL, 0, 0, &d, &err), SX_OK, "%s", err.msg);
    /* Every float, int and bool column but the target: a, b, c, k. */
    cr_assert_eq(d.p, 4);
    cr_assert_str_eq(d.names[0], "a");
    cr_assert_str_eq(d.names[1], "b");
    cr_assert_str_eq(d.names[2], "c");
    cr_assert_str_eq(d.names[3], "k");
    cr_assert_str_eq(d.target, "y");
    /* Row 1 misses a, row 3 misses y. */
    cr_assert_eq(d.n, 4);
    size_t rows[] = {0, 2, 4, 5};
    for (size_t r = 0; r < 4; r++) {
        size_t i = rows[r];
        cr_assert_eq(d.rows[r], i);
        cr_assert_eq(d.x[r * 4 + 1], (double)(i * i));
        cr_assert_eq(d.x[r * 4 + 2], (double)(i % 2));
        cr_assert_eq(d.y[r], 10.0 * (double)(i + 1));
    }
    cr_assert_eq(d.x[0], 1.5);
    sx_design_clear(&d);

    /* Named features, in the order given; no target. */
    const char *feats[] = {"c", "b"};
    cr_assert_eq(sx_design_from_frame(f, NULL, feats, 2, 0, &d, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(d.n, 6);
    cr_assert_eq(d.p, 2);
    cr_assert_null(d.y);
    cr_assert_null(d.target);
    cr_assert_str_eq(d.names[0], "c");
    cr_assert_eq(d.x[5 * 2 + 1], 25.0);
    sx_design_clear(&d);
    sx_frame_free(f);
}

Test(models_design, bad_types_and_names)
{
    struct sx_frame *f = mixed_frame();
    struct sx_design d;
    struct sx_err err;
    const char *cat[] = {"a", "cat"};
    cr_assert_eq(sx_design_from_frame(f, "y", cat, 2, 0, &d, &err), SX_ETYPE);
    cr_assert(strstr(err.msg, "'cat' is a category; one-hot encode it"), "%s", err.msg);
    const char *txt[] = {"t"};
    cr_assert_eq(sx_design_from_frame(f, "y", txt, 1, 0, &d, &err), SX_ETYPE);
    cr_assert(strstr(err.msg, "'t' is text"), "%s", err.msg);
    const char *date[] = {"dt"};
    cr_assert_eq(sx_design_from_frame(f, "y", date, 1, 0, &d, &err), SX_ETYPE);
    cr_assert(strstr(err.msg, "'dt' is a date"), "%s", err.msg);
    const char *unknown[] = {"nope"};
    cr_assert_eq(sx_design_from_frame(f, "y", unknown, 1, 0, &d, &err), SX_ENOTFOUND);
    cr_assert(strstr(err.msg, "'nope'"), "%s", err.msg);
    cr_assert_eq(sx_design_from_frame(f, "missing_target", NULL, 0, 0, &d, &err), SX_ENOTFOUND);
    cr_assert_eq(sx_design_from_frame(f, "cat", NULL, 0, 0, &d, &err), SX_ETYPE);
    const char *self[] = {"a", "y"};
    cr_assert_eq(sx_design_from_frame(f, "y", self, 2, 0, &d, &err), SX_EINVAL);
    cr_assert_null(d.x);
    sx_frame_free(f);
}

Test(models_design, binary_target)
{
    struct sx_frame *f = mixed_frame();
    struct sx_design d;
    struct sx_err err;
    const char *feats[] = {"b"};
    /* k holds 0, 1, 1, 0, 2, 1: the 2 (row 5) is named. */
    cr_assert_eq(sx_design_from_frame(f, "k", feats, 1, 1, &d, &err), SX_ETYPE);
    cr_assert(strstr(err.msg, "'k'") && strstr(err.msg, "row 5") && strstr(err.msg, "holds 2"),
              "%s", err.msg);
    /* A bool target is binary; without BINARY any number goes. */
    cr_assert_eq(sx_design_from_frame(f, "c", feats, 1, 1, &d, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(d.y[3], 1.0);
    sx_design_clear(&d);
    cr_assert_eq(sx_design_from_frame(f, "k", feats, 1, 0, &d, &err), SX_OK, "%s", err.msg);
    sx_design_clear(&d);
    sx_frame_free(f);
}

Test(models_design, no_rows_left_and_infinities)
{
    struct sx_err err;
    struct sx_frame *f = sx_frame_new();
    struct sx_column *a = sx_frame_add(f, "a", SX_FLOAT, &err), *y = sx_frame_add(f, "y", SX_FLOAT, &err);
    cr_assert_eq(sx_col_push_missing(a), SX_OK);
    cr_assert_eq(sx_col_push_f64(y, 1), SX_OK);
    cr_assert_eq(sx_col_push_f64(a, 2), SX_OK);
    cr_assert_eq(sx_col_push_missing(y), SX_OK);
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    struct sx_design d;
    cr_assert_eq(sx_design_from_frame(f, "y", NULL, 0, 0, &d, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "no rows"), "%s", err.msg);
    cr_assert_eq(sx_col_push_f64(a, INFINITY), SX_OK);
    cr_assert_eq(sx_col_push_f64(y, 3), SX_OK);
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    cr_assert_eq(sx_design_from_frame(f, "y", NULL, 0, 0, &d, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "infinite"), "%s", err.msg);
    /* Only the target, nothing to learn from. */
    struct sx_frame *g = sx_frame_new();
    struct sx_column *cy = sx_frame_add(g, "y", SX_FLOAT, &err);
    cr_assert_eq(sx_col_push_f64(cy, 1), SX_OK);
    cr_assert_eq(sx_frame_sync(g, &err), SX_OK);
    cr_assert_eq(sx_design_from_frame(g, "y", NULL, 0, 0, &d, &err), SX_EINVAL);
    sx_frame_free(g);
    sx_frame_free(f);
}

/* ---- predict ---- */

Test(models_predict, design_and_frame)
{
    struct sx_frame *f = mixed_frame();
    struct sx_design d;
    struct sx_err err;
    const char *feats[] = {"a", "b"};
    cr_assert_eq(sx_design_from_frame(f, "y", feats, 2, 0, &d, &err), SX_OK, "%s", err.msg);
    struct sx_model m;
    fit_ok(SX_ALGO_RIDGE, NULL, &d, &m);
    double pd[4], pf[6];
    sx_model_predict(&m, &d, NULL, 0, pd);
    cr_assert_eq(sx_model_predict_frame(&m, f, pf, &err), SX_OK, "%s", err.msg);
    for (size_t r = 0; r < d.n; r++) {
        double want = m.intercept + m.coef[0] * d.x[r * 2] + m.coef[1] * d.x[r * 2 + 1];
        cr_assert_eq(pd[r], want);
        cr_assert_eq(pf[d.rows[r]], want);
    }
    cr_assert(isnan(pf[1]));            /* a is missing */
    cr_assert(!isnan(pf[3]));           /* only y is missing: predicted */
    size_t idx[] = {2, 0};
    double two[2];
    sx_model_predict(&m, &d, idx, 2, two);
    cr_assert_eq(two[0], pd[2]);
    cr_assert_eq(two[1], pd[0]);
    /* A feature column that is absent or of the wrong type. */
    free(m.names[1]);
    m.names[1] = strdup("nope");
    cr_assert_eq(sx_model_predict_frame(&m, f, pf, &err), SX_ENOTFOUND);
    free(m.names[1]);
    m.names[1] = strdup("cat");
    cr_assert_eq(sx_model_predict_frame(&m, f, pf, &err), SX_ETYPE);
    sx_model_clear(&m);
    sx_design_clear(&d);
    sx_frame_free(f);
}

Test(models_predict, logistic_probabilities)
{
    size_t n = 100, p = 2;
    double x[100 * 2], y[100];
    binary_data(n, p, 21, 0, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model m;
    fit_ok(SX_ALGO_LOGISTIC, NULL, &d, &m);
    double pr[100];
    sx_model_predict(&m, &d, NULL, 0, pr);
    double sum = 0, ysum = 0;
    for (size_t i = 0; i < n; i++) {
        double z = m.intercept + m.coef[0] * x[2 * i] + m.coef[1] * x[2 * i + 1];
        cr_assert(close_to(pr[i], 1 / (1 + exp(-z)), 1e-15, 0));
        cr_assert(pr[i] > 0 && pr[i] < 1);
        sum += pr[i];
        ysum += y[i];
    }
    /* At the optimum the unpenalised intercept's gradient is zero: the mean
     * probability equals the share of ones. */
    cr_assert(close_to(sum, ysum, 1e-9, 1e-9), "%.17g vs %.17g", sum, ysum);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

/* ---- JSON ---- */

static void json_round_trip(const struct sx_model *m)
{
    json_t *j = sx_model_json(m);
    cr_assert(j);
    char *text = json_dumps(j, JSON_REAL_PRECISION(17) | JSON_COMPACT);
    json_decref(j);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    cr_assert(back, "%s", jerr.text);
    struct sx_model r;
    struct sx_err err;
    cr_assert_eq(sx_model_from_json(back, &r, &err), SX_OK, "%s: %s", err.msg, text);
    cr_assert_eq(r.algo, m->algo);
    cr_assert_eq(r.p, m->p);
    for (size_t k = 0; k < m->p; k++) {
        cr_assert_str_eq(r.names[k], m->names[k]);
        cr_assert(memcmp(&r.coef[k], &m->coef[k], sizeof(double)) == 0, "coef %zu: %a vs %a", k,
                  r.coef[k], m->coef[k]);
    }
    cr_assert(memcmp(&r.intercept, &m->intercept, sizeof(double)) == 0);
    /* Each algorithm keeps its own parameters; the others read as defaults. */
    if (m->algo == SX_ALGO_RIDGE)
        cr_assert(memcmp(&r.params.alpha, &m->params.alpha, sizeof(double)) == 0);
    if (m->algo == SX_ALGO_LOGISTIC) {
        cr_assert(memcmp(&r.params.C, &m->params.C, sizeof(double)) == 0);
        cr_assert(memcmp(&r.params.tol, &m->params.tol, sizeof(double)) == 0);
        cr_assert_eq(r.params.max_iter, m->params.max_iter);
    }
    if (m->target)
        cr_assert_str_eq(r.target, m->target);
    else
        cr_assert_null(r.target);
    cr_assert_eq(r.rows, m->rows);
    cr_assert_eq(r.rank, m->rank);
    cr_assert_eq(r.iterations, m->iterations);
    cr_assert_eq(r.converged, m->converged);
    cr_assert((isnan(r.grad_norm) && isnan(m->grad_norm)) ||
              memcmp(&r.grad_norm, &m->grad_norm, sizeof(double)) == 0);
    sx_model_clear(&r);
    json_decref(back);
    free(text);
}

Test(models_json, round_trip_is_bit_exact)
{
    size_t n = 80, p = 3;
    double x[80 * 3], y[80], yb[80];
    regression_data(n, p, 51, x, y);
    struct sx_design d;
    design_of(&d, n, p, x, y);
    struct sx_model_params pr;
    sx_model_params_default(&pr);
    pr.alpha = 0.1 + 0.2;       /* not a short decimal */
    struct sx_model m;
    fit_ok(SX_ALGO_OLS, NULL, &d, &m);
    json_round_trip(&m);
    sx_model_clear(&m);
    fit_ok(SX_ALGO_RIDGE, &pr, &d, &m);
    json_round_trip(&m);
    /* The documented shape. */
    json_t *j = sx_model_json(&m);
    cr_assert_str_eq(json_string_value(json_object_get(j, "algo")), "ridge");
    cr_assert_eq(json_real_value(json_object_get(json_object_get(j, "params"), "alpha")), pr.alpha);
    cr_assert_str_eq(json_string_value(json_object_get(j, "target")), "y");
    cr_assert_eq(json_array_size(json_object_get(j, "features")), 3);
    cr_assert_eq(json_array_size(json_object_get(j, "coefficients")), 3);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 80);
    cr_assert(json_is_true(json_object_get(j, "converged")));
    json_decref(j);
    sx_model_clear(&m);
    sx_design_clear(&d);

    binary_data(n, p, 52, 0, x, yb);
    design_of(&d, n, p, x, yb);
    free(d.target);
    d.target = NULL;
    pr.C = 1.0 / 3;
    pr.max_iter = 50;
    pr.tol = 1e-11;
    fit_ok(SX_ALGO_LOGISTIC, &pr, &d, &m);
    json_round_trip(&m);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_json, malformed_names_the_key)
{
    static const struct {
        const char *text, *key;
    } cases[] = {
        {"[]", "object"},
        {"{\"features\":[],\"coefficients\":[],\"intercept\":1}", "\"algo\""},
        {"{\"algo\":\"svm\",\"features\":[],\"coefficients\":[],\"intercept\":1}", "\"algo\""},
        {"{\"algo\":\"ols\",\"features\":[\"a\"],\"coefficients\":[],\"intercept\":1}",
         "\"coefficients\""},
        {"{\"algo\":\"ols\",\"features\":[1],\"coefficients\":[1],\"intercept\":1}",
         "\"features\""},
        {"{\"algo\":\"ols\",\"features\":[\"a\"],\"coefficients\":[\"x\"],\"intercept\":1}",
         "\"coefficients\""},
        {"{\"algo\":\"ols\",\"features\":[\"a\"],\"coefficients\":[1]}", "\"intercept\""},
        {"{\"algo\":\"ridge\",\"params\":{\"alpha\":-1},\"features\":[\"a\"],\"coefficients\":[1],"
         "\"intercept\":0}", "\"params.alpha\""},
        {"{\"algo\":\"logistic\",\"params\":{\"max_iter\":1.5},\"features\":[\"a\"],"
         "\"coefficients\":[1],\"intercept\":0}", "\"params.max_iter\""},
        {"{\"algo\":\"ols\",\"features\":[\"a\"],\"coefficients\":[1],\"intercept\":0,"
         "\"rows\":-3}", "\"rows\""},
        {"{\"algo\":\"ols\",\"features\":[\"a\"],\"coefficients\":[1],\"intercept\":0,"
         "\"converged\":1}", "\"converged\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = json_loads(cases[i].text, 0, NULL);
        cr_assert(j, "%s", cases[i].text);
        struct sx_model m;
        struct sx_err err;
        cr_assert_eq(sx_model_from_json(j, &m, &err), SX_EPARSE, "%s", cases[i].text);
        cr_assert(strstr(err.msg, cases[i].key), "'%s' does not name %s", err.msg, cases[i].key);
        cr_assert_null(m.coef);
        json_decref(j);
    }
    /* The minimal form reads with defaults. */
    json_t *j = json_loads("{\"algo\":\"ols\",\"features\":[\"a\"],\"coefficients\":[2],"
                           "\"intercept\":-1}", 0, NULL);
    struct sx_model m;
    struct sx_err err;
    cr_assert_eq(sx_model_from_json(j, &m, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(m.coef[0], 2.0);
    cr_assert_eq(m.intercept, -1.0);
    cr_assert_null(m.target);
    sx_model_clear(&m);
    json_decref(j);
}

/* ---- SQL, run in SQLite ---- */

/* Create TABLE in DB from F's float/int/bool/category columns, with bound
 * values (NULL for missing cells). */
static void sqlite_load(sqlite3 *db, const struct sx_frame *f, const char *table)
{
    struct sx_sb_local {
        char *s;
        size_t len;
    } b = {0};
    FILE *fp = open_memstream(&b.s, &b.len);
    char *t = sx_sql_ident(table, SX_SQL_SQLITE);
    fprintf(fp, "CREATE TABLE %s (", t);
    for (size_t c = 0; c < f->ncols; c++) {
        char *q = sx_sql_ident(f->cols[c]->name, SX_SQL_SQLITE);
        enum sx_type ty = f->cols[c]->type;
        fprintf(fp, "%s%s %s", c ? ", " : "", q,
                ty == SX_FLOAT ? "REAL" : (ty == SX_INT || ty == SX_BOOL) ? "INTEGER" : "TEXT");
        free(q);
    }
    fprintf(fp, ")");
    fclose(fp);
    char *emsg = NULL;
    cr_assert_eq(sqlite3_exec(db, b.s, NULL, NULL, &emsg), SQLITE_OK, "%s", emsg);
    free(b.s);
    fp = open_memstream(&b.s, &b.len);
    fprintf(fp, "INSERT INTO %s VALUES (", t);
    for (size_t c = 0; c < f->ncols; c++)
        fprintf(fp, "%s?", c ? ", " : "");
    fprintf(fp, ")");
    fclose(fp);
    free(t);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, b.s, -1, &st, NULL), SQLITE_OK);
    free(b.s);
    for (size_t i = 0; i < f->nrows; i++) {
        for (size_t c = 0; c < f->ncols; c++) {
            const struct sx_column *col = f->cols[c];
            int k = (int)c + 1;
            if (!sx_col_valid(col, i)) {
                sqlite3_bind_null(st, k);
                continue;
            }
            switch (col->type) {
            case SX_FLOAT: sqlite3_bind_double(st, k, col->v.f64[i]); break;
            case SX_INT: sqlite3_bind_int64(st, k, col->v.i64[i]); break;
            case SX_BOOL: sqlite3_bind_int(st, k, col->v.b[i]); break;
            default: sqlite3_bind_text(st, k, sx_col_str(col, i), -1, SQLITE_TRANSIENT); break;
            }
        }
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

/* Run SQL (rows in table order) and compare its "prediction" (and
 * "label") with WANT[0..n): relative 1e-12, NULL where WANT is NaN. */
static void sql_predictions(sqlite3 *db, const char *sql, const double *want, size_t n, int label)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s\n%s",
                 sqlite3_errmsg(db), sql);
    int pc = -1, lc = -1;
    for (int c = 0; c < sqlite3_column_count(st); c++) {
        if (strcmp(sqlite3_column_name(st, c), "prediction") == 0)
            pc = c;
        if (strcmp(sqlite3_column_name(st, c), "label") == 0)
            lc = c;
    }
    cr_assert(pc >= 0, "no prediction column:\n%s", sql);
    cr_assert_eq(lc >= 0, label, "label column %s expected:\n%s", label ? "" : "not", sql);
    size_t i = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cr_assert(i < n);
        if (isnan(want[i])) {
            cr_assert_eq(sqlite3_column_type(st, pc), SQLITE_NULL, "row %zu", i);
            if (label)
                cr_assert_eq(sqlite3_column_type(st, lc), SQLITE_NULL, "row %zu", i);
        } else {
            double got = sqlite3_column_double(st, pc);
            cr_assert(close_to(got, want[i], 1e-12, 1e-300), "row %zu: SQL %.17g vs C %.17g", i,
                      got, want[i]);
            if (label)
                cr_assert_eq(sqlite3_column_int(st, lc), want[i] > 0.5, "row %zu label", i);
        }
        i++;
    }
    cr_assert_eq(rc, SQLITE_DONE, "%s", sqlite3_errmsg(db));
    cr_assert_eq(i, n);
    sqlite3_finalize(st);
}

/* N rows: "temp °C" float (a few missing), "we""ird" int, flag bool,
 * region category, y float, k 0/1 int. */
static struct sx_frame *sql_frame(size_t n, uint64_t seed)
{
    struct sx_err err;
    tu_rng_seed(seed);
    struct sx_frame *f = sx_frame_new();
    struct sx_column *a = sx_frame_add(f, "temp \xc2\xb0" "C", SX_FLOAT, &err),
                     *b = sx_frame_add(f, "we\"ird", SX_INT, &err),
                     *c = sx_frame_add(f, "flag", SX_BOOL, &err),
                     *r = sx_frame_add(f, "region", SX_CATEGORY, &err),
                     *y = sx_frame_add(f, "y", SX_FLOAT, &err), *k = sx_frame_add(f, "k", SX_INT, &err);
    cr_assert(a && b && c && r && y && k);
    for (size_t i = 0; i < n; i++) {
        double t = tu_unif() * 30 - 5;
        int64_t w = (int64_t)tu_rnd(100) - 30;
        int fl = (int)tu_rnd(2);
        const char *reg = tu_rnd(3) == 0 ? "north" : "south";
        if (i % 17 == 3)
            cr_assert_eq(sx_col_push_missing(a), SX_OK);
        else
            cr_assert_eq(sx_col_push_f64(a, t), SX_OK);
        cr_assert_eq(sx_col_push_i64(b, w), SX_OK);
        cr_assert_eq(sx_col_push_bool(c, fl), SX_OK);
        cr_assert_eq(sx_col_push_str(r, reg, strlen(reg)), SX_OK);
        double z = 0.1 * t - 0.02 * (double)w + fl + (reg[0] == 'n' ? 1 : 0);
        cr_assert_eq(sx_col_push_f64(y, 3 * z + tu_unif()), SX_OK);
        cr_assert_eq(sx_col_push_i64(k, tu_unif() < 1 / (1 + exp(-z + 1)) ? 1 : 0), SX_OK);
    }
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    return f;
}

static void sql_case(const struct sx_frame *f, sqlite3 *db, enum sx_algo a, const char *target)
{
    const char *feats[] = {"temp \xc2\xb0" "C", "we\"ird", "flag"};
    struct sx_design d;
    struct sx_err err;
    cr_assert_eq(sx_design_from_frame(f, target, feats, 3, sx_algo_is_binary(a), &d, &err), SX_OK,
                 "%s", err.msg);
    struct sx_model m;
    fit_ok(a, NULL, &d, &m);
    double *want = malloc(f->nrows * sizeof *want);
    cr_assert_eq(sx_model_predict_frame(&m, f, want, &err), SX_OK, "%s", err.msg);
    char *sql = sx_model_sql(&m, NULL, SX_SQL_SQLITE, "data", &err);
    cr_assert(sql, "%s", err.msg);
    sql_predictions(db, sql, want, f->nrows, sx_algo_is_binary(a));
    free(sql);
    /* The expression alone, inside a query of ours. */
    char *expr = sx_model_sql_expr(&m, SX_SQL_SQLITE, &err);
    cr_assert(expr, "%s", err.msg);
    char *q = NULL;
    cr_assert(asprintf(&q, "SELECT %s AS prediction FROM data", expr) > 0);
    sql_predictions(db, q, want, f->nrows, 0);
    free(q);
    free(expr);
    free(want);
    sx_model_clear(&m);
    sx_design_clear(&d);
}

Test(models_sql, linear_and_logistic_in_sqlite)
{
    struct sx_frame *f = sql_frame(300, 61);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite_load(db, f, "data");
    sql_case(f, db, SX_ALGO_OLS, "y");
    sql_case(f, db, SX_ALGO_RIDGE, "y");
    sql_case(f, db, SX_ALGO_LOGISTIC, "k");
    sqlite3_close(db);
    sx_frame_free(f);
}

Test(models_sql, with_the_feature_set_as_subquery)
{
    struct sx_frame *f = sql_frame(250, 62);
    struct sx_err err;
    int line, col;
    struct sx_fspec *spec = sx_fspec_parse(
        "feature warm = max(\"temp \xc2\xb0" "C\" - 18, 0)\n"
        "impute median \"temp \xc2\xb0" "C\"\n"
        "standardize \"we\"\"ird\", warm\n"
        "onehot region top 1\n", &err, &line, &col);
    cr_assert(spec, "%s", err.msg);
    struct sx_ffit *fit = sx_features_fit(spec, f, &err);
    cr_assert(fit, "%s", err.msg);
    struct sx_frame *out = sx_features_apply(fit, f, SX_FMODE_INFERENCE, NULL, &err);
    cr_assert(out, "%s", err.msg);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite_load(db, f, "raw data");
    const char *feats[] = {"temp \xc2\xb0" "C", "we\"ird", "warm", "region_south", "flag"};
    for (int a = SX_ALGO_RIDGE; a <= SX_ALGO_LOGISTIC; a++) {
        const char *target = a == SX_ALGO_LOGISTIC ? "k" : "y";
        struct sx_design d;
        cr_assert_eq(sx_design_from_frame(out, target, feats, 5, a == SX_ALGO_LOGISTIC, &d, &err),
                     SX_OK, "%s", err.msg);
        struct sx_model m;
        fit_ok((enum sx_algo)a, NULL, &d, &m);
        double *want = malloc(out->nrows * sizeof *want);
        cr_assert_eq(sx_model_predict_frame(&m, out, want, &err), SX_OK, "%s", err.msg);
        char *sql = sx_model_sql(&m, fit, SX_SQL_SQLITE, "raw data", &err);
        cr_assert(sql, "%s", err.msg);
        sql_predictions(db, sql, want, out->nrows, a == SX_ALGO_LOGISTIC);
        free(sql);
        free(want);
        sx_model_clear(&m);
        sx_design_clear(&d);
    }
    sqlite3_close(db);
    sx_frame_free(out);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    sx_frame_free(f);
}

Test(models_sql, text_and_dialects)
{
    struct sx_model m = {0};
    m.algo = SX_ALGO_RIDGE;
    m.p = 2;
    char *names[] = {"a b", "c`d"};
    double coef[] = {2, -0.25};
    m.names = names;
    m.coef = coef;
    m.intercept = 1.5;
    struct sx_err err;
    char *s = sx_model_sql_expr(&m, SX_SQL_SQLITE, &err);
    cr_assert_str_eq(s, "1.5 + 2.0 * \"a b\" + (-0.25) * \"c`d\"");
    free(s);
    s = sx_model_sql_expr(&m, SX_SQL_SPARK, &err);
    cr_assert_str_eq(s, "1.5 + 2.0 * `a b` + (-0.25) * `c``d`");
    free(s);
    m.algo = SX_ALGO_LOGISTIC;
    s = sx_model_sql_expr(&m, SX_SQL_POSTGRES, &err);
    cr_assert_str_eq(s, "1.0/(1.0+exp(-(1.5 + 2.0 * \"a b\" + (-0.25) * \"c`d\")))");
    free(s);
    s = sx_model_sql(&m, NULL, SX_SQL_POSTGRES, "sch.tbl", &err);
    cr_assert(strstr(s, "FROM \"sch\".\"tbl\""), "%s", s);
    cr_assert(strstr(s, "AS \"label\""), "%s", s);
    free(s);
    cr_assert_null(sx_model_sql(&m, NULL, SX_SQL_SQLITE, "", &err));
    cr_assert_eq(err.code, SX_EINVAL);
    coef[1] = NAN;
    cr_assert_null(sx_model_sql_expr(&m, SX_SQL_SQLITE, &err));
    cr_assert_eq(err.code, SX_EINVAL);
}

/* ---- parameters and names ---- */

Test(models_params, parsing)
{
    struct sx_model_params p;
    sx_model_params_default(&p);
    cr_assert_eq(p.alpha, 1.0);
    cr_assert_eq(p.C, 1.0);
    cr_assert_eq(p.max_iter, 100);
    cr_assert_eq(p.tol, 1e-10);
    struct sx_err err;
    cr_assert_eq(sx_model_param_set(&p, SX_ALGO_RIDGE, "alpha", "0.001", &err), SX_OK);
    cr_assert_eq(p.alpha, 0.001);
    cr_assert_eq(sx_model_param_set(&p, SX_ALGO_RIDGE, "alpha", "0", &err), SX_OK);
    cr_assert_eq(sx_model_param_set(&p, SX_ALGO_LOGISTIC, "C", "1e3", &err), SX_OK);
    cr_assert_eq(p.C, 1000.0);
    cr_assert_eq(sx_model_param_set(&p, SX_ALGO_LOGISTIC, "max_iter", "7", &err), SX_OK);
    cr_assert_eq(p.max_iter, 7);
    cr_assert_eq(sx_model_param_set(&p, SX_ALGO_LOGISTIC, "tol", "1e-6", &err), SX_OK);
    cr_assert_eq(p.tol, 1e-6);
    static const struct {
        enum sx_algo a;
        const char *k, *v, *msg;
    } bad[] = {
        {SX_ALGO_RIDGE, "alpha", "-1", ">= 0"},
        {SX_ALGO_RIDGE, "alpha", "abc", "not 'abc'"},
        {SX_ALGO_RIDGE, "alpha", "inf", "finite"},
        {SX_ALGO_RIDGE, "alpha", "", "not ''"},
        {SX_ALGO_RIDGE, "C", "1", "takes: alpha"},
        {SX_ALGO_OLS, "alpha", "1", "takes: none"},
        {SX_ALGO_LOGISTIC, "alpha", "1", "takes: C, max_iter, tol"},
        {SX_ALGO_LOGISTIC, "C", "0", "> 0"},
        {SX_ALGO_LOGISTIC, "C", "-2", "> 0"},
        {SX_ALGO_LOGISTIC, "max_iter", "0", ">= 1"},
        {SX_ALGO_LOGISTIC, "max_iter", "2.5", ">= 1"},
        {SX_ALGO_LOGISTIC, "tol", "0", "> 0"},
        {SX_ALGO_LOGISTIC, "c", "1", "no parameter 'c'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sx_model_params q = p;
        cr_assert_eq(sx_model_param_set(&q, bad[i].a, bad[i].k, bad[i].v, &err), SX_EINVAL,
                     "%s=%s", bad[i].k, bad[i].v);
        cr_assert(strstr(err.msg, bad[i].msg), "%s=%s: '%s' lacks '%s'", bad[i].k, bad[i].v,
                  err.msg, bad[i].msg);
        cr_assert(memcmp(&q, &p, sizeof q) == 0, "%s=%s changed the params", bad[i].k, bad[i].v);
    }
}

Test(models_params, algorithm_names)
{
    enum sx_algo a;
    struct sx_err err;
    for (int i = SX_ALGO_OLS; i <= SX_ALGO_LOGISTIC; i++) {
        cr_assert_eq(sx_algo_parse(sx_algo_name((enum sx_algo)i), &a, &err), SX_OK);
        cr_assert_eq(a, (enum sx_algo)i);
    }
    cr_assert_str_eq(sx_algo_name(SX_ALGO_LOGISTIC), "logistic");
    cr_assert_eq(sx_algo_parse("svm", &a, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "ols, ridge, logistic"), "%s", err.msg);
    cr_assert_eq(sx_algo_is_binary(SX_ALGO_LOGISTIC), 1);
    cr_assert_eq(sx_algo_is_binary(SX_ALGO_RIDGE), 0);
}
