/* cli/cmd_init.c: `sextant init`: create .sextant/store.db in the working
 * directory, or in the project directory --store (or SEXTANT_STORE) names. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: sextant [--store PATH] init\n"
    "\n"
    "Create an empty store, .sextant/store.db, in the working directory. With\n"
    "--store PATH (or $SEXTANT_STORE) create it in project directory PATH instead\n"
    "(PATH may also name the .sextant directory or its store.db). Fails when a\n"
    "store already exists there.\n"
    "\n"
    "  -h, --help          show this help\n";

/* The project directory PATH designates, as a new string; NULL when PATH
 * names some other database file. */
static char *project_dir(const char *path)
{
    char *p = cli_xstrdup(path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (strcmp(base, SX_STORE_FILE) == 0 && slash) {
        *slash = '\0';
        char *s2 = strrchr(p, '/');
        const char *b2 = s2 ? s2 + 1 : p;
        if (strcmp(b2, SX_STORE_DIR) != 0) {
            free(p);
            return NULL;
        }
        if (s2)
            *(s2 == p ? s2 + 1 : s2) = '\0';
        else
            strcpy(p, ".");
        return p;
    }
    if (strcmp(base, SX_STORE_DIR) == 0) {
        if (slash)
            *(slash == p ? slash + 1 : slash) = '\0';
        else
            strcpy(p, ".");
        return p;
    }
    if (n > 3 && strcmp(p + n - 3, ".db") == 0) {
        free(p);
        return NULL;
    }
    return p;
}

int cli_cmd_init(struct cli *c, int argc, char **argv)
{
    int rc;
    if (cli_simple_options(c, argc, argv, help, NULL, &rc))
        return rc;
    if (optind != argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);

    const char *where = c->store;
    if (!where) {
        const char *env = getenv("SEXTANT_STORE");
        if (env && *env)
            where = env;
    }
    char *dir = NULL;
    if (where) {
        if (!(dir = project_dir(where)))
            return cli_fail("%s: init needs a project directory (or its %s directory), "
                            "not a database file", where, SX_STORE_DIR);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            rc = cli_fail("%s: %s", dir, strerror(errno));
            free(dir);
            return rc;
        }
    }
    char path[4096];
    struct sx_err err;
    enum sx_status s = sx_store_init(dir, path, sizeof path, &err);
    free(dir);
    if (s != SX_OK)
        return cli_fail_err(&err);
    char *safe = cli_inert(path);
    printf("initialised an empty store in %s\n", safe);
    free(safe);
    return cli_flush(CLI_EXIT_OK);
}
