/* core/validate.h: validation strategies (how rows split into train and
 * test folds) and evaluation metrics, exactly as ../shared/STATS.md
 * section 8 defines them (scikit-learn 1.2.1), overall and per group.
 *
 * Splits work on design rows 0..n-1; ROWS[i] is the frame row of design
 * row i, through which group and date columns are read. Every fold's
 * train and test sets are disjoint and sorted ascending. */
#ifndef SX_VALIDATE_H
#define SX_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "frame.h"

enum sx_split_kind {
    SX_SPLIT_NONE,        /* "none": fit and evaluate on all rows (no folds) */
    SX_SPLIT_HOLDOUT,     /* "holdout:F": a seeded random fraction F (0<F<1) is the test set */
    SX_SPLIT_KFOLD,       /* "kfold:K": K folds of a seeded shuffle */
    SX_SPLIT_STRATIFIED,  /* "stratified:K": K folds keeping each class's share (binary targets) */
    SX_SPLIT_GROUP,       /* "group:COL[:K]": K folds (default 5, at most the number of groups),
                             each group wholly in one fold (scikit-learn GroupKFold's balancing) */
    SX_SPLIT_LOGO,        /* "logo:COL": one fold per group, that group is the test set */
    SX_SPLIT_TIME         /* "time:COL:WINDOW": forward chaining on date column COL */
};

/* WINDOW for time splits: "day", "week" (ISO, Monday), "month", "quarter",
 * "year", or N followed by d, w, m, q or y ("6m"). The data's date range is
 * cut into consecutive windows starting at the first window boundary at or
 * before the earliest date; fold k tests on window k (k >= 1, non-empty)
 * and trains on every earlier row. */
struct sx_split_spec {
    enum sx_split_kind kind;
    double fraction;      /* holdout */
    int k;                /* kfold, stratified, group */
    char column[256];     /* group, logo, time */
    char window[32];      /* time, as given */
    uint64_t seed;        /* holdout, kfold, stratified shuffles (default 42) */
};

/* Parse TEXT ("none", "holdout:0.2", "kfold:5", "stratified:5", "group:COL",
 * "group:COL:K", "logo:COL", "time:COL:WINDOW") into OUT, seed 42.
 * SX_EINVAL with what was expected. The column is not checked here. */
enum sx_status sx_split_parse(const char *text, struct sx_split_spec *out, struct sx_err *err);
/* The canonical text of S (as parsed). Writes at most SIZE bytes. */
void sx_split_format(const struct sx_split_spec *s, char *out, size_t size);

struct sx_fold {
    size_t *train, ntrain;
    size_t *test, ntest;
    char *label;          /* "fold 1", the group's label, or the window ("2023-07") */
};
struct sx_splits {
    struct sx_fold *folds;
    size_t n;
};
void sx_splits_clear(struct sx_splits *s);

/* Make the folds of spec S over N design rows. F and ROWS give the frame
 * and each design row's frame row (for group, logo and time columns); Y
 * the target (for stratified: 0/1 values). A missing group or date sends
 * the row to no test set and, for time splits, to no training set either.
 * An unknown column is SX_ENOTFOUND; a time column that is not a date,
 * fewer than 2 groups for group/logo, K < 2 or K > N, or no non-empty test
 * fold is SX_EINVAL with a message. OUT is overwritten (sx_splits_clear).
 * NONE gives zero folds. */
enum sx_status sx_split_make(const struct sx_split_spec *s, const struct sx_frame *f,
                             const size_t *rows, const double *y, size_t n,
                             struct sx_splits *out, struct sx_err *err);

/* ---- metrics ---- */

enum sx_task { SX_TASK_REGRESSION, SX_TASK_BINARY };
enum sx_status sx_task_parse(const char *s, enum sx_task *out, struct sx_err *err);
const char *sx_task_name(enum sx_task t);

#define SX_METRICS_MAX 6
/* Regression: rmse mse mae r2 mape. Binary: accuracy precision recall f1
 * auc logloss. */
size_t sx_metric_count(enum sx_task t);
const char *sx_metric_name(enum sx_task t, size_t i);
/* 1 when a lower value is better (errors, log loss, and any name ending
 * in "loss" or "error", or one of rmse mse mae mape), else 0; for metrics
 * of any origin (logged or imported runs). */
int sx_metric_lower_is_better(const char *name);

struct sx_metrics {
    enum sx_task task;
    size_t n;                          /* rows with the actual value and the prediction */
    double v[SX_METRICS_MAX];          /* in sx_metric_name order */
    uint8_t defined[SX_METRICS_MAX];   /* 0: undefined (JSON null) */
};

/* Metrics over the rows IDX[0..N) (IDX NULL: rows 0..N-1) of ACTUAL,
 * PRED and SCORE (binary only; NULL: auc and logloss undefined). NaN
 * marks a missing value; each metric drops the rows missing a value it
 * needs (listwise deletion per metric): every regression metric and the
 * binary label metrics need ACTUAL and PRED, auc and logloss ACTUAL and
 * SCORE. OUT->n counts the rows with ACTUAL and PRED. Binary ACTUAL and
 * PRED must be 0/1. */
void sx_metrics_compute(enum sx_task t, const double *actual, const double *pred,
                        const double *score, const size_t *idx, size_t n,
                        struct sx_metrics *out);

struct sx_group_metrics {
    char *label;
    struct sx_metrics m;
};
/* The same metrics per distinct non-missing value of GROUP (labels as
 * sx_col_format writes them, sorted by their UTF-8 bytes). Element i of
 * ACTUAL/PRED/SCORE belongs to frame row ROWS[i] (ROWS NULL: row i) of
 * GROUP. *OUT is a new array; free with sx_group_metrics_free. */
enum sx_status sx_metrics_by_group(enum sx_task t, const double *actual, const double *pred,
                                   const double *score, const size_t *rows, size_t n,
                                   const struct sx_column *group,
                                   struct sx_group_metrics **out, size_t *ngroups,
                                   struct sx_err *err);
void sx_group_metrics_free(struct sx_group_metrics *g, size_t n);

/* {"rmse": v, …} with null for undefined values. New reference. */
json_t *sx_metrics_json(const struct sx_metrics *m);
/* {LABEL: {…}, …}. New reference. */
json_t *sx_group_metrics_json(const struct sx_group_metrics *g, size_t n);

#endif
