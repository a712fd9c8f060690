/* core/store.c: the project store, one SQLite database.
 *
 * This file finds the store (explicit path, $SEXTANT_STORE, or upward from
 * the working directory like git), creates it, opens it (WAL, busy timeout,
 * foreign keys) and migrates it forward, and records data sets: their
 * schema, profile and a bounded reference sample.
 *
 * Schema changes are forward migrations: migrations[k-1] takes the schema
 * from version k-1 to k (PRAGMA user_version), each in its own transaction.
 * A later feature adds a table by appending one script to that array; a
 * released script is never edited.
 *
 * Every write is one transaction (sx_store_begin/commit/rollback, which
 * nest through savepoints), and every statement is prepared with bound
 * values. The only SQL text built at run time is PRAGMA user_version = K,
 * which takes no parameters and whose K is our own migration number. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "json.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000
#define SAMPLE_SEED     0x5e7a47d5a3b1e2c9ull

struct sx_store {
    sqlite3 *db;
    char *path;
    int flags;
    int depth;                /* open transactions: 1 = BEGIN IMMEDIATE, deeper = savepoints */
    int older;                /* a read-only open met an older schema (migrate() sets it) */
};

/* ---- schema ---- */

static const char *const migrations[] = {
    /* 1: data sets, their reference samples, settings. */
    "CREATE TABLE datasets (\n"
    "    id           TEXT PRIMARY KEY,            -- UUID v4\n"
    "    name         TEXT NOT NULL,\n"
    "    version      INTEGER NOT NULL CHECK (version >= 1),\n"
    "    source_path  TEXT NOT NULL,\n"
    "    content_hash TEXT NOT NULL,               -- BLAKE2b-256, hex\n"
    "    size_bytes   INTEGER NOT NULL,\n"
    "    rows         INTEGER NOT NULL,\n"
    "    ncols        INTEGER NOT NULL,\n"
    "    schema_json  TEXT NOT NULL,\n"
    "    profile_json TEXT NOT NULL,\n"
    "    options_json TEXT NOT NULL,\n"
    "    author       TEXT NOT NULL,\n"
    "    created_at   TEXT NOT NULL,               -- ISO 8601 UTC\n"
    "    UNIQUE (name, version)\n"
    ");\n"
    "CREATE INDEX datasets_by_hash ON datasets (name, content_hash);\n"
    "CREATE TABLE dataset_samples (\n"
    "    dataset_id  TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,\n"
    "    col_index   INTEGER NOT NULL,\n"
    "    name        TEXT NOT NULL,\n"
    "    type        TEXT NOT NULL,               -- sx_type_name()\n"
    "    unit        TEXT,                        -- 'days' | 'seconds' for dates\n"
    "    values_json TEXT NOT NULL,               -- JSON array, null = missing\n"
    "    PRIMARY KEY (dataset_id, col_index)\n"
    ");\n"
    "CREATE TABLE settings (\n"
    "    key   TEXT PRIMARY KEY,\n"
    "    value TEXT\n"
    ");\n",

    /* 2: feature sets, their versions and their fits (core/featstore.c).
     * Versions and fits are immutable: triggers refuse updates and deletes. */
    "CREATE TABLE feature_sets (\n"
    "    name       TEXT PRIMARY KEY,\n"
    "    author     TEXT NOT NULL,\n"
    "    created_at TEXT NOT NULL                  -- ISO 8601 UTC\n"
    ");\n"
    "CREATE TABLE feature_versions (\n"
    "    id         TEXT PRIMARY KEY,              -- UUID v4\n"
    "    set_name   TEXT NOT NULL REFERENCES feature_sets (name),\n"
    "    version    INTEGER NOT NULL CHECK (version >= 1),\n"
    "    spec_text  TEXT NOT NULL,                 -- as written\n"
    "    normalized TEXT NOT NULL,                 -- sx_fspec_normalize()\n"
    "    spec_hash  TEXT NOT NULL,                 -- BLAKE2b-256 of normalized, hex\n"
    "    author     TEXT NOT NULL,\n"
    "    created_at TEXT NOT NULL,\n"
    "    UNIQUE (set_name, version),\n"
    "    UNIQUE (set_name, spec_hash)\n"
    ");\n"
    "CREATE TABLE feature_fits (\n"
    "    id           TEXT PRIMARY KEY,            -- UUID v4\n"
    "    version_id   TEXT NOT NULL REFERENCES feature_versions (id),\n"
    "    dataset_id   TEXT REFERENCES datasets (id),   -- NULL: fitted on a plain CSV\n"
    "    source_path  TEXT NOT NULL,\n"
    "    content_hash TEXT NOT NULL,               -- BLAKE2b-256 of the data, hex\n"
    "    rows         INTEGER NOT NULL CHECK (rows >= 0),\n"
    "    params_json  TEXT NOT NULL,               -- sx_ffit_json()\n"
    "    author       TEXT NOT NULL,\n"
    "    created_at   TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX feature_fits_by_version ON feature_fits (version_id);\n"
    "CREATE TRIGGER feature_versions_immutable BEFORE UPDATE ON feature_versions\n"
    "BEGIN SELECT RAISE(ABORT, 'feature set versions are never changed'); END;\n"
    "CREATE TRIGGER feature_versions_kept BEFORE DELETE ON feature_versions\n"
    "BEGIN SELECT RAISE(ABORT, 'feature set versions are never deleted'); END;\n"
    "CREATE TRIGGER feature_fits_immutable BEFORE UPDATE ON feature_fits\n"
    "BEGIN SELECT RAISE(ABORT, 'feature fits are never changed'); END;\n"
    "CREATE TRIGGER feature_fits_kept BEFORE DELETE ON feature_fits\n"
    "BEGIN SELECT RAISE(ABORT, 'feature fits are never deleted'); END;\n",

    /* 3: experiments and runs (core/runs.c, core/mlflow.c). Times are
     * milliseconds since the Unix epoch (UTC), as MLflow keeps them. A
     * metric's NULL value is NaN or undefined. run_latest holds each
     * metric's latest point (largest step, then time) so the runs table
     * reads one row per metric instead of the whole history. */
    "CREATE TABLE experiments (\n"
    "    id          TEXT PRIMARY KEY,             -- UUID v4\n"
    "    name        TEXT NOT NULL UNIQUE,\n"
    "    author      TEXT NOT NULL,\n"
    "    created_ms  INTEGER NOT NULL,\n"
    "    source      TEXT NOT NULL DEFAULT 'sextant',  -- 'sextant' | 'mlflow'\n"
    "    external_id TEXT                          -- MLflow's experiment id\n"
    ");\n"
    "CREATE TABLE runs (\n"
    "    id              TEXT PRIMARY KEY,         -- UUID v4\n"
    "    experiment_id   TEXT NOT NULL REFERENCES experiments (id),\n"
    "    name            TEXT NOT NULL,\n"
    "    author          TEXT NOT NULL,\n"
    "    status          TEXT NOT NULL CHECK (status IN\n"
    "                    ('running', 'scheduled', 'finished', 'failed', 'killed')),\n"
    "    start_ms        INTEGER NOT NULL,\n"
    "    end_ms          INTEGER,                  -- NULL while running\n"
    "    parent_id       TEXT REFERENCES runs (id),\n"
    "    kind            TEXT NOT NULL DEFAULT 'run',   -- 'run' | 'sweep' | 'trial'\n"
    "    algo            TEXT,\n"
    "    target          TEXT,\n"
    "    dataset_id      TEXT REFERENCES datasets (id),\n"
    "    source_path     TEXT,                     -- the data trained on\n"
    "    data_hash       TEXT,                     -- BLAKE2b-256 of it, hex\n"
    "    fit_id          TEXT REFERENCES feature_fits (id),\n"
    "    split           TEXT,                     -- --split as given\n"
    "    model_json      TEXT,                     -- sx_model_json()\n"
    "    groups_json     TEXT,                     -- {COL: {LABEL: {METRIC: V}}}\n"
    "    validation_json TEXT,                     -- {DATASET: {METRIC: V}}\n"
    "    env_json        TEXT,                     -- sx_env_json()\n"
    "    resources_json  TEXT,                     -- wall, cpu, peak RSS, rows/s\n"
    "    notes           TEXT NOT NULL DEFAULT '',\n"
    "    review          TEXT NOT NULL DEFAULT '' CHECK (review IN ('', 'reviewed', 'needs-work')),\n"
    "    best_metric     TEXT,                     -- sweep parents: the metric the best trial won on\n"
    "    best_run_id     TEXT,                     -- sweep parents: that trial\n"
    "    source          TEXT NOT NULL DEFAULT 'sextant',  -- 'sextant' | 'cli' | 'mlflow'\n"
    "    external_id     TEXT                      -- MLflow's run id\n"
    ");\n"
    "CREATE INDEX runs_by_experiment ON runs (experiment_id, start_ms);\n"
    "CREATE INDEX runs_by_parent ON runs (parent_id);\n"
    "CREATE UNIQUE INDEX runs_by_external ON runs (source, external_id) WHERE external_id IS NOT NULL;\n"
    "CREATE TABLE run_params (\n"
    "    run_id TEXT NOT NULL REFERENCES runs (id),\n"
    "    key    TEXT NOT NULL,\n"
    "    value  TEXT NOT NULL,\n"
    "    PRIMARY KEY (run_id, key)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE run_tags (\n"
    "    run_id TEXT NOT NULL REFERENCES runs (id),\n"
    "    key    TEXT NOT NULL,\n"
    "    value  TEXT NOT NULL,\n"
    "    PRIMARY KEY (run_id, key)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE run_metrics (\n"
    "    run_id  TEXT NOT NULL REFERENCES runs (id),\n"
    "    key     TEXT NOT NULL,\n"
    "    step    INTEGER NOT NULL,\n"
    "    time_ms INTEGER NOT NULL,\n"
    "    value   REAL                              -- NULL: NaN or undefined\n"
    ");\n"
    "CREATE INDEX run_metrics_by_run ON run_metrics (run_id, key, step);\n"
    "CREATE TABLE run_latest (\n"
    "    run_id  TEXT NOT NULL REFERENCES runs (id),\n"
    "    key     TEXT NOT NULL,\n"
    "    step    INTEGER NOT NULL,\n"
    "    time_ms INTEGER NOT NULL,\n"
    "    value   REAL,\n"
    "    PRIMARY KEY (run_id, key)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE run_comments (\n"
    "    id         TEXT PRIMARY KEY,              -- UUID v4\n"
    "    run_id     TEXT NOT NULL REFERENCES runs (id),\n"
    "    author     TEXT NOT NULL,\n"
    "    created_ms INTEGER NOT NULL,\n"
    "    text       TEXT NOT NULL,\n"
    "    review     TEXT NOT NULL DEFAULT '' CHECK (review IN ('', 'reviewed', 'needs-work'))\n"
    ");\n"
    "CREATE INDEX run_comments_by_run ON run_comments (run_id, created_ms);\n"
    "CREATE TRIGGER run_comments_kept BEFORE DELETE ON run_comments\n"
    "BEGIN SELECT RAISE(ABORT, 'comments are never deleted'); END;\n"
    "CREATE TRIGGER run_comments_immutable BEFORE UPDATE ON run_comments\n"
    "BEGIN SELECT RAISE(ABORT, 'comments are never changed'); END;\n"
    /* The runs table's rows, denormalised so that the runs table of
     * 100,000 runs loads in one scan (core/runs.c encodes data: the run's
     * fields, params and latest metrics). The triggers mark a row stale
     * (data NULL) on any change of its run, params or latest metrics,
     * whoever writes; core/runs.c writes it fresh in the same transaction
     * and core/runs_table.c rebuilds stale rows from the tables above when
     * it reads. */
    "CREATE TABLE run_summary (\n"
    "    run_id        TEXT PRIMARY KEY REFERENCES runs (id),\n"
    "    experiment_id TEXT NOT NULL,\n"
    "    parent_id     TEXT,\n"
    "    data          BLOB                        -- NULL: stale\n"
    ");\n"
    "CREATE INDEX run_summary_by_experiment ON run_summary (experiment_id);\n"
    "CREATE TRIGGER run_summary_new AFTER INSERT ON runs BEGIN\n"
    "    INSERT INTO run_summary (run_id, experiment_id, parent_id, data)\n"
    "    VALUES (NEW.id, NEW.experiment_id, NEW.parent_id, NULL); END;\n"
    "CREATE TRIGGER run_summary_run AFTER UPDATE ON runs BEGIN\n"
    "    UPDATE run_summary SET experiment_id = NEW.experiment_id,\n"
    "    parent_id = NEW.parent_id, data = NULL WHERE run_id = NEW.id; END;\n"
    "CREATE TRIGGER run_summary_param_new AFTER INSERT ON run_params BEGIN\n"
    "    UPDATE run_summary SET data = NULL WHERE run_id = NEW.run_id; END;\n"
    "CREATE TRIGGER run_summary_param_set AFTER UPDATE ON run_params BEGIN\n"
    "    UPDATE run_summary SET data = NULL WHERE run_id IN (OLD.run_id, NEW.run_id); END;\n"
    "CREATE TRIGGER run_summary_param_gone AFTER DELETE ON run_params BEGIN\n"
    "    UPDATE run_summary SET data = NULL WHERE run_id = OLD.run_id; END;\n"
    "CREATE TRIGGER run_summary_latest_new AFTER INSERT ON run_latest BEGIN\n"
    "    UPDATE run_summary SET data = NULL WHERE run_id = NEW.run_id; END;\n"
    "CREATE TRIGGER run_summary_latest_set AFTER UPDATE ON run_latest BEGIN\n"
    "    UPDATE run_summary SET data = NULL WHERE run_id IN (OLD.run_id, NEW.run_id); END;\n"
    "CREATE TRIGGER run_summary_latest_gone AFTER DELETE ON run_latest BEGIN\n"
    "    UPDATE run_summary SET data = NULL WHERE run_id = OLD.run_id; END;\n",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int sx_store_schema_version(void)
{
    return NMIGRATIONS;
}

/* ---- small helpers ---- */

enum sx_status sx_store_db_err(const struct sx_store *st, struct sx_err *err, const char *what)
{
    int code = sqlite3_errcode(st->db);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return sx_err_set(err, SX_ESTORE,
                          "%s: %s: the store is busy (another process kept it locked "
                          "for more than %d ms)", st->path, what, BUSY_TIMEOUT_MS);
    return sx_err_set(err, SX_ESTORE, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

/* Run every statement of SQL (no parameters) to completion. Returns an
 * SQLite result code; sqlite3_errmsg() tells what went wrong. */
static int exec_sql(sqlite3 *db, const char *sql)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(db, tail, -1, &s, &tail);
        if (rc != SQLITE_OK)
            return rc;
        if (!s)                 /* only whitespace or a comment was left */
            continue;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
            ;
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return rc;
    }
    return SQLITE_OK;
}

enum sx_status sx_store_prep(struct sx_store *st, const char *sql, sqlite3_stmt **s,
                             struct sx_err *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
        *s = NULL;
        return sx_store_db_err(st, err, "prepare");
    }
    return SX_OK;
}

/* Bind text V (NULL binds SQL NULL) to parameter I; the text must outlive
 * the statement's next step. */
enum sx_status sx_store_bind_text(struct sx_store *st, sqlite3_stmt *s, int i, const char *v,
                                  struct sx_err *err)
{
    int rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
    return rc == SQLITE_OK ? SX_OK : sx_store_db_err(st, err, "bind");
}

enum sx_status sx_store_bind_int(struct sx_store *st, sqlite3_stmt *s, int i, int64_t v,
                                 struct sx_err *err)
{
    return sqlite3_bind_int64(s, i, v) == SQLITE_OK ? SX_OK : sx_store_db_err(st, err, "bind");
}

/* Step a statement that writes; SX_OK when it is done. */
enum sx_status sx_store_step_done(struct sx_store *st, sqlite3_stmt *s, const char *what,
                                  struct sx_err *err)
{
    return sqlite3_step(s) == SQLITE_DONE ? SX_OK : sx_store_db_err(st, err, what);
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* "DIR/NAME" into OUT (PATH_MAX bytes); 0 when it does not fit. */
static int join(char *out, const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    int n = snprintf(out, PATH_MAX, "%s%s%s", dir,
                     dl && dir[dl - 1] == '/' ? "" : "/", name);
    return n > 0 && n < PATH_MAX;
}

/* Copy the absolute form of existing PATH into OUT (SIZE bytes). */
static enum sx_status give_path(const char *path, char *out, size_t size, struct sx_err *err)
{
    char *abs = realpath(path, NULL);
    const char *p = abs ? abs : path;
    size_t n = strlen(p);
    enum sx_status rc = SX_OK;

    if (n >= size)
        rc = sx_err_set(err, SX_EINVAL, "%s: path too long", p);
    else
        memcpy(out, p, n + 1);
    free(abs);
    return rc;
}

/* A copy of S for messages with control bytes shown as '?'. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t i;
    for (i = 0; s[i] && i + 1 < size; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[i] = '\0';
    return buf;
}

/* ---- locating and creating ---- */

/* GIVEN names a database file, a .sextant directory or a project directory. */
static enum sx_status resolve(const char *given, const char *origin, char *out, size_t size,
                              struct sx_err *err)
{
    char cand[PATH_MAX];
    struct stat sb;

    if (stat(given, &sb) != 0)
        return sx_err_set(err, SX_ENOTFOUND, "%s%s: no sextant store there (%s)",
                          origin, given, strerror(errno));
    if (S_ISREG(sb.st_mode))
        return give_path(given, out, size, err);
    if (!S_ISDIR(sb.st_mode))
        return sx_err_set(err, SX_EINVAL, "%s%s: not a file or directory", origin, given);
    if (join(cand, given, SX_STORE_DIR "/" SX_STORE_FILE) && is_file(cand))
        return give_path(cand, out, size, err);
    if (join(cand, given, SX_STORE_FILE) && is_file(cand))
        return give_path(cand, out, size, err);
    return sx_err_set(err, SX_ENOTFOUND,
                      "%s%s: no " SX_STORE_DIR "/" SX_STORE_FILE " there (create one with "
                      "`sextant init`)", origin, given);
}

enum sx_status sx_store_locate(const char *explicit_path, char *out, size_t size,
                               struct sx_err *err)
{
    char dir[PATH_MAX], cand[PATH_MAX];
    const char *env = getenv("SEXTANT_STORE");

    if (explicit_path && *explicit_path)
        return resolve(explicit_path, "", out, size, err);
    if (env && *env)
        return resolve(env, "SEXTANT_STORE=", out, size, err);
    if (!getcwd(dir, sizeof dir))
        return sx_err_set(err, SX_EIO, "working directory: %s", strerror(errno));
    for (;;) {
        if (join(cand, dir, SX_STORE_DIR "/" SX_STORE_FILE) && is_file(cand))
            return give_path(cand, out, size, err);
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            if (!slash || dir[1] == '\0')
                break;
            dir[1] = '\0';      /* try / itself last */
            continue;
        }
        *slash = '\0';
    }
    if (!getcwd(dir, sizeof dir))
        dir[0] = '\0';
    return sx_err_set(err, SX_ENOTFOUND,
                      "no sextant store in %s or any parent directory (create one with "
                      "`sextant init`, or name one with --store or SEXTANT_STORE)", dir);
}

static enum sx_status open_store(const char *path, int flags, struct sx_store **out,
                                 int *older, struct sx_err *err);

enum sx_status sx_store_init(const char *dir, char *out, size_t size, struct sx_err *err)
{
    char base[PATH_MAX], sxdir[PATH_MAX], db[PATH_MAX], side[PATH_MAX + 8];
    struct sx_store *st = NULL;
    enum sx_status rc;
    int made_dir = 0, made_file = 0, fd;

    if (!dir) {
        if (!getcwd(base, sizeof base))
            return sx_err_set(err, SX_EIO, "working directory: %s", strerror(errno));
    } else if (snprintf(base, sizeof base, "%s", dir) >= (int)sizeof base) {
        return sx_err_set(err, SX_EINVAL, "%s: path too long", dir);
    }
    if (!is_dir(base))
        return sx_err_set(err, SX_ENOTFOUND, "%s: not a directory", base);
    if (!join(sxdir, base, SX_STORE_DIR) || !join(db, sxdir, SX_STORE_FILE))
        return sx_err_set(err, SX_EINVAL, "%s: path too long", base);
    if (mkdir(sxdir, 0777) == 0)
        made_dir = 1;
    else if (errno != EEXIST)
        return sx_err_set(err, SX_EIO, "%s: %s", sxdir, strerror(errno));
    else if (!is_dir(sxdir))
        return sx_err_set(err, SX_EEXIST, "%s: exists and is not a directory", sxdir);

    /* O_EXCL makes "already exists" exact even when two inits race. */
    fd = open(db, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EEXIST)
            return sx_err_set(err, SX_EEXIST, "%s: a store already exists", db);
        rc = sx_err_set(err, SX_EIO, "%s: %s", db, strerror(errno));
        goto fail;
    }
    close(fd);
    made_file = 1;
    rc = open_store(db, 0, &st, NULL, err);
    if (rc != SX_OK)
        goto fail;
    sx_store_close(st);
    return give_path(db, out, size, err);

fail:
    if (made_file) {
        unlink(db);
        snprintf(side, sizeof side, "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db);
        unlink(side);
    }
    if (made_dir)
        rmdir(sxdir);
    return rc;
}

/* ---- opening and migrating ---- */

/* Run SQL (no parameters), which yields one row of one integer, into OUT;
 * WHAT names the read in an error, when OUT is left unchanged. */
static enum sx_status query_int(struct sx_store *st, const char *sql, int *out,
                                const char *what, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, sql, &s, err);
    if (rc != SX_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = sqlite3_column_int(s, 0);
    else
        rc = sx_store_db_err(st, err, what);
    sqlite3_finalize(s);
    return rc;
}

static enum sx_status user_version(struct sx_store *st, int *v, struct sx_err *err)
{
    return query_int(st, "PRAGMA user_version", v, "read the schema version", err);
}

/* Whether the database holds any table, index, view or trigger. */
static enum sx_status has_objects(struct sx_store *st, int *yes, struct sx_err *err)
{
    int n = 0;
    enum sx_status rc = query_int(st, "SELECT count(*) FROM sqlite_master", &n,
                                  "read the schema", err);
    if (rc == SX_OK)
        *yes = n > 0;
    return rc;
}

static enum sx_status too_new(const struct sx_store *st, int v, struct sx_err *err)
{
    return sx_err_set(err, SX_ESTORE,
                      "%s: store schema version %d is newer than this sextant (%d); upgrade",
                      st->path, v, NMIGRATIONS);
}

/* Bring the schema to NMIGRATIONS, one migration per transaction. The
 * version is read again inside each transaction, so two processes opening
 * an old store at once migrate it once. */
static enum sx_status migrate(struct sx_store *st, struct sx_err *err)
{
    enum sx_status rc;
    int v = 0, objects = 0;

    if ((rc = user_version(st, &v, err)) != SX_OK)
        return rc;
    if (v > NMIGRATIONS)
        return too_new(st, v, err);
    if (v == NMIGRATIONS)
        return SX_OK;
    if (st->flags & SX_STORE_READONLY) {
        st->older = v >= 1;   /* a store of an older build, not an empty file */
        return sx_err_set(err, SX_ESTORE,
                          "%s: store schema version %d is older than this sextant (%d) and "
                          "it is opened read-only; open it once read-write to migrate it",
                          st->path, v, NMIGRATIONS);
    }
    for (;;) {
        char sql[64];
        if ((rc = sx_store_begin(st, err)) != SX_OK)
            return rc;
        if ((rc = user_version(st, &v, err)) != SX_OK)
            goto fail;
        if (v > NMIGRATIONS) {
            rc = too_new(st, v, err);
            goto fail;
        }
        if (v == NMIGRATIONS)
            return sx_store_commit(st, err);
        if (v == 0) {
            if ((rc = has_objects(st, &objects, err)) != SX_OK)
                goto fail;
            if (objects) {
                rc = sx_err_set(err, SX_ESTORE, "%s: not a sextant store (an SQLite "
                                "database with other tables)", st->path);
                goto fail;
            }
        }
        if (exec_sql(st->db, migrations[v]) != SQLITE_OK) {
            char what[48];
            snprintf(what, sizeof what, "migration to schema version %d", v + 1);
            rc = sx_store_db_err(st, err, what);
            goto fail;
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (exec_sql(st->db, sql) != SQLITE_OK) {
            rc = sx_store_db_err(st, err, "set the schema version");
            goto fail;
        }
        if ((rc = sx_store_commit(st, err)) != SX_OK)
            return rc;
    }
fail:
    sx_store_rollback(st);
    return rc;
}

/* Open PATH into *OUT. *OLDER (may be NULL) is set when the open failed
 * only because a read-only open met a store of an older schema. */
static enum sx_status open_store(const char *path, int flags, struct sx_store **out,
                                 int *older, struct sx_err *err)
{
    struct sx_store *st;
    struct stat sb;
    enum sx_status rc;
    int oflags = (flags & SX_STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

    *out = NULL;
    if (stat(path, &sb) != 0)
        return sx_err_set(err, errno == ENOENT ? SX_ENOTFOUND : SX_EIO, "%s: %s",
                          path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return sx_err_set(err, SX_EINVAL, "%s: is a directory, not a store database", path);
    if (!(st = calloc(1, sizeof *st)) || !(st->path = strdup(path))) {
        free(st);
        return sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
    }
    st->flags = flags;
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        rc = st->db ? sx_store_db_err(st, err, "open")
                    : sx_err_set(err, SX_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    if (exec_sql(st->db, "PRAGMA foreign_keys = ON") != SQLITE_OK) {
        rc = sx_store_db_err(st, err, "enable foreign keys");
        goto fail;
    }
    if (!(flags & SX_STORE_READONLY)) {
        sqlite3_stmt *s = NULL;
        if ((rc = sx_store_prep(st, "PRAGMA journal_mode = WAL", &s, err)) != SX_OK)
            goto fail;
        if (sqlite3_step(s) != SQLITE_ROW) {
            rc = sx_store_db_err(st, err, "enable WAL");
            sqlite3_finalize(s);
            goto fail;
        }
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        int wal = mode && strcmp(mode, "wal") == 0;
        sqlite3_finalize(s);
        if (!wal) {
            rc = sx_err_set(err, SX_ESTORE, "%s: the file system does not support WAL mode",
                            path);
            goto fail;
        }
        if (exec_sql(st->db, "PRAGMA synchronous = NORMAL") != SQLITE_OK) {
            rc = sx_store_db_err(st, err, "set synchronous");
            goto fail;
        }
    }
    if ((rc = migrate(st, err)) != SX_OK)
        goto fail;
    *out = st;
    return SX_OK;
fail:
    if (older && st)
        *older = st->older;
    sx_store_close(st);
    return rc;
}

struct sx_store *sx_store_open(const char *path, int flags, struct sx_err *err)
{
    struct sx_store *st = NULL;
    int older = 0;
    if (open_store(path, flags, &st, &older, err) != SX_OK && older) {
        /* A store written by an older sextant cannot be read with this
         * build's queries until it is migrated: a read-only open upgrades
         * it once through a read-write connection (the migrations are the
         * only write), then opens it read-only. A store we may not write
         * stays an error saying so. */
        struct sx_store *rw = NULL;
        if (open_store(path, flags & ~SX_STORE_READONLY, &rw, NULL, err) != SX_OK)
            return NULL;
        sx_store_close(rw);
        open_store(path, flags, &st, NULL, err);
    }
    return st;
}

void sx_store_close(struct sx_store *st)
{
    if (!st)
        return;
    while (st->depth > 0)
        sx_store_rollback(st);
    sqlite3_close_v2(st->db);
    free(st->path);
    free(st);
}

sqlite3 *sx_store_db(struct sx_store *st)
{
    return st->db;
}

const char *sx_store_path(const struct sx_store *st)
{
    return st->path;
}

/* ---- transactions ---- */

enum sx_status sx_store_begin(struct sx_store *st, struct sx_err *err)
{
    char sql[32];

    if (st->flags & SX_STORE_READONLY)
        return sx_err_set(err, SX_EINVAL, "%s: the store is opened read-only", st->path);
    if (st->depth == 0)
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof sql, "SAVEPOINT sx%d", st->depth);
    if (exec_sql(st->db, sql) != SQLITE_OK)
        return sx_store_db_err(st, err, "begin a transaction");
    st->depth++;
    return SX_OK;
}

enum sx_status sx_store_commit(struct sx_store *st, struct sx_err *err)
{
    char sql[32];
    enum sx_status rc;

    if (st->depth == 0)
        return sx_err_set(err, SX_EINVAL, "%s: commit without a transaction", st->path);
    if (st->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE sx%d", st->depth - 1);
    if (exec_sql(st->db, sql) == SQLITE_OK) {
        st->depth--;
        return SX_OK;
    }
    rc = sx_store_db_err(st, err, "commit");
    sx_store_rollback(st);
    return rc;
}

void sx_store_rollback(struct sx_store *st)
{
    char sql[64];

    if (!st || st->depth == 0)
        return;
    st->depth--;
    if (st->depth == 0) {
        /* SQLite may already have rolled back by itself (e.g. on SQLITE_FULL). */
        if (!sqlite3_get_autocommit(st->db))
            exec_sql(st->db, "ROLLBACK");
    } else {
        snprintf(sql, sizeof sql, "ROLLBACK TO sx%d; RELEASE sx%d", st->depth, st->depth);
        exec_sql(st->db, sql);
    }
}

/* ---- author and time ---- */

void sx_store_author(char *out, size_t size)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    const char *name = "unknown", *env = getenv("USER");

    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name &&
        *res->pw_name)
        name = res->pw_name;
    else if (env && *env)
        name = env;
    snprintf(out, size, "%s", name);
}

void sx_store_now(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;
    char buf[48];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03ldZ", buf, (long)(ts.tv_nsec / 1000000));
}

/* ---- data set names and references ---- */

size_t sx_store_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) { len = 2; c &= 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; c &= 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; c &= 0x07; min = 0x10000; }
    else return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int sx_store_grow(void *list, size_t *cap, size_t len, size_t size)
{
    void **l = list;
    if (len < *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *nl = realloc(*l, ncap * size);
    if (!nl)
        return 0;
    *l = nl;
    *cap = ncap;
    return 1;
}

const char *sx_store_shown(const char *s, char *buf, size_t size)
{
    size_t i;
    for (i = 0; s && s[i] && i + 1 < size && i < 64; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[i] = '\0';
    return buf;
}

enum sx_status sx_dataset_name_check(const char *name, struct sx_err *err)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0)
        return sx_err_set(err, SX_EINVAL, "data set name is empty");
    if (n > SX_DATASET_NAME_MAX)
        return sx_err_set(err, SX_EINVAL, "data set name is %zu bytes long (at most %d)",
                          n, SX_DATASET_NAME_MAX);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = sx_store_utf8_next((const unsigned char *)name + i, n - i, &cp);
        if (len == 0)
            return sx_err_set(err, SX_EINVAL,
                              "data set name: byte %zu is not valid UTF-8", i + 1);
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
            return sx_err_set(err, SX_EINVAL,
                              "data set name: byte %zu is a control character", i + 1);
        if (cp == '@')
            return sx_err_set(err, SX_EINVAL, "data set name may not contain '@' "
                              "(it separates the version: NAME@VERSION)");
        i += len;
    }
    return SX_OK;
}

enum sx_status sx_dataset_ref_parse(const char *ref, char *buf, size_t size, int *version,
                                    struct sx_err *err)
{
    const char *at = strrchr(ref, '@');
    size_t nlen = at ? (size_t)(at - ref) : strlen(ref);
    char show[128];
    long v = 0;
    enum sx_status rc;

    if (at) {
        const char *p = at + 1;
        if (!*p)
            return sx_err_set(err, SX_EINVAL, "data set reference \"%s\": no version after "
                              "'@'", shown(ref, show, sizeof show));
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return sx_err_set(err, SX_EINVAL, "data set reference \"%s\": the version "
                                  "must be a whole number", shown(ref, show, sizeof show));
            v = v * 10 + (*p - '0');
            if (v > INT_MAX)
                return sx_err_set(err, SX_EINVAL, "data set reference \"%s\": version too "
                                  "large", shown(ref, show, sizeof show));
        }
        if (v == 0)
            return sx_err_set(err, SX_EINVAL, "data set reference \"%s\": versions start at "
                              "1", shown(ref, show, sizeof show));
    }
    if (nlen >= size)
        return sx_err_set(err, SX_EINVAL, "data set reference: name too long");
    memcpy(buf, ref, nlen);
    buf[nlen] = '\0';
    if ((rc = sx_dataset_name_check(buf, err)) != SX_OK)
        return rc;
    *version = (int)v;
    return SX_OK;
}

/* ---- data set records ---- */

void sx_dataset_clear(struct sx_dataset *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->source_path);
    free(d->schema_json);
    free(d->profile_json);
    free(d->options_json);
    free(d->author);
    free(d->created_at);
    memset(d, 0, sizeof *d);
}

void sx_dataset_list_free(struct sx_dataset *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        sx_dataset_clear(&list[i]);
    free(list);
}

#define DATASET_COLS \
    "id, name, version, source_path, content_hash, size_bytes, rows, ncols, " \
    "schema_json, profile_json, options_json, author, created_at"

/* A copy of text column I, "" for NULL; NULL when out of memory. */
char *sx_store_col_dup(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    if (!t)
        return sqlite3_column_type(s, i) == SQLITE_NULL ? strdup("") : NULL;
    return strdup(t);
}

enum sx_status sx_store_col_fixed(sqlite3_stmt *s, int i, char *out, size_t size)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    size_t n = t ? strlen(t) : 0;
    if (!t || n >= size)
        return SX_ESTORE;
    memcpy(out, t, n + 1);
    return SX_OK;
}

/* Fill D from the current row of S (selected with DATASET_COLS). */
static enum sx_status read_dataset(const struct sx_store *st, sqlite3_stmt *s,
                                   struct sx_dataset *d, struct sx_err *err)
{
    memset(d, 0, sizeof *d);
    if (sx_store_col_fixed(s, 0, d->id, sizeof d->id) != SX_OK ||
        sx_store_col_fixed(s, 4, d->hash, sizeof d->hash) != SX_OK) {
        sx_dataset_clear(d);
        return sx_err_set(err, SX_ESTORE, "%s: a data set row has a malformed id or hash",
                          st->path);
    }
    d->version = sqlite3_column_int(s, 2);
    d->size_bytes = (uint64_t)sqlite3_column_int64(s, 5);
    d->rows = (uint64_t)sqlite3_column_int64(s, 6);
    d->ncols = (uint64_t)sqlite3_column_int64(s, 7);
    d->name = sx_store_col_dup(s, 1);
    d->source_path = sx_store_col_dup(s, 3);
    d->schema_json = sx_store_col_dup(s, 8);
    d->profile_json = sx_store_col_dup(s, 9);
    d->options_json = sx_store_col_dup(s, 10);
    d->author = sx_store_col_dup(s, 11);
    d->created_at = sx_store_col_dup(s, 12);
    if (!d->name || !d->source_path || !d->schema_json || !d->profile_json ||
        !d->options_json || !d->author || !d->created_at) {
        sx_dataset_clear(d);
        return sx_err_set(err, SX_ENOMEM, "%s: out of memory reading a data set", st->path);
    }
    return SX_OK;
}

/* Step S once: a row fills OUT; no row gives SX_ENOTFOUND (ERR untouched). */
static enum sx_status fetch_one(struct sx_store *st, sqlite3_stmt *s, struct sx_dataset *out,
                                struct sx_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return read_dataset(st, s, out, err);
    if (rc == SQLITE_DONE)
        return SX_ENOTFOUND;
    return sx_store_db_err(st, err, "read a data set");
}

/* The latest version of NAME into OUT; SX_ENOTFOUND (ERR untouched) when none. */
static enum sx_status latest(struct sx_store *st, const char *name, struct sx_dataset *out,
                             struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc = sx_store_prep(st, "SELECT " DATASET_COLS " FROM datasets WHERE name = ?1 "
                                      "ORDER BY version DESC LIMIT 1", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK)
        rc = fetch_one(st, s, out, err);
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_store_dataset_get(struct sx_store *st, const char *name, int version,
                                    struct sx_dataset *out, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    enum sx_status rc;
    char show[128];

    memset(out, 0, sizeof *out);
    if (version <= 0) {
        rc = latest(st, name, out, err);
    } else {
        rc = sx_store_prep(st, "SELECT " DATASET_COLS " FROM datasets WHERE name = ?1 AND "
                           "version = ?2", &s, err);
        if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK &&
            (rc = sx_store_bind_int(st, s, 2, version, err)) == SX_OK)
            rc = fetch_one(st, s, out, err);
        sqlite3_finalize(s);
    }
    if (rc == SX_ENOTFOUND) {
        if (version <= 0)
            sx_err_set(err, rc, "no data set named \"%s\"", shown(name, show, sizeof show));
        else
            sx_err_set(err, rc, "no data set \"%s@%d\"", shown(name, show, sizeof show),
                       version);
    }
    return rc;
}

enum sx_status sx_store_dataset_by_hash(struct sx_store *st, const char *name,
                                        const char *hash, struct sx_dataset *out,
                                        struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    char show[128];
    enum sx_status rc;

    memset(out, 0, sizeof *out);
    rc = sx_store_prep(st, "SELECT " DATASET_COLS " FROM datasets WHERE name = ?1 AND "
                       "content_hash = ?2 ORDER BY version DESC LIMIT 1", &s, err);
    if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, name, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 2, hash, err)) == SX_OK)
        rc = fetch_one(st, s, out, err);
    sqlite3_finalize(s);
    if (rc == SX_ENOTFOUND)
        sx_err_set(err, rc, "no version of data set \"%s\" has content %.12s…",
                   shown(name, show, sizeof show), hash);
    return rc;
}

enum sx_status sx_store_dataset_list(struct sx_store *st, struct sx_dataset **out,
                                     size_t *n, struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    struct sx_dataset *list = NULL;
    size_t len = 0, cap = 0;
    enum sx_status rc;
    int step;

    *out = NULL;
    *n = 0;
    if ((rc = sx_store_prep(st, "SELECT " DATASET_COLS " FROM datasets ORDER BY name, version",
                            &s, err)) != SX_OK)
        return rc;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sx_dataset *nl = realloc(list, ncap * sizeof *nl);
            if (!nl) {
                rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory listing data sets",
                                st->path);
                goto out;
            }
            list = nl;
            cap = ncap;
        }
        if ((rc = read_dataset(st, s, &list[len], err)) != SX_OK)
            goto out;
        len++;
    }
    if (step != SQLITE_DONE)
        rc = sx_store_db_err(st, err, "list data sets");
out:
    sqlite3_finalize(s);
    if (rc != SX_OK) {
        sx_dataset_list_free(list, len);
        return rc;
    }
    *out = list;
    *n = len;
    return SX_OK;
}

/* ---- recording a data set ---- */

/* J as a new compact string (17 significant digits, keys in order), and J
 * released. J NULL means building it ran out of memory: then, or when the
 * dump does, returns NULL with ERR set. */
static char *dump_release(json_t *j, struct sx_err *err)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
                : NULL;
    json_decref(j);
    if (!s)
        sx_err_set(err, SX_ENOMEM, "out of memory");
    return s;
}

int sx_store_is_hash(const char *h)
{
    size_t i;
    if (!h)
        return 0;
    for (i = 0; h[i]; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return 0;
    return i == SX_HASH_HEX - 1;
}

/* [{"name","type","unit"?}…] of F as a new string. */
static char *schema_json(const struct sx_frame *f, struct sx_err *err)
{
    json_t *arr = json_array();

    for (size_t c = 0; arr && c < f->ncols; c++) {
        const struct sx_column *col = f->cols[c];
        json_t *o = json_object(), *name = json_string(col->name);
        if (!o || !name) {
            json_decref(o);
            json_decref(name);
            json_decref(arr);
            if (o && !name)
                sx_err_set(err, SX_EINVAL, "column %zu: name is not valid UTF-8", c + 1);
            else
                sx_err_set(err, SX_ENOMEM, "out of memory");
            return NULL;
        }
        json_object_set_new(o, "name", name);
        json_object_set_new(o, "type", json_string(sx_type_name(col->type)));
        if (col->type == SX_DATE)
            json_object_set_new(o, "unit", json_string(col->unit == SX_SECONDS ? "seconds"
                                                                                : "days"));
        if (json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            arr = NULL;         /* out of memory, which dump_release reports */
        }
    }
    return dump_release(arr, err);
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* R scaled to [0, N) without a division. */
static uint64_t below(uint64_t r, uint64_t n)
{
#ifdef __SIZEOF_INT128__
    return (uint64_t)(((unsigned __int128)r * n) >> 64);
#else
    return r % n;
#endif
}

/* The rows of the reference sample of an N-row frame: all of them when
 * N <= SX_STORE_SAMPLE_ROWS, else a uniform random subset of that size in
 * ascending order (Knuth's selection sampling, Algorithm S) from a fixed
 * seed, so the same frame always gives the same rows. Every column uses the
 * same rows, which keeps their joint distribution. New array in *ROWS. */
static enum sx_status sample_rows(size_t n, size_t **rows, size_t *k_out)
{
    size_t k = n < SX_STORE_SAMPLE_ROWS ? n : SX_STORE_SAMPLE_ROWS, m = 0;
    uint64_t state = SAMPLE_SEED;
    size_t *r = malloc((k ? k : 1) * sizeof *r);

    if (!r)
        return SX_ENOMEM;
    if (k == n) {
        for (size_t i = 0; i < n; i++)
            r[i] = i;
    } else {
        for (size_t i = 0; i < n && m < k; i++)
            if (below(splitmix64(&state), n - i) < k - m)
                r[m++] = i;
    }
    *rows = r;
    *k_out = k;
    return SX_OK;
}

/* The sampled cells of column C as a JSON array string. */
static char *sample_json(const struct sx_column *c, const size_t *rows, size_t k,
                         struct sx_err *err)
{
    json_t *arr = json_array();
    char show[128];

    for (size_t i = 0; arr && i < k; i++) {
        size_t r = rows[i];
        json_t *v = NULL;
        if (!sx_col_valid(c, r)) {
            v = json_null();
        } else {
            switch (c->type) {
            case SX_FLOAT:    v = sx_json_real(c->v.f64[r]); break;
            case SX_INT:
            case SX_DATE:     v = json_integer((json_int_t)c->v.i64[r]); break;
            case SX_BOOL:     v = json_boolean(c->v.b[r]); break;
            case SX_CATEGORY:
            case SX_TEXT:
                v = json_string(sx_col_str(c, r));
                if (!v) {
                    json_decref(arr);
                    sx_err_set(err, SX_EINVAL, "column \"%s\" row %zu: text is not valid "
                               "UTF-8", shown(c->name, show, sizeof show), r + 1);
                    return NULL;
                }
                break;
            }
        }
        if (!v || json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            arr = NULL;         /* out of memory, which dump_release reports */
        }
    }
    return dump_release(arr, err);
}

/* Everything a new version writes, prepared before the transaction opens so
 * the write lock is held only for the inserts. */
struct put_rows {
    char *schema, *profile, **values;
    size_t ncols;
};

static void put_rows_free(struct put_rows *p)
{
    free(p->schema);
    free(p->profile);
    if (p->values)
        for (size_t c = 0; c < p->ncols; c++)
            free(p->values[c]);
    free(p->values);
}

static enum sx_status put_rows_build(const struct sx_dataset_new *in, struct put_rows *p,
                                     struct sx_err *err)
{
    const struct sx_frame *f = in->frame;
    struct sx_profile *own = NULL;
    const struct sx_profile *prof = in->profile;
    size_t *rows = NULL, k = 0;
    enum sx_status rc = SX_OK;

    memset(p, 0, sizeof *p);
    p->ncols = f->ncols;
    if (!(p->schema = schema_json(f, err)))
        return err->code;
    if (!prof && !(prof = own = sx_profile_frame(f, NULL, err)))
        return err->code;
    p->profile = dump_release(sx_profile_json(prof), err);
    sx_profile_free(own);
    if (!p->profile)
        return err->code;
    if (!(p->values = calloc(f->ncols ? f->ncols : 1, sizeof *p->values)) ||
        sample_rows(f->nrows, &rows, &k) != SX_OK)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    for (size_t c = 0; c < f->ncols; c++)
        if (!(p->values[c] = sample_json(f->cols[c], rows, k, err))) {
            rc = err->code;
            break;
        }
    free(rows);
    return rc;
}

static enum sx_status put_insert(struct sx_store *st, const struct sx_dataset_new *in,
                                 const struct put_rows *p, const char *id, int version,
                                 struct sx_err *err)
{
    const struct sx_frame *f = in->frame;
    char author[256], now[48];
    sqlite3_stmt *s = NULL;
    enum sx_status rc;

    sx_store_author(author, sizeof author);
    sx_store_now(now, sizeof now);
    rc = sx_store_prep(st, "INSERT INTO datasets (" DATASET_COLS ") VALUES "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", &s, err);
    if (rc == SX_OK &&
        (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 2, in->name, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 3, version, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 4, in->source_path ? in->source_path : "", err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 5, in->hash, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 6, (int64_t)in->size_bytes, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 7, (int64_t)f->nrows, err)) == SX_OK &&
        (rc = sx_store_bind_int(st, s, 8, (int64_t)f->ncols, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 9, p->schema, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 10, p->profile, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 11, in->options_json ? in->options_json : "{}",
                                 err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 12, author, err)) == SX_OK &&
        (rc = sx_store_bind_text(st, s, 13, now, err)) == SX_OK)
        rc = sx_store_step_done(st, s, "record the data set", err);
    sqlite3_finalize(s);
    if (rc != SX_OK)
        return rc;

    rc = sx_store_prep(st, "INSERT INTO dataset_samples (dataset_id, col_index, name, type, unit, "
                       "values_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &s, err);
    for (size_t c = 0; rc == SX_OK && c < f->ncols; c++) {
        const struct sx_column *col = f->cols[c];
        const char *unit = col->type != SX_DATE ? NULL
                         : col->unit == SX_SECONDS ? "seconds" : "days";
        sqlite3_reset(s);
        if ((rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK &&
            (rc = sx_store_bind_int(st, s, 2, (int64_t)c, err)) == SX_OK &&
            (rc = sx_store_bind_text(st, s, 3, col->name, err)) == SX_OK &&
            (rc = sx_store_bind_text(st, s, 4, sx_type_name(col->type), err)) == SX_OK &&
            (rc = sx_store_bind_text(st, s, 5, unit, err)) == SX_OK &&
            (rc = sx_store_bind_text(st, s, 6, p->values[c], err)) == SX_OK)
            rc = sx_store_step_done(st, s, "record the reference sample", err);
    }
    sqlite3_finalize(s);
    return rc;
}

enum sx_status sx_store_dataset_put(struct sx_store *st, const struct sx_dataset_new *in,
                                    struct sx_dataset *out, int *created,
                                    struct sx_err *err)
{
    struct sx_dataset prev = {0};
    struct put_rows rows = {0};
    char id[SX_UUID_LEN];
    struct sx_err local;
    enum sx_status rc;
    int in_tx = 0, version = 1;

    if (!err)
        err = &local;       /* the helpers below report codes through ERR */
    memset(out, 0, sizeof *out);
    if (created)
        *created = 0;
    if (!in || !in->frame)
        return sx_err_set(err, SX_EINVAL, "data set: no frame given");
    if ((rc = sx_dataset_name_check(in->name, err)) != SX_OK)
        return rc;
    if (!sx_store_is_hash(in->hash))
        return sx_err_set(err, SX_EINVAL, "data set \"%s\": the content hash must be 64 "
                          "lowercase hex digits", in->name);
    if (in->options_json) {
        json_t *o = json_loads(in->options_json, JSON_DECODE_ANY, NULL);
        int ok = o && json_is_object(o);
        json_decref(o);
        if (!ok)
            return sx_err_set(err, SX_EINVAL, "data set \"%s\": options are not a JSON "
                              "object", in->name);
    }
    if (st->flags & SX_STORE_READONLY)
        return sx_err_set(err, SX_EINVAL, "%s: the store is opened read-only", st->path);

    /* Unchanged content: answer without building anything. Checked again
     * below, inside the transaction, which is what decides. */
    rc = latest(st, in->name, &prev, err);
    if (rc == SX_OK && strcmp(prev.hash, in->hash) == 0) {
        *out = prev;
        return SX_OK;
    }
    sx_dataset_clear(&prev);
    if (rc != SX_OK && rc != SX_ENOTFOUND)
        return rc;

    if ((rc = put_rows_build(in, &rows, err)) != SX_OK)
        goto out;
    sx_uuid(id);
    if ((rc = sx_store_begin(st, err)) != SX_OK)
        goto out;
    in_tx = 1;
    rc = latest(st, in->name, &prev, err);
    if (rc == SX_OK && strcmp(prev.hash, in->hash) == 0) {
        *out = prev;
        memset(&prev, 0, sizeof prev);
        rc = sx_store_commit(st, err);
        in_tx = 0;
        if (rc != SX_OK)
            sx_dataset_clear(out);
        goto out;
    }
    if (rc == SX_OK)
        version = prev.version + 1;
    else if (rc != SX_ENOTFOUND)
        goto out;
    sx_dataset_clear(&prev);

    if ((rc = put_insert(st, in, &rows, id, version, err)) != SX_OK)
        goto out;
    /* Read the row back through the one reader, inside the transaction. */
    {
        sqlite3_stmt *s = NULL;
        rc = sx_store_prep(st, "SELECT " DATASET_COLS " FROM datasets WHERE id = ?1", &s, err);
        if (rc == SX_OK && (rc = sx_store_bind_text(st, s, 1, id, err)) == SX_OK)
            rc = fetch_one(st, s, out, err);
        sqlite3_finalize(s);
        if (rc == SX_ENOTFOUND)
            rc = sx_err_set(err, SX_ESTORE, "%s: the new data set vanished", st->path);
        if (rc != SX_OK)
            goto out;
    }
    in_tx = 0;
    if ((rc = sx_store_commit(st, err)) != SX_OK) {
        sx_dataset_clear(out);
        goto out;
    }
    if (created)
        *created = 1;
out:
    if (in_tx)
        sx_store_rollback(st);
    sx_dataset_clear(&prev);
    put_rows_free(&rows);
    return rc;
}

/* ---- the reference sample as a frame ---- */

/* Append JSON value V to column C (of the type the sample row declared). */
static int push_json(struct sx_column *c, const json_t *v)
{
    if (json_is_null(v))
        return sx_col_push_missing(c) == SX_OK;
    switch (c->type) {
    case SX_FLOAT:
        if (json_is_number(v))
            return sx_col_push_f64(c, json_number_value(v)) == SX_OK;
        if (json_is_string(v) && strcmp(json_string_value(v), "inf") == 0)
            return sx_col_push_f64(c, INFINITY) == SX_OK;
        if (json_is_string(v) && strcmp(json_string_value(v), "-inf") == 0)
            return sx_col_push_f64(c, -INFINITY) == SX_OK;
        return 0;
    case SX_INT:
    case SX_DATE:
        return json_is_integer(v) && sx_col_push_i64(c, (int64_t)json_integer_value(v)) == SX_OK;
    case SX_BOOL:
        return json_is_boolean(v) && sx_col_push_bool(c, json_is_true(v)) == SX_OK;
    case SX_CATEGORY:
    case SX_TEXT:
        return json_is_string(v) &&
               sx_col_push_str(c, json_string_value(v), json_string_length(v)) == SX_OK;
    }
    return 0;
}

/* Column COL_INDEX of the sample from the current row of S. */
static struct sx_column *sample_column(struct sx_store *st, sqlite3_stmt *s,
                                       struct sx_err *err)
{
    const char *name = (const char *)sqlite3_column_text(s, 1);
    const char *type = (const char *)sqlite3_column_text(s, 2);
    const char *unit = (const char *)sqlite3_column_text(s, 3);
    const char *values = (const char *)sqlite3_column_text(s, 4);
    struct sx_column *c = NULL;
    enum sx_type t;
    json_t *arr = NULL;
    size_t i, n;

    if (!name || !type || !values || sx_type_parse(type, &t, NULL) != SX_OK)
        goto corrupt;
    if (!(c = sx_col_new(name, t))) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    if (t == SX_DATE)
        c->unit = unit && strcmp(unit, "seconds") == 0 ? SX_SECONDS : SX_DAYS;
    arr = json_loads(values, 0, NULL);
    if (!arr || !json_is_array(arr))
        goto corrupt;
    n = json_array_size(arr);
    if (n && sx_col_reserve(c, n) != SX_OK) {
        json_decref(arr);
        sx_col_free(c);
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    for (i = 0; i < n; i++)
        if (!push_json(c, json_array_get(arr, i)))
            goto corrupt;
    json_decref(arr);
    return c;
corrupt:
    json_decref(arr);
    sx_col_free(c);
    sx_err_set(err, SX_ESTORE, "%s: the reference sample of column %d is malformed",
               st->path, sqlite3_column_int(s, 0) + 1);
    return NULL;
}

struct sx_frame *sx_store_dataset_sample(struct sx_store *st, const char *id,
                                         struct sx_err *err)
{
    sqlite3_stmt *s = NULL;
    struct sx_frame *f = NULL;
    int64_t ncols = 0, expect = 0;
    int step;
    char show[128];

    if (sx_store_prep(st, "SELECT ncols FROM datasets WHERE id = ?1", &s, err) != SX_OK ||
        sx_store_bind_text(st, s, 1, id, err) != SX_OK)
        goto fail;
    step = sqlite3_step(s);
    if (step == SQLITE_DONE) {
        sx_err_set(err, SX_ENOTFOUND, "no data set with id %s", shown(id, show, sizeof show));
        goto fail;
    }
    if (step != SQLITE_ROW) {
        sx_store_db_err(st, err, "read a data set");
        goto fail;
    }
    ncols = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;

    if (!(f = sx_frame_new())) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        goto fail;
    }
    if (sx_store_prep(st, "SELECT col_index, name, type, unit, values_json FROM dataset_samples "
                      "WHERE dataset_id = ?1 ORDER BY col_index", &s, err) != SX_OK ||
        sx_store_bind_text(st, s, 1, id, err) != SX_OK)
        goto fail;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct sx_column *c;
        if (sqlite3_column_int64(s, 0) != expect) {
            sx_err_set(err, SX_ESTORE, "%s: data set %s: the reference sample lacks column "
                       "%lld", st->path, id, (long long)expect + 1);
            goto fail;
        }
        if (!(c = sample_column(st, s, err)))
            goto fail;
        if (sx_frame_adopt(f, c, err) != SX_OK) {
            sx_col_free(c);
            goto fail;
        }
        expect++;
    }
    if (step != SQLITE_DONE) {
        sx_store_db_err(st, err, "read the reference sample");
        goto fail;
    }
    if (expect != ncols) {
        sx_err_set(err, SX_ESTORE, "%s: data set %s has %lld columns but a sample of %lld",
                   st->path, id, (long long)ncols, (long long)expect);
        goto fail;
    }
    sqlite3_finalize(s);
    return f;
fail:
    sqlite3_finalize(s);
    if (f)
        sx_frame_free(f);
    return NULL;
}
