/* tests/test_table.c: the Data pane's open table (tui/table.c, linked
 * without curses): sorting the visible rows (stable, ties in file order,
 * missing last, several keys), filtering by a formatted value for every
 * type (numbers by value, -0, NaN, dates, missing), clearing filters, the
 * cursor staying on its row, renaming, hiding and showing columns,
 * changing a column's type, adding a derived column after the cursor,
 * filtering by a mask (an expression's), and the display-name schema. */
#include "testutil.h"

#include <math.h>

#include "frame.h"
#include "table.h"

/* id: 0..5; x: float with a tie, a missing cell, -0.0 and NaN; n: int;
 * d: dates; ts: timestamps; ok: bool; region: category; note: text. */
static struct sx_table *sample(void)
{
    struct sx_err e;
    struct sx_frame *f = sx_frame_new();
    cr_assert(f);
    struct sx_column *id = sx_frame_add(f, "id", SX_INT, &e);
    struct sx_column *x = sx_frame_add(f, "x", SX_FLOAT, &e);
    struct sx_column *n = sx_frame_add(f, "n", SX_INT, &e);
    struct sx_column *d = sx_frame_add(f, "d", SX_DATE, &e);
    struct sx_column *ts = sx_frame_add(f, "ts", SX_DATE, &e);
    struct sx_column *ok = sx_frame_add(f, "ok", SX_BOOL, &e);
    struct sx_column *region = sx_frame_add(f, "region", SX_CATEGORY, &e);
    struct sx_column *note = sx_frame_add(f, "note", SX_TEXT, &e);
    cr_assert(id && x && n && d && ts && ok && region && note);
    ts->unit = SX_SECONDS;
    static const double xs[] = {2.5, 1.0, 2.5, 0, -0.0, 0.0};
    static const int xmiss[] = {0, 0, 0, 1, 0, 0};
    static const char *const regions[] = {"north", "south", "north", "east", NULL, "south"};
    static const char *const notes[] = {"a", "b, c", NULL, "a", "", "zz"};
    for (int i = 0; i < 6; i++) {
        sx_col_push_i64(id, i);
        if (xmiss[i])
            sx_col_push_missing(x);
        else
            sx_col_push_f64(x, i == 5 ? NAN : xs[i]);
        sx_col_push_i64(n, 10 - i % 3);
        sx_col_push_i64(d, 18262 + i % 2);
        sx_col_push_i64(ts, 18262LL * 86400 + 3600 * (i % 2));
        sx_col_push_bool(ok, i % 2);
        if (regions[i])
            sx_col_push_str(region, regions[i], strlen(regions[i]));
        else
            sx_col_push_missing(region);
        if (notes[i])
            sx_col_push_str(note, notes[i], strlen(notes[i]));
        else
            sx_col_push_missing(note);
    }
    cr_assert_eq(sx_frame_sync(f, &e), SX_OK, "%s", e.msg);
    struct sx_table *t = sx_table_new("sample", "/tmp/sample.csv", f, &e);
    cr_assert(t, "%s", e.msg);
    return t;
}

/* The visible rows' ids as "3 1 0" for easy comparison. */
static const char *ids(const struct sx_table *t)
{
    static char buf[512];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->nrows && o < sizeof buf - 24; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%zu", i ? " " : "", t->rows[i]);
    return buf;
}

static size_t colx(const struct sx_table *t, const char *name)
{
    long j = sx_frame_find(t->frame, name);
    cr_assert(j >= 0);
    return (size_t)j;
}

Test(table, new_shows_everything)
{
    struct sx_table *t = sample();
    cr_expect_str_eq(t->label, "sample");
    cr_expect_str_eq(t->path, "/tmp/sample.csv");
    cr_expect_eq(t->nrows, 6);
    cr_expect_eq(t->ncols, 8);
    cr_expect_str_eq(ids(t), "0 1 2 3 4 5");
    cr_expect_str_eq(t->names[7], "note");
    cr_expect_neq(t->names[7], t->frame->cols[7]->name, "names are copies");
    cr_expect_eq(sx_table_cur_frame_col(t), 0);
    cr_expect_null(t->filter);
    cr_expect_eq(t->nkeys, 0);
    sx_table_free(t);
    sx_table_free(NULL);
}

Test(table, sort_stable_missing_last)
{
    struct sx_table *t = sample();
    struct sx_err e;
    size_t x = colx(t, "x");
    /* 1.0 (1), -0 (4) = 0 (3)... x: 2.5 1 2.5 missing -0 NaN */
    cr_assert_eq(sx_table_sort(t, x, 0, 0, &e), SX_OK, "%s", e.msg);
    cr_expect_str_eq(ids(t), "4 1 0 2 5 3", "ascending, ties in file order, NaN, then missing");
    cr_expect_eq(t->nkeys, 1);
    cr_expect_eq(t->keys[0].col, x);
    cr_assert_eq(sx_table_sort(t, x, 1, 0, &e), SX_OK);
    cr_expect_str_eq(ids(t), "0 2 1 4 5 3", "descending: ties still in file order, missing last");

    /* Two keys: region ascending, then id descending. */
    size_t region = colx(t, "region"), id = colx(t, "id");
    cr_assert_eq(sx_table_sort(t, region, 0, 0, &e), SX_OK);
    cr_expect_str_eq(ids(t), "3 0 2 1 5 4");
    cr_assert_eq(sx_table_sort(t, id, 1, 1, &e), SX_OK);
    cr_expect_eq(t->nkeys, 2);
    cr_expect_str_eq(ids(t), "3 2 0 5 1 4");
    /* Adding a key that is one already turns it around in place. */
    cr_assert_eq(sx_table_sort(t, region, 1, 1, &e), SX_OK);
    cr_expect_eq(t->nkeys, 2);
    cr_expect_str_eq(ids(t), "5 1 2 0 3 4");
    /* A plain sort replaces the keys. */
    cr_assert_eq(sx_table_sort(t, id, 0, 0, &e), SX_OK);
    cr_expect_eq(t->nkeys, 1);
    cr_expect_str_eq(ids(t), "0 1 2 3 4 5");

    for (size_t k = 1; k < SX_TABLE_MAX_KEYS; k++)
        cr_assert_eq(sx_table_sort(t, k, 0, 1, &e), SX_OK);
    cr_expect_eq(t->nkeys, SX_TABLE_MAX_KEYS);
    cr_expect_eq(sx_table_sort(t, colx(t, "note"), 0, 1, &e), SX_OK, "already a key");
    cr_expect_eq(sx_table_sort(t, 99, 0, 0, &e), SX_EINVAL);
    sx_table_free(t);
}

Test(table, sort_keeps_the_cursor_row)
{
    struct sx_table *t = sample();
    struct sx_err e;
    t->cur_row = 3;   /* frame row 3 */
    cr_assert_eq(sx_table_sort(t, colx(t, "x"), 0, 0, &e), SX_OK);
    cr_expect_eq(t->rows[t->cur_row], 3);
    cr_expect_eq(t->cur_row, 5);
    sx_table_free(t);
}

Test(table, filter_each_type)
{
    static const struct {
        const char *col, *value, *want;
    } cases[] = {
        {"x", "2.5", "0 2"},   {"x", "1", "1"},       {"x", "1.0", ""},
        {"x", "-0", "4"},      {"x", "0", ""},        {"x", "nan", "5"},
        {"x", "abc", ""},      {"n", "10", "0 3"},    {"n", "010", ""},
        {"n", "9", "1 4"},     {"d", "2020-01-02", "1 3 5"},
        {"d", "2020-1-2", ""}, {"ts", "2020-01-01 01:00:00", "1 3 5"},
        {"ok", "true", "1 3 5"}, {"ok", "1", ""},     {"region", "north", "0 2"},
        {"region", "west", ""}, {"note", "a", "0 3"}, {"note", "", "4"},
        {"note", "b, c", "1"}, {"id", "4", "4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sx_table *t = sample();
        struct sx_err e;
        cr_assert_eq(sx_table_filter_equal(t, colx(t, cases[i].col), cases[i].value, &e), SX_OK);
        cr_expect_str_eq(ids(t), cases[i].want, "%s = '%s'", cases[i].col, cases[i].value);
        sx_table_free(t);
    }
    /* Missing cells. */
    struct sx_table *t = sample();
    struct sx_err e;
    cr_assert_eq(sx_table_filter_equal(t, colx(t, "note"), NULL, &e), SX_OK);
    cr_expect_str_eq(ids(t), "2");
    cr_expect_str_eq(t->filter, "note is missing");
    sx_table_free(t);
}

Test(table, filters_chain_and_clear_keeps_the_sort)
{
    struct sx_table *t = sample();
    struct sx_err e;
    cr_assert_eq(sx_table_sort(t, colx(t, "id"), 1, 0, &e), SX_OK);
    cr_assert_eq(sx_table_filter_equal(t, colx(t, "ok"), "true", &e), SX_OK);
    cr_expect_str_eq(ids(t), "5 3 1", "filtering keeps the order");
    cr_assert_eq(sx_table_filter_equal(t, colx(t, "region"), "south", &e), SX_OK);
    cr_expect_str_eq(ids(t), "5 1");
    cr_expect_str_eq(t->filter, "ok = true, region = south");
    /* Sorting a filtered table orders its visible rows only. */
    cr_assert_eq(sx_table_sort(t, colx(t, "id"), 0, 0, &e), SX_OK);
    cr_expect_str_eq(ids(t), "1 5");
    t->cur_row = 1;   /* frame row 5 */
    cr_assert_eq(sx_table_clear_filter(t, &e), SX_OK);
    cr_expect_null(t->filter);
    cr_expect_str_eq(ids(t), "0 1 2 3 4 5", "sorted by id ascending");
    cr_expect_eq(t->rows[t->cur_row], 5, "the cursor stays on its row");
    cr_assert_eq(sx_table_sort(t, colx(t, "x"), 1, 0, &e), SX_OK);
    cr_assert_eq(sx_table_filter_equal(t, colx(t, "region"), "nowhere", &e), SX_OK);
    cr_expect_eq(t->nrows, 0);
    cr_expect_eq(t->cur_row, 0);
    cr_assert_eq(sx_table_clear_filter(t, &e), SX_OK);
    cr_expect_str_eq(ids(t), "0 2 1 4 5 3", "the sort comes back with the rows");
    sx_table_free(t);
}

Test(table, rename_hide_show)
{
    struct sx_table *t = sample();
    struct sx_err e;
    cr_assert_eq(sx_table_rename(t, 1, "price", &e), SX_OK);
    cr_expect_str_eq(t->names[1], "price");
    cr_expect_str_eq(t->frame->cols[1]->name, "x", "the frame keeps its name");
    cr_expect_eq(sx_table_rename(t, 2, "price", &e), SX_EEXIST);
    cr_expect_eq(sx_table_rename(t, 2, "", &e), SX_EINVAL);
    cr_expect_eq(sx_table_rename(t, 1, "price", &e), SX_OK, "its own name again");
    cr_expect_eq(sx_table_rename(t, 42, "y", &e), SX_EINVAL);

    t->cur_col = 2;   /* frame column 2 */
    sx_table_hide(t, 1);
    cr_expect_eq(t->ncols, 7);
    cr_expect_eq(sx_table_cur_frame_col(t), 2, "the cursor stays on its column");
    cr_expect_eq(sx_table_goto_col(t, 1), 0, "hidden");
    sx_table_hide(t, 2);
    cr_expect_eq(sx_table_cur_frame_col(t), 3, "the cursor moves to the next column");
    for (size_t j = 0; j < 8; j++)
        sx_table_hide(t, j);
    cr_expect_eq(t->ncols, 1, "one column always stays");
    cr_expect_eq(sx_table_cur_frame_col(t), 7);
    sx_table_show_all(t);
    cr_expect_eq(t->ncols, 8);
    cr_expect_eq(sx_table_cur_frame_col(t), 7);
    for (size_t j = 0; j < 8; j++)
        cr_expect_eq(t->cols[j], j);
    cr_expect_eq(sx_table_goto_col(t, 1), 1);
    cr_expect_eq(t->cur_col, 1);
    sx_table_free(t);
}

Test(table, set_type)
{
    struct sx_table *t = sample();
    struct sx_err e;
    size_t lost = 99;
    size_t x = colx(t, "x");
    cr_assert_eq(sx_table_set_type(t, x, SX_INT, &lost, &e), SX_OK, "%s", e.msg);
    cr_expect_eq(t->frame->cols[x]->type, SX_INT);
    cr_expect_eq(lost, 3, "2.5 twice and NaN do not convert");
    cr_expect_eq(t->frame->cols[x]->v.i64[1], 1);
    cr_expect_not(sx_col_valid(t->frame->cols[x], 0));
    cr_expect_str_eq(t->frame->cols[x]->name, "x");
    cr_expect_eq(t->frame->cols[x]->len, 6);
    size_t region = colx(t, "region");
    cr_assert_eq(sx_table_set_type(t, region, SX_TEXT, &lost, &e), SX_OK);
    cr_expect_eq(lost, 0);
    cr_assert_eq(sx_table_filter_equal(t, region, "north", &e), SX_OK);
    cr_expect_str_eq(ids(t), "0 2");
    cr_expect_eq(sx_table_set_type(t, region, SX_TEXT, NULL, &e), SX_OK, "same type");
    cr_expect_eq(sx_table_set_type(t, 77, SX_TEXT, NULL, &e), SX_EINVAL);
    sx_table_free(t);
}

Test(table, add_column_after_the_cursor)
{
    struct sx_table *t = sample();
    struct sx_err e;
    t->cur_col = 2;
    sx_table_hide(t, 4);
    struct sx_column *c = sx_col_new("twice", SX_INT);
    cr_assert(c);
    for (int i = 0; i < 6; i++)
        sx_col_push_i64(c, 2 * i);
    cr_assert_eq(sx_table_add_column(t, c, &e), SX_OK, "%s", e.msg);
    cr_expect_eq(t->frame->ncols, 9);
    cr_expect_eq(t->ncols, 8, "seven shown before, the hidden one stays hidden");
    cr_expect_eq(t->cols[3], 8, "right after the cursor's column");
    cr_expect_eq(t->cols[4], 3);
    cr_expect_eq(sx_table_cur_frame_col(t), 8, "the cursor moves onto it");
    cr_expect_str_eq(t->names[8], "twice");
    sx_table_show_all(t);
    cr_expect_eq(t->ncols, 9);
    cr_expect_eq(sx_table_cur_frame_col(t), 8);

    /* Names taken by a column (frame or display name) are refused, and
     * so is a column of the wrong length; T is then unchanged. */
    cr_assert_eq(sx_table_rename(t, 1, "price", &e), SX_OK);
    const char *taken[] = {"price", "x", "twice"};
    for (int k = 0; k < 3; k++) {
        struct sx_column *d = sx_col_new(taken[k], SX_INT);
        for (int i = 0; i < 6; i++)
            sx_col_push_i64(d, i);
        cr_expect_eq(sx_table_add_column(t, d, &e), SX_EEXIST, "%s", taken[k]);
        sx_col_free(d);
    }
    struct sx_column *shorter = sx_col_new("short", SX_INT);
    sx_col_push_i64(shorter, 1);
    cr_expect_eq(sx_table_add_column(t, shorter, &e), SX_EINVAL);
    sx_col_free(shorter);
    cr_expect_eq(t->frame->ncols, 9);
    cr_expect_eq(t->ncols, 9);

    /* The schema view shows display names and shares the cells. */
    struct sx_table_schema s;
    cr_assert_eq(sx_table_schema(t, &s, &e), SX_OK);
    cr_expect_eq(s.frame.ncols, 9);
    cr_expect_eq(s.frame.nrows, 6);
    cr_expect_str_eq(s.frame.cols[1]->name, "price");
    cr_expect_eq(sx_frame_find(&s.frame, "x"), -1);
    cr_expect_eq(s.frame.cols[8]->v.i64, t->frame->cols[8]->v.i64, "cells are shared");
    cr_expect_str_eq(t->frame->cols[1]->name, "x", "the frame keeps its names");
    sx_table_schema_free(&s);
    sx_table_free(t);
}

Test(table, filter_by_mask_chains)
{
    struct sx_table *t = sample();
    struct sx_err e;
    cr_assert_eq(sx_table_sort(t, colx(t, "id"), 1, 0, &e), SX_OK);
    t->cur_row = 2;   /* frame row 3 */
    const uint8_t odd[6] = {0, 1, 0, 1, 0, 1};
    cr_assert_eq(sx_table_filter_mask(t, odd, "id % 2 = 1", &e), SX_OK);
    cr_expect_str_eq(ids(t), "5 3 1", "the mask keeps the order");
    cr_expect_eq(t->rows[t->cur_row], 3, "the cursor stays on its row");
    const uint8_t low[6] = {1, 1, 1, 1, 0, 0};
    cr_assert_eq(sx_table_filter_mask(t, low, "id < 4", &e), SX_OK);
    cr_expect_str_eq(ids(t), "3 1");
    cr_expect_str_eq(t->filter, "id % 2 = 1, id < 4");
    cr_assert_eq(sx_table_filter_equal(t, colx(t, "region"), "south", &e), SX_OK);
    cr_expect_str_eq(ids(t), "1");
    cr_expect_str_eq(t->filter, "id % 2 = 1, id < 4, region = south");
    cr_assert_eq(sx_table_clear_filter(t, &e), SX_OK);
    cr_expect_str_eq(ids(t), "5 4 3 2 1 0");
    sx_table_free(t);
}

Test(table, large_sort_matches_the_frame_sort)
{
    /* 200k rows of a float with repeats and missing cells: the table's
     * order over every row and over a filtered subset agrees with
     * sx_frame_sort_index on the same rows. */
    struct sx_err e;
    struct sx_frame *f = sx_frame_new();
    struct sx_column *v = sx_frame_add(f, "v", SX_FLOAT, &e);
    struct sx_column *g = sx_frame_add(f, "g", SX_INT, &e);
    uint64_t s = 12345;
    for (size_t i = 0; i < 200000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        if ((s >> 60) == 0)
            sx_col_push_missing(v);
        else
            sx_col_push_f64(v, (double)((s >> 33) % 5000) / 7.0);
        sx_col_push_i64(g, (int64_t)(i % 3));
    }
    cr_assert_eq(sx_frame_sync(f, &e), SX_OK);
    struct sx_sort_key key = {0, 1};
    size_t *want = sx_frame_sort_index(f, &key, 1, &e);
    cr_assert(want);
    struct sx_table *t = sx_table_new("big", "", f, &e);
    cr_assert(t);
    cr_assert_eq(sx_table_sort(t, 0, 1, 0, &e), SX_OK);
    cr_assert_eq(memcmp(t->rows, want, 200000 * sizeof *want), 0);
    cr_assert_eq(sx_table_filter_equal(t, 1, "2", &e), SX_OK);
    cr_assert_eq(t->nrows, 66666);
    cr_assert_eq(sx_table_sort(t, 0, 0, 0, &e), SX_OK);
    for (size_t i = 1; i < t->nrows; i++) {
        size_t a = t->rows[i - 1], b = t->rows[i];
        cr_assert_eq(b % 3, 2);
        int va = sx_col_valid(v, a), vb = sx_col_valid(v, b);
        cr_assert(va || !vb, "missing last at %zu", i);
        if (va && vb) {
            cr_assert_leq(v->v.f64[a], v->v.f64[b]);
            if (v->v.f64[a] == v->v.f64[b])
                cr_assert_lt(a, b, "ties in file order");
        } else if (!va && !vb) {
            cr_assert_lt(a, b);
        }
    }
    free(want);
    sx_table_free(t);
}
