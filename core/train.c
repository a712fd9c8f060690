/* core/train.c: training orchestration (core/train.h): preparing a frame
 * (feature-set fit, features, design, folds), training one configuration
 * over the folds in worker threads, the metrics overall, per group and per
 * validation set, the JSON of a result, and recording runs and sweeps in
 * the store (every store write from the calling thread). */
#include "train.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "env.h"
#include "json.h"

/* ---- small helpers ---- */

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of the process, or of the calling thread. */
static double cpu_s(int thread)
{
    struct rusage ru;
    if (getrusage(thread ? RUSAGE_THREAD : RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0;   /* Linux: kilobytes */
}

static int ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

static enum sx_status nomem(struct sx_err *err)
{
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

const char *sx_train_num_text(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return buf;
    }
    /* The shortest of the texts that read back as V: "10" rather than
     * "1e+01", "1e-05" rather than "1.0000000000000001e-05". */
    char best[40] = "";
    for (int prec = 1; prec <= 17; prec++) {
        char t[40];
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (strtod(t, NULL) == v && (!best[0] || strlen(t) < strlen(best)))
            snprintf(best, sizeof best, "%s", t);
    }
    snprintf(buf, size, "%s", best);
    return buf;
}

/* JSON J as compact text (17 digits, insertion order), taking J's
 * reference. NULL when out of memory. */
static char *json_text(json_t *j)
{
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) |
                                JSON_ENCODE_ANY);
    json_decref(j);
    return s;
}

static int cancelled(const struct sx_train_data *d)
{
    return d->cancel && d->cancel(d->cancel_ctx);
}

/* ---- preparing ---- */

void sx_train_data_free(struct sx_train_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nvsets; i++) {
        free(d->vsets[i].name);
        sx_design_clear(&d->vsets[i].design);
        sx_frame_free(d->vsets[i].owned);
    }
    free(d->vsets);
    sx_splits_clear(&d->splits);
    sx_design_clear(&d->design);
    sx_frame_free(d->owned);
    free(d->target);
    free(d->by);
    free(d);
}

static int is_feature_type(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_BOOL;
}

/* Check that TARGET is a numeric or bool column of F (WHAT names F in
 * messages). */
static enum sx_status check_target(const struct sx_frame *f, const char *target,
                                   const char *what, struct sx_err *err)
{
    long t = sx_frame_find(f, target);
    if (t < 0)
        return sx_err_set(err, SX_ENOTFOUND, "target '%s' is not a column of %s", target, what);
    enum sx_type ty = f->cols[t]->type;
    if (!is_feature_type(ty))
        return sx_err_set(err, SX_ETYPE,
                          "target '%s' is a %s column; the target must be a number or a bool",
                          target, sx_type_name(ty));
    return SX_OK;
}

struct sx_train_data *sx_train_prepare(const struct sx_frame *raw, const struct sx_ffit *fit,
                                       const struct sx_train_opts *o, struct sx_err *err)
{
    double t0 = mono_s(), c0 = cpu_s(0);
    struct sx_train_data *d = calloc(1, sizeof *d);
    const char **names = NULL;
    const char *what = fit ? "the feature set's output" : "the data";

    if (!d) {
        nomem(err);
        return NULL;
    }
    if (!o->target || !*o->target) {
        sx_err_set(err, SX_EINVAL, "a target column is needed");
        goto fail;
    }
    d->split = o->split;
    d->task = o->binary ? SX_TASK_BINARY : SX_TASK_REGRESSION;
    d->threads = o->threads > 0 ? o->threads : ncpus();
    d->cancel = o->cancel;
    d->cancel_ctx = o->cancel_ctx;
    d->rows_in = raw->nrows;
    sx_split_format(&o->split, d->split_text, sizeof d->split_text);
    if (!(d->target = strdup(o->target)) || (o->by && !(d->by = strdup(o->by)))) {
        nomem(err);
        goto fail;
    }
    /* The target must be in the input too: a fit that makes it is fine,
     * but a name absent from both is reported against the input. */
    if (fit) {
        if (!(d->owned = sx_features_apply(fit, raw, SX_FMODE_TRAIN, NULL, err)))
            goto fail;
        d->frame = d->owned;
    } else {
        d->frame = raw;
    }
    if (check_target(d->frame, o->target, what, err) != SX_OK)
        goto fail;
    if (o->by) {
        long b = sx_frame_find(d->frame, o->by);
        if (b < 0) {
            sx_err_set(err, SX_ENOTFOUND, "--by column '%s' is not a column of %s", o->by, what);
            goto fail;
        }
        d->by_col = d->frame->cols[b];
    }
    for (size_t i = 0; i < o->nexclude; i++)
        if (sx_frame_find(d->frame, o->exclude[i]) < 0) {
            sx_err_set(err, SX_ENOTFOUND, "excluded column '%s' is not a column of %s",
                       o->exclude[i], what);
            goto fail;
        }

    /* The features: every number and bool column but the target and the
     * excluded ones, in frame order. */
    size_t nf = 0;
    if (!(names = malloc((d->frame->ncols ? d->frame->ncols : 1) * sizeof *names))) {
        nomem(err);
        goto fail;
    }
    for (size_t j = 0; j < d->frame->ncols; j++) {
        const struct sx_column *c = d->frame->cols[j];
        int skip = !is_feature_type(c->type) || strcmp(c->name, o->target) == 0;
        for (size_t k = 0; k < o->nexclude && !skip; k++)
            skip = strcmp(c->name, o->exclude[k]) == 0;
        if (!skip)
            names[nf++] = c->name;
    }
    if (nf == 0) {
        sx_err_set(err, SX_EINVAL, "%s has no number or bool column to use as a feature "
                   "besides the target '%s'", what, o->target);
        goto fail;
    }
    if (sx_design_from_frame(d->frame, o->target, names, nf, o->binary, &d->design, err) !=
        SX_OK)
        goto fail;
    free(names);
    names = NULL;
    if (sx_split_make(&o->split, d->frame, d->design.rows, d->design.y, d->design.n,
                      &d->splits, err) != SX_OK)
        goto fail;
    d->prep_wall_s = mono_s() - t0;
    d->prep_cpu_s = cpu_s(0) - c0;
    return d;
fail:
    free(names);
    sx_train_data_free(d);
    return NULL;
}

enum sx_status sx_train_add_validation(struct sx_train_data *d, const char *name,
                                       const struct sx_frame *raw, const struct sx_ffit *fit,
                                       struct sx_err *err)
{
    struct sx_train_vset v;
    enum sx_status rc;
    char what[300];

    for (size_t i = 0; i < d->nvsets; i++)
        if (strcmp(d->vsets[i].name, name) == 0)
            return sx_err_set(err, SX_EEXIST, "validation set '%s' is given twice", name);
    memset(&v, 0, sizeof v);
    snprintf(what, sizeof what, "validation set '%s'", name);
    if (!(v.name = strdup(name)))
        return nomem(err);
    if (fit) {
        if (!(v.owned = sx_features_apply(fit, raw, SX_FMODE_INFERENCE, NULL, err))) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            rc = sx_err_set(err, err->code, "%s: %s", what, msg);
            goto fail;
        }
        v.frame = v.owned;
    } else {
        v.frame = raw;
    }
    if ((rc = check_target(v.frame, d->target, what, err)) != SX_OK)
        goto fail;
    for (size_t j = 0; j < d->design.p; j++)
        if (sx_frame_find(v.frame, d->design.names[j]) < 0) {
            rc = sx_err_set(err, SX_ENOTFOUND, "%s has no column '%s' (a feature of the model)",
                            what, d->design.names[j]);
            goto fail;
        }
    if (d->by) {
        long b = sx_frame_find(v.frame, d->by);
        if (b < 0) {
            rc = sx_err_set(err, SX_ENOTFOUND, "%s has no --by column '%s'", what, d->by);
            goto fail;
        }
        v.by = v.frame->cols[b];
    }
    if ((rc = sx_design_from_frame(v.frame, d->target, (const char *const *)d->design.names,
                                   d->design.p, d->task == SX_TASK_BINARY, &v.design, err)) !=
        SX_OK) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = sx_err_set(err, rc, "%s: %s", what, msg);
        goto fail;
    }
    struct sx_train_vset *nv = realloc(d->vsets, (d->nvsets + 1) * sizeof *nv);
    if (!nv) {
        rc = nomem(err);
        goto fail;
    }
    d->vsets = nv;
    d->vsets[d->nvsets++] = v;
    return SX_OK;
fail:
    free(v.name);
    sx_design_clear(&v.design);
    sx_frame_free(v.owned);
    return rc;
}

/* ---- training ---- */

void sx_train_result_clear(struct sx_train_result *r)
{
    if (!r)
        return;
    sx_model_clear(&r->model);
    free(r->pred);
    sx_group_metrics_free(r->groups, r->ngroups);
    for (size_t i = 0; i < r->nval; i++)
        sx_group_metrics_free(r->val[i].groups, r->val[i].ngroups);
    free(r->val);
    memset(r, 0, sizeof *r);
}

/* The jobs of one training: fold k < nfolds fits on its training rows and
 * predicts its test rows into PRED[k]; job nfolds is the final fit on
 * every row. */
struct eval_ctx {
    const struct sx_train_data *d;
    enum sx_algo algo;
    const struct sx_model_params *params;
    size_t njobs;
    double **pred;                  /* nfolds buffers of ntest values */
    struct sx_model *final;
    pthread_mutex_t mu;
    size_t next;
    enum sx_status rc;              /* the first error */
    struct sx_err err;
};

static void eval_fail(struct eval_ctx *x, enum sx_status rc, const struct sx_err *e)
{
    pthread_mutex_lock(&x->mu);
    if (x->rc == SX_OK) {
        x->rc = rc;
        x->err = *e;
    }
    pthread_mutex_unlock(&x->mu);
}

static void eval_job(struct eval_ctx *x, size_t k)
{
    const struct sx_train_data *d = x->d;
    struct sx_err e;
    enum sx_status rc;

    if (cancelled(d)) {
        sx_err_set(&e, SX_ECANCEL, "cancelled");
        eval_fail(x, SX_ECANCEL, &e);
        return;
    }
    if (k == d->splits.n) {
        if ((rc = sx_model_fit(x->algo, x->params, &d->design, NULL, 0, x->final, &e)) != SX_OK)
            eval_fail(x, rc, &e);
        return;
    }
    const struct sx_fold *f = &d->splits.folds[k];
    struct sx_model m;
    memset(&m, 0, sizeof m);
    if ((rc = sx_model_fit(x->algo, x->params, &d->design, f->train, f->ntrain, &m, &e)) !=
        SX_OK) {
        char msg[sizeof e.msg];
        snprintf(msg, sizeof msg, "%s", e.msg);
        sx_err_set(&e, rc, "%s: %s", f->label ? f->label : "fold", msg);
        eval_fail(x, rc, &e);
        return;
    }
    sx_model_predict(&m, &d->design, f->test, f->ntest, x->pred[k]);
    sx_model_clear(&m);
}

static void *eval_worker(void *arg)
{
    struct eval_ctx *x = arg;
    for (;;) {
        pthread_mutex_lock(&x->mu);
        size_t k = x->next++;
        int stop = x->rc != SX_OK;
        pthread_mutex_unlock(&x->mu);
        if (k >= x->njobs || stop)
            break;
        eval_job(x, k);
    }
    return NULL;
}

/* Metrics of predictions P (probabilities for binary) of the rows of
 * design DS with a prediction, overall into *M and per group of BY (may be
 * NULL) into *G / *NG. */
static enum sx_status score(enum sx_task task, const struct sx_design *ds, const double *p,
                            const struct sx_column *by, struct sx_metrics *m,
                            struct sx_group_metrics **g, size_t *ng, struct sx_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->n; i++)
        n += !isnan(p[i]);
    double *actual = malloc((n ? n : 1) * sizeof *actual);
    double *pred = malloc((n ? n : 1) * sizeof *pred);
    double *sc = task == SX_TASK_BINARY ? malloc((n ? n : 1) * sizeof *sc) : NULL;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    enum sx_status rc = SX_OK;

    *g = NULL;
    *ng = 0;
    if (!actual || !pred || !rows || (task == SX_TASK_BINARY && !sc)) {
        rc = nomem(err);
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < ds->n; i++) {
        if (isnan(p[i]))
            continue;
        actual[k] = ds->y[i];
        rows[k] = ds->rows[i];
        if (task == SX_TASK_BINARY) {
            pred[k] = p[i] > 0.5 ? 1.0 : 0.0;
            sc[k] = p[i];
        } else {
            pred[k] = p[i];
        }
        k++;
    }
    sx_metrics_compute(task, actual, pred, sc, NULL, n, m);
    if (by)
        rc = sx_metrics_by_group(task, actual, pred, sc, rows, n, by, g, ng, err);
out:
    free(actual);
    free(pred);
    free(sc);
    free(rows);
    return rc;
}

enum sx_status sx_train_eval(const struct sx_train_data *d, enum sx_algo algo,
                             const struct sx_model_params *params, int threads,
                             struct sx_train_result *out, struct sx_err *err)
{
    struct eval_ctx x;
    enum sx_status rc = SX_OK;
    size_t nf = d->splits.n;
    double t0 = mono_s();

    memset(out, 0, sizeof *out);
    memset(&x, 0, sizeof x);
    if (threads <= 0)
        threads = d->threads;
    if ((size_t)threads > nf + 1)
        threads = (int)(nf + 1);
    double c0 = cpu_s(threads == 1);
    out->algo = algo;
    out->params = *params;
    out->start_ms = sx_runs_now_ms();
    out->threads = threads;
    out->n = d->design.n;
    out->nfolds = nf;
    if (sx_algo_is_binary(algo) != (d->task == SX_TASK_BINARY))
        return sx_err_set(err, SX_EINVAL, "%s needs data prepared for a %s target", sx_algo_name(algo),
                          sx_algo_is_binary(algo) ? "binary" : "numeric");
    if (!(out->pred = malloc((d->design.n ? d->design.n : 1) * sizeof *out->pred)))
        return nomem(err);
    for (size_t i = 0; i < d->design.n; i++)
        out->pred[i] = NAN;

    x.d = d;
    x.algo = algo;
    x.params = params;
    x.njobs = nf + 1;
    x.final = &out->model;
    if (nf && !(x.pred = calloc(nf, sizeof *x.pred))) {
        rc = nomem(err);
        goto out;
    }
    for (size_t k = 0; k < nf; k++)
        if (!(x.pred[k] = malloc((d->splits.folds[k].ntest ? d->splits.folds[k].ntest : 1) *
                                 sizeof **x.pred))) {
            rc = nomem(err);
            goto out;
        }
    pthread_mutex_init(&x.mu, NULL);
    if (threads == 1) {
        eval_worker(&x);
    } else {
        pthread_t tid[256];
        int started = 0;
        for (int t = 0; t < threads; t++) {
            if (pthread_create(&tid[t], NULL, eval_worker, &x) != 0)
                break;
            started++;
        }
        if (started == 0)
            eval_worker(&x);
        for (int t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
    }
    pthread_mutex_destroy(&x.mu);
    if (x.rc != SX_OK) {
        *err = x.err;
        rc = x.rc;
        goto out;
    }

    /* Out-of-fold predictions, in fold order; in-sample without folds. */
    if (nf) {
        for (size_t k = 0; k < nf; k++) {
            const struct sx_fold *f = &d->splits.folds[k];
            for (size_t i = 0; i < f->ntest; i++)
                out->pred[f->test[i]] = x.pred[k][i];
        }
    } else {
        sx_model_predict(&out->model, &d->design, NULL, d->design.n, out->pred);
    }
    if ((rc = score(d->task, &d->design, out->pred, d->by_col, &out->metrics, &out->groups,
                    &out->ngroups, err)) != SX_OK)
        goto out;

    /* The validation sets, predicted by the final model. */
    if (d->nvsets) {
        if (!(out->val = calloc(d->nvsets, sizeof *out->val))) {
            rc = nomem(err);
            goto out;
        }
        out->nval = d->nvsets;
        for (size_t v = 0; v < d->nvsets && rc == SX_OK; v++) {
            const struct sx_train_vset *vs = &d->vsets[v];
            double *p = malloc((vs->design.n ? vs->design.n : 1) * sizeof *p);
            if (!p) {
                rc = nomem(err);
                break;
            }
            out->val[v].name = vs->name;
            sx_model_predict(&out->model, &vs->design, NULL, vs->design.n, p);
            rc = score(d->task, &vs->design, p, vs->by, &out->val[v].m, &out->val[v].groups,
                       &out->val[v].ngroups, err);
            free(p);
        }
    }
out:
    if (x.pred)
        for (size_t k = 0; k < nf; k++)
            free(x.pred[k]);
    free(x.pred);
    out->wall_s = mono_s() - t0;
    out->cpu_s = cpu_s(threads == 1) - c0;
    if (rc != SX_OK) {
        int64_t start = out->start_ms;
        sx_train_result_clear(out);
        out->start_ms = start;
    }
    return rc;
}

/* ---- JSON ---- */

json_t *sx_train_groups_json(const struct sx_train_data *d, const struct sx_train_result *r,
                             int validation)
{
    json_t *o = json_object();
    if (!o || !d->by)
        return o;
    sx_json_set(o, d->by, sx_group_metrics_json(r->groups, r->ngroups));
    for (size_t v = 0; validation && v < r->nval; v++) {
        char key[1024];
        snprintf(key, sizeof key, "%s@%s", d->by, r->val[v].name);
        sx_json_set(o, key, sx_group_metrics_json(r->val[v].groups, r->val[v].ngroups));
    }
    return o;
}

json_t *sx_train_validation_json(const struct sx_train_result *r)
{
    json_t *o = json_object();
    for (size_t v = 0; o && v < r->nval; v++)
        sx_json_set(o, r->val[v].name, sx_metrics_json(&r->val[v].m));
    return o;
}

json_t *sx_train_result_json(const char *run_id, const struct sx_train_data *d,
                             const struct sx_train_result *r)
{
    json_t *o = json_object(), *coef = json_object();
    if (!o || !coef) {
        json_decref(o);
        json_decref(coef);
        return NULL;
    }
    sx_json_set(o, "run", run_id ? json_string(run_id) : json_null());
    sx_json_set(o, "metrics", sx_metrics_json(&r->metrics));
    sx_json_set(o, "groups", sx_train_groups_json(d, r, 0));
    sx_json_set(o, "validation", sx_train_validation_json(r));
    for (size_t j = 0; j < r->model.p; j++)
        sx_json_set(coef, r->model.names[j], sx_json_real(r->model.coef[j]));
    sx_json_set(o, "coefficients", coef);
    sx_json_set(o, "intercept", sx_json_real(r->model.intercept));
    return o;
}

/* ---- recording ---- */

/* Params and metrics of a run, with the text they point to. */
struct items {
    struct sx_log_item it[64];
    char text[64][40];
    size_t n;
};

/* A param or tag KEY = VALUE (none when VALUE is NULL or S is full). */
static void add_item(struct items *s, enum sx_log_kind kind, const char *key, const char *value)
{
    if (s->n >= sizeof s->it / sizeof s->it[0] || !value)
        return;
    struct sx_log_item *it = &s->it[s->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->key = key;
    it->value = value;
}

static void add_param(struct items *s, const char *key, const char *value)
{
    add_item(s, SX_LOG_PARAM, key, value);
}

static void add_num_param(struct items *s, const char *key, double v)
{
    if (s->n >= sizeof s->it / sizeof s->it[0])
        return;
    add_param(s, key, sx_train_num_text(v, s->text[s->n], sizeof s->text[0]));
}

static void add_metrics(struct items *s, const struct sx_metrics *m)
{
    for (size_t i = 0; i < sx_metric_count(m->task) && s->n < sizeof s->it / sizeof s->it[0];
         i++) {
        struct sx_log_item *it = &s->it[s->n++];
        memset(it, 0, sizeof *it);
        it->kind = SX_LOG_METRIC;
        it->key = sx_metric_name(m->task, i);
        it->number = m->defined[i] ? m->v[i] : NAN;
    }
}

/* The params every run of D records: target, split, fit, and ALGO's own. */
static void add_run_params(struct items *s, const struct sx_train_data *d, enum sx_algo algo,
                           const struct sx_model_params *p, const struct sx_train_lineage *lin)
{
    add_param(s, "target", d->target);
    add_param(s, "split", d->split_text);
    if (lin && lin->fit_id)
        add_param(s, "fit", lin->fit_id);
    if (algo == SX_ALGO_RIDGE) {
        add_num_param(s, "alpha", p->alpha);
    } else if (algo == SX_ALGO_LOGISTIC) {
        add_num_param(s, "C", p->C);
        add_num_param(s, "max_iter", (double)p->max_iter);
        add_num_param(s, "tol", p->tol);
    }
}

static char *resources_text(double wall, double cpu, size_t rows, int threads)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    sx_json_set(o, "wall_s", sx_json_real(wall));
    sx_json_set(o, "cpu_s", sx_json_real(cpu));
    sx_json_set(o, "peak_rss_mb", sx_json_real(peak_rss_mb()));
    sx_json_set(o, "rows_per_s", sx_json_real(wall > 0 ? (double)rows / wall : NAN));
    sx_json_set(o, "rows", json_integer((json_int_t)rows));
    sx_json_set(o, "threads", json_integer(threads));
    return json_text(o);
}

/* The environment as JSON text: LIN's, or captured now. */
static char *env_text(const struct sx_train_lineage *lin, struct sx_err *err)
{
    if (lin && lin->env_json)
        return strdup(lin->env_json);
    struct sx_env e;
    if (sx_env_capture(&e, err) != SX_OK)
        return NULL;
    char *s = json_text(sx_env_json(&e));
    if (!s)
        nomem(err);
    return s;
}

/* The texts a recorded result carries. */
struct rec_texts {
    char *model, *groups, *validation, *resources;
};

static void rec_texts_free(struct rec_texts *t)
{
    free(t->model);
    free(t->groups);
    free(t->validation);
    free(t->resources);
}

static enum sx_status rec_texts_make(const struct sx_train_data *d,
                                     const struct sx_train_result *r, double wall, double cpu,
                                     size_t rows, int threads, struct rec_texts *t,
                                     struct sx_err *err)
{
    memset(t, 0, sizeof *t);
    t->model = json_text(sx_model_json(&r->model));
    t->groups = d->by ? json_text(sx_train_groups_json(d, r, 1)) : NULL;
    t->validation = r->nval ? json_text(sx_train_validation_json(r)) : NULL;
    t->resources = resources_text(wall, cpu, rows, threads);
    if (!t->model || (d->by && !t->groups) || (r->nval && !t->validation) || !t->resources) {
        rec_texts_free(t);
        return nomem(err);
    }
    return SX_OK;
}

/* Fill the texts of RR from T (T keeps them). */
static void result_texts(struct sx_run_result *rr, const struct rec_texts *t)
{
    rr->model_json = t->model;
    rr->groups_json = t->groups;
    rr->validation_json = t->validation;
    rr->resources_json = t->resources;
}

static void fill_result(struct sx_run_result *rr, const struct sx_train_data *d,
                        enum sx_algo algo, const struct sx_train_lineage *lin, const char *env)
{
    memset(rr, 0, sizeof *rr);
    rr->algo = sx_algo_name(algo);
    rr->target = d->target;
    rr->split = d->split_text;
    if (lin) {
        rr->dataset_id = lin->dataset_id;
        rr->source_path = lin->source_path;
        rr->data_hash = lin->data_hash;
        rr->fit_id = lin->fit_id;
    }
    rr->env_json = env;
}

/* End run ID as failed (killed for RC SX_ECANCEL), keeping ERR. */
static void end_failed(struct sx_store *st, const char *id, enum sx_status rc)
{
    struct sx_err e2;
    sx_runs_end(st, id, rc == SX_ECANCEL ? "killed" : "failed", 0, &e2);
}

enum sx_status sx_train_run(struct sx_store *st, const struct sx_train_data *d,
                            enum sx_algo algo, const struct sx_model_params *params,
                            const struct sx_run_new *rn, const struct sx_train_lineage *lin,
                            struct sx_train_result *out, char id[SX_UUID_LEN],
                            struct sx_err *err)
{
    struct sx_run_new n;
    struct rec_texts t;
    struct items *items = NULL;
    char *env = NULL;
    enum sx_status rc;

    id[0] = '\0';
    memset(out, 0, sizeof *out);
    memset(&t, 0, sizeof t);
    if (!(env = env_text(lin, err)))
        return err->code ? err->code : SX_ENOMEM;
    memset(&n, 0, sizeof n);
    if (rn)
        n = *rn;
    if (!n.kind)
        n.kind = "run";
    if ((rc = sx_runs_start(st, &n, id, err)) != SX_OK) {
        id[0] = '\0';
        free(env);
        return rc;
    }
    if ((rc = sx_train_eval(d, algo, params, 0, out, err)) != SX_OK)
        goto fail;
    if (!(items = calloc(1, sizeof *items))) {
        rc = nomem(err);
        goto fail;
    }
    add_run_params(items, d, algo, params, lin);
    add_metrics(items, &out->metrics);
    double wall = d->prep_wall_s + out->wall_s, cpu = d->prep_cpu_s + out->cpu_s;
    if ((rc = rec_texts_make(d, out, wall, cpu, d->design.n, out->threads, &t, err)) != SX_OK)
        goto fail;
    struct sx_run_result rr;
    fill_result(&rr, d, algo, lin, env);
    result_texts(&rr, &t);
    rr.items = items->it;
    rr.nitems = items->n;
    if ((rc = sx_runs_record(st, id, &rr, err)) != SX_OK)
        goto fail;
    rec_texts_free(&t);
    free(items);
    free(env);
    return SX_OK;
fail:
    end_failed(st, id, rc);
    rec_texts_free(&t);
    free(items);
    free(env);
    sx_train_result_clear(out);
    return rc;
}

/* ---- sweeps: axes ---- */

void sx_sweep_init(struct sx_sweep *s)
{
    memset(s, 0, sizeof *s);
    s->seed = 42;
}

void sx_sweep_clear(struct sx_sweep *s)
{
    for (size_t i = 0; i < s->naxes; i++) {
        free(s->axes[i].key);
        for (size_t k = 0; k < s->axes[i].nvalues; k++)
            free(s->axes[i].values[k]);
        free(s->axes[i].values);
    }
    free(s->axes);
    uint64_t seed = s->seed;
    memset(s, 0, sizeof *s);
    s->seed = seed;
}

/* A whole number text S as a double; 0 when it is not one. */
static int parse_double(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Parse "LO..HI:N" or "LO..HI:log:N" (the value part of ARG) into A. */
static enum sx_status parse_range(const char *arg, const char *val, struct sx_sweep_axis *a,
                                  struct sx_err *err)
{
    const char *dots = strstr(val, "..");
    const char *c1 = strchr(dots + 2, ':');
    const char *want = "K=LO..HI:N or K=LO..HI:log:N";
    if (!c1 || !parse_double(val, (size_t)(dots - val), &a->lo) ||
        !parse_double(dots + 2, (size_t)(c1 - dots - 2), &a->hi))
        return sx_err_set(err, SX_EINVAL, "'%s': expected %s", arg, want);
    const char *ns = c1 + 1;
    if (strncmp(ns, "log:", 4) == 0) {
        a->log = 1;
        ns += 4;
    }
    char *end;
    errno = 0;
    long long n = strtoll(ns, &end, 10);
    if (end == ns || *end || errno || n < 1 || n > SX_SWEEP_MAX_TRIALS)
        return sx_err_set(err, SX_EINVAL, "'%s': expected %s with N a count from 1 to %d", arg,
                          want, SX_SWEEP_MAX_TRIALS);
    a->n = (size_t)n;
    if (!(a->lo < a->hi) && !(a->n == 1 && a->lo == a->hi))
        return sx_err_set(err, SX_EINVAL, "'%s': LO must be below HI", arg);
    if (a->log && !(a->lo > 0))
        return sx_err_set(err, SX_EINVAL, "'%s': a log range needs LO > 0", arg);
    return SX_OK;
}

/* Split "K=REST" into a new axis of S; *VAL points at REST. */
static enum sx_status new_axis(struct sx_sweep *s, const char *arg, const char *opt,
                               const char **val, struct sx_sweep_axis **out, struct sx_err *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return sx_err_set(err, SX_EINVAL, "%s '%s': expected KEY=VALUES", opt, arg);
    size_t klen = (size_t)(eq - arg);
    for (size_t i = 0; i < s->naxes; i++)
        if (strlen(s->axes[i].key) == klen && memcmp(s->axes[i].key, arg, klen) == 0)
            return sx_err_set(err, SX_EINVAL, "%s '%s': '%.*s' is swept twice", opt, arg,
                              (int)klen, arg);
    struct sx_sweep_axis *na = realloc(s->axes, (s->naxes + 1) * sizeof *na);
    if (!na)
        return nomem(err);
    s->axes = na;
    struct sx_sweep_axis *a = &s->axes[s->naxes];
    memset(a, 0, sizeof *a);
    if (!(a->key = strndup(arg, klen)))
        return nomem(err);
    s->naxes++;
    *val = eq + 1;
    *out = a;
    return SX_OK;
}

/* Drop the last axis of S (after a parse error). */
static void drop_axis(struct sx_sweep *s)
{
    struct sx_sweep_axis *a = &s->axes[--s->naxes];
    free(a->key);
    for (size_t k = 0; k < a->nvalues; k++)
        free(a->values[k]);
    free(a->values);
}

enum sx_status sx_sweep_add_grid(struct sx_sweep *s, const char *arg, struct sx_err *err)
{
    struct sx_sweep_axis *a;
    const char *val;
    enum sx_status rc = new_axis(s, arg, "--grid", &val, &a, err);
    if (rc != SX_OK)
        return rc;
    if (strstr(val, "..")) {
        if ((rc = parse_range(arg, val, a, err)) != SX_OK)
            goto fail;
        if (!(a->values = calloc(a->n, sizeof *a->values))) {
            rc = nomem(err);
            goto fail;
        }
        for (size_t i = 0; i < a->n; i++) {
            double v;
            if (i == 0)
                v = a->lo;
            else if (i == a->n - 1)
                v = a->hi;
            else if (a->log) {
                double l0 = log10(a->lo), l1 = log10(a->hi);
                v = pow(10.0, l0 + (l1 - l0) * (double)i / (double)(a->n - 1));
            } else
                v = a->lo + (a->hi - a->lo) * (double)i / (double)(a->n - 1);
            char buf[40];
            if (!(a->values[i] = strdup(sx_train_num_text(v, buf, sizeof buf)))) {
                rc = nomem(err);
                goto fail;
            }
            a->nvalues = i + 1;
        }
        a->n = 0;   /* a grid axis: the values are what counts */
        return SX_OK;
    }
    for (const char *p = val;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == 0) {
            rc = sx_err_set(err, SX_EINVAL, "--grid '%s': an empty value", arg);
            goto fail;
        }
        char **nv = realloc(a->values, (a->nvalues + 1) * sizeof *nv);
        if (!nv) {
            rc = nomem(err);
            goto fail;
        }
        a->values = nv;
        if (!(a->values[a->nvalues] = strndup(p, len))) {
            rc = nomem(err);
            goto fail;
        }
        a->nvalues++;
        if (!c)
            break;
        p = c + 1;
    }
    return SX_OK;
fail:
    drop_axis(s);
    return rc;
}

enum sx_status sx_sweep_add_random(struct sx_sweep *s, const char *arg, struct sx_err *err)
{
    struct sx_sweep_axis *a;
    const char *val;
    enum sx_status rc = new_axis(s, arg, "--random", &val, &a, err);
    if (rc != SX_OK)
        return rc;
    if (!strstr(val, "..")) {
        rc = sx_err_set(err, SX_EINVAL, "--random '%s': expected K=LO..HI:N or K=LO..HI:log:N",
                        arg);
        goto fail;
    }
    if ((rc = parse_range(arg, val, a, err)) != SX_OK)
        goto fail;
    if (a->lo == a->hi) {
        rc = sx_err_set(err, SX_EINVAL, "--random '%s': LO must be below HI", arg);
        goto fail;
    }
    a->random = 1;
    return SX_OK;
fail:
    drop_axis(s);
    return rc;
}

void sx_sweep_trials_free(struct sx_sweep_trial *t, size_t n)
{
    if (!t)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < t[i].n; k++)
            free(t[i].values[k]);
        free(t[i].values);
        free(t[i].keys);
    }
    free(t);
}

enum sx_status sx_sweep_trials(const struct sx_sweep *s, struct sx_sweep_trial **out,
                               size_t *nout, struct sx_err *err)
{
    size_t ngrid = 1, draws = 0, nrand = 0;
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < s->naxes; i++) {
        const struct sx_sweep_axis *a = &s->axes[i];
        if (a->random) {
            nrand++;
            if (a->n > draws)
                draws = a->n;
        } else {
            if (a->nvalues == 0 || ngrid > SX_SWEEP_MAX_TRIALS / a->nvalues)
                return sx_err_set(err, SX_EINVAL, "more than %d trials",
                                  SX_SWEEP_MAX_TRIALS);
            ngrid *= a->nvalues;
        }
    }
    if (s->naxes == 0)
        return sx_err_set(err, SX_EINVAL, "nothing to sweep: give --grid or --random");
    size_t total = ngrid * (nrand ? draws : 1);
    if (nrand && total / draws != ngrid)
        return sx_err_set(err, SX_EINVAL, "more than %d trials", SX_SWEEP_MAX_TRIALS);
    if (total > SX_SWEEP_MAX_TRIALS)
        return sx_err_set(err, SX_EINVAL, "%zu trials: more than %d", total,
                          SX_SWEEP_MAX_TRIALS);

    /* The random draws first, from one seeded generator: draw r samples
     * every random axis in order. */
    double *rv = NULL;
    if (nrand) {
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        if (!g || !(rv = malloc(draws * nrand * sizeof *rv))) {
            gsl_rng_free(g);
            return nomem(err);
        }
        gsl_rng_set(g, (unsigned long)s->seed);
        for (size_t r = 0; r < draws; r++) {
            size_t k = 0;
            for (size_t i = 0; i < s->naxes; i++) {
                const struct sx_sweep_axis *a = &s->axes[i];
                if (!a->random)
                    continue;
                double u = gsl_rng_uniform(g);
                rv[r * nrand + k++] = a->log ? exp(log(a->lo) + (log(a->hi) - log(a->lo)) * u)
                                             : a->lo + (a->hi - a->lo) * u;
            }
        }
        gsl_rng_free(g);
    }

    struct sx_sweep_trial *t = calloc(total, sizeof *t);
    if (!t) {
        free(rv);
        return nomem(err);
    }
    for (size_t ti = 0; ti < total; ti++) {
        size_t g = ti / (nrand ? draws : 1), r = ti % (nrand ? draws : 1);
        t[ti].keys = calloc(s->naxes, sizeof *t[ti].keys);
        t[ti].values = calloc(s->naxes, sizeof *t[ti].values);
        if (!t[ti].keys || !t[ti].values)
            goto nomem;
        t[ti].n = s->naxes;
        /* Mixed radix over the grid axes, the first outermost. */
        size_t rest = g, k = 0;
        size_t stride = ngrid;
        for (size_t i = 0; i < s->naxes; i++) {
            const struct sx_sweep_axis *a = &s->axes[i];
            t[ti].keys[i] = a->key;
            char buf[40];
            const char *v;
            if (a->random) {
                v = sx_train_num_text(rv[r * nrand + k++], buf, sizeof buf);
            } else {
                stride /= a->nvalues;
                v = a->values[rest / stride];
                rest %= stride;
            }
            if (!(t[ti].values[i] = strdup(v)))
                goto nomem;
        }
    }
    free(rv);
    *out = t;
    *nout = total;
    return SX_OK;
nomem:
    free(rv);
    sx_sweep_trials_free(t, total);
    return nomem(err);
}

enum sx_status sx_sweep_trial_params(const struct sx_sweep_trial *t, enum sx_algo algo,
                                     struct sx_model_params *p, struct sx_err *err)
{
    for (size_t i = 0; i < t->n; i++) {
        enum sx_status rc = sx_model_param_set(p, algo, t->keys[i], t->values[i], err);
        if (rc != SX_OK)
            return rc;
    }
    return SX_OK;
}

/* "alpha=0.01 C=1": the trial's swept params, for its run name. */
static char *trial_name(const struct sx_sweep_trial *t)
{
    size_t len = 1;
    for (size_t i = 0; i < t->n; i++)
        len += strlen(t->keys[i]) + strlen(t->values[i]) + 2;
    char *s = malloc(len), *o = s;
    if (!s)
        return NULL;
    *o = '\0';
    for (size_t i = 0; i < t->n; i++)
        o += sprintf(o, "%s%s=%s", i ? " " : "", t->keys[i], t->values[i]);
    return s;
}

/* ---- sweeps: running ---- */

void sx_sweep_result_clear(struct sx_sweep_result *r)
{
    if (!r)
        return;
    sx_sweep_trials_free(r->trials, r->ntrials);
    free(r->done);
    sx_train_result_clear(&r->best_result);
    memset(r, 0, sizeof *r);
    r->best = -1;
}

struct sweep_ctx {
    const struct sx_train_data *d;
    enum sx_algo algo;
    const struct sx_model_params *params;   /* one per trial */
    size_t ntrials;
    struct sx_train_result *res;
    enum sx_status *rc;
    struct sx_err *errs;
    int64_t *start_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;                    /* the next trial to start */
    size_t *queue, qhead, qtail;    /* trials done, not yet recorded */
    int live;                       /* workers still running */
    int stop;                       /* cancelled: start no more trials */
};

static void *sweep_worker(void *arg)
{
    struct sweep_ctx *x = arg;
    for (;;) {
        pthread_mutex_lock(&x->mu);
        if (!x->stop && cancelled(x->d))
            x->stop = 1;
        size_t k = x->next;
        int go = !x->stop && k < x->ntrials;
        if (go)
            x->next++;
        pthread_mutex_unlock(&x->mu);
        if (!go)
            break;
        x->start_ms[k] = sx_runs_now_ms();
        x->rc[k] = sx_train_eval(x->d, x->algo, &x->params[k], 1, &x->res[k], &x->errs[k]);
        if (x->rc[k] == SX_OK) {
            /* Only the metrics and the model are kept past recording. */
            free(x->res[k].pred);
            x->res[k].pred = NULL;
        }
        pthread_mutex_lock(&x->mu);
        x->queue[x->qtail++] = k;
        pthread_cond_signal(&x->cv);
        pthread_mutex_unlock(&x->mu);
    }
    pthread_mutex_lock(&x->mu);
    x->live--;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* Whether metric value A beats B (B undefined: any defined A wins). */
static int better(double a, int adef, double b, int bdef, int lower)
{
    if (!adef || isnan(a))
        return 0;
    if (!bdef || isnan(b))
        return 1;
    return lower ? a < b : a > b;
}

/* Record trial K of X as a child of PARENT; fills DONE. */
static void record_trial(struct sx_store *st, struct sweep_ctx *x, size_t k,
                         const char *parent, const struct sx_run_new *rn,
                         const struct sx_train_lineage *lin, const char *env,
                         struct sx_sweep_done *done)
{
    struct sx_train_result *r = &x->res[k];
    struct sx_run_new n;
    struct rec_texts t;
    struct items *items = calloc(1, sizeof *items);
    char *name = trial_name(&done->trial);
    struct sx_err e;
    enum sx_status rc;

    memset(&t, 0, sizeof t);
    done->ok = 0;
    if (!items || !name) {
        nomem(&done->err);
        goto out;
    }
    memset(&n, 0, sizeof n);
    n.experiment = rn ? rn->experiment : NULL;
    n.author = rn ? rn->author : NULL;
    n.name = name;
    n.parent_id = parent;
    n.kind = "trial";
    n.start_ms = x->start_ms[k] ? x->start_ms[k] : sx_runs_now_ms();
    if ((rc = sx_runs_start(st, &n, done->id, &e)) != SX_OK) {
        done->id[0] = '\0';
        done->err = e;
        goto out;
    }
    add_run_params(items, x->d, x->algo, &x->params[k], lin);
    struct sx_run_result rr;
    fill_result(&rr, x->d, x->algo, lin, env);
    if (x->rc[k] == SX_OK) {
        add_metrics(items, &r->metrics);
        if ((rc = rec_texts_make(x->d, r, r->wall_s, r->cpu_s, x->d->design.n, 1, &t, &e)) !=
            SX_OK) {
            done->err = e;
            end_failed(st, done->id, rc);
            goto out;
        }
        result_texts(&rr, &t);
    } else {
        add_item(items, SX_LOG_TAG, "error", x->errs[k].msg);
        rr.status = x->rc[k] == SX_ECANCEL ? "killed" : "failed";
        done->err = x->errs[k];
    }
    rr.items = items->it;
    rr.nitems = items->n;
    if ((rc = sx_runs_record(st, done->id, &rr, &e)) != SX_OK) {
        done->err = e;
        end_failed(st, done->id, rc);
        goto out;
    }
    if (x->rc[k] == SX_OK) {
        done->ok = 1;
        done->metrics = r->metrics;
    }
out:
    rec_texts_free(&t);
    free(items);
    free(name);
}

enum sx_status sx_train_sweep(struct sx_store *st, const struct sx_train_data *d,
                              enum sx_algo algo, const struct sx_model_params *base,
                              const struct sx_sweep *s, const char *metric,
                              const struct sx_run_new *rn, const struct sx_train_lineage *lin,
                              struct sx_sweep_result *out, struct sx_err *err)
{
    struct sweep_ctx x;
    struct sx_model_params *params = NULL;
    size_t mi = SIZE_MAX;
    char *env = NULL;
    enum sx_status rc;
    double t0 = mono_s(), c0 = cpu_s(0);

    memset(out, 0, sizeof *out);
    memset(&x, 0, sizeof x);
    out->best = -1;
    if (!metric)
        metric = d->task == SX_TASK_BINARY ? "logloss" : "rmse";
    for (size_t i = 0; i < sx_metric_count(d->task); i++)
        if (strcmp(sx_metric_name(d->task, i), metric) == 0)
            mi = i;
    if (mi == SIZE_MAX) {
        char names[200] = "";
        for (size_t i = 0; i < sx_metric_count(d->task); i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     sx_metric_name(d->task, i));
        return sx_err_set(err, SX_EINVAL, "metric '%s' is not one of %s", metric, names);
    }
    snprintf(out->metric, sizeof out->metric, "%s", metric);
    int lower = sx_metric_lower_is_better(metric);

    if ((rc = sx_sweep_trials(s, &out->trials, &out->ntrials, err)) != SX_OK)
        return rc;
    size_t nt = out->ntrials;
    if (!(params = calloc(nt, sizeof *params)) || !(out->done = calloc(nt, sizeof *out->done))) {
        rc = nomem(err);
        goto fail_early;
    }
    for (size_t k = 0; k < nt; k++) {
        params[k] = *base;
        if ((rc = sx_sweep_trial_params(&out->trials[k], algo, &params[k], err)) != SX_OK)
            goto fail_early;
        out->done[k].trial = out->trials[k];
    }
    if (!(env = env_text(lin, err))) {
        rc = err->code ? err->code : SX_ENOMEM;
        goto fail_early;
    }

    /* The parent. */
    struct sx_run_new pn;
    memset(&pn, 0, sizeof pn);
    if (rn)
        pn = *rn;
    pn.kind = "sweep";
    if ((rc = sx_runs_start(st, &pn, out->parent_id, err)) != SX_OK) {
        out->parent_id[0] = '\0';
        goto fail_early;
    }

    x.d = d;
    x.algo = algo;
    x.params = params;
    x.ntrials = nt;
    x.res = calloc(nt, sizeof *x.res);
    x.rc = calloc(nt, sizeof *x.rc);
    x.errs = calloc(nt, sizeof *x.errs);
    x.start_ms = calloc(nt, sizeof *x.start_ms);
    x.queue = calloc(nt, sizeof *x.queue);
    if (!x.res || !x.rc || !x.errs || !x.start_ms || !x.queue) {
        rc = nomem(err);
        goto fail;
    }
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    int nthreads = d->threads < 1 ? 1 : d->threads;
    if ((size_t)nthreads > nt)
        nthreads = (int)nt;
    pthread_t tid[256];
    int started = 0;
    /* LIVE counts a worker before it starts: one that ends at once must
     * not find the count short. */
    for (int t = 0; t < nthreads; t++) {
        pthread_mutex_lock(&x.mu);
        x.live++;
        pthread_mutex_unlock(&x.mu);
        if (pthread_create(&tid[t], NULL, sweep_worker, &x) != 0) {
            pthread_mutex_lock(&x.mu);
            x.live--;
            pthread_mutex_unlock(&x.mu);
            break;
        }
        started++;
    }
    if (started == 0) {
        x.live = 1;
        sweep_worker(&x);
    }

    /* Record each trial as it ends, from this thread. */
    size_t first_err = SIZE_MAX;
    for (;;) {
        pthread_mutex_lock(&x.mu);
        while (x.qhead == x.qtail && x.live > 0)
            pthread_cond_wait(&x.cv, &x.mu);
        if (x.qhead == x.qtail) {
            pthread_mutex_unlock(&x.mu);
            break;
        }
        size_t k = x.queue[x.qhead++];
        pthread_mutex_unlock(&x.mu);
        record_trial(st, &x, k, out->parent_id, rn, lin, env, &out->done[k]);
        if (!out->done[k].ok) {
            if (first_err == SIZE_MAX || k < first_err)
                first_err = k;
        } else if (out->best < 0 ||
                   better(x.res[k].metrics.v[mi], x.res[k].metrics.defined[mi],
                          out->best_result.metrics.v[mi], out->best_result.metrics.defined[mi],
                          lower) ||
                   (!better(out->best_result.metrics.v[mi], out->best_result.metrics.defined[mi],
                            x.res[k].metrics.v[mi], x.res[k].metrics.defined[mi], lower) &&
                    k < (size_t)out->best)) {
            /* Better, or as good and earlier (trials end out of order). */
            sx_train_result_clear(&out->best_result);
            out->best_result = x.res[k];
            memset(&x.res[k], 0, sizeof x.res[k]);
            out->best = (long)k;
        }
        sx_train_result_clear(&x.res[k]);
    }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_cond_destroy(&x.cv);
    pthread_mutex_destroy(&x.mu);

    if (x.stop || cancelled(d)) {
        rc = sx_err_set(err, SX_ECANCEL, "cancelled");
        goto fail;
    }
    if (out->best < 0) {
        if (first_err != SIZE_MAX)
            *err = out->done[first_err].err;
        rc = err->code != SX_OK ? err->code : SX_EINVAL;
        goto fail;
    }

    /* The best: marked, tagged, and recorded on the parent. */
    struct sx_sweep_done *bd = &out->done[out->best];
    struct sx_log_item tags[2];
    memset(tags, 0, sizeof tags);
    tags[0].kind = SX_LOG_TAG;
    tags[0].key = "best";
    tags[0].value = "true";
    if ((rc = sx_runs_set_best(st, out->parent_id, bd->id, metric, err)) != SX_OK ||
        (rc = sx_runs_log(st, bd->id, tags, 1, err)) != SX_OK)
        goto fail;
    struct items *items = calloc(1, sizeof *items);
    struct rec_texts t;
    char ntrials[32], *sweep_text = NULL;
    if (!items) {
        rc = nomem(err);
        goto fail;
    }
    /* Params: what the trials share, how many, the sweep, the metric. */
    add_param(items, "target", d->target);
    add_param(items, "split", d->split_text);
    if (lin && lin->fit_id)
        add_param(items, "fit", lin->fit_id);
    snprintf(ntrials, sizeof ntrials, "%zu", nt);
    add_param(items, "trials", ntrials);
    add_param(items, "metric", metric);
    {
        size_t len = 1;
        for (size_t i = 0; i < s->naxes; i++) {
            len += strlen(s->axes[i].key) + 128;
            for (size_t v = 0; v < s->axes[i].nvalues; v++)
                len += strlen(s->axes[i].values[v]) + 1;
        }
        if ((sweep_text = malloc(len))) {
            char *o = sweep_text;
            *o = '\0';
            for (size_t i = 0; i < s->naxes; i++) {
                const struct sx_sweep_axis *a = &s->axes[i];
                o += sprintf(o, "%s%s=", i ? " " : "", a->key);
                if (a->random) {
                    char lo[40], hi[40];
                    o += sprintf(o, "random:%s..%s%s:%zu", sx_train_num_text(a->lo, lo, 40),
                                 sx_train_num_text(a->hi, hi, 40), a->log ? ":log" : "", a->n);
                } else {
                    for (size_t v = 0; v < a->nvalues; v++)
                        o += sprintf(o, "%s%s", v ? "," : "", a->values[v]);
                }
            }
            add_param(items, "sweep", sweep_text);
        }
    }
    add_metrics(items, &out->best_result.metrics);
    add_item(items, SX_LOG_TAG, "best_run", bd->id);
    add_item(items, SX_LOG_TAG, "best_metric", metric);
    double wall = d->prep_wall_s + (mono_s() - t0), cpu = d->prep_cpu_s + (cpu_s(0) - c0);
    if ((rc = rec_texts_make(d, &out->best_result, wall, cpu, d->design.n * nt, started ? started : 1,
                             &t, err)) != SX_OK) {
        free(items);
        free(sweep_text);
        goto fail;
    }
    struct sx_run_result rr;
    fill_result(&rr, d, algo, lin, env);
    result_texts(&rr, &t);
    rr.items = items->it;
    rr.nitems = items->n;
    rc = sx_runs_record(st, out->parent_id, &rr, err);
    rec_texts_free(&t);
    free(items);
    free(sweep_text);
    if (rc != SX_OK)
        goto fail;
    free(x.res);
    free(x.rc);
    free(x.errs);
    free(x.start_ms);
    free(x.queue);
    free(params);
    free(env);
    return SX_OK;
fail:
    end_failed(st, out->parent_id, rc);
    if (x.res)
        for (size_t k = 0; k < nt; k++)
            sx_train_result_clear(&x.res[k]);
    free(x.res);
    free(x.rc);
    free(x.errs);
    free(x.start_ms);
    free(x.queue);
    free(params);
    free(env);
    return rc;
fail_early:
    free(params);
    free(env);
    return rc;
}
