/* tui/sheets.h: the views the grid pushes on the Data pane's stack. Each
 * constructor returns a new view over table T (which outlives the view) or
 * NULL with ERR filled; the grid calls sx_view_push() with it. */
#ifndef SX_SHEETS_H
#define SX_SHEETS_H

#include "table.h"
#include "tui.h"

/* `I`: one row per column with its profile and a histogram sparkline;
 * Enter jumps the grid to that column. (tui/view_describe.c) */
struct sx_view *sx_view_describe_new(struct sx_app *app, struct sx_table *t, struct sx_err *err);
/* `F`: value, count, %, bar of the current column; Enter filters the grid
 * to the value. (tui/view_freq.c) */
struct sx_view *sx_view_freq_new(struct sx_app *app, struct sx_table *t, struct sx_err *err);
/* `C`: columns sheet: rename, hide, change type (~ # % @). (tui/view_columns.c) */
struct sx_view *sx_view_columns_new(struct sx_app *app, struct sx_table *t, struct sx_err *err);
/* `:group COL`: the profile of every numeric column per value of COL (a
 * date column groups by year). (tui/view_group.c) */
struct sx_view *sx_view_group_new(struct sx_app *app, struct sx_table *t, const char *col,
                                  struct sx_err *err);
/* `:corr`: correlation matrix of the numeric columns, coloured by strength.
 * (tui/view_corr.c) */
struct sx_view *sx_view_corr_new(struct sx_app *app, struct sx_table *t, struct sx_err *err);
/* `.` and `:plot …`: a chart drawn by gnuplot inside the view, or native
 * bars without gnuplot. ARGS is the text after `:plot` ("hist price by
 * region", "scatter temperature demand", "line date demand by region");
 * `.` passes "hist CURRENT_COLUMN". (tui/view_chart.c) */
struct sx_view *sx_view_chart_new(struct sx_app *app, struct sx_table *t, const char *args,
                                  struct sx_err *err);

#endif
