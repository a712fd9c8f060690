/* core/plot.h: charts of a frame drawn by gnuplot running as a co-process
 * (STYLE.md section 11), for the workbench's chart view and `sextant plot`.
 *
 * Three steps, each usable alone:
 *  1. sx_plot_chart_new() computes a chart from a frame in C: histogram bins
 *     (numpy's equal-width edges), a deterministic sample of a scatter, the
 *     mean of Y per date for a line, one series per group of a `by` column.
 *     The result holds the numbers (the TUI draws native bars from them when
 *     gnuplot is missing) and the gnuplot commands that draw it. No gnuplot
 *     is needed for this step.
 *  2. sx_plot_open() starts gnuplot (fork + execvp, no shell) with pipes on
 *     its stdin, stdout and stderr; sx_plot_run() sends one script, reads
 *     both output pipes with poll() until the script's end marker, and turns
 *     what gnuplot wrote on stderr into the error message. A process serves
 *     any number of scripts; each chart script starts with `reset session`.
 *  3. sx_plot_render_text() draws a chart on the dumb terminal at W x H and
 *     parses the output (form feed, SGR colour sequences) into a grid of
 *     cells {UTF-8 character, colour index}; sx_plot_export() writes PNG
 *     (pngcairo) or SVG.
 *
 * Safety: every piece of user text (titles, axis labels, series names,
 * export paths) reaches gnuplot only through sx_plot_quote(), as
 * single-quoted strings, with labels `noenhanced`; data only as numbers
 * (%.17g) inside datablocks. No `system`, backquotes, `load` or unquoted
 * `set output`. Nothing here draws on a terminal (core/ has no curses). */
#ifndef SX_PLOT_H
#define SX_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

/* ---- quoting ---- */

/* S as a gnuplot string: wrapped in single quotes with each ' doubled;
 * every control character (C0 including CR and LF, DEL, C1), line or
 * paragraph separator and bidi control turned into a space, invalid UTF-8
 * bytes into '?'. Inside single quotes gnuplot expands nothing (no
 * backquotes, no macros, no backslash escapes). gnuplot's scanner reads a
 * doubled quote only after another character, so a quote that starts the
 * text or follows another quote is joined on as the constant "'":
 * it's -> 'it''s', and 'a''b -> "'".'a'''."'".'b'. The result is a string
 * expression for any place gnuplot takes text (titles, labels, key
 * entries, `set output`). Returns a new string (free()), or NULL when out
 * of memory. NULL S quotes as ''. */
char *sx_plot_quote(const char *s);

/* NAME as one word of the chart argument grammar (sx_plot_spec_parse):
 * in single quotes with each ' doubled, every other byte as it is. For
 * callers that build arguments from a column name (`.` builds "hist "
 * followed by this). New string, or NULL when out of memory. */
char *sx_plot_word(const char *name);

/* ---- charts ---- */

enum sx_plot_kind { SX_PLOT_HIST, SX_PLOT_SCATTER, SX_PLOT_LINE };

#define SX_PLOT_DEFAULT_BINS 20
#define SX_PLOT_MAX_BINS 1000
#define SX_PLOT_DEFAULT_POINTS 20000   /* scatter sample size */
#define SX_PLOT_MAX_GROUPS 16          /* series of a `by` column */

/* What to draw. Column indices are frame columns. */
struct sx_plot_spec {
    enum sx_plot_kind kind;
    size_t x;                 /* hist: the column; scatter: X; line: the date (or number) */
    size_t y;                 /* scatter and line: Y; ignored by hist */
    long by;                  /* a category, text, bool or int column; -1 = none */
    size_t bins;              /* hist: 0 = SX_PLOT_DEFAULT_BINS */
    size_t max_points;        /* scatter: 0 = SX_PLOT_DEFAULT_POINTS */
};

/* "hist", "scatter", "line"; and the inverse (SX_EINVAL for others). */
const char *sx_plot_kind_name(enum sx_plot_kind k);
enum sx_status sx_plot_kind_parse(const char *s, enum sx_plot_kind *out, struct sx_err *err);

/* Parse the workbench's chart arguments into SPEC:
 *   hist COL [by COL] | scatter X Y [by COL] | line DATECOL Y [by COL]
 * Words are separated by spaces; a column name with spaces is written in
 * '…' or "…", where the quote character doubled stands for itself (so
 * sx_plot_word(NAME) is always one word). Names are looked up in
 * NAMES[0..F->ncols) (display names; NULL: the frame's own names); a name
 * with control characters also matches with them turned into spaces.
 * "hist " followed by exactly a column's name, quotes and spaces included,
 * is a histogram of that column. SX_EINVAL / SX_ENOTFOUND with a message
 * naming the word at fault. */
enum sx_status sx_plot_spec_parse(const struct sx_frame *f, const char *const *names,
                                  const char *args, struct sx_plot_spec *spec,
                                  struct sx_err *err);

struct sx_plot_chart {
    enum sx_plot_kind kind;
    char *title, *xlabel, *ylabel;   /* plain text (quoted only in the script) */
    size_t nseries;           /* >= 1 */
    char **series;            /* group labels, NULL entries when there is no `by` */
    int xtime;                /* the x axis is time: x values are seconds since 1970 */
    int xdays;                /* ... and the column holds whole days */
    double xmin, xmax;        /* the x range plotted (hist: the outer edges) */
    uint64_t rows;            /* rows that took part (both values present) */
    uint64_t plotted;         /* points drawn (scatter: the sample; line: means) */
    /* hist only: numpy's edges (nbins + 1, in the column's unit, seconds
     * for dates) and counts[s * nbins + b] for series s, bin b. */
    size_t nbins;
    double *edges;
    uint64_t *counts;
    char *script;             /* datablocks and settings (no terminal, no plot) */
    char *plot_text;          /* the plot command for the dumb terminal */
    char *plot_image;         /* ... and for PNG and SVG */
};

/* Build the chart SPEC over frame F, restricted to rows ROWS[0..NROWS)
 * (ROWS NULL: every row, in order). NAMES gives the display name of every
 * frame column (NULL: the frame's names). Returns a new chart (free with
 * sx_plot_chart_free()) or NULL with ERR: SX_ETYPE when a column has the
 * wrong type for the kind (hist: numeric or date; scatter: numeric or date
 * X, numeric Y; line: date or numeric X, numeric Y; by: category, text,
 * bool or int), SX_EINVAL when nothing is left to plot, SX_ELIMIT when BY
 * has more than SX_PLOT_MAX_GROUPS values, SX_ENOMEM. */
struct sx_plot_chart *sx_plot_chart_new(const struct sx_frame *f, const size_t *rows,
                                        size_t nrows, const char *const *names,
                                        const struct sx_plot_spec *spec, struct sx_err *err);
void sx_plot_chart_free(struct sx_plot_chart *c);

/* A line chart of NSERIES given series (added for the Experiments pane's
 * metric histories): series S has N[S] points (X[S][i], Y[S][i]), drawn in
 * that order, one line each, named NAMES[S] in the key (NAMES NULL or an
 * entry NULL: no key entry). Points with a non-finite coordinate are left
 * out; a series left with one point is drawn as a point. TITLE, XLABEL and
 * YLABEL are plain text (quoted only in the script, like every name). The
 * result's kind is SX_PLOT_LINE (xtime 0); draw it with
 * sx_plot_render_text or sx_plot_export. SX_EINVAL when no series has a
 * point or NSERIES is 0 or above SX_PLOT_MAX_GROUPS; SX_ENOMEM. */
struct sx_plot_chart *sx_plot_lines_new(const char *title, const char *xlabel,
                                        const char *ylabel, size_t nseries,
                                        const char *const *names, const double *const *x,
                                        const double *const *y, const size_t *n,
                                        struct sx_err *err);

/* ---- the gnuplot co-process ---- */

struct sx_plot;

/* Start gnuplot (execvp through PATH, `-d`: no initialisation files) in its
 * own process group; $SEXTANT_GNUPLOT, when set, names the program instead
 * (tests use it to simulate a missing gnuplot). Checks its version and that
 * it reads quoted strings as sx_plot_quote() writes them. Returns SX_OK
 * with *OUT set; SX_ENOTFOUND with "gnuplot is not installed" when there
 * is no such program, or "gnuplot 5 or later is needed" when it is too old
 * or quotes differently; SX_EIO on other failures (a program that is not
 * gnuplot). */
enum sx_status sx_plot_open(struct sx_plot **out, struct sx_err *err);
/* Close gnuplot's stdin, wait for it to exit (killing it after a second)
 * and free P. NULL is fine. */
void sx_plot_close(struct sx_plot *p);
/* gnuplot's version as "5.4.4". */
const char *sx_plot_version(const struct sx_plot *p);

/* Send SCRIPT (complete lines; the end marker is added here) and wait for
 * it to finish, at most TIMEOUT_MS milliseconds (0: 60 s). On SX_OK, *OUT
 * (if not NULL) receives everything gnuplot wrote on stdout before the
 * marker (new string, free(); *OUTLEN its length). Warnings on stderr are
 * ignored; any other stderr text fails the call with SX_EINVAL and
 * "gnuplot: MESSAGE". When gnuplot dies or times out it is killed and
 * SX_EIO returned; the next call starts a new process. */
enum sx_status sx_plot_run(struct sx_plot *p, const char *script, int timeout_ms,
                           char **out, size_t *outlen, struct sx_err *err);

/* ---- the dumb terminal's output as cells ---- */

#define SX_PLOT_COLOR_DEFAULT (-1)

struct sx_plot_cell {
    char ch[5];               /* one UTF-8 character, NUL-terminated */
    int16_t color;            /* 0..255 (xterm 256-colour index) or SX_PLOT_COLOR_DEFAULT */
    uint8_t bold;
};

struct sx_plot_grid {
    int w, h;
    struct sx_plot_cell *cells;   /* cells[y * w + x] */
};

/* Parse TEXT[0..LEN), the output of `set terminal dumb size W,H` (mono,
 * ansi or ansi256), into *G: a leading form feed is dropped; SGR sequences
 * set the colour of the cells after them (0 and 39 reset, 30-37, 90-97,
 * 38;5;N; 1 and 22 bold); other escape sequences and control characters
 * are dropped; invalid UTF-8 becomes '?'. Lines and characters beyond H and
 * W are ignored, missing ones are spaces. Free with sx_plot_grid_free(). */
enum sx_status sx_plot_grid_parse(const char *text, size_t len, int w, int h,
                                  struct sx_plot_grid *g, struct sx_err *err);
void sx_plot_grid_free(struct sx_plot_grid *g);

/* Draw chart C at W x H characters on the dumb terminal (ansi256 when
 * COLOR, else mono) and parse it into *G. W at least 20, H at least 6. */
enum sx_status sx_plot_render_text(struct sx_plot *p, const struct sx_plot_chart *c,
                                   int w, int h, int color, struct sx_plot_grid *g,
                                   struct sx_err *err);

enum sx_plot_format { SX_PLOT_PNG, SX_PLOT_SVG };
/* "png", "svg"; and the inverse. */
const char *sx_plot_format_name(enum sx_plot_format f);
enum sx_status sx_plot_format_parse(const char *s, enum sx_plot_format *out, struct sx_err *err);

/* Write chart C to PATH as PNG (pngcairo) or SVG, 1000 x 600. PATH must be
 * non-empty without control characters; it is created (or truncated)
 * first so a bad path fails with its own message; gnuplot is given the
 * absolute path (a relative one is taken from our working directory), so
 * it can never be read as `|command`. On failure the file is removed. */
enum sx_status sx_plot_export(struct sx_plot *p, const struct sx_plot_chart *c,
                              enum sx_plot_format fmt, const char *path, struct sx_err *err);

#endif
