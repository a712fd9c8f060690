/* core/num.h: number parsing and formatting shared by the loader, the
 * command line and JSON output. Pure functions, no allocation. */
#ifndef SX_NUM_H
#define SX_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Parse the whole of S[0..LEN) as a decimal number: optional sign, digits
 * with an optional fraction, optional exponent, or inf / infinity (any
 * case). No spaces, no hex, no trailing bytes. The result is correctly
 * rounded (what strtod returns); short decimals take an exact fast path.
 * Returns 1 and sets *OUT on success, 0 otherwise. */
int sx_num_parse_double(const char *s, size_t len, double *out);

/* Parse the whole of S[0..LEN) as a decimal int64 (optional sign, digits).
 * Returns 1 on success, 0 on syntax error or overflow. */
int sx_num_parse_int(const char *s, size_t len, int64_t *out);

/* Shortest "%.{15,16,17}g" form of V that reads back as V; "nan", "inf",
 * "-inf" for non-finite values. BUF needs 32 bytes. Returns the length. */
size_t sx_num_format_double(double v, char *buf);

#endif
