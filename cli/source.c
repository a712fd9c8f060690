/* cli/source.c: where describe, cat and plot get their rows: a CSV file
 * named on the command line, or the source file of a stored data set,
 * reloaded by core (sx_dataset_load: content hash checked, the options it
 * was imported with). What is the command line's own: telling a file from
 * a data set name, opening the store for a lookup, the progress line and
 * SIGINT around a load, and printing errors. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int cli_is_file_arg(const char *arg)
{
    struct stat sb;
    size_t n = strlen(arg);
    if (stat(arg, &sb) == 0)
        return 1;
    return n >= 4 && (strcasecmp(arg + n - 4, ".csv") == 0 ||
                      strcasecmp(arg + n - 4, ".tsv") == 0);
}

int cli_dataset_get(const struct cli *c, const char *ref, struct sx_dataset *ds)
{
    struct sx_store *st;
    struct sx_err err;
    char name[512];
    int version, rc;

    memset(ds, 0, sizeof *ds);
    /* A malformed reference is the user's first mistake, whether or not
     * there is a store. */
    if (sx_dataset_ref_parse(ref, name, sizeof name, &version, &err) != SX_OK)
        return cli_fail_err(&err);
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_dataset_find(st, ref, ds, &err) != SX_OK)
        rc = cli_fail_err(&err);
    sx_store_close(st);
    return rc;
}

/* Load the CSV file PATH with CO, or (DS not NULL) reload data set DS with
 * DO, drawing the progress line for PATH on a terminal. SIGINT, before,
 * during or just after the load, cancels: NULL with SX_ECANCEL. */
static struct sx_frame *load_with_progress(const char *path, struct sx_csv_opts *co,
                                           const struct sx_dataset *ds,
                                           struct sx_dataset_load_opts *dlo,
                                           struct sx_err *err)
{
    struct cli_progress prog;
    struct sx_frame *f = NULL;

    cli_catch_sigint();
    cli_progress_start(&prog, path);
    if (cli_sigint) {
        sx_err_set(err, SX_ECANCEL, "interrupted");
    } else if (ds) {
        dlo->progress = cli_progress_cb;
        dlo->progress_ctx = &prog;
        f = sx_dataset_load(ds, dlo, err);
    } else {
        co->progress = cli_progress_cb;
        co->progress_ctx = &prog;
        f = sx_csv_load(path, co, NULL, err);
    }
    cli_progress_end(&prog);
    if (f && cli_sigint) {
        sx_frame_free(f);
        f = NULL;
        sx_err_set(err, SX_ECANCEL, "interrupted");
    }
    return f;
}

int cli_load(const struct cli *c, const char *arg, const struct sx_csv_coltype *types,
             size_t ntypes, struct sx_frame **out, char **label)
{
    struct sx_err err;
    struct sx_frame *f;
    int rc;

    *out = NULL;
    *label = NULL;
    if (cli_is_file_arg(arg)) {
        struct sx_csv_opts co;
        sx_csv_opts_init(&co);
        co.types = types;
        co.ntypes = ntypes;
        if (!(f = load_with_progress(arg, &co, NULL, NULL, &err)))
            return cli_fail_err(&err);
        *out = f;
        *label = cli_xstrdup(arg);
        return CLI_EXIT_OK;
    }

    struct sx_dataset ds;
    if ((rc = cli_dataset_get(c, arg, &ds)) != CLI_EXIT_OK)
        return rc;
    if ((rc = cli_load_dataset(&ds, types, ntypes, out)) == CLI_EXIT_OK) {
        char lab[SX_DATASET_NAME_MAX + 32];
        snprintf(lab, sizeof lab, "%s@%d", ds.name, ds.version);
        *label = cli_xstrdup(lab);
    }
    sx_dataset_clear(&ds);
    return rc;
}

int cli_load_dataset(const struct sx_dataset *ds, const struct sx_csv_coltype *types,
                     size_t ntypes, struct sx_frame **out)
{
    struct sx_dataset_load_opts dlo = {.types = types, .ntypes = ntypes};
    struct sx_err err;

    *out = load_with_progress(ds->source_path, NULL, ds, &dlo, &err);
    return *out ? CLI_EXIT_OK : cli_fail_err(&err);
}
