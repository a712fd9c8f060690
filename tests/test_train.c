/* tests/test_train.c: training orchestration (core/train.h) and its
 * commands (`sextant train`, `sweep`, `predict-run`) and the demo's runs.
 * Core: the features picked, out-of-fold predictions and metrics equal to
 * fitting the folds by hand, per-group and validation metrics, the final
 * model independent of the split and of the thread count, preparation
 * errors, sweep axis parsing (lists, linear and log ranges, random draws)
 * and trial expansion, a recorded run holding every field, a sweep's
 * parent, children and best, a cancelled run marked killed. CLI: the
 * --json shape of train and sweep, the lineage in the store (data set,
 * hash, fit, split, env, resources), coefficients equal with and without a
 * split and equal to scikit-learn's (tests/ref/train_sklearn.py), predict-
 * run's output equal to the model's predictions, errors exiting 1 or 2
 * with no run left running, and the demo's runs. */
#include "testcli.h"

#include <math.h>

#include "csv.h"
#include "featstore.h"
#include "json.h"
#include "models.h"
#include "runs.h"
#include "store.h"
#include "strbuf.h"
#include "train.h"
#include "validate.h"

static void setup(void)
{
    unsetenv("SEXTANT_STORE");
}

TestSuite(train, .init = setup);

/* ---- data ---- */

/* N rows of a regression and a binary problem: x1 x2 x3 (numbers), g (3
 * groups), kind (a category), d (dates, a quarter of a year apart every 30
 * rows), y (numeric target), yb (0/1), ybad (0/1/2). */
static void write_data(const char *path, size_t n, uint64_t seed)
{
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    tu_rng_seed(seed);
    fputs("x1,x2,x3,g,kind,d,y,yb,ybad\n", fp);
    static const char *groups[] = {"north", "south", "east"};
    for (size_t i = 0; i < n; i++) {
        double x1 = tu_unif() * 10, x2 = tu_unif() * 5, x3 = 0.5 * x1 + tu_unif();
        const char *g = groups[i % 3];
        double noise = (tu_unif() + tu_unif() + tu_unif() - 1.5);
        double y = 1.5 + 2 * x1 - 0.7 * x2 + 0.3 * x3 + noise + (i % 3 == 1 ? 1.0 : 0.0);
        int yb = (x1 - 5 + 2 * noise + (i % 3 == 2 ? 1 : 0)) > 0;
        int day = (int)(i * 3 % 28) + 1, month = (int)((i / 30) % 4) * 3 + 1,
            year = 2019 + (int)(i / 120);
        fprintf(fp, "%.6f,%.6f,%.6f,%s,%s,%04d-%02d-%02d,%.6f,%d,%d\n", x1, x2, x3, g,
                i % 2 ? "u" : "v", year, month, day, y, yb, (int)(i % 3));
    }
    cr_assert_eq(fclose(fp), 0);
}

static struct sx_frame *load(const char *path)
{
    struct sx_csv_opts co;
    struct sx_err err;
    sx_csv_opts_init(&co);
    struct sx_frame *f = sx_csv_load(path, &co, NULL, &err);
    cr_assert(f, "%s", err.msg);
    return f;
}

static const char *const excl_y[] = {"yb", "ybad"};
static const char *const excl_b[] = {"y", "ybad"};

static struct sx_train_data *prep(const struct sx_frame *f, const char *target, int binary,
                                  const char *split, const char *by)
{
    struct sx_train_opts o;
    struct sx_err err;
    memset(&o, 0, sizeof o);
    o.target = target;
    o.binary = binary;
    o.exclude = binary ? excl_b : excl_y;
    o.nexclude = 2;
    o.by = by;
    o.threads = 2;
    cr_assert_eq(sx_split_parse(split, &o.split, &err), SX_OK, "%s", err.msg);
    struct sx_train_data *d = sx_train_prepare(f, NULL, &o, &err);
    cr_assert(d, "prepare: %s", err.msg);
    return d;
}

static void assert_metrics_eq(const struct sx_metrics *a, const struct sx_metrics *b)
{
    cr_assert_eq(a->task, b->task);
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < sx_metric_count(a->task); i++) {
        cr_assert_eq(a->defined[i], b->defined[i], "metric %zu", i);
        if (a->defined[i])
            cr_assert(a->v[i] == b->v[i] || (isnan(a->v[i]) && isnan(b->v[i])),
                      "%s: %.17g vs %.17g", sx_metric_name(a->task, i), a->v[i], b->v[i]);
    }
}

/* The out-of-fold predictions of D by hand: every fold fitted and its test
 * rows predicted (NaN elsewhere). */
static double *manual_oof(const struct sx_train_data *d, enum sx_algo a,
                          const struct sx_model_params *p)
{
    struct sx_splits sp;
    struct sx_err err;
    cr_assert_eq(sx_split_make(&d->split, d->frame, d->design.rows, d->design.y, d->design.n,
                               &sp, &err), SX_OK, "%s", err.msg);
    double *pred = malloc(d->design.n * sizeof *pred);
    for (size_t i = 0; i < d->design.n; i++)
        pred[i] = NAN;
    for (size_t k = 0; k < sp.n; k++) {
        struct sx_model m;
        cr_assert_eq(sx_model_fit(a, p, &d->design, sp.folds[k].train, sp.folds[k].ntrain, &m,
                                  &err), SX_OK, "%s", err.msg);
        double *t = malloc((sp.folds[k].ntest + 1) * sizeof *t);
        sx_model_predict(&m, &d->design, sp.folds[k].test, sp.folds[k].ntest, t);
        for (size_t i = 0; i < sp.folds[k].ntest; i++)
            pred[sp.folds[k].test[i]] = t[i];
        free(t);
        sx_model_clear(&m);
    }
    sx_splits_clear(&sp);
    return pred;
}

/* Compact (ACTUAL, PRED, SCORE, ROWS) of the rows with a prediction. */
static size_t compact(const struct sx_train_data *d, const double *p, double *actual,
                      double *pred, double *score, size_t *rows)
{
    size_t k = 0;
    for (size_t i = 0; i < d->design.n; i++) {
        if (isnan(p[i]))
            continue;
        actual[k] = d->design.y[i];
        rows[k] = d->design.rows[i];
        pred[k] = d->task == SX_TASK_BINARY ? (p[i] > 0.5 ? 1.0 : 0.0) : p[i];
        score[k] = p[i];
        k++;
    }
    return k;
}

static char *tmpfile_in(char **dir, const char *name)
{
    *dir = tu_tmpdir();
    return tu_path(*dir, name);
}

/* ---- preparing ---- */

Test(train, features_are_numbers_and_bools_but_target_and_excluded)
{
    char *dir, *path = tmpfile_in(&dir, "a.csv");
    write_data(path, 90, 1);
    struct sx_frame *f = load(path);
    struct sx_train_data *d = prep(f, "y", 0, "none", NULL);
    cr_assert_eq(d->design.p, 3);
    cr_assert_str_eq(d->design.names[0], "x1");
    cr_assert_str_eq(d->design.names[1], "x2");
    cr_assert_str_eq(d->design.names[2], "x3");
    cr_assert_eq(d->design.n, 90);
    cr_assert_eq(d->splits.n, 0);
    cr_assert_str_eq(d->split_text, "none");
    sx_train_data_free(d);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

Test(train, prepare_errors)
{
    char *dir, *path = tmpfile_in(&dir, "a.csv");
    write_data(path, 60, 2);
    struct sx_frame *f = load(path);
    struct sx_train_opts o;
    struct sx_err err;
    memset(&o, 0, sizeof o);
    o.target = "nope";
    cr_assert_null(sx_train_prepare(f, NULL, &o, &err));
    cr_assert_eq(err.code, SX_ENOTFOUND);
    cr_assert(strstr(err.msg, "target 'nope'"), "%s", err.msg);
    o.target = "kind";
    cr_assert_null(sx_train_prepare(f, NULL, &o, &err));
    cr_assert_eq(err.code, SX_ETYPE);
    cr_assert(strstr(err.msg, "category"), "%s", err.msg);
    o.target = "ybad";
    o.binary = 1;
    cr_assert_null(sx_train_prepare(f, NULL, &o, &err));
    cr_assert_eq(err.code, SX_ETYPE, "%s", err.msg);
    o.target = "y";
    o.binary = 0;
    o.by = "nope";
    cr_assert_null(sx_train_prepare(f, NULL, &o, &err));
    cr_assert_eq(err.code, SX_ENOTFOUND);
    cr_assert(strstr(err.msg, "--by column 'nope'"), "%s", err.msg);
    o.by = NULL;
    cr_assert_eq(sx_split_parse("logo:nope", &o.split, &err), SX_OK);
    cr_assert_null(sx_train_prepare(f, NULL, &o, &err));
    cr_assert_eq(err.code, SX_ENOTFOUND, "%s", err.msg);
    memset(&o.split, 0, sizeof o.split);
    static const char *const all[] = {"x1", "x2", "x3", "yb", "ybad"};
    o.exclude = all;
    o.nexclude = 5;
    cr_assert_null(sx_train_prepare(f, NULL, &o, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert(strstr(err.msg, "no number or bool column"), "%s", err.msg);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

/* ---- training ---- */

Test(train, out_of_fold_metrics_equal_hand_fitted_folds)
{
    char *dir, *path = tmpfile_in(&dir, "a.csv");
    write_data(path, 150, 3);
    struct sx_frame *f = load(path);
    static const char *const splits[] = {"kfold:5", "holdout:0.3", "time:d:quarter", "logo:g",
                                         "group:g:3"};
    for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        struct sx_train_data *d = prep(f, "y", 0, splits[s], "g");
        struct sx_model_params p;
        struct sx_train_result r;
        struct sx_err err;
        sx_model_params_default(&p);
        p.alpha = 0.5;
        cr_assert_eq(sx_train_eval(d, SX_ALGO_RIDGE, &p, 0, &r, &err), SX_OK, "%s", err.msg);
        cr_assert_eq(r.nfolds, d->splits.n);
        cr_assert_gt(r.nfolds, 0, "%s", splits[s]);
        double *pred = manual_oof(d, SX_ALGO_RIDGE, &p);
        size_t n = d->design.n, withp = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert(pred[i] == r.pred[i] || (isnan(pred[i]) && isnan(r.pred[i])),
                      "%s row %zu: %.17g vs %.17g", splits[s], i, pred[i], r.pred[i]);
            withp += !isnan(pred[i]);
        }
        double *act = malloc(n * sizeof *act), *pv = malloc(n * sizeof *pv),
               *sc = malloc(n * sizeof *sc);
        size_t *rows = malloc(n * sizeof *rows);
        size_t m = compact(d, pred, act, pv, sc, rows);
        cr_assert_eq(m, withp);
        struct sx_metrics want;
        sx_metrics_compute(SX_TASK_REGRESSION, act, pv, NULL, NULL, m, &want);
        assert_metrics_eq(&r.metrics, &want);
        cr_assert_eq(r.metrics.n, withp);
        struct sx_group_metrics *g;
        size_t ng;
        long gc = sx_frame_find(d->frame, "g");
        cr_assert_eq(sx_metrics_by_group(SX_TASK_REGRESSION, act, pv, NULL, rows, m,
                                         d->frame->cols[gc], &g, &ng, &err), SX_OK);
        cr_assert_eq(ng, r.ngroups);
        for (size_t k = 0; k < ng; k++) {
            cr_assert_str_eq(g[k].label, r.groups[k].label);
            assert_metrics_eq(&g[k].m, &r.groups[k].m);
        }
        sx_group_metrics_free(g, ng);
        free(act);
        free(pv);
        free(sc);
        free(rows);
        free(pred);
        sx_train_result_clear(&r);
        sx_train_data_free(d);
    }
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

Test(train, final_model_does_not_depend_on_split_or_threads)
{
    char *dir, *path = tmpfile_in(&dir, "a.csv");
    write_data(path, 120, 4);
    struct sx_frame *f = load(path);
    static const char *const splits[] = {"none", "kfold:4", "time:d:quarter", "logo:g"};
    enum sx_algo algos[] = {SX_ALGO_OLS, SX_ALGO_RIDGE, SX_ALGO_LOGISTIC};
    for (size_t a = 0; a < 3; a++) {
        int bin = algos[a] == SX_ALGO_LOGISTIC;
        struct sx_model ref;
        struct sx_err err;
        struct sx_model_params p;
        sx_model_params_default(&p);
        struct sx_train_data *d0 = prep(f, bin ? "yb" : "y", bin, "none", NULL);
        cr_assert_eq(sx_model_fit(algos[a], &p, &d0->design, NULL, 0, &ref, &err), SX_OK);
        sx_train_data_free(d0);
        for (size_t s = 0; s < 4; s++) {
            if (bin && strcmp(splits[s], "kfold:4") == 0)
                continue;
            struct sx_train_data *d = prep(f, bin ? "yb" : "y", bin, splits[s], NULL);
            for (int th = 1; th <= 2; th++) {
                struct sx_train_result r;
                cr_assert_eq(sx_train_eval(d, algos[a], &p, th, &r, &err), SX_OK, "%s",
                             err.msg);
                cr_assert_eq(r.model.p, ref.p);
                cr_assert_eq(memcmp(r.model.coef, ref.coef, ref.p * sizeof *ref.coef), 0,
                             "%s %s threads %d: coefficients differ", sx_algo_name(algos[a]),
                             splits[s], th);
                cr_assert(r.model.intercept == ref.intercept);
                sx_train_result_clear(&r);
            }
            sx_train_data_free(d);
        }
        sx_model_clear(&ref);
    }
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

Test(train, binary_metrics_use_label_and_score)
{
    char *dir, *path = tmpfile_in(&dir, "a.csv");
    write_data(path, 200, 5);
    struct sx_frame *f = load(path);
    struct sx_train_data *d = prep(f, "yb", 1, "stratified:4", "g");
    struct sx_model_params p;
    struct sx_train_result r;
    struct sx_err err;
    sx_model_params_default(&p);
    p.C = 2;
    cr_assert_eq(sx_train_eval(d, SX_ALGO_LOGISTIC, &p, 0, &r, &err), SX_OK, "%s", err.msg);
    double *pred = manual_oof(d, SX_ALGO_LOGISTIC, &p);
    size_t n = d->design.n;
    double *act = malloc(n * sizeof *act), *pv = malloc(n * sizeof *pv), *sc = malloc(n * sizeof *sc);
    size_t *rows = malloc(n * sizeof *rows);
    size_t m = compact(d, pred, act, pv, sc, rows);
    struct sx_metrics want;
    sx_metrics_compute(SX_TASK_BINARY, act, pv, sc, NULL, m, &want);
    assert_metrics_eq(&r.metrics, &want);
    cr_assert_eq(r.metrics.task, SX_TASK_BINARY);
    cr_assert(r.metrics.defined[4] && r.metrics.defined[5], "auc and logloss defined");
    cr_assert_eq(r.ngroups, 3);
    /* Regression algorithms refuse binary-prepared data. */
    struct sx_train_result r2;
    cr_assert_eq(sx_train_eval(d, SX_ALGO_OLS, &p, 0, &r2, &err), SX_EINVAL);
    free(act);
    free(pv);
    free(sc);
    free(rows);
    free(pred);
    sx_train_result_clear(&r);
    sx_train_data_free(d);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

Test(train, in_sample_metrics_and_validation_sets)
{
    char *dir, *path = tmpfile_in(&dir, "a.csv"), *vpath = tu_path(dir, "v.csv");
    write_data(path, 90, 6);
    write_data(vpath, 45, 7);
    struct sx_frame *f = load(path), *vf = load(vpath);
    struct sx_train_data *d = prep(f, "y", 0, "none", "g");
    struct sx_err err;
    cr_assert_eq(sx_train_add_validation(d, "later", vf, NULL, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_train_add_validation(d, "later", vf, NULL, &err), SX_EEXIST);
    struct sx_model_params p;
    struct sx_train_result r;
    sx_model_params_default(&p);
    cr_assert_eq(sx_train_eval(d, SX_ALGO_OLS, &p, 0, &r, &err), SX_OK, "%s", err.msg);
    /* In sample: the final model's own predictions. */
    double *in = malloc(d->design.n * sizeof *in);
    sx_model_predict(&r.model, &d->design, NULL, d->design.n, in);
    cr_assert_eq(memcmp(in, r.pred, d->design.n * sizeof *in), 0);
    struct sx_metrics want;
    sx_metrics_compute(SX_TASK_REGRESSION, d->design.y, in, NULL, NULL, d->design.n, &want);
    assert_metrics_eq(&r.metrics, &want);
    free(in);
    /* The validation set: the final model on its rows. */
    cr_assert_eq(r.nval, 1);
    cr_assert_str_eq(r.val[0].name, "later");
    const struct sx_design *vd = &d->vsets[0].design;
    cr_assert_eq(vd->n, 45);
    double *vp = malloc(vd->n * sizeof *vp);
    sx_model_predict(&r.model, vd, NULL, vd->n, vp);
    sx_metrics_compute(SX_TASK_REGRESSION, vd->y, vp, NULL, NULL, vd->n, &want);
    assert_metrics_eq(&r.val[0].m, &want);
    struct sx_group_metrics *g;
    size_t ng;
    cr_assert_eq(sx_metrics_by_group(SX_TASK_REGRESSION, vd->y, vp, NULL, vd->rows, vd->n,
                                     d->vsets[0].by, &g, &ng, &err), SX_OK);
    cr_assert_eq(ng, 3);
    cr_assert_eq(r.val[0].ngroups, 3);
    for (size_t k = 0; k < ng; k++) {
        cr_assert_str_eq(g[k].label, r.val[0].groups[k].label);
        assert_metrics_eq(&g[k].m, &r.val[0].groups[k].m);
    }
    sx_group_metrics_free(g, ng);
    free(vp);

    /* JSON: the contract's keys, and the stored groups with COL@DATASET. */
    json_t *j = sx_train_result_json("RID", d, &r);
    const char *keys[] = {"run", "metrics", "groups", "validation", "coefficients", "intercept"};
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        cr_assert_lt(i, 6);
        cr_assert_str_eq(k, keys[i]);
        i++;
    }
    cr_assert_eq(i, 6);
    cr_assert_eq(json_object_size(json_object_get(j, "groups")), 1);
    cr_assert(json_object_get(json_object_get(j, "groups"), "g"));
    cr_assert(json_object_get(json_object_get(j, "validation"), "later"));
    cr_assert_eq(json_object_size(json_object_get(j, "coefficients")), 3);
    json_decref(j);
    j = sx_train_groups_json(d, &r, 1);
    cr_assert_eq(json_object_size(j), 2);
    cr_assert(json_object_get(j, "g@later"));
    json_decref(j);

    /* A validation frame without a feature is refused. */
    struct sx_frame *bad = sx_frame_new();
    cr_assert(sx_frame_add(bad, "y", SX_FLOAT, &err));
    cr_assert_eq(sx_train_add_validation(d, "bad", bad, NULL, &err), SX_ENOTFOUND);
    cr_assert(strstr(err.msg, "validation set 'bad'"), "%s", err.msg);
    sx_frame_free(bad);
    sx_train_result_clear(&r);
    sx_train_data_free(d);
    sx_frame_free(vf);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(vpath);
    free(path);
    free(dir);
}

/* ---- sweeps: parsing ---- */

Test(train, number_text_is_shortest)
{
    char b[40];
    cr_assert_str_eq(sx_train_num_text(0.1, b, sizeof b), "0.1");
    cr_assert_str_eq(sx_train_num_text(10, b, sizeof b), "10");
    cr_assert_str_eq(sx_train_num_text(100, b, sizeof b), "100");
    cr_assert_str_eq(sx_train_num_text(1e-5, b, sizeof b), "1e-05");
    cr_assert_str_eq(sx_train_num_text(1.0 / 3, b, sizeof b), "0.3333333333333333");
    cr_assert_str_eq(sx_train_num_text(0.001, b, sizeof b), "0.001");
}

Test(train, grid_axes)
{
    struct sx_sweep s;
    struct sx_err err;
    sx_sweep_init(&s);
    cr_assert_eq(s.seed, 42);
    cr_assert_eq(sx_sweep_add_grid(&s, "alpha=0.001..10:log:8", &err), SX_OK, "%s", err.msg);
    cr_assert_eq(s.axes[0].nvalues, 8);
    cr_assert_str_eq(s.axes[0].values[0], "0.001");
    cr_assert_str_eq(s.axes[0].values[7], "10");
    for (size_t i = 0; i < 8; i++) {
        /* numpy.geomspace(0.001, 10, 8) */
        double want = pow(10.0, -3.0 + 4.0 * (double)i / 7.0);
        double got = strtod(s.axes[0].values[i], NULL);
        cr_assert(fabs(got - want) <= 1e-15 * want, "%zu: %s vs %.17g", i,
                  s.axes[0].values[i], want);
    }
    cr_assert_eq(sx_sweep_add_grid(&s, "C=0.1,1,10", &err), SX_OK);
    cr_assert_eq(s.axes[1].nvalues, 3);
    cr_assert_str_eq(s.axes[1].values[1], "1");
    cr_assert_eq(sx_sweep_add_grid(&s, "tol=0..1:5", &err), SX_OK, "%s", err.msg);
    const char *lin[] = {"0", "0.25", "0.5", "0.75", "1"};
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(s.axes[2].values[i], lin[i]);
    cr_assert_eq(sx_sweep_add_grid(&s, "max_iter=7..7:1", &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(s.axes[3].values[0], "7");
    /* Errors leave the axes as they were. */
    static const char *const bad[] = {
        "alpha", "alpha=", "=1", "alpha=1,,2", "alpha=1,", "beta=1..", "beta=1..2",
        "beta=0..1:log:3", "beta=2..1:3", "beta=1..2:0", "beta=1..2:x", "beta=a..2:3",
        "beta=1..2:log:", "alpha=5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(sx_sweep_add_grid(&s, bad[i], &err), SX_EINVAL, "%s accepted", bad[i]);
        cr_assert_eq(s.naxes, 4, "%s", bad[i]);
    }
    sx_sweep_clear(&s);
    cr_assert_eq(s.naxes, 0);
}

Test(train, trials_are_the_grid_product_times_random_draws)
{
    struct sx_sweep s;
    struct sx_err err;
    struct sx_sweep_trial *t;
    size_t n;
    sx_sweep_init(&s);
    cr_assert_eq(sx_sweep_trials(&s, &t, &n, &err), SX_EINVAL);
    cr_assert_eq(sx_sweep_add_grid(&s, "a=1,2", &err), SX_OK);
    cr_assert_eq(sx_sweep_add_grid(&s, "b=x,y,z", &err), SX_OK);
    cr_assert_eq(sx_sweep_trials(&s, &t, &n, &err), SX_OK);
    cr_assert_eq(n, 6);
    const char *want[6][2] = {{"1", "x"}, {"1", "y"}, {"1", "z"}, {"2", "x"}, {"2", "y"}, {"2", "z"}};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(t[i].n, 2);
        cr_assert_str_eq(t[i].keys[0], "a");
        cr_assert_str_eq(t[i].values[0], want[i][0]);
        cr_assert_str_eq(t[i].values[1], want[i][1]);
    }
    sx_sweep_trials_free(t, n);

    cr_assert_eq(sx_sweep_add_random(&s, "c=0.01..100:log:4", &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_sweep_add_random(&s, "c=1..2:3", &err), SX_EINVAL);
    cr_assert_eq(sx_sweep_add_random(&s, "e=1,2", &err), SX_EINVAL);
    cr_assert_eq(sx_sweep_add_random(&s, "e=0..1:log:2", &err), SX_EINVAL);
    cr_assert_eq(sx_sweep_add_random(&s, "e=1..1:2", &err), SX_EINVAL);
    cr_assert_eq(sx_sweep_add_random(&s, "d=-1..1:2", &err), SX_OK);
    cr_assert_eq(sx_sweep_trials(&s, &t, &n, &err), SX_OK);
    cr_assert_eq(n, 24);
    double draws[4];
    for (size_t r = 0; r < 4; r++) {
        double c = strtod(t[r].values[2], NULL), dv = strtod(t[r].values[3], NULL);
        cr_assert(c >= 0.01 && c <= 100, "%g", c);
        cr_assert(dv >= -1 && dv <= 1, "%g", dv);
        draws[r] = c;
        /* The same draws for every grid point. */
        cr_assert_str_eq(t[r].values[2], t[4 + r].values[2]);
        cr_assert_str_eq(t[r].values[2], t[20 + r].values[2]);
    }
    cr_assert(draws[0] != draws[1] && draws[1] != draws[2]);
    struct sx_sweep_trial *t2;
    size_t n2;
    cr_assert_eq(sx_sweep_trials(&s, &t2, &n2, &err), SX_OK);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(t[i].values[2], t2[i].values[2], "same seed, same draws");
    sx_sweep_trials_free(t2, n2);
    s.seed = 7;
    cr_assert_eq(sx_sweep_trials(&s, &t2, &n2, &err), SX_OK);
    cr_assert_str_neq(t[0].values[2], t2[0].values[2]);
    sx_sweep_trials_free(t2, n2);
    sx_sweep_trials_free(t, n);

    /* Params through the model's rules. */
    struct sx_sweep s2;
    sx_sweep_init(&s2);
    cr_assert_eq(sx_sweep_add_grid(&s2, "alpha=0.5,2", &err), SX_OK);
    cr_assert_eq(sx_sweep_trials(&s2, &t, &n, &err), SX_OK);
    struct sx_model_params p;
    sx_model_params_default(&p);
    cr_assert_eq(sx_sweep_trial_params(&t[1], SX_ALGO_RIDGE, &p, &err), SX_OK);
    cr_assert_eq(p.alpha, 2.0);
    cr_assert_neq(sx_sweep_trial_params(&t[1], SX_ALGO_LOGISTIC, &p, &err), SX_OK);
    sx_sweep_trials_free(t, n);
    sx_sweep_clear(&s2);
    sx_sweep_clear(&s);
}

/* ---- recording ---- */

static struct sx_store *new_store(char **dir)
{
    char db[4096];
    struct sx_err err;
    *dir = tu_tmpdir();
    cr_assert_eq(sx_store_init(*dir, db, sizeof db, &err), SX_OK, "%s", err.msg);
    struct sx_store *st = sx_store_open(db, 0, &err);
    cr_assert(st, "%s", err.msg);
    return st;
}

static const char *kv(const struct sx_kv *list, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].key, key) == 0)
            return list[i].value;
    return NULL;
}

Test(train, recorded_run_holds_every_field)
{
    char *dir;
    struct sx_store *st = new_store(&dir);
    char *path = tu_path(dir, "a.csv"), *vpath = tu_path(dir, "v.csv");
    write_data(path, 90, 8);
    write_data(vpath, 30, 9);
    struct sx_frame *f = load(path), *vf = load(vpath);
    struct sx_train_data *d = prep(f, "y", 0, "kfold:3", "g");
    struct sx_err err;
    cr_assert_eq(sx_train_add_validation(d, "v", vf, NULL, &err), SX_OK);
    struct sx_model_params p;
    sx_model_params_default(&p);
    p.alpha = 0.25;
    struct sx_run_new rn = {.experiment = "exp", .name = "first", .author = "maria"};
    struct sx_train_lineage lin = {.source_path = path, .data_hash = "abc123"};
    struct sx_train_result r;
    char id[SX_UUID_LEN];
    cr_assert_eq(sx_train_run(st, d, SX_ALGO_RIDGE, &p, &rn, &lin, &r, id, &err), SX_OK, "%s",
                 err.msg);
    struct sx_run run;
    cr_assert_eq(sx_runs_get(st, id, &run, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(run.name, "first");
    cr_assert_str_eq(run.experiment, "exp");
    cr_assert_str_eq(run.author, "maria");
    cr_assert_str_eq(run.status, "finished");
    cr_assert_str_eq(run.kind, "run");
    cr_assert_gt(run.end_ms, 0);
    cr_assert_str_eq(run.algo, "ridge");
    cr_assert_str_eq(run.target, "y");
    cr_assert_str_eq(run.split, "kfold:3");
    cr_assert_str_eq(run.source_path, path);
    cr_assert_str_eq(run.data_hash, "abc123");
    cr_assert_str_eq(run.fit_id, "");
    cr_assert_str_eq(kv(run.params, run.nparams, "alpha"), "0.25");
    cr_assert_str_eq(kv(run.params, run.nparams, "split"), "kfold:3");
    cr_assert_str_eq(kv(run.params, run.nparams, "target"), "y");
    cr_assert_eq(run.nmetrics, 5);
    for (size_t i = 0; i < run.nmetrics; i++) {
        size_t k = 0;
        while (strcmp(sx_metric_name(SX_TASK_REGRESSION, k), run.metrics[i].key) != 0)
            k++;
        cr_assert(run.metrics[i].value == r.metrics.v[k], "%s", run.metrics[i].key);
    }
    /* The JSON texts. */
    json_error_t je;
    json_t *mj = json_loads(run.model_json, 0, &je);
    cr_assert(mj, "%s", run.model_json);
    struct sx_model m;
    cr_assert_eq(sx_model_from_json(mj, &m, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(memcmp(m.coef, r.model.coef, m.p * sizeof *m.coef), 0);
    sx_model_clear(&m);
    json_decref(mj);
    json_t *gj = json_loads(run.groups_json, 0, &je);
    cr_assert(json_object_get(gj, "g") && json_object_get(gj, "g@v"), "%s", run.groups_json);
    json_decref(gj);
    json_t *vj = json_loads(run.validation_json, 0, &je);
    cr_assert(json_object_get(json_object_get(vj, "v"), "rmse"), "%s", run.validation_json);
    json_decref(vj);
    json_t *ej = json_loads(run.env_json, 0, &je);
    cr_assert(json_object_get(ej, "sextant") && json_object_get(ej, "gsl"), "%s", run.env_json);
    json_decref(ej);
    json_t *rj = json_loads(run.resources_json, 0, &je);
    const char *rk[] = {"wall_s", "cpu_s", "peak_rss_mb", "rows_per_s", "rows", "threads"};
    for (size_t i = 0; i < 6; i++)
        cr_assert(json_is_number(json_object_get(rj, rk[i])), "%s in %s", rk[i],
                  run.resources_json);
    cr_assert_eq(json_integer_value(json_object_get(rj, "rows")), 90);
    cr_assert_gt(json_real_value(json_object_get(rj, "peak_rss_mb")), 0);
    json_decref(rj);
    sx_run_clear(&run);
    sx_train_result_clear(&r);
    sx_train_data_free(d);
    sx_frame_free(vf);
    sx_frame_free(f);
    sx_store_close(st);
    tu_rmrf(dir);
    free(vpath);
    free(path);
    free(dir);
}

static int always(void *ctx)
{
    (void)ctx;
    return 1;
}

Test(train, cancelled_run_is_killed_not_left_running)
{
    char *dir;
    struct sx_store *st = new_store(&dir);
    char *path = tu_path(dir, "a.csv");
    write_data(path, 60, 10);
    struct sx_frame *f = load(path);
    struct sx_train_data *d = prep(f, "y", 0, "kfold:3", NULL);
    d->cancel = always;
    struct sx_model_params p;
    struct sx_train_result r;
    struct sx_err err;
    char id[SX_UUID_LEN];
    sx_model_params_default(&p);
    cr_assert_eq(sx_train_run(st, d, SX_ALGO_OLS, &p, NULL, NULL, &r, id, &err), SX_ECANCEL);
    cr_assert(id[0]);
    struct sx_run run;
    cr_assert_eq(sx_runs_get(st, id, &run, &err), SX_OK);
    cr_assert_str_eq(run.status, "killed");
    cr_assert_gt(run.end_ms, 0);
    sx_run_clear(&run);
    sx_train_data_free(d);
    sx_frame_free(f);
    sx_store_close(st);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

Test(train, sweep_parent_children_and_best)
{
    char *dir;
    struct sx_store *st = new_store(&dir);
    char *path = tu_path(dir, "a.csv");
    write_data(path, 120, 11);
    struct sx_frame *f = load(path);
    struct sx_train_data *d = prep(f, "y", 0, "kfold:4", "g");
    struct sx_sweep s;
    struct sx_sweep_result sr;
    struct sx_err err;
    struct sx_model_params p;
    sx_model_params_default(&p);
    sx_sweep_init(&s);
    cr_assert_eq(sx_sweep_add_grid(&s, "alpha=0.01..1000:log:6", &err), SX_OK);
    struct sx_run_new rn = {.experiment = "sw", .name = "alpha sweep", .author = "tomas"};
    /* An unknown metric is refused before anything is written. */
    cr_assert_eq(sx_train_sweep(st, d, SX_ALGO_RIDGE, &p, &s, "auc", &rn, NULL, &sr, &err),
                 SX_EINVAL);
    sx_sweep_result_clear(&sr);
    for (int pass = 0; pass < 2; pass++) {
        const char *metric = pass ? "r2" : NULL;
        cr_assert_eq(sx_train_sweep(st, d, SX_ALGO_RIDGE, &p, &s, metric, &rn, NULL, &sr, &err),
                     SX_OK, "%s", err.msg);
        cr_assert_eq(sr.ntrials, 6);
        cr_assert_str_eq(sr.metric, pass ? "r2" : "rmse");
        size_t mi = pass ? 3 : 0;
        long best = -1;
        for (size_t k = 0; k < 6; k++) {
            cr_assert(sr.done[k].ok);
            /* Each trial equals training its params alone. */
            struct sx_model_params q = p;
            struct sx_train_result one;
            q.alpha = strtod(sr.done[k].trial.values[0], NULL);
            cr_assert_eq(sx_train_eval(d, SX_ALGO_RIDGE, &q, 1, &one, &err), SX_OK);
            assert_metrics_eq(&one.metrics, &sr.done[k].metrics);
            sx_train_result_clear(&one);
            double v = sr.done[k].metrics.v[mi];
            if (best < 0 || (pass ? v > sr.done[best].metrics.v[mi]
                                  : v < sr.done[best].metrics.v[mi]))
                best = (long)k;
        }
        cr_assert_eq(sr.best, best);
        struct sx_run parent, child;
        cr_assert_eq(sx_runs_get(st, sr.parent_id, &parent, &err), SX_OK);
        cr_assert_str_eq(parent.kind, "sweep");
        cr_assert_str_eq(parent.status, "finished");
        cr_assert_str_eq(parent.best_run_id, sr.done[best].id);
        cr_assert_str_eq(parent.best_metric, sr.metric);
        cr_assert_str_eq(kv(parent.tags, parent.ntags, "best_run"), sr.done[best].id);
        cr_assert_str_eq(kv(parent.params, parent.nparams, "trials"), "6");
        cr_assert_str_eq(kv(parent.params, parent.nparams, "sweep"),
                         "alpha=0.01,0.1,1,10,100,1000");
        sx_run_clear(&parent);
        char (*kids)[SX_UUID_LEN];
        size_t nk;
        cr_assert_eq(sx_runs_children(st, sr.parent_id, &kids, &nk, &err), SX_OK);
        cr_assert_eq(nk, 6);
        for (size_t k = 0; k < nk; k++) {
            cr_assert_eq(sx_runs_get(st, kids[k], &child, &err), SX_OK);
            cr_assert_str_eq(child.kind, "trial");
            cr_assert_str_eq(child.parent_id, sr.parent_id);
            cr_assert_str_eq(child.author, "tomas");
            cr_assert_str_eq(child.status, "finished");
            const char *tb = kv(child.tags, child.ntags, "best");
            cr_assert_eq(tb != NULL, strcmp(kids[k], sr.done[best].id) == 0);
            cr_assert(strncmp(child.name, "alpha=", 6) == 0, "%s", child.name);
            sx_run_clear(&child);
        }
        free(kids);
        sx_sweep_result_clear(&sr);
    }
    sx_sweep_clear(&s);
    sx_train_data_free(d);
    sx_frame_free(f);
    sx_store_close(st);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

/* ---- the command line ---- */

/* R must have exited 0; returns its stdout (caller frees). */
static char *ok_run(struct tu_run r, const char *what)
{
    cr_assert_eq(r.status, 0, "sextant %s: status %d: %s", what, r.status, r.err);
    free(r.err);
    return r.out;
}
#define ok(dir, ...) ok_run(tu_sextant(dir, __VA_ARGS__, NULL), #__VA_ARGS__)

static json_t *parse(const char *s)
{
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    cr_assert(j, "not JSON (%s): %s", je.text, s);
    return j;
}

/* One value of DIR's store as text (caller frees), or NULL. */
static char *sql1(const char *dir, const char *sql, const char *arg)
{
    char *db = tu_path(dir, ".sextant/store.db");
    sqlite3 *h;
    sqlite3_stmt *s;
    char *res = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        res = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(h);
    free(db);
    return res;
}

static long sqln(const char *dir, const char *sql, const char *arg)
{
    char *s = sql1(dir, sql, arg);
    long v = s ? strtol(s, NULL, 10) : -1;
    free(s);
    return v;
}

/* A project with data sets train (150 rows) and later (60 rows). */
static char *project(void)
{
    char *dir = tc_new_project();
    char *a = tu_path(dir, "train.csv"), *b = tu_path(dir, "later.csv");
    write_data(a, 150, 21);
    write_data(b, 60, 22);
    free(ok(dir, "import", a));
    free(ok(dir, "import", b));
    free(a);
    free(b);
    return dir;
}

/* Feature set fs from spec TEXT, fitted on data set train: the fit's id
 * (caller frees). */
static char *fit_spec(const char *dir, const char *text)
{
    char *spec = tu_path(dir, "fs.spec");
    tu_write(spec, text, (size_t)-1);
    free(ok(dir, "features", "add", "fs", spec));
    free(spec);
    char *fit = ok(dir, "features", "fit", "fs", "train");
    fit[36] = '\0';
    return fit;
}

/* `train --json` of ALGO with fit FIT, the target yb when BIN else y: the
 * report (its "run" the new run's id). */
static json_t *train_on_fit(const char *dir, const char *fit, const char *algo, int bin)
{
    char *out = ok(dir, "train", "train", "--target", bin ? "yb" : "y", "--algo", algo,
                   "--features", fit, "--exclude", bin ? "y" : "yb", "--exclude", "ybad",
                   "--json");
    json_t *j = parse(out);
    free(out);
    return j;
}

Test(train, cli_json_shape_lineage_and_split_independence)
{
    char *dir = project();
    char *fit = fit_spec(dir, "feature x1sq = x1 * x1\nstandardize x1, x2\n");
    char *out = ok(dir, "train", "train", "--target", "y", "--algo", "ridge", "--param",
                   "alpha=0.5", "--features", fit, "--split", "kfold:5", "--validate", "later",
                   "--by", "g", "--exclude", "yb", "--exclude", "ybad", "--experiment", "e1",
                   "--name", "n1", "--json");
    json_t *j = parse(out);
    const char *keys[] = {"run", "metrics", "groups", "validation", "coefficients", "intercept"};
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        cr_assert_lt(i, 6, "extra key %s", k);
        cr_assert_str_eq(k, keys[i]);
        i++;
    }
    cr_assert_eq(i, 6);
    const char *mk[] = {"rmse", "mse", "mae", "r2", "mape"};
    i = 0;
    json_object_foreach(json_object_get(j, "metrics"), k, v) {
        cr_assert_str_eq(k, mk[i]);
        cr_assert(json_is_number(v));
        i++;
    }
    cr_assert_eq(i, 5);
    json_t *g = json_object_get(json_object_get(j, "groups"), "g");
    cr_assert_eq(json_object_size(json_object_get(j, "groups")), 1);
    cr_assert(json_object_get(json_object_get(g, "east"), "rmse"));
    cr_assert_eq(json_object_size(g), 3);
    cr_assert(json_object_get(json_object_get(json_object_get(j, "validation"), "later"), "r2"));
    json_t *coef = json_object_get(j, "coefficients");
    const char *ck[] = {"x1", "x2", "x3", "x1sq"};
    i = 0;
    json_object_foreach(coef, k, v) {
        cr_assert_str_eq(k, ck[i]);
        i++;
    }
    cr_assert_eq(i, 4);
    cr_assert(json_is_number(json_object_get(j, "intercept")));

    /* The lineage in the store. */
    const char *id = json_string_value(json_object_get(j, "run"));
    char *v1;
    cr_assert_str_eq((v1 = sql1(dir, "SELECT status FROM runs WHERE id = ?1", id)), "finished");
    free(v1);
    char *dsid = sql1(dir, "SELECT id FROM datasets WHERE name = 'train'", NULL);
    char *dshash = sql1(dir, "SELECT content_hash FROM datasets WHERE name = 'train'", NULL);
    cr_assert_str_eq((v1 = sql1(dir, "SELECT dataset_id FROM runs WHERE id = ?1", id)), dsid);
    free(v1);
    cr_assert_str_eq((v1 = sql1(dir, "SELECT data_hash FROM runs WHERE id = ?1", id)), dshash);
    free(v1);
    cr_assert_str_eq((v1 = sql1(dir, "SELECT fit_id FROM runs WHERE id = ?1", id)), fit);
    free(v1);
    cr_assert_str_eq((v1 = sql1(dir, "SELECT split FROM runs WHERE id = ?1", id)), "kfold:5");
    free(v1);
    cr_assert_str_eq((v1 = sql1(dir, "SELECT name FROM runs WHERE id = ?1", id)), "n1");
    free(v1);
    v1 = sql1(dir, "SELECT source_path FROM runs WHERE id = ?1", id);
    cr_assert(v1 && strstr(v1, "train.csv"), "%s", v1);
    free(v1);
    v1 = sql1(dir, "SELECT env_json FROM runs WHERE id = ?1", id);
    cr_assert(v1 && strstr(v1, "\"sextant\""), "%s", v1);
    free(v1);
    v1 = sql1(dir, "SELECT resources_json FROM runs WHERE id = ?1", id);
    cr_assert(v1 && strstr(v1, "\"wall_s\"") && strstr(v1, "\"rows_per_s\"") &&
              strstr(v1, "\"peak_rss_mb\"") && strstr(v1, "\"cpu_s\""), "%s", v1);
    free(v1);
    cr_assert_eq(sqln(dir, "SELECT count(*) FROM run_params WHERE run_id = ?1 AND key = 'alpha' "
                           "AND value = '0.5'", id), 1);
    free(dsid);
    free(dshash);

    /* The coefficients do not depend on the split. */
    char *coef_kfold = json_dumps(coef, JSON_COMPACT | JSON_REAL_PRECISION(17));
    const char *splits[] = {"none", "holdout:0.2", "time:d:quarter", "logo:g"};
    for (size_t s = 0; s < 4; s++) {
        char *o2 = ok(dir, "train", "train", "--target", "y", "--algo", "ridge", "--param",
                      "alpha=0.5", "--features", fit, "--split", splits[s], "--exclude", "yb",
                      "--exclude", "ybad", "--json");
        json_t *j2 = parse(o2);
        char *c2 = json_dumps(json_object_get(j2, "coefficients"),
                              JSON_COMPACT | JSON_REAL_PRECISION(17));
        cr_assert_str_eq(c2, coef_kfold, "split %s", splits[s]);
        cr_assert(json_real_value(json_object_get(j2, "intercept")) ==
                  json_real_value(json_object_get(j, "intercept")));
        if (s == 0) {
            /* compare: the split differs, the environment rows are there
             * and the same (both trained here) */
            const char *id2 = json_string_value(json_object_get(j2, "run"));
            char *cmp = ok(dir, "compare", id, id2, "--json");
            json_t *cj = parse(cmp), *rows = json_object_get(cj, "rows");
            int seen = 0;
            for (size_t k = 0; k < json_array_size(rows); k++) {
                json_t *row = json_array_get(rows, k);
                const char *sec = json_string_value(json_object_get(row, "section"));
                const char *key = json_string_value(json_object_get(row, "key"));
                if (strcmp(sec, "env") == 0 && strcmp(key, "sqlite") == 0) {
                    cr_assert(json_is_false(json_object_get(row, "differs")));
                    cr_assert_str_eq(json_string_value(json_array_get(
                                         json_object_get(row, "values"), 0)), sqlite3_libversion());
                    seen |= 1;
                } else if (strcmp(sec, "field") == 0 && strcmp(key, "split") == 0) {
                    cr_assert(json_is_true(json_object_get(row, "differs")));
                    seen |= 2;
                }
            }
            cr_assert_eq(seen, 3, "%s", cmp);
            json_decref(cj);
            free(cmp);
        }
        free(c2);
        json_decref(j2);
        free(o2);
    }
    free(coef_kfold);
    cr_assert_eq(sqln(dir, "SELECT count(*) FROM runs WHERE status <> 'finished'", NULL), 0);
    json_decref(j);
    free(out);
    free(fit);
    tu_rmrf(dir);
    free(dir);
}

Test(train, cli_text_output)
{
    char *dir = project();
    char *out = ok(dir, "train", "train", "--target", "yb", "--algo", "logistic", "--split",
                   "stratified:3", "--by", "g", "--validate", "later", "--exclude", "y",
                   "--exclude", "ybad");
    cr_assert(strncmp(out, "run ", 4) == 0, "%s", out);
    cr_assert(strstr(out, "logistic on train@1: target yb, 150 rows, 3 features\n"), "%s", out);
    cr_assert(strstr(out, "split stratified:3: 3 folds, metrics out of fold\n"), "%s", out);
    cr_assert(strstr(out, "out of fold"), "%s", out);
    cr_assert(strstr(out, "  g=north"), "%s", out);
    cr_assert(strstr(out, "\nlater "), "%s", out);
    cr_assert(strstr(out, "(intercept)"), "%s", out);
    cr_assert(strstr(out, "converged"), "%s", out);
    free(out);
    tu_rmrf(dir);
    free(dir);
}

Test(train, cli_errors_exit_1_or_2_and_leave_no_run_running)
{
    char *dir = project();
    struct {
        int status;
        const char *want;
        const char *args[12];
    } cases[] = {
        {1, "target 'nope' is not a column", {"train", "--target", "nope", "--algo", "ols"}},
        {1, "is a category column", {"train", "--target", "kind", "--algo", "ols"}},
        {1, "ybad", {"train", "--target", "ybad", "--algo", "logistic"}},
        {2, "--param", {"train", "--target", "y", "--algo", "ridge", "--param", "C=1"}},
        {2, "--param", {"train", "--target", "y", "--algo", "ridge", "--param", "alpha=-1"}},
        {2, "--param", {"train", "--target", "y", "--algo", "ridge", "--param", "alpha"}},
        {2, "--split", {"train", "--target", "y", "--algo", "ols", "--split", "kfold:x"}},
        {2, "--split", {"train", "--target", "y", "--algo", "ols", "--split", "bogus"}},
        {2, "--algo", {"train", "--target", "y", "--algo", "forest"}},
        {2, "--target", {"train", "--algo", "ols"}},
        {1, "--by column 'zz'", {"train", "--target", "y", "--algo", "ols", "--by", "zz"}},
        {1, "zz", {"train", "--target", "y", "--algo", "ols", "--split", "logo:zz"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[20];
        size_t n = 0;
        char *bin = realpath(tu_bin(), NULL);
        argv[n++] = bin;
        argv[n++] = "train";
        for (size_t k = 0; cases[i].args[k]; k++)
            argv[n++] = (char *)cases[i].args[k];
        argv[n] = NULL;
        /* The data first: "train" is the data set's name. */
        struct tu_run r = tu_runv(dir, NULL, NULL, argv);
        cr_assert_eq(r.status, cases[i].status, "case %zu: status %d: %s", i, r.status, r.err);
        cr_assert(strstr(r.err, cases[i].want), "case %zu: %s", i, r.err);
        cr_assert(strchr(r.err, '\n') == r.err + strlen(r.err) - 1 || cases[i].status == 2,
                  "one line: %s", r.err);
        tu_run_free(&r);
        free(bin);
    }
    /* Sweep usage errors. */
    struct tu_run r = tu_sextant(dir, "sweep", "train", "--target", "y", "--algo", "ridge", NULL);
    cr_assert_eq(r.status, 2);
    tu_run_free(&r);
    r = tu_sextant(dir, "sweep", "train", "--target", "y", "--algo", "ridge", "--grid",
                   "C=1,2", NULL);
    cr_assert_eq(r.status, 2, "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "sweep", "train", "--target", "y", "--algo", "ridge", "--grid",
                   "alpha=1..0:3", NULL);
    cr_assert_eq(r.status, 2, "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "sweep", "train", "--target", "y", "--algo", "ridge", "--grid",
                   "alpha=1,2", "--metric", "auc", NULL);
    cr_assert_eq(r.status, 2, "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "train", "train", "--target", "y", "--algo", "ridge", "--grid",
                   "alpha=1,2", NULL);
    cr_assert_eq(r.status, 2, "train takes no --grid: %s", r.err);
    tu_run_free(&r);
    cr_assert_eq(sqln(dir, "SELECT count(*) FROM runs", NULL), 0);
    tu_rmrf(dir);
    free(dir);
}

Test(train, cli_sweep_json)
{
    char *dir = project();
    char *out = ok(dir, "sweep", "train", "--target", "y", "--algo", "ridge", "--grid",
                   "alpha=0.01..100:log:5", "--split", "kfold:3", "--exclude", "yb", "--exclude",
                   "ybad", "--experiment", "sw", "--json");
    json_t *j = parse(out);
    const char *parent = json_string_value(json_object_get(j, "parent"));
    cr_assert(parent);
    cr_assert_str_eq(json_string_value(json_object_get(j, "metric")), "rmse");
    json_t *trials = json_object_get(j, "trials");
    cr_assert_eq(json_array_size(trials), 5);
    const double alphas[] = {0.01, 0.1, 1, 10, 100};
    double bestv = INFINITY;
    const char *bestid = NULL;
    for (size_t i = 0; i < 5; i++) {
        json_t *t = json_array_get(trials, i);
        cr_assert_eq(json_real_value(json_object_get(json_object_get(t, "params"), "alpha")),
                     alphas[i]);
        cr_assert_str_eq(json_string_value(json_object_get(t, "status")), "finished");
        double v = json_real_value(json_object_get(json_object_get(t, "metrics"), "rmse"));
        const char *tid = json_string_value(json_object_get(t, "run"));
        if (v < bestv) {
            bestv = v;
            bestid = tid;
        }
        char *pid = sql1(dir, "SELECT parent_id FROM runs WHERE id = ?1", tid);
        cr_assert_str_eq(pid, parent);
        free(pid);
    }
    json_t *best = json_object_get(j, "best");
    cr_assert_str_eq(json_string_value(json_object_get(best, "run")), bestid);
    cr_assert(json_real_value(json_object_get(best, "value")) == bestv);
    char *v1;
    cr_assert_str_eq((v1 = sql1(dir, "SELECT kind FROM runs WHERE id = ?1", parent)), "sweep");
    free(v1);
    cr_assert_str_eq((v1 = sql1(dir, "SELECT best_run_id FROM runs WHERE id = ?1", parent)),
                     bestid);
    free(v1);
    cr_assert_eq(sqln(dir, "SELECT count(*) FROM runs WHERE kind = 'trial'", NULL), 5);
    cr_assert_eq(sqln(dir, "SELECT count(*) FROM runs WHERE status <> 'finished'", NULL), 0);
    json_decref(j);
    free(out);
    tu_rmrf(dir);
    free(dir);
}

/* The CSV text at PATH as rows of fields (simple: no quoting in our data). */
static size_t csv_column(const char *text, const char *name, double *out, size_t max)
{
    const char *line = text, *nl = strchr(line, '\n');
    size_t col = 0, n = 0;
    {
        char head[4096];
        snprintf(head, sizeof head, "%.*s", (int)(nl - line), line);
        char *save, *tok = strtok_r(head, ",", &save);
        size_t c = 0;
        col = SIZE_MAX;
        for (; tok; tok = strtok_r(NULL, ",", &save), c++)
            if (strcmp(tok, name) == 0)
                col = c;
        cr_assert_neq(col, SIZE_MAX, "no column %s", name);
    }
    for (line = nl + 1; *line && n < max; line = nl + 1) {
        nl = strchr(line, '\n');
        const char *p = line;
        for (size_t c = 0; c < col; c++)
            p = strchr(p, ',') + 1;
        out[n++] = (*p == ',' || *p == '\n') ? NAN : strtod(p, NULL);
    }
    return n;
}

Test(train, cli_predict_run_equals_the_model)
{
    char *dir = project();
    char *fit = fit_spec(dir, "standardize x1, x2\nonehot g top 2\n");
    const char *algos[] = {"ridge", "logistic"};
    for (size_t a = 0; a < 2; a++) {
        int bin = a == 1;
        json_t *j = train_on_fit(dir, fit, algos[a], bin);
        const char *id = json_string_value(json_object_get(j, "run"));
        char *in = tu_path(dir, "later.csv"), *outp = tu_path(dir, "pred.csv");
        char *said = ok(dir, "predict-run", id, in, "-o", outp);
        cr_assert(strstr(said, "(60 rows)"), "%s", said);
        free(said);
        char *csv = tu_read(outp, NULL);
        cr_assert(csv);
        cr_assert(strncmp(csv, "x1,x2,x3,g,kind,d,y,yb,ybad,prediction", 38) == 0, "%.80s", csv);
        double pred[100], lab[100];
        cr_assert_eq(csv_column(csv, "prediction", pred, 100), 60);
        if (bin)
            cr_assert_eq(csv_column(csv, "label", lab, 100), 60);

        /* The same model and fit, in process. */
        char db[4096];
        struct sx_err err;
        cr_assert_eq(sx_store_locate(dir, db, sizeof db, &err), SX_OK);
        struct sx_store *st = sx_store_open(db, SX_STORE_READONLY, &err);
        cr_assert(st);
        struct sx_run run;
        cr_assert_eq(sx_runs_get(st, id, &run, &err), SX_OK);
        cr_assert_str_eq(run.fit_id, fit);
        json_t *mj = parse(run.model_json);
        struct sx_model m;
        cr_assert_eq(sx_model_from_json(mj, &m, &err), SX_OK);
        struct sx_ffit_record rec;
        struct sx_fspec *sp;
        struct sx_ffit *ff;
        cr_assert_eq(sx_featstore_fit_get(st, fit, &rec, &err), SX_OK);
        cr_assert_eq(sx_featstore_fit_load(st, &rec, &sp, &ff, &err), SX_OK);
        struct sx_frame *raw = load(in);
        struct sx_frame *tf = sx_features_apply(ff, raw, SX_FMODE_INFERENCE, NULL, &err);
        cr_assert(tf, "%s", err.msg);
        double want[100];
        cr_assert_eq(sx_model_predict_frame(&m, tf, want, &err), SX_OK);
        for (size_t i = 0; i < 60; i++) {
            cr_assert(pred[i] == want[i], "row %zu: %.17g vs %.17g", i, pred[i], want[i]);
            if (bin)
                cr_assert_eq(lab[i], want[i] > 0.5 ? 1.0 : 0.0);
        }
        /* To stdout, the same text; the run from $SEXTANT_RUN too. */
        char *so = ok(dir, "predict-run", id, in);
        cr_assert_str_eq(so, csv);
        free(so);
        char envrun[64];
        snprintf(envrun, sizeof envrun, "SEXTANT_RUN=%.8s", id);
        char *env[] = {envrun, NULL};
        struct tu_run er = tu_sextant_env(dir, env, NULL, "predict-run", in, NULL);
        cr_assert_eq(er.status, 0, "%s", er.err);
        cr_assert_str_eq(er.out, csv);
        tu_run_free(&er);
        sx_frame_free(tf);
        sx_frame_free(raw);
        sx_ffit_free(ff);
        sx_fspec_free(sp);
        sx_ffit_record_clear(&rec);
        sx_model_clear(&m);
        json_decref(mj);
        sx_run_clear(&run);
        sx_store_close(st);
        free(csv);
        free(outp);
        free(in);
        json_decref(j);
    }
    /* A run without a model. */
    char *rid = ok(dir, "run", "start");
    rid[strcspn(rid, "\n")] = '\0';
    char *in = tu_path(dir, "later.csv");
    struct tu_run r = tu_sextant(dir, "predict-run", rid, in, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "has no model"), "%s", r.err);
    tu_run_free(&r);
    free(in);
    free(rid);
    free(fit);
    tu_rmrf(dir);
    free(dir);
}

/* `run sql`: the feature set and the model as one SELECT; run in SQLite
 * over the rows of later.csv it gives predict-run's predictions. */
Test(train, cli_run_sql_scores_like_predict_run)
{
    char *dir = project();
    char *fit = fit_spec(dir, "standardize x1, x2\nonehot g top 2\nfeature q = month(d)\n");
    const char *algos[] = {"ridge", "logistic"};
    for (size_t a = 0; a < 2; a++) {
        int bin = a == 1;
        json_t *j = train_on_fit(dir, fit, algos[a], bin);
        const char *id = json_string_value(json_object_get(j, "run"));
        char *in = tu_path(dir, "later.csv");
        char *csv = ok(dir, "predict-run", id, in);
        double want[100];
        cr_assert_eq(csv_column(csv, "prediction", want, 100), 60);
        char *sql = ok(dir, "run", "sql", id, "--table", "src");

        /* later.csv as table src, typed as sextant reads it */
        struct sx_frame *raw = load(in);
        sqlite3 *db;
        cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
        struct sx_sb ddl = {0}, ins = {0};
        sx_sb_puts(&ddl, "CREATE TABLE src (");
        sx_sb_puts(&ins, "INSERT INTO src VALUES (");
        for (size_t c = 0; c < raw->ncols; c++) {
            sx_sb_printf(&ddl, "%s\"%s\"", c ? ", " : "", raw->cols[c]->name);
            sx_sb_puts(&ins, c ? ", ?" : "?");
        }
        sx_sb_puts(&ddl, ")");
        sx_sb_puts(&ins, ")");
        cr_assert_eq(sqlite3_exec(db, ddl.s, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_stmt *q;
        cr_assert_eq(sqlite3_prepare_v2(db, ins.s, -1, &q, NULL), SQLITE_OK);
        for (size_t r = 0; r < raw->nrows; r++) {
            for (size_t c = 0; c < raw->ncols; c++) {
                const struct sx_column *col = raw->cols[c];
                char cell[64];
                if (!sx_col_valid(col, r))
                    sqlite3_bind_null(q, (int)c + 1);
                else if (col->type == SX_FLOAT || col->type == SX_INT)
                    sqlite3_bind_double(q, (int)c + 1, sx_col_num(col, r));
                else {
                    sx_col_format(col, r, cell, sizeof cell);
                    sqlite3_bind_text(q, (int)c + 1, cell, -1, SQLITE_TRANSIENT);
                }
            }
            cr_assert_eq(sqlite3_step(q), SQLITE_DONE);
            sqlite3_reset(q);
        }
        sqlite3_finalize(q);
        cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s\n%s",
                     sqlite3_errmsg(db), sql);
        int pc = -1, lc = -1;
        for (int c = 0; c < sqlite3_column_count(q); c++) {
            if (strcmp(sqlite3_column_name(q, c), "prediction") == 0)
                pc = c;
            if (strcmp(sqlite3_column_name(q, c), "label") == 0)
                lc = c;
        }
        cr_assert_geq(pc, 0);
        cr_assert_eq(lc >= 0, bin);
        size_t n = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            cr_assert_lt(n, 60);
            double got = sqlite3_column_double(q, pc);
            cr_assert(fabs(got - want[n]) <= 1e-12 * fmax(1.0, fabs(want[n])),
                      "row %zu: %.17g vs %.17g", n, got, want[n]);
            if (bin)
                cr_assert_eq(sqlite3_column_int(q, lc), want[n] > 0.5);
            n++;
        }
        cr_assert_eq(n, 60);
        sqlite3_finalize(q);
        sqlite3_close(db);
        free(ddl.s);
        free(ins.s);
        sx_frame_free(raw);
        free(sql);
        free(csv);
        free(in);
        json_decref(j);
    }
    /* A run without a model; a bad dialect. */
    char *rid = ok(dir, "run", "start");
    rid[strcspn(rid, "\n")] = '\0';
    struct tu_run r = tu_sextant(dir, "run", "sql", rid, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "has no model"), "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "run", "sql", rid, "--dialect", "oracle", NULL);
    cr_assert_eq(r.status, 2, "%s", r.err);
    tu_run_free(&r);
    free(rid);
    free(fit);
    tu_rmrf(dir);
    free(dir);
}

/* train --split none --json coefficients against scikit-learn (OLS,
 * ridge; logistic against sklearn's default fit, loosely). */
Test(train, cli_coefficients_match_sklearn)
{
    const char *py = tu_python_with("sklearn pandas");
    if (!py) {
        cr_skip_test("no python3 with scikit-learn");
        return;
    }
    char *dir = project();
    const char *src = getenv("SEXTANT_SRC");
    char *script = NULL;
    if (asprintf(&script, "%s/tests/ref/train_sklearn.py", src && *src ? src : ".") < 0)
        cr_assert_fail();
    char *data = tu_path(dir, "train.csv");
    const struct {
        const char *algo, *target, *param;
        double rtol, atol;
    } cases[] = {
        {"ols", "y", "alpha=1", 1e-8, 1e-10},
        {"ridge", "y", "alpha=2.5", 1e-8, 1e-10},
        {"logistic", "yb", "C=0.7", 1e-2, 1e-3},
    };
    for (size_t c = 0; c < 3; c++) {
        int bin = strcmp(cases[c].algo, "logistic") == 0;
        char *out;
        if (strcmp(cases[c].algo, "ols") == 0)
            out = ok(dir, "train", "train.csv", "--target", cases[c].target, "--algo", "ols",
                     "--exclude", "yb", "--exclude", "ybad", "--json");
        else
            out = ok(dir, "train", "train.csv", "--target", cases[c].target, "--algo",
                     cases[c].algo, "--param", cases[c].param, "--exclude", bin ? "y" : "yb",
                     "--exclude", "ybad", "--json");
        char *argv[] = {(char *)py, script, data, (char *)cases[c].algo, (char *)cases[c].target,
                        (char *)cases[c].param, NULL};
        struct tu_run r = tu_runv(NULL, NULL, NULL, argv);
        cr_assert_eq(r.status, 0, "%s", r.err);
        json_t *ref = parse(r.out), *got = parse(out);
        json_t *gc = json_object_get(got, "coefficients"), *rc = json_object_get(ref, "coefficients");
        cr_assert_eq(json_object_size(gc), json_object_size(rc));
        const char *k;
        json_t *v;
        json_object_foreach(rc, k, v) {
            double w = json_real_value(v), g = json_real_value(json_object_get(gc, k));
            cr_assert(fabs(g - w) <= fmax(cases[c].rtol * fabs(w), cases[c].atol),
                      "%s %s: %.17g vs sklearn %.17g", cases[c].algo, k, g, w);
        }
        double wi = json_real_value(json_object_get(ref, "intercept")),
               gi = json_real_value(json_object_get(got, "intercept"));
        cr_assert(fabs(gi - wi) <= fmax(cases[c].rtol * fabs(wi), cases[c].atol),
                  "%s intercept: %.17g vs %.17g", cases[c].algo, gi, wi);
        json_decref(ref);
        json_decref(got);
        tu_run_free(&r);
        free(out);
    }
    free(data);
    free(script);
    tu_rmrf(dir);
    free(dir);
}

Test(train, demo_trains_runs_once)
{
    char *dir = tu_tmpdir();
    char *demo = tu_path(dir, "d");
    char *out = ok(NULL, "demo", demo);
    cr_assert(strstr(out, "ols-demand"), "%s", out);
    cr_assert(strstr(out, "(best)"), "%s", out);
    free(out);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs", NULL), 9);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE status <> 'finished'", NULL), 0);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE kind = 'trial'", NULL), 5);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE kind = 'sweep' AND best_run_id "
                            "IS NOT NULL", NULL), 1);
    cr_assert_eq(sqln(demo, "SELECT count(DISTINCT author) FROM runs", NULL), 2);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE author NOT IN ('maria', 'tomas')",
                      NULL), 0);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs r JOIN experiments e ON e.id = "
                            "r.experiment_id WHERE e.name = 'peak' AND r.algo = 'logistic'",
                      NULL), 1);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE split = 'logo:region'", NULL), 1);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE fit_id IS NULL OR dataset_id IS "
                            "NULL OR validation_json NOT LIKE '%energy_2023%' OR groups_json "
                            "NOT LIKE '%\"region\"%'", NULL), 0);
    cr_assert_eq(sqln(demo, "SELECT count(DISTINCT author) FROM run_comments", NULL), 2);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs WHERE review <> ''", NULL), 3);
    long comments = sqln(demo, "SELECT count(*) FROM run_comments", NULL);
    cr_assert_gt(comments, 3);
    /* Again: nothing added. */
    out = ok(NULL, "demo", demo);
    cr_assert(strstr(out, "runs are trained already"), "%s", out);
    free(out);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM runs", NULL), 9);
    cr_assert_eq(sqln(demo, "SELECT count(*) FROM run_comments", NULL), comments);
    free(demo);
    tu_rmrf(dir);
    free(dir);
}
