/* tui/table.h: the open table the Data pane's views share: a frame plus
 * the view of it the user has built (visible rows after filters and sorts,
 * visible columns in order, display names, the cursor). Changes here are a
 * view: the frame's source file and the store are never touched.
 *
 * Owned by the Data pane's grid view; the sheets (describe, frequency,
 * columns, group, correlation, chart) receive a pointer to it and may call
 * the functions below on the main thread. No curses in here. */
#ifndef SX_TABLE_H
#define SX_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

#define SX_TABLE_MAX_KEYS 8

struct sx_table {
    char *label;              /* "energy_train@1" or the file's name */
    char *path;               /* source file */
    struct sx_frame *frame;   /* every row as loaded (owned) */
    size_t *rows;             /* visible rows: frame row indices (owned) */
    size_t nrows;
    size_t *cols;             /* visible columns in display order: frame column indices */
    size_t ncols;
    char **names;             /* display name of each frame column (owned) */
    struct sx_sort_key keys[SX_TABLE_MAX_KEYS];
    size_t nkeys;
    char *filter;             /* what the row filter is, for the status line; NULL = none */
    size_t cur_row;           /* cursor: index into rows */
    size_t cur_col;           /* cursor: index into cols */
};

/* A table over F (taken: the table frees it) showing every row and column. */
struct sx_table *sx_table_new(const char *label, const char *path, struct sx_frame *f,
                              struct sx_err *err);
void sx_table_free(struct sx_table *t);

/* The frame column under the cursor; (size_t)-1 when there is none. */
size_t sx_table_cur_frame_col(const struct sx_table *t);

/* Sort the visible rows by frame column COL (replacing the keys, or adding
 * one when ADD), stable, missing last. */
enum sx_status sx_table_sort(struct sx_table *t, size_t col, int desc, int add,
                             struct sx_err *err);
/* The three steps of sx_table_sort, so that a large sort can run off the
 * main thread: the keys the sort leaves (into KEYS, SX_TABLE_MAX_KEYS
 * entries, and *NKEYS); the visible rows ordered by KEYS, ties in frame
 * order (a new array of t->nrows entries; reads T only, so it may run on a
 * worker while T stays unchanged); and installing that order (ROWS taken,
 * the cursor kept on its row). */
enum sx_status sx_table_sort_keys(const struct sx_table *t, size_t col, int desc, int add,
                                  struct sx_sort_key *keys, size_t *nkeys, struct sx_err *err);
size_t *sx_table_order(const struct sx_table *t, const struct sx_sort_key *keys, size_t nkeys,
                       struct sx_err *err);
void sx_table_apply_order(struct sx_table *t, const struct sx_sort_key *keys, size_t nkeys,
                          size_t *rows);
/* Keep the visible rows whose frame column COL formats (sx_col_format) as
 * VALUE; VALUE NULL keeps the rows where COL is missing. */
enum sx_status sx_table_filter_equal(struct sx_table *t, size_t col, const char *value,
                                     struct sx_err *err);
/* Show every row again (keeps the sort). */
enum sx_status sx_table_clear_filter(struct sx_table *t, struct sx_err *err);
/* View-only column changes. */
enum sx_status sx_table_rename(struct sx_table *t, size_t col, const char *name,
                               struct sx_err *err);
void sx_table_hide(struct sx_table *t, size_t col);
void sx_table_show_all(struct sx_table *t);
/* Convert frame column COL to TYPE in memory (cells that do not convert
 * become missing; the count is returned in *LOST when not NULL). */
enum sx_status sx_table_set_type(struct sx_table *t, size_t col, enum sx_type type,
                                 size_t *lost, struct sx_err *err);
/* Move the cursor to frame column COL if it is visible; returns 1 if moved. */
int sx_table_goto_col(struct sx_table *t, size_t col);

/* Add column C (C->len must equal the frame's rows) to the frame, shown
 * right after the cursor's column (or first when there is none), with its
 * name as display name; the cursor moves onto it. A name equal to a
 * column's frame or display name is SX_EEXIST. On success C is taken; on
 * error it stays the caller's and T is unchanged. */
enum sx_status sx_table_add_column(struct sx_table *t, struct sx_column *c, struct sx_err *err);
/* Keep the visible rows whose frame row R has MASK[R] non-zero (MASK has
 * one byte per frame row); WHAT describes the condition for the footer
 * ("temperature > 30"), chained to an earlier filter with ", ". */
enum sx_status sx_table_filter_mask(struct sx_table *t, const uint8_t *mask, const char *what,
                                    struct sx_err *err);

/* The frame as the user names it: the same columns (cells shared, never
 * copied) under their display names, for checking and evaluating
 * expressions with the names the grid shows. Lives in S (the caller's)
 * until sx_table_schema_free(S); valid while T's frame keeps its columns
 * (no column added, converted or freed meanwhile). */
struct sx_table_schema {
    struct sx_frame frame;
    struct sx_column **ptrs;
    struct sx_column *cols;
};
enum sx_status sx_table_schema(const struct sx_table *t, struct sx_table_schema *s,
                               struct sx_err *err);
void sx_table_schema_free(struct sx_table_schema *s);

#endif
