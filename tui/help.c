/* tui/help.c: the `?` view, generated from the command table and the live
 * keymaps (so a `bind` in the rc file shows up here). Sections: the keys
 * of the view it was opened over, of its pane, the keys that work
 * everywhere, then every command by longname (for the `:` line) with the
 * keys that reach it from that view. j/k and the paging keys scroll; `/`
 * asks for a word and jumps to the next line holding it, n/N repeat. */
#include "shell.h"

#include <stdlib.h>
#include <string.h>

struct help_line {
    int section;              /* a section title */
    char keys[64];
    const char *name;         /* longname, or the title */
    const char *help;
};

struct help {
    struct help_line *v;
    size_t n, cap;
    size_t cur, first;
    char *search;
    char titles[3][96];
};

static struct help_line *add(struct help *h)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 128;
        struct help_line *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return NULL;
        h->v = v;
        h->cap = cap;
    }
    struct help_line *l = &h->v[h->n++];
    memset(l, 0, sizeof *l);
    return l;
}

static void add_section(struct help *h, const char *title)
{
    if (h->n) {
        struct help_line *blank = add(h);
        if (blank)
            blank->name = "";
    }
    struct help_line *l = add(h);
    if (l) {
        l->section = 1;
        l->name = title;
    }
}

/* The keys reaching CMD through MAPS, in rc notation, space-separated. */
static void keys_of(struct sx_app *app, const char *const *maps, int nmaps, enum sx_cmd cmd,
                    const char *only_map, char *buf, size_t size)
{
    size_t n, len = 0;
    const struct sx_binding *all = sx_keymap_all(app, &n);
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sx_binding *b = &all[i], *hit;
        if (b->cmd != cmd || b->arg)
            continue;
        if (only_map && strcmp(b->map, only_map) != 0)
            continue;
        if (sx_keymap_lookup(app, maps, nmaps, b->keys, b->nkeys, &hit) != SX_KEYMAP_FOUND ||
            hit != b)
            continue;
        char k[48];
        sx_key_seq_name(b->keys, b->nkeys, 0, k, sizeof k);
        if (len + strlen(k) + 2 >= size)
            break;
        len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "", k);
    }
}

/* Bindings with arguments (`bind grid P plot scatter a b`) of MAP. */
static void add_arg_bindings(struct sx_app *app, struct help *h, const char *const *maps,
                             int nmaps, const char *map)
{
    size_t n;
    const struct sx_binding *all = sx_keymap_all(app, &n);
    for (size_t i = 0; i < n; i++) {
        const struct sx_binding *b = &all[i], *hit;
        if (!b->arg || strcmp(b->map, map) != 0)
            continue;
        if (sx_keymap_lookup(app, maps, nmaps, b->keys, b->nkeys, &hit) != SX_KEYMAP_FOUND ||
            hit != b)
            continue;
        struct help_line *l = add(h);
        if (!l)
            return;
        sx_key_seq_name(b->keys, b->nkeys, 0, l->keys, sizeof l->keys);
        l->name = sx_cmd_name(b->cmd);
        l->help = b->arg;
    }
}

static void add_map(struct sx_app *app, struct help *h, const char *const *maps, int nmaps,
                    const char *map)
{
    for (int c = 1; c < SX_CMD_COUNT; c++) {
        char keys[64];
        keys_of(app, maps, nmaps, (enum sx_cmd)c, map, keys, sizeof keys);
        if (!keys[0])
            continue;
        struct help_line *l = add(h);
        if (!l)
            return;
        snprintf(l->keys, sizeof l->keys, "%s", keys);
        l->name = sx_cmd_name((enum sx_cmd)c);
        l->help = sx_cmd_help((enum sx_cmd)c);
    }
    add_arg_bindings(app, h, maps, nmaps, map);
}

static void help_draw(struct sx_view *v)
{
    struct help *h = v->priv;
    if (v->h <= 0)
        return;
    if (h->cur >= h->n)
        h->cur = h->n ? h->n - 1 : 0;
    if (h->cur < h->first)
        h->first = h->cur;
    if (h->cur >= h->first + (size_t)v->h)
        h->first = h->cur - (size_t)v->h + 1;
    int kw = v->w >= 100 ? 22 : v->w >= 60 ? 16 : 10;
    int nw = v->w >= 60 ? 16 : 14;
    for (int i = 0; i < v->h; i++) {
        size_t at = h->first + (size_t)i;
        int y = v->y + i;
        if (at >= h->n)
            break;
        const struct help_line *l = &h->v[at];
        int is_cur = at == h->cur;
        enum sx_role base = is_cur ? SX_ROLE_CURSOR_ROW : SX_ROLE_DEFAULT;
        sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        if (l->section) {
            sx_draw_text(v->app, y, v->x + 1, SX_ROLE_HEADER, l->name, v->w - 2, 0);
            continue;
        }
        if (!l->help)
            continue;
        int x = v->x + 1;
        sx_draw_text(v->app, y, x, is_cur ? base : SX_ROLE_KEY, l->keys, kw - 1, 0);
        x += kw;
        if (x < v->x + v->w)
            sx_draw_text(v->app, y, x, base, l->name,
                         nw - 1 < v->x + v->w - x ? nw - 1 : v->x + v->w - x, 0);
        x += nw;
        if (x < v->x + v->w)
            sx_draw_text(v->app, y, x, is_cur ? base : SX_ROLE_DIM, l->help, v->x + v->w - x, 0);
    }
}

static int line_has(const struct help_line *l, const char *s)
{
    return (l->name && strstr(l->name, s)) || (l->help && strcasestr(l->help, s)) ||
           strstr(l->keys, s);
}

static unsigned search(struct sx_view *v, int dir)
{
    struct help *h = v->priv;
    if (!h->search || !h->n)
        return SX_H_HANDLED;
    for (size_t step = 1; step <= h->n; step++) {
        size_t at = dir > 0 ? (h->cur + step) % h->n : (h->cur + h->n - step) % h->n;
        if (line_has(&h->v[at], h->search)) {
            h->cur = at;
            return SX_H_HANDLED | SX_H_REDRAW;
        }
    }
    sx_status(v->app, 1, "not found: %s", h->search);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned help_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct help *h = v->priv;
    size_t page = v->h > 1 ? (size_t)v->h - 1 : 1;
    switch (cmd) {
    case SX_CMD_MOVE_DOWN:
        if (h->cur + 1 < h->n)
            h->cur++;
        break;
    case SX_CMD_MOVE_UP:
        if (h->cur)
            h->cur--;
        break;
    case SX_CMD_PAGE_DOWN:
        h->cur = h->cur + page < h->n ? h->cur + page : (h->n ? h->n - 1 : 0);
        h->first = h->first + page < h->n ? h->first + page : h->first;
        break;
    case SX_CMD_PAGE_UP:
        h->cur = h->cur > page ? h->cur - page : 0;
        h->first = h->first > page ? h->first - page : 0;
        break;
    case SX_CMD_MOVE_FIRST:
        h->cur = h->first = 0;
        break;
    case SX_CMD_MOVE_LAST:
        h->cur = h->n ? h->n - 1 : 0;
        break;
    case SX_CMD_SEARCH: {
        char *s = arg ? strdup(arg) : sx_app_ask(v->app, "/", NULL);
        if (!s || !*s) {
            free(s);
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        free(h->search);
        h->search = s;
        return search(v, 1);
    }
    case SX_CMD_SEARCH_NEXT:
        return search(v, 1);
    case SX_CMD_SEARCH_PREV:
        return search(v, -1);
    default:
        return 0;
    }
    return SX_H_HANDLED | SX_H_REDRAW;
}

static void help_where(struct sx_view *v, char *buf, size_t size)
{
    struct help *h = v->priv;
    snprintf(buf, size, "row=%zu", h->cur + 1);
}

static void help_close(struct sx_view *v)
{
    struct help *h = v->priv;
    free(h->v);
    free(h->search);
    free(h);
}

static const enum sx_cmd help_keybar[] = {SX_CMD_PAGE_DOWN, SX_CMD_PAGE_UP, SX_CMD_SEARCH,
                                          SX_CMD_NONE};

static const struct sx_view_ops help_ops = {
    .name = "help",
    .title = "Help",
    .draw = help_draw,
    .handle = help_handle,
    .close = help_close,
    .keybar = help_keybar,
    .where = help_where,
};

struct sx_view *sx_help_view_new(struct sx_app *app)
{
    struct help *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    const char *maps[3];
    int nmaps = sx_app_maps(app, maps);
    struct sx_view *top = sx_app_top(app);
    struct sx_pane_state *p = sx_app_pane(app);
    if (top && top->ops->name) {
        snprintf(h->titles[0], sizeof h->titles[0], "Keys in %s (%s)",
                 top->ops->title ? top->ops->title : top->ops->name, top->ops->name);
        add_section(h, h->titles[0]);
        size_t before = h->n;
        add_map(app, h, maps, nmaps, top->ops->name);
        if (h->n == before)
            h->n = 0;                         /* no keys of its own: drop the title */
    }
    if (p) {
        snprintf(h->titles[1], sizeof h->titles[1], "Keys in the %s pane", p->ops->title);
        size_t mark = h->n;
        add_section(h, h->titles[1]);
        size_t before = h->n;
        add_map(app, h, maps, nmaps, p->ops->name);
        if (h->n == before)
            h->n = mark;                      /* nothing pane-wide: drop the title */
    }
    add_section(h, "Keys everywhere");
    add_map(app, h, maps, nmaps, "generic");
    add_section(h, "Commands (type : then the name; Tab completes)");
    for (int c = 1; c < SX_CMD_COUNT; c++) {
        struct help_line *l = add(h);
        if (!l)
            break;
        keys_of(app, maps, nmaps, (enum sx_cmd)c, NULL, l->keys, sizeof l->keys);
        l->name = sx_cmd_name((enum sx_cmd)c);
        l->help = sx_cmd_help((enum sx_cmd)c);
    }
    /* start on the first entry, not a title */
    while (h->cur < h->n && (h->v[h->cur].section || !h->v[h->cur].help))
        h->cur++;
    struct sx_view *v = sx_view_new(app, &help_ops, h);
    if (!v)
        help_close(&(struct sx_view){.priv = h});
    return v;
}
