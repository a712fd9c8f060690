/* core/mlflow.h: import MLflow tracking data (MLflow 1.x to 3.x) into the
 * store: experiments, runs, params, metrics with their full history, tags,
 * run names, users, parent runs, status and times.
 *
 * Two sources, told apart by what PATH is: an MLflow file store (a
 * directory `mlruns/` of experiment folders with meta.yaml, read through
 * libyaml) or an MLflow SQLite store (a `mlflow.db` file, read with
 * SQLite, read-only). ../shared/MLFLOW.md describes both formats.
 *
 * Imported objects keep MLflow's ids as their external_id (source
 * "mlflow"), so importing again adds only what is new: unseen experiments
 * and runs, params and tags not yet present, metric points not yet
 * present, a status or end time that changed. A malformed file or row is
 * reported (path and what was wrong) and skipped; the rest goes on. */
#ifndef SX_MLFLOW_H
#define SX_MLFLOW_H

#include <stddef.h>

#include "err.h"
#include "store.h"

struct sx_mlflow_report {
    size_t experiments_new, experiments_seen;
    size_t runs_new, runs_updated, runs_seen;
    size_t params_new, tags_new, metric_points_new;
    size_t skipped;                 /* malformed files or rows skipped */
    char **problems;                /* one line per skipped item: "PATH: what" */
    size_t nproblems;
    size_t deleted;                 /* experiments and runs MLflow marks deleted
                                       (lifecycle_stage deleted, .trash): not imported */
};
void sx_mlflow_report_clear(struct sx_mlflow_report *r);

/* Import PATH (an mlruns/ directory, a project directory holding mlruns/,
 * or an mlflow.db file) into ST in one transaction. PROGRESS (may be NULL)
 * is called after each run with the runs done so far. SX_ENOTFOUND when
 * PATH is neither; problems with single files go into REPORT, not ERR.
 * REPORT is overwritten; release it with sx_mlflow_report_clear(), also
 * after a failure (when nothing was written). */
enum sx_status sx_mlflow_import(struct sx_store *st, const char *path,
                                void (*progress)(void *ctx, size_t runs_done), void *ctx,
                                struct sx_mlflow_report *report, struct sx_err *err);

#endif
