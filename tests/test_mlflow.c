/* tests/test_mlflow.c: MLflow import (core/mlflow.c, `sextant
 * import-mlflow`). The real stores of ../shared/fixtures/mlflow (a 1.14
 * mlruns/, a 3.x mlruns/ and a 3.x mlflow.db) are imported and every count
 * and run field is checked against numbers the test finds itself: by
 * walking the fixture files (meta.yaml lines, params/tags files, distinct
 * metric lines) and by querying mlflow.db with SQLite. Synthetic stores
 * built here cover what the fixtures lack: nested runs (a child seen before
 * its parent, in one import and across two), keys with '/', 2- and 5-field
 * metric lines, NaN and infinities, ties for the latest value, every
 * status, deleted runs and .trash, logged models and the registry folder,
 * old and new SQLite schemas; then re-import (nothing new), incremental
 * import (exactly what was added), malformed files (reported with their
 * path, the rest imported), experiment name clashes, and the CLI's output
 * and exit codes. */
#include "teststore.h"

#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <time.h>

#include "mlflow.h"

static void setup(void)
{
    unsetenv("SEXTANT_STORE");
}

TestSuite(mlflow, .init = setup);

#define GENRE "1ayham1__genre_classification"
#define PRE07 "2025-2-productos__PRE-07-mlflow-tracking-basico-LissyGraceRestrepo"

/* ---- finding the fixtures ---- */

/* The fixtures directory: $SEXTANT_MLFLOW_FIXTURES, else
 * tests/fixtures/mlflow or ../shared/fixtures/mlflow beside the sources. */
static char *fixtures(void)
{
    const char *env = getenv("SEXTANT_MLFLOW_FIXTURES");
    const char *src = getenv("SEXTANT_SRC");
    char *cands[5] = {0};
    size_t n = 0;
    if (env && *env)
        cands[n++] = strdup(env);
    if (src && *src) {
        cands[n++] = tu_path(src, "tests/fixtures/mlflow");
        cands[n++] = tu_path(src, "../shared/fixtures/mlflow");
    }
    cands[n++] = strdup("tests/fixtures/mlflow");
    cands[n++] = strdup("../shared/fixtures/mlflow");
    char *found = NULL;
    for (size_t i = 0; i < n; i++) {
        char *g = tu_path(cands[i], GENRE "/mlruns/0/meta.yaml");
        struct stat sb;
        if (!found && stat(g, &sb) == 0)
            found = realpath(cands[i], NULL);
        free(g);
        free(cands[i]);
    }
    cr_assert(found, "the MLflow fixtures were not found (set SEXTANT_MLFLOW_FIXTURES or "
              "SEXTANT_SRC)");
    return found;
}

static char *fixture(const char *rel)
{
    char *f = fixtures(), *p = tu_path(f, rel);
    free(f);
    return p;
}

/* ---- small helpers ---- */

/* Write TEXT to DIR/REL, creating the folders on the way. */
static void put(const char *dir, const char *rel, const char *text)
{
    char *p = tu_path(dir, rel);
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
    tu_write(p, text, (size_t)-1);
    free(p);
}

static void append(const char *dir, const char *rel, const char *text)
{
    char *p = tu_path(dir, rel);
    FILE *fp = fopen(p, "ab");
    cr_assert(fp, "%s", p);
    fputs(text, fp);
    fclose(fp);
    free(p);
}

/* Text of the first column of SQL with ?1 = A (may be NULL) on DB; NULL
 * when no row or SQL NULL (caller frees). */
static char *q_text(sqlite3 *db, const char *sql, const char *a)
{
    sqlite3_stmt *s = NULL;
    char *out = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    if (a)
        sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        out = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

/* Integer of the first column of SQL with ?1 = A; MISSING when no row or NULL. */
static long long q_int(sqlite3 *db, const char *sql, const char *a, long long missing)
{
    sqlite3_stmt *s = NULL;
    long long v = missing;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    if (a)
        sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : sql);
}

/* Import PATH into ST, expecting success; REP is filled. */
static void import_ok(struct sx_store *st, const char *path, struct sx_mlflow_report *rep)
{
    struct sx_err err = {0};
    enum sx_status rc = sx_mlflow_import(st, path, NULL, NULL, rep, &err);
    cr_assert_eq(rc, SX_OK, "%s", err.msg);
    cr_assert_eq(rep->skipped, rep->nproblems);
}

static int has_problem(const struct sx_mlflow_report *r, const char *a, const char *b)
{
    for (size_t i = 0; i < r->nproblems; i++)
        if (strstr(r->problems[i], a) && (!b || strstr(r->problems[i], b)))
            return 1;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the file store, counted independently ---- */

struct fx_run {
    char id[64], exp[64], user[256], run_name[256], stage[32];
    int status;
    long long start, end;
    int has_end;
    size_t nparams, ntags, npoints, nkeys;
    char *tag_name, *tag_user, *tag_parent;
};

struct fx_store {
    struct fx_run runs[128];
    size_t nruns;
    size_t nexps;
    char expname[16][256];
    char expid[16][64];
};

/* The value of "KEY: VALUE" in meta.yaml text T (quotes removed), or NULL
 * for absent and null. The fixtures' lines never wrap. */
static int meta_line(const char *t, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key);
    for (const char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) != 0 || l[kl] != ':')
            continue;
        const char *v = l + kl + 1;
        while (*v == ' ')
            v++;
        size_t n = strcspn(v, "\n");
        if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
            v++;
            n -= 2;
        }
        if ((n == 4 && strncmp(v, "null", 4) == 0) || n >= size)
            return 0;
        memcpy(out, v, n);
        out[n] = '\0';
        return 1;
    }
    return 0;
}

static size_t nftw_count;
static int count_file(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)p;
    (void)sb;
    (void)f;
    if (flag == FTW_F)
        nftw_count++;
    return 0;
}

static size_t files_under(const char *dir)
{
    struct stat sb;
    nftw_count = 0;
    if (stat(dir, &sb) == 0)
        nftw(dir, count_file, 16, 0);
    return nftw_count;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct non-empty lines of every file under DIR, summed per file. */
static size_t points_sum, keys_sum;
static int count_points(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)f;
    if (flag != FTW_F)
        return 0;
    char *text = tu_read(p, NULL), *lines[4096];
    size_t n = 0;
    cr_assert(text);
    for (char *s = strtok(text, "\n"); s && n < 4096; s = strtok(NULL, "\n"))
        lines[n++] = s;
    qsort(lines, n, sizeof *lines, str_cmp);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(lines[i], lines[i - 1]) != 0)
            points_sum++;
    keys_sum++;
    free(text);
    return 0;
}

static char *read_opt(const char *dir, const char *rel)
{
    char *p = tu_path(dir, rel), *t = tu_read(p, NULL);
    free(p);
    return t;
}

static int reserved(const char *n)
{
    return !strcmp(n, "tags") || !strcmp(n, "models") || !strcmp(n, "datasets") ||
           !strcmp(n, "traces");
}

/* Walk the mlruns/ at ROOT as MLflow would (active experiments and runs). */
static void fx_walk(const char *root, struct fx_store *fx)
{
    DIR *d = opendir(root);
    struct dirent *e;
    cr_assert(d, "%s", root);
    memset(fx, 0, sizeof *fx);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "models"))
            continue;
        char *edir = tu_path(root, e->d_name), *emeta = read_opt(edir, "meta.yaml");
        char stage[32] = "active";
        if (!emeta) {
            free(edir);
            continue;
        }
        meta_line(emeta, "lifecycle_stage", stage, sizeof stage);
        if (strcmp(stage, "active") == 0) {
            cr_assert(meta_line(emeta, "name", fx->expname[fx->nexps], 256));
            snprintf(fx->expid[fx->nexps], 64, "%.63s", e->d_name);
            fx->nexps++;
            DIR *rd = opendir(edir);
            struct dirent *re;
            while ((re = readdir(rd))) {
                if (re->d_name[0] == '.' || reserved(re->d_name))
                    continue;
                char *rdir = tu_path(edir, re->d_name), *rmeta = read_opt(rdir, "meta.yaml");
                if (!rmeta) {
                    free(rdir);
                    continue;
                }
                struct fx_run *r = &fx->runs[fx->nruns];
                char buf[64];
                snprintf(r->stage, sizeof r->stage, "active");
                meta_line(rmeta, "lifecycle_stage", r->stage, sizeof r->stage);
                if (strcmp(r->stage, "active") != 0) {
                    free(rmeta);
                    free(rdir);
                    continue;
                }
                fx->nruns++;
                snprintf(r->id, sizeof r->id, "%.63s", re->d_name);
                snprintf(r->exp, sizeof r->exp, "%.63s", e->d_name);
                cr_assert(meta_line(rmeta, "status", buf, sizeof buf));
                r->status = atoi(buf);
                cr_assert(meta_line(rmeta, "start_time", buf, sizeof buf));
                r->start = atoll(buf);
                r->has_end = meta_line(rmeta, "end_time", buf, sizeof buf);
                r->end = r->has_end ? atoll(buf) : 0;
                if (!meta_line(rmeta, "user_id", r->user, sizeof r->user))
                    r->user[0] = '\0';
                if (!meta_line(rmeta, "run_name", r->run_name, sizeof r->run_name))
                    r->run_name[0] = '\0';
                r->tag_name = read_opt(rdir, "tags/mlflow.runName");
                r->tag_user = read_opt(rdir, "tags/mlflow.user");
                r->tag_parent = read_opt(rdir, "tags/mlflow.parentRunId");
                char *pd = tu_path(rdir, "params"), *td = tu_path(rdir, "tags"),
                     *md = tu_path(rdir, "metrics");
                r->nparams = files_under(pd);
                r->ntags = files_under(td);
                points_sum = keys_sum = 0;
                struct stat sb;
                if (stat(md, &sb) == 0)
                    nftw(md, count_points, 16, 0);
                r->npoints = points_sum;
                r->nkeys = keys_sum;
                free(pd);
                free(td);
                free(md);
                free(rmeta);
                free(rdir);
            }
            closedir(rd);
        }
        free(emeta);
        free(edir);
    }
    closedir(d);
}

static void fx_free(struct fx_store *fx)
{
    for (size_t i = 0; i < fx->nruns; i++) {
        free(fx->runs[i].tag_name);
        free(fx->runs[i].tag_user);
        free(fx->runs[i].tag_parent);
    }
}

static const char *status_name(int s)
{
    static const char *const n[] = {"?", "running", "scheduled", "finished", "failed", "killed"};
    return s >= 1 && s <= 5 ? n[s] : "?";
}

static size_t fx_sum(const struct fx_store *fx, int what)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->nruns; i++)
        n += what == 0 ? fx->runs[i].nparams : what == 1 ? fx->runs[i].ntags
                                                          : what == 2 ? fx->runs[i].npoints
                                                                      : fx->runs[i].nkeys;
    return n;
}

/* Every run of FX is in DB with its fields. */
static void fx_check(sqlite3 *db, const struct fx_store *fx)
{
    for (size_t i = 0; i < fx->nruns; i++) {
        const struct fx_run *r = &fx->runs[i];
        const char *run = "SELECT id FROM runs WHERE source = 'mlflow' AND external_id = ?1";
        char *id = q_text(db, run, r->id);
        cr_assert(id, "run %s imported", r->id);
        char *name = q_text(db, "SELECT name FROM runs WHERE id = ?1", id);
        const char *want = *r->run_name ? r->run_name
                           : r->tag_name && *r->tag_name ? r->tag_name : r->id;
        cr_expect_str_eq(name, want, "run %s name", r->id);
        char *author = q_text(db, "SELECT author FROM runs WHERE id = ?1", id);
        const char *wu = *r->user ? r->user : r->tag_user ? r->tag_user : "unknown";
        cr_expect_str_eq(author, wu, "run %s user", r->id);
        char *status = q_text(db, "SELECT status FROM runs WHERE id = ?1", id);
        cr_expect_str_eq(status, status_name(r->status), "run %s status", r->id);
        cr_expect_eq(q_int(db, "SELECT start_ms FROM runs WHERE id = ?1", id, -1), r->start);
        cr_expect_eq(q_int(db, "SELECT end_ms FROM runs WHERE id = ?1", id, -1),
                     r->has_end ? r->end : -1);
        char *exp = q_text(db, "SELECT e.external_id FROM runs r JOIN experiments e ON "
                           "e.id = r.experiment_id WHERE r.id = ?1", id);
        cr_expect_str_eq(exp, r->exp);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_params WHERE run_id = ?1", id, -1),
                     (long long)r->nparams, "run %s params", r->id);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_tags WHERE run_id = ?1", id, -1),
                     (long long)r->ntags, "run %s tags", r->id);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_metrics WHERE run_id = ?1", id, -1),
                     (long long)r->npoints, "run %s metric points", r->id);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_latest WHERE run_id = ?1", id, -1),
                     (long long)r->nkeys, "run %s latest values", r->id);
        free(id);
        free(name);
        free(author);
        free(status);
        free(exp);
    }
}

/* ---- the real file stores ---- */

Test(mlflow, genre_classification_mlflow_1_14)
{
    char *dir, *root = fixture(GENRE "/mlruns");
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;
    struct fx_store fx;

    fx_walk(root, &fx);
    /* What SOURCES.md says, found again by the walk. */
    cr_assert_eq(fx.nexps, 1);
    cr_assert_eq(fx.nruns, 37);
    cr_assert_eq(fx_sum(&fx, 0), 116);
    cr_assert_eq(fx_sum(&fx, 1), 333);
    cr_assert_eq(fx_sum(&fx, 2), 0);

    import_ok(st, root, &rep);
    cr_expect_eq(rep.experiments_new, 1);
    cr_expect_eq(rep.runs_new, 37);
    cr_expect_eq(rep.params_new, 116);
    cr_expect_eq(rep.tags_new, 333);
    cr_expect_eq(rep.metric_points_new, 0);
    cr_expect_eq(rep.skipped, 0);
    cr_expect_eq(rep.deleted, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs"), 37);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE status = 'finished'"), 31);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE status = 'failed'"), 6);
    /* 1.x: no run_name and no mlflow.runName: the name is the run id. */
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE name = external_id"), 37);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE author = 'ayham'"), 37);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE source = 'mlflow' AND "
                              "parent_id IS NULL"), 37);
    fx_check(db, &fx);
    /* Experiment 0 "Default" has no creation_time (before 1.29): its first run's start. */
    long long first = LLONG_MAX;
    for (size_t i = 0; i < fx.nruns; i++)
        if (fx.runs[i].start < first)
            first = fx.runs[i].start;
    cr_expect_eq(q_int(db, "SELECT created_ms FROM experiments WHERE name = ?1", "Default", -1),
                 first);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM experiments WHERE source = 'mlflow' AND "
                           "external_id = ?1", "0", -1), 1);
    /* A param value is the file's bytes: no newline added or stripped. */
    char *pdir = tu_path(root, "0/000ffb108fda4c8b923cc3a6f7f4b197/params/stratify");
    char *want = tu_read(pdir, NULL);
    char *got = q_text(db, "SELECT p.value FROM run_params p JOIN runs r ON r.id = p.run_id "
                       "WHERE r.external_id = '000ffb108fda4c8b923cc3a6f7f4b197' AND "
                       "p.key = ?1", "stratify");
    cr_expect_str_eq(got, want);
    free(pdir);
    free(want);
    free(got);

    sx_mlflow_report_clear(&rep);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.experiments_new, 0);
    cr_expect_eq(rep.experiments_seen, 1);
    cr_expect_eq(rep.runs_new + rep.runs_updated, 0);
    cr_expect_eq(rep.runs_seen, 37);
    cr_expect_eq(rep.params_new + rep.tags_new + rep.metric_points_new, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_params"), 116);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_tags"), 333);
    sx_mlflow_report_clear(&rep);
    fx_free(&fx);
    free(root);
    tu_store_drop(st, dir);
}

Test(mlflow, pre07_mlruns_mlflow_3)
{
    char *dir, *root = fixture(PRE07 "/mlruns");
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;
    struct fx_store fx;

    fx_walk(root, &fx);
    cr_assert_eq(fx.nexps, 2);
    cr_assert_eq(fx.nruns, 3);
    cr_assert_eq(fx_sum(&fx, 0), 17);
    cr_assert_eq(fx_sum(&fx, 3), 18, "18 metric files");
    /* Some metric files hold each line twice: distinct points are fewer
     * than lines. */
    size_t distinct = fx_sum(&fx, 2);
    cr_assert_lt(distinct, 36);

    import_ok(st, root, &rep);
    cr_expect_eq(rep.experiments_new, 2);
    cr_expect_eq(rep.runs_new, 3);
    cr_expect_eq(rep.params_new, 17);
    cr_expect_eq(rep.tags_new, fx_sum(&fx, 1));
    cr_expect_eq(rep.metric_points_new, distinct);
    cr_expect_eq(rep.skipped, 0, "%s", rep.nproblems ? rep.problems[0] : "");
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), (long long)distinct);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_latest"), 18);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 2);
    fx_check(db, &fx);
    for (size_t i = 0; i < fx.nexps; i++) {
        char *got = q_text(db, "SELECT name FROM experiments WHERE external_id = ?1",
                           fx.expid[i]);
        cr_expect_str_eq(got, fx.expname[i]);
        free(got);
    }
    cr_expect_eq(q_int(db, "SELECT created_ms FROM experiments WHERE external_id = ?1",
                       "516221907975278643", -1), 1765068766935LL);
    /* 3.x names come from run_name; users from user_id. */
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE name LIKE 'elasticnet_%' OR "
                              "name LIKE 'knn_%'"), 3);
    /* Logged models (models/m-*) are not runs and add no points of their own. */
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE external_id LIKE 'm-%'"), 0);

    sx_mlflow_report_clear(&rep);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_seen, 3);
    cr_expect_eq(rep.runs_new + rep.runs_updated + rep.metric_points_new + rep.params_new +
                 rep.tags_new + rep.experiments_new, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), (long long)distinct);
    sx_mlflow_report_clear(&rep);
    fx_free(&fx);
    free(root);
    tu_store_drop(st, dir);
}

/* Every point of a logged model's metric files is also in its source run's
 * files: importing runs alone loses nothing. */
Test(mlflow, pre07_logged_model_points_are_run_points)
{
    char *root = fixture(PRE07 "/mlruns/516221907975278643/models");
    DIR *d = opendir(root);
    struct dirent *e;
    size_t checked = 0;
    cr_assert(d);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *mdir = tu_path(root, e->d_name), *meta = read_opt(mdir, "meta.yaml");
        char run[64];
        cr_assert(meta_line(meta, "source_run_id", run, sizeof run));
        char *metrics = tu_path(mdir, "metrics");
        DIR *md = opendir(metrics);
        struct dirent *f;
        while ((f = readdir(md))) {
            if (f->d_name[0] == '.')
                continue;
            char rel[512];
            snprintf(rel, sizeof rel, "metrics/%s", f->d_name);
            char *mtext = read_opt(mdir, rel);
            char rrel[600];
            snprintf(rrel, sizeof rrel, "../../%s/metrics/%s", run, f->d_name);
            char *rtext = read_opt(mdir, rrel);
            cr_assert(rtext, "run %s has metric %s", run, f->d_name);
            for (char *l = strtok(mtext, "\n"); l; l = strtok(NULL, "\n")) {
                char *sp = strrchr(l, ' ');          /* drop the run id field */
                cr_assert(sp);
                *sp = '\0';
                cr_expect(strstr(rtext, l), "%s/%s: '%s' in the run's file", e->d_name,
                          f->d_name, l);
                checked++;
            }
            free(mtext);
            free(rtext);
        }
        closedir(md);
        free(metrics);
        free(meta);
        free(mdir);
    }
    closedir(d);
    cr_expect_gt(checked, 0);
    free(root);
}

/* ---- the real SQLite store ---- */

struct db_run {
    char id[64], name[256], user[256], status[16];
    long long start, end, exp;
    int has_end;
    long long nparams, ntags, npoints, nkeys;
};

Test(mlflow, pre07_mlflow_db)
{
    char *dir, *path = fixture(PRE07 "/mlflow.db");
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st), *src = NULL;
    struct sx_mlflow_report rep;
    struct db_run runs[64];
    size_t n = 0;

    cr_assert_eq(sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(src,
        "SELECT r.run_uuid, r.name, r.user_id, r.status, r.start_time, r.end_time, "
        "r.experiment_id, "
        "(SELECT count(*) FROM params p WHERE p.run_uuid = r.run_uuid), "
        "(SELECT count(*) FROM tags t WHERE t.run_uuid = r.run_uuid), "
        "(SELECT count(*) FROM (SELECT DISTINCT key, timestamp, step, value, is_nan "
        "FROM metrics m WHERE m.run_uuid = r.run_uuid)), "
        "(SELECT count(DISTINCT key) FROM metrics m WHERE m.run_uuid = r.run_uuid) "
        "FROM runs r WHERE r.lifecycle_stage = 'active'", -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW && n < 64) {
        struct db_run *r = &runs[n++];
        snprintf(r->id, sizeof r->id, "%s", sqlite3_column_text(s, 0));
        snprintf(r->name, sizeof r->name, "%s", sqlite3_column_text(s, 1));
        snprintf(r->user, sizeof r->user, "%s", sqlite3_column_text(s, 2));
        snprintf(r->status, sizeof r->status, "%s", sqlite3_column_text(s, 3));
        r->start = sqlite3_column_int64(s, 4);
        r->has_end = sqlite3_column_type(s, 5) != SQLITE_NULL;
        r->end = sqlite3_column_int64(s, 5);
        r->exp = sqlite3_column_int64(s, 6);
        r->nparams = sqlite3_column_int64(s, 7);
        r->ntags = sqlite3_column_int64(s, 8);
        r->npoints = sqlite3_column_int64(s, 9);
        r->nkeys = sqlite3_column_int64(s, 10);
    }
    sqlite3_finalize(s);
    long long nexp = tu_q_int(src, "SELECT count(*) FROM experiments WHERE "
                                   "lifecycle_stage = 'active'");
    long long np = tu_q_int(src, "SELECT count(*) FROM params");
    long long nt = tu_q_int(src, "SELECT count(*) FROM tags");
    long long nm = tu_q_int(src, "SELECT count(*) FROM metrics");
    /* SOURCES.md's numbers, found again. */
    cr_assert_eq(n, 13);
    cr_assert_eq(nexp, 2);
    cr_assert_eq(np, 71);
    cr_assert_eq(nt, 65);
    cr_assert_eq(nm, 48);

    import_ok(st, path, &rep);
    cr_expect_eq(rep.experiments_new, 2);
    cr_expect_eq(rep.runs_new, 13);
    cr_expect_eq(rep.params_new, 71);
    cr_expect_eq(rep.tags_new, 65);
    cr_expect_eq(rep.metric_points_new, 48);
    cr_expect_eq(rep.skipped, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), 48);
    for (size_t i = 0; i < n; i++) {
        struct db_run *r = &runs[i];
        char *id = q_text(db, "SELECT id FROM runs WHERE source = 'mlflow' AND "
                          "external_id = ?1", r->id);
        cr_assert(id, "run %s", r->id);
        char *name = q_text(db, "SELECT name FROM runs WHERE id = ?1", id);
        char *user = q_text(db, "SELECT author FROM runs WHERE id = ?1", id);
        char *status = q_text(db, "SELECT upper(status) FROM runs WHERE id = ?1", id);
        char *exp = q_text(db, "SELECT e.external_id FROM runs r JOIN experiments e ON "
                           "e.id = r.experiment_id WHERE r.id = ?1", id);
        char want_exp[32];
        snprintf(want_exp, sizeof want_exp, "%lld", r->exp);
        cr_expect_str_eq(name, r->name);
        cr_expect_str_eq(user, r->user);
        cr_expect_str_eq(status, r->status);
        cr_expect_str_eq(exp, want_exp);
        cr_expect_eq(q_int(db, "SELECT start_ms FROM runs WHERE id = ?1", id, -1), r->start);
        cr_expect_eq(q_int(db, "SELECT end_ms FROM runs WHERE id = ?1", id, -1),
                     r->has_end ? r->end : -1);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_params WHERE run_id = ?1", id, -1),
                     r->nparams);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_tags WHERE run_id = ?1", id, -1),
                     r->ntags);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_metrics WHERE run_id = ?1", id, -1),
                     r->npoints);
        cr_expect_eq(q_int(db, "SELECT count(*) FROM run_latest WHERE run_id = ?1", id, -1),
                     r->nkeys);
        free(id);
        free(name);
        free(user);
        free(status);
        free(exp);
    }
    /* The latest values equal MLflow's own latest_metrics table. */
    sqlite3_stmt *lm = NULL;
    size_t nlatest = 0;
    cr_assert_eq(sqlite3_prepare_v2(src, "SELECT run_uuid, key, value, step, timestamp FROM "
                                    "latest_metrics", -1, &lm, NULL), SQLITE_OK);
    while (sqlite3_step(lm) == SQLITE_ROW) {
        sqlite3_stmt *o = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, "SELECT l.value, l.step, l.time_ms FROM run_latest "
                                        "l JOIN runs r ON r.id = l.run_id WHERE "
                                        "r.external_id = ?1 AND l.key = ?2", -1, &o, NULL),
                     SQLITE_OK);
        sqlite3_bind_text(o, 1, (const char *)sqlite3_column_text(lm, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(o, 2, (const char *)sqlite3_column_text(lm, 1), -1, SQLITE_TRANSIENT);
        cr_assert_eq(sqlite3_step(o), SQLITE_ROW);
        cr_expect_eq(sqlite3_column_double(o, 0), sqlite3_column_double(lm, 2));
        cr_expect_eq(sqlite3_column_int64(o, 1), sqlite3_column_int64(lm, 3));
        cr_expect_eq(sqlite3_column_int64(o, 2), sqlite3_column_int64(lm, 4));
        sqlite3_finalize(o);
        nlatest++;
    }
    sqlite3_finalize(lm);
    cr_expect_eq(nlatest, 48);
    sqlite3_close(src);

    sx_mlflow_report_clear(&rep);
    import_ok(st, path, &rep);
    cr_expect_eq(rep.runs_seen, 13);
    cr_expect_eq(rep.experiments_seen, 2);
    cr_expect_eq(rep.runs_new + rep.runs_updated + rep.params_new + rep.tags_new +
                 rep.metric_points_new + rep.experiments_new, 0);
    sx_mlflow_report_clear(&rep);
    free(path);
    tu_store_drop(st, dir);
}

/* A project directory holding both mlruns/ and mlflow.db imports both; the
 * two "wine_quality_experiment"s (ids 516… and 1) stay apart, the two
 * "Default"s (id 0 in both) are one. */
Test(mlflow, project_with_both_stores)
{
    char *dir, *path = fixture(PRE07);
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;

    import_ok(st, path, &rep);
    cr_expect_eq(rep.runs_new, 16);
    cr_expect_eq(rep.experiments_new, 3);
    cr_expect_eq(rep.experiments_seen, 1);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 3);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM experiments WHERE name = ?1",
                       "wine_quality_experiment (mlflow 1)", -1), 1);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM runs r JOIN experiments e ON e.id = "
                           "r.experiment_id WHERE e.external_id = ?1", "1", -1), 13);
    long long params = tu_q_int(db, "SELECT count(*) FROM run_params");
    long long points = tu_q_int(db, "SELECT count(*) FROM run_metrics");
    cr_expect_eq(params, 71 + 17);
    sx_mlflow_report_clear(&rep);
    import_ok(st, path, &rep);
    cr_expect_eq(rep.runs_seen, 16);
    cr_expect_eq(rep.runs_new + rep.runs_updated + rep.experiments_new, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), points);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 3);
    sx_mlflow_report_clear(&rep);
    free(path);
    tu_store_drop(st, dir);
}

/* ---- a synthetic file store ---- */

#define RUN_C "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01"   /* child of P: sorted before it */
#define RUN_G "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02"   /* child of C */
#define RUN_R "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb01"   /* running, metrics edge cases */
#define RUN_S "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb02"   /* scheduled */
#define RUN_D "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb03"   /* deleted */
#define RUN_P "ffffffffffffffffffffffffffffff01"   /* parent */

/* meta.yaml of a 2.x run. */
static void put_run(const char *root, const char *exp, const char *id, const char *extra)
{
    char rel[256], text[2048];
    snprintf(rel, sizeof rel, "%s/%s/meta.yaml", exp, id);
    snprintf(text, sizeof text,
             "artifact_uri: file:///x/mlruns/%s/%s/artifacts\n"
             "entry_point_name: ''\n"
             "experiment_id: '%s'\n"
             "run_id: %s\n"
             "run_uuid: %s\n"
             "source_name: ''\n"
             "source_type: 4\n"
             "source_version: ''\n"
             "tags: []\n"
             "%s", exp, id, exp, id, id, extra);
    put(root, rel, text);
}

/* The synthetic mlruns/ (in a new directory; caller removes it). */
static char *synth(void)
{
    char *root = tu_tmpdir();
    put(root, "0/meta.yaml", "artifact_location: file:///x/mlruns/0\nexperiment_id: '0'\n"
                             "lifecycle_stage: active\nname: Default\n");
    put(root, "1/meta.yaml", "artifact_location: file:///x/mlruns/1\n"
                             "creation_time: 1700000000000\nexperiment_id: '1'\n"
                             "last_update_time: 1700000000000\nlifecycle_stage: active\n"
                             "name: synth\n");
    put(root, "1/tags/mlflow.note.content", "experiment notes\nover lines");
    put_run(root, "1", RUN_P, "run_name: parent\nstatus: 3\nstart_time: 1700000001000\n"
                              "end_time: 1700000002000\nuser_id: alice\n"
                              "lifecycle_stage: active\n");
    put(root, "1/" RUN_P "/params/alpha", "0.5");
    put(root, "1/" RUN_P "/tags/mlflow.runName", "parent");
    put_run(root, "1", RUN_C, "run_name: child\nstatus: 4\nstart_time: 1700000001100\n"
                              "end_time: 1700000001500\nuser_id: ''\n");
    put(root, "1/" RUN_C "/tags/mlflow.user", "bob");
    put(root, "1/" RUN_C "/tags/mlflow.parentRunId", RUN_P);
    /* 1.x style: name '' and no run_name; the name is in the tag. */
    put_run(root, "1", RUN_G, "name: ''\nstatus: 5\nstart_time: 1700000001200\n"
                              "end_time: 1700000001300\nlifecycle_stage: active\n");
    put(root, "1/" RUN_G "/tags/mlflow.runName", "grand child");
    put(root, "1/" RUN_G "/tags/mlflow.parentRunId", RUN_C);
    put_run(root, "1", RUN_R, "run_name: r\nstatus: 1\nstart_time: 1700000003000\n"
                              "end_time: null\ndeleted_time: null\nuser_id: carol\n");
    put(root, "1/" RUN_R "/params/a/b", "x y");
    put(root, "1/" RUN_R "/params/none", "");
    put(root, "1/" RUN_R "/tags/note", "line one\nline two\n");
    put(root, "1/" RUN_R "/metrics/train/loss",
        "1700000000000 0.5 0\n1700000000100 0.4 1\n1700000000100 0.4 1\n"
        "1700000000200 nan 2\n1700000000050 0.45 1\n");
    put(root, "1/" RUN_R "/metrics/acc", "1700000000000 0.9\n1700000000001 0.95 3 ds abc123\n");
    put(root, "1/" RUN_R "/metrics/ties", "5 1.0 7\n5 2.0 7\n5 -inf 7\n");
    put(root, "1/" RUN_R "/metrics/neg", "10 inf -1\n");
    /* PyYAML wraps long scalars; quotes escape as ''. */
    put_run(root, "1", RUN_S, "run_name: dave's very long run name that PyYAML wrapped\n"
                              "  onto a second line\nstatus: 2\nstart_time: 1700000004000\n"
                              "user_id: 'd''ave'\n");
    put_run(root, "1", RUN_D, "run_name: d\nstatus: 3\nstart_time: 1700000005000\n"
                              "end_time: 1700000006000\nlifecycle_stage: deleted\n"
                              "deleted_time: 1700000007000\n");
    /* A logged model, a deleted experiment and the registry: none are runs. */
    put(root, "1/models/m-0123456789abcdef0123456789abcdef/meta.yaml",
        "experiment_id: '1'\nmodel_id: m-0123456789abcdef0123456789abcdef\nname: model\n"
        "source_run_id: " RUN_R "\nstatus: 2\n");
    put(root, "1/models/m-0123456789abcdef0123456789abcdef/metrics/acc",
        "1700000000001 0.95 3 " RUN_R "\n");
    put(root, ".trash/2/meta.yaml", "experiment_id: '2'\nlifecycle_stage: deleted\n"
                                    "name: gone\n");
    put_run(root, ".trash/2", "cccccccccccccccccccccccccccccc09",
            "status: 3\nstart_time: 1\nlifecycle_stage: deleted\n");
    put(root, "models/reg/meta.yaml", "creation_timestamp: 1\nname: reg\n");
    put(root, "models/reg/version-1/meta.yaml", "current_stage: None\nversion: 1\n");
    return root;
}

static char *run_field(sqlite3 *db, const char *ext, const char *col)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE source = 'mlflow' AND "
             "external_id = ?1", col);
    return q_text(db, sql, ext);
}

static void expect_run_field(sqlite3 *db, const char *ext, const char *col, const char *want)
{
    char *got = run_field(db, ext, col);
    if (!want)
        cr_expect_null(got, "%s %s is NULL, not %s", ext, col, got);
    else
        cr_expect_str_eq(got ? got : "(null)", want, "%s %s", ext, col);
    free(got);
}

/* The external id of the parent of run EXT, or NULL. */
static char *parent_of(sqlite3 *db, const char *ext)
{
    return q_text(db, "SELECT p.external_id FROM runs c JOIN runs p ON p.id = c.parent_id "
                  "WHERE c.external_id = ?1", ext);
}

static void expect_latest(sqlite3 *db, const char *run, const char *key, long long step,
                          long long time, double value)
{
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT l.step, l.time_ms, l.value FROM run_latest l "
                                    "JOIN runs r ON r.id = l.run_id WHERE r.external_id = ?1 "
                                    "AND l.key = ?2", -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, run, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "latest %s", key);
    cr_expect_eq(sqlite3_column_int64(s, 0), step, "latest %s step", key);
    cr_expect_eq(sqlite3_column_int64(s, 1), time, "latest %s time", key);
    if (isnan(value))
        cr_expect_eq(sqlite3_column_type(s, 2), SQLITE_NULL, "latest %s is NaN", key);
    else
        cr_expect_eq(sqlite3_column_double(s, 2), value, "latest %s value", key);
    sqlite3_finalize(s);
}

Test(mlflow, synthetic_store)
{
    char *dir, *root = synth();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;
    int64_t t0 = now_ms();

    import_ok(st, root, &rep);
    int64_t t1 = now_ms();
    cr_expect_eq(rep.skipped, 0, "%s", rep.nproblems ? rep.problems[0] : "");
    cr_expect_eq(rep.experiments_new, 2);
    cr_expect_eq(rep.runs_new, 5);
    cr_expect_eq(rep.deleted, 2, "run D and experiment 2 in .trash");
    cr_expect_eq(rep.params_new, 3);
    cr_expect_eq(rep.tags_new, 6);
    cr_expect_eq(rep.metric_points_new, 4 + 2 + 3 + 1);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs"), 5);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 2);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE name = 'gone' OR "
                              "external_id LIKE 'm-%' OR external_id = '" RUN_D "'"), 0);
    /* An experiment without creation_time and without runs: the import time. */
    long long created = q_int(db, "SELECT created_ms FROM experiments WHERE name = ?1",
                              "Default", -1);
    cr_expect(created >= t0 && created <= t1, "created %lld in [%lld, %lld]", created,
              (long long)t0, (long long)t1);
    cr_expect_eq(q_int(db, "SELECT created_ms FROM experiments WHERE name = ?1", "synth", -1),
                 1700000000000LL);

    expect_run_field(db, RUN_P, "name", "parent");
    expect_run_field(db, RUN_P, "status", "finished");
    expect_run_field(db, RUN_P, "author", "alice");
    expect_run_field(db, RUN_C, "name", "child");
    expect_run_field(db, RUN_C, "status", "failed");
    expect_run_field(db, RUN_C, "author", "bob");
    expect_run_field(db, RUN_G, "name", "grand child");
    expect_run_field(db, RUN_G, "status", "killed");
    expect_run_field(db, RUN_G, "author", "unknown");
    expect_run_field(db, RUN_R, "status", "running");
    expect_run_field(db, RUN_R, "end_ms", NULL);
    expect_run_field(db, RUN_S, "status", "scheduled");
    expect_run_field(db, RUN_S, "name", "dave's very long run name that PyYAML wrapped onto a "
                                        "second line");
    expect_run_field(db, RUN_S, "author", "d'ave");
    expect_run_field(db, RUN_S, "start_ms", "1700000004000");
    expect_run_field(db, RUN_P, "end_ms", "1700000002000");
    expect_run_field(db, RUN_P, "source", "mlflow");

    /* Nested runs: both children were read before their parents. */
    char *p;
    cr_expect_str_eq((p = parent_of(db, RUN_C)) ? p : "(none)", RUN_P);
    free(p);
    cr_expect_str_eq((p = parent_of(db, RUN_G)) ? p : "(none)", RUN_C);
    free(p);
    cr_expect_null((p = parent_of(db, RUN_P)));
    free(p);

    /* Keys with '/', values byte for byte. */
    char *v = q_text(db, "SELECT value FROM run_params WHERE key = ?1", "a/b");
    cr_expect_str_eq(v, "x y");
    free(v);
    v = q_text(db, "SELECT value FROM run_params WHERE key = ?1", "none");
    cr_expect_str_eq(v, "");
    free(v);
    v = q_text(db, "SELECT value FROM run_tags WHERE key = ?1", "note");
    cr_expect_str_eq(v, "line one\nline two\n");
    free(v);

    /* Metric histories: the repeated line is one point; NaN is NULL; 2- and
     * 5-field lines; the latest is the largest (step, time, value). */
    cr_expect_eq(q_int(db, "SELECT count(*) FROM run_metrics WHERE key = ?1", "train/loss", -1),
                 4);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM run_metrics WHERE key = ?1 AND value IS NULL",
                       "train/loss", -1), 1);
    expect_latest(db, RUN_R, "train/loss", 2, 1700000000200LL, NAN);
    expect_latest(db, RUN_R, "acc", 3, 1700000000001LL, 0.95);
    cr_expect_eq(q_int(db, "SELECT step FROM run_metrics WHERE key = ?1 AND value = 0.9",
                       "acc", -1), 0);
    expect_latest(db, RUN_R, "ties", 7, 5, 2.0);
    expect_latest(db, RUN_R, "neg", -1, 10, INFINITY);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM run_metrics WHERE key = ?1 AND value < -1e308",
                       "ties", -1), 1, "-inf kept");

    sx_mlflow_report_clear(&rep);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_seen, 5);
    cr_expect_eq(rep.runs_new + rep.runs_updated + rep.params_new + rep.tags_new +
                 rep.metric_points_new + rep.experiments_new, 0);
    cr_expect_eq(rep.experiments_seen, 2);
    cr_expect_eq(rep.deleted, 2);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), 10);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

static void count_progress(void *ctx, size_t done)
{
    size_t *last = ctx;
    cr_expect_eq(done, *last + 1, "progress counts runs one by one");
    *last = done;
}

/* The progress callback sees every run folder (deleted ones too); a store
 * error part-way leaves the store as it was: one transaction. */
Test(mlflow, progress_and_one_transaction)
{
    char *dir, *root = synth();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;
    struct sx_err err;
    size_t last = 0;

    exec(db, "CREATE TEMP TRIGGER boom BEFORE INSERT ON main.run_metrics WHEN "
             "(SELECT count(*) FROM main.run_metrics) >= 5 BEGIN "
             "SELECT RAISE(ABORT, 'disk on fire'); END");
    cr_expect_eq(sx_mlflow_import(st, root, count_progress, &last, &rep, &err), SX_ESTORE);
    cr_expect(strstr(err.msg, "disk on fire"), "%s", err.msg);
    sx_mlflow_report_clear(&rep);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs"), 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_params"), 0);
    exec(db, "DROP TRIGGER temp.boom");

    last = 0;
    cr_assert_eq(sx_mlflow_import(st, root, count_progress, &last, &rep, &err), SX_OK,
                 "%s", err.msg);
    cr_expect_eq(last, 6, "six run folders in experiment 1");
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs"), 5);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

Test(mlflow, incremental_import_adds_exactly_what_is_new)
{
    char *dir, *root = synth();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;

    import_ok(st, root, &rep);
    sx_mlflow_report_clear(&rep);
    long long points = tu_q_int(db, "SELECT count(*) FROM run_metrics");
    long long params = tu_q_int(db, "SELECT count(*) FROM run_params");
    long long tags = tu_q_int(db, "SELECT count(*) FROM run_tags");

    /* R: one new point and a repeat of an old one; it finished. */
    append(root, "1/" RUN_R "/metrics/train/loss", "1700000000300 0.3 3\n1700000000000 0.5 0\n");
    put_run(root, "1", RUN_R, "run_name: r\nstatus: 3\nstart_time: 1700000003000\n"
                              "end_time: 1700000009000\nuser_id: carol\n");
    /* S: a new tag; P: a new param; C: a tag value that changed. */
    put(root, "1/" RUN_S "/tags/stage", "two");
    put(root, "1/" RUN_P "/params/beta", "2");
    put(root, "1/" RUN_C "/tags/mlflow.user", "bobby");
    /* A new run. */
    put_run(root, "1", "dddddddddddddddddddddddddddddd01",
            "run_name: n\nstatus: 3\nstart_time: 1700000010000\nend_time: 1700000011000\n");
    put(root, "1/dddddddddddddddddddddddddddddd01/params/k1", "1");
    put(root, "1/dddddddddddddddddddddddddddddd01/params/k2", "2");
    put(root, "1/dddddddddddddddddddddddddddddd01/tags/t", "t");
    put(root, "1/dddddddddddddddddddddddddddddd01/metrics/m", "1 1 0\n");

    import_ok(st, root, &rep);
    cr_expect_eq(rep.skipped, 0);
    cr_expect_eq(rep.runs_new, 1);
    cr_expect_eq(rep.runs_updated, 4, "R, S, P and C");
    cr_expect_eq(rep.runs_seen, 1, "G");
    cr_expect_eq(rep.params_new, 3);
    cr_expect_eq(rep.tags_new, 2);
    cr_expect_eq(rep.metric_points_new, 2);
    cr_expect_eq(rep.experiments_new, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), points + 2);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_params"), params + 3);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_tags"), tags + 2);
    expect_run_field(db, RUN_R, "status", "finished");
    expect_run_field(db, RUN_R, "end_ms", "1700000009000");
    expect_latest(db, RUN_R, "train/loss", 3, 1700000000300LL, 0.3);
    char *v = q_text(db, "SELECT t.value FROM run_tags t JOIN runs r ON r.id = t.run_id WHERE "
                     "r.external_id = ?1 AND t.key = 'mlflow.user'", RUN_C);
    cr_expect_str_eq(v, "bobby");
    free(v);
    sx_mlflow_report_clear(&rep);

    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_seen, 6);
    cr_expect_eq(rep.runs_new + rep.runs_updated + rep.params_new + rep.tags_new +
                 rep.metric_points_new, 0);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

/* A child imported before its parent exists is linked by the import that
 * brings the parent. */
Test(mlflow, parent_arriving_in_a_later_import)
{
    char *dir, *root = tu_tmpdir();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;

    put(root, "5/meta.yaml", "experiment_id: '5'\nname: five\n");
    put_run(root, "5", RUN_C, "status: 3\nstart_time: 10\nend_time: 20\n");
    put(root, "5/" RUN_C "/tags/mlflow.parentRunId", RUN_P);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_new, 1);
    char *p = parent_of(db, RUN_C);
    cr_expect_null(p);
    free(p);
    sx_mlflow_report_clear(&rep);

    put_run(root, "5", RUN_P, "status: 3\nstart_time: 5\nend_time: 30\n");
    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_new, 1);
    cr_expect_eq(rep.runs_updated, 1, "the child got its parent");
    cr_expect_eq(rep.runs_seen, 0);
    cr_expect_str_eq((p = parent_of(db, RUN_C)) ? p : "(none)", RUN_P);
    free(p);
    sx_mlflow_report_clear(&rep);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_seen, 2);
    cr_expect_eq(rep.runs_updated, 0);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

Test(mlflow, parent_cycle_is_reported_not_linked)
{
    char *dir, *root = tu_tmpdir();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;

    put(root, "5/meta.yaml", "experiment_id: '5'\nname: five\n");
    put_run(root, "5", RUN_C, "status: 3\nstart_time: 10\n");
    put(root, "5/" RUN_C "/tags/mlflow.parentRunId", RUN_P);
    put_run(root, "5", RUN_P, "status: 3\nstart_time: 10\n");
    put(root, "5/" RUN_P "/tags/mlflow.parentRunId", RUN_C);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.runs_new, 2);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs WHERE parent_id IS NOT NULL"), 1);
    cr_expect_eq(rep.nproblems, 1);
    cr_expect(has_problem(&rep, "cycle", NULL));
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

/* Our experiment names are unique: an MLflow experiment whose name is taken
 * by another experiment becomes "NAME (mlflow ID)", found again on re-import. */
Test(mlflow, experiment_name_taken)
{
    char *dir, *root = synth();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;

    exec(db, "INSERT INTO experiments (id, name, author, created_ms) VALUES "
             "('00000000-0000-4000-8000-000000000000', 'synth', 'me', 1)");
    import_ok(st, root, &rep);
    cr_expect_eq(rep.experiments_new, 2);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM runs r JOIN experiments e ON e.id = "
                           "r.experiment_id WHERE e.name = ?1", "synth (mlflow 1)", -1), 5);
    cr_expect_eq(q_int(db, "SELECT count(*) FROM runs r JOIN experiments e ON e.id = "
                           "r.experiment_id WHERE e.name = ?1", "synth", -1), 0);
    sx_mlflow_report_clear(&rep);
    import_ok(st, root, &rep);
    cr_expect_eq(rep.experiments_new, 0);
    cr_expect_eq(rep.experiments_seen, 2);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 3);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

/* ---- malformed files ---- */

/* A store with one experiment of good and bad runs (caller removes it). */
static char *malformed(void)
{
    char *root = tu_tmpdir();
    put(root, "3/meta.yaml", "experiment_id: '3'\nname: bad stuff\ncreation_time: 5\n");
    put_run(root, "3", "00000000000000000000000000000001",
            "run_name: ok1\nstatus: 3\nstart_time: 100\nend_time: 200\n");
    put(root, "3/00000000000000000000000000000001/metrics/m",
        "1 1.0 0\n2 abc 1\n3 2.0 2\nxx\n");
    put(root, "3/00000000000000000000000000000001/params/p", "v");
    put(root, "3/00000000000000000000000000000002/meta.yaml", "run_id: [unclosed\n");
    put(root, "3/00000000000000000000000000000003/params/p", "orphan");
    put_run(root, "3", "00000000000000000000000000000004", "status: 9\nstart_time: 1\n");
    put_run(root, "3", "00000000000000000000000000000005",
            "run_name: ok2\nstatus: 3\nstart_time: 100\n");
    put(root, "3/00000000000000000000000000000005/metrics/empty", "");
    put(root, "3/00000000000000000000000000000005/metrics/fine", "1 2 3\n");
    put(root, "3/00000000000000000000000000000006/meta.yaml",
        "experiment_id: '4'\nrun_id: 00000000000000000000000000000006\nstatus: 3\n"
        "start_time: 1\n");
    put_run(root, "3", "00000000000000000000000000000007",
            "status: 3\nstart_time: soon\n");
    put(root, "4/params/x", "not an experiment");
    put(root, "5/meta.yaml", "- a\n- b\n");
    put(root, "6/meta.yaml", "name: \"unterminated\n");
    return root;
}

Test(mlflow, malformed_files_are_reported_and_skipped)
{
    char *dir, *root = malformed();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;

    import_ok(st, root, &rep);
    for (size_t i = 0; i < rep.nproblems; i++)
        cr_log_info("problem: %s", rep.problems[i]);
    cr_expect_eq(rep.runs_new, 2, "ok1 and ok2");
    cr_expect_eq(rep.metric_points_new, 2 + 1);
    cr_expect_eq(rep.nproblems, 10);
    cr_expect_eq(rep.skipped, 10);
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000001/metrics/m:2: ", "'abc'"));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000001/metrics/m", "1 more"));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000002/meta.yaml:2:1: ", NULL));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000003", "no meta.yaml"));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000004/meta.yaml", "status '9'"));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000005/metrics/empty", "empty"));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000006/meta.yaml",
                          "experiment_id '4'"));
    cr_expect(has_problem(&rep, "3/00000000000000000000000000000007/meta.yaml", "start_time"));
    cr_expect(has_problem(&rep, "/4", "no meta.yaml"));
    cr_expect(has_problem(&rep, "5/meta.yaml:1:1: ", "not a YAML mapping"));
    cr_expect(has_problem(&rep, "6/meta.yaml:2:1: ", NULL));
    for (size_t i = 0; i < rep.nproblems; i++)
        cr_expect(strstr(rep.problems[i], root), "names its path: %s", rep.problems[i]);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs"), 2);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics"), 3);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_latest"), 2);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

Test(mlflow, not_a_store)
{
    char *dir, *root = tu_tmpdir();
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st);
    struct sx_mlflow_report rep;
    struct sx_err err;
    char *missing = tu_path(root, "nope"), *text = tu_path(root, "x.txt");
    char *other = tu_path(root, "other.db"), *exp = tu_path(root, "7");

    tu_write(text, "hello", (size_t)-1);
    sqlite3 *o = NULL;
    cr_assert_eq(sqlite3_open(other, &o), SQLITE_OK);
    exec(o, "CREATE TABLE t (x)");
    sqlite3_close(o);
    put(root, "7/meta.yaml", "experiment_id: '7'\nname: seven\n");
    put_run(root, "7", RUN_P, "status: 3\nstart_time: 1\n");

    const char *paths[] = {missing, text, other, exp, dir};
    for (size_t i = 0; i < 5; i++) {
        cr_expect_eq(sx_mlflow_import(st, paths[i], NULL, NULL, &rep, &err), SX_ENOTFOUND,
                     "%s", paths[i]);
        cr_expect(strstr(err.msg, paths[i]), "%s names the path", err.msg);
        sx_mlflow_report_clear(&rep);
    }
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM runs"), 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM experiments"), 0);
    free(missing);
    free(text);
    free(other);
    free(exp);
    tu_rmrf(root);
    free(root);
    tu_store_drop(st, dir);
}

/* ---- synthetic SQLite stores ---- */

/* An MLflow 1.x-era database: no runs.name (names in mlflow.runName), no
 * experiments.creation_time, no latest_metrics; statuses as text. */
static const char sql_1x[] =
    "CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256) NOT NULL "
    "UNIQUE, artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32));"
    "CREATE TABLE runs (run_uuid VARCHAR(32) PRIMARY KEY, source_type VARCHAR(20), "
    "source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), "
    "status VARCHAR(20), start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), "
    "lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER);"
    "CREATE TABLE params (key VARCHAR(250), value VARCHAR(250), run_uuid VARCHAR(32));"
    "CREATE TABLE tags (key VARCHAR(250), value VARCHAR(250), run_uuid VARCHAR(32));"
    "CREATE TABLE metrics (key VARCHAR(250), value FLOAT, timestamp BIGINT, "
    "run_uuid VARCHAR(32), step BIGINT DEFAULT 0, is_nan BOOLEAN DEFAULT 0);"
    "INSERT INTO experiments VALUES (0, 'Default', 'x', 'active'), (1, 'one', 'x', 'active'),"
    " (2, 'two', 'x', 'deleted');"
    "INSERT INTO runs VALUES "
    " ('r1', 'LOCAL', '', '', 'ann', 'FINISHED', 1000, 2000, '', 'active', '', 1),"
    " ('r2', 'LOCAL', '', '', 'ann', 'KILLED', 1500, 1600, '', 'active', '', 1),"
    " ('r3', 'LOCAL', '', '', 'ann', 'RUNNING', 1700, NULL, '', 'active', '', 1),"
    " ('r4', 'LOCAL', '', '', 'ann', 'FINISHED', 1, 2, '', 'deleted', '', 1),"
    " ('r5', 'LOCAL', '', '', 'ann', 'FINISHED', 1, 2, '', 'active', '', 2),"
    " ('r6', 'LOCAL', '', '', 'ann', 'WEIRD', 1, 2, '', 'active', '', 1),"
    " ('r7', 'LOCAL', '', '', 'ann', 'FINISHED', 1, 2, '', 'active', '', 9);"
    "INSERT INTO params VALUES ('lr', '0.1', 'r1'), ('lr', '0.2', 'r2'), ('x', 'y', 'r0'),"
    " ('depth', '3', 'r1');"
    "INSERT INTO tags VALUES ('mlflow.runName', 'first', 'r1'),"
    " ('mlflow.parentRunId', 'r1', 'r2'), ('mlflow.parentRunId', 'r2', 'r3');"
    "INSERT INTO metrics VALUES ('loss', 1.0, 10, 'r1', 0, 0), ('loss', 0.5, 20, 'r1', 1, 0),"
    " ('loss', 0, 30, 'r1', 2, 1), ('acc', 0.7, 10, 'r2', 0, 0), ('acc', 0.8, 5, 'r2', 0, 0),"
    " ('acc', 0.1, 5, 'zz', 0, 0);";

Test(mlflow, sqlite_1x_schema)
{
    char *dir, *tmp = tu_tmpdir(), *path = tu_path(tmp, "mlflow.db");
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st), *src = NULL;
    struct sx_mlflow_report rep;

    cr_assert_eq(sqlite3_open(path, &src), SQLITE_OK);
    exec(src, sql_1x);
    sqlite3_close(src);

    import_ok(st, path, &rep);
    for (size_t i = 0; i < rep.nproblems; i++)
        cr_log_info("problem: %s", rep.problems[i]);
    cr_expect_eq(rep.experiments_new, 2);
    cr_expect_eq(rep.runs_new, 3);
    cr_expect_eq(rep.deleted, 2, "experiment 2 and run r4");
    cr_expect_eq(rep.params_new, 3);
    cr_expect_eq(rep.tags_new, 3);
    cr_expect_eq(rep.metric_points_new, 5);
    cr_expect_eq(rep.nproblems, 2);
    cr_expect(has_problem(&rep, "run r6", "WEIRD"));
    cr_expect(has_problem(&rep, "run r7", "experiment 9"));
    cr_expect(has_problem(&rep, path, NULL));
    expect_run_field(db, "r1", "name", "first");
    expect_run_field(db, "r2", "name", "r2");
    expect_run_field(db, "r2", "status", "killed");
    expect_run_field(db, "r3", "status", "running");
    expect_run_field(db, "r3", "end_ms", NULL);
    expect_run_field(db, "r1", "author", "ann");
    char *p;
    cr_expect_str_eq((p = parent_of(db, "r2")) ? p : "(none)", "r1");
    free(p);
    cr_expect_str_eq((p = parent_of(db, "r3")) ? p : "(none)", "r2");
    free(p);
    expect_latest(db, "r1", "loss", 2, 30, NAN);
    expect_latest(db, "r2", "acc", 0, 10, 0.7);
    /* No creation_time: the first run's start; none: the import time. */
    cr_expect_eq(q_int(db, "SELECT created_ms FROM experiments WHERE name = ?1", "one", -1),
                 1000);
    sx_mlflow_report_clear(&rep);

    /* The database gains a point and a run, and r3 ends. */
    cr_assert_eq(sqlite3_open(path, &src), SQLITE_OK);
    exec(src, "INSERT INTO metrics VALUES ('loss', 0.25, 40, 'r1', 3, 0);"
              "INSERT INTO runs VALUES ('r8', 'LOCAL', '', '', 'bo', 'FAILED', 5, 6, '', "
              "'active', '', 0);"
              "UPDATE runs SET status = 'FINISHED', end_time = 1800 WHERE run_uuid = 'r3';");
    sqlite3_close(src);
    import_ok(st, path, &rep);
    cr_expect_eq(rep.runs_new, 1);
    cr_expect_eq(rep.runs_updated, 2, "r1 (a point) and r3 (ended)");
    cr_expect_eq(rep.runs_seen, 1);
    cr_expect_eq(rep.metric_points_new, 1);
    cr_expect_eq(rep.params_new + rep.tags_new + rep.experiments_new, 0);
    expect_latest(db, "r1", "loss", 3, 40, 0.25);
    expect_run_field(db, "r3", "status", "finished");
    expect_run_field(db, "r8", "status", "failed");
    sx_mlflow_report_clear(&rep);
    tu_rmrf(tmp);
    free(tmp);
    free(path);
    tu_store_drop(st, dir);
}

/* The 0.9 baseline: metrics without step and is_nan. */
Test(mlflow, sqlite_baseline_without_step)
{
    char *dir, *tmp = tu_tmpdir(), *path = tu_path(tmp, "old.db");
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st), *src = NULL;
    struct sx_mlflow_report rep;

    cr_assert_eq(sqlite3_open(path, &src), SQLITE_OK);
    exec(src, "CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT);"
              "CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, name TEXT, user_id TEXT, "
              "status TEXT, start_time INT, end_time INT, experiment_id INT);"
              "CREATE TABLE metrics (key TEXT, value FLOAT, timestamp INT, run_uuid TEXT);"
              "INSERT INTO experiments VALUES (0, 'Default');"
              "INSERT INTO runs VALUES ('a', 'alpha', 'u', 'FINISHED', 1, 2, 0);"
              "INSERT INTO metrics VALUES ('m', 1.5, 7, 'a'), ('m', 2.5, 8, 'a');");
    sqlite3_close(src);
    import_ok(st, path, &rep);
    cr_expect_eq(rep.runs_new, 1);
    cr_expect_eq(rep.metric_points_new, 2);
    cr_expect_eq(rep.skipped, 0);
    cr_expect_eq(tu_q_int(db, "SELECT count(*) FROM run_metrics WHERE step = 0"), 2);
    expect_latest(db, "a", "m", 0, 8, 2.5);
    expect_run_field(db, "a", "name", "alpha");
    sx_mlflow_report_clear(&rep);
    tu_rmrf(tmp);
    free(tmp);
    free(path);
    tu_store_drop(st, dir);
}

/* MLflow 3's workspaces: one name in two workspaces is two experiments. */
Test(mlflow, sqlite_workspaces)
{
    char *dir, *tmp = tu_tmpdir(), *path = tu_path(tmp, "mlflow.db");
    struct sx_store *st = tu_store_new(&dir);
    sqlite3 *db = sx_store_db(st), *src = NULL;
    struct sx_mlflow_report rep;

    cr_assert_eq(sqlite3_open(path, &src), SQLITE_OK);
    exec(src, "CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT, "
              "artifact_location TEXT, lifecycle_stage TEXT, creation_time BIGINT, "
              "last_update_time BIGINT, workspace TEXT NOT NULL DEFAULT 'default');"
              "CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, name TEXT, user_id TEXT, "
              "status TEXT, start_time INT, end_time INT, lifecycle_stage TEXT, "
              "experiment_id INT, deleted_time INT);"
              "INSERT INTO experiments VALUES (1, 'a', '', 'active', 11, 11, 'default'),"
              " (2, 'a', '', 'active', 22, 22, 'team');"
              "INSERT INTO runs VALUES ('x', 'rx', 'u', 'FINISHED', 1, 2, 'active', 1, NULL),"
              " ('y', 'ry', 'u', 'SCHEDULED', 3, NULL, 'active', 2, NULL);");
    sqlite3_close(src);
    import_ok(st, path, &rep);
    cr_expect_eq(rep.experiments_new, 2);
    cr_expect_eq(rep.runs_new, 2);
    cr_expect_eq(q_int(db, "SELECT created_ms FROM experiments WHERE name = ?1", "a", -1), 11);
    cr_expect_eq(q_int(db, "SELECT created_ms FROM experiments WHERE name = ?1",
                       "a (mlflow 2)", -1), 22);
    char *e = q_text(db, "SELECT e.name FROM runs r JOIN experiments e ON e.id = "
                     "r.experiment_id WHERE r.external_id = ?1", "y");
    cr_expect_str_eq(e, "a (mlflow 2)");
    free(e);
    expect_run_field(db, "y", "status", "scheduled");
    sx_mlflow_report_clear(&rep);
    import_ok(st, path, &rep);
    cr_expect_eq(rep.experiments_seen, 2);
    cr_expect_eq(rep.runs_seen, 2);
    sx_mlflow_report_clear(&rep);
    tu_rmrf(tmp);
    free(tmp);
    free(path);
    tu_store_drop(st, dir);
}

/* ---- the command line ---- */

static char *cli_project(void)
{
    char *d = tu_tmpdir();
    struct tu_run r = tu_sextant(d, "init", NULL);
    cr_assert_eq(r.status, 0, "init: %s", r.err);
    tu_run_free(&r);
    return d;
}

Test(mlflow, cli_output_and_exit_codes)
{
    char *proj = cli_project(), *root = malformed(), *genre = fixture(GENRE);
    struct tu_run r;

    r = tu_sextant(proj, "import-mlflow", "--help", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "usage: sextant import-mlflow PATH"));
    tu_run_free(&r);
    r = tu_sextant(proj, "import-mlflow", NULL);
    cr_expect_eq(r.status, 2);
    tu_run_free(&r);
    r = tu_sextant(proj, "import-mlflow", "a", "b", NULL);
    cr_expect_eq(r.status, 2);
    tu_run_free(&r);
    r = tu_sextant(proj, "import-mlflow", "--bogus", genre, NULL);
    cr_expect_eq(r.status, 2);
    tu_run_free(&r);

    /* Not a store: exit 1, one line. */
    r = tu_sextant(proj, "import-mlflow", proj, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "not an MLflow store"), "%s", r.err);
    tu_run_free(&r);

    r = tu_sextant(proj, "import-mlflow", genre, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "runs           37 new, 0 updated, 0 unchanged"), "%s", r.out);
    cr_expect(strstr(r.out, "params         116 new"), "%s", r.out);
    cr_expect(strstr(r.out, "tags           333 new"), "%s", r.out);
    cr_expect(strstr(r.out, "skipped        0 "), "%s", r.out);
    cr_expect_str_eq(r.err, "");
    tu_run_free(&r);

    r = tu_sextant(proj, "import-mlflow", "--json", genre, NULL);
    cr_expect_eq(r.status, 0);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    cr_assert(j, "%s: %s", je.text, r.out);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(j, "runs"), "seen")), 37);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(j, "runs"), "new")), 0);
    cr_expect_eq(json_integer_value(json_object_get(j, "params_new")), 0);
    cr_expect_eq(json_array_size(json_object_get(j, "problems")), 0);
    json_decref(j);
    tu_run_free(&r);

    /* Skipped files: exit 0, each a warning with its path, the count said. */
    r = tu_sextant(proj, "import-mlflow", root, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "skipped        10 malformed files or rows"), "%s", r.out);
    cr_expect(strstr(r.out, "runs           2 new"), "%s", r.out);
    size_t warnings = 0;
    for (const char *s = r.err; (s = strstr(s, "sextant import-mlflow: warning: ")); s++)
        warnings++;
    cr_expect_eq(warnings, 10, "%s", r.err);
    cr_expect(strstr(r.err, "00000000000000000000000000000002/meta.yaml"), "%s", r.err);
    tu_run_free(&r);

    r = tu_sextant(proj, "import-mlflow", "--json", root, NULL);
    cr_expect_eq(r.status, 0);
    j = json_loads(r.out, 0, &je);
    cr_assert(j, "%s", je.text);
    cr_expect_eq(json_integer_value(json_object_get(j, "skipped")), 10);
    cr_expect_eq(json_array_size(json_object_get(j, "problems")), 10);
    json_decref(j);
    tu_run_free(&r);

    /* No store: exit 1. */
    char *empty = tu_tmpdir();
    r = tu_sextant(empty, "import-mlflow", genre, NULL);
    cr_expect_eq(r.status, 1);
    tu_run_free(&r);
    tu_rmrf(empty);
    free(empty);

    tu_rmrf(proj);
    tu_rmrf(root);
    free(proj);
    free(root);
    free(genre);
}
