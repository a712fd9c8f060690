/* cli/cmd_import.c: `sextant import FILE [--name NAME] [--type COL=TYPE]…
 * [--delimiter C] [--na TOKEN]…`: hash the file, and unless the latest
 * version of NAME already has that content, load it, profile it and record
 * it as the next version in one store transaction. Prints NAME@VERSION.
 * SIGINT at any point before the commit leaves the store as it was. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"
#include "profile.h"

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

/* FILE's name without directory and last extension, as a new string. */
static char *default_name(const char *path)
{
    char *copy = cli_xstrdup(path);
    char *base = cli_xstrdup(basename(copy));
    free(copy);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    return base;
}

static int interrupt_sqlite(void *ctx)
{
    (void)ctx;
    return cli_sigint ? 1 : 0;
}

static int same_file_state(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_ino == b->st_ino && a->st_dev == b->st_dev
        && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int cli_import_file(struct sx_store *st, const struct cli_import *in)
{
    struct sx_err err;
    struct sx_dataset latest, made;
    struct sx_frame *f = NULL;
    struct sx_profile *prof = NULL;
    char *name = NULL, *abs = NULL, *opts = NULL;
    char hex[SX_HASH_HEX], delim = 0;
    uint64_t size = 0;
    struct stat before, after;
    int rc = CLI_EXIT_FAIL, have_before, created = 0;

    memset(&latest, 0, sizeof latest);
    memset(&made, 0, sizeof made);
    cli_catch_sigint();

    have_before = stat(in->path, &before) == 0;
    if (sx_hash_file(in->path, hex, &size, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if (cli_sigint) {
        rc = cli_interrupted_exit();
        goto out;
    }
    name = in->name ? cli_xstrdup(in->name) : default_name(in->path);
    if (sx_dataset_name_check(name, &err) != SX_OK) {
        rc = cli_fail("%s: %s; give a name with --name", in->path, err.msg);
        goto out;
    }

    enum sx_status gs = sx_store_dataset_get(st, name, 0, &latest, &err);
    if (gs == SX_OK && strcmp(latest.hash, hex) == 0) {
        printf("%s@%d\n", latest.name, latest.version);
        rc = CLI_EXIT_OK;
        goto out;
    }
    if (gs != SX_OK && gs != SX_ENOTFOUND) {
        rc = cli_fail_err(&err);
        goto out;
    }

    if (!(abs = realpath(in->path, NULL))) {
        rc = cli_fail("%s: %s", in->path, strerror(errno));
        goto out;
    }
    if (!(f = cli_load_csv(in->path, &in->load, &delim, &err))) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if (!have_before || stat(in->path, &after) != 0 || !same_file_state(&before, &after)
        || (uint64_t)after.st_size != size) {
        rc = cli_fail("%s: the file changed while it was being imported", in->path);
        goto out;
    }
    if (!(prof = sx_profile_frame(f, NULL, &err))) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if (cli_sigint) {
        rc = cli_interrupted_exit();
        goto out;
    }
    opts = cli_load_opts_json(&in->load, delim);

    struct sx_dataset_new dn = {
        .name = name, .source_path = abs, .hash = hex, .size_bytes = size,
        .frame = f, .profile = prof, .options_json = opts,
    };
    sqlite3 *db = sx_store_db(st);
    sqlite3_progress_handler(db, 1000, interrupt_sqlite, NULL);
    enum sx_status ps = sx_store_dataset_put(st, &dn, &made, &created, &err);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    if (ps != SX_OK) {
        rc = cli_sigint ? cli_interrupted_exit() : cli_fail_err(&err);
        goto out;
    }
    /* Committed: a SIGINT that arrives now no longer undoes anything. */
    printf("%s@%d\n", made.name, made.version);
    rc = CLI_EXIT_OK;
out:
    sx_dataset_clear(&latest);
    sx_dataset_clear(&made);
    sx_profile_free(prof);
    sx_frame_free(f);
    free(opts);
    free(abs);
    free(name);
    return rc;
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
            cli_load_opts_free(&in.load);
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
            if ((rc = cli_types_add(c, &in.load.types, optarg)) != CLI_EXIT_OK)
                goto out;
            break;
        case O_DELIM:
            if (parse_delimiter(optarg, &in.load.delimiter) != 0) {
                rc = cli_usage(c, "--delimiter wants one character or 'tab', got '%s'", optarg);
                goto out;
            }
            break;
        case O_NA:
            in.load.na = cli_xrealloc(in.load.na, (in.load.nna + 1) * sizeof *in.load.na);
            in.load.na[in.load.nna++] = cli_xstrdup(optarg);
            break;
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
    cli_load_opts_free(&in.load);
    return cli_flush(rc);
}
