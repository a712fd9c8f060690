/* tui/pane_features.c: the Features pane. Its first view lists the
 * feature sets in the store (name, versions, the latest version and its
 * spec hash, fits of all versions, when and by whom the latest was
 * written); Enter opens one: its versions, newest first, each followed by
 * its fits with their lineage (the data set version or file fitted on, the
 * data's content hash, rows, when, by whom). Enter on a version shows its
 * spec, on a fit its lineage and fitted parameters.
 *
 * On a version (the latest one from the list of sets): e edits its spec
 * into a new version (tui/view_fedit.c), p previews its output columns on
 * the data set open in the Data pane (tui/view_fpreview.c), f fits it on
 * that data set: the data set is reloaded from its file and checked
 * against its hash (a plain CSV is hashed), fitted and the fit stored, in
 * a job with progress that Esc or Ctrl-C cancels; the fit then shows in
 * the versions. `:sql [DIALECT] [MODE] [TABLE]` shows the SQL export of
 * the fit under the cursor (on a version: its latest fit), sqlite and
 * inference mode unless told; `:diff vA vB` compares two versions'
 * normalised specs line by line (without arguments: the version under
 * the cursor and the one before it). a starts a new feature set.
 *
 * Writes (saving a spec, storing a fit) are refused under --read-only and
 * without a store; the editor and its preview still work there. Only this
 * pane's views write to the feature tables; they reload when the pane's
 * generation counter moves. */
#include "fpane.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "data.h"
#include "dataset.h"
#include "hash.h"
#include "sheet.h"

/* ---- small helpers ---- */

/* "energy_train@1", "energy.csv (file)" or "" for the open data. */
static void open_label(struct sx_app *app, char *buf, size_t size)
{
    struct sx_data_open o;
    buf[0] = '\0';
    if (sx_data_current(app, &o) == 0)
        snprintf(buf, size, "%s%s", o.label, o.ds ? "" : " (file)");
}

/* What a fit was made on: "energy_train@1" or the file's name. */
static void fit_source(const struct sx_ffit_record *r, char *buf, size_t size)
{
    if (r->dataset_name && *r->dataset_name) {
        snprintf(buf, size, "%s@%d", r->dataset_name, r->dataset_version);
    } else {
        const char *base = r->source_path ? strrchr(r->source_path, '/') : NULL;
        snprintf(buf, size, "%s (file)", base ? base + 1 : r->source_path ? r->source_path : "");
    }
}

/* ---- fitting as a job ---- */

struct sx_fitjob {
    struct sx_job *job;       /* main thread's handle */
    struct sx_job *wjob;      /* the worker's, for progress */
    char *store_path;
    struct sx_fversion ver;   /* id, name, version, spec_text */
    int is_dataset;
    struct sx_dataset ds;
    char *path;
    struct sx_load_opts lo;
    char label[400];          /* the data: "energy_train@1" */
    uint64_t size;            /* the file's bytes, for progress over hash + load */
    /* results */
    struct sx_ffit_record rec;
    uint64_t rows;
    size_t noutputs;
};

static void fitjob_free(struct sx_fitjob *f)
{
    if (!f)
        return;
    free(f->store_path);
    sx_fversion_clear(&f->ver);
    sx_dataset_clear(&f->ds);
    free(f->path);
    sx_load_opts_free(&f->lo);
    sx_ffit_record_clear(&f->rec);
    free(f);
}

static int hash_progress(void *ctx, uint64_t done)
{
    struct sx_fitjob *f = ctx;
    sx_job_progress(f->wjob, done, 2 * f->size, 0);
    return sx_job_cancelled(f->wjob);
}

static int load_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
    struct sx_fitjob *f = ctx;
    (void)total;
    sx_job_progress(f->wjob, f->size + done, 2 * f->size, rows);
    return sx_job_cancelled(f->wjob);
}

static enum sx_status fit_job(void *ctx, struct sx_job *job, struct sx_err *err)
{
    struct sx_fitjob *f = ctx;
    f->wjob = job;
    enum sx_status rc = SX_OK;
    struct sx_store *st = NULL;
    struct sx_fspec *spec = NULL;
    struct sx_frame *frame = NULL;
    struct sx_ffit *fit = NULL;
    json_t *j = NULL;
    char *params = NULL;
    char hex[SX_HASH_HEX] = "", abs[PATH_MAX];

    if (!(spec = sx_fspec_parse(f->ver.spec_text, err, NULL, NULL)))
        goto fail;
    if (f->is_dataset) {
        struct sx_dataset_load_opts o = {.progress = sx_data_job_progress, .progress_ctx = job};
        if (!(frame = sx_dataset_load(&f->ds, &o, err)))
            goto fail;
    } else {
        if (!realpath(f->path, abs)) {
            rc = sx_err_set(err, SX_ENOTFOUND, "%s: the file is gone", f->path);
            goto out;
        }
        struct stat sb;
        f->size = stat(abs, &sb) == 0 ? (uint64_t)sb.st_size : 0;
        if ((rc = sx_hash_file_progress(abs, hex, NULL, hash_progress, f, err)) != SX_OK)
            goto out;
        struct sx_csv_opts co;
        sx_csv_opts_init(&co);
        sx_load_opts_apply(&f->lo, &co);
        co.progress = load_progress;
        co.progress_ctx = f;
        if (!(frame = sx_csv_load(abs, &co, NULL, err)))
            goto fail;
    }
    if (sx_job_cancelled(job)) {
        rc = sx_err_set(err, SX_ECANCEL, "fit cancelled");
        goto out;
    }
    f->rows = frame->nrows;
    if (!(fit = sx_features_fit(spec, frame, err)))
        goto fail;
    if (!(j = sx_ffit_json(fit)) || !(params = json_dumps(j, JSON_COMPACT))) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    f->noutputs = json_array_size(json_object_get(j, "outputs"));
    if (sx_job_cancelled(job)) {
        rc = sx_err_set(err, SX_ECANCEL, "fit cancelled");
        goto out;
    }
    if (!(st = sx_store_open(f->store_path, 0, err)))
        goto fail;
    struct sx_ffit_new in = {
        .version_id = f->ver.id,
        .dataset = f->is_dataset ? &f->ds : NULL,
        .source_path = f->is_dataset ? NULL : abs,
        .data_hash = f->is_dataset ? NULL : hex,
        .rows = frame->nrows,
        .params_json = params,
    };
    rc = sx_featstore_fit_put(st, &in, &f->rec, err);
    goto out;
fail:
    rc = err->code != SX_OK ? err->code : SX_ENOMEM;
out:
    if (st)
        sx_store_close(st);
    free(params);
    json_decref(j);
    sx_ffit_free(fit);
    sx_frame_free(frame);
    sx_fspec_free(spec);
    return rc;
}

int sx_fpane_version_copy(struct sx_fversion *d, const struct sx_fversion *s)
{
    *d = *s;
    d->name = strdup(s->name ? s->name : "");
    d->spec_text = strdup(s->spec_text ? s->spec_text : "");
    d->normalized = strdup(s->normalized ? s->normalized : "");
    d->author = strdup(s->author ? s->author : "");
    d->created_at = strdup(s->created_at ? s->created_at : "");
    if (!d->name || !d->spec_text || !d->normalized || !d->author || !d->created_at) {
        sx_fversion_clear(d);
        return -1;
    }
    return 0;
}

void sx_fpane_fit(struct sx_fpane *p, const struct sx_fversion *v)
{
    if (sx_app_refuse_write(p->app, "storing a fit"))
        return;
    if (p->fit) {
        sx_status(p->app, 1, "a fit is already running (Esc or Ctrl-C cancels it)");
        return;
    }
    struct sx_data_open o;
    if (sx_data_current(p->app, &o) != 0) {
        sx_status(p->app, 1, "no data set open in the Data pane to fit on (1 switches to it, "
                             "Enter opens a data set)");
        return;
    }
    struct sx_err err = {0};
    struct sx_fitjob *f = calloc(1, sizeof *f);
    if (!f || !(f->store_path = strdup(sx_store_path(sx_app_store(p->app)))) ||
        sx_fpane_version_copy(&f->ver, v) != 0 || !(f->path = strdup(o.path)) ||
        (o.ds && sx_data_dataset_copy(&f->ds, o.ds) != 0) ||
        sx_load_opts_copy(&f->lo, o.lo, &err) != SX_OK) {
        fitjob_free(f);
        sx_status(p->app, 1, "out of memory");
        return;
    }
    f->is_dataset = o.ds != NULL;
    snprintf(f->label, sizeof f->label, "%s", o.label);
    char label[600];
    snprintf(label, sizeof label, "fitting %s@v%d on %s", v->name, v->version, o.label);
    if (!(f->job = sx_job_start(p->app, label, fit_job, f))) {
        fitjob_free(f);
        sx_status(p->app, 1, "could not start the fit");
        return;
    }
    p->fit = f;
    sx_status(p->app, 0, "%s… (Esc cancels)", label);
}

/* The running fit: 1 when it finished (status set, fit freed). */
static int fit_poll(struct sx_fpane *p)
{
    struct sx_fitjob *f = p->fit;
    enum sx_status rc;
    struct sx_err err = {0};
    if (!f || !sx_job_done(f->job, &rc, &err))
        return 0;
    sx_job_free(f->job);
    f->job = NULL;
    if (rc == SX_OK) {
        char rows[32];
        sx_sheet_fmt_commas(f->rows, rows, sizeof rows);
        p->gen++;
        sx_status(p->app, 0, "stored a fit of %s@v%d on %s: %s rows, %zu outputs",
                  f->ver.name, f->ver.version, f->label, rows, f->noutputs);
    } else if (rc == SX_ECANCEL) {
        sx_status(p->app, 0, "fit cancelled; nothing stored");
    } else {
        sx_status(p->app, 1, "fit of %s@v%d on %s failed: %s", f->ver.name, f->ver.version,
                  f->label, err.msg);
    }
    fitjob_free(f);
    p->fit = NULL;
    return 1;
}

/* ---- the screens of a version and a fit ---- */

unsigned sx_fpane_edit(struct sx_fpane *p, const char *name, int base, const char *text)
{
    /* Under --read-only the editor still opens (its preview only reads);
     * saving is what is refused. */
    if (!sx_app_store(p->app)) {
        sx_status(p->app, 1, "no store to keep a spec in (sextant init creates one)");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    struct sx_err err = {0};
    struct sx_view *v = sx_fedit_new(p, name, base, text, &err);
    if (!v) {
        sx_status(p->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

unsigned sx_fpane_preview(struct sx_fpane *p, const char *title, const char *spec_text)
{
    struct sx_err err = {0};
    char t[300];
    snprintf(t, sizeof t, "preview %s", title);
    struct sx_view *v = sx_fpreview_view(p->app, t, spec_text, &err);
    if (!v) {
        sx_status(p->app, 1, "%s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

unsigned sx_fpane_version_cmd(struct sx_fpane *p, const struct sx_fversion *v, enum sx_cmd cmd)
{
    char title[SX_FSET_NAME_MAX + 16];
    switch (cmd) {
    case SX_CMD_SPEC_EDIT:
        return sx_fpane_edit(p, v->name, v->version, v->spec_text);
    case SX_CMD_FIT:
        sx_fpane_fit(p, v);
        return SX_H_HANDLED | SX_H_REDRAW;
    case SX_CMD_PREVIEW:
        snprintf(title, sizeof title, "%s@v%d", v->name, v->version);
        return sx_fpane_preview(p, title, v->spec_text);
    default:
        return 0;
    }
}

static unsigned push_text(struct sx_fpane *p, struct sx_ftext *t)
{
    struct sx_err err = {0};
    struct sx_view *v = t ? sx_ftext_view(p->app, t, &err) : NULL;
    if (!v) {
        sx_status(p->app, 1, "%s", t ? err.msg : "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

/* Enter on a version: its spec as written, numbered. */
static unsigned show_spec(struct sx_fpane *p, const struct sx_fversion *v)
{
    char title[SX_FSET_NAME_MAX + 16], heading[600], when[32];
    snprintf(title, sizeof title, "%s@v%d", v->name, v->version);
    sx_sheet_fmt_when(v->created_at, when, sizeof when);
    snprintf(heading, sizeof heading, "%s@v%d  spec %.8s  %s  %s", v->name, v->version, v->hash,
             when, v->author ? v->author : "");
    struct sx_ftext *t = sx_ftext_new(title, heading);
    if (!t || sx_ftext_set_version(t, p, v) != 0) {
        sx_ftext_free(t);
        return push_text(p, NULL);
    }
    const char *s = v->spec_text ? v->spec_text : "";
    for (int ln = 1;; ln++) {
        const char *nl = strchr(s, '\n');
        if (!nl && !*s)
            break;
        char num[16], *line = strndup(s, nl ? (size_t)(nl - s) : strlen(s));
        snprintf(num, sizeof num, "%d", ln);
        const char *l = line ? line + strspn(line, " \t") : "";
        enum sx_role role = *l == '#' ? SX_ROLE_DIM : SX_ROLE_DEFAULT;
        int bad = !line || sx_ftext_add(t, role, num, line) != 0;
        free(line);
        if (bad) {
            sx_ftext_free(t);
            return push_text(p, NULL);
        }
        if (!nl)
            break;
        s = nl + 1;
    }
    return push_text(p, t);
}

/* Enter on a fit: its lineage and fitted parameters. */
static unsigned show_fit(struct sx_fpane *p, const struct sx_ffit_record *r,
                         const struct sx_fversion *v)
{
    char title[64], heading[200], src[400], when[32], rows[32];
    snprintf(title, sizeof title, "fit %.8s", r->id);
    snprintf(heading, sizeof heading, "fit %s", r->id);
    struct sx_ftext *t = sx_ftext_new(title, heading);
    if (!t)
        return push_text(p, NULL);
    fit_source(r, src, sizeof src);
    sx_sheet_fmt_when(r->created_at, when, sizeof when);
    sx_sheet_fmt_commas(r->rows, rows, sizeof rows);
    json_error_t je;
    json_t *j = json_loads(r->params_json ? r->params_json : "{}", 0, &je);
    json_t *outs = j ? json_object_get(j, "outputs") : NULL;
    int bad = sx_ftext_addf(t, SX_ROLE_DEFAULT, "feature set   %s@v%d (spec %.8s)", r->set_name,
                            r->set_version, v ? v->hash : "") ||
              sx_ftext_addf(t, SX_ROLE_DEFAULT, "fitted on     %s", src) ||
              sx_ftext_addf(t, SX_ROLE_DEFAULT, "source file   %s",
                            r->source_path ? r->source_path : "") ||
              sx_ftext_addf(t, SX_ROLE_DEFAULT, "content hash  %s", r->data_hash) ||
              sx_ftext_addf(t, SX_ROLE_DEFAULT, "rows          %s (before filters)", rows) ||
              sx_ftext_addf(t, SX_ROLE_DEFAULT, "when          %s", when) ||
              sx_ftext_addf(t, SX_ROLE_DEFAULT, "by            %s", r->author ? r->author : "");
    if (!bad && json_is_array(outs)) {
        char *names = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&names, &len);
        size_t i;
        json_t *o;
        json_array_foreach(outs, i, o) {
            const char *n = json_string_value(json_object_get(o, "name"));
            if (m)
                fprintf(m, "%s%s", i ? ", " : "", n ? n : "?");
        }
        if (m)
            fclose(m);
        bad = sx_ftext_addf(t, SX_ROLE_DEFAULT, "outputs       %zu: %s", json_array_size(outs),
                            names ? names : "");
        free(names);
    }
    if (!bad)
        bad = sx_ftext_add(t, SX_ROLE_DEFAULT, NULL, "") ||
              sx_ftext_add(t, SX_ROLE_HEADER, NULL,
                           "fitted parameters (sextant transform applies them; :sql exports them)");
    char *pretty = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
                     : NULL;
    if (!bad)
        bad = sx_ftext_add(t, SX_ROLE_TEXT, NULL,
                           pretty ? pretty : (r->params_json ? r->params_json : ""));
    free(pretty);
    json_decref(j);
    if (bad) {
        sx_ftext_free(t);
        return push_text(p, NULL);
    }
    return push_text(p, t);
}

/* :sql on fit R: the SELECT computing its outputs, one statement. ARGS:
 * dialect, mode and table name in any order. */
static unsigned show_sql(struct sx_fpane *p, const struct sx_ffit_record *r, const char *args)
{
    enum sx_sql_dialect d = SX_SQL_SQLITE;
    enum sx_fmode mode = SX_FMODE_INFERENCE;
    char table[256] = "", dialect[16] = "sqlite";
    struct sx_err err = {0};
    char *copy = strdup(args ? args : ""), *save = NULL;
    for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w; w = strtok_r(NULL, " \t", &save)) {
        enum sx_sql_dialect dd;
        struct sx_err e2 = {0};
        if (strcmp(w, "train") == 0)
            mode = SX_FMODE_TRAIN;
        else if (strcmp(w, "inference") == 0)
            mode = SX_FMODE_INFERENCE;
        else if (sx_sql_dialect_parse(w, &dd, &e2) == SX_OK) {
            d = dd;
            snprintf(dialect, sizeof dialect, "%s", w);
        } else
            snprintf(table, sizeof table, "%s", w);
    }
    free(copy);
    if (!*table) {
        /* the data set's name, else the file's name without its extension */
        if (r->dataset_name && *r->dataset_name) {
            snprintf(table, sizeof table, "%s", r->dataset_name);
        } else {
            const char *base = r->source_path ? strrchr(r->source_path, '/') : NULL;
            snprintf(table, sizeof table, "%s", base ? base + 1 : "data");
            char *dot = strrchr(table, '.');
            if (dot && dot != table)
                *dot = '\0';
        }
    }
    struct sx_fspec *spec = NULL;
    struct sx_ffit *fit = NULL;
    char *sql = NULL;
    if (sx_featstore_fit_load(sx_app_store(p->app), r, &spec, &fit, &err) != SX_OK ||
        !(sql = sx_features_sql(fit, mode, d, table, &err))) {
        sx_status(p->app, 1, "sql: %s", err.msg);
        sx_ffit_free(fit);
        sx_fspec_free(spec);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    char title[64], heading[1200], src[400];
    fit_source(r, src, sizeof src);
    snprintf(title, sizeof title, "sql %.8s", r->id);
    snprintf(heading, sizeof heading, "SQL (%s, %s mode) of fit %.8s: %s@v%d on %s; FROM %s",
             dialect, mode == SX_FMODE_TRAIN ? "train" : "inference", r->id, r->set_name,
             r->set_version, src, table);
    struct sx_ftext *t = sx_ftext_new(title, heading);
    if (t)
        sx_ftext_set_wrap(t);
    if (!t || sx_ftext_add(t, SX_ROLE_DEFAULT, NULL, sql) != 0) {
        free(sql);
        sx_ftext_free(t);
        return push_text(p, NULL);
    }
    free(sql);
    sx_status(p->app, 0, "%s: the same outputs as the fit, computed by one SELECT", dialect);
    return push_text(p, t);
}

/* The lines of S (split at newlines; new array of new strings). */
static char **split_lines(const char *s, size_t *n)
{
    size_t cap = 16;
    char **v = malloc(cap * sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (*n == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv)
                goto oom;
            v = nv;
        }
        if (!(v[*n] = strndup(s, len)))
            goto oom;
        (*n)++;
        s = nl ? nl + 1 : s + len;
    }
    return v;
oom:
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    free(v);
    return NULL;
}

#define DIFF_MAX_LINES 2000   /* the LCS table stays under 4M cells */

/* :diff: the normalised specs of A and B, line by line (longest common
 * subsequence): removed lines "-" (WORSE), added "+" (BETTER). */
static unsigned show_diff(struct sx_fpane *p, const struct sx_fversion *a,
                          const struct sx_fversion *b)
{
    size_t na = 0, nb = 0;
    char **la = split_lines(a->normalized, &na), **lb = split_lines(b->normalized, &nb);
    unsigned *lcs = NULL;
    struct sx_ftext *t = NULL;
    char title[2 * SX_FSET_NAME_MAX + 32], heading[700];
    if (!la || !lb)
        goto oom;
    if (na > DIFF_MAX_LINES || nb > DIFF_MAX_LINES) {
        sx_status(p->app, 1, "diff: specs of more than %d statements are not compared here "
                             "(sextant features diff compares any)", DIFF_MAX_LINES);
        goto done;
    }
    if (!(lcs = calloc((na + 1) * (nb + 1), sizeof *lcs)))
        goto oom;
#define L(i, j) lcs[(i) * (nb + 1) + (j)]
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            L(i, j) = strcmp(la[i], lb[j]) == 0 ? L(i + 1, j + 1) + 1
                      : L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j) : L(i, j + 1);
    if (strcmp(a->name, b->name) == 0)
        snprintf(title, sizeof title, "diff v%d v%d", a->version, b->version);
    else
        snprintf(title, sizeof title, "diff %s@v%d %s@v%d", a->name, a->version, b->name,
                 b->version);
    size_t added = 0, removed = 0;
    for (size_t i = 0, j = 0; i < na || j < nb;) {
        if (i < na && j < nb && strcmp(la[i], lb[j]) == 0)
            i++, j++;
        else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j)))
            j++, added++;
        else
            i++, removed++;
    }
    if (strcmp(a->name, b->name) == 0)
        snprintf(heading, sizeof heading, "%s v%d %s v%d: +%zu -%zu statements (normalised specs "
                 "%.8s, %.8s)", a->name, a->version, sx_glyph(p->app, "\u2192", "->"),
                 b->version, added, removed, a->hash, b->hash);
    else
        snprintf(heading, sizeof heading, "%s@v%d %s %s@v%d: +%zu -%zu statements (normalised "
                 "specs %.8s, %.8s)", a->name, a->version, sx_glyph(p->app, "\u2192", "->"),
                 b->name, b->version, added, removed, a->hash, b->hash);
    if (!(t = sx_ftext_new(title, heading)))
        goto oom;
    if (added + removed == 0 &&
        sx_ftext_add(t, SX_ROLE_DIM, NULL, "(the two normalised specs are the same)") != 0)
        goto oom;
    for (size_t i = 0, j = 0; i < na || j < nb;) {
        int rc;
        if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
            rc = sx_ftext_add(t, SX_ROLE_DEFAULT, " ", la[i]);
            i++, j++;
        } else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j))) {
            rc = sx_ftext_add(t, SX_ROLE_BETTER, "+", lb[j++]);
        } else {
            rc = sx_ftext_add(t, SX_ROLE_WORSE, "-", la[i++]);
        }
        if (rc != 0)
            goto oom;
    }
#undef L
    {
        unsigned f = push_text(p, t);
        t = NULL;
        free(lcs);
        for (size_t i = 0; i < na; i++)
            free(la[i]);
        for (size_t i = 0; i < nb; i++)
            free(lb[i]);
        free(la);
        free(lb);
        return f;
    }
oom:
    sx_status(p->app, 1, "out of memory");
done:
    sx_ftext_free(t);
    free(lcs);
    for (size_t i = 0; la && i < na; i++)
        free(la[i]);
    for (size_t i = 0; lb && i < nb; i++)
        free(lb[i]);
    free(la);
    free(lb);
    return SX_H_HANDLED | SX_H_REDRAW;
}

/* A version named by W: "v3" or "3" of feature set NAME, or "SET@v3". */
static enum sx_status find_version(struct sx_fpane *p, const char *name, const char *w,
                                   struct sx_fversion *out, struct sx_err *err)
{
    struct sx_store *st = sx_app_store(p->app);
    if (strchr(w, '@'))
        return sx_featstore_get(st, w, out, err);
    const char *d = w[0] == 'v' ? w + 1 : w;
    char *end;
    long n = strtol(d, &end, 10);
    if (!*d || *end || n < 1 || n > INT_MAX)
        return sx_err_set(err, SX_EINVAL, "'%.60s' is not a version (v1, 2, or SET@v3)", w);
    return sx_featstore_get_version(st, name, (int)n, out, err);
}

/* :diff ARGS on feature set NAME; with no ARGS, CUR and the one before. */
static unsigned do_diff(struct sx_fpane *p, const char *name, const struct sx_fversion *cur,
                        const char *args)
{
    struct sx_err err = {0};
    struct sx_fversion a = {0}, b = {0};
    char *copy = strdup(args ? args : ""), *save = NULL;
    char *w1 = copy ? strtok_r(copy, " \t", &save) : NULL;
    char *w2 = w1 ? strtok_r(NULL, " \t", &save) : NULL;
    char *w3 = w2 ? strtok_r(NULL, " \t", &save) : NULL;
    unsigned f = SX_H_HANDLED | SX_H_REDRAW;
    if (!copy) {
        sx_status(p->app, 1, "out of memory");
    } else if (!w1 && cur) {
        if (cur->version < 2)
            sx_status(p->app, 1, "diff: %s@v%d is the first version (:diff vA vB compares two)",
                      cur->name, cur->version);
        else if (sx_featstore_get_version(sx_app_store(p->app), cur->name, cur->version - 1, &a,
                                          &err) != SX_OK)
            sx_status(p->app, 1, "diff: %s", err.msg);
        else
            f = show_diff(p, &a, cur);
    } else if (!w1 || !w2 || w3) {
        sx_status(p->app, 1, "diff wants two versions: :diff v1 v2");
    } else if (find_version(p, name, w1, &a, &err) != SX_OK ||
               find_version(p, name, w2, &b, &err) != SX_OK) {
        sx_status(p->app, 1, "diff: %s", err.msg);
    } else {
        f = show_diff(p, &a, &b);
    }
    sx_fversion_clear(&a);
    sx_fversion_clear(&b);
    free(copy);
    return f;
}

/* :sql on the latest fit of version V. */
static unsigned sql_latest(struct sx_fpane *p, const struct sx_fversion *v, const char *args)
{
    struct sx_ffit_record *fits = NULL;
    size_t n = 0;
    struct sx_err err = {0};
    if (sx_featstore_fits(sx_app_store(p->app), v->id, &fits, &n, &err) != SX_OK) {
        sx_status(p->app, 1, "sql: %s", err.msg);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    unsigned f = SX_H_HANDLED | SX_H_REDRAW;
    if (n == 0)
        sx_status(p->app, 1, "%s@v%d has no fit yet (f fits it on the data set open in the "
                             "Data pane)", v->name, v->version);
    else
        f = show_sql(p, &fits[n - 1], args);
    sx_ffit_record_list_free(fits, n);
    return f;
}

/* ---- the versions of a feature set ---- */

struct vrow {
    size_t v;                 /* index into vers */
    long f;                   /* index into fits[v], or -1: the version itself */
};

struct vlist {
    struct sx_view_ops ops;
    char title[SX_FSET_NAME_MAX + 8];
    struct sx_fpane *p;
    char *name;
    unsigned gen;
    struct sx_fversion *vers;
    size_t nv;
    struct sx_ffit_record **fits;
    size_t *nf;
    struct vrow *rows;
    size_t nrows;
    struct sx_sheet_cursor cur;
    char error[600];
};

static void vlist_clear(struct vlist *l)
{
    for (size_t i = 0; i < l->nv; i++)
        sx_ffit_record_list_free(l->fits ? l->fits[i] : NULL, l->nf ? l->nf[i] : 0);
    sx_fversion_list_free(l->vers, l->nv);
    free(l->fits);
    free(l->nf);
    free(l->rows);
    l->vers = NULL;
    l->fits = NULL;
    l->nf = NULL;
    l->rows = NULL;
    l->nv = l->nrows = 0;
}

static void vlist_load(struct vlist *l)
{
    struct sx_store *st = sx_app_store(l->p->app);
    struct sx_err err = {0};
    vlist_clear(l);
    l->error[0] = '\0';
    l->gen = l->p->gen;
    if (sx_featstore_versions(st, l->name, &l->vers, &l->nv, &err) != SX_OK) {
        snprintf(l->error, sizeof l->error, "%s", err.msg);
        return;
    }
    l->fits = calloc(l->nv ? l->nv : 1, sizeof *l->fits);
    l->nf = calloc(l->nv ? l->nv : 1, sizeof *l->nf);
    size_t total = l->nv;
    for (size_t i = 0; l->fits && l->nf && i < l->nv; i++) {
        if (sx_featstore_fits(st, l->vers[i].id, &l->fits[i], &l->nf[i], &err) != SX_OK) {
            snprintf(l->error, sizeof l->error, "%s", err.msg);
            return;
        }
        total += l->nf[i];
    }
    if (!l->fits || !l->nf || !(l->rows = malloc(total * sizeof *l->rows + 1))) {
        snprintf(l->error, sizeof l->error, "out of memory");
        return;
    }
    /* newest version first, each followed by its fits, newest first */
    for (size_t i = l->nv; i-- > 0;) {
        l->rows[l->nrows++] = (struct vrow){i, -1};
        for (size_t k = l->nf[i]; k-- > 0;)
            l->rows[l->nrows++] = (struct vrow){i, (long)k};
    }
    l->cur.n = l->nrows;
    sx_sheet_scroll(&l->cur, 1);
}

/* The version under the cursor (the fit's version on a fit row), or NULL. */
static const struct sx_fversion *vlist_version(const struct vlist *l)
{
    return l->cur.cur < l->nrows ? &l->vers[l->rows[l->cur.cur].v] : NULL;
}

static const struct sx_ffit_record *vlist_fit(const struct vlist *l)
{
    if (l->cur.cur >= l->nrows || l->rows[l->cur.cur].f < 0)
        return NULL;
    const struct vrow *r = &l->rows[l->cur.cur];
    return &l->fits[r->v][r->f];
}

static size_t vlist_page(const struct sx_view *v)
{
    return v->h > 3 ? (size_t)(v->h - 3) : 1;
}

/* The cells of row R of the versions table: a version ("v2", its spec's
 * hash "1a2b3c4d", "1 fit", "", when, who) or a fit ("  fit 00000001",
 * the data's hash "943a9d6b", "219,120 rows", "energy_train@1", when,
 * who). */
static void vrow_cells(const struct vlist *l, const struct vrow *r, char cell[][300])
{
    const struct sx_fversion *ver = &l->vers[r->v];
    char n[32];
    if (r->f < 0) {
        snprintf(cell[0], 300, "v%d", ver->version);
        snprintf(cell[1], 300, "%.8s", ver->hash);
        snprintf(cell[2], 300, "%zu fit%s", l->nf[r->v], l->nf[r->v] == 1 ? "" : "s");
        cell[3][0] = '\0';
        sx_sheet_fmt_when(ver->created_at, cell[4], 300);
        snprintf(cell[5], 300, "%s", ver->author ? ver->author : "");
        return;
    }
    const struct sx_ffit_record *fr = &l->fits[r->v][r->f];
    snprintf(cell[0], 300, "  fit %.8s", fr->id);
    snprintf(cell[1], 300, "%.8s", fr->data_hash);
    sx_sheet_fmt_commas(fr->rows, n, sizeof n);
    snprintf(cell[2], 300, "%s rows", n);
    fit_source(fr, cell[3], 300);
    sx_sheet_fmt_when(fr->created_at, cell[4], 300);
    snprintf(cell[5], 300, "%s", fr->author ? fr->author : "");
}

static void vlist_draw(struct sx_view *v)
{
    struct vlist *l = v->priv;
    if (l->gen != l->p->gen)
        vlist_load(l);
    sx_draw_fill(v->app, v->y, v->x, v->h, v->w, SX_ROLE_DEFAULT);
    if (v->h < 1 || v->w < 1)
        return;
    if (l->error[0]) {
        sx_draw_text(v->app, v->y, v->x + 1, SX_ROLE_ERROR, l->error, v->w - 1, 0);
        return;
    }
    size_t nfits = 0;
    for (size_t i = 0; i < l->nv; i++)
        nfits += l->nf[i];
    char left[400], right[400], data[300];
    snprintf(left, sizeof left, "%s: %zu version%s, %zu fit%s", l->name, l->nv,
             l->nv == 1 ? "" : "s", nfits, nfits == 1 ? "" : "s");
    open_label(v->app, data, sizeof data);
    if (*data)
        snprintf(right, sizeof right, "open data: %s", data);
    else
        snprintf(right, sizeof right, "no data open in the Data pane");
    int body = sx_sheet_heading(v, left, right);
    /* Columns: each version, then its fits, the cells labelled so one
     * table holds both; widths from the content, the data set capped. */
    enum { C_WHAT, C_HASH, C_SIZE, C_ON, C_WHEN, C_BY, C_N };
    static const char *const titles[C_N] = {"version", "spec/data", "size", "fitted on",
                                            "created", "by"};
    static const int right_aligned[C_N] = {0, 0, 1, 0, 0, 0};
    int width[C_N];
    char cell[C_N][300];
    for (int c = 0; c < C_N; c++)
        width[c] = sx_text_width(v->app, titles[c]);
    for (size_t ri = 0; ri <= l->nrows; ri++) {
        if (ri < l->nrows)
            vrow_cells(l, &l->rows[ri], cell);
        for (int c = 0; ri < l->nrows && c < C_N; c++) {
            int w = sx_text_width(v->app, cell[c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    if (width[C_ON] > 24)
        width[C_ON] = 24;
    if (width[C_BY] > 12)
        width[C_BY] = 12;
    size_t page = body > 1 ? (size_t)body - 1 : 1;
    sx_sheet_scroll(&l->cur, page);
    for (int row = -1; row < (int)page; row++) {
        size_t ri = l->cur.top + (size_t)(row < 0 ? 0 : row);
        if (row >= 0 && ri >= l->nrows)
            break;
        int y = v->y + 2 + row, is_cur = row >= 0 && ri == l->cur.cur;
        if (y >= v->y + v->h)
            break;
        enum sx_role base = row < 0 ? SX_ROLE_HEADER : is_cur ? SX_ROLE_CURSOR_ROW
                                                               : SX_ROLE_DEFAULT;
        if (row < 0 || is_cur)
            sx_draw_fill(v->app, y, v->x, 1, v->w, base);
        int is_fit = row >= 0 && l->rows[ri].f >= 0;
        if (row >= 0)
            vrow_cells(l, &l->rows[ri], cell);
        int x = v->x + 1;
        for (int c = 0; c < C_N && x < v->x + v->w; c++) {
            int room = v->x + v->w - x;
            int w = width[c] < room ? width[c] : room;
            const char *s = row < 0 ? titles[c] : cell[c];
            enum sx_role role = base;
            if (row >= 0 && !is_cur)
                role = c == C_WHEN ? SX_ROLE_DATE : c == C_HASH ? SX_ROLE_DIM
                     : c == C_SIZE ? SX_ROLE_NUMBER : c == C_WHAT && !is_fit ? SX_ROLE_TEXT
                     : SX_ROLE_DEFAULT;
            if (right_aligned[c] && row >= 0 && w == width[c])
                sx_draw_text_right(v->app, y, x, role, s, w);
            else
                sx_draw_text(v->app, y, x, role, s, w, 0);
            x += width[c] + 1;
        }
    }
    if (l->nrows == 0 && v->h > 2)
        sx_draw_text(v->app, v->y + 2, v->x + 1, SX_ROLE_DIM, "no versions", v->w - 1, 0);
}

static unsigned vlist_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct vlist *l = v->priv;
    if (l->gen != l->p->gen)
        vlist_load(l);
    unsigned f = sx_sheet_move(&l->cur, cmd, vlist_page(v));
    if (f)
        return f;
    const struct sx_fversion *ver = vlist_version(l);
    const struct sx_ffit_record *fit = vlist_fit(l);
    switch (cmd) {
    case SX_CMD_ENTER:
        if (fit)
            return show_fit(l->p, fit, ver);
        if (ver)
            return show_spec(l->p, ver);
        return SX_H_HANDLED;
    case SX_CMD_SPEC_EDIT:
    case SX_CMD_FIT:
    case SX_CMD_PREVIEW:
        if (!ver) {
            sx_status(v->app, 1, "no version here");
            return SX_H_HANDLED | SX_H_REDRAW;
        }
        return sx_fpane_version_cmd(l->p, ver, cmd);
    case SX_CMD_SQL:
        if (fit)
            return show_sql(l->p, fit, arg);
        if (ver)
            return sql_latest(l->p, ver, arg);
        return SX_H_HANDLED;
    case SX_CMD_DIFF:
        return do_diff(l->p, l->name, ver, arg);
    default:
        return 0;
    }
}

static void vlist_where(struct sx_view *v, char *buf, size_t size)
{
    const struct vlist *l = v->priv;
    const struct sx_fversion *ver = vlist_version(l);
    const struct sx_ffit_record *fit = vlist_fit(l);
    if (fit)
        snprintf(buf, size, "set=%s version=%d fit=%.8s", l->name, ver->version, fit->id);
    else
        snprintf(buf, size, "set=%s version=%d", l->name, ver ? ver->version : 0);
}

static void vlist_close(struct sx_view *v)
{
    struct vlist *l = v->priv;
    vlist_clear(l);
    free(l->name);
    free(l);
}

static const enum sx_cmd vlist_keybar[] = {SX_CMD_ENTER, SX_CMD_SPEC_EDIT, SX_CMD_FIT,
                                           SX_CMD_PREVIEW, SX_CMD_SQL, SX_CMD_DIFF,
                                           SX_CMD_HELP, SX_CMD_BACK, SX_CMD_NONE};

static unsigned open_versions(struct sx_fpane *p, const char *name)
{
    struct vlist *l = calloc(1, sizeof *l);
    if (!l || !(l->name = strdup(name))) {
        free(l);
        sx_status(p->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    l->p = p;
    vlist_load(l);
    snprintf(l->title, sizeof l->title, "%s", name);
    l->ops = (struct sx_view_ops){
        .name = "feature-versions",
        .title = l->title,
        .draw = vlist_draw,
        .handle = vlist_handle,
        .close = vlist_close,
        .keybar = vlist_keybar,
        .where = vlist_where,
    };
    struct sx_view *v = sx_view_new(p->app, &l->ops, l);
    if (!v) {
        vlist_clear(l);
        free(l->name);
        free(l);
        sx_status(p->app, 1, "out of memory");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    sx_view_push(p->app, v);
    return SX_H_HANDLED | SX_H_REDRAW | SX_H_RELAYOUT;
}

/* ---- the feature sets ---- */

struct slist {
    struct sx_fpane pane;     /* shared with every view of the pane */
    struct sx_fset *sets;
    size_t n;
    unsigned gen;
    char error[600];
    struct sx_sheet_cursor cur;
};

static void slist_load(struct slist *l)
{
    struct sx_store *st = sx_app_store(l->pane.app);
    struct sx_err err = {0};
    sx_fset_list_free(l->sets, l->n);
    l->sets = NULL;
    l->n = 0;
    l->error[0] = '\0';
    l->gen = l->pane.gen;
    if (st && sx_featstore_list(st, &l->sets, &l->n, &err) != SX_OK)
        snprintf(l->error, sizeof l->error, "%s", err.msg);
    l->cur.n = l->n;
    sx_sheet_scroll(&l->cur, 1);
}

enum { S_NAME, S_VERSIONS, S_LATEST, S_SPEC, S_FITS, S_WHEN, S_AUTHOR, S_NCOLS };

static void slist_cell(const struct sx_fset *s, int c, char *buf, size_t size)
{
    switch (c) {
    case S_NAME: snprintf(buf, size, "%s", s->name); break;
    case S_VERSIONS: snprintf(buf, size, "%d", s->nversions); break;
    case S_LATEST: snprintf(buf, size, "v%d", s->latest.version); break;
    case S_SPEC: snprintf(buf, size, "%.8s", s->latest.hash); break;
    case S_FITS: snprintf(buf, size, "%d", s->nfits); break;
    case S_WHEN: sx_sheet_fmt_when(s->latest.created_at, buf, size); break;
    default: snprintf(buf, size, "%s", s->latest.author ? s->latest.author : ""); break;
    }
}

/* sx_sheet_list cell of the feature set list: row ROW of a struct slist. */
static void slist_cell_at(const void *ctx, size_t row, int c, char *buf, size_t size)
{
    slist_cell(&((const struct slist *)ctx)->sets[row], c, buf, size);
}

static void slist_draw(struct sx_view *v)
{
    static const char *const titles[S_NCOLS] = {"name", "versions", "latest", "spec",
                                                "fits", "updated", "author"};
    static const int right[S_NCOLS] = {0, 1, 0, 0, 1, 0, 0};
    static const enum sx_role roles[S_NCOLS] = {
        SX_ROLE_TEXT, SX_ROLE_NUMBER, SX_ROLE_DEFAULT, SX_ROLE_DIM,
        SX_ROLE_NUMBER, SX_ROLE_DATE, SX_ROLE_DEFAULT,
    };
    static const char *const no_store[] = {
        "No store here: no feature sets to list.",
        "sextant init creates one; --store PATH or SEXTANT_STORE names one.",
        NULL,
    };
    static const char *const empty[] = {
        "No feature sets in the store yet.",
        "Press a to write one, or: sextant features add NAME SPEC_FILE",
        NULL,
    };
    struct slist *l = v->priv;
    if (l->gen != l->pane.gen)
        slist_load(l);
    const struct sx_sheet_list list = {
        .ncols = S_NCOLS, .titles = titles, .right = right, .roles = roles,
        .name_col = S_NAME, .author_col = S_AUTHOR, .n = l->n,
        .cell = slist_cell_at, .ctx = l, .no_store = no_store, .empty = empty,
    };
    if (sx_sheet_list_start(v, &list, sx_app_store(v->app) != NULL, l->error))
        return;
    size_t page = v->h > 2 ? (size_t)(v->h - 2) : 1;
    sx_sheet_scroll(&l->cur, page);
    sx_sheet_list_draw(v, &list, l->cur.top, l->cur.cur);
    if (v->h > 2) {
        char foot[600], data[300];
        open_label(v->app, data, sizeof data);
        snprintf(foot, sizeof foot, "feature set %zu of %zu  %s%s", l->cur.cur + 1, l->n,
                 *data ? "open data: " : "no data open in the Data pane", data);
        sx_draw_text(v->app, v->y + v->h - 1, v->x + 1, SX_ROLE_DIM, foot, v->w - 1, 0);
    }
}

/* a: ask for a name and open the editor on a starting text. */
static unsigned new_set(struct slist *l, const char *arg)
{
    struct sx_fpane *p = &l->pane;
    if (!sx_app_store(p->app)) {
        sx_status(p->app, 1, "no store to keep a feature set in (sextant init creates one)");
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    char *asked = NULL;
    if (!arg || !*arg) {
        if (!(asked = sx_app_ask(p->app, "new feature set name: ", "")))
            return SX_H_HANDLED | SX_H_REDRAW;
        arg = asked;
    }
    struct sx_err err = {0};
    struct sx_fversion v = {0};
    unsigned f = SX_H_HANDLED | SX_H_REDRAW;
    if (sx_fset_name_check(arg, &err) != SX_OK) {
        sx_status(p->app, 1, "%s", err.msg);
    } else if (sx_featstore_get_version(sx_app_store(p->app), arg, 0, &v, &err) == SX_OK) {
        sx_status(p->app, 1, "%s already exists: e on it edits a new version", arg);
        sx_fversion_clear(&v);
    } else {
        char *text = NULL;
        if (asprintf(&text, "# %s: one statement a line: feature, filter, impute, clip,\n"
                            "# standardize, minmax, onehot, bins, pca, drop (? lists the keys)\n",
                     arg) < 0)
            sx_status(p->app, 1, "out of memory");
        else
            f = sx_fpane_edit(p, arg, 0, text);
        free(text);
    }
    free(asked);
    return f;
}

static unsigned slist_handle(struct sx_view *v, enum sx_cmd cmd, const char *arg)
{
    struct slist *l = v->priv;
    struct sx_fpane *p = &l->pane;
    if (l->gen != p->gen)
        slist_load(l);
    size_t page = v->h > 2 ? (size_t)(v->h - 2) : 1;
    unsigned f = sx_sheet_move(&l->cur, cmd, page);
    if (f)
        return f;
    const struct sx_fset *s = l->cur.cur < l->n ? &l->sets[l->cur.cur] : NULL;
    switch (cmd) {
    case SX_CMD_SPEC_NEW:
        return new_set(l, arg);
    case SX_CMD_CANCEL:
        if (!p->fit)
            return 0;
        sx_job_cancel(p->fit->job);
        sx_status(v->app, 0, "cancelling the fit…");
        return SX_H_HANDLED | SX_H_REDRAW;
    default:
        break;
    }
    if (!s) {
        switch (cmd) {
        case SX_CMD_ENTER: case SX_CMD_SPEC_EDIT: case SX_CMD_FIT: case SX_CMD_PREVIEW:
        case SX_CMD_SQL: case SX_CMD_DIFF:
            sx_status(v->app, 1, sx_app_store(v->app) ? "no feature set here (a writes one)"
                                                      : "no store here");
            return SX_H_HANDLED | SX_H_REDRAW;
        default:
            return 0;
        }
    }
    switch (cmd) {
    case SX_CMD_ENTER:
        return open_versions(p, s->name);
    case SX_CMD_SPEC_EDIT:
    case SX_CMD_FIT:
    case SX_CMD_PREVIEW:
        return sx_fpane_version_cmd(p, &s->latest, cmd);
    case SX_CMD_SQL:
        return sql_latest(p, &s->latest, arg);
    case SX_CMD_DIFF:
        return do_diff(p, s->name, &s->latest, arg);
    case SX_CMD_SEARCH: {
        char *q = arg && *arg ? strdup(arg) : sx_app_ask(v->app, "search names: ", "");
        if (!q)
            return SX_H_HANDLED | SX_H_REDRAW;
        for (size_t k = 1; k <= l->n; k++) {
            size_t i = (l->cur.cur + k) % l->n;
            if (strcasestr(l->sets[i].name, q)) {
                l->cur.cur = i;
                free(q);
                return SX_H_HANDLED | SX_H_REDRAW;
            }
        }
        sx_status(v->app, 1, "no feature set name contains '%s'", q);
        free(q);
        return SX_H_HANDLED | SX_H_REDRAW;
    }
    default:
        return 0;
    }
}

static unsigned slist_tick(struct sx_view *v)
{
    struct slist *l = v->priv;
    return fit_poll(&l->pane) ? SX_H_REDRAW : 0;
}

/* Quitting while a fit runs would abandon it: ask first. */
static int slist_dirty(struct sx_view *v)
{
    const struct slist *l = v->priv;
    return l->pane.fit != NULL;
}

static void slist_close(struct sx_view *v)
{
    struct slist *l = v->priv;
    if (l->pane.fit) {
        sx_job_free(l->pane.fit->job);   /* cancels and joins */
        l->pane.fit->job = NULL;
        fitjob_free(l->pane.fit);
    }
    sx_fset_list_free(l->sets, l->n);
    free(l);
}

static const enum sx_cmd slist_keybar[] = {SX_CMD_ENTER, SX_CMD_SPEC_NEW, SX_CMD_SPEC_EDIT,
                                           SX_CMD_FIT, SX_CMD_PREVIEW, SX_CMD_SQL,
                                           SX_CMD_HELP, SX_CMD_QUIT, SX_CMD_NONE};

static const struct sx_view_ops slist_ops = {
    .name = "feature-sets",
    .title = "Feature sets",
    .draw = slist_draw,
    .handle = slist_handle,
    .tick = slist_tick,
    .close = slist_close,
    .keybar = slist_keybar,
    .dirty = slist_dirty,
};

static struct sx_view *features_open(struct sx_app *app, struct sx_err *err)
{
    struct slist *l = calloc(1, sizeof *l);
    if (!l) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    l->pane.app = app;
    l->pane.gen = 1;
    slist_load(l);
    struct sx_view *v = sx_view_new(app, &slist_ops, l);
    if (!v) {
        sx_fset_list_free(l->sets, l->n);
        free(l);
        sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    return v;
}

const struct sx_pane_ops sx_pane_features = {
    .name = "features",
    .title = "Features",
    .open = features_open,
};
