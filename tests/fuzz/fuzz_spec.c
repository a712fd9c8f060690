/* tests/fuzz/fuzz_spec.c: libFuzzer target for core/features: every input
 * is parsed as a feature-set spec; a spec that parses is normalised (the
 * normal form must parse again to itself and keep the hash), fitted on a
 * small fixed frame holding each column type (missing cells, ties, extreme
 * values), and a fit that succeeds goes through its JSON and back (the
 * rebuilt fit must print the same JSON), is applied in both modes and
 * exported as SQL in every dialect. It must never crash, leak or hang.
 * Built and run by `make fuzz`. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "frame.h"

#define ROWS 64

static struct sx_frame *frame;

static void add(struct sx_column *c)
{
    struct sx_err err;
    if (!c || sx_frame_adopt(frame, c, &err) != SX_OK)
        abort();
}

/* Columns x, y (floats), n (int), flag (bool), d (date), region
 * (category), notes (text): cycles of ordinary, tied and extreme values
 * with missing cells at different rows. */
static void make_frame(void)
{
    static const double fv[] = {0.5, -2, 0, -0.0, 1e308, -1e308, INFINITY, NAN, 3.25,
                                1e-300, 2.5, 2.5, 2.5, -7.5};
    static const int64_t iv[] = {0, 1, -1, 7, 7, INT64_MAX, INT64_MIN, 42, 3, -3};
    static const char *const sv[] = {"north", "South", "other", "east west", "ünï", "a'b\"c",
                                     "north", "x"};
    static const char *const tv[] = {"free text, with commas", "", "日本語", "tab\there", "x"};
    frame = sx_frame_new();
    struct sx_column *x = sx_col_new("x", SX_FLOAT), *y = sx_col_new("odd name", SX_FLOAT),
                     *n = sx_col_new("n", SX_INT), *b = sx_col_new("flag", SX_BOOL),
                     *d = sx_col_new("d", SX_DATE), *r = sx_col_new("region", SX_CATEGORY),
                     *t = sx_col_new("notes", SX_TEXT);
    if (!frame || !x || !y || !n || !b || !d || !r || !t)
        abort();
    for (int64_t i = 0; i < ROWS; i++) {
        int ok = 1;
        ok &= (i % 11 == 5 ? sx_col_push_missing(x) : sx_col_push_f64(x, fv[i % 14])) == SX_OK;
        ok &= (i % 13 == 2 ? sx_col_push_missing(y) : sx_col_push_f64(y, (double)(i % 9) / 4))
              == SX_OK;
        ok &= (i % 9 == 4 ? sx_col_push_missing(n) : sx_col_push_i64(n, iv[i % 10])) == SX_OK;
        ok &= (i % 7 == 3 ? sx_col_push_missing(b) : sx_col_push_bool(b, (int)(i % 3 == 0)))
              == SX_OK;
        ok &= (i % 10 == 9 ? sx_col_push_missing(d) : sx_col_push_i64(d, 17000 + (i * 37) % 900))
              == SX_OK;
        const char *s = sv[i % 8];
        ok &= (i % 6 == 1 ? sx_col_push_missing(r) : sx_col_push_str(r, s, strlen(s))) == SX_OK;
        const char *u = tv[i % 5];
        ok &= (i % 5 == 4 ? sx_col_push_missing(t) : sx_col_push_str(t, u, strlen(u))) == SX_OK;
        if (!ok)
            abort();
    }
    add(x);
    add(y);
    add(n);
    add(b);
    add(d);
    add(r);
    add(t);
}

static void roundtrip(const struct sx_fspec *spec, const struct sx_ffit *fit)
{
    struct sx_err err;
    json_t *j = sx_ffit_json(fit);
    if (!j)
        abort();
    char *a = json_dumps(j, JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_t *back = a ? json_loads(a, 0, NULL) : NULL;
    struct sx_ffit *fit2 = back ? sx_ffit_from_json(spec, back, &err) : NULL;
    if (!fit2)
        abort();               /* what sx_ffit_json writes must read back */
    json_t *j2 = sx_ffit_json(fit2);
    char *b = j2 ? json_dumps(j2, JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER | JSON_COMPACT)
                 : NULL;
    if (!b || strcmp(a, b) != 0)
        abort();
    free(a);
    free(b);
    json_decref(j);
    json_decref(j2);
    json_decref(back);
    sx_ffit_free(fit2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!frame)
        make_frame();
    if (size > 8192)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct sx_err err;
    int line, col;
    struct sx_fspec *spec = sx_fspec_parse(text, &err, &line, &col);
    free(text);
    if (!spec) {
        if (line < 1 || col < 1)
            abort();           /* every parse error has a place */
        return 0;
    }
    /* the normal form is a fixed point with the same hash */
    char *n1 = sx_fspec_normalize(spec);
    struct sx_fspec *again = n1 ? sx_fspec_parse(n1, &err, NULL, NULL) : NULL;
    char *n2 = again ? sx_fspec_normalize(again) : NULL;
    char h1[65], h2[65];
    if (!n2 || strcmp(n1, n2) != 0)
        abort();
    sx_fspec_hash(spec, h1);
    sx_fspec_hash(again, h2);
    if (strcmp(h1, h2) != 0)
        abort();
    free(n1);
    free(n2);
    sx_fspec_free(again);

    struct sx_ffit *fit = sx_features_fit(spec, frame, &err);
    if (fit) {
        roundtrip(spec, fit);
        for (int mode = 0; mode < 2; mode++) {
            json_t *rep = NULL;
            struct sx_frame *out = sx_features_apply(fit, frame, (enum sx_fmode)mode, &rep, &err);
            if (!out && err.code != SX_ENOMEM)
                abort();       /* what fitted on the frame applies to it */
            sx_frame_free(out);
            json_decref(rep);
            for (int d = 0; d < 4; d++)
                free(sx_features_sql(fit, (enum sx_fmode)mode, (enum sx_sql_dialect)d, "t", &err));
        }
        sx_ffit_free(fit);
    }
    sx_fspec_free(spec);
    return 0;
}
