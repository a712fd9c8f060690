/* core/featstore.c: feature sets, versions and fits in the store.
 *
 * The tables (feature_sets, feature_versions, feature_fits) are created by
 * migration 2 in core/store.c. This file adds versions (deduplicated by the
 * hash of the normalised spec), records fits, and reads them back. Each
 * write is one transaction through sx_store_begin/commit, and the decision
 * "same spec → existing version, else N+1" is taken inside it, so two
 * processes adding at once cannot create the same version twice. Every
 * statement is prepared with bound values. Rows are only ever inserted. */
#include "featstore.h"
#include "store_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- small helpers ---- */

/* Grow *LIST (elements of SIZE bytes) to hold one more than *LEN. */
/* ---- names and references ---- */

enum sx_status sx_fset_name_check(const char *name, struct sx_err *err)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0)
        return sx_err_set(err, SX_EINVAL, "feature set name is empty");
    if (n > SX_FSET_NAME_MAX)
        return sx_err_set(err, SX_EINVAL, "feature set name is %zu bytes long (at most %d)",
                          n, SX_FSET_NAME_MAX);
    if (!(isalnum((unsigned char)name[0]) || name[0] == '_'))
        return sx_err_set(err, SX_EINVAL, "feature set name must start with a letter, a "
                          "digit or '_'");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch >= 0x80 || !(isalnum(ch) || ch == '_' || ch == '-' || ch == '.'))
            return sx_err_set(err, SX_EINVAL, "feature set name: character %zu is not a "
                              "letter, digit, '_', '-' or '.'", i + 1);
    }
    return SX_OK;
}

enum sx_status sx_fset_ref_parse(const char *ref, char *buf, size_t size, int *version,
                                 struct sx_err *err)
{
    const char *at = strrchr(ref, '@');
    size_t nlen = at ? (size_t)(at - ref) : strlen(ref);
    char show[80];
    long v = 0;
    enum sx_status rc;

    if (at) {
        const char *p = at + 1;
        if (*p == 'v' || *p == 'V')
            p++;
        if (!*p)
            return sx_err_set(err, SX_EINVAL, "feature set reference \"%s\": no version "
                              "after '@' (NAME@vN)", sx_store_shown(ref, show, sizeof show));
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return sx_err_set(err, SX_EINVAL, "feature set reference \"%s\": the "
                                  "version must be vN or N",
                                  sx_store_shown(ref, show, sizeof show));
            v = v * 10 + (*p - '0');
            if (v > 1000000000L)
                return sx_err_set(err, SX_EINVAL, "feature set reference \"%s\": version "
                                  "too large", sx_store_shown(ref, show, sizeof show));
        }
        if (v == 0)
            return sx_err_set(err, SX_EINVAL, "feature set reference \"%s\": versions "
                              "start at 1", sx_store_shown(ref, show, sizeof show));
    }
    if (nlen >= size || nlen > SX_FSET_NAME_MAX)
        return sx_err_set(err, SX_EINVAL, "feature set reference: name too long");
    memcpy(buf, ref, nlen);
    buf[nlen] = '\0';
    if ((rc = sx_fset_name_check(buf, err)) != SX_OK)
        return rc;
    *version = (int)v;
    return SX_OK;
}

/* ---- versions ---- */

void sx_fversion_clear(struct sx_fversion *v)
{
    if (!v)
        return;
    free(v->name);
    free(v->spec_text);
    free(v->normalized);
    free(v->author);
    free(v->created_at);
    memset(v, 0, sizeof *v);
}

void sx_fversion_list_free(struct sx_fversion *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        sx_fversion_clear(&list[i]);
    free(list);
}

void sx_fset_list_free(struct sx_fset *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].created_at);
        sx_fversion_clear(&list[i].latest);
    }
    free(list);
}

#define VERSION_COLS \
    "v.id, v.set_name, v.version, v.spec_text, v.normalized, v.spec_hash, v.author, " \
    "v.created_at"
#define NVERSION_COLS 8

/* Fill V from columns BASE.. of the current row of S (VERSION_COLS). */
static enum sx_status read_version(struct sx_store *st, sqlite3_stmt *s, int base,
                                   struct sx_fversion *v, struct sx_err *err)
{
    memset(v, 0, sizeof *v);
    if (sx_store_col_fixed(s, base + 0, v->id, sizeof v->id) != SX_OK ||
        sx_store_col_fixed(s, base + 5, v->hash, sizeof v->hash) != SX_OK)
        return sx_err_set(err, SX_ESTORE, "%s: a feature set version has a malformed id "
                          "or hash", sx_store_path(st));
    v->version = sqlite3_column_int(s, base + 2);
    v->name = sx_store_col_dup(s, base + 1);
    v->spec_text = sx_store_col_dup(s, base + 3);
    v->normalized = sx_store_col_dup(s, base + 4);
    v->author = sx_store_col_dup(s, base + 6);
    v->created_at = sx_store_col_dup(s, base + 7);
    if (!v->name || !v->spec_text || !v->normalized || !v->author || !v->created_at) {
        sx_fversion_clear(v);
        return sx_err_set(err, SX_ENOMEM, "out of memory reading a feature set version");
    }
    return SX_OK;
}

/* Step S once: a row fills V; no row is SX_ENOTFOUND (ERR untouched). */
static enum sx_status fetch_version(struct sx_store *st, sqlite3_stmt *s,
                                    struct sx_fversion *v, struct sx_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return read_version(st, s, 0, v, err);
    if (rc == SQLITE_DONE)
        return SX_ENOTFOUND;
    return sx_store_db_err(st, err, "read a feature set version");
}

/* The version of NAME whose spec hash is HASH; SX_ENOTFOUND (ERR untouched). */
static enum sx_status version_by_hash(struct sx_store *st, const char *name, const char *hash,
                                      struct sx_fversion *out, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, "SELECT " VERSION_COLS " FROM feature_versions v "
                                      "WHERE v.set_name = ?1 AND v.spec_hash = ?2", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 2, hash, err)) == SX_OK)
        rc = fetch_version(st, s, out, err);
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_featstore_get_version(struct sx_store *st, const char *name, int version,
                                        struct sx_fversion *out, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    char show[80];
    enum sx_status rc;

    memset(out, 0, sizeof *out);
    if (version <= 0)
        rc = sx_store_prep(st, "SELECT " VERSION_COLS " FROM feature_versions v "
                           "WHERE v.set_name = ?1 ORDER BY v.version DESC LIMIT 1", &s, err);
    else
        rc = sx_store_prep(st, "SELECT " VERSION_COLS " FROM feature_versions v "
                           "WHERE v.set_name = ?1 AND v.version = ?2", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK &&
        (version <= 0 || (rc = sx_store_bind_int(st, s, 2, version, err)) == SX_OK))
        rc = fetch_version(st, s, out, err);
    sqlite3_finalize(s);
    if (rc == SX_ENOTFOUND) {
        if (version <= 0)
            sx_err_set(err, rc, "no feature set named \"%s\"",
                       sx_store_shown(name, show, sizeof show));
        else
            sx_err_set(err, rc, "no feature set \"%s@v%d\"",
                       sx_store_shown(name, show, sizeof show), version);
    }
    return rc;
}

enum sx_status sx_featstore_get(struct sx_store *st, const char *ref, struct sx_fversion *out,
                                struct sx_err *err)
{
    char name[SX_FSET_NAME_MAX + 1];
    int version;
    enum sx_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = sx_fset_ref_parse(ref, name, sizeof name, &version, err)) != SX_OK)
        return rc;
    return sx_featstore_get_version(st, name, version, out, err);
}

enum sx_status sx_featstore_get_by_id(struct sx_store *st, const char *id,
                                      struct sx_fversion *out, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    char show[80];
    enum sx_status rc;

    memset(out, 0, sizeof *out);
    rc = sx_store_prep(st, "SELECT " VERSION_COLS " FROM feature_versions v WHERE v.id = ?1",
                       &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK)
        rc = fetch_version(st, s, out, err);
    sqlite3_finalize(s);
    if (rc == SX_ENOTFOUND)
        sx_err_set(err, rc, "no feature set version with id %s",
                   sx_store_shown(id, show, sizeof show));
    return rc;
}

enum sx_status sx_featstore_versions(struct sx_store *st, const char *name,
                                     struct sx_fversion **out, size_t *n, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    struct sx_fversion *list = NULL;
    size_t len = 0, cap = 0;
    char show[80];
    enum sx_status rc;
    int step;

    *out = NULL;
    *n = 0;
    if ((rc = sx_store_prep(st, "SELECT " VERSION_COLS " FROM feature_versions v "
                            "WHERE v.set_name = ?1 ORDER BY v.version", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, name, err)) != SX_OK)
        goto out;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)&list, &cap, len, sizeof *list)) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory listing feature set versions");
            goto out;
        }
        if ((rc = read_version(st, s, 0, &list[len], err)) != SX_OK)
            goto out;
        len++;
    }
    if (step != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "list feature set versions");
    else if (len == 0)
        rc = sx_err_set(err, SX_ENOTFOUND, "no feature set named \"%s\"",
                        sx_store_shown(name, show, sizeof show));
out:
    sqlite3_finalize(s);
    if (rc != SX_OK) {
        sx_fversion_list_free(list, len);
        return rc;
    }
    *out = list;
    *n = len;
    return SX_OK;
}

enum sx_status sx_featstore_list(struct sx_store *st, struct sx_fset **out, size_t *n,
                                 struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    struct sx_fset *list = NULL;
    size_t len = 0, cap = 0;
    enum sx_status rc;
    int step;

    *out = NULL;
    *n = 0;
    rc = sx_store_prep(st, "SELECT " VERSION_COLS ", "
                       "(SELECT count(*) FROM feature_versions w WHERE w.set_name = v.set_name), "
                       "(SELECT count(*) FROM feature_fits f JOIN feature_versions w "
                       "   ON w.id = f.version_id WHERE w.set_name = v.set_name), "
                       "(SELECT w.created_at FROM feature_versions w WHERE w.set_name = v.set_name "
                       "   AND w.version = 1) "
                       "FROM feature_versions v WHERE v.version = "
                       "(SELECT max(w.version) FROM feature_versions w "
                       "   WHERE w.set_name = v.set_name) "
                       "ORDER BY v.set_name", &s, err);
    if (rc != SX_OK)
        return rc;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct sx_fset *f;
        if (!sx_store_grow((void **)&list, &cap, len, sizeof *list)) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory listing feature sets");
            goto out;
        }
        f = &list[len];
        memset(f, 0, sizeof *f);
        if ((rc = read_version(st, s, 0, &f->latest, err)) != SX_OK)
            goto out;
        len++;
        f->nversions = sqlite3_column_int(s, NVERSION_COLS);
        f->nfits = sqlite3_column_int(s, NVERSION_COLS + 1);
        f->name = strdup(f->latest.name);
        f->created_at = sx_store_col_dup(s, NVERSION_COLS + 2);
        if (!f->name || !f->created_at) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory listing feature sets");
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "list feature sets");
out:
    sqlite3_finalize(s);
    if (rc != SX_OK) {
        sx_fset_list_free(list, len);
        return rc;
    }
    *out = list;
    *n = len;
    return SX_OK;
}

/* Insert version VERSION of NAME (creating the set when VERSION is 1). */
static enum sx_status insert_version(struct sx_store *st, const char *id, const char *name,
                                     int version, const char *spec_text,
                                     const char *normalized, const char *hash,
                                     struct sx_err *err)
{
    char author[256], now[48];
    sqlite3_stmt *s = NULL;
    enum sx_status rc = SX_OK;

    sx_store_author(author, sizeof author);
    sx_store_now(now, sizeof now);
    if (version == 1) {
        rc = sx_store_prep(st, "INSERT INTO feature_sets (name, author, created_at) VALUES "
                           "(?1, ?2, ?3)", &s, err);
        if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK &&
            (rc = sx_store_bind_text(st, s, 2, author, err)) == SX_OK &&
            (rc = sx_store_bind_text(st, s, 3, now, err)) == SX_OK)
            rc = sx_store_step_done(st, s, "record the feature set", err);
        sqlite3_finalize(s);
        s = NULL;
        if (rc != SX_OK)
            return rc;
    }
    rc = sx_store_prep(st, "INSERT INTO feature_versions (id, set_name, version, spec_text, "
                       "normalized, spec_hash, author, created_at) VALUES "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 2, name, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 3, version, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 4, spec_text, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 5, normalized, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 6, hash, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 7, author, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 8, now, err)) == SX_OK)
        rc = sx_store_step_done(st, s, "record the feature set version", err);
    sqlite3_finalize(s);
    return rc;
}

/* The highest version number of NAME, 0 when the set does not exist. */
static enum sx_status max_version(struct sx_store *st, const char *name, int *out,
                                  struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, "SELECT coalesce(max(version), 0) FROM feature_versions "
                                      "WHERE set_name = ?1", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            *out = sqlite3_column_int(s, 0);
        else
            rc = sx_store_db_err(st, err, "read the feature set versions");
    }
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_featstore_add(struct sx_store *st, const char *name, const char *spec_text,
                                const struct sx_fspec *spec, struct sx_fversion *out,
                                int *created, struct sx_err *err)
{
    char hash[SX_HASH_HEX], id[SX_UUID_LEN];
    char *normalized = NULL;
    struct sx_err local;
    enum sx_status rc;
    int in_tx = 0, last = 0;

    if (!err)
        err = &local;
    memset(out, 0, sizeof *out);
    if (created)
        *created = 0;
    if ((rc = sx_fset_name_check(name, err)) != SX_OK)
        return rc;
    if (!spec || !spec_text)
        return sx_err_set(err, SX_EINVAL, "feature set \"%s\": no spec given", name);
    if (!(normalized = sx_fspec_normalize(spec)))
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    sx_fspec_hash(spec, hash);
    if (!sx_store_is_hash(hash)) {
        rc = sx_err_set(err, SX_EINVAL, "feature set \"%s\": the spec hash is not 64 hex "
                        "digits", name);
        goto out;
    }
    sx_uuid(id);
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        goto out;
    in_tx = 1;
    rc = version_by_hash(st, name, hash, out, err);
    if (rc == SX_OK) {              /* the same spec: that version, nothing written */
        in_tx = 0;
        if ((rc = sx_store_commit(st, err)) != SX_OK)
            sx_fversion_clear(out);
        goto out;
    }
    if (rc != SX_ENOTFOUND)
        goto out;
    if ((rc = max_version(st, name, &last, err)) != SX_OK ||
        (rc = insert_version(st, id, name, last + 1, spec_text, normalized, hash, err)) !=
            SX_OK)
        goto out;
    if ((rc = sx_featstore_get_by_id(st, id, out, err)) != SX_OK) {
        if (rc == SX_ENOTFOUND)
            rc = sx_err_set(err, SX_ESTORE, "%s: the new feature set version vanished",
                            sx_store_path(st));
        goto out;
    }
    in_tx = 0;
    if ((rc = sx_store_commit(st, err)) != SX_OK) {
        sx_fversion_clear(out);
        goto out;
    }
    if (created)
        *created = 1;
out:
    if (in_tx)
        sx_store_rollback(st);
    free(normalized);
    return rc;
}

/* ---- fits ---- */

void sx_ffit_record_clear(struct sx_ffit_record *r)
{
    if (!r)
        return;
    free(r->set_name);
    free(r->dataset_id);
    free(r->dataset_name);
    free(r->source_path);
    free(r->params_json);
    free(r->author);
    free(r->created_at);
    memset(r, 0, sizeof *r);
}

void sx_ffit_record_list_free(struct sx_ffit_record *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        sx_ffit_record_clear(&list[i]);
    free(list);
}

#define FIT_SELECT \
    "SELECT f.id, f.version_id, v.set_name, v.version, f.dataset_id, d.name, d.version, " \
    "f.source_path, f.content_hash, f.rows, f.params_json, f.author, f.created_at " \
    "FROM feature_fits f JOIN feature_versions v ON v.id = f.version_id " \
    "LEFT JOIN datasets d ON d.id = f.dataset_id "

static enum sx_status read_fit(struct sx_store *st, sqlite3_stmt *s, struct sx_ffit_record *r,
                               struct sx_err *err)
{
    memset(r, 0, sizeof *r);
    if (sx_store_col_fixed(s, 0, r->id, sizeof r->id) != SX_OK ||
        sx_store_col_fixed(s, 1, r->version_id, sizeof r->version_id) != SX_OK ||
        sx_store_col_fixed(s, 8, r->data_hash, sizeof r->data_hash) != SX_OK)
        return sx_err_set(err, SX_ESTORE, "%s: a feature fit has a malformed id or hash",
                          sx_store_path(st));
    r->set_version = sqlite3_column_int(s, 3);
    r->dataset_version = sqlite3_column_int(s, 6);
    r->rows = (uint64_t)sqlite3_column_int64(s, 9);
    r->set_name = sx_store_col_dup(s, 2);
    r->dataset_id = sx_store_col_dup(s, 4);
    r->dataset_name = sx_store_col_dup(s, 5);
    r->source_path = sx_store_col_dup(s, 7);
    r->params_json = sx_store_col_dup(s, 10);
    r->author = sx_store_col_dup(s, 11);
    r->created_at = sx_store_col_dup(s, 12);
    if (!r->set_name || !r->dataset_id || !r->dataset_name || !r->source_path ||
        !r->params_json || !r->author || !r->created_at) {
        sx_ffit_record_clear(r);
        return sx_err_set(err, SX_ENOMEM, "out of memory reading a feature fit");
    }
    return SX_OK;
}

/* Every fit S selects into a new array. */
static enum sx_status collect_fits(struct sx_store *st, sqlite3_stmt *s,
                                   struct sx_ffit_record **out, size_t *n, struct sx_err *err)
{
    struct sx_ffit_record *list = NULL;
    size_t len = 0, cap = 0;
    enum sx_status rc = SX_OK;
    int step;

    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)&list, &cap, len, sizeof *list)) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory listing feature fits");
            break;
        }
        if ((rc = read_fit(st, s, &list[len], err)) != SX_OK)
            break;
        len++;
    }
    if (rc == SX_OK && step != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "list feature fits");
    if (rc != SX_OK) {
        sx_ffit_record_list_free(list, len);
        return rc;
    }
    *out = list;
    *n = len;
    return SX_OK;
}

enum sx_status sx_featstore_fits(struct sx_store *st, const char *version_id,
                                 struct sx_ffit_record **out, size_t *n, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc;

    *out = NULL;
    *n = 0;
    rc = sx_store_prep(st, FIT_SELECT "WHERE f.version_id = ?1 ORDER BY f.created_at, f.rowid", &s,
                       err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, version_id, err)) == SX_OK)
        rc = collect_fits(st, s, out, n, err);
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_featstore_fit_get(struct sx_store *st, const char *id,
                                    struct sx_ffit_record *out, struct sx_err *err)
{
    char key[SX_UUID_LEN], show[80];
    struct sx_ffit_record *found = NULL;
    sqlite3_stmt *s = NULL;
    size_t n = 0, len = id ? strlen(id) : 0;
    enum sx_status rc;

    memset(out, 0, sizeof *out);
    if (len < SX_FFIT_PREFIX_MIN)
        return sx_err_set(err, SX_EINVAL, "fit id \"%s\": give the id or at least its "
                          "first %d characters", id ? sx_store_shown(id, show, sizeof show) : "",
                          SX_FFIT_PREFIX_MIN);
    if (len >= sizeof key)
        return sx_err_set(err, SX_ENOTFOUND, "no feature fit with id %s",
                          sx_store_shown(id, show, sizeof show));
    for (size_t i = 0; i <= len; i++) {
        char ch = (char)tolower((unsigned char)id[i]);
        if (ch && !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || ch == '-'))
            return sx_err_set(err, SX_EINVAL, "fit id \"%s\": not a UUID (hex digits and "
                              "dashes)", sx_store_shown(id, show, sizeof show));
        key[i] = ch;
    }
    rc = sx_store_prep(st, FIT_SELECT "WHERE substr(f.id, 1, ?2) = ?1 ORDER BY f.id LIMIT 2",
                       &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, key, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 2, (int64_t)len, err)) == SX_OK)
        rc = collect_fits(st, s, &found, &n, err);
    sqlite3_finalize(s);
    if (rc != SX_OK)
        return rc;
    if (n == 0)
        rc = sx_err_set(err, SX_ENOTFOUND, "no feature fit with id %s%s", key,
                        len < SX_UUID_LEN - 1 ? "…" : "");
    else if (n > 1)
        rc = sx_err_set(err, SX_EINVAL, "fit id prefix %s matches several fits: give more "
                        "of it", key);
    else {
        *out = found[0];
        memset(&found[0], 0, sizeof found[0]);
    }
    sx_ffit_record_list_free(found, n);
    return rc;
}

/* SX_OK when a row with id ID exists in TABLE's query SQL. */
static enum sx_status exists(struct sx_store *st, const char *sql, const char *id, int *yes,
                             struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, sql, &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK) {
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW || step == SQLITE_DONE)
            *yes = step == SQLITE_ROW;
        else
            rc = sx_store_db_err(st, err, "look up a record");
    }
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_featstore_fit_put(struct sx_store *st, const struct sx_ffit_new *in,
                                    struct sx_ffit_record *out, struct sx_err *err)
{
    const char *dataset_id = NULL, *path, *hash;
    char id[SX_UUID_LEN], author[256], now[48], show[80];
    sqlite3_stmt *s = NULL;
    struct sx_err local;
    enum sx_status rc;
    int in_tx = 0, yes = 0;

    if (!err)
        err = &local;
    memset(out, 0, sizeof *out);
    if (!in || !in->version_id || !in->params_json)
        return sx_err_set(err, SX_EINVAL, "feature fit: no version or parameters given");
    if (in->dataset) {
        dataset_id = in->dataset->id;
        path = in->dataset->source_path ? in->dataset->source_path : "";
        hash = in->dataset->hash;
    } else {
        path = in->source_path;
        hash = in->data_hash;
    }
    if (!path)
        return sx_err_set(err, SX_EINVAL, "feature fit: no data set or file given");
    if (!sx_store_is_hash(hash))
        return sx_err_set(err, SX_EINVAL, "feature fit: the data's content hash must be 64 "
                          "lowercase hex digits");
    {
        json_t *j = json_loads(in->params_json, 0, NULL);
        int ok = j && json_is_object(j);
        json_decref(j);
        if (!ok)
            return sx_err_set(err, SX_EINVAL, "feature fit: the parameters are not a JSON "
                              "object");
    }
    if (in->rows > (uint64_t)INT64_MAX)
        return sx_err_set(err, SX_EINVAL, "feature fit: row count out of range");

    sx_uuid(id);
    sx_store_author(author, sizeof author);
    sx_store_now(now, sizeof now);
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    in_tx = 1;
    if ((rc = exists(st, "SELECT 1 FROM feature_versions WHERE id = ?1", in->version_id, &yes,
                     err)) != SX_OK)
        goto out;
    if (!yes) {
        rc = sx_err_set(err, SX_ENOTFOUND, "no feature set version with id %s",
                        sx_store_shown(in->version_id, show, sizeof show));
        goto out;
    }
    if (dataset_id) {
        if ((rc = exists(st, "SELECT 1 FROM datasets WHERE id = ?1", dataset_id, &yes,
                         err)) != SX_OK)
            goto out;
        if (!yes) {
            rc = sx_err_set(err, SX_ENOTFOUND, "no data set with id %s",
                            sx_store_shown(dataset_id, show, sizeof show));
            goto out;
        }
    }
    rc = sx_store_prep(st, "INSERT INTO feature_fits (id, version_id, dataset_id, source_path, "
                       "content_hash, rows, params_json, author, created_at) VALUES "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 2, in->version_id, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 3, dataset_id, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 4, path, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 5, hash, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 6, (int64_t)in->rows, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 7, in->params_json, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 8, author, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 9, now, err)) == SX_OK)
        rc = sx_store_step_done(st, s, "record the feature fit", err);
    sqlite3_finalize(s);
    if (rc != SX_OK)
        goto out;
    if ((rc = sx_featstore_fit_get(st, id, out, err)) != SX_OK) {
        if (rc == SX_ENOTFOUND)
            rc = sx_err_set(err, SX_ESTORE, "%s: the new feature fit vanished",
                            sx_store_path(st));
        goto out;
    }
    in_tx = 0;
    if ((rc = sx_store_commit(st, err)) != SX_OK)
        sx_ffit_record_clear(out);
out:
    if (in_tx)
        sx_store_rollback(st);
    return rc;
}

enum sx_status sx_featstore_fit_load(struct sx_store *st, const struct sx_ffit_record *rec,
                                     struct sx_fspec **spec, struct sx_ffit **fit,
                                     struct sx_err *err)
{
    struct sx_fversion v;
    struct sx_err inner = {0};
    json_t *params = NULL;
    json_error_t jerr;
    enum sx_status rc;

    *spec = NULL;
    *fit = NULL;
    if ((rc = sx_featstore_get_by_id(st, rec->version_id, &v, err)) != SX_OK)
        return rc;
    if (!(*spec = sx_fspec_parse(v.spec_text, &inner, NULL, NULL))) {
        rc = sx_err_set(err, inner.code == SX_ENOMEM ? SX_ENOMEM : SX_ESTORE,
                        "%s: feature set %s@v%d no longer parses: %s", sx_store_path(st),
                        v.name, v.version, inner.msg);
        goto out;
    }
    if (!(params = json_loads(rec->params_json, 0, &jerr))) {
        rc = sx_err_set(err, SX_ESTORE, "%s: fit %s: the stored parameters are not JSON: %s",
                        sx_store_path(st), rec->id, jerr.text);
        goto out;
    }
    if (!(*fit = sx_ffit_from_json(*spec, params, &inner))) {
        rc = sx_err_set(err, inner.code != SX_OK ? inner.code : SX_ESTORE,
                        "fit %s: %s", rec->id, inner.msg);
        goto out;
    }
out:
    if (rc != SX_OK) {
        sx_fspec_free(*spec);
        *spec = NULL;
    }
    json_decref(params);
    sx_fversion_clear(&v);
    return rc;
}
