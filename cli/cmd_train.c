/* cli/cmd_train.c: `sextant train`, `sextant sweep` and `sextant
 * predict-run`: the command line of core/train.h. train and sweep share
 * their options: the training data (a data set version or a CSV file), the
 * target, the algorithm and its params, an optional feature-set fit, the
 * split, validation data sets and the group column; they load the data,
 * prepare it once and record the run(s) in the store. predict-run scores a
 * CSV file with a recorded run's model (and its fit, in inference mode). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "json.h"
#include "models.h"
#include "runs.h"
#include "train.h"
#include "validate.h"

static const char help_train[] =
    "usage: sextant train DATASET[@V]|FILE.csv --target COL --algo ols|ridge|logistic\n"
    "                     [--param K=V]... [--features FIT_ID] [--split SPLIT]\n"
    "                     [--validate DATASET]... [--by COL] [--exclude COL]...\n"
    "                     [--experiment E] [--name N] [--seed N] [--json]\n"
    "\n"
    "Train a model on a data set (its source file is reloaded and must still have\n"
    "the content hash recorded at import) or a CSV file, evaluate it, and record\n"
    "the run in the store. With --features the stored fit is applied first (in\n"
    "training mode: its filters drop rows). The features are every number and\n"
    "bool column except the target (and --exclude'd ones); rows with a missing\n"
    "feature or target are left out.\n"
    "\n"
    "With a split the metrics come from the out-of-fold predictions; the model\n"
    "recorded is then fitted on every row, so its coefficients never depend on\n"
    "the split. With --split none (the default) the metrics are in-sample.\n"
    "\n"
    "  --target COL        the column to predict (0/1 or bool for logistic)\n"
    "  --algo A            ols, ridge or logistic\n"
    "  --param K=V         alpha (ridge, default 1), C (logistic, default 1),\n"
    "                      max_iter (default 100), tol (default 1e-10)\n"
    "  --features FIT_ID   apply this feature-set fit (its id or first 8+ characters)\n"
    "  --split SPLIT       none, holdout:F, kfold:K, stratified:K, group:COL[:K],\n"
    "                      logo:COL or time:COL:WINDOW (day, week, month, quarter,\n"
    "                      year or N followed by d, w, m, q, y)\n"
    "  --validate DATASET  also evaluate the model on this data set (or CSV file);\n"
    "                      the fit is applied in inference mode; repeatable\n"
    "  --by COL            metrics per group of COL too (training and validation)\n"
    "  --exclude COL       do not use COL as a feature; repeatable\n"
    "  --experiment E      the run's experiment (default \"Default\"; created if new)\n"
    "  --name N            the run's name\n"
    "  --seed N            seed of the holdout and k-fold shuffles (default 42)\n"
    "  --json              print {\"run\",\"metrics\",\"groups\",\"validation\",\n"
    "                      \"coefficients\",\"intercept\"} as JSON\n"
    "  -h, --help          show this help\n";

static const char help_sweep[] =
    "usage: sextant sweep DATASET[@V]|FILE.csv --target COL --algo ols|ridge|logistic\n"
    "                     (--grid K=VALUES | --random K=LO..HI[:log]:N)...\n"
    "                     [--metric M] [--seed N] [the options of train]\n"
    "\n"
    "Train many trials of one algorithm, each a child run of one parent run\n"
    "(kind \"sweep\"), spread over the cores, and mark the best trial on a metric.\n"
    "The data are loaded and prepared once; every option of `sextant train` applies\n"
    "to each trial (--param sets the values not swept).\n"
    "\n"
    "  --grid K=V1,V2,...        these values of K\n"
    "  --grid K=LO..HI:N         N values from LO to HI inclusive, evenly spaced\n"
    "  --grid K=LO..HI:log:N     N values from LO to HI inclusive, log-spaced\n"
    "                            (alpha=0.001..10:log:8)\n"
    "  --random K=LO..HI[:log]:N N draws of K, uniform (or log-uniform)\n"
    "  --metric M                the metric the best trial wins on (default rmse,\n"
    "                            logloss for logistic); errors are best low, the\n"
    "                            others high\n"
    "  --seed N                  seed of the random draws and the shuffles (42)\n"
    "  --json                    print {\"parent\",\"metric\",\"best\",\"trials\":[{\"run\",\n"
    "                            \"name\",\"status\",\"params\",\"metrics\"}...]}\n"
    "  -h, --help                show this help\n"
    "\n"
    "The trials are the product of the --grid axes, times the draws when --random\n"
    "is given (as many as the largest N; each draw samples every random key).\n";

static const char help_predict[] =
    "usage: sextant predict-run [RUN] FILE.csv|DATASET[@V] [-o OUT.csv]\n"
    "\n"
    "Predict the rows of FILE.csv (or a data set) with the model of run RUN (its\n"
    "id or first 8+ characters; default $SEXTANT_RUN): the run's feature-set fit,\n"
    "if any, is applied in inference mode (every row kept), then the model.\n"
    "Writes the input rows plus a column \"prediction\" (the probability of class\n"
    "1 for logistic, which also gets a 0/1 column \"label\", 1 when prediction >\n"
    "0.5) as CSV; a row with a missing feature gets an empty prediction.\n"
    "\n"
    "  -o, --output OUT    write OUT (atomically) instead of stdout, and print\n"
    "                      \"wrote OUT (N rows)\"\n"
    "  -h, --help          show this help\n";

/* ---- shared options of train and sweep ---- */

struct train_args {
    int sweep;
    const char *data;
    const char *target;
    enum sx_algo algo;
    int have_algo;
    struct sx_model_params params;
    const char *fit_id;
    struct sx_split_spec split;
    const char **validate;
    size_t nvalidate;
    const char *by;
    const char **exclude;
    size_t nexclude;
    const char *experiment, *name;
    int json;
    uint64_t seed;
    int have_seed;
    /* sweep */
    const char **grid, **random;
    size_t ngrid, nrandom;
    const char *metric;
    const char **params_kv;         /* --param K=V as given, applied once the algo is known */
    size_t nparams;
};

static void push_arg(const char ***list, size_t *n, const char *arg)
{
    *list = cli_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = arg;
}

static void train_args_free(struct train_args *a)
{
    free(a->validate);
    free(a->exclude);
    free(a->grid);
    free(a->random);
    free(a->params_kv);
}

/* Parse the options. Returns -1 to go on, else the exit code. */
static int parse_args(struct cli *c, int argc, char **argv, struct train_args *a)
{
    enum {
        O_TARGET = 256, O_ALGO, O_PARAM, O_FEATURES, O_SPLIT, O_VALIDATE, O_BY, O_EXCLUDE,
        O_EXPERIMENT, O_NAME, O_JSON, O_SEED, O_GRID, O_RANDOM, O_METRIC
    };
    static const struct option longopts[] = {
        {"target", required_argument, NULL, O_TARGET},
        {"algo", required_argument, NULL, O_ALGO},
        {"param", required_argument, NULL, O_PARAM},
        {"features", required_argument, NULL, O_FEATURES},
        {"split", required_argument, NULL, O_SPLIT},
        {"validate", required_argument, NULL, O_VALIDATE},
        {"by", required_argument, NULL, O_BY},
        {"exclude", required_argument, NULL, O_EXCLUDE},
        {"experiment", required_argument, NULL, O_EXPERIMENT},
        {"name", required_argument, NULL, O_NAME},
        {"json", no_argument, NULL, O_JSON},
        {"seed", required_argument, NULL, O_SEED},
        {"help", no_argument, NULL, 'h'},
        /* sweep only (below this line) */
        {"grid", required_argument, NULL, O_GRID},
        {"random", required_argument, NULL, O_RANDOM},
        {"metric", required_argument, NULL, O_METRIC},
        {NULL, 0, NULL, 0},
    };
    static struct option train_opts[sizeof longopts / sizeof longopts[0]];
    const char *split_text = "none";
    struct sx_err err;
    int opt;

    memset(a, 0, sizeof *a);
    a->sweep = strcmp(argv[0], "sweep") == 0;
    a->seed = 42;
    sx_model_params_default(&a->params);
    /* train does not take the sweep options. */
    size_t nlong = sizeof longopts / sizeof longopts[0];
    memcpy(train_opts, longopts, sizeof longopts);
    if (!a->sweep) {
        for (size_t i = 0; i < nlong; i++)
            if (train_opts[i].name && train_opts[i].val == O_GRID) {
                memset(&train_opts[i], 0, sizeof train_opts[i]);
                break;
            }
    }
    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", train_opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(a->sweep ? help_sweep : help_train);
        case O_TARGET:
            if (!*optarg)
                return cli_usage(c, "--target wants a column name");
            a->target = optarg;
            break;
        case O_ALGO:
            if (sx_algo_parse(optarg, &a->algo, &err) != SX_OK)
                return cli_usage(c, "--algo: %s", err.msg);
            a->have_algo = 1;
            break;
        case O_PARAM:
            push_arg(&a->params_kv, &a->nparams, optarg);
            break;
        case O_FEATURES:
            if (!*optarg)
                return cli_usage(c, "--features wants a fit id");
            a->fit_id = optarg;
            break;
        case O_SPLIT:
            split_text = optarg;
            break;
        case O_VALIDATE:
            if (!*optarg)
                return cli_usage(c, "--validate wants a data set");
            push_arg(&a->validate, &a->nvalidate, optarg);
            break;
        case O_BY:
            if (!*optarg)
                return cli_usage(c, "--by wants a column name");
            a->by = optarg;
            break;
        case O_EXCLUDE:
            if (!*optarg)
                return cli_usage(c, "--exclude wants a column name");
            push_arg(&a->exclude, &a->nexclude, optarg);
            break;
        case O_EXPERIMENT:
            if (!*optarg)
                return cli_usage(c, "--experiment wants a name");
            a->experiment = optarg;
            break;
        case O_NAME:
            if (!*optarg)
                return cli_usage(c, "--name wants a name");
            a->name = optarg;
            break;
        case O_JSON:
            a->json = 1;
            break;
        case O_SEED: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (!*optarg || *end || errno || optarg[0] == '-')
                return cli_usage(c, "--seed wants a whole number >= 0, not '%s'", optarg);
            a->seed = v;
            a->have_seed = 1;
            break;
        }
        case O_GRID:
            push_arg(&a->grid, &a->ngrid, optarg);
            break;
        case O_RANDOM:
            push_arg(&a->random, &a->nrandom, optarg);
            break;
        case O_METRIC:
            a->metric = optarg;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (optind >= argc)
        return cli_usage(c, "wants DATASET[@V] or FILE.csv");
    if (argc - optind > 1)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 1]);
    a->data = argv[optind];
    if (!a->target)
        return cli_usage(c, "--target COL is required");
    if (!a->have_algo)
        return cli_usage(c, "--algo is required (ols, ridge or logistic)");
    for (size_t i = 0; i < a->nparams; i++) {
        const char *kv = a->params_kv[i], *eq = strchr(kv, '=');
        char key[SX_RUN_KEY_MAX + 1];
        if (!eq || eq == kv || (size_t)(eq - kv) > SX_RUN_KEY_MAX)
            return cli_usage(c, "--param '%s': expected KEY=VALUE", kv);
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        if (sx_model_param_set(&a->params, a->algo, key, eq + 1, &err) != SX_OK)
            return cli_usage(c, "--param %s", err.msg);
    }
    if (sx_split_parse(split_text, &a->split, &err) != SX_OK)
        return cli_usage(c, "--split: %s", err.msg);
    a->split.seed = a->seed;
    if (a->sweep && a->ngrid + a->nrandom == 0)
        return cli_usage(c, "wants at least one --grid or --random");
    return -1;
}

static int sigint_cancel(void *ctx)
{
    (void)ctx;
    return cli_sigint != 0;
}

/* A loaded frame and where it came from. */
struct loaded {
    struct sx_frame *frame;
    char *label;                    /* NAME@V or the path */
    struct sx_dataset ds;           /* zeroed for a CSV file */
    char *path;                     /* absolute path of a CSV file */
    char hash[SX_HASH_HEX];         /* its hash */
};

static void loaded_clear(struct loaded *l)
{
    if (l->frame)
        sx_frame_free(l->frame);
    free(l->label);
    free(l->path);
    sx_dataset_clear(&l->ds);
    memset(l, 0, sizeof *l);
}

/* Load ARG, a CSV file (hashed first, for the lineage) or a data set. */
static int load_source(const struct cli *c, const char *arg, struct loaded *l)
{
    struct sx_err err;
    int rc;

    memset(l, 0, sizeof *l);
    if (cli_is_file_arg(arg)) {
        if (sx_hash_file(arg, l->hash, NULL, &err) != SX_OK)
            return cli_fail_err(&err);
        char *abs = realpath(arg, NULL);
        l->path = cli_xstrdup(abs ? abs : arg);
        free(abs);
        return cli_load(c, arg, NULL, 0, &l->frame, &l->label);
    }
    if ((rc = cli_dataset_get(c, arg, &l->ds)) != CLI_EXIT_OK)
        return rc;
    if ((rc = cli_load_dataset(&l->ds, NULL, 0, &l->frame)) != CLI_EXIT_OK)
        return rc;
    char lab[SX_DATASET_NAME_MAX + 32];
    snprintf(lab, sizeof lab, "%s@%d", l->ds.name, l->ds.version);
    l->label = cli_xstrdup(lab);
    return CLI_EXIT_OK;
}

/* ---- text output ---- */

static void metric_cells(struct cli_table *t, const struct sx_metrics *m)
{
    cli_table_addf(t, "%zu", m->n);
    for (size_t i = 0; i < sx_metric_count(m->task); i++) {
        if (m->defined[i] && !isnan(m->v[i]))
            cli_table_addf(t, "%.6g", m->v[i]);
        else
            cli_table_add(t, "-");
    }
}

static void print_metrics_table(const struct sx_train_data *d, const struct sx_train_result *r)
{
    size_t nm = sx_metric_count(d->task);
    struct cli_table t;
    cli_table_init(&t, nm + 2, 40);
    for (size_t i = 1; i < nm + 2; i++)
        cli_table_right(&t, i);
    cli_table_add(&t, "");
    cli_table_add(&t, "rows");
    for (size_t i = 0; i < nm; i++)
        cli_table_add(&t, sx_metric_name(d->task, i));
    cli_table_add(&t, r->nfolds ? "out of fold" : "in sample");
    metric_cells(&t, &r->metrics);
    for (size_t g = 0; g < r->ngroups; g++) {
        cli_table_addf(&t, "  %s=%s", d->by, r->groups[g].label);
        metric_cells(&t, &r->groups[g].m);
    }
    for (size_t v = 0; v < r->nval; v++) {
        cli_table_addf(&t, "%s", r->val[v].name);
        metric_cells(&t, &r->val[v].m);
        for (size_t g = 0; g < r->val[v].ngroups; g++) {
            cli_table_addf(&t, "  %s=%s", d->by, r->val[v].groups[g].label);
            metric_cells(&t, &r->val[v].groups[g].m);
        }
    }
    cli_table_print(&t, stdout);
    cli_table_free(&t);
}

static void print_header(const struct train_args *a, const struct loaded *src,
                         const struct sx_train_data *d, const char *fit_id)
{
    char *lab = cli_inert(src->label), *tg = cli_inert(d->target), *sp = cli_inert(d->split_text);
    printf("%s on %s", sx_algo_name(a->algo), lab);
    if (fit_id)
        printf(" (fit %.8s)", fit_id);
    printf(": target %s, %zu rows, %zu features\n", tg, d->design.n, d->design.p);
    printf("split %s: %zu fold%s%s\n", sp, d->splits.n, d->splits.n == 1 ? "" : "s",
           d->splits.n ? ", metrics out of fold" : ", metrics in sample");
    free(lab);
    free(tg);
    free(sp);
}

static void print_model(const struct sx_model *m)
{
    struct cli_table t;
    cli_table_init(&t, 2, 60);
    cli_table_right(&t, 1);
    cli_table_add(&t, "feature");
    cli_table_add(&t, "coefficient");
    cli_table_add(&t, "(intercept)");
    cli_table_addf(&t, "%.10g", m->intercept);
    for (size_t j = 0; j < m->p; j++) {
        cli_table_add(&t, m->names[j]);
        cli_table_addf(&t, "%.10g", m->coef[j]);
    }
    cli_table_print(&t, stdout);
    cli_table_free(&t);
    if (m->algo == SX_ALGO_LOGISTIC)
        printf("newton: %d iterations, max |gradient| %.3g, %s\n", m->iterations, m->grad_norm,
               m->converged ? "converged" : "NOT converged");
    else if (m->algo == SX_ALGO_OLS && m->rank < m->p)
        printf("rank %zu of %zu features (minimum-norm solution)\n", m->rank, m->p);
}

/* A swept value as JSON: a number when it reads as one, else text. */
static json_t *param_json(const char *v)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (*v && !*end && !errno && isfinite(d))
        return json_real(d);
    return json_string(v);
}

/* ---- train and sweep ---- */

static int run_train(struct cli *c, int argc, char **argv)
{
    struct train_args a;
    struct sx_store *st = NULL;
    struct sx_ffit_record rec;
    struct sx_fspec *spec = NULL;
    struct sx_ffit *fit = NULL;
    struct loaded src, *vals = NULL;
    struct sx_train_data *d = NULL;
    struct sx_sweep sw;
    struct sx_err err;
    int rc;

    memset(&rec, 0, sizeof rec);
    memset(&src, 0, sizeof src);
    sx_sweep_init(&sw);
    if ((rc = parse_args(c, argc, argv, &a)) >= 0) {
        train_args_free(&a);
        return cli_flush(rc);
    }
    /* The sweep is checked before anything is loaded. */
    if (a.sweep) {
        struct sx_sweep_trial *trials = NULL;
        size_t nt = 0;
        sw.seed = a.seed;
        for (size_t i = 0; i < a.ngrid; i++)
            if (sx_sweep_add_grid(&sw, a.grid[i], &err) != SX_OK) {
                rc = cli_usage(c, "%s", err.msg);
                goto out;
            }
        for (size_t i = 0; i < a.nrandom; i++)
            if (sx_sweep_add_random(&sw, a.random[i], &err) != SX_OK) {
                rc = cli_usage(c, "%s", err.msg);
                goto out;
            }
        if (sx_sweep_trials(&sw, &trials, &nt, &err) != SX_OK) {
            rc = cli_usage(c, "%s", err.msg);
            goto out;
        }
        for (size_t k = 0; k < nt; k++) {
            struct sx_model_params p = a.params;
            if (sx_sweep_trial_params(&trials[k], a.algo, &p, &err) != SX_OK) {
                sx_sweep_trials_free(trials, nt);
                rc = cli_usage(c, "%s", err.msg);
                goto out;
            }
        }
        sx_sweep_trials_free(trials, nt);
        if (a.metric) {
            enum sx_task task = sx_algo_is_binary(a.algo) ? SX_TASK_BINARY : SX_TASK_REGRESSION;
            int known = 0;
            for (size_t i = 0; i < sx_metric_count(task); i++)
                known |= strcmp(sx_metric_name(task, i), a.metric) == 0;
            if (!known) {
                rc = cli_usage(c, "--metric '%s' is not a %s metric", a.metric,
                               sx_task_name(task));
                goto out;
            }
        }
    }

    /* The store first: without one nothing can be recorded. */
    if ((rc = cli_store_open(c, 0, &st)) != CLI_EXIT_OK)
        goto out;
    if (a.fit_id && (rc = cli_fit_open(c, a.fit_id, &rec, &spec, &fit)) != CLI_EXIT_OK)
        goto out;
    if ((rc = load_source(c, a.data, &src)) != CLI_EXIT_OK)
        goto out;
    vals = cli_xmalloc((a.nvalidate ? a.nvalidate : 1) * sizeof *vals);
    memset(vals, 0, (a.nvalidate ? a.nvalidate : 1) * sizeof *vals);
    for (size_t i = 0; i < a.nvalidate; i++)
        if ((rc = load_source(c, a.validate[i], &vals[i])) != CLI_EXIT_OK)
            goto out;

    struct sx_train_opts o;
    memset(&o, 0, sizeof o);
    o.target = a.target;
    o.binary = sx_algo_is_binary(a.algo);
    o.exclude = a.exclude;
    o.nexclude = a.nexclude;
    o.split = a.split;
    o.by = a.by;
    o.cancel = sigint_cancel;
    cli_catch_sigint();
    if (!(d = sx_train_prepare(src.frame, fit, &o, &err))) {
        rc = cli_fail("%s: %s", src.label, err.msg);
        if (err.code == SX_ECANCEL && cli_sigint)
            rc = cli_interrupted_exit();
        goto out;
    }
    for (size_t i = 0; i < a.nvalidate; i++)
        if (sx_train_add_validation(d, a.validate[i], vals[i].frame, fit, &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }

    struct sx_run_new rn;
    struct sx_train_lineage lin;
    memset(&rn, 0, sizeof rn);
    memset(&lin, 0, sizeof lin);
    rn.experiment = a.experiment;
    rn.name = a.name;
    rn.source = "sextant";
    lin.dataset_id = src.ds.id[0] ? src.ds.id : NULL;
    lin.source_path = src.ds.id[0] ? src.ds.source_path : src.path;
    lin.data_hash = src.ds.id[0] ? src.ds.hash : src.hash;
    lin.fit_id = a.fit_id ? rec.id : NULL;

    if (!a.sweep) {
        struct sx_train_result r;
        char id[SX_UUID_LEN];
        if (sx_train_run(st, d, a.algo, &a.params, &rn, &lin, &r, id, &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }
        if (a.json) {
            json_t *j = sx_train_result_json(id, d, &r);
            sx_json_dump(j, stdout, 0);
            json_decref(j);
        } else {
            printf("run %s\n", id);
            print_header(&a, &src, d, lin.fit_id);
            print_metrics_table(d, &r);
            putchar('\n');
            print_model(&r.model);
        }
        sx_train_result_clear(&r);
        rc = CLI_EXIT_OK;
        goto out;
    }

    struct sx_sweep_result sr;
    if (sx_train_sweep(st, d, a.algo, &a.params, &sw, a.metric, &rn, &lin, &sr, &err) !=
        SX_OK) {
        rc = cli_fail_err(&err);
        sx_sweep_result_clear(&sr);
        goto out;
    }
    if (a.json) {
        json_t *j = json_object(), *arr = json_array();
        sx_json_set(j, "parent", json_string(sr.parent_id));
        sx_json_set(j, "metric", json_string(sr.metric));
        json_t *best = json_object();
        const struct sx_sweep_done *bd = &sr.done[sr.best];
        sx_json_set(best, "run", json_string(bd->id));
        sx_json_set(best, "value", json_null());
        for (size_t i = 0; i < sx_metric_count(d->task); i++)
            if (strcmp(sx_metric_name(d->task, i), sr.metric) == 0)
                sx_json_set(best, "value", bd->metrics.defined[i]
                                               ? sx_json_real(bd->metrics.v[i]) : json_null());
        sx_json_set(j, "best", best);
        for (size_t k = 0; k < sr.ntrials; k++) {
            const struct sx_sweep_done *dn = &sr.done[k];
            json_t *t = json_object(), *p = json_object();
            char *tn = NULL;
            sx_json_set(t, "run", dn->id[0] ? json_string(dn->id) : json_null());
            for (size_t i = 0; i < dn->trial.n; i++) {
                size_t len = tn ? strlen(tn) : 0;
                tn = cli_xrealloc(tn, len + strlen(dn->trial.keys[i]) +
                                          strlen(dn->trial.values[i]) + 3);
                sprintf(tn + len, "%s%s=%s", i ? " " : "", dn->trial.keys[i],
                        dn->trial.values[i]);
            }
            sx_json_set(t, "name", json_string(tn ? tn : ""));
            free(tn);
            for (size_t i = 0; i < dn->trial.n; i++)
                sx_json_set(p, dn->trial.keys[i], param_json(dn->trial.values[i]));
            sx_json_set(t, "status", json_string(dn->ok ? "finished" : "failed"));
            sx_json_set(t, "params", p);
            sx_json_set(t, "metrics", dn->ok ? sx_metrics_json(&dn->metrics) : json_null());
            if (!dn->ok)
                sx_json_set(t, "error", json_string(dn->err.msg));
            json_array_append_new(arr, t);
        }
        sx_json_set(j, "trials", arr);
        sx_json_dump(j, stdout, 0);
        json_decref(j);
    } else {
        printf("sweep %s: %zu trials, best on %s\n", sr.parent_id, sr.ntrials, sr.metric);
        print_header(&a, &src, d, lin.fit_id);
        size_t nm = sx_metric_count(d->task);
        struct cli_table t;
        cli_table_init(&t, nm + 3, 40);
        for (size_t i = 2; i < nm + 3; i++)
            cli_table_right(&t, i);
        cli_table_add(&t, "run");
        cli_table_add(&t, "params");
        cli_table_add(&t, "best");
        for (size_t i = 0; i < nm; i++)
            cli_table_add(&t, sx_metric_name(d->task, i));
        for (size_t k = 0; k < sr.ntrials; k++) {
            const struct sx_sweep_done *dn = &sr.done[k];
            char params[512] = "";
            for (size_t i = 0; i < dn->trial.n; i++)
                snprintf(params + strlen(params), sizeof params - strlen(params), "%s%s=%s",
                         i ? " " : "", dn->trial.keys[i], dn->trial.values[i]);
            cli_table_addf(&t, "%.8s", dn->id);
            cli_table_add(&t, params);
            cli_table_add(&t, (long)k == sr.best ? "*" : "");
            for (size_t i = 0; i < nm; i++) {
                if (!dn->ok)
                    cli_table_add(&t, i == 0 ? "failed" : "");
                else if (dn->metrics.defined[i] && !isnan(dn->metrics.v[i]))
                    cli_table_addf(&t, "%.6g", dn->metrics.v[i]);
                else
                    cli_table_add(&t, "-");
            }
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
        for (size_t k = 0; k < sr.ntrials; k++)
            if (!sr.done[k].ok && sr.done[k].err.msg[0]) {
                char *m = cli_inert(sr.done[k].err.msg);
                printf("trial %.8s failed: %s\n", sr.done[k].id, m);
                free(m);
            }
        printf("\nbest: %s\n", sr.done[sr.best].id);
    }
    sx_sweep_result_clear(&sr);
    rc = CLI_EXIT_OK;
out:
    sx_train_data_free(d);
    for (size_t i = 0; vals && i < a.nvalidate; i++)
        loaded_clear(&vals[i]);
    free(vals);
    loaded_clear(&src);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    sx_ffit_record_clear(&rec);
    sx_sweep_clear(&sw);
    sx_store_close(st);
    train_args_free(&a);
    return cli_flush(rc);
}

int cli_cmd_train(struct cli *c, int argc, char **argv)
{
    return run_train(c, argc, argv);
}

int cli_cmd_sweep(struct cli *c, int argc, char **argv)
{
    return run_train(c, argc, argv);
}

/* ---- predict-run ---- */

int cli_cmd_predict_run(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *outp = NULL;
    int opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help_predict);
        case 'o':
            if (!*optarg)
                return cli_usage(c, "-o wants a file name");
            outp = optarg;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    const char *run_arg;
    if ((rc = cli_run_operands(c, argc, argv, 1, &run_arg, "FILE.csv")) != CLI_EXIT_OK)
        return rc;

    struct cli_run_model m;
    struct sx_frame *in = NULL, *feat = NULL;
    struct sx_column *pc = NULL, *lc = NULL;
    double *pred = NULL;
    char *label = NULL;
    struct sx_err err;

    if ((rc = cli_run_model_open(c, run_arg, &m)) != CLI_EXIT_OK)
        goto out;
    if ((rc = cli_load(c, argv[optind], NULL, 0, &in, &label)) != CLI_EXIT_OK)
        goto out;
    int binary = sx_algo_is_binary(m.model.algo);
    if (sx_frame_find(in, "prediction") >= 0 || (binary && sx_frame_find(in, "label") >= 0)) {
        rc = cli_fail("%s already has a column '%s'", label,
                      sx_frame_find(in, "prediction") >= 0 ? "prediction" : "label");
        goto out;
    }
    if (m.fit && !(feat = sx_features_apply(m.fit, in, SX_FMODE_INFERENCE, NULL, &err))) {
        rc = cli_fail("%s on %s: %s", m.rec.id, label, err.msg);
        goto out;
    }
    pred = cli_xmalloc((in->nrows ? in->nrows : 1) * sizeof *pred);
    if (sx_model_predict_frame(&m.model, feat ? feat : in, pred, &err) != SX_OK) {
        rc = cli_fail("%s: %s", label, err.msg);
        goto out;
    }
    if (cli_sigint) {
        rc = cli_interrupted_exit();
        goto out;
    }
    if (!(pc = sx_col_new("prediction", SX_FLOAT)) ||
        (binary && !(lc = sx_col_new("label", SX_INT)))) {
        rc = cli_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < in->nrows; i++) {
        enum sx_status s = isnan(pred[i]) ? sx_col_push_missing(pc) : sx_col_push_f64(pc, pred[i]);
        if (s == SX_OK && lc)
            s = isnan(pred[i]) ? sx_col_push_missing(lc) : sx_col_push_i64(lc, pred[i] > 0.5);
        if (s != SX_OK) {
            rc = cli_fail("out of memory");
            goto out;
        }
    }
    if (sx_frame_adopt(in, pc, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    pc = NULL;
    if (lc) {
        if (sx_frame_adopt(in, lc, &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }
        lc = NULL;
    }
    if (outp) {
        if ((rc = cli_write_csv_file(outp, in)) == CLI_EXIT_OK) {
            char *safe = cli_inert(outp);
            printf("wrote %s (%zu rows)\n", safe, in->nrows);
            free(safe);
        }
    } else {
        cli_write_csv(in, in->nrows, stdout);
        rc = CLI_EXIT_OK;
    }
out:
    sx_col_free(pc);
    sx_col_free(lc);
    free(pred);
    if (feat)
        sx_frame_free(feat);
    if (in)
        sx_frame_free(in);
    free(label);
    cli_run_model_clear(&m);
    return cli_flush(rc);
}
