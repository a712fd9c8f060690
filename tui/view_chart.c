/* tui/view_chart.c: the chart view (`.`, `:plot hist|scatter|line …`):
 * core/plot computes the chart from the table's visible rows, gnuplot
 * draws it on the dumb terminal sized to the view (ansi256), and the
 * parsed cells are painted here; a new size (KEY_RESIZE, :resize) draws it
 * again. `:export png|svg PATH` writes the same chart as an image.
 *
 * One gnuplot process serves the whole session: the app's (sx_app_plot),
 * it starts with the first chart and ends when the workbench exits (the
 * app closes its stdin and reaps it); if it dies, the next chart starts
 * another. Without
 * gnuplot a histogram is drawn as native bars and the status line says
 * why; scatter and line charts say they need gnuplot.
 *
 * Colours: cells gnuplot left in its default colour take the chart role;
 * the series' 256-colour indices get colour pairs of their own (numbered
 * after the theme's role pairs, over the chart role's background) when the
 * terminal has 256 colours and the theme uses colour; otherwise the chart
 * role alone applies and series stay apart by their characters. Each
 * chart view keeps its own table of those pairs. */
#include "sheets.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sheet.h"
#include "tui.h"

/* ---- the view's state ---- */

enum chart_mode {
    MODE_GNUPLOT,             /* grid holds gnuplot's drawing */
    MODE_BARS,                /* native bars (histogram without gnuplot) */
    MODE_NOTE,                /* only a message (note) */
};

struct chart_view {
    struct sx_table *t;
    struct sx_plot_chart *chart;
    char *what;               /* "hist price by region", for the summary line */
    enum chart_mode mode;
    struct sx_plot_grid grid; /* gnuplot's cells at gw x gh */
    int gw, gh;
    int dirty;                /* draw again even at the same size */
    char note[600];           /* why there is no gnuplot drawing */
    short pair_of[256];       /* colour pair of each 256-colour index, 0 = none yet */
    short next_pair;          /* the next pair to hand out */
};

/* The chart's description from its spec, with display names. */
static char *describe(const struct sx_table *t, const struct sx_plot_spec *s)
{
    const char *x = sx_sheet_col_name(t, s->x);
    const char *y = s->kind == SX_PLOT_HIST ? NULL : sx_sheet_col_name(t, s->y);
    const char *by = s->by >= 0 ? sx_sheet_col_name(t, (size_t)s->by) : NULL;
    char *out = NULL;
    if (asprintf(&out, "%s %s%s%s%s%s", sx_plot_kind_name(s->kind), x, y ? " " : "", y ? y : "",
                 by ? " by " : "", by ? by : "") < 0)
        return NULL;
    return out;
}

/* Parse ARGS and compute the chart over T's visible rows. */
static struct sx_plot_chart *build(const struct sx_table *t, const char *args, char **what,
                                   struct sx_err *err)
{
    struct sx_plot_spec spec;
    if (sx_plot_spec_parse(t->frame, (const char *const *)t->names, args, &spec, err) != SX_OK)
        return NULL;
    struct sx_plot_chart *c = sx_plot_chart_new(t->frame, t->rows, t->nrows,
                                                (const char *const *)t->names, &spec, err);
    if (!c)
        return NULL;
    if (!(*what = describe(t, &spec))) {
        sx_plot_chart_free(c);
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    return c;
}

/* The body: the view less its summary line. */
static void body_rect(const struct sx_view *v, int *y, int *h)
{
    *y = v->y + 1;
    *h = v->h - 1;
}

/* Whether the theme paints in 256 colours: its role attributes carry
 * colour pairs only when colour is on (not NO_COLOR, a colour terminal). */
static int colour_mode(struct sx_app *app)
{
    return PAIR_NUMBER(sx_role_attr(app, SX_ROLE_CHART)) > 0 && COLORS >= 256;
}

/* Draw the chart with gnuplot at the body's size when it changed. Returns
 * 1 when the mode or the note changed (the status line should say so). */
static int render(struct sx_view *v)
{
    struct chart_view *cv = v->priv;
    int bw = v->w, bh = v->h - 1;     /* the body: below the summary line */
    if (!cv->dirty && cv->gw == bw && cv->gh == bh)
        return 0;
    cv->dirty = 0;
    enum chart_mode old = cv->mode;
    sx_plot_grid_free(&cv->grid);
    cv->gw = bw;
    cv->gh = bh;
    if (bw < 20 || bh < 6) {
        cv->mode = MODE_NOTE;
        snprintf(cv->note, sizeof cv->note, "the window is too small for a chart (20x7 at least)");
        return old != MODE_NOTE;
    }
    struct sx_err err = {0};
    struct sx_plot *gp;
    enum sx_status rc = sx_app_plot(v->app, &gp, &err);
    if (rc == SX_OK)
        rc = sx_plot_render_text(gp, cv->chart, bw, bh, colour_mode(v->app), &cv->grid, &err);
    if (rc == SX_OK) {
        cv->mode = MODE_GNUPLOT;
        cv->note[0] = '\0';
        return old != MODE_GNUPLOT;
    }
    char note[sizeof cv->note + sizeof err.msg];
    if (rc == SX_ENOTFOUND)
        snprintf(note, sizeof note, "%s: %s", err.msg,
                 cv->chart->kind == SX_PLOT_HIST ? "native bars instead"
                                                 : "scatter and line charts need it");
    else
        snprintf(note, sizeof note, "%s", err.msg);
    int changed = strncmp(note, cv->note, sizeof cv->note - 1) != 0;
    snprintf(cv->note, sizeof cv->note, "%.*s", (int)sizeof cv->note - 1, note);
    cv->mode = rc == SX_ENOTFOUND && cv->chart->kind == SX_PLOT_HIST ? MODE_BARS : MODE_NOTE;
    return changed || old != cv->mode;
}

static void tell(struct sx_view *v)
{
    struct chart_view *cv = v->priv;
    if (cv->mode != MODE_GNUPLOT)
        sx_status(v->app, cv->mode == MODE_NOTE, "%s", cv->note);
}

/* ---- painting ---- */

/* Colour pairs for gnuplot's 256-colour indices: numbered after the
 * theme's role pairs (1..SX_ROLE_COUNT) with room left for the shell. */
#define CHART_PAIR_BASE (SX_ROLE_COUNT + 33)

/* CV's pair for COLOR over background BG, (re)initialised once per paint
 * (INITED marks those done); -1 when pairs run out. */
static short colour_pair(struct chart_view *cv, int color, short bg, unsigned char *inited)
{
    if (!cv->pair_of[color]) {
        if (cv->next_pair >= COLOR_PAIRS || cv->next_pair == SHRT_MAX)
            return -1;
        cv->pair_of[color] = cv->next_pair++;
    }
    if (!inited[color]) {
        init_pair(cv->pair_of[color], (short)color, bg);
        inited[color] = 1;
    }
    return cv->pair_of[color];
}

static void paint_grid(struct sx_view *v, const struct sx_plot_grid *g, int y0)
{
    attr_t base = sx_role_attr(v->app, SX_ROLE_CHART);
    short base_pair = (short)PAIR_NUMBER(base), fg = -1, bg = -1;
    attr_t attrs = base & ~A_COLOR;
    int colours = colour_mode(v->app);
    if (colours && base_pair > 0)
        pair_content(base_pair, &fg, &bg);
    unsigned char inited[256] = {0};
    for (int y = 0; y < g->h && y < v->h - 1; y++) {
        for (int x = 0; x < g->w && x < v->w; x++) {
            const struct sx_plot_cell *cell = &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
            short pair = base_pair;
            if (colours && cell->color >= 0) {
                short p = colour_pair(v->priv, cell->color, bg, inited);
                if (p > 0)
                    pair = p;
            }
            sx_draw_plot_cell(v->app, y0 + y, v->x + x, cell, attrs, pair);
        }
    }
}

/* A bin edge as text in at most WIDTH columns. */
static void edge_text(const struct sx_plot_chart *c, double e, int width, char *buf, size_t size)
{
    if (c->xtime) {
        if (c->xdays)
            sx_sheet_fmt_date(e / 86400.0, SX_DAYS, buf, size);
        else
            sx_sheet_fmt_date(e, SX_SECONDS, buf, size);
    } else {
        sx_sheet_fmt_num(e, width, buf, size);
    }
}

/* Native bars: one row per bin (adjacent bins merged to fit), the counts
 * of every series added. */
static void paint_bars(struct sx_view *v, const struct sx_plot_chart *c, int y0, int h)
{
    if (h < 2 || c->nbins == 0)
        return;
    /* Merge PER adjacent bins per row, PER dividing the bin count so
     * every row spans the same width. */
    int rows = h - 1;
    size_t per = (c->nbins + (size_t)rows - 1) / (size_t)rows;
    while (c->nbins % per)
        per++;
    size_t nrows = c->nbins / per;
    uint64_t sums[SX_PLOT_MAX_BINS], max = 0;
    for (size_t r = 0; r < nrows; r++) {
        sums[r] = 0;
        for (size_t b = r * per; b < (r + 1) * per && b < c->nbins; b++)
            for (size_t s = 0; s < c->nseries; s++)
                sums[r] += c->counts[s * c->nbins + b];
        if (sums[r] > max)
            max = sums[r];
    }
    int numw = c->xtime ? (c->xdays ? 10 : 19) : v->w >= 80 ? 9 : 7;
    int labw = 2 * numw + 3, cntw = 9;
    if (labw + cntw + 4 > v->w) {
        numw = (v->w - cntw - 7) / 2;
        if (numw < 3)
            numw = 3;
        labw = 2 * numw + 3;
    }
    int barw = v->w - labw - cntw - 2;
    char head[128];
    snprintf(head, sizeof head, "%-*s%*s", labw, "bin", cntw, "count");
    sx_draw_text(v->app, y0, v->x, SX_ROLE_HEADER, head, v->w, 1);
    for (size_t r = 0; r < nrows && (int)r < rows; r++) {
        size_t b0 = r * per, b1 = (r + 1) * per < c->nbins ? (r + 1) * per : c->nbins;
        char lo[48], hi[48], lab[128], cnt[32], bar[512];
        edge_text(c, c->edges[b0], numw, lo, sizeof lo);
        edge_text(c, c->edges[b1], numw, hi, sizeof hi);
        snprintf(lab, sizeof lab, "%*s - %*s", numw, lo, numw, hi);
        sx_sheet_fmt_count(sums[r], cntw - 1, cnt, sizeof cnt);
        int y = y0 + 1 + (int)r;
        sx_draw_text(v->app, y, v->x, SX_ROLE_NUMBER, lab, labw, 1);
        sx_draw_text_right(v->app, y, v->x + labw, SX_ROLE_NUMBER, cnt, cntw);
        sx_draw_fill(v->app, y, v->x + labw + cntw, 1, 2, SX_ROLE_CHART);
        if (barw > 0) {
            sx_sheet_bar(max ? (double)sums[r] / (double)max : 0, barw, sx_app_utf8(v->app), bar,
                         sizeof bar);
            sx_draw_text(v->app, y, v->x + labw + cntw + 2, SX_ROLE_BAR, bar, barw, 1);
        }
    }
}

static void chart_draw(struct sx_view *v)
{
    struct chart_view *cv = v->priv;
    if (v->h <= 0 || v->w <= 0)
        return;
    if (render(v))
        tell(v);
    char sum[600];
    const char *how = cv->mode == MODE_GNUPLOT ? "gnuplot" : cv->mode == MODE_BARS ? "native bars" : "";
    if (cv->chart->kind == SX_PLOT_SCATTER && cv->chart->plotted < cv->chart->rows)
        snprintf(sum, sizeof sum, "%s  %llu of %llu rows  %s", cv->what,
                 (unsigned long long)cv->chart->plotted, (unsigned long long)cv->chart->rows, how);
    else
        snprintf(sum, sizeof sum, "%s  %llu rows  %s", cv->what,
                 (unsigned long long)cv->chart->rows, how);
    sx_draw_text(v->app, v->y, v->x, SX_ROLE_DIM, sum, v->w, 1);
    int y0, h;
    body_rect(v, &y0, &h);
    sx_draw_fill(v->app, y0, v->x, h, v->w, SX_ROLE_CHART);
    switch (cv->mode) {
    case MODE_GNUPLOT:
        paint_grid(v, &cv->grid, y0);
        break;
    case MODE_BARS:
        paint_bars(v, cv->chart, y0, h);
        break;
    case MODE_NOTE:
        if (h > 0)
            sx_draw_text(v->app, y0, v->x, SX_ROLE_DIM, cv->note, v->w, 1);
        break;
    }
}

/* ---- commands ---- */

/* `:export png|svg PATH` (or `:export PATH.png|PATH.svg`). */
static unsigned do_export(struct sx_view *v, const char *arg)
{
    struct chart_view *cv = v->priv;
    struct sx_err err = {0};
    enum sx_plot_format fmt;
    const char *p = arg ? arg : "";
    while (*p == ' ' || *p == '\t')
        p++;
    size_t wl = strcspn(p, " \t");
    if ((wl == 3 && (strncmp(p, "png", 3) == 0 || strncmp(p, "svg", 3) == 0)) && p[wl]) {
        fmt = p[0] == 'p' ? SX_PLOT_PNG : SX_PLOT_SVG;
        p += wl;
        while (*p == ' ' || *p == '\t')
            p++;
    } else {
        size_t n = strlen(p);
        if (n > 4 && strcmp(p + n - 4, ".png") == 0)
            fmt = SX_PLOT_PNG;
        else if (n > 4 && strcmp(p + n - 4, ".svg") == 0)
            fmt = SX_PLOT_SVG;
        else {
            sx_status(v->app, 1, "usage: :export png|svg PATH");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
    }
    char *path = NULL;
    const char *home = getenv("HOME");
    if (p[0] == '~' && p[1] == '/' && home && *home) {
        if (asprintf(&path, "%s%s", home, p + 1) < 0)
            path = NULL;
    } else {
        path = strdup(p);
    }
    if (!path) {
        sx_status(v->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_plot *gp;
    enum sx_status rc = *path ? sx_app_plot(v->app, &gp, &err)
                              : sx_err_set(&err, SX_EINVAL, "usage: :export png|svg PATH");
    if (rc == SX_OK)
        rc = sx_plot_export(gp, cv->chart, fmt, path, &err);
    if (rc == SX_OK)
        sx_status(v->app, 0, "wrote %s (%s)", path, sx_plot_format_name(fmt));
    else
        sx_status(v->app, 1, "export: %s", err.msg);
    free(path);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* `:plot …` on the chart: replace it, keeping the old one on error. */
static unsigned do_replot(struct sx_view *v, const char *arg)
{
    struct chart_view *cv = v->priv;
    struct sx_err err = {0};
    char *what = NULL;
    struct sx_plot_chart *c = build(cv->t, arg, &what, &err);
    if (!c) {
        sx_status(v->app, 1, "plot: %s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_plot_chart_free(cv->chart);
    free(cv->what);
    cv->chart = c;
    cv->what = what;
    sx_plot_grid_free(&cv->grid);
    cv->dirty = 1;
    sx_status(v->app, 0, "%s", "");
    if (render(v))
        tell(v);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned chart_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    switch (cmd) {
    case SX_CMD_EXPORT:
        return do_export(v, arg);
    case SX_CMD_PLOT:
        return do_replot(v, arg);
    default:
        return 0;
    }
}

static void chart_close(struct sx_view *v)
{
    struct chart_view *cv = v->priv;
    if (!cv)
        return;
    sx_plot_grid_free(&cv->grid);
    sx_plot_chart_free(cv->chart);
    free(cv->what);
    free(cv);
    v->priv = NULL;
}

static const enum sx_cmd chart_keybar[] = {SX_CMD_EXPORT, SX_CMD_PLOT, SX_CMD_NONE};

static const struct sx_view_ops chart_ops = {
    .name = "chart",
    .title = "Chart",
    .draw = chart_draw,
    .handle = chart_handle,
    .tick = NULL,
    .close = chart_close,
    .keybar = chart_keybar,
};

struct sx_view *sx_view_chart_new(struct sx_app *app, struct sx_table *t, const char *args,
                                  struct sx_err *err)
{
    struct chart_view *cv = calloc(1, sizeof *cv);
    if (!cv) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    cv->t = t;
    cv->dirty = 1;
    cv->next_pair = CHART_PAIR_BASE;
    if (!(cv->chart = build(t, args, &cv->what, err))) {
        free(cv);
        return NULL;
    }
    struct sx_view *v = sx_view_new(app, &chart_ops, cv);
    if (!v) {
        chart_close(&(struct sx_view){.priv = cv});
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    /* Draw once at the size the view will have, so a missing gnuplot is
     * reported as the chart opens. */
    render(v);
    tell(v);
    return v;
}
