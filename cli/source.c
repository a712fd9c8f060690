/* cli/source.c: where describe and cat get their rows: a CSV file named on
 * the command line, or the source file of a stored data set, reloaded with
 * the options it was imported with after checking its content hash. Also
 * looking a data set up by NAME[@VERSION] (describe shows its stored
 * profile) and the load options' JSON form kept in the store. */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "json.h"

int cli_is_file_arg(const char *arg)
{
    struct stat sb;
    size_t n = strlen(arg);
    if (stat(arg, &sb) == 0)
        return 1;
    return n >= 4 && (strcasecmp(arg + n - 4, ".csv") == 0 ||
                      strcasecmp(arg + n - 4, ".tsv") == 0);
}

void cli_load_opts_free(struct cli_load_opts *o)
{
    for (size_t i = 0; i < o->nna; i++)
        free(o->na[i]);
    free(o->na);
    cli_types_free(&o->types);
    memset(o, 0, sizeof *o);
}

char *cli_load_opts_json(const struct cli_load_opts *o, char delim)
{
    json_t *j = json_object();
    char d[2] = {delim, '\0'};
    sx_json_set(j, "delimiter", json_string(d));
    if (o->na) {
        json_t *na = json_array();
        for (size_t i = 0; i < o->nna; i++)
            json_array_append_new(na, json_string(o->na[i]));
        sx_json_set(j, "na", na);
    } else {
        sx_json_set(j, "na", json_null());
    }
    json_t *types = json_object();
    for (size_t i = 0; i < o->types.n; i++)
        json_object_set_new(types, o->types.v[i].name,
                            json_string(sx_type_name(o->types.v[i].type)));
    sx_json_set(j, "types", types);
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s) {
        fputs("sextant: out of memory\n", stderr);
        exit(CLI_EXIT_FAIL);
    }
    return s;
}

enum sx_status cli_load_opts_parse(const char *text, struct cli_load_opts *o,
                                   struct sx_err *err)
{
    json_error_t jerr;
    memset(o, 0, sizeof *o);
    json_t *j = text ? json_loads(text, 0, &jerr) : json_object();
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return sx_err_set(err, SX_EPARSE, "stored load options are not a JSON object");
    }
    enum sx_status rc = SX_OK;
    json_t *d = json_object_get(j, "delimiter");
    if (json_is_string(d) && json_string_length(d) == 1)
        o->delimiter = json_string_value(d)[0];
    json_t *na = json_object_get(j, "na");
    if (json_is_array(na)) {
        o->nna = json_array_size(na);
        o->na = cli_xmalloc((o->nna ? o->nna : 1) * sizeof *o->na);
        for (size_t i = 0; i < o->nna; i++) {
            const char *s = json_string_value(json_array_get(na, i));
            o->na[i] = cli_xstrdup(s ? s : "");
        }
    }
    json_t *types = json_object_get(j, "types");
    if (json_is_object(types)) {
        const char *key;
        json_t *v;
        json_object_foreach(types, key, v) {
            enum sx_type t;
            if (!json_is_string(v) || sx_type_parse(json_string_value(v), &t, err) != SX_OK) {
                rc = sx_err_set(err, SX_EPARSE, "stored load options: bad type for column '%s'", key);
                break;
            }
            cli_types_set(&o->types, key, t);
        }
    }
    json_decref(j);
    if (rc != SX_OK)
        cli_load_opts_free(o);
    return rc;
}

struct sx_frame *cli_load_csv(const char *path, const struct cli_load_opts *o,
                              char *out_delim, struct sx_err *err)
{
    struct sx_csv_opts co;
    struct cli_progress prog;
    sx_csv_opts_init(&co);
    co.delimiter = o->delimiter;
    if (o->na) {
        co.na = (const char *const *)o->na;
        co.nna = o->nna;
    }
    co.types = o->types.v;
    co.ntypes = o->types.n;
    co.progress = cli_progress_cb;
    co.progress_ctx = &prog;
    cli_catch_sigint();
    cli_progress_start(&prog, path);
    struct sx_frame *f = NULL;
    if (cli_sigint)
        sx_err_set(err, SX_ECANCEL, "interrupted");
    else
        f = sx_csv_load(path, &co, out_delim, err);
    cli_progress_end(&prog);
    if (f && cli_sigint) {
        sx_frame_free(f);
        f = NULL;
        sx_err_set(err, SX_ECANCEL, "interrupted");
    }
    return f;
}

int cli_dataset_get(const struct cli *c, const char *ref, struct sx_dataset *ds)
{
    struct sx_store *st;
    struct sx_err err;
    char name[512];
    int version, rc;

    memset(ds, 0, sizeof *ds);
    if (sx_dataset_ref_parse(ref, name, sizeof name, &version, &err) != SX_OK)
        return cli_fail_err(&err);
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_store_dataset_get(st, name, version, ds, &err) != SX_OK)
        rc = cli_fail_err(&err);
    sx_store_close(st);
    return rc;
}

/* Reload the source of data set REF from store; see cli_load. */
static int load_dataset(const struct cli *c, const char *ref, const struct cli_types *types,
                        struct sx_frame **out, char **label)
{
    struct sx_dataset ds;
    struct sx_err err;
    struct cli_load_opts lo;
    char hex[SX_HASH_HEX];
    int rc;

    memset(&lo, 0, sizeof lo);
    if ((rc = cli_dataset_get(c, ref, &ds)) != CLI_EXIT_OK)
        return rc;
    char lab[600];
    snprintf(lab, sizeof lab, "%s@%d", ds.name, ds.version);
    enum sx_status hs = sx_hash_file(ds.source_path, hex, NULL, &err);
    if (hs == SX_ENOTFOUND) {
        rc = cli_fail("%s: its source file %s is gone (the stored profile remains: "
                      "sextant describe %s)", lab, ds.source_path, lab);
        goto out;
    }
    if (hs != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if (strcmp(hex, ds.hash) != 0) {
        rc = cli_fail("%s: its source file %s has changed since it was imported "
                      "(content hash differs); import it again", lab, ds.source_path);
        goto out;
    }
    if (cli_load_opts_parse(ds.options_json, &lo, &err) != SX_OK) {
        rc = cli_fail("%s: %s", lab, err.msg);
        goto out;
    }
    for (size_t i = 0; types && i < types->n; i++)
        cli_types_set(&lo.types, types->v[i].name, types->v[i].type);
    struct sx_frame *f = cli_load_csv(ds.source_path, &lo, NULL, &err);
    if (!f) {
        rc = cli_fail_err(&err);
        goto out;
    }
    *out = f;
    *label = cli_xstrdup(lab);
    rc = CLI_EXIT_OK;
out:
    cli_load_opts_free(&lo);
    sx_dataset_clear(&ds);
    return rc;
}

int cli_load(const struct cli *c, const char *arg, const struct cli_types *types,
             struct sx_frame **out, char **label)
{
    *out = NULL;
    *label = NULL;
    if (!cli_is_file_arg(arg))
        return load_dataset(c, arg, types, out, label);

    struct cli_load_opts lo;
    struct sx_err err;
    memset(&lo, 0, sizeof lo);
    for (size_t i = 0; types && i < types->n; i++)
        cli_types_set(&lo.types, types->v[i].name, types->v[i].type);
    struct sx_frame *f = cli_load_csv(arg, &lo, NULL, &err);
    cli_load_opts_free(&lo);
    if (!f)
        return cli_fail_err(&err);
    *out = f;
    *label = cli_xstrdup(arg);
    return CLI_EXIT_OK;
}
