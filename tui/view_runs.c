/* tui/view_runs.c: the runs table of the Experiments pane: the runs of one
 * experiment (or of all) as rows, a column per param and metric after the
 * run's name, algorithm and status. Loaded once (sx_runs_table_load); every
 * later keystroke works on that frame and on index arrays over it, never
 * on the store, so sorting and filtering 100,000 runs stays instant.
 *
 *  - Sweeps: a sweep's trials sit folded under their parent (▸); za, zo,
 *    zc, + fold and unfold it, zR/zM all of them. A parent shows while any
 *    of its trials passes the filter (dimmed when it does not pass itself).
 *  - Sorting: [ and ] sort by the current column (stable, missing last),
 *    g[ and g] add a key; trials are sorted within their sweep.
 *  - Filter: g| or `:filter EXPR` (core/expr over the table: `rmse < 3 and
 *    algo == 'ridge'`); an error shows in a panel with a caret under its
 *    column, g| offers the text again, Esc dismisses it. An empty filter
 *    shows every run.
 *  - Group: `:group KEY` groups the runs (trials included, sweeps
 *    unfolded) by KEY's value under a header row holding the group's best
 *    value of each metric; `:group` alone groups by the current column, or
 *    ungroups. Enter or za on a header folds the group.
 *  - Best: the best value of each metric over the runs that pass the
 *    filter is marked ★ in the better role (lower is better for errors
 *    and losses, sx_metric_lower_is_better).
 *  - Columns: `:columns a,b,c` shows those columns after the name (`all`,
 *    `default`); C opens a chooser; - hides the current column.
 *  - s selects runs (●), c compares the selected ones; Enter opens a run's
 *    detail; m comments, v sets the review status (not under --read-only). */
#include "epane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr.h"
#include "sheet.h"
#include "validate.h"

#define NAME_CAP   32         /* widest name column */
#define CELL_CAP   18         /* widest other column */
#define CELL_BUF   512
#define METRIC_FMT 9          /* metrics in at most 9 columns: 6 significant digits */

enum { R_ROW, R_GROUP };

/* One line of the table: a run (R = frame row, DEPTH 1 for a trial shown
 * under its sweep) or a group's header (R = group index). */
struct vrow {
    size_t r;
    uint8_t kind, depth;
};

struct group {
    char *label;
    size_t n;                 /* runs shown in it */
    uint8_t closed;
};

struct runs {
    struct sx_view_ops ops;
    char title[300];
    struct sx_epane *p;
    char *experiment;         /* NULL: every experiment */
    unsigned gen;
    struct sx_runs_table *rt;
    const struct sx_frame *f; /* rt->frame */
    size_t n;                 /* runs */
    /* fixed columns (frame indices, -1 when absent) */
    long c_id, c_name, c_exp, c_status, c_kind, c_parent, c_algo, c_review, c_author, c_start;
    /* the tree, and the rows by id */
    size_t *idslot;           /* open addressing over the ids: row + 1, 0 empty */
    size_t idcap;             /* a power of two */
    long *parent;             /* per row: the parent's row, or -1 */
    size_t *nkids, *kstart;   /* per row: its trials, and where they start in kids */
    size_t *kids;             /* trials by parent, in sort order (rebuilt) */
    uint8_t *open;            /* per row: sweep unfolded */
    uint8_t *sel;             /* per row: selected */
    char (*selids)[SX_UUID_LEN];   /* the selected runs in the order selected */
    size_t nsel;
    /* order, filter, groups */
    size_t *order;            /* every row, sorted */
    struct sx_sort_key keys[8];
    size_t nkeys;
    uint8_t *pass;            /* per row: passes the filter (NULL: no filter) */
    char *filter;
    size_t npass;
    long group_col;           /* -1: not grouped */
    struct group *groups;
    size_t ngroups;
    double *gbest;            /* ngroups x nmetrics, NaN when none */
    /* best values over the rows that pass */
    uint8_t *lower;           /* per metric: lower is better */
    double *best;             /* per metric, NaN when none */
    /* what is on screen */
    struct vrow *vis;
    size_t nvis;
    struct sx_sheet_cursor cur;
    size_t *cols;             /* display columns (frame indices); cols[0] is the name */
    size_t ncols;
    size_t cur_col, left;     /* current and first scrolled column (>= 1) */
    char *search;
    /* the last filter that failed: the text, the caret's byte offset, why */
    char *xline;
    size_t xcaret;
    char *xmsg;
    char error[600];
};

static int is_metric(const struct runs *t, size_t col)
{
    return col >= t->rt->metric_first && col < t->rt->metric_first + t->rt->nmetrics;
}

static int is_param(const struct runs *t, size_t col)
{
    return col >= t->rt->param_first && col < t->rt->param_first + t->rt->nparams;
}

static const char *row_str(const struct runs *t, long col, size_t r)
{
    if (col < 0 || !sx_col_valid(t->f->cols[col], r))
        return "";
    const char *s = sx_col_str(t->f->cols[col], r);
    return s ? s : "";
}

/* ---- loading ---- */

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The row of run ID, or -1. */
static long find_id(const struct runs *t, const char *id)
{
    if (!t->idslot)
        return -1;
    for (size_t h = (size_t)str_hash(id) & (t->idcap - 1); t->idslot[h];
         h = (h + 1) & (t->idcap - 1))
        if (strcmp(row_str(t, t->c_id, t->idslot[h] - 1), id) == 0)
            return (long)(t->idslot[h] - 1);
    return -1;
}

/* The rows by id (t->idslot), then parents and trials: PARENT, NKIDS and
 * KSTART from the parent column. */
static int build_tree(struct runs *t)
{
    size_t n = t->n, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    free(t->idslot);
    if (!(t->idslot = calloc(cap, sizeof *t->idslot)))
        return -1;
    t->idcap = cap;
    for (size_t r = 0; r < n; r++) {
        const char *id = row_str(t, t->c_id, r);
        size_t h = (size_t)str_hash(id) & (cap - 1);
        while (t->idslot[h])
            h = (h + 1) & (cap - 1);
        t->idslot[h] = r + 1;
    }
    for (size_t r = 0; r < n; r++) {
        const char *pid = row_str(t, t->c_parent, r);
        long q = *pid ? find_id(t, pid) : -1;
        t->parent[r] = q == (long)r ? -1 : q;
    }
    /* trials of a trial are shown under the top-level sweep */
    for (size_t r = 0; r < n; r++) {
        long q = t->parent[r];
        for (int d = 0; q >= 0 && t->parent[q] >= 0 && d < 64; d++)
            q = t->parent[q];
        t->parent[r] = q >= 0 && t->parent[q] < 0 ? q : -1;
    }
    memset(t->nkids, 0, n * sizeof *t->nkids);
    for (size_t r = 0; r < n; r++)
        if (t->parent[r] >= 0)
            t->nkids[t->parent[r]]++;
    size_t at = 0;
    for (size_t r = 0; r < n; r++) {
        t->kstart[r] = at;
        at += t->nkids[r];
    }
    return 0;
}

static void free_table(struct runs *t)
{
    sx_runs_table_free(t->rt);
    t->rt = NULL;
    t->f = NULL;
    free(t->idslot);
    t->idslot = NULL;
    t->idcap = 0;
    free(t->parent);
    free(t->nkids);
    free(t->kstart);
    free(t->kids);
    free(t->open);
    free(t->sel);
    free(t->order);
    free(t->pass);
    free(t->lower);
    free(t->best);
    free(t->vis);
    free(t->cols);
    for (size_t g = 0; g < t->ngroups; g++)
        free(t->groups[g].label);
    free(t->groups);
    free(t->gbest);
    t->parent = NULL;
    t->nkids = t->kstart = t->kids = t->order = t->cols = NULL;
    t->open = t->sel = t->pass = t->lower = NULL;
    t->best = t->gbest = NULL;
    t->vis = NULL;
    t->groups = NULL;
    t->ngroups = t->nvis = t->ncols = t->n = 0;
}

/* The columns shown by default: the name, the experiment (when showing
 * all), status, algorithm, every metric (what a reviewer compares first),
 * every param, review, author, start. */
static int default_cols(struct runs *t)
{
    const struct sx_frame *f = t->f;
    free(t->cols);
    t->ncols = 0;
    if (!(t->cols = malloc((f->ncols + 1) * sizeof *t->cols)))
        return -1;
    long fixed_front[] = {t->c_name, t->experiment ? -1 : t->c_exp, t->c_status, t->c_algo};
    for (size_t i = 0; i < sizeof fixed_front / sizeof fixed_front[0]; i++)
        if (fixed_front[i] >= 0)
            t->cols[t->ncols++] = (size_t)fixed_front[i];
    for (size_t c = 0; c < t->rt->nmetrics; c++)
        t->cols[t->ncols++] = t->rt->metric_first + c;
    for (size_t c = 0; c < t->rt->nparams; c++)
        t->cols[t->ncols++] = t->rt->param_first + c;
    long fixed_back[] = {t->c_review, t->c_author, t->c_start};
    for (size_t i = 0; i < sizeof fixed_back / sizeof fixed_back[0]; i++)
        if (fixed_back[i] >= 0)
            t->cols[t->ncols++] = (size_t)fixed_back[i];
    return 0;
}

static void rebuild(struct runs *t);
static enum sx_status apply_filter(struct runs *t, const char *text, struct sx_err *err,
                                   int *col);

/* Load (or reload, keeping the view's sort, filter, columns, folds and
 * selection) the table. 0, or -1 with t->error set. */
static int load(struct runs *t)
{
    struct sx_err err = {0};
    /* what to keep across a reload, by id and by name */
    char (*open_ids)[SX_UUID_LEN] = NULL;
    size_t nopen = 0;
    char **colnames = NULL, *keyname[8] = {0};
    int keydesc[8] = {0};
    size_t ncolnames = 0, nkeys = t->nkeys, cur_col = t->cur_col, cur_row = t->cur.cur;
    char cur_id[SX_UUID_LEN] = "";
    char *groupname = NULL;
    if (t->rt) {
        for (size_t r = 0; r < t->n; r++)
            nopen += t->open[r] != 0;
        open_ids = malloc((nopen ? nopen : 1) * sizeof *open_ids);
        colnames = malloc((t->ncols ? t->ncols : 1) * sizeof *colnames);
        nopen = 0;
        for (size_t r = 0; open_ids && r < t->n; r++)
            if (t->open[r])
                snprintf(open_ids[nopen++], SX_UUID_LEN, "%s", row_str(t, t->c_id, r));
        for (size_t c = 0; colnames && c < t->ncols; c++)
            colnames[ncolnames++] = strdup(t->f->cols[t->cols[c]]->name);
        for (size_t k = 0; k < nkeys; k++) {
            keyname[k] = strdup(t->f->cols[t->keys[k].col]->name);
            keydesc[k] = t->keys[k].descending;
        }
        if (t->group_col >= 0)
            groupname = strdup(t->f->cols[t->group_col]->name);
        if (cur_row < t->nvis && t->vis[cur_row].kind == R_ROW)
            snprintf(cur_id, sizeof cur_id, "%s", row_str(t, t->c_id, t->vis[cur_row].r));
        free_table(t);
    }
    int rc = -1;
    t->gen = t->p->gen;
    t->error[0] = '\0';
    if (!(t->rt = sx_runs_table_load(sx_app_store(t->p->app), t->experiment, 0, &err))) {
        snprintf(t->error, sizeof t->error, "%s", err.msg);
        goto out;
    }
    t->f = t->rt->frame;
    t->n = t->f->nrows;
    t->c_id = sx_frame_find(t->f, "id");
    t->c_name = sx_frame_find(t->f, "name");
    t->c_exp = sx_frame_find(t->f, "experiment");
    t->c_status = sx_frame_find(t->f, "status");
    t->c_author = sx_frame_find(t->f, "author");
    t->c_kind = sx_frame_find(t->f, "kind");
    t->c_parent = sx_frame_find(t->f, "parent");
    t->c_algo = sx_frame_find(t->f, "algo");
    t->c_review = sx_frame_find(t->f, "review");
    t->c_start = sx_frame_find(t->f, "start");
    if (t->c_id < 0 || t->c_name < 0) {
        snprintf(t->error, sizeof t->error, "the runs table has no id or name column");
        goto out;
    }
    size_t n = t->n ? t->n : 1, nm = t->rt->nmetrics ? t->rt->nmetrics : 1;
    t->parent = malloc(n * sizeof *t->parent);
    t->nkids = malloc(n * sizeof *t->nkids);
    t->kstart = malloc(n * sizeof *t->kstart);
    t->kids = malloc(n * sizeof *t->kids);
    t->open = calloc(n, 1);
    t->sel = calloc(n, 1);
    t->order = malloc(n * sizeof *t->order);
    t->lower = malloc(nm);
    t->best = malloc(nm * sizeof *t->best);
    t->vis = malloc((2 * n + 1) * sizeof *t->vis);
    if (!t->parent || !t->nkids || !t->kstart || !t->kids || !t->open || !t->sel || !t->order ||
        !t->lower || !t->best || !t->vis || build_tree(t) != 0 || default_cols(t) != 0) {
        snprintf(t->error, sizeof t->error, "out of memory");
        goto out;
    }
    for (size_t m = 0; m < t->rt->nmetrics; m++)
        t->lower[m] = (uint8_t)sx_metric_lower_is_better(t->rt->keys[t->rt->metric_first + m]);
    for (size_t r = 0; r < t->n; r++)
        t->order[r] = r;
    /* restore what the view had */
    for (size_t i = 0; i < nopen; i++) {
        long r = find_id(t, open_ids[i]);
        if (r >= 0)
            t->open[r] = 1;
    }
    size_t keep = 0;
    for (size_t i = 0; i < t->nsel; i++) {
        long r = find_id(t, t->selids[i]);
        if (r >= 0) {
            t->sel[r] = 1;
            memmove(t->selids[keep++], t->selids[i], SX_UUID_LEN);
        }
    }
    t->nsel = keep;
    if (colnames) {
        size_t k = 0;
        for (size_t c = 0; c < ncolnames; c++) {
            long fc = colnames[c] ? sx_frame_find(t->f, colnames[c]) : -1;
            if (fc >= 0)
                t->cols[k++] = (size_t)fc;
        }
        if (k > 0 && t->cols[0] == (size_t)t->c_name)
            t->ncols = k;
        t->cur_col = cur_col < t->ncols ? cur_col : 0;
    }
    t->nkeys = 0;
    for (size_t k = 0; k < nkeys; k++) {
        long fc = keyname[k] ? sx_frame_find(t->f, keyname[k]) : -1;
        if (fc >= 0)
            t->keys[t->nkeys++] = (struct sx_sort_key){(size_t)fc, keydesc[k]};
    }
    if (t->nkeys) {
        size_t *o = sx_frame_sort_index(t->f, t->keys, t->nkeys, &err);
        if (o) {
            free(t->order);
            t->order = o;
        }
    }
    t->group_col = groupname ? sx_frame_find(t->f, groupname) : -1;
    if (t->filter) {
        char *text = t->filter;
        t->filter = NULL;
        int col;
        if (apply_filter(t, text, &err, &col) != SX_OK)
            sx_status(t->p->app, 1, "filter %s no longer applies: %s", text, err.msg);
        free(text);
    }
    rebuild(t);
    if (*cur_id) {
        for (size_t i = 0; i < t->nvis; i++)
            if (t->vis[i].kind == R_ROW && strcmp(row_str(t, t->c_id, t->vis[i].r), cur_id) == 0) {
                t->cur.cur = i;
                break;
            }
    }
    rc = 0;
out:
    free(open_ids);
    for (size_t c = 0; c < ncolnames; c++)
        free(colnames[c]);
    free(colnames);
    for (size_t k = 0; k < 8; k++)
        free(keyname[k]);
    free(groupname);
    return rc;
}

/* ---- the lines on screen ---- */

static int passes(const struct runs *t, size_t r)
{
    return !t->pass || t->pass[r];
}

static void best_update(const struct runs *t, double *best, size_t r)
{
    for (size_t m = 0; m < t->rt->nmetrics; m++) {
        const struct sx_column *c = t->f->cols[t->rt->metric_first + m];
        if (!sx_col_valid(c, r))
            continue;
        double x = sx_col_num(c, r);
        if (isnan(x))
            continue;
        if (isnan(best[m]) || (t->lower[m] ? x < best[m] : x > best[m]))
            best[m] = x;
    }
}

/* Groups by t->group_col: t->groups (by value, missing last) and the
 * group of each row into GID. */
static int build_groups(struct runs *t, size_t *gid)
{
    struct sx_sort_key k = {(size_t)t->group_col, 0};
    struct sx_err err = {0};
    size_t *idx = sx_frame_sort_index(t->f, &k, 1, &err);
    if (!idx)
        return -1;
    for (size_t g = 0; g < t->ngroups; g++)
        free(t->groups[g].label);
    free(t->groups);
    t->groups = NULL;
    t->ngroups = 0;
    size_t cap = 16;
    struct group *gs = malloc(cap * sizeof *gs);
    const struct sx_column *c = t->f->cols[t->group_col];
    char prev[CELL_BUF] = "", cell[CELL_BUF];
    int prev_valid = -1;
    for (size_t i = 0; gs && i < t->n; i++) {
        size_t r = idx[i];
        int valid = sx_col_valid(c, r);
        if (valid)
            sx_col_format(c, r, cell, sizeof cell);
        else
            cell[0] = '\0';
        if (prev_valid < 0 || valid != prev_valid || strcmp(cell, prev) != 0) {
            if (t->ngroups == cap) {
                struct group *ng = realloc(gs, (cap *= 2) * sizeof *gs);
                if (!ng) {
                    for (size_t g = 0; g < t->ngroups; g++)
                        free(gs[g].label);
                    free(gs);
                    gs = NULL;
                    break;
                }
                gs = ng;
            }
            gs[t->ngroups] = (struct group){.label = strdup(valid ? cell : "")};
            t->ngroups++;
            snprintf(prev, sizeof prev, "%s", cell);
            prev_valid = valid;
        }
        gid[r] = t->ngroups - 1;
    }
    free(idx);
    if (!gs) {
        t->ngroups = 0;
        return -1;
    }
    t->groups = gs;
    return 0;
}

/* Rebuild the visible lines from the order, the filter, the folds and the
 * grouping; recompute the best values. The cursor stays on its run. */
static void rebuild(struct runs *t)
{
    size_t nm = t->rt->nmetrics;
    size_t cur_r = (size_t)-1;
    int cur_group = 0;
    if (t->cur.cur < t->nvis) {
        cur_r = t->vis[t->cur.cur].r;
        cur_group = t->vis[t->cur.cur].kind == R_GROUP;
    }
    for (size_t m = 0; m < nm; m++)
        t->best[m] = NAN;
    t->npass = 0;
    for (size_t r = 0; r < t->n; r++)
        if (passes(t, r)) {
            t->npass++;
            best_update(t, t->best, r);
        }
    t->nvis = 0;
    if (t->group_col >= 0) {
        /* keep the folds of groups by label */
        size_t nold = t->ngroups;
        char **old = nold ? malloc(nold * sizeof *old) : NULL;
        uint8_t *oldc = nold ? malloc(nold) : NULL;
        for (size_t g = 0; old && oldc && g < nold; g++) {
            old[g] = t->groups[g].label;
            t->groups[g].label = NULL;
            oldc[g] = t->groups[g].closed;
        }
        size_t *gid = malloc((t->n ? t->n : 1) * sizeof *gid);
        size_t *start = NULL, *fill = NULL, *rows = NULL;
        if (!gid || build_groups(t, gid) != 0)
            goto grouped_fail;
        for (size_t g = 0; old && oldc && g < t->ngroups; g++)
            for (size_t o = 0; o < nold; o++)
                if (old[o] && t->groups[g].label && strcmp(old[o], t->groups[g].label) == 0)
                    t->groups[g].closed = oldc[o];
        free(t->gbest);
        t->gbest = malloc((t->ngroups * (nm ? nm : 1) + 1) * sizeof *t->gbest);
        start = calloc(t->ngroups + 1, sizeof *start);
        fill = calloc(t->ngroups + 1, sizeof *fill);
        rows = malloc((t->n ? t->n : 1) * sizeof *rows);
        if (!t->gbest || !start || !fill || !rows)
            goto grouped_fail;
        for (size_t i = 0; i < t->ngroups * nm; i++)
            t->gbest[i] = NAN;
        for (size_t r = 0; r < t->n; r++)
            if (passes(t, r)) {
                t->groups[gid[r]].n++;
                best_update(t, t->gbest + gid[r] * nm, r);
            }
        for (size_t g = 0; g < t->ngroups; g++)
            start[g + 1] = start[g] + t->groups[g].n;
        for (size_t i = 0; i < t->n; i++) {
            size_t r = t->order[i];
            if (passes(t, r))
                rows[start[gid[r]] + fill[gid[r]]++] = r;
        }
        for (size_t g = 0; g < t->ngroups; g++) {
            if (!t->groups[g].n)
                continue;
            t->vis[t->nvis++] = (struct vrow){g, R_GROUP, 0};
            if (t->groups[g].closed)
                continue;
            for (size_t i = start[g]; i < start[g + 1]; i++)
                t->vis[t->nvis++] = (struct vrow){rows[i], R_ROW, 0};
        }
grouped_fail:
        for (size_t g = 0; old && g < nold; g++)
            free(old[g]);
        free(old);
        free(oldc);
        free(gid);
        free(start);
        free(fill);
        free(rows);
    } else {
        /* trials by parent, in sort order */
        size_t *fill = calloc(t->n ? t->n : 1, sizeof *fill);
        uint8_t *any = calloc(t->n ? t->n : 1, 1);
        if (fill && any) {
            for (size_t i = 0; i < t->n; i++) {
                size_t r = t->order[i];
                long q = t->parent[r];
                if (q < 0)
                    continue;
                t->kids[t->kstart[q] + fill[q]++] = r;
                if (passes(t, r))
                    any[q] = 1;
            }
            for (size_t i = 0; i < t->n; i++) {
                size_t r = t->order[i];
                if (t->parent[r] >= 0 || !(passes(t, r) || any[r]))
                    continue;
                t->vis[t->nvis++] = (struct vrow){r, R_ROW, 0};
                if (!t->open[r])
                    continue;
                for (size_t k = 0; k < t->nkids[r]; k++) {
                    size_t c = t->kids[t->kstart[r] + k];
                    if (passes(t, c))
                        t->vis[t->nvis++] = (struct vrow){c, R_ROW, 1};
                }
            }
        }
        free(fill);
        free(any);
    }
    t->cur.n = t->nvis;
    if (cur_r != (size_t)-1) {
        for (size_t i = 0; i < t->nvis; i++)
            if (t->vis[i].r == cur_r && (t->vis[i].kind == R_GROUP) == cur_group) {
                t->cur.cur = i;
                break;
            }
    }
    if (t->cur.cur >= t->nvis)
        t->cur.cur = t->nvis ? t->nvis - 1 : 0;
}

/* ---- cells ---- */

static const char *sort_mark(const struct runs *t, size_t col)
{
    for (size_t k = 0; k < t->nkeys; k++)
        if (t->keys[k].col == col)
            return t->keys[k].descending ? "\u2193" : "\u2191";
    return "";
}

static void header_text(const struct runs *t, size_t col, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", sort_mark(t, col), t->f->cols[col]->name);
}

/* The text of frame column COL of row R; *BEST set for a metric's best. */
static void cell_text(const struct runs *t, size_t col, size_t r, char *buf, size_t size,
                      int *best)
{
    const struct sx_column *c = t->f->cols[col];
    *best = 0;
    buf[0] = '\0';
    if (!sx_col_valid(c, r))
        return;
    if (is_metric(t, col)) {
        double x = sx_col_num(c, r);
        sx_epane_fmt_metric(x, METRIC_FMT, buf, size);
        size_t m = col - t->rt->metric_first;
        *best = !isnan(x) && x == t->best[m] && passes(t, r);
        return;
    }
    sx_col_format(c, r, buf, size);
    if (c->type == SX_DATE && strlen(buf) > 16)
        buf[16] = '\0';   /* to the minute */
}

/* The name cell of line L: selection, fold marker or trial indent, name. */
static void name_text(struct sx_app *app, const struct runs *t, const struct vrow *l, char *buf,
                      size_t size)
{
    if (l->kind == R_GROUP) {
        const struct group *g = &t->groups[l->r];
        snprintf(buf, size, "%s%s = %s (%zu)",
                 g->closed ? sx_glyph(app, "\u25b8 ", "+ ") : sx_glyph(app, "\u25be ", "- "),
                 t->f->cols[t->group_col]->name, *g->label ? g->label : "\u00b7", g->n);
        return;
    }
    const char *name = row_str(t, t->c_name, l->r);
    if (l->depth)
        snprintf(buf, size, "  %s%s", sx_glyph(app, "\u2514 ", "` "), name);
    else if (t->group_col < 0 && t->nkids[l->r])
        snprintf(buf, size, "%s%s [%zu]",
                 t->open[l->r] ? sx_glyph(app, "\u25be ", "- ") : sx_glyph(app, "\u25b8 ", "+ "),
                 name, t->nkids[l->r]);
    else
        snprintf(buf, size, "  %s", name);
}

static int is_numeric_col(const struct runs *t, size_t col)
{
    enum sx_type ty = t->f->cols[col]->type;
    return ty == SX_FLOAT || ty == SX_INT;
}

/* ---- drawing ---- */

static int body_rows(const struct runs *t, const struct sx_view *v)
{
    int panel = t->xmsg ? 2 : 0;
    int b = v->h - 3 - panel;
    return b > 0 ? b : 1;
}

static void runs_draw(struct sx_view *v)
{
    struct runs *t = v->priv;
    if (t->gen != t->p->gen)
        load(t);
    struct sx_app *app = v->app;
    if (sx_sheet_start(v, t->error))
        return;
    /* summary */
    char left[600], right[600], nbuf[32], pbuf[32];
    sx_sheet_fmt_commas(t->n, nbuf, sizeof nbuf);
    sx_sheet_fmt_commas(t->npass, pbuf, sizeof pbuf);
    int len = snprintf(left, sizeof left, "%s: %s run%s", t->experiment ? t->experiment
                                                                      : "all experiments",
                       nbuf, t->n == 1 ? "" : "s");
    if (t->pass && len > 0 && (size_t)len < sizeof left)
        len += snprintf(left + len, sizeof left - (size_t)len, ", %s pass the filter", pbuf);
    if (t->nsel && len > 0 && (size_t)len < sizeof left)
        snprintf(left + len, sizeof left - (size_t)len, ", %zu selected", t->nsel);
    right[0] = '\0';
    if (t->group_col >= 0)
        snprintf(right, sizeof right, "grouped by %s", t->f->cols[t->group_col]->name);
    int body = sx_sheet_heading(v, left, right);
    (void)body;
    int rows = body_rows(t, v);
    sx_sheet_scroll(&t->cur, (size_t)rows);

    /* widths from the header and the lines on screen */
    int width[64];
    size_t ncols = t->ncols < 64 ? t->ncols : 64;
    char buf[CELL_BUF];
    for (size_t c = 0; c < ncols; c++) {
        header_text(t, t->cols[c], buf, sizeof buf);
        width[c] = sx_text_width(app, buf) + (is_metric(t, t->cols[c]) ? 1 : 0);
        if (width[c] < 3)
            width[c] = 3;
    }
    for (int i = 0; i < rows; i++) {
        size_t li = t->cur.top + (size_t)i;
        if (li >= t->nvis)
            break;
        const struct vrow *l = &t->vis[li];
        for (size_t c = 0; c < ncols; c++) {
            int best = 0, w;
            if (c == 0) {
                name_text(app, t, l, buf, sizeof buf);
                w = sx_text_width(app, buf);
            } else if (l->kind == R_GROUP) {
                w = 0;
                if (is_metric(t, t->cols[c])) {
                    size_t m = t->cols[c] - t->rt->metric_first;
                    sx_epane_fmt_metric(t->gbest[l->r * t->rt->nmetrics + m], METRIC_FMT, buf,
                                        sizeof buf);
                    w = sx_text_width(app, buf) + 1;
                }
            } else {
                cell_text(t, t->cols[c], l->r, buf, sizeof buf, &best);
                w = sx_text_width(app, buf) + (is_metric(t, t->cols[c]) ? 1 : 0);
            }
            if (w > width[c])
                width[c] = w;
        }
    }
    int cap0 = v->w / 3 > 12 ? v->w / 3 : 12;
    if (cap0 > NAME_CAP)
        cap0 = NAME_CAP;
    if (width[0] > cap0)
        width[0] = cap0;
    for (size_t c = 1; c < ncols; c++)
        if (width[c] > CELL_CAP)
            width[c] = CELL_CAP;

    /* which columns fit: the name, then from LEFT, keeping the cursor's */
    if (t->left < 1)
        t->left = 1;
    if (t->cur_col >= ncols)
        t->cur_col = ncols ? ncols - 1 : 0;
    if (t->cur_col >= 1 && t->cur_col < t->left)
        t->left = t->cur_col;
    for (;;) {
        int x = 2 + width[0] + 1;
        size_t last = t->left;
        for (size_t c = t->left; c < ncols; c++) {
            if (x + width[c] > v->w && c > t->left)
                break;
            x += width[c] + 1;
            last = c;
        }
        if (t->cur_col <= last || t->left >= t->cur_col)
            break;
        t->left++;
    }

    int y0 = v->y + 1;
    for (int i = -1; i < rows; i++) {
        size_t li = t->cur.top + (size_t)(i < 0 ? 0 : i);
        if (i >= 0 && li >= t->nvis)
            break;
        int y = y0 + 1 + i;
        const struct vrow *l = i >= 0 ? &t->vis[li] : NULL;
        int is_cur = l && li == t->cur.cur;
        int dim = l && l->kind == R_ROW && !passes(t, l->r);
        enum sx_role base = !l ? SX_ROLE_HEADER : is_cur ? SX_ROLE_CURSOR_ROW
                                                          : dim ? SX_ROLE_DIM : SX_ROLE_DEFAULT;
        if (!l || is_cur)
            sx_draw_fill(app, y, v->x, 1, v->w, base);
        /* the selection gutter */
        if (l && l->kind == R_ROW && t->sel[l->r])
            sx_draw_text(app, y, v->x, SX_ROLE_SELECTED, sx_glyph(app, "\u25cf", "*"), 1, 0);
        int x = v->x + 2;
        for (size_t c = 0; c < ncols && x < v->x + v->w; c = c == 0 ? t->left : c + 1) {
            int room = v->x + v->w - x;
            int w = width[c] < room ? width[c] : room;
            size_t col = t->cols[c];
            if (c > 0 && w < width[c]) {
                /* a column cut at the right edge: only a mark that more lies there */
                sx_draw_text(app, y, x, !l ? SX_ROLE_HEADER : base, sx_glyph(app, "\u2026", "~"),
                             1, 0);
                break;
            }
            int cell_cur = is_cur && c == t->cur_col;
            enum sx_role role = cell_cur ? SX_ROLE_CURSOR : base;
            int best = 0;
            if (!l) {
                header_text(t, col, buf, sizeof buf);
                if (c > 0 && is_numeric_col(t, col) && w == width[c])
                    sx_draw_text_right(app, y, x, cell_cur ? SX_ROLE_CURSOR : SX_ROLE_HEADER,
                                       buf, w - (is_metric(t, col) ? 1 : 0));
                else
                    sx_draw_text(app, y, x, c == t->cur_col ? SX_ROLE_CURSOR : SX_ROLE_HEADER,
                                 buf, w, 0);
                x += width[c] + 1;
                if (c == 0 && t->left >= ncols)
                    break;
                continue;
            }
            if (c == 0) {
                name_text(app, t, l, buf, sizeof buf);
                enum sx_role nr = role;
                if (!cell_cur && !is_cur && !dim)
                    nr = l->kind == R_GROUP ? SX_ROLE_HEADER : SX_ROLE_TEXT;
                int span = w;
                if (l->kind == R_GROUP) {
                    /* a group's label runs on over the columns before the metrics */
                    int sx = x + width[0] + 1;
                    for (size_t k = t->left; k < ncols && !is_metric(t, t->cols[k]) &&
                                             sx + width[k] <= v->x + v->w; k++) {
                        span = sx + width[k] - x;
                        sx += width[k] + 1;
                    }
                }
                sx_draw_text(app, y, x, nr, buf, span, cell_cur);
            } else if (l->kind == R_GROUP) {
                if (!is_metric(t, col) && !cell_cur) {
                    /* under the group's label */
                } else if (is_metric(t, col)) {
                    size_t m = col - t->rt->metric_first;
                    sx_epane_fmt_metric(t->gbest[l->r * t->rt->nmetrics + m], METRIC_FMT, buf,
                                        sizeof buf);
                    if (cell_cur)
                        sx_draw_fill(app, y, x, 1, w, SX_ROLE_CURSOR);
                    sx_draw_text_right(app, y, x, cell_cur ? SX_ROLE_CURSOR : is_cur
                                       ? base : SX_ROLE_DIM, buf, w > 1 ? w - 1 : w);
                } else if (cell_cur) {
                    sx_draw_fill(app, y, x, 1, w, SX_ROLE_CURSOR);
                }
            } else {
                cell_text(t, col, l->r, buf, sizeof buf, &best);
                if (cell_cur)
                    sx_draw_fill(app, y, x, 1, w, SX_ROLE_CURSOR);
                if (is_metric(t, col)) {
                    enum sx_role mr = cell_cur || is_cur || dim ? role
                                      : best ? SX_ROLE_BETTER : SX_ROLE_NUMBER;
                    if (best && is_cur && !cell_cur)
                        mr = SX_ROLE_BETTER;
                    sx_draw_text_right(app, y, x, mr, buf, w > 1 ? w - 1 : w);
                    if (best && w > 1)
                        sx_draw_text(app, y, x + w - 1, cell_cur ? SX_ROLE_CURSOR
                                     : SX_ROLE_BETTER, sx_glyph(app, "\u2605", "*"), 1, 0);
                } else if (is_numeric_col(t, col) && w == width[c]) {
                    sx_draw_text_right(app, y, x, cell_cur || is_cur || dim ? role
                                       : SX_ROLE_NUMBER, buf, w);
                } else {
                    enum sx_role cr = role;
                    if (!cell_cur && !is_cur && !dim && col == (size_t)t->c_start)
                        cr = SX_ROLE_DATE;
                    if (!cell_cur && !is_cur && !dim && col == (size_t)t->c_status &&
                        (strcmp(buf, "failed") == 0 || strcmp(buf, "killed") == 0))
                        cr = SX_ROLE_WORSE;
                    if (!cell_cur && !is_cur && !dim && col == (size_t)t->c_review &&
                        strcmp(buf, "needs-work") == 0)
                        cr = SX_ROLE_ALERT;
                    sx_draw_text(app, y, x, cr, buf, w, 0);
                }
            }
            x += width[c] + 1;
            if (c == 0 && t->left >= ncols)
                break;
        }
    }
    if (t->nvis == 0 && v->h > 3)
        sx_draw_text(app, y0 + 1, v->x + 2, SX_ROLE_DIM,
                     t->n == 0 ? "no runs here yet"
                               : "no run passes the filter (g| changes it; an empty one shows all)",
                     v->w - 2, 0);
    /* the filter's error panel */
    if (t->xmsg && v->h > 5) {
        int py = v->y + v->h - 3;
        char line[CELL_BUF + 16];
        snprintf(line, sizeof line, "filter: %s", t->xline ? t->xline : "");
        sx_draw_fill(app, py, v->x, 2, v->w, SX_ROLE_DEFAULT);
        sx_draw_text(app, py, v->x, SX_ROLE_PROMPT, line, v->w, 0);
        int cx = 8;
        if (t->xline) {
            char *pre = strndup(t->xline, t->xcaret);
            cx = 8 + (pre ? sx_text_width(app, pre) : 0);
            free(pre);
        }
        if (cx >= v->w)
            cx = v->w - 1;
        char caret[CELL_BUF + 8];
        snprintf(caret, sizeof caret, "^ %s", t->xmsg);
        sx_draw_text(app, py + 1, v->x + cx, SX_ROLE_ERROR, caret, v->w - cx, 0);
    }
    /* the footer */
    if (v->h > 2) {
        char foot[1200], sorted[300] = "";
        size_t sl = 0;
        for (size_t k = 0; k < t->nkeys && sl < sizeof sorted; k++)
            sl += (size_t)snprintf(sorted + sl, sizeof sorted - sl, "%s%s%s", k ? "," : "",
                                   t->f->cols[t->keys[k].col]->name,
                                   t->keys[k].descending ? "\u2193" : "\u2191");
        size_t runs_shown = 0;
        for (size_t i = 0; i < t->nvis; i++)
            runs_shown += t->vis[i].kind == R_ROW;
        char a[32], b[32];
        sx_sheet_fmt_commas(t->cur.cur + 1, a, sizeof a);
        sx_sheet_fmt_commas(t->nvis, b, sizeof b);
        int fl = snprintf(foot, sizeof foot, "line %s of %s", t->nvis ? a : "0", b);
        if (*sorted && fl > 0 && (size_t)fl < sizeof foot)
            fl += snprintf(foot + fl, sizeof foot - (size_t)fl, "  sorted %s", sorted);
        if (t->filter && fl > 0 && (size_t)fl < sizeof foot)
            fl += snprintf(foot + fl, sizeof foot - (size_t)fl, "  filter %s", t->filter);
        if (t->cur_col < t->ncols && fl > 0 && (size_t)fl < sizeof foot) {
            size_t col = t->cols[t->cur_col];
            const char *what = is_metric(t, col) ? (t->lower[col - t->rt->metric_first]
                                                        ? "metric, lower is better"
                                                        : "metric, higher is better")
                               : is_param(t, col) ? "param" : "run";
            snprintf(foot + fl, sizeof foot - (size_t)fl, "  %s (%s)", t->f->cols[col]->name,
                     what);
        }
        sx_draw_text(app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
    }
}

/* ---- commands ---- */

static const struct vrow *cur_line(const struct runs *t)
{
    return t->cur.cur < t->nvis ? &t->vis[t->cur.cur] : NULL;
}

/* The run under the cursor: its row, or -1 (after saying so). */
static long cur_run(struct runs *t)
{
    const struct vrow *l = cur_line(t);
    if (!l || l->kind != R_ROW) {
        sx_status(t->p->app, 1, "no run under the cursor");
        return -1;
    }
    return (long)l->r;
}

static unsigned do_sort(struct runs *t, int desc, int add)
{
    if (t->cur_col >= t->ncols)
        return SX_H_HANDLED;
    size_t col = t->cols[t->cur_col];
    struct sx_sort_key keys[8];
    size_t n = 0;
    if (add) {
        for (size_t k = 0; k < t->nkeys; k++)
            if (t->keys[k].col != col && n < 7)
                keys[n++] = t->keys[k];
    }
    keys[n++] = (struct sx_sort_key){col, desc};
    struct sx_err err = {0};
    size_t *o = sx_frame_sort_index(t->f, keys, n, &err);
    if (!o) {
        sx_status(t->p->app, 1, "sort: %s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    free(t->order);
    t->order = o;
    memcpy(t->keys, keys, n * sizeof *keys);
    t->nkeys = n;
    rebuild(t);
    t->cur.cur = 0;
    t->cur.top = 0;
    return SX_H_HANDLED | SX_H_REDRAW;
}

static void clear_xerr(struct runs *t)
{
    free(t->xline);
    free(t->xmsg);
    t->xline = t->xmsg = NULL;
}

/* Evaluate TEXT over the table into t->pass. On error T keeps its old
 * filter, ERR says why and *COL is the 1-based column (0 when unknown). */
static enum sx_status apply_filter(struct runs *t, const char *text, struct sx_err *err,
                                   int *col)
{
    *col = 0;
    struct sx_expr *e = sx_expr_parse(text, err, col);
    if (!e)
        return err->code ? err->code : SX_EINVAL;
    enum sx_status rc = sx_expr_check(e, t->f, err, col);
    if (rc == SX_OK && sx_expr_type(e, NULL) != SX_BOOL)
        rc = sx_err_set(err, SX_ETYPE, "1:1: a filter must be true or false, not a %s",
                        sx_type_name(sx_expr_type(e, NULL)));
    uint8_t *mask = NULL;
    char *copy = NULL;
    if (rc == SX_OK && (!(mask = malloc(t->n ? t->n : 1)) || !(copy = strdup(text))))
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
    if (rc == SX_OK)
        rc = sx_expr_eval_mask(e, t->f, mask, err);
    sx_expr_free(e);
    if (rc != SX_OK) {
        free(mask);
        free(copy);
        return rc;
    }
    free(t->pass);
    free(t->filter);
    t->pass = mask;
    t->filter = copy;
    return SX_OK;
}

static unsigned do_filter(struct runs *t, const char *arg)
{
    struct sx_app *app = t->p->app;
    char *asked = NULL;
    if (!arg) {
        const char *init = t->xline ? t->xline : t->filter ? t->filter : "";
        if (!(asked = sx_app_ask(app, "filter: ", init)))
            return SX_H_HANDLED | SX_H_REDRAW;
        arg = asked;
    }
    while (*arg == ' ' || *arg == '\t')
        arg++;
    if (!*arg) {
        free(t->pass);
        free(t->filter);
        t->pass = NULL;
        t->filter = NULL;
        clear_xerr(t);
        rebuild(t);
        sx_status(app, 0, "every run shown");
        free(asked);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_err err = {0};
    int col = 0;
    if (apply_filter(t, arg, &err, &col) != SX_OK) {
        clear_xerr(t);
        t->xline = strdup(arg);
        /* the caret under column COL of the (single-line) text */
        size_t caret = col > 0 ? (size_t)col - 1 : 0;
        t->xcaret = t->xline && caret <= strlen(t->xline) ? caret : 0;
        const char *msg = err.msg;
        /* "1:COL: what" -> "what" for the panel */
        const char *c1 = strchr(msg, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        t->xmsg = strdup(c2 && c2[1] == ' ' ? c2 + 2 : msg);
        sx_status(app, 1, "filter: %s (g| fixes it, Esc dismisses)", err.msg);
        free(asked);
        return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
    }
    clear_xerr(t);
    rebuild(t);
    char a[32], b[32];
    sx_sheet_fmt_commas(t->npass, a, sizeof a);
    sx_sheet_fmt_commas(t->n, b, sizeof b);
    sx_status(app, 0, "%s of %s runs pass %s", a, b, t->filter);
    t->cur.cur = 0;
    t->cur.top = 0;
    free(asked);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned do_group(struct runs *t, const char *arg)
{
    struct sx_app *app = t->p->app;
    while (arg && (*arg == ' ' || *arg == '\t'))
        arg++;
    long col;
    if (!arg || !*arg) {
        if (t->group_col >= 0) {
            t->group_col = -1;
            rebuild(t);
            sx_status(app, 0, "not grouped");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        col = t->cur_col < t->ncols ? (long)t->cols[t->cur_col] : -1;
    } else {
        col = sx_frame_find(t->f, arg);
    }
    if (col < 0 || col == t->c_id || col == t->c_name) {
        sx_status(app, 1, col < 0 ? "group: no column '%s' (a param, metric or run column)"
                                  : "group: '%s' names every run apart; choose a param",
                  arg && *arg ? arg : t->f->cols[col]->name);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    for (size_t g = 0; g < t->ngroups; g++)
        t->groups[g].closed = 0;
    t->group_col = col;
    rebuild(t);
    if (t->n && !t->groups) {
        sx_status(app, 1, "group: out of memory");
        t->group_col = -1;
        rebuild(t);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    t->cur.cur = t->cur.top = 0;
    sx_status(app, 0, "%zu group%s of %s", t->ngroups, t->ngroups == 1 ? "" : "s",
              t->f->cols[col]->name);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* `:columns a,b,c` (names after the run's name), `all`, `default`. */
static unsigned set_columns(struct runs *t, const char *arg)
{
    struct sx_app *app = t->p->app;
    while (*arg == ' ')
        arg++;
    if (strcmp(arg, "default") == 0) {
        if (default_cols(t) != 0)
            sx_status(app, 1, "out of memory");
        t->cur_col = 0;
        t->left = 1;
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    size_t *cols = malloc((t->f->ncols + 1) * sizeof *cols);
    char *copy = strdup(arg);
    if (!cols || !copy) {
        free(cols);
        free(copy);
        sx_status(app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    size_t n = 0;
    cols[n++] = (size_t)t->c_name;
    if (strcmp(arg, "all") == 0) {
        for (size_t c = 0; c < t->f->ncols; c++)
            if (c != (size_t)t->c_name)
                cols[n++] = c;
    } else {
        char *save = NULL;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
            while (*w == ' ')
                w++;
            size_t wl = strlen(w);
            while (wl && w[wl - 1] == ' ')
                w[--wl] = '\0';
            if (!*w)
                continue;
            long c = sx_frame_find(t->f, w);
            if (c < 0) {
                sx_status(app, 1, "columns: no column '%s' (params, metrics, and id name "
                                  "experiment status author kind parent algo review start end)",
                          w);
                free(cols);
                free(copy);
                return SX_H_HANDLED | SX_H_REDRAW;
            }
            int dup = 0;
            for (size_t k = 0; k < n; k++)
                dup |= cols[k] == (size_t)c;
            if (!dup)
                cols[n++] = (size_t)c;
        }
    }
    free(copy);
    free(t->cols);
    t->cols = cols;
    t->ncols = n;
    t->cur_col = n > 1 ? 1 : 0;
    t->left = 1;
    sx_status(app, 0, "%zu column%s after the name", n - 1, n == 2 ? "" : "s");
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* ---- the column chooser ---- */

struct chooser {
    struct runs *t;
    size_t *cols;             /* every column but the name: the shown first, in order */
    size_t n;
    struct sx_sheet_cursor cur;
};

static int col_shown(const struct runs *t, size_t col)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c] == col)
            return 1;
    return 0;
}

static void chooser_draw(struct sx_view *v)
{
    struct chooser *ch = v->priv;
    struct runs *t = ch->t;
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    int body = sx_sheet_heading(v, "columns of the runs table: Enter or - shows or hides one",
                                NULL);
    if (v->h < 2)
        return;
    sx_draw_text(v->app, v->y + 1, v->x + 1, SX_ROLE_HEADER, "    column", v->w - 1, 1);
    size_t page = body > 0 ? (size_t)body : 1;
    sx_sheet_scroll(&ch->cur, page);
    for (size_t i = 0; i < page && ch->cur.top + i < ch->n; i++) {
        size_t k = ch->cur.top + i, col = ch->cols[k];
        int y = v->y + 2 + (int)i, is_cur = k == ch->cur.cur;
        char line[600];
        const char *what = is_metric(t, col) ? "metric" : is_param(t, col) ? "param" : "run";
        snprintf(line, sizeof line, "%s %-24s %s", col_shown(t, col) ? "[x]" : "[ ]",
                 t->f->cols[col]->name, what);
        if (is_cur)
            sx_draw_fill(v->app, y, v->x, 1, v->w, SX_ROLE_CURSOR_ROW);
        sx_draw_text(v->app, y, v->x + 1, is_cur ? SX_ROLE_CURSOR_ROW
                     : col_shown(t, col) ? SX_ROLE_TEXT : SX_ROLE_DIM, line, v->w - 1, 0);
    }
}

static unsigned chooser_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct chooser *ch = v->priv;
    struct runs *t = ch->t;
    (void)arg;
    size_t page = v->h > 2 ? (size_t)(v->h - 2) : 1;
    unsigned f = sx_sheet_move(&ch->cur, cmd, page);
    if (f)
        return f;
    if (cmd != SX_CMD_ENTER && cmd != SX_CMD_HIDE)
        return 0;
    if (ch->cur.cur >= ch->n)
        return SX_H_HANDLED;
    size_t col = ch->cols[ch->cur.cur];
    if (col_shown(t, col)) {
        size_t k = 0;
        for (size_t c = 0; c < t->ncols; c++)
            if (t->cols[c] != col)
                t->cols[k++] = t->cols[c];
        t->ncols = k;
    } else {
        t->cols[t->ncols++] = col;
    }
    if (t->cur_col >= t->ncols)
        t->cur_col = t->ncols - 1;
    return SX_H_HANDLED | SX_H_REDRAW;
}

static void chooser_close(struct sx_view *v)
{
    struct chooser *ch = v->priv;
    free(ch->cols);
    free(ch);
}

static const enum sx_cmd chooser_keybar[] = {SX_CMD_ENTER, SX_CMD_HELP, SX_CMD_BACK,
                                             SX_CMD_NONE};
static const struct sx_view_ops chooser_ops = {
    .name = "run-columns",
    .title = "columns",
    .draw = chooser_draw,
    .handle = chooser_handle,
    .close = chooser_close,
    .keybar = chooser_keybar,
};

static unsigned open_chooser(struct runs *t)
{
    struct chooser *ch = calloc(1, sizeof *ch);
    if (ch)
        ch->cols = malloc((t->f->ncols + 1) * sizeof *ch->cols);
    if (!ch || !ch->cols) {
        if (ch)
            free(ch->cols);
        free(ch);
        sx_status(t->p->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    ch->t = t;
    for (size_t c = 1; c < t->ncols; c++)
        ch->cols[ch->n++] = t->cols[c];
    for (size_t c = 0; c < t->f->ncols; c++)
        if (c != (size_t)t->c_name && !col_shown(t, c))
            ch->cols[ch->n++] = c;
    ch->cur.n = ch->n;
    struct sx_view *v = sx_view_new(t->p->app, &chooser_ops, ch);
    if (!v) {
        free(ch->cols);
        free(ch);
        sx_status(t->p->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(t->p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

/* ---- folding, selection, search ---- */

static unsigned do_fold(struct runs *t, enum sx_cmd cmd)
{
    if (cmd == SX_CMD_FOLD_OPEN_ALL || cmd == SX_CMD_FOLD_CLOSE_ALL) {
        uint8_t v = cmd == SX_CMD_FOLD_OPEN_ALL;
        for (size_t r = 0; r < t->n; r++)
            t->open[r] = v && t->nkids[r];
        for (size_t g = 0; g < t->ngroups; g++)
            t->groups[g].closed = !v;
        /* a trial under the cursor hands it to its sweep */
        const struct vrow *l = cur_line(t);
        if (!v && l && l->kind == R_ROW && l->depth)
            for (size_t i = t->cur.cur; i-- > 0;)
                if (t->vis[i].depth == 0) {
                    t->cur.cur = i;
                    break;
                }
        rebuild(t);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    const struct vrow *l = cur_line(t);
    if (!l)
        return SX_H_HANDLED;
    if (l->kind == R_GROUP) {
        struct group *g = &t->groups[l->r];
        g->closed = cmd == SX_CMD_FOLD_TOGGLE ? !g->closed : cmd == SX_CMD_FOLD_CLOSE;
        rebuild(t);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    size_t r = l->r;
    if (l->depth) {
        /* on a trial: its sweep */
        r = (size_t)t->parent[r];
        if (cmd == SX_CMD_FOLD_OPEN)
            return SX_H_HANDLED;
        for (size_t i = t->cur.cur; i-- > 0;)
            if (t->vis[i].kind == R_ROW && t->vis[i].r == r) {
                t->cur.cur = i;
                break;
            }
    }
    if (t->group_col >= 0 || !t->nkids[r]) {
        sx_status(t->p->app, 1, t->group_col >= 0 ? "sweeps are unfolded while grouped"
                                                  : "not a sweep: nothing to fold");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    t->open[r] = cmd == SX_CMD_FOLD_TOGGLE ? !t->open[r] : cmd == SX_CMD_FOLD_OPEN;
    rebuild(t);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned do_select(struct runs *t)
{
    long r = cur_run(t);
    if (r < 0)
        return SX_H_HANDLED | SX_H_REDRAW;
    const char *id = row_str(t, t->c_id, (size_t)r);
    if (t->sel[r]) {
        t->sel[r] = 0;
        size_t k = 0;
        for (size_t i = 0; i < t->nsel; i++)
            if (strcmp(t->selids[i], id) != 0)
                memmove(t->selids[k++], t->selids[i], SX_UUID_LEN);
        t->nsel = k;
    } else {
        char (*ns)[SX_UUID_LEN] = realloc(t->selids, (t->nsel + 1) * sizeof *ns);
        if (!ns) {
            sx_status(t->p->app, 1, "out of memory");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        t->selids = ns;
        snprintf(t->selids[t->nsel++], SX_UUID_LEN, "%s", id);
        t->sel[r] = 1;
    }
    sx_status(t->p->app, 0, "%zu run%s selected%s", t->nsel, t->nsel == 1 ? "" : "s",
              t->nsel >= 2 ? " (c compares them)" : "");
    if (t->cur.cur + 1 < t->nvis)
        t->cur.cur++;
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned do_search(struct runs *t, const char *arg, int dir)
{
    struct sx_app *app = t->p->app;
    if (arg || !t->search) {
        char *q = arg && *arg ? strdup(arg) : sx_app_ask(app, "search run names: ", "");
        if (!q)
            return SX_H_HANDLED | SX_H_REDRAW;
        free(t->search);
        t->search = q;
    }
    for (size_t k = 1; k <= t->nvis; k++) {
        size_t i = dir > 0 ? (t->cur.cur + k) % t->nvis : (t->cur.cur + t->nvis - k) % t->nvis;
        if (t->vis[i].kind == R_ROW && strcasestr(row_str(t, t->c_name, t->vis[i].r), t->search)) {
            t->cur.cur = i;
            return SX_H_HANDLED | SX_H_REDRAW;
        }
    }
    sx_status(app, 1, "no run name shown contains '%s'", t->search);
    return SX_H_HANDLED | SX_H_REDRAW;
}

static unsigned open_detail(struct runs *t)
{
    long r = cur_run(t);
    if (r < 0)
        return SX_H_HANDLED | SX_H_REDRAW;
    struct sx_err err = {0};
    struct sx_view *v = sx_run_view_new(t->p, row_str(t, t->c_id, (size_t)r), &err);
    if (!v) {
        sx_status(t->p->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(t->p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

static unsigned do_compare(struct runs *t)
{
    if (t->nsel < 2) {
        sx_status(t->p->app, 1, "compare: select two or more runs with s first (%zu selected)",
                  t->nsel);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_err err = {0};
    struct sx_view *v = sx_compare_view_new(t->p, (const char (*)[SX_UUID_LEN])t->selids,
                                            t->nsel, &err);
    if (!v) {
        sx_status(t->p->app, 1, "compare: %s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(t->p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

static unsigned runs_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct runs *t = v->priv;
    if (t->gen != t->p->gen)
        load(t);
    if (t->error[0] || !t->rt)
        return 0;
    unsigned f = sx_sheet_move(&t->cur, cmd, (size_t)body_rows(t, v));
    if (f)
        return f;
    switch (cmd) {
    case SX_CMD_MOVE_LEFT:
        if (t->cur_col > 0)
            t->cur_col--;
        if (t->cur_col >= 1 && t->cur_col < t->left)
            t->left = t->cur_col;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_RIGHT:
        if (t->cur_col + 1 < t->ncols)
            t->cur_col++;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_HOME:
        t->cur_col = 0;
        t->left = 1;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_MOVE_END:
        t->cur_col = t->ncols ? t->ncols - 1 : 0;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_SORT_ASC: return do_sort(t, 0, 0);
    case SX_CMD_SORT_DESC: return do_sort(t, 1, 0);
    case SX_CMD_SORT_ADD_ASC: return do_sort(t, 0, 1);
    case SX_CMD_SORT_ADD_DESC: return do_sort(t, 1, 1);
    case SX_CMD_FILTER_EXPR: return do_filter(t, arg);
    case SX_CMD_GROUP: return do_group(t, arg);
    case SX_CMD_COLUMNS: return arg && *arg ? set_columns(t, arg) : open_chooser(t);
    case SX_CMD_HIDE:
        if (t->cur_col == 0) {
            sx_status(v->app, 1, "the name column stays");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        memmove(t->cols + t->cur_col, t->cols + t->cur_col + 1,
                (t->ncols - t->cur_col - 1) * sizeof *t->cols);
        t->ncols--;
        if (t->cur_col >= t->ncols)
            t->cur_col = t->ncols - 1;
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_FOLD_TOGGLE:
    case SX_CMD_FOLD_OPEN:
    case SX_CMD_FOLD_CLOSE:
    case SX_CMD_FOLD_OPEN_ALL:
    case SX_CMD_FOLD_CLOSE_ALL:
        return do_fold(t, cmd);
    case SX_CMD_SELECT_RUN: return do_select(t);
    case SX_CMD_COMPARE: return do_compare(t);
    case SX_CMD_SEARCH: return do_search(t, arg ? arg : "", 1);
    case SX_CMD_SEARCH_NEXT:
    case SX_CMD_SEARCH_PREV:
        if (!t->search) {
            sx_status(v->app, 1, "no search yet (/ searches run names)");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        return do_search(t, NULL, cmd == SX_CMD_SEARCH_NEXT ? 1 : -1);
    case SX_CMD_ENTER: {
        const struct vrow *l = cur_line(t);
        if (l && l->kind == R_GROUP)
            return do_fold(t, SX_CMD_FOLD_TOGGLE);
        return open_detail(t);
    }
    case SX_CMD_COMMENT:
    case SX_CMD_REVIEW: {
        long r = cur_run(t);
        if (r < 0)
            return SX_H_HANDLED | SX_H_REDRAW;
        return sx_epane_comment(t->p, row_str(t, t->c_id, (size_t)r),
                                row_str(t, t->c_name, (size_t)r), arg, cmd == SX_CMD_REVIEW);
    }
    case SX_CMD_BACK:
        if (t->xmsg) {
            clear_xerr(t);
            return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
        }
        return 0;
    default:
        return 0;
    }
}

static void runs_where(struct sx_view *v, char *buf, size_t size)
{
    const struct runs *t = v->priv;
    const struct vrow *l = t->rt ? cur_line(t) : NULL;
    const char *col = t->rt && t->cur_col < t->ncols ? t->f->cols[t->cols[t->cur_col]]->name
                                                     : "";
    if (l && l->kind == R_ROW)
        snprintf(buf, size, "run=%.8s col=%s", row_str(t, t->c_id, l->r), col);
    else
        snprintf(buf, size, "col=%s", col);
}

static void runs_close(struct sx_view *v)
{
    struct runs *t = v->priv;
    free_table(t);
    free(t->experiment);
    free(t->selids);
    free(t->filter);
    free(t->search);
    clear_xerr(t);
    free(t);
}

static const enum sx_cmd runs_keybar[] = {SX_CMD_ENTER, SX_CMD_SORT_ASC, SX_CMD_FILTER_EXPR,
                                          SX_CMD_SELECT_RUN, SX_CMD_COMPARE, SX_CMD_FOLD_TOGGLE,
                                          SX_CMD_COMMENT, SX_CMD_REVIEW, SX_CMD_COLUMNS,
                                          SX_CMD_HELP, SX_CMD_BACK, SX_CMD_NONE};

struct sx_view *sx_runs_view_new(struct sx_epane *p, const char *experiment, struct sx_err *err)
{
    struct runs *t = calloc(1, sizeof *t);
    if (!t || (experiment && !(t->experiment = strdup(experiment)))) {
        free(t);
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    t->p = p;
    t->group_col = -1;
    t->left = 1;
    if (load(t) != 0) {
        sx_err_set(err, SX_EIO, "%s", t->error);
        free_table(t);
        free(t->experiment);
        free(t);
        return NULL;
    }
    snprintf(t->title, sizeof t->title, "%s", experiment ? experiment : "all runs");
    t->ops = (struct sx_view_ops){
        .name = "runs",
        .title = t->title,
        .draw = runs_draw,
        .handle = runs_handle,
        .close = runs_close,
        .keybar = runs_keybar,
        .where = runs_where,
    };
    struct sx_view *v = sx_view_new(p->app, &t->ops, t);
    if (!v) {
        runs_close(&(struct sx_view){.priv = t});
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}
