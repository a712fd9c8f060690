/* core/featstore.h: feature sets, their versions and their fits in the
 * store (schema version 2; see core/store.c).
 *
 * A feature set is a name; each version of it is a spec (core/features.h)
 * identified by the BLAKE2b hash of its normalised text: adding a spec whose
 * normalised hash equals that of an existing version of the same name
 * answers that version and writes nothing, anything else becomes version
 * N+1. A fit is one version fitted on one data set version (or on a plain
 * CSV file): the fitted parameters (sx_ffit_json), the content hash of the
 * data, the number of rows, who and when. Nothing is updated in place or
 * deleted; every write is one transaction; all SQL is prepared with bound
 * values.
 *
 * Records are filled into caller-provided structs: OUT is overwritten (its
 * old contents are not freed) and released with the matching _clear(); on
 * error it is zeroed. No I/O beyond the store, no printing. */
#ifndef SX_FEATSTORE_H
#define SX_FEATSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "features.h"
#include "hash.h"
#include "store.h"

/* Feature set names: 1 to SX_FSET_NAME_MAX bytes of ASCII letters, digits,
 * '_', '-' and '.', starting with a letter, a digit or '_'. */
#define SX_FSET_NAME_MAX 128

/* One version of a feature set. */
struct sx_fversion {
    char id[SX_UUID_LEN];
    char *name;               /* the feature set */
    int version;              /* 1, 2, … */
    char *spec_text;          /* the spec as it was written */
    char *normalized;         /* sx_fspec_normalize() of it */
    char hash[SX_HASH_HEX];   /* sx_fspec_hash(): BLAKE2b-256 of NORMALIZED */
    char *author;
    char *created_at;         /* ISO 8601 UTC */
};
void sx_fversion_clear(struct sx_fversion *v);
void sx_fversion_list_free(struct sx_fversion *list, size_t n);

/* A feature set in a listing: its latest version and counts. */
struct sx_fset {
    char *name;
    int nversions;            /* versions 1..NVERSIONS */
    int nfits;                /* fits of all its versions */
    char *created_at;         /* when version 1 was added */
    struct sx_fversion latest;
};
void sx_fset_list_free(struct sx_fset *list, size_t n);

/* One stored fit. */
struct sx_ffit_record {
    char id[SX_UUID_LEN];
    char version_id[SX_UUID_LEN];
    char *set_name;           /* the feature set and version it fits */
    int set_version;
    char *dataset_id;         /* the data set version fitted on; "" for a plain CSV */
    char *dataset_name;       /* its name, "" for a plain CSV */
    int dataset_version;      /* its version, 0 for a plain CSV */
    char *source_path;        /* the file fitted on (the data set's source, or the CSV) */
    char data_hash[SX_HASH_HEX];   /* BLAKE2b-256 of that file's bytes */
    uint64_t rows;            /* rows of the data fitted on (before filters) */
    char *params_json;        /* sx_ffit_json() as compact JSON text */
    char *author;
    char *created_at;
};
void sx_ffit_record_clear(struct sx_ffit_record *r);
void sx_ffit_record_list_free(struct sx_ffit_record *list, size_t n);

/* What a new fit records. Either DATASET (the data set version fitted on:
 * its id, name, version, source path and hash are taken from it) or
 * SOURCE_PATH and DATA_HASH (a plain CSV file) must be given. */
struct sx_ffit_new {
    const char *version_id;               /* the feature set version */
    const struct sx_dataset *dataset;     /* or NULL */
    const char *source_path;              /* with DATASET NULL: the CSV file */
    const char *data_hash;                /* with DATASET NULL: its BLAKE2b-256 hex */
    uint64_t rows;
    const char *params_json;              /* must be a JSON object */
};

/* SX_EINVAL with a message unless NAME follows the rules above. */
enum sx_status sx_fset_name_check(const char *name, struct sx_err *err);

/* Parse "NAME", "NAME@vN" or "NAME@N" into NAME (copied into BUF) and the
 * version (0 when absent: the latest). SX_EINVAL when malformed. */
enum sx_status sx_fset_ref_parse(const char *ref, char *buf, size_t size, int *version,
                                 struct sx_err *err);

/* Record SPEC (parsed from SPEC_TEXT) as a version of feature set NAME, in
 * one transaction, creating the set if it is new. When a version of NAME
 * has the same normalised hash, nothing is written: OUT is that version and
 * *CREATED (may be NULL) 0; else OUT is the new version N+1 and *CREATED 1.
 * Read-only stores are SX_EINVAL. */
enum sx_status sx_featstore_add(struct sx_store *st, const char *name, const char *spec_text,
                                const struct sx_fspec *spec, struct sx_fversion *out,
                                int *created, struct sx_err *err);

/* Every feature set, by name. *OUT is a new array (sx_fset_list_free()). */
enum sx_status sx_featstore_list(struct sx_store *st, struct sx_fset **out, size_t *n,
                                 struct sx_err *err);

/* Version VERSION (0 = the latest) of NAME. SX_ENOTFOUND when absent. */
enum sx_status sx_featstore_get_version(struct sx_store *st, const char *name, int version,
                                        struct sx_fversion *out, struct sx_err *err);
/* The version REF names ("NAME", "NAME@vN", "NAME@N"): sx_fset_ref_parse
 * then sx_featstore_get_version. */
enum sx_status sx_featstore_get(struct sx_store *st, const char *ref, struct sx_fversion *out,
                                struct sx_err *err);
/* The version with id ID. SX_ENOTFOUND when absent. */
enum sx_status sx_featstore_get_by_id(struct sx_store *st, const char *id,
                                      struct sx_fversion *out, struct sx_err *err);

/* Every version of NAME, oldest first (none: SX_ENOTFOUND). *OUT is a new
 * array (sx_fversion_list_free()). */
enum sx_status sx_featstore_versions(struct sx_store *st, const char *name,
                                     struct sx_fversion **out, size_t *n, struct sx_err *err);

/* Record fit IN in one transaction; OUT receives the stored record. The
 * version must exist (SX_ENOTFOUND), and so must IN->dataset. */
enum sx_status sx_featstore_fit_put(struct sx_store *st, const struct sx_ffit_new *in,
                                    struct sx_ffit_record *out, struct sx_err *err);

/* The fit whose id is ID, or starts with ID when ID is a prefix of at least
 * SX_FFIT_PREFIX_MIN characters (case-insensitive). SX_ENOTFOUND when none;
 * SX_EINVAL when the prefix is too short or matches several fits. */
#define SX_FFIT_PREFIX_MIN 8
enum sx_status sx_featstore_fit_get(struct sx_store *st, const char *id,
                                    struct sx_ffit_record *out, struct sx_err *err);

/* The fits of version VERSION_ID, oldest first (possibly none). *OUT is a
 * new array (sx_ffit_record_list_free()); NULL when *N is 0. */
enum sx_status sx_featstore_fits(struct sx_store *st, const char *version_id,
                                 struct sx_ffit_record **out, size_t *n, struct sx_err *err);

/* Rebuild stored fit REC: parse its version's spec and read its parameters
 * (sx_ffit_from_json). *SPEC (sx_fspec_free()) and *FIT (sx_ffit_free(),
 * freed before SPEC) are new; on error both are NULL. */
enum sx_status sx_featstore_fit_load(struct sx_store *st, const struct sx_ffit_record *rec,
                                     struct sx_fspec **spec, struct sx_ffit **fit,
                                     struct sx_err *err);

#endif
