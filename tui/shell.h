/* tui/shell.h: what the files of the workbench shell share and no view
 * needs: the app struct, keys and keymaps, the rc grammar, themes, the
 * line editor, scripts and the command log, the screen (curses set-up,
 * save-display) and the bars. Views include tui.h only.
 *
 * Files: app.c (main loop, dispatch, pane and view stacks), screen.c
 * (curses init, signals, save-display, resize), bars.c (top bar, key bar,
 * status line, progress), cmd.c (command table, keys, keymaps, rc grammar),
 * script.c (SEXTANT_SCRIPT and the command log), prompt.c (the `:` line,
 * sx_app_ask, sx_app_confirm), help.c (the `?` view), theme.c, draw.c,
 * job.c. */
#ifndef SX_SHELL_H
#define SX_SHELL_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "keytiming.h"
#include "tui.h"

/* ---- keys ----
 * A key is an int: a character is its Unicode code point; a curses
 * function key is SX_KEY_FN + its KEY_* code. Enter, Backspace and
 * Ctrl-H are normalised so scripts, rc files and terminals agree. */
typedef int sx_key;
/* SX_KEY_FN, SX_KEY_ENTER, SX_KEY_ESC, SX_KEY_TAB, SX_KEY_BS: tui.h */
#define SX_KEY_MAXSEQ 4

/* A raw get_wch() result (RC, CH) as a normalised key; -1 for none. */
sx_key sx_key_from_curses(int rc, wint_t ch);
/* Parse key notation at *S ("j", "<Enter>", "<C-c>", "<lt>"): one key,
 * advancing *S. Returns 0 and sets *K, or -1 on unknown <names>. */
int sx_key_parse_one(const char **s, sx_key *k);
/* Parse a whole sequence ("gg", "g[", "<C-x>a") into KEYS (max SX_KEY_MAXSEQ).
 * Returns the count, or -1 when malformed or too long. */
int sx_key_parse_seq(const char *s, sx_key *keys);
/* Name of K in rc notation ("j", "<Enter>") into BUF (32 bytes). With
 * BARE, without the angle brackets ("Enter", "C-c"), for the key bar. */
const char *sx_key_name(sx_key k, int bare, char *buf);
/* A sequence in rc notation into BUF (SIZE bytes). */
const char *sx_key_seq_name(const sx_key *keys, int n, int bare, char *buf, size_t size);

/* ---- keymaps (cmd.c) ---- */
struct sx_binding {
    char map[24];             /* "generic", a pane name or a view name */
    sx_key keys[SX_KEY_MAXSEQ];
    int nkeys;
    enum sx_cmd cmd;          /* SX_CMD_NONE: unbound (shadows lower maps) */
    char *arg;                /* NULL or the rest of the rc line */
};
/* Every binding of every map, in definition order (the app's). */
struct sx_keymap {
    struct sx_binding *v;
    size_t n, cap;
};
/* Install the default bindings in APP (idempotent: clears first). */
void sx_keymap_defaults(struct sx_app *app);
void sx_keymap_free(struct sx_app *app);
/* Result of looking KEYS up in the maps MAPS[0..NMAPS-1], highest priority
 * first: the binding (SX_KEYMAP_FOUND), a prefix of a longer binding
 * (SX_KEYMAP_PREFIX), or nothing. */
enum { SX_KEYMAP_NONE, SX_KEYMAP_FOUND, SX_KEYMAP_PREFIX };
int sx_keymap_lookup(struct sx_app *app, const char *const *maps, int nmaps, const sx_key *keys,
                     int nkeys, const struct sx_binding **out);
/* The first binding of CMD (with no argument) reachable through MAPS, or NULL. */
const struct sx_binding *sx_keymap_first(struct sx_app *app, const char *const *maps, int nmaps,
                                         enum sx_cmd cmd);
/* Every binding, in definition order (for help). */
const struct sx_binding *sx_keymap_all(struct sx_app *app, size_t *n);
/* Is NAME a keymap name bind accepts? */
int sx_keymap_known(const char *name);
/* The known keymap names, NULL-terminated. */
const char *const *sx_keymap_names(void);

/* ---- options (`set`, cmd.c) ---- */
struct sx_option_info {
    const char *name;
    const char *help;
};
const struct sx_option_info *sx_options(size_t *n);
/* Current value of option NAME as text, or NULL when unknown. */
const char *sx_option_get(struct sx_app *app, const char *name, char *buf, size_t size);

/* ---- the rc grammar and `:` lines (cmd.c) ---- */
/* Where a line comes from. */
enum sx_origin { SX_FROM_KEY, SX_FROM_PROMPT, SX_FROM_SCRIPT, SX_FROM_RC };
/* Run one line: `set`/`bind`/`color`/`source`, or (unless RC) any command
 * longname with optional arguments. Errors go to ERR with "WHERE: what"
 * left to the caller to prefix. */
enum sx_status sx_rc_line(struct sx_app *app, const char *line, enum sx_origin origin,
                          const char *file, struct sx_err *err);
/* Read rc FILE (DEPTH for nested `source`). Errors are collected into the
 * app's startup status as "FILE:LINE: what". Missing file: SX_ENOTFOUND
 * with no message collected when QUIET. */
enum sx_status sx_rc_file(struct sx_app *app, const char *path, int depth, int quiet);
/* The user rc path ($XDG_CONFIG_HOME or ~/.config)/sextant/SUB into BUF. */
int sx_config_path(const char *sub, char *buf, size_t size);

/* ---- themes (theme.c) ---- */
/* How the theme paints each role (the app's; see sx_role_attr). */
struct sx_role_style {
    short fg, bg;             /* -1 = the terminal's default */
    attr_t attr;
};
struct sx_theme {
    struct sx_role_style style[SX_ROLE_COUNT];
    int colors;               /* 0 (the mono table), 8 or 256 */
    char name[160];           /* "default", "mono (NO_COLOR)", … */
};
/* Start colours (after initscr): decide colour mode from NO_COLOR,
 * has_colors() and COLORS; load theme NAME (NULL: "default") into the
 * app's theme. Returns SX_OK, or an error for an unknown or malformed
 * theme (the built-in default then applies). */
enum sx_status sx_theme_init(struct sx_app *app, const char *name, struct sx_err *err);
/* Load theme NAME (a name or a path) on top of the built-in default. */
enum sx_status sx_theme_load(struct sx_app *app, const char *name, struct sx_err *err);
/* Apply one `color ROLE FG BG [ATTR…]` from ARGV[0..ARGC) (without the
 * verb). Ignored (SX_OK) in no-colour mode. */
enum sx_status sx_theme_color(struct sx_app *app, int argc, char **argv, struct sx_err *err);
/* The theme in use ("default", "mono (NO_COLOR)", …). */
const char *sx_theme_name(const struct sx_app *app);
/* 0 no colour, 8 or 256. */
int sx_theme_colors(const struct sx_app *app);
/* Describe curses attributes A (with its colour pair) into BUF: "bold
 * fg=yellow bg=default". */
const char *sx_theme_describe(const struct sx_app *app, attr_t a, short pair, char *buf,
                              size_t size);
/* Names for completion: roles, colours, attributes (NULL-terminated). */
const char *const *sx_theme_role_names(void);
const char *const *sx_theme_color_names(void);
const char *const *sx_theme_attr_names(void);
/* The directories searched for NAME.theme, in order: sx_theme_dirs()
 * fills D (the caller's) and returns its NULL-terminated list, which lives
 * as long as D. */
struct sx_theme_dirs {
    char user[PATH_MAX], src[PATH_MAX];
    const char *dir[4];
};
const char *const *sx_theme_dirs(struct sx_theme_dirs *d);

/* ---- drawing helpers (draw.c) ---- */
/* Decode one UTF-8 character at S (N bytes left, N > 0): returns its byte
 * length and sets *CP, or returns 1 with *CP = -1 for an invalid byte. */
int sx_utf8_decode(const unsigned char *s, size_t n, long *cp);
/* Encode CP as UTF-8 into BUF (5 bytes); returns the length. */
int sx_utf8_encode(long cp, char *buf);

/* ---- line editing (prompt.c) ---- */
enum sx_complete { SX_COMPLETE_NONE, SX_COMPLETE_COMMAND, SX_COMPLETE_PATH };
/* The lines entered at one kind of prompt, oldest first (the app keeps
 * one for the `:` line and one for asks). */
#define SX_HISTORY_MAX 100
struct sx_history {
    char *v[SX_HISTORY_MAX];
    size_t n;
};
/* Edit a line on the status row; NULL when cancelled. History is kept per
 * kind (the `:` line, asks). */
char *sx_prompt_edit(struct sx_app *app, const char *prompt, const char *initial,
                     enum sx_complete mode);
/* The `:` line: edit, add to history, run. Returns SX_H_* flags. */
unsigned sx_prompt_command(struct sx_app *app);
/* Free the app's prompt histories. */
void sx_prompt_free(struct sx_app *app);
/* A script's `:` line arriving while a prompt or question is open: runs it
 * when it only reads or sizes the screen (save-display, resize, wait,
 * redraw) and returns 1; otherwise records a script error and returns 0. */
unsigned sx_prompt_script_line(struct sx_app *app, const char *line);
/* Space: pick a command from the list of longnames, filtered as you type;
 * Enter runs it (commands wanting arguments open the `:` line). */
unsigned sx_palette(struct sx_app *app);
/* Complete LINE (cursor at its end) for mode MODE: fills CANDS (up to
 * MAX, new strings) and returns their count; *START is the byte offset
 * where the completed word starts. Exposed for tests and help. */
size_t sx_complete(struct sx_app *app, const char *line, enum sx_complete mode,
                   size_t *start, char **cands, size_t max);

/* ---- the help view (help.c) ---- */
struct sx_view *sx_help_view_new(struct sx_app *app);

/* ---- scripts and the command log (script.c) ---- */
enum sx_input_kind { SX_IN_KEY, SX_IN_LINE, SX_IN_EOF, SX_IN_NONE };
struct sx_input {
    enum sx_input_kind kind;
    sx_key key;               /* SX_IN_KEY */
    char *line;               /* SX_IN_LINE: a `:` command without the colon (owned) */
};
/* Open script PATH; returns 0 or -1 with ERR. */
int sx_script_open(struct sx_app *app, const char *path, struct sx_err *err);
/* The next script entry (keys of a key line one at a time). */
void sx_script_next(struct sx_app *app, struct sx_input *in);
void sx_script_close(struct sx_app *app);
/* Where the script is ("FILE:LINE"), for errors. */
const char *sx_script_where(struct sx_app *app, char *buf, size_t size);

/* Open the command log ($SEXTANT_LOG, else $XDG_STATE_HOME/sextant/command.log). */
void sx_log_open(struct sx_app *app);
/* Record a command with its argument and context (CTX: "pane=data
 * view=grid col=price row=12"), then the confirmation keys typed during it. */
void sx_log_command(struct sx_app *app, enum sx_cmd cmd, const char *arg, const char *ctx);
/* Record an rc-grammar line (set, bind, color, source) typed or scripted. */
void sx_log_line(struct sx_app *app, const char *line);
/* Remember a key answering a confirmation, written after the command. */
void sx_log_key(struct sx_app *app, sx_key k);
void sx_log_close(struct sx_app *app);

/* ---- the screen (screen.c) ---- */
/* Start curses (headless when SEXTANT_NO_DISPLAY=1). Returns 0 or -1 with
 * a message in ERR. */
int sx_screen_start(struct sx_app *app, struct sx_err *err);
void sx_screen_end(void);
/* Install SIGINT/SIGTERM/SIGHUP flags and the crash handler. */
void sx_signals_install(void);
/* The signal number, or 0. The one piece of process state outside the app
 * struct besides screen.c's own flags: a signal handler cannot reach the
 * app, so it may only set a volatile sig_atomic_t, which the loop reads. */
extern volatile sig_atomic_t sx_signal_seen;
/* :save-display [--attrs] NAME */
enum sx_status sx_screen_save(struct sx_app *app, const char *arg, struct sx_err *err);
/* :resize ROWSxCOLS */
enum sx_status sx_screen_resize(struct sx_app *app, const char *arg, struct sx_err *err);

/* ---- bars (bars.c) ---- */
/* Top bar, key bar and status line. */
void sx_bars_draw(struct sx_app *app);
/* The status row with a prompt (PROMPT, TEXT, cursor at byte CUR); leaves
 * the curses cursor there. */
void sx_bars_prompt(struct sx_app *app, const char *prompt, const char *text, size_t cur);
/* Candidates shown on the key bar row while completing (NULL clears). */
void sx_bars_candidates(struct sx_app *app, char **cands, size_t n, size_t sel);

/* ---- the app (app.c) ---- */
struct sx_pane_state {
    const struct sx_pane_ops *ops;
    struct sx_view *top;      /* NULL until opened */
    int failed;               /* open failed; ERR has why */
    char err[512];
};

struct sx_job_list {
    struct sx_job **v;
    size_t n, cap;
};

struct sx_app {
    struct sx_app_opts opts;
    struct sx_store *store;
    char store_path[4096];    /* "" when none */
    char store_label[256];    /* shown in the top bar */
    int read_only, utf8, headless, scripted, colors_ok;
    SCREEN *screen;
    FILE *screen_out;         /* /dev/null when headless */

    struct sx_pane_state *panes;
    size_t npanes, cur;
    int pending_pops;

    /* status line */
    char status[512];
    int status_error;
    int rc_errors;            /* errors collected while reading rc files */

    /* keys typed so far of a multi-key binding */
    sx_key pending[SX_KEY_MAXSEQ];
    int npending;
    sx_key last_key;          /* the key that triggered the running command */

    /* modal state drawn by the bars */
    int in_prompt;
    char **cands;             /* completion candidates shown (not owned) */
    size_t ncands, cand_sel;

    /* options */
    int show_keybar;
    int escdelay;
    char theme[128];          /* `set theme` as given */

    struct sx_theme look;     /* how each role is painted (theme.c) */
    struct sx_keymap keymap;  /* every binding (cmd.c) */
    int rc_depth;             /* `source` nesting of the rc file being read */
    int in_startup_rc;        /* reading ~/.config/sextant/sextantrc at start: --theme wins over its `set theme` */
    char rc_first_error[400]; /* the first rc error, repeated with "(+N more)" */
    struct sx_history hist_cmd, hist_ask;   /* prompt.c */
    struct sx_keytiming timing;             /* SEXTANT_KEY_TIMING (keytiming.c) */
    struct sx_plot *plot;     /* the session's gnuplot, NULL until a chart needs it */
    unsigned store_generation;  /* bumped when the store's data sets change */

    struct sx_job_list jobs;

    /* script and log */
    FILE *script;
    char *script_path;
    long script_line;
    char *script_keys;        /* the rest of the current key line */
    char *script_keys_buf;
    char script_err[512];     /* a fatal script error, printed at exit */
    FILE *log;
    char *log_ask;            /* answer given to sx_app_ask during the command */
    sx_key log_keys[8];       /* confirmation keys typed during the command */
    int nlog_keys;
    int in_command;           /* depth of command dispatch */
    int log_rows, log_cols;   /* the size the log last recorded */

    int quit;
    int exit_code;
};

/* The current pane and its top view (NULL when the pane failed to open). */
struct sx_pane_state *sx_app_pane(struct sx_app *app);
struct sx_view *sx_app_top(struct sx_app *app);
/* Run command CMD with ARG (NULL) as if from ORIGIN; returns SX_H_* flags. */
unsigned sx_app_run(struct sx_app *app, enum sx_cmd cmd, const char *arg, enum sx_origin origin);
/* Draw everything into the curses buffer (no refresh). */
void sx_app_draw(struct sx_app *app);
/* Redraw and push to the terminal. */
void sx_app_refresh(struct sx_app *app);
/* Lay out every view of every pane for the current screen size. */
void sx_app_layout(struct sx_app *app);
/* Read the next input: a script entry, or a key (waiting at most TIMEOUT
 * ms; -1 forever). SX_IN_NONE on timeout, KEY_RESIZE comes as a key. */
void sx_app_input(struct sx_app *app, int timeout, struct sx_input *in);
/* Wait for every job (scripted mode) and tick the views. */
unsigned sx_app_settle(struct sx_app *app);
/* The keymaps of the top view, highest priority first, into MAPS (3). */
int sx_app_maps(struct sx_app *app, const char **maps);
/* Set the status from a message without printf (for rc errors). */
void sx_app_status_msg(struct sx_app *app, int is_error, const char *msg);
/* Is any job still running? */
int sx_app_busy(struct sx_app *app);
/* The most recently started unfinished job, or NULL. */
struct sx_job *sx_app_busy_job(struct sx_app *app);
/* Progress of JOB: bytes done/total, rows, seconds since start, label. */
void sx_job_snapshot(const struct sx_job *job, uint64_t *done, uint64_t *total, uint64_t *rows,
                     double *elapsed, const char **label);

#endif
