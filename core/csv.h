/* core/csv.h: the CSV loader. Reads a file with libcsv into an sx_frame.
 *
 * Header row required. RFC 4180 quoting (quoted delimiters, quotes and
 * newlines), a UTF-8 BOM, CRLF or LF line ends. The delimiter is detected
 * among , ; TAB | unless given. A cell whose whole text is a missing-value
 * token (pandas' default list unless overridden) is missing. Column types are
 * inferred over the whole file unless given per column:
 *   all cells int64            → int      (int and float mixed → float)
 *   all cells numbers          → float
 *   true/false (any case as pandas: True TRUE true, False FALSE false) → bool
 *   YYYY-MM-DD                 → date (days); with [ T]HH:MM:SS → date (seconds)
 *   anything else              → category when distinct values are at most
 *                                half of the present cells, else text
 *   no present cell at all     → float
 * Numbers are parsed correctly rounded (the double strtod returns).
 * Large files are parsed by several threads, split at record boundaries.
 *
 * Errors name the file, the physical line and the 1-based column:
 *   "data.csv:1234:5: column 'price': expected int, got '3.5'".
 * A failed load returns NULL and frees everything it made. */
#ifndef SX_CSV_H
#define SX_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"
#include "frame.h"

/* Longest field accepted, in bytes; longer fields are an error. */
#define SX_CSV_MAX_FIELD (1u << 20)

/* Called from the loading thread now and then; return non-zero to cancel
 * (the load then fails with SX_ECANCEL). ROWS is the rows parsed so far. */
typedef int (*sx_csv_progress_fn)(void *ctx, uint64_t bytes_done,
                                  uint64_t bytes_total, uint64_t rows);

struct sx_csv_coltype {
    const char *name;          /* column name, as in the header */
    enum sx_type type;
};

struct sx_csv_opts {
    char delimiter;            /* 0 = detect */
    const char *const *na;     /* missing-value tokens; NULL = pandas' defaults */
    size_t nna;                /* number of tokens in NA (0 with NA != NULL = none) */
    const struct sx_csv_coltype *types;  /* explicit types, by column name */
    size_t ntypes;
    int threads;               /* 0 = number of online CPUs */
    sx_csv_progress_fn progress;
    void *progress_ctx;
    size_t max_rows;           /* stop after this many data rows (0 = all): one
                                  sequential pass over the start of the file,
                                  types inferred from those rows only */
};

/* Defaults: detect delimiter, pandas' NA tokens, infer all types, all CPUs,
 * every row. */
void sx_csv_opts_init(struct sx_csv_opts *o);

/* Load PATH into a new frame (caller frees with sx_frame_free()). On error
 * returns NULL and fills ERR. OUT_DELIM, if not NULL, receives the delimiter
 * used. An explicit type naming no column of the header is an error. */
struct sx_frame *sx_csv_load(const char *path, const struct sx_csv_opts *opts,
                             char *out_delim, struct sx_err *err);

/* Open PATH for reading as sx_csv_load does: it must be a regular file.
 * Errors are the loader's, at PATH:1:1 ("cannot open: …" — SX_ENOTFOUND
 * when it does not exist —, "is a directory, expected a CSV file", "not a
 * regular file, …"). On success *FD is the open descriptor (the caller
 * closes it) and *SB (may be NULL) its fstat. */
enum sx_status sx_csv_open(const char *path, int *fd, struct stat *sb, struct sx_err *err);

/* The physical line (1-based) on which record REC (0 = the header) of the
 * CSV file PATH starts, DELIM separating its fields, following the loader's
 * rules (a UTF-8 BOM skipped, CR or LF end a record outside quotes, blank
 * lines skipped, a quote opens a quoted field only at its start). 0 when
 * the file cannot be read or has no such record. */
uint64_t sx_csv_record_line(const char *path, char delim, size_t rec);

/* pandas' default missing-value tokens (../shared/STATS.md section 1). */
extern const char *const sx_csv_default_na[];
extern const size_t sx_csv_default_nna;

#endif
