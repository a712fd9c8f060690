/* tests/test_profile.c: column profiles (core/profile.c) on hand-made frames
 * with known values (numpy's quantile trap, n = 0/1/2, all missing, ties,
 * -0.0, huge and tiny magnitudes, histogram edges), grouped profiles, the
 * correlation matrix, the describe JSON and its round trip, and a
 * comparison with pandas describe (tests/ref/describe.py) on random CSV
 * files, with ../shared/STATS.md section 13's tolerances. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "csv.h"
#include "dates.h"
#include "frame.h"
#include "json.h"
#include "profile.h"

/* ---- helpers ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Two doubles equal as values (-0.0 == 0.0), or both NaN. */
static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

#define assert_same(got, want, ...)                                                        \
    cr_assert(same((got), (want)), "got %.17g, want %.17g: " __VA_ARGS__)

static struct sx_frame *new_frame(void)
{
    struct sx_frame *f = sx_frame_new();
    cr_assert(f);
    return f;
}

static struct sx_column *add_col(struct sx_frame *f, const char *name, enum sx_type t)
{
    struct sx_err err;
    struct sx_column *c = sx_frame_add(f, name, t, &err);
    cr_assert(c, "%s", err.msg);
    return c;
}

static void sync_frame(struct sx_frame *f)
{
    struct sx_err err;
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK, "%s", err.msg);
}

/* Push V[0..N-1] into a float column; NaN means a missing cell. */
static void push_f64s(struct sx_column *c, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(isnan(v[i]) ? sx_col_push_missing(c) : sx_col_push_f64(c, v[i]), SX_OK);
}

/* Push strings; NULL means a missing cell. */
static void push_strs(struct sx_column *c, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i] ? sx_col_push_str(c, v[i], strlen(v[i])) : sx_col_push_missing(c),
                     SX_OK);
}

/* A one-column float frame. */
static struct sx_frame *float_frame(const double *v, size_t n)
{
    struct sx_frame *f = new_frame();
    push_f64s(add_col(f, "x", SX_FLOAT), v, n);
    sync_frame(f);
    return f;
}

static struct sx_profile *profile(const struct sx_frame *f, size_t topk, size_t bins,
                                  int threads)
{
    struct sx_profile_opts o;
    struct sx_err err;
    sx_profile_opts_init(&o);
    if (topk != (size_t)-1) o.topk = topk;
    if (bins != (size_t)-1) o.bins = bins;
    o.threads = threads;
    struct sx_profile *p = sx_profile_frame(f, &o, &err);
    cr_assert(p, "profile: %s", err.msg);
    return p;
}

/* J dumped with the project's flags, as a new string. */
static char *dump(const json_t *j)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    cr_assert(fp);
    cr_assert_eq(sx_json_dump(j, fp, 0), 0);
    fclose(fp);
    return buf;
}

static char *profile_json_text(const struct sx_profile *p)
{
    json_t *j = sx_profile_json(p);
    cr_assert(j);
    char *s = dump(j);
    json_decref(j);
    return s;
}

/* ---- quantiles ---- */

Test(profile, quantile_sorted_numpy_trap)
{
    /* STATS.md section 2: 90 * 0.7 = 62.99999999999999, so the 0.7 quantile
     * of 0..62 followed by 28 times 1000 is just below 1000. */
    double x[91];
    for (int i = 0; i < 91; i++) x[i] = i < 63 ? i : 1000;
    cr_assert_eq(sx_quantile_sorted(x, 91, 0.7), 999.9999999999933);
    cr_assert_eq(sx_quantile_sorted(x, 91, 0.7), 999.99999999999329);
    cr_assert_eq(sx_quantile_sorted(x, 91, 0.25), 22.5);
    cr_assert_eq(sx_quantile_sorted(x, 91, 0.5), 45.0);
    cr_assert_eq(sx_quantile_sorted(x, 91, 0.75), 1000.0);
    cr_assert_eq(sx_quantile_sorted(x, 91, 0.0), 0.0);
    cr_assert_eq(sx_quantile_sorted(x, 91, 1.0), 1000.0);
    cr_assert(isnan(sx_quantile_sorted(x, 0, 0.5)));
    /* Tied values stay exact (gsl's (1-d)*a + d*b would not). */
    double t[] = {0.1, 0.1, 0.1};
    cr_assert_eq(sx_quantile_sorted(t, 3, 0.2), 0.1);
    /* The profile's selection gives the same values on shuffled data. */
    double s[91];
    memcpy(s, x, sizeof s);
    tu_rng_seed(7);
    for (size_t i = 90; i > 0; i--) {
        size_t j = tu_rnd(i + 1);
        double tmp = s[i];
        s[i] = s[j];
        s[j] = tmp;
    }
    struct sx_frame *f = float_frame(s, 91);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].p25, 22.5);
    cr_assert_eq(p->cols[0].p50, 45.0);
    cr_assert_eq(p->cols[0].p75, 1000.0);
    cr_assert_eq(p->cols[0].min, 0.0);
    cr_assert_eq(p->cols[0].max, 1000.0);
    sx_profile_free(p);
    sx_frame_free(f);
}

/* Selection must equal sorting + sx_quantile_sorted bit for bit, on many
 * shapes of data (ties, spikes, skew, signed zeros, subnormals). */
Test(profile, quartiles_match_sorted_reference)
{
    tu_rng_seed(42);
    for (int trial = 0; trial < 400; trial++) {
        size_t n = trial < 60 ? (size_t)trial : tu_rnd(trial < 390 ? 3000 : 200000);
        int kind = (int)tu_rnd(8);
        double *v = malloc((n + 1) * sizeof *v), *sorted = malloc((n + 1) * sizeof *v);
        size_t m = 0;
        struct sx_frame *f = new_frame();
        struct sx_column *c = add_col(f, "x", SX_FLOAT);
        for (size_t i = 0; i < n; i++) {
            double x;
            switch (kind) {
            case 0: x = tu_unif(); break;
            case 1: x = (double)tu_rnd(5); break;
            case 2: x = exp(tu_unif() * 60 - 30); break;
            case 3: x = tu_rnd(500) == 0 ? 1e300 : tu_unif(); break;
            case 4: x = 7.0; break;
            case 5: x = (tu_rnd(2) ? -0.0 : 0.0) + (tu_rnd(3) == 0 ? 4e-320 : 0); break;
            case 6: x = (double)i * (i % 2 ? -1 : 1); break;
            default: x = (double)(n - i); break;
            }
            if (tu_rnd(10) == 0) {
                cr_assert_eq(sx_col_push_missing(c), SX_OK);
                continue;
            }
            cr_assert_eq(sx_col_push_f64(c, x), SX_OK);
            v[m++] = x;
        }
        sync_frame(f);
        memcpy(sorted, v, m * sizeof *v);
        qsort(sorted, m, sizeof *sorted, cmp_double);
        struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 1);
        const struct sx_col_profile *cp = &p->cols[0];
        cr_assert_eq(cp->count, m);
        cr_assert_eq(cp->missing, n - m);
        assert_same(cp->p25, sx_quantile_sorted(sorted, m, 0.25), "trial %d kind %d n %zu", trial, kind, m);
        assert_same(cp->p50, sx_quantile_sorted(sorted, m, 0.5), "trial %d kind %d n %zu", trial, kind, m);
        assert_same(cp->p75, sx_quantile_sorted(sorted, m, 0.75), "trial %d kind %d n %zu", trial, kind, m);
        if (m) {
            assert_same(cp->min, sorted[0], "min");
            assert_same(cp->max, sorted[m - 1], "max");
            uint64_t tot = 0;
            for (size_t b = 0; b < cp->nbins; b++) tot += cp->hist[b];
            cr_assert_eq(tot, m, "histogram holds every value");
        }
        sx_profile_free(p);
        sx_frame_free(f);
        free(v);
        free(sorted);
    }
}

/* ---- small numeric cases ---- */

Test(profile, numeric_n0_n1_n2)
{
    struct sx_frame *f0 = new_frame();
    add_col(f0, "x", SX_FLOAT);
    sync_frame(f0);
    struct sx_profile *p = profile(f0, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->rows, 0);
    cr_assert_eq(p->cols[0].count, 0);
    cr_assert_eq(p->cols[0].missing, 0);
    cr_assert(p->cols[0].numeric);
    cr_assert(!p->cols[0].categorical);
    cr_assert(isnan(p->cols[0].mean) && isnan(p->cols[0].std) && isnan(p->cols[0].min) &&
              isnan(p->cols[0].p50) && isnan(p->cols[0].max));
    cr_assert_eq(p->cols[0].nbins, 0);
    sx_profile_free(p);
    sx_frame_free(f0);

    double one[] = {3.25};
    struct sx_frame *f1 = float_frame(one, 1);
    p = profile(f1, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].count, 1);
    cr_assert_eq(p->cols[0].mean, 3.25);
    cr_assert(isnan(p->cols[0].std), "std needs two values (ddof 1)");
    cr_assert_eq(p->cols[0].min, 3.25);
    cr_assert_eq(p->cols[0].p25, 3.25);
    cr_assert_eq(p->cols[0].p50, 3.25);
    cr_assert_eq(p->cols[0].p75, 3.25);
    cr_assert_eq(p->cols[0].max, 3.25);
    cr_assert_eq(p->cols[0].nbins, 20);
    cr_assert_eq(p->cols[0].hist[10], 1, "constant column: the middle bin of [x-0.5, x+0.5]");
    sx_profile_free(p);
    sx_frame_free(f1);

    double two[] = {NAN, 4.0, 1.0};
    struct sx_frame *f2 = float_frame(two, 3);
    p = profile(f2, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->rows, 3);
    cr_assert_eq(p->cols[0].count, 2);
    cr_assert_eq(p->cols[0].missing, 1);
    cr_assert_eq(p->cols[0].mean, 2.5);
    cr_assert_eq(p->cols[0].std, 2.1213203435596424);   /* pandas */
    cr_assert_eq(p->cols[0].p25, 1.75);
    cr_assert_eq(p->cols[0].p50, 2.5);
    cr_assert_eq(p->cols[0].p75, 3.25);
    cr_assert_eq(p->cols[0].min, 1.0);
    cr_assert_eq(p->cols[0].max, 4.0);
    sx_profile_free(p);
    sx_frame_free(f2);
}

Test(profile, all_missing_columns)
{
    struct sx_frame *f = new_frame();
    struct sx_column *x = add_col(f, "x", SX_FLOAT), *i = add_col(f, "i", SX_INT);
    struct sx_column *c = add_col(f, "c", SX_CATEGORY), *t = add_col(f, "t", SX_TEXT);
    struct sx_column *b = add_col(f, "b", SX_BOOL), *d = add_col(f, "d", SX_DATE);
    for (int r = 0; r < 5; r++) {
        sx_col_push_missing(x);
        sx_col_push_missing(i);
        sx_col_push_missing(c);
        sx_col_push_missing(t);
        sx_col_push_missing(b);
        sx_col_push_missing(d);
    }
    sync_frame(f);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->ncols, 6);
    for (size_t k = 0; k < 6; k++) {
        const struct sx_col_profile *cp = &p->cols[k];
        cr_assert_eq(cp->count, 0, "%s", cp->name);
        cr_assert_eq(cp->missing, 5, "%s", cp->name);
        cr_assert(isnan(cp->mean) && isnan(cp->std) && isnan(cp->p50), "%s", cp->name);
        cr_assert_eq(cp->unique, 0);
        cr_assert_null(cp->top);
        cr_assert_eq(cp->freq, 0);
        cr_assert_eq(cp->nties, 0);
        cr_assert_eq(cp->ntopk, 0);
        cr_assert_eq(cp->nbins, 0);
    }
    cr_assert(p->cols[0].numeric && p->cols[1].numeric && p->cols[5].numeric);
    cr_assert(p->cols[2].categorical && p->cols[3].categorical && p->cols[4].categorical);
    char *s = profile_json_text(p);
    cr_assert(strstr(s, "{\"name\":\"x\",\"type\":\"float\",\"count\":0,\"missing\":5,"
                        "\"mean\":null,\"std\":null,\"min\":null,\"p25\":null,\"p50\":null,"
                        "\"p75\":null,\"max\":null,\"unique\":null,\"top\":null,\"freq\":null}"),
              "%s", s);
    cr_assert(strstr(s, "{\"name\":\"c\",\"type\":\"category\",\"count\":0,\"missing\":5,"
                        "\"mean\":null,\"std\":null,\"min\":null,\"p25\":null,\"p50\":null,"
                        "\"p75\":null,\"max\":null,\"unique\":0,\"top\":null,\"freq\":null,"
                        "\"topk\":[]}"),
              "%s", s);
    free(s);
    sx_profile_free(p);
    sx_frame_free(f);
}

Test(profile, signed_zero)
{
    double v[] = {-0.0, 0.0, 0.0, -0.0};
    struct sx_frame *f = float_frame(v, 4);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    const struct sx_col_profile *cp = &p->cols[0];
    cr_assert(cp->min == 0.0 && cp->max == 0.0 && cp->p50 == 0.0 && cp->mean == 0.0);
    cr_assert_eq(cp->std, 0.0);
    /* numpy: edges -0.5 .. 0.5, edge[10] == 0.0, and -0.0 >= 0.0. */
    for (size_t b = 0; b < 20; b++) cr_assert_eq(cp->hist[b], b == 10 ? 4u : 0u, "bin %zu", b);
    sx_profile_free(p);
    sx_frame_free(f);
}

Test(profile, huge_and_tiny_magnitudes)
{
    double big[] = {1e300, -1e300, 2e300};
    struct sx_frame *f = float_frame(big, 3);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].mean, 6.666666666666667e+299);
    cr_assert(isinf(p->cols[0].std) && p->cols[0].std > 0, "pandas gives inf");
    cr_assert_eq(p->cols[0].p25, 0.0);
    cr_assert_eq(p->cols[0].p50, 1e300);
    cr_assert_eq(p->cols[0].p75, 1.5e300);
    char *s = profile_json_text(p);
    cr_assert(strstr(s, "\"std\":\"inf\""), "%s", s);
    free(s);
    sx_profile_free(p);
    sx_frame_free(f);

    double tiny[] = {1e-300, 2e-300, 3e-300};
    f = float_frame(tiny, 3);
    p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].mean, 2e-300);
    cr_assert_eq(p->cols[0].std, 0.0, "squares underflow, as in pandas");
    cr_assert_eq(p->cols[0].p25, 1.5e-300);
    cr_assert_eq(p->cols[0].p75, 2.5000000000000003e-300);   /* numpy */
    sx_profile_free(p);
    sx_frame_free(f);
}

Test(profile, histogram_edges)
{
    /* The maximum lands in the closed last bin. */
    double v[] = {0.0, 10.0};
    struct sx_frame *f = float_frame(v, 2);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].nbins, 20);
    for (size_t b = 0; b < 20; b++)
        cr_assert_eq(p->cols[0].hist[b], (b == 0 || b == 19) ? 1u : 0u, "bin %zu", b);
    sx_profile_free(p);

    /* Values on inner edges go to the bin above: 4 bins over [0, 4]. */
    sx_frame_free(f);
    double w[] = {0, 1, 2, 3, 4, 4, 0.999999};
    f = float_frame(w, 7);
    p = profile(f, (size_t)-1, 4, 0);
    cr_assert_eq(p->cols[0].nbins, 4);
    cr_assert_eq(p->cols[0].hist[0], 2);
    cr_assert_eq(p->cols[0].hist[1], 1);
    cr_assert_eq(p->cols[0].hist[2], 1);
    cr_assert_eq(p->cols[0].hist[3], 3);
    sx_profile_free(p);

    /* numpy's edges are i*step + lo: edge[3] of [0, 1] / 20 is
     * 0.15000000000000002, so 0.15 falls in bin 2 (lo + (i/B)*delta, gsl's
     * formula, would give 0.15 and bin 3). Likewise 0.3, 0.6 and 0.95. */
    sx_frame_free(f);
    double e[] = {0, 0.15, 0.3, 0.6, 0.95, 1};
    f = float_frame(e, 6);
    p = profile(f, (size_t)-1, (size_t)-1, 0);
    uint64_t want[20] = {[0] = 1, [2] = 1, [5] = 1, [11] = 1, [18] = 1, [19] = 1};
    for (size_t b = 0; b < 20; b++)
        cr_assert_eq(p->cols[0].hist[b], want[b], "bin %zu", b);
    sx_profile_free(p);

    /* No histogram when bins is 0. */
    p = profile(f, (size_t)-1, 0, 0);
    cr_assert_eq(p->cols[0].nbins, 0);
    cr_assert_null(p->cols[0].hist);
    char *s = profile_json_text(p);
    cr_assert_null(strstr(s, "hist"), "%s", s);
    free(s);
    sx_profile_free(p);
    sx_frame_free(f);

    /* Constant int column. */
    f = new_frame();
    struct sx_column *c = add_col(f, "i", SX_INT);
    for (int i = 0; i < 3; i++) sx_col_push_i64(c, 5);
    sync_frame(f);
    p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].hist[10], 3);
    s = profile_json_text(p);
    cr_assert(strstr(s, "\"hist\":{\"min\":4.5,\"max\":5.5,\"counts\":[0,0,0,0,0,0,0,0,0,0,3,"),
              "%s", s);
    free(s);
    sx_profile_free(p);
    sx_frame_free(f);
}

Test(profile, nan_cells_count_as_missing)
{
    struct sx_frame *f = new_frame();
    struct sx_column *c = add_col(f, "x", SX_FLOAT);
    sx_col_push_f64(c, 1.0);
    sx_col_push_f64(c, NAN);
    sx_col_push_f64(c, 3.0);
    sync_frame(f);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].count, 2);
    cr_assert_eq(p->cols[0].missing, 1);
    cr_assert_eq(p->cols[0].mean, 2.0);
    sx_profile_free(p);
    sx_frame_free(f);
}

/* ---- categorical ---- */

Test(profile, categorical_ties_first_seen)
{
    const char *v[] = {"b", "a", NULL, "a", "b", "c"};
    struct sx_frame *f = new_frame();
    push_strs(add_col(f, "cat", SX_CATEGORY), v, 6);
    push_strs(add_col(f, "txt", SX_TEXT), v, 6);
    struct sx_column *b = add_col(f, "flag", SX_BOOL);
    int bv[] = {1, 0, -1, 0, 1, 0};
    for (int i = 0; i < 6; i++) bv[i] < 0 ? sx_col_push_missing(b) : sx_col_push_bool(b, bv[i]);
    sync_frame(f);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 2);
    for (int k = 0; k < 2; k++) {
        const struct sx_col_profile *cp = &p->cols[k];
        cr_assert(cp->categorical && !cp->numeric);
        cr_assert_eq(cp->count, 5);
        cr_assert_eq(cp->missing, 1);
        cr_assert_eq(cp->unique, 3);
        cr_assert_str_eq(cp->top, "b", "first seen among the tied");
        cr_assert_eq(cp->freq, 2);
        cr_assert_eq(cp->nties, 2);
        cr_assert_str_eq(cp->ties[0], "b");
        cr_assert_str_eq(cp->ties[1], "a");
        cr_assert_eq(cp->ntopk, 3);
        cr_assert_str_eq(cp->topk[0].value, "b");
        cr_assert_str_eq(cp->topk[1].value, "a");
        cr_assert_str_eq(cp->topk[2].value, "c");
        cr_assert_eq(cp->topk[2].count, 1);
        cr_assert(isnan(cp->mean));
        cr_assert_eq(cp->nbins, 0);
    }
    const struct sx_col_profile *bp = &p->cols[2];
    cr_assert_eq(bp->count, 5);
    cr_assert_eq(bp->unique, 2);
    cr_assert_str_eq(bp->top, "false");
    cr_assert_eq(bp->freq, 3);
    cr_assert_eq(bp->nties, 1);
    sx_profile_free(p);

    /* First two rows swapped: first seen is now "a" (the dictionary keeps "b"
     * first). */
    size_t rev[] = {1, 0, 2, 3, 4, 5};
    struct sx_err err;
    struct sx_frame *r = sx_frame_take(f, rev, 6, &err);
    cr_assert(r, "%s", err.msg);
    p = profile(r, (size_t)-1, (size_t)-1, 1);
    for (int k = 0; k < 2; k++) {
        cr_assert_str_eq(p->cols[k].top, "a");
        cr_assert_str_eq(p->cols[k].ties[0], "a");
        cr_assert_str_eq(p->cols[k].ties[1], "b");
        cr_assert_str_eq(p->cols[k].topk[2].value, "c");
    }
    char *s = profile_json_text(p);
    cr_assert(strstr(s, "\"unique\":3,\"top\":\"a\",\"freq\":2,\"ties\":[\"a\",\"b\"],"
                        "\"topk\":[{\"value\":\"a\",\"count\":2},{\"value\":\"b\",\"count\":2},"
                        "{\"value\":\"c\",\"count\":1}]"),
              "%s", s);
    free(s);
    sx_profile_free(p);
    sx_frame_free(r);
    sx_frame_free(f);
}

Test(profile, topk_order_and_limit)
{
    /* counts a:3 c:5 b:5 d:1, first seen a, c, b, d */
    const char *seq[] = {"a", "c", "b", "d", "a", "c", "b", "a", "c", "b", "c", "b", "c", "b"};
    size_t n = sizeof seq / sizeof seq[0];
    struct sx_frame *f = new_frame();
    push_strs(add_col(f, "cat", SX_CATEGORY), seq, n);
    push_strs(add_col(f, "txt", SX_TEXT), seq, n);
    sync_frame(f);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    for (int k = 0; k < 2; k++) {
        const struct sx_col_profile *cp = &p->cols[k];
        cr_assert_eq(cp->ntopk, 4);
        const char *want[] = {"c", "b", "a", "d"};
        uint64_t cnt[] = {5, 5, 3, 1};
        for (int i = 0; i < 4; i++) {
            cr_assert_str_eq(cp->topk[i].value, want[i]);
            cr_assert_eq(cp->topk[i].count, cnt[i]);
        }
        cr_assert_str_eq(cp->top, "c");
        cr_assert_eq(cp->nties, 2);
    }
    sx_profile_free(p);
    p = profile(f, 2, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].ntopk, 2);
    cr_assert_str_eq(p->cols[0].topk[1].value, "b");
    cr_assert_eq(p->cols[1].ntopk, 2);
    sx_profile_free(p);
    sx_frame_free(f);
}

/* Many distinct text values all tied: the list of ties is capped. */
Test(profile, text_many_distinct)
{
    struct sx_frame *f = new_frame();
    struct sx_column *c = add_col(f, "t", SX_TEXT);
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        int k = snprintf(buf, sizeof buf, "value number %d", i);
        sx_col_push_str(c, buf, (size_t)k);
    }
    sync_frame(f);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert_eq(p->cols[0].unique, 5000);
    cr_assert_str_eq(p->cols[0].top, "value number 0");
    cr_assert_eq(p->cols[0].freq, 1);
    cr_assert_gt(p->cols[0].nties, 1);
    cr_assert_leq(p->cols[0].nties, 100);
    cr_assert_str_eq(p->cols[0].ties[1], "value number 1");
    cr_assert_eq(p->cols[0].ntopk, 10);
    cr_assert_str_eq(p->cols[0].topk[9].value, "value number 9");
    sx_profile_free(p);
    sx_frame_free(f);
}

/* ---- dates ---- */

Test(profile, date_columns_json)
{
    struct sx_frame *f = new_frame();
    struct sx_column *d = add_col(f, "day", SX_DATE);
    struct sx_column *s = add_col(f, "ts", SX_DATE);
    struct sx_column *neg = add_col(f, "neg", SX_DATE);
    s->unit = SX_SECONDS;
    sx_col_push_i64(d, sx_date_from_ymd(2020, 1, 1));
    sx_col_push_i64(d, sx_date_from_ymd(2020, 1, 2));
    sx_col_push_i64(s, 0);
    sx_col_push_i64(s, 86401);
    sx_col_push_i64(neg, -1);
    sx_col_push_i64(neg, 0);
    sync_frame(f);
    struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
    cr_assert(p->cols[0].numeric);
    cr_assert_eq(p->cols[0].unit, SX_DAYS);
    cr_assert_eq(p->cols[1].unit, SX_SECONDS);
    cr_assert_eq(p->cols[0].mean, 18262.5);
    cr_assert_eq(p->cols[0].std, 0.70710678118654757);
    char *js = profile_json_text(p);
    cr_assert(strstr(js, "{\"name\":\"day\",\"type\":\"date\",\"count\":2,\"missing\":0,"
                         "\"mean\":\"2020-01-01\",\"std\":0.70710678118654757,"
                         "\"min\":\"2020-01-01\",\"p25\":\"2020-01-01\",\"p50\":\"2020-01-01\","
                         "\"p75\":\"2020-01-01\",\"max\":\"2020-01-02\",\"unique\":null,"
                         "\"top\":null,\"freq\":null,\"unit\":\"days\",\"hist\":"),
              "%s", js);
    cr_assert(strstr(js, "\"mean\":\"1970-01-01 12:00:00\""), "%s", js);
    cr_assert(strstr(js, "\"max\":\"1970-01-02 00:00:01\""), "%s", js);
    cr_assert(strstr(js, "\"unit\":\"seconds\""), "%s", js);
    /* Rounded down, not toward zero: -0.5 days is 1969-12-31. */
    cr_assert(strstr(js, "{\"name\":\"neg\",\"type\":\"date\",\"count\":2,\"missing\":0,"
                         "\"mean\":\"1969-12-31\""),
              "%s", js);
    free(js);
    sx_profile_free(p);
    sx_frame_free(f);
}

/* ---- JSON ---- */

static const char *const contract_keys[] = {"name", "type", "count", "missing", "mean",
                                            "std", "min", "p25", "p50", "p75", "max",
                                            "unique", "top", "freq"};

/* A frame with one column of each type and some awkward values. */
static struct sx_frame *mixed_frame(void)
{
    struct sx_frame *f = new_frame();
    struct sx_column *x = add_col(f, "x", SX_FLOAT), *big = add_col(f, "big", SX_FLOAT);
    struct sx_column *i = add_col(f, "i", SX_INT), *d = add_col(f, "d", SX_DATE);
    struct sx_column *ts = add_col(f, "ts", SX_DATE), *c = add_col(f, "region", SX_CATEGORY);
    struct sx_column *t = add_col(f, "note", SX_TEXT), *b = add_col(f, "flag", SX_BOOL);
    struct sx_column *one = add_col(f, "one", SX_FLOAT);
    ts->unit = SX_SECONDS;
    const char *regions[] = {"north", "south", "east", "west \"quoted\""};
    for (int r = 0; r < 50; r++) {
        if (r % 7 == 3) sx_col_push_missing(x);
        else sx_col_push_f64(x, 0.1 * r - 2.0 / 3.0);
        sx_col_push_f64(big, r % 2 ? 1e300 : -1e300);
        sx_col_push_i64(i, (int64_t)(r * r) - 100);
        sx_col_push_i64(d, sx_date_from_ymd(2021, 3, 1) + r * 3);
        sx_col_push_i64(ts, 1600000000 + (int64_t)r * 3607);
        if (r % 11 == 5) sx_col_push_missing(c);
        else sx_col_push_str(c, regions[r % 4], strlen(regions[r % 4]));
        char buf[32];
        int k = snprintf(buf, sizeof buf, "n%d", r % 13);
        sx_col_push_str(t, buf, (size_t)k);
        sx_col_push_bool(b, r % 3 == 0);
        if (r == 0) sx_col_push_f64(one, 42.0);
        else sx_col_push_missing(one);
    }
    sync_frame(f);
    return f;
}

Test(profile, json_contract_and_round_trip)
{
    struct sx_frame *f = mixed_frame();
    struct sx_profile *p = profile(f, 5, 7, 0);
    json_t *j = sx_profile_json(p);
    cr_assert(j);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 50);
    json_t *cols = json_object_get(j, "columns");
    cr_assert_eq(json_array_size(cols), f->ncols);
    for (size_t k = 0; k < json_array_size(cols); k++) {
        json_t *o = json_array_get(cols, k);
        void *it = json_object_iter(o);
        for (size_t q = 0; q < 14; q++, it = json_object_iter_next(o, it)) {
            cr_assert(it, "column %zu lacks keys", k);
            cr_assert_str_eq(json_object_iter_key(it), contract_keys[q], "column %zu key %zu", k, q);
        }
    }
    char *s1 = dump(j);
    cr_assert(strstr(s1, "\"name\":\"big\",\"type\":\"float\",\"count\":50,\"missing\":0,"
                         "\"mean\":0.0,\"std\":\"inf\""),
              "%s", s1);
    cr_assert(strstr(s1, "\"name\":\"one\",\"type\":\"float\",\"count\":1,\"missing\":49,"
                         "\"mean\":42.0,\"std\":null,"),
              "%s", s1);
    cr_assert(strstr(s1, "{\"value\":\"west \\\"quoted\\\"\",\"count\":11}"), "%s", s1);
    cr_assert(strstr(s1, "\"name\":\"region\",\"type\":\"category\",\"count\":45,"
                         "\"missing\":5,"),
              "%s", s1);

    /* Reads back to a profile that writes the same text. */
    json_error_t jerr;
    json_t *back = json_loads(s1, 0, &jerr);
    cr_assert(back, "%s", jerr.text);
    struct sx_err err;
    struct sx_profile *q = sx_profile_from_json(back, &err);
    cr_assert(q, "%s", err.msg);
    cr_assert_eq(q->ncols, p->ncols);
    for (size_t k = 0; k < p->ncols; k++) {
        const struct sx_col_profile *a = &p->cols[k], *b = &q->cols[k];
        cr_assert_str_eq(a->name, b->name);
        cr_assert_eq(a->type, b->type);
        cr_assert_eq(a->unit, b->unit);
        cr_assert_eq(a->count, b->count);
        cr_assert_eq(a->missing, b->missing);
        cr_assert_eq(a->numeric, b->numeric);
        cr_assert_eq(a->categorical, b->categorical);
        if (a->type != SX_DATE) {
            assert_same(b->mean, a->mean, "%s mean", a->name);
            assert_same(b->p25, a->p25, "%s p25", a->name);
        }
        assert_same(b->std, a->std, "%s std", a->name);
        assert_same(b->min, a->min, "%s min", a->name);
        assert_same(b->max, a->max, "%s max", a->name);
        cr_assert_eq(a->unique, b->unique);
        cr_assert_eq(a->freq, b->freq);
        cr_assert_eq(a->nties, b->nties);
        cr_assert_eq(a->ntopk, b->ntopk);
        cr_assert_eq(a->nbins, b->nbins);
        for (size_t h = 0; h < a->nbins; h++) cr_assert_eq(a->hist[h], b->hist[h]);
        if (a->top) cr_assert_str_eq(a->top, b->top);
    }
    char *s2 = profile_json_text(q);
    cr_assert_str_eq(s1, s2);
    free(s1);
    free(s2);
    json_decref(back);
    json_decref(j);
    sx_profile_free(q);
    sx_profile_free(p);
    sx_frame_free(f);
}

Test(profile, from_json_rejects_malformed)
{
    static const char *const bad[] = {
        "[]",
        "{\"rows\":1}",
        "{\"rows\":-1,\"columns\":[]}",
        "{\"rows\":1,\"columns\":[{\"name\":\"x\",\"type\":\"complex\",\"count\":1,\"missing\":0}]}",
        "{\"rows\":1,\"columns\":[{\"type\":\"float\",\"count\":1,\"missing\":0}]}",
        "{\"rows\":1,\"columns\":[{\"name\":\"x\",\"type\":\"float\",\"count\":-1,\"missing\":0}]}",
        "{\"rows\":1,\"columns\":[{\"name\":\"x\",\"type\":\"float\",\"count\":1,\"missing\":0,"
        "\"mean\":\"many\"}]}",
        "{\"rows\":1,\"columns\":[{\"name\":\"x\",\"type\":\"category\",\"count\":1,\"missing\":0,"
        "\"unique\":1,\"top\":3,\"freq\":1}]}",
        "{\"rows\":1,\"columns\":[{\"name\":\"x\",\"type\":\"float\",\"count\":1,\"missing\":0,"
        "\"hist\":{\"min\":0,\"max\":1,\"counts\":[1,\"a\"]}}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        cr_assert(j, "test input %zu is JSON", i);
        struct sx_err err;
        sx_err_clear(&err);
        struct sx_profile *p = sx_profile_from_json(j, &err);
        cr_assert_null(p, "input %zu accepted", i);
        cr_assert_eq(err.code, SX_EPARSE, "input %zu: %s", i, err.msg);
        cr_assert(strstr(err.msg, "profile JSON"), "%s", err.msg);
        json_decref(j);
    }
    /* An empty profile is fine; "inf" strings read back as infinities. */
    json_t *j = json_loads("{\"rows\":3,\"columns\":[{\"name\":\"x\",\"type\":\"float\","
                           "\"count\":2,\"missing\":1,\"mean\":\"-inf\",\"std\":\"inf\","
                           "\"min\":null,\"p25\":1,\"p50\":2.5,\"p75\":3,\"max\":4,"
                           "\"unique\":null,\"top\":null,\"freq\":null}]}",
                           0, NULL);
    struct sx_err err;
    struct sx_profile *p = sx_profile_from_json(j, &err);
    cr_assert(p, "%s", err.msg);
    cr_assert(isinf(p->cols[0].mean) && p->cols[0].mean < 0);
    cr_assert(isinf(p->cols[0].std) && p->cols[0].std > 0);
    cr_assert(isnan(p->cols[0].min));
    cr_assert_eq(p->cols[0].p50, 2.5);
    sx_profile_free(p);
    json_decref(j);
}

/* ---- grouped profiles ---- */

Test(profile, group_by_category)
{
    const char *region[] = {"b", "a", "b", "c", NULL, "a"};
    double val[] = {1, 2, 3, 4, 5, 6};
    struct sx_frame *f = new_frame();
    push_f64s(add_col(f, "val", SX_FLOAT), val, 6);
    push_strs(add_col(f, "region", SX_CATEGORY), region, 6);
    sync_frame(f);
    struct sx_err err;
    struct sx_group_profile *g = sx_profile_by(f, 1, NULL, &err);
    cr_assert(g, "%s", err.msg);
    cr_assert_str_eq(g->by, "region");
    cr_assert_eq(g->ngroups, 3);
    const char *labels[] = {"a", "b", "c"};
    double means[] = {4, 2, 4};
    uint64_t rows[] = {2, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_str_eq(g->labels[i], labels[i]);
        cr_assert_eq(g->profiles[i]->rows, rows[i]);
        cr_assert_eq(g->profiles[i]->ncols, 1, "the grouping column is left out");
        cr_assert_str_eq(g->profiles[i]->cols[0].name, "val");
        cr_assert_eq(g->profiles[i]->cols[0].mean, means[i]);
    }
    json_t *j = sx_group_profile_json(g);
    char *s = dump(j);
    const char *head = "{\"rows\":5,\"by\":\"region\",\"groups\":[{\"value\":\"a\",\"rows\":2,"
                       "\"columns\":[{\"name\":\"val\",\"type\":\"float\",\"count\":2,";
    cr_assert(strncmp(s, head, strlen(head)) == 0, "%s", s);
    free(s);
    json_decref(j);
    sx_group_profile_free(g);
    sx_frame_free(f);
}

Test(profile, group_by_int_bool_text_and_errors)
{
    struct sx_frame *f = new_frame();
    struct sx_column *i = add_col(f, "i", SX_INT), *b = add_col(f, "b", SX_BOOL);
    struct sx_column *t = add_col(f, "t", SX_TEXT), *x = add_col(f, "x", SX_FLOAT);
    int64_t iv[] = {10, 9, 10, 100, -3};
    int bv[] = {1, 0, 1, 1, 0};
    const char *tv[] = {"zeta", "Alpha", "zeta", "", "alpha"};
    for (int r = 0; r < 5; r++) {
        sx_col_push_i64(i, iv[r]);
        sx_col_push_bool(b, bv[r]);
        sx_col_push_str(t, tv[r], strlen(tv[r]));
        sx_col_push_f64(x, r);
    }
    sync_frame(f);
    struct sx_err err;
    struct sx_group_profile *g = sx_profile_by(f, 0, NULL, &err);
    cr_assert(g, "%s", err.msg);
    const char *il[] = {"-3", "10", "100", "9"};
    cr_assert_eq(g->ngroups, 4);
    for (size_t k = 0; k < 4; k++) cr_assert_str_eq(g->labels[k], il[k], "bytes order");
    cr_assert_eq(g->profiles[1]->rows, 2);
    cr_assert_eq(g->profiles[1]->cols[2].mean, 1.0, "x of the rows with i = 10");
    sx_group_profile_free(g);

    g = sx_profile_by(f, 1, NULL, &err);
    cr_assert(g, "%s", err.msg);
    cr_assert_eq(g->ngroups, 2);
    cr_assert_str_eq(g->labels[0], "false");
    cr_assert_str_eq(g->labels[1], "true");
    cr_assert_eq(g->profiles[1]->rows, 3);
    sx_group_profile_free(g);

    g = sx_profile_by(f, 2, NULL, &err);
    cr_assert(g, "%s", err.msg);
    const char *tl[] = {"", "Alpha", "alpha", "zeta"};
    cr_assert_eq(g->ngroups, 4);
    for (size_t k = 0; k < 4; k++) cr_assert_str_eq(g->labels[k], tl[k]);
    cr_assert_eq(g->profiles[3]->cols[2].count, 2);
    cr_assert_eq(g->profiles[3]->cols[2].p50, 1.0);
    sx_group_profile_free(g);

    sx_err_clear(&err);
    cr_assert_null(sx_profile_by(f, 3, NULL, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert(strstr(err.msg, "'x'"), "%s", err.msg);
    cr_assert_null(sx_profile_by(f, 9, NULL, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    sx_frame_free(f);
}

/* Each group's profile equals the profile of the frame filtered to it. */
Test(profile, group_equals_filtered_frame)
{
    tu_rng_seed(99);
    struct sx_frame *f = new_frame();
    struct sx_column *g = add_col(f, "g", SX_CATEGORY), *x = add_col(f, "x", SX_FLOAT);
    struct sx_column *i = add_col(f, "i", SX_INT), *t = add_col(f, "t", SX_TEXT);
    struct sx_column *c = add_col(f, "c", SX_CATEGORY), *d = add_col(f, "d", SX_DATE);
    char buf[32];
    for (int r = 0; r < 3000; r++) {
        int k = snprintf(buf, sizeof buf, "g%zu", tu_rnd(7));
        if (tu_rnd(20) == 0) sx_col_push_missing(g);
        else sx_col_push_str(g, buf, (size_t)k);
        if (tu_rnd(9) == 0) sx_col_push_missing(x);
        else sx_col_push_f64(x, tu_unif() * 100 - 30);
        sx_col_push_i64(i, (int64_t)tu_rnd(50));
        k = snprintf(buf, sizeof buf, "t%zu", tu_rnd(40));
        sx_col_push_str(t, buf, (size_t)k);
        k = snprintf(buf, sizeof buf, "c%zu", tu_rnd(5));
        sx_col_push_str(c, buf, (size_t)k);
        sx_col_push_i64(d, 18000 + (int64_t)tu_rnd(400));
    }
    sync_frame(f);
    struct sx_err err;
    struct sx_profile_opts o;
    sx_profile_opts_init(&o);
    o.threads = 2;
    struct sx_group_profile *gp = sx_profile_by(f, 0, &o, &err);
    cr_assert(gp, "%s", err.msg);
    cr_assert_eq(gp->ngroups, 7);
    size_t sel[] = {1, 2, 3, 4, 5};
    struct sx_frame *rest = sx_frame_select(f, sel, 5, &err);
    cr_assert(rest, "%s", err.msg);
    uint8_t *mask = malloc(f->nrows);
    for (size_t k = 0; k < gp->ngroups; k++) {
        for (size_t r = 0; r < f->nrows; r++) {
            const char *s = sx_col_str(g, r);
            mask[r] = s && strcmp(s, gp->labels[k]) == 0;
        }
        struct sx_frame *sub = sx_frame_filter(rest, mask, &err);
        cr_assert(sub, "%s", err.msg);
        struct sx_profile *p = profile(sub, (size_t)-1, (size_t)-1, 1);
        char *a = profile_json_text(p), *b = profile_json_text(gp->profiles[k]);
        cr_assert_str_eq(a, b, "group %s", gp->labels[k]);
        free(a);
        free(b);
        sx_profile_free(p);
        sx_frame_free(sub);
    }
    free(mask);
    sx_frame_free(rest);
    sx_group_profile_free(gp);
    sx_frame_free(f);
}

/* ---- threads ---- */

Test(profile, threads_give_identical_results)
{
    struct sx_frame *f = mixed_frame();
    struct sx_profile *p1 = profile(f, (size_t)-1, (size_t)-1, 1);
    struct sx_profile *p2 = profile(f, (size_t)-1, (size_t)-1, 2);
    struct sx_profile *p8 = profile(f, (size_t)-1, (size_t)-1, 8);
    char *a = profile_json_text(p1), *b = profile_json_text(p2), *c = profile_json_text(p8);
    cr_assert_str_eq(a, b);
    cr_assert_str_eq(a, c);
    free(a);
    free(b);
    free(c);
    sx_profile_free(p1);
    sx_profile_free(p2);
    sx_profile_free(p8);
    sx_frame_free(f);
}

/* ---- correlation ---- */

/* Pearson r by the textbook two-pass formula in long double. */
static double pearson_ref(const double *x, const double *y, size_t n)
{
    long double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            mx += x[i];
            my += y[i];
            m++;
        }
    mx /= m;
    my /= m;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
    return (double)(sxy / sqrtl(sxx * syy));
}

Test(profile, correlation)
{
    double x[] = {1, 2, 3, 4, 5, NAN, 7};
    double y[] = {2, 1, 4, 3, 5.5, 6, NAN};
    double k[] = {3, 3, 3, 3, 3, 3, 3};
    struct sx_frame *f = new_frame();
    push_f64s(add_col(f, "x", SX_FLOAT), x, 7);
    push_strs(add_col(f, "label", SX_CATEGORY),
              (const char *[]){"a", "b", "a", "b", "a", "b", "a"}, 7);
    push_f64s(add_col(f, "y", SX_FLOAT), y, 7);
    struct sx_column *i = add_col(f, "i", SX_INT), *b = add_col(f, "b", SX_BOOL);
    struct sx_column *d = add_col(f, "d", SX_DATE);
    push_f64s(add_col(f, "k", SX_FLOAT), k, 7);
    for (int r = 0; r < 7; r++) {
        sx_col_push_i64(i, 10 - 2 * r);
        sx_col_push_bool(b, r % 2);
        sx_col_push_i64(d, r);
    }
    sync_frame(f);
    struct sx_err err;
    struct sx_corr *c = sx_profile_corr(f, &err);
    cr_assert(c, "%s", err.msg);
    cr_assert_eq(c->n, 5, "float, int and bool columns only");
    const char *names[] = {"x", "y", "i", "b", "k"};
    size_t cols[] = {0, 2, 3, 4, 6};
    for (size_t q = 0; q < 5; q++) {
        cr_assert_str_eq(c->names[q], names[q]);
        cr_assert_eq(c->cols[q], cols[q]);
    }
    double rxy = pearson_ref(x, y, 7);
    cr_assert(fabs(c->r[0 * 5 + 1] - rxy) <= 1e-12 * fabs(rxy), "r(x,y) %.17g vs %.17g",
              c->r[1], rxy);
    cr_assert_eq(c->r[0 * 5 + 1], c->r[1 * 5 + 0]);
    cr_assert(fabs(c->r[0 * 5 + 2] + 1.0) <= 1e-15, "x and i are exactly anti-correlated");
    cr_assert_eq(c->r[0], 1.0);
    cr_assert_eq(c->r[6], 1.0);
    double bv[] = {0, 1, 0, 1, 0, 1, 0};
    double rxb = pearson_ref(x, bv, 7);
    cr_assert(fabs(c->r[0 * 5 + 3] - rxb) <= 1e-12 * fabs(rxb));
    for (size_t q = 0; q < 5; q++) {
        cr_assert(isnan(c->r[4 * 5 + q]), "constant column: undefined");
        cr_assert(isnan(c->r[q * 5 + 4]));
    }
    sx_corr_free(c);
    sx_frame_free(f);
}

/* ---- pandas comparison on random CSV files ---- */

struct gen_col {
    const char *name;
    enum sx_type type;
    const char *hint;         /* describe.py type hint, or NULL */
};

/* One random data set: a CSV file at PATH and the same data as a frame. */
static struct sx_frame *gen_file(const char *path, uint64_t seed, double scale, size_t n)
{
    static const struct gen_col cols[] = {
        {"price", SX_FLOAT, NULL},     {"shifted", SX_FLOAT, NULL},
        {"short", SX_FLOAT, NULL},     {"count", SX_INT, NULL},
        {"holes", SX_INT, NULL},       {"day", SX_DATE, "date"},
        {"region", SX_CATEGORY, "str"}, {"segment", SX_CATEGORY, "str"},
        {"note", SX_TEXT, "str"},      {"flag", SX_BOOL, NULL},
        {"empty", SX_FLOAT, NULL},
    };
    const size_t nc = sizeof cols / sizeof cols[0];
    static const char *const regions[] = {"north", "south", "east", "west", "centre"};
    tu_rng_seed(seed);
    struct sx_frame *f = new_frame();
    struct sx_column *fc[16];
    for (size_t k = 0; k < nc; k++) fc[k] = add_col(f, cols[k].name, cols[k].type);
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    for (size_t k = 0; k < nc; k++) fprintf(fp, "%s%s", k ? "," : "", cols[k].name);
    fputc('\n', fp);

    /* Regions: exact counts with a designed tie between two of them, in a
     * shuffled order (pandas resolves few-category ties first-seen). */
    size_t *reg = malloc(n * sizeof *reg);
    size_t tie = n / 4;
    for (size_t r = 0; r < n; r++) reg[r] = r < tie ? 1 : r < 2 * tie ? 3 : 5 + tu_rnd(3);
    for (size_t r = n - 1; r > 0; r--) {
        size_t j = tu_rnd(r + 1), t = reg[r];
        reg[r] = reg[j];
        reg[j] = t;
    }
    char cell[128];
    for (size_t r = 0; r < n; r++) {
        for (size_t k = 0; k < nc; k++) {
            struct sx_column *c = fc[k];
            int missing = tu_rnd(12) == 0;
            if (k == nc - 1) missing = 1;
            if (k == 3) missing = 0;
            if (k > 0) fputc(',', fp);
            if (missing) {
                fputs(tu_rnd(3) == 0 ? "NA" : "", fp);
                cr_assert_eq(sx_col_push_missing(c), SX_OK);
                continue;
            }
            double v;
            switch (k) {
            case 0:   /* 17 significant digits: any double */
                v = scale * (tu_unif() - 0.3) * 3;
                snprintf(cell, sizeof cell, "%.17g", v);
                break;
            case 1:
                v = scale * (1 + tu_unif());
                snprintf(cell, sizeof cell, "%.17g", v);
                break;
            case 2:
                snprintf(cell, sizeof cell, "%.3f", tu_unif() * 2000 - 1000);
                break;
            case 3:
            case 4:
                snprintf(cell, sizeof cell, "%lld", (long long)tu_rnd(1000) - 200);
                break;
            case 5:
                sx_date_format(sx_date_from_ymd(2018, 1, 1) + (int64_t)tu_rnd(2000), cell);
                break;
            case 6:
                snprintf(cell, sizeof cell, "%s", regions[reg[r] % 5]);
                break;
            case 7:   /* 30 segments, close counts: ties possible among many */
                snprintf(cell, sizeof cell, "seg%02zu", tu_rnd(30));
                break;
            case 8:
                snprintf(cell, sizeof cell, tu_rnd(4) ? "note %zu" : "note, with comma %zu",
                         tu_rnd(n));
                break;
            default:
                snprintf(cell, sizeof cell, "%s", tu_rnd(3) ? "false" : "true");
                break;
            }
            if (strchr(cell, ',')) fprintf(fp, "\"%s\"", cell);
            else fputs(cell, fp);
            switch (c->type) {
            case SX_FLOAT:
                cr_assert_eq(sx_col_push_f64(c, strtod(cell, NULL)), SX_OK);
                break;
            case SX_INT:
                cr_assert_eq(sx_col_push_i64(c, strtoll(cell, NULL, 10)), SX_OK);
                break;
            case SX_DATE: {
                int64_t dd;
                cr_assert(sx_date_parse(cell, strlen(cell), &dd));
                cr_assert_eq(sx_col_push_i64(c, dd), SX_OK);
                break;
            }
            case SX_BOOL:
                cr_assert_eq(sx_col_push_bool(c, cell[0] == 't'), SX_OK);
                break;
            default:
                cr_assert_eq(sx_col_push_str(c, cell, strlen(cell)), SX_OK);
                break;
            }
        }
        fputc('\n', fp);
    }
    cr_assert_eq(fclose(fp), 0);
    free(reg);
    sync_frame(f);
    return f;
}

static double ref_num(const json_t *v)
{
    if (!v || json_is_null(v)) return NAN;
    if (json_is_string(v)) return json_string_value(v)[0] == '-' ? -INFINITY : INFINITY;
    return json_number_value(v);
}

/* STATS.md section 13: |got - ref| <= max(rtol |ref|, atol); NaN and
 * infinities match by kind. */
static int close_enough(double got, double ref, double atol)
{
    if (isnan(ref) || isnan(got)) return isnan(ref) && isnan(got);
    if (isinf(ref) || isinf(got)) return got == ref;
    double tol = fmax(1e-9 * fabs(ref), atol);
    return fabs(got - ref) <= tol;
}

static json_t *run_describe(const char *py, const char *csv, const char *const *hints,
                            size_t nhints, int corr)
{
    const char *src = getenv("SEXTANT_SRC");
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/ref/describe.py", src && *src ? src : ".");
    char *argv[32];
    size_t a = 0;
    argv[a++] = (char *)py;
    argv[a++] = script;
    argv[a++] = (char *)csv;
    for (size_t i = 0; i < nhints; i++) argv[a++] = (char *)hints[i];
    if (corr) argv[a++] = "--corr";
    argv[a] = NULL;
    struct tu_run r = tu_runv(NULL, NULL, NULL, argv);
    cr_assert_eq(r.status, 0, "describe.py failed: %s", r.err);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    cr_assert(j, "describe.py output: %s", jerr.text);
    tu_run_free(&r);
    return j;
}

/* Compare profile P with describe.py's output REF. */
static void compare_with_pandas(const struct sx_profile *p, const json_t *ref, double atol,
                                const char *what)
{
    const json_t *cols = json_object_get(ref, "columns");
    cr_assert_eq(json_integer_value(json_object_get(ref, "rows")), (json_int_t)p->rows, "%s", what);
    cr_assert_eq(json_array_size(cols), p->ncols, "%s", what);
    for (size_t k = 0; k < p->ncols; k++) {
        const struct sx_col_profile *cp = &p->cols[k];
        const json_t *rc = json_array_get(cols, k);
        const char *kind = json_string_value(json_object_get(rc, "kind"));
        cr_assert_str_eq(json_string_value(json_object_get(rc, "name")), cp->name);
        cr_assert_eq((json_int_t)cp->count, json_integer_value(json_object_get(rc, "count")),
                     "%s %s count", what, cp->name);
        if (cp->numeric) {
            cr_assert_str_eq(kind, "numeric", "%s %s", what, cp->name);
            const char *pk[] = {"min", "25%", "50%", "75%", "max"};
            double got[] = {cp->min, cp->p25, cp->p50, cp->p75, cp->max};
            for (int q = 0; q < 5; q++) {
                double want = ref_num(json_object_get(rc, pk[q]));
                cr_assert(same(got[q], want), "%s %s %s: %.17g, pandas %.17g (exact)", what,
                          cp->name, pk[q], got[q], want);
            }
            double mean = ref_num(json_object_get(rc, "mean"));
            double std = ref_num(json_object_get(rc, "std"));
            cr_assert(close_enough(cp->mean, mean, atol), "%s %s mean: %.17g, pandas %.17g",
                      what, cp->name, cp->mean, mean);
            cr_assert(close_enough(cp->std, std, atol), "%s %s std: %.17g, pandas %.17g", what,
                      cp->name, cp->std, std);
            const json_t *h = json_object_get(rc, "hist");
            cr_assert_eq(json_array_size(h), cp->nbins, "%s %s bins", what, cp->name);
            for (size_t b = 0; b < cp->nbins; b++)
                cr_assert_eq((json_int_t)cp->hist[b], json_integer_value(json_array_get(h, b)),
                             "%s %s bin %zu (numpy.histogram)", what, cp->name, b);
        } else {
            cr_assert_str_eq(kind, "categorical", "%s %s", what, cp->name);
            cr_assert_eq((json_int_t)cp->unique, json_integer_value(json_object_get(rc, "unique")),
                         "%s %s unique", what, cp->name);
            const json_t *top = json_object_get(rc, "top"), *ties = json_object_get(rc, "ties");
            if (json_is_null(top)) {
                cr_assert_null(cp->top, "%s %s", what, cp->name);
                continue;
            }
            cr_assert_eq((json_int_t)cp->freq, json_integer_value(json_object_get(rc, "freq")),
                         "%s %s freq", what, cp->name);
            /* Every tied candidate, in first-seen order, exactly. */
            size_t nt = json_array_size(ties);
            cr_assert_eq(cp->nties, nt < 100 ? nt : 100, "%s %s ties", what, cp->name);
            for (size_t t = 0; t < cp->nties; t++)
                cr_assert_str_eq(cp->ties[t], json_string_value(json_array_get(ties, t)),
                                 "%s %s tie %zu", what, cp->name, t);
            /* pandas' top is one of ours; where pandas picks first-seen, ours equals it. */
            const char *pt = json_string_value(top);
            int found = 0;
            for (size_t t = 0; t < cp->nties; t++) found |= strcmp(cp->ties[t], pt) == 0;
            cr_assert(found, "%s %s: pandas' top %s not among our ties", what, cp->name, pt);
            if (strcmp(pt, json_string_value(json_array_get(ties, 0))) == 0)
                cr_assert_str_eq(cp->top, pt, "%s %s top", what, cp->name);
        }
    }
}

static void compare_corr(const struct sx_corr *c, const json_t *ref, const char *what)
{
    const json_t *rc = json_object_get(ref, "corr");
    const json_t *names = json_object_get(rc, "names"), *r = json_object_get(rc, "r");
    cr_assert_eq(json_array_size(names), c->n, "%s corr size", what);
    for (size_t i = 0; i < c->n; i++) {
        cr_assert_str_eq(c->names[i], json_string_value(json_array_get(names, i)));
        for (size_t j = 0; j < c->n; j++) {
            double want = ref_num(json_array_get(json_array_get(r, i), j));
            cr_assert(close_enough(c->r[i * c->n + j], want, 1e-12),
                      "%s corr %s/%s: %.17g, pandas %.17g", what, c->names[i], c->names[j],
                      c->r[i * c->n + j], want);
        }
    }
}

Test(profile, matches_pandas_describe, .timeout = 300)
{
    const char *py = tu_python_with("pandas numpy");
    if (!py) cr_skip_test("python3 with pandas is not installed");
    char *dir = tu_tmpdir();
    static const double scales[] = {1.0, 1e-300, 1e8, 1e300, 1e-5, 123.0};
    static const char *const hints[] = {"day=date", "region=str", "segment=str", "note=str"};
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++) {
        char name[64];
        snprintf(name, sizeof name, "rand%zu.csv", s);
        char *path = tu_path(dir, name);
        size_t n = s == 0 ? 5 : 300 + 700 * s;
        struct sx_frame *f = gen_file(path, 1000 + s, scales[s], n);
        double atol = scales[s] < 1e-200 ? 0 : 1e-12;   /* STATS.md 13: atol 0 at 1e-300 */
        json_t *ref = run_describe(py, path, hints, 4, 1);
        cr_log_info("%s (scale %g): pandas' default float parser %s", name, scales[s],
                    json_is_true(json_object_get(ref, "default_parser_agrees")) ? "agrees"
                                                                               : "disagrees");

        /* The frame built directly. */
        struct sx_profile *p = profile(f, (size_t)-1, (size_t)-1, 0);
        compare_with_pandas(p, ref, atol, name);
        struct sx_err err;
        struct sx_corr *c = sx_profile_corr(f, &err);
        cr_assert(c, "%s", err.msg);
        /* pandas' matrix has the numeric columns only (no dates). */
        compare_corr(c, ref, name);
        sx_corr_free(c);
        sx_profile_free(p);

        /* The same file through the CSV loader. */
        struct sx_csv_opts o;
        sx_csv_opts_init(&o);
        struct sx_csv_coltype types[] = {
            {"price", SX_FLOAT},    {"shifted", SX_FLOAT}, {"short", SX_FLOAT},
            {"count", SX_INT},      {"holes", SX_INT},     {"day", SX_DATE},
            {"region", SX_CATEGORY}, {"segment", SX_CATEGORY}, {"note", SX_TEXT},
            {"flag", SX_BOOL},      {"empty", SX_FLOAT},
        };
        o.types = types;
        o.ntypes = sizeof types / sizeof types[0];
        struct sx_frame *g = sx_csv_load(path, &o, NULL, &err);
        cr_assert(g, "load %s: %s", path, err.msg);
        p = profile(g, (size_t)-1, (size_t)-1, 2);
        compare_with_pandas(p, ref, atol, name);
        sx_profile_free(p);
        /* Inferred types profile the same way where inference agrees. */
        sx_csv_opts_init(&o);
        struct sx_frame *h = sx_csv_load(path, &o, NULL, &err);
        cr_assert(h, "load %s: %s", path, err.msg);
        p = profile(h, (size_t)-1, (size_t)-1, 0);
        for (size_t k = 0; k < p->ncols; k++) {
            if (h->cols[k]->type != g->cols[k]->type) continue;
            cr_assert_eq(p->cols[k].count, (uint64_t)json_integer_value(json_object_get(
                             json_array_get(json_object_get(ref, "columns"), k), "count")));
        }
        sx_profile_free(p);
        sx_frame_free(h);
        sx_frame_free(g);
        json_decref(ref);
        sx_frame_free(f);
        free(path);
    }
    tu_rmrf(dir);
    free(dir);
}
