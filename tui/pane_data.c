/* tui/pane_data.c: the Data pane. Its first view lists the data sets in
 * the store (one row per name: its latest version, how many versions, rows,
 * columns, size, author, when imported); Enter opens the latest version in
 * a grid, `o` / `:open FILE` opens any CSV file without importing it, and
 * `:import FILE` stores one. Without a store the list says so and `o` still
 * works. Also here: opening files and importing in the background, which
 * the grid (tui/view_grid.c) shares through tui/data.h. */
#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sheet.h"

/* ---- opening a file ---- */

/* PATH with a leading "~/" expanded (new string), NULL when out of memory. */
static char *expand_home(const char *path)
{
    const char *home = getenv("HOME");
    char *out = NULL;
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home && *home) {
        if (asprintf(&out, "%s%s", home, path + 1) < 0)
            return NULL;
        return out;
    }
    return strdup(path);
}

unsigned sx_data_open(struct sx_app *app, const char *arg)
{
    char *asked = NULL;
    if (!arg || !*arg) {
        if (!(asked = sx_app_ask_path(app, "open CSV: ", "")))
            return SX_H_HANDLED | SX_H_REDRAW;
        arg = asked;
    }
    char *copy = strdup(arg);
    char *path = copy ? expand_home(sx_trim(copy)) : NULL;
    free(copy);
    free(asked);
    if (!path) {
        sx_status(app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    if (!*path) {
        free(path);
        sx_status(app, 1, "open: which file? (:open FILE.csv)");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_err err = {0};
    struct sx_view *v = sx_view_grid_file(app, path, NULL, &err);
    free(path);
    if (!v) {
        sx_status(app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

/* ---- importing in the background ---- */

struct sx_data_import {
    struct sx_app *app;
    struct sx_job *job;
    char *store_path, *path, *name;
    struct sx_load_opts lo;
    struct sx_dataset out;
    int created;
};

int sx_data_job_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
    struct sx_job *job = ctx;
    sx_job_progress(job, done, total, rows);
    return sx_job_cancelled(job);
}

static enum sx_status import_job(void *ctx, struct sx_job *job, struct sx_err *err)
{
    struct sx_data_import *imp = ctx;
    struct sx_store *st = sx_store_open(imp->store_path, 0, err);
    if (!st)
        return err->code;
    enum sx_status rc = sx_dataset_import(st, imp->path, imp->name, &imp->lo, sx_data_job_progress, job,
                                          &imp->out, &imp->created, err);
    sx_store_close(st);
    return rc;
}

static void import_destroy(struct sx_data_import *imp)
{
    free(imp->store_path);
    free(imp->path);
    free(imp->name);
    sx_load_opts_free(&imp->lo);
    sx_dataset_clear(&imp->out);
    free(imp);
}

struct sx_data_import *sx_data_import_start(struct sx_app *app, const char *path,
                                            const char *name, const struct sx_load_opts *load)
{
    struct sx_store *st = sx_app_store(app);
    if (sx_app_read_only(app)) {
        sx_status(app, 1, "read-only: :import is disabled (sextant was started with --read-only)");
        return NULL;
    }
    if (!st) {
        sx_status(app, 1, "no store to import into (sextant init creates one)");
        return NULL;
    }
    struct sx_err err = {0};
    struct sx_data_import *imp = calloc(1, sizeof *imp);
    if (!imp || !(imp->store_path = strdup(sx_store_path(st))) || !(imp->path = strdup(path)) ||
        (name && !(imp->name = strdup(name))) ||
        (load ? sx_load_opts_copy(&imp->lo, load, &err) : SX_OK) != SX_OK) {
        if (imp)
            import_destroy(imp);
        sx_status(app, 1, "out of memory");
        return NULL;
    }
    if (name && sx_dataset_name_check(name, &err) != SX_OK) {
        sx_status(app, 1, "import: %s", err.msg);
        import_destroy(imp);
        return NULL;
    }
    imp->app = app;
    char label[300];
    snprintf(label, sizeof label, "importing %s", path);
    if (!(imp->job = sx_job_start(app, label, import_job, imp))) {
        sx_status(app, 1, "import: could not start a thread");
        import_destroy(imp);
        return NULL;
    }
    sx_status(app, 0, "importing %s…", path);
    return imp;
}

int sx_data_import_poll(struct sx_data_import *imp)
{
    enum sx_status rc;
    struct sx_err err = {0};
    if (!sx_job_done(imp->job, &rc, &err))
        return 0;
    sx_job_free(imp->job);
    imp->job = NULL;
    if (rc == SX_OK && imp->created) {
        sx_app_store_changed(imp->app);
        sx_status(imp->app, 0, "imported as %s@%d (%llu rows)", imp->out.name, imp->out.version,
                  (unsigned long long)imp->out.rows);
    } else if (rc == SX_OK) {
        sx_status(imp->app, 0, "already stored as %s@%d (same content)", imp->out.name,
                  imp->out.version);
    } else if (rc == SX_ECANCEL) {
        sx_status(imp->app, 0, "import cancelled; the store is unchanged");
    } else {
        sx_status(imp->app, 1, "import failed: %s", err.msg);
    }
    import_destroy(imp);
    return 1;
}

void sx_data_import_cancel(struct sx_data_import *imp)
{
    if (imp && imp->job)
        sx_job_cancel(imp->job);
}

void sx_data_import_free(struct sx_data_import *imp)
{
    if (!imp)
        return;
    sx_job_free(imp->job);   /* cancels and joins when unfinished */
    import_destroy(imp);
}

/* ---- the data sets list ---- */

struct dsrow {
    struct sx_dataset ds;     /* the latest version */
    int versions;
};

struct dslist {
    struct sx_app *app;
    struct dsrow *rows;
    size_t n;
    unsigned gen;             /* generation the rows were read at */
    char error[600];          /* reading the list failed */
    size_t cur, top;
    char *search;
    struct sx_data_import *imp;
};

static void list_clear(struct dslist *l)
{
    for (size_t i = 0; i < l->n; i++)
        sx_dataset_clear(&l->rows[i].ds);
    free(l->rows);
    l->rows = NULL;
    l->n = 0;
}

/* Read the data sets again: the latest version of each name. */
static void list_load(struct dslist *l)
{
    struct sx_store *st = sx_app_store(l->app);
    struct sx_dataset *all = NULL;
    size_t n = 0;
    struct sx_err err = {0};
    list_clear(l);
    l->error[0] = '\0';
    l->gen = sx_app_store_generation(l->app);
    if (!st)
        return;
    if (sx_store_dataset_list(st, &all, &n, &err) != SX_OK) {
        snprintf(l->error, sizeof l->error, "%s", err.msg);
        return;
    }
    l->rows = calloc(n ? n : 1, sizeof *l->rows);
    if (!l->rows) {
        snprintf(l->error, sizeof l->error, "out of memory");
        sx_dataset_list_free(all, n);
        return;
    }
    /* The list comes by name, then version: keep the last of each name. */
    for (size_t i = 0; i < n; i++) {
        if (l->n && strcmp(l->rows[l->n - 1].ds.name, all[i].name) == 0) {
            sx_dataset_clear(&l->rows[l->n - 1].ds);
            l->rows[l->n - 1].versions++;
        } else {
            l->rows[l->n++].versions = 1;
        }
        l->rows[l->n - 1].ds = all[i];
        memset(&all[i], 0, sizeof all[i]);
    }
    sx_dataset_list_free(all, n);
    if (l->cur >= l->n)
        l->cur = l->n ? l->n - 1 : 0;
}

/* Rows of the list body for view V (header and footer take two). */
static size_t list_page(const struct sx_view *v)
{
    return v->h > 2 ? (size_t)(v->h - 2) : 1;
}

static void list_scroll(struct dslist *l, size_t page)
{
    if (l->cur >= l->n)
        l->cur = l->n ? l->n - 1 : 0;
    if (l->cur < l->top)
        l->top = l->cur;
    if (l->cur >= l->top + page)
        l->top = l->cur - page + 1;
}

/* "1.5 kB", "17.1 MB": decimal units as the CLI prints them. */
static void fmt_size(uint64_t b, char *buf, size_t size)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)b;
    size_t u = 0;
    while (v >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%llu B", (unsigned long long)b);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
}

enum { L_NAME, L_VERSIONS, L_ROWS, L_COLS, L_SIZE, L_AUTHOR, L_WHEN, L_NCOLS };

static void list_cell(const struct dsrow *r, int c, char *buf, size_t size)
{
    switch (c) {
    case L_NAME: snprintf(buf, size, "%s", r->ds.name); break;
    case L_VERSIONS: snprintf(buf, size, "%d", r->versions); break;
    case L_ROWS: sx_sheet_fmt_commas(r->ds.rows, buf, size); break;
    case L_COLS: sx_sheet_fmt_commas(r->ds.ncols, buf, size); break;
    case L_SIZE: fmt_size(r->ds.size_bytes, buf, size); break;
    case L_AUTHOR: snprintf(buf, size, "%s", r->ds.author ? r->ds.author : ""); break;
    default: sx_sheet_fmt_when(r->ds.created_at, buf, size); break;
    }
}

/* sx_sheet_list cell of the data set list: row ROW of a struct dslist. */
static void list_cell_at(const void *ctx, size_t row, int c, char *buf, size_t size)
{
    list_cell(&((const struct dslist *)ctx)->rows[row], c, buf, size);
}

static void list_draw(struct sx_view *v)
{
    static const char *const titles[L_NCOLS] = {"name", "versions", "rows", "columns",
                                                "size", "author", "imported at"};
    static const int right[L_NCOLS] = {0, 1, 1, 1, 1, 0, 0};
    static const enum sx_role roles[L_NCOLS] = {
        SX_ROLE_TEXT, SX_ROLE_NUMBER, SX_ROLE_NUMBER, SX_ROLE_NUMBER,
        SX_ROLE_NUMBER, SX_ROLE_DEFAULT, SX_ROLE_DATE,
    };
    static const char *const no_store[] = {
        "No store here: no data sets to list.",
        "sextant init creates one; --store PATH or SEXTANT_STORE names one.",
        "Press o to open a CSV file without importing it.",
        NULL,
    };
    static const char *const empty[] = {
        "No data sets in the store yet.",
        "Press o to open a CSV file, then :import to store it.",
        NULL,
    };
    struct dslist *l = v->priv;
    if (l->gen != sx_app_store_generation(v->app))
        list_load(l);
    /* Each column as wide as its title and widest cell; the name and
     * author capped so the others fit. */
    const struct sx_sheet_list list = {
        .ncols = L_NCOLS, .titles = titles, .right = right, .roles = roles,
        .name_col = L_NAME, .author_col = L_AUTHOR, .n = l->n,
        .cell = list_cell_at, .ctx = l, .no_store = no_store, .empty = empty,
    };
    if (sx_sheet_list_start(v, &list, sx_app_store(l->app) != NULL, l->error))
        return;
    size_t page = list_page(v);
    list_scroll(l, page);
    sx_sheet_list_draw(v, &list, l->top, l->cur);
    if (v->h > 2) {
        char foot[160];
        snprintf(foot, sizeof foot, "data set %zu of %zu", l->cur + 1, l->n);
        sx_draw_text(v->app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
    }
}

/* Move the cursor to the next (DIR 1) or previous (-1) name containing
 * the search text (case-insensitive), wrapping. */
static unsigned list_find(struct dslist *l, int dir)
{
    if (!l->search || !*l->search) {
        sx_status(l->app, 1, "no search yet (/ searches the names)");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    for (size_t k = 1; k <= l->n; k++) {
        size_t i = dir > 0 ? (l->cur + k) % l->n : (l->cur + l->n - k % l->n) % l->n;
        if (strcasestr(l->rows[i].ds.name, l->search)) {
            l->cur = i;
            return SX_H_HANDLED | SX_H_REDRAW;
        }
    }
    sx_status(l->app, 1, "no data set name contains '%s'", l->search);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned list_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct dslist *l = v->priv;
    size_t page = list_page(v);
    if (l->gen != sx_app_store_generation(v->app))
        list_load(l);
    switch (cmd) {
    case SX_CMD_MOVE_UP:
        if (l->cur > 0)
            l->cur--;
        break;
    case SX_CMD_MOVE_DOWN:
        if (l->cur + 1 < l->n)
            l->cur++;
        break;
    case SX_CMD_PAGE_UP:
        l->cur = l->cur > page ? l->cur - page : 0;
        break;
    case SX_CMD_PAGE_DOWN:
        l->cur = l->cur + page < l->n ? l->cur + page : (l->n ? l->n - 1 : 0);
        break;
    case SX_CMD_MOVE_FIRST:
        l->cur = 0;
        break;
    case SX_CMD_MOVE_LAST:
        l->cur = l->n ? l->n - 1 : 0;
        break;
    case SX_CMD_ENTER: {
        if (l->cur >= l->n) {
            sx_status(l->app, 1, "no data set to open (o opens a CSV file)");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        struct sx_err err = {0};
        struct sx_view *g = sx_view_grid_dataset(l->app, &l->rows[l->cur].ds, &err);
        if (!g) {
            sx_status(l->app, 1, "%s", err.msg);
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        sx_view_push(l->app, g);
        return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
    }
    case SX_CMD_OPEN:
        return sx_data_open(l->app, arg);
    case SX_CMD_IMPORT: {
        if (l->imp) {
            sx_status(l->app, 1, "an import is already running (Ctrl-C cancels it)");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        char *copy = arg ? strdup(arg) : NULL;
        char *path = copy ? sx_trim(copy) : NULL;
        if (!path || !*path) {
            free(copy);
            sx_status(l->app, 1, "import: which file? (:import FILE.csv, or open it and :import)");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        char *full = expand_home(path);
        free(copy);
        if (full)
            l->imp = sx_data_import_start(l->app, full, NULL, NULL);
        free(full);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    case SX_CMD_CANCEL:
        if (!l->imp)
            return 0;
        sx_data_import_cancel(l->imp);
        sx_status(l->app, 0, "cancelling the import…");
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_SEARCH: {
        char *s = arg && *arg ? strdup(arg) : sx_app_ask(l->app, "search names: ", "");
        if (!s)
            return SX_H_HANDLED | SX_H_REDRAW;
        free(l->search);
        l->search = s;
        return list_find(l, 1);
    }
    case SX_CMD_SEARCH_NEXT:
        return list_find(l, 1);
    case SX_CMD_SEARCH_PREV:
        return list_find(l, -1);
    default:
        return 0;
    }
    list_scroll(l, page);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned list_tick(struct sx_view *v)
{
    struct dslist *l = v->priv;
    if (l->imp && sx_data_import_poll(l->imp)) {
        l->imp = NULL;
        list_load(l);
        return SX_H_REDRAW;
    }
    return 0;
}

/* Quitting while an import runs would abandon it: ask first. */
static int list_dirty(struct sx_view *v)
{
    const struct dslist *l = v->priv;
    return l->imp != NULL;
}

static void list_close(struct sx_view *v)
{
    struct dslist *l = v->priv;
    sx_data_import_free(l->imp);
    list_clear(l);
    free(l->search);
    free(l);
}

static const enum sx_cmd list_keybar[] = {SX_CMD_ENTER, SX_CMD_OPEN, SX_CMD_SEARCH,
                                          SX_CMD_HELP, SX_CMD_QUIT, SX_CMD_NONE};

static const struct sx_view_ops list_ops = {
    .name = "datasets",
    .title = "Data sets",
    .draw = list_draw,
    .handle = list_handle,
    .tick = list_tick,
    .close = list_close,
    .keybar = list_keybar,
    .dirty = list_dirty,
};

static struct sx_view *data_open(struct sx_app *app, struct sx_err *err)
{
    struct dslist *l = calloc(1, sizeof *l);
    if (!l) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    l->app = app;
    list_load(l);
    struct sx_view *v = sx_view_new(app, &list_ops, l);
    if (!v) {
        list_clear(l);
        free(l);
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}

const struct sx_pane_ops sx_pane_data = {
    .name = "data",
    .title = "Data",
    .open = data_open,
};
