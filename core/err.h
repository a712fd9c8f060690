/* core/err.h: status codes and the error record every core function fills.
 *
 * Codes and messages live in one X-macro table so no code exists without
 * its text. A function that fails returns a non-zero enum sx_status and
 * writes a one-line message ("file:line:col: what") into the caller's
 * struct sx_err. core/ never prints and never exits. */
#ifndef SX_ERR_H
#define SX_ERR_H

#include <stddef.h>

#define SX_STATUS_TABLE(X)                          \
    X(OK,        "ok")                              \
    X(ENOMEM,    "out of memory")                   \
    X(EIO,       "I/O error")                       \
    X(EPARSE,    "malformed input")                 \
    X(ETYPE,     "value does not fit the type")     \
    X(EINVAL,    "invalid argument")                \
    X(ENOTFOUND, "not found")                       \
    X(EEXIST,    "already exists")                  \
    X(ESTORE,    "store error")                     \
    X(ECANCEL,   "cancelled")                       \
    X(ELIMIT,    "limit exceeded")

enum sx_status {
#define X(name, msg) SX_##name,
    SX_STATUS_TABLE(X)
#undef X
    SX_STATUS_COUNT
};

struct sx_err {
    enum sx_status code;
    char msg[512];
};

/* Set ERR (may be NULL) to CODE with a printf-style message; returns CODE so
 * callers can write `return sx_err_set(err, SX_EIO, "%s: %s", ...)`. */
enum sx_status sx_err_set(struct sx_err *err, enum sx_status code,
                          const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear ERR to SX_OK with an empty message. */
void sx_err_clear(struct sx_err *err);

/* The fixed text of CODE ("out of memory"). Never NULL. */
const char *sx_status_str(enum sx_status code);

#endif
