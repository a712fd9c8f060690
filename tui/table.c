/* tui/table.c: the open table of the Data pane (table.h): which rows are
 * visible and in what order, which columns in what order and under what
 * names, and the cursor. Everything here changes the view of a frame, never
 * a file or the store. No curses: the tests link this file alone.
 *
 * Order: the visible rows are ordered by the sort keys, ties in the
 * frame's (the file's) order, so the order depends only on the keys and the
 * filters, not on the sorts done before. Sorting works on the visible rows
 * alone: their key cells are gathered into a small frame (borrowing the
 * columns, copying only the keys' cells) which sx_frame_sort_index orders.
 *
 * Filters compare cells by what sx_col_format prints. For numbers, dates,
 * bools and categories that is decided on the values (the value is parsed
 * once and printed back; if that does not give the same text, no cell can
 * print as it), so a filter over 10M rows takes milliseconds; text cells
 * and odd values compare the printed text. */
#include "table.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "dates.h"
#include "num.h"

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

struct sx_table *sx_table_new(const char *label, const char *path, struct sx_frame *f,
                              struct sx_err *err)
{
    struct sx_table *t = calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->frame = f;
    t->label = dupstr(label ? label : "");
    t->path = dupstr(path ? path : "");
    t->rows = malloc((f->nrows ? f->nrows : 1) * sizeof *t->rows);
    t->cols = malloc((f->ncols ? f->ncols : 1) * sizeof *t->cols);
    t->names = calloc(f->ncols ? f->ncols : 1, sizeof *t->names);
    if (!t->label || !t->path || !t->rows || !t->cols || !t->names)
        goto oom;
    for (size_t i = 0; i < f->nrows; i++)
        t->rows[i] = i;
    t->nrows = f->nrows;
    for (size_t j = 0; j < f->ncols; j++) {
        t->cols[j] = j;
        if (!(t->names[j] = dupstr(f->cols[j]->name)))
            goto oom;
    }
    t->ncols = f->ncols;
    return t;
oom:
    if (t) {
        t->frame = NULL;      /* on error F stays the caller's */
        sx_table_free(t);
    }
    sx_err_set(err, SX_ENOMEM, "out of memory opening a table of %zu rows", f->nrows);
    return NULL;
}

void sx_table_free(struct sx_table *t)
{
    if (!t)
        return;
    if (t->names && t->frame)
        for (size_t j = 0; j < t->frame->ncols; j++)
            free(t->names[j]);
    free(t->names);
    free(t->cols);
    free(t->rows);
    free(t->filter);
    free(t->label);
    free(t->path);
    sx_frame_free(t->frame);
    free(t);
}

size_t sx_table_cur_frame_col(const struct sx_table *t)
{
    if (!t || t->cur_col >= t->ncols)
        return (size_t)-1;
    return t->cols[t->cur_col];
}

/* The frame row under the cursor, or (size_t)-1. */
static size_t cur_frame_row(const struct sx_table *t)
{
    return t->cur_row < t->nrows ? t->rows[t->cur_row] : (size_t)-1;
}

/* Put the cursor back on frame row ROW if it is still visible, else keep
 * its index (clamped). */
static void keep_cursor(struct sx_table *t, size_t row)
{
    if (row != (size_t)-1)
        for (size_t i = 0; i < t->nrows; i++)
            if (t->rows[i] == row) {
                t->cur_row = i;
                return;
            }
    if (t->cur_row >= t->nrows)
        t->cur_row = t->nrows ? t->nrows - 1 : 0;
}

/* ---- sorting ---- */

enum sx_status sx_table_sort_keys(const struct sx_table *t, size_t col, int desc, int add,
                                  struct sx_sort_key *keys, size_t *nkeys, struct sx_err *err)
{
    if (col >= t->frame->ncols)
        return sx_err_set(err, SX_EINVAL, "no column %zu to sort by", col);
    size_t n = 0;
    if (add) {
        n = t->nkeys;
        memcpy(keys, t->keys, n * sizeof *keys);
        for (size_t k = 0; k < n; k++)
            if (keys[k].col == col) {
                keys[k].descending = desc;   /* already a key: new direction */
                *nkeys = n;
                return SX_OK;
            }
        if (n == SX_TABLE_MAX_KEYS)
            return sx_err_set(err, SX_ELIMIT, "at most %d sort keys", SX_TABLE_MAX_KEYS);
    }
    keys[n].col = col;
    keys[n].descending = desc;
    *nkeys = n + 1;
    return SX_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

size_t *sx_table_order(const struct sx_table *t, const struct sx_sort_key *keys, size_t nkeys,
                       struct sx_err *err)
{
    const struct sx_frame *f = t->frame;
    size_t n = t->nrows;
    struct sx_column *kc[SX_TABLE_MAX_KEYS];
    struct sx_sort_key kk[SX_TABLE_MAX_KEYS];
    size_t *order = NULL, *out = NULL, *sub_rows = NULL;
    struct sx_frame *sub = NULL;

    if (nkeys > SX_TABLE_MAX_KEYS) {
        sx_err_set(err, SX_ELIMIT, "at most %d sort keys", SX_TABLE_MAX_KEYS);
        return NULL;
    }
    for (size_t k = 0; k < nkeys; k++) {
        if (keys[k].col >= f->ncols) {
            sx_err_set(err, SX_EINVAL, "no column %zu to sort by", keys[k].col);
            return NULL;
        }
        kc[k] = f->cols[keys[k].col];
        kk[k].col = k;
        kk[k].descending = keys[k].descending;
    }
    if (!(out = malloc((n ? n : 1) * sizeof *out)))
        goto oom;
    /* The key columns, borrowed: a frame that must never be freed. */
    struct sx_frame keyed = {.cols = kc, .ncols = nkeys, .cap = nkeys, .nrows = f->nrows};
    if (n == f->nrows) {
        /* Every row is visible: sort the frame's rows directly. */
        if (!(order = sx_frame_sort_index(&keyed, kk, nkeys, err)))
            goto fail;
        memcpy(out, order, n * sizeof *out);
    } else {
        /* The visible rows in frame order (ties keep it), their key cells
         * gathered, sorted, and mapped back. */
        if (!(sub_rows = malloc((n ? n : 1) * sizeof *sub_rows)))
            goto oom;
        memcpy(sub_rows, t->rows, n * sizeof *sub_rows);
        qsort(sub_rows, n, sizeof *sub_rows, cmp_size);
        if (!(sub = sx_frame_take(&keyed, sub_rows, n, err)))
            goto fail;
        if (!(order = sx_frame_sort_index(sub, kk, nkeys, err)))
            goto fail;
        for (size_t i = 0; i < n; i++)
            out[i] = sub_rows[order[i]];
    }
    free(order);
    free(sub_rows);
    sx_frame_free(sub);
    return out;
oom:
    sx_err_set(err, SX_ENOMEM, "out of memory sorting %zu rows", n);
fail:
    free(out);
    free(order);
    free(sub_rows);
    sx_frame_free(sub);
    return NULL;
}

void sx_table_apply_order(struct sx_table *t, const struct sx_sort_key *keys, size_t nkeys,
                          size_t *rows)
{
    size_t row = cur_frame_row(t);
    free(t->rows);
    t->rows = rows;
    memcpy(t->keys, keys, nkeys * sizeof *keys);
    t->nkeys = nkeys;
    keep_cursor(t, row);
}

enum sx_status sx_table_sort(struct sx_table *t, size_t col, int desc, int add,
                             struct sx_err *err)
{
    struct sx_sort_key keys[SX_TABLE_MAX_KEYS];
    size_t nkeys;
    enum sx_status rc = sx_table_sort_keys(t, col, desc, add, keys, &nkeys, err);
    if (rc != SX_OK)
        return rc;
    size_t *rows = sx_table_order(t, keys, nkeys, err);
    if (!rows)
        return err ? err->code : SX_ENOMEM;
    sx_table_apply_order(t, keys, nkeys, rows);
    return SX_OK;
}

/* ---- filtering ---- */

/* How the cells of a column are matched against a value. */
enum match_kind { M_NONE, M_MISSING, M_F64, M_NAN, M_I64, M_BOOL, M_CODE, M_TEXT };

struct match {
    enum match_kind kind;
    double f;
    int64_t i;
    uint32_t code;
    const char *text;
};

/* Decide how to match VALUE in column C (see the file comment). */
static struct match match_plan(const struct sx_column *c, const char *value)
{
    struct match m = {.kind = M_TEXT, .text = value};
    char buf[64];
    size_t len = value ? strlen(value) : 0;
    if (!value) {
        m.kind = M_MISSING;
        return m;
    }
    switch (c->type) {
    case SX_FLOAT:
        sx_num_format_double(NAN, buf);
        if (strcmp(buf, value) == 0) {
            m.kind = M_NAN;
        } else if (sx_num_parse_double(value, len, &m.f)) {
            sx_num_format_double(m.f, buf);
            m.kind = strcmp(buf, value) == 0 ? M_F64 : M_NONE;
        } else {
            m.kind = M_NONE;
        }
        break;
    case SX_INT:
        if (sx_num_parse_int(value, len, &m.i)) {
            snprintf(buf, sizeof buf, "%lld", (long long)m.i);
            m.kind = strcmp(buf, value) == 0 ? M_I64 : M_NONE;
        } else {
            m.kind = M_NONE;
        }
        break;
    case SX_BOOL:
        m.kind = M_BOOL;
        if (strcmp(value, "true") == 0)
            m.i = 1;
        else if (strcmp(value, "false") == 0)
            m.i = 0;
        else
            m.kind = M_NONE;
        break;
    case SX_DATE: {
        int ok = c->unit == SX_SECONDS ? sx_datetime_parse(value, len, &m.i)
                                       : sx_date_parse(value, len, &m.i);
        if (ok) {
            if (c->unit == SX_SECONDS)
                sx_datetime_format(m.i, buf);
            else
                sx_date_format(m.i, buf);
            ok = strcmp(buf, value) == 0;
        }
        m.kind = ok ? M_I64 : M_TEXT;   /* odd years: compare the text */
        break;
    }
    case SX_CATEGORY:
        m.code = c->dict ? sx_dict_find(c->dict, value, len) : UINT32_MAX;
        m.kind = m.code == UINT32_MAX ? M_NONE : M_CODE;
        break;
    case SX_TEXT:
        break;
    }
    return m;
}

static int match_cell(const struct sx_column *c, const struct match *m, size_t r)
{
    int valid = sx_col_valid(c, r);
    switch (m->kind) {
    case M_NONE: return 0;
    case M_MISSING: return !valid;
    case M_F64: {
        double x = c->v.f64[r];
        return valid && x == m->f && signbit(x) == signbit(m->f);
    }
    case M_NAN: return valid && isnan(c->v.f64[r]);
    case M_I64: return valid && c->v.i64[r] == m->i;
    case M_BOOL: return valid && c->v.b[r] == (uint8_t)m->i;
    case M_CODE: return valid && c->v.cat[r] == m->code;
    case M_TEXT:
        if (!valid)
            return 0;
        if (c->type == SX_TEXT)
            return strcmp(c->text + c->v.off[r], m->text) == 0;
        char buf[128];
        size_t n = sx_col_format(c, r, buf, sizeof buf);
        return n < sizeof buf - 1 && strcmp(buf, m->text) == 0;
    }
    return 0;
}

/* Append WHAT to the filter text, after ", " when there is one. */
static enum sx_status append_filter_text(struct sx_table *t, const char *what,
                                         struct sx_err *err)
{
    size_t old = t->filter ? strlen(t->filter) : 0;
    size_t need = old + strlen(what) + 3;
    char *s = malloc(need);
    if (!s)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    snprintf(s, need, "%s%s%s", old ? t->filter : "", old ? ", " : "", what);
    free(t->filter);
    t->filter = s;
    return SX_OK;
}

/* Append "NAME = VALUE" (or "NAME is missing") to the filter text. */
static enum sx_status add_filter_text(struct sx_table *t, size_t col, const char *value,
                                      struct sx_err *err)
{
    const char *name = t->names[col];
    size_t need = strlen(name) + (value ? strlen(value) : 0) + 16;
    char *s = malloc(need);
    if (!s)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    if (value)
        snprintf(s, need, "%s = %s", name, value);
    else
        snprintf(s, need, "%s is missing", name);
    enum sx_status rc = append_filter_text(t, s, err);
    free(s);
    return rc;
}

enum sx_status sx_table_filter_equal(struct sx_table *t, size_t col, const char *value,
                                     struct sx_err *err)
{
    if (col >= t->frame->ncols)
        return sx_err_set(err, SX_EINVAL, "no column %zu to filter by", col);
    const struct sx_column *c = t->frame->cols[col];
    struct match m = match_plan(c, value);
    size_t row = cur_frame_row(t);
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        if (match_cell(c, &m, t->rows[i]))
            t->rows[n++] = t->rows[i];
    enum sx_status rc = add_filter_text(t, col, value, err);
    t->nrows = n;
    /* Shrink the array (best effort: a failed realloc keeps the old one). */
    size_t *shrunk = realloc(t->rows, (n ? n : 1) * sizeof *t->rows);
    if (shrunk)
        t->rows = shrunk;
    keep_cursor(t, row);
    return rc;
}

enum sx_status sx_table_filter_mask(struct sx_table *t, const uint8_t *mask, const char *what,
                                    struct sx_err *err)
{
    enum sx_status rc = append_filter_text(t, what ? what : "expression", err);
    if (rc != SX_OK)
        return rc;
    size_t row = cur_frame_row(t);
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        if (mask[t->rows[i]])
            t->rows[n++] = t->rows[i];
    t->nrows = n;
    size_t *shrunk = realloc(t->rows, (n ? n : 1) * sizeof *t->rows);
    if (shrunk)
        t->rows = shrunk;
    keep_cursor(t, row);
    return SX_OK;
}

enum sx_status sx_table_clear_filter(struct sx_table *t, struct sx_err *err)
{
    size_t n = t->frame->nrows;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows)
        return sx_err_set(err, SX_ENOMEM, "out of memory showing %zu rows", n);
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    size_t row = cur_frame_row(t);
    size_t *old = t->rows;
    size_t old_n = t->nrows;
    t->rows = rows;
    t->nrows = n;
    if (t->nkeys) {
        size_t *sorted = sx_table_order(t, t->keys, t->nkeys, err);
        if (!sorted) {
            t->rows = old;
            t->nrows = old_n;
            free(rows);
            return err ? err->code : SX_ENOMEM;
        }
        free(rows);
        t->rows = sorted;
    }
    free(old);
    free(t->filter);
    t->filter = NULL;
    keep_cursor(t, row);
    return SX_OK;
}

/* ---- columns ---- */

enum sx_status sx_table_rename(struct sx_table *t, size_t col, const char *name,
                               struct sx_err *err)
{
    if (col >= t->frame->ncols)
        return sx_err_set(err, SX_EINVAL, "no column %zu to rename", col);
    if (!name || !*name)
        return sx_err_set(err, SX_EINVAL, "a column name cannot be empty");
    for (size_t j = 0; j < t->frame->ncols; j++)
        if (j != col && strcmp(t->names[j], name) == 0)
            return sx_err_set(err, SX_EEXIST, "there is already a column with that name");
    char *copy = dupstr(name);
    if (!copy)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    free(t->names[col]);
    t->names[col] = copy;
    return SX_OK;
}

/* Hiding the last visible column is ignored: a table always shows one. */
void sx_table_hide(struct sx_table *t, size_t col)
{
    if (t->ncols <= 1)
        return;
    size_t cur = sx_table_cur_frame_col(t);
    size_t n = 0;
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j] != col)
            t->cols[n++] = t->cols[j];
    if (n == t->ncols)
        return;
    t->ncols = n;
    if (cur == col) {
        if (t->cur_col >= n)
            t->cur_col = n - 1;   /* the column to the right, else the last */
    } else {
        sx_table_goto_col(t, cur);
    }
}

void sx_table_show_all(struct sx_table *t)
{
    size_t cur = sx_table_cur_frame_col(t);
    for (size_t j = 0; j < t->frame->ncols; j++)
        t->cols[j] = j;
    t->ncols = t->frame->ncols;
    if (cur != (size_t)-1)
        sx_table_goto_col(t, cur);
}

enum sx_status sx_table_set_type(struct sx_table *t, size_t col, enum sx_type type,
                                 size_t *lost, struct sx_err *err)
{
    if (col >= t->frame->ncols)
        return sx_err_set(err, SX_EINVAL, "no column %zu to convert", col);
    if (lost)
        *lost = 0;
    struct sx_column *old = t->frame->cols[col], *out = NULL;
    if (old->type == type)
        return SX_OK;
    enum sx_status rc = sx_col_convert(old, type, &out, lost, err);
    if (rc != SX_OK)
        return rc;
    t->frame->cols[col] = out;
    sx_col_free(old);
    return SX_OK;
}

int sx_table_goto_col(struct sx_table *t, size_t col)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j] == col) {
            t->cur_col = j;
            return 1;
        }
    return 0;
}

/* ---- derived columns ---- */

enum sx_status sx_table_add_column(struct sx_table *t, struct sx_column *c, struct sx_err *err)
{
    struct sx_frame *f = t->frame;
    if (!c->name || !*c->name)
        return sx_err_set(err, SX_EINVAL, "a column name cannot be empty");
    if (c->len != f->nrows)
        return sx_err_set(err, SX_EINVAL, "the new column has %zu rows, the table %zu",
                          c->len, f->nrows);
    for (size_t j = 0; j < f->ncols; j++)
        if (strcmp(t->names[j], c->name) == 0 || strcmp(f->cols[j]->name, c->name) == 0)
            return sx_err_set(err, SX_EEXIST, "there is already a column named %s", c->name);
    size_t n = f->ncols + 1;
    /* Grow the table's arrays first: if that fails, nothing changed. */
    char **names = realloc(t->names, n * sizeof *names);
    if (!names)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    t->names = names;
    size_t *cols = realloc(t->cols, n * sizeof *cols);
    if (!cols)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    t->cols = cols;
    char *name = dupstr(c->name);
    if (!name)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    enum sx_status rc = sx_frame_adopt(f, c, err);
    if (rc != SX_OK) {
        free(name);
        return rc;
    }
    size_t fc = f->ncols - 1;
    t->names[fc] = name;
    size_t at = t->ncols ? t->cur_col + 1 : 0;
    if (at > t->ncols)
        at = t->ncols;
    memmove(t->cols + at + 1, t->cols + at, (t->ncols - at) * sizeof *t->cols);
    t->cols[at] = fc;
    t->ncols++;
    t->cur_col = at;
    return SX_OK;
}

enum sx_status sx_table_schema(const struct sx_table *t, struct sx_table_schema *s,
                               struct sx_err *err)
{
    const struct sx_frame *f = t->frame;
    size_t n = f->ncols;
    memset(s, 0, sizeof *s);
    s->ptrs = malloc((n ? n : 1) * sizeof *s->ptrs);
    s->cols = malloc((n ? n : 1) * sizeof *s->cols);
    if (!s->ptrs || !s->cols) {
        sx_table_schema_free(s);
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < n; j++) {
        s->cols[j] = *f->cols[j];       /* shares every buffer */
        s->cols[j].name = t->names[j];
        s->ptrs[j] = &s->cols[j];
    }
    s->frame.cols = s->ptrs;
    s->frame.ncols = s->frame.cap = n;
    s->frame.nrows = f->nrows;
    return SX_OK;
}

void sx_table_schema_free(struct sx_table_schema *s)
{
    free(s->ptrs);
    free(s->cols);
    memset(s, 0, sizeof *s);
}
