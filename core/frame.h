/* core/frame.h: the one in-memory table of sextant.
 *
 * A frame is a list of equally long typed columns. Every column has a
 * validity bitmap (bit i set = cell i present); the value slot of a missing
 * cell is zero and must not be read. Storage per cell:
 *   SX_FLOAT     double            8 bytes + 1 bit
 *   SX_INT       int64_t           8 bytes + 1 bit
 *   SX_BOOL      uint8_t (0/1)     1 byte  + 1 bit
 *   SX_DATE      int64_t           8 bytes + 1 bit; days since 1970-01-01
 *                                  (unit SX_DAYS) or seconds (SX_SECONDS)
 *   SX_CATEGORY  uint32_t code     4 bytes + 1 bit; dictionary in first-seen order
 *   SX_TEXT      uint64_t offset   8 bytes + 1 bit + the bytes and a NUL
 *
 * Ownership: a frame owns its columns, a column owns its buffers and its
 * dictionary. Functions that return a new frame return one the caller frees
 * with sx_frame_free(); on error they return NULL, fill ERR and leave their
 * inputs unchanged. */
#ifndef SX_FRAME_H
#define SX_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum sx_type { SX_FLOAT, SX_INT, SX_BOOL, SX_DATE, SX_CATEGORY, SX_TEXT };
#define SX_TYPE_COUNT 6

enum sx_date_unit { SX_DAYS, SX_SECONDS };

/* Strings of a category column, in first-seen order, with a hash index. */
struct sx_dict {
    char **str;        /* str[code]: NUL-terminated, owned */
    uint32_t *len;     /* byte length of str[code] */
    uint32_t n, cap;   /* entries used / allocated */
    uint32_t *slots;   /* open addressing: code + 1, 0 = empty */
    uint32_t nslots;   /* power of two */
};

struct sx_column {
    char *name;
    enum sx_type type;
    enum sx_date_unit unit;   /* SX_DATE only */
    size_t len, cap;          /* cells used / allocated */
    uint64_t *valid;          /* bitmap, cap bits */
    union {
        double *f64;          /* SX_FLOAT */
        int64_t *i64;         /* SX_INT, SX_DATE */
        uint8_t *b;           /* SX_BOOL */
        uint32_t *cat;        /* SX_CATEGORY */
        uint64_t *off;        /* SX_TEXT: cap + 1 entries, cell i starts at off[i] */
    } v;
    char *text;               /* SX_TEXT bytes, each cell followed by a NUL */
    size_t text_len, text_cap;
    struct sx_dict *dict;     /* SX_CATEGORY */
};

struct sx_frame {
    struct sx_column **cols;
    size_t ncols, cap;
    size_t nrows;             /* kept equal to every column's len by the sx_frame_* calls */
};

struct sx_sort_key {
    size_t col;
    int descending;           /* missing cells sort last either way */
};

/* ---- types ---- */

/* "float", "int", "bool", "date", "category", "text". */
const char *sx_type_name(enum sx_type t);
/* Parse a type name; returns SX_OK or SX_EINVAL (message names the valid ones). */
enum sx_status sx_type_parse(const char *name, enum sx_type *out, struct sx_err *err);
/* True for the types whose cells are numbers (float, int, bool, date). */
int sx_type_is_numeric(enum sx_type t);

/* ---- dictionaries ---- */

struct sx_dict *sx_dict_new(void);
void sx_dict_free(struct sx_dict *d);
/* The code of S (LEN bytes), adding it when new. Returns UINT32_MAX when out
 * of memory. S need not be NUL-terminated; the dictionary keeps a copy. */
uint32_t sx_dict_intern(struct sx_dict *d, const char *s, size_t len);
/* The code of S, or UINT32_MAX when absent. */
uint32_t sx_dict_find(const struct sx_dict *d, const char *s, size_t len);

/* ---- columns ---- */

/* A new empty column; NULL when out of memory. NAME is copied. */
struct sx_column *sx_col_new(const char *name, enum sx_type type);
void sx_col_free(struct sx_column *c);
/* Make room for N cells in total (not N more). */
enum sx_status sx_col_reserve(struct sx_column *c, size_t n);

static inline int sx_col_valid(const struct sx_column *c, size_t i)
{
    return (int)((c->valid[i >> 6] >> (i & 63)) & 1u);
}

/* Appenders: each adds one cell at the end; SX_ENOMEM on failure (the column
 * is then unchanged). The call must match the column's type:
 * f64 → FLOAT; i64 → INT and DATE; bool → BOOL; str → CATEGORY and TEXT;
 * code → CATEGORY (a code already in its dictionary). */
enum sx_status sx_col_push_missing(struct sx_column *c);
enum sx_status sx_col_push_f64(struct sx_column *c, double v);
enum sx_status sx_col_push_i64(struct sx_column *c, int64_t v);
enum sx_status sx_col_push_bool(struct sx_column *c, int v);
enum sx_status sx_col_push_str(struct sx_column *c, const char *s, size_t len);
enum sx_status sx_col_push_code(struct sx_column *c, uint32_t code);

/* The text of a present CATEGORY or TEXT cell (NUL-terminated, owned by the
 * column); NULL for a missing cell or another type. */
const char *sx_col_str(const struct sx_column *c, size_t i);

/* Numeric value of a present FLOAT, INT, BOOL or DATE cell as a double;
 * NAN for a missing cell or a non-numeric type. */
double sx_col_num(const struct sx_column *c, size_t i);

/* Write cell I as text into BUF (always NUL-terminated, truncated to SIZE):
 * floats in the shortest form that reads back as the same double, dates as
 * YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, bools as true/false, missing as "".
 * Returns the length written. */
size_t sx_col_format(const struct sx_column *c, size_t i, char *buf, size_t size);

/* Bytes held by the column's buffers (allocated capacity). */
size_t sx_col_bytes(const struct sx_column *c);

/* ---- frames ---- */

struct sx_frame *sx_frame_new(void);
void sx_frame_free(struct sx_frame *f);

/* Add an empty column (filled with missing cells up to nrows). Returns the
 * column, owned by F; NULL with SX_EEXIST for a duplicate name, SX_EINVAL for
 * an empty one, or SX_ENOMEM. */
struct sx_column *sx_frame_add(struct sx_frame *f, const char *name,
                               enum sx_type type, struct sx_err *err);
/* Take ownership of column C (whose len must equal nrows, or the frame must
 * have no columns yet). On error C is not taken. */
enum sx_status sx_frame_adopt(struct sx_frame *f, struct sx_column *c,
                              struct sx_err *err);
/* Index of the column named NAME, or -1. */
long sx_frame_find(const struct sx_frame *f, const char *name);
/* Recompute nrows after appending to columns directly; SX_EINVAL if the
 * columns differ in length. */
enum sx_status sx_frame_sync(struct sx_frame *f, struct sx_err *err);

/* Append the rows of SRC to DST. Both must have the same column names and
 * types in the same order; categories are remapped into DST's dictionaries.
 * On error DST keeps its old rows. */
enum sx_status sx_frame_append(struct sx_frame *dst, const struct sx_frame *src,
                               struct sx_err *err);
/* Like sx_frame_append, but frees SRC's column buffers one column at a time
 * as they are copied, so peak memory is DST + SRC + about one column rather
 * than twice the data. On success SRC keeps its columns (names, types) with
 * 0 rows and no buffers; the caller still frees it with sx_frame_free(). On
 * error nothing is freed and DST keeps its old rows. DST == SRC is SX_EINVAL. */
enum sx_status sx_frame_append_move(struct sx_frame *dst, struct sx_frame *src,
                                    struct sx_err *err);

/* Rows START .. START+N-1 (clamped to nrows) as a new frame. */
struct sx_frame *sx_frame_slice(const struct sx_frame *f, size_t start, size_t n,
                                struct sx_err *err);
/* The columns COLS[0..N-1] (indices, in that order) as a new frame. */
struct sx_frame *sx_frame_select(const struct sx_frame *f, const size_t *cols,
                                 size_t n, struct sx_err *err);
/* Rows ROWS[0..N-1] (indices, repeats allowed) as a new frame. Category
 * columns keep the source dictionary. */
struct sx_frame *sx_frame_take(const struct sx_frame *f, const size_t *rows,
                               size_t n, struct sx_err *err);
/* Rows whose MASK byte is non-zero (MASK has nrows bytes) as a new frame. */
struct sx_frame *sx_frame_filter(const struct sx_frame *f, const uint8_t *mask,
                                 struct sx_err *err);

/* A stable sort order by KEYS[0..NKEYS-1]: returns a new array of nrows row
 * indices (caller frees with free()), NULL on error. Categories and text
 * compare by their bytes (strcmp), bools false < true, missing last.
 * -0.0 equals 0.0; a present NaN float sorts after every number and before
 * the missing cells, in either direction. */
size_t *sx_frame_sort_index(const struct sx_frame *f, const struct sx_sort_key *keys,
                            size_t nkeys, struct sx_err *err);
/* The rows of F sorted by KEYS, as a new frame. */
struct sx_frame *sx_frame_sort(const struct sx_frame *f, const struct sx_sort_key *keys,
                               size_t nkeys, struct sx_err *err);

/* Bytes held by all column buffers. */
size_t sx_frame_bytes(const struct sx_frame *f);

#endif
