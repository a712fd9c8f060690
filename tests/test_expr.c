/* tests/test_expr.c: the expression language (core/expr.h): every parser
 * and checker error (message and column), each operator and function with
 * missing values and edge cases, SQL's three-valued logic, depth and length
 * limits, dates across year boundaries (reference values from Python's
 * datetime), strings, ints against floats, evaluation across chunks of a
 * large frame, carets, and the SQL export: exact text per dialect and a
 * round trip through an in-memory SQLite table compared with sx_expr_eval. */
#include <math.h>
#include <sqlite3.h>

#include "testutil.h"

#include "dates.h"
#include "expr.h"
#include "frame.h"

#define NA_I INT64_MIN

/* ---- frames ---- */

static void adopt(struct sx_frame *f, struct sx_column *c)
{
    struct sx_err err;
    cr_assert_not_null(c);
    cr_assert_eq(sx_frame_adopt(f, c, &err), SX_OK, "%s", err.msg);
}

static struct sx_column *fcol(const char *name, int n, const double *v)
{
    struct sx_column *c = sx_col_new(name, SX_FLOAT);
    for (int i = 0; i < n; i++)
        cr_assert_eq(isnan(v[i]) ? sx_col_push_missing(c) : sx_col_push_f64(c, v[i]), SX_OK);
    return c;
}

static struct sx_column *icol(const char *name, int n, const int64_t *v)
{
    struct sx_column *c = sx_col_new(name, SX_INT);
    for (int i = 0; i < n; i++)
        cr_assert_eq(v[i] == NA_I ? sx_col_push_missing(c) : sx_col_push_i64(c, v[i]), SX_OK);
    return c;
}

/* Bools: 1, 0, or -1 for missing. */
static struct sx_column *bcol(const char *name, int n, const int *v)
{
    struct sx_column *c = sx_col_new(name, SX_BOOL);
    for (int i = 0; i < n; i++)
        cr_assert_eq(v[i] < 0 ? sx_col_push_missing(c) : sx_col_push_bool(c, v[i]), SX_OK);
    return c;
}

/* Dates ("YYYY-MM-DD") or timestamps ("YYYY-MM-DD HH:MM:SS"); NULL missing. */
static struct sx_column *dcol(const char *name, int n, const char *const *v, enum sx_date_unit unit)
{
    struct sx_column *c = sx_col_new(name, SX_DATE);
    c->unit = unit;
    for (int i = 0; i < n; i++) {
        int64_t t;
        if (!v[i]) {
            cr_assert_eq(sx_col_push_missing(c), SX_OK);
            continue;
        }
        if (unit == SX_DAYS)
            cr_assert(sx_date_parse(v[i], strlen(v[i]), &t), "%s", v[i]);
        else
            cr_assert(sx_datetime_parse(v[i], strlen(v[i]), &t), "%s", v[i]);
        cr_assert_eq(sx_col_push_i64(c, t), SX_OK);
    }
    return c;
}

/* Strings of a CATEGORY or TEXT column; NULL missing. */
static struct sx_column *scol(const char *name, enum sx_type type, int n, const char *const *v)
{
    struct sx_column *c = sx_col_new(name, type);
    for (int i = 0; i < n; i++)
        cr_assert_eq(v[i] ? sx_col_push_str(c, v[i], strlen(v[i])) : sx_col_push_missing(c), SX_OK);
    return c;
}

/* The main test frame: six rows of every column type. */
static struct sx_frame *frame6(void)
{
    struct sx_frame *f = sx_frame_new();
    adopt(f, fcol("x", 6, (double[]){1.5, -2, NAN, 0, 10, 2.5}));
    adopt(f, fcol("y", 6, (double[]){2, 0, 1, NAN, -4, 0.5}));
    adopt(f, icol("n", 6, (int64_t[]){7, -7, 3, NA_I, 0, 2}));
    adopt(f, icol("m", 6, (int64_t[]){2, 3, 0, 5, NA_I, -1}));
    adopt(f, bcol("flag", 6, (int[]){1, 0, -1, 1, 0, 1}));
    adopt(f, dcol("d", 6,
                  (const char *[]){"2021-01-03", "2020-12-31", NULL, "2024-06-15", "2019-12-30",
                                   "2023-09-30"},
                  SX_DAYS));
    adopt(f, dcol("ts", 6,
                  (const char *[]){"2021-01-03 13:45:00", "1969-12-31 23:59:59", NULL,
                                   "2024-06-15 00:00:00", "2019-12-30 06:00:00",
                                   "2023-09-30 23:59:59"},
                  SX_SECONDS));
    adopt(f, scol("region", SX_CATEGORY, 6,
                  (const char *[]){"North", "south", NULL, "North", "East", ""}));
    adopt(f, scol("notes", SX_TEXT, 6,
                  (const char *[]){"Free text, with commas", "south", NULL, "naïve café", "x", ""}));
    adopt(f, fcol("odd name", 6, (double[]){1, 2, 3, 4, 5, 6}));
    adopt(f, scol("say \"hi\"", SX_CATEGORY, 6,
                  (const char *[]){"it's", "no", "it's", NULL, "", "x"}));
    return f;
}

/* ---- helpers ---- */

/* Parse and check SRC against F, asserting success. */
static struct sx_expr *compile(const char *src, const struct sx_frame *f)
{
    struct sx_err err;
    int col = -1;
    struct sx_expr *e = sx_expr_parse(src, &err, &col);
    cr_assert_not_null(e, "parse '%s': %s", src, err.msg);
    cr_assert_eq(col, 0);
    cr_assert_eq(sx_expr_check(e, f, &err, &col), SX_OK, "check '%s': %s", src, err.msg);
    cr_assert_eq(col, 0);
    return e;
}

/* The cells of C as one string: numbers as sx_col_format writes them,
 * strings in single quotes, NA for missing, separated by spaces. */
static char *render(const struct sx_column *c)
{
    size_t cap = 64 + c->len * 48, o = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < c->len; i++) {
        char cell[64];
        sx_col_format(c, i, cell, sizeof cell);
        int str = c->type == SX_CATEGORY || c->type == SX_TEXT;
        o += (size_t)snprintf(out + o, cap - o, "%s%s%s%s%s", i ? " " : "",
                              sx_col_valid(c, i) && str ? "'" : "",
                              sx_col_valid(c, i) ? cell : "NA", sx_col_valid(c, i) && str ? "'" : "",
                              "");
    }
    return out;
}

/* Evaluate SRC over F and compare every cell with WANT (see render) and the
 * column's type with TYPE. */
static void expect_on(const struct sx_frame *f, const char *src, enum sx_type type, const char *want)
{
    struct sx_err err;
    struct sx_expr *e = compile(src, f);
    struct sx_column *c = sx_expr_eval(e, f, "out", &err);
    cr_assert_not_null(c, "eval '%s': %s", src, err.msg);
    cr_assert_eq(c->len, f->nrows);
    cr_assert_str_eq(c->name, "out");
    char *got = render(c);
    cr_expect_str_eq(got, want, "'%s': got [%s], want [%s]", src, got, want);
    cr_expect_eq(c->type, type, "'%s': type %s, want %s", src, sx_type_name(c->type),
                 sx_type_name(type));
    cr_expect_eq(sx_expr_type(e, NULL), type);
    free(got);
    sx_col_free(c);
    sx_expr_free(e);
}

static void expect(const char *src, enum sx_type type, const char *want)
{
    struct sx_frame *f = frame6();
    expect_on(f, src, type, want);
    sx_frame_free(f);
}

/* The first cell of SRC (a constant expression) over a one-row frame. */
static void scalar(const char *src, const char *want)
{
    struct sx_frame *f = sx_frame_new();
    adopt(f, fcol("x", 1, (double[]){1}));
    struct sx_err err;
    struct sx_expr *e = compile(src, f);
    struct sx_column *c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c, "eval '%s': %s", src, err.msg);
    char *got = render(c);
    cr_expect_str_eq(got, want, "'%s': got %s, want %s", src, got, want);
    free(got);
    sx_col_free(c);
    sx_expr_free(e);
    sx_frame_free(f);
}

/* Floats of SRC over F against WANT (NAN: missing), exactly. */
static void expect_f(const struct sx_frame *f, const char *src, const double *want)
{
    struct sx_err err;
    struct sx_expr *e = compile(src, f);
    struct sx_column *c = sx_expr_eval(e, f, "out", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_assert_eq(c->type, SX_FLOAT, "'%s' is %s", src, sx_type_name(c->type));
    for (size_t i = 0; i < c->len; i++) {
        if (isnan(want[i]))
            cr_expect(!sx_col_valid(c, i), "'%s' row %zu: want missing, got %.17g", src, i,
                      c->v.f64[i]);
        else
            cr_expect(sx_col_valid(c, i) && c->v.f64[i] == want[i],
                      "'%s' row %zu: got %.17g (present %d), want %.17g", src, i, c->v.f64[i],
                      sx_col_valid(c, i), want[i]);
    }
    sx_col_free(c);
    sx_expr_free(e);
}

/* Parsing SRC fails with MSG (whole message) at column COL and status CODE. */
static void parse_fails(const char *src, enum sx_status code, const char *msg, int col)
{
    struct sx_err err;
    int ecol = -1;
    struct sx_expr *e = sx_expr_parse(src, &err, &ecol);
    cr_assert_null(e, "'%s' parsed", src);
    cr_expect_str_eq(err.msg, msg, "'%s': got \"%s\", want \"%s\"", src, err.msg, msg);
    cr_expect_eq(ecol, col, "'%s': column %d, want %d", src, ecol, col);
    cr_expect_eq(err.code, code, "'%s': code %d, want %d", src, err.code, code);
}

/* SRC parses but checking it against the main frame fails. */
static void check_fails(const char *src, enum sx_status code, const char *msg, int col)
{
    struct sx_frame *f = frame6();
    struct sx_err err;
    int ecol = -1;
    struct sx_expr *e = sx_expr_parse(src, &err, &ecol);
    cr_assert_not_null(e, "'%s': %s", src, err.msg);
    cr_expect_eq(sx_expr_check(e, f, &err, &ecol), code, "'%s': %s", src, err.msg);
    cr_expect_str_eq(err.msg, msg, "'%s': got \"%s\", want \"%s\"", src, err.msg, msg);
    cr_expect_eq(ecol, col, "'%s': column %d, want %d", src, ecol, col);
    cr_expect_null(sx_expr_sql(e, SX_SQL_SQLITE, &err), "SQL of an unchecked expression");
    sx_expr_free(e);
    sx_frame_free(f);
}

static char *repeat(const char *s, int n, const char *mid, const char *s2, int n2)
{
    size_t len = strlen(s) * (size_t)n + strlen(mid) + strlen(s2) * (size_t)n2 + 1;
    char *out = malloc(len);
    cr_assert_not_null(out);
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        strcat(out, s);
    strcat(out, mid);
    for (int i = 0; i < n2; i++)
        strcat(out, s2);
    return out;
}

/* ---- parser errors ---- */

Test(expr_parse, errors_name_the_token_and_column)
{
    parse_fails("", SX_EPARSE, "1:1: expected a value, got end of expression", 1);
    parse_fails("   ", SX_EPARSE, "1:4: expected a value, got end of expression", 4);
    parse_fails("x +", SX_EPARSE, "1:4: expected a value, got end of expression", 4);
    parse_fails("(x", SX_EPARSE, "1:3: expected ')', got end of expression", 3);
    parse_fails("(((1)", SX_EPARSE, "1:6: expected ')', got end of expression", 6);
    parse_fails("1 2", SX_EPARSE, "1:3: expected an operator or end of expression, got '2'", 3);
    parse_fails("x y", SX_EPARSE, "1:3: expected an operator or end of expression, got 'y'", 3);
    parse_fails("x not 1", SX_EPARSE,
                "1:3: expected an operator or end of expression, got 'not'", 3);
    parse_fails("a = b = c", SX_EPARSE,
                "1:7: expected an operator or end of expression, got '='", 7);
    parse_fails("x )", SX_EPARSE, "1:3: expected an operator or end of expression, got ')'", 3);
    parse_fails("'abc", SX_EPARSE, "1:1: unterminated string", 1);
    parse_fails("x = 'it''s", SX_EPARSE, "1:5: unterminated string", 5);
    parse_fails("\"abc", SX_EPARSE, "1:1: unterminated quoted name", 1);
    parse_fails("\"\" + 1", SX_EPARSE, "1:1: empty column name", 1);
    parse_fails("x $ 1", SX_EPARSE, "1:3: unexpected character '$'", 3);
    parse_fails("x ! 1", SX_EPARSE, "1:3: unexpected character '!'", 3);
    parse_fails("x; 1", SX_EPARSE, "1:2: unexpected character ';'", 2);
    parse_fails("température", SX_EPARSE, "1:5: unexpected byte 0xc3", 5);
    parse_fails("x\x01", SX_EPARSE, "1:2: unexpected byte 0x01", 2);
    parse_fails("and", SX_EPARSE, "1:1: expected a value, got 'and'", 1);
    parse_fails("x and", SX_EPARSE, "1:6: expected a value, got end of expression", 6);
    parse_fails("x or or", SX_EPARSE, "1:6: expected a value, got 'or'", 6);
    parse_fails("1 + in", SX_EPARSE, "1:5: expected a value, got 'in'", 5);
    parse_fails("1 + not x", SX_EPARSE, "1:5: expected a value, got 'not'", 5);
    parse_fails("x = = 1", SX_EPARSE, "1:5: expected a value, got '='", 5);
    parse_fails("* 2", SX_EPARSE, "1:1: expected a value, got '*'", 1);
    parse_fails("()", SX_EPARSE, "1:2: expected a value, got ')'", 2);
    parse_fails("1e999", SX_EPARSE, "1:1: number out of range: '1e999'", 1);
    parse_fails("foo(1)", SX_EPARSE, "1:1: unknown function 'foo'", 1);
    parse_fails("x + Foo(1)", SX_EPARSE, "1:5: unknown function 'Foo'", 5);
    parse_fails("log(1, 2)", SX_EPARSE, "1:1: log takes 1 argument, got 2", 1);
    parse_fails("log()", SX_EPARSE, "1:1: log takes 1 argument, got 0", 1);
    parse_fails("if(1, 2)", SX_EPARSE, "1:1: if takes 3 arguments, got 2", 1);
    parse_fails("pow(2)", SX_EPARSE, "1:1: pow takes 2 arguments, got 1", 1);
    parse_fails("1 + round()", SX_EPARSE, "1:5: round takes 1 to 2 arguments, got 0", 5);
    parse_fails("min(1)", SX_EPARSE, "1:1: min takes at least 2 arguments, got 1", 1);
    parse_fails("coalesce()", SX_EPARSE, "1:1: coalesce takes at least 1 argument, got 0", 1);
    parse_fails("if(flag, 2", SX_EPARSE, "1:11: expected ',' or ')', got end of expression", 11);
    parse_fails("abs(1 2)", SX_EPARSE, "1:7: expected ',' or ')', got '2'", 7);
    parse_fails("abs(1,)", SX_EPARSE, "1:7: expected a value, got ')'", 7);
    parse_fails("x between 1 or 2", SX_EPARSE, "1:13: expected 'and', got 'or'", 13);
    parse_fails("x between 1", SX_EPARSE, "1:12: expected 'and', got end of expression", 12);
    parse_fails("x not between and 2", SX_EPARSE, "1:15: expected a value, got 'and'", 15);
    parse_fails("x in 1", SX_EPARSE, "1:6: expected '(', got '1'", 6);
    parse_fails("x in ()", SX_EPARSE, "1:7: expected a value, got ')'", 7);
    parse_fails("x in (1, 2", SX_EPARSE, "1:11: expected ',' or ')', got end of expression", 11);
    parse_fails("x is 1", SX_EPARSE, "1:6: expected 'null', got '1'", 6);
    parse_fails("x is not", SX_EPARSE, "1:9: expected 'null', got end of expression", 9);
    /* lines and columns across newlines (also inside a string) */
    parse_fails("x +\n  * 2", SX_EPARSE, "2:3: expected a value, got '*'", 3);
    parse_fails("'a\nb' +\n\n 'c' 'd'", SX_EPARSE,
                "4:6: expected an operator or end of expression, got ''d''", 6);
    /* a long token is cut in the message */
    parse_fails("1 abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij", SX_EPARSE,
                "1:3: expected an operator or end of expression, got "
                "'abcdefghijabcdefghijabcdefghijabcdefghij...'",
                3);
    /* control characters in the token become '?' */
    parse_fails("1 'a\tb'", SX_EPARSE,
                "1:3: expected an operator or end of expression, got ''a?b''", 3);
    parse_fails(NULL, SX_EINVAL, "1:1: no expression", 1);
}

Test(expr_parse, depth_limit_is_an_error_not_a_crash)
{
    struct sx_err err;
    int col;
    /* the whole expression is level 1: 63 parentheses fit, 64 do not */
    char *ok = repeat("(", SX_EXPR_MAX_DEPTH - 1, "1", ")", SX_EXPR_MAX_DEPTH - 1);
    struct sx_expr *e = sx_expr_parse(ok, &err, &col);
    cr_assert_not_null(e, "%s", err.msg);
    sx_expr_free(e);
    free(ok);
    char *deep = repeat("(", SX_EXPR_MAX_DEPTH, "1", ")", SX_EXPR_MAX_DEPTH);
    parse_fails(deep, SX_ELIMIT, "1:65: expression nested too deeply (more than 64 levels)", 65);
    free(deep);
    /* every kind of nesting counts: not, unary minus, ^, function calls */
    const char *chains[] = {"not ", "- ", "2 ^ ", "abs("};
    for (size_t i = 0; i < 4; i++) {
        char *s = repeat(chains[i], 200, i == 1 || i == 2 ? "1" : (i == 0 ? "flag" : "1"),
                         i == 3 ? ")" : "", 200);
        e = sx_expr_parse(s, &err, &col);
        cr_expect_null(e, "chain %zu parsed", i);
        cr_expect_eq(err.code, SX_ELIMIT);
        cr_expect(strstr(err.msg, "nested too deeply") != NULL, "%s", err.msg);
        sx_expr_free(e);
        free(s);
    }
    /* a thousand-deep attack stays an error too */
    char *huge = repeat("(", 2000, "", "", 0);
    e = sx_expr_parse(huge, &err, &col);
    cr_expect_null(e);
    cr_expect_eq(err.code, SX_ELIMIT);
    free(huge);
}

Test(expr_parse, length_limit)
{
    struct sx_err err;
    int col;
    /* "1+1+…+1": 2048 ones in 4095 bytes is a long flat chain, not deep */
    char *s = repeat("1+", 2047, "1", "", 0);
    cr_assert_eq(strlen(s), 4095);
    struct sx_frame *f = sx_frame_new();
    adopt(f, fcol("x", 1, (double[]){1}));
    struct sx_expr *e = compile(s, f);
    struct sx_column *c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_eq(c->v.i64[0], 2048);
    sx_col_free(c);
    sx_expr_free(e);
    free(s);
    s = repeat(" ", SX_EXPR_MAX_LEN - 1, "1", "", 0);
    e = sx_expr_parse(s, &err, &col);
    cr_expect_not_null(e, "exactly %d bytes: %s", SX_EXPR_MAX_LEN, err.msg);
    sx_expr_free(e);
    free(s);
    s = repeat(" ", SX_EXPR_MAX_LEN, "1", "", 0);
    parse_fails(s, SX_ELIMIT, "1:1: expression longer than 4096 bytes", 1);
    free(s);
    sx_frame_free(f);
}

/* ---- checker errors ---- */

Test(expr_check, unknown_names)
{
    check_fails("tempx * 2", SX_ENOTFOUND, "1:1: unknown column 'tempx'", 1);
    check_fails("x + \"no such\"", SX_ENOTFOUND, "1:5: unknown column 'no such' (\"…\" names a column; a string is written in single quotes)", 5);
    check_fails("N > 1", SX_ENOTFOUND, "1:1: unknown column 'N'", 1); /* names are case-sensitive */
    check_fails("abs(x) + \"odd  name\"", SX_ENOTFOUND, "1:10: unknown column 'odd  name' (\"…\" names a column; a string is written in single quotes)", 10);
}

Test(expr_check, type_errors_point_at_the_operator)
{
    check_fails("x + region", SX_ETYPE, "1:3: cannot add number and string", 3);
    check_fails("region - 1", SX_ETYPE, "1:8: cannot subtract number from string", 8);
    check_fails("region * 2", SX_ETYPE, "1:8: cannot multiply string by number", 8);
    check_fails("2 / notes", SX_ETYPE, "1:3: cannot divide number by string", 3);
    check_fails("region % 2", SX_ETYPE, "1:8: cannot apply '%' to string and number", 8);
    check_fails("flag ^ 2", SX_ETYPE, "1:6: cannot apply '^' to bool and number", 6);
    check_fails("flag + 1", SX_ETYPE, "1:6: cannot add bool and number", 6);
    check_fails("d + 1", SX_ETYPE, "1:3: cannot add date and number", 3);
    check_fails("d + d", SX_ETYPE, "1:3: cannot add date and date", 3);
    check_fails("d - 1", SX_ETYPE, "1:3: cannot subtract number from date", 3);
    check_fails("d - ts", SX_ETYPE, "1:3: cannot subtract timestamp from date", 3);
    check_fails("-region", SX_ETYPE, "1:1: cannot negate string", 1);
    check_fails("- d", SX_ETYPE, "1:1: cannot negate date", 1);
    check_fails("not x", SX_ETYPE, "1:1: 'not' needs a condition (bool), got number", 1);
    check_fails("x and flag", SX_ETYPE, "1:3: 'and' needs conditions (bool), got number", 3);
    check_fails("flag or region", SX_ETYPE, "1:6: 'or' needs conditions (bool), got string", 6);
    check_fails("x = region", SX_ETYPE, "1:3: cannot compare number and string", 3);
    check_fails("flag < 1", SX_ETYPE, "1:6: cannot compare bool and number", 6);
    check_fails("d = ts", SX_ETYPE, "1:3: cannot compare date and timestamp", 3);
    check_fails("d = x", SX_ETYPE, "1:3: cannot compare date and number", 3);
    check_fails("x between 1 and 'a'", SX_ETYPE, "1:17: cannot compare number and string", 17);
    check_fails("x in (1, 'a', 2)", SX_ETYPE, "1:10: cannot compare number and string", 10);
    check_fails("d > '2020-13-01'", SX_ETYPE, "1:5: '2020-13-01' is not a date (YYYY-MM-DD)", 5);
    check_fails("'yesterday' < d", SX_ETYPE, "1:1: 'yesterday' is not a date (YYYY-MM-DD)", 1);
    check_fails("d = '2020-01-01 10:00:00'", SX_ETYPE,
                "1:5: '2020-01-01 10:00:00' is not a date (YYYY-MM-DD)", 5);
    check_fails("ts > 'noon'", SX_ETYPE,
                "1:6: 'noon' is not a timestamp (YYYY-MM-DD HH:MM:SS)", 6);
    check_fails("d in ('2020-01-01', '2020-02-30')", SX_ETYPE,
                "1:21: '2020-02-30' is not a date (YYYY-MM-DD)", 21);
}

Test(expr_check, function_argument_errors)
{
    check_fails("if(x, 1, 2)", SX_ETYPE, "1:4: if expects a condition (bool) first, got number", 4);
    check_fails("if(flag, 1, 'a')", SX_ETYPE, "1:1: if mixes number and string", 1);
    check_fails("if(flag, d, ts)", SX_ETYPE, "1:1: if mixes date and timestamp", 1);
    check_fails("coalesce(x, null, region)", SX_ETYPE, "1:1: coalesce mixes number and string", 1);
    check_fails("if(flag, d, 'soon')", SX_ETYPE, "1:13: 'soon' is not a date (YYYY-MM-DD)", 13);
    check_fails("log(region)", SX_ETYPE, "1:5: log expects a number, got string", 5);
    check_fails("exp(flag)", SX_ETYPE, "1:5: exp expects a number, got bool", 5);
    check_fails("sqrt(d)", SX_ETYPE, "1:6: sqrt expects a number, got date", 6);
    check_fails("abs('a')", SX_ETYPE, "1:5: abs expects a number, got string", 5);
    check_fails("sign(flag)", SX_ETYPE, "1:6: sign expects a number, got bool", 6);
    check_fails("pow(2, region)", SX_ETYPE, "1:8: pow expects numbers, got string", 8);
    check_fails("min(x, n, region)", SX_ETYPE, "1:11: min expects numbers, got string", 11);
    check_fails("max(d, d)", SX_ETYPE, "1:5: max expects numbers, got date", 5);
    check_fails("clip(x, 0, 'a')", SX_ETYPE, "1:12: clip expects numbers, got string", 12);
    check_fails("round(x, 1.5)", SX_ETYPE, "1:10: round's digits must be an integer from 0 to 15", 10);
    check_fails("round(x, n)", SX_ETYPE, "1:10: round's digits must be an integer from 0 to 15", 10);
    check_fails("round(x, 16)", SX_ETYPE, "1:10: round's digits must be an integer from 0 to 15", 10);
    check_fails("round(x, -1)", SX_ETYPE, "1:10: round's digits must be an integer from 0 to 15", 10);
    check_fails("floor(notes)", SX_ETYPE, "1:7: floor expects a number, got string", 7);
    check_fails("year(x)", SX_ETYPE, "1:6: year expects a date, got number", 6);
    check_fails("season(region)", SX_ETYPE, "1:8: season expects a date, got string", 8);
    check_fails("week('2021-02-29')", SX_ETYPE, "1:6: '2021-02-29' is not a date (YYYY-MM-DD)", 6);
    check_fails("lower(x)", SX_ETYPE, "1:7: lower expects a string, got number", 7);
    check_fails("length(d)", SX_ETYPE, "1:8: length expects a string, got date", 8);
    check_fails("contains(region, 1)", SX_ETYPE, "1:18: contains expects strings, got number", 18);
}

Test(expr_check, misuse_of_the_api)
{
    struct sx_frame *f = frame6();
    struct sx_err err;
    int col;
    cr_expect_eq(sx_expr_check(NULL, f, &err, &col), SX_EINVAL);
    struct sx_expr *e = sx_expr_parse("x + 1", &err, &col);
    cr_assert_not_null(e);
    /* not checked yet */
    cr_expect_null(sx_expr_eval(e, f, "v", &err));
    cr_expect_str_eq(err.msg, "expression not checked");
    uint8_t mask[6];
    cr_expect_eq(sx_expr_eval_mask(e, f, mask, &err), SX_EINVAL);
    cr_expect_null(sx_expr_sql(e, SX_SQL_SQLITE, &err));
    cr_expect_eq(sx_expr_type(e, NULL), SX_FLOAT);
    cr_expect_eq(sx_expr_check(e, NULL, &err, &col), SX_EINVAL);
    /* a number is not a filter */
    cr_assert_eq(sx_expr_check(e, f, &err, &col), SX_OK);
    cr_expect_eq(sx_expr_eval_mask(e, f, mask, &err), SX_ETYPE);
    cr_expect_str_eq(err.msg, "1:3: expected a condition (bool), got number");
    /* a frame whose column changed type since the check */
    struct sx_frame *g = sx_frame_new();
    adopt(g, scol("x", SX_CATEGORY, 1, (const char *[]){"a"}));
    cr_expect_null(sx_expr_eval(e, g, "v", &err));
    cr_expect_str_eq(err.msg, "1:1: column 'x' is not in the frame as checked");
    cr_expect_eq(sx_expr_eval_mask(e, g, mask, &err), SX_ETYPE); /* still a number */
    sx_expr_free(e);
    /* a failed check leaves the expression unusable until checked again */
    e = sx_expr_parse("d > '2021-01-01'", &err, &col);
    cr_assert_eq(sx_expr_check(e, f, &err, &col), SX_OK);
    struct sx_frame *h = sx_frame_new();
    adopt(h, fcol("d", 1, (double[]){1}));
    cr_expect_eq(sx_expr_check(e, h, &err, &col), SX_ETYPE);
    cr_expect_null(sx_expr_eval(e, f, "v", &err));
    /* checked again against a frame where d is a string: compares strings */
    struct sx_frame *k = sx_frame_new();
    adopt(k, scol("d", SX_CATEGORY, 2, (const char *[]){"2021-05-01", "2020-01-01"}));
    cr_assert_eq(sx_expr_check(e, k, &err, &col), SX_OK, "%s", err.msg);
    struct sx_column *c = sx_expr_eval(e, k, "v", &err);
    cr_assert_not_null(c);
    char *got = render(c);
    cr_expect_str_eq(got, "true false");
    free(got);
    sx_col_free(c);
    /* and as a date again */
    cr_assert_eq(sx_expr_check(e, f, &err, &col), SX_OK, "%s", err.msg);
    c = sx_expr_eval(e, f, "v", &err);
    got = render(c);
    cr_expect_str_eq(got, "true false NA true false true");
    free(got);
    sx_col_free(c);
    sx_expr_free(e);
    sx_expr_free(NULL);
    sx_frame_free(k);
    sx_frame_free(h);
    sx_frame_free(g);
    sx_frame_free(f);
}

/* ---- evaluation ---- */

Test(expr_eval, arithmetic_ints_and_floats)
{
    expect("x + y", SX_FLOAT, "3.5 -2 NA NA 6 3");
    expect("x - y * 2", SX_FLOAT, "-2.5 -2 NA NA 18 1.5");
    expect("n + m", SX_INT, "9 -4 3 NA NA 1");
    expect("n - m", SX_INT, "5 -10 3 NA NA 3");
    expect("n * m", SX_INT, "14 -21 0 NA NA -2");
    expect("n / m", SX_FLOAT, "3.5 -2.3333333333333335 NA NA NA -2");
    expect("x / y", SX_FLOAT, "0.75 NA NA NA -2.5 5");
    expect("n % m", SX_INT, "1 -1 NA NA NA 0");
    expect("x % y", SX_FLOAT, "1.5 NA NA NA 2 0");
    expect("n ^ 2", SX_FLOAT, "49 49 9 NA 0 4");
    expect("-n", SX_INT, "-7 7 -3 NA 0 -2");
    expect("-x", SX_FLOAT, "-1.5 2 NA -0 -10 -2.5");
    expect("n + x", SX_FLOAT, "8.5 -9 NA NA 10 4.5");
    expect("\"odd name\" * 2", SX_FLOAT, "2 4 6 8 10 12");
    expect("x * 9 / 5 + 32", SX_FLOAT, "34.7 28.4 NA 32 50 36.5");
    expect("null", SX_FLOAT, "NA NA NA NA NA NA");
    expect("null + 1", SX_INT, "NA NA NA NA NA NA");
    expect("null / 2", SX_FLOAT, "NA NA NA NA NA NA");
    expect("7", SX_INT, "7 7 7 7 7 7");
    expect("7.0", SX_FLOAT, "7 7 7 7 7 7");
}

Test(expr_eval, operator_precedence_and_literals)
{
    scalar("1 + 2 * 3", "7");
    scalar("(1 + 2) * 3", "9");
    scalar("10 - 4 - 3", "3");
    scalar("2 * 3 % 4", "2");
    scalar("1 - -1", "2");
    scalar("--1", "1");
    scalar("2 ^ 3 ^ 2", "512");
    scalar("-2 ^ 2", "-4");
    scalar("(-2) ^ 2", "4");
    scalar("2 ^ -1", "0.5");
    scalar("7 / 2", "3.5");
    scalar("-7 % 3", "-1");
    scalar("7 % -3", "1");
    scalar("-7.5 % 2", "-1.5");
    scalar("0.1 + 0.2", "0.30000000000000004");
    scalar(".5 + 1.", "1.5");
    scalar("1e3", "1000");
    scalar("2.5E-1", "0.25");
    scalar("9007199254740993", "9007199254740993");
    scalar("9223372036854775808", "9.223372036854776e+18");
    scalar("1 = 1.0", "true");
    scalar("(1 < 2) = true", "true");
    scalar("not 1 > 2", "true");
    scalar("not not true", "true");
    scalar("1 < 2 and 2 < 3 or false", "true");
    scalar("true or false and false", "true");   /* and binds tighter */
    scalar("(true or false) and false", "false");
    scalar("TRUE AND NOT FALSE", "true");
    scalar("Null IS NULL", "true");
    scalar("LOG(1)", "0");
    scalar("1 BETWEEN 0 AND 2", "true");
    scalar("1 Not In (2, 3)", "true");
    scalar("1 between 0 and 2 and false", "false");
    scalar("'it''s' = 'it''s'", "true");
    scalar("'a' < 'b'", "true");
    scalar("'B' < 'a'", "true"); /* bytes */
    scalar("1\t+\r\n2", "3");
}

Test(expr_eval, overflow_and_domain_errors_give_missing)
{
    scalar("9223372036854775807 + 1", "NA");
    scalar("-9223372036854775807 - 2", "NA");
    scalar("3037000500 * 3037000500", "NA");
    scalar("3037000499 * 3037000499", "9223372030926249001");
    scalar("-(-9223372036854775807 - 1)", "NA");
    scalar("abs(-9223372036854775807 - 1)", "NA");
    scalar("(-9223372036854775807 - 1) % -1", "0");
    scalar("1e308 * 10", "inf");
    scalar("-1e308 * 10", "-inf");
    scalar("0 * (1e308 * 10)", "NA");
    scalar("(1e308 * 10) - (1e308 * 10)", "NA");
    scalar("1 / 0", "NA");
    scalar("1 / 0.0", "NA");
    scalar("0 / 0", "NA");
    scalar("1 % 0", "NA");
    scalar("1.5 % 0", "NA");
    scalar("log(0)", "NA");
    scalar("log(-1)", "NA");
    scalar("log1p(-1)", "NA");
    scalar("log1p(-2)", "NA");
    scalar("sqrt(-1)", "NA");
    scalar("sqrt(-0.0)", "-0");
    scalar("sqrt(0)", "0");
    scalar("pow(-8, 1.0 / 3)", "NA");
    scalar("pow(-8, 3)", "-512");
    scalar("pow(0, -1)", "inf");
    scalar("exp(1000)", "inf");
    scalar("exp(0)", "1");
    scalar("exp(-1000)", "0");
}

Test(expr_eval, comparisons)
{
    expect("x > n", SX_BOOL, "false true NA NA true true");
    expect("n = 7", SX_BOOL, "true false false NA false false");
    expect("n == 7", SX_BOOL, "true false false NA false false");
    expect("n != 7", SX_BOOL, "false true true NA true true");
    expect("n <> 7", SX_BOOL, "false true true NA true true");
    expect("n < 3", SX_BOOL, "false true false NA true true");
    expect("n <= 3", SX_BOOL, "false true true NA true true");
    expect("n > 3", SX_BOOL, "true false false NA false false");
    expect("n >= 3", SX_BOOL, "true false true NA false false");
    expect("x = 0", SX_BOOL, "false false NA true false false");
    expect("region = 'North'", SX_BOOL, "true false NA true false false");
    expect("'North' = region", SX_BOOL, "true false NA true false false");
    expect("region < 'a'", SX_BOOL, "true false NA true true true");
    expect("region = notes", SX_BOOL, "false true NA false false true");
    expect("notes >= 'naïve'", SX_BOOL, "false true NA true true false");
    expect("flag = true", SX_BOOL, "true false NA true false true");
    expect("flag > false", SX_BOOL, "true false NA true false true");
    expect("d >= '2021-01-01'", SX_BOOL, "true false NA true false true");
    expect("d = '2020-12-31'", SX_BOOL, "false true NA false false false");
    expect("ts < '2021-01-03 14:00:00'", SX_BOOL, "true true NA false true false");
    expect("ts >= '2024-06-15'", SX_BOOL, "false false NA true false false");
    expect("d = d", SX_BOOL, "true true NA true true true");
    expect("x = null", SX_BOOL, "NA NA NA NA NA NA");
    expect("null <> null", SX_BOOL, "NA NA NA NA NA NA");
    expect("\"say \"\"hi\"\"\" = 'it''s'", SX_BOOL, "true false true NA false false");
}

/* All nine combinations of two three-valued conditions. */
static struct sx_frame *frame_pq(void)
{
    struct sx_frame *f = sx_frame_new();
    adopt(f, bcol("p", 9, (int[]){1, 1, 1, 0, 0, 0, -1, -1, -1}));
    adopt(f, bcol("q", 9, (int[]){1, 0, -1, 1, 0, -1, 1, 0, -1}));
    return f;
}

Test(expr_eval, three_valued_logic_truth_tables)
{
    struct sx_frame *f = frame_pq();
    /*                          TT    TF    TN    FT    FF    FN    NT    NF    NN */
    expect_on(f, "p and q", SX_BOOL, "true false NA false false false NA false NA");
    expect_on(f, "p or q", SX_BOOL, "true true true true false NA true NA NA");
    expect_on(f, "not p", SX_BOOL, "false false false true true true NA NA NA");
    expect_on(f, "not (p and q)", SX_BOOL, "false true NA true true true NA true NA");
    expect_on(f, "p = q", SX_BOOL, "true false NA false true NA NA NA NA");
    expect_on(f, "p <> q", SX_BOOL, "false true NA true false NA NA NA NA");
    expect_on(f, "p is null", SX_BOOL, "false false false false false false true true true");
    expect_on(f, "p is not null", SX_BOOL, "true true true true true true false false false");
    expect_on(f, "is_missing(q)", SX_BOOL, "false false true false false true false false true");
    expect_on(f, "if(p, 1, 2)", SX_INT, "1 1 1 2 2 2 NA NA NA");
    expect_on(f, "if(p, q, false)", SX_BOOL, "true false NA false false false NA NA NA");
    expect_on(f, "coalesce(p, q)", SX_BOOL, "true true true false false false true false NA");
    expect_on(f, "coalesce(p, q, true)", SX_BOOL, "true true true false false false true false true");
    expect_on(f, "p in (true, null)", SX_BOOL, "true true true NA NA NA NA NA NA");
    expect_on(f, "p not in (true, null)", SX_BOOL, "false false false NA NA NA NA NA NA");
    expect_on(f, "p in (q)", SX_BOOL, "true false NA false true NA NA NA NA");
    expect_on(f, "p between false and q", SX_BOOL, "true false NA true true NA NA NA NA");
    expect_on(f, "p not between false and q", SX_BOOL, "false true NA false false NA NA NA NA");
    expect_on(f, "p and null", SX_BOOL, "NA NA NA false false false NA NA NA");
    expect_on(f, "p or null", SX_BOOL, "true true true NA NA NA NA NA NA");
    expect_on(f, "null and false", SX_BOOL, "false false false false false false false false false");
    expect_on(f, "null or true", SX_BOOL, "true true true true true true true true true");
    expect_on(f, "not null", SX_BOOL, "NA NA NA NA NA NA NA NA NA");
    /* a filter keeps only true rows */
    struct sx_err err;
    struct sx_expr *e = compile("p or q", f);
    uint8_t mask[9];
    memset(mask, 7, sizeof mask);
    cr_assert_eq(sx_expr_eval_mask(e, f, mask, &err), SX_OK, "%s", err.msg);
    const uint8_t want[9] = {1, 1, 1, 1, 0, 0, 1, 0, 0};
    cr_expect_arr_eq(mask, want, 9);
    sx_expr_free(e);
    e = compile("null", f);
    cr_assert_eq(sx_expr_eval_mask(e, f, mask, &err), SX_OK, "%s", err.msg);
    const uint8_t none[9] = {0};
    cr_expect_arr_eq(mask, none, 9);
    sx_expr_free(e);
    sx_frame_free(f);
}

Test(expr_eval, between_in_is_null)
{
    expect("x between 0 and 2", SX_BOOL, "true false NA true false false");
    expect("x not between 0 and 2", SX_BOOL, "false true NA false true true");
    expect("x between y and 2", SX_BOOL, "false false NA NA false false");
    expect("n between m and 10", SX_BOOL, "true false true NA NA true");
    expect("n in (7, 0)", SX_BOOL, "true false false NA true false");
    expect("n in (7, null)", SX_BOOL, "true NA NA NA NA NA");
    expect("n not in (7, 0)", SX_BOOL, "false true true NA false true");
    expect("n in (m, 3)", SX_BOOL, "false false true NA NA false");
    expect("x in (1.5, 0)", SX_BOOL, "true false NA true false false");
    expect("n in (7.0, 2.5)", SX_BOOL, "true false false NA false false");
    expect("region in ('North', 'East')", SX_BOOL, "true false NA true true false");
    expect("region not in ('North', 'East')", SX_BOOL, "false true NA false false true");
    expect("d in ('2020-12-31', '2019-12-30')", SX_BOOL, "false true NA false true false");
    expect("d between '2020-01-01' and '2022-01-01'", SX_BOOL, "true true NA false false false");
    expect("x is null", SX_BOOL, "false false true false false false");
    expect("x is not null", SX_BOOL, "true true false true true true");
    expect("notes is null", SX_BOOL, "false false true false false false");
    expect("is_missing(region)", SX_BOOL, "false false true false false false");
    expect("is_missing(x + y)", SX_BOOL, "false false true true false false");
}

Test(expr_eval, conditionals)
{
    expect("if(flag, x, n)", SX_FLOAT, "1.5 -7 NA 0 0 2.5");
    expect("if(flag, n, m)", SX_INT, "7 3 NA NA NA 2");
    expect("if(x > 0, 'pos', 'not')", SX_CATEGORY, "'pos' 'not' NA 'not' 'pos' 'pos'");
    expect("if(flag, region, notes)", SX_CATEGORY, "'North' 'south' NA 'North' 'x' ''");
    expect("if(flag, d, '2000-01-01')", SX_DATE,
           "2021-01-03 2000-01-01 NA 2024-06-15 2000-01-01 2023-09-30");
    expect("if(flag, null, 1)", SX_INT, "NA 1 NA NA 1 NA");
    expect("coalesce(x, y, n)", SX_FLOAT, "1.5 -2 1 0 10 2.5");
    expect("coalesce(n, m)", SX_INT, "7 -7 3 5 0 2");
    expect("coalesce(region, notes, 'none')", SX_CATEGORY,
           "'North' 'south' 'none' 'North' 'East' ''");
    expect("coalesce(d, '1999-01-01')", SX_DATE,
           "2021-01-03 2020-12-31 1999-01-01 2024-06-15 2019-12-30 2023-09-30");
    expect("coalesce(x)", SX_FLOAT, "1.5 -2 NA 0 10 2.5");
    expect("coalesce(null, null)", SX_FLOAT, "NA NA NA NA NA NA");
    expect("coalesce(null, flag)", SX_BOOL, "true false NA true false true");
}

Test(expr_eval, category_results_have_first_seen_dictionaries)
{
    struct sx_frame *f = frame6();
    struct sx_err err;
    struct sx_expr *e = compile("if(flag, region, notes)", f);
    struct sx_column *c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c);
    cr_assert_eq(c->dict->n, 4);
    cr_expect_str_eq(c->dict->str[0], "North");
    cr_expect_str_eq(c->dict->str[1], "south");
    cr_expect_str_eq(c->dict->str[2], "x");
    cr_expect_str_eq(c->dict->str[3], "");
    cr_expect_eq(c->v.cat[2], 0); /* a missing cell's slot is zero */
    sx_col_free(c);
    sx_expr_free(e);
    sx_frame_free(f);
}

Test(expr_eval, math_functions)
{
    struct sx_frame *f = frame6();
    double N = NAN;
    expect_f(f, "log(x)", (double[]){log(1.5), N, N, N, log(10), log(2.5)});
    expect_f(f, "log1p(x)", (double[]){log1p(1.5), N, N, 0, log1p(10), log1p(2.5)});
    double l = log1p(1e-10); /* not log(1 + 1e-10), which loses digits */
    cr_expect_neq(l, log(1 + 1e-10));
    expect_f(f, "log1p(1e-10)", (double[]){l, l, l, l, l, l});
    expect_f(f, "exp(x)", (double[]){exp(1.5), exp(-2), N, 1, exp(10), exp(2.5)});
    expect_f(f, "sqrt(x)", (double[]){sqrt(1.5), N, N, 0, sqrt(10), sqrt(2.5)});
    expect_f(f, "sqrt(n)", (double[]){sqrt(7), N, sqrt(3), N, 0, sqrt(2)});
    expect_f(f, "pow(x, y)", (double[]){pow(1.5, 2), 1, N, N, pow(10, -4), pow(2.5, 0.5)});
    expect_f(f, "x ^ 0.5", (double[]){pow(1.5, 0.5), N, N, 0, pow(10, 0.5), pow(2.5, 0.5)});
    sx_frame_free(f);
    expect("abs(n)", SX_INT, "7 7 3 NA 0 2");
    expect("abs(x)", SX_FLOAT, "1.5 2 NA 0 10 2.5");
    expect("min(x, y)", SX_FLOAT, "1.5 -2 NA NA -4 0.5");
    expect("max(x, y)", SX_FLOAT, "2 0 NA NA 10 2.5");
    expect("min(n, m)", SX_INT, "2 -7 0 NA NA -1");
    expect("max(n, m, 4)", SX_INT, "7 4 4 NA NA 4");
    expect("max(n, 2.5)", SX_FLOAT, "7 2.5 3 NA 2.5 2.5");
    expect("min(n, null)", SX_INT, "NA NA NA NA NA NA");
    expect("clip(x, 0, 2)", SX_FLOAT, "1.5 0 NA 0 2 2");
    expect("clip(n, -1, 5)", SX_INT, "5 -1 3 NA 0 2");
    expect("clip(n, m, 6)", SX_INT, "6 3 3 NA NA 2");
    expect("clip(x, 0, null)", SX_FLOAT, "NA NA NA NA NA NA");
    expect("round(x)", SX_FLOAT, "2 -2 NA 0 10 3");
    expect("round(n)", SX_INT, "7 -7 3 NA 0 2");
    expect("floor(x)", SX_FLOAT, "1 -2 NA 0 10 2");
    expect("ceil(x)", SX_FLOAT, "2 -2 NA 0 10 3");
    expect("floor(n)", SX_INT, "7 -7 3 NA 0 2");
    expect("ceil(n / 2)", SX_FLOAT, "4 -3 2 NA 0 1");
    expect("sign(x)", SX_INT, "1 -1 NA 0 1 1");
    expect("sign(n)", SX_INT, "1 -1 1 NA 0 1");
}

Test(expr_eval, round_half_away_from_zero_on_the_decimal_form)
{
    scalar("round(2.5)", "3");
    scalar("round(3.5)", "4");
    scalar("round(-2.5)", "-3");
    scalar("round(0.5)", "1");
    scalar("round(-0.5)", "-1");
    scalar("round(0.49999999999999994)", "0");
    scalar("round(2.675, 2)", "2.68");
    scalar("round(1.005, 2)", "1.01");
    scalar("round(0.125, 2)", "0.13");
    scalar("round(0.375, 2)", "0.38");
    scalar("round(-1.25, 1)", "-1.3");
    scalar("round(9.995, 2)", "10");
    scalar("round(123.456, 1)", "123.5");
    scalar("round(1234.5678, 0)", "1235");
    scalar("round(0.0000123456, 7)", "1.23e-05");
    scalar("round(1.5e-7, 7)", "2e-07");
    scalar("round(1.4e-7, 7)", "1e-07");
    scalar("round(4e-9, 7)", "0");
    scalar("round(1e20, 2)", "1e+20");
    scalar("round(5e-324, 2)", "0");
    scalar("round(0.1 + 0.2, 15)", "0.3");
    scalar("round(0.1 + 0.2, 0)", "0");
    scalar("round(7, 3)", "7");
    scalar("round(1e308 * 10)", "inf");
}

/* Dates with their parts as Python's datetime gives them (isocalendar for
 * the ISO week), around year boundaries and leap days. */
static const struct {
    const char *date;
    int year, month, day, dow, doy, quarter, week;
    const char *season;
} known_dates[] = {
    {"2021-01-03", 2021, 1, 3, 6, 3, 1, 53, "winter"},
    {"2020-12-31", 2020, 12, 31, 3, 366, 4, 53, "winter"},
    {"2019-12-30", 2019, 12, 30, 0, 364, 4, 1, "winter"},
    {"2024-02-29", 2024, 2, 29, 3, 60, 1, 9, "winter"},
    {"2024-06-15", 2024, 6, 15, 5, 167, 2, 24, "summer"},
    {"2023-03-01", 2023, 3, 1, 2, 60, 1, 9, "spring"},
    {"2023-09-30", 2023, 9, 30, 5, 273, 3, 39, "autumn"},
    {"2023-11-30", 2023, 11, 30, 3, 334, 4, 48, "autumn"},
    {"2018-01-01", 2018, 1, 1, 0, 1, 1, 1, "winter"},
    {"2016-01-03", 2016, 1, 3, 6, 3, 1, 53, "winter"},
    {"2021-01-04", 2021, 1, 4, 0, 4, 1, 1, "winter"},
    {"1969-12-31", 1969, 12, 31, 2, 365, 4, 1, "winter"},
    {"2000-01-01", 2000, 1, 1, 5, 1, 1, 52, "winter"},
};
#define NKNOWN ((int)(sizeof known_dates / sizeof *known_dates))

Test(expr_eval, date_parts_on_known_dates)
{
    struct sx_frame *f = sx_frame_new();
    const char *d[NKNOWN + 1], *ts[NKNOWN + 1];
    char tsbuf[NKNOWN][32];
    for (int i = 0; i < NKNOWN; i++) {
        d[i] = known_dates[i].date;
        snprintf(tsbuf[i], sizeof tsbuf[i], "%s 23:59:59", known_dates[i].date);
        ts[i] = tsbuf[i];
    }
    d[NKNOWN] = ts[NKNOWN] = NULL;
    adopt(f, dcol("d", NKNOWN + 1, d, SX_DAYS));
    adopt(f, dcol("ts", NKNOWN + 1, ts, SX_SECONDS));
    static const char *const fn[] = {"year", "month", "day", "dayofweek", "dayofyear",
                                     "quarter", "week", "season"};
    for (int col = 0; col < 2; col++) {
        for (int k = 0; k < 8; k++) {
            char src[64];
            snprintf(src, sizeof src, "%s(%s)", fn[k], col ? "ts" : "d");
            char want[1024] = "";
            for (int i = 0; i < NKNOWN; i++) {
                int v[] = {known_dates[i].year, known_dates[i].month, known_dates[i].day,
                           known_dates[i].dow, known_dates[i].doy, known_dates[i].quarter,
                           known_dates[i].week};
                size_t o = strlen(want);
                if (k == 7)
                    snprintf(want + o, sizeof want - o, "'%s' ", known_dates[i].season);
                else
                    snprintf(want + o, sizeof want - o, "%d ", v[k]);
            }
            strcat(want, "NA");
            expect_on(f, src, k == 7 ? SX_CATEGORY : SX_INT, want);
        }
    }
    sx_frame_free(f);
    scalar("year('2020-07-01')", "2020");
    scalar("season('2020-07-01')", "'summer'");
    scalar("season(null)", "NA");
}

Test(expr_eval, date_arithmetic_and_timestamps)
{
    expect("d - '2020-01-01'", SX_INT, "368 365 NA 1627 -2 1368");
    expect("'2020-01-01' - d", SX_INT, "-368 -365 NA -1627 2 -1368");
    expect("d - d", SX_INT, "0 0 NA 0 0 0");
    expect("year(ts)", SX_INT, "2021 1969 NA 2024 2019 2023");
    expect("dayofweek(ts)", SX_INT, "6 2 NA 5 0 5");
    expect("day(ts)", SX_INT, "3 31 NA 15 30 30");
    enum sx_date_unit unit;
    struct sx_frame *f = frame6();
    /* seconds apart over 86400, from 2021-01-03 00:00:00 (18630 days) */
    expect_f(f, "ts - '2021-01-03'",
             (double[]){49500 / 86400.0, (-1 - 18630 * 86400.0) / 86400.0, NAN, 1259,
                        (-370 * 86400.0 + 21600) / 86400.0, (1000 * 86400.0 + 86399) / 86400.0});
    struct sx_expr *e = compile("if(flag, ts, '2000-01-01 12:00:00')", f);
    cr_expect_eq(sx_expr_type(e, &unit), SX_DATE);
    cr_expect_eq(unit, SX_SECONDS);
    struct sx_err err;
    struct sx_column *c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c);
    cr_expect_eq(c->unit, SX_SECONDS);
    char *got = render(c);
    cr_expect_str_eq(got, "2021-01-03 13:45:00 2000-01-01 12:00:00 NA 2024-06-15 00:00:00 "
                          "2000-01-01 12:00:00 2023-09-30 23:59:59");
    free(got);
    sx_col_free(c);
    sx_expr_free(e);
    e = compile("d", f);
    cr_expect_eq(sx_expr_type(e, &unit), SX_DATE);
    cr_expect_eq(unit, SX_DAYS);
    sx_expr_free(e);
    sx_frame_free(f);
}

Test(expr_eval, strings)
{
    expect("region", SX_CATEGORY, "'North' 'south' NA 'North' 'East' ''");
    expect("notes", SX_CATEGORY, "'Free text, with commas' 'south' NA 'naïve café' 'x' ''");
    expect("lower(region)", SX_CATEGORY, "'north' 'south' NA 'north' 'east' ''");
    expect("upper(notes)", SX_CATEGORY, "'FREE TEXT, WITH COMMAS' 'SOUTH' NA 'NAïVE CAFé' 'X' ''");
    expect("length(notes)", SX_INT, "22 5 NA 10 1 0");
    expect("length(region)", SX_INT, "5 5 NA 5 4 0");
    expect("contains(notes, 'e')", SX_BOOL, "true false NA true false false");
    expect("contains(notes, region)", SX_BOOL, "false true NA false false true");
    expect("contains(region, '')", SX_BOOL, "true true NA true true true");
    expect("contains(region, null)", SX_BOOL, "NA NA NA NA NA NA");
    expect("lower(upper(region)) = lower(region)", SX_BOOL, "true true NA true true true");
    expect("'it''s'", SX_CATEGORY, "'it's' 'it's' 'it's' 'it's' 'it's' 'it's'");
    scalar("lower('ABC def')", "'abc def'");
    scalar("length('ünï')", "3");
    scalar("contains('abc', 'bc')", "true");
    scalar("contains('abc', 'cb')", "false");
    scalar("'' = ''", "true");
    scalar("lower(null)", "NA");
}

Test(expr_eval, filter_mask)
{
    struct sx_frame *f = frame6();
    struct sx_err err;
    struct sx_expr *e = compile("x > 0 or region = 'North'", f);
    uint8_t mask[6];
    cr_assert_eq(sx_expr_eval_mask(e, f, mask, &err), SX_OK, "%s", err.msg);
    const uint8_t want[6] = {1, 0, 0, 1, 1, 1};
    cr_expect_arr_eq(mask, want, 6);
    sx_expr_free(e);
    e = compile("flag", f);
    cr_assert_eq(sx_expr_eval_mask(e, f, mask, &err), SX_OK);
    const uint8_t want2[6] = {1, 0, 0, 1, 0, 1};
    cr_expect_arr_eq(mask, want2, 6);
    sx_expr_free(e);
    sx_frame_free(f);
}

/* A frame of ROWS rows spanning many chunks; every cell of the results is
 * compared with a plain per-row computation in the test. */
Test(expr_eval, large_frames_match_row_by_row)
{
    enum { ROWS = 100003 };
    static const char *const names[] = {"north", "south", "east", "west", "centre"};
    struct sx_frame *f = sx_frame_new();
    struct sx_column *x = sx_col_new("x", SX_FLOAT), *n = sx_col_new("n", SX_INT),
                     *b = sx_col_new("flag", SX_BOOL), *r = sx_col_new("region", SX_CATEGORY),
                     *t = sx_col_new("notes", SX_TEXT);
    uint64_t seed = 12345;
    double *xv = malloc(ROWS * sizeof *xv);
    int64_t *nv = malloc(ROWS * sizeof *nv);
    cr_assert(xv && nv);
    for (int i = 0; i < ROWS; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        xv[i] = (double)(int64_t)(seed >> 33) / 1e6 - 2000.0;
        nv[i] = (int64_t)(seed % 1000) - 500;
        cr_assert_eq(i % 7 == 3 ? sx_col_push_missing(x) : sx_col_push_f64(x, xv[i]), SX_OK);
        cr_assert_eq(i % 5 == 1 ? sx_col_push_missing(n) : sx_col_push_i64(n, nv[i]), SX_OK);
        cr_assert_eq(sx_col_push_bool(b, (int)((seed >> 7) & 1)), SX_OK);
        const char *s = names[(seed >> 11) % 5];
        cr_assert_eq(sx_col_push_str(r, s, strlen(s)), SX_OK);
        char note[32];
        snprintf(note, sizeof note, "note %d", i % 1000);
        cr_assert_eq(i % 11 == 0 ? sx_col_push_missing(t) : sx_col_push_str(t, note, strlen(note)),
                     SX_OK);
    }
    adopt(f, x);
    adopt(f, n);
    adopt(f, b);
    adopt(f, r);
    adopt(f, t);
    struct sx_err err;

    struct sx_expr *e = compile("x * 2 + n", f);
    struct sx_column *c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c, "%s", err.msg);
    for (int i = 0; i < ROWS; i++) {
        int present = i % 7 != 3 && i % 5 != 1;
        cr_assert_eq(sx_col_valid(c, i), present, "row %d", i);
        if (present)
            cr_assert_eq(c->v.f64[i], xv[i] * 2 + (double)nv[i], "row %d", i);
    }
    sx_col_free(c);
    sx_expr_free(e);

    e = compile("if(flag, region, notes)", f);
    c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c, "%s", err.msg);
    for (int i = 0; i < ROWS; i++) {
        const char *want = b->v.b[i] ? sx_col_str(r, (size_t)i) : sx_col_str(t, (size_t)i);
        const char *got = sx_col_str(c, (size_t)i);
        if (!want)
            cr_assert_null(got, "row %d", i);
        else
            cr_assert(got && strcmp(got, want) == 0, "row %d: %s vs %s", i, got, want);
    }
    sx_col_free(c);
    sx_expr_free(e);

    e = compile("x > 0 and n % 2 = 0 or contains(notes, '99')", f);
    uint8_t *mask = malloc(ROWS);
    cr_assert_eq(sx_expr_eval_mask(e, f, mask, &err), SX_OK, "%s", err.msg);
    for (int i = 0; i < ROWS; i++) {
        int a = i % 7 == 3 ? -1 : xv[i] > 0;
        int bb = i % 5 == 1 ? -1 : nv[i] % 2 == 0;
        const char *s = sx_col_str(t, (size_t)i);
        int cc = s ? strstr(s, "99") != NULL : -1;
        int and = (a == 0 || bb == 0) ? 0 : (a == 1 && bb == 1) ? 1 : -1;
        int or = (and == 1 || cc == 1) ? 1 : (and == 0 && cc == 0) ? 0 : -1;
        cr_assert_eq(mask[i], or == 1, "row %d", i);
    }
    free(mask);
    sx_expr_free(e);

    /* 200 nodes: smaller chunks, same answers */
    char *src = repeat("x + ", 199, "x", "", 0);
    e = compile(src, f);
    c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c, "%s", err.msg);
    for (int i = 0; i < ROWS; i++) {
        if (i % 7 == 3) {
            cr_assert(!sx_col_valid(c, i));
            continue;
        }
        double s = xv[i];
        for (int k = 1; k < 200; k++)
            s += xv[i];
        cr_assert_eq(c->v.f64[i], s, "row %d", i);
    }
    sx_col_free(c);
    sx_expr_free(e);
    free(src);
    free(xv);
    free(nv);
    sx_frame_free(f);
}

Test(expr_eval, empty_frame)
{
    struct sx_frame *f = sx_frame_new();
    adopt(f, fcol("x", 0, NULL));
    adopt(f, scol("s", SX_CATEGORY, 0, NULL));
    struct sx_err err;
    struct sx_expr *e = compile("if(x > 0, s, 'a')", f);
    struct sx_column *c = sx_expr_eval(e, f, "v", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_eq(c->len, 0);
    cr_expect_eq(c->type, SX_CATEGORY);
    sx_col_free(c);
    sx_expr_free(e);
    sx_frame_free(f);
}

/* ---- caret ---- */

Test(expr_caret, marks_the_column)
{
    char buf[256];
    sx_expr_caret("temp * (3 +", 12, buf, sizeof buf);
    cr_expect_str_eq(buf, "  temp * (3 +\n             ^");
    sx_expr_caret("x + y", 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "  x + y\n  ^");
    /* one column per UTF-8 character before the caret */
    sx_expr_caret("'é' + x", 8, buf, sizeof buf);
    cr_expect_str_eq(buf, "  'é' + x\n        ^");
    /* tabs stay tabs so the caret lines up */
    sx_expr_caret("\tx $", 4, buf, sizeof buf);
    cr_expect_str_eq(buf, "  \tx $\n  \t  ^");
    /* the line holding the byte, for a source of several lines */
    sx_expr_caret("x +\n  * 2", 7, buf, sizeof buf);
    cr_expect_str_eq(buf, "    * 2\n    ^");
    /* past the end: after the last character */
    sx_expr_caret("x +", 99, buf, sizeof buf);
    cr_expect_str_eq(buf, "  x +\n     ^");
    /* a long line is shown as a window around the caret */
    char *line = repeat("abcdefghij", 30, "", "", 0);
    sx_expr_caret(line, 150, buf, 64);
    cr_expect(strstr(buf, "...") != NULL, "%s", buf);
    const char *nl = strchr(buf, '\n');
    cr_assert_not_null(nl);
    size_t caret = strlen(nl + 1) - 1; /* column of ^ in the second line */
    cr_expect_eq(buf[caret], line[149], "%s", buf);
    cr_expect_lt(strlen(buf), 64);
    free(line);
    /* tiny buffers stay terminated */
    sx_expr_caret("x + y", 3, buf, 4);
    cr_expect_str_eq(buf, "  x");
    sx_expr_caret("x + y", 3, buf, 1);
    cr_expect_str_eq(buf, "");
    sx_expr_caret(NULL, 3, buf, sizeof buf);
    cr_expect_str_eq(buf, "");
}

/* ---- SQL ---- */

static void expect_sql(const char *src, enum sx_sql_dialect d, const char *want)
{
    struct sx_frame *f = frame6();
    struct sx_err err;
    struct sx_expr *e = compile(src, f);
    char *sql = sx_expr_sql(e, d, &err);
    cr_assert_not_null(sql, "%s", err.msg);
    cr_expect_str_eq(sql, want, "'%s' (dialect %d): got %s", src, d, sql);
    free(sql);
    sx_expr_free(e);
    sx_frame_free(f);
}

Test(expr_sql, text_per_dialect)
{
    expect_sql("n / m", SX_SQL_SQLITE, "(CAST(\"n\" AS REAL) / NULLIF(\"m\", 0))");
    expect_sql("n / m", SX_SQL_POSTGRES, "(CAST(\"n\" AS DOUBLE PRECISION) / NULLIF(\"m\", 0))");
    expect_sql("n / m", SX_SQL_SPARK, "(CAST(`n` AS DOUBLE) / NULLIF(`m`, 0))");
    expect_sql("\"odd name\" + 1", SX_SQL_SPARK, "(`odd name` + 1)");
    expect_sql("\"say \"\"hi\"\"\" = 'it''s'", SX_SQL_SQLITE, "(\"say \"\"hi\"\"\" = 'it''s')");
    expect_sql("x = 1.0", SX_SQL_SQLITE, "(\"x\" = 1.0)");
    expect_sql("x = 1e300", SX_SQL_SQLITE, "(\"x\" = 1e+300)");
    expect_sql("log(x)", SX_SQL_SQLITE, "ln(\"x\")");
    expect_sql("log(x)", SX_SQL_POSTGRES, "ln(NULLIF(GREATEST(\"x\", 0), 0))");
    expect_sql("log1p(x)", SX_SQL_DUCKDB, "ln(NULLIF(GREATEST(1 + \"x\", 0), 0))");
    expect_sql("sqrt(x)", SX_SQL_POSTGRES, "(CASE WHEN \"x\" >= 0 THEN sqrt(\"x\") END)");
    expect_sql("x % y", SX_SQL_SQLITE, "mod(\"x\", NULLIF(\"y\", 0))");
    expect_sql("x % y", SX_SQL_DUCKDB, "fmod(\"x\", NULLIF(\"y\", 0))");
    expect_sql("n % m", SX_SQL_POSTGRES, "(\"n\" % NULLIF(\"m\", 0))");
    expect_sql("x ^ 2", SX_SQL_SQLITE, "power(\"x\", 2)");
    expect_sql("x ^ 2", SX_SQL_DUCKDB,
               "NULLIF(power(CAST(\"x\" AS DOUBLE), 2), CAST('NaN' AS DOUBLE))");
    expect_sql("if(flag, 1, 2)", SX_SQL_SQLITE, "(CASE \"flag\" WHEN 1 THEN 1 WHEN 0 THEN 2 END)");
    expect_sql("if(flag, 1, 2)", SX_SQL_POSTGRES,
               "(CASE \"flag\" WHEN TRUE THEN 1 WHEN FALSE THEN 2 END)");
    expect_sql("true and not flag", SX_SQL_SQLITE, "(1 AND (NOT \"flag\"))");
    expect_sql("true and not flag", SX_SQL_SPARK, "(TRUE AND (NOT `flag`))");
    expect_sql("min(x, y)", SX_SQL_SQLITE, "min(\"x\", \"y\")");
    expect_sql("min(x, y)", SX_SQL_POSTGRES,
               "(CASE WHEN \"x\" IS NULL OR \"y\" IS NULL THEN NULL ELSE LEAST(\"x\", \"y\") END)");
    expect_sql("round(x, 2)", SX_SQL_POSTGRES,
               "CAST(round(CAST(\"x\" AS NUMERIC), 2) AS DOUBLE PRECISION)");
    expect_sql("round(n, 2)", SX_SQL_SQLITE, "(\"n\")");
    expect_sql("dayofweek(d)", SX_SQL_POSTGRES, "(CAST(EXTRACT(ISODOW FROM \"d\") AS INTEGER) - 1)");
    expect_sql("dayofweek(d)", SX_SQL_DUCKDB, "(isodow(\"d\") - 1)");
    expect_sql("dayofweek(d)", SX_SQL_SPARK, "((dayofweek(`d`) + 5) % 7)");
    expect_sql("week(d)", SX_SQL_SPARK, "weekofyear(`d`)");
    expect_sql("d >= '2021-01-01'", SX_SQL_SQLITE, "(\"d\" >= '2021-01-01')");
    expect_sql("d >= '2021-01-01'", SX_SQL_POSTGRES, "(\"d\" >= DATE '2021-01-01')");
    expect_sql("ts < '2021-01-01'", SX_SQL_DUCKDB, "(\"ts\" < TIMESTAMP '2021-01-01 00:00:00')");
    expect_sql("d - '2020-01-01'", SX_SQL_SPARK, "datediff(`d`, DATE '2020-01-01')");
    expect_sql("n between 1 and 2 or n not in (3, null) or x is not null", SX_SQL_SQLITE,
               "(((\"n\" BETWEEN 1 AND 2) OR (\"n\" NOT IN (3, NULL))) OR (\"x\" IS NOT NULL))");
    expect_sql("contains(notes, 'a')", SX_SQL_POSTGRES, "(strpos(\"notes\", 'a') > 0)");
    expect_sql("length(notes)", SX_SQL_SPARK, "char_length(`notes`)");
    /* Spark reads backslash escapes in literals; the others double quotes */
    expect_sql("contains(notes, 'it''s a\\b')", SX_SQL_SPARK,
               "(instr(`notes`, 'it\\'s a\\\\b') > 0)");
    expect_sql("contains(notes, 'it''s')", SX_SQL_SQLITE, "(instr(\"notes\", 'it''s') > 0)");
    expect_sql("coalesce(x)", SX_SQL_SQLITE, "(\"x\")");
    expect_sql("is_missing(x)", SX_SQL_DUCKDB, "(\"x\" IS NULL)");
    expect_sql("--1", SX_SQL_SQLITE, "(-(-1))"); /* never an SQL comment */
}

Test(expr_sql, identifiers_and_dialect_names)
{
    char *s = sx_sql_ident("a\"b", SX_SQL_SQLITE);
    cr_expect_str_eq(s, "\"a\"\"b\"");
    free(s);
    s = sx_sql_ident("a`b\"c", SX_SQL_SPARK);
    cr_expect_str_eq(s, "`a``b\"c`");
    free(s);
    enum sx_sql_dialect d;
    struct sx_err err;
    cr_expect_eq(sx_sql_dialect_parse("sqlite", &d, &err), SX_OK);
    cr_expect_eq(d, SX_SQL_SQLITE);
    cr_expect_eq(sx_sql_dialect_parse("postgres", &d, &err), SX_OK);
    cr_expect_eq(d, SX_SQL_POSTGRES);
    cr_expect_eq(sx_sql_dialect_parse("duckdb", &d, &err), SX_OK);
    cr_expect_eq(d, SX_SQL_DUCKDB);
    cr_expect_eq(sx_sql_dialect_parse("spark", &d, &err), SX_OK);
    cr_expect_eq(d, SX_SQL_SPARK);
    cr_expect_eq(sx_sql_dialect_parse("mysql", &d, &err), SX_EINVAL);
    cr_expect_str_eq(err.msg, "unknown SQL dialect 'mysql' (sqlite, postgres, duckdb, spark)");
}

Test(expr_sql, size_is_bounded)
{
    /* sqrt repeats its operand outside SQLite: 2^40 copies would not fit */
    char *src = repeat("sqrt(", 40, "x", ")", 40);
    struct sx_frame *f = frame6();
    struct sx_expr *e = compile(src, f);
    struct sx_err err;
    char *sql = sx_expr_sql(e, SX_SQL_POSTGRES, &err);
    cr_expect_null(sql);
    cr_expect_eq(err.code, SX_ELIMIT);
    cr_expect_str_eq(err.msg, "expression too large as SQL (over 1048576 bytes)");
    sql = sx_expr_sql(e, SX_SQL_SQLITE, &err);
    cr_expect_not_null(sql, "%s", err.msg);
    free(sql);
    sx_expr_free(e);
    sx_frame_free(f);
    free(src);
}

/* -- round trip through SQLite -- */

/* SQLite math functions for a library built without them (the Debian
 * library has them; this keeps the test meaningful elsewhere). NULL in,
 * NULL out; NaN and domain errors NULL, as SQLite's own. */
static void math1(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    double (*fn)(double) = (double (*)(double))sqlite3_user_data(ctx);
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return sqlite3_result_null(ctx);
    double x = sqlite3_value_double(argv[0]);
    if (fn == log && x <= 0)
        return sqlite3_result_null(ctx);
    double r = fn(x);
    if (isnan(r))
        return sqlite3_result_null(ctx);
    sqlite3_result_double(ctx, r);
}

static double sign_d(double x) { return (double)((x > 0) - (x < 0)); }

static void math2(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    double (*fn)(double, double) = (double (*)(double, double))sqlite3_user_data(ctx);
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return sqlite3_result_null(ctx);
    double r = fn(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]));
    if (isnan(r))
        return sqlite3_result_null(ctx);
    sqlite3_result_double(ctx, r);
}

static int ensure_math(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT ln(2), sign(1), mod(3, 2)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_finalize(st);
        return 0; /* built in */
    }
    static const struct { const char *name; double (*fn)(double); } one[] = {
        {"ln", log}, {"exp", exp}, {"sqrt", sqrt}, {"floor", floor}, {"ceil", ceil},
        {"sign", sign_d}};
    static const struct { const char *name; double (*fn)(double, double); } two[] = {
        {"power", pow}, {"pow", pow}, {"mod", fmod}};
    for (size_t i = 0; i < sizeof one / sizeof *one; i++)
        cr_assert_eq(sqlite3_create_function(db, one[i].name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                             (void *)one[i].fn, math1, NULL, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < sizeof two / sizeof *two; i++)
        cr_assert_eq(sqlite3_create_function(db, two[i].name, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                             (void *)two[i].fn, math2, NULL, NULL),
                     SQLITE_OK);
    return 1;
}

/* A frame of 48 rows with values chosen to reach edge cases: zeros,
 * halves for round, negative dividends, year boundaries, non-ASCII text. */
static struct sx_frame *frame_rt(void)
{
    enum { R = 48 };
    static const double xs[] = {1.5, -2, 0, 10, 2.5, 2.675, 1.005, 0.125, -0.5, 3.75, -7.25, 100};
    static const double ys[] = {2, 0, 1, -4, 0.5, 0.25, -1.5, 3, 0, 7.5, -0.25, 1};
    static const char *const dates[] = {"2021-01-03", "2020-12-31", "2019-12-30", "2024-02-29",
                                        "2024-06-15", "2023-03-01", "2023-09-30", "2016-01-03",
                                        "2021-01-04", "1969-12-31", "2000-01-01"};
    static const char *const regions[] = {"North", "south", "East", "", "it's"};
    static const char *const notes[] = {"Free text, with commas", "naïve café", "x", "", "Ünïcode",
                                        "a'b", "plain"};
    struct sx_frame *f = sx_frame_new();
    double x[R], y[R], odd[R];
    int64_t n[R], m[R];
    int flag[R];
    const char *d[R], *ts[R], *reg[R], *nt[R];
    char tsb[R][32];
    for (int i = 0; i < R; i++) {
        x[i] = i % 13 == 12 ? NAN : xs[i % 12];
        y[i] = i % 11 == 10 ? NAN : ys[(i * 5) % 12];
        odd[i] = i * 0.5;
        n[i] = i % 9 == 8 ? NA_I : (int64_t)((i * 7) % 11) - 5;
        m[i] = i % 10 == 9 ? NA_I : (int64_t)((i * 3) % 7) - 3;
        flag[i] = i % 8 == 7 ? -1 : (i % 3 == 0);
        d[i] = i % 12 == 11 ? NULL : dates[i % 11];
        snprintf(tsb[i], sizeof tsb[i], "%s %02d:%02d:%02d", dates[(i * 3) % 11], i % 24,
                 (i * 7) % 60, (i * 13) % 60);
        ts[i] = i % 14 == 13 ? NULL : tsb[i];
        reg[i] = i % 6 == 5 ? NULL : regions[i % 5];
        nt[i] = i % 7 == 6 ? NULL : notes[(i * 2) % 7];
    }
    adopt(f, fcol("x", R, x));
    adopt(f, fcol("y", R, y));
    adopt(f, icol("n", R, n));
    adopt(f, icol("m", R, m));
    adopt(f, bcol("flag", R, flag));
    adopt(f, dcol("d", R, d, SX_DAYS));
    adopt(f, dcol("ts", R, ts, SX_SECONDS));
    adopt(f, scol("region", SX_CATEGORY, R, reg));
    adopt(f, scol("notes", SX_TEXT, R, nt));
    adopt(f, fcol("odd name", R, odd));
    return f;
}

/* Write F into table t of DB: numbers as numbers, bools 0/1, dates as ISO
 * text, strings as text, missing as NULL. */
static void write_table(sqlite3 *db, const struct sx_frame *f)
{
    char sql[1024] = "CREATE TABLE t(", ins[1024] = "INSERT INTO t VALUES(";
    for (size_t c = 0; c < f->ncols; c++) {
        char *id = sx_sql_ident(f->cols[c]->name, SX_SQL_SQLITE);
        strcat(sql, id);
        strcat(sql, c + 1 < f->ncols ? ", " : ")");
        strcat(ins, c + 1 < f->ncols ? "?, " : "?)");
        free(id);
    }
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, ins, -1, &st, NULL), SQLITE_OK);
    for (size_t i = 0; i < f->nrows; i++) {
        for (size_t c = 0; c < f->ncols; c++) {
            const struct sx_column *col = f->cols[c];
            int k = (int)c + 1;
            if (!sx_col_valid(col, i)) {
                sqlite3_bind_null(st, k);
                continue;
            }
            char buf[64];
            switch (col->type) {
            case SX_FLOAT: sqlite3_bind_double(st, k, col->v.f64[i]); break;
            case SX_INT: sqlite3_bind_int64(st, k, col->v.i64[i]); break;
            case SX_BOOL: sqlite3_bind_int(st, k, col->v.b[i]); break;
            case SX_DATE:
                sx_col_format(col, i, buf, sizeof buf);
                sqlite3_bind_text(st, k, buf, -1, SQLITE_TRANSIENT);
                break;
            case SX_CATEGORY:
            case SX_TEXT: sqlite3_bind_text(st, k, sx_col_str(col, i), -1, SQLITE_TRANSIENT); break;
            }
        }
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

static int close_enough(double a, double b)
{
    if (a == b)
        return 1; /* also equal infinities */
    if (isinf(a) || isinf(b) || isnan(a) || isnan(b))
        return 0;
    return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

Test(expr_sql, sqlite_round_trip_matches_eval)
{
    static const char *const exprs[] = {
        "x + y", "x - y * 2", "n + m", "n - m", "n * m", "n / m", "x / y", "n % m", "x % y",
        "n % 3", "n ^ 2", "x ^ 0.5", "-x", "-n", "x > y", "n <= m", "x = n", "region = 'North'",
        "region <> notes", "region < 'm'", "flag and x > 0", "flag or x > 0", "not flag",
        "x between -1 and 1", "n not between 0 and 3", "n in (1, 2, null)",
        "region in ('North', 'East')", "region not in ('North')", "x is null or n is not null",
        "if(flag, x, n)", "if(x > 0, region, notes)", "coalesce(x, y, n)", "is_missing(region)",
        "log(x)", "log1p(y)", "exp(x / 10)", "sqrt(x)", "abs(n) + abs(x)", "pow(x, 2) + pow(n, m)",
        "min(x, y, n)", "max(n, m)", "clip(x, -1, 1)", "clip(n, m, 2)", "round(x, 2)", "round(y)",
        "round(x * 1.5, 1)", "floor(x) + ceil(y)", "sign(x) + sign(n)",
        "year(d) * 10000 + month(d) * 100 + day(d)", "dayofweek(d)", "dayofyear(d)", "quarter(d)",
        "week(d)", "season(d)", "d >= '2021-01-01'", "d - '2020-01-01'",
        "ts - '2020-01-01 00:00:00'", "ts - '2020-01-01'", "year(ts) + dayofweek(ts) + week(ts)",
        "season(ts) = 'winter'", "lower(region)", "upper(notes)", "length(notes)",
        "contains(notes, 'a')", "contains(notes, region)", "if(flag, d, '2000-01-01')",
        "if(flag, ts, '2000-01-01 12:00:00')", "coalesce(region, 'none')", "x * 9 / 5 + 32",
        "\"odd name\" + 1", "true", "null", "'it''s' = region", "d", "ts", "flag = (n > 0)",
        "n in (m, 3)", "x between y and 2", "coalesce(d, '1999-12-31') < '2020-06-01'",
    };
    struct sx_frame *f = frame_rt();
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ensure_math(db);
    write_table(db, f);
    cr_assert_geq(sizeof exprs / sizeof *exprs, 50);
    for (size_t k = 0; k < sizeof exprs / sizeof *exprs; k++) {
        const char *src = exprs[k];
        struct sx_err err;
        struct sx_expr *e = compile(src, f);
        struct sx_column *c = sx_expr_eval(e, f, "v", &err);
        cr_assert_not_null(c, "%s: %s", src, err.msg);
        char *expr_sql = sx_expr_sql(e, SX_SQL_SQLITE, &err);
        cr_assert_not_null(expr_sql, "%s: %s", src, err.msg);
        char *q = NULL;
        cr_assert_geq(asprintf(&q, "SELECT %s FROM t ORDER BY rowid", expr_sql), 0);
        sqlite3_stmt *st;
        cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s: %s: %s", src, q,
                     sqlite3_errmsg(db));
        size_t i = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            cr_assert_lt(i, c->len);
            int sql_null = sqlite3_column_type(st, 0) == SQLITE_NULL;
            cr_expect_eq(sql_null, !sx_col_valid(c, i), "%s row %zu: SQL %s, C %s (%s)", src, i,
                         sql_null ? "NULL" : (const char *)sqlite3_column_text(st, 0),
                         sx_col_valid(c, i) ? "present" : "missing", q);
            if (!sql_null && sx_col_valid(c, i)) {
                char cell[64];
                switch (c->type) {
                case SX_FLOAT:
                case SX_INT:
                case SX_BOOL: {
                    double want = sx_col_num(c, i), got = sqlite3_column_double(st, 0);
                    cr_expect(close_enough(want, got), "%s row %zu: SQL %.17g, C %.17g", src, i, got,
                              want);
                    break;
                }
                case SX_DATE:
                case SX_CATEGORY:
                case SX_TEXT:
                    sx_col_format(c, i, cell, sizeof cell);
                    cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), cell,
                                     "%s row %zu: SQL '%s', C '%s'", src, i,
                                     sqlite3_column_text(st, 0), cell);
                    break;
                }
            }
            i++;
        }
        cr_expect_eq(rc, SQLITE_DONE, "%s: %s", src, sqlite3_errmsg(db));
        cr_expect_eq(i, c->len);
        sqlite3_finalize(st);
        free(q);
        free(expr_sql);
        sx_col_free(c);
        sx_expr_free(e);
    }
    sqlite3_close(db);
    sx_frame_free(f);
}

Test(expr_sql, every_dialect_renders_every_construct)
{
    /* Each construct in every dialect: SQL text, never an error, balanced
     * parentheses and quotes. (Only SQLite runs here.) */
    static const char *const exprs[] = {
        "x + y - n * m / 2 % 3 ^ 2", "x % y", "n % m", "-x", "not flag and x > 0 or x is null",
        "x between 0 and 1", "n not in (1, 2)", "if(flag, region, notes)", "coalesce(x, n)",
        "is_missing(x)", "log(x) + log1p(x) + exp(x) + sqrt(x) + abs(x) + pow(x, 2)",
        "min(x, n) + max(x, n) + clip(x, 0, 1)", "round(x, 3) + round(x) + floor(x) + ceil(x)",
        "sign(x)", "year(d) + month(d) + day(d) + dayofweek(d) + dayofyear(d) + quarter(d) + week(d)",
        "season(ts)", "lower(region) = upper(notes)", "length(notes)", "contains(notes, 'a')",
        "d - '2020-01-01'", "ts - '2020-01-01'", "d > '2020-01-01' and ts < '2021-01-01 10:00:00'",
        "\"say \"\"hi\"\"\" = 'it''s'", "true or false", "null",
    };
    struct sx_frame *f = frame6();
    for (size_t k = 0; k < sizeof exprs / sizeof *exprs; k++) {
        struct sx_expr *e = compile(exprs[k], f);
        for (int d = SX_SQL_SQLITE; d <= SX_SQL_SPARK; d++) {
            struct sx_err err;
            char *sql = sx_expr_sql(e, (enum sx_sql_dialect)d, &err);
            cr_assert_not_null(sql, "%s (%d): %s", exprs[k], d, err.msg);
            int depth = 0, squote = 0, dquote = 0, bquote = 0;
            for (const char *p = sql; *p; p++) {
                if (d == SX_SQL_SPARK && squote && *p == '\\' && p[1]) {
                    p++;    /* Spark: a backslash escapes the next character */
                    continue;
                }
                if (*p == '\'' && !dquote && !bquote)
                    squote ^= 1;
                else if (*p == '"' && !squote && !bquote)
                    dquote ^= 1;
                else if (*p == '`' && !squote && !dquote)
                    bquote ^= 1;
                else if (!squote && !dquote && !bquote && *p == '(')
                    depth++;
                else if (!squote && !dquote && !bquote && *p == ')')
                    cr_assert_geq(--depth, 0, "%s", sql);
                cr_expect(!(p[0] == '-' && p[1] == '-' && !squote), "comment in %s", sql);
            }
            cr_expect_eq(depth, 0, "%s", sql);
            cr_expect(!squote && !dquote && !bquote, "%s", sql);
            cr_expect(d != SX_SQL_SPARK || !strchr(sql, '"') || strstr(exprs[k], "hi"),
                      "double quotes in Spark SQL: %s", sql);
            free(sql);
        }
        sx_expr_free(e);
    }
    sx_frame_free(f);
}
