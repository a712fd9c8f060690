/* core/features.c: feature sets (core/features.h), the spec side: the spec
 * parser, its normal form (the version's identity) and hash, and the fit as
 * JSON and back. Fitting and applying are in core/features_fit.c, the fit as
 * SQL in core/features_sql.c; what they share is core/features_int.h. Pure
 * computation: no I/O. */
#include "features_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "json.h"
#include "num.h"
#include "strbuf.h"

#define MAX_TOP 10000                /* onehot top N */
#define MAX_BINS 1000                /* bins quantiles K */

static int is_plain_ident(const char *s)
{
    if (!is_ident_start((unsigned char)*s))
        return 0;
    for (s++; *s; s++)
        if (!is_ident_char((unsigned char)*s))
            return 0;
    return 1;
}

/* A column name as the spec writes it: bare when a plain identifier, else
 * "quoted" with quotes doubled. */
static void put_name(struct sx_sb *b, const char *name)
{
    if (is_plain_ident(name)) {
        sx_sb_puts(b, name);
        return;
    }
    sx_sb_put(b, "\"", 1);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sx_sb_put(b, "\"", 1);
        sx_sb_put(b, p, 1);
    }
    sx_sb_put(b, "\"", 1);
}

/* ---- the spec parser ---- */

enum tk { TK_END, TK_IDENT, TK_QNAME, TK_NUM, TK_COMMA, TK_EQ, TK_OTHER, TK_BADQ };

struct tok {
    enum tk k;
    const char *s;            /* into the line */
    size_t len;
    int col;
};

struct lexer {
    const char *s;            /* the line, comment removed */
    size_t len, pos;
};

static struct tok lex_next(struct lexer *lx)
{
    while (lx->pos < lx->len && (lx->s[lx->pos] == ' ' || lx->s[lx->pos] == '\t' ||
                                 lx->s[lx->pos] == '\r' || lx->s[lx->pos] == '\f' ||
                                 lx->s[lx->pos] == '\v'))
        lx->pos++;
    struct tok t = {.k = TK_END, .s = lx->s + lx->pos, .len = 0, .col = (int)lx->pos + 1};
    if (lx->pos >= lx->len)
        return t;
    const char *s = lx->s;
    size_t p = lx->pos;
    unsigned char c = (unsigned char)s[p];
    if (is_ident_start(c)) {
        while (p < lx->len && is_ident_char((unsigned char)s[p]))
            p++;
        t.k = TK_IDENT;
    } else if (c == '"') {
        p++;
        t.k = TK_BADQ;
        while (p < lx->len) {
            if (s[p] == '"') {
                if (p + 1 < lx->len && s[p + 1] == '"') {
                    p += 2;
                    continue;
                }
                p++;
                t.k = TK_QNAME;
                break;
            }
            p++;
        }
    } else if ((c >= '0' && c <= '9') || c == '.' ||
               ((c == '-' || c == '+') && p + 1 < lx->len &&
                ((s[p + 1] >= '0' && s[p + 1] <= '9') || s[p + 1] == '.'))) {
        p++;
        while (p < lx->len) {
            unsigned char d = (unsigned char)s[p];
            if (is_ident_char(d) || d == '.') {
                p++;
            } else if ((d == '-' || d == '+') && (s[p - 1] == 'e' || s[p - 1] == 'E')) {
                p++;
            } else {
                break;
            }
        }
        t.k = TK_NUM;
    } else if (c == ',') {
        p++;
        t.k = TK_COMMA;
    } else if (c == '=') {
        p++;
        t.k = TK_EQ;
    } else {
        p++;
        /* keep a UTF-8 sequence whole so a message quotes whole characters */
        while (p < lx->len && ((unsigned char)s[p] & 0xC0) == 0x80)
            p++;
        t.k = TK_OTHER;
    }
    t.len = p - lx->pos;
    lx->pos = p;
    return t;
}

static struct tok lex_peek(const struct lexer *lx)
{
    struct lexer copy = *lx;
    return lex_next(&copy);
}

static int tok_is(const struct tok *t, const char *word)
{
    return t->k == TK_IDENT && t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/* The name a TK_IDENT or TK_QNAME token stands for (new string). */
static char *tok_name(const struct tok *t)
{
    if (t->k == TK_IDENT)
        return strndup(t->s, t->len);
    char *out = malloc(t->len);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        out[o++] = t->s[i];
        if (t->s[i] == '"')
            i++;
    }
    out[o] = '\0';
    return out;
}

struct pctx {
    struct sx_err *err;
    int line;
    int *eline, *ecol;
    enum sx_status rc;
};

static enum sx_status perr(struct pctx *p, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum sx_status perr(struct pctx *p, int col, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (p->eline)
        *p->eline = p->line;
    if (p->ecol)
        *p->ecol = col;
    p->rc = sx_err_set(p->err, SX_EPARSE, "%d:%d: %s", p->line, col, what);
    return p->rc;
}

static enum sx_status pnomem(struct pctx *p)
{
    p->rc = sx_err_set(p->err, SX_ENOMEM, "out of memory parsing the spec");
    return p->rc;
}

/* A token quoted for a message: its text, or "end of line". */
static void tok_desc(const struct tok *t, char *buf, size_t size)
{
    if (t->k == TK_END)
        snprintf(buf, size, "end of line");
    else
        snprintf(buf, size, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s);
}

static void stmt_clear(struct stmt *s)
{
    free(s->name);
    free(s->src);
    for (size_t i = 0; i < s->ncols; i++)
        free(s->cols[i].name);
    free(s->cols);
    memset(s, 0, sizeof *s);
}

void sx_fspec_free(struct sx_fspec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        stmt_clear(&s->st[i]);
    free(s->st);
    free(s);
}

/* A column name token (bare or quoted) into *OUT. */
static enum sx_status parse_name(struct pctx *p, struct lexer *lx, const char *what,
                                 char **out, int *col)
{
    struct tok t = lex_next(lx);
    if (t.k == TK_BADQ)
        return perr(p, t.col, "unterminated quoted name");
    if (t.k != TK_IDENT && t.k != TK_QNAME) {
        char d[64];
        tok_desc(&t, d, sizeof d);
        return perr(p, t.col, "expected %s, got %s", what, d);
    }
    if (t.k == TK_QNAME && t.len == 2)
        return perr(p, t.col, "empty column name");
    *out = tok_name(&t);
    if (!*out)
        return pnomem(p);
    *col = t.col;
    return SX_OK;
}

/* COL (, COL)* into S->cols; a name listed twice is an error. */
static enum sx_status parse_cols(struct pctx *p, struct lexer *lx, struct stmt *s)
{
    for (;;) {
        char *name = NULL;
        int col = 0;
        if (parse_name(p, lx, "a column name", &name, &col) != SX_OK)
            return p->rc;
        for (size_t i = 0; i < s->ncols; i++)
            if (strcmp(s->cols[i].name, name) == 0) {
                free(name);
                return perr(p, col, "column '%s' is listed twice", s->cols[i].name);
            }
        struct ref *r = realloc(s->cols, (s->ncols + 1) * sizeof *r);
        if (!r) {
            free(name);
            return pnomem(p);
        }
        s->cols = r;
        s->cols[s->ncols].name = name;
        s->cols[s->ncols].col = col;
        s->ncols++;
        struct tok t = lex_peek(lx);
        if (t.k != TK_COMMA)
            return SX_OK;
        lex_next(lx);
    }
}

static enum sx_status expect_word(struct pctx *p, struct lexer *lx, const char *word,
                                  const char *after)
{
    struct tok t = lex_next(lx);
    if (tok_is(&t, word))
        return SX_OK;
    char d[64];
    tok_desc(&t, d, sizeof d);
    return perr(p, t.col, "expected '%s' after %s, got %s", word, after, d);
}

static enum sx_status parse_count(struct pctx *p, struct lexer *lx, const char *what,
                                  long max, long *out, int *col)
{
    struct tok t = lex_next(lx);
    char d[64];
    tok_desc(&t, d, sizeof d);
    int64_t v;
    if (t.k != TK_NUM || !sx_num_parse_int(t.s, t.len, &v))
        return perr(p, t.col, "expected a whole number for %s, got %s", what, d);
    if (v < 1 || v > max)
        return perr(p, t.col, "%s must be between 1 and %ld, got %s", what, max, d);
    *out = (long)v;
    *col = t.col;
    return SX_OK;
}

static enum sx_status parse_prob(struct pctx *p, struct lexer *lx, double *out, int *col)
{
    struct tok t = lex_next(lx);
    char d[64];
    tok_desc(&t, d, sizeof d);
    double v;
    if (t.k != TK_NUM || !sx_num_parse_double(t.s, t.len, &v))
        return perr(p, t.col, "expected a quantile between 0 and 1, got %s", d);
    if (!(v >= 0 && v <= 1))
        return perr(p, t.col, "quantile %s is outside [0, 1]", d);
    *out = v;
    *col = t.col;
    return SX_OK;
}

static void norm_expr(struct sx_sb *b, const char *src);

/* The expression text after position POS of LINE (trimmed), parsed once to
 * report syntax errors at their place in the spec. */
static enum sx_status parse_expr_text(struct pctx *p, const char *line, size_t len,
                                      size_t pos, const char *what, struct stmt *s)
{
    while (pos < len && (line[pos] == ' ' || line[pos] == '\t'))
        pos++;
    size_t end = len;
    while (end > pos && (line[end - 1] == ' ' || line[end - 1] == '\t' ||
                         line[end - 1] == '\r'))
        end--;
    if (end == pos)
        return perr(p, (int)pos + 1, "expected %s", what);
    s->src = strndup(line + pos, end - pos);
    if (!s->src)
        return pnomem(p);
    s->src_col = (int)pos + 1;
    struct sx_err e;
    int ecol = 0;
    struct sx_expr *x = sx_expr_parse(s->src, &e, &ecol);
    if (!x) {
        if (e.code == SX_ENOMEM)
            return pnomem(p);
        const char *m = e.msg;
        int a, b, n = 0;
        if (sscanf(m, "%d:%d: %n", &a, &b, &n) == 2 && n > 0)
            m += n;
        return perr(p, s->src_col + (ecol > 0 ? ecol - 1 : 0), "%s", m);
    }
    sx_expr_free(x);
    /* the normal form spaces tokens out; it must still be an expression */
    struct sx_sb nb = {0};
    norm_expr(&nb, s->src);
    size_t nlen = nb.len;
    int oom = nb.oom;
    free(nb.s);
    if (oom)
        return pnomem(p);
    if (nlen > SX_EXPR_MAX_LEN)
        return perr(p, s->src_col, "expression too long: %zu bytes with its tokens spaced "
                    "out, at most %d", nlen, SX_EXPR_MAX_LEN);
    return SX_OK;
}


static enum sx_status produce(struct pctx *p, struct names *ns, const char *name, int col)
{
    if (names_find(ns, name) >= 0)
        return perr(p, col, "output column '%s' is already produced by an earlier statement",
                    name);
    if (names_add(ns, name) != 0)
        return pnomem(p);
    return SX_OK;
}

/* One statement from LINE[0..LEN) (comment removed). */
static enum sx_status parse_stmt(struct pctx *p, const char *line, size_t len,
                                 struct stmt *s, struct names *ns)
{
    struct lexer lx = {.s = line, .len = len, .pos = 0};
    struct tok kw = lex_next(&lx);
    char d[64];
    if (kw.k == TK_END)
        return SX_OK;
    s->line = p->line;
    s->col = kw.col;
    int op = -1;
    for (int i = 0; i < OP_COUNT; i++)
        if (tok_is(&kw, op_names[i]))
            op = i;
    if (op < 0) {
        tok_desc(&kw, d, sizeof d);
        return perr(p, kw.col,
                    "unknown statement %s (expected feature, filter, impute, clip, "
                    "standardize, minmax, onehot, bins, pca or drop)", d);
    }
    s->op = (enum op)op;
    switch (s->op) {
    case OP_FEATURE: {
        if (parse_name(p, &lx, "a name after 'feature'", &s->name, &s->name_col) != SX_OK)
            return p->rc;
        struct tok eq = lex_next(&lx);
        if (eq.k != TK_EQ) {
            tok_desc(&eq, d, sizeof d);
            return perr(p, eq.col, "expected '=' after the feature name, got %s", d);
        }
        if (parse_expr_text(p, line, len, lx.pos, "an expression after '='", s) != SX_OK)
            return p->rc;
        return produce(p, ns, s->name, s->name_col);
    }
    case OP_FILTER:
        return parse_expr_text(p, line, len, lx.pos, "a condition after 'filter'", s);
    case OP_IMPUTE: {
        struct tok how = lex_next(&lx);
        int h = -1;
        for (int i = 0; i < 3; i++)
            if (tok_is(&how, imp_names[i]))
                h = i;
        if (h < 0) {
            tok_desc(&how, d, sizeof d);
            return perr(p, how.col, "expected median, mean or mode after 'impute', got %s", d);
        }
        s->how = (enum imp)h;
        if (parse_cols(p, &lx, s) != SX_OK)
            return p->rc;
        break;
    }
    case OP_CLIP: {
        if (parse_cols(p, &lx, s) != SX_OK ||
            expect_word(p, &lx, "quantiles", "the columns of 'clip'") != SX_OK)
            return p->rc;
        int lo_col, hi_col;
        if (parse_prob(p, &lx, &s->lo, &lo_col) != SX_OK ||
            parse_prob(p, &lx, &s->hi, &hi_col) != SX_OK)
            return p->rc;
        if (!(s->lo < s->hi))
            return perr(p, hi_col, "the upper quantile must be greater than the lower one");
        break;
    }
    case OP_STANDARDIZE:
    case OP_MINMAX:
    case OP_DROP:
        if (parse_cols(p, &lx, s) != SX_OK)
            return p->rc;
        if (s->op == OP_DROP)
            for (size_t i = 0; i < s->ncols; i++) {
                long at = names_find(ns, s->cols[i].name);
                if (at >= 0) {
                    free(ns->v[at]);
                    ns->v[at] = ns->v[--ns->n];
                }
            }
        break;
    case OP_ONEHOT:
    case OP_BINS: {
        int col;
        s->cols = calloc(1, sizeof *s->cols);
        if (!s->cols)
            return pnomem(p);
        if (parse_name(p, &lx, "a column name", &s->cols[0].name, &col) != SX_OK)
            return p->rc;
        s->cols[0].col = col;
        s->ncols = 1;
        if (s->op == OP_ONEHOT) {
            if (expect_word(p, &lx, "top", "the column of 'onehot'") != SX_OK ||
                parse_count(p, &lx, "top N", MAX_TOP, &s->k, &s->k_col) != SX_OK)
                return p->rc;
        } else {
            if (expect_word(p, &lx, "quantiles", "the column of 'bins'") != SX_OK ||
                parse_count(p, &lx, "the number of bins", MAX_BINS, &s->k, &s->k_col) != SX_OK)
                return p->rc;
            char *out = bins_name(s->cols[0].name);
            if (!out)
                return pnomem(p);
            enum sx_status rc = produce(p, ns, out, s->cols[0].col);
            free(out);
            if (rc != SX_OK)
                return rc;
        }
        break;
    }
    case OP_PCA: {
        if (parse_name(p, &lx, "a name after 'pca'", &s->name, &s->name_col) != SX_OK)
            return p->rc;
        if (parse_count(p, &lx, "the number of components", 1000000, &s->k, &s->k_col) !=
            SX_OK)
            return p->rc;
        if (expect_word(p, &lx, "of", "the number of components") != SX_OK ||
            parse_cols(p, &lx, s) != SX_OK)
            return p->rc;
        if ((size_t)s->k > s->ncols)
            return perr(p, s->k_col, "pca asks for %ld components of %zu column%s", s->k,
                        s->ncols, s->ncols == 1 ? "" : "s");
        for (long k = 1; k <= s->k; k++) {
            char *out = pca_name(s->name, k);
            if (!out)
                return pnomem(p);
            enum sx_status rc = produce(p, ns, out, s->name_col);
            free(out);
            if (rc != SX_OK)
                return rc;
        }
        break;
    }
    case OP_COUNT:
        break;
    }
    struct tok rest = lex_next(&lx);
    if (rest.k != TK_END) {
        tok_desc(&rest, d, sizeof d);
        return perr(p, rest.col, "unexpected %s after the %s statement", d, op_names[s->op]);
    }
    return SX_OK;
}

/* Where the comment of LINE[0..LEN) starts: the first '#' outside 'strings'
 * and "names"; LEN when there is none. */
static size_t comment_at(const char *line, size_t len)
{
    char q = 0;
    for (size_t i = 0; i < len; i++) {
        char c = line[i];
        if (q) {
            if (c == q) {
                if (i + 1 < len && line[i + 1] == q)
                    i++;
                else
                    q = 0;
            }
        } else if (c == '\'' || c == '"') {
            q = c;
        } else if (c == '#') {
            return i;
        }
    }
    return len;
}

/* The offset of the first byte of S[0..N) that is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF included), or
 * N when it all is. */
static size_t utf8_bad(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += len;
    }
    return n;
}

struct sx_fspec *sx_fspec_parse(const char *text, struct sx_err *err, int *err_line,
                                int *err_col)
{
    if (err_line)
        *err_line = 0;
    if (err_col)
        *err_col = 0;
    struct sx_fspec *spec = calloc(1, sizeof *spec);
    struct names ns = {0};
    struct pctx p = {.err = err, .line = 0, .eline = err_line, .ecol = err_col, .rc = SX_OK};
    if (!spec) {
        pnomem(&p);
        return NULL;
    }
    if (!text)
        text = "";
    const char *at = text;
    while (*at || at == text) {
        p.line++;
        const char *nl = strchr(at, '\n');
        size_t len = nl ? (size_t)(nl - at) : strlen(at);
        size_t bad = utf8_bad(at, len);
        if (bad < len) {
            perr(&p, (int)bad + 1, "invalid UTF-8 in the spec");
            goto fail;
        }
        len = comment_at(at, len);
        struct stmt s = {0};
        if (parse_stmt(&p, at, len, &s, &ns) != SX_OK) {
            stmt_clear(&s);
            goto fail;
        }
        if (s.line) {
            if (spec->n == spec->cap) {
                size_t cap = spec->cap ? spec->cap * 2 : 16;
                struct stmt *v = realloc(spec->st, cap * sizeof *v);
                if (!v) {
                    stmt_clear(&s);
                    pnomem(&p);
                    goto fail;
                }
                spec->st = v;
                spec->cap = cap;
            }
            spec->st[spec->n++] = s;
        }
        if (!nl)
            break;
        at = nl + 1;
    }
    names_free(&ns);
    return spec;
fail:
    names_free(&ns);
    sx_fspec_free(spec);
    return NULL;
}

/* ---- normal form and hash ---- */

static int is_expr_keyword(const char *s, size_t n)
{
    static const char *const kw[] = {"and", "or", "not", "between", "in", "is"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && strncasecmp(kw[i], s, n) == 0)
            return 1;
    return 0;
}

/* The expression SRC with its tokens separated by single spaces (none after
 * '(' or a sign, none before ')' and ',', none between a function name and
 * its '('): whitespace never changes the normal form; quoted text is kept
 * as is. */
static void norm_expr(struct sx_sb *b, const char *src)
{
    enum { K_NONE, K_WORD, K_KEYWORD, K_OPEN, K_CLOSE, K_COMMA, K_OP } prev = K_NONE;
    int sign = 0;             /* the previous token was a unary - or + */
    size_t n = strlen(src), i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)src[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        size_t j = i + 1;
        int kind;
        if (c == '\'' || c == '"') {
            while (j < n) {
                if ((unsigned char)src[j] == c) {
                    if (j + 1 < n && (unsigned char)src[j + 1] == c) {
                        j += 2;
                        continue;
                    }
                    j++;
                    break;
                }
                j++;
            }
            kind = K_WORD;
        } else if ((c >= '0' && c <= '9') || (c == '.' && j < n && src[j] >= '0' && src[j] <= '9')) {
            while (j < n) {
                unsigned char d = (unsigned char)src[j];
                if (is_ident_char(d) || d == '.')
                    j++;
                else if ((d == '-' || d == '+') && (src[j - 1] == 'e' || src[j - 1] == 'E') &&
                         !is_ident_start((unsigned char)src[i]))
                    j++;
                else
                    break;
            }
            kind = K_WORD;
        } else if (is_ident_start(c) || c >= 0x80) {
            while (j < n && (is_ident_char((unsigned char)src[j]) ||
                             (unsigned char)src[j] >= 0x80))
                j++;
            kind = is_expr_keyword(src + i, j - i) ? K_KEYWORD : K_WORD;
        } else if (c == '(') {
            kind = K_OPEN;
        } else if (c == ')') {
            kind = K_CLOSE;
        } else if (c == ',') {
            kind = K_COMMA;
        } else {
            if (j < n && ((c == '<' && (src[j] == '=' || src[j] == '>')) ||
                          (c == '>' && src[j] == '=') || (c == '!' && src[j] == '=') ||
                          (c == '=' && src[j] == '=')))
                j++;
            kind = K_OP;
        }
        int space = prev != K_NONE && prev != K_OPEN && kind != K_CLOSE && kind != K_COMMA &&
                    !(kind == K_OPEN && prev == K_WORD) && !sign;
        if (space)
            sx_sb_put(b, " ", 1);
        sx_sb_put(b, src + i, j - i);
        sign = kind == K_OP && j == i + 1 && (c == '-' || c == '+') &&
               (prev == K_NONE || prev == K_OPEN || prev == K_COMMA || prev == K_OP ||
                prev == K_KEYWORD);
        prev = kind;
        i = j;
    }
}

static void put_cols(struct sx_sb *b, const struct stmt *s)
{
    for (size_t i = 0; i < s->ncols; i++) {
        if (i)
            sx_sb_puts(b, ", ");
        put_name(b, s->cols[i].name);
    }
}

static void put_double(struct sx_sb *b, double v)
{
    char buf[32];
    sx_num_format_double(v, buf);
    sx_sb_puts(b, buf);
}

char *sx_fspec_normalize(const struct sx_fspec *s)
{
    struct sx_sb b = {0};
    for (size_t i = 0; i < s->n; i++) {
        const struct stmt *st = &s->st[i];
        sx_sb_puts(&b, op_names[st->op]);
        sx_sb_put(&b, " ", 1);
        switch (st->op) {
        case OP_FEATURE:
            put_name(&b, st->name);
            sx_sb_puts(&b, " = ");
            norm_expr(&b, st->src);
            break;
        case OP_FILTER:
            norm_expr(&b, st->src);
            break;
        case OP_IMPUTE:
            sx_sb_puts(&b, imp_names[st->how]);
            sx_sb_put(&b, " ", 1);
            put_cols(&b, st);
            break;
        case OP_CLIP:
            put_cols(&b, st);
            sx_sb_puts(&b, " quantiles ");
            put_double(&b, st->lo);
            sx_sb_put(&b, " ", 1);
            put_double(&b, st->hi);
            break;
        case OP_STANDARDIZE:
        case OP_MINMAX:
        case OP_DROP:
            put_cols(&b, st);
            break;
        case OP_ONEHOT:
            put_cols(&b, st);
            sx_sb_printf(&b, " top %ld", st->k);
            break;
        case OP_BINS:
            put_cols(&b, st);
            sx_sb_printf(&b, " quantiles %ld", st->k);
            break;
        case OP_PCA:
            put_name(&b, st->name);
            sx_sb_printf(&b, " %ld of ", st->k);
            put_cols(&b, st);
            break;
        case OP_COUNT:
            break;
        }
        sx_sb_put(&b, "\n", 1);
    }
    return sx_sb_take(&b);
}

void sx_fspec_hash(const struct sx_fspec *s, char hex[65])
{
    char *norm = sx_fspec_normalize(s);
    if (!norm) {
        hex[0] = '\0';
        return;
    }
    sx_hash_bytes(norm, strlen(norm), hex);
    free(norm);
}

/* A deep copy of SPEC (the fit keeps its own). NULL when out of memory. */
/* ---- the fit as JSON ---- */

static void set_type(json_t *o, enum sx_type t, enum sx_date_unit unit)
{
    sx_json_set(o, "type", json_string(sx_type_name(t)));
    if (t == SX_DATE)
        sx_json_set(o, "unit", json_string(unit == SX_SECONDS ? "seconds" : "days"));
}

static json_t *sch_json(const struct sch *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_object();
        sx_json_set(o, "name", json_string(v[i].name));
        set_type(o, v[i].type, v[i].unit);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *reals(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, sx_json_real(v[i]));
    return a;
}

static json_t *col_names(const struct stmt *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->ncols; i++)
        json_array_append_new(a, json_string(s->cols[i].name));
    return a;
}

static json_t *impute_value(const struct colp *cp)
{
    switch (cp->vtype) {
    case SX_FLOAT: return sx_json_real(cp->a);
    case SX_INT:
    case SX_DATE: return json_integer((json_int_t)cp->iv);
    case SX_BOOL: return json_boolean(cp->iv != 0);
    default: return json_string(cp->sv);
    }
}

static json_t *step_json(const struct stmt *s, const struct step *st)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    sx_json_set(o, "op", json_string(op_names[s->op]));
    sx_json_set(o, "line", json_integer(s->line));
    switch (s->op) {
    case OP_FEATURE:
        sx_json_set(o, "name", json_string(s->name));
        set_type(o, st->ftype, st->funit);
        break;
    case OP_FILTER:
        break;
    case OP_IMPUTE:
    case OP_CLIP:
    case OP_STANDARDIZE:
    case OP_MINMAX: {
        if (s->op == OP_IMPUTE)
            sx_json_set(o, "method", json_string(imp_names[s->how]));
        json_t *cols = json_object();
        for (size_t j = 0; cols && j < s->ncols; j++) {
            const struct colp *cp = &st->cp[j];
            json_t *c = json_object();
            if (s->op == OP_IMPUTE) {
                sx_json_set(c, "value", impute_value(cp));
                set_type(c, cp->vtype, cp->unit);
            } else if (s->op == OP_CLIP) {
                sx_json_set(c, "lo", sx_json_real(cp->a));
                sx_json_set(c, "hi", sx_json_real(cp->b));
            } else if (s->op == OP_STANDARDIZE) {
                sx_json_set(c, "mean", sx_json_real(cp->a));
                sx_json_set(c, "var", sx_json_real(cp->b));
                sx_json_set(c, "scale", sx_json_real(cp->c));
            } else {
                sx_json_set(c, "min", sx_json_real(cp->a));
                sx_json_set(c, "max", sx_json_real(cp->b));
                sx_json_set(c, "scale", sx_json_real(cp->c));
                sx_json_set(c, "offset", sx_json_real(cp->d));
            }
            sx_json_set(cols, s->cols[j].name, c);
        }
        sx_json_set(o, "columns", cols);
        break;
    }
    case OP_ONEHOT: {
        sx_json_set(o, "column", json_string(s->cols[0].name));
        sx_json_set(o, "input_type", json_string(sx_type_name(st->itype)));
        json_t *cats = json_array();
        for (size_t k = 0; cats && k < st->ncat; k++) {
            json_t *c = json_object();
            sx_json_set(c, "value", json_string(st->cat[k]));
            sx_json_set(c, "name", json_string(st->cname[k]));
            sx_json_set(c, "count", json_integer((json_int_t)st->ccount[k]));
            json_array_append_new(cats, c);
        }
        sx_json_set(o, "categories", cats);
        sx_json_set(o, "other", json_string(st->other));
        break;
    }
    case OP_BINS:
        sx_json_set(o, "column", json_string(s->cols[0].name));
        sx_json_set(o, "output", json_string(st->bname));
        sx_json_set(o, "edges", reals(st->edges, st->nedges));
        sx_json_set(o, "min", sx_json_real(st->bmin));
        sx_json_set(o, "max", sx_json_real(st->bmax));
        break;
    case OP_PCA: {
        size_t k = (size_t)s->k;
        sx_json_set(o, "name", json_string(s->name));
        sx_json_set(o, "columns", col_names(s));
        sx_json_set(o, "n_samples", json_integer((json_int_t)st->nsamp));
        sx_json_set(o, "mean", reals(st->mean, st->p));
        json_t *comp = json_array();
        for (size_t j = 0; comp && j < k; j++)
            json_array_append_new(comp, reals(st->comp + j * st->p, st->p));
        sx_json_set(o, "components", comp);
        sx_json_set(o, "explained_variance", reals(st->ev, k));
        sx_json_set(o, "explained_variance_ratio", reals(st->ratio, k));
        sx_json_set(o, "singular_values", reals(st->sv, st->nsv));
        sx_json_set(o, "noise_variance", sx_json_real(st->noise));
        break;
    }
    case OP_DROP:
        sx_json_set(o, "columns", col_names(s));
        break;
    case OP_COUNT:
        break;
    }
    return o;
}

json_t *sx_ffit_json(const struct sx_ffit *fit)
{
    json_t *j = json_object(), *steps = json_array();
    if (!j || !steps) {
        json_decref(j);
        json_decref(steps);
        return NULL;
    }
    sx_json_set(j, "spec_hash", json_string(fit->hash));
    sx_json_set(j, "inputs", sch_json(fit->in, fit->nin));
    for (size_t i = 0; i < fit->spec->n; i++)
        json_array_append_new(steps, step_json(&fit->spec->st[i], &fit->steps[i]));
    sx_json_set(j, "steps", steps);
    sx_json_set(j, "outputs", sch_json(fit->out, fit->nout));
    return j;
}

/* ---- reading it back ---- */

struct jr {
    struct sx_err *err;
    size_t step;              /* 1-based, 0 outside the steps */
    enum sx_status rc;
};

static enum sx_status jfail(struct jr *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum sx_status jfail(struct jr *r, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->step)
        r->rc = sx_err_set(r->err, SX_EPARSE, "fit parameters: step %zu: %s", r->step, what);
    else
        r->rc = sx_err_set(r->err, SX_EPARSE, "fit parameters: %s", what);
    return r->rc;
}

/* A number as sx_json_real writes it: a number, null (NaN), "inf", "-inf". */
static int jdouble(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 1;
    }
    if (json_is_null(v)) {
        *out = NAN;
        return 1;
    }
    if (json_is_string(v)) {
        if (strcmp(json_string_value(v), "inf") == 0) {
            *out = INFINITY;
            return 1;
        }
        if (strcmp(json_string_value(v), "-inf") == 0) {
            *out = -INFINITY;
            return 1;
        }
    }
    return 0;
}

static enum sx_status jget_double(struct jr *r, const json_t *o, const char *key, double *out)
{
    if (!jdouble(json_object_get(o, key), out))
        return jfail(r, "'%s' is not a number", key);
    return SX_OK;
}

static enum sx_status jget_doubles(struct jr *r, const json_t *o, const char *key, size_t n,
                                   double **out)
{
    const json_t *a = json_object_get(o, key);
    if (!json_is_array(a) || json_array_size(a) != n)
        return jfail(r, "'%s' is not an array of %zu numbers", key, n);
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out)
        return r->rc = nomem(r->err);
    for (size_t i = 0; i < n; i++)
        if (!jdouble(json_array_get(a, i), &(*out)[i]))
            return jfail(r, "'%s'[%zu] is not a number", key, i);
    return SX_OK;
}

/* String KEY of O (EMPTY: may be ""; no NUL inside) into *OUT. */
static enum sx_status jget_str(struct jr *r, const json_t *o, const char *key, int empty,
                               char **out)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || (!empty && json_string_length(v) == 0) ||
        strlen(json_string_value(v)) != json_string_length(v))
        return jfail(r, "'%s' is not a%s string", key, empty ? "" : " non-empty");
    if (!(*out = strdup(json_string_value(v))))
        return r->rc = nomem(r->err);
    return SX_OK;
}

static enum sx_status jget_string(struct jr *r, const json_t *o, const char *key, char **out)
{
    return jget_str(r, o, key, 0, out);
}

static enum sx_status jget_type(struct jr *r, const json_t *o, const char *key,
                                enum sx_type *t, enum sx_date_unit *unit)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || sx_type_parse(json_string_value(v), t, NULL) != SX_OK)
        return jfail(r, "'%s' is not a column type", key);
    if (unit) {
        *unit = SX_DAYS;
        const json_t *u = json_object_get(o, "unit");
        if (*t == SX_DATE && json_is_string(u) && strcmp(json_string_value(u), "seconds") == 0)
            *unit = SX_SECONDS;
    }
    return SX_OK;
}

static enum sx_status jget_sch(struct jr *r, const json_t *j, const char *key,
                               struct sch **out, size_t *n)
{
    const json_t *a = json_object_get(j, key);
    if (!json_is_array(a))
        return jfail(r, "'%s' is not an array", key);
    size_t m = json_array_size(a);
    struct sch *v = calloc(m ? m : 1, sizeof *v);
    if (!v)
        return r->rc = nomem(r->err);
    *out = v;
    *n = 0;
    for (size_t i = 0; i < m; i++) {
        const json_t *o = json_array_get(a, i);
        if (!json_is_object(o))
            return jfail(r, "'%s'[%zu] is not an object", key, i);
        if (jget_string(r, o, "name", &v[i].name) != SX_OK)
            return r->rc;
        *n = i + 1;
        if (jget_type(r, o, "type", &v[i].type, &v[i].unit) != SX_OK)
            return r->rc;
    }
    return SX_OK;
}

static enum sx_status read_colp(struct jr *r, const struct stmt *s, const json_t *c,
                                struct colp *cp)
{
    if (!json_is_object(c))
        return jfail(r, "no parameters for a column");
    if (s->op == OP_IMPUTE) {
        if (jget_type(r, c, "type", &cp->vtype, &cp->unit) != SX_OK)
            return r->rc;
        const json_t *v = json_object_get(c, "value");
        if (s->how != IMP_MODE && cp->vtype != SX_FLOAT)
            return jfail(r, "a %s is a float", imp_names[s->how]);
        switch (cp->vtype) {
        case SX_FLOAT:
            if (!jdouble(v, &cp->a))
                return jfail(r, "'value' is not a number");
            return SX_OK;
        case SX_INT:
        case SX_DATE:
            if (!json_is_integer(v))
                return jfail(r, "'value' is not an integer");
            cp->iv = (int64_t)json_integer_value(v);
            cp->a = (double)cp->iv;
            return SX_OK;
        case SX_BOOL:
            if (!json_is_boolean(v))
                return jfail(r, "'value' is not true or false");
            cp->iv = json_is_true(v);
            cp->a = (double)cp->iv;
            return SX_OK;
        default:
            return jget_str(r, c, "value", 1, &cp->sv);
        }
    }
    if (s->op == OP_CLIP)
        return jget_double(r, c, "lo", &cp->a) || jget_double(r, c, "hi", &cp->b) ? r->rc
                                                                                  : SX_OK;
    if (s->op == OP_STANDARDIZE)
        return jget_double(r, c, "mean", &cp->a) || jget_double(r, c, "var", &cp->b) ||
                       jget_double(r, c, "scale", &cp->c)
                   ? r->rc
                   : SX_OK;
    return jget_double(r, c, "min", &cp->a) || jget_double(r, c, "max", &cp->b) ||
                   jget_double(r, c, "scale", &cp->c) || jget_double(r, c, "offset", &cp->d)
               ? r->rc
               : SX_OK;
}

static enum sx_status read_step(struct jr *r, const struct stmt *s, const json_t *o,
                                struct step *st)
{
    const json_t *op = json_object_get(o, "op");
    if (!json_is_string(op) || strcmp(json_string_value(op), op_names[s->op]) != 0)
        return jfail(r, "expected op '%s'", op_names[s->op]);
    switch (s->op) {
    case OP_FEATURE:
        return jget_type(r, o, "type", &st->ftype, &st->funit);
    case OP_FILTER:
    case OP_DROP:
        return SX_OK;
    case OP_IMPUTE:
    case OP_CLIP:
    case OP_STANDARDIZE:
    case OP_MINMAX: {
        const json_t *cols = json_object_get(o, "columns");
        if (!json_is_object(cols))
            return jfail(r, "'columns' is not an object");
        for (size_t j = 0; j < s->ncols; j++) {
            const json_t *c = json_object_get(cols, s->cols[j].name);
            if (!c)
                return jfail(r, "no parameters for column '%s'", s->cols[j].name);
            if (read_colp(r, s, c, &st->cp[j]) != SX_OK)
                return r->rc;
        }
        return SX_OK;
    }
    case OP_ONEHOT: {
        if (jget_type(r, o, "input_type", &st->itype, NULL) != SX_OK)
            return r->rc;
        if (!is_string(st->itype) && st->itype != SX_INT)
            return jfail(r, "'input_type' cannot be one-hot encoded");
        const json_t *cats = json_object_get(o, "categories");
        size_t n = json_is_array(cats) ? json_array_size(cats) : 0;
        if (n == 0 || n > (size_t)s->k)
            return jfail(r, "'categories' is not an array of 1 to %ld categories", s->k);
        st->cat = calloc(n, sizeof *st->cat);
        st->cname = calloc(n, sizeof *st->cname);
        st->ccount = calloc(n, sizeof *st->ccount);
        if (!st->cat || !st->cname || !st->ccount)
            return r->rc = nomem(r->err);
        for (size_t k = 0; k < n; k++) {
            const json_t *c = json_array_get(cats, k);
            const json_t *cnt = json_object_get(c, "count");
            st->ncat = k + 1;
            if (!json_is_object(c) || jget_str(r, c, "value", 1, &st->cat[k]) != SX_OK ||
                jget_string(r, c, "name", &st->cname[k]) != SX_OK)
                return r->rc ? r->rc : jfail(r, "category %zu is not an object", k);
            if (!json_is_integer(cnt) || json_integer_value(cnt) < 0)
                return jfail(r, "category %zu: 'count' is not a count", k);
            st->ccount[k] = (uint64_t)json_integer_value(cnt);
            for (size_t q = 0; q < k; q++)
                if (strcmp(st->cat[q], st->cat[k]) == 0)
                    return jfail(r, "category '%s' is listed twice", st->cat[k]);
        }
        return jget_string(r, o, "other", &st->other);
    }
    case OP_BINS: {
        if (jget_string(r, o, "output", &st->bname) != SX_OK)
            return r->rc;
        const json_t *e = json_object_get(o, "edges");
        size_t n = json_is_array(e) ? json_array_size(e) : 0;
        if (!json_is_array(e) || n >= (size_t)s->k)
            return jfail(r, "'edges' is not an array of at most %ld numbers", s->k - 1);
        if (jget_doubles(r, o, "edges", n, &st->edges) != SX_OK)
            return r->rc;
        st->nedges = n;
        for (size_t k = 0; k < n; k++)
            if (isnan(st->edges[k]) || (k && !(st->edges[k - 1] < st->edges[k])))
                return jfail(r, "'edges' are not ascending");
        return jget_double(r, o, "min", &st->bmin) || jget_double(r, o, "max", &st->bmax)
                   ? r->rc
                   : SX_OK;
    }
    case OP_PCA: {
        size_t p = s->ncols, k = (size_t)s->k;
        const json_t *ns = json_object_get(o, "n_samples");
        if (!json_is_integer(ns) || json_integer_value(ns) < 2)
            return jfail(r, "'n_samples' is not a count of at least 2");
        st->p = p;
        st->nsamp = (uint64_t)json_integer_value(ns);
        st->nsv = st->nsamp < p ? (size_t)st->nsamp : p;
        if (st->nsv < k)
            return jfail(r, "%ld components of %zu singular values", s->k, st->nsv);
        const json_t *comp = json_object_get(o, "components");
        if (!json_is_array(comp) || json_array_size(comp) != k)
            return jfail(r, "'components' is not an array of %zu rows", k);
        if (!(st->comp = malloc(k * p * sizeof *st->comp)))
            return r->rc = nomem(r->err);
        for (size_t j = 0; j < k; j++) {
            const json_t *row = json_array_get(comp, j);
            if (!json_is_array(row) || json_array_size(row) != p)
                return jfail(r, "'components'[%zu] is not an array of %zu numbers", j, p);
            for (size_t a = 0; a < p; a++)
                if (!jdouble(json_array_get(row, a), &st->comp[j * p + a]))
                    return jfail(r, "'components'[%zu][%zu] is not a number", j, a);
        }
        if (jget_doubles(r, o, "mean", p, &st->mean) != SX_OK ||
            jget_doubles(r, o, "explained_variance", k, &st->ev) != SX_OK ||
            jget_doubles(r, o, "explained_variance_ratio", k, &st->ratio) != SX_OK ||
            jget_doubles(r, o, "singular_values", st->nsv, &st->sv) != SX_OK ||
            jget_double(r, o, "noise_variance", &st->noise) != SX_OK)
            return r->rc;
        return SX_OK;
    }
    case OP_COUNT:
        break;
    }
    return SX_OK;
}

struct sx_ffit *sx_ffit_from_json(const struct sx_fspec *spec, const json_t *j,
                                  struct sx_err *err)
{
    struct sx_err local;
    if (!err)
        err = &local;
    struct jr r = {.err = err, .step = 0, .rc = SX_OK};
    struct sx_ffit *fit = sx_fi_fit_new(spec);
    struct sx_frame *f = NULL;
    if (!fit) {
        nomem(err);
        return NULL;
    }
    if (!json_is_object(j)) {
        jfail(&r, "not a JSON object");
        goto fail;
    }
    const json_t *h = json_object_get(j, "spec_hash");
    if (!json_is_string(h) || strcmp(json_string_value(h), fit->hash) != 0) {
        jfail(&r, "they were fitted for another version of the spec");
        goto fail;
    }
    if (jget_sch(&r, j, "inputs", &fit->in, &fit->nin) != SX_OK ||
        jget_sch(&r, j, "outputs", &fit->out, &fit->nout) != SX_OK)
        goto fail;
    const json_t *steps = json_object_get(j, "steps");
    if (!json_is_array(steps) || json_array_size(steps) != fit->spec->n) {
        jfail(&r, "'steps' is not an array of %zu steps", fit->spec->n);
        goto fail;
    }
    for (size_t i = 0; i < fit->spec->n; i++) {
        r.step = i + 1;
        const json_t *o = json_array_get(steps, i);
        if (!json_is_object(o)) {
            jfail(&r, "not an object");
            goto fail;
        }
        if (read_step(&r, &fit->spec->st[i], o, &fit->steps[i]) != SX_OK)
            goto fail;
    }
    r.step = 0;
    /* the statements, followed on the input schema, must give the outputs */
    if (!(f = sx_fi_sch_frame(fit->in, fit->nin, err)))
        goto fail;
    for (size_t i = 0; i < fit->spec->n; i++) {
        int unsure = 0;
        struct sx_err e2;
        if (sx_fi_sch_step(&fit->spec->st[i], &fit->steps[i], f, &unsure, &e2) != SX_OK) {
            r.step = i + 1;
            jfail(&r, "%s", e2.msg);
            goto fail;
        }
    }
    int same = f->ncols == fit->nout;
    for (size_t i = 0; same && i < f->ncols; i++)
        same = strcmp(f->cols[i]->name, fit->out[i].name) == 0 &&
               f->cols[i]->type == fit->out[i].type;
    if (!same) {
        jfail(&r, "'outputs' do not follow from the inputs and the steps");
        goto fail;
    }
    sx_frame_free(f);
    return fit;
fail:
    sx_frame_free(f);
    sx_ffit_free(fit);
    return NULL;
}
