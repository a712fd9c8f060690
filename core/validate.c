/* core/validate.c: validation strategies and evaluation metrics (see
 * validate.h and ../shared/STATS.md sections 1, 8 and 13).
 *
 * Splits: the seeded ones (holdout, kfold, stratified) draw from
 * xoshiro256** (Blackman and Vigna), its state filled from the seed by
 * splitmix64, with unbiased bounded draws by rejection and Fisher-Yates
 * shuffles; the same seed gives the same folds on every platform. Fold
 * sizes follow scikit-learn 1.2: holdout tests ceil(F*n) rows (as
 * ShuffleSplit), kfold's first n%k folds are one larger (KFold),
 * stratified allocates each class over the folds as StratifiedKFold does
 * (the class-sorted targets dealt round-robin), group k-fold is
 * GroupKFold's greedy balancing (groups by size descending, ties in
 * reverse np.unique order, each to the lightest fold, the first among
 * equals), leave-one-group-out gives one fold per group in np.unique
 * order (numbers by value, strings by bytes).
 *
 * Metrics reproduce scikit-learn 1.2.1's arithmetic: sums and means use
 * numpy's pairwise summation, F1 is 2PR/(P+R), AUC the Mann-Whitney
 * statistic with mid-ranks (exact in doubles), log loss clips, forms the
 * pair (1-p, p) and renormalises it. */
#include "validate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "json.h"
#include "num.h"

/* ---- random numbers ---- */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, BOUND) (BOUND > 0), without modulo bias. */
static uint64_t rng_below(struct rng *r, uint64_t bound)
{
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % bound;
    }
}

static void shuffle_size(struct rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* 0..N-1 in the order a shuffle seeded with SEED gives; a new array the
 * caller frees, or NULL when out of memory. */
static size_t *shuffled(size_t n, uint64_t seed)
{
    size_t *perm = malloc(n * sizeof *perm);
    if (!perm)
        return NULL;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    struct rng r;
    rng_seed(&r, seed);
    shuffle_size(&r, perm, n);
    return perm;
}

/* ---- parsing split texts ---- */

static const char split_forms[] =
    "none, holdout:F, kfold:K, stratified:K, group:COL[:K], logo:COL or time:COL:WINDOW";

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* K of "kfold:K" and friends: digits only, 2 <= K <= 1e9. */
static int parse_k(const char *s, size_t n, int *k)
{
    int64_t v;
    if (!all_digits(s, n) || !sx_num_parse_int(s, n, &v) || v < 2 || v > 1000000000)
        return 0;
    *k = (int)v;
    return 1;
}

enum wunit { W_DAY, W_WEEK, W_MONTH, W_QUARTER, W_YEAR };

/* A WINDOW: "day" … "year", or N (1 .. 100000) and one of d w m q y. */
static int parse_window(const char *s, enum wunit *unit, int *count)
{
    static const char *const names[] = {"day", "week", "month", "quarter", "year"};
    static const char letters[] = "dwmqy";
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *unit = (enum wunit)i;
            *count = 1;
            return 1;
        }
    }
    size_t n = strlen(s);
    int64_t v;
    if (n < 2 || !all_digits(s, n - 1) || !sx_num_parse_int(s, n - 1, &v) || v < 1 ||
        v > 100000)
        return 0;
    const char *p = strchr(letters, s[n - 1]);
    if (!p || !*p)
        return 0;
    *unit = (enum wunit)(p - letters);
    *count = (int)v;
    return 1;
}

static enum sx_status set_column(const char *text, const char *col, size_t n,
                                 struct sx_split_spec *out, struct sx_err *err)
{
    if (n == 0)
        return sx_err_set(err, SX_EINVAL, "bad split '%s': the column name is empty", text);
    if (n >= sizeof out->column)
        return sx_err_set(err, SX_EINVAL, "bad split '%s': the column name is longer than %zu bytes",
                          text, sizeof out->column - 1);
    memcpy(out->column, col, n);
    out->column[n] = '\0';
    return SX_OK;
}

enum sx_status sx_split_parse(const char *text, struct sx_split_spec *out, struct sx_err *err)
{
    struct sx_split_spec s;
    memset(&s, 0, sizeof s);
    s.seed = 42;
    if (!text)
        text = "";
    const char *colon = strchr(text, ':');
    size_t wlen = colon ? (size_t)(colon - text) : strlen(text);
    const char *rest = colon ? colon + 1 : NULL;
    size_t rlen = rest ? strlen(rest) : 0;

#define IS(word) (wlen == sizeof(word) - 1 && memcmp(text, word, wlen) == 0)
    if (IS("none")) {
        if (rest)
            return sx_err_set(err, SX_EINVAL, "bad split '%s': 'none' takes no argument", text);
        s.kind = SX_SPLIT_NONE;
    } else if (IS("holdout")) {
        double f;
        if (!rest || !sx_num_parse_double(rest, rlen, &f) || !isfinite(f))
            return sx_err_set(err, SX_EINVAL,
                              "bad split '%s': expected holdout:F with F the test fraction (0.2)",
                              text);
        if (!(f > 0.0 && f < 1.0))
            return sx_err_set(err, SX_EINVAL,
                              "bad split '%s': the test fraction must lie strictly between 0 and 1",
                              text);
        s.kind = SX_SPLIT_HOLDOUT;
        s.fraction = f;
    } else if (IS("kfold") || IS("stratified")) {
        int strat = IS("stratified");
        if (!rest || !parse_k(rest, rlen, &s.k))
            return sx_err_set(err, SX_EINVAL,
                              "bad split '%s': expected %s:K with K a whole number of folds >= 2",
                              text, strat ? "stratified" : "kfold");
        s.kind = strat ? SX_SPLIT_STRATIFIED : SX_SPLIT_KFOLD;
    } else if (IS("group")) {
        if (!rest || rlen == 0 || rest[rlen - 1] == ':')
            return sx_err_set(err, SX_EINVAL, "bad split '%s': expected group:COL or group:COL:K",
                              text);
        const char *last = strrchr(rest, ':');
        size_t clen = rlen;
        s.k = 5;
        if (last && all_digits(last + 1, strlen(last + 1))) {
            if (!parse_k(last + 1, strlen(last + 1), &s.k))
                return sx_err_set(err, SX_EINVAL,
                                  "bad split '%s': K of group:COL:K must be a whole number >= 2",
                                  text);
            clen = (size_t)(last - rest);
        }
        enum sx_status rc = set_column(text, rest, clen, &s, err);
        if (rc != SX_OK)
            return rc;
        s.kind = SX_SPLIT_GROUP;
    } else if (IS("logo")) {
        if (!rest || rlen == 0)
            return sx_err_set(err, SX_EINVAL, "bad split '%s': expected logo:COL", text);
        enum sx_status rc = set_column(text, rest, rlen, &s, err);
        if (rc != SX_OK)
            return rc;
        s.kind = SX_SPLIT_LOGO;
    } else if (IS("time")) {
        const char *last = rest ? strrchr(rest, ':') : NULL;
        if (!last || last == rest)
            return sx_err_set(err, SX_EINVAL, "bad split '%s': expected time:COL:WINDOW", text);
        enum wunit u;
        int cnt;
        const char *win = last + 1;
        if (!parse_window(win, &u, &cnt) || strlen(win) >= sizeof s.window)
            return sx_err_set(err, SX_EINVAL,
                              "bad split '%s': WINDOW must be day, week, month, quarter, year "
                              "or N followed by d, w, m, q or y (6m)",
                              text);
        enum sx_status rc = set_column(text, rest, (size_t)(last - rest), &s, err);
        if (rc != SX_OK)
            return rc;
        strcpy(s.window, win);
        s.kind = SX_SPLIT_TIME;
    } else {
        return sx_err_set(err, SX_EINVAL, "bad split '%s': expected %s", text, split_forms);
    }
#undef IS
    *out = s;
    return SX_OK;
}

void sx_split_format(const struct sx_split_spec *s, char *out, size_t size)
{
    char num[32];
    if (size == 0)
        return;
    switch (s->kind) {
    case SX_SPLIT_NONE:
        snprintf(out, size, "none");
        break;
    case SX_SPLIT_HOLDOUT:
        sx_num_format_double(s->fraction, num);
        snprintf(out, size, "holdout:%s", num);
        break;
    case SX_SPLIT_KFOLD:
        snprintf(out, size, "kfold:%d", s->k);
        break;
    case SX_SPLIT_STRATIFIED:
        snprintf(out, size, "stratified:%d", s->k);
        break;
    case SX_SPLIT_GROUP: {
        /* ":K" may be left out unless the column itself ends in ":digits". */
        const char *last = strrchr(s->column, ':');
        if (s->k == 5 && !(last && all_digits(last + 1, strlen(last + 1))))
            snprintf(out, size, "group:%s", s->column);
        else
            snprintf(out, size, "group:%s:%d", s->column, s->k);
        break;
    }
    case SX_SPLIT_LOGO:
        snprintf(out, size, "logo:%s", s->column);
        break;
    case SX_SPLIT_TIME:
        snprintf(out, size, "time:%s:%s", s->column, s->window);
        break;
    default:
        snprintf(out, size, "?");
        break;
    }
}

/* ---- folds ---- */

void sx_splits_clear(struct sx_splits *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->folds[i].train);
        free(s->folds[i].test);
        free(s->folds[i].label);
    }
    free(s->folds);
    s->folds = NULL;
    s->n = 0;
}

static enum sx_status oom(struct sx_err *err)
{
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

/* NFOLDS empty folds in OUT. */
static enum sx_status folds_alloc(struct sx_splits *out, size_t nfolds, struct sx_err *err)
{
    out->folds = calloc(nfolds ? nfolds : 1, sizeof *out->folds);
    if (!out->folds)
        return oom(err);
    out->n = nfolds;
    return SX_OK;
}

static enum sx_status fold_label(struct sx_fold *f, const char *text, struct sx_err *err)
{
    if (!(f->label = strdup(text)))
        return oom(err);
    return SX_OK;
}

/* Folds where design row i is in the test set of fold FOLD_OF[i] and in
 * the training set of every other fold; FOLD_OF[i] < 0: training only. */
static enum sx_status folds_complement(const long *fold_of, size_t n, struct sx_splits *out,
                                       struct sx_err *err)
{
    size_t nf = out->n;
    size_t *cnt = calloc(nf ? nf : 1, sizeof *cnt);
    if (!cnt)
        return oom(err);
    for (size_t i = 0; i < n; i++)
        if (fold_of[i] >= 0)
            cnt[fold_of[i]]++;
    for (size_t k = 0; k < nf; k++) {
        struct sx_fold *f = &out->folds[k];
        f->test = malloc((cnt[k] ? cnt[k] : 1) * sizeof *f->test);
        f->train = malloc((n - cnt[k] ? n - cnt[k] : 1) * sizeof *f->train);
        if (!f->test || !f->train) {
            free(cnt);
            return oom(err);
        }
    }
    for (size_t k = 0; k < nf; k++) {
        struct sx_fold *f = &out->folds[k];
        for (size_t i = 0; i < n; i++) {
            if (fold_of[i] == (long)k)
                f->test[f->ntest++] = i;
            else
                f->train[f->ntrain++] = i;
        }
    }
    free(cnt);
    return SX_OK;
}

/* NFOLDS folds in OUT from FOLD_OF (folds_complement), unlabelled. */
static enum sx_status folds_from(const long *fold_of, size_t n, size_t nfolds,
                                 struct sx_splits *out, struct sx_err *err)
{
    enum sx_status rc = folds_alloc(out, nfolds, err);
    if (rc == SX_OK)
        rc = folds_complement(fold_of, n, out, err);
    return rc;
}

/* The same, labelled "fold 1" .. "fold NFOLDS". */
static enum sx_status numbered_folds(const long *fold_of, size_t n, size_t nfolds,
                                     struct sx_splits *out, struct sx_err *err)
{
    enum sx_status rc = folds_from(fold_of, n, nfolds, out, err);
    for (size_t k = 0; k < out->n && rc == SX_OK; k++) {
        char buf[32];
        snprintf(buf, sizeof buf, "fold %zu", k + 1);
        if (fold_label(&out->folds[k], buf, err) != SX_OK)
            rc = SX_ENOMEM;
    }
    return rc;
}

static enum sx_status split_holdout(const struct sx_split_spec *s, size_t n, long *fold_of,
                                    struct sx_splits *out, struct sx_err *err)
{
    double t = ceil(s->fraction * (double)n);
    size_t ntest = (size_t)t;
    if (ntest < 1 || ntest >= n)
        return sx_err_set(err, SX_EINVAL,
                          "holdout:%g of %zu rows leaves an empty %s set", s->fraction, n,
                          ntest < 1 ? "test" : "training");
    size_t *perm = shuffled(n, s->seed);
    if (!perm)
        return oom(err);
    for (size_t i = 0; i < n; i++)
        fold_of[i] = -1;
    for (size_t i = 0; i < ntest; i++)
        fold_of[perm[i]] = 0;
    free(perm);
    enum sx_status rc = folds_from(fold_of, n, 1, out, err);
    if (rc == SX_OK)
        rc = fold_label(&out->folds[0], "holdout", err);
    return rc;
}

static enum sx_status split_kfold(const struct sx_split_spec *s, size_t n, long *fold_of,
                                  struct sx_splits *out, struct sx_err *err)
{
    size_t k = (size_t)s->k;
    size_t *perm = shuffled(n, s->seed);
    if (!perm)
        return oom(err);
    size_t pos = 0;
    for (size_t f = 0; f < k; f++) {
        size_t size = n / k + (f < n % k ? 1 : 0);
        for (size_t j = 0; j < size; j++)
            fold_of[perm[pos++]] = (long)f;
    }
    free(perm);
    return numbered_folds(fold_of, n, k, out, err);
}

/* Positions p in [LO, HI) with p % K == F. */
static size_t count_mod(size_t lo, size_t hi, size_t k, size_t f)
{
    size_t below_hi = hi > f ? (hi - f - 1) / k + 1 : 0;
    size_t below_lo = lo > f ? (lo - f - 1) / k + 1 : 0;
    return below_hi - below_lo;
}

static enum sx_status split_stratified(const struct sx_split_spec *s, const double *y, size_t n,
                                       long *fold_of, struct sx_splits *out, struct sx_err *err)
{
    size_t k = (size_t)s->k, count[2] = {0, 0};
    if (!y)
        return sx_err_set(err, SX_EINVAL, "stratified:%d needs the target values", s->k);
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0.0 && y[i] != 1.0)
            return sx_err_set(err, SX_EINVAL,
                              "stratified:%d needs a 0/1 target, design row %zu has %g", s->k, i,
                              y[i]);
        count[y[i] == 1.0]++;
    }
    if (count[0] < k && count[1] < k)
        return sx_err_set(err, SX_EINVAL,
                          "stratified:%d: every class has fewer than %d members (%zu and %zu)",
                          s->k, s->k, count[0], count[1]);
    size_t *fl = malloc(n * sizeof *fl);
    if (!fl)
        return oom(err);
    struct rng r;
    rng_seed(&r, s->seed);
    /* Class c's share of fold f is how many of the class-sorted positions
     * f, f+k, f+2k, … fall in c's block (StratifiedKFold's allocation). */
    for (int c = 0; c < 2; c++) {
        size_t lo = c ? count[0] : 0, hi = c ? n : count[0], m = 0;
        for (size_t f = 0; f < k; f++)
            for (size_t j = count_mod(lo, hi, k, f); j > 0; j--)
                fl[m++] = f;
        shuffle_size(&r, fl, m);
        size_t q = 0;
        for (size_t i = 0; i < n; i++)
            if ((y[i] == 1.0) == (c == 1))
                fold_of[i] = (long)fl[q++];
    }
    free(fl);
    return numbered_folds(fold_of, n, k, out, err);
}

/* ---- groups of a column ---- */

/* The distinct non-missing values of column C over the frame rows
 * ROWS[0..N) (NULL: 0..N-1): GID[i] is element i's group (SIZE_MAX when
 * missing), groups numbered in order (BY_BYTES: labels by their UTF-8
 * bytes; else np.unique's order, numbers by value and strings by bytes);
 * LABEL[g] the label as sx_col_format writes it (owned), COUNT[g] its
 * elements. */
struct groups {
    size_t ng;
    size_t *gid;
    char **label;
    size_t *count;
};

static void groups_free(struct groups *g)
{
    if (g->label)
        for (size_t i = 0; i < g->ng; i++)
            free(g->label[i]);
    free(g->label);
    free(g->gid);
    free(g->count);
    memset(g, 0, sizeof *g);
}

struct gkey {
    const char *str;
    double num;
    uint32_t code;
};

static int cmp_key_bytes(const void *a, const void *b)
{
    const struct gkey *x = a, *y = b;
    return strcmp(x->str, y->str);
}

static int cmp_key_num(const void *a, const void *b)
{
    const struct gkey *x = a, *y = b;
    return x->num < y->num ? -1 : x->num > y->num ? 1 : 0;
}

static enum sx_status groups_make(const struct sx_column *c, const size_t *rows, size_t n,
                                  int by_bytes, struct groups *g, struct sx_err *err)
{
    memset(g, 0, sizeof *g);
    int is_str = c->type == SX_CATEGORY || c->type == SX_TEXT;
    struct sx_dict *own = NULL;
    const struct sx_dict *dict = c->type == SX_CATEGORY ? c->dict : NULL;
    uint32_t *code = malloc((n ? n : 1) * sizeof *code);
    size_t *rep = NULL, *rank = NULL;
    struct gkey *keys = NULL;
    enum sx_status rc = SX_OK;
    if (!code)
        return oom(err);
    if (!dict) {
        if (!(own = sx_dict_new())) {
            free(code);
            return oom(err);
        }
        dict = own;
    }
    for (size_t i = 0; i < n; i++) {
        size_t row = rows ? rows[i] : i;
        if (row >= c->len) {
            rc = sx_err_set(err, SX_EINVAL, "row %zu is outside column '%s' (%zu rows)", row,
                            c->name, c->len);
            goto out;
        }
        code[i] = UINT32_MAX;
        if (!sx_col_valid(c, row))
            continue;
        if (c->type == SX_CATEGORY) {
            code[i] = c->v.cat[row];
            continue;
        }
        if (c->type == SX_FLOAT && isnan(c->v.f64[row]))
            continue;
        char buf[64];
        const char *s = buf;
        size_t len;
        if (c->type == SX_TEXT) {
            s = sx_col_str(c, row);
            len = strlen(s);
        } else {
            len = sx_col_format(c, row, buf, sizeof buf);
        }
        if ((code[i] = sx_dict_intern(own, s, len)) == UINT32_MAX) {
            rc = oom(err);
            goto out;
        }
    }
    uint32_t nd = dict->n;
    rep = malloc((nd ? nd : 1) * sizeof *rep);
    rank = malloc((nd ? nd : 1) * sizeof *rank);
    keys = malloc((nd ? nd : 1) * sizeof *keys);
    if (!rep || !rank || !keys) {
        rc = oom(err);
        goto out;
    }
    for (uint32_t d = 0; d < nd; d++)
        rep[d] = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (code[i] != UINT32_MAX && rep[code[i]] == SIZE_MAX)
            rep[code[i]] = rows ? rows[i] : i;
    size_t ng = 0;
    for (uint32_t d = 0; d < nd; d++) {
        if (rep[d] == SIZE_MAX)
            continue;
        keys[ng].str = dict->str[d];
        keys[ng].code = d;
        keys[ng].num = is_str ? 0.0 : sx_col_num(c, rep[d]) + 0.0;
        ng++;
    }
    if (by_bytes || is_str)
        qsort(keys, ng, sizeof *keys, cmp_key_bytes);
    else
        qsort(keys, ng, sizeof *keys, cmp_key_num);
    g->ng = ng;
    g->gid = malloc((n ? n : 1) * sizeof *g->gid);
    g->label = calloc(ng ? ng : 1, sizeof *g->label);
    g->count = calloc(ng ? ng : 1, sizeof *g->count);
    if (!g->gid || !g->label || !g->count) {
        rc = oom(err);
        goto out;
    }
    for (size_t r = 0; r < ng; r++) {
        rank[keys[r].code] = r;
        if (!(g->label[r] = strdup(keys[r].str))) {
            rc = oom(err);
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        g->gid[i] = code[i] == UINT32_MAX ? SIZE_MAX : rank[code[i]];
        if (g->gid[i] != SIZE_MAX)
            g->count[g->gid[i]]++;
    }
out:
    if (rc != SX_OK)
        groups_free(g);
    free(keys);
    free(rank);
    free(rep);
    free(code);
    sx_dict_free(own);
    return rc;
}

static enum sx_status find_column(const struct sx_frame *f, const char *name,
                                  const struct sx_column **out, struct sx_err *err)
{
    long c = f ? sx_frame_find(f, name) : -1;
    if (c < 0)
        return sx_err_set(err, SX_ENOTFOUND, "no column named '%s'", name);
    *out = f->cols[c];
    return SX_OK;
}

struct size_desc {
    size_t size, group;
};

/* Larger groups first; among equals the later group first, as the
 * reversed (stable) np.argsort of GroupKFold. */
static int cmp_size_desc(const void *a, const void *b)
{
    const struct size_desc *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->group > y->group ? -1 : x->group < y->group ? 1 : 0;
}

static enum sx_status split_groups(const struct sx_split_spec *s, const struct sx_frame *f,
                                   const size_t *rows, size_t n, long *fold_of,
                                   struct sx_splits *out, struct sx_err *err)
{
    const struct sx_column *c = NULL;
    struct groups g;
    enum sx_status rc = find_column(f, s->column, &c, err);
    if (rc != SX_OK)
        return rc;
    if ((rc = groups_make(c, rows, n, 0, &g, err)) != SX_OK)
        return rc;
    if (g.ng < 2) {
        rc = sx_err_set(err, SX_EINVAL, "%s: column '%s' has %zu group%s, at least 2 are needed",
                        s->kind == SX_SPLIT_LOGO ? "logo" : "group", s->column, g.ng,
                        g.ng == 1 ? "" : "s");
        goto out;
    }
    if (s->kind == SX_SPLIT_LOGO) {
        for (size_t i = 0; i < n; i++)
            fold_of[i] = g.gid[i] == SIZE_MAX ? -1 : (long)g.gid[i];
        if ((rc = folds_from(fold_of, n, g.ng, out, err)) != SX_OK)
            goto out;
        for (size_t k = 0; k < g.ng; k++) {
            out->folds[k].label = g.label[k];
            g.label[k] = NULL;
        }
        goto out;
    }
    size_t k = (size_t)s->k < g.ng ? (size_t)s->k : g.ng;
    struct size_desc *sd = malloc(g.ng * sizeof *sd);
    size_t *load = calloc(k, sizeof *load), *to = malloc(g.ng * sizeof *to);
    if (!sd || !load || !to) {
        free(sd);
        free(load);
        free(to);
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < g.ng; i++) {
        sd[i].size = g.count[i];
        sd[i].group = i;
    }
    qsort(sd, g.ng, sizeof *sd, cmp_size_desc);
    for (size_t i = 0; i < g.ng; i++) {
        size_t light = 0;
        for (size_t j = 1; j < k; j++)
            if (load[j] < load[light])
                light = j;
        load[light] += sd[i].size;
        to[sd[i].group] = light;
    }
    for (size_t i = 0; i < n; i++)
        fold_of[i] = g.gid[i] == SIZE_MAX ? -1 : (long)to[g.gid[i]];
    free(sd);
    free(load);
    free(to);
    rc = numbered_folds(fold_of, n, k, out, err);
out:
    groups_free(&g);
    return rc;
}

/* ---- time windows ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Day DAY's ISO week label ("2023-W07"): the week belongs to the year of
 * its Thursday. */
static void iso_week_label(int64_t day, char *buf, size_t size)
{
    int64_t monday = day - ((day + 3) % 7 + 7) % 7;   /* 1970-01-01 was a Thursday */
    int64_t thursday = monday + 3, y;
    int m, d;
    sx_date_to_ymd(thursday, &y, &m, &d);
    int64_t week = (thursday - sx_date_from_ymd(y, 1, 1)) / 7 + 1;
    snprintf(buf, size, "%lld-W%02lld", (long long)y, (long long)week);
}

/* The label of the unit starting at day DAY (d, w) or month index MON. */
static void unit_label(enum wunit u, int64_t day, int64_t mon, char *buf, size_t size)
{
    int64_t y = floor_div(mon, 12);
    int m = (int)(mon - y * 12) + 1;
    switch (u) {
    case W_DAY:
        sx_date_format(day, buf);
        break;
    case W_WEEK:
        iso_week_label(day, buf, size);
        break;
    case W_MONTH:
        snprintf(buf, size, "%lld-%02d", (long long)y, m);
        break;
    case W_QUARTER:
        snprintf(buf, size, "%lld-Q%d", (long long)y, (m - 1) / 3 + 1);
        break;
    case W_YEAR:
        snprintf(buf, size, "%lld", (long long)y);
        break;
    }
}

static int64_t month_index(int64_t day)
{
    int64_t y;
    int m, d;
    sx_date_to_ymd(day, &y, &m, &d);
    return y * 12 + (m - 1);
}

static enum sx_status split_time(const struct sx_split_spec *s, const struct sx_frame *f,
                                 const size_t *rows, size_t n, long *win,
                                 struct sx_splits *out, struct sx_err *err)
{
    const struct sx_column *c = NULL;
    enum wunit u;
    int cnt;
    enum sx_status rc = find_column(f, s->column, &c, err);
    if (rc != SX_OK)
        return rc;
    if (c->type != SX_DATE)
        return sx_err_set(err, SX_EINVAL, "time:%s:%s: column '%s' is %s, not a date", s->column,
                          s->window, s->column, sx_type_name(c->type));
    if (!parse_window(s->window, &u, &cnt))
        return sx_err_set(err, SX_EINVAL, "time split: bad window '%s'", s->window);
    /* Each row's day, or unit index; the base is the first unit boundary
     * at or before the earliest date. */
    int64_t *key = malloc((n ? n : 1) * sizeof *key);
    if (!key)
        return oom(err);
    int64_t lo = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t row = rows ? rows[i] : i;
        if (row >= c->len) {
            free(key);
            return sx_err_set(err, SX_EINVAL, "row %zu is outside column '%s' (%zu rows)", row,
                              c->name, c->len);
        }
        win[i] = -1;
        if (!sx_col_valid(c, row))
            continue;
        int64_t day = c->unit == SX_SECONDS ? floor_div(c->v.i64[row], 86400) : c->v.i64[row];
        key[i] = (u == W_DAY || u == W_WEEK) ? day : month_index(day);
        win[i] = 0;
        if (key[i] < lo)
            lo = key[i];
    }
    if (lo == INT64_MAX) {
        free(key);
        return sx_err_set(err, SX_EINVAL, "time:%s:%s: no row has a date", s->column, s->window);
    }
    int64_t base = lo, span = cnt;
    if (u == W_WEEK) {
        base = lo - (((lo + 3) % 7) + 7) % 7;
        span = 7 * (int64_t)cnt;
    } else if (u == W_QUARTER) {
        base = lo - ((lo % 3) + 3) % 3;
        span = 3 * (int64_t)cnt;
    } else if (u == W_YEAR) {
        base = lo - ((lo % 12) + 12) % 12;
        span = 12 * (int64_t)cnt;
    }
    long nwin = 0;
    for (size_t i = 0; i < n; i++) {
        if (win[i] < 0)
            continue;
        win[i] = (long)((key[i] - base) / span);
        if (win[i] + 1 > nwin)
            nwin = win[i] + 1;
    }
    free(key);
    size_t *cum = calloc((size_t)nwin + 1, sizeof *cum);   /* rows per window */
    if (!cum)
        return oom(err);
    for (size_t i = 0; i < n; i++)
        if (win[i] >= 0)
            cum[win[i]]++;
    size_t nf = 0;
    for (long w = 1; w < nwin; w++)
        if (cum[w] > 0)
            nf++;
    if (nf == 0) {
        free(cum);
        return sx_err_set(err, SX_EINVAL,
                          "time:%s:%s: the dates fall in fewer than 2 windows, no fold to test on",
                          s->column, s->window);
    }
    if ((rc = folds_alloc(out, nf, err)) != SX_OK) {
        free(cum);
        return rc;
    }
    size_t k = 0, before = cum[0];
    for (long w = 1; w < nwin; w++) {
        if (cum[w] == 0)
            continue;
        struct sx_fold *fd = &out->folds[k++];
        fd->test = malloc(cum[w] * sizeof *fd->test);
        fd->train = malloc(before * sizeof *fd->train);
        if (!fd->test || !fd->train) {
            free(cum);
            return oom(err);
        }
        for (size_t i = 0; i < n; i++) {
            if (win[i] == w)
                fd->test[fd->ntest++] = i;
            else if (win[i] >= 0 && win[i] < w)
                fd->train[fd->ntrain++] = i;
        }
        before += cum[w];
        /* The label: the window's first unit, "FIRST..LAST" when wider. */
        int64_t start = base + (int64_t)w * span, last = start + span - (u == W_WEEK ? 7 : 1);
        char a[48], b[48], lab[100];
        unit_label(u, start, start, a, sizeof a);
        if (cnt == 1) {
            snprintf(lab, sizeof lab, "%s", a);
        } else {
            unit_label(u, last, last, b, sizeof b);
            snprintf(lab, sizeof lab, "%s..%s", a, b);
        }
        if ((rc = fold_label(fd, lab, err)) != SX_OK) {
            free(cum);
            return rc;
        }
    }
    free(cum);
    return SX_OK;
}

enum sx_status sx_split_make(const struct sx_split_spec *s, const struct sx_frame *f,
                             const size_t *rows, const double *y, size_t n,
                             struct sx_splits *out, struct sx_err *err)
{
    /* OUT is overwritten, never read: callers may pass it uninitialised
     * (and free what it held before with sx_splits_clear). */
    out->folds = NULL;
    out->n = 0;
    if (s->kind == SX_SPLIT_NONE)
        return SX_OK;
    if ((s->kind == SX_SPLIT_KFOLD || s->kind == SX_SPLIT_STRATIFIED) &&
        (s->k < 2 || (size_t)s->k > n))
        return sx_err_set(err, SX_EINVAL, "%s:%d needs 2 <= K <= the number of rows (%zu)",
                          s->kind == SX_SPLIT_KFOLD ? "kfold" : "stratified", s->k, n);
    if (s->kind == SX_SPLIT_GROUP && s->k < 2)
        return sx_err_set(err, SX_EINVAL, "group:%s:%d needs K >= 2", s->column, s->k);
    if (s->kind == SX_SPLIT_HOLDOUT && !(s->fraction > 0.0 && s->fraction < 1.0))
        return sx_err_set(err, SX_EINVAL, "holdout:%g: the fraction must lie between 0 and 1",
                          s->fraction);
    if (n == 0)
        return sx_err_set(err, SX_EINVAL, "no rows to split");
    long *fold_of = malloc(n * sizeof *fold_of);
    if (!fold_of)
        return oom(err);
    enum sx_status rc;
    switch (s->kind) {
    case SX_SPLIT_HOLDOUT:
        rc = split_holdout(s, n, fold_of, out, err);
        break;
    case SX_SPLIT_KFOLD:
        rc = split_kfold(s, n, fold_of, out, err);
        break;
    case SX_SPLIT_STRATIFIED:
        rc = split_stratified(s, y, n, fold_of, out, err);
        break;
    case SX_SPLIT_GROUP:
    case SX_SPLIT_LOGO:
        rc = split_groups(s, f, rows, n, fold_of, out, err);
        break;
    case SX_SPLIT_TIME:
        rc = split_time(s, f, rows, n, fold_of, out, err);
        break;
    default:
        rc = sx_err_set(err, SX_EINVAL, "unknown split kind %d", (int)s->kind);
        break;
    }
    free(fold_of);
    if (rc != SX_OK)
        sx_splits_clear(out);
    return rc;
}

/* ---- metrics ---- */

enum sx_status sx_task_parse(const char *s, enum sx_task *out, struct sx_err *err)
{
    if (s && strcmp(s, "regression") == 0) {
        *out = SX_TASK_REGRESSION;
        return SX_OK;
    }
    if (s && strcmp(s, "binary") == 0) {
        *out = SX_TASK_BINARY;
        return SX_OK;
    }
    return sx_err_set(err, SX_EINVAL, "unknown task '%s': expected regression or binary",
                      s ? s : "");
}

const char *sx_task_name(enum sx_task t)
{
    return t == SX_TASK_BINARY ? "binary" : "regression";
}

static const char *const reg_names[] = {"rmse", "mse", "mae", "r2", "mape"};
static const char *const bin_names[] = {"accuracy", "precision", "recall", "f1", "auc", "logloss"};
enum { R_RMSE, R_MSE, R_MAE, R_R2, R_MAPE };
enum { B_ACC, B_PREC, B_REC, B_F1, B_AUC, B_LOGLOSS };

size_t sx_metric_count(enum sx_task t)
{
    return t == SX_TASK_BINARY ? 6 : 5;
}

const char *sx_metric_name(enum sx_task t, size_t i)
{
    if (i >= sx_metric_count(t))
        return NULL;
    return t == SX_TASK_BINARY ? bin_names[i] : reg_names[i];
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

int sx_metric_lower_is_better(const char *name)
{
    static const char *const errs[] = {"rmse", "mse", "mae", "mape"};
    if (!name)
        return 0;
    size_t n = strlen(name);
    if (ends_with_ci(name, n, "loss") || ends_with_ci(name, n, "error"))
        return 1;
    /* rmse … mape alone, or after a separator ("val_rmse", "test.mae"). */
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        size_t m = strlen(errs[i]);
        if (!ends_with_ci(name, n, errs[i]))
            continue;
        if (n == m || strchr("_.-/: ", name[n - m - 1]))
            return 1;
    }
    return 0;
}

/* numpy's pairwise summation of A[0..N) (np.add.reduce on float64). */
static double pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

static double mean_of(const double *a, size_t n)
{
    return pairwise_sum(a, n) / (double)n;
}

static void regression(const double *y, const double *p, size_t n, double *t,
                       struct sx_metrics *out)
{
    for (size_t i = 0; i < n; i++) {
        double d = y[i] - p[i];
        t[i] = d * d;
    }
    double sse = pairwise_sum(t, n), mse = sse / (double)n;
    out->v[R_MSE] = mse;
    out->v[R_RMSE] = sqrt(mse);
    for (size_t i = 0; i < n; i++)
        t[i] = fabs(p[i] - y[i]);
    out->v[R_MAE] = mean_of(t, n);
    const double eps = 2.220446049250313e-16;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(y[i]);
        t[i] = fabs(p[i] - y[i]) / (a > eps ? a : eps);
    }
    out->v[R_MAPE] = mean_of(t, n);
    for (int j = R_RMSE; j <= R_MAPE; j++)
        out->defined[j] = 1;
    /* R²: NaN (undefined) below 2 rows, then sklearn's force_finite. */
    if (n < 2) {
        out->v[R_R2] = NAN;
        out->defined[R_R2] = 0;
        return;
    }
    double ybar = mean_of(y, n);
    for (size_t i = 0; i < n; i++) {
        double d = y[i] - ybar;
        t[i] = d * d;
    }
    double sst = pairwise_sum(t, n);
    if (sse == 0.0)
        out->v[R_R2] = 1.0;
    else if (sst == 0.0)
        out->v[R_R2] = 0.0;
    else
        out->v[R_R2] = 1.0 - sse / sst;
}

struct scored {
    double s;
    int pos;
};

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const struct scored *)a)->s, y = ((const struct scored *)b)->s;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Mann-Whitney U / (npos nneg) with mid-ranks; NAN without both classes.
 * WORK has room for N entries. */
static double roc_auc(const double *y, const double *s, size_t n, struct scored *work)
{
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        work[i].s = s[i] + 0.0;
        work[i].pos = y[i] == 1.0;
        npos += (size_t)work[i].pos;
    }
    size_t nneg = n - npos;
    if (npos == 0 || nneg == 0)
        return NAN;
    qsort(work, n, sizeof *work, cmp_scored);
    double rank_sum = 0.0;   /* half-integers below 2^52: exact */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, pos = 0;
        while (j < n && work[j].s == work[i].s)
            j++;
        for (size_t q = i; q < j; q++)
            pos += (size_t)work[q].pos;
        double mid = ((double)(i + 1) + (double)j) / 2.0;
        rank_sum += mid * (double)pos;
        i = j;
    }
    double u = rank_sum - (double)npos * ((double)npos + 1.0) / 2.0;
    return u / ((double)npos * (double)nneg);
}

/* The label metrics of N rows: accuracy, precision, recall, F1. */
static void labels(const double *y, const double *p, size_t n, struct sx_metrics *out)
{
    size_t tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t i = 0; i < n; i++) {
        int a = y[i] == 1.0, b = p[i] == 1.0;
        tp += a && b;
        fp += !a && b;
        fn += a && !b;
        tn += !a && !b;
    }
    double prec = tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
    double rec = tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
    double denom = prec + rec;
    if (denom == 0.0)
        denom = 1.0;
    out->v[B_ACC] = (double)(tp + tn) / (double)n;
    out->v[B_PREC] = prec;
    out->v[B_REC] = rec;
    out->v[B_F1] = 2.0 * prec * rec / denom;
    for (int j = B_ACC; j <= B_F1; j++)
        out->defined[j] = 1;
}

/* The score metrics of N rows: ROC AUC and log loss (T: N scratch doubles). */
static void scores(const double *y, const double *s, size_t n, double *t, struct scored *work,
                   struct sx_metrics *out)
{
    double auc = roc_auc(y, s, n, work);
    out->v[B_AUC] = auc;
    out->defined[B_AUC] = !isnan(auc);
    const double eps = 2.220446049250313e-16;
    for (size_t i = 0; i < n; i++) {
        double q = s[i];
        q = q > eps ? q : eps;
        q = q < 1.0 - eps ? q : 1.0 - eps;
        double q0 = 1.0 - q, sum = q0 + q;
        t[i] = -log((y[i] == 1.0 ? q : q0) / sum);
    }
    out->v[B_LOGLOSS] = mean_of(t, n);
    out->defined[B_LOGLOSS] = 1;
}

void sx_metrics_compute(enum sx_task t, const double *actual, const double *pred,
                        const double *score, const size_t *idx, size_t n,
                        struct sx_metrics *out)
{
    memset(out, 0, sizeof *out);
    out->task = t;
    for (size_t j = 0; j < SX_METRICS_MAX; j++)
        out->v[j] = NAN;
    if (t != SX_TASK_BINARY)
        score = NULL;
    /* Listwise deletion per metric (STATS.md section 1), into contiguous
     * copies in row order: the label metrics (every regression metric)
     * need the actual value and the prediction, auc and logloss the actual
     * value and the score. */
    size_t cap = n ? n : 1;
    double *y = malloc(cap * sizeof *y), *p = malloc(cap * sizeof *p);
    double *tmp = malloc(cap * sizeof *tmp);
    struct scored *work = score ? malloc(cap * sizeof *work) : NULL;
    if (!y || !p || !tmp || (score && !work))
        goto out;   /* out of memory: every metric undefined, n 0 */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = idx ? idx[i] : i;
        if (isnan(actual[r]) || isnan(pred[r]))
            continue;
        y[m] = actual[r];
        p[m] = pred[r];
        m++;
    }
    out->n = m;
    if (m > 0 && t == SX_TASK_BINARY)
        labels(y, p, m, out);
    else if (m > 0)
        regression(y, p, m, tmp, out);
    if (score) {
        m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t r = idx ? idx[i] : i;
            if (isnan(actual[r]) || isnan(score[r]))
                continue;
            y[m] = actual[r];
            p[m] = score[r];
            m++;
        }
        if (m > 0)
            scores(y, p, m, tmp, work, out);
    }
out:
    free(y);
    free(p);
    free(tmp);
    free(work);
}

enum sx_status sx_metrics_by_group(enum sx_task t, const double *actual, const double *pred,
                                   const double *score, const size_t *rows, size_t n,
                                   const struct sx_column *group,
                                   struct sx_group_metrics **out, size_t *ngroups,
                                   struct sx_err *err)
{
    struct groups g;
    *out = NULL;
    *ngroups = 0;
    enum sx_status rc = groups_make(group, rows, n, 1, &g, err);
    if (rc != SX_OK)
        return rc;
    /* Elements of each group, in order: counting sort by group. */
    size_t *start = calloc(g.ng + 1, sizeof *start), *idx = malloc((n ? n : 1) * sizeof *idx);
    struct sx_group_metrics *res = calloc(g.ng ? g.ng : 1, sizeof *res);
    if (!start || !idx || !res) {
        free(start);
        free(idx);
        free(res);
        groups_free(&g);
        return oom(err);
    }
    for (size_t k = 0; k < g.ng; k++)
        start[k + 1] = start[k] + g.count[k];
    size_t *fill = g.count;   /* reused as the write cursor */
    for (size_t k = 0; k < g.ng; k++)
        fill[k] = start[k];
    for (size_t i = 0; i < n; i++)
        if (g.gid[i] != SIZE_MAX)
            idx[fill[g.gid[i]]++] = i;
    for (size_t k = 0; k < g.ng; k++) {
        res[k].label = g.label[k];
        g.label[k] = NULL;
        sx_metrics_compute(t, actual, pred, score, idx + start[k], start[k + 1] - start[k],
                           &res[k].m);
    }
    *out = res;
    *ngroups = g.ng;
    free(start);
    free(idx);
    groups_free(&g);
    return SX_OK;
}

void sx_group_metrics_free(struct sx_group_metrics *g, size_t n)
{
    if (!g)
        return;
    for (size_t i = 0; i < n; i++)
        free(g[i].label);
    free(g);
}

json_t *sx_metrics_json(const struct sx_metrics *m)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < sx_metric_count(m->task); i++)
        sx_json_set(o, sx_metric_name(m->task, i),
                    m->defined[i] ? sx_json_real(m->v[i]) : json_null());
    return o;
}

json_t *sx_group_metrics_json(const struct sx_group_metrics *g, size_t n)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        sx_json_set(o, g[i].label, sx_metrics_json(&g[i].m));
    return o;
}
