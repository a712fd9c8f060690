/* tests/test_store.c: the project store (core/store.c) and the hashes and
 * UUIDs it relies on (core/hash.c): locating and creating stores,
 * migrations, WAL and foreign keys, recording data sets and their
 * versions, reference samples, rollback on failure, two connections at
 * once, and data set references. */
#include "teststore.h"
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <pwd.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "frame.h"
#include "hash.h"
#include "profile.h"
#include "store.h"

/* ---- helpers ---- */

/* The first column of the first row of SQL with ?1 bound to ARG, as a new string. */
static char *q_text(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s: %s", sql, sqlite3_errmsg(db));
    char *v = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    sqlite3_close(db);
}

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    long long v = tu_q_int(db, sql);
    sqlite3_close(db);
    return v;
}

static struct sx_column *add(struct sx_frame *f, const char *name, enum sx_type t)
{
    struct sx_err err = {0};
    struct sx_column *c = sx_frame_add(f, name, t, &err);
    cr_assert(c, "%s", err.msg);
    return c;
}

static void sync_frame(struct sx_frame *f)
{
    struct sx_err err = {0};
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK, "%s", err.msg);
}

static const char *const regions[] = {"north", "south", "east", "wést"};

/* N rows of every type, each column with missing cells at its own rows,
 * plus the awkward values: infinities, -0.0, int64 extremes, quotes,
 * commas and non-ASCII text. */
static struct sx_frame *typed_frame(size_t n)
{
    struct sx_frame *f = sx_frame_new();
    cr_assert(f);
    struct sx_column *cf = add(f, "f", SX_FLOAT), *ci = add(f, "i", SX_INT),
                     *cb = add(f, "b", SX_BOOL), *cd = add(f, "d", SX_DATE),
                     *ct = add(f, "ts", SX_DATE), *cc = add(f, "cat", SX_CATEGORY),
                     *cx = add(f, "txt", SX_TEXT);
    ct->unit = SX_SECONDS;
    for (size_t r = 0; r < n; r++) {
        char buf[96];
        if (r % 7 == 3) cr_assert_eq(sx_col_push_missing(cf), SX_OK);
        else if (r == 5) sx_col_push_f64(cf, INFINITY);
        else if (r == 6) sx_col_push_f64(cf, -INFINITY);
        else if (r == 8) sx_col_push_f64(cf, -0.0);
        else sx_col_push_f64(cf, (double)r * 0.1 + 1.0 / 3.0);
        if (r % 5 == 1) sx_col_push_missing(ci);
        else if (r == 9) sx_col_push_i64(ci, INT64_MAX);
        else if (r == 12) sx_col_push_i64(ci, INT64_MIN);
        else sx_col_push_i64(ci, (int64_t)r * 1000003 - 5000000000000LL);
        if (r % 6 == 2) sx_col_push_missing(cb);
        else sx_col_push_bool(cb, (int)(r % 2));
        if (r % 4 == 0) sx_col_push_missing(cd);
        else sx_col_push_i64(cd, 17000 + (int64_t)r);
        if (r % 9 == 4) sx_col_push_missing(ct);
        else sx_col_push_i64(ct, 1600000000 + (int64_t)r * 3600);
        if (r % 8 == 7) sx_col_push_missing(cc);
        else sx_col_push_str(cc, regions[r % 4], strlen(regions[r % 4]));
        if (r % 10 == 0) {
            sx_col_push_missing(cx);
        } else {
            snprintf(buf, sizeof buf, "note %zu, \"quoted\" ✓ データ", r);
            sx_col_push_str(cx, buf, strlen(buf));
        }
    }
    sync_frame(f);
    cr_assert_eq(f->nrows, n);
    return f;
}

/* Cell R of A equals cell S of B (same type), missing included. */
static int cell_eq(const struct sx_column *a, size_t r, const struct sx_column *b, size_t s)
{
    if (sx_col_valid(a, r) != sx_col_valid(b, s))
        return 0;
    if (!sx_col_valid(a, r))
        return 1;
    switch (a->type) {
    case SX_FLOAT:
        return memcmp(&a->v.f64[r], &b->v.f64[s], sizeof(double)) == 0;
    case SX_INT:
    case SX_DATE:
        return a->v.i64[r] == b->v.i64[s];
    case SX_BOOL:
        return a->v.b[r] == b->v.b[s];
    case SX_CATEGORY:
    case SX_TEXT:
        return strcmp(sx_col_str(a, r), sx_col_str(b, s)) == 0;
    }
    return 0;
}

static void hash_of(const char *text, char hex[SX_HASH_HEX])
{
    sx_hash_bytes(text, strlen(text), hex);
}

/* Record F as NAME with content hash of CONTENT; returns created. */
static int put(struct sx_store *st, const char *name, const char *content,
               const struct sx_frame *f, struct sx_dataset *out)
{
    char hex[SX_HASH_HEX];
    struct sx_err err = {0};
    int created = -1;
    hash_of(content, hex);
    struct sx_dataset_new in = {
        .name = name, .source_path = "/data/x.csv", .hash = hex,
        .size_bytes = strlen(content), .frame = f, .profile = NULL,
        .options_json = "{\"delimiter\":\",\",\"na\":null}",
    };
    cr_assert_eq(sx_store_dataset_put(st, &in, out, &created, &err), SX_OK, "%s", err.msg);
    cr_assert(created == 0 || created == 1);
    return created;
}

static long long count(struct sx_store *st, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return tu_q_int(sx_store_db(st), sql);
}

static void hash_init(void)
{
    struct sx_err err = {0};
    cr_assert_eq(sx_hash_init(&err), SX_OK, "%s", err.msg);
}

TestSuite(hash, .init = hash_init);
TestSuite(store, .init = hash_init);
TestSuite(ref);

/* ---- hashes and UUIDs ---- */

Test(hash, blake2b_256_known_vectors)
{
    char hex[SX_HASH_HEX];
    sx_hash_bytes("", 0, hex);
    cr_expect_str_eq(hex, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    sx_hash_bytes("abc", 3, hex);
    cr_expect_str_eq(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

Test(hash, file_equals_bytes)
{
    char *dir = tu_tmpdir(), *p = tu_path(dir, "abc.txt"), *q = tu_path(dir, "big.bin");
    char a[SX_HASH_HEX], b[SX_HASH_HEX];
    struct sx_err err = {0};
    uint64_t size = 0;

    tu_write(p, "abc", 3);
    cr_assert_eq(sx_hash_file(p, a, &size, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(a, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    cr_expect_eq(size, 3);

    /* More than the 1 MiB read buffer, and not a multiple of it. */
    size_t n = 3 * (1u << 20) + 7;
    unsigned char *data = malloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 24);
    }
    tu_write(q, (const char *)data, n);
    sx_hash_bytes(data, n, b);
    cr_assert_eq(sx_hash_file(q, a, &size, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(a, b);
    cr_expect_eq(size, n);
    cr_assert_eq(sx_hash_file(q, a, NULL, &err), SX_OK);   /* SIZE may be NULL */
    data[n / 2] ^= 1;
    sx_hash_bytes(data, n, b);
    cr_expect_str_neq(a, b);
    free(data);

    char *missing = tu_path(dir, "nope");
    cr_expect_eq(sx_hash_file(missing, a, NULL, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "nope"), "%s", err.msg);
    cr_expect_neq(sx_hash_file(dir, a, NULL, &err), SX_OK);
    free(missing);
    free(p);
    free(q);
    tu_rmrf(dir);
    free(dir);
}

/* Progress calls for sx_hash_file_progress: the bytes seen, and a cancel
 * after STOP_AFTER calls. */
struct hash_prog {
    uint64_t last;
    int calls, stop_after, backwards;
};

static int on_hash_progress(void *ctx, uint64_t done)
{
    struct hash_prog *p = ctx;
    if (done < p->last)
        p->backwards = 1;
    p->last = done;
    return ++p->calls > p->stop_after;
}

Test(hash, progress_and_cancel)
{
    char *dir = tu_tmpdir(), *q = tu_path(dir, "big.bin");
    char a[SX_HASH_HEX], b[SX_HASH_HEX];
    struct sx_err err = {0};
    uint64_t size = 0;

    size_t n = 2 * (1u << 20) + 5;   /* three reads of the 1 MiB buffer */
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 7 + 3);
    tu_write(q, data, n);
    cr_assert_eq(sx_hash_file(q, a, NULL, &err), SX_OK, "%s", err.msg);

    struct hash_prog p = {.stop_after = 1 << 30};
    cr_assert_eq(sx_hash_file_progress(q, b, &size, on_hash_progress, &p, &err), SX_OK);
    cr_expect_str_eq(a, b, "the same hash with progress");
    cr_expect_eq(size, n);
    cr_expect_eq(p.calls, 4, "before each read, the last one finding the end");
    cr_expect_eq(p.last, n);
    cr_expect_not(p.backwards);

    struct hash_prog stop = {.stop_after = 1};
    cr_expect_eq(sx_hash_file_progress(q, b, NULL, on_hash_progress, &stop, &err), SX_ECANCEL);
    cr_expect(strstr(err.msg, "big.bin: cancelled"), "%s", err.msg);
    cr_expect_eq(stop.calls, 2);

    /* From an open descriptor: what is left after its position. */
    int fd = open(q, O_RDONLY);
    cr_assert(fd >= 0);
    cr_assert_eq(lseek(fd, 5, SEEK_SET), 5);
    cr_assert_eq(sx_hash_fd(fd, q, a, &size, NULL, NULL, &err), SX_OK, "%s", err.msg);
    sx_hash_bytes(data + 5, n - 5, b);
    cr_expect_str_eq(a, b);
    cr_expect_eq(size, n - 5);
    close(fd);

    cr_expect_eq(sx_hash_file_progress(dir, a, NULL, on_hash_progress, &p, &err), SX_EINVAL);
    cr_expect(strstr(err.msg, "is a directory"), "%s", err.msg);
    free(data);
    free(q);
    tu_rmrf(dir);
    free(dir);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(hash, uuid_v4_format_and_uniqueness)
{
    enum { N = 2000 };
    static char ids[N][SX_UUID_LEN];
    char *ptr[N];
    for (size_t k = 0; k < N; k++) {
        char *u = ids[k];
        sx_uuid(u);
        ptr[k] = u;
        cr_assert_eq(strlen(u), 36, "%s", u);
        for (size_t i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                cr_assert_eq(u[i], '-', "%s", u);
            else
                cr_assert((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f'),
                          "%s", u);
        }
        cr_assert_eq(u[14], '4', "version nibble: %s", u);
        cr_assert(strchr("89ab", u[19]), "variant nibble: %s", u);
    }
    qsort(ptr, N, sizeof ptr[0], cmp_str);
    for (size_t k = 1; k < N; k++)
        cr_assert_str_neq(ptr[k - 1], ptr[k]);
}

/* ---- locating and creating ---- */

Test(store, locate_every_way)
{
    char *proj = tu_tmpdir(), *other = tu_tmpdir();
    char path[PATH_MAX], got[PATH_MAX], want[PATH_MAX];
    struct sx_err err = {0};

    cr_assert_eq(sx_store_init(proj, path, sizeof path, &err), SX_OK, "%s", err.msg);
    cr_assert(realpath(path, want));
    cr_expect_str_eq(path, want);
    cr_assert_eq(unsetenv("SEXTANT_STORE"), 0);
    cr_assert_eq(chdir(other), 0);

    /* explicit file, project directory, .sextant directory */
    cr_assert_eq(sx_store_locate(path, got, sizeof got, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(got, want);
    cr_assert_eq(sx_store_locate(proj, got, sizeof got, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(got, want);
    char *sxdir = tu_path(proj, ".sextant");
    cr_assert_eq(sx_store_locate(sxdir, got, sizeof got, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(got, want);

    /* SEXTANT_STORE, and an explicit path wins over it */
    cr_assert_eq(setenv("SEXTANT_STORE", proj, 1), 0);
    cr_assert_eq(sx_store_locate(NULL, got, sizeof got, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(got, want);
    char *nowhere = tu_path(other, "missing.db");
    cr_expect_eq(sx_store_locate(nowhere, got, sizeof got, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "missing.db"), "%s", err.msg);
    cr_assert_eq(setenv("SEXTANT_STORE", nowhere, 1), 0);
    cr_expect_eq(sx_store_locate(NULL, got, sizeof got, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "SEXTANT_STORE"), "%s", err.msg);
    cr_assert_eq(unsetenv("SEXTANT_STORE"), 0);

    /* a directory without a store */
    cr_expect_eq(sx_store_locate(other, got, sizeof got, &err), SX_ENOTFOUND);

    /* upward from a nested subdirectory */
    char *nested = tu_path(proj, "a");
    cr_assert_eq(mkdir(nested, 0755), 0);
    char *deeper = tu_path(nested, "b");
    cr_assert_eq(mkdir(deeper, 0755), 0);
    cr_assert_eq(chdir(deeper), 0);
    cr_assert_eq(sx_store_locate(NULL, got, sizeof got, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(got, want);
    cr_assert_eq(chdir(proj), 0);
    cr_assert_eq(sx_store_locate(NULL, got, sizeof got, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(got, want);

    /* too small an output buffer */
    char tiny[8];
    cr_expect_eq(sx_store_locate(path, tiny, sizeof tiny, &err), SX_EINVAL);

    cr_assert_eq(chdir("/"), 0);
    free(nested);
    free(deeper);
    free(nowhere);
    free(sxdir);
    tu_rmrf(proj);
    tu_rmrf(other);
    free(proj);
    free(other);
}

Test(store, locate_not_found)
{
    char *dir = tu_tmpdir(), *sub = tu_path(dir, "x");
    char got[PATH_MAX], probe[PATH_MAX];
    struct sx_err err = {0};

    /* Skip if some ancestor of the temporary directory holds a store. */
    cr_assert(realpath(dir, probe));
    for (;;) {
        char cand[PATH_MAX + 32];
        snprintf(cand, sizeof cand, "%s/.sextant/store.db", strcmp(probe, "/") ? probe : "");
        if (access(cand, F_OK) == 0) {
            cr_skip_test("%s exists", cand);
            return;
        }
        char *slash = strrchr(probe, '/');
        if (!slash || slash == probe)
            break;
        *slash = '\0';
    }
    if (access("/.sextant/store.db", F_OK) == 0) {
        cr_skip_test("/.sextant/store.db exists");
        return;
    }
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(chdir(sub), 0);
    cr_assert_eq(unsetenv("SEXTANT_STORE"), 0);
    cr_expect_eq(sx_store_locate(NULL, got, sizeof got, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "sextant init"), "%s", err.msg);
    /* An empty .sextant directory is not a store. */
    cr_assert_eq(mkdir(".sextant", 0755), 0);
    cr_expect_eq(sx_store_locate(NULL, got, sizeof got, &err), SX_ENOTFOUND);
    cr_assert_eq(chdir("/"), 0);
    tu_rmrf(dir);
    free(sub);
    free(dir);
}

Test(store, init_twice_is_eexist)
{
    char *dir = tu_tmpdir();
    char path[PATH_MAX], again[PATH_MAX];
    struct sx_err err = {0};

    cr_assert_eq(sx_store_init(dir, path, sizeof path, &err), SX_OK, "%s", err.msg);
    cr_expect(strstr(path, "/.sextant/store.db"), "%s", path);
    cr_expect_eq(raw_int(path, "PRAGMA user_version"), sx_store_schema_version());
    cr_expect_eq(sx_store_init(dir, again, sizeof again, &err), SX_EEXIST);
    cr_expect(strstr(err.msg, "already exists"), "%s", err.msg);
    /* init with DIR NULL works in the working directory */
    char *sub = tu_path(dir, "w");
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(chdir(sub), 0);
    cr_assert_eq(sx_store_init(NULL, again, sizeof again, &err), SX_OK, "%s", err.msg);
    cr_expect(access(".sextant/store.db", F_OK) == 0);
    cr_expect_eq(sx_store_init(NULL, again, sizeof again, &err), SX_EEXIST);
    /* a directory that does not exist */
    char *missing = tu_path(dir, "nope");
    cr_expect_eq(sx_store_init(missing, again, sizeof again, &err), SX_ENOTFOUND);
    cr_assert_eq(chdir("/"), 0);
    free(missing);
    free(sub);
    tu_rmrf(dir);
    free(dir);
}

/* ---- opening and migrating ---- */

Test(store, open_sets_wal_foreign_keys_and_busy_timeout)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    char *mode = q_text(db, "PRAGMA journal_mode", NULL);
    cr_expect_str_eq(mode, "wal");
    free(mode);
    cr_expect_eq(tu_q_int(db, "PRAGMA foreign_keys"), 1);
    cr_expect_eq(tu_q_int(db, "PRAGMA busy_timeout"), 5000);
    cr_expect_eq(tu_q_int(db, "PRAGMA user_version"), sx_store_schema_version());
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                              "name IN ('datasets', 'dataset_samples', 'settings')"), 3);
    cr_expect(strstr(sx_store_path(st), "/.sextant/store.db"));
    /* A sample row for a data set that does not exist violates the foreign key. */
    int rc = sqlite3_exec(db, "INSERT INTO dataset_samples (dataset_id, col_index, name, type, "
                              "values_json) VALUES ('no-such-id', 0, 'x', 'int', '[]')",
                          NULL, NULL, NULL);
    cr_expect_eq(rc, SQLITE_CONSTRAINT, "%s", sqlite3_errmsg(db));
    cr_expect_eq(count(st, "dataset_samples"), 0);
    tu_store_drop(st, dir);
}

Test(store, open_migrates_an_older_store)
{
    char *dir = tu_tmpdir(), *path = tu_path(dir, "old.db");
    struct sx_err err = {0};

    tu_write(path, "", 0);          /* an empty file is an SQLite database at version 0 */
    /* read-only never migrates: it refuses and leaves the file as it was */
    struct sx_store *st = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_expect_null(st);
    cr_expect_eq(err.code, SX_ESTORE);
    cr_expect(strstr(err.msg, "read-only"), "%s", err.msg);
    cr_expect_eq(raw_int(path, "PRAGMA user_version"), 0);
    cr_expect_eq(raw_int(path, "SELECT count(*) FROM sqlite_master"), 0);

    st = sx_store_open(path, 0, &err);
    cr_assert(st, "%s", err.msg);
    cr_expect_eq(tu_q_int(sx_store_db(st), "PRAGMA user_version"), sx_store_schema_version());
    cr_expect_eq(count(st, "datasets"), 0);
    sx_store_close(st);
    /* opening again changes nothing */
    st = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_assert(st, "%s", err.msg);
    cr_expect_eq(tu_q_int(sx_store_db(st), "PRAGMA user_version"), sx_store_schema_version());
    sx_store_close(st);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

/* A store an older sextant wrote (schema 1) opened read-only by this build
 * is migrated once through a read-write connection, keeps its data sets,
 * and is then read-only as asked. */
Test(store, readonly_open_upgrades_an_older_store)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = strdup(sx_store_path(st));
    struct sx_err err = {0};
    struct sx_frame *f = sx_frame_new();
    struct sx_column *c = sx_frame_add(f, "x", SX_INT, &err);
    cr_assert(c);
    cr_assert_eq(sx_col_push_i64(c, 7), SX_OK);
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK);
    char hex[SX_HASH_HEX];
    hash_of("one", hex);
    struct sx_dataset_new in = {.name = "old", .hash = hex, .frame = f};
    struct sx_dataset d = {0};
    int created = 0;
    cr_assert_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_OK, "%s", err.msg);
    sx_dataset_clear(&d);
    sx_store_close(st);
    if (sx_store_schema_version() < 2) {
        sx_frame_free(f);
        free(path);
        tu_rmrf(dir);
        free(dir);
        cr_skip("only one schema version exists");
    }
    /* Make it look like a schema-1 store: drop what later migrations made. */
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_master WHERE name NOT IN "
                                        "('datasets', 'dataset_samples', 'settings') AND type IN "
                                        "('table', 'trigger') AND name NOT LIKE 'sqlite_%'",
                                    -1, &q, NULL), SQLITE_OK);
    char drops[8192] = "PRAGMA foreign_keys = OFF;";
    while (sqlite3_step(q) == SQLITE_ROW) {
        char one[300];
        snprintf(one, sizeof one, "DROP %s IF EXISTS \"%s\";",
                 (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
        strncat(drops, one, sizeof drops - strlen(drops) - 1);
    }
    sqlite3_finalize(q);
    strncat(drops, "PRAGMA user_version = 1;", sizeof drops - strlen(drops) - 1);
    cr_assert_eq(sqlite3_exec(db, drops, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    cr_assert_eq(raw_int(path, "PRAGMA user_version"), 1);

    st = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_assert(st, "%s", err.msg);
    cr_expect_eq(tu_q_int(sx_store_db(st), "PRAGMA user_version"), sx_store_schema_version());
    cr_assert_eq(sx_store_dataset_get(st, "old", 0, &d, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(d.rows, 1);
    sx_dataset_clear(&d);
    cr_expect_eq(sx_store_begin(st, &err), SX_EINVAL, "still read-only");
    sx_frame_free(f);
    free(path);
    tu_store_drop(st, dir);
}

Test(store, open_refuses_a_newer_store)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = strdup(sx_store_path(st)), sql[64], want[PATH_MAX + 128];
    struct sx_err err = {0};
    int newer = sx_store_schema_version() + 6;

    sx_store_close(st);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
    raw_exec(path, sql);
    for (int flags = 0; flags <= SX_STORE_READONLY; flags++) {
        st = sx_store_open(path, flags, &err);
        cr_expect_null(st);
        cr_expect_eq(err.code, SX_ESTORE);
        snprintf(want, sizeof want, "%s: store schema version %d is newer than this sextant "
                 "(%d); upgrade", path, newer, sx_store_schema_version());
        cr_expect_str_eq(err.msg, want);
    }
    cr_expect_eq(raw_int(path, "PRAGMA user_version"), newer);
    free(path);
    tu_rmrf(dir);
    free(dir);
}

Test(store, open_refuses_other_files)
{
    char *dir = tu_tmpdir(), *foreign = tu_path(dir, "foreign.db"), *junk = tu_path(dir, "junk");
    char *missing = tu_path(dir, "missing.db");
    struct sx_err err = {0};

    /* someone else's database: not touched */
    raw_exec(foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    cr_expect_null(sx_store_open(foreign, 0, &err));
    cr_expect(strstr(err.msg, "not a sextant store"), "%s", err.msg);
    cr_expect_eq(raw_int(foreign, "SELECT count(*) FROM sqlite_master"), 1);
    cr_expect_eq(raw_int(foreign, "PRAGMA user_version"), 0);

    tu_write(junk, "this is not an SQLite database, just some text that is long enough "
                   "to fill a header page of one hundred bytes or so.", (size_t)-1);
    cr_expect_null(sx_store_open(junk, 0, &err));
    cr_expect_eq(err.code, SX_ESTORE);
    cr_expect_null(sx_store_open(missing, 0, &err));
    cr_expect_eq(err.code, SX_ENOTFOUND);
    cr_expect(access(missing, F_OK) != 0, "open must not create the file");
    cr_expect_null(sx_store_open(dir, 0, &err));
    cr_expect_eq(err.code, SX_EINVAL);
    free(foreign);
    free(junk);
    free(missing);
    tu_rmrf(dir);
    free(dir);
}

Test(store, read_only_store_refuses_writes)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = strdup(sx_store_path(st));
    struct sx_err err = {0};
    struct sx_dataset d;
    struct sx_frame *f = typed_frame(20);

    put(st, "ds", "one", f, &d);
    sx_dataset_clear(&d);
    sx_store_close(st);
    st = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_assert(st, "%s", err.msg);
    cr_assert_eq(sx_store_dataset_get(st, "ds", 0, &d, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(d.version, 1);
    sx_dataset_clear(&d);
    cr_expect_eq(sx_store_begin(st, &err), SX_EINVAL);
    char hex[SX_HASH_HEX];
    hash_of("two", hex);
    struct sx_dataset_new in = {.name = "ds", .hash = hex, .frame = f};
    int created = -1;
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);
    cr_expect(strstr(err.msg, "read-only"), "%s", err.msg);
    cr_expect_eq(created, 0);
    cr_expect_eq(count(st, "datasets"), 1);
    sx_frame_free(f);
    free(path);
    tu_store_drop(st, dir);
}

/* ---- data sets ---- */

Test(store, put_versions_by_content_hash)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(40);
    struct sx_dataset a, b, c, d;
    char before[32], after[32], hex[SX_HASH_HEX];

    sx_store_now(before, sizeof before);
    cr_expect_eq(put(st, "energy", "content-1", f, &a), 1);
    sx_store_now(after, sizeof after);
    cr_expect_eq(a.version, 1);
    cr_expect_str_eq(a.name, "energy");
    cr_expect_eq(a.rows, 40);
    cr_expect_eq(a.ncols, 7);
    cr_expect_eq(a.size_bytes, strlen("content-1"));
    cr_expect_str_eq(a.source_path, "/data/x.csv");
    hash_of("content-1", hex);
    cr_expect_str_eq(a.hash, hex);
    cr_expect_str_eq(a.options_json, "{\"delimiter\":\",\",\"na\":null}");
    cr_expect_eq(strlen(a.id), 36);
    cr_expect_eq(a.id[14], '4');
    char author[256];
    sx_store_author(author, sizeof author);
    cr_expect_str_eq(a.author, author);
    cr_expect(strcmp(before, a.created_at) <= 0 && strcmp(a.created_at, after) <= 0,
              "%s not within %s .. %s", a.created_at, before, after);

    /* same content: nothing written, the existing version comes back */
    long long nd = count(st, "datasets"), ns = count(st, "dataset_samples");
    cr_expect_eq(put(st, "energy", "content-1", f, &b), 0);
    cr_expect_eq(b.version, 1);
    cr_expect_str_eq(b.id, a.id);
    cr_expect_str_eq(b.created_at, a.created_at);
    cr_expect_eq(count(st, "datasets"), nd);
    cr_expect_eq(count(st, "dataset_samples"), ns);

    /* changed content: version 2; then the same content under another name: its own v1 */
    cr_expect_eq(put(st, "energy", "content-2", f, &c), 1);
    cr_expect_eq(c.version, 2);
    cr_expect_str_neq(c.id, a.id);
    cr_expect_eq(put(st, "other", "content-2", f, &d), 1);
    cr_expect_eq(d.version, 1);
    sx_dataset_clear(&b);
    sx_dataset_clear(&d);
    /* back to the first content: only the latest version counts, so it is v3 */
    cr_expect_eq(put(st, "energy", "content-1", f, &b), 1);
    cr_expect_eq(b.version, 3);
    cr_expect_eq(count(st, "dataset_samples"), 4 * 7);

    /* get: latest, specific, missing */
    struct sx_dataset g;
    struct sx_err err = {0};
    cr_assert_eq(sx_store_dataset_get(st, "energy", 0, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(g.version, 3);
    cr_expect_str_eq(g.id, b.id);
    sx_dataset_clear(&g);
    cr_assert_eq(sx_store_dataset_get(st, "energy", 2, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.id, c.id);
    cr_expect_str_eq(g.hash, c.hash);
    cr_expect_str_eq(g.schema_json, c.schema_json);
    cr_expect_str_eq(g.profile_json, c.profile_json);
    sx_dataset_clear(&g);
    cr_expect_eq(sx_store_dataset_get(st, "energy", 4, &g, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "energy@4"), "%s", err.msg);
    cr_expect_eq(sx_store_dataset_get(st, "nothing", 0, &g, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "nothing"), "%s", err.msg);

    /* by hash: the latest version with that content */
    cr_assert_eq(sx_store_dataset_by_hash(st, "energy", a.hash, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(g.version, 3);
    sx_dataset_clear(&g);
    cr_assert_eq(sx_store_dataset_by_hash(st, "energy", c.hash, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(g.version, 2);
    sx_dataset_clear(&g);
    hash_of("content-3", hex);
    cr_expect_eq(sx_store_dataset_by_hash(st, "energy", hex, &g, &err), SX_ENOTFOUND);

    sx_dataset_clear(&a);
    sx_dataset_clear(&b);
    sx_dataset_clear(&c);
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

Test(store, schema_and_profile_json)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(30);
    struct sx_dataset a, b;
    struct sx_err err = {0};

    put(st, "auto", "p1", f, &a);
    json_t *schema = json_loads(a.schema_json, 0, NULL);
    cr_assert(schema && json_is_array(schema), "%s", a.schema_json);
    cr_assert_eq(json_array_size(schema), 7);
    static const char *const names[] = {"f", "i", "b", "d", "ts", "cat", "txt"};
    static const char *const types[] = {"float", "int", "bool", "date", "date", "category",
                                        "text"};
    for (size_t i = 0; i < 7; i++) {
        json_t *o = json_array_get(schema, i);
        cr_expect_str_eq(json_string_value(json_object_get(o, "name")), names[i]);
        cr_expect_str_eq(json_string_value(json_object_get(o, "type")), types[i]);
        json_t *unit = json_object_get(o, "unit");
        if (i == 3)
            cr_expect_str_eq(json_string_value(unit), "days");
        else if (i == 4)
            cr_expect_str_eq(json_string_value(unit), "seconds");
        else
            cr_expect_null(unit, "column %s has a unit", names[i]);
    }
    json_decref(schema);

    /* the profile stored is sx_profile_json of the frame, computed or given */
    struct sx_profile *p = sx_profile_frame(f, NULL, &err);
    cr_assert(p, "%s", err.msg);
    json_t *pj = sx_profile_json(p);
    char *want = json_dumps(pj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    cr_expect_str_eq(a.profile_json, want);
    char hex[SX_HASH_HEX];
    hash_of("p2", hex);
    struct sx_dataset_new in = {.name = "given", .hash = hex, .frame = f, .profile = p};
    int created = 0;
    cr_assert_eq(sx_store_dataset_put(st, &in, &b, &created, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(b.profile_json, want);
    cr_expect_str_eq(b.source_path, "");
    cr_expect_str_eq(b.options_json, "{}");
    json_t *back = json_loads(b.profile_json, 0, NULL);
    cr_assert(back);
    cr_expect_eq(json_integer_value(json_object_get(back, "rows")), 30);
    json_decref(back);
    free(want);
    json_decref(pj);
    sx_profile_free(p);
    sx_dataset_clear(&a);
    sx_dataset_clear(&b);
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

Test(store, list_by_name_then_version)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(5);
    struct sx_dataset d, *list = NULL;
    struct sx_err err = {0};
    size_t n = 99;

    cr_assert_eq(sx_store_dataset_list(st, &list, &n, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(n, 0);
    sx_dataset_list_free(list, n);

    const char *steps[][2] = {{"b", "1"}, {"a", "1"}, {"b", "2"}, {"c", "1"}, {"a", "2"},
                              {"a", "2"}, {"a", "3"}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        put(st, steps[i][0], steps[i][1], f, &d);
        sx_dataset_clear(&d);
    }
    cr_assert_eq(sx_store_dataset_list(st, &list, &n, &err), SX_OK, "%s", err.msg);
    const char *want_name[] = {"a", "a", "a", "b", "b", "c"};
    const int want_version[] = {1, 2, 3, 1, 2, 1};
    cr_assert_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(list[i].name, want_name[i], "entry %zu", i);
        cr_expect_eq(list[i].version, want_version[i], "entry %zu", i);
        cr_expect_eq(list[i].rows, 5);
    }
    sx_dataset_list_free(list, n);
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

Test(store, sample_round_trips_every_type)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(60);
    struct sx_dataset d;
    struct sx_err err = {0};

    put(st, "typed", "t1", f, &d);
    struct sx_frame *s = sx_store_dataset_sample(st, d.id, &err);
    cr_assert(s, "%s", err.msg);
    cr_assert_eq(s->ncols, f->ncols);
    cr_assert_eq(s->nrows, 60, "a frame under the bound is kept whole");
    for (size_t c = 0; c < f->ncols; c++) {
        cr_expect_str_eq(s->cols[c]->name, f->cols[c]->name);
        cr_expect_eq(s->cols[c]->type, f->cols[c]->type, "column %zu", c);
        if (f->cols[c]->type == SX_DATE)
            cr_expect_eq(s->cols[c]->unit, f->cols[c]->unit, "column %zu", c);
        for (size_t r = 0; r < 60; r++)
            cr_expect(cell_eq(f->cols[c], r, s->cols[c], r), "column %s row %zu",
                      f->cols[c]->name, r);
    }
    /* the awkward floats survived bit for bit */
    cr_expect(isinf(s->cols[0]->v.f64[5]) && s->cols[0]->v.f64[5] > 0);
    cr_expect(isinf(s->cols[0]->v.f64[6]) && s->cols[0]->v.f64[6] < 0);
    cr_expect(s->cols[0]->v.f64[8] == 0 && signbit(s->cols[0]->v.f64[8]));
    cr_expect_eq(s->cols[1]->v.i64[9], INT64_MAX);
    cr_expect_eq(s->cols[1]->v.i64[12], INT64_MIN);
    /* the stored cells are JSON as documented: bools as true/false, dates as integers */
    char *vals = q_text(sx_store_db(st), "SELECT values_json FROM dataset_samples WHERE "
                        "dataset_id = ?1 AND col_index = 2", d.id);
    cr_expect(strncmp(vals, "[false,true,null,true,", 22) == 0, "%s", vals);
    free(vals);
    vals = q_text(sx_store_db(st), "SELECT values_json FROM dataset_samples WHERE "
                  "dataset_id = ?1 AND col_index = 3", d.id);
    cr_expect(strncmp(vals, "[null,17001,17002,17003,null,", 29) == 0, "%s", vals);
    free(vals);

    cr_expect_null(sx_store_dataset_sample(st, "00000000-0000-4000-8000-000000000000", &err));
    cr_expect_eq(err.code, SX_ENOTFOUND);
    sx_frame_free(s);
    sx_dataset_clear(&d);
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

Test(store, empty_frame_round_trips)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(0);
    struct sx_dataset d;
    struct sx_err err = {0};

    put(st, "empty", "", f, &d);
    cr_expect_eq(d.rows, 0);
    cr_expect_eq(d.ncols, 7);
    struct sx_frame *s = sx_store_dataset_sample(st, d.id, &err);
    cr_assert(s, "%s", err.msg);
    cr_expect_eq(s->ncols, 7);
    cr_expect_eq(s->nrows, 0);
    sx_frame_free(s);
    sx_dataset_clear(&d);
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

static struct sx_frame *big_frame(size_t n)
{
    struct sx_frame *f = sx_frame_new();
    struct sx_column *ci = add(f, "i", SX_INT), *ct = add(f, "t", SX_TEXT),
                     *cx = add(f, "x", SX_FLOAT), *cc = add(f, "c", SX_CATEGORY);
    for (size_t r = 0; r < n; r++) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "r%zu", r);
        sx_col_push_i64(ci, (int64_t)r);
        sx_col_push_str(ct, buf, (size_t)len);
        if (r % 11 == 0) sx_col_push_missing(cx);
        else sx_col_push_f64(cx, (double)r * 0.5);
        sx_col_push_str(cc, regions[r % 3], strlen(regions[r % 3]));
    }
    sync_frame(f);
    return f;
}

Test(store, sample_is_bounded_joint_and_deterministic)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    const size_t n = 3 * SX_STORE_SAMPLE_ROWS / 2 + 777;
    struct sx_frame *f = big_frame(n);
    struct sx_dataset a, b;
    struct sx_err err = {0};

    put(st, "big", "b1", f, &a);
    put(st, "big-again", "b2", f, &b);
    struct sx_frame *s = sx_store_dataset_sample(st, a.id, &err);
    cr_assert(s, "%s", err.msg);
    cr_assert_eq(s->nrows, SX_STORE_SAMPLE_ROWS);
    int64_t prev = -1;
    for (size_t r = 0; r < s->nrows; r++) {
        int64_t i = s->cols[0]->v.i64[r];
        char want[32];
        cr_assert(i > prev && i < (int64_t)n, "row %zu: %lld after %lld", r, (long long)i,
                  (long long)prev);
        prev = i;
        /* the same source row in every column */
        snprintf(want, sizeof want, "r%lld", (long long)i);
        cr_assert_str_eq(sx_col_str(s->cols[1], r), want);
        cr_assert_eq(sx_col_valid(s->cols[2], r), i % 11 != 0);
        if (i % 11)
            cr_assert_eq(s->cols[2]->v.f64[r], (double)i * 0.5);
        cr_assert_str_eq(sx_col_str(s->cols[3], r), regions[i % 3]);
    }
    /* spread over the whole frame, not a prefix */
    cr_expect_lt(s->cols[0]->v.i64[0], (int64_t)n / 10);
    cr_expect_gt(s->cols[0]->v.i64[s->nrows - 1], (int64_t)n * 9 / 10);

    /* the same frame gives the same sample, column by column */
    sqlite3 *db = sx_store_db(st);
    for (int c = 0; c < 4; c++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT values_json FROM dataset_samples WHERE "
                 "dataset_id = ?1 AND col_index = %d", c);
        char *va = q_text(db, sql, a.id), *vb = q_text(db, sql, b.id);
        cr_expect_str_eq(va, vb, "column %d", c);
        free(va);
        free(vb);
    }
    sx_frame_free(s);
    sx_frame_free(f);

    /* exactly the bound: every row */
    struct sx_dataset e;
    f = big_frame(SX_STORE_SAMPLE_ROWS);
    put(st, "exact", "b3", f, &e);
    s = sx_store_dataset_sample(st, e.id, &err);
    cr_assert(s, "%s", err.msg);
    cr_assert_eq(s->nrows, SX_STORE_SAMPLE_ROWS);
    for (size_t r = 0; r < s->nrows; r++)
        cr_assert_eq(s->cols[0]->v.i64[r], (int64_t)r);
    sx_frame_free(s);
    sx_frame_free(f);
    sx_dataset_clear(&a);
    sx_dataset_clear(&b);
    sx_dataset_clear(&e);
    tu_store_drop(st, dir);
}

Test(store, failed_put_leaves_the_store_unchanged)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(25);
    struct sx_dataset d;
    struct sx_err err = {0};
    char hex[SX_HASH_HEX];
    int created;

    put(st, "keep", "k1", f, &d);
    sx_dataset_clear(&d);
    long long nd = count(st, "datasets"), ns = count(st, "dataset_samples");

    /* a failure after the data set row is written, while writing the sample */
    cr_assert_eq(sqlite3_exec(sx_store_db(st),
                              "CREATE TEMP TRIGGER boom BEFORE INSERT ON dataset_samples "
                              "WHEN NEW.col_index = 3 BEGIN SELECT RAISE(ABORT, 'boom'); END",
                              NULL, NULL, NULL), SQLITE_OK);
    hash_of("k2", hex);
    struct sx_dataset_new in = {.name = "keep", .hash = hex, .frame = f};
    created = -1;
    memset(&d, 0x5a, sizeof d);
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_ESTORE);
    cr_expect(strstr(err.msg, "boom"), "%s", err.msg);
    cr_expect_eq(created, 0);
    cr_expect_null(d.name, "OUT is cleared on failure");
    in.name = "fresh";
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_ESTORE);
    cr_expect_eq(count(st, "datasets"), nd);
    cr_expect_eq(count(st, "dataset_samples"), ns);
    cr_assert_eq(sqlite3_exec(sx_store_db(st), "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    cr_assert(sqlite3_get_autocommit(sx_store_db(st)), "no transaction left open");

    /* inputs rejected before anything is written */
    const char *bad_names[] = {"", "a@b", "tab\there", "new\nline", "\x7f", "bad\xff utf8",
                               "\xc0\xae", "\xed\xa0\x80"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        in.name = bad_names[i];
        cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL, "name %zu", i);
    }
    char longname[SX_DATASET_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    in.name = longname;
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);
    in.name = "fine";
    in.hash = "ABC";
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);
    in.hash = "BDDD813C634239723171EF3FEE98579B94964E3BB1CB3E427262C8C068D52319";
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);
    in.hash = hex;
    in.options_json = "{not json";
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);
    in.options_json = NULL;
    in.frame = NULL;
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);

    /* text that JSON cannot hold */
    struct sx_frame *g = sx_frame_new();
    struct sx_column *c = add(g, "t", SX_TEXT);
    sx_col_push_str(c, "ok", 2);
    sx_col_push_str(c, "bad\xff", 4);
    sync_frame(g);
    in.frame = g;
    cr_expect_eq(sx_store_dataset_put(st, &in, &d, &created, &err), SX_EINVAL);
    cr_expect(strstr(err.msg, "row 2"), "%s", err.msg);
    sx_frame_free(g);

    cr_expect_eq(count(st, "datasets"), nd);
    cr_expect_eq(count(st, "dataset_samples"), ns);
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

Test(store, nested_transactions)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_frame *f = typed_frame(10);
    struct sx_dataset d;
    struct sx_err err = {0};

    /* a put inside an outer transaction that is rolled back disappears */
    cr_assert_eq(sx_store_begin(st, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(put(st, "inner", "i1", f, &d), 1);
    sx_dataset_clear(&d);
    cr_expect_eq(count(st, "datasets"), 1);
    sx_store_rollback(st);
    cr_expect_eq(count(st, "datasets"), 0);

    /* inner rollback, outer commit */
    cr_assert_eq(sx_store_begin(st, &err), SX_OK);
    cr_assert_eq(sqlite3_exec(sx_store_db(st), "INSERT INTO settings VALUES ('a', '1')",
                              NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(sx_store_begin(st, &err), SX_OK);
    cr_assert_eq(sqlite3_exec(sx_store_db(st), "INSERT INTO settings VALUES ('b', '2')",
                              NULL, NULL, NULL), SQLITE_OK);
    sx_store_rollback(st);
    cr_expect_eq(put(st, "kept", "k1", f, &d), 1);
    sx_dataset_clear(&d);
    cr_assert_eq(sx_store_commit(st, &err), SX_OK, "%s", err.msg);
    cr_expect(sqlite3_get_autocommit(sx_store_db(st)));
    cr_expect_eq(count(st, "settings"), 1);
    cr_expect_eq(count(st, "datasets"), 1);
    cr_expect_eq(sx_store_commit(st, &err), SX_EINVAL, "commit without a transaction");
    sx_frame_free(f);
    tu_store_drop(st, dir);
}

struct holder {
    struct sx_store *st;
    long ms;
    enum sx_status rc;
};

static void *commit_later(void *arg)
{
    struct holder *h = arg;
    struct sx_err err = {0};
    nanosleep(&(struct timespec){h->ms / 1000, (h->ms % 1000) * 1000000L}, NULL);
    h->rc = sx_store_commit(h->st, &err);
    return NULL;
}

Test(store, second_connection_waits_for_the_first)
{
    char *dir;
    struct sx_store *a = tu_store_new(&dir);
    struct sx_err err = {0};
    struct sx_store *b = sx_store_open(sx_store_path(a), 0, &err);
    cr_assert(b, "%s", err.msg);
    struct sx_frame *f = typed_frame(10);
    struct sx_dataset d;
    struct timespec t0, t1;

    /* A holds the write lock; B's put waits for it instead of failing */
    cr_assert_eq(sx_store_begin(a, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sqlite3_exec(sx_store_db(a), "INSERT INTO settings VALUES ('who', 'a')",
                              NULL, NULL, NULL), SQLITE_OK);
    struct holder h = {.st = a, .ms = 400, .rc = SX_EIO};
    pthread_t th;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(pthread_create(&th, NULL, commit_later, &h), 0);
    cr_expect_eq(put(b, "waited", "w1", f, &d), 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(th, NULL);
    cr_expect_eq(h.rc, SX_OK);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    cr_expect_geq(ms, 300.0, "put returned after %.0f ms, before A released the lock", ms);
    cr_expect_eq(count(b, "settings"), 1);
    cr_expect_eq(count(a, "datasets"), 1);
    sx_dataset_clear(&d);

    /* with a short timeout B gives up with a clear message and writes nothing */
    cr_assert_eq(sx_store_begin(a, &err), SX_OK, "%s", err.msg);
    sqlite3_busy_timeout(sx_store_db(b), 100);
    char hex[SX_HASH_HEX];
    hash_of("w2", hex);
    struct sx_dataset_new in = {.name = "gave-up", .hash = hex, .frame = f};
    int created = -1;
    cr_expect_eq(sx_store_dataset_put(b, &in, &d, &created, &err), SX_ESTORE);
    cr_expect(strstr(err.msg, "busy"), "%s", err.msg);
    cr_expect_eq(created, 0);
    sx_store_rollback(a);
    cr_expect_eq(count(a, "datasets"), 1);
    /* and B works again once the lock is free */
    cr_expect_eq(sx_store_dataset_put(b, &in, &d, &created, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(created, 1);
    sx_dataset_clear(&d);

    sx_frame_free(f);
    sx_store_close(b);
    tu_store_drop(a, dir);
}

Test(store, author_and_now)
{
    char author[256], now[64];
    struct passwd *pw = getpwuid(getuid());
    sx_store_author(author, sizeof author);
    cr_expect(author[0]);
    if (pw && pw->pw_name && *pw->pw_name)
        cr_expect_str_eq(author, pw->pw_name);

    sx_store_now(now, sizeof now);
    cr_assert_eq(strlen(now), 24, "%s", now);
    for (size_t i = 0; i < 24; i++) {
        char c = now[i];
        switch (i) {
        case 4: case 7: cr_expect_eq(c, '-', "%s", now); break;
        case 10: cr_expect_eq(c, 'T', "%s", now); break;
        case 13: case 16: cr_expect_eq(c, ':', "%s", now); break;
        case 19: cr_expect_eq(c, '.', "%s", now); break;
        case 23: cr_expect_eq(c, 'Z', "%s", now); break;
        default: cr_expect(c >= '0' && c <= '9', "%s", now);
        }
    }
    time_t t = time(NULL);
    struct tm tm;
    char year[16];
    gmtime_r(&t, &tm);
    snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
    cr_expect(strncmp(now, year, 4) == 0, "%s", now);
}

/* ---- references ---- */

Test(ref, parse_good_references)
{
    char name[256];
    int v = -1;
    struct sx_err err = {0};

    cr_assert_eq(sx_dataset_ref_parse("energy", name, sizeof name, &v, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(name, "energy");
    cr_expect_eq(v, 0);
    cr_assert_eq(sx_dataset_ref_parse("energy@3", name, sizeof name, &v, &err), SX_OK);
    cr_expect_str_eq(name, "energy");
    cr_expect_eq(v, 3);
    cr_assert_eq(sx_dataset_ref_parse("train 2018-2022.csv@12", name, sizeof name, &v, &err),
                 SX_OK, "%s", err.msg);
    cr_expect_str_eq(name, "train 2018-2022.csv");
    cr_expect_eq(v, 12);
    cr_assert_eq(sx_dataset_ref_parse("Größe-データ@2147483647", name, sizeof name, &v, &err),
                 SX_OK, "%s", err.msg);
    cr_expect_str_eq(name, "Größe-データ");
    cr_expect_eq(v, INT_MAX);
    char longest[SX_DATASET_NAME_MAX + 1];
    memset(longest, 'x', SX_DATASET_NAME_MAX);
    longest[SX_DATASET_NAME_MAX] = '\0';
    cr_expect_eq(sx_dataset_ref_parse(longest, name, sizeof name, &v, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(sx_dataset_name_check(longest, &err), SX_OK);
}

Test(ref, parse_rejects_malformed)
{
    static const char *const bad[] = {
        "name@", "name@x", "name@0", "@3", "name@-1", "name@+1", "name@3x", "name@ 3",
        "a@b@3", "name@2147483648", "name@99999999999999999999", "", "@", "tab\there@1",
        "bad\xc3(@1",
    };
    char name[256];
    struct sx_err err = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int v = -7;
        cr_expect_eq(sx_dataset_ref_parse(bad[i], name, sizeof name, &v, &err), SX_EINVAL,
                     "\"%s\" accepted", bad[i]);
        cr_expect_eq(v, -7, "\"%s\" set the version", bad[i]);
        cr_expect(err.msg[0]);
    }
    int v;
    char tiny[4];
    cr_expect_eq(sx_dataset_ref_parse("energy@1", tiny, sizeof tiny, &v, &err), SX_EINVAL);
    char toolong[SX_DATASET_NAME_MAX + 2];
    memset(toolong, 'x', sizeof toolong - 1);
    toolong[sizeof toolong - 1] = '\0';
    cr_expect_eq(sx_dataset_ref_parse(toolong, name, sizeof name, &v, &err), SX_EINVAL);
    cr_expect(strstr(err.msg, "at most 200"), "%s", err.msg);
}
