/* cli/cmd_import.c: `sextant import FILE [--name NAME] [--type COL=TYPE]…
 * [--delimiter C] [--na TOKEN]…`: options into an sx_load_opts, then
 * core's sx_dataset_import (hash the file, and unless the latest version of
 * NAME already has that content, load it, profile it and record it as the
 * next version in one store transaction) with the progress line. Prints
 * NAME@VERSION. SIGINT at any point before the commit leaves the store as
 * it was. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: sextant import FILE [--name NAME] [--type COL=TYPE]... [--delimiter C]\n"
    "                           [--na TOKEN]...\n"
    "\n"
    "Load the CSV file FILE, profile it and record it in the store as the next\n"
    "version of data set NAME; prints NAME@VERSION. Importing content identical\n"
    "to the latest version (same BLAKE2b hash) records nothing and prints that\n"
    "version.\n"
    "\n"
    "  --name NAME         data set name (default: FILE's name without extension)\n"
    "  --type COL=TYPE     type of column COL: float int bool date category text\n"
    "                      (repeatable; other columns are inferred)\n"
    "  --delimiter C       field delimiter: one character, or 'tab' (default:\n"
    "                      detected among , ; tab |)\n"
    "  --na TOKEN          a missing-value token (repeatable; replaces the default\n"
    "                      list, which is pandas'; --na '' alone: only empty cells)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Ctrl-C cancels the import and leaves the store unchanged (exit 130).\n";

/* When ERR is sx_dataset_import's complaint about the default name (no
 * --name given: SX_EINVAL "PATH: WHAT", dataset.h), say how to give one;
 * else print ERR. */
static int import_failed(const struct cli_import *in, const struct sx_err *err)
{
    if (!in->name && err->code == SX_EINVAL) {
        char *name = sx_dataset_default_name(in->path);
        struct sx_err nerr, said;
        if (name && sx_dataset_name_check(name, &nerr) != SX_OK) {
            sx_err_set(&said, SX_EINVAL, "%s: %s", in->path, nerr.msg);
            if (strcmp(said.msg, err->msg) == 0) {
                free(name);
                return cli_fail("%s: %s; give a name with --name", in->path, nerr.msg);
            }
        }
        free(name);
    }
    return cli_fail_err(err);
}

int cli_import_file(struct sx_store *st, const struct cli_import *in)
{
    struct cli_progress prog;
    struct sx_dataset ds;
    struct sx_err err;

    cli_catch_sigint();
    cli_progress_start(&prog, in->path);
    enum sx_status rc = sx_dataset_import(st, in->path, in->name, &in->load, cli_progress_cb,
                                          &prog, &ds, NULL, &err);
    cli_progress_end(&prog);
    if (rc != SX_OK)
        return import_failed(in, &err);
    /* Committed: a SIGINT that arrives now no longer undoes anything. */
    printf("%s@%d\n", ds.name, ds.version);
    sx_dataset_clear(&ds);
    return CLI_EXIT_OK;
}

/* Parse --delimiter's value into *OUT; 0 on success. */
static int parse_delimiter(const char *s, char *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0 || strcmp(s, "\t") == 0) {
        *out = '\t';
        return 0;
    }
    if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r'
        || (unsigned char)s[0] >= 0x80)
        return -1;
    *out = s[0];
    return 0;
}

int cli_cmd_import(struct cli *c, int argc, char **argv)
{
    enum { O_NAME = 256, O_TYPE, O_DELIM, O_NA };
    static const struct option longopts[] = {
        {"name", required_argument, NULL, O_NAME},
        {"type", required_argument, NULL, O_TYPE},
        {"delimiter", required_argument, NULL, O_DELIM},
        {"na", required_argument, NULL, O_NA},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_import in;
    struct sx_store *st = NULL;
    int opt, rc = CLI_EXIT_OK;

    memset(&in, 0, sizeof in);
    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            sx_load_opts_free(&in.load);
            return cli_help(help);
        case O_NAME: {
            struct sx_err err;
            if (sx_dataset_name_check(optarg, &err) != SX_OK) {
                rc = cli_usage(c, "--name: %s", err.msg);
                goto out;
            }
            in.name = optarg;
            break;
        }
        case O_TYPE:
            if ((rc = cli_type_option(c, &in.load, optarg)) != CLI_EXIT_OK)
                goto out;
            break;
        case O_DELIM:
            if (parse_delimiter(optarg, &in.load.delimiter) != 0) {
                rc = cli_usage(c, "--delimiter wants one character or 'tab', got '%s'", optarg);
                goto out;
            }
            break;
        case O_NA: {
            struct sx_err err;
            if (sx_load_opts_add_na(&in.load, optarg, &err) != SX_OK) {
                rc = cli_fail_err(&err);
                goto out;
            }
            break;
        }
        default:
            rc = cli_bad_option(c, argv, opt);
            goto out;
        }
    }
    if (optind + 1 != argc) {
        rc = cli_usage(c, optind >= argc ? "missing FILE" : "one FILE at a time");
        goto out;
    }
    in.path = argv[optind];
    if ((rc = cli_store_open(c, 0, &st)) != CLI_EXIT_OK)
        goto out;
    rc = cli_import_file(st, &in);
out:
    if (st)
        sx_store_close(st);
    sx_load_opts_free(&in.load);
    return cli_flush(rc);
}
