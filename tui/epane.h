/* tui/epane.h: what the Experiments pane's files share. The pane
 * (tui/pane_experiments.c) lists the experiments in the store; Enter opens
 * the runs table of one (or of all) in tui/view_runs.c: a column per param
 * and metric, sorts, an expression filter, grouping by a param, sweeps
 * folded under their parent, the best value of each metric marked. Enter
 * on a run opens its detail (tui/view_run.c); `s` selects runs and `c`
 * compares them side by side (tui/view_compare.c), which also charts
 * metric histories. Comments and review statuses are written from the
 * runs table and the detail view. The other panes need none of this. */
#ifndef SX_EPANE_H
#define SX_EPANE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hash.h"
#include "runs.h"
#include "tui.h"

extern const struct sx_pane_ops sx_pane_experiments;

/* The pane's state its views share, owned by its first view (the
 * experiments list), which every other view of the pane sits on. */
struct sx_epane {
    struct sx_app *app;
    unsigned gen;             /* bumped whenever the pane wrote to the store */
};

/* `m` / `:comment TEXT` (REVIEW 0) and `v` / `:review STATUS [TEXT]`
 * (REVIEW 1) on run ID named NAME: asks for what ARG (NULL or "") does not
 * give, writes it, bumps the pane's generation and says so on the status
 * line. Returns SX_H_* flags. */
unsigned sx_epane_comment(struct sx_epane *p, const char *id, const char *name,
                          const char *arg, int review);

/* A sparkline of V[0..N) (NaN skipped) in at most WIDTH cells, scaled
 * from the smallest to the largest value: ▁…█ in UTF-8, ".:-=+*#"
 * otherwise (the lowest level a dot, so every point shows); longer series
 * are resampled evenly, the first and last values always kept. BUF holds
 * SIZE bytes. */
void sx_epane_spark(const double *v, size_t n, int width, int utf8, char *buf, size_t size);

/* A metric value in at most WIDTH columns (sx_sheet_fmt_num); "" for NaN. */
void sx_epane_fmt_metric(double v, int width, char *buf, size_t size);

/* A JSON value as text in BUF (SIZE bytes): a string as it is, an integer,
 * a real as %.6g, true/false/null, anything else as compact JSON. */
void sx_epane_json_text(const json_t *v, char *buf, size_t size);

/* ---- the views ---- */
/* The runs table of EXPERIMENT (NULL: every experiment), loaded once. */
struct sx_view *sx_runs_view_new(struct sx_epane *p, const char *experiment, struct sx_err *err);
/* The detail of run ID. */
struct sx_view *sx_run_view_new(struct sx_epane *p, const char *id, struct sx_err *err);
/* Runs IDS[0..N) (N >= 2) side by side, the first one the baseline. */
struct sx_view *sx_compare_view_new(struct sx_epane *p, const char (*ids)[SX_UUID_LEN],
                                    size_t n, struct sx_err *err);
/* Open the history of METRIC (NULL: the first metric with more than one
 * point) of runs IDS[0..N) over the current view: one line per run, drawn
 * by gnuplot (sparklines without it). When there is nothing to chart, the
 * reason goes to the status line instead. Returns the key handler's
 * SX_H_* flags. */
int sx_history_open(struct sx_epane *p, const char (*ids)[SX_UUID_LEN], size_t n,
                    const char *metric);

#endif
