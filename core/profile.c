/* core/profile.c: per-column profiles of an sx_frame as pandas describe
 * gives them (../shared/STATS.md sections 2, 6, 9), top-k frequency tables,
 * histograms, grouped profiles, the Pearson correlation matrix, and their
 * JSON form. Pure computation: no I/O, no store, no curses.
 *
 * Columns (and, for grouped profiles, group x column pairs) are profiled in
 * parallel by a small pool of pthreads pulling tasks from an atomic counter.
 * A numeric column costs: one pass gathering its present values into a
 * scratch array, one pass for sum (pairwise, as numpy adds), min and max,
 * one pass for the squared deviations and the histogram, and a progressive
 * selection for the quartiles instead of a full sort: bucket counts taken
 * in the deviation pass find the few buckets holding the needed order
 * statistics, and an introselect runs on those values only.
 *
 * The mean is the sum in numpy's pairwise order divided by the count, as
 * pandas computes it (pandas does not use bottleneck for means); std is
 * two-pass like bottleneck's nanstd. A present float cell holding NaN
 * counts as missing, as it would in pandas.
 *
 * Grouped profiles leave the grouping column out of each group's profile
 * (as pandas groupby().describe() does); their JSON "rows" is the number of
 * rows in some group (rows with a missing label are in none). */
#include "profile.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dates.h"
#include "json.h"

/* At most this many tied candidates for top are kept (an all-distinct text
 * column would otherwise list every value). */
#define MAX_TIES 100

void sx_profile_opts_init(struct sx_profile_opts *o)
{
    o->topk = 10;
    o->bins = 20;
    o->threads = 0;
}

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int is_numeric_type(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_DATE;
}

static int is_categorical_type(enum sx_type t)
{
    return t == SX_CATEGORY || t == SX_TEXT || t == SX_BOOL;
}

static void col_profile_clear(struct sx_col_profile *cp)
{
    free(cp->name);
    free(cp->top);
    for (size_t i = 0; i < cp->nties; i++) free(cp->ties[i]);
    free(cp->ties);
    for (size_t i = 0; i < cp->ntopk; i++) free(cp->topk[i].value);
    free(cp->topk);
    free(cp->hist);
    memset(cp, 0, sizeof *cp);
}

static void col_profile_init(struct sx_col_profile *cp, enum sx_type t, enum sx_date_unit unit)
{
    memset(cp, 0, sizeof *cp);
    cp->type = t;
    cp->unit = t == SX_DATE ? unit : SX_DAYS;
    cp->numeric = is_numeric_type(t);
    cp->categorical = is_categorical_type(t);
    cp->mean = cp->std = cp->min = cp->p25 = cp->p50 = cp->p75 = cp->max = NAN;
}

void sx_profile_free(struct sx_profile *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->ncols; i++) col_profile_clear(&p->cols[i]);
    free(p->cols);
    free(p);
}

/* ---- quantiles (STATS.md section 2) ---- */

/* numpy's _lerp. */
static double lerp(double a, double b, double g)
{
    double d = b - a;
    return g >= 0.5 ? b - d * (1 - g) : a + d * g;
}

double sx_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0 || isnan(q)) return NAN;
    double v = (double)(n - 1) * q;
    if (v >= (double)(n - 1)) return sorted[n - 1];
    if (v < 0) return sorted[0];
    double fi = floor(v);
    size_t i = (size_t)fi;
    return lerp(sorted[i], sorted[i + 1], v - fi);
}

static void swapd(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rearrange X[LO..HI) (no NaN) so that X[K] holds the value a sort of the
 * range would put there, nothing after it is smaller and nothing before it
 * larger. Quickselect with median-of-three pivots and Hoare partitioning
 * (stops on equal keys, so runs of ties split evenly); past a depth limit
 * the rest of the range is sorted, which bounds the work by n log n. */
static void select_kth(double *x, size_t lo, size_t hi, size_t k)
{
    size_t depth = 0;
    for (size_t m = hi - lo; m > 1; m >>= 1) depth += 2;
    while (hi - lo > 16) {
        if (depth-- == 0) {
            qsort(x + lo, hi - lo, sizeof *x, cmp_double);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < x[lo]) swapd(&x[mid], &x[lo]);
        if (x[hi - 1] < x[mid]) {
            swapd(&x[hi - 1], &x[mid]);
            if (x[mid] < x[lo]) swapd(&x[mid], &x[lo]);
        }
        /* x[lo] <= x[mid] <= x[hi-1]: park the pivot at hi-2. */
        swapd(&x[mid], &x[hi - 2]);
        double p = x[hi - 2];
        size_t i = lo, j = hi - 2;
        for (;;) {
            while (x[++i] < p) {}
            while (p < x[--j]) {}
            if (i >= j) break;
            swapd(&x[i], &x[j]);
        }
        swapd(&x[i], &x[hi - 2]);
        if (k == i) return;
        if (k < i) hi = i;
        else lo = i + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) {
        double v = x[i];
        size_t j = i;
        while (j > lo && x[j - 1] > v) {
            x[j] = x[j - 1];
            j--;
        }
        x[j] = v;
    }
}

/* Rearrange X[0..N-1] so that X[K] holds its sorted-order value for each K
 * in KS[0..NK-1] (ascending, distinct). Each order statistic is selected in
 * the part right of the previous one; one right after a selected one is the
 * minimum of the rest. */
static void select_ascending(double *x, size_t n, const size_t *ks, size_t nk)
{
    size_t lo = 0;
    for (size_t t = 0; t < nk; t++) {
        size_t k = ks[t];
        if (k == lo) {
            size_t best = lo;
            for (size_t i = lo + 1; i < n; i++)
                if (x[i] < x[best]) best = i;
            swapd(&x[lo], &x[best]);
        } else {
            select_kth(x, lo, n, k);
        }
        lo = k + 1;
    }
}

/* Buckets that narrow the selection: B(v) = min(QB-1, trunc((v-lo)*scale))
 * never decreases as v grows (each rounded step is monotone), so every
 * value of a lower bucket sorts before every value of a higher one, and the
 * K-th smallest value lies in the bucket where the running count passes K. */
#define QB 4096
struct qbuckets {
    int on;
    double lo, scale;
    uint64_t cnt[QB];
};

static void qb_init(struct qbuckets *q, double mn, double mx)
{
    q->lo = mn;
    q->scale = (double)QB / (mx - mn);
    q->on = isfinite(q->scale) && q->scale > 0;
    if (q->on) memset(q->cnt, 0, sizeof q->cnt);
}

static inline size_t qb_index(const struct qbuckets *q, double v)
{
    double f = (v - q->lo) * q->scale;
    return f >= (double)QB ? QB - 1 : (size_t)f;
}

/* The 25%, 50% and 75% quantiles of X[0..N-1] (N >= 1, no NaN; X is
 * reordered), equal to numpy's on the sorted values. MAX is the largest
 * value; Q, when on, holds the bucket counts of X. */
static void quartiles(double *x, size_t n, double max, const struct qbuckets *q,
                      double out[3])
{
    static const double qs[3] = {0.25, 0.5, 0.75};
    size_t need[6], pos[6], nneed = 0;
    double v[3];
    for (int t = 0; t < 3; t++) {
        v[t] = (double)(n - 1) * qs[t];
        if (v[t] >= (double)(n - 1)) continue;
        size_t i = (size_t)floor(v[t]);
        for (size_t k = i; k <= i + 1; k++)
            if (nneed == 0 || need[nneed - 1] < k) need[nneed++] = k;
    }
    size_t m = n;
    for (size_t t = 0; t < nneed; t++) pos[t] = need[t];
    if (q && q->on && nneed) {
        /* The bucket of each needed rank, and its rank among the values of
         * the needed buckets once those are moved to the front. */
        unsigned char mark[QB] = {0};
        size_t t = 0, front = 0;
        uint64_t cum = 0;
        for (size_t b = 0; b < QB && t < nneed; b++) {
            uint64_t c = q->cnt[b];
            if (t < nneed && need[t] < cum + c) {
                while (t < nneed && need[t] < cum + c) {
                    pos[t] = front + (size_t)(need[t] - cum);
                    t++;
                }
                mark[b] = 1;
                front += c;
            }
            cum += c;
        }
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (mark[qb_index(q, x[i])]) swapd(&x[i], &x[m++]);
    }
    select_ascending(x, m, pos, nneed);
    for (int t = 0; t < 3; t++) {
        if (v[t] >= (double)(n - 1)) {
            out[t] = max;
            continue;
        }
        double fi = floor(v[t]);
        size_t i = (size_t)fi, a = 0;
        while (need[a] != i) a++;
        out[t] = lerp(x[pos[a]], x[pos[a + 1]], v[t] - fi);
    }
}

/* Sorted rank positions ascending without repeats; insertion keeps it
 * short (each quantile needs two ranks). */
static size_t add_rank(size_t *need, size_t n, size_t k)
{
    size_t i = n;
    while (i > 0 && need[i - 1] > k) i--;
    if (i > 0 && need[i - 1] == k) return n;
    memmove(need + i + 1, need + i, (n - i) * sizeof *need);
    need[i] = k;
    return n + 1;
}

int sx_quantiles_select(double *x, size_t n, const double *qs, size_t nq, double *out)
{
    if (nq == 0) return 0;
    if (n == 0) {
        for (size_t t = 0; t < nq; t++) out[t] = NAN;
        return 0;
    }
    size_t *need = malloc(2 * nq * sizeof *need);
    if (!need) return -1;
    size_t nneed = 0;
    for (size_t t = 0; t < nq; t++) {
        double v = (double)(n - 1) * qs[t];
        if (!(v < (double)(n - 1))) {
            nneed = add_rank(need, nneed, n - 1);
            continue;
        }
        size_t i = v < 0 ? 0 : (size_t)floor(v);
        nneed = add_rank(need, nneed, i);
        nneed = add_rank(need, nneed, i + 1);
    }
    select_ascending(x, n, need, nneed);
    for (size_t t = 0; t < nq; t++) {
        double v = (double)(n - 1) * qs[t];
        if (isnan(qs[t])) out[t] = NAN;
        else if (v >= (double)(n - 1)) out[t] = x[n - 1];
        else if (v < 0) out[t] = x[0];
        else {
            double fi = floor(v);
            size_t i = (size_t)fi;
            out[t] = lerp(x[i], x[i + 1], v - fi);
        }
    }
    free(need);
    return 0;
}

/* ---- numeric columns ---- */

struct scratch {
    double *x;
    size_t cap;
    struct qbuckets qb;
};

static int scratch_grow(struct scratch *s, size_t n)
{
    if (n <= s->cap) return 0;
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) return -1;
    free(s->x);
    s->x = x;
    s->cap = n;
    return 0;
}

/* Sum of A[0..N-1] in numpy's pairwise order (blocks of 128 with eight
 * accumulators), tracking the minimum and maximum on the way. */
static double pairwise_sum(const double *a, size_t n, double *mn, double *mx)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++) {
            res += a[i];
            if (a[i] < *mn) *mn = a[i];
            if (a[i] > *mx) *mx = a[i];
        }
        return res;
    }
    if (n <= 128) {
        double r[8], lo = *mn, hi = *mx;
        size_t i;
        for (int j = 0; j < 8; j++) {
            r[j] = a[j];
            if (a[j] < lo) lo = a[j];
            if (a[j] > hi) hi = a[j];
        }
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int j = 0; j < 8; j++) {
                double v = a[i + (size_t)j];
                r[j] += v;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) {
            res += a[i];
            if (a[i] < lo) lo = a[i];
            if (a[i] > hi) hi = a[i];
        }
        *mn = lo;
        *mx = hi;
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    double s1 = pairwise_sum(a, n2, mn, mx);
    return s1 + pairwise_sum(a + n2, n - n2, mn, mx);
}

/* Copy the present (and, for floats, non-NaN) values of C at ROWS[0..N-1]
 * (ROWS NULL: cells 0..N-1) into X as doubles. Returns how many. */
#define GATHER(EXPR)                                                             \
    do {                                                                         \
        if (rows) {                                                              \
            for (size_t k = 0; k < n; k++) {                                     \
                size_t r = rows[k];                                              \
                if (sx_col_valid(c, r)) {                                        \
                    double v = (EXPR);                                           \
                    x[m] = v;                                                    \
                    m += (v == v);                                               \
                }                                                                \
            }                                                                    \
        } else {                                                                 \
            for (size_t base = 0; base < n; base += 64) {                        \
                uint64_t bits = c->valid[base >> 6];                             \
                if (n - base < 64) bits &= (UINT64_C(1) << (n - base)) - 1;      \
                if (bits == UINT64_MAX) {                                        \
                    for (size_t r = base; r < base + 64; r++) {                  \
                        double v = (EXPR);                                       \
                        x[m] = v;                                                \
                        m += (v == v);                                           \
                    }                                                            \
                } else {                                                         \
                    while (bits) {                                               \
                        size_t r = base + (size_t)__builtin_ctzll(bits);         \
                        bits &= bits - 1;                                        \
                        double v = (EXPR);                                       \
                        x[m] = v;                                                \
                        m += (v == v);                                           \
                    }                                                            \
                }                                                                \
            }                                                                    \
        }                                                                        \
    } while (0)

static size_t gather(const struct sx_column *c, const size_t *rows, size_t n, double *x)
{
    size_t m = 0;
    switch (c->type) {
    case SX_FLOAT: {
        const double *a = c->v.f64;
        GATHER(a[r]);
        break;
    }
    case SX_INT:
    case SX_DATE: {
        const int64_t *a = c->v.i64;
        GATHER((double)a[r]);
        break;
    }
    default:
        break;
    }
    return m;
}
#undef GATHER

/* numpy's histogram_bin_edges(bins=B) over [LO, HI] and np.histogram's
 * assignment (STATS.md section 6). */
struct hist {
    double lo, hi, norm;
    double *edges;            /* B + 1 */
    size_t nb;
    int fast;
};

static int hist_init(struct hist *h, double mn, double mx, size_t nb)
{
    double lo = mn, hi = mx;
    if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
    }
    h->edges = malloc((nb + 1) * sizeof *h->edges);
    if (!h->edges) return -1;
    h->nb = nb;
    h->lo = lo;
    h->hi = hi;
    double delta = hi - lo, step = delta / (double)nb;
    for (size_t i = 0; i < nb; i++) {
        if (step == 0)   /* numpy linspace's path for subnormal spans */
            h->edges[i] = (double)i / (double)nb * delta + lo;
        else
            h->edges[i] = (double)i * step + lo;
    }
    h->edges[nb] = hi;
    h->norm = (double)nb / delta;
    h->fast = isfinite(h->norm) && h->norm > 0;
    return 0;
}

/* Bin of V (LO <= V <= HI): the I with edges[I] <= V < edges[I+1], the last
 * bin closed. */
static size_t hist_bin(const struct hist *h, double v)
{
    const double *e = h->edges;
    size_t nb = h->nb, i;
    if (h->fast) {
        double f = (v - h->lo) * h->norm;
        i = f >= (double)nb ? nb - 1 : (size_t)f;
        while (i > 0 && v < e[i]) i--;
        while (i + 1 < nb && v >= e[i + 1]) i++;
        return i;
    }
    /* Number of inner edges e[1..nb-1] at or below V. */
    size_t a = 1, b = nb;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (e[mid] <= v) a = mid + 1;
        else b = mid;
    }
    i = a - 1;
    return i < nb ? i : nb - 1;
}

static enum sx_status numeric_profile(const struct sx_column *c, const size_t *rows, size_t n,
                                      const struct sx_profile_opts *o, struct scratch *s,
                                      struct sx_col_profile *cp)
{
    if (scratch_grow(s, n)) return SX_ENOMEM;
    double *x = s->x;
    size_t m = gather(c, rows, n, x);
    cp->count = m;
    cp->missing = n - m;
    if (m == 0) return SX_OK;

    double mn = x[0], mx = x[0];
    double sum = pairwise_sum(x, m, &mn, &mx);
    double mean = sum / (double)m;
    cp->mean = mean;
    cp->min = mn;
    cp->max = mx;

    struct hist h = {0};
    int want_hist = o->bins > 0 && isfinite(mn) && isfinite(mx);
    if (want_hist) {
        if (hist_init(&h, mn, mx, o->bins)) return SX_ENOMEM;
        cp->hist = calloc(o->bins, sizeof *cp->hist);
        if (!cp->hist) {
            free(h.edges);
            return SX_ENOMEM;
        }
        cp->nbins = o->bins;
    }
    struct qbuckets *qb = &s->qb;
    qb_init(qb, mn, mx);
    double ss = 0;
    if (want_hist && qb->on) {
        for (size_t i = 0; i < m; i++) {
            double d = x[i] - mean;
            ss += d * d;
            cp->hist[hist_bin(&h, x[i])]++;
            qb->cnt[qb_index(qb, x[i])]++;
        }
    } else {
        for (size_t i = 0; i < m; i++) {
            double d = x[i] - mean;
            ss += d * d;
            if (want_hist) cp->hist[hist_bin(&h, x[i])]++;
            if (qb->on) qb->cnt[qb_index(qb, x[i])]++;
        }
    }
    free(h.edges);
    cp->std = m < 2 ? NAN : sqrt(ss / (double)(m - 1));

    double q[3];
    quartiles(x, m, mx, qb, q);
    cp->p25 = q[0];
    cp->p50 = q[1];
    cp->p75 = q[2];
    return SX_OK;
}

/* ---- hash map of distinct values (text cells, int64 keys) ---- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 31;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 29;
    h *= UINT64_C(0x94d049bb133111eb);
    h ^= h >> 32;
    return h;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * UINT64_C(0xbf58476d1ce4e5b9);
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    return mix64(h ^ w);
}

/* Distinct values, in first-seen order. Each entry remembers one row that
 * holds it; equality is by the cells' text (TEXT) or int64 (INT). */
struct vmap_ent {
    uint64_t hash;
    size_t row;
    uint64_t count;
};
struct vmap {
    const struct sx_column *c;
    struct vmap_ent *e;
    size_t n, cap;
    uint32_t *slots;          /* entry + 1, 0 = empty */
    size_t nslots;            /* power of two */
};

static void vmap_free(struct vmap *m)
{
    free(m->e);
    free(m->slots);
}

static uint64_t vmap_hash(const struct sx_column *c, size_t r)
{
    if (c->type == SX_TEXT) {
        const char *s = sx_col_str(c, r);
        return hash_bytes(s, strlen(s));
    }
    return mix64((uint64_t)c->v.i64[r] + UINT64_C(0x9e3779b97f4a7c15));
}

static int vmap_same(const struct sx_column *c, size_t a, size_t b)
{
    if (c->type == SX_TEXT) return strcmp(sx_col_str(c, a), sx_col_str(c, b)) == 0;
    return c->v.i64[a] == c->v.i64[b];
}

static int vmap_rehash(struct vmap *m, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < m->n; i++) {
        size_t j = (size_t)m->e[i].hash & (nslots - 1);
        while (slots[j]) j = (j + 1) & (nslots - 1);
        slots[j] = (uint32_t)(i + 1);
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = nslots;
    return 0;
}

/* The entry index of row R's value, adding it when new; SIZE_MAX on ENOMEM. */
static size_t vmap_add(struct vmap *m, size_t r)
{
    if ((m->n + 1) * 2 > m->nslots && vmap_rehash(m, m->nslots ? m->nslots * 2 : 64))
        return SIZE_MAX;
    if (m->n >= UINT32_MAX - 1) return SIZE_MAX;
    uint64_t h = vmap_hash(m->c, r);
    size_t j = (size_t)h & (m->nslots - 1);
    for (;;) {
        uint32_t s = m->slots[j];
        if (!s) break;
        struct vmap_ent *e = &m->e[s - 1];
        if (e->hash == h && vmap_same(m->c, e->row, r)) return s - 1;
        j = (j + 1) & (m->nslots - 1);
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct vmap_ent *e = realloc(m->e, cap * sizeof *e);
        if (!e) return SIZE_MAX;
        m->e = e;
        m->cap = cap;
    }
    m->e[m->n] = (struct vmap_ent){h, r, 0};
    m->slots[j] = (uint32_t)(m->n + 1);
    return m->n++;
}

/* ---- categorical columns ---- */

/* One distinct value: its count, its first position in the rows profiled,
 * and a key to find its text (a dictionary code, a bool, or a row). */
struct item {
    uint64_t count;
    uint64_t first;
    size_t key;
};

static const char *item_text(const struct sx_column *c, const struct item *it)
{
    switch (c->type) {
    case SX_CATEGORY: return c->dict->str[it->key];
    case SX_BOOL: return it->key ? "true" : "false";
    case SX_TEXT: return sx_col_str(c, it->key);
    default: return "";
    }
}

/* True when A ranks before B in a frequency table. */
static int item_before(const struct item *a, const struct item *b)
{
    return a->count > b->count || (a->count == b->count && a->first < b->first);
}

static int cmp_item_first(const void *a, const void *b)
{
    uint64_t x = ((const struct item *)a)->first, y = ((const struct item *)b)->first;
    return (x > y) - (x < y);
}

/* unique, top, freq, ties and topk from the distinct values IT[0..M-1]. */
static enum sx_status finish_categorical(const struct sx_column *c, struct item *it, size_t m,
                                         const struct sx_profile_opts *o,
                                         struct sx_col_profile *cp)
{
    cp->unique = m;
    if (m == 0) return SX_OK;
    uint64_t best = 0;
    for (size_t i = 0; i < m; i++)
        if (it[i].count > best) best = it[i].count;
    cp->freq = best;

    /* Ties in first-seen order. */
    size_t nt = 0, sorted = 1;
    uint64_t prev = 0;
    for (size_t i = 0; i < m; i++) {
        if (it[i].count != best) continue;
        if (nt && it[i].first < prev) sorted = 0;
        prev = it[i].first;
        nt++;
    }
    struct item *tied = malloc(nt * sizeof *tied);
    if (!tied) return SX_ENOMEM;
    for (size_t i = 0, j = 0; i < m; i++)
        if (it[i].count == best) tied[j++] = it[i];
    if (!sorted) qsort(tied, nt, sizeof *tied, cmp_item_first);
    size_t keep = nt < MAX_TIES ? nt : MAX_TIES;
    cp->ties = calloc(keep, sizeof *cp->ties);
    if (!cp->ties) {
        free(tied);
        return SX_ENOMEM;
    }
    for (size_t i = 0; i < keep; i++) {
        if (!(cp->ties[i] = xstrdup(item_text(c, &tied[i])))) {
            free(tied);
            return SX_ENOMEM;
        }
        cp->nties = i + 1;
    }
    free(tied);
    if (!(cp->top = xstrdup(cp->ties[0]))) return SX_ENOMEM;

    /* Top K by count desc, then first seen: insertion into a short list. */
    size_t k = o->topk < m ? o->topk : m;
    if (k == 0) return SX_OK;
    struct item *top = malloc(k * sizeof *top);
    if (!top) return SX_ENOMEM;
    size_t nk = 0;
    for (size_t i = 0; i < m; i++) {
        if (nk == k && !item_before(&it[i], &top[k - 1])) continue;
        size_t j = nk < k ? nk++ : k - 1;
        while (j > 0 && item_before(&it[i], &top[j - 1])) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = it[i];
    }
    cp->topk = calloc(nk, sizeof *cp->topk);
    if (!cp->topk) {
        free(top);
        return SX_ENOMEM;
    }
    for (size_t i = 0; i < nk; i++) {
        if (!(cp->topk[i].value = xstrdup(item_text(c, &top[i])))) {
            free(top);
            return SX_ENOMEM;
        }
        cp->topk[i].count = top[i].count;
        cp->ntopk = i + 1;
    }
    free(top);
    return SX_OK;
}

static enum sx_status categorical_profile(const struct sx_column *c, const size_t *rows,
                                          size_t n, const struct sx_profile_opts *o,
                                          struct sx_col_profile *cp)
{
    enum sx_status rc = SX_OK;
    struct item *it = NULL;
    size_t m = 0;
    uint64_t count = 0;

    if (c->type == SX_CATEGORY || c->type == SX_BOOL) {
        size_t nk = c->type == SX_BOOL ? 2 : (c->dict ? c->dict->n : 0);
        uint64_t *cnt = calloc(nk ? nk : 1, sizeof *cnt);
        uint64_t *first = malloc((nk ? nk : 1) * sizeof *first);
        if (!cnt || !first) {
            free(cnt);
            free(first);
            return SX_ENOMEM;
        }
        for (size_t k = 0; k < n; k++) {
            size_t r = rows ? rows[k] : k;
            if (!sx_col_valid(c, r)) continue;
            size_t code = c->type == SX_BOOL ? (c->v.b[r] != 0) : c->v.cat[r];
            if (code >= nk) {
                free(cnt);
                free(first);
                return SX_EINVAL;
            }
            if (cnt[code]++ == 0) first[code] = k;
            count++;
        }
        for (size_t i = 0; i < nk; i++) m += cnt[i] > 0;
        it = malloc((m ? m : 1) * sizeof *it);
        if (!it) {
            free(cnt);
            free(first);
            return SX_ENOMEM;
        }
        for (size_t i = 0, j = 0; i < nk; i++)
            if (cnt[i]) it[j++] = (struct item){cnt[i], first[i], i};
        free(cnt);
        free(first);
    } else {
        struct vmap vm = {.c = c};
        for (size_t k = 0; k < n; k++) {
            size_t r = rows ? rows[k] : k;
            if (!sx_col_valid(c, r)) continue;
            size_t e = vmap_add(&vm, r);
            if (e == SIZE_MAX) {
                vmap_free(&vm);
                return SX_ENOMEM;
            }
            vm.e[e].count++;
            count++;
        }
        m = vm.n;
        it = malloc((m ? m : 1) * sizeof *it);
        if (!it) {
            vmap_free(&vm);
            return SX_ENOMEM;
        }
        for (size_t i = 0; i < m; i++) it[i] = (struct item){vm.e[i].count, i, vm.e[i].row};
        vmap_free(&vm);
    }
    cp->count = count;
    cp->missing = n - count;
    rc = finish_categorical(c, it, m, o, cp);
    free(it);
    return rc;
}

/* ---- tasks and the thread pool ---- */

struct task {
    const struct sx_column *col;
    const size_t *rows;       /* NULL: all cells */
    size_t n;
    struct sx_col_profile *out;
    double cost;
};

struct pool {
    void *ctx;
    enum sx_status (*run)(void *ctx, size_t i, struct scratch *s);
    size_t ntasks;
    atomic_size_t next;
    atomic_int status;        /* first failure, SX_OK while none */
};

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    struct scratch s = {0};
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->ntasks || atomic_load(&p->status) != SX_OK) break;
        enum sx_status rc = p->run(p->ctx, i, &s);
        if (rc != SX_OK) {
            int expect = SX_OK;
            atomic_compare_exchange_strong(&p->status, &expect, (int)rc);
        }
    }
    free(s.x);
    return NULL;
}

static size_t online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* Run RUN(CTX, i) for i in 0..NTASKS-1 on up to THREADS threads (0 = online
 * CPUs), the calling thread included. Returns the first failure. */
static enum sx_status pool_run(void *ctx, size_t ntasks, int threads,
                               enum sx_status (*run)(void *, size_t, struct scratch *))
{
    struct pool p = {.ctx = ctx, .run = run, .ntasks = ntasks};
    atomic_init(&p.next, 0);
    atomic_init(&p.status, SX_OK);
    size_t nt = threads > 0 ? (size_t)threads : online_cpus();
    if (nt > ntasks) nt = ntasks;
    if (nt > 64) nt = 64;
    pthread_t tid[64];
    size_t started = 0;
    for (size_t i = 1; i < nt; i++) {
        if (pthread_create(&tid[started], NULL, pool_worker, &p) != 0) break;
        started++;
    }
    pool_worker(&p);
    for (size_t i = 0; i < started; i++) pthread_join(tid[i], NULL);
    return (enum sx_status)atomic_load(&p.status);
}

struct profile_job {
    struct task *tasks;
    size_t *order;            /* tasks by cost, highest first */
    const struct sx_profile_opts *opts;
};

static enum sx_status profile_task(void *ctx, size_t i, struct scratch *s)
{
    struct profile_job *job = ctx;
    struct task *t = &job->tasks[job->order[i]];
    const struct sx_column *c = t->col;
    struct sx_col_profile *cp = t->out;
    col_profile_init(cp, c->type, c->unit);
    if (!(cp->name = xstrdup(c->name))) return SX_ENOMEM;
    if (cp->numeric) return numeric_profile(c, t->rows, t->n, job->opts, s, cp);
    return categorical_profile(c, t->rows, t->n, job->opts, cp);
}

static double task_cost(const struct sx_column *c, size_t n)
{
    switch (c->type) {
    case SX_FLOAT: case SX_INT: case SX_DATE: return 6.0 * (double)n;
    case SX_TEXT: return 4.0 * (double)n;
    case SX_CATEGORY: return 1.0 * (double)n;
    default: return 0.5 * (double)n;
    }
}

struct ranked {
    double cost;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Profile TASKS[0..N-1] in parallel, the costliest first. */
static enum sx_status run_tasks(struct task *tasks, size_t n, const struct sx_profile_opts *o)
{
    if (n == 0) return SX_OK;
    struct ranked *rk = malloc(n * sizeof *rk);
    size_t *order = malloc(n * sizeof *order);
    if (!rk || !order) {
        free(rk);
        free(order);
        return SX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) rk[i] = (struct ranked){tasks[i].cost, i};
    qsort(rk, n, sizeof *rk, cmp_ranked);
    for (size_t i = 0; i < n; i++) order[i] = rk[i].i;
    free(rk);
    struct profile_job job = {tasks, order, o};
    enum sx_status rc = pool_run(&job, n, o->threads, profile_task);
    free(order);
    return rc;
}

static struct sx_profile *profile_new(uint64_t rows, size_t ncols)
{
    struct sx_profile *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->rows = rows;
    p->ncols = ncols;
    p->cols = calloc(ncols ? ncols : 1, sizeof *p->cols);
    if (!p->cols) {
        free(p);
        return NULL;
    }
    return p;
}

static enum sx_status fail(struct sx_err *err, enum sx_status rc, const char *what)
{
    if (rc == SX_ENOMEM) return sx_err_set(err, rc, "%s: out of memory", what);
    return sx_err_set(err, rc, "%s: %s", what, sx_status_str(rc));
}

struct sx_profile *sx_profile_frame(const struct sx_frame *f,
                                    const struct sx_profile_opts *opts,
                                    struct sx_err *err)
{
    struct sx_profile_opts defaults;
    if (!opts) {
        sx_profile_opts_init(&defaults);
        opts = &defaults;
    }
    struct sx_profile *p = profile_new(f->nrows, f->ncols);
    struct task *tasks = calloc(f->ncols ? f->ncols : 1, sizeof *tasks);
    if (!p || !tasks) {
        sx_profile_free(p);
        free(tasks);
        fail(err, SX_ENOMEM, "profile");
        return NULL;
    }
    for (size_t i = 0; i < f->ncols; i++) {
        const struct sx_column *c = f->cols[i];
        tasks[i] = (struct task){c, NULL, f->nrows, &p->cols[i], task_cost(c, f->nrows)};
    }
    enum sx_status rc = run_tasks(tasks, f->ncols, opts);
    free(tasks);
    if (rc != SX_OK) {
        sx_profile_free(p);
        fail(err, rc, "profile");
        return NULL;
    }
    return p;
}

/* ---- grouped profiles ---- */

void sx_group_profile_free(struct sx_group_profile *g)
{
    if (!g) return;
    free(g->by);
    for (size_t i = 0; i < g->ngroups; i++) {
        if (g->labels) free(g->labels[i]);
        if (g->profiles) sx_profile_free(g->profiles[i]);
    }
    free(g->labels);
    free(g->profiles);
    free(g);
}

struct label_ref {
    const char *s;
    size_t key;
};

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const struct label_ref *)a)->s, ((const struct label_ref *)b)->s);
}

/* Rows of F grouped by column C: KEY[r] is the distinct-value index of row
 * r (UINT32_MAX when missing); groups are the keys present, sorted by their
 * label's bytes. Fills G's labels, ngroups and (empty) profiles array, and
 * returns the rows of each group in ascending order in *ORDER_OUT, group g
 * at (*OFF_OUT)[g] .. (*OFF_OUT)[g+1]. */
static enum sx_status group_rows(const struct sx_frame *f, const struct sx_column *c,
                                 struct sx_group_profile *g, size_t **order_out,
                                 size_t **off_out)
{
    enum sx_status rc = SX_ENOMEM;
    size_t n = f->nrows, nk = 0;
    uint32_t *key = malloc((n ? n : 1) * sizeof *key);
    uint64_t *cnt = NULL;
    char **text = NULL;           /* label of each key */
    char numbuf[32];
    struct vmap vm = {.c = c};
    struct label_ref *refs = NULL;
    size_t *off = NULL, *order = NULL;
    if (!key) goto out;

    switch (c->type) {
    case SX_CATEGORY:
    case SX_BOOL:
        nk = c->type == SX_BOOL ? 2 : (c->dict ? c->dict->n : 0);
        for (size_t r = 0; r < n; r++) {
            if (!sx_col_valid(c, r)) {
                key[r] = UINT32_MAX;
                continue;
            }
            size_t k = c->type == SX_BOOL ? (c->v.b[r] != 0) : c->v.cat[r];
            if (k >= nk) {
                rc = SX_EINVAL;
                goto out;
            }
            key[r] = (uint32_t)k;
        }
        break;
    case SX_INT:
    case SX_TEXT:
        for (size_t r = 0; r < n; r++) {
            if (!sx_col_valid(c, r)) {
                key[r] = UINT32_MAX;
                continue;
            }
            size_t e = vmap_add(&vm, r);
            if (e == SIZE_MAX) goto out;
            key[r] = (uint32_t)e;
        }
        nk = vm.n;
        break;
    default:
        rc = SX_EINVAL;
        goto out;
    }

    cnt = calloc(nk ? nk : 1, sizeof *cnt);
    text = calloc(nk ? nk : 1, sizeof *text);
    if (!cnt || !text) goto out;
    for (size_t r = 0; r < n; r++)
        if (key[r] != UINT32_MAX) cnt[key[r]]++;
    size_t ng = 0;
    for (size_t k = 0; k < nk; k++) {
        if (!cnt[k]) continue;
        const char *s;
        switch (c->type) {
        case SX_CATEGORY: s = c->dict->str[k]; break;
        case SX_BOOL: s = k ? "true" : "false"; break;
        case SX_TEXT: s = sx_col_str(c, vm.e[k].row); break;
        default:
            snprintf(numbuf, sizeof numbuf, "%" PRId64, c->v.i64[vm.e[k].row]);
            s = numbuf;
            break;
        }
        if (!(text[k] = xstrdup(s))) goto out;
        ng++;
    }
    refs = malloc((ng ? ng : 1) * sizeof *refs);
    off = calloc(ng + 1, sizeof *off);
    g->labels = calloc(ng ? ng : 1, sizeof *g->labels);
    g->profiles = calloc(ng ? ng : 1, sizeof *g->profiles);
    if (!refs || !off || !g->labels || !g->profiles) goto out;
    for (size_t k = 0, j = 0; k < nk; k++)
        if (cnt[k]) refs[j++] = (struct label_ref){text[k], k};
    qsort(refs, ng, sizeof *refs, cmp_label);
    for (size_t j = 0; j < ng; j++) {
        g->labels[j] = text[refs[j].key];
        text[refs[j].key] = NULL;
        off[j + 1] = off[j] + cnt[refs[j].key];
    }
    g->ngroups = ng;
    order = malloc((off[ng] ? off[ng] : 1) * sizeof *order);
    if (!order) goto out;
    /* Counting sort: rows of each group in ascending order. */
    for (size_t j = 0; j < ng; j++) cnt[refs[j].key] = off[j];
    for (size_t r = 0; r < n; r++)
        if (key[r] != UINT32_MAX) order[cnt[key[r]]++] = r;
    *order_out = order;
    *off_out = off;
    order = NULL;
    off = NULL;
    rc = SX_OK;
out:
    if (text)
        for (size_t k = 0; k < nk; k++) free(text[k]);
    free(text);
    free(cnt);
    free(key);
    free(refs);
    free(off);
    free(order);
    vmap_free(&vm);
    return rc;
}

struct sx_group_profile *sx_profile_by(const struct sx_frame *f, size_t by,
                                       const struct sx_profile_opts *opts,
                                       struct sx_err *err)
{
    struct sx_profile_opts defaults;
    if (!opts) {
        sx_profile_opts_init(&defaults);
        opts = &defaults;
    }
    if (by >= f->ncols) {
        sx_err_set(err, SX_EINVAL, "profile by column %zu: the frame has %zu columns", by,
                   f->ncols);
        return NULL;
    }
    const struct sx_column *bc = f->cols[by];
    if (bc->type != SX_CATEGORY && bc->type != SX_TEXT && bc->type != SX_BOOL &&
        bc->type != SX_INT) {
        sx_err_set(err, SX_EINVAL,
                   "cannot group by %s column '%s' (category, text, bool or int only)",
                   sx_type_name(bc->type), bc->name);
        return NULL;
    }
    struct sx_group_profile *g = calloc(1, sizeof *g);
    size_t *order = NULL, *off = NULL;
    struct task *tasks = NULL;
    enum sx_status rc = SX_ENOMEM;
    if (!g || !(g->by = xstrdup(bc->name))) goto out;
    if ((rc = group_rows(f, bc, g, &order, &off)) != SX_OK) goto out;
    rc = SX_ENOMEM;
    size_t per = f->ncols - 1, nt = g->ngroups * per;
    tasks = calloc(nt ? nt : 1, sizeof *tasks);
    if (!tasks) goto out;
    for (size_t gi = 0; gi < g->ngroups; gi++) {
        size_t rows = off[gi + 1] - off[gi];
        if (!(g->profiles[gi] = profile_new(rows, per))) goto out;
        for (size_t ci = 0, j = 0; ci < f->ncols; ci++) {
            if (ci == by) continue;
            const struct sx_column *c = f->cols[ci];
            tasks[gi * per + j] = (struct task){c, order + off[gi], rows,
                                                &g->profiles[gi]->cols[j], task_cost(c, rows)};
            j++;
        }
    }
    rc = run_tasks(tasks, nt, opts);
out:
    free(tasks);
    free(order);
    free(off);
    if (rc != SX_OK) {
        sx_group_profile_free(g);
        fail(err, rc, "profile by");
        return NULL;
    }
    return g;
}

/* ---- correlation ---- */

void sx_corr_free(struct sx_corr *c)
{
    if (!c) return;
    for (size_t i = 0; c->names && i < c->n; i++) free(c->names[i]);
    free(c->names);
    free(c->cols);
    free(c->r);
    free(c);
}

struct corr_job {
    const struct sx_frame *f;
    struct sx_corr *c;
    size_t *px, *py;          /* pair i: matrix indices, px >= py */
};

static inline int corr_val(const struct sx_column *c, size_t r, double *v)
{
    if (!sx_col_valid(c, r)) return 0;
    switch (c->type) {
    case SX_FLOAT: *v = c->v.f64[r]; break;
    case SX_INT: *v = (double)c->v.i64[r]; break;
    case SX_BOOL: *v = c->v.b[r] ? 1.0 : 0.0; break;
    default: return 0;
    }
    return isfinite(*v);
}

/* pandas' nancorr (algos.pyx) for one pair, x the later column: Welford's
 * updates over the rows where both values are finite. */
static enum sx_status corr_task(void *ctx, size_t i, struct scratch *s)
{
    (void)s;
    struct corr_job *job = ctx;
    size_t xi = job->px[i], yi = job->py[i];
    const struct sx_column *cx = job->f->cols[job->c->cols[xi]];
    const struct sx_column *cy = job->f->cols[job->c->cols[yi]];
    uint64_t nobs = 0;
    double ssqdmx = 0, ssqdmy = 0, covxy = 0, meanx = 0, meany = 0;
    for (size_t r = 0; r < job->f->nrows; r++) {
        double vx, vy;
        if (!corr_val(cx, r, &vx) || !corr_val(cy, r, &vy)) continue;
        nobs++;
        double dx = vx - meanx, dy = vy - meany;
        meanx += 1. / (double)nobs * dx;
        meany += 1. / (double)nobs * dy;
        ssqdmx += (vx - meanx) * dx;
        ssqdmy += (vy - meany) * dy;
        covxy += (vx - meanx) * dy;
    }
    double r = NAN;
    if (nobs >= 1) {
        double divisor = sqrt(ssqdmx * ssqdmy);
        if (divisor != 0) r = covxy / divisor;
    }
    size_t n = job->c->n;
    job->c->r[xi * n + yi] = r;
    job->c->r[yi * n + xi] = r;
    return SX_OK;
}

struct sx_corr *sx_profile_corr(const struct sx_frame *f, struct sx_err *err)
{
    struct sx_corr *c = calloc(1, sizeof *c);
    struct corr_job job = {f, c, NULL, NULL};
    enum sx_status rc = SX_ENOMEM;
    if (!c) goto out;
    size_t n = 0;
    for (size_t i = 0; i < f->ncols; i++) {
        enum sx_type t = f->cols[i]->type;
        n += t == SX_FLOAT || t == SX_INT || t == SX_BOOL;
    }
    c->names = calloc(n ? n : 1, sizeof *c->names);
    c->cols = calloc(n ? n : 1, sizeof *c->cols);
    c->r = calloc(n ? n * n : 1, sizeof *c->r);
    if (!c->names || !c->cols || !c->r) goto out;
    for (size_t i = 0; i < f->ncols; i++) {
        enum sx_type t = f->cols[i]->type;
        if (t != SX_FLOAT && t != SX_INT && t != SX_BOOL) continue;
        c->cols[c->n] = i;
        if (!(c->names[c->n] = xstrdup(f->cols[i]->name))) goto out;
        c->n++;
    }
    size_t np = n * (n + 1) / 2;
    job.px = malloc((np ? np : 1) * sizeof *job.px);
    job.py = malloc((np ? np : 1) * sizeof *job.py);
    if (!job.px || !job.py) goto out;
    for (size_t xi = 0, k = 0; xi < n; xi++)
        for (size_t yi = 0; yi <= xi; yi++, k++) {
            job.px[k] = xi;
            job.py[k] = yi;
        }
    rc = pool_run(&job, np, 0, corr_task);
out:
    free(job.px);
    free(job.py);
    if (rc != SX_OK) {
        sx_corr_free(c);
        fail(err, rc, "correlation");
        return NULL;
    }
    return c;
}

/* ---- JSON ---- */

static const char *unit_name(enum sx_date_unit u)
{
    return u == SX_SECONDS ? "seconds" : "days";
}

/* A date statistic: the ISO day (or second) at or below V; null for NaN. */
static json_t *date_json(double v, enum sx_date_unit u)
{
    if (isnan(v)) return json_null();
    double fl = floor(v);
    if (!(fl >= -9.2e18 && fl <= 9.2e18)) return sx_json_real(v);
    char buf[32];
    if (u == SX_SECONDS) sx_datetime_format((int64_t)fl, buf);
    else sx_date_format((int64_t)fl, buf);
    return json_string(buf);
}

static json_t *stat_json(const struct sx_col_profile *cp, double v)
{
    return cp->type == SX_DATE ? date_json(v, cp->unit) : sx_json_real(v);
}

static json_t *column_json(const struct sx_col_profile *cp)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int num = cp->numeric, cat = cp->categorical;
    sx_json_set(o, "name", json_string(cp->name ? cp->name : ""));
    sx_json_set(o, "type", json_string(sx_type_name(cp->type)));
    sx_json_set(o, "count", json_integer((json_int_t)cp->count));
    sx_json_set(o, "missing", json_integer((json_int_t)cp->missing));
    sx_json_set(o, "mean", num ? stat_json(cp, cp->mean) : json_null());
    sx_json_set(o, "std", num ? sx_json_real(cp->std) : json_null());
    sx_json_set(o, "min", num ? stat_json(cp, cp->min) : json_null());
    sx_json_set(o, "p25", num ? stat_json(cp, cp->p25) : json_null());
    sx_json_set(o, "p50", num ? stat_json(cp, cp->p50) : json_null());
    sx_json_set(o, "p75", num ? stat_json(cp, cp->p75) : json_null());
    sx_json_set(o, "max", num ? stat_json(cp, cp->max) : json_null());
    sx_json_set(o, "unique", cat ? json_integer((json_int_t)cp->unique) : json_null());
    sx_json_set(o, "top", cat && cp->top ? json_string(cp->top) : json_null());
    sx_json_set(o, "freq", cat && cp->top ? json_integer((json_int_t)cp->freq) : json_null());
    if (cp->type == SX_DATE) sx_json_set(o, "unit", json_string(unit_name(cp->unit)));
    if (cat && cp->nties > 1) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < cp->nties; i++) json_array_append_new(a, json_string(cp->ties[i]));
        sx_json_set(o, "ties", a);
    }
    if (cat) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < cp->ntopk; i++) {
            json_t *e = json_object();
            if (!e) break;
            sx_json_set(e, "value", json_string(cp->topk[i].value));
            sx_json_set(e, "count", json_integer((json_int_t)cp->topk[i].count));
            json_array_append_new(a, e);
        }
        sx_json_set(o, "topk", a);
    }
    if (num && cp->nbins > 0) {
        json_t *h = json_object(), *a = json_array();
        if (!h || !a) {
            json_decref(h);
            json_decref(a);
            json_decref(o);
            return NULL;
        }
        double lo = cp->min, hi = cp->max;
        if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        sx_json_set(h, "min", sx_json_real(lo));
        sx_json_set(h, "max", sx_json_real(hi));
        for (size_t i = 0; i < cp->nbins; i++)
            json_array_append_new(a, json_integer((json_int_t)cp->hist[i]));
        sx_json_set(h, "counts", a);
        sx_json_set(o, "hist", h);
    }
    return o;
}

static json_t *columns_json(const struct sx_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->ncols; i++) {
        json_t *c = column_json(&p->cols[i]);
        if (!c) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, c);
    }
    return a;
}

json_t *sx_profile_json(const struct sx_profile *p)
{
    json_t *o = json_object(), *cols = columns_json(p);
    if (!o || !cols) {
        json_decref(o);
        json_decref(cols);
        return NULL;
    }
    sx_json_set(o, "rows", json_integer((json_int_t)p->rows));
    sx_json_set(o, "columns", cols);
    return o;
}

json_t *sx_group_profile_json(const struct sx_group_profile *g)
{
    json_t *o = json_object(), *groups = json_array();
    if (!o || !groups) {
        json_decref(o);
        json_decref(groups);
        return NULL;
    }
    uint64_t rows = 0;
    for (size_t i = 0; i < g->ngroups; i++) {
        json_t *e = json_object(), *cols = columns_json(g->profiles[i]);
        if (!e || !cols) {
            json_decref(e);
            json_decref(cols);
            json_decref(o);
            json_decref(groups);
            return NULL;
        }
        rows += g->profiles[i]->rows;
        sx_json_set(e, "value", json_string(g->labels[i]));
        sx_json_set(e, "rows", json_integer((json_int_t)g->profiles[i]->rows));
        sx_json_set(e, "columns", cols);
        json_array_append_new(groups, e);
    }
    sx_json_set(o, "rows", json_integer((json_int_t)rows));
    sx_json_set(o, "by", json_string(g->by));
    sx_json_set(o, "groups", groups);
    return o;
}

/* ---- reading the JSON back ---- */

static int get_count(const json_t *o, const char *k, uint64_t *out, int nullable)
{
    const json_t *v = json_object_get(o, k);
    if (nullable && (!v || json_is_null(v))) {
        *out = 0;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0) return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int num_from_json(const json_t *v, double *out)
{
    if (!v || json_is_null(v)) *out = NAN;
    else if (json_is_number(v)) *out = json_number_value(v);
    else if (json_is_string(v) && strcmp(json_string_value(v), "inf") == 0) *out = INFINITY;
    else if (json_is_string(v) && strcmp(json_string_value(v), "-inf") == 0) *out = -INFINITY;
    else return -1;
    return 0;
}

static int stat_from_json(const json_t *o, const char *k, const struct sx_col_profile *cp,
                          double *out)
{
    const json_t *v = json_object_get(o, k);
    if (cp->type == SX_DATE && json_is_string(v)) {
        const char *s = json_string_value(v);
        int64_t t;
        if (cp->unit == SX_SECONDS ? sx_datetime_parse(s, strlen(s), &t)
                                   : sx_date_parse(s, strlen(s), &t)) {
            *out = (double)t;
            return 0;
        }
    }
    return num_from_json(v, out);
}

static char *str_from_json(const json_t *v)
{
    return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* Fill CP from the column object O; returns the name of the offending key
 * (or "" for memory) on failure, NULL on success. */
static const char *column_from_json(const json_t *o, struct sx_col_profile *cp,
                                    struct sx_err *err)
{
    if (!json_is_object(o)) return "(not an object)";
    const json_t *name = json_object_get(o, "name"), *type = json_object_get(o, "type");
    if (!json_is_string(name)) return "name";
    enum sx_type t;
    if (!json_is_string(type) || sx_type_parse(json_string_value(type), &t, err) != SX_OK)
        return "type";
    enum sx_date_unit unit = SX_DAYS;
    if (t == SX_DATE) {
        const json_t *u = json_object_get(o, "unit");
        if (u && !json_is_string(u)) return "unit";
        if (u && strcmp(json_string_value(u), "seconds") == 0) unit = SX_SECONDS;
        else if (u && strcmp(json_string_value(u), "days") != 0) return "unit";
    }
    col_profile_init(cp, t, unit);
    if (!(cp->name = xstrdup(json_string_value(name)))) return "";
    if (get_count(o, "count", &cp->count, 0)) return "count";
    if (get_count(o, "missing", &cp->missing, 0)) return "missing";
    if (cp->numeric) {
        static const char *const keys[] = {"mean", "min", "p25", "p50", "p75", "max"};
        double *dst[] = {&cp->mean, &cp->min, &cp->p25, &cp->p50, &cp->p75, &cp->max};
        for (size_t i = 0; i < 6; i++)
            if (stat_from_json(o, keys[i], cp, dst[i])) return keys[i];
        if (num_from_json(json_object_get(o, "std"), &cp->std)) return "std";
        const json_t *h = json_object_get(o, "hist");
        if (h && !json_is_null(h)) {
            const json_t *counts = json_object_get(h, "counts");
            double lo, hi;
            if (!json_is_object(h) || !json_is_array(counts) ||
                num_from_json(json_object_get(h, "min"), &lo) ||
                num_from_json(json_object_get(h, "max"), &hi))
                return "hist";
            size_t nb = json_array_size(counts);
            if (nb) {
                if (!(cp->hist = calloc(nb, sizeof *cp->hist))) return "";
                cp->nbins = nb;
                for (size_t i = 0; i < nb; i++) {
                    const json_t *e = json_array_get(counts, i);
                    if (!json_is_integer(e) || json_integer_value(e) < 0) return "hist";
                    cp->hist[i] = (uint64_t)json_integer_value(e);
                }
            }
        }
    }
    if (cp->categorical) {
        if (get_count(o, "unique", &cp->unique, 0)) return "unique";
        if (get_count(o, "freq", &cp->freq, 1)) return "freq";
        const json_t *top = json_object_get(o, "top");
        if (top && !json_is_null(top)) {
            if (!json_is_string(top)) return "top";
            if (!(cp->top = str_from_json(top))) return "";
        }
        const json_t *ties = json_object_get(o, "ties");
        if (ties && !json_is_array(ties)) return "ties";
        size_t nt = ties ? json_array_size(ties) : (cp->top ? 1 : 0);
        if (nt) {
            if (!(cp->ties = calloc(nt, sizeof *cp->ties))) return "";
            for (size_t i = 0; i < nt; i++) {
                const json_t *e = ties ? json_array_get(ties, i) : top;
                if (!json_is_string(e)) return "ties";
                if (!(cp->ties[i] = str_from_json(e))) return "";
                cp->nties = i + 1;
            }
        }
        const json_t *tk = json_object_get(o, "topk");
        if (tk && !json_is_null(tk)) {
            if (!json_is_array(tk)) return "topk";
            size_t nk = json_array_size(tk);
            if (nk && !(cp->topk = calloc(nk, sizeof *cp->topk))) return "";
            for (size_t i = 0; i < nk; i++) {
                const json_t *e = json_array_get(tk, i);
                const json_t *val = json_object_get(e, "value");
                const json_t *cnt = json_object_get(e, "count");
                if (!json_is_string(val) || !json_is_integer(cnt) || json_integer_value(cnt) < 0)
                    return "topk";
                if (!(cp->topk[i].value = str_from_json(val))) return "";
                cp->topk[i].count = (uint64_t)json_integer_value(cnt);
                cp->ntopk = i + 1;
            }
        }
    }
    return NULL;
}

struct sx_profile *sx_profile_from_json(const json_t *j, struct sx_err *err)
{
    const json_t *rows = json_object_get(j, "rows"), *cols = json_object_get(j, "columns");
    if (!json_is_object(j) || !json_is_integer(rows) || json_integer_value(rows) < 0 ||
        !json_is_array(cols)) {
        sx_err_set(err, SX_EPARSE, "profile JSON: expected {\"rows\":N,\"columns\":[...]}");
        return NULL;
    }
    size_t n = json_array_size(cols);
    struct sx_profile *p = profile_new((uint64_t)json_integer_value(rows), n);
    if (!p) {
        fail(err, SX_ENOMEM, "profile JSON");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *bad = column_from_json(json_array_get(cols, i), &p->cols[i], err);
        if (!bad) continue;
        if (!*bad) fail(err, SX_ENOMEM, "profile JSON");
        else
            sx_err_set(err, SX_EPARSE, "profile JSON: column %zu: bad or missing '%s'", i + 1,
                       bad);
        sx_profile_free(p);
        return NULL;
    }
    return p;
}
