/* tests/test_sheet.c: the helpers the Data pane's sheets share
 * (tui/sheet.c): numbers, counts, percentages and dates formatted to fit a
 * width, sparklines and bars (UTF-8 and ASCII), the row cursor's movement
 * and scrolling, the summary line's layout, the list of stored objects
 * (columns, cursor row, what is left out) and borrowed column sets. The
 * file is compiled in here with the four drawing calls it makes replaced
 * by recorders (which also check that the view's app is passed on), so no
 * terminal is needed. */
#include "testutil.h"

#include <math.h>
#include <stddef.h>

#include "../tui/sheet.c"

/* ---- drawing recorders ---- */

struct drawn {
    struct sx_app *app;
    int y, x, cols;
    enum sx_role role;
    char text[256];
    int right;                /* drawn by sx_draw_text_right */
};
static struct drawn drawn[16];
static int ndrawn;
static struct sx_app *width_app;   /* the app the last sx_text_width got */

/* Stands in for the app the views hold (never looked into here). */
static max_align_t fake_app;
#define FAKE_APP ((struct sx_app *)(void *)&fake_app)

int sx_text_width(struct sx_app *app, const char *s)
{
    width_app = app;
    /* The tests use ASCII and the two glyphs below, one column each. */
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            w++;
    return w;
}

int sx_draw_text(struct sx_app *app, int y, int x, enum sx_role role, const char *s, int cols,
                 int pad)
{
    (void)pad;
    if (ndrawn < 16) {
        drawn[ndrawn] = (struct drawn){app, y, x, cols, role, "", 0};
        snprintf(drawn[ndrawn].text, sizeof drawn[ndrawn].text, "%s", s);
        ndrawn++;
    }
    return cols;
}

/* Recorded like sx_draw_text, marked as right-aligned. */
int sx_draw_text_right(struct sx_app *app, int y, int x, enum sx_role role, const char *s,
                       int cols)
{
    int n = ndrawn;
    sx_draw_text(app, y, x, role, s, cols, 0);
    if (n < 16)
        drawn[n].right = 1;
    return cols;
}

void sx_draw_fill(struct sx_app *app, int y, int x, int h, int w, enum sx_role role)
{
    cr_assert_eq(app, FAKE_APP, "sx_draw_fill got the view's app");
    (void)y, (void)x, (void)h, (void)w, (void)role;
}

/* ---- formatting ---- */

static const char *num(double v, int width)
{
    static char buf[64];
    sx_sheet_fmt_num(v, width, buf, sizeof buf);
    return buf;
}

Test(sheet, numbers_fit_the_width)
{
    cr_assert_str_eq(num(11.309512, 10), "11.3095");
    cr_assert_str_eq(num(0.0652249, 10), "0.0652249");
    cr_assert_str_eq(num(0.0652249, 6), "0.0652");
    cr_assert_str_eq(num(-14.2, 10), "-14.2");
    cr_assert_str_eq(num(NAN, 10), "-");
    /* Whole digits rather than an exponent where they fit. */
    cr_assert_str_eq(num(4750000, 10), "4750000");
    cr_assert_str_eq(num(6223006.4, 10), "6223006");
    /* Narrower: a unit suffix rather than "1e+07". */
    cr_assert_str_eq(num(13960000, 6), "13.96M");
    cr_assert_str_eq(num(13960000, 5), "14.0M");
    cr_assert_str_eq(num(-13960000, 4), "-14M");
    cr_assert_str_eq(num(2.5e17, 5), "250P");
    cr_assert_str_eq(num(1e20, 10), "1e+20");
    cr_assert_str_eq(num(1.5e-7, 10), "1.5e-07");
    /* Nothing fits: one digit, which the drawing then cuts. */
    cr_assert_str_eq(num(-123456.789, 3), "-1e+05");
}

Test(sheet, counts_rows_and_percentages)
{
    char buf[64];
    sx_sheet_fmt_count(219120, 10, buf, sizeof buf);
    cr_assert_str_eq(buf, "219,120");
    sx_sheet_fmt_count(219120, 6, buf, sizeof buf);
    cr_assert_str_eq(buf, "219120");
    sx_sheet_fmt_count(10000000, 8, buf, sizeof buf);
    cr_assert_str_eq(buf, "10000000");
    sx_sheet_fmt_count(10000000, 6, buf, sizeof buf);
    cr_assert_str_eq(buf, "10.0M");
    sx_sheet_fmt_count(999999, 4, buf, sizeof buf);
    cr_assert_str_eq(buf, "1.0M", "999,999 rounds up into the next unit, not to 1000k");
    sx_sheet_fmt_count(0, 3, buf, sizeof buf);
    cr_assert_str_eq(buf, "0");

    sx_sheet_fmt_rows(1, buf, sizeof buf);
    cr_assert_str_eq(buf, "1 row");
    sx_sheet_fmt_rows(1552, buf, sizeof buf);
    cr_assert_str_eq(buf, "1,552 rows");

    sx_sheet_fmt_pct(0, 10, buf, sizeof buf);
    cr_assert_str_eq(buf, "0%");
    sx_sheet_fmt_pct(820, 219120, buf, sizeof buf);
    cr_assert_str_eq(buf, "0.4%");
    sx_sheet_fmt_pct(1, 100000, buf, sizeof buf);
    cr_assert_str_eq(buf, "<0.1%");
    sx_sheet_fmt_pct(99999, 100000, buf, sizeof buf);
    cr_assert_str_eq(buf, ">99.9%");
    sx_sheet_fmt_pct(7, 7, buf, sizeof buf);
    cr_assert_str_eq(buf, "100%");
    sx_sheet_fmt_pct(3, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "0%");
}

Test(sheet, dates_and_glyphs)
{
    char buf[64];
    sx_sheet_fmt_date(18444.5, SX_DAYS, buf, sizeof buf);
    cr_assert_str_eq(buf, "2020-07-01", "a date statistic is the day at or below it");
    sx_sheet_fmt_date(-0.5, SX_DAYS, buf, sizeof buf);
    cr_assert_str_eq(buf, "1969-12-31");
    sx_sheet_fmt_date(86400 + 3661, SX_SECONDS, buf, sizeof buf);
    cr_assert_str_eq(buf, "1970-01-02 01:01:01");
    sx_sheet_fmt_date(NAN, SX_DAYS, buf, sizeof buf);
    cr_assert_str_eq(buf, "-");
    cr_assert_str_eq(sx_sheet_type_glyph(SX_CATEGORY, 1), "≡");
    cr_assert_str_eq(sx_sheet_type_glyph(SX_CATEGORY, 0), "=");
    cr_assert_str_eq(sx_sheet_type_glyph(SX_FLOAT, 0), "%");
    cr_assert_str_eq(sx_sheet_type_glyph(SX_INT, 1), "#");
    cr_assert_str_eq(sx_sheet_type_glyph(SX_DATE, 1), "@");
}

/* ---- sparklines and bars ---- */

Test(sheet, sparkline_levels)
{
    char buf[256];
    const uint64_t c[] = {0, 1, 4, 8};
    sx_sheet_spark(c, 4, 10, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, " ▁▄█", "one cell per bin; empty bins blank, the smallest count shows");
    sx_sheet_spark(c, 4, 10, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, " .=@");
    /* Merged bins show their mean: pairs (0,8) and (8,0) are equal. */
    const uint64_t d[] = {0, 8, 8, 0};
    sx_sheet_spark(d, 4, 2, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "@@");
    /* Three bins into two cells: (8) and (8, 8) are equal too. */
    const uint64_t e[] = {8, 8, 8};
    sx_sheet_spark(e, 3, 2, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "@@");
    sx_sheet_spark(c, 0, 10, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
    sx_sheet_spark(c, 4, 0, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
}

Test(sheet, bars)
{
    char buf[256];
    sx_sheet_bar(1.0, 3, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "███");
    sx_sheet_bar(0.5, 3, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "█▌");
    sx_sheet_bar(0.001, 10, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "▏", "a non-zero share always shows");
    sx_sheet_bar(0, 10, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
    sx_sheet_bar(0.5, 3, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "##");
    sx_sheet_bar(2.0, 4, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "####");
    sx_sheet_bar(NAN, 4, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
}

/* ---- the cursor ---- */

Test(sheet, cursor_moves_and_scrolls)
{
    struct sx_sheet_cursor c = {0, 0, 30};
    cr_assert_eq(sx_sheet_move(&c, SX_CMD_MOVE_UP, 10), SX_H_HANDLED | SX_H_REDRAW);
    cr_assert_eq(c.cur, 0);
    sx_sheet_move(&c, SX_CMD_MOVE_DOWN, 10);
    cr_assert_eq(c.cur, 1);
    sx_sheet_move(&c, SX_CMD_PAGE_DOWN, 10);
    cr_assert_eq(c.cur, 11);
    cr_assert_eq(c.top, 10);
    sx_sheet_move(&c, SX_CMD_MOVE_LAST, 10);
    cr_assert_eq(c.cur, 29);
    cr_assert_eq(c.top, 20, "the last page is full");
    sx_sheet_move(&c, SX_CMD_PAGE_DOWN, 10);
    cr_assert_eq(c.cur, 29);
    cr_assert_eq(c.top, 20);
    sx_sheet_move(&c, SX_CMD_PAGE_UP, 10);
    cr_assert_eq(c.cur, 19);
    cr_assert_eq(c.top, 10);
    sx_sheet_move(&c, SX_CMD_MOVE_FIRST, 10);
    cr_assert_eq(c.cur, 0);
    cr_assert_eq(c.top, 0);
    cr_assert_eq(sx_sheet_move(&c, SX_CMD_ENTER, 10), 0, "not a movement");

    /* A taller window after a resize shows the rows above again. */
    c = (struct sx_sheet_cursor){29, 20, 30};
    sx_sheet_scroll(&c, 25);
    cr_assert_eq(c.top, 5);
    /* Fewer rows than before: the cursor is clamped. */
    c.n = 3;
    sx_sheet_scroll(&c, 10);
    cr_assert_eq(c.cur, 2);
    cr_assert_eq(c.top, 0);
    /* No rows at all. */
    c.n = 0;
    sx_sheet_move(&c, SX_CMD_MOVE_DOWN, 10);
    cr_assert_eq(c.cur, 0);
    cr_assert_eq(c.top, 0);
}

/* ---- the summary line ---- */

Test(sheet, heading_fits_left_and_right)
{
    struct sx_view v = {.app = FAKE_APP, .y = 1, .x = 0, .h = 10, .w = 40};
    ndrawn = 0;
    width_app = NULL;
    cr_assert_eq(sx_sheet_heading(&v, "12 columns · 219,120 rows", "‹ 2-6/12 ›"), 8);
    cr_assert_eq(ndrawn, 3);
    for (int i = 0; i < ndrawn; i++)
        cr_assert_eq(drawn[i].app, FAKE_APP, "drawing %d got the view's app", i);
    cr_assert_eq(width_app, FAKE_APP, "widths are measured with the view's app");
    cr_assert_str_eq(drawn[0].text, "12 columns · 219,120 rows");
    cr_assert_eq(drawn[0].cols, 40 - 10 - 1, "the left part gives way to the right one");
    cr_assert_str_eq(drawn[2].text, "‹ 2-6/12 ›");
    cr_assert_eq(drawn[2].x, 30);
    cr_assert_eq(drawn[2].cols, 10);
    cr_assert_eq(drawn[0].role, SX_ROLE_DIM);

    /* Too narrow for both: the left part alone. */
    v.w = 15;
    ndrawn = 0;
    cr_assert_eq(sx_sheet_heading(&v, "left", "a right part"), 8);
    cr_assert_eq(ndrawn, 1);
    cr_assert_eq(drawn[0].cols, 15);

    /* No room for a body. */
    v.h = 2;
    cr_assert_eq(sx_sheet_heading(&v, "left", NULL), 0);
    v.h = 0;
    ndrawn = 0;
    cr_assert_eq(sx_sheet_heading(&v, "left", NULL), 0);
    cr_assert_eq(ndrawn, 0);

    char buf[64];
    sx_sheet_scroll_mark(0, 12, 12, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
    sx_sheet_scroll_mark(0, 5, 12, buf, sizeof buf);
    cr_assert_str_eq(buf, "  1-5/12 ›");
    sx_sheet_scroll_mark(7, 5, 12, buf, sizeof buf);
    cr_assert_str_eq(buf, "‹ 8-12/12  ");
}

/* ---- lists of stored objects ---- */

Test(sheet, commas_and_times)
{
    char buf[64];
    sx_sheet_fmt_commas(0, buf, sizeof buf);
    cr_assert_str_eq(buf, "0");
    sx_sheet_fmt_commas(999, buf, sizeof buf);
    cr_assert_str_eq(buf, "999");
    sx_sheet_fmt_commas(1234567, buf, sizeof buf);
    cr_assert_str_eq(buf, "1,234,567");
    sx_sheet_fmt_commas(UINT64_MAX, buf, sizeof buf);
    cr_assert_str_eq(buf, "18,446,744,073,709,551,615");
    sx_sheet_fmt_commas(1234567, buf, 5);
    cr_assert_str_eq(buf, "1,2", "cut to the buffer, never past it");

    sx_sheet_fmt_when("2026-11-26T15:44:01.123Z", buf, sizeof buf);
    cr_assert_str_eq(buf, "2026-11-26 15:44");
    sx_sheet_fmt_when(NULL, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
    sx_sheet_fmt_when("2026-11-26", buf, sizeof buf);
    cr_assert_str_eq(buf, "2026-11-26");
}

static const char *const list_names[] = {"alpha", "a much longer name", "c"};
static const char *const list_authors[] = {"ann", "bob", "somebody with a long name"};

static void list_cell(const void *ctx, size_t row, int col, char *buf, size_t size)
{
    cr_assert_eq(ctx, list_names, "the cell callback gets the list's context");
    if (col == 0)
        snprintf(buf, size, "%s", list_names[row]);
    else if (col == 1)
        sx_sheet_fmt_commas((uint64_t)(row + 1) * 1000, buf, size);
    else
        snprintf(buf, size, "%s", list_authors[row]);
}

Test(sheet, list_draws_header_rows_and_cursor)
{
    static const char *const titles[] = {"name", "count", "author"};
    static const int right[] = {0, 1, 0};
    static const enum sx_role roles[] = {SX_ROLE_TEXT, SX_ROLE_NUMBER, SX_ROLE_DEFAULT};
    const struct sx_sheet_list l = {
        .ncols = 3, .titles = titles, .right = right, .roles = roles, .name_col = 0,
        .author_col = 2, .n = 3, .cell = list_cell, .ctx = list_names,
    };
    struct sx_view v = {.app = FAKE_APP, .y = 2, .x = 1, .h = 6, .w = 60};

    /* Body of h - 2 = 4 rows: the header and all three rows. */
    ndrawn = 0;
    sx_sheet_list_draw(&v, &l, 0, 1);
    cr_assert_eq(ndrawn, 12);
    /* Widths: name 18 (its widest cell), count 5, author capped at 12. */
    static const int xs[] = {2, 22, 29};
    for (int i = 0; i < 12; i++) {
        int row = i / 3 - 1, c = i % 3;
        cr_assert_eq(drawn[i].app, FAKE_APP);
        cr_assert_eq(drawn[i].y, 3 + row, "drawing %d on its row", i);
        cr_assert_eq(drawn[i].x, xs[c], "drawing %d in its column", i);
        cr_assert_eq(drawn[i].right, c == 1, "drawing %d aligned as its column", i);
        enum sx_role want = row < 0 ? SX_ROLE_HEADER : row == 1 ? SX_ROLE_CURSOR_ROW : roles[c];
        cr_assert_eq(drawn[i].role, want, "drawing %d has role %d, not %d", i,
                     (int)drawn[i].role, (int)want);
    }
    cr_assert_str_eq(drawn[0].text, "name");
    cr_assert_str_eq(drawn[4].text, "1,000");
    cr_assert_str_eq(drawn[11].text, list_authors[2]);
    cr_assert_eq(drawn[11].cols, 12, "a long author is cut to 12 columns");

    /* Scrolled, and too short for every row. */
    v.h = 3;
    ndrawn = 0;
    sx_sheet_list_draw(&v, &l, 2, 2);
    cr_assert_eq(ndrawn, 6, "a header and one row");
    cr_assert_str_eq(drawn[3].text, "c");
    cr_assert_eq(drawn[3].role, SX_ROLE_CURSOR_ROW);

    /* Too narrow for the count: it is left out rather than cut, and so is
     * everything right of it. */
    v.h = 6;
    v.w = 18;
    ndrawn = 0;
    sx_sheet_list_draw(&v, &l, 0, 0);
    cr_assert_eq(ndrawn, 4, "the names alone");
    for (int i = 0; i < ndrawn; i++)
        cr_assert_eq(drawn[i].x, 2);
    cr_assert_eq(drawn[1].cols, 12, "the name capped at 12 when a third of the width is less");
}

Test(sheet, notice_lines)
{
    static const char *const lines[] = {"Nothing here.", "Press a to add one.", "Or not.", NULL};
    struct sx_view v = {.app = FAKE_APP, .y = 4, .x = 2, .h = 2, .w = 30};
    ndrawn = 0;
    sx_sheet_notice(&v, lines);
    cr_assert_eq(ndrawn, 2, "no more lines than the view has rows");
    cr_assert_eq(drawn[0].role, SX_ROLE_DEFAULT);
    cr_assert_eq(drawn[1].role, SX_ROLE_DIM);
    cr_assert_eq(drawn[1].y, 5);
    cr_assert_eq(drawn[1].x, 3);
    cr_assert_eq(drawn[1].cols, 29);
    v.h = 5;
    ndrawn = 0;
    sx_sheet_notice(&v, lines);
    cr_assert_eq(ndrawn, 3, "up to the NULL");
}

static const char *const no_store[] = {"No store.", "Make one.", NULL};
static const char *const empty[] = {"Nothing yet.", NULL};

Test(sheet, list_start_says_why_nothing_is_listed)
{
    static const char *const titles[] = {"name", "count", "author"};
    static const int right[] = {0, 1, 0};
    static const enum sx_role roles[] = {SX_ROLE_TEXT, SX_ROLE_NUMBER, SX_ROLE_DEFAULT};
    struct sx_sheet_list l = {
        .ncols = 3, .titles = titles, .right = right, .roles = roles, .name_col = 0,
        .author_col = 2, .n = 3, .cell = list_cell, .ctx = list_names,
        .no_store = no_store, .empty = empty,
    };
    struct sx_view v = {.app = FAKE_APP, .y = 0, .x = 0, .h = 6, .w = 40};

    ndrawn = 0;
    cr_assert_eq(sx_sheet_list_start(&v, &l, 0, ""), 1);
    cr_assert_eq(ndrawn, 2);
    cr_assert_str_eq(drawn[0].text, "No store.");
    cr_assert_eq(drawn[1].role, SX_ROLE_DIM);

    ndrawn = 0;
    cr_assert_eq(sx_sheet_list_start(&v, &l, 1, "store.db: locked"), 1);
    cr_assert_eq(ndrawn, 1);
    cr_assert_str_eq(drawn[0].text, "store.db: locked");
    cr_assert_eq(drawn[0].role, SX_ROLE_ERROR);

    ndrawn = 0;
    cr_assert_eq(sx_sheet_list_start(&v, &l, 1, ""), 0, "rows to draw");
    cr_assert_eq(ndrawn, 0);

    l.n = 0;
    cr_assert_eq(sx_sheet_list_start(&v, &l, 1, ""), 1);
    cr_assert_eq(ndrawn, 1);
    cr_assert_str_eq(drawn[0].text, "Nothing yet.");

    v.h = 0;
    ndrawn = 0;
    cr_assert_eq(sx_sheet_list_start(&v, &l, 0, ""), 1, "no room: nothing to draw");
    cr_assert_eq(ndrawn, 0);
}

/* ---- tables ---- */

static struct sx_table *table_of(size_t nrows)
{
    struct sx_err err;
    struct sx_frame *f = sx_frame_new();
    struct sx_column *a = sx_frame_add(f, "a", SX_INT, &err);
    struct sx_column *b = sx_frame_add(f, "b", SX_FLOAT, &err);
    cr_assert(a && b);
    for (size_t i = 0; i < nrows; i++) {
        cr_assert_eq(sx_col_push_i64(a, (int64_t)i), SX_OK);
        cr_assert_eq(sx_col_push_f64(b, (double)i / 2), SX_OK);
    }
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    struct sx_table *t = calloc(1, sizeof *t);
    size_t *rows = malloc(nrows * sizeof *rows);
    cr_assert(t && rows);
    for (size_t i = 0; i < nrows; i++)
        rows[i] = i;
    t->frame = f;
    t->rows = rows;
    t->nrows = nrows;
    return t;
}

static void table_free(struct sx_table *t)
{
    sx_frame_free(t->frame);
    free(t->rows);
    free(t);
}

Test(sheet, visible_rows_are_copied_when_they_matter)
{
    struct sx_table *t = table_of(5);
    size_t *rows, n;
    /* Every row in frame order: nothing to copy either way. */
    cr_assert_eq(sx_sheet_rows(t, 1, &rows, &n), 0);
    cr_assert_null(rows);
    cr_assert_eq(n, 5);
    /* Every row, sorted: order matters only when ORDERED. */
    t->rows[0] = 4;
    t->rows[4] = 0;
    cr_assert_eq(sx_sheet_rows(t, 0, &rows, &n), 0);
    cr_assert_null(rows);
    cr_assert_eq(sx_sheet_rows(t, 1, &rows, &n), 0);
    cr_assert_not_null(rows);
    cr_assert_eq(n, 5);
    cr_assert_eq(rows[0], 4);
    t->rows[0] = 0;               /* the copy is the sheet's own */
    cr_assert_eq(rows[0], 4);
    free(rows);
    /* A filter: the visible rows. */
    t->rows[0] = 3;
    t->nrows = 2;
    cr_assert_eq(sx_sheet_rows(t, 0, &rows, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(rows[0], 3);
    free(rows);
    /* No visible row. */
    t->nrows = 0;
    cr_assert_eq(sx_sheet_rows(t, 1, &rows, &n), 0);
    cr_assert_eq(n, 0);
    free(rows);
    table_free(t);
}

Test(sheet, borrowed_columns_and_names)
{
    struct sx_table *t = table_of(3);
    struct sx_column *ptrs[2];
    const size_t cols[] = {1, 0};
    struct sx_frame part = sx_sheet_borrow(t->frame, cols, 2, ptrs);
    cr_assert_eq(part.ncols, 2);
    cr_assert_eq(part.nrows, 3);
    cr_assert_eq(part.cols[0], t->frame->cols[1]);
    cr_assert_eq(part.cols[1], t->frame->cols[0]);
    struct sx_err err;
    const size_t take[] = {2};
    struct sx_frame *sub = sx_frame_take(&part, take, 1, &err);
    cr_assert(sub);
    cr_assert_eq(sx_col_num(sub->cols[0], 0), 1.0);
    cr_assert_eq(sx_col_num(sub->cols[1], 0), 2.0);
    sx_frame_free(sub);

    cr_assert_str_eq(sx_sheet_col_name(t, 0), "a", "no display names: the frame's");
    char *names[2] = {NULL, "renamed"};
    t->names = names;
    cr_assert_str_eq(sx_sheet_col_name(t, 0), "a");
    cr_assert_str_eq(sx_sheet_col_name(t, 1), "renamed");
    t->names = NULL;
    table_free(t);
}
