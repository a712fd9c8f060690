/* tui/sheet.c: helpers the Data pane's sheets share (tui/sheet.h): cursor
 * and scrolling arithmetic, numbers that fit a column, sparklines and bars
 * as text, the summary line, the lists of stored data sets and feature
 * sets, and borrowed column sets for jobs. */
#include "sheet.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

/* ---- cursor ---- */

void sx_sheet_scroll(struct sx_sheet_cursor *c, size_t page)
{
    if (page < 1)
        page = 1;
    if (c->n == 0) {
        c->cur = c->top = 0;
        return;
    }
    if (c->cur >= c->n)
        c->cur = c->n - 1;
    if (c->top + page > c->n)
        c->top = c->n > page ? c->n - page : 0;
    if (c->cur < c->top)
        c->top = c->cur;
    if (c->cur >= c->top + page)
        c->top = c->cur - page + 1;
}

unsigned sx_sheet_move(struct sx_sheet_cursor *c, enum sx_cmd cmd, size_t page)
{
    if (page < 1)
        page = 1;
    size_t last = c->n ? c->n - 1 : 0;
    switch (cmd) {
    case SX_CMD_MOVE_UP:
        if (c->cur > 0)
            c->cur--;
        break;
    case SX_CMD_MOVE_DOWN:
        if (c->cur < last)
            c->cur++;
        break;
    case SX_CMD_PAGE_UP:
        c->cur = c->cur > page ? c->cur - page : 0;
        c->top = c->top > page ? c->top - page : 0;
        break;
    case SX_CMD_PAGE_DOWN:
        c->cur = c->cur + page < last ? c->cur + page : last;
        c->top += page;
        break;
    case SX_CMD_MOVE_FIRST:
        c->cur = 0;
        break;
    case SX_CMD_MOVE_LAST:
        c->cur = last;
        break;
    default:
        return 0;
    }
    sx_sheet_scroll(c, page);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* ---- text ---- */

const char *sx_sheet_type_glyph(enum sx_type t, int utf8)
{
    switch (t) {
    case SX_FLOAT: return "%";
    case SX_INT: return "#";
    case SX_BOOL: return "?";
    case SX_DATE: return "@";
    case SX_CATEGORY: return utf8 ? "≡" : "=";
    case SX_TEXT: return "~";
    }
    return " ";
}

void sx_sheet_fmt_num(double v, int width, char *buf, size_t size)
{
    static const struct { double div; char suffix; } units[] = {
        {1e3, 'k'}, {1e6, 'M'}, {1e9, 'G'}, {1e12, 'T'}, {1e15, 'P'},
    };
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    if (width < 1)
        width = 1;
    for (int p = 6; p >= 2; p--) {
        int n = snprintf(buf, size, "%.*g", p, v);
        /* %g turns to an exponent from 1e6 on: up to 15 digits read better
         * in full (to the unit) when they fit. */
        if (strchr(buf, 'e') && fabs(v) >= 1 && fabs(v) < 1e15) {
            char plain[40];
            if (snprintf(plain, sizeof plain, "%.0f", v) <= width) {
                snprintf(buf, size, "%s", plain);
                return;
            }
        }
        if (n <= width)
            return;
    }
    /* Narrower still: a unit suffix keeps the magnitude readable ("14.0M"
     * where "1e+07" would be all that fits). */
    size_t nu = sizeof units / sizeof units[0];
    for (size_t u = 0; u < nu && fabs(v) >= 1e3; u++) {
        double x = v / units[u].div;
        if (fabs(x) >= 999.5 && u + 1 < nu)
            continue;
        for (int d = 2; d >= 0; d--)
            if (snprintf(buf, size, "%.*f%c", d, x, units[u].suffix) <= width)
                return;
        break;
    }
    snprintf(buf, size, "%.1g", v);
}

void sx_sheet_fmt_count(uint64_t n, int width, char *buf, size_t size)
{
    static const struct { double div; char suffix; } units[] = {
        {1e3, 'k'}, {1e6, 'M'}, {1e9, 'G'}, {1e12, 'T'}, {1e15, 'P'},
    };
    char plain[32], sep[48];
    int len = snprintf(plain, sizeof plain, "%" PRIu64, n), at = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            sep[at++] = ',';
        sep[at++] = plain[i];
    }
    sep[at] = '\0';
    if (at <= width) {
        snprintf(buf, size, "%s", sep);
        return;
    }
    if (len <= width) {
        snprintf(buf, size, "%s", plain);
        return;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        double x = (double)n / units[u].div;
        if (x >= 999.95 && u + 1 < sizeof units / sizeof units[0])
            continue;
        if (snprintf(buf, size, "%.1f%c", x, units[u].suffix) <= width)
            return;
        if (snprintf(buf, size, "%.0f%c", x, units[u].suffix) <= width)
            return;
    }
}

void sx_sheet_fmt_rows(uint64_t n, char *buf, size_t size)
{
    char num[32];
    sx_sheet_fmt_count(n, 31, num, sizeof num);
    snprintf(buf, size, "%s row%s", num, n == 1 ? "" : "s");
}

void sx_sheet_fmt_commas(uint64_t n, char *buf, size_t size)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%" PRIu64, n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
}

void sx_sheet_fmt_when(const char *iso, char *buf, size_t size)
{
    snprintf(buf, size, "%.16s", iso ? iso : "");
    if (strlen(buf) > 10 && buf[10] == 'T')
        buf[10] = ' ';
}

void sx_sheet_fmt_pct(uint64_t part, uint64_t whole, char *buf, size_t size)
{
    if (whole == 0 || part == 0) {
        snprintf(buf, size, "0%%");
        return;
    }
    if (part >= whole) {
        snprintf(buf, size, "100%%");
        return;
    }
    double p = 100.0 * (double)part / (double)whole;
    if (p < 0.1)
        snprintf(buf, size, "<0.1%%");
    else if (p >= 99.95)
        snprintf(buf, size, ">99.9%%");
    else
        snprintf(buf, size, "%.1f%%", p);
}

void sx_sheet_fmt_date(double v, enum sx_date_unit unit, char *buf, size_t size)
{
    char tmp[32];
    double fl = floor(v);
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    if (!(fl >= -9.2e18 && fl <= 9.2e18)) {
        snprintf(buf, size, "%g", v);
        return;
    }
    if (unit == SX_SECONDS)
        sx_datetime_format((int64_t)fl, tmp);
    else
        sx_date_format((int64_t)fl, tmp);
    snprintf(buf, size, "%s", tmp);
}

/* Append S to BUF (SIZE bytes) at *AT if it fits. */
static void put(char *buf, size_t size, size_t *at, const char *s)
{
    size_t n = strlen(s);
    if (*at + n < size) {
        memcpy(buf + *at, s, n);
        *at += n;
    }
    buf[*at] = '\0';
}

void sx_sheet_spark(const uint64_t *counts, size_t n, int width, int utf8, char *buf,
                    size_t size)
{
    static const char *const blocks[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ascii[8] = {'.', ':', '-', '=', '+', '*', '#', '@'};
    size_t at = 0;
    buf[0] = '\0';
    if (n == 0 || width <= 0)
        return;
    size_t cells = (size_t)width < n ? (size_t)width : n;
    double merged[256], max = 0;
    if (cells > sizeof merged / sizeof merged[0])
        cells = sizeof merged / sizeof merged[0];
    /* A cell covering several bins shows their mean, so cells that cover
     * two bins do not stand taller than cells that cover one. */
    for (size_t k = 0; k < cells; k++) {
        size_t a = k * n / cells, b = (k + 1) * n / cells;
        uint64_t sum = 0;
        for (size_t i = a; i < b; i++)
            sum += counts[i];
        merged[k] = (double)sum / (double)(b - a);
        if (merged[k] > max)
            max = merged[k];
    }
    for (size_t k = 0; k < cells; k++) {
        char one[2] = {' ', '\0'};
        const char *s = one;
        if (merged[k] > 0 && max > 0) {
            /* Level 1..8: the smallest non-zero count still shows. */
            size_t level = (size_t)ceil(8.0 * merged[k] / max);
            if (level < 1) level = 1;
            if (level > 8) level = 8;
            if (utf8)
                s = blocks[level - 1];
            else
                one[0] = ascii[level - 1];
        }
        put(buf, size, &at, s);
    }
}

void sx_sheet_bar(double frac, int width, int utf8, char *buf, size_t size)
{
    static const char *const part[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    size_t at = 0;
    buf[0] = '\0';
    if (!(frac > 0) || width <= 0)
        return;
    if (frac > 1)
        frac = 1;
    long eighths = lround(frac * width * 8.0);
    if (eighths < 1)
        eighths = 1;
    if (!utf8) {
        long full = (eighths + 7) / 8;
        for (long i = 0; i < full && i < width; i++)
            put(buf, size, &at, "#");
        return;
    }
    for (long i = 0; i < eighths / 8; i++)
        put(buf, size, &at, "█");
    put(buf, size, &at, part[eighths % 8]);
}

/* ---- heading ---- */

int sx_sheet_heading(struct sx_view *v, const char *left, const char *right)
{
    if (v->h <= 0 || v->w <= 0)
        return 0;
    int rw = right && *right ? sx_text_width(v->app, right) : 0;
    if (rw > 0 && rw + 8 <= v->w) {
        sx_draw_text(v->app, v->y, v->x, SX_ROLE_DIM, left, v->w - rw - 1, 1);
        sx_draw_text(v->app, v->y, v->x + v->w - rw - 1, SX_ROLE_DIM, " ", 1, 0);
        sx_draw_text(v->app, v->y, v->x + v->w - rw, SX_ROLE_DIM, right, rw, 0);
    } else {
        sx_draw_text(v->app, v->y, v->x, SX_ROLE_DIM, left, v->w, 1);
    }
    if (v->h > 1)
        sx_draw_fill(v->app, v->y + 1, v->x, 1, v->w, SX_ROLE_HEADER);
    return v->h > 2 ? v->h - 2 : 0;
}

void sx_sheet_scroll_mark(size_t first, size_t shown, size_t total, char *buf, size_t size)
{
    if (first == 0 && first + shown >= total) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, size, "%s %zu-%zu/%zu %s", first > 0 ? "‹" : " ", first + 1, first + shown,
             total, first + shown < total ? "›" : " ");
}

/* ---- lists of stored objects ---- */

void sx_sheet_notice(struct sx_view *v, const char *const *lines)
{
    for (int i = 0; lines[i] && i < v->h; i++)
        sx_draw_text(v->app, v->y + i, v->x + 1, i ? SX_ROLE_DIM : SX_ROLE_DEFAULT, lines[i],
                     v->w - 1, 0);
}

int sx_sheet_start(struct sx_view *v, const char *error)
{
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h < 1 || v->w < 2)
        return 1;
    if (error[0]) {
        sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_ERROR, error, v->w - 1, 0);
        return 1;
    }
    return 0;
}

int sx_sheet_list_start(struct sx_view *v, const struct sx_sheet_list *l, int have_store,
                        const char *error)
{
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h < 1 || v->w < 1)
        return 1;
    if (!have_store) {
        sx_sheet_notice(v, l->no_store);
        return 1;
    }
    if (error[0]) {
        sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_ERROR, error, v->w - 1, 0);
        return 1;
    }
    if (l->n == 0) {
        sx_sheet_notice(v, l->empty);
        return 1;
    }
    return 0;
}

/* Room for a cell's text: the longest is a name or an author, cut to the
 * screen anyway. */
#define LIST_CELL_MAX 300

void sx_sheet_list_draw(struct sx_view *v, const struct sx_sheet_list *l, size_t top,
                        size_t cur)
{
    int width[SX_SHEET_LIST_COLS];
    int ncols = l->ncols < SX_SHEET_LIST_COLS ? l->ncols : SX_SHEET_LIST_COLS;
    char buf[LIST_CELL_MAX];
    for (int c = 0; c < ncols; c++) {
        width[c] = sx_text_width(v->app, l->titles[c]);
        for (size_t i = 0; i < l->n; i++) {
            l->cell(l->ctx, i, c, buf, sizeof buf);
            int w = sx_text_width(v->app, buf);
            if (w > width[c])
                width[c] = w;
        }
    }
    int cap = v->w / 3 > 12 ? v->w / 3 : 12;
    if (width[l->name_col] > cap)
        width[l->name_col] = cap;
    if (width[l->author_col] > 12)
        width[l->author_col] = 12;

    int body = v->h > 2 ? v->h - 2 : v->h - 1;
    for (int row = -1; row < body; row++) {
        size_t i = top + (size_t)row;
        if (row >= 0 && i >= l->n)
            break;
        int y = v->y + 1 + row;
        int is_cur = row >= 0 && i == cur;
        enum sx_role base = row < 0 ? SX_ROLE_HEADER : is_cur ? SX_ROLE_CURSOR_ROW
                                                               : SX_ROLE_DEFAULT;
        if (row < 0 || is_cur)
            sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        int x = v->x + 1;
        for (int c = 0; c < ncols && x < v->x + v->w; c++) {
            int room = v->x + v->w - x;
            int w = width[c] < room ? width[c] : room;
            if (l->right[c] && w < width[c])
                break;            /* a cut number would mislead: leave it out */
            const char *s = l->titles[c];
            if (row >= 0) {
                l->cell(l->ctx, i, c, buf, sizeof buf);
                s = buf;
            }
            enum sx_role role = row >= 0 && !is_cur ? l->roles[c] : base;
            if (l->right[c])
                sx_draw_text_right(v->app, y, x, role, s, w);
            else
                sx_draw_text(v->app, y, x, role, s, w, 1);
            x += width[c] + 2;
        }
    }
}

/* ---- borrowed columns ---- */

struct sx_frame sx_sheet_borrow(const struct sx_frame *f, const size_t *cols, size_t n,
                                struct sx_column **ptrs)
{
    for (size_t i = 0; i < n; i++)
        ptrs[i] = f->cols[cols[i]];
    return (struct sx_frame){.cols = ptrs, .ncols = n, .cap = n, .nrows = f->nrows};
}

int sx_sheet_rows(const struct sx_table *t, int ordered, size_t **rows, size_t *n)
{
    size_t all = t->frame->nrows;
    *rows = NULL;
    *n = all;
    if (t->nrows == all) {
        size_t i = 0;
        if (ordered)
            while (i < all && t->rows[i] == i)
                i++;
        if (!ordered || i == all)
            return 0;
    }
    size_t *r = malloc((t->nrows ? t->nrows : 1) * sizeof *r);
    if (!r)
        return -1;
    if (t->nrows)
        memcpy(r, t->rows, t->nrows * sizeof *r);
    *rows = r;
    *n = t->nrows;
    return 0;
}

const char *sx_sheet_col_name(const struct sx_table *t, size_t col)
{
    if (t->names && t->names[col])
        return t->names[col];
    return t->frame->cols[col]->name;
}
