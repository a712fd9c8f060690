/* core/features.h: feature sets: a text spec of statements applied in
 * order, fitted on a training frame, applied identically to any frame.
 *
 * Spec, one statement a line, `#` comments, blank lines ignored:
 *   feature NAME = EXPR                derived column (core/expr.h)
 *   filter EXPR                        drop rows where EXPR is not true;
 *                                      training mode only
 *   impute median|mean|mode COL, …     fitted: the value per column
 *   clip COL, … quantiles LO HI        fitted bounds (numpy linear
 *                                      quantiles), applied in every mode
 *   standardize COL, …                 fitted mean and std (ddof 0; a
 *                                      constant column is scaled by 1, as
 *                                      scikit-learn's StandardScaler)
 *   minmax COL, …                      fitted min and max → [0, 1]
 *   onehot COL top N                   fitted: the N most frequent
 *                                      categories (ties: first seen);
 *                                      outputs COL_<value> 0/1 columns plus
 *                                      COL_other for anything else
 *   bins COL quantiles K               fitted quantile edges; output COL_bin
 *                                      (ordinal 0..K-1, right-closed bins)
 *   pca NAME K of COL, …               fitted centred PCA (full SVD, the
 *                                      sign rule of scikit-learn 1.2);
 *                                      outputs NAME_1 … NAME_K
 *   drop COL, …
 * Statement keywords are case-sensitive lower case. Column names that are
 * not plain identifiers are written "quoted" as in expressions.
 *
 * Versions: the hash (BLAKE2b hex) of the normalised spec (comments and
 * blank lines removed, whitespace collapsed, one statement per line) is the
 * version's identity. A fit holds every fitted parameter; applying it in
 * train and inference mode yields bit-identical values for the rows both
 * keep. Inference never fails on unseen categories (→ COL_other), missing
 * values (imputed where a rule says so, else missing) or out-of-range
 * values (clipped/extrapolated by the fitted rule); each is counted in the
 * apply report.
 *
 * Errors: "LINE:COL: what" in ERR (LINE within the spec), with
 * sx_expr_caret() on the spec line for people. Pure computation: no I/O. */
#ifndef SX_FEATURES_H
#define SX_FEATURES_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "expr.h"
#include "frame.h"

struct sx_fspec;
struct sx_ffit;

enum sx_fmode { SX_FMODE_TRAIN, SX_FMODE_INFERENCE };

/* Parse spec TEXT. Returns a new spec (sx_fspec_free()) or NULL with ERR;
 * *ERR_LINE / *ERR_COL (may be NULL) receive the 1-based position. */
struct sx_fspec *sx_fspec_parse(const char *text, struct sx_err *err, int *err_line,
                                int *err_col);
void sx_fspec_free(struct sx_fspec *s);
/* The normalised spec text (new string, free()). */
char *sx_fspec_normalize(const struct sx_fspec *s);
/* BLAKE2b-256 hex of the normalised text. */
void sx_fspec_hash(const struct sx_fspec *s, char hex[65]);

/* Fit SPEC on TRAIN (training mode: filters apply). Checks every column
 * and expression against TRAIN's schema first. Returns a new fit
 * (sx_ffit_free()) or NULL with ERR. */
struct sx_ffit *sx_features_fit(const struct sx_fspec *spec, const struct sx_frame *train,
                                struct sx_err *err);
void sx_ffit_free(struct sx_ffit *fit);

/* The fitted parameters as JSON (every number %.17g-exact):
 * {"spec_hash":…,"steps":[{"op":"standardize","columns":{"temperature":
 * {"mean":…,"scale":…}},…},…],"outputs":[{"name","type"}…]}. New ref. */
json_t *sx_ffit_json(const struct sx_ffit *fit);
/* Rebuild a fit from SPEC and the JSON sx_ffit_json wrote. */
struct sx_ffit *sx_ffit_from_json(const struct sx_fspec *spec, const json_t *j,
                                  struct sx_err *err);

/* Apply FIT to IN in MODE. Returns the output frame (new), and when REPORT
 * is not NULL a new JSON report: {"mode","rows_in","rows_out","filtered",
 * "imputed":{COL:n},"clipped":{COL:n},"unseen":{COL:n},"missing_out":{COL:n}}. */
struct sx_frame *sx_features_apply(const struct sx_ffit *fit, const struct sx_frame *in,
                                   enum sx_fmode mode, json_t **report, struct sx_err *err);

/* One SQL SELECT over table TABLE (the source columns) computing the same
 * output columns in MODE (train adds the filters as WHERE). New string. */
char *sx_features_sql(const struct sx_ffit *fit, enum sx_fmode mode, enum sx_sql_dialect d,
                      const char *table, struct sx_err *err);

#endif
