/* tests/test_validate.c: core/validate: every metric against scikit-learn
 * 1.2.1 (tests/ref/sklearn_metrics.py) on random data and on degenerate
 * groups, hand-checked values, per-group labels, and the splits: parsing,
 * no leakage, fold sizes, stratification, groups intact (and GroupKFold's
 * own assignment), leave-one-group-out, forward chaining in time, seeds. */
#include "testutil.h"

#include <jansson.h>
#include <math.h>

#include "dates.h"
#include "frame.h"
#include "validate.h"

/* ---- helpers ---- */

static int close_to(double got, double want, double rtol, double atol)
{
    double tol = fabs(want) * rtol;
    if (tol < atol)
        tol = atol;
    return fabs(got - want) <= tol;
}

static void check_metric(const struct sx_metrics *m, size_t i, const json_t *ref,
                         const char *where)
{
    const char *name = sx_metric_name(m->task, i);
    const json_t *r = json_object_get(ref, name);
    cr_assert(r, "%s: sklearn gave no %s", where, name);
    if (json_is_null(r)) {
        cr_assert(!m->defined[i], "%s %s: %.17g, sklearn: undefined", where, name, m->v[i]);
        return;
    }
    cr_assert(m->defined[i], "%s %s: undefined, sklearn %.17g", where, name,
              json_number_value(r));
    double want = json_number_value(r);
    cr_assert(close_to(m->v[i], want, 1e-9, 1e-12), "%s %s: %.17g vs sklearn %.17g", where,
              name, m->v[i], want);
}

static void check_all(const struct sx_metrics *m, const json_t *ref, const char *where)
{
    for (size_t i = 0; i < sx_metric_count(m->task); i++)
        check_metric(m, i, ref, where);
    cr_assert_eq((json_int_t)m->n, json_integer_value(json_object_get(ref, "n")), "%s: n %zu",
                 where, m->n);
}

static json_t *run_ref(const char *py, char *const args[])
{
    const char *src = getenv("SEXTANT_SRC");
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/ref/sklearn_metrics.py", src && *src ? src : ".");
    char *argv[16];
    size_t n = 0;
    argv[n++] = (char *)py;
    argv[n++] = script;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    struct tu_run r = tu_runv(NULL, NULL, NULL, argv);
    cr_assert_eq(r.status, 0, "sklearn_metrics.py failed: %s", r.err);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    cr_assert(j, "sklearn_metrics.py output: %s", jerr.text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "sklearn")), "1.2.1");
    tu_run_free(&r);
    return j;
}

static void put_num(FILE *fp, double v)
{
    if (!isnan(v))
        fprintf(fp, "%.17g", v);
}

/* Write a,p[,s],g to DIR/m.csv (NaN and NULL labels as empty cells). */
static char *write_csv(const char *dir, const double *a, const double *p, const double *s,
                       char **g, size_t n)
{
    char *path = tu_path(dir, "m.csv");
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    fprintf(fp, "a,p,s,g\n");
    for (size_t i = 0; i < n; i++) {
        put_num(fp, a[i]);
        fputc(',', fp);
        put_num(fp, p[i]);
        fputc(',', fp);
        if (s)
            put_num(fp, s[i]);
        fputc(',', fp);
        if (g[i]) {
            /* Labels are plain (no comma, quote or newline) in these tests. */
            fputs(g[i], fp);
        }
        fputc('\n', fp);
    }
    fclose(fp);
    return path;
}

static struct sx_column *label_column(char **g, size_t n)
{
    struct sx_column *c = sx_col_new("g", SX_CATEGORY);
    cr_assert(c);
    for (size_t i = 0; i < n; i++) {
        if (g[i])
            cr_assert_eq(sx_col_push_str(c, g[i], strlen(g[i])), SX_OK);
        else
            cr_assert_eq(sx_col_push_missing(c), SX_OK);
    }
    return c;
}

/* Our overall and per-group metrics of the data against sklearn's. */
static void compare_with_sklearn(enum sx_task t, const double *a, const double *p,
                                 const double *s, char **g, size_t n)
{
    const char *py = tu_sklearn_python("");
    char *dir = tu_tmpdir();
    char *path = write_csv(dir, a, p, s, g, n);
    char *args[] = {"metrics", path, (char *)sx_task_name(t), "a", "p", s ? "s" : "-", "g",
                    NULL};
    json_t *ref = run_ref(py, args);

    struct sx_metrics m;
    sx_metrics_compute(t, a, p, s, NULL, n, &m);
    check_all(&m, json_object_get(ref, "overall"), "overall");

    struct sx_column *col = label_column(g, n);
    struct sx_group_metrics *gm = NULL;
    size_t ng = 0;
    struct sx_err err;
    cr_assert_eq(sx_metrics_by_group(t, a, p, s, NULL, n, col, &gm, &ng, &err), SX_OK, "%s",
                 err.msg);
    json_t *groups = json_object_get(ref, "groups");
    cr_assert_eq(ng, json_object_size(groups), "%zu groups, sklearn %zu", ng,
                 json_object_size(groups));
    /* Same labels in the same order (the reference sorts by UTF-8 bytes). */
    const char *key;
    json_t *val;
    size_t k = 0;
    json_object_foreach(groups, key, val) {
        cr_assert_str_eq(gm[k].label, key, "group %zu", k);
        check_all(&gm[k].m, val, key);
        k++;
    }
    /* The JSON form carries the same values, null where undefined. */
    json_t *jg = sx_group_metrics_json(gm, ng);
    cr_assert_eq(json_object_size(jg), ng);
    json_object_foreach(groups, key, val) {
        json_t *mine = json_object_get(jg, key);
        cr_assert(mine, "%s missing from sx_group_metrics_json", key);
        cr_assert_eq(json_object_size(mine), sx_metric_count(t));
        for (size_t i = 0; i < sx_metric_count(t); i++) {
            const char *name = sx_metric_name(t, i);
            cr_assert_eq(json_is_null(json_object_get(mine, name)),
                         json_is_null(json_object_get(val, name)), "%s %s", key, name);
        }
    }
    json_decref(jg);
    sx_group_metrics_free(gm, ng);
    sx_col_free(col);
    json_decref(ref);
    free(path);
    tu_rmrf(dir);
    free(dir);
}

static const char *const labels[] = {"north", "Süd", "東京", "Zürich", "zurich", "a b",
                                     "Ωmega", "Zurich", "ábc"};
#define NLABELS (sizeof labels / sizeof labels[0])

/* ---- against scikit-learn ---- */

Test(validate_sklearn, regression_random_with_degenerate_groups)
{
    enum { N = 700 };
    static double a[N], p[N];
    static char *g[N];
    tu_rng_seed(11);
    for (size_t i = 0; i < N; i++) {
        a[i] = round((tu_unif() * 40 - 10) * 1e6) / 1e6;
        p[i] = a[i] + round((tu_unif() - 0.4) * 6e6) / 1e6;
        g[i] = (char *)labels[tu_rnd(NLABELS)];
        if (tu_rnd(40) == 0)
            a[i] = 0.0;   /* MAPE divides by eps */
        if (tu_rnd(30) == 0)
            a[i] = NAN;
        if (tu_rnd(30) == 0)
            p[i] = NAN;
        if (tu_rnd(20) == 0)
            g[i] = NULL;  /* overall only */
    }
    /* One row; a constant target; a perfect prediction; a constant and
     * perfect group; two rows; a group whose rows all lack a value. */
    g[0] = "one";
    a[0] = 3.25;
    p[0] = 3.0;
    for (size_t i = 1; i <= 6; i++) {
        g[i] = "const";
        a[i] = 7.5;
        p[i] = 7.5 + (double)i / 8;
    }
    for (size_t i = 7; i <= 12; i++) {
        g[i] = "perfect";
        a[i] = (double)i * 1.5 - 4;
        p[i] = a[i];
    }
    for (size_t i = 13; i <= 15; i++) {
        g[i] = "const-perfect";
        a[i] = p[i] = 2.0;
    }
    g[16] = g[17] = "two";
    a[16] = 1;
    a[17] = 2;
    p[16] = 1.5;
    p[17] = 1.25;
    g[18] = g[19] = "dropped";
    a[18] = NAN;
    p[19] = NAN;
    a[19] = 1;
    compare_with_sklearn(SX_TASK_REGRESSION, a, p, NULL, g, N);
}

Test(validate_sklearn, binary_random_with_degenerate_groups)
{
    enum { N = 900 };
    static double a[N], p[N], s[N];
    static char *g[N];
    tu_rng_seed(23);
    for (size_t i = 0; i < N; i++) {
        a[i] = tu_rnd(3) == 0;
        s[i] = a[i] ? 0.35 + 0.65 * tu_unif() : 0.7 * tu_unif();
        if (i % 3 == 0)
            s[i] = round(s[i] * 20) / 20;   /* many ties */
        if (tu_rnd(25) == 0)
            s[i] = tu_rnd(2) ? 1.0 : 0.0;   /* clipped at eps */
        p[i] = s[i] > 0.5;
        if (tu_rnd(10) == 0)
            p[i] = 1 - p[i];
        g[i] = (char *)labels[tu_rnd(NLABELS)];
        if (tu_rnd(40) == 0)
            a[i] = NAN;
        if (tu_rnd(40) == 0)
            s[i] = NAN;
        if (tu_rnd(20) == 0)
            g[i] = NULL;
    }
    g[0] = "one";
    a[0] = 1;
    p[0] = 0;
    s[0] = 0.25;
    for (size_t i = 1; i <= 8; i++) {   /* a single class: AUC undefined */
        g[i] = "single";
        a[i] = 1;
        p[i] = i % 2;
        s[i] = (double)i / 10;
    }
    for (size_t i = 9; i <= 16; i++) {  /* no predicted positives */
        g[i] = "nopos";
        a[i] = i % 2;
        p[i] = 0;
        s[i] = 0.1 + (double)(i % 3) / 10;
    }
    for (size_t i = 17; i <= 22; i++) { /* all negative, all predicted negative */
        g[i] = "allneg";
        a[i] = 0;
        p[i] = 0;
        s[i] = 0.0;
    }
    for (size_t i = 23; i <= 30; i++) { /* every score tied */
        g[i] = "ties";
        a[i] = i % 2;
        p[i] = 1;
        s[i] = 0.5;
    }
    compare_with_sklearn(SX_TASK_BINARY, a, p, s, g, N);
}

Test(validate_sklearn, binary_without_scores)
{
    enum { N = 200 };
    static double a[N], p[N];
    static char *g[N];
    tu_rng_seed(5);
    for (size_t i = 0; i < N; i++) {
        a[i] = tu_rnd(2);
        p[i] = tu_rnd(4) ? a[i] : 1 - a[i];
        g[i] = (char *)labels[tu_rnd(3)];
    }
    compare_with_sklearn(SX_TASK_BINARY, a, p, NULL, g, N);
}

Test(validate_sklearn, large_regression_pairwise_sums)
{
    /* Thousands of rows with a large mean: sums where the order of
     * additions shows (numpy sums pairwise). */
    enum { N = 5000 };
    static double a[N], p[N];
    static char *g[N];
    tu_rng_seed(99);
    for (size_t i = 0; i < N; i++) {
        a[i] = 1e6 + round(tu_unif() * 1e7) / 1e7;
        p[i] = a[i] + round((tu_unif() - 0.5) * 1e7) / 1e9;
        g[i] = (char *)labels[i % 2];
    }
    compare_with_sklearn(SX_TASK_REGRESSION, a, p, NULL, g, N);
}

/* ---- hand-checked values ---- */

Test(validate_metrics, auc_counts_ties_as_half)
{
    double a[] = {0, 0, 1, 1, 1, 0};
    double p[] = {0, 0, 1, 1, 1, 0};
    double s[] = {0.1, 0.5, 0.5, 0.9, 0.2, 0.9};
    struct sx_metrics m;
    sx_metrics_compute(SX_TASK_BINARY, a, p, s, NULL, 6, &m);
    /* Pairs (pos, neg): 0.5 vs {.1 win, .5 tie, .9 loss}, 0.9 vs {win, win,
     * tie}, 0.2 vs {win, loss, loss}: (1 + .5 + 2 + .5 + 1) / 9. */
    cr_assert(m.defined[4]);
    cr_assert_float_eq(m.v[4], 5.0 / 9.0, 1e-15);
    cr_assert_eq(m.n, 6);
    cr_assert_eq(m.v[0], 1.0);
}

Test(validate_metrics, r2_force_finite_rules)
{
    struct sx_metrics m;
    double one_a[] = {3}, one_p[] = {3};
    sx_metrics_compute(SX_TASK_REGRESSION, one_a, one_p, NULL, NULL, 1, &m);
    cr_assert(!m.defined[3], "R2 of one row is undefined, even when perfect");
    cr_assert(m.defined[0] && m.v[0] == 0.0);
    double ca[] = {2, 2, 2}, cp[] = {2, 2, 3};
    sx_metrics_compute(SX_TASK_REGRESSION, ca, cp, NULL, NULL, 3, &m);
    cr_assert(m.defined[3] && m.v[3] == 0.0, "constant target, imperfect: 0");
    double pa[] = {2, 2, 2}, pp[] = {2, 2, 2};
    sx_metrics_compute(SX_TASK_REGRESSION, pa, pp, NULL, NULL, 3, &m);
    cr_assert(m.defined[3] && m.v[3] == 1.0, "perfect: 1");
    double za[] = {0, 1}, zp[] = {3.5, 1};
    sx_metrics_compute(SX_TASK_REGRESSION, za, zp, NULL, NULL, 2, &m);
    cr_assert_eq(m.v[4], 3.5 / 2.220446049250313e-16 / 2, "MAPE of a zero target");
}

Test(validate_metrics, listwise_deletion_and_index)
{
    double a[] = {1, NAN, 0, 1, 0};
    double p[] = {1, 1, NAN, 0, 0};
    double s[] = {0.9, 0.2, 0.3, NAN, 0.4};
    struct sx_metrics m;
    /* per metric: the label metrics use rows 0, 3 and 4 (actual and
     * prediction), auc and logloss rows 0, 2 and 4 (actual and score) */
    sx_metrics_compute(SX_TASK_BINARY, a, p, s, NULL, 5, &m);
    cr_assert_eq(m.n, 3, "rows 0, 3 and 4 have a label and a prediction");
    cr_assert_float_eq(m.v[0], 2.0 / 3.0, 1e-15);
    cr_assert(m.defined[4] && m.v[4] == 1.0, "auc over rows 0, 2, 4: %g", m.v[4]);
    cr_assert_float_eq(m.v[5], -(log(0.9) + log(0.7) + log(0.6)) / 3.0, 1e-15);
    sx_metrics_compute(SX_TASK_BINARY, a, p, NULL, NULL, 5, &m);
    cr_assert_eq(m.n, 3, "without a score, row 3 counts");
    cr_assert(!m.defined[4] && !m.defined[5], "no score: auc and logloss undefined");
    size_t idx[] = {4, 3, 1};
    sx_metrics_compute(SX_TASK_BINARY, a, p, NULL, idx, 3, &m);
    cr_assert_eq(m.n, 2);
    cr_assert_eq(m.v[0], 0.5);
    sx_metrics_compute(SX_TASK_REGRESSION, a, p, NULL, idx, 0, &m);
    cr_assert_eq(m.n, 0);
    for (size_t i = 0; i < 5; i++)
        cr_assert(!m.defined[i], "no rows: %s undefined", sx_metric_name(SX_TASK_REGRESSION, i));
}

Test(validate_metrics, zero_division_gives_zero)
{
    double a[] = {1, 1, 0}, p[] = {0, 0, 0};
    struct sx_metrics m;
    sx_metrics_compute(SX_TASK_BINARY, a, p, NULL, NULL, 3, &m);
    cr_assert(m.defined[1] && m.v[1] == 0.0, "precision with no predicted positives");
    cr_assert(m.defined[2] && m.v[2] == 0.0);
    cr_assert(m.defined[3] && m.v[3] == 0.0);
    cr_assert_float_eq(m.v[0], 1.0 / 3.0, 1e-15);
}

Test(validate_metrics, names_tasks_and_directions)
{
    enum sx_task t;
    struct sx_err err;
    cr_assert_eq(sx_task_parse("regression", &t, &err), SX_OK);
    cr_assert_eq(t, SX_TASK_REGRESSION);
    cr_assert_eq(sx_task_parse("binary", &t, &err), SX_OK);
    cr_assert_eq(t, SX_TASK_BINARY);
    cr_assert_eq(sx_task_parse("multiclass", &t, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "regression or binary"), "%s", err.msg);
    cr_assert_str_eq(sx_task_name(SX_TASK_BINARY), "binary");
    const char *reg[] = {"rmse", "mse", "mae", "r2", "mape"};
    const char *bin[] = {"accuracy", "precision", "recall", "f1", "auc", "logloss"};
    cr_assert_eq(sx_metric_count(SX_TASK_REGRESSION), 5);
    cr_assert_eq(sx_metric_count(SX_TASK_BINARY), 6);
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(sx_metric_name(SX_TASK_REGRESSION, i), reg[i]);
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(sx_metric_name(SX_TASK_BINARY, i), bin[i]);
    cr_assert_null(sx_metric_name(SX_TASK_REGRESSION, 5));
    const char *lower[] = {"rmse", "mse", "mae", "mape", "logloss", "val_loss", "error",
                           "train_error", "val_rmse", "test.mae", "LOSS"};
    const char *higher[] = {"r2", "accuracy", "precision", "recall", "f1", "auc", "armse",
                            "lossy", ""};
    for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
        cr_assert_eq(sx_metric_lower_is_better(lower[i]), 1, "%s", lower[i]);
    for (size_t i = 0; i < sizeof higher / sizeof higher[0]; i++)
        cr_assert_eq(sx_metric_lower_is_better(higher[i]), 0, "%s", higher[i]);
}

Test(validate_metrics, json_nulls_and_order)
{
    double a[] = {1, 1}, p[] = {1, 0}, s[] = {0.75, 0.5};
    struct sx_metrics m;
    sx_metrics_compute(SX_TASK_BINARY, a, p, s, NULL, 2, &m);
    json_t *j = sx_metrics_json(&m);
    char *text = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(17));
    cr_assert(strncmp(text, "{\"accuracy\":0.5,\"precision\":1.0,\"recall\":0.5,\"f1\":", 50) == 0,
              "%s", text);
    cr_assert(strstr(text, "\"auc\":null,\"logloss\":"), "%s", text);
    free(text);
    json_decref(j);
}

Test(validate_metrics, group_labels_sorted_by_bytes_with_rows)
{
    /* A numeric group column: labels as sx_col_format writes them, sorted
     * as bytes ("10" before "9"); ROWS maps elements to frame rows. */
    struct sx_column *c = sx_col_new("g", SX_INT);
    int64_t vals[] = {9, 10, 9, 7, 10};
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(sx_col_push_i64(c, vals[i]), SX_OK);
    cr_assert_eq(sx_col_push_missing(c), SX_OK);
    double a[] = {1, 2, 3, 4}, p[] = {1, 2, 4, 4};
    size_t rows[] = {5, 1, 2, 4};   /* missing, 10, 9, 10 */
    struct sx_group_metrics *g;
    size_t ng;
    struct sx_err err;
    cr_assert_eq(sx_metrics_by_group(SX_TASK_REGRESSION, a, p, NULL, rows, 4, c, &g, &ng, &err),
                 SX_OK, "%s", err.msg);
    cr_assert_eq(ng, 2, "7 has no element, the missing row none");
    cr_assert_str_eq(g[0].label, "10");
    cr_assert_str_eq(g[1].label, "9");
    cr_assert_eq(g[0].m.n, 2);
    cr_assert_eq(g[0].m.v[1], 0.0, "elements 1 and 3 predicted exactly");
    cr_assert_eq(g[1].m.n, 1);
    cr_assert_eq(g[1].m.v[1], 1.0);
    sx_group_metrics_free(g, ng);
    size_t bad[] = {0, 6};
    cr_assert_eq(sx_metrics_by_group(SX_TASK_REGRESSION, a, p, NULL, bad, 2, c, &g, &ng, &err),
                 SX_EINVAL);
    sx_col_free(c);
}

/* ---- split parsing ---- */

Test(validate_split, parse_and_format)
{
    static const char *const good[][2] = {
        {"none", "none"},
        {"holdout:0.2", "holdout:0.2"},
        {"holdout:.25", "holdout:0.25"},
        {"kfold:5", "kfold:5"},
        {"stratified:10", "stratified:10"},
        {"group:region", "group:region"},
        {"group:region:3", "group:region:3"},
        {"group:a:b:4", "group:a:b:4"},
        {"group:a:b", "group:a:b"},
        {"group:a:7:5", "group:a:7:5"},
        {"group:a:7:6", "group:a:7:6"},
        {"logo:région", "logo:région"},
        {"logo:a:b", "logo:a:b"},
        {"time:date:month", "time:date:month"},
        {"time:date:6m", "time:date:6m"},
        {"time:a:b:2w", "time:a:b:2w"},
        {"time:d:year", "time:d:year"},
        {"time:d:7d", "time:d:7d"},
    };
    struct sx_split_spec s;
    struct sx_err err;
    char buf[300];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        cr_assert_eq(sx_split_parse(good[i][0], &s, &err), SX_OK, "%s: %s", good[i][0], err.msg);
        cr_assert_eq(s.seed, 42);
        sx_split_format(&s, buf, sizeof buf);
        cr_assert_str_eq(buf, good[i][1]);
        struct sx_split_spec again;
        cr_assert_eq(sx_split_parse(buf, &again, &err), SX_OK, "%s", buf);
        cr_assert_eq(again.kind, s.kind);
        cr_assert_eq(again.k, s.k);
        cr_assert_str_eq(again.column, s.column);
    }
    sx_split_parse("group:a:b:4", &s, &err);
    cr_assert_str_eq(s.column, "a:b");
    cr_assert_eq(s.k, 4);
    sx_split_parse("group:region", &s, &err);
    cr_assert_eq(s.k, 5);
    sx_split_parse("time:a:b:2w", &s, &err);
    cr_assert_str_eq(s.column, "a:b");
    cr_assert_str_eq(s.window, "2w");
    sx_split_parse("holdout:0.2", &s, &err);
    cr_assert_eq(s.kind, SX_SPLIT_HOLDOUT);
    cr_assert_eq(s.fraction, 0.2);
}

Test(validate_split, parse_errors)
{
    static const char *const bad[] = {
        "", "foo", "none:1", "holdout", "holdout:", "holdout:0", "holdout:1", "holdout:-0.2",
        "holdout:1.5", "holdout:abc", "holdout:0.2x", "holdout:nan", "holdout:inf",
        "kfold", "kfold:", "kfold:1", "kfold:0", "kfold:-3", "kfold:x", "kfold:5:3",
        "kfold:2.5", "kfold:99999999999999999999", "stratified:", "stratified:1",
        "group", "group:", "group::3", "group:region:", "group:region:1", "group:region:0",
        "logo", "logo:", "time", "time:", "time:date", "time:date:", "time::month",
        "time:date:fortnight", "time:date:0m", "time:date:-1m", "time:date:m", "time:date:6x",
        "time:date:Month", "time:date:1.5m", "KFOLD:5", " kfold:5", "kfold:5 ",
    };
    struct sx_split_spec s;
    struct sx_err err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sx_err_clear(&err);
        cr_assert_eq(sx_split_parse(bad[i], &s, &err), SX_EINVAL, "'%s' parsed", bad[i]);
        cr_assert(strstr(err.msg, "bad split"), "'%s': %s", bad[i], err.msg);
    }
    char longcol[400];
    memset(longcol, 'x', sizeof longcol);
    memcpy(longcol, "logo:", 5);
    longcol[sizeof longcol - 1] = '\0';
    cr_assert_eq(sx_split_parse(longcol, &s, &err), SX_EINVAL);
}

/* ---- splits ---- */

/* Every fold: train and test sorted, disjoint, within 0..N-1; and the
 * union covers every row not in EXCLUDED (NULL: none). */
static void check_no_leakage(const struct sx_splits *sp, size_t n, const uint8_t *excluded)
{
    uint8_t *seen = calloc(n, 1);
    for (size_t k = 0; k < sp->n; k++) {
        const struct sx_fold *f = &sp->folds[k];
        cr_assert(f->ntest > 0, "fold %zu has an empty test set", k);
        cr_assert(f->label && *f->label);
        memset(seen, 0, n);
        for (size_t i = 0; i < f->ntest; i++) {
            cr_assert(f->test[i] < n);
            if (i)
                cr_assert(f->test[i] > f->test[i - 1], "test not sorted");
            seen[f->test[i]] = 1;
        }
        for (size_t i = 0; i < f->ntrain; i++) {
            cr_assert(f->train[i] < n);
            if (i)
                cr_assert(f->train[i] > f->train[i - 1], "train not sorted");
            cr_assert(!seen[f->train[i]], "fold %zu: row %zu in train and test", k, f->train[i]);
            seen[f->train[i]] = 2;
        }
        if (excluded)
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(seen[i] != 0, !excluded[i], "fold %zu row %zu", k, i);
    }
    free(seen);
}

/* How many folds test row I. */
static size_t times_tested(const struct sx_splits *sp, size_t i)
{
    size_t c = 0;
    for (size_t k = 0; k < sp->n; k++)
        for (size_t j = 0; j < sp->folds[k].ntest; j++)
            c += sp->folds[k].test[j] == i;
    return c;
}

static void make(const char *text, const struct sx_frame *f, const size_t *rows, const double *y,
                 size_t n, struct sx_splits *sp)
{
    struct sx_split_spec s;
    struct sx_err err;
    cr_assert_eq(sx_split_parse(text, &s, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_split_make(&s, f, rows, y, n, sp, &err), SX_OK, "%s: %s", text, err.msg);
}

static int same_splits(const struct sx_splits *a, const struct sx_splits *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t k = 0; k < a->n; k++) {
        if (a->folds[k].ntest != b->folds[k].ntest ||
            memcmp(a->folds[k].test, b->folds[k].test, a->folds[k].ntest * sizeof(size_t)))
            return 0;
    }
    return 1;
}

Test(validate_split, none_gives_no_folds_and_out_is_overwritten)
{
    struct sx_splits sp;
    memset(&sp, 0xA5, sizeof sp);   /* never read: any garbage will do */
    make("none", NULL, NULL, NULL, 10, &sp);
    cr_assert_eq(sp.n, 0);
    sx_splits_clear(&sp);
    memset(&sp, 0xA5, sizeof sp);
    make("kfold:2", NULL, NULL, NULL, 10, &sp);
    cr_assert_eq(sp.n, 2);
    sx_splits_clear(&sp);
    cr_assert_eq(sp.n, 0);
    cr_assert_null(sp.folds);
}

Test(validate_split, kfold_sizes_cover_and_seed)
{
    struct sx_splits sp = {0}, again = {0}, other = {0};
    make("kfold:5", NULL, NULL, NULL, 103, &sp);
    cr_assert_eq(sp.n, 5);
    size_t want[] = {21, 21, 21, 20, 20};   /* KFold: the first n % k folds one larger */
    for (size_t k = 0; k < 5; k++) {
        cr_assert_eq(sp.folds[k].ntest, want[k], "fold %zu", k);
        cr_assert_eq(sp.folds[k].ntrain, 103 - want[k]);
        char lab[16];
        snprintf(lab, sizeof lab, "fold %zu", k + 1);
        cr_assert_str_eq(sp.folds[k].label, lab);
    }
    check_no_leakage(&sp, 103, NULL);
    for (size_t i = 0; i < 103; i++)
        cr_assert_eq(times_tested(&sp, i), 1, "row %zu", i);
    /* Shuffled: the first fold is not rows 0..20. */
    cr_assert(sp.folds[0].test[20] != 20);
    make("kfold:5", NULL, NULL, NULL, 103, &again);
    cr_assert(same_splits(&sp, &again), "same seed, same folds");
    struct sx_split_spec s;
    struct sx_err err;
    sx_split_parse("kfold:5", &s, &err);
    s.seed = 7;
    cr_assert_eq(sx_split_make(&s, NULL, NULL, NULL, 103, &other, &err), SX_OK);
    cr_assert(!same_splits(&sp, &other), "another seed, other folds");
    /* K > N and K = N. */
    sx_splits_clear(&other);
    sx_split_parse("kfold:5", &s, &err);
    cr_assert_eq(sx_split_make(&s, NULL, NULL, NULL, 4, &other, &err), SX_EINVAL);
    cr_assert_eq(other.n, 0);
    make("kfold:4", NULL, NULL, NULL, 4, &other);
    cr_assert_eq(other.n, 4);
    sx_splits_clear(&sp);
    sx_splits_clear(&again);
    sx_splits_clear(&other);
}

Test(validate_split, holdout_size_and_seed)
{
    struct sx_splits sp = {0}, again = {0};
    make("holdout:0.2", NULL, NULL, NULL, 101, &sp);
    cr_assert_eq(sp.n, 1);
    cr_assert_eq(sp.folds[0].ntest, 21, "ceil(0.2 * 101) as ShuffleSplit");
    cr_assert_eq(sp.folds[0].ntrain, 80);
    cr_assert_str_eq(sp.folds[0].label, "holdout");
    check_no_leakage(&sp, 101, NULL);
    make("holdout:0.2", NULL, NULL, NULL, 101, &again);
    cr_assert(same_splits(&sp, &again));
    struct sx_split_spec s;
    struct sx_err err;
    sx_splits_clear(&again);
    sx_split_parse("holdout:0.5", &s, &err);
    cr_assert_eq(sx_split_make(&s, NULL, NULL, NULL, 1, &again, &err), SX_EINVAL,
                 "one row cannot be split");
    sx_splits_clear(&sp);
    sx_splits_clear(&again);
}

Test(validate_split, stratified_keeps_class_shares)
{
    enum { N = 250 };
    static double y[N];
    tu_rng_seed(3);
    size_t npos = 0;
    for (size_t i = 0; i < N; i++) {
        y[i] = tu_rnd(5) == 0;
        npos += y[i] == 1.0;
    }
    struct sx_splits sp = {0};
    make("stratified:4", NULL, NULL, y, N, &sp);
    cr_assert_eq(sp.n, 4);
    check_no_leakage(&sp, N, NULL);
    size_t lo[2] = {SIZE_MAX, SIZE_MAX}, hi[2] = {0, 0}, smin = SIZE_MAX, smax = 0;
    for (size_t k = 0; k < 4; k++) {
        size_t c[2] = {0, 0};
        for (size_t j = 0; j < sp.folds[k].ntest; j++)
            c[y[sp.folds[k].test[j]] == 1.0]++;
        for (int q = 0; q < 2; q++) {
            lo[q] = c[q] < lo[q] ? c[q] : lo[q];
            hi[q] = c[q] > hi[q] ? c[q] : hi[q];
        }
        smin = sp.folds[k].ntest < smin ? sp.folds[k].ntest : smin;
        smax = sp.folds[k].ntest > smax ? sp.folds[k].ntest : smax;
    }
    cr_assert_leq(hi[0] - lo[0], 1, "negatives spread evenly");
    cr_assert_leq(hi[1] - lo[1], 1, "positives spread evenly (%zu)", npos);
    cr_assert_leq(smax - smin, 1);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(times_tested(&sp, i), 1);
    sx_splits_clear(&sp);

    double bad[] = {0, 1, 2, 1};
    struct sx_split_spec s;
    struct sx_err err;
    sx_split_parse("stratified:2", &s, &err);
    cr_assert_eq(sx_split_make(&s, NULL, NULL, bad, 4, &sp, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "0/1"), "%s", err.msg);
    cr_assert_eq(sx_split_make(&s, NULL, NULL, NULL, 4, &sp, &err), SX_EINVAL);
    double few[] = {0, 1, 0, 1};
    sx_split_parse("stratified:3", &s, &err);
    cr_assert_eq(sx_split_make(&s, NULL, NULL, few, 4, &sp, &err), SX_EINVAL,
                 "every class smaller than K");
}

Test(validate_sklearn, stratified_allocation_as_sklearn)
{
    const char *py = tu_sklearn_python("");
    enum { N = 173 };
    static double y[N];
    tu_rng_seed(17);
    for (size_t i = 0; i < N; i++)
        y[i] = tu_rnd(7) < 2;
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "y.csv");
    FILE *fp = fopen(path, "w");
    fprintf(fp, "y\n");
    for (size_t i = 0; i < N; i++)
        fprintf(fp, "%g\n", y[i]);
    fclose(fp);
    char *args[] = {"stratified_allocation", path, "y", "5", NULL};
    json_t *ref = run_ref(py, args);
    struct sx_splits sp = {0};
    make("stratified:5", NULL, NULL, y, N, &sp);
    json_t *alloc = json_object_get(ref, "allocation");
    for (size_t k = 0; k < 5; k++) {
        size_t c[2] = {0, 0};
        for (size_t j = 0; j < sp.folds[k].ntest; j++)
            c[y[sp.folds[k].test[j]] == 1.0]++;
        for (size_t q = 0; q < 2; q++)
            cr_assert_eq((json_int_t)c[q],
                         json_integer_value(json_array_get(json_array_get(alloc, k), q)),
                         "fold %zu class %zu", k, q);
    }
    sx_splits_clear(&sp);
    json_decref(ref);
    free(path);
    tu_rmrf(dir);
    free(dir);
}

/* A frame with a category column "g" of LABELS (NULL: missing). */
static struct sx_frame *group_frame(char **g, size_t n)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    struct sx_column *c = label_column(g, n);
    cr_assert_eq(sx_frame_adopt(f, c, &err), SX_OK, "%s", err.msg);
    return f;
}

Test(validate_split, group_kfold_keeps_groups_whole)
{
    enum { N = 300 };
    static char *g[N];
    tu_rng_seed(8);
    uint8_t excluded[N] = {0};
    for (size_t i = 0; i < N; i++) {
        g[i] = (char *)labels[tu_rnd(NLABELS) * tu_rnd(2)];   /* uneven sizes */
        if (tu_rnd(15) == 0)
            g[i] = NULL;
    }
    struct sx_frame *f = group_frame(g, N);
    /* Rows in reverse: design row i is frame row N-1-i. */
    size_t rows[N];
    for (size_t i = 0; i < N; i++)
        rows[i] = N - 1 - i;
    struct sx_splits sp = {0};
    make("group:g:4", f, rows, NULL, N, &sp);
    cr_assert_eq(sp.n, 4);
    check_no_leakage(&sp, N, excluded);
    for (size_t k = 0; k < sp.n; k++) {
        /* No label on both sides; missing labels only in training. */
        for (size_t i = 0; i < sp.folds[k].ntest; i++) {
            const char *lt = g[rows[sp.folds[k].test[i]]];
            cr_assert(lt, "a row without a group in a test set");
            for (size_t j = 0; j < sp.folds[k].ntrain; j++) {
                const char *lr = g[rows[sp.folds[k].train[j]]];
                cr_assert(!lr || strcmp(lt, lr) != 0, "group %s on both sides of fold %zu", lt,
                          k);
            }
        }
    }
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(times_tested(&sp, i), g[rows[i]] ? 1u : 0u);
    sx_splits_clear(&sp);
    /* The default K of 5 is cut to the number of groups. */
    char *two[] = {"a", "b", "a", "b", "a"};
    struct sx_frame *f2 = group_frame(two, 5);
    make("group:g", f2, NULL, NULL, 5, &sp);
    cr_assert_eq(sp.n, 2);
    sx_splits_clear(&sp);
    /* One group, an unknown column. */
    char *one[] = {"a", "a", NULL};
    struct sx_frame *f1 = group_frame(one, 3);
    struct sx_split_spec s;
    struct sx_err err;
    sx_split_parse("group:g", &s, &err);
    cr_assert_eq(sx_split_make(&s, f1, NULL, NULL, 3, &sp, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "at least 2"), "%s", err.msg);
    sx_split_parse("logo:g", &s, &err);
    cr_assert_eq(sx_split_make(&s, f1, NULL, NULL, 3, &sp, &err), SX_EINVAL);
    sx_split_parse("group:nope", &s, &err);
    cr_assert_eq(sx_split_make(&s, f1, NULL, NULL, 3, &sp, &err), SX_ENOTFOUND);
    sx_frame_free(f);
    sx_frame_free(f1);
    sx_frame_free(f2);
}

Test(validate_sklearn, group_kfold_as_sklearn)
{
    const char *py = tu_sklearn_python("");
    enum { N = 400 };
    static char *g[N];
    static const char *const names[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
                                        "r8", "r9", "ra", "rb"};
    tu_rng_seed(31);
    for (size_t i = 0; i < N; i++) {
        /* Skewed sizes with some ties: r0 most, rb least. */
        size_t a = tu_rnd(12), b = tu_rnd(12);
        g[i] = (char *)names[a < b ? a : b];
    }
    g[0] = g[1] = "rc";   /* two groups of two: a tie GroupKFold breaks by order */
    g[2] = g[3] = "rd";
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "g.csv");
    FILE *fp = fopen(path, "w");
    fprintf(fp, "g\n");
    for (size_t i = 0; i < N; i++)
        fprintf(fp, "%s\n", g[i]);
    fclose(fp);
    struct sx_frame *f = group_frame(g, N);
    for (int k = 2; k <= 5; k++) {
        char ks[16], spec[48];
        snprintf(ks, sizeof ks, "%d", k);
        snprintf(spec, sizeof spec, "group:g:%d", k);
        char *args[] = {"groupkfold", path, "g", ks, NULL};
        json_t *ref = run_ref(py, args);
        json_t *fold = json_object_get(ref, "fold");
        struct sx_splits sp = {0};
        make(spec, f, NULL, NULL, N, &sp);
        cr_assert_eq(sp.n, (size_t)k);
        for (size_t q = 0; q < sp.n; q++)
            for (size_t j = 0; j < sp.folds[q].ntest; j++) {
                size_t i = sp.folds[q].test[j];
                cr_assert_eq((json_int_t)q, json_integer_value(json_array_get(fold, i)),
                             "K=%d row %zu (%s)", k, i, g[i]);
            }
        sx_splits_clear(&sp);
        json_decref(ref);
    }
    sx_frame_free(f);
    free(path);
    tu_rmrf(dir);
    free(dir);
}

Test(validate_split, leave_one_group_out)
{
    char *g[] = {"b", "a", NULL, "c", "a", "b", "c", "a"};
    struct sx_frame *f = group_frame(g, 8);
    struct sx_splits sp = {0};
    make("logo:g", f, NULL, NULL, 8, &sp);
    cr_assert_eq(sp.n, 3, "one fold per group");
    const char *want[] = {"a", "b", "c"};
    uint8_t excluded[8] = {0};
    check_no_leakage(&sp, 8, excluded);
    for (size_t k = 0; k < 3; k++) {
        cr_assert_str_eq(sp.folds[k].label, want[k]);
        for (size_t j = 0; j < sp.folds[k].ntest; j++)
            cr_assert_str_eq(g[sp.folds[k].test[j]], want[k]);
        for (size_t j = 0; j < sp.folds[k].ntrain; j++) {
            const char *l = g[sp.folds[k].train[j]];
            cr_assert(!l || strcmp(l, want[k]) != 0);
        }
        cr_assert_eq(sp.folds[k].ntrain + sp.folds[k].ntest, 8, "missing row trains");
    }
    sx_splits_clear(&sp);
    sx_frame_free(f);

    /* Numbers in numeric order, as np.unique. */
    struct sx_frame *fn = sx_frame_new();
    struct sx_err err;
    struct sx_column *c = sx_col_new("n", SX_FLOAT);
    double v[] = {10, 9, 2.5, 10, 9};
    for (size_t i = 0; i < 5; i++)
        sx_col_push_f64(c, v[i]);
    cr_assert_eq(sx_frame_adopt(fn, c, &err), SX_OK);
    make("logo:n", fn, NULL, NULL, 5, &sp);
    cr_assert_eq(sp.n, 3);
    cr_assert_str_eq(sp.folds[0].label, "2.5");
    cr_assert_str_eq(sp.folds[1].label, "9");
    cr_assert_str_eq(sp.folds[2].label, "10");
    sx_splits_clear(&sp);
    sx_frame_free(fn);
}

/* A frame with a date column "d" (days, or seconds when SECS) of DAYS
 * (INT64_MIN: missing). */
static struct sx_frame *date_frame(const int64_t *days, size_t n, int secs)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    struct sx_column *c = sx_col_new("d", SX_DATE);
    c->unit = secs ? SX_SECONDS : SX_DAYS;
    for (size_t i = 0; i < n; i++) {
        if (days[i] == INT64_MIN)
            sx_col_push_missing(c);
        else
            sx_col_push_i64(c, secs ? days[i] * 86400 + 3600 * (int64_t)(i % 24) : days[i]);
    }
    cr_assert_eq(sx_frame_adopt(f, c, &err), SX_OK);
    return f;
}

static void check_time_order(const struct sx_splits *sp, const int64_t *day)
{
    for (size_t k = 0; k < sp->n; k++) {
        const struct sx_fold *fd = &sp->folds[k];
        int64_t maxtrain = INT64_MIN, mintest = INT64_MAX;
        for (size_t j = 0; j < fd->ntrain; j++)
            maxtrain = day[fd->train[j]] > maxtrain ? day[fd->train[j]] : maxtrain;
        for (size_t j = 0; j < fd->ntest; j++)
            mintest = day[fd->test[j]] < mintest ? day[fd->test[j]] : mintest;
        cr_assert(maxtrain < mintest, "fold %zu: train reaches %lld, test starts %lld", k,
                  (long long)maxtrain, (long long)mintest);
        cr_assert(fd->ntrain > 0);
    }
}

Test(validate_split, time_forward_chaining_by_month)
{
    enum { N = 500 };
    static int64_t day[N];
    tu_rng_seed(4);
    int64_t d0 = sx_date_from_ymd(2022, 11, 17);
    for (size_t i = 0; i < N; i++) {
        day[i] = d0 + (int64_t)tu_rnd(200);
        if (day[i] >= sx_date_from_ymd(2023, 2, 1) && day[i] < sx_date_from_ymd(2023, 3, 1))
            day[i] += 31;   /* February empty: no fold for it */
    }
    day[7] = INT64_MIN;
    struct sx_frame *f = date_frame(day, N, 0);
    struct sx_splits sp = {0};
    make("time:d:month", f, NULL, NULL, N, &sp);
    /* Windows Nov (training only), Dec, Jan, Mar, Apr, May, and June when
     * a date falls there. */
    const char *want[] = {"2022-12", "2023-01", "2023-03", "2023-04", "2023-05", "2023-06"};
    int64_t y;
    int m, dd;
    size_t expect = 5;
    for (size_t i = 0; i < N; i++)
        if (day[i] >= sx_date_from_ymd(2023, 6, 1))
            expect = 6;
    cr_assert_eq(sp.n, expect, "%zu folds", sp.n);
    for (size_t k = 0; k < sp.n; k++)
        cr_assert_str_eq(sp.folds[k].label, want[k]);
    check_time_order(&sp, day);
    check_no_leakage(&sp, N, NULL);
    /* Windows consecutive: fold k trains on everything before its window
     * (fold k-1's train plus its test) and the row without a date is
     * nowhere. */
    for (size_t k = 1; k < sp.n; k++)
        cr_assert_eq(sp.folds[k].ntrain, sp.folds[k - 1].ntrain + sp.folds[k - 1].ntest);
    for (size_t k = 0; k < sp.n; k++) {
        for (size_t j = 0; j < sp.folds[k].ntrain; j++)
            cr_assert_neq(sp.folds[k].train[j], 7);
        for (size_t j = 0; j < sp.folds[k].ntest; j++) {
            cr_assert_neq(sp.folds[k].test[j], 7);
            int64_t ty;
            int tm, td;
            sx_date_to_ymd(day[sp.folds[k].test[j]], &ty, &tm, &td);
            char lab[16];
            snprintf(lab, sizeof lab, "%lld-%02d", (long long)ty, tm);
            cr_assert_str_eq(lab, sp.folds[k].label);
        }
    }
    /* Every dated row after November is tested exactly once. */
    for (size_t i = 0; i < N; i++) {
        if (i == 7)
            continue;
        sx_date_to_ymd(day[i], &y, &m, &dd);
        cr_assert_eq(times_tested(&sp, i), (y == 2022 && m == 11) ? 0u : 1u, "row %zu", i);
    }
    sx_splits_clear(&sp);
    sx_frame_free(f);
}

Test(validate_split, time_windows_weeks_quarters_years_and_multiples)
{
    int64_t day[] = {
        sx_date_from_ymd(2021, 1, 3),    /* Sunday: ISO week 2020-W53 */
        sx_date_from_ymd(2021, 1, 4),    /* Monday: 2021-W01 */
        sx_date_from_ymd(2021, 1, 11),   /* 2021-W02 */
        sx_date_from_ymd(2021, 5, 20),   /* Q2 */
        sx_date_from_ymd(2022, 12, 31),  /* 2022-Q4, 2022-W52 */
        sx_date_from_ymd(2021, 3, 31),   /* Q1 */
    };
    size_t n = 6;
    struct sx_splits sp = {0};
    struct sx_frame *f = date_frame(day, n, 0);
    make("time:d:week", f, NULL, NULL, n, &sp);
    cr_assert_eq(sp.n, 5);
    const char *wk[] = {"2021-W01", "2021-W02", "2021-W13", "2021-W20", "2022-W52"};
    for (size_t k = 0; k < sp.n; k++)
        cr_assert_str_eq(sp.folds[k].label, wk[k]);
    cr_assert_eq(sp.folds[0].ntrain, 1, "the Sunday trains the first fold");
    check_time_order(&sp, day);
    sx_splits_clear(&sp);

    make("time:d:quarter", f, NULL, NULL, n, &sp);
    cr_assert_eq(sp.n, 2);
    cr_assert_str_eq(sp.folds[0].label, "2021-Q2");
    cr_assert_str_eq(sp.folds[1].label, "2022-Q4");
    cr_assert_eq(sp.folds[0].ntrain, 4);
    check_time_order(&sp, day);
    sx_splits_clear(&sp);

    make("time:d:year", f, NULL, NULL, n, &sp);
    cr_assert_eq(sp.n, 1);
    cr_assert_str_eq(sp.folds[0].label, "2022");
    cr_assert_eq(sp.folds[0].ntrain, 5);
    sx_splits_clear(&sp);

    make("time:d:6m", f, NULL, NULL, n, &sp);   /* from January 2021 */
    cr_assert_eq(sp.n, 1);
    cr_assert_str_eq(sp.folds[0].label, "2022-07..2022-12");
    sx_splits_clear(&sp);

    make("time:d:2w", f, NULL, NULL, n, &sp);   /* from Monday 2020-12-28 */
    cr_assert_str_eq(sp.folds[0].label, "2021-W02..2021-W03");
    check_time_order(&sp, day);
    sx_splits_clear(&sp);

    make("time:d:10d", f, NULL, NULL, n, &sp);  /* from 2021-01-03 */
    cr_assert_str_eq(sp.folds[0].label, "2021-03-24..2021-04-02", "empty windows skipped");
    sx_splits_clear(&sp);

    make("time:d:day", f, NULL, NULL, n, &sp);
    cr_assert_eq(sp.n, 5);
    cr_assert_str_eq(sp.folds[0].label, "2021-01-04");
    sx_splits_clear(&sp);
    sx_frame_free(f);

    /* Timestamps in seconds fall in the window of their day. */
    struct sx_frame *fs = date_frame(day, n, 1);
    make("time:d:quarter", fs, NULL, NULL, n, &sp);
    cr_assert_eq(sp.n, 2);
    cr_assert_str_eq(sp.folds[1].label, "2022-Q4");
    sx_splits_clear(&sp);
    sx_frame_free(fs);
}

Test(validate_split, time_errors)
{
    int64_t day[] = {sx_date_from_ymd(2023, 1, 2), sx_date_from_ymd(2023, 1, 30)};
    struct sx_frame *f = date_frame(day, 2, 0);
    struct sx_split_spec s;
    struct sx_err err;
    struct sx_splits sp = {0};
    sx_split_parse("time:d:month", &s, &err);
    cr_assert_eq(sx_split_make(&s, f, NULL, NULL, 2, &sp, &err), SX_EINVAL, "one window");
    cr_assert(strstr(err.msg, "fewer than 2 windows"), "%s", err.msg);
    sx_split_parse("time:nope:month", &s, &err);
    cr_assert_eq(sx_split_make(&s, f, NULL, NULL, 2, &sp, &err), SX_ENOTFOUND);
    char *g[] = {"a", "b"};
    struct sx_frame *fg = group_frame(g, 2);
    sx_split_parse("time:g:day", &s, &err);
    cr_assert_eq(sx_split_make(&s, fg, NULL, NULL, 2, &sp, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "not a date"), "%s", err.msg);
    cr_assert_eq(sp.n, 0);
    sx_frame_free(fg);
    sx_frame_free(f);
    int64_t none[] = {INT64_MIN, INT64_MIN};
    struct sx_frame *fn = date_frame(none, 2, 0);
    sx_split_parse("time:d:week", &s, &err);
    cr_assert_eq(sx_split_make(&s, fn, NULL, NULL, 2, &sp, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "no row has a date"), "%s", err.msg);
    sx_frame_free(fn);
}
