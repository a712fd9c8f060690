/* tui/view_fedit.c: the spec editor. A small multi-line text editor for a
 * new version of a feature set's spec: typing inserts, Enter breaks the
 * line, Backspace and Delete join lines at their ends, the arrows, Home,
 * End, PgUp and PgDn move (Ctrl-A/Ctrl-E too). It takes typed keys before
 * the keymaps (the view's key hook), so only keys it has no use for reach
 * them: Ctrl-S saves (save-spec), Ctrl-P opens the preview alone
 * (preview), Esc leaves (asking first when there are unsaved changes),
 * Tab switches panes, F1 is help.
 *
 * Every change parses the spec again (core/features.h) and, when the Data
 * pane has data open, fits it on a sample of it (tui/view_fpreview.c), so
 * an unknown column is caught too: the error's line number and the
 * character at its column are drawn in the ERROR role, the message is on
 * the status line and at the right of the heading. On a screen tall
 * enough, the preview of the output columns sits under the text and
 * follows every change.
 *
 * Saving stores the text as a new version (core/featstore.h: a spec whose
 * normalised form an existing version has is that version, nothing is
 * stored); the editor stays open, so editing on and saving again makes the
 * next version. A spec that does not parse, or has no statement, is never
 * stored. Under --read-only the editor and its preview work, and saving
 * is refused. */
#include "fpane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

#define SPLIT_MIN 16          /* view rows from which the preview shows below */

struct fedit {
    struct sx_view_ops ops;
    char title[SX_FSET_NAME_MAX + 16];
    struct sx_fpane *p;
    char *name;
    int base;                 /* the version it started from; 0: a new set */
    int saved;                /* the version last saved as; 0: none yet */
    char saved_hash[12];
    char **lines;
    size_t n, cap;
    size_t cy, cx;            /* cursor: line, byte offset in it */
    size_t top;               /* first line shown */
    int dirty;                /* changed since opened or saved */
    int has_err, err_line, err_col;
    char err[600];
    struct sx_fpreview *pv;
};

/* ---- the text ---- */

static int grow(struct fedit *e, size_t n)
{
    if (n <= e->cap)
        return 0;
    size_t cap = e->cap ? e->cap * 2 : 32;
    while (cap < n)
        cap *= 2;
    char **l = realloc(e->lines, cap * sizeof *l);
    if (!l)
        return -1;
    e->lines = l;
    e->cap = cap;
    return 0;
}

static int set_text(struct fedit *e, const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len && p[len - 1] == '\r')
            len--;
        if (grow(e, e->n + 1) != 0 || !(e->lines[e->n] = strndup(p, len)))
            return -1;
        e->n++;
        if (!nl)
            return 0;
        p = nl + 1;
    }
}

/* The whole text, a newline after each line but an empty last one. */
static char *join(const struct fedit *e)
{
    size_t len = 1;
    for (size_t i = 0; i < e->n; i++)
        len += strlen(e->lines[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < e->n; i++) {
        size_t l = strlen(e->lines[i]);
        memcpy(s + o, e->lines[i], l);
        o += l;
        if (i + 1 < e->n || l)
            s[o++] = '\n';
    }
    s[o] = '\0';
    return s;
}

static size_t next_char(const char *s, size_t off)
{
    if (!s[off])
        return off;
    off++;
    while (((unsigned char)s[off] & 0xC0) == 0x80)
        off++;
    return off;
}

static size_t prev_char(const char *s, size_t off)
{
    if (off == 0)
        return 0;
    off--;
    while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
        off--;
    return off;
}

/* Characters before byte OFF of S. */
static size_t chars_before(const char *s, size_t off)
{
    size_t n = 0;
    for (size_t i = 0; i < off && s[i]; i = next_char(s, i))
        n++;
    return n;
}

/* The byte offset of character N of S (clamped to its end). */
static size_t char_offset(const char *s, size_t n)
{
    size_t off = 0;
    while (n-- > 0 && s[off])
        off = next_char(s, off);
    return off;
}

/* The start of the character holding 1-based byte column COL of S
 * (clamped to its end): core's columns count bytes. */
static size_t byte_at(const char *s, int col)
{
    size_t off = col > 1 ? (size_t)col - 1 : 0, len = strlen(s);
    if (off > len)
        off = len;
    while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
        off--;
    return off;
}

static int encode(long cp, char *buf)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int insert(struct fedit *e, const char *s, size_t n)
{
    char *l = e->lines[e->cy];
    size_t len = strlen(l);
    char *nl = realloc(l, len + n + 1);
    if (!nl)
        return -1;
    memmove(nl + e->cx + n, nl + e->cx, len - e->cx + 1);
    memcpy(nl + e->cx, s, n);
    e->lines[e->cy] = nl;
    e->cx += n;
    return 0;
}

static int newline(struct fedit *e)
{
    if (grow(e, e->n + 1) != 0)
        return -1;
    char *rest = strdup(e->lines[e->cy] + e->cx);
    if (!rest)
        return -1;
    e->lines[e->cy][e->cx] = '\0';
    memmove(e->lines + e->cy + 2, e->lines + e->cy + 1, (e->n - e->cy - 1) * sizeof *e->lines);
    e->lines[e->cy + 1] = rest;
    e->n++;
    e->cy++;
    e->cx = 0;
    return 0;
}

/* Join line I+1 onto line I. */
static int join_next(struct fedit *e, size_t i)
{
    if (i + 1 >= e->n)
        return 0;
    size_t a = strlen(e->lines[i]), b = strlen(e->lines[i + 1]);
    char *l = realloc(e->lines[i], a + b + 1);
    if (!l)
        return -1;
    memcpy(l + a, e->lines[i + 1], b + 1);
    e->lines[i] = l;
    free(e->lines[i + 1]);
    memmove(e->lines + i + 1, e->lines + i + 2, (e->n - i - 2) * sizeof *e->lines);
    e->n--;
    return 0;
}

static void delete_at(struct fedit *e)
{
    char *l = e->lines[e->cy];
    if (!l[e->cx]) {
        join_next(e, e->cy);
        return;
    }
    size_t to = next_char(l, e->cx);
    memmove(l + e->cx, l + to, strlen(l + to) + 1);
}

static void backspace(struct fedit *e)
{
    if (e->cx > 0) {
        e->cx = prev_char(e->lines[e->cy], e->cx);
        delete_at(e);
    } else if (e->cy > 0) {
        size_t at = strlen(e->lines[e->cy - 1]);
        if (join_next(e, e->cy - 1) == 0) {
            e->cy--;
            e->cx = at;
        }
    }
}

/* Move to line Y keeping the character column. */
static void move_line(struct fedit *e, size_t y)
{
    size_t col = chars_before(e->lines[e->cy], e->cx);
    e->cy = y < e->n ? y : e->n - 1;
    e->cx = char_offset(e->lines[e->cy], col);
}

/* ---- parsing and the preview ---- */

static int text_rows(const struct sx_view *v)
{
    int body = v->h - 1;
    if (v->h >= SPLIT_MIN) {
        int r = (v->h - 1) * 2 / 5;
        return r < 6 ? 6 : r;
    }
    return body > 0 ? body : 0;
}

/* Parse the text again, and fit it on the open data's sample. */
static void reparse(struct fedit *e)
{
    char *text = join(e);
    e->has_err = 0;
    e->err[0] = '\0';
    sx_fpreview_free(e->pv);
    e->pv = NULL;
    if (!text) {
        sx_status(e->p->app, 1, "out of memory");
        return;
    }
    struct sx_err err = {0};
    int line = 0, col = 0;
    struct sx_fspec *spec = sx_fspec_parse(text, &err, &line, &col);
    if (!spec) {
        const char *rest = err.msg;
        int l, c;
        if (sx_fpane_msg_pos(err.msg, &l, &c, &rest)) {
            line = l;
            col = c;
        }
        e->has_err = 1;
        e->err_line = line;
        e->err_col = col;
        snprintf(e->err, sizeof e->err, "%s", rest);
    } else {
        sx_fspec_free(spec);
        struct sx_data_open o;
        if (sx_data_current(e->p->app, &o) == 0 && o.t) {
            e->pv = sx_fpreview_compute(e->p->app, text);
            const char *msg;
            if (sx_fpreview_spec_error(e->pv, &line, &col, &msg)) {
                e->has_err = 1;
                e->err_line = line;
                e->err_col = col;
                snprintf(e->err, sizeof e->err, "%s (on %s)", msg, o.label);
            }
        }
    }
    free(text);
    if (e->has_err)
        sx_status(e->p->app, 1, "%d:%d: %s", e->err_line, e->err_col, e->err);
}

/* ---- drawing ---- */

/* Display columns of the first OFF bytes of S. */
static int width_to(struct sx_app *app, const char *s, size_t off)
{
    char *pre = strndup(s, off);
    int w = pre ? sx_text_width(app, pre) : 0;
    free(pre);
    return w;
}

/* Paint the character at byte OFF of line S (a space at its end) in
 * ROLE, if it is on screen (LEFT columns of S are scrolled off). */
static void mark_char(struct sx_view *v, int y, int x0, int room, const char *s, int left,
                      size_t off, enum sx_role role)
{
    int cx = width_to(v->app, s, off) - left;
    if (cx < 0 || cx >= room)
        return;
    char ch[8] = " ";
    if (s[off]) {
        size_t n = next_char(s, off) - off;
        memcpy(ch, s + off, n);
        ch[n] = '\0';
    }
    int cw = sx_text_width(v->app, ch);
    if (cw < 1)
        cw = 1;
    sx_draw_text(v->app, y, x0 + cx, role, ch, cw <= room - cx ? cw : room - cx, 1);
}

static void ed_draw(struct sx_view *v)
{
    struct fedit *e = v->priv;
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h < 1 || v->w < 1)
        return;
    /* the heading: what is edited, and the error or the cursor position */
    char left[400], right[700];
    if (e->saved)
        snprintf(left, sizeof left, "%s: saved as v%d (%s); saving again makes the next", e->name,
                 e->saved, e->saved_hash);
    else if (e->base)
        snprintf(left, sizeof left, "%s: a new version from v%d%s", e->name, e->base,
                 sx_app_read_only(v->app) ? " (read-only: not saved)" : "");
    else
        snprintf(left, sizeof left, "%s: a new feature set%s", e->name,
                 sx_app_read_only(v->app) ? " (read-only: not saved)" : "");
    if (e->has_err)
        snprintf(right, sizeof right, "%d:%d: %s", e->err_line, e->err_col, e->err);
    else
        snprintf(right, sizeof right, "Ln %zu, Col %zu%s", e->cy + 1, e->cx + 1,
                 e->dirty ? "  modified" : "");
    sx_draw_fill(v->app, v->y, v->x, 1, v->w, SX_ROLE_HEADER);
    /* the right part wins: an error must show; the left takes what is left */
    int rw = sx_text_width(v->app, right);
    if (rw > v->w - 2)
        rw = v->w - 2;
    int room = v->w - 1 - rw - 2;
    if (room > 0)
        sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_HEADER, left, room, 0);
    sx_draw_text(v->app, v->y, v->x + v->w - rw - 1, e->has_err ? SX_ROLE_ERROR : SX_ROLE_HEADER,
                 right, rw, 0);

    /* the text, with line numbers */
    int rows = text_rows(v);
    if (rows <= 0)
        return;
    if (e->cy < e->top)
        e->top = e->cy;
    if (e->cy >= e->top + (size_t)rows)
        e->top = e->cy - (size_t)rows + 1;
    char num[32];
    int gw = snprintf(num, sizeof num, "%zu", e->n) + 2;
    int tx = v->x + gw, tw = v->w - gw;
    if (tw < 1)
        return;
    /* Only the cursor's line scrolls sideways (as nano does), so the
     * others keep their beginnings in place; a cut line ends in "…". */
    int cur = width_to(v->app, e->lines[e->cy], e->cx);
    int cur_left = cur >= tw ? cur - tw + 1 : 0;
    for (int i = 0; i < rows && e->top + (size_t)i < e->n; i++) {
        size_t ln = e->top + (size_t)i;
        int y = v->y + 1 + i;
        int bad = e->has_err && (size_t)e->err_line == ln + 1;
        snprintf(num, sizeof num, "%c%*zu ", bad ? '>' : ' ', gw - 2, ln + 1);
        sx_draw_text(v->app, y, v->x, bad ? SX_ROLE_ERROR : SX_ROLE_DIM, num, gw, 0);
        int over, left = ln == e->cy ? cur_left : 0;
        const char *s = sx_text_skip(v->app, e->lines[ln], left, &over);
        sx_draw_text(v->app, y, tx + over, SX_ROLE_DEFAULT, s, tw - over, 0);
        if (bad && e->err_col > 0)
            mark_char(v, y, tx, tw, e->lines[ln], left, byte_at(e->lines[ln], e->err_col),
                      SX_ROLE_ERROR);
        if (ln == e->cy)
            mark_char(v, y, tx, tw, e->lines[ln], left, e->cx, SX_ROLE_CURSOR);
    }

    /* the preview under it, when there is room */
    if (v->h >= SPLIT_MIN) {
        int py = v->y + 1 + rows;
        int ph = v->h - 1 - rows;
        if (e->pv) {
            sx_fpreview_draw(v->app, e->pv, py, v->x, ph, v->w, 0, 0);
        } else {
            sx_draw_fill(v->app, py, v->x, 1, v->w, SX_ROLE_HEADER);
            sx_draw_text(v->app, py, v->x + 1, SX_ROLE_HEADER,
                         e->has_err ? "preview: fix the spec first"
                                    : "preview: open a data set in the Data pane to see one",
                         v->w - 1, 0);
        }
    }
}

/* ---- keys and commands ---- */

static unsigned ed_key(struct sx_view *v, int k)
{
    struct fedit *e = v->priv;
    int page = text_rows(v) > 1 ? text_rows(v) - 1 : 1;
    int changed = 0, rc = 0;
    if (k >= 0x20 && k < SX_KEY_FN && k != 0x7F && !(k >= 0x80 && k < 0xA0)) {
        char buf[8];
        int n = encode(k, buf);
        rc = insert(e, buf, (size_t)n);
        changed = 1;
    } else if (k == SX_KEY_ENTER) {
        rc = newline(e);
        changed = 1;
    } else if (k == SX_KEY_BS) {
        backspace(e);
        changed = 1;
    } else if (k == SX_KEY_FN + KEY_DC || k == 4) {
        delete_at(e);
        changed = 1;
    } else if (k == SX_KEY_FN + KEY_LEFT) {
        if (e->cx > 0)
            e->cx = prev_char(e->lines[e->cy], e->cx);
        else if (e->cy > 0)
            e->cx = strlen(e->lines[--e->cy]);
    } else if (k == SX_KEY_FN + KEY_RIGHT) {
        if (e->lines[e->cy][e->cx])
            e->cx = next_char(e->lines[e->cy], e->cx);
        else if (e->cy + 1 < e->n) {
            e->cy++;
            e->cx = 0;
        }
    } else if (k == SX_KEY_FN + KEY_UP) {
        if (e->cy > 0)
            move_line(e, e->cy - 1);
    } else if (k == SX_KEY_FN + KEY_DOWN) {
        if (e->cy + 1 < e->n)
            move_line(e, e->cy + 1);
    } else if (k == SX_KEY_FN + KEY_PPAGE) {
        move_line(e, e->cy > (size_t)page ? e->cy - (size_t)page : 0);
    } else if (k == SX_KEY_FN + KEY_NPAGE) {
        move_line(e, e->cy + (size_t)page);
    } else if (k == SX_KEY_FN + KEY_HOME || k == 1) {
        e->cx = 0;
    } else if (k == SX_KEY_FN + KEY_END || k == 5) {
        e->cx = strlen(e->lines[e->cy]);
    } else {
        return 0;             /* the keymaps' */
    }
    if (rc != 0)
        sx_status(v->app, 1, "out of memory");
    if (changed) {
        e->dirty = 1;
        reparse(e);
    }
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned save(struct sx_view *v)
{
    struct fedit *e = v->priv;
    if (sx_app_refuse_write(e->p->app, "saving a spec"))
        return SX_H_HANDLED | SX_H_REDRAW;
    char *text = join(e);
    if (!text) {
        sx_status(v->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_err err = {0};
    int line = 0, col = 0;
    struct sx_fspec *spec = sx_fspec_parse(text, &err, &line, &col);
    char *norm = spec ? sx_fspec_normalize(spec) : NULL;
    if (!spec) {
        sx_status(v->app, 1, "not saved: %s (nothing stored)", err.msg);
    } else if (!norm) {
        sx_status(v->app, 1, "out of memory");
    } else if (!norm[strspn(norm, " \n")]) {
        sx_status(v->app, 1, "not saved: the spec has no statement yet (nothing stored)");
    } else {
        struct sx_fversion out = {0};
        int created = 0;
        if (sx_featstore_add(sx_app_store(v->app), e->name, text, spec, &out, &created, &err) !=
            SX_OK) {
            sx_status(v->app, 1, "not saved: %s", err.msg);
        } else {
            e->dirty = 0;
            e->saved = out.version;
            snprintf(e->saved_hash, sizeof e->saved_hash, "%.8s", out.hash);
            e->p->gen++;
            if (created && e->has_err)
                sx_status(v->app, 1, "saved %s@v%d (spec %.8s), but it does not fit the open "
                          "data: %d:%d: %s", out.name, out.version, out.hash, e->err_line,
                          e->err_col, e->err);
            else if (created)
                sx_status(v->app, 0, "saved %s@v%d (spec %.8s)", out.name, out.version, out.hash);
            else
                sx_status(v->app, 0, "unchanged: %s@v%d has the same normalised spec; nothing "
                          "stored", out.name, out.version);
            sx_fversion_clear(&out);
        }
    }
    free(norm);
    sx_fspec_free(spec);
    free(text);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned ed_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    (void)arg;
    struct fedit *e = v->priv;
    switch (cmd) {
    case SX_CMD_SPEC_SAVE:
        return save(v);
    case SX_CMD_PREVIEW: {
        char *text = join(e);
        unsigned f = text ? sx_fpane_preview(e->p, e->name, text) : SX_H_HANDLED | SX_H_REDRAW;
        if (!text)
            sx_status(v->app, 1, "out of memory");
        free(text);
        return f;
    }
    case SX_CMD_BACK:
        if (e->dirty && !sx_app_confirm(v->app, "Leave the editor and lose the unsaved spec?"))
            return SX_H_HANDLED | SX_H_REDRAW;
        return 0;             /* the shell pops the editor */
    default:
        return 0;
    }
}

static int ed_dirty(struct sx_view *v)
{
    const struct fedit *e = v->priv;
    return e->dirty;
}

static void ed_where(struct sx_view *v, char *buf, size_t size)
{
    const struct fedit *e = v->priv;
    snprintf(buf, size, "set=%s line=%zu", e->name, e->cy + 1);
}

static void ed_close(struct sx_view *v)
{
    struct fedit *e = v->priv;
    for (size_t i = 0; i < e->n; i++)
        free(e->lines[i]);
    free(e->lines);
    free(e->name);
    sx_fpreview_free(e->pv);
    free(e);
}

static const enum sx_cmd ed_keybar[] = {SX_CMD_SPEC_SAVE, SX_CMD_PREVIEW, SX_CMD_HELP,
                                        SX_CMD_BACK, SX_CMD_NONE};

struct sx_view *sx_fedit_new(struct sx_fpane *p, const char *name, int base, const char *text,
                             struct sx_err *err)
{
    struct fedit *e = calloc(1, sizeof *e);
    if (!e || !(e->name = strdup(name)) || set_text(e, text ? text : "") != 0) {
        if (e) {
            struct sx_view fake = {.priv = e};
            ed_close(&fake);
        }
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    e->p = p;
    e->base = base;
    /* the cursor at the end of the text, ready to add a statement */
    e->cy = e->n - 1;
    e->cx = strlen(e->lines[e->cy]);
    snprintf(e->title, sizeof e->title, "edit %s", name);
    e->ops = (struct sx_view_ops){
        .name = "spec-editor",
        .title = e->title,
        .draw = ed_draw,
        .handle = ed_handle,
        .close = ed_close,
        .keybar = ed_keybar,
        .dirty = ed_dirty,
        .where = ed_where,
        .key = ed_key,
    };
    struct sx_view *v = sx_view_new(p->app, &e->ops, e);
    if (!v) {
        struct sx_view fake = {.priv = e};
        ed_close(&fake);
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    reparse(e);
    return v;
}
