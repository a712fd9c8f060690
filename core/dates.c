/* core/dates.c: civil dates <-> days since 1970-01-01, strict ISO parsing
 * and formatting. The conversions are Howard Hinnant's days_from_civil /
 * civil_from_days algorithms for the proleptic Gregorian calendar. */
#include "dates.h"

#include <stdio.h>

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t sx_date_from_ymd(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void sx_date_to_ymd(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)s[i] - '0';
        if (c > 9)
            return 0;
        v = v * 10 + (int)c;
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static int parse_ymd(const char *s, int64_t *days)
{
    int y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    *days = sx_date_from_ymd(y, m, d);
    return 1;
}

int sx_date_parse(const char *s, size_t len, int64_t *days)
{
    return len == 10 && parse_ymd(s, days);
}

int sx_datetime_parse(const char *s, size_t len, int64_t *secs)
{
    int64_t days;
    int hh, mm, ss;
    if (len != 19 || !parse_ymd(s, &days) || (s[10] != ' ' && s[10] != 'T'))
        return 0;
    if (!digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mm) || s[16] != ':' ||
        !digits(s + 17, 2, &ss))
        return 0;
    if (hh > 23 || mm > 59 || ss > 59)
        return 0;
    *secs = days * 86400 + hh * 3600 + mm * 60 + ss;
    return 1;
}

size_t sx_date_format(int64_t days, char *buf)
{
    int64_t y;
    int m, d;
    sx_date_to_ymd(days, &y, &m, &d);
    return (size_t)snprintf(buf, 32, "%04lld-%02d-%02d", (long long)y, m, d);
}

size_t sx_datetime_format(int64_t secs, char *buf)
{
    int64_t days = floor_div(secs, 86400);
    int64_t rem = secs - days * 86400;
    size_t n = sx_date_format(days, buf);
    n += (size_t)snprintf(buf + n, 32 - n, " %02d:%02d:%02d", (int)(rem / 3600),
                          (int)(rem / 60 % 60), (int)(rem % 60));
    return n;
}
