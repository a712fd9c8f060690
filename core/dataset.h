/* core/dataset.h: getting a data set's rows, for the workbench and the
 * command line alike: reloading a stored data set from its source file
 * (after checking the file still has the content hash recorded at import)
 * with the load options it was imported with, and importing a CSV file as
 * a new data set version (hash first; identical content is the existing
 * version; else load, profile and record it in one store transaction).
 *
 * The load options travel with a data set as JSON in its options_json:
 *   {"delimiter":",","na":["",…]|null,"types":{"COL":"TYPE",…}}
 * No terminal, no printing, no exiting: errors come back in struct sx_err.
 * Cancelling: each function takes an sx_csv_progress_fn; it is called now
 * and then (from the calling thread or the loader's) and a non-zero return
 * cancels the work with SX_ECANCEL. */
#ifndef SX_DATASET_H
#define SX_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "err.h"
#include "frame.h"
#include "store.h"

/* How a CSV file is read: what `sextant import` takes as --delimiter,
 * --na and --type, and what a data set keeps to be reloaded identically.
 * Zeroed (or sx_load_opts_init) = detect the delimiter, pandas' missing
 * tokens, infer every type. Everything pointed to is owned. */
struct sx_load_opts {
    char delimiter;                  /* 0 = detect */
    char **na;                       /* missing-value tokens; NULL = pandas' defaults */
    size_t nna;                      /* tokens in NA (0 with NA != NULL: none) */
    struct sx_csv_coltype *types;    /* explicit types (names owned) */
    size_t ntypes;
};

void sx_load_opts_init(struct sx_load_opts *o);
/* Free what O holds and zero it. */
void sx_load_opts_free(struct sx_load_opts *o);
/* Give column NAME the type TYPE (replacing a type given before). */
enum sx_status sx_load_opts_set_type(struct sx_load_opts *o, const char *name,
                                     enum sx_type type, struct sx_err *err);
/* Add a missing-value token (the first one replaces pandas' defaults). */
enum sx_status sx_load_opts_add_na(struct sx_load_opts *o, const char *token,
                                   struct sx_err *err);
/* A deep copy of SRC into DST (DST's old contents are not freed). On error
 * DST is zeroed. */
enum sx_status sx_load_opts_copy(struct sx_load_opts *dst, const struct sx_load_opts *src,
                                 struct sx_err *err);
/* The JSON form above, with DELIM the delimiter actually used. New string
 * (free()); NULL when out of memory. */
char *sx_load_opts_json(const struct sx_load_opts *o, char delim);
/* Parse the JSON form (NULL JSON: "{}") into O (overwritten). A bad type
 * name is SX_EPARSE; on error O is zeroed. */
enum sx_status sx_load_opts_parse(const char *json, struct sx_load_opts *o,
                                  struct sx_err *err);
/* Point CO's delimiter, na and types at O's (borrowed: O must outlive the
 * load). CO's other fields are left as they are. */
void sx_load_opts_apply(const struct sx_load_opts *o, struct sx_csv_opts *co);

/* Data set REF ("NAME" or "NAME@VERSION"; no version: the latest) from the
 * store. SX_ENOTFOUND when there is none; release OUT with
 * sx_dataset_clear(). On error OUT is zeroed. */
enum sx_status sx_dataset_find(struct sx_store *st, const char *ref, struct sx_dataset *out,
                               struct sx_err *err);

/* How sx_dataset_load reads a data set's source. Zeroed = the stored
 * options, every row, hash verified, all CPUs, no progress. */
struct sx_dataset_load_opts {
    const struct sx_csv_coltype *types;   /* types overriding the stored ones */
    size_t ntypes;
    size_t max_rows;          /* stop after this many rows (0 = all) */
    int skip_hash;            /* do not verify the content hash: only for a
                                 quick look at the first rows while a verified
                                 load runs */
    int threads;              /* 0 = every CPU */
    sx_csv_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
};

/* Reload the rows of data set DS from its source file. Unless SKIP_HASH,
 * the file is hashed first and must have DS's hash: a missing file is
 * SX_ENOTFOUND ("NAME@V: its source file PATH is gone …"), changed content
 * SX_EINVAL ("… has changed since it was imported …"). Progress while
 * hashing and loading is reported as one pass over twice the file's size
 * (hashing the first half, rows 0), or over the file alone with SKIP_HASH.
 * Returns a new frame (sx_frame_free()) or NULL with ERR. */
struct sx_frame *sx_dataset_load(const struct sx_dataset *ds,
                                 const struct sx_dataset_load_opts *opts, struct sx_err *err);

/* The data set name a file gets by default: its name without directory and
 * last extension ("data/energy.csv" → "energy"). New string; NULL when out
 * of memory. */
char *sx_dataset_default_name(const char *path);

/* Import the CSV file PATH as data set NAME (NULL: sx_dataset_default_name)
 * read with LOAD (NULL: defaults), as `sextant import` does:
 *  1. open the file as the loader does (sx_csv_open: a missing file or a
 *     directory fails with its "PATH:1:1: …") and hash it (BLAKE2b); then
 *     check the name: one sx_dataset_name_check rejects is SX_EINVAL
 *     "PATH: WHAT", WHAT being that check's message; when the latest
 *     version of NAME has that hash, nothing is written: OUT is that
 *     version and *CREATED 0;
 *  2. else load it (all CPUs), check it did not change meanwhile (size,
 *     inode, mtime), profile it, and record it with sx_store_dataset_put
 *     as version N+1 (*CREATED 1), its absolute path and the load options'
 *     JSON with the delimiter used.
 * PROGRESS (may be NULL) is called while hashing and loading (one pass
 * over twice the file's size, as sx_dataset_load) and polled while
 * profiling and writing; non-zero cancels: SX_ECANCEL and the store is
 * unchanged. On error nothing is written and OUT is zeroed; release OUT
 * with sx_dataset_clear(). */
enum sx_status sx_dataset_import(struct sx_store *st, const char *path, const char *name,
                                 const struct sx_load_opts *load,
                                 sx_csv_progress_fn progress, void *progress_ctx,
                                 struct sx_dataset *out, int *created, struct sx_err *err);

#endif
