/* cli/cmd_run.c: `sextant run start|end|show`: runs logged by external
 * training scripts (core/runs.h), and the RUN operand every tracking
 * command shares (an id, an unambiguous prefix of at least 8 characters,
 * or $SEXTANT_RUN when the operand is left out).
 *   run start [--experiment E] [--name N]     prints the new run's id
 *   run end [RUN] [--status finished|failed]
 *   run show [RUN] [--json]
 *   run sql [RUN] [--dialect D] [--table NAME] */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "models.h"
#include "runs.h"

static const char help_run[] =
    "usage: sextant run SUBCOMMAND [ARGS]\n"
    "\n"
    "Runs logged from the command line, e.g. by a training script in any\n"
    "language (see also `sextant log`).\n"
    "\n"
    "Subcommands:\n"
    "  start [--experiment E] [--name N]      create a run; prints its id\n"
    "  end [RUN] [--status finished|failed]   end a run\n"
    "  show [RUN] [--json]                    everything recorded about a run\n"
    "  sql [RUN] [--dialect D] [--table T]    the run's features and model as SQL\n"
    "\n"
    "RUN is a run's id or its first 8 or more characters; when it is left out,\n"
    "$SEXTANT_RUN names the run.\n"
    "'sextant run SUBCOMMAND --help' describes one.\n"
    "  -h, --help          show this help\n";

static const char help_start[] =
    "usage: sextant run start [--experiment E] [--name N]\n"
    "\n"
    "Create a run with status running, started now by the OS user, and print its\n"
    "id (and only it) on stdout, e.g. for `export SEXTANT_RUN=$(sextant run start)`.\n"
    "\n"
    "  --experiment E      the experiment (created when new; default \"Default\")\n"
    "  --name N            the run's name (default \"run-\" and the id's first 8\n"
    "                      characters)\n"
    "  -h, --help          show this help\n";

static const char help_end[] =
    "usage: sextant run end [RUN] [--status finished|failed]\n"
    "\n"
    "Set the run's status (default finished) and its end time (now).\n"
    "RUN defaults to $SEXTANT_RUN.\n"
    "\n"
    "  --status S          finished (default) or failed\n"
    "  -h, --help          show this help\n";

static const char help_show[] =
    "usage: sextant run show [RUN] [--json]\n"
    "\n"
    "Show a run: its fields, params, latest metrics, tags, lineage, comments and\n"
    "the number of points of each metric's history. RUN defaults to $SEXTANT_RUN.\n"
    "\n"
    "  --json              the object `sextant runs --json` prints for the run,\n"
    "                      {\"id\",\"name\",\"experiment\",\"status\",\"author\",\"start\",\n"
    "                      \"end\",\"params\",\"metrics\",\"tags\"}, with the rest of the\n"
    "                      run: \"parent\",\"kind\",\"algo\",\"target\",\"split\",\n"
    "                      \"dataset\":{\"id\",\"name\",\"version\",\"path\",\"hash\"},\"fit\",\n"
    "                      \"model\",\"groups\",\"validation\",\"env\",\"resources\",\"notes\",\n"
    "                      \"review\",\"best\",\"source\",\"comments\":[{\"author\",\"time\",\n"
    "                      \"text\",\"review\"}…], and \"history\":{METRIC:[[STEP,VALUE,\n"
    "                      TIME_MS]…]} (times ISO 8601 UTC; null where unset or NaN)\n"
    "  -h, --help          show this help\n";

static const char help_sql[] =
    "usage: sextant run sql [RUN] [--dialect D] [--table NAME]\n"
    "\n"
    "Print one SQL SELECT that scores the rows of table NAME with the run's\n"
    "model: the feature set's inference SQL (`sextant features sql`) as a\n"
    "subquery when the run was trained on a fit, then the model as an\n"
    "expression in column \"prediction\" (for logistic the probability of class\n"
    "1, and a 0/1 \"label\"). RUN defaults to $SEXTANT_RUN.\n"
    "\n"
    "  --dialect D         sqlite (default), postgres, duckdb or spark\n"
    "  --table NAME        the table of source rows (default: the name of the\n"
    "                      data set trained on, else \"input\")\n"
    "  -h, --help          show this help\n";

/* ---- the RUN operand ---- */

const char *cli_run_env(void)
{
    const char *v = getenv("SEXTANT_RUN");
    return v && *v ? v : NULL;
}

int cli_run_resolve(struct sx_store *st, const char *arg, char id[SX_UUID_LEN])
{
    struct sx_err err;
    if (sx_runs_resolve(st, arg, id, &err) != SX_OK)
        return cli_fail_err(&err);
    return CLI_EXIT_OK;
}

int cli_run_model_open(const struct cli *c, const char *arg, struct cli_run_model *m)
{
    struct sx_store *st;
    struct sx_err err;
    json_error_t je;
    json_t *mj;
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_runs_get(st, arg, &m->run, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        sx_store_close(st);
        return rc;
    }
    sx_store_close(st);
    if (!m->run.model_json || !m->run.model_json[0])
        return cli_fail("run %s has no model (only runs of `sextant train` or `sweep` have "
                        "one)", m->run.id);
    if (!(mj = json_loads(m->run.model_json, 0, &je)))
        return cli_fail("run %s: its model does not parse: %s", m->run.id, je.text);
    if (sx_model_from_json(mj, &m->model, &err) != SX_OK)
        rc = cli_fail("run %s: %s", m->run.id, err.msg);
    json_decref(mj);
    if (rc == CLI_EXIT_OK && m->run.fit_id && m->run.fit_id[0])
        rc = cli_fit_open(c, m->run.fit_id, &m->rec, &m->spec, &m->fit);
    return rc;
}

void cli_run_model_clear(struct cli_run_model *m)
{
    sx_ffit_free(m->fit);
    sx_fspec_free(m->spec);
    sx_ffit_record_clear(&m->rec);
    sx_model_clear(&m->model);
    sx_run_clear(&m->run);
    memset(m, 0, sizeof *m);
}

int cli_run_operands(const struct cli *c, int argc, char **argv, int want, const char **run,
                     const char *what)
{
    int n = argc - optind;
    if (n == want + 1) {
        *run = argv[optind++];
        return CLI_EXIT_OK;
    }
    if (n == want) {
        if (!(*run = cli_run_env()))
            return cli_usage(c, "wants RUN%s%s (or SEXTANT_RUN in the environment)",
                             want ? " " : "", what);
        return CLI_EXIT_OK;
    }
    if (n < want)
        return cli_usage(c, "wants [RUN]%s%s", want ? " " : "", what);
    return cli_usage(c, "unexpected argument '%s'", argv[optind + want + 1]);
}

/* ---- start ---- */

static int cmd_start(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"experiment", required_argument, NULL, 'e'},
        {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sx_run_new in = {0};
    int opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e':
            in.experiment = optarg;
            break;
        case 'n':
            in.name = optarg;
            break;
        case 'h':
            return cli_help(help_start);
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (optind != argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    in.source = "cli";

    struct sx_store *st;
    struct sx_err err;
    char id[SX_UUID_LEN];
    if ((rc = cli_store_open(c, 0, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_runs_start(st, &in, id, &err) == SX_OK)
        printf("%s\n", id);
    else
        rc = cli_fail_err(&err);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- end ---- */

static int cmd_end(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"status", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *status = "finished", *run = NULL;
    int opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            if (strcmp(optarg, "finished") != 0 && strcmp(optarg, "failed") != 0)
                return cli_usage(c, "--status wants finished or failed, got '%s'", optarg);
            status = optarg;
            break;
        case 'h':
            return cli_help(help_end);
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if ((rc = cli_run_operands(c, argc, argv, 0, &run, "")) != CLI_EXIT_OK)
        return rc;

    struct sx_store *st;
    struct sx_err err;
    char id[SX_UUID_LEN];
    if ((rc = cli_store_open(c, 0, &st)) != CLI_EXIT_OK)
        return rc;
    if ((rc = cli_run_resolve(st, run, id)) == CLI_EXIT_OK &&
        sx_runs_end(st, id, status, 0, &err) != SX_OK)
        rc = cli_fail_err(&err);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- show ---- */

static void put_line(const char *label, const char *value)
{
    char *safe = cli_inert(value);
    printf("%-12s %s\n", label, safe);
    free(safe);
}

static void put_time(const char *label, int64_t ms)
{
    char buf[48];
    if (ms)
        sx_runs_format_ms(ms, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "-");
    put_line(label, buf);
}

/* Print the stored JSON text S (if any) compactly under LABEL. */
static void put_json_text(const char *label, const char *s)
{
    if (!s || !*s)
        return;
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    char *txt = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) |
                                      JSON_ENCODE_ANY) : NULL;
    put_line(label, txt ? txt : s);
    free(txt);
    json_decref(j);
}

static void show_text(struct sx_store *st, const struct sx_run *r)
{
    char buf[256];
    put_line("id", r->id);
    put_line("name", r->name);
    put_line("experiment", r->experiment);
    put_line("status", r->status);
    put_line("author", r->author);
    put_time("start", r->start_ms);
    put_time("end", r->end_ms);
    if (r->end_ms) {
        snprintf(buf, sizeof buf, "%.3f s", (double)(r->end_ms - r->start_ms) / 1000.0);
        put_line("duration", buf);
    }
    put_line("kind", r->kind);
    if (*r->parent_id)
        put_line("parent", r->parent_id);
    put_line("source", r->source);
    if (*r->algo)
        put_line("algo", r->algo);
    if (*r->target)
        put_line("target", r->target);
    if (*r->split)
        put_line("split", r->split);
    if (*r->dataset_name) {
        snprintf(buf, sizeof buf, "%s@%d", r->dataset_name, r->dataset_version);
        put_line("dataset", buf);
    }
    if (*r->source_path)
        put_line("data", r->source_path);
    if (*r->data_hash)
        put_line("data hash", r->data_hash);
    if (*r->fit_id)
        put_line("fit", r->fit_id);
    if (*r->best_metric) {
        snprintf(buf, sizeof buf, "%.8s on %s", r->best_run_id, r->best_metric);
        put_line("best trial", buf);
    }
    put_line("review", *r->review ? r->review : "-");
    if (*r->notes)
        put_line("notes", r->notes);
    put_json_text("resources", r->resources_json);

    if (r->nparams) {
        printf("\nparams\n");
        for (size_t i = 0; i < r->nparams; i++) {
            char *k = cli_inert(r->params[i].key), *v = cli_inert(r->params[i].value);
            printf("  %-24s %s\n", k, v);
            free(k);
            free(v);
        }
    }
    struct sx_metric_point *h = NULL;
    size_t nh = 0;
    struct sx_err err;
    if (sx_runs_history(st, r->id, NULL, &h, &nh, &err) != SX_OK)
        nh = 0;
    if (r->nmetrics) {
        printf("\nmetrics (latest)\n");
        size_t at = 0;
        for (size_t i = 0; i < r->nmetrics; i++) {
            const struct sx_metric_point *m = &r->metrics[i];
            size_t points = 0;
            while (at < nh && strcmp(h[at].key, m->key) < 0)
                at++;
            while (at < nh && strcmp(h[at].key, m->key) == 0) {
                points++;
                at++;
            }
            char *k = cli_inert(m->key);
            if (isnan(m->value))
                snprintf(buf, sizeof buf, "NaN");
            else
                snprintf(buf, sizeof buf, "%.10g", m->value);
            printf("  %-24s %-14s step %lld, %zu point%s\n", k, buf, (long long)m->step,
                   points, points == 1 ? "" : "s");
            free(k);
        }
    }
    sx_metric_points_free(h, nh);
    if (r->ntags) {
        printf("\ntags\n");
        for (size_t i = 0; i < r->ntags; i++) {
            char *k = cli_inert(r->tags[i].key), *v = cli_inert(r->tags[i].value);
            printf("  %-24s %s\n", k, v);
            free(k);
            free(v);
        }
    }
    if (*r->validation_json || *r->groups_json)
        putchar('\n');
    put_json_text("validation", r->validation_json);
    put_json_text("groups", r->groups_json);
    if (r->ncomments) {
        printf("\ncomments\n");
        for (size_t i = 0; i < r->ncomments; i++) {
            const struct sx_comment *cm = &r->comments[i];
            char t[48];
            sx_runs_format_ms(cm->created_ms, t, sizeof t);
            char *a = cli_inert(cm->author), *x = cli_inert(cm->text);
            printf("  %s %s%s%s%s%s\n", t, a, *cm->review ? " [" : "", cm->review,
                   *cm->review ? "]" : "", *x ? ":" : "");
            if (*x)
                printf("    %s\n", x);
            free(a);
            free(x);
        }
    }
}

static int cmd_show(struct cli *c, int argc, char **argv)
{
    const char *run = NULL;
    int as_json, rc;

    if (cli_simple_options(c, argc, argv, help_show, &as_json, &rc))
        return rc;
    if ((rc = cli_run_operands(c, argc, argv, 0, &run, "")) != CLI_EXIT_OK)
        return rc;

    struct sx_store *st;
    struct sx_err err;
    struct sx_run r;
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_runs_get(st, run, &r, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        sx_store_close(st);
        return rc;
    }
    if (as_json) {
        json_t *j = sx_run_json(st, &r, 1, &err);
        if (j) {
            sx_json_dump(j, stdout, 0);
            json_decref(j);
        } else {
            rc = cli_fail_err(&err);
        }
    } else {
        show_text(st, &r);
    }
    sx_run_clear(&r);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- sql ---- */

static int cmd_sql(struct cli *c, int argc, char **argv)
{
    enum { O_DIALECT = 256, O_TABLE };
    static const struct option longopts[] = {
        {"dialect", required_argument, NULL, O_DIALECT},
        {"table", required_argument, NULL, O_TABLE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum sx_sql_dialect dialect = SX_SQL_SQLITE;
    const char *table = NULL, *run = NULL;
    struct sx_err err;
    int opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help_sql);
        case O_DIALECT:
            if (sx_sql_dialect_parse(optarg, &dialect, &err) != SX_OK)
                return cli_usage(c, "%s", err.msg);
            break;
        case O_TABLE:
            if (!*optarg)
                return cli_usage(c, "--table wants a name");
            table = optarg;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if ((rc = cli_run_operands(c, argc, argv, 0, &run, "")) != CLI_EXIT_OK)
        return rc;

    struct cli_run_model m;
    char *sql = NULL;
    if ((rc = cli_run_model_open(c, run, &m)) == CLI_EXIT_OK) {
        if (!table)
            table = m.run.dataset_name[0] ? m.run.dataset_name : "input";
        if ((sql = sx_model_sql(&m.model, m.fit, dialect, table, &err)))
            cli_put_text(sql);
        else
            rc = cli_fail_err(&err);
    }
    free(sql);
    cli_run_model_clear(&m);
    return cli_flush(rc);
}

static const struct cli_sub subs[] = {
    {"start", "run start", cmd_start},
    {"end", "run end", cmd_end},
    {"show", "run show", cmd_show},
    {"sql", "run sql", cmd_sql},
};

int cli_cmd_run(struct cli *c, int argc, char **argv)
{
    return cli_dispatch(c, argc, argv, subs, sizeof subs / sizeof subs[0], help_run);
}
