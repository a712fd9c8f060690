/* cli/util.c: messages and exit codes, getopt error reporting, the SIGINT
 * flag, the progress line, --type parsing and opening the store, for every
 * command of the command line. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t cli_sigint = 0;

void *cli_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("sextant: out of memory\n", stderr);
        exit(CLI_EXIT_FAIL);
    }
    return p;
}

void *cli_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("sextant: out of memory\n", stderr);
        exit(CLI_EXIT_FAIL);
    }
    return q;
}

char *cli_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(cli_xmalloc(n), s, n);
}

/* Print PREFIX and the inert form of MSG as one line on stderr. */
static void say(const char *prefix, const char *msg)
{
    char *safe = cli_inert(msg);
    fprintf(stderr, "%s%s\n", prefix, safe);
    free(safe);
}

int cli_fail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    say("sextant: ", msg);
    return CLI_EXIT_FAIL;
}

int cli_interrupted_exit(void)
{
    fputs("sextant: interrupted\n", stderr);
    return CLI_EXIT_INTERRUPTED;
}

int cli_fail_err(const struct sx_err *err)
{
    if (err->code == SX_ECANCEL && cli_sigint)
        return cli_interrupted_exit();
    say("sextant: ", err->msg[0] ? err->msg : sx_status_str(err->code));
    return CLI_EXIT_FAIL;
}

int cli_usage(const struct cli *c, const char *fmt, ...)
{
    char msg[1024], prefix[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->cmd)
        snprintf(prefix, sizeof prefix, "sextant %s: ", c->cmd);
    else
        snprintf(prefix, sizeof prefix, "sextant: ");
    say(prefix, msg);
    if (c->cmd)
        fprintf(stderr, "try 'sextant %s --help'\n", c->cmd);
    else
        fputs("try 'sextant --help'\n", stderr);
    return CLI_EXIT_USAGE;
}

int cli_bad_option(const struct cli *c, char **argv, int opt)
{
    const char *word = optind > 0 ? argv[optind - 1] : "";
    char shortopt[3] = {'-', (char)optopt, '\0'};
    /* For a short option inside a cluster ("-xq") the word is the cluster;
     * name the option itself. */
    if (optopt > 0 && optopt < 128 && word[0] == '-' && word[1] != '-')
        word = shortopt;
    if (opt == ':')
        return cli_usage(c, "option '%s' needs a value", word);
    return cli_usage(c, "unknown option '%s'", word);
}

int cli_help(const char *text)
{
    fputs(text, stdout);
    return cli_flush(CLI_EXIT_OK);
}

int cli_dispatch(struct cli *c, int argc, char **argv, const struct cli_sub *subs, size_t n,
                 const char *help)
{
    char names[256];
    size_t len = 0;

    names[0] = '\0';
    for (size_t i = 0; i < n && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                                subs[i].name);
    if (argc < 2)
        return cli_usage(c, "missing SUBCOMMAND (%s)", names);
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)
        return cli_help(help);
    for (size_t i = 0; i < n; i++)
        if (strcmp(sub, subs[i].name) == 0) {
            c->cmd = subs[i].cmd;
            return subs[i].run(c, argc - 1, argv + 1);
        }
    if (sub[0] == '-')
        return cli_usage(c, "unknown option '%s' (options follow the SUBCOMMAND)", sub);
    return cli_usage(c, "unknown subcommand '%s' (%s)", sub, names);
}

void cli_put_text(const char *text)
{
    size_t n = strlen(text);
    fputs(text, stdout);
    if (!n || text[n - 1] != '\n')
        fputc('\n', stdout);
}

int cli_simple_options(const struct cli *c, int argc, char **argv, const char *help,
                       int *as_json, int *rc)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    if (as_json)
        *as_json = 0;
    opterr = 0;
    optind = 0;
    /* Without AS_JSON, --json is not an option: start the table after it. */
    while ((opt = getopt_long(argc, argv, ":h", as_json ? longopts : longopts + 1,
                              NULL)) != -1) {
        switch (opt) {
        case 'h':
            *rc = cli_help(help);
            return 1;
        case 'j':
            *as_json = 1;
            break;
        default:
            *rc = cli_bad_option(c, argv, opt);
            return 1;
        }
    }
    return 0;
}

int cli_flush(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "sextant: writing output: %s\n", strerror(e ? e : EIO));
        return rc == CLI_EXIT_OK ? CLI_EXIT_FAIL : rc;
    }
    return rc;
}

/* ---- SIGINT ---- */

static void on_sigint(int sig)
{
    (void)sig;
    cli_sigint = 1;
}

void cli_catch_sigint(void)
{
    static int installed;
    if (installed)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_RESETHAND;   /* a second ^C kills at once */
    sigaction(SIGINT, &sa, NULL);
    installed = 1;
}

/* ---- progress ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(struct cli_progress *p, const char *label)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->tty = isatty(STDERR_FILENO);
    p->t0 = p->last = now_s();
}

int cli_progress_cb(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows)
{
    struct cli_progress *p = ctx;
    if (p && p->tty && !cli_sigint) {
        double t = now_s();
        if (t - p->last >= 0.1) {
            double el = t - p->t0;
            double mbs = el > 0 ? (double)bytes_done / 1e6 / el : 0.0;
            char *label = cli_inert(p->label);
            char *fit = cli_fit(label, 40);
            if (bytes_total)
                fprintf(stderr, "\r\033[K%s: %llu rows, %.1f MB/s, %.0f%%", fit,
                        (unsigned long long)rows, mbs,
                        100.0 * (double)bytes_done / (double)bytes_total);
            else
                fprintf(stderr, "\r\033[K%s: %llu rows, %.1f MB/s", fit,
                        (unsigned long long)rows, mbs);
            fflush(stderr);
            free(fit);
            free(label);
            p->last = t;
            p->shown = 1;
        }
    }
    return cli_sigint ? 1 : 0;
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->tty && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = 0;
    }
}

/* ---- --type ---- */

int cli_type_option(const struct cli *c, struct sx_load_opts *o, const char *arg)
{
    const char *eq = strrchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return cli_usage(c, "--type wants COL=TYPE, got '%s'", arg);
    struct sx_err err;
    enum sx_type type;
    if (sx_type_parse(eq + 1, &type, &err) != SX_OK)
        return cli_usage(c, "--type %s: %s", arg, err.msg);
    size_t n = (size_t)(eq - arg);
    char *name = cli_xmalloc(n + 1);
    memcpy(name, arg, n);
    name[n] = '\0';
    enum sx_status rc = sx_load_opts_set_type(o, name, type, &err);
    free(name);
    return rc == SX_OK ? CLI_EXIT_OK : cli_fail_err(&err);
}

/* ---- store ---- */

int cli_store_open(const struct cli *c, int flags, struct sx_store **out)
{
    char path[4096];
    struct sx_err err;
    *out = NULL;
    if (sx_store_locate(c->store, path, sizeof path, &err) != SX_OK)
        return cli_fail_err(&err);
    struct sx_store *st = sx_store_open(path, flags, &err);
    if (!st)
        return cli_fail_err(&err);
    *out = st;
    return CLI_EXIT_OK;
}
