/* tui/draw.c: painting untrusted UTF-8 text into curses cells by display
 * width. Text is decoded here (it is UTF-8 by contract, whatever the
 * locale); widths come from wcwidth() in a UTF-8 locale. Control
 * characters, invalid bytes, unassigned code points (wcwidth -1) and the
 * bidi and line-separator controls become a visible placeholder, so no
 * text can emit an escape sequence or move the cursor. A character is
 * never split; a double-width one that would straddle the edge becomes a
 * space. In a non-UTF-8 locale a few glyphs (…, box and bar characters)
 * get ASCII stand-ins and every other non-ASCII character shows as '?'.
 * Whether the locale is UTF-8 is the app's (app->utf8, set at start). */
#include "shell.h"

#include <stdarg.h>
#include <string.h>
#include <wchar.h>

#include "plot.h"

const char *sx_glyph(struct sx_app *app, const char *utf8, const char *ascii)
{
    return app->utf8 ? utf8 : ascii;
}

int sx_utf8_decode(const unsigned char *s, size_t n, long *cp)
{
    unsigned c = s[0];
    int len;
    long v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        *cp = -1;
        return 1;
    }
    /* a truncated or broken sequence is one invalid unit (its lead byte
     * and the continuation bytes that did arrive) */
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n || (s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    /* overlong, surrogates, beyond U+10FFFF */
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return len;
}

int sx_utf8_encode(long cp, char *buf)
{
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        buf[1] = 0;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        buf[2] = 0;
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        buf[3] = 0;
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    buf[4] = 0;
    return 4;
}

/* Characters that must never reach the terminal as themselves. */
static int is_dangerous(long cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
           cp == 0x200E || cp == 0x200F ||        /* LRM, RLM */
           (cp >= 0x202A && cp <= 0x202E) ||      /* embeddings, overrides */
           (cp >= 0x2066 && cp <= 0x2069) ||      /* isolates */
           cp == 0x2028 || cp == 0x2029 ||        /* line/paragraph separators */
           cp == 0xFEFF;                          /* BOM / ZWNBSP */
}

/* ASCII stand-ins for the glyphs views use, when the locale is not UTF-8. */
static int ascii_for(long cp)
{
    switch (cp) {
    case 0x2026: return '~';                        /* … */
    case 0x2500: case 0x2501: case 0x2504: case 0x2508: case 0x2574: case 0x2576:
        return '-';
    case 0x2502: case 0x2503: case 0x2506: case 0x250A: return '|';
    case 0x250C: case 0x2510: case 0x2514: case 0x2518: case 0x251C: case 0x2524:
    case 0x252C: case 0x2534: case 0x253C: return '+';
    case 0x2580: case 0x2584: case 0x2588: case 0x2589: case 0x258A: case 0x258B:
    case 0x258C: case 0x258D: case 0x258E: case 0x258F: case 0x2590: case 0x2593:
    case 0x2592: case 0x25A0: case 0x25AE:
        return '#';
    case 0x2581: case 0x2582: case 0x2583: return '_';
    case 0x2585: case 0x2586: case 0x2587: return '=';
    case 0x2591: case 0x00B7: case 0x2022: case 0x22C5: return '.';
    case 0x203A: case 0x25B6: case 0x25B8: case 0x2192: return '>';
    case 0x2039: case 0x25C0: case 0x25C2: case 0x2190: return '<';
    case 0x2191: case 0x25B2: case 0x25B4: return '^';
    case 0x2193: case 0x25BC: case 0x25BE: return 'v';
    case 0x00D7: return 'x';
    case 0x2713: case 0x2714: return '*';
    case 0x2717: case 0x2718: return 'x';
    case 0x00A0: return ' ';
    default: return 0;
    }
}

/* One display unit of text: a base character plus its combining marks. */
struct unit {
    wchar_t wc[CCHARW_MAX];
    int nwc;
    int width;                /* 1 or 2 */
    size_t bytes;             /* bytes of S consumed */
};

/* Read the next unit at S (N bytes), in a UTF-8 locale when UTF8_MODE.
 * Returns 0 at the end. */
static int next_unit(int utf8_mode, const unsigned char *s, size_t n, struct unit *u)
{
    if (n == 0)
        return 0;
    long cp;
    int len = sx_utf8_decode(s, n, &cp);
    u->bytes = (size_t)len;
    u->nwc = 1;
    u->width = 1;
    if (cp < 0 || is_dangerous(cp)) {
        u->wc[0] = utf8_mode ? 0xFFFD : L'?';
    } else if (!utf8_mode) {
        int a = cp < 0x80 ? (int)cp : ascii_for(cp);
        u->wc[0] = a ? (wchar_t)a : L'?';
    } else {
        int w = wcwidth((wchar_t)cp);
        if (w < 0) {
            u->wc[0] = 0xFFFD;
        } else if (w == 0) {
            /* a combining mark with no base: put it on a space */
            u->wc[0] = L' ';
            u->wc[1] = (wchar_t)cp;
            u->nwc = 2;
        } else {
            u->wc[0] = (wchar_t)cp;
            u->width = w > 2 ? 2 : w;
        }
    }
    /* attach following zero-width marks */
    while (utf8_mode && u->bytes < n) {
        long m;
        int ml = sx_utf8_decode(s + u->bytes, n - u->bytes, &m);
        if (m < 0 || is_dangerous(m) || wcwidth((wchar_t)m) != 0)
            break;
        if (u->nwc < CCHARW_MAX - 1)
            u->wc[u->nwc++] = (wchar_t)m;
        u->bytes += (size_t)ml;
    }
    u->wc[u->nwc] = 0;
    return 1;
}

int sx_text_width(struct sx_app *app, const char *s)
{
    if (!s)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    struct unit u;
    int w = 0;
    while (next_unit(app->utf8, p, n, &u)) {
        w += u.width;
        p += u.bytes;
        n -= u.bytes;
    }
    return w;
}

const char *sx_text_skip(struct sx_app *app, const char *s, int cols, int *over)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    struct unit u;
    int w = 0;
    while (w < cols && next_unit(app->utf8, p, n, &u)) {
        w += u.width;
        p += u.bytes;
        n -= u.bytes;
    }
    if (over)
        *over = w > cols ? w - cols : 0;
    return (const char *)p;
}

static void put_unit(int y, int x, const struct unit *u, attr_t a, short pair)
{
    cchar_t cc;
    setcchar(&cc, u->wc, a, pair, NULL);
    mvadd_wch(y, x, &cc);
}

static void put_char(int y, int x, wchar_t c, attr_t a, short pair)
{
    wchar_t w[2] = {c, 0};
    cchar_t cc;
    setcchar(&cc, w, a, pair, NULL);
    mvadd_wch(y, x, &cc);
}

/* The attribute of ROLE split into attributes and pair for setcchar. */
static void role_parts(struct sx_app *app, enum sx_role role, attr_t *a, short *pair)
{
    attr_t full = sx_role_attr(app, role);
    *pair = (short)PAIR_NUMBER(full);
    *a = full & ~A_COLOR;
}

int sx_draw_text(struct sx_app *app, int y, int x, enum sx_role role, const char *s, int cols,
                 int pad)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS || cols <= 0)
        return 0;
    if (cols > COLS - x)
        cols = COLS - x;
    attr_t a;
    short pair;
    role_parts(app, role, &a, &pair);
    if (!s)
        s = "";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int total = sx_text_width(app, s);
    int room = total > cols ? cols - 1 : cols;   /* keep one column for the ellipsis */
    int used = 0;
    struct unit u;
    while (next_unit(app->utf8, p, n, &u)) {
        if (used + u.width > room)
            break;
        put_unit(y, x + used, &u, a, pair);
        used += u.width;
        p += u.bytes;
        n -= u.bytes;
    }
    if (total > cols) {
        while (used < cols - 1)      /* a wide character did not fit */
            put_char(y, x + used++, L' ', a, pair);
        put_char(y, x + used++, app->utf8 ? 0x2026 : L'~', a, pair);
    }
    if (pad)
        while (used < cols)
            put_char(y, x + used++, L' ', a, pair);
    return used;
}

int sx_draw_text_right(struct sx_app *app, int y, int x, enum sx_role role, const char *s,
                       int cols)
{
    if (cols <= 0)
        return 0;
    int w = sx_text_width(app, s);
    if (w >= cols)
        return sx_draw_text(app, y, x, role, s, cols, 1);
    sx_draw_fill(app, y, x, 1, cols - w, role);
    sx_draw_text(app, y, x + cols - w, role, s, w, 0);
    return cols;
}

void sx_draw_fill(struct sx_app *app, int y, int x, int h, int w, enum sx_role role)
{
    attr_t a;
    short pair;
    role_parts(app, role, &a, &pair);
    for (int r = y; r < y + h && r < LINES; r++) {
        if (r < 0)
            continue;
        for (int c = x; c < x + w && c < COLS; c++)
            if (c >= 0)
                put_char(r, c, L' ', a, pair);
    }
}

/* The wide character of cell text CH, '?' for anything not one column wide. */
static wchar_t cell_char(const char *ch, int utf8)
{
    unsigned char c0 = (unsigned char)ch[0];
    if (c0 < 0x80)
        return c0 >= 0x20 && c0 != 0x7F ? (wchar_t)c0 : L'?';
    if (!utf8)
        return L'?';
    wchar_t wc;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(&wc, ch, strlen(ch), &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || wcwidth(wc) != 1)
        return L'?';
    return wc;
}

void sx_draw_plot_cell(struct sx_app *app, int y, int x, const struct sx_plot_cell *cell,
                       attr_t attrs, short pair)
{
    wchar_t w[2] = {cell_char(cell->ch, app->utf8), 0};
    cchar_t cc;
    setcchar(&cc, w, attrs | (cell->bold ? A_BOLD : 0), pair, NULL);
    mvadd_wch(y, x, &cc);
}
