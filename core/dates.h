/* core/dates.h: calendar dates as days since 1970-01-01 (proleptic
 * Gregorian) and timestamps as seconds since 1970-01-01 00:00:00 (no time
 * zones). Pure functions. */
#ifndef SX_DATES_H
#define SX_DATES_H

#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of Y-M-D (M 1..12, D 1..31; not validated). */
int64_t sx_date_from_ymd(int64_t y, int m, int d);
/* Inverse of sx_date_from_ymd. */
void sx_date_to_ymd(int64_t days, int64_t *y, int *m, int *d);

/* Parse exactly YYYY-MM-DD (a valid calendar day). 1 on success, else 0. */
int sx_date_parse(const char *s, size_t len, int64_t *days);
/* Parse exactly YYYY-MM-DD HH:MM:SS or YYYY-MM-DDTHH:MM:SS (valid day,
 * 00-23, 00-59, 00-59). 1 on success, else 0. */
int sx_datetime_parse(const char *s, size_t len, int64_t *secs);

/* Format as YYYY-MM-DD / YYYY-MM-DD HH:MM:SS into BUF (32 bytes). */
size_t sx_date_format(int64_t days, char *buf);
size_t sx_datetime_format(int64_t secs, char *buf);

#endif
