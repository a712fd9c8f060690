/* tui/cmd.c: the command table's strings, key notation, keymaps with their
 * defaults, options, and the rc grammar shared by rc files, `source` and
 * the `:` line:
 *
 *   set NAME VALUE             an option (theme, keybar, escdelay)
 *   bind KEYMAP KEY COMMAND    KEY in rc notation: j  G  gg  g[  <Enter>  <C-c>
 *                              <S-Tab>  <PgDn>  <F1>  <Space>  <lt>; COMMAND a
 *                              longname, optionally with arguments; `none`
 *                              unbinds
 *   color ROLE FG BG [ATTR…]   see themes/README.md
 *   source FILE                relative to the including file; ~ is $HOME
 *   # comment
 *
 * The `:` line also takes every command longname with its arguments. A key
 * is looked up in the top view's map, then the pane's, then "generic"; a
 * map holding a longer sequence that starts with the keys typed so far
 * waits for the next key. The bindings, the `source` depth and the first rc
 * error are the app's (app->keymap, app->rc_depth, app->rc_first_error). */
#include "shell.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmd_names[] = {
#define X(id, name, help) name,
    SX_CMD_TABLE(X)
#undef X
};
static const char *const cmd_helps[] = {
#define X(id, name, help) help,
    SX_CMD_TABLE(X)
#undef X
};

const char *sx_cmd_name(enum sx_cmd c)
{
    return (unsigned)c < SX_CMD_COUNT ? cmd_names[c] : "none";
}

const char *sx_cmd_help(enum sx_cmd c)
{
    return (unsigned)c < SX_CMD_COUNT ? cmd_helps[c] : "";
}

enum sx_cmd sx_cmd_parse(const char *name)
{
    if (!name)
        return SX_CMD_NONE;
    for (int i = 0; i < SX_CMD_COUNT; i++)
        if (strcmp(name, cmd_names[i]) == 0)
            return (enum sx_cmd)i;
    return SX_CMD_NONE;
}

/* ---- keys ---- */

static const struct {
    const char *name;
    sx_key key;
    int alias;                /* accepted on input, never printed */
} key_names[] = {
    {"Enter", SX_KEY_ENTER, 0},
    {"Esc", SX_KEY_ESC, 0},
    {"Tab", SX_KEY_TAB, 0},
    {"S-Tab", SX_KEY_FN + KEY_BTAB, 0},
    {"Space", ' ', 0},
    {"BS", SX_KEY_BS, 0},
    {"Del", SX_KEY_FN + KEY_DC, 0},
    {"Ins", SX_KEY_FN + KEY_IC, 0},
    {"Up", SX_KEY_FN + KEY_UP, 0},
    {"Down", SX_KEY_FN + KEY_DOWN, 0},
    {"Left", SX_KEY_FN + KEY_LEFT, 0},
    {"Right", SX_KEY_FN + KEY_RIGHT, 0},
    {"PgUp", SX_KEY_FN + KEY_PPAGE, 0},
    {"PgDn", SX_KEY_FN + KEY_NPAGE, 0},
    {"Home", SX_KEY_FN + KEY_HOME, 0},
    {"End", SX_KEY_FN + KEY_END, 0},
    {"lt", '<', 0},
    /* aliases accepted on input */
    {"Hash", '#', 1},            /* a key line cannot start with '#' */
    {"CR", SX_KEY_ENTER, 1},
    {"Return", SX_KEY_ENTER, 1},
    {"Escape", SX_KEY_ESC, 1},
    {"Backspace", SX_KEY_BS, 1},
    {"PageUp", SX_KEY_FN + KEY_PPAGE, 1},
    {"PageDown", SX_KEY_FN + KEY_NPAGE, 1},
};
#define NKEYNAMES (sizeof key_names / sizeof key_names[0])

sx_key sx_key_from_curses(int rc, wint_t ch)
{
    if (rc == KEY_CODE_YES) {
        switch (ch) {
        case KEY_ENTER: return SX_KEY_ENTER;
        case KEY_BACKSPACE: return SX_KEY_BS;
        default: return SX_KEY_FN + (int)ch;
        }
    }
    if (rc != OK)
        return -1;
    switch (ch) {
    case 10:
    case 13: return SX_KEY_ENTER;
    case 8:
    case 127: return SX_KEY_BS;
    default: return (sx_key)ch;
    }
}

int sx_key_parse_one(const char **sp, sx_key *k)
{
    const char *s = *sp;
    if (!*s)
        return -1;
    if (*s == '<') {
        const char *end = strchr(s, '>');
        if (end && end > s + 1) {
            size_t len = (size_t)(end - s - 1);
            const char *name = s + 1;
            for (size_t i = 0; i < NKEYNAMES; i++) {
                if (strlen(key_names[i].name) == len &&
                    strncasecmp(name, key_names[i].name, len) == 0) {
                    *k = key_names[i].key;
                    *sp = end + 1;
                    return 0;
                }
            }
            if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && len == 3) {
                char c = name[2];
                if (c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                if (c >= 'a' && c <= 'z') {
                    int code = c - 'a' + 1;
                    *k = code == 8 ? SX_KEY_BS : code == 10 ? SX_KEY_ENTER : code;
                    *sp = end + 1;
                    return 0;
                }
            }
            if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
                char *e;
                long n = strtol(name + 1, &e, 10);
                if (e == end && n >= 1 && n <= 24) {
                    *k = SX_KEY_FN + KEY_F((int)n);
                    *sp = end + 1;
                    return 0;
                }
            }
            return -1;
        }
        /* a lone '<' is itself */
        *k = '<';
        *sp = s + 1;
        return 0;
    }
    long cp;
    int len = sx_utf8_decode((const unsigned char *)s, strlen(s), &cp);
    if (cp < 0x20 || cp == 0x7F)
        return -1;
    *k = (sx_key)cp;
    *sp = s + len;
    return 0;
}

int sx_key_parse_seq(const char *s, sx_key *keys)
{
    int n = 0;
    while (*s) {
        if (n == SX_KEY_MAXSEQ)
            return -1;
        if (sx_key_parse_one(&s, &keys[n]) != 0)
            return -1;
        n++;
    }
    return n ? n : -1;
}

const char *sx_key_name(sx_key k, int bare, char *buf)
{
    const char *name = NULL;
    char tmp[16];
    for (size_t i = 0; i < NKEYNAMES; i++)
        if (key_names[i].key == k && k != '<' && !key_names[i].alias) {
            name = key_names[i].name;
            break;
        }
    if (!name) {
        if (k == '<') {
            name = bare ? NULL : "lt";
            if (bare) {
                snprintf(buf, 32, "<");
                return buf;
            }
        } else if (k >= 1 && k <= 26) {
            snprintf(tmp, sizeof tmp, "C-%c", 'a' + k - 1);
            name = tmp;
        } else if (k >= SX_KEY_FN + KEY_F(1) && k <= SX_KEY_FN + KEY_F(24)) {
            snprintf(tmp, sizeof tmp, "F%d", k - SX_KEY_FN - KEY_F(0));
            name = tmp;
        } else if (k >= SX_KEY_FN) {
            snprintf(tmp, sizeof tmp, "key%d", k - SX_KEY_FN);
            name = tmp;
        } else {
            sx_utf8_encode(k, buf);
            return buf;
        }
    }
    snprintf(buf, 32, bare ? "%s" : "<%s>", name);
    return buf;
}

const char *sx_key_seq_name(const sx_key *keys, int n, int bare, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < n && len < size; i++) {
        char kb[32];
        len += (size_t)snprintf(buf + len, size - len, "%s", sx_key_name(keys[i], bare, kb));
    }
    return buf;
}

/* ---- keymaps ---- */

static const char *const keymap_names[] = {
    "generic", "data", "datasets", "grid", "describe", "freq", "columns", "group",
    "corr", "chart", "help", "features", "experiments", "models", "drift",
    "feature-sets", "feature-versions", "feature-text", "spec-editor", "feature-preview",
    "experiment-list", "runs", "run", "compare", "run-columns", "history", NULL,
};

const char *const *sx_keymap_names(void)
{
    return keymap_names;
}

int sx_keymap_known(const char *name)
{
    for (int i = 0; keymap_names[i]; i++)
        if (strcmp(name, keymap_names[i]) == 0)
            return 1;
    for (size_t i = 0; i < sx_npanes; i++)
        if (strcmp(name, sx_panes[i]->name) == 0)
            return 1;
    return 0;
}

static int same_keys(const struct sx_binding *b, const sx_key *keys, int n)
{
    return b->nkeys == n && memcmp(b->keys, keys, (size_t)n * sizeof *keys) == 0;
}

/* Add or replace the binding of KEYS in MAP. */
static void keymap_set(struct sx_keymap *km, const char *map, const sx_key *keys, int n,
                       enum sx_cmd cmd, const char *arg)
{
    for (size_t i = 0; i < km->n; i++) {
        struct sx_binding *b = &km->v[i];
        if (strcmp(b->map, map) == 0 && same_keys(b, keys, n)) {
            free(b->arg);
            b->cmd = cmd;
            b->arg = arg && *arg ? strdup(arg) : NULL;
            return;
        }
    }
    if (km->n == km->cap) {
        size_t cap = km->cap ? km->cap * 2 : 128;
        struct sx_binding *nb = realloc(km->v, cap * sizeof *nb);
        if (!nb)
            return;
        km->v = nb;
        km->cap = cap;
    }
    struct sx_binding *b = &km->v[km->n++];
    memset(b, 0, sizeof *b);
    snprintf(b->map, sizeof b->map, "%s", map);
    memcpy(b->keys, keys, (size_t)n * sizeof *keys);
    b->nkeys = n;
    b->cmd = cmd;
    b->arg = arg && *arg ? strdup(arg) : NULL;
}

static const struct {
    const char *map, *keys;
    enum sx_cmd cmd;
} default_bindings[] = {
    {"generic", "q", SX_CMD_BACK},
    {"generic", "<Esc>", SX_CMD_BACK},
    {"generic", "?", SX_CMD_HELP},
    {"generic", "<F1>", SX_CMD_HELP},
    {"generic", ":", SX_CMD_PROMPT},
    {"generic", "<C-l>", SX_CMD_REDRAW},
    {"generic", "<C-c>", SX_CMD_CANCEL},
    {"generic", "<Tab>", SX_CMD_NEXT_PANE},
    {"generic", "<S-Tab>", SX_CMD_PREV_PANE},
    {"generic", "1", SX_CMD_PANE_1},
    {"generic", "2", SX_CMD_PANE_2},
    {"generic", "3", SX_CMD_PANE_3},
    {"generic", "4", SX_CMD_PANE_4},
    {"generic", "5", SX_CMD_PANE_5},
    {"generic", "k", SX_CMD_MOVE_UP},
    {"generic", "<Up>", SX_CMD_MOVE_UP},
    {"generic", "j", SX_CMD_MOVE_DOWN},
    {"generic", "<Down>", SX_CMD_MOVE_DOWN},
    {"generic", "h", SX_CMD_MOVE_LEFT},
    {"generic", "<Left>", SX_CMD_MOVE_LEFT},
    {"generic", "l", SX_CMD_MOVE_RIGHT},
    {"generic", "<Right>", SX_CMD_MOVE_RIGHT},
    {"generic", "<PgUp>", SX_CMD_PAGE_UP},
    {"generic", "<C-b>", SX_CMD_PAGE_UP},
    {"generic", "<PgDn>", SX_CMD_PAGE_DOWN},
    {"generic", "<C-f>", SX_CMD_PAGE_DOWN},
    {"generic", "gg", SX_CMD_MOVE_FIRST},
    {"generic", "G", SX_CMD_MOVE_LAST},
    {"generic", "<Home>", SX_CMD_MOVE_HOME},
    {"generic", "<End>", SX_CMD_MOVE_END},
    {"generic", "<Enter>", SX_CMD_ENTER},
    {"generic", "/", SX_CMD_SEARCH},
    {"generic", "n", SX_CMD_SEARCH_NEXT},
    {"generic", "N", SX_CMD_SEARCH_PREV},
    {"generic", "<Space>", SX_CMD_PALETTE},
    {"data", "o", SX_CMD_OPEN},
    {"grid", "[", SX_CMD_SORT_ASC},
    {"grid", "]", SX_CMD_SORT_DESC},
    {"grid", "g[", SX_CMD_SORT_ADD_ASC},
    {"grid", "g]", SX_CMD_SORT_ADD_DESC},
    {"grid", "|", SX_CMD_FILTER_VALUE},
    {"grid", "_", SX_CMD_FIT_COLUMN},
    {"grid", "I", SX_CMD_DESCRIBE},
    {"grid", "F", SX_CMD_FREQ_TABLE},
    {"grid", "C", SX_CMD_COLUMNS},
    {"grid", ".", SX_CMD_HIST},
    {"grid", "~", SX_CMD_TYPE_TEXT},
    {"grid", "#", SX_CMD_TYPE_INT},
    {"grid", "%", SX_CMD_TYPE_FLOAT},
    {"grid", "@", SX_CMD_TYPE_DATE},
    {"grid", "-", SX_CMD_HIDE},
    {"grid", "^", SX_CMD_RENAME},
    {"columns", "~", SX_CMD_TYPE_TEXT},
    {"columns", "#", SX_CMD_TYPE_INT},
    {"columns", "%", SX_CMD_TYPE_FLOAT},
    {"columns", "@", SX_CMD_TYPE_DATE},
    {"columns", "-", SX_CMD_HIDE},
    {"columns", "^", SX_CMD_RENAME},
    {"columns", "e", SX_CMD_RENAME},
    {"grid", "=", SX_CMD_DERIVE},
    {"grid", "g|", SX_CMD_FILTER_EXPR},
    /* not in the "features" pane map: the spec editor types these */
    {"feature-sets", "a", SX_CMD_SPEC_NEW},
    {"feature-sets", "e", SX_CMD_SPEC_EDIT},
    {"feature-sets", "f", SX_CMD_FIT},
    {"feature-sets", "p", SX_CMD_PREVIEW},
    {"feature-versions", "e", SX_CMD_SPEC_EDIT},
    {"feature-versions", "f", SX_CMD_FIT},
    {"feature-versions", "p", SX_CMD_PREVIEW},
    {"feature-text", "e", SX_CMD_SPEC_EDIT},
    {"feature-text", "f", SX_CMD_FIT},
    {"feature-text", "p", SX_CMD_PREVIEW},
    {"feature-preview", "p", SX_CMD_PREVIEW},
    {"spec-editor", "<Esc>", SX_CMD_BACK},     /* q types a q there */
    {"spec-editor", "<C-s>", SX_CMD_SPEC_SAVE},
    {"spec-editor", "<C-p>", SX_CMD_PREVIEW},
    /* the Experiments pane (tui/pane_experiments.c, view_runs.c, view_run.c,
     * view_compare.c) */
    {"runs", "[", SX_CMD_SORT_ASC},
    {"runs", "]", SX_CMD_SORT_DESC},
    {"runs", "g[", SX_CMD_SORT_ADD_ASC},
    {"runs", "g]", SX_CMD_SORT_ADD_DESC},
    {"runs", "g|", SX_CMD_FILTER_EXPR},
    {"runs", "C", SX_CMD_COLUMNS},
    {"runs", "-", SX_CMD_HIDE},
    {"runs", "s", SX_CMD_SELECT_RUN},
    {"runs", "c", SX_CMD_COMPARE},
    {"runs", "za", SX_CMD_FOLD_TOGGLE},
    {"runs", "zo", SX_CMD_FOLD_OPEN},
    {"runs", "zc", SX_CMD_FOLD_CLOSE},
    {"runs", "zR", SX_CMD_FOLD_OPEN_ALL},
    {"runs", "zM", SX_CMD_FOLD_CLOSE_ALL},
    {"runs", "+", SX_CMD_FOLD_OPEN},
    {"runs", "m", SX_CMD_COMMENT},
    {"runs", "v", SX_CMD_REVIEW},
    {"run", "m", SX_CMD_COMMENT},
    {"run", "v", SX_CMD_REVIEW},
    {"run", ".", SX_CMD_HISTORY_CHART},
    {"compare", "d", SX_CMD_DIFF_ONLY},
    {"compare", ".", SX_CMD_HISTORY_CHART},
    {"run-columns", "-", SX_CMD_HIDE},
};

void sx_keymap_free(struct sx_app *app)
{
    struct sx_keymap *km = &app->keymap;
    for (size_t i = 0; i < km->n; i++)
        free(km->v[i].arg);
    free(km->v);
    km->v = NULL;
    km->n = km->cap = 0;
}

void sx_keymap_defaults(struct sx_app *app)
{
    sx_keymap_free(app);
    for (size_t i = 0; i < sizeof default_bindings / sizeof default_bindings[0]; i++) {
        sx_key keys[SX_KEY_MAXSEQ];
        int n = sx_key_parse_seq(default_bindings[i].keys, keys);
        if (n > 0)
            keymap_set(&app->keymap, default_bindings[i].map, keys, n, default_bindings[i].cmd,
                       NULL);
    }
}

const struct sx_binding *sx_keymap_all(struct sx_app *app, size_t *n)
{
    *n = app->keymap.n;
    return app->keymap.v;
}

int sx_keymap_lookup(struct sx_app *app, const char *const *maps, int nmaps, const sx_key *keys,
                     int nkeys, const struct sx_binding **out)
{
    const struct sx_keymap *km = &app->keymap;
    *out = NULL;
    for (int m = 0; m < nmaps; m++) {
        if (!maps[m])
            continue;
        int prefix = 0;
        for (size_t i = 0; i < km->n; i++) {
            const struct sx_binding *b = &km->v[i];
            if (strcmp(b->map, maps[m]) != 0 || b->nkeys < nkeys)
                continue;
            if (memcmp(b->keys, keys, (size_t)nkeys * sizeof *keys) != 0)
                continue;
            if (b->nkeys == nkeys) {
                *out = b;
                return SX_KEYMAP_FOUND;
            }
            prefix = 1;
        }
        if (prefix)
            return SX_KEYMAP_PREFIX;
    }
    return SX_KEYMAP_NONE;
}

const struct sx_binding *sx_keymap_first(struct sx_app *app, const char *const *maps, int nmaps,
                                         enum sx_cmd cmd)
{
    const struct sx_keymap *km = &app->keymap;
    for (int m = 0; m < nmaps; m++) {
        if (!maps[m])
            continue;
        for (size_t i = 0; i < km->n; i++) {
            const struct sx_binding *b = &km->v[i], *hit;
            if (b->cmd != cmd || b->arg || strcmp(b->map, maps[m]) != 0)
                continue;
            /* only a binding the keys actually reach */
            if (sx_keymap_lookup(app, maps, nmaps, b->keys, b->nkeys, &hit) == SX_KEYMAP_FOUND &&
                hit == b)
                return b;
        }
    }
    return NULL;
}

/* ---- options ---- */

static const struct sx_option_info options[] = {
    {"theme", "colour theme: a name in the themes directories or a path"},
    {"keybar", "show the key bar: on or off"},
    {"escdelay", "milliseconds to wait after Esc for an escape sequence"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

const struct sx_option_info *sx_options(size_t *n)
{
    *n = NOPTIONS;
    return options;
}

const char *sx_option_get(struct sx_app *app, const char *name, char *buf, size_t size)
{
    if (strcmp(name, "theme") == 0)
        snprintf(buf, size, "%s", sx_theme_name(app));
    else if (strcmp(name, "keybar") == 0)
        snprintf(buf, size, "%s", app->show_keybar ? "on" : "off");
    else if (strcmp(name, "escdelay") == 0)
        snprintf(buf, size, "%d", app->escdelay);
    else
        return NULL;
    return buf;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

static enum sx_status option_set(struct sx_app *app, const char *name, const char *value,
                                 struct sx_err *err)
{
    if (strcmp(name, "theme") == 0) {
        /* --theme on the command line wins over the startup rc file's
         * choice; a `:set theme` or `:source` later still applies. */
        if (app->opts.theme && app->in_startup_rc)
            return SX_OK;
        enum sx_status rc = sx_theme_load(app, value, err);
        if (rc == SX_OK)
            snprintf(app->theme, sizeof app->theme, "%s", value);
        return rc;
    }
    if (strcmp(name, "keybar") == 0) {
        if (parse_bool(value, &app->show_keybar) != 0)
            return sx_err_set(err, SX_EINVAL, "keybar wants on or off, not '%.64s'", value);
        return SX_OK;
    }
    if (strcmp(name, "escdelay") == 0) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (*end || errno || v < 0 || v > 10000)
            return sx_err_set(err, SX_EINVAL, "escdelay wants 0..10000 ms, not '%.64s'", value);
        app->escdelay = (int)v;
        set_escdelay((int)v);
        return SX_OK;
    }
    return sx_err_set(err, SX_EINVAL, "unknown option '%.64s'", name);
}

/* ---- the rc grammar ---- */

int sx_config_path(const char *sub, char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && *xdg == '/')
        n = snprintf(buf, size, "%s/sextant/%s", xdg, sub);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.config/sextant/%s", home, sub);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return (char *)s;
}

/* Cut the first word off *P (in place); NULL when none. */
static char *word(char **p)
{
    char *s = skip_ws(*p);
    if (!*s)
        return NULL;
    char *w = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = 0;
    *p = s;
    return w;
}

static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
}

/* Resolve FILE named by `source` in FROM (a file or NULL) into OUT. */
static void source_path(const char *file, const char *from, char *out, size_t size)
{
    const char *home = getenv("HOME");
    if (file[0] == '~' && file[1] == '/' && home)
        snprintf(out, size, "%s%s", home, file + 1);
    else if (file[0] != '/' && from && strrchr(from, '/'))
        snprintf(out, size, "%.*s/%s", (int)(strrchr(from, '/') - from), from, file);
    else
        snprintf(out, size, "%s", file);
}

enum sx_status sx_rc_line(struct sx_app *app, const char *line, enum sx_origin origin,
                          const char *file, struct sx_err *err)
{
    char *copy = strdup(line);
    if (!copy)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    enum sx_status rc = SX_OK;
    char *p = skip_ws(copy);
    rtrim(p);
    if (*p == ':' && origin != SX_FROM_RC)
        p++;
    if (!*p || *p == '#')
        goto out;
    char *logged = strdup(p);
    char *verb = word(&p);
    char *rest = skip_ws(p);
    int is_verb = 1;
    if (strcmp(verb, "set") == 0) {
        char *name = word(&rest);
        char *value = skip_ws(rest);
        if (!name) {
            rc = sx_err_set(err, SX_EINVAL, "set wants NAME VALUE");
        } else if (!*value) {
            char buf[160];
            if (!sx_option_get(app, name, buf, sizeof buf))
                rc = sx_err_set(err, SX_EINVAL, "unknown option '%.64s'", name);
            else
                sx_status(app, 0, "%s = %s", name, buf);
        } else {
            rc = option_set(app, name, value, err);
        }
    } else if (strcmp(verb, "bind") == 0) {
        char *map = word(&rest), *keystr = word(&rest), *cmdname = word(&rest);
        char *arg = skip_ws(rest);
        sx_key keys[SX_KEY_MAXSEQ];
        int n;
        enum sx_cmd cmd;
        if (!cmdname) {
            rc = sx_err_set(err, SX_EINVAL, "bind wants KEYMAP KEY COMMAND");
        } else if (!sx_keymap_known(map)) {
            rc = sx_err_set(err, SX_EINVAL, "unknown keymap '%.64s'", map);
        } else if ((n = sx_key_parse_seq(keystr, keys)) < 0) {
            rc = sx_err_set(err, SX_EINVAL, "bad key '%.64s'", keystr);
        } else if ((cmd = sx_cmd_parse(cmdname)) == SX_CMD_NONE && strcmp(cmdname, "none") != 0) {
            rc = sx_err_set(err, SX_EINVAL, "unknown command '%.64s'", cmdname);
        } else {
            keymap_set(&app->keymap, map, keys, n, cmd, *arg ? arg : NULL);
        }
    } else if (strcmp(verb, "color") == 0) {
        char *argv[16];
        int argc = 0;
        char *w;
        while (argc < 16 && (w = word(&rest)))
            argv[argc++] = w;
        rc = sx_theme_color(app, argc, argv, err);
    } else if (strcmp(verb, "source") == 0) {
        if (!*rest) {
            rc = sx_err_set(err, SX_EINVAL, "source wants FILE");
        } else {
            char path[PATH_MAX];
            source_path(rest, origin == SX_FROM_RC ? file : NULL, path, sizeof path);
            if (app->rc_depth >= 8)
                rc = sx_err_set(err, SX_ELIMIT, "source: nested too deeply");
            else
                rc = sx_rc_file(app, path, app->rc_depth + 1, 0);
            if (rc != SX_OK && rc != SX_ELIMIT)
                rc = SX_OK;   /* its own lines reported their errors */
            if (origin != SX_FROM_RC && rc == SX_OK && app->rc_errors == 0)
                sx_status(app, 0, "read %.200s", path);
        }
    } else {
        is_verb = 0;
        enum sx_cmd cmd = sx_cmd_parse(verb);
        if (cmd == SX_CMD_NONE && strcmp(verb, "none") != 0)
            rc = sx_err_set(err, SX_EINVAL, "unknown command '%.64s'", verb);
        else if (origin == SX_FROM_RC)
            rc = sx_err_set(err, SX_EINVAL, "'%.64s' is not allowed in an rc file", verb);
        else
            sx_app_run(app, cmd, *rest ? rest : NULL, origin);
    }
    /* logged even when it failed: a replay shows the same message */
    if (is_verb && logged && (origin == SX_FROM_PROMPT || origin == SX_FROM_SCRIPT))
        sx_log_line(app, logged);
    free(logged);
out:
    free(copy);
    return rc;
}

/* PATH with $HOME shown as "~", into BUF. */
static const char *tilde(const char *path, char *buf, size_t size)
{
    const char *home = getenv("HOME");
    size_t n = home ? strlen(home) : 0;
    if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/')
        snprintf(buf, size, "~%s", path + n);
    else
        snprintf(buf, size, "%s", path);
    return buf;
}

static void rc_error(struct sx_app *app, const char *msg)
{
    app->rc_errors++;
    if (app->rc_errors == 1) {
        snprintf(app->rc_first_error, sizeof app->rc_first_error, "%s", msg);
        sx_app_status_msg(app, 1, msg);
    } else {
        sx_status(app, 1, "%s (+%d more)", app->rc_first_error, app->rc_errors - 1);
    }
}

enum sx_status sx_rc_file(struct sx_app *app, const char *path, int depth, int quiet)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT && quiet)
            return SX_ENOTFOUND;
        char msg[600], shown[400];
        snprintf(msg, sizeof msg, "%s: %s", tilde(path, shown, sizeof shown), strerror(errno));
        rc_error(app, msg);
        return SX_EIO;
    }
    int saved = app->rc_depth;
    app->rc_depth = depth;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    while (getline(&line, &cap, fp) != -1) {
        lineno++;
        struct sx_err err = {0};
        if (sx_rc_line(app, line, SX_FROM_RC, path, &err) != SX_OK) {
            char msg[800], shown[300];
            snprintf(msg, sizeof msg, "%s:%ld: %s", tilde(path, shown, sizeof shown), lineno,
                     err.msg);
            rc_error(app, msg);
        }
    }
    free(line);
    fclose(fp);
    app->rc_depth = saved;
    return SX_OK;
}
