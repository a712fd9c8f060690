/* core/models.c: the built-in learning algorithms of core/models.h (OLS,
 * ridge, L2 logistic regression), their design matrices, predictions,
 * JSON form and SQL export. The numerics follow ../shared/STATS.md
 * sections 11-13 (scikit-learn 1.2):
 *   - OLS: the minimum-norm least-squares solution of the centred design
 *     from its SVD, singular values <= eps*S0 dropped (gelsd's rule).
 *     Exactly proportional columns are merged first (their zero singular
 *     values would otherwise fall on either side of the cut by rounding);
 *     a tall design is reduced to its R factor by Householder QR per chunk,
 *     a small one loses the null direction centring creates (n <= p); the
 *     SVD of what remains is one-sided Jacobi (gsl_linalg_SV_decomp_jacobi,
 *     on the transpose when it has fewer rows than columns);
 *   - ridge: Cholesky of XcT Xc + alpha I (n >= p; XcT Xc from one pass
 *     about the means) or of Xc XcT + alpha I (the dual, n < p); sklearn's
 *     SVD solver when that matrix is singular, and for alpha = 0;
 *   - logistic: Newton's method (Cholesky) with a backtracking line search
 *     on centred features, from zero, to max |gradient| <= tol.
 * Passes over the rows run in fixed chunks on the online CPUs; the partial
 * sums of the chunks are added in chunk order, so a fit does not depend on
 * the number of threads. Pure computation: no I/O. */
#include "models.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "json.h"
#include "num.h"
#include "par.h"
#include "strbuf.h"

#define CHUNK        4096u              /* rows per task of a pass */
#define SLOT_BUDGET  (64u << 20)        /* bytes of per-chunk partial sums at most */
#define PAR_MIN_ROWS 32768u             /* fewer rows: one thread */

static enum sx_status nomem(struct sx_err *err)
{
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

/* ---- algorithms and parameters ---- */

static const char *const algo_names[] = {"ols", "ridge", "logistic"};

const char *sx_algo_name(enum sx_algo a)
{
    return (unsigned)a < sizeof algo_names / sizeof algo_names[0] ? algo_names[a] : "?";
}

enum sx_status sx_algo_parse(const char *s, enum sx_algo *out, struct sx_err *err)
{
    for (size_t i = 0; s && i < sizeof algo_names / sizeof algo_names[0]; i++)
        if (strcmp(s, algo_names[i]) == 0) {
            *out = (enum sx_algo)i;
            return SX_OK;
        }
    return sx_err_set(err, SX_EINVAL, "unknown algorithm '%s' (ols, ridge, logistic)",
                      s ? s : "");
}

int sx_algo_is_binary(enum sx_algo a)
{
    return a == SX_ALGO_LOGISTIC;
}

void sx_model_params_default(struct sx_model_params *p)
{
    p->alpha = 1.0;
    p->C = 1.0;
    p->max_iter = 100;
    p->tol = 1e-10;
}

/* The parameters algorithm A takes, for messages. */
static const char *algo_param_list(enum sx_algo a)
{
    switch (a) {
    case SX_ALGO_RIDGE: return "alpha";
    case SX_ALGO_LOGISTIC: return "C, max_iter, tol";
    default: return "none";
    }
}

enum sx_status sx_model_param_set(struct sx_model_params *p, enum sx_algo a,
                                  const char *key, const char *value, struct sx_err *err)
{
    if (!key || !value)
        return sx_err_set(err, SX_EINVAL, "a parameter needs a key and a value");
    int takes = (a == SX_ALGO_RIDGE && strcmp(key, "alpha") == 0) ||
                (a == SX_ALGO_LOGISTIC && (strcmp(key, "C") == 0 || strcmp(key, "max_iter") == 0 ||
                                           strcmp(key, "tol") == 0));
    if (!takes)
        return sx_err_set(err, SX_EINVAL, "%s takes no parameter '%s' (it takes: %s)",
                          sx_algo_name(a), key, algo_param_list(a));
    if (strcmp(key, "max_iter") == 0) {
        int64_t v;
        if (!sx_num_parse_int(value, strlen(value), &v) || v < 1 || v > INT_MAX)
            return sx_err_set(err, SX_EINVAL, "max_iter must be a whole number >= 1, not '%s'",
                              value);
        p->max_iter = (int)v;
        return SX_OK;
    }
    double v;
    if (!sx_num_parse_double(value, strlen(value), &v) || !isfinite(v))
        return sx_err_set(err, SX_EINVAL, "%s must be a finite number, not '%s'", key, value);
    if (strcmp(key, "alpha") == 0) {
        if (v < 0)
            return sx_err_set(err, SX_EINVAL, "alpha must be >= 0, not %s", value);
        p->alpha = v;
    } else if (strcmp(key, "C") == 0) {
        if (v <= 0)
            return sx_err_set(err, SX_EINVAL, "C must be > 0, not %s", value);
        p->C = v;
    } else {
        if (v <= 0)
            return sx_err_set(err, SX_EINVAL, "tol must be > 0, not %s", value);
        p->tol = v;
    }
    return SX_OK;
}

/* ---- designs ---- */

void sx_design_clear(struct sx_design *d)
{
    if (!d)
        return;
    if (d->names)
        for (size_t j = 0; j < d->p; j++)
            free(d->names[j]);
    free(d->names);
    free(d->x);
    free(d->y);
    free(d->rows);
    free(d->target);
    memset(d, 0, sizeof *d);
}

static int usable_type(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_BOOL;
}

/* Cell I of a float, int or bool column as a double; NaN when missing. */
static inline double num_at(const struct sx_column *c, size_t i)
{
    if (!sx_col_valid(c, i))
        return NAN;
    switch (c->type) {
    case SX_FLOAT: return c->v.f64[i];
    case SX_INT: return (double)c->v.i64[i];
    case SX_BOOL: return (double)c->v.b[i];
    default: return NAN;
    }
}

/* SX_ETYPE for column C of a type a model cannot read directly. */
static enum sx_status bad_type(const struct sx_column *c, const char *role, struct sx_err *err)
{
    const char *hint = c->type == SX_CATEGORY ? "one-hot encode it in a feature set"
                                              : "derive numbers from it in a feature set";
    return sx_err_set(err, SX_ETYPE, "%s '%s' is %s%s; %s", role, c->name,
                      c->type == SX_TEXT ? "" : "a ", sx_type_name(c->type), hint);
}

enum sx_status sx_design_from_frame(const struct sx_frame *f, const char *target,
                                    const char *const *features, size_t nfeatures,
                                    int binary, struct sx_design *out, struct sx_err *err)
{
    memset(out, 0, sizeof *out);
    long tcol = -1;
    if (target) {
        tcol = sx_frame_find(f, target);
        if (tcol < 0)
            return sx_err_set(err, SX_ENOTFOUND, "no column '%s' for the target", target);
        if (!usable_type(f->cols[tcol]->type))
            return bad_type(f->cols[tcol], "target", err);
    }
    size_t ncand = features ? nfeatures : f->ncols;
    size_t *cols = malloc((ncand ? ncand : 1) * sizeof *cols);
    if (!cols)
        return nomem(err);
    size_t p = 0;
    enum sx_status rc = SX_OK;
    if (features) {
        for (size_t i = 0; i < nfeatures && rc == SX_OK; i++) {
            long c = sx_frame_find(f, features[i]);
            if (c < 0)
                rc = sx_err_set(err, SX_ENOTFOUND, "no column '%s'", features[i]);
            else if (c == tcol)
                rc = sx_err_set(err, SX_EINVAL, "'%s' is both the target and a feature",
                                features[i]);
            else if (!usable_type(f->cols[c]->type))
                rc = bad_type(f->cols[c], "column", err);
            else
                cols[p++] = (size_t)c;
        }
    } else {
        for (size_t c = 0; c < f->ncols; c++)
            if ((long)c != tcol && usable_type(f->cols[c]->type))
                cols[p++] = c;
    }
    if (rc == SX_OK && p == 0)
        rc = sx_err_set(err, SX_EINVAL, "no numeric feature columns");
    uint8_t *keep = NULL;
    size_t n = 0;
    if (rc == SX_OK && !(keep = malloc(f->nrows ? f->nrows : 1)))
        rc = nomem(err);
    /* Listwise deletion: a row stays when every feature and the target is
     * present and not NaN. An infinite value is an error, not a gap. */
    if (rc == SX_OK) {
        memset(keep, 1, f->nrows);
        for (size_t k = 0; k <= p && rc == SX_OK; k++) {
            if (k == p && tcol < 0)
                break;
            const struct sx_column *c = f->cols[k < p ? cols[k] : (size_t)tcol];
            for (size_t i = 0; i < f->nrows; i++) {
                if (!keep[i])
                    continue;
                double v = num_at(c, i);
                if (isnan(v)) {
                    keep[i] = 0;
                } else if (isinf(v)) {
                    rc = sx_err_set(err, SX_EINVAL, "column '%s' row %zu is infinite", c->name,
                                    i + 1);
                    break;
                }
            }
        }
    }
    if (rc == SX_OK) {
        for (size_t i = 0; i < f->nrows; i++)
            n += keep[i];
        if (n == 0)
            rc = sx_err_set(err, SX_EINVAL, "no rows left: every row misses a feature%s",
                            tcol >= 0 ? " or the target" : "");
    }
    if (rc == SX_OK && binary && tcol >= 0) {
        const struct sx_column *c = f->cols[tcol];
        for (size_t i = 0; i < f->nrows; i++) {
            if (!keep[i])
                continue;
            double v = num_at(c, i);
            if (v != 0.0 && v != 1.0) {
                char buf[32];
                sx_num_format_double(v, buf);
                rc = sx_err_set(err, SX_ETYPE,
                                "target '%s' must hold only 0 and 1 (a binary class); row %zu "
                                "holds %s", c->name, i + 1, buf);
                break;
            }
        }
    }
    if (rc == SX_OK) {
        out->n = n;
        out->p = p;
        out->x = malloc(n * p * sizeof *out->x);
        out->rows = malloc(n * sizeof *out->rows);
        out->names = calloc(p, sizeof *out->names);
        if (tcol >= 0) {
            out->y = malloc(n * sizeof *out->y);
            out->target = strdup(target);
        }
        if (!out->x || !out->rows || !out->names || (tcol >= 0 && (!out->y || !out->target)))
            rc = nomem(err);
        for (size_t j = 0; j < p && rc == SX_OK; j++)
            if (!(out->names[j] = strdup(f->cols[cols[j]]->name)))
                rc = nomem(err);
    }
    if (rc == SX_OK) {
        for (size_t i = 0, r = 0; i < f->nrows; i++)
            if (keep[i])
                out->rows[r++] = i;
        for (size_t j = 0; j < p; j++) {
            const struct sx_column *c = f->cols[cols[j]];
            double *dst = out->x + j;
            for (size_t r = 0; r < n; r++)
                dst[r * p] = num_at(c, out->rows[r]);
        }
        if (tcol >= 0)
            for (size_t r = 0; r < n; r++)
                out->y[r] = num_at(f->cols[tcol], out->rows[r]);
    }
    free(keep);
    free(cols);
    if (rc != SX_OK)
        sx_design_clear(out);
    return rc;
}

void sx_model_clear(struct sx_model *m)
{
    if (!m)
        return;
    if (m->names)
        for (size_t j = 0; j < m->p; j++)
            free(m->names[j]);
    free(m->names);
    free(m->coef);
    free(m->target);
    memset(m, 0, sizeof *m);
}

/* ---- passes over the rows, in chunks, on the online CPUs ---- */

struct rowset {
    const double *x, *y;
    size_t p;
    const size_t *idx;          /* NULL: rows 0..n-1 */
    size_t n;
};

static inline size_t rs_row(const struct rowset *rs, size_t k)
{
    return rs->idx ? rs->idx[k] : k;
}

typedef void (*chunk_fn)(void *ctx, size_t chunk, size_t lo, size_t hi);

/* A pass of chunks of LEN rows of N rows. */
struct par {
    chunk_fn fn;
    void *ctx;
    size_t len, n;
};

static void par_chunk(void *arg, size_t c)
{
    const struct par *p = arg;
    size_t lo = c * p->len, hi = lo + p->len < p->n ? lo + p->len : p->n;
    p->fn(p->ctx, c, lo, hi);
}

/* The chunking of N rows when each chunk keeps SLOT doubles of partial
 * sums: CHUNK rows a chunk, fewer chunks when their slots would exceed
 * SLOT_BUDGET. Depends only on N and SLOT, never on the thread count. */
static size_t chunks_of(size_t n, size_t slot, size_t *len)
{
    size_t nch = (n + CHUNK - 1) / CHUNK;
    size_t cap = SLOT_BUDGET / (slot * sizeof(double));
    if (cap < 1)
        cap = 1;
    if (nch > cap)
        nch = cap;
    if (nch < 1)
        nch = 1;
    *len = (n + nch - 1) / nch;
    if (*len == 0)
        *len = 1;
    return (n + *len - 1) / *len > 0 ? (n + *len - 1) / *len : 1;
}

/* Run FN(CTX, c, lo, hi) for the NCH chunks of LEN rows of N rows. */
static void par_run(size_t n, size_t nch, size_t len, chunk_fn fn, void *ctx)
{
    struct par p = {.fn = fn, .ctx = ctx, .len = len, .n = n};
    sx_par_run(nch, n >= PAR_MIN_ROWS, par_chunk, &p);
}

/* Sums of the features (and the target) per chunk: slot = p + 1. */
struct sums_ctx {
    const struct rowset *rs;
    double *slots;
    size_t q;
};

static void sums_task(void *arg, size_t c, size_t lo, size_t hi)
{
    struct sums_ctx *x = arg;
    const struct rowset *rs = x->rs;
    size_t p = rs->p;
    double *s = x->slots + c * x->q;
    memset(s, 0, x->q * sizeof *s);
    for (size_t k = lo; k < hi; k++) {
        size_t i = rs_row(rs, k);
        const double *row = rs->x + i * p;
        for (size_t j = 0; j < p; j++)
            s[j] += row[j];
        if (rs->y)
            s[p] += rs->y[i];
    }
}

/* The column means of the rows (and of the target into *YBAR when the
 * rowset has one); SX_EINVAL when a sum is not finite. */
static enum sx_status row_means(const struct rowset *rs, double *mean, double *ybar,
                                struct sx_err *err)
{
    size_t q = rs->p + 1, len;
    size_t nch = chunks_of(rs->n, q, &len);
    double *slots = malloc(nch * q * sizeof *slots);
    if (!slots)
        return nomem(err);
    struct sums_ctx x = {.rs = rs, .slots = slots, .q = q};
    par_run(rs->n, nch, len, sums_task, &x);
    double *tot = calloc(q, sizeof *tot);
    if (!tot) {
        free(slots);
        return nomem(err);
    }
    for (size_t c = 0; c < nch; c++)
        for (size_t j = 0; j < q; j++)
            tot[j] += slots[c * q + j];
    free(slots);
    int ok = 1;
    for (size_t j = 0; j < q; j++) {
        tot[j] /= (double)rs->n;
        if (!isfinite(tot[j]))
            ok = 0;
    }
    memcpy(mean, tot, rs->p * sizeof *mean);
    if (ybar)
        *ybar = rs->y ? tot[rs->p] : 0.0;
    free(tot);
    if (!ok)
        return sx_err_set(err, SX_EINVAL, "the design holds a value that is not finite");
    return SX_OK;
}

/* Centred Gram matrix of [X y] about MEAN (p + 1 entries, the target's
 * last): per chunk the sums S of r = [x - mean, y - ybar] and the lower
 * triangle of G = sum r rT, rows taken four at a time. */
struct gram_ctx {
    const struct rowset *rs;
    const double *mean;
    double *slots;              /* per chunk: q sums, q*q, 4q scratch */
    size_t q;
};

static void gram_task(void *arg, size_t c, size_t lo, size_t hi)
{
    struct gram_ctx *x = arg;
    const struct rowset *rs = x->rs;
    size_t p = rs->p, q = x->q;
    double *S = x->slots + c * (5 * q + q * q), *G = S + q, *r = G + q * q;
    memset(S, 0, (q + q * q) * sizeof *S);
    for (size_t k = lo; k < hi; k += 4) {
        size_t m = hi - k < 4 ? hi - k : 4;
        for (size_t t = 0; t < 4; t++) {
            double *rt = r + t * q;
            if (t >= m) {
                memset(rt, 0, q * sizeof *rt);
                continue;
            }
            size_t i = rs_row(rs, k + t);
            const double *row = rs->x + i * p;
            for (size_t j = 0; j < p; j++)
                rt[j] = row[j] - x->mean[j];
            rt[p] = rs->y[i] - x->mean[p];
            for (size_t j = 0; j < q; j++)
                S[j] += rt[j];
        }
        const double *r0 = r, *r1 = r + q, *r2 = r + 2 * q, *r3 = r + 3 * q;
        for (size_t j = 0; j < q; j++) {
            double a0 = r0[j], a1 = r1[j], a2 = r2[j], a3 = r3[j];
            double *Gj = G + j * q;
            for (size_t l = 0; l <= j; l++)
                Gj[l] += (a0 * r0[l] + a1 * r1[l]) + (a2 * r2[l] + a3 * r3[l]);
        }
    }
}

/* G (q x q, full) = sum of (r - d)(r - d)T over the rows, about the exact
 * mean: the pass's sums S give the correction d = S/n to MEAN, which is
 * applied to MEAN too. Returns 0 on success, -1 out of memory, 1 when a
 * value is not finite. */
static int centred_gram(const struct rowset *rs, double *mean, double *G)
{
    size_t q = rs->p + 1, len, slot = 5 * q + q * q;
    size_t nch = chunks_of(rs->n, slot, &len);
    double *slots = malloc(nch * slot * sizeof *slots);
    if (!slots)
        return -1;
    struct gram_ctx x = {.rs = rs, .mean = mean, .slots = slots, .q = q};
    par_run(rs->n, nch, len, gram_task, &x);
    double *S = calloc(q, sizeof *S);
    if (!S) {
        free(slots);
        return -1;
    }
    memset(G, 0, q * q * sizeof *G);
    for (size_t c = 0; c < nch; c++) {
        const double *Sc = slots + c * slot, *Gc = Sc + q;
        for (size_t j = 0; j < q; j++)
            S[j] += Sc[j];
        for (size_t j = 0; j < q; j++)
            for (size_t l = 0; l <= j; l++)
                G[j * q + l] += Gc[j * q + l];
    }
    free(slots);
    int rc = 0;
    double n = (double)rs->n;
    for (size_t j = 0; j < q; j++) {
        if (!isfinite(S[j]))
            rc = 1;
        S[j] /= n;
    }
    for (size_t j = 0; j < q; j++)
        for (size_t l = 0; l <= j; l++) {
            G[j * q + l] -= n * S[j] * S[l];
            G[l * q + j] = G[j * q + l];
            if (!isfinite(G[j * q + l]))
                rc = 1;
        }
    for (size_t j = 0; j < q; j++)
        mean[j] += S[j];
    free(S);
    return rc;
}

/* ---- OLS and the SVD solutions ---- */

/* The centred design Xc (n x p) as a new matrix; the centred target into
 * YC (n). */
static gsl_matrix *centred_matrix(const struct rowset *rs, const double *mean, double ybar,
                                  double *yc)
{
    size_t n = rs->n, p = rs->p;
    gsl_matrix *A = gsl_matrix_alloc(n, p);
    if (!A)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        size_t i = rs_row(rs, k);
        const double *row = rs->x + i * p;
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(A, k, j, row[j] - mean[j]);
        yc[k] = rs->y[i] - ybar;
    }
    return A;
}

/* Column K of the centred design is exactly LAM times column J (a feature
 * repeated, or doubled). 0 when not, or when column J is all zero. */
static int proportional(const struct rowset *rs, const double *mean, size_t j, size_t k,
                        double *lam)
{
    double l = 0;
    int have = 0;
    for (size_t t = 0; t < rs->n; t++) {
        const double *row = rs->x + rs_row(rs, t) * rs->p;
        double a = row[j] - mean[j], b = row[k] - mean[k];
        if (!have) {
            if (a == 0) {
                if (b != 0)
                    return 0;
                continue;
            }
            l = b / a;
            have = 1;
            if (l == 0 || !isfinite(l))
                return 0;
        }
        if (b != l * a)
            return 0;
    }
    if (!have)
        return 0;
    *lam = l;
    return 1;
}

/* The design reduced to one column per group of exactly proportional
 * columns. Such a design is rank-deficient by construction, and an SVD
 * finds its zero singular values only to rounding, about eps*S0 on either
 * side of the eps*S0 cut (LAPACK's gelsd in scikit-learn as much as GSL's
 * routines). A group (column c, multiples lam_k c) is solved as the one
 * column L c with L = sqrt(sum lam_k^2): the same minimum-norm and ridge
 * solution, spread back as w_k = gamma lam_k / L. */
struct groups {
    size_t pr;                  /* columns of the reduced design */
    size_t *rep;                /* pr: the design column standing for each group */
    double *scale;              /* pr: L of each group */
    size_t *grp;                /* p: the group of each column */
    double *lam;                /* p: its multiple of the group's column */
};

static void groups_free(struct groups *g)
{
    free(g->rep);
    free(g->scale);
    free(g->grp);
    free(g->lam);
}

static int groups_find(const struct rowset *rs, const double *mean, struct groups *g)
{
    size_t p = rs->p;
    g->pr = 0;
    g->rep = malloc(p * sizeof *g->rep);
    g->scale = malloc(p * sizeof *g->scale);
    g->grp = malloc(p * sizeof *g->grp);
    g->lam = malloc(p * sizeof *g->lam);
    if (!g->rep || !g->scale || !g->grp || !g->lam)
        return -1;
    for (size_t k = 0; k < p; k++) {
        size_t r;
        double lam = 1;
        for (r = 0; r < g->pr; r++)
            if (proportional(rs, mean, g->rep[r], k, &lam))
                break;
        if (r == g->pr) {
            g->rep[g->pr] = k;
            g->scale[g->pr++] = 1.0;
            lam = 1;
        } else {
            g->scale[r] += lam * lam;   /* sum of squares until the end */
        }
        g->grp[k] = r;
        g->lam[k] = lam;
    }
    for (size_t r = 0; r < g->pr; r++)
        g->scale[r] = sqrt(g->scale[r]);
    return 0;
}

/* GAMMA (N) = the solution of Z gamma = T (Z: M x N, row-major) by the
 * thin SVD Z = U S VT, one-sided Jacobi (gsl_linalg_SV_decomp_jacobi, on
 * ZT when M < N): sum over triplets of F(s) (uT t) v, with F(s) = 1/s above
 * eps*S0 (OLS, the minimum-norm least-squares solution, *RANK counted) or
 * sklearn's ridge SVD solver F(s) = s/(s^2 + alpha) above 1e-15. */
static int svd_min_norm(const double *Z, size_t M, size_t N, const double *t, int ridge,
                        double alpha, double *gamma, size_t *rank)
{
    memset(gamma, 0, N * sizeof *gamma);
    *rank = 0;
    if (M == 0 || N == 0)
        return 0;
    int tr = M < N;
    size_t rows = tr ? N : M, cols = tr ? M : N;
    gsl_matrix *A = gsl_matrix_alloc(rows, cols), *V = gsl_matrix_alloc(cols, cols);
    gsl_vector *S = gsl_vector_alloc(cols);
    double *c = malloc(cols * sizeof *c);
    int rc = -1;
    if (!A || !V || !S || !c)
        goto out;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(A, tr ? j : i, tr ? i : j, Z[i * N + j]);
    if (gsl_linalg_SV_decomp_jacobi(A, V, S) != GSL_SUCCESS) {
        rc = 1;
        goto out;
    }
    /* Not transposed: Z = A S VT, c = AT t, gamma = V c. Transposed:
     * ZT = A S VT, Z = V S AT, c = VT t, gamma = A c. */
    for (size_t k = 0; k < cols; k++) {
        double acc = 0;
        for (size_t i = 0; i < M; i++)
            acc += (tr ? gsl_matrix_get(V, i, k) : gsl_matrix_get(A, i, k)) * t[i];
        c[k] = acc;
    }
    double s0 = 0;
    for (size_t k = 0; k < cols; k++)
        if (gsl_vector_get(S, k) > s0)
            s0 = gsl_vector_get(S, k);
    for (size_t k = 0; k < cols; k++) {
        double s = gsl_vector_get(S, k);
        if (ridge) {
            c[k] = s > 1e-15 ? c[k] * (s / (s * s + alpha)) : 0.0;
        } else if (s > DBL_EPSILON * s0) {
            c[k] /= s;
            (*rank)++;
        } else {
            c[k] = 0.0;
        }
    }
    for (size_t j = 0; j < N; j++) {
        double acc = 0;
        for (size_t k = 0; k < cols; k++)
            acc += (tr ? gsl_matrix_get(A, j, k) : gsl_matrix_get(V, j, k)) * c[k];
        gamma[j] = acc;
    }
    rc = 0;
out:
    free(c);
    gsl_vector_free(S);
    gsl_matrix_free(V);
    gsl_matrix_free(A);
    return rc;
}

/* Tall designs: the R factor of the reduced centred [X y] by Householder
 * QR of each chunk (in parallel), merged in chunk order: [R; R_c] -> R.
 * LAPACK's gelsd reduces a tall matrix by QR first as well. */
struct qr_ctx {
    const struct rowset *rs;
    const double *mean;
    const struct groups *g;
    double ybar;
    double *slots;              /* per chunk: q*q, the chunk's R */
    size_t q;
    atomic_int fail;
};

static void qr_task(void *arg, size_t c, size_t lo, size_t hi)
{
    struct qr_ctx *x = arg;
    const struct rowset *rs = x->rs;
    size_t q = x->q, pr = q - 1, m = hi - lo, k = m < q ? m : q;
    double *R = x->slots + c * q * q;
    memset(R, 0, q * q * sizeof *R);
    gsl_matrix *A = gsl_matrix_alloc(m, q);
    gsl_vector *tau = gsl_vector_alloc(k);
    if (!A || !tau) {
        atomic_store(&x->fail, 1);
        goto out;
    }
    for (size_t t = 0; t < m; t++) {
        size_t i = rs_row(rs, lo + t);
        const double *row = rs->x + i * rs->p;
        for (size_t r = 0; r < pr; r++) {
            size_t j = x->g->rep[r];
            gsl_matrix_set(A, t, r, (row[j] - x->mean[j]) * x->g->scale[r]);
        }
        gsl_matrix_set(A, t, pr, rs->y[i] - x->ybar);
    }
    gsl_linalg_QR_decomp(A, tau);
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < q; j++)
            R[i * q + j] = gsl_matrix_get(A, i, j);
out:
    gsl_vector_free(tau);
    gsl_matrix_free(A);
}

static int tall_r(const struct rowset *rs, const double *mean, double ybar,
                  const struct groups *g, double *R)
{
    size_t q = g->pr + 1, len;
    size_t nch = chunks_of(rs->n, q * q, &len);
    double *slots = malloc(nch * q * q * sizeof *slots);
    gsl_matrix *S = gsl_matrix_alloc(2 * q, q);
    gsl_vector *tau = gsl_vector_alloc(q);
    int rc = -1;
    if (!slots || !S || !tau)
        goto out;
    struct qr_ctx x = {.rs = rs, .mean = mean, .g = g, .ybar = ybar, .slots = slots, .q = q};
    atomic_init(&x.fail, 0);
    par_run(rs->n, nch, len, qr_task, &x);
    if (atomic_load(&x.fail))
        goto out;
    memcpy(R, slots, q * q * sizeof *R);
    for (size_t c = 1; c < nch; c++) {
        const double *Rc = slots + c * q * q;
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < q; j++) {
                gsl_matrix_set(S, i, j, R[i * q + j]);
                gsl_matrix_set(S, q + i, j, Rc[i * q + j]);
            }
        gsl_linalg_QR_decomp(S, tau);
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < q; j++)
                R[i * q + j] = j >= i ? gsl_matrix_get(S, i, j) : 0.0;
    }
    rc = 0;
out:
    gsl_vector_free(tau);
    gsl_matrix_free(S);
    free(slots);
    return rc;
}

/* Small designs: the reduced centred design with the direction of the
 * ones vector removed exactly. Centring puts the ones vector in the left
 * null space of Xc; a Householder reflection H with H 1 = -sqrt(n) e_n
 * turns the last row of H Xc into that null direction (zero up to
 * rounding), which is dropped: the (n-1)-row problem has the same
 * solutions without the spurious zero singular value of n <= p. Z gets
 * (n-1) x pr values, T n - 1. */
static void small_reduced(const struct rowset *rs, const double *mean, double ybar,
                          const struct groups *g, double *Z, double *T, double *col)
{
    size_t n = rs->n, pr = g->pr;
    double sq = sqrt((double)n), tau = 1.0 / ((double)n + sq);
    for (size_t r = 0; r <= pr; r++) {
        for (size_t t = 0; t < n; t++) {
            size_t i = rs_row(rs, t);
            if (r == pr) {
                col[t] = rs->y[i] - ybar;
            } else {
                size_t j = g->rep[r];
                col[t] = (rs->x[i * rs->p + j] - mean[j]) * g->scale[r];
            }
        }
        /* v = (1, ..., 1, 1 + sqrt(n)); H c = c - tau (vT c) v. */
        double vc = 0;
        for (size_t t = 0; t + 1 < n; t++)
            vc += col[t];
        vc += (1.0 + sq) * col[n - 1];
        for (size_t t = 0; t + 1 < n; t++) {
            double v = col[t] - tau * vc;
            if (r == pr)
                T[t] = v;
            else
                Z[t * pr + r] = v;
        }
    }
}

/* W (p): the minimum-norm least-squares solution of Xc w = yc (OLS, *RANK
 * set) or sklearn's SVD ridge solution, through the reduced design. */
static enum sx_status svd_solve(const struct rowset *rs, const double *mean, double ybar,
                                int ridge, double alpha, double *w, size_t *rank,
                                struct sx_err *err)
{
    size_t n = rs->n;
    struct groups g = {0};
    double *Z = NULL, *T = NULL, *col = NULL, *gamma = NULL;
    enum sx_status rc = SX_OK;
    if (groups_find(rs, mean, &g) < 0) {
        rc = nomem(err);
        goto out;
    }
    size_t pr = g.pr, q = pr + 1, M;
    if (!(gamma = malloc(pr * sizeof *gamma))) {
        rc = nomem(err);
        goto out;
    }
    if (n >= 2 * q) {
        double *R = malloc(q * q * sizeof *R);
        Z = malloc(pr * pr * sizeof *Z);
        T = malloc(pr * sizeof *T);
        if (!R || !Z || !T || tall_r(rs, mean, ybar, &g, R) < 0) {
            free(R);
            rc = nomem(err);
            goto out;
        }
        for (size_t i = 0; i < pr; i++) {
            memcpy(Z + i * pr, R + i * q, pr * sizeof *Z);
            T[i] = R[i * q + pr];
        }
        free(R);
        M = pr;
    } else {
        M = n - 1;
        Z = malloc((M ? M : 1) * pr * sizeof *Z);
        T = malloc((M ? M : 1) * sizeof *T);
        col = malloc(n * sizeof *col);
        if (!Z || !T || !col) {
            rc = nomem(err);
            goto out;
        }
        small_reduced(rs, mean, ybar, &g, Z, T, col);
    }
    int s = svd_min_norm(Z, M, pr, T, ridge, alpha, gamma, rank);
    if (s < 0) {
        rc = nomem(err);
        goto out;
    }
    if (s > 0) {
        rc = sx_err_set(err, SX_EINVAL, "the singular value decomposition did not converge");
        goto out;
    }
    for (size_t k = 0; k < rs->p; k++)
        w[k] = gamma[g.grp[k]] * (g.lam[k] / g.scale[g.grp[k]]);
out:
    free(gamma);
    free(col);
    free(T);
    free(Z);
    groups_free(&g);
    return rc;
}

/* ---- ridge ---- */

/* Solve (A + alpha I) x = b by Cholesky (A symmetric, N x N, row-major,
 * overwritten). Returns 0, or 1 when the matrix is not positive definite,
 * -1 out of memory. */
static int cholesky_solve(double *A, size_t N, double alpha, const double *b, double *x)
{
    for (size_t j = 0; j < N; j++)
        A[j * N + j] += alpha;
    gsl_matrix_view Av = gsl_matrix_view_array(A, N, N);
    gsl_vector_const_view bv = gsl_vector_const_view_array(b, N);
    gsl_vector_view xv = gsl_vector_view_array(x, N);
    if (gsl_linalg_cholesky_decomp1(&Av.matrix) != GSL_SUCCESS)
        return 1;
    if (gsl_linalg_cholesky_solve(&Av.matrix, &bv.vector, &xv.vector) != GSL_SUCCESS)
        return 1;
    for (size_t j = 0; j < N; j++)
        if (!isfinite(x[j]))
            return 1;
    return 0;
}

/* Ridge with n < p: the dual (Xc XcT + alpha I) a = yc, w = XcT a. */
static int ridge_dual(const struct rowset *rs, const double *mean, double ybar, double alpha,
                      double *w)
{
    size_t n = rs->n, p = rs->p;
    double *yc = malloc(n * sizeof *yc), *K = malloc(n * n * sizeof *K), *a = malloc(n * sizeof *a);
    gsl_matrix *X = yc ? centred_matrix(rs, mean, ybar, yc) : NULL;
    int rc = -1;
    if (yc && K && a && X) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k <= i; k++) {
                double acc = 0;
                for (size_t j = 0; j < p; j++)
                    acc += gsl_matrix_get(X, i, j) * gsl_matrix_get(X, k, j);
                K[i * n + k] = K[k * n + i] = acc;
            }
        rc = cholesky_solve(K, n, alpha, yc, a);
        if (rc == 0)
            for (size_t j = 0; j < p; j++) {
                double acc = 0;
                for (size_t i = 0; i < n; i++)
                    acc += gsl_matrix_get(X, i, j) * a[i];
                w[j] = acc;
            }
    }
    gsl_matrix_free(X);
    free(a);
    free(K);
    free(yc);
    return rc;
}

static enum sx_status fit_linear(enum sx_algo a, const struct sx_model_params *params,
                                 const struct rowset *rs, struct sx_model *m, struct sx_err *err)
{
    size_t p = rs->p, q = p + 1;
    double *mean = malloc(q * sizeof *mean);
    double *G = NULL;
    enum sx_status rc = SX_OK;
    if (!mean)
        return nomem(err);
    double ybar;
    if ((rc = row_means(rs, mean, &ybar, err)) != SX_OK)
        goto out;
    mean[p] = ybar;
    /* alpha 0 is least squares: the SVD's minimum-norm solution, where a
     * Cholesky factorisation of a singular XcT Xc (collinear columns) or
     * Xc XcT (n <= p, singular by centring) could pass on rounding alone. */
    int use_svd = a == SX_ALGO_OLS || params->alpha == 0;
    if (!use_svd && rs->n >= p) {
        /* Primal: (XcT Xc + alpha I) w = XcT yc, XcT Xc from one pass about
         * the means just found (corrected to the exact mean). */
        if (!(G = malloc(q * q * sizeof *G))) {
            rc = nomem(err);
            goto out;
        }
        int g = centred_gram(rs, mean, G);
        if (g < 0) {
            rc = nomem(err);
            goto out;
        }
        if (g > 0) {
            rc = sx_err_set(err, SX_EINVAL, "the design holds a value that is not finite");
            goto out;
        }
        double *A = malloc(p * p * sizeof *A), *b = malloc(p * sizeof *b);
        if (!A || !b) {
            free(A);
            free(b);
            rc = nomem(err);
            goto out;
        }
        for (size_t j = 0; j < p; j++) {
            memcpy(A + j * p, G + j * q, p * sizeof *A);
            b[j] = G[j * q + p];
        }
        int c = cholesky_solve(A, p, params->alpha, b, m->coef);
        free(A);
        free(b);
        use_svd = c != 0;       /* singular: sklearn falls back to its SVD solver */
    } else if (!use_svd) {
        int c = ridge_dual(rs, mean, ybar, params->alpha, m->coef);
        if (c < 0) {
            rc = nomem(err);
            goto out;
        }
        use_svd = c != 0;
    }
    if (use_svd) {
        size_t rank = 0;
        rc = svd_solve(rs, mean, mean[p], a == SX_ALGO_RIDGE, params->alpha, m->coef, &rank, err);
        if (rc != SX_OK)
            goto out;
        if (a == SX_ALGO_OLS)
            m->rank = rank;
    }
    double icpt = mean[p];
    for (size_t j = 0; j < p; j++)
        icpt -= mean[j] * m->coef[j];
    m->intercept = icpt;
    m->converged = 1;
    m->grad_norm = NAN;
out:
    free(G);
    free(mean);
    return rc;
}

/* ---- logistic regression ---- */

/* One pass at (W, B) in centred coordinates (z = b + (x - mean).w): per
 * chunk the loss sum, the gradient sums of (sigma - y) [r, 1] and, when
 * HESS, the lower triangle of sum s [r, 1][r, 1]T with s = sigma (1 - sigma). */
#define LOGIT_SLOT(q) (1 + 9 * (q) + (q) * (q))

struct logit_ctx {
    const struct rowset *rs;
    const double *mean, *w;
    double b;
    int hess;
    double *slots;              /* per chunk: 1 + q + q*q, 8q scratch */
    size_t q;
};

static void logit_task(void *arg, size_t c, size_t lo, size_t hi)
{
    struct logit_ctx *x = arg;
    const struct rowset *rs = x->rs;
    size_t p = rs->p, q = x->q;
    double *F = x->slots + c * LOGIT_SLOT(q), *g = F + 1, *H = g + q, *r = H + q * q;
    memset(F, 0, (x->hess ? 1 + q + q * q : 1 + q) * sizeof *F);
    double *u = r + 4 * q;       /* s * r, per row of the group */
    for (size_t k = lo; k < hi; k += 4) {
        size_t m = hi - k < 4 ? hi - k : 4;
        for (size_t t = 0; t < 4; t++) {
            double *rt = r + t * q, *ut = u + t * q;
            if (t >= m) {
                memset(rt, 0, q * sizeof *rt);
                memset(ut, 0, q * sizeof *ut);
                continue;
            }
            size_t i = rs_row(rs, k + t);
            const double *row = rs->x + i * p;
            double z = x->b;
            for (size_t j = 0; j < p; j++) {
                rt[j] = row[j] - x->mean[j];
                z += rt[j] * x->w[j];
            }
            rt[p] = 1.0;
            double y = rs->y[i];
            double e = exp(-fabs(z));
            double loss = (z > 0 ? z : 0.0) + log1p(e) - y * z;
            double sig = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            double res = sig - y;
            F[0] += loss;
            for (size_t j = 0; j < q; j++)
                g[j] += res * rt[j];
            if (x->hess) {
                double s = e / ((1.0 + e) * (1.0 + e));
                for (size_t j = 0; j < q; j++)
                    ut[j] = s * rt[j];
            }
        }
        if (!x->hess)
            continue;
        const double *r0 = r, *r1 = r + q, *r2 = r + 2 * q, *r3 = r + 3 * q;
        for (size_t j = 0; j < q; j++) {
            double a0 = u[j], a1 = u[q + j], a2 = u[2 * q + j], a3 = u[3 * q + j];
            double *Hj = H + j * q;
            for (size_t l = 0; l <= j; l++)
                Hj[l] += (a0 * r0[l] + a1 * r1[l]) + (a2 * r2[l] + a3 * r3[l]);
        }
    }
}

struct logit_state {
    double f;                   /* C * sum loss + 0.5 ||w||^2 */
    double *g;                  /* q: gradient in centred coordinates */
    double *H;                  /* q*q, full: Hessian */
};

/* Evaluate at (W, B): objective, gradient and (with HESS) Hessian. Returns
 * 0, or 1 when a value is not finite. */
static int logit_eval(const struct rowset *rs, const double *mean, double C, const double *w,
                      double b, int hess, double *slots, size_t nch, size_t len,
                      struct logit_state *st)
{
    size_t p = rs->p, q = p + 1, slot = LOGIT_SLOT(q);
    struct logit_ctx x = {.rs = rs, .mean = mean, .w = w, .b = b, .hess = hess,
                          .slots = slots, .q = q};
    par_run(rs->n, nch, len, logit_task, &x);
    double f = 0;
    memset(st->g, 0, q * sizeof *st->g);
    if (hess)
        memset(st->H, 0, q * q * sizeof *st->H);
    for (size_t c = 0; c < nch; c++) {
        const double *F = slots + c * slot, *g = F + 1, *H = g + q;
        f += F[0];
        for (size_t j = 0; j < q; j++)
            st->g[j] += g[j];
        if (hess)
            for (size_t j = 0; j < q; j++)
                for (size_t l = 0; l <= j; l++)
                    st->H[j * q + l] += H[j * q + l];
    }
    double ww = 0;
    for (size_t j = 0; j < p; j++)
        ww += w[j] * w[j];
    st->f = C * f + 0.5 * ww;
    for (size_t j = 0; j < q; j++)
        st->g[j] = C * st->g[j] + (j < p ? w[j] : 0.0);
    if (hess)
        for (size_t j = 0; j < q; j++)
            for (size_t l = 0; l <= j; l++) {
                double h = C * st->H[j * q + l] + (j == l && j < p ? 1.0 : 0.0);
                st->H[j * q + l] = st->H[l * q + j] = h;
            }
    if (!isfinite(st->f))
        return 1;
    for (size_t j = 0; j < q; j++)
        if (!isfinite(st->g[j]))
            return 1;
    return 0;
}

/* max |gradient| in the original coordinates: d/dw = g_w + mean * g_b. */
static double grad_max(const double *g, const double *mean, size_t p)
{
    double gb = g[p], mx = fabs(gb);
    for (size_t j = 0; j < p; j++) {
        double v = fabs(g[j] + mean[j] * gb);
        if (v > mx)
            mx = v;
    }
    return mx;
}

/* Newton direction D from H D = -G; adds a growing multiple of the identity
 * when H is not numerically positive definite. WORK holds q*q + q. */
static void newton_dir(const double *H, const double *g, size_t q, double *d, double *work)
{
    double hmax = 0;
    for (size_t j = 0; j < q; j++)
        if (H[j * q + j] > hmax)
            hmax = H[j * q + j];
    double mu = 0;
    double *mg = work + q * q;
    for (size_t j = 0; j < q; j++)
        mg[j] = -g[j];
    for (int tries = 0; tries < 40; tries++) {
        memcpy(work, H, q * q * sizeof *work);
        if (cholesky_solve(work, q, mu, mg, d) == 0)
            return;
        mu = mu == 0 ? (hmax > 0 ? hmax : 1.0) * 1e-12 : mu * 10;
    }
    /* Still not: a gradient step scaled by the largest curvature. */
    for (size_t j = 0; j < q; j++)
        d[j] = mg[j] / (hmax > 0 ? hmax : 1.0);
}

static enum sx_status fit_logistic(const struct sx_model_params *params, const struct rowset *rs,
                                   struct sx_model *m, struct sx_err *err)
{
    size_t p = rs->p, q = p + 1, slot = LOGIT_SLOT(q), len;
    size_t nch = chunks_of(rs->n, slot, &len);
    double C = params->C;
    double *mean = calloc(q, sizeof *mean);
    double *slots = malloc(nch * slot * sizeof *slots);
    double *buf = calloc(6 * q + 3 * q * q, sizeof *buf);
    enum sx_status rc = SX_OK;
    if (!mean || !slots || !buf) {
        rc = nomem(err);
        goto out;
    }
    if ((rc = row_means(rs, mean, NULL, err)) != SX_OK)
        goto out;
    /* theta = (w, b) in centred coordinates: z = b + (x - mean).w; the
     * original intercept is b - mean.w. Newton's iterates are the same in
     * either coordinates; centring only conditions H better. */
    double *th = buf, *cand = th + q, *d = cand + q;
    struct logit_state cur = {.g = d + q, .H = d + 2 * q};
    struct logit_state nxt = {.g = cur.H + q * q, .H = cur.H + q * q + q};
    double *work = nxt.H + q * q;   /* q*q + q */
    int e = logit_eval(rs, mean, C, th, 0.0, 1, slots, nch, len, &cur);
    if (e > 0) {
        rc = sx_err_set(err, SX_EINVAL, "the design holds a value that is not finite");
        goto out;
    }
    int it = 0, converged = 0;
    for (;;) {
        double gmax = grad_max(cur.g, mean, p);
        if (gmax <= params->tol) {
            converged = 1;
            break;
        }
        if (it >= params->max_iter)
            break;
        newton_dir(cur.H, cur.g, q, d, work);
        /* A step below the resolution of the coefficients: the gradient is
         * at its rounding floor (large n), no further progress is possible. */
        double dmax = 0, tmax = 0;
        for (size_t j = 0; j < q; j++) {
            if (fabs(d[j]) > dmax)
                dmax = fabs(d[j]);
            if (fabs(th[j]) > tmax)
                tmax = fabs(th[j]);
        }
        if (dmax <= 8 * DBL_EPSILON * tmax) {
            converged = 1;
            break;
        }
        double slope = 0;
        for (size_t j = 0; j < q; j++)
            slope += cur.g[j] * d[j];
        /* Backtracking (Armijo) on the objective; the slack absorbs the
         * rounding of a sum over n rows near the optimum. */
        double t = 1.0, slack = 1e-12 * fabs(cur.f);
        int accepted = 0;
        for (int h = 0; h < 60; h++, t *= 0.5) {
            for (size_t j = 0; j < q; j++)
                cand[j] = th[j] + t * d[j];
            e = logit_eval(rs, mean, C, cand, cand[p], 1, slots, nch, len, &nxt);
            if (e == 0 && nxt.f <= cur.f + 1e-4 * t * slope + slack) {
                accepted = 1;
                break;
            }
        }
        if (!accepted)
            break;              /* no descent left: stop where we are */
        memcpy(th, cand, q * sizeof *th);
        struct logit_state tmp = cur;
        cur = nxt;
        nxt = tmp;
        it++;
    }
    memcpy(m->coef, th, p * sizeof *th);
    double icpt = th[p];
    for (size_t j = 0; j < p; j++)
        icpt -= mean[j] * th[j];
    m->intercept = icpt;
    m->iterations = it;
    m->grad_norm = grad_max(cur.g, mean, p);
    m->converged = converged;
out:
    free(buf);
    free(slots);
    free(mean);
    return rc;
}

/* ---- fit ---- */

enum sx_status sx_model_fit(enum sx_algo a, const struct sx_model_params *params,
                            const struct sx_design *d, const size_t *idx, size_t nidx,
                            struct sx_model *out, struct sx_err *err)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)a > SX_ALGO_LOGISTIC)
        return sx_err_set(err, SX_EINVAL, "unknown algorithm %d", (int)a);
    struct sx_model_params defaults;
    if (!params) {
        sx_model_params_default(&defaults);
        params = &defaults;
    }
    if (!d->y)
        return sx_err_set(err, SX_EINVAL, "the design has no target");
    if (d->p == 0)
        return sx_err_set(err, SX_EINVAL, "the design has no features");
    size_t n = idx ? nidx : d->n;
    if (n < 1)
        return sx_err_set(err, SX_EINVAL, "no rows to fit on");
    if (idx)
        for (size_t k = 0; k < nidx; k++)
            if (idx[k] >= d->n)
                return sx_err_set(err, SX_EINVAL, "row %zu is outside the design (%zu rows)",
                                  idx[k], d->n);
    if (a == SX_ALGO_RIDGE && !(params->alpha >= 0 && isfinite(params->alpha)))
        return sx_err_set(err, SX_EINVAL, "alpha must be >= 0");
    if (a == SX_ALGO_LOGISTIC) {
        if (!(params->C > 0 && isfinite(params->C)) || params->max_iter < 1 ||
            !(params->tol > 0))
            return sx_err_set(err, SX_EINVAL, "C must be > 0, max_iter >= 1 and tol > 0");
        for (size_t k = 0; k < n; k++) {
            double y = d->y[idx ? idx[k] : k];
            if (y != 0.0 && y != 1.0) {
                char buf[32];
                sx_num_format_double(y, buf);
                return sx_err_set(err, SX_EINVAL,
                                  "logistic regression needs a 0/1 target; design row %zu "
                                  "holds %s", (idx ? idx[k] : k) + 1, buf);
            }
        }
    }
    gsl_set_error_handler_off();
    struct rowset rs = {.x = d->x, .y = d->y, .p = d->p, .idx = idx, .n = n};
    out->algo = a;
    out->params = *params;
    out->p = d->p;
    out->rows = n;
    out->names = calloc(d->p, sizeof *out->names);
    out->coef = calloc(d->p, sizeof *out->coef);
    enum sx_status rc = SX_OK;
    if (!out->names || !out->coef || (d->target && !(out->target = strdup(d->target))))
        rc = nomem(err);
    for (size_t j = 0; j < d->p && rc == SX_OK; j++)
        if (!(out->names[j] = strdup(d->names[j])))
            rc = nomem(err);
    if (rc == SX_OK)
        rc = a == SX_ALGO_LOGISTIC ? fit_logistic(params, &rs, out, err)
                                   : fit_linear(a, params, &rs, out, err);
    if (rc != SX_OK)
        sx_model_clear(out);
    return rc;
}

/* ---- predict ---- */

static double inv_link(const struct sx_model *m, double z)
{
    return m->algo == SX_ALGO_LOGISTIC ? 1.0 / (1.0 + exp(-z)) : z;
}

void sx_model_predict(const struct sx_model *m, const struct sx_design *d, const size_t *idx,
                      size_t nidx, double *out)
{
    size_t n = idx ? nidx : d->n;
    for (size_t k = 0; k < n; k++) {
        const double *row = d->x + (idx ? idx[k] : k) * d->p;
        double z = m->intercept;
        for (size_t j = 0; j < m->p; j++)
            z += m->coef[j] * row[j];
        out[k] = inv_link(m, z);
    }
}

enum sx_status sx_model_predict_frame(const struct sx_model *m, const struct sx_frame *f,
                                      double *out, struct sx_err *err)
{
    const struct sx_column **cols = calloc(m->p ? m->p : 1, sizeof *cols);
    if (!cols)
        return nomem(err);
    enum sx_status rc = SX_OK;
    for (size_t j = 0; j < m->p && rc == SX_OK; j++) {
        long c = sx_frame_find(f, m->names[j]);
        if (c < 0)
            rc = sx_err_set(err, SX_ENOTFOUND, "the model's feature '%s' is not in the data",
                            m->names[j]);
        else if (!usable_type(f->cols[c]->type))
            rc = bad_type(f->cols[c], "the model's feature", err);
        else
            cols[j] = f->cols[c];
    }
    if (rc == SX_OK)
        for (size_t i = 0; i < f->nrows; i++) {
            double z = m->intercept;
            for (size_t j = 0; j < m->p; j++)
                z += m->coef[j] * num_at(cols[j], i);
            out[i] = isnan(z) ? NAN : inv_link(m, z);
        }
    free(cols);
    return rc;
}

/* ---- JSON ---- */

json_t *sx_model_json(const struct sx_model *m)
{
    json_t *j = json_object(), *params = json_object(), *feat = json_array(),
           *coef = json_array();
    if (!j || !params || !feat || !coef) {
        json_decref(j);
        json_decref(params);
        json_decref(feat);
        json_decref(coef);
        return NULL;
    }
    if (m->algo == SX_ALGO_RIDGE) {
        sx_json_set(params, "alpha", sx_json_real(m->params.alpha));
    } else if (m->algo == SX_ALGO_LOGISTIC) {
        sx_json_set(params, "C", sx_json_real(m->params.C));
        sx_json_set(params, "max_iter", json_integer(m->params.max_iter));
        sx_json_set(params, "tol", sx_json_real(m->params.tol));
    }
    for (size_t k = 0; k < m->p; k++) {
        json_array_append_new(feat, json_string(m->names[k]));
        json_array_append_new(coef, sx_json_real(m->coef[k]));
    }
    sx_json_set(j, "algo", json_string(sx_algo_name(m->algo)));
    sx_json_set(j, "params", params);
    sx_json_set(j, "target", m->target ? json_string(m->target) : json_null());
    sx_json_set(j, "features", feat);
    sx_json_set(j, "coefficients", coef);
    sx_json_set(j, "intercept", sx_json_real(m->intercept));
    sx_json_set(j, "rows", json_integer((json_int_t)m->rows));
    sx_json_set(j, "rank", json_integer((json_int_t)m->rank));
    sx_json_set(j, "iterations", json_integer(m->iterations));
    sx_json_set(j, "grad_norm", sx_json_real(m->grad_norm));
    sx_json_set(j, "converged", json_boolean(m->converged));
    if (json_array_size(feat) != m->p || json_array_size(coef) != m->p ||
        json_object_size(j) != 11) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* A number as sx_json_real writes it: a number, null (NaN) or "inf"/"-inf". */
static int json_num(const json_t *v, double *out)
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
        const char *s = json_string_value(v);
        if (strcmp(s, "inf") == 0 || strcmp(s, "-inf") == 0) {
            *out = s[0] == '-' ? -INFINITY : INFINITY;
            return 1;
        }
    }
    return 0;
}

static enum sx_status bad_key(struct sx_err *err, const char *key)
{
    return sx_err_set(err, SX_EPARSE, "model JSON: bad or missing \"%s\"", key);
}

enum sx_status sx_model_from_json(const json_t *j, struct sx_model *out, struct sx_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(j))
        return sx_err_set(err, SX_EPARSE, "model JSON: not an object");
    const json_t *v = json_object_get(j, "algo");
    if (!json_is_string(v) || sx_algo_parse(json_string_value(v), &out->algo, NULL) != SX_OK)
        return bad_key(err, "algo");
    sx_model_params_default(&out->params);
    const json_t *params = json_object_get(j, "params");
    if (params && !json_is_object(params))
        return bad_key(err, "params");
    if (params) {
        const char *key;
        const json_t *pv;
        json_object_foreach((json_t *)params, key, pv) {
            double x;
            if (strcmp(key, "max_iter") == 0) {
                if (!json_is_integer(pv) || json_integer_value(pv) < 1 ||
                    json_integer_value(pv) > INT_MAX)
                    return bad_key(err, "params.max_iter");
                out->params.max_iter = (int)json_integer_value(pv);
            } else if (strcmp(key, "alpha") == 0 && json_num(pv, &x) && x >= 0) {
                out->params.alpha = x;
            } else if (strcmp(key, "C") == 0 && json_num(pv, &x) && x > 0) {
                out->params.C = x;
            } else if (strcmp(key, "tol") == 0 && json_num(pv, &x) && x > 0) {
                out->params.tol = x;
            } else {
                char name[128];
                snprintf(name, sizeof name, "params.%s", key);
                return bad_key(err, name);
            }
        }
    }
    const json_t *feat = json_object_get(j, "features"), *coef = json_object_get(j, "coefficients");
    if (!json_is_array(feat))
        return bad_key(err, "features");
    if (!json_is_array(coef) || json_array_size(coef) != json_array_size(feat))
        return bad_key(err, "coefficients");
    size_t p = json_array_size(feat);
    enum sx_status rc = SX_OK;
    out->p = p;
    out->names = calloc(p ? p : 1, sizeof *out->names);
    out->coef = calloc(p ? p : 1, sizeof *out->coef);
    if (!out->names || !out->coef)
        rc = nomem(err);
    for (size_t k = 0; k < p && rc == SX_OK; k++) {
        const json_t *fv = json_array_get(feat, k);
        if (!json_is_string(fv))
            rc = bad_key(err, "features");
        else if (!(out->names[k] = strdup(json_string_value(fv))))
            rc = nomem(err);
        else if (!json_num(json_array_get(coef, k), &out->coef[k]))
            rc = bad_key(err, "coefficients");
    }
    if (rc == SX_OK && !json_num(json_object_get(j, "intercept"), &out->intercept))
        rc = bad_key(err, "intercept");
    v = json_object_get(j, "target");
    if (rc == SX_OK && v && !json_is_null(v)) {
        if (!json_is_string(v))
            rc = bad_key(err, "target");
        else if (!(out->target = strdup(json_string_value(v))))
            rc = nomem(err);
    }
    static const char *const counts[] = {"rows", "rank", "iterations"};
    for (size_t k = 0; k < 3 && rc == SX_OK; k++) {
        v = json_object_get(j, counts[k]);
        if (!v)
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            (k == 2 && json_integer_value(v) > INT_MAX)) {
            rc = bad_key(err, counts[k]);
            break;
        }
        json_int_t x = json_integer_value(v);
        if (k == 0)
            out->rows = (size_t)x;
        else if (k == 1)
            out->rank = (size_t)x;
        else
            out->iterations = (int)x;
    }
    out->grad_norm = NAN;
    v = json_object_get(j, "grad_norm");
    if (rc == SX_OK && v && !json_num(v, &out->grad_norm))
        rc = bad_key(err, "grad_norm");
    v = json_object_get(j, "converged");
    out->converged = 1;
    if (rc == SX_OK && v) {
        if (!json_is_boolean(v))
            rc = bad_key(err, "converged");
        else
            out->converged = json_is_true(v);
    }
    if (rc != SX_OK)
        sx_model_clear(out);
    return rc;
}

/* ---- SQL ---- */

static enum sx_status sql_number(struct sx_sb *b, double v, const char *what, struct sx_err *err)
{
    if (!isfinite(v))
        return sx_err_set(err, SX_EINVAL, "the %s is %s, which SQL cannot express", what,
                          isnan(v) ? "undefined" : "infinite");
    sx_sql_put_double(b, v);
    return SX_OK;
}

char *sx_model_sql_expr(const struct sx_model *m, enum sx_sql_dialect d, struct sx_err *err)
{
    struct sx_sb b = {0};
    enum sx_status rc = SX_OK;
    int logit = m->algo == SX_ALGO_LOGISTIC;
    if (logit)
        sx_sb_puts(&b, "1.0/(1.0+exp(-(");
    rc = sql_number(&b, m->intercept, "intercept", err);
    for (size_t j = 0; j < m->p && rc == SX_OK; j++) {
        char what[64];
        snprintf(what, sizeof what, "coefficient %zu", j + 1);
        sx_sb_puts(&b, " + ");
        rc = sql_number(&b, m->coef[j], what, err);
        sx_sb_puts(&b, " * ");
        sx_sql_put_ident(&b, m->names[j], d);
    }
    if (logit)
        sx_sb_puts(&b, ")))");
    if (rc != SX_OK) {
        free(b.s);
        return NULL;
    }
    char *s = sx_sb_take(&b);
    if (!s)
        nomem(err);
    return s;
}

char *sx_model_sql(const struct sx_model *m, const struct sx_ffit *fit, enum sx_sql_dialect d,
                   const char *table, struct sx_err *err)
{
    if (!table || !*table) {
        sx_err_set(err, SX_EINVAL, "no table name");
        return NULL;
    }
    char *expr = sx_model_sql_expr(m, d, err);
    if (!expr)
        return NULL;
    struct sx_sb b = {0};
    if (m->algo == SX_ALGO_LOGISTIC)
        sx_sb_puts(&b, "SELECT *, CASE WHEN ");
    if (m->algo == SX_ALGO_LOGISTIC) {
        sx_sql_put_ident(&b, "prediction", d);
        sx_sb_puts(&b, " > 0.5 THEN 1 WHEN ");
        sx_sql_put_ident(&b, "prediction", d);
        sx_sb_puts(&b, " <= 0.5 THEN 0 END AS ");
        sx_sql_put_ident(&b, "label", d);
        sx_sb_puts(&b, "\nFROM (");
    }
    sx_sb_printf(&b, "SELECT *, %s AS ", expr);
    sx_sql_put_ident(&b, "prediction", d);
    sx_sb_puts(&b, "\nFROM ");
    free(expr);
    if (fit) {
        char *inner = sx_features_sql(fit, SX_FMODE_INFERENCE, d, table, err);
        if (!inner) {
            free(b.s);
            return NULL;
        }
        sx_sb_printf(&b, "(\n%s\n) AS sx_features", inner);
        free(inner);
    } else {
        sx_sql_put_table(&b, table, d);
    }
    if (m->algo == SX_ALGO_LOGISTIC)
        sx_sb_puts(&b, ") AS sx_model");
    char *s = sx_sb_take(&b);
    if (!s)
        nomem(err);
    return s;
}
