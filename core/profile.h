/* core/profile.h: per-column profiles of an sx_frame, as pandas describe
 * gives them (../shared/STATS.md sections 2 and 9), plus top-k frequency
 * tables, histograms, grouped profiles and the correlation matrix.
 * Pure computation: no I/O, no store, no curses. */
#ifndef SX_PROFILE_H
#define SX_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "frame.h"

struct sx_freq {
    char *value;              /* the cell's text (sx_col_format), owned */
    uint64_t count;
};

/* Numeric stats apply to FLOAT, INT and DATE columns (dates in their unit);
 * categorical stats to CATEGORY, TEXT and BOOL (as pandas treats bool).
 * Undefined values are NAN (numeric) or NULL/0 (categorical). */
struct sx_col_profile {
    char *name;
    enum sx_type type;
    enum sx_date_unit unit;
    uint64_t count;           /* present cells */
    uint64_t missing;
    int numeric;              /* the numeric fields below apply */
    double mean, std, min, p25, p50, p75, max;   /* std: ddof 1, two passes */
    int categorical;          /* the categorical fields below apply */
    uint64_t unique;
    char *top;                /* most frequent value, first seen among ties; NULL if none */
    uint64_t freq;
    char **ties;              /* every value tied with top, first-seen order */
    size_t nties;
    struct sx_freq *topk;     /* most frequent values: count desc, then first seen */
    size_t ntopk;
    uint64_t *hist;           /* numeric: nbins counts over numpy's equal-width */
    size_t nbins;             /*   bins from min to max (last bin closed) */
};

struct sx_profile {
    uint64_t rows;
    size_t ncols;
    struct sx_col_profile *cols;
};

struct sx_profile_opts {
    size_t topk;              /* entries in each frequency table (default 10) */
    size_t bins;              /* histogram bins (default 20) */
    int threads;              /* 0 = number of online CPUs */
};

void sx_profile_opts_init(struct sx_profile_opts *o);

/* Profile every column of F. Returns a new profile (free with
 * sx_profile_free()), or NULL with ERR filled. OPTS may be NULL. */
struct sx_profile *sx_profile_frame(const struct sx_frame *f,
                                    const struct sx_profile_opts *opts,
                                    struct sx_err *err);
void sx_profile_free(struct sx_profile *p);

/* numpy's linear quantile of SORTED[0..N-1] at Q (STATS.md section 2). */
double sx_quantile_sorted(const double *sorted, size_t n, double q);
/* numpy's linear quantiles of the unsorted X[0..N-1] (no NaN) at
 * QS[0..NQ-1] (each in [0, 1]) into OUT[0..NQ-1], by selection rather than
 * a full sort; X is reordered. N = 0 gives NaN. Returns 0, or -1 when out
 * of memory (OUT is then unset). */
int sx_quantiles_select(double *x, size_t n, const double *qs, size_t nq, double *out);

/* Profiles of F per value of column BY (category, text, bool or int).
 * Groups are ordered by their label's bytes; rows whose BY cell is missing
 * belong to no group. */
struct sx_group_profile {
    char *by;                 /* the grouping column's name */
    size_t ngroups;
    char **labels;
    struct sx_profile **profiles;
};
struct sx_group_profile *sx_profile_by(const struct sx_frame *f, size_t by,
                                       const struct sx_profile_opts *opts,
                                       struct sx_err *err);
void sx_group_profile_free(struct sx_group_profile *g);

/* Pearson correlation of the FLOAT, INT and BOOL columns, pairwise-complete
 * as pandas DataFrame.corr(): r[i*n + j]; NAN where undefined. */
struct sx_corr {
    size_t n;
    char **names;
    size_t *cols;             /* frame column index of each entry */
    double *r;
};
struct sx_corr *sx_profile_corr(const struct sx_frame *f, struct sx_err *err);
void sx_corr_free(struct sx_corr *c);

/* The describe JSON contract:
 * {"rows":N,"columns":[{"name","type","count","missing","mean","std","min",
 *   "p25","p50","p75","max","unique","top","freq"}…]}
 * Fields that do not apply are null; dates' mean..max are ISO strings and
 * their std is in days (or seconds). Each column also carries "ties" (when
 * several values tie for top), "topk" [{"value","count"}] and "hist"
 * {"min","max","counts"} where they apply. Returns a new reference. */
json_t *sx_profile_json(const struct sx_profile *p);
/* {"rows":N,"by":COL,"groups":[{"value":LABEL,"rows":n,"columns":[…]}…]} */
json_t *sx_group_profile_json(const struct sx_group_profile *g);
/* Rebuild a profile from sx_profile_json() output (as stored). NULL with
 * ERR on malformed input. */
struct sx_profile *sx_profile_from_json(const json_t *j, struct sx_err *err);

#endif
