/* core/runs.h: experiment tracking in the store: experiments, runs (with
 * parent runs for sweeps), params, metrics with step history and
 * timestamps, tags, notes, lineage (data set, feature-set fit), the model,
 * per-group and validation metrics, environment, resources, comments and
 * review status.
 *
 * The schema is migration 3 in core/store.c. Times are milliseconds since
 * the Unix epoch, UTC. Every write is one transaction; writes on a
 * read-only store are SX_EINVAL. Logging is cheap enough to call per epoch
 * from an external script: one short transaction per call, and
 * sx_runs_log_batch writes any number of points in one.
 *
 * Runs are named by their id or an unambiguous prefix of at least
 * SX_RUN_PREFIX_MIN characters (sx_runs_resolve). */
#ifndef SX_RUNS_H
#define SX_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "frame.h"
#include "hash.h"
#include "store.h"

#define SX_RUN_PREFIX_MIN 8
#define SX_RUN_KEY_MAX 250          /* bytes in a param, metric or tag key */
#define SX_RUN_VALUE_MAX 6000       /* bytes in a param value (as MLflow) */
#define SX_RUN_TAG_MAX 65536        /* bytes in a tag value, a note or a comment */
#define SX_DEFAULT_EXPERIMENT "Default"

/* "running", "scheduled", "finished", "failed", "killed". */
enum sx_status sx_run_status_check(const char *status, struct sx_err *err);
/* "reviewed" or "needs-work". */
enum sx_status sx_run_review_check(const char *review, struct sx_err *err);
/* Keys: 1..SX_RUN_KEY_MAX bytes of UTF-8 without control characters. */
enum sx_status sx_run_key_check(const char *key, struct sx_err *err);

/* The time now in milliseconds since the epoch. */
int64_t sx_runs_now_ms(void);
/* Format MS as ISO 8601 UTC with milliseconds ("2026-11-26T17:42:52.123Z"). */
void sx_runs_format_ms(int64_t ms, char *out, size_t size);

/* ---- writing ---- */

/* A new run. Every pointer may be NULL: EXPERIMENT is created when new
 * (default SX_DEFAULT_EXPERIMENT), NAME defaults to "run-" and the id's
 * first 8 characters, AUTHOR to the OS user, STATUS to "running",
 * START_MS 0 to now, KIND to "run", SOURCE to "sextant". */
struct sx_run_new {
    const char *experiment;
    const char *name;
    const char *author;
    const char *status;
    int64_t start_ms;
    const char *parent_id;      /* a run that exists, or NULL */
    const char *kind;           /* "run" | "sweep" | "trial" */
    const char *source;         /* "sextant" | "cli" | "mlflow" */
    const char *notes;
};
/* Create a run; ID receives its UUID. */
enum sx_status sx_runs_start(struct sx_store *st, const struct sx_run_new *in,
                             char id[SX_UUID_LEN], struct sx_err *err);
/* Set the status of run ID to STATUS (not "running") and its end time
 * (END_MS 0: now). */
enum sx_status sx_runs_end(struct sx_store *st, const char *id, const char *status,
                           int64_t end_ms, struct sx_err *err);

/* One logged item. */
enum sx_log_kind { SX_LOG_PARAM, SX_LOG_METRIC, SX_LOG_TAG };
struct sx_log_item {
    enum sx_log_kind kind;
    const char *key;
    const char *value;          /* params and tags */
    double number;              /* metrics; NaN is stored as NULL */
    int64_t step;               /* metrics; default 0 */
    int64_t time_ms;            /* metrics; 0: now */
};
/* Log ITEMS[0..N) to run ID in one transaction: metrics append to the
 * history (and update the latest value), tags overwrite, a param may be
 * logged again only with the same value (else SX_EINVAL naming it, and
 * nothing of the batch is written). An unknown run is SX_ENOTFOUND. */
enum sx_status sx_runs_log(struct sx_store *st, const char *id, const struct sx_log_item *items,
                           size_t n, struct sx_err *err);
/* The same in parts, for a batch read as it arrives: sx_runs_log_begin
 * opens the transaction (SX_ENOTFOUND for an unknown run) and *OUT;
 * sx_runs_log_add checks and writes ITEMS (any number of calls; the items
 * need not outlive the call); sx_runs_log_commit writes each metric's
 * latest value once and commits; sx_runs_log_abort rolls everything back.
 * Commit and abort free the logger, whatever they return; after a failed
 * add, abort. */
struct sx_runs_logger;
enum sx_status sx_runs_log_begin(struct sx_store *st, const char *id,
                                 struct sx_runs_logger **out, struct sx_err *err);
enum sx_status sx_runs_log_add(struct sx_runs_logger *lg, const struct sx_log_item *items,
                               size_t n, struct sx_err *err);
enum sx_status sx_runs_log_commit(struct sx_runs_logger *lg, struct sx_err *err);
void sx_runs_log_abort(struct sx_runs_logger *lg);
/* Check item IT as sx_runs_log does before writing (kind, key, the length
 * and text of a param or tag value), so a reader of many items can report
 * where a bad one came from. SX_EINVAL with a message. */
enum sx_status sx_runs_item_check(const struct sx_log_item *it, struct sx_err *err);
/* Parse one line of `sextant log batch` input: "metric KEY VALUE [STEP]",
 * "param KEY VALUE" or "tag KEY VALUE" (fields separated by spaces or tabs;
 * a param or tag value is the rest of the line). KEY and VALUE point into
 * LINE, which is modified. Blank lines and lines starting with '#' give
 * *SKIP = 1. SX_EPARSE with "COL: what was expected" otherwise. */
enum sx_status sx_runs_parse_log_line(char *line, struct sx_log_item *out, int *skip,
                                      struct sx_err *err);

/* Everything `sextant train` records about a trained run, written in one
 * transaction with status "finished" and the end time now. Pointers may be
 * NULL (left unset). JSON texts are stored as given. */
struct sx_run_result {
    const char *algo;
    const char *target;
    const char *dataset_id;     /* the data set version trained on */
    const char *source_path;
    const char *data_hash;
    const char *fit_id;         /* the feature-set fit applied */
    const char *split;          /* as sx_split_format writes it */
    const char *model_json;     /* sx_model_json */
    const char *groups_json;    /* {COL: {LABEL: {METRIC: V}}} */
    const char *validation_json;/* {DATASET: {METRIC: V}} */
    const char *env_json;       /* sx_env_json */
    const char *resources_json; /* {"wall_s","cpu_s","peak_rss_mb","rows_per_s"} */
    const struct sx_log_item *items;   /* params and metrics */
    size_t nitems;
    const char *status;         /* NULL: "finished" */
};
enum sx_status sx_runs_record(struct sx_store *st, const char *id,
                              const struct sx_run_result *r, struct sx_err *err);

/* Mark trial BEST_ID the best child of sweep PARENT_ID on METRIC. */
enum sx_status sx_runs_set_best(struct sx_store *st, const char *parent_id,
                                const char *best_id, const char *metric, struct sx_err *err);

/* Add a comment by the OS user to run ID; REVIEW (NULL or "") leaves the
 * review status alone, else sets it ("reviewed", "needs-work"). TEXT may
 * be empty only when REVIEW is given. */
enum sx_status sx_runs_comment(struct sx_store *st, const char *id, const char *text,
                               const char *review, struct sx_err *err);
/* The same with a given AUTHOR and time CREATED_MS (0: now), for the demo
 * and imports. */
enum sx_status sx_runs_comment_as(struct sx_store *st, const char *id, const char *author,
                                  int64_t created_ms, const char *text, const char *review,
                                  struct sx_err *err);

/* ---- reading ---- */

/* The full id of the run named by ID (a full id or a prefix of at least
 * SX_RUN_PREFIX_MIN characters, case-insensitive). SX_ENOTFOUND when none;
 * SX_EINVAL when too short or ambiguous. */
enum sx_status sx_runs_resolve(struct sx_store *st, const char *id, char out[SX_UUID_LEN],
                               struct sx_err *err);

struct sx_kv {
    char *key;
    char *value;
};
struct sx_metric_point {
    char *key;
    double value;               /* NaN when stored as NULL */
    int64_t step;
    int64_t time_ms;
};
struct sx_comment {
    char *author;
    int64_t created_ms;
    char *text;
    char *review;               /* "" when the comment set none */
};

struct sx_run {
    char id[SX_UUID_LEN];
    char *name;
    char *experiment;
    char *author;
    char *status;
    int64_t start_ms;
    int64_t end_ms;             /* 0 while running */
    char *parent_id;            /* "" when none */
    char *kind;
    char *algo, *target, *split;            /* "" when unset */
    char *dataset_id, *dataset_name;        /* "" when unset */
    int dataset_version;                    /* 0 when unset */
    char *source_path, *data_hash, *fit_id; /* "" when unset */
    char *model_json, *groups_json, *validation_json, *env_json, *resources_json; /* "" when unset */
    char *notes;
    char *review;               /* "", "reviewed" or "needs-work" */
    char *best_metric, *best_run_id;        /* "" unless a sweep parent */
    char *source;
    struct sx_kv *params;       /* by key */
    size_t nparams;
    struct sx_kv *tags;         /* by key */
    size_t ntags;
    struct sx_metric_point *metrics;   /* latest value of each metric, by key */
    size_t nmetrics;
    struct sx_comment *comments;       /* oldest first */
    size_t ncomments;
};
void sx_run_clear(struct sx_run *r);

/* Run ID (resolved as sx_runs_resolve does) with its params, tags, latest
 * metrics and comments. OUT is overwritten; release with sx_run_clear. */
enum sx_status sx_runs_get(struct sx_store *st, const char *id, struct sx_run *out,
                           struct sx_err *err);
/* The history of metric KEY of run ID (KEY NULL: every metric), by key,
 * then step, then time. *OUT is a new array (sx_metric_points_free). */
enum sx_status sx_runs_history(struct sx_store *st, const char *id, const char *key,
                               struct sx_metric_point **out, size_t *n, struct sx_err *err);
void sx_metric_points_free(struct sx_metric_point *p, size_t n);

/* The children of run ID (sweep trials), oldest first: their ids as a new
 * array of SX_UUID_LEN strings (free()). */
enum sx_status sx_runs_children(struct sx_store *st, const char *id,
                                char (**out)[SX_UUID_LEN], size_t *n, struct sx_err *err);

struct sx_experiment {
    char id[SX_UUID_LEN];
    char *name;
    char *author;
    int64_t created_ms;
    size_t nruns;
};
/* Every experiment by name. *OUT is new (sx_experiment_list_free). */
enum sx_status sx_runs_experiments(struct sx_store *st, struct sx_experiment **out, size_t *n,
                                   struct sx_err *err);
void sx_experiment_list_free(struct sx_experiment *e, size_t n);

/* ---- the runs table ---- */

/* The runs as one frame, one row per run, for the CLI's `runs`, filters
 * (core/expr over this frame: `rmse < 3 and algo == 'ridge'`), sorting
 * and the Experiments pane. Columns, in order:
 *   id, name, experiment, status, author, kind, parent (text; "" none),
 *   algo, review (category), start, end (dates in seconds; end missing
 *   while running), then one column per param key (float when every
 *   value is a number, else category; missing where a run lacks it), then
 *   one float column per metric key (the latest value; missing where a
 *   run lacks it or it is NaN). Param and metric columns are named by
 *   their key, sorted by key; a key equal to an earlier column's name is
 *   prefixed "param." or "metric.".
 * Tags are not columns. Rows are ordered by start time, newest first. */
struct sx_runs_table {
    struct sx_frame *frame;
    size_t param_first, nparams;    /* frame columns [param_first, +nparams) are params */
    size_t metric_first, nmetrics;  /* frame columns [metric_first, +nmetrics) are metrics */
    char **keys;                    /* frame->ncols: the param/metric key of each column
                                       (the column name for the fixed ones) */
};
void sx_runs_table_free(struct sx_runs_table *t);

/* Rebuild every runs-table row marked stale (run_summary.data NULL, or
 * written by another version of core/runs.c) in one transaction. Writes
 * through this header keep the rows fresh; a writer that fills the run
 * tables with its own SQL (the MLflow import) calls this once at the end,
 * else each load rebuilds the stale rows again. */
enum sx_status sx_runs_summary_refresh(struct sx_store *st, struct sx_err *err);

/* Load the runs of EXPERIMENT (NULL: every experiment). With
 * TOP_LEVEL_ONLY, trials (runs with a parent) are left out. Fast enough
 * for the pane to open on 100,000 runs in well under 100 ms. */
struct sx_runs_table *sx_runs_table_load(struct sx_store *st, const char *experiment,
                                         int top_level_only, struct sx_err *err);

/* Run ID as the JSON object `sextant runs --json` prints: {"id","name",
 * "experiment","status","author","start","end","params":{},"metrics":{},
 * "tags":{}} (start/end ISO 8601 text, end null while running; metrics the
 * latest values, null for NaN), plus with FULL the rest of the run:
 * "parent","kind","algo","target","split","dataset":{"id","name",
 * "version","path","hash"},"fit","model","groups","validation","env",
 * "resources","notes","review","comments":[…] and "history":{KEY:[[STEP,
 * VALUE,TIME]…]} (TIME in ms). New reference. */
json_t *sx_run_json(struct sx_store *st, const struct sx_run *r, int full, struct sx_err *err);

/* Call FN with each run of IDS[0..N) (full ids), in order, as the JSON
 * object sx_run_json makes without FULL (borrowed: FN takes a reference
 * to keep it), reading them with statements prepared once for all (for
 * `sextant runs --json` of many runs). A non-zero return of FN stops with
 * SX_ECANCEL; an unknown id is SX_ENOTFOUND. */
enum sx_status sx_runs_json_each(struct sx_store *st, const char *const *ids, size_t n,
                                 int (*fn)(void *ctx, json_t *run), void *ctx,
                                 struct sx_err *err);

#endif
