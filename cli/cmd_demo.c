/* cli/cmd_demo.c: `sextant demo [DIR]`: generate the demo data into
 * DIR/data, create (or reuse) the store DIR/.sextant, import the training
 * years and 2023 as data sets energy_train and energy_2023, add the feature
 * sets demand_features and demand_model (core/demo_features.c) and fit
 * them on energy_train, then train real runs on demand_model's fit through
 * core/train.h: in experiment "demand", OLS
 * with a time-based split by year, ridge with leave-one-region-out and a
 * ridge sweep over alpha; in experiment "peak", logistic regression of
 * peak_event by year; per-region metrics, energy_2023 as the validation set, two
 * authors (maria and tomas) and their review comments.
 * Running it again regenerates identical files, so the imports record
 * nothing new, the specs are the versions already stored, fits of those
 * versions on that data set already exist, and the demo's runs are there,
 * finished: nothing is added (a demo interrupted while training trains
 * the runs it did not finish). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo.h"
#include "env.h"
#include "runs.h"
#include "train.h"

static const char help[] =
    "usage: sextant demo [DIR]\n"
    "\n"
    "Create a demo project in DIR (default: ./sextant-demo): daily energy demand\n"
    "per region and customer segment, generated deterministically, written to\n"
    "DIR/data/energy_2018_2022.csv and DIR/data/energy_2023.csv, and imported\n"
    "into the store DIR/.sextant (created, or reused when it exists) as data\n"
    "sets energy_train and energy_2023. It then adds the feature set\n"
    "demand_features (calendar features from the date, heating and cooling\n"
    "degrees, standardised weather, a PCA of it, one-hot regions; the spec is\n"
    "data/demand_features.spec in the source tree) and demand_model (the same\n"
    "and a one-hot of the customer segment), and fits both on energy_train.\n"
    "Then it trains runs on energy_train with demand_model's fit, validated on\n"
    "energy_2023\n"
    "and with metrics per region: in experiment \"demand\", OLS (time-based split\n"
    "by year), ridge (leave-one-region-out) and a ridge sweep over alpha; in\n"
    "experiment \"peak\", logistic regression of peak_event (by year); by two\n"
    "authors, maria and tomas, with a few review comments. Running it again\n"
    "changes nothing.\n"
    "\n"
    "  -h, --help          show this help\n";

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return cli_fail("%s: %s", path, strerror(errno));
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_fail("%s: not a directory", path);
    return CLI_EXIT_OK;
}

/* S as one shell word: unchanged when it is plain, else in single quotes. */
static char *shell_quote(const char *s)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "0123456789_./-+,:@%") == strlen(s))
        return cli_xstrdup(s);
    size_t n = 2;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *q = cli_xmalloc(n + 1), *o = q;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else
            *o++ = *p;
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

static int write_data(const char *path, int from, int to)
{
    struct sx_demo_opts o;
    struct sx_err err;
    uint64_t rows = 0;
    sx_demo_opts_init(&o);
    o.year_from = from;
    o.year_to = to;
    if (sx_demo_write_file(path, &o, &rows, &err) != SX_OK)
        return cli_fail_err(&err);
    char *safe = cli_inert(path);
    printf("wrote %s (%llu rows)\n", safe, (unsigned long long)rows);
    free(safe);
    return CLI_EXIT_OK;
}

/* Add feature set NAME with spec TEXT to ST and fit it on the latest
 * energy_train, unless a fit of that version on that data set version
 * exists. FIT_ID receives the fit's id. */
static int add_features(const struct cli *c, struct sx_store *st, const char *name,
                        const char *text, char fit_id[SX_UUID_LEN])
{
    struct sx_fspec *spec;
    struct sx_fversion v;
    struct sx_dataset ds;
    struct sx_ffit_record *fits = NULL, rec;
    struct sx_err err;
    size_t n = 0;
    int rc = CLI_EXIT_OK;

    if (!(spec = sx_fspec_parse(text, &err, NULL, NULL)))
        return cli_fail("the demo's feature set %s does not parse: %s", name, err.msg);
    memset(&v, 0, sizeof v);
    memset(&ds, 0, sizeof ds);
    if (sx_featstore_add(st, name, text, spec, &v, NULL, &err) != SX_OK ||
        sx_store_dataset_get(st, "energy_train", 0, &ds, &err) != SX_OK ||
        sx_featstore_fits(st, v.id, &fits, &n, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    printf("%s@v%d\n", v.name, v.version);
    for (size_t i = 0; i < n; i++)
        if (strcmp(fits[i].dataset_id, ds.id) == 0) {
            printf("fit %s (%s@v%d on %s@%d)\n", fits[i].id, v.name, v.version, ds.name,
                   ds.version);
            memcpy(fit_id, fits[i].id, SX_UUID_LEN);
            goto out;
        }
    if ((rc = cli_features_fit(c, st, &v, &ds, NULL, &rec)) == CLI_EXIT_OK) {
        printf("fit %s (%s@v%d on %s@%d)\n", rec.id, v.name, v.version, ds.name, ds.version);
        memcpy(fit_id, rec.id, SX_UUID_LEN);
        sx_ffit_record_clear(&rec);
    }
out:
    sx_ffit_record_list_free(fits, n);
    sx_dataset_clear(&ds);
    sx_fversion_clear(&v);
    sx_fspec_free(spec);
    return rc;
}

/* ---- the demo's runs ---- */

static int demo_cancel(void *ctx)
{
    (void)ctx;
    return cli_sigint != 0;
}

/* The columns of the fit's output no demo model uses: the other target,
 * then what would make the design rank-deficient (the weather PCA is a
 * linear function of temperature, humidity and wind; the region one-hots
 * sum to 1, so north is the baseline, and region_other is 0 in training;
 * the same for the segments, with residential_small as the baseline),
 * which OLS's minimum-norm answer would turn into huge cancelling
 * coefficients that explode on the new 2023 region. */
static const char *demo_exclude[] = {
    NULL, "weather_1", "weather_2", "region_north", "region_other",
    "customer_segment_residential_small", "customer_segment_other",
};

/* One prepared data of the demo: TARGET with SPLIT, per region, validated
 * on energy_2023. From RAW with FIT, or (FIT NULL) from frames the fit
 * already made: the training frame RAW and the validation frame VAL. */
static struct sx_train_data *demo_prepare(const struct sx_frame *raw, const struct sx_frame *val,
                                          const struct sx_ffit *fit, const char *target,
                                          const char *split, struct sx_err *err)
{
    struct sx_train_opts o;
    struct sx_train_data *d;
    const char *ex[sizeof demo_exclude / sizeof demo_exclude[0]];

    memcpy(ex, demo_exclude, sizeof ex);
    ex[0] = strcmp(target, "demand") == 0 ? "peak_event" : "demand";
    memset(&o, 0, sizeof o);
    o.target = target;
    o.binary = strcmp(target, "peak_event") == 0;
    o.exclude = ex;
    o.nexclude = sizeof ex / sizeof ex[0];
    o.by = "region";
    o.cancel = demo_cancel;
    if (sx_split_parse(split, &o.split, err) != SX_OK ||
        !(d = sx_train_prepare(raw, fit, &o, err)))
        return NULL;
    if (sx_train_add_validation(d, "energy_2023", val, fit, err) != SX_OK) {
        sx_train_data_free(d);
        return NULL;
    }
    return d;
}

/* "rmse 123.4" or "auc 0.91": the headline metric of M. */
static void headline(const struct sx_metrics *m, char *buf, size_t size)
{
    size_t i = m->task == SX_TASK_BINARY ? 4 : 0;
    snprintf(buf, size, "%s %.4g", sx_metric_name(m->task, i), m->defined[i] ? m->v[i] : NAN);
}

static void print_run(const char *id, const char *name, const char *experiment,
                      const char *author, const struct sx_metrics *m)
{
    char h[64];
    headline(m, h, sizeof h);
    printf("run %.8s  %-20s %-7s %-6s %s\n", id, name, experiment, author, h);
}

/* The demo's top-level runs: three runs, then the sweep. */
enum { DEMO_RUNS = 3, DEMO_ALL = 4 };
static const struct {
    const char *experiment, *name, *author;
    enum sx_algo algo;
} demo_runs[DEMO_ALL] = {
    {"demand", "ols-demand", "maria", SX_ALGO_OLS},
    {"demand", "ridge-demand-logo", "tomas", SX_ALGO_RIDGE},
    {"peak", "logistic-peak", "maria", SX_ALGO_LOGISTIC},
    {"demand", "ridge-alpha", "tomas", SX_ALGO_RIDGE},
};

/* The reviews of demo run K (an index into demo_runs), written when it is
 * trained. */
static enum sx_status demo_comment(struct sx_store *st, int k, const char *id,
                                   struct sx_err *err)
{
    static const struct {
        int run;
        const char *author, *text, *review;
    } notes[] = {
        {0, "tomas", "The 2020 fold carries most of the error: the lockdown shift in the "
                     "commercial and industrial segments.", "needs-work"},
        {0, "maria", "Agreed; keeping it as the baseline and comparing the ridge sweep "
                     "against it.", NULL},
        {1, "maria", "Leave-one-region-out holds up, but highlands (2023 only) is unseen "
                     "in training: check the energy_2023 groups.", NULL},
        {1, "tomas", "Held-out regions score close to the time split: the model does not "
                     "lean on the region one-hots much.", NULL},
        {2, "tomas", "AUC holds in every region and on energy_2023.", "reviewed"},
        {3, "maria", "Flat below alpha=1, and the regions agree. Fine to register the best "
                     "trial.", "reviewed"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        enum sx_status rc;
        if (notes[i].run == k &&
            (rc = sx_runs_comment_as(st, id, notes[i].author, 0, notes[i].text,
                                     notes[i].review, err)) != SX_OK)
            return rc;
    }
    return SX_OK;
}

/* HAVE[i]: demo run i is already in ST, finished (a demo run interrupted
 * before is trained again). Returns the number found, or -1 with ERR. */
static int demo_trained(struct sx_store *st, int have[DEMO_ALL], struct sx_err *err)
{
    struct sx_runs_table *t = sx_runs_table_load(st, NULL, 1, err);
    int found = 0;
    if (!t)
        return -1;
    const struct sx_frame *f = t->frame;
    long cn = sx_frame_find(f, "name"), ce = sx_frame_find(f, "experiment"),
         cs = sx_frame_find(f, "status");
    for (int k = 0; k < DEMO_ALL; k++) {
        have[k] = 0;
        for (size_t i = 0; cn >= 0 && ce >= 0 && cs >= 0 && i < f->nrows && !have[k]; i++) {
            const char *n = sx_col_str(f->cols[cn], i), *e = sx_col_str(f->cols[ce], i),
                       *stt = sx_col_str(f->cols[cs], i);
            have[k] = n && e && stt && strcmp(n, demo_runs[k].name) == 0 &&
                      strcmp(e, demo_runs[k].experiment) == 0 && strcmp(stt, "finished") == 0;
        }
        found += have[k];
    }
    sx_runs_table_free(t);
    return found;
}

/* Train the demo's runs on energy_train (fit FIT_ID): those not already
 * trained, with their comments. */
static int train_runs(struct sx_store *st, const char *fit_id)
{
    struct sx_dataset train, test;
    struct sx_ffit_record rec;
    struct sx_fspec *spec = NULL;
    struct sx_ffit *fit = NULL;
    struct sx_frame *ftrain = NULL, *ftest = NULL;
    struct sx_train_data *dA = NULL, *dB = NULL, *dC = NULL;
    struct sx_err err;
    char *env = NULL;
    int rc = CLI_EXIT_OK, have[DEMO_ALL];

    memset(&train, 0, sizeof train);
    memset(&test, 0, sizeof test);
    memset(&rec, 0, sizeof rec);
    int found = demo_trained(st, have, &err);
    if (found < 0)
        return cli_fail_err(&err);
    if (found == DEMO_ALL) {
        printf("runs: the demo's runs are trained already\n");
        return CLI_EXIT_OK;
    }

    if (sx_store_dataset_get(st, "energy_train", 0, &train, &err) != SX_OK ||
        sx_store_dataset_get(st, "energy_2023", 0, &test, &err) != SX_OK ||
        sx_featstore_fit_get(st, fit_id, &rec, &err) != SX_OK ||
        sx_featstore_fit_load(st, &rec, &spec, &fit, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if ((rc = cli_load_dataset(&train, NULL, 0, &ftrain)) != CLI_EXIT_OK ||
        (rc = cli_load_dataset(&test, NULL, 0, &ftest)) != CLI_EXIT_OK)
        goto out;
    struct sx_env e;
    if (sx_env_capture(&e, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    json_t *ej = sx_env_json(&e);
    env = json_dumps(ej, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ej);

    /* The fit is applied once (dA); the other data reuse its frames. */
    if (!(dA = demo_prepare(ftrain, ftest, fit, "demand", "time:date:year", &err)) ||
        !(dB = demo_prepare(dA->frame, dA->vsets[0].frame, NULL, "demand", "logo:region",
                            &err)) ||
        !(dC = demo_prepare(dA->frame, dA->vsets[0].frame, NULL, "peak_event", "time:date:year",
                            &err))) {
        rc = err.code == SX_ECANCEL && cli_sigint
                 ? cli_interrupted_exit()
                 : cli_fail("the demo's training data: %s", err.msg);
        goto out;
    }

    struct sx_train_lineage lin = {
        .dataset_id = train.id, .source_path = train.source_path, .data_hash = train.hash,
        .fit_id = rec.id, .env_json = env,
    };
    struct sx_model_params p;
    struct sx_train_result r;
    struct sx_run_new rn;
    char ids[DEMO_ALL][SX_UUID_LEN];
    struct sx_train_data *data[DEMO_RUNS] = {dA, dB, dC};
    for (size_t i = 0; i < DEMO_RUNS; i++) {
        if (have[i])
            continue;
        memset(&rn, 0, sizeof rn);
        rn.experiment = demo_runs[i].experiment;
        rn.name = demo_runs[i].name;
        rn.author = demo_runs[i].author;
        sx_model_params_default(&p);
        if (sx_train_run(st, data[i], demo_runs[i].algo, &p, &rn, &lin, &r, ids[i], &err) !=
            SX_OK) {
            rc = err.code == SX_ECANCEL && cli_sigint
                     ? cli_interrupted_exit()
                     : cli_fail("demo run %s: %s", demo_runs[i].name, err.msg);
            goto out;
        }
        print_run(ids[i], demo_runs[i].name, demo_runs[i].experiment, demo_runs[i].author,
                  &r.metrics);
        sx_train_result_clear(&r);
        if (demo_comment(st, (int)i, ids[i], &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }
    }

    /* tomas sweeps ridge's alpha. */
    if (!have[3]) {
        struct sx_sweep sw;
        struct sx_sweep_result sr;
        sx_sweep_init(&sw);
        memset(&rn, 0, sizeof rn);
        rn.experiment = demo_runs[3].experiment;
        rn.name = demo_runs[3].name;
        rn.author = demo_runs[3].author;
        sx_model_params_default(&p);
        if (sx_sweep_add_grid(&sw, "alpha=0.01..100:log:5", &err) != SX_OK ||
            sx_train_sweep(st, dA, SX_ALGO_RIDGE, &p, &sw, "rmse", &rn, &lin, &sr, &err) !=
                SX_OK) {
            rc = err.code == SX_ECANCEL && cli_sigint
                     ? cli_interrupted_exit()
                     : cli_fail("demo sweep ridge-alpha: %s", err.msg);
            sx_sweep_clear(&sw);
            sx_sweep_result_clear(&sr);
            goto out;
        }
        sx_sweep_clear(&sw);
        memcpy(ids[3], sr.parent_id, SX_UUID_LEN);
        print_run(sr.parent_id, "ridge-alpha (sweep)", "demand", "tomas",
                  &sr.best_result.metrics);
        for (size_t k = 0; k < sr.ntrials; k++) {
            char name[64];
            snprintf(name, sizeof name, "  %s%s", sr.done[k].trial.values[0],
                     (long)k == sr.best ? " (best)" : "");
            print_run(sr.done[k].id, name, "demand", "tomas", &sr.done[k].metrics);
        }
        sx_sweep_result_clear(&sr);
        if (demo_comment(st, 3, ids[3], &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }
    }

out:
    sx_train_data_free(dC);
    sx_train_data_free(dB);
    sx_train_data_free(dA);
    free(env);
    if (ftrain)
        sx_frame_free(ftrain);
    if (ftest)
        sx_frame_free(ftest);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    sx_ffit_record_clear(&rec);
    sx_dataset_clear(&train);
    sx_dataset_clear(&test);
    return rc;
}

int cli_cmd_demo(struct cli *c, int argc, char **argv)
{
    int rc;
    if (cli_simple_options(c, argc, argv, help, NULL, &rc))
        return rc;
    if (argc - optind > 1)
        return cli_usage(c, "one DIR at a time");
    if (c->store)
        return cli_usage(c, "--store does not apply: the demo's store is DIR/.sextant");
    const char *dir = optind < argc ? argv[optind] : "sextant-demo";

    struct {
        const char *file, *name;
        int from, to;
    } parts[] = {
        {"energy_2018_2022.csv", "energy_train", 2018, 2022},
        {"energy_2023.csv", "energy_2023", 2023, 2023},
    };
    char data[4096], files[2][4096], dbpath[4096];
    struct sx_err err;
    struct sx_store *st = NULL;

    if (strlen(dir) > 3000)
        return cli_fail("%.40s...: path too long", dir);
    cli_catch_sigint();
    snprintf(data, sizeof data, "%.3000s/data", dir);
    if ((rc = make_dir(dir)) != CLI_EXIT_OK || (rc = make_dir(data)) != CLI_EXIT_OK)
        return rc;
    for (size_t i = 0; i < 2; i++) {
        snprintf(files[i], sizeof files[i], "%.3010s/%.64s", data, parts[i].file);
        if ((rc = write_data(files[i], parts[i].from, parts[i].to)) != CLI_EXIT_OK)
            return cli_flush(rc);
        if (cli_sigint)
            return cli_flush(cli_interrupted_exit());
    }

    enum sx_status s = sx_store_init(dir, dbpath, sizeof dbpath, &err);
    if (s == SX_EEXIST)
        snprintf(dbpath, sizeof dbpath, "%.3000s/%s/%s", dir, SX_STORE_DIR, SX_STORE_FILE);
    else if (s != SX_OK)
        return cli_flush(cli_fail_err(&err));
    if (!(st = sx_store_open(dbpath, 0, &err)))
        return cli_flush(cli_fail_err(&err));
    for (size_t i = 0; i < 2 && rc == CLI_EXIT_OK; i++) {
        struct cli_import in;
        memset(&in, 0, sizeof in);
        in.path = files[i];
        in.name = parts[i].name;
        rc = cli_import_file(st, &in);
    }
    /* demand_features for exploring; demand_model (the same and the
     * customer segment) for the models */
    char fit_id[SX_UUID_LEN] = "", model_fit[SX_UUID_LEN] = "";
    char *model_spec = NULL;
    if (asprintf(&model_spec, "%s%s", sx_demo_feature_spec, sx_demo_model_spec_extra) < 0)
        rc = cli_fail("out of memory");
    if (rc == CLI_EXIT_OK)
        rc = add_features(c, st, SX_DEMO_FEATURE_SET, sx_demo_feature_spec, fit_id);
    if (rc == CLI_EXIT_OK)
        rc = add_features(c, st, SX_DEMO_MODEL_SET, model_spec, model_fit);
    free(model_spec);
    if (rc == CLI_EXIT_OK)
        rc = train_runs(st, model_fit);
    sx_store_close(st);
    if (rc != CLI_EXIT_OK)
        return cli_flush(rc);

    char *safe = cli_inert(dir);
    char *quoted = shell_quote(safe);
    printf("\nThe demo store is %s/%s. Explore it:\n"
           "  cd %s && sextant datasets\n"
           "  sextant describe energy_train --by region\n"
           "  sextant cat energy_2023 -n 10\n"
           "  sextant features show " SX_DEMO_FEATURE_SET "\n"
           "  sextant runs --experiment demand\n",
           safe, SX_STORE_DIR, quoted);
    free(quoted);
    free(safe);
    return cli_flush(CLI_EXIT_OK);
}
