/* tests/test_runs.c: experiment tracking in the store (core/runs.c): runs
 * round trip (every field), params immutability, tag overwrite, metric
 * history order, NaN as null, the latest-value rule, batches written whole
 * or not at all, id prefixes, comments and review status, sweeps (children
 * and best trial), the runs table (columns, types, collision prefixes,
 * order, experiments, top-level only, rows made stale by other writers),
 * the JSON shapes, and parsing `log batch` lines. */
#include "teststore.h"
#include "testutil.h"

#include <ctype.h>
#include <math.h>

#include <jansson.h>
#include <sqlite3.h>

#include "hash.h"
#include "runs.h"
#include "store.h"

static void hash_init(void)
{
    struct sx_err err = {0};
    cr_assert_eq(sx_hash_init(&err), SX_OK, "%s", err.msg);
}

TestSuite(runs, .init = hash_init);

static char *new_run(struct sx_store *st, const char *experiment, const char *name,
                     int64_t start_ms)
{
    struct sx_err err = {0};
    struct sx_run_new in = {0};
    in.experiment = experiment;
    in.name = name;
    in.start_ms = start_ms;
    char *id = malloc(SX_UUID_LEN);
    cr_assert_eq(sx_runs_start(st, &in, id, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(strlen(id), 36);
    return id;
}

static struct sx_log_item metric(const char *key, double v, int64_t step, int64_t t)
{
    struct sx_log_item it = {SX_LOG_METRIC, key, NULL, v, step, t};
    return it;
}

static struct sx_log_item param(const char *key, const char *v)
{
    struct sx_log_item it = {SX_LOG_PARAM, key, v, 0, 0, 0};
    return it;
}

static struct sx_log_item tag(const char *key, const char *v)
{
    struct sx_log_item it = {SX_LOG_TAG, key, v, 0, 0, 0};
    return it;
}

static void log_ok(struct sx_store *st, const char *id, const struct sx_log_item *it, size_t n)
{
    struct sx_err err = {0};
    cr_assert_eq(sx_runs_log(st, id, it, n, &err), SX_OK, "%s", err.msg);
}

static long long count_where(struct sx_store *st, const char *table, const char *id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE run_id = '%s'", table, id);
    return tu_q_int(sx_store_db(st), sql);
}

/* ---- round trip ---- */

Test(runs, every_field_round_trips)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    struct sx_run_new in = {.experiment = "exp A", .name = "nom ünïcode", .author = "alice",
                            .status = "scheduled", .start_ms = 1767225600123LL,
                            .kind = "sweep", .source = "cli", .notes = "line one\nline two"};
    char parent[SX_UUID_LEN], child[SX_UUID_LEN];
    cr_assert_eq(sx_runs_start(st, &in, parent, &err), SX_OK, "%s", err.msg);
    struct sx_run_new cin = {.experiment = "exp A", .parent_id = parent, .kind = "trial"};
    cr_assert_eq(sx_runs_start(st, &cin, child, &err), SX_OK, "%s", err.msg);

    struct sx_log_item items[] = {param("alpha", "0.5"), metric("rmse", 2.5, 3, 1000),
                                  tag("team", "blue")};
    struct sx_run_result res = {.algo = "ridge", .target = "demand", .source_path = "/data/x.csv",
                                .data_hash = "ab12", .split = "kfold:5",
                                .model_json = "{\"coef\":[1,2]}",
                                .groups_json = "{\"region\":{\"north\":{\"rmse\":1.5}}}",
                                .validation_json = "{\"later\":{\"rmse\":3}}",
                                .env_json = "{\"os\":\"linux\"}",
                                .resources_json = "{\"wall_s\":1.5}",
                                .items = items, .nitems = 3};
    cr_assert_eq(sx_runs_record(st, child, &res, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_runs_set_best(st, parent, child, "rmse", &err), SX_OK, "%s", err.msg);

    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, parent, &r, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(r.id, parent);
    cr_assert_str_eq(r.name, "nom ünïcode");
    cr_assert_str_eq(r.experiment, "exp A");
    cr_assert_str_eq(r.author, "alice");
    cr_assert_str_eq(r.status, "scheduled");
    cr_assert_eq(r.start_ms, 1767225600123LL);
    cr_assert_eq(r.end_ms, 0);
    cr_assert_str_eq(r.parent_id, "");
    cr_assert_str_eq(r.kind, "sweep");
    cr_assert_str_eq(r.source, "cli");
    cr_assert_str_eq(r.notes, "line one\nline two");
    cr_assert_str_eq(r.best_metric, "rmse");
    cr_assert_str_eq(r.best_run_id, child);
    cr_assert_str_eq(r.algo, "");
    cr_assert_str_eq(r.review, "");
    cr_assert_eq(r.nparams + r.nmetrics + r.ntags + r.ncomments, 0);
    sx_run_clear(&r);

    cr_assert_eq(sx_runs_get(st, child, &r, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(r.parent_id, parent);
    cr_assert_str_eq(r.kind, "trial");
    cr_assert_str_eq(r.status, "finished");
    cr_assert(r.end_ms >= r.start_ms && r.end_ms > 0);
    cr_assert_str_eq(r.source, "sextant");
    cr_assert(strncmp(r.name, "run-", 4) == 0 && strncmp(r.name + 4, child, 8) == 0);
    cr_assert_str_eq(r.algo, "ridge");
    cr_assert_str_eq(r.target, "demand");
    cr_assert_str_eq(r.split, "kfold:5");
    cr_assert_str_eq(r.source_path, "/data/x.csv");
    cr_assert_str_eq(r.data_hash, "ab12");
    cr_assert_str_eq(r.dataset_id, "");
    cr_assert_str_eq(r.dataset_name, "");
    cr_assert_eq(r.dataset_version, 0);
    cr_assert_str_eq(r.fit_id, "");
    cr_assert_str_eq(r.model_json, "{\"coef\":[1,2]}");
    cr_assert_str_eq(r.groups_json, "{\"region\":{\"north\":{\"rmse\":1.5}}}");
    cr_assert_str_eq(r.validation_json, "{\"later\":{\"rmse\":3}}");
    cr_assert_str_eq(r.env_json, "{\"os\":\"linux\"}");
    cr_assert_str_eq(r.resources_json, "{\"wall_s\":1.5}");
    cr_assert_eq(r.nparams, 1);
    cr_assert_str_eq(r.params[0].key, "alpha");
    cr_assert_str_eq(r.params[0].value, "0.5");
    cr_assert_eq(r.nmetrics, 1);
    cr_assert_str_eq(r.metrics[0].key, "rmse");
    cr_assert_eq(r.metrics[0].value, 2.5);
    cr_assert_eq(r.metrics[0].step, 3);
    cr_assert_eq(r.metrics[0].time_ms, 1000);
    cr_assert_eq(r.ntags, 1);
    cr_assert_str_eq(r.tags[0].value, "blue");
    sx_run_clear(&r);

    char (*kids)[SX_UUID_LEN] = NULL;
    size_t nk = 0;
    cr_assert_eq(sx_runs_children(st, parent, &kids, &nk, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(nk, 1);
    cr_assert_str_eq(kids[0], child);
    free(kids);

    struct sx_experiment *ex = NULL;
    size_t ne = 0;
    cr_assert_eq(sx_runs_experiments(st, &ex, &ne, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(ne, 1);
    cr_assert_str_eq(ex[0].name, "exp A");
    cr_assert_eq(ex[0].nruns, 2);
    sx_experiment_list_free(ex, ne);
    tu_store_drop(st, dir);
}

Test(runs, start_checks_its_input)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char id[SX_UUID_LEN];
    struct sx_run_new bad_status = {.status = "done"};
    cr_assert_eq(sx_runs_start(st, &bad_status, id, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "done"), "%s", err.msg);
    struct sx_run_new bad_kind = {.kind = "batch"};
    cr_assert_eq(sx_runs_start(st, &bad_kind, id, &err), SX_EINVAL);
    struct sx_run_new no_parent = {.parent_id = "00000000-0000-4000-8000-000000000000"};
    cr_assert_eq(sx_runs_start(st, &no_parent, id, &err), SX_ENOTFOUND);
    struct sx_run_new ctl = {.name = "a\tb"};
    cr_assert_eq(sx_runs_start(st, &ctl, id, &err), SX_EINVAL);
    struct sx_run_new empty_exp = {.experiment = ""};
    cr_assert_eq(sx_runs_start(st, &empty_exp, id, &err), SX_EINVAL);
    cr_assert_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM runs"), 0);
    cr_assert_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM experiments"), 0);
    /* Defaults. */
    cr_assert_eq(sx_runs_start(st, NULL, id, &err), SX_OK, "%s", err.msg);
    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(r.experiment, SX_DEFAULT_EXPERIMENT);
    cr_assert_str_eq(r.status, "running");
    cr_assert_str_eq(r.kind, "run");
    char me[256];
    sx_store_author(me, sizeof me);
    cr_assert_str_eq(r.author, me);
    int64_t now = sx_runs_now_ms();
    cr_assert(r.start_ms <= now && r.start_ms > now - 60000);
    sx_run_clear(&r);
    /* End: not as running; unknown run. */
    cr_assert_eq(sx_runs_end(st, id, "running", 0, &err), SX_EINVAL);
    cr_assert_eq(sx_runs_end(st, "00000000-0000-4000-8000-000000000000", "finished", 0, &err),
                 SX_ENOTFOUND);
    cr_assert_eq(sx_runs_end(st, id, "failed", 1767225600000LL, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK);
    cr_assert_str_eq(r.status, "failed");
    cr_assert_eq(r.end_ms, 1767225600000LL);
    sx_run_clear(&r);
    tu_store_drop(st, dir);
}

Test(runs, params_are_immutable_and_a_failed_batch_writes_nothing)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *id = new_run(st, NULL, NULL, 0);
    struct sx_log_item a[] = {param("lr", "0.1")};
    log_ok(st, id, a, 1);
    log_ok(st, id, a, 1);      /* the same value again: fine */
    struct sx_log_item b[] = {metric("loss", 1.0, 0, 0), tag("t", "x"), param("lr", "0.2")};
    cr_assert_eq(sx_runs_log(st, id, b, 3, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "lr") && strstr(err.msg, "0.1"), "%s", err.msg);
    cr_assert_eq(count_where(st, "run_metrics", id), 0);
    cr_assert_eq(count_where(st, "run_latest", id), 0);
    cr_assert_eq(count_where(st, "run_tags", id), 0);
    /* Within one batch too. */
    struct sx_log_item c[] = {param("seed", "1"), param("seed", "2")};
    cr_assert_eq(sx_runs_log(st, id, c, 2, &err), SX_EINVAL);
    cr_assert_eq(count_where(st, "run_params", id), 1);
    /* Bad keys and values are refused before anything is written. */
    struct sx_log_item d[] = {metric("ok", 1, 0, 0), metric("bad\nkey", 1, 0, 0)};
    cr_assert_eq(sx_runs_log(st, id, d, 2, &err), SX_EINVAL);
    char longkey[SX_RUN_KEY_MAX + 2];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    struct sx_log_item e[] = {metric(longkey, 1, 0, 0)};
    cr_assert_eq(sx_runs_log(st, id, e, 1, &err), SX_EINVAL);
    char *longval = malloc(SX_RUN_VALUE_MAX + 2);
    memset(longval, 'v', SX_RUN_VALUE_MAX + 1);
    longval[SX_RUN_VALUE_MAX + 1] = '\0';
    struct sx_log_item f[] = {param("long", longval)};
    cr_assert_eq(sx_runs_log(st, id, f, 1, &err), SX_EINVAL);
    /* The message names the param once, then what is wrong with its value. */
    char want[128];
    snprintf(want, sizeof want, "param long: param value is %d bytes long (at most %d)",
             SX_RUN_VALUE_MAX + 1, SX_RUN_VALUE_MAX);
    cr_assert_str_eq(err.msg, want);
    struct sx_log_item g[] = {tag("\xC3\xA9t\xC3\xA9", "bad \xFF byte")};
    cr_assert_eq(sx_runs_log(st, id, g, 1, &err), SX_EINVAL);
    cr_assert_str_eq(err.msg, "tag \xC3\xA9t\xC3\xA9: tag value: byte 5 is not valid UTF-8");
    longval[SX_RUN_VALUE_MAX] = '\0';
    log_ok(st, id, f, 1);       /* exactly the limit */
    free(longval);
    cr_assert_eq(count_where(st, "run_metrics", id), 0);
    /* An unknown run. */
    cr_assert_eq(sx_runs_log(st, "00000000-0000-4000-8000-000000000000", a, 1, &err),
                 SX_ENOTFOUND);
    free(id);
    tu_store_drop(st, dir);
}

Test(runs, logging_in_parts_commits_or_rolls_back_whole)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *id = new_run(st, NULL, NULL, 0);
    struct sx_runs_logger *lg = NULL;
    cr_assert_eq(sx_runs_log_begin(st, "00000000-0000-4000-8000-000000000000", &lg, &err),
                 SX_ENOTFOUND);
    cr_assert_null(lg);
    /* Two parts, committed: the latest value spans both. */
    cr_assert_eq(sx_runs_log_begin(st, id, &lg, &err), SX_OK, "%s", err.msg);
    char key[8];
    snprintf(key, sizeof key, "loss");
    struct sx_log_item a[] = {metric(key, 3, 1, 10), param("p", "1")};
    cr_assert_eq(sx_runs_log_add(lg, a, 2, &err), SX_OK, "%s", err.msg);
    snprintf(key, sizeof key, "xxxx");         /* the items need not outlive the call */
    struct sx_log_item b[] = {metric("loss", 2, 5, 10), metric("loss", 9, 4, 10)};
    cr_assert_eq(sx_runs_log_add(lg, b, 2, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_runs_log_commit(lg, &err), SX_OK, "%s", err.msg);
    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK);
    cr_assert_eq(r.nmetrics, 1);
    cr_assert_str_eq(r.metrics[0].key, "loss");
    cr_assert_eq(r.metrics[0].value, 2.0);
    cr_assert_eq(r.nparams, 1);
    sx_run_clear(&r);
    cr_assert_eq(count_where(st, "run_metrics", id), 3);
    /* Aborted, or a failed part: nothing. */
    cr_assert_eq(sx_runs_log_begin(st, id, &lg, &err), SX_OK);
    struct sx_log_item c[] = {metric("acc", 1, 1, 1)};
    cr_assert_eq(sx_runs_log_add(lg, c, 1, &err), SX_OK);
    sx_runs_log_abort(lg);
    cr_assert_eq(sx_runs_log_begin(st, id, &lg, &err), SX_OK);
    cr_assert_eq(sx_runs_log_add(lg, c, 1, &err), SX_OK);
    struct sx_log_item d[] = {param("p", "2")};
    cr_assert_eq(sx_runs_log_add(lg, d, 1, &err), SX_EINVAL);
    sx_runs_log_abort(lg);
    cr_assert_eq(count_where(st, "run_metrics", id), 3);
    cr_assert_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM run_latest WHERE key = 'acc'"), 0);
    /* The store is usable afterwards. */
    log_ok(st, id, c, 1);
    cr_assert_eq(count_where(st, "run_metrics", id), 4);
    free(id);
    tu_store_drop(st, dir);
}

Test(runs, tags_overwrite)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *id = new_run(st, NULL, NULL, 0);
    struct sx_log_item a[] = {tag("stage", "draft"), tag("stage", "final"), tag("owner", "bo")};
    log_ok(st, id, a, 3);
    struct sx_log_item b[] = {tag("owner", "al")};
    log_ok(st, id, b, 1);
    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK);
    cr_assert_eq(r.ntags, 2);
    cr_assert_str_eq(r.tags[0].key, "owner");
    cr_assert_str_eq(r.tags[0].value, "al");
    cr_assert_str_eq(r.tags[1].key, "stage");
    cr_assert_str_eq(r.tags[1].value, "final");
    sx_run_clear(&r);
    free(id);
    tu_store_drop(st, dir);
}

Test(runs, history_order_nan_and_latest_rule)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *id = new_run(st, NULL, NULL, 0);
    struct sx_log_item a[] = {metric("loss", 3.0, 3, 100), metric("loss", 1.0, 1, 300),
                              metric("acc", 0.5, 0, 50), metric("loss", NAN, 2, 200)};
    log_ok(st, id, a, 4);
    /* The latest is the largest step, whatever the order of logging. */
    struct sx_log_item b[] = {metric("loss", 9.0, 2, 999)};
    log_ok(st, id, b, 1);
    struct sx_metric_point *h = NULL;
    size_t n = 0;
    cr_assert_eq(sx_runs_history(st, id, NULL, &h, &n, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(n, 5);
    cr_assert_str_eq(h[0].key, "acc");
    int64_t steps[] = {0, 1, 2, 2, 3};
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(h[i].step, steps[i], "point %zu", i);
    cr_assert_eq(h[1].value, 1.0);
    cr_assert(isnan(h[2].value), "NaN comes back as NaN");
    cr_assert_eq(h[2].time_ms, 200);
    cr_assert_eq(h[3].value, 9.0);
    cr_assert_eq(h[4].value, 3.0);
    sx_metric_points_free(h, n);
    cr_assert_eq(tu_q_int(sx_store_db(st), "SELECT count(*) FROM run_metrics WHERE value IS NULL"),
                 1, "NaN is stored as NULL");
    cr_assert_eq(sx_runs_history(st, id, "loss", &h, &n, &err), SX_OK);
    cr_assert_eq(n, 4);
    sx_metric_points_free(h, n);

    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK);
    cr_assert_eq(r.nmetrics, 2);
    cr_assert_str_eq(r.metrics[1].key, "loss");
    cr_assert_eq(r.metrics[1].step, 3);
    cr_assert_eq(r.metrics[1].value, 3.0);
    sx_run_clear(&r);

    /* Same step, a later time: replaces; an earlier time: does not. */
    struct sx_log_item c[] = {metric("loss", 4.0, 3, 50)};
    log_ok(st, id, c, 1);
    struct sx_log_item d[] = {metric("loss", 5.0, 3, 5000), metric("acc", NAN, 7, 1)};
    log_ok(st, id, d, 2);
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK);
    cr_assert_eq(r.metrics[1].value, 5.0);
    cr_assert_eq(r.metrics[1].time_ms, 5000);
    cr_assert(isnan(r.metrics[0].value), "the latest acc is NaN");
    json_t *j = sx_run_json(st, &r, 0, &err);
    cr_assert(j);
    cr_assert(json_is_null(json_object_get(json_object_get(j, "metrics"), "acc")));
    cr_assert_eq(json_real_value(json_object_get(json_object_get(j, "metrics"), "loss")), 5.0);
    json_decref(j);
    sx_run_clear(&r);

    /* In a batch, the latest of several points of one key. */
    char *id2 = new_run(st, NULL, NULL, 0);
    struct sx_log_item e[] = {metric("m", 1, 5, 10), metric("m", 2, 9, 10), metric("m", 3, 7, 10),
                              metric("m", 4, 9, 10)};
    log_ok(st, id2, e, 4);
    cr_assert_eq(sx_runs_get(st, id2, &r, &err), SX_OK);
    cr_assert_eq(r.metrics[0].value, 4.0, "equal step and time: the last logged wins");
    sx_run_clear(&r);
    cr_assert_eq(count_where(st, "run_latest", id2), 1);
    free(id);
    free(id2);
    tu_store_drop(st, dir);
}

/* ---- ids ---- */

Test(runs, prefixes_resolve_or_say_why_not)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *id = new_run(st, NULL, NULL, 0);
    sqlite3 *db = sx_store_db(st);
    /* Two runs sharing their first 9 characters. */
    const char *twins[] = {"abcdef01-0000-4000-8000-000000000001",
                           "abcdef01-1000-4000-8000-000000000002"};
    for (int i = 0; i < 2; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "INSERT INTO runs (id, experiment_id, name, author, status, "
                 "start_ms) SELECT '%s', experiment_id, 'twin', 'x', 'running', 0 FROM runs "
                 "LIMIT 1", twins[i]);
        cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    }
    char out[SX_UUID_LEN];
    cr_assert_eq(sx_runs_resolve(st, id, out, &err), SX_OK);
    cr_assert_str_eq(out, id);
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%.8s", id);
    cr_assert_eq(sx_runs_resolve(st, prefix, out, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(out, id);
    for (char *p = prefix; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    cr_assert_eq(sx_runs_resolve(st, prefix, out, &err), SX_OK, "upper case: %s", err.msg);
    cr_assert_str_eq(out, id);
    snprintf(prefix, sizeof prefix, "%.7s", id);
    cr_assert_eq(sx_runs_resolve(st, prefix, out, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "too short"), "%s", err.msg);
    cr_assert_eq(sx_runs_resolve(st, "abcdef01", out, &err), SX_EINVAL);
    cr_assert(strstr(err.msg, "several"), "%s", err.msg);
    cr_assert_eq(sx_runs_resolve(st, "abcdef01-1", out, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(out, twins[1]);
    cr_assert_eq(sx_runs_resolve(st, "abcdef02", out, &err), SX_ENOTFOUND);
    cr_assert_eq(sx_runs_resolve(st, "zzzzzzzzzz", out, &err), SX_ENOTFOUND);
    cr_assert_eq(sx_runs_resolve(st, "00000000-0000-4000-8000-000000000000", out, &err),
                 SX_ENOTFOUND);
    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, "abcdef01-0", &r, &err), SX_OK);
    cr_assert_str_eq(r.id, twins[0]);
    sx_run_clear(&r);
    free(id);
    tu_store_drop(st, dir);
}

/* ---- comments and review ---- */

Test(runs, comments_and_review_keep_author_and_time)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *id = new_run(st, NULL, NULL, 0);
    int64_t t0 = sx_runs_now_ms();
    cr_assert_eq(sx_runs_comment(st, id, "looks overfit", NULL, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_runs_comment(st, id, "", "needs-work", &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_runs_comment(st, id, "", NULL, &err), SX_EINVAL, "an empty comment");
    cr_assert_eq(sx_runs_comment(st, id, "x", "approved", &err), SX_EINVAL);
    cr_assert_eq(sx_runs_comment_as(st, id, "bob", 1767225600000LL, "fixed now", "reviewed",
                                    &err), SX_OK, "%s", err.msg);
    cr_assert_eq(sx_runs_comment(st, "00000000-0000-4000-8000-000000000000", "x", NULL, &err),
                 SX_ENOTFOUND);
    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, id, &r, &err), SX_OK);
    cr_assert_str_eq(r.review, "reviewed");
    cr_assert_eq(r.ncomments, 3);
    char me[256];
    sx_store_author(me, sizeof me);
    /* Oldest first: bob's is dated 2026-01-01. */
    cr_assert_str_eq(r.comments[0].author, "bob");
    cr_assert_str_eq(r.comments[0].review, "reviewed");
    cr_assert_str_eq(r.comments[1].author, me);
    cr_assert_str_eq(r.comments[1].text, "looks overfit");
    cr_assert_str_eq(r.comments[1].review, "");
    cr_assert(r.comments[1].created_ms >= t0);
    cr_assert_str_eq(r.comments[2].review, "needs-work");
    cr_assert_str_eq(r.comments[2].text, "");
    json_t *j = sx_run_json(st, &r, 1, &err);
    json_t *cs = json_object_get(j, "comments");
    cr_assert_eq(json_array_size(cs), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(cs, 0), "time")),
                     "2026-01-01T00:00:00.000Z");
    cr_assert(json_is_null(json_object_get(json_array_get(cs, 1), "review")));
    cr_assert_str_eq(json_string_value(json_object_get(j, "review")), "reviewed");
    json_decref(j);
    sx_run_clear(&r);
    /* Comments are never changed or deleted. */
    cr_assert_neq(sqlite3_exec(sx_store_db(st), "DELETE FROM run_comments", NULL, NULL, NULL),
                  SQLITE_OK);
    free(id);
    tu_store_drop(st, dir);
}

/* ---- the runs table ---- */

static long col_of(const struct sx_runs_table *t, const char *name)
{
    long j = sx_frame_find(t->frame, name);
    cr_assert(j >= 0, "no column %s", name);
    return j;
}

Test(runs, table_columns_types_and_order)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    /* Started out of order: the table is newest first whatever the order
     * of creation. */
    char *a = new_run(st, "e1", "a", 1767225602000LL);
    char *b = new_run(st, "e1", "b", 1767225601000LL);
    char *c = new_run(st, "e2", "c", 1767225603500LL);
    struct sx_log_item ia[] = {param("alpha", "0.1"), param("name", "x"), param("opt", "adam"),
                               metric("rmse", 1.5, 0, 0), metric("alpha", 7, 0, 0),
                               tag("hidden", "yes")};
    log_ok(st, a, ia, 6);
    struct sx_log_item ib[] = {param("alpha", "1e-3"), param("opt", "7"), metric("rmse", NAN, 0, 0),
                               metric("acc", 0.9, 0, 0)};
    log_ok(st, b, ib, 4);
    cr_assert_eq(sx_runs_end(st, b, "finished", 1767225609999LL, &err), SX_OK);
    struct sx_run_new kid = {.experiment = "e1", .parent_id = a, .kind = "trial",
                             .start_ms = 1767225604000LL};
    char k[SX_UUID_LEN];
    cr_assert_eq(sx_runs_start(st, &kid, k, &err), SX_OK);

    struct sx_runs_table *t = sx_runs_table_load(st, NULL, 0, &err);
    cr_assert(t, "%s", err.msg);
    const struct sx_frame *f = t->frame;
    static const char *const fixed[] = {"id", "name", "experiment", "status", "author", "kind",
                                        "parent", "algo", "review", "start", "end"};
    static const enum sx_type ft[] = {SX_TEXT, SX_TEXT, SX_TEXT, SX_TEXT, SX_TEXT, SX_TEXT,
                                      SX_TEXT, SX_CATEGORY, SX_CATEGORY, SX_DATE, SX_DATE};
    cr_assert_eq(f->ncols, 11 + 3 + 3);
    for (size_t i = 0; i < 11; i++) {
        cr_assert_str_eq(f->cols[i]->name, fixed[i]);
        cr_assert_eq(f->cols[i]->type, ft[i], "%s", fixed[i]);
        cr_assert_str_eq(t->keys[i], fixed[i]);
    }
    cr_assert_eq(f->cols[9]->unit, SX_SECONDS);
    cr_assert_eq(t->param_first, 11);
    cr_assert_eq(t->nparams, 3);
    cr_assert_eq(t->metric_first, 14);
    cr_assert_eq(t->nmetrics, 3);
    /* Params by key: alpha (numbers), name (collides), opt (mixed). */
    cr_assert_str_eq(f->cols[11]->name, "alpha");
    cr_assert_eq(f->cols[11]->type, SX_FLOAT);
    cr_assert_str_eq(f->cols[12]->name, "param.name");
    cr_assert_str_eq(t->keys[12], "name");
    cr_assert_str_eq(f->cols[13]->name, "opt");
    cr_assert_eq(f->cols[13]->type, SX_CATEGORY);
    /* Metrics by key: acc, alpha (collides with the param), rmse. */
    cr_assert_str_eq(f->cols[14]->name, "acc");
    cr_assert_str_eq(f->cols[15]->name, "metric.alpha");
    cr_assert_str_eq(t->keys[15], "alpha");
    cr_assert_str_eq(f->cols[16]->name, "rmse");
    for (size_t i = 14; i < 17; i++)
        cr_assert_eq(f->cols[i]->type, SX_FLOAT);
    /* Rows: newest first. */
    cr_assert_eq(f->nrows, 4);
    cr_assert_str_eq(sx_col_str(f->cols[0], 0), k);
    cr_assert_str_eq(sx_col_str(f->cols[0], 1), c);
    cr_assert_str_eq(sx_col_str(f->cols[0], 2), a);
    cr_assert_str_eq(sx_col_str(f->cols[0], 3), b);
    cr_assert_str_eq(sx_col_str(f->cols[6], 0), a);
    cr_assert_str_eq(sx_col_str(f->cols[6], 2), "");
    cr_assert_str_eq(sx_col_str(f->cols[5], 0), "trial");
    cr_assert_str_eq(sx_col_str(f->cols[2], 1), "e2");
    cr_assert_eq(f->cols[9]->v.i64[1], 1767225603LL);
    cr_assert(!sx_col_valid(f->cols[10], 2), "running: no end");
    cr_assert_eq(f->cols[10]->v.i64[3], 1767225609LL);
    cr_assert_eq(f->cols[11]->v.f64[3], 0.001);
    cr_assert(!sx_col_valid(f->cols[11], 0));
    cr_assert_str_eq(sx_col_str(f->cols[13], 3), "7");
    cr_assert(!sx_col_valid(f->cols[16], 3), "a NaN metric is missing");
    cr_assert_eq(f->cols[16]->v.f64[2], 1.5);
    cr_assert_eq(f->cols[15]->v.f64[2], 7.0);
    cr_assert_str_eq(sx_col_str(f->cols[3], 3), "finished");
    sx_runs_table_free(t);

    /* One experiment; top level only. */
    t = sx_runs_table_load(st, "e1", 1, &err);
    cr_assert(t, "%s", err.msg);
    cr_assert_eq(t->frame->nrows, 2);
    cr_assert_str_eq(sx_col_str(t->frame->cols[0], 0), a);
    cr_assert_eq(t->nmetrics, 3);
    sx_runs_table_free(t);
    t = sx_runs_table_load(st, "e2", 0, &err);
    cr_assert_eq(t->frame->nrows, 1);
    cr_assert_eq(t->nparams, 0);
    sx_runs_table_free(t);
    cr_assert_null(sx_runs_table_load(st, "nope", 0, &err));
    cr_assert_eq(err.code, SX_ENOTFOUND);
    free(a);
    free(b);
    free(c);
    tu_store_drop(st, dir);
}

Test(runs, table_follows_writes_by_other_writers)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *a = new_run(st, NULL, "a", 0);
    struct sx_log_item ia[] = {param("p", "1"), metric("m", 2, 0, 0)};
    log_ok(st, a, ia, 2);
    sqlite3 *db = sx_store_db(st);
    cr_assert_eq(tu_q_int(db, "SELECT count(*) FROM run_summary WHERE data IS NULL"), 0);
    /* As the MLflow import does: its own SQL. */
    char sql[512];
    snprintf(sql, sizeof sql, "INSERT INTO run_params VALUES ('%s', 'q', 'text'); "
             "UPDATE run_latest SET value = 5 WHERE run_id = '%s'; "
             "UPDATE runs SET status = 'killed' WHERE id = '%s'", a, a, a);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(tu_q_int(db, "SELECT count(*) FROM run_summary WHERE data IS NULL"), 1);
    struct sx_runs_table *t = sx_runs_table_load(st, NULL, 0, &err);
    cr_assert(t, "%s", err.msg);
    cr_assert_str_eq(sx_col_str(t->frame->cols[col_of(t, "q")], 0), "text");
    cr_assert_eq(t->frame->cols[col_of(t, "m")]->v.f64[0], 5.0);
    cr_assert_str_eq(sx_col_str(t->frame->cols[col_of(t, "status")], 0), "killed");
    sx_runs_table_free(t);
    cr_assert_eq(sx_runs_summary_refresh(st, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(tu_q_int(db, "SELECT count(*) FROM run_summary WHERE data IS NULL"), 0);
    t = sx_runs_table_load(st, NULL, 0, &err);
    cr_assert_eq(t->frame->cols[col_of(t, "m")]->v.f64[0], 5.0);
    sx_runs_table_free(t);
    /* A row in another (older) encoding is rebuilt too. */
    cr_assert_eq(sqlite3_exec(db, "UPDATE run_summary SET data = x'01ffff'", NULL, NULL, NULL),
                 SQLITE_OK);
    t = sx_runs_table_load(st, NULL, 0, &err);
    cr_assert(t, "%s", err.msg);
    cr_assert_eq(t->frame->cols[col_of(t, "m")]->v.f64[0], 5.0);
    sx_runs_table_free(t);
    cr_assert_eq(sx_runs_summary_refresh(st, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(tu_q_int(db, "SELECT count(*) FROM run_summary WHERE hex(substr(data, 1, 1)) "
                          "= '01'"), 0);
    free(a);
    tu_store_drop(st, dir);
}

Test(runs, read_only_store_refuses_writes)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *a = new_run(st, NULL, NULL, 0);
    char *path = strdup(sx_store_path(st));
    struct sx_store *ro = sx_store_open(path, SX_STORE_READONLY, &err);
    cr_assert(ro, "%s", err.msg);
    char id[SX_UUID_LEN];
    struct sx_log_item it[] = {metric("m", 1, 0, 0)};
    cr_assert_eq(sx_runs_start(ro, NULL, id, &err), SX_EINVAL);
    cr_assert_eq(sx_runs_log(ro, a, it, 1, &err), SX_EINVAL);
    cr_assert_eq(sx_runs_comment(ro, a, "x", NULL, &err), SX_EINVAL);
    struct sx_runs_table *t = sx_runs_table_load(ro, NULL, 0, &err);
    cr_assert(t, "%s", err.msg);
    cr_assert_eq(t->frame->nrows, 1);
    sx_runs_table_free(t);
    sx_store_close(ro);
    free(path);
    free(a);
    tu_store_drop(st, dir);
}

/* ---- JSON ---- */

static void assert_keys(json_t *o, const char *const *keys, size_t n)
{
    cr_assert_eq(json_object_size(o), n, "%zu keys, want %zu", json_object_size(o), n);
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(o, k, v) {
        cr_assert_str_eq(k, keys[i], "key %zu", i);
        i++;
    }
}

Test(runs, json_shapes)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *a = new_run(st, "exp", "a", 1767225600000LL);
    struct sx_log_item ia[] = {param("lr", "0.1"), metric("loss", 0.5, 1, 1767225601000LL),
                               metric("loss", 0.25, 2, 1767225602000LL), tag("t", "v")};
    log_ok(st, a, ia, 4);
    struct sx_run r;
    cr_assert_eq(sx_runs_get(st, a, &r, &err), SX_OK);
    json_t *j = sx_run_json(st, &r, 0, &err);
    static const char *const brief[] = {"id", "name", "experiment", "status", "author", "start",
                                        "end", "params", "metrics", "tags"};
    assert_keys(j, brief, 10);
    cr_assert_str_eq(json_string_value(json_object_get(j, "start")), "2026-01-01T00:00:00.000Z");
    cr_assert(json_is_null(json_object_get(j, "end")));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "params"), "lr")), "0.1");
    cr_assert_eq(json_real_value(json_object_get(json_object_get(j, "metrics"), "loss")), 0.25);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "tags"), "t")), "v");
    json_decref(j);
    j = sx_run_json(st, &r, 1, &err);
    static const char *const full[] = {
        "id", "name", "experiment", "status", "author", "start", "end", "params", "metrics",
        "tags", "parent", "kind", "algo", "target", "split", "dataset", "fit", "model", "groups",
        "validation", "env", "resources", "notes", "review", "best", "source", "comments",
        "history"};
    assert_keys(j, full, sizeof full / sizeof full[0]);
    static const char *const ds[] = {"id", "name", "version", "path", "hash"};
    assert_keys(json_object_get(j, "dataset"), ds, 5);
    char *hist = json_dumps(json_object_get(j, "history"), JSON_COMPACT);
    cr_assert_str_eq(hist, "{\"loss\":[[1,0.5,1767225601000],[2,0.25,1767225602000]]}", "%s",
                     hist);
    free(hist);
    json_decref(j);
    sx_run_clear(&r);
    char buf[48];
    sx_runs_format_ms(1767225600123LL, buf, sizeof buf);
    cr_assert_str_eq(buf, "2026-01-01T00:00:00.123Z");
    free(a);
    tu_store_drop(st, dir);
}

static int collect(void *ctx, json_t *run)
{
    json_array_append(ctx, run);
    return json_array_size(ctx) == 3;       /* stop after three */
}

Test(runs, json_each_matches_run_json)
{
    char *dir;
    struct sx_store *st = tu_store_new(&dir);
    struct sx_err err = {0};
    char *ids[4];
    for (int i = 0; i < 4; i++) {
        ids[i] = new_run(st, i % 2 ? "odd" : "even", NULL, 1767225600000LL + i);
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        struct sx_log_item it[] = {param("i", v), metric("m", i * 0.5, i, 1), tag("t", v)};
        log_ok(st, ids[i], it, i == 3 ? 0 : 3);
    }
    json_t *got = json_array();
    cr_assert_eq(sx_runs_json_each(st, (const char *const *)ids, 2, collect, got, &err), SX_OK,
                 "%s", err.msg);
    cr_assert_eq(json_array_size(got), 2);
    cr_assert_eq(sx_runs_json_each(st, (const char *const *)ids, 4, collect, got, &err),
                 SX_ECANCEL);
    cr_assert_eq(json_array_size(got), 3, "stopped when told");
    static const int which[3] = {0, 1, 0};  /* the first call's two, then the second's first */
    for (int i = 0; i < 3; i++) {
        struct sx_run r;
        cr_assert_eq(sx_runs_get(st, ids[which[i]], &r, &err), SX_OK);
        json_t *want = sx_run_json(st, &r, 0, &err);
        cr_assert(json_equal(json_array_get(got, (size_t)i), want), "run %d", i);
        json_decref(want);
        sx_run_clear(&r);
    }
    const char *bad[] = {"00000000-0000-4000-8000-000000000000"};
    cr_assert_eq(sx_runs_json_each(st, bad, 1, collect, got, &err), SX_ENOTFOUND);
    json_decref(got);
    for (int i = 0; i < 4; i++)
        free(ids[i]);
    tu_store_drop(st, dir);
}

/* ---- log lines ---- */

Test(runs, parse_log_lines)
{
    struct sx_log_item it;
    struct sx_err err = {0};
    int skip;
    char l1[] = "metric loss 0.5 3\n";
    cr_assert_eq(sx_runs_parse_log_line(l1, &it, &skip, &err), SX_OK, "%s", err.msg);
    cr_assert(!skip);
    cr_assert_eq(it.kind, SX_LOG_METRIC);
    cr_assert_str_eq(it.key, "loss");
    cr_assert_eq(it.number, 0.5);
    cr_assert_eq(it.step, 3);
    char l2[] = "\tmetric  acc\t-1e-3\r\n";
    cr_assert_eq(sx_runs_parse_log_line(l2, &it, &skip, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(it.number, -1e-3);
    cr_assert_eq(it.step, 0);
    char l3[] = "param optimizer adam  with   spaces";
    cr_assert_eq(sx_runs_parse_log_line(l3, &it, &skip, &err), SX_OK);
    cr_assert_eq(it.kind, SX_LOG_PARAM);
    cr_assert_str_eq(it.value, "adam  with   spaces");
    char l4[] = "tag note x";
    cr_assert_eq(sx_runs_parse_log_line(l4, &it, &skip, &err), SX_OK);
    cr_assert_eq(it.kind, SX_LOG_TAG);
    char l5[] = "metric m nan";
    cr_assert_eq(sx_runs_parse_log_line(l5, &it, &skip, &err), SX_OK);
    cr_assert(isnan(it.number));
    char blank[] = "   \t ", comment[] = "  # a comment";
    cr_assert_eq(sx_runs_parse_log_line(blank, &it, &skip, &err), SX_OK);
    cr_assert(skip);
    cr_assert_eq(sx_runs_parse_log_line(comment, &it, &skip, &err), SX_OK);
    cr_assert(skip);
    struct { const char *line, *msg; } bad[] = {
        {"metrc loss 1", "1: expected metric, param or tag"},
        {"metric", "7: expected a key"},
        {"metric loss", "12: expected a number"},
        {"metric loss abc", "13: expected a number, got 'abc'"},
        {"metric loss 1 2.5", "15: expected an integer step"},
        {"metric loss 1 2 3", "17: expected the end of the line"},
        {"param lr", "9: expected a value"},
        {"  tag k   ", "11: expected a value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s", bad[i].line);
        cr_assert_eq(sx_runs_parse_log_line(line, &it, &skip, &err), SX_EPARSE, "%s",
                     bad[i].line);
        cr_assert(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "%s: %s", bad[i].line,
                  err.msg);
    }
}
