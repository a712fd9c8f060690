/* core/json.h: the few JSON rules all output shares, on top of jansson.
 * Numbers print as %.17g (they read back as the same double); NaN is null;
 * infinities are the strings "inf" and "-inf". */
#ifndef SX_JSON_H
#define SX_JSON_H

#include <jansson.h>
#include <stdio.h>

/* A new JSON value for V following the rules above (never NULL unless out
 * of memory). */
json_t *sx_json_real(double v);

/* Dump J to FP with the project's flags (17 significant digits, keys in
 * insertion order, compact unless PRETTY) and a final newline. Returns 0 or
 * -1 on a write error. */
int sx_json_dump(const json_t *j, FILE *fp, int pretty);

/* Set KEY of OBJ to V, taking the reference (jansson's _new variants), and
 * ignoring a NULL V. Shorthand to keep builders readable. */
void sx_json_set(json_t *obj, const char *key, json_t *v);

#endif
