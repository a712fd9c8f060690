/* core/expr.c: the expression language of core/expr.h: a tokenizer that
 * tracks lines and columns, a recursive-descent parser with depth and
 * length limits, a type checker against a frame's schema, an evaluator that
 * works column-at-a-time over chunks of rows (one vector per node, no
 * per-row tree walk), and SQL generation for SQLite, PostgreSQL, DuckDB
 * and Spark.
 *
 * Semantics the header leaves open, defined here:
 * - int + - * % int stays int; a result that overflows int64 is missing
 *   (SQLite would turn it into a REAL instead). -x of the smallest int64
 *   and abs() of it are missing too.
 * - % on ints: the sign follows the dividend (C, SQLite); on floats fmod.
 * - a float operation whose result is NaN gives missing; infinities stay.
 *   x / 0, x % 0, log(x <= 0), log1p(x <= -1), sqrt(x < 0) are missing.
 * - round(x, d): D is an integer literal 0..15; halves round away from
 *   zero on the shortest decimal form of x, so round(2.675, 2) = 2.68 as
 *   SQLite's round gives. round/floor/ceil/abs/min/max/clip keep ints int.
 * - lower/upper change ASCII letters only (SQLite without ICU); length
 *   counts UTF-8 characters.
 * - date - date gives days: an int for dates, a float for timestamps.
 * - a 'string' literal compared with (or chosen alongside) a date becomes
 *   a date: 'YYYY-MM-DD', or 'YYYY-MM-DD HH:MM:SS' for a timestamp.
 * - keywords (and or not between in is null true false) and function names
 *   are case-insensitive; column names are not.
 * - sx_expr_caret's COL counts bytes from the start of SRC (the same as
 *   the error column when SRC is one line). */
#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "num.h"

/* ---- the tree ---- */

enum ty { TY_NULL, TY_INT, TY_FLOAT, TY_BOOL, TY_STR, TY_DATE };

enum kind {
    K_LIT, K_COL, K_NEG, K_NOT, K_ARITH, K_CMP, K_AND, K_OR,
    K_BETWEEN, K_IN, K_ISNULL, K_CALL
};

enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

/* Functions: id, name, fewest and most arguments. */
#define FN_TABLE(X)                       \
    X(IF,         "if",         3, 3)     \
    X(COALESCE,   "coalesce",   1, 0)     \
    X(IS_MISSING, "is_missing", 1, 1)     \
    X(LOG,        "log",        1, 1)     \
    X(LOG1P,      "log1p",      1, 1)     \
    X(EXP,        "exp",        1, 1)     \
    X(SQRT,       "sqrt",       1, 1)     \
    X(ABS,        "abs",        1, 1)     \
    X(POW,        "pow",        2, 2)     \
    X(MIN,        "min",        2, 0)     \
    X(MAX,        "max",        2, 0)     \
    X(CLIP,       "clip",       3, 3)     \
    X(ROUND,      "round",      1, 2)     \
    X(FLOOR,      "floor",      1, 1)     \
    X(CEIL,       "ceil",       1, 1)     \
    X(SIGN,       "sign",       1, 1)     \
    X(YEAR,       "year",       1, 1)     \
    X(MONTH,      "month",      1, 1)     \
    X(DAY,        "day",        1, 1)     \
    X(DAYOFWEEK,  "dayofweek",  1, 1)     \
    X(DAYOFYEAR,  "dayofyear",  1, 1)     \
    X(QUARTER,    "quarter",    1, 1)     \
    X(WEEK,       "week",       1, 1)     \
    X(SEASON,     "season",     1, 1)     \
    X(LOWER,      "lower",      1, 1)     \
    X(UPPER,      "upper",      1, 1)     \
    X(LENGTH,     "length",     1, 1)     \
    X(CONTAINS,   "contains",   2, 2)

enum fn {
#define X(id, name, lo, hi) F_##id,
    FN_TABLE(X)
#undef X
    F_COUNT
};

static const struct {
    const char *name;
    int lo, hi; /* hi 0: no upper bound */
} fns[] = {
#define X(id, name, lo, hi) {name, lo, hi},
    FN_TABLE(X)
#undef X
};

struct node {
    enum kind kind;
    int op;             /* '+' … for K_ARITH, enum cmp, enum fn */
    int neg;            /* not between, not in, is not null */
    int line, col;      /* the token that names the node */
    struct node **kid;
    int nkid;
    enum ty lty;        /* K_LIT: the literal as written */
    int64_t ival;       /* TY_INT literal; a string literal read as a date */
    double fval;
    char *str;          /* string literal or column name (NUL-terminated) */
    size_t slen;
    /* set by the checker */
    enum ty ty;
    enum sx_date_unit unit;
    long cidx;          /* K_COL: index in the frame */
    enum sx_type ctype; /* K_COL: the column's type */
    int id;             /* 0 .. nnodes-1, slot of the evaluator */
};

struct sx_expr {
    struct node *root;
    int checked;
    int nnodes;
};

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->nkid; i++)
        node_free(n->kid[i]);
    free(n->kid);
    free(n->str);
    free(n);
}

void sx_expr_free(struct sx_expr *e)
{
    if (!e)
        return;
    node_free(e->root);
    free(e);
}

/* ---- tokenizer ---- */

enum tk { T_EOF, T_NUM, T_STR, T_NAME, T_QNAME, T_LP, T_RP, T_COMMA, T_OP };

/* T_OP codes: the character for + - * / % ^, OP_CMP + enum cmp for the rest. */
#define OP_CMP 256

struct tok {
    enum tk t;
    int op;
    const char *s;      /* the token's bytes in the source */
    size_t len;
    int line, col;
};

struct parser {
    const char *src;
    size_t pos;         /* lexer position */
    int line;
    size_t lstart;      /* offset where the current line starts */
    struct tok cur;
    int depth;
    int failed;
    struct sx_err *err;
    int *err_col;
};

static void perr(struct parser *p, enum sx_status code, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void perr(struct parser *p, enum sx_status code, int line, int col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sx_err_set(p->err, code, "%d:%d: %s", line, col, msg);
    if (p->err_col)
        *p->err_col = col;
}

/* 'TEXT' of a token for messages: at most 40 bytes, control bytes as '?';
 * "end of expression" at the end. */
static void tokdesc(const struct tok *t, char *buf, size_t size)
{
    if (t->t == T_EOF) {
        snprintf(buf, size, "end of expression");
        return;
    }
    size_t n = t->len > 40 ? 40 : t->len, o = 0;
    buf[o++] = '\'';
    for (size_t i = 0; i < n && o + 5 < size; i++) {
        unsigned char c = (unsigned char)t->s[i];
        buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (n < t->len && o + 5 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int lower_ascii(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Scan a quoted token (QUOTE ' or ") from p->pos, which holds the opening
 * quote; returns 0 when unterminated. Tracks newlines inside. */
static int scan_quoted(struct parser *p, char quote)
{
    size_t i = p->pos + 1;
    for (;;) {
        char c = p->src[i];
        if (c == '\0')
            return 0;
        if (c == quote) {
            if (p->src[i + 1] == quote) {
                i += 2;
                continue;
            }
            p->pos = i + 1;
            return 1;
        }
        if (c == '\n') {
            p->line++;
            p->lstart = i + 1;
        }
        i++;
    }
}

/* Read the next token into p->cur. On a lexical error sets the parser's
 * error and makes the token T_EOF. */
static void advance(struct parser *p)
{
    const char *s = p->src;
    for (;;) {
        char c = s[p->pos];
        if (c == '\n') {
            p->line++;
            p->lstart = ++p->pos;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else {
            break;
        }
    }
    struct tok *t = &p->cur;
    t->line = p->line;
    t->col = (int)(p->pos - p->lstart) + 1;
    t->s = s + p->pos;
    t->op = 0;
    size_t start = p->pos;
    unsigned char c = (unsigned char)s[p->pos];
    if (c == '\0') {
        t->t = T_EOF;
        t->len = 0;
        return;
    }
    if (is_digit(c) || (c == '.' && is_digit(s[p->pos + 1]))) {
        size_t i = p->pos;
        while (is_digit(s[i]))
            i++;
        if (s[i] == '.') {
            i++;
            while (is_digit(s[i]))
                i++;
        }
        if ((s[i] == 'e' || s[i] == 'E') &&
            (is_digit(s[i + 1]) || ((s[i + 1] == '+' || s[i + 1] == '-') && is_digit(s[i + 2])))) {
            i += 2;
            while (is_digit(s[i]))
                i++;
        }
        p->pos = i;
        t->t = T_NUM;
    } else if (is_alpha(c)) {
        size_t i = p->pos + 1;
        while (is_alpha(s[i]) || is_digit(s[i]))
            i++;
        p->pos = i;
        t->t = T_NAME;
    } else if (c == '\'' || c == '"') {
        int line = t->line, col = t->col;
        if (!scan_quoted(p, (char)c)) {
            perr(p, SX_EPARSE, line, col, "unterminated %s",
                 c == '\'' ? "string" : "quoted name");
            t->t = T_EOF;
            t->len = 0;
            return;
        }
        t->t = c == '\'' ? T_STR : T_QNAME;
    } else {
        int op = 0;
        size_t n = 1;
        char c1 = s[p->pos + 1];
        switch (c) {
        case '(': t->t = T_LP; break;
        case ')': t->t = T_RP; break;
        case ',': t->t = T_COMMA; break;
        case '+': case '-': case '*': case '/': case '%': case '^':
            op = c;
            break;
        case '=':
            op = OP_CMP + C_EQ;
            n = c1 == '=' ? 2 : 1;
            break;
        case '!':
            if (c1 == '=') {
                op = OP_CMP + C_NE;
                n = 2;
            }
            break;
        case '<':
            if (c1 == '=') { op = OP_CMP + C_LE; n = 2; }
            else if (c1 == '>') { op = OP_CMP + C_NE; n = 2; }
            else op = OP_CMP + C_LT;
            break;
        case '>':
            if (c1 == '=') { op = OP_CMP + C_GE; n = 2; }
            else op = OP_CMP + C_GT;
            break;
        default:
            break;
        }
        if (op) {
            t->t = T_OP;
            t->op = op;
        } else if (c != '(' && c != ')' && c != ',') {
            if (c >= 0x20 && c < 0x7f)
                perr(p, SX_EPARSE, t->line, t->col, "unexpected character '%c'", c);
            else
                perr(p, SX_EPARSE, t->line, t->col, "unexpected byte 0x%02x", c);
            t->t = T_EOF;
            t->len = 0;
            return;
        }
        p->pos += n;
    }
    t->len = p->pos - start;
}

/* The token after the current one, without consuming anything. */
static struct tok peek(struct parser *p)
{
    struct parser save = *p;
    save.err = NULL;
    save.err_col = NULL;
    advance(&save);
    return save.cur;
}

static int is_kw(const struct tok *t, const char *kw)
{
    if (t->t != T_NAME || t->len != strlen(kw))
        return 0;
    for (size_t i = 0; i < t->len; i++)
        if (lower_ascii((unsigned char)t->s[i]) != kw[i])
            return 0;
    return 1;
}

static int is_reserved(const struct tok *t)
{
    static const char *const kws[] = {"and", "or", "not", "between", "in", "is"};
    for (size_t i = 0; i < sizeof kws / sizeof *kws; i++)
        if (is_kw(t, kws[i]))
            return 1;
    return 0;
}

/* The body of a quoted token with doubled quotes undone; new string. */
static char *unquote(const struct tok *t, size_t *len)
{
    char q = t->s[0];
    char *out = malloc(t->len);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        out[o++] = t->s[i];
        if (t->s[i] == q)
            i++;
    }
    out[o] = '\0';
    *len = o;
    return out;
}

/* ---- parser ---- */

static struct node *new_node(struct parser *p, enum kind k, const struct tok *at)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n) {
        perr(p, SX_ENOMEM, at->line, at->col, "out of memory");
        return NULL;
    }
    n->kind = k;
    n->line = at->line;
    n->col = at->col;
    n->cidx = -1;
    return n;
}

static int add_kid(struct parser *p, struct node *n, struct node *k)
{
    struct node **kid = realloc(n->kid, (size_t)(n->nkid + 1) * sizeof *kid);
    if (!kid) {
        perr(p, SX_ENOMEM, n->line, n->col, "out of memory");
        node_free(k);
        return -1;
    }
    n->kid = kid;
    n->kid[n->nkid++] = k;
    return 0;
}

/* A node of kind K at AT with kids A and B (either may be NULL after a
 * failure: then everything is freed and NULL returned). */
static struct node *binary(struct parser *p, enum kind k, int op, const struct tok *at,
                           struct node *a, struct node *b)
{
    struct node *n = (a && b) ? new_node(p, k, at) : NULL;
    if (!n) {
        node_free(a);
        node_free(b);
        return NULL;
    }
    n->op = op;
    if (add_kid(p, n, a) != 0) {
        node_free(b);
        node_free(n);
        return NULL;
    }
    if (add_kid(p, n, b) != 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

static struct node *unary_node(struct parser *p, enum kind k, const struct tok *at, struct node *a)
{
    struct node *n = a ? new_node(p, k, at) : NULL;
    if (!n) {
        node_free(a);
        return NULL;
    }
    if (add_kid(p, n, a) != 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

static int deeper(struct parser *p)
{
    if (++p->depth > SX_EXPR_MAX_DEPTH) {
        perr(p, SX_ELIMIT, p->cur.line, p->cur.col,
             "expression nested too deeply (more than %d levels)", SX_EXPR_MAX_DEPTH);
        return -1;
    }
    return 0;
}

static void expected(struct parser *p, const char *what)
{
    char got[64];
    tokdesc(&p->cur, got, sizeof got);
    perr(p, SX_EPARSE, p->cur.line, p->cur.col, "expected %s, got %s", what, got);
}

static struct node *parse_or(struct parser *p);
static struct node *parse_add(struct parser *p);
static struct node *parse_unary(struct parser *p);

static struct node *parse_atom(struct parser *p)
{
    struct tok t = p->cur;
    struct node *n;
    if (p->failed)
        return NULL;
    switch (t.t) {
    case T_NUM: {
        if (!(n = new_node(p, K_LIT, &t)))
            return NULL;
        if (sx_num_parse_int(t.s, t.len, &n->ival)) {
            n->lty = TY_INT;
        } else if (sx_num_parse_double(t.s, t.len, &n->fval) && isfinite(n->fval)) {
            n->lty = TY_FLOAT;
        } else {
            char got[64];
            tokdesc(&t, got, sizeof got);
            perr(p, SX_EPARSE, t.line, t.col, "number out of range: %s", got);
            node_free(n);
            return NULL;
        }
        advance(p);
        return n;
    }
    case T_STR:
    case T_QNAME: {
        if (!(n = new_node(p, t.t == T_STR ? K_LIT : K_COL, &t)))
            return NULL;
        n->lty = TY_STR;
        if (!(n->str = unquote(&t, &n->slen))) {
            perr(p, SX_ENOMEM, t.line, t.col, "out of memory");
            node_free(n);
            return NULL;
        }
        if (t.t == T_QNAME && (n->slen == 0 || strlen(n->str) != n->slen)) {
            perr(p, SX_EPARSE, t.line, t.col, "empty column name");
            node_free(n);
            return NULL;
        }
        advance(p);
        return n;
    }
    case T_LP: {
        advance(p);
        n = parse_or(p);
        if (n && p->cur.t != T_RP) {
            expected(p, "')'");
            node_free(n);
            return NULL;
        }
        if (n)
            advance(p);
        return n;
    }
    case T_NAME:
        if (is_kw(&t, "true") || is_kw(&t, "false") || is_kw(&t, "null")) {
            if (!(n = new_node(p, K_LIT, &t)))
                return NULL;
            n->lty = is_kw(&t, "null") ? TY_NULL : TY_BOOL;
            n->ival = is_kw(&t, "true");
            advance(p);
            return n;
        }
        if (is_reserved(&t))
            break;
        if (peek(p).t == T_LP) {
            int f = 0;
            while (f < F_COUNT && !(t.len == strlen(fns[f].name) && is_kw(&t, fns[f].name)))
                f++;
            if (f == F_COUNT) {
                perr(p, SX_EPARSE, t.line, t.col, "unknown function '%.*s'",
                     (int)(t.len > 40 ? 40 : t.len), t.s);
                return NULL;
            }
            if (!(n = new_node(p, K_CALL, &t)))
                return NULL;
            n->op = f;
            advance(p); /* name */
            advance(p); /* ( */
            if (p->cur.t != T_RP) {
                for (;;) {
                    struct node *a = parse_or(p);
                    if (!a || add_kid(p, n, a) != 0) {
                        node_free(n);
                        return NULL;
                    }
                    if (p->cur.t == T_COMMA) {
                        advance(p);
                        continue;
                    }
                    if (p->cur.t != T_RP) {
                        expected(p, "',' or ')'");
                        node_free(n);
                        return NULL;
                    }
                    break;
                }
            }
            advance(p); /* ) */
            int lo = fns[f].lo, hi = fns[f].hi;
            if (n->nkid < lo || (hi && n->nkid > hi)) {
                if (hi == lo)
                    perr(p, SX_EPARSE, t.line, t.col, "%s takes %d argument%s, got %d",
                         fns[f].name, lo, lo == 1 ? "" : "s", n->nkid);
                else if (hi)
                    perr(p, SX_EPARSE, t.line, t.col, "%s takes %d to %d arguments, got %d",
                         fns[f].name, lo, hi, n->nkid);
                else
                    perr(p, SX_EPARSE, t.line, t.col, "%s takes at least %d argument%s, got %d",
                         fns[f].name, lo, lo == 1 ? "" : "s", n->nkid);
                node_free(n);
                return NULL;
            }
            return n;
        }
        if (!(n = new_node(p, K_COL, &t)))
            return NULL;
        if (!(n->str = strndup(t.s, t.len))) {
            perr(p, SX_ENOMEM, t.line, t.col, "out of memory");
            node_free(n);
            return NULL;
        }
        n->slen = t.len;
        advance(p);
        return n;
    default:
        break;
    }
    expected(p, "a value");
    return NULL;
}

/* pow := atom ("^" unary)? */
static struct node *parse_pow(struct parser *p)
{
    struct node *a = parse_atom(p);
    if (!a || !(p->cur.t == T_OP && p->cur.op == '^'))
        return a;
    struct tok op = p->cur;
    advance(p);
    if (deeper(p) != 0) {
        node_free(a);
        return NULL;
    }
    struct node *b = parse_unary(p);
    p->depth--;
    return binary(p, K_ARITH, '^', &op, a, b);
}

/* unary := "-" unary | pow */
static struct node *parse_unary(struct parser *p)
{
    if (p->cur.t == T_OP && p->cur.op == '-') {
        struct tok op = p->cur;
        advance(p);
        if (deeper(p) != 0)
            return NULL;
        struct node *a = parse_unary(p);
        p->depth--;
        return unary_node(p, K_NEG, &op, a);
    }
    return parse_pow(p);
}

static struct node *parse_mul(struct parser *p)
{
    struct node *a = parse_unary(p);
    while (a && p->cur.t == T_OP && (p->cur.op == '*' || p->cur.op == '/' || p->cur.op == '%')) {
        struct tok op = p->cur;
        advance(p);
        a = binary(p, K_ARITH, op.op, &op, a, parse_unary(p));
    }
    return a;
}

static struct node *parse_add(struct parser *p)
{
    struct node *a = parse_mul(p);
    while (a && p->cur.t == T_OP && (p->cur.op == '+' || p->cur.op == '-')) {
        struct tok op = p->cur;
        advance(p);
        a = binary(p, K_ARITH, op.op, &op, a, parse_mul(p));
    }
    return a;
}

static struct node *parse_cmp(struct parser *p)
{
    struct node *a = parse_add(p);
    if (!a)
        return NULL;
    if (p->cur.t == T_OP && p->cur.op >= OP_CMP) {
        struct tok op = p->cur;
        advance(p);
        return binary(p, K_CMP, op.op - OP_CMP, &op, a, parse_add(p));
    }
    int neg = 0;
    if (is_kw(&p->cur, "not")) {
        struct tok nx = peek(p);
        if (!is_kw(&nx, "between") && !is_kw(&nx, "in"))
            return a;
        neg = 1;
        advance(p);
    }
    struct tok op = p->cur;
    if (is_kw(&op, "between")) {
        advance(p);
        struct node *lo = parse_add(p);
        if (lo && !is_kw(&p->cur, "and")) {
            expected(p, "'and'");
            node_free(lo);
            lo = NULL;
        }
        if (!lo) {
            node_free(a);
            return NULL;
        }
        advance(p);
        struct node *n = binary(p, K_BETWEEN, 0, &op, a, lo);
        if (!n)
            return NULL;
        struct node *hi = parse_add(p);
        if (!hi || add_kid(p, n, hi) != 0) {
            node_free(n);
            return NULL;
        }
        n->neg = neg;
        return n;
    }
    if (is_kw(&op, "in")) {
        struct node *n = unary_node(p, K_IN, &op, a);
        if (!n)
            return NULL;
        n->neg = neg;
        advance(p);
        if (p->cur.t != T_LP) {
            expected(p, "'('");
            node_free(n);
            return NULL;
        }
        advance(p);
        for (;;) {
            struct node *k = parse_or(p);
            if (!k || add_kid(p, n, k) != 0) {
                node_free(n);
                return NULL;
            }
            if (p->cur.t == T_COMMA) {
                advance(p);
                continue;
            }
            if (p->cur.t != T_RP) {
                expected(p, "',' or ')'");
                node_free(n);
                return NULL;
            }
            advance(p);
            return n;
        }
    }
    if (is_kw(&op, "is")) {
        advance(p);
        if (is_kw(&p->cur, "not")) {
            neg = 1;
            advance(p);
        }
        if (!is_kw(&p->cur, "null")) {
            expected(p, "'null'");
            node_free(a);
            return NULL;
        }
        advance(p);
        struct node *n = unary_node(p, K_ISNULL, &op, a);
        if (n)
            n->neg = neg;
        return n;
    }
    return a;
}

static struct node *parse_not(struct parser *p)
{
    if (is_kw(&p->cur, "not")) {
        struct tok op = p->cur;
        advance(p);
        if (deeper(p) != 0)
            return NULL;
        struct node *a = parse_not(p);
        p->depth--;
        return unary_node(p, K_NOT, &op, a);
    }
    return parse_cmp(p);
}

static struct node *parse_and(struct parser *p)
{
    struct node *a = parse_not(p);
    while (a && is_kw(&p->cur, "and")) {
        struct tok op = p->cur;
        advance(p);
        a = binary(p, K_AND, 0, &op, a, parse_not(p));
    }
    return a;
}

static struct node *parse_or(struct parser *p)
{
    if (deeper(p) != 0)
        return NULL;
    struct node *a = parse_and(p);
    while (a && is_kw(&p->cur, "or")) {
        struct tok op = p->cur;
        advance(p);
        a = binary(p, K_OR, 0, &op, a, parse_and(p));
    }
    p->depth--;
    return a;
}

struct sx_expr *sx_expr_parse(const char *src, struct sx_err *err, int *err_col)
{
    if (err_col)
        *err_col = 0;
    sx_err_clear(err);
    if (!src) {
        sx_err_set(err, SX_EINVAL, "1:1: no expression");
        if (err_col)
            *err_col = 1;
        return NULL;
    }
    if (strnlen(src, SX_EXPR_MAX_LEN + 1) > SX_EXPR_MAX_LEN) {
        sx_err_set(err, SX_ELIMIT, "1:1: expression longer than %d bytes", SX_EXPR_MAX_LEN);
        if (err_col)
            *err_col = 1;
        return NULL;
    }
    struct parser p = {.src = src, .line = 1, .err = err, .err_col = err_col};
    advance(&p);
    struct node *root = p.failed ? NULL : parse_or(&p);
    if (root && !p.failed && p.cur.t != T_EOF)
        expected(&p, "an operator or end of expression");
    if (p.failed) { /* also a lexical error after a complete expression */
        node_free(root);
        root = NULL;
    }
    if (!root)
        return NULL;
    struct sx_expr *e = calloc(1, sizeof *e);
    if (!e) {
        node_free(root);
        sx_err_set(err, SX_ENOMEM, "1:1: out of memory");
        return NULL;
    }
    e->root = root;
    return e;
}

/* ---- checker ---- */

struct checker {
    const struct sx_frame *f;
    struct sx_err *err;
    int *err_col;
    int nid;
    enum sx_status rc;
};

static int cerr(struct checker *c, enum sx_status code, const struct node *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int cerr(struct checker *c, enum sx_status code, const struct node *at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->rc = code;
    sx_err_set(c->err, code, "%d:%d: %s", at->line, at->col, msg);
    if (c->err_col)
        *c->err_col = at->col;
    return -1;
}

static const char *tyname(const struct node *n)
{
    switch (n->ty) {
    case TY_NULL: return "null";
    case TY_INT:
    case TY_FLOAT: return "number";
    case TY_BOOL: return "bool";
    case TY_STR: return "string";
    case TY_DATE: return n->unit == SX_SECONDS ? "timestamp" : "date";
    }
    return "?";
}

static int is_num(enum ty t) { return t == TY_INT || t == TY_FLOAT || t == TY_NULL; }
static int is_cond(enum ty t) { return t == TY_BOOL || t == TY_NULL; }

static int is_strlit(const struct node *n)
{
    return n->kind == K_LIT && n->lty == TY_STR;
}

/* Read string literal N as a date of UNIT (it becomes a date literal). */
static int lit_to_date(struct checker *c, struct node *n, enum sx_date_unit unit)
{
    int64_t v;
    if (unit == SX_DAYS) {
        if (!sx_date_parse(n->str, n->slen, &v))
            return cerr(c, SX_ETYPE, n, "'%.40s' is not a date (YYYY-MM-DD)", n->str);
    } else if (!sx_datetime_parse(n->str, n->slen, &v)) {
        if (!sx_date_parse(n->str, n->slen, &v))
            return cerr(c, SX_ETYPE, n, "'%.40s' is not a timestamp (YYYY-MM-DD HH:MM:SS)",
                        n->str);
        v *= 86400;
    }
    n->ty = TY_DATE;
    n->unit = unit;
    n->ival = v;
    return 0;
}

/* When A is a date, a string literal B becomes a date of its unit, and the
 * other way round. */
static int date_pair(struct checker *c, struct node *a, struct node *b)
{
    if (a->ty == TY_DATE && is_strlit(b) && b->ty == TY_STR)
        return lit_to_date(c, b, a->unit);
    if (b->ty == TY_DATE && is_strlit(a) && a->ty == TY_STR)
        return lit_to_date(c, a, b->unit);
    return 0;
}

/* Whether values of A and B can be compared (after date_pair). */
static int comparable(const struct node *a, const struct node *b)
{
    if (a->ty == TY_NULL || b->ty == TY_NULL)
        return 1;
    if (is_num(a->ty) && is_num(b->ty))
        return 1;
    return a->ty == b->ty && (a->ty != TY_DATE || a->unit == b->unit);
}

/* The common type of KIDS (for if, coalesce, min, max, clip): numbers
 * promote to float, null joins anything, dates need the same unit. String
 * literals next to a date become dates. Fails with ERR at AT. */
static int unify(struct checker *c, struct node *at, struct node **kids, int n,
                 enum ty *out, enum sx_date_unit *unit)
{
    int first_date = 0;
    while (first_date < n && kids[first_date]->ty != TY_DATE)
        first_date++;
    for (int j = 0; first_date < n && j < n; j++)
        if (date_pair(c, kids[first_date], kids[j]) != 0)
            return -1;
    enum ty t = TY_NULL;
    enum sx_date_unit u = SX_DAYS;
    const struct node *first = NULL;
    for (int i = 0; i < n; i++) {
        const struct node *k = kids[i];
        if (k->ty == TY_NULL)
            continue;
        if (!first) {
            first = k;
            t = k->ty;
            u = k->unit;
            continue;
        }
        if ((t == TY_INT || t == TY_FLOAT) && (k->ty == TY_INT || k->ty == TY_FLOAT)) {
            if (k->ty == TY_FLOAT)
                t = TY_FLOAT;
        } else if (t != k->ty || (t == TY_DATE && u != k->unit)) {
            return cerr(c, SX_ETYPE, at, "%s mixes %s and %s", fns[at->op].name,
                        tyname(first), tyname(k));
        }
    }
    *out = t;
    *unit = u;
    return 0;
}

static int want(struct checker *c, const struct node *fnode, const struct node *arg,
                int ok, const char *what)
{
    if (ok)
        return 0;
    return cerr(c, SX_ETYPE, arg, "%s expects %s, got %s", fns[fnode->op].name, what, tyname(arg));
}

static int check_call(struct checker *c, struct node *n)
{
    struct node **k = n->kid;
    switch ((enum fn)n->op) {
    case F_IF:
        if (want(c, n, k[0], is_cond(k[0]->ty), "a condition (bool) first") != 0)
            return -1;
        return unify(c, n, k + 1, 2, &n->ty, &n->unit);
    case F_COALESCE:
        return unify(c, n, k, n->nkid, &n->ty, &n->unit);
    case F_IS_MISSING:
        n->ty = TY_BOOL;
        return 0;
    case F_LOG: case F_LOG1P: case F_EXP: case F_SQRT:
        n->ty = TY_FLOAT;
        return want(c, n, k[0], is_num(k[0]->ty), "a number");
    case F_POW:
        n->ty = TY_FLOAT;
        for (int i = 0; i < 2; i++)
            if (want(c, n, k[i], is_num(k[i]->ty), "numbers") != 0)
                return -1;
        return 0;
    case F_ABS: case F_FLOOR: case F_CEIL: case F_ROUND:
        if (want(c, n, k[0], is_num(k[0]->ty), "a number") != 0)
            return -1;
        n->ty = k[0]->ty;
        if (n->op == F_ROUND && n->nkid == 2 &&
            !(k[1]->kind == K_LIT && k[1]->lty == TY_INT && k[1]->ival >= 0 && k[1]->ival <= 15))
            return cerr(c, SX_ETYPE, k[1], "round's digits must be an integer from 0 to 15");
        return 0;
    case F_SIGN:
        n->ty = TY_INT;
        return want(c, n, k[0], is_num(k[0]->ty), "a number");
    case F_MIN: case F_MAX: case F_CLIP:
        for (int i = 0; i < n->nkid; i++)
            if (want(c, n, k[i], is_num(k[i]->ty), "numbers") != 0)
                return -1;
        return unify(c, n, k, n->nkid, &n->ty, &n->unit);
    case F_YEAR: case F_MONTH: case F_DAY: case F_DAYOFWEEK: case F_DAYOFYEAR:
    case F_QUARTER: case F_WEEK: case F_SEASON:
        if (is_strlit(k[0]) && lit_to_date(c, k[0], SX_DAYS) != 0)
            return -1;
        n->ty = n->op == F_SEASON ? TY_STR : TY_INT;
        return want(c, n, k[0], k[0]->ty == TY_DATE || k[0]->ty == TY_NULL, "a date");
    case F_LOWER: case F_UPPER: case F_LENGTH:
        n->ty = n->op == F_LENGTH ? TY_INT : TY_STR;
        return want(c, n, k[0], k[0]->ty == TY_STR || k[0]->ty == TY_NULL, "a string");
    case F_CONTAINS:
        n->ty = TY_BOOL;
        for (int i = 0; i < 2; i++)
            if (want(c, n, k[i], k[i]->ty == TY_STR || k[i]->ty == TY_NULL, "strings") != 0)
                return -1;
        return 0;
    case F_COUNT:
        break;
    }
    return cerr(c, SX_EINVAL, n, "unknown function");
}

static int check_node(struct checker *c, struct node *n)
{
    n->id = c->nid++;
    n->unit = SX_DAYS;
    for (int i = 0; i < n->nkid; i++)
        if (check_node(c, n->kid[i]) != 0)
            return -1;
    struct node *a = n->nkid > 0 ? n->kid[0] : NULL, *b = n->nkid > 1 ? n->kid[1] : NULL;
    switch (n->kind) {
    case K_LIT:
        n->ty = n->lty;
        return 0;
    case K_COL: {
        long i = sx_frame_find(c->f, n->str);
        if (i < 0)
            return cerr(c, SX_ENOTFOUND, n, "unknown column '%.60s'", n->str);
        const struct sx_column *col = c->f->cols[i];
        n->cidx = i;
        n->ctype = col->type;
        switch (col->type) {
        case SX_FLOAT: n->ty = TY_FLOAT; break;
        case SX_INT: n->ty = TY_INT; break;
        case SX_BOOL: n->ty = TY_BOOL; break;
        case SX_DATE: n->ty = TY_DATE; n->unit = col->unit; break;
        case SX_CATEGORY:
        case SX_TEXT: n->ty = TY_STR; break;
        }
        return 0;
    }
    case K_NEG:
        if (!is_num(a->ty))
            return cerr(c, SX_ETYPE, n, "cannot negate %s", tyname(a));
        n->ty = a->ty;
        return 0;
    case K_NOT:
        if (!is_cond(a->ty))
            return cerr(c, SX_ETYPE, n, "'not' needs a condition (bool), got %s", tyname(a));
        n->ty = TY_BOOL;
        return 0;
    case K_AND:
    case K_OR:
        for (int i = 0; i < 2; i++)
            if (!is_cond(n->kid[i]->ty))
                return cerr(c, SX_ETYPE, n, "'%s' needs conditions (bool), got %s",
                            n->kind == K_AND ? "and" : "or", tyname(n->kid[i]));
        n->ty = TY_BOOL;
        return 0;
    case K_ARITH:
        if (n->op == '-' && (a->ty == TY_DATE || b->ty == TY_DATE)) {
            if (date_pair(c, a, b) != 0)
                return -1;
            if ((a->ty == TY_DATE || a->ty == TY_NULL) && (b->ty == TY_DATE || b->ty == TY_NULL) &&
                (a->ty != TY_DATE || b->ty != TY_DATE || a->unit == b->unit)) {
                n->unit = a->ty == TY_DATE ? a->unit : b->unit;
                n->ty = n->unit == SX_DAYS ? TY_INT : TY_FLOAT;
                return 0;
            }
        } else if (is_num(a->ty) && is_num(b->ty)) {
            if (n->op == '/' || n->op == '^' || a->ty == TY_FLOAT || b->ty == TY_FLOAT)
                n->ty = TY_FLOAT;
            else if (a->ty == TY_NULL && b->ty == TY_NULL)
                n->ty = TY_NULL;
            else
                n->ty = TY_INT;
            return 0;
        }
        switch (n->op) {
        case '+': return cerr(c, SX_ETYPE, n, "cannot add %s and %s", tyname(a), tyname(b));
        case '-': return cerr(c, SX_ETYPE, n, "cannot subtract %s from %s", tyname(b), tyname(a));
        case '*': return cerr(c, SX_ETYPE, n, "cannot multiply %s by %s", tyname(a), tyname(b));
        case '/': return cerr(c, SX_ETYPE, n, "cannot divide %s by %s", tyname(a), tyname(b));
        default:
            return cerr(c, SX_ETYPE, n, "cannot apply '%c' to %s and %s", n->op, tyname(a),
                        tyname(b));
        }
    case K_CMP:
        if (date_pair(c, a, b) != 0)
            return -1;
        if (!comparable(a, b))
            return cerr(c, SX_ETYPE, n, "cannot compare %s and %s", tyname(a), tyname(b));
        n->ty = TY_BOOL;
        return 0;
    case K_BETWEEN:
    case K_IN:
        for (int i = 1; i < n->nkid; i++) {
            if (date_pair(c, a, n->kid[i]) != 0)
                return -1;
            if (!comparable(a, n->kid[i]))
                return cerr(c, SX_ETYPE, n->kid[i], "cannot compare %s and %s", tyname(a),
                            tyname(n->kid[i]));
        }
        n->ty = TY_BOOL;
        return 0;
    case K_ISNULL:
        n->ty = TY_BOOL;
        return 0;
    case K_CALL:
        return check_call(c, n);
    }
    return cerr(c, SX_EINVAL, n, "unknown node");
}

enum sx_status sx_expr_check(struct sx_expr *e, const struct sx_frame *schema,
                             struct sx_err *err, int *err_col)
{
    if (err_col)
        *err_col = 0;
    sx_err_clear(err);
    if (!e || !schema)
        return sx_err_set(err, SX_EINVAL, "1:1: no expression or schema");
    e->checked = 0;
    struct checker c = {.f = schema, .err = err, .err_col = err_col};
    if (check_node(&c, e->root) != 0)
        return c.rc;
    e->nnodes = c.nid;
    e->checked = 1;
    return SX_OK;
}

enum sx_type sx_expr_type(const struct sx_expr *e, enum sx_date_unit *unit)
{
    if (unit)
        *unit = SX_DAYS;
    if (!e || !e->checked)
        return SX_FLOAT;
    switch (e->root->ty) {
    case TY_INT: return SX_INT;
    case TY_BOOL: return SX_BOOL;
    case TY_STR: return SX_CATEGORY;
    case TY_DATE:
        if (unit)
            *unit = e->root->unit;
        return SX_DATE;
    case TY_NULL:
    case TY_FLOAT:
        break;
    }
    return SX_FLOAT;
}

/* ---- evaluator ----
 * Rows are evaluated in chunks of CH rows. Each node owns a slot: a vector
 * of CH values (float, int, bool or dictionary codes for strings) and CH
 * validity bytes. A node evaluates its kids for the chunk, then runs one
 * tight loop over the chunk. Column references point into the column's
 * own arrays; literals fill their vector once. Strings are codes into a
 * dictionary: a category column's own, or one the node builds, so
 * lower/upper and if/coalesce translate each distinct string once. */

enum xform { XF_NONE, XF_LOWER, XF_UPPER };

/* Translation of the codes of one source dictionary into a destination. */
struct remap {
    const struct sx_dict *src;
    uint32_t *m; /* m[code]: destination code, UINT32_MAX not yet known */
    uint32_t n;
};

struct slot {
    const double *f;
    const int64_t *i;
    const uint8_t *b;
    const uint32_t *c;
    const struct sx_dict *d; /* strings: the dictionary of c */
    const uint8_t *ok;       /* 1 = present */
    void *buf;               /* CH values of 8 bytes */
    uint8_t *okb;            /* CH bytes */
    double *conv;            /* ints as floats, made on demand */
    struct sx_dict *own;     /* strings this node makes */
    struct remap *maps;      /* string results: one per kid */
    int ready;               /* literals: filled */
};

struct evst {
    const struct sx_frame *f;
    struct slot *s;
    int nslots;
    size_t ch;
    uint8_t *t[4];           /* scratch vectors of CH bytes */
    int32_t *sel;            /* CH kid indices for if/coalesce */
    const void **ptrs;       /* one per kid of the widest node */
    enum sx_status rc;
};

static const char *const season_names[4] = {"winter", "spring", "summer", "autumn"};

static uint32_t remap_get(struct evst *st, struct remap *r, const struct sx_dict *src,
                          uint32_t code, struct sx_dict *dst, enum xform xf)
{
    if (r->src != src) {
        free(r->m);
        r->m = NULL;
        r->n = 0;
        r->src = src;
    }
    if (code >= r->n) {
        uint32_t nn = src->n > code ? src->n : code + 1;
        uint32_t *m = realloc(r->m, (size_t)nn * sizeof *m);
        if (!m) {
            st->rc = SX_ENOMEM;
            return 0;
        }
        for (uint32_t i = r->n; i < nn; i++)
            m[i] = UINT32_MAX;
        r->m = m;
        r->n = nn;
    }
    if (r->m[code] == UINT32_MAX) {
        const char *s = src->str[code];
        uint32_t len = src->len[code], out;
        if (xf == XF_NONE) {
            out = sx_dict_intern(dst, s, len);
        } else {
            char *t = malloc((size_t)len + 1);
            if (!t) {
                st->rc = SX_ENOMEM;
                return 0;
            }
            for (uint32_t i = 0; i < len; i++) {
                char ch = s[i];
                if (xf == XF_LOWER && ch >= 'A' && ch <= 'Z')
                    ch = (char)(ch + 32);
                else if (xf == XF_UPPER && ch >= 'a' && ch <= 'z')
                    ch = (char)(ch - 32);
                t[i] = ch;
            }
            out = sx_dict_intern(dst, t, len);
            free(t);
        }
        if (out == UINT32_MAX) {
            st->rc = SX_ENOMEM;
            return 0;
        }
        r->m[code] = out;
    }
    return r->m[code];
}

static void slots_free(struct evst *st)
{
    for (int k = 0; k < st->nslots; k++) {
        struct slot *s = &st->s[k];
        free(s->buf);
        free(s->okb);
        free(s->conv);
        sx_dict_free(s->own);
    }
}

/* Set up the slots of N and its kids. Returns -1 when out of memory. */
static int slots_init(struct evst *st, const struct node *n, int *maxkid)
{
    struct slot *s = &st->s[n->id];
    if (!(s->buf = calloc(st->ch, 8)) || !(s->okb = calloc(st->ch, 1)))
        return -1;
    s->f = s->buf;
    s->i = s->buf;
    s->b = s->buf;
    s->c = s->buf;
    s->ok = s->okb;
    if (n->ty == TY_STR && !(n->kind == K_COL && n->ctype == SX_CATEGORY)) {
        if (!(s->own = sx_dict_new()))
            return -1;
        s->d = s->own;
        if (n->kind == K_LIT && sx_dict_intern(s->own, n->str, n->slen) == UINT32_MAX)
            return -1;
        if (n->kind == K_CALL && n->op == F_SEASON)
            for (int k = 0; k < 4; k++)
                if (sx_dict_intern(s->own, season_names[k], strlen(season_names[k])) == UINT32_MAX)
                    return -1;
    }
    if (n->ty == TY_STR && n->nkid > 0 && !(s->maps = calloc((size_t)n->nkid, sizeof *s->maps)))
        return -1;
    if (n->nkid > *maxkid)
        *maxkid = n->nkid;
    for (int k = 0; k < n->nkid; k++)
        if (slots_init(st, n->kid[k], maxkid) != 0)
            return -1;
    return 0;
}

static void maps_free(struct evst *st, const struct node *n)
{
    struct slot *s = &st->s[n->id];
    if (s->maps) {
        for (int k = 0; k < n->nkid; k++)
            free(s->maps[k].m);
        free(s->maps);
        s->maps = NULL;
    }
    for (int k = 0; k < n->nkid; k++)
        maps_free(st, n->kid[k]);
}

static void evst_free(struct evst *st, const struct node *root)
{
    if (st->s) {
        maps_free(st, root);
        slots_free(st);
    }
    free(st->s);
    for (int k = 0; k < 4; k++)
        free(st->t[k]);
    free(st->sel);
    free(st->ptrs);
}

/* Whether the columns E refers to are still where and what they were. */
static int cols_match(const struct node *n, const struct sx_frame *f, const struct node **bad)
{
    if (n->kind == K_COL) {
        if (n->cidx < 0 || (size_t)n->cidx >= f->ncols || f->cols[n->cidx]->type != n->ctype ||
            strcmp(f->cols[n->cidx]->name, n->str) != 0) {
            *bad = n;
            return 0;
        }
    }
    for (int k = 0; k < n->nkid; k++)
        if (!cols_match(n->kid[k], f, bad))
            return 0;
    return 1;
}

static enum sx_status evst_init(struct evst *st, const struct sx_expr *e, const struct sx_frame *f,
                                struct sx_err *err)
{
    memset(st, 0, sizeof *st);
    if (!e || !f)
        return sx_err_set(err, SX_EINVAL, "no expression or frame");
    if (!e->checked)
        return sx_err_set(err, SX_EINVAL, "expression not checked");
    const struct node *bad = NULL;
    if (!cols_match(e->root, f, &bad))
        return sx_err_set(err, SX_EINVAL, "%d:%d: column '%.60s' is not in the frame as checked",
                          bad->line, bad->col, bad->str);
    st->f = f;
    st->ch = 1024;
    while (st->ch > 64 && st->ch * (size_t)e->nnodes > ((size_t)1 << 17))
        st->ch /= 2;
    st->nslots = e->nnodes;
    int maxkid = 1;
    if (!(st->s = calloc((size_t)e->nnodes, sizeof *st->s)) || slots_init(st, e->root, &maxkid) != 0)
        goto nomem;
    for (int k = 0; k < 4; k++)
        if (!(st->t[k] = calloc(st->ch, 1)))
            goto nomem;
    if (!(st->sel = calloc(st->ch, sizeof *st->sel)) ||
        !(st->ptrs = calloc((size_t)maxkid, sizeof *st->ptrs)))
        goto nomem;
    return SX_OK;
nomem:
    evst_free(st, e->root);
    memset(st, 0, sizeof *st);
    return sx_err_set(err, SX_ENOMEM, "expression: out of memory");
}

/* The values of kid K as floats (ints converted into its slot). */
static const double *numf(struct evst *st, const struct node *k, size_t len)
{
    struct slot *s = &st->s[k->id];
    if (k->ty == TY_FLOAT)
        return s->f;
    if (!s->conv && !(s->conv = malloc(st->ch * sizeof *s->conv))) {
        st->rc = SX_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < len; i++)
        s->conv[i] = (double)s->i[i];
    return s->conv;
}

static void fill_lit(const struct node *n, struct slot *s, size_t ch)
{
    int64_t *oi = s->buf;
    double *of = s->buf;
    uint8_t *ob = s->buf;
    switch (n->ty) {
    case TY_INT:
    case TY_DATE:
        for (size_t i = 0; i < ch; i++)
            oi[i] = n->ival;
        break;
    case TY_FLOAT:
        for (size_t i = 0; i < ch; i++)
            of[i] = n->fval;
        break;
    case TY_BOOL:
        memset(ob, n->ival ? 1 : 0, ch);
        break;
    case TY_STR:  /* code 0 of the node's own dictionary, already zero */
    case TY_NULL:
        break;
    }
    memset(s->okb, n->ty != TY_NULL, ch);
    s->ready = 1;
}

static void ev_col(struct evst *st, const struct node *n, struct slot *s, size_t off, size_t len)
{
    const struct sx_column *col = st->f->cols[n->cidx];
    uint8_t *ok = s->okb;
    for (size_t i = 0; i < len; i++) {
        size_t j = off + i;
        ok[i] = (uint8_t)((col->valid[j >> 6] >> (j & 63)) & 1u);
    }
    switch (col->type) {
    case SX_FLOAT: s->f = col->v.f64 + off; break;
    case SX_INT:
    case SX_DATE: s->i = col->v.i64 + off; break;
    case SX_BOOL: s->b = col->v.b + off; break;
    case SX_CATEGORY:
        s->c = col->v.cat + off;
        s->d = col->dict;
        break;
    case SX_TEXT: {
        uint32_t *oc = s->buf;
        for (size_t i = 0; i < len; i++) {
            oc[i] = 0;
            if (!ok[i])
                continue;
            uint64_t a = col->v.off[off + i], b = col->v.off[off + i + 1];
            uint32_t code = sx_dict_intern(s->own, col->text + a, (size_t)(b - a - 1));
            if (code == UINT32_MAX) {
                st->rc = SX_ENOMEM;
                return;
            }
            oc[i] = code;
        }
        break;
    }
    }
}

/* Three-valued logic over (value, present) pairs. */
static void and3(const uint8_t *b1, const uint8_t *o1, const uint8_t *b2, const uint8_t *o2,
                 uint8_t *rb, uint8_t *ro, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t f1 = o1[i] & !b1[i], f2 = o2[i] & !b2[i];
        ro[i] = (uint8_t)((o1[i] & o2[i]) | f1 | f2);
        rb[i] = (uint8_t)(o1[i] & o2[i] & b1[i] & b2[i]);
    }
}

static void or3(const uint8_t *b1, const uint8_t *o1, const uint8_t *b2, const uint8_t *o2,
                uint8_t *rb, uint8_t *ro, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t t1 = o1[i] & b1[i], t2 = o2[i] & b2[i];
        ro[i] = (uint8_t)((o1[i] & o2[i]) | t1 | t2);
        rb[i] = (uint8_t)(t1 | t2);
    }
}

/* cmp_tbl[op][sign + 1]: whether a comparison with that sign holds. */
static const uint8_t cmp_tbl[6][3] = {
    [C_EQ] = {0, 1, 0}, [C_NE] = {1, 0, 1}, [C_LT] = {1, 0, 0},
    [C_LE] = {1, 1, 0}, [C_GT] = {0, 0, 1}, [C_GE] = {0, 1, 1},
};

/* Compare kids KA and KB row by row under OP into RES (value) and ROK. */
static void cmp_kids(struct evst *st, const struct node *ka, const struct node *kb, int op,
                     size_t len, uint8_t *res, uint8_t *rok)
{
    const struct slot *a = &st->s[ka->id], *b = &st->s[kb->id];
    const uint8_t *ao = a->ok, *bo = b->ok;
    const uint8_t *tbl = cmp_tbl[op];
    if (ka->ty == TY_NULL || kb->ty == TY_NULL) {
        memset(res, 0, len);
        memset(rok, 0, len);
        return;
    }
#define CMPLOOP(X, Y, EXTRA)                                       \
    for (size_t i = 0; i < len; i++) {                             \
        int v = ao[i] & bo[i];                                     \
        EXTRA;                                                     \
        int c = v ? ((X) > (Y)) - ((X) < (Y)) : 0;                 \
        rok[i] = (uint8_t)v;                                       \
        res[i] = (uint8_t)(v & tbl[c + 1]);                        \
    }
    if ((ka->ty == TY_INT && kb->ty == TY_INT) || ka->ty == TY_DATE) {
        const int64_t *x = a->i, *y = b->i;
        CMPLOOP(x[i], y[i], (void)0)
    } else if (ka->ty == TY_BOOL) {
        const uint8_t *x = a->b, *y = b->b;
        CMPLOOP(x[i], y[i], (void)0)
    } else if (ka->ty == TY_STR) {
        for (size_t i = 0; i < len; i++) {
            int v = ao[i] & bo[i], c = 0;
            if (v && !(a->d == b->d && a->c[i] == b->c[i])) {
                int r = strcmp(a->d->str[a->c[i]], b->d->str[b->c[i]]);
                c = (r > 0) - (r < 0);
            }
            rok[i] = (uint8_t)v;
            res[i] = (uint8_t)(v & tbl[c + 1]);
        }
    } else {
        const double *x = numf(st, ka, len), *y = numf(st, kb, len);
        if (!x || !y)
            return;
        CMPLOOP(x[i], y[i], v &= !isnan(x[i]) & !isnan(y[i]))
    }
#undef CMPLOOP
}

static void ev_arith(struct evst *st, const struct node *n, struct slot *s, size_t len)
{
    const struct node *ka = n->kid[0], *kb = n->kid[1];
    const struct slot *a = &st->s[ka->id], *b = &st->s[kb->id];
    const uint8_t *ao = a->ok, *bo = b->ok;
    uint8_t *ok = s->okb;
    if (ka->ty == TY_DATE || kb->ty == TY_DATE) {
        /* date - date: days (int) or, for timestamps, fractional days */
        const int64_t *x = a->i, *y = b->i;
        int64_t *oi = s->buf;
        double *of = s->buf;
        for (size_t i = 0; i < len; i++) {
            int64_t r = 0;
            int v = ao[i] & bo[i];
            if (v && __builtin_sub_overflow(x[i], y[i], &r))
                v = 0;
            if (n->ty == TY_INT)
                oi[i] = v ? r : 0;
            else
                of[i] = v ? (double)r / 86400.0 : 0.0;
            ok[i] = (uint8_t)v;
        }
        return;
    }
    if (n->ty == TY_FLOAT) {
        const double *x = numf(st, ka, len), *y = numf(st, kb, len);
        double *o = s->buf;
        if (!x || !y)
            return;
#define FLOOP(EXPR)                                                \
    for (size_t i = 0; i < len; i++) {                             \
        double u = x[i], w = y[i];                                 \
        double r = (EXPR);                                         \
        int v = ao[i] & bo[i] & !isnan(r);                         \
        o[i] = v ? r : 0.0;                                        \
        ok[i] = (uint8_t)v;                                        \
    }
        switch (n->op) {
        case '+': FLOOP(u + w) break;
        case '-': FLOOP(u - w) break;
        case '*': FLOOP(u * w) break;
        case '/': FLOOP(w != 0 ? u / w : NAN) break;
        case '%': FLOOP(w != 0 ? fmod(u, w) : NAN) break;
        default: FLOOP(pow(u, w)) break;
        }
#undef FLOOP
        return;
    }
    const int64_t *x = a->i, *y = b->i;
    int64_t *o = s->buf;
#define ILOOP(BODY)                                                \
    for (size_t i = 0; i < len; i++) {                             \
        int64_t u = x[i], w = y[i], r = 0;                         \
        int v = ao[i] & bo[i];                                     \
        BODY;                                                      \
        o[i] = v ? r : 0;                                          \
        ok[i] = (uint8_t)v;                                        \
    }
    switch (n->op) {
    case '+': ILOOP(if (__builtin_add_overflow(u, w, &r)) v = 0) break;
    case '-': ILOOP(if (__builtin_sub_overflow(u, w, &r)) v = 0) break;
    case '*': ILOOP(if (__builtin_mul_overflow(u, w, &r)) v = 0) break;
    default: /* % */
        ILOOP(if (w == 0) v = 0; else if (w == -1) r = 0; else r = u % w) break;
    }
#undef ILOOP
}

/* Copy, row by row, the value of kid SEL[i] (-1: missing) into N's slot. */
static void pick(struct evst *st, const struct node *n, struct slot *s, const int32_t *sel,
                 size_t len)
{
    uint8_t *ok = s->okb;
    int first = n->op == F_IF ? 1 : 0;
    for (int k = first; k < n->nkid; k++) {
        const struct node *kn = n->kid[k];
        const struct slot *ks = &st->s[kn->id];
        switch (n->ty) {
        case TY_FLOAT:
            if (!(st->ptrs[k] = numf(st, kn, len)))
                return;
            break;
        case TY_INT:
        case TY_DATE: st->ptrs[k] = ks->i; break;
        case TY_BOOL: st->ptrs[k] = ks->b; break;
        case TY_STR: st->ptrs[k] = ks->c; break;
        case TY_NULL: break;
        }
    }
    for (size_t i = 0; i < len; i++) {
        int32_t k = sel[i];
        const struct slot *ks = k >= 0 ? &st->s[n->kid[k]->id] : NULL;
        int v = ks && ks->ok[i];
        ok[i] = (uint8_t)v;
        switch (n->ty) {
        case TY_FLOAT:
            ((double *)s->buf)[i] = v ? ((const double *)st->ptrs[k])[i] : 0.0;
            break;
        case TY_INT:
        case TY_DATE:
            ((int64_t *)s->buf)[i] = v ? ((const int64_t *)st->ptrs[k])[i] : 0;
            break;
        case TY_BOOL:
            ((uint8_t *)s->buf)[i] = v ? ((const uint8_t *)st->ptrs[k])[i] : 0;
            break;
        case TY_STR:
            ((uint32_t *)s->buf)[i] =
                v ? remap_get(st, &s->maps[k], ks->d, ((const uint32_t *)st->ptrs[k])[i], s->own,
                              XF_NONE)
                  : 0;
            if (st->rc)
                return;
            break;
        case TY_NULL:
            break;
        }
    }
}

/* Round half away from zero to D decimals, on the shortest decimal form of
 * X (what SQLite 3.40's round gives). */
static double round_dec(double x, int d)
{
    static const double p10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                   1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (!isfinite(x) || x == 0)
        return x;
    double ax = fabs(x), y = ax * p10[d];
    if (y >= 4503599627370496.0) /* 2^52: no fraction left at this scale */
        return x;
    double fl = floor(y), fr = y - fl;
    if (fabs(fr - 0.5) > y * 4.5e-16 + 1e-300) {
        double k = fr > 0.5 ? fl + 1 : fl;
        double r = k / p10[d];
        return x < 0 ? -r : r;
    }
    /* Near a half: decide on the shortest decimal digits of X. */
    char buf[40], dig[40];
    sx_num_format_double(ax, buf);
    int nd = 0, pt = -1, exp10 = 0;
    for (const char *q = buf; *q; q++) {
        if (*q >= '0' && *q <= '9' && nd < (int)sizeof dig) {
            dig[nd++] = *q;
        } else if (*q == '.') {
            pt = nd;
        } else if (*q == 'e' || *q == 'E') {
            exp10 = atoi(q + 1);
            break;
        }
    }
    if (pt < 0)
        pt = nd;
    int lead = 0;
    while (lead < nd - 1 && dig[lead] == '0')
        lead++;
    memmove(dig, dig + lead, (size_t)(nd - lead));
    nd -= lead;
    pt -= lead;
    /* ax = DIG[0].DIG[1]… × 10^(point - 1): digit i has place 10^(point-1-i) */
    int point = pt + exp10;
    int keep = point + d; /* digits that stay */
    if (keep < 0)
        return x < 0 ? -0.0 : 0.0;
    if (keep >= nd)
        return x;
    int up = dig[keep] >= '5';
    char num[64];
    int o = 0;
    num[o++] = '0'; /* room for a carry */
    for (int i = 0; i < keep; i++)
        num[o++] = dig[i];
    num[o] = '\0';
    if (up) {
        int i = o - 1;
        while (i >= 0 && num[i] == '9')
            num[i--] = '0';
        if (i >= 0)
            num[i]++;
    }
    o += snprintf(num + o, sizeof num - (size_t)o, "e%d", point - keep);
    double r = strtod(num, NULL);
    return x < 0 ? -r : r;
}

static int64_t floor_div64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* The date part F of DAYS (days since 1970-01-01). */
static int64_t date_part(int f, int64_t days)
{
    int64_t y;
    int m, d;
    int64_t dow = days % 7;
    dow = ((dow + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday: 3 with Monday = 0 */
    switch (f) {
    case F_DAYOFWEEK:
        return dow;
    case F_WEEK: {
        int64_t thu = days - dow + 3; /* the Thursday of the ISO week */
        sx_date_to_ymd(thu, &y, &m, &d);
        return (thu - sx_date_from_ymd(y, 1, 1)) / 7 + 1;
    }
    default:
        break;
    }
    sx_date_to_ymd(days, &y, &m, &d);
    switch (f) {
    case F_YEAR: return y;
    case F_MONTH: return m;
    case F_DAY: return d;
    case F_DAYOFYEAR: return days - sx_date_from_ymd(y, 1, 1) + 1;
    case F_QUARTER: return (m - 1) / 3 + 1;
    default: return (m % 12) / 3; /* season: 0 winter (Dec-Feb) .. 3 autumn */
    }
}

/* Dates far outside any calendar would overflow the day arithmetic. */
#define DAYS_LIMIT ((int64_t)1 << 40)

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static void ev_call(struct evst *st, const struct node *n, struct slot *s, size_t len)
{
    const struct node *k0 = n->kid[0];
    const struct slot *a = &st->s[k0->id];
    const uint8_t *ao = a->ok;
    uint8_t *ok = s->okb;
    double *of = s->buf;
    int64_t *oi = s->buf;
    uint8_t *ob = s->buf;
    uint32_t *oc = s->buf;
    switch ((enum fn)n->op) {
    case F_IF: {
        const uint8_t *cb = a->b;
        for (size_t i = 0; i < len; i++)
            st->sel[i] = ao[i] ? (cb[i] ? 1 : 2) : -1;
        pick(st, n, s, st->sel, len);
        return;
    }
    case F_COALESCE:
        for (size_t i = 0; i < len; i++) {
            int32_t k = 0;
            while (k < n->nkid && !st->s[n->kid[k]->id].ok[i])
                k++;
            st->sel[i] = k < n->nkid ? k : -1;
        }
        pick(st, n, s, st->sel, len);
        return;
    case F_IS_MISSING:
        for (size_t i = 0; i < len; i++) {
            ob[i] = !ao[i];
            ok[i] = 1;
        }
        return;
    case F_LOG: case F_LOG1P: case F_EXP: case F_SQRT: case F_POW: {
        const double *x = numf(st, k0, len);
        const double *y = n->op == F_POW ? numf(st, n->kid[1], len) : x;
        const uint8_t *yo = n->op == F_POW ? st->s[n->kid[1]->id].ok : ao;
        if (!x || !y)
            return;
#define UFLOOP(EXPR)                                               \
    for (size_t i = 0; i < len; i++) {                             \
        double u = x[i], w = y[i];                                 \
        (void)w;                                                   \
        double r = (EXPR);                                         \
        int v = ao[i] & yo[i] & !isnan(r);                         \
        of[i] = v ? r : 0.0;                                       \
        ok[i] = (uint8_t)v;                                        \
    }
        switch (n->op) {
        case F_LOG: UFLOOP(u > 0 ? log(u) : NAN) break;
        case F_LOG1P: UFLOOP(u > -1 ? log1p(u) : NAN) break;
        case F_EXP: UFLOOP(exp(u)) break;
        case F_SQRT: UFLOOP(u >= 0 ? sqrt(u) : NAN) break;
        default: UFLOOP(pow(u, w)) break;
        }
        return;
    }
    case F_ABS: case F_FLOOR: case F_CEIL: case F_ROUND: case F_SIGN:
        if (k0->ty == TY_INT) {
            const int64_t *x = a->i;
            for (size_t i = 0; i < len; i++) {
                int v = ao[i];
                int64_t r = x[i];
                if (n->op == F_ABS) {
                    if (r == INT64_MIN)
                        v = 0;
                    else if (r < 0)
                        r = -r;
                } else if (n->op == F_SIGN) {
                    r = (r > 0) - (r < 0);
                }
                oi[i] = v ? r : 0;
                ok[i] = (uint8_t)v;
            }
        } else {
            const double *x = a->f;
            int d = n->nkid == 2 ? (int)n->kid[1]->ival : 0;
            for (size_t i = 0; i < len; i++) {
                double u = x[i], r;
                switch (n->op) {
                case F_ABS: r = fabs(u); break;
                case F_FLOOR: r = floor(u); break;
                case F_CEIL: r = ceil(u); break;
                case F_ROUND: r = round_dec(u, d); break;
                default: r = (double)((u > 0) - (u < 0)); break;
                }
                int v = ao[i] & !isnan(u);
                if (n->op == F_SIGN)
                    oi[i] = v ? (int64_t)r : 0;
                else
                    of[i] = v ? r : 0.0;
                ok[i] = (uint8_t)v;
            }
        }
        return;
    case F_MIN: case F_MAX: case F_CLIP: {
        int ismax = n->op == F_MAX;
        if (n->ty == TY_INT) {
            for (size_t i = 0; i < len; i++) {
                oi[i] = a->i[i];
                ok[i] = ao[i];
            }
            for (int k = 1; k < n->nkid; k++) {
                const struct slot *b = &st->s[n->kid[k]->id];
                for (size_t i = 0; i < len; i++) {
                    int64_t w = b->i[i];
                    ok[i] &= b->ok[i];
                    if (n->op == F_CLIP)
                        oi[i] = k == 1 ? (oi[i] < w ? w : oi[i]) : (oi[i] > w ? w : oi[i]);
                    else if (ismax ? w > oi[i] : w < oi[i])
                        oi[i] = w;
                }
            }
            for (size_t i = 0; i < len; i++)
                if (!ok[i])
                    oi[i] = 0;
        } else {
            const double *x = numf(st, k0, len);
            if (!x)
                return;
            for (size_t i = 0; i < len; i++) {
                of[i] = x[i];
                ok[i] = ao[i];
            }
            for (int k = 1; k < n->nkid; k++) {
                const struct node *kn = n->kid[k];
                const double *y = numf(st, kn, len);
                const uint8_t *yo = st->s[kn->id].ok;
                if (!y)
                    return;
                for (size_t i = 0; i < len; i++) {
                    double w = y[i], r = of[i];
                    ok[i] &= yo[i];
                    if (isnan(w))
                        r = w;
                    else if (n->op == F_CLIP)
                        r = k == 1 ? (r < w ? w : r) : (r > w ? w : r);
                    else if (ismax ? w > r : w < r)
                        r = w;
                    of[i] = r;
                }
            }
            for (size_t i = 0; i < len; i++) {
                if (isnan(of[i]))
                    ok[i] = 0;
                if (!ok[i])
                    of[i] = 0.0;
            }
        }
        return;
    }
    case F_YEAR: case F_MONTH: case F_DAY: case F_DAYOFWEEK: case F_DAYOFYEAR:
    case F_QUARTER: case F_WEEK: case F_SEASON: {
        const int64_t *x = a->i;
        int secs = k0->unit == SX_SECONDS;
        for (size_t i = 0; i < len; i++) {
            int v = ao[i];
            int64_t days = secs ? floor_div64(x[i], 86400) : x[i];
            if (days > DAYS_LIMIT || days < -DAYS_LIMIT)
                v = 0;
            int64_t r = v ? date_part(n->op, days) : 0;
            if (n->op == F_SEASON)
                oc[i] = (uint32_t)r;
            else
                oi[i] = r;
            ok[i] = (uint8_t)v;
        }
        return;
    }
    case F_LOWER: case F_UPPER: {
        enum xform xf = n->op == F_LOWER ? XF_LOWER : XF_UPPER;
        for (size_t i = 0; i < len; i++) {
            oc[i] = ao[i] ? remap_get(st, &s->maps[0], a->d, a->c[i], s->own, xf) : 0;
            ok[i] = ao[i];
            if (st->rc)
                return;
        }
        return;
    }
    case F_LENGTH:
        for (size_t i = 0; i < len; i++) {
            oi[i] = ao[i] ? (int64_t)utf8_chars(a->d->str[a->c[i]], a->d->len[a->c[i]]) : 0;
            ok[i] = ao[i];
        }
        return;
    case F_CONTAINS: {
        const struct slot *b = &st->s[n->kid[1]->id];
        for (size_t i = 0; i < len; i++) {
            int v = ao[i] & b->ok[i];
            ob[i] = 0;
            if (v) {
                uint32_t ca = a->c[i], cb = b->c[i];
                ob[i] = memmem(a->d->str[ca], a->d->len[ca], b->d->str[cb], b->d->len[cb]) != NULL ||
                        b->d->len[cb] == 0;
            }
            ok[i] = (uint8_t)v;
        }
        return;
    }
    case F_COUNT:
        break;
    }
}

/* Evaluate N over rows OFF .. OFF+LEN-1 into its slot. */
static void ev(struct evst *st, const struct node *n, size_t off, size_t len)
{
    struct slot *s = &st->s[n->id];
    if (st->rc)
        return;
    if (n->kind == K_LIT) {
        if (!s->ready)
            fill_lit(n, s, st->ch);
        return;
    }
    if (n->ty == TY_NULL) { /* null in, null out: every row missing */
        memset(s->okb, 0, len);
        return;
    }
    if (n->kind == K_COL) {
        ev_col(st, n, s, off, len);
        return;
    }
    for (int k = 0; k < n->nkid; k++)
        ev(st, n->kid[k], off, len);
    if (st->rc)
        return;
    const struct slot *a = &st->s[n->kid[0]->id];
    uint8_t *ok = s->okb, *ob = s->buf;
    switch (n->kind) {
    case K_NEG:
        if (n->ty == TY_INT) {
            int64_t *o = s->buf;
            for (size_t i = 0; i < len; i++) {
                int v = a->ok[i] & (a->i[i] != INT64_MIN);
                o[i] = v ? -a->i[i] : 0;
                ok[i] = (uint8_t)v;
            }
        } else {
            double *o = s->buf;
            for (size_t i = 0; i < len; i++) {
                o[i] = a->ok[i] ? -a->f[i] : 0.0;
                ok[i] = a->ok[i];
            }
        }
        return;
    case K_NOT:
        for (size_t i = 0; i < len; i++) {
            ok[i] = a->ok[i];
            ob[i] = a->ok[i] & !a->b[i];
        }
        return;
    case K_AND:
    case K_OR: {
        const struct slot *b = &st->s[n->kid[1]->id];
        (n->kind == K_AND ? and3 : or3)(a->b, a->ok, b->b, b->ok, ob, ok, len);
        return;
    }
    case K_ARITH:
        ev_arith(st, n, s, len);
        return;
    case K_CMP:
        cmp_kids(st, n->kid[0], n->kid[1], n->op, len, ob, ok);
        return;
    case K_BETWEEN:
        cmp_kids(st, n->kid[0], n->kid[1], C_GE, len, st->t[0], st->t[1]);
        cmp_kids(st, n->kid[0], n->kid[2], C_LE, len, st->t[2], st->t[3]);
        and3(st->t[0], st->t[1], st->t[2], st->t[3], ob, ok, len);
        if (n->neg)
            for (size_t i = 0; i < len; i++)
                ob[i] = ok[i] & !ob[i];
        return;
    case K_IN: {
        uint8_t *nul = st->t[2];
        memset(ob, 0, len);
        memset(nul, 0, len);
        for (int k = 1; k < n->nkid; k++) {
            cmp_kids(st, n->kid[0], n->kid[k], C_EQ, len, st->t[0], st->t[1]);
            for (size_t i = 0; i < len; i++) {
                ob[i] |= st->t[0][i];
                nul[i] |= !st->t[1][i];
            }
        }
        for (size_t i = 0; i < len; i++) {
            ok[i] = ob[i] | !nul[i];
            if (n->neg)
                ob[i] = ok[i] & !ob[i];
        }
        return;
    }
    case K_ISNULL:
        for (size_t i = 0; i < len; i++) {
            ob[i] = n->neg ? a->ok[i] : !a->ok[i];
            ok[i] = 1;
        }
        return;
    case K_CALL:
        ev_call(st, n, s, len);
        return;
    case K_LIT:
    case K_COL:
        break;
    }
}

struct sx_column *sx_expr_eval(const struct sx_expr *e, const struct sx_frame *f,
                               const char *name, struct sx_err *err)
{
    struct evst st;
    if (evst_init(&st, e, f, err) != SX_OK)
        return NULL;
    enum sx_date_unit unit;
    enum sx_type t = sx_expr_type(e, &unit);
    size_t nrows = f->nrows;
    struct remap out = {0};
    struct sx_column *col = sx_col_new(name, t);
    if (!col || sx_col_reserve(col, nrows) != SX_OK) {
        st.rc = SX_ENOMEM;
        goto done;
    }
    col->unit = unit;
    const struct node *root = e->root;
    for (size_t off = 0; off < nrows && !st.rc; off += st.ch) {
        size_t len = nrows - off < st.ch ? nrows - off : st.ch;
        ev(&st, root, off, len);
        if (st.rc)
            break;
        const struct slot *r = &st.s[root->id];
        for (size_t i = 0; i < len; i++)
            if (r->ok[i])
                col->valid[(off + i) >> 6] |= (uint64_t)1 << ((off + i) & 63);
        switch (t) {
        case SX_FLOAT:
            for (size_t i = 0; i < len; i++)
                col->v.f64[off + i] = r->ok[i] && root->ty == TY_FLOAT ? r->f[i] : 0.0;
            break;
        case SX_INT:
        case SX_DATE:
            for (size_t i = 0; i < len; i++)
                col->v.i64[off + i] = r->ok[i] ? r->i[i] : 0;
            break;
        case SX_BOOL:
            for (size_t i = 0; i < len; i++)
                col->v.b[off + i] = r->ok[i] ? r->b[i] : 0;
            break;
        case SX_CATEGORY:
            /* the column's own dictionary, in first-seen order */
            for (size_t i = 0; i < len; i++)
                col->v.cat[off + i] =
                    r->ok[i] ? remap_get(&st, &out, r->d, r->c[i], col->dict, XF_NONE) : 0;
            break;
        case SX_TEXT:
            break;
        }
    }
    col->len = nrows;
done:
    free(out.m);
    evst_free(&st, e->root);
    if (st.rc) {
        sx_col_free(col);
        sx_err_set(err, st.rc, "expression: %s", sx_status_str(st.rc));
        return NULL;
    }
    return col;
}

enum sx_status sx_expr_eval_mask(const struct sx_expr *e, const struct sx_frame *f,
                                 uint8_t *mask, struct sx_err *err)
{
    if (e && e->checked && e->root->ty != TY_BOOL && e->root->ty != TY_NULL)
        return sx_err_set(err, SX_ETYPE, "%d:%d: expected a condition (bool), got %s",
                          e->root->line, e->root->col, tyname(e->root));
    struct evst st;
    enum sx_status rc = evst_init(&st, e, f, err);
    if (rc != SX_OK)
        return rc;
    const struct node *root = e->root;
    for (size_t off = 0; off < f->nrows; off += st.ch) {
        size_t len = f->nrows - off < st.ch ? f->nrows - off : st.ch;
        ev(&st, root, off, len);
        if (st.rc)
            break;
        const struct slot *r = &st.s[root->id];
        for (size_t i = 0; i < len; i++)
            mask[off + i] = r->ok[i] & (root->ty == TY_BOOL ? r->b[i] : 0);
    }
    rc = st.rc;
    evst_free(&st, e->root);
    if (rc != SX_OK)
        return sx_err_set(err, rc, "expression: %s", sx_status_str(rc));
    return SX_OK;
}

/* ---- SQL ----
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
 * in SQLite (missing here); log1p is ln(1 + x), less precise for |x| <
 * 1e-4; round follows SQLite's own rounding, which agrees with round_dec
 * except on values a few ulps from a half.
 * PostgreSQL, DuckDB, Spark: date columns of DATE / TIMESTAMP type. ln of
 * x <= 0 becomes ln(NULL), sqrt of x < 0 a CASE, and a NaN power NULLIF(…,
 * 'NaN'); min/max/clip are NULL when any argument is (LEAST/GREATEST skip
 * NULLs there). Float % goes through NUMERIC in PostgreSQL; PostgreSQL
 * raises an error for power() of a negative base with a fractional
 * exponent where we give missing; lower/upper follow the database's locale
 * rather than ASCII only. */

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

/* 'TEXT' with quotes doubled. */
static void sb_strlit(struct sb *b, const char *s, size_t n)
{
    sb_put(b, "'", 1);
    for (size_t i = 0; i < n; i++) {
        sb_put(b, s + i, 1);
        if (s[i] == '\'')
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
        sb_strlit(b, n->str, n->slen);
        return;
    case TY_DATE: {
        char txt[40];
        if (n->unit == SX_SECONDS)
            sx_datetime_format(n->ival, txt);
        else
            sx_date_format(n->ival, txt);
        if (!lite)
            sb_puts(b, n->unit == SX_SECONDS ? "TIMESTAMP " : "DATE ");
        sb_strlit(b, txt, strlen(txt));
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

/* ---- caret ---- */

void sx_expr_caret(const char *src, int col, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    if (!src)
        return;
    size_t n = strlen(src);
    size_t at = col > 0 ? (size_t)(col - 1) : 0;
    if (at > n)
        at = n;
    size_t ls = at, le = at;
    while (ls > 0 && src[ls - 1] != '\n')
        ls--;
    while (le < n && src[le] != '\n')
        le++;
    if (at == le && at > ls && at == n && src[at - 1] == '\n')
        at--;
    /* Show a window of the line that fits half of BUF, around the caret. */
    size_t room = (size - 12) / 2;
    size_t ws = ls, we = le;
    if (size > 16 && we - ws > room) {
        ws = at > ls + room / 2 ? at - room / 2 : ls;
        while (ws > ls && ((unsigned char)src[ws] & 0xC0) == 0x80)
            ws--;
        we = ws + room < le ? ws + room : le;
        while (we > ws && we < le && ((unsigned char)src[we] & 0xC0) == 0x80)
            we--;
    }
    size_t o = 0;
#define PUT(ch) do { if (o + 1 < size) buf[o++] = (ch); } while (0)
    PUT(' ');
    PUT(' ');
    if (ws > ls) {
        PUT('.');
        PUT('.');
        PUT('.');
    }
    for (size_t i = ws; i < we; i++)
        PUT(src[i] == '\r' ? ' ' : src[i]);
    if (we < le) {
        PUT('.');
        PUT('.');
        PUT('.');
    }
    PUT('\n');
    PUT(' ');
    PUT(' ');
    if (ws > ls) {
        PUT(' ');
        PUT(' ');
        PUT(' ');
    }
    for (size_t i = ws; i < at && i < we; i++) {
        unsigned char c = (unsigned char)src[i];
        if ((c & 0xC0) == 0x80)
            continue; /* one column per UTF-8 character */
        PUT(c == '\t' ? '\t' : ' ');
    }
    PUT('^');
#undef PUT
    buf[o] = '\0';
}
