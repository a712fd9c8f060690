/* core/convert.h: change a column's type, as the columns sheet's `~ # % @`
 * keys (and `sextant` scripts later) do. A conversion builds a new column
 * and never changes its input. */
#ifndef SX_CONVERT_H
#define SX_CONVERT_H

#include <stddef.h>

#include "err.h"
#include "frame.h"

/* A new column named like C, of type TO, holding C's cells converted. Each
 * present cell is read as its text (sx_col_format) and parsed by the
 * loader's rules for TO:
 *   FLOAT     a decimal number (core/num.h: correctly rounded, no spaces);
 *   INT       a decimal int64, or a number that is an exact integer in
 *             int64's range ("3.0" and 3.0 become 3; 3.5 does not convert);
 *   BOOL      true/True/TRUE, false/False/FALSE, or a number equal to 0 or 1;
 *   DATE      YYYY-MM-DD, or YYYY-MM-DD[ T]HH:MM:SS; the column's unit is
 *             seconds when any cell carries a time, else days (a date
 *             column keeps its unit);
 *   CATEGORY  the text, dictionary in first-seen order;
 *   TEXT      the text.
 * Numeric sources skip the detour through text where the result is the
 * same (int to float is exact up to rounding, bool reads as 0 and 1).
 * Missing cells stay missing; a present cell that does not convert becomes
 * missing and is counted in *LOST (LOST may be NULL).
 * Returns SX_OK and the new column in *OUT (the caller frees it with
 * sx_col_free()); on error *OUT is NULL, ERR is filled (SX_ENOMEM, or
 * SX_EINVAL for an unknown type) and C is unchanged. */
enum sx_status sx_col_convert(const struct sx_column *c, enum sx_type to,
                              struct sx_column **out, size_t *lost, struct sx_err *err);

#endif
