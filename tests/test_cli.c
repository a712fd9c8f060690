/* tests/test_cli.c: the command line end to end, through the real binary:
 * --help and usage errors, init, import (idempotent by content hash),
 * datasets, describe (stored, from a file, grouped), cat (table, CSV round
 * trip, typed JSON), version, demo, terminal-safe table output, and one
 * test per kind of bad input, each checking the exit status, the one-line
 * message naming file:line:col, and that the store is unchanged (data sets
 * listed the same, PRAGMA integrity_check ok). */
#include "testcli.h"

#include <math.h>

static void setup(void)
{
    unsetenv("SEXTANT_STORE");   /* the tests name their stores themselves */
}

TestSuite(cli, .init = setup, .timeout = 120);

/* ---- helpers ---- */

static size_t count_char(const char *s, char ch)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == ch;
    return n;
}

/* Import PATH (with extra ARGS) in DIR and expect EXPECT on stdout. */
static void import_ok(const char *dir, const char *path, const char *name, const char *expect)
{
    struct tu_run r = name ? tu_sextant(dir, "import", path, "--name", name, NULL)
                           : tu_sextant(dir, "import", path, NULL);
    cr_assert_eq(r.status, 0, "import %s: %s", path, r.err);
    cr_assert_str_eq(r.out, expect);
    cr_assert_str_eq(r.err, "");
    tu_run_free(&r);
}

/* ---- help and usage ---- */

static const char *const commands[] = {"init", "import", "datasets", "describe",
                                       "cat", "demo", "version"};

Test(cli, help_everywhere)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        struct tu_run r = tu_sextant(NULL, commands[i], "--help", NULL);
        cr_assert_eq(r.status, 0, "%s --help: %d %s", commands[i], r.status, r.err);
        cr_assert(strncmp(r.out, "usage: sextant", 14) == 0, "%s --help: %s", commands[i], r.out);
        cr_assert(strstr(r.out, commands[i]), "%s --help names the command", commands[i]);
        cr_assert_str_eq(r.err, "");
        tu_run_free(&r);
    }
    struct tu_run r = tu_sextant(NULL, "--help", NULL);
    cr_assert_eq(r.status, 0);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "  %s ", commands[i]);
        cr_assert(strstr(r.out, want), "sextant --help lists %s", commands[i]);
    }
    tu_run_free(&r);
    r = tu_sextant(NULL, "--version", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "sextant ", 8) == 0);
    tu_run_free(&r);
}

/* Expect exit 2, a message naming WANT, and the "try" line. */
static void usage_error(const char *cmd, const char *want, struct tu_run r)
{
    cr_assert_eq(r.status, 2, "%s: status %d, stderr %s", want, r.status, r.err);
    cr_assert_eq(count_char(r.err, '\n'), 2, "two lines: %s", r.err);
    cr_assert(strstr(r.err, want), "stderr names '%s': %s", want, r.err);
    char tryline[64];
    snprintf(tryline, sizeof tryline, cmd ? "try 'sextant %s --help'\n" : "try 'sextant --help'\n",
             cmd);
    cr_assert(strstr(r.err, tryline), "stderr has '%s': %s", tryline, r.err);
    cr_assert_str_eq(r.out, "");
    tu_run_free(&r);
}

/* No COMMAND opens the workbench, which needs a terminal: without one (the
 * tests' stdin is /dev/null) it fails with one line saying so. */
Test(cli, workbench_needs_terminal)
{
    struct tu_run r = tu_sextant(NULL, NULL);
    cr_assert_eq(r.status, 1, "status %d, stderr %s", r.status, r.err);
    cr_assert(strstr(r.err, "needs a terminal"), "stderr: %s", r.err);
    cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
    tu_run_free(&r);
}

Test(cli, usage_errors)
{
    usage_error(NULL, "--bogus", tu_sextant(NULL, "--bogus", NULL));
    usage_error(NULL, "--store", tu_sextant(NULL, "--store", NULL));
    usage_error(NULL, "nosuch", tu_sextant(NULL, "nosuch", NULL));
    usage_error("import", "FILE", tu_sextant(NULL, "import", NULL));
    usage_error("import", "--bogus", tu_sextant(NULL, "import", "x.csv", "--bogus", NULL));
    usage_error("import", "--name", tu_sextant(NULL, "import", "x.csv", "--name", NULL));
    usage_error("import", "money", tu_sextant(NULL, "import", "x.csv", "--type", "price=money", NULL));
    usage_error("import", "COL=TYPE", tu_sextant(NULL, "import", "x.csv", "--type", "price", NULL));
    usage_error("import", "--delimiter", tu_sextant(NULL, "import", "x.csv", "--delimiter", "ab", NULL));
    usage_error("import", "--name", tu_sextant(NULL, "import", "x.csv", "--name", "a@b", NULL));
    usage_error("describe", "NAME", tu_sextant(NULL, "describe", NULL));
    usage_error("describe", "--by", tu_sextant(NULL, "describe", "x.csv", "--by", NULL));
    usage_error("cat", "--json", tu_sextant(NULL, "cat", "x.csv", "--csv", "--json", NULL));
    usage_error("cat", "-n", tu_sextant(NULL, "cat", "x.csv", "-n", "many", NULL));
    usage_error("cat", "-q", tu_sextant(NULL, "cat", "x.csv", "-q", NULL));
    usage_error("datasets", "extra", tu_sextant(NULL, "datasets", "extra", NULL));
    usage_error("version", "--yaml", tu_sextant(NULL, "version", "--yaml", NULL));
    usage_error("init", "--force", tu_sextant(NULL, "init", "--force", NULL));
    usage_error("demo", "one DIR", tu_sextant(NULL, "demo", "a", "b", NULL));
}

/* ---- init ---- */

Test(cli, init_creates_once)
{
    char *dir = tu_tmpdir();
    struct tu_run r = tu_sextant(dir, "init", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *db = tu_path(dir, ".sextant/store.db");
    struct stat sb;
    cr_assert_eq(stat(db, &sb), 0);
    r = tu_sextant(dir, "init", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_eq(count_char(r.err, '\n'), 1, "%s", r.err);
    cr_assert(strncmp(r.err, "sextant: ", 9) == 0);
    tu_run_free(&r);

    /* --store names another project directory, created if missing. */
    char *other = tu_path(dir, "other");
    r = tu_sextant(dir, "--store", other, "init", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *db2 = tu_path(other, ".sextant/store.db");
    cr_assert_eq(stat(db2, &sb), 0);
    r = tu_sextant(NULL, "--store", other, "datasets", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "[]\n");
    tu_run_free(&r);

    /* Without a store, commands that need one fail with one line. */
    char *empty = tu_tmpdir();
    r = tu_sextant(empty, "datasets", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_eq(count_char(r.err, '\n'), 1, "%s", r.err);
    tu_run_free(&r);

    tu_rmrf(empty);
    tu_rmrf(dir);
    free(empty);
    free(db2);
    free(other);
    free(db);
    free(dir);
}

/* ---- import and datasets ---- */

Test(cli, import_is_idempotent_by_content)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "sales.csv");
    tu_write(csv, "region,price\nnorth,1.5\nsouth,2.5\n", (size_t)-1);
    import_ok(dir, csv, NULL, "sales@1\n");
    import_ok(dir, csv, NULL, "sales@1\n");
    char *list = tc_datasets_json(dir);
    json_t *j = tc_parse_json(list);
    cr_assert_eq(json_array_size(j), 1);
    json_decref(j);
    free(list);

    tu_write(csv, "region,price\nnorth,1.5\nsouth,2.5\neast,3.5\n", (size_t)-1);
    import_ok(dir, csv, NULL, "sales@2\n");
    import_ok(dir, csv, NULL, "sales@2\n");
    import_ok(dir, csv, "other", "other@1\n");
    list = tc_datasets_json(dir);
    j = tc_parse_json(list);
    cr_assert_eq(json_array_size(j), 3);
    json_t *v2 = NULL;
    for (size_t i = 0; i < json_array_size(j); i++) {
        json_t *d = json_array_get(j, i);
        if (strcmp(json_string_value(json_object_get(d, "name")), "sales") == 0
            && json_integer_value(json_object_get(d, "version")) == 2)
            v2 = d;
    }
    cr_assert(v2, "sales@2 listed: %s", list);
    cr_assert_eq(json_integer_value(json_object_get(v2, "rows")), 3);
    json_decref(j);
    free(list);

    /* The table names both versions. */
    struct tu_run r = tu_sextant(dir, "datasets", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "NAME") && strstr(r.out, "HASH") && strstr(r.out, "sales"));
    cr_assert_eq(count_char(r.out, '\n'), 4, "%s", r.out);
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

Test(cli, datasets_json_shape)
{
    static const char *const keys[] = {"name", "version", "id", "rows", "columns",
                                       "size_bytes", "hash", "source_path", "author",
                                       "created_at"};
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "t.csv");
    const char *content = "a,b,c\n1,x,2020-01-01\n2,y,2020-01-02\n";
    tu_write(csv, content, (size_t)-1);
    import_ok(dir, csv, NULL, "t@1\n");
    char *list = tc_datasets_json(dir);
    json_t *j = tc_parse_json(list);
    cr_assert(json_is_array(j));
    cr_assert_eq(json_array_size(j), 1);
    json_t *d = json_array_get(j, 0);
    cr_assert_eq(json_object_size(d), sizeof keys / sizeof keys[0], "%s", list);
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(d, key, val) {
        cr_assert_str_eq(key, keys[k], "key %zu", k);
        k++;
    }
    cr_assert_str_eq(json_string_value(json_object_get(d, "name")), "t");
    cr_assert_eq(json_integer_value(json_object_get(d, "version")), 1);
    cr_assert_eq(strlen(json_string_value(json_object_get(d, "id"))), 36);
    cr_assert_eq(json_integer_value(json_object_get(d, "rows")), 2);
    cr_assert_eq(json_integer_value(json_object_get(d, "columns")), 3);
    cr_assert_eq(json_integer_value(json_object_get(d, "size_bytes")), (json_int_t)strlen(content));
    const char *hash = json_string_value(json_object_get(d, "hash"));
    cr_assert_eq(strlen(hash), 64);
    cr_assert_eq(strspn(hash, "0123456789abcdef"), 64);
    char *real = realpath(csv, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(d, "source_path")), real);
    cr_assert(json_is_string(json_object_get(d, "author")));
    cr_assert(json_is_string(json_object_get(d, "created_at")));
    free(real);
    json_decref(j);
    free(list);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

/* ---- describe ---- */

static const char *const contract[] = {"name", "type", "count", "missing", "mean", "std",
                                       "min", "p25", "p50", "p75", "max", "unique", "top",
                                       "freq"};

/* The column of profile JSON P named NAME. */
static json_t *column(json_t *p, const char *name)
{
    json_t *cols = json_object_get(p, "columns");
    for (size_t i = 0; i < json_array_size(cols); i++) {
        json_t *c = json_array_get(cols, i);
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    }
    cr_assert_fail("no column %s", name);
    return NULL;
}

static void check_contract_keys(json_t *col)
{
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(col, key, val) {
        if (k < 14) {
            cr_assert_str_eq(key, contract[k], "contract key %zu", k);
        } else {
            cr_assert(strcmp(key, "ties") == 0 || strcmp(key, "topk") == 0
                      || strcmp(key, "hist") == 0 || strcmp(key, "unit") == 0,
                      "extra key %s", key);
        }
        k++;
    }
    cr_assert_geq(k, 14);
}

static double num(json_t *col, const char *key)
{
    json_t *v = json_object_get(col, key);
    cr_assert(json_is_number(v), "%s is a number", key);
    return json_number_value(v);
}

Test(cli, describe_json_contract)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "p.csv");
    tu_write(csv, "x,g,e,big,d\n1,a,,1e308,2020-01-01\n2,b,,inf,2020-01-03\n"
                  "3,a,,5,2020-01-05\n4,a,,-inf,\n", (size_t)-1);
    import_ok(dir, csv, NULL, "p@1\n");

    /* The stored profile, the file's, and both agree. */
    struct tu_run stored = tu_sextant(dir, "describe", "p", "--json", NULL);
    struct tu_run file = tu_sextant(dir, "describe", csv, "--json", NULL);
    cr_assert_eq(stored.status, 0, "%s", stored.err);
    cr_assert_eq(file.status, 0, "%s", file.err);
    json_t *js = tc_parse_json(stored.out), *jf = tc_parse_json(file.out);
    cr_assert(json_equal(js, jf), "stored %s\nfile %s", stored.out, file.out);
    cr_assert_eq(json_integer_value(json_object_get(js, "rows")), 4);
    json_t *cols = json_object_get(js, "columns");
    cr_assert_eq(json_array_size(cols), 5);
    for (size_t i = 0; i < 5; i++)
        check_contract_keys(json_array_get(cols, i));

    json_t *x = column(js, "x");
    cr_assert_str_eq(json_string_value(json_object_get(x, "type")), "int");
    cr_assert_eq(json_integer_value(json_object_get(x, "count")), 4);
    cr_assert_eq(json_integer_value(json_object_get(x, "missing")), 0);
    cr_assert_eq(num(x, "mean"), 2.5);
    cr_assert_eq(num(x, "std"), sqrt(5.0 / 3.0));
    cr_assert_eq(num(x, "min"), 1.0);
    cr_assert_eq(num(x, "p25"), 1.75);
    cr_assert_eq(num(x, "p50"), 2.5);
    cr_assert_eq(num(x, "p75"), 3.25);
    cr_assert_eq(num(x, "max"), 4.0);
    cr_assert(json_is_null(json_object_get(x, "unique")));
    cr_assert(json_is_null(json_object_get(x, "top")));
    cr_assert(json_is_null(json_object_get(x, "freq")));
    /* %.17g: the text itself carries the digits that read back. */
    char digits[64];
    snprintf(digits, sizeof digits, "%.17g", sqrt(5.0 / 3.0));
    cr_assert(strstr(stored.out, digits), "%s in %s", digits, stored.out);

    json_t *g = column(js, "g");
    cr_assert_str_eq(json_string_value(json_object_get(g, "type")), "category");
    for (size_t i = 4; i <= 10; i++)
        cr_assert(json_is_null(json_object_get(g, contract[i])), "g.%s null", contract[i]);
    cr_assert_eq(json_integer_value(json_object_get(g, "unique")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(g, "top")), "a");
    cr_assert_eq(json_integer_value(json_object_get(g, "freq")), 3);

    /* An all-missing column: NaN statistics are null. */
    json_t *e = column(js, "e");
    cr_assert_eq(json_integer_value(json_object_get(e, "count")), 0);
    cr_assert_eq(json_integer_value(json_object_get(e, "missing")), 4);
    cr_assert(json_is_null(json_object_get(e, "mean")));
    cr_assert(json_is_null(json_object_get(e, "std")));

    /* Infinities are strings. */
    json_t *big = column(js, "big");
    cr_assert_str_eq(json_string_value(json_object_get(big, "max")), "inf");
    cr_assert_str_eq(json_string_value(json_object_get(big, "min")), "-inf");

    /* Dates: ISO strings, std in days. */
    json_t *d = column(js, "d");
    cr_assert_str_eq(json_string_value(json_object_get(d, "type")), "date");
    cr_assert_eq(json_integer_value(json_object_get(d, "missing")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(d, "min")), "2020-01-01");
    cr_assert_str_eq(json_string_value(json_object_get(d, "mean")), "2020-01-03");
    cr_assert_str_eq(json_string_value(json_object_get(d, "max")), "2020-01-05");
    cr_assert_eq(num(d, "std"), 2.0);
    cr_assert(json_is_null(json_object_get(d, "top")));

    json_decref(js);
    json_decref(jf);
    tu_run_free(&stored);
    tu_run_free(&file);

    /* The text table has a row per column. */
    struct tu_run r = tu_sextant(dir, "describe", "p", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "p@1: 4 rows, 5 columns"), "%s", r.out);
    cr_assert(strstr(r.out, "mean") && strstr(r.out, "25%") && strstr(r.out, "freq"));
    cr_assert(strstr(r.out, "2020-01-03"), "dates shown as dates: %s", r.out);
    cr_assert_eq(count_char(r.out, '\n'), 7, "%s", r.out);
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

Test(cli, describe_file_stores_nothing)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "f.csv");
    tu_write(csv, "a,b\n1,2\n3,4\n", (size_t)-1);
    char *before = tc_datasets_json(dir);
    struct tu_run r = tu_sextant(dir, "describe", csv, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "describe", csv, "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *after = tc_datasets_json(dir);
    cr_assert_str_eq(before, after);
    cr_assert_str_eq(before, "[]\n");

    /* No store needed at all for a file. */
    char *bare = tu_tmpdir();
    r = tu_sextant(bare, "describe", csv, "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    struct stat sb;
    char *sx = tu_path(bare, ".sextant");
    cr_assert_neq(stat(sx, &sb), 0);
    free(sx);
    tu_rmrf(bare);
    free(bare);
    free(before);
    free(after);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

Test(cli, describe_by_group)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "g.csv");
    tu_write(csv, "region,v\nnorth,1\nsouth,10\nnorth,3\nsouth,30\nnorth,5\n", (size_t)-1);
    import_ok(dir, csv, "g", "g@1\n");
    struct tu_run r = tu_sextant(dir, "describe", "g", "--by", "region", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *j = tc_parse_json(r.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 5);
    cr_assert_str_eq(json_string_value(json_object_get(j, "by")), "region");
    json_t *groups = json_object_get(j, "groups");
    cr_assert_eq(json_array_size(groups), 2);
    json_t *north = json_array_get(groups, 0), *south = json_array_get(groups, 1);
    cr_assert_str_eq(json_string_value(json_object_get(north, "value")), "north");
    cr_assert_eq(json_integer_value(json_object_get(north, "rows")), 3);
    cr_assert_eq(num(column(north, "v"), "mean"), 3.0);
    cr_assert_str_eq(json_string_value(json_object_get(south, "value")), "south");
    cr_assert_eq(num(column(south, "v"), "mean"), 20.0);
    json_decref(j);
    tu_run_free(&r);

    r = tu_sextant(dir, "describe", "g", "--by", "region", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "region = north: 3 rows"), "%s", r.out);
    cr_assert(strstr(r.out, "region = south: 2 rows"), "%s", r.out);
    tu_run_free(&r);

    r = tu_sextant(dir, "describe", "g", "--by", "nosuch", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "nosuch"));
    cr_assert_eq(count_char(r.err, '\n'), 1);
    tu_run_free(&r);

    /* A changed source cannot be regrouped; the stored profile still works. */
    tu_write(csv, "region,v\nnorth,1\n", (size_t)-1);
    r = tu_sextant(dir, "describe", "g", "--by", "region", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "changed"), "%s", r.err);
    cr_assert_eq(count_char(r.err, '\n'), 1);
    tu_run_free(&r);
    unlink(csv);
    r = tu_sextant(dir, "describe", "g", "--by", "region", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "gone"), "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "describe", "g@1", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    j = tc_parse_json(r.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 5);
    json_decref(j);
    tu_run_free(&r);
    r = tu_sextant(dir, "describe", "g@2", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_eq(count_char(r.err, '\n'), 1);
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

/* ---- cat ---- */

Test(cli, cat_csv_round_trip)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "demo.csv");
    tc_write_demo(csv, 3000);
    import_ok(dir, csv, "d", "d@1\n");
    struct tu_run r = tu_sextant(dir, "cat", "d", "--csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(count_char(r.out, '\n'), 3001);
    char *out = tu_path(dir, "again.csv");
    tu_write(out, r.out, (size_t)-1);
    tu_run_free(&r);

    struct tu_run a = tu_sextant(dir, "describe", "d", "--json", NULL);
    struct tu_run b = tu_sextant(dir, "describe", out, "--json", NULL);
    cr_assert_eq(a.status, 0, "%s", a.err);
    cr_assert_eq(b.status, 0, "%s", b.err);
    json_t *ja = tc_parse_json(a.out), *jb = tc_parse_json(b.out);
    cr_assert(json_equal(ja, jb), "profiles differ:\n%.2000s\n%.2000s", a.out, b.out);
    json_decref(ja);
    json_decref(jb);
    tu_run_free(&a);
    tu_run_free(&b);

    /* Quoted notes survive as quoted fields. */
    char *text = tu_read(out, NULL);
    cr_assert(strstr(text, "\"maintenance, substation 4\"") || strstr(text, "\"outage, 2h\""));
    free(text);

    /* -n limits; the table shows 20 rows by default and says so. */
    r = tu_sextant(dir, "cat", "d", "--csv", "-n", "5", NULL);
    cr_assert_eq(count_char(r.out, '\n'), 6);
    tu_run_free(&r);
    r = tu_sextant(dir, "cat", "d", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(count_char(r.out, '\n'), 22, "%s", r.out);
    cr_assert(strstr(r.out, "(20 of 3000 rows"));
    tu_run_free(&r);
    tu_rmrf(dir);
    free(out);
    free(csv);
    free(dir);
}

Test(cli, cat_json_typed)
{
    char *dir = tu_tmpdir();
    char *csv = tu_path(dir, "typed.csv");
    tu_write(csv, "i,f,b,d,c,t\n"
                  "1,1.5,true,2020-01-31,x,\"a,b\"\n"
                  "2,,false,,x,\n"
                  ",3,TRUE,2021-02-28,,u\n", (size_t)-1);
    struct tu_run r = tu_sextant(dir, "cat", csv, "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *j = tc_parse_json(r.out);
    cr_assert_eq(json_array_size(j), 3);
    json_t *r0 = json_array_get(j, 0), *r1 = json_array_get(j, 1), *r2 = json_array_get(j, 2);
    cr_assert(json_is_integer(json_object_get(r0, "i")));
    cr_assert_eq(json_integer_value(json_object_get(r0, "i")), 1);
    cr_assert(json_is_real(json_object_get(r0, "f")));
    cr_assert_eq(json_real_value(json_object_get(r0, "f")), 1.5);
    cr_assert(json_is_real(json_object_get(r2, "f")), "3 in a float column stays a float");
    cr_assert(json_is_true(json_object_get(r0, "b")));
    cr_assert(json_is_false(json_object_get(r1, "b")));
    cr_assert(json_is_true(json_object_get(r2, "b")));
    cr_assert_str_eq(json_string_value(json_object_get(r0, "d")), "2020-01-31");
    cr_assert_str_eq(json_string_value(json_object_get(r0, "c")), "x");
    cr_assert_str_eq(json_string_value(json_object_get(r0, "t")), "a,b");
    cr_assert(json_is_null(json_object_get(r1, "f")));
    cr_assert(json_is_null(json_object_get(r1, "d")));
    cr_assert(json_is_null(json_object_get(r1, "t")));
    cr_assert(json_is_null(json_object_get(r2, "i")));
    cr_assert(json_is_null(json_object_get(r2, "c")));
    json_decref(j);
    tu_run_free(&r);

    r = tu_sextant(dir, "cat", csv, "--csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "i,f,b,d,c,t\n"
                            "1,1.5,true,2020-01-31,x,\"a,b\"\n"
                            "2,,false,,x,\n"
                            ",3.0,true,2021-02-28,,u\n");
    tu_run_free(&r);

    r = tu_sextant(dir, "cat", csv, "--json", "-n", "0", NULL);
    cr_assert_str_eq(r.out, "[]\n");
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

/* ---- version ---- */

Test(cli, version_json_keys)
{
    static const char *const keys[] = {"sextant", "compiler", "libc", "sqlite", "gsl",
                                       "ncurses", "libcsv", "libsodium", "jansson",
                                       "gnuplot", "os", "arch", "host"};
    struct tu_run r = tu_sextant(NULL, "version", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *j = tc_parse_json(r.out);
    cr_assert_eq(json_object_size(j), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(j, keys[i]);
        cr_assert(v, "key %s", keys[i]);
        cr_assert(json_is_string(v) || (strcmp(keys[i], "gnuplot") == 0 && json_is_null(v)));
    }
    cr_assert(strlen(json_string_value(json_object_get(j, "sextant"))) > 0);
    json_decref(j);
    tu_run_free(&r);
    r = tu_sextant(NULL, "version", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "sextant ", 8) == 0);
    cr_assert(strstr(r.out, "sqlite"));
    tu_run_free(&r);
}

/* ---- demo ---- */

Test(cli, demo_creates_and_is_idempotent)
{
    char *dir = tu_tmpdir();
    char *demo = tu_path(dir, "d");
    struct tu_run r = tu_sextant(dir, "demo", "d", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "energy_train@1\n") && strstr(r.out, "energy_2023@1\n"), "%s", r.out);
    cr_assert(strstr(r.out, "sextant describe energy_train --by region"));
    tu_run_free(&r);
    char *first = tc_datasets_json(demo);
    json_t *j = tc_parse_json(first);
    cr_assert_eq(json_array_size(j), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *d = json_array_get(j, i);
        const char *name = json_string_value(json_object_get(d, "name"));
        json_int_t rows = json_integer_value(json_object_get(d, "rows"));
        cr_assert_eq(json_integer_value(json_object_get(d, "columns")), 12);
        if (strcmp(name, "energy_train") == 0)
            cr_assert_eq(rows, 219120);
        else
            cr_assert(strcmp(name, "energy_2023") == 0 && rows == 51100, "%s %lld", name,
                      (long long)rows);
    }
    json_decref(j);

    r = tu_sextant(dir, "demo", "d", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "energy_train@1\n") && strstr(r.out, "energy_2023@1\n"), "%s", r.out);
    tu_run_free(&r);
    char *second = tc_datasets_json(demo);
    cr_assert_str_eq(first, second);

    /* The store answers from inside the project. */
    r = tu_sextant(demo, "describe", "energy_train", "--by", "region", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    j = tc_parse_json(r.out);
    cr_assert_eq(json_array_size(json_object_get(j, "groups")), 6);
    json_decref(j);
    tu_run_free(&r);
    r = tu_sextant(demo, "describe", "energy_2023", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    j = tc_parse_json(r.out);
    cr_assert_eq(json_integer_value(json_object_get(column(j, "region"), "unique")), 7);
    json_decref(j);
    tu_run_free(&r);
    free(first);
    free(second);
    tu_rmrf(dir);
    free(demo);
    free(dir);
}

/* ---- untrusted text in table output ---- */

static void assert_inert(const char *what, const char *out)
{
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        cr_assert(*p >= 0x20 || *p == '\n', "%s: control byte 0x%02x in output", what, *p);
    cr_assert(!strchr(out, 0x7f), "%s: DEL in output", what);
}

Test(cli, hostile_header_is_inert)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "evil.csv");
    const char *name = "b\"q`id`;rm -rf x\n\x1b[2J\x1b]0;pwn\x07 end";
    tu_write(csv, "a,\"b\"\"q`id`;rm -rf x\n\x1b[2J\x1b]0;pwn\x07 end\",c\n"
                  "1,\"\x1b[31mred\",z\n", (size_t)-1);
    struct tu_run r = tu_sextant(dir, "import", csv, "--delimiter", ",", "--name", "evil", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);

    const char *const views[][4] = {
        {"cat", "evil", NULL, NULL},
        {"describe", "evil", NULL, NULL},
        {"describe", "evil", "--by", "c"},
        {"datasets", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        r = tu_sextant(dir, views[i][0], views[i][1], views[i][2], views[i][3], NULL);
        cr_assert_eq(r.status, 0, "%s: %s", views[i][0], r.err);
        assert_inert(views[i][0], r.out);
        if (strcmp(views[i][0], "datasets") != 0)
            cr_assert(strstr(r.out, "\\x1B"), "%s shows the escape: %s", views[i][0], r.out);
        tu_run_free(&r);
    }
    r = tu_sextant(dir, "cat", "evil", NULL);
    cr_assert(strstr(r.out, "b\"q`id`;rm -rf x\\n\\x1B[2J\\x1B]0"), "%s", r.out);
    cr_assert(strstr(r.out, "\\x1B[31mred"));
    cr_assert_eq(count_char(r.out, '\n'), 2, "header and one row: %s", r.out);
    tu_run_free(&r);

    /* JSON and CSV are exact. */
    r = tu_sextant(dir, "cat", "evil", "--json", NULL);
    json_t *j = tc_parse_json(r.out);
    cr_assert(json_object_get(json_array_get(j, 0), name), "exact key in %s", r.out);
    json_decref(j);
    tu_run_free(&r);
    r = tu_sextant(dir, "cat", "evil", "--csv", NULL);
    cr_assert(strstr(r.out, "\"b\"\"q`id`;rm -rf x\n\x1b[2J\x1b]0;pwn\x07 end\""));
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

/* ---- bad input: each a non-zero exit, one line naming the place, the
 * store unchanged ---- */

struct bad {
    char *dir, *before;
};

/* A store holding one good data set, and its state. */
static struct bad bad_begin(void)
{
    struct bad b;
    b.dir = tc_project_with_dataset("good");
    b.before = tc_datasets_json(b.dir);
    return b;
}

/* Run `sextant import PATH ARGS…` and check the failure. POSITIONED: the
 * message must carry PATH:LINE:COL. */
static void bad_import(struct bad *b, const char *path, int positioned, const char *extra1,
                       const char *extra2)
{
    struct tu_run r = tu_sextant(b->dir, "import", path, extra1, extra2, NULL);
    cr_assert_eq(r.status, 1, "status %d, stderr: %s", r.status, r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert_eq(count_char(r.err, '\n'), 1, "one line: %s", r.err);
    cr_assert(strncmp(r.err, "sextant: ", 9) == 0, "%s", r.err);
    const char *at = strstr(r.err, path);
    cr_assert(at, "names the file %s: %s", path, r.err);
    if (positioned) {
        const char *p = at + strlen(path);
        size_t d1, d2;
        cr_assert(*p == ':', "file:line:col in %s", r.err);
        d1 = strspn(p + 1, "0123456789");
        cr_assert(d1 > 0 && p[1 + d1] == ':', "file:line:col in %s", r.err);
        d2 = strspn(p + 2 + d1, "0123456789");
        cr_assert(d2 > 0 && p[2 + d1 + d2] == ':', "file:line:col in %s", r.err);
    }
    tu_run_free(&r);
    tc_assert_store_unchanged(b->dir, b->before);
}

static void bad_end(struct bad *b)
{
    tu_rmrf(b->dir);
    free(b->dir);
    free(b->before);
}

/* Write CONTENT (LEN bytes) to DIR/NAME and import it expecting failure. */
static void bad_content(const char *name, const char *content, size_t len, const char *extra1,
                        const char *extra2)
{
    struct bad b = bad_begin();
    char *path = tu_path(b.dir, name);
    tu_write(path, content, len);
    bad_import(&b, path, 1, extra1, extra2);
    free(path);
    bad_end(&b);
}

/* PATH given to import, describe and cat fails with the same one line,
 * the loader's "PATH:1:1: WHAT" (import hashes before it loads, and must
 * still say it the loader's way). */
static void bad_file_everywhere(struct bad *b, const char *path, const char *what)
{
    bad_import(b, path, 1, NULL, NULL);
    char want[4200];
    snprintf(want, sizeof want, "sextant: %s:1:1: %s\n", path, what);
    static const char *const cmds[] = {"import", "describe", "cat"};
    for (size_t i = 0; i < 3; i++) {
        struct tu_run r = tu_sextant(b->dir, cmds[i], path, NULL);
        cr_expect_eq(r.status, 1, "%s: status %d", cmds[i], r.status);
        cr_expect_str_eq(r.err, want, "%s", cmds[i]);
        cr_expect_str_eq(r.out, "", "%s", cmds[i]);
        tu_run_free(&r);
    }
    tc_assert_store_unchanged(b->dir, b->before);
}

/* NAME in a fresh project: missing, or (AS_DIR) a directory. */
static void bad_path(const char *name, int as_dir, const char *what)
{
    struct bad b = bad_begin();
    char *path = tu_path(b.dir, name);
    if (as_dir)
        cr_assert_eq(mkdir(path, 0755), 0);
    bad_file_everywhere(&b, path, what);
    free(path);
    bad_end(&b);
}

Test(cli, bad_missing_file)
{
    bad_path("nosuch.csv", 0, "cannot open: No such file or directory");
}

Test(cli, bad_directory)
{
    bad_path("adir.csv", 1, "is a directory, expected a CSV file");
}

/* A file whose name is no data set name: say how to give one; a missing
 * file with such a name is still reported as missing first. */
Test(cli, bad_default_name)
{
    struct bad b = bad_begin();
    char *path = tu_path(b.dir, "a@b.csv");
    tu_write(path, "a\n1\n", (size_t)-1);
    struct tu_run r = tu_sextant(b.dir, "import", path, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    char want[4200];
    snprintf(want, sizeof want, "sextant: %s: data set name may not contain '@' (it separates "
             "the version: NAME@VERSION); give a name with --name\n", path);
    cr_expect_str_eq(r.err, want);
    tu_run_free(&r);
    tc_assert_store_unchanged(b.dir, b.before);
    /* What the message says to do works. */
    r = tu_sextant(b.dir, "import", path, "--name", "ab", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "ab@1\n");
    tu_run_free(&r);
    free(path);
    bad_end(&b);
    bad_path("gone@x.csv", 0, "cannot open: No such file or directory");
}

Test(cli, bad_empty_file)
{
    bad_content("empty.csv", "", 0, NULL, NULL);
}

Test(cli, header_only_is_a_zero_row_data_set)
{
    char *dir = tc_new_project();
    char *csv = tu_path(dir, "hdr.csv");
    tu_write(csv, "a,b,c\n", (size_t)-1);
    import_ok(dir, csv, NULL, "hdr@1\n");
    char *list = tc_datasets_json(dir);
    json_t *j = tc_parse_json(list);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "rows")), 0);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "columns")), 3);
    json_decref(j);
    free(list);
    struct tu_run r = tu_sextant(dir, "describe", "hdr", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

Test(cli, bad_ragged_rows)
{
    bad_content("ragged.csv", "a,b,c\n1,2,3\n4,5\n", (size_t)-1, NULL, NULL);
}

Test(cli, bad_unterminated_quote)
{
    bad_content("quote.csv", "a,b\n1,\"abc\n2,3\n", (size_t)-1, NULL, NULL);
}

Test(cli, bad_nul_bytes)
{
    static const char data[] = "a,b\n1,2\n3,x\0y\n";
    bad_content("nul.csv", data, sizeof data - 1, NULL, NULL);
}

Test(cli, bad_invalid_utf8)
{
    bad_content("utf8.csv", "a,b\n1,ok\n2,\xff\xfe bad\n", (size_t)-1, NULL, NULL);
}

Test(cli, bad_duplicate_header)
{
    bad_content("dup.csv", "a,b,a\n1,2,3\n", (size_t)-1, NULL, NULL);
}

Test(cli, bad_empty_header_name)
{
    bad_content("emptyname.csv", "a,,c\n1,2,3\n", (size_t)-1, NULL, NULL);
}

Test(cli, bad_huge_field)
{
    size_t n = 10u << 20;
    char *data = malloc(n + 32);
    cr_assert(data);
    size_t len = (size_t)sprintf(data, "a,b\n1,");
    memset(data + len, 'x', n);
    len += n;
    data[len++] = '\n';
    bad_content("huge.csv", data, len, NULL, NULL);
    free(data);
}

Test(cli, bad_type_override)
{
    bad_content("price.csv", "item,price\na,1\nb,2.50\n", (size_t)-1, "--type", "price=int");
}
