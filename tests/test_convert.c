/* tests/test_convert.c: column type conversion (core/convert.c): every
 * source/target pair that has a rule, what counts as lost, missing cells,
 * date units, dictionaries in first-seen order, round trips through text,
 * and that the input column is left as it was. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "convert.h"
#include "frame.h"

/* A text (or category) column of the strings in S; NULL entries are missing. */
static struct sx_column *str_col(enum sx_type t, const char *const *s, size_t n)
{
    struct sx_column *c = sx_col_new("c", t);
    cr_assert(c);
    for (size_t i = 0; i < n; i++) {
        if (s[i])
            cr_assert_eq(sx_col_push_str(c, s[i], strlen(s[i])), SX_OK);
        else
            cr_assert_eq(sx_col_push_missing(c), SX_OK);
    }
    return c;
}

static struct sx_column *convert_ok(const struct sx_column *c, enum sx_type to, size_t *lost)
{
    struct sx_column *out = NULL;
    struct sx_err err;
    sx_err_clear(&err);
    cr_assert_eq(sx_col_convert(c, to, &out, lost, &err), SX_OK, "%s", err.msg);
    cr_assert(out);
    cr_assert_eq(out->type, to);
    cr_assert_eq(out->len, c->len);
    cr_assert_str_eq(out->name, c->name);
    return out;
}

static void assert_missing(const struct sx_column *c, size_t i)
{
    cr_assert_not(sx_col_valid(c, i), "cell %zu should be missing", i);
}

static void assert_cell_text(const struct sx_column *c, size_t i, const char *want)
{
    char buf[128];
    cr_assert(sx_col_valid(c, i), "cell %zu should be present", i);
    sx_col_format(c, i, buf, sizeof buf);
    cr_assert_str_eq(buf, want, "cell %zu", i);
}

static uint64_t dbits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

Test(convert, text_to_float)
{
    const char *s[] = {"1.5", "abc", NULL, "-2e3", "", "0.10000000000000002", " 7", "inf"};
    struct sx_column *c = str_col(SX_TEXT, s, 8);
    size_t lost = 99;
    struct sx_column *f = convert_ok(c, SX_FLOAT, &lost);
    cr_assert_eq(lost, 3, "abc, the empty text and ' 7' do not convert (got %zu)", lost);
    cr_assert_eq(f->v.f64[0], 1.5);
    assert_missing(f, 1);
    assert_missing(f, 2);
    cr_assert_eq(f->v.f64[3], -2000.0);
    assert_missing(f, 4);
    cr_assert_eq(dbits(f->v.f64[5]), dbits(0.10000000000000002));
    cr_assert_neq(dbits(f->v.f64[5]), dbits(0.1));
    assert_missing(f, 6);
    cr_assert(isinf(f->v.f64[7]) && f->v.f64[7] > 0);
    /* The input is unchanged. */
    cr_assert_eq(c->type, SX_TEXT);
    cr_assert_str_eq(sx_col_str(c, 1), "abc");
    sx_col_free(f);
    sx_col_free(c);
}

Test(convert, text_to_int_accepts_exact_integers_only)
{
    const char *s[] = {"3",   "3.0", "3.5", "1e3", "9223372036854775807", "9223372036854775808",
                       "-9223372036854775808", "-0", "x", NULL};
    struct sx_column *c = str_col(SX_CATEGORY, s, 10);
    size_t lost = 0;
    struct sx_column *n = convert_ok(c, SX_INT, &lost);
    cr_assert_eq(n->v.i64[0], 3);
    cr_assert_eq(n->v.i64[1], 3);
    assert_missing(n, 2);
    cr_assert_eq(n->v.i64[3], 1000);
    cr_assert_eq(n->v.i64[4], INT64_MAX);
    assert_missing(n, 5);
    cr_assert_eq(n->v.i64[6], INT64_MIN);
    cr_assert_eq(n->v.i64[7], 0);
    assert_missing(n, 8);
    assert_missing(n, 9);
    cr_assert_eq(lost, 3, "3.5, 2^63 and x are lost; the missing cell is not (got %zu)", lost);
    sx_col_free(n);
    sx_col_free(c);
}

Test(convert, float_to_int_truncates_only_exact_integers)
{
    struct sx_column *c = sx_col_new("price", SX_FLOAT);
    const double v[] = {3.0, 3.5, -0.0, NAN, 1e19, -9223372036854775808.0, 9007199254740993.0,
                        -2.0, INFINITY};
    for (size_t i = 0; i < 9; i++)
        cr_assert_eq(sx_col_push_f64(c, v[i]), SX_OK);
    cr_assert_eq(sx_col_push_missing(c), SX_OK);
    size_t lost = 0;
    struct sx_column *n = convert_ok(c, SX_INT, &lost);
    cr_assert_eq(n->v.i64[0], 3);
    assert_missing(n, 1);
    cr_assert_eq(n->v.i64[2], 0);
    assert_missing(n, 3);
    assert_missing(n, 4);
    cr_assert_eq(n->v.i64[5], INT64_MIN);
    cr_assert_eq(n->v.i64[6], (int64_t)9007199254740992.0, "the double nearest 2^53+1");
    cr_assert_eq(n->v.i64[7], -2);
    assert_missing(n, 8);
    assert_missing(n, 9);
    cr_assert_eq(lost, 4, "3.5, NaN, 1e19 and inf (got %zu)", lost);
    sx_col_free(n);
    sx_col_free(c);
}

Test(convert, int_and_bool_to_float)
{
    struct sx_column *c = sx_col_new("n", SX_INT);
    const int64_t v[] = {0, -7, INT64_MAX, 9007199254740993};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(sx_col_push_i64(c, v[i]), SX_OK);
    cr_assert_eq(sx_col_push_missing(c), SX_OK);
    size_t lost = 1;
    struct sx_column *f = convert_ok(c, SX_FLOAT, &lost);
    cr_assert_eq(lost, 0);
    for (size_t i = 0; i < 4; i++) {
        /* What the loader would read from the integer's text. */
        char buf[32];
        double want;
        int len = snprintf(buf, sizeof buf, "%lld", (long long)v[i]);
        cr_assert(sscanf(buf, "%lf", &want) == 1 && len > 0);
        cr_assert_eq(dbits(f->v.f64[i]), dbits(want), "cell %zu", i);
    }
    assert_missing(f, 4);
    sx_col_free(f);
    sx_col_free(c);

    struct sx_column *b = sx_col_new("flag", SX_BOOL);
    cr_assert_eq(sx_col_push_bool(b, 1), SX_OK);
    cr_assert_eq(sx_col_push_bool(b, 0), SX_OK);
    cr_assert_eq(sx_col_push_missing(b), SX_OK);
    struct sx_column *bf = convert_ok(b, SX_FLOAT, &lost);
    struct sx_column *bi = convert_ok(b, SX_INT, NULL);
    cr_assert_eq(lost, 0);
    cr_assert_eq(bf->v.f64[0], 1.0);
    cr_assert_eq(bf->v.f64[1], 0.0);
    assert_missing(bf, 2);
    cr_assert_eq(bi->v.i64[0], 1);
    cr_assert_eq(bi->v.i64[1], 0);
    assert_missing(bi, 2);
    sx_col_free(bf);
    sx_col_free(bi);
    sx_col_free(b);
}

Test(convert, to_bool)
{
    const char *s[] = {"true", "False", "TRUE", "yes", "1", "0.0", "2", NULL};
    struct sx_column *c = str_col(SX_TEXT, s, 8);
    size_t lost = 0;
    struct sx_column *b = convert_ok(c, SX_BOOL, &lost);
    assert_cell_text(b, 0, "true");
    assert_cell_text(b, 1, "false");
    assert_cell_text(b, 2, "true");
    assert_missing(b, 3);
    assert_cell_text(b, 4, "true");
    assert_cell_text(b, 5, "false");
    assert_missing(b, 6);
    assert_missing(b, 7);
    cr_assert_eq(lost, 2);
    sx_col_free(b);
    sx_col_free(c);

    struct sx_column *n = sx_col_new("n", SX_INT);
    cr_assert_eq(sx_col_push_i64(n, 1), SX_OK);
    cr_assert_eq(sx_col_push_i64(n, 0), SX_OK);
    cr_assert_eq(sx_col_push_i64(n, 5), SX_OK);
    struct sx_column *nb = convert_ok(n, SX_BOOL, &lost);
    assert_cell_text(nb, 0, "true");
    assert_cell_text(nb, 1, "false");
    assert_missing(nb, 2);
    cr_assert_eq(lost, 1);
    sx_col_free(nb);
    sx_col_free(n);
}

Test(convert, text_to_date_days)
{
    const char *s[] = {"2020-02-29", "2021-02-29", "2018-1-1", NULL, "1970-01-01", "soon"};
    struct sx_column *c = str_col(SX_TEXT, s, 6);
    size_t lost = 0;
    struct sx_column *d = convert_ok(c, SX_DATE, &lost);
    cr_assert_eq(d->unit, SX_DAYS);
    assert_cell_text(d, 0, "2020-02-29");
    assert_missing(d, 1);
    assert_missing(d, 2);
    assert_missing(d, 3);
    cr_assert_eq(d->v.i64[4], 0);
    assert_missing(d, 5);
    cr_assert_eq(lost, 3, "an invalid day, a short form and a word (got %zu)", lost);
    sx_col_free(d);
    sx_col_free(c);
}

Test(convert, text_to_date_with_times_uses_seconds)
{
    const char *s[] = {"2020-01-02", "2020-01-02T03:04:05", "2020-01-02 24:00:00"};
    struct sx_column *c = str_col(SX_TEXT, s, 3);
    size_t lost = 0;
    struct sx_column *d = convert_ok(c, SX_DATE, &lost);
    cr_assert_eq(d->unit, SX_SECONDS);
    assert_cell_text(d, 0, "2020-01-02 00:00:00");
    assert_cell_text(d, 1, "2020-01-02 03:04:05");
    assert_missing(d, 2);
    cr_assert_eq(lost, 1);
    cr_assert_eq(d->v.i64[1] - d->v.i64[0], 3 * 3600 + 4 * 60 + 5);
    sx_col_free(d);
    sx_col_free(c);
}

Test(convert, date_keeps_unit_and_formats_as_text)
{
    struct sx_column *c = sx_col_new("when", SX_DATE);
    c->unit = SX_SECONDS;
    cr_assert_eq(sx_col_push_i64(c, 86400 + 61), SX_OK);
    cr_assert_eq(sx_col_push_missing(c), SX_OK);
    size_t lost = 5;
    struct sx_column *d = convert_ok(c, SX_DATE, &lost);
    cr_assert_eq(lost, 0);
    cr_assert_eq(d->unit, SX_SECONDS);
    cr_assert_eq(d->v.i64[0], 86400 + 61);
    assert_missing(d, 1);
    struct sx_column *t = convert_ok(c, SX_TEXT, &lost);
    cr_assert_eq(lost, 0);
    cr_assert_str_eq(sx_col_str(t, 0), "1970-01-02 00:01:01");
    assert_missing(t, 1);
    /* A date's text is no number: every present cell is lost. */
    struct sx_column *n = convert_ok(c, SX_INT, &lost);
    cr_assert_eq(lost, 1);
    assert_missing(n, 0);
    sx_col_free(n);
    sx_col_free(t);
    sx_col_free(d);
    sx_col_free(c);
}

Test(convert, category_dictionary_in_first_seen_order)
{
    struct sx_column *c = sx_col_new("region", SX_CATEGORY);
    /* "unused" is in the dictionary but in no row. */
    cr_assert_neq(sx_dict_intern(c->dict, "unused", 6), UINT32_MAX);
    const char *rows[] = {"south", "north", "south", NULL, "east"};
    for (size_t i = 0; i < 5; i++) {
        if (rows[i])
            cr_assert_eq(sx_col_push_str(c, rows[i], strlen(rows[i])), SX_OK);
        else
            cr_assert_eq(sx_col_push_missing(c), SX_OK);
    }
    size_t lost = 9;
    struct sx_column *k = convert_ok(c, SX_CATEGORY, &lost);
    cr_assert_eq(lost, 0);
    cr_assert_eq(k->dict->n, 3);
    cr_assert_str_eq(k->dict->str[0], "south");
    cr_assert_str_eq(k->dict->str[1], "north");
    cr_assert_str_eq(k->dict->str[2], "east");
    for (size_t i = 0; i < 5; i++) {
        if (rows[i])
            cr_assert_str_eq(sx_col_str(k, i), rows[i]);
        else
            assert_missing(k, i);
    }
    struct sx_column *t = convert_ok(c, SX_TEXT, NULL);
    struct sx_column *back = convert_ok(t, SX_CATEGORY, NULL);
    cr_assert_eq(back->dict->n, 3);
    for (size_t i = 0; i < 5; i++) {
        if (rows[i])
            cr_assert_str_eq(sx_col_str(back, i), rows[i]);
        else
            assert_missing(back, i);
    }
    cr_assert_eq(c->dict->n, 4, "the input's dictionary is untouched");
    sx_col_free(back);
    sx_col_free(t);
    sx_col_free(k);
    sx_col_free(c);
}

Test(convert, long_text_is_kept_whole)
{
    size_t n = 5000;
    char *big = malloc(n + 1);
    cr_assert(big);
    memset(big, 'x', n);
    big[n] = '\0';
    const char *s[] = {big};
    struct sx_column *c = str_col(SX_TEXT, s, 1);
    struct sx_column *k = convert_ok(c, SX_CATEGORY, NULL);
    cr_assert_eq(strlen(sx_col_str(k, 0)), n);
    sx_col_free(k);
    sx_col_free(c);
    free(big);
}

Test(convert, float_text_float_round_trip)
{
    struct sx_column *c = sx_col_new("x", SX_FLOAT);
    uint64_t st = 0x853c49e6748fea9bull;
    for (size_t i = 0; i < 2000; i++) {
        st ^= st >> 12;
        st ^= st << 25;
        st ^= st >> 27;
        uint64_t bits = st * 0x2545f4914f6cdd1dull;
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            v = (double)(bits >> 11) / 3.0;
        cr_assert_eq(sx_col_push_f64(c, v), SX_OK);
    }
    size_t lost = 1;
    struct sx_column *t = convert_ok(c, SX_TEXT, &lost);
    cr_assert_eq(lost, 0);
    struct sx_column *back = convert_ok(t, SX_FLOAT, &lost);
    cr_assert_eq(lost, 0);
    for (size_t i = 0; i < c->len; i++)
        cr_assert_eq(dbits(back->v.f64[i]), dbits(c->v.f64[i]), "cell %zu: %s", i,
                     sx_col_str(t, i));
    sx_col_free(back);
    sx_col_free(t);
    sx_col_free(c);
}

Test(convert, result_joins_a_frame)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    struct sx_column *a = sx_frame_add(f, "a", SX_TEXT, &err);
    cr_assert(a);
    cr_assert_eq(sx_col_push_str(a, "12", 2), SX_OK);
    cr_assert_eq(sx_col_push_str(a, "x", 1), SX_OK);
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    struct sx_column *n = NULL;
    size_t lost = 0;
    cr_assert_eq(sx_col_convert(a, SX_INT, &n, &lost, &err), SX_OK);
    free(n->name);
    n->name = strdup("a_int");
    cr_assert_eq(sx_frame_adopt(f, n, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(f->ncols, 2);
    cr_assert_eq(sx_col_num(f->cols[1], 0), 12.0);
    cr_assert_eq(lost, 1);
    sx_frame_free(f);
}

Test(convert, empty_column_and_bad_type)
{
    struct sx_column *c = sx_col_new("e", SX_FLOAT);
    size_t lost = 3;
    for (int t = 0; t < SX_TYPE_COUNT; t++) {
        struct sx_column *o = convert_ok(c, (enum sx_type)t, &lost);
        cr_assert_eq(o->len, 0);
        cr_assert_eq(lost, 0);
        sx_col_free(o);
    }
    struct sx_column *o = (struct sx_column *)1;
    struct sx_err err;
    cr_assert_eq(sx_col_convert(c, (enum sx_type)SX_TYPE_COUNT, &o, &lost, &err), SX_EINVAL);
    cr_assert_null(o);
    cr_assert(strstr(err.msg, "'e'"), "%s", err.msg);
    sx_col_free(c);
}
