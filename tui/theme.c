/* tui/theme.c: colour roles to curses attributes. A theme is a list of
 * `color ROLE FG BG [ATTR…]` lines (themes/README.md); the built-in
 * default (the same lines as themes/default.theme) always applies first,
 * so a theme file only names what it changes. Colour mode comes from the
 * terminal: 256 colours when COLORS >= 256, 8 otherwise (256-colour values
 * are mapped to the nearest of the 8), and none when NO_COLOR is set and
 * non-empty or !has_colors(): then the built-in mono table applies, where
 * every role that carries meaning keeps an attribute. The state (each
 * role's style, the colour mode, the theme's name) is the app's
 * (struct sx_theme, app->look). */
#include "shell.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SX_THEMES_DIR
#define SX_THEMES_DIR "/usr/local/share/sextant/themes"
#endif

/* Keep these two tables equal to themes/default.theme and themes/mono.theme
 * (tests/tui.sh checks it). */
static const char *const builtin_default[] = {
    "color default      default   default",
    "color title        white     blue      bold",
    "color tab          white     blue",
    "color tab-active   black     cyan      bold",
    "color header       yellow    default   bold",
    "color cursor       black     cyan      bold",
    "color cursor-row   default   color236",
    "color selected     black     green",
    "color number       default   default",
    "color text         default   default",
    "color date         cyan      default",
    "color missing      color244  default   dim",
    "color dim          color244  default",
    "color key          white     black     bold",
    "color keybar       black     cyan",
    "color status       default   default",
    "color error        white     red       bold",
    "color prompt       yellow    default   bold",
    "color bar          cyan      default",
    "color better       green     default   bold",
    "color worse        red       default   bold",
    "color alert        yellow    default   bold underline",
    "color corr-pos     color33   default   bold",
    "color corr-neg     color160  default   bold",
    "color corr-weak    color244  default",
    "color chart        default   default",
    "color differ       black     yellow",
    NULL,
};

static const char *const builtin_mono[] = {
    "color default      default   default   normal",
    "color title        default   default   reverse",
    "color tab          default   default   reverse",
    "color tab-active   default   default   bold",
    "color header       default   default   bold underline",
    "color cursor       default   default   reverse",
    "color cursor-row   default   default   bold",
    "color selected     default   default   bold underline",
    "color number       default   default   normal",
    "color text         default   default   normal",
    "color date         default   default   normal",
    "color missing      default   default   dim",
    "color dim          default   default   dim",
    "color key          default   default   bold",
    "color keybar       default   default   reverse",
    "color status       default   default   normal",
    "color error        default   default   bold reverse",
    "color prompt       default   default   bold",
    "color bar          default   default   bold",
    "color better       default   default   bold",
    "color worse        default   default   underline",
    "color alert        default   default   bold underline",
    "color corr-pos     default   default   bold",
    "color corr-neg     default   default   underline",
    "color corr-weak    default   default   dim",
    "color chart        default   default   normal",
    "color differ       default   default   reverse",
    NULL,
};

static const char *const role_names[] = {
#define X(id, name) name,
    SX_ROLE_TABLE(X)
#undef X
    NULL,
};

static const char *const color_names[] = {
    "default", "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue",
    "bright-magenta", "bright-cyan", "bright-white", NULL,
};

static const struct {
    const char *name;
    attr_t attr;
} attr_table[] = {
    {"normal", A_NORMAL}, {"bold", A_BOLD},         {"dim", A_DIM},
    {"reverse", A_REVERSE}, {"underline", A_UNDERLINE}, {"italic", A_ITALIC},
    {"standout", A_STANDOUT}, {"blink", A_BLINK},
};
#define NATTRS (sizeof attr_table / sizeof attr_table[0])

static const char *const attr_names[] = {
    "normal", "bold", "dim", "reverse", "underline", "italic", "standout", "blink", NULL,
};

const char *const *sx_theme_role_names(void) { return role_names; }
const char *const *sx_theme_color_names(void) { return color_names; }
const char *const *sx_theme_attr_names(void) { return attr_names; }
const char *sx_theme_name(const struct sx_app *app) { return app->look.name; }
int sx_theme_colors(const struct sx_app *app) { return app->look.colors; }

static int parse_role(const char *s)
{
    for (int i = 0; i < SX_ROLE_COUNT; i++)
        if (strcmp(s, role_names[i]) == 0)
            return i;
    return -1;
}

/* A colour name or number: -1 default, 0..255; -2 when invalid. */
static int parse_color(const char *s)
{
    if (strcmp(s, "default") == 0)
        return -1;
    for (int i = 1; color_names[i]; i++)
        if (strcmp(s, color_names[i]) == 0)
            return i - 1;
    const char *d = s;
    if (strncmp(d, "color", 5) == 0)
        d += 5;
    if (!*d)
        return -2;
    char *end;
    errno = 0;
    long v = strtol(d, &end, 10);
    if (*end || errno || v < 0 || v > 255 || *d == '-' || *d == '+' || *d == ' ')
        return -2;
    return (int)v;
}

/* The nearest of the 8 basic colours for a 256-colour index. */
static short to8(int c)
{
    if (c < 0)
        return -1;
    if (c < 8)
        return (short)c;
    if (c < 16)
        return (short)(c - 8);
    if (c >= 232)                              /* grey ramp */
        return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
    int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
    int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
    if (mx <= 1)
        return COLOR_BLACK;
    int half = (mx + 1) / 2;
    int bits = (r >= half ? 1 : 0) | (g >= half ? 2 : 0) | (b >= half ? 4 : 0);
    return (short)bits;                        /* curses: 1 red, 2 green, 4 blue */
}

static void apply_pairs(const struct sx_theme *th)
{
    if (th->colors == 0)
        return;
    for (int i = 0; i < SX_ROLE_COUNT; i++) {
        short fg = th->style[i].fg, bg = th->style[i].bg;
        if (fg >= COLORS)                      /* 8 or 16 colours: the nearest basic one */
            fg = to8(fg);
        if (bg >= COLORS)
            bg = to8(bg);
        init_pair((short)(i + 1), fg, bg);
    }
}

attr_t sx_role_attr(struct sx_app *app, enum sx_role role)
{
    if ((int)role < 0 || role >= SX_ROLE_COUNT)
        role = SX_ROLE_DEFAULT;
    attr_t a = app->look.style[role].attr;
    if (app->look.colors)
        a |= COLOR_PAIR(role + 1);
    return a;
}

/* Apply a parsed colour line to TH's style table. */
static enum sx_status color_line(struct sx_theme *th, int argc, char **argv, int force,
                                 struct sx_err *err)
{
    if (argc < 3)
        return sx_err_set(err, SX_EINVAL, "color wants ROLE FG BG [ATTR...]");
    int role = parse_role(argv[0]);
    if (role < 0)
        return sx_err_set(err, SX_EINVAL, "unknown role '%.64s'", argv[0]);
    int fg = parse_color(argv[1]), bg = parse_color(argv[2]);
    if (fg == -2)
        return sx_err_set(err, SX_EINVAL, "unknown colour '%.64s'", argv[1]);
    if (bg == -2)
        return sx_err_set(err, SX_EINVAL, "unknown colour '%.64s'", argv[2]);
    attr_t a = A_NORMAL;
    for (int i = 3; i < argc; i++) {
        size_t k;
        for (k = 0; k < NATTRS; k++)
            if (strcmp(argv[i], attr_table[k].name) == 0)
                break;
        if (k == NATTRS)
            return sx_err_set(err, SX_EINVAL, "unknown attribute '%.64s'", argv[i]);
        a |= attr_table[k].attr;
    }
    if (th->colors == 0 && !force)
        return SX_OK;                          /* the mono table stays */
    th->style[role].fg = (short)fg;
    th->style[role].bg = (short)bg;
    th->style[role].attr = a;
    return SX_OK;
}

/* Split LINE into words in place (spaces and tabs); returns the count. */
static int split_words(char *line, char **argv, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            break;
        argv[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = 0;
    }
    return n;
}

static void apply_builtin(struct sx_theme *th, const char *const *lines)
{
    for (int i = 0; lines[i]; i++) {
        char buf[160];
        char *argv[12];
        snprintf(buf, sizeof buf, "%s", lines[i]);
        int argc = split_words(buf, argv, 12);
        color_line(th, argc - 1, argv + 1, 1, NULL);
    }
}

enum sx_status sx_theme_color(struct sx_app *app, int argc, char **argv, struct sx_err *err)
{
    enum sx_status rc = color_line(&app->look, argc, argv, 0, err);
    if (rc == SX_OK)
        apply_pairs(&app->look);
    return rc;
}

/* Directory of the running binary into BUF; 0 or -1. */
static int exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash)
        return -1;
    *slash = 0;
    return 0;
}

const char *const *sx_theme_dirs(struct sx_theme_dirs *d)
{
    int n = 0;
    if (sx_config_path("themes", d->user, sizeof d->user) == 0)
        d->dir[n++] = d->user;
    /* Running from a build directory: the source tree's themes/. */
    char exe[PATH_MAX];
    if (exe_dir(exe, sizeof exe) == 0) {
        const char *ups[] = {"/../themes", "/../../themes"};
        for (size_t i = 0; i < 2; i++) {
            char cand[PATH_MAX + 32], probe[PATH_MAX + 64];
            snprintf(cand, sizeof cand, "%s%s", exe, ups[i]);
            snprintf(probe, sizeof probe, "%s/default.theme", cand);
            if (access(probe, R_OK) == 0 && realpath(cand, d->src)) {
                d->dir[n++] = d->src;
                break;
            }
        }
    }
    d->dir[n++] = SX_THEMES_DIR;
    d->dir[n] = NULL;
    return d->dir;
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static enum sx_status read_theme_file(struct sx_theme *th, const char *path, struct sx_err *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
    char line[1024];
    long lineno = 0;
    enum sx_status rc = SX_OK;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        char *argv[16];
        int argc = split_words(line, argv, 16);
        if (argc == 0)
            continue;
        struct sx_err e = {0};
        if (strcmp(argv[0], "color") != 0)
            rc = sx_err_set(&e, SX_EPARSE, "expected 'color', found '%.64s'", argv[0]);
        else
            rc = color_line(th, argc - 1, argv + 1, 0, &e);
        if (rc != SX_OK) {
            sx_err_set(err, rc, "%s:%ld: %s", path, lineno, e.msg);
            break;
        }
    }
    fclose(fp);
    return rc;
}

enum sx_status sx_theme_load(struct sx_app *app, const char *name, struct sx_err *err)
{
    struct sx_theme *th = &app->look;
    char path[PATH_MAX + 300];
    int found = 0;
    if (strchr(name, '/')) {
        snprintf(path, sizeof path, "%s", name);
        found = access(path, R_OK) == 0;
    } else if (valid_name(name)) {
        struct sx_theme_dirs dirs;
        for (const char *const *d = sx_theme_dirs(&dirs); *d && !found; d++) {
            snprintf(path, sizeof path, "%s/%s.theme", *d, name);
            found = access(path, R_OK) == 0;
        }
    }
    if (!found) {
        if (strcmp(name, "default") == 0 || strcmp(name, "mono") == 0) {
            /* the built-in tables stand in when no file is installed */
            if (th->colors)
                apply_builtin(th, strcmp(name, "default") == 0 ? builtin_default : builtin_mono);
            goto done;
        }
        return sx_err_set(err, SX_ENOTFOUND, "theme '%.100s' not found", name);
    }
    if (th->colors == 0)
        goto done;                              /* colours do not apply */
    struct sx_role_style save[SX_ROLE_COUNT];
    memcpy(save, th->style, sizeof save);
    apply_builtin(th, builtin_default);
    enum sx_status rc = read_theme_file(th, path, err);
    if (rc != SX_OK) {
        memcpy(th->style, save, sizeof save);
        apply_pairs(th);
        return rc;
    }
done:
    if (th->colors)                             /* without colours mono stays */
        snprintf(th->name, sizeof th->name, "%s", name);
    apply_pairs(th);
    return SX_OK;
}

enum sx_status sx_theme_init(struct sx_app *app, const char *name, struct sx_err *err)
{
    struct sx_theme *th = &app->look;
    memset(th, 0, sizeof *th);
    snprintf(th->name, sizeof th->name, "default");
    const char *nc = getenv("NO_COLOR");
    if ((nc && *nc) || !has_colors()) {
        th->colors = 0;
    } else {
        start_color();
        if (use_default_colors() == ERR)
            assume_default_colors(COLOR_WHITE, COLOR_BLACK);
        th->colors = COLORS >= 256 ? 256 : 8;
    }
    apply_builtin(th, th->colors ? builtin_default : builtin_mono);
    apply_pairs(th);
    if (th->colors == 0) {
        snprintf(th->name, sizeof th->name, "mono (%s)",
                 nc && *nc ? "NO_COLOR" : "no colours");
        /* still look the name up, so a typo is reported */
        if (name && strcmp(name, "default") != 0 && strcmp(name, "mono") != 0)
            return sx_theme_load(app, name, err);
        return SX_OK;
    }
    return sx_theme_load(app, name ? name : "default", err);
}

static const char *color_label(short c, char *buf, size_t size)
{
    if (c < 0)
        return "default";
    if (c < 16)
        return color_names[c + 1];
    snprintf(buf, size, "color%d", c);
    return buf;
}

const char *sx_theme_describe(const struct sx_app *app, attr_t a, short pair, char *buf,
                              size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = 1; k < NATTRS; k++)
        if ((a & attr_table[k].attr) == attr_table[k].attr && attr_table[k].attr)
            len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
                                    len ? " " : "", attr_table[k].name);
    if (len == 0)
        len = (size_t)snprintf(buf, size, "normal");
    if (app->look.colors && pair > 0 && len < size) {
        short fg = -1, bg = -1;
        pair_content(pair, &fg, &bg);
        if (fg < 0 && bg < 0)
            return buf;                         /* the terminal's own colours */
        char b1[16], b2[16];
        snprintf(buf + len, size - len, " fg=%s bg=%s", color_label(fg, b1, sizeof b1),
                 color_label(bg, b2, sizeof b2));
    }
    return buf;
}
