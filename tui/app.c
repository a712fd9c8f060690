/* tui/app.c: the workbench's main loop. It owns the app struct: the store,
 * the panes with their view stacks, the status line, and every other piece
 * of the workbench's state (theme, keymaps, histories, the gnuplot session:
 * tui/ keeps none in file-level variables); it turns keys into
 * commands through the keymaps, runs the commands the shell owns (panes,
 * help, the `:` line, rc verbs, save-display, resize, quit) and offers the
 * rest to the top view, then redraws. Scripts (SEXTANT_SCRIPT) feed the
 * same loop; in a script every job finishes before the next entry.
 * Other files of the shell: see tui/shell.h. */
#include "shell.h"

#include <langinfo.h>
#include <poll.h>
#include <unistd.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "launch.h"
#include "plot.h"
#include "store.h"

/* ---- accessors for views ---- */

struct sx_store *sx_app_store(struct sx_app *app) { return app->store; }
int sx_app_read_only(const struct sx_app *app) { return app->read_only; }
int sx_app_utf8(const struct sx_app *app) { return app->utf8; }
int sx_app_scripted(const struct sx_app *app) { return app->scripted; }
unsigned sx_app_store_generation(const struct sx_app *app) { return app->store_generation; }
void sx_app_store_changed(struct sx_app *app) { app->store_generation++; }

int sx_app_refuse_write(struct sx_app *app, const char *what)
{
    if (sx_app_read_only(app)) {
        sx_status(app, 1, "read-only: %s is disabled (--read-only)", what);
        return 1;
    }
    if (!sx_app_store(app)) {
        sx_status(app, 1, "no store to write to (sextant init creates one)");
        return 1;
    }
    return 0;
}

enum sx_status sx_app_plot(struct sx_app *app, struct sx_plot **out, struct sx_err *err)
{
    if (!app->plot) {
        enum sx_status rc = sx_plot_open(&app->plot, err);
        if (rc != SX_OK) {
            *out = NULL;
            return rc;
        }
    }
    *out = app->plot;
    return SX_OK;
}

void sx_app_status_msg(struct sx_app *app, int is_error, const char *msg)
{
    snprintf(app->status, sizeof app->status, "%s", msg);
    app->status_error = is_error;
}

void sx_status(struct sx_app *app, int is_error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->status, sizeof app->status, fmt, ap);
    va_end(ap);
    app->status_error = is_error;
}

struct sx_pane_state *sx_app_pane(struct sx_app *app)
{
    return app->npanes ? &app->panes[app->cur] : NULL;
}

struct sx_view *sx_app_top(struct sx_app *app)
{
    struct sx_pane_state *p = sx_app_pane(app);
    return p ? p->top : NULL;
}

struct sx_view *sx_app_pane_top(struct sx_app *app, const char *name)
{
    for (size_t i = 0; i < app->npanes; i++)
        if (strcmp(app->panes[i].ops->name, name) == 0)
            return app->panes[i].top;
    return NULL;
}

int sx_app_maps(struct sx_app *app, const char **maps)
{
    int n = 0;
    struct sx_view *top = sx_app_top(app);
    struct sx_pane_state *p = sx_app_pane(app);
    if (top && top->ops->name)
        maps[n++] = top->ops->name;
    if (p)
        maps[n++] = p->ops->name;
    maps[n++] = "generic";
    return n;
}

/* ---- views ---- */

static void view_rect(struct sx_app *app, struct sx_view *v)
{
    int bottom = (LINES >= 3 && app->show_keybar) ? 2 : 1;
    v->y = 1;
    v->x = 0;
    v->h = LINES - 1 - bottom;
    if (v->h < 0)
        v->h = 0;
    v->w = COLS;
}

struct sx_view *sx_view_new(struct sx_app *app, const struct sx_view_ops *ops, void *priv)
{
    struct sx_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->ops = ops;
    v->app = app;
    v->priv = priv;
    view_rect(app, v);
    return v;
}

static void view_close(struct sx_view *v)
{
    if (v->ops->close)
        v->ops->close(v);
    free(v);
}

void sx_view_push(struct sx_app *app, struct sx_view *v)
{
    struct sx_pane_state *p = sx_app_pane(app);
    if (!p || !v)
        return;
    v->app = app;
    v->below = p->top;
    p->top = v;
    view_rect(app, v);
}

void sx_view_pop(struct sx_app *app)
{
    app->pending_pops++;
}

/* Pops asked for during a handler, done once it has returned. */
static void do_pops(struct sx_app *app)
{
    struct sx_pane_state *p = sx_app_pane(app);
    while (app->pending_pops > 0) {
        app->pending_pops--;
        if (p && p->top && p->top->below) {
            struct sx_view *v = p->top;
            p->top = v->below;
            view_close(v);
        }
    }
}

void sx_app_layout(struct sx_app *app)
{
    for (size_t i = 0; i < app->npanes; i++)
        for (struct sx_view *v = app->panes[i].top; v; v = v->below)
            view_rect(app, v);
}

/* ---- panes ---- */

static void pane_open(struct sx_app *app, size_t i)
{
    struct sx_pane_state *p = &app->panes[i];
    if (p->top || p->failed)
        return;
    struct sx_err err = {0};
    size_t saved = app->cur;
    app->cur = i;
    struct sx_view *v = p->ops->open(app, &err);
    app->cur = saved;
    if (!v) {
        p->failed = 1;
        snprintf(p->err, sizeof p->err, "%s", err.msg[0] ? err.msg : "cannot open the pane");
        sx_app_status_msg(app, 1, p->err);
        return;
    }
    v->app = app;
    v->below = NULL;
    p->top = v;
    view_rect(app, v);
}

static unsigned pane_switch(struct sx_app *app, long i)
{
    if (app->npanes == 0)
        return 0;
    if (i < 0 || (size_t)i >= app->npanes) {
        sx_status(app, 1, "there is no pane %ld (panes 1-%zu)", i + 1, app->npanes);
        return SX_H_REDRAW;
    }
    app->npending = 0;
    app->cur = (size_t)i;
    pane_open(app, (size_t)i);
    return SX_H_REDRAW;
}

/* ---- drawing ---- */

void sx_app_draw(struct sx_app *app)
{
    bkgdset((chtype)' ' | sx_role_attr(app, SX_ROLE_DEFAULT));   /* blank cells in the theme */
    erase();
    struct sx_view *top = sx_app_top(app);
    int bottom = (LINES >= 3 && app->show_keybar) ? 2 : 1;
    int h = LINES - 1 - bottom;
    if (top) {
        view_rect(app, top);
        if (h > 0 && COLS > 0 && top->ops->draw)
            top->ops->draw(top);
    } else if (h > 0) {
        struct sx_pane_state *p = sx_app_pane(app);
        const char *msg = p && p->failed ? p->err : "no pane";
        sx_draw_text(app, 1, 1, p && p->failed ? SX_ROLE_ERROR : SX_ROLE_DIM, msg, COLS - 2, 0);
    }
    sx_bars_draw(app);
}

void sx_app_refresh(struct sx_app *app)
{
    sx_app_draw(app);
    refresh();
}

/* ---- input ---- */

void sx_app_input(struct sx_app *app, int ms, struct sx_input *in)
{
    in->kind = SX_IN_NONE;
    in->line = NULL;
    if (app->scripted) {
        sx_script_next(app, in);
        return;
    }
    timeout(ms);
    wint_t ch;
    int rc = get_wch(&ch);
    if (rc == ERR) {
        /* headless keys from a pipe or file: the end of input quits */
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        if (app->headless && !isatty(STDIN_FILENO) && poll(&pfd, 1, 0) == 1 &&
            (pfd.revents & (POLLIN | POLLHUP)))
            in->kind = SX_IN_EOF;
        return;
    }
    sx_key k = sx_key_from_curses(rc, ch);
    if (k < 0)
        return;
    in->kind = SX_IN_KEY;
    in->key = k;
}

/* ---- ticks and jobs ---- */

static unsigned tick_all(struct sx_app *app)
{
    unsigned flags = 0;
    for (size_t i = 0; i < app->npanes; i++) {
        for (struct sx_view *v = app->panes[i].top; v; v = v->below) {
            if (!v->ops->tick)
                continue;
            unsigned f = v->ops->tick(v);
            if ((f & SX_H_POP) && i == app->cur && v == app->panes[i].top)
                app->pending_pops++;
            flags |= f;
        }
    }
    do_pops(app);
    return flags;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

unsigned sx_app_settle(struct sx_app *app)
{
    unsigned flags = 0;
    for (int round = 0; round < 1000 && app->jobs.n > 0; round++) {
        while (sx_app_busy(app) && !sx_signal_seen) {
            sleep_ms(2);
            flags |= tick_all(app);
        }
        flags |= tick_all(app);
        if (!sx_app_busy(app))
            break;
    }
    return flags;
}

static void cancel_jobs(struct sx_app *app)
{
    for (size_t i = 0; i < app->jobs.n; i++)
        sx_job_cancel(app->jobs.v[i]);
}

/* ---- quitting ---- */

static int any_dirty(struct sx_app *app)
{
    for (size_t i = 0; i < app->npanes; i++)
        for (struct sx_view *v = app->panes[i].top; v; v = v->below)
            if (v->ops->dirty && v->ops->dirty(v))
                return 1;
    return 0;
}

static unsigned quit_request(struct sx_app *app)
{
    if (any_dirty(app) && !sx_app_confirm(app, "Quit and lose unsaved work?"))
        return SX_H_REDRAW;
    app->quit = 1;
    return SX_H_QUIT;
}

/* ---- commands ---- */

static void resized(struct sx_app *app)
{
    sx_app_layout(app);
    clearok(curscr, TRUE);
}

/* Commands that write to the store; --read-only refuses them. */
static int is_write(enum sx_cmd cmd)
{
    return cmd == SX_CMD_IMPORT;
}

static int loggable(enum sx_cmd cmd)
{
    return cmd != SX_CMD_NONE && cmd != SX_CMD_PROMPT && cmd != SX_CMD_PALETTE &&
           cmd != SX_CMD_REDRAW;
}

/* Run an rc verb bound to a key: "VERB ARG". */
static void run_verb(struct sx_app *app, enum sx_cmd cmd, const char *arg)
{
    char line[1024];
    snprintf(line, sizeof line, "%s %s", sx_cmd_name(cmd), arg ? arg : "");
    struct sx_err err = {0};
    if (sx_rc_line(app, line, SX_FROM_KEY, NULL, &err) != SX_OK)
        sx_app_status_msg(app, 1, err.msg);
}

static unsigned to_view(struct sx_app *app, enum sx_cmd cmd, const char *arg,
                        enum sx_origin origin)
{
    struct sx_view *top = sx_app_top(app);
    unsigned f = 0;
    if (top && top->ops->handle)
        f = top->ops->handle(top, cmd, arg);
    if (!f && origin != SX_FROM_RC)
        sx_status(app, 1, "%s: not available here", sx_cmd_name(cmd));
    return f | SX_H_REDRAW;
}

static unsigned dispatch(struct sx_app *app, enum sx_cmd cmd, const char *arg,
                         enum sx_origin origin)
{
    struct sx_err err = {0};
    struct sx_view *top = sx_app_top(app);
    if (is_write(cmd) && app->read_only) {
        sx_status(app, 1, "%s: the workbench is read-only (--read-only)", sx_cmd_name(cmd));
        return SX_H_REDRAW;
    }
    switch (cmd) {
    case SX_CMD_NONE:
        return 0;
    case SX_CMD_QUIT:
        return quit_request(app);
    case SX_CMD_BACK: {
        if (sx_app_busy(app)) {
            cancel_jobs(app);
            sx_status(app, 0, "cancelled");
            return SX_H_REDRAW;
        }
        unsigned f = top && top->ops->handle ? top->ops->handle(top, cmd, arg) : 0;
        if (f)
            return f | SX_H_REDRAW;
        if (top && top->below) {
            app->pending_pops++;
            return SX_H_REDRAW;
        }
        return quit_request(app);
    }
    case SX_CMD_CANCEL:
        if (sx_app_busy(app)) {
            cancel_jobs(app);
            sx_status(app, 0, "cancelled");
        } else if (top && top->ops->handle && top->ops->handle(top, cmd, arg)) {
            return SX_H_REDRAW;
        }
        return SX_H_REDRAW;
    case SX_CMD_HELP:
        if (top && top->ops->name && strcmp(top->ops->name, "help") == 0)
            return 0;
        sx_view_push(app, sx_help_view_new(app));
        return SX_H_REDRAW;
    case SX_CMD_PROMPT:
        return sx_prompt_command(app);
    case SX_CMD_PALETTE:
        return sx_palette(app);
    case SX_CMD_REDRAW:
        clearok(curscr, TRUE);
        return SX_H_REDRAW;
    case SX_CMD_NEXT_PANE:
        return app->npanes ? pane_switch(app, (long)((app->cur + 1) % app->npanes)) : 0;
    case SX_CMD_PREV_PANE:
        return app->npanes ? pane_switch(app, (long)((app->cur + app->npanes - 1) % app->npanes))
                           : 0;
    case SX_CMD_PANE_1: return pane_switch(app, 0);
    case SX_CMD_PANE_2: return pane_switch(app, 1);
    case SX_CMD_PANE_3: return pane_switch(app, 2);
    case SX_CMD_PANE_4: return pane_switch(app, 3);
    case SX_CMD_PANE_5: return pane_switch(app, 4);
    case SX_CMD_SET:
    case SX_CMD_BIND:
    case SX_CMD_COLOR:
    case SX_CMD_SOURCE:
        run_verb(app, cmd, arg);
        return SX_H_REDRAW | SX_H_RELAYOUT;
    case SX_CMD_SAVE_DISPLAY:
        if (!app->in_prompt)
            sx_app_draw(app);
        if (sx_screen_save(app, arg, &err) != SX_OK)
            sx_app_status_msg(app, 1, err.msg);
        return 0;
    case SX_CMD_RESIZE:
        if (sx_screen_resize(app, arg, &err) != SX_OK) {
            sx_app_status_msg(app, 1, err.msg);
            return SX_H_REDRAW;
        }
        resized(app);
        app->log_rows = LINES;
        app->log_cols = COLS;
        return SX_H_REDRAW | SX_H_RELAYOUT;
    case SX_CMD_WAIT:
        return sx_app_settle(app) | SX_H_REDRAW;
    default:
        return to_view(app, cmd, arg, origin);
    }
}

/* The context of the next command for the log. */
static void context(struct sx_app *app, char *buf, size_t size)
{
    struct sx_pane_state *p = sx_app_pane(app);
    struct sx_view *top = sx_app_top(app);
    int n = snprintf(buf, size, "pane=%s view=%s", p ? p->ops->name : "none",
                     top && top->ops->name ? top->ops->name : "none");
    if (top && top->ops->where && n > 0 && (size_t)n + 2 < size) {
        char w[256] = "";
        top->ops->where(top, w, sizeof w);
        if (w[0])
            snprintf(buf + n, size - (size_t)n, " %s", w);
    }
}

unsigned sx_app_run(struct sx_app *app, enum sx_cmd cmd, const char *arg, enum sx_origin origin)
{
    if (cmd == SX_CMD_PROMPT || cmd == SX_CMD_PALETTE)
        return dispatch(app, cmd, arg, origin);
    char ctx[400];
    context(app, ctx, sizeof ctx);
    app->in_command++;
    unsigned f = dispatch(app, cmd, arg, origin);
    app->in_command--;
    if (loggable(cmd) && origin != SX_FROM_RC) {
        if (cmd == SX_CMD_SET || cmd == SX_CMD_BIND || cmd == SX_CMD_COLOR ||
            cmd == SX_CMD_SOURCE || cmd == SX_CMD_RESIZE || cmd == SX_CMD_SAVE_DISPLAY ||
            cmd == SX_CMD_WAIT)
            ctx[0] = 0;
        sx_log_command(app, cmd, arg ? arg : app->log_ask, ctx);
    }
    if (app->in_command == 0) {
        free(app->log_ask);
        app->log_ask = NULL;
    }
    if (f & SX_H_POP)
        app->pending_pops++;
    if (f & SX_H_QUIT)
        app->quit = 1;
    if (f & SX_H_RELAYOUT)
        sx_app_layout(app);
    do_pops(app);
    return f;
}

/* ---- keys ---- */

static void handle_key(struct sx_app *app, sx_key k)
{
    if (k == SX_KEY_FN + KEY_RESIZE) {
        resized(app);
        if (LINES != app->log_rows || COLS != app->log_cols) {
            /* the log replays at the size the user had */
            char size[32];
            snprintf(size, sizeof size, "%dx%d", LINES, COLS);
            sx_log_command(app, SX_CMD_RESIZE, size, NULL);
            app->log_rows = LINES;
            app->log_cols = COLS;
        }
        return;
    }
    if (app->npending == 0)
        app->status[0] = 0;
    struct sx_view *top = sx_app_top(app);
    if (app->npending == 0 && top && top->ops->key) {
        /* a view that takes typed text (the spec editor) sees keys first */
        unsigned f = top->ops->key(top, k);
        if (f) {
            if (f & SX_H_POP)
                app->pending_pops++;
            if (f & SX_H_QUIT)
                app->quit = 1;
            if (f & SX_H_RELAYOUT)
                sx_app_layout(app);
            do_pops(app);
            return;
        }
    }
    app->pending[app->npending++] = k;
    const char *maps[3];
    int nmaps = sx_app_maps(app, maps);
    const struct sx_binding *b;
    int r = sx_keymap_lookup(app, maps, nmaps, app->pending, app->npending, &b);
    if (r == SX_KEYMAP_PREFIX && app->npending < SX_KEY_MAXSEQ)
        return;
    int n = app->npending;
    app->npending = 0;
    if (r == SX_KEYMAP_FOUND) {
        app->last_key = k;
        if (b->cmd != SX_CMD_NONE)
            sx_app_run(app, b->cmd, b->arg, SX_FROM_KEY);
        return;
    }
    if (n > 1 && (k == SX_KEY_ESC || k == 3))
        return;                              /* a cancelled sequence */
    char seq[64];
    sx_key_seq_name(app->pending, n, 0, seq, sizeof seq);
    sx_status(app, 1, "%s is not bound here (? shows the keys)", seq);
}

/* A `:` line from a script. */
static void script_line(struct sx_app *app, const char *line)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    size_t wl = strcspn(p, " \t");
    int keeps_status = (wl == 12 && strncmp(p, "save-display", 12) == 0) ||
                       (wl == 4 && strncmp(p, "wait", 4) == 0) ||
                       (wl == 6 && strncmp(p, "resize", 6) == 0);
    if (!keeps_status)
        app->status[0] = 0;
    struct sx_err err = {0};
    if (sx_rc_line(app, line, SX_FROM_SCRIPT, NULL, &err) != SX_OK)
        sx_app_status_msg(app, 1, err.msg);
}

/* ---- start and end ---- */

static void find_store(struct sx_app *app)
{
    struct sx_err err = {0};
    char path[4096];
    snprintf(app->store_label, sizeof app->store_label, "no store");
    enum sx_status rc = sx_store_locate(app->opts.store_path, path, sizeof path, &err);
    if (rc != SX_OK) {
        if (app->opts.store_path || rc != SX_ENOTFOUND)
            sx_app_status_msg(app, 1, err.msg);
        return;
    }
    app->store = sx_store_open(path, app->read_only ? SX_STORE_READONLY : 0, &err);
    if (!app->store) {
        sx_app_status_msg(app, 1, err.msg);
        return;
    }
    snprintf(app->store_path, sizeof app->store_path, "%s", path);
    /* label: the project directory holding .sextant/, else the file's name */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    char *slash = strrchr(tmp, '/');
    const char *label = slash ? slash + 1 : tmp;
    if (slash) {
        *slash = 0;
        char *dir = strrchr(tmp, '/');
        if (dir && strcmp(dir + 1, SX_STORE_DIR) == 0) {
            *dir = 0;
            char *proj = strrchr(tmp, '/');
            label = proj ? proj + 1 : tmp;
            if (!*label)
                label = "/";
        }
    }
    snprintf(app->store_label, sizeof app->store_label, "store: %.240s", label);
}

static void app_free(struct sx_app *app)
{
    for (size_t i = 0; i < app->npanes; i++) {
        struct sx_view *v = app->panes[i].top;
        while (v) {
            struct sx_view *below = v->below;
            view_close(v);
            v = below;
        }
    }
    free(app->panes);
    while (app->jobs.n)
        sx_job_free(app->jobs.v[app->jobs.n - 1]);
    free(app->jobs.v);
    if (app->store)
        sx_store_close(app->store);
    free(app->log_ask);
    sx_script_close(app);
    sx_prompt_free(app);
    sx_keymap_free(app);
    sx_keytiming_close(app);
    sx_plot_close(app->plot);
    free(app);
}

static void main_loop(struct sx_app *app)
{
    int dirty = 1;
    while (!app->quit) {
        if (sx_signal_seen) {
            cancel_jobs(app);
            app->exit_code = 128 + sx_signal_seen;
            break;
        }
        if (app->scripted && app->jobs.n)
            dirty |= sx_app_settle(app) != 0;
        if (dirty) {
            sx_app_draw(app);
            refresh();
            dirty = 0;
            sx_keytiming_drawn(app);
        }
        struct sx_input in;
        sx_app_input(app, app->jobs.n ? 50 : 250, &in);
        switch (in.kind) {
        case SX_IN_EOF:
            app->quit = 1;
            break;
        case SX_IN_NONE:
            if (app->jobs.n) {
                tick_all(app);
                dirty = 1;               /* the progress bar moves */
            }
            break;
        case SX_IN_LINE:
            script_line(app, in.line);
            free(in.line);
            dirty = 1;
            break;
        case SX_IN_KEY:
            sx_keytiming_key(app);
            handle_key(app, in.key);
            dirty = 1;
            break;
        }
        if (app->jobs.n && !app->scripted)
            tick_all(app);
        do_pops(app);
    }
}

int sx_tui_main(const struct sx_app_opts *opts)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    struct sx_app *app = calloc(1, sizeof *app);
    if (!app) {
        fputs("sextant: out of memory\n", stderr);
        return 1;
    }
    app->opts = *opts;
    app->read_only = opts->read_only;
    const char *cs = nl_langinfo(CODESET);
    app->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    app->store_generation = 1;
    app->show_keybar = 1;
    app->escdelay = 25;
    snprintf(app->theme, sizeof app->theme, "%s", opts->theme ? opts->theme : "default");

    struct sx_err err = {0};
    const char *script = getenv("SEXTANT_SCRIPT");
    if (script && *script && sx_script_open(app, script, &err) != 0) {
        fprintf(stderr, "sextant: %s\n", err.msg);
        free(app);
        return 2;
    }
    sx_signals_install();
    if (sx_screen_start(app, &err) != 0) {
        fprintf(stderr, "sextant: %s\n", err.msg);
        sx_script_close(app);
        free(app);
        return 1;
    }
    find_store(app);
    if (sx_theme_init(app, opts->theme, &err) != SX_OK)
        sx_app_status_msg(app, 1, err.msg);
    sx_keymap_defaults(app);
    char rc[4096];
    if (sx_config_path("sextantrc", rc, sizeof rc) == 0) {
        app->in_startup_rc = 1;
        sx_rc_file(app, rc, 0, 1);
        app->in_startup_rc = 0;
    }

    app->npanes = sx_npanes;
    app->panes = calloc(sx_npanes ? sx_npanes : 1, sizeof *app->panes);
    for (size_t i = 0; i < sx_npanes; i++)
        app->panes[i].ops = sx_panes[i];
    if (app->npanes)
        pane_open(app, 0);
    sx_log_open(app);
    if (opts->open_file)
        sx_app_run(app, SX_CMD_OPEN, opts->open_file, SX_FROM_SCRIPT);

    main_loop(app);

    sx_log_close(app);
    int code = app->exit_code;
    char script_err[sizeof app->script_err];
    snprintf(script_err, sizeof script_err, "%s", app->script_err);
    /* gnuplot is reaped after the terminal is restored (reaping may wait) */
    struct sx_plot *plot = app->plot;
    app->plot = NULL;
    app_free(app);
    sx_screen_end();
    sx_plot_close(plot);
    if (script_err[0]) {
        fprintf(stderr, "sextant: %s\n", script_err);
        code = 2;
    }
    return code;
}

int sx_tui_launch(const char *store, const char *theme, const char *open_file, int read_only)
{
    struct sx_app_opts o = {
        .store_path = store, .theme = theme, .open_file = open_file, .read_only = read_only,
    };
    return sx_tui_main(&o);
}
