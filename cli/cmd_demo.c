/* cli/cmd_demo.c: `sextant demo [DIR]`: generate the demo data into
 * DIR/data, create (or reuse) the store DIR/.sextant, import the training
 * years and 2023 as data sets energy_train and energy_2023, add the feature
 * set demand_features (core/demo_features.c) and fit it on energy_train.
 * Running it again regenerates identical files, so the imports record
 * nothing new, the spec is the version already stored, and a fit of that
 * version on that data set already exists: nothing is added. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo.h"

static const char help[] =
    "usage: sextant demo [DIR]\n"
    "\n"
    "Create a demo project in DIR (default: ./sextant-demo): daily energy demand\n"
    "per region and customer segment, generated deterministically, written to\n"
    "DIR/data/energy_2018_2022.csv and DIR/data/energy_2023.csv, and imported\n"
    "into the store DIR/.sextant (created, or reused when it exists) as data\n"
    "sets energy_train and energy_2023. It then adds the feature set\n"
    "demand_features (calendar features from the date, heating and cooling\n"
    "degrees, standardised weather, a PCA of it, one-hot regions; the spec is\n"
    "data/demand_features.spec in the source tree) and fits it on energy_train.\n"
    "Running it again changes nothing.\n"
    "\n"
    "  -h, --help          show this help\n";

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return cli_fail("%s: %s", path, strerror(errno));
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_fail("%s: not a directory", path);
    return CLI_EXIT_OK;
}

/* S as one shell word: unchanged when it is plain, else in single quotes. */
static char *shell_quote(const char *s)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "0123456789_./-+,:@%") == strlen(s))
        return cli_xstrdup(s);
    size_t n = 2;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *q = cli_xmalloc(n + 1), *o = q;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else
            *o++ = *p;
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

static int write_data(const char *path, int from, int to)
{
    struct sx_demo_opts o;
    struct sx_err err;
    uint64_t rows = 0;
    sx_demo_opts_init(&o);
    o.year_from = from;
    o.year_to = to;
    if (sx_demo_write_file(path, &o, &rows, &err) != SX_OK)
        return cli_fail_err(&err);
    char *safe = cli_inert(path);
    printf("wrote %s (%llu rows)\n", safe, (unsigned long long)rows);
    free(safe);
    return CLI_EXIT_OK;
}

/* Add the demo's feature set to ST and fit it on the latest energy_train,
 * unless a fit of that version on that data set version exists. */
static int add_features(const struct cli *c, struct sx_store *st)
{
    struct sx_fspec *spec;
    struct sx_fversion v;
    struct sx_dataset ds;
    struct sx_ffit_record *fits = NULL, rec;
    struct sx_err err;
    size_t n = 0;
    int rc = CLI_EXIT_OK;

    if (!(spec = sx_fspec_parse(sx_demo_feature_spec, &err, NULL, NULL)))
        return cli_fail("the demo's feature set does not parse: %s", err.msg);
    memset(&v, 0, sizeof v);
    memset(&ds, 0, sizeof ds);
    if (sx_featstore_add(st, SX_DEMO_FEATURE_SET, sx_demo_feature_spec, spec, &v, NULL,
                         &err) != SX_OK ||
        sx_store_dataset_get(st, "energy_train", 0, &ds, &err) != SX_OK ||
        sx_featstore_fits(st, v.id, &fits, &n, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    printf("%s@v%d\n", v.name, v.version);
    for (size_t i = 0; i < n; i++)
        if (strcmp(fits[i].dataset_id, ds.id) == 0) {
            printf("fit %s (%s@v%d on %s@%d)\n", fits[i].id, v.name, v.version, ds.name,
                   ds.version);
            goto out;
        }
    if ((rc = cli_features_fit(c, st, &v, &ds, NULL, &rec)) == CLI_EXIT_OK) {
        printf("fit %s (%s@v%d on %s@%d)\n", rec.id, v.name, v.version, ds.name, ds.version);
        sx_ffit_record_clear(&rec);
    }
out:
    sx_ffit_record_list_free(fits, n);
    sx_dataset_clear(&ds);
    sx_fversion_clear(&v);
    sx_fspec_free(spec);
    return rc;
}

int cli_cmd_demo(struct cli *c, int argc, char **argv)
{
    int rc;
    if (cli_simple_options(c, argc, argv, help, NULL, &rc))
        return rc;
    if (argc - optind > 1)
        return cli_usage(c, "one DIR at a time");
    if (c->store)
        return cli_usage(c, "--store does not apply: the demo's store is DIR/.sextant");
    const char *dir = optind < argc ? argv[optind] : "sextant-demo";

    struct {
        const char *file, *name;
        int from, to;
    } parts[] = {
        {"energy_2018_2022.csv", "energy_train", 2018, 2022},
        {"energy_2023.csv", "energy_2023", 2023, 2023},
    };
    char data[4096], files[2][4096], dbpath[4096];
    struct sx_err err;
    struct sx_store *st = NULL;

    if (strlen(dir) > 3000)
        return cli_fail("%.40s...: path too long", dir);
    cli_catch_sigint();
    snprintf(data, sizeof data, "%.3000s/data", dir);
    if ((rc = make_dir(dir)) != CLI_EXIT_OK || (rc = make_dir(data)) != CLI_EXIT_OK)
        return rc;
    for (size_t i = 0; i < 2; i++) {
        snprintf(files[i], sizeof files[i], "%.3010s/%.64s", data, parts[i].file);
        if ((rc = write_data(files[i], parts[i].from, parts[i].to)) != CLI_EXIT_OK)
            return cli_flush(rc);
        if (cli_sigint)
            return cli_flush(cli_interrupted_exit());
    }

    enum sx_status s = sx_store_init(dir, dbpath, sizeof dbpath, &err);
    if (s == SX_EEXIST)
        snprintf(dbpath, sizeof dbpath, "%.3000s/%s/%s", dir, SX_STORE_DIR, SX_STORE_FILE);
    else if (s != SX_OK)
        return cli_flush(cli_fail_err(&err));
    if (!(st = sx_store_open(dbpath, 0, &err)))
        return cli_flush(cli_fail_err(&err));
    for (size_t i = 0; i < 2 && rc == CLI_EXIT_OK; i++) {
        struct cli_import in;
        memset(&in, 0, sizeof in);
        in.path = files[i];
        in.name = parts[i].name;
        rc = cli_import_file(st, &in);
    }
    if (rc == CLI_EXIT_OK)
        rc = add_features(c, st);
    sx_store_close(st);
    if (rc != CLI_EXIT_OK)
        return cli_flush(rc);

    char *safe = cli_inert(dir);
    char *quoted = shell_quote(safe);
    printf("\nThe demo store is %s/%s. Explore it:\n"
           "  cd %s && sextant datasets\n"
           "  sextant describe energy_train --by region\n"
           "  sextant cat energy_2023 -n 10\n"
           "  sextant features show " SX_DEMO_FEATURE_SET "\n",
           safe, SX_STORE_DIR, quoted);
    free(quoted);
    free(safe);
    return cli_flush(CLI_EXIT_OK);
}
