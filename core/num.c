/* core/num.c: decimal number parsing (correctly rounded, with an exact fast
 * path for short decimals) and shortest round-trip formatting.
 *
 * The fast path is Clinger's: when the decimal significand fits in 53 bits
 * and the power of ten is at most 22, both are exact doubles and one IEEE
 * multiplication or division rounds correctly, so the result is the double
 * strtod would return. Everything else goes to strtod after our own syntax
 * check (strtod alone would accept hex, "nan", leading spaces). Assumes the
 * process keeps LC_NUMERIC at "C". */
#include "num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int lower_eq(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

static int parse_slow(const char *s, size_t len, double *out)
{
    char small[128];
    char *buf = small;
    if (len >= sizeof small) {
        buf = malloc(len + 1);
        if (!buf)
            return 0;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    int ok = end == buf + len;
    if (buf != small)
        free(buf);
    if (ok)
        *out = v;
    return ok;
}

/* The length (0 or 1) of the optional sign that starts S (LEN > 0), with
 * *NEG set when it is '-'. Both parsers accept the same signs. */
static inline size_t sign_len(const char *s, int *neg)
{
    *neg = s[0] == '-';
    return s[0] == '+' || s[0] == '-';
}

int sx_num_parse_double(const char *s, size_t len, double *out)
{
    int neg;
    if (len == 0)
        return 0;
    size_t i = sign_len(s, &neg);
    if (i < len && (s[i] == 'i' || s[i] == 'I')) {
        if (lower_eq(s + i, len - i, "inf") || lower_eq(s + i, len - i, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return 1;
        }
        return 0;
    }

    uint64_t mant = 0;
    int ndig = 0;          /* significant digits accumulated in mant */
    int dropped = 0;       /* digits not accumulated: fast path impossible */
    int exp10 = 0;
    size_t intdig = 0, fracdig = 0;

    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (mant || s[i] != '0') {
            if (ndig < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                ndig++;
            } else {
                dropped = 1;
            }
        }
        if (dropped)
            exp10++;
        i++;
        intdig++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (mant || s[i] != '0') {
                if (ndig < 19) {
                    mant = mant * 10 + (uint64_t)(s[i] - '0');
                    ndig++;
                    exp10--;
                } else {
                    dropped = 1;
                }
            } else {
                exp10--;
            }
            i++;
            fracdig++;
        }
    }
    if (intdig + fracdig == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= len || s[i] < '0' || s[i] > '9')
            return 0;
        long e = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (e >= 100000)
            dropped = 1;    /* absurd exponent: let strtod decide */
        else
            exp10 += (int)(eneg ? -e : e);
    }
    if (i != len)
        return 0;

    if (!dropped && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)mant;
        if (exp10 < 0)
            v /= pow10_exact[-exp10];
        else
            v *= pow10_exact[exp10];
        *out = neg ? -v : v;
        return 1;
    }
    return parse_slow(s, len, out);
}

int sx_num_parse_int(const char *s, size_t len, int64_t *out)
{
    int neg;
    if (len == 0)
        return 0;
    size_t i = sign_len(s, &neg);
    if (i == len)
        return 0;
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return 0;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v) || v > limit)
            return 0;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 1;
}

size_t sx_num_format_double(double v, char *buf)
{
    if (isnan(v))
        return (size_t)snprintf(buf, 32, "nan");
    if (isinf(v))
        return (size_t)snprintf(buf, 32, v < 0 ? "-inf" : "inf");
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return (size_t)n;
}
