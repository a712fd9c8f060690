/* tui/data.h: what the Data pane's own views (the data sets list in
 * tui/pane_data.c, the grid in tui/view_grid.c) share: opening a grid on a
 * CSV file or a stored data set, importing into the store as a background
 * job, and telling the list that the store's data sets changed. The sheets
 * pushed from the grid only need tui/sheets.h. */
#ifndef SX_DATA_H
#define SX_DATA_H

#include "dataset.h"
#include "store.h"
#include "tui.h"

extern const struct sx_pane_ops sx_pane_data;

/* Rows shown at once while the rest of a file loads. */
#define SX_DATA_PREVIEW_ROWS 1000

/* A grid over CSV file PATH, read with LOAD (NULL: defaults; copied),
 * without importing it; or over stored data set DS (copied), reloaded from
 * its source after checking its hash. The first rows are read at once (a
 * failure there returns NULL with ERR); the rest loads in a job. The
 * caller pushes the view. */
struct sx_view *sx_view_grid_file(struct sx_app *app, const char *path,
                                  const struct sx_load_opts *load, struct sx_err *err);
struct sx_view *sx_view_grid_dataset(struct sx_app *app, const struct sx_dataset *ds,
                                     struct sx_err *err);

/* `o` and `:open [FILE]`: ask for a path when ARG is NULL or empty (Tab
 * completes paths), open it in a new grid and push it. Errors go to the
 * status line. Returns SX_H_* flags. */
unsigned sx_data_open(struct sx_app *app, const char *arg);

/* An sx_csv_progress_fn for work on a job: CTX is the struct sx_job; it
 * passes the progress on and returns whether the job was cancelled. */
int sx_data_job_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows);

/* ---- the open data, for other panes ---- */
/* What the Data pane shows: its grid nearest the top of its stack. The
 * pointers are the grid's, valid until the next command or tick runs. */
struct sx_data_open {
    const struct sx_table *t;         /* NULL when no rows are loaded */
    const char *label;                /* "energy_train@1" or the file's name */
    const char *path;                 /* the file */
    const struct sx_dataset *ds;      /* the stored data set; NULL for a plain file */
    const struct sx_load_opts *lo;    /* how the file is read */
    int loading;                      /* the rest of the rows are still loading */
};
/* Fill OUT from the Data pane's open grid: 0, or -1 when none is open. */
int sx_data_current(struct sx_app *app, struct sx_data_open *out);

/* A copy of data set S into D (its strings duplicated): 0, or -1 when
 * out of memory (D then zeroed; release it with sx_dataset_clear()). */
int sx_data_dataset_copy(struct sx_dataset *d, const struct sx_dataset *s);

/* ---- importing in the background ---- */
struct sx_data_import;
/* Start importing PATH (read with LOAD, may be NULL) as NAME (NULL: the
 * file's name) into the app's store on a job with its own store
 * connection. Refused (NULL, with the reason on the status line) without a
 * store or under --read-only. */
struct sx_data_import *sx_data_import_start(struct sx_app *app, const char *path,
                                            const char *name, const struct sx_load_opts *load);
/* Poll from a tick: 0 while running; 1 when finished, after putting the
 * outcome ("imported as NAME@V", "already stored as NAME@V", the error) on
 * the status line (a new data set also bumps sx_app_store_generation, so
 * the data sets list reloads when it next draws); the import is then
 * freed. */
int sx_data_import_poll(struct sx_data_import *imp);
/* Ask the import to stop; the next poll reports it. */
void sx_data_import_cancel(struct sx_data_import *imp);
/* Cancel (if running), wait for and free the import. */
void sx_data_import_free(struct sx_data_import *imp);

#endif
