/* tui/view_compare.c: runs side by side (c in the runs table, on the runs
 * selected with s), and the chart of their metric histories.
 *
 * Compare: one column per run, the first one the baseline; rows for what
 * the run is (experiment, status, author, algorithm, data set, fit),
 * params, metrics, per-group metrics ("rmse [region=north]", sorted by
 * metric so a run that wins overall but loses a region shows at a
 * glance), validation sets ("rmse [@energy_2023]"), environment and
 * resources. A row whose values differ has them in the differ role; a
 * metric shows its delta against the baseline, in the better or worse role
 * by the metric's direction (sx_metric_lower_is_better), and the best
 * value of the row is marked ★. d shows only the rows that differ (and
 * back); h/l scroll the runs sideways when they do not fit; . charts the
 * history of the metric under the cursor (else the first one with one).
 *
 * History: every run's points of one metric (step on x), one line per
 * run, drawn by gnuplot's dumb terminal at the view's size (again on
 * resize) through sx_plot_lines_new; without gnuplot, one sparkline per
 * run. `:history-chart METRIC` there switches the metric. */
#include "epane.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plot.h"
#include "sheet.h"
#include "validate.h"

#define LABEL_CAP 34
#define COL_CAP   26
#define COL_MIN   10

enum rkind { K_HEAD, K_INFO, K_PARAM, K_METRIC, K_GROUP, K_VAL, K_ENV };

struct crow {
    enum rkind kind;
    char *label;
    char *metric;             /* K_METRIC, K_GROUP, K_VAL: the metric's key */
    char **cell;              /* per run: text ("" when missing) */
    double *num;              /* per run, metrics: the value or NaN */
    int lower;                /* metrics: lower is better */
    int differ;
    size_t best;              /* metrics: the best run, or (size_t)-1 */
};

struct cmp {
    struct sx_view_ops ops;
    char title[64];
    struct sx_epane *p;
    char (*ids)[SX_UUID_LEN];
    size_t n;
    unsigned gen;
    struct sx_run *runs;
    struct crow *rows;
    size_t nrows, cap;
    size_t *shown;            /* indices of the rows on show (diff-only filters) */
    size_t nshown;
    int diff_only;
    struct sx_sheet_cursor cur;
    size_t left;              /* first run column shown */
    char error[600];
};

/* ---- building the rows ---- */

static void rows_free(struct cmp *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        struct crow *r = &c->rows[i];
        free(r->label);
        free(r->metric);
        for (size_t k = 0; r->cell && k < c->n; k++)
            free(r->cell[k]);
        free(r->cell);
        free(r->num);
    }
    free(c->rows);
    free(c->shown);
    c->rows = NULL;
    c->shown = NULL;
    c->nrows = c->cap = c->nshown = 0;
}

/* A new row; NULL when out of memory. */
static struct crow *add_row(struct cmp *c, enum rkind kind, const char *label, const char *metric)
{
    if (c->nrows == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct crow *nr = realloc(c->rows, cap * sizeof *nr);
        if (!nr)
            return NULL;
        c->rows = nr;
        c->cap = cap;
    }
    struct crow *r = &c->rows[c->nrows];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->best = (size_t)-1;
    r->label = strdup(label);
    r->metric = metric ? strdup(metric) : NULL;
    r->cell = calloc(c->n, sizeof *r->cell);
    r->num = malloc(c->n * sizeof *r->num);
    if (!r->label || (metric && !r->metric) || !r->cell || !r->num) {
        free(r->label);
        free(r->metric);
        free(r->cell);
        free(r->num);
        return NULL;
    }
    for (size_t k = 0; k < c->n; k++)
        r->num[k] = NAN;
    c->nrows++;
    return r;
}

static int set_cell(struct crow *r, size_t k, const char *s)
{
    free(r->cell[k]);
    r->cell[k] = strdup(s ? s : "");
    return r->cell[k] ? 0 : -1;
}

/* Fill the missing cells with "" and decide whether the row differs. */
static int finish_row(const struct cmp *c, struct crow *r)
{
    for (size_t k = 0; k < c->n; k++)
        if (!r->cell[k] && set_cell(r, k, "") != 0)
            return -1;
    r->differ = 0;
    for (size_t k = 1; k < c->n; k++)
        if (strcmp(r->cell[k], r->cell[0]) != 0)
            r->differ = 1;
    if (r->kind == K_METRIC || r->kind == K_GROUP || r->kind == K_VAL) {
        for (size_t k = 0; k < c->n; k++) {
            if (isnan(r->num[k]))
                continue;
            if (r->best == (size_t)-1 ||
                (r->lower ? r->num[k] < r->num[r->best] : r->num[k] > r->num[r->best]))
                r->best = k;
        }
        /* no mark when every run has the same value or only one has one */
        size_t present = 0;
        for (size_t k = 0; k < c->n; k++)
            present += !isnan(r->num[k]);
        if (!r->differ || present < 2)
            r->best = (size_t)-1;
    }
    return 0;
}

/* The row labelled LABEL of KIND among FROM.., or a new one. */
static struct crow *row_for(struct cmp *c, size_t from, enum rkind kind, const char *label,
                            const char *metric)
{
    for (size_t i = from; i < c->nrows; i++)
        if (c->rows[i].kind == kind && strcmp(c->rows[i].label, label) == 0)
            return &c->rows[i];
    return add_row(c, kind, label, metric);
}

static int head_row(struct cmp *c, const char *title)
{
    return add_row(c, K_HEAD, title, NULL) ? 0 : -1;
}

static int info(struct cmp *c, const char *label, size_t k, const char *value, size_t from)
{
    struct crow *r = row_for(c, from, K_INFO, label, NULL);
    return r ? set_cell(r, k, value) : -1;
}

static int env_rows(struct cmp *c, const json_t *o, const char *prefix, size_t k, size_t from)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        char label[300], val[1024];
        snprintf(label, sizeof label, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (json_is_object(v)) {
            if (env_rows(c, v, label, k, from) != 0)
                return -1;
            continue;
        }
        sx_epane_json_text(v, val, sizeof val);
        struct crow *r = row_for(c, from, K_ENV, label, NULL);
        if (!r || set_cell(r, k, val) != 0)
            return -1;
    }
    return 0;
}

static int metric_cell(struct crow *r, size_t k, double v)
{
    char num[32];
    r->num[k] = v;
    sx_epane_fmt_metric(v, 10, num, sizeof num);
    return set_cell(r, k, isnan(v) ? "NaN" : num);
}

struct gkey {
    char *metric, *label;
    size_t morder;
};

static int gkey_cmp(const void *a, const void *b)
{
    const struct gkey *x = a, *y = b;
    if (x->morder != y->morder)
        return x->morder < y->morder ? -1 : 1;
    int m = strcmp(x->metric, y->metric);
    return m ? m : strcmp(x->label, y->label);
}

static json_t *parse(const char *s)
{
    json_error_t je;
    return s && *s ? json_loads(s, JSON_DECODE_ANY, &je) : NULL;
}

/* Per-group ({COL: {LABEL: {M: V}}}, GROUPS 1) or validation ({DATASET:
 * {M: V}}) metrics of every run as rows sorted by metric (in the order of
 * the overall metrics, METRICS[0..NM)), then by label. */
static int group_rows(struct cmp *c, int groups, const char *const *metrics, size_t nm)
{
    struct gkey *keys = NULL;
    size_t nk = 0, capk = 0;
    json_t **docs = calloc(c->n, sizeof *docs);
    int rc = -1;
    if (!docs)
        return -1;
    for (size_t k = 0; k < c->n; k++) {
        docs[k] = parse(groups ? c->runs[k].groups_json : c->runs[k].validation_json);
        if (!json_is_object(docs[k]))
            continue;
        const char *a, *m;
        json_t *av, *mv;
        json_object_foreach(docs[k], a, av) {
            /* groups: COL -> LABEL -> metrics; validation: DATASET -> metrics */
            json_t *labels = groups ? av : NULL;
            const char *l = a;
            json_t *lv = av;
            void *it = groups && json_is_object(labels) ? json_object_iter(labels) : NULL;
            do {
                if (groups) {
                    if (!it)
                        break;
                    l = json_object_iter_key(it);
                    lv = json_object_iter_value(it);
                }
                char label[600];
                if (groups)
                    snprintf(label, sizeof label, "%s=%s", a, l);
                else
                    snprintf(label, sizeof label, "@%s", a);
                if (json_is_object(lv)) {
                    json_object_foreach(lv, m, mv) {
                        int seen = 0;
                        for (size_t i = 0; i < nk && !seen; i++)
                            seen = strcmp(keys[i].metric, m) == 0 &&
                                   strcmp(keys[i].label, label) == 0;
                        if (seen)
                            continue;
                        if (nk == capk) {
                            capk = capk ? 2 * capk : 32;
                            struct gkey *nk2 = realloc(keys, capk * sizeof *keys);
                            if (!nk2)
                                goto out;
                            keys = nk2;
                        }
                        size_t mo = nm;
                        for (size_t i = 0; i < nm; i++)
                            if (strcmp(metrics[i], m) == 0)
                                mo = i;
                        keys[nk].metric = strdup(m);
                        keys[nk].label = strdup(label);
                        keys[nk].morder = mo;
                        if (!keys[nk].metric || !keys[nk].label) {
                            free(keys[nk].metric);
                            free(keys[nk].label);
                            goto out;
                        }
                        nk++;
                    }
                }
                if (groups)
                    it = json_object_iter_next(labels, it);
            } while (groups);
        }
    }
    if (nk == 0) {
        rc = 0;
        goto out;
    }
    qsort(keys, nk, sizeof *keys, gkey_cmp);
    if (head_row(c, groups ? "Per-group metrics" : "Validation sets") != 0)
        goto out;
    for (size_t i = 0; i < nk; i++) {
        char label[900];
        snprintf(label, sizeof label, "%s [%s]", keys[i].metric, keys[i].label);
        struct crow *r = add_row(c, groups ? K_GROUP : K_VAL, label, keys[i].metric);
        if (!r)
            goto out;
        r->lower = sx_metric_lower_is_better(keys[i].metric);
        for (size_t k = 0; k < c->n; k++) {
            json_t *x = NULL;
            if (groups) {
                const char *eq = strchr(keys[i].label, '=');
                char *col = eq ? strndup(keys[i].label, (size_t)(eq - keys[i].label)) : NULL;
                json_t *labels = col ? json_object_get(docs[k], col) : NULL;
                json_t *lv = labels ? json_object_get(labels, eq + 1) : NULL;
                x = lv ? json_object_get(lv, keys[i].metric) : NULL;
                free(col);
            } else {
                json_t *dv = json_object_get(docs[k], keys[i].label + 1);
                x = dv ? json_object_get(dv, keys[i].metric) : NULL;
            }
            if (json_is_number(x)) {
                if (metric_cell(r, k, json_number_value(x)) != 0)
                    goto out;
            } else if (json_is_null(x)) {
                if (set_cell(r, k, "null") != 0)
                    goto out;
            }
        }
        if (finish_row(c, r) != 0)
            goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < nk; i++) {
        free(keys[i].metric);
        free(keys[i].label);
    }
    free(keys);
    for (size_t k = 0; k < c->n; k++)
        json_decref(docs[k]);
    free(docs);
    return rc;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The union of the keys of every run's params (METRICS 0) or metrics,
 * sorted; a new array of borrowed strings. */
static const char **key_union(const struct cmp *c, int metrics, size_t *n)
{
    size_t total = 0;
    for (size_t k = 0; k < c->n; k++)
        total += metrics ? c->runs[k].nmetrics : c->runs[k].nparams;
    const char **v = malloc((total ? total : 1) * sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t k = 0; k < c->n; k++) {
        size_t m = metrics ? c->runs[k].nmetrics : c->runs[k].nparams;
        for (size_t i = 0; i < m; i++)
            v[(*n)++] = metrics ? c->runs[k].metrics[i].key : c->runs[k].params[i].key;
    }
    qsort(v, *n, sizeof *v, key_cmp);
    size_t u = 0;
    for (size_t i = 0; i < *n; i++)
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    *n = u;
    return v;
}

static void when(int64_t ms, char *buf, size_t size)
{
    char iso[40];
    if (ms <= 0) {
        buf[0] = '\0';
        return;
    }
    sx_runs_format_ms(ms, iso, sizeof iso);
    snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
}

static int build(struct cmp *c)
{
    rows_free(c);
    int bad = 0;
    size_t from;
    char buf[600];
    bad |= head_row(c, "Run");
    from = c->nrows;
    for (size_t k = 0; k < c->n && !bad; k++) {
        const struct sx_run *r = &c->runs[k];
        snprintf(buf, sizeof buf, "%.8s", r->id);
        bad |= info(c, "id", k, buf, from);
        bad |= info(c, "experiment", k, r->experiment, from);
        bad |= info(c, "status", k, r->status, from);
        bad |= info(c, "review", k, r->review, from);
        bad |= info(c, "author", k, r->author, from);
        when(r->start_ms, buf, sizeof buf);
        bad |= info(c, "started", k, buf, from);
        bad |= info(c, "algorithm", k, r->algo, from);
        bad |= info(c, "target", k, r->target, from);
        bad |= info(c, "split", k, r->split, from);
        if (*r->dataset_name)
            snprintf(buf, sizeof buf, "%s@%d", r->dataset_name, r->dataset_version);
        else
            snprintf(buf, sizeof buf, "%s", r->source_path);
        bad |= info(c, "data set", k, buf, from);
        snprintf(buf, sizeof buf, "%.16s", r->data_hash);
        bad |= info(c, "content hash", k, buf, from);
        snprintf(buf, sizeof buf, "%.8s", r->fit_id);
        bad |= info(c, "feature fit", k, buf, from);
    }
    for (size_t i = from; i < c->nrows && !bad; i++)
        bad |= finish_row(c, &c->rows[i]);

    size_t np = 0, nm = 0;
    const char **params = key_union(c, 0, &np), **metrics = key_union(c, 1, &nm);
    bad |= !params || !metrics;
    if (!bad && np) {
        bad |= head_row(c, "Params");
        for (size_t i = 0; i < np && !bad; i++) {
            struct crow *r = add_row(c, K_PARAM, params[i], NULL);
            bad |= !r;
            for (size_t k = 0; r && k < c->n && !bad; k++)
                for (size_t j = 0; j < c->runs[k].nparams; j++)
                    if (strcmp(c->runs[k].params[j].key, params[i]) == 0)
                        bad |= set_cell(r, k, c->runs[k].params[j].value);
            bad |= !r || finish_row(c, r);
        }
    }
    if (!bad && nm) {
        bad |= head_row(c, "Metrics");
        for (size_t i = 0; i < nm && !bad; i++) {
            struct crow *r = add_row(c, K_METRIC, metrics[i], metrics[i]);
            bad |= !r;
            if (r)
                r->lower = sx_metric_lower_is_better(metrics[i]);
            for (size_t k = 0; r && k < c->n && !bad; k++)
                for (size_t j = 0; j < c->runs[k].nmetrics; j++)
                    if (strcmp(c->runs[k].metrics[j].key, metrics[i]) == 0)
                        bad |= metric_cell(r, k, c->runs[k].metrics[j].value);
            bad |= !r || finish_row(c, r);
        }
    }
    if (!bad)
        bad |= group_rows(c, 1, metrics, nm) != 0;
    if (!bad)
        bad |= group_rows(c, 0, metrics, nm) != 0;
    free(params);
    free(metrics);
    for (int res = 0; res < 2 && !bad; res++) {
        size_t at = c->nrows;
        bad |= head_row(c, res ? "Resources" : "Environment");
        from = c->nrows;
        for (size_t k = 0; k < c->n && !bad; k++) {
            json_t *o = parse(res ? c->runs[k].resources_json : c->runs[k].env_json);
            if (json_is_object(o))
                bad |= env_rows(c, o, "", k, from);
            json_decref(o);
        }
        for (size_t i = from; i < c->nrows && !bad; i++)
            bad |= finish_row(c, &c->rows[i]);
        if (!bad && c->nrows == from) {
            /* nothing recorded: no section */
            free(c->rows[at].label);
            free(c->rows[at].cell);
            free(c->rows[at].num);
            c->nrows = at;
        }
    }
    return bad ? -1 : 0;
}

/* The rows on show: every row, or with diff-only the rows that differ and
 * the heads of sections that keep one. */
static int select_rows(struct cmp *c)
{
    free(c->shown);
    c->nshown = 0;
    if (!(c->shown = malloc((c->nrows ? c->nrows : 1) * sizeof *c->shown)))
        return -1;
    for (size_t i = 0; i < c->nrows; i++) {
        if (c->rows[i].kind == K_HEAD) {
            int keep = !c->diff_only;
            for (size_t j = i + 1; j < c->nrows && c->rows[j].kind != K_HEAD && !keep; j++)
                keep = c->rows[j].differ;
            if (keep)
                c->shown[c->nshown++] = i;
        } else if (!c->diff_only || c->rows[i].differ) {
            c->shown[c->nshown++] = i;
        }
    }
    c->cur.n = c->nshown;
    if (c->cur.cur >= c->nshown)
        c->cur.cur = c->nshown ? c->nshown - 1 : 0;
    return 0;
}

static void load(struct cmp *c)
{
    struct sx_err err = {0};
    for (size_t k = 0; c->runs && k < c->n; k++)
        sx_run_clear(&c->runs[k]);
    free(c->runs);
    rows_free(c);
    c->error[0] = '\0';
    c->gen = c->p->gen;
    if (!(c->runs = calloc(c->n, sizeof *c->runs))) {
        snprintf(c->error, sizeof c->error, "out of memory");
        return;
    }
    for (size_t k = 0; k < c->n; k++)
        if (sx_runs_get(sx_app_store(c->p->app), c->ids[k], &c->runs[k], &err) != SX_OK) {
            snprintf(c->error, sizeof c->error, "%s", err.msg);
            return;
        }
    if (build(c) != 0 || select_rows(c) != 0)
        snprintf(c->error, sizeof c->error, "out of memory");
}

/* ---- drawing ---- */

/* A signed delta in at most 8 columns: "+0.0123", "-1.5". */
static void fmt_delta(double d, char *buf, size_t size)
{
    char num[24];
    sx_sheet_fmt_num(fabs(d), 7, num, sizeof num);
    snprintf(buf, size, "%s%.20s", d < 0 ? "-" : "+", num);
}

/* The text of row R's cell K: the value and, for metrics after the
 * baseline, " (+delta)"; *DROLE gets the delta's role. */
static void cell_text(const struct crow *r, size_t k, char *val, size_t vsize, char *delta,
                      size_t dsize, enum sx_role *drole)
{
    snprintf(val, vsize, "%s", r->cell[k]);
    delta[0] = '\0';
    *drole = SX_ROLE_DEFAULT;
    if (k == 0 || isnan(r->num[k]) || isnan(r->num[0]) || r->kind == K_INFO ||
        r->kind == K_PARAM || r->kind == K_ENV)
        return;
    double d = r->num[k] - r->num[0];
    if (d == 0)
        return;
    char num[32];
    fmt_delta(d, num, sizeof num);
    snprintf(delta, dsize, " (%s)", num);
    int better = r->lower ? d < 0 : d > 0;
    *drole = better ? SX_ROLE_BETTER : SX_ROLE_WORSE;
}

static size_t page_of(const struct sx_view *v)
{
    return v->h > 3 ? (size_t)(v->h - 3) : 1;
}

static void cmp_draw(struct sx_view *v)
{
    struct cmp *c = v->priv;
    if (c->gen != c->p->gen)
        load(c);
    struct sx_app *app = v->app;
    if (sx_sheet_start(v, c->error))
        return;
    size_t ndiff = 0;
    for (size_t i = 0; i < c->nrows; i++)
        ndiff += c->rows[i].kind != K_HEAD && c->rows[i].differ;
    char left[400], right[100];
    snprintf(left, sizeof left, "%zu runs against %s: %zu row%s differ", c->n, c->runs[0].name,
             ndiff, ndiff == 1 ? "" : "s");
    snprintf(right, sizeof right, "%s", c->diff_only ? "diff only (d shows all)" : "");
    sx_sheet_heading(v, left, right);
    /* widths */
    int lw = 8;
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].kind != K_HEAD) {
            int w = sx_text_width(app, c->rows[i].label);
            if (w > lw)
                lw = w;
        }
    int lcap = v->w / 3 > 12 ? v->w / 3 : 12;
    if (lcap > LABEL_CAP)
        lcap = LABEL_CAP;
    if (lw > lcap)
        lw = lcap;
    int cw = COL_MIN;
    char val[600], delta[64];
    enum sx_role drole;
    for (size_t k = 0; k < c->n; k++) {
        int w = sx_text_width(app, c->runs[k].name);
        if (w > cw)
            cw = w;
    }
    for (size_t i = 0; i < c->nrows; i++)
        for (size_t k = 0; c->rows[i].kind != K_HEAD && k < c->n; k++) {
            cell_text(&c->rows[i], k, val, sizeof val, delta, sizeof delta, &drole);
            int w = sx_text_width(app, val) + sx_text_width(app, delta) + 1;
            if (w > cw)
                cw = w;
        }
    if (cw > COL_CAP)
        cw = COL_CAP;
    int room = v->w - 1 - lw - 1;
    /* two runs side by side at least, narrowing the columns if need be */
    if (c->n >= 2 && room / (cw + 1) < 2 && room / 2 - 1 >= COL_MIN)
        cw = room / 2 - 1;
    size_t fit = room > cw ? (size_t)(room / (cw + 1)) : 1;
    if (fit < 1)
        fit = 1;
    if (c->left + fit > c->n)
        c->left = c->n > fit ? c->n - fit : 0;
    /* the header: run names, the baseline first */
    int y = v->y + 1, x0 = v->x + 1 + lw + 1;
    sx_draw_fill(app, y, v->x, 1, v->w, SX_ROLE_HEADER);
    char mark[64];
    sx_sheet_scroll_mark(c->left, fit < c->n - c->left ? fit : c->n - c->left, c->n, mark,
                         sizeof mark);
    sx_draw_text(app, y, v->x + 1, SX_ROLE_HEADER, *mark ? mark : "run", lw, 0);
    for (size_t k = c->left, x = (size_t)x0; k < c->n && k < c->left + fit; k++, x += (size_t)cw + 1)
        sx_draw_text(app, y, (int)x, SX_ROLE_HEADER, c->runs[k].name,
                     (int)((size_t)v->x + (size_t)v->w - x) < cw
                         ? (int)((size_t)v->x + (size_t)v->w - x) : cw, 0);
    size_t page = page_of(v);
    sx_sheet_scroll(&c->cur, page);
    for (size_t i = 0; i < page && c->cur.top + i < c->nshown; i++) {
        size_t ri = c->cur.top + i;
        const struct crow *r = &c->rows[c->shown[ri]];
        int yy = v->y + 2 + (int)i, is_cur = ri == c->cur.cur;
        if (is_cur)
            sx_draw_fill(app, yy, v->x, 1, v->w, SX_ROLE_CURSOR_ROW);
        if (r->kind == K_HEAD) {
            sx_draw_text(app, yy, v->x, is_cur ? SX_ROLE_CURSOR_ROW : SX_ROLE_HEADER, r->label,
                         v->w, 0);
            continue;
        }
        enum sx_role base = is_cur ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
        sx_draw_text(app, yy, v->x + 1, is_cur ? base : r->differ ? SX_ROLE_TEXT : SX_ROLE_DIM,
                     r->label, lw, 0);
        int x = x0;
        for (size_t k = c->left; k < c->n && k < c->left + fit && x < v->x + v->w; k++) {
            int w = v->x + v->w - x < cw ? v->x + v->w - x : cw;
            cell_text(r, k, val, sizeof val, delta, sizeof delta, &drole);
            int metric = r->kind == K_METRIC || r->kind == K_GROUP || r->kind == K_VAL;
            enum sx_role vr = is_cur ? base : metric ? SX_ROLE_NUMBER : SX_ROLE_DEFAULT;
            if (r->differ && k > 0 && strcmp(r->cell[k], r->cell[0]) != 0)
                vr = SX_ROLE_DIFFER;
            int used = sx_draw_text(app, yy, x, vr, val, w, 0);
            if (*delta && used < w)
                used += sx_draw_text(app, yy, x + used, is_cur ? base : drole, delta, w - used,
                                     0);
            if (r->best == k && used < w)
                sx_draw_text(app, yy, x + used, SX_ROLE_BETTER, sx_glyph(app, "\u2605", "*"), 1,
                             0);
            x += cw + 1;
        }
    }
    if (v->h > 3) {
        char foot[300];
        snprintf(foot, sizeof foot, "row %zu of %zu  first column: the baseline; deltas coloured "
                 "by each metric's direction", c->nshown ? c->cur.cur + 1 : 0, c->nshown);
        sx_draw_text(app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
    }
}

static unsigned cmp_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct cmp *c = v->priv;
    if (c->gen != c->p->gen)
        load(c);
    if (c->error[0])
        return 0;
    unsigned f = sx_sheet_move(&c->cur, cmd, page_of(v));
    if (f)
        return f;
    switch (cmd) {
    case SX_CMD_MOVE_LEFT:
        if (c->left)
            c->left--;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_RIGHT:
        if (c->left + 1 < c->n)
            c->left++;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_HOME:
        c->left = 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_END:
        c->left = c->n - 1;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_DIFF_ONLY: {
        size_t at = c->cur.cur < c->nshown ? c->shown[c->cur.cur] : 0;
        c->diff_only = !c->diff_only;
        if (select_rows(c) != 0) {
            sx_status(v->app, 1, "out of memory");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        c->cur.cur = 0;
        for (size_t i = 0; i < c->nshown; i++)
            if (c->shown[i] <= at)
                c->cur.cur = i;
        sx_status(v->app, 0, c->diff_only ? "only the rows that differ" : "every row");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    case SX_CMD_HISTORY_CHART: {
        const char *metric = arg && *arg ? arg : NULL;
        if (!metric && c->cur.cur < c->nshown)
            metric = c->rows[c->shown[c->cur.cur]].metric;
        return sx_history_open(c->p, (const char(*)[SX_UUID_LEN])c->ids, c->n, metric);
    }
    default:
        return 0;
    }
}

static void cmp_where(struct sx_view *v, char *buf, size_t size)
{
    const struct cmp *c = v->priv;
    const char *label = c->cur.cur < c->nshown ? c->rows[c->shown[c->cur.cur]].label : "";
    snprintf(buf, size, "runs=%zu row=%s", c->n, label);
}

static void cmp_close(struct sx_view *v)
{
    struct cmp *c = v->priv;
    for (size_t k = 0; c->runs && k < c->n; k++)
        sx_run_clear(&c->runs[k]);
    free(c->runs);
    rows_free(c);
    free(c->ids);
    free(c);
}

static const enum sx_cmd cmp_keybar[] = {SX_CMD_DIFF_ONLY, SX_CMD_HISTORY_CHART, SX_CMD_HELP,
                                         SX_CMD_BACK, SX_CMD_NONE};

struct sx_view *sx_compare_view_new(struct sx_epane *p, const char (*ids)[SX_UUID_LEN],
                                    size_t n, struct sx_err *err)
{
    if (n < 2) {
        sx_err_set(err, SX_EINVAL, "compare needs two or more runs");
        return NULL;
    }
    struct cmp *c = calloc(1, sizeof *c);
    if (!c || !(c->ids = malloc(n * sizeof *c->ids))) {
        free(c);
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(c->ids, ids, n * sizeof *ids);
    c->n = n;
    c->p = p;
    load(c);
    if (c->error[0]) {
        sx_err_set(err, SX_EIO, "%s", c->error);
        cmp_close(&(struct sx_view){.priv = c});
        return NULL;
    }
    snprintf(c->title, sizeof c->title, "compare %zu", n);
    c->ops = (struct sx_view_ops){
        .name = "compare",
        .title = c->title,
        .draw = cmp_draw,
        .handle = cmp_handle,
        .close = cmp_close,
        .keybar = cmp_keybar,
        .where = cmp_where,
    };
    struct sx_view *v = sx_view_new(p->app, &c->ops, c);
    if (!v) {
        cmp_close(&(struct sx_view){.priv = c});
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}

/* ---- the history chart ---- */

struct hist {
    struct sx_view_ops ops;
    char title[300];
    struct sx_epane *p;
    char (*ids)[SX_UUID_LEN];
    size_t n;
    char **names;             /* per run */
    char metric[SX_RUN_KEY_MAX + 1];
    double **x, **y;          /* per run: steps and values of the metric */
    size_t *np;
    struct sx_plot_chart *chart;
    struct sx_plot_grid grid;
    int gw, gh;
    int native;               /* sparklines: gnuplot is missing or failed */
    char note[600];
};

static void hist_series_free(struct hist *h)
{
    for (size_t k = 0; k < h->n; k++) {
        if (h->x)
            free(h->x[k]);
        if (h->y)
            free(h->y[k]);
    }
    free(h->x);
    free(h->y);
    free(h->np);
    h->x = h->y = NULL;
    h->np = NULL;
    sx_plot_chart_free(h->chart);
    h->chart = NULL;
    sx_plot_grid_free(&h->grid);
    h->gw = h->gh = 0;
}

/* Load the history of METRIC (NULL: the first metric with more than one
 * point in some run) for every run and build the chart. */
static enum sx_status hist_load(struct hist *h, const char *metric, struct sx_err *err)
{
    struct sx_store *st = sx_app_store(h->p->app);
    struct sx_metric_point **pts = calloc(h->n, sizeof *pts);
    size_t *npts = calloc(h->n, sizeof *npts);
    enum sx_status rc = SX_OK;
    if (!pts || !npts) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < h->n; k++)
        if ((rc = sx_runs_history(st, h->ids[k], NULL, &pts[k], &npts[k], err)) != SX_OK)
            goto out;
    const char *pick = metric;
    if (!pick) {
        /* the first key, in key order, with a history */
        for (size_t k = 0; k < h->n; k++)
            for (size_t i = 0; i + 1 < npts[k]; i++)
                if (strcmp(pts[k][i].key, pts[k][i + 1].key) == 0 &&
                    (!pick || strcmp(pts[k][i].key, pick) < 0)) {
                    pick = pts[k][i].key;
                    break;
                }
        if (!pick) {
            rc = sx_err_set(err, SX_EINVAL, "no metric has a history to chart (one value per "
                            "run); sextant log metric RUN KEY VALUE --step N logs one");
            goto out;
        }
    }
    hist_series_free(h);
    snprintf(h->metric, sizeof h->metric, "%s", pick);
    h->x = calloc(h->n, sizeof *h->x);
    h->y = calloc(h->n, sizeof *h->y);
    h->np = calloc(h->n, sizeof *h->np);
    if (!h->x || !h->y || !h->np) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    size_t total = 0;
    for (size_t k = 0; k < h->n; k++) {
        h->x[k] = malloc((npts[k] ? npts[k] : 1) * sizeof **h->x);
        h->y[k] = malloc((npts[k] ? npts[k] : 1) * sizeof **h->y);
        if (!h->x[k] || !h->y[k]) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < npts[k]; i++)
            if (strcmp(pts[k][i].key, h->metric) == 0) {
                h->x[k][h->np[k]] = (double)pts[k][i].step;
                h->y[k][h->np[k]] = pts[k][i].value;
                h->np[k]++;
            }
        total += h->np[k];
    }
    if (total == 0) {
        rc = sx_err_set(err, SX_ENOTFOUND, "no run here has metric '%s'", h->metric);
        goto out;
    }
    char title[400];
    snprintf(title, sizeof title, "%s by step", h->metric);
    size_t ns = h->n < SX_PLOT_MAX_GROUPS ? h->n : SX_PLOT_MAX_GROUPS;
    h->chart = sx_plot_lines_new(title, "step", h->metric, ns, (const char *const *)h->names,
                                 (const double *const *)h->x, (const double *const *)h->y, h->np,
                                 err);
    if (!h->chart)
        rc = err->code ? err->code : SX_ENOMEM;
    snprintf(h->title, sizeof h->title, "history %s", h->metric);
out:
    for (size_t k = 0; pts && k < h->n; k++)
        sx_metric_points_free(pts[k], npts ? npts[k] : 0);
    free(pts);
    free(npts);
    return rc;
}

static void hist_render(struct sx_view *v)
{
    struct hist *h = v->priv;
    int bw = v->w, bh = v->h - 1;
    if (h->native || !h->chart || (h->gw == bw && h->gh == bh))
        return;
    sx_plot_grid_free(&h->grid);
    h->gw = bw;
    h->gh = bh;
    if (bw < 20 || bh < 6) {
        h->native = 0;
        h->gw = h->gh = 0;
        return;
    }
    struct sx_err err = {0};
    struct sx_plot *gp;
    enum sx_status rc = sx_app_plot(v->app, &gp, &err);
    if (rc == SX_OK)
        rc = sx_plot_render_text(gp, h->chart, bw, bh, 0, &h->grid, &err);
    if (rc != SX_OK) {
        h->native = 1;
        snprintf(h->note, sizeof h->note, "%s: sparklines instead", err.msg);
        sx_status(v->app, 1, "%s", h->note);
    }
}

static void hist_draw(struct sx_view *v)
{
    struct hist *h = v->priv;
    struct sx_app *app = v->app;
    sx_draw_fill(app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h < 1 || v->w < 2)
        return;
    char left[400];
    snprintf(left, sizeof left, "history of %s, %zu run%s%s", h->metric, h->n,
             h->n == 1 ? "" : "s", h->native ? " (sparklines: no gnuplot)" : "");
    sx_draw_text(app, v->y, v->x, SX_ROLE_DIM, left, v->w, 1);
    hist_render(v);
    if (!h->native && h->grid.cells) {
        attr_t base = sx_role_attr(app, SX_ROLE_CHART);
        attr_t attrs = base & ~A_COLOR;
        short pair = (short)PAIR_NUMBER(base);
        for (int yy = 0; yy < h->grid.h && yy < v->h - 1; yy++)
            for (int xx = 0; xx < h->grid.w && xx < v->w; xx++)
                sx_draw_plot_cell(app, v->y + 1 + yy, v->x + xx,
                                  &h->grid.cells[(size_t)yy * (size_t)h->grid.w + (size_t)xx],
                                  attrs, pair);
        return;
    }
    /* sparklines: name, line, first and last value, steps */
    int nw = 8;
    for (size_t k = 0; k < h->n; k++) {
        int w = sx_text_width(app, h->names[k]);
        if (w > nw)
            nw = w;
    }
    if (nw > v->w / 3)
        nw = v->w / 3;
    for (size_t k = 0; k < h->n && (int)k * 2 + 2 < v->h; k++) {
        int y = v->y + 2 + (int)k * 2;
        char spark[4 * 200 + 1], tail[120], a[32], b[32];
        int sw = v->w - nw - 3 - 30;
        if (sw > 200)
            sw = 200;
        if (sw < 4)
            sw = 4;
        sx_epane_spark(h->y[k], h->np[k], sw, sx_app_utf8(app), spark, sizeof spark);
        sx_epane_fmt_metric(h->np[k] ? h->y[k][0] : NAN, 9, a, sizeof a);
        sx_epane_fmt_metric(h->np[k] ? h->y[k][h->np[k] - 1] : NAN, 9, b, sizeof b);
        snprintf(tail, sizeof tail, " %s %s %s (%zu steps)", a, sx_glyph(app, "\u2192", "->"), b,
                 h->np[k]);
        sx_draw_text(app, y, v->x + 1, SX_ROLE_TEXT, h->names[k], nw, 0);
        int x = v->x + 2 + nw;
        if (x < v->x + v->w)
            x += sx_draw_text(app, y, x, SX_ROLE_BAR, spark, v->x + v->w - x, 0);
        if (x < v->x + v->w)
            sx_draw_text(app, y, x, SX_ROLE_NUMBER, tail, v->x + v->w - x, 0);
    }
}

static unsigned hist_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct hist *h = v->priv;
    if (cmd != SX_CMD_HISTORY_CHART)
        return 0;
    if (!arg || !*arg) {
        sx_status(v->app, 0, "history-chart METRIC switches the metric");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_err err = {0};
    char keep[sizeof h->metric];
    snprintf(keep, sizeof keep, "%s", h->metric);
    if (hist_load(h, arg, &err) != SX_OK) {
        sx_status(v->app, 1, "%s", err.msg);
        struct sx_err e2 = {0};
        hist_load(h, keep, &e2);
    }
    h->native = 0;
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

static void hist_close(struct sx_view *v)
{
    struct hist *h = v->priv;
    hist_series_free(h);
    for (size_t k = 0; h->names && k < h->n; k++)
        free(h->names[k]);
    free(h->names);
    free(h->ids);
    free(h);
}

static const enum sx_cmd hist_keybar[] = {SX_CMD_HISTORY_CHART, SX_CMD_HELP, SX_CMD_BACK,
                                          SX_CMD_NONE};

static struct sx_view *history_view_new(struct sx_epane *p, const char (*ids)[SX_UUID_LEN],
                                        size_t n, const char *metric, struct sx_err *err)
{
    struct hist *h = calloc(1, sizeof *h);
    if (!h || !(h->ids = malloc(n * sizeof *h->ids)) || !(h->names = calloc(n, sizeof *h->names))) {
        if (h)
            free(h->ids);
        free(h);
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(h->ids, ids, n * sizeof *ids);
    h->n = n;
    h->p = p;
    for (size_t k = 0; k < n; k++) {
        struct sx_run r = {0};
        if (sx_runs_get(sx_app_store(p->app), ids[k], &r, err) != SX_OK) {
            hist_close(&(struct sx_view){.priv = h});
            return NULL;
        }
        h->names[k] = strdup(r.name);
        sx_run_clear(&r);
        if (!h->names[k]) {
            hist_close(&(struct sx_view){.priv = h});
            sx_err_set(err, SX_ENOMEM, "out of memory");
            return NULL;
        }
    }
    if (hist_load(h, metric, err) != SX_OK) {
        hist_close(&(struct sx_view){.priv = h});
        return NULL;
    }
    h->ops = (struct sx_view_ops){
        .name = "history",
        .title = h->title,
        .draw = hist_draw,
        .handle = hist_handle,
        .close = hist_close,
        .keybar = hist_keybar,
    };
    struct sx_view *v = sx_view_new(p->app, &h->ops, h);
    if (!v) {
        hist_close(&(struct sx_view){.priv = h});
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}

int sx_history_open(struct sx_epane *p, const char (*ids)[SX_UUID_LEN], size_t n,
                    const char *metric)
{
    struct sx_err err = {0};
    struct sx_view *hv = history_view_new(p, ids, n, metric, &err);
    if (!hv) {
        sx_status(p->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(p->app, hv);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}
