/* tui/prompt.c: the line editor on the status row, used by the `:` command
 * line, sx_app_ask() and the Space palette; and sx_app_confirm(). Keys: Enter accepts; Esc,
 * Ctrl-C, Ctrl-G cancel (so does Backspace on an empty line); Left, Right,
 * Home/Ctrl-A, End/Ctrl-E move; Ctrl-U, Ctrl-K, Ctrl-W delete; Up/Down walk
 * the history (one per kind of prompt); Tab completes (longnames, rc
 * words, option values, theme names, file paths) and, pressed again,
 * cycles through the candidates, which the key bar row lists; S-Tab cycles
 * back. */
#include "shell.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CANDS_MAX 256

/* The histories are the app's (app->hist_cmd, app->hist_ask). */
static void history_add(struct sx_history *h, const char *s)
{
    if (!*s || (h->n && strcmp(h->v[h->n - 1], s) == 0))
        return;
    if (h->n == SX_HISTORY_MAX) {
        free(h->v[0]);
        memmove(h->v, h->v + 1, (SX_HISTORY_MAX - 1) * sizeof *h->v);
        h->n--;
    }
    char *c = strdup(s);
    if (c)
        h->v[h->n++] = c;
}

void sx_prompt_free(struct sx_app *app)
{
    for (size_t i = 0; i < app->hist_cmd.n; i++)
        free(app->hist_cmd.v[i]);
    for (size_t i = 0; i < app->hist_ask.n; i++)
        free(app->hist_ask.v[i]);
    app->hist_cmd.n = app->hist_ask.n = 0;
}

/* ---- completion ---- */

struct cands {
    char **v;
    size_t n, max;
};

static void cand_add(struct cands *c, const char *prefix, const char *word)
{
    if (strncmp(word, prefix, strlen(prefix)) != 0 || c->n >= c->max)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i], word) == 0)
            return;
    char *d = strdup(word);
    if (d)
        c->v[c->n++] = d;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_list(struct cands *c, const char *prefix, const char *const *list)
{
    for (; *list; list++)
        cand_add(c, prefix, *list);
}

static void complete_path(struct cands *c, const char *word)
{
    const char *home = getenv("HOME");
    char dir[PATH_MAX], shown[PATH_MAX];
    const char *slash = strrchr(word, '/');
    const char *base = slash ? slash + 1 : word;
    size_t dlen = slash ? (size_t)(slash - word) + 1 : 0;
    snprintf(shown, sizeof shown, "%.*s", (int)dlen, word);
    if (dlen == 0)
        snprintf(dir, sizeof dir, ".");
    else if (word[0] == '~' && word[1] == '/' && home)
        snprintf(dir, sizeof dir, "%s%.*s", home, (int)dlen - 1, word + 1);
    else
        snprintf(dir, sizeof dir, "%.*s", (int)dlen, word);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && c->n < c->max) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.' && base[0] != '.')
            continue;
        if (strncmp(e->d_name, base, strlen(base)) != 0)
            continue;
        char full[PATH_MAX * 2], cand[PATH_MAX * 2];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        struct stat st;
        int isdir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
        snprintf(cand, sizeof cand, "%s%s%s", shown, e->d_name, isdir ? "/" : "");
        cand_add(c, "", cand);
    }
    closedir(d);
}

static void complete_themes(struct cands *c, const char *prefix)
{
    cand_add(c, prefix, "default");
    cand_add(c, prefix, "mono");
    struct sx_theme_dirs dirs;
    for (const char *const *d = sx_theme_dirs(&dirs); *d; d++) {
        DIR *dir = opendir(*d);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir))) {
            size_t n = strlen(e->d_name);
            if (n > 6 && strcmp(e->d_name + n - 6, ".theme") == 0) {
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(n - 6), e->d_name);
                cand_add(c, prefix, name);
            }
        }
        closedir(dir);
    }
}

static const char *const verbs_taking_paths[] = {"source", "open", "save-display", NULL};

size_t sx_complete(struct sx_app *app, const char *line, enum sx_complete mode, size_t *start,
                   char **out, size_t max)
{
    (void)app;
    struct cands c = {out, 0, max};
    if (mode == SX_COMPLETE_NONE)
        return 0;
    if (mode == SX_COMPLETE_PATH) {
        *start = 0;
        complete_path(&c, line);
        qsort(c.v, c.n, sizeof *c.v, cmp_str);
        return c.n;
    }
    /* split into words; the last one (possibly empty) is being completed */
    const char *words[16];
    size_t nw = 0;
    const char *p = line;
    while (*p == ' ' || *p == ':')
        p++;
    for (;;) {
        if (nw < 16)
            words[nw++] = p;
        while (*p && *p != ' ')
            p++;
        if (!*p)
            break;
        while (*p == ' ')
            p++;
        if (!*p) {
            if (nw < 16)
                words[nw++] = p;
            break;
        }
    }
    const char *cur = words[nw - 1];
    *start = (size_t)(cur - line);
    char verb[64];
    snprintf(verb, sizeof verb, "%.*s", (int)strcspn(words[0], " "), words[0]);
    if (nw == 1) {
        for (int i = 1; i < SX_CMD_COUNT; i++)
            cand_add(&c, cur, sx_cmd_name((enum sx_cmd)i));
    } else if (strcmp(verb, "set") == 0) {
        if (nw == 2) {
            size_t n;
            const struct sx_option_info *o = sx_options(&n);
            for (size_t i = 0; i < n; i++)
                cand_add(&c, cur, o[i].name);
        } else if (nw == 3 && strncmp(words[1], "theme ", 6) == 0) {
            complete_themes(&c, cur);
        } else if (nw == 3 && strncmp(words[1], "keybar ", 7) == 0) {
            cand_add(&c, cur, "on");
            cand_add(&c, cur, "off");
        }
    } else if (strcmp(verb, "bind") == 0) {
        if (nw == 2)
            add_list(&c, cur, sx_keymap_names());
        else if (nw == 4)
            for (int i = 0; i < SX_CMD_COUNT; i++)
                cand_add(&c, cur, sx_cmd_name((enum sx_cmd)i));
    } else if (strcmp(verb, "color") == 0) {
        if (nw == 2)
            add_list(&c, cur, sx_theme_role_names());
        else if (nw == 3 || nw == 4)
            add_list(&c, cur, sx_theme_color_names());
        else
            add_list(&c, cur, sx_theme_attr_names());
    } else if (strcmp(verb, "plot") == 0 && nw == 2) {
        static const char *const kinds[] = {"hist", "scatter", "line", NULL};
        add_list(&c, cur, kinds);
    } else if (strcmp(verb, "export") == 0) {
        if (nw == 2) {
            static const char *const fmts[] = {"png", "svg", NULL};
            add_list(&c, cur, fmts);
        } else if (nw == 3) {
            complete_path(&c, cur);
        }
    } else if (nw == 2) {
        for (int i = 0; verbs_taking_paths[i]; i++)
            if (strcmp(verb, verbs_taking_paths[i]) == 0)
                complete_path(&c, cur);
    }
    qsort(c.v, c.n, sizeof *c.v, cmp_str);
    return c.n;
}

/* ---- the editor ---- */

struct line {
    char *s;
    size_t len, cap, cur;
};

static int line_reserve(struct line *l, size_t more)
{
    if (l->len + more + 1 <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 64;
    while (cap < l->len + more + 1)
        cap *= 2;
    char *s = realloc(l->s, cap);
    if (!s)
        return -1;
    l->s = s;
    l->cap = cap;
    return 0;
}

static void line_set(struct line *l, const char *s)
{
    l->len = l->cur = 0;
    size_t n = strlen(s);
    if (line_reserve(l, n) != 0)
        return;
    memcpy(l->s, s, n + 1);
    l->len = l->cur = n;
}

static void line_insert(struct line *l, const char *s, size_t n)
{
    if (line_reserve(l, n) != 0)
        return;
    memmove(l->s + l->cur + n, l->s + l->cur, l->len - l->cur + 1);
    memcpy(l->s + l->cur, s, n);
    l->len += n;
    l->cur += n;
}

static void line_delete(struct line *l, size_t from, size_t to)
{
    memmove(l->s + from, l->s + to, l->len - to + 1);
    l->len -= to - from;
    if (l->cur >= to)
        l->cur -= to - from;
    else if (l->cur > from)
        l->cur = from;
}

/* Byte offset of the character before/after OFF. */
static size_t prev_char(const struct line *l, size_t off)
{
    if (off == 0)
        return 0;
    off--;
    while (off > 0 && ((unsigned char)l->s[off] & 0xC0) == 0x80)
        off--;
    return off;
}

static size_t next_char(const struct line *l, size_t off)
{
    if (off >= l->len)
        return l->len;
    long cp;
    return off + (size_t)sx_utf8_decode((const unsigned char *)l->s + off, l->len - off, &cp);
}

static void free_cands(char **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    *n = 0;
}

/* Longest common prefix of V[0..N) in bytes, cut back to a character start. */
static size_t common_prefix(char **v, size_t n)
{
    size_t len = strlen(v[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < len && v[i][k] == v[0][k])
            k++;
        len = k;
    }
    while (len > 0 && ((unsigned char)v[0][len] & 0xC0) == 0x80)
        len--;
    return len;
}

static int screen_line(const char *line)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    static const char *const ok[] = {"save-display", "resize", "wait", "redraw", NULL};
    size_t wl = strcspn(p, " \t");
    for (int i = 0; ok[i]; i++)
        if (strlen(ok[i]) == wl && strncmp(p, ok[i], wl) == 0)
            return 1;
    return 0;
}

unsigned sx_prompt_script_line(struct sx_app *app, const char *line)
{
    if (!screen_line(line)) {
        char where[PATH_MAX + 32];
        snprintf(app->script_err, sizeof app->script_err,
                 "%s: ':%.100s' cannot run while a prompt is open (only save-display, "
                 "resize, wait, redraw)", sx_script_where(app, where, sizeof where), line);
        return 0;
    }
    struct sx_err err = {0};
    if (sx_rc_line(app, line, SX_FROM_SCRIPT, NULL, &err) != SX_OK)
        sx_app_status_msg(app, 1, err.msg);
    return 1;
}

char *sx_prompt_edit(struct sx_app *app, const char *prompt, const char *initial,
                     enum sx_complete mode)
{
    struct sx_history *h = mode == SX_COMPLETE_COMMAND ? &app->hist_cmd : &app->hist_ask;
    struct line l = {0};
    line_set(&l, initial ? initial : "");
    if (!l.s)
        return NULL;
    char *cands[CANDS_MAX];
    size_t ncands = 0, sel = 0, hpos = h->n;
    int cycling = 0;
    size_t word_start = 0;
    char *saved = NULL;               /* the edited line while browsing history */
    char *result = NULL;
    int was_prompt = app->in_prompt;
    app->in_prompt = 1;
    curs_set(1);
    for (;;) {
        sx_bars_candidates(app, cands, ncands, cycling && sel < ncands ? sel : (size_t)-1);
        sx_app_draw(app);
        sx_bars_prompt(app, prompt, l.s, l.cur);
        refresh();
        struct sx_input in;
        sx_app_input(app, 250, &in);
        if (in.kind == SX_IN_EOF)
            break;
        if (in.kind == SX_IN_NONE) {
            if (sx_signal_seen)
                break;
            continue;
        }
        if (in.kind == SX_IN_LINE) {
            unsigned ok = sx_prompt_script_line(app, in.line);
            free(in.line);
            if (!ok)
                break;
            continue;
        }
        sx_key k = in.key;
        if (k == SX_KEY_FN + KEY_RESIZE) {
            sx_app_layout(app);
            clearok(curscr, TRUE);
            continue;
        }
        if (k == SX_KEY_TAB || k == SX_KEY_FN + KEY_BTAB) {
            int back = k != SX_KEY_TAB;
            if (cycling && ncands > 1) {
                sel = sel >= ncands ? (back ? ncands - 1 : 0)
                                    : (back ? (sel + ncands - 1) % ncands : (sel + 1) % ncands);
                line_delete(&l, word_start, l.cur);
                line_insert(&l, cands[sel], strlen(cands[sel]));
                continue;
            }
            if (back)
                continue;
            free_cands(cands, &ncands);
            char *upto = strndup(l.s, l.cur);
            if (!upto)
                continue;
            ncands = sx_complete(app, upto, mode, &word_start, cands, CANDS_MAX);
            free(upto);
            if (ncands == 0) {
                beep();
                continue;
            }
            if (ncands == 1) {
                line_delete(&l, word_start, l.cur);
                line_insert(&l, cands[0], strlen(cands[0]));
                size_t n = strlen(cands[0]);
                if (mode == SX_COMPLETE_COMMAND && n && cands[0][n - 1] != '/')
                    line_insert(&l, " ", 1);
                free_cands(cands, &ncands);
                continue;
            }
            size_t lcp = common_prefix(cands, ncands);
            line_delete(&l, word_start, l.cur);
            line_insert(&l, cands[0], lcp);
            cycling = 1;
            sel = (size_t)-1;
            continue;
        }
        cycling = 0;
        free_cands(cands, &ncands);
        if (k == SX_KEY_ENTER) {
            result = strdup(l.s);
            break;
        }
        if (k == SX_KEY_ESC || k == 3 || k == 7)
            break;
        if (k == SX_KEY_BS) {
            if (l.len == 0)
                break;
            if (l.cur)
                line_delete(&l, prev_char(&l, l.cur), l.cur);
        } else if (k == SX_KEY_FN + KEY_DC || k == 4) {
            if (l.cur < l.len)
                line_delete(&l, l.cur, next_char(&l, l.cur));
        } else if (k == SX_KEY_FN + KEY_LEFT || k == 2) {
            l.cur = prev_char(&l, l.cur);
        } else if (k == SX_KEY_FN + KEY_RIGHT || k == 6) {
            l.cur = next_char(&l, l.cur);
        } else if (k == SX_KEY_FN + KEY_HOME || k == 1) {
            l.cur = 0;
        } else if (k == SX_KEY_FN + KEY_END || k == 5) {
            l.cur = l.len;
        } else if (k == 21) {                       /* C-u */
            line_delete(&l, 0, l.cur);
        } else if (k == 11) {                       /* C-k */
            line_delete(&l, l.cur, l.len);
        } else if (k == 23) {                       /* C-w */
            size_t e = l.cur, b = e;
            while (b > 0 && l.s[b - 1] == ' ')
                b--;
            while (b > 0 && l.s[b - 1] != ' ')
                b--;
            line_delete(&l, b, e);
        } else if (k == SX_KEY_FN + KEY_UP || k == 16) {
            if (hpos > 0) {
                if (hpos == h->n) {
                    free(saved);
                    saved = strdup(l.s);
                }
                hpos--;
                line_set(&l, h->v[hpos]);
            }
        } else if (k == SX_KEY_FN + KEY_DOWN || k == 14) {
            if (hpos < h->n) {
                hpos++;
                line_set(&l, hpos == h->n ? (saved ? saved : "") : h->v[hpos]);
            }
        } else if (k >= 0x20 && k < SX_KEY_FN && k != 0x7F && !(k >= 0x80 && k < 0xA0)) {
            char buf[8];
            int n = sx_utf8_encode(k, buf);
            line_insert(&l, buf, (size_t)n);
        }
    }
    free_cands(cands, &ncands);
    sx_bars_candidates(app, NULL, 0, 0);
    app->in_prompt = was_prompt;
    curs_set(0);
    if (result && *result)
        history_add(h, result);
    free(saved);
    free(l.s);
    return result;
}

unsigned sx_prompt_command(struct sx_app *app)
{
    char *line = sx_prompt_edit(app, ":", NULL, SX_COMPLETE_COMMAND);
    if (!line)
        return SX_H_REDRAW;
    app->status[0] = 0;
    struct sx_err err = {0};
    if (sx_rc_line(app, line, SX_FROM_PROMPT, NULL, &err) != SX_OK)
        sx_app_status_msg(app, 1, err.msg);
    free(line);
    return SX_H_REDRAW;
}

/* ---- questions views ask ---- */

int sx_app_confirm(struct sx_app *app, const char *question)
{
    char q[600];
    snprintf(q, sizeof q, "%s [y/N] ", question);
    for (;;) {
        sx_app_draw(app);
        int y = LINES - 1;
        sx_draw_fill(app, y, 0, 1, COLS, SX_ROLE_STATUS);
        sx_draw_text(app, y, 0, SX_ROLE_PROMPT, q, COLS, 0);
        refresh();
        struct sx_input in;
        sx_app_input(app, 250, &in);
        if (in.kind == SX_IN_EOF)
            return 0;
        if (in.kind == SX_IN_LINE) {
            /* only screen commands may run inside a question */
            unsigned f = sx_prompt_script_line(app, in.line);
            free(in.line);
            if (!f)
                return 0;
            continue;
        }
        if (in.kind == SX_IN_NONE) {
            if (sx_signal_seen)
                return 0;
            continue;
        }
        if (in.key == SX_KEY_FN + KEY_RESIZE) {
            sx_app_layout(app);
            clearok(curscr, TRUE);
            continue;
        }
        sx_log_key(app, in.key);
        app->status[0] = 0;
        return in.key == 'y' || in.key == 'Y';
    }
}

static char *ask(struct sx_app *app, const char *prompt, const char *initial,
                 enum sx_complete mode)
{
    char *s = sx_prompt_edit(app, prompt, initial, mode);
    if (s && app->in_command == 1 && !app->log_ask)
        app->log_ask = strdup(s);
    return s;
}

char *sx_app_ask(struct sx_app *app, const char *prompt, const char *initial)
{
    return ask(app, prompt, initial, SX_COMPLETE_NONE);
}

char *sx_app_ask_path(struct sx_app *app, const char *prompt, const char *initial)
{
    return ask(app, prompt, initial, SX_COMPLETE_PATH);
}

/* ---- the palette ---- */

/* Commands that want arguments: the palette opens the `:` line for them. */
static int wants_args(enum sx_cmd c)
{
    switch (c) {
    case SX_CMD_SET: case SX_CMD_BIND: case SX_CMD_COLOR: case SX_CMD_SOURCE:
    case SX_CMD_SAVE_DISPLAY: case SX_CMD_RESIZE: case SX_CMD_PLOT: case SX_CMD_EXPORT:
    case SX_CMD_GROUP:
        return 1;
    default:
        return 0;
    }
}

static int matches(enum sx_cmd c, const char *filter)
{
    return !*filter || strstr(sx_cmd_name(c), filter) || strcasestr(sx_cmd_help(c), filter);
}

unsigned sx_palette(struct sx_app *app)
{
    struct line l = {0};
    line_set(&l, "");
    if (!l.s)
        return 0;
    int list[SX_CMD_COUNT];
    int n = 0, sel = 0, first = 0;
    enum sx_cmd chosen = SX_CMD_NONE;
    int was_prompt = app->in_prompt;
    app->in_prompt = 1;
    curs_set(1);
    for (;;) {
        n = 0;
        for (int c = 1; c < SX_CMD_COUNT; c++)
            if (c != SX_CMD_PALETTE && matches((enum sx_cmd)c, l.s))
                list[n++] = c;
        if (sel >= n)
            sel = n ? n - 1 : 0;
        sx_app_draw(app);
        /* the list over the view area */
        int top = 1, h = LINES - 3;
        if (h < 1)
            h = 1;
        if (sel < first)
            first = sel;
        if (sel >= first + h)
            first = sel - h + 1;
        sx_draw_fill(app, top, 0, h, COLS, SX_ROLE_DEFAULT);
        const char *maps[3];
        int nmaps = sx_app_maps(app, maps);
        for (int i = 0; i < h && first + i < n; i++) {
            enum sx_cmd c = (enum sx_cmd)list[first + i];
            enum sx_role r = first + i == sel ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
            sx_draw_fill(app, top + i, 0, 1, COLS, r);
            const struct sx_binding *b = sx_keymap_first(app, maps, nmaps, c);
            char keys[40] = "";
            if (b)
                sx_key_seq_name(b->keys, b->nkeys, 0, keys, sizeof keys);
            int kw = COLS >= 60 ? 10 : 6, nw = COLS >= 60 ? 16 : 14;
            sx_draw_text(app, top + i, 1, first + i == sel ? r : SX_ROLE_KEY, keys, kw, 0);
            sx_draw_text(app, top + i, 1 + kw, r, sx_cmd_name(c), nw, 0);
            if (COLS > 2 + kw + nw)
                sx_draw_text(app, top + i, 2 + kw + nw, r, sx_cmd_help(c), COLS - 2 - kw - nw, 0);
        }
        sx_bars_prompt(app, "command: ", l.s, l.cur);
        refresh();
        struct sx_input in;
        sx_app_input(app, 250, &in);
        if (in.kind == SX_IN_EOF)
            break;
        if (in.kind == SX_IN_NONE) {
            if (sx_signal_seen)
                break;
            continue;
        }
        if (in.kind == SX_IN_LINE) {
            unsigned ok = sx_prompt_script_line(app, in.line);
            free(in.line);
            if (!ok)
                break;
            continue;
        }
        sx_key k = in.key;
        if (k == SX_KEY_FN + KEY_RESIZE) {
            sx_app_layout(app);
            continue;
        }
        if (k == SX_KEY_ENTER) {
            if (n)
                chosen = (enum sx_cmd)list[sel];
            break;
        }
        if (k == SX_KEY_ESC || k == 3 || k == 7)
            break;
        if (k == SX_KEY_FN + KEY_UP || k == 16)
            sel = sel > 0 ? sel - 1 : 0;
        else if (k == SX_KEY_FN + KEY_DOWN || k == 14 || k == SX_KEY_TAB)
            sel = sel + 1 < n ? sel + 1 : sel;
        else if (k == SX_KEY_FN + KEY_NPAGE)
            sel = sel + h < n ? sel + h : (n ? n - 1 : 0);
        else if (k == SX_KEY_FN + KEY_PPAGE)
            sel = sel > h ? sel - h : 0;
        else if (k == SX_KEY_BS) {
            if (l.cur)
                line_delete(&l, prev_char(&l, l.cur), l.cur);
            sel = first = 0;
        } else if (k >= 0x20 && k < SX_KEY_FN && k != 0x7F && !(k >= 0x80 && k < 0xA0)) {
            char buf[8];
            int len = sx_utf8_encode(k, buf);
            line_insert(&l, buf, (size_t)len);
            sel = first = 0;
        }
    }
    app->in_prompt = was_prompt;
    curs_set(0);
    free(l.s);
    if (chosen == SX_CMD_NONE)
        return SX_H_REDRAW;
    if (wants_args(chosen)) {
        char init[64];
        snprintf(init, sizeof init, "%s ", sx_cmd_name(chosen));
        char *line = sx_prompt_edit(app, ":", init, SX_COMPLETE_COMMAND);
        if (line) {
            history_add(&app->hist_cmd, line);
            struct sx_err err = {0};
            if (sx_rc_line(app, line, SX_FROM_PROMPT, NULL, &err) != SX_OK)
                sx_app_status_msg(app, 1, err.msg);
            free(line);
        }
        return SX_H_REDRAW;
    }
    return sx_app_run(app, chosen, NULL, SX_FROM_PROMPT) | SX_H_REDRAW;
}

char *sx_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}
