/* tui/sheet.h: pieces the Data pane's sheets (describe, frequency, columns,
 * group, correlation) share: a row cursor that scrolls, numbers formatted
 * to fit a width, type glyphs, sparklines and bars, the two-line heading
 * every sheet starts with, the table the Data and Features panes list
 * stored objects in, and borrowing a frame's columns for work done
 * off the main thread. Pure layout and text; drawing goes through tui.h. */
#ifndef SX_SHEET_H
#define SX_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"
#include "tui.h"

/* ---- a cursor over N rows, scrolled so it stays in a window ---- */
struct sx_sheet_cursor {
    size_t cur;               /* selected row, < n unless n == 0 */
    size_t top;               /* first row shown */
    size_t n;
};

/* Apply a movement command (MOVE_UP/DOWN, PAGE_UP/DOWN, MOVE_FIRST/LAST)
 * for a window of PAGE rows. Returns SX_H_HANDLED | SX_H_REDRAW, or 0 when
 * CMD is not a vertical movement. */
unsigned sx_sheet_move(struct sx_sheet_cursor *c, enum sx_cmd cmd, size_t page);
/* Clamp the cursor to N rows and scroll so it is inside PAGE rows from top. */
void sx_sheet_scroll(struct sx_sheet_cursor *c, size_t page);

/* ---- text ---- */
/* One-column glyph of a type as the grid header shows it (# int, % float,
 * @ date, ? bool, ~ text, ≡ category; = without UTF-8). */
const char *sx_sheet_type_glyph(enum sx_type t, int utf8);
/* V in at most WIDTH columns: 6 significant digits (fewer when narrow),
 * plain digits rather than an exponent where they fit ("4750000", not
 * "4.75e+06"), a unit suffix when even 2 digits do not ("13.96M"), "-"
 * for NaN. BUF holds SIZE bytes (32 is enough). */
void sx_sheet_fmt_num(double v, int width, char *buf, size_t size);
/* A count with thousands separated ("219,120"), without the commas when
 * that does not fit WIDTH, else shortened ("10.2M"). */
void sx_sheet_fmt_count(uint64_t n, int width, char *buf, size_t size);
/* N with thousands separated by commas ("219,120"), never shortened. */
void sx_sheet_fmt_commas(uint64_t n, char *buf, size_t size);
/* An ISO 8601 time as the store keeps it ("2026-11-26T15:44:01.123Z") to
 * the minute: "2026-11-26 15:44"; NULL gives "". */
void sx_sheet_fmt_when(const char *iso, char *buf, size_t size);
/* "1 row", "219,120 rows". */
void sx_sheet_fmt_rows(uint64_t n, char *buf, size_t size);
/* PART of WHOLE as a percentage: "0%", "<0.1%", "12.3%", "100%". */
void sx_sheet_fmt_pct(uint64_t part, uint64_t whole, char *buf, size_t size);
/* A statistic of a date column (days or seconds) as its date. */
void sx_sheet_fmt_date(double v, enum sx_date_unit unit, char *buf, size_t size);

/* A sparkline of COUNTS[0..N) in WIDTH cells (bins merged or repeated to
 * fit): ▁…█ in UTF-8, " .:-=+*#" otherwise; empty bins are spaces. */
void sx_sheet_spark(const uint64_t *counts, size_t n, int width, int utf8, char *buf,
                    size_t size);
/* A horizontal bar of FRAC (0..1) of WIDTH cells: full blocks and an
 * eighth-block tail in UTF-8, '#' otherwise. */
void sx_sheet_bar(double frac, int width, int utf8, char *buf, size_t size);

/* ---- the heading: a summary line and a header line ---- */
/* Paint the summary line (row 0 of V): LEFT, and RIGHT (may be NULL) at
 * the right edge when both fit, LEFT cut to make room; clear the header
 * row. Returns the rows a sheet has for its body after the summary and the
 * header (>= 0). */
int sx_sheet_heading(struct sx_view *v, const char *left, const char *right);
/* "‹ 2-6/12 ›": which of TOTAL columns are shown from FIRST (SHOWN of
 * them), with arrows where more lie; empty when all are shown. */
void sx_sheet_scroll_mark(size_t first, size_t shown, size_t total, char *buf, size_t size);

/* ---- a list of stored objects (data sets, feature sets) ---- */
/* LINES (NULL-terminated) from the top of V, one column in, as many as fit:
 * the first plain, the rest dim; for "nothing here" notices. */
void sx_sheet_notice(struct sx_view *v, const char *const *lines);

/* The columns of such a list, and where its cells come from. */
#define SX_SHEET_LIST_COLS 16
struct sx_sheet_list {
    int ncols;                       /* at most SX_SHEET_LIST_COLS */
    const char *const *titles;       /* per column: its header */
    const int *right;                /* per column: 1 right-aligned (a number, left
                                      * out rather than cut where it does not fit) */
    const enum sx_role *roles;       /* per column: a cell's role off the cursor row */
    int name_col;                    /* capped at a third of V's width (12 at least) */
    int author_col;                  /* capped at 12 columns */
    size_t n;                        /* rows */
    /* Text of column COL of row ROW into BUF (SIZE bytes). */
    void (*cell)(const void *ctx, size_t row, int col, char *buf, size_t size);
    const void *ctx;
    const char *const *no_store;     /* notice without a store (NULL-terminated) */
    const char *const *empty;        /* notice when N is 0 (NULL-terminated) */
};
/* Clear V and show ERROR (unless "") on its first row in the error role.
 * Returns 1 when V is done with (an error shown, or no room: under one row
 * or two columns), 0 when its content is to be drawn. */
int sx_sheet_start(struct sx_view *v, const char *error);
/* Clear V and, when L has nothing to list, say why: L's no_store notice
 * when HAVE_STORE is 0, else ERROR (unless "") in the error role, else L's
 * empty notice when it has no rows. Returns 1 when V is done with (also
 * when it has no room at all), 0 when its rows are to be drawn. */
int sx_sheet_list_start(struct sx_view *v, const struct sx_sheet_list *l, int have_store,
                        const char *error);
/* Draw L in V from row 1 (a header row, then rows TOP.. with row CUR
 * highlighted) down to V's last row but one (its footer row; the last row
 * when V has 2 rows or fewer). Each column is as wide as its title and
 * widest cell, two columns apart; row 0 and the footer are the caller's. */
void sx_sheet_list_draw(struct sx_view *v, const struct sx_sheet_list *l, size_t top,
                        size_t cur);

/* ---- columns of a table, borrowed ---- */
/* A frame that borrows F's columns COLS[0..N) (no copies): the caller
 * provides PTRS (N entries) and must not free the result; it lives as long
 * as F's columns do. */
struct sx_frame sx_sheet_borrow(const struct sx_frame *f, const size_t *cols, size_t n,
                                struct sx_column **ptrs);
/* The visible rows of T, copied (the table may change while a job runs):
 * *ROWS NULL and *N = the frame's rows when every row is visible (in any
 * order, or in frame order when ORDERED), else a new array the caller
 * frees. Returns 0, or -1 when out of memory. */
int sx_sheet_rows(const struct sx_table *t, int ordered, size_t **rows, size_t *n);
/* The display name of frame column COL of T. */
const char *sx_sheet_col_name(const struct sx_table *t, size_t col);

#endif
