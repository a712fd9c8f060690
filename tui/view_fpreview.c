/* tui/view_fpreview.c: the preview of a spec's output columns on the data
 * set open in the Data pane. A preview fits the spec on a sample of the
 * rows the grid shows (at most SX_FPREVIEW_SAMPLE, evenly spaced, so a
 * sorted or long frame is covered end to end and a keystroke costs the
 * same on 10M rows as on 10k), applies the fit in training mode to the
 * sample and to the grid's first SX_FPREVIEW_HEAD rows, and shows:
 *  - a summary: where, how many rows, how many outputs are new, changed
 *    (a column the spec rewrote, found by comparing the sample with its
 *    output in inference mode, which keeps every row) or dropped, and how
 *    many sample rows the filters drop;
 *  - the first rows of the new and changed columns;
 *  - a describe-like line per new or changed column: type, missing, mean,
 *    std, min, max and a histogram sparkline, before → after for a
 *    changed column.
 * The fit here is a preview only: nothing is stored (`f` fits and stores).
 * The editor (tui/view_fedit.c) embeds a preview under the text when the
 * screen is tall enough; this file's view shows one alone, j/k scrolling
 * the statistics and h/l the columns of the first rows. */
#include "fpane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "profile.h"
#include "sheet.h"
#include "table.h"

struct sx_fpreview {
    char error[600];          /* non-empty: no preview, and why */
    int spec_err;             /* the error is the spec's, at err_line:err_col */
    int err_line, err_col;
    char source[300];         /* "energy_train@1" */
    size_t sample_rows, view_rows;
    size_t noutputs, nnew, nchanged, ndropped;
    char dropped[200];        /* the dropped columns' names, for the summary */
    uint64_t filtered;        /* sample rows the filters drop */
    struct sx_frame *head;    /* the first rows' output (train mode) */
    size_t *show;             /* output columns shown: new or changed */
    unsigned char *is_new;
    size_t nshow;
    struct sx_profile *after; /* of the shown columns over the sample's output */
    struct sx_profile *before;   /* of the sample's columns a changed one had */
    long *before_idx;         /* per shown column: index into BEFORE, or -1 */
};

void sx_fpreview_free(struct sx_fpreview *pv)
{
    if (!pv)
        return;
    sx_frame_free(pv->head);
    free(pv->show);
    free(pv->is_new);
    sx_profile_free(pv->after);
    sx_profile_free(pv->before);
    free(pv->before_idx);
    free(pv);
}

int sx_fpane_msg_pos(const char *msg, int *line, int *col, const char **rest)
{
    char *end;
    long l = strtol(msg, &end, 10);
    if (end == msg || *end != ':' || l < 1)
        return 0;
    const char *p = end + 1;
    long c = strtol(p, &end, 10);
    if (end == p || *end != ':' || c < 0)
        return 0;
    *line = (int)l;
    *col = (int)c;
    *rest = end[1] == ' ' ? end + 2 : end + 1;
    return 1;
}

int sx_fpreview_spec_error(const struct sx_fpreview *pv, int *line, int *col, const char **msg)
{
    if (!pv || !pv->spec_err)
        return 0;
    *line = pv->err_line;
    *col = pv->err_col;
    *msg = pv->error;
    return 1;
}

/* Record a spec error ERR (its "LINE:COL: " prefix taken apart). */
static void spec_error(struct sx_fpreview *pv, const struct sx_err *err, int line, int col)
{
    const char *rest = err->msg;
    int l, c;
    if (sx_fpane_msg_pos(err->msg, &l, &c, &rest)) {
        line = l;
        col = c;
    }
    pv->spec_err = 1;
    pv->err_line = line;
    pv->err_col = col;
    snprintf(pv->error, sizeof pv->error, "%s", rest);
}

/* Do cells I of A and B hold the same value? */
static int same_cell(const struct sx_column *a, const struct sx_column *b, size_t i)
{
    int va = sx_col_valid(a, i), vb = sx_col_valid(b, i);
    if (va != vb)
        return 0;
    if (!va)
        return 1;
    switch (a->type) {
    case SX_FLOAT: {
        double x = a->v.f64[i], y = b->v.f64[i];
        return x == y || (isnan(x) && isnan(y));
    }
    case SX_INT:
    case SX_DATE: return a->v.i64[i] == b->v.i64[i] && a->unit == b->unit;
    case SX_BOOL: return a->v.b[i] == b->v.b[i];
    case SX_CATEGORY:
    case SX_TEXT: return strcmp(sx_col_str(a, i), sx_col_str(b, i)) == 0;
    }
    return 0;
}

/* Did the spec rewrite column IN into OUT (same rows)? */
static int changed(const struct sx_column *in, const struct sx_column *out)
{
    if (in->type != out->type || in->len != out->len)
        return 1;
    for (size_t i = 0; i < in->len; i++)
        if (!same_cell(in, out, i))
            return 1;
    return 0;
}

/* The profile of columns COLS[0..N) of F (borrowed), one thread. */
static struct sx_profile *profile_of(const struct sx_frame *f, const size_t *cols, size_t n,
                                     struct sx_err *err)
{
    struct sx_column **ptrs = malloc((n ? n : 1) * sizeof *ptrs);
    if (!ptrs) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    struct sx_frame b = sx_sheet_borrow(f, cols, n, ptrs);
    struct sx_profile_opts o;
    sx_profile_opts_init(&o);
    o.threads = 1;
    o.topk = 1;
    struct sx_profile *p = sx_profile_frame(&b, &o, err);
    free(ptrs);
    return p;
}

struct sx_fpreview *sx_fpreview_compute(struct sx_app *app, const char *spec_text)
{
    struct sx_fpreview *pv = calloc(1, sizeof *pv);
    if (!pv)
        return NULL;
    struct sx_err err = {0};
    int line = 0, col = 0;
    struct sx_fspec *spec = NULL;
    struct sx_ffit *fit = NULL;
    struct sx_frame *sample = NULL, *first = NULL, *out = NULL, *inf = NULL;
    size_t *idx = NULL, *before_cols = NULL;
    json_t *report = NULL;

    if (!(spec = sx_fspec_parse(spec_text, &err, &line, &col))) {
        spec_error(pv, &err, line, col);
        goto out;
    }
    struct sx_data_open o;
    if (sx_data_current(app, &o) != 0 || !o.t) {
        snprintf(pv->error, sizeof pv->error, "no data open in the Data pane to preview on "
                 "(1 switches to it, Enter opens a data set)");
        goto out;
    }
    const struct sx_table *t = o.t;
    snprintf(pv->source, sizeof pv->source, "%s%s", o.label, o.loading ? " (first rows)" : "");
    pv->view_rows = t->nrows;
    size_t k = t->nrows < SX_FPREVIEW_SAMPLE ? t->nrows : SX_FPREVIEW_SAMPLE;
    if (k == 0) {
        snprintf(pv->error, sizeof pv->error, "%s: the grid shows no rows to preview on",
                 o.label);
        goto out;
    }
    if (!(idx = malloc(k * sizeof *idx)))
        goto oom;
    for (size_t i = 0; i < k; i++)
        idx[i] = t->rows[(size_t)((double)i * (double)t->nrows / (double)k)];
    pv->sample_rows = k;
    if (!(sample = sx_frame_take(t->frame, idx, k, &err)))
        goto fail;
    size_t nh = t->nrows < SX_FPREVIEW_HEAD ? t->nrows : SX_FPREVIEW_HEAD;
    if (!(first = sx_frame_take(t->frame, t->rows, nh, &err)))
        goto fail;
    if (!(fit = sx_features_fit(spec, sample, &err))) {
        spec_error(pv, &err, 0, 0);
        goto out;
    }
    if (!(out = sx_features_apply(fit, sample, SX_FMODE_TRAIN, &report, &err)) ||
        !(pv->head = sx_features_apply(fit, first, SX_FMODE_TRAIN, NULL, &err)) ||
        !(inf = sx_features_apply(fit, sample, SX_FMODE_INFERENCE, NULL, &err)))
        goto fail;
    json_t *jf = report ? json_object_get(report, "filtered") : NULL;
    pv->filtered = json_is_integer(jf) ? (uint64_t)json_integer_value(jf)
                                       : (uint64_t)(sample->nrows - out->nrows);
    pv->noutputs = out->ncols;
    size_t n = out->ncols;
    pv->show = malloc((n ? n : 1) * sizeof *pv->show);
    pv->is_new = malloc(n ? n : 1);
    pv->before_idx = malloc((n ? n : 1) * sizeof *pv->before_idx);
    before_cols = malloc((n ? n : 1) * sizeof *before_cols);
    if (!pv->show || !pv->is_new || !pv->before_idx || !before_cols)
        goto oom;
    size_t nbefore = 0;
    for (size_t j = 0; j < n; j++) {
        long s = sx_frame_find(sample, out->cols[j]->name);
        long ij = sx_frame_find(inf, out->cols[j]->name);
        if (s < 0) {
            pv->show[pv->nshow] = j;
            pv->is_new[pv->nshow] = 1;
            pv->before_idx[pv->nshow++] = -1;
            pv->nnew++;
        } else if (ij < 0 || changed(sample->cols[s], inf->cols[ij])) {
            pv->show[pv->nshow] = j;
            pv->is_new[pv->nshow] = 0;
            pv->before_idx[pv->nshow++] = (long)nbefore;
            before_cols[nbefore++] = (size_t)s;
            pv->nchanged++;
        }
    }
    size_t dl = 0;
    for (size_t j = 0; j < sample->ncols; j++)
        if (sx_frame_find(out, sample->cols[j]->name) < 0) {
            pv->ndropped++;
            if (dl < sizeof pv->dropped - 1)
                dl += (size_t)snprintf(pv->dropped + dl, sizeof pv->dropped - dl, "%s%s",
                                       dl ? ", " : "", sample->cols[j]->name);
        }
    if (!(pv->after = profile_of(out, pv->show, pv->nshow, &err)) ||
        !(pv->before = profile_of(sample, before_cols, nbefore, &err)))
        goto fail;
    goto out;
oom:
    sx_err_set(&err, SX_ENOMEM, "out of memory");
fail:
    snprintf(pv->error, sizeof pv->error, "%s", err.msg);
out:
    if (pv->error[0]) {
        sx_frame_free(pv->head);
        pv->head = NULL;
        pv->nshow = 0;
    }
    json_decref(report);
    free(idx);
    free(before_cols);
    sx_frame_free(sample);
    sx_frame_free(first);
    sx_frame_free(out);
    sx_frame_free(inf);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    return pv;
}

/* ---- drawing ---- */

#define NUMW 9                /* a statistic's width */
#define HISTW 10              /* a sparkline's width */

/* A statistic V of profile column CP in at most W columns. */
static void fmt_stat(const struct sx_col_profile *cp, double v, int w, char *buf, size_t size)
{
    if (!cp->numeric || isnan(v))
        snprintf(buf, size, "-");
    else if (cp->type == SX_DATE)
        sx_sheet_fmt_date(v, cp->unit, buf, size);
    else
        sx_sheet_fmt_num(v, w, buf, size);
}

/* The sparkline (or, for a categorical column, its top value) of CP. */
static void fmt_hist(struct sx_app *app, const struct sx_col_profile *cp, int width, char *buf,
                     size_t size)
{
    if (cp->hist && cp->nbins)
        sx_sheet_spark(cp->hist, cp->nbins, width, sx_app_utf8(app), buf, size);
    else if (cp->categorical && cp->top)
        snprintf(buf, size, "%llu distinct, top %s", (unsigned long long)cp->unique, cp->top);
    else
        snprintf(buf, size, "-");
}

/* One statistics row for shown column K. */
static void draw_stat_row(struct sx_app *app, const struct sx_fpreview *pv, size_t k, int y,
                          int x, int w, int namew)
{
    const struct sx_col_profile *cp = &pv->after->cols[k];
    int x1 = x + w;
    char buf[300], glyph[8];
    snprintf(glyph, sizeof glyph, "%s", sx_sheet_type_glyph(cp->type, sx_app_utf8(app)));
    sx_draw_text(app, y, x, pv->is_new[k] ? SX_ROLE_BETTER : SX_ROLE_NUMBER,
                 pv->is_new[k] ? "+" : "~", 1, 0);
    sx_draw_text(app, y, x + 2, SX_ROLE_DIM, glyph, 1, 0);
    sx_draw_text(app, y, x + 3, SX_ROLE_TEXT, cp->name, namew, 1);
    int cx = x + 3 + namew + 1;
    sx_sheet_fmt_count(cp->missing, 7, buf, sizeof buf);
    if (cx + 7 <= x1)
        sx_draw_text_right(app, y, cx, SX_ROLE_NUMBER, buf, 7);
    cx += 8;
    const double stats[4] = {cp->mean, cp->std, cp->min, cp->max};
    for (int s = 0; s < 4 && cx + NUMW <= x1; s++, cx += NUMW + 1) {
        fmt_stat(cp, stats[s], NUMW, buf, sizeof buf);
        sx_draw_text_right(app, y, cx, SX_ROLE_NUMBER, buf, NUMW);
    }
    if (cx >= x1)
        return;
    char after[128];
    long b = pv->before_idx[k];
    int two = b >= 0 && pv->before && (size_t)b < pv->before->ncols;
    /* a sparkline as wide as there is room for, up to HISTW (two: before → after) */
    int hw = two ? (x1 - cx - 3) / 2 : x1 - cx;
    if (hw > HISTW)
        hw = HISTW;
    if (hw < 3)
        hw = 3;
    fmt_hist(app, cp, hw, after, sizeof after);
    if (two) {
        char before[128];
        fmt_hist(app, &pv->before->cols[b], hw, before, sizeof before);
        snprintf(buf, sizeof buf, "%s %s %s", before, sx_glyph(app, "\u2192", "->"), after);
    } else {
        snprintf(buf, sizeof buf, "%s", after);
    }
    sx_draw_text(app, y, cx, SX_ROLE_BAR, buf, x1 - cx, 0);
}

/* Cell R of output column C of the first rows, fitted to W columns. */
static void fmt_cell(const struct sx_column *c, size_t r, int w, char *buf, size_t size)
{
    if (!sx_col_valid(c, r))
        snprintf(buf, size, "\u00b7");
    else if (c->type == SX_FLOAT)
        sx_sheet_fmt_num(c->v.f64[r], w, buf, size);
    else
        sx_col_format(c, r, buf, size);
}

#define CELLW 10              /* widest first-rows cell */

size_t sx_fpreview_draw(struct sx_app *app, const struct sx_fpreview *pv, int y, int x, int h,
                        int w, size_t top, size_t left)
{
    if (h <= 0 || w <= 0)
        return 0;
    sx_draw_fill(app, y, x, h, w, SX_ROLE_DEFAULT);
    char buf[700], a[32], b[32];
    if (!pv) {
        sx_draw_text(app, y, x + 1, SX_ROLE_ERROR, "out of memory", w - 1, 0);
        return 0;
    }
    if (pv->error[0]) {
        if (pv->spec_err && pv->err_line)
            snprintf(buf, sizeof buf, "no preview: %d:%d: %s", pv->err_line, pv->err_col,
                     pv->error);
        else
            snprintf(buf, sizeof buf, "no preview: %s", pv->error);
        sx_draw_text(app, y, x + 1, pv->spec_err ? SX_ROLE_ERROR : SX_ROLE_DIM, buf, w - 1, 0);
        return 0;
    }
    int row = 0;
    sx_sheet_fmt_commas(pv->sample_rows, a, sizeof a);
    sx_sheet_fmt_commas(pv->view_rows, b, sizeof b);
    snprintf(buf, sizeof buf, "preview on %s: fitted on %s of the %s rows the grid shows",
             pv->source, a, b);
    sx_draw_fill(app, y, x, 1, w, SX_ROLE_HEADER);
    sx_draw_text(app, y + row++, x + 1, SX_ROLE_HEADER, buf, w - 1, 0);
    if (row >= h)
        return pv->nshow;
    size_t o = (size_t)snprintf(buf, sizeof buf, "%zu outputs: %zu new, %zu changed",
                                pv->noutputs, pv->nnew, pv->nchanged);
    if (pv->ndropped && o < sizeof buf)
        o += (size_t)snprintf(buf + o, sizeof buf - o, ", %zu dropped (%s)", pv->ndropped,
                              pv->dropped);
    if (o < sizeof buf) {
        sx_sheet_fmt_commas(pv->filtered, a, sizeof a);
        sx_sheet_fmt_commas(pv->sample_rows, b, sizeof b);
        snprintf(buf + o, sizeof buf - o, "; filters drop %s of the %s rows", a, b);
    }
    sx_draw_text(app, y + row++, x + 1, SX_ROLE_DIM, buf, w - 1, 0);
    if (row >= h || pv->nshow == 0) {
        if (row < h)
            sx_draw_text(app, y + row, x + 1, SX_ROLE_DIM, "the spec adds or changes no column",
                         w - 1, 0);
        return pv->nshow;
    }

    /* The first rows: a third of what is left, at least a header and 2. */
    int left_rows = h - row;
    size_t nh = pv->head ? pv->head->nrows : 0;
    int first = left_rows >= 8 ? left_rows / 3 : 0;
    if (first > (int)nh + 1)
        first = (int)nh + 1;
    if (first >= 2) {
        int cx = x + 1;
        for (size_t k = left; k < pv->nshow && cx < x + w; k++) {
            const struct sx_column *c = pv->head->cols[pv->show[k]];
            int cw = sx_text_width(app, c->name);
            if (cw > CELLW)
                cw = CELLW;
            for (size_t r = 0; r < nh && (int)r < first - 1; r++) {
                fmt_cell(c, r, CELLW, buf, sizeof buf);
                int vw = sx_text_width(app, buf);
                if (vw > cw)
                    cw = vw > CELLW ? CELLW : vw;
            }
            int room = x + w - cx;
            int dw = cw < room ? cw : room;
            int num = c->type == SX_FLOAT || c->type == SX_INT;
            sx_draw_text(app, y + row, cx, SX_ROLE_HEADER, c->name, dw, 1);
            for (size_t r = 0; r < nh && (int)r < first - 1; r++) {
                int valid = sx_col_valid(c, r);
                fmt_cell(c, r, CELLW, buf, sizeof buf);
                enum sx_role role = !valid ? SX_ROLE_MISSING : num ? SX_ROLE_NUMBER
                                    : c->type == SX_DATE ? SX_ROLE_DATE : SX_ROLE_TEXT;
                if (num && sx_text_width(app, buf) <= dw)
                    sx_draw_text_right(app, y + row + 1 + (int)r, cx, role, buf, dw);
                else
                    sx_draw_text(app, y + row + 1 + (int)r, cx, role, buf, dw, 0);
            }
            cx += cw + 1;
        }
        row += first;
        if (row >= h)
            return pv->nshow;
    }

    /* The statistics of each new (+) or changed (~) column. */
    int namew = 4;
    for (size_t k = 0; k < pv->nshow; k++) {
        int nw = sx_text_width(app, pv->after->cols[k].name);
        if (nw > namew)
            namew = nw;
    }
    if (namew > 20)
        namew = 20;
    if (namew > w / 3)
        namew = w / 3 > 4 ? w / 3 : 4;
    sx_draw_fill(app, y + row, x, 1, w, SX_ROLE_HEADER);
    {
        int cx = x + 3;
        sx_draw_text(app, y + row, cx, SX_ROLE_HEADER, "column", namew, 0);
        cx += namew + 1;
        if (cx + 7 <= x + w)
            sx_draw_text_right(app, y + row, cx, SX_ROLE_HEADER, "missing", 7);
        cx += 8;
        static const char *const heads[4] = {"mean", "std", "min", "max"};
        for (int s = 0; s < 4 && cx + NUMW <= x + w; s++, cx += NUMW + 1)
            sx_draw_text_right(app, y + row, cx, SX_ROLE_HEADER, heads[s], NUMW);
        if (cx < x + w)
            sx_draw_text(app, y + row, cx, SX_ROLE_HEADER, "histogram", x + w - cx, 0);
    }
    row++;
    for (size_t k = top; k < pv->nshow && row < h; k++)
        draw_stat_row(app, pv, k, y + row++, x + 1, w - 1, namew);
    return pv->nshow;
}

/* ---- the view ---- */

struct pview {
    struct sx_view_ops ops;
    char *title;
    char *spec;
    struct sx_fpreview *pv;
    size_t top, left;
};

static void pview_draw(struct sx_view *v)
{
    struct pview *p = v->priv;
    size_t n = sx_fpreview_draw(v->app, p->pv, v->y, v->x, v->h, v->w, p->top, p->left);
    if (p->top >= n && n)
        p->top = n - 1;
}

static unsigned pview_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    (void)arg;
    struct pview *p = v->priv;
    size_t n = p->pv ? p->pv->nshow : 0;
    switch (cmd) {
    case SX_CMD_MOVE_UP:
        if (p->top > 0)
            p->top--;
        break;
    case SX_CMD_MOVE_DOWN:
        if (p->top + 1 < n)
            p->top++;
        break;
    case SX_CMD_PAGE_UP:
        p->top = p->top > 10 ? p->top - 10 : 0;
        break;
    case SX_CMD_PAGE_DOWN:
        p->top = p->top + 10 < n ? p->top + 10 : (n ? n - 1 : 0);
        break;
    case SX_CMD_MOVE_FIRST:
        p->top = 0;
        break;
    case SX_CMD_MOVE_LAST:
        p->top = n ? n - 1 : 0;
        break;
    case SX_CMD_MOVE_LEFT:
        if (p->left > 0)
            p->left--;
        break;
    case SX_CMD_MOVE_RIGHT:
        if (p->left + 1 < n)
            p->left++;
        break;
    case SX_CMD_MOVE_HOME:
        p->left = 0;
        break;
    case SX_CMD_PREVIEW: {
        /* again, on whatever the Data pane shows now */
        struct sx_fpreview *pv = sx_fpreview_compute(v->app, p->spec);
        if (!pv) {
            sx_status(v->app, 1, "out of memory");
            break;
        }
        sx_fpreview_free(p->pv);
        p->pv = pv;
        sx_status(v->app, 0, "preview made again");
        break;
    }
    default:
        return 0;
    }
    return SX_H_HANDLED | SX_H_REDRAW;
}

static void pview_close(struct sx_view *v)
{
    struct pview *p = v->priv;
    sx_fpreview_free(p->pv);
    free(p->title);
    free(p->spec);
    free(p);
}

static const enum sx_cmd pview_keybar[] = {SX_CMD_PREVIEW, SX_CMD_HELP, SX_CMD_BACK,
                                           SX_CMD_NONE};

struct sx_view *sx_fpreview_view(struct sx_app *app, const char *title, const char *spec_text,
                                 struct sx_err *err)
{
    struct pview *p = calloc(1, sizeof *p);
    if (!p || !(p->title = strdup(title)) || !(p->spec = strdup(spec_text)) ||
        !(p->pv = sx_fpreview_compute(app, spec_text))) {
        if (p) {
            free(p->title);
            free(p->spec);
            free(p);
        }
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    p->ops = (struct sx_view_ops){
        .name = "feature-preview",
        .title = p->title,
        .draw = pview_draw,
        .handle = pview_handle,
        .close = pview_close,
        .keybar = pview_keybar,
    };
    struct sx_view *v = sx_view_new(app, &p->ops, p);
    if (!v) {
        struct sx_view fake = {.priv = p};
        pview_close(&fake);
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}
