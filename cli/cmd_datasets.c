/* cli/cmd_datasets.c: `sextant datasets [--json]`: every version of every
 * data set in the store, as a table or a JSON array. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char help[] =
    "usage: sextant datasets [--json]\n"
    "\n"
    "List every version of every data set in the store: name, version, rows,\n"
    "columns, file size, content hash (first 12 hex digits), author and import\n"
    "time.\n"
    "\n"
    "  --json              a JSON array of {\"name\",\"version\",\"id\",\"rows\",\"columns\",\n"
    "                      \"size_bytes\",\"hash\",\"source_path\",\"author\",\"created_at\"}\n"
    "  -h, --help          show this help\n";

static json_t *dataset_json(const struct sx_dataset *d)
{
    json_t *o = json_object();
    sx_json_set(o, "name", json_string(d->name));
    sx_json_set(o, "version", json_integer(d->version));
    sx_json_set(o, "id", json_string(d->id));
    sx_json_set(o, "rows", json_integer((json_int_t)d->rows));
    sx_json_set(o, "columns", json_integer((json_int_t)d->ncols));
    sx_json_set(o, "size_bytes", json_integer((json_int_t)d->size_bytes));
    sx_json_set(o, "hash", json_string(d->hash));
    sx_json_set(o, "source_path", d->source_path ? json_string(d->source_path) : json_null());
    sx_json_set(o, "author", d->author ? json_string(d->author) : json_null());
    sx_json_set(o, "created_at", d->created_at ? json_string(d->created_at) : json_null());
    return o;
}

int cli_cmd_datasets(struct cli *c, int argc, char **argv)
{
    int as_json, rc;
    if (cli_simple_options(c, argc, argv, help, &as_json, &rc))
        return rc;
    if (optind != argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);

    struct sx_store *st;
    struct sx_dataset *list = NULL;
    size_t n = 0;
    struct sx_err err;
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_store_dataset_list(st, &list, &n, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        sx_store_close(st);
        return rc;
    }
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, dataset_json(&list[i]));
        sx_json_dump(arr, stdout, 0);
        json_decref(arr);
    } else if (n == 0) {
        fputs("no data sets yet: sextant import FILE\n", stdout);
    } else {
        static const char *const head[] = {"NAME", "VERSION", "ROWS", "COLS", "SIZE",
                                           "HASH", "AUTHOR", "IMPORTED"};
        struct cli_table t;
        char size[32];
        cli_table_init(&t, 8, 48);
        for (size_t i = 1; i <= 4; i++)
            cli_table_right(&t, i);
        for (size_t i = 0; i < 8; i++)
            cli_table_add(&t, head[i]);
        for (size_t i = 0; i < n; i++) {
            const struct sx_dataset *d = &list[i];
            cli_table_add(&t, d->name);
            cli_table_addf(&t, "%d", d->version);
            cli_table_addf(&t, "%llu", (unsigned long long)d->rows);
            cli_table_addf(&t, "%llu", (unsigned long long)d->ncols);
            cli_table_add(&t, cli_size(d->size_bytes, size));
            cli_table_addf(&t, "%.12s", d->hash);
            cli_table_add(&t, d->author);
            cli_table_add(&t, d->created_at);
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
    }
    sx_dataset_list_free(list, n);
    sx_store_close(st);
    return cli_flush(CLI_EXIT_OK);
}
