/* core/expr_eval.c: the evaluator of the expression language of
 * core/expr.h: sx_expr_eval and sx_expr_eval_mask over a tree that
 * core/expr.c parsed and checked (core/expr_int.h), computing the values
 * the semantics at the top of core/expr.c define.
 *
 * Rows are evaluated in chunks of CH rows. Each node owns a slot: a vector
 * of CH values (float, int, bool or dictionary codes for strings) and CH
 * validity bytes. A node evaluates its kids for the chunk, then runs one
 * tight loop over the chunk. Column references point into the column's
 * own arrays; literals fill their vector once. Strings are codes into a
 * dictionary: a category column's own, or one the node builds, so
 * lower/upper and if/coalesce translate each distinct string once. */
#include "expr.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "expr_int.h"
#include "num.h"

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
