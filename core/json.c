/* core/json.c: JSON output rules shared by every --json command and the
 * store: 17 significant digits, NaN as null, infinities as strings. */
#include "json.h"

#include <math.h>

json_t *sx_json_real(double v)
{
    if (isnan(v))
        return json_null();
    if (isinf(v))
        return json_string(v < 0 ? "-inf" : "inf");
    return json_real(v);
}

int sx_json_dump(const json_t *j, FILE *fp, int pretty)
{
    size_t flags = JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
    if (pretty)
        flags |= JSON_INDENT(2);
    else
        flags |= JSON_COMPACT;
    if (json_dumpf(j, fp, flags) != 0)
        return -1;
    return fputc('\n', fp) == EOF ? -1 : 0;
}

void sx_json_set(json_t *obj, const char *key, json_t *v)
{
    if (v)
        json_object_set_new(obj, key, v);
}
