/* tui/screen.c: curses set-up and tear-down, signals, and the two test
 * commands that read or change the screen itself.
 *
 *  - A real terminal: newterm(NULL, stdout, stdin), raw mode (Ctrl-C is a
 *    key), sizes from the terminal (ioctl), resizes through KEY_RESIZE.
 *  - SEXTANT_NO_DISPLAY=1: newterm($TERM or xterm-256color) writing to
 *    /dev/null, reading stdin, sized from LINES/COLUMNS (default 24x80).
 *  - SIGINT, SIGTERM and SIGHUP only set sx_signal_seen; the loop quits. A
 *    crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) restores the terminal
 *    and re-raises; atexit() restores it too.
 *
 * `:save-display [--attrs] NAME` writes the screen as text, one line per
 * row with trailing spaces kept, to $SEXTANT_SCREEN_DIR/NAME.screen (or to
 * NAME when SEXTANT_SCREEN_DIR is unset). With --attrs a role map follows:
 *
 *     --- attrs
 *     one line per row, one character per column: '.' for the plain style
 *     (no attribute, default colours), else a letter naming a style
 *     --- styles
 *     A bold fg=yellow bg=default: header
 *
 * Each style line gives the letter, its attributes and colours, and after
 * the colon the roles the theme draws that way (letters in order of first
 * appearance, so the map is deterministic). */
#include "shell.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/* The only state of the workbench outside the app struct. Signal handlers
 * and the atexit() hook run where no app pointer can reach them (a handler
 * gets only the signal number), so what they read or set lives here:
 * sx_signal_seen (set by on_signal, read by the loop) and curses_active
 * (whether endwin() is still owed; read by on_crash and at_exit), both
 * volatile sig_atomic_t, the one type a handler may write. */
volatile sig_atomic_t sx_signal_seen;
static volatile sig_atomic_t curses_active;

static void on_signal(int sig)
{
    sx_signal_seen = sig;
}

static void on_crash(int sig)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void at_exit(void)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

void sx_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;           /* no SA_RESTART: a blocked read returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);            /* a dead co-process must not kill us */
    /* once per start of the workbench (once per process); were it started
     * again, the second hook would find curses_active 0 and do nothing */
    atexit(at_exit);
}

static int env_int(const char *name, int def, int lo, int hi)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi)
        return def;
    return (int)v;
}

int sx_screen_start(struct sx_app *app, struct sx_err *err)
{
    const char *nd = getenv("SEXTANT_NO_DISPLAY");
    app->headless = nd && strcmp(nd, "1") == 0;
    if (app->headless) {
        const char *term = getenv("TERM");
        if (!term || !*term)
            term = "xterm-256color";
        int rows = env_int("LINES", 24, 2, 1000), cols = env_int("COLUMNS", 80, 2, 1000);
        app->screen_out = fopen("/dev/null", "w");
        if (!app->screen_out)
            return sx_err_set(err, SX_EIO, "/dev/null: %s", strerror(errno)), -1;
        app->screen = newterm(term, app->screen_out, stdin);
        if (!app->screen) {
            fclose(app->screen_out);
            app->screen_out = NULL;
            return sx_err_set(err, SX_EINVAL, "cannot start curses for TERM=%s", term), -1;
        }
        set_term(app->screen);
        resizeterm(rows, cols);
    } else {
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
            return sx_err_set(err, SX_EINVAL,
                              "the workbench needs a terminal (SEXTANT_NO_DISPLAY=1 runs it "
                              "headless)"), -1;
        /* the terminal's size, never a stale exported $LINES: with them
         * set, ncurses would keep them across resizes */
        unsetenv("LINES");
        unsetenv("COLUMNS");
        app->screen = newterm(NULL, stdout, stdin);
        if (!app->screen) {
            const char *term = getenv("TERM");
            return sx_err_set(err, SX_EINVAL, "cannot start curses for TERM=%s",
                              term ? term : "(unset)"), -1;
        }
        set_term(app->screen);
    }
    curses_active = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(app->escdelay);
    return 0;
}

void sx_screen_end(void)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

/* Append wide string W as UTF-8 to FP. */
static void put_wide(FILE *fp, const wchar_t *w)
{
    for (; *w; w++) {
        char buf[8];
        sx_utf8_encode((long)*w, buf);
        fputs(buf, fp);
    }
}

#define STYLES_MAX 62

struct style {
    attr_t attr;
    short fg, bg;
    char letter;
};

static void cell_style(struct sx_app *app, const cchar_t *cc, attr_t *attr, short *fg,
                       short *bg)
{
    wchar_t wch[CCHARW_MAX + 1];
    attr_t a = 0;
    short pair = 0;
    getcchar(cc, wch, &a, &pair, NULL);
    *attr = a & (A_ATTRIBUTES & ~A_COLOR);
    *fg = *bg = -1;
    if (pair > 0 && sx_theme_colors(app))
        pair_content(pair, fg, bg);
}

static char style_letter(size_t i)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return i < sizeof letters - 1 ? letters[i] : '?';
}

/* The letter of style (A, FG, BG), adding it to STYLES when new. */
static char style_of(struct style *styles, size_t *n, attr_t a, short fg, short bg)
{
    for (size_t i = 0; i < *n; i++)
        if (styles[i].attr == a && styles[i].fg == fg && styles[i].bg == bg)
            return styles[i].letter;
    if (*n >= STYLES_MAX)
        return '?';
    styles[*n].attr = a;
    styles[*n].fg = fg;
    styles[*n].bg = bg;
    styles[*n].letter = style_letter(*n);
    return styles[(*n)++].letter;
}

static void write_attrs(struct sx_app *app, FILE *fp)
{
    struct style styles[STYLES_MAX];
    size_t nstyles = 0;
    cchar_t *cells = calloc((size_t)COLS + 1, sizeof *cells);
    if (!cells)
        return;
    fputs("--- attrs\n", fp);
    for (int y = 0; y < LINES; y++) {
        memset(cells, 0, ((size_t)COLS + 1) * sizeof *cells);
        mvin_wchnstr(y, 0, cells, COLS);
        /* one entry per character: a double-width one covers two columns */
        int col = 0;
        for (int x = 0; x < COLS && col < COLS; x++) {
            wchar_t wch[CCHARW_MAX + 1] = {0};
            attr_t a0;
            short p0;
            if (getcchar(&cells[x], wch, &a0, &p0, NULL) == ERR || !wch[0])
                break;
            int cw = wcwidth(wch[0]) == 2 ? 2 : 1;
            attr_t a;
            short fg, bg;
            cell_style(app, &cells[x], &a, &fg, &bg);
            char letter = '.';
            if (!(a == 0 && fg == -1 && bg == -1))
                letter = style_of(styles, &nstyles, a, fg, bg);
            for (int k = 0; k < cw && col < COLS; k++, col++)
                fputc(letter, fp);
        }
        for (; col < COLS; col++)
            fputc('.', fp);
        fputc('\n', fp);
    }
    free(cells);
    fputs("--- styles\n", fp);
    for (size_t i = 0; i < nstyles; i++) {
        char desc[160];
        /* describe through a scratch cell so colours print by name */
        short pair = 0;
        for (int r = 0; r < SX_ROLE_COUNT; r++) {
            attr_t ra = sx_role_attr(app, (enum sx_role)r);
            short rp = (short)PAIR_NUMBER(ra), fg = -1, bg = -1;
            if (rp > 0 && sx_theme_colors(app))
                pair_content(rp, &fg, &bg);
            if ((ra & (A_ATTRIBUTES & ~A_COLOR)) == styles[i].attr && fg == styles[i].fg &&
                bg == styles[i].bg) {
                pair = rp;
                break;
            }
        }
        if (pair == 0 && (styles[i].fg != -1 || styles[i].bg != -1)) {
            /* a style no role has: find any pair with these colours */
            for (short p = 1; p <= SX_ROLE_COUNT; p++) {
                short fg, bg;
                pair_content(p, &fg, &bg);
                if (fg == styles[i].fg && bg == styles[i].bg) {
                    pair = p;
                    break;
                }
            }
        }
        sx_theme_describe(app, styles[i].attr, pair, desc, sizeof desc);
        fprintf(fp, "%c %s:", styles[i].letter, desc);
        for (int r = 0; r < SX_ROLE_COUNT; r++) {
            attr_t ra = sx_role_attr(app, (enum sx_role)r);
            short rp = (short)PAIR_NUMBER(ra), fg = -1, bg = -1;
            if (rp > 0 && sx_theme_colors(app))
                pair_content(rp, &fg, &bg);
            if ((ra & (A_ATTRIBUTES & ~A_COLOR)) == styles[i].attr && fg == styles[i].fg &&
                bg == styles[i].bg)
                fprintf(fp, " %s", sx_theme_role_names()[r]);
        }
        fputc('\n', fp);
    }
}

enum sx_status sx_screen_save(struct sx_app *app, const char *arg, struct sx_err *err)
{
    int attrs = 0;
    const char *name = arg ? arg : "";
    while (*name == ' ')
        name++;
    if (strncmp(name, "--attrs", 7) == 0 && (name[7] == ' ' || name[7] == 0)) {
        attrs = 1;
        name += 7;
        while (*name == ' ')
            name++;
    }
    if (!*name)
        return sx_err_set(err, SX_EINVAL, "save-display wants [--attrs] NAME");
    char path[PATH_MAX];
    const char *dir = getenv("SEXTANT_SCREEN_DIR");
    if (dir && *dir)
        snprintf(path, sizeof path, "%s/%s.screen", dir, name);
    else
        snprintf(path, sizeof path, "%s", name);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
    /* mvinnwstr counts wide characters, combining marks included */
    size_t cap = (size_t)COLS * CCHARW_MAX + 1;
    wchar_t *row = calloc(cap, sizeof *row);
    if (!row) {
        fclose(fp);
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    for (int y = 0; y < LINES; y++) {
        row[0] = 0;
        mvinnwstr(y, 0, row, (int)cap - 1);
        put_wide(fp, row);
        fputc('\n', fp);
    }
    free(row);
    if (attrs)
        write_attrs(app, fp);
    if (fclose(fp) != 0)
        return sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
    return SX_OK;
}

enum sx_status sx_screen_resize(struct sx_app *app, const char *arg, struct sx_err *err)
{
    (void)app;
    int rows, cols;
    char x;
    if (!arg || sscanf(arg, "%d%c%d", &rows, &x, &cols) != 3 || (x != 'x' && x != 'X') ||
        rows < 2 || cols < 2 || rows > 1000 || cols > 1000)
        return sx_err_set(err, SX_EINVAL, "resize wants ROWSxCOLS, e.g. 24x80");
    if (resizeterm(rows, cols) == ERR)
        return sx_err_set(err, SX_EINVAL, "resizeterm(%d, %d) failed", rows, cols);
    return SX_OK;
}
