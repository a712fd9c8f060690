/* tui/view_corr.c: the correlation matrix (`:corr`) of the shown numeric
 * columns (float, int, bool) over the table's visible rows: Pearson r,
 * pairwise complete, from core/profile's sx_profile_corr in a background
 * job. Cells are coloured by strength (|r| >= 0.5 strong positive or
 * negative, else weak), the diagonal is dim, names are cut to the cell
 * width by display width. hjkl move a cell cursor; the summary line names
 * the pair under it with r to four places. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "sheet.h"
#include "sheets.h"

#define STRONG 0.5

/* What the job reads and writes (owned by the view). */
struct cctx {
    const struct sx_frame *f;  /* the table's frame (borrowed) */
    size_t *cols;              /* numeric frame columns in display order */
    size_t n;
    size_t *rows;              /* visible rows, or NULL for all */
    size_t nrows;
    struct sx_corr *r;
};

enum state { BUSY, READY, FAILED };

struct corr {
    struct sx_table *t;
    struct cctx *ctx;
    struct sx_job *job;
    enum state state;
    char msg[512];
    struct sx_sheet_cursor row; /* matrix row under the cursor */
    size_t col;                 /* matrix column under the cursor */
    size_t left;                /* first matrix column shown */
    size_t shown;               /* matrix columns that fit at the last draw */
    int page;
};

static void ctx_free(struct cctx *c)
{
    if (!c)
        return;
    sx_corr_free(c->r);
    free(c->cols);
    free(c->rows);
    free(c);
}

static enum sx_status corr_job(void *arg, struct sx_job *job, struct sx_err *err)
{
    struct cctx *c = arg;
    struct sx_column **ptrs = calloc(c->n ? c->n : 1, sizeof *ptrs);
    struct sx_frame *sub = NULL;
    if (!ptrs)
        return sx_err_set(err, SX_ENOMEM, "correlation: out of memory");
    uint64_t total = 0;
    for (size_t i = 0; i < c->n; i++)
        total += sx_col_bytes(c->f->cols[c->cols[i]]);
    sx_job_progress(job, 0, total, c->nrows);
    struct sx_frame part = sx_sheet_borrow(c->f, c->cols, c->n, ptrs);
    if (c->rows && !(sub = sx_frame_take(&part, c->rows, c->nrows, err))) {
        free(ptrs);
        return err->code;
    }
    c->r = sx_profile_corr(sub ? sub : &part, err);
    sx_frame_free(sub);
    free(ptrs);
    if (!c->r)
        return err->code;
    sx_job_progress(job, total, total, c->nrows);
    return SX_OK;
}

/* ---- drawing ---- */

/* Matrix entry I's display name. */
static const char *entry_name(const struct corr *k, size_t i)
{
    return sx_sheet_col_name(k->t, k->ctx->cols[k->ctx->r->cols[i]]);
}

static enum sx_role strength_role(double r, int diagonal)
{
    if (diagonal)
        return SX_ROLE_DIM;
    if (isnan(r))
        return SX_ROLE_MISSING;
    if (fabs(r) >= STRONG)
        return r > 0 ? SX_ROLE_CORR_POS : SX_ROLE_CORR_NEG;
    return SX_ROLE_CORR_WEAK;
}

static void fmt_r(double r, char *buf, size_t size)
{
    if (isnan(r))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", fabs(r) < 0.005 ? 0.0 : r);   /* no "-0.00" */
}

static void draw(struct sx_view *v)
{
    struct corr *k = v->priv;
    struct cctx *c = k->ctx;
    char head[512], buf[64], rows[32];
    size_t n = k->state == READY ? c->r->n : 0;

    sx_sheet_fmt_rows(c->nrows, rows, sizeof rows);
    if (k->state == READY && n > 0) {
        size_t i = k->row.cur, j = k->col;
        double r = c->r->r[i * n + j];
        char rs[32];
        if (isnan(r))
            snprintf(rs, sizeof rs, "undefined");
        else
            snprintf(rs, sizeof rs, "%.4f", r == 0 ? 0.0 : r);
        snprintf(head, sizeof head, "r = %s  %s × %s · %s", rs, entry_name(k, i),
                 entry_name(k, j), rows);
    } else if (k->state == READY) {
        snprintf(head, sizeof head, "no numeric columns shown");
    } else {
        snprintf(head, sizeof head, "correlation of %zu columns · %s", c->n,
                 k->state == BUSY ? "computing…" : "failed");
    }
    int body = sx_sheet_heading(v, head, NULL);
    k->page = body;
    if (v->h < 2)
        return;
    if (k->state != READY || n == 0) {
        if (body > 0 && k->state != READY) {
            sx_draw_fill(v->app, v->y + 2, v->x, body, v->w, SX_ROLE_DEFAULT);
            sx_draw_text(v->app, v->y + 2, v->x, k->state == BUSY ? SX_ROLE_DIM : SX_ROLE_ERROR,
                         k->state == BUSY ? "computing…" : k->msg, v->w, 1);
        }
        return;
    }

    /* Widths: the row labels, then cells as wide as the names allow. */
    int maxname = 4;
    for (size_t i = 0; i < n; i++) {
        int x = sx_text_width(v->app, entry_name(k, i));
        if (x > maxname)
            maxname = x;
    }
    int lw = maxname, lcap = v->w < 60 ? v->w / 3 : 20;
    if (lw > lcap)
        lw = lcap;
    if (lw < 4)
        lw = 4;
    int avail = v->w - lw - 1;
    int cw = maxname < 12 ? maxname : 12;
    if (cw < 5)
        cw = 5;
    if ((int)n * (cw + 1) > avail) {
        int fit = avail / (int)n - 1;
        cw = fit > 5 ? (fit < cw ? fit : cw) : 5;
    }
    k->shown = avail > 0 ? (size_t)((avail + 1) / (cw + 1)) : 0;
    if (k->shown < 1)
        k->shown = 1;
    if (k->shown > n)
        k->shown = n;
    if (k->col < k->left)
        k->left = k->col;
    if (k->col >= k->left + k->shown)
        k->left = k->col - k->shown + 1;
    if (k->left + k->shown > n)
        k->left = n - k->shown;

    int hy = v->y + 1;
    sx_draw_text(v->app, hy, v->x, SX_ROLE_HEADER, "", lw, 1);
    for (size_t j = k->left; j < k->left + k->shown; j++) {
        int x = v->x + lw + 1 + (int)(j - k->left) * (cw + 1);
        int w = x + cw <= v->x + v->w ? cw : v->x + v->w - x;
        if (w > 0)
            sx_draw_text_right(v->app, hy, x, j == k->col ? SX_ROLE_CURSOR_ROW : SX_ROLE_HEADER,
                               entry_name(k, j), w);
    }

    sx_sheet_scroll(&k->row, (size_t)(body > 0 ? body : 1));
    for (int r = 0; r < body; r++) {
        int y = v->y + 2 + r;
        size_t i = k->row.top + (size_t)r;
        sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_DEFAULT);
        if (i >= n)
            continue;
        sx_draw_text(v->app, y, v->x, i == k->row.cur ? SX_ROLE_CURSOR_ROW : SX_ROLE_TEXT,
                     entry_name(k, i), lw, 1);
        for (size_t j = k->left; j < k->left + k->shown; j++) {
            int x = v->x + lw + 1 + (int)(j - k->left) * (cw + 1);
            int w = x + cw <= v->x + v->w ? cw : v->x + v->w - x;
            if (w <= 0)
                continue;
            double rv = c->r->r[i * n + j];
            fmt_r(rv, buf, sizeof buf);
            enum sx_role role = strength_role(rv, i == j);
            if (i == k->row.cur && j == k->col)
                role = SX_ROLE_CURSOR;
            sx_draw_text_right(v->app, y, x, role, buf, w);
        }
    }
}

/* ---- job ---- */

static unsigned tick(struct sx_view *v)
{
    struct corr *k = v->priv;
    enum sx_status st;
    struct sx_err err;
    if (k->state != BUSY)
        return 0;
    sx_err_clear(&err);
    if (!k->job || !sx_job_done(k->job, &st, &err))
        return 0;
    sx_job_free(k->job);
    k->job = NULL;
    if (st != SX_OK) {
        k->state = FAILED;
        snprintf(k->msg, sizeof k->msg, "%s", err.msg[0] ? err.msg : sx_status_str(st));
        return SX_H_REDRAW;
    }
    k->row.n = k->ctx->r->n;
    if (k->row.n > 1)
        k->row.cur = 1;         /* start off the diagonal */
    k->state = READY;
    return SX_H_REDRAW;
}

/* ---- keys ---- */

static unsigned handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct corr *k = v->priv;
    size_t n = k->state == READY ? k->ctx->r->n : 0;
    (void)arg;
    switch (cmd) {
    case SX_CMD_BACK:
        return SX_H_HANDLED | SX_H_POP;
    case SX_CMD_CANCEL:
        if (k->job) {
            sx_job_cancel(k->job);
            sx_status(v->app, 0, "correlation: cancelling…");
        }
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_LEFT:
        if (k->col > 0)
            k->col--;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_RIGHT:
        if (k->col + 1 < n)
            k->col++;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_HOME:
        k->col = 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_END:
        k->col = n ? n - 1 : 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    default:
        break;
    }
    return sx_sheet_move(&k->row, cmd, (size_t)(k->page > 0 ? k->page : 1));
}

static void close_view(struct sx_view *v)
{
    struct corr *k = v->priv;
    if (!k)
        return;
    if (k->job)
        sx_job_free(k->job);
    ctx_free(k->ctx);
    free(k);
}

static const enum sx_cmd keybar[] = {SX_CMD_BACK, SX_CMD_HELP, SX_CMD_NONE};

static const struct sx_view_ops corr_ops = {
    .name = "corr",
    .title = "Correlation",
    .draw = draw,
    .handle = handle,
    .tick = tick,
    .close = close_view,
    .keybar = keybar,
};

struct sx_view *sx_view_corr_new(struct sx_app *app, struct sx_table *t, struct sx_err *err)
{
    struct corr *k = calloc(1, sizeof *k);
    struct cctx *c = calloc(1, sizeof *c);
    if (!k || !c)
        goto oom;
    k->t = t;
    k->ctx = c;
    c->f = t->frame;
    c->cols = malloc((t->ncols ? t->ncols : 1) * sizeof *c->cols);
    if (!c->cols)
        goto oom;
    for (size_t i = 0; i < t->ncols; i++) {
        enum sx_type ty = t->frame->cols[t->cols[i]]->type;
        if (ty == SX_FLOAT || ty == SX_INT || ty == SX_BOOL)
            c->cols[c->n++] = t->cols[i];
    }
    if (c->n < 2) {
        ctx_free(c);
        free(k);
        sx_err_set(err, SX_EINVAL, "correlation: needs two shown numeric columns (float, int "
                                   "or bool)");
        return NULL;
    }
    if (sx_sheet_rows(t, 0, &c->rows, &c->nrows) != 0)
        goto oom;
    k->state = BUSY;
    struct sx_view *v = sx_view_new(app, &corr_ops, k);
    if (!v)
        goto oom;
    k->job = sx_job_start(app, "correlating", corr_job, c);
    if (!k->job) {
        k->state = FAILED;
        snprintf(k->msg, sizeof k->msg, "correlation: could not start the job");
    }
    return v;
oom:
    ctx_free(c);
    free(k);
    sx_err_set(err, SX_ENOMEM, "correlation: out of memory");
    return NULL;
}
