/* core/features_fit.c: fitting a feature set (core/features.h) on a training
 * frame, statement by statement in order, and applying a fit to any frame in
 * train or inference mode through one code path. Fitting follows
 * scikit-learn 1.2 where it has a counterpart (../shared/STATS.md sections 2
 * and 10). Shares core/features_int.h with core/features.c and
 * core/features_sql.c. Pure computation: no I/O.
 *
 * A pass (fit or apply) works on a working frame whose columns are
 * borrowed from the input until a statement replaces them. Work is split
 * over threads where it is natural: statistics per column, maps per block
 * of CHUNK rows (a multiple of 64, so no two threads share a word of a
 * validity bitmap). Every result is independent of the number of threads:
 * each sum runs in one fixed order. Three shortcuts keep the cells exactly
 * what the plain path gives: consecutive filters drop their rows in one
 * gather; while fitting, a column no later statement can read keeps only
 * its name and type ("ghost"); a feature reading one column with few
 * distinct values is evaluated once per value and gathered. */
#include "features_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "json.h"
#include "par.h"
#include "profile.h"
#include "strbuf.h"

#define CHUNK ((size_t)1 << 16)      /* rows per parallel block */
#define PAR_MIN_ROWS ((size_t)1 << 17) /* below this, one thread */
#define MAX_NAME_VALUE 64            /* bytes of a category kept in an output name */

static int is_numeric(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_BOOL;
}

static inline int bit_get(const uint64_t *v, size_t i)
{
    return (int)((v[i >> 6] >> (i & 63)) & 1u);
}

/* The numeric value of present cell I of a FLOAT, INT, BOOL or DATE column. */
static inline double cell_num(const struct sx_column *c, size_t i)
{
    switch (c->type) {
    case SX_FLOAT: return c->v.f64[i];
    case SX_INT:
    case SX_DATE: return (double)c->v.i64[i];
    case SX_BOOL: return (double)c->v.b[i];
    default: return NAN;
    }
}

/* Ask for transparent huge pages on the buffer P[0..BYTES) before it is
 * first written: a 10M-row column then costs a few hundred page faults
 * instead of twenty thousand. Only a hint; big buffers only. */
static void want_huge_pages(void *p, size_t bytes)
{
    if (bytes < ((size_t)8 << 20))
        return;
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
    uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
    if (e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE);
}

static size_t type_width(enum sx_type t)
{
    switch (t) {
    case SX_FLOAT:
    case SX_INT:
    case SX_DATE:
    case SX_TEXT: return 8;
    case SX_CATEGORY: return 4;
    default: return 1;
    }
}

/* A new column NAME of TYPE with N cells whose values the caller writes
 * (validity bits start clear). NULL when out of memory. */
static struct sx_column *col_make(const char *name, enum sx_type type, size_t n)
{
    struct sx_column *c = sx_col_new(name, type);
    if (!c)
        return NULL;
    if (n && sx_col_reserve(c, n) != SX_OK) {
        sx_col_free(c);
        return NULL;
    }
    if (n)
        want_huge_pages(type == SX_TEXT ? (void *)c->v.off : (void *)c->v.f64, n * type_width(type));
    if (type == SX_TEXT)
        return c;             /* filled by pushing */
    c->len = n;
    return c;
}

/* A 64-bit hash mix (MurmurHash3's finaliser). */
static uint64_t mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

/* ---- threads ---- */

typedef void (*par_fn)(void *ctx, size_t task);

/* Run FN(CTX, t) for t in 0..NTASKS-1 on the online CPUs (one thread when
 * ROWS is small). Tasks must not depend on each other. */
static void par_run(size_t ntasks, size_t rows, par_fn fn, void *ctx)
{
    sx_par_run(ntasks, rows >= PAR_MIN_ROWS, fn, ctx);
}

static size_t nchunks_of(size_t nrows)
{
    return (nrows + CHUNK - 1) / CHUNK;
}

static struct sx_fspec *spec_copy(const struct sx_fspec *spec)
{
    struct sx_fspec *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->st = calloc(spec->n ? spec->n : 1, sizeof *c->st);
    if (!c->st) {
        free(c);
        return NULL;
    }
    c->cap = spec->n ? spec->n : 1;
    for (size_t i = 0; i < spec->n; i++) {
        const struct stmt *s = &spec->st[i];
        struct stmt *d = &c->st[i];
        *d = *s;
        d->name = NULL;
        d->src = NULL;
        d->cols = NULL;
        d->ncols = 0;
        c->n = i + 1;
        if ((s->name && !(d->name = strdup(s->name))) || (s->src && !(d->src = strdup(s->src))))
            goto fail;
        if (s->ncols) {
            if (!(d->cols = calloc(s->ncols, sizeof *d->cols)))
                goto fail;
            for (size_t j = 0; j < s->ncols; j++) {
                d->cols[j].col = s->cols[j].col;
                if (!(d->cols[j].name = strdup(s->cols[j].name)))
                    goto fail;
                d->ncols = j + 1;
            }
        }
    }
    return c;
fail:
    sx_fspec_free(c);
    return NULL;
}

static void step_clear(struct step *st, const struct stmt *s)
{
    if (st->cp) {
        for (size_t i = 0; i < s->ncols; i++)
            free(st->cp[i].sv);
        free(st->cp);
    }
    for (size_t i = 0; i < st->ncat; i++) {
        free(st->cat[i]);
        free(st->cname[i]);
    }
    free(st->cat);
    free(st->cname);
    free(st->ccount);
    free(st->other);
    free(st->bname);
    free(st->edges);
    free(st->mean);
    free(st->comp);
    free(st->ev);
    free(st->ratio);
    free(st->sv);
    memset(st, 0, sizeof *st);
}

static void sch_free(struct sch *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

void sx_ffit_free(struct sx_ffit *fit)
{
    if (!fit)
        return;
    if (fit->steps && fit->spec)
        for (size_t i = 0; i < fit->spec->n; i++)
            step_clear(&fit->steps[i], &fit->spec->st[i]);
    free(fit->steps);
    sx_fspec_free(fit->spec);
    sch_free(fit->in, fit->nin);
    sch_free(fit->out, fit->nout);
    free(fit);
}

/* A new, empty fit of a copy of SPEC. */
struct sx_ffit *sx_fi_fit_new(const struct sx_fspec *spec)
{
    struct sx_ffit *fit = calloc(1, sizeof *fit);
    if (!fit)
        return NULL;
    fit->spec = spec_copy(spec);
    fit->steps = calloc(spec->n ? spec->n : 1, sizeof *fit->steps);
    if (!fit->spec || !fit->steps) {
        sx_ffit_free(fit);
        return NULL;
    }
    for (size_t i = 0; i < spec->n; i++) {
        const struct stmt *s = &spec->st[i];
        if (s->op == OP_IMPUTE || s->op == OP_CLIP || s->op == OP_STANDARDIZE ||
            s->op == OP_MINMAX) {
            fit->steps[i].cp = calloc(s->ncols, sizeof *fit->steps[i].cp);
            if (!fit->steps[i].cp) {
                sx_ffit_free(fit);
                return NULL;
            }
        }
    }
    sx_fspec_hash(spec, fit->hash);
    return fit;
}

/* The names and types of F's columns as a schema. */
static struct sch *sch_of(const struct sx_frame *f, size_t *n)
{
    struct sch *v = calloc(f->ncols ? f->ncols : 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < f->ncols; i++) {
        v[i].type = f->cols[i]->type;
        v[i].unit = f->cols[i]->unit;
        if (!(v[i].name = strdup(f->cols[i]->name))) {
            sch_free(v, i);
            return NULL;
        }
    }
    *n = f->ncols;
    return v;
}

/* ---- statement errors ---- */

static enum sx_status serr(const struct stmt *s, int col, struct sx_err *err,
                           enum sx_status code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static enum sx_status serr(const struct stmt *s, int col, struct sx_err *err,
                           enum sx_status code, const char *fmt, ...)
{
    char what[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sx_err_set(err, code, "%d:%d: %.480s", s->line, col > 0 ? col : s->col, what);
}

/* An expression error from core/expr ("1:COL: what") placed in the spec. */
enum sx_status sx_fi_expr_err(const struct stmt *s, struct sx_err *err, int ecol)
{
    char what[sizeof err->msg];
    const char *m = err->msg;
    int a, b, n = 0;
    if (sscanf(m, "%d:%d: %n", &a, &b, &n) == 2 && n > 0)
        m += n;
    snprintf(what, sizeof what, "%s", m);
    enum sx_status code = err->code == SX_OK ? SX_EINVAL : err->code;
    return serr(s, s->src_col + (ecol > 0 ? ecol - 1 : 0), err, code, "%s", what);
}

/* Parse and check S's expression against VIEW. A new expression or NULL
 * with ERR at its place in the spec. */
struct sx_expr *sx_fi_expr_ready(const struct stmt *s, const struct sx_frame *view,
                                  struct sx_err *err)
{
    int ecol = 0;
    struct sx_expr *e = sx_expr_parse(s->src, err, &ecol);
    if (!e) {
        sx_fi_expr_err(s, err, ecol);
        return NULL;
    }
    if (sx_expr_check(e, view, err, &ecol) != SX_OK) {
        sx_fi_expr_err(s, err, ecol);
        sx_expr_free(e);
        return NULL;
    }
    return e;
}

enum need { NEED_ANY, NEED_NUMERIC, NEED_ONEHOT };

/* Column R of statement S in F, of a type NEED allows. */
static enum sx_status find_col(const struct stmt *s, const struct ref *r,
                               const struct sx_frame *f, enum need need, struct sx_err *err,
                               size_t *idx)
{
    long at = sx_frame_find(f, r->name);
    if (at < 0)
        return serr(s, r->col, err, SX_ENOTFOUND, "unknown column '%s'", r->name);
    enum sx_type t = f->cols[at]->type;
    if (need == NEED_NUMERIC && !is_numeric(t))
        return serr(s, r->col, err, SX_ETYPE,
                    "column '%s' is %s; %s needs numbers (float, int or bool)", r->name,
                    sx_type_name(t), op_names[s->op]);
    if (need == NEED_ONEHOT && !(is_string(t) || t == SX_INT))
        return serr(s, r->col, err, SX_ETYPE,
                    "column '%s' is %s; onehot needs categories, text or ints", r->name,
                    sx_type_name(t));
    *idx = (size_t)at;
    return SX_OK;
}

static enum need need_of(const struct stmt *s)
{
    switch (s->op) {
    case OP_IMPUTE: return s->how == IMP_MODE ? NEED_ANY : NEED_NUMERIC;
    case OP_CLIP:
    case OP_STANDARDIZE:
    case OP_MINMAX:
    case OP_BINS:
    case OP_PCA: return NEED_NUMERIC;
    case OP_ONEHOT: return NEED_ONEHOT;
    default: return NEED_ANY;
    }
}

/* ---- schemas: zero-row frames that follow the statements ---- */

static enum sx_status sch_add(struct sx_frame *f, const char *name, enum sx_type t,
                              enum sx_date_unit unit, struct sx_err *err)
{
    struct sx_column *c = sx_frame_add(f, name, t, err);
    if (!c)
        return err ? err->code : SX_ENOMEM;
    c->unit = unit;
    return SX_OK;
}

static enum sx_status sch_set(struct sx_frame *f, size_t i, enum sx_type t,
                              enum sx_date_unit unit, struct sx_err *err)
{
    struct sx_column *c = sx_col_new(f->cols[i]->name, t);
    if (!c)
        return nomem(err);
    c->unit = unit;
    sx_col_free(f->cols[i]);
    f->cols[i] = c;
    return SX_OK;
}

static void sch_remove(struct sx_frame *f, size_t i)
{
    sx_col_free(f->cols[i]);
    memmove(f->cols + i, f->cols + i + 1, (f->ncols - i - 1) * sizeof *f->cols);
    f->ncols--;
}

struct sx_frame *sx_fi_sch_frame(const struct sch *v, size_t n, struct sx_err *err)
{
    struct sx_frame *f = sx_frame_new();
    if (!f) {
        nomem(err);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (sch_add(f, v[i].name, v[i].type, v[i].unit, err) != SX_OK) {
            sx_frame_free(f);
            return NULL;
        }
    return f;
}

static enum sx_status must_be_new(const struct stmt *s, int col, const struct sx_frame *f,
                                  const char *name, struct sx_err *err)
{
    if (sx_frame_find(f, name) >= 0)
        return serr(s, col, err, SX_EEXIST, "column '%s' already exists", name);
    return SX_OK;
}

/* Follow statement S (fitted as ST, or NULL before fitting) on the
 * zero-row schema F. Before fitting, onehot outputs are unknown: from the
 * first onehot on (*UNSURE set), a reference that does not resolve is left
 * for the real fit to judge. */
enum sx_status sx_fi_sch_step(const struct stmt *s, const struct step *st,
                               struct sx_frame *f, int *unsure, struct sx_err *err)
{
    size_t idx;
    enum sx_status rc;
    switch (s->op) {
    case OP_FEATURE:
    case OP_FILTER: {
        if (s->op == OP_FEATURE && (rc = must_be_new(s, s->name_col, f, s->name, err)) != SX_OK)
            return rc;
        struct sx_err e2;
        struct sx_expr *e = sx_fi_expr_ready(s, f, &e2);
        if (!e) {
            if (*unsure && e2.code != SX_ENOMEM)
                return SX_OK;
            if (err)
                *err = e2;
            return e2.code;
        }
        enum sx_date_unit unit = SX_DAYS;
        enum sx_type t = sx_expr_type(e, &unit);
        sx_expr_free(e);
        if (s->op == OP_FILTER) {
            if (t != SX_BOOL)
                return serr(s, s->src_col, err, SX_ETYPE,
                            "a filter needs a condition (true or false), this is %s",
                            sx_type_name(t));
            return SX_OK;
        }
        if (st)
            t = st->ftype, unit = st->funit;
        return sch_add(f, s->name, t, unit, err);
    }
    case OP_IMPUTE:
    case OP_CLIP:
    case OP_STANDARDIZE:
    case OP_MINMAX:
        for (size_t j = 0; j < s->ncols; j++) {
            struct sx_err e2;
            if ((rc = find_col(s, &s->cols[j], f, need_of(s), &e2, &idx)) != SX_OK) {
                if (*unsure && rc == SX_ENOTFOUND)
                    continue;
                if (err)
                    *err = e2;
                return rc;
            }
            enum sx_type t = SX_FLOAT;
            enum sx_date_unit unit = SX_DAYS;
            if (s->op == OP_IMPUTE && s->how == IMP_MODE) {
                t = st ? st->cp[j].vtype : f->cols[idx]->type;
                unit = st ? st->cp[j].unit : f->cols[idx]->unit;
            }
            if ((rc = sch_set(f, idx, t, unit, err)) != SX_OK)
                return rc;
        }
        return SX_OK;
    case OP_ONEHOT: {
        struct sx_err e2;
        if ((rc = find_col(s, &s->cols[0], f, NEED_ONEHOT, &e2, &idx)) != SX_OK) {
            if (*unsure && rc == SX_ENOTFOUND)
                return SX_OK;
            if (err)
                *err = e2;
            return rc;
        }
        if (!st) {
            *unsure = 1;
            return SX_OK;
        }
        for (size_t c = 0; c < st->ncat; c++)
            if ((rc = sch_add(f, st->cname[c], SX_INT, SX_DAYS, err)) != SX_OK)
                return rc;
        return sch_add(f, st->other, SX_INT, SX_DAYS, err);
    }
    case OP_BINS: {
        struct sx_err e2;
        if ((rc = find_col(s, &s->cols[0], f, NEED_NUMERIC, &e2, &idx)) != SX_OK) {
            if (!(*unsure && rc == SX_ENOTFOUND)) {
                if (err)
                    *err = e2;
                return rc;
            }
        }
        char *out = bins_name(s->cols[0].name);
        if (!out)
            return nomem(err);
        rc = must_be_new(s, s->cols[0].col, f, out, err);
        if (rc == SX_OK)
            rc = sch_add(f, out, SX_INT, SX_DAYS, err);
        free(out);
        return rc;
    }
    case OP_PCA:
        for (size_t j = 0; j < s->ncols; j++) {
            struct sx_err e2;
            if ((rc = find_col(s, &s->cols[j], f, NEED_NUMERIC, &e2, &idx)) != SX_OK &&
                !(*unsure && rc == SX_ENOTFOUND)) {
                if (err)
                    *err = e2;
                return rc;
            }
        }
        for (long k = 1; k <= s->k; k++) {
            char *out = pca_name(s->name, k);
            if (!out)
                return nomem(err);
            rc = must_be_new(s, s->name_col, f, out, err);
            if (rc == SX_OK)
                rc = sch_add(f, out, SX_FLOAT, SX_DAYS, err);
            free(out);
            if (rc != SX_OK)
                return rc;
        }
        return SX_OK;
    case OP_DROP:
        for (size_t j = 0; j < s->ncols; j++) {
            struct sx_err e2;
            if ((rc = find_col(s, &s->cols[j], f, NEED_ANY, &e2, &idx)) != SX_OK) {
                if (*unsure && rc == SX_ENOTFOUND)
                    continue;
                if (err)
                    *err = e2;
                return rc;
            }
            sch_remove(f, idx);
        }
        return SX_OK;
    case OP_COUNT:
        break;
    }
    return SX_OK;
}

/* ---- the working frame: columns borrowed from the input until a
 * statement replaces them ---- */

struct work {
    struct sx_column **c;
    uint8_t *own;
    size_t n, cap, nrows;
    uint8_t *keep;            /* filters not applied yet: rows to keep */
    uint8_t *ghost;           /* fitting: a column no later statement reads,
                                 kept as its name and type only (no cells) */
    struct dindex *dix;       /* distinct-value indexes of columns (below) */
    size_t ndix;
};

/* A column's rows as indexes into its distinct values, for evaluating an
 * expression of that column once per value (eval_distinct). */
struct dindex {
    const struct sx_column *c;   /* the column indexed */
    int useless;                 /* too many distinct values to gain */
    uint32_t *idx;               /* per row: its value's index, M when missing */
    struct sx_column *vals;      /* the M distinct values, then a missing cell */
    size_t m;
};

static void dindex_clear(struct dindex *d)
{
    free(d->idx);
    sx_col_free(d->vals);
    memset(d, 0, sizeof *d);
}

/* Forget the index of column C (it is about to change or go). */
static void dindex_drop(struct work *w, const struct sx_column *c)
{
    for (size_t i = 0; i < w->ndix; i++)
        if (w->dix[i].c == c) {
            dindex_clear(&w->dix[i]);
            w->dix[i] = w->dix[--w->ndix];
            return;
        }
}

static struct sx_frame work_view(const struct work *w)
{
    struct sx_frame f = {.cols = w->c, .ncols = w->n, .cap = w->cap, .nrows = w->nrows};
    return f;
}

static long work_find(const struct work *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->c[i]->name, name) == 0)
            return (long)i;
    return -1;
}

static int work_room(struct work *w)
{
    if (w->n < w->cap)
        return 0;
    size_t cap = w->cap ? w->cap * 2 : 16;
    struct sx_column **c = realloc(w->c, cap * sizeof *c);
    if (!c)
        return -1;
    w->c = c;
    uint8_t *own = realloc(w->own, cap);
    if (!own)
        return -1;
    w->own = own;
    uint8_t *ghost = realloc(w->ghost, cap);
    if (!ghost)
        return -1;
    w->ghost = ghost;
    w->cap = cap;
    return 0;
}

static int work_init(struct work *w, const struct sx_frame *in)
{
    memset(w, 0, sizeof *w);
    w->nrows = in->nrows;
    for (size_t i = 0; i < in->ncols; i++) {
        if (work_room(w) != 0)
            return -1;
        w->c[w->n] = in->cols[i];
        w->own[w->n] = 0;
        w->ghost[w->n] = 0;
        w->n++;
    }
    return 0;
}

static void work_free(struct work *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->own[i])
            sx_col_free(w->c[i]);
    free(w->c);
    free(w->own);
    free(w->ghost);
    free(w->keep);
    for (size_t i = 0; i < w->ndix; i++)
        dindex_clear(&w->dix[i]);
    free(w->dix);
    memset(w, 0, sizeof *w);
}

/* Put C (owned) in place of column I. */
static void work_replace(struct work *w, size_t i, struct sx_column *c)
{
    dindex_drop(w, w->c[i]);
    if (w->own[i])
        sx_col_free(w->c[i]);
    w->c[i] = c;
    w->own[i] = 1;
    w->ghost[i] = 0;
}

/* Append C (owned); on failure C is freed. */
static int work_push(struct work *w, struct sx_column *c)
{
    if (work_room(w) != 0) {
        sx_col_free(c);
        return -1;
    }
    w->c[w->n] = c;
    w->own[w->n] = 1;
    w->ghost[w->n] = 0;
    w->n++;
    return 0;
}

static void work_remove(struct work *w, size_t i)
{
    dindex_drop(w, w->c[i]);
    if (w->own[i])
        sx_col_free(w->c[i]);
    memmove(w->c + i, w->c + i + 1, (w->n - i - 1) * sizeof *w->c);
    memmove(w->own + i, w->own + i + 1, w->n - i - 1);
    memmove(w->ghost + i, w->ghost + i + 1, w->n - i - 1);
    w->n--;
}

/* Column NAME of type T as a ghost: in place of column I, or appended
 * when I < 0. */
static enum sx_status work_ghost(struct work *w, long i, const char *name, enum sx_type t,
                                 enum sx_date_unit unit, struct sx_err *err)
{
    struct sx_column *c = sx_col_new(name, t);
    if (!c)
        return nomem(err);
    c->unit = unit;
    if (i < 0) {
        if (work_push(w, c) != 0)
            return nomem(err);
        i = (long)w->n - 1;
    } else {
        work_replace(w, (size_t)i, c);
    }
    w->ghost[i] = 1;
    return SX_OK;
}

/* ---- the apply report ---- */

struct rep {
    json_t *imputed, *clipped, *unseen, *missing_in, *out_of_range;
    uint64_t filtered;
};

static void rep_add(json_t *obj, const char *name, uint64_t n)
{
    if (!obj)
        return;
    json_t *old = json_object_get(obj, name);
    json_int_t v = (json_int_t)n + (old ? json_integer_value(old) : 0);
    json_object_set_new(obj, name, json_integer(v));
}

/* ---- one statement, fitted and/or applied ---- */

struct ctx {
    struct sx_ffit *fit;
    const struct stmt *s;
    struct step *st;
    struct work *w;
    enum sx_fmode mode;
    int fitting;              /* fit the parameters first */
    struct rep *rep;          /* NULL while fitting */
    struct sx_err *err;
    const struct names *refs; /* fitting: the names each statement may read */
    size_t at;                /* fitting: this statement's index */
};

/* While fitting, whether a statement after this one may read column NAME
 * (when none does, the fit needs only its name and type). Names compare
 * without case, a superset of what a reference can match. */
static int read_later(const struct ctx *x, const char *name)
{
    if (!x->fitting || !x->refs)
        return 1;
    for (size_t j = x->at + 1; j < x->fit->spec->n; j++)
        for (size_t k = 0; k < x->refs[j].n; k++)
            if (strcasecmp(x->refs[j].v[k], name) == 0)
                return 1;
    return 0;
}

static void chunk_range(size_t ch, size_t nrows, size_t *lo, size_t *hi)
{
    *lo = ch * CHUNK;
    *hi = *lo + CHUNK < nrows ? *lo + CHUNK : nrows;
}

/* All-present validity word for rows W0..E-1 (W0 a multiple of 64). */
static inline uint64_t full_word(size_t w0, size_t e)
{
    return e - w0 >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << (e - w0)) - 1);
}

/* C as a column of type T (unit UNIT): C itself when it already is, a new
 * column named NAME otherwise (numbers to float, category and text either
 * way), or NULL with *BAD set when the types do not convert, or when out of
 * memory (*BAD clear). */
static struct sx_column *col_convert(struct sx_column *c, enum sx_type t,
                                     enum sx_date_unit unit, int *bad)
{
    *bad = 0;
    if (c->type == t && (t != SX_DATE || c->unit == unit))
        return c;
    size_t n = c->len;
    if (t == SX_FLOAT && is_numeric(c->type)) {
        struct sx_column *o = col_make(c->name, SX_FLOAT, n);
        if (!o)
            return NULL;
        for (size_t w0 = 0; w0 < n; w0 += 64) {
            size_t e = w0 + 64 < n ? w0 + 64 : n;
            uint64_t v = c->valid[w0 >> 6] & full_word(w0, e);
            for (size_t i = w0; i < e; i++)
                o->v.f64[i] = (v >> (i & 63)) & 1 ? cell_num(c, i) : 0.0;
            o->valid[w0 >> 6] = v;
        }
        return o;
    }
    if (is_string(t) && is_string(c->type)) {
        struct sx_column *o = col_make(c->name, t, 0);
        if (!o || sx_col_reserve(o, n) != SX_OK) {
            sx_col_free(o);
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            const char *s = sx_col_str(c, i);
            enum sx_status rc = s ? sx_col_push_str(o, s, strlen(s)) : sx_col_push_missing(o);
            if (rc != SX_OK) {
                sx_col_free(o);
                return NULL;
            }
        }
        return o;
    }
    *bad = 1;
    return NULL;
}

/* ---- expressions over blocks of rows in parallel ----
 * Expressions are row-wise, so evaluating rows [lo, hi) of a window that
 * shares the frame's buffers gives the same cells as evaluating them all
 * at once. */

/* COLS[i] := rows [LO, LO+N) of F's column i, sharing its buffers (LO is a
 * multiple of 64 so the validity words line up); VIEW frames them. */
static void window(const struct sx_frame *f, size_t lo, size_t n, struct sx_column *cols,
                   struct sx_column **ptrs, struct sx_frame *view)
{
    for (size_t j = 0; j < f->ncols; j++) {
        const struct sx_column *c = f->cols[j];
        struct sx_column *w = &cols[j];
        *w = *c;
        w->len = w->cap = n;
        if (c->valid)
            w->valid = c->valid + (lo >> 6);
        switch (c->type) {
        case SX_FLOAT: if (c->v.f64) w->v.f64 = c->v.f64 + lo; break;
        case SX_INT:
        case SX_DATE: if (c->v.i64) w->v.i64 = c->v.i64 + lo; break;
        case SX_BOOL: if (c->v.b) w->v.b = c->v.b + lo; break;
        case SX_CATEGORY: if (c->v.cat) w->v.cat = c->v.cat + lo; break;
        case SX_TEXT: if (c->v.off) w->v.off = c->v.off + lo; break;
        }
        ptrs[j] = w;
    }
    *view = (struct sx_frame){.cols = ptrs, .ncols = f->ncols, .cap = f->ncols, .nrows = n};
}

struct evjob {
    const struct sx_expr *e;
    const struct sx_frame *f;
    const char *name;
    size_t piece;             /* rows per task, a multiple of 64 */
    struct sx_column **res;   /* eval: per task */
    uint8_t *mask;            /* eval_mask: the whole mask */
    struct sx_err *errs;      /* per task */
    enum sx_status *rc;
};

static void eval_task(void *arg, size_t t)
{
    struct evjob *j = arg;
    size_t lo = t * j->piece, n = j->f->nrows - lo < j->piece ? j->f->nrows - lo : j->piece;
    struct sx_column *cols = malloc((j->f->ncols + 1) * sizeof *cols);
    struct sx_column **ptrs = malloc((j->f->ncols + 1) * sizeof *ptrs);
    j->rc[t] = SX_OK;
    if (!cols || !ptrs) {
        j->rc[t] = sx_err_set(&j->errs[t], SX_ENOMEM, "out of memory");
    } else {
        struct sx_frame view;
        window(j->f, lo, n, cols, ptrs, &view);
        if (j->mask)
            j->rc[t] = sx_expr_eval_mask(j->e, &view, j->mask + lo, &j->errs[t]);
        else if (!(j->res[t] = sx_expr_eval(j->e, &view, j->name, &j->errs[t])))
            j->rc[t] = j->errs[t].code ? j->errs[t].code : SX_ENOMEM;
    }
    free(cols);
    free(ptrs);
}

/* Run the evaluation in pieces; *NPIECES receives their number. */
static enum sx_status eval_pieces(struct evjob *j, size_t *npieces, struct sx_err *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = ncpu > 1 ? (size_t)ncpu : 1, nrows = j->f->nrows;
    if (nt > SX_PAR_MAX_THREADS)
        nt = SX_PAR_MAX_THREADS;
    size_t np = 2 * nt;
    j->piece = ((nrows + np - 1) / np + 63) & ~(size_t)63;
    np = (nrows + j->piece - 1) / j->piece;
    *npieces = np;
    j->errs = calloc(np, sizeof *j->errs);
    j->rc = calloc(np, sizeof *j->rc);
    if (!j->mask)
        j->res = calloc(np, sizeof *j->res);
    if (!j->errs || !j->rc || (!j->mask && !j->res))
        return nomem(err);
    par_run(np, nrows, eval_task, j);
    for (size_t t = 0; t < np; t++)
        if (j->rc[t] != SX_OK) {
            if (err)
                *err = j->errs[t];
            return j->rc[t];
        }
    return SX_OK;
}

static void evjob_free(struct evjob *j, size_t np)
{
    if (j->res)
        for (size_t t = 0; t < np; t++)
            sx_col_free(j->res[t]);
    free(j->res);
    free(j->errs);
    free(j->rc);
}

/* sx_expr_eval over F, in parallel on large frames. */
static struct sx_column *eval_par(const struct sx_expr *e, const struct sx_frame *f,
                                  const char *name, struct sx_err *err)
{
    if (f->nrows < PAR_MIN_ROWS)
        return sx_expr_eval(e, f, name, err);
    struct evjob j = {.e = e, .f = f, .name = name};
    size_t np = 0;
    struct sx_column *out = NULL;
    if (eval_pieces(&j, &np, err) != SX_OK)
        goto done;
    enum sx_type t = j.res[0]->type;
    size_t w = type_width(t), nrows = f->nrows;
    if (!(out = col_make(name, t, t == SX_TEXT ? 0 : nrows)) ||
        (t == SX_TEXT && sx_col_reserve(out, nrows) != SX_OK))
        goto nomem;
    out->unit = j.res[0]->unit;
    uint32_t *map = NULL;
    for (size_t p = 0; p < np; p++) {
        const struct sx_column *c = j.res[p];
        size_t lo = p * j.piece;
        if (t == SX_TEXT) {
            for (size_t i = 0; i < c->len; i++) {
                const char *s = sx_col_str(c, i);
                if ((s ? sx_col_push_str(out, s, strlen(s)) : sx_col_push_missing(out)) != SX_OK)
                    goto nomem;
            }
            continue;
        }
        memcpy(out->valid + (lo >> 6), c->valid, ((c->len + 63) >> 6) * sizeof *c->valid);
        if (t != SX_CATEGORY) {
            memcpy((char *)out->v.f64 + lo * w, c->v.f64, c->len * w);
            continue;
        }
        uint32_t *nm = realloc(map, (c->dict->n ? c->dict->n : 1) * sizeof *map);
        if (!nm)
            goto nomem_map;
        map = nm;
        for (uint32_t k = 0; k < c->dict->n; k++)
            if ((map[k] = sx_dict_intern(out->dict, c->dict->str[k], c->dict->len[k])) ==
                UINT32_MAX)
                goto nomem_map;
        for (size_t i = 0; i < c->len; i++)
            out->v.cat[lo + i] = bit_get(c->valid, i) ? map[c->v.cat[i]] : 0;
    }
    free(map);
    goto done;
nomem_map:
    free(map);
nomem:
    sx_col_free(out);
    out = NULL;
    nomem(err);
done:
    evjob_free(&j, np);
    return out;
}

/* sx_expr_eval_mask over F, in parallel on large frames. */
static enum sx_status eval_mask_par(const struct sx_expr *e, const struct sx_frame *f,
                                    uint8_t *mask, struct sx_err *err)
{
    if (f->nrows < PAR_MIN_ROWS)
        return sx_expr_eval_mask(e, f, mask, err);
    struct evjob j = {.e = e, .f = f, .mask = mask};
    size_t np = 0;
    enum sx_status rc = eval_pieces(&j, &np, err);
    evjob_free(&j, np);
    return rc;
}

/* ---- expressions of one column with few distinct values ----
 * A feature that reads a single column holding few distinct values (a
 * date, a category, a measurement with one decimal) is evaluated once per
 * distinct value and the results gathered by row: an expression is a pure
 * function of its row, so the cells are the same, for a fraction of the
 * work. A column's index is built once and kept until the column changes,
 * so month(date), dayofweek(date) and season(date) share one. */

/* The one column of VIEW expression SRC may read, or -1 when it may read
 * none or several: its bare names not followed by '(' (a call) and its
 * quoted names, matched without case (a superset of its references). */
static long single_ref(const char *src, const struct sx_frame *view)
{
    long found = -1;
    const char *p = src;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        char *name = NULL;
        if (c == '\'') {
            for (p++; *p; p++)
                if (*p == '\'') {
                    if (p[1] != '\'')
                        break;
                    p++;
                }
            if (*p)
                p++;
            continue;
        } else if (c == '"') {
            struct sx_sb b = {0};
            for (p++; *p; p++) {
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                sx_sb_put(&b, p, 1);
            }
            if (*p)
                p++;
            if (!(name = sx_sb_take(&b)))
                return -1;
        } else if (is_ident_start(c) || c >= 0x80) {
            const char *q = p;
            while (*p && (is_ident_char((unsigned char)*p) || (unsigned char)*p >= 0x80))
                p++;
            const char *r = p;
            while (*r == ' ' || *r == '\t')
                r++;
            if (*r == '(')
                continue;
            if (!(name = strndup(q, (size_t)(p - q))))
                return -1;
        } else if (c >= '0' && c <= '9') {
            while (*p && (is_ident_char((unsigned char)*p) || *p == '.'))
                p++;
            continue;
        } else {
            p++;
            continue;
        }
        for (size_t j = 0; j < view->ncols; j++)
            if (strcasecmp(view->cols[j]->name, name) == 0) {
                if (found >= 0 && (size_t)found != j) {
                    free(name);
                    return -1;
                }
                found = (long)j;
            }
        free(name);
    }
    return found;
}

/* Distinct 64-bit keys in first-seen order: an open-addressing table of
 * their indexes. */
struct kset {
    uint64_t *key;            /* KEY[i]: the i-th distinct key */
    uint32_t *slot;           /* table: index + 1, 0 = empty */
    size_t n, cap;            /* keys; table size (power of two) */
};

static void kset_free(struct kset *k)
{
    free(k->key);
    free(k->slot);
    memset(k, 0, sizeof *k);
}

/* The index of K, added when new; UINT32_MAX when out of memory or when
 * adding would pass LIMIT keys. */
static uint32_t kset_index(struct kset *ks, uint64_t k, size_t limit)
{
    if (2 * (ks->n + 1) > ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 1024;
        uint32_t *slot = calloc(cap, sizeof *slot);
        uint64_t *key = realloc(ks->key, (cap / 2) * sizeof *key);
        if (!slot || !key) {
            free(slot);
            if (key)
                ks->key = key;
            return UINT32_MAX;
        }
        ks->key = key;
        for (size_t i = 0; i < ks->n; i++) {
            size_t h = mix64(key[i]) & (cap - 1);
            while (slot[h])
                h = (h + 1) & (cap - 1);
            slot[h] = (uint32_t)i + 1;
        }
        free(ks->slot);
        ks->slot = slot;
        ks->cap = cap;
    }
    size_t h = mix64(k) & (ks->cap - 1);
    while (ks->slot[h]) {
        if (ks->key[ks->slot[h] - 1] == k)
            return ks->slot[h] - 1;
        h = (h + 1) & (ks->cap - 1);
    }
    if (ks->n >= limit)
        return UINT32_MAX;
    ks->key[ks->n] = k;
    ks->slot[h] = (uint32_t)++ks->n;
    return (uint32_t)(ks->n - 1);
}

/* A float's bits (so -0.0 and 0.0 stay apart), an int's or date's value. */
static inline uint64_t key_of(const struct sx_column *c, size_t i)
{
    uint64_t k;
    if (c->type == SX_FLOAT)
        memcpy(&k, &c->v.f64[i], sizeof k);
    else
        k = (uint64_t)c->v.i64[i];
    return k;
}

struct dbuild {
    const struct sx_column *c;
    uint32_t *idx;
    struct kset *local;       /* per block */
    size_t nrows, limit, local_limit;
    int *over;                /* per block: passed the limit or out of memory */
    uint32_t **map;           /* per block: local index → global index */
};

/* Block CH: its distinct keys in first-seen order, rows as local indexes. */
static void dbuild_local_task(void *arg, size_t ch)
{
    struct dbuild *b = arg;
    size_t lo, hi;
    chunk_range(ch, b->nrows, &lo, &hi);
    for (size_t i = lo; i < hi && !b->over[ch]; i++) {
        if (!bit_get(b->c->valid, i)) {
            b->idx[i] = UINT32_MAX;
            continue;
        }
        uint32_t k = kset_index(&b->local[ch], key_of(b->c, i), b->local_limit);
        if (k == UINT32_MAX)
            b->over[ch] = 1;
        b->idx[i] = k;
    }
}

static void dbuild_map_task(void *arg, size_t ch)
{
    struct dbuild *b = arg;
    size_t lo, hi;
    chunk_range(ch, b->nrows, &lo, &hi);
    const uint32_t *map = b->map[ch];
    uint32_t missing = (uint32_t)b->limit;      /* set to M by the caller */
    for (size_t i = lo; i < hi; i++)
        b->idx[i] = b->idx[i] == UINT32_MAX ? missing : map[b->idx[i]];
}

/* Index column C's NROWS rows by distinct value into D (values in
 * first-seen order; the same whatever the number of threads); D->useless
 * when there are too many to gain. */
static enum sx_status dindex_build(struct dindex *d, const struct sx_column *c, size_t nrows)
{
    /* at most one distinct value per 16 rows (and 2^18), and a block of
     * CHUNK rows may hold CHUNK / 4: a continuous column fails fast */
    size_t limit = nrows / 16 < ((size_t)1 << 18) ? nrows / 16 : ((size_t)1 << 18);
    memset(d, 0, sizeof *d);
    d->c = c;
    if (c->type == SX_TEXT || (c->type == SX_CATEGORY && c->dict->n > limit)) {
        d->useless = 1;
        return SX_OK;
    }
    d->idx = malloc((nrows ? nrows : 1) * sizeof *d->idx);
    d->vals = sx_col_new(c->name, c->type);
    if (!d->idx || !d->vals)
        goto nomem;
    d->vals->unit = c->unit;
    if (c->type == SX_CATEGORY || c->type == SX_BOOL) {
        d->m = c->type == SX_BOOL ? 2 : c->dict->n;
        for (size_t k = 0; k < d->m; k++)
            if ((c->type == SX_BOOL ? sx_col_push_bool(d->vals, (int)k)
                                    : sx_col_push_str(d->vals, c->dict->str[k], c->dict->len[k])) !=
                SX_OK)
                goto nomem;
        for (size_t i = 0; i < nrows; i++)
            d->idx[i] = !bit_get(c->valid, i) ? (uint32_t)d->m
                      : c->type == SX_BOOL   ? c->v.b[i]
                                             : c->v.cat[i];
    } else {
        /* each block's keys, then one table over the blocks in order */
        size_t nch = nchunks_of(nrows);
        struct dbuild b = {.c = c, .idx = d->idx, .nrows = nrows, .limit = limit,
                           .local_limit = limit < CHUNK / 4 ? limit : CHUNK / 4};
        b.local = calloc(nch + 1, sizeof *b.local);
        b.over = calloc(nch + 1, sizeof *b.over);
        b.map = calloc(nch + 1, sizeof *b.map);
        struct kset all = {0};
        enum sx_status rc = SX_OK;
        if (!b.local || !b.over || !b.map)
            rc = SX_ENOMEM;
        if (rc == SX_OK)
            par_run(nch, nrows, dbuild_local_task, &b);
        for (size_t ch = 0; ch < nch && rc == SX_OK && !d->useless; ch++) {
            if (b.over[ch]) {
                d->useless = 1;
                break;
            }
            if (!(b.map[ch] = malloc((b.local[ch].n + 1) * sizeof **b.map))) {
                rc = SX_ENOMEM;
                break;
            }
            for (size_t q = 0; q < b.local[ch].n; q++) {
                uint64_t k = b.local[ch].key[q];
                size_t before = all.n;
                uint32_t g = kset_index(&all, k, limit);
                if (g == UINT32_MAX) {
                    d->useless = 1;
                    break;
                }
                if (all.n > before) {
                    double fv;
                    memcpy(&fv, &k, sizeof fv);
                    if ((c->type == SX_FLOAT ? sx_col_push_f64(d->vals, fv)
                                             : sx_col_push_i64(d->vals, (int64_t)k)) != SX_OK) {
                        rc = SX_ENOMEM;
                        break;
                    }
                }
                b.map[ch][q] = g;
            }
        }
        d->m = all.n;
        if (rc == SX_OK && !d->useless) {
            b.limit = d->m;           /* the index of a missing cell */
            par_run(nch, nrows, dbuild_map_task, &b);
        }
        if (b.local)
            for (size_t ch = 0; ch < nch; ch++) {
                kset_free(&b.local[ch]);
                if (b.map)
                    free(b.map[ch]);
            }
        free(b.local);
        free(b.over);
        free(b.map);
        kset_free(&all);
        if (rc != SX_OK)
            goto nomem;
    }
    if (d->useless) {
        free(d->idx);
        sx_col_free(d->vals);
        d->idx = NULL;
        d->vals = NULL;
        return SX_OK;
    }
    if (sx_col_push_missing(d->vals) != SX_OK)
        goto nomem;
    return SX_OK;
nomem:
    dindex_clear(d);
    return SX_ENOMEM;
}

struct dgather {
    const struct dindex *d;
    const struct sx_column *r;   /* the result per distinct value */
    struct sx_column *out;
    size_t nrows;
};

static void dgather_task(void *arg, size_t ch)
{
    const struct dgather *g = arg;
    size_t lo, hi, w = type_width(g->r->type);
    chunk_range(ch, g->nrows, &lo, &hi);
    const uint32_t *idx = g->d->idx;
    const char *src = (const char *)g->r->v.f64;
    char *dst = (char *)g->out->v.f64;
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t ov = 0;
        for (size_t i = w0; i < e; i++) {
            uint32_t k = idx[i];
            if (bit_get(g->r->valid, k)) {
                memcpy(dst + i * w, src + (size_t)k * w, w);
                ov |= (uint64_t)1 << (i & 63);
            } else {
                memset(dst + i * w, 0, w);
            }
        }
        g->out->valid[w0 >> 6] = ov;
    }
}

/* E (checked against VIEW) evaluated through the distinct values of the
 * one column REF it reads. NULL with *TRIED clear when that column has too
 * many distinct values (evaluate row by row instead); NULL with *TRIED set
 * and ERR on failure. */
static struct sx_column *eval_distinct(struct work *w, const struct sx_expr *e,
                                       const struct sx_frame *view, size_t ref,
                                       const char *name, int *tried, struct sx_err *err)
{
    *tried = 0;
    const struct sx_column *c = view->cols[ref];
    struct dindex *d = NULL;
    for (size_t i = 0; i < w->ndix; i++)
        if (w->dix[i].c == c)
            d = &w->dix[i];
    if (!d) {
        struct dindex *v = realloc(w->dix, (w->ndix + 1) * sizeof *v);
        if (!v) {
            *tried = 1;
            nomem(err);
            return NULL;
        }
        w->dix = v;
        if (dindex_build(&w->dix[w->ndix], c, view->nrows) != SX_OK) {
            *tried = 1;
            nomem(err);
            return NULL;
        }
        d = &w->dix[w->ndix++];
    }
    if (d->useless)
        return NULL;
    *tried = 1;
    /* the view's schema with M + 1 rows: the distinct values, and every
     * other column missing (the expression does not read them) */
    size_t m1 = d->m + 1, nc = view->ncols;
    struct sx_column **cols = calloc(nc, sizeof *cols);
    struct sx_column *r = NULL, *out = NULL;
    if (!cols)
        goto nomem;
    for (size_t j = 0; j < nc; j++) {
        if (j == ref) {
            cols[j] = d->vals;
            continue;
        }
        if (!(cols[j] = sx_col_new(view->cols[j]->name, view->cols[j]->type)))
            goto nomem;
        cols[j]->unit = view->cols[j]->unit;
        for (size_t i = 0; i < m1; i++)
            if (sx_col_push_missing(cols[j]) != SX_OK)
                goto nomem;
    }
    struct sx_frame small = {.cols = cols, .ncols = nc, .cap = nc, .nrows = m1};
    if (!(r = sx_expr_eval(e, &small, name, err)))
        goto fail;
    size_t nrows = view->nrows;
    if (r->type == SX_TEXT) {
        if (!(out = col_make(name, SX_TEXT, 0)) || sx_col_reserve(out, nrows) != SX_OK)
            goto nomem;
        for (size_t i = 0; i < nrows; i++) {
            const char *s = sx_col_str(r, d->idx[i]);
            if ((s ? sx_col_push_str(out, s, strlen(s)) : sx_col_push_missing(out)) != SX_OK)
                goto nomem;
        }
    } else {
        if (!(out = col_make(name, r->type, nrows)))
            goto nomem;
        out->unit = r->unit;
        if (r->type == SX_CATEGORY)
            for (uint32_t k = 0; k < r->dict->n; k++)
                if (sx_dict_intern(out->dict, r->dict->str[k], r->dict->len[k]) != k)
                    goto nomem;
        struct dgather g = {.d = d, .r = r, .out = out, .nrows = nrows};
        par_run(nchunks_of(nrows), nrows, dgather_task, &g);
    }
    goto done;
nomem:
    nomem(err);
fail:
    sx_col_free(out);
    out = NULL;
done:
    if (cols)
        for (size_t j = 0; j < nc; j++)
            if (j != ref)
                sx_col_free(cols[j]);
    free(cols);
    sx_col_free(r);
    return out;
}

static enum sx_status do_feature(struct ctx *x)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    if (work_find(x->w, s->name) >= 0)
        return serr(s, s->name_col, x->err, SX_EEXIST, "column '%s' already exists", s->name);
    struct sx_frame view = work_view(x->w);
    struct sx_expr *e = sx_fi_expr_ready(s, &view, x->err);
    if (!e)
        return x->err->code;
    enum sx_date_unit unit = SX_DAYS;
    enum sx_type t = sx_expr_type(e, &unit);
    if (x->fitting) {
        st->ftype = t;
        st->funit = unit;
    }
    if (!read_later(x, s->name)) {
        sx_expr_free(e);
        return work_ghost(x->w, -1, s->name, t, unit, x->err);
    }
    struct sx_column *c = NULL;
    long ref = view.nrows >= PAR_MIN_ROWS ? single_ref(s->src, &view) : -1;
    int tried = 0;
    if (ref >= 0 && !x->w->ghost[ref])
        c = eval_distinct(x->w, e, &view, (size_t)ref, s->name, &tried, x->err);
    if (!c && !tried)
        c = eval_par(e, &view, s->name, x->err);
    sx_expr_free(e);
    if (!c)
        return sx_fi_expr_err(s, x->err, 0);
    int bad;
    struct sx_column *o = col_convert(c, st->ftype, st->funit, &bad);
    if (!o) {
        sx_col_free(c);
        if (bad)
            return serr(s, s->name_col, x->err, SX_ETYPE,
                        "feature '%s' is %s here but was %s when fitted", s->name,
                        sx_type_name(t), sx_type_name(st->ftype));
        return nomem(x->err);
    }
    if (o != c)
        sx_col_free(c);
    if (work_push(x->w, o) != 0)
        return nomem(x->err);
    return SX_OK;
}

/* A filter only marks the rows to keep; consecutive filters share one
 * pass that drops the rows (work_settle) before the next other statement.
 * Filters are row-wise, so evaluating the second on rows the first drops
 * changes nothing that is kept. */
static enum sx_status do_filter(struct ctx *x)
{
    if (x->mode == SX_FMODE_INFERENCE)
        return SX_OK;
    const struct stmt *s = x->s;
    struct sx_frame view = work_view(x->w);
    struct sx_expr *e = sx_fi_expr_ready(s, &view, x->err);
    if (!e)
        return x->err->code;
    enum sx_date_unit unit;
    enum sx_type t = sx_expr_type(e, &unit);
    if (t != SX_BOOL) {
        sx_expr_free(e);
        return serr(s, s->src_col, x->err, SX_ETYPE,
                    "a filter needs a condition (true or false), this is %s", sx_type_name(t));
    }
    size_t n = x->w->nrows;
    uint8_t *mask = malloc(n ? n : 1);
    if (!mask) {
        sx_expr_free(e);
        return nomem(x->err);
    }
    enum sx_status rc = eval_mask_par(e, &view, mask, x->err);
    sx_expr_free(e);
    if (rc != SX_OK) {
        free(mask);
        return sx_fi_expr_err(s, x->err, 0);
    }
    if (x->w->keep) {
        for (size_t i = 0; i < n; i++)
            x->w->keep[i] &= mask[i];
        free(mask);
    } else {
        for (size_t i = 0; i < n; i++)
            mask[i] = mask[i] != 0;
        x->w->keep = mask;
    }
    return SX_OK;
}

struct takejob {
    struct sx_column **src, **dst;
    const uint8_t *skip;      /* ghosts: nothing to gather */
    const size_t *rows;
    size_t nrows, kept;
};

static void take_task(void *arg, size_t t)
{
    struct takejob *j = arg;
    if (j->skip[t])
        return;
    struct sx_frame one = {.cols = &j->src[t], .ncols = 1, .cap = 1, .nrows = j->nrows};
    struct sx_err e;
    struct sx_frame *f = sx_frame_take(&one, j->rows, j->kept, &e);
    if (!f)
        return;
    j->dst[t] = f->cols[0];
    f->ncols = 0;
    sx_frame_free(f);
}

/* Drop the rows pending filters rejected: every column gathered once, one
 * thread per column. */
static enum sx_status work_settle(struct work *w, struct rep *rep, struct sx_err *err)
{
    if (!w->keep)
        return SX_OK;
    size_t n = w->nrows, kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += w->keep[i];
    if (kept < n) {
        struct takejob j = {.src = w->c, .skip = w->ghost, .nrows = n, .kept = kept};
        size_t *rows = malloc((kept ? kept : 1) * sizeof *rows);
        j.dst = calloc(w->n + 1, sizeof *j.dst);
        if (!rows || !j.dst) {
            free(rows);
            free(j.dst);
            return nomem(err);
        }
        for (size_t i = 0, k = 0; i < n; i++)
            if (w->keep[i])
                rows[k++] = i;
        j.rows = rows;
        par_run(w->n, n * w->n, take_task, &j);
        free(rows);
        for (size_t c = 0; c < w->n; c++)
            if (!j.dst[c] && !w->ghost[c]) {
                for (size_t d = 0; d < w->n; d++)
                    sx_col_free(j.dst[d]);
                free(j.dst);
                return nomem(err);
            }
        for (size_t c = 0; c < w->n; c++)
            if (!w->ghost[c])
                work_replace(w, c, j.dst[c]);
        free(j.dst);
        w->nrows = kept;
    }
    if (rep)
        rep->filtered += n - kept;
    free(w->keep);
    w->keep = NULL;
    return SX_OK;
}

/* ---- fitting one numeric column ---- */

/* Fitting treats a NaN float like a missing cell (the loader never makes
 * one; a frame built in code may hold one). */
static inline int fit_value(const struct sx_column *c, size_t i, double *v)
{
    if (!bit_get(c->valid, i))
        return 0;
    *v = cell_num(c, i);
    return !isnan(*v);
}

/* The values numeric column C has for fitting (new array, *N of them);
 * NULL when out of memory. */
static double *present_values(const struct sx_column *c, size_t nrows, size_t *n)
{
    double *x = malloc((nrows ? nrows : 1) * sizeof *x);
    if (!x)
        return NULL;
    size_t m = 0;
    for (size_t i = 0; i < nrows; i++)
        if (fit_value(c, i, &x[m]))
            m++;
    *n = m;
    return x;
}

/* Counting values for `impute mode`: an open-addressing table of 64-bit
 * keys with their count and first row. */
struct mcount {
    uint64_t *key, *cnt;
    size_t *first;
    size_t cap, n;
};

static int mc_grow(struct mcount *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct mcount g = {.cap = cap};
    g.key = malloc(cap * sizeof *g.key);
    g.cnt = calloc(cap, sizeof *g.cnt);
    g.first = malloc(cap * sizeof *g.first);
    if (!g.key || !g.cnt || !g.first) {
        free(g.key);
        free(g.cnt);
        free(g.first);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->cnt[i])
            continue;
        size_t h = mix64(m->key[i]) & (cap - 1);
        while (g.cnt[h])
            h = (h + 1) & (cap - 1);
        g.key[h] = m->key[i];
        g.cnt[h] = m->cnt[i];
        g.first[h] = m->first[i];
    }
    g.n = m->n;
    free(m->key);
    free(m->cnt);
    free(m->first);
    *m = g;
    return 0;
}

static int mc_add(struct mcount *m, uint64_t key, size_t row)
{
    if ((m->n + 1) * 2 > m->cap && mc_grow(m) != 0)
        return -1;
    size_t mask = m->cap - 1, h = mix64(key) & mask;
    while (m->cnt[h] && m->key[h] != key)
        h = (h + 1) & mask;
    if (!m->cnt[h]) {
        m->key[h] = key;
        m->first[h] = row;
        m->n++;
    }
    m->cnt[h]++;
    return 0;
}

/* The most frequent key (ties: the first seen); 0 when empty. */
static int mc_best(const struct mcount *m, uint64_t *key)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->cnt[i])
            continue;
        if (best == SIZE_MAX || m->cnt[i] > m->cnt[best] ||
            (m->cnt[i] == m->cnt[best] && m->first[i] < m->first[best]))
            best = i;
    }
    if (best == SIZE_MAX)
        return 0;
    *key = m->key[best];
    return 1;
}

static void mc_free(struct mcount *m)
{
    free(m->key);
    free(m->cnt);
    free(m->first);
}

/* The mode of column C into CP (value and its type). SX_ENOTFOUND when C
 * has no present value. */
static enum sx_status fit_mode(const struct sx_column *c, size_t nrows, struct colp *cp)
{
    cp->vtype = c->type;
    cp->unit = c->unit;
    enum sx_status rc = SX_OK;
    if (c->type == SX_CATEGORY || c->type == SX_TEXT) {
        /* codes of a category column, or of text interned in first-seen
         * order; the first row of each code breaks ties */
        struct sx_dict *d = c->type == SX_TEXT ? sx_dict_new() : NULL;
        size_t ncode = c->type == SX_CATEGORY ? c->dict->n : 0, cap = ncode;
        uint64_t *cnt = calloc(cap ? cap : 1, sizeof *cnt);
        size_t *first = calloc(cap ? cap : 1, sizeof *first);
        if ((c->type == SX_TEXT && !d) || !cnt || !first)
            goto nomem_s;
        for (size_t i = 0; i < nrows; i++) {
            if (!bit_get(c->valid, i))
                continue;
            uint32_t code;
            if (c->type == SX_CATEGORY) {
                code = c->v.cat[i];
            } else {
                const char *s = sx_col_str(c, i);
                code = sx_dict_intern(d, s, strlen(s));
                if (code == UINT32_MAX)
                    goto nomem_s;
                if (code >= cap) {
                    size_t ncap = cap ? cap * 2 : 1024;
                    uint64_t *nc = realloc(cnt, ncap * sizeof *nc);
                    if (!nc)
                        goto nomem_s;
                    cnt = nc;
                    size_t *nf = realloc(first, ncap * sizeof *nf);
                    if (!nf)
                        goto nomem_s;
                    first = nf;
                    memset(cnt + cap, 0, (ncap - cap) * sizeof *cnt);
                    cap = ncap;
                }
                if (code >= ncode)
                    ncode = code + 1;
            }
            if (!cnt[code]++)
                first[code] = i;
        }
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < ncode; k++)
            if (cnt[k] && (best == SIZE_MAX || cnt[k] > cnt[best] ||
                           (cnt[k] == cnt[best] && first[k] < first[best])))
                best = k;
        if (best == SIZE_MAX)
            rc = SX_ENOTFOUND;
        else if (!(cp->sv = strdup(c->type == SX_CATEGORY ? c->dict->str[best] : d->str[best])))
            rc = SX_ENOMEM;
        free(cnt);
        free(first);
        sx_dict_free(d);
        return rc;
    nomem_s:
        free(cnt);
        free(first);
        sx_dict_free(d);
        return SX_ENOMEM;
    }
    struct mcount m = {0};
    for (size_t i = 0; i < nrows; i++) {
        if (!bit_get(c->valid, i))
            continue;
        uint64_t key;
        if (c->type == SX_FLOAT) {
            double v = c->v.f64[i];
            if (isnan(v))
                continue;
            if (v == 0)
                v = 0.0;      /* -0.0 counts as 0.0 */
            memcpy(&key, &v, sizeof key);
        } else if (c->type == SX_BOOL) {
            key = c->v.b[i];
        } else {
            key = (uint64_t)c->v.i64[i];
        }
        if (mc_add(&m, key, i) != 0) {
            mc_free(&m);
            return SX_ENOMEM;
        }
    }
    uint64_t key;
    if (!mc_best(&m, &key)) {
        rc = SX_ENOTFOUND;
    } else if (c->type == SX_FLOAT) {
        memcpy(&cp->a, &key, sizeof key);
    } else {
        cp->iv = (int64_t)key;
        cp->a = c->type == SX_BOOL ? (double)key : (double)(int64_t)key;
    }
    mc_free(&m);
    return rc;
}

struct colfit {
    const struct stmt *s;
    const struct sx_column **in;
    struct colp *cp;
    size_t nrows;
    enum sx_status *rc;       /* per column */
};

/* Fit column T of an impute, clip, standardize or minmax statement. */
static void colfit_task(void *arg, size_t t)
{
    const struct colfit *f = arg;
    const struct stmt *s = f->s;
    const struct sx_column *c = f->in[t];
    struct colp *cp = &f->cp[t];
    size_t nrows = f->nrows;
    f->rc[t] = SX_OK;
    if (s->op == OP_IMPUTE && s->how == IMP_MODE) {
        f->rc[t] = fit_mode(c, nrows, cp);
        return;
    }
    if ((s->op == OP_IMPUTE && s->how == IMP_MEDIAN) || s->op == OP_CLIP) {
        size_t n;
        double *x = present_values(c, nrows, &n);
        if (!x) {
            f->rc[t] = SX_ENOMEM;
            return;
        }
        double qs[2] = {0.5, 0.5}, out[2];
        if (s->op == OP_CLIP)
            qs[0] = s->lo, qs[1] = s->hi;
        if (n == 0)
            f->rc[t] = SX_ENOTFOUND;
        else if (sx_quantiles_select(x, n, qs, 2, out) != 0)
            f->rc[t] = SX_ENOMEM;
        free(x);
        if (f->rc[t] != SX_OK)
            return;
        cp->a = out[0];
        cp->b = out[1];
        cp->vtype = SX_FLOAT;
        return;
    }
    /* one pass: count, sum, min, max */
    size_t n = 0;
    double sum = 0, mn = INFINITY, mx = -INFINITY, v;
    for (size_t i = 0; i < nrows; i++) {
        if (!fit_value(c, i, &v))
            continue;
        sum += v;
        if (v < mn)
            mn = v;
        if (v > mx)
            mx = v;
        n++;
    }
    if (n == 0) {
        f->rc[t] = SX_ENOTFOUND;
        return;
    }
    double dn = (double)n;
    if (s->op == OP_IMPUTE) {            /* mean */
        cp->a = sum / dn;
        cp->vtype = SX_FLOAT;
    } else if (s->op == OP_STANDARDIZE) {
        /* scikit-learn 1.2 _incremental_mean_and_var from zero, then
         * StandardScaler's constant-feature rule (STATS.md section 10) */
        double mean = sum / dn, corr = 0, sq = 0;
        for (size_t i = 0; i < nrows; i++) {
            if (!fit_value(c, i, &v))
                continue;
            double d = v - mean;
            corr += d;
            sq += d * d;
        }
        double var = (sq - corr * corr / dn) / dn;
        const double eps = 2.220446049250313e-16;
        double nme = dn * mean * eps;
        int constant = var <= dn * eps * var + nme * nme;
        cp->a = mean;
        cp->b = var;
        cp->c = constant ? 1.0 : sqrt(var);
    } else {                             /* minmax: MinMaxScaler(0, 1) */
        const double eps = 2.220446049250313e-16;
        double range = mx - mn;
        if (range < 10 * eps)
            range = 1.0;
        cp->a = mn;
        cp->b = mx;
        cp->c = 1.0 / range;
        cp->d = 0.0 - mn * cp->c;
    }
}

/* ---- applying column maps (impute, clip, standardize, minmax) ---- */

enum mapk { MAP_FILL, MAP_CLIP, MAP_STD, MAP_MINMAX };

struct nmap {
    enum mapk kind;
    const struct sx_column **in;
    struct sx_column **out;
    const struct colp *cp;
    size_t nchunks, nrows;
    uint64_t *c1, *c2;        /* per task: filled/clipped/out of range, missing in */
};

static void nmap_task(void *arg, size_t t)
{
    const struct nmap *m = arg;
    size_t j = t / m->nchunks, lo, hi;
    chunk_range(t % m->nchunks, m->nrows, &lo, &hi);
    const struct sx_column *in = m->in[j];
    struct sx_column *out = m->out[j];
    const struct colp *cp = &m->cp[j];
    double *o = out->v.f64;
    uint64_t c1 = 0, c2 = 0;
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t iv = in->valid[w0 >> 6], ov = 0;
        for (size_t i = w0; i < e; i++) {
            uint64_t bit = (uint64_t)1 << (i & 63);
            if (!(iv & bit)) {
                if (m->kind == MAP_FILL) {
                    o[i] = cp->a;
                    ov |= bit;
                    c1++;
                } else {
                    o[i] = 0.0;
                    c2++;
                }
                continue;
            }
            double v = cell_num(in, i), r;
            switch (m->kind) {
            case MAP_FILL:
                r = v;
                break;
            case MAP_CLIP:
                if (v < cp->a) {
                    r = cp->a;
                    c1++;
                } else if (v > cp->b) {
                    r = cp->b;
                    c1++;
                } else {
                    r = v;
                }
                break;
            case MAP_STD:
                r = (v - cp->a) / cp->c;
                break;
            default:
                r = v * cp->c + cp->d;
                if (v < cp->a || v > cp->b)
                    c1++;
                break;
            }
            o[i] = r;
            ov |= bit;
        }
        out->valid[w0 >> 6] = ov;
    }
    m->c1[t] = c1;
    m->c2[t] = c2;
}

/* `impute mode` into a column of the fitted value's type. */
static struct sx_column *mode_fill(const struct sx_column *in, const struct colp *cp,
                                   size_t nrows, uint64_t *filled, int *bad)
{
    *bad = 0;
    *filled = 0;
    enum sx_type t = cp->vtype;
    struct sx_column *o = NULL;
    if (t == SX_CATEGORY || t == SX_TEXT) {
        if (!is_string(in->type)) {
            *bad = 1;
            return NULL;
        }
        o = col_make(in->name, t, 0);
        if (!o || sx_col_reserve(o, nrows) != SX_OK)
            goto nomem;
        if (t == SX_CATEGORY && in->type == SX_CATEGORY) {
            for (uint32_t k = 0; k < in->dict->n; k++)
                if (sx_dict_intern(o->dict, in->dict->str[k], in->dict->len[k]) != k)
                    goto nomem;
            uint32_t mc = sx_dict_intern(o->dict, cp->sv, strlen(cp->sv));
            if (mc == UINT32_MAX)
                goto nomem;
            for (size_t i = 0; i < nrows; i++) {
                if (bit_get(in->valid, i)) {
                    o->v.cat[i] = in->v.cat[i];
                } else {
                    o->v.cat[i] = mc;
                    (*filled)++;
                }
            }
            o->len = nrows;
            for (size_t w0 = 0; w0 < nrows; w0 += 64)
                o->valid[w0 >> 6] = full_word(w0, w0 + 64 < nrows ? w0 + 64 : nrows);
            return o;
        }
        for (size_t i = 0; i < nrows; i++) {
            const char *s = sx_col_str(in, i);
            if (!s) {
                s = cp->sv;
                (*filled)++;
            }
            if (sx_col_push_str(o, s, strlen(s)) != SX_OK)
                goto nomem;
        }
        return o;
    }
    if (in->type != t || (t == SX_DATE && in->unit != cp->unit)) {
        *bad = 1;
        return NULL;
    }
    o = col_make(in->name, t, nrows);
    if (!o)
        goto nomem;
    o->unit = in->unit;
    for (size_t w0 = 0; w0 < nrows; w0 += 64) {
        size_t e = w0 + 64 < nrows ? w0 + 64 : nrows;
        uint64_t iv = in->valid[w0 >> 6];
        for (size_t i = w0; i < e; i++) {
            int ok = (iv >> (i & 63)) & 1;
            *filled += !ok;
            if (t == SX_BOOL)
                o->v.b[i] = ok ? in->v.b[i] : (uint8_t)cp->iv;
            else
                o->v.i64[i] = ok ? in->v.i64[i] : cp->iv;
        }
        o->valid[w0 >> 6] = full_word(w0, e);
    }
    return o;
nomem:
    sx_col_free(o);
    return NULL;
}

static const char *fit_fail_what(const struct stmt *s)
{
    switch (s->op) {
    case OP_IMPUTE: return "impute";
    case OP_CLIP: return "clip";
    case OP_STANDARDIZE: return "standardize";
    case OP_MINMAX: return "minmax";
    case OP_ONEHOT: return "onehot";
    case OP_BINS: return "bins";
    default: return "pca";
    }
}

/* impute, clip, standardize, minmax. */
static enum sx_status do_columns(struct ctx *x)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    struct sx_frame view = work_view(x->w);
    size_t nc = s->ncols, nrows = x->w->nrows, nch = nchunks_of(nrows);
    size_t *idx = calloc(nc, sizeof *idx);
    const struct sx_column **in = calloc(nc, sizeof *in);
    struct sx_column **out = calloc(nc, sizeof *out);
    enum sx_status *rcs = calloc(nc, sizeof *rcs);
    uint8_t *gh = NULL;
    uint64_t *c1 = calloc(nc, sizeof *c1), *c2 = calloc(nc, sizeof *c2);
    enum sx_status rc = SX_OK;
    if (!idx || !in || !out || !rcs || !c1 || !c2) {
        rc = nomem(x->err);
        goto out;
    }
    for (size_t j = 0; j < nc; j++) {
        if ((rc = find_col(s, &s->cols[j], &view, need_of(s), x->err, &idx[j])) != SX_OK)
            goto out;
        in[j] = view.cols[idx[j]];
    }
    if (x->fitting) {
        struct colfit f = {.s = s, .in = in, .cp = st->cp, .nrows = nrows, .rc = rcs};
        par_run(nc, nrows * nc, colfit_task, &f);
        for (size_t j = 0; j < nc; j++) {
            if (rcs[j] == SX_ENOMEM) {
                rc = nomem(x->err);
                goto out;
            }
            if (rcs[j] != SX_OK) {
                rc = serr(s, s->cols[j].col, x->err, SX_EINVAL,
                          "column '%s' has no values to fit %s", s->cols[j].name,
                          fit_fail_what(s));
                goto out;
            }
        }
    }
    int mode_typed = s->op == OP_IMPUTE && s->how == IMP_MODE;
    gh = calloc(nc, 1);
    if (!gh) {
        rc = nomem(x->err);
        goto out;
    }
    for (size_t j = 0; j < nc; j++)
        gh[j] = !read_later(x, s->cols[j].name);
    for (size_t j = 0; j < nc; j++) {
        if (gh[j])
            continue;
        if (mode_typed && st->cp[j].vtype != SX_FLOAT) {
            int bad;
            out[j] = mode_fill(in[j], &st->cp[j], nrows, &c1[j], &bad);
            if (!out[j]) {
                rc = bad ? serr(s, s->cols[j].col, x->err, SX_ETYPE,
                                "column '%s' is %s here but was %s when fitted",
                                s->cols[j].name, sx_type_name(in[j]->type),
                                sx_type_name(st->cp[j].vtype))
                         : nomem(x->err);
                goto out;
            }
            continue;
        }
        if (!is_numeric(in[j]->type)) {
            rc = serr(s, s->cols[j].col, x->err, SX_ETYPE,
                      "column '%s' is %s here but was a number when fitted", s->cols[j].name,
                      sx_type_name(in[j]->type));
            goto out;
        }
        /* a float column this pass made (a feature, an earlier transform)
         * is rewritten in place: each cell is read before it is written */
        if (x->w->own[idx[j]] && in[j]->type == SX_FLOAT) {
            out[j] = (struct sx_column *)in[j];
            dindex_drop(x->w, in[j]);
            continue;
        }
        if (!(out[j] = col_make(in[j]->name, SX_FLOAT, nrows))) {
            rc = nomem(x->err);
            goto out;
        }
    }
    /* the numeric maps, per column and block of rows */
    {
        enum mapk kind = s->op == OP_IMPUTE ? MAP_FILL
                       : s->op == OP_CLIP   ? MAP_CLIP
                       : s->op == OP_STANDARDIZE ? MAP_STD
                                                 : MAP_MINMAX;
        size_t nm = 0;
        const struct sx_column **min_ = calloc(nc, sizeof *min_);
        struct sx_column **mout = calloc(nc, sizeof *mout);
        struct colp *mcp = calloc(nc, sizeof *mcp);
        size_t *map = calloc(nc, sizeof *map);
        if (!min_ || !mout || !mcp || !map) {
            free(min_);
            free(mout);
            free(mcp);
            free(map);
            rc = nomem(x->err);
            goto out;
        }
        for (size_t j = 0; j < nc; j++) {
            if (gh[j] || (mode_typed && st->cp[j].vtype != SX_FLOAT))
                continue;
            min_[nm] = in[j];
            mout[nm] = out[j];
            mcp[nm] = st->cp[j];
            map[nm] = j;
            nm++;
        }
        uint64_t *t1 = calloc(nm * nch + 1, sizeof *t1), *t2 = calloc(nm * nch + 1, sizeof *t2);
        if (t1 && t2) {
            struct nmap m = {.kind = kind, .in = min_, .out = mout, .cp = mcp,
                             .nchunks = nch, .nrows = nrows, .c1 = t1, .c2 = t2};
            par_run(nm * nch, nrows * nm, nmap_task, &m);
            for (size_t a = 0; a < nm; a++)
                for (size_t ch = 0; ch < nch; ch++) {
                    c1[map[a]] += t1[a * nch + ch];
                    c2[map[a]] += t2[a * nch + ch];
                }
        } else {
            rc = nomem(x->err);
        }
        free(t1);
        free(t2);
        free(min_);
        free(mout);
        free(mcp);
        free(map);
        if (rc != SX_OK)
            goto out;
    }
    for (size_t j = 0; j < nc; j++) {
        if (x->rep) {
            const char *name = s->cols[j].name;
            if (s->op == OP_IMPUTE)
                rep_add(x->rep->imputed, name, c1[j]);
            else if (s->op == OP_CLIP)
                rep_add(x->rep->clipped, name, c1[j]);
            else if (s->op == OP_MINMAX)
                rep_add(x->rep->out_of_range, name, c1[j]);
            if (s->op != OP_IMPUTE)
                rep_add(x->rep->missing_in, name, c2[j]);
        }
        if (gh[j]) {
            enum sx_type t = mode_typed ? st->cp[j].vtype : SX_FLOAT;
            if ((rc = work_ghost(x->w, (long)idx[j], s->cols[j].name, t, st->cp[j].unit,
                                 x->err)) != SX_OK)
                goto out;
            continue;
        }
        if (out[j] != x->w->c[idx[j]])
            work_replace(x->w, idx[j], out[j]);
        out[j] = NULL;
    }
out:
    free(gh);
    if (out)
        for (size_t j = 0; j < nc; j++)
            if (!in || out[j] != in[j])
                sx_col_free(out[j]);
    free(idx);
    free(in);
    free(out);
    free(rcs);
    free(c1);
    free(c2);
    return rc;
}

/* ---- onehot ---- */

/* Value counts of a category, text or int column in first-seen order:
 * codes of its own dictionary (category) or of a temporary one. */
struct scount {
    struct sx_dict *tmp;
    const struct sx_dict *dict;
    uint64_t *cnt;
    size_t *first;
    size_t ncode, cap;
};

static void scount_free(struct scount *sc)
{
    sx_dict_free(sc->tmp);
    free(sc->cnt);
    free(sc->first);
    memset(sc, 0, sizeof *sc);
}

/* The text an onehot key of present cell I is matched by. */
static const char *key_text(const struct sx_column *c, size_t i, char buf[32])
{
    if (c->type == SX_INT) {
        snprintf(buf, 32, "%lld", (long long)c->v.i64[i]);
        return buf;
    }
    return sx_col_str(c, i);
}

static enum sx_status count_strings(const struct sx_column *c, size_t nrows,
                                    struct scount *sc)
{
    memset(sc, 0, sizeof *sc);
    if (c->type == SX_CATEGORY) {
        sc->dict = c->dict;
        sc->ncode = sc->cap = c->dict->n;
    } else {
        if (!(sc->tmp = sx_dict_new()))
            return SX_ENOMEM;
        sc->dict = sc->tmp;
    }
    sc->cnt = calloc(sc->cap ? sc->cap : 1, sizeof *sc->cnt);
    sc->first = calloc(sc->cap ? sc->cap : 1, sizeof *sc->first);
    if (!sc->cnt || !sc->first)
        goto nomem;
    for (size_t i = 0; i < nrows; i++) {
        if (!bit_get(c->valid, i))
            continue;
        uint32_t code;
        if (c->type == SX_CATEGORY) {
            code = c->v.cat[i];
        } else {
            char buf[32];
            const char *s = key_text(c, i, buf);
            code = sx_dict_intern(sc->tmp, s, strlen(s));
            if (code == UINT32_MAX)
                goto nomem;
            if (code >= sc->cap) {
                size_t ncap = sc->cap ? sc->cap * 2 : 1024;
                uint64_t *nc = realloc(sc->cnt, ncap * sizeof *nc);
                if (!nc)
                    goto nomem;
                sc->cnt = nc;
                size_t *nf = realloc(sc->first, ncap * sizeof *nf);
                if (!nf)
                    goto nomem;
                sc->first = nf;
                memset(sc->cnt + sc->cap, 0, (ncap - sc->cap) * sizeof *sc->cnt);
                sc->cap = ncap;
            }
            if (code >= sc->ncode)
                sc->ncode = code + 1;
        }
        if (!sc->cnt[code]++)
            sc->first[code] = i;
    }
    return SX_OK;
nomem:
    scount_free(sc);
    return SX_ENOMEM;
}

struct ranked {
    uint64_t cnt;
    size_t first;
    uint32_t code;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->cnt != y->cnt)
        return x->cnt > y->cnt ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* COL_<value> with the value's bytes outside [A-Za-z0-9_] as '_'. */
static char *onehot_base(const char *col, const char *value)
{
    size_t n = strlen(value);
    if (n > MAX_NAME_VALUE)
        n = MAX_NAME_VALUE;
    char *s = malloc(strlen(col) + n + 3);
    if (!s)
        return NULL;
    size_t o = (size_t)sprintf(s, "%s_", col);
    for (size_t i = 0; i < n; i++)
        s[o++] = is_ident_char((unsigned char)value[i]) ? value[i] : '_';
    if (n == 0)
        s[o++] = '_';
    s[o] = '\0';
    return s;
}

/* BASE, or BASE_2, BASE_3, … : the first that names no column of W and
 * none of TAKEN[0..N-1]. Takes BASE. */
static char *uniq_name(char *base, const struct work *w, char *const *taken, size_t n)
{
    char *name = base;
    for (unsigned k = 2;; k++) {
        int clash = work_find(w, name) >= 0;
        for (size_t i = 0; i < n && !clash; i++)
            clash = strcmp(taken[i], name) == 0;
        if (!clash)
            break;
        if (name != base)
            free(name);
        if (asprintf(&name, "%s_%u", base, k) < 0) {
            free(base);
            return NULL;
        }
    }
    if (name != base)
        free(base);
    return name;
}

static enum sx_status onehot_fit(struct ctx *x, const struct sx_column *c)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    struct scount sc;
    if (count_strings(c, x->w->nrows, &sc) != SX_OK)
        return nomem(x->err);
    struct ranked *r = malloc((sc.ncode ? sc.ncode : 1) * sizeof *r);
    if (!r) {
        scount_free(&sc);
        return nomem(x->err);
    }
    size_t nr = 0;
    for (size_t k = 0; k < sc.ncode; k++)
        if (sc.cnt[k])
            r[nr++] = (struct ranked){sc.cnt[k], sc.first[k], (uint32_t)k};
    if (nr == 0) {
        free(r);
        scount_free(&sc);
        return serr(s, s->cols[0].col, x->err, SX_EINVAL,
                    "column '%s' has no values to fit onehot", s->cols[0].name);
    }
    qsort(r, nr, sizeof *r, cmp_ranked);
    size_t ncat = nr < (size_t)s->k ? nr : (size_t)s->k;
    st->itype = c->type;
    st->cat = calloc(ncat, sizeof *st->cat);
    st->cname = calloc(ncat, sizeof *st->cname);
    st->ccount = calloc(ncat, sizeof *st->ccount);
    enum sx_status rc = SX_OK;
    if (!st->cat || !st->cname || !st->ccount)
        goto nomem;
    char *ob = NULL;
    if (asprintf(&ob, "%s_other", s->cols[0].name) < 0 || !(st->other = uniq_name(ob, x->w, NULL, 0)))
        goto nomem;
    for (size_t k = 0; k < ncat; k++) {
        const char *v = sc.dict->str[r[k].code];
        if (!(st->cat[k] = strdup(v)))
            goto nomem;
        st->ccount[k] = r[k].cnt;
        st->ncat = k + 1;
        char *base = onehot_base(s->cols[0].name, v);
        if (!base)
            goto nomem;
        /* unique among the frame's columns, the names given so far and
         * COL_other (lent to slot K for the search) */
        st->cname[k] = st->other;
        char *name = uniq_name(base, x->w, st->cname, k + 1);
        st->cname[k] = NULL;
        if (!name)
            goto nomem;
        st->cname[k] = name;
    }
    goto done;
nomem:
    rc = nomem(x->err);
done:
    free(r);
    scount_free(&sc);
    return rc;
}

struct ohmap {
    const struct sx_column *in;
    struct sx_column **out;   /* ncat + 1: the categories, then other */
    size_t ncat, nchunks, nrows;
    const uint32_t *codemap;  /* category input: code → category index or UINT32_MAX */
    const struct sx_dict *cats;
    uint64_t *unseen, *missing;   /* per chunk */
};

static void ohmap_task(void *arg, size_t ch)
{
    const struct ohmap *m = arg;
    size_t lo, hi;
    chunk_range(ch, m->nrows, &lo, &hi);
    uint64_t unseen = 0, missing = 0;
    const struct sx_column *c = m->in;
    size_t nout = m->ncat + 1;
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        for (size_t i = w0; i < e; i++) {
            /* the category index of row I: ncat for anything else, nout
             * (no column) when missing */
            uint32_t k;
            if (!bit_get(c->valid, i)) {
                k = (uint32_t)nout;
                missing++;
            } else {
                if (m->codemap) {
                    k = m->codemap[c->v.cat[i]];
                } else {
                    char buf[32];
                    const char *s = key_text(c, i, buf);
                    k = sx_dict_find(m->cats, s, strlen(s));
                }
                if (k == UINT32_MAX) {
                    k = (uint32_t)m->ncat;
                    unseen++;
                }
            }
            for (size_t j = 0; j < nout; j++)
                m->out[j]->v.i64[i] = j == k;
        }
        uint64_t full = full_word(w0, e);
        for (size_t j = 0; j < nout; j++)
            m->out[j]->valid[w0 >> 6] = full;
    }
    m->unseen[ch] = unseen;
    m->missing[ch] = missing;
}

static enum sx_status do_onehot(struct ctx *x)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    struct sx_frame view = work_view(x->w);
    size_t idx, nrows = x->w->nrows, nch = nchunks_of(nrows);
    enum sx_status rc = find_col(s, &s->cols[0], &view, NEED_ONEHOT, x->err, &idx);
    if (rc != SX_OK)
        return rc;
    const struct sx_column *c = view.cols[idx];
    if (x->fitting && (rc = onehot_fit(x, c)) != SX_OK)
        return rc;
    for (size_t k = 0; k <= st->ncat; k++) {
        const char *name = k < st->ncat ? st->cname[k] : st->other;
        if (work_find(x->w, name) >= 0)
            return serr(s, s->cols[0].col, x->err, SX_EEXIST, "column '%s' already exists",
                        name);
    }
    int any = 0;
    for (size_t k = 0; k <= st->ncat; k++)
        any |= read_later(x, k < st->ncat ? st->cname[k] : st->other);
    if (!any) {
        for (size_t k = 0; k <= st->ncat; k++)
            if ((rc = work_ghost(x->w, -1, k < st->ncat ? st->cname[k] : st->other, SX_INT,
                                 SX_DAYS, x->err)) != SX_OK)
                return rc;
        return SX_OK;
    }
    struct sx_dict *cats = sx_dict_new();
    struct sx_column **out = calloc(st->ncat + 1, sizeof *out);
    uint32_t *codemap = NULL;
    uint64_t *unseen = calloc(nch + 1, sizeof *unseen), *missing = calloc(nch + 1, sizeof *missing);
    if (!cats || !out || !unseen || !missing)
        goto nomem;
    for (size_t k = 0; k < st->ncat; k++)
        if (sx_dict_intern(cats, st->cat[k], strlen(st->cat[k])) != k)
            goto nomem;
    if (c->type == SX_CATEGORY) {
        if (!(codemap = malloc((c->dict->n ? c->dict->n : 1) * sizeof *codemap)))
            goto nomem;
        for (uint32_t k = 0; k < c->dict->n; k++)
            codemap[k] = sx_dict_find(cats, c->dict->str[k], c->dict->len[k]);
    }
    for (size_t k = 0; k <= st->ncat; k++)
        if (!(out[k] = col_make(k < st->ncat ? st->cname[k] : st->other, SX_INT, nrows)))
            goto nomem;
    struct ohmap m = {.in = c, .out = out, .ncat = st->ncat, .nchunks = nch, .nrows = nrows,
                      .codemap = codemap, .cats = cats, .unseen = unseen, .missing = missing};
    par_run(nch, nrows * (st->ncat + 1) / 4, ohmap_task, &m);
    uint64_t tu = 0, tm = 0;
    for (size_t ch = 0; ch < nch; ch++) {
        tu += unseen[ch];
        tm += missing[ch];
    }
    if (x->rep) {
        rep_add(x->rep->unseen, s->cols[0].name, tu);
        rep_add(x->rep->missing_in, s->cols[0].name, tm);
    }
    for (size_t k = 0; k <= st->ncat; k++) {
        struct sx_column *o = out[k];
        out[k] = NULL;
        if (work_push(x->w, o) != 0)
            goto nomem;
    }
    goto done;
nomem:
    rc = nomem(x->err);
done:
    if (out)
        for (size_t k = 0; k <= st->ncat; k++)
            sx_col_free(out[k]);
    free(out);
    sx_dict_free(cats);
    free(codemap);
    free(unseen);
    free(missing);
    return rc;
}

/* ---- bins ---- */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static enum sx_status bins_fit(struct ctx *x, const struct sx_column *c)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    size_t n;
    double *v = present_values(c, x->w->nrows, &n);
    if (!v)
        return nomem(x->err);
    if (n == 0) {
        free(v);
        return serr(s, s->cols[0].col, x->err, SX_EINVAL,
                    "column '%s' has no values to fit bins", s->cols[0].name);
    }
    double mn = v[0], mx = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < mn)
            mn = v[i];
        if (v[i] > mx)
            mx = v[i];
    }
    size_t ne = (size_t)s->k - 1;
    double *qs = malloc((ne ? ne : 1) * sizeof *qs);
    st->edges = malloc((ne ? ne : 1) * sizeof *st->edges);
    if (!qs || !st->edges) {
        free(qs);
        free(v);
        return nomem(x->err);
    }
    for (size_t k = 0; k < ne; k++)     /* the double nearest k/K (STATS.md section 2) */
        qs[k] = (double)(k + 1) / (double)s->k;
    if (ne && sx_quantiles_select(v, n, qs, ne, st->edges) != 0) {
        free(qs);
        free(v);
        return nomem(x->err);
    }
    free(qs);
    free(v);
    /* an infinite value can make an interpolated edge NaN: no edge then */
    size_t kept = 0;
    for (size_t k = 0; k < ne; k++)
        if (!isnan(st->edges[k]))
            st->edges[kept++] = st->edges[k];
    ne = kept;
    qsort(st->edges, ne, sizeof *st->edges, cmp_dbl);
    size_t u = 0;
    for (size_t k = 0; k < ne; k++)      /* np.unique: -0.0 equals 0.0 */
        if (u == 0 || st->edges[k] != st->edges[u - 1])
            st->edges[u++] = st->edges[k];
    st->nedges = u;
    st->bmin = mn;
    st->bmax = mx;
    return SX_OK;
}

struct bmap {
    const struct sx_column *in;
    struct sx_column *out;
    const double *edges;
    size_t nedges, nchunks, nrows;
    double mn, mx;
    uint64_t *oor, *missing;
};

/* The bin of V: the number of edges strictly less than V (right-closed). */
static inline int64_t bin_of(const double *e, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int64_t)lo;
}

static void bmap_task(void *arg, size_t ch)
{
    const struct bmap *m = arg;
    size_t lo, hi;
    chunk_range(ch, m->nrows, &lo, &hi);
    uint64_t oor = 0, missing = 0;
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t iv = m->in->valid[w0 >> 6] & full_word(w0, e);
        for (size_t i = w0; i < e; i++) {
            if (!((iv >> (i & 63)) & 1)) {
                m->out->v.i64[i] = 0;
                missing++;
                continue;
            }
            double v = cell_num(m->in, i);
            oor += v < m->mn || v > m->mx;
            m->out->v.i64[i] = bin_of(m->edges, m->nedges, v);
        }
        m->out->valid[w0 >> 6] = iv;
    }
    m->oor[ch] = oor;
    m->missing[ch] = missing;
}

static enum sx_status do_bins(struct ctx *x)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    struct sx_frame view = work_view(x->w);
    size_t idx, nrows = x->w->nrows, nch = nchunks_of(nrows);
    enum sx_status rc = find_col(s, &s->cols[0], &view, NEED_NUMERIC, x->err, &idx);
    if (rc != SX_OK)
        return rc;
    const struct sx_column *c = view.cols[idx];
    if (x->fitting) {
        if (!(st->bname = bins_name(s->cols[0].name)))
            return nomem(x->err);
        if ((rc = bins_fit(x, c)) != SX_OK)
            return rc;
    }
    if (work_find(x->w, st->bname) >= 0)
        return serr(s, s->cols[0].col, x->err, SX_EEXIST, "column '%s' already exists",
                    st->bname);
    if (!read_later(x, st->bname))
        return work_ghost(x->w, -1, st->bname, SX_INT, SX_DAYS, x->err);
    struct sx_column *out = col_make(st->bname, SX_INT, nrows);
    uint64_t *oor = calloc(nch + 1, sizeof *oor), *missing = calloc(nch + 1, sizeof *missing);
    if (!out || !oor || !missing) {
        sx_col_free(out);
        free(oor);
        free(missing);
        return nomem(x->err);
    }
    struct bmap m = {.in = c, .out = out, .edges = st->edges, .nedges = st->nedges,
                     .nchunks = nch, .nrows = nrows, .mn = st->bmin, .mx = st->bmax,
                     .oor = oor, .missing = missing};
    par_run(nch, nrows, bmap_task, &m);
    uint64_t to = 0, tm = 0;
    for (size_t ch = 0; ch < nch; ch++) {
        to += oor[ch];
        tm += missing[ch];
    }
    free(oor);
    free(missing);
    if (x->rep) {
        rep_add(x->rep->out_of_range, s->cols[0].name, to);
        rep_add(x->rep->missing_in, s->cols[0].name, tm);
    }
    if (work_push(x->w, out) != 0)
        return nomem(x->err);
    return SX_OK;
}

/* ---- pca ---- */

struct pcax {
    const struct sx_column **in;
    size_t p, k, nrows, nchunks;
    double *mean;             /* p */
    double *sums;             /* p (fit: column sums) */
    double *R;                /* fit: per chunk p × p */
    uint8_t *used;            /* fit: chunk had complete rows */
    const double *V;          /* fit: p × p, column j = direction j */
    double *best, *bval;      /* fit: per chunk × k, largest |score| and the score */
    int *fail;
    uint64_t *ok;             /* fit: rows complete in every column, no NaN */
    /* apply */
    const double *comp;
    struct sx_column **out;
    uint64_t *missing;        /* per chunk × p */
};

/* Validity word of rows W0..E-1 complete in every input column. */
static inline uint64_t complete_word(const struct pcax *x, size_t w0, size_t e)
{
    uint64_t v = full_word(w0, e);
    for (size_t j = 0; j < x->p; j++)
        v &= x->in[j]->valid[w0 >> 6];
    return v;
}

/* The rows of block CH the fit uses: complete, and no NaN. */
static void pca_ok_task(void *arg, size_t ch)
{
    struct pcax *x = arg;
    size_t lo, hi;
    chunk_range(ch, x->nrows, &lo, &hi);
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t v = complete_word(x, w0, e);
        for (size_t j = 0; j < x->p; j++)
            if (x->in[j]->type == SX_FLOAT)
                for (size_t i = w0; i < e; i++)
                    if (((v >> (i & 63)) & 1) && isnan(x->in[j]->v.f64[i]))
                        v &= ~((uint64_t)1 << (i & 63));
        x->ok[w0 >> 6] = v;
    }
}

/* Sum of input column T over the complete rows, in row order. */
static void pca_sum_task(void *arg, size_t t)
{
    struct pcax *x = arg;
    double s = 0;
    for (size_t w0 = 0; w0 < x->nrows; w0 += 64) {
        size_t e = w0 + 64 < x->nrows ? w0 + 64 : x->nrows;
        uint64_t v = x->ok[w0 >> 6];
        for (size_t i = w0; i < e; i++)
            if ((v >> (i & 63)) & 1)
                s += cell_num(x->in[t], i);
    }
    x->sums[t] = s;
}

/* R of the QR factorisation of the centred complete rows of block CH. */
static void pca_qr_task(void *arg, size_t ch)
{
    struct pcax *x = arg;
    size_t lo, hi, p = x->p, m = 0;
    chunk_range(ch, x->nrows, &lo, &hi);
    double *buf = malloc((hi - lo) * p * sizeof *buf + 1);
    gsl_vector *tau = gsl_vector_alloc(p);
    if (!buf || !tau) {
        free(buf);
        if (tau)
            gsl_vector_free(tau);
        x->fail[ch] = 1;
        return;
    }
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t v = x->ok[w0 >> 6];
        for (size_t i = w0; i < e; i++) {
            if (!((v >> (i & 63)) & 1))
                continue;
            for (size_t j = 0; j < p; j++)
                buf[m * p + j] = cell_num(x->in[j], i) - x->mean[j];
            m++;
        }
    }
    double *R = x->R + ch * p * p;
    memset(R, 0, p * p * sizeof *R);
    x->used[ch] = m > 0;
    if (m > 0) {
        gsl_matrix_view A = gsl_matrix_view_array(buf, m, p);
        gsl_vector_view t = gsl_vector_subvector(tau, 0, m < p ? m : p);
        if (gsl_linalg_QR_decomp(&A.matrix, &t.vector) != GSL_SUCCESS) {
            x->fail[ch] = 1;
        } else {
            for (size_t a = 0; a < p && a < m; a++)
                for (size_t b = a; b < p; b++)
                    R[a * p + b] = buf[a * p + b];
        }
    }
    free(buf);
    gsl_vector_free(tau);
}

/* Per block: the first complete row with the largest |score| of each of
 * the first K directions, and its score. */
static void pca_sign_task(void *arg, size_t ch)
{
    struct pcax *x = arg;
    size_t lo, hi, p = x->p, k = x->k;
    chunk_range(ch, x->nrows, &lo, &hi);
    double *best = x->best + ch * k, *bval = x->bval + ch * k;
    for (size_t j = 0; j < k; j++) {
        best[j] = -1;
        bval[j] = 0;
    }
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t v = x->ok[w0 >> 6];
        for (size_t i = w0; i < e; i++) {
            if (!((v >> (i & 63)) & 1))
                continue;
            for (size_t j = 0; j < k; j++) {
                double t = (cell_num(x->in[0], i) - x->mean[0]) * x->V[0 * p + j];
                for (size_t a = 1; a < p; a++)
                    t += (cell_num(x->in[a], i) - x->mean[a]) * x->V[a * p + j];
                if (fabs(t) > best[j]) {
                    best[j] = fabs(t);
                    bval[j] = t;
                }
            }
        }
    }
}

/* R of the QR factorisation of [A; B] (each p × p upper triangular) into A. */
static int qr_merge(double *A, const double *B, size_t p)
{
    double *s = malloc(2 * p * p * sizeof *s);
    gsl_vector *tau = gsl_vector_alloc(p);
    if (!s || !tau) {
        free(s);
        if (tau)
            gsl_vector_free(tau);
        return -1;
    }
    memcpy(s, A, p * p * sizeof *s);
    memcpy(s + p * p, B, p * p * sizeof *s);
    gsl_matrix_view M = gsl_matrix_view_array(s, 2 * p, p);
    int rc = gsl_linalg_QR_decomp(&M.matrix, tau) == GSL_SUCCESS ? 0 : -1;
    if (rc == 0)
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                A[a * p + b] = b >= a ? s[a * p + b] : 0.0;
    free(s);
    gsl_vector_free(tau);
    return rc;
}

/* Sort singular values S[0..N-1] descending, permuting the columns of the
 * R×N matrix M (row-major) and the columns of the Q×N matrix M2 alike. */
static void sv_sort(double *S, size_t n, gsl_matrix *M, gsl_matrix *M2)
{
    for (size_t a = 0; a < n; a++) {
        size_t best = a;
        for (size_t b = a + 1; b < n; b++)
            if (S[b] > S[best])
                best = b;
        if (best != a) {
            double t = S[a];
            S[a] = S[best];
            S[best] = t;
            gsl_matrix_swap_columns(M, a, best);
            if (M2)
                gsl_matrix_swap_columns(M2, a, best);
        }
    }
}

/* Fit PCA on the complete rows of IN[0..P-1]: STATS.md section 10. */
static enum sx_status pca_fit(struct ctx *x, const struct sx_column **in)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    size_t p = s->ncols, k = (size_t)s->k, nrows = x->w->nrows, nch = nchunks_of(nrows);
    size_t n = 0;
    struct pcax px = {.in = in, .p = p, .k = k, .nrows = nrows, .nchunks = nch};
    px.ok = malloc(((nrows + 63) >> 6) * sizeof *px.ok + 1);
    if (!px.ok)
        return nomem(x->err);
    par_run(nch, nrows * p, pca_ok_task, &px);
    for (size_t w = 0; w < (nrows + 63) >> 6; w++)
        n += (size_t)__builtin_popcountll(px.ok[w]);
    if (n < 2 || n < k) {
        free(px.ok);
        return serr(s, s->col, x->err, SX_EINVAL,
                    "pca needs at least %zu rows complete in its columns, found %zu",
                    k > 2 ? k : 2, n);
    }
    gsl_set_error_handler_off();
    enum sx_status rc = SX_OK;
    st->p = p;
    st->nsamp = n;
    st->mean = calloc(p, sizeof *st->mean);
    st->comp = calloc(k * p, sizeof *st->comp);
    st->ev = calloc(k, sizeof *st->ev);
    st->ratio = calloc(k, sizeof *st->ratio);
    size_t nsv = n < p ? n : p;
    st->sv = calloc(nsv, sizeof *st->sv);
    st->nsv = nsv;
    double *sums = calloc(p, sizeof *sums);
    double *S = calloc(p, sizeof *S);
    gsl_matrix *A = NULL, *Q = NULL;
    if (!st->mean || !st->comp || !st->ev || !st->ratio || !st->sv || !sums || !S)
        goto nomem;
    px.sums = sums;
    par_run(p, nrows * p, pca_sum_task, &px);
    for (size_t j = 0; j < p; j++)
        st->mean[j] = sums[j] / (double)n;
    px.mean = st->mean;
    if (n >= p) {
        /* tall: R of a blockwise QR (LAPACK's gesdd also starts with a QR
         * when n >> p), then a Jacobi SVD of R: Xc = Q R = (Q U_R) S Vᵀ */
        px.R = malloc(nch * p * p * sizeof *px.R + 1);
        px.used = calloc(nch + 1, 1);
        px.fail = calloc(nch + 1, sizeof *px.fail);
        double *acc = calloc(p * p, sizeof *acc);
        A = gsl_matrix_alloc(p, p);
        Q = gsl_matrix_alloc(p, p);
        if (!px.R || !px.used || !px.fail || !acc || !A || !Q) {
            free(px.R);
            free(px.used);
            free(px.fail);
            free(acc);
            goto nomem;
        }
        par_run(nch, nrows * p, pca_qr_task, &px);
        int have = 0, bad = 0;
        for (size_t ch = 0; ch < nch && !bad; ch++) {
            bad = px.fail[ch];
            if (bad || !px.used[ch])
                continue;
            if (!have) {
                memcpy(acc, px.R + ch * p * p, p * p * sizeof *acc);
                have = 1;
            } else if (qr_merge(acc, px.R + ch * p * p, p) != 0) {
                bad = 1;
            }
        }
        free(px.R);
        free(px.used);
        free(px.fail);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                gsl_matrix_set(A, a, b, acc[a * p + b]);
        free(acc);
        gsl_vector_view sv = gsl_vector_view_array(S, p);
        if (bad || gsl_linalg_SV_decomp_jacobi(A, Q, &sv.vector) != GSL_SUCCESS) {
            rc = serr(s, s->col, x->err, SX_EINVAL, "pca: the SVD did not converge");
            goto out;
        }
        sv_sort(S, p, Q, A);
        /* V (p × p, row-major, column j = direction j) for the sign rule */
        double *V = malloc(p * p * sizeof *V);
        px.best = malloc(nch * k * sizeof *px.best + 1);
        px.bval = malloc(nch * k * sizeof *px.bval + 1);
        if (!V || !px.best || !px.bval) {
            free(V);
            free(px.best);
            free(px.bval);
            goto nomem;
        }
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                V[a * p + b] = gsl_matrix_get(Q, a, b);
        px.V = V;
        par_run(nch, nrows * p * k, pca_sign_task, &px);
        for (size_t j = 0; j < k; j++) {
            double best = -1, val = 0;
            for (size_t ch = 0; ch < nch; ch++)
                if (px.best[ch * k + j] > best) {
                    best = px.best[ch * k + j];
                    val = px.bval[ch * k + j];
                }
            double sign = val < 0 ? -1.0 : 1.0;
            for (size_t a = 0; a < p; a++)
                st->comp[j * p + a] = sign * V[a * p + j];
        }
        free(V);
        free(px.best);
        free(px.bval);
    } else {
        /* wide (n < p): decompose Xcᵀ = U' S V'ᵀ, so Xc = V' S U'ᵀ: U = V',
         * the directions are the columns of U' (STATS.md section 10, 6.) */
        A = gsl_matrix_alloc(p, n);
        Q = gsl_matrix_alloc(n, n);
        if (!A || !Q)
            goto nomem;
        size_t r = 0;
        for (size_t w0 = 0; w0 < nrows; w0 += 64) {
            size_t e = w0 + 64 < nrows ? w0 + 64 : nrows;
            uint64_t v = px.ok[w0 >> 6];
            for (size_t i = w0; i < e; i++) {
                if (!((v >> (i & 63)) & 1))
                    continue;
                for (size_t j = 0; j < p; j++)
                    gsl_matrix_set(A, j, r, cell_num(in[j], i) - st->mean[j]);
                r++;
            }
        }
        gsl_vector_view sv = gsl_vector_view_array(S, n);
        if (gsl_linalg_SV_decomp_jacobi(A, Q, &sv.vector) != GSL_SUCCESS) {
            rc = serr(s, s->col, x->err, SX_EINVAL, "pca: the SVD did not converge");
            goto out;
        }
        sv_sort(S, n, A, Q);
        for (size_t j = 0; j < k; j++) {
            double best = -1, val = 0;
            for (size_t i = 0; i < n; i++) {
                double u = gsl_matrix_get(Q, i, j);
                if (fabs(u) > best) {
                    best = fabs(u);
                    val = u;
                }
            }
            double sign = val < 0 ? -1.0 : 1.0;
            for (size_t a = 0; a < p; a++)
                st->comp[j * p + a] = sign * gsl_matrix_get(A, a, j);
        }
    }
    {
        double dof = (double)(n - 1), total = 0;
        for (size_t j = 0; j < nsv; j++) {
            st->sv[j] = S[j];
            total += S[j] * S[j] / dof;
        }
        for (size_t j = 0; j < k; j++) {
            st->ev[j] = S[j] * S[j] / dof;
            st->ratio[j] = st->ev[j] / total;
        }
        double rest = 0;
        for (size_t j = k; j < nsv; j++)
            rest += S[j] * S[j] / dof;
        st->noise = k < nsv ? rest / (double)(nsv - k) : 0.0;
    }
    goto out;
nomem:
    rc = nomem(x->err);
out:
    free(px.ok);
    free(sums);
    free(S);
    if (A)
        gsl_matrix_free(A);
    if (Q)
        gsl_matrix_free(Q);
    return rc;
}

static void pca_apply_task(void *arg, size_t ch)
{
    struct pcax *x = arg;
    size_t lo, hi, p = x->p, k = x->k;
    chunk_range(ch, x->nrows, &lo, &hi);
    uint64_t *miss = x->missing + ch * p;
    for (size_t j = 0; j < p; j++)
        miss[j] = 0;
    for (size_t w0 = lo; w0 < hi; w0 += 64) {
        size_t e = w0 + 64 < hi ? w0 + 64 : hi;
        uint64_t full = full_word(w0, e), v = full;
        for (size_t j = 0; j < p; j++) {
            uint64_t cv = x->in[j]->valid[w0 >> 6] & full;
            miss[j] += (uint64_t)__builtin_popcountll(full & ~cv);
            v &= cv;
        }
        for (size_t i = w0; i < e; i++) {
            if (!((v >> (i & 63)) & 1)) {
                for (size_t j = 0; j < k; j++)
                    x->out[j]->v.f64[i] = 0.0;
                continue;
            }
            for (size_t j = 0; j < k; j++) {
                const double *c = x->comp + j * p;
                double t = (cell_num(x->in[0], i) - x->mean[0]) * c[0];
                for (size_t a = 1; a < p; a++)
                    t += (cell_num(x->in[a], i) - x->mean[a]) * c[a];
                x->out[j]->v.f64[i] = t;
            }
        }
        for (size_t j = 0; j < k; j++)
            x->out[j]->valid[w0 >> 6] = v;
    }
}

static enum sx_status do_pca(struct ctx *x)
{
    const struct stmt *s = x->s;
    struct step *st = x->st;
    struct sx_frame view = work_view(x->w);
    size_t p = s->ncols, k = (size_t)s->k, nrows = x->w->nrows, nch = nchunks_of(nrows);
    const struct sx_column **in = calloc(p, sizeof *in);
    struct sx_column **out = calloc(k, sizeof *out);
    uint64_t *missing = calloc(nch * p + 1, sizeof *missing);
    enum sx_status rc = SX_OK;
    if (!in || !out || !missing)
        goto nomem;
    for (size_t j = 0; j < p; j++) {
        size_t idx;
        if ((rc = find_col(s, &s->cols[j], &view, NEED_NUMERIC, x->err, &idx)) != SX_OK)
            goto out;
        in[j] = view.cols[idx];
    }
    for (size_t j = 0; j < k; j++) {
        char *name = pca_name(s->name, (long)j + 1);
        if (!name)
            goto nomem;
        if (work_find(x->w, name) >= 0) {
            rc = serr(s, s->name_col, x->err, SX_EEXIST, "column '%s' already exists", name);
            free(name);
            goto out;
        }
        out[j] = col_make(name, SX_FLOAT, nrows);
        free(name);
        if (!out[j])
            goto nomem;
    }
    if (x->fitting && (rc = pca_fit(x, in)) != SX_OK)
        goto out;
    int any = 0;
    for (size_t j = 0; j < k; j++)
        any |= read_later(x, out[j]->name);
    if (!any) {
        for (size_t j = 0; j < k && rc == SX_OK; j++)
            rc = work_ghost(x->w, -1, out[j]->name, SX_FLOAT, SX_DAYS, x->err);
        goto out;
    }
    struct pcax px = {.in = in, .p = p, .k = k, .nrows = nrows, .nchunks = nch,
                      .mean = st->mean, .comp = st->comp, .out = out, .missing = missing};
    par_run(nch, nrows * p * k, pca_apply_task, &px);
    if (x->rep)
        for (size_t j = 0; j < p; j++) {
            uint64_t m = 0;
            for (size_t ch = 0; ch < nch; ch++)
                m += missing[ch * p + j];
            rep_add(x->rep->missing_in, s->cols[j].name, m);
        }
    for (size_t j = 0; j < k; j++) {
        struct sx_column *o = out[j];
        out[j] = NULL;
        if (work_push(x->w, o) != 0)
            goto nomem;
    }
    goto out;
nomem:
    rc = nomem(x->err);
out:
    if (out)
        for (size_t j = 0; j < k; j++)
            sx_col_free(out[j]);
    free(in);
    free(out);
    free(missing);
    return rc;
}

static enum sx_status do_drop(struct ctx *x)
{
    const struct stmt *s = x->s;
    for (size_t j = 0; j < s->ncols; j++) {
        long at = work_find(x->w, s->cols[j].name);
        if (at < 0) {
            /* inference data may lack what training dropped (a target) */
            if (x->mode == SX_FMODE_INFERENCE)
                continue;
            return serr(s, s->cols[j].col, x->err, SX_ENOTFOUND, "unknown column '%s'",
                        s->cols[j].name);
        }
        work_remove(x->w, (size_t)at);
    }
    return SX_OK;
}

static enum sx_status run_step(struct ctx *x)
{
    if (x->s->op != OP_FILTER && work_settle(x->w, x->rep, x->err) != SX_OK)
        return x->err->code;
    switch (x->s->op) {
    case OP_FEATURE: return do_feature(x);
    case OP_FILTER: return do_filter(x);
    case OP_IMPUTE:
    case OP_CLIP:
    case OP_STANDARDIZE:
    case OP_MINMAX: return do_columns(x);
    case OP_ONEHOT: return do_onehot(x);
    case OP_BINS: return do_bins(x);
    case OP_PCA: return do_pca(x);
    case OP_DROP: return do_drop(x);
    case OP_COUNT: break;
    }
    return SX_OK;
}

/* Every name statement S may read into NS: its columns (drop reads
 * none) and each bare or quoted word of its expression, function names and
 * keywords included (a superset). -1 when out of memory. */
static int stmt_refs(const struct stmt *s, struct names *ns)
{
    if (s->op != OP_DROP)
        for (size_t j = 0; j < s->ncols; j++)
            if (names_add(ns, s->cols[j].name) != 0)
                return -1;
    if (!s->src)
        return 0;
    const char *p = s->src;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'') {                       /* a string, not a name */
            for (p++; *p; p++)
                if (*p == '\'') {
                    if (p[1] != '\'')
                        break;
                    p++;
                }
            if (*p)
                p++;
        } else if (c == '"') {
            struct sx_sb b = {0};
            for (p++; *p; p++) {
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                sx_sb_put(&b, p, 1);
            }
            if (*p)
                p++;
            char *name = sx_sb_take(&b);
            int rc = name ? names_add(ns, name) : -1;
            free(name);
            if (rc != 0)
                return -1;
        } else if (is_ident_start(c) || c >= 0x80) {
            const char *q = p;
            while (*p && (is_ident_char((unsigned char)*p) || (unsigned char)*p >= 0x80))
                p++;
            char *name = strndup(q, (size_t)(p - q));
            int rc = name ? names_add(ns, name) : -1;
            free(name);
            if (rc != 0)
                return -1;
        } else if (c >= '0' && c <= '9') {
            while (*p && (is_ident_char((unsigned char)*p) || *p == '.'))
                p++;
        } else {
            p++;
        }
    }
    return 0;
}

/* ---- fit and apply ---- */

/* Check every statement against SCHEMA (names and types only) before any
 * work: what the onehot outputs make unknowable is left to the fit. */
static enum sx_status precheck(const struct sx_fspec *spec, const struct sch *in, size_t nin,
                               struct sx_err *err)
{
    struct sx_frame *f = sx_fi_sch_frame(in, nin, err);
    if (!f)
        return err->code;
    int unsure = 0;
    enum sx_status rc = SX_OK;
    for (size_t i = 0; i < spec->n && rc == SX_OK; i++)
        rc = sx_fi_sch_step(&spec->st[i], NULL, f, &unsure, err);
    sx_frame_free(f);
    return rc;
}

static void refs_free(struct names *refs, size_t n)
{
    if (!refs)
        return;
    for (size_t i = 0; i < n; i++)
        names_free(&refs[i]);
    free(refs);
}

struct sx_ffit *sx_features_fit(const struct sx_fspec *spec, const struct sx_frame *train,
                                struct sx_err *err)
{
    struct sx_err local;
    if (!err)
        err = &local;
    struct sx_ffit *fit = sx_fi_fit_new(spec);
    struct work w = {0};
    struct names *refs = NULL;
    if (!fit || !(fit->in = sch_of(train, &fit->nin))) {
        nomem(err);
        goto fail;
    }
    if (precheck(fit->spec, fit->in, fit->nin, err) != SX_OK)
        goto fail;
    if (work_init(&w, train) != 0) {
        nomem(err);
        goto fail;
    }
    refs = calloc(fit->spec->n + 1, sizeof *refs);
    if (!refs) {
        nomem(err);
        goto fail;
    }
    for (size_t i = 0; i < fit->spec->n; i++)
        if (stmt_refs(&fit->spec->st[i], &refs[i]) != 0) {
            nomem(err);
            goto fail;
        }
    for (size_t i = 0; i < fit->spec->n; i++) {
        struct ctx x = {.fit = fit, .s = &fit->spec->st[i], .st = &fit->steps[i], .w = &w,
                        .mode = SX_FMODE_TRAIN, .fitting = 1, .rep = NULL, .err = err,
                        .refs = refs, .at = i};
        if (run_step(&x) != SX_OK)
            goto fail;
    }
    if (work_settle(&w, NULL, err) != SX_OK)
        goto fail;
    struct sx_frame view = work_view(&w);
    if (!(fit->out = sch_of(&view, &fit->nout))) {
        nomem(err);
        goto fail;
    }
    work_free(&w);
    refs_free(refs, fit->spec->n);
    return fit;
fail:
    work_free(&w);
    if (fit)
        refs_free(refs, fit->spec->n);
    sx_ffit_free(fit);
    return NULL;
}

struct copyjob {
    struct sx_column **src;   /* borrowed columns to copy */
    struct sx_column **dst;
    size_t nrows;
};

/* A copy of the first N cells of fixed-width column C (not text) into
 * buffers that ask for huge pages; NULL when out of memory. */
static struct sx_column *col_copy(const struct sx_column *c, size_t n)
{
    struct sx_column *o = col_make(c->name, c->type, n);
    if (!o)
        return NULL;
    o->unit = c->unit;
    if (c->type == SX_CATEGORY)
        for (uint32_t k = 0; k < c->dict->n; k++)
            if (sx_dict_intern(o->dict, c->dict->str[k], c->dict->len[k]) != k) {
                sx_col_free(o);
                return NULL;
            }
    if (n) {
        memcpy(o->v.f64, c->v.f64, n * type_width(c->type));
        size_t words = (n + 63) >> 6;
        memcpy(o->valid, c->valid, words * sizeof *o->valid);
        o->valid[words - 1] &= full_word((words - 1) << 6, n);
    }
    return o;
}

static void copy_task(void *arg, size_t t)
{
    struct copyjob *j = arg;
    if (j->src[t]->type != SX_TEXT) {
        j->dst[t] = col_copy(j->src[t], j->nrows);
        return;
    }
    struct sx_frame one = {.cols = &j->src[t], .ncols = 1, .cap = 1, .nrows = j->nrows};
    size_t idx = 0;
    struct sx_err e;
    struct sx_frame *f = sx_frame_select(&one, &idx, 1, &e);
    if (!f)
        return;
    j->dst[t] = f->cols[0];
    f->ncols = 0;
    sx_frame_free(f);
}

/* The working frame as a new frame: own columns move, borrowed ones are
 * copied (one thread per column). */
static struct sx_frame *work_finish(struct work *w, struct sx_err *err)
{
    size_t nb = 0;
    for (size_t i = 0; i < w->n; i++)
        nb += !w->own[i];
    struct copyjob j = {.nrows = w->nrows};
    j.src = calloc(nb + 1, sizeof *j.src);
    j.dst = calloc(nb + 1, sizeof *j.dst);
    struct sx_frame *out = sx_frame_new();
    if (!j.src || !j.dst || !out)
        goto nomem;
    for (size_t i = 0, b = 0; i < w->n; i++)
        if (!w->own[i])
            j.src[b++] = w->c[i];
    par_run(nb, w->nrows * nb, copy_task, &j);
    for (size_t b = 0; b < nb; b++)
        if (!j.dst[b])
            goto nomem;
    for (size_t i = 0, b = 0; i < w->n; i++) {
        if (!w->own[i]) {
            w->c[i] = j.dst[b];
            j.dst[b++] = NULL;
            w->own[i] = 1;
        }
    }
    for (size_t i = 0; i < w->n; i++) {
        if (sx_frame_adopt(out, w->c[i], err) != SX_OK) {
            sx_frame_free(out);
            free(j.src);
            free(j.dst);
            return NULL;
        }
        w->own[i] = 0;    /* now the frame's */
    }
    out->nrows = w->nrows;
    free(j.src);
    free(j.dst);
    return out;
nomem:
    if (j.dst)
        for (size_t b = 0; b < nb; b++)
            sx_col_free(j.dst[b]);
    free(j.src);
    free(j.dst);
    sx_frame_free(out);
    nomem(err);
    return NULL;
}

static uint64_t count_missing(const struct sx_column *c, size_t nrows)
{
    uint64_t present = 0;
    for (size_t w0 = 0; w0 < nrows; w0 += 64)
        present += (uint64_t)__builtin_popcountll(
            c->valid[w0 >> 6] & full_word(w0, w0 + 64 < nrows ? w0 + 64 : nrows));
    return nrows - present;
}

struct sx_frame *sx_features_apply(const struct sx_ffit *fit, const struct sx_frame *in,
                                   enum sx_fmode mode, json_t **report, struct sx_err *err)
{
    struct sx_err local;
    if (!err)
        err = &local;
    struct work w;
    struct rep rep = {0};
    struct sx_frame *out = NULL;
    if (report)
        *report = NULL;
    if (work_init(&w, in) != 0) {
        nomem(err);
        goto done;
    }
    /* numbers where training had floats read as floats (a file whose
     * values happen to be whole reads as int) */
    for (size_t i = 0; i < fit->nin; i++) {
        long at = work_find(&w, fit->in[i].name);
        if (at < 0 || fit->in[i].type != SX_FLOAT || w.c[at]->type == SX_FLOAT ||
            !is_numeric(w.c[at]->type))
            continue;
        int bad;
        struct sx_column *c = col_convert(w.c[at], SX_FLOAT, SX_DAYS, &bad);
        if (!c) {
            nomem(err);
            goto done;
        }
        work_replace(&w, (size_t)at, c);
    }
    rep.imputed = json_object();
    rep.clipped = json_object();
    rep.unseen = json_object();
    rep.missing_in = json_object();
    rep.out_of_range = json_object();
    if (!rep.imputed || !rep.clipped || !rep.unseen || !rep.missing_in || !rep.out_of_range) {
        nomem(err);
        goto done;
    }
    for (size_t i = 0; i < fit->spec->n; i++) {
        struct ctx x = {.fit = (struct sx_ffit *)fit, .s = &fit->spec->st[i],
                        .st = &fit->steps[i], .w = &w, .mode = mode, .fitting = 0,
                        .rep = &rep, .err = err};
        if (run_step(&x) != SX_OK)
            goto done;
    }
    if (work_settle(&w, &rep, err) != SX_OK)
        goto done;
    size_t rows_out = w.nrows;
    if (!(out = work_finish(&w, err)))
        goto done;
    if (report) {
        json_t *r = json_object(), *mo = json_object();
        if (!r || !mo) {
            json_decref(r);
            json_decref(mo);
            sx_frame_free(out);
            out = NULL;
            nomem(err);
            goto done;
        }
        for (size_t i = 0; i < out->ncols; i++)
            json_object_set_new(mo, out->cols[i]->name,
                                json_integer((json_int_t)count_missing(out->cols[i], out->nrows)));
        sx_json_set(r, "mode", json_string(mode == SX_FMODE_TRAIN ? "train" : "inference"));
        sx_json_set(r, "rows_in", json_integer((json_int_t)in->nrows));
        sx_json_set(r, "rows_out", json_integer((json_int_t)rows_out));
        sx_json_set(r, "filtered", json_integer((json_int_t)rep.filtered));
        sx_json_set(r, "imputed", rep.imputed);
        sx_json_set(r, "clipped", rep.clipped);
        sx_json_set(r, "unseen", rep.unseen);
        sx_json_set(r, "missing_out", mo);
        sx_json_set(r, "missing_in", rep.missing_in);
        sx_json_set(r, "out_of_range", rep.out_of_range);
        rep.imputed = rep.clipped = rep.unseen = rep.missing_in = rep.out_of_range = NULL;
        *report = r;
    }
done:
    work_free(&w);
    json_decref(rep.imputed);
    json_decref(rep.clipped);
    json_decref(rep.unseen);
    json_decref(rep.missing_in);
    json_decref(rep.out_of_range);
    return out;
}
