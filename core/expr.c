/* core/expr.c: the front of the expression language of core/expr.h: a
 * tokenizer that tracks lines and columns, a recursive-descent parser with
 * depth and length limits, the type checker against a frame's schema, and
 * sx_expr_caret. The evaluator (column-at-a-time over chunks of rows) is
 * core/expr_eval.c and the SQL export for SQLite, PostgreSQL, DuckDB and
 * Spark is core/expr_sql.c; the tree the three share is core/expr_int.h.
 *
 * Semantics the header leaves open, defined here (the checker's types) and
 * in core/expr_eval.c (the values):
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
#include "expr_int.h"
#include "num.h"

/* ---- the tree ---- */

/* The functions' names and argument counts, indexed by enum fn. */
static const struct {
    const char *name;
    int lo, hi; /* hi 0: no upper bound */
} fns[] = {
#define X(id, name, lo, hi) {name, lo, hi},
    FN_TABLE(X)
#undef X
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
        n->quoted = t.t == T_QNAME;
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
            return cerr(c, SX_ENOTFOUND, n,
                        n->quoted ? "unknown column '%.60s' (\"…\" names a column; a "
                                    "string is written in single quotes)"
                                  : "unknown column '%.60s'", n->str);
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
