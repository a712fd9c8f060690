/* tests/test_features.c: feature sets (core/features.h): the spec parser
 * and every error path with its line and column, the normal form and hash,
 * each transform's fit and apply on hand-computed data, train vs inference
 * (bit-identical rows), unseen categories and missing values counted, the
 * JSON round trip, the SQL export run in SQLite against the C results, the
 * parallel paths against the serial ones, and scikit-learn's StandardScaler,
 * MinMaxScaler and PCA (tests/ref/sklearn_features.py) on random data with
 * the tolerances of ../shared/STATS.md section 13. */
#include <math.h>
#include <sqlite3.h>

#include "csv.h"
#include "dates.h"
#include "features.h"
#include "json.h"
#include "testutil.h"

/* ---- helpers ---- */

/* TEXT (a CSV) loaded as a frame. */
static struct sx_frame *csv_frame(const char *text)
{
    char *dir = tu_tmpdir(), *path = tu_path(dir, "data.csv");
    tu_write(path, text, (size_t)-1);
    struct sx_csv_opts o;
    sx_csv_opts_init(&o);
    struct sx_err err;
    struct sx_frame *f = sx_csv_load(path, &o, NULL, &err);
    cr_assert(f, "load: %s", err.msg);
    tu_rmrf(dir);
    free(path);
    free(dir);
    return f;
}

static struct sx_fspec *spec_ok(const char *text)
{
    struct sx_err err;
    int line = -1, col = -1;
    struct sx_fspec *s = sx_fspec_parse(text, &err, &line, &col);
    cr_assert(s, "parse failed: %s", err.msg);
    cr_assert_eq(line, 0);
    cr_assert_eq(col, 0);
    return s;
}

/* TEXT must fail to parse at LINE:COL with a message containing WHAT. */
static void spec_err(const char *text, int line, int col, const char *what)
{
    struct sx_err err;
    int l = -1, c = -1;
    struct sx_fspec *s = sx_fspec_parse(text, &err, &l, &c);
    cr_assert_null(s, "parsed, expected an error at %d:%d: %s", line, col, text);
    cr_assert_eq(err.code, SX_EPARSE, "%s", err.msg);
    cr_assert_eq(l, line, "line %d, expected %d (%s) for:\n%s", l, line, err.msg, text);
    cr_assert_eq(c, col, "column %d, expected %d (%s) for:\n%s", c, col, err.msg, text);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%d:%d: ", line, col);
    cr_assert(strncmp(err.msg, prefix, strlen(prefix)) == 0, "message '%s' does not start with %s",
              err.msg, prefix);
    cr_assert(strstr(err.msg, what), "message '%s' lacks '%s'", err.msg, what);
}

static struct sx_ffit *fit_ok(const struct sx_fspec *s, const struct sx_frame *f)
{
    struct sx_err err;
    struct sx_ffit *fit = sx_features_fit(s, f, &err);
    cr_assert(fit, "fit: %s", err.msg);
    return fit;
}

/* SPEC_TEXT fitted on F must fail with a message starting "LINE:COL: "
 * and containing WHAT. */
static void fit_err(const char *spec_text, const struct sx_frame *f, int line, int col,
                    const char *what)
{
    struct sx_fspec *s = spec_ok(spec_text);
    struct sx_err err;
    struct sx_ffit *fit = sx_features_fit(s, f, &err);
    cr_assert_null(fit, "fitted, expected an error: %s", spec_text);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%d:%d: ", line, col);
    cr_assert(strncmp(err.msg, prefix, strlen(prefix)) == 0, "message '%s' does not start with %s",
              err.msg, prefix);
    cr_assert(strstr(err.msg, what), "message '%s' lacks '%s'", err.msg, what);
    sx_fspec_free(s);
}

static struct sx_frame *apply_ok(const struct sx_ffit *fit, const struct sx_frame *f,
                                 enum sx_fmode mode, json_t **rep)
{
    struct sx_err err;
    struct sx_frame *out = sx_features_apply(fit, f, mode, rep, &err);
    cr_assert(out, "apply: %s", err.msg);
    return out;
}

static const struct sx_column *col(const struct sx_frame *f, const char *name)
{
    long i = sx_frame_find(f, name);
    cr_assert(i >= 0, "no column '%s'", name);
    return f->cols[i];
}

static double num(const struct sx_frame *f, const char *name, size_t row)
{
    const struct sx_column *c = col(f, name);
    cr_assert(sx_col_valid(c, row), "%s[%zu] is missing", name, row);
    return sx_col_num(c, row);
}

static int present(const struct sx_frame *f, const char *name, size_t row)
{
    return sx_col_valid(col(f, name), row);
}

static long long rep_get(const json_t *rep, const char *key, const char *colname)
{
    const json_t *o = json_object_get(rep, key);
    cr_assert(o, "report has no '%s'", key);
    if (!colname)
        return json_integer_value(o);
    const json_t *v = json_object_get(o, colname);
    cr_assert(v, "report '%s' has no '%s'", key, colname);
    return json_integer_value(v);
}

/* Cell I of A and cell J of B hold the same bits (or are both missing). */
static int same_cell(const struct sx_column *a, size_t i, const struct sx_column *b, size_t j)
{
    if (a->type != b->type)
        return 0;
    int va = sx_col_valid(a, i), vb = sx_col_valid(b, j);
    if (va != vb)
        return 0;
    if (!va)
        return 1;
    switch (a->type) {
    case SX_FLOAT: return memcmp(&a->v.f64[i], &b->v.f64[j], sizeof(double)) == 0;
    case SX_INT:
    case SX_DATE: return a->v.i64[i] == b->v.i64[j];
    case SX_BOOL: return a->v.b[i] == b->v.b[j];
    default: return strcmp(sx_col_str(a, i), sx_col_str(b, j)) == 0;
    }
}

/* A and B have the same columns and bit-identical cells. */
static void assert_identical(const struct sx_frame *a, const struct sx_frame *b)
{
    cr_assert_eq(a->ncols, b->ncols);
    cr_assert_eq(a->nrows, b->nrows);
    for (size_t c = 0; c < a->ncols; c++) {
        cr_assert_str_eq(a->cols[c]->name, b->cols[c]->name);
        for (size_t i = 0; i < a->nrows; i++)
            cr_assert(same_cell(a->cols[c], i, b->cols[c], i), "column %s row %zu differs",
                      a->cols[c]->name, i);
    }
}

static int close_to(double got, double ref, double rtol, double atol)
{
    if (isnan(ref))
        return isnan(got);
    return fabs(got - ref) <= fmax(rtol * fabs(ref), atol);
}

/* ---- the parser ---- */

Test(features_parse, every_statement)
{
    struct sx_fspec *s = spec_ok(
        "# a comment\n"
        "\n"
        "feature temp_f = temperature * 9 / 5 + 32   # trailing comment\n"
        "filter temperature between -40 and 50\n"
        "impute median humidity, wind\n"
        "impute mean wind\n"
        "impute mode region\n"
        "clip price quantiles 0.01 0.99\n"
        "standardize temperature, humidity, wind\n"
        "minmax price\n"
        "onehot region top 10\n"
        "bins wind quantiles 5\n"
        "pca climate 2 of temperature, humidity, wind\n"
        "drop notes, \"odd name\"\n");
    char *norm = sx_fspec_normalize(s);
    cr_assert_str_eq(norm,
                     "feature temp_f = temperature * 9 / 5 + 32\n"
                     "filter temperature between -40 and 50\n"
                     "impute median humidity, wind\n"
                     "impute mean wind\n"
                     "impute mode region\n"
                     "clip price quantiles 0.01 0.99\n"
                     "standardize temperature, humidity, wind\n"
                     "minmax price\n"
                     "onehot region top 10\n"
                     "bins wind quantiles 5\n"
                     "pca climate 2 of temperature, humidity, wind\n"
                     "drop notes, \"odd name\"\n");
    free(norm);
    sx_fspec_free(s);
}

Test(features_parse, hash_in_quotes_is_not_a_comment)
{
    struct sx_fspec *s = spec_ok("feature x = contains(notes, '#1')  # note\n"
                                 "drop \"a#b\"\n");
    char *norm = sx_fspec_normalize(s);
    cr_assert_str_eq(norm, "feature x = contains(notes, '#1')\ndrop \"a#b\"\n");
    free(norm);
    sx_fspec_free(s);
}

Test(features_parse, empty_spec)
{
    struct sx_fspec *s = spec_ok("# only comments\n\n   \n");
    char *norm = sx_fspec_normalize(s);
    cr_assert_str_eq(norm, "");
    free(norm);
    sx_fspec_free(s);
}

Test(features_parse, errors_with_line_and_column)
{
    spec_err("frobnicate x\n", 1, 1, "unknown statement 'frobnicate'");
    spec_err("# c\n\n  Standardize x\n", 3, 3, "unknown statement 'Standardize'");
    spec_err("\"quoted\" x\n", 1, 1, "unknown statement");
    spec_err("standardize\n", 1, 12, "expected a column name, got end of line");
    spec_err("standardize   # nothing\n", 1, 15, "expected a column name");
    spec_err("minmax a,\n", 1, 10, "expected a column name");
    spec_err("drop a, , b\n", 1, 9, "expected a column name, got ','");
    spec_err("impute median\n", 1, 14, "expected a column name");
    spec_err("impute avg x\n", 1, 8, "expected median, mean or mode");
    spec_err("onehot region top x\n", 1, 19, "expected a whole number for top N, got 'x'");
    spec_err("onehot region top 2.5\n", 1, 19, "expected a whole number");
    spec_err("onehot region top 0\n", 1, 19, "top N must be between 1 and");
    spec_err("onehot region top 100001\n", 1, 19, "top N must be between 1 and");
    spec_err("onehot region 10\n", 1, 15, "expected 'top'");
    spec_err("onehot a, b top 3\n", 1, 9, "expected 'top'");
    spec_err("bins wind quantiles 0\n", 1, 21, "the number of bins must be between 1 and");
    spec_err("bins wind quantiles -3\n", 1, 21, "the number of bins must be between 1 and");
    spec_err("bins wind quantiles five\n", 1, 21, "expected a whole number");
    spec_err("bins wind 5\n", 1, 11, "expected 'quantiles'");
    spec_err("clip price quantiles 0.5 1.5\n", 1, 26, "quantile '1.5' is outside [0, 1]");
    spec_err("clip price quantiles -0.1 0.9\n", 1, 22, "is outside [0, 1]");
    spec_err("clip price quantiles 0.9 0.1\n", 1, 26, "greater than the lower");
    spec_err("clip price quantiles 0.5 0.5\n", 1, 26, "greater than the lower");
    spec_err("clip price quantiles x 0.5\n", 1, 22, "expected a quantile");
    spec_err("clip price quantiles 0.1\n", 1, 25, "expected a quantile");
    spec_err("clip a b quantiles 0 1\n", 1, 8, "expected 'quantiles'");
    spec_err("pca p 3 of a, b\n", 1, 7, "pca asks for 3 components of 2 columns");
    spec_err("pca p 0 of a, b\n", 1, 7, "the number of components must be between 1");
    spec_err("pca p x of a\n", 1, 7, "expected a whole number");
    spec_err("pca p 1 a\n", 1, 9, "expected 'of'");
    spec_err("pca 2 of a, b\n", 1, 5, "expected a name after 'pca'");
    spec_err("feature = 3\n", 1, 9, "expected a name after 'feature'");
    spec_err("feature a 3\n", 1, 11, "expected '=' after the feature name");
    spec_err("feature a =\n", 1, 12, "expected an expression after '='");
    spec_err("feature a =   # no expression\n", 1, 15, "expected an expression");
    spec_err("filter\n", 1, 7, "expected a condition after 'filter'");
    spec_err("filter   \n", 1, 10, "expected a condition");
    spec_err("drop a, a\n", 1, 9, "column 'a' is listed twice");
    spec_err("standardize x, \"x\"\n", 1, 16, "listed twice");
    spec_err("drop \"unterminated\n", 1, 6, "unterminated quoted name");
    spec_err("drop \"\"\n", 1, 6, "empty column name");
    spec_err("drop \"a\xff\"\n", 1, 8, "invalid UTF-8");
    spec_err("# caf\xc3\xa9 ok\nfeature x = 'caf\xc3'\n", 2, 17, "invalid UTF-8");
    spec_err("standardize a junk\n", 1, 15, "unexpected 'junk' after the standardize statement");
    spec_err("bins w quantiles 3 extra\n", 1, 20, "unexpected 'extra'");
    spec_err("feature a = 1\nfeature a = 2\n", 2, 9,
             "output column 'a' is already produced by an earlier statement");
    spec_err("bins x quantiles 3\nfeature x_bin = 1\n", 2, 9, "'x_bin' is already produced");
    spec_err("feature p_2 = 1\npca p 2 of a, b\n", 2, 5, "'p_2' is already produced");
    /* a dropped output may be produced again */
    sx_fspec_free(spec_ok("feature a = 1\ndrop a\nfeature a = 2\n"));
}

Test(features_parse, expression_errors_are_placed_in_the_spec)
{
    /* the expression's own error column, shifted by where it starts */
    const char *exprs[] = {"temperature * (3 +", "1 +* 2", "'open", "f(1,", "a b"};
    for (size_t k = 0; k < sizeof exprs / sizeof exprs[0]; k++) {
        struct sx_err e;
        int ecol = 0;
        struct sx_expr *x = sx_expr_parse(exprs[k], &e, &ecol);
        cr_assert_null(x, "'%s' parsed", exprs[k]);
        cr_assert(ecol >= 1);
        const char *what = strstr(e.msg, ": ");
        cr_assert(what, "expr message '%s'", e.msg);
        char spec[128];
        snprintf(spec, sizeof spec, "# header\nfeature  t  =  %s\n", exprs[k]);
        spec_err(spec, 2, 16 + ecol - 1, what + 2);
        snprintf(spec, sizeof spec, "filter %s\n", exprs[k]);
        spec_err(spec, 1, 8 + ecol - 1, what + 2);
    }
}

Test(features_parse, expression_too_long_once_normalised)
{
    /* 1+1+…: within the expression limit as written, not once spaced out
     * as the normal form writes it, which must parse again */
    size_t n = 1500;
    char *spec = malloc(16 + 2 * n + 2);
    cr_assert(spec);
    size_t o = (size_t)sprintf(spec, "feature x = 1");
    for (size_t i = 1; i < n; i++)
        o += (size_t)sprintf(spec + o, "+1");
    strcpy(spec + o, "\n");
    spec_err(spec, 1, 13, "expression too long");
    free(spec);
}

Test(features_parse, crlf_and_tabs)
{
    struct sx_fspec *s = spec_ok("standardize\ta,\tb\r\nminmax c   \r\n");
    char *norm = sx_fspec_normalize(s);
    cr_assert_str_eq(norm, "standardize a, b\nminmax c\n");
    free(norm);
    sx_fspec_free(s);
}

/* ---- versions ---- */

static void hash_of(const char *text, char hex[65])
{
    struct sx_fspec *s = spec_ok(text);
    sx_fspec_hash(s, hex);
    sx_fspec_free(s);
}

Test(features_version, comments_and_whitespace_do_not_change_the_hash)
{
    char a[65], b[65], c[65], d[65];
    hash_of("feature t = temperature*9/5+32\nstandardize a,b\nclip p quantiles 0.010 0.99\n", a);
    hash_of("# temperature in F\n\n  feature   t =  temperature * 9 / 5 + 32  # F\n"
            "\tstandardize a ,  b\n\nclip p quantiles 1e-2 .99\n",
            b);
    cr_assert_str_eq(a, b);
    cr_assert_eq(strlen(a), 64);
    hash_of("feature t = temperature * 9 / 5 + 33\nstandardize a, b\n"
            "clip p quantiles 0.01 0.99\n",
            c);
    cr_assert_str_neq(a, c);
    hash_of("feature t = temperature * 9 / 5 + 32\nstandardize b, a\n"
            "clip p quantiles 0.01 0.99\n",
            d);
    cr_assert_str_neq(a, d);
    /* a string literal's spaces are part of the expression */
    hash_of("feature t = 'a  b'\n", c);
    hash_of("feature t = 'a b'\n", d);
    cr_assert_str_neq(c, d);
}

Test(features_version, the_normal_form_parses_to_itself)
{
    const char *text =
        "feature \"temp f\" = if(\"odd \"\"name\"\" x\" >= -3, -temperature, 2.5e-3) # c\n"
        "filter not (a in (1, 2, 3)) and b is not null or c between -1 and 1\n"
        "feature s = lower(region) = 'it''s'\n"
        "impute mode \"a,b\"\n"
        "clip x quantiles 0 1\n"
        "pca \"my pca\" 1 of a, \"b c\"\n";
    struct sx_fspec *s = spec_ok(text);
    char *n1 = sx_fspec_normalize(s);
    struct sx_fspec *s2 = spec_ok(n1);
    char *n2 = sx_fspec_normalize(s2);
    cr_assert_str_eq(n1, n2);
    char h1[65], h2[65];
    sx_fspec_hash(s, h1);
    sx_fspec_hash(s2, h2);
    cr_assert_str_eq(h1, h2);
    cr_assert(strstr(n1, "feature \"temp f\" = if(\"odd \"\"name\"\" x\" >= -3, -temperature, 2.5e-3)\n"),
              "%s", n1);
    cr_assert(strstr(n1, "pca \"my pca\" 1 of a, \"b c\"\n"), "%s", n1);
    free(n1);
    free(n2);
    sx_fspec_free(s);
    sx_fspec_free(s2);
}

/* ---- each transform on hand-computed data ---- */

Test(features_fit, impute_median_mean_mode)
{
    struct sx_frame *f = csv_frame("a,b,c,d\n"
                                   "1,1,x,7\n"
                                   "3,2,y,\n"
                                   ",,,7\n"
                                   "10,6,y,8\n"
                                   "4,,x,8\n");
    struct sx_fspec *s = spec_ok("impute median a\nimpute mean b\nimpute mode c, d\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_INFERENCE, &rep);
    /* median of 1 3 10 4 = (3 + 4) / 2 by numpy's lerp; mean of 1 2 6 = 3 */
    cr_assert_eq(num(o, "a", 2), 3.5);
    cr_assert_eq(num(o, "a", 3), 10);
    cr_assert_eq(col(o, "a")->type, SX_FLOAT);
    cr_assert_eq(num(o, "b", 2), 3);
    cr_assert_eq(num(o, "b", 4), 3);
    /* ties: x and y both twice, x seen first; 7 and 8 both twice, 7 first */
    cr_assert_eq(col(o, "c")->type, SX_CATEGORY);
    cr_assert_str_eq(sx_col_str(col(o, "c"), 2), "x");
    cr_assert_eq(col(o, "d")->type, SX_INT);
    cr_assert_eq(num(o, "d", 1), 7);
    cr_assert_eq(rep_get(rep, "imputed", "a"), 1);
    cr_assert_eq(rep_get(rep, "imputed", "b"), 2);
    cr_assert_eq(rep_get(rep, "imputed", "c"), 1);
    cr_assert_eq(rep_get(rep, "imputed", "d"), 1);
    cr_assert_eq(rep_get(rep, "missing_out", "a"), 0);
    json_t *j = sx_ffit_json(fit);
    json_t *steps = json_object_get(j, "steps");
    cr_assert_eq(json_real_value(json_object_get(
                     json_object_get(json_object_get(json_array_get(steps, 0), "columns"), "a"),
                     "value")),
                 3.5);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_object_get(json_array_get(steps, 2), "columns"), "c"),
                         "value")),
                     "x");
    json_decref(j);
    json_decref(rep);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, clip_quantiles)
{
    struct sx_frame *f = csv_frame("x,z\n5,0\n1,0\n4,0\n,0\n2,0\n3,0\n");
    struct sx_fspec *s = spec_ok("clip x quantiles 0.25 0.75\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, &rep);
    /* 1 2 3 4 5: the 0.25 quantile is 2, the 0.75 quantile 4 */
    double want[] = {4, 2, 4, NAN, 2, 3};
    for (size_t i = 0; i < 6; i++) {
        if (isnan(want[i]))
            cr_assert_not(present(o, "x", i));
        else
            cr_assert_eq(num(o, "x", i), want[i], "row %zu", i);
    }
    cr_assert_eq(rep_get(rep, "clipped", "x"), 2);
    cr_assert_eq(rep_get(rep, "missing_in", "x"), 1);
    cr_assert_eq(rep_get(rep, "missing_out", "x"), 1);
    /* an interpolated quantile: 0.1 of 1..5 is 1.4 */
    struct sx_fspec *s2 = spec_ok("clip x quantiles 0.1 0.9\n");
    struct sx_ffit *fit2 = fit_ok(s2, f);
    struct sx_frame *o2 = apply_ok(fit2, f, SX_FMODE_TRAIN, NULL);
    cr_assert(close_to(num(o2, "x", 1), 1.4, 1e-15, 0));
    cr_assert(close_to(num(o2, "x", 0), 4.6, 1e-15, 0));
    sx_frame_free(o2);
    sx_ffit_free(fit2);
    sx_fspec_free(s2);
    json_decref(rep);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, standardize_and_constant_column)
{
    struct sx_frame *f = csv_frame("a,k,i\n1,5,1\n2,5,2\n3,5,\n4,5,5\n");
    struct sx_fspec *s = spec_ok("standardize a, k, i\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    double sd = sqrt(1.25);
    for (size_t r = 0; r < 4; r++) {
        cr_assert_eq(num(o, "a", r), ((double)(r + 1) - 2.5) / sd);
        cr_assert_eq(num(o, "k", r), 0.0);   /* constant: scaled by 1 */
    }
    /* i: 1 2 5 (one missing): mean 8/3, ddof-0 variance 26/9 */
    cr_assert_eq(col(o, "i")->type, SX_FLOAT);
    cr_assert(close_to(num(o, "i", 3), (5 - 8.0 / 3) / sqrt(26.0 / 9), 1e-15, 0));
    cr_assert_not(present(o, "i", 2));
    json_t *j = sx_ffit_json(fit);
    json_t *k = json_object_get(json_object_get(json_array_get(json_object_get(j, "steps"), 0),
                                                "columns"),
                                "k");
    cr_assert_eq(json_real_value(json_object_get(k, "scale")), 1.0);
    cr_assert_eq(json_real_value(json_object_get(k, "var")), 0.0);
    json_decref(j);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, minmax_and_out_of_range)
{
    struct sx_frame *f = csv_frame("a,k\n2,3\n4,3\n6,3\n");
    struct sx_fspec *s = spec_ok("minmax a, k\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    cr_assert_eq(num(o, "a", 0), 0.0);
    cr_assert_eq(num(o, "a", 1), 0.5);
    cr_assert_eq(num(o, "a", 2), 1.0);
    cr_assert_eq(num(o, "k", 1), 0.0);       /* zero range: scale 1, x - min */
    struct sx_frame *g = csv_frame("a,k\n8,4\n0,3\n,3\n");
    json_t *rep = NULL;
    struct sx_frame *o2 = apply_ok(fit, g, SX_FMODE_INFERENCE, &rep);
    cr_assert_eq(num(o2, "a", 0), 1.5);      /* extrapolated */
    cr_assert_eq(num(o2, "a", 1), -0.5);
    cr_assert_eq(num(o2, "k", 0), 1.0);
    cr_assert_eq(rep_get(rep, "out_of_range", "a"), 2);
    cr_assert_eq(rep_get(rep, "out_of_range", "k"), 1);
    cr_assert_eq(rep_get(rep, "missing_out", "a"), 1);
    json_decref(rep);
    sx_frame_free(o2);
    sx_frame_free(g);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, onehot_top_ties_unseen_missing)
{
    struct sx_frame *f = csv_frame("r,n\nb,1\na,2\nc,3\na,4\nb,5\n,6\n");
    struct sx_fspec *s = spec_ok("onehot r top 2\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, &rep);
    /* a and b twice each, b seen first: r_b, r_a, then r_other; r stays */
    cr_assert_eq(o->ncols, 5);
    cr_assert_str_eq(o->cols[2]->name, "r_b");
    cr_assert_str_eq(o->cols[3]->name, "r_a");
    cr_assert_str_eq(o->cols[4]->name, "r_other");
    cr_assert_eq(o->cols[2]->type, SX_INT);
    int want_b[] = {1, 0, 0, 0, 1, 0}, want_a[] = {0, 1, 0, 1, 0, 0}, want_o[] = {0, 0, 1, 0, 0, 0};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(num(o, "r_b", i), want_b[i]);
        cr_assert_eq(num(o, "r_a", i), want_a[i]);
        cr_assert_eq(num(o, "r_other", i), want_o[i], "row %zu", i);
    }
    cr_assert_eq(rep_get(rep, "unseen", "r"), 1);
    cr_assert_eq(rep_get(rep, "missing_in", "r"), 1);
    json_decref(rep);
    /* inference: a new value goes to r_other and is counted */
    struct sx_frame *g = csv_frame("r,n\nz,1\na,2\nz,3\n,4\n");
    struct sx_frame *o2 = apply_ok(fit, g, SX_FMODE_INFERENCE, &rep);
    cr_assert_eq(num(o2, "r_other", 0), 1);
    cr_assert_eq(num(o2, "r_a", 1), 1);
    cr_assert_eq(num(o2, "r_other", 3) + num(o2, "r_a", 3) + num(o2, "r_b", 3), 0);
    cr_assert_eq(rep_get(rep, "unseen", "r"), 2);
    cr_assert_eq(rep_get(rep, "missing_in", "r"), 1);
    json_decref(rep);
    sx_frame_free(o2);
    sx_frame_free(g);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, onehot_names_sanitised_and_unique)
{
    struct sx_frame *f = csv_frame("v,v_x\n"
                                   "a b,1\na b,1\na b,1\n"
                                   "a-b,1\na-b,1\n"
                                   "other,1\nother,1\n"
                                   "x,1\n"
                                   "\"Zü!\",1\n");
    struct sx_fspec *s = spec_ok("onehot v top 5\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    const char *want[] = {"v", "v_x", "v_a_b", "v_a_b_2", "v_other_2", "v_x_2", "v_Z___",
                          "v_other"};
    cr_assert_eq(o->ncols, 8);
    for (size_t i = 0; i < 8; i++)
        cr_assert_str_eq(o->cols[i]->name, want[i]);
    cr_assert_eq(num(o, "v_a_b_2", 3), 1);
    cr_assert_eq(num(o, "v_other_2", 5), 1);
    cr_assert_eq(num(o, "v_other", 5), 0);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, onehot_of_ints_and_text)
{
    struct sx_frame *f = csv_frame("k\n3\n1\n3\n2\n");
    struct sx_fspec *s = spec_ok("onehot k top 2\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    cr_assert_str_eq(o->cols[1]->name, "k_3");
    cr_assert_str_eq(o->cols[2]->name, "k_1");
    cr_assert_eq(num(o, "k_other", 3), 1);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, bins_quantile_edges_right_closed)
{
    struct sx_frame *f = csv_frame("x\n1\n2\n3\n4\n5\n6\n7\n8\n");
    struct sx_fspec *s = spec_ok("bins x quantiles 4\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *j = sx_ffit_json(fit);
    json_t *edges = json_object_get(json_array_get(json_object_get(j, "steps"), 0), "edges");
    cr_assert_eq(json_array_size(edges), 3);
    cr_assert_eq(json_real_value(json_array_get(edges, 0)), 2.75);
    cr_assert_eq(json_real_value(json_array_get(edges, 1)), 4.5);
    cr_assert_eq(json_real_value(json_array_get(edges, 2)), 6.25);
    json_decref(j);
    struct sx_frame *g = csv_frame("x,z\n1,0\n2.75,0\n2.76,0\n4.5,0\n8,0\n100,0\n-5,0\n,0\n");
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, g, SX_FMODE_INFERENCE, &rep);
    long long want[] = {0, 0, 1, 1, 3, 3, 0};
    cr_assert_eq(col(o, "x_bin")->type, SX_INT);
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(num(o, "x_bin", i), (double)want[i], "row %zu", i);
    cr_assert_not(present(o, "x_bin", 7));
    cr_assert_eq(rep_get(rep, "out_of_range", "x"), 2);
    cr_assert_eq(rep_get(rep, "missing_out", "x_bin"), 1);
    json_decref(rep);
    sx_frame_free(o);
    sx_frame_free(g);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, bins_ties_merge_edges)
{
    /* 80% zeros: the 0.1 to 0.7 quantiles are all 0 and merge into one
     * edge (np.unique); right-closed, every zero stays in the first bin */
    struct sx_frame *f = csv_frame("x\n0\n0\n0\n0\n0\n0\n0\n0\n5\n9\n");
    struct sx_fspec *s = spec_ok("bins x quantiles 10\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    json_t *j = sx_ffit_json(fit);
    json_t *edges = json_object_get(json_array_get(json_object_get(j, "steps"), 0), "edges");
    /* the 0.8 quantile: 9 * 0.8 = 7.2 between x[7] = 0 and x[8] = 5; the
     * 0.9 quantile 8.1 between 5 and 9 */
    cr_assert_eq(json_array_size(edges), 3);
    cr_assert_eq(json_real_value(json_array_get(edges, 0)), 0.0);
    cr_assert(close_to(json_real_value(json_array_get(edges, 1)), 1.0, 1e-14, 0));
    cr_assert(close_to(json_real_value(json_array_get(edges, 2)), 5.4, 1e-14, 0));
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(num(o, "x_bin", i), 0);
    cr_assert_eq(num(o, "x_bin", 8), 2);
    cr_assert_eq(num(o, "x_bin", 9), 3);
    json_decref(j);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, pca_by_hand)
{
    /* points on the line y = 2x: one component along (1, 2)/sqrt(5); the
     * largest |score| is the last row's, positive, so no sign flip */
    struct sx_frame *f = csv_frame("x,y\n0,0\n1,2\n2,4\n7,14\n");
    struct sx_fspec *s = spec_ok("pca p 1 of x, y\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    json_t *j = sx_ffit_json(fit);
    json_t *st = json_array_get(json_object_get(j, "steps"), 0);
    json_t *c0 = json_array_get(json_object_get(st, "components"), 0);
    cr_assert(close_to(json_real_value(json_array_get(c0, 0)), 1 / sqrt(5), 1e-14, 0));
    cr_assert(close_to(json_real_value(json_array_get(c0, 1)), 2 / sqrt(5), 1e-14, 0));
    cr_assert(close_to(json_real_value(json_array_get(json_object_get(st, "explained_variance"), 0)),
                       145.0 / 3, 1e-14, 0));
    cr_assert(close_to(json_real_value(
                           json_array_get(json_object_get(st, "explained_variance_ratio"), 0)),
                       1.0, 1e-14, 0));
    cr_assert_eq(json_integer_value(json_object_get(st, "n_samples")), 4);
    cr_assert(close_to(num(o, "p_1", 0), -12.5 / sqrt(5), 1e-14, 0));
    cr_assert(close_to(num(o, "p_1", 3), 22.5 / sqrt(5), 1e-14, 0));
    json_decref(j);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    /* mirrored data: the largest |score| is now negative, so the sign flips */
    struct sx_frame *g = csv_frame("x,y\n0,0\n-1,-2\n-2,-4\n-7,-14\n");
    s = spec_ok("pca p 1 of x, y\n");
    fit = fit_ok(s, g);
    o = apply_ok(fit, g, SX_FMODE_TRAIN, NULL);
    cr_assert(num(o, "p_1", 3) > 0, "largest score %g", num(o, "p_1", 3));
    cr_assert(close_to(num(o, "p_1", 3), 22.5 / sqrt(5), 1e-14, 0));
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(g);
    sx_frame_free(f);
}

Test(features_fit, pca_rows_with_missing_inputs)
{
    struct sx_frame *f = csv_frame("x,y\n0,0\n1,\n1,2\n2,4\n,9\n7,14\n");
    struct sx_fspec *s = spec_ok("pca p 1 of x, y\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, &rep);
    json_t *j = sx_ffit_json(fit);
    json_t *st = json_array_get(json_object_get(j, "steps"), 0);
    cr_assert_eq(json_integer_value(json_object_get(st, "n_samples")), 4);
    cr_assert_not(present(o, "p_1", 1));
    cr_assert_not(present(o, "p_1", 4));
    cr_assert(close_to(num(o, "p_1", 5), 22.5 / sqrt(5), 1e-14, 0));
    cr_assert_eq(rep_get(rep, "missing_in", "x"), 1);
    cr_assert_eq(rep_get(rep, "missing_in", "y"), 1);
    cr_assert_eq(rep_get(rep, "missing_out", "p_1"), 2);
    json_decref(j);
    json_decref(rep);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, feature_filter_drop_in_order)
{
    struct sx_frame *f = csv_frame("t,notes\n10,a\n-50,b\n20,c\n,d\n");
    struct sx_fspec *s = spec_ok("feature f = t * 9 / 5 + 32\n"
                                 "filter t between -40 and 50\n"
                                 "standardize f\n"
                                 "drop notes\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, &rep);
    /* the filter drops -50 and the missing t; standardize sees 50 and 68 */
    cr_assert_eq(o->nrows, 2);
    cr_assert_eq(o->ncols, 2);
    cr_assert_eq(sx_frame_find(o, "notes"), -1);
    cr_assert_eq(num(o, "f", 0), -1.0);
    cr_assert_eq(num(o, "f", 1), 1.0);
    cr_assert_eq(rep_get(rep, "filtered", NULL), 2);
    cr_assert_eq(rep_get(rep, "rows_in", NULL), 4);
    cr_assert_eq(rep_get(rep, "rows_out", NULL), 2);
    cr_assert_str_eq(json_string_value(json_object_get(rep, "mode")), "train");
    json_decref(rep);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, statements_see_earlier_outputs)
{
    /* standardize reads a feature, onehot a feature, pca the standardized
     * columns, a feature the pca output, a filter the onehot output */
    struct sx_frame *f = csv_frame("a,b,r\n1,2,x\n2,1,y\n3,5,x\n4,3,z\n5,4,x\n");
    struct sx_fspec *s = spec_ok("feature c = a + b\n"
                                 "feature g = if(a > 2, 'hi', 'lo')\n"
                                 "standardize a, b, c\n"
                                 "onehot g top 1\n"
                                 "pca p 2 of a, b\n"
                                 "feature q = p_1 * 2\n"
                                 "filter g_hi = 1\n"
                                 "minmax q\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    cr_assert_eq(o->nrows, 3);
    /* q after minmax spans [0, 1] over the rows the filter kept */
    double mn = 1e300, mx = -1e300;
    for (size_t i = 0; i < o->nrows; i++) {
        mn = fmin(mn, num(o, "q", i));
        mx = fmax(mx, num(o, "q", i));
    }
    cr_assert_eq(mn, 0.0);
    cr_assert_eq(mx, 1.0);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_fit, fit_errors_with_line_and_column)
{
    struct sx_frame *f = csv_frame("a,d,r,t\n1,2020-01-01,x,hello world\n2,2020-01-02,,"
                                   "bye now\n");
    fit_err("standardize a, nope\n", f, 1, 16, "unknown column 'nope'");
    fit_err("# x\nminmax d\n", f, 2, 8, "column 'd' is date; minmax needs numbers");
    fit_err("impute median r\n", f, 1, 15, "impute needs numbers");
    fit_err("onehot a top 2\nonehot d top 2\n", f, 2, 8, "onehot needs categories");
    fit_err("pca p 1 of a, r\n", f, 1, 15, "column 'r' is text; pca needs numbers");
    fit_err("feature a = 1\n", f, 1, 9, "column 'a' already exists");
    struct sx_frame *g = csv_frame("a,a_bin\n1,2\n");
    fit_err("bins a quantiles 2\n", g, 1, 6, "column 'a_bin' already exists");
    sx_frame_free(g);
    g = csv_frame("a,a_1\n1,2\n3,4\n");
    fit_err("pca a 1 of a\n", g, 1, 5, "column 'a_1' already exists");
    sx_frame_free(g);
    fit_err("filter a + 1\n", f, 1, 8, "a filter needs a condition");
    fit_err("feature x = nope * 2\n", f, 1, 13, "nope");
    fit_err("drop r\nimpute mode r\n", f, 2, 13, "unknown column 'r'");
    fit_err("filter a > 5\nstandardize a\n", f, 2, 13, "no values to fit standardize");
    fit_err("filter a > 5\nonehot r top 1\n", f, 2, 8, "no values to fit onehot");
    fit_err("pca p 1 of a, a2\n", f, 1, 15, "unknown column 'a2'");
    fit_err("feature a2 = a * 1.5\nfilter a < 2\npca p 1 of a, a2\n", f, 3, 1,
            "pca needs at least 2 rows");
    sx_frame_free(f);
}

Test(features_fit, errors_after_onehot_are_found_by_the_fit)
{
    struct sx_frame *f = csv_frame("r,a\nx,1\ny,2\nx,3\n");
    /* the onehot outputs are known only after fitting it */
    struct sx_fspec *s = spec_ok("onehot r top 2\nstandardize r_x, r_y\n");
    struct sx_ffit *fit = fit_ok(s, f);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    fit_err("onehot r top 2\nstandardize r_q\n", f, 2, 13, "unknown column 'r_q'");
    fit_err("onehot r top 2\nfeature z = r_q + 1\n", f, 2, 13, "r_q");
    sx_frame_free(f);
}

/* ---- train vs inference ---- */

static const char *demo_spec =
    "feature month = month(d)\n"
    "feature warm = t > 15\n"
    "feature tf = t * 9 / 5 + 32\n"
    "filter t between -20 and 40\n"
    "impute median h\n"
    "impute mode seg\n"
    "clip p quantiles 0.05 0.95\n"
    "standardize t, h, w\n"
    "minmax p\n"
    "onehot region top 3\n"
    "bins w quantiles 4\n"
    "pca climate 2 of t, h, w\n"
    "drop notes\n";

/* A demo-like CSV of N rows: id, d (date), region, seg (int), t, h, w, p,
 * notes, with missing cells, out-of-range temperatures and REGIONS
 * distinct regions. Numbers have at most 10 significant digits. */
static char *demo_csv(size_t n, uint64_t seed, int regions)
{
    static const char *const rn[] = {"north", "south", "east", "west", "it's", "mars"};
    tu_rng_seed(seed);
    size_t cap = 128 + n * 160, len = 0;
    char *buf = malloc(cap);
    cr_assert(buf);
    len += (size_t)snprintf(buf + len, cap - len, "id,d,region,seg,t,h,w,p,notes\n");
    for (size_t i = 0; i < n; i++) {
        char date[16];
        sx_date_format(sx_date_from_ymd(2020, 1, 1) + (int64_t)(tu_rnd(700)), date);
        double t = -10 + 35 * tu_unif();
        if (tu_rnd(20) == 0)
            t = tu_rnd(2) ? 70 + tu_unif() : -45;
        double h = 20 + 75 * tu_unif(), w = 12 * tu_unif() * tu_unif(), p = 0.1 + tu_unif();
        char hs[32], ts[32], rs[16] = "", ss[16] = "";
        snprintf(hs, sizeof hs, "%.10g", h);
        snprintf(ts, sizeof ts, "%.10g", t);
        if (tu_rnd(9) == 0)
            hs[0] = '\0';
        if (tu_rnd(40) == 0)
            ts[0] = '\0';
        if (tu_rnd(30) != 0)
            snprintf(rs, sizeof rs, "\"%s\"", rn[tu_rnd((size_t)regions)]);
        if (tu_rnd(15) != 0)
            snprintf(ss, sizeof ss, "%d", (int)tu_rnd(4));
        len += (size_t)snprintf(buf + len, cap - len, "%zu,%s,%s,%s,%s,%s,%.10g,%.10g,%s\n", i,
                                date, rs, ss, ts, hs, w, p, tu_rnd(3) ? "note" : "");
        cr_assert(len < cap);
    }
    return buf;
}

Test(features_modes, inference_keeps_every_row_and_shared_rows_are_identical)
{
    char *csv = demo_csv(400, 7, 4);
    struct sx_frame *f = csv_frame(csv);
    free(csv);
    struct sx_fspec *s = spec_ok(demo_spec);
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *rt = NULL, *ri = NULL;
    struct sx_frame *tr = apply_ok(fit, f, SX_FMODE_TRAIN, &rt);
    struct sx_frame *in = apply_ok(fit, f, SX_FMODE_INFERENCE, &ri);
    cr_assert_eq(in->nrows, f->nrows);
    cr_assert(tr->nrows < f->nrows && tr->nrows > 300, "train kept %zu", tr->nrows);
    cr_assert_eq(rep_get(rt, "filtered", NULL), (long long)(f->nrows - tr->nrows));
    cr_assert_eq(rep_get(ri, "filtered", NULL), 0);
    cr_assert_str_eq(json_string_value(json_object_get(ri, "mode")), "inference");
    cr_assert_eq(tr->ncols, in->ncols);
    /* match rows by id; every cell bit for bit */
    size_t j = 0;
    for (size_t i = 0; i < tr->nrows; i++) {
        double id = num(tr, "id", i);
        while (num(in, "id", j) != id)
            j++;
        for (size_t c = 0; c < tr->ncols; c++) {
            cr_assert_str_eq(tr->cols[c]->name, in->cols[c]->name);
            cr_assert(same_cell(tr->cols[c], i, in->cols[c], j), "%s differs for id %g",
                      tr->cols[c]->name, id);
        }
    }
    json_decref(rt);
    json_decref(ri);
    sx_frame_free(tr);
    sx_frame_free(in);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_modes, inference_counts_unseen_missing_and_needs_no_filter_columns)
{
    struct sx_fspec *s = spec_ok("filter target > 0\n"
                                 "impute mean h\n"
                                 "onehot region top 10\n"
                                 "drop target\n");
    /* training data with a target the inference data lacks */
    struct sx_frame *train = csv_frame("region,h,target\nnorth,1,1\nsouth,,2\nnorth,3,0\n");
    struct sx_ffit *fit = fit_ok(s, train);
    struct sx_frame *g = csv_frame("region,h\nmars,5\n,\nsouth,\nvenus,1\n");
    json_t *rep = NULL;
    struct sx_frame *o = apply_ok(fit, g, SX_FMODE_INFERENCE, &rep);
    cr_assert_eq(o->nrows, 4);
    cr_assert_eq(rep_get(rep, "unseen", "region"), 2);
    cr_assert_eq(rep_get(rep, "missing_in", "region"), 1);
    cr_assert_eq(rep_get(rep, "imputed", "h"), 2);
    cr_assert_eq(num(o, "h", 1), 1.0);       /* the mean over the rows the filter kept */
    cr_assert_eq(num(o, "region_other", 0), 1);
    cr_assert_eq(num(o, "region_other", 3), 1);
    cr_assert_eq(num(o, "region_south", 2), 1);
    /* train mode needs the filter's column */
    struct sx_err err;
    cr_assert_null(sx_features_apply(fit, g, SX_FMODE_TRAIN, NULL, &err));
    cr_assert(strstr(err.msg, "1:8: ") == err.msg, "%s", err.msg);
    json_decref(rep);
    sx_frame_free(o);
    sx_frame_free(g);
    sx_ffit_free(fit);
    sx_frame_free(train);
    sx_fspec_free(s);
}

Test(features_modes, whole_numbers_in_inference_read_as_the_trained_floats)
{
    struct sx_frame *train = csv_frame("x\n1.5\n2.5\n");
    struct sx_fspec *s = spec_ok("feature y = x / 2 + x\nstandardize x\n");
    struct sx_ffit *fit = fit_ok(s, train);
    struct sx_frame *g = csv_frame("x\n1\n3\n");
    cr_assert_eq(g->cols[0]->type, SX_INT);
    struct sx_frame *o = apply_ok(fit, g, SX_FMODE_INFERENCE, NULL);
    cr_assert_eq(col(o, "y")->type, SX_FLOAT);
    cr_assert_eq(num(o, "y", 0), 1.5);
    cr_assert_eq(num(o, "x", 0), -2.0);      /* (1 - 2) / 0.5 */
    cr_assert_eq(num(o, "x", 1), 2.0);
    sx_frame_free(o);
    sx_frame_free(g);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(train);
}

Test(features_modes, empty_spec_and_empty_frames)
{
    struct sx_frame *f = csv_frame("a,r\n1,x\n2,y\n");
    struct sx_fspec *s = spec_ok("# nothing\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *o = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    assert_identical(o, f);
    sx_frame_free(o);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    /* a fit applies to a frame with no rows */
    s = spec_ok("feature b = a * 2\nstandardize a, b\nonehot r top 3\nbins a quantiles 2\n"
                "pca p 1 of a, b\nfilter a > 0\n");
    fit = fit_ok(s, f);
    struct sx_err err;
    struct sx_frame *none = sx_frame_slice(f, 0, 0, &err);
    for (int mode = 0; mode < 2; mode++) {
        json_t *rep = NULL;
        o = apply_ok(fit, none, (enum sx_fmode)mode, &rep);
        cr_assert_eq(o->nrows, 0);
        cr_assert_eq(o->ncols, 8);   /* a r b r_x r_y r_other a_bin p_1 */
        cr_assert_eq(rep_get(rep, "rows_out", NULL), 0);
        json_decref(rep);
        sx_frame_free(o);
    }
    /* and fitting on no rows says which statement has nothing to fit */
    struct sx_ffit *bad = sx_features_fit(s, none, &err);
    cr_assert_null(bad);
    cr_assert(strstr(err.msg, "2:13: column 'a' has no values to fit standardize"), "%s",
              err.msg);
    sx_frame_free(none);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

/* ---- JSON ---- */

static char *dumps(const json_t *j)
{
    char *s = json_dumps(j, JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER | JSON_COMPACT);
    cr_assert(s);
    return s;
}

Test(features_json, round_trip_is_exact)
{
    char *csv = demo_csv(300, 3, 5);
    struct sx_frame *f = csv_frame(csv);
    free(csv);
    struct sx_fspec *s = spec_ok(demo_spec);
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *j = sx_ffit_json(fit);
    char *text = dumps(j);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    cr_assert(back, "%s", jerr.text);
    /* a spec parsed again from other text with the same normal form */
    char *norm = sx_fspec_normalize(s);
    struct sx_fspec *s2 = spec_ok(norm);
    struct sx_err err;
    struct sx_ffit *fit2 = sx_ffit_from_json(s2, back, &err);
    cr_assert(fit2, "from_json: %s", err.msg);
    json_t *j2 = sx_ffit_json(fit2);
    char *text2 = dumps(j2);
    cr_assert_str_eq(text, text2);
    for (int mode = 0; mode < 2; mode++) {
        struct sx_frame *a = apply_ok(fit, f, (enum sx_fmode)mode, NULL);
        struct sx_frame *b = apply_ok(fit2, f, (enum sx_fmode)mode, NULL);
        assert_identical(a, b);
        sx_frame_free(a);
        sx_frame_free(b);
    }
    /* the outputs listed are the apply's columns */
    struct sx_frame *a = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    json_t *outs = json_object_get(j, "outputs");
    cr_assert_eq(json_array_size(outs), a->ncols);
    for (size_t i = 0; i < a->ncols; i++) {
        json_t *o = json_array_get(outs, i);
        cr_assert_str_eq(json_string_value(json_object_get(o, "name")), a->cols[i]->name);
        cr_assert_str_eq(json_string_value(json_object_get(o, "type")),
                         sx_type_name(a->cols[i]->type));
    }
    sx_frame_free(a);
    free(text);
    free(text2);
    free(norm);
    json_decref(j);
    json_decref(j2);
    json_decref(back);
    sx_ffit_free(fit2);
    sx_fspec_free(s2);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_json, bad_parameters_are_refused)
{
    struct sx_frame *f = csv_frame("a,r\n1,x\n2,y\n4,x\n");
    struct sx_fspec *s = spec_ok("standardize a\nonehot r top 2\npca p 1 of a\n");
    struct sx_ffit *fit = fit_ok(s, f);
    json_t *j = sx_ffit_json(fit);
    struct sx_err err;
    /* another spec version */
    struct sx_fspec *other = spec_ok("standardize a\nonehot r top 3\npca p 1 of a\n");
    cr_assert_null(sx_ffit_from_json(other, j, &err));
    cr_assert(strstr(err.msg, "another version of the spec"), "%s", err.msg);
    sx_fspec_free(other);
    /* each corruption is caught */
    const char *paths[][2] = {
        {"0", "columns"}, {"1", "categories"}, {"1", "other"},
        {"2", "components"}, {"2", "mean"}, {"2", "n_samples"},
    };
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        json_t *c = json_deep_copy(j);
        json_t *st = json_array_get(json_object_get(c, "steps"), (size_t)atoi(paths[k][0]));
        json_object_set_new(st, paths[k][1], json_integer(7));
        if (strcmp(paths[k][1], "n_samples") == 0)
            json_object_set_new(st, paths[k][1], json_string("junk"));
        cr_assert_null(sx_ffit_from_json(s, c, &err), "corrupt %s accepted", paths[k][1]);
        cr_assert(strstr(err.msg, "fit parameters: step"), "%s", err.msg);
        json_decref(c);
    }
    json_t *c = json_deep_copy(j);
    json_array_remove(json_object_get(c, "outputs"), 0);
    cr_assert_null(sx_ffit_from_json(s, c, &err));
    cr_assert(strstr(err.msg, "'outputs' do not follow"), "%s", err.msg);
    json_decref(c);
    c = json_deep_copy(j);
    json_object_set_new(json_array_get(json_object_get(c, "steps"), 0), "op",
                        json_string("minmax"));
    cr_assert_null(sx_ffit_from_json(s, c, &err));
    cr_assert(strstr(err.msg, "expected op 'standardize'"), "%s", err.msg);
    json_decref(c);
    cr_assert_null(sx_ffit_from_json(s, json_array_get(json_object_get(j, "steps"), 0), &err));
    json_decref(j);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

/* ---- SQL, run in SQLite ---- */

static void sqlite_load(sqlite3 *db, const struct sx_frame *f, const char *table)
{
    char *sql = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&sql, &len);
    fprintf(fp, "CREATE TABLE \"%s\" (", table);
    for (size_t c = 0; c < f->ncols; c++) {
        enum sx_type t = f->cols[c]->type;
        fprintf(fp, "%s\"%s\" %s", c ? ", " : "", f->cols[c]->name,
                t == SX_FLOAT ? "REAL" : (t == SX_INT || t == SX_BOOL) ? "INTEGER" : "TEXT");
    }
    fprintf(fp, ")");
    fclose(fp);
    char *emsg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &emsg), SQLITE_OK, "%s", emsg);
    free(sql);
    fp = open_memstream(&sql, &len);
    fprintf(fp, "INSERT INTO \"%s\" VALUES (", table);
    for (size_t c = 0; c < f->ncols; c++)
        fprintf(fp, "%s?", c ? ", " : "");
    fprintf(fp, ")");
    fclose(fp);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    free(sql);
    for (size_t i = 0; i < f->nrows; i++) {
        for (size_t c = 0; c < f->ncols; c++) {
            const struct sx_column *col = f->cols[c];
            int k = (int)c + 1;
            char buf[64];
            if (!sx_col_valid(col, i)) {
                sqlite3_bind_null(st, k);
                continue;
            }
            switch (col->type) {
            case SX_FLOAT: sqlite3_bind_double(st, k, col->v.f64[i]); break;
            case SX_INT: sqlite3_bind_int64(st, k, col->v.i64[i]); break;
            case SX_BOOL: sqlite3_bind_int(st, k, col->v.b[i]); break;
            case SX_DATE:
                sx_col_format(col, i, buf, sizeof buf);
                sqlite3_bind_text(st, k, buf, -1, SQLITE_TRANSIENT);
                break;
            default: sqlite3_bind_text(st, k, sx_col_str(col, i), -1, SQLITE_TRANSIENT); break;
            }
        }
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

/* Run SQL in DB and compare every cell with OUT: numbers at relative
 * 1e-12, text exactly, dates as ISO text, bools as 0/1. */
static void sql_compare(sqlite3 *db, const char *sql, const struct sx_frame *out)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s\n%s",
                 sqlite3_errmsg(db), sql);
    cr_assert_eq((size_t)sqlite3_column_count(st), out->ncols);
    for (size_t c = 0; c < out->ncols; c++)
        cr_assert_str_eq(sqlite3_column_name(st, (int)c), out->cols[c]->name);
    size_t row = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cr_assert(row < out->nrows, "SQL gives more rows than %zu", out->nrows);
        for (size_t c = 0; c < out->ncols; c++) {
            const struct sx_column *col = out->cols[c];
            int k = (int)c;
            int isnull = sqlite3_column_type(st, k) == SQLITE_NULL;
            cr_assert_eq(isnull, !sx_col_valid(col, row), "%s row %zu: SQL %s, C %s", col->name,
                         row, isnull ? "NULL" : "a value", isnull ? "a value" : "missing");
            if (isnull)
                continue;
            char buf[64];
            switch (col->type) {
            case SX_FLOAT:
            case SX_INT:
            case SX_BOOL: {
                double want = sx_col_num(col, row), got = sqlite3_column_double(st, k);
                cr_assert(close_to(got, want, 1e-12, 0), "%s row %zu: SQL %.17g, C %.17g",
                          col->name, row, got, want);
                break;
            }
            case SX_DATE:
                sx_col_format(col, row, buf, sizeof buf);
                cr_assert_str_eq((const char *)sqlite3_column_text(st, k), buf, "%s row %zu",
                                 col->name, row);
                break;
            default:
                cr_assert_str_eq((const char *)sqlite3_column_text(st, k), sx_col_str(col, row),
                                 "%s row %zu", col->name, row);
            }
        }
        row++;
    }
    cr_assert_eq(rc, SQLITE_DONE, "%s", sqlite3_errmsg(db));
    cr_assert_eq(row, out->nrows);
    sqlite3_finalize(st);
}

Test(features_sql, sqlite_runs_the_export_and_matches_the_c_results)
{
    char *csv = demo_csv(500, 5, 6);
    struct sx_frame *f = csv_frame(csv);
    free(csv);
    struct sx_fspec *s = spec_ok(
        "feature month = month(d)\n"
        "feature warm = t > 15\n"
        "feature tf = t * 9 / 5 + 32\n"
        "feature label = if(h > 50, 'humid', 'dry')\n"
        "filter t between -20 and 40\n"
        "impute median h\n"
        "impute mean w\n"
        "impute mode seg, region\n"
        "clip p, tf quantiles 0.05 0.95\n"
        "standardize t, h\n"
        "minmax p, seg\n"
        "onehot region top 3\n"
        "onehot label top 5\n"
        "bins w quantiles 4\n"
        "pca climate 2 of t, h, w\n"
        "drop notes\n");
    struct sx_ffit *fit = fit_ok(s, f);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite_load(db, f, "demand data");
    for (int mode = 0; mode < 2; mode++) {
        struct sx_err err;
        char *sql = sx_features_sql(fit, (enum sx_fmode)mode, SX_SQL_SQLITE, "demand data", &err);
        cr_assert(sql, "sql: %s", err.msg);
        cr_assert(strncmp(sql, "WITH\n", 5) == 0);
        struct sx_frame *out = apply_ok(fit, f, (enum sx_fmode)mode, NULL);
        sql_compare(db, sql, out);
        sx_frame_free(out);
        free(sql);
    }
    sqlite3_close(db);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

Test(features_sql, dialects_and_names)
{
    struct sx_frame *f = csv_frame("a,r\n1,x\n2,\"it's\"\n4,x\n");
    struct sx_fspec *s = spec_ok("standardize a\nonehot r top 2\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_err err;
    char *q = sx_features_sql(fit, SX_FMODE_INFERENCE, SX_SQL_SPARK, "db.t", &err);
    cr_assert(q, "%s", err.msg);
    cr_assert(strstr(q, "FROM `db`.`t`"), "%s", q);
    cr_assert(strstr(q, "CAST(`a` AS DOUBLE)"), "%s", q);
    cr_assert(strstr(q, "'it\\'s'"), "%s", q);
    free(q);
    q = sx_features_sql(fit, SX_FMODE_INFERENCE, SX_SQL_POSTGRES, "t", &err);
    cr_assert(q, "%s", err.msg);
    cr_assert(strstr(q, "CAST(\"a\" AS DOUBLE PRECISION)"), "%s", q);
    cr_assert(strstr(q, "'it''s'"), "%s", q);
    free(q);
    /* a table named like the steps */
    q = sx_features_sql(fit, SX_FMODE_INFERENCE, SX_SQL_SQLITE, "sx_step1", &err);
    cr_assert(q, "%s", err.msg);
    cr_assert(strstr(q, "sx_stage1 AS (SELECT"), "%s", q);
    free(q);
    cr_assert_null(sx_features_sql(fit, SX_FMODE_TRAIN, SX_SQL_SQLITE, "", &err));
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

/* ---- the parallel paths ---- */

/* A frame of N rows built directly: x, y (floats, some missing), k (int),
 * r (category), d (date, some missing), t (one-decimal floats). */
static struct sx_frame *big_frame(size_t n)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_err err;
    struct sx_column *x = sx_frame_add(f, "x", SX_FLOAT, &err);
    struct sx_column *y = sx_frame_add(f, "y", SX_FLOAT, &err);
    struct sx_column *k = sx_frame_add(f, "k", SX_INT, &err);
    struct sx_column *r = sx_frame_add(f, "r", SX_CATEGORY, &err);
    struct sx_column *d = sx_frame_add(f, "d", SX_DATE, &err);
    struct sx_column *t = sx_frame_add(f, "t", SX_FLOAT, &err);
    static const char *const rn[] = {"a", "b", "c", "d", "e"};
    tu_rng_seed(99);
    for (size_t i = 0; i < n; i++) {
        double u = tu_unif();
        cr_assert_eq(tu_rnd(50) ? sx_col_push_f64(x, 10 * u - 3) : sx_col_push_missing(x), SX_OK);
        cr_assert_eq(tu_rnd(70) ? sx_col_push_f64(y, 3 * u + tu_unif()) : sx_col_push_missing(y),
                     SX_OK);
        cr_assert_eq(sx_col_push_i64(k, (int64_t)tu_rnd(1000)), SX_OK);
        const char *s = rn[tu_rnd(5)];
        cr_assert_eq(sx_col_push_str(r, s, strlen(s)), SX_OK);
        cr_assert_eq(tu_rnd(40) ? sx_col_push_i64(d, 18000 + (int64_t)tu_rnd(1200))
                                : sx_col_push_missing(d), SX_OK);
        cr_assert_eq(sx_col_push_f64(t, (double)((int)tu_rnd(800) - 300) / 10), SX_OK);
    }
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    return f;
}

Test(features_parallel, big_frames_give_the_cells_small_ones_do)
{
    const size_t n = 400000;
    struct sx_frame *f = big_frame(n);
    /* one-column features of few distinct values take the distinct-value
     * path on the big frame, not on the small slices */
    struct sx_fspec *s = spec_ok("feature z = x * y + k / 7\n"
                                 "feature lab = if(k > 500, r, 'low')\n"
                                 "feature mo = month(d)\n"
                                 "feature sea = season(d)\n"
                                 "feature wkend = dayofweek(d) >= 5\n"
                                 "feature heat = max(18 - t, 0)\n"
                                 "feature km = k % 7 * 2\n"
                                 "feature up = upper(r)\n"
                                 "feature xr = coalesce(x, -1) / 3\n"
                                 "filter k % 10 != 3\n"
                                 "impute median x\n"
                                 "clip y quantiles 0.01 0.99\n"
                                 "standardize x, y, z\n"
                                 "minmax k\n"
                                 "onehot lab top 4\n"
                                 "bins z quantiles 7\n"
                                 "pca p 2 of x, y, z\n");
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_err err;
    struct sx_frame *head = sx_frame_slice(f, 0, 5000, &err);
    struct sx_frame *tail = sx_frame_slice(f, n - 3001, 3001, &err);
    for (int mode = 0; mode < 2; mode++) {
        struct sx_frame *all = apply_ok(fit, f, (enum sx_fmode)mode, NULL);
        struct sx_frame *h = apply_ok(fit, head, (enum sx_fmode)mode, NULL);
        struct sx_frame *t = apply_ok(fit, tail, (enum sx_fmode)mode, NULL);
        cr_assert_eq(all->ncols, h->ncols);
        for (size_t c = 0; c < all->ncols; c++) {
            for (size_t i = 0; i < h->nrows; i++)
                cr_assert(same_cell(all->cols[c], i, h->cols[c], i), "%s row %zu",
                          all->cols[c]->name, i);
            for (size_t i = 0; i < t->nrows; i++)
                cr_assert(same_cell(all->cols[c], all->nrows - t->nrows + i, t->cols[c], i),
                          "%s tail row %zu", all->cols[c]->name, i);
        }
        sx_frame_free(all);
        sx_frame_free(h);
        sx_frame_free(t);
    }
    sx_frame_free(head);
    sx_frame_free(tail);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
}

/* ---- scikit-learn ---- */

static json_t *run_sklearn(const char *py, const char *csv_path, char *const extra[])
{
    const char *src = getenv("SEXTANT_SRC");
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/ref/sklearn_features.py", src && *src ? src : ".");
    char *argv[32];
    size_t n = 0;
    argv[n++] = (char *)py;
    argv[n++] = script;
    argv[n++] = (char *)csv_path;
    for (size_t i = 0; extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    struct tu_run r = tu_runv(NULL, NULL, NULL, argv);
    cr_assert_eq(r.status, 0, "sklearn_features.py failed: %s", r.err);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    cr_assert(j, "sklearn_features.py output: %s", jerr.text);
    tu_run_free(&r);
    return j;
}

static double jnum(const json_t *v)
{
    return json_is_null(v) ? NAN : json_number_value(v);
}

/* Write N rows of P correlated columns c0..c{P-1} (10 significant digits,
 * a few cells missing when HOLES) to a CSV; returns its path. */
static char *random_csv(const char *dir, size_t n, size_t p, uint64_t seed, int holes)
{
    tu_rng_seed(seed);
    char *path = tu_path(dir, "random.csv");
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    for (size_t j = 0; j < p; j++)
        fprintf(fp, "%sc%zu", j ? "," : "", j);
    fputc('\n', fp);
    for (size_t i = 0; i < n; i++) {
        double base = 4 * tu_unif() - 2, other = tu_unif();
        for (size_t j = 0; j < p; j++) {
            double v = (double)(j + 1) * base + (j % 2 ? other * 3 : -other) + 0.3 * tu_unif() +
                       (double)j * 10;
            if (holes && tu_rnd(25) == 0)
                fprintf(fp, "%s", j ? "," : "");
            else
                fprintf(fp, "%s%.10g", j ? "," : "", v);
        }
        fputc('\n', fp);
    }
    fclose(fp);
    return path;
}

static const char *const colnames[] = {"c0", "c1", "c2", "c3", "c4", "c5"};

/* Compare our PCA of columns c0..c{P-1} (K components) with sklearn's. */
static void check_pca(const char *py, size_t n, size_t p, size_t k, int holes, uint64_t seed)
{
    char *dir = tu_tmpdir();
    char *path = random_csv(dir, n, p, seed, holes);
    char cols[64] = "", kbuf[8], spec[128];
    for (size_t j = 0; j < p; j++) {
        strcat(cols, j ? "," : "");
        strcat(cols, colnames[j]);
    }
    snprintf(kbuf, sizeof kbuf, "%zu", k);
    char *extra[] = {"--pca", kbuf, cols, NULL};
    json_t *ref = run_sklearn(py, path, extra);
    json_t *pr = json_array_get(json_object_get(ref, "pca"), 0);
    struct sx_csv_opts o;
    sx_csv_opts_init(&o);
    struct sx_err err;
    struct sx_frame *f = sx_csv_load(path, &o, NULL, &err);
    cr_assert(f, "%s", err.msg);
    size_t sl = (size_t)snprintf(spec, sizeof spec, "pca q %zu of ", k);
    for (size_t j = 0; j < p; j++)
        sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%s%s", j ? ", " : "", colnames[j]);
    struct sx_fspec *s = spec_ok(spec);
    struct sx_ffit *fit = fit_ok(s, f);
    struct sx_frame *out = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
    json_t *j = sx_ffit_json(fit);
    json_t *st = json_array_get(json_object_get(j, "steps"), 0);
    json_t *rows = json_object_get(pr, "rows");
    cr_assert_eq((size_t)json_integer_value(json_object_get(st, "n_samples")),
                 json_array_size(rows));
    const double rtol = 1e-8, atol = 1e-10;
    for (size_t a = 0; a < p; a++)
        cr_assert(close_to(jnum(json_array_get(json_object_get(st, "mean"), a)),
                           jnum(json_array_get(json_object_get(pr, "mean"), a)), rtol, atol));
    for (size_t c = 0; c < k; c++) {
        const char *keys[] = {"explained_variance", "explained_variance_ratio", "singular_values"};
        for (size_t q = 0; q < 3; q++) {
            double got = jnum(json_array_get(json_object_get(st, keys[q]), c));
            double want = jnum(json_array_get(json_object_get(pr, keys[q]), c));
            cr_assert(close_to(got, want, rtol, atol), "%s[%zu]: %.17g vs sklearn %.17g",
                      keys[q], c, got, want);
        }
        json_t *gc = json_array_get(json_object_get(st, "components"), c);
        json_t *wc = json_array_get(json_object_get(pr, "components"), c);
        double big = 0;
        for (size_t a = 0; a < p; a++)
            big = fmax(big, fabs(jnum(json_array_get(wc, a))));
        for (size_t a = 0; a < p; a++) {
            double got = jnum(json_array_get(gc, a)), want = jnum(json_array_get(wc, a));
            cr_assert(close_to(got, want, rtol, 1e-8 * big),
                      "component %zu[%zu]: %.17g vs sklearn %.17g (n=%zu p=%zu)", c, a, got,
                      want, n, p);
        }
    }
    cr_assert(close_to(jnum(json_object_get(st, "noise_variance")),
                       jnum(json_object_get(pr, "noise_variance")), rtol, 1e-9));
    /* scores of the fitted rows */
    json_t *tr = json_object_get(pr, "transform");
    for (size_t r = 0; r < json_array_size(rows); r++) {
        size_t row = (size_t)json_integer_value(json_array_get(rows, r));
        for (size_t c = 0; c < k; c++) {
            char name[32];
            snprintf(name, sizeof name, "q_%zu", c + 1);
            double want = jnum(json_array_get(json_array_get(tr, r), c));
            double scale = jnum(json_array_get(json_object_get(pr, "singular_values"), 0));
            cr_assert(close_to(num(out, name, row), want, rtol, 1e-10 * scale),
                      "%s row %zu: %.17g vs sklearn %.17g", name, row, num(out, name, row), want);
        }
    }
    json_decref(j);
    json_decref(ref);
    sx_frame_free(out);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

Test(features_sklearn, pca_full_svd_and_the_1_2_sign_rule)
{
    const char *py = tu_sklearn_python(" (the sign rule of PCA changed in 1.5)");
    for (uint64_t seed = 1; seed <= 6; seed++)
        check_pca(py, 60 + 37 * seed, 2 + seed % 4, 1 + seed % 2, (int)(seed % 2), seed);
    check_pca(py, 3, 5, 2, 0, 21);           /* n < p: the transposed SVD */
    check_pca(py, 4, 4, 3, 0, 22);           /* n = p */
    check_pca(py, 200000, 3, 2, 1, 23);      /* many blocks of the QR */
}

Test(features_sklearn, standard_and_minmax_scalers)
{
    const char *py = tu_sklearn_python(" (the sign rule of PCA changed in 1.5)");
    char *dir = tu_tmpdir();
    char *path = random_csv(dir, 500, 4, 31, 1);
    /* append a constant column for StandardScaler's rule */
    char *text = tu_read(path, NULL);
    size_t len = strlen(text);
    char *withk = malloc(len * 2 + 64);
    size_t o = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        o += (size_t)sprintf(withk + o, "%s,%s\n", line, o == 0 ? "k" : "0.1");
    tu_write(path, withk, o);
    free(text);
    free(withk);
    char *extra[] = {"--standard", "c0,c1,c2,c3,k", "--minmax", "c0,c1,c2,c3,k", NULL};
    json_t *ref = run_sklearn(py, path, extra);
    struct sx_csv_opts opts;
    sx_csv_opts_init(&opts);
    struct sx_err err;
    struct sx_frame *f = sx_csv_load(path, &opts, NULL, &err);
    cr_assert(f, "%s", err.msg);
    const char *names[] = {"c0", "c1", "c2", "c3", "k"};
    for (int which = 0; which < 2; which++) {
        struct sx_fspec *s = spec_ok(which ? "minmax c0, c1, c2, c3, k\n"
                                           : "standardize c0, c1, c2, c3, k\n");
        struct sx_ffit *fit = fit_ok(s, f);
        struct sx_frame *out = apply_ok(fit, f, SX_FMODE_TRAIN, NULL);
        json_t *j = sx_ffit_json(fit);
        json_t *cols = json_object_get(json_array_get(json_object_get(j, "steps"), 0), "columns");
        json_t *r = json_object_get(ref, which ? "minmax" : "standard");
        for (size_t c = 0; c < 5; c++) {
            json_t *mine = json_object_get(cols, names[c]);
            const char *pairs[][2] = {{"mean", "mean"}, {"var", "var"}, {"scale", "scale"},
                                      {"min", "data_min"}, {"max", "data_max"},
                                      {"scale", "scale"}, {"offset", "min"}};
            size_t from = which ? 3 : 0, to = which ? 7 : 3;
            for (size_t q = from; q < to; q++) {
                double got = jnum(json_object_get(mine, pairs[q][0]));
                double want = jnum(json_array_get(json_object_get(r, pairs[q][1]), c));
                cr_assert(close_to(got, want, 1e-12, 1e-15), "%s %s: %.17g vs sklearn %.17g",
                          names[c], pairs[q][0], got, want);
            }
            json_t *tr = json_object_get(r, "transform");
            for (size_t i = 0; i < f->nrows; i++) {
                double want = jnum(json_array_get(json_array_get(tr, i), c));
                if (isnan(want)) {
                    cr_assert_not(present(out, names[c], i));
                    continue;
                }
                cr_assert(close_to(num(out, names[c], i), want, 1e-12, 1e-14),
                          "%s row %zu: %.17g vs sklearn %.17g", names[c], i,
                          num(out, names[c], i), want);
            }
        }
        json_decref(j);
        sx_frame_free(out);
        sx_ffit_free(fit);
        sx_fspec_free(s);
    }
    json_decref(ref);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(path);
    free(dir);
}
