/* tui/bars.c: the three rows the shell owns. The top bar holds the pane
 * names (the current one highlighted), the breadcrumb of the current
 * pane's view stack, the store and a read-only marker; the key bar holds
 * the top view's main commands, each with its first key, then help and
 * back/quit (items that do not fit are left out, help and back stay); the
 * status line holds a message, an error, a pending key sequence or, while a
 * job runs, its progress (percent, rows, MB/s). */
#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put(struct sx_app *app, int y, int x, enum sx_role role, const char *s, int maxx)
{
    if (x >= maxx)
        return x;
    return x + sx_draw_text(app, y, x, role, s, maxx - x, 0);
}

static void top_bar(struct sx_app *app)
{
    int w = COLS;
    sx_draw_fill(app, 0, 0, 1, w, SX_ROLE_TITLE);
    int x = 0;
    for (size_t i = 0; i < app->npanes; i++) {
        char tab[96];
        snprintf(tab, sizeof tab, " %zu %s ", i + 1, app->panes[i].ops->title);
        x = put(app, 0, x, i == app->cur ? SX_ROLE_TAB_ACTIVE : SX_ROLE_TAB, tab, w);
    }
    /* breadcrumb: the titles of the view stack, bottom first */
    struct sx_view *stack[32];
    int n = 0;
    for (struct sx_view *v = sx_app_top(app); v && n < 32; v = v->below)
        stack[n++] = v;
    char crumb[512];
    size_t len = 0;
    crumb[0] = 0;
    for (int i = n - 1; i >= 0 && len < sizeof crumb; i--) {
        const char *t = stack[i]->ops->title ? stack[i]->ops->title : stack[i]->ops->name;
        len += (size_t)snprintf(crumb + len, sizeof crumb - len, "%s%s",
                                i == n - 1 ? " " : sx_glyph(app, " \u203a ", " > "), t);
    }
    /* right side: the read-only marker and the store; the store gives way
     * to the breadcrumb when the bar is short */
    int cw = sx_text_width(app, crumb) + 1, room = w - x;
    if (cw > 24)
        cw = 24;                                  /* a long breadcrumb may be cut */
    char store[300];
    snprintf(store, sizeof store, " %s ", app->store_label);
    int sw = sx_text_width(app, store);
    const char *mark = app->read_only ? " read-only " : "";
    if (cw + (int)strlen(mark) + sw > room && app->read_only)
        mark = " RO ";
    int mw = (int)strlen(mark);
    if (cw + mw + sw > room)
        sw = 0;                                   /* drop the store */
    if (mw + sw > room)
        mw = sw = 0;
    int rx = w - mw - sw;
    if (mw)
        sx_draw_text(app, 0, rx, SX_ROLE_ALERT, mark, mw, 0);
    if (sw)
        sx_draw_text(app, 0, rx + mw, SX_ROLE_TITLE, store, sw, 0);
    w = rx;
    if (x < w - 1)
        put(app, 0, x, SX_ROLE_TITLE, crumb, w - 1);
}

struct item {
    char key[32];
    const char *label;
};

static int item_width(struct sx_app *app, const struct item *it)
{
    return sx_text_width(app, it->key) + 1 + sx_text_width(app, it->label) + 1;
}

static void item_for(struct sx_app *app, enum sx_cmd cmd, const char *label, struct item *it)
{
    const char *maps[3];
    int nmaps = sx_app_maps(app, maps);
    const struct sx_binding *b = sx_keymap_first(app, maps, nmaps, cmd);
    if (b)
        sx_key_seq_name(b->keys, b->nkeys, 1, it->key, sizeof it->key);
    else
        snprintf(it->key, sizeof it->key, ":");
    it->label = label ? label : sx_cmd_name(cmd);
}

static void key_bar(struct sx_app *app, int y)
{
    sx_draw_fill(app, y, 0, 1, COLS, SX_ROLE_KEYBAR);
    if (app->ncands) {
        int x = 1;
        for (size_t i = 0; i < app->ncands && x < COLS; i++) {
            enum sx_role r = i == app->cand_sel ? SX_ROLE_SELECTED : SX_ROLE_KEYBAR;
            x = put(app, y, x, r, app->cands[i], COLS);
            x = put(app, y, x, SX_ROLE_KEYBAR, "  ", COLS);
        }
        return;
    }
    struct item items[40];
    int n = 0;
    struct sx_view *top = sx_app_top(app);
    if (top && top->ops->keybar)
        for (const enum sx_cmd *c = top->ops->keybar; *c != SX_CMD_NONE && n < 38; c++)
            if (*c != SX_CMD_HELP && *c != SX_CMD_BACK && *c != SX_CMD_QUIT)
                item_for(app, *c, NULL, &items[n++]);   /* those two come last */
    struct item tail[2];
    item_for(app, SX_CMD_HELP, NULL, &tail[0]);
    int at_top = !top || !top->below;
    item_for(app, SX_CMD_BACK, at_top ? "quit" : "back", &tail[1]);
    int tailw = item_width(app, &tail[0]) + item_width(app, &tail[1]);
    int x = 0, room = COLS - tailw;
    for (int i = 0; i < n; i++) {
        int iw = item_width(app, &items[i]);
        if (x + iw > room)
            break;
        x = put(app, y, x, SX_ROLE_KEY, items[i].key, COLS);
        x = put(app, y, x, SX_ROLE_KEYBAR, " ", COLS);
        x = put(app, y, x, SX_ROLE_KEYBAR, items[i].label, COLS);
        x = put(app, y, x, SX_ROLE_KEYBAR, " ", COLS);
    }
    for (int i = 0; i < 2; i++) {
        if (x + item_width(app, &tail[i]) > COLS)
            break;
        x = put(app, y, x, SX_ROLE_KEY, tail[i].key, COLS);
        x = put(app, y, x, SX_ROLE_KEYBAR, " ", COLS);
        x = put(app, y, x, SX_ROLE_KEYBAR, tail[i].label, COLS);
        x = put(app, y, x, SX_ROLE_KEYBAR, " ", COLS);
    }
}

/* 1234567 as "1,234,567". */
static const char *thousands(uint64_t v, char *buf, size_t size)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
    return buf;
}

static void progress(struct sx_app *app, int y, struct sx_job *job)
{
    uint64_t done, total, rows;
    double secs;
    const char *label;
    sx_job_snapshot(job, &done, &total, &rows, &secs, &label);
    char info[160], rb[40];
    double mbs = secs > 0 ? (double)done / 1e6 / secs : 0;
    int pct = total ? (int)(done * 100 / total) : 0;
    snprintf(info, sizeof info, " %3d%% %s rows %.1f MB/s  Esc cancels", pct,
             thousands(rows, rb, sizeof rb), mbs);
    sx_draw_fill(app, y, 0, 1, COLS, SX_ROLE_STATUS);
    int x = put(app, y, 0, SX_ROLE_STATUS, label, COLS / 3 > 8 ? COLS / 3 : 8);
    x = put(app, y, x, SX_ROLE_STATUS, " ", COLS);
    int iw = sx_text_width(app, info);
    int barw = COLS - x - iw - 2;
    if (barw >= 4) {
        int fill = total ? (int)((double)barw * (double)done / (double)total) : 0;
        if (fill > barw)
            fill = barw;
        x = put(app, y, x, SX_ROLE_STATUS, "[", COLS);
        for (int i = 0; i < barw; i++)
            x = put(app, y, x, i < fill ? SX_ROLE_BAR : SX_ROLE_DIM,
                    i < fill ? sx_glyph(app, "\u2588", "#") : sx_glyph(app, "\u00b7", "."), COLS);
        x = put(app, y, x, SX_ROLE_STATUS, "]", COLS);
    }
    put(app, y, x, SX_ROLE_STATUS, info, COLS);
}

static void status_line(struct sx_app *app, int y)
{
    struct sx_job *job = sx_app_busy_job(app);
    if (job) {
        progress(app, y, job);
        return;
    }
    sx_draw_fill(app, y, 0, 1, COLS, SX_ROLE_STATUS);
    if (app->npending) {
        char seq[64];
        sx_key_seq_name(app->pending, app->npending, 0, seq, sizeof seq);
        char msg[80];
        snprintf(msg, sizeof msg, "%s%s", seq, sx_glyph(app, "\u2026", "~"));
        sx_draw_text(app, y, 0, SX_ROLE_STATUS, msg, COLS, 0);
        return;
    }
    if (app->status[0]) {
        enum sx_role r = app->status_error ? SX_ROLE_ERROR : SX_ROLE_STATUS;
        int w = sx_text_width(app, app->status);
        sx_draw_text(app, y, 0, r, app->status, w < COLS ? w : COLS, 0);
    }
}

void sx_bars_draw(struct sx_app *app)
{
    if (LINES < 1 || COLS < 1)
        return;
    top_bar(app);
    if (LINES >= 3 && app->show_keybar)
        key_bar(app, LINES - 2);
    if (LINES >= 2)
        status_line(app, LINES - 1);
}

void sx_bars_prompt(struct sx_app *app, const char *prompt, const char *text, size_t cur)
{
    (void)app;
    int y = LINES - 1;
    sx_draw_fill(app, y, 0, 1, COLS, SX_ROLE_STATUS);
    int x = sx_draw_text(app, y, 0, SX_ROLE_PROMPT, prompt, COLS, 0);
    int room = COLS - x - 1;
    if (room <= 0)
        return;
    /* scroll so the cursor stays visible: drop whole characters on the left */
    char *before = strndup(text, cur);
    const char *show = text;
    if (before) {
        int bw = sx_text_width(app, before);
        size_t off = 0;
        while (bw > room - 1 && off < cur) {
            long cp;
            int l = sx_utf8_decode((const unsigned char *)text + off, cur - off, &cp);
            off += (size_t)l;
            free(before);
            before = strndup(text + off, cur - off);
            bw = before ? sx_text_width(app, before) : 0;
        }
        show = text + off;
        int cx = x + bw;
        sx_draw_text(app, y, x, SX_ROLE_STATUS, show, room, 0);
        free(before);
        move(y, cx < COLS ? cx : COLS - 1);
        return;
    }
    sx_draw_text(app, y, x, SX_ROLE_STATUS, show, room, 0);
}

void sx_bars_candidates(struct sx_app *app, char **cands, size_t n, size_t sel)
{
    app->cands = cands;
    app->ncands = n;
    app->cand_sel = sel;
}
