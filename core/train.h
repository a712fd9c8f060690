/* core/train.h: training orchestration, tying the feature sets, the
 * algorithms, the validation strategies and the run store together for
 * `sextant train`, `sextant sweep` and the demo.
 *
 * The work goes in three steps, so that bad input is reported before any
 * run exists and a sweep prepares its data once:
 *
 *  1. sx_train_prepare: apply the feature-set fit (if any) to the training
 *     frame in training mode (filters drop rows), pick the features (every
 *     float, int and bool output column except the target and the excluded
 *     ones, in frame order), build the design (listwise deletion; a 0/1
 *     target for binary algorithms) and make the split's folds.
 *     sx_train_add_validation then adds named validation frames, each
 *     transformed by the fit in inference mode (every row kept) and built
 *     into a design with the same features.
 *  2. sx_train_eval: pure computation, safe to call from several threads
 *     on one prepared data. Fits the algorithm on every fold's training
 *     rows and predicts its test rows (the out-of-fold predictions); the
 *     overall metrics and the per-group metrics of the `by` column come
 *     from those (with split none, from the in-sample predictions of the
 *     final model). The final model is then always fitted on every row, so
 *     a run's coefficients never depend on its split. Each validation set
 *     is predicted by the final model: its metrics, and per group of `by`.
 *     Binary metrics use the label p > 0.5 as the prediction and p as the
 *     score.
 *  3. sx_train_run / sx_train_sweep: record runs in the store (all writes
 *     from the calling thread). A run is started (status running) before it
 *     is trained and recorded (finished) after; a failure after the start
 *     marks it failed (killed when cancelled).
 *
 * What a run records (sx_runs_record): algo, target, split (canonical
 * text), lineage (data set id, source path, data hash, fit id), params
 * (target, split, fit when given, and the algorithm's own: alpha for ridge;
 * C, max_iter and tol for logistic), metrics (the overall ones, step 0),
 * model_json (sx_model_json of the final model), groups_json ({COL: {LABEL:
 * {METRIC: V}}} for the training data, plus one key "COL@DATASET" per
 * validation set holding that set's groups), validation_json ({DATASET:
 * {METRIC: V}}), env_json (sx_env_json) and resources_json ({"wall_s",
 * "cpu_s", "peak_rss_mb", "rows_per_s", "rows", "threads"}: wall and CPU
 * time of preparing (single runs only) and training, the process's peak
 * resident set, design rows per wall second).
 *
 * Sweeps: axes of values for model parameters, from `--grid K=V1,V2,…`,
 * `--grid K=LO..HI[:log]:N` (N values evenly or log-evenly spaced from LO
 * to HI inclusive) and `--random K=LO..HI[:log]:N` (N draws, uniform or
 * log-uniform, from a generator seeded with SEED). The trials are the
 * cartesian product of the grid axes, times R random draws when random
 * axes are given (R: the largest N among them; each draw samples every
 * random key). A parent run (kind "sweep") holds the trials (kind "trial",
 * named by their swept params, e.g. "alpha=0.01"); the trials run spread
 * over the cores; the best trial on the chosen metric (direction from
 * sx_metric_lower_is_better; ties: the earlier trial) is marked with
 * sx_runs_set_best, tagged "best"="true" on itself and "best_run" /
 * "best_metric" on the parent, and the parent records the best trial's
 * metrics, model, groups and validation.
 *
 * Ownership: the caller owns everything it passes; results are released
 * with the matching _free/_clear. Errors come back in struct sx_err; no
 * printing, no exiting. */
#ifndef SX_TRAIN_H
#define SX_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "features.h"
#include "frame.h"
#include "hash.h"
#include "models.h"
#include "runs.h"
#include "store.h"
#include "validate.h"

/* Polled now and then (from worker threads too); non-zero cancels with
 * SX_ECANCEL. */
typedef int (*sx_train_cancel_fn)(void *ctx);

struct sx_train_opts {
    const char *target;             /* required */
    int binary;                     /* 1: 0/1 target and binary metrics (logistic) */
    const char *const *exclude;     /* columns never used as features; may be NULL */
    size_t nexclude;
    struct sx_split_spec split;     /* sx_split_parse; zeroed = none */
    const char *by;                 /* per-group metrics over this column, or NULL */
    int threads;                    /* worker threads for folds (0: every CPU) */
    sx_train_cancel_fn cancel;      /* may be NULL */
    void *cancel_ctx;
};

/* One validation set, prepared. */
struct sx_train_vset {
    char *name;
    const struct sx_frame *frame;   /* the fit's inference output, or the input */
    struct sx_frame *owned;         /* FRAME when the fit made it */
    struct sx_design design;        /* the training features, the target */
    const struct sx_column *by;     /* the `by` column of FRAME, or NULL */
};

/* Training data, prepared once. Read-only after sx_train_prepare and
 * sx_train_add_validation; sx_train_eval may run on it from many threads. */
struct sx_train_data {
    const struct sx_frame *frame;   /* after the fit in training mode, or the input */
    struct sx_frame *owned;         /* FRAME when the fit made it (freed with D) */
    struct sx_design design;        /* features and target, listwise complete */
    struct sx_splits splits;        /* zero folds for split none */
    struct sx_split_spec split;
    char split_text[320];           /* sx_split_format */
    enum sx_task task;
    char *target;
    char *by;                       /* NULL when no per-group metrics */
    const struct sx_column *by_col; /* in FRAME */
    size_t rows_in;                 /* rows of the input frame (before filters) */
    struct sx_train_vset *vsets;
    size_t nvsets;
    int threads;
    sx_train_cancel_fn cancel;
    void *cancel_ctx;
    double prep_wall_s, prep_cpu_s; /* time spent in sx_train_prepare */
};

/* Prepare RAW (not changed) for training as step 1 above; FIT may be NULL
 * (raw numeric and bool columns are the features; D then reads RAW, which
 * must outlive it). Errors: the target
 * missing from the (transformed) frame is SX_ENOTFOUND; a category or text
 * target SX_ETYPE; a non-0/1 target with BINARY SX_ETYPE; no feature
 * column, or no complete row, SX_EINVAL; an unknown `by` or split column
 * SX_ENOTFOUND; a split that cannot be made (sx_split_make) its error.
 * Returns a new data (sx_train_data_free) or NULL with ERR. */
struct sx_train_data *sx_train_prepare(const struct sx_frame *raw, const struct sx_ffit *fit,
                                       const struct sx_train_opts *o, struct sx_err *err);
/* Add validation set NAME from frame RAW (not changed; without FIT it must
 * outlive D): FIT (the one prepared with, may be NULL) applied in inference
 * mode, then the design
 * of D's features and target. A missing feature or target column is
 * SX_ENOTFOUND naming the set; a `by` column absent from it likewise. A
 * name given twice is SX_EEXIST. */
enum sx_status sx_train_add_validation(struct sx_train_data *d, const char *name,
                                       const struct sx_frame *raw, const struct sx_ffit *fit,
                                       struct sx_err *err);
void sx_train_data_free(struct sx_train_data *d);

/* Metrics of one validation set. */
struct sx_train_vresult {
    const char *name;               /* borrowed from the data's vset */
    struct sx_metrics m;
    struct sx_group_metrics *groups;
    size_t ngroups;
};

/* The result of training one configuration. */
struct sx_train_result {
    enum sx_algo algo;
    struct sx_model_params params;
    struct sx_model model;          /* the final model, fitted on every row */
    struct sx_metrics metrics;      /* out of fold (in-sample for split none) */
    double *pred;                   /* design n: out-of-fold prediction of each design
                                       row (the probability for binary), NaN where a
                                       row is in no test fold; in-sample for none */
    size_t n;                       /* design rows */
    size_t nfolds;
    struct sx_group_metrics *groups;/* per group of `by` (NULL when none) */
    size_t ngroups;
    struct sx_train_vresult *val;   /* one per validation set, in the order added */
    size_t nval;
    int64_t start_ms;               /* when training began (sx_runs_now_ms) */
    double wall_s, cpu_s;           /* training only (not preparing) */
    int threads;                    /* worker threads used */
};
void sx_train_result_clear(struct sx_train_result *r);

/* Train ALGO with PARAMS on D as step 2 above, with up to THREADS worker
 * threads for the folds and the final fit (0: D's setting). OUT is
 * overwritten (sx_train_result_clear). CPU time is the process's with more
 * than one thread, else the calling thread's. Thread-safe on a shared D. */
enum sx_status sx_train_eval(const struct sx_train_data *d, enum sx_algo algo,
                             const struct sx_model_params *params, int threads,
                             struct sx_train_result *out, struct sx_err *err);

/* ---- JSON ---- */

/* {COL: {LABEL: {METRIC: V}}} of the training data (empty object without
 * `by`); with VALIDATION also the "COL@DATASET" keys. New reference. */
json_t *sx_train_groups_json(const struct sx_train_data *d, const struct sx_train_result *r,
                             int validation);
/* {DATASET: {METRIC: V}}. New reference. */
json_t *sx_train_validation_json(const struct sx_train_result *r);
/* What `sextant train --json` prints: {"run": RUN_ID, "metrics": {…},
 * "groups": {COL: {LABEL: {…}}}, "validation": {DATASET: {…}},
 * "coefficients": {FEATURE: V…}, "intercept": V}. New reference. */
json_t *sx_train_result_json(const char *run_id, const struct sx_train_data *d,
                             const struct sx_train_result *r);

/* ---- recording ---- */

/* Where the training data came from, and the environment. Pointers may be
 * NULL; ENV_JSON NULL captures the environment (sx_env_capture). */
struct sx_train_lineage {
    const char *dataset_id;         /* the data set version, or NULL for a CSV file */
    const char *source_path;
    const char *data_hash;
    const char *fit_id;
    const char *env_json;
};

/* Train and record one run: start it (RN: experiment, name, author, notes;
 * kind "run" unless RN says otherwise), sx_train_eval, sx_runs_record. On
 * success OUT holds the result and ID the run. A failure after the start
 * marks the run failed (killed when cancelled) and returns the error; ID
 * then still names the run (ID[0] is 0 when none was created). */
enum sx_status sx_train_run(struct sx_store *st, const struct sx_train_data *d,
                            enum sx_algo algo, const struct sx_model_params *params,
                            const struct sx_run_new *rn, const struct sx_train_lineage *lin,
                            struct sx_train_result *out, char id[SX_UUID_LEN],
                            struct sx_err *err);

/* ---- sweeps ---- */

struct sx_sweep_axis {
    char *key;
    char **values;                  /* grid: the values as text */
    size_t nvalues;
    int random;                     /* 1: a random axis: LO..HI, LOG, N */
    double lo, hi;
    int log;
    size_t n;
};
struct sx_sweep {
    struct sx_sweep_axis *axes;
    size_t naxes;
    uint64_t seed;                  /* random draws (default 42) */
};
void sx_sweep_init(struct sx_sweep *s);
void sx_sweep_clear(struct sx_sweep *s);
/* Add a --grid axis: "K=V1,V2,…" (values as given, at least one, none
 * empty), "K=LO..HI:N" or "K=LO..HI:log:N" (N >= 1 values from LO to HI
 * inclusive, LO < HI unless N is 1; log: LO > 0, log-evenly spaced; the
 * ends are exactly LO and HI). A key given twice is SX_EINVAL. */
enum sx_status sx_sweep_add_grid(struct sx_sweep *s, const char *arg, struct sx_err *err);
/* Add a --random axis: "K=LO..HI:N" or "K=LO..HI:log:N" (LO < HI, N >= 1;
 * log: LO > 0). */
enum sx_status sx_sweep_add_random(struct sx_sweep *s, const char *arg, struct sx_err *err);

/* One trial: its params as key/value text pairs, in axis order. */
struct sx_sweep_trial {
    char **keys;                    /* borrowed from the axes */
    char **values;                  /* owned */
    size_t n;
};
/* Expand S into its trials (grid product first axis outermost, then the
 * random draws). *OUT is a new array (sx_sweep_trials_free). More than
 * SX_SWEEP_MAX_TRIALS trials, or none, is SX_EINVAL. */
#define SX_SWEEP_MAX_TRIALS 100000
enum sx_status sx_sweep_trials(const struct sx_sweep *s, struct sx_sweep_trial **out,
                               size_t *n, struct sx_err *err);
void sx_sweep_trials_free(struct sx_sweep_trial *t, size_t n);
/* Apply trial T to P (a copy of the base params) for ALGO: each key and
 * value through sx_model_param_set. */
enum sx_status sx_sweep_trial_params(const struct sx_sweep_trial *t, enum sx_algo algo,
                                     struct sx_model_params *p, struct sx_err *err);

/* One recorded trial. */
struct sx_sweep_done {
    char id[SX_UUID_LEN];
    struct sx_sweep_trial trial;    /* borrowed from the trials */
    int ok;                         /* 0: the trial failed (ERR) */
    struct sx_err err;
    struct sx_metrics metrics;
};
struct sx_sweep_result {
    char parent_id[SX_UUID_LEN];
    struct sx_sweep_trial *trials;
    struct sx_sweep_done *done;     /* ntrials, in trial order */
    size_t ntrials;
    char metric[64];                /* the metric the best won on */
    long best;                      /* index into DONE, -1 when no trial succeeded */
    struct sx_train_result best_result;   /* the best trial's result (pred freed) */
};
void sx_sweep_result_clear(struct sx_sweep_result *r);

/* Run sweep S of ALGO over D, starting from BASE params: the parent run
 * (RN with kind "sweep"), the trials spread over D's threads (each trial's
 * folds in one thread), each trial recorded as a child run when it ends,
 * the best on METRIC (NULL: rmse for regression, logloss for binary; must
 * be one of the task's metrics, else SX_EINVAL before anything is
 * written) marked. A trial that fails is recorded failed and the sweep goes
 * on; when every trial fails the sweep is failed with the first error.
 * Cancelling marks the parent and the unfinished trials killed. */
enum sx_status sx_train_sweep(struct sx_store *st, const struct sx_train_data *d,
                              enum sx_algo algo, const struct sx_model_params *base,
                              const struct sx_sweep *s, const char *metric,
                              const struct sx_run_new *rn, const struct sx_train_lineage *lin,
                              struct sx_sweep_result *out, struct sx_err *err);

/* V as the shortest text that reads back as the same double ("0.01",
 * "1e-05"). BUF at least 32 bytes. */
const char *sx_train_num_text(double v, char *buf, size_t size);

#endif
