/* core/strbuf.h: a growing NUL-terminated string, for the text core builds
 * (gnuplot scripts, SQL exports). Running out of memory sticks: later
 * appends do nothing and sx_sb_take() returns NULL, so a builder checks
 * once at the end. A zeroed struct is an empty buffer. */
#ifndef SX_STRBUF_H
#define SX_STRBUF_H

#include <stddef.h>

struct sx_sb {
    char *s;                  /* NUL-terminated once anything was added */
    size_t len, cap;
    int oom;
};

/* Append N bytes of S / the string S / printf-style text. */
void sx_sb_put(struct sx_sb *b, const char *s, size_t n);
void sx_sb_puts(struct sx_sb *b, const char *s);
void sx_sb_printf(struct sx_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The built string, handed to the caller (free()), and B emptied; "" when
 * nothing was added; NULL (and B's memory freed) when out of memory. */
char *sx_sb_take(struct sx_sb *b);

#endif
