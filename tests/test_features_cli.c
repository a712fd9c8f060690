/* tests/test_features_cli.c: `sextant features …` and `sextant transform`
 * end to end through the real binary: help and usage errors; add (versions
 * by normalised hash, idempotent), list and show with their JSON shapes;
 * a bad spec reported at SPEC_FILE:LINE:COL with the line and a caret and
 * nothing stored; diff (exact hunks, and against GNU diff -u); fit on a data
 * set and on a file; transform in train and inference mode (row counts,
 * identical rows, the report on the right stream, -o written whole); the
 * SQL export run by the sqlite3 command on the same rows, matching
 * transform to a relative 1e-12; the demo's feature set (the embedded spec
 * equals data/demand_features.spec; a second demo adds nothing). */
#include "testcli.h"

#include <ctype.h>
#include <math.h>

static void setup(void)
{
    unsetenv("SEXTANT_STORE");
}

TestSuite(fcli, .init = setup, .timeout = 240);

/* ---- helpers ---- */

static size_t count_char(const char *s, char ch)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == ch;
    return n;
}

/* R must have exited 0; returns its stdout (caller frees). */
static char *ok_run(struct tu_run r, const char *args)
{
    cr_assert_eq(r.status, 0, "sextant %s: status %d: %s", args, r.status, r.err);
    free(r.err);
    return r.out;
}

/* Run sextant in DIR with the arguments and expect exit 0; stdout. */
#define ok(dir, ...) ok_run(tu_sextant(dir, __VA_ARGS__, NULL), #__VA_ARGS__)

/* A line "UUID\n" (a fit id); returns the id without the newline. */
static char *fit_id(char *out)
{
    cr_assert_eq(strlen(out), 37, "a fit id and a newline: '%s'", out);
    cr_assert_eq(out[36], '\n');
    out[36] = '\0';
    for (int i = 0; i < 36; i++)
        cr_assert(i == 8 || i == 13 || i == 18 || i == 23 ? out[i] == '-'
                                                           : isxdigit((unsigned char)out[i]),
                  "not a UUID: %s", out);
    return out;
}

static void write_in(const char *dir, const char *name, const char *text)
{
    char *p = tu_path(dir, name);
    tu_write(p, text, (size_t)-1);
    free(p);
}

static char *read_in(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    char *s = tu_read(p, NULL);
    cr_assert(s, "read %s", p);
    free(p);
    return s;
}

/* `features list --json` in DIR (caller frees). */
static char *features_json(const char *dir)
{
    return ok(dir, "features", "list", "--json");
}

/* Expect exit 2, WANT in the message, and the try line for CMD. */
static void usage_error(const char *cmd, const char *want, struct tu_run r)
{
    cr_assert_eq(r.status, 2, "%s: status %d, stderr %s", want, r.status, r.err);
    cr_assert_eq(count_char(r.err, '\n'), 2, "two lines: %s", r.err);
    cr_assert(strstr(r.err, want), "stderr names '%s': %s", want, r.err);
    char tryline[64];
    snprintf(tryline, sizeof tryline, "try 'sextant %s --help'\n", cmd);
    cr_assert(strstr(r.err, tryline), "stderr has '%s': %s", tryline, r.err);
    cr_assert_str_eq(r.out, "");
    tu_run_free(&r);
}

/* Expect exit 1 with one line on stderr holding WANT. */
static void fails(const char *want, struct tu_run r)
{
    cr_assert_eq(r.status, 1, "%s: status %d, stderr %s", want, r.status, r.err);
    cr_assert(strstr(r.err, want), "stderr names '%s': %s", want, r.err);
    cr_assert_eq(count_char(r.err, '\n'), 1, "one line: %s", r.err);
    cr_assert_str_eq(r.out, "");
    tu_run_free(&r);
}

/* ---- a small CSV reader (RFC 4180) for comparing outputs ---- */

struct table {
    size_t nrows, ncols;     /* data rows; columns of the header */
    char **cells;            /* (nrows + 1) * ncols, row 0 the header */
};

static void table_free(struct table *t)
{
    for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
    return t->cells[(row + 1) * t->ncols + col];
}

static long column_of(const struct table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cells[c], name) == 0)
            return (long)c;
    return -1;
}

static struct table parse_csv(const char *text)
{
    struct table t = {0};
    size_t cap = 64, n = 0, col = 0;
    char *field = malloc(strlen(text) + 1);
    t.cells = malloc(cap * sizeof *t.cells);
    cr_assert(field && t.cells);
    const char *p = text;
    while (*p) {
        size_t len = 0;
        if (*p == '"') {
            for (p++;; p++) {
                cr_assert(*p, "unterminated quote in CSV");
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                field[len++] = *p;
            }
            p++;
        } else {
            while (*p && *p != ',' && *p != '\n' && *p != '\r')
                field[len++] = *p++;
        }
        field[len] = '\0';
        if (n == cap) {
            cap *= 2;
            t.cells = realloc(t.cells, cap * sizeof *t.cells);
            cr_assert(t.cells);
        }
        t.cells[n++] = strdup(field);
        col++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\r')
            p++;
        if (*p == '\n')
            p++;
        if (t.ncols == 0)
            t.ncols = col;
        cr_assert_eq(col, t.ncols, "ragged CSV row %zu", n / (t.ncols ? t.ncols : 1));
        col = 0;
    }
    free(field);
    cr_assert(t.ncols > 0, "empty CSV");
    t.nrows = n / t.ncols - 1;
    return t;
}

/* A and B hold the same columns and rows: text equal, or numbers within a
 * relative 1e-12 (1e-12 absolute near zero); true/false equal 1/0. */
static void tables_match(const struct table *a, const struct table *b, const char *what)
{
    cr_assert_eq(a->ncols, b->ncols, "%s: %zu vs %zu columns", what, a->ncols, b->ncols);
    cr_assert_eq(a->nrows, b->nrows, "%s: %zu vs %zu rows", what, a->nrows, b->nrows);
    for (size_t c = 0; c < a->ncols; c++)
        cr_assert_str_eq(a->cells[c], b->cells[c], "%s: header %zu", what, c);
    for (size_t r = 0; r < a->nrows; r++)
        for (size_t c = 0; c < a->ncols; c++) {
            const char *x = cell(a, r, c), *y = cell(b, r, c);
            if (strcmp(x, y) == 0)
                continue;
            const char *xs = strcmp(x, "true") == 0 ? "1" : strcmp(x, "false") == 0 ? "0" : x;
            const char *ys = strcmp(y, "true") == 0 ? "1" : strcmp(y, "false") == 0 ? "0" : y;
            char *ex, *ey;
            double dx = strtod(xs, &ex), dy = strtod(ys, &ey);
            cr_assert(*xs && *ys && !*ex && !*ey, "%s: row %zu column %s: '%s' vs '%s'", what,
                      r + 1, a->cells[c], x, y);
            double diff = fabs(dx - dy), scale = fmax(fabs(dx), fabs(dy));
            cr_assert(diff <= 1e-12 * scale || diff <= 1e-12,
                      "%s: row %zu column %s: %.17g vs %.17g", what, r + 1, a->cells[c], dx, dy);
        }
}

/* ---- fixtures ---- */

/* id,t,region,w: 12 rows; t <= 0 in rows 3, 7 and 11 (the spec's filter
 * drops them in training), one missing w, one region "d" only in SCORE. */
static const char train_csv[] =
    "id,t,region,w\n"
    "1,10.5,a,1.25\n"
    "2,12.0,b,2.5\n"
    "3,-1.0,a,0.75\n"
    "4,20.25,c,\n"
    "5,3.5,a,4.0\n"
    "6,7.75,b,3.5\n"
    "7,0.0,c,2.0\n"
    "8,15.0,a,1.0\n"
    "9,9.5,b,0.5\n"
    "10,11.0,c,6.25\n"
    "11,-4.5,a,2.75\n"
    "12,18.0,b,1.75\n";
static const char score_csv[] =
    "id,t,region,w\n"
    "101,25.0,d,\n"
    "102,-2.0,a,3.0\n"
    "103,14.5,b,9.5\n";

static const char spec_v1[] =
    "# test spec\n"
    "filter t > 0\n"
    "feature t2 = t * t + 1\n"
    "impute median w\n"
    "standardize t, w\n"
    "onehot region top 2\n";
/* v1 with other comments and spacing: the same version */
static const char spec_v1_again[] =
    "filter   t > 0     # warm days\n"
    "\n"
    "feature t2 = t * t + 1\n"
    "impute median w\n"
    "standardize t,   w\n"
    "onehot region top 2\n";
static const char spec_v2[] =
    "filter t > 0\n"
    "feature t2 = t * t + 1\n"
    "impute mean w\n"
    "standardize t, w\n"
    "onehot region top 2\n";

/* A project with train.csv imported as data set "train" and the spec
 * files v1.spec, v1b.spec and v2.spec written. */
static char *project(void)
{
    char *dir = tc_new_project();
    write_in(dir, "train.csv", train_csv);
    write_in(dir, "score.csv", score_csv);
    write_in(dir, "v1.spec", spec_v1);
    write_in(dir, "v1b.spec", spec_v1_again);
    write_in(dir, "v2.spec", spec_v2);
    char *out = ok(dir, "import", "train.csv", "--name", "train");
    cr_assert_str_eq(out, "train@1\n");
    free(out);
    return dir;
}

static void drop(char *dir)
{
    tu_rmrf(dir);
    free(dir);
}

/* ---- help and usage ---- */

Test(fcli, help_everywhere)
{
    static const char *const subs[] = {"add", "list", "show", "diff", "fit", "sql"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        struct tu_run r = tu_sextant(NULL, "features", subs[i], "--help", NULL);
        char want[64];
        snprintf(want, sizeof want, "usage: sextant features %s", subs[i]);
        cr_assert_eq(r.status, 0, "features %s --help: %s", subs[i], r.err);
        cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
        cr_assert_str_eq(r.err, "");
        tu_run_free(&r);
    }
    struct tu_run r = tu_sextant(NULL, "features", "--help", NULL);
    cr_assert_eq(r.status, 0);
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "  %s ", subs[i]);
        cr_assert(strstr(r.out, want), "features --help lists %s: %s", subs[i], r.out);
    }
    tu_run_free(&r);
    r = tu_sextant(NULL, "transform", "--help", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "usage: sextant transform FIT_ID", 31) == 0, "%s", r.out);
    cr_assert(strstr(r.out, "--json-report") && strstr(r.out, "--mode"));
    tu_run_free(&r);
    r = tu_sextant(NULL, "--help", NULL);
    cr_assert(strstr(r.out, "  features ") && strstr(r.out, "  transform "), "%s", r.out);
    tu_run_free(&r);
}

Test(fcli, usage_errors)
{
    usage_error("features", "SUBCOMMAND", tu_sextant(NULL, "features", NULL));
    usage_error("features", "frob", tu_sextant(NULL, "features", "frob", NULL));
    usage_error("features add", "SPEC_FILE", tu_sextant(NULL, "features", "add", "x", NULL));
    usage_error("features add", "extra",
                tu_sextant(NULL, "features", "add", "x", "y", "extra", NULL));
    usage_error("features list", "extra", tu_sextant(NULL, "features", "list", "extra", NULL));
    usage_error("features show", "NAME", tu_sextant(NULL, "features", "show", NULL));
    usage_error("features show", "--yaml",
                tu_sextant(NULL, "features", "show", "x", "--yaml", NULL));
    usage_error("features diff", "two versions",
                tu_sextant(NULL, "features", "diff", "x@v1", NULL));
    usage_error("features fit", "DATASET", tu_sextant(NULL, "features", "fit", "x", NULL));
    usage_error("features sql", "FIT_ID", tu_sextant(NULL, "features", "sql", NULL));
    usage_error("features sql", "oracle",
                tu_sextant(NULL, "features", "sql", "12345678", "--dialect", "oracle", NULL));
    usage_error("features sql", "--mode",
                tu_sextant(NULL, "features", "sql", "12345678", "--mode", "test", NULL));
    usage_error("transform", "FIT_ID", tu_sextant(NULL, "transform", NULL));
    usage_error("transform", "--mode",
                tu_sextant(NULL, "transform", "12345678", "x.csv", "--mode", "batch", NULL));
    usage_error("transform", "-o", tu_sextant(NULL, "transform", "12345678", "x.csv", "-o", NULL));
}

/* ---- add, list, show ---- */

Test(fcli, add_list_show)
{
    char *dir = project();
    char *out = features_json(dir);
    cr_assert_str_eq(out, "[]\n");
    free(out);
    out = ok(dir, "features", "list");
    cr_assert(strstr(out, "no feature sets yet"), "%s", out);
    free(out);

    out = ok(dir, "features", "add", "fs", "v1.spec");
    cr_assert_str_eq(out, "fs@v1\n");
    free(out);
    /* the same spec, and the same statements written differently: v1 again */
    out = ok(dir, "features", "add", "fs", "v1.spec");
    cr_assert_str_eq(out, "fs@v1\n");
    free(out);
    out = ok(dir, "features", "add", "fs", "v1b.spec");
    cr_assert_str_eq(out, "fs@v1\n");
    free(out);
    out = ok(dir, "features", "add", "fs", "v2.spec");
    cr_assert_str_eq(out, "fs@v2\n");
    free(out);
    out = ok(dir, "features", "add", "other", "v2.spec");
    cr_assert_str_eq(out, "other@v1\n");
    free(out);

    /* list --json: [{name, versions, latest, latest_version, spec_hash, fits, author, created_at, updated_at}] */
    out = features_json(dir);
    json_t *j = tc_parse_json(out);
    cr_assert_eq(json_array_size(j), 2);
    json_t *fs = json_array_get(j, 0);
    static const char *const keys[] = {"name", "versions", "latest", "latest_version",
                                       "spec_hash", "fits", "author", "created_at",
                                       "updated_at"};
    cr_assert_eq(json_object_size(fs), sizeof keys / sizeof keys[0], "%s", out);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert(json_object_get(fs, keys[i]), "list --json lacks %s", keys[i]);
    cr_assert_str_eq(json_string_value(json_object_get(fs, "name")), "fs");
    cr_assert_eq(json_integer_value(json_object_get(fs, "versions")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(fs, "latest")), "fs@v2");
    cr_assert_eq(json_integer_value(json_object_get(fs, "latest_version")), 2);
    cr_assert_eq(strlen(json_string_value(json_object_get(fs, "spec_hash"))), 64);
    cr_assert_eq(json_integer_value(json_object_get(fs, "fits")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "name")), "other");
    /* the same spec has the same hash under both names */
    cr_assert_str_eq(json_string_value(json_object_get(fs, "spec_hash")),
                     json_string_value(json_object_get(json_array_get(j, 1), "spec_hash")));
    json_decref(j);
    free(out);

    out = ok(dir, "features", "list");
    cr_assert(strstr(out, "NAME") && strstr(out, "fs") && strstr(out, "v2"), "%s", out);
    free(out);

    /* show --json of v1 (vN and plain N) */
    char *a = ok(dir, "features", "show", "fs@v1", "--json");
    char *b = ok(dir, "features", "show", "fs@1", "--json");
    cr_assert_str_eq(a, b);
    free(b);
    j = tc_parse_json(a);
    static const char *const skeys[] = {"name", "version", "id", "spec_hash", "author",
                                        "created_at", "spec", "normalized", "versions", "fits"};
    cr_assert_eq(json_object_size(j), sizeof skeys / sizeof skeys[0], "%s", a);
    for (size_t i = 0; i < sizeof skeys / sizeof skeys[0]; i++)
        cr_assert(json_object_get(j, skeys[i]), "show --json lacks %s", skeys[i]);
    cr_assert_eq(json_integer_value(json_object_get(j, "version")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(j, "spec")), spec_v1);
    const char *norm = json_string_value(json_object_get(j, "normalized"));
    cr_assert(!strchr(norm, '#'), "comments are not part of the normalised spec: %s", norm);
    json_t *vs = json_object_get(j, "versions");
    cr_assert_eq(json_array_size(vs), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(vs, 0), "version")), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(vs, 1), "version")), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(vs, 0), "fits")), 0);
    cr_assert_eq(json_array_size(json_object_get(j, "fits")), 0);
    json_decref(j);
    free(a);
    /* no version: the latest */
    out = ok(dir, "features", "show", "fs", "--json");
    j = tc_parse_json(out);
    cr_assert_eq(json_integer_value(json_object_get(j, "version")), 2);
    json_decref(j);
    free(out);
    out = ok(dir, "features", "show", "fs@v1");
    cr_assert(strstr(out, "fs@v1\n") && strstr(out, "feature t2 = t * t + 1") &&
              strstr(out, "versions") && strstr(out, "none yet"), "%s", out);
    free(out);

    fails("no feature set \"fs@v3\"", tu_sextant(dir, "features", "show", "fs@v3", NULL));
    fails("no feature set named \"nope\"", tu_sextant(dir, "features", "show", "nope", NULL));
    fails("versions start at 1", tu_sextant(dir, "features", "show", "fs@v0", NULL));
    drop(dir);
}

/* A spec that does not parse: SPEC_FILE:LINE:COL, the line, a caret under
 * the column; nothing stored (also when the set already has versions). */
static void bad_spec(const char *dir, const char *text, int line, const char *src_line)
{
    write_in(dir, "bad.spec", text);
    char *before = features_json(dir);
    struct tu_run r = tu_sextant(dir, "features", "add", "fs", "bad.spec", NULL);
    cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert_eq(count_char(r.err, '\n'), 3, "message, line, caret: %s", r.err);
    char want[64];
    snprintf(want, sizeof want, "sextant: bad.spec:%d:", line);
    cr_assert(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
    int col = atoi(r.err + strlen(want));
    cr_assert(col >= 1, "a column: %s", r.err);
    const char *l2 = strchr(r.err, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    const char *at = strstr(l2, src_line);
    cr_assert(at && at < l3, "the second line shows the spec line: %s", r.err);
    const char *caret = strchr(l3, '^');
    cr_assert(caret, "a caret: %s", r.err);
    cr_assert_eq((caret - l3) - (at - l2), col - 1, "the caret is under column %d: %s", col,
                 r.err);
    tu_run_free(&r);
    char *after = features_json(dir);
    cr_assert_str_eq(after, before, "the store changed");
    char *integrity = tc_integrity(dir);
    cr_assert_str_eq(integrity, "ok");
    free(integrity);
    free(before);
    free(after);
}

Test(fcli, bad_spec_line_col_caret_nothing_stored)
{
    char *dir = project();
    bad_spec(dir, "# fine\nfeature a = t + 1\nfeature b = (t * 3 +\n", 3,
             "feature b = (t * 3 +");
    bad_spec(dir, "feature a = t + 1\n\n  frobnicate t\n", 3, "  frobnicate t");
    bad_spec(dir, "standardize t,\n", 1, "standardize t,");
    char *out = ok(dir, "features", "add", "fs", "v1.spec");
    free(out);
    bad_spec(dir, "feature a = 'unclosed\n", 1, "feature a = 'unclosed");
    /* not UTF-8, and a NUL byte: positioned, nothing stored */
    write_in(dir, "bin.spec", "feature a = t\nfeature b = \xff\n");
    fails("bin.spec:2:13: not valid UTF-8",
          tu_sextant(dir, "features", "add", "fs", "bin.spec", NULL));
    char *p = tu_path(dir, "nul.spec");
    tu_write(p, "feature a = t\0\n", 15);
    free(p);
    fails("nul.spec:1:14: a NUL byte",
          tu_sextant(dir, "features", "add", "fs", "nul.spec", NULL));
    fails("missing.spec", tu_sextant(dir, "features", "add", "fs", "missing.spec", NULL));
    fails("is a directory", tu_sextant(dir, "features", "add", "fs", ".", NULL));
    fails("feature set name", tu_sextant(dir, "features", "add", "a b", "v1.spec", NULL));
    out = features_json(dir);
    json_t *j = tc_parse_json(out);
    cr_assert_eq(json_array_size(j), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "versions")), 1);
    json_decref(j);
    free(out);
    drop(dir);
}

/* ---- diff ---- */

/* The normalised lines of NAME@vN, from show --json (caller frees). */
static char *normalized(const char *dir, const char *ref)
{
    char *out = ok(dir, "features", "show", ref, "--json");
    json_t *j = tc_parse_json(out);
    char *n = strdup(json_string_value(json_object_get(j, "normalized")));
    json_decref(j);
    free(out);
    return n;
}

/* Line I (0-based) of TEXT as a new string. */
static char *line_of(const char *text, int i)
{
    const char *p = text;
    while (i-- > 0) {
        p = strchr(p, '\n');
        cr_assert(p);
        p++;
    }
    return strndup(p, strcspn(p, "\n"));
}

/* GNU diff -u of the normalised specs of A and B, without its header. */
static char *gnu_diff(const char *dir, const char *a, const char *b)
{
    char *na = normalized(dir, a), *nb = normalized(dir, b);
    char *pa = tu_path(dir, "a.txt"), *pb = tu_path(dir, "b.txt");
    tu_write(pa, na, (size_t)-1);
    tu_write(pb, nb, (size_t)-1);
    char *argv[] = {"/usr/bin/diff", "-u", pa, pb, NULL};
    struct tu_run r = tu_runv(dir, NULL, NULL, argv);
    cr_assert(r.status == 0 || r.status == 1, "diff: %s", r.err);
    char *body = r.out;
    for (int i = 0; i < 2 && *body; i++)     /* skip "--- a.txt DATE" and "+++ b.txt DATE" */
        body = strchr(body, '\n') + 1;
    char *res = strdup(body);
    tu_run_free(&r);
    free(na);
    free(nb);
    free(pa);
    free(pb);
    return res;
}

Test(fcli, diff_unified)
{
    char *dir = project();
    char *out = ok(dir, "features", "add", "fs", "v1.spec");
    free(out);
    out = ok(dir, "features", "add", "fs", "v2.spec");
    free(out);

    /* v1 → v2 changes the third of five statements */
    char *n1 = normalized(dir, "fs@v1"), *n2 = normalized(dir, "fs@v2");
    cr_assert_eq(count_char(n1, '\n') + (n1[strlen(n1) - 1] != '\n'), 5, "%s", n1);
    char want[2048];
    char *l[5], *changed = line_of(n2, 2);
    for (int i = 0; i < 5; i++)
        l[i] = line_of(n1, i);
    snprintf(want, sizeof want,
             "--- fs@v1\n+++ fs@v2\n@@ -1,5 +1,5 @@\n %s\n %s\n-%s\n+%s\n %s\n %s\n", l[0], l[1],
             l[2], changed, l[3], l[4]);
    out = ok(dir, "features", "diff", "fs@v1", "fs@v2");
    cr_assert_str_eq(out, want);
    free(out);
    for (int i = 0; i < 5; i++)
        free(l[i]);
    free(changed);
    free(n1);
    free(n2);

    /* identical: nothing */
    out = ok(dir, "features", "diff", "fs@v1", "fs@1");
    cr_assert_str_eq(out, "");
    free(out);

    /* longer specs: far-apart changes in two hunks, insertions, deletions;
     * each compared with GNU diff -u */
    static const char *const specs[] = {
        "feature a1 = t + 1\nfeature a2 = t + 2\nfeature a3 = t + 3\nfeature a4 = t + 4\n"
        "feature a5 = t + 5\nfeature a6 = t + 6\nfeature a7 = t + 7\nfeature a8 = t + 8\n"
        "feature a9 = t + 9\nfeature a10 = t + 10\nfeature a11 = t + 11\nfeature a12 = t + 12\n",
        /* first and last changed: two hunks */
        "feature b1 = t + 1\nfeature a2 = t + 2\nfeature a3 = t + 3\nfeature a4 = t + 4\n"
        "feature a5 = t + 5\nfeature a6 = t + 6\nfeature a7 = t + 7\nfeature a8 = t + 8\n"
        "feature a9 = t + 9\nfeature a10 = t + 10\nfeature a11 = t + 11\nfeature b12 = t + 12\n",
        /* lines inserted at the start, removed in the middle, appended */
        "feature z0 = t\nfeature b1 = t + 1\nfeature a2 = t + 2\nfeature a3 = t + 3\n"
        "feature a6 = t + 6\nfeature a7 = t + 7\nfeature a8 = t + 8\n"
        "feature a9 = t + 9\nfeature a10 = t + 10\nfeature a11 = t + 11\nfeature b12 = t + 12\n"
        "feature z1 = t\nfeature z2 = t\n",
        /* everything different */
        "feature q = t\n",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "s%zu.spec", i);
        write_in(dir, name, specs[i]);
        out = ok(dir, "features", "add", "long", name);
        free(out);
    }
    for (int a = 1; a <= 4; a++)
        for (int b = 1; b <= 4; b++) {
            char ra[32], rb[32], head[80];
            snprintf(ra, sizeof ra, "long@v%d", a);
            snprintf(rb, sizeof rb, "long@v%d", b);
            char *ours = ok(dir, "features", "diff", ra, rb);
            char *theirs = gnu_diff(dir, ra, rb);
            snprintf(head, sizeof head, "--- %s\n+++ %s\n", ra, rb);
            if (a == b) {
                cr_assert_str_eq(ours, "");
            } else {
                cr_assert(strncmp(ours, head, strlen(head)) == 0, "%s", ours);
                cr_assert_str_eq(ours + strlen(head), theirs, "diff %s %s", ra, rb);
            }
            free(ours);
            free(theirs);
        }
    out = ok(dir, "features", "diff", "long@v1", "long@v2");
    cr_assert_eq(count_char(out, '@'), 4 * 2 + 2, "two hunks: %s", out);
    free(out);
    /* versions of two sets */
    out = ok(dir, "features", "diff", "fs@v1", "long@v4");
    cr_assert(strncmp(out, "--- fs@v1\n+++ long@v4\n", 22) == 0, "%s", out);
    free(out);
    fails("no feature set \"fs@v9\"", tu_sextant(dir, "features", "diff", "fs@v1", "fs@v9", NULL));
    drop(dir);
}

/* ---- fit and transform ---- */

Test(fcli, fit_on_a_dataset_and_on_a_file)
{
    char *dir = project();
    char *out = ok(dir, "features", "add", "fs", "v1.spec");
    free(out);
    char *id1 = fit_id(ok(dir, "features", "fit", "fs", "train"));
    char *id2 = fit_id(ok(dir, "features", "fit", "fs@v1", "train.csv"));
    cr_assert_str_neq(id1, id2);

    out = ok(dir, "features", "show", "fs", "--json");
    json_t *j = tc_parse_json(out);
    json_t *fits = json_object_get(j, "fits");
    cr_assert_eq(json_array_size(fits), 2, "%s", out);
    json_t *f1 = json_array_get(fits, 0), *f2 = json_array_get(fits, 1);
    static const char *const keys[] = {"id", "dataset", "source_path", "data_hash", "rows",
                                       "author", "created_at", "params"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert(json_object_get(f1, keys[i]) && json_object_get(f2, keys[i]),
                  "a fit lacks %s", keys[i]);
    cr_assert_eq(json_object_size(f1), sizeof keys / sizeof keys[0]);
    cr_assert_str_eq(json_string_value(json_object_get(f1, "id")), id1);
    json_t *d = json_object_get(f1, "dataset");
    cr_assert_str_eq(json_string_value(json_object_get(d, "name")), "train");
    cr_assert_eq(json_integer_value(json_object_get(d, "version")), 1);
    cr_assert_eq(strlen(json_string_value(json_object_get(d, "id"))), 36);
    cr_assert(json_is_null(json_object_get(f2, "dataset")));
    cr_assert_eq(json_integer_value(json_object_get(f1, "rows")), 12);
    /* the same bytes: the data set's hash is the file's */
    cr_assert_str_eq(json_string_value(json_object_get(f1, "data_hash")),
                     json_string_value(json_object_get(f2, "data_hash")));
    const char *path = json_string_value(json_object_get(f2, "source_path"));
    cr_assert(path[0] == '/' && strstr(path, "/train.csv"), "absolute: %s", path);
    json_t *params = json_object_get(f1, "params");
    cr_assert(json_is_array(json_object_get(params, "steps")), "%s", out);
    cr_assert(json_is_array(json_object_get(params, "outputs")), "%s", out);
    /* fitted on the same rows: the same parameters */
    char *p1 = json_dumps(params, JSON_COMPACT), *p2 = json_dumps(json_object_get(f2, "params"),
                                                                  JSON_COMPACT);
    cr_assert_str_eq(p1, p2);
    free(p1);
    free(p2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "versions"),
                                                                    0), "fits")), 2);
    json_decref(j);
    free(out);
    out = ok(dir, "features", "show", "fs");
    cr_assert(strstr(out, id1) && strstr(out, id2) && strstr(out, "train@1") &&
              strstr(out, "standardize"), "%s", out);
    free(out);
    out = features_json(dir);
    j = tc_parse_json(out);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "fits")), 2);
    json_decref(j);

    /* failures store nothing */
    fails("no feature set named \"nope\"",
          tu_sextant(dir, "features", "fit", "nope", "train", NULL));
    fails("no data set named \"ghost\"", tu_sextant(dir, "features", "fit", "fs", "ghost", NULL));
    fails("missing.csv", tu_sextant(dir, "features", "fit", "fs", "missing.csv", NULL));
    write_in(dir, "nocol.csv", "x,y\n1,2\n");
    struct tu_run r = tu_sextant(dir, "features", "fit", "fs", "nocol.csv", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "nocol.csv"), "names the file: %s", r.err);
    cr_assert_eq(count_char(r.err, '\n'), 1, "one line: %s", r.err);
    tu_run_free(&r);
    char *after = features_json(dir);
    cr_assert_str_eq(after, out);
    free(after);
    free(out);
    free(id1);
    free(id2);
    drop(dir);
}

Test(fcli, transform_train_and_inference)
{
    char *dir = project();
    char *out = ok(dir, "features", "add", "fs", "v1.spec");
    free(out);
    char *id = fit_id(ok(dir, "features", "fit", "fs", "train"));
    char prefix[9];
    snprintf(prefix, sizeof prefix, "%.8s", id);

    char *train = ok(dir, "transform", id, "train", "--mode", "train");
    char *infer = ok(dir, "transform", prefix, "train.csv");
    char *infer2 = ok(dir, "transform", id, "train.csv", "--mode", "inference");
    cr_assert_str_eq(infer, infer2, "inference is the default");
    free(infer2);
    struct table tt = parse_csv(train), ti = parse_csv(infer);
    cr_assert_eq(tt.nrows, 9, "three rows with t <= 0 filtered:\n%s", train);
    cr_assert_eq(ti.nrows, 12, "no filter in inference:\n%s", infer);
    cr_assert_eq(tt.ncols, ti.ncols);
    size_t ncols = ti.ncols;
    long cid = column_of(&tt, "id");
    cr_assert(cid >= 0 && column_of(&tt, "t2") >= 0 && column_of(&tt, "region_other") >= 0,
              "%s", train);
    /* the rows both keep are identical */
    for (size_t r = 0; r < tt.nrows; r++) {
        size_t k;
        for (k = 0; k < ti.nrows; k++)
            if (strcmp(cell(&ti, k, (size_t)cid), cell(&tt, r, (size_t)cid)) == 0)
                break;
        cr_assert(k < ti.nrows);
        for (size_t c = 0; c < tt.ncols; c++)
            cr_assert_str_eq(cell(&tt, r, c), cell(&ti, k, c), "row id %s column %s",
                             cell(&tt, r, (size_t)cid), tt.cells[c]);
    }
    table_free(&tt);
    table_free(&ti);

    /* -o: the file holds what stdout would; a "wrote" line, or the report */
    out = ok(dir, "transform", id, "train.csv", "-o", "out.csv");
    char wrote[96];
    snprintf(wrote, sizeof wrote, "wrote out.csv (12 rows, %zu columns)\n", ncols);
    cr_assert_str_eq(out, wrote);
    free(out);
    char *file = read_in(dir, "out.csv");
    cr_assert_str_eq(file, infer);
    free(file);
    out = ok(dir, "transform", id, "train.csv", "--mode", "train", "-o", "out2.csv");
    free(out);
    struct tu_run r = tu_sextant(dir, "transform", id, "score.csv", "-o", "out3.csv",
                                 "--json-report", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    json_t *rep = tc_parse_json(r.out);
    static const char *const keys[] = {"mode", "rows_in", "rows_out", "filtered", "imputed",
                                       "clipped", "unseen", "missing_out"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert(json_object_get(rep, keys[i]), "the report lacks %s: %s", keys[i], r.out);
    cr_assert_str_eq(json_string_value(json_object_get(rep, "mode")), "inference");
    cr_assert_eq(json_integer_value(json_object_get(rep, "rows_in")), 3);
    cr_assert_eq(json_integer_value(json_object_get(rep, "rows_out")), 3);
    cr_assert_eq(json_integer_value(json_object_get(rep, "filtered")), 0);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rep, "imputed"), "w")), 1,
                 "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rep, "unseen"), "region")),
                 1, "%s", r.out);
    json_decref(rep);
    tu_run_free(&r);
    /* without -o the report goes to stderr, after the rows on stdout */
    r = tu_sextant(dir, "transform", id, "train", "--mode", "train", "--json-report", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, train);
    rep = tc_parse_json(r.err);
    cr_assert_str_eq(json_string_value(json_object_get(rep, "mode")), "train");
    cr_assert_eq(json_integer_value(json_object_get(rep, "rows_in")), 12);
    cr_assert_eq(json_integer_value(json_object_get(rep, "rows_out")), 9);
    cr_assert_eq(json_integer_value(json_object_get(rep, "filtered")), 3);
    json_decref(rep);
    tu_run_free(&r);

    /* failures: nothing written to OUT */
    fails("no feature fit", tu_sextant(dir, "transform", "0000000000", "train.csv", NULL));
    fails("at least", tu_sextant(dir, "transform", "abc", "train.csv", NULL));
    fails("missing.csv", tu_sextant(dir, "transform", id, "missing.csv", "-o", "never.csv",
                                    NULL));
    char *never = tu_path(dir, "never.csv");
    cr_assert_neq(access(never, F_OK), 0, "no output file on failure");
    free(never);
    fails("no data set named \"ghost\"", tu_sextant(dir, "transform", id, "ghost", NULL));
    free(train);
    free(infer);
    free(id);
    drop(dir);
}

/* ---- SQL export, run by sqlite3 ---- */

/* SQLite column types for the demo CSV's columns. */
static const char demo_table[] =
    "CREATE TABLE %s (date TEXT, region TEXT, season TEXT, temperature REAL, humidity REAL, "
    "wind REAL, price REAL, is_holiday TEXT, customer_segment TEXT, notes TEXT, demand REAL, "
    "peak_event INTEGER);\n";

/* Run SQL (from `features sql`) with sqlite3 over CSV imported as table
 * NAME; returns the result as CSV with a header (caller frees). */
static char *run_sqlite(const char *dir, const char *csv, const char *name, const char *sql)
{
    char *script_path = tu_path(dir, "run.sql"), *script = NULL;
    static const char *const cols[] = {"date", "region", "season", "temperature", "humidity",
                                       "wind", "price", "is_holiday", "customer_segment",
                                       "notes", "demand", "peak_event"};
    char create[1024], nulls[4096] = "";
    snprintf(create, sizeof create, demo_table, name);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        size_t n = strlen(nulls);
        snprintf(nulls + n, sizeof nulls - n, "UPDATE %s SET %s = NULL WHERE %s = '';\n", name,
                 cols[i], cols[i]);
    }
    cr_assert(asprintf(&script, "%s.mode csv\n.import --skip 1 %s %s\n%s.headers on\n%s\n",
                       create, csv, name, nulls, sql) > 0);
    tu_write(script_path, script, (size_t)-1);
    char *argv[] = {"/usr/bin/sqlite3", "-bail", ":memory:", NULL};
    struct tu_run r = tu_runv(dir, NULL, script_path, argv);
    cr_assert_eq(r.status, 0, "sqlite3: %s\n%s", r.err, sql);
    cr_assert_str_eq(r.err, "", "sqlite3: %s", r.err);
    char *res = r.out;
    free(r.err);
    free(script);
    free(script_path);
    return res;
}

Test(fcli, sql_matches_transform_in_sqlite)
{
    char *sqlite = "/usr/bin/sqlite3";
    cr_assert_eq(access(sqlite, X_OK), 0, "the sqlite3 command is installed by scripts/deps.sh");
    char *dir = tc_new_project();
    char *src = getenv("SEXTANT_SRC"), *specpath;
    cr_assert(asprintf(&specpath, "%s/data/demand_features.spec", src ? src : ".") > 0);
    char *csv = tu_path(dir, "demo.csv");
    /* one customer segment: 3000 rows span 500 days, every month and season */
    struct sx_demo_opts o;
    struct sx_err err;
    sx_demo_opts_init(&o);
    o.rows = 3000;
    o.segments = 1;
    cr_assert_eq(sx_demo_write_file(csv, &o, NULL, &err), SX_OK, "%s", err.msg);
    char *out = ok(dir, "features", "add", "demand", specpath);
    cr_assert_str_eq(out, "demand@v1\n");
    free(out);
    out = ok(dir, "import", "demo.csv", "--name", "demo");
    free(out);
    char *id = fit_id(ok(dir, "features", "fit", "demand", "demo"));

    for (int m = 0; m < 2; m++) {
        const char *mode = m ? "train" : "inference";
        char *want = ok(dir, "transform", id, "demo.csv", "--mode", mode);
        /* the default table name is the data set's */
        char *sql = ok(dir, "features", "sql", id, "--mode", mode);
        cr_assert(strstr(sql, "\"demo\""), "%s", sql);
        char *got = run_sqlite(dir, "demo.csv", "demo", sql);
        struct table a = parse_csv(want), b = parse_csv(got);
        if (m)
            cr_assert_leq(a.nrows, 3000);
        else
            cr_assert_eq(a.nrows, 3000);
        tables_match(&a, &b, mode);
        table_free(&a);
        table_free(&b);
        free(sql);
        free(got);
        /* --table names another table */
        sql = ok(dir, "features", "sql", id, "--mode", mode, "--table", "energy in");
        cr_assert(strstr(sql, "\"energy in\"") && !strstr(sql, "\"demo\""), "%s", sql);
        free(sql);
        free(want);
    }
    /* the other dialects print a query too */
    static const char *const dialects[] = {"sqlite", "postgres", "duckdb", "spark"};
    for (size_t i = 0; i < 4; i++) {
        out = ok(dir, "features", "sql", id, "--dialect", dialects[i]);
        cr_assert(strstr(out, "SELECT") || strstr(out, "select"), "%s: %s", dialects[i], out);
        free(out);
    }
    out = ok(dir, "features", "sql", id, "--dialect", "spark");
    cr_assert(strstr(out, "`demo`"), "Spark quotes with backquotes: %s", out);
    free(out);
    /* a fit on a plain file: the table is "input" */
    char *id2 = fit_id(ok(dir, "features", "fit", "demand", "demo.csv"));
    out = ok(dir, "features", "sql", id2);
    cr_assert(strstr(out, "\"input\""), "%s", out);
    free(out);
    free(id2);
    free(id);
    free(csv);
    free(specpath);
    drop(dir);
}

/* ---- the demo ---- */

Test(fcli, demo_spec_is_the_data_file)
{
    char *src = getenv("SEXTANT_SRC"), *path;
    cr_assert(asprintf(&path, "%s/data/demand_features.spec", src ? src : ".") > 0);
    char *text = tu_read(path, NULL);
    cr_assert(text, "%s", path);
    cr_assert_str_eq(sx_demo_feature_spec, text,
                     "core/demo_features.c and data/demand_features.spec differ");
    free(text);
    free(path);
}

Test(fcli, demo_adds_and_fits_the_feature_set_once)
{
    char *dir = tu_tmpdir();
    char *demo = tu_path(dir, "d");
    struct tu_run r = tu_sextant(dir, "demo", "d", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "demand_features@v1\n"), "%s", r.out);
    const char *fitline = strstr(r.out, "fit ");
    cr_assert(fitline, "%s", r.out);
    char first_fit[37];
    snprintf(first_fit, sizeof first_fit, "%.36s", fitline + 4);
    cr_assert(strstr(r.out, "on energy_train@1)"), "%s", r.out);
    tu_run_free(&r);
    char *before = features_json(demo), *ds_before = tc_datasets_json(demo);

    r = tu_sextant(dir, "demo", "d", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "demand_features@v1\n"), "%s", r.out);
    cr_assert(strstr(r.out, first_fit), "the same fit: %s", r.out);
    tu_run_free(&r);
    char *after = features_json(demo), *ds_after = tc_datasets_json(demo);
    cr_assert_str_eq(after, before);
    cr_assert_str_eq(ds_after, ds_before);
    /* demand_features, and demand_model (the same and the segment) for the
     * demo's models: one version and one fit each */
    json_t *j = tc_parse_json(after);
    cr_assert_eq(json_array_size(j), 2);
    const char *names[] = {"demand_features", "demand_model"};
    for (size_t i = 0; i < 2; i++) {
        json_t *set = json_array_get(j, i);
        cr_assert_str_eq(json_string_value(json_object_get(set, "name")), names[i], "%s", after);
        cr_assert_eq(json_integer_value(json_object_get(set, "versions")), 1);
        cr_assert_eq(json_integer_value(json_object_get(set, "fits")), 1);
    }
    json_decref(j);
    char *model = ok(demo, "features", "show", "demand_model");
    cr_assert(strstr(model, "onehot customer_segment top 20"), "%s", model);
    cr_assert(strstr(model, "pca weather 2 of temperature, humidity, wind"), "%s", model);
    free(model);

    /* the fit applies to the later year, whose new region is unseen */
    r = tu_sextant(demo, "transform", first_fit, "energy_2023", "-o", "f2023.csv",
                   "--json-report", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    j = tc_parse_json(r.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows_out")), 51100);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "unseen"), "region")),
                 51100 / 7, "%s", r.out);
    json_decref(j);
    tu_run_free(&r);
    char *shown = ok(demo, "features", "show", "demand_features");
    cr_assert(strstr(shown, "pca") && strstr(shown, "onehot") && strstr(shown, "energy_train@1"),
              "%s", shown);
    free(shown);
    free(before);
    free(after);
    free(ds_before);
    free(ds_after);
    tu_rmrf(dir);
    free(demo);
    free(dir);
}
