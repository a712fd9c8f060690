/* core/mlflow.c: import MLflow tracking data into the store (core/mlflow.h).
 *
 * Both sources are read into one in-memory record per run (struct run_rec:
 * meta, params, tags, metric histories) and written by one function
 * (put_run), straight into migration 3's tables with source 'mlflow':
 *   - file store (mlruns/): experiment folders with meta.yaml (libyaml),
 *     run folders with meta.yaml, params/, tags/ and metrics/ walked
 *     recursively (a key "a/b" is the file a/b);
 *   - SQLite store (mlflow.db), opened read-only, its columns found by
 *     introspection so every alembic revision from 1.x to 3.x reads.
 *
 * Identity, which makes re-import add only what is new:
 *   - a run is (source 'mlflow', external_id = MLflow's run id);
 *   - an experiment is (source 'mlflow', external_id = MLflow's id, name).
 *     Our names are unique, so when the name is taken by another
 *     experiment the import uses "NAME (mlflow ID)" (then "… #2", …); the
 *     same candidates are tried in the same order on every import;
 *   - a param or tag is (run, key): a value that changed in MLflow
 *     replaces ours (tags are mutable in MLflow);
 *   - a metric point is (run, key, step, time, value), NaN equal to NaN, as
 *     in MLflow's SQL store, whose primary key makes identical points one:
 *     a line written twice in a file store metric file is one point.
 * run_latest holds, per (run, key), the point with the largest (step,
 * time, value), NaN lowest, as MLflow's latest_metrics; it is recomputed
 * for each key that gained points. Parent links (tag mlflow.parentRunId)
 * are set after every run is written, over all MLflow runs in the store,
 * so a child seen before its parent (in this import or an earlier one) is
 * linked as soon as both exist; a link that would close a cycle is
 * reported instead.
 *
 * Not imported: experiments and runs MLflow marks deleted (counted in
 * report->deleted), experiment tags, artifacts, datasets/inputs/outputs,
 * traces, the model registry and MLflow 3 logged models (whose metric
 * points are copies of their source run's, imported with the run). */
#include "mlflow.h"
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <yaml.h>

#include "hash.h"
#include "runs.h"

#define MAX_DEPTH 32            /* key folders nested deeper are reported */

/* ---- one import ---- */

struct point {
    int64_t step, time;
    double value;               /* NaN for MLflow's nan */
};

struct metric {
    char *key;
    struct point *p;
    size_t n, cap;
};

struct pair {
    char *key, *value;
};

/* One MLflow run as read from either source. */
struct run_rec {
    char *id;                   /* MLflow's run id */
    char *name, *user;
    const char *status;         /* ours: "running" … "killed" */
    int64_t start_ms, end_ms;
    int has_end;
    struct pair *params;
    size_t nparams, capparams;
    struct pair *tags;
    size_t ntags, captags;
    struct metric *metrics;
    size_t nmetrics, capmetrics;
};

enum run_state { RS_NEW = 'n', RS_UPDATED = 'u', RS_SEEN = 's' };

struct touched {
    char id[SX_UUID_LEN];
    char state;
};

enum {
    Q_EXP_BY_NAME, Q_EXP_INSERT, Q_EXP_CREATED, Q_RUN_FIND, Q_RUN_INSERT, Q_RUN_UPDATE,
    Q_PARAM_GET, Q_PARAM_PUT, Q_TAG_GET, Q_TAG_PUT, Q_POINTS, Q_POINT_ADD, Q_LATEST,
    Q_PARENT_OF, Q_SET_PARENT, NQ
};

static const char *const qsql[NQ] = {
    [Q_EXP_BY_NAME] = "SELECT id, source, external_id FROM experiments WHERE name = ?1",
    [Q_EXP_INSERT] = "INSERT INTO experiments (id, name, author, created_ms, source, external_id) "
                     "VALUES (?1, ?2, ?3, ?4, 'mlflow', ?5)",
    [Q_EXP_CREATED] = "UPDATE experiments SET created_ms = coalesce((SELECT min(start_ms) FROM "
                      "runs WHERE experiment_id = ?1), created_ms) WHERE id = ?1",
    [Q_RUN_FIND] = "SELECT id, name, status, end_ms FROM runs "
                   "WHERE source = 'mlflow' AND external_id = ?1",
    [Q_RUN_INSERT] = "INSERT INTO runs (id, experiment_id, name, author, status, start_ms, "
                     "end_ms, source, external_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                     "'mlflow', ?8)",
    [Q_RUN_UPDATE] = "UPDATE runs SET name = ?2, status = ?3, end_ms = ?4 WHERE id = ?1",
    [Q_PARAM_GET] = "SELECT value FROM run_params WHERE run_id = ?1 AND key = ?2",
    [Q_PARAM_PUT] = "INSERT INTO run_params (run_id, key, value) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
    [Q_TAG_GET] = "SELECT value FROM run_tags WHERE run_id = ?1 AND key = ?2",
    [Q_TAG_PUT] = "INSERT INTO run_tags (run_id, key, value) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
    [Q_POINTS] = "SELECT step, time_ms, value FROM run_metrics WHERE run_id = ?1 AND key = ?2",
    [Q_POINT_ADD] = "INSERT INTO run_metrics (run_id, key, step, time_ms, value) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_LATEST] = "INSERT OR REPLACE INTO run_latest (run_id, key, step, time_ms, value) "
                 "SELECT run_id, key, step, time_ms, value FROM run_metrics "
                 "WHERE run_id = ?1 AND key = ?2 "
                 "ORDER BY step DESC, time_ms DESC, value DESC LIMIT 1",
    [Q_PARENT_OF] = "SELECT parent_id FROM runs WHERE id = ?1",
    [Q_SET_PARENT] = "UPDATE runs SET parent_id = ?2 WHERE id = ?1",
};

struct imp {
    struct sx_store *st;
    struct sx_mlflow_report *rep;
    struct sx_err *err;
    void (*progress)(void *ctx, size_t runs_done);
    void *ctx;
    size_t runs_done;
    const char *path;           /* as given, for messages about links */
    char author[256];
    int64_t now_ms;
    sqlite3_stmt *q[NQ];
    struct touched *touched;    /* every run this import wrote or saw */
    size_t ntouched, captouched;
};

/* Grow *LIST (elements of SIZE bytes, *CAP of them) to hold LEN + 1. */
static enum sx_status oom(struct imp *im)
{
    return sx_err_set(im->err, SX_ENOMEM, "%s: out of memory", im->path);
}

/* Record "WHERE: what" as a problem (the item is skipped). SX_ENOMEM only. */
static enum sx_status problem(struct imp *im, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum sx_status problem(struct imp *im, const char *where, const char *fmt, ...)
{
    struct sx_mlflow_report *r = im->rep;
    char what[600];
    char *line = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t n = r->nproblems;
    /* The report keeps no capacity: it doubles at 8, 16, 32, … entries. */
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        char **np = realloc(r->problems, (n ? 2 * n : 8) * sizeof *np);
        if (!np)
            return oom(im);
        r->problems = np;
    }
    if (asprintf(&line, "%s: %s", where, what) < 0)
        return oom(im);
    r->problems[r->nproblems++] = line;
    r->skipped++;
    return SX_OK;
}

/* The statement WHICH, prepared once per import, reset and unbound. */
static enum sx_status q(struct imp *im, int which, sqlite3_stmt **out)
{
    if (!im->q[which]) {
        enum sx_status rc = sx_store_prep(im->st, qsql[which], &im->q[which], im->err);
        if (rc != SX_OK)
            return rc;
    }
    sqlite3_reset(im->q[which]);
    sqlite3_clear_bindings(im->q[which]);
    *out = im->q[which];
    return SX_OK;
}

static enum sx_status bind_real(struct imp *im, sqlite3_stmt *s, int i, double v)
{
    int rc = isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v);
    return rc == SQLITE_OK ? SX_OK : sx_store_db_err(im->st, im->err, "bind a value");
}

static enum sx_status note_run(struct imp *im, const char *id, char state)
{
    if (!sx_store_grow(&im->touched, &im->captouched, im->ntouched, sizeof *im->touched))
        return oom(im);
    struct touched *t = &im->touched[im->ntouched++];
    snprintf(t->id, sizeof t->id, "%s", id);
    t->state = state;
    return SX_OK;
}

static void ran(struct imp *im)
{
    im->runs_done++;
    if (im->progress)
        im->progress(im->ctx, im->runs_done);
}

/* ---- run records ---- */

static void run_rec_clear(struct run_rec *r)
{
    free(r->id);
    free(r->name);
    free(r->user);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->params[i].key);
        free(r->params[i].value);
    }
    free(r->params);
    for (size_t i = 0; i < r->ntags; i++) {
        free(r->tags[i].key);
        free(r->tags[i].value);
    }
    free(r->tags);
    for (size_t i = 0; i < r->nmetrics; i++) {
        free(r->metrics[i].key);
        free(r->metrics[i].p);
    }
    free(r->metrics);
    memset(r, 0, sizeof *r);
}

/* Add KEY=VALUE (copied; LEN bytes of VALUE) to *LIST. 0 when out of memory. */
static int add_pair(struct pair **list, size_t *n, size_t *cap, const char *key,
                    const char *value, size_t len)
{
    if (!sx_store_grow(list, cap, *n, sizeof **list))
        return 0;
    char *k = strdup(key), *v = malloc(len + 1);
    if (!k || !v) {
        free(k);
        free(v);
        return 0;
    }
    memcpy(v, value, len);
    v[len] = '\0';
    (*list)[*n].key = k;
    (*list)[*n].value = v;
    (*n)++;
    return 1;
}

/* The metric KEY of R, added when absent; NULL when out of memory. */
static struct metric *metric_of(struct run_rec *r, const char *key)
{
    if (r->nmetrics && strcmp(r->metrics[r->nmetrics - 1].key, key) == 0)
        return &r->metrics[r->nmetrics - 1];
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i].key, key) == 0)
            return &r->metrics[i];
    if (!sx_store_grow(&r->metrics, &r->capmetrics, r->nmetrics, sizeof *r->metrics))
        return NULL;
    struct metric *m = &r->metrics[r->nmetrics];
    memset(m, 0, sizeof *m);
    if (!(m->key = strdup(key)))
        return NULL;
    r->nmetrics++;
    return m;
}

static int add_point(struct metric *m, int64_t step, int64_t time, double value)
{
    if (!sx_store_grow(&m->p, &m->cap, m->n, sizeof *m->p))
        return 0;
    m->p[m->n++] = (struct point){step, time, value};
    return 1;
}

/* Order of points: step, time, value with NaN lowest; 0 means the same
 * point. */
static int point_cmp(const void *a, const void *b)
{
    const struct point *x = a, *y = b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    int xn = isnan(x->value), yn = isnan(y->value);
    if (xn || yn)
        return xn && yn ? 0 : xn ? -1 : 1;
    return x->value < y->value ? -1 : x->value > y->value;
}

/* Sort P[0..*N) and drop repeated points. */
static void points_unique(struct point *p, size_t *n)
{
    size_t k = 0;
    if (*n == 0)
        return;
    qsort(p, *n, sizeof *p, point_cmp);
    for (size_t i = 1; i < *n; i++)
        if (point_cmp(&p[k], &p[i]) != 0)
            p[++k] = p[i];
    *n = k + 1;
}

static const char *tag_value(const struct run_rec *r, const char *key)
{
    for (size_t i = 0; i < r->ntags; i++)
        if (strcmp(r->tags[i].key, key) == 0)
            return r->tags[i].value;
    return NULL;
}

/* Name: MLflow's run_name (RUN_NAME, may be NULL), else tag mlflow.runName,
 * else the run id. User: USER_ID, else tag mlflow.user, else "unknown".
 * 0 when out of memory. */
static int run_rec_names(struct run_rec *r, const char *run_name, const char *user_id)
{
    const char *name = run_name && *run_name ? run_name : tag_value(r, "mlflow.runName");
    const char *user = user_id && *user_id ? user_id : tag_value(r, "mlflow.user");
    if (!name || !*name)
        name = r->id;
    if (!user || !*user)
        user = "unknown";
    r->name = strdup(name);
    r->user = strdup(user);
    return r->name && r->user;
}

/* Our status for MLflow's number 1..5 or name (any case); NULL otherwise. */
static const char *status_of(const char *s)
{
    static const char *const names[] = {"running", "scheduled", "finished", "failed", "killed"};
    char *end;
    long v;

    if (!s || !*s)
        return NULL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*end && !errno)
        return v >= 1 && v <= 5 ? names[v - 1] : NULL;
    for (size_t i = 0; i < 5; i++)
        if (strcasecmp(s, names[i]) == 0)
            return names[i];
    return NULL;
}

/* ---- writing ---- */

/* Add P[0..N) (unique, sorted) to metric KEY of run ID: only the points
 * not stored yet when the run existed (OLD). *ADDED counts them. */
static enum sx_status put_points(struct imp *im, const char *id, int old, const char *key,
                                 const struct point *p, size_t n, size_t *added)
{
    struct point *have = NULL;
    size_t nhave = 0, cap = 0;
    sqlite3_stmt *s;
    enum sx_status rc = SX_OK;
    int r;

    *added = 0;
    if (old) {
        if ((rc = q(im, Q_POINTS, &s)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 2, key, im->err)) != SX_OK)
            return rc;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            if (!sx_store_grow(&have, &cap, nhave, sizeof *have)) {
                free(have);
                return oom(im);
            }
            have[nhave].step = sqlite3_column_int64(s, 0);
            have[nhave].time = sqlite3_column_int64(s, 1);
            have[nhave].value = sqlite3_column_type(s, 2) == SQLITE_NULL
                                    ? NAN : sqlite3_column_double(s, 2);
            nhave++;
        }
        if (r != SQLITE_DONE) {
            free(have);
            return sx_store_db_err(im->st, im->err, "read metric points");
        }
        if (nhave)
            qsort(have, nhave, sizeof *have, point_cmp);
    }
    for (size_t i = 0; i < n && rc == SX_OK; i++) {
        if (nhave && bsearch(&p[i], have, nhave, sizeof *have, point_cmp))
            continue;
        if ((rc = q(im, Q_POINT_ADD, &s)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 2, key, im->err)) != SX_OK ||
            (rc = sx_store_bind_int(im->st, s, 3, p[i].step, im->err)) != SX_OK ||
            (rc = sx_store_bind_int(im->st, s, 4, p[i].time, im->err)) != SX_OK ||
            (rc = bind_real(im, s, 5, p[i].value)) != SX_OK ||
            (rc = sx_store_step_done(im->st, s, "add a metric point", im->err)) != SX_OK)
            break;
        (*added)++;
    }
    free(have);
    if (rc == SX_OK && *added) {
        if ((rc = q(im, Q_LATEST, &s)) == SX_OK &&
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) == SX_OK &&
            (rc = sx_store_bind_text(im->st, s, 2, key, im->err)) == SX_OK)
            rc = sx_store_step_done(im->st, s, "update the latest metric value", im->err);
    }
    return rc;
}

/* Write KEY=VALUE pairs into run_params (PARAMS) or run_tags. *NEW counts
 * the keys added, *CHANGED is set when a stored value was replaced. */
static enum sx_status put_pairs(struct imp *im, const char *id, int old, int params,
                                const struct pair *list, size_t n, size_t *added, int *changed)
{
    sqlite3_stmt *s;
    enum sx_status rc;

    for (size_t i = 0; i < n; i++) {
        int have = 0, same = 0;
        if (old) {
            if ((rc = q(im, params ? Q_PARAM_GET : Q_TAG_GET, &s)) != SX_OK ||
                (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK ||
                (rc = sx_store_bind_text(im->st, s, 2, list[i].key, im->err)) != SX_OK)
                return rc;
            int r = sqlite3_step(s);
            if (r == SQLITE_ROW) {
                const char *v = (const char *)sqlite3_column_text(s, 0);
                have = 1;
                same = v && strcmp(v, list[i].value) == 0;
            } else if (r != SQLITE_DONE) {
                return sx_store_db_err(im->st, im->err, params ? "read a param" : "read a tag");
            }
        }
        if (same)
            continue;
        if ((rc = q(im, params ? Q_PARAM_PUT : Q_TAG_PUT, &s)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 2, list[i].key, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 3, list[i].value, im->err)) != SX_OK ||
            (rc = sx_store_step_done(im->st, s, params ? "write a param" : "write a tag",
                                     im->err)) != SX_OK)
            return rc;
        if (have)
            *changed = 1;
        else
            (*added)++;
    }
    return SX_OK;
}

/* Write run R of experiment EXP (ours): create it, or bring the stored one
 * up to date. */
static enum sx_status put_run(struct imp *im, const char *exp, struct run_rec *r)
{
    struct sx_mlflow_report *rep = im->rep;
    char id[SX_UUID_LEN];
    sqlite3_stmt *s;
    enum sx_status rc;
    int old = 0, changed = 0, step;

    if ((rc = q(im, Q_RUN_FIND, &s)) != SX_OK ||
        (rc = sx_store_bind_text(im->st, s, 1, r->id, im->err)) != SX_OK)
        return rc;
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *status = (const char *)sqlite3_column_text(s, 2);
        int has_end = sqlite3_column_type(s, 3) != SQLITE_NULL;
        int64_t end = sqlite3_column_int64(s, 3);
        if (sx_store_col_fixed(s, 0, id, sizeof id) != SX_OK)
            return sx_err_set(im->err, SX_ESTORE, "%s: a run with a malformed id",
                              sx_store_path(im->st));
        old = 1;
        changed = !name || strcmp(name, r->name) != 0 || !status ||
                  strcmp(status, r->status) != 0 || has_end != r->has_end ||
                  (has_end && end != r->end_ms);
    } else if (step != SQLITE_DONE) {
        return sx_store_db_err(im->st, im->err, "look up a run");
    }
    sqlite3_reset(s);

    if (!old) {
        sx_uuid(id);
        if ((rc = q(im, Q_RUN_INSERT, &s)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 2, exp, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 3, r->name, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 4, r->user, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 5, r->status, im->err)) != SX_OK ||
            (rc = sx_store_bind_int(im->st, s, 6, r->start_ms, im->err)) != SX_OK ||
            (r->has_end && (rc = sx_store_bind_int(im->st, s, 7, r->end_ms, im->err)) != SX_OK) ||
            (rc = sx_store_bind_text(im->st, s, 8, r->id, im->err)) != SX_OK ||
            (rc = sx_store_step_done(im->st, s, "add a run", im->err)) != SX_OK)
            return rc;
    } else if (changed) {
        if ((rc = q(im, Q_RUN_UPDATE, &s)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 2, r->name, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 3, r->status, im->err)) != SX_OK ||
            (r->has_end && (rc = sx_store_bind_int(im->st, s, 4, r->end_ms, im->err)) != SX_OK) ||
            (rc = sx_store_step_done(im->st, s, "update a run", im->err)) != SX_OK)
            return rc;
    }

    size_t before = rep->params_new + rep->tags_new + rep->metric_points_new;
    if ((rc = put_pairs(im, id, old, 1, r->params, r->nparams, &rep->params_new,
                        &changed)) != SX_OK ||
        (rc = put_pairs(im, id, old, 0, r->tags, r->ntags, &rep->tags_new, &changed)) != SX_OK)
        return rc;
    for (size_t i = 0; i < r->nmetrics; i++) {
        struct metric *m = &r->metrics[i];
        size_t added;
        points_unique(m->p, &m->n);
        if ((rc = put_points(im, id, old, m->key, m->p, m->n, &added)) != SX_OK)
            return rc;
        rep->metric_points_new += added;
    }
    if (rep->params_new + rep->tags_new + rep->metric_points_new != before)
        changed = 1;
    if (!old)
        rep->runs_new++;
    else if (changed)
        rep->runs_updated++;
    else
        rep->runs_seen++;
    return note_run(im, id, !old ? RS_NEW : changed ? RS_UPDATED : RS_SEEN);
}

/* The store's experiment for MLflow experiment EXT named NAME into ID:
 * the one found under the first free-or-ours name candidate, else a new
 * one (CREATED_MS < 0: unknown, set from its runs later by the caller). */
static enum sx_status put_experiment(struct imp *im, const char *ext, const char *name,
                                     int64_t created_ms, char id[SX_UUID_LEN], int *is_new)
{
    sqlite3_stmt *s;
    enum sx_status rc;

    *is_new = 0;
    for (int k = 0; k < 1000; k++) {
        char *cand = NULL;
        int found = 0, ours = 0, r;
        if (k == 0)
            cand = strdup(name);
        else if (asprintf(&cand, k == 1 ? "%s (mlflow %s)" : "%s (mlflow %s #%d)", name, ext,
                          k) < 0)
            cand = NULL;
        if (!cand)
            return oom(im);
        if ((rc = q(im, Q_EXP_BY_NAME, &s)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, s, 1, cand, im->err)) != SX_OK) {
            free(cand);
            return rc;
        }
        if ((r = sqlite3_step(s)) == SQLITE_ROW) {
            const char *src = (const char *)sqlite3_column_text(s, 1);
            const char *x = (const char *)sqlite3_column_text(s, 2);
            found = 1;
            ours = src && x && strcmp(src, "mlflow") == 0 && strcmp(x, ext) == 0;
            if (ours && sx_store_col_fixed(s, 0, id, SX_UUID_LEN) != SX_OK) {
                free(cand);
                return sx_err_set(im->err, SX_ESTORE, "%s: an experiment with a malformed id",
                                  sx_store_path(im->st));
            }
        } else if (r != SQLITE_DONE) {
            free(cand);
            return sx_store_db_err(im->st, im->err, "look up an experiment");
        }
        sqlite3_reset(s);
        if (ours) {
            free(cand);
            im->rep->experiments_seen++;
            return SX_OK;
        }
        if (found) {
            free(cand);
            continue;
        }
        sx_uuid(id);
        if ((rc = q(im, Q_EXP_INSERT, &s)) == SX_OK &&
            (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) == SX_OK &&
            (rc = sx_store_bind_text(im->st, s, 2, cand, im->err)) == SX_OK &&
            (rc = sx_store_bind_text(im->st, s, 3, im->author, im->err)) == SX_OK &&
            (rc = sx_store_bind_int(im->st, s, 4, created_ms >= 0 ? created_ms : im->now_ms,
                                    im->err)) == SX_OK &&
            (rc = sx_store_bind_text(im->st, s, 5, ext, im->err)) == SX_OK)
            rc = sx_store_step_done(im->st, s, "add an experiment", im->err);
        free(cand);
        if (rc != SX_OK)
            return rc;
        *is_new = 1;
        im->rep->experiments_new++;
        return SX_OK;
    }
    return sx_err_set(im->err, SX_ELIMIT, "%s: no free name for MLflow experiment %s",
                      im->path, ext);
}

/* A new experiment whose creation time MLflow did not keep (before 1.29)
 * takes its first run's start. */
static enum sx_status fix_created(struct imp *im, const char *id)
{
    sqlite3_stmt *s;
    enum sx_status rc;
    if ((rc = q(im, Q_EXP_CREATED, &s)) != SX_OK ||
        (rc = sx_store_bind_text(im->st, s, 1, id, im->err)) != SX_OK)
        return rc;
    return sx_store_step_done(im->st, s, "set an experiment's creation time", im->err);
}

static int touched_cmp(const void *a, const void *b)
{
    return strcmp(((const struct touched *)a)->id, ((const struct touched *)b)->id);
}

/* Set parent_id from tag mlflow.parentRunId wherever both runs exist and
 * the link is not there yet. */
static enum sx_status link_parents(struct imp *im)
{
    static const char sql[] =
        "SELECT c.id, p.id, c.external_id FROM runs c "
        "JOIN run_tags t ON t.run_id = c.id AND t.key = 'mlflow.parentRunId' "
        "JOIN runs p ON p.source = 'mlflow' AND p.external_id = t.value "
        "WHERE c.source = 'mlflow' AND p.id <> c.id AND c.parent_id IS NOT p.id";
    struct link {
        char child[SX_UUID_LEN], parent[SX_UUID_LEN];
        char *ext;
    } *links = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *s = NULL;
    enum sx_status rc;
    int r;

    if ((rc = sx_store_prep(im->st, sql, &s, im->err)) != SX_OK)
        return rc;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow(&links, &cap, n, sizeof *links)) {
            rc = oom(im);
            goto out;
        }
        struct link *l = &links[n];
        if (sx_store_col_fixed(s, 0, l->child, sizeof l->child) != SX_OK ||
            sx_store_col_fixed(s, 1, l->parent, sizeof l->parent) != SX_OK)
            continue;
        if (!(l->ext = sx_store_col_dup(s, 2))) {
            rc = oom(im);
            goto out;
        }
        n++;
    }
    if (r != SQLITE_DONE) {
        rc = sx_store_db_err(im->st, im->err, "find parent runs");
        goto out;
    }
    if (im->ntouched)
        qsort(im->touched, im->ntouched, sizeof *im->touched, touched_cmp);
    for (size_t i = 0; i < n; i++) {
        /* Walk up from the parent: meeting the child means a cycle. */
        char cur[SX_UUID_LEN];
        int cycle = 0;
        snprintf(cur, sizeof cur, "%s", links[i].parent);
        for (size_t hops = 0; hops < 1000000; hops++) {
            sqlite3_stmt *up;
            if (strcmp(cur, links[i].child) == 0) {
                cycle = 1;
                break;
            }
            if ((rc = q(im, Q_PARENT_OF, &up)) != SX_OK ||
                (rc = sx_store_bind_text(im->st, up, 1, cur, im->err)) != SX_OK)
                goto out;
            if (sqlite3_step(up) != SQLITE_ROW || sqlite3_column_type(up, 0) == SQLITE_NULL ||
                sx_store_col_fixed(up, 0, cur, sizeof cur) != SX_OK)
                break;
        }
        if (cycle) {
            char where[600];
            snprintf(where, sizeof where, "%s: run %s", im->path, links[i].ext);
            if ((rc = problem(im, where, "its mlflow.parentRunId would make a cycle of "
                              "parent runs; not linked")) != SX_OK)
                goto out;
            continue;
        }
        sqlite3_stmt *set;
        if ((rc = q(im, Q_SET_PARENT, &set)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, set, 1, links[i].child, im->err)) != SX_OK ||
            (rc = sx_store_bind_text(im->st, set, 2, links[i].parent, im->err)) != SX_OK ||
            (rc = sx_store_step_done(im->st, set, "link a parent run", im->err)) != SX_OK)
            goto out;
        struct touched key;
        snprintf(key.id, sizeof key.id, "%s", links[i].child);
        struct touched *t = im->ntouched ? bsearch(&key, im->touched, im->ntouched,
                                                   sizeof *im->touched, touched_cmp) : NULL;
        if (!t || t->state == RS_SEEN) {
            im->rep->runs_updated++;
            if (t) {
                im->rep->runs_seen--;
                t->state = RS_UPDATED;
            }
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        free(links[i].ext);
    free(links);
    sqlite3_finalize(s);
    return rc;
}

/* ---- YAML meta files ---- */

struct yval {
    char *key, *val;            /* val NULL: null or not a scalar */
    int scalar;
};

struct meta {
    struct yval *v;
    size_t n, cap;
};

static void meta_free(struct meta *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].key);
        free(m->v[i].val);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* The value of KEY (the last one when repeated), NULL when absent. */
static const struct yval *meta_get(const struct meta *m, const char *key)
{
    for (size_t i = m->n; i-- > 0;)
        if (strcmp(m->v[i].key, key) == 0)
            return &m->v[i];
    return NULL;
}

/* KEY's text; NULL when absent, null or not a scalar. */
static const char *meta_text(const struct meta *m, const char *key)
{
    const struct yval *v = meta_get(m, key);
    return v && v->scalar ? v->val : NULL;
}

/* KEY as an integer: 1 with *OUT, 0 when absent or null, -1 when it is not
 * an integer. */
static int meta_int(const struct meta *m, const char *key, int64_t *out)
{
    const struct yval *v = meta_get(m, key);
    char *end;
    if (!v || (v->scalar && !v->val))
        return 0;
    if (!v->scalar || !*v->val)
        return -1;
    errno = 0;
    long long x = strtoll(v->val, &end, 10);
    if (*end || errno)
        return -1;
    *out = x;
    return 1;
}

/* Whether scalar event EV is YAML's null. */
static int y_null(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag && strcmp(tag, YAML_NULL_TAG) == 0)
        return 1;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

struct yread {
    yaml_parser_t p;
    char *why;
    size_t whysize;
    size_t *pos;                /* line and column of the error, 1-based */
};

/* The next event into EV; 0 with WHY and POS set on a YAML error. */
static int y_next(struct yread *y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&y->p, ev))
        return 1;
    y->pos[0] = (size_t)y->p.problem_mark.line + 1;
    y->pos[1] = (size_t)y->p.problem_mark.column + 1;
    snprintf(y->why, y->whysize, "%s", y->p.problem ? y->p.problem : "malformed YAML");
    return 0;
}

/* Consume the rest of the node that START (already read) opens. */
static int y_skip(struct yread *y, const yaml_event_t *start)
{
    int depth;
    if (start->type != YAML_SEQUENCE_START_EVENT && start->type != YAML_MAPPING_START_EVENT)
        return 1;
    depth = 1;
    while (depth > 0) {
        yaml_event_t ev;
        if (!y_next(y, &ev))
            return 0;
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        else if (ev.type == YAML_STREAM_END_EVENT)
            depth = 0;
        yaml_event_delete(&ev);
    }
    return 1;
}

/* Read the top-level mapping of the YAML file at PATH into M (scalar
 * values; nested ones are kept as "not a scalar"). SX_ENOTFOUND when the
 * file does not exist; SX_EPARSE with WHY and POS (line and column, 0 when
 * none) when it is not a YAML mapping; SX_EIO with WHY when it cannot be
 * read; SX_ENOMEM. */
static enum sx_status meta_read(const char *path, struct meta *m, char *why, size_t whysize,
                                size_t pos[2])
{
    struct yread y = {.why = why, .whysize = whysize, .pos = pos};
    enum sx_status rc = SX_EPARSE;
    yaml_event_t ev;
    char *key = NULL;
    FILE *fp;
    int state = 0;              /* 0 before the mapping, 1 want key, 2 want value */

    memset(m, 0, sizeof *m);
    pos[0] = pos[1] = 0;
    if (!(fp = fopen(path, "rb"))) {
        if (errno == ENOENT)
            return SX_ENOTFOUND;
        snprintf(why, whysize, "%s", strerror(errno));
        return SX_EIO;
    }
    if (!yaml_parser_initialize(&y.p)) {
        fclose(fp);
        return SX_ENOMEM;
    }
    yaml_parser_set_input_file(&y.p, fp);
    for (;;) {
        if (!y_next(&y, &ev))
            break;
        yaml_event_type_t t = ev.type;
        if (state == 0) {
            if (t == YAML_MAPPING_START_EVENT) {
                state = 1;
            } else if (t == YAML_STREAM_END_EVENT) {
                snprintf(why, whysize, "empty file");
                yaml_event_delete(&ev);
                break;
            } else if (t != YAML_STREAM_START_EVENT && t != YAML_DOCUMENT_START_EVENT) {
                pos[0] = (size_t)ev.start_mark.line + 1;
                pos[1] = (size_t)ev.start_mark.column + 1;
                snprintf(why, whysize, "not a YAML mapping of keys to values");
                yaml_event_delete(&ev);
                break;
            }
        } else if (state == 1) {
            if (t == YAML_MAPPING_END_EVENT) {
                rc = SX_OK;
                yaml_event_delete(&ev);
                break;
            }
            if (t == YAML_SCALAR_EVENT) {
                if (!(key = strdup((const char *)ev.data.scalar.value))) {
                    rc = SX_ENOMEM;
                    yaml_event_delete(&ev);
                    break;
                }
            } else if (!y_skip(&y, &ev)) {
                yaml_event_delete(&ev);
                break;
            }
            state = 2;
        } else {
            int ok = 1;
            if (key) {
                if (!sx_store_grow(&m->v, &m->cap, m->n, sizeof *m->v)) {
                    rc = SX_ENOMEM;
                    yaml_event_delete(&ev);
                    break;
                }
                struct yval *v = &m->v[m->n];
                v->key = key;
                v->val = NULL;
                v->scalar = t == YAML_SCALAR_EVENT;
                key = NULL;
                m->n++;
                if (t == YAML_SCALAR_EVENT && !y_null(&ev) &&
                    !(v->val = strdup((const char *)ev.data.scalar.value))) {
                    rc = SX_ENOMEM;
                    yaml_event_delete(&ev);
                    break;
                }
            }
            if (t != YAML_SCALAR_EVENT)
                ok = y_skip(&y, &ev);
            if (!ok) {
                yaml_event_delete(&ev);
                break;
            }
            state = 1;
        }
        yaml_event_delete(&ev);
    }
    free(key);
    yaml_parser_delete(&y.p);
    fclose(fp);
    if (rc != SX_OK)
        meta_free(m);
    return rc;
}

/* ---- files ---- */

/* The whole file at PATH into *BUF (NUL-terminated, free()) and *LEN; -1
 * with errno on failure. */
static int read_all(const char *path, char **buf, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = 0;

    *buf = NULL;
    *len = 0;
    if (!fp)
        return -1;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                fclose(fp);
                errno = ENOMEM;
                return -1;
            }
            b = nb;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(b);
        errno = EIO;
        return -1;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static char *join(const char *dir, const char *name)
{
    char *p = NULL;
    size_t dl = strlen(dir);
    if (asprintf(&p, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name) < 0)
        return NULL;
    return p;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* The entries of DIR but . and .., sorted by name (free each and the
 * list); -1 with errno on failure. */
static int list_dir(const char *dir, struct dirent ***out)
{
    return scandir(dir, out, not_dots, name_cmp);
}

static void free_list(struct dirent **l, int n)
{
    for (int i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

/* Whether S[0..) is a whole int64 (*OUT). */
static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!*s)
        return 0;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno)
        return 0;
    *out = v;
    return 1;
}

/* The points of the metric file PATH (lines "TIME VALUE [STEP [DATASET
 * DIGEST]]") as metric KEY of R. A bad line is skipped; the file's first
 * bad line is reported with the count of the others. */
static enum sx_status read_metric_file(struct imp *im, struct run_rec *r, const char *path,
                                       const char *key)
{
    char *buf = NULL, *line, *next;
    char first[400] = "", *where = NULL;
    size_t len, bad = 0, lineno = 0, firstline = 0;
    enum sx_status rc = SX_OK;
    struct metric *m = NULL;

    if (read_all(path, &buf, &len) != 0)
        return errno == ENOMEM ? oom(im) : problem(im, path, "%s", strerror(errno));
    for (line = buf; *line; line = next) {
        char *f[6];
        int nf = 0;
        char *p;
        int64_t time, step = 0;
        double value = 0;

        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        size_t ll = strlen(line);
        if (ll && line[ll - 1] == '\r')
            line[--ll] = '\0';
        for (p = line; nf < 6;) {
            f[nf++] = p;
            p = strchr(p, ' ');
            if (!p)
                break;
            *p++ = '\0';
        }
        const char *what = NULL;
        char wbuf[200];
        if (p || (nf != 2 && nf != 3 && nf != 5)) {
            what = "expected TIMESTAMP VALUE [STEP [DATASET DIGEST]] separated by spaces";
        } else if (!parse_i64(f[0], &time)) {
            snprintf(wbuf, sizeof wbuf, "timestamp '%.40s' is not an integer", f[0]);
            what = wbuf;
        } else if (nf >= 3 && !parse_i64(f[2], &step)) {
            snprintf(wbuf, sizeof wbuf, "step '%.40s' is not an integer", f[2]);
            what = wbuf;
        } else {
            char *end;
            value = strtod(f[1], &end);
            if (!*f[1] || *end) {
                snprintf(wbuf, sizeof wbuf, "value '%.40s' is not a number", f[1]);
                what = wbuf;
            }
        }
        if (what) {
            if (bad++ == 0) {
                snprintf(first, sizeof first, "%s", what);
                firstline = lineno;
            }
            continue;
        }
        if ((!m && !(m = metric_of(r, key))) || !add_point(m, step, time, value)) {
            free(buf);
            return oom(im);
        }
    }
    free(buf);
    if (lineno == 0)
        return problem(im, path, "empty metric file; skipped");
    if (!bad)
        return SX_OK;
    if (asprintf(&where, "%s:%zu", path, firstline) < 0)
        return oom(im);
    if (bad == 1)
        rc = problem(im, where, "%s; line skipped", first);
    else
        rc = problem(im, where, "%s; it and %zu more malformed lines skipped", first, bad - 1);
    free(where);
    return rc;
}

/* What a run folder's tree of files holds. */
enum tree { TREE_PARAMS, TREE_TAGS, TREE_METRICS };

/* The file PATH, named KEY, into R as WHAT: a param or a tag (the file's
 * bytes), or a metric's points. */
static enum sx_status read_leaf(struct imp *im, struct run_rec *r, enum tree what,
                                const char *path, const char *key)
{
    enum sx_status rc = SX_OK;
    char *buf = NULL;
    size_t len;

    if (what == TREE_METRICS)
        return read_metric_file(im, r, path, key);
    if (read_all(path, &buf, &len) != 0)
        rc = errno == ENOMEM ? oom(im) : problem(im, path, "%s", strerror(errno));
    else if (!(what == TREE_PARAMS
                   ? add_pair(&r->params, &r->nparams, &r->capparams, key, buf, len)
                   : add_pair(&r->tags, &r->ntags, &r->captags, key, buf, len)))
        rc = oom(im);
    free(buf);
    return rc;
}

/* Every file under DIR, recursively, into R as WHAT (read_leaf), keyed by
 * its path relative to the key folder (PREFIX so far, joined with '/'). A
 * missing DIR has none. */
static enum sx_status read_tree(struct imp *im, struct run_rec *r, enum tree what,
                                const char *dir, const char *prefix, int depth)
{
    struct dirent **ents = NULL;
    enum sx_status rc = SX_OK;
    int n;

    if (depth > MAX_DEPTH)
        return problem(im, dir, "folders nested too deep; skipped");
    if ((n = list_dir(dir, &ents)) < 0) {
        if (errno == ENOENT && depth == 0)
            return SX_OK;
        return errno == ENOMEM ? oom(im) : problem(im, dir, "%s", strerror(errno));
    }
    for (int i = 0; i < n && rc == SX_OK; i++) {
        char *path = join(dir, ents[i]->d_name), *key = NULL;
        if (!path || (*prefix ? asprintf(&key, "%s/%s", prefix, ents[i]->d_name) < 0
                              : !(key = strdup(ents[i]->d_name)))) {
            free(path);
            rc = oom(im);
            break;
        }
        if (is_dir(path))
            rc = read_tree(im, r, what, path, key, depth + 1);
        else
            rc = read_leaf(im, r, what, path, key);
        free(key);
        free(path);
    }
    free_list(ents, n);
    return rc;
}

/* ---- the file store ---- */

/* Folders of an experiment that are not runs. */
static int reserved_run_dir(const char *name)
{
    return !strcmp(name, "tags") || !strcmp(name, "datasets") || !strcmp(name, "traces") ||
           !strcmp(name, "models");
}

/* Read meta.yaml of DIR into M; a missing or malformed one is a problem
 * (*OK 0). */
static enum sx_status read_dir_meta(struct imp *im, const char *dir, const char *what,
                                    struct meta *m, int *ok)
{
    char why[400], *where = NULL;
    char *path = join(dir, "meta.yaml");
    enum sx_status rc = SX_OK;
    size_t pos[2];

    *ok = 0;
    if (!path)
        return oom(im);
    switch (meta_read(path, m, why, sizeof why, pos)) {
    case SX_OK:
        *ok = 1;
        break;
    case SX_ENOTFOUND:
        rc = problem(im, dir, "no meta.yaml (not an MLflow %s?); skipped", what);
        break;
    case SX_ENOMEM:
        rc = oom(im);
        break;
    default:
        if (pos[0] && asprintf(&where, "%s:%zu:%zu", path, pos[0], pos[1]) < 0) {
            rc = oom(im);
            break;
        }
        rc = problem(im, where ? where : path, "%s; %s skipped", why, what);
        break;
    }
    free(where);
    free(path);
    return rc;
}

/* Import run folder DIR (named NAME) of MLflow experiment EXT_ID, ours
 * EXP. */
static enum sx_status import_fs_run(struct imp *im, const char *exp, const char *ext_id,
                                    const char *dir, const char *name)
{
    struct run_rec r = {0};
    struct meta m;
    enum sx_status rc;
    char *metapath = NULL, *params = NULL, *tags = NULL, *metrics = NULL;
    int ok, has_start, has_end;
    int64_t start = 0, end = 0;

    if ((rc = read_dir_meta(im, dir, "run", &m, &ok)) != SX_OK || !ok) {
        if (rc == SX_OK)
            ran(im);
        return rc;
    }
    if (!(metapath = join(dir, "meta.yaml")) || !(params = join(dir, "params")) ||
        !(tags = join(dir, "tags")) || !(metrics = join(dir, "metrics"))) {
        rc = oom(im);
        goto out;
    }
    const char *run_id = meta_text(&m, "run_id");
    const char *meta_exp = meta_text(&m, "experiment_id");
    const char *stage = meta_text(&m, "lifecycle_stage");
    const char *status = meta_text(&m, "status");
    if (!run_id)
        run_id = meta_text(&m, "run_uuid");
    if (!run_id)
        run_id = name;
    has_start = meta_int(&m, "start_time", &start);
    has_end = meta_int(&m, "end_time", &end);
    if (strcmp(run_id, name) != 0) {
        rc = problem(im, metapath, "run_id '%.64s' differs from the folder name; run skipped",
                     run_id);
        goto out;
    }
    if (meta_exp && strcmp(meta_exp, ext_id) != 0) {
        rc = problem(im, metapath, "experiment_id '%.64s' differs from the experiment "
                     "folder '%.64s'; run skipped", meta_exp, ext_id);
        goto out;
    }
    if (stage && strcmp(stage, "deleted") == 0) {
        im->rep->deleted++;
        goto out;
    }
    if (!(r.status = status ? status_of(status) : "running")) {
        rc = problem(im, metapath, "status '%.40s' is not one of 1-5 (RUNNING, SCHEDULED, "
                     "FINISHED, FAILED, KILLED); run skipped", status);
        goto out;
    }
    if (has_start < 0 || has_end < 0) {
        rc = problem(im, metapath, "%s is not an integer (milliseconds); run skipped",
                     has_start < 0 ? "start_time" : "end_time");
        goto out;
    }
    if (!(r.id = strdup(run_id))) {
        rc = oom(im);
        goto out;
    }
    r.has_end = has_end;
    r.end_ms = end;
    r.start_ms = has_start ? start : has_end ? end : 0;
    if ((rc = read_tree(im, &r, TREE_PARAMS, params, "", 0)) != SX_OK ||
        (rc = read_tree(im, &r, TREE_TAGS, tags, "", 0)) != SX_OK ||
        (rc = read_tree(im, &r, TREE_METRICS, metrics, "", 0)) != SX_OK)
        goto out;
    if (!run_rec_names(&r, meta_text(&m, "run_name"), meta_text(&m, "user_id"))) {
        rc = oom(im);
        goto out;
    }
    rc = put_run(im, exp, &r);
out:
    free(metapath);
    free(params);
    free(tags);
    free(metrics);
    meta_free(&m);
    run_rec_clear(&r);
    if (rc == SX_OK)
        ran(im);
    return rc;
}

/* Import experiment folder DIR (named NAME) and its runs. */
static enum sx_status import_fs_experiment(struct imp *im, const char *dir, const char *name)
{
    struct dirent **ents = NULL;
    struct meta m;
    enum sx_status rc;
    char id[SX_UUID_LEN];
    int ok, is_new = 0, n = 0;
    int64_t created = -1;
    char *metapath = NULL;

    if ((rc = read_dir_meta(im, dir, "experiment", &m, &ok)) != SX_OK || !ok)
        return rc;
    if (!(metapath = join(dir, "meta.yaml"))) {
        meta_free(&m);
        return oom(im);
    }
    const char *ext = meta_text(&m, "experiment_id");
    const char *ename = meta_text(&m, "name");
    const char *stage = meta_text(&m, "lifecycle_stage");
    if (!ext) {
        rc = problem(im, metapath, "no experiment_id; experiment skipped");
        goto out;
    }
    if (strcmp(ext, name) != 0) {
        rc = problem(im, metapath, "experiment_id '%.64s' differs from the folder name; "
                     "experiment skipped", ext);
        goto out;
    }
    if (!ename || !*ename) {
        rc = problem(im, metapath, "no name; experiment skipped");
        goto out;
    }
    if (stage && strcmp(stage, "deleted") == 0) {
        im->rep->deleted++;
        goto out;
    }
    if (meta_int(&m, "creation_time", &created) != 1)
        created = -1;
    if ((rc = put_experiment(im, ext, ename, created, id, &is_new)) != SX_OK)
        goto out;
    if ((n = list_dir(dir, &ents)) < 0) {
        n = 0;
        rc = errno == ENOMEM ? oom(im) : problem(im, dir, "%s", strerror(errno));
        goto out;
    }
    for (int i = 0; i < n && rc == SX_OK; i++) {
        char *path;
        if (reserved_run_dir(ents[i]->d_name))
            continue;
        if (!(path = join(dir, ents[i]->d_name))) {
            rc = oom(im);
            break;
        }
        if (is_dir(path))
            rc = import_fs_run(im, id, ext, path, ents[i]->d_name);
        free(path);
    }
    if (rc == SX_OK && is_new && created < 0)
        rc = fix_created(im, id);
out:
    free_list(ents, n);
    free(metapath);
    meta_free(&m);
    return rc;
}

/* Experiment folders: every folder of ROOT but the registry (models/) and
 * .trash/ (deleted experiments, counted). */
static enum sx_status import_files(struct imp *im, const char *root)
{
    struct dirent **ents = NULL;
    enum sx_status rc = SX_OK;
    int n;

    if ((n = list_dir(root, &ents)) < 0)
        return sx_err_set(im->err, SX_EIO, "%s: %s", root, strerror(errno));
    for (int i = 0; i < n && rc == SX_OK; i++) {
        const char *name = ents[i]->d_name;
        char *path = join(root, name);
        if (!path) {
            rc = oom(im);
            break;
        }
        if (!is_dir(path) || strcmp(name, "models") == 0) {
            free(path);
            continue;
        }
        if (strcmp(name, ".trash") == 0) {
            struct dirent **t = NULL;
            int k = list_dir(path, &t);
            for (int j = 0; j < k; j++) {
                char *e = join(path, t[j]->d_name);
                if (e && is_dir(e))
                    im->rep->deleted++;
                free(e);
            }
            if (k >= 0)
                free_list(t, k);
        } else if (name[0] != '.') {
            rc = import_fs_experiment(im, path, name);
        }
        free(path);
    }
    free_list(ents, n);
    return rc;
}

/* Whether DIR looks like an MLflow file store: a .trash folder, or a
 * folder holding meta.yaml. */
static int is_file_store(const char *dir)
{
    struct dirent **ents = NULL;
    int n = list_dir(dir, &ents), yes = 0;
    for (int i = 0; i < n && !yes; i++) {
        char *sub = join(dir, ents[i]->d_name), *meta = sub ? join(sub, "meta.yaml") : NULL;
        if (sub && strcmp(ents[i]->d_name, "models") != 0 &&
            (strcmp(ents[i]->d_name, ".trash") == 0 ? is_dir(sub) : meta && is_file(meta)))
            yes = 1;
        free(meta);
        free(sub);
    }
    if (n >= 0)
        free_list(ents, n);
    return yes;
}

/* ---- the SQLite store ---- */

static int is_sqlite_file(const char *path)
{
    char head[16];
    FILE *fp = fopen(path, "rb");
    size_t got = fp ? fread(head, 1, sizeof head, fp) : 0;
    if (fp)
        fclose(fp);
    return got == sizeof head && memcmp(head, "SQLite format 3", 16) == 0;
}

struct sqlsrc {
    sqlite3 *db;
    const char *path;
};

static enum sx_status sql_err(struct imp *im, const struct sqlsrc *src, const char *what)
{
    return sx_err_set(im->err, SX_EIO, "%s: %s: %s", src->path, what, sqlite3_errmsg(src->db));
}

/* Whether table T (and column C when not NULL) exists; -1 on error. */
static int sql_has(const struct sqlsrc *src, const char *t, const char *c)
{
    sqlite3_stmt *s = NULL;
    int yes;
    const char *sql = c ? "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2"
                        : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";
    if (sqlite3_prepare_v2(src->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, t, -1, SQLITE_STATIC);
    if (c)
        sqlite3_bind_text(s, 2, c, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    yes = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(s);
    return yes;
}

/* Open PATH read-only; *DB NULL and a message in WHY when it is not an
 * MLflow database (no experiments or runs table). */
static int sql_open(const char *path, sqlite3 **db, char *why, size_t whysize)
{
    struct sqlsrc src = {NULL, path};
    *db = NULL;
    if (sqlite3_open_v2(path, &src.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(why, whysize, "%s", src.db ? sqlite3_errmsg(src.db) : "out of memory");
        sqlite3_close(src.db);
        return 0;
    }
    sqlite3_busy_timeout(src.db, 5000);
    int e = sql_has(&src, "experiments", NULL), r = sql_has(&src, "runs", NULL);
    if (e != 1 || r != 1) {
        snprintf(why, whysize, "%s", e < 0 || r < 0 ? sqlite3_errmsg(src.db)
                 : "an SQLite database without MLflow's experiments and runs tables");
        sqlite3_close(src.db);
        return 0;
    }
    *db = src.db;
    return 1;
}

/* A column expression: NAME when table T has it, else FALLBACK. */
static const char *col_or(const struct sqlsrc *src, const char *t, const char *name,
                          const char *fallback)
{
    return sql_has(src, t, name) == 1 ? name : fallback;
}

struct expmap {
    char *ext;
    char id[SX_UUID_LEN];
    int skip;                   /* deleted or malformed: its runs are not imported */
    int fix;                    /* new without a creation time */
};

static int expmap_cmp(const void *a, const void *b)
{
    return strcmp(((const struct expmap *)a)->ext, ((const struct expmap *)b)->ext);
}

/* A cursor over rows ordered by run id (column 0). */
struct cursor {
    sqlite3_stmt *s;
    int r;                      /* SQLITE_ROW while on a row */
};

static const char *cur_run(const struct cursor *c)
{
    const char *v = c->r == SQLITE_ROW ? (const char *)sqlite3_column_text(c->s, 0) : NULL;
    return v ? v : "";
}

static enum sx_status cur_open(struct imp *im, const struct sqlsrc *src, const char *sql,
                               struct cursor *c)
{
    c->s = NULL;
    c->r = SQLITE_DONE;
    if (!sql)
        return SX_OK;
    if (sqlite3_prepare_v2(src->db, sql, -1, &c->s, NULL) != SQLITE_OK)
        return sql_err(im, src, "read");
    c->r = sqlite3_step(c->s);
    if (c->r != SQLITE_ROW && c->r != SQLITE_DONE)
        return sql_err(im, src, "read");
    return SX_OK;
}

static enum sx_status cur_next(struct imp *im, const struct sqlsrc *src, struct cursor *c)
{
    c->r = sqlite3_step(c->s);
    if (c->r != SQLITE_ROW && c->r != SQLITE_DONE)
        return sql_err(im, src, "read");
    return SX_OK;
}

/* Move C past rows of runs before RUN; then 1 while on a row of RUN. */
static enum sx_status cur_seek(struct imp *im, const struct sqlsrc *src, struct cursor *c,
                               const char *run, int *on)
{
    enum sx_status rc = SX_OK;
    while (c->r == SQLITE_ROW && strcmp(cur_run(c), run) < 0)
        if ((rc = cur_next(im, src, c)) != SX_OK)
            return rc;
    *on = c->r == SQLITE_ROW && strcmp(cur_run(c), run) == 0;
    return SX_OK;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    return v ? v : "";
}

/* Read the params, tags and metrics of run RUN from the cursors into R. */
static enum sx_status sql_children(struct imp *im, const struct sqlsrc *src, struct run_rec *r,
                                   struct cursor *params, struct cursor *tags,
                                   struct cursor *metrics)
{
    enum sx_status rc;
    int on;

    for (int k = 0; k < 2; k++) {
        struct cursor *c = k == 0 ? params : tags;
        if ((rc = cur_seek(im, src, c, r->id, &on)) != SX_OK)
            return rc;
        while (on) {
            const char *key = col_text(c->s, 1), *val = col_text(c->s, 2);
            if (!(k == 0 ? add_pair(&r->params, &r->nparams, &r->capparams, key, val,
                                    strlen(val))
                         : add_pair(&r->tags, &r->ntags, &r->captags, key, val, strlen(val))))
                return oom(im);
            if ((rc = cur_next(im, src, c)) != SX_OK ||
                (rc = cur_seek(im, src, c, r->id, &on)) != SX_OK)
                return rc;
        }
    }
    if ((rc = cur_seek(im, src, metrics, r->id, &on)) != SX_OK)
        return rc;
    while (on) {
        sqlite3_stmt *s = metrics->s;
        struct metric *m = metric_of(r, col_text(s, 1));
        int nan = sqlite3_column_type(s, 2) == SQLITE_NULL || sqlite3_column_int(s, 5) != 0;
        if (!m || !add_point(m, sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 3),
                             nan ? NAN : sqlite3_column_double(s, 2)))
            return oom(im);
        if ((rc = cur_next(im, src, metrics)) != SX_OK ||
            (rc = cur_seek(im, src, metrics, r->id, &on)) != SX_OK)
            return rc;
    }
    return SX_OK;
}

static enum sx_status import_sql(struct imp *im, sqlite3 *db, const char *path)
{
    struct sqlsrc src = {db, path};
    struct expmap *exps = NULL;
    size_t nexps = 0, cap = 0;
    struct cursor runs = {0}, params = {0}, tags = {0}, metrics = {0};
    sqlite3_stmt *s = NULL;
    enum sx_status rc = SX_OK;
    char sql[512];
    int r;

    /* Experiments. */
    snprintf(sql, sizeof sql, "SELECT CAST(experiment_id AS TEXT), name, %s, %s FROM "
             "experiments ORDER BY experiment_id",
             col_or(&src, "experiments", "lifecycle_stage", "NULL"),
             col_or(&src, "experiments", "creation_time", "NULL"));
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        rc = sql_err(im, &src, "read experiments");
        goto out;
    }
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *ext = col_text(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *stage = (const char *)sqlite3_column_text(s, 2);
        int64_t created = sqlite3_column_type(s, 3) == SQLITE_INTEGER
                              ? sqlite3_column_int64(s, 3) : -1;
        int is_new = 0;
        if (!sx_store_grow(&exps, &cap, nexps, sizeof *exps) || !(exps[nexps].ext = strdup(ext))) {
            rc = oom(im);
            goto out;
        }
        struct expmap *e = &exps[nexps++];
        e->skip = 1;
        e->fix = 0;
        e->id[0] = '\0';
        if (stage && strcmp(stage, "deleted") == 0) {
            im->rep->deleted++;
            continue;
        }
        if (!name || !*name) {
            char where[600];
            snprintf(where, sizeof where, "%s: experiment %s", path, ext);
            if ((rc = problem(im, where, "no name; experiment and its runs skipped")) != SX_OK)
                goto out;
            continue;
        }
        if ((rc = put_experiment(im, ext, name, created, e->id, &is_new)) != SX_OK)
            goto out;
        e->skip = 0;
        e->fix = is_new && created < 0;
    }
    if (r != SQLITE_DONE) {
        rc = sql_err(im, &src, "read experiments");
        goto out;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (nexps)
        qsort(exps, nexps, sizeof *exps, expmap_cmp);

    /* Runs, with their params, tags and metrics read alongside in run id
     * order (one pass over each table, whatever indexes the file has). */
    snprintf(sql, sizeof sql, "SELECT run_uuid, CAST(experiment_id AS TEXT), %s, %s, status, "
             "start_time, end_time, %s FROM runs ORDER BY run_uuid",
             col_or(&src, "runs", "name", "NULL"), col_or(&src, "runs", "user_id", "NULL"),
             col_or(&src, "runs", "lifecycle_stage", "NULL"));
    if ((rc = cur_open(im, &src, sql, &runs)) != SX_OK)
        goto out;
    if ((rc = cur_open(im, &src, sql_has(&src, "params", NULL) == 1
                       ? "SELECT run_uuid, key, value FROM params ORDER BY run_uuid" : NULL,
                       &params)) != SX_OK ||
        (rc = cur_open(im, &src, sql_has(&src, "tags", NULL) == 1
                       ? "SELECT run_uuid, key, value FROM tags ORDER BY run_uuid" : NULL,
                       &tags)) != SX_OK)
        goto out;
    if (sql_has(&src, "metrics", NULL) == 1) {
        snprintf(sql, sizeof sql, "SELECT run_uuid, key, value, timestamp, %s, %s FROM metrics "
                 "ORDER BY run_uuid, key", col_or(&src, "metrics", "step", "0"),
                 col_or(&src, "metrics", "is_nan", "0"));
        if ((rc = cur_open(im, &src, sql, &metrics)) != SX_OK)
            goto out;
    }
    while (runs.r == SQLITE_ROW) {
        sqlite3_stmt *rs = runs.s;
        struct run_rec rec = {0};
        struct expmap key = {.ext = (char *)col_text(rs, 1)};
        struct expmap *e = nexps ? bsearch(&key, exps, nexps, sizeof *exps, expmap_cmp) : NULL;
        const char *stage = (const char *)sqlite3_column_text(rs, 7);
        const char *status = (const char *)sqlite3_column_text(rs, 4);
        char where[600];
        int skip = 0;

        if (!(rec.id = strdup(col_text(rs, 0)))) {
            rc = oom(im);
            goto out;
        }
        snprintf(where, sizeof where, "%s: run %s", path, rec.id);
        if ((rc = sql_children(im, &src, &rec, &params, &tags, &metrics)) != SX_OK) {
            run_rec_clear(&rec);
            goto out;
        }
        if (!*rec.id) {
            rc = problem(im, where, "no run id; skipped");
            skip = 1;
        } else if (!e) {
            rc = problem(im, where, "experiment %s does not exist; run skipped", key.ext);
            skip = 1;
        } else if (e->skip) {
            skip = 1;           /* deleted or malformed experiment: counted there */
        } else if (stage && strcmp(stage, "deleted") == 0) {
            im->rep->deleted++;
            skip = 1;
        } else if (!(rec.status = status ? status_of(status) : "running")) {
            rc = problem(im, where, "status '%.40s' is not RUNNING, SCHEDULED, FINISHED, "
                         "FAILED or KILLED; run skipped", status);
            skip = 1;
        }
        if (!skip && rc == SX_OK) {
            int has_start = sqlite3_column_type(rs, 5) != SQLITE_NULL;
            rec.has_end = sqlite3_column_type(rs, 6) != SQLITE_NULL;
            rec.end_ms = sqlite3_column_int64(rs, 6);
            rec.start_ms = has_start ? sqlite3_column_int64(rs, 5) : rec.has_end ? rec.end_ms : 0;
            if (!run_rec_names(&rec, (const char *)sqlite3_column_text(rs, 2),
                               (const char *)sqlite3_column_text(rs, 3)))
                rc = oom(im);
            else
                rc = put_run(im, e->id, &rec);
        }
        run_rec_clear(&rec);
        if (rc != SX_OK)
            goto out;
        ran(im);
        if ((rc = cur_next(im, &src, &runs)) != SX_OK)
            goto out;
    }
    for (size_t i = 0; i < nexps && rc == SX_OK; i++)
        if (exps[i].fix)
            rc = fix_created(im, exps[i].id);
out:
    sqlite3_finalize(s);
    sqlite3_finalize(runs.s);
    sqlite3_finalize(params.s);
    sqlite3_finalize(tags.s);
    sqlite3_finalize(metrics.s);
    for (size_t i = 0; i < nexps; i++)
        free(exps[i].ext);
    free(exps);
    return rc;
}

/* ---- entry points ---- */

void sx_mlflow_report_clear(struct sx_mlflow_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nproblems; i++)
        free(r->problems[i]);
    free(r->problems);
    memset(r, 0, sizeof *r);
}

enum sx_status sx_mlflow_import(struct sx_store *st, const char *path,
                                void (*progress)(void *ctx, size_t runs_done), void *ctx,
                                struct sx_mlflow_report *report, struct sx_err *err)
{
    struct imp im = {.st = st, .rep = report, .err = err, .progress = progress, .ctx = ctx,
                     .path = path};
    char *files = NULL, *dbpath = NULL, *meta = NULL, why[400] = "";
    sqlite3 *db = NULL;
    enum sx_status rc;
    struct timespec ts;
    struct stat sb;
    int begun = 0;

    memset(report, 0, sizeof *report);
    sx_err_clear(err);
    if ((rc = sx_hash_init(err)) != SX_OK)
        return rc;
    if (stat(path, &sb) != 0)
        return sx_err_set(err, SX_ENOTFOUND, "%s: %s", path, strerror(errno));

    /* What PATH is: an mlflow.db, an mlruns/ tree, or a project holding
     * mlruns/ and/or mlflow.db (both are imported). */
    if (S_ISREG(sb.st_mode)) {
        if (!is_sqlite_file(path))
            return sx_err_set(err, SX_ENOTFOUND, "%s: not an MLflow store (neither an mlruns/ "
                              "directory nor an MLflow SQLite database)", path);
        if (!sql_open(path, &db, why, sizeof why))
            return sx_err_set(err, SX_ENOTFOUND, "%s: not an MLflow store (%s)", path, why);
        if (!(dbpath = strdup(path))) {
            sqlite3_close(db);
            return sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
        }
    } else if (S_ISDIR(sb.st_mode)) {
        if (!(meta = join(path, "meta.yaml")))
            return sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
        int inside = is_file(meta);
        free(meta);
        if (inside)
            return sx_err_set(err, SX_ENOTFOUND, "%s: one experiment or run of an MLflow "
                              "store, not a store; import the mlruns/ directory holding it",
                              path);
        if (is_file_store(path)) {
            if (!(files = strdup(path)))
                return sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
        } else {
            files = join(path, "mlruns");
            dbpath = join(path, "mlflow.db");
            if (!files || !dbpath) {
                rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
                goto out;
            }
            if (!is_dir(files) || !is_file_store(files)) {
                free(files);
                files = NULL;
            }
            if (!is_file(dbpath)) {
                free(dbpath);
                dbpath = NULL;
            } else if (!is_sqlite_file(dbpath) || !sql_open(dbpath, &db, why, sizeof why)) {
                /* Not an MLflow database: said when there is something else
                 * to import, else it is the error. */
                if (files && (rc = problem(&im, dbpath, "not an MLflow database (%s); "
                                           "skipped", *why ? why : "not SQLite")) != SX_OK)
                    goto out;
                free(dbpath);
                dbpath = NULL;
            }
        }
        if (!files && !dbpath)
            return sx_err_set(err, SX_ENOTFOUND, "%s: not an MLflow store (no experiment "
                              "folders with meta.yaml, no mlruns/ or mlflow.db)", path);
    } else {
        return sx_err_set(err, SX_ENOTFOUND, "%s: not an MLflow store", path);
    }

    sx_store_author(im.author, sizeof im.author);
    clock_gettime(CLOCK_REALTIME, &ts);
    im.now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        goto out;
    begun = 1;
    if (files && (rc = import_files(&im, files)) != SX_OK)
        goto out;
    if (db && (rc = import_sql(&im, db, dbpath)) != SX_OK)
        goto out;
    if ((rc = link_parents(&im)) != SX_OK)
        goto out;
    /* The rows were written with our own SQL: rebuild the runs table's
     * summaries now, in the same transaction, not on every later load. */
    if ((rc = sx_runs_summary_refresh(st, err)) != SX_OK)
        goto out;
    for (int i = 0; i < NQ; i++) {
        sqlite3_finalize(im.q[i]);
        im.q[i] = NULL;
    }
    rc = sx_store_commit(st, err);
    begun = 0;
out:
    for (int i = 0; i < NQ; i++)
        sqlite3_finalize(im.q[i]);
    if (begun)
        sx_store_rollback(st);
    sqlite3_close(db);
    free(files);
    free(dbpath);
    free(im.touched);
    return rc;
}
