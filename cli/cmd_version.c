/* cli/cmd_version.c: `sextant version [--json]`: sextant's version and the
 * environment it runs in (compiler, libc, libraries, gnuplot, OS, host). */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>

#include "env.h"
#include "json.h"
#include "version.h"

static const char help[] =
    "usage: sextant version [--json]\n"
    "\n"
    "Print sextant's version and the environment: compiler, libc, SQLite, GSL,\n"
    "ncurses, libcsv, libsodium, jansson, gnuplot (if installed), OS, architecture\n"
    "and host.\n"
    "\n"
    "  --json              {\"sextant\",\"compiler\",\"libc\",\"sqlite\",\"gsl\",\"ncurses\",\n"
    "                      \"libcsv\",\"libsodium\",\"jansson\",\"gnuplot\",\"os\",\"arch\",\n"
    "                      \"host\"} (gnuplot null when absent)\n"
    "  -h, --help          show this help\n";

int cli_cmd_version(struct cli *c, int argc, char **argv)
{
    int as_json, rc;
    if (cli_simple_options(c, argc, argv, help, &as_json, &rc))
        return rc;
    if (optind != argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);

    struct sx_env e;
    struct sx_err err;
    if (sx_env_capture(&e, &err) != SX_OK)
        return cli_fail_err(&err);
    if (as_json) {
        json_t *j = sx_env_json(&e);
        if (!j)
            return cli_fail("out of memory");
        sx_json_dump(j, stdout, 0);
        json_decref(j);
        return cli_flush(CLI_EXIT_OK);
    }
    const struct { const char *key, *val; } rows[] = {
        {"compiler", e.compiler}, {"libc", e.libc}, {"sqlite", e.sqlite},
        {"gsl", e.gsl}, {"ncurses", e.ncurses}, {"libcsv", e.libcsv},
        {"libsodium", e.libsodium}, {"jansson", e.jansson},
        {"gnuplot", e.gnuplot[0] ? e.gnuplot : "(not installed)"},
        {"os", e.os}, {"arch", e.arch}, {"host", e.host},
    };
    printf("sextant %s\n", e.sextant);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *safe = cli_inert(rows[i].val);
        printf("  %-10s %s\n", rows[i].key, safe);
        free(safe);
    }
    return cli_flush(CLI_EXIT_OK);
}
