/* tests/test_env.c: the environment capture (core/env.c). Every field is
 * checked against the library's own runtime answer, gnuplot against
 * running it ourselves (and against fake gnuplots that answer, fail and
 * hang), and the JSON against the documented key list. */
#include "testutil.h"

#include <csv.h>
#include <curses.h>
#include <gnu/libc-version.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/utsname.h>
#include <time.h>

#include "env.h"
#include "version.h"

static const char *const keys[] = {
    "sextant", "compiler", "libc", "sqlite", "gsl", "ncurses", "libcsv",
    "libsodium", "jansson", "gnuplot", "os", "arch", "host",
};
#define NKEYS (sizeof keys / sizeof keys[0])

static struct sx_env capture(void)
{
    struct sx_env e;
    struct sx_err err = {0};
    memset(&e, 0x55, sizeof e);   /* capture must overwrite everything */
    cr_assert_eq(sx_env_capture(&e, &err), SX_OK, "%s", err.msg);
    return e;
}

/* Whether an executable named NAME is on $PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char *copy, *save = NULL;
    int found = 0;
    if (!path)
        return 0;
    copy = strdup(path);
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *p = tu_path(*d ? d : ".", name);
        found = access(p, X_OK) == 0;
        free(p);
    }
    free(copy);
    return found;
}

/* A directory holding one executable script named gnuplot with BODY, made
 * the only entry of $PATH. Returns the directory (caller frees). */
static char *fake_gnuplot(const char *body)
{
    char *dir = tu_tmpdir(), *p = tu_path(dir, "gnuplot");
    tu_write(p, body, (size_t)-1);
    cr_assert_eq(chmod(p, 0755), 0);
    free(p);
    cr_assert_eq(setenv("PATH", dir, 1), 0);
    return dir;
}

Test(env, every_field_is_filled)
{
    struct sx_env e = capture();
    const char *fields[] = {e.sextant, e.compiler, e.libc, e.sqlite, e.gsl, e.ncurses,
                            e.libcsv, e.libsodium, e.jansson, e.os, e.arch, e.host};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_expect(fields[i][0] != '\0', "field %zu is empty", i);
    if (on_path("gnuplot"))
        cr_expect(e.gnuplot[0] != '\0', "gnuplot is installed but its version is empty");
}

Test(env, versions_match_the_libraries)
{
    struct sx_env e = capture();
    char csv[32];

    cr_expect_str_eq(e.sextant, SX_VERSION);
    cr_expect_str_eq(e.libc, gnu_get_libc_version());
    cr_expect_str_eq(e.sqlite, sqlite3_libversion());
    cr_expect_str_eq(e.gsl, gsl_version);
    cr_expect_str_eq(e.libsodium, sodium_version_string());
    cr_expect_str_eq(e.jansson, jansson_version_str());
    snprintf(csv, sizeof csv, "%d.%d.%d", CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
    cr_expect_str_eq(e.libcsv, csv);
    /* pkg-config's version (build time) is what the linked library reports. */
    cr_expect(strstr(curses_version(), e.ncurses) != NULL, "ncurses %s vs %s", e.ncurses,
              curses_version());
    cr_expect(strncmp(e.compiler, "gcc ", 4) == 0 || strncmp(e.compiler, "clang ", 6) == 0,
              "compiler \"%s\"", e.compiler);
    cr_expect(strlen(e.compiler) > 6 && strchr(e.compiler, '.'), "compiler \"%s\"", e.compiler);
}

Test(env, os_arch_host_from_uname)
{
    struct sx_env e = capture();
    struct utsname u;
    char want[3 * sizeof u.sysname + 3];

    cr_assert_eq(uname(&u), 0);
    snprintf(want, sizeof want, "%s %s %s", u.sysname, u.release, u.version);
    want[sizeof e.os - 1] = '\0';   /* the field keeps what fits */
    cr_expect_str_eq(e.os, want);
    cr_expect_str_eq(e.arch, u.machine);
    cr_expect_str_eq(e.host, u.nodename);
}

Test(env, gnuplot_version_matches_running_it)
{
    char line[256] = "";
    if (!on_path("gnuplot")) {
        cr_skip_test("gnuplot is not installed");
        return;
    }
    FILE *p = popen("gnuplot --version 2>/dev/null", "r");
    cr_assert(p);
    cr_assert(fgets(line, sizeof line, p));
    pclose(p);
    line[strcspn(line, "\r\n")] = '\0';
    struct sx_env e = capture();
    cr_assert(strncmp(line, "gnuplot ", 8) == 0, "%s", line);
    cr_expect_str_eq(e.gnuplot, line + 8);
}

Test(env, gnuplot_absent_is_empty_and_null)
{
    char *dir = tu_tmpdir();
    cr_assert_eq(setenv("PATH", dir, 1), 0);
    struct sx_env e = capture();
    cr_expect_str_eq(e.gnuplot, "");
    json_t *j = sx_env_json(&e);
    cr_assert(j);
    cr_expect(json_is_null(json_object_get(j, "gnuplot")));
    cr_expect_eq(json_object_size(j), NKEYS);
    json_decref(j);
    tu_rmrf(dir);
    free(dir);
}

Test(env, fake_gnuplot_answer_is_parsed)
{
    char *dir = fake_gnuplot("#!/bin/sh\necho 'gnuplot 9.9 patchlevel 7'\n");
    struct sx_env e = capture();
    cr_expect_str_eq(e.gnuplot, "9.9 patchlevel 7");
    tu_rmrf(dir);
    free(dir);
}

Test(env, failing_gnuplot_is_empty)
{
    char *dir = fake_gnuplot("#!/bin/sh\necho 'gnuplot 9.9 patchlevel 7'\nexit 3\n");
    struct sx_env e = capture();
    cr_expect_str_eq(e.gnuplot, "");
    tu_rmrf(dir);
    free(dir);
}

Test(env, hanging_gnuplot_times_out)
{
    char *dir = fake_gnuplot("#!/bin/sh\nPATH=/usr/bin:/bin exec sleep 30\n");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sx_env e = capture();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_str_eq(e.gnuplot, "");
    cr_expect(secs > 1.0, "capture took %.1f s: the fake gnuplot did not hang", secs);
    cr_expect(secs < 8.0, "capture took %.1f s", secs);
    tu_rmrf(dir);
    free(dir);
}

Test(env, json_has_exactly_the_documented_keys)
{
    struct sx_env e = capture();
    json_t *j = sx_env_json(&e);
    const char *key;
    json_t *v;
    size_t i = 0;

    cr_assert(j && json_is_object(j));
    cr_assert_eq(json_object_size(j), NKEYS);
    json_object_foreach(j, key, v) {
        cr_assert(i < NKEYS);
        cr_expect_str_eq(key, keys[i], "key %zu", i);
        if (strcmp(key, "gnuplot") == 0 && !e.gnuplot[0])
            cr_expect(json_is_null(v));
        else
            cr_expect(json_is_string(v), "%s is not a string", key);
        i++;
    }
    cr_expect_str_eq(json_string_value(json_object_get(j, "sqlite")), e.sqlite);
    cr_expect_str_eq(json_string_value(json_object_get(j, "host")), e.host);
    if (e.gnuplot[0])
        cr_expect_str_eq(json_string_value(json_object_get(j, "gnuplot")), e.gnuplot);
    json_decref(j);
}
