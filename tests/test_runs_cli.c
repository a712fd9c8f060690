/* tests/test_runs_cli.c: the tracking commands of the sextant binary: run
 * start/end/show, log param/metric/tag/batch (with SEXTANT_RUN and operand
 * counting), runs (table, --json, --csv, --filter, --sort), compare,
 * comment and review, their errors and exit codes, and logging from four
 * processes at once while a fifth keeps loading the runs table. */
#include "testcli.h"
#include "testutil.h"

#include <math.h>
#include <signal.h>

#include <jansson.h>

#include "runs.h"
#include "store.h"

TestSuite(runs_cli);

/* `run start` with ARGS; returns the printed id (caller frees). */
static char *start(const char *dir, const char *experiment, const char *name)
{
    struct tu_run r = experiment && name
        ? tu_sextant(dir, "run", "start", "--experiment", experiment, "--name", name, NULL)
        : experiment ? tu_sextant(dir, "run", "start", "--experiment", experiment, NULL)
                     : tu_sextant(dir, "run", "start", NULL);
    cr_assert_eq(r.status, 0, "run start: %s", r.err);
    cr_assert_str_eq(r.err, "");
    cr_assert_eq(strlen(r.out), 37, "only the id and a newline: '%s'", r.out);
    cr_assert_eq(r.out[36], '\n');
    r.out[36] = '\0';
    free(r.err);
    return r.out;
}

static void ok(struct tu_run r, const char *what)
{
    cr_assert_eq(r.status, 0, "%s: exit %d: %s", what, r.status, r.err);
    cr_assert_str_eq(r.err, "", "%s", what);
    tu_run_free(&r);
}

static json_t *show_json(const char *dir, const char *id)
{
    struct tu_run r = tu_sextant(dir, "run", "show", id, "--json", NULL);
    cr_assert_eq(r.status, 0, "run show: %s", r.err);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    cr_assert(j, "run show --json: %s: %s", je.text, r.out);
    tu_run_free(&r);
    return j;
}

static long long points(const char *dir, const char *id, const char *key)
{
    json_t *j = show_json(dir, id);
    json_t *h = json_object_get(json_object_get(j, "history"), key);
    long long n = h ? (long long)json_array_size(h) : 0;
    json_decref(j);
    return n;
}

Test(runs_cli, start_log_end_show)
{
    char *dir = tc_new_project();
    char *id = start(dir, "exp", "first");
    ok(tu_sextant(dir, "log", "param", id, "alpha", "0.5", NULL), "log param");
    ok(tu_sextant(dir, "log", "metric", id, "loss", "-0.25", "--step", "3", NULL), "log metric");
    ok(tu_sextant(dir, "log", "metric", id, "loss", "nan", "--step=4", NULL), "log metric nan");
    ok(tu_sextant(dir, "log", "tag", id, "note", "two words", NULL), "log tag");
    /* A prefix names the run. */
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%.8s", id);
    ok(tu_sextant(dir, "log", "metric", prefix, "acc", "0.9", NULL), "log by prefix");
    ok(tu_sextant(dir, "run", "end", id, "--status", "failed", NULL), "run end");

    json_t *j = show_json(dir, id);
    cr_assert_str_eq(json_string_value(json_object_get(j, "id")), id);
    cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "first");
    cr_assert_str_eq(json_string_value(json_object_get(j, "experiment")), "exp");
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "failed");
    cr_assert(json_is_string(json_object_get(j, "end")));
    cr_assert_str_eq(json_string_value(json_object_get(j, "source")), "cli");
    json_t *params = json_object_get(j, "params"), *metrics = json_object_get(j, "metrics");
    cr_assert_str_eq(json_string_value(json_object_get(params, "alpha")), "0.5");
    cr_assert(json_is_null(json_object_get(metrics, "loss")), "the latest loss (step 4) is NaN");
    cr_assert_eq(json_real_value(json_object_get(metrics, "acc")), 0.9);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "tags"), "note")),
                     "two words");
    json_t *loss = json_object_get(json_object_get(j, "history"), "loss");
    cr_assert_eq(json_array_size(loss), 2);
    json_t *p0 = json_array_get(loss, 0);
    cr_assert_eq(json_integer_value(json_array_get(p0, 0)), 3);
    cr_assert_eq(json_real_value(json_array_get(p0, 1)), -0.25);
    cr_assert(json_is_integer(json_array_get(p0, 2)));
    cr_assert(json_is_null(json_array_get(json_array_get(loss, 1), 1)));
    json_decref(j);

    struct tu_run r = tu_sextant(dir, "run", "show", id, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "first") && strstr(r.out, "alpha") && strstr(r.out, "2 points"),
              "%s", r.out);
    tu_run_free(&r);
    free(id);
    tu_rmrf(dir);
    free(dir);
}

Test(runs_cli, sextant_run_and_operand_counting)
{
    char *dir = tc_new_project();
    char *id = start(dir, NULL, NULL), *other = start(dir, NULL, NULL);
    char envrun[64];
    snprintf(envrun, sizeof envrun, "SEXTANT_RUN=%s", id);
    char *env[] = {envrun, NULL};
    /* Two operands: the run from the environment. */
    ok(tu_sextant_env(dir, env, NULL, "log", "metric", "loss", "-1.5", NULL), "env metric");
    ok(tu_sextant_env(dir, env, NULL, "log", "param", "lr", "0.1", NULL), "env param");
    ok(tu_sextant_env(dir, env, NULL, "comment", "from env", NULL), "env comment");
    /* Three: the first names the run, the environment notwithstanding. */
    ok(tu_sextant_env(dir, env, NULL, "log", "metric", other, "loss", "2", NULL), "explicit metric");
    cr_assert_eq(points(dir, id, "loss"), 1);
    cr_assert_eq(points(dir, other, "loss"), 1);
    char *batch = tu_path(dir, "b.txt");
    tu_write(batch, "metric loss 1 1\n", (size_t)-1);
    ok(tu_sextant_env(dir, env, batch, "log", "batch", NULL), "env batch");
    cr_assert_eq(points(dir, id, "loss"), 2);
    ok(tu_sextant_env(dir, env, NULL, "run", "end", NULL), "env end");
    json_t *j = show_json(dir, id);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "finished");
    cr_assert_eq(json_array_size(json_object_get(j, "comments")), 1);
    json_decref(j);
    /* Without SEXTANT_RUN, two operands are a usage error. */
    struct tu_run r = tu_sextant(dir, "log", "metric", "loss", "1", NULL);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "SEXTANT_RUN"), "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "log", "metric", id, "loss", "1", "extra", NULL);
    cr_assert_eq(r.status, 2);
    tu_run_free(&r);
    free(batch);
    free(id);
    free(other);
    tu_rmrf(dir);
    free(dir);
}

Test(runs_cli, errors_and_exit_codes)
{
    char *dir = tc_new_project();
    char *id = start(dir, NULL, NULL);
    struct { int status; const char *needle; const char *args[8]; } cases[] = {
        {1, "no run", {"log", "metric", "00000000-0000-4000-8000-000000000000", "m", "1"}},
        {1, "no run", {"run", "show", "deadbeef", NULL}},
        {1, "too short", {"run", "end", "abc", NULL}},
        {2, "--status", {"run", "end", id, "--status", "done", NULL}},
        {2, "number", {"log", "metric", id, "m", "abc", NULL}},
        {2, "integer", {"log", "metric", id, "m", "1", "--step", "1.5", NULL}},
        {2, "--step is for metrics", {"log", "param", id, "p", "1", "--step", "2", NULL}},
        {2, "unknown option", {"log", "tag", id, "t", "v", "--bogus", NULL}},
        {2, "unknown subcommand", {"log", "metrics", id, "m", "1", NULL}},
        {2, "reviewed or needs-work", {"review", id, "approved", NULL}},
        {2, "two or more", {"compare", id, NULL}},
        {1, "param p is already", {"log", "param", id, "p", "2", NULL}},
        {1, "key", {"log", "tag", id, "", "v", NULL}},
        {1, "no column", {"runs", "--sort", "nope", NULL}},
        {1, "no experiment", {"runs", "--experiment", "nope", NULL}},
    };
    ok(tu_sextant(dir, "log", "param", id, "p", "1", NULL), "param");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[12];
        size_t n = 0;
        argv[n++] = realpath(tu_bin(), NULL);
        for (size_t k = 0; k < 8 && cases[i].args[k]; k++)
            argv[n++] = (char *)cases[i].args[k];
        argv[n] = NULL;
        struct tu_run r = tu_runv(dir, NULL, NULL, argv);
        cr_assert_eq(r.status, cases[i].status, "case %zu (%s %s): exit %d: %s", i,
                     cases[i].args[0], cases[i].args[1], r.status, r.err);
        cr_assert(strstr(r.err, cases[i].needle), "case %zu: %s", i, r.err);
        cr_assert_str_eq(r.out, "", "case %zu", i);
        tu_run_free(&r);
        free(argv[0]);
    }
    json_t *j = show_json(dir, id);
    cr_assert_eq(json_object_size(json_object_get(j, "history")), 0, "nothing was logged");
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "running");
    json_decref(j);
    free(id);
    tu_rmrf(dir);
    free(dir);
}

Test(runs_cli, batch_is_all_or_nothing)
{
    char *dir = tc_new_project();
    char *id = start(dir, NULL, NULL);
    char *good = tu_path(dir, "good.txt"), *bad = tu_path(dir, "bad.txt");
    tu_write(good, "# epoch log\nmetric loss 0.5 1\nmetric loss 0.25 2\n\nparam lr 0.01\n"
                   "tag note rest of the line\nmetric acc 0.75", (size_t)-1);
    tu_write(bad, "metric loss 0.1 3\nparam depth 4\nmetric loss oops 4\nmetric loss 0.05 5\n",
             (size_t)-1);
    char *bin = realpath(tu_bin(), NULL);
    char *argv[] = {bin, "log", "batch", id, NULL};
    struct tu_run r = tu_runv(dir, NULL, good, argv);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_runv(dir, NULL, bad, argv);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "stdin:3:13: expected a number, got 'oops'"), "%s", r.err);
    tu_run_free(&r);
    /* A large batch (parsed in parts on several threads): the line number
     * of an error in a later part is still the line in the whole input. */
    char *big = tu_path(dir, "big.txt");
    FILE *fp = fopen(big, "w");
    cr_assert(fp);
    for (int i = 1; i <= 200000; i++)
        fprintf(fp, i == 150001 ? "metric big x %d\n" : "metric big %d %d\n", i, i);
    fclose(fp);
    r = tu_runv(dir, NULL, big, argv);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "stdin:150001:12: expected a number, got 'x'"), "%s", r.err);
    tu_run_free(&r);
    /* A key or a value the store refuses is reported with its line too. */
    fp = fopen(big, "w");
    cr_assert(fp);
    for (int i = 1; i <= 200000; i++)
        fprintf(fp, i == 120007 ? "metric b\xff" "ad %d %d\n" : "metric big %d %d\n", i, i);
    fprintf(fp, "param long %06000d\n", 0);
    fclose(fp);
    r = tu_runv(dir, NULL, big, argv);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "stdin:120007:key: "), "%s", r.err);
    tu_run_free(&r);
    fp = fopen(big, "w");
    cr_assert(fp);
    fprintf(fp, "metric big 1 1\nparam long %06001d\n", 0);
    fclose(fp);
    r = tu_runv(dir, NULL, big, argv);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "stdin:2:param long: param value is 6001 bytes long (at most 6000)"),
              "%s", r.err);
    tu_run_free(&r);
    fp = fopen(big, "w");
    for (int i = 1; i <= 200000; i++)
        fprintf(fp, "metric big %d %d\n", i, i);
    fclose(fp);
    r = tu_runv(dir, NULL, big, argv);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    free(big);

    json_t *j = show_json(dir, id);
    json_t *bh = json_object_get(json_object_get(j, "history"), "big");
    cr_assert_eq(json_array_size(bh), 200000);
    for (size_t i = 0; i < 200000; i += 9973)
        cr_assert_eq(json_integer_value(json_array_get(json_array_get(bh, i), 0)), (json_int_t)i + 1);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(j, "history"), "loss")), 2);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(j, "history"), "acc")), 1);
    cr_assert_null(json_object_get(json_object_get(j, "params"), "depth"),
                   "nothing of the bad batch");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "tags"), "note")),
                     "rest of the line");
    cr_assert_eq(json_real_value(json_object_get(json_object_get(j, "metrics"), "loss")), 0.25);
    json_decref(j);
    free(bin);
    free(good);
    free(bad);
    free(id);
    tu_rmrf(dir);
    free(dir);
}

Test(runs_cli, runs_table_json_csv_filter_sort)
{
    char *dir = tc_new_project();
    char *a = start(dir, "e", "ridge-a"), *b = start(dir, "e", "ols-b"), *c = start(dir, "f", "c");
    ok(tu_sextant(dir, "log", "param", a, "algo_name", "ridge", NULL), "a");
    ok(tu_sextant(dir, "log", "metric", a, "rmse", "2.5", NULL), "a");
    ok(tu_sextant(dir, "log", "metric", a, "r2", "0.7", NULL), "a");
    ok(tu_sextant(dir, "log", "param", b, "algo_name", "ols", NULL), "b");
    ok(tu_sextant(dir, "log", "metric", b, "rmse", "3.5", NULL), "b");
    ok(tu_sextant(dir, "log", "metric", b, "r2", "0.9", NULL), "b");

    struct tu_run r = tu_sextant(dir, "runs", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char head[] = "ID        NAME     STATUS   AUTHOR";
    cr_assert(strncmp(r.out, head, strlen(head)) == 0, "%s", r.out);
    cr_assert(strstr(r.out, "algo_name") && strstr(r.out, "rmse"), "%s", r.out);
    tu_run_free(&r);

    r = tu_sextant(dir, "runs", "--json", "--experiment", "e", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *arr = json_loads(r.out, 0, NULL);
    cr_assert(json_is_array(arr), "%s", r.out);
    cr_assert_eq(json_array_size(arr), 2);
    json_t *o = json_array_get(arr, 0);     /* newest first: b */
    cr_assert_str_eq(json_string_value(json_object_get(o, "id")), b);
    const char *keys[] = {"id", "name", "experiment", "status", "author", "start", "end",
                          "params", "metrics", "tags"};
    cr_assert_eq(json_object_size(o), 10);
    for (size_t i = 0; i < 10; i++)
        cr_assert(json_object_get(o, keys[i]), "%s", keys[i]);
    cr_assert_eq(json_real_value(json_object_get(json_object_get(o, "metrics"), "rmse")), 3.5);
    json_decref(arr);
    tu_run_free(&r);

    /* Filter and sort. */
    r = tu_sextant(dir, "runs", "--json", "--filter", "rmse < 3 and algo_name == 'ridge'", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    arr = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(arr), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(arr, 0), "id")), a);
    json_decref(arr);
    tu_run_free(&r);
    /* rmse: lower is better, so ascending; r2 best first is descending;
     * '-' reverses; missing last either way. */
    const struct { const char *key; const char *first, *second, *third; } sorts[] = {
        {"rmse", a, b, c}, {"-rmse", b, a, c}, {"r2", b, a, c}, {"-r2", a, b, c},
        {"name", c, b, a}, {"-name", a, b, c},
    };
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++) {
        r = tu_sextant(dir, "runs", "--csv", "--sort", sorts[i].key, NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        char *l1 = strchr(r.out, '\n') + 1, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
        cr_assert(strncmp(l1, sorts[i].first, 36) == 0, "--sort %s: %s", sorts[i].key, r.out);
        cr_assert(strncmp(l2, sorts[i].second, 36) == 0, "--sort %s: %s", sorts[i].key, r.out);
        cr_assert(strncmp(l3, sorts[i].third, 36) == 0, "--sort %s: %s", sorts[i].key, r.out);
        tu_run_free(&r);
    }
    r = tu_sextant(dir, "runs", "--csv", NULL);
    cr_assert(strncmp(r.out, "id,name,experiment,status,author,kind,parent,algo,review,start,end,"
                      "algo_name,r2,rmse\n", 80) == 0, "%s", r.out);
    tu_run_free(&r);

    /* A bad expression: the caret under the column. */
    r = tu_sextant(dir, "runs", "--filter", "rmse < < 3", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "--filter: 1:8:"), "%s", r.err);
    cr_assert(strstr(r.err, "  rmse < < 3\n         ^"), "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "runs", "--filter", "nosuch > 1", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "nosuch"), "%s", r.err);
    tu_run_free(&r);
    free(a);
    free(b);
    free(c);
    tu_rmrf(dir);
    free(dir);
}

Test(runs_cli, compare_comment_review)
{
    char *dir = tc_new_project();
    char *a = start(dir, "e", "a"), *b = start(dir, "e", "b");
    ok(tu_sextant(dir, "log", "param", a, "alpha", "0.1", NULL), "a");
    ok(tu_sextant(dir, "log", "param", b, "alpha", "0.1", NULL), "b");
    ok(tu_sextant(dir, "log", "metric", a, "rmse", "2", NULL), "a");
    ok(tu_sextant(dir, "log", "metric", b, "rmse", "1.5", NULL), "b");
    ok(tu_sextant(dir, "log", "metric", a, "auc", "0.8", NULL), "a");
    ok(tu_sextant(dir, "log", "metric", b, "auc", "0.7", NULL), "b");

    struct tu_run r = tu_sextant(dir, "compare", a, b, "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *j = json_loads(r.out, 0, NULL);
    cr_assert(j, "%s", r.out);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "runs"), 1)), b);
    json_t *rows = json_object_get(j, "rows");
    int seen = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const char *sec = json_string_value(json_object_get(row, "section"));
        const char *key = json_string_value(json_object_get(row, "key"));
        if (strcmp(sec, "metric") == 0 && strcmp(key, "rmse") == 0) {
            cr_assert(json_is_true(json_object_get(row, "differs")));
            cr_assert_eq(json_real_value(json_array_get(json_object_get(row, "deltas"), 1)), -0.5);
            cr_assert(json_is_true(json_array_get(json_object_get(row, "better"), 1)));
            cr_assert(json_is_null(json_array_get(json_object_get(row, "better"), 0)));
            seen |= 1;
        } else if (strcmp(sec, "metric") == 0 && strcmp(key, "auc") == 0) {
            cr_assert(json_is_false(json_array_get(json_object_get(row, "better"), 1)));
            seen |= 2;
        } else if (strcmp(sec, "param") == 0 && strcmp(key, "alpha") == 0) {
            cr_assert(json_is_false(json_object_get(row, "differs")));
            cr_assert_null(json_object_get(row, "deltas"));
            seen |= 4;
        }
    }
    cr_assert_eq(seen, 7);
    json_decref(j);
    tu_run_free(&r);
    r = tu_sextant(dir, "compare", a, b, "--diff-only", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "metric rmse") && strstr(r.out, "better"), "%s", r.out);
    cr_assert_null(strstr(r.out, "param alpha"), "%s", r.out);
    tu_run_free(&r);

    ok(tu_sextant(dir, "comment", a, "why so slow?", NULL), "comment");
    ok(tu_sextant(dir, "review", a, "needs-work", "--comment", "rerun with more data", NULL),
       "review");
    r = tu_sextant(dir, "comment", a, "", NULL);
    cr_assert_eq(r.status, 2);
    tu_run_free(&r);
    j = show_json(dir, a);
    cr_assert_str_eq(json_string_value(json_object_get(j, "review")), "needs-work");
    json_t *cs = json_object_get(j, "comments");
    cr_assert_eq(json_array_size(cs), 2);
    json_t *c1 = json_array_get(cs, 1);
    cr_assert_str_eq(json_string_value(json_object_get(c1, "text")), "rerun with more data");
    cr_assert_str_eq(json_string_value(json_object_get(c1, "review")), "needs-work");
    char me[256];
    sx_store_author(me, sizeof me);
    cr_assert_str_eq(json_string_value(json_object_get(c1, "author")), me);
    cr_assert(json_is_string(json_object_get(c1, "time")));
    json_decref(j);
    free(a);
    free(b);
    tu_rmrf(dir);
    free(dir);
}

/* ---- concurrency ---- */

#define WRITERS 4
#define POINTS 10000
#define SINGLE 100          /* of each writer's points, logged one call each */
#define BATCHES 9           /* the rest, in this many `log batch` calls */

/* Writer W: SINGLE `log metric` calls, then BATCHES batches, to run ID;
 * exits non-zero when a call fails or writes anything on stderr. */
static void writer(const char *dir, const char *id, int w)
{
    char *bin = realpath(tu_bin(), NULL);
    char errpath[4096], file[4096];
    snprintf(errpath, sizeof errpath, "%s/err-%d.txt", dir, w);
    int fe = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!bin || fe < 0)
        _exit(3);
    int step = 0;
    for (int i = 0; i < SINGLE; i++, step++) {
        char sv[32], vv[32];
        snprintf(sv, sizeof sv, "%d", step);
        snprintf(vv, sizeof vv, "%.17g", 1.0 / (step + 1));
        pid_t pid = fork();
        if (pid == 0) {
            dup2(fe, 2);
            int fo = open("/dev/null", O_WRONLY);
            dup2(fo, 1);
            if (chdir(dir) != 0)
                _exit(126);
            execl(bin, bin, "log", "metric", id, "loss", vv, "--step", sv, (char *)NULL);
            _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            _exit(4);
    }
    int per = (POINTS - SINGLE) / BATCHES;
    for (int b = 0; b < BATCHES; b++) {
        snprintf(file, sizeof file, "%s/batch-%d-%d.txt", dir, w, b);
        FILE *fp = fopen(file, "w");
        if (!fp)
            _exit(5);
        for (int i = 0; i < per; i++, step++)
            fprintf(fp, "metric loss %.17g %d\n", 1.0 / (step + 1), step);
        fclose(fp);
        pid_t pid = fork();
        if (pid == 0) {
            int fi = open(file, O_RDONLY), fo = open("/dev/null", O_WRONLY);
            dup2(fi, 0);
            dup2(fo, 1);
            dup2(fe, 2);
            if (chdir(dir) != 0)
                _exit(126);
            execl(bin, bin, "log", "batch", id, (char *)NULL);
            _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            _exit(6);
    }
    struct stat sb;
    _exit(fstat(fe, &sb) == 0 && sb.st_size == 0 ? 0 : 7);
}

Test(runs_cli, four_writers_and_a_reader)
{
    char *dir = tc_new_project();
    char *ids[WRITERS];
    for (int w = 0; w < WRITERS; w++)
        ids[w] = start(dir, "load", NULL);
    char *db = tu_path(dir, ".sextant/store.db");
    cr_assert_eq((POINTS - SINGLE) % BATCHES, 0);

    /* The reader: loads the runs table (as the Experiments pane does) until
     * told to stop; exits 0 when every load succeeded and saw every run. */
    int stop[2];
    cr_assert_eq(pipe(stop), 0);
    pid_t reader = fork();
    if (reader == 0) {
        close(stop[1]);
        fcntl(stop[0], F_SETFL, O_NONBLOCK);
        struct sx_err err;
        struct sx_store *st = sx_store_open(db, SX_STORE_READONLY, &err);
        if (!st)
            _exit(10);
        long loads = 0;
        char c;
        while (read(stop[0], &c, 1) < 0) {
            struct sx_runs_table *t = sx_runs_table_load(st, NULL, 0, &err);
            if (!t) {
                fprintf(stderr, "reader: %s\n", err.msg);
                _exit(11);
            }
            if (t->frame->nrows != WRITERS)
                _exit(12);
            sx_runs_table_free(t);
            loads++;
        }
        sx_store_close(st);
        _exit(loads > 0 ? 0 : 13);
    }
    close(stop[0]);
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            close(stop[1]);
            writer(dir, ids[w], w);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int st;
        cr_assert_eq(waitpid(pids[w], &st, 0), pids[w]);
        char *errpath = NULL;
        cr_assert(asprintf(&errpath, "%s/err-%d.txt", dir, w) > 0);
        char *errtext = tu_read(errpath, NULL);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d: status %d: %s", w,
                  WIFEXITED(st) ? WEXITSTATUS(st) : -1, errtext ? errtext : "");
        cr_assert_null(errtext ? strstr(errtext, "locked") : NULL, "%s", errtext);
        free(errtext);
        free(errpath);
    }
    cr_assert_eq(write(stop[1], "x", 1), 1);
    close(stop[1]);
    int rst;
    cr_assert_eq(waitpid(reader, &rst, 0), reader);
    cr_assert(WIFEXITED(rst) && WEXITSTATUS(rst) == 0, "reader: status %d",
              WIFEXITED(rst) ? WEXITSTATUS(rst) : -1);

    /* Every point is there, and the latest value is the last step's. */
    struct sx_err err;
    struct sx_store *st = sx_store_open(db, SX_STORE_READONLY, &err);
    cr_assert(st, "%s", err.msg);
    for (int w = 0; w < WRITERS; w++) {
        struct sx_metric_point *h = NULL;
        size_t n = 0;
        cr_assert_eq(sx_runs_history(st, ids[w], "loss", &h, &n, &err), SX_OK, "%s", err.msg);
        cr_assert_eq(n, POINTS, "writer %d: %zu points", w, n);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(h[i].step, (int64_t)i);
        sx_metric_points_free(h, n);
        struct sx_run r;
        cr_assert_eq(sx_runs_get(st, ids[w], &r, &err), SX_OK);
        cr_assert_eq(r.metrics[0].step, POINTS - 1);
        cr_assert_eq(r.metrics[0].value, 1.0 / POINTS);
        sx_run_clear(&r);
    }
    sx_store_close(st);
    char *ok_ = tc_integrity(dir);
    cr_assert_str_eq(ok_, "ok");
    free(ok_);
    for (int w = 0; w < WRITERS; w++)
        free(ids[w]);
    free(db);
    tu_rmrf(dir);
    free(dir);
}
