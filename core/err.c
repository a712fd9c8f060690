/* core/err.c: the status table's strings and the sx_err setters. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const status_text[] = {
#define X(name, msg) msg,
    SX_STATUS_TABLE(X)
#undef X
};

enum sx_status sx_err_set(struct sx_err *err, enum sx_status code,
                          const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void sx_err_clear(struct sx_err *err)
{
    if (err) {
        err->code = SX_OK;
        err->msg[0] = '\0';
    }
}

const char *sx_status_str(enum sx_status code)
{
    if ((int)code < 0 || code >= SX_STATUS_COUNT)
        return "unknown error";
    return status_text[code];
}
