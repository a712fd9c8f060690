/* core/dataset.c: reloading stored data sets and importing CSV files
 * (dataset.h), shared by the workbench and the command line.
 *
 * Files are hashed with hash.c's streaming hash, whose progress calls are
 * the first half of the work reported here. An imported file is opened the
 * way the loader opens it (sx_csv_open), so a missing file or a directory
 * fails with the loader's "PATH:1:1: …" before anything is hashed. */
#include "dataset.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "json.h"
#include "profile.h"

/* ---- load options ---- */

void sx_load_opts_init(struct sx_load_opts *o)
{
    memset(o, 0, sizeof *o);
}

void sx_load_opts_free(struct sx_load_opts *o)
{
    for (size_t i = 0; i < o->nna; i++)
        free(o->na[i]);
    free(o->na);
    for (size_t i = 0; i < o->ntypes; i++)
        free((char *)o->types[i].name);
    free(o->types);
    memset(o, 0, sizeof *o);
}

enum sx_status sx_load_opts_set_type(struct sx_load_opts *o, const char *name,
                                     enum sx_type type, struct sx_err *err)
{
    for (size_t i = 0; i < o->ntypes; i++)
        if (strcmp(o->types[i].name, name) == 0) {
            o->types[i].type = type;
            return SX_OK;
        }
    struct sx_csv_coltype *t = realloc(o->types, (o->ntypes + 1) * sizeof *t);
    if (!t)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    o->types = t;
    char *copy = strdup(name);
    if (!copy)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    o->types[o->ntypes].name = copy;
    o->types[o->ntypes].type = type;
    o->ntypes++;
    return SX_OK;
}

enum sx_status sx_load_opts_add_na(struct sx_load_opts *o, const char *token,
                                   struct sx_err *err)
{
    char **na = realloc(o->na, (o->nna + 1) * sizeof *na);
    if (!na)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    o->na = na;
    if (!(o->na[o->nna] = strdup(token)))
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    o->nna++;
    return SX_OK;
}

enum sx_status sx_load_opts_copy(struct sx_load_opts *dst, const struct sx_load_opts *src,
                                 struct sx_err *err)
{
    sx_load_opts_init(dst);
    dst->delimiter = src->delimiter;
    if (src->na) {
        /* An empty list (no tokens at all) stays a list. */
        if (!(dst->na = malloc((src->nna ? src->nna : 1) * sizeof *dst->na)))
            goto oom;
        for (; dst->nna < src->nna; dst->nna++)
            if (!(dst->na[dst->nna] = strdup(src->na[dst->nna])))
                goto oom;
    }
    for (size_t i = 0; i < src->ntypes; i++)
        if (sx_load_opts_set_type(dst, src->types[i].name, src->types[i].type, err) != SX_OK)
            goto oom;
    return SX_OK;
oom:
    sx_load_opts_free(dst);
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

char *sx_load_opts_json(const struct sx_load_opts *o, char delim)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    char d[2] = {delim, '\0'};
    sx_json_set(j, "delimiter", json_string(d));
    if (o->na) {
        json_t *na = json_array();
        for (size_t i = 0; na && i < o->nna; i++)
            json_array_append_new(na, json_string(o->na[i]));
        sx_json_set(j, "na", na);
    } else {
        sx_json_set(j, "na", json_null());
    }
    json_t *types = json_object();
    for (size_t i = 0; types && i < o->ntypes; i++)
        json_object_set_new(types, o->types[i].name,
                            json_string(sx_type_name(o->types[i].type)));
    sx_json_set(j, "types", types);
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

enum sx_status sx_load_opts_parse(const char *text, struct sx_load_opts *o,
                                  struct sx_err *err)
{
    json_error_t jerr;
    sx_load_opts_init(o);
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
        size_t n = json_array_size(na);
        if (!(o->na = malloc((n ? n : 1) * sizeof *o->na))) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory");
            goto out;
        }
        for (; o->nna < n; o->nna++) {
            const char *s = json_string_value(json_array_get(na, o->nna));
            if (!(o->na[o->nna] = strdup(s ? s : ""))) {
                rc = sx_err_set(err, SX_ENOMEM, "out of memory");
                goto out;
            }
        }
    }
    json_t *types = json_object_get(j, "types");
    if (json_is_object(types)) {
        const char *key;
        json_t *v;
        json_object_foreach(types, key, v) {
            enum sx_type t;
            if (!json_is_string(v) || sx_type_parse(json_string_value(v), &t, err) != SX_OK) {
                rc = sx_err_set(err, SX_EPARSE, "stored load options: bad type for column '%s'",
                                key);
                break;
            }
            if ((rc = sx_load_opts_set_type(o, key, t, err)) != SX_OK)
                break;
        }
    }
out:
    json_decref(j);
    if (rc != SX_OK)
        sx_load_opts_free(o);
    return rc;
}

void sx_load_opts_apply(const struct sx_load_opts *o, struct sx_csv_opts *co)
{
    co->delimiter = o->delimiter;
    co->na = NULL;
    co->nna = 0;
    if (o->na) {
        co->na = (const char *const *)o->na;
        co->nna = o->nna;
    }
    co->types = o->types;
    co->ntypes = o->ntypes;
}

/* ---- progress ---- */

/* One progress callback seen as passes over the file: hashing is the
 * first half of the work when there is a hash to compute. */
struct prog {
    sx_csv_progress_fn fn;
    void *ctx;
    uint64_t size;            /* bytes of the file */
    uint64_t base;            /* bytes already done before this pass */
    uint64_t total;           /* bytes of all passes */
    uint64_t rows;            /* rows loaded, for the polls after the load */
    int cancelled;
};

/* Report DONE bytes of the current pass; returns non-zero to cancel. */
static int prog_report(struct prog *p, uint64_t done, uint64_t rows)
{
    if (!p->fn || p->cancelled)
        return p->cancelled;
    uint64_t at = p->base + done;
    if (at > p->total)
        at = p->total;
    if (p->fn(p->ctx, at, p->total, rows) != 0)
        p->cancelled = 1;
    return p->cancelled;
}

/* The loader's callback: its bytes are the load pass. */
static int prog_csv(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
    struct prog *p = ctx;
    (void)total;
    p->rows = rows;
    return prog_report(p, done, rows);
}

/* Ask the callback whether to stop, at the end of the work. */
static int prog_poll(struct prog *p)
{
    return prog_report(p, p->total - p->base, p->rows);
}

static int prog_sqlite(void *ctx)
{
    return prog_poll(ctx);
}

/* hash.c's callback: its bytes are the hash pass. */
static int prog_hash(void *ctx, uint64_t done)
{
    return prog_report(ctx, done, 0);
}

/* The file's size (0 when it cannot be seen: the hash pass reports why). */
static uint64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
}

/* ---- data sets ---- */

enum sx_status sx_dataset_find(struct sx_store *st, const char *ref, struct sx_dataset *out,
                               struct sx_err *err)
{
    char name[512];           /* room for an overlong name to get the name check's message */
    int version;
    enum sx_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = sx_dataset_ref_parse(ref, name, sizeof name, &version, err)) != SX_OK)
        return rc;
    return sx_store_dataset_get(st, name, version, out, err);
}

struct sx_frame *sx_dataset_load(const struct sx_dataset *ds,
                                 const struct sx_dataset_load_opts *opts, struct sx_err *err)
{
    static const struct sx_dataset_load_opts defaults;
    struct sx_load_opts lo;
    struct sx_csv_opts co;
    struct sx_frame *f = NULL;
    char lab[SX_DATASET_NAME_MAX + 32], hex[SX_HASH_HEX];
    const char *path = ds->source_path ? ds->source_path : "";

    if (!opts)
        opts = &defaults;
    sx_load_opts_init(&lo);
    snprintf(lab, sizeof lab, "%s@%d", ds->name ? ds->name : "", ds->version);
    uint64_t size = file_size(path);
    struct prog p = {
        .fn = opts->progress, .ctx = opts->progress_ctx, .size = size,
        .total = opts->skip_hash ? size : 2 * size,
    };
    if (!opts->skip_hash) {
        enum sx_status hs = sx_hash_file_progress(path, hex, NULL, prog_hash, &p, err);
        if (hs == SX_ENOTFOUND) {
            sx_err_set(err, SX_ENOTFOUND,
                       "%s: its source file %s is gone (the stored profile remains: "
                       "sextant describe %s)", lab, path, lab);
            goto out;
        }
        if (hs != SX_OK)
            goto out;
        if (strcmp(hex, ds->hash) != 0) {
            sx_err_set(err, SX_EINVAL,
                       "%s: its source file %s has changed since it was imported "
                       "(content hash differs); import it again", lab, path);
            goto out;
        }
        p.base = size;
    }
    struct sx_err perr;
    if (sx_load_opts_parse(ds->options_json, &lo, &perr) != SX_OK) {
        sx_err_set(err, perr.code, "%s: %s", lab, perr.msg);
        goto out;
    }
    for (size_t i = 0; i < opts->ntypes; i++)
        if (sx_load_opts_set_type(&lo, opts->types[i].name, opts->types[i].type, err) != SX_OK)
            goto out;
    sx_csv_opts_init(&co);
    sx_load_opts_apply(&lo, &co);
    co.max_rows = opts->max_rows;
    co.threads = opts->threads;
    if (opts->progress) {
        co.progress = prog_csv;
        co.progress_ctx = &p;
    }
    f = sx_csv_load(path, &co, NULL, err);
out:
    sx_load_opts_free(&lo);
    return f;
}

char *sx_dataset_default_name(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *base = strdup(basename(copy));
    free(copy);
    if (!base)
        return NULL;
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    return base;
}

static int same_file_state(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_ino == b->st_ino && a->st_dev == b->st_dev
        && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

enum sx_status sx_dataset_import(struct sx_store *st, const char *path, const char *name_in,
                                 const struct sx_load_opts *load,
                                 sx_csv_progress_fn progress, void *progress_ctx,
                                 struct sx_dataset *out, int *created, struct sx_err *err)
{
    static const struct sx_load_opts no_opts;
    struct sx_dataset latest;
    struct sx_frame *f = NULL;
    struct sx_profile *prof = NULL;
    struct sx_csv_opts co;
    char *name = NULL, *abs = NULL, *opts_json = NULL;
    char hex[SX_HASH_HEX], delim = 0;
    uint64_t size = 0;
    struct stat before, after;
    enum sx_status rc;
    int fd, made = 0;

    memset(&latest, 0, sizeof latest);
    memset(out, 0, sizeof *out);
    if (created)
        *created = 0;
    if (!load)
        load = &no_opts;
    struct prog p = {.fn = progress, .ctx = progress_ctx};

    if ((rc = sx_csv_open(path, &fd, &before, err)) != SX_OK)
        goto out;
    uint64_t fsize = (uint64_t)before.st_size;
    p.size = fsize;
    p.total = 2 * fsize;
    rc = sx_hash_fd(fd, path, hex, &size, prog_hash, &p, err);
    close(fd);
    if (rc != SX_OK)
        goto out;
    if (prog_report(&p, size, 0)) {
        rc = sx_err_set(err, SX_ECANCEL, "%s: import cancelled", path);
        goto out;
    }
    p.base = fsize;
    name = name_in ? strdup(name_in) : sx_dataset_default_name(path);
    if (!name) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    struct sx_err nerr;
    if ((rc = sx_dataset_name_check(name, &nerr)) != SX_OK) {
        rc = sx_err_set(err, rc, "%s: %s", path, nerr.msg);
        goto out;
    }

    rc = sx_store_dataset_get(st, name, 0, &latest, err);
    if (rc == SX_OK && strcmp(latest.hash, hex) == 0) {
        *out = latest;
        memset(&latest, 0, sizeof latest);
        goto out;
    }
    if (rc != SX_OK && rc != SX_ENOTFOUND)
        goto out;

    if (!(abs = realpath(path, NULL))) {
        rc = sx_err_set(err, errno == ENOENT ? SX_ENOTFOUND : SX_EIO, "%s: %s", path,
                        strerror(errno));
        goto out;
    }
    sx_csv_opts_init(&co);
    sx_load_opts_apply(load, &co);
    if (progress) {
        co.progress = prog_csv;
        co.progress_ctx = &p;
    }
    if (!(f = sx_csv_load(path, &co, &delim, err))) {
        rc = err ? err->code : SX_EIO;
        goto out;
    }
    if (stat(path, &after) != 0 || !same_file_state(&before, &after)
        || (uint64_t)after.st_size != size) {
        rc = sx_err_set(err, SX_EIO, "%s: the file changed while it was being imported", path);
        goto out;
    }
    p.rows = f->nrows;
    if (!(prof = sx_profile_frame(f, NULL, err))) {
        rc = err ? err->code : SX_ENOMEM;
        goto out;
    }
    if (prog_poll(&p)) {
        rc = sx_err_set(err, SX_ECANCEL, "%s: import cancelled", path);
        goto out;
    }
    if (!(opts_json = sx_load_opts_json(load, delim))) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }

    struct sx_dataset_new dn = {
        .name = name, .source_path = abs, .hash = hex, .size_bytes = size,
        .frame = f, .profile = prof, .options_json = opts_json,
    };
    sqlite3 *db = sx_store_db(st);
    if (progress)
        sqlite3_progress_handler(db, 100, prog_sqlite, &p);
    rc = sx_store_dataset_put(st, &dn, out, &made, err);
    if (progress)
        sqlite3_progress_handler(db, 0, NULL, NULL);
    if (rc != SX_OK && p.cancelled)
        rc = sx_err_set(err, SX_ECANCEL, "%s: import cancelled", path);
    if (rc == SX_OK && created)
        *created = made;
out:
    sx_dataset_clear(&latest);
    sx_profile_free(prof);
    sx_frame_free(f);
    free(opts_json);
    free(abs);
    free(name);
    return rc;
}
