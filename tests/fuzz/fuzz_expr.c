/* tests/fuzz/fuzz_expr.c: libFuzzer target for core/expr: every input is
 * parsed as an expression, checked against a fixed small frame holding
 * each column type (with missing cells and extreme values), evaluated as a
 * column and as a filter mask, and turned into SQL in every dialect. It
 * must never crash, leak or hang. Built and run by `make fuzz`. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "expr.h"
#include "frame.h"

#define ROWS 300

static struct sx_frame *frame;

static void add(struct sx_column *c)
{
    struct sx_err err;
    if (!c || sx_frame_adopt(frame, c, &err) != SX_OK)
        abort();
}

/* Row I of each column: a cycle of ordinary and extreme values, with
 * missing cells at different rows per column. */
static struct sx_frame *make_frame(void)
{
    static const double fv[] = {0.5, -2, 0, -0.0, 1e308, -1e308, INFINITY, -INFINITY, NAN,
                                3.25, 1e-300, 2.675, 123456.789, -7.5};
    static const int64_t iv[] = {0, 1, -1, 7, -7, INT64_MAX, INT64_MIN, 42, 1000000007, -3};
    static const char *const sv[] = {"north", "South", "", "east west", "ünïcödé", "a'b\"c",
                                     "NORTH", "x"};
    static const char *const tv[] = {"free text, with commas", "", "日本語のテキスト", "tab\there",
                                     "quote ' and \"", "north"};
    frame = sx_frame_new();
    struct sx_column *x = sx_col_new("x", SX_FLOAT), *y = sx_col_new("odd name", SX_FLOAT),
                     *n = sx_col_new("n", SX_INT), *b = sx_col_new("flag", SX_BOOL),
                     *d = sx_col_new("d", SX_DATE), *ts = sx_col_new("ts", SX_DATE),
                     *r = sx_col_new("region", SX_CATEGORY), *t = sx_col_new("notes", SX_TEXT);
    if (!x || !y || !n || !b || !d || !ts || !r || !t)
        abort();
    ts->unit = SX_SECONDS;
    for (int64_t i = 0; i < ROWS; i++) {
        int ok = 1;
        ok &= (i % 11 == 5 ? sx_col_push_missing(x) : sx_col_push_f64(x, fv[i % 14])) == SX_OK;
        ok &= (i % 13 == 2 ? sx_col_push_missing(y) : sx_col_push_f64(y, fv[(i * 7) % 14])) == SX_OK;
        ok &= (i % 9 == 4 ? sx_col_push_missing(n) : sx_col_push_i64(n, iv[i % 10])) == SX_OK;
        ok &= (i % 7 == 3 ? sx_col_push_missing(b) : sx_col_push_bool(b, (int)(i % 3 == 0))) == SX_OK;
        int64_t day = i % 17 == 16 ? ((i % 2) ? 3000000 : -3000000) : (i * 37) % 2000 + 17000;
        ok &= (i % 10 == 9 ? sx_col_push_missing(d) : sx_col_push_i64(d, day)) == SX_OK;
        ok &= (i % 12 == 1 ? sx_col_push_missing(ts) : sx_col_push_i64(ts, day * 86400 + i * 3607))
              == SX_OK;
        const char *s = sv[i % 8];
        ok &= (i % 8 == 6 && i % 3 == 0 ? sx_col_push_missing(r) : sx_col_push_str(r, s, strlen(s)))
              == SX_OK;
        const char *u = tv[i % 6];
        ok &= (i % 5 == 4 ? sx_col_push_missing(t) : sx_col_push_str(t, u, strlen(u))) == SX_OK;
        if (!ok)
            abort();
    }
    add(x);
    add(y);
    add(n);
    add(b);
    add(d);
    add(ts);
    add(r);
    add(t);
    return frame;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!frame)
        make_frame();
    if (size > 2 * SX_EXPR_MAX_LEN)
        return 0;
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    struct sx_err err;
    int col = 0;
    char caret[256];
    struct sx_expr *e = sx_expr_parse(src, &err, &col);
    if (!e) {
        sx_expr_caret(src, col, caret, sizeof caret);
        sx_expr_caret(src, col, caret, 8);
        free(src);
        return 0;
    }
    if (sx_expr_check(e, frame, &err, &col) == SX_OK) {
        enum sx_date_unit unit;
        enum sx_type t = sx_expr_type(e, &unit);
        struct sx_column *c = sx_expr_eval(e, frame, "out", &err);
        if (c) {
            if (c->type != t || c->len != frame->nrows)
                abort();
            for (size_t i = 0; i < c->len; i++) {
                char buf[64];
                sx_col_format(c, i, buf, sizeof buf);
            }
            sx_col_free(c);
        }
        uint8_t mask[ROWS];
        if (t == SX_BOOL && sx_expr_eval_mask(e, frame, mask, &err) != SX_OK)
            abort();
        for (int d = SX_SQL_SQLITE; d <= SX_SQL_SPARK; d++)
            free(sx_expr_sql(e, (enum sx_sql_dialect)d, &err));
    } else {
        sx_expr_caret(src, col, caret, sizeof caret);
    }
    sx_expr_free(e);
    free(src);
    return 0;
}
