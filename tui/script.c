/* tui/script.c: SEXTANT_SCRIPT files and the command log, which share one
 * format so a log replays as a script.
 *
 * One entry per line:
 *   # comment                  ignored (as are blank lines)
 *   :LONGNAME [ARGS]           a command, exactly as typed on the `:` line;
 *                              a TAB followed by '#' starts a trailing comment
 *   KEYS                       anything else: keys, typed one after the other:
 *                              plain characters and <Names> (j, gg, <Enter>,
 *                              <Esc>, <Tab>, <S-Tab>, <Up>, <PgDn>, <Home>,
 *                              <C-c>, <Space>, <F1>, <lt> for '<', <Hash>
 *                              for a '#' that starts the line); a line
 *                              holding only ':' is the ':' key
 *
 * In a script every background job finishes before the next entry, and
 * the app exits at the end. An unknown <Name> stops the script with
 * "FILE:LINE: ..." on stderr and exit status 2.
 *
 * The command log ($SEXTANT_LOG, else $XDG_STATE_HOME/sextant/command.log,
 * else ~/.local/state/sextant/command.log; SEXTANT_LOG set but empty turns
 * it off) gets a header comment per session, then one `:LONGNAME ARGS` line
 * per command run, with its context as a trailing comment
 * (`:freq-table\t# pane=data view=grid col=price row=12`), followed by the
 * keys that answered a confirmation. A text the command asked for (a
 * search, a file name) is written as the command's argument. */
#include "shell.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int sx_script_open(struct sx_app *app, const char *path, struct sx_err *err)
{
    app->script = fopen(path, "r");
    if (!app->script) {
        sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
        return -1;
    }
    app->script_path = strdup(path);
    app->script_line = 0;
    app->scripted = 1;
    return 0;
}

void sx_script_close(struct sx_app *app)
{
    if (app->script)
        fclose(app->script);
    app->script = NULL;
    free(app->script_path);
    app->script_path = NULL;
    free(app->script_keys_buf);
    app->script_keys_buf = app->script_keys = NULL;
}

const char *sx_script_where(struct sx_app *app, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%ld", app->script_path ? app->script_path : "script",
             app->script_line);
    return buf;
}

static void script_fail(struct sx_app *app, const char *what)
{
    char where[PATH_MAX + 32];
    snprintf(app->script_err, sizeof app->script_err, "%.300s: %.200s",
             sx_script_where(app, where, sizeof where), what);
}

void sx_script_next(struct sx_app *app, struct sx_input *in)
{
    in->kind = SX_IN_EOF;
    in->line = NULL;
    if (app->script_err[0])
        return;
    for (;;) {
        if (app->script_keys && *app->script_keys) {
            const char *p = app->script_keys;
            sx_key k;
            if (sx_key_parse_one(&p, &k) != 0) {
                char msg[200];
                snprintf(msg, sizeof msg, "bad key at '%.40s'", app->script_keys);
                script_fail(app, msg);
                return;
            }
            app->script_keys = (char *)p;
            in->kind = SX_IN_KEY;
            in->key = k;
            return;
        }
        if (!app->script)
            return;
        char *line = NULL;
        size_t cap = 0;
        ssize_t len = getline(&line, &cap, app->script);
        if (len < 0) {
            free(line);
            return;
        }
        app->script_line++;
        line[strcspn(line, "\r\n")] = 0;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            s[--n] = 0;
        if (!*s || *s == '#') {
            free(line);
            continue;
        }
        if (s[0] == ':' && s[1]) {
            char *c = strstr(s, "\t#");
            if (c) {
                *c = 0;
                n = strlen(s);
                while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                    s[--n] = 0;
            }
            in->kind = SX_IN_LINE;
            in->line = strdup(s + 1);
            free(line);
            return;
        }
        free(app->script_keys_buf);
        app->script_keys_buf = line;
        app->script_keys = s;
    }
}

/* ---- the command log ---- */

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

void sx_log_open(struct sx_app *app)
{
    char path[PATH_MAX];
    const char *env = getenv("SEXTANT_LOG");
    if (env) {
        if (!*env)
            return;
        snprintf(path, sizeof path, "%s", env);
    } else {
        const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg == '/')
            snprintf(path, sizeof path, "%s/sextant/command.log", xdg);
        else if (home && *home)
            snprintf(path, sizeof path, "%s/.local/state/sextant/command.log", home);
        else
            return;
        mkdir_p(path);
    }
    app->log = fopen(path, "a");
    if (!app->log) {
        sx_status(app, 1, "command log %.300s: %s", path, strerror(errno));
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    char when[64];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    app->log_rows = LINES;
    app->log_cols = COLS;
    fprintf(app->log, "# sextant session %s, screen %dx%d, store %s\n", when, LINES, COLS,
            app->store_path[0] ? app->store_path : "none");
    fflush(app->log);
}

void sx_log_close(struct sx_app *app)
{
    if (app->log)
        fclose(app->log);
    app->log = NULL;
}

/* Write S with control characters (never produced by the prompt, but a
 * view's context may hold anything) as spaces. */
static void put_clean(FILE *fp, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7F ? ' ' : *s, fp);
}

void sx_log_command(struct sx_app *app, enum sx_cmd cmd, const char *arg, const char *ctx)
{
    if (!app->log)
        return;
    fprintf(app->log, ":%s", sx_cmd_name(cmd));
    if (arg && *arg) {
        fputc(' ', app->log);
        put_clean(app->log, arg);
    }
    if (ctx && *ctx) {
        fputs("\t# ", app->log);
        put_clean(app->log, ctx);
    }
    fputc('\n', app->log);
    for (int i = 0; i < app->nlog_keys; i++) {
        char buf[32];
        const char *name = sx_key_name(app->log_keys[i], 0, buf);
        fprintf(app->log, "%s\n", strcmp(name, "#") == 0 ? "<Hash>" : name);
    }
    app->nlog_keys = 0;
    fflush(app->log);
}

void sx_log_line(struct sx_app *app, const char *line)
{
    if (!app->log)
        return;
    fputc(':', app->log);
    put_clean(app->log, line);
    fputc('\n', app->log);
    fflush(app->log);
}

void sx_log_key(struct sx_app *app, sx_key k)
{
    if (app->nlog_keys < (int)(sizeof app->log_keys / sizeof app->log_keys[0]))
        app->log_keys[app->nlog_keys++] = k;
}
