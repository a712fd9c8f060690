/* tui/view_describe.c: the describe sheet (`I`): one row per visible column
 * of the table with its profile from core/profile (type, count, missing %,
 * mean, std, min, quartiles, max, unique, top) and a histogram sparkline.
 * The profile is computed over the table's visible rows by a background
 * job, a few columns at a time so it reports progress and can be cancelled;
 * the sheet shows "profiling…" until it is done. The name column stays put
 * while h/l scroll the statistics; Enter jumps the grid to the column. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "sheet.h"
#include "sheets.h"

/* Columns profiled per step of the job (each step runs them in parallel). */
#define BATCH 4
#define SPARK_BINS 20
/* Spaces between statistics. */
#define GAP 1

/* What the job reads and writes. The view owns it; the job thread only
 * touches it between sx_job_start and sx_job_done. */
struct dctx {
    const struct sx_frame *f;  /* the table's frame (borrowed) */
    size_t *cols;              /* frame columns to profile, in display order */
    size_t ncols;
    size_t *rows;              /* visible rows, or NULL for all */
    size_t nrows;
    struct sx_profile **batch; /* one profile per BATCH columns */
    size_t nbatch;
    atomic_size_t done;        /* columns profiled so far */
};

enum state { BUSY, READY, FAILED };

/* The statistic columns, in order; the name and type glyph stay frozen. */
enum stat { S_COUNT, S_MISSING, S_MEAN, S_STD, S_MIN, S_P25, S_P50, S_P75, S_MAX, S_UNIQUE,
            S_TOP, S_HIST, S_N };
static const char *const stat_label[S_N] = {"count", "missing", "mean", "std",    "min", "25%",
                                            "50%",   "75%",     "max",  "unique", "top",
                                            "histogram"};
static const int stat_width[S_N] = {10, 7, 10, 10, 10, 10, 10, 10, 10, 7, 8, SPARK_BINS};
/* The top value's column grows to fit the longest top up to this. */
#define TOP_MAX 24

struct describe {
    struct sx_table *t;
    struct dctx *ctx;
    struct sx_job *job;
    enum state state;
    char msg[512];             /* why it failed */
    const struct sx_col_profile **cp;  /* per row, when READY */
    struct sx_sheet_cursor cur;
    size_t hcol;               /* first statistic shown */
    size_t shown;              /* statistics that fit at the last draw */
    int sw[S_N];               /* width of each statistic */
    int page;                  /* body rows at the last draw */
};

static void ctx_free(struct dctx *c)
{
    if (!c)
        return;
    for (size_t b = 0; b < c->nbatch; b++)
        sx_profile_free(c->batch[b]);
    free(c->batch);
    free(c->cols);
    free(c->rows);
    free(c);
}

static enum sx_status profile_job(void *arg, struct sx_job *job, struct sx_err *err)
{
    struct dctx *c = arg;
    struct sx_profile_opts opts;
    sx_profile_opts_init(&opts);
    opts.bins = SPARK_BINS;
    opts.topk = SPARK_BINS;
    /* Progress in bytes of column data, so the bar's rate means something. */
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < c->ncols; i++)
        total += sx_col_bytes(c->f->cols[c->cols[i]]);
    for (size_t b = 0; b < c->nbatch; b++) {
        if (sx_job_cancelled(job))
            return sx_err_set(err, SX_ECANCEL, "describe: cancelled");
        size_t first = b * BATCH, n = c->ncols - first < BATCH ? c->ncols - first : BATCH;
        struct sx_column *ptrs[BATCH];
        struct sx_frame part = sx_sheet_borrow(c->f, c->cols + first, n, ptrs);
        struct sx_frame *sub = NULL;
        if (c->rows && !(sub = sx_frame_take(&part, c->rows, c->nrows, err)))
            return err->code;
        c->batch[b] = sx_profile_frame(sub ? sub : &part, &opts, err);
        sx_frame_free(sub);
        if (!c->batch[b])
            return err->code;
        for (size_t i = first; i < first + n; i++)
            done += sx_col_bytes(c->f->cols[c->cols[i]]);
        atomic_store(&c->done, first + n);
        sx_job_progress(job, done, total, c->nrows);
    }
    return SX_OK;
}

/* ---- layout ---- */

static int name_width(struct sx_app *app, const struct describe *d, int w)
{
    int nw = 4;
    for (size_t i = 0; i < d->ctx->ncols; i++) {
        int x = sx_text_width(app, sx_sheet_col_name(d->t, d->ctx->cols[i]));
        if (x > nw)
            nw = x;
    }
    int cap = w < 60 ? w / 3 : 24;
    if (nw > cap)
        nw = cap;
    return nw < 4 ? 4 : nw;
}

/* Width of statistic S when it is the last one shown in REST columns. */
static int stat_w(const int *sw, enum stat s, int rest)
{
    if (s == S_HIST || s == S_TOP)
        return rest < sw[s] ? rest : sw[s];
    return sw[s];
}

/* How many statistics from HCOL fit in W columns (at least one). */
static size_t stats_fit(const int *sw, size_t hcol, int w)
{
    size_t n = 0;
    for (size_t s = hcol; s < S_N; s++) {
        int need = sw[s];
        if (s == S_HIST || s == S_TOP)
            need = 6;
        if (w < need && n > 0)
            break;
        w -= stat_w(sw, (enum stat)s, w) + GAP;
        n++;
        if (w <= 0)
            break;
    }
    return n;
}

/* ---- drawing ---- */

/* Statistic S of CP as text of at most WIDTH columns, and its role. */
static void cell_text(const struct sx_col_profile *cp, enum stat s, int width, int utf8,
                      char *buf, size_t size, enum sx_role *role)
{
    int date = cp->type == SX_DATE;
    double v = 0;
    buf[0] = '\0';
    *role = SX_ROLE_NUMBER;
    switch (s) {
    case S_COUNT:
        sx_sheet_fmt_count(cp->count, width, buf, size);
        return;
    case S_MISSING:
        sx_sheet_fmt_pct(cp->missing, cp->count + cp->missing, buf, size);
        if (cp->missing)
            *role = SX_ROLE_MISSING;
        return;
    case S_MEAN: v = cp->mean; break;
    case S_STD: v = cp->std; break;
    case S_MIN: v = cp->min; break;
    case S_P25: v = cp->p25; break;
    case S_P50: v = cp->p50; break;
    case S_P75: v = cp->p75; break;
    case S_MAX: v = cp->max; break;
    case S_UNIQUE:
        if (cp->categorical)
            sx_sheet_fmt_count(cp->unique, width, buf, size);
        return;
    case S_TOP:
        *role = SX_ROLE_TEXT;
        if (cp->categorical && cp->top)
            snprintf(buf, size, "%s", cp->top);
        return;
    case S_HIST:
        *role = SX_ROLE_BAR;
        if (cp->numeric && cp->nbins)
            sx_sheet_spark(cp->hist, cp->nbins, width, utf8, buf, size);
        else if (cp->categorical && cp->ntopk) {
            uint64_t k[SPARK_BINS];
            size_t n = cp->ntopk < SPARK_BINS ? cp->ntopk : SPARK_BINS;
            for (size_t i = 0; i < n; i++)
                k[i] = cp->topk[i].count;
            sx_sheet_spark(k, n, width, utf8, buf, size);
        }
        return;
    case S_N:
        return;
    }
    if (!cp->numeric)
        return;
    if (date && s != S_STD) {
        sx_sheet_fmt_date(v, cp->unit, buf, size);
        *role = SX_ROLE_DATE;
    } else {
        sx_sheet_fmt_num(v, width, buf, size);
    }
}

static void draw(struct sx_view *v)
{
    struct describe *d = v->priv;
    struct dctx *c = d->ctx;
    char head[512], buf[512], rows[32];
    int utf8 = sx_app_utf8(v->app);

    int nw = name_width(v->app, d, v->w);
    int x0 = v->x + nw + 3;             /* name, space, glyph, space */
    int avail = v->x + v->w - x0;
    /* Scrolled right as far as needed, never past a full screen. */
    while (avail > 0 && d->hcol > 0 && d->hcol - 1 + stats_fit(d->sw, d->hcol - 1, avail) >= S_N)
        d->hcol--;
    d->shown = avail > 0 ? stats_fit(d->sw, d->hcol, avail) : 0;
    sx_sheet_fmt_rows(c->nrows, rows, sizeof rows);
    if (d->state == BUSY)
        snprintf(head, sizeof head, "profiling %s… %zu of %zu columns", rows,
                 (size_t)atomic_load(&c->done), c->ncols);
    else
        snprintf(head, sizeof head, "%zu column%s · %s", c->ncols, c->ncols == 1 ? "" : "s",
                 rows);
    sx_sheet_scroll_mark(d->hcol, d->shown, S_N, buf, sizeof buf);
    int body = sx_sheet_heading(v, head, buf);
    d->page = body;
    if (v->h < 2)
        return;

    /* Header. */
    int hy = v->y + 1;
    sx_draw_text(v->app, hy, v->x, SX_ROLE_HEADER, "column", nw, 1);
    int x = x0;
    for (size_t s = d->hcol; s < d->hcol + d->shown; s++) {
        int w = stat_w(d->sw, (enum stat)s, v->x + v->w - x);
        if (s <= S_MAX || s == S_UNIQUE)
            sx_draw_text_right(v->app, hy, x, SX_ROLE_HEADER, stat_label[s], w);
        else
            sx_draw_text(v->app, hy, x, SX_ROLE_HEADER, stat_label[s], w, 0);
        x += w + GAP;
    }

    if (d->state != READY) {
        if (body > 0) {
            const char *what = d->state == BUSY ? "profiling…" : d->msg;
            sx_draw_fill(v->app, v->y + 2, v->x, body, v->w, SX_ROLE_DEFAULT);
            sx_draw_text(v->app, v->y + 2, v->x, d->state == BUSY ? SX_ROLE_DIM : SX_ROLE_ERROR,
                         what, v->w, 1);
        }
        return;
    }

    sx_sheet_scroll(&d->cur, (size_t)(body > 0 ? body : 1));
    for (int r = 0; r < body; r++) {
        int y = v->y + 2 + r;
        size_t i = d->cur.top + (size_t)r;
        if (i >= d->cur.n) {
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_DEFAULT);
            continue;
        }
        const struct sx_col_profile *cp = d->cp[i];
        int at = i == d->cur.cur;
        enum sx_role base = at ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
        sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        sx_draw_text(v->app, y, v->x, at ? SX_ROLE_CURSOR : SX_ROLE_TEXT,
                     sx_sheet_col_name(d->t, c->cols[i]), nw, 1);
        sx_draw_text(v->app, y, v->x + nw + 1, at ? base : SX_ROLE_DIM,
                     sx_sheet_type_glyph(cp->type, utf8), 1, 0);
        x = x0;
        for (size_t s = d->hcol; s < d->hcol + d->shown; s++) {
            enum sx_role role;
            int w = stat_w(d->sw, (enum stat)s, v->x + v->w - x);
            cell_text(cp, (enum stat)s, w, utf8, buf, sizeof buf, &role);
            if (at)
                role = base;
            if (s == S_TOP || s == S_HIST)
                sx_draw_text(v->app, y, x, role, buf, w, 0);
            else
                sx_draw_text_right(v->app, y, x, role, buf, w);
            x += w + GAP;
        }
    }
}

/* Narrow the count, missing, number and unique columns to their widest
 * cell (numbers are cut to at most stat_width significant columns; dates
 * keep their full length). */
static void fit_widths(struct sx_app *app, struct describe *d)
{
    char buf[512];
    enum sx_role role;
    for (int s = S_COUNT; s <= S_UNIQUE; s++) {
        int w = sx_text_width(app, stat_label[s]);
        for (size_t i = 0; i < d->ctx->ncols; i++) {
            cell_text(d->cp[i], (enum stat)s, stat_width[s], 1, buf, sizeof buf, &role);
            int x = sx_text_width(app, buf);
            if (x > w)
                w = x;
        }
        d->sw[s] = w;
    }
}

/* ---- job ---- */

static void finish(struct sx_app *app, struct describe *d)
{
    enum sx_status st;
    struct sx_err err;
    sx_err_clear(&err);
    if (!d->job || !sx_job_done(d->job, &st, &err))
        return;
    sx_job_free(d->job);
    d->job = NULL;
    if (st != SX_OK) {
        d->state = FAILED;
        snprintf(d->msg, sizeof d->msg, "%s", err.msg[0] ? err.msg : sx_status_str(st));
        return;
    }
    struct dctx *c = d->ctx;
    d->cp = calloc(c->ncols ? c->ncols : 1, sizeof *d->cp);
    if (!d->cp) {
        d->state = FAILED;
        snprintf(d->msg, sizeof d->msg, "describe: out of memory");
        return;
    }
    for (size_t i = 0; i < c->ncols; i++) {
        d->cp[i] = &c->batch[i / BATCH]->cols[i % BATCH];
        int tw = d->cp[i]->top ? sx_text_width(app, d->cp[i]->top) : 0;
        if (tw > d->sw[S_TOP])
            d->sw[S_TOP] = tw < TOP_MAX ? tw : TOP_MAX;
    }
    fit_widths(app, d);
    d->cur.n = c->ncols;
    d->state = READY;
}

static unsigned tick(struct sx_view *v)
{
    struct describe *d = v->priv;
    if (d->state != BUSY)
        return 0;
    finish(v->app, d);
    return SX_H_REDRAW;
}

/* ---- keys ---- */

static unsigned handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct describe *d = v->priv;
    (void)arg;
    switch (cmd) {
    case SX_CMD_BACK:
        return SX_H_HANDLED | SX_H_POP;
    case SX_CMD_CANCEL:
        if (d->job) {
            sx_job_cancel(d->job);
            sx_status(v->app, 0, "describe: cancelling…");
        }
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_LEFT:
        if (d->hcol > 0)
            d->hcol--;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_RIGHT:
        if (d->hcol + d->shown < S_N)
            d->hcol++;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_HOME:
        d->hcol = 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_END:
        d->hcol = S_N - 1;     /* the draw scrolls back to fill the screen */
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_ENTER: {
        if (d->state != READY || d->cur.n == 0)
            return SX_H_HANDLED;
        size_t col = d->ctx->cols[d->cur.cur];
        if (!sx_table_goto_col(d->t, col)) {
            sx_status(v->app, 1, "%s is not shown in the grid", sx_sheet_col_name(d->t, col));
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        return SX_H_HANDLED | SX_H_POP;
    }
    default:
        break;
    }
    return sx_sheet_move(&d->cur, cmd, (size_t)(d->page > 0 ? d->page : 1));
}

static void close_view(struct sx_view *v)
{
    struct describe *d = v->priv;
    if (!d)
        return;
    if (d->job)
        sx_job_free(d->job);
    ctx_free(d->ctx);
    free(d->cp);
    free(d);
}

static const enum sx_cmd keybar[] = {SX_CMD_ENTER, SX_CMD_BACK, SX_CMD_HELP, SX_CMD_NONE};

static const struct sx_view_ops describe_ops = {
    .name = "describe",
    .title = "Describe",
    .draw = draw,
    .handle = handle,
    .tick = tick,
    .close = close_view,
    .keybar = keybar,
};

struct sx_view *sx_view_describe_new(struct sx_app *app, struct sx_table *t, struct sx_err *err)
{
    struct describe *d = calloc(1, sizeof *d);
    struct dctx *c = calloc(1, sizeof *c);
    if (!d || !c)
        goto oom;
    d->t = t;
    d->ctx = c;
    memcpy(d->sw, stat_width, sizeof d->sw);
    c->f = t->frame;
    c->ncols = t->ncols;
    c->cols = malloc((t->ncols ? t->ncols : 1) * sizeof *c->cols);
    c->nbatch = (t->ncols + BATCH - 1) / BATCH;
    c->batch = calloc(c->nbatch ? c->nbatch : 1, sizeof *c->batch);
    if (!c->cols || !c->batch || sx_sheet_rows(t, 0, &c->rows, &c->nrows) != 0)
        goto oom;
    if (t->ncols)
        memcpy(c->cols, t->cols, t->ncols * sizeof *c->cols);
    atomic_init(&c->done, 0);
    d->state = BUSY;
    struct sx_view *v = sx_view_new(app, &describe_ops, d);
    if (!v)
        goto oom;
    d->job = sx_job_start(app, "profiling", profile_job, c);
    if (!d->job) {
        d->state = FAILED;
        snprintf(d->msg, sizeof d->msg, "describe: could not start the profiling job");
    }
    return v;
oom:
    if (d)
        d->ctx = NULL;
    ctx_free(c);
    free(d);
    sx_err_set(err, SX_ENOMEM, "describe: out of memory");
    return NULL;
}
