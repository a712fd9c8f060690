/* core/store_int.h: statement and row helpers shared by the store's own
 * files (core/store.c, core/featstore.c and any later core/ file that keeps
 * objects in the store).
 *
 * Internal to core/: cli/ and tui/ use core/store.h and the per-object
 * headers instead. Defined in core/store.c. Every failure fills ERR with
 * "STORE-PATH: WHAT: sqlite's message" (or a busy message) and returns
 * SX_ESTORE; none of these print or exit. */
#ifndef SX_STORE_INT_H
#define SX_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"

/* Fill ERR from the last SQLite error on ST's connection, WHAT saying what
 * was being done; returns SX_ESTORE. */
enum sx_status sx_store_db_err(const struct sx_store *st, struct sx_err *err,
                               const char *what);

/* Prepare SQL (one statement) on ST into *S; on failure *S is NULL. The
 * caller finalizes *S (sqlite3_finalize(NULL) is a no-op). */
enum sx_status sx_store_prep(struct sx_store *st, const char *sql, sqlite3_stmt **s,
                             struct sx_err *err);

/* Bind text V (NULL binds SQL NULL) to parameter I of S; V is not copied
 * and must outlive the statement's next step. */
enum sx_status sx_store_bind_text(struct sx_store *st, sqlite3_stmt *s, int i,
                                  const char *v, struct sx_err *err);

/* Bind the integer V to parameter I of S. */
enum sx_status sx_store_bind_int(struct sx_store *st, sqlite3_stmt *s, int i, int64_t v,
                                 struct sx_err *err);

/* Step a statement that writes; SX_OK when it is done, else ERR says WHAT
 * failed. */
enum sx_status sx_store_step_done(struct sx_store *st, sqlite3_stmt *s, const char *what,
                                  struct sx_err *err);

/* A new copy of text column I of S's current row ("" for SQL NULL) that the
 * caller frees; NULL when out of memory. */
char *sx_store_col_dup(sqlite3_stmt *s, int i);

/* Copy text column I of S's current row into OUT (SIZE bytes). SX_ESTORE,
 * with no ERR to fill, when the column is NULL or does not fit. */
enum sx_status sx_store_col_fixed(sqlite3_stmt *s, int i, char *out, size_t size);

/* 1 when H is a hash as the store keeps it (SX_HASH_HEX - 1 lowercase hex
 * digits), else 0; NULL is not a hash. */
int sx_store_is_hash(const char *h);

/* Make room in *LIST (a pointer to an array of SIZE-byte elements, *CAP of
 * them allocated) for element LEN, doubling (from 8) when full. 1 on
 * success, 0 when out of memory (*LIST and *CAP unchanged). */
int sx_store_grow(void *list, size_t *cap, size_t len, size_t size);

/* A copy of S for messages in BUF (SIZE bytes): at most 64 bytes, control
 * bytes as '?', NULL as "". Returns BUF. */
const char *sx_store_shown(const char *s, char *buf, size_t size);

/* Length of the UTF-8 sequence at S (N bytes left, N > 0) with its code
 * point in *CP, or 0 when malformed (overlong, surrogate, beyond U+10FFFF,
 * cut). */
size_t sx_store_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

#endif
