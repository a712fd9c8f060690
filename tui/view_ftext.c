/* tui/view_ftext.c: the Features pane's text view: a heading row, then
 * lines of text, each in a role and with an optional gutter (line numbers,
 * diff marks), scrolled with j/k, PgUp/PgDn, gg/G and sideways with h/l,
 * Home/End; / searches (ignoring case), n/N repeat. A text may wrap its
 * long lines at the view's width instead (SQL does): a line then takes as
 * many rows as it needs, continued under its own indent. The spec, fit,
 * diff and SQL screens are texts built by tui/pane_features.c. A text that
 * shows a version (the spec screen) also takes e (edit it into a new
 * version), f (fit it) and p (preview it). */
#include "fpane.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HSTEP 8               /* columns h/l scroll */

struct ftline {
    char *text;
    char *gutter;             /* NULL: none */
    enum sx_role role;
};

struct sx_ftext {
    struct sx_view_ops ops;   /* this text's own: its title */
    char *title, *heading;
    struct ftline *v;
    size_t n, cap;
    size_t top;               /* first line shown */
    int left;                 /* display columns scrolled off on the left */
    size_t found;             /* the line the last search found, or (size_t)-1 */
    char *search;
    struct sx_fpane *pane;    /* with a version: the pane and a copy of it */
    struct sx_fversion ver;
    int has_ver;
    int wrap;                 /* long lines wrap at the view's width */
    /* with WRAP: the rows of the last layout, each a line and the byte
     * range of it shown (TOP and FOUND then count rows, not lines) */
    struct wrow {
        size_t line, from, to;
    } *rows;
    size_t nrows, rcap;
    int layout_w;             /* the width that layout was made for */
};

static char *dupstr(const char *s)
{
    return strdup(s ? s : "");
}

struct sx_ftext *sx_ftext_new(const char *title, const char *heading)
{
    struct sx_ftext *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->title = dupstr(title);
    t->heading = dupstr(heading);
    t->found = (size_t)-1;
    if (!t->title || !t->heading) {
        sx_ftext_free(t);
        return NULL;
    }
    return t;
}

void sx_ftext_free(struct sx_ftext *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].text);
        free(t->v[i].gutter);
    }
    free(t->v);
    free(t->title);
    free(t->heading);
    free(t->search);
    free(t->rows);
    if (t->has_ver)
        sx_fversion_clear(&t->ver);
    free(t);
}

/* One line (LEN bytes of S, tabs expanded to 4 columns). */
static int add_line(struct sx_ftext *t, enum sx_role role, const char *gutter, const char *s,
                    size_t len)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct ftline *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    size_t tabs = 0;
    for (size_t i = 0; i < len; i++)
        tabs += s[i] == '\t';
    char *text = malloc(len + 3 * tabs + 1);
    char *g = gutter ? strdup(gutter) : NULL;
    if (!text || (gutter && !g)) {
        free(text);
        free(g);
        return -1;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\t') {
            memcpy(text + o, "    ", 4);
            o += 4;
        } else if (s[i] != '\r') {
            text[o++] = s[i];
        }
    }
    text[o] = '\0';
    t->v[t->n++] = (struct ftline){.text = text, .gutter = g, .role = role};
    return 0;
}

int sx_ftext_add(struct sx_ftext *t, enum sx_role role, const char *gutter, const char *text)
{
    const char *p = text ? text : "";
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (add_line(t, role, gutter, p, len) != 0)
            return -1;
        if (!nl)
            return 0;
        p = nl + 1;
    }
}

int sx_ftext_addf(struct sx_ftext *t, enum sx_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    int rc = sx_ftext_add(t, role, NULL, s);
    free(s);
    return rc;
}

void sx_ftext_set_wrap(struct sx_ftext *t)
{
    t->wrap = 1;
}

int sx_ftext_set_version(struct sx_ftext *t, struct sx_fpane *p, const struct sx_fversion *v)
{
    struct sx_fversion c;
    if (sx_fpane_version_copy(&c, v) != 0)
        return -1;
    if (t->has_ver)
        sx_fversion_clear(&t->ver);
    t->ver = c;
    t->has_ver = 1;
    t->pane = p;
    return 0;
}

/* ---- the view ---- */

static size_t body_rows(const struct sx_view *v)
{
    int b = v->h - 2;         /* the heading above, the position line below */
    return b > 0 ? (size_t)b : 0;
}

static int gutter_width(struct sx_app *app, const struct sx_ftext *t)
{
    int w = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].gutter) {
            int gw = sx_text_width(app, t->v[i].gutter);
            if (gw > w)
                w = gw;
        }
    return w ? w + 1 : 0;
}

/* Columns of the first N bytes of S. */
static int width_n(struct sx_app *app, const char *s, size_t n)
{
    char *pre = strndup(s, n);
    int w = pre ? sx_text_width(app, pre) : 0;
    free(pre);
    return w;
}

static int add_row(struct sx_ftext *t, size_t line, size_t from, size_t to)
{
    if (t->nrows == t->rcap) {
        size_t cap = t->rcap ? t->rcap * 2 : 128;
        struct wrow *r = realloc(t->rows, cap * sizeof *r);
        if (!r)
            return -1;
        t->rows = r;
        t->rcap = cap;
    }
    t->rows[t->nrows++] = (struct wrow){line, from, to};
    return 0;
}

/* Wrap every line into rows of at most W columns (the first; later rows
 * of a line lose its indent plus 2): break after the last space or comma
 * that fits, else where the width ends. */
static void layout(struct sx_app *app, struct sx_ftext *t, int w)
{
    if (t->layout_w == w && t->nrows)
        return;
    t->nrows = 0;
    t->layout_w = w;
    for (size_t i = 0; i < t->n; i++) {
        const char *s = t->v[i].text;
        size_t len = strlen(s), from = 0;
        int indent = (int)strspn(s, " ") + 2;
        if (indent > w / 2)
            indent = 0;
        do {
            int room = from ? w - indent : w;
            if (room < 8)
                room = 8;
            size_t end = from, brk = 0;
            while (end < len) {
                size_t next = end + 1;
                while (next < len && ((unsigned char)s[next] & 0xC0) == 0x80)
                    next++;
                if (width_n(app, s + from, next - from) > room)
                    break;
                if (s[end] == ' ' || s[end] == ',')
                    brk = next;
                end = next;
            }
            if (end < len && brk > from && brk - from > (end - from) / 2)
                end = brk;
            if (end == from && from < len)
                end = from + 1;
            if (add_row(t, i, from, end) != 0)
                return;
            from = end;
            while (from < len && s[from] == ' ')
                from++;       /* a continuation starts at its indent */
        } while (from < len);
    }
}

static void text_draw(struct sx_view *v)
{
    struct sx_ftext *t = v->priv;
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h < 1 || v->w < 1)
        return;
    sx_draw_fill(v->app, v->y, v->x, 1, v->w, SX_ROLE_HEADER);
    sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_HEADER, t->heading, v->w - 1, 0);
    size_t page = body_rows(v);
    if (page == 0)
        return;
    int gw = gutter_width(v->app, t);
    if (t->wrap) {
        layout(v->app, t, v->w - 1 - gw);
        if (t->top + page > t->nrows)
            t->top = t->nrows > page ? t->nrows - page : 0;
        for (size_t i = 0; i < page && t->top + i < t->nrows; i++) {
            const struct wrow *r = &t->rows[t->top + i];
            const struct ftline *l = &t->v[r->line];
            int y = v->y + 1 + (int)i, x = v->x + 1;
            if (gw && r->from == 0)
                sx_draw_text(v->app, y, x, SX_ROLE_DIM, l->gutter ? l->gutter : "", gw, 1);
            x += gw;
            if (r->from) {
                int indent = (int)strspn(l->text, " ") + 2;
                x += indent <= (v->w - gw) / 2 ? indent : 0;
            }
            char *part = strndup(l->text + r->from, r->to - r->from);
            if (part && x < v->x + v->w)
                sx_draw_text(v->app, y, x, t->top + i == t->found ? SX_ROLE_CURSOR_ROW : l->role,
                             part, v->x + v->w - x, 0);
            free(part);
        }
        char foot[160];
        snprintf(foot, sizeof foot, "rows %zu-%zu of %zu (%zu lines, wrapped)",
                 t->nrows ? t->top + 1 : 0, t->top + page < t->nrows ? t->top + page : t->nrows,
                 t->nrows, t->n);
        sx_draw_text(v->app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
        return;
    }
    if (t->top + page > t->n)
        t->top = t->n > page ? t->n - page : 0;
    for (size_t i = 0; i < page && t->top + i < t->n; i++) {
        const struct ftline *l = &t->v[t->top + i];
        int y = v->y + 1 + (int)i;
        int x = v->x + 1;
        int found = t->top + i == t->found;
        if (found)
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_CURSOR_ROW);
        if (gw && x < v->x + v->w) {
            sx_draw_text(v->app, y, x, found ? SX_ROLE_CURSOR_ROW : SX_ROLE_DIM,
                         l->gutter ? l->gutter : "", gw < v->w - 1 ? gw : v->w - 1, 1);
            x += gw;
        }
        if (x < v->x + v->w)
            sx_draw_text(v->app, y, x, found ? SX_ROLE_CURSOR_ROW : l->role,
                         sx_text_skip(v->app, l->text, t->left, NULL), v->x + v->w - x, 0);
    }
    char foot[160];
    if (t->n == 0)
        snprintf(foot, sizeof foot, "(empty)");
    else
        snprintf(foot, sizeof foot, "lines %zu-%zu of %zu%s", t->top + 1,
                 t->top + page < t->n ? t->top + page : t->n, t->n,
                 t->left ? "  (scrolled right: Home)" : "");
    sx_draw_text(v->app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
}

/* Move to the next (DIR 1) or previous (-1) line holding the search. */
static unsigned text_find(struct sx_view *v, int dir)
{
    struct sx_ftext *t = v->priv;
    if (!t->search || !*t->search) {
        sx_status(v->app, 1, "no search yet (/ searches the text)");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    /* from the line after the last one found, else from the top line */
    size_t from = t->found != (size_t)-1 ? t->found : t->top;
    if (t->wrap && t->nrows)   /* TOP and FOUND count rows: back to lines */
        from = t->rows[from < t->nrows ? from : t->nrows - 1].line;
    size_t k0 = t->found != (size_t)-1;
    for (size_t k = k0; k < k0 + t->n; k++) {
        size_t i = dir > 0 ? (from + k) % t->n : (from + t->n - k % t->n) % t->n;
        if (strcasestr(t->v[i].text, t->search)) {
            t->found = i;
            if (t->wrap) {
                /* the first row of that line */
                layout(v->app, t, v->w - 1 - gutter_width(v->app, t));
                for (size_t r = 0; r < t->nrows; r++)
                    if (t->rows[r].line == i) {
                        t->found = r;
                        break;
                    }
                i = t->found;
            }
            size_t page = body_rows(v);
            if (i < t->top || i >= t->top + page)
                t->top = i > page / 2 ? i - page / 2 : 0;
            sx_status(v->app, 0, "'%s': line %zu", t->search, i + 1);
            return SX_H_HANDLED | SX_H_REDRAW;
        }
    }
    sx_status(v->app, 1, "'%s' not found", t->search);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static int widest_line(struct sx_app *app, const struct sx_ftext *t)
{
    int widest = 0;
    for (size_t i = 0; i < t->n; i++) {
        int w = sx_text_width(app, t->v[i].text);
        if (w > widest)
            widest = w;
    }
    return widest;
}

static unsigned text_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct sx_ftext *t = v->priv;
    size_t page = body_rows(v);
    if (page == 0)
        page = 1;
    if (t->wrap)
        layout(v->app, t, v->w - 1 - gutter_width(v->app, t));
    size_t count = t->wrap ? t->nrows : t->n;
    size_t last = count > page ? count - page : 0;
    if (t->has_ver) {
        unsigned f = sx_fpane_version_cmd(t->pane, &t->ver, cmd);
        if (f)
            return f;
    }
    switch (cmd) {
    case SX_CMD_MOVE_UP:
        if (t->top > 0)
            t->top--;
        break;
    case SX_CMD_MOVE_DOWN:
        if (t->top < last)
            t->top++;
        break;
    case SX_CMD_PAGE_UP:
        t->top = t->top > page ? t->top - page : 0;
        break;
    case SX_CMD_PAGE_DOWN:
        t->top = t->top + page < last ? t->top + page : last;
        break;
    case SX_CMD_MOVE_FIRST:
        t->top = 0;
        break;
    case SX_CMD_MOVE_LAST:
        t->top = last;
        break;
    case SX_CMD_MOVE_LEFT:
        t->left = t->left > HSTEP ? t->left - HSTEP : 0;
        break;
    case SX_CMD_MOVE_HOME:
        t->left = 0;
        break;
    case SX_CMD_MOVE_RIGHT:
    case SX_CMD_MOVE_END: {
        if (t->wrap)
            break;            /* nothing is off to the side */
        int room = v->w - 2 - gutter_width(v->app, t);
        int widest = widest_line(v->app, t);
        if (cmd == SX_CMD_MOVE_END)
            t->left = widest > room ? widest - room : 0;
        else if (t->left + room < widest)
            t->left += HSTEP;
        break;
    }
    case SX_CMD_SEARCH: {
        char *s = arg && *arg ? strdup(arg) : sx_app_ask(v->app, "search: ", "");
        if (!s)
            return SX_H_HANDLED | SX_H_REDRAW;
        free(t->search);
        t->search = s;
        t->found = (size_t)-1;
        return text_find(v, 1);
    }
    case SX_CMD_SEARCH_NEXT:
        return text_find(v, 1);
    case SX_CMD_SEARCH_PREV:
        return text_find(v, -1);
    default:
        return 0;
    }
    return SX_H_HANDLED | SX_H_REDRAW;
}

static void text_close(struct sx_view *v)
{
    sx_ftext_free(v->priv);
}

static const enum sx_cmd text_keybar[] = {SX_CMD_SEARCH, SX_CMD_HELP, SX_CMD_BACK, SX_CMD_NONE};
static const enum sx_cmd version_keybar[] = {SX_CMD_SPEC_EDIT, SX_CMD_FIT, SX_CMD_PREVIEW,
                                             SX_CMD_SEARCH, SX_CMD_HELP, SX_CMD_BACK,
                                             SX_CMD_NONE};

struct sx_view *sx_ftext_view(struct sx_app *app, struct sx_ftext *t, struct sx_err *err)
{
    t->ops = (struct sx_view_ops){
        .name = "feature-text",
        .title = t->title,
        .draw = text_draw,
        .handle = text_handle,
        .close = text_close,
        .keybar = t->has_ver ? version_keybar : text_keybar,
    };
    struct sx_view *v = sx_view_new(app, &t->ops, t);
    if (!v) {
        sx_ftext_free(t);
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}
