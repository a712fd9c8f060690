/* tests/test_num.c: number parsing against strtod bit for bit, shortest
 * round-trip formatting, and the calendar conversions in core/dates.c. */
#include "testutil.h"

#include <math.h>

#include "dates.h"
#include "json.h"
#include "num.h"

static uint64_t bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static void check_same_as_strtod(const char *s)
{
    double got = 0;
    cr_assert(sx_num_parse_double(s, strlen(s), &got), "rejected '%s'", s);
    double want = strtod(s, NULL);
    cr_assert_eq(bits(got), bits(want), "'%s': got %.17g want %.17g", s, got, want);
}

Test(num, known_values)
{
    const char *cases[] = {"0", "-0", "-0.0", "1", "1.5", "13.7", "0.2134", "1234.56", "9e300",
                           "-3e-300", "0.10000000000000002", "1e22", "1e23", "123456789012345678",
                           "9007199254740993", "4.9406564584124654e-324", "2.2250738585072014e-308",
                           "1.7976931348623157e308", ".5", "5.", "+7", "1E5", "1e-5", "0.1",
                           "0.3", "100000000000000000000000", "0.000000000000000000000000001"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_same_as_strtod(cases[i]);
}

Test(num, random_decimals_match_strtod)
{
    unsigned seed = 12345;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        int kind = rand_r(&seed) % 4;
        double v;
        if (kind == 0)  /* short decimals as in CSV files */
            snprintf(buf, sizeof buf, "%.*f", rand_r(&seed) % 5, (rand_r(&seed) % 2000000) / 7.0 - 1e5);
        else if (kind == 1) {  /* repr strings of N(0,1)-like values */
            v = ((double)rand_r(&seed) / RAND_MAX - 0.5) * 6;
            snprintf(buf, sizeof buf, "%.17g", v);
        } else if (kind == 2) {  /* extreme exponents */
            v = ldexp((double)rand_r(&seed) / RAND_MAX + 0.5, rand_r(&seed) % 2000 - 1000);
            snprintf(buf, sizeof buf, "%.*e", rand_r(&seed) % 18, v);
        } else {  /* integers with many digits */
            snprintf(buf, sizeof buf, "%u%u%u", (unsigned)rand_r(&seed), (unsigned)rand_r(&seed),
                     (unsigned)rand_r(&seed) % 1000);
        }
        check_same_as_strtod(buf);
    }
}

Test(num, rejects_non_numbers)
{
    const char *bad[] = {"", "-", "+", ".", "e5", "1e", "1e+", "0x10", " 1", "1 ", "1,5", "nan",
                         "NaN", "1.2.3", "--1", "1e5x", "abc", "∞"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        cr_assert_not(sx_num_parse_double(bad[i], strlen(bad[i]), &v), "accepted '%s'", bad[i]);
    }
    double v;
    cr_assert(sx_num_parse_double("inf", 3, &v) && isinf(v) && v > 0);
    cr_assert(sx_num_parse_double("-Infinity", 9, &v) && isinf(v) && v < 0);
}

Test(num, ints)
{
    int64_t v;
    cr_assert(sx_num_parse_int("9223372036854775807", 19, &v) && v == INT64_MAX);
    cr_assert(sx_num_parse_int("-9223372036854775808", 20, &v) && v == INT64_MIN);
    cr_assert_not(sx_num_parse_int("9223372036854775808", 19, &v));
    cr_assert_not(sx_num_parse_int("1.0", 3, &v));
    cr_assert_not(sx_num_parse_int("", 0, &v));
    cr_assert_not(sx_num_parse_int("-", 1, &v));
    cr_assert(sx_num_parse_int("+042", 4, &v) && v == 42);
}

Test(num, format_round_trips)
{
    char buf[32];
    double vals[] = {0.1, 1.0 / 3, 1e300, -2.5e-300, 13.7, 0.30000000000000004, 123456789.0};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        sx_num_format_double(vals[i], buf);
        cr_assert_eq(strtod(buf, NULL), vals[i], "%s", buf);
    }
    sx_num_format_double(0.1, buf);
    cr_assert_str_eq(buf, "0.1");
    sx_num_format_double(NAN, buf);
    cr_assert_str_eq(buf, "nan");
    sx_num_format_double(-INFINITY, buf);
    cr_assert_str_eq(buf, "-inf");
}

Test(dates, round_trip_and_known_days)
{
    cr_assert_eq(sx_date_from_ymd(1970, 1, 1), 0);
    cr_assert_eq(sx_date_from_ymd(2000, 3, 1), 11017);
    cr_assert_eq(sx_date_from_ymd(1969, 12, 31), -1);
    for (int64_t d = -800000; d <= 800000; d += 7) {
        int64_t y;
        int m, dd;
        sx_date_to_ymd(d, &y, &m, &dd);
        cr_assert_eq(sx_date_from_ymd(y, m, dd), d);
    }
}

Test(dates, parse_strict)
{
    int64_t v;
    cr_assert(sx_date_parse("2020-02-29", 10, &v) && v == sx_date_from_ymd(2020, 2, 29));
    cr_assert_not(sx_date_parse("2019-02-29", 10, &v));
    cr_assert_not(sx_date_parse("2019-13-01", 10, &v));
    cr_assert_not(sx_date_parse("2019-1-01", 9, &v));
    cr_assert_not(sx_date_parse("2019/01/01", 10, &v));
    cr_assert(sx_datetime_parse("2021-06-01 13:45:10", 19, &v));
    cr_assert_eq(v, sx_date_from_ymd(2021, 6, 1) * 86400 + 13 * 3600 + 45 * 60 + 10);
    cr_assert(sx_datetime_parse("2021-06-01T00:00:00", 19, &v));
    cr_assert_not(sx_datetime_parse("2021-06-01 24:00:00", 19, &v));
    char buf[32];
    sx_datetime_format(v, buf);
    cr_assert_str_eq(buf, "2021-06-01 00:00:00");
    sx_datetime_format(-1, buf);
    cr_assert_str_eq(buf, "1969-12-31 23:59:59");
    sx_date_format(sx_date_from_ymd(2023, 7, 4), buf);
    cr_assert_str_eq(buf, "2023-07-04");
}

Test(json, special_values)
{
    json_t *a = json_array();
    json_array_append_new(a, sx_json_real(NAN));
    json_array_append_new(a, sx_json_real(INFINITY));
    json_array_append_new(a, sx_json_real(-INFINITY));
    json_array_append_new(a, sx_json_real(0.1));
    json_array_append_new(a, sx_json_real(1.0 / 3));
    char *s = json_dumps(a, JSON_REAL_PRECISION(17) | JSON_COMPACT);
    cr_assert_str_eq(s, "[null,\"inf\",\"-inf\",0.10000000000000001,0.33333333333333331]");
    free(s);
    json_decref(a);
}
