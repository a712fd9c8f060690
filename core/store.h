/* core/store.h: the project store, one SQLite database (.sextant/store.db).
 *
 * Found from the working directory upward like git, or named by --store PATH
 * or SEXTANT_STORE. Opened in WAL mode with a busy timeout and foreign keys;
 * PRAGMA user_version holds the schema version and forward migrations run
 * on open. Every write is one transaction: a failure or a kill leaves the
 * store as it was. Objects are identified by UUIDs. All SQL goes through
 * prepared statements with bound values. */
#ifndef SX_STORE_H
#define SX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "err.h"
#include "frame.h"
#include "hash.h"
#include "profile.h"

#define SX_STORE_DIR  ".sextant"
#define SX_STORE_FILE "store.db"
/* Rows kept per data set as the reference sample for drift checks. */
#define SX_STORE_SAMPLE_ROWS 10000

struct sx_store;

enum { SX_STORE_READONLY = 1 };

/* Resolve the store's database path into OUT (SIZE bytes). EXPLICIT (from
 * --store; may be NULL) wins, then $SEXTANT_STORE, then the first
 * .sextant/store.db found from the working directory upward. An explicit
 * path may name the database file, a .sextant directory or a project
 * directory holding one. SX_ENOTFOUND when there is none. */
enum sx_status sx_store_locate(const char *explicit_path, char *out, size_t size,
                               struct sx_err *err);

/* Create DIR/.sextant/store.db (DIR NULL = the working directory) with the
 * current schema; OUT receives its path. SX_EEXIST if it already exists. */
enum sx_status sx_store_init(const char *dir, char *out, size_t size,
                             struct sx_err *err);

/* Open the database at PATH (which must exist) and migrate it forward
 * (unless read-only). Returns NULL with ERR on failure. */
struct sx_store *sx_store_open(const char *path, int flags, struct sx_err *err);
void sx_store_close(struct sx_store *st);
/* The connection, for other core modules' own statements. */
sqlite3 *sx_store_db(struct sx_store *st);
const char *sx_store_path(const struct sx_store *st);
/* The schema version (PRAGMA user_version) this build migrates to. */
int sx_store_schema_version(void);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. They nest: inside an
 * open transaction, begin makes a SAVEPOINT that commit releases and
 * rollback undoes, so a caller may wrap several writes (e.g. two data set
 * puts) into one. A failed commit rolls back. Begin on a read-only store
 * is SX_EINVAL. */
enum sx_status sx_store_begin(struct sx_store *st, struct sx_err *err);
enum sx_status sx_store_commit(struct sx_store *st, struct sx_err *err);
void sx_store_rollback(struct sx_store *st);

/* The OS user (getpwuid, else $USER, else "unknown"), and the time now as
 * ISO 8601 UTC with milliseconds, for author and timestamp fields. */
void sx_store_author(char *out, size_t size);
void sx_store_now(char *out, size_t size);

/* ---- data sets ---- */

struct sx_dataset {
    char id[SX_UUID_LEN];
    char *name;
    int version;
    char *source_path;        /* absolute path at import */
    char hash[SX_HASH_HEX];   /* BLAKE2b-256 of the file's bytes */
    uint64_t size_bytes;
    uint64_t rows;
    uint64_t ncols;
    char *schema_json;        /* [{"name","type","unit"?}…] in column order */
    char *profile_json;       /* sx_profile_json() */
    char *options_json;       /* {"delimiter":",","na":[…]|null} load options */
    char *author;
    char *created_at;
};
void sx_dataset_clear(struct sx_dataset *d);

struct sx_dataset_new {
    const char *name;
    const char *source_path;
    const char *hash;
    uint64_t size_bytes;
    const struct sx_frame *frame;
    const struct sx_profile *profile;
    const char *options_json;
};

/* Record data set IN as a new version of its name, with schema, profile and
 * a reference sample of at most SX_STORE_SAMPLE_ROWS rows, in one
 * transaction. When the latest version of that name has the same content
 * hash, nothing is written and *CREATED is 0. OUT receives the version
 * (new or existing).
 * IN->profile may be NULL (then computed with default options);
 * source_path NULL is stored as "", options_json NULL as "{}". The sample
 * keeps every row of a frame up to the bound, else a uniform sample from a
 * fixed seed (the same frame gives the same rows), in row order, the same
 * rows for every column. On failure nothing is written and OUT is zeroed.
 * For all functions that fill a struct sx_dataset: OUT is overwritten
 * (old contents not freed); release it with sx_dataset_clear(). */
enum sx_status sx_store_dataset_put(struct sx_store *st, const struct sx_dataset_new *in,
                                    struct sx_dataset *out, int *created,
                                    struct sx_err *err);
/* Version VERSION (0 = latest) of NAME. SX_ENOTFOUND when absent. */
enum sx_status sx_store_dataset_get(struct sx_store *st, const char *name, int version,
                                    struct sx_dataset *out, struct sx_err *err);
/* The latest version of NAME with content HASH, SX_ENOTFOUND when none. */
enum sx_status sx_store_dataset_by_hash(struct sx_store *st, const char *name,
                                        const char *hash, struct sx_dataset *out,
                                        struct sx_err *err);
/* Every version of every data set, by name then version. *OUT is a new
 * array the caller frees with sx_dataset_list_free(). */
enum sx_status sx_store_dataset_list(struct sx_store *st, struct sx_dataset **out,
                                     size_t *n, struct sx_err *err);
void sx_dataset_list_free(struct sx_dataset *list, size_t n);
/* The reference sample of data set ID as a frame with the data set's
 * columns and types (categories re-interned). */
struct sx_frame *sx_store_dataset_sample(struct sx_store *st, const char *id,
                                         struct sx_err *err);

/* Data set names: non-empty, at most SX_DATASET_NAME_MAX bytes of valid
 * UTF-8, without control characters (U+0000-U+001F, U+007F-U+009F) and
 * without '@' (which separates NAME@VERSION). SX_EINVAL otherwise; the
 * message does not echo the name. */
#define SX_DATASET_NAME_MAX 200
enum sx_status sx_dataset_name_check(const char *name, struct sx_err *err);

/* Parse "NAME" or "NAME@VERSION" into NAME (copied into BUF) and VERSION
 * (0 when absent). SX_EINVAL on a malformed version. */
enum sx_status sx_dataset_ref_parse(const char *ref, char *buf, size_t size,
                                    int *version, struct sx_err *err);

#endif
