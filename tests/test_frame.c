/* tests/test_frame.c: the frame (core/frame.c): type names, dictionaries,
 * column storage and accessors, bitmaps at word boundaries, append with
 * category remapping, slice/select/take/filter, and the stable multi-key
 * sort checked against a brute-force reference on random data. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "frame.h"

/* ---- helpers ---- */

static uint64_t dbits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Cell A[i] and B[j] hold the same value (bitwise for floats). */
static void assert_same_cell(const struct sx_column *a, size_t i, const struct sx_column *b,
                             size_t j)
{
    cr_assert_eq(a->type, b->type);
    cr_assert_eq(sx_col_valid(a, i), sx_col_valid(b, j), "column %s: validity of %zu vs %zu",
                 a->name, i, j);
    if (!sx_col_valid(a, i))
        return;
    switch (a->type) {
    case SX_FLOAT:
        cr_assert_eq(dbits(a->v.f64[i]), dbits(b->v.f64[j]), "%s[%zu]", a->name, i);
        break;
    case SX_INT:
    case SX_DATE:
        cr_assert_eq(a->v.i64[i], b->v.i64[j], "%s[%zu]", a->name, i);
        break;
    case SX_BOOL:
        cr_assert_eq(a->v.b[i], b->v.b[j]);
        break;
    case SX_CATEGORY:
    case SX_TEXT:
        cr_assert_str_eq(sx_col_str(a, i), sx_col_str(b, j), "%s[%zu]", a->name, i);
        break;
    }
}

/* The validity bitmap's bits at and past len are zero and missing slots
 * hold zero (the layout invariants of frame.h). */
static void assert_layout(const struct sx_column *c)
{
    cr_assert(c->len <= c->cap);
    if (c->cap == 0)
        return;
    size_t words = (c->cap + 63) / 64;
    for (size_t i = c->len; i < words * 64; i++)
        cr_assert_eq((c->valid[i >> 6] >> (i & 63)) & 1, 0, "%s: stray bit %zu", c->name, i);
    for (size_t i = 0; i < c->len; i++) {
        if (sx_col_valid(c, i))
            continue;
        switch (c->type) {
        case SX_FLOAT: cr_assert_eq(dbits(c->v.f64[i]), 0); break;
        case SX_INT:
        case SX_DATE: cr_assert_eq(c->v.i64[i], 0); break;
        case SX_BOOL: cr_assert_eq(c->v.b[i], 0); break;
        case SX_CATEGORY: cr_assert_eq(c->v.cat[i], 0); break;
        case SX_TEXT: cr_assert_eq(c->v.off[i], c->v.off[i + 1]); break;
        }
    }
    if (c->type == SX_TEXT) {
        cr_assert_eq(c->v.off[0], 0);
        cr_assert_eq(c->v.off[c->len], c->text_len);
    }
}

static void assert_frame_ok(const struct sx_frame *f)
{
    for (size_t j = 0; j < f->ncols; j++) {
        cr_assert_eq(f->cols[j]->len, f->nrows, "column %s len", f->cols[j]->name);
        assert_layout(f->cols[j]);
    }
}

static const char *const words[] = {"alpha", "beta", "gamma", "delta", "épsilon", "ζeta",
                                    "",      "eta",  "theta", "alphabet-soup-long",
                                    "alphabet-soup-longer"};
#define NWORDS (sizeof words / sizeof words[0])

/* A frame of N random rows with one column of each type (categories from
 * WORDS[off..off+span), about 1 in 5 cells missing). */
static struct sx_frame *random_frame(size_t n, size_t off, size_t span)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    cr_assert(f);
    struct sx_column *cf = sx_frame_add(f, "f", SX_FLOAT, &err);
    struct sx_column *ci = sx_frame_add(f, "i", SX_INT, &err);
    struct sx_column *cb = sx_frame_add(f, "b", SX_BOOL, &err);
    struct sx_column *cd = sx_frame_add(f, "d", SX_DATE, &err);
    struct sx_column *cc = sx_frame_add(f, "c", SX_CATEGORY, &err);
    struct sx_column *ct = sx_frame_add(f, "t", SX_TEXT, &err);
    cr_assert(cf && ci && cb && cd && cc && ct);
    for (size_t r = 0; r < n; r++) {
        if (tu_rnd(5) == 0) cr_assert_eq(sx_col_push_missing(cf), SX_OK);
        else cr_assert_eq(sx_col_push_f64(cf, (double)(int)tu_rnd(50) / 4 - 5), SX_OK);
        if (tu_rnd(5) == 0) cr_assert_eq(sx_col_push_missing(ci), SX_OK);
        else cr_assert_eq(sx_col_push_i64(ci, (int64_t)tu_rnd(30) - 15), SX_OK);
        if (tu_rnd(5) == 0) cr_assert_eq(sx_col_push_missing(cb), SX_OK);
        else cr_assert_eq(sx_col_push_bool(cb, (int)tu_rnd(2)), SX_OK);
        if (tu_rnd(5) == 0) cr_assert_eq(sx_col_push_missing(cd), SX_OK);
        else cr_assert_eq(sx_col_push_i64(cd, 17000 + (int64_t)tu_rnd(20)), SX_OK);
        if (tu_rnd(5) == 0) {
            cr_assert_eq(sx_col_push_missing(cc), SX_OK);
        } else {
            const char *w = words[(off + tu_rnd(span)) % NWORDS];
            cr_assert_eq(sx_col_push_str(cc, w, strlen(w)), SX_OK);
        }
        if (tu_rnd(5) == 0) {
            cr_assert_eq(sx_col_push_missing(ct), SX_OK);
        } else {
            const char *w = words[tu_rnd(NWORDS)];
            cr_assert_eq(sx_col_push_str(ct, w, strlen(w)), SX_OK);
        }
    }
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(f->nrows, n);
    assert_frame_ok(f);
    return f;
}

/* A one-column float frame of N rows where row r is r and missing when
 * MISSING(r). */
static int miss_pattern(size_t r)
{
    return r % 3 == 1 || r % 64 == 63 || r % 7 == 0;
}

static struct sx_frame *float_frame(size_t n, size_t base)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_column *c = sx_frame_add(f, "x", SX_FLOAT, NULL);
    cr_assert(c);
    for (size_t r = 0; r < n; r++) {
        if (miss_pattern(base + r)) cr_assert_eq(sx_col_push_missing(c), SX_OK);
        else cr_assert_eq(sx_col_push_f64(c, (double)(base + r)), SX_OK);
    }
    cr_assert_eq(sx_frame_sync(f, NULL), SX_OK);
    return f;
}

static void check_float_frame(const struct sx_frame *f, size_t n, size_t base)
{
    cr_assert_eq(f->nrows, n);
    const struct sx_column *c = f->cols[0];
    assert_layout(c);
    for (size_t r = 0; r < n; r++) {
        int miss = miss_pattern(base + r);
        cr_assert_eq(sx_col_valid(c, r), !miss, "row %zu (base %zu)", r, base);
        if (!miss) cr_assert_eq(c->v.f64[r], (double)(base + r));
    }
}

/* ---- types ---- */

Test(frame, type_names_round_trip)
{
    struct sx_err err;
    for (int t = 0; t < SX_TYPE_COUNT; t++) {
        enum sx_type out = SX_TEXT;
        cr_assert_eq(sx_type_parse(sx_type_name((enum sx_type)t), &out, &err), SX_OK);
        cr_assert_eq((int)out, t);
    }
    cr_assert_str_eq(sx_type_name(SX_FLOAT), "float");
    cr_assert_str_eq(sx_type_name(SX_CATEGORY), "category");
    enum sx_type out = SX_INT;
    cr_assert_eq(sx_type_parse("double", &out, &err), SX_EINVAL);
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert(strstr(err.msg, "double") && strstr(err.msg, "category"), "%s", err.msg);
    cr_assert_eq(out, SX_INT, "output untouched on error");
    cr_assert_eq(sx_type_parse("", &out, NULL), SX_EINVAL);
    cr_assert_eq(sx_type_parse("Float", &out, NULL), SX_EINVAL);
    cr_assert(sx_type_is_numeric(SX_FLOAT) && sx_type_is_numeric(SX_INT) &&
              sx_type_is_numeric(SX_BOOL) && sx_type_is_numeric(SX_DATE));
    cr_assert(!sx_type_is_numeric(SX_CATEGORY) && !sx_type_is_numeric(SX_TEXT));
}

/* ---- dictionaries ---- */

Test(frame, dict_basics)
{
    struct sx_dict *d = sx_dict_new();
    cr_assert(d);
    cr_assert_eq(sx_dict_find(d, "a", 1), UINT32_MAX, "empty dictionary");
    cr_assert_eq(sx_dict_intern(d, "red", 3), 0);
    cr_assert_eq(sx_dict_intern(d, "green", 5), 1);
    cr_assert_eq(sx_dict_intern(d, "red", 3), 0);
    /* Not NUL-terminated input: only LEN bytes count. */
    cr_assert_eq(sx_dict_intern(d, "blueXXX", 4), 2);
    cr_assert_str_eq(d->str[2], "blue");
    cr_assert_eq(d->len[2], 4);
    cr_assert_eq(sx_dict_intern(d, "", 0), 3);
    cr_assert_str_eq(d->str[3], "");
    cr_assert_eq(sx_dict_find(d, "", 0), 3);
    cr_assert_eq(sx_dict_find(d, "re", 2), UINT32_MAX, "prefix is not a match");
    cr_assert_eq(sx_dict_find(d, "redd", 4), UINT32_MAX);
    cr_assert_eq(sx_dict_find(d, "green", 5), 1);
    /* Embedded NUL bytes are part of the value. */
    cr_assert_eq(sx_dict_intern(d, "a\0b", 3), 4);
    cr_assert_eq(sx_dict_intern(d, "a\0c", 3), 5);
    cr_assert_eq(sx_dict_find(d, "a\0b", 3), 4);
    cr_assert_eq(d->n, 6);
    sx_dict_free(d);
    sx_dict_free(NULL);
}

Test(frame, dict_100k_distinct_codes_stable)
{
    enum { N = 100000 };
    struct sx_dict *d = sx_dict_new();
    char buf[32];
    for (uint32_t i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "v%u-%x", i * 2654435761u, i);
        cr_assert_eq(sx_dict_intern(d, buf, (size_t)len), i, "first-seen order at %u", i);
        /* The table never runs fuller than half. */
        cr_assert_leq((uint64_t)d->n * 2, d->nslots);
        cr_assert_eq(d->nslots & (d->nslots - 1), 0, "power of two");
    }
    cr_assert_eq(d->n, N);
    cr_assert_geq(d->nslots, 2 * N);
    for (uint32_t i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "v%u-%x", i * 2654435761u, i);
        cr_assert_eq(sx_dict_find(d, buf, (size_t)len), i);
        cr_assert_eq(sx_dict_intern(d, buf, (size_t)len), i, "re-intern keeps the code");
        cr_assert_str_eq(d->str[i], buf);
        cr_assert_eq(d->len[i], (uint32_t)len);
    }
    cr_assert_eq(d->n, N, "no duplicates added");
    cr_assert_eq(sx_dict_find(d, "v-absent", 8), UINT32_MAX);
    sx_dict_free(d);
}

Test(frame, dict_similar_keys)
{
    /* Keys of every length 0..40 sharing prefixes: exercises each branch
     * of the hash's tail handling. */
    struct sx_dict *d = sx_dict_new();
    char buf[64];
    uint32_t code = 0;
    for (int fill = 'a'; fill <= 'c'; fill++)
        for (size_t len = 0; len <= 40; len++) {
            memset(buf, fill, len);
            if (fill != 'a' && len == 0)
                continue;
            cr_assert_eq(sx_dict_intern(d, buf, len), code++);
        }
    code = 0;
    for (int fill = 'a'; fill <= 'c'; fill++)
        for (size_t len = 0; len <= 40; len++) {
            memset(buf, fill, len);
            if (fill != 'a' && len == 0)
                continue;
            cr_assert_eq(sx_dict_find(d, buf, len), code++);
        }
    sx_dict_free(d);
}

/* ---- columns ---- */

Test(frame, column_push_each_type)
{
    struct sx_column *f = sx_col_new("f", SX_FLOAT), *i = sx_col_new("i", SX_INT),
                     *b = sx_col_new("b", SX_BOOL), *d = sx_col_new("d", SX_DATE),
                     *c = sx_col_new("c", SX_CATEGORY), *t = sx_col_new("t", SX_TEXT);
    cr_assert(f && i && b && d && c && t);
    cr_assert_str_eq(f->name, "f");
    cr_assert_eq(f->len, 0);
    cr_assert(c->dict && c->dict->n == 0);
    cr_assert_eq(sx_col_push_f64(f, 1.5), SX_OK);
    cr_assert_eq(sx_col_push_missing(f), SX_OK);
    cr_assert_eq(sx_col_push_f64(f, -0.0), SX_OK);
    cr_assert_eq(sx_col_push_i64(i, INT64_MIN), SX_OK);
    cr_assert_eq(sx_col_push_i64(i, INT64_MAX), SX_OK);
    cr_assert_eq(sx_col_push_missing(i), SX_OK);
    cr_assert_eq(sx_col_push_bool(b, 7), SX_OK);
    cr_assert_eq(sx_col_push_bool(b, 0), SX_OK);
    cr_assert_eq(sx_col_push_missing(b), SX_OK);
    cr_assert_eq(sx_col_push_i64(d, -1), SX_OK);
    cr_assert_eq(sx_col_push_missing(d), SX_OK);
    cr_assert_eq(sx_col_push_str(c, "x", 1), SX_OK);
    cr_assert_eq(sx_col_push_missing(c), SX_OK);
    cr_assert_eq(sx_col_push_str(c, "y", 1), SX_OK);
    cr_assert_eq(sx_col_push_code(c, 0), SX_OK);
    cr_assert_eq(sx_col_push_str(t, "héllo", strlen("héllo")), SX_OK);
    cr_assert_eq(sx_col_push_missing(t), SX_OK);
    cr_assert_eq(sx_col_push_str(t, "", 0), SX_OK);
    cr_assert_eq(sx_col_push_str(t, "abcdef", 3), SX_OK);

    cr_assert_eq(f->len, 3);
    cr_assert_eq(f->v.f64[0], 1.5);
    cr_assert(sx_col_valid(f, 0) && !sx_col_valid(f, 1) && sx_col_valid(f, 2));
    cr_assert(signbit(f->v.f64[2]), "-0.0 stored as is");
    cr_assert_eq(i->v.i64[0], INT64_MIN);
    cr_assert_eq(i->v.i64[1], INT64_MAX);
    cr_assert_eq(b->v.b[0], 1, "bools stored as 0/1");
    cr_assert_eq(c->dict->n, 2);
    cr_assert_eq(c->v.cat[0], 0);
    cr_assert_eq(c->v.cat[2], 1);
    cr_assert_eq(c->v.cat[3], 0);
    cr_assert_str_eq(sx_col_str(c, 3), "x");
    cr_assert_null(sx_col_str(c, 1));
    cr_assert_str_eq(sx_col_str(t, 0), "héllo");
    cr_assert_null(sx_col_str(t, 1));
    cr_assert_str_eq(sx_col_str(t, 2), "", "empty string is present, not missing");
    cr_assert_str_eq(sx_col_str(t, 3), "abc");
    cr_assert_eq(t->text_len, strlen("héllo") + 1 + 1 + 4);
    cr_assert_null(sx_col_str(f, 0), "not a string column");
    struct sx_column *all[] = {f, i, b, d, c, t};
    for (size_t k = 0; k < 6; k++)
        assert_layout(all[k]);

    /* Mismatched appenders are refused and change nothing. */
    cr_assert_neq(sx_col_push_i64(f, 1), SX_OK);
    cr_assert_neq(sx_col_push_f64(i, 1), SX_OK);
    cr_assert_neq(sx_col_push_bool(i, 1), SX_OK);
    cr_assert_neq(sx_col_push_str(f, "a", 1), SX_OK);
    cr_assert_neq(sx_col_push_code(t, 0), SX_OK);
    cr_assert_neq(sx_col_push_code(c, 2), SX_OK, "code not in the dictionary");
    cr_assert_neq(sx_col_push_f64(d, 1), SX_OK);
    cr_assert_eq(f->len, 3);
    cr_assert_eq(i->len, 3);
    cr_assert_eq(c->len, 4);
    cr_assert_eq(t->len, 4);
    for (size_t k = 0; k < 6; k++)
        sx_col_free(all[k]);
    sx_col_free(NULL);
}

Test(frame, column_reserve_and_growth)
{
    struct sx_column *c = sx_col_new("x", SX_INT);
    cr_assert_eq(sx_col_reserve(c, 100), SX_OK);
    cr_assert_eq(c->cap, 100, "reserve is exact");
    cr_assert_eq(c->len, 0);
    int64_t *before = c->v.i64;
    for (int64_t k = 0; k < 100; k++)
        cr_assert_eq(sx_col_push_i64(c, k), SX_OK);
    cr_assert_eq(c->v.i64, before, "no reallocation within the reservation");
    cr_assert_eq(sx_col_reserve(c, 50), SX_OK, "smaller reserve is a no-op");
    cr_assert_eq(c->cap, 100);
    size_t grows = 0, cap = c->cap;
    for (int64_t k = 100; k < 100000; k++) {
        cr_assert_eq(sx_col_push_i64(c, k), SX_OK);
        if (c->cap != cap) {
            grows++;
            cap = c->cap;
        }
    }
    cr_assert_lt(grows, 40, "geometric growth (%zu reallocations)", grows);
    for (int64_t k = 0; k < 100000; k++)
        cr_assert_eq(c->v.i64[k], k);
    assert_layout(c);
    sx_col_free(c);
}

Test(frame, column_num)
{
    struct sx_column *f = sx_col_new("f", SX_FLOAT), *i = sx_col_new("i", SX_INT),
                     *b = sx_col_new("b", SX_BOOL), *d = sx_col_new("d", SX_DATE),
                     *c = sx_col_new("c", SX_CATEGORY);
    sx_col_push_f64(f, 2.25);
    sx_col_push_missing(f);
    sx_col_push_f64(f, NAN);
    sx_col_push_i64(i, -42);
    sx_col_push_bool(b, 1);
    sx_col_push_bool(b, 0);
    sx_col_push_i64(d, 19000);
    d->unit = SX_SECONDS;
    sx_col_push_i64(d, 1700000000);
    sx_col_push_str(c, "a", 1);
    cr_assert_eq(sx_col_num(f, 0), 2.25);
    cr_assert(isnan(sx_col_num(f, 1)), "missing is NaN");
    cr_assert(isnan(sx_col_num(f, 2)), "present NaN stays NaN");
    cr_assert(sx_col_valid(f, 2));
    cr_assert_eq(sx_col_num(i, 0), -42.0);
    cr_assert_eq(sx_col_num(b, 0), 1.0);
    cr_assert_eq(sx_col_num(b, 1), 0.0);
    cr_assert_eq(sx_col_num(d, 0), 19000.0, "date: raw value");
    cr_assert_eq(sx_col_num(d, 1), 1700000000.0);
    cr_assert(isnan(sx_col_num(c, 0)), "category is not numeric");
    cr_assert(isnan(sx_col_num(f, 99)), "out of range");
    sx_col_free(f);
    sx_col_free(i);
    sx_col_free(b);
    sx_col_free(d);
    sx_col_free(c);
}

Test(frame, column_format)
{
    char buf[64];
    struct sx_column *f = sx_col_new("f", SX_FLOAT);
    const double vals[] = {0.1, 1e300, -0.0, 3.0, 1.0 / 3.0, INFINITY, -INFINITY, NAN, 123456789.125};
    const char *want[] = {"0.1", "1e+300", "-0", "3", "0.3333333333333333", "inf", "-inf",
                          "nan", "123456789.125"};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
        sx_col_push_f64(f, vals[k]);
    sx_col_push_missing(f);
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        size_t n = sx_col_format(f, k, buf, sizeof buf);
        cr_assert_str_eq(buf, want[k]);
        cr_assert_eq(n, strlen(want[k]));
        if (isfinite(vals[k]))
            cr_assert_eq(dbits(strtod(buf, NULL)), dbits(vals[k]), "round trip %s", buf);
    }
    strcpy(buf, "junk");
    cr_assert_eq(sx_col_format(f, 9, buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "", "missing formats as empty");

    struct sx_column *i = sx_col_new("i", SX_INT);
    sx_col_push_i64(i, INT64_MIN);
    sx_col_push_i64(i, 0);
    sx_col_format(i, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "-9223372036854775808");
    cr_assert_eq(sx_col_format(i, 0, buf, 5), 4, "truncated to size - 1");
    cr_assert_str_eq(buf, "-922");
    sx_col_format(i, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "0");

    struct sx_column *b = sx_col_new("b", SX_BOOL);
    sx_col_push_bool(b, 1);
    sx_col_push_bool(b, 0);
    sx_col_format(b, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "true");
    sx_col_format(b, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "false");

    struct sx_column *d = sx_col_new("d", SX_DATE), *ts = sx_col_new("ts", SX_DATE);
    ts->unit = SX_SECONDS;
    sx_col_push_i64(d, 0);
    sx_col_push_i64(d, 19723);    /* 2024-01-01 */
    sx_col_push_i64(d, -1);
    sx_col_push_i64(ts, 1700000000);
    sx_col_push_i64(ts, 0);
    sx_col_format(d, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "1970-01-01");
    sx_col_format(d, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "2024-01-01");
    sx_col_format(d, 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "1969-12-31");
    sx_col_format(ts, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "2023-11-14 22:13:20");
    sx_col_format(ts, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "1970-01-01 00:00:00");

    struct sx_column *c = sx_col_new("c", SX_CATEGORY), *t = sx_col_new("t", SX_TEXT);
    const char *s = "h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80!";   /* "héllo €😀!" */
    sx_col_push_str(c, s, strlen(s));
    sx_col_push_str(t, s, strlen(s));
    sx_col_push_missing(t);
    struct sx_column *st[] = {c, t};
    for (size_t k = 0; k < 2; k++) {
        cr_assert_eq(sx_col_format(st[k], 0, buf, sizeof buf), strlen(s));
        cr_assert_str_eq(buf, s);
        /* size 3 would end inside "é" (bytes 1-2): keep only "h". */
        cr_assert_eq(sx_col_format(st[k], 0, buf, 3), 1);
        cr_assert_str_eq(buf, "h");
        cr_assert_eq(sx_col_format(st[k], 0, buf, 4), 3);
        cr_assert_str_eq(buf, "h\xc3\xa9");
        /* "€" is bytes 7-9, "😀" bytes 10-13. */
        for (size_t size = 8; size <= 16; size++) {
            size_t n = sx_col_format(st[k], 0, buf, size);
            size_t want = size <= 10 ? 7 : size <= 14 ? 10 : size - 1;
            cr_assert_eq(n, want, "size %zu", size);
            cr_assert_eq(strlen(buf), n);
            cr_assert_eq(memcmp(buf, s, n), 0);
        }
        cr_assert_eq(sx_col_format(st[k], 0, buf, 1), 0);
        cr_assert_str_eq(buf, "");
    }
    strcpy(buf, "keep");
    cr_assert_eq(sx_col_format(t, 0, buf, 0), 0, "size 0 writes nothing");
    cr_assert_str_eq(buf, "keep");
    cr_assert_eq(sx_col_format(t, 1, buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "");
    sx_col_free(f);
    sx_col_free(i);
    sx_col_free(b);
    sx_col_free(d);
    sx_col_free(ts);
    sx_col_free(c);
    sx_col_free(t);
}

Test(frame, column_bytes)
{
    struct sx_column *c = sx_col_new("price", SX_FLOAT);
    size_t empty = sx_col_bytes(c);
    cr_assert_lt(empty, 512);
    cr_assert_eq(sx_col_reserve(c, 1000), SX_OK);
    for (int k = 0; k < 1000; k++)
        sx_col_push_f64(c, k);
    size_t b = sx_col_bytes(c);
    cr_assert_geq(b, 8000 + 125, "%zu", b);
    cr_assert_leq(b, 8000 + 128 + 512, "%zu", b);
    struct sx_column *k = sx_col_new("k", SX_CATEGORY);
    sx_col_reserve(k, 1000);
    for (int r = 0; r < 1000; r++)
        sx_col_push_str(k, r % 2 ? "odd" : "even", r % 2 ? 3 : 4);
    size_t kb = sx_col_bytes(k);
    cr_assert_geq(kb, 4000 + 125);
    cr_assert_leq(kb, 4000 + 128 + 1024, "%zu", kb);
    struct sx_frame *f = sx_frame_new();
    cr_assert_eq(sx_frame_adopt(f, c, NULL), SX_OK);
    cr_assert_eq(sx_frame_adopt(f, k, NULL), SX_OK);
    cr_assert_geq(sx_frame_bytes(f), b + kb);
    cr_assert_leq(sx_frame_bytes(f), b + kb + 256);
    sx_frame_free(f);
    cr_assert_eq(sx_col_bytes(NULL), 0);
}

/* ---- frames: add, adopt, find, sync ---- */

Test(frame, add_find_names)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    cr_assert_eq(f->ncols, 0);
    cr_assert_eq(f->nrows, 0);
    cr_assert_eq(sx_frame_find(f, "a"), -1);
    struct sx_column *a = sx_frame_add(f, "a", SX_FLOAT, &err);
    cr_assert(a);
    cr_assert_null(sx_frame_add(f, "a", SX_INT, &err));
    cr_assert_eq(err.code, SX_EEXIST);
    cr_assert(strstr(err.msg, "'a'"), "%s", err.msg);
    cr_assert_null(sx_frame_add(f, "", SX_INT, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert_null(sx_frame_add(f, NULL, SX_INT, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert_eq(f->ncols, 1);
    for (int k = 0; k < 40; k++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", k);
        cr_assert(sx_frame_add(f, name, (enum sx_type)(k % SX_TYPE_COUNT), &err), "%s", err.msg);
    }
    cr_assert_eq(f->ncols, 41);
    cr_assert_eq(sx_frame_find(f, "a"), 0);
    cr_assert_eq(sx_frame_find(f, "c39"), 40);
    cr_assert_eq(sx_frame_find(f, "c4"), 5);
    cr_assert_eq(sx_frame_find(f, "c40"), -1);
    cr_assert_eq(f->cols[5]->type, SX_CATEGORY);
    sx_frame_free(f);
    sx_frame_free(NULL);
}

Test(frame, add_to_frame_with_rows_fills_missing)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_column *x = sx_frame_add(f, "x", SX_INT, NULL);
    for (int k = 0; k < 130; k++)
        sx_col_push_i64(x, k);
    cr_assert_eq(sx_frame_sync(f, NULL), SX_OK);
    cr_assert_eq(f->nrows, 130);
    for (int t = 0; t < SX_TYPE_COUNT; t++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", t);
        struct sx_column *c = sx_frame_add(f, name, (enum sx_type)t, NULL);
        cr_assert(c);
        cr_assert_eq(c->len, 130);
        for (size_t r = 0; r < 130; r++)
            cr_assert(!sx_col_valid(c, r));
        assert_layout(c);
        /* And it keeps working after the fill. */
        cr_assert_eq(sx_col_push_missing(c), SX_OK);
    }
    cr_assert_eq(sx_col_push_i64(x, 130), SX_OK);
    cr_assert_eq(sx_frame_sync(f, NULL), SX_OK);
    cr_assert_eq(f->nrows, 131);
    assert_frame_ok(f);
    sx_frame_free(f);
}

Test(frame, adopt_and_sync)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    struct sx_column *a = sx_col_new("a", SX_FLOAT);
    for (int k = 0; k < 5; k++)
        sx_col_push_f64(a, k);
    cr_assert_eq(sx_frame_adopt(f, a, &err), SX_OK);
    cr_assert_eq(f->nrows, 5, "first column sets the row count");
    struct sx_column *b = sx_col_new("b", SX_TEXT);
    sx_col_push_str(b, "x", 1);
    cr_assert_eq(sx_frame_adopt(f, b, &err), SX_EINVAL, "length mismatch");
    cr_assert_eq(f->ncols, 1);
    for (int k = 0; k < 4; k++)
        sx_col_push_missing(b);
    cr_assert_eq(sx_frame_adopt(f, b, &err), SX_OK);
    struct sx_column *dup = sx_col_new("a", SX_INT);
    for (int k = 0; k < 5; k++)
        sx_col_push_i64(dup, k);
    cr_assert_eq(sx_frame_adopt(f, dup, &err), SX_EEXIST);
    sx_col_free(dup);
    struct sx_column *empty = sx_col_new("", SX_INT);
    for (int k = 0; k < 5; k++)
        sx_col_push_i64(empty, k);
    cr_assert_eq(sx_frame_adopt(f, empty, &err), SX_EINVAL);
    sx_col_free(empty);
    cr_assert_eq(sx_frame_adopt(f, NULL, &err), SX_EINVAL);

    /* Direct appends, then sync. */
    sx_col_push_f64(a, 5);
    cr_assert_eq(sx_frame_sync(f, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "'b'"), "%s", err.msg);
    cr_assert_eq(f->nrows, 5, "unchanged on error");
    sx_col_push_str(b, "y", 1);
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    cr_assert_eq(f->nrows, 6);
    sx_frame_free(f);

    /* A frame without columns: sync keeps its row count. */
    struct sx_frame *g = sx_frame_new();
    cr_assert_eq(sx_frame_sync(g, &err), SX_OK);
    cr_assert_eq(g->nrows, 0);
    sx_frame_free(g);
}

/* ---- bitmaps at word boundaries ---- */

Test(frame, bitmap_boundaries)
{
    const size_t sizes[] = {0, 1, 63, 64, 65, 127, 128, 129, 200};
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        struct sx_frame *f = float_frame(sizes[a], 0);
        check_float_frame(f, sizes[a], 0);
        for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
            /* Append at offset sizes[a] (odd, word-aligned, ...). */
            struct sx_frame *d = sx_frame_slice(f, 0, SIZE_MAX, NULL);
            struct sx_frame *s = float_frame(sizes[b], sizes[a]);
            cr_assert_eq(sx_frame_append(d, s, NULL), SX_OK);
            check_float_frame(d, sizes[a] + sizes[b], 0);
            sx_frame_free(s);
            /* And slices at every start near word boundaries. */
            size_t total = d->nrows;
            const size_t starts[] = {0, 1, 31, 63, 64, 65, 100, 128, 129};
            for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
                for (size_t n = 0; n <= 130; n += 13) {
                    struct sx_frame *sl = sx_frame_slice(d, starts[k], n, NULL);
                    cr_assert(sl);
                    size_t st = starts[k] < total ? starts[k] : total;
                    size_t want = n < total - st ? n : total - st;
                    check_float_frame(sl, want, st);
                    sx_frame_free(sl);
                }
            }
            sx_frame_free(d);
        }
        sx_frame_free(f);
    }
}

Test(frame, repeated_appends_at_odd_offsets)
{
    struct sx_frame *d = float_frame(0, 0);
    size_t total = 0;
    tu_rng_seed(7);
    for (int k = 0; k < 200; k++) {
        size_t n = tu_rnd(150);
        struct sx_frame *s = float_frame(n, total);
        cr_assert_eq(sx_frame_append(d, s, NULL), SX_OK);
        total += n;
        sx_frame_free(s);
    }
    check_float_frame(d, total, 0);
    sx_frame_free(d);
}

/* ---- append ---- */

static struct sx_frame *cat_frame(const char *const *vals, size_t n)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_column *c = sx_frame_add(f, "c", SX_CATEGORY, NULL);
    struct sx_column *x = sx_frame_add(f, "x", SX_INT, NULL);
    for (size_t i = 0; i < n; i++) {
        if (vals[i]) sx_col_push_str(c, vals[i], strlen(vals[i]));
        else sx_col_push_missing(c);
        sx_col_push_i64(x, (int64_t)i);
    }
    cr_assert_eq(sx_frame_sync(f, NULL), SX_OK);
    return f;
}

static void check_dict(const struct sx_dict *d, const char *const *want, size_t n)
{
    cr_assert_eq(d->n, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(d->str[i], want[i], "code %zu", i);
        cr_assert_eq(sx_dict_find(d, want[i], strlen(want[i])), i);
    }
}

Test(frame, append_remaps_categories)
{
    const char *a[] = {"red", "green", NULL, "red", "blue"};
    const char *b[] = {"yellow", "blue", NULL, "red", "black", "yellow"};
    const char *c[] = {"white", NULL, "pink"};   /* disjoint */
    struct sx_frame *fa = cat_frame(a, 5), *fb = cat_frame(b, 6), *fc = cat_frame(c, 3);
    struct sx_err err;
    cr_assert_eq(sx_frame_append(fa, fb, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_frame_append(fa, fc, &err), SX_OK, "%s", err.msg);
    const char *all[] = {"red", "green", NULL, "red", "blue", "yellow", "blue", NULL, "red",
                         "black", "yellow", "white", NULL, "pink"};
    const char *dict[] = {"red", "green", "blue", "yellow", "black", "white", "pink"};
    cr_assert_eq(fa->nrows, 14);
    assert_frame_ok(fa);
    check_dict(fa->cols[0]->dict, dict, 7);
    for (size_t i = 0; i < 14; i++) {
        if (all[i]) cr_assert_str_eq(sx_col_str(fa->cols[0], i), all[i], "row %zu", i);
        else cr_assert_null(sx_col_str(fa->cols[0], i));
    }
    cr_assert_eq(fa->cols[1]->v.i64[7], 2);
    /* SRC untouched. */
    cr_assert_eq(fb->nrows, 6);
    check_dict(fb->cols[0]->dict, (const char *[]){"yellow", "blue", "red", "black"}, 4);
    sx_frame_free(fa);
    sx_frame_free(fb);
    sx_frame_free(fc);
}

Test(frame, append_first_seen_order_after_sort)
{
    /* SRC's dictionary order differs from its row order: DST gets the new
     * values in the order SRC's rows show them; unused entries stay out. */
    const char *a[] = {"m"};
    const char *b[] = {"z", "y", "x", "m"};
    struct sx_frame *fa = cat_frame(a, 1), *fb = cat_frame(b, 4);
    struct sx_sort_key key = {0, 0};
    struct sx_frame *sorted = sx_frame_sort(fb, &key, 1, NULL);
    cr_assert(sorted);
    check_dict(sorted->cols[0]->dict, b, 4);   /* dictionary copied as is */
    size_t keep[] = {1, 2, 3};                  /* rows x, y, z: "m" unused */
    struct sx_frame *part = sx_frame_take(sorted, keep, 3, NULL);
    cr_assert_eq(sx_frame_append(fa, part, NULL), SX_OK);
    check_dict(fa->cols[0]->dict, (const char *[]){"m", "x", "y", "z"}, 4);
    struct sx_frame *fresh = cat_frame(a, 1);
    size_t only[] = {0};                         /* "m" only */
    struct sx_frame *one = sx_frame_take(sorted, only, 1, NULL);
    cr_assert_eq(sx_frame_append(fresh, one, NULL), SX_OK);
    check_dict(fresh->cols[0]->dict, a, 1);
    sx_frame_free(fa);
    sx_frame_free(fb);
    sx_frame_free(sorted);
    sx_frame_free(part);
    sx_frame_free(fresh);
    sx_frame_free(one);
}

static void check_concat(const struct sx_frame *d, const struct sx_frame *a, const struct sx_frame *b)
{
    cr_assert_eq(d->nrows, a->nrows + b->nrows);
    assert_frame_ok(d);
    for (size_t j = 0; j < d->ncols; j++) {
        for (size_t i = 0; i < a->nrows; i++)
            assert_same_cell(d->cols[j], i, a->cols[j], i);
        for (size_t i = 0; i < b->nrows; i++)
            assert_same_cell(d->cols[j], a->nrows + i, b->cols[j], i);
    }
}

static void check_equal(const struct sx_frame *x, const struct sx_frame *y)
{
    cr_assert_eq(x->ncols, y->ncols);
    cr_assert_eq(x->nrows, y->nrows);
    assert_frame_ok(x);
    for (size_t j = 0; j < x->ncols; j++) {
        cr_assert_str_eq(x->cols[j]->name, y->cols[j]->name);
        for (size_t i = 0; i < x->nrows; i++)
            assert_same_cell(x->cols[j], i, y->cols[j], i);
    }
}

Test(frame, append_random_all_types)
{
    tu_rng_seed(99);
    const size_t sizes[] = {0, 1, 63, 64, 65, 333};
    for (size_t x = 0; x < 6; x++)
        for (size_t y = 0; y < 6; y++) {
            struct sx_frame *a = random_frame(sizes[x], 0, 6);
            struct sx_frame *b = random_frame(sizes[y], 4, 7);
            struct sx_frame *d = sx_frame_slice(a, 0, SIZE_MAX, NULL);
            cr_assert_eq(sx_frame_append(d, b, NULL), SX_OK);
            check_concat(d, a, b);
            sx_frame_free(d);
            /* Moving gives the same result and empties SRC. */
            d = sx_frame_slice(a, 0, SIZE_MAX, NULL);
            struct sx_frame *b2 = sx_frame_slice(b, 0, SIZE_MAX, NULL);
            cr_assert_eq(sx_frame_append_move(d, b2, NULL), SX_OK);
            check_concat(d, a, b);
            cr_assert_eq(b2->nrows, 0);
            cr_assert_eq(b2->ncols, 6);
            for (size_t j = 0; j < b2->ncols; j++) {
                cr_assert_eq(b2->cols[j]->len, 0);
                cr_assert_eq(b2->cols[j]->cap, 0);
                cr_assert_null(b2->cols[j]->valid);
            }
            cr_assert_lt(sx_frame_bytes(b2), 2048);
            /* The emptied SRC is still a usable (0-row) frame. */
            cr_assert_eq(sx_frame_append(d, b2, NULL), SX_OK);
            cr_assert_eq(d->nrows, a->nrows + b->nrows);
            cr_assert_eq(sx_frame_append(b2, a, NULL), SX_OK);
            check_equal(b2, a);
            sx_frame_free(b2);
            sx_frame_free(d);
            sx_frame_free(a);
            sx_frame_free(b);
        }
}

Test(frame, append_to_itself)
{
    tu_rng_seed(5);
    struct sx_frame *a = random_frame(100, 0, 5);
    struct sx_frame *copy = sx_frame_slice(a, 0, SIZE_MAX, NULL);
    cr_assert_eq(sx_frame_append(a, a, NULL), SX_OK);
    check_concat(a, copy, copy);
    cr_assert_eq(a->cols[4]->dict->n, copy->cols[4]->dict->n);
    cr_assert_eq(sx_frame_append_move(a, a, NULL), SX_EINVAL);
    cr_assert_eq(a->nrows, 200);
    sx_frame_free(a);
    sx_frame_free(copy);
}

Test(frame, append_schema_mismatch_keeps_dst)
{
    tu_rng_seed(11);
    struct sx_frame *a = random_frame(70, 0, 5), *b = random_frame(10, 0, 5);
    struct sx_frame *before = sx_frame_slice(a, 0, SIZE_MAX, NULL);
    struct sx_err err;
    /* Different type. */
    b->cols[1]->type = SX_DATE;
    cr_assert_eq(sx_frame_append(a, b, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "'i'"), "%s", err.msg);
    cr_assert_eq(sx_frame_append_move(a, b, &err), SX_EINVAL);
    cr_assert_eq(b->nrows, 10, "SRC kept on error");
    cr_assert_eq(b->cols[0]->len, 10);
    b->cols[1]->type = SX_INT;
    /* Different date unit. */
    b->cols[3]->unit = SX_SECONDS;
    cr_assert_eq(sx_frame_append(a, b, &err), SX_EINVAL);
    b->cols[3]->unit = SX_DAYS;
    /* Different name. */
    b->cols[2]->name[0] = 'B';
    cr_assert_eq(sx_frame_append(a, b, &err), SX_EINVAL);
    b->cols[2]->name[0] = 'b';
    /* Different column count. */
    struct sx_frame *c = sx_frame_select(b, (size_t[]){0, 1}, 2, NULL);
    cr_assert_eq(sx_frame_append(a, c, &err), SX_EINVAL);
    cr_assert_eq(sx_frame_append(c, a, &err), SX_EINVAL);
    /* DST unchanged through all of it. */
    check_equal(a, before);
    sx_frame_free(a);
    sx_frame_free(b);
    sx_frame_free(c);
    sx_frame_free(before);
}

Test(frame, append_zero_column_frames)
{
    struct sx_frame *a = sx_frame_new(), *b = sx_frame_new();
    b->nrows = 4;
    cr_assert_eq(sx_frame_append(a, b, NULL), SX_OK);
    cr_assert_eq(a->nrows, 4);
    cr_assert_eq(sx_frame_append_move(a, b, NULL), SX_OK);
    cr_assert_eq(a->nrows, 8);
    cr_assert_eq(b->nrows, 0);
    sx_frame_free(a);
    sx_frame_free(b);
}

Test(frame, append_large_chunks)
{
    /* The loader's pattern: chunk frames of many rows moved into the first. */
    enum { CH = 100003 };
    struct sx_frame *chunks[3];
    tu_rng_seed(3);
    for (int k = 0; k < 3; k++)
        chunks[k] = random_frame(CH + (size_t)k * 17, (size_t)k * 2, 6);
    struct sx_frame *ref[3];
    for (int k = 0; k < 3; k++)
        ref[k] = sx_frame_slice(chunks[k], 0, SIZE_MAX, NULL);
    for (int k = 1; k < 3; k++) {
        cr_assert_eq(sx_frame_append_move(chunks[0], chunks[k], NULL), SX_OK);
        cr_assert_eq(chunks[k]->nrows, 0);
    }
    struct sx_frame *d = chunks[0];
    cr_assert_eq(d->nrows, 3 * CH + 17 + 34);
    assert_frame_ok(d);
    size_t at = 0;
    for (int k = 0; k < 3; k++) {
        for (size_t j = 0; j < d->ncols; j++)
            for (size_t i = 0; i < ref[k]->nrows; i += 7)
                assert_same_cell(d->cols[j], at + i, ref[k]->cols[j], i);
        at += ref[k]->nrows;
    }
    for (int k = 0; k < 3; k++) {
        sx_frame_free(chunks[k]);
        sx_frame_free(ref[k]);
    }
}

/* ---- slice, select, take, filter ---- */

Test(frame, slice_clamps_and_copies)
{
    tu_rng_seed(21);
    struct sx_frame *f = random_frame(100, 0, 8);
    struct sx_frame *s = sx_frame_slice(f, 90, 50, NULL);
    cr_assert_eq(s->nrows, 10);
    assert_frame_ok(s);
    for (size_t j = 0; j < f->ncols; j++)
        for (size_t i = 0; i < 10; i++)
            assert_same_cell(s->cols[j], i, f->cols[j], 90 + i);
    /* Deep copy: the dictionary is the slice's own, with the same codes. */
    cr_assert_neq(s->cols[4]->dict, f->cols[4]->dict);
    cr_assert_eq(s->cols[4]->dict->n, f->cols[4]->dict->n);
    cr_assert_neq((void *)s->cols[5]->text, (void *)f->cols[5]->text);
    sx_frame_free(f);   /* the slice outlives its source */
    for (size_t i = 0; i < 10; i++)
        if (sx_col_valid(s->cols[4], i))
            cr_assert_str_eq(sx_col_str(s->cols[4], i),
                             s->cols[4]->dict->str[s->cols[4]->v.cat[i]]);
    struct sx_frame *t = random_frame(5, 0, 3);
    struct sx_frame *e1 = sx_frame_slice(t, 5, 3, NULL), *e2 = sx_frame_slice(t, 500, 3, NULL),
                    *e3 = sx_frame_slice(t, 2, 0, NULL), *e4 = sx_frame_slice(t, 0, SIZE_MAX, NULL);
    cr_assert(e1 && e2 && e3 && e4);
    cr_assert_eq(e1->nrows, 0);
    cr_assert_eq(e2->nrows, 0);
    cr_assert_eq(e3->nrows, 0);
    cr_assert_eq(e4->nrows, 5);
    cr_assert_eq(e2->ncols, 6);
    assert_frame_ok(e2);
    /* An empty slice is still a frame you can append to. */
    cr_assert_eq(sx_frame_append(e2, t, NULL), SX_OK);
    check_concat(e2, e1, t);
    sx_frame_free(s);
    sx_frame_free(t);
    sx_frame_free(e1);
    sx_frame_free(e2);
    sx_frame_free(e3);
    sx_frame_free(e4);
}

Test(frame, select_order_and_errors)
{
    tu_rng_seed(22);
    struct sx_frame *f = random_frame(77, 0, 8);
    struct sx_err err;
    size_t cols[] = {5, 0, 4};
    struct sx_frame *s = sx_frame_select(f, cols, 3, &err);
    cr_assert(s, "%s", err.msg);
    cr_assert_eq(s->ncols, 3);
    cr_assert_eq(s->nrows, 77);
    cr_assert_str_eq(s->cols[0]->name, "t");
    cr_assert_str_eq(s->cols[1]->name, "f");
    cr_assert_str_eq(s->cols[2]->name, "c");
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < 77; i++)
            assert_same_cell(s->cols[k], i, f->cols[cols[k]], i);
    assert_frame_ok(s);
    cr_assert_null(sx_frame_select(f, (size_t[]){1, 6}, 2, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert_null(sx_frame_select(f, (size_t[]){1, 2, 1}, 3, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    struct sx_frame *none = sx_frame_select(f, NULL, 0, &err);
    cr_assert(none);
    cr_assert_eq(none->ncols, 0);
    cr_assert_eq(none->nrows, 77, "no columns, same rows");
    struct sx_column *c = sx_frame_add(none, "later", SX_BOOL, NULL);
    cr_assert_eq(c->len, 77);
    sx_frame_free(none);
    sx_frame_free(s);
    sx_frame_free(f);
}

Test(frame, take_with_repeats)
{
    tu_rng_seed(23);
    struct sx_frame *f = random_frame(130, 0, 8);
    size_t rows[300];
    for (size_t i = 0; i < 300; i++)
        rows[i] = tu_rnd(130);
    rows[0] = rows[1] = rows[2] = 129;
    struct sx_err err;
    struct sx_frame *t = sx_frame_take(f, rows, 300, &err);
    cr_assert(t, "%s", err.msg);
    cr_assert_eq(t->nrows, 300);
    assert_frame_ok(t);
    for (size_t j = 0; j < f->ncols; j++)
        for (size_t i = 0; i < 300; i++)
            assert_same_cell(t->cols[j], i, f->cols[j], rows[i]);
    /* Category codes keep their meaning: the dictionary is a copy. */
    for (size_t i = 0; i < 300; i++)
        if (sx_col_valid(t->cols[4], i))
            cr_assert_eq(t->cols[4]->v.cat[i], f->cols[4]->v.cat[rows[i]]);
    check_dict(t->cols[4]->dict, (const char *const *)f->cols[4]->dict->str, f->cols[4]->dict->n);
    cr_assert_null(sx_frame_take(f, (size_t[]){0, 130}, 2, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    struct sx_frame *z = sx_frame_take(f, NULL, 0, &err);
    cr_assert(z);
    cr_assert_eq(z->nrows, 0);
    cr_assert_eq(z->ncols, 6);
    sx_frame_free(z);
    sx_frame_free(t);
    sx_frame_free(f);
}

Test(frame, filter_mask)
{
    tu_rng_seed(24);
    struct sx_frame *f = random_frame(200, 0, 8);
    uint8_t mask[200];
    size_t want[200], n = 0;
    for (size_t i = 0; i < 200; i++) {
        mask[i] = (uint8_t)(tu_rnd(3) == 0 ? 0 : tu_rnd(255) + 1);
        if (mask[i]) want[n++] = i;
    }
    struct sx_frame *g = sx_frame_filter(f, mask, NULL);
    cr_assert(g);
    cr_assert_eq(g->nrows, n);
    assert_frame_ok(g);
    for (size_t j = 0; j < f->ncols; j++)
        for (size_t i = 0; i < n; i++)
            assert_same_cell(g->cols[j], i, f->cols[j], want[i]);
    memset(mask, 0, sizeof mask);
    struct sx_frame *none = sx_frame_filter(f, mask, NULL);
    cr_assert_eq(none->nrows, 0);
    cr_assert_eq(none->ncols, 6);
    memset(mask, 1, sizeof mask);
    struct sx_frame *all = sx_frame_filter(f, mask, NULL);
    check_concat(all, f, none);
    struct sx_frame *empty = sx_frame_new();
    struct sx_frame *e = sx_frame_filter(empty, NULL, NULL);
    cr_assert(e);
    cr_assert_eq(e->nrows, 0);
    sx_frame_free(e);
    sx_frame_free(empty);
    sx_frame_free(all);
    sx_frame_free(none);
    sx_frame_free(g);
    sx_frame_free(f);
}

Test(frame, all_missing_columns)
{
    struct sx_frame *f = sx_frame_new();
    for (int t = 0; t < SX_TYPE_COUNT; t++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", t);
        struct sx_column *c = sx_frame_add(f, name, (enum sx_type)t, NULL);
        for (int k = 0; k < 70; k++)
            sx_col_push_missing(c);
    }
    cr_assert_eq(sx_frame_sync(f, NULL), SX_OK);
    char buf[16];
    for (size_t j = 0; j < f->ncols; j++)
        for (size_t i = 0; i < 70; i++) {
            cr_assert_eq(sx_col_format(f->cols[j], i, buf, sizeof buf), 0);
            cr_assert(isnan(sx_col_num(f->cols[j], i)));
            cr_assert_null(sx_col_str(f->cols[j], i));
        }
    struct sx_sort_key keys[SX_TYPE_COUNT];
    for (size_t k = 0; k < SX_TYPE_COUNT; k++)
        keys[k] = (struct sx_sort_key){k, (int)(k & 1)};
    size_t *order = sx_frame_sort_index(f, keys, SX_TYPE_COUNT, NULL);
    for (size_t i = 0; i < 70; i++)
        cr_assert_eq(order[i], i, "all ties: stable");
    free(order);
    struct sx_frame *g = sx_frame_slice(f, 3, 64, NULL);
    struct sx_frame *h = sx_frame_take(f, (size_t[]){69, 0}, 2, NULL);
    cr_assert_eq(sx_frame_append(g, h, NULL), SX_OK);
    cr_assert_eq(g->nrows, 66);
    assert_frame_ok(g);
    for (size_t j = 0; j < g->ncols; j++)
        for (size_t i = 0; i < 66; i++)
            cr_assert(!sx_col_valid(g->cols[j], i));
    sx_frame_free(g);
    sx_frame_free(h);
    sx_frame_free(f);
}

/* ---- sort ---- */

/* Brute-force reference: compare rows by the keys using only the public
 * accessors; ties broken by row index (stability). */
static const struct sx_frame *ref_f;
static const struct sx_sort_key *ref_keys;
static size_t ref_nkeys;

static int ref_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    for (size_t k = 0; k < ref_nkeys; k++) {
        const struct sx_column *c = ref_f->cols[ref_keys[k].col];
        int va = sx_col_valid(c, a), vb = sx_col_valid(c, b);
        if (!va && !vb) continue;
        if (!va) return 1;
        if (!vb) return -1;
        int r = 0;
        if (c->type == SX_FLOAT) {
            double x = sx_col_num(c, a), y = sx_col_num(c, b);
            if (isnan(x) || isnan(y)) {
                if (isnan(x) && isnan(y)) continue;
                return isnan(x) ? 1 : -1;
            }
            r = x < y ? -1 : x > y ? 1 : 0;
        } else if (c->type == SX_INT || c->type == SX_DATE) {
            int64_t x = c->v.i64[a], y = c->v.i64[b];
            r = x < y ? -1 : x > y ? 1 : 0;
        } else if (c->type == SX_BOOL) {
            r = (int)sx_col_num(c, a) - (int)sx_col_num(c, b);
        } else {
            r = strcmp(sx_col_str(c, a), sx_col_str(c, b));
            r = (r > 0) - (r < 0);
        }
        if (r) return ref_keys[k].descending ? -r : r;
    }
    return (a > b) - (a < b);
}

static size_t *ref_sort(const struct sx_frame *f, const struct sx_sort_key *keys, size_t nkeys)
{
    size_t *o = malloc((f->nrows + 1) * sizeof *o);
    for (size_t i = 0; i < f->nrows; i++) o[i] = i;
    ref_f = f;
    ref_keys = keys;
    ref_nkeys = nkeys;
    qsort(o, f->nrows, sizeof *o, ref_cmp);
    return o;
}

static void check_sort(const struct sx_frame *f, const struct sx_sort_key *keys, size_t nkeys)
{
    struct sx_err err;
    size_t *got = sx_frame_sort_index(f, keys, nkeys, &err);
    cr_assert(got, "%s", err.msg);
    size_t *want = ref_sort(f, keys, nkeys);
    for (size_t i = 0; i < f->nrows; i++)
        cr_assert_eq(got[i], want[i], "rows %zu: position %zu: got row %zu, want %zu (key0 col %zu%s)",
                     f->nrows, i, got[i], want[i], keys[0].col, keys[0].descending ? " desc" : "");
    free(got);
    free(want);
}

/* Random values with many ties and the awkward cases: -0.0/0.0, NaN,
 * infinities, int64 extremes, text sharing 8-byte prefixes. */
static struct sx_frame *sort_frame(size_t n)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_column *cf = sx_frame_add(f, "f", SX_FLOAT, NULL);
    struct sx_column *ci = sx_frame_add(f, "i", SX_INT, NULL);
    struct sx_column *cb = sx_frame_add(f, "b", SX_BOOL, NULL);
    struct sx_column *cd = sx_frame_add(f, "d", SX_DATE, NULL);
    struct sx_column *cc = sx_frame_add(f, "c", SX_CATEGORY, NULL);
    struct sx_column *ct = sx_frame_add(f, "t", SX_TEXT, NULL);
    static const double fv[] = {-0.0, 0.0, 1.5, -1.5, NAN, INFINITY, -INFINITY, 1e-300, -2.0,
                                3.0, 2.0, 1e300, 5e-324};
    static const int64_t iv[] = {INT64_MIN, INT64_MAX, 0, -1, 1, 42, INT64_MIN + 1, 7};
    static const char *const tv[] = {"abcdefgh", "abcdefghi", "abcdefgh2", "abcdefg", "", "b",
                                     "Zebra", "\xc3\xa9t\xc3\xa9", "abcdefgha", "\xff"};
    for (size_t r = 0; r < n; r++) {
        if (tu_rnd(6) == 0) sx_col_push_missing(cf);
        else sx_col_push_f64(cf, fv[tu_rnd(sizeof fv / sizeof fv[0])]);
        if (tu_rnd(6) == 0) sx_col_push_missing(ci);
        else sx_col_push_i64(ci, iv[tu_rnd(sizeof iv / sizeof iv[0])]);
        if (tu_rnd(6) == 0) sx_col_push_missing(cb);
        else sx_col_push_bool(cb, (int)tu_rnd(2));
        if (tu_rnd(6) == 0) sx_col_push_missing(cd);
        else sx_col_push_i64(cd, (int64_t)tu_rnd(5) - 2);
        if (tu_rnd(6) == 0) {
            sx_col_push_missing(cc);
        } else {
            const char *w = tv[tu_rnd(sizeof tv / sizeof tv[0])];
            sx_col_push_str(cc, w, strlen(w));
        }
        if (tu_rnd(6) == 0) {
            sx_col_push_missing(ct);
        } else {
            const char *w = tv[tu_rnd(sizeof tv / sizeof tv[0])];
            sx_col_push_str(ct, w, strlen(w));
        }
    }
    cr_assert_eq(sx_frame_sync(f, NULL), SX_OK);
    return f;
}

Test(frame, sort_single_key_each_type_vs_reference)
{
    tu_rng_seed(1234);
    const size_t sizes[] = {0, 1, 2, 17, 63, 64, 65, 500, 5000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct sx_frame *f = sort_frame(sizes[s]);
        for (size_t col = 0; col < f->ncols; col++)
            for (int desc = 0; desc < 2; desc++) {
                struct sx_sort_key k = {col, desc};
                check_sort(f, &k, 1);
            }
        sx_frame_free(f);
    }
}

Test(frame, sort_several_keys_mixed_directions_vs_reference)
{
    tu_rng_seed(4321);
    for (int trial = 0; trial < 60; trial++) {
        size_t n = trial < 20 ? tu_rnd(70) : tu_rnd(3000);
        struct sx_frame *f = sort_frame(n);
        struct sx_sort_key keys[4];
        size_t nk = 1 + tu_rnd(4);
        for (size_t k = 0; k < nk; k++)
            keys[k] = (struct sx_sort_key){tu_rnd(f->ncols), (int)tu_rnd(2)};
        check_sort(f, keys, nk);
        sx_frame_free(f);
    }
}

Test(frame, sort_specifics)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_column *x = sx_frame_add(f, "x", SX_FLOAT, NULL);
    /* rows:        0    1     2    3    4     5     6   */
    const double v[] = {1.0, -0.0, 0.0, NAN, -1.0, 0.0, -0.0};
    for (int i = 0; i < 7; i++) sx_col_push_f64(x, v[i]);
    sx_col_push_missing(x);   /* row 7 */
    sx_frame_sync(f, NULL);
    struct sx_sort_key asc = {0, 0}, desc = {0, 1};
    size_t *o = sx_frame_sort_index(f, &asc, 1, NULL);
    const size_t want_asc[] = {4, 1, 2, 5, 6, 0, 3, 7};
    for (int i = 0; i < 8; i++) cr_assert_eq(o[i], want_asc[i], "asc %d", i);
    free(o);
    o = sx_frame_sort_index(f, &desc, 1, NULL);
    const size_t want_desc[] = {0, 1, 2, 5, 6, 4, 3, 7};
    for (int i = 0; i < 8; i++) cr_assert_eq(o[i], want_desc[i], "desc %d", i);
    free(o);
    /* No keys: the identity order. */
    o = sx_frame_sort_index(f, NULL, 0, NULL);
    for (size_t i = 0; i < 8; i++) cr_assert_eq(o[i], i);
    free(o);
    /* Bad key. */
    struct sx_err err;
    struct sx_sort_key bad = {1, 0};
    cr_assert_null(sx_frame_sort_index(f, &bad, 1, &err));
    cr_assert_eq(err.code, SX_EINVAL);
    cr_assert_null(sx_frame_sort(f, &bad, 1, &err));
    /* Sorting a frame of 0 rows. */
    struct sx_frame *e = sx_frame_slice(f, 0, 0, NULL);
    o = sx_frame_sort_index(e, &asc, 1, NULL);
    cr_assert(o, "0 rows is not an error");
    free(o);
    struct sx_frame *es = sx_frame_sort(e, &asc, 1, NULL);
    cr_assert(es);
    cr_assert_eq(es->nrows, 0);
    sx_frame_free(es);
    sx_frame_free(e);
    sx_frame_free(f);
}

Test(frame, sort_frame_rows)
{
    tu_rng_seed(77);
    struct sx_frame *f = sort_frame(1000);
    struct sx_sort_key keys[] = {{4, 0}, {0, 1}, {5, 0}};
    struct sx_frame *s = sx_frame_sort(f, keys, 3, NULL);
    size_t *want = ref_sort(f, keys, 3);
    cr_assert(s);
    cr_assert_eq(s->nrows, 1000);
    assert_frame_ok(s);
    for (size_t j = 0; j < f->ncols; j++)
        for (size_t i = 0; i < 1000; i++)
            assert_same_cell(s->cols[j], i, f->cols[j], want[i]);
    /* Sorting the sorted frame again changes nothing (stability). */
    size_t *again = sx_frame_sort_index(s, keys, 3, NULL);
    for (size_t i = 0; i < 1000; i++) cr_assert_eq(again[i], i);
    free(again);
    free(want);
    sx_frame_free(s);
    sx_frame_free(f);
}

Test(frame, sort_large_category_and_float)
{
    /* Large enough for the radix path with many distinct values. */
    enum { N = 200000 };
    tu_rng_seed(555);
    struct sx_frame *f = sx_frame_new();
    struct sx_column *c = sx_frame_add(f, "c", SX_CATEGORY, NULL);
    struct sx_column *x = sx_frame_add(f, "x", SX_FLOAT, NULL);
    struct sx_column *i = sx_frame_add(f, "i", SX_INT, NULL);
    char buf[32];
    for (size_t r = 0; r < N; r++) {
        int len = snprintf(buf, sizeof buf, "k%zu", tu_rnd(5000));
        if (tu_rnd(50) == 0) sx_col_push_missing(c);
        else sx_col_push_str(c, buf, (size_t)len);
        if (tu_rnd(50) == 0) sx_col_push_missing(x);
        else sx_col_push_f64(x, ((double)tu_rnd(1u << 30) - (1u << 29)) * 1e-3);
        sx_col_push_i64(i, (int64_t)(tu_rng() >> tu_rnd(64)) * (tu_rnd(2) ? 1 : -1));
    }
    sx_frame_sync(f, NULL);
    struct sx_sort_key k1[] = {{0, 0}}, k2[] = {{1, 1}}, k3[] = {{2, 0}}, k4[] = {{0, 1}, {1, 0}};
    check_sort(f, k1, 1);
    check_sort(f, k2, 1);
    check_sort(f, k3, 1);
    check_sort(f, k4, 2);
    sx_frame_free(f);
}
