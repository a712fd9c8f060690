/* core/convert.c: type conversion of one column (core/convert.h). Cells go
 * through their text and the loader's parsers (core/num.h, core/dates.h);
 * numeric sources take direct routes that give the same answers without
 * formatting every cell. */
#include "convert.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "num.h"

/* The text of present cell I of C: a pointer into the column for category
 * and text cells, else the formatted value in BUF (64 bytes). */
static const char *cell_text(const struct sx_column *c, size_t i, char *buf, size_t *len)
{
    if (c->type == SX_CATEGORY) {
        uint32_t code = c->v.cat[i];
        *len = c->dict->len[code];
        return c->dict->str[code];
    }
    if (c->type == SX_TEXT) {
        *len = (size_t)(c->v.off[i + 1] - c->v.off[i] - 1);
        return c->text + c->v.off[i];
    }
    *len = sx_col_format(c, i, buf, 64);
    return buf;
}

/* 2^63 as a double: int64 holds [-2^63, 2^63). */
#define TWO63 9223372036854775808.0

static int exact_int(double v, int64_t *out)
{
    if (!(v >= -TWO63 && v < TWO63) || v != trunc(v))
        return 0;
    *out = (int64_t)v;
    return 1;
}

static int parse_int_text(const char *s, size_t len, int64_t *out)
{
    double d;
    if (sx_num_parse_int(s, len, out))
        return 1;
    return sx_num_parse_double(s, len, &d) && exact_int(d, out);
}

static int parse_bool_text(const char *s, size_t len, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    for (size_t k = 0; k < 3; k++) {
        if (len == 4 && !memcmp(s, yes[k], 4)) {
            *out = 1;
            return 1;
        }
        if (len == 5 && !memcmp(s, no[k], 5)) {
            *out = 0;
            return 1;
        }
    }
    double d;
    if (sx_num_parse_double(s, len, &d) && (d == 0.0 || d == 1.0)) {
        *out = d == 1.0;
        return 1;
    }
    return 0;
}

/* Source types whose cells the direct routes read as numbers. */
static int numeric_source(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_BOOL;
}

/* The date unit for converting C to a date: C's own for a date column,
 * seconds when any present cell parses as a timestamp, else days. */
static enum sx_date_unit date_unit_for(const struct sx_column *c)
{
    char buf[64];
    size_t len;
    int64_t v;
    if (c->type == SX_DATE)
        return c->unit;
    if (numeric_source(c->type))
        return SX_DAYS;
    for (size_t i = 0; i < c->len; i++) {
        if (!sx_col_valid(c, i))
            continue;
        const char *s = cell_text(c, i, buf, &len);
        if (sx_datetime_parse(s, len, &v))
            return SX_SECONDS;
    }
    return SX_DAYS;
}

/* Append present cell I of C to OUT, converted; *OK is 0 when it did not
 * convert (a missing cell was appended instead). */
static enum sx_status push_converted(struct sx_column *out, const struct sx_column *c, size_t i,
                                     int *ok)
{
    char buf[64];
    size_t len;
    const char *s;
    double d;
    int64_t v;
    int b;

    *ok = 1;
    switch (out->type) {
    case SX_FLOAT:
        if (numeric_source(c->type))
            return sx_col_push_f64(out, sx_col_num(c, i));
        s = cell_text(c, i, buf, &len);
        if (sx_num_parse_double(s, len, &d))
            return sx_col_push_f64(out, d);
        break;
    case SX_INT:
        if (c->type == SX_INT)
            return sx_col_push_i64(out, c->v.i64[i]);
        if (c->type == SX_BOOL)
            return sx_col_push_i64(out, c->v.b[i]);
        if (c->type == SX_FLOAT) {
            if (exact_int(c->v.f64[i], &v))
                return sx_col_push_i64(out, v);
            break;
        }
        s = cell_text(c, i, buf, &len);
        if (parse_int_text(s, len, &v))
            return sx_col_push_i64(out, v);
        break;
    case SX_BOOL:
        if (numeric_source(c->type)) {
            d = sx_col_num(c, i);
            if (d == 0.0 || d == 1.0)
                return sx_col_push_bool(out, d == 1.0);
            break;
        }
        s = cell_text(c, i, buf, &len);
        if (parse_bool_text(s, len, &b))
            return sx_col_push_bool(out, b);
        break;
    case SX_DATE:
        if (c->type == SX_DATE)
            return sx_col_push_i64(out, c->v.i64[i]);
        s = cell_text(c, i, buf, &len);
        if (out->unit == SX_SECONDS) {
            if (sx_datetime_parse(s, len, &v))
                return sx_col_push_i64(out, v);
            if (sx_date_parse(s, len, &v))
                return sx_col_push_i64(out, v * 86400);
        } else if (sx_date_parse(s, len, &v)) {
            return sx_col_push_i64(out, v);
        }
        break;
    case SX_CATEGORY:
    case SX_TEXT:
        s = cell_text(c, i, buf, &len);
        return sx_col_push_str(out, s, len);
    }
    *ok = 0;
    return sx_col_push_missing(out);
}

/* Category to category: the codes mapped into a fresh dictionary built in
 * first-seen order of the rows (unused entries of C's dictionary drop). */
static enum sx_status convert_codes(struct sx_column *out, const struct sx_column *c)
{
    uint32_t n = c->dict ? c->dict->n : 0;
    uint32_t *map = malloc((n ? n : 1) * sizeof *map);
    enum sx_status rc = SX_OK;
    if (!map)
        return SX_ENOMEM;
    for (uint32_t k = 0; k < n; k++)
        map[k] = UINT32_MAX;
    for (size_t i = 0; i < c->len && rc == SX_OK; i++) {
        if (!sx_col_valid(c, i)) {
            rc = sx_col_push_missing(out);
            continue;
        }
        uint32_t code = c->v.cat[i];
        if (map[code] == UINT32_MAX) {
            map[code] = sx_dict_intern(out->dict, c->dict->str[code], c->dict->len[code]);
            if (map[code] == UINT32_MAX) {
                rc = SX_ENOMEM;
                break;
            }
        }
        rc = sx_col_push_code(out, map[code]);
    }
    free(map);
    return rc;
}

enum sx_status sx_col_convert(const struct sx_column *c, enum sx_type to,
                              struct sx_column **out, size_t *lost, struct sx_err *err)
{
    enum sx_status rc;
    size_t nlost = 0;
    *out = NULL;
    if (lost)
        *lost = 0;
    if ((unsigned)to >= SX_TYPE_COUNT)
        return sx_err_set(err, SX_EINVAL, "convert '%s': unknown type %d", c->name, (int)to);

    struct sx_column *n = sx_col_new(c->name, to);
    if (!n)
        return sx_err_set(err, SX_ENOMEM, "convert '%s': out of memory", c->name);
    if (to == SX_DATE)
        n->unit = date_unit_for(c);
    if ((rc = sx_col_reserve(n, c->len)) != SX_OK)
        goto fail;

    if (c->type == SX_CATEGORY && to == SX_CATEGORY) {
        rc = convert_codes(n, c);
    } else {
        rc = SX_OK;
        for (size_t i = 0; i < c->len && rc == SX_OK; i++) {
            int ok;
            if (!sx_col_valid(c, i)) {
                rc = sx_col_push_missing(n);
                continue;
            }
            rc = push_converted(n, c, i, &ok);
            nlost += !ok;
        }
    }
    if (rc != SX_OK)
        goto fail;
    *out = n;
    if (lost)
        *lost = nlost;
    return SX_OK;
fail:
    sx_col_free(n);
    return sx_err_set(err, rc, "convert '%s' to %s: %s", c->name, sx_type_name(to),
                      sx_status_str(rc));
}
