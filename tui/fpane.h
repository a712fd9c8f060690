/* tui/fpane.h: what the Features pane's files share. The pane
 * (tui/pane_features.c) lists the feature sets of the store, the versions
 * of one with their fits, and runs fits as jobs; tui/view_ftext.c is the
 * scrollable text view its spec, fit, diff and SQL screens use;
 * tui/view_fedit.c edits a spec; tui/view_fpreview.c computes and draws
 * the preview of a spec's output columns on the data set open in the Data
 * pane. The Data pane's views need none of this. */
#ifndef SX_FPANE_H
#define SX_FPANE_H

#include <stddef.h>
#include <stdint.h>

#include "featstore.h"
#include "features.h"
#include "tui.h"

extern const struct sx_pane_ops sx_pane_features;

struct sx_fitjob;

/* The pane's state its views share, owned by its first view (the feature
 * sets list), which every other view of the pane sits on. */
struct sx_fpane {
    struct sx_app *app;
    unsigned gen;             /* bumped whenever the pane wrote to the store */
    struct sx_fitjob *fit;    /* the running fit, or NULL */
};

/* `f`: fit version V on the data set open in the Data pane, reloaded from
 * its source (verified against its hash) in a job with progress, and
 * store the fit. Refused (with the reason on the status line) under
 * --read-only, without a store or open data, or while a fit runs. */
void sx_fpane_fit(struct sx_fpane *p, const struct sx_fversion *v);

/* Open the editor for a new version of feature set NAME starting from
 * TEXT (BASE: the version it starts from, 0 for a new set) and push it. */
unsigned sx_fpane_edit(struct sx_fpane *p, const char *name, int base, const char *text);

/* Push the preview of SPEC_TEXT (named TITLE) on the open data set. */
unsigned sx_fpane_preview(struct sx_fpane *p, const char *title, const char *spec_text);

/* The common commands on version V of a list or view (edit, fit,
 * preview); 0 when CMD is not one of them. */
unsigned sx_fpane_version_cmd(struct sx_fpane *p, const struct sx_fversion *v, enum sx_cmd cmd);

/* A copy of version S into D (strings duplicated): 0, or -1 when out of
 * memory (D then cleared). Release D with sx_fversion_clear(). */
int sx_fpane_version_copy(struct sx_fversion *d, const struct sx_fversion *s);


/* ---- a scrollable text view (tui/view_ftext.c) ---- */
struct sx_ftext;
/* A new text titled TITLE (the breadcrumb) with HEADING (the first row). */
struct sx_ftext *sx_ftext_new(const char *title, const char *heading);
void sx_ftext_free(struct sx_ftext *t);
/* Add TEXT (split at newlines, tabs expanded) in ROLE, with GUTTER (may be
 * NULL) in front of each line. 0, or -1 when out of memory. */
int sx_ftext_add(struct sx_ftext *t, enum sx_role role, const char *gutter, const char *text);
/* printf into the text, one or more lines in ROLE. */
int sx_ftext_addf(struct sx_ftext *t, enum sx_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Wrap long lines at the view's width instead of scrolling sideways. */
void sx_ftext_set_wrap(struct sx_ftext *t);
/* Let the view act on version V (e edits it, f fits it, p previews it). */
int sx_ftext_set_version(struct sx_ftext *t, struct sx_fpane *p, const struct sx_fversion *v);
/* The view over T (taken, also on error). */
struct sx_view *sx_ftext_view(struct sx_app *app, struct sx_ftext *t, struct sx_err *err);

/* ---- the spec editor (tui/view_fedit.c) ---- */
struct sx_view *sx_fedit_new(struct sx_fpane *p, const char *name, int base, const char *text,
                             struct sx_err *err);

/* ---- the preview (tui/view_fpreview.c) ---- */
/* Rows of the open data a preview fits on at most (evenly spaced over
 * the rows the grid shows), and rows of output it shows. */
#define SX_FPREVIEW_SAMPLE 5000
#define SX_FPREVIEW_HEAD   40
struct sx_fpreview;
/* Fit SPEC_TEXT on a sample of the Data pane's open data and apply it.
 * Never NULL unless out of memory: a preview that could not be made holds
 * why (and where in the spec, for spec errors). */
struct sx_fpreview *sx_fpreview_compute(struct sx_app *app, const char *spec_text);
void sx_fpreview_free(struct sx_fpreview *pv);
/* The spec error the preview met, 1-based LINE and COL (0 when unknown),
 * and its message; 0 when it met none (or the failure was not the
 * spec's: no open data, out of memory). */
int sx_fpreview_spec_error(const struct sx_fpreview *pv, int *line, int *col, const char **msg);
/* Paint the preview into the rectangle (Y, X, H, W), its lines from TOP
 * and its first-rows table from output column LEFT on; returns how many
 * lines it has in all (for scrolling). */
size_t sx_fpreview_draw(struct sx_app *app, const struct sx_fpreview *pv, int y, int x, int h,
                        int w, size_t top, size_t left);
/* A view of the preview of SPEC_TEXT titled TITLE. */
struct sx_view *sx_fpreview_view(struct sx_app *app, const char *title, const char *spec_text,
                                 struct sx_err *err);

/* "LINE:COL: what" at the start of MSG: the position and the rest. 1
 * when MSG has that form. */
int sx_fpane_msg_pos(const char *msg, int *line, int *col, const char **rest);

#endif
