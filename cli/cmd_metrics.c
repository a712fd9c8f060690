/* cli/cmd_metrics.c: `sextant metrics DATASET[@V]|FILE.csv --actual COL
 * --predicted COL [--score COL] [--group COL] --task regression|binary
 * [--json]`: the evaluation metrics of predictions that already exist
 * (core/validate.h: scikit-learn 1.2.1's definitions, listwise deletion),
 * overall and per value of a group column, as an aligned table or as
 * {"overall": {…}, "groups": {LABEL: {…}}} with null where a metric is
 * undefined. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "num.h"
#include "validate.h"

static const char help[] =
    "usage: sextant metrics DATASET[@V]|FILE.csv --actual COL --predicted COL\n"
    "                       [--score COL] [--group COL] --task regression|binary\n"
    "                       [--json]\n"
    "\n"
    "Evaluate existing predictions: the metrics of column --predicted against\n"
    "column --actual, overall and for each value of --group, as scikit-learn 1.2\n"
    "computes them. A row missing any column a metric needs is left out of that\n"
    "metric (the n column counts the rows with an actual value and a prediction;\n"
    "auc and logloss use the rows with an actual value and a score); a row\n"
    "without a group label counts overall only. Groups are listed by the bytes\n"
    "of their labels.\n"
    "\n"
    "  --actual COL        the true values (binary: bool or 0/1)\n"
    "  --predicted COL     the predictions (binary: hard labels, bool or 0/1)\n"
    "  --score COL         binary only: the predicted probability of class 1, for\n"
    "                      auc and logloss (without it they are undefined)\n"
    "  --group COL         also one row of metrics per value of COL\n"
    "  --task T            regression (rmse mse mae r2 mape; mape is a fraction)\n"
    "                      or binary (accuracy precision recall f1 auc logloss)\n"
    "  --json              {\"overall\":{NAME:VALUE,...},\"groups\":{LABEL:{...}}},\n"
    "                      null where a metric is undefined (the AUC of a group\n"
    "                      with one class, R2 of one row)\n"
    "  -h, --help          show this help\n";

/* ---- where a bad value sits in a CSV file ---- */

/* The delimiter of the CSV file PATH whose first column is named FIRST:
 * the byte after that name in the header; ',' when it cannot tell. */
static char file_delim(const char *path, const char *first)
{
    char buf[1024];
    FILE *fp = fopen(path, "rb");
    size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
    if (fp)
        fclose(fp);
    buf[n] = '\0';
    size_t i = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t len = strlen(first);
    if (buf[i] == '"') {
        for (i++; i < n; i++) {
            if (buf[i] == '"' && buf[i + 1] == '"')
                i++;
            else if (buf[i] == '"')
                break;
        }
        i++;
    } else if (i + len <= n && memcmp(buf + i, first, len) == 0) {
        i += len;
    } else {
        return ',';
    }
    return i < n && strchr(",;\t|", buf[i]) ? buf[i] : ',';
}

/* ---- reading the columns ---- */

struct source {
    const char *arg;            /* as given */
    const char *label;          /* for messages */
    int is_file;
    const struct sx_frame *f;
};

/* "FILE:LINE:COL: column 'NAME': WHAT" for the cell of frame row ROW in
 * column COL, or "DATASET: row N, column 'NAME': WHAT". Returns FAIL. */
static int bad_cell(const struct source *src, size_t col, size_t row, const char *what)
{
    const char *name = src->f->cols[col]->name;
    if (src->is_file) {
        char delim = file_delim(src->arg, src->f->cols[0]->name);
        unsigned long long line = sx_csv_record_line(src->arg, delim, row + 1);
        if (line > 0)
            return cli_fail("%s:%llu:%zu: column '%s': %s", src->label, line, col + 1, name,
                            what);
    }
    return cli_fail("%s: row %zu, column '%s': %s", src->label, row + 1, name, what);
}

static int find_col(const struct source *src, const char *name, const char *opt, size_t *out)
{
    long c = sx_frame_find(src->f, name);
    if (c < 0)
        return cli_fail("%s: no column named '%s' (%s)", src->label, name, opt);
    *out = (size_t)c;
    return CLI_EXIT_OK;
}

/* Column COL as numbers (NaN where missing) into a new array *OUT; it must
 * hold numbers (float, int or bool), and, when BINARY, only 0 and 1 (bool,
 * numbers, or text reading as 0, 1, true or false). */
static int read_col(const struct source *src, size_t col, const char *opt, int binary,
                    double **out)
{
    const struct sx_column *c = src->f->cols[col];
    size_t n = src->f->nrows;
    double *v = cli_xmalloc((n ? n : 1) * sizeof *v);
    int text = c->type == SX_CATEGORY || c->type == SX_TEXT;

    *out = NULL;
    if (c->type == SX_DATE || (text && !binary)) {
        free(v);
        return cli_fail("%s: column '%s' (%s) is %s, not numbers", src->label, c->name, opt,
                        sx_type_name(c->type));
    }
    for (size_t i = 0; i < n; i++) {
        if (!sx_col_valid(c, i)) {
            v[i] = NAN;
            continue;
        }
        if (text) {
            const char *s = sx_col_str(c, i);
            double d;
            if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
                d = 1;
            else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
                     strcmp(s, "FALSE") == 0)
                d = 0;
            else if (!sx_num_parse_double(s, strlen(s), &d))
                d = NAN;
            v[i] = d;
        } else {
            v[i] = sx_col_num(c, i);
        }
        if (binary && v[i] != 0.0 && v[i] != 1.0) {
            char cell[64], what[160];
            sx_col_format(c, i, cell, sizeof cell);
            char *safe = cli_inert(cell);
            snprintf(what, sizeof what, "%s wants 0/1 or true/false for --task binary, got '%s'",
                     opt, safe);
            free(safe);
            free(v);
            return bad_cell(src, col, i, what);
        }
    }
    *out = v;
    return CLI_EXIT_OK;
}

/* ---- output ---- */

static void add_row(struct cli_table *t, const char *label, const struct sx_metrics *m)
{
    cli_table_add(t, label);
    cli_table_addf(t, "%zu", m->n);
    for (size_t i = 0; i < sx_metric_count(m->task); i++) {
        if (m->defined[i])
            cli_table_addf(t, "%.6g", m->v[i]);
        else
            cli_table_add(t, "-");
    }
}

static void print_table(enum sx_task task, const char *group, const struct sx_metrics *all,
                        const struct sx_group_metrics *g, size_t ng)
{
    size_t nm = sx_metric_count(task);
    struct cli_table t;
    cli_table_init(&t, nm + 2, 32);
    for (size_t i = 1; i < nm + 2; i++)
        cli_table_right(&t, i);
    cli_table_add(&t, group ? group : "");
    cli_table_add(&t, "n");
    for (size_t i = 0; i < nm; i++)
        cli_table_add(&t, sx_metric_name(task, i));
    add_row(&t, "(overall)", all);
    for (size_t i = 0; i < ng; i++)
        add_row(&t, g[i].label, &g[i].m);
    cli_table_print(&t, stdout);
    cli_table_free(&t);
}

static int evaluate(const struct source *src, enum sx_task task, const char *actual,
                    const char *predicted, const char *score, const char *group, int as_json)
{
    size_t ca = 0, cp = 0, cs = 0, cg = 0;
    double *a = NULL, *p = NULL, *s = NULL;
    struct sx_group_metrics *gm = NULL;
    size_t ng = 0;
    int binary = task == SX_TASK_BINARY, rc;

    if ((rc = find_col(src, actual, "--actual", &ca)) != CLI_EXIT_OK ||
        (rc = find_col(src, predicted, "--predicted", &cp)) != CLI_EXIT_OK ||
        (score && (rc = find_col(src, score, "--score", &cs)) != CLI_EXIT_OK) ||
        (group && (rc = find_col(src, group, "--group", &cg)) != CLI_EXIT_OK))
        return rc;
    if ((rc = read_col(src, ca, "--actual", binary, &a)) != CLI_EXIT_OK ||
        (rc = read_col(src, cp, "--predicted", binary, &p)) != CLI_EXIT_OK ||
        (score && (rc = read_col(src, cs, "--score", 0, &s)) != CLI_EXIT_OK))
        goto out;

    size_t n = src->f->nrows;
    struct sx_metrics all;
    struct sx_err err;
    sx_metrics_compute(task, a, p, s, NULL, n, &all);
    if (group && sx_metrics_by_group(task, a, p, s, NULL, n, src->f->cols[cg], &gm, &ng, &err) !=
                     SX_OK) {
        rc = cli_fail("%s: %s", src->label, err.msg);
        goto out;
    }
    if (as_json) {
        json_t *j = json_object();
        sx_json_set(j, "overall", sx_metrics_json(&all));
        sx_json_set(j, "groups", sx_group_metrics_json(gm, ng));
        sx_json_dump(j, stdout, 0);
        json_decref(j);
    } else {
        print_table(task, group, &all, gm, ng);
    }
    rc = CLI_EXIT_OK;
out:
    sx_group_metrics_free(gm, ng);
    free(a);
    free(p);
    free(s);
    return rc;
}

int cli_cmd_metrics(struct cli *c, int argc, char **argv)
{
    enum { O_ACTUAL = 256, O_PREDICTED, O_SCORE, O_GROUP, O_TASK, O_JSON };
    static const struct option longopts[] = {
        {"actual", required_argument, NULL, O_ACTUAL},
        {"predicted", required_argument, NULL, O_PREDICTED},
        {"score", required_argument, NULL, O_SCORE},
        {"group", required_argument, NULL, O_GROUP},
        {"task", required_argument, NULL, O_TASK},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *actual = NULL, *predicted = NULL, *score = NULL, *group = NULL, *task_s = NULL;
    int opt, as_json = 0, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help);
        case O_ACTUAL: actual = optarg; break;
        case O_PREDICTED: predicted = optarg; break;
        case O_SCORE: score = optarg; break;
        case O_GROUP: group = optarg; break;
        case O_TASK: task_s = optarg; break;
        case O_JSON: as_json = 1; break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (optind >= argc)
        return cli_usage(c, "missing DATASET or FILE");
    if (optind + 1 < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 1]);
    if (!actual || !*actual)
        return cli_usage(c, "missing --actual COL");
    if (!predicted || !*predicted)
        return cli_usage(c, "missing --predicted COL");
    if (!task_s)
        return cli_usage(c, "missing --task regression|binary");
    enum sx_task task;
    struct sx_err err;
    if (sx_task_parse(task_s, &task, &err) != SX_OK)
        return cli_usage(c, "%s", err.msg);
    if (score && task != SX_TASK_BINARY)
        return cli_usage(c, "--score is for --task binary (auc and logloss)");
    if ((score && !*score) || (group && !*group))
        return cli_usage(c, "%s wants a column name", score && !*score ? "--score" : "--group");

    struct sx_frame *f = NULL;
    char *label = NULL;
    const char *arg = argv[optind];
    if ((rc = cli_load(c, arg, NULL, 0, &f, &label)) == CLI_EXIT_OK) {
        struct source src = {.arg = arg, .label = label, .is_file = cli_is_file_arg(arg), .f = f};
        rc = evaluate(&src, task, actual, predicted, score, group, as_json);
    }
    sx_frame_free(f);
    free(label);
    return cli_flush(rc);
}
