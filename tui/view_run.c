/* tui/view_run.c: one run in detail (Enter in the runs table): what it is
 * (experiment, status, author, times, algorithm, target, split), its
 * lineage (the data set version and content hash, the source file, the
 * feature-set fit), params, metrics with a sparkline of each one's history,
 * per-group metrics and validation sets as small tables, the sweep it
 * belongs to or leads, tags, environment, resources, notes, and the
 * comments with their review statuses. m adds a comment, v sets the review
 * status (both refused under --read-only); . charts the metric histories.
 * A scrollable text: j/k, PgUp/PgDn, gg/G. */
#include "epane.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sheet.h"
#include "validate.h"

#define LABEL_CAP 28
#define SPARK_W   24

/* One line: a label column and up to two more segments. HEAD lines are
 * section titles. */
struct dline {
    int head;
    enum sx_role role[3];
    char *text[3];
};

struct detail {
    struct sx_view_ops ops;
    char title[120];
    struct sx_epane *p;
    char id[SX_UUID_LEN];
    unsigned gen;
    struct sx_run run;
    int loaded;
    struct dline *lines;
    size_t n, cap;
    int label_w;
    size_t top;
    char error[600];
};

static void lines_free(struct detail *d)
{
    for (size_t i = 0; i < d->n; i++)
        for (int k = 0; k < 3; k++)
            free(d->lines[i].text[k]);
    free(d->lines);
    d->lines = NULL;
    d->n = d->cap = 0;
}

/* Add a line; NULL texts are empty. 0, or -1 when out of memory. */
static int add3(struct detail *d, int head, enum sx_role r0, const char *t0, enum sx_role r1,
                const char *t1, enum sx_role r2, const char *t2)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct dline *nl = realloc(d->lines, cap * sizeof *nl);
        if (!nl)
            return -1;
        d->lines = nl;
        d->cap = cap;
    }
    struct dline *l = &d->lines[d->n];
    l->head = head;
    l->role[0] = r0;
    l->role[1] = r1;
    l->role[2] = r2;
    l->text[0] = strdup(t0 ? t0 : "");
    l->text[1] = strdup(t1 ? t1 : "");
    l->text[2] = strdup(t2 ? t2 : "");
    if (!l->text[0] || !l->text[1] || !l->text[2]) {
        for (int k = 0; k < 3; k++)
            free(l->text[k]);
        return -1;
    }
    d->n++;
    if (!head) {
        int w = sx_text_width(d->p->app, l->text[0]);
        if (w > d->label_w)
            d->label_w = w < LABEL_CAP ? w : LABEL_CAP;
    }
    return 0;
}

static int head(struct detail *d, const char *title)
{
    return (d->n ? add3(d, 1, SX_ROLE_DEFAULT, "", SX_ROLE_DEFAULT, "", SX_ROLE_DEFAULT, "")
                 : 0) ||
           add3(d, 1, SX_ROLE_HEADER, title, SX_ROLE_DEFAULT, "", SX_ROLE_DEFAULT, "");
}

static int kv(struct detail *d, const char *label, enum sx_role role, const char *value)
{
    return add3(d, 0, SX_ROLE_DIM, label, role, value, SX_ROLE_DEFAULT, "");
}

static int kvf(struct detail *d, const char *label, enum sx_role role, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int kvf(struct detail *d, const char *label, enum sx_role role, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    int rc = kv(d, label, role, s);
    free(s);
    return rc;
}

static void when(int64_t ms, char *buf, size_t size)
{
    char iso[40];
    if (ms <= 0) {
        buf[0] = '\0';
        return;
    }
    sx_runs_format_ms(ms, iso, sizeof iso);
    snprintf(buf, size, "%.10s %.8s", iso, iso + 11);
}

/* Every scalar of object O as "PREFIX.KEY  value" lines (nested objects
 * flattened with dots). */
static int flatten(struct detail *d, const json_t *o, const char *prefix)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        char key[300], val[1024];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
        if (json_is_object(v)) {
            if (flatten(d, v, key) != 0)
                return -1;
            continue;
        }
        sx_epane_json_text(v, val, sizeof val);
        if (kv(d, key, SX_ROLE_DEFAULT, val) != 0)
            return -1;
    }
    return 0;
}

/* {ROW: {METRIC: V}} as a table: a header of metric names, one line per
 * ROW (labelled LABEL_PREFIX ROW). */
static int metric_table(struct detail *d, const json_t *rows, const char *corner)
{
    const char *names[32];
    size_t nn = 0;
    const char *rk, *mk;
    json_t *rv, *mv;
    json_object_foreach((json_t *)rows, rk, rv) {
        json_object_foreach(rv, mk, mv) {
            size_t i = 0;
            while (i < nn && strcmp(names[i], mk) != 0)
                i++;
            if (i == nn && nn < 32)
                names[nn++] = mk;
        }
    }
    char line[2048];
    size_t len = 0;
    line[0] = '\0';
    for (size_t i = 0; i < nn && len < sizeof line; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%10s", names[i]);
    if (add3(d, 0, SX_ROLE_HEADER, corner, SX_ROLE_HEADER, line, SX_ROLE_DEFAULT, ""))
        return -1;
    json_object_foreach((json_t *)rows, rk, rv) {
        len = 0;
        line[0] = '\0';
        for (size_t i = 0; i < nn && len < sizeof line; i++) {
            json_t *x = json_object_get(rv, names[i]);
            char num[32] = "";
            if (json_is_number(x))
                sx_epane_fmt_metric(json_number_value(x), 9, num, sizeof num);
            else if (json_is_null(x))
                snprintf(num, sizeof num, "null");
            len += (size_t)snprintf(line + len, sizeof line - len, "%10s", num);
        }
        if (kv(d, rk, SX_ROLE_NUMBER, line) != 0)
            return -1;
    }
    return 0;
}

#define WRAP 72   /* comments and notes wrap at this many bytes, at spaces */

/* TEXT as lines of at most WRAP bytes (split at newlines, wrapped at
 * spaces) in the value column, in ROLE. */
static int text_lines(struct detail *d, enum sx_role role, const char *text)
{
    const char *s = text;
    while (*s) {
        size_t l = strcspn(s, "\n");
        if (l > WRAP) {
            size_t cut = WRAP;
            while (cut > WRAP / 2 && s[cut] != ' ')
                cut--;
            if (s[cut] != ' ')
                for (cut = WRAP; cut < l && ((unsigned char)s[cut] & 0xC0) == 0x80; cut++)
                    ;
            l = cut;
        }
        char *line = strndup(s, l);
        if (!line || kv(d, "", role, line) != 0) {
            free(line);
            return -1;
        }
        free(line);
        s += l;
        if (*s == '\n' || *s == ' ')
            s++;
    }
    return 0;
}

static json_t *parse(const char *s)
{
    if (!s || !*s)
        return NULL;
    json_error_t je;
    return json_loads(s, JSON_DECODE_ANY, &je);
}

static int build(struct detail *d)
{
    struct sx_store *st = sx_app_store(d->p->app);
    const struct sx_run *r = &d->run;
    struct sx_err err = {0};
    char buf[1024], a[64], b[64];
    int bad = 0;
    lines_free(d);
    d->label_w = 0;

    bad |= head(d, "Run");
    bad |= kv(d, "id", SX_ROLE_DEFAULT, r->id);
    bad |= kv(d, "name", SX_ROLE_TEXT, r->name);
    bad |= kv(d, "experiment", SX_ROLE_TEXT, r->experiment);
    bad |= kv(d, "status", strcmp(r->status, "failed") == 0 || strcmp(r->status, "killed") == 0
                               ? SX_ROLE_WORSE : SX_ROLE_DEFAULT, r->status);
    bad |= kv(d, "review", strcmp(r->review, "needs-work") == 0 ? SX_ROLE_ALERT
                           : strcmp(r->review, "reviewed") == 0 ? SX_ROLE_BETTER : SX_ROLE_DIM,
              *r->review ? r->review : "(not reviewed)");
    bad |= kv(d, "author", SX_ROLE_DEFAULT, r->author);
    when(r->start_ms, a, sizeof a);
    when(r->end_ms, b, sizeof b);
    bad |= kv(d, "started", SX_ROLE_DATE, a);
    if (r->end_ms > 0)
        bad |= kvf(d, "ended", SX_ROLE_DATE, "%s (%.3f s)", b,
                   (double)(r->end_ms - r->start_ms) / 1000.0);
    else
        bad |= kv(d, "ended", SX_ROLE_DIM, "(running)");
    bad |= kv(d, "kind", SX_ROLE_DEFAULT, r->kind);
    if (*r->algo)
        bad |= kv(d, "algorithm", SX_ROLE_DEFAULT, r->algo);
    if (*r->target)
        bad |= kv(d, "target", SX_ROLE_DEFAULT, r->target);
    if (*r->split)
        bad |= kv(d, "split", SX_ROLE_DEFAULT, r->split);
    bad |= kv(d, "source", SX_ROLE_DIM, r->source);

    bad |= head(d, "Lineage");
    if (*r->dataset_name)
        bad |= kvf(d, "data set", SX_ROLE_TEXT, "%s@%d", r->dataset_name, r->dataset_version);
    else
        bad |= kv(d, "data set", SX_ROLE_DIM, *r->dataset_id ? r->dataset_id : "(none)");
    if (*r->data_hash)
        bad |= kv(d, "content hash", SX_ROLE_DEFAULT, r->data_hash);
    if (*r->source_path)
        bad |= kv(d, "source file", SX_ROLE_DEFAULT, r->source_path);
    bad |= kv(d, "feature fit", *r->fit_id ? SX_ROLE_DEFAULT : SX_ROLE_DIM,
              *r->fit_id ? r->fit_id : "(raw columns)");

    /* the sweep: its parent, or its trials and the best one */
    if (*r->parent_id) {
        struct sx_run par = {0};
        bad |= head(d, "Sweep");
        if (sx_runs_get(st, r->parent_id, &par, &err) == SX_OK) {
            bad |= kvf(d, "trial of", SX_ROLE_TEXT, "%s (%.8s)", par.name, par.id);
            if (*par.best_run_id)
                bad |= kv(d, "best trial", strcmp(par.best_run_id, r->id) == 0
                                               ? SX_ROLE_BETTER : SX_ROLE_DEFAULT,
                          strcmp(par.best_run_id, r->id) == 0 ? "this one" : par.best_run_id);
            sx_run_clear(&par);
        } else {
            bad |= kv(d, "trial of", SX_ROLE_DIM, r->parent_id);
        }
    }
    char (*kids)[SX_UUID_LEN] = NULL;
    size_t nk = 0;
    if (sx_runs_children(st, r->id, &kids, &nk, &err) == SX_OK && nk) {
        bad |= head(d, "Sweep");
        bad |= kvf(d, "trials", SX_ROLE_NUMBER, "%zu", nk);
        if (*r->best_run_id) {
            struct sx_run best = {0};
            if (sx_runs_get(st, r->best_run_id, &best, &err) == SX_OK) {
                bad |= kvf(d, "best trial", SX_ROLE_BETTER, "%s (%.8s) on %s", best.name,
                           best.id, r->best_metric);
                sx_run_clear(&best);
            }
        }
    }
    free(kids);

    bad |= head(d, "Params");
    if (!r->nparams)
        bad |= kv(d, "", SX_ROLE_DIM, "(none)");
    for (size_t i = 0; i < r->nparams; i++)
        bad |= kv(d, r->params[i].key, SX_ROLE_DEFAULT, r->params[i].value);

    bad |= head(d, "Metrics");
    struct sx_metric_point *hist = NULL;
    size_t nh = 0;
    if (sx_runs_history(st, r->id, NULL, &hist, &nh, &err) != SX_OK)
        nh = 0;
    if (!r->nmetrics)
        bad |= kv(d, "", SX_ROLE_DIM, "(none)");
    for (size_t i = 0; i < r->nmetrics; i++) {
        const struct sx_metric_point *m = &r->metrics[i];
        double *v = malloc((nh ? nh : 1) * sizeof *v);
        size_t nv = 0;
        for (size_t k = 0; v && k < nh; k++)
            if (strcmp(hist[k].key, m->key) == 0)
                v[nv++] = hist[k].value;
        char num[32], spark[SPARK_W * 4 + 1] = "", extra[SPARK_W * 4 + 64] = "";
        sx_epane_fmt_metric(m->value, 12, num, sizeof num);
        if (!*num)
            snprintf(num, sizeof num, "NaN");
        if (nv > 1) {
            sx_epane_spark(v, nv, SPARK_W, sx_app_utf8(d->p->app), spark, sizeof spark);
            snprintf(extra, sizeof extra, "  %s  %zu steps", spark, nv);
        }
        snprintf(buf, sizeof buf, "%12s", num);
        bad |= add3(d, 0, SX_ROLE_DIM, m->key, SX_ROLE_NUMBER, buf, SX_ROLE_BAR, extra);
        free(v);
    }
    sx_metric_points_free(hist, nh);

    json_t *groups = parse(r->groups_json);
    if (json_is_object(groups) && json_object_size(groups)) {
        bad |= head(d, "Per-group metrics");
        const char *col;
        json_t *labels;
        json_object_foreach(groups, col, labels) {
            if (json_is_object(labels))
                bad |= metric_table(d, labels, col);
        }
    }
    json_decref(groups);
    json_t *val = parse(r->validation_json);
    if (json_is_object(val) && json_object_size(val)) {
        bad |= head(d, "Validation sets");
        bad |= metric_table(d, val, "data set");
    }
    json_decref(val);

    if (r->ntags) {
        bad |= head(d, "Tags");
        for (size_t i = 0; i < r->ntags; i++)
            bad |= kv(d, r->tags[i].key, SX_ROLE_DEFAULT, r->tags[i].value);
    }
    json_t *env = parse(r->env_json);
    if (json_is_object(env) && json_object_size(env)) {
        bad |= head(d, "Environment");
        bad |= flatten(d, env, "");
    }
    json_decref(env);
    json_t *res = parse(r->resources_json);
    if (json_is_object(res) && json_object_size(res)) {
        bad |= head(d, "Resources");
        bad |= flatten(d, res, "");
    }
    json_decref(res);
    if (*r->notes) {
        bad |= head(d, "Notes");
        bad |= text_lines(d, SX_ROLE_DEFAULT, r->notes);
    }
    bad |= head(d, "Comments");
    if (!r->ncomments)
        bad |= kv(d, "", SX_ROLE_DIM, sx_app_read_only(d->p->app)
                                          ? "(none)" : "(none yet: m comments, v reviews)");
    for (size_t i = 0; i < r->ncomments; i++) {
        const struct sx_comment *c = &r->comments[i];
        when(c->created_ms, a, sizeof a);
        a[16] = '\0';
        snprintf(buf, sizeof buf, "%s%s%s", *c->review ? "[" : "", c->review,
                 *c->review ? "] " : "");
        bad |= add3(d, 0, SX_ROLE_DATE, a, SX_ROLE_TEXT, c->author,
                    strcmp(c->review, "needs-work") == 0 ? SX_ROLE_ALERT : SX_ROLE_BETTER,
                    buf);
        bad |= text_lines(d, SX_ROLE_DEFAULT, c->text);
    }
    return bad ? -1 : 0;
}

static void load(struct detail *d)
{
    struct sx_err err = {0};
    sx_run_clear(&d->run);
    memset(&d->run, 0, sizeof d->run);
    d->loaded = 0;
    d->error[0] = '\0';
    d->gen = d->p->gen;
    lines_free(d);
    if (sx_runs_get(sx_app_store(d->p->app), d->id, &d->run, &err) != SX_OK) {
        snprintf(d->error, sizeof d->error, "%s", err.msg);
        return;
    }
    d->loaded = 1;
    if (build(d) != 0)
        snprintf(d->error, sizeof d->error, "out of memory");
}

static size_t page_of(const struct sx_view *v)
{
    return v->h > 2 ? (size_t)(v->h - 2) : 1;
}

static void detail_draw(struct sx_view *v)
{
    struct detail *d = v->priv;
    if (d->gen != d->p->gen)
        load(d);
    struct sx_app *app = v->app;
    if (sx_sheet_start(v, d->error))
        return;
    const struct sx_run *r = &d->run;
    char left[600], right[100];
    snprintf(left, sizeof left, "%s  %.8s  %s%s%s", r->name, r->id, r->status,
             *r->algo ? "  " : "", r->algo);
    snprintf(right, sizeof right, "%s", *r->review ? r->review : "");
    sx_sheet_heading(v, left, right);
    size_t page = page_of(v);
    if (d->n > page && d->top > d->n - page)
        d->top = d->n - page;
    if (d->n <= page)
        d->top = 0;
    int lw = d->label_w + 2;
    if (lw > v->w / 2)
        lw = v->w / 2;
    for (size_t i = 0; i < page && d->top + i < d->n; i++) {
        const struct dline *l = &d->lines[d->top + i];
        int y = v->y + 1 + (int)i;
        if (l->head) {
            sx_draw_text(app, y, v->x + 1, l->role[0], l->text[0], v->w - 1, 0);
            continue;
        }
        int x = v->x + 3;
        int room = v->x + v->w - x;
        if (room <= 0)
            continue;
        sx_draw_text(app, y, x, l->role[0], l->text[0], lw < room ? lw - 1 : room, 0);
        x += lw;
        if (x >= v->x + v->w)
            continue;
        x += sx_draw_text(app, y, x, l->role[1], l->text[1], v->x + v->w - x, 0);
        if (x < v->x + v->w && *l->text[2]) {
            if (l->role[2] != SX_ROLE_BAR && *l->text[1]) {
                sx_draw_text(app, y, x, SX_ROLE_DEFAULT, " ", 1, 0);
                x++;
            }
            if (x < v->x + v->w)
                sx_draw_text(app, y, x, l->role[2], l->text[2], v->x + v->w - x, 0);
        }
    }
    if (v->h > 2) {
        char foot[200];
        snprintf(foot, sizeof foot, "line %zu-%zu of %zu", d->n ? d->top + 1 : 0,
                 d->top + page < d->n ? d->top + page : d->n, d->n);
        sx_draw_text(app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
    }
}

static unsigned detail_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct detail *d = v->priv;
    if (d->gen != d->p->gen)
        load(d);
    size_t page = page_of(v);
    size_t last = d->n > page ? d->n - page : 0;
    switch (cmd) {
    case SX_CMD_MOVE_UP:
        if (d->top)
            d->top--;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_DOWN:
        if (d->top < last)
            d->top++;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_PAGE_UP:
        d->top = d->top > page ? d->top - page : 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_PAGE_DOWN:
        d->top = d->top + page < last ? d->top + page : last;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_FIRST:
        d->top = 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_LAST:
        d->top = last;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_COMMENT:
    case SX_CMD_REVIEW:
        if (!d->loaded)
            return SX_H_HANDLED;
        return sx_epane_comment(d->p, d->run.id, d->run.name, arg, cmd == SX_CMD_REVIEW);
    case SX_CMD_HISTORY_CHART: {
        if (!d->loaded)
            return SX_H_HANDLED;
        return sx_history_open(d->p, (const char(*)[SX_UUID_LEN])d->run.id, 1,
                               arg && *arg ? arg : NULL);
    }
    default:
        return 0;
    }
}

static void detail_where(struct sx_view *v, char *buf, size_t size)
{
    const struct detail *d = v->priv;
    snprintf(buf, size, "run=%.8s", d->id);
}

static void detail_close(struct sx_view *v)
{
    struct detail *d = v->priv;
    lines_free(d);
    sx_run_clear(&d->run);
    free(d);
}

static const enum sx_cmd detail_keybar[] = {SX_CMD_COMMENT, SX_CMD_REVIEW, SX_CMD_HISTORY_CHART,
                                            SX_CMD_HELP, SX_CMD_BACK, SX_CMD_NONE};

struct sx_view *sx_run_view_new(struct sx_epane *p, const char *id, struct sx_err *err)
{
    struct detail *d = calloc(1, sizeof *d);
    if (!d) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    d->p = p;
    snprintf(d->id, sizeof d->id, "%s", id);
    load(d);
    if (!d->loaded) {
        sx_err_set(err, SX_ENOTFOUND, "%s", d->error);
        detail_close(&(struct sx_view){.priv = d});
        return NULL;
    }
    snprintf(d->title, sizeof d->title, "%.60s", d->run.name);
    d->ops = (struct sx_view_ops){
        .name = "run",
        .title = d->title,
        .draw = detail_draw,
        .handle = detail_handle,
        .close = detail_close,
        .keybar = detail_keybar,
        .where = detail_where,
    };
    struct sx_view *v = sx_view_new(p->app, &d->ops, d);
    if (!v) {
        detail_close(&(struct sx_view){.priv = d});
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}
