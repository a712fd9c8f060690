/* cli/cmd_mlflow.c: `sextant import-mlflow PATH [--json]`: import an MLflow
 * file store (mlruns/) or SQLite store (mlflow.db) into the store with
 * core/mlflow.h, print what was new, seen and skipped, and each skipped
 * file or row as a warning on stderr. Exit 0 when the import ran (even with
 * skipped items), 1 when PATH is not an MLflow store or the store failed. */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "mlflow.h"

static const char help[] =
    "usage: sextant import-mlflow PATH [--json]\n"
    "\n"
    "Import MLflow tracking data (MLflow 1.x to 3.x) into the store: experiments,\n"
    "runs (name, user, status, start and end, parent run), params, tags and the\n"
    "full history of every metric. PATH is an MLflow file store (an mlruns/\n"
    "directory), a project directory holding mlruns/ and/or mlflow.db (both are\n"
    "imported), or an MLflow SQLite database (mlflow.db, opened read-only).\n"
    "\n"
    "Importing again adds only what is new: unseen experiments and runs, params,\n"
    "tags and metric points not yet present, a changed status, end time, name or\n"
    "tag value. Experiments and runs MLflow marks deleted are not imported. A\n"
    "malformed file or row is skipped with a warning naming it; the rest is\n"
    "imported, in one transaction.\n"
    "\n"
    "  --json              print {\"path\",\"experiments\":{\"new\",\"seen\"},\n"
    "                      \"runs\":{\"new\",\"updated\",\"seen\"},\"params_new\",\"tags_new\",\n"
    "                      \"metric_points_new\",\"deleted\",\"skipped\",\"problems\":[…]}\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 when the import ran (skipped items are warnings), 1 when PATH\n"
    "is not an MLflow store or the store failed.\n";

struct progress {
    int tty, shown;
    double last;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A "runs: N" line on a terminal, at most 10 times a second. */
static void show_progress(void *ctx, size_t runs)
{
    struct progress *p = ctx;
    double t;
    if (!p->tty || (t = now_s()) - p->last < 0.1)
        return;
    p->last = t;
    p->shown = 1;
    fprintf(stderr, "\r\033[Kimport-mlflow: %zu runs read", runs);
}

static json_t *report_json(const char *path, const struct sx_mlflow_report *r)
{
    json_t *o = json_object(), *e = json_object(), *runs = json_object(), *p = json_array();
    sx_json_set(o, "path", json_string(path));
    sx_json_set(e, "new", json_integer((json_int_t)r->experiments_new));
    sx_json_set(e, "seen", json_integer((json_int_t)r->experiments_seen));
    sx_json_set(o, "experiments", e);
    sx_json_set(runs, "new", json_integer((json_int_t)r->runs_new));
    sx_json_set(runs, "updated", json_integer((json_int_t)r->runs_updated));
    sx_json_set(runs, "seen", json_integer((json_int_t)r->runs_seen));
    sx_json_set(o, "runs", runs);
    sx_json_set(o, "params_new", json_integer((json_int_t)r->params_new));
    sx_json_set(o, "tags_new", json_integer((json_int_t)r->tags_new));
    sx_json_set(o, "metric_points_new", json_integer((json_int_t)r->metric_points_new));
    sx_json_set(o, "deleted", json_integer((json_int_t)r->deleted));
    sx_json_set(o, "skipped", json_integer((json_int_t)r->skipped));
    for (size_t i = 0; i < r->nproblems; i++)
        json_array_append_new(p, json_string(r->problems[i]));
    sx_json_set(o, "problems", p);
    return o;
}

int cli_cmd_import_mlflow(struct cli *c, int argc, char **argv)
{
    int as_json, rc;
    if (cli_simple_options(c, argc, argv, help, &as_json, &rc))
        return rc;
    if (optind >= argc)
        return cli_usage(c, "wants PATH (an mlruns/ directory, a project directory holding "
                         "one, or an mlflow.db)");
    if (argc - optind > 1)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 1]);
    const char *path = argv[optind];

    struct sx_store *st;
    struct sx_mlflow_report rep = {0};
    struct progress prog = {isatty(STDERR_FILENO), 0, 0};
    struct sx_err err;
    enum sx_status status;

    if ((rc = cli_store_open(c, 0, &st)) != CLI_EXIT_OK)
        return rc;
    status = sx_mlflow_import(st, path, show_progress, &prog, &rep, &err);
    sx_store_close(st);
    if (prog.shown)
        fputs("\r\033[K", stderr);
    for (size_t i = 0; i < rep.nproblems; i++) {
        char *safe = cli_inert(rep.problems[i]);
        fprintf(stderr, "sextant import-mlflow: warning: %s\n", safe);
        free(safe);
    }
    if (status != SX_OK) {
        rc = cli_fail_err(&err);
        sx_mlflow_report_clear(&rep);
        return rc;
    }
    if (as_json) {
        json_t *o = report_json(path, &rep);
        sx_json_dump(o, stdout, 0);
        json_decref(o);
    } else {
        char *safe = cli_inert(path);
        printf("imported %s\n", safe);
        free(safe);
        printf("  experiments    %zu new, %zu already imported\n", rep.experiments_new,
               rep.experiments_seen);
        printf("  runs           %zu new, %zu updated, %zu unchanged\n", rep.runs_new,
               rep.runs_updated, rep.runs_seen);
        printf("  params         %zu new\n", rep.params_new);
        printf("  tags           %zu new\n", rep.tags_new);
        printf("  metric points  %zu new\n", rep.metric_points_new);
        printf("  deleted        %zu not imported (experiments and runs MLflow marks "
               "deleted)\n", rep.deleted);
        printf("  skipped        %zu malformed files or rows%s\n", rep.skipped,
               rep.skipped ? " (warnings on stderr)" : "");
    }
    sx_mlflow_report_clear(&rep);
    return cli_flush(CLI_EXIT_OK);
}
