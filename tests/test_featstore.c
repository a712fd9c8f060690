/* tests/test_featstore.c: feature sets, versions and fits in the store
 * (core/featstore.c) and the migration that adds their tables (schema
 * version 2 in core/store.c): names and references, versioning by the hash
 * of the normalised spec, listing, fits by id and by prefix, failed writes
 * leaving the store unchanged, immutability, concurrent adds, a fit read
 * back and applied, and a version-1 store migrated with its data sets. */
#include "teststore.h"
#include "testutil.h"

#include <ctype.h>
#include <limits.h>
#include <sys/wait.h>

#include <jansson.h>
#include <sqlite3.h>

#include "csv.h"
#include "featstore.h"
#include "features.h"
#include "frame.h"
#include "hash.h"
#include "store.h"

static const char spec1[] =
    "# temperature in Fahrenheit, then scaled\n"
    "feature t_f = t * 9 / 5 + 32\n"
    "standardize t\n";
/* The same statements: other comments, blank lines and spacing. */
static const char spec1_again[] =
    "\n"
    "feature   t_f = t * 9 / 5 + 32     # °F\n"
    "\n"
    "standardize    t\n";
static const char spec2[] =
    "feature t_f = t * 9 / 5 + 32\n"
    "minmax t\n";

/* ---- helpers ---- */

static void hash_init(void)
{
    struct sx_err err = {0};
    cr_assert_eq(sx_hash_init(&err), SX_OK, "%s", err.msg);
}

TestSuite(featstore, .init = hash_init);
TestSuite(fsref);

static long long count(struct sx_store *st, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return tu_q_int(sx_store_db(st), sql);
}

static struct sx_fspec *parse(const char *text)
{
    struct sx_err err = {0};
    struct sx_fspec *s = sx_fspec_parse(text, &err, NULL, NULL);
    cr_assert(s, "%s", err.msg);
    return s;
}

/* Add TEXT as a version of NAME; returns *CREATED. */
static int add(struct sx_store *st, const char *name, const char *text, struct sx_fversion *out)
{
    struct sx_fspec *s = parse(text);
    struct sx_err err = {0};
    int created = -1;
    cr_assert_eq(sx_featstore_add(st, name, text, s, out, &created, &err), SX_OK, "%s",
                 err.msg);
    sx_fspec_free(s);
    cr_assert(created == 0 || created == 1);
    return created;
}

/* The CSV TEXT loaded into a frame (written to DIR/NAME). */
static struct sx_frame *load_csv(const char *dir, const char *name, const char *text)
{
    char *path = tu_path(dir, name);
    struct sx_csv_opts o;
    struct sx_err err = {0};
    tu_write(path, text, (size_t)-1);
    sx_csv_opts_init(&o);
    struct sx_frame *f = sx_csv_load(path, &o, NULL, &err);
    cr_assert(f, "%s", err.msg);
    free(path);
    return f;
}

static const char train_csv[] = "t,region\n1.5,a\n2.5,b\n4.0,a\n-3.0,c\n10.25,b\n";

/* A data set recorded in ST from train_csv; OUT receives it. */
static void put_dataset(struct sx_store *st, const char *dir, struct sx_dataset *out)
{
    struct sx_frame *f = load_csv(dir, "train.csv", train_csv);
    char hex[SX_HASH_HEX];
    struct sx_err err = {0};
    sx_hash_bytes(train_csv, strlen(train_csv), hex);
    struct sx_dataset_new in = {.name = "train", .source_path = "/data/train.csv", .hash = hex,
                                .size_bytes = strlen(train_csv), .frame = f};
    cr_assert_eq(sx_store_dataset_put(st, &in, out, NULL, &err), SX_OK, "%s", err.msg);
    sx_frame_free(f);
}

/* The fitted parameters of SPEC on train_csv as compact JSON (caller frees). */
static char *fitted_params(const char *dir, const char *spec)
{
    struct sx_fspec *s = parse(spec);
    struct sx_frame *f = load_csv(dir, "fit.csv", train_csv);
    struct sx_err err = {0};
    struct sx_ffit *fit = sx_features_fit(s, f, &err);
    cr_assert(fit, "%s", err.msg);
    json_t *j = sx_ffit_json(fit);
    cr_assert(j);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    cr_assert(text);
    json_decref(j);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
    return text;
}

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* ---- names and references ---- */

Test(fsref, names)
{
    static const char *const good[] = {"a", "demand_features", "v2.1-beta", "_x", "9lives"};
    static const char *const bad[] = {"", "-x", ".x", "a b", "a@b", "ä", "a/b", "a\n"};
    struct sx_err err = {0};
    char longname[SX_FSET_NAME_MAX + 2];

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_expect_eq(sx_fset_name_check(good[i], &err), SX_OK, "%s: %s", good[i], err.msg);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(sx_fset_name_check(bad[i], &err), SX_EINVAL, "%s accepted", bad[i]);
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cr_expect_eq(sx_fset_name_check(longname, &err), SX_EINVAL);
    longname[SX_FSET_NAME_MAX] = '\0';
    cr_expect_eq(sx_fset_name_check(longname, &err), SX_OK, "%s", err.msg);
}

Test(fsref, references)
{
    char name[SX_FSET_NAME_MAX + 1];
    struct sx_err err = {0};
    int v = -1;

    cr_assert_eq(sx_fset_ref_parse("demand", name, sizeof name, &v, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(name, "demand");
    cr_expect_eq(v, 0);
    cr_assert_eq(sx_fset_ref_parse("demand@v12", name, sizeof name, &v, &err), SX_OK);
    cr_expect_str_eq(name, "demand");
    cr_expect_eq(v, 12);
    cr_assert_eq(sx_fset_ref_parse("demand@3", name, sizeof name, &v, &err), SX_OK);
    cr_expect_eq(v, 3);
    static const char *const bad[] = {"demand@", "demand@v", "demand@v0", "demand@x1",
                                      "demand@v1.5", "@v1", "de mand@v1", "demand@v99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(sx_fset_ref_parse(bad[i], name, sizeof name, &v, &err), SX_EINVAL,
                     "%s accepted", bad[i]);
}

/* ---- versions ---- */

Test(featstore, versions_by_normalised_hash)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fversion a, b, c, d;
    char author[256], hash[SX_HASH_HEX];

    cr_expect_eq(add(st, "demand", spec1, &a), 1);
    cr_expect_eq(a.version, 1);
    cr_expect_str_eq(a.name, "demand");
    cr_expect_str_eq(a.spec_text, spec1);
    cr_expect_eq(strlen(a.id), 36);
    struct sx_fspec *s1 = parse(spec1);
    char *norm = sx_fspec_normalize(s1);
    sx_fspec_hash(s1, hash);
    cr_expect_str_eq(a.normalized, norm);
    cr_expect_str_eq(a.hash, hash);
    free(norm);
    sx_fspec_free(s1);
    sx_store_author(author, sizeof author);
    cr_expect_str_eq(a.author, author);

    /* the same statements written differently: that version, nothing written */
    cr_expect_eq(add(st, "demand", spec1_again, &b), 0);
    cr_expect_eq(b.version, 1);
    cr_expect_str_eq(b.id, a.id);
    cr_expect_str_eq(b.spec_text, spec1, "the stored text is the first one");
    cr_expect_eq(count(st, "feature_versions"), 1);
    cr_expect_eq(count(st, "feature_sets"), 1);
    sx_fversion_clear(&b);

    /* another spec: v2; the first again: still v1 (any version, not only the latest) */
    cr_expect_eq(add(st, "demand", spec2, &c), 1);
    cr_expect_eq(c.version, 2);
    cr_expect_str_neq(c.hash, a.hash);
    cr_expect_eq(add(st, "demand", spec1, &b), 0);
    cr_expect_eq(b.version, 1);
    sx_fversion_clear(&b);
    /* the same spec under another name is that name's own v1 */
    cr_expect_eq(add(st, "other", spec2, &d), 1);
    cr_expect_eq(d.version, 1);
    cr_expect_str_eq(d.hash, c.hash);
    cr_expect_eq(count(st, "feature_versions"), 3);

    /* get: latest, vN, N, by id, missing */
    struct sx_fversion g;
    struct sx_err err = {0};
    cr_assert_eq(sx_featstore_get(st, "demand", &g, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(g.version, 2);
    sx_fversion_clear(&g);
    cr_assert_eq(sx_featstore_get(st, "demand@v1", &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.id, a.id);
    cr_expect_str_eq(g.normalized, a.normalized);
    sx_fversion_clear(&g);
    cr_assert_eq(sx_featstore_get(st, "demand@2", &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.id, c.id);
    sx_fversion_clear(&g);
    cr_assert_eq(sx_featstore_get_by_id(st, d.id, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.name, "other");
    sx_fversion_clear(&g);
    cr_expect_eq(sx_featstore_get(st, "demand@v3", &g, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "demand@v3"), "%s", err.msg);
    cr_expect_eq(sx_featstore_get(st, "nothing", &g, &err), SX_ENOTFOUND);
    cr_expect(strstr(err.msg, "nothing"), "%s", err.msg);
    cr_expect_eq(sx_featstore_get(st, "bad name", &g, &err), SX_EINVAL);
    cr_expect_eq(sx_featstore_get_by_id(st, "no-such-id", &g, &err), SX_ENOTFOUND);

    /* versions, oldest first */
    struct sx_fversion *vs;
    size_t n;
    cr_assert_eq(sx_featstore_versions(st, "demand", &vs, &n, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_eq(vs[0].version, 1);
    cr_expect_eq(vs[1].version, 2);
    cr_expect_str_eq(vs[1].spec_text, spec2);
    sx_fversion_list_free(vs, n);
    cr_expect_eq(sx_featstore_versions(st, "nothing", &vs, &n, &err), SX_ENOTFOUND);
    cr_expect_null(vs);
    cr_expect_eq(n, 0);

    sx_fversion_clear(&a);
    sx_fversion_clear(&c);
    sx_fversion_clear(&d);
    tu_store_drop(st, dir);
}

Test(featstore, list_by_name_with_counts)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fset *list;
    struct sx_fversion v1, v2, w;
    struct sx_dataset ds;
    struct sx_err err = {0};
    size_t n;

    cr_assert_eq(sx_featstore_list(st, &list, &n, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(n, 0);
    sx_fset_list_free(list, n);

    add(st, "zeta", spec1, &w);
    add(st, "alpha", spec1, &v1);
    add(st, "alpha", spec2, &v2);
    put_dataset(st, dir, &ds);
    char *params = fitted_params(dir, spec1);
    struct sx_ffit_new in = {.version_id = v1.id, .dataset = &ds, .rows = 5,
                             .params_json = params};
    struct sx_ffit_record r;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_OK, "%s", err.msg);
        sx_ffit_record_clear(&r);
    }

    cr_assert_eq(sx_featstore_list(st, &list, &n, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(list[0].name, "alpha");
    cr_expect_eq(list[0].nversions, 2);
    cr_expect_eq(list[0].nfits, 3);
    cr_expect_eq(list[0].latest.version, 2);
    cr_expect_str_eq(list[0].latest.id, v2.id);
    cr_expect_str_eq(list[0].created_at, v1.created_at);
    cr_expect_str_eq(list[1].name, "zeta");
    cr_expect_eq(list[1].nversions, 1);
    cr_expect_eq(list[1].nfits, 0);
    sx_fset_list_free(list, n);

    free(params);
    sx_dataset_clear(&ds);
    sx_fversion_clear(&v1);
    sx_fversion_clear(&v2);
    sx_fversion_clear(&w);
    tu_store_drop(st, dir);
}

/* ---- fits ---- */

Test(featstore, fits_on_a_dataset_and_on_a_file)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fversion v, v2;
    struct sx_dataset ds;
    struct sx_ffit_record a, b, g;
    struct sx_err err = {0};
    char file_hash[SX_HASH_HEX], author[256];

    add(st, "demand", spec1, &v);
    add(st, "demand", spec2, &v2);
    put_dataset(st, dir, &ds);
    char *params = fitted_params(dir, spec1);

    struct sx_ffit_new on_ds = {.version_id = v.id, .dataset = &ds, .rows = 5,
                                .params_json = params};
    cr_assert_eq(sx_featstore_fit_put(st, &on_ds, &a, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(strlen(a.id), 36);
    cr_expect_str_eq(a.version_id, v.id);
    cr_expect_str_eq(a.set_name, "demand");
    cr_expect_eq(a.set_version, 1);
    cr_expect_str_eq(a.dataset_id, ds.id);
    cr_expect_str_eq(a.dataset_name, "train");
    cr_expect_eq(a.dataset_version, 1);
    cr_expect_str_eq(a.source_path, "/data/train.csv");
    cr_expect_str_eq(a.data_hash, ds.hash);
    cr_expect_eq(a.rows, 5);
    cr_expect_str_eq(a.params_json, params);
    sx_store_author(author, sizeof author);
    cr_expect_str_eq(a.author, author);

    sx_hash_bytes("other bytes", 11, file_hash);
    struct sx_ffit_new on_file = {.version_id = v.id, .source_path = "/tmp/x.csv",
                                  .data_hash = file_hash, .rows = 17, .params_json = params};
    cr_assert_eq(sx_featstore_fit_put(st, &on_file, &b, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(b.dataset_id, "");
    cr_expect_str_eq(b.dataset_name, "");
    cr_expect_eq(b.dataset_version, 0);
    cr_expect_str_eq(b.source_path, "/tmp/x.csv");
    cr_expect_str_eq(b.data_hash, file_hash);
    cr_expect_eq(b.rows, 17);
    cr_expect_str_neq(a.id, b.id);

    /* by id, by a prefix (any case), errors */
    cr_assert_eq(sx_featstore_fit_get(st, a.id, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.id, a.id);
    cr_expect_str_eq(g.params_json, params);
    sx_ffit_record_clear(&g);
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%.8s", b.id);
    for (char *p = prefix; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    cr_assert_eq(sx_featstore_fit_get(st, prefix, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.id, b.id);
    sx_ffit_record_clear(&g);
    snprintf(prefix, sizeof prefix, "%.7s", b.id);
    cr_expect_eq(sx_featstore_fit_get(st, prefix, &g, &err), SX_EINVAL);
    cr_expect(strstr(err.msg, "8"), "%s", err.msg);
    cr_expect_eq(sx_featstore_fit_get(st, "ffffffff-ffff", &g, &err), SX_ENOTFOUND);
    cr_expect_eq(sx_featstore_fit_get(st, "zzzzzzzzzz", &g, &err), SX_EINVAL);
    cr_expect_eq(sx_featstore_fit_get(st, "'; DROP TABLE feature_fits; --", &g, &err),
                 SX_EINVAL);

    /* the fits of a version, oldest first; none of v2 */
    struct sx_ffit_record *fits;
    size_t n;
    cr_assert_eq(sx_featstore_fits(st, v.id, &fits, &n, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(fits[0].id, a.id);
    cr_expect_str_eq(fits[1].id, b.id);
    sx_ffit_record_list_free(fits, n);
    cr_assert_eq(sx_featstore_fits(st, v2.id, &fits, &n, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(n, 0);
    sx_ffit_record_list_free(fits, n);

    sx_ffit_record_clear(&a);
    sx_ffit_record_clear(&b);
    free(params);
    sx_dataset_clear(&ds);
    sx_fversion_clear(&v);
    sx_fversion_clear(&v2);
    tu_store_drop(st, dir);
}

Test(featstore, an_ambiguous_prefix_is_refused)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fversion v;
    struct sx_ffit_record g;
    struct sx_err err = {0};

    add(st, "demand", spec1, &v);
    /* Two fits whose ids share their first 9 characters (inserted directly). */
    static const char *const ids[] = {"abcdef01-1111-4111-8111-111111111111",
                                      "abcdef01-2222-4222-8222-222222222222"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = NULL;
        cr_assert_eq(sqlite3_prepare_v2(sx_store_db(st),
                                        "INSERT INTO feature_fits (id, version_id, source_path, "
                                        "content_hash, rows, params_json, author, created_at) "
                                        "VALUES (?1, ?2, 'x.csv', ?3, 1, '{}', 'me', 'now')",
                                        -1, &s, NULL), SQLITE_OK);
        sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, v.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, zero_hash, -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(s), SQLITE_DONE);
        sqlite3_finalize(s);
    }
    cr_expect_eq(sx_featstore_fit_get(st, "abcdef01", &g, &err), SX_EINVAL);
    cr_expect(strstr(err.msg, "several"), "%s", err.msg);
    cr_expect_eq(sx_featstore_fit_get(st, "abcdef01-", &g, &err), SX_EINVAL);
    cr_assert_eq(sx_featstore_fit_get(st, "abcdef01-2", &g, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(g.id, ids[1]);
    sx_ffit_record_clear(&g);
    sx_fversion_clear(&v);
    tu_store_drop(st, dir);
}

Test(featstore, failed_writes_leave_the_store_unchanged)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fversion v, out;
    struct sx_ffit_record r;
    struct sx_dataset ds, ghost;
    struct sx_err err = {0};

    add(st, "demand", spec1, &v);
    put_dataset(st, dir, &ds);
    long long nv = count(st, "feature_versions"), nf = count(st, "feature_fits");

    struct sx_fspec *s = parse(spec2);
    cr_expect_eq(sx_featstore_add(st, "bad name", spec2, s, &out, NULL, &err), SX_EINVAL);
    cr_expect_eq(sx_featstore_add(st, "demand", spec2, NULL, &out, NULL, &err), SX_EINVAL);
    sx_fspec_free(s);

    struct sx_ffit_new in = {.version_id = v.id, .dataset = &ds, .rows = 1,
                             .params_json = "{\"steps\":[]}"};
    in.version_id = "00000000-0000-4000-8000-000000000000";
    cr_expect_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_ENOTFOUND);
    in.version_id = v.id;
    in.params_json = "[1, 2]";
    cr_expect_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_EINVAL);
    in.params_json = "{not json";
    cr_expect_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_EINVAL);
    in.params_json = "{}";
    ghost = ds;
    memcpy(ghost.id, "00000000-0000-4000-8000-000000000000", SX_UUID_LEN);
    in.dataset = &ghost;
    cr_expect_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_ENOTFOUND);
    in.dataset = NULL;
    in.source_path = "/x.csv";
    in.data_hash = "ABC";
    cr_expect_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_EINVAL);
    in.source_path = NULL;
    in.data_hash = zero_hash;
    cr_expect_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_EINVAL);

    cr_expect_eq(count(st, "feature_versions"), nv);
    cr_expect_eq(count(st, "feature_fits"), nf);
    cr_expect_eq(count(st, "feature_sets"), 1);

    /* a read-only store refuses to add */
    char *path = strdup(sx_store_path(st));
    sx_store_close(st);
    st = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_assert(st, "%s", err.msg);
    s = parse(spec2);
    cr_expect_eq(sx_featstore_add(st, "demand", spec2, s, &out, NULL, &err), SX_EINVAL);
    sx_fspec_free(s);
    cr_expect_eq(count(st, "feature_versions"), nv);
    free(path);
    sx_dataset_clear(&ds);
    sx_fversion_clear(&v);
    tu_store_drop(st, dir);
}

Test(featstore, versions_and_fits_are_immutable)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fversion v;
    struct sx_ffit_record r;
    struct sx_err err = {0};
    char hex[SX_HASH_HEX];

    add(st, "demand", spec1, &v);
    sx_hash_bytes("x", 1, hex);
    struct sx_ffit_new in = {.version_id = v.id, .source_path = "/x.csv", .data_hash = hex,
                             .rows = 1, .params_json = "{}"};
    cr_assert_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_OK, "%s", err.msg);
    static const char *const sql[] = {
        "UPDATE feature_versions SET spec_text = 'x'",
        "DELETE FROM feature_versions",
        "UPDATE feature_fits SET params_json = '{}'",
        "DELETE FROM feature_fits",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        char *msg = NULL;
        cr_expect_neq(sqlite3_exec(sx_store_db(st), sql[i], NULL, NULL, &msg), SQLITE_OK,
                      "%s succeeded", sql[i]);
        cr_expect(msg && strstr(msg, "never"), "%s: %s", sql[i], msg ? msg : "");
        sqlite3_free(msg);
    }
    cr_expect_eq(count(st, "feature_versions"), 1);
    cr_expect_eq(count(st, "feature_fits"), 1);
    sx_ffit_record_clear(&r);
    sx_fversion_clear(&v);
    tu_store_drop(st, dir);
}

/* Several processes adding at once: the same spec becomes one version, and
 * different specs get distinct consecutive numbers. */
Test(featstore, concurrent_adds)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    char *path = strdup(sx_store_path(st));
    enum { N = 4 };
    pid_t kids[2 * N];

    sx_store_close(st);
    for (int k = 0; k < 2 * N; k++) {
        kids[k] = fork();
        cr_assert(kids[k] >= 0);
        if (kids[k] == 0) {
            struct sx_err err = {0};
            char text[128];
            struct sx_store *cs = sx_store_open(path, 0, &err);
            if (!cs)
                _exit(2);
            if (k < N)
                snprintf(text, sizeof text, "%s", spec1);
            else
                snprintf(text, sizeof text, "feature t%d = t + %d\n", k, k);
            struct sx_fspec *s = sx_fspec_parse(text, &err, NULL, NULL);
            struct sx_fversion v;
            int rc = s ? sx_featstore_add(cs, k < N ? "same" : "many", text, s, &v, NULL,
                                          &err) : SX_EPARSE;
            if (rc == SX_OK)
                sx_fversion_clear(&v);
            sx_fspec_free(s);
            sx_store_close(cs);
            _exit(rc == SX_OK ? 0 : 1);
        }
    }
    for (int k = 0; k < 2 * N; k++) {
        int status;
        cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed", k);
    }
    struct sx_err err = {0};
    st = sx_store_open(path, 0, &err);
    cr_assert(st, "%s", err.msg);
    cr_expect_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM feature_versions "
                                           "WHERE set_name = 'same'"), 1);
    cr_expect_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM feature_versions "
                                           "WHERE set_name = 'many'"), N);
    cr_expect_eq(tu_q_int(sx_store_db(st), "SELECT max(version) - min(version) + 1 FROM "
                                           "feature_versions WHERE set_name = 'many'"), N);
    free(path);
    tu_store_drop(st, dir);
}

/* A stored fit comes back as a fit that gives the same output as the one
 * it was written from. */
Test(featstore, a_loaded_fit_applies_like_the_original)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_fversion v;
    struct sx_ffit_record r;
    struct sx_err err = {0};
    char hex[SX_HASH_HEX];

    add(st, "demand", spec1, &v);
    struct sx_fspec *s = parse(spec1);
    struct sx_frame *f = load_csv(dir, "t.csv", train_csv);
    struct sx_ffit *fit = sx_features_fit(s, f, &err);
    cr_assert(fit, "%s", err.msg);
    json_t *j = sx_ffit_json(fit);
    char *params = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    sx_hash_bytes(train_csv, strlen(train_csv), hex);
    struct sx_ffit_new in = {.version_id = v.id, .source_path = "/t.csv", .data_hash = hex,
                             .rows = f->nrows, .params_json = params};
    cr_assert_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_OK, "%s", err.msg);

    struct sx_fspec *s2;
    struct sx_ffit *fit2;
    cr_assert_eq(sx_featstore_fit_load(st, &r, &s2, &fit2, &err), SX_OK, "%s", err.msg);
    struct sx_frame *o1 = sx_features_apply(fit, f, SX_FMODE_INFERENCE, NULL, &err);
    cr_assert(o1, "%s", err.msg);
    struct sx_frame *o2 = sx_features_apply(fit2, f, SX_FMODE_INFERENCE, NULL, &err);
    cr_assert(o2, "%s", err.msg);
    cr_assert_eq(o1->ncols, o2->ncols);
    cr_assert_eq(o1->nrows, o2->nrows);
    for (size_t c = 0; c < o1->ncols; c++) {
        cr_expect_str_eq(o1->cols[c]->name, o2->cols[c]->name);
        cr_assert_eq(o1->cols[c]->type, o2->cols[c]->type);
        for (size_t i = 0; i < o1->nrows; i++) {
            char b1[64], b2[64];
            sx_col_format(o1->cols[c], i, b1, sizeof b1);
            sx_col_format(o2->cols[c], i, b2, sizeof b2);
            cr_expect_str_eq(b1, b2, "%s row %zu", o1->cols[c]->name, i);
        }
    }
    /* the parameters read back dump to the same text */
    json_t *j2 = sx_ffit_json(fit2);
    char *params2 = json_dumps(j2, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    cr_expect_str_eq(params2, params);

    free(params2);
    json_decref(j2);
    sx_frame_free(o1);
    sx_frame_free(o2);
    sx_ffit_free(fit2);
    sx_fspec_free(s2);
    sx_ffit_record_clear(&r);
    free(params);
    json_decref(j);
    sx_ffit_free(fit);
    sx_fspec_free(s);
    sx_frame_free(f);
    sx_fversion_clear(&v);
    tu_store_drop(st, dir);
}

/* ---- migration ---- */

/* A store at schema version 1 holding a data set: made by this build, then
 * taken back to version 1 by removing what migration 2 added (migration 2
 * only adds tables, indexes and triggers). */
Test(featstore, a_version_1_store_migrates_with_its_data_sets)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_dataset ds, again;
    struct sx_err err = {0};
    char *path = strdup(sx_store_path(st));

    cr_assert_geq(sx_store_schema_version(), 2);
    put_dataset(st, dir, &ds);
    long long samples = count(st, "dataset_samples");
    sx_store_close(st);

    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "DROP TABLE run_summary; DROP TABLE run_comments; DROP TABLE run_latest; "
                              "DROP TABLE run_metrics; DROP TABLE run_tags; "
                              "DROP TABLE run_params; DROP TABLE runs; DROP TABLE experiments; "
                              "DROP TABLE feature_fits; DROP TABLE feature_versions; "
                              "DROP TABLE feature_sets; PRAGMA user_version = 1;",
                              NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'feature%'"), 0);
    sqlite3_close(db);

    /* a read-only open upgrades an older store once (sx_store_open), then
     * reads it; the read-write open below finds it migrated */
    st = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_assert(st, "%s", err.msg);
    cr_expect_eq(tu_q_int(sx_store_db(st), "PRAGMA user_version"), sx_store_schema_version());
    sx_store_close(st);

    st = sx_store_open(path, 0, &err);
    cr_assert(st, "%s", err.msg);
    cr_expect_eq(tu_q_int(sx_store_db(st), "PRAGMA user_version"), sx_store_schema_version());
    cr_expect_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM sqlite_master WHERE type = "
                                           "'table' AND name LIKE 'feature%'"), 3);
    cr_expect_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM sqlite_master WHERE type = "
                                           "'trigger' AND name LIKE 'feature%'"), 4);
    cr_assert_eq(sx_store_dataset_get(st, "train", 1, &again, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(again.id, ds.id);
    cr_expect_str_eq(again.hash, ds.hash);
    cr_expect_str_eq(again.schema_json, ds.schema_json);
    cr_expect_str_eq(again.profile_json, ds.profile_json);
    cr_expect_str_eq(again.created_at, ds.created_at);
    cr_expect_eq(count(st, "dataset_samples"), samples);
    struct sx_frame *sample = sx_store_dataset_sample(st, ds.id, &err);
    cr_assert(sample, "%s", err.msg);
    cr_expect_eq(sample->nrows, 5);
    sx_frame_free(sample);

    /* and the new tables work: a fit of a version on the old data set */
    struct sx_fversion v;
    struct sx_ffit_record r;
    add(st, "demand", spec1, &v);
    struct sx_ffit_new in = {.version_id = v.id, .dataset = &again, .rows = 5,
                             .params_json = "{}"};
    cr_assert_eq(sx_featstore_fit_put(st, &in, &r, &err), SX_OK, "%s", err.msg);
    cr_expect_str_eq(r.dataset_name, "train");
    cr_expect_str_eq(r.data_hash, ds.hash);
    sx_ffit_record_clear(&r);
    sx_fversion_clear(&v);
    sx_dataset_clear(&again);
    sx_dataset_clear(&ds);
    free(path);
    tu_store_drop(st, dir);
}
