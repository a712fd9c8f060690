/* cli/cmd_describe.c: `sextant describe NAME[@VERSION]|FILE.csv [--by COL]
 * [--type COL=TYPE]… [--json]`: a profile of every column, as pandas
 * describe gives it, from the store (a data set's stored profile, which
 * needs no source file) or computed from a CSV file or a reloaded source. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "json.h"
#include "profile.h"

static const char help[] =
    "usage: sextant describe NAME[@VERSION]|FILE.csv [--by COL] [--type COL=TYPE]...\n"
    "                        [--json]\n"
    "\n"
    "Profile every column: count, missing, mean, std, min, quartiles, max (numeric\n"
    "and date columns), unique, top and freq (category, text and bool columns).\n"
    "A data set's profile comes from the store and needs no source file. An\n"
    "existing file, or an argument ending in .csv or .tsv, is profiled without\n"
    "storing anything.\n"
    "\n"
    "  --by COL            one profile per value of column COL (a data set's\n"
    "                      source file is reloaded and must be unchanged)\n"
    "  --type COL=TYPE     type of column COL: float int bool date category text\n"
    "                      (repeatable; with a data set, reloads its source)\n"
    "  --json              {\"rows\":N,\"columns\":[{\"name\",\"type\",\"count\",\"missing\",\n"
    "                      \"mean\",\"std\",\"min\",\"p25\",\"p50\",\"p75\",\"max\",\"unique\",\n"
    "                      \"top\",\"freq\"},...]}, inapplicable fields null; with --by\n"
    "                      {\"rows\":N,\"by\":COL,\"groups\":[{\"value\",\"rows\",\"columns\"}]}\n"
    "  -h, --help          show this help\n";

static void add_stat(struct cli_table *t, const struct sx_col_profile *cp, double v, int is_std)
{
    char buf[64];
    if (!cp->numeric || isnan(v)) {
        cli_table_add(t, "-");
        return;
    }
    if (cp->type == SX_DATE && !is_std && isfinite(v)) {
        if (cp->unit == SX_SECONDS)
            sx_datetime_format((int64_t)llround(v), buf);
        else if (v == floor(v))
            sx_date_format((int64_t)v, buf);
        else
            sx_datetime_format((int64_t)llround(v * 86400.0), buf);
        cli_table_add(t, buf);
        return;
    }
    snprintf(buf, sizeof buf, "%.6g", v);
    cli_table_add(t, buf);
}

static void print_profile(const struct sx_profile *p)
{
    static const char *const head[] = {"name", "type", "count", "missing", "mean", "std",
                                       "min", "25%", "50%", "75%", "max", "unique",
                                       "top", "freq"};
    struct cli_table t;
    cli_table_init(&t, 14, 24);
    for (size_t i = 2; i <= 11; i++)
        cli_table_right(&t, i);
    cli_table_right(&t, 13);
    for (size_t i = 0; i < 14; i++)
        cli_table_add(&t, head[i]);
    for (size_t i = 0; i < p->ncols; i++) {
        const struct sx_col_profile *cp = &p->cols[i];
        cli_table_add(&t, cp->name);
        cli_table_add(&t, sx_type_name(cp->type));
        cli_table_addf(&t, "%llu", (unsigned long long)cp->count);
        cli_table_addf(&t, "%llu", (unsigned long long)cp->missing);
        add_stat(&t, cp, cp->mean, 0);
        add_stat(&t, cp, cp->std, 1);
        add_stat(&t, cp, cp->min, 0);
        add_stat(&t, cp, cp->p25, 0);
        add_stat(&t, cp, cp->p50, 0);
        add_stat(&t, cp, cp->p75, 0);
        add_stat(&t, cp, cp->max, 0);
        if (cp->categorical) {
            cli_table_addf(&t, "%llu", (unsigned long long)cp->unique);
            cli_table_add(&t, cp->top ? cp->top : "-");
            if (cp->top)
                cli_table_addf(&t, "%llu", (unsigned long long)cp->freq);
            else
                cli_table_add(&t, "-");
        } else {
            cli_table_add(&t, "-");
            cli_table_add(&t, "-");
            cli_table_add(&t, "-");
        }
    }
    cli_table_print(&t, stdout);
    cli_table_free(&t);
}

static void print_title(const char *label, const struct sx_profile *p)
{
    char *safe = cli_inert(label);
    printf("%s: %llu rows, %llu columns\n", safe, (unsigned long long)p->rows,
           (unsigned long long)p->ncols);
    free(safe);
}

/* Describe data set REF from its stored profile. */
static int describe_stored(const struct cli *c, const char *ref, int as_json)
{
    struct sx_dataset ds;
    struct sx_err err;
    int rc;

    if ((rc = cli_dataset_get(c, ref, &ds)) != CLI_EXIT_OK)
        return rc;
    json_error_t jerr;
    json_t *j = ds.profile_json ? json_loads(ds.profile_json, 0, &jerr) : NULL;
    if (!j) {
        rc = cli_fail("%s@%d: the stored profile is not valid JSON", ds.name, ds.version);
    } else if (as_json) {
        sx_json_dump(j, stdout, 0);
        rc = CLI_EXIT_OK;
    } else {
        struct sx_profile *p = sx_profile_from_json(j, &err);
        if (!p) {
            rc = cli_fail("%s@%d: stored profile: %s", ds.name, ds.version, err.msg);
        } else {
            char label[600];
            snprintf(label, sizeof label, "%s@%d", ds.name, ds.version);
            print_title(label, p);
            print_profile(p);
            sx_profile_free(p);
            rc = CLI_EXIT_OK;
        }
    }
    json_decref(j);
    sx_dataset_clear(&ds);
    return rc;
}

/* Describe a loaded frame, whole or grouped by column BY. */
static int describe_frame(const struct sx_frame *f, const char *label, const char *by,
                          int as_json)
{
    struct sx_err err;
    if (!by) {
        struct sx_profile *p = sx_profile_frame(f, NULL, &err);
        if (!p)
            return cli_fail_err(&err);
        if (as_json) {
            json_t *j = sx_profile_json(p);
            sx_json_dump(j, stdout, 0);
            json_decref(j);
        } else {
            print_title(label, p);
            print_profile(p);
        }
        sx_profile_free(p);
        return CLI_EXIT_OK;
    }
    long col = sx_frame_find(f, by);
    if (col < 0)
        return cli_fail("%s: no column named '%s'", label, by);
    struct sx_group_profile *g = sx_profile_by(f, (size_t)col, NULL, &err);
    if (!g)
        return cli_fail_err(&err);
    if (as_json) {
        json_t *j = sx_group_profile_json(g);
        sx_json_dump(j, stdout, 0);
        json_decref(j);
    } else {
        char *safe_by = cli_inert(by);
        char *safe_label = cli_inert(label);
        printf("%s: %llu rows by %s, %llu groups\n", safe_label, (unsigned long long)f->nrows,
               safe_by, (unsigned long long)g->ngroups);
        for (size_t i = 0; i < g->ngroups; i++) {
            char *val = cli_inert(g->labels[i]);
            printf("\n%s = %s: %llu rows\n", safe_by, val,
                   (unsigned long long)g->profiles[i]->rows);
            free(val);
            print_profile(g->profiles[i]);
        }
        free(safe_by);
        free(safe_label);
    }
    sx_group_profile_free(g);
    return CLI_EXIT_OK;
}

int cli_cmd_describe(struct cli *c, int argc, char **argv)
{
    enum { O_BY = 256, O_TYPE, O_JSON };
    static const struct option longopts[] = {
        {"by", required_argument, NULL, O_BY},
        {"type", required_argument, NULL, O_TYPE},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sx_load_opts types;   /* --type only */
    const char *by = NULL;
    int opt, as_json = 0, rc = CLI_EXIT_OK;

    sx_load_opts_init(&types);
    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            sx_load_opts_free(&types);
            return cli_help(help);
        case O_BY: by = optarg; break;
        case O_JSON: as_json = 1; break;
        case O_TYPE:
            if ((rc = cli_type_option(c, &types, optarg)) != CLI_EXIT_OK)
                goto out;
            break;
        default:
            rc = cli_bad_option(c, argv, opt);
            goto out;
        }
    }
    if (optind + 1 != argc) {
        rc = cli_usage(c, optind >= argc ? "missing NAME or FILE" : "one NAME or FILE at a time");
        goto out;
    }
    const char *arg = argv[optind];
    if (!cli_is_file_arg(arg) && !by && types.ntypes == 0) {
        rc = describe_stored(c, arg, as_json);
        goto out;
    }
    struct sx_frame *f = NULL;
    char *label = NULL;
    if ((rc = cli_load(c, arg, types.types, types.ntypes, &f, &label)) == CLI_EXIT_OK)
        rc = describe_frame(f, label, by, as_json);
    sx_frame_free(f);
    free(label);
out:
    sx_load_opts_free(&types);
    return cli_flush(rc);
}
