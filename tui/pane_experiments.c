/* tui/pane_experiments.c: the Experiments pane. Its first view lists the
 * experiments in the store (name, runs, author, when created), under a
 * first row that stands for every experiment at once; Enter opens the
 * runs table of the one under the cursor (tui/view_runs.c). Also here:
 * what the pane's views share (writing a comment or a review status,
 * sparklines of metric histories, JSON values as text). */
#include "epane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sheet.h"
#include "validate.h"

/* ---- shared helpers ---- */

unsigned sx_epane_comment(struct sx_epane *p, const char *id, const char *name,
                          const char *arg, int review)
{
    const unsigned done = SX_H_HANDLED | SX_H_REDRAW;
    if (sx_app_refuse_write(p->app, review ? "setting a review status" : "commenting"))
        return done;
    char *asked = NULL, *copy = NULL;
    const char *status = NULL, *text = "";
    if (!arg || !*arg) {
        asked = sx_app_ask(p->app, review ? "review (reviewed|needs-work): " : "comment: ",
                           review ? "reviewed" : "");
        if (!asked)
            return done;
        arg = asked;
    }
    if (!(copy = strdup(arg))) {
        free(asked);
        sx_status(p->app, 1, "out of memory");
        return done;
    }
    char *s = sx_trim(copy);
    if (review) {
        char *sp = s + strcspn(s, " \t");
        if (*sp)
            *sp++ = '\0';
        status = s;
        text = sx_trim(sp);
    } else {
        text = s;
    }
    struct sx_err err = {0};
    if (!review && !*text) {
        sx_status(p->app, 1, "comment: nothing to say (:comment TEXT)");
    } else if (review && sx_run_review_check(status, &err) != SX_OK) {
        sx_status(p->app, 1, "review: %s", err.msg);
    } else if (sx_runs_comment(sx_app_store(p->app), id, text, status, &err) != SX_OK) {
        sx_status(p->app, 1, "%s: %s", review ? "review" : "comment", err.msg);
    } else {
        p->gen++;
        if (review)
            sx_status(p->app, 0, "%s is now %s%s", name, status, *text ? " (with a comment)" : "");
        else
            sx_status(p->app, 0, "commented on %s", name);
    }
    free(copy);
    free(asked);
    return done;
}

void sx_epane_spark(const double *v, size_t n, int width, int utf8, char *buf, size_t size)
{
    static const char *const bars[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char ascii[] = " .:-=+*#";
    size_t len = 0;
    buf[0] = '\0';
    if (size < 2 || width < 1)
        return;
    /* the present values */
    size_t m = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            m++;
            if (v[i] < lo)
                lo = v[i];
            if (v[i] > hi)
                hi = v[i];
        }
    if (m == 0)
        return;
    size_t cells = m < (size_t)width ? m : (size_t)width;
    size_t k = 0;   /* index among the present values */
    size_t next = 0;
    for (size_t i = 0; i < n && next < cells; i++) {
        if (isnan(v[i]))
            continue;
        /* cell NEXT shows present value round(next * (m-1) / (cells-1)) */
        size_t want = cells == 1 ? m - 1 : (next * (m - 1) + (cells - 1) / 2) / (cells - 1);
        if (k++ != want)
            continue;
        int level = hi > lo ? (int)floor((v[i] - lo) / (hi - lo) * 7.0 + 0.5) : 3;
        if (level < 0)
            level = 0;
        if (level > 7)
            level = 7;
        const char *g = utf8 ? bars[level] : (char[2]){ascii[level ? level : 1], 0};
        size_t gl = strlen(g);
        if (len + gl + 1 > size)
            break;
        memcpy(buf + len, g, gl);
        len += gl;
        next++;
    }
    buf[len] = '\0';
}

void sx_epane_fmt_metric(double v, int width, char *buf, size_t size)
{
    if (isnan(v))
        buf[0] = '\0';
    else
        sx_sheet_fmt_num(v, width, buf, size);
}

void sx_epane_json_text(const json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.6g", json_real_value(v));
    else if (json_is_true(v))
        snprintf(buf, size, "true");
    else if (json_is_false(v))
        snprintf(buf, size, "false");
    else if (json_is_null(v))
        snprintf(buf, size, "null");
    else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, size, "%s", s ? s : "");
        free(s);
    }
}

/* ---- the experiments list ---- */

struct elist {
    struct sx_epane pane;     /* shared with every view of the pane */
    struct sx_experiment *ex;
    size_t n;
    size_t total;             /* runs in every experiment */
    unsigned gen, store_gen;
    char error[600];
    struct sx_sheet_cursor cur;
};

static void elist_load(struct elist *l)
{
    struct sx_store *st = sx_app_store(l->pane.app);
    struct sx_err err = {0};
    sx_experiment_list_free(l->ex, l->n);
    l->ex = NULL;
    l->n = l->total = 0;
    l->error[0] = '\0';
    l->gen = l->pane.gen;
    l->store_gen = sx_app_store_generation(l->pane.app);
    if (st && sx_runs_experiments(st, &l->ex, &l->n, &err) != SX_OK)
        snprintf(l->error, sizeof l->error, "%s", err.msg);
    for (size_t i = 0; i < l->n; i++)
        l->total += l->ex[i].nruns;
    /* row 0 stands for every experiment */
    l->cur.n = l->n ? l->n + 1 : 0;
    sx_sheet_scroll(&l->cur, 1);
}

enum { E_NAME, E_RUNS, E_CREATED, E_AUTHOR, E_NCOLS };

static void elist_cell(const void *ctx, size_t row, int c, char *buf, size_t size)
{
    const struct elist *l = ctx;
    if (row == 0) {
        switch (c) {
        case E_NAME: snprintf(buf, size, "(all experiments)"); break;
        case E_RUNS: sx_sheet_fmt_commas(l->total, buf, size); break;
        default: buf[0] = '\0'; break;
        }
        return;
    }
    const struct sx_experiment *e = &l->ex[row - 1];
    char iso[40];
    switch (c) {
    case E_NAME: snprintf(buf, size, "%s", e->name); break;
    case E_RUNS: sx_sheet_fmt_commas(e->nruns, buf, size); break;
    case E_CREATED:
        sx_runs_format_ms(e->created_ms, iso, sizeof iso);
        sx_sheet_fmt_when(iso, buf, size);
        break;
    default: snprintf(buf, size, "%s", e->author ? e->author : ""); break;
    }
}

static void elist_draw(struct sx_view *v)
{
    static const char *const titles[E_NCOLS] = {"experiment", "runs", "created", "author"};
    static const int right[E_NCOLS] = {0, 1, 0, 0};
    static const enum sx_role roles[E_NCOLS] = {SX_ROLE_TEXT, SX_ROLE_NUMBER, SX_ROLE_DATE,
                                                SX_ROLE_DEFAULT};
    static const char *const no_store[] = {
        "No store here: no experiments to list.",
        "sextant init creates one; --store PATH or SEXTANT_STORE names one.",
        NULL,
    };
    static const char *const empty[] = {
        "No experiments in the store yet.",
        "sextant train and sweep record runs;",
        "scripts log theirs with sextant run start;",
        "sextant import-mlflow PATH brings in MLflow's.",
        NULL,
    };
    struct elist *l = v->priv;
    if (l->gen != l->pane.gen || l->store_gen != sx_app_store_generation(v->app))
        elist_load(l);
    const struct sx_sheet_list list = {
        .ncols = E_NCOLS, .titles = titles, .right = right, .roles = roles,
        .name_col = E_NAME, .author_col = E_AUTHOR, .n = l->n ? l->n + 1 : 0,
        .cell = elist_cell, .ctx = l, .no_store = no_store, .empty = empty,
    };
    if (sx_sheet_list_start(v, &list, sx_app_store(v->app) != NULL, l->error))
        return;
    size_t page = v->h > 2 ? (size_t)(v->h - 2) : 1;
    sx_sheet_scroll(&l->cur, page);
    sx_sheet_list_draw(v, &list, l->cur.top, l->cur.cur);
    if (v->h > 2) {
        char foot[200], total[32];
        sx_sheet_fmt_commas(l->total, total, sizeof total);
        snprintf(foot, sizeof foot, "%zu experiment%s, %s run%s  Enter opens the runs table",
                 l->n, l->n == 1 ? "" : "s", total, l->total == 1 ? "" : "s");
        sx_draw_text(v->app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
    }
}

static unsigned open_runs(struct elist *l, const char *experiment)
{
    struct sx_err err = {0};
    struct sx_view *rv = sx_runs_view_new(&l->pane, experiment, &err);
    if (!rv) {
        sx_status(l->pane.app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(l->pane.app, rv);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

static unsigned elist_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct elist *l = v->priv;
    if (l->gen != l->pane.gen || l->store_gen != sx_app_store_generation(v->app))
        elist_load(l);
    size_t page = v->h > 2 ? (size_t)(v->h - 2) : 1;
    unsigned f = sx_sheet_move(&l->cur, cmd, page);
    if (f)
        return f;
    switch (cmd) {
    case SX_CMD_ENTER:
        if (l->cur.n == 0) {
            sx_status(v->app, 1, sx_app_store(v->app) ? "no experiments in the store yet"
                                                      : "no store here");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        return open_runs(l, l->cur.cur == 0 ? NULL : l->ex[l->cur.cur - 1].name);
    case SX_CMD_SEARCH: {
        if (l->n == 0)
            return SX_H_HANDLED;
        char *q = arg && *arg ? strdup(arg) : sx_app_ask(v->app, "search experiments: ", "");
        if (!q)
            return SX_H_HANDLED | SX_H_REDRAW;
        for (size_t k = 1; k <= l->n + 1; k++) {
            size_t i = (l->cur.cur + k) % (l->n + 1);
            if (i > 0 && strcasestr(l->ex[i - 1].name, q)) {
                l->cur.cur = i;
                free(q);
                return SX_H_HANDLED | SX_H_REDRAW;
            }
        }
        sx_status(v->app, 1, "no experiment name contains '%s'", q);
        free(q);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    default:
        return 0;
    }
}

static void elist_where(struct sx_view *v, char *buf, size_t size)
{
    const struct elist *l = v->priv;
    if (l->cur.n && l->cur.cur > 0)
        snprintf(buf, size, "experiment=%s", l->ex[l->cur.cur - 1].name);
    else
        snprintf(buf, size, "experiment=*");
}

static void elist_close(struct sx_view *v)
{
    struct elist *l = v->priv;
    sx_experiment_list_free(l->ex, l->n);
    free(l);
}

static const enum sx_cmd elist_keybar[] = {SX_CMD_ENTER, SX_CMD_SEARCH, SX_CMD_HELP,
                                           SX_CMD_QUIT, SX_CMD_NONE};

static const struct sx_view_ops elist_ops = {
    .name = "experiment-list",
    .title = "Experiments",
    .draw = elist_draw,
    .handle = elist_handle,
    .close = elist_close,
    .keybar = elist_keybar,
    .where = elist_where,
};

static struct sx_view *experiments_open(struct sx_app *app, struct sx_err *err)
{
    struct elist *l = calloc(1, sizeof *l);
    if (!l) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    l->pane.app = app;
    l->pane.gen = 1;
    elist_load(l);
    struct sx_view *v = sx_view_new(app, &elist_ops, l);
    if (!v) {
        sx_experiment_list_free(l->ex, l->n);
        free(l);
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}

const struct sx_pane_ops sx_pane_experiments = {
    .name = "experiments",
    .title = "Experiments",
    .open = experiments_open,
};
