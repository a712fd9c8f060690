/* cli/cmd_cat.c: `sextant cat NAME|FILE.csv [-n N] [--csv|--json]`: the
 * rows of a CSV file or of a data set's (reloaded) source, typed: an
 * aligned table, RFC 4180 CSV or a JSON array of objects. CSV and JSON are
 * streamed row by row and are exact (cli/rows.c); the table is made safe
 * for a terminal. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

static const char help[] =
    "usage: sextant cat NAME[@VERSION]|FILE.csv [-n N] [--csv|--json]\n"
    "\n"
    "Print the rows of a CSV file, or of a data set (its source file is reloaded\n"
    "with the options it was imported with and must be unchanged), with their\n"
    "types applied.\n"
    "\n"
    "  -n, --rows N        the first N rows (default: 20 for the table, all rows\n"
    "                      for --csv and --json)\n"
    "  --csv               RFC 4180 CSV: comma-separated, fields holding a comma,\n"
    "                      quote, CR or LF quoted, missing cells empty, LF line ends\n"
    "  --json              a JSON array of objects, one per row: numbers, true/false,\n"
    "                      dates as \"YYYY-MM-DD\" strings, missing cells null\n"
    "  -h, --help          show this help\n";

static void write_table(const struct sx_frame *f, size_t nrows)
{
    struct cli_table t;
    char buf[64];
    cli_table_init(&t, f->ncols, 32);
    for (size_t j = 0; j < f->ncols; j++) {
        if (f->cols[j]->type == SX_FLOAT || f->cols[j]->type == SX_INT)
            cli_table_right(&t, j);
        cli_table_add(&t, f->cols[j]->name);
    }
    for (size_t i = 0; i < nrows; i++)
        for (size_t j = 0; j < f->ncols; j++)
            cli_table_add(&t, cli_cell_text(f->cols[j], i, buf, sizeof buf));
    cli_table_print(&t, stdout);
    cli_table_free(&t);
    if (nrows < f->nrows)
        printf("(%zu of %zu rows; -n N for more, --csv or --json for all)\n", nrows, f->nrows);
}

int cli_cmd_cat(struct cli *c, int argc, char **argv)
{
    enum { O_CSV = 256, O_JSON };
    static const struct option longopts[] = {
        {"rows", required_argument, NULL, 'n'},
        {"csv", no_argument, NULL, O_CSV},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt, format = 0;   /* 0 table, O_CSV, O_JSON */
    long long limit = -1;
    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":hn:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help);
        case 'n': {
            char *end;
            errno = 0;
            limit = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end || limit < 0)
                return cli_usage(c, "-n wants a number of rows (0 or more), got '%s'", optarg);
            break;
        }
        case O_CSV:
        case O_JSON:
            if (format && format != opt)
                return cli_usage(c, "--csv and --json exclude each other");
            format = opt;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (optind + 1 != argc)
        return cli_usage(c, optind >= argc ? "missing NAME or FILE" : "one NAME or FILE at a time");

    struct sx_frame *f = NULL;
    char *label = NULL;
    int rc = cli_load(c, argv[optind], NULL, 0, &f, &label);
    if (rc != CLI_EXIT_OK)
        return rc;
    size_t nrows = f->nrows;
    if (limit >= 0 && (unsigned long long)limit < nrows)
        nrows = (size_t)limit;
    else if (limit < 0 && format == 0 && nrows > 20)
        nrows = 20;
    if (format == O_CSV)
        cli_write_csv(f, nrows, stdout);
    else if (format == O_JSON)
        cli_write_json(f, nrows, stdout);
    else
        write_table(f, nrows);
    sx_frame_free(f);
    free(label);
    return cli_flush(CLI_EXIT_OK);
}
