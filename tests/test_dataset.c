/* tests/test_dataset.c: loading and importing data sets (core/dataset.c):
 * load options and their JSON, importing (new version, identical content,
 * changed content, default names, bad names, options kept), reloading a
 * data set with its stored options and hash check (changed and missing
 * files), the first rows only, progress and cancelling at every stage with
 * the store left unchanged. */
#include "teststore.h"
#include "testutil.h"

#include <limits.h>

#include <jansson.h>

#include "csv.h"
#include "dataset.h"
#include "frame.h"
#include "hash.h"
#include "store.h"

/* ---- helpers ---- */

/* Data sets (all versions) in the store. */
static size_t count_datasets(struct sx_store *st)
{
    struct sx_dataset *list = NULL;
    size_t n = 0;
    struct sx_err err;
    cr_assert_eq(sx_store_dataset_list(st, &list, &n, &err), SX_OK, "%s", err.msg);
    sx_dataset_list_free(list, n);
    return n;
}

static struct sx_column *col(const struct sx_frame *f, const char *name)
{
    long j = sx_frame_find(f, name);
    cr_assert(j >= 0, "no column '%s'", name);
    return f->cols[j];
}

/* A semicolon-separated file: "-" is a missing token only when asked for,
 * "code" looks like ints but is wanted as text. */
static const char semi_csv[] =
    "id;code;price;region\n"
    "1;007;1.5;north\n"
    "2;012;-;south\n"
    "3;100;2.25;north\n"
    "4;008;3;east\n";

static void semi_opts(struct sx_load_opts *lo)
{
    struct sx_err err;
    sx_load_opts_init(lo);
    cr_assert_eq(sx_load_opts_add_na(lo, "-", &err), SX_OK);
    cr_assert_eq(sx_load_opts_add_na(lo, "", &err), SX_OK);
    cr_assert_eq(sx_load_opts_set_type(lo, "code", SX_INT, &err), SX_OK);
    cr_assert_eq(sx_load_opts_set_type(lo, "code", SX_TEXT, &err), SX_OK, "replaced");
}

struct prog {
    int calls, cancel_after;
    uint64_t last, total;
};

static int on_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
    struct prog *p = ctx;
    (void)rows;
    cr_expect_leq(done, total, "%llu > %llu", (unsigned long long)done,
                  (unsigned long long)total);
    cr_expect_geq(done, p->last, "progress went back");
    p->last = done;
    p->total = total;
    return ++p->calls > p->cancel_after;
}

/* ---- load options ---- */

Test(dataset, load_opts_json_round_trip)
{
    struct sx_load_opts lo, back, copy;
    struct sx_err err;
    semi_opts(&lo);
    cr_expect_eq(lo.ntypes, 1);
    char *js = sx_load_opts_json(&lo, ';');
    cr_assert(js);
    cr_expect_str_eq(js, "{\"delimiter\":\";\",\"na\":[\"-\",\"\"],\"types\":{\"code\":\"text\"}}");
    cr_assert_eq(sx_load_opts_parse(js, &back, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(back.delimiter, ';');
    cr_assert_eq(back.nna, 2);
    cr_expect_str_eq(back.na[0], "-");
    cr_expect_str_eq(back.na[1], "");
    cr_assert_eq(back.ntypes, 1);
    cr_expect_str_eq(back.types[0].name, "code");
    cr_expect_eq(back.types[0].type, SX_TEXT);
    cr_assert_eq(sx_load_opts_copy(&copy, &back, &err), SX_OK);
    char *js2 = sx_load_opts_json(&copy, ';');
    cr_expect_str_eq(js2, js);
    free(js);
    free(js2);
    sx_load_opts_free(&lo);
    sx_load_opts_free(&back);
    sx_load_opts_free(&copy);
    cr_expect_null(copy.na);

    /* Defaults: null na list; an empty list stays empty (no tokens). */
    sx_load_opts_init(&lo);
    js = sx_load_opts_json(&lo, ',');
    cr_expect_str_eq(js, "{\"delimiter\":\",\",\"na\":null,\"types\":{}}");
    free(js);
    cr_assert_eq(sx_load_opts_parse("{\"na\":[]}", &back, &err), SX_OK);
    cr_expect_not_null(back.na);
    cr_expect_eq(back.nna, 0);
    cr_expect_eq(back.delimiter, 0);
    struct sx_csv_opts co;
    sx_csv_opts_init(&co);
    sx_load_opts_apply(&back, &co);
    cr_expect_not_null(co.na, "no tokens at all, not pandas' defaults");
    cr_expect_eq(co.nna, 0);
    sx_load_opts_free(&back);
    cr_assert_eq(sx_load_opts_parse(NULL, &back, &err), SX_OK);
    cr_expect_null(back.na);
    sx_load_opts_free(&back);

    cr_expect_eq(sx_load_opts_parse("[1]", &back, &err), SX_EPARSE);
    cr_expect_eq(sx_load_opts_parse("{\"types\":{\"a\":\"complex\"}}", &back, &err), SX_EPARSE);
    cr_expect(strstr(err.msg, "'a'"), "%s", err.msg);
    cr_expect_null(back.types);
}

/* ---- importing ---- */

Test(dataset, import_versions)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = tu_path(dir, "prices.csv");
    tu_write(path, semi_csv, (size_t)-1);
    struct sx_load_opts lo;
    semi_opts(&lo);
    struct sx_dataset ds;
    struct sx_err err;
    int created = -1;

    cr_assert_eq(sx_dataset_import(st, path, NULL, &lo, NULL, NULL, &ds, &created, &err), SX_OK,
                 "%s", err.msg);
    cr_expect_eq(created, 1);
    cr_expect_str_eq(ds.name, "prices", "default name: the file's name without extension");
    cr_expect_eq(ds.version, 1);
    cr_expect_eq(ds.rows, 4);
    cr_expect_eq(ds.ncols, 4);
    cr_expect_eq(ds.source_path[0], '/', "absolute path: %s", ds.source_path);
    char hex[SX_HASH_HEX];
    cr_assert_eq(sx_hash_file(path, hex, NULL, &err), SX_OK);
    cr_expect_str_eq(ds.hash, hex, "the same hash as sx_hash_file");
    cr_expect_str_eq(ds.options_json,
                     "{\"delimiter\":\";\",\"na\":[\"-\",\"\"],\"types\":{\"code\":\"text\"}}");
    sx_dataset_clear(&ds);

    /* The same content again: the existing version, nothing written. */
    cr_assert_eq(sx_dataset_import(st, path, NULL, &lo, NULL, NULL, &ds, &created, &err), SX_OK);
    cr_expect_eq(created, 0);
    cr_expect_eq(ds.version, 1);
    cr_expect_str_eq(ds.name, "prices");
    sx_dataset_clear(&ds);
    cr_expect_eq(count_datasets(st), 1);

    /* Changed content: version 2. Another name: its own version 1. */
    tu_write(path, "id;code;price;region\n5;009;4.5;west\n", (size_t)-1);
    cr_assert_eq(sx_dataset_import(st, path, NULL, NULL, NULL, NULL, &ds, &created, &err), SX_OK);
    cr_expect_eq(created, 1);
    cr_expect_eq(ds.version, 2);
    cr_expect_eq(ds.rows, 1);
    cr_expect_str_eq(ds.options_json, "{\"delimiter\":\";\",\"na\":null,\"types\":{}}");
    sx_dataset_clear(&ds);
    cr_assert_eq(sx_dataset_import(st, path, "other", NULL, NULL, NULL, &ds, NULL, &err), SX_OK);
    cr_expect_str_eq(ds.name, "other");
    cr_expect_eq(ds.version, 1);
    sx_dataset_clear(&ds);
    cr_expect_eq(count_datasets(st), 3);

    /* Find by reference. */
    cr_assert_eq(sx_dataset_find(st, "prices@1", &ds, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(ds.rows, 4);
    sx_dataset_clear(&ds);
    cr_assert_eq(sx_dataset_find(st, "prices", &ds, &err), SX_OK);
    cr_expect_eq(ds.version, 2);
    sx_dataset_clear(&ds);
    cr_expect_eq(sx_dataset_find(st, "prices@3", &ds, &err), SX_ENOTFOUND);
    cr_expect_eq(sx_dataset_find(st, "prices@x", &ds, &err), SX_EINVAL);

    sx_load_opts_free(&lo);
    free(path);
    tu_store_drop(st, dir);
}

Test(dataset, import_errors_leave_the_store_unchanged)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_dataset ds;
    struct sx_err err;
    int created = -1;

    char *missing = tu_path(dir, "nope.csv");
    cr_expect_eq(sx_dataset_import(st, missing, NULL, NULL, NULL, NULL, &ds, &created, &err),
                 SX_ENOTFOUND);
    cr_expect(strstr(err.msg, missing), "%s", err.msg);
    cr_expect_eq(created, 0);
    cr_expect_null(ds.name);

    cr_expect_eq(sx_dataset_import(st, dir, NULL, NULL, NULL, NULL, &ds, &created, &err),
                 SX_EINVAL, "a directory");

    char *bad = tu_path(dir, "bad.csv");
    tu_write(bad, "a,b\n1,2\n3,4,5\n", (size_t)-1);
    cr_expect_eq(sx_dataset_import(st, bad, NULL, NULL, NULL, NULL, &ds, &created, &err),
                 SX_EPARSE);
    cr_expect(strstr(err.msg, "bad.csv:3:"), "file:line: %s", err.msg);

    char *ok = tu_path(dir, "ok.csv");
    tu_write(ok, "a\n1\n", (size_t)-1);
    cr_expect_eq(sx_dataset_import(st, ok, "a@b", NULL, NULL, NULL, &ds, &created, &err),
                 SX_EINVAL);
    cr_expect(strstr(err.msg, "ok.csv: "), "%s", err.msg);
    cr_expect_eq(sx_dataset_import(st, ok, "", NULL, NULL, NULL, &ds, &created, &err), SX_EINVAL);

    struct sx_load_opts lo;
    sx_load_opts_init(&lo);
    cr_assert_eq(sx_load_opts_set_type(&lo, "a", SX_BOOL, &err), SX_OK);
    cr_expect_eq(sx_dataset_import(st, ok, NULL, &lo, NULL, NULL, &ds, &created, &err), SX_ETYPE,
                 "%s", err.msg);
    sx_load_opts_free(&lo);

    cr_expect_eq(count_datasets(st), 0);
    free(missing);
    free(bad);
    free(ok);
    tu_store_drop(st, dir);
}

Test(dataset, cancelling_at_every_stage)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = tu_path(dir, "big.csv");
    /* About 3 MB: several hash reads and loader polls. */
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    fputs("i,x,name\n", fp);
    for (int i = 0; i < 150000; i++)
        fprintf(fp, "%d,%d.%d,name_%d\n", i, i % 1000, i % 7, i % 50);
    cr_assert_eq(fclose(fp), 0);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);

    /* Cancel after K calls for K = 0, 1, 2, …: each run either fails with
     * SX_ECANCEL and leaves no data set, or succeeds (once K passes the
     * last call): the calls come while hashing, loading, after profiling
     * and while writing (the last ones roll the transaction back). */
    int succeeded = 0, cancelled = 0;
    for (int k = 0; k < 100000 && !succeeded; k++) {
        struct prog p = {.cancel_after = k};
        struct sx_dataset ds;
        struct sx_err err;
        int created = -1;
        enum sx_status rc = sx_dataset_import(st, path, NULL, NULL, on_progress, &p, &ds,
                                              &created, &err);
        cr_expect_eq(p.total, 2 * (uint64_t)sb.st_size, "hash and load: twice the size");
        if (rc == SX_OK) {
            cr_expect_eq(created, 1);
            cr_expect_eq(ds.rows, 150000);
            succeeded = 1;
        } else {
            cr_expect_eq(rc, SX_ECANCEL, "k=%d: %s", k, err.msg);
            cr_expect_eq(created, 0);
            cr_expect_eq(count_datasets(st), 0, "k=%d: the store changed", k);
            cancelled++;
        }
        sx_dataset_clear(&ds);
    }
    cr_expect(succeeded);
    cr_expect_geq(cancelled, 6, "hash reads, load, profile, write: %d", cancelled);
    cr_expect_eq(count_datasets(st), 1);
    free(path);
    tu_store_drop(st, dir);
}

/* ---- reloading ---- */

Test(dataset, load_with_the_stored_options)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = tu_path(dir, "prices.csv");
    tu_write(path, semi_csv, (size_t)-1);
    struct sx_load_opts lo;
    semi_opts(&lo);
    struct sx_dataset ds;
    struct sx_err err;
    cr_assert_eq(sx_dataset_import(st, path, "p", &lo, NULL, NULL, &ds, NULL, &err), SX_OK);
    sx_load_opts_free(&lo);

    struct sx_frame *f = sx_dataset_load(&ds, NULL, &err);
    cr_assert(f, "%s", err.msg);
    cr_expect_eq(f->nrows, 4);
    cr_expect_eq(col(f, "code")->type, SX_TEXT, "stored type");
    cr_expect_str_eq(sx_col_str(col(f, "code"), 0), "007");
    cr_expect_eq(col(f, "price")->type, SX_FLOAT);
    cr_expect_not(sx_col_valid(col(f, "price"), 1), "stored na token '-'");
    sx_frame_free(f);

    /* Types given now override the stored ones; progress covers the hash
     * and the load. */
    static const struct sx_csv_coltype over[] = {{"code", SX_INT}, {"region", SX_TEXT}};
    struct prog p = {.cancel_after = 1 << 30};
    struct sx_dataset_load_opts o = {.types = over, .ntypes = 2, .progress = on_progress,
                                     .progress_ctx = &p};
    f = sx_dataset_load(&ds, &o, &err);
    cr_assert(f, "%s", err.msg);
    cr_expect_eq(col(f, "code")->type, SX_INT);
    cr_expect_eq(col(f, "code")->v.i64[2], 100);
    cr_expect_eq(col(f, "region")->type, SX_TEXT);
    cr_expect_eq(p.total, 2 * (uint64_t)strlen(semi_csv));
    cr_expect_geq(p.calls, 2);
    sx_frame_free(f);

    /* The first rows only. */
    struct sx_dataset_load_opts head = {.max_rows = 2};
    f = sx_dataset_load(&ds, &head, &err);
    cr_assert(f, "%s", err.msg);
    cr_expect_eq(f->nrows, 2);
    sx_frame_free(f);

    /* Cancelled while hashing. */
    struct prog stop = {.cancel_after = 0};
    struct sx_dataset_load_opts co = {.progress = on_progress, .progress_ctx = &stop};
    cr_expect_null(sx_dataset_load(&ds, &co, &err));
    cr_expect_eq(err.code, SX_ECANCEL);

    sx_dataset_clear(&ds);
    free(path);
    tu_store_drop(st, dir);
}

Test(dataset, load_checks_the_source_file)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = tu_path(dir, "prices.csv");
    tu_write(path, "a,b\n1,x\n2,y\n", (size_t)-1);
    struct sx_dataset ds;
    struct sx_err err;
    cr_assert_eq(sx_dataset_import(st, path, NULL, NULL, NULL, NULL, &ds, NULL, &err), SX_OK);

    /* Changed (same size, other bytes). */
    tu_write(path, "a,b\n1,x\n3,y\n", (size_t)-1);
    cr_expect_null(sx_dataset_load(&ds, NULL, &err));
    cr_expect_eq(err.code, SX_EINVAL);
    cr_expect(strstr(err.msg, "prices@1: its source file "), "%s", err.msg);
    cr_expect(strstr(err.msg, "has changed since it was imported"), "%s", err.msg);
    /* Without the check (a quick look), the file loads as it is now. */
    struct sx_dataset_load_opts quick = {.skip_hash = 1, .max_rows = 100};
    struct sx_frame *f = sx_dataset_load(&ds, &quick, &err);
    cr_assert(f, "%s", err.msg);
    cr_expect_eq(f->cols[0]->v.i64[1], 3);
    sx_frame_free(f);

    /* Gone. */
    cr_assert_eq(unlink(path), 0);
    cr_expect_null(sx_dataset_load(&ds, NULL, &err));
    cr_expect_eq(err.code, SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "is gone"), "%s", err.msg);
    cr_expect(strstr(err.msg, ds.source_path), "%s", err.msg);

    sx_dataset_clear(&ds);
    free(path);
    tu_store_drop(st, dir);
}

Test(dataset, default_names)
{
    static const char *const cases[][2] = {
        {"data/energy.csv", "energy"}, {"energy", "energy"}, {"/a/b.c/x.tar.gz", "x.tar"},
        {".hidden", ".hidden"}, {"dir/", "dir"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = sx_dataset_default_name(cases[i][0]);
        cr_expect_str_eq(n, cases[i][1], "%s", cases[i][0]);
        free(n);
    }
}
