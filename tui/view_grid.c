/* tui/view_grid.c: the grid, the rows of an open table (tui/table.h) on
 * screen. Only what is visible is drawn (the rows from `top`, the columns
 * from `left` that fit), so a keystroke costs the same on 10M rows as on
 * 10. A frozen header names each column with a type glyph (# int, % float,
 * @ date, ? bool, ~ text, ≡ category) and its sort direction; the cursor
 * cell and row are highlighted, missing cells are a dim dot; the last line
 * counts rows ("row 12 of 219,120") and shows the filter and sort.
 *
 * Loading: opening reads the first SX_DATA_PREVIEW_ROWS rows at once (one
 * sequential pass, max_rows) and shows them; the whole file loads in a job
 * whose progress the shell draws, Esc or Ctrl-C cancels it (the first rows
 * stay), and when it is done its table replaces the first rows with the
 * cursor where it was. A stored data set is reloaded only after its hash
 * is checked (in the job); if that fails, its rows disappear and the error
 * is shown instead. Sorts of many rows run as jobs too.
 *
 * Keys (the "grid" keymap, see tui/cmd.c): hjkl and arrows, gg/G,
 * PgUp/PgDn, Home/End; [ ] sort by the current column (replacing the
 * keys), g[ g] add it as a key, and the cursor goes to the first row;
 * / searches the current column (substring
 * for text and categories, ignoring case; equality for numbers, bools and
 * dates), n/N repeat; | keeps the rows equal to the current cell, and
 * pressed again while a filter is on, shows every row again (`:filter-value
 * VALUE` filters by VALUE); _ fits the column to the rows on screen; ~ # %
 * @ change the column's type, - hides it, ^ renames it (view only); I F C
 * . push the describe, frequency, columns and chart sheets; Enter shows the
 * cell's whole value on the status line; :import [NAME] stores the open
 * file as a data set (a job; refused without a store or under --read-only).
 *
 * Expressions (core/expr.h), over the columns as the grid names them
 * (display names, hidden columns too): `=` asks for NAME = EXPR (also
 * `:derive NAME = EXPR`) and adds the column right after the cursor's,
 * computed over every row; `g|` asks for a condition (also `:filter EXPR`)
 * and keeps the visible rows where it is true, chained with the filters
 * already on; an empty condition or `|` shows every row again. An
 * expression is parsed and type-checked before anything runs; an error
 * goes to the status line as "LINE:COL: what" and a panel above the row
 * counter shows what was typed with a caret under the column; `=` or `g|`
 * offers the text again to fix, Esc dismisses the panel. Over many rows
 * the evaluation runs as a job. Like the other column changes, a derived
 * column belongs to this view only. */
#include "data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "csv.h"
#include "dates.h"
#include "expr.h"
#include "keytiming.h"
#include "num.h"
#include "sheet.h"
#include "sheets.h"
#include "table.h"

#define WIDTH_SAMPLE  1000      /* rows looked at for a column's width */
#define WIDTH_CAP     24        /* widest column by default */
#define WIDTH_MIN     3
#define SORT_JOB_ROWS 100000    /* sorts of more rows run as a job */
#define EXPR_JOB_ROWS 100000    /* so do expressions over more rows */
#define CELL_BUF      1024

enum job_kind { J_NONE, J_LOAD, J_SORT, J_EXPR };

/* What a load job reads (its own copies) and returns. */
struct load_ctx {
    int is_dataset;
    struct sx_dataset ds;
    char *path;
    struct sx_load_opts lo;
    struct sx_frame *out;
};

/* A sort job: the new order of the visible rows. The table is not changed
 * while it runs (the grid refuses changes while busy). */
struct sort_ctx {
    const struct sx_table *t;
    struct sx_sort_key keys[SX_TABLE_MAX_KEYS];
    size_t nkeys;
    size_t *rows;
    double seconds;
};

/* An expression job: a derived column (NAME) or a filter's mask over the
 * frame's rows, evaluated against the display-name schema. The table is
 * not changed while it runs. */
struct expr_ctx {
    struct sx_table_schema schema;
    struct sx_expr *e;
    char *name;               /* derive: the new column's name; NULL: a filter */
    char *text;               /* the condition or "NAME = EXPR", for messages */
    struct sx_column *out;
    uint8_t *mask;
};

/* Which command an expression error belongs to. */
enum xkind { X_NONE, X_DERIVE, X_FILTER };

struct grid {
    struct sx_view_ops ops;   /* this grid's own: its title is the label */
    struct sx_app *app;
    char *label;
    char *path;               /* the file (a data set's source) */
    int is_dataset;
    struct sx_dataset ds;     /* when is_dataset (a copy) */
    struct sx_load_opts lo;   /* how the file is read */
    struct sx_table *t;       /* NULL before any rows, or after a failed load */
    int partial;              /* 1: first rows, the rest loading; 2: loading cancelled */
    char *error;              /* why there are no rows */
    struct sx_job *job;
    enum job_kind kind;
    struct load_ctx *load;
    struct sort_ctx *sort;
    struct expr_ctx *ex;
    struct sx_data_import *imp;
    size_t top, left;         /* first row (into t->rows) and column (into t->cols) shown */
    int *width;               /* per frame column */
    size_t nwidth;
    char *search;             /* the last search */
    int drawn;                /* rows were drawn once (for keytiming.h) */
    /* The last expression that failed: what was typed, the byte offset
     * of the caret in it, and the message; offered again by = or g|. */
    enum xkind xkind;
    char *xline;
    size_t xcaret;
    char *xmsg;               /* non-NULL: the error panel shows */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- text ---- */

/* The glyphs other than ≡ have ASCII stand-ins in tui/draw.c. */
static const char *type_glyph(enum sx_type t, int utf8)
{
    switch (t) {
    case SX_INT: return "#";
    case SX_FLOAT: return "%";
    case SX_DATE: return "@";
    case SX_BOOL: return "?";
    case SX_TEXT: return "~";
    case SX_CATEGORY: return utf8 ? "≡" : "=";
    }
    return " ";
}

static int right_aligned(enum sx_type t)
{
    return t == SX_INT || t == SX_FLOAT;
}

/* The sort direction of frame column COL ("↑", "↓") or "". */
static const char *sort_mark(const struct sx_table *t, size_t col)
{
    for (size_t k = 0; k < t->nkeys; k++)
        if (t->keys[k].col == col)
            return t->keys[k].descending ? "↓" : "↑";
    return "";
}

/* The header text of frame column COL: glyph, sort mark, name (the mark
 * first, so that a cut name never hides it). */
static void header_text(struct sx_app *app, const struct sx_table *t, size_t col, char *buf,
                        size_t size)
{
    snprintf(buf, size, "%s%s%s", type_glyph(t->frame->cols[col]->type, sx_app_utf8(app)),
             sort_mark(t, col), t->names[col]);
}

/* ---- widths ---- */

/* The width of frame column COL fitted to the header and the visible rows
 * FROM .. FROM+N-1, at most CAP. */
static int fit_width(struct sx_app *app, const struct sx_table *t, size_t col, size_t from,
                     size_t n, int cap)
{
    char buf[CELL_BUF];
    header_text(app, t, col, buf, sizeof buf);
    int w = sx_text_width(app, buf);
    const struct sx_column *c = t->frame->cols[col];
    for (size_t i = from; i < from + n && i < t->nrows && w < cap; i++) {
        size_t r = t->rows[i];
        int cw = 1;
        if (sx_col_valid(c, r)) {
            sx_col_format(c, r, buf, sizeof buf);
            cw = sx_text_width(app, buf);
        }
        if (cw > w)
            w = cw;
    }
    if (w > cap)
        w = cap;
    return w < WIDTH_MIN ? WIDTH_MIN : w;
}

/* Default widths of every column from the first rows. 0, or -1 when out
 * of memory. */
static int compute_widths(struct grid *g)
{
    size_t n = g->t->frame->ncols;
    int *w = realloc(g->width, (n ? n : 1) * sizeof *w);
    if (!w)
        return -1;
    g->width = w;
    g->nwidth = n;
    for (size_t j = 0; j < n; j++)
        w[j] = fit_width(g->app, g->t, j, 0, WIDTH_SAMPLE, WIDTH_CAP);
    return 0;
}

/* ---- layout ---- */

/* Rows the expression error panel takes above the counter. */
static int panel_rows(const struct grid *g, const struct sx_view *v)
{
    return g->xmsg && v->h >= 6 ? 2 : 0;
}

/* Rows of data on screen for the view's height (a header above them, the
 * counter below when there is room, and the error panel when shown). */
static size_t body_rows(const struct grid *g, const struct sx_view *v)
{
    int hdr = v->h >= 2, foot = v->h >= 3;
    int b = v->h - hdr - foot - panel_rows(g, v);
    return b > 0 ? (size_t)b : 0;
}

/* Scroll so the cursor is on screen. */
static void grid_scroll(struct grid *g, const struct sx_view *v)
{
    struct sx_table *t = g->t;
    if (!t)
        return;
    if (t->cur_row >= t->nrows)
        t->cur_row = t->nrows ? t->nrows - 1 : 0;
    if (t->cur_col >= t->ncols)
        t->cur_col = t->ncols ? t->ncols - 1 : 0;
    size_t page = body_rows(g, v);
    if (page == 0)
        page = 1;
    if (g->top > t->cur_row)
        g->top = t->cur_row;
    if (t->cur_row >= g->top + page)
        g->top = t->cur_row - page + 1;
    if (g->top + page > t->nrows)
        g->top = t->nrows > page ? t->nrows - page : 0;
    if (g->left > t->cur_col)
        g->left = t->cur_col;
    /* Move right until the cursor's column ends on screen (or is the
     * first one shown, cut). */
    for (;;) {
        int x = 0;
        for (size_t c = g->left; c < t->cur_col; c++)
            x += g->width[t->cols[c]] + 1;
        if (g->left == t->cur_col || x + g->width[t->cols[t->cur_col]] <= v->w)
            break;
        g->left++;
    }
    /* Move back left while the columns from one further left to the last
     * one all fit (after End on a screen that grew, for example). */
    while (g->left > 0) {
        int x = 0;
        for (size_t c = g->left - 1; c < t->ncols && x <= v->w; c++)
            x += g->width[t->cols[c]] + (c > g->left - 1);
        if (x > v->w)
            break;
        g->left--;
    }
}

/* ---- drawing ---- */

static enum sx_role cell_role(const struct sx_column *c, int valid)
{
    if (!valid)
        return SX_ROLE_MISSING;
    switch (c->type) {
    case SX_INT:
    case SX_FLOAT:
    case SX_BOOL: return SX_ROLE_NUMBER;
    case SX_DATE: return SX_ROLE_DATE;
    default: return SX_ROLE_TEXT;
    }
}

static void draw_footer(struct grid *g, struct sx_view *v, int y)
{
    const struct sx_table *t = g->t;
    char a[32], b[32], out[1024];
    size_t o = 0;
    sx_sheet_fmt_commas(t->nrows ? t->cur_row + 1 : 0, a, sizeof a);
    sx_sheet_fmt_commas(t->nrows, b, sizeof b);
    o += (size_t)snprintf(out + o, sizeof out - o, "row %s of %s%s", a, b,
                          g->partial == 1 ? "+ (loading…)" : "");
    if (g->partial == 2)
        o += (size_t)snprintf(out + o, sizeof out - o, " (first rows only: loading cancelled)");
    if (t->filter && o < sizeof out) {
        sx_sheet_fmt_commas(t->frame->nrows, a, sizeof a);
        o += (size_t)snprintf(out + o, sizeof out - o, "  filter %s (of %s; | shows all)",
                              t->filter, a);
    }
    for (size_t k = 0; k < t->nkeys && o < sizeof out; k++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s%s", k ? ", " : "  sorted ",
                              t->names[t->keys[k].col],
                              t->keys[k].descending ? "↓" : "↑");
    size_t fc = sx_table_cur_frame_col(t);
    if (fc != (size_t)-1 && o < sizeof out)
        snprintf(out + o, sizeof out - o, "  %s %s", t->names[fc],
                 sx_type_name(t->frame->cols[fc]->type));
    sx_draw_text(v->app, y, v->x, SX_ROLE_DIM, out, v->w, 1);
}

/* The expression error panel at rows Y, Y+1: what was typed after its
 * command's name, and a caret under the offending column with the
 * message; scrolled sideways so the caret shows. */
static void draw_panel(struct grid *g, struct sx_view *v, int y)
{
    const char *label = g->xkind == X_FILTER ? "filter: " : "derive: ";
    char *before = strndup(g->xline, g->xcaret);
    int lw = sx_text_width(v->app, label);
    int cx = lw + (before ? sx_text_width(v->app, before) : 0);
    free(before);
    /* logical column SHIFT is drawn at the panel's left edge */
    int shift = cx > v->w - 12 ? cx - v->w / 2 : 0;
    sx_draw_fill(v->app, y, v->x, 2, v->w, SX_ROLE_DEFAULT);
    int x = v->x, skip = shift;
    if (shift > 0) {
        /* scrolled to show the caret: say that text is off to the left */
        sx_draw_text(v->app, y, x++, SX_ROLE_DIM, sx_glyph(v->app, "\u2026", "~"), 1, 0);
        skip++;
    }
    if (skip < lw) {
        x += sx_draw_text(v->app, y, x, SX_ROLE_DIM, label + skip, v->x + v->w - x, 0);
        sx_draw_text(v->app, y, x, SX_ROLE_DEFAULT, g->xline, v->x + v->w - x, 0);
    } else {
        sx_draw_text(v->app, y, x, SX_ROLE_DEFAULT, sx_text_skip(v->app, g->xline, skip - lw, NULL),
                     v->x + v->w - x, 0);
    }
    int caret = cx - shift;
    if (caret >= v->w)
        caret = v->w - 1;
    char msg[600];
    snprintf(msg, sizeof msg, "^ %s", g->xmsg);
    sx_draw_text(v->app, y + 1, v->x + caret, SX_ROLE_ERROR, msg, v->w - caret, 0);
}

static void grid_draw(struct sx_view *v)
{
    struct grid *g = v->priv;
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h <= 0 || v->w <= 0)
        return;
    if (!g->t) {
        if (g->error) {
            sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_ERROR, g->error, v->w - 1, 0);
            if (v->h > 1)
                sx_draw_text(v->app, v->y + 1, v->x + 1, SX_ROLE_DIM, "q goes back", v->w - 1, 0);
        } else {
            sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_DIM, "loading…", v->w - 1, 0);
        }
        return;
    }
    struct sx_table *t = g->t;
    if (!g->drawn) {
        g->drawn = 1;
        sx_keytiming_after_draw(v->app, "rows");
    }
    grid_scroll(g, v);
    int hdr = v->h >= 2, foot = v->h >= 3;
    size_t page = body_rows(g, v);
    int right_edge = v->x + v->w;
    char buf[CELL_BUF];
    const char *missing = "·";

    /* The header. */
    if (hdr) {
        sx_draw_fill(v->app, v->y, v->x, 1, v->w, SX_ROLE_HEADER);
        int x = v->x;
        for (size_t c = g->left; c < t->ncols && x < right_edge; c++) {
            size_t fc = t->cols[c];
            int w = g->width[fc];
            if (w > right_edge - x)
                w = right_edge - x;
            header_text(v->app, t, fc, buf, sizeof buf);
            if (right_aligned(t->frame->cols[fc]->type) && sx_text_width(v->app, buf) <= w)
                sx_draw_text_right(v->app, v->y, x, SX_ROLE_HEADER, buf, w);
            else
                sx_draw_text(v->app, v->y, x, SX_ROLE_HEADER, buf, w, 1);
            x += g->width[fc] + 1;
        }
    }

    /* The rows on screen. */
    int y0 = v->y + hdr;
    if (t->nrows == 0 && page > 0)
        sx_draw_text(v->app, y0, v->x + 1, SX_ROLE_DIM,
                     t->filter ? "no rows match the filter (| shows all)" : "no rows", v->w - 1,
                     0);
    for (size_t i = 0; i < page && g->top + i < t->nrows; i++) {
        size_t r = g->top + i;
        size_t fr = t->rows[r];
        int y = y0 + (int)i;
        int on_row = r == t->cur_row;
        if (on_row)
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_CURSOR_ROW);
        int x = v->x;
        for (size_t c = g->left; c < t->ncols && x < right_edge; c++) {
            size_t fc = t->cols[c];
            const struct sx_column *col = t->frame->cols[fc];
            int w = g->width[fc];
            if (w > right_edge - x)
                w = right_edge - x;
            int valid = sx_col_valid(col, fr);
            const char *s = missing;
            if (valid) {
                sx_col_format(col, fr, buf, sizeof buf);
                s = buf;
            }
            enum sx_role role = on_row ? (c == t->cur_col ? SX_ROLE_CURSOR : SX_ROLE_CURSOR_ROW)
                                       : cell_role(col, valid);
            if (on_row && c == t->cur_col)
                sx_draw_fill(v->app, y, x, 1, w, role);
            if (right_aligned(col->type) && sx_text_width(v->app, s) <= w)
                sx_draw_text_right(v->app, y, x, role, s, w);
            else
                sx_draw_text(v->app, y, x, role, s, w, 1);
            x += g->width[fc] + 1;
        }
    }
    if (panel_rows(g, v))
        draw_panel(g, v, v->y + v->h - 1 - panel_rows(g, v));
    if (foot)
        draw_footer(g, v, v->y + v->h - 1);
}

/* ---- jobs ---- */

static enum sx_status load_job(void *ctx, struct sx_job *job, struct sx_err *err)
{
    struct load_ctx *c = ctx;
    if (c->is_dataset) {
        struct sx_dataset_load_opts o = {.progress = sx_data_job_progress, .progress_ctx = job};
        c->out = sx_dataset_load(&c->ds, &o, err);
    } else {
        struct sx_csv_opts co;
        sx_csv_opts_init(&co);
        sx_load_opts_apply(&c->lo, &co);
        co.progress = sx_data_job_progress;
        co.progress_ctx = job;
        c->out = sx_csv_load(c->path, &co, NULL, err);
    }
    return c->out ? SX_OK : err->code;
}

static enum sx_status sort_job(void *ctx, struct sx_job *job, struct sx_err *err)
{
    struct sort_ctx *c = ctx;
    double t0 = now();
    c->rows = sx_table_order(c->t, c->keys, c->nkeys, err);
    c->seconds = now() - t0;
    if (!c->rows)
        return err->code;
    if (sx_job_cancelled(job)) {
        free(c->rows);
        c->rows = NULL;
        return sx_err_set(err, SX_ECANCEL, "sort cancelled");
    }
    return SX_OK;
}

static void load_ctx_free(struct load_ctx *c)
{
    if (!c)
        return;
    sx_dataset_clear(&c->ds);
    free(c->path);
    sx_load_opts_free(&c->lo);
    sx_frame_free(c->out);
    free(c);
}

static void expr_ctx_free(struct expr_ctx *c)
{
    if (!c)
        return;
    sx_table_schema_free(&c->schema);
    sx_expr_free(c->e);
    free(c->name);
    free(c->text);
    sx_col_free(c->out);
    free(c->mask);
    free(c);
}

static enum sx_status expr_job(void *ctx, struct sx_job *job, struct sx_err *err)
{
    struct expr_ctx *c = ctx;
    const struct sx_frame *f = &c->schema.frame;
    sx_job_progress(job, 0, f->nrows, 0);
    if (c->name) {
        if (!(c->out = sx_expr_eval(c->e, f, c->name, err)))
            return err->code;
    } else {
        if (!(c->mask = malloc(f->nrows ? f->nrows : 1)))
            return sx_err_set(err, SX_ENOMEM, "out of memory filtering %zu rows", f->nrows);
        enum sx_status rc = sx_expr_eval_mask(c->e, f, c->mask, err);
        if (rc != SX_OK)
            return rc;
    }
    sx_job_progress(job, f->nrows, f->nrows, f->nrows);
    if (sx_job_cancelled(job))
        return sx_err_set(err, SX_ECANCEL, "%s cancelled", c->name ? "derive" : "filter");
    return SX_OK;
}

static void sort_ctx_free(struct sort_ctx *c)
{
    if (!c)
        return;
    free(c->rows);
    free(c);
}

/* Stop and forget the job (cancelling it if it runs). */
static void job_drop(struct grid *g)
{
    sx_job_free(g->job);
    g->job = NULL;
    g->kind = J_NONE;
    load_ctx_free(g->load);
    g->load = NULL;
    sort_ctx_free(g->sort);
    g->sort = NULL;
    expr_ctx_free(g->ex);
    g->ex = NULL;
}

int sx_data_dataset_copy(struct sx_dataset *d, const struct sx_dataset *s)
{
    *d = *s;
    d->name = d->source_path = d->schema_json = d->profile_json = d->options_json = NULL;
    d->author = d->created_at = NULL;
#define DUP(f)                                   \
    if (s->f && !(d->f = strdup(s->f))) {        \
        sx_dataset_clear(d);                     \
        return -1;                               \
    }
    DUP(name) DUP(source_path) DUP(schema_json) DUP(profile_json) DUP(options_json)
    DUP(author) DUP(created_at)
#undef DUP
    return 0;
}

/* Start loading the whole file. */
static void start_load(struct grid *g)
{
    struct load_ctx *c = calloc(1, sizeof *c);
    struct sx_err err = {0};
    if (!c || !(c->path = strdup(g->path)) ||
        (g->is_dataset && sx_data_dataset_copy(&c->ds, &g->ds) != 0) ||
        sx_load_opts_copy(&c->lo, &g->lo, &err) != SX_OK) {
        load_ctx_free(c);
        sx_status(g->app, 1, "out of memory");
        return;
    }
    c->is_dataset = g->is_dataset;
    char label[300];
    snprintf(label, sizeof label, "loading %s", g->label);
    if (!(g->job = sx_job_start(g->app, label, load_job, c))) {
        load_ctx_free(c);
        sx_status(g->app, 1, "could not start loading %s", g->label);
        return;
    }
    g->kind = J_LOAD;
    g->load = c;
    g->partial = 1;
}

/* The load job finished with RC. */
static void load_done(struct grid *g, enum sx_status rc, const struct sx_err *err)
{
    struct load_ctx *c = g->load;
    if (rc == SX_OK) {
        struct sx_err e = {0};
        struct sx_table *t = sx_table_new(g->label, g->path, c->out, &e);
        if (!t) {
            sx_status(g->app, 1, "%s", e.msg);
            g->partial = 2;
            return;
        }
        c->out = NULL;
        if (g->t) {
            t->cur_row = g->t->cur_row;
            t->cur_col = g->t->cur_col;
        }
        sx_table_free(g->t);
        g->t = t;
        g->partial = 0;
        sx_keytiming_mark(g->app, "loaded");
        if (compute_widths(g) != 0) {
            sx_table_free(g->t);
            g->t = NULL;
            free(g->error);
            g->error = strdup("out of memory");
        }
        return;
    }
    if (rc == SX_ECANCEL) {
        g->partial = 2;
        sx_status(g->app, 0, "loading cancelled: the first %zu rows stay",
                  g->t ? g->t->frame->nrows : 0);
        return;
    }
    /* The first rows are no good either (a changed or broken file). */
    sx_table_free(g->t);
    g->t = NULL;
    free(g->error);
    g->error = strdup(err->msg);
    g->partial = 0;
    sx_status(g->app, 1, "%s", err->msg);
}

/* A sort was installed: the key columns grow to show their marks, and
 * the cursor goes to the first row so the sorted order shows. */
static void sorted(struct grid *g)
{
    struct sx_table *t = g->t;
    char buf[CELL_BUF];
    for (size_t k = 0; k < t->nkeys; k++) {
        size_t fc = t->keys[k].col;
        header_text(g->app, t, fc, buf, sizeof buf);
        int w = sx_text_width(g->app, buf);
        if (w > g->width[fc])
            g->width[fc] = w < WIDTH_CAP ? w : WIDTH_CAP;
    }
    t->cur_row = 0;
    g->top = 0;
}

static void expr_done(struct grid *g, struct expr_ctx *c);

static unsigned grid_tick(struct sx_view *v)
{
    struct grid *g = v->priv;
    unsigned fl = 0;
    if (g->imp && sx_data_import_poll(g->imp)) {
        g->imp = NULL;
        fl |= SX_H_REDRAW;
    }
    enum sx_status rc;
    struct sx_err err = {0};
    if (!g->job || !sx_job_done(g->job, &rc, &err))
        return fl;
    sx_job_free(g->job);
    g->job = NULL;
    if (g->kind == J_LOAD) {
        load_done(g, rc, &err);
    } else if (g->kind == J_SORT) {
        struct sort_ctx *c = g->sort;
        if (rc == SX_OK) {
            sx_table_apply_order(g->t, c->keys, c->nkeys, c->rows);
            c->rows = NULL;
            sorted(g);
            sx_status(g->app, 0, "sorted %zu rows in %.2f s", g->t->nrows, c->seconds);
        } else {
            sx_status(g->app, rc != SX_ECANCEL, "%s", err.msg);
        }
    } else if (g->kind == J_EXPR) {
        if (rc == SX_OK)
            expr_done(g, g->ex);
        else
            sx_status(g->app, rc != SX_ECANCEL, "%s", err.msg);
    }
    job_drop(g);
    return fl | SX_H_REDRAW;
}

/* ---- commands ---- */

/* Refuse (with a status) commands that need the whole table, unchanged
 * by a job; 1 when refused. */
static int busy(struct grid *g)
{
    if (!g->t) {
        sx_status(g->app, 1, g->error ? "nothing loaded (q goes back)" : "still loading…");
        return 1;
    }
    if (g->job) {
        sx_status(g->app, 1, "%s (Esc or Ctrl-C cancels)",
                  g->kind == J_LOAD ? "still loading…"
                  : g->kind == J_SORT ? "busy sorting…" : "busy evaluating…");
        return 1;
    }
    return 0;
}

static unsigned do_sort(struct grid *g, int desc, int add)
{
    struct sx_table *t = g->t;
    size_t fc = sx_table_cur_frame_col(t);
    struct sx_err err = {0};
    struct sort_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        sx_status(g->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    c->t = t;
    if (sx_table_sort_keys(t, fc, desc, add, c->keys, &c->nkeys, &err) != SX_OK) {
        sx_status(g->app, 1, "%s", err.msg);
        free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    if (t->nrows < SORT_JOB_ROWS) {
        size_t *rows = sx_table_order(t, c->keys, c->nkeys, &err);
        if (!rows)
            sx_status(g->app, 1, "%s", err.msg);
        else {
            sx_table_apply_order(t, c->keys, c->nkeys, rows);
            sorted(g);
        }
        free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char label[300];
    snprintf(label, sizeof label, "sorting %zu rows by %s", t->nrows, t->names[fc]);
    if (!(g->job = sx_job_start(g->app, label, sort_job, c))) {
        sx_status(g->app, 1, "could not start sorting");
        free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    g->kind = J_SORT;
    g->sort = c;
    sx_status(g->app, 0, "sorting %zu rows… (Esc cancels)", t->nrows);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* How a search matches cells of one column. */
struct query {
    const char *text;         /* substring, for text and categories */
    unsigned char *codes;     /* category codes whose text matches */
    double num;               /* numbers and bools */
    int64_t lo, hi;           /* dates: the range of values that match */
};

/* Prepare Q for column C; 0, or -1 with a status message. */
static int query_init(struct grid *g, const struct sx_column *c, const char *text,
                      struct query *q)
{
    size_t len = strlen(text);
    memset(q, 0, sizeof *q);
    q->text = text;
    switch (c->type) {
    case SX_FLOAT:
    case SX_INT:
        if (!sx_num_parse_double(text, len, &q->num)) {
            sx_status(g->app, 1, "search: %s is %s; '%s' is not a number", c->name,
                      sx_type_name(c->type), text);
            return -1;
        }
        return 0;
    case SX_BOOL:
        if (!strcasecmp(text, "true") || !strcmp(text, "1"))
            q->num = 1;
        else if (!strcasecmp(text, "false") || !strcmp(text, "0"))
            q->num = 0;
        else {
            sx_status(g->app, 1, "search: %s is bool; search for true or false", c->name);
            return -1;
        }
        return 0;
    case SX_DATE: {
        int64_t d;
        if (sx_date_parse(text, len, &d)) {
            /* A day matches the whole day of a timestamp column. */
            q->lo = c->unit == SX_SECONDS ? d * 86400 : d;
            q->hi = c->unit == SX_SECONDS ? d * 86400 + 86399 : d;
            return 0;
        }
        if (c->unit == SX_SECONDS && sx_datetime_parse(text, len, &d)) {
            q->lo = q->hi = d;
            return 0;
        }
        sx_status(g->app, 1, "search: %s is a date; search for YYYY-MM-DD", c->name);
        return -1;
    }
    case SX_CATEGORY:
        q->codes = calloc(c->dict->n ? c->dict->n : 1, 1);
        if (!q->codes) {
            sx_status(g->app, 1, "out of memory");
            return -1;
        }
        for (uint32_t k = 0; k < c->dict->n; k++)
            q->codes[k] = strcasestr(c->dict->str[k], text) != NULL;
        return 0;
    case SX_TEXT:
        return 0;
    }
    return 0;
}

static int query_match(const struct sx_column *c, size_t r, const struct query *q)
{
    if (!sx_col_valid(c, r))
        return 0;
    switch (c->type) {
    case SX_FLOAT: return c->v.f64[r] == q->num;
    case SX_INT: return (double)c->v.i64[r] == q->num;
    case SX_BOOL: return c->v.b[r] == (uint8_t)q->num;
    case SX_DATE: return c->v.i64[r] >= q->lo && c->v.i64[r] <= q->hi;
    case SX_CATEGORY: return q->codes[c->v.cat[r]];
    case SX_TEXT: return strcasestr(c->text + c->v.off[r], q->text) != NULL;
    }
    return 0;
}

/* Move to the next (DIR 1) or previous (-1) row whose current cell
 * matches the last search, wrapping around. */
static unsigned find(struct grid *g, int dir)
{
    struct sx_table *t = g->t;
    if (!g->search) {
        sx_status(g->app, 1, "no search yet (/ searches the current column)");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    size_t fc = sx_table_cur_frame_col(t);
    const struct sx_column *c = t->frame->cols[fc];
    struct query q;
    if (t->nrows == 0 || query_init(g, c, g->search, &q) != 0) {
        if (t->nrows == 0)
            sx_status(g->app, 1, "no rows to search");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    size_t n = t->nrows, found = (size_t)-1;
    for (size_t k = 1; k <= n; k++) {
        size_t i = dir > 0 ? (t->cur_row + k) % n : (t->cur_row + n - k % n) % n;
        if (query_match(c, t->rows[i], &q)) {
            found = i;
            break;
        }
    }
    free(q.codes);
    if (found == (size_t)-1) {
        sx_status(g->app, 1, "'%s' not found in %s", g->search, t->names[fc]);
    } else {
        int wrapped = dir > 0 ? found <= t->cur_row : found >= t->cur_row;
        t->cur_row = found;
        char a[32];
        sx_sheet_fmt_commas(found + 1, a, sizeof a);
        sx_status(g->app, 0, "'%s' in %s: row %s%s", g->search, t->names[fc], a,
                  wrapped ? " (search wrapped)" : "");
    }
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned do_filter(struct grid *g, const char *arg)
{
    struct sx_table *t = g->t;
    struct sx_err err = {0};
    size_t fc = sx_table_cur_frame_col(t);
    if (!arg && t->filter) {
        if (sx_table_clear_filter(t, &err) != SX_OK)
            sx_status(g->app, 1, "%s", err.msg);
        else
            sx_status(g->app, 0, "filter cleared: every row shows");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char buf[CELL_BUF];
    const char *value = arg;
    if (!value && t->nrows) {
        const struct sx_column *c = t->frame->cols[fc];
        size_t r = t->rows[t->cur_row];
        if (sx_col_valid(c, r)) {
            sx_col_format(c, r, buf, sizeof buf);
            value = buf;
        }
    } else if (!value) {
        sx_status(g->app, 1, "no rows to filter");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    if (sx_table_filter_equal(t, fc, value, &err) != SX_OK) {
        sx_status(g->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char a[32];
    sx_sheet_fmt_commas(t->nrows, a, sizeof a);
    sx_status(g->app, 0, "%s rows where %s (| again shows all)", a, t->filter);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned do_type(struct grid *g, enum sx_type to)
{
    struct sx_table *t = g->t;
    size_t fc = sx_table_cur_frame_col(t);
    enum sx_type from = t->frame->cols[fc]->type;
    size_t lost = 0;
    struct sx_err err = {0};
    if (sx_table_set_type(t, fc, to, &lost, &err) != SX_OK) {
        sx_status(g->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    g->width[fc] = fit_width(g->app, t, fc, 0, WIDTH_SAMPLE, WIDTH_CAP);
    if (lost)
        sx_status(g->app, 1, "%s: %s → %s; %zu cells did not convert and are missing",
                  t->names[fc], sx_type_name(from), sx_type_name(to), lost);
    else
        sx_status(g->app, 0, "%s: %s → %s (this view only)", t->names[fc], sx_type_name(from),
                  sx_type_name(to));
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned do_rename(struct grid *g, const char *arg)
{
    struct sx_table *t = g->t;
    size_t fc = sx_table_cur_frame_col(t);
    char *asked = NULL;
    if (!arg || !*arg) {
        if (!(asked = sx_app_ask(g->app, "rename column to: ", t->names[fc])))
            return SX_H_HANDLED | SX_H_REDRAW;
        arg = asked;
    }
    struct sx_err err = {0};
    if (sx_table_rename(t, fc, arg, &err) != SX_OK)
        sx_status(g->app, 1, "rename: %s", err.msg);
    else
        g->width[fc] = fit_width(g->app, t, fc, 0, WIDTH_SAMPLE, WIDTH_CAP);
    free(asked);
    return SX_H_HANDLED | SX_H_REDRAW;
}


/* ---- expressions: = and :filter ---- */

static void panel_clear(struct grid *g)
{
    free(g->xmsg);
    g->xmsg = NULL;
}

/* Show an expression error: LINE as typed, the caret at byte CARET of it,
 * MSG without a position; the status line repeats it as "1:COL: MSG". */
static void panel_set(struct grid *g, enum xkind kind, const char *line, size_t caret,
                      const char *msg)
{
    char *l = strdup(line), *m = strdup(msg);
    if (!l || !m) {
        free(l);
        free(m);
        sx_status(g->app, 1, "out of memory");
        return;
    }
    free(g->xline);
    free(g->xmsg);
    g->xline = l;
    g->xmsg = m;
    g->xkind = kind;
    g->xcaret = caret <= strlen(line) ? caret : strlen(line);
    /* columns count bytes, as core/expr.h's do */
    size_t col = g->xcaret + 1;
    sx_status(g->app, 1, "%s: 1:%zu: %s (%s fixes it, Esc dismisses)",
              kind == X_FILTER ? "filter" : "derive", col, msg, kind == X_FILTER ? "g|" : "=");
}

/* Report an expression error ERR (from sx_expr_parse/check of the text at
 * byte EXPR_OFF of LINE, at 1-based column COL of that text, 0 if none). */
static void expr_error(struct grid *g, enum xkind kind, const char *line, size_t expr_off,
                       int col, const struct sx_err *err)
{
    /* the message without its "LINE:COL: " prefix: the panel places it */
    const char *msg = err->msg;
    const char *p = msg;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p > msg && *p == ':') {
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q > p + 1 && q[0] == ':' && q[1] == ' ')
            msg = q + 2;
    }
    /* COL counts bytes; the caret goes to the start of that character */
    size_t caret = expr_off + (col > 1 ? (size_t)col - 1 : 0);
    size_t len = strlen(line);
    if (caret > len)
        caret = len;
    while (caret > 0 && ((unsigned char)line[caret] & 0xC0) == 0x80)
        caret--;
    panel_set(g, kind, line, caret, msg);
}

/* Split "NAME = EXPR" (NAME bare, or "quoted" with "" for a quote): *NAME
 * new, *EXPR_OFF the byte where EXPR starts. 0, or -1 after reporting. */
static int split_derive(struct grid *g, const char *line, char **name, size_t *expr_off)
{
    const char *p = line;
    *name = NULL;
    while (*p == ' ' || *p == '\t')
        p++;
    char *buf = malloc(strlen(line) + 1);
    if (!buf) {
        sx_status(g->app, 1, "out of memory");
        return -1;
    }
    size_t n = 0;
    if (*p == '"') {
        const char *start = p++;
        for (;;) {
            if (!*p) {
                free(buf);
                panel_set(g, X_DERIVE, line, (size_t)(start - line), "unterminated quoted name");
                return -1;
            }
            if (*p == '"' && p[1] == '"') {
                buf[n++] = '"';
                p += 2;
            } else if (*p == '"') {
                p++;
                break;
            } else {
                buf[n++] = *p++;
            }
        }
    } else {
        while (*p && *p != ' ' && *p != '\t' && *p != '=')
            buf[n++] = *p++;
    }
    buf[n] = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    if (!n || *p != '=' || p[1] == '=') {
        free(buf);
        panel_set(g, X_DERIVE, line, n ? (size_t)(p - line) : (size_t)(p - line),
                  n ? "expected '=' after the column's name (NAME = EXPR)"
                    : "expected the new column's name (NAME = EXPR)");
        return -1;
    }
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) {
        free(buf);
        panel_set(g, X_DERIVE, line, (size_t)(p - line), "expected an expression after '='");
        return -1;
    }
    *name = buf;
    *expr_off = (size_t)(p - line);
    return 0;
}

/* A derived column or a filter's mask is ready: install it. */
static void expr_done(struct grid *g, struct expr_ctx *c)
{
    struct sx_table *t = g->t;
    struct sx_err err = {0};
    char a[32], b[32];
    if (c->name) {
        struct sx_column *col = c->out;
        size_t missing = 0;
        for (size_t i = 0; i < col->len; i++)
            missing += !sx_col_valid(col, i);
        /* room for its width first: once added, the grid draws it */
        int *w = realloc(g->width, (t->frame->ncols + 1) * sizeof *w);
        if (!w) {
            sx_status(g->app, 1, "out of memory");
            return;
        }
        g->width = w;
        if (sx_table_add_column(t, col, &err) != SX_OK) {
            sx_status(g->app, 1, "derive: %s", err.msg);
            return;
        }
        c->out = NULL;
        size_t fc = t->frame->ncols - 1;
        g->nwidth = t->frame->ncols;
        w[fc] = fit_width(g->app, t, fc, 0, WIDTH_SAMPLE, WIDTH_CAP);
        sx_sheet_fmt_commas(t->frame->nrows, a, sizeof a);
        sx_sheet_fmt_commas(missing, b, sizeof b);
        sx_status(g->app, 0, "added %s: %s, %s of %s rows missing (this view only)",
                  t->names[fc], sx_type_name(t->frame->cols[fc]->type), b, a);
        return;
    }
    if (sx_table_filter_mask(t, c->mask, c->text, &err) != SX_OK) {
        sx_status(g->app, 1, "filter: %s", err.msg);
        return;
    }
    sx_sheet_fmt_commas(t->nrows, a, sizeof a);
    sx_status(g->app, 0, "%s rows where %s (| shows all)", a, t->filter);
}

/* Parse and check EXPR (at byte OFF of LINE) against the table's display
 * names; start C (taken) on a job over many rows, else finish it now. */
static unsigned expr_run(struct grid *g, enum xkind kind, const char *line, size_t off,
                         struct expr_ctx *c)
{
    struct sx_err err = {0};
    int col = 0;
    if (sx_table_schema(g->t, &c->schema, &err) != SX_OK) {
        sx_status(g->app, 1, "%s", err.msg);
        expr_ctx_free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    if (!(c->e = sx_expr_parse(line + off, &err, &col)) ||
        sx_expr_check(c->e, &c->schema.frame, &err, &col) != SX_OK) {
        expr_error(g, kind, line, off, col, &err);
        expr_ctx_free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    if (kind == X_FILTER && sx_expr_type(c->e, NULL) != SX_BOOL) {
        char msg[200];
        snprintf(msg, sizeof msg, "a filter wants a condition (true or false), not a %s",
                 sx_type_name(sx_expr_type(c->e, NULL)));
        panel_set(g, kind, line, off, msg);
        expr_ctx_free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    panel_clear(g);
    if (g->t->frame->nrows < EXPR_JOB_ROWS) {
        struct sx_frame *f = &c->schema.frame;
        if (c->name) {
            c->out = sx_expr_eval(c->e, f, c->name, &err);
        } else if ((c->mask = malloc(f->nrows ? f->nrows : 1)) &&
                   sx_expr_eval_mask(c->e, f, c->mask, &err) != SX_OK) {
            free(c->mask);
            c->mask = NULL;
        } else if (!c->mask) {
            sx_err_set(&err, SX_ENOMEM, "out of memory");
        }
        if (c->out || c->mask)
            expr_done(g, c);
        else
            sx_status(g->app, 1, "%s: %s", c->name ? "derive" : "filter", err.msg);
        expr_ctx_free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char label[300];
    snprintf(label, sizeof label, "%s %.200s", c->name ? "deriving" : "filtering by", c->text);
    if (!(g->job = sx_job_start(g->app, label, expr_job, c))) {
        sx_status(g->app, 1, "could not start evaluating");
        expr_ctx_free(c);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    g->kind = J_EXPR;
    g->ex = c;
    sx_status(g->app, 0, "%s… (Esc cancels)", label);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* `=` and :derive NAME = EXPR. */
static unsigned do_derive(struct grid *g, const char *arg)
{
    char *asked = NULL;
    if (!arg || !*arg) {
        /* while its error shows, the failed text is offered again */
        asked = sx_app_ask(g->app, "derive NAME = EXPR: ",
                           g->xmsg && g->xkind == X_DERIVE ? g->xline : "");
        if (!asked || !*asked) {
            free(asked);
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        arg = asked;
    }
    unsigned fl = SX_H_HANDLED | SX_H_REDRAW;
    char *name = NULL;
    size_t off = 0;
    struct expr_ctx *c = NULL;
    if (split_derive(g, arg, &name, &off) != 0)
        goto out;
    struct sx_table *t = g->t;
    for (size_t j = 0; j < t->frame->ncols; j++)
        if (strcmp(t->names[j], name) == 0 || strcmp(t->frame->cols[j]->name, name) == 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "there is already a column named %.200s", name);
            panel_set(g, X_DERIVE, arg, strspn(arg, " \t"), msg);
            goto out;
        }
    if (!(c = calloc(1, sizeof *c)) || !(c->text = strdup(arg))) {
        free(c);
        sx_status(g->app, 1, "out of memory");
        goto out;
    }
    c->name = name;
    name = NULL;
    fl = expr_run(g, X_DERIVE, arg, off, c);
out:
    free(name);
    free(asked);
    return fl;
}

/* :filter EXPR and g|; an empty condition shows every row again. */
static unsigned do_filter_expr(struct grid *g, const char *arg)
{
    struct sx_table *t = g->t;
    char *asked = NULL;
    if (!arg) {
        /* offer the failed condition again, else the current column */
        char init[400] = "";
        if (g->xmsg && g->xkind == X_FILTER) {
            snprintf(init, sizeof init, "%s", g->xline);
        } else {
            size_t fc = sx_table_cur_frame_col(t);
            const char *n = fc != (size_t)-1 ? t->names[fc] : "";
            int plain = (*n < '0' || *n > '9') && *n;
            for (const char *p = n; *p && plain; p++)
                plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || *p == '_';
            if (plain) {
                snprintf(init, sizeof init, "%.200s ", n);
            } else if (*n) {
                size_t o = 0;
                init[o++] = '"';
                for (const char *p = n; *p && o < sizeof init - 4; p++) {
                    if (*p == '"')
                        init[o++] = '"';
                    init[o++] = *p;
                }
                init[o++] = '"';
                init[o++] = ' ';
                init[o] = '\0';
            }
        }
        if (!(asked = sx_app_ask(g->app, "filter rows where: ", init)))
            return SX_H_HANDLED | SX_H_REDRAW;
        arg = asked;
    }
    size_t off = strspn(arg, " \t");
    unsigned fl = SX_H_HANDLED | SX_H_REDRAW;
    if (!arg[off]) {
        panel_clear(g);
        struct sx_err err = {0};
        if (!t->filter)
            sx_status(g->app, 0, "no filter on: every row shows");
        else if (sx_table_clear_filter(t, &err) != SX_OK)
            sx_status(g->app, 1, "%s", err.msg);
        else
            sx_status(g->app, 0, "filter cleared: every row shows");
        free(asked);
        return fl;
    }
    struct expr_ctx *c = calloc(1, sizeof *c);
    if (!c || !(c->text = strdup(arg + off))) {
        free(c);
        sx_status(g->app, 1, "out of memory");
    } else {
        /* trailing blanks are not part of the condition's text */
        size_t n = strlen(c->text);
        while (n && (c->text[n - 1] == ' ' || c->text[n - 1] == '\t'))
            c->text[--n] = '\0';
        fl = expr_run(g, X_FILTER, arg, off, c);
    }
    free(asked);
    return fl;
}

/* Push sheet V (or report ERR). */
static unsigned push(struct grid *g, struct sx_view *v, const struct sx_err *err)
{
    if (!v) {
        sx_status(g->app, 1, "%s", err->msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(g->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

static unsigned grid_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct grid *g = v->priv;
    struct sx_table *t = g->t;
    struct sx_err err = {0};
    /* The error panel stays until the next command; Esc dismisses it. */
    if (g->xmsg && cmd != SX_CMD_DERIVE && cmd != SX_CMD_FILTER_EXPR) {
        panel_clear(g);
        if (cmd == SX_CMD_BACK && !g->job)
            return SX_H_HANDLED | SX_H_REDRAW;
    }
    size_t page = body_rows(g, v);
    if (page == 0)
        page = 1;

    /* Commands that do not need rows. */
    switch (cmd) {
    case SX_CMD_OPEN:
        return sx_data_open(g->app, arg);
    case SX_CMD_CANCEL:
    case SX_CMD_BACK:
        if (g->job) {
            sx_job_cancel(g->job);
            sx_status(g->app, 0, "cancelling…");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        if (g->imp && cmd == SX_CMD_CANCEL) {
            sx_data_import_cancel(g->imp);
            sx_status(g->app, 0, "cancelling the import…");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        return 0;
    case SX_CMD_IMPORT:
        if (g->is_dataset) {
            sx_status(g->app, 0, "already in the store as %s@%d", g->ds.name, g->ds.version);
        } else if (g->imp) {
            sx_status(g->app, 1, "an import is already running (Ctrl-C cancels it)");
        } else {
            g->imp = sx_data_import_start(g->app, g->path, arg && *arg ? arg : NULL, &g->lo);
        }
        return SX_H_HANDLED | SX_H_REDRAW;
    default:
        break;
    }
    if (!t) {
        switch (cmd) {
        case SX_CMD_MOVE_UP: case SX_CMD_MOVE_DOWN: case SX_CMD_MOVE_LEFT:
        case SX_CMD_MOVE_RIGHT: case SX_CMD_PAGE_UP: case SX_CMD_PAGE_DOWN:
        case SX_CMD_MOVE_FIRST: case SX_CMD_MOVE_LAST: case SX_CMD_MOVE_HOME:
        case SX_CMD_MOVE_END:
            return SX_H_HANDLED;
        default:
            break;
        }
    }

    switch (cmd) {
    /* Movement works on whatever rows are there, even while loading. */
    case SX_CMD_MOVE_UP:
        if (t->cur_row > 0)
            t->cur_row--;
        break;
    case SX_CMD_MOVE_DOWN:
        if (t->cur_row + 1 < t->nrows)
            t->cur_row++;
        break;
    case SX_CMD_MOVE_LEFT:
        if (t->cur_col > 0)
            t->cur_col--;
        break;
    case SX_CMD_MOVE_RIGHT:
        if (t->cur_col + 1 < t->ncols)
            t->cur_col++;
        break;
    case SX_CMD_PAGE_UP:
        t->cur_row = t->cur_row > page ? t->cur_row - page : 0;
        g->top = g->top > page ? g->top - page : 0;
        break;
    case SX_CMD_PAGE_DOWN:
        if (t->nrows) {
            t->cur_row = t->cur_row + page < t->nrows ? t->cur_row + page : t->nrows - 1;
            g->top += page;
        }
        break;
    case SX_CMD_MOVE_FIRST:
        t->cur_row = 0;
        break;
    case SX_CMD_MOVE_LAST:
        t->cur_row = t->nrows ? t->nrows - 1 : 0;
        break;
    case SX_CMD_MOVE_HOME:
        t->cur_col = 0;
        break;
    case SX_CMD_MOVE_END:
        t->cur_col = t->ncols ? t->ncols - 1 : 0;
        break;
    case SX_CMD_FIT_COLUMN: {
        size_t fc = sx_table_cur_frame_col(t);
        int cap = v->w > WIDTH_MIN + 1 ? v->w - 1 : WIDTH_MIN;
        g->width[fc] = fit_width(g->app, t, fc, g->top, page, cap);
        break;
    }
    case SX_CMD_ENTER: {
        if (!t->nrows)
            return SX_H_HANDLED;
        size_t fc = sx_table_cur_frame_col(t);
        const struct sx_column *c = t->frame->cols[fc];
        size_t r = t->rows[t->cur_row];
        char buf[CELL_BUF];
        if (sx_col_valid(c, r)) {
            sx_col_format(c, r, buf, sizeof buf);
            sx_status(g->app, 0, "%s: %s", t->names[fc], buf);
        } else {
            sx_status(g->app, 0, "%s: missing", t->names[fc]);
        }
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    case SX_CMD_SEARCH: {
        size_t fc = sx_table_cur_frame_col(t);
        char prompt[300];
        snprintf(prompt, sizeof prompt, "search %s: ", t->names[fc]);
        char *s = arg && *arg ? strdup(arg) : sx_app_ask(g->app, prompt, "");
        if (!s)
            return SX_H_HANDLED | SX_H_REDRAW;
        if (!*s) {
            free(s);
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        free(g->search);
        g->search = s;
        return find(g, 1);
    }
    case SX_CMD_SEARCH_NEXT:
        return find(g, 1);
    case SX_CMD_SEARCH_PREV:
        return find(g, -1);

    /* Everything below needs the whole table and no job running. */
    case SX_CMD_SORT_ASC:
    case SX_CMD_SORT_DESC:
    case SX_CMD_SORT_ADD_ASC:
    case SX_CMD_SORT_ADD_DESC:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return do_sort(g, cmd == SX_CMD_SORT_DESC || cmd == SX_CMD_SORT_ADD_DESC,
                       cmd == SX_CMD_SORT_ADD_ASC || cmd == SX_CMD_SORT_ADD_DESC);
    case SX_CMD_FILTER_VALUE:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return do_filter(g, arg && *arg ? arg : NULL);
    case SX_CMD_FILTER_EXPR:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return do_filter_expr(g, arg);
    case SX_CMD_DERIVE:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return do_derive(g, arg);
    case SX_CMD_TYPE_TEXT:
    case SX_CMD_TYPE_INT:
    case SX_CMD_TYPE_FLOAT:
    case SX_CMD_TYPE_DATE:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return do_type(g, cmd == SX_CMD_TYPE_TEXT ? SX_TEXT : cmd == SX_CMD_TYPE_INT ? SX_INT
                          : cmd == SX_CMD_TYPE_FLOAT ? SX_FLOAT : SX_DATE);
    case SX_CMD_HIDE: {
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        size_t fc = sx_table_cur_frame_col(t);
        if (t->ncols <= 1) {
            sx_status(g->app, 1, "the last column stays (C shows every column)");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        sx_table_hide(t, fc);
        sx_status(g->app, 0, "%s hidden (C lists the columns)", t->names[fc]);
        break;
    }
    case SX_CMD_RENAME:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return do_rename(g, arg);
    case SX_CMD_DESCRIBE:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return push(g, sx_view_describe_new(g->app, t, &err), &err);
    case SX_CMD_FREQ_TABLE:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return push(g, sx_view_freq_new(g->app, t, &err), &err);
    case SX_CMD_COLUMNS:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return push(g, sx_view_columns_new(g->app, t, &err), &err);
    case SX_CMD_CORR:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return push(g, sx_view_corr_new(g->app, t, &err), &err);
    case SX_CMD_GROUP:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        return push(g, sx_view_group_new(g->app, t, arg && *arg ? arg
                                         : t->names[sx_table_cur_frame_col(t)], &err), &err);
    case SX_CMD_HIST: {
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        char *args = NULL;
        if (asprintf(&args, "hist %s", t->names[sx_table_cur_frame_col(t)]) < 0) {
            sx_status(g->app, 1, "out of memory");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        struct sx_view *cv = sx_view_chart_new(g->app, t, args, &err);
        free(args);
        return push(g, cv, &err);
    }
    case SX_CMD_PLOT:
        if (busy(g))
            return SX_H_HANDLED | SX_H_REDRAW;
        if (!arg || !*arg) {
            sx_status(g->app, 1, "plot what? :plot hist COL [by COL] | scatter X Y | "
                                 "line DATECOL Y [by COL]");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        return push(g, sx_view_chart_new(g->app, t, arg, &err), &err);
    default:
        return 0;
    }
    grid_scroll(g, v);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* The command log's context: the cursor's column (display name) and row
 * (1-based, as the row counter shows it). */
static void grid_where(struct sx_view *v, char *buf, size_t size)
{
    struct grid *g = v->priv;
    size_t fc = g->t ? sx_table_cur_frame_col(g->t) : (size_t)-1;
    if (fc == (size_t)-1)
        snprintf(buf, size, "file=%s", g->label);
    else
        snprintf(buf, size, "col=%s row=%zu", g->t->names[fc], g->t->cur_row + 1);
}

/* Quitting while an import runs would abandon it: ask first. */
static int grid_dirty(struct sx_view *v)
{
    const struct grid *g = v->priv;
    return g->imp != NULL;
}

static void grid_close(struct sx_view *v)
{
    struct grid *g = v->priv;
    job_drop(g);
    sx_data_import_free(g->imp);
    sx_table_free(g->t);
    free(g->width);
    free(g->search);
    free(g->xline);
    free(g->xmsg);
    free(g->error);
    free(g->label);
    free(g->path);
    sx_dataset_clear(&g->ds);
    sx_load_opts_free(&g->lo);
    free(g);
}

static const enum sx_cmd grid_keybar[] = {
    SX_CMD_SORT_ASC, SX_CMD_SEARCH, SX_CMD_FILTER_VALUE, SX_CMD_DESCRIBE, SX_CMD_FREQ_TABLE,
    SX_CMD_COLUMNS,  SX_CMD_HIST,   SX_CMD_DERIVE,       SX_CMD_BACK,      SX_CMD_NONE,
};

/* ---- the open data, for other panes ---- */

int sx_data_current(struct sx_app *app, struct sx_data_open *out)
{
    memset(out, 0, sizeof *out);
    for (struct sx_view *v = sx_app_pane_top(app, "data"); v; v = v->below) {
        if (v->ops->draw != grid_draw)
            continue;
        const struct grid *g = v->priv;
        out->t = g->t;
        out->label = g->label;
        out->path = g->path;
        out->ds = g->is_dataset ? &g->ds : NULL;
        out->lo = &g->lo;
        out->loading = g->kind == J_LOAD && g->job;
        return 0;
    }
    return -1;
}

/* ---- opening ---- */

static struct grid *grid_alloc(struct sx_app *app, const char *label, const char *path)
{
    struct grid *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->app = app;
    g->label = strdup(label);
    g->path = strdup(path);
    if (!g->label || !g->path) {
        free(g->label);
        free(g->path);
        free(g);
        return NULL;
    }
    g->ops = (struct sx_view_ops){
        .name = "grid",
        .title = g->label,
        .draw = grid_draw,
        .handle = grid_handle,
        .tick = grid_tick,
        .close = grid_close,
        .keybar = grid_keybar,
        .where = grid_where,
        .dirty = grid_dirty,
    };
    return g;
}

/* Show frame F (the first rows, or all of them) in G; 0 or -1 with ERR. */
static int grid_show(struct grid *g, struct sx_frame *f, struct sx_err *err)
{
    if (!(g->t = sx_table_new(g->label, g->path, f, err))) {
        sx_frame_free(f);
        return -1;
    }
    if (compute_widths(g) != 0) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return -1;
    }
    return 0;
}

static struct sx_view *grid_view(struct grid *g, struct sx_err *err)
{
    struct sx_view *v = sx_view_new(g->app, &g->ops, g);
    if (!v) {
        struct sx_view fake = {.priv = g};
        grid_close(&fake);
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}

struct sx_view *sx_view_grid_file(struct sx_app *app, const char *path,
                                  const struct sx_load_opts *load, struct sx_err *err)
{
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    struct grid *g = grid_alloc(app, base, path);
    if (!g || (load && sx_load_opts_copy(&g->lo, load, err) != SX_OK)) {
        if (g) {
            struct sx_view fake = {.priv = g};
            grid_close(&fake);
        }
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    struct sx_csv_opts co;
    sx_csv_opts_init(&co);
    sx_load_opts_apply(&g->lo, &co);
    co.max_rows = SX_DATA_PREVIEW_ROWS;
    co.threads = 1;
    struct sx_frame *f = sx_csv_load(path, &co, NULL, err);
    if (!f || grid_show(g, f, err) != 0) {
        struct sx_view fake = {.priv = g};
        grid_close(&fake);
        return NULL;
    }
    /* Fewer rows than asked for: that was the whole file. */
    if (f->nrows >= SX_DATA_PREVIEW_ROWS)
        start_load(g);
    return grid_view(g, err);
}

struct sx_view *sx_view_grid_dataset(struct sx_app *app, const struct sx_dataset *ds,
                                     struct sx_err *err)
{
    char label[SX_DATASET_NAME_MAX + 32];
    snprintf(label, sizeof label, "%s@%d", ds->name, ds->version);
    struct sx_err perr = {0};
    struct grid *g = grid_alloc(app, label, ds->source_path ? ds->source_path : "");
    if (!g || sx_data_dataset_copy(&g->ds, ds) != 0 ||
        sx_load_opts_parse(ds->options_json, &g->lo, &perr) != SX_OK) {
        if (g) {
            struct sx_view fake = {.priv = g};
            grid_close(&fake);
        }
        if (perr.code != SX_OK)
            sx_err_set(err, perr.code, "%s: %s", label, perr.msg);
        else
            sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    g->is_dataset = 1;
    /* The first rows without the hash check; the job checks it and, if
     * the file changed, replaces them with the error. A failure here is
     * left to the job too, so the message is the verified one. */
    struct sx_dataset_load_opts quick = {.skip_hash = 1, .max_rows = SX_DATA_PREVIEW_ROWS,
                                         .threads = 1};
    struct sx_frame *f = sx_dataset_load(ds, &quick, &perr);
    if (f && grid_show(g, f, err) != 0) {
        struct sx_view fake = {.priv = g};
        grid_close(&fake);
        return NULL;
    }
    start_load(g);
    return grid_view(g, err);
}
