/* core/expr_sql.c: the SQL export of the expression language of
 * core/expr.h: sx_expr_sql (a checked tree, core/expr_int.h, as one SQL
 * expression for SQLite, PostgreSQL, DuckDB or Spark), sx_sql_ident and
 * sx_sql_dialect_parse. Pure string building: no database is opened here.
 *
 * Every subexpression is parenthesised, so precedence never depends on
 * the dialect. Where the SQL needs an operand twice (sqrt, min/max/clip
 * outside SQLite), it is written twice; the text is capped at SQL_MAX
 * bytes so a deeply nested expression cannot blow up. Division and % go
 * through NULLIF(divisor, 0) in every dialect, so x / 0 is NULL.
 *
 * SQLite: for a table whose date columns hold ISO text ('YYYY-MM-DD',
 * timestamps 'YYYY-MM-DD HH:MM:SS': what the CSV had and sextant writes),
 * bools 0/1 and missing cells NULL. Date parts use strftime and julianday;
 * the ISO week is the day of the year of the week's Thursday
 * (date(d, '-3 days', 'weekday 4')), as 3.40 has no %V. It needs SQLite's
 * math functions (ln, exp, sqrt, power, floor, ceil, mod, sign), built in
 * with SQLITE_ENABLE_MATH_FUNCTIONS as Debian's libsqlite3 3.40 is
 * (tests/test_expr.c registers them itself when a library lacks them);
 * there ln(x <= 0), sqrt(x < 0) and a NaN power are NULL already. / casts
 * its left side to REAL; % on floats is mod(), because SQLite's % truncates
 * to integers. Differences from sx_expr_eval: an int overflow gives a REAL
 * in SQLite (missing there); log1p is ln(1 + x), less precise for |x| <
 * 1e-4; round follows SQLite's own rounding, which agrees with round_dec
 * (core/expr_eval.c) except on values a few ulps from a half.
 * PostgreSQL, DuckDB, Spark: date columns of DATE / TIMESTAMP type. ln of
 * x <= 0 becomes ln(NULL), sqrt of x < 0 a CASE, and a NaN power NULLIF(…,
 * 'NaN'); min/max/clip are NULL when any argument is (LEAST/GREATEST skip
 * NULLs there). Float % goes through NUMERIC in PostgreSQL; PostgreSQL
 * raises an error for power() of a negative base with a fractional
 * exponent where we give missing; lower/upper follow the database's locale
 * rather than ASCII only. */
#include "expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "expr_int.h"
#include "num.h"
#include "strbuf.h"

#define SQL_MAX ((size_t)1 << 20)

struct sb {
    char *s;
    size_t len, cap;
    enum sx_status rc;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
    if (b->rc)
        return;
    if (b->len + n + 1 > SQL_MAX) {
        b->rc = SX_ELIMIT;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->rc = SX_ENOMEM;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A string literal: '' doubles a quote in standard SQL; Spark SQL reads
 * backslash escapes instead (where '' would end one literal and start
 * another), so there a quote and a backslash are escaped with \. */
static void sb_strlit(struct sb *b, const char *s, size_t n, enum sx_sql_dialect d)
{
    sb_put(b, "'", 1);
    for (size_t i = 0; i < n; i++) {
        if (d == SX_SQL_SPARK && (s[i] == '\'' || s[i] == '\\'))
            sb_put(b, "\\", 1);
        sb_put(b, s + i, 1);
        if (d != SX_SQL_SPARK && s[i] == '\'')
            sb_put(b, "'", 1);
    }
    sb_put(b, "'", 1);
}

char *sx_sql_ident(const char *name, enum sx_sql_dialect d)
{
    char q = d == SX_SQL_SPARK ? '`' : '"';
    size_t n = strlen(name), o = 0;
    char *out = malloc(2 * n + 3);
    if (!out)
        return NULL;
    out[o++] = q;
    for (size_t i = 0; i < n; i++) {
        out[o++] = name[i];
        if (name[i] == q)
            out[o++] = q;
    }
    out[o++] = q;
    out[o] = '\0';
    return out;
}

void sx_sql_put_ident(struct sx_sb *b, const char *name, enum sx_sql_dialect d)
{
    char *q = sx_sql_ident(name, d);
    if (!q) {
        b->oom = 1;
        return;
    }
    sx_sb_puts(b, q);
    free(q);
}

void sx_sql_put_table(struct sx_sb *b, const char *table, enum sx_sql_dialect d)
{
    const char *p = table;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char *part = strndup(p, n);
        if (!part) {
            b->oom = 1;
            return;
        }
        sx_sql_put_ident(b, part, d);
        free(part);
        if (!dot)
            break;
        sx_sb_put(b, ".", 1);
        p = dot + 1;
    }
}

void sx_sql_put_double(struct sx_sb *b, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    if (!strpbrk(buf, ".e"))
        strcat(buf, ".0");
    if (buf[0] == '-')
        sx_sb_printf(b, "(%s)", buf);
    else
        sx_sb_puts(b, buf);
}

enum sx_status sx_sql_dialect_parse(const char *s, enum sx_sql_dialect *out, struct sx_err *err)
{
    static const char *const names[] = {"sqlite", "postgres", "duckdb", "spark"};
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (enum sx_sql_dialect)i;
            return SX_OK;
        }
    return sx_err_set(err, SX_EINVAL, "unknown SQL dialect '%.40s' (sqlite, postgres, duckdb, spark)",
                      s ? s : "");
}

static void sq(struct sb *b, const struct node *n, enum sx_sql_dialect d);

static const char *dbl_type(enum sx_sql_dialect d)
{
    switch (d) {
    case SX_SQL_SQLITE: return "REAL";
    case SX_SQL_POSTGRES: return "DOUBLE PRECISION";
    default: return "DOUBLE";
    }
}

/* Kids of N from FIRST on, separated by ", ". */
static void sq_list(struct sb *b, const struct node *n, int first, enum sx_sql_dialect d)
{
    for (int k = first; k < n->nkid; k++) {
        if (k > first)
            sb_puts(b, ", ");
        sq(b, n->kid[k], d);
    }
}

/* "CASE WHEN a IS NULL OR b IS NULL … THEN NULL ELSE " */
static void sq_any_null(struct sb *b, const struct node *n, enum sx_sql_dialect d)
{
    sb_puts(b, "CASE WHEN ");
    for (int k = 0; k < n->nkid; k++) {
        if (k)
            sb_puts(b, " OR ");
        sq(b, n->kid[k], d);
        sb_puts(b, " IS NULL");
    }
    sb_puts(b, " THEN NULL ELSE ");
}

static void sq_date_part(struct sb *b, const struct node *n, enum sx_sql_dialect d)
{
    const struct node *x = n->kid[0];
    int f = n->op == F_SEASON ? F_MONTH : n->op;
    if (n->op == F_SEASON)
        sb_puts(b, "(CASE ");
    switch (d) {
    case SX_SQL_SQLITE: {
        static const struct { int f; const char *pre, *mid, *post; } t[] = {
            {F_YEAR, "CAST(strftime('%Y', ", "", ") AS INTEGER)"},
            {F_MONTH, "CAST(strftime('%m', ", "", ") AS INTEGER)"},
            {F_DAY, "CAST(strftime('%d', ", "", ") AS INTEGER)"},
            {F_DAYOFWEEK, "((CAST(strftime('%w', ", "", ") AS INTEGER) + 6) % 7)"},
            {F_DAYOFYEAR, "CAST(strftime('%j', ", "", ") AS INTEGER)"},
            {F_QUARTER, "((CAST(strftime('%m', ", "", ") AS INTEGER) + 2) / 3)"},
            /* the Thursday of the ISO week: its day of the year gives the week */
            {F_WEEK, "((CAST(strftime('%j', date(", ", '-3 days', 'weekday 4')", ") AS INTEGER) - 1) / 7 + 1)"},
        };
        for (size_t i = 0; i < sizeof t / sizeof *t; i++)
            if (t[i].f == f) {
                sb_puts(b, t[i].pre);
                sq(b, x, d);
                sb_puts(b, t[i].mid);
                sb_puts(b, t[i].post);
            }
        break;
    }
    case SX_SQL_POSTGRES: {
        static const char *const field[] = {
            [F_YEAR] = "YEAR", [F_MONTH] = "MONTH", [F_DAY] = "DAY", [F_DAYOFWEEK] = "ISODOW",
            [F_DAYOFYEAR] = "DOY", [F_QUARTER] = "QUARTER", [F_WEEK] = "WEEK"};
        sb_printf(b, "%sCAST(EXTRACT(%s FROM ", f == F_DAYOFWEEK ? "(" : "", field[f]);
        sq(b, x, d);
        sb_puts(b, f == F_DAYOFWEEK ? ") AS INTEGER) - 1)" : ") AS INTEGER)");
        break;
    }
    case SX_SQL_DUCKDB:
    case SX_SQL_SPARK: {
        int spark = d == SX_SQL_SPARK;
        const char *fn = "year";
        switch (f) {
        case F_MONTH: fn = "month"; break;
        case F_DAY: fn = spark ? "dayofmonth" : "day"; break;
        case F_DAYOFWEEK: fn = spark ? "((dayofweek" : "(isodow"; break;
        case F_DAYOFYEAR: fn = "dayofyear"; break;
        case F_QUARTER: fn = "quarter"; break;
        case F_WEEK: fn = spark ? "weekofyear" : "week"; break;
        default: break;
        }
        sb_printf(b, "%s(", fn);
        sq(b, x, d);
        sb_puts(b, f != F_DAYOFWEEK ? ")" : spark ? ") + 5) % 7)" : ") - 1)");
        break;
    }
    }
    if (n->op == F_SEASON)
        sb_puts(b, " WHEN 12 THEN 'winter' WHEN 1 THEN 'winter' WHEN 2 THEN 'winter'"
                   " WHEN 3 THEN 'spring' WHEN 4 THEN 'spring' WHEN 5 THEN 'spring'"
                   " WHEN 6 THEN 'summer' WHEN 7 THEN 'summer' WHEN 8 THEN 'summer'"
                   " WHEN 9 THEN 'autumn' WHEN 10 THEN 'autumn' WHEN 11 THEN 'autumn' END)");
}

static void sq_call(struct sb *b, const struct node *n, enum sx_sql_dialect d)
{
    const struct node *x = n->kid[0];
    int lite = d == SX_SQL_SQLITE;
    switch ((enum fn)n->op) {
    case F_IF:
        sb_puts(b, "(CASE ");
        sq(b, x, d);
        sb_puts(b, lite ? " WHEN 1 THEN " : " WHEN TRUE THEN ");
        sq(b, n->kid[1], d);
        sb_puts(b, lite ? " WHEN 0 THEN " : " WHEN FALSE THEN ");
        sq(b, n->kid[2], d);
        sb_puts(b, " END)");
        return;
    case F_COALESCE:
        sb_puts(b, n->nkid == 1 ? "(" : "COALESCE(");
        sq_list(b, n, 0, d);
        sb_puts(b, ")");
        return;
    case F_IS_MISSING:
        sb_puts(b, "(");
        sq(b, x, d);
        sb_puts(b, " IS NULL)");
        return;
    case F_LOG:
    case F_LOG1P:
        /* SQLite's ln is NULL for x <= 0; elsewhere map x <= 0 to NULL first */
        sb_puts(b, lite ? "ln(" : "ln(NULLIF(GREATEST(");
        if (n->op == F_LOG1P)
            sb_puts(b, "1 + ");
        sq(b, x, d);
        sb_puts(b, lite ? ")" : ", 0), 0))");
        return;
    case F_EXP:
    case F_ABS:
        sb_puts(b, n->op == F_EXP ? "exp(" : "abs(");
        sq(b, x, d);
        sb_puts(b, ")");
        return;
    case F_SQRT:
        if (lite) { /* NULL for x < 0 */
            sb_puts(b, "sqrt(");
            sq(b, x, d);
            sb_puts(b, ")");
            return;
        }
        sb_puts(b, "(CASE WHEN ");
        sq(b, x, d);
        sb_puts(b, " >= 0 THEN sqrt(");
        sq(b, x, d);
        sb_puts(b, ") END)");
        return;
    case F_POW:
        if (lite) { /* NULL where the result is NaN */
            sb_puts(b, "power(");
            sq_list(b, n, 0, d);
            sb_puts(b, ")");
            return;
        }
        sb_printf(b, "NULLIF(power(CAST(");
        sq(b, x, d);
        sb_printf(b, " AS %s), ", dbl_type(d));
        sq(b, n->kid[1], d);
        sb_printf(b, "), CAST('NaN' AS %s))", dbl_type(d));
        return;
    case F_MIN:
    case F_MAX:
        if (lite) { /* scalar min/max: NULL when any argument is */
            sb_puts(b, n->op == F_MIN ? "min(" : "max(");
            sq_list(b, n, 0, d);
            sb_puts(b, ")");
            return;
        }
        sb_puts(b, "(");
        sq_any_null(b, n, d);
        sb_puts(b, n->op == F_MIN ? "LEAST(" : "GREATEST(");
        sq_list(b, n, 0, d);
        sb_puts(b, ") END)");
        return;
    case F_CLIP:
        if (!lite) {
            sb_puts(b, "(");
            sq_any_null(b, n, d);
        }
        sb_puts(b, lite ? "min(max(" : "LEAST(GREATEST(");
        sq(b, x, d);
        sb_puts(b, ", ");
        sq(b, n->kid[1], d);
        sb_puts(b, "), ");
        sq(b, n->kid[2], d);
        sb_puts(b, lite ? ")" : ") END)");
        return;
    case F_ROUND:
    case F_FLOOR:
    case F_CEIL: {
        if (x->ty != TY_FLOAT) { /* ints stay as they are */
            sb_puts(b, "(");
            sq(b, x, d);
            sb_puts(b, ")");
            return;
        }
        int digits = n->nkid == 2 ? (int)n->kid[1]->ival : 0;
        if (n->op != F_ROUND) {
            sb_puts(b, n->op == F_FLOOR ? "floor(" : "ceil(");
            sq(b, x, d);
            sb_puts(b, ")");
        } else if (d == SX_SQL_POSTGRES) { /* numeric rounds halves away from zero */
            sb_puts(b, "CAST(round(CAST(");
            sq(b, x, d);
            sb_printf(b, " AS NUMERIC), %d) AS DOUBLE PRECISION)", digits);
        } else {
            sb_puts(b, "round(");
            sq(b, x, d);
            sb_printf(b, ", %d)", digits);
        }
        return;
    }
    case F_SIGN:
        sb_puts(b, d == SX_SQL_SPARK ? "CAST(signum(" : "CAST(sign(");
        sq(b, x, d);
        sb_puts(b, d == SX_SQL_SPARK || d == SX_SQL_POSTGRES ? ") AS BIGINT)" : ") AS INTEGER)");
        return;
    case F_YEAR: case F_MONTH: case F_DAY: case F_DAYOFWEEK: case F_DAYOFYEAR:
    case F_QUARTER: case F_WEEK: case F_SEASON:
        sq_date_part(b, n, d);
        return;
    case F_LOWER:
    case F_UPPER:
        sb_puts(b, n->op == F_LOWER ? "lower(" : "upper(");
        sq(b, x, d);
        sb_puts(b, ")");
        return;
    case F_LENGTH:
        sb_puts(b, d == SX_SQL_POSTGRES || d == SX_SQL_SPARK ? "char_length(" : "length(");
        sq(b, x, d);
        sb_puts(b, ")");
        return;
    case F_CONTAINS:
        if (d == SX_SQL_POSTGRES || d == SX_SQL_DUCKDB) {
            sb_puts(b, "(strpos(");
            sq_list(b, n, 0, d);
        } else {
            sb_puts(b, "(instr(");
            sq_list(b, n, 0, d);
        }
        sb_puts(b, ") > 0)");
        return;
    case F_COUNT:
        break;
    }
}

static void sq_date_diff(struct sb *b, const struct node *n, enum sx_sql_dialect d)
{
    const struct node *x = n->kid[0], *y = n->kid[1];
    int secs = n->unit == SX_SECONDS;
    switch (d) {
    case SX_SQL_SQLITE:
        if (!secs) {
            sb_puts(b, "CAST(julianday(");
            sq(b, x, d);
            sb_puts(b, ") - julianday(");
            sq(b, y, d);
            sb_puts(b, ") AS INTEGER)");
        } else {
            sb_puts(b, "((CAST(strftime('%s', ");
            sq(b, x, d);
            sb_puts(b, ") AS INTEGER) - CAST(strftime('%s', ");
            sq(b, y, d);
            sb_puts(b, ") AS INTEGER)) / 86400.0)");
        }
        return;
    case SX_SQL_POSTGRES:
        sb_puts(b, secs ? "(CAST(EXTRACT(EPOCH FROM (" : "(");
        sq(b, x, d);
        sb_puts(b, " - ");
        sq(b, y, d);
        sb_puts(b, secs ? ")) AS DOUBLE PRECISION) / 86400.0)" : ")");
        return;
    case SX_SQL_DUCKDB:
        if (!secs) {
            sb_puts(b, "(");
            sq(b, x, d);
            sb_puts(b, " - ");
            sq(b, y, d);
            sb_puts(b, ")");
        } else {
            sb_puts(b, "((epoch(");
            sq(b, x, d);
            sb_puts(b, ") - epoch(");
            sq(b, y, d);
            sb_puts(b, ")) / 86400.0)");
        }
        return;
    case SX_SQL_SPARK:
        sb_puts(b, secs ? "((unix_timestamp(" : "datediff(");
        sq(b, x, d);
        sb_puts(b, secs ? ") - unix_timestamp(" : ", ");
        sq(b, y, d);
        sb_puts(b, secs ? ")) / 86400.0)" : ")");
        return;
    }
}

static void sq_lit(struct sb *b, const struct node *n, enum sx_sql_dialect d)
{
    int lite = d == SX_SQL_SQLITE;
    switch (n->ty) {
    case TY_NULL:
        sb_puts(b, "NULL");
        return;
    case TY_INT:
        sb_printf(b, "%lld", (long long)n->ival);
        return;
    case TY_FLOAT: {
        char num[40];
        sx_num_format_double(n->fval, num);
        sb_puts(b, num);
        if (!strpbrk(num, ".eE")) /* stays a float in SQL */
            sb_puts(b, ".0");
        return;
    }
    case TY_BOOL:
        sb_puts(b, lite ? (n->ival ? "1" : "0") : (n->ival ? "TRUE" : "FALSE"));
        return;
    case TY_STR:
        sb_strlit(b, n->str, n->slen, d);
        return;
    case TY_DATE: {
        char txt[40];
        if (n->unit == SX_SECONDS)
            sx_datetime_format(n->ival, txt);
        else
            sx_date_format(n->ival, txt);
        if (!lite)
            sb_puts(b, n->unit == SX_SECONDS ? "TIMESTAMP " : "DATE ");
        sb_strlit(b, txt, strlen(txt), d);
        return;
    }
    }
}

static void sq(struct sb *b, const struct node *n, enum sx_sql_dialect d)
{
    static const char *const cmp_sql[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
    const struct node *x = n->nkid > 0 ? n->kid[0] : NULL, *y = n->nkid > 1 ? n->kid[1] : NULL;
    if (b->rc)
        return;
    switch (n->kind) {
    case K_LIT:
        sq_lit(b, n, d);
        return;
    case K_COL: {
        char *id = sx_sql_ident(n->str, d);
        if (!id) {
            b->rc = SX_ENOMEM;
            return;
        }
        sb_puts(b, id);
        free(id);
        return;
    }
    case K_NEG:
    case K_NOT:
        sb_puts(b, n->kind == K_NEG ? "(-" : "(NOT ");
        sq(b, x, d);
        sb_puts(b, ")");
        return;
    case K_AND:
    case K_OR:
        sb_puts(b, "(");
        sq(b, x, d);
        sb_puts(b, n->kind == K_AND ? " AND " : " OR ");
        sq(b, y, d);
        sb_puts(b, ")");
        return;
    case K_CMP:
        sb_puts(b, "(");
        sq(b, x, d);
        sb_puts(b, cmp_sql[n->op]);
        sq(b, y, d);
        sb_puts(b, ")");
        return;
    case K_ARITH:
        if (x->ty == TY_DATE || y->ty == TY_DATE) {
            sq_date_diff(b, n, d);
            return;
        }
        if (n->op == '/') {
            sb_puts(b, "(CAST(");
            sq(b, x, d);
            sb_printf(b, " AS %s) / NULLIF(", dbl_type(d));
            sq(b, y, d);
            sb_puts(b, ", 0))");
            return;
        }
        if (n->op == '^') {
            struct node call = *n;
            call.kind = K_CALL;
            call.op = F_POW;
            sq_call(b, &call, d);
            return;
        }
        if (n->op == '%' && n->ty == TY_FLOAT) {
            switch (d) {
            case SX_SQL_SQLITE: sb_puts(b, "mod("); break; /* SQLite's % truncates to ints */
            case SX_SQL_POSTGRES: sb_puts(b, "CAST(mod(CAST("); break;
            case SX_SQL_DUCKDB: sb_puts(b, "fmod("); break;
            case SX_SQL_SPARK: sb_puts(b, "(CAST("); break;
            }
            sq(b, x, d);
            switch (d) {
            case SX_SQL_POSTGRES: sb_puts(b, " AS NUMERIC), CAST(NULLIF("); break;
            case SX_SQL_SPARK: sb_puts(b, " AS DOUBLE) % NULLIF("); break;
            default: sb_puts(b, ", NULLIF("); break;
            }
            sq(b, y, d);
            sb_puts(b, d == SX_SQL_POSTGRES ? ", 0) AS NUMERIC)) AS DOUBLE PRECISION)" : ", 0))");
            return;
        }
        sb_puts(b, "(");
        sq(b, x, d);
        switch (n->op) {
        case '+': sb_puts(b, " + "); break;
        case '-': sb_puts(b, " - "); break;
        case '*': sb_puts(b, " * "); break;
        default: sb_puts(b, " % NULLIF("); break;
        }
        sq(b, y, d);
        sb_puts(b, n->op == '%' ? ", 0))" : ")");
        return;
    case K_BETWEEN:
        sb_puts(b, "(");
        sq(b, x, d);
        sb_puts(b, n->neg ? " NOT BETWEEN " : " BETWEEN ");
        sq(b, y, d);
        sb_puts(b, " AND ");
        sq(b, n->kid[2], d);
        sb_puts(b, ")");
        return;
    case K_IN:
        sb_puts(b, "(");
        sq(b, x, d);
        sb_puts(b, n->neg ? " NOT IN (" : " IN (");
        sq_list(b, n, 1, d);
        sb_puts(b, "))");
        return;
    case K_ISNULL:
        sb_puts(b, "(");
        sq(b, x, d);
        sb_puts(b, n->neg ? " IS NOT NULL)" : " IS NULL)");
        return;
    case K_CALL:
        sq_call(b, n, d);
        return;
    }
}

char *sx_expr_sql(const struct sx_expr *e, enum sx_sql_dialect d, struct sx_err *err)
{
    if (!e || !e->checked) {
        sx_err_set(err, SX_EINVAL, "expression not checked");
        return NULL;
    }
    if ((int)d < 0 || d > SX_SQL_SPARK) {
        sx_err_set(err, SX_EINVAL, "unknown SQL dialect");
        return NULL;
    }
    struct sb b = {0};
    sq(&b, e->root, d);
    if (!b.rc && !b.s)
        b.rc = SX_ENOMEM;
    if (b.rc) {
        free(b.s);
        if (b.rc == SX_ELIMIT)
            sx_err_set(err, SX_ELIMIT, "expression too large as SQL (over %zu bytes)", SQL_MAX);
        else
            sx_err_set(err, b.rc, "expression SQL: %s", sx_status_str(b.rc));
        return NULL;
    }
    return b.s;
}
