/* tui/view_columns.c: the columns sheet (`C`): one row per column of the
 * frame with its display name, type, whether the grid shows it, and its
 * missing cells. `^` or Enter renames, `-` hides or shows again, `~ # % @`
 * set the type to text, int, float or date. Every change is a view of the
 * table (tui/table.h): the source file and the store are never touched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sheet.h"
#include "sheets.h"

struct columns {
    struct sx_table *t;
    uint64_t *missing;         /* per frame column, over every row */
    size_t nmissing;           /* entries in MISSING */
    struct sx_sheet_cursor cur;
    int page;
};

static uint64_t count_missing(const struct sx_column *c)
{
    uint64_t present = 0;
    size_t full = c->len / 64;
    for (size_t w = 0; w < full; w++)
        present += (uint64_t)__builtin_popcountll(c->valid[w]);
    for (size_t i = full * 64; i < c->len; i++)
        present += (uint64_t)sx_col_valid(c, i);
    return (uint64_t)c->len - present;
}

static int refresh_missing(struct columns *s)
{
    const struct sx_frame *f = s->t->frame;
    if (s->nmissing != f->ncols) {
        uint64_t *m = realloc(s->missing, (f->ncols ? f->ncols : 1) * sizeof *m);
        if (!m)
            return -1;
        s->missing = m;
        s->nmissing = f->ncols;
    }
    for (size_t i = 0; i < f->ncols; i++)
        s->missing[i] = count_missing(f->cols[i]);
    s->cur.n = f->ncols;
    return 0;
}

static int shown(const struct sx_table *t, size_t col)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i] == col)
            return 1;
    return 0;
}

/* ---- drawing ---- */

static void draw(struct sx_view *v)
{
    struct columns *s = v->priv;
    const struct sx_table *t = s->t;
    const struct sx_frame *f = t->frame;
    char head[512], buf[64];
    int utf8 = sx_app_utf8(v->app);

    snprintf(head, sizeof head, "%zu columns, %zu shown · a view: the file is not changed",
             f->ncols, t->ncols);
    int body = sx_sheet_heading(v, head, NULL);
    s->page = body;
    if (v->h < 2)
        return;

    int nw = 6;
    for (size_t i = 0; i < f->ncols; i++) {
        int x = sx_text_width(v->app, sx_sheet_col_name(t, i));
        if (x > nw)
            nw = x;
    }
    int cap = v->w < 60 ? v->w / 3 : 28;
    if (nw > cap)
        nw = cap > 4 ? cap : 4;
    const int tw = 10, sw = 6, mw = 8, pw = 6;
    int xt = v->x + nw + 1, xs = xt + tw + 1, xm = xs + sw + 1, xp = xm + mw + 1,
        xo = xp + pw + 1;
    int right = v->x + v->w;
#define W(x, w) ((x) + (w) <= right ? (w) : right - (x))

    int hy = v->y + 1;
    sx_draw_text(v->app, hy, v->x, SX_ROLE_HEADER, "column", nw, 1);
    if (W(xt, tw) > 0) sx_draw_text(v->app, hy, xt, SX_ROLE_HEADER, "type", W(xt, tw), 0);
    if (W(xs, sw) > 0) sx_draw_text(v->app, hy, xs, SX_ROLE_HEADER, "shown", W(xs, sw), 0);
    if (W(xm, mw) > 0) sx_draw_text_right(v->app, hy, xm, SX_ROLE_HEADER, "missing", W(xm, mw));
    if (W(xp, pw) > 0) sx_draw_text_right(v->app, hy, xp, SX_ROLE_HEADER, "%", W(xp, pw));
    if (W(xo, 1) > 0) sx_draw_text(v->app, hy, xo, SX_ROLE_HEADER, "source name", right - xo, 0);

    sx_sheet_scroll(&s->cur, (size_t)(body > 0 ? body : 1));
    for (int r = 0; r < body; r++) {
        int y = v->y + 2 + r;
        size_t i = s->cur.top + (size_t)r;
        if (i >= f->ncols) {
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_DEFAULT);
            continue;
        }
        const struct sx_column *c = f->cols[i];
        int at = i == s->cur.cur, on = shown(t, i);
        enum sx_role base = at ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
        enum sx_role text = at ? base : on ? SX_ROLE_TEXT : SX_ROLE_DIM;
        enum sx_role num = at ? base : on ? SX_ROLE_NUMBER : SX_ROLE_DIM;
        const char *name = sx_sheet_col_name(t, i);
        sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        sx_draw_text(v->app, y, v->x, at ? SX_ROLE_CURSOR : text, name, nw, 1);
        if (W(xt, tw) > 0) {
            snprintf(buf, sizeof buf, "%s %s", sx_sheet_type_glyph(c->type, utf8),
                     sx_type_name(c->type));
            sx_draw_text(v->app, y, xt, text, buf, W(xt, tw), 0);
        }
        if (W(xs, sw) > 0)
            sx_draw_text(v->app, y, xs, text, on ? "shown" : "hidden", W(xs, sw), 0);
        uint64_t miss = i < s->nmissing ? s->missing[i] : 0;
        if (W(xm, mw) > 0) {
            sx_sheet_fmt_count(miss, mw, buf, sizeof buf);
            sx_draw_text_right(v->app, y, xm, miss && !at && on ? SX_ROLE_MISSING : num, buf,
                               W(xm, mw));
        }
        if (W(xp, pw) > 0) {
            sx_sheet_fmt_pct(miss, c->len, buf, sizeof buf);
            sx_draw_text_right(v->app, y, xp, num, buf, W(xp, pw));
        }
        if (W(xo, 1) > 0 && strcmp(name, c->name) != 0)
            sx_draw_text(v->app, y, xo, text, c->name, right - xo, 0);
    }
#undef W
}

/* ---- actions ---- */

/* Rename frame column COL to ARG, or to what the user types when ARG is
 * NULL or empty (the command log records the answer as the argument). */
static unsigned rename_col(struct sx_view *v, size_t col, const char *arg)
{
    struct columns *s = v->priv;
    struct sx_err err;
    const char *old = sx_sheet_col_name(s->t, col);
    char *name = arg && *arg ? strdup(arg) : sx_app_ask(v->app, "rename column to: ", old);
    if (!name)
        return SX_H_HANDLED | SX_H_REDRAW;
    if (!*name) {
        sx_status(v->app, 1, "rename: a column needs a name");
        free(name);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char *was = strdup(old);
    sx_err_clear(&err);
    if (sx_table_rename(s->t, col, name, &err) != SX_OK)
        sx_status(v->app, 1, "%s", err.msg);
    else
        sx_status(v->app, 0, "renamed %s to %s (view only)", was ? was : "column", name);
    free(was);
    free(name);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* Show frame column COL again: show every column, then hide again the ones
 * that were hidden (the table only offers hide and show-all). The grid's
 * cursor stays on its column. */
static unsigned unhide_col(struct sx_view *v, size_t col)
{
    struct columns *s = v->priv;
    struct sx_table *t = s->t;
    size_t n = t->frame->ncols, cur = sx_table_cur_frame_col(t);
    unsigned char *was_shown = calloc(n ? n : 1, 1);
    if (!was_shown) {
        sx_status(v->app, 1, "show column: out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    for (size_t i = 0; i < t->ncols; i++)
        was_shown[t->cols[i]] = 1;
    was_shown[col] = 1;
    sx_table_show_all(t);
    for (size_t i = 0; i < n; i++)
        if (!was_shown[i])
            sx_table_hide(t, i);
    free(was_shown);
    if (cur != (size_t)-1)
        sx_table_goto_col(t, cur);
    sx_status(v->app, 0, "showing %s", sx_sheet_col_name(t, col));
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned toggle_hide(struct sx_view *v, size_t col)
{
    struct columns *s = v->priv;
    if (!shown(s->t, col))
        return unhide_col(v, col);
    if (s->t->ncols <= 1) {
        sx_status(v->app, 1, "%s is the only column shown", sx_sheet_col_name(s->t, col));
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_table_hide(s->t, col);
    sx_status(v->app, 0, "hid %s (- again shows it)", sx_sheet_col_name(s->t, col));
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned set_type(struct sx_view *v, size_t col, enum sx_type to)
{
    struct columns *s = v->priv;
    struct sx_err err;
    size_t lost = 0;
    const char *name = sx_sheet_col_name(s->t, col);
    enum sx_type from = s->t->frame->cols[col]->type;
    if (from == to) {
        sx_status(v->app, 0, "%s is already %s", name, sx_type_name(to));
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_err_clear(&err);
    if (sx_table_set_type(s->t, col, to, &lost, &err) != SX_OK) {
        sx_status(v->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    name = sx_sheet_col_name(s->t, col);
    if (refresh_missing(s) != 0)
        s->nmissing = 0;
    if (lost) {
        char n[32];
        sx_sheet_fmt_count(lost, 31, n, sizeof n);
        sx_status(v->app, 1, "%s: %s to %s; %s cell%s did not convert and are now missing",
                  name, sx_type_name(from), sx_type_name(to), n, lost == 1 ? "" : "s");
    }
    else
        sx_status(v->app, 0, "%s: %s to %s; every cell converted", name, sx_type_name(from),
                  sx_type_name(to));
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct columns *s = v->priv;
    size_t col = s->cur.cur;
    int any = s->t->frame->ncols > 0;
    switch (cmd) {
    case SX_CMD_BACK:
        return SX_H_HANDLED | SX_H_POP;
    case SX_CMD_ENTER:
    case SX_CMD_RENAME:
        return any ? rename_col(v, col, arg) : SX_H_HANDLED;
    case SX_CMD_HIDE:
        return any ? toggle_hide(v, col) : SX_H_HANDLED;
    case SX_CMD_TYPE_TEXT:
        return any ? set_type(v, col, SX_TEXT) : SX_H_HANDLED;
    case SX_CMD_TYPE_INT:
        return any ? set_type(v, col, SX_INT) : SX_H_HANDLED;
    case SX_CMD_TYPE_FLOAT:
        return any ? set_type(v, col, SX_FLOAT) : SX_H_HANDLED;
    case SX_CMD_TYPE_DATE:
        return any ? set_type(v, col, SX_DATE) : SX_H_HANDLED;
    case SX_CMD_MOVE_LEFT:
    case SX_CMD_MOVE_RIGHT:
    case SX_CMD_MOVE_HOME:
    case SX_CMD_MOVE_END:
        return SX_H_HANDLED;      /* no horizontal scrolling here */
    default:
        break;
    }
    return sx_sheet_move(&s->cur, cmd, (size_t)(s->page > 0 ? s->page : 1));
}

static void close_view(struct sx_view *v)
{
    struct columns *s = v->priv;
    if (!s)
        return;
    free(s->missing);
    free(s);
}

static const enum sx_cmd keybar[] = {SX_CMD_RENAME,     SX_CMD_HIDE,      SX_CMD_TYPE_TEXT,
                                     SX_CMD_TYPE_INT,   SX_CMD_TYPE_FLOAT, SX_CMD_TYPE_DATE,
                                     SX_CMD_BACK,       SX_CMD_NONE};

static const struct sx_view_ops columns_ops = {
    .name = "columns",
    .title = "Columns",
    .draw = draw,
    .handle = handle,
    .tick = NULL,
    .close = close_view,
    .keybar = keybar,
};

struct sx_view *sx_view_columns_new(struct sx_app *app, struct sx_table *t, struct sx_err *err)
{
    struct columns *s = calloc(1, sizeof *s);
    struct sx_view *v = NULL;
    if (!s)
        goto oom;
    s->t = t;
    if (refresh_missing(s) != 0)
        goto oom;
    /* Start on the grid's current column. */
    size_t cur = sx_table_cur_frame_col(t);
    if (cur != (size_t)-1 && cur < t->frame->ncols)
        s->cur.cur = cur;
    if (!(v = sx_view_new(app, &columns_ops, s)))
        goto oom;
    return v;
oom:
    if (s)
        free(s->missing);
    free(s);
    sx_err_set(err, SX_ENOMEM, "columns sheet: out of memory");
    return NULL;
}
