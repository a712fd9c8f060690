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
 * *SIZE (may be NULL). */
enum sx_status sx_hash_file(const char *path, char hex[SX_HASH_HEX],
                            uint64_t *size, struct sx_err *err);
/* BLAKE2b-256 of DATA[0..LEN) as hex. */
void sx_hash_bytes(const void *data, size_t len, char hex[SX_HASH_HEX]);
/* A random version-4 UUID, lowercase, with dashes. */
void sx_uuid(char out[SX_UUID_LEN]);
/* Must be called once before the two above (initialises libsodium);
 * returns SX_OK or SX_EIO. Safe to call more than once. */
enum sx_status sx_hash_init(struct sx_err *err);

#endif
