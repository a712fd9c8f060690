/* cli/cmd_transform.c: `sextant transform FIT_ID DATASET|FILE.csv [-o OUT.csv]
 * [--mode train|inference] [--json-report]`: apply a stored fit to a data
 * set or a CSV file and write the output rows as CSV (the writer of
 * `sextant cat --csv`, cli/rows.c) to OUT (written to a temporary file
 * beside it, then renamed, so a failure never leaves half a file) or to
 * stdout. The apply report goes to stdout with -o, else to stderr. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char help[] =
    "usage: sextant transform FIT_ID DATASET[@V]|FILE.csv [-o OUT.csv]\n"
    "                         [--mode train|inference] [--json-report]\n"
    "\n"
    "Apply a stored fit of a feature set (FIT_ID: its id, or its first 8 or more\n"
    "characters) to a data set (its source file is reloaded and must still have\n"
    "the content hash recorded at import) or to a CSV file, and write the output\n"
    "rows as CSV (as `sextant cat --csv`: exact numbers, missing cells empty).\n"
    "Unseen categories, missing and out-of-range values are handled by the\n"
    "fitted rules and counted in the report.\n"
    "\n"
    "  -o, --output OUT    write OUT (atomically: a temporary file beside it, then\n"
    "                      renamed) instead of stdout, and print\n"
    "                      \"wrote OUT (N rows, M columns)\"\n"
    "  --mode M            inference (default: every row is kept) or train (the\n"
    "                      spec's filters drop rows)\n"
    "  --json-report       print the apply report as JSON: {\"mode\",\"rows_in\",\n"
    "                      \"rows_out\",\"filtered\",\"imputed\":{COL:n},\"clipped\":{COL:n},\n"
    "                      \"unseen\":{COL:n},\"missing_out\":{COL:n}}, on stdout with -o\n"
    "                      (instead of the \"wrote\" line), else on stderr\n"
    "  -h, --help          show this help\n";

int cli_cmd_transform(struct cli *c, int argc, char **argv)
{
    enum { O_MODE = 256, O_REPORT };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"mode", required_argument, NULL, O_MODE},
        {"json-report", no_argument, NULL, O_REPORT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum sx_fmode mode = SX_FMODE_INFERENCE;
    const char *out = NULL;
    int opt, rc, want_report = 0;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help);
        case 'o':
            if (!*optarg)
                return cli_usage(c, "-o wants a file name");
            out = optarg;
            break;
        case O_MODE:
            if ((rc = cli_mode_parse(c, optarg, &mode)) != CLI_EXIT_OK)
                return rc;
            break;
        case O_REPORT:
            want_report = 1;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (argc - optind < 2)
        return cli_usage(c, "wants FIT_ID and DATASET|FILE.csv");
    if (argc - optind > 2)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 2]);

    struct sx_ffit_record rec;
    struct sx_fspec *spec = NULL;
    struct sx_ffit *fit = NULL;
    struct sx_frame *in = NULL, *res = NULL;
    struct sx_err err;
    json_t *report = NULL;
    char *label = NULL;

    if ((rc = cli_fit_open(c, argv[optind], &rec, &spec, &fit)) != CLI_EXIT_OK)
        return rc;
    if ((rc = cli_load(c, argv[optind + 1], NULL, 0, &in, &label)) != CLI_EXIT_OK)
        goto out;
    if (!(res = sx_features_apply(fit, in, mode, want_report ? &report : NULL, &err))) {
        rc = cli_fail("%s on %s: %s", rec.id, label, err.msg);
        goto out;
    }
    sx_frame_free(in);
    in = NULL;
    if (cli_sigint) {
        rc = cli_interrupted_exit();
        goto out;
    }
    if (out) {
        if ((rc = cli_write_csv_file(out, res)) != CLI_EXIT_OK)
            goto out;
        if (report) {
            sx_json_dump(report, stdout, 0);
        } else {
            char *safe = cli_inert(out);
            printf("wrote %s (%zu rows, %zu columns)\n", safe, res->nrows, res->ncols);
            free(safe);
        }
    } else {
        cli_write_csv(res, res->nrows, stdout);
        if (report) {
            /* The rows first: a reader of both streams sees the report last. */
            fflush(stdout);
            sx_json_dump(report, stderr, 0);
        }
    }
out:
    json_decref(report);
    if (res)
        sx_frame_free(res);
    if (in)
        sx_frame_free(in);
    free(label);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    sx_ffit_record_clear(&rec);
    return cli_flush(rc);
}
