/* tui/view_freq.c: the frequency table (`F`) of the grid's current column:
 * every distinct value with its count, its share of the visible rows and a
 * bar, most frequent first (first seen first among ties), missing cells as
 * a row of their own. Counted by a background job over the visible rows:
 * category and bool cells by their codes, numbers and dates by their bits,
 * text by its bytes. Enter filters the grid to the value under the cursor. */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sheet.h"
#include "sheets.h"

struct entry {
    uint64_t key;              /* value bits, or the text's hash */
    uint64_t count;
    size_t first;              /* visible position of the first occurrence */
    size_t row;                /* frame row of the first occurrence */
    size_t text;               /* offset of the value's text; SIZE_MAX = missing */
};

/* What the job reads and writes (owned by the view). */
struct fctx {
    const struct sx_column *c; /* the counted column (borrowed) */
    size_t *rows;              /* visible rows in order, or NULL for 0..nrows-1 */
    size_t nrows;
    struct entry *e;           /* the distinct values, sorted when done */
    size_t n, cap;
    uint32_t *slots;           /* open addressing: entry index + 1, 0 empty */
    size_t nslots;
    char *text;                /* every value's text, NUL-separated */
    size_t text_len, text_cap;
    atomic_size_t done;        /* rows counted so far */
};

enum state { BUSY, READY, FAILED };

/* The longest bar, in columns. */
#define BAR_MAX 50

struct freq {
    struct sx_table *t;
    size_t col;                /* frame column */
    struct fctx *ctx;
    struct sx_job *job;
    enum state state;
    char msg[512];
    uint64_t missing;
    struct sx_sheet_cursor cur;
    int page;
};

static void ctx_free(struct fctx *c)
{
    if (!c)
        return;
    free(c->rows);
    free(c->e);
    free(c->slots);
    free(c->text);
    free(c);
}

/* ---- counting ---- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a, then mixed */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return mix64(h);
}

/* The key of present row R: the value's bits (one NaN for all NaNs), or
 * for text the hash of its bytes. */
static uint64_t row_key(const struct sx_column *c, size_t r)
{
    double d;
    uint64_t k;
    switch (c->type) {
    case SX_FLOAT:
        d = c->v.f64[r];
        if (isnan(d))
            d = NAN;
        memcpy(&k, &d, sizeof k);
        return k;
    case SX_INT:
    case SX_DATE:
        return (uint64_t)c->v.i64[r];
    case SX_BOOL:
        return c->v.b[r];
    case SX_CATEGORY:
        return c->v.cat[r];
    case SX_TEXT:
        return hash_text(sx_col_str(c, r));
    }
    return 0;
}

static int same(const struct sx_column *c, const struct entry *e, uint64_t key, size_t r)
{
    if (e->key != key)
        return 0;
    return c->type != SX_TEXT || !strcmp(sx_col_str(c, e->row), sx_col_str(c, r));
}

static int grow_slots(struct fctx *c)
{
    size_t ns = c->nslots ? c->nslots * 2 : 1024;
    uint32_t *s = calloc(ns, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < c->n; i++) {
        size_t h = (size_t)mix64(c->e[i].key) & (ns - 1);
        while (s[h])
            h = (h + 1) & (ns - 1);
        s[h] = (uint32_t)(i + 1);
    }
    free(c->slots);
    c->slots = s;
    c->nslots = ns;
    return 0;
}

/* Count present row R seen at visible position POS. */
static int count_row(struct fctx *c, size_t r, size_t pos)
{
    if ((c->n + 1) * 2 > c->nslots && grow_slots(c) != 0)
        return -1;
    uint64_t key = row_key(c->c, r);
    size_t h = (size_t)mix64(key) & (c->nslots - 1);
    while (c->slots[h]) {
        struct entry *e = &c->e[c->slots[h] - 1];
        if (same(c->c, e, key, r)) {
            e->count++;
            return 0;
        }
        h = (h + 1) & (c->nslots - 1);
    }
    if (c->n == UINT32_MAX - 1)
        return -1;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 256;
        struct entry *ne = realloc(c->e, nc * sizeof *ne);
        if (!ne)
            return -1;
        c->e = ne;
        c->cap = nc;
    }
    c->e[c->n] = (struct entry){key, 1, pos, r, 0};
    c->slots[h] = (uint32_t)(++c->n);
    return 0;
}

static int add_text(struct fctx *c, const char *s, size_t *off)
{
    size_t len = strlen(s);
    if (c->text_len + len + 1 > c->text_cap) {
        size_t nc = c->text_cap ? c->text_cap : 4096;
        while (c->text_len + len + 1 > nc)
            nc *= 2;
        char *nt = realloc(c->text, nc);
        if (!nt)
            return -1;
        c->text = nt;
        c->text_cap = nc;
    }
    memcpy(c->text + c->text_len, s, len + 1);
    *off = c->text_len;
    c->text_len += len + 1;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static enum sx_status count_job(void *arg, struct sx_job *job, struct sx_err *err)
{
    struct fctx *c = arg;
    const struct sx_column *col = c->c;
    uint64_t missing = 0;
    size_t first_missing = SIZE_MAX;
    /* Progress in bytes of column data, so the bar's rate means something. */
    uint64_t per_row = col->len ? sx_col_bytes(col) / col->len : 0;
    for (size_t i = 0; i < c->nrows; i++) {
        size_t r = c->rows ? c->rows[i] : i;
        if ((i & 0xfffff) == 0xfffff) {
            if (sx_job_cancelled(job))
                return sx_err_set(err, SX_ECANCEL, "frequency table: cancelled");
            atomic_store(&c->done, i);
            sx_job_progress(job, i * per_row, c->nrows * per_row, i);
        }
        if (!sx_col_valid(col, r)) {
            if (!missing++)
                first_missing = i;
            continue;
        }
        if (count_row(c, r, i) != 0)
            return sx_err_set(err, SX_ENOMEM, "frequency table: out of memory");
    }
    char buf[64];
    for (size_t k = 0; k < c->n; k++) {
        struct entry *e = &c->e[k];
        const char *s = sx_col_str(col, e->row);
        if (!s) {
            sx_col_format(col, e->row, buf, sizeof buf);
            s = buf;
        }
        if (add_text(c, s, &e->text) != 0)
            return sx_err_set(err, SX_ENOMEM, "frequency table: out of memory");
    }
    if (missing) {
        if (c->n == c->cap) {
            struct entry *ne = realloc(c->e, (c->cap + 1) * sizeof *ne);
            if (!ne)
                return sx_err_set(err, SX_ENOMEM, "frequency table: out of memory");
            c->e = ne;
            c->cap++;
        }
        c->e[c->n++] = (struct entry){0, missing, first_missing, 0, SIZE_MAX};
    }
    free(c->slots);
    c->slots = NULL;
    qsort(c->e, c->n, sizeof *c->e, cmp_entry);
    atomic_store(&c->done, c->nrows);
    return SX_OK;
}

/* ---- drawing ---- */

static const char *entry_text(const struct fctx *c, const struct entry *e)
{
    return e->text == SIZE_MAX ? NULL : c->text + e->text;
}

static void draw(struct sx_view *v)
{
    struct freq *f = v->priv;
    struct fctx *c = f->ctx;
    const char *name = sx_sheet_col_name(f->t, f->col);
    char head[512], buf[1024], rows[32], done[32];
    int utf8 = sx_app_utf8(v->app);

    sx_sheet_fmt_rows(c->nrows, rows, sizeof rows);
    if (f->state == BUSY) {
        sx_sheet_fmt_count(atomic_load(&c->done), 31, done, sizeof done);
        snprintf(head, sizeof head, "%s · counting %s… %s done", name, rows, done);
    } else if (f->state == READY) {
        size_t nv = c->n - (f->missing ? 1 : 0);
        snprintf(head, sizeof head, "%s · %zu distinct value%s in %s", name, nv,
                 nv == 1 ? "" : "s", rows);
    }
    else
        snprintf(head, sizeof head, "%s", name);
    int body = sx_sheet_heading(v, head, NULL);
    f->page = body;
    if (v->h < 2)
        return;

    /* Widths: value, count, percent, bar. */
    int cw = 5, pw = 6;
    if (f->state == READY && c->n) {
        sx_sheet_fmt_count(c->e[0].count, 12, buf, sizeof buf);
        if ((int)strlen(buf) > cw)
            cw = (int)strlen(buf);
    }
    int vw = 5;
    if (f->state == READY)
        for (size_t i = 0; i < c->n && i < 2000; i++) {
            const char *s = entry_text(c, &c->e[i]);
            int x = s ? sx_text_width(v->app, s) : 9;
            if (x > vw)
                vw = x;
        }
    int cap = v->w * 2 / 5;
    if (vw > cap)
        vw = cap > 5 ? cap : 5;
    int bx = vw + 1 + cw + 1 + pw + 1;
    int bw = v->w - bx < BAR_MAX ? v->w - bx : BAR_MAX;

    int hy = v->y + 1;
    sx_draw_text(v->app, hy, v->x, SX_ROLE_HEADER, "value", vw, 1);
    sx_draw_text_right(v->app, hy, v->x + vw + 1, SX_ROLE_HEADER, "count", cw);
    sx_draw_text_right(v->app, hy, v->x + vw + 1 + cw + 1, SX_ROLE_HEADER, "%", pw);
    if (bw > 0)
        sx_draw_text(v->app, hy, v->x + bx, SX_ROLE_HEADER, "", bw, 1);

    if (f->state != READY) {
        if (body > 0) {
            sx_draw_fill(v->app, v->y + 2, v->x, body, v->w, SX_ROLE_DEFAULT);
            sx_draw_text(v->app, v->y + 2, v->x, f->state == BUSY ? SX_ROLE_DIM : SX_ROLE_ERROR,
                         f->state == BUSY ? "counting…" : f->msg, v->w, 1);
        }
        return;
    }

    enum sx_role vrole = SX_ROLE_TEXT;
    if (c->c->type == SX_FLOAT || c->c->type == SX_INT)
        vrole = SX_ROLE_NUMBER;
    else if (c->c->type == SX_DATE)
        vrole = SX_ROLE_DATE;
    uint64_t max = c->n ? c->e[0].count : 0;
    sx_sheet_scroll(&f->cur, (size_t)(body > 0 ? body : 1));
    for (int r = 0; r < body; r++) {
        int y = v->y + 2 + r;
        size_t i = f->cur.top + (size_t)r;
        if (i >= c->n) {
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_DEFAULT);
            continue;
        }
        const struct entry *e = &c->e[i];
        const char *s = entry_text(c, e);
        int at = i == f->cur.cur;
        enum sx_role base = at ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
        sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        sx_draw_text(v->app, y, v->x, at ? SX_ROLE_CURSOR : s ? vrole : SX_ROLE_MISSING,
                     s ? s : "(missing)", vw, 1);
        sx_sheet_fmt_count(e->count, cw, buf, sizeof buf);
        sx_draw_text_right(v->app, y, v->x + vw + 1, at ? base : SX_ROLE_NUMBER, buf, cw);
        sx_sheet_fmt_pct(e->count, c->nrows, buf, sizeof buf);
        sx_draw_text_right(v->app, y, v->x + vw + 1 + cw + 1, at ? base : SX_ROLE_NUMBER, buf, pw);
        if (bw > 0) {
            sx_sheet_bar(max ? (double)e->count / (double)max : 0, bw, utf8, buf, sizeof buf);
            sx_draw_text(v->app, y, v->x + bx, at ? base : SX_ROLE_BAR, buf, bw, 0);
        }
    }
}

/* ---- job ---- */

static unsigned tick(struct sx_view *v)
{
    struct freq *f = v->priv;
    enum sx_status st;
    struct sx_err err;
    if (f->state != BUSY)
        return 0;
    sx_err_clear(&err);
    if (!f->job || !sx_job_done(f->job, &st, &err))
        return SX_H_REDRAW;
    sx_job_free(f->job);
    f->job = NULL;
    if (st != SX_OK) {
        f->state = FAILED;
        snprintf(f->msg, sizeof f->msg, "%s", err.msg[0] ? err.msg : sx_status_str(st));
        return SX_H_REDRAW;
    }
    for (size_t i = 0; i < f->ctx->n; i++)
        if (f->ctx->e[i].text == SIZE_MAX)
            f->missing = f->ctx->e[i].count;
    f->cur.n = f->ctx->n;
    f->state = READY;
    return SX_H_REDRAW;
}

/* ---- keys ---- */

static unsigned enter(struct sx_view *v)
{
    struct freq *f = v->priv;
    struct sx_err err;
    if (f->state != READY || f->cur.n == 0)
        return SX_H_HANDLED;
    const struct entry *e = &f->ctx->e[f->cur.cur];
    const char *value = entry_text(f->ctx, e);
    const char *name = sx_sheet_col_name(f->t, f->col);
    sx_err_clear(&err);
    if (sx_table_filter_equal(f->t, f->col, value, &err) != SX_OK) {
        sx_status(v->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char rows[32];
    sx_sheet_fmt_rows(f->t->nrows, rows, sizeof rows);
    if (value)
        sx_status(v->app, 0, "%s = %s: %s", name, value, rows);
    else
        sx_status(v->app, 0, "%s missing: %s", name, rows);
    return SX_H_HANDLED | SX_H_POP;
}

static unsigned handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct freq *f = v->priv;
    (void)arg;
    switch (cmd) {
    case SX_CMD_BACK:
        return SX_H_HANDLED | SX_H_POP;
    case SX_CMD_CANCEL:
        if (f->job) {
            sx_job_cancel(f->job);
            sx_status(v->app, 0, "frequency table: cancelling…");
        }
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_ENTER:
    case SX_CMD_FILTER_VALUE:
        return enter(v);
    case SX_CMD_MOVE_LEFT:
    case SX_CMD_MOVE_RIGHT:
    case SX_CMD_MOVE_HOME:
    case SX_CMD_MOVE_END:
        return SX_H_HANDLED;      /* no horizontal scrolling here */
    default:
        break;
    }
    return sx_sheet_move(&f->cur, cmd, (size_t)(f->page > 0 ? f->page : 1));
}

static void close_view(struct sx_view *v)
{
    struct freq *f = v->priv;
    if (!f)
        return;
    if (f->job)
        sx_job_free(f->job);
    ctx_free(f->ctx);
    free(f);
}

static const enum sx_cmd keybar[] = {SX_CMD_ENTER, SX_CMD_BACK, SX_CMD_HELP, SX_CMD_NONE};

static const struct sx_view_ops freq_ops = {
    .name = "freq",
    .title = "Frequency",
    .draw = draw,
    .handle = handle,
    .tick = tick,
    .close = close_view,
    .keybar = keybar,
};

struct sx_view *sx_view_freq_new(struct sx_app *app, struct sx_table *t, struct sx_err *err)
{
    size_t col = sx_table_cur_frame_col(t);
    if (col == (size_t)-1 || col >= t->frame->ncols) {
        sx_err_set(err, SX_EINVAL, "frequency table: no column under the cursor");
        return NULL;
    }
    struct freq *f = calloc(1, sizeof *f);
    struct fctx *c = calloc(1, sizeof *c);
    if (!f || !c)
        goto oom;
    f->t = t;
    f->col = col;
    f->ctx = c;
    c->c = t->frame->cols[col];
    if (sx_sheet_rows(t, 1, &c->rows, &c->nrows) != 0)
        goto oom;
    atomic_init(&c->done, 0);
    f->state = BUSY;
    struct sx_view *v = sx_view_new(app, &freq_ops, f);
    if (!v)
        goto oom;
    f->job = sx_job_start(app, "counting", count_job, c);
    if (!f->job) {
        f->state = FAILED;
        snprintf(f->msg, sizeof f->msg, "frequency table: could not start the counting job");
    }
    return v;
oom:
    ctx_free(c);
    free(f);
    sx_err_set(err, SX_ENOMEM, "frequency table: out of memory");
    return NULL;
}
