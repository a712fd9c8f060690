/* tests/test_metrics_cli.c: `sextant metrics`: the --json shape of the
 * contract (keys, order, null where undefined) with values checked against
 * scikit-learn 1.2.1 (tests/ref/sklearn_metrics.py), the text table, bool
 * and 0/1 columns, stored data sets, and the errors (exit 1 with one line)
 * and usage errors (exit 2). */
#include "testcli.h"

#include <math.h>

static const char *const reg_names[] = {"rmse", "mse", "mae", "r2", "mape"};
static const char *const bin_names[] = {"accuracy", "precision", "recall", "f1", "auc",
                                        "logloss"};

/* KEYS of OBJ, exactly and in this order. */
static void assert_keys(const json_t *obj, const char *const *keys, size_t n, const char *where)
{
    cr_assert(json_is_object(obj), "%s: not an object", where);
    cr_assert_eq(json_object_size(obj), n, "%s: %zu keys", where, json_object_size(obj));
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        cr_assert_str_eq(k, keys[i], "%s: key %zu", where, i);
        cr_assert(json_is_null(v) || json_is_number(v), "%s.%s: %d", where, k, json_typeof(v));
        i++;
    }
}

static int close_to(double got, double want)
{
    double tol = fabs(want) * 1e-9;
    return fabs(got - want) <= (tol < 1e-12 ? 1e-12 : tol);
}

/* Each metric of MINE equals sklearn's REF (null matching null). */
static void assert_same(const json_t *mine, const json_t *ref, const char *const *names,
                        size_t n, const char *where)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_object_get(mine, names[i]), *b = json_object_get(ref, names[i]);
        cr_assert(b, "%s: sklearn lacks %s", where, names[i]);
        if (json_is_null(b)) {
            cr_assert(json_is_null(a), "%s %s: %g, sklearn null", where, names[i],
                      json_number_value(a));
            continue;
        }
        cr_assert(json_is_number(a), "%s %s: null, sklearn %.17g", where, names[i],
                  json_number_value(b));
        cr_assert(close_to(json_number_value(a), json_number_value(b)),
                  "%s %s: %.17g vs sklearn %.17g", where, names[i], json_number_value(a),
                  json_number_value(b));
    }
}

static json_t *sklearn_ref(const char *file, const char *task, const char *score,
                           const char *group)
{
    const char *py = tu_python_with("sklearn numpy");
    if (!py) {
        cr_log_warn("SKIPPED the comparison with scikit-learn: not installed");
        return NULL;
    }
    const char *src = getenv("SEXTANT_SRC");
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/ref/sklearn_metrics.py", src && *src ? src : ".");
    char *argv[] = {(char *)py, script, "metrics", (char *)file, (char *)task, "actual", "pred",
                    (char *)score, (char *)group, NULL};
    struct tu_run r = tu_runv(NULL, NULL, NULL, argv);
    cr_assert_eq(r.status, 0, "sklearn_metrics.py: %s", r.err);
    json_t *j = tc_parse_json(r.out);
    tu_run_free(&r);
    return j;
}

/* A binary CSV: actual (bool), pred (0/1), score, region with UTF-8
 * labels, a one-class group, a missing label and a missing score. */
static char *binary_csv(const char *dir)
{
    char *path = tu_path(dir, "bin.csv");
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    fprintf(fp, "actual,pred,score,region\n");
    tu_rng_seed(77);
    for (int i = 0; i < 120; i++) {
        int a = tu_rnd(3) == 0;
        double s = round((a ? 0.3 + 0.7 * tu_unif() : 0.7 * tu_unif()) * 100) / 100;
        int p = s > 0.5;
        static const char *const regions[] = {"north", "Süd", "東京"};
        const char *g = regions[tu_rnd(3)];
        if (i % 17 == 0)
            g = "";
        if (i % 29 == 0)
            fprintf(fp, "%s,%d,,%s\n", a ? "true" : "false", p, g);
        else
            fprintf(fp, "%s,%d,%.2f,%s\n", a ? "true" : "false", p, s, g);
    }
    /* "solo": only positives, so its AUC is undefined. */
    fprintf(fp, "true,1,0.9,solo\ntrue,0,0.4,solo\n");
    fclose(fp);
    return path;
}

static char *regression_csv(const char *dir)
{
    char *path = tu_path(dir, "reg.csv");
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    fprintf(fp, "actual,pred,region\n");
    tu_rng_seed(78);
    for (int i = 0; i < 150; i++) {
        double a = round((tu_unif() * 50 - 5) * 1000) / 1000;
        double p = a + round((tu_unif() - 0.5) * 4000) / 1000;
        static const char *const regions[] = {"b", "a", "Åland"};
        if (i % 31 == 0)
            fprintf(fp, ",%.3f,%s\n", p, regions[i % 3]);
        else
            fprintf(fp, "%.3f,%.3f,%s\n", i % 37 == 0 ? 0.0 : a, p, regions[i % 3]);
    }
    fprintf(fp, "4,5,one\n");
    fclose(fp);
    return path;
}

Test(metrics_cli, binary_json_shape_and_values)
{
    char *dir = tu_tmpdir();
    char *file = binary_csv(dir);
    struct tu_run r = tu_sextant(dir, "metrics", file, "--actual", "actual", "--predicted",
                                 "pred", "--score", "score", "--group", "region", "--task",
                                 "binary", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    json_t *j = tc_parse_json(r.out);
    static const char *const top[] = {"overall", "groups"};
    cr_assert_eq(json_object_size(j), 2);
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) cr_assert_str_eq(k, top[i++]);
    assert_keys(json_object_get(j, "overall"), bin_names, 6, "overall");
    json_t *groups = json_object_get(j, "groups");
    static const char *const order[] = {"Süd", "north", "solo", "東京"};   /* bytes */
    cr_assert_eq(json_object_size(groups), 4, "the missing label is no group");
    i = 0;
    json_object_foreach(groups, k, v) {
        cr_assert_str_eq(k, order[i++]);
        assert_keys(v, bin_names, 6, k);
    }
    json_t *solo = json_object_get(groups, "solo");
    cr_assert(json_is_null(json_object_get(solo, "auc")), "one class: auc null");
    cr_assert(json_is_number(json_object_get(solo, "logloss")), "logloss with labels=[0,1]");

    json_t *ref = sklearn_ref(file, "binary", "score", "region");
    if (ref) {
        assert_same(json_object_get(j, "overall"), json_object_get(ref, "overall"), bin_names, 6,
                    "overall");
        json_object_foreach(groups, k, v)
            assert_same(v, json_object_get(json_object_get(ref, "groups"), k), bin_names, 6, k);
        json_decref(ref);
    }
    json_decref(j);
    tu_run_free(&r);

    /* Without --score: auc and logloss null; without --group: no groups. */
    r = tu_sextant(dir, "metrics", file, "--actual", "actual", "--predicted", "pred", "--task",
                   "binary", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    j = tc_parse_json(r.out);
    cr_assert(json_is_null(json_object_get(json_object_get(j, "overall"), "auc")));
    cr_assert(json_is_null(json_object_get(json_object_get(j, "overall"), "logloss")));
    cr_assert_eq(json_object_size(json_object_get(j, "groups")), 0);
    json_decref(j);
    tu_run_free(&r);
    free(file);
    tu_rmrf(dir);
    free(dir);
}

Test(metrics_cli, regression_json_and_table)
{
    char *dir = tu_tmpdir();
    char *file = regression_csv(dir);
    struct tu_run r = tu_sextant(dir, "metrics", file, "--actual", "actual", "--predicted",
                                 "pred", "--group", "region", "--task", "regression", "--json",
                                 NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *j = tc_parse_json(r.out);
    assert_keys(json_object_get(j, "overall"), reg_names, 5, "overall");
    json_t *groups = json_object_get(j, "groups");
    static const char *const order[] = {"a", "b", "one", "Åland"};
    size_t i = 0;
    const char *k;
    json_t *v;
    cr_assert_eq(json_object_size(groups), 4);
    json_object_foreach(groups, k, v) {
        cr_assert_str_eq(k, order[i++]);
        assert_keys(v, reg_names, 5, k);
    }
    cr_assert(json_is_null(json_object_get(json_object_get(groups, "one"), "r2")),
              "R2 of one row is null");
    json_t *ref = sklearn_ref(file, "regression", "-", "region");
    if (ref) {
        assert_same(json_object_get(j, "overall"), json_object_get(ref, "overall"), reg_names, 5,
                    "overall");
        json_object_foreach(groups, k, v)
            assert_same(v, json_object_get(json_object_get(ref, "groups"), k), reg_names, 5, k);
        json_decref(ref);
    }
    json_decref(j);
    tu_run_free(&r);

    /* The table: a header, the overall row first, then the groups, with n. */
    r = tu_sextant(dir, "metrics", file, "--actual", "actual", "--predicted", "pred", "--group",
                   "region", "--task", "regression", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *lines[8];
    size_t nl = 0;
    for (char *save = NULL, *line = strtok_r(r.out, "\n", &save); line && nl < 8;
         line = strtok_r(NULL, "\n", &save))
        lines[nl++] = line;
    cr_assert_eq(nl, 6, "header, overall and 4 groups");
    cr_assert(strncmp(lines[0], "region", 6) == 0, "%s", lines[0]);
    const char *cols[] = {" n ", "rmse", "mse", "mae", "r2", "mape"};
    for (size_t c = 0; c < 6; c++)
        cr_assert(strstr(lines[0], cols[c]), "header lacks %s: %s", cols[c], lines[0]);
    cr_assert(strncmp(lines[1], "(overall)", 9) == 0, "%s", lines[1]);
    cr_assert(strstr(lines[1], " 146 "), "146 of 151 rows complete: %s", lines[1]);
    cr_assert(strncmp(lines[4], "one ", 4) == 0, "%s", lines[4]);
    cr_assert(strstr(lines[4], " 1 "), "%s", lines[4]);
    cr_assert(strstr(lines[4], " - "), "R2 of one row shown as -: %s", lines[4]);
    cr_assert(strncmp(lines[5], "Åland", strlen("Åland")) == 0, "%s", lines[5]);
    /* Aligned: every line as wide as the header in display columns. */
    size_t w = strlen(lines[0]);
    cr_assert_eq(strlen(lines[1]), w);
    tu_run_free(&r);
    free(file);
    tu_rmrf(dir);
    free(dir);
}

Test(metrics_cli, stored_dataset)
{
    char *dir = tc_new_project();
    char *file = tu_path(dir, "preds.csv");
    tu_write(file, "actual,pred,score\n1,1,0.8\n0,0,0.3\n1,0,0.45\n0,1,0.6\n", (size_t)-1);
    struct tu_run r = tu_sextant(dir, "import", file, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "metrics", "preds@1", "--actual", "actual", "--predicted", "pred",
                   "--score", "score", "--task", "binary", "--json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "{\"overall\":{\"accuracy\":0.5,\"precision\":0.5,\"recall\":0.5,"
                            "\"f1\":0.5,\"auc\":0.75,\"logloss\":0.57365423083621725},"
                            "\"groups\":{}}\n");
    tu_run_free(&r);
    free(file);
    tu_rmrf(dir);
    free(dir);
}

/* Run metrics with ARGS in DIR; assert exit STATUS and that stderr holds
 * WANT (on one line for status 1). */
static void expect_fail(const char *dir, int status, const char *want, char *const args[])
{
    char *argv[24];
    size_t n = 0;
    char *bin = realpath(tu_bin(), NULL);
    cr_assert(bin);
    argv[n++] = bin;
    argv[n++] = "metrics";
    for (size_t i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    struct tu_run r = tu_runv(dir, NULL, NULL, argv);
    cr_assert_eq(r.status, status, "%s %s: exit %d: %s", args[0], args[1] ? args[1] : "",
                 r.status, r.err);
    cr_assert(strstr(r.err, want), "stderr lacks '%s': %s", want, r.err);
    cr_assert_str_eq(r.out, "");
    if (status == 1) {
        cr_assert(strncmp(r.err, "sextant: ", 9) == 0, "%s", r.err);
        cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
    }
    tu_run_free(&r);
    free(bin);
}

Test(metrics_cli, errors_exit_1)
{
    char *dir = tu_tmpdir();
    char *file = tu_path(dir, "p.csv");
    tu_write(file,
             "id,actual,pred,when,label\n"
             "1,1,1,2023-01-01,a\n"
             "2,0,\"0\",2023-01-02,b\n"
             "3,1,2,2023-01-03,c\n",
             (size_t)-1);
    char want[600];
    snprintf(want, sizeof want, "%s:4:3: column 'pred': --predicted wants 0/1", file);
    expect_fail(dir, 1, want,
                (char *[]){file, "--actual", "actual", "--predicted", "pred", "--task", "binary",
                           NULL});
    expect_fail(dir, 1, "no column named 'nope' (--actual)",
                (char *[]){file, "--actual", "nope", "--predicted", "pred", "--task",
                           "regression", NULL});
    expect_fail(dir, 1, "column 'when' (--predicted) is date, not numbers",
                (char *[]){file, "--actual", "actual", "--predicted", "when", "--task",
                           "regression", NULL});
    snprintf(want, sizeof want, "%s:2:5: column 'label': --actual wants 0/1 or true/false", file);
    expect_fail(dir, 1, want,
                (char *[]){file, "--actual", "label", "--predicted", "actual", "--task", "binary",
                           NULL});
    expect_fail(dir, 1, "no column named 'g' (--group)",
                (char *[]){file, "--actual", "actual", "--predicted", "pred", "--group", "g",
                           "--task", "regression", NULL});
    char *missing = tu_path(dir, "missing.csv");
    expect_fail(dir, 1, "missing.csv",
                (char *[]){missing, "--actual", "a", "--predicted", "p", "--task", "regression",
                           NULL});
    /* A multi-line quoted cell before the bad one: the physical line. */
    char *ml = tu_path(dir, "ml.csv");
    tu_write(ml, "note;y;p\n\"two\nlines\";1;1\n\nx;1;yes\n", (size_t)-1);
    snprintf(want, sizeof want, "%s:5:3: column 'p': --predicted wants 0/1 or true/false for "
                                "--task binary, got 'yes'", ml);
    expect_fail(dir, 1, want,
                (char *[]){ml, "--actual", "y", "--predicted", "p", "--task", "binary", NULL});
    free(ml);
    free(missing);
    free(file);
    tu_rmrf(dir);
    free(dir);
}

Test(metrics_cli, usage_errors_exit_2)
{
    char *dir = tu_tmpdir();
    char *file = tu_path(dir, "p.csv");
    tu_write(file, "a,p\n1,1\n0,1\n", (size_t)-1);
    expect_fail(dir, 2, "missing --actual",
                (char *[]){file, "--predicted", "p", "--task", "binary", NULL});
    expect_fail(dir, 2, "missing --predicted",
                (char *[]){file, "--actual", "a", "--task", "binary", NULL});
    expect_fail(dir, 2, "missing --task", (char *[]){file, "--actual", "a", "--predicted", "p",
                                                     NULL});
    expect_fail(dir, 2, "unknown task 'multiclass'",
                (char *[]){file, "--actual", "a", "--predicted", "p", "--task", "multiclass",
                           NULL});
    expect_fail(dir, 2, "--score is for --task binary",
                (char *[]){file, "--actual", "a", "--predicted", "p", "--score", "p", "--task",
                           "regression", NULL});
    expect_fail(dir, 2, "missing DATASET or FILE",
                (char *[]){"--actual", "a", "--predicted", "p", "--task", "binary", NULL});
    expect_fail(dir, 2, "unexpected argument",
                (char *[]){file, file, "--actual", "a", "--predicted", "p", "--task", "binary",
                           NULL});
    expect_fail(dir, 2, "--bogus", (char *[]){file, "--bogus", NULL});
    expect_fail(dir, 2, "--task", (char *[]){file, "--actual", "a", "--predicted", "p", "--task",
                                             NULL});
    struct tu_run r = tu_sextant(dir, "metrics", "--help", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "usage: sextant metrics"), "%s", r.out);
    tu_run_free(&r);
    free(file);
    tu_rmrf(dir);
    free(dir);
}
