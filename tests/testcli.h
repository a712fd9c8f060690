/* tests/testcli.h: helpers shared by the tests that drive the sextant binary
 * against a project directory (test_cli.c, test_interrupt.c): a fresh
 * initialised project, one holding a small data set, the `datasets --json`
 * listing, PRAGMA integrity_check of the store, the check that a failed or
 * interrupted command left the store as it was, JSON parsing and writing a
 * demo CSV. Header-only like testutil.h, which it builds on. */
#ifndef SX_TESTCLI_H
#define SX_TESTCLI_H

#include "testutil.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "demo.h"

/* A new project directory with an initialised store (caller frees, and
 * removes it with tu_rmrf). */
static inline char *tc_new_project(void)
{
    char *dir = tu_tmpdir();
    struct tu_run r = tu_sextant(dir, "init", NULL);
    cr_assert_eq(r.status, 0, "init: %s", r.err);
    tu_run_free(&r);
    return dir;
}

/* `sextant datasets --json` in DIR, as a string (caller frees). */
static inline char *tc_datasets_json(const char *dir)
{
    struct tu_run r = tu_sextant(dir, "datasets", "--json", NULL);
    cr_assert_eq(r.status, 0, "datasets --json: %s", r.err);
    free(r.err);
    return r.out;
}

/* A new project (as tc_new_project) whose store holds one small data set,
 * NAME@1, imported from DIR/NAME.csv (caller frees). */
static inline char *tc_project_with_dataset(const char *name)
{
    char *dir = tc_new_project();
    char *file = NULL, *expect = NULL;
    if (asprintf(&file, "%s/%s.csv", dir, name) < 0 || asprintf(&expect, "%s@1\n", name) < 0)
        cr_assert_fail("asprintf");
    tu_write(file, "k,v\na,1\nb,2\n", (size_t)-1);
    struct tu_run r = tu_sextant(dir, "import", file, NULL);
    cr_assert_eq(r.status, 0, "import %s: %s", file, r.err);
    cr_assert_str_eq(r.out, expect);
    cr_assert_str_eq(r.err, "");
    tu_run_free(&r);
    free(expect);
    free(file);
    return dir;
}

/* PRAGMA integrity_check of DIR's store: "ok" when healthy (caller frees). */
static inline char *tc_integrity(const char *dir)
{
    char *db = tu_path(dir, ".sextant/store.db");
    sqlite3 *h = NULL;
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK, "open %s", db);
    cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    char *res = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(h);
    free(db);
    return res;
}

/* DIR's store passes PRAGMA integrity_check and lists exactly the data sets
 * BEFORE (an earlier tc_datasets_json of it). */
static inline void tc_assert_store_unchanged(const char *dir, const char *before)
{
    char *ok = tc_integrity(dir);
    cr_assert_str_eq(ok, "ok");
    free(ok);
    char *after = tc_datasets_json(dir);
    cr_assert_str_eq(after, before, "store changed");
    free(after);
}

/* TEXT parsed as JSON; fails the test when it is not (caller decrefs). */
static inline json_t *tc_parse_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    cr_assert(j, "not JSON (%s): %.300s", e.text, text);
    return j;
}

/* Write a demo-shaped CSV of ROWS rows (the `sextant demo` generator with
 * its default seed) to PATH. */
static inline void tc_write_demo(const char *path, uint64_t rows)
{
    struct sx_demo_opts o;
    struct sx_err err;
    sx_demo_opts_init(&o);
    o.rows = rows;
    cr_assert_eq(sx_demo_write_file(path, &o, NULL, &err), SX_OK, "%s", err.msg);
}

#endif
