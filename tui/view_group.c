/* tui/view_group.c: the group summary (`:group COL`): count, mean, std,
 * min, median and max of every shown numeric column for each value of COL
 * (a category, text, bool or int column; a date column groups by year),
 * over the table's visible rows. One block per numeric column, one row per
 * group, so it reads at 80x24 and scrolls; h/l scroll the statistics when
 * the screen is narrow. Computed by core/profile's sx_profile_by in a
 * background job. Enter on a group filters the grid to it. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "profile.h"
#include "sheet.h"
#include "sheets.h"

/* What the job reads and writes (owned by the view). */
struct gctx {
    const struct sx_frame *f;  /* the table's frame (borrowed) */
    size_t *cols;              /* numeric frame columns, then the grouping column */
    size_t nnum;
    int by_year;               /* the grouping column is a date */
    size_t *rows;              /* visible rows, or NULL for all */
    size_t nrows;
    struct sx_group_profile *g;
};

enum state { BUSY, READY, FAILED };

/* Spaces between statistics. */
#define GAP 2

enum stat { S_COUNT, S_MEAN, S_STD, S_MIN, S_MEDIAN, S_MAX, S_N };
static const char *const stat_label[S_N] = {"count", "mean", "std", "min", "median", "max"};
static const int stat_width[S_N] = {10, 10, 10, 10, 10, 10};

struct group {
    struct sx_table *t;
    size_t by;                 /* frame column grouped by */
    struct gctx *ctx;
    struct sx_job *job;
    enum state state;
    char msg[512];
    uint64_t grouped;          /* rows that fell in a group */
    struct sx_sheet_cursor cur; /* over groups x numeric columns */
    size_t top;                /* first line shown */
    size_t hcol, shown;
    int sw[S_N];               /* width of each statistic */
    int page;
};

static void ctx_free(struct gctx *c)
{
    if (!c)
        return;
    sx_group_profile_free(c->g);
    free(c->cols);
    free(c->rows);
    free(c);
}

/* The year of each cell of date column D as a new int column. */
static struct sx_column *year_column(const struct sx_column *d, struct sx_err *err)
{
    struct sx_column *y = sx_col_new(d->name, SX_INT);
    if (!y || sx_col_reserve(y, d->len) != SX_OK)
        goto oom;
    for (size_t i = 0; i < d->len; i++) {
        enum sx_status rc;
        if (!sx_col_valid(d, i)) {
            rc = sx_col_push_missing(y);
        } else {
            int64_t days = d->v.i64[i], yr;
            int m, dd;
            if (d->unit == SX_SECONDS)
                days = days >= 0 ? days / 86400 : -((-days + 86399) / 86400);
            sx_date_to_ymd(days, &yr, &m, &dd);
            rc = sx_col_push_i64(y, yr);
        }
        if (rc != SX_OK)
            goto oom;
    }
    return y;
oom:
    sx_col_free(y);
    sx_err_set(err, SX_ENOMEM, "group by year: out of memory");
    return NULL;
}

static enum sx_status group_job(void *arg, struct sx_job *job, struct sx_err *err)
{
    struct gctx *c = arg;
    size_t n = c->nnum + 1;
    struct sx_column **ptrs = calloc(n, sizeof *ptrs);
    struct sx_frame *sub = NULL;
    struct sx_column *year = NULL;
    enum sx_status rc = SX_OK;
    if (!ptrs)
        return sx_err_set(err, SX_ENOMEM, "group: out of memory");
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += sx_col_bytes(c->f->cols[c->cols[i]]);
    sx_job_progress(job, 0, total, c->nrows);
    struct sx_frame part = sx_sheet_borrow(c->f, c->cols, n, ptrs);
    struct sx_frame *w = &part;
    if (c->rows) {
        if (!(sub = sx_frame_take(&part, c->rows, c->nrows, err))) {
            rc = err->code;
            goto out;
        }
        w = sub;
    }
    if (sx_job_cancelled(job)) {
        rc = sx_err_set(err, SX_ECANCEL, "group: cancelled");
        goto out;
    }
    if (c->by_year) {
        if (!(year = year_column(w->cols[c->nnum], err))) {
            rc = err->code;
            goto out;
        }
        /* The same columns with the date replaced by its year. */
        for (size_t i = 0; i < c->nnum; i++)
            ptrs[i] = w->cols[i];
        ptrs[c->nnum] = year;
        part = (struct sx_frame){.cols = ptrs, .ncols = n, .cap = n, .nrows = w->nrows};
        w = &part;
    }
    struct sx_profile_opts opts;
    sx_profile_opts_init(&opts);
    opts.topk = 0;
    opts.bins = 0;
    if (!(c->g = sx_profile_by(w, c->nnum, &opts, err)))
        rc = err->code;
    else
        sx_job_progress(job, total, total, c->nrows);
out:
    sx_col_free(year);
    sx_frame_free(sub);
    free(ptrs);
    return rc;
}

/* ---- layout ---- */

static size_t ngroups(const struct group *g)
{
    return g->state == READY ? g->ctx->g->ngroups : 0;
}

/* Line of item I: each numeric column's block is a title line and then
 * one line per group. */
static size_t item_line(const struct group *g, size_t i)
{
    size_t ng = ngroups(g);
    return ng ? (i / ng) * (ng + 1) + 1 + i % ng : 0;
}

/* Lines shown from line TOP in PAGE rows: when TOP is not a block's title,
 * the first row repeats that title (a sticky title) and one line less fits. */
static size_t lines_shown(const struct group *g, size_t top, size_t page)
{
    size_t ng = ngroups(g);
    return page > 1 && top % (ng + 1) != 0 ? page - 1 : page;
}

static void scroll_lines(struct group *g, size_t page)
{
    size_t ng = ngroups(g);
    size_t lines = g->ctx->nnum * (ng + 1);
    if (page < 1)
        page = 1;
    if (!ng) {
        g->top = 0;
        return;
    }
    size_t line = item_line(g, g->cur.cur);
    /* Keep the block's title in view above its first group. */
    size_t want = g->cur.cur % ng == 0 ? line - 1 : line;
    if (want < g->top)
        g->top = want;
    if (line >= g->top + lines_shown(g, g->top, page)) {
        g->top = line + 1 > page ? line + 1 - page : 0;
        if (line >= g->top + lines_shown(g, g->top, page))
            g->top++;
    }
    /* No empty rows at the bottom. */
    size_t last = lines > page ? lines - page : 0;
    if (lines > page && lines_shown(g, last, page) < page)
        last++;
    if (g->top > last)
        g->top = last;
}

static int label_width(struct sx_app *app, const struct group *g, int w)
{
    int lw = sx_text_width(app, sx_sheet_col_name(g->t, g->by));
    for (size_t i = 0; i < ngroups(g); i++) {
        int x = sx_text_width(app, g->ctx->g->labels[i]) + 2;
        if (x > lw)
            lw = x;
    }
    int cap = w < 60 ? w / 3 : 24;
    if (lw > cap)
        lw = cap;
    return lw < 6 ? 6 : lw;
}

static size_t stats_fit(const int *sw, size_t hcol, int w)
{
    size_t n = 0;
    for (size_t s = hcol; s < S_N && w >= sw[s]; s++) {
        w -= sw[s] + GAP;
        n++;
    }
    return n ? n : 1;
}

/* ---- drawing ---- */

/* Statistic S of CP as text of at most W columns. */
static void stat_text(const struct sx_col_profile *cp, enum stat s, int w, char *buf,
                      size_t size)
{
    double v = 0;
    switch (s) {
    case S_COUNT:
        sx_sheet_fmt_count(cp->count, w, buf, size);
        return;
    case S_MEAN: v = cp->mean; break;
    case S_STD: v = cp->std; break;
    case S_MIN: v = cp->min; break;
    case S_MEDIAN: v = cp->p50; break;
    case S_MAX: v = cp->max; break;
    case S_N: buf[0] = '\0'; return;
    }
    sx_sheet_fmt_num(v, w, buf, size);
}

static void draw_stat(struct sx_app *app, const struct sx_col_profile *cp, enum stat s, int x,
                      int y, int w, enum sx_role role)
{
    char buf[64];
    stat_text(cp, s, w, buf, sizeof buf);
    sx_draw_text_right(app, y, x, role, buf, w);
}

/* Narrow each statistic to its widest cell (numbers cut to stat_width). */
static void fit_widths(struct group *g)
{
    const struct sx_group_profile *gp = g->ctx->g;
    char buf[64];
    for (int s = 0; s < S_N; s++) {
        int w = (int)strlen(stat_label[s]);
        for (size_t i = 0; i < gp->ngroups; i++)
            for (size_t j = 0; j < g->ctx->nnum; j++) {
                stat_text(&gp->profiles[i]->cols[j], (enum stat)s, stat_width[s], buf,
                          sizeof buf);
                int x = (int)strlen(buf);
                if (x > w)
                    w = x;
            }
        g->sw[s] = w;
    }
}

static void draw(struct sx_view *v)
{
    struct group *g = v->priv;
    struct gctx *c = g->ctx;
    const char *by = sx_sheet_col_name(g->t, g->by);
    char head[512], buf[512], rows[32];

    int lw = label_width(v->app, g, v->w);
    int x0 = v->x + lw + GAP;
    int avail = v->x + v->w - x0;
    while (avail > 0 && g->hcol > 0 && g->hcol - 1 + stats_fit(g->sw, g->hcol - 1, avail) >= S_N)
        g->hcol--;
    g->shown = avail > 0 ? stats_fit(g->sw, g->hcol, avail) : 0;
    sx_sheet_fmt_rows(c->nrows, rows, sizeof rows);
    if (g->state == READY) {
        int n = snprintf(head, sizeof head, "by %s%s · %zu group%s · %s", by,
                         c->by_year ? " (year)" : "", ngroups(g), ngroups(g) == 1 ? "" : "s",
                         rows);
        if (g->grouped < c->nrows && n > 0 && (size_t)n < sizeof head) {
            char left[32];
            sx_sheet_fmt_count(c->nrows - g->grouped, 31, left, sizeof left);
            snprintf(head + n, sizeof head - (size_t)n, " · %s without %s", left, by);
        }
    } else {
        snprintf(head, sizeof head, "by %s%s · %s", by, c->by_year ? " (year)" : "",
                 g->state == BUSY ? "grouping…" : "failed");
    }
    sx_sheet_scroll_mark(g->hcol, g->shown, S_N, buf, sizeof buf);
    int body = sx_sheet_heading(v, head, buf);
    g->page = body;
    if (v->h < 2)
        return;
    int hy = v->y + 1;
    sx_draw_text(v->app, hy, v->x, SX_ROLE_HEADER, by, lw, 1);
    int x = x0;
    for (size_t s = g->hcol; s < g->hcol + g->shown; s++) {
        int w = g->sw[s] < v->x + v->w - x ? g->sw[s] : v->x + v->w - x;
        if (w > 0)
            sx_draw_text_right(v->app, hy, x, SX_ROLE_HEADER, stat_label[s], w);
        x += g->sw[s] + GAP;
    }

    if (g->state != READY) {
        if (body > 0) {
            sx_draw_fill(v->app, v->y + 2, v->x, body, v->w, SX_ROLE_DEFAULT);
            sx_draw_text(v->app, v->y + 2, v->x, g->state == BUSY ? SX_ROLE_DIM : SX_ROLE_ERROR,
                         g->state == BUSY ? "grouping…" : g->msg, v->w, 1);
        }
        return;
    }

    size_t ng = ngroups(g), lines = c->nnum * (ng + 1);
    size_t cur_line = item_line(g, g->cur.cur);
    scroll_lines(g, (size_t)(body > 0 ? body : 1));
    int sticky = ng > 0 && lines_shown(g, g->top, (size_t)body) < (size_t)body;
    for (int r = 0; r < body; r++) {
        int y = v->y + 2 + r;
        size_t line = g->top + (size_t)r - (size_t)sticky;
        if (sticky && r == 0)
            line = g->top - g->top % (ng + 1);        /* the block's title */
        if (line >= lines || ng == 0) {
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_DEFAULT);
            continue;
        }
        size_t block = line / (ng + 1), k = line % (ng + 1);
        size_t num = c->cols[block];
        if (k == 0) {
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_DEFAULT);
            sx_draw_text(v->app, y, v->x, SX_ROLE_HEADER, sx_sheet_col_name(g->t, num), v->w, 0);
            continue;
        }
        size_t gi = k - 1;
        const struct sx_col_profile *cp = &c->g->profiles[gi]->cols[block];
        int at = line == cur_line;
        enum sx_role base = at ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
        sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        sx_draw_text(v->app, y, v->x + 2, at ? SX_ROLE_CURSOR : SX_ROLE_TEXT, c->g->labels[gi],
                     lw - 2, 1);
        x = x0;
        for (size_t s = g->hcol; s < g->hcol + g->shown; s++) {
            int w = g->sw[s] < v->x + v->w - x ? g->sw[s] : v->x + v->w - x;
            if (w > 0)
                draw_stat(v->app, cp, (enum stat)s, x, y, w, at ? base : SX_ROLE_NUMBER);
            x += g->sw[s] + GAP;
        }
    }
}

/* ---- job ---- */

static unsigned tick(struct sx_view *v)
{
    struct group *g = v->priv;
    enum sx_status st;
    struct sx_err err;
    if (g->state != BUSY)
        return 0;
    sx_err_clear(&err);
    if (!g->job || !sx_job_done(g->job, &st, &err))
        return 0;
    sx_job_free(g->job);
    g->job = NULL;
    if (st != SX_OK) {
        g->state = FAILED;
        snprintf(g->msg, sizeof g->msg, "%s", err.msg[0] ? err.msg : sx_status_str(st));
        return SX_H_REDRAW;
    }
    const struct sx_group_profile *gp = g->ctx->g;
    g->grouped = 0;
    for (size_t i = 0; i < gp->ngroups; i++)
        g->grouped += gp->profiles[i]->rows;
    g->cur.n = g->ctx->nnum * gp->ngroups;
    fit_widths(g);
    g->state = READY;
    return SX_H_REDRAW;
}

/* ---- keys ---- */

static unsigned enter(struct sx_view *v)
{
    struct group *g = v->priv;
    struct sx_err err;
    if (g->state != READY || g->cur.n == 0)
        return SX_H_HANDLED;
    if (g->ctx->by_year) {
        sx_status(v->app, 1, "a year is a range of dates: filter the grid with | on a date");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    const char *label = g->ctx->g->labels[g->cur.cur % g->ctx->g->ngroups];
    sx_err_clear(&err);
    if (sx_table_filter_equal(g->t, g->by, label, &err) != SX_OK) {
        sx_status(v->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char rows[32];
    sx_sheet_fmt_rows(g->t->nrows, rows, sizeof rows);
    sx_status(v->app, 0, "%s = %s: %s", sx_sheet_col_name(g->t, g->by), label, rows);
    return SX_H_HANDLED | SX_H_POP;
}

static unsigned handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct group *g = v->priv;
    (void)arg;
    switch (cmd) {
    case SX_CMD_BACK:
        return SX_H_HANDLED | SX_H_POP;
    case SX_CMD_CANCEL:
        if (g->job) {
            sx_job_cancel(g->job);
            sx_status(v->app, 0, "group: cancelling…");
        }
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_ENTER:
        return enter(v);
    case SX_CMD_MOVE_LEFT:
        if (g->hcol > 0)
            g->hcol--;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_RIGHT:
        if (g->hcol + g->shown < S_N)
            g->hcol++;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_HOME:
        g->hcol = 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_END:
        g->hcol = S_N - 1;     /* the draw scrolls back to fill the screen */
        return SX_H_HANDLED | SX_H_REDRAW;
    default:
        break;
    }
    unsigned h = sx_sheet_move(&g->cur, cmd, (size_t)(g->page > 0 ? g->page : 1));
    if (h) {
        if (g->state == READY)
            scroll_lines(g, (size_t)(g->page > 0 ? g->page : 1));
        return h;
    }
    return 0;
}

static void close_view(struct sx_view *v)
{
    struct group *g = v->priv;
    if (!g)
        return;
    if (g->job)
        sx_job_free(g->job);
    ctx_free(g->ctx);
    free(g);
}

static const enum sx_cmd keybar[] = {SX_CMD_ENTER, SX_CMD_BACK, SX_CMD_HELP, SX_CMD_NONE};

static const struct sx_view_ops group_ops = {
    .name = "group",
    .title = "Group",
    .draw = draw,
    .handle = handle,
    .tick = tick,
    .close = close_view,
    .keybar = keybar,
};

/* The frame column called NAME: a display name first, then a source name. */
static long find_column(const struct sx_table *t, const char *name)
{
    for (size_t i = 0; i < t->frame->ncols; i++)
        if (!strcmp(sx_sheet_col_name(t, i), name))
            return (long)i;
    return sx_frame_find(t->frame, name);
}

struct sx_view *sx_view_group_new(struct sx_app *app, struct sx_table *t, const char *col,
                                  struct sx_err *err)
{
    size_t by;
    while (col && (*col == ' ' || *col == '\t'))
        col++;
    if (col && *col) {
        char name[1024];
        snprintf(name, sizeof name, "%s", col);
        for (size_t n = strlen(name); n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'); n--)
            name[n - 1] = '\0';
        long i = find_column(t, name);
        if (i < 0) {
            sx_err_set(err, SX_ENOTFOUND, "group: no column named '%s'", name);
            return NULL;
        }
        by = (size_t)i;
    } else if ((by = sx_table_cur_frame_col(t)) == (size_t)-1 || by >= t->frame->ncols) {
        sx_err_set(err, SX_EINVAL, "group: which column? (:group COL)");
        return NULL;
    }
    const struct sx_column *bc = t->frame->cols[by];
    if (bc->type == SX_FLOAT) {
        sx_err_set(err, SX_EINVAL,
                   "group: %s is a float column; group by a category, text, bool, int or date",
                   sx_sheet_col_name(t, by));
        return NULL;
    }

    struct group *g = calloc(1, sizeof *g);
    struct gctx *c = calloc(1, sizeof *c);
    if (!g || !c)
        goto oom;
    g->t = t;
    g->by = by;
    memcpy(g->sw, stat_width, sizeof g->sw);
    g->ctx = c;
    c->f = t->frame;
    c->by_year = bc->type == SX_DATE;
    c->cols = malloc((t->ncols + 1) * sizeof *c->cols);
    if (!c->cols)
        goto oom;
    for (size_t i = 0; i < t->ncols; i++) {
        size_t fc = t->cols[i];
        enum sx_type ty = t->frame->cols[fc]->type;
        if (fc != by && (ty == SX_FLOAT || ty == SX_INT))
            c->cols[c->nnum++] = fc;
    }
    if (c->nnum == 0) {
        ctx_free(c);
        free(g);
        sx_err_set(err, SX_EINVAL, "group: no shown numeric column to summarise");
        return NULL;
    }
    c->cols[c->nnum] = by;
    if (sx_sheet_rows(t, 0, &c->rows, &c->nrows) != 0)
        goto oom;
    g->state = BUSY;
    struct sx_view *v = sx_view_new(app, &group_ops, g);
    if (!v)
        goto oom;
    g->job = sx_job_start(app, "grouping", group_job, c);
    if (!g->job) {
        g->state = FAILED;
        snprintf(g->msg, sizeof g->msg, "group: could not start the job");
    }
    return v;
oom:
    ctx_free(c);
    free(g);
    sx_err_set(err, SX_ENOMEM, "group: out of memory");
    return NULL;
}
