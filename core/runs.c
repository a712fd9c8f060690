/* core/runs.c: experiment tracking in the store (core/runs.h): creating,
 * ending and logging to runs, reading them back, comments and review
 * status, and a run as JSON. The runs table is core/runs_table.c.
 *
 * The tables are migration 3 in core/store.c. Every write is one
 * transaction (sx_store_begin/commit, which nest). Metric points go to
 * run_metrics; run_latest keeps each metric's latest point (largest step,
 * then time), written once per key per call however many points a batch
 * holds. Every write also encodes the run's row of the runs table
 * (run_summary.data, core/runs_int.h) again in the same transaction; store
 * triggers mark that row stale when anyone else writes the run tables. */
#include "runs.h"
#include "runs_int.h"
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "num.h"


/* ---- small helpers ---- */

static enum sx_status oom(struct sx_err *err)
{
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

/* S (WHAT names it) is valid UTF-8 of MIN..MAX bytes; with NO_CONTROL,
 * without control characters. */
static enum sx_status text_check(const char *what, const char *s, size_t min, size_t max,
                                 int no_control, struct sx_err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n < min)
        return sx_err_set(err, SX_EINVAL, "%s is empty", what);
    if (n > max)
        return sx_err_set(err, SX_EINVAL, "%s is %zu bytes long (at most %zu)", what, n, max);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = sx_store_utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (len == 0)
            return sx_err_set(err, SX_EINVAL, "%s: byte %zu is not valid UTF-8", what, i + 1);
        if (no_control && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)))
            return sx_err_set(err, SX_EINVAL, "%s: byte %zu is a control character",
                              what, i + 1);
        i += len;
    }
    return SX_OK;
}

enum sx_status sx_run_status_check(const char *status, struct sx_err *err)
{
    static const char *const ok[] = {"running", "scheduled", "finished", "failed", "killed"};
    char buf[80];
    for (size_t i = 0; status && i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(status, ok[i]) == 0)
            return SX_OK;
    return sx_err_set(err, SX_EINVAL, "unknown run status '%s' (running, scheduled, finished, "
                      "failed or killed)", sx_store_shown(status, buf, sizeof buf));
}

enum sx_status sx_run_review_check(const char *review, struct sx_err *err)
{
    char buf[80];
    if (review && (strcmp(review, "reviewed") == 0 || strcmp(review, "needs-work") == 0))
        return SX_OK;
    return sx_err_set(err, SX_EINVAL, "unknown review status '%s' (reviewed or needs-work)",
                      sx_store_shown(review, buf, sizeof buf));
}

enum sx_status sx_run_key_check(const char *key, struct sx_err *err)
{
    return text_check("key", key, 1, SX_RUN_KEY_MAX, 1, err);
}

int64_t sx_runs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sx_runs_format_ms(int64_t ms, char *out, size_t size)
{
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - s * 1000);
    time_t t = (time_t)s;
    struct tm tm;
    char buf[48];

    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "%lld", (long long)ms);
        return;
    }
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03dZ", buf, frac);
}

/* Whether run ID (a full id) exists. */
static enum sx_status run_exists(struct sx_store *st, const char *id, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    char buf[80];
    enum sx_status rc = sx_store_prep(st, "SELECT 1 FROM runs WHERE id = ?1", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK) {
        int r = sqlite3_step(s);
        if (r == SQLITE_DONE)
            rc = sx_err_set(err, SX_ENOTFOUND, "no run %s", sx_store_shown(id, buf, sizeof buf));
        else if (r != SQLITE_ROW)
            rc = sx_store_db_err(st, err, "look up a run");
    }
    sqlite3_finalize(s);
    return rc;
}

/* ---- the runs table's rows (run_summary.data; core/runs_int.h) ---- */

static void blob_put(struct sx_runs_blob *b, const void *v, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        while (ncap < b->n + n)
            ncap *= 2;
        unsigned char *np = realloc(b->p, ncap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, v, n);
    b->n += n;
}

static void blob_u32(struct sx_runs_blob *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    blob_put(b, x, 4);
}

static void blob_u64(struct sx_runs_blob *b, uint64_t v)
{
    blob_u32(b, (uint32_t)v);
    blob_u32(b, (uint32_t)(v >> 32));
}

static void blob_str(struct sx_runs_blob *b, const unsigned char *s, size_t n)
{
    blob_u32(b, (uint32_t)n);
    blob_put(b, s ? s : (const unsigned char *)"", n);
}

/* Column I of S's row as a string into B. */
static void blob_col(struct sx_runs_blob *b, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    blob_str(b, t, t ? (size_t)sqlite3_column_bytes(s, i) : 0);
}

enum sx_status sx_runs_summer_open(struct sx_store *st, struct sx_runs_summer *m, struct sx_err *err)
{
    enum sx_status rc;
    memset(m, 0, sizeof *m);
    if ((rc = sx_store_prep(st, "SELECT id, experiment_id, name, status, author, kind, "
                            "parent_id, algo, review, start_ms, end_ms FROM runs WHERE id = ?1",
                            &m->run, err)) != SX_OK ||
        (rc = sx_store_prep(st, "SELECT key, value FROM run_params WHERE run_id = ?1 "
                            "ORDER BY key", &m->params, err)) != SX_OK ||
        (rc = sx_store_prep(st, "SELECT key, value FROM run_latest WHERE run_id = ?1 "
                            "ORDER BY key", &m->latest, err)) != SX_OK) {
        sqlite3_finalize(m->run);
        sqlite3_finalize(m->params);
        sqlite3_finalize(m->latest);
        memset(m, 0, sizeof *m);
    }
    return rc;
}

void sx_runs_summer_close(struct sx_runs_summer *m)
{
    sqlite3_finalize(m->run);
    sqlite3_finalize(m->params);
    sqlite3_finalize(m->latest);
}

/* Encode run ID's summary from the tables into B (emptied first). */
enum sx_status sx_runs_summer_build(struct sx_store *st, struct sx_runs_summer *m, const char *id,
                                   struct sx_runs_blob *b, struct sx_err *err)
{
    enum sx_status rc = SX_OK;
    char buf[80];
    int r;

    b->n = 0;
    b->failed = 0;
    sqlite3_reset(m->run);
    if ((rc = sx_store_bind_text(st, m->run, 1, id, err)) != SX_OK)
        return rc;
    r = sqlite3_step(m->run);
    if (r == SQLITE_DONE)
        return sx_err_set(err, SX_ENOTFOUND, "no run %s", sx_store_shown(id, buf, sizeof buf));
    if (r != SQLITE_ROW)
        return sx_store_db_err(st, err, "read a run");
    unsigned char v = SX_RUNS_SUMMARY_VERSION;
    blob_put(b, &v, 1);
    for (int i = 0; i < 9; i++)
        blob_col(b, m->run, i);
    blob_u64(b, (uint64_t)sqlite3_column_int64(m->run, 9));
    blob_u64(b, sqlite3_column_type(m->run, 10) == SQLITE_NULL
                    ? (uint64_t)SX_RUNS_NO_END : (uint64_t)sqlite3_column_int64(m->run, 10));
    sqlite3_reset(m->run);

    sqlite3_stmt *q[2] = {m->params, m->latest};
    for (int k = 0; k < 2; k++) {
        size_t at, count = 0;
        sqlite3_reset(q[k]);
        if ((rc = sx_store_bind_text(st, q[k], 1, id, err)) != SX_OK)
            return rc;
        at = b->n;
        blob_u32(b, 0);
        while ((r = sqlite3_step(q[k])) == SQLITE_ROW) {
            blob_col(b, q[k], 0);
            if (k == 0) {
                /* The value, and whether it is a number (then the number),
                 * so the table need not parse it. */
                const unsigned char *t = sqlite3_column_text(q[k], 1);
                size_t tl = t ? (size_t)sqlite3_column_bytes(q[k], 1) : 0;
                double d = 0.0;
                unsigned char isnum = t && sx_num_parse_double((const char *)t, tl, &d);
                uint64_t bits;
                blob_str(b, t, tl);
                memcpy(&bits, &d, 8);
                blob_put(b, &isnum, 1);
                blob_u64(b, bits);
            } else {
                unsigned char present = sqlite3_column_type(q[k], 1) != SQLITE_NULL;
                double d = present ? sqlite3_column_double(q[k], 1) : 0.0;
                uint64_t bits;
                memcpy(&bits, &d, 8);
                blob_put(b, &present, 1);
                blob_u64(b, bits);
            }
            count++;
        }
        sqlite3_reset(q[k]);
        if (r != SQLITE_DONE)
            return sx_store_db_err(st, err, k ? "read latest metrics" : "read params");
        if (!b->failed) {
            unsigned char *p = b->p + at;
            p[0] = (unsigned char)count;
            p[1] = (unsigned char)(count >> 8);
            p[2] = (unsigned char)(count >> 16);
            p[3] = (unsigned char)(count >> 24);
        }
    }
    return b->failed ? oom(err) : SX_OK;
}

/* Write run ID's summary again (inside the caller's transaction). */
static enum sx_status summary_refresh(struct sx_store *st, const char *id, struct sx_err *err)
{
    struct sx_runs_summer m;
    struct sx_runs_blob b = {0};
    sqlite3_stmt *s = NULL;
    enum sx_status rc;

    if ((rc = sx_runs_summer_open(st, &m, err)) != SX_OK)
        return rc;
    if ((rc = sx_runs_summer_build(st, &m, id, &b, err)) == SX_OK &&
        (rc = sx_store_prep(st, "UPDATE run_summary SET data = ?1 WHERE run_id = ?2", &s,
                            err)) == SX_OK) {
        if (sqlite3_bind_blob(s, 1, b.p, (int)b.n, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC) != SQLITE_OK)
            rc = sx_store_db_err(st, err, "bind");
        else
            rc = sx_store_step_done(st, s, "write the runs table row", err);
    }
    sqlite3_finalize(s);
    sx_runs_summer_close(&m);
    free(b.p);
    return rc;
}

/* End a write begun with sx_store_begin: finalize S, then with RC still
 * SX_OK refresh run REFRESH_ID's summary (when not NULL) and commit; else
 * roll back. Returns RC, or the refresh's or commit's status. */
static enum sx_status write_end(struct sx_store *st, sqlite3_stmt *s, enum sx_status rc,
                                const char *refresh_id, struct sx_err *err)
{
    sqlite3_finalize(s);
    if (rc == SX_OK && refresh_id)
        rc = summary_refresh(st, refresh_id, err);
    if (rc == SX_OK)
        return sx_store_commit(st, err);
    sx_store_rollback(st);
    return rc;
}

enum sx_status sx_runs_summary_refresh(struct sx_store *st, struct sx_err *err)
{
    sqlite3_stmt *s = NULL, *w = NULL;
    struct sx_runs_summer m;
    struct sx_runs_blob b = {0};
    char **ids = NULL;
    size_t n = 0, cap = 0;
    enum sx_status rc;
    int r;

    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    char version[8];
    snprintf(version, sizeof version, "%02X", SX_RUNS_SUMMARY_VERSION);
    if ((rc = sx_store_prep(st, "SELECT run_id FROM run_summary WHERE data IS NULL OR "
                            "hex(substr(data, 1, 1)) <> ?1", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, version, err)) != SX_OK)
        goto out;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)&ids, &cap, n, sizeof *ids) ||
            !(ids[n] = sx_store_col_dup(s, 0))) {
            rc = oom(err);
            goto out;
        }
        n++;
    }
    if (r != SQLITE_DONE) {
        rc = sx_store_db_err(st, err, "read the runs table");
        goto out;
    }
    if ((rc = sx_runs_summer_open(st, &m, err)) != SX_OK)
        goto out;
    if ((rc = sx_store_prep(st, "UPDATE run_summary SET data = ?1 WHERE run_id = ?2", &w,
                            err)) == SX_OK) {
        for (size_t i = 0; i < n && rc == SX_OK; i++) {
            if ((rc = sx_runs_summer_build(st, &m, ids[i], &b, err)) != SX_OK)
                break;
            sqlite3_reset(w);
            if (sqlite3_bind_blob(w, 1, b.p, (int)b.n, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_text(w, 2, ids[i], -1, SQLITE_STATIC) != SQLITE_OK)
                rc = sx_store_db_err(st, err, "bind");
            else
                rc = sx_store_step_done(st, w, "write the runs table row", err);
        }
    }
    sx_runs_summer_close(&m);
out:
    sqlite3_finalize(s);
    sqlite3_finalize(w);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(b.p);
    if (rc == SX_OK)
        return sx_store_commit(st, err);
    sx_store_rollback(st);
    return rc;
}

/* ---- writing ---- */

/* The id of experiment NAME, created when new. */
static enum sx_status experiment_id(struct sx_store *st, const char *name,
                                    char id[SX_UUID_LEN], struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc;
    char author[256];
    int r;

    if ((rc = text_check("experiment name", name, 1, SX_RUN_KEY_MAX, 1, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_prep(st, "SELECT id FROM experiments WHERE name = ?1", &s, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK) {
        r = sqlite3_step(s);
        if (r == SQLITE_ROW) {
            if (sx_store_col_fixed(s, 0, id, SX_UUID_LEN) != SX_OK)
                rc = sx_err_set(err, SX_ESTORE, "%s: an experiment row has a malformed id",
                                sx_store_path(st));
            sqlite3_finalize(s);
            return rc;
        }
        if (r != SQLITE_DONE)
            rc = sx_store_db_err(st, err, "look up an experiment");
    }
    sqlite3_finalize(s);
    if (rc != SX_OK)
        return rc;
    sx_uuid(id);
    sx_store_author(author, sizeof author);
    if ((rc = sx_store_prep(st, "INSERT INTO experiments (id, name, author, created_ms) "
                            "VALUES (?1, ?2, ?3, ?4)", &s, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 2, name, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 3, author, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 4, sx_runs_now_ms(), err)) == SX_OK)
        rc = sx_store_step_done(st, s, "create an experiment", err);
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_runs_start(struct sx_store *st, const struct sx_run_new *in,
                             char id[SX_UUID_LEN], struct sx_err *err)
{
    static const struct sx_run_new none = {0};
    const struct sx_run_new *r = in ? in : &none;
    const char *status = r->status ? r->status : "running";
    const char *kind = r->kind ? r->kind : "run";
    const char *source = r->source ? r->source : "sextant";
    char exp[SX_UUID_LEN], author[256], name[32];
    sqlite3_stmt *s = NULL;
    enum sx_status rc;

    id[0] = '\0';
    if ((rc = sx_run_status_check(status, err)) != SX_OK)
        return rc;
    if (strcmp(kind, "run") && strcmp(kind, "sweep") && strcmp(kind, "trial"))
        return sx_err_set(err, SX_EINVAL, "unknown run kind '%s' (run, sweep or trial)",
                          sx_store_shown(kind, name, sizeof name));
    if (strcmp(source, "sextant") && strcmp(source, "cli") && strcmp(source, "mlflow"))
        return sx_err_set(err, SX_EINVAL, "unknown run source '%s' (sextant, cli or mlflow)",
                          sx_store_shown(source, name, sizeof name));
    if (r->name && (rc = text_check("run name", r->name, 1, SX_RUN_KEY_MAX, 1, err)) != SX_OK)
        return rc;
    if (r->author && (rc = text_check("author", r->author, 1, SX_RUN_KEY_MAX, 1, err)) != SX_OK)
        return rc;
    if (r->notes && (rc = text_check("notes", r->notes, 0, SX_RUN_TAG_MAX, 0, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    if (r->parent_id && (rc = run_exists(st, r->parent_id, err)) != SX_OK) {
        if (rc == SX_ENOTFOUND)
            sx_err_set(err, SX_ENOTFOUND, "parent run %s: no such run",
                       sx_store_shown(r->parent_id, name, sizeof name));
        goto end;
    }
    if ((rc = experiment_id(st, r->experiment ? r->experiment : SX_DEFAULT_EXPERIMENT, exp,
                            err)) != SX_OK)
        goto end;
    sx_uuid(id);
    snprintf(name, sizeof name, "run-%.8s", id);
    if (r->author)
        snprintf(author, sizeof author, "%s", r->author);
    else
        sx_store_author(author, sizeof author);
    if ((rc = sx_store_prep(st, "INSERT INTO runs (id, experiment_id, name, author, status, "
                            "start_ms, parent_id, kind, source, notes) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &s, err)) != SX_OK)
        goto end;
    if ((rc = sx_store_bind_text(st, s, 1, id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 2, exp, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 3, r->name ? r->name : name, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 4, author, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 5, status, err)) != SX_OK ||
        (rc = sx_store_bind_int(st, s, 6, r->start_ms ? r->start_ms : sx_runs_now_ms(),
                                err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 7, r->parent_id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 8, kind, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 9, source, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 10, r->notes ? r->notes : "", err)) != SX_OK ||
        (rc = sx_store_step_done(st, s, "create a run", err)) != SX_OK)
        goto end;
end:
    if ((rc = write_end(st, s, rc, id, err)) != SX_OK)
        id[0] = '\0';
    return rc;
}

enum sx_status sx_runs_end(struct sx_store *st, const char *id, const char *status,
                           int64_t end_ms, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc;

    if ((rc = sx_run_status_check(status, err)) != SX_OK)
        return rc;
    if (strcmp(status, "running") == 0)
        return sx_err_set(err, SX_EINVAL, "a run cannot end as 'running'");
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    if ((rc = run_exists(st, id, err)) != SX_OK ||
        (rc = sx_store_prep(st, "UPDATE runs SET status = ?1, end_ms = ?2 WHERE id = ?3", &s,
                            err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, status, err)) != SX_OK ||
        (rc = sx_store_bind_int(st, s, 2, end_ms ? end_ms : sx_runs_now_ms(), err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 3, id, err)) != SX_OK ||
        (rc = sx_store_step_done(st, s, "end a run", err)) != SX_OK)
        goto end;
end:
    return write_end(st, s, rc, id, err);
}

/* The latest point of one metric key within one logging. */
struct latest {
    char *key;                  /* owned */
    uint64_t hash;
    int64_t step, time_ms;
    double value;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* An open-addressing table of struct latest by key. */
struct latest_map {
    struct latest *slot;
    size_t nslots, n;
};

/* The entry of KEY (*FRESH set when it was added); NULL when out of
 * memory. */
static struct latest *latest_find(struct latest_map *m, const char *key, int *fresh)
{
    uint64_t h = hash_str(key);
    if ((m->n + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 16;
        struct latest *nsl = calloc(ns, sizeof *nsl);
        if (!nsl)
            return NULL;
        for (size_t i = 0; i < m->nslots; i++) {
            if (!m->slot[i].key)
                continue;
            size_t j = m->slot[i].hash & (ns - 1);
            while (nsl[j].key)
                j = (j + 1) & (ns - 1);
            nsl[j] = m->slot[i];
        }
        free(m->slot);
        m->slot = nsl;
        m->nslots = ns;
    }
    size_t j = h & (m->nslots - 1);
    while (m->slot[j].key) {
        if (m->slot[j].hash == h && strcmp(m->slot[j].key, key) == 0) {
            *fresh = 0;
            return &m->slot[j];
        }
        j = (j + 1) & (m->nslots - 1);
    }
    if (!(m->slot[j].key = strdup(key)))
        return NULL;
    m->slot[j].hash = h;
    m->n++;
    *fresh = 1;
    return &m->slot[j];
}

/* Check item IT: its kind, its key (unless CHECK_KEY is 0) and its value. */
static enum sx_status item_check(const struct sx_log_item *it, int check_key, struct sx_err *err)
{
    enum sx_status rc;
    char buf[80];
    if (it->kind != SX_LOG_PARAM && it->kind != SX_LOG_METRIC && it->kind != SX_LOG_TAG)
        return sx_err_set(err, SX_EINVAL, "unknown kind of item");
    if (check_key && (rc = sx_run_key_check(it->key, err)) != SX_OK)
        return rc;
    /* The message is copied first: err->msg cannot be both the output and
     * an argument of sx_err_set. */
    char msg[sizeof err->msg];
    if (it->kind == SX_LOG_PARAM &&
        (rc = text_check("param value", it->value, 0, SX_RUN_VALUE_MAX, 0, err)) != SX_OK) {
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        return sx_err_set(err, rc, "param %s: %s", sx_store_shown(it->key, buf, sizeof buf),
                          msg);
    }
    if (it->kind == SX_LOG_TAG &&
        (rc = text_check("tag value", it->value, 0, SX_RUN_TAG_MAX, 0, err)) != SX_OK) {
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        return sx_err_set(err, rc, "tag %s: %s", sx_store_shown(it->key, buf, sizeof buf), msg);
    }
    return SX_OK;
}

enum sx_status sx_runs_item_check(const struct sx_log_item *it, struct sx_err *err)
{
    return item_check(it, 1, err);
}

/* Check every item before anything is written (a key like the one before
 * it is not checked again). */
static enum sx_status log_check(const struct sx_log_item *items, size_t n, struct sx_err *err)
{
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct sx_log_item *it = &items[i];
        int same = prev && it->key && strcmp(prev, it->key) == 0;
        enum sx_status rc = item_check(it, !same, err);
        if (rc != SX_OK)
            return rc;
        prev = it->key;
    }
    return SX_OK;
}

/* Logging to one run inside a transaction: its statements, prepared when
 * first needed and reused, and the latest point of each metric key seen,
 * written once per key by logger_finish. */
struct sx_runs_logger {
    struct sx_store *st;
    char id[SX_UUID_LEN];
    sqlite3_stmt *met, *par_get, *par_put, *tag;
    struct latest_map map;
    struct latest *last;        /* the previous metric's entry */
    int64_t now, met_time;
    int summary;                /* the runs table row needs encoding again */
    int own_txn;                /* opened by sx_runs_log_begin */
};

static void logger_init(struct sx_runs_logger *lg, struct sx_store *st, const char *id)
{
    memset(lg, 0, sizeof *lg);
    lg->st = st;
    snprintf(lg->id, sizeof lg->id, "%s", id);
    lg->now = sx_runs_now_ms();
}

static void logger_clear(struct sx_runs_logger *lg)
{
    sqlite3_finalize(lg->met);
    sqlite3_finalize(lg->par_get);
    sqlite3_finalize(lg->par_put);
    sqlite3_finalize(lg->tag);
    for (size_t i = 0; i < lg->map.nslots; i++)
        free(lg->map.slot[i].key);
    free(lg->map.slot);
    memset(&lg->map, 0, sizeof lg->map);
    lg->met = lg->par_get = lg->par_put = lg->tag = NULL;
    lg->last = NULL;
}

static enum sx_status log_metric(struct sx_runs_logger *lg, const struct sx_log_item *it,
                                 struct sx_err *err)
{
    struct sx_store *st = lg->st;
    int64_t t = it->time_ms ? it->time_ms : lg->now;
    enum sx_status rc;

    if (!lg->met) {
        /* Bindings outlive sqlite3_reset: the run (and mostly the time)
         * are bound once for the whole batch. */
        if ((rc = sx_store_prep(st, "INSERT INTO run_metrics (run_id, key, step, time_ms, "
                                "value) VALUES (?1, ?2, ?3, ?4, ?5)", &lg->met, err)) != SX_OK)
            return rc;
        if (sqlite3_bind_text(lg->met, 1, lg->id, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_int64(lg->met, 4, t) != SQLITE_OK)
            return sx_store_db_err(st, err, "bind");
        lg->met_time = t;
    }
    sqlite3_stmt *s = lg->met;
    sqlite3_reset(s);
    if ((t != lg->met_time && sqlite3_bind_int64(s, 4, lg->met_time = t) != SQLITE_OK) ||
        sqlite3_bind_text(s, 2, it->key, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(s, 3, it->step) != SQLITE_OK ||
        (isnan(it->number) ? sqlite3_bind_null(s, 5)
                           : sqlite3_bind_double(s, 5, it->number)) != SQLITE_OK)
        return sx_store_db_err(st, err, "bind");
    if (sqlite3_step(s) != SQLITE_DONE)
        return sx_store_db_err(st, err, "log a metric");
    int fresh = 0;
    struct latest *l = lg->last && strcmp(lg->last->key, it->key) == 0
                           ? lg->last : latest_find(&lg->map, it->key, &fresh);
    if (!l)
        return oom(err);
    if (fresh || it->step > l->step || (it->step == l->step && t >= l->time_ms)) {
        l->step = it->step;
        l->time_ms = t;
        l->value = it->number;
    }
    lg->last = l;
    return SX_OK;
}

static enum sx_status log_param(struct sx_runs_logger *lg, const struct sx_log_item *it,
                                struct sx_err *err)
{
    struct sx_store *st = lg->st;
    enum sx_status rc;
    char buf[80], buf2[80], buf3[80];

    if (!lg->par_get &&
        ((rc = sx_store_prep(st, "SELECT value FROM run_params WHERE run_id = ?1 AND key = ?2",
                             &lg->par_get, err)) != SX_OK ||
         (rc = sx_store_prep(st, "INSERT INTO run_params (run_id, key, value) "
                             "VALUES (?1, ?2, ?3)", &lg->par_put, err)) != SX_OK))
        return rc;
    sqlite3_reset(lg->par_get);
    if ((rc = sx_store_bind_text(st, lg->par_get, 1, lg->id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, lg->par_get, 2, it->key, err)) != SX_OK)
        return rc;
    int r = sqlite3_step(lg->par_get);
    if (r == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(lg->par_get, 0);
        if (!old || strcmp(old, it->value) != 0)
            return sx_err_set(err, SX_EINVAL, "param %s is already '%s'; a param cannot "
                              "change (got '%s')", sx_store_shown(it->key, buf, sizeof buf),
                              sx_store_shown(old ? old : "", buf2, sizeof buf2),
                              sx_store_shown(it->value, buf3, sizeof buf3));
        return SX_OK;       /* the same value again */
    }
    if (r != SQLITE_DONE)
        return sx_store_db_err(st, err, "read a param");
    sqlite3_reset(lg->par_put);
    if ((rc = sx_store_bind_text(st, lg->par_put, 1, lg->id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, lg->par_put, 2, it->key, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, lg->par_put, 3, it->value, err)) != SX_OK ||
        (rc = sx_store_step_done(st, lg->par_put, "log a param", err)) != SX_OK)
        return rc;
    lg->summary = 1;
    return SX_OK;
}

static enum sx_status log_tag(struct sx_runs_logger *lg, const struct sx_log_item *it,
                              struct sx_err *err)
{
    struct sx_store *st = lg->st;
    enum sx_status rc;
    if (!lg->tag && (rc = sx_store_prep(st, "INSERT INTO run_tags (run_id, key, value) "
                                        "VALUES (?1, ?2, ?3) ON CONFLICT (run_id, key) "
                                        "DO UPDATE SET value = excluded.value",
                                        &lg->tag, err)) != SX_OK)
        return rc;
    sqlite3_reset(lg->tag);
    if ((rc = sx_store_bind_text(st, lg->tag, 1, lg->id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, lg->tag, 2, it->key, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, lg->tag, 3, it->value, err)) != SX_OK)
        return rc;
    return sx_store_step_done(st, lg->tag, "set a tag", err);
}

/* Write checked ITEMS[0..N). */
static enum sx_status logger_add(struct sx_runs_logger *lg, const struct sx_log_item *items,
                                 size_t n, struct sx_err *err)
{
    enum sx_status rc = SX_OK;
    for (size_t i = 0; i < n && rc == SX_OK; i++) {
        const struct sx_log_item *it = &items[i];
        rc = it->kind == SX_LOG_METRIC ? log_metric(lg, it, err)
           : it->kind == SX_LOG_PARAM ? log_param(lg, it, err)
                                      : log_tag(lg, it, err);
    }
    return rc;
}

/* The latest point of each metric key, once per key, and the run's row of
 * the runs table. */
static enum sx_status logger_finish(struct sx_runs_logger *lg, struct sx_err *err)
{
    struct sx_store *st = lg->st;
    sqlite3_stmt *lat = NULL;
    enum sx_status rc = SX_OK;

    if (lg->map.n > 0) {
        rc = sx_store_prep(st, "INSERT INTO run_latest (run_id, key, step, time_ms, value) "
                           "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (run_id, key) DO UPDATE SET "
                           "step = excluded.step, time_ms = excluded.time_ms, "
                           "value = excluded.value WHERE excluded.step > run_latest.step OR "
                           "(excluded.step = run_latest.step AND "
                           "excluded.time_ms >= run_latest.time_ms)", &lat, err);
        for (size_t j = 0; rc == SX_OK && j < lg->map.nslots; j++) {
            const struct latest *l = &lg->map.slot[j];
            if (!l->key)
                continue;
            sqlite3_reset(lat);
            if (sqlite3_bind_text(lat, 1, lg->id, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_text(lat, 2, l->key, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_int64(lat, 3, l->step) != SQLITE_OK ||
                sqlite3_bind_int64(lat, 4, l->time_ms) != SQLITE_OK ||
                (isnan(l->value) ? sqlite3_bind_null(lat, 5)
                                 : sqlite3_bind_double(lat, 5, l->value)) != SQLITE_OK)
                rc = sx_store_db_err(st, err, "bind");
            else
                rc = sx_store_step_done(st, lat, "update a latest metric", err);
        }
        sqlite3_finalize(lat);
        lg->summary = 1;
    }
    if (rc == SX_OK && lg->summary)
        rc = summary_refresh(st, lg->id, err);
    return rc;
}

/* Log ITEMS to run ID inside the caller's transaction (the run exists). */
static enum sx_status log_items(struct sx_store *st, const char *id,
                                const struct sx_log_item *items, size_t n, struct sx_err *err)
{
    struct sx_runs_logger lg;
    enum sx_status rc;
    logger_init(&lg, st, id);
    if ((rc = logger_add(&lg, items, n, err)) == SX_OK)
        rc = logger_finish(&lg, err);
    logger_clear(&lg);
    return rc;
}

enum sx_status sx_runs_log(struct sx_store *st, const char *id, const struct sx_log_item *items,
                           size_t n, struct sx_err *err)
{
    enum sx_status rc;

    if ((rc = log_check(items, n, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    if ((rc = run_exists(st, id, err)) == SX_OK && (rc = log_items(st, id, items, n, err)) == SX_OK)
        return sx_store_commit(st, err);
    sx_store_rollback(st);
    return rc;
}

enum sx_status sx_runs_log_begin(struct sx_store *st, const char *id,
                                 struct sx_runs_logger **out, struct sx_err *err)
{
    struct sx_runs_logger *lg;
    enum sx_status rc;

    *out = NULL;
    if (!(lg = malloc(sizeof *lg)))
        return oom(err);
    if ((rc = sx_store_begin(st, err)) != SX_OK) {
        free(lg);
        return rc;
    }
    if ((rc = run_exists(st, id, err)) != SX_OK) {
        sx_store_rollback(st);
        free(lg);
        return rc;
    }
    logger_init(lg, st, id);
    lg->own_txn = 1;
    *out = lg;
    return SX_OK;
}

enum sx_status sx_runs_log_add(struct sx_runs_logger *lg, const struct sx_log_item *items,
                               size_t n, struct sx_err *err)
{
    enum sx_status rc = log_check(items, n, err);
    if (rc == SX_OK)
        rc = logger_add(lg, items, n, err);
    return rc;
}

enum sx_status sx_runs_log_commit(struct sx_runs_logger *lg, struct sx_err *err)
{
    enum sx_status rc = logger_finish(lg, err);
    struct sx_store *st = lg->st;
    logger_clear(lg);
    free(lg);
    if (rc != SX_OK) {
        sx_store_rollback(st);
        return rc;
    }
    return sx_store_commit(st, err);
}

void sx_runs_log_abort(struct sx_runs_logger *lg)
{
    if (!lg)
        return;
    struct sx_store *st = lg->st;
    logger_clear(lg);
    free(lg);
    sx_store_rollback(st);
}

/* The next field of *P (spaces and tabs separate); NULL at the end. *COL
 * receives its 1-based column. */
static char *next_field(char **p, const char *line, int *col)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s) {
        *p = s;
        *col = (int)(s - line) + 1;
        return NULL;
    }
    *col = (int)(s - line) + 1;
    char *e = s;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    if (*e)
        *e++ = '\0';
    *p = e;
    return s;
}

enum sx_status sx_runs_parse_log_line(char *line, struct sx_log_item *out, int *skip,
                                      struct sx_err *err)
{
    size_t len = strlen(line);
    char *p = line, *kind, *key, *val;
    int col;

    *skip = 0;
    memset(out, 0, sizeof *out);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#') {
        *skip = 1;
        return SX_OK;
    }
    kind = next_field(&p, line, &col);
    int kcol = col;
    if (strcmp(kind, "metric") == 0)
        out->kind = SX_LOG_METRIC;
    else if (strcmp(kind, "param") == 0)
        out->kind = SX_LOG_PARAM;
    else if (strcmp(kind, "tag") == 0)
        out->kind = SX_LOG_TAG;
    else
        return sx_err_set(err, SX_EPARSE, "%d: expected metric, param or tag", kcol);
    if (!(key = next_field(&p, line, &col)))
        return sx_err_set(err, SX_EPARSE, "%d: expected a key after '%s'", col, kind);
    out->key = key;
    if (out->kind != SX_LOG_METRIC) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return sx_err_set(err, SX_EPARSE, "%d: expected a value after the key",
                              (int)(p - line) + 1);
        out->value = p;
        return SX_OK;
    }
    if (!(val = next_field(&p, line, &col)))
        return sx_err_set(err, SX_EPARSE, "%d: expected a number after the key", col);
    if (!sx_num_parse_double(val, strlen(val), &out->number)) {
        if (strcasecmp(val, "nan") == 0)
            out->number = NAN;
        else
            return sx_err_set(err, SX_EPARSE, "%d: expected a number, got '%s'", col, val);
    }
    char *step = next_field(&p, line, &col);
    if (step && !sx_num_parse_int(step, strlen(step), &out->step))
        return sx_err_set(err, SX_EPARSE, "%d: expected an integer step, got '%s'", col, step);
    if (step && next_field(&p, line, &col))
        return sx_err_set(err, SX_EPARSE, "%d: expected the end of the line", col);
    return SX_OK;
}

enum sx_status sx_runs_record(struct sx_store *st, const char *id,
                              const struct sx_run_result *r, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    const char *status = r->status ? r->status : "finished";
    enum sx_status rc;

    if ((rc = sx_run_status_check(status, err)) != SX_OK)
        return rc;
    if (r->nitems && (rc = log_check(r->items, r->nitems, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    if ((rc = run_exists(st, id, err)) != SX_OK)
        goto end;
    if ((rc = sx_store_prep(st,
            "UPDATE runs SET algo = coalesce(?1, algo), target = coalesce(?2, target), "
            "dataset_id = coalesce(?3, dataset_id), source_path = coalesce(?4, source_path), "
            "data_hash = coalesce(?5, data_hash), fit_id = coalesce(?6, fit_id), "
            "split = coalesce(?7, split), model_json = coalesce(?8, model_json), "
            "groups_json = coalesce(?9, groups_json), "
            "validation_json = coalesce(?10, validation_json), "
            "env_json = coalesce(?11, env_json), resources_json = coalesce(?12, resources_json), "
            "status = ?13, end_ms = ?14 WHERE id = ?15", &s, err)) != SX_OK)
        goto end;
    const char *v[12] = {r->algo, r->target, r->dataset_id, r->source_path, r->data_hash,
                         r->fit_id, r->split, r->model_json, r->groups_json,
                         r->validation_json, r->env_json, r->resources_json};
    for (int i = 0; i < 12; i++)
        if ((rc = sx_store_bind_text(st, s, i + 1, v[i], err)) != SX_OK)
            goto end;
    if ((rc = sx_store_bind_text(st, s, 13, status, err)) != SX_OK ||
        (rc = sx_store_bind_int(st, s, 14, sx_runs_now_ms(), err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 15, id, err)) != SX_OK ||
        (rc = sx_store_step_done(st, s, "record a run", err)) != SX_OK)
        goto end;
    sqlite3_finalize(s);
    s = NULL;
    if (r->nitems && (rc = log_items(st, id, r->items, r->nitems, err)) != SX_OK)
        goto end;
end:
    return write_end(st, s, rc, id, err);
}

enum sx_status sx_runs_set_best(struct sx_store *st, const char *parent_id,
                                const char *best_id, const char *metric, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc;
    char buf[80];
    int r;

    if ((rc = sx_run_key_check(metric, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    if ((rc = run_exists(st, parent_id, err)) != SX_OK)
        goto end;
    if ((rc = sx_store_prep(st, "SELECT parent_id FROM runs WHERE id = ?1", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, best_id, err)) != SX_OK)
        goto end;
    r = sqlite3_step(s);
    if (r == SQLITE_DONE) {
        rc = sx_err_set(err, SX_ENOTFOUND, "no run %s", sx_store_shown(best_id, buf, sizeof buf));
        goto end;
    }
    if (r != SQLITE_ROW) {
        rc = sx_store_db_err(st, err, "look up a run");
        goto end;
    }
    const char *par = (const char *)sqlite3_column_text(s, 0);
    if (!par || strcmp(par, parent_id) != 0) {
        rc = sx_err_set(err, SX_EINVAL, "run %s is not a trial of sweep %.8s",
                        sx_store_shown(best_id, buf, sizeof buf), parent_id);
        goto end;
    }
    sqlite3_finalize(s);
    s = NULL;
    if ((rc = sx_store_prep(st, "UPDATE runs SET best_metric = ?1, best_run_id = ?2 "
                            "WHERE id = ?3", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, metric, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 2, best_id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 3, parent_id, err)) != SX_OK ||
        (rc = sx_store_step_done(st, s, "mark the best trial", err)) != SX_OK)
        goto end;
end:
    return write_end(st, s, rc, parent_id, err);
}

enum sx_status sx_runs_comment(struct sx_store *st, const char *id, const char *text,
                               const char *review, struct sx_err *err)
{
    char author[256];
    sx_store_author(author, sizeof author);
    return sx_runs_comment_as(st, id, author, 0, text, review, err);
}

/* A comment by AUTHOR at CREATED_MS (0: now); sx_runs_comment is this with
 * the OS user (the demo's runs have two authors). */
enum sx_status sx_runs_comment_as(struct sx_store *st, const char *id, const char *author,
                                  int64_t created_ms, const char *text, const char *review,
                                  struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    char cid[SX_UUID_LEN];
    enum sx_status rc;
    int has_review = review && *review;

    if ((rc = text_check("author", author, 1, SX_RUN_KEY_MAX, 1, err)) != SX_OK)
        return rc;
    if (has_review && (rc = sx_run_review_check(review, err)) != SX_OK)
        return rc;
    if ((rc = text_check("comment", text ? text : "", has_review ? 0 : 1, SX_RUN_TAG_MAX, 0,
                         err)) != SX_OK)
        return rc;
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        return rc;
    if ((rc = run_exists(st, id, err)) != SX_OK)
        goto end;
    sx_uuid(cid);
    if ((rc = sx_store_prep(st, "INSERT INTO run_comments (id, run_id, author, created_ms, "
                            "text, review) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, cid, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 2, id, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 3, author, err)) != SX_OK ||
        (rc = sx_store_bind_int(st, s, 4, created_ms ? created_ms : sx_runs_now_ms(),
                                err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 5, text ? text : "", err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 6, has_review ? review : "", err)) != SX_OK ||
        (rc = sx_store_step_done(st, s, "add a comment", err)) != SX_OK)
        goto end;
    sqlite3_finalize(s);
    s = NULL;
    if (has_review) {
        if ((rc = sx_store_prep(st, "UPDATE runs SET review = ?1 WHERE id = ?2", &s,
                                err)) != SX_OK ||
            (rc = sx_store_bind_text(st, s, 1, review, err)) != SX_OK ||
            (rc = sx_store_bind_text(st, s, 2, id, err)) != SX_OK ||
            (rc = sx_store_step_done(st, s, "set the review status", err)) != SX_OK)
            goto end;
    }
end:
    return write_end(st, s, rc, has_review ? id : NULL, err);
}

/* ---- reading ---- */

enum sx_status sx_runs_resolve(struct sx_store *st, const char *id, char out[SX_UUID_LEN],
                               struct sx_err *err)
{
    char lo[SX_UUID_LEN], hi[SX_UUID_LEN + 1], buf[80];
    size_t n = id ? strlen(id) : 0;
    sqlite3_stmt *s = NULL;
    enum sx_status rc;
    int r, found = 0;

    out[0] = '\0';
    if (n < SX_RUN_PREFIX_MIN)
        return sx_err_set(err, SX_EINVAL, "run id '%s' is too short: give at least %d "
                          "characters", sx_store_shown(id ? id : "", buf, sizeof buf),
                          SX_RUN_PREFIX_MIN);
    if (n >= SX_UUID_LEN)
        return sx_err_set(err, SX_ENOTFOUND, "no run %s", sx_store_shown(id, buf, sizeof buf));
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        lo[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        if (!((lo[i] >= '0' && lo[i] <= '9') || (lo[i] >= 'a' && lo[i] <= 'f') || lo[i] == '-'))
            return sx_err_set(err, SX_ENOTFOUND, "no run %s", sx_store_shown(id, buf, sizeof buf));
    }
    lo[n] = '\0';
    memcpy(hi, lo, n);
    hi[n] = '~';
    hi[n + 1] = '\0';
    if (n == SX_UUID_LEN - 1)
        rc = sx_store_prep(st, "SELECT id FROM runs WHERE id = ?1", &s, err);
    else
        rc = sx_store_prep(st, "SELECT id FROM runs WHERE id >= ?1 AND id < ?2 LIMIT 2", &s,
                           err);
    if (rc != SX_OK)
        return rc;
    if ((rc = sx_store_bind_text(st, s, 1, lo, err)) != SX_OK ||
        (n < SX_UUID_LEN - 1 && (rc = sx_store_bind_text(st, s, 2, hi, err)) != SX_OK)) {
        sqlite3_finalize(s);
        return rc;
    }
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (found++ == 0 && sx_store_col_fixed(s, 0, out, SX_UUID_LEN) != SX_OK) {
            rc = sx_err_set(err, SX_ESTORE, "%s: a run row has a malformed id",
                            sx_store_path(st));
            break;
        }
    }
    if (rc == SX_OK && r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "look up a run");
    sqlite3_finalize(s);
    if (rc == SX_OK && found == 0)
        rc = sx_err_set(err, SX_ENOTFOUND, "no run %s", sx_store_shown(id, buf, sizeof buf));
    if (rc == SX_OK && found > 1)
        rc = sx_err_set(err, SX_EINVAL, "run id prefix %s matches several runs: give more "
                        "characters", sx_store_shown(id, buf, sizeof buf));
    if (rc != SX_OK)
        out[0] = '\0';
    return rc;
}

void sx_run_clear(struct sx_run *r)
{
    if (!r)
        return;
    char **s[] = {&r->name, &r->experiment, &r->author, &r->status, &r->parent_id, &r->kind,
                  &r->algo, &r->target, &r->split, &r->dataset_id, &r->dataset_name,
                  &r->source_path, &r->data_hash, &r->fit_id, &r->model_json, &r->groups_json,
                  &r->validation_json, &r->env_json, &r->resources_json, &r->notes, &r->review,
                  &r->best_metric, &r->best_run_id, &r->source};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->params[i].key);
        free(r->params[i].value);
    }
    free(r->params);
    for (size_t i = 0; i < r->ntags; i++) {
        free(r->tags[i].key);
        free(r->tags[i].value);
    }
    free(r->tags);
    sx_metric_points_free(r->metrics, r->nmetrics);
    for (size_t i = 0; i < r->ncomments; i++) {
        free(r->comments[i].author);
        free(r->comments[i].text);
        free(r->comments[i].review);
    }
    free(r->comments);
    memset(r, 0, sizeof *r);
}

/* The key/value rows of S (reset, bound to ID) appended to *OUT. */
static enum sx_status kv_rows(struct sx_store *st, sqlite3_stmt *s, const char *id,
                              struct sx_kv **out, size_t *n, struct sx_err *err)
{
    size_t cap = *n;
    enum sx_status rc;
    int r;

    sqlite3_reset(s);
    if ((rc = sx_store_bind_text(st, s, 1, id, err)) != SX_OK)
        return rc;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)out, &cap, *n, sizeof **out)) {
            rc = oom(err);
            break;
        }
        (*out)[*n].key = sx_store_col_dup(s, 0);
        (*out)[*n].value = sx_store_col_dup(s, 1);
        (*n)++;
        if (!(*out)[*n - 1].key || !(*out)[*n - 1].value) {
            rc = oom(err);
            break;
        }
    }
    if (rc == SX_OK && r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "read a run");
    sqlite3_reset(s);
    return rc;
}

/* The metric points of S (reset, bound to ID, then KEY when not NULL;
 * rows of key, value, step, time_ms) appended to *OUT. */
static enum sx_status point_rows(struct sx_store *st, sqlite3_stmt *s, const char *id,
                                 const char *key, struct sx_metric_point **out, size_t *n,
                                 struct sx_err *err)
{
    size_t cap = *n;
    enum sx_status rc;
    int r;

    sqlite3_reset(s);
    if ((rc = sx_store_bind_text(st, s, 1, id, err)) != SX_OK ||
        (key && (rc = sx_store_bind_text(st, s, 2, key, err)) != SX_OK))
        return rc;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)out, &cap, *n, sizeof **out)) {
            rc = oom(err);
            break;
        }
        struct sx_metric_point *p = &(*out)[*n];
        p->key = sx_store_col_dup(s, 0);
        p->value = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
        p->step = sqlite3_column_int64(s, 2);
        p->time_ms = sqlite3_column_int64(s, 3);
        (*n)++;
        if (!p->key) {
            rc = oom(err);
            break;
        }
    }
    if (rc == SX_OK && r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "read metrics");
    sqlite3_reset(s);
    return rc;
}

/* Key/value rows of SQL (bound to ID) into *OUT. */
static enum sx_status read_kv(struct sx_store *st, const char *sql, const char *id,
                              struct sx_kv **out, size_t *n, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, sql, &s, err);
    if (rc == SX_OK)
        rc = kv_rows(st, s, id, out, n, err);
    sqlite3_finalize(s);
    return rc;
}

/* Metric points of SQL (bound to ID, then KEY when not NULL). */
static enum sx_status read_points(struct sx_store *st, const char *sql, const char *id,
                                  const char *key, struct sx_metric_point **out, size_t *n,
                                  struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, sql, &s, err);
    if (rc == SX_OK)
        rc = point_rows(st, s, id, key, out, n, err);
    sqlite3_finalize(s);
    return rc;
}

#define PARAMS_SQL "SELECT key, value FROM run_params WHERE run_id = ?1 ORDER BY key"
#define TAGS_SQL "SELECT key, value FROM run_tags WHERE run_id = ?1 ORDER BY key"
#define LATEST_SQL "SELECT key, value, step, time_ms FROM run_latest WHERE run_id = ?1 " \
                   "ORDER BY key"

enum sx_status sx_runs_get(struct sx_store *st, const char *id, struct sx_run *out,
                           struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc;
    size_t cap = 0;
    int r;

    memset(out, 0, sizeof *out);
    if ((rc = sx_runs_resolve(st, id, out->id, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_prep(st,
            "SELECT r.name, e.name, r.author, r.status, r.start_ms, r.end_ms, r.parent_id, "
            "r.kind, r.algo, r.target, r.split, r.dataset_id, d.name, d.version, "
            "r.source_path, r.data_hash, r.fit_id, r.model_json, r.groups_json, "
            "r.validation_json, r.env_json, r.resources_json, r.notes, r.review, "
            "r.best_metric, r.best_run_id, r.source "
            "FROM runs r JOIN experiments e ON e.id = r.experiment_id "
            "LEFT JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?1", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, out->id, err)) != SX_OK)
        goto out;
    r = sqlite3_step(s);
    if (r != SQLITE_ROW) {
        rc = r == SQLITE_DONE ? sx_err_set(err, SX_ENOTFOUND, "no run %s", out->id)
                              : sx_store_db_err(st, err, "read a run");
        goto out;
    }
    char **str[] = {&out->name, &out->experiment, &out->author, &out->status};
    for (int i = 0; i < 4; i++)
        *str[i] = sx_store_col_dup(s, i);
    out->start_ms = sqlite3_column_int64(s, 4);
    out->end_ms = sqlite3_column_int64(s, 5);
    char **rest[] = {&out->parent_id, &out->kind, &out->algo, &out->target, &out->split,
                     &out->dataset_id, &out->dataset_name};
    for (int i = 0; i < 7; i++)
        *rest[i] = sx_store_col_dup(s, 6 + i);
    out->dataset_version = sqlite3_column_int(s, 13);
    char **tail[] = {&out->source_path, &out->data_hash, &out->fit_id, &out->model_json,
                     &out->groups_json, &out->validation_json, &out->env_json,
                     &out->resources_json, &out->notes, &out->review, &out->best_metric,
                     &out->best_run_id, &out->source};
    for (int i = 0; i < 13; i++)
        *tail[i] = sx_store_col_dup(s, 14 + i);
    sqlite3_finalize(s);
    s = NULL;
    int bad = 0;
    for (int i = 0; i < 4; i++)
        bad |= !*str[i];
    for (int i = 0; i < 7; i++)
        bad |= !*rest[i];
    for (int i = 0; i < 13; i++)
        bad |= !*tail[i];
    if (bad) {
        rc = oom(err);
        goto out;
    }
    if ((rc = read_kv(st, PARAMS_SQL, out->id, &out->params, &out->nparams, err)) != SX_OK ||
        (rc = read_kv(st, TAGS_SQL, out->id, &out->tags, &out->ntags, err)) != SX_OK ||
        (rc = read_points(st, LATEST_SQL, out->id, NULL, &out->metrics, &out->nmetrics,
                          err)) != SX_OK)
        goto out;
    if ((rc = sx_store_prep(st, "SELECT author, created_ms, text, review FROM run_comments "
                            "WHERE run_id = ?1 ORDER BY created_ms, rowid", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, out->id, err)) != SX_OK)
        goto out;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)&out->comments, &cap, out->ncomments, sizeof *out->comments)) {
            rc = oom(err);
            goto out;
        }
        struct sx_comment *c = &out->comments[out->ncomments++];
        c->author = sx_store_col_dup(s, 0);
        c->created_ms = sqlite3_column_int64(s, 1);
        c->text = sx_store_col_dup(s, 2);
        c->review = sx_store_col_dup(s, 3);
        if (!c->author || !c->text || !c->review) {
            rc = oom(err);
            goto out;
        }
    }
    if (r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "read comments");
out:
    sqlite3_finalize(s);
    if (rc != SX_OK)
        sx_run_clear(out);
    return rc;
}

enum sx_status sx_runs_history(struct sx_store *st, const char *id, const char *key,
                               struct sx_metric_point **out, size_t *n, struct sx_err *err)
{
    char full[SX_UUID_LEN];
    enum sx_status rc;

    *out = NULL;
    *n = 0;
    if ((rc = sx_runs_resolve(st, id, full, err)) != SX_OK)
        return rc;
    rc = read_points(st, key ? "SELECT key, value, step, time_ms FROM run_metrics "
                               "WHERE run_id = ?1 AND key = ?2 ORDER BY step, time_ms, rowid"
                             : "SELECT key, value, step, time_ms FROM run_metrics "
                               "WHERE run_id = ?1 ORDER BY key, step, time_ms, rowid",
                     full, key, out, n, err);
    if (rc != SX_OK) {
        sx_metric_points_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void sx_metric_points_free(struct sx_metric_point *p, size_t n)
{
    for (size_t i = 0; i < n && p; i++)
        free(p[i].key);
    free(p);
}

enum sx_status sx_runs_children(struct sx_store *st, const char *id,
                                char (**out)[SX_UUID_LEN], size_t *n, struct sx_err *err)
{
    char full[SX_UUID_LEN];
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    enum sx_status rc;
    int r;

    *out = NULL;
    *n = 0;
    if ((rc = sx_runs_resolve(st, id, full, err)) != SX_OK)
        return rc;
    if ((rc = sx_store_prep(st, "SELECT id FROM runs WHERE parent_id = ?1 "
                            "ORDER BY start_ms, rowid", &s, err)) != SX_OK ||
        (rc = sx_store_bind_text(st, s, 1, full, err)) != SX_OK)
        goto out;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)out, &cap, *n, sizeof **out)) {
            rc = oom(err);
            goto out;
        }
        if (sx_store_col_fixed(s, 0, (*out)[*n], SX_UUID_LEN) != SX_OK) {
            rc = sx_err_set(err, SX_ESTORE, "%s: a run row has a malformed id",
                            sx_store_path(st));
            goto out;
        }
        (*n)++;
    }
    if (r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "read child runs");
out:
    sqlite3_finalize(s);
    if (rc != SX_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

enum sx_status sx_runs_experiments(struct sx_store *st, struct sx_experiment **out, size_t *n,
                                   struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    enum sx_status rc;
    int r;

    *out = NULL;
    *n = 0;
    if ((rc = sx_store_prep(st, "SELECT e.id, e.name, e.author, e.created_ms, "
                            "(SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) "
                            "FROM experiments e ORDER BY e.name", &s, err)) != SX_OK)
        return rc;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sx_store_grow((void **)out, &cap, *n, sizeof **out)) {
            rc = oom(err);
            break;
        }
        struct sx_experiment *e = &(*out)[*n];
        memset(e, 0, sizeof *e);
        (*n)++;
        if (sx_store_col_fixed(s, 0, e->id, sizeof e->id) != SX_OK) {
            rc = sx_err_set(err, SX_ESTORE, "%s: an experiment row has a malformed id",
                            sx_store_path(st));
            break;
        }
        e->name = sx_store_col_dup(s, 1);
        e->author = sx_store_col_dup(s, 2);
        e->created_ms = sqlite3_column_int64(s, 3);
        e->nruns = (size_t)sqlite3_column_int64(s, 4);
        if (!e->name || !e->author) {
            rc = oom(err);
            break;
        }
    }
    if (rc == SX_OK && r != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "read experiments");
    sqlite3_finalize(s);
    if (rc != SX_OK) {
        sx_experiment_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void sx_experiment_list_free(struct sx_experiment *e, size_t n)
{
    for (size_t i = 0; i < n && e; i++) {
        free(e[i].name);
        free(e[i].author);
    }
    free(e);
}

enum sx_status sx_runs_json_each(struct sx_store *st, const char *const *ids, size_t n,
                                 int (*fn)(void *ctx, json_t *run), void *ctx,
                                 struct sx_err *err)
{
    sqlite3_stmt *run = NULL, *par = NULL, *tag = NULL, *lat = NULL;
    enum sx_status rc;
    char buf[80];

    if ((rc = sx_store_prep(st, "SELECT r.name, e.name, r.author, r.status, r.start_ms, "
                            "r.end_ms FROM runs r JOIN experiments e ON e.id = r.experiment_id "
                            "WHERE r.id = ?1", &run, err)) != SX_OK ||
        (rc = sx_store_prep(st, PARAMS_SQL, &par, err)) != SX_OK ||
        (rc = sx_store_prep(st, TAGS_SQL, &tag, err)) != SX_OK ||
        (rc = sx_store_prep(st, LATEST_SQL, &lat, err)) != SX_OK)
        goto out;
    for (size_t i = 0; i < n && rc == SX_OK; i++) {
        struct sx_run r;
        memset(&r, 0, sizeof r);
        snprintf(r.id, sizeof r.id, "%s", ids[i]);
        sqlite3_reset(run);
        if ((rc = sx_store_bind_text(st, run, 1, ids[i], err)) != SX_OK)
            break;
        int s = sqlite3_step(run);
        if (s != SQLITE_ROW) {
            rc = s == SQLITE_DONE ? sx_err_set(err, SX_ENOTFOUND, "no run %s",
                                               sx_store_shown(ids[i], buf, sizeof buf))
                                  : sx_store_db_err(st, err, "read a run");
            break;
        }
        r.name = sx_store_col_dup(run, 0);
        r.experiment = sx_store_col_dup(run, 1);
        r.author = sx_store_col_dup(run, 2);
        r.status = sx_store_col_dup(run, 3);
        r.start_ms = sqlite3_column_int64(run, 4);
        r.end_ms = sqlite3_column_int64(run, 5);
        sqlite3_reset(run);
        json_t *o = NULL;
        if (!r.name || !r.experiment || !r.author || !r.status)
            rc = oom(err);
        else if ((rc = kv_rows(st, par, r.id, &r.params, &r.nparams, err)) == SX_OK &&
                 (rc = kv_rows(st, tag, r.id, &r.tags, &r.ntags, err)) == SX_OK &&
                 (rc = point_rows(st, lat, r.id, NULL, &r.metrics, &r.nmetrics, err)) == SX_OK &&
                 !(o = sx_run_json(st, &r, 0, err)))
            rc = err ? err->code : SX_ENOMEM;
        sx_run_clear(&r);
        if (o && fn(ctx, o) != 0)
            rc = sx_err_set(err, SX_ECANCEL, "cancelled");
        json_decref(o);
    }
out:
    sqlite3_finalize(run);
    sqlite3_finalize(par);
    sqlite3_finalize(tag);
    sqlite3_finalize(lat);
    return rc;
}

/* ---- JSON ---- */

static json_t *iso_json(int64_t ms)
{
    char buf[48];
    sx_runs_format_ms(ms, buf, sizeof buf);
    return json_string(buf);
}

/* S as a JSON string, or null when "" or NULL. */
static json_t *opt_str(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* Stored JSON text S parsed, null when unset, the text itself when it
 * does not parse. */
static json_t *stored_json(const char *s)
{
    if (!s || !*s)
        return json_null();
    json_t *j = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    return j ? j : json_string(s);
}

json_t *sx_run_json(struct sx_store *st, const struct sx_run *r, int full, struct sx_err *err)
{
    json_t *o = json_object(), *params = json_object(), *metrics = json_object(),
           *tags = json_object();
    if (!o || !params || !metrics || !tags) {
        json_decref(o);
        json_decref(params);
        json_decref(metrics);
        json_decref(tags);
        oom(err);
        return NULL;
    }
    sx_json_set(o, "id", json_string(r->id));
    sx_json_set(o, "name", json_string(r->name ? r->name : ""));
    sx_json_set(o, "experiment", json_string(r->experiment ? r->experiment : ""));
    sx_json_set(o, "status", json_string(r->status ? r->status : ""));
    sx_json_set(o, "author", json_string(r->author ? r->author : ""));
    sx_json_set(o, "start", iso_json(r->start_ms));
    sx_json_set(o, "end", r->end_ms ? iso_json(r->end_ms) : json_null());
    for (size_t i = 0; i < r->nparams; i++)
        sx_json_set(params, r->params[i].key, json_string(r->params[i].value));
    for (size_t i = 0; i < r->nmetrics; i++)
        sx_json_set(metrics, r->metrics[i].key, sx_json_real(r->metrics[i].value));
    for (size_t i = 0; i < r->ntags; i++)
        sx_json_set(tags, r->tags[i].key, json_string(r->tags[i].value));
    sx_json_set(o, "params", params);
    sx_json_set(o, "metrics", metrics);
    sx_json_set(o, "tags", tags);
    if (!full)
        return o;

    sx_json_set(o, "parent", opt_str(r->parent_id));
    sx_json_set(o, "kind", json_string(r->kind ? r->kind : "run"));
    sx_json_set(o, "algo", opt_str(r->algo));
    sx_json_set(o, "target", opt_str(r->target));
    sx_json_set(o, "split", opt_str(r->split));
    json_t *ds = json_object();
    sx_json_set(ds, "id", opt_str(r->dataset_id));
    sx_json_set(ds, "name", opt_str(r->dataset_name));
    sx_json_set(ds, "version", r->dataset_version ? json_integer(r->dataset_version)
                                                  : json_null());
    sx_json_set(ds, "path", opt_str(r->source_path));
    sx_json_set(ds, "hash", opt_str(r->data_hash));
    sx_json_set(o, "dataset", ds);
    sx_json_set(o, "fit", opt_str(r->fit_id));
    sx_json_set(o, "model", stored_json(r->model_json));
    sx_json_set(o, "groups", stored_json(r->groups_json));
    sx_json_set(o, "validation", stored_json(r->validation_json));
    sx_json_set(o, "env", stored_json(r->env_json));
    sx_json_set(o, "resources", stored_json(r->resources_json));
    sx_json_set(o, "notes", json_string(r->notes ? r->notes : ""));
    sx_json_set(o, "review", opt_str(r->review));
    if (r->best_metric && *r->best_metric) {
        json_t *b = json_object();
        sx_json_set(b, "metric", json_string(r->best_metric));
        sx_json_set(b, "run", opt_str(r->best_run_id));
        sx_json_set(o, "best", b);
    } else {
        sx_json_set(o, "best", json_null());
    }
    sx_json_set(o, "source", json_string(r->source ? r->source : "sextant"));
    json_t *cs = json_array();
    for (size_t i = 0; i < r->ncomments; i++) {
        const struct sx_comment *c = &r->comments[i];
        json_t *co = json_object();
        sx_json_set(co, "author", json_string(c->author));
        sx_json_set(co, "time", iso_json(c->created_ms));
        sx_json_set(co, "text", json_string(c->text));
        sx_json_set(co, "review", opt_str(c->review));
        json_array_append_new(cs, co);
    }
    sx_json_set(o, "comments", cs);

    struct sx_metric_point *h = NULL;
    size_t nh = 0;
    if (sx_runs_history(st, r->id, NULL, &h, &nh, err) != SX_OK) {
        json_decref(o);
        return NULL;
    }
    json_t *hist = json_object(), *arr = NULL;
    for (size_t i = 0; i < nh; i++) {
        if (i == 0 || strcmp(h[i].key, h[i - 1].key) != 0) {
            arr = json_array();
            sx_json_set(hist, h[i].key, arr);
        }
        json_t *pt = json_array();
        json_array_append_new(pt, json_integer(h[i].step));
        json_array_append_new(pt, sx_json_real(h[i].value));
        json_array_append_new(pt, json_integer(h[i].time_ms));
        json_array_append_new(arr, pt);
    }
    sx_metric_points_free(h, nh);
    sx_json_set(o, "history", hist);
    return o;
}
