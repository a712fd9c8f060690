/* cli/cmd_runs.c: reading and reviewing runs (core/runs.h):
 *   runs [--experiment E] [--filter EXPR] [--sort KEY] [--json|--csv]
 *   compare RUN RUN… [--diff-only] [--json]
 *   comment [RUN] TEXT
 *   review [RUN] reviewed|needs-work [--comment TEXT]
 * `runs` works on the runs table (sx_runs_table_load): filters are
 * core/expr expressions over its columns, sorting is by any column. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "json.h"
#include "runs.h"
#include "validate.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY)

static const char help_runs[] =
    "usage: sextant runs [--experiment E] [--filter EXPR] [--sort KEY] [--json|--csv]\n"
    "\n"
    "List the runs, newest first: id (first 8 characters), name, status, author,\n"
    "start, then a column per param and per metric (the latest value).\n"
    "\n"
    "The runs table has the columns id, name, experiment, status, author, kind,\n"
    "parent, algo, review, start, end, then one per param key (a number when every\n"
    "value is one) and one per metric key, named by the key (\"param.KEY\" or\n"
    "\"metric.KEY\" when the key is already a column's name).\n"
    "\n"
    "  --experiment E      only the runs of experiment E\n"
    "  --filter EXPR       only the runs where EXPR (an expression over the columns,\n"
    "                      as in `sextant transform`) is true, e.g.\n"
    "                      \"rmse < 3 and algo == 'ridge'\"\n"
    "  --sort KEY          sort by column KEY: ascending, and for a metric best first\n"
    "                      (ascending when lower is better: errors, losses; else\n"
    "                      descending); -KEY reverses. Missing values come last.\n"
    "  --json              a JSON array of {\"id\",\"name\",\"experiment\",\"status\",\n"
    "                      \"author\",\"start\",\"end\",\"params\":{},\"metrics\":{},\n"
    "                      \"tags\":{}} (metrics: latest values, null for NaN)\n"
    "  --csv               every column of the runs table as CSV\n"
    "  -h, --help          show this help\n";

static const char help_compare[] =
    "usage: sextant compare RUN RUN… [--diff-only] [--json]\n"
    "\n"
    "Show two or more runs side by side, one column per run: rows for the run's\n"
    "fields, params, latest metrics, validation-set metrics, per-group metrics\n"
    "and the environment it ran in (library versions, compiler, OS, host).\n"
    "Rows no run has a value for are left out; rows whose values differ are\n"
    "marked '*'. Metric cells after the first run show the delta against the\n"
    "first run and whether it is better or worse (lower is better for errors and\n"
    "losses).\n"
    "\n"
    "  --diff-only         only the rows whose values differ\n"
    "  --json              {\"runs\":[ID…],\"rows\":[{\"section\",\"key\",\"values\":[…],\n"
    "                      \"differs\"}…]}: section is field, param, metric,\n"
    "                      validation, group or env; values one per run (null where\n"
    "                      missing); metric rows (metric, validation, group) also\n"
    "                      have \"deltas\" (value minus the first run's) and \"better\"\n"
    "                      (true, false, or null when equal or missing)\n"
    "  -h, --help          show this help\n";

static const char help_comment[] =
    "usage: sextant comment [RUN] TEXT\n"
    "\n"
    "Add a comment to a run, recorded with the OS user and the time. RUN defaults\n"
    "to $SEXTANT_RUN. `sextant run show RUN` lists the comments.\n"
    "\n"
    "  -h, --help          show this help\n";

static const char help_review[] =
    "usage: sextant review [RUN] reviewed|needs-work [--comment TEXT]\n"
    "\n"
    "Set a run's review status, recorded as a comment with the OS user and the\n"
    "time. RUN defaults to $SEXTANT_RUN.\n"
    "\n"
    "  --comment TEXT      say why, in the same comment\n"
    "  -h, --help          show this help\n";

/* ---- runs ---- */

/* Print an expression error "--filter: LINE:COL: what" and the caret. */
static int filter_error(const char *src, const struct sx_err *err, int col)
{
    cli_fail("--filter: %s", err->msg);
    if (col > 0) {
        char caret[2 * SX_EXPR_MAX_LEN + 64];
        sx_expr_caret(src, col, caret, sizeof caret);
        for (char *q = caret; *q;) {
            size_t m = strcspn(q, "\n");
            char save = q[m];
            q[m] = '\0';
            char *safe = cli_inert(q);
            fprintf(stderr, "%s\n", safe);
            free(safe);
            q[m] = save;
            q += m + (save ? 1 : 0);
        }
    }
    return CLI_EXIT_FAIL;
}

/* The rows of T (indices) where FILTER holds, in *ROWS. */
static int apply_filter(const struct sx_runs_table *t, const char *filter, size_t **rows,
                        size_t *n)
{
    const struct sx_frame *f = t->frame;
    struct sx_err err;
    int col = 0;

    *rows = cli_xmalloc((f->nrows ? f->nrows : 1) * sizeof **rows);
    *n = 0;
    if (!filter) {
        for (size_t i = 0; i < f->nrows; i++)
            (*rows)[(*n)++] = i;
        return CLI_EXIT_OK;
    }
    struct sx_expr *e = sx_expr_parse(filter, &err, &col);
    if (!e)
        return filter_error(filter, &err, col);
    if (sx_expr_check(e, f, &err, &col) != SX_OK) {
        sx_expr_free(e);
        return filter_error(filter, &err, col);
    }
    if (sx_expr_type(e, NULL) != SX_BOOL) {
        sx_expr_free(e);
        return cli_fail("--filter: the expression is not a condition (true or false)");
    }
    uint8_t *mask = cli_xmalloc(f->nrows ? f->nrows : 1);
    enum sx_status rc = sx_expr_eval_mask(e, f, mask, &err);
    sx_expr_free(e);
    if (rc != SX_OK) {
        free(mask);
        return filter_error(filter, &err, 0);
    }
    for (size_t i = 0; i < f->nrows; i++)
        if (mask[i])
            (*rows)[(*n)++] = i;
    free(mask);
    return CLI_EXIT_OK;
}

/* The column KEY names (a column name, else a param or metric key). */
static long find_column(const struct sx_runs_table *t, const char *key)
{
    long j = sx_frame_find(t->frame, key);
    if (j >= 0)
        return j;
    for (size_t i = t->param_first; i < t->frame->ncols; i++)
        if (strcmp(t->keys[i], key) == 0)
            return (long)i;
    return -1;
}

/* Sort ROWS[0..N) of T by SORT ("KEY" or "-KEY"). */
static int apply_sort(const struct sx_runs_table *t, const char *sort, size_t *rows, size_t n)
{
    int reverse = sort[0] == '-';
    const char *key = sort + reverse;
    long j = find_column(t, key);
    if (j < 0)
        return cli_fail("--sort: no column '%s' in the runs table", key);
    int metric = (size_t)j >= t->metric_first && (size_t)j < t->metric_first + t->nmetrics;
    int desc = metric && !sx_metric_lower_is_better(t->keys[j]);
    if (reverse)
        desc = !desc;
    struct sx_err err;
    struct sx_frame *sub = sx_frame_take(t->frame, rows, n, &err);
    if (!sub)
        return cli_fail_err(&err);
    struct sx_sort_key k = {(size_t)j, desc};
    size_t *idx = sx_frame_sort_index(sub, &k, 1, &err);
    sx_frame_free(sub);
    if (!idx)
        return cli_fail_err(&err);
    size_t *tmp = cli_xmalloc((n ? n : 1) * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = rows[idx[i]];
    memcpy(rows, tmp, n * sizeof *rows);
    free(tmp);
    free(idx);
    return CLI_EXIT_OK;
}

static void runs_text(const struct sx_runs_table *t, const size_t *rows, size_t n)
{
    const struct sx_frame *f = t->frame;
    size_t ncols = 5 + t->nparams + t->nmetrics;
    static const char *const head[] = {"ID", "NAME", "STATUS", "AUTHOR", "START"};
    static const size_t src[] = {0, 1, 3, 4, 9};
    struct cli_table tab;
    char buf[64];

    cli_table_init(&tab, ncols, 32);
    for (size_t k = 0; k < 5; k++)
        cli_table_add(&tab, head[k]);
    for (size_t k = t->param_first; k < f->ncols; k++) {
        cli_table_add(&tab, f->cols[k]->name);
        if (f->cols[k]->type == SX_FLOAT)
            cli_table_right(&tab, 5 + k - t->param_first);
    }
    for (size_t r = 0; r < n; r++) {
        size_t i = rows[r];
        cli_table_addf(&tab, "%.8s", sx_col_str(f->cols[0], i));
        for (size_t k = 1; k < 5; k++) {
            const struct sx_column *c = f->cols[src[k]];
            if (c->type == SX_DATE) {
                sx_col_format(c, i, buf, sizeof buf);
                cli_table_add(&tab, buf);
            } else {
                cli_table_add(&tab, sx_col_valid(c, i) ? sx_col_str(c, i) : "");
            }
        }
        for (size_t k = t->param_first; k < f->ncols; k++) {
            const struct sx_column *c = f->cols[k];
            if (!sx_col_valid(c, i))
                cli_table_add(&tab, "");
            else if (k >= t->metric_first)
                cli_table_addf(&tab, "%.6g", c->v.f64[i]);
            else if (c->type == SX_FLOAT)   /* a number param as it was logged: 10, 0.01 */
                cli_table_addf(&tab, "%.15g", c->v.f64[i]);
            else
                cli_table_add(&tab, cli_cell_text(c, i, buf, sizeof buf));
        }
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

/* Print one run of the --json array. */
static int print_run(void *ctx, json_t *run)
{
    size_t *count = ctx;
    if ((*count)++)
        fputc(',', stdout);
    return json_dumpf(run, stdout, JSON_FLAGS) != 0;
}

static int runs_json(struct sx_store *st, const struct sx_runs_table *t, const size_t *rows,
                     size_t n)
{
    struct sx_err err;
    const char **ids = cli_xmalloc((n ? n : 1) * sizeof *ids);
    size_t count = 0;
    for (size_t r = 0; r < n; r++)
        ids[r] = sx_col_str(t->frame->cols[0], rows[r]);
    fputc('[', stdout);
    enum sx_status rc = sx_runs_json_each(st, ids, n, print_run, &count, &err);
    fputs("]\n", stdout);
    free(ids);
    return rc == SX_OK ? CLI_EXIT_OK : cli_fail_err(&err);
}

int cli_cmd_runs(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"experiment", required_argument, NULL, 'e'},
        {"filter", required_argument, NULL, 'f'},
        {"sort", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *experiment = NULL, *filter = NULL, *sort = NULL;
    int as_json = 0, as_csv = 0, opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e': experiment = optarg; break;
        case 'f': filter = optarg; break;
        case 's':
            if (!optarg[0] || (optarg[0] == '-' && !optarg[1]))
                return cli_usage(c, "--sort wants a column name");
            sort = optarg;
            break;
        case 'j': as_json = 1; break;
        case 'c': as_csv = 1; break;
        case 'h': return cli_help(help_runs);
        default: return cli_bad_option(c, argv, opt);
        }
    }
    if (optind != argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (as_json && as_csv)
        return cli_usage(c, "--json and --csv exclude each other");

    struct sx_store *st;
    struct sx_err err;
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    struct sx_runs_table *t = sx_runs_table_load(st, experiment, 0, &err);
    if (!t) {
        rc = cli_fail_err(&err);
        sx_store_close(st);
        return rc;
    }
    size_t *rows = NULL, n = 0;
    if ((rc = apply_filter(t, filter, &rows, &n)) == CLI_EXIT_OK && sort)
        rc = apply_sort(t, sort, rows, n);
    if (rc == CLI_EXIT_OK) {
        if (as_json) {
            rc = runs_json(st, t, rows, n);
        } else if (as_csv) {
            struct sx_frame *out = sx_frame_take(t->frame, rows, n, &err);
            if (out) {
                cli_write_csv(out, out->nrows, stdout);
                sx_frame_free(out);
            } else {
                rc = cli_fail_err(&err);
            }
        } else if (t->frame->nrows == 0) {
            fputs(experiment ? "no runs in this experiment\n"
                             : "no runs yet: sextant run start, sextant train\n", stdout);
        } else {
            runs_text(t, rows, n);
        }
    }
    free(rows);
    sx_runs_table_free(t);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- compare ---- */

enum { SEC_FIELD, SEC_PARAM, SEC_METRIC, SEC_VALIDATION, SEC_GROUP, SEC_ENV };
static const char *const sec_name[] = {"field", "param", "metric", "validation", "group", "env"};

struct crow {
    int section;
    char *key;                  /* the row's key */
    const char *metric;         /* the metric name (direction), inside KEY */
    char **text;                /* per run (NULL: missing); fields and params */
    double *num;                /* per run (NaN: missing); metric sections */
};

struct cmp {
    struct crow *rows;
    size_t n, cap, nruns;
};

static struct crow *crow_get(struct cmp *m, int section, const char *key, size_t metric_at)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->rows[i].section == section && strcmp(m->rows[i].key, key) == 0)
            return &m->rows[i];
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 32;
        m->rows = cli_xrealloc(m->rows, m->cap * sizeof *m->rows);
    }
    struct crow *r = &m->rows[m->n++];
    memset(r, 0, sizeof *r);
    r->section = section;
    r->key = cli_xstrdup(key);
    r->metric = r->key + metric_at;
    if (section <= SEC_PARAM || section == SEC_ENV) {
        r->text = cli_xmalloc(m->nruns * sizeof *r->text);
        for (size_t i = 0; i < m->nruns; i++)
            r->text[i] = NULL;
    } else {
        r->num = cli_xmalloc(m->nruns * sizeof *r->num);
        for (size_t i = 0; i < m->nruns; i++)
            r->num[i] = NAN;
    }
    return r;
}

static void crow_text(struct cmp *m, int section, const char *key, size_t run, const char *v)
{
    struct crow *r = crow_get(m, section, key, 0);
    free(r->text[run]);
    r->text[run] = v ? cli_xstrdup(v) : NULL;
}

static void crow_num(struct cmp *m, int section, const char *key, size_t metric_at, size_t run,
                     double v)
{
    crow_get(m, section, key, metric_at)->num[run] = v;
}

/* The numbers of stored JSON S: {A: {M: V}} (DEPTH 2) or {C: {L: {M: V}}}
 * (DEPTH 3), as rows "A M" / "C=L M". */
static void add_json_metrics(struct cmp *m, int section, const char *s, int depth, size_t run)
{
    if (!s || !*s)
        return;
    json_t *j = json_loads(s, 0, NULL);
    const char *a, *l, *k;
    json_t *va, *vl, *vk;
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    json_object_foreach(j, a, va) {
        if (!json_is_object(va))
            continue;
        if (depth == 2) {
            json_object_foreach(va, k, vk) {
                char *key = NULL;
                if (asprintf(&key, "%s %s", a, k) < 0)
                    continue;
                crow_num(m, section, key, strlen(a) + 1, run,
                         json_is_number(vk) ? json_number_value(vk) : NAN);
                free(key);
            }
        } else {
            json_object_foreach(va, l, vl) {
                if (!json_is_object(vl))
                    continue;
                json_object_foreach(vl, k, vk) {
                    char *key = NULL;
                    if (asprintf(&key, "%s=%s %s", a, l, k) < 0)
                        continue;
                    crow_num(m, section, key, strlen(a) + strlen(l) + 2, run,
                             json_is_number(vk) ? json_number_value(vk) : NAN);
                    free(key);
                }
            }
        }
    }
    json_decref(j);
}

/* A row no run has a value for (e.g. algo for runs logged by scripts). */
static int crow_empty(const struct cmp *m, const struct crow *r)
{
    for (size_t i = 0; i < m->nruns; i++)
        if (r->text ? r->text[i] != NULL : !isnan(r->num[i]))
            return 0;
    return 1;
}

static int crow_differs(const struct cmp *m, const struct crow *r)
{
    for (size_t i = 1; i < m->nruns; i++) {
        if (r->text) {
            const char *a = r->text[0], *b = r->text[i];
            if ((!a) != (!b) || (a && strcmp(a, b) != 0))
                return 1;
        } else {
            double a = r->num[0], b = r->num[i];
            if (isnan(a) != isnan(b) || (!isnan(a) && a != b))
                return 1;
        }
    }
    return 0;
}

/* 1 better, 0 worse, -1 neither (equal or missing), for run I against the first. */
static int crow_better(const struct crow *r, size_t i)
{
    double a = r->num[0], b = r->num[i];
    if (isnan(a) || isnan(b) || a == b)
        return -1;
    int lower = sx_metric_lower_is_better(r->metric);
    return lower ? b < a : b > a;
}

static int crow_key_cmp(const void *x, const void *y)
{
    const struct crow *a = x, *b = y;
    if (a->section != b->section)
        return a->section - b->section;
    return strcmp(a->key, b->key);
}

/* The environment a run recorded (sx_env_json: one level of strings), as
 * text rows "env KEY"; null (gnuplot absent) is missing. */
static void add_env(struct cmp *m, const char *s, size_t run)
{
    json_t *j = s && *s ? json_loads(s, 0, NULL) : NULL;
    const char *k;
    json_t *v;
    if (json_is_object(j))
        json_object_foreach(j, k, v) {
            if (json_is_string(v))
                crow_text(m, SEC_ENV, k, run, json_string_value(v));
        }
    json_decref(j);
}

static void fill_fields(struct cmp *m, const struct sx_run *r, size_t i)
{
    char buf[256];
    crow_text(m, SEC_FIELD, "name", i, r->name);
    crow_text(m, SEC_FIELD, "experiment", i, r->experiment);
    crow_text(m, SEC_FIELD, "status", i, r->status);
    crow_text(m, SEC_FIELD, "author", i, r->author);
    sx_runs_format_ms(r->start_ms, buf, sizeof buf);
    crow_text(m, SEC_FIELD, "start", i, buf);
    if (r->end_ms)
        sx_runs_format_ms(r->end_ms, buf, sizeof buf);
    crow_text(m, SEC_FIELD, "end", i, r->end_ms ? buf : NULL);
    crow_text(m, SEC_FIELD, "kind", i, r->kind);
    crow_text(m, SEC_FIELD, "parent", i, *r->parent_id ? r->parent_id : NULL);
    crow_text(m, SEC_FIELD, "algo", i, *r->algo ? r->algo : NULL);
    crow_text(m, SEC_FIELD, "target", i, *r->target ? r->target : NULL);
    crow_text(m, SEC_FIELD, "split", i, *r->split ? r->split : NULL);
    if (*r->dataset_name)
        snprintf(buf, sizeof buf, "%s@%d", r->dataset_name, r->dataset_version);
    crow_text(m, SEC_FIELD, "dataset", i, *r->dataset_name ? buf : NULL);
    crow_text(m, SEC_FIELD, "data hash", i, *r->data_hash ? r->data_hash : NULL);
    crow_text(m, SEC_FIELD, "fit", i, *r->fit_id ? r->fit_id : NULL);
    crow_text(m, SEC_FIELD, "review", i, *r->review ? r->review : NULL);
    for (size_t k = 0; k < r->nparams; k++)
        crow_text(m, SEC_PARAM, r->params[k].key, i, r->params[k].value);
    for (size_t k = 0; k < r->nmetrics; k++)
        crow_num(m, SEC_METRIC, r->metrics[k].key, 0, i, r->metrics[k].value);
    add_json_metrics(m, SEC_VALIDATION, r->validation_json, 2, i);
    add_json_metrics(m, SEC_GROUP, r->groups_json, 3, i);
    add_env(m, r->env_json, i);
}

static json_t *num_or_null(double v)
{
    return isnan(v) ? json_null() : sx_json_real(v);
}

static void compare_json(const struct cmp *m, const struct sx_run *runs, int diff_only)
{
    json_t *o = json_object(), *ids = json_array(), *rows = json_array();
    for (size_t i = 0; i < m->nruns; i++)
        json_array_append_new(ids, json_string(runs[i].id));
    for (size_t k = 0; k < m->n; k++) {
        const struct crow *r = &m->rows[k];
        int differs = crow_differs(m, r);
        if ((diff_only && !differs) || crow_empty(m, r))
            continue;
        json_t *row = json_object(), *vals = json_array();
        sx_json_set(row, "section", json_string(sec_name[r->section]));
        sx_json_set(row, "key", json_string(r->key));
        for (size_t i = 0; i < m->nruns; i++)
            json_array_append_new(vals, r->text ? (r->text[i] ? json_string(r->text[i])
                                                              : json_null())
                                                : num_or_null(r->num[i]));
        sx_json_set(row, "values", vals);
        sx_json_set(row, "differs", json_boolean(differs));
        if (r->num) {
            json_t *d = json_array(), *b = json_array();
            for (size_t i = 0; i < m->nruns; i++) {
                double delta = i && !isnan(r->num[0]) && !isnan(r->num[i])
                             ? r->num[i] - r->num[0] : NAN;
                int better = i ? crow_better(r, i) : -1;
                json_array_append_new(d, num_or_null(delta));
                json_array_append_new(b, better < 0 ? json_null() : json_boolean(better));
            }
            sx_json_set(row, "deltas", d);
            sx_json_set(row, "better", b);
        }
        json_array_append_new(rows, row);
    }
    sx_json_set(o, "runs", ids);
    sx_json_set(o, "rows", rows);
    sx_json_dump(o, stdout, 0);
    json_decref(o);
}

static void compare_text(const struct cmp *m, const struct sx_run *runs, int diff_only)
{
    struct cli_table tab;
    cli_table_init(&tab, 2 + m->nruns, 40);
    cli_table_add(&tab, "");
    cli_table_add(&tab, "");
    for (size_t i = 0; i < m->nruns; i++)
        cli_table_addf(&tab, "%.8s", runs[i].id);
    for (size_t k = 0; k < m->n; k++) {
        const struct crow *r = &m->rows[k];
        int differs = crow_differs(m, r);
        if ((diff_only && !differs) || crow_empty(m, r))
            continue;
        cli_table_add(&tab, differs ? "*" : "");
        if (r->section == SEC_FIELD)
            cli_table_add(&tab, r->key);
        else
            cli_table_addf(&tab, "%s %s", sec_name[r->section], r->key);
        for (size_t i = 0; i < m->nruns; i++) {
            if (r->text) {
                cli_table_add(&tab, r->text[i] ? r->text[i] : "-");
            } else if (isnan(r->num[i])) {
                cli_table_add(&tab, "-");
            } else if (i == 0 || isnan(r->num[0])) {
                cli_table_addf(&tab, "%.6g", r->num[i]);
            } else {
                int better = crow_better(r, i);
                cli_table_addf(&tab, "%.6g (%+.4g%s)", r->num[i], r->num[i] - r->num[0],
                               better < 0 ? "" : better ? " better" : " worse");
            }
        }
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

int cli_cmd_compare(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"diff-only", no_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int diff_only = 0, as_json = 0, opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd': diff_only = 1; break;
        case 'j': as_json = 1; break;
        case 'h': return cli_help(help_compare);
        default: return cli_bad_option(c, argv, opt);
        }
    }
    size_t nruns = (size_t)(argc - optind);
    if (nruns < 2)
        return cli_usage(c, "wants two or more runs");

    struct sx_store *st;
    struct sx_err err;
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    struct sx_run *runs = cli_xmalloc(nruns * sizeof *runs);
    struct cmp m = {0};
    size_t got = 0;
    m.nruns = nruns;
    for (; got < nruns; got++) {
        if (sx_runs_get(st, argv[optind + (int)got], &runs[got], &err) != SX_OK) {
            rc = cli_fail_err(&err);
            break;
        }
    }
    if (rc == CLI_EXIT_OK) {
        for (size_t i = 0; i < nruns; i++)
            fill_fields(&m, &runs[i], i);
        /* Fields in their order; the other sections by key. */
        size_t nf = 0;
        while (nf < m.n && m.rows[nf].section == SEC_FIELD)
            nf++;
        qsort(m.rows + nf, m.n - nf, sizeof *m.rows, crow_key_cmp);
        /* qsort moved rows: their metric pointers still point into their keys. */
        if (as_json)
            compare_json(&m, runs, diff_only);
        else
            compare_text(&m, runs, diff_only);
    }
    for (size_t k = 0; k < m.n; k++) {
        for (size_t i = 0; m.rows[k].text && i < nruns; i++)
            free(m.rows[k].text[i]);
        free(m.rows[k].text);
        free(m.rows[k].num);
        free(m.rows[k].key);
    }
    free(m.rows);
    for (size_t i = 0; i < got; i++)
        sx_run_clear(&runs[i]);
    free(runs);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- comment and review ---- */

static int write_comment(const struct cli *c, const char *run, const char *text,
                         const char *review)
{
    struct sx_store *st;
    struct sx_err err;
    char id[SX_UUID_LEN];
    int rc = cli_store_open(c, 0, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    if ((rc = cli_run_resolve(st, run, id)) == CLI_EXIT_OK &&
        sx_runs_comment(st, id, text, review, &err) != SX_OK)
        rc = cli_fail_err(&err);
    sx_store_close(st);
    return rc;
}

int cli_cmd_comment(struct cli *c, int argc, char **argv)
{
    const char *run = NULL;
    int rc;
    if (cli_simple_options(c, argc, argv, help_comment, NULL, &rc))
        return rc;
    if ((rc = cli_run_operands(c, argc, argv, 1, &run, "TEXT")) != CLI_EXIT_OK)
        return rc;
    if (!*argv[optind])
        return cli_usage(c, "the comment is empty");
    return write_comment(c, run, argv[optind], NULL);
}

int cli_cmd_review(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"comment", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *run = NULL, *text = "";
    int opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'm': text = optarg; break;
        case 'h': return cli_help(help_review);
        default: return cli_bad_option(c, argv, opt);
        }
    }
    if ((rc = cli_run_operands(c, argc, argv, 1, &run, "reviewed|needs-work")) != CLI_EXIT_OK)
        return rc;
    const char *status = argv[optind];
    struct sx_err err;
    if (sx_run_review_check(status, &err) != SX_OK)
        return cli_usage(c, "%s", err.msg);
    return write_comment(c, run, text, status);
}
