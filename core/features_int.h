/* core/features_int.h: internal to the feature-set module, included only by
 * core/features.c (spec parser, normal form, hash, the fit as JSON),
 * core/features_fit.c (fitting and applying) and core/features_sql.c (the
 * fit as SQL); nothing outside those files may include it. It holds what
 * they share: the parsed statements and the full struct sx_fspec, the
 * fitted steps and the full struct sx_ffit that core/features.h keeps
 * opaque, small static inline helpers, and five functions defined in
 * core/features_fit.c (prefix sx_fi_). Those five are not part of the API
 * (core/features.h); they have external linkage only so the three files
 * can share them. */
#ifndef SX_FEATURES_INT_H
#define SX_FEATURES_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "features.h"
#include "hash.h"

/* ---- statements ---- */

enum op { OP_FEATURE, OP_FILTER, OP_IMPUTE, OP_CLIP, OP_STANDARDIZE, OP_MINMAX,
          OP_ONEHOT, OP_BINS, OP_PCA, OP_DROP, OP_COUNT };
static const char *const op_names[OP_COUNT] = {
    "feature", "filter", "impute", "clip", "standardize", "minmax",
    "onehot", "bins", "pca", "drop"};

enum imp { IMP_MEDIAN, IMP_MEAN, IMP_MODE };
static const char *const imp_names[] = {"median", "mean", "mode"};

struct ref {
    char *name;
    int col;                  /* 1-based column in the spec line */
};

struct stmt {
    enum op op;
    int line, col;            /* the keyword */
    char *name;               /* feature NAME, pca NAME */
    int name_col;
    char *src;                /* feature / filter expression text */
    int src_col;              /* its first byte's column */
    enum imp how;             /* impute */
    struct ref *cols;         /* column list (onehot / bins: one) */
    size_t ncols;
    double lo, hi;            /* clip quantiles */
    long k;                   /* onehot top N, bins K, pca K */
    int k_col;
};

struct sx_fspec {
    struct stmt *st;
    size_t n, cap;
};

/* ---- small helpers shared by the spec parser and the fit ---- */

static inline int is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline int is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static inline int is_string(enum sx_type t)
{
    return t == SX_CATEGORY || t == SX_TEXT;
}

/* Names the spec produces so far (feature, bins and pca outputs), to find
 * one produced twice. */
struct names {
    char **v;
    size_t n, cap;
};

static inline long names_find(const struct names *ns, const char *name)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], name) == 0)
            return (long)i;
    return -1;
}

static inline int names_add(struct names *ns, const char *name)
{
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 16;
        char **v = realloc(ns->v, cap * sizeof *v);
        if (!v)
            return -1;
        ns->v = v;
        ns->cap = cap;
    }
    if (!(ns->v[ns->n] = strdup(name)))
        return -1;
    ns->n++;
    return 0;
}

static inline void names_free(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* The output name of `bins COL`: COL_bin. */
static inline char *bins_name(const char *col)
{
    char *s = NULL;
    return asprintf(&s, "%s_bin", col) < 0 ? NULL : s;
}

/* The output name of component K (1-based) of `pca NAME`: NAME_K. */
static inline char *pca_name(const char *name, long k)
{
    char *s = NULL;
    return asprintf(&s, "%s_%ld", name, k) < 0 ? NULL : s;
}


/* ---- fits ---- */

/* Fitted values of one column of impute, clip, standardize or minmax. */
struct colp {
    double a, b, c, d;        /* impute mean/median: a = value; clip: a = lo, b = hi;
                                 standardize: a = mean, b = var, c = scale;
                                 minmax: a = min, b = max, c = scale, d = offset */
    enum sx_type vtype;       /* impute: the value's type, the output type */
    enum sx_date_unit unit;   /* impute mode of a date */
    int64_t iv;               /* impute mode of an int, date or bool */
    char *sv;                 /* impute mode of a category or text */
};

/* The fitted parameters of one statement. */
struct step {
    struct colp *cp;          /* per column of the statement */
    enum sx_type ftype;       /* feature: its type when fitted */
    enum sx_date_unit funit;
    /* onehot */
    enum sx_type itype;       /* the input column's type when fitted */
    size_t ncat;
    char **cat;               /* category values, most frequent first */
    char **cname;             /* their output columns */
    uint64_t *ccount;         /* their training counts */
    char *other;              /* COL_other */
    /* bins */
    char *bname;
    double *edges;            /* interior edges, ascending, distinct */
    size_t nedges;
    double bmin, bmax;        /* training range */
    /* pca */
    size_t p, nsv;            /* input columns; singular values kept (min(n, p)) */
    uint64_t nsamp;
    double *mean;             /* p */
    double *comp;             /* k × p, row-major */
    double *ev, *ratio;       /* k */
    double *sv;               /* nsv */
    double noise;
};

struct sch {
    char *name;
    enum sx_type type;
    enum sx_date_unit unit;
};

struct sx_ffit {
    struct sx_fspec *spec;    /* own copy */
    char hash[SX_HASH_HEX];
    struct step *steps;       /* spec->n */
    struct sch *in, *out;     /* training input and output schemas */
    size_t nin, nout;
};

static inline enum sx_status nomem(struct sx_err *err)
{
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}


/* Defined in core/features_fit.c. */

/* A new, empty fit of a copy of SPEC (NULL when out of memory). */
struct sx_ffit *sx_fi_fit_new(const struct sx_fspec *spec);

/* A new frame of zero rows with the N columns of V, or NULL with ERR. */
struct sx_frame *sx_fi_sch_frame(const struct sch *v, size_t n, struct sx_err *err);

/* Follow statement S (fitted as ST, or NULL before fitting) on the
 * zero-row schema F (see core/features_fit.c). */
enum sx_status sx_fi_sch_step(const struct stmt *s, const struct step *st,
                              struct sx_frame *f, int *unsure, struct sx_err *err);

/* An expression error from core/expr ("1:COL: what") placed in the spec. */
enum sx_status sx_fi_expr_err(const struct stmt *s, struct sx_err *err, int ecol);

/* Parse and check S's expression against VIEW. A new expression or NULL
 * with ERR at its place in the spec. */
struct sx_expr *sx_fi_expr_ready(const struct stmt *s, const struct sx_frame *view,
                                 struct sx_err *err);

#endif
