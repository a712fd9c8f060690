/* tui/tui.h: the workbench's shared shapes: colour roles, the command
 * table, panes and views, the app struct, drawing, keymaps and background
 * jobs. Only tui/ includes curses.h; this header does too.
 *
 * The model (STYLE.md sections 4, 5, 8, 10):
 *  - Every user action is a command declared once in SX_CMD_TABLE (enum,
 *    longname, help). Keymaps, `?` help, the `:` line, rc `bind` and the
 *    command log all come from that table.
 *  - A pane (Data, later Features, Experiments, Models, Drift) is one row in
 *    sx_panes[] (tui/panes.c) and one file tui/pane_NAME.c. A pane holds a
 *    stack of views (the Data pane: data sets list, grid, describe sheet,
 *    frequency table, …); `Enter` pushes a view, `q`/`Esc` pops it.
 *  - A view is data plus a keymap name plus draw/handle functions. Drawing
 *    is separate from state: draw() reads state and paints, handle()
 *    changes state and returns SX_H_* flags; the loop decides what to redraw.
 *  - Panes and views say what a cell means (a role), never which colour.
 *  - Only the main thread calls curses. Long work runs as an sx_job on a
 *    worker thread and reports progress through atomics. */
#ifndef SX_TUI_H
#define SX_TUI_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

struct sx_store;
struct sx_plot;

/* ---- colour roles: tui/theme.c maps them to colours and attributes ---- */
#define SX_ROLE_TABLE(X)                                   \
    X(DEFAULT,      "default")                             \
    X(TITLE,        "title")        /* top bar */          \
    X(TAB,          "tab")          /* a pane name */      \
    X(TAB_ACTIVE,   "tab-active")                          \
    X(HEADER,       "header")       /* grid/sheet header */ \
    X(CURSOR,       "cursor")       /* the cursor cell */  \
    X(CURSOR_ROW,   "cursor-row")                          \
    X(SELECTED,     "selected")                            \
    X(NUMBER,       "number")                              \
    X(TEXT,         "text")                                \
    X(DATE,         "date")                                \
    X(MISSING,      "missing")                             \
    X(DIM,          "dim")                                 \
    X(KEY,          "key")          /* key in the key bar */ \
    X(KEYBAR,       "keybar")                              \
    X(STATUS,       "status")                              \
    X(ERROR,        "error")                               \
    X(PROMPT,       "prompt")                              \
    X(BAR,          "bar")          /* histogram/progress bars */ \
    X(BETTER,       "better")                              \
    X(WORSE,        "worse")                               \
    X(ALERT,        "alert")                               \
    X(CORR_POS,     "corr-pos")     /* strong positive */  \
    X(CORR_NEG,     "corr-neg")     /* strong negative */  \
    X(CORR_WEAK,    "corr-weak")                           \
    X(CHART,        "chart")                               \
    X(DIFFER,       "differ")       /* a value that differs between compared runs */

enum sx_role {
#define X(id, name) SX_ROLE_##id,
    SX_ROLE_TABLE(X)
#undef X
    SX_ROLE_COUNT
};

/* ---- the command table: enum, longname, help ---- */
#define SX_CMD_TABLE(X)                                                                  \
    X(NONE,          "none",          "Do nothing")                                     \
    X(QUIT,          "quit",          "Quit sextant")                                   \
    X(BACK,          "back",          "Go back one level (quit at the top)")            \
    X(HELP,          "help",          "Show the keys and commands")                     \
    X(PROMPT,        "prompt",        "Open the : command line")                        \
    X(REDRAW,        "redraw",        "Redraw the screen")                              \
    X(NEXT_PANE,     "next-pane",     "Switch to the next pane")                        \
    X(PREV_PANE,     "prev-pane",     "Switch to the previous pane")                    \
    X(PANE_1,        "pane-1",        "Switch to pane 1")                               \
    X(PANE_2,        "pane-2",        "Switch to pane 2")                               \
    X(PANE_3,        "pane-3",        "Switch to pane 3")                               \
    X(PANE_4,        "pane-4",        "Switch to pane 4")                               \
    X(PANE_5,        "pane-5",        "Switch to pane 5")                               \
    X(MOVE_UP,       "move-up",       "Move up")                                        \
    X(MOVE_DOWN,     "move-down",     "Move down")                                      \
    X(MOVE_LEFT,     "move-left",     "Move left")                                      \
    X(MOVE_RIGHT,    "move-right",    "Move right")                                     \
    X(PAGE_UP,       "page-up",       "Move one page up")                               \
    X(PAGE_DOWN,     "page-down",     "Move one page down")                             \
    X(MOVE_FIRST,    "move-first",    "Go to the first row")                            \
    X(MOVE_LAST,     "move-last",     "Go to the last row")                             \
    X(MOVE_HOME,     "move-home",     "Go to the first column")                         \
    X(MOVE_END,      "move-end",      "Go to the last column")                          \
    X(ENTER,         "enter",         "Open the selected item / drill down")            \
    X(SEARCH,        "search",        "Search the current column")                      \
    X(SEARCH_NEXT,   "search-next",   "Next search match")                              \
    X(SEARCH_PREV,   "search-prev",   "Previous search match")                          \
    X(SORT_ASC,      "sort-asc",      "Sort ascending by the current column")           \
    X(SORT_DESC,     "sort-desc",     "Sort descending by the current column")          \
    X(SORT_ADD_ASC,  "sort-add-asc",  "Add the current column as an ascending sort key") \
    X(SORT_ADD_DESC, "sort-add-desc", "Add the current column as a descending sort key") \
    X(FILTER_VALUE,  "filter-value",  "Keep rows equal to the current cell's value")    \
    X(FIT_COLUMN,    "fit-column",    "Fit the current column's width to its content")  \
    X(DESCRIBE,      "describe",      "Describe sheet: the profile of every column")    \
    X(FREQ_TABLE,    "freq-table",    "Frequency table of the current column")          \
    X(COLUMNS,       "columns",       "Columns sheet: rename, hide, change type")       \
    X(CORR,          "corr",          "Correlation matrix of the numeric columns")      \
    X(GROUP,         "group",         "Group summary by a column (:group COL)")         \
    X(HIST,          "hist",          "Histogram of the current column")                \
    X(PLOT,          "plot",          "Chart (:plot hist|scatter|line …)")              \
    X(EXPORT,        "export",        "Write the chart as PNG or SVG (:export png|svg PATH)") \
    X(OPEN,          "open",          "Open a CSV file without importing it (:open FILE)") \
    X(IMPORT,        "import",        "Import the open file into the store")            \
    X(RENAME,        "rename",        "Rename the current column (view only)")          \
    X(HIDE,          "hide",          "Hide the current column (view only)")            \
    X(TYPE_TEXT,     "type-text",     "Set the current column's type to text")          \
    X(TYPE_INT,      "type-int",      "Set the current column's type to int")           \
    X(TYPE_FLOAT,    "type-float",    "Set the current column's type to float")         \
    X(TYPE_DATE,     "type-date",     "Set the current column's type to date")          \
    X(CANCEL,        "cancel",        "Cancel the running work")                        \
    X(SET,           "set",           "Set an option (:set NAME VALUE)")                \
    X(BIND,          "bind",          "Bind a key (:bind KEYMAP KEY COMMAND)")          \
    X(COLOR,         "color",         "Colour a role (:color ROLE FG BG [ATTR…])")      \
    X(SOURCE,        "source",        "Read commands from a file (:source FILE)")       \
    X(SAVE_DISPLAY,  "save-display",  "Write the screen as text (:save-display FILE)")  \
    X(RESIZE,        "resize",        "Resize the screen, for tests (:resize ROWSxCOLS)") \
    X(WAIT,          "wait",          "Wait for background work to finish (scripts)")    \
    X(PALETTE,       "palette",       "Pick a command from the list of longnames")      \
    X(DERIVE,        "derive",        "Add a column computed from an expression after the current one (:derive NAME = EXPR)") \
    X(FILTER_EXPR,   "filter",        "Keep rows where an expression is true (:filter EXPR; g| asks; an empty EXPR or | shows all)") \
    X(FIT,           "fit",           "Fit the selected feature-set version on the data set open in the Data pane") \
    X(SQL,           "sql",           "Show the SQL export of the selected fit (:sql [sqlite|postgres|duckdb|spark] [inference|train])") \
    X(DIFF,          "diff",          "Diff two versions' normalised specs (:diff vA vB)") \
    X(SPEC_EDIT,     "edit-spec",     "Edit the spec of the selected version; saving makes a new version") \
    X(SPEC_NEW,      "new-feature-set", "Start a new feature set (:new-feature-set NAME)") \
    X(SPEC_SAVE,     "save-spec",     "Save the edited spec as a new version of its feature set") \
    X(PREVIEW,       "preview",       "Preview the output columns on the data set open in the Data pane") \
    X(SELECT_RUN,    "select-run",    "Select or unselect the run under the cursor for comparing") \
    X(COMPARE,       "compare",       "Compare the selected runs (two or more) side by side") \
    X(DIFF_ONLY,     "diff-only",     "Show only the rows where the compared runs differ, or every row again") \
    X(FOLD_TOGGLE,   "fold-toggle",   "Open or close the sweep (or group) under the cursor") \
    X(FOLD_OPEN,     "fold-open",     "Open the sweep (or group) under the cursor: show its trials") \
    X(FOLD_CLOSE,    "fold-close",    "Close the sweep (or group) under the cursor") \
    X(FOLD_OPEN_ALL, "fold-open-all", "Open every sweep and group") \
    X(FOLD_CLOSE_ALL, "fold-close-all", "Close every sweep and group") \
    X(COMMENT,       "comment",       "Comment on the run (:comment TEXT; the key asks)") \
    X(REVIEW,        "review",        "Set the run's review status (:review reviewed|needs-work [TEXT])") \
    X(HISTORY_CHART, "history-chart", "Chart a metric's history, one line per run (:history-chart [METRIC])")

enum sx_cmd {
#define X(id, name, help) SX_CMD_##id,
    SX_CMD_TABLE(X)
#undef X
    SX_CMD_COUNT
};

const char *sx_cmd_name(enum sx_cmd c);
const char *sx_cmd_help(enum sx_cmd c);
/* The command whose longname is NAME, or SX_CMD_NONE. */
enum sx_cmd sx_cmd_parse(const char *name);

/* Keys as a view's key hook sees them (more in tui/shell.h): a character
 * is its code point, a curses function key SX_KEY_FN + its KEY_* code. */
#define SX_KEY_FN     0x200000
#define SX_KEY_ENTER  13
#define SX_KEY_ESC    27
#define SX_KEY_TAB    9
#define SX_KEY_BS     (SX_KEY_FN + KEY_BACKSPACE)

/* What a handler did; the loop redraws accordingly. */
enum { SX_H_HANDLED = 1, SX_H_REDRAW = 2, SX_H_RELAYOUT = 4, SX_H_QUIT = 8, SX_H_POP = 16 };

/* ---- views and panes ---- */
struct sx_app;
struct sx_view;

struct sx_view_ops {
    const char *name;         /* keymap name: "grid", "describe", "freq", … */
    const char *title;        /* shown in the breadcrumb */
    /* Paint the view into its rectangle (v->y, v->x, v->h, v->w). */
    void (*draw)(struct sx_view *v);
    /* React to a command; ARG is the rest of a `:` line or NULL. */
    unsigned (*handle)(struct sx_view *v, enum sx_cmd cmd, const char *arg);
    /* Called on the main thread about every 50 ms while a job runs or the
     * view asked for ticks; returns SX_H_* flags. May be NULL. */
    unsigned (*tick)(struct sx_view *v);
    /* Free the view's private state. */
    void (*close)(struct sx_view *v);
    /* The key bar: commands shown at the bottom, with their keys;
     * terminated by SX_CMD_NONE. May be NULL. */
    const enum sx_cmd *keybar;
    /* Optional (may be NULL; added by the shell): 1 when closing the view
     * would lose work, so `q` at the top asks first. */
    int (*dirty)(struct sx_view *v);
    /* Optional: the context of the next command for the command log, e.g.
     * "col=price row=12" (no tabs or newlines), written into BUF. */
    void (*where)(struct sx_view *v, char *buf, size_t size);
    /* Optional (added with the spec editor): a view that takes typed text
     * sees every key KEY (SX_KEY_* above) before the keymaps do; it returns SX_H_*
     * flags, or 0 to let the keymaps have the key. */
    unsigned (*key)(struct sx_view *v, int key);
};

struct sx_view {
    const struct sx_view_ops *ops;
    struct sx_app *app;
    struct sx_view *below;    /* the view under this one in the stack */
    int y, x, h, w;           /* screen rectangle, set by layout */
    void *priv;
};

struct sx_pane_ops {
    const char *name;         /* "data" */
    const char *title;        /* "Data" */
    /* Create the pane's first view. */
    struct sx_view *(*open)(struct sx_app *app, struct sx_err *err);
};

/* Push V on the current pane's stack (the app lays it out and draws it);
 * pop the top view (never the pane's first one). */
void sx_view_push(struct sx_app *app, struct sx_view *v);
void sx_view_pop(struct sx_app *app);
/* A new view with OPS and PRIV (owned by the view from now on). */
struct sx_view *sx_view_new(struct sx_app *app, const struct sx_view_ops *ops, void *priv);

/* ---- background jobs (tui/job.c) ---- */
struct sx_job;
/* Run FN(CTX, JOB) on a worker thread. FN reports with sx_job_progress and
 * checks sx_job_cancelled; its return value is kept for sx_job_status. */
typedef enum sx_status (*sx_job_fn)(void *ctx, struct sx_job *job, struct sx_err *err);
struct sx_job *sx_job_start(struct sx_app *app, const char *label, sx_job_fn fn, void *ctx);
void sx_job_progress(struct sx_job *job, uint64_t done, uint64_t total, uint64_t rows);
int sx_job_cancelled(const struct sx_job *job);
void sx_job_cancel(struct sx_job *job);
/* 1 when finished (then the status and error are final). */
int sx_job_done(const struct sx_job *job, enum sx_status *status, struct sx_err *err);
/* Join and free a finished (or cancel and join an unfinished) job. */
void sx_job_free(struct sx_job *job);

/* ---- drawing (tui/draw.c) ----
 * Every helper takes the app first: the theme and whether the locale is
 * UTF-8 live in it (views pass v->app). */
/* Display width of UTF-8 S in columns (control characters and invalid bytes
 * count as their replacement; outside UTF-8 every character is one column). */
int sx_text_width(struct sx_app *app, const char *s);
/* The rest of S after its first COLS display columns, for scrolling
 * sideways: a character across that edge is skipped whole and *OVER (may
 * be NULL) gets how many columns it reached past COLS (added by the
 * Features pane). */
const char *sx_text_skip(struct sx_app *app, const char *s, int cols, int *over);
/* Paint UTF-8 S at (Y, X) in ROLE, using at most COLS columns: never splits
 * a character, shows "…" (ASCII "~") when cut, replaces control characters
 * and invalid bytes with a visible placeholder, pads with spaces to COLS
 * when PAD. Returns the columns used. */
int sx_draw_text(struct sx_app *app, int y, int x, enum sx_role role, const char *s, int cols,
                 int pad);
/* Same, right-aligned in COLS (for numbers). */
int sx_draw_text_right(struct sx_app *app, int y, int x, enum sx_role role, const char *s,
                       int cols);
/* UTF8 when the locale is UTF-8, else ASCII: sx_glyph(app, "…", "~") (added
 * by the shell for views' bars, marks and glyphs). */
const char *sx_glyph(struct sx_app *app, const char *utf8, const char *ascii);
/* Fill a rectangle with spaces in ROLE. */
void sx_draw_fill(struct sx_app *app, int y, int x, int h, int w, enum sx_role role);
/* Paint one cell of a chart that gnuplot drew (core/plot.h) at (Y, X) with
 * ATTRS (bold added when the cell is) and colour PAIR; a character that is
 * not one column wide (or not ASCII outside UTF-8) shows as '?'. */
struct sx_plot_cell;
void sx_draw_plot_cell(struct sx_app *app, int y, int x, const struct sx_plot_cell *cell,
                       attr_t attrs, short pair);
/* The curses attribute for ROLE in the app's theme (tui/theme.c). */
attr_t sx_role_attr(struct sx_app *app, enum sx_role role);
/* Set the status line (printf-style); ERROR role when IS_ERROR. */
void sx_status(struct sx_app *app, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the app ---- */
struct sx_app_opts {
    const char *store_path;   /* NULL: locate as the CLI does */
    const char *theme;        /* NULL: "default" */
    const char *open_file;    /* a CSV to open at start, or NULL */
    int read_only;
};

/* Run the workbench until the user quits. Returns a process exit code.
 * SEXTANT_NO_DISPLAY=1 runs headless (output to /dev/null, size from
 * LINES/COLUMNS); SEXTANT_SCRIPT=FILE reads keys and commands from FILE. */
int sx_tui_main(const struct sx_app_opts *opts);

/* What views may use from the app (the struct itself is in tui/shell.h). */
struct sx_store *sx_app_store(struct sx_app *app);   /* NULL if none */
int sx_app_read_only(const struct sx_app *app);
int sx_app_utf8(const struct sx_app *app);           /* locale is UTF-8 */
int sx_app_scripted(const struct sx_app *app);       /* jobs finish before the next key */
/* The counter of changes to the store's data sets: bumped (changed) by
 * whatever changed them (an import), compared by lists that show them, so
 * they reload when they next draw. Starts at 1. */
unsigned sx_app_store_generation(const struct sx_app *app);
void sx_app_store_changed(struct sx_app *app);
/* The session's gnuplot co-process into *OUT, started on first use; one
 * serves every chart and the app closes it when the workbench exits. On
 * failure (gnuplot missing: SX_ENOTFOUND) *OUT is NULL, ERR says why and
 * the next call tries again. */
enum sx_status sx_app_plot(struct sx_app *app, struct sx_plot **out, struct sx_err *err);
/* Ask the user a yes/no question on the status line (default No). */
int sx_app_confirm(struct sx_app *app, const char *question);
/* Ask for a line of text on the prompt line; NULL when cancelled. The
 * result is the caller's to free. */
char *sx_app_ask(struct sx_app *app, const char *prompt, const char *initial);
/* The same with Tab completing file paths (for `o` and the like). */
char *sx_app_ask_path(struct sx_app *app, const char *prompt, const char *initial);
/* Skip the leading and trailing blanks (spaces, tabs) of typed text S in
 * place; returns where S's text now starts (tui/prompt.c). */
char *sx_trim(char *s);
/* Refuse a write under --read-only or without a store: 1 (after saying
 * why on the status line, naming WHAT) when refused, else 0. */
int sx_app_refuse_write(struct sx_app *app, const char *what);

/* The top view of the pane named NAME ("data"), or NULL when there is no
 * such pane or it has not been opened; a pane may read another's views
 * through it (the Features pane finds the Data pane's open grid). */
struct sx_view *sx_app_pane_top(struct sx_app *app, const char *name);

extern const struct sx_pane_ops *const sx_panes[];
extern const size_t sx_npanes;

#endif
