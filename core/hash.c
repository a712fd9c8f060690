/* core/hash.c: content hashes and object identifiers for the store.
 *
 * Hashes are BLAKE2b with a 32-byte digest (libsodium's crypto_generichash),
 * printed as 64 lowercase hex digits; files are streamed through a 1 MiB
 * buffer so their size does not matter, with an optional progress callback
 * that can cancel a long hash. UUIDs are random version-4 UUIDs
 * from libsodium's randombytes_buf(). libsodium is initialised once,
 * whichever thread gets there first (pthread_once). */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define HASH_BYTES 32
#define READ_BUF   (1u << 20)

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status = -1;

static void sodium_setup(void)
{
    sodium_status = sodium_init();   /* 0 done, 1 already done, -1 failed */
}

enum sx_status sx_hash_init(struct sx_err *err)
{
    pthread_once(&sodium_once, sodium_setup);
    if (sodium_status < 0)
        return sx_err_set(err, SX_EIO, "libsodium failed to initialise");
    return SX_OK;
}

static void to_hex(const unsigned char *bin, char hex[SX_HASH_HEX])
{
    sodium_bin2hex(hex, SX_HASH_HEX, bin, HASH_BYTES);
}

enum sx_status sx_hash_fd(int fd, const char *path, char hex[SX_HASH_HEX], uint64_t *size,
                          sx_hash_progress_fn progress, void *ctx, struct sx_err *err)
{
    enum sx_status rc = sx_hash_init(err);
    crypto_generichash_state st;
    unsigned char digest[HASH_BYTES];
    unsigned char *buf = NULL;
    uint64_t total = 0;

    if (rc != SX_OK)
        return rc;
    if (!(buf = malloc(READ_BUF)))
        return sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
    crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
    for (;;) {
        if (progress && progress(ctx, total) != 0) {
            rc = sx_err_set(err, SX_ECANCEL, "%s: cancelled", path);
            goto out;
        }
        ssize_t got = read(fd, buf, READ_BUF);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        crypto_generichash_update(&st, buf, (unsigned long long)got);
        total += (uint64_t)got;
    }
    crypto_generichash_final(&st, digest, HASH_BYTES);
    to_hex(digest, hex);
    if (size)
        *size = total;
out:
    free(buf);
    return rc;
}

enum sx_status sx_hash_file_progress(const char *path, char hex[SX_HASH_HEX], uint64_t *size,
                                     sx_hash_progress_fn progress, void *ctx,
                                     struct sx_err *err)
{
    enum sx_status rc = sx_hash_init(err);
    struct stat sb;
    int fd;

    if (rc != SX_OK)
        return rc;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sx_err_set(err, errno == ENOENT ? SX_ENOTFOUND : SX_EIO,
                          "%s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0)
        rc = sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        rc = sx_err_set(err, SX_EINVAL, "%s: is a directory", path);
    else
        rc = sx_hash_fd(fd, path, hex, size, progress, ctx, err);
    close(fd);
    return rc;
}

enum sx_status sx_hash_file(const char *path, char hex[SX_HASH_HEX],
                            uint64_t *size, struct sx_err *err)
{
    return sx_hash_file_progress(path, hex, size, NULL, NULL, err);
}

void sx_hash_bytes(const void *data, size_t len, char hex[SX_HASH_HEX])
{
    unsigned char digest[HASH_BYTES];

    sx_hash_init(NULL);
    crypto_generichash(digest, HASH_BYTES, data, (unsigned long long)len, NULL, 0);
    to_hex(digest, hex);
}

void sx_uuid(char out[SX_UUID_LEN])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char b[16];
    size_t o = 0;

    sx_hash_init(NULL);
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* variant 10xx (RFC 4122) */
    for (size_t i = 0; i < sizeof b; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = digits[b[i] >> 4];
        out[o++] = digits[b[i] & 15];
    }
    out[o] = '\0';
}
