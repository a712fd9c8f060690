/* tests/test_tui_draw.c: tui/draw.c on a headless curses screen. Untrusted
 * text (escape sequences, newlines, backquotes, bidi overrides, invalid
 * UTF-8) must be drawn as inert characters that never move the cursor; a
 * character is never split; a double-width character that does not fit
 * leaves a space; combining marks stay on their base; the ASCII fallback
 * applies outside UTF-8. The screen is read back with mvinnwstr, as
 * :save-display does. This test supplies sx_role_attr (the theme) itself,
 * and an app whose utf8 flag says whether the locale is UTF-8. */
#include <curses.h>
#include <locale.h>
#include <wchar.h>

#include "testutil.h"

#include "../tui/shell.h"

static struct sx_app app;

attr_t sx_role_attr(struct sx_app *a, enum sx_role role)
{
    cr_assert_eq(a, &app, "the theme is looked up in the app drawn with");
    return role == SX_ROLE_HEADER ? A_BOLD : A_NORMAL;
}

static SCREEN *scr;
static FILE *out, *in;

static void start(void)
{
    cr_assert(setlocale(LC_ALL, "C.UTF-8") || setlocale(LC_ALL, "C.utf8"),
              "the C.UTF-8 locale is needed");
    out = fopen("/dev/null", "w");
    in = fopen("/dev/null", "r");
    cr_assert(out && in);
    scr = newterm("xterm-256color", out, in);
    cr_assert(scr, "newterm");
    set_term(scr);
    resizeterm(4, 20);
    app.utf8 = 1;
}

static void stop(void)
{
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
}

TestSuite(draw, .init = start, .fini = stop);

/* Row Y of the screen as UTF-8 (static buffer), trailing spaces kept. */
static const char *row(int y)
{
    static char buf[512];
    wchar_t w[128] = {0};
    mvinnwstr(y, 0, w, 127);          /* counts characters, marks included */
    size_t n = wcstombs(buf, w, sizeof buf - 1);
    cr_assert_neq(n, (size_t)-1);
    buf[n] = 0;
    return buf;
}

/* Every cell of row Y is printable: no C0/C1 control, no ESC. */
static void assert_inert(int y)
{
    wchar_t w[64] = {0};
    mvinnwstr(y, 0, w, COLS);
    for (size_t i = 0; w[i]; i++)
        cr_assert(!(w[i] < 0x20 || w[i] == 0x7F || (w[i] >= 0x80 && w[i] < 0xA0) ||
                    (w[i] >= 0x202A && w[i] <= 0x202E)),
                  "control character U+%04X at column %zu", (unsigned)w[i], i);
}

Test(draw, escape_sequences_are_inert)
{
    int used = sx_draw_text(&app, 1, 0, SX_ROLE_TEXT, "\x1b[31mred\x1b[0m", 20, 1);
    cr_assert_eq(used, 20);
    cr_assert_str_eq(row(1), "\xef\xbf\xbd[31mred\xef\xbf\xbd[0m        ");
    assert_inert(1);
    int y, x;
    getyx(stdscr, y, x);
    cr_assert_eq(y, 1, "the cursor left the row");
    (void)x;
}

Test(draw, newlines_and_backquotes_stay_on_the_row)
{
    sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "a\nb`id`;c\r\t", 20, 1);
    sx_draw_text(&app, 1, 0, SX_ROLE_TEXT, "next", 20, 1);
    cr_assert_str_eq(row(0), "a\xef\xbf\xbd" "b`id`;c\xef\xbf\xbd\xef\xbf\xbd         ");
    cr_assert_str_eq(row(1), "next                ");
    assert_inert(0);
}

Test(draw, bidi_overrides_and_c1_controls_are_replaced)
{
    sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "x\xe2\x80\xaey\xc2\x9b" "z", 20, 0);
    cr_assert_str_eq(row(0), "x\xef\xbf\xbdy\xef\xbf\xbdz               ");
    assert_inert(0);
}

Test(draw, invalid_utf8_becomes_placeholders)
{
    sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "a\xff\xfe" "b\xe6\x97", 20, 0);
    cr_assert_str_eq(row(0), "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd               ");
    cr_assert_eq(sx_text_width(&app, "a\xff\xfe" "b\xe6\x97"), 5);   /* one unit for the cut 日 */
}

Test(draw, skipping_columns_for_sideways_scrolling)
{
    int over = -1;
    cr_assert_str_eq(sx_text_skip(&app, "abc", 1, &over), "bc");
    cr_assert_eq(over, 0);
    /* a double-width character across the edge is skipped whole */
    cr_assert_str_eq(sx_text_skip(&app, "a\xe6\x97\xa5" "b", 2, &over), "b");
    cr_assert_eq(over, 1);
    /* a combining mark goes with its base */
    cr_assert_str_eq(sx_text_skip(&app, "e\xcc\x81x", 1, &over), "x");
    cr_assert_eq(over, 0);
    cr_assert_str_eq(sx_text_skip(&app, "ab", 5, NULL), "");
    cr_assert_str_eq(sx_text_skip(&app, "ab", 0, &over), "ab");
    cr_assert_eq(over, 0);
}

Test(draw, widths)
{
    cr_assert_eq(sx_text_width(&app, "日本"), 4);
    cr_assert_eq(sx_text_width(&app, "e\xcc\x81"), 1);         /* e + combining acute */
    cr_assert_eq(sx_text_width(&app, "\x1b"), 1);
    cr_assert_eq(sx_text_width(&app, "😀"), 2);
    cr_assert_eq(sx_text_width(&app, ""), 0);
    cr_assert_eq(sx_text_width(&app, NULL), 0);
}

Test(draw, cut_with_ellipsis_never_splits_a_wide_character)
{
    /* "ab日本" is 6 columns; in 4 there is room for "ab" + 1 column, which
     * the 2-column 日 would straddle: a space takes its place. */
    int used = sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "ab日本", 4, 0);
    cr_assert_eq(used, 4);
    cr_assert_str_eq(row(0), "ab \xe2\x80\xa6                ");
    used = sx_draw_text(&app, 1, 0, SX_ROLE_TEXT, "a日本", 4, 0);
    cr_assert_eq(used, 4);
    cr_assert_str_eq(row(1), "a日\xe2\x80\xa6                ");
}

Test(draw, fits_exactly_without_ellipsis)
{
    int used = sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "日本語", 6, 0);
    cr_assert_eq(used, 6);
    cr_assert_str_eq(row(0), "日本語              ");
}

Test(draw, wide_character_at_the_screen_edge)
{
    /* column 19 of 20 leaves one column: the emoji cannot straddle it */
    sx_draw_text(&app, 0, 19, SX_ROLE_TEXT, "😀", 5, 0);
    wchar_t w[64] = {0};
    mvinnwstr(0, 0, w, COLS);
    cr_assert_neq(w[19], L'\x1F600');
    cr_assert_eq(sx_text_width(&app, row(0)), 20);
}

Test(draw, combining_marks_stay_on_their_base)
{
    sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "e\xcc\x81x", 20, 0);
    cr_assert_str_eq(row(0), "e\xcc\x81x" "                  ");
}

Test(draw, right_alignment_and_padding)
{
    sx_draw_text_right(&app, 0, 0, SX_ROLE_NUMBER, "3.14", 8);
    cr_assert_str_eq(row(0), "    3.14            ");
    sx_draw_text(&app, 1, 2, SX_ROLE_HEADER, "ab", 5, 1);
    cr_assert_str_eq(row(1), "  ab                ");
    attr_t a;
    short pair;
    cchar_t cc;
    mvin_wch(1, 2, &cc);
    wchar_t wch[CCHARW_MAX + 1];
    getcchar(&cc, wch, &a, &pair, NULL);
    cr_assert(a & A_BOLD, "the header role's attribute");
}

Test(draw, ascii_fallback)
{
    app.utf8 = 0;
    sx_draw_text(&app, 0, 0, SX_ROLE_TEXT, "\xe2\x94\x80\xe2\x96\x88 日\x1b", 20, 0);
    cr_assert_str_eq(row(0), "-# ??               ");
    sx_draw_text(&app, 1, 0, SX_ROLE_TEXT, "abcdefghij", 5, 0);
    cr_assert_str_eq(row(1), "abcd~               ");
    cr_assert_str_eq(sx_glyph(&app, "\xe2\x80\xa6", "~"), "~");
    /* widths follow the app's locale: one '?' per CJK character, and a
     * combining mark is a character of its own */
    cr_assert_eq(sx_text_width(&app, "日本"), 2);
    cr_assert_eq(sx_text_width(&app, "e\xcc\x81"), 2);
    app.utf8 = 1;
    cr_assert_str_eq(sx_glyph(&app, "\xe2\x80\xa6", "~"), "\xe2\x80\xa6");
}
