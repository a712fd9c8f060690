/* cli/cli.h: what the command files of the command line share: exit codes,
 * messages, option parsing helpers, the SIGINT flag, the progress line,
 * text made safe for a terminal, aligned tables, and loading a CSV file or
 * a stored data set's source into a frame (through core/dataset.h, with a
 * progress line and SIGINT). Only cli/ includes this. */
#ifndef SX_CLI_H
#define SX_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "csv.h"
#include "dataset.h"
#include "err.h"
#include "featstore.h"
#include "features.h"
#include "frame.h"
#include "models.h"
#include "runs.h"
#include "store.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,          /* user error: one line on stderr */
    CLI_EXIT_USAGE = 2,         /* bad option or argument */
    CLI_EXIT_INTERRUPTED = 130  /* SIGINT */
};

/* Global state of one invocation. */
struct cli {
    const char *store;          /* --store PATH, or NULL */
    const char *cmd;            /* the command's name, for messages */
};

struct cli_command {
    const char *name;
    int (*run)(struct cli *c, int argc, char **argv);   /* returns the exit code */
    const char *summary;
};

/* The commands (one file each); ARGV[0] is the command's name. */
int cli_cmd_init(struct cli *c, int argc, char **argv);
int cli_cmd_import(struct cli *c, int argc, char **argv);
int cli_cmd_datasets(struct cli *c, int argc, char **argv);
int cli_cmd_describe(struct cli *c, int argc, char **argv);
int cli_cmd_cat(struct cli *c, int argc, char **argv);
int cli_cmd_version(struct cli *c, int argc, char **argv);
int cli_cmd_demo(struct cli *c, int argc, char **argv);
int cli_cmd_plot(struct cli *c, int argc, char **argv);
int cli_cmd_features(struct cli *c, int argc, char **argv);
int cli_cmd_transform(struct cli *c, int argc, char **argv);
int cli_cmd_run(struct cli *c, int argc, char **argv);
int cli_cmd_log(struct cli *c, int argc, char **argv);
int cli_cmd_runs(struct cli *c, int argc, char **argv);
int cli_cmd_compare(struct cli *c, int argc, char **argv);
int cli_cmd_comment(struct cli *c, int argc, char **argv);
int cli_cmd_review(struct cli *c, int argc, char **argv);
int cli_cmd_train(struct cli *c, int argc, char **argv);
int cli_cmd_sweep(struct cli *c, int argc, char **argv);
int cli_cmd_predict_run(struct cli *c, int argc, char **argv);
int cli_cmd_metrics(struct cli *c, int argc, char **argv);
int cli_cmd_import_mlflow(struct cli *c, int argc, char **argv);

/* ---- messages (cli/util.c) ---- */

/* "sextant: MESSAGE" on one line of stderr (control characters escaped);
 * returns CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with ERR's message; CLI_EXIT_INTERRUPTED when ERR says cancelled
 * and SIGINT was seen. */
int cli_fail_err(const struct sx_err *err);
/* "sextant CMD: MESSAGE" and "try 'sextant CMD --help'" on stderr; returns
 * CLI_EXIT_USAGE. */
int cli_usage(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for getopt_long's return OPT ('?' or ':'), run with
 * opterr = 0 and an optstring starting with ':'. */
int cli_bad_option(const struct cli *c, char **argv, int opt);
/* Print TEXT to stdout; returns CLI_EXIT_OK (or FAIL on a write error). */
int cli_help(const char *text);
/* Parse the options of a command whose only options are -h/--help (print
 * HELP) and, when AS_JSON is not NULL, --json (sets *AS_JSON to 1, else 0).
 * Returns 1 when the command is done, with *RC its exit code (help shown,
 * or a usage error); 0 when it goes on, with its operands in
 * ARGV[optind..ARGC). */
int cli_simple_options(const struct cli *c, int argc, char **argv, const char *help,
                       int *as_json, int *rc);
/* One subcommand of a command (`sextant run start`): its name, its name
 * for messages ("run start") and what runs it. */
struct cli_sub {
    const char *name, *cmd;
    int (*run)(struct cli *c, int argc, char **argv);
};
/* Run the subcommand named by ARGV[1] among SUBS (N of them) with ARGV[1..]
 * and C->cmd its message name; -h/--help prints HELP; a missing or unknown
 * one is a usage error listing the names. Returns the exit code. */
int cli_dispatch(struct cli *c, int argc, char **argv, const struct cli_sub *subs, size_t n,
                 const char *help);
/* Print TEXT (generated SQL, …) to stdout, ending with a newline (added
 * when TEXT does not end with one). */
void cli_put_text(const char *text);
/* Flush stdout; CLI_EXIT_FAIL with a message when writing failed. */
int cli_flush(int rc);
/* Exit-status helper for "sextant: interrupted". */
int cli_interrupted_exit(void);

/* Allocation that cannot fail (prints "out of memory" and exits 1). */
void *cli_xmalloc(size_t n);
void *cli_xrealloc(void *p, size_t n);
char *cli_xstrdup(const char *s);

/* ---- SIGINT ---- */

/* Set by the SIGINT handler; polled by progress callbacks. */
extern volatile sig_atomic_t cli_sigint;
/* Install the handler (once; SA_RESTART, a second SIGINT kills). */
void cli_catch_sigint(void);

/* ---- progress line on a terminal ---- */

struct cli_progress {
    const char *label;          /* e.g. the file name (not owned) */
    int tty;                    /* stderr is a terminal */
    int shown;                  /* something was drawn */
    double t0, last;            /* seconds (monotonic) */
};
void cli_progress_start(struct cli_progress *p, const char *label);
/* An sx_csv_progress_fn: draws at most 10 times a second and returns
 * cli_sigint so SIGINT cancels the load. CTX is the cli_progress. */
int cli_progress_cb(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows);
/* Clear the line (when one was drawn). */
void cli_progress_end(struct cli_progress *p);

/* ---- --type COL=TYPE ---- */

/* Parse "COL=TYPE" (split at the last '=') into O's types; a column given
 * again replaces its type. Returns CLI_EXIT_OK, a usage error, or FAIL
 * (printed) when out of memory. */
int cli_type_option(const struct cli *c, struct sx_load_opts *o, const char *arg);

/* ---- the store ---- */

/* Locate (--store, SEXTANT_STORE, upward search) and open the store. Returns
 * CLI_EXIT_OK with *OUT set, or prints the error and returns FAIL. */
int cli_store_open(const struct cli *c, int flags, struct sx_store **out);

/* ---- text for a terminal (cli/text.c) ---- */

/* S with control characters (C0, DEL, C1, bidi overrides, line separators)
 * and invalid UTF-8 escaped as \xNN / \uNNNN, so it cannot move the cursor
 * or change the terminal. New string; NULL S gives "". */
char *cli_inert(const char *s);
/* Display width (terminal columns) of valid UTF-8 S. */
size_t cli_width(const char *s);
/* S (valid UTF-8) cut to at most MAXW columns, with an ellipsis when cut.
 * New string. */
char *cli_fit(const char *s, size_t maxw);
/* Pick the character type locale for width computations (main calls it). */
void cli_text_locale(void);

/* An aligned text table: the first row added is the header. */
struct cli_table {
    size_t ncols, ncells, cap;
    char **cells;               /* inert and fitted, owned */
    unsigned char *right;       /* per column: right-aligned */
    size_t maxw;                /* widest cell, in columns (0 = no limit) */
};
void cli_table_init(struct cli_table *t, size_t ncols, size_t maxw);
void cli_table_right(struct cli_table *t, size_t col);
/* Add the next cell (row by row); RAW is untrusted text, NULL = "". */
void cli_table_add(struct cli_table *t, const char *raw);
void cli_table_addf(struct cli_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_table_print(const struct cli_table *t, FILE *fp);
void cli_table_free(struct cli_table *t);

/* Human size: "812 B", "17.1 MB". BUF 32 bytes. */
const char *cli_size(uint64_t bytes, char *buf);

/* ---- sources: a CSV file or a stored data set (cli/source.c) ---- */

/* True when ARG names a file rather than a data set: an existing path, or
 * one ending in .csv or .tsv. */
int cli_is_file_arg(const char *arg);

/* Data set REF (NAME[@VERSION]; no version: the latest) from the store,
 * which is opened read-only for the lookup alone (sx_dataset_find); a bad
 * REF is reported before the store is looked for. Returns CLI_EXIT_OK with
 * *DS filled (release it with sx_dataset_clear()), or prints the error and
 * returns the exit code with *DS zeroed. */
int cli_dataset_get(const struct cli *c, const char *ref, struct sx_dataset *ds);

/* Load ARG into *OUT with a progress line: a CSV file with the explicit
 * TYPES (NTYPES of them), or the source file of data set NAME[@VERSION]
 * reloaded by sx_dataset_load (hash checked, stored options, TYPES
 * overriding stored ones). LABEL receives a name for messages (new
 * string). SIGINT cancels. Prints errors and returns the exit code. */
int cli_load(const struct cli *c, const char *arg, const struct sx_csv_coltype *types,
             size_t ntypes, struct sx_frame **out, char **label);
/* Reload the source of data set DS (e.g. from cli_dataset_get) as cli_load
 * does: hash checked, stored options, TYPES overriding stored ones, a
 * progress line, SIGINT cancels. Prints errors and returns the exit code. */
int cli_load_dataset(const struct sx_dataset *ds, const struct sx_csv_coltype *types,
                     size_t ntypes, struct sx_frame **out);

/* ---- rows out (cli/rows.c; used by cat and transform) ---- */

/* The text of cell I of C for CSV: full strings, floats in the shortest
 * form that reads back as the same double (whole numbers with ".0"),
 * missing "". Returns BUF (SIZE >= 40 bytes) or the column's own string. */
const char *cli_cell_text(const struct sx_column *c, size_t i, char *buf, size_t size);
/* The header and the first NROWS rows of F as RFC 4180 CSV on FP:
 * comma-separated, fields holding a comma, quote, CR or LF quoted, missing
 * cells empty, LF line ends. */
void cli_write_csv(const struct sx_frame *f, size_t nrows, FILE *fp);
/* All rows of F as CSV (cli_write_csv) to PATH, atomically: through a
 * temporary file beside it (given a new file's mode), renamed over PATH once
 * complete, so a failure never leaves half a file. Prints errors; returns
 * CLI_EXIT_OK or the exit code. */
int cli_write_csv_file(const char *path, const struct sx_frame *f);
/* The first NROWS rows of F as a JSON array of objects on FP, one per
 * line: numbers, true/false, dates as strings, missing null. */
void cli_write_json(const struct sx_frame *f, size_t nrows, FILE *fp);

/* ---- feature sets (cli/cmd_features.c; also used by transform and demo) ---- */

/* Parse --mode's value S ("train" or "inference") into *OUT; a usage
 * error otherwise. */
int cli_mode_parse(const struct cli *c, const char *s, enum sx_fmode *out);
/* Look up fit ID (or a unique prefix of at least 8 characters) in the
 * store, opened read-only for this alone, and rebuild it: *REC
 * (sx_ffit_record_clear()), *SPEC (sx_fspec_free()) and *FIT
 * (sx_ffit_free(), before SPEC). Prints errors; returns the exit code. */
int cli_fit_open(const struct cli *c, const char *id, struct sx_ffit_record *rec,
                 struct sx_fspec **spec, struct sx_ffit **fit);
/* Fit version V on data set DS (reloaded, hash checked) or, with DS NULL,
 * on the CSV file FILE (hashed, loaded, checked unchanged), in training
 * mode, and record the fit in ST; *OUT receives the record
 * (sx_ffit_record_clear()). A progress line while loading; SIGINT
 * cancels. Prints errors; returns the exit code. */
int cli_features_fit(const struct cli *c, struct sx_store *st, const struct sx_fversion *v,
                     const struct sx_dataset *ds, const char *file,
                     struct sx_ffit_record *out);

/* ---- the RUN operand (cli/cmd_run.c; used by log, runs, compare, comment,
 * review) ---- */

/* $SEXTANT_RUN when set and not empty, else NULL. */
const char *cli_run_env(void);
/* Resolve ARG (an id or a prefix of at least 8 characters) into ID; prints
 * the error and returns its exit code. */
int cli_run_resolve(struct sx_store *st, const char *arg, char id[SX_UUID_LEN]);
/* The operands ARGV[optind..ARGC) are [RUN] followed by WANT more (named
 * WHAT in messages): with WANT + 1, *RUN is the first and optind moves past
 * it; with WANT, *RUN is $SEXTANT_RUN (a usage error when unset). Returns
 * CLI_EXIT_OK or the usage error's exit code. */
int cli_run_operands(const struct cli *c, int argc, char **argv, int want, const char **run,
                     const char *what);

/* A run with its model and, when the run trained on a feature fit, that
 * fit (`run sql`, `predict-run`). */
struct cli_run_model {
    struct sx_run run;
    struct sx_model model;
    struct sx_ffit_record rec;  /* the fit's record (zeroed without one) */
    struct sx_fspec *spec;
    struct sx_ffit *fit;        /* NULL without one */
};
/* Read run ARG (an id or a prefix) from the store, its model and its fit
 * into M. Prints errors (a run without a model is one); returns the exit
 * code. Clear M with cli_run_model_clear whatever this returned. */
int cli_run_model_open(const struct cli *c, const char *arg, struct cli_run_model *m);
void cli_run_model_clear(struct cli_run_model *m);

/* ---- importing (cli/cmd_import.c; also used by demo) ---- */

struct cli_import {
    const char *path;
    const char *name;           /* NULL = file name without extension */
    struct sx_load_opts load;   /* zeroed = defaults */
};
/* Import one file into ST with sx_dataset_import (progress line, SIGINT
 * cancels) and print NAME@VERSION. Returns the exit code. */
int cli_import_file(struct sx_store *st, const struct cli_import *in);

#endif
