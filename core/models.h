/* core/models.h: the built-in learning algorithms behind one small
 * interface: a design matrix in, a model (names, coefficients, intercept,
 * a fit report) out; predict, serialise to JSON, export as SQL.
 *
 * The algorithms follow scikit-learn 1.2 exactly (../shared/STATS.md
 * section 11): OLS (`LinearRegression`) centres X and y and takes the
 * minimum-norm least-squares solution from an SVD truncated at eps*S0;
 * ridge (`Ridge(alpha)`) solves (XcT Xc + alpha I) w = XcT yc, intercept
 * unpenalised, alpha not scaled by n; logistic (`LogisticRegression(C)`,
 * L2, intercept unpenalised) is solved by Newton's method to the true
 * optimum and reports its iterations and final gradient norm.
 *
 * A new algorithm joins by adding an enum value, a name, its parameters to
 * sx_model_param_set and a case to sx_model_fit; predict, JSON and SQL work
 * on every linear model as they are. */
#ifndef SX_MODELS_H
#define SX_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "expr.h"
#include "features.h"
#include "frame.h"

enum sx_algo { SX_ALGO_OLS, SX_ALGO_RIDGE, SX_ALGO_LOGISTIC };

/* "ols", "ridge", "logistic". */
const char *sx_algo_name(enum sx_algo a);
/* The algorithm named S; SX_EINVAL with the list of names otherwise. */
enum sx_status sx_algo_parse(const char *s, enum sx_algo *out, struct sx_err *err);
/* 1 for algorithms that predict a binary class (logistic), else 0. */
int sx_algo_is_binary(enum sx_algo a);

/* Hyper-parameters; each algorithm reads its own. */
struct sx_model_params {
    double alpha;       /* ridge: L2 strength (default 1.0) */
    double C;           /* logistic: inverse L2 strength (default 1.0) */
    int max_iter;       /* logistic: Newton iterations at most (default 100) */
    double tol;         /* logistic: stop when max |gradient| <= tol (default 1e-10) */
};
void sx_model_params_default(struct sx_model_params *p);
/* Set KEY to VALUE ("alpha", "C", "max_iter", "tol") for algorithm A.
 * SX_EINVAL with a message for a key A does not take or a value that is
 * not a number in range (alpha >= 0, C > 0, max_iter >= 1, tol > 0). */
enum sx_status sx_model_param_set(struct sx_model_params *p, enum sx_algo a,
                                  const char *key, const char *value, struct sx_err *err);

/* A design matrix: N rows of P features, row-major, and the target. ROWS
 * maps each design row to the frame row it came from (rows with a missing
 * feature or target are left out). */
struct sx_design {
    size_t n, p;
    double *x;          /* n * p, row-major */
    double *y;          /* n; NULL when built without a target */
    size_t *rows;       /* n: frame row of each design row */
    char **names;       /* p feature names */
    char *target;       /* the target's name, or NULL */
};
void sx_design_clear(struct sx_design *d);

/* Build a design from frame F: the target column TARGET (NULL: none) and
 * the features FEATURES[0..NFEATURES) (FEATURES NULL: every float, int and
 * bool column other than the target, in frame order). Rows with any
 * missing feature or target are dropped (listwise). A named feature that
 * is not numeric or bool is SX_ETYPE ("column 'x' is a category; one-hot
 * encode it in a feature set"), an unknown name SX_ENOTFOUND. With BINARY
 * the target must hold only 0 and 1 (bool, or numbers 0/1), else SX_ETYPE
 * naming the first other value. No rows left is SX_EINVAL. */
enum sx_status sx_design_from_frame(const struct sx_frame *f, const char *target,
                                    const char *const *features, size_t nfeatures,
                                    int binary, struct sx_design *out, struct sx_err *err);

struct sx_model {
    enum sx_algo algo;
    struct sx_model_params params;
    size_t p;
    char **names;       /* p feature names */
    double *coef;       /* p coefficients */
    double intercept;
    char *target;       /* may be NULL */
    /* fit report */
    size_t rows;        /* rows fitted on */
    size_t rank;        /* OLS: effective rank of the centred design */
    int iterations;     /* logistic: Newton iterations taken */
    double grad_norm;   /* logistic: max |gradient| at the solution */
    int converged;      /* 1 when the stopping rule was met (OLS/ridge: 1) */
};
void sx_model_clear(struct sx_model *m);

/* Fit algorithm A with PARAMS on the rows IDX[0..NIDX) of D (IDX NULL: all
 * D->n rows). OUT is overwritten (release with sx_model_clear). A logistic
 * target must be 0/1 (checked again: SX_EINVAL). Fewer than one row is
 * SX_EINVAL. Logistic regression that does not converge in max_iter
 * iterations still returns SX_OK with converged = 0. */
enum sx_status sx_model_fit(enum sx_algo a, const struct sx_model_params *params,
                            const struct sx_design *d, const size_t *idx, size_t nidx,
                            struct sx_model *out, struct sx_err *err);

/* Predict the rows IDX[0..NIDX) of D (IDX NULL: all) into OUT[0..n): the
 * value for regression, the probability of class 1 for logistic (its
 * label is 1 when p > 0.5, strictly). D's columns must be the model's
 * features in order (a design built with M->names). */
void sx_model_predict(const struct sx_model *m, const struct sx_design *d, const size_t *idx,
                      size_t nidx, double *out);

/* Predict every row of frame F, finding the model's features by name.
 * OUT[i] is NaN where a feature is missing. An absent or non-numeric
 * feature column is an error. */
enum sx_status sx_model_predict_frame(const struct sx_model *m, const struct sx_frame *f,
                                      double *out, struct sx_err *err);

/* {"algo":"ridge","params":{"alpha":1},"target":"y","features":[…],
 *  "coefficients":[…],"intercept":x,"rows":n,"rank":r,"iterations":i,
 *  "grad_norm":g,"converged":true}. Numbers are exact (%.17g). New ref. */
json_t *sx_model_json(const struct sx_model *m);
/* Rebuild a model from sx_model_json's output; SX_EPARSE naming the bad key. */
enum sx_status sx_model_from_json(const json_t *j, struct sx_model *out, struct sx_err *err);

/* The model as one SQL expression over its feature columns (identifiers
 * through sx_sql_ident): the linear predictor for regression,
 * 1/(1+exp(-z)) for logistic. New string. */
char *sx_model_sql_expr(const struct sx_model *m, enum sx_sql_dialect d, struct sx_err *err);
/* A whole SELECT over table TABLE: with FIT (may be NULL) the feature
 * set's inference SQL as a subquery, then the model's prediction as column
 * "prediction" (and "label" for logistic) next to every feature column.
 * New string. */
char *sx_model_sql(const struct sx_model *m, const struct sx_ffit *fit, enum sx_sql_dialect d,
                   const char *table, struct sx_err *err);

#endif
