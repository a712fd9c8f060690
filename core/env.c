/* core/env.c: capture the environment a run happens in.
 *
 * Library versions come from each library's own runtime call where it has
 * one (SQLite, GSL, libsodium, jansson, glibc), from build-time macros
 * where it has none (libcsv's CSV_MAJOR.., ncurses through the
 * SX_NCURSES_VERSION macro the Makefile takes from pkg-config, so core/
 * never includes curses.h), and from uname(2) for the OS. gnuplot's
 * version is read from `gnuplot --version`, run with fork + execvp (no
 * shell) and killed if it has not answered within a few seconds. */
#include "env.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>
#include <gsl/gsl_version.h>
#include <sodium.h>
#include <sqlite3.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#include "version.h"

#ifndef SX_NCURSES_VERSION
#define SX_NCURSES_VERSION ""
#endif

#define STR_(x) #x
#define STR(x) STR_(x)

#if defined(__clang__)
#define SX_COMPILER "clang " STR(__clang_major__) "." STR(__clang_minor__) "." \
    STR(__clang_patchlevel__)
#elif defined(__GNUC__)
#define SX_COMPILER "gcc " __VERSION__
#else
#define SX_COMPILER "unknown"
#endif

/* Milliseconds gnuplot gets to print its version. */
#define GNUPLOT_TIMEOUT_MS 3000

/* Copy SRC into DST (SIZE bytes), truncating, always NUL-terminated. */
static void put(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Reap PID, waiting until the deadline that started at T0, then killing it. */
static void reap(pid_t pid, const struct timespec *t0, int *status)
{
    *status = -1;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return;
        if (r < 0 && errno != EINTR) {   /* ECHILD: SIGCHLD ignored by the caller */
            *status = -1;
            return;
        }
        if (ms_since(t0) >= GNUPLOT_TIMEOUT_MS)
            break;
        nanosleep(&(struct timespec){0, 5 * 1000000L}, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    *status = -1;
}

/* The first line `gnuplot --version` prints, without its "gnuplot " prefix,
 * into OUT; "" when gnuplot is absent, fails or hangs. */
static void gnuplot_version(char *out, size_t size)
{
    char buf[256];
    size_t n = 0;
    int fds[2], devnull, status, timed_out = 0;
    struct timespec t0;
    pid_t pid;

    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0)
        return;
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    pid = fork();
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        char *const argv[] = {"gnuplot", "--version", NULL};
        dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    close(devnull);
    if (pid < 0) {
        close(fds[0]);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (n < sizeof buf - 1) {
        long left = GNUPLOT_TIMEOUT_MS - ms_since(&t0);
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            timed_out = pr == 0;
            if (pr < 0)
                n = 0;
            break;
        }
        ssize_t got = read(fds[0], buf + n, sizeof buf - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    reap(pid, &t0, &status);
    if (timed_out)
        return;
    /* status -1: the caller ignores SIGCHLD, so we cannot know; trust the text. */
    if (status != -1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    const char *v = buf;
    if (strncmp(v, "gnuplot ", 8) == 0)
        v += 8;
    put(out, size, v);
}

enum sx_status sx_env_capture(struct sx_env *e, struct sx_err *err)
{
    struct utsname u;
    char os[3 * sizeof u.sysname + 3];

    memset(e, 0, sizeof *e);
    if (uname(&u) != 0)
        return sx_err_set(err, SX_EIO, "uname: %s", strerror(errno));
    put(e->sextant, sizeof e->sextant, SX_VERSION);
    put(e->compiler, sizeof e->compiler, SX_COMPILER);
#ifdef __GLIBC__
    put(e->libc, sizeof e->libc, gnu_get_libc_version());
#else
    put(e->libc, sizeof e->libc, "unknown");
#endif
    put(e->sqlite, sizeof e->sqlite, sqlite3_libversion());
    put(e->gsl, sizeof e->gsl, gsl_version);
    put(e->ncurses, sizeof e->ncurses, SX_NCURSES_VERSION);
    put(e->libcsv, sizeof e->libcsv,
        STR(CSV_MAJOR) "." STR(CSV_MINOR) "." STR(CSV_RELEASE));
    put(e->libsodium, sizeof e->libsodium, sodium_version_string());
    put(e->jansson, sizeof e->jansson, jansson_version_str());
    gnuplot_version(e->gnuplot, sizeof e->gnuplot);
    os[0] = '\0';
    strcat(os, u.sysname);
    strcat(os, " ");
    strcat(os, u.release);
    strcat(os, " ");
    strcat(os, u.version);
    put(e->os, sizeof e->os, os);
    put(e->arch, sizeof e->arch, u.machine);
    put(e->host, sizeof e->host, u.nodename);
    return SX_OK;
}

/* A JSON string of S; bytes that are not valid UTF-8 become '?' (uname
 * fields and compiler strings are ASCII in practice, but JSON must stay
 * valid whatever they hold). */
static json_t *text(const char *s)
{
    json_t *j = json_string(s);
    if (!j) {
        char buf[256];
        size_t i;
        for (i = 0; s[i] && i < sizeof buf - 1; i++)
            buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
        buf[i] = '\0';
        j = json_string(buf);
    }
    return j;
}

json_t *sx_env_json(const struct sx_env *e)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "sextant", text(e->sextant));
    json_object_set_new(o, "compiler", text(e->compiler));
    json_object_set_new(o, "libc", text(e->libc));
    json_object_set_new(o, "sqlite", text(e->sqlite));
    json_object_set_new(o, "gsl", text(e->gsl));
    json_object_set_new(o, "ncurses", text(e->ncurses));
    json_object_set_new(o, "libcsv", text(e->libcsv));
    json_object_set_new(o, "libsodium", text(e->libsodium));
    json_object_set_new(o, "jansson", text(e->jansson));
    json_object_set_new(o, "gnuplot", e->gnuplot[0] ? text(e->gnuplot) : json_null());
    json_object_set_new(o, "os", text(e->os));
    json_object_set_new(o, "arch", text(e->arch));
    json_object_set_new(o, "host", text(e->host));
    if (json_object_size(o) != 13) {   /* a value failed to allocate */
        json_decref(o);
        return NULL;
    }
    return o;
}
