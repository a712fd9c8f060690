/* core/runs_int.h: what core/runs.c and core/runs_table.c share: the
 * encoding of a runs-table row (run_summary.data) and the statements that
 * build one from the run tables. Internal to core/.
 *
 * Encoding, little-endian: u8 version (SX_RUNS_SUMMARY_VERSION); strings
 * (u32 length, bytes) id, experiment id, name, status, author, kind,
 * parent, algo, review; i64 start, i64 end (SX_RUNS_NO_END while running);
 * u32 params, each key, value, u8 is-a-number, f64 the number; u32
 * metrics, each key, u8 present, f64 value. Params and metrics by key. A
 * row of another version is rebuilt from the tables when read, as a stale
 * one (data NULL) is. */
#ifndef SX_RUNS_INT_H
#define SX_RUNS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"

#define SX_RUNS_SUMMARY_VERSION 2
#define SX_RUNS_NO_END INT64_MIN    /* end time of a running run in a row */

/* A growing byte buffer; FAILED once an allocation failed. */
struct sx_runs_blob {
    unsigned char *p;
    size_t n, cap;
    int failed;
};

/* Statements that read one run's row from the tables. */
struct sx_runs_summer {
    sqlite3_stmt *run, *params, *latest;
};

/* Prepare M's statements on ST (SX_ESTORE with ERR on failure, M zeroed). */
enum sx_status sx_runs_summer_open(struct sx_store *st, struct sx_runs_summer *m,
                                   struct sx_err *err);
void sx_runs_summer_close(struct sx_runs_summer *m);
/* Encode run ID's row from the tables into B (emptied first; B->p stays
 * owned by the caller). SX_ENOTFOUND when there is no such run. */
enum sx_status sx_runs_summer_build(struct sx_store *st, struct sx_runs_summer *m,
                                    const char *id, struct sx_runs_blob *b, struct sx_err *err);

#endif
