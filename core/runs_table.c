/* core/runs_table.c: the runs table (core/runs.h, sx_runs_table_load): the
 * runs as one frame for `sextant runs`, filters, sorting and the
 * Experiments pane.
 *
 * It does not read run_params and run_latest row by row: every run has one
 * row in run_summary whose blob (core/runs.c, sx_runs_summer_build) holds
 * the run's fields, params and latest metrics. A load is one scan of those
 * blobs, newest first, through a memory map, building the columns as it
 * goes; rows that are stale (written by another writer) or of another
 * encoding are rebuilt from the tables on the fly. Param columns are
 * numbers while every value is one (the blob carries the number); a column
 * that meets text is redone as categories in a second scan of the same
 * snapshot. */
#include "runs.h"
#include "runs_int.h"
#include "store_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

static enum sx_status oom(struct sx_err *err)
{
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

/* Decoding a runs-table row (run_summary.data). */
struct cursor {
    const unsigned char *p, *end;
    int bad;
};

static uint32_t cur_u32(struct cursor *c)
{
    if (c->end - c->p < 4) {
        c->bad = 1;
        c->p = c->end;
        return 0;
    }
    uint32_t v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
                 (uint32_t)c->p[3] << 24;
    c->p += 4;
    return v;
}

static uint64_t cur_u64(struct cursor *c)
{
    uint64_t lo = cur_u32(c);
    return lo | (uint64_t)cur_u32(c) << 32;
}

static const char *cur_str(struct cursor *c, uint32_t *len)
{
    *len = cur_u32(c);
    if (c->bad || (size_t)(c->end - c->p) < *len) {
        c->bad = 1;
        c->p = c->end;
        *len = 0;
        return "";
    }
    const char *s = (const char *)c->p;
    c->p += *len;
    return s;
}

/* The previous run's keys, to skip the dictionary when runs share keys. */
struct keycache {
    char **s;
    uint32_t *len, *code;
    size_t n, cap;
};

static void keycache_free(struct keycache *kc)
{
    for (size_t i = 0; i < kc->cap && kc->s; i++)
        free(kc->s[i]);
    free(kc->s);
    free(kc->len);
    free(kc->code);
}

/* The code of key S (LEN bytes), the I-th of its run, in D. UINT32_MAX
 * when out of memory. */
static uint32_t key_code(struct sx_dict *d, struct keycache *kc, size_t i, const char *s,
                         uint32_t len)
{
    if (i < kc->n && kc->len[i] == len && memcmp(kc->s[i], s, len) == 0)
        return kc->code[i];
    uint32_t code = sx_dict_intern(d, s, len);
    if (code == UINT32_MAX)
        return code;
    if (i >= kc->cap) {
        size_t nc = kc->cap ? kc->cap * 2 : 16;
        while (nc <= i)
            nc *= 2;
        char **ns = realloc(kc->s, nc * sizeof *ns);
        if (!ns)
            return code;        /* no caching, still correct */
        memset(ns + kc->cap, 0, (nc - kc->cap) * sizeof *ns);
        kc->s = ns;
        uint32_t *nl = realloc(kc->len, nc * sizeof *nl);
        if (nl)
            kc->len = nl;
        uint32_t *nco = realloc(kc->code, nc * sizeof *nco);
        if (nco)
            kc->code = nco;
        if (!nl || !nco) {
            kc->n = 0;
            return code;
        }
        kc->cap = nc;
    }
    /* The dictionary keeps its own copy: point at it. */
    free(kc->s[i]);
    kc->s[i] = NULL;
    kc->s[i] = malloc(len + 1);
    if (!kc->s[i]) {
        kc->n = i;
        return code;
    }
    memcpy(kc->s[i], s, len);
    kc->s[i][len] = '\0';
    kc->len[i] = len;
    kc->code[i] = code;
    if (kc->n <= i)
        kc->n = i + 1;
    return code;
}

/* Columns of param or metric keys, by key code, built while scanning. */
struct keycols {
    struct sx_dict *keys;
    struct sx_column **col;
    uint32_t *last;             /* per key: code of the last value pushed (categories) */
    uint8_t *redo;              /* per key: a number column met a value that is not one */
    size_t cap;
    size_t reserve;             /* rows to make room for in a new column */
    struct keycache kc;
};

static void keycols_free(struct keycols *k)
{
    for (size_t i = 0; k->keys && i < k->keys->n && i < k->cap; i++)
        sx_col_free(k->col[i]);
    free(k->col);
    free(k->last);
    free(k->redo);
    sx_dict_free(k->keys);
    keycache_free(&k->kc);
}

/* The code of key S, the I-th of its run, with room for it in K's arrays;
 * UINT32_MAX when out of memory. */
static uint32_t keycols_code(struct keycols *k, size_t i, const char *s, uint32_t len)
{
    uint32_t code = key_code(k->keys, &k->kc, i, s, len);
    if (code == UINT32_MAX || code < k->cap)
        return code;
    size_t nc = k->cap ? k->cap * 2 : 64;
    while (nc <= code)
        nc *= 2;
    struct sx_column **n = realloc(k->col, nc * sizeof *n);
    if (!n)
        return UINT32_MAX;
    memset(n + k->cap, 0, (nc - k->cap) * sizeof *n);
    k->col = n;
    uint32_t *l = realloc(k->last, nc * sizeof *l);
    if (!l)
        return UINT32_MAX;
    memset(l + k->cap, 0xff, (nc - k->cap) * sizeof *l);
    k->last = l;
    uint8_t *r = realloc(k->redo, nc);
    if (!r)
        return UINT32_MAX;
    memset(r + k->cap, 0, nc - k->cap);
    k->redo = r;
    k->cap = nc;
    return code;
}

/* Fill C with missing cells up to ROW. */
static int pad_to(struct sx_column *c, size_t row)
{
    while (c->len < row)
        if (sx_col_push_missing(c) != SX_OK)
            return 0;
    return 1;
}

/* The column of key CODE, created as TYPE when new, filled with missing
 * cells up to ROW. NULL when out of memory. */
static struct sx_column *keycols_col(struct keycols *k, uint32_t code, enum sx_type type,
                                     size_t row)
{
    struct sx_column *c = k->col[code];
    if (!c) {
        if (!(c = k->col[code] = sx_col_new(k->keys->str[code], type)) ||
            sx_col_reserve(c, k->reserve) != SX_OK)
            return NULL;
    }
    return pad_to(c, row) ? c : NULL;
}

/* Push S (LEN bytes) to category column C, skipping the dictionary when
 * it equals the value *LAST (a code, UINT32_MAX none) pushed before. */
static int push_category(struct sx_column *c, const char *s, uint32_t len, uint32_t *last)
{
    if (*last != UINT32_MAX && c->dict->len[*last] == len &&
        memcmp(c->dict->str[*last], s, len) == 0)
        return sx_col_push_code(c, *last) == SX_OK;
    if (sx_col_push_str(c, s, len) != SX_OK)
        return 0;
    *last = c->v.cat[c->len - 1];
    return 1;
}

struct row_order {
    const int64_t *start;
    const struct sx_column *id;
};

/* Newest first, then by id. */
static int row_cmp(const void *a, const void *b, void *ctx)
{
    const struct row_order *o = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (o->start[x] != o->start[y])
        return o->start[x] > o->start[y] ? -1 : 1;
    return strcmp(sx_col_str(o->id, x), sx_col_str(o->id, y));
}

static int64_t ms_to_s(int64_t ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void sx_runs_table_free(struct sx_runs_table *t)
{
    if (!t)
        return;
    if (t->keys && t->frame)
        for (size_t i = 0; i < t->frame->ncols; i++)
            free(t->keys[i]);
    free(t->keys);
    sx_frame_free(t->frame);
    free(t);
}

static int key_cmp(const void *a, const void *b, void *ctx)
{
    const struct sx_dict *d = ctx;
    return strcmp(d->str[*(const uint32_t *)a], d->str[*(const uint32_t *)b]);
}

/* Codes of D sorted by their strings (new array). */
static uint32_t *sorted_codes(const struct sx_dict *d)
{
    uint32_t *c = malloc((d->n ? d->n : 1) * sizeof *c);
    if (!c)
        return NULL;
    for (uint32_t i = 0; i < d->n; i++)
        c[i] = i;
    qsort_r(c, d->n, sizeof *c, key_cmp, (void *)d);
    return c;
}

/* Rename column C to KEY, or PREFIX KEY when F has that name already
 * (then a number after it), and add it to F; its key goes to KEYS. */
static enum sx_status adopt_key_column(struct sx_frame *f, char **keys, struct sx_column *c,
                                       const char *prefix, struct sx_err *err)
{
    const char *key = c->name;
    char *name = NULL;
    for (int k = 0;; k++) {
        int r = k == 0 ? asprintf(&name, "%s", key)
              : k == 1 ? asprintf(&name, "%s%s", prefix, key)
                       : asprintf(&name, "%s%s#%d", prefix, key, k);
        if (r < 0)
            return oom(err);
        if (sx_frame_find(f, name) < 0)
            break;
        free(name);
        name = NULL;
    }
    if (!(keys[f->ncols] = strdup(key))) {
        free(name);
        return oom(err);
    }
    free(c->name);
    c->name = name;
    enum sx_status rc = sx_frame_adopt(f, c, err);
    if (rc != SX_OK) {
        free(keys[f->ncols]);
        keys[f->ncols] = NULL;
    }
    return rc;
}

/* A scan of run_summary: each row's blob, rebuilt from the tables (not
 * written back: this is a read) when stale or of another version. */
struct scan {
    sqlite3_stmt *s;
    struct sx_runs_summer m;
    int have_summer;
    struct sx_runs_blob b;
};

/* 1 with the next row's blob in *DATA / *LEN, 0 at the end, -1 with ERR. */
static int scan_next(struct sx_store *st, struct scan *sc, const unsigned char **data,
                     size_t *len, struct sx_err *err)
{
    int r = sqlite3_step(sc->s);
    if (r == SQLITE_DONE)
        return 0;
    if (r != SQLITE_ROW) {
        sx_store_db_err(st, err, "read the runs table");
        return -1;
    }
    const unsigned char *d = sqlite3_column_blob(sc->s, 0);
    size_t n = (size_t)sqlite3_column_bytes(sc->s, 0);
    if (!d || n == 0 || d[0] != SX_RUNS_SUMMARY_VERSION) {
        const char *id = (const char *)sqlite3_column_text(sc->s, 1);
        if (!sc->have_summer) {
            if (sx_runs_summer_open(st, &sc->m, err) != SX_OK)
                return -1;
            sc->have_summer = 1;
        }
        if (sx_runs_summer_build(st, &sc->m, id ? id : "", &sc->b, err) != SX_OK)
            return -1;
        d = sc->b.p;
        n = sc->b.n;
    }
    *data = d;
    *len = n;
    return 1;
}

/* The fixed fields of a blob (after its version byte). */
struct rowhead {
    const char *f[9];           /* id, experiment id, name, status, author, kind, parent,
                                   algo, review */
    uint32_t fl[9];
    int64_t start, end;
};

static int read_head(struct cursor *c, struct rowhead *h)
{
    c->p++;                     /* the version */
    for (int k = 0; k < 9; k++)
        h->f[k] = cur_str(c, &h->fl[k]);
    h->start = (int64_t)cur_u64(c);
    h->end = (int64_t)cur_u64(c);
    return !c->bad;
}

/* One param of a blob. */
static int read_param(struct cursor *c, const char **key, uint32_t *klen, const char **v,
                      uint32_t *vlen, int *isnum, double *num)
{
    *key = cur_str(c, klen);
    *v = cur_str(c, vlen);
    if (c->bad || c->end - c->p < 9) {
        c->bad = 1;
        return 0;
    }
    *isnum = *c->p++;
    uint64_t bits = cur_u64(c);
    memcpy(num, &bits, 8);
    return 1;
}

/* ---- loading ----
 *
 * The scan and the building overlap: this thread steps through
 * run_summary and copies each row's blob into chunks; a second thread
 * decodes the chunks and appends to the columns. */

enum { NFIXED = 11 };
static const char *const fixed_names[NFIXED] = {"id", "name", "experiment", "status", "author",
                                                "kind", "parent", "algo", "review", "start",
                                                "end"};

/* Everything the building thread keeps. */
struct builder {
    struct sx_column *fc[NFIXED];
    struct keycols pk, mk;
    struct sx_dict *expids;     /* experiment id -> code, into expnames */
    char **expnames;
    size_t nexp;
    int64_t *start;             /* per row: start in ms */
    size_t n, capstart;
    int sorted;                 /* rows so far are newest first */
    int64_t prev_start;
    char prev_id[64];
    uint32_t exp_last, exp_len, fixed_last[2];
    const char *exp_id;
    size_t exp_name_len;
    int redo;                   /* some number column met text */
};

/* Append the row encoded in DATA[0..LEN). 0, or -1 malformed, -2 out of
 * memory. */
static int build_row(struct builder *B, const unsigned char *data, size_t len)
{
    struct cursor c = {data, data + len, 0};
    struct rowhead h;
    int fail = 0;
    if (!read_head(&c, &h))
        return -1;
    /* id, name, experiment (by id), status, author, kind, parent */
    static const int src[7] = {0, 2, -1, 3, 4, 5, 6};
    for (int k = 0; k < 7; k++) {
        if (src[k] >= 0) {
            fail |= sx_col_push_str(B->fc[k], h.f[src[k]], h.fl[src[k]]) != SX_OK;
            continue;
        }
        if (B->exp_last == UINT32_MAX || h.fl[1] != B->exp_len ||
            memcmp(h.f[1], B->exp_id, B->exp_len) != 0) {
            uint32_t e = sx_dict_find(B->expids, h.f[1], h.fl[1]);
            B->exp_last = e;
            B->exp_len = e == UINT32_MAX ? 0 : h.fl[1];
            B->exp_id = e == UINT32_MAX ? "" : B->expids->str[e];
            B->exp_name_len = e == UINT32_MAX ? 0 : strlen(B->expnames[e]);
        }
        const char *en = B->exp_last == UINT32_MAX ? "" : B->expnames[B->exp_last];
        fail |= sx_col_push_str(B->fc[k], en, B->exp_name_len) != SX_OK;
    }
    fail |= !push_category(B->fc[7], h.f[7], h.fl[7], &B->fixed_last[0]);
    fail |= !push_category(B->fc[8], h.f[8], h.fl[8], &B->fixed_last[1]);
    fail |= sx_col_push_i64(B->fc[9], ms_to_s(h.start)) != SX_OK;
    fail |= (h.end == SX_RUNS_NO_END ? sx_col_push_missing(B->fc[10])
                                     : sx_col_push_i64(B->fc[10], ms_to_s(h.end))) != SX_OK;
    if (!sx_store_grow((void **)&B->start, &B->capstart, B->n, sizeof *B->start))
        return -2;
    B->start[B->n] = h.start;
    if (B->sorted && B->n > 0 &&
        (h.start > B->prev_start ||
         (h.start == B->prev_start && (h.fl[0] >= sizeof B->prev_id ||
                                       strncmp(B->prev_id, h.f[0], h.fl[0]) > 0))))
        B->sorted = 0;
    B->prev_start = h.start;
    if (h.fl[0] < sizeof B->prev_id) {
        memcpy(B->prev_id, h.f[0], h.fl[0]);
        B->prev_id[h.fl[0]] = '\0';
    }

    /* Params: a number column while every value is one (the blob carries
     * the number), else a category column; a number column that meets
     * text is redone as categories in a second scan. */
    uint32_t np = cur_u32(&c);
    for (uint32_t k = 0; k < np && !c.bad && !fail; k++) {
        const char *key, *v;
        uint32_t klen, vlen, code;
        int isnum;
        double num;
        if (!read_param(&c, &key, &klen, &v, &vlen, &isnum, &num))
            break;
        struct sx_column *col;
        if ((code = keycols_code(&B->pk, k, key, klen)) == UINT32_MAX ||
            !(col = keycols_col(&B->pk, code, isnum ? SX_FLOAT : SX_CATEGORY, B->n)))
            return -2;
        if (col->type == SX_CATEGORY) {
            fail = !push_category(col, v, vlen, &B->pk.last[code]);
        } else if (isnum) {
            fail = sx_col_push_f64(col, num) != SX_OK;
        } else {
            B->pk.redo[code] = 1;
            B->redo = 1;
            fail = sx_col_push_missing(col) != SX_OK;
        }
    }
    uint32_t nm = c.bad ? 0 : cur_u32(&c);
    for (uint32_t k = 0; k < nm && !c.bad && !fail; k++) {
        uint32_t klen, code;
        const char *key = cur_str(&c, &klen);
        if (c.end - c.p < 9) {
            c.bad = 1;
            break;
        }
        int present = *c.p++;
        uint64_t bits = cur_u64(&c);
        double v;
        memcpy(&v, &bits, 8);
        struct sx_column *col;
        if ((code = keycols_code(&B->mk, k, key, klen)) == UINT32_MAX ||
            !(col = keycols_col(&B->mk, code, SX_FLOAT, B->n)))
            return -2;
        fail = (present && !isnan(v) ? sx_col_push_f64(col, v)
                                     : sx_col_push_missing(col)) != SX_OK;
    }
    if (fail)
        return -2;
    if (c.bad)
        return -1;
    B->n++;
    return 0;
}

/* Blobs handed from the scan to the builder. */
#define CHUNK_BYTES (1u << 20)

struct chunk {
    struct chunk *next;
    unsigned char *bytes;       /* each blob: u32 length, then the blob */
    size_t len, cap;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail;
    int done;                   /* the scan has handed everything over */
    int result;                 /* the builder's: 0, -1 malformed, -2 out of memory */
    struct builder *B;
};

static void *builder_main(void *arg)
{
    struct pipe *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        struct chunk *c = p->head;
        if (c && !(p->head = c->next))
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        if (!c)
            break;
        int r = 0;
        for (size_t at = 0; at < c->len && r == 0;) {
            uint32_t n;
            memcpy(&n, c->bytes + at, 4);
            r = build_row(p->B, c->bytes + at + 4, n);
            at += 4 + (size_t)n;
        }
        free(c->bytes);
        free(c);
        if (r != 0) {
            pthread_mutex_lock(&p->mu);
            p->result = r;
            pthread_mutex_unlock(&p->mu);
            break;
        }
    }
    return NULL;
}

static void pipe_put(struct pipe *p, struct chunk *c)
{
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = c;
    else
        p->head = c;
    p->tail = c;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static int pipe_failed(struct pipe *p)
{
    pthread_mutex_lock(&p->mu);
    int r = p->result;
    pthread_mutex_unlock(&p->mu);
    return r;
}

/* Copy a blob into *CUR, handing full chunks over. 0, or -2 out of
 * memory. */
static int pipe_add(struct pipe *p, struct chunk **cur, const unsigned char *data, size_t len)
{
    struct chunk *c = *cur;
    if (c && c->len + len + 4 > c->cap && c->len > 0) {
        pipe_put(p, c);
        c = *cur = NULL;
    }
    if (!c) {
        if (!(c = calloc(1, sizeof *c)))
            return -2;
        c->cap = len + 4 > CHUNK_BYTES ? len + 4 : CHUNK_BYTES;
        if (!(c->bytes = malloc(c->cap))) {
            free(c);
            return -2;
        }
        *cur = c;
    }
    uint32_t n = (uint32_t)len;
    memcpy(c->bytes + c->len, &n, 4);
    memcpy(c->bytes + c->len + 4, data, len);
    c->len += len + 4;
    return 0;
}

static void builder_free(struct builder *B)
{
    for (int k = 0; k < NFIXED; k++)
        sx_col_free(B->fc[k]);
    keycols_free(&B->pk);
    keycols_free(&B->mk);
    sx_dict_free(B->expids);
    for (size_t i = 0; i < B->nexp; i++)
        free(B->expnames[i]);
    free(B->expnames);
    free(B->start);
}

/* The SQL selecting the rows (or their count) of EXPERIMENT (bound as ?1
 * when not NULL). */
static const char *rows_sql(const char *experiment, int top_level_only, int count)
{
    static const char *const sql[2][2][2] = {
        {{"SELECT data, run_id FROM run_summary ORDER BY rowid DESC",
          "SELECT data, run_id FROM run_summary WHERE parent_id IS NULL ORDER BY rowid DESC"},
         {"SELECT data, run_id FROM run_summary WHERE experiment_id = "
          "(SELECT id FROM experiments WHERE name = ?1) ORDER BY rowid DESC",
          "SELECT data, run_id FROM run_summary WHERE experiment_id = "
          "(SELECT id FROM experiments WHERE name = ?1) AND parent_id IS NULL "
          "ORDER BY rowid DESC"}},
        {{"SELECT max(rowid) FROM run_summary",
          "SELECT count(*) FROM run_summary WHERE parent_id IS NULL"},
         {"SELECT count(*) FROM run_summary WHERE experiment_id = "
          "(SELECT id FROM experiments WHERE name = ?1)",
          "SELECT count(*) FROM run_summary WHERE experiment_id = "
          "(SELECT id FROM experiments WHERE name = ?1) AND parent_id IS NULL"}}};
    return sql[count != 0][experiment != NULL][top_level_only != 0];
}

/* Read the experiments into B and check EXPERIMENT (may be NULL) is one. */
static enum sx_status load_experiments(struct sx_store *st, struct builder *B,
                                       const char *experiment, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    enum sx_status rc;
    int r, found = 0;

    if ((rc = sx_store_prep(st, "SELECT id, name FROM experiments", &s, err)) != SX_OK)
        return rc;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (!id) {
            rc = sx_err_set(err, SX_ESTORE, "%s: an experiment without an id",
                            sx_store_path(st));
            break;
        }
        if (!sx_store_grow((void **)&B->expnames, &cap, B->nexp, sizeof *B->expnames) ||
            sx_dict_intern(B->expids, id, strlen(id)) != B->nexp ||
            !(B->expnames[B->nexp] = sx_store_col_dup(s, 1))) {
            rc = oom(err);
            break;
        }
        if (experiment && strcmp(B->expnames[B->nexp], experiment) == 0)
            found = 1;
        B->nexp++;
    }
    if (rc == SX_OK && r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "read experiments");
    sqlite3_finalize(s);
    if (rc == SX_OK && experiment && !found) {
        char buf[80];
        rc = sx_err_set(err, SX_ENOTFOUND, "no experiment named '%s'",
                        sx_store_shown(experiment, buf, sizeof buf));
    }
    return rc;
}

/* The second scan: the params of B marked for redoing, as categories, in
 * the same rows (the same snapshot and order). */
static enum sx_status redo_params(struct sx_store *st, struct scan *sc, struct builder *B,
                                  struct sx_err *err)
{
    struct keycols *pk = &B->pk;
    struct sx_column **col = calloc(pk->cap ? pk->cap : 1, sizeof *col);
    const unsigned char *data;
    size_t len, i = 0;
    enum sx_status rc = SX_OK;
    int r;

    if (!col)
        return oom(err);
    sqlite3_reset(sc->s);
    while (rc == SX_OK && (r = scan_next(st, sc, &data, &len, err)) > 0 && i < B->n) {
        struct cursor c = {data, data + len, 0};
        struct rowhead h;
        if (!read_head(&c, &h))
            break;
        uint32_t np = cur_u32(&c);
        for (uint32_t k = 0; k < np && !c.bad && rc == SX_OK; k++) {
            const char *key, *v;
            uint32_t klen, vlen, code;
            int isnum;
            double num;
            if (!read_param(&c, &key, &klen, &v, &vlen, &isnum, &num))
                break;
            if ((code = keycols_code(pk, k, key, klen)) == UINT32_MAX) {
                rc = oom(err);
                break;
            }
            if (code >= pk->cap || !pk->redo[code])
                continue;
            if ((!col[code] && (!(col[code] = sx_col_new(pk->keys->str[code], SX_CATEGORY)) ||
                                sx_col_reserve(col[code], B->n) != SX_OK)) ||
                !pad_to(col[code], i) || !push_category(col[code], v, vlen, &pk->last[code]))
                rc = oom(err);
        }
        if (c.bad)
            break;
        i++;
    }
    if (rc == SX_OK && r < 0)
        rc = err ? err->code : SX_ESTORE;
    else if (rc == SX_OK && (r > 0 || i != B->n))
        rc = sx_err_set(err, SX_ESTORE, "%s: the runs table changed while read",
                        sx_store_path(st));
    for (size_t k = 0; k < pk->cap; k++) {
        if (!col[k])
            continue;
        if (rc == SX_OK) {
            sx_col_free(pk->col[k]);
            pk->col[k] = col[k];
        } else {
            sx_col_free(col[k]);
        }
    }
    free(col);
    return rc;
}

/* The frame of B's columns: the fixed ones, then params and metrics by
 * key, newest first. */
static struct sx_runs_table *assemble(struct builder *B, struct sx_err *err)
{
    size_t np = B->pk.keys->n, nm = B->mk.keys->n, n = B->n;
    struct sx_runs_table *t = calloc(1, sizeof *t);
    uint32_t *codes = NULL;
    enum sx_status rc = SX_OK;

    if (!t || !(t->frame = sx_frame_new()) ||
        !(t->keys = calloc(NFIXED + np + nm, sizeof *t->keys))) {
        rc = oom(err);
        goto out;
    }
    for (int k = 0; k < NFIXED; k++) {
        if (!(t->keys[k] = strdup(fixed_names[k]))) {
            rc = oom(err);
            goto out;
        }
        if ((rc = sx_frame_adopt(t->frame, B->fc[k], err)) != SX_OK)
            goto out;
        B->fc[k] = NULL;
    }
    struct keycols *kcs[2] = {&B->pk, &B->mk};
    for (int w = 0; w < 2; w++) {
        struct keycols *kc = kcs[w];
        if (w == 0) {
            t->param_first = t->frame->ncols;
            t->nparams = np;
        } else {
            t->metric_first = t->frame->ncols;
            t->nmetrics = nm;
        }
        free(codes);
        if (!(codes = sorted_codes(kc->keys))) {
            rc = oom(err);
            goto out;
        }
        for (uint32_t k = 0; k < kc->keys->n; k++) {
            struct sx_column *c = kc->col[codes[k]];
            if (!pad_to(c, n)) {
                rc = oom(err);
                goto out;
            }
            if ((rc = adopt_key_column(t->frame, t->keys, c, w ? "metric." : "param.",
                                       err)) != SX_OK)
                goto out;
            kc->col[codes[k]] = NULL;
        }
    }
    t->frame->nrows = n;
    /* Rows added out of time order: sort them. */
    if (!B->sorted) {
        size_t *order = malloc((n ? n : 1) * sizeof *order);
        if (!order) {
            rc = oom(err);
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        struct row_order ro = {B->start, t->frame->cols[0]};
        qsort_r(order, n, sizeof *order, row_cmp, &ro);
        struct sx_frame *f2 = sx_frame_take(t->frame, order, n, err);
        free(order);
        if (!f2) {
            rc = err ? err->code : SX_ENOMEM;
            goto out;
        }
        sx_frame_free(t->frame);
        t->frame = f2;
    }
out:
    free(codes);
    if (rc != SX_OK) {
        sx_runs_table_free(t);
        return NULL;
    }
    return t;
}

struct sx_runs_table *sx_runs_table_load(struct sx_store *st, const char *experiment,
                                         int top_level_only, struct sx_err *err)
{
    sqlite3 *db = sx_store_db(st);
    struct builder B;
    struct sx_runs_table *t = NULL;
    struct scan sc = {0};
    enum sx_status rc = SX_OK;
    int own_txn = 0, r = 0;

    memset(&B, 0, sizeof B);
    B.sorted = 1;
    B.exp_last = B.fixed_last[0] = B.fixed_last[1] = UINT32_MAX;
    B.exp_id = "";

    /* One read transaction: every row from one snapshot. The table is read
     * through a memory map rather than a read() per page. */
    sqlite3_exec(db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    if (sqlite3_get_autocommit(db)) {
        if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
            sx_store_db_err(st, err, "begin a read");
            return NULL;
        }
        own_txn = 1;
    }
    if (!(B.expids = sx_dict_new()) || !(B.pk.keys = sx_dict_new()) ||
        !(B.mk.keys = sx_dict_new())) {
        rc = oom(err);
        goto out;
    }
    for (int k = 0; k < NFIXED; k++) {
        enum sx_type ty = k < 7 ? SX_TEXT : k < 9 ? SX_CATEGORY : SX_DATE;
        if (!(B.fc[k] = sx_col_new(fixed_names[k], ty))) {
            rc = oom(err);
            goto out;
        }
        B.fc[k]->unit = SX_SECONDS;
    }
    if ((rc = load_experiments(st, &B, experiment, err)) != SX_OK)
        goto out;

    /* How many (at most): room for every column at once. */
    if ((rc = sx_store_prep(st, rows_sql(experiment, top_level_only, 1), &sc.s, err)) != SX_OK ||
        (experiment && (rc = sx_store_bind_text(st, sc.s, 1, experiment, err)) != SX_OK))
        goto out;
    if (sqlite3_step(sc.s) != SQLITE_ROW) {
        rc = sx_store_db_err(st, err, "count runs");
        goto out;
    }
    B.pk.reserve = B.mk.reserve = (size_t)sqlite3_column_int64(sc.s, 0);
    sqlite3_finalize(sc.s);
    sc.s = NULL;
    for (int k = 0; k < NFIXED; k++)
        if (sx_col_reserve(B.fc[k], B.pk.reserve) != SX_OK) {
            rc = oom(err);
            goto out;
        }

    /* The rows, newest first when runs were added in time order. */
    if ((rc = sx_store_prep(st, rows_sql(experiment, top_level_only, 0), &sc.s, err)) != SX_OK ||
        (experiment && (rc = sx_store_bind_text(st, sc.s, 1, experiment, err)) != SX_OK))
        goto out;
    struct pipe p;
    memset(&p, 0, sizeof p);
    p.B = &B;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, builder_main, &p) == 0;
    struct chunk *cur = NULL;
    const unsigned char *data;
    size_t len, rows = 0;
    int fail = 0;
    while ((r = scan_next(st, &sc, &data, &len, err)) > 0) {
        if (!threaded) {
            if ((fail = build_row(&B, data, len)) != 0)
                break;
        } else if ((fail = pipe_add(&p, &cur, data, len)) != 0 ||
                   ((++rows & 4095) == 0 && (fail = pipe_failed(&p)) != 0)) {
            break;          /* the builder stopped: no need to read on */
        }
    }
    if (threaded) {
        if (cur)
            pipe_put(&p, cur);
        pthread_mutex_lock(&p.mu);
        p.done = 1;
        pthread_cond_signal(&p.cv);
        pthread_mutex_unlock(&p.mu);
        pthread_join(tid, NULL);
        for (struct chunk *c = p.head, *nx; c; c = nx) {
            nx = c->next;
            free(c->bytes);
            free(c);
        }
        if (!fail)
            fail = p.result;
    }
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    if (r < 0) {
        rc = err ? err->code : SX_ESTORE;
        goto out;
    }
    if (fail == -2) {
        rc = oom(err);
        goto out;
    }
    if (fail == -1) {
        rc = sx_err_set(err, SX_ESTORE, "%s: a runs table row is malformed", sx_store_path(st));
        goto out;
    }
    if (B.redo && (rc = redo_params(st, &sc, &B, err)) != SX_OK)
        goto out;
    sqlite3_finalize(sc.s);
    sc.s = NULL;
    if (own_txn) {
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        own_txn = 0;
    }
    t = assemble(&B, err);
    if (!t)
        rc = err ? err->code : SX_ENOMEM;
out:
    sqlite3_finalize(sc.s);
    if (own_txn)
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (sc.have_summer)
        sx_runs_summer_close(&sc.m);
    free(sc.b.p);
    builder_free(&B);
    return rc == SX_OK ? t : NULL;
}
