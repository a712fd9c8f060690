/* core/hash.h: content hashes (BLAKE2b-256 through libsodium) and random
 * UUIDs for store objects. */
#ifndef SX_HASH_H
#define SX_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SX_HASH_HEX 65        /* 64 hex digits + NUL */
#define SX_UUID_LEN 37        /* 36 characters + NUL */

/* BLAKE2b-256 of the file at PATH as lowercase hex into HEX; its size in
 * *SIZE (may be NULL). A missing file is SX_ENOTFOUND, a directory
 * SX_EINVAL ("PATH: is a directory"). */
enum sx_status sx_hash_file(const char *path, char hex[SX_HASH_HEX],
                            uint64_t *size, struct sx_err *err);

/* Called before each read of a file being hashed, with the bytes hashed so
 * far; a non-zero return stops the hash with SX_ECANCEL ("PATH: cancelled"). */
typedef int (*sx_hash_progress_fn)(void *ctx, uint64_t done);

/* sx_hash_file, calling PROGRESS (may be NULL) with CTX as it goes. */
enum sx_status sx_hash_file_progress(const char *path, char hex[SX_HASH_HEX], uint64_t *size,
                                     sx_hash_progress_fn progress, void *ctx,
                                     struct sx_err *err);

/* The hash of what is left to read of the open file FD (read to its end;
 * FD stays open), as sx_hash_file_progress; PATH names it in messages. */
enum sx_status sx_hash_fd(int fd, const char *path, char hex[SX_HASH_HEX], uint64_t *size,
                          sx_hash_progress_fn progress, void *ctx, struct sx_err *err);
/* BLAKE2b-256 of DATA[0..LEN) as hex. */
void sx_hash_bytes(const void *data, size_t len, char hex[SX_HASH_HEX]);
/* A random version-4 UUID, lowercase, with dashes. */
void sx_uuid(char out[SX_UUID_LEN]);
/* Must be called once before the two above (initialises libsodium);
 * returns SX_OK or SX_EIO. Safe to call more than once. */
enum sx_status sx_hash_init(struct sx_err *err);

#endif
