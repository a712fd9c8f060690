/* tests/teststore.h: helpers the store tests share (test_store.c,
 * test_featstore.c, test_dataset.c): a new store in a temporary directory,
 * dropping it again, and reading one number back with SQL. Header-only
 * like testutil.h, which it builds on. */
#ifndef SX_TESTSTORE_H
#define SX_TESTSTORE_H

#include <limits.h>

#include <sqlite3.h>

#include "store.h"
#include "testutil.h"

/* A new store in a new temporary directory, open for writing; *DIR
 * receives the directory. Release both with tu_store_drop(). */
static inline struct sx_store *tu_store_new(char **dir)
{
    char path[PATH_MAX];
    struct sx_err err = {0};
    *dir = tu_tmpdir();
    cr_assert_eq(sx_store_init(*dir, path, sizeof path, &err), SX_OK, "%s", err.msg);
    struct sx_store *st = sx_store_open(path, 0, &err);
    cr_assert(st, "%s", err.msg);
    return st;
}

/* Close ST, then remove and free DIR. */
static inline void tu_store_drop(struct sx_store *st, char *dir)
{
    sx_store_close(st);
    tu_rmrf(dir);
    free(dir);
}

/* The first column of the first row of SQL (no parameters) on DB. */
static inline long long tu_q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s: %s", sql, sqlite3_errmsg(db));
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

#endif
