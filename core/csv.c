/* core/csv.c: the CSV loader (csv.h), on libcsv.
 *
 * How a file is read:
 * 1. The delimiter is detected from the first 64 KiB (unless given) and the
 *    header record is parsed with libcsv one byte at a time, so that we know
 *    the byte where the data part starts.
 * 2. A large data part is cut into chunks at record boundaries, of guided
 *    sizes (each 1/(2T) of what is left), so that T threads finish
 *    together. When the sample shows a newline inside quotes, the quote
 *    parity at each nominal cut is found by counting quotes per range (in
 *    parallel) and summing, and each cut moves to just after the next
 *    newline at even parity.
 *    Otherwise each cut is simply the next newline, a guess that step 3
 *    verifies; if it was wrong, the cuts are redone by parity.
 * 3. Worker threads parse chunks: pread() into a 1 MiB buffer (no mmap, so
 *    the file's pages never count toward our RSS), then libcsv, whose field
 *    callback infers each column's kind while it stores the cells. A chunk
 *    other than the last must end outside quotes; when one does not (a
 *    stray quote fooled the parity), the whole data part is parsed again as
 *    one chunk.
 * 4. The kinds of all chunks are joined per column. A chunk whose stored
 *    cells cannot be converted to the joined kind (a string appeared after
 *    numbers, in that chunk or another) is parsed again with the final
 *    kinds forced. Then, one column per work item, each chunk's column is
 *    converted in place (int to float, days to seconds, category to text)
 *    and the chunks are appended in order with sx_frame_append_move, so
 *    peak memory stays near one frame.
 * libcsv reports no byte offsets, so an error records its chunk, record and
 * field (or a byte offset); only on the error path is the physical line
 * found, by re-running libcsv's state machine from the chunk's start
 * (locate()).
 *
 * libcsv runs non-strict and must not trim spaces (whitespace is data).
 * Telling it so (a space function that says no) costs a call per byte, so
 * buffers where its default trimming provably changes nothing are parsed
 * with the default (spaces_plain()). Its CSV_STRICT_FINI only acts together
 * with CSV_STRICT, so the parser is switched to CSV_STRICT |
 * CSV_STRICT_FINI just before csv_fini() to learn whether a chunk ended
 * inside a quoted field. */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>

#include "dates.h"
#include "num.h"

#define READ_BUF       (1u << 20)    /* bytes per pread() of a chunk */
#define SMALL_READ     (64u << 10)   /* the same with max_rows */
#define SAMPLE_BYTES   (64u << 10)   /* delimiter detection sample */
#define PAR_MIN_BYTES  (4u << 20)    /* smaller data parts are one chunk */
#define CHUNK_MIN      (2u << 20)    /* smallest chunk when splitting */
#define MAX_CHUNKS     256
#define MAX_THREADS    64
#define POLL_NS        50000000L     /* progress poll interval */
#define NA_SHORT       32            /* NA tokens shorter than this use the bitsets */
#define CACHE_SLOTS    256           /* per-column cache of recent categories */
#define VALUE_SHOWN    40            /* bytes of a bad value quoted in errors */

const char *const sx_csv_default_na[] = {
    "",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A",  "NA",  "NULL",    "NaN",      "n/a",  "nan",  "null",
};
const size_t sx_csv_default_nna = sizeof sx_csv_default_na / sizeof sx_csv_default_na[0];

void sx_csv_opts_init(struct sx_csv_opts *o)
{
    memset(o, 0, sizeof *o);
}

/* ---- kinds: the inference lattice ----
 * EMPTY < { BOOL | INT < FLOAT | DAYS < SECS | STR }; TEXT only when given. */
enum kind { K_EMPTY, K_BOOL, K_INT, K_FLOAT, K_DAYS, K_SECS, K_STR, K_TEXT };

static enum kind kind_join(enum kind a, enum kind b)
{
    if (a == b || b == K_EMPTY)
        return a;
    if (a == K_EMPTY)
        return b;
    if ((a == K_INT && b == K_FLOAT) || (a == K_FLOAT && b == K_INT))
        return K_FLOAT;
    if ((a == K_DAYS && b == K_SECS) || (a == K_SECS && b == K_DAYS))
        return K_SECS;
    if (a == K_TEXT || b == K_TEXT)
        return K_TEXT;
    return K_STR;
}

/* Can cells stored as FROM be converted in place to TO? */
static int kind_convertible(enum kind from, enum kind to)
{
    return from == to || from == K_EMPTY || (from == K_INT && to == K_FLOAT) ||
           (from == K_DAYS && to == K_SECS);
}

static enum sx_type kind_type(enum kind k)
{
    switch (k) {
    case K_BOOL: return SX_BOOL;
    case K_INT: return SX_INT;
    case K_DAYS:
    case K_SECS: return SX_DATE;
    case K_STR: return SX_CATEGORY;
    case K_TEXT: return SX_TEXT;
    case K_EMPTY:
    case K_FLOAT: break;
    }
    return SX_FLOAT;
}

static const char *kind_expected(enum kind k)
{
    switch (k) {
    case K_BOOL: return "bool (true or false)";
    case K_INT: return "int";
    case K_FLOAT: return "float";
    case K_DAYS:
    case K_SECS: return "date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)";
    default: return "text";
    }
}

/* ---- small parsers ---- */

static inline int parse_bool(const char *s, size_t len, int *out)
{
    if (len == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))) {
        *out = 1;
        return 1;
    }
    if (len == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))) {
        *out = 0;
        return 1;
    }
    return 0;
}

static inline int parse_days(const char *s, size_t len, int64_t *out)
{
    return len == 10 && s[4] == '-' && sx_date_parse(s, len, out);
}

static inline int parse_secs(const char *s, size_t len, int64_t *out)
{
    return len == 19 && s[4] == '-' && sx_datetime_parse(s, len, out);
}

/* ---- missing-value tokens ---- */

struct natab {
    const char *const *tok;
    size_t *len;
    size_t n;
    int empty;                       /* "" is a token */
    int has_long;                    /* a token of NA_SHORT bytes or more */
    int typed_safe;                  /* no token reads as a number, date or bool */
    uint8_t first[NA_SHORT][32];     /* per length: bitset of first bytes */
    uint8_t last[NA_SHORT][32];      /* per length: bitset of last bytes */
};

static int natab_init(struct natab *t, const char *const *tok, size_t n)
{
    memset(t, 0, sizeof *t);
    t->tok = tok;
    t->n = n;
    if (n && !(t->len = malloc(n * sizeof *t->len)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(tok[i]);
        t->len[i] = l;
        if (l == 0) {
            t->empty = 1;
        } else if (l >= NA_SHORT) {
            t->has_long = 1;
        } else {
            unsigned a = (unsigned char)tok[i][0], b = (unsigned char)tok[i][l - 1];
            t->first[l][a >> 3] |= (uint8_t)(1u << (a & 7));
            t->last[l][b >> 3] |= (uint8_t)(1u << (b & 7));
        }
    }
    /* When no token reads as a value, typed columns try their parser first
     * and look at the tokens only when it fails. */
    t->typed_safe = 1;
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        double d;
        int b;
        if (sx_num_parse_int(tok[i], t->len[i], &v) || sx_num_parse_double(tok[i], t->len[i], &d) ||
            parse_days(tok[i], t->len[i], &v) || parse_secs(tok[i], t->len[i], &v) ||
            parse_bool(tok[i], t->len[i], &b))
            t->typed_safe = 0;
    }
    return 0;
}

static inline int is_na(const struct natab *t, const char *s, size_t len)
{
    if (len == 0)
        return t->empty;
    if (len < NA_SHORT) {
        unsigned a = (unsigned char)s[0], b = (unsigned char)s[len - 1];
        if (!((t->first[len][a >> 3] >> (a & 7)) & 1) || !((t->last[len][b >> 3] >> (b & 7)) & 1))
            return 0;
    } else if (!t->has_long) {
        return 0;
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->len[i] == len && memcmp(t->tok[i], s, len) == 0)
            return 1;
    return 0;
}

/* 1 when S[0..N) is valid UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). */
static int utf8_ok(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t m = 1; m <= k; m++) {
            unsigned d = s[i + m];
            if ((d & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (d & 0x3F);
        }
        if (k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
            return 0;
        if (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* A printable excerpt of a bad value for an error message. */
static void show_value(char *out, size_t size, const char *s, size_t len)
{
    size_t n = len, o = 0;
    if (n > VALUE_SHOWN) {
        n = VALUE_SHOWN;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (n < len && o + 4 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* libcsv trims spaces and tabs unless told that nothing is a space. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* no_space() costs libcsv a call per byte; its default space handling
 * (skip spaces and tabs at the start of a field, trim them at its end)
 * costs nothing. A buffer may be parsed with the default when the two
 * cannot differ, which holds when the caller knows whether libcsv is
 * inside a quoted field at the buffer's start (INQ; not just after a quote
 * in one) and in B[0..N):
 *  - every quote is well formed, so the quote parity within the buffer is
 *    libcsv's quoted state: a quote that opens (even parity before it)
 *    follows the delimiter, CR, LF or a quote; one that closes (odd parity
 *    before it) is followed, inside the buffer, by one of those;
 *  - every run of spaces outside quotes lies strictly inside the buffer,
 *    follows a byte other than the delimiter, CR, LF or a quote (so libcsv
 *    is inside an unquoted field, where both modes append the spaces) and
 *    precedes a byte other than the delimiter, CR or LF (so the field goes
 *    on and nothing is trimmed).
 * Spaces are ' ' and '\t', except the one that is the delimiter. */
typedef unsigned char sx_v16 __attribute__((vector_size(16)));
typedef signed char sx_v16m __attribute__((vector_size(16)));

/* The index of the first byte of B[I..N) that is a space, a tab or a quote
 * (N when none); SP and TB are the space bytes. */
static inline size_t next_special(const unsigned char *b, size_t i, size_t n, unsigned char sp,
                                  unsigned char tb)
{
    const sx_v16 vsp = (sx_v16){0} + sp, vtb = (sx_v16){0} + tb, vqu = (sx_v16){0} + '"';
    for (; i + 16 <= n; i += 16) {
        sx_v16 v;
        memcpy(&v, b + i, 16);
        sx_v16m m = (v == vsp) | (v == vtb) | (v == vqu);
        uint64_t lo, hi;
        memcpy(&lo, &m, 8);
        memcpy(&hi, (const char *)&m + 8, 8);
        if (!(lo | hi))
            continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return i + (lo ? (size_t)__builtin_ctzll(lo) >> 3 : 8 + ((size_t)__builtin_ctzll(hi) >> 3));
#else
        break;
#endif
    }
    while (i < n && b[i] != sp && b[i] != tb && b[i] != '"')
        i++;
    return i;
}

static int spaces_plain(const unsigned char *b, size_t n, unsigned char delim, int inq)
{
    /* With a space or tab delimiter the other byte stands in for both. */
    const unsigned char sp = delim == ' ' ? '\t' : ' ', tb = delim == '\t' ? ' ' : '\t';
#define ENDS_FIELD(c) ((c) == delim || (c) == '\r' || (c) == '\n')
    for (size_t i = next_special(b, 0, n, sp, tb); i < n; i = next_special(b, i, n, sp, tb)) {
        if (b[i] == '"') {
            if (!inq) {
                if (i == 0 || !(ENDS_FIELD(b[i - 1]) || b[i - 1] == '"'))
                    return 0;
            } else {
                if (i + 1 >= n || !(ENDS_FIELD(b[i + 1]) || b[i + 1] == '"'))
                    return 0;
            }
            inq = !inq;
            i++;
            continue;
        }
        size_t e = i + 1;
        while (e < n && (b[e] == sp || b[e] == tb))
            e++;
        if (!inq && (i == 0 || e >= n || ENDS_FIELD(b[i - 1]) || b[i - 1] == '"' ||
                     ENDS_FIELD(b[e])))
            return 0;
        i = e;
    }
#undef ENDS_FIELD
    return 1;
}

/* ---- the loader ---- */

/* A recently seen category: the value's bytes 0..7, 8..15 and last 8 (all
 * of it when it is at most 24 bytes long) and its code. */
struct cat_slot {
    uint64_t a, m, b;
    uint32_t len, code;            /* code UINT32_MAX: empty slot */
};

struct ccol {                      /* one column of one chunk */
    enum kind k;
    int fixed;                     /* kind decided before parsing */
    int negzero;                   /* an int cell was "-0": as a float it is -0.0 */
    struct sx_column *c;           /* storage; NULL while all cells are missing */
    uint64_t present;              /* present cells stored (strings only) */
    uint64_t date_a;               /* the last date parsed: its bytes 0..7, */
    uint16_t date_b;               /* bytes 8..9 */
    int64_t date_v;                /* and value (date_a 0: none) */
    struct cat_slot *cache;        /* CACHE_SLOTS slots, for category storage */
};

struct loader;

struct chunk {
    struct loader *L;
    const struct natab *na;
    size_t ncols;
    int halt;                      /* rc set, ragged or in_fini: fields take the slow path */
    size_t index;
    uint64_t start, end;           /* byte range, record-aligned */
    struct ccol *cols;
    size_t rows;                   /* complete records */
    size_t field;                  /* fields seen in the current record */
    size_t est_rows;               /* capacity to reserve */
    int infer_only;                /* stored cells are void: parse again later */
    int bad_end;                   /* ended inside a quoted field */
    int aborted;                   /* stopped because of another chunk */
    int in_fini;                   /* csv_fini of a non-last chunk */
    int ragged;                    /* too many fields: counting to the record's end */
    int full;                      /* max_rows records stored: the rest is ignored */
    enum sx_status rc;             /* first error */
    size_t err_rec, err_field;     /* where, when by record */
    int err_by_off;
    uint64_t err_off;              /* where, when by byte offset */
    char err_msg[400];
};

enum phase { PH_COUNT, PH_PARSE, PH_CONCAT };

struct loader {
    const char *path;
    int fd;
    uint64_t size;                 /* file bytes */
    uint64_t bom;                  /* 3 with a UTF-8 BOM, else 0 */
    uint64_t data_start;           /* first byte after the header record */
    unsigned char delim;
    size_t ncols;
    char **names;
    enum kind *force;              /* per column: K_EMPTY = infer */
    unsigned char *explicit_;      /* per column: type given by the caller */
    struct natab na;
    double rec_bytes;              /* average record length in the sample */
    int quoted_nl;                 /* the sample has a newline inside quotes */
    size_t threads;

    size_t nchunks;
    struct chunk *chunks;

    /* The work of one phase: items taken from a queue by the workers. */
    enum phase phase;
    size_t nitems;
    atomic_size_t next_item;
    uint64_t *bounds;              /* PH_COUNT: nitems + 1 nominal cut points */
    uint64_t *quotes;              /* PH_COUNT: quotes per range */
    atomic_int count_failed;
    enum kind *want;               /* PH_CONCAT: final kind per column */
    struct sx_column **joined;     /* PH_CONCAT: the result per column */
    struct sx_err *col_err;        /* PH_CONCAT: the error per column */

    atomic_uint_fast64_t bytes_done, rows_done;
    uint64_t reported;             /* bytes last passed to the progress callback */
    atomic_int cancel;
    atomic_size_t stop_after;      /* chunks after this index stop early */
    int counting;                  /* this parse phase feeds the progress counters */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t running;

    const struct sx_csv_opts *opts;
};

/* Record the first error of chunk CK, at FIELD of the current record. */
__attribute__((format(printf, 4, 5)))
static void chunk_fail(struct chunk *ck, enum sx_status rc, size_t field, const char *fmt, ...)
{
    if (ck->rc != SX_OK)
        return;
    ck->rc = rc;
    ck->halt = 1;
    ck->err_rec = ck->rows;
    ck->err_field = field;
    ck->err_by_off = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ck->err_msg, sizeof ck->err_msg, fmt, ap);
    va_end(ap);
    size_t cur = atomic_load(&ck->L->stop_after);
    while (ck->index < cur && !atomic_compare_exchange_weak(&ck->L->stop_after, &cur, ck->index))
        ;
}

static void chunk_oom(struct chunk *ck, size_t field)
{
    chunk_fail(ck, SX_ENOMEM, field, "out of memory");
}

/* ---- storing cells ---- */

static void ccol_free_storage(struct ccol *cc)
{
    sx_col_free(cc->c);
    cc->c = NULL;
    cc->present = 0;
    free(cc->cache);
    cc->cache = NULL;
}

/* Ask for transparent huge pages on the value buffer of C (best effort):
 * a large buffer then fills with far fewer page faults. Only whole huge
 * pages inside the buffer are advised, so little memory is wasted. */
static void huge_pages(struct sx_column *c)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    size_t w = c->type == SX_BOOL ? 1 : c->type == SX_CATEGORY ? 4 : 8;
    if (c->type == SX_TEXT || c->cap * w < 4 * huge)
        return;
    uintptr_t a = ((uintptr_t)c->v.b + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t)c->v.b + c->cap * w) & ~(huge - 1);
    if (e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)c;
#endif
}

/* Create the storage of column J of CK with the type of kind K, holding
 * ck->rows missing cells. 0 on failure (error recorded). */
static int materialize(struct chunk *ck, size_t j, enum kind k)
{
    struct ccol *cc = &ck->cols[j];
    struct sx_column *c = sx_col_new(ck->L->names[j], kind_type(k));
    size_t cap = ck->est_rows > ck->rows ? ck->est_rows : ck->rows + 16;
    if (!c || sx_col_reserve(c, cap) != SX_OK) {
        sx_col_free(c);
        chunk_oom(ck, j);
        return 0;
    }
    c->unit = k == K_SECS ? SX_SECONDS : SX_DAYS;
    huge_pages(c);
    if (k == K_TEXT) {
        for (size_t i = 0; i < ck->rows; i++)
            if (sx_col_push_missing(c) != SX_OK) {
                sx_col_free(c);
                chunk_oom(ck, j);
                return 0;
            }
    } else {
        size_t w = k == K_BOOL ? 1 : k == K_STR ? 4 : 8;
        if (ck->rows)
            memset(c->v.b, 0, ck->rows * w);
        c->len = ck->rows;
    }
    if (k == K_STR) {
        free(cc->cache);
        if (!(cc->cache = malloc(CACHE_SLOTS * sizeof *cc->cache))) {
            sx_col_free(c);
            chunk_oom(ck, j);
            return 0;
        }
        for (size_t i = 0; i < CACHE_SLOTS; i++)
            cc->cache[i].code = UINT32_MAX;
    }
    cc->c = c;
    cc->date_a = 0;
    return 1;
}

/* Room for one more cell in C. */
static inline int room(struct chunk *ck, size_t j, struct sx_column *c)
{
    if (c->len < c->cap)
        return 1;
    if (sx_col_reserve(c, c->cap + c->cap / 2 + 1024) != SX_OK) {
        chunk_oom(ck, j);
        return 0;
    }
    return 1;
}

static inline void set_valid(struct sx_column *c, size_t i)
{
    c->valid[i >> 6] |= (uint64_t)1 << (i & 63);
}

static inline void put_missing(struct chunk *ck, size_t j)
{
    struct sx_column *c = ck->cols[j].c;
    if (ck->infer_only || !c)
        return;
    if (c->type == SX_TEXT) {
        if (sx_col_push_missing(c) != SX_OK)
            chunk_oom(ck, j);
        return;
    }
    if (!room(ck, j, c))
        return;
    switch (c->type) {
    case SX_BOOL: c->v.b[c->len] = 0; break;
    case SX_CATEGORY: c->v.cat[c->len] = 0; break;
    default: c->v.i64[c->len] = 0; break;
    }
    c->len++;
}

static inline void put_i64(struct chunk *ck, size_t j, int64_t v)
{
    struct ccol *cc = &ck->cols[j];
    struct sx_column *c = cc->c;
    if (ck->infer_only || !room(ck, j, c))
        return;
    c->v.i64[c->len] = v;
    set_valid(c, c->len++);
}

static inline void put_f64(struct chunk *ck, size_t j, double v)
{
    struct ccol *cc = &ck->cols[j];
    struct sx_column *c = cc->c;
    if (ck->infer_only || !room(ck, j, c))
        return;
    c->v.f64[c->len] = v;
    set_valid(c, c->len++);
}

static inline void put_bool(struct chunk *ck, size_t j, int v)
{
    struct ccol *cc = &ck->cols[j];
    struct sx_column *c = cc->c;
    if (ck->infer_only || !room(ck, j, c))
        return;
    c->v.b[c->len] = (uint8_t)v;
    set_valid(c, c->len++);
}

/* The cache key of S: bytes 0..7, 8..15 and its last 8 bytes, which for
 * LEN <= 24 determine it. */
static inline void cache_key(const char *s, size_t len, uint64_t *a, uint64_t *m, uint64_t *b)
{
    *m = 0;
    if (len >= 16) {
        memcpy(a, s, 8);
        memcpy(m, s + 8, 8);
        memcpy(b, s + len - 8, 8);
    } else if (len >= 8) {
        memcpy(a, s, 8);
        memcpy(b, s + len - 8, 8);
    } else if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + len - 4, 4);
        *a = lo | (uint64_t)hi << 32;
        *b = 0;
    } else {
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++)
            v = (v << 8) | (unsigned char)s[i];
        *a = v;
        *b = 0;
    }
}

/* Store a category cell, validating UTF-8 once per new dictionary entry. */
static void put_category(struct chunk *ck, size_t j, const char *s, size_t len)
{
    struct ccol *cc = &ck->cols[j];
    struct sx_column *c = cc->c;
    if (ck->infer_only || !room(ck, j, c))
        return;
    struct sx_dict *d = c->dict;
    uint64_t a, m, b;
    cache_key(s, len, &a, &m, &b);
    uint64_t h = (a * UINT64_C(0x9E3779B97F4A7C15)) ^ (b * UINT64_C(0xC2B2AE3D27D4EB4F)) ^ m ^ len;
    h ^= h >> 29;
    struct cat_slot *sl = &cc->cache[(h * UINT64_C(0xBF58476D1CE4E5B9)) >> 56];
    uint32_t code = sl->code;
    if (code == UINT32_MAX || sl->len != len || sl->a != a || sl->b != b || sl->m != m ||
        (len > 24 && memcmp(d->str[code], s, len) != 0)) {
        code = sx_dict_find(d, s, len);
        if (code == UINT32_MAX) {
            if (!utf8_ok(s, len)) {
                chunk_fail(ck, SX_EPARSE, j, "column '%s': invalid UTF-8", ck->L->names[j]);
                return;
            }
            code = sx_dict_intern(d, s, len);
            if (code == UINT32_MAX) {
                chunk_oom(ck, j);
                return;
            }
        }
        sl->a = a;
        sl->m = m;
        sl->b = b;
        sl->len = (uint32_t)len;
        sl->code = code;
    }
    c->v.cat[c->len] = code;
    set_valid(c, c->len++);
    cc->present++;
}

static void put_text(struct chunk *ck, size_t j, const char *s, size_t len)
{
    struct ccol *cc = &ck->cols[j];
    if (ck->infer_only)
        return;
    if (!utf8_ok(s, len)) {
        chunk_fail(ck, SX_EPARSE, j, "column '%s': invalid UTF-8", ck->L->names[j]);
        return;
    }
    if (sx_col_push_str(cc->c, s, len) != SX_OK) {
        chunk_oom(ck, j);
        return;
    }
    cc->present++;
}

/* Stored ints become floats, in place (both are 8-byte slots). */
static void convert_int_float(struct sx_column *c)
{
    for (size_t i = 0; i < c->len; i++) {
        int64_t v;
        memcpy(&v, &c->v.i64[i], sizeof v);
        double d = (double)v;
        memcpy(&c->v.i64[i], &d, sizeof d);
    }
    c->type = SX_FLOAT;
}

/* Stored days become seconds, in place. */
static void convert_days_secs(struct sx_column *c)
{
    for (size_t i = 0; i < c->len; i++)
        c->v.i64[i] *= 86400;
    c->unit = SX_SECONDS;
}

/* Stored cells of this chunk cannot be kept: parse it again later with the
 * final kinds; until then only infer. */
static void void_chunk(struct chunk *ck)
{
    if (ck->infer_only)
        return;
    ck->infer_only = 1;
    for (size_t i = 0; i < ck->L->ncols; i++)
        ccol_free_storage(&ck->cols[i]);
}

/* Column J of CK changes kind to K, converting what is stored. A stored
 * "-0" cannot become -0.0, so then the chunk is voided instead. */
static void promote(struct chunk *ck, size_t j, enum kind k)
{
    struct ccol *cc = &ck->cols[j];
    if (k == K_FLOAT && cc->negzero)
        void_chunk(ck);
    if (!ck->infer_only && cc->c) {
        if (k == K_FLOAT)
            convert_int_float(cc->c);
        else
            convert_days_secs(cc->c);
    }
    cc->k = k;
}

/* A cell does not fit column J's kind: an error for a fixed kind, else the
 * column becomes a string column and this chunk's stored cells are void. */
static void mismatch(struct chunk *ck, size_t j, const char *s, size_t len)
{
    struct ccol *cc = &ck->cols[j];
    if (cc->fixed) {
        char shown[VALUE_SHOWN * 2];
        show_value(shown, sizeof shown, s, len);
        chunk_fail(ck, SX_ETYPE, j, "column '%s': expected %s, got '%s'", ck->L->names[j],
                   kind_expected(cc->k), shown);
        return;
    }
    cc->k = K_STR;
    void_chunk(ck);
}

/* A typed column's parser rejected a cell: a missing-value token (when
 * on_field() left that check to us), else a mismatch. */
static void not_parsed(struct chunk *ck, size_t j, const char *s, size_t len)
{
    if (ck->na->typed_safe && is_na(ck->na, s, len))
        put_missing(ck, j);
    else
        mismatch(ck, j, s, len);
}

/* The first present cell of an inferred column: pick its kind. */
static void first_value(struct chunk *ck, size_t j, const char *s, size_t len)
{
    struct ccol *cc = &ck->cols[j];
    int64_t i = 0;
    double d = 0;
    int b = 0;
    enum kind k;
    if (sx_num_parse_int(s, len, &i)) {
        k = K_INT;
        if (i == 0 && s[0] == '-')
            cc->negzero = 1;
    }
    else if (sx_num_parse_double(s, len, &d))
        k = K_FLOAT;
    else if (parse_days(s, len, &i))
        k = K_DAYS;
    else if (parse_secs(s, len, &i))
        k = K_SECS;
    else if (parse_bool(s, len, &b))
        k = K_BOOL;
    else
        k = K_STR;
    cc->k = k;
    if (!ck->infer_only && !materialize(ck, j, k))
        return;
    switch (k) {
    case K_INT:
    case K_DAYS:
    case K_SECS: put_i64(ck, j, i); break;
    case K_FLOAT: put_f64(ck, j, d); break;
    case K_BOOL: put_bool(ck, j, b); break;
    default: put_category(ck, j, s, len); break;
    }
}

/* One cell of column J that is not a missing-value token, except that
 * typed kinds may see tokens (see not_parsed()). */
static inline void cell(struct chunk *ck, size_t j, const char *s, size_t len)
{
    struct ccol *cc = &ck->cols[j];
    int64_t i = 0;
    double d = 0;
    int b = 0;
    switch (cc->k) {
    case K_EMPTY:
        first_value(ck, j, s, len);
        return;
    case K_INT:
        if (sx_num_parse_int(s, len, &i)) {
            if (i == 0 && s[0] == '-')
                cc->negzero = 1;
            put_i64(ck, j, i);
        } else if (!cc->fixed && sx_num_parse_double(s, len, &d)) {
            promote(ck, j, K_FLOAT);
            put_f64(ck, j, d);
        } else {
            not_parsed(ck, j, s, len);
        }
        return;
    case K_FLOAT:
        if (sx_num_parse_double(s, len, &d))
            put_f64(ck, j, d);
        else
            not_parsed(ck, j, s, len);
        return;
    case K_BOOL:
        if (parse_bool(s, len, &b))
            put_bool(ck, j, b);
        else
            not_parsed(ck, j, s, len);
        return;
    case K_DAYS:
        if (len == 10) {
            uint64_t a;
            uint16_t b2;
            memcpy(&a, s, 8);
            memcpy(&b2, s + 8, 2);
            if (a == cc->date_a && b2 == cc->date_b) {
                put_i64(ck, j, cc->date_v);
                return;
            }
            if (parse_days(s, len, &i)) {
                cc->date_a = a;
                cc->date_b = b2;
                cc->date_v = i;
                put_i64(ck, j, i);
                return;
            }
        }
        if (parse_secs(s, len, &i)) {
            promote(ck, j, K_SECS);
            put_i64(ck, j, i);
        } else {
            not_parsed(ck, j, s, len);
        }
        return;
    case K_SECS:
        if (parse_secs(s, len, &i))
            put_i64(ck, j, i);
        else if (parse_days(s, len, &i))
            put_i64(ck, j, i * 86400);
        else
            not_parsed(ck, j, s, len);
        return;
    case K_STR:
        put_category(ck, j, s, len);
        return;
    case K_TEXT:
        put_text(ck, j, s, len);
        return;
    }
}

/* The fields on_field() does not store: during csv_fini of a non-last
 * chunk, after an error, past the last column, or too long. */
static void odd_field(struct chunk *ck, size_t j, size_t len)
{
    if (ck->full)
        return;
    if (ck->in_fini) {
        ck->bad_end = 1;
        return;
    }
    if (ck->rc != SX_OK || ck->ragged)
        return;
    if (j >= ck->ncols) {
        ck->ragged = 1;
        ck->halt = 1;
        ck->err_field = j;
        return;
    }
    if (len > SX_CSV_MAX_FIELD)
        chunk_fail(ck, SX_ELIMIT, j, "field longer than %u bytes", SX_CSV_MAX_FIELD);
}

/* libcsv's field callback. */
static void on_field(void *s, size_t len, void *data)
{
    struct chunk *ck = data;
    size_t j = ck->field++;
    if (__builtin_expect(ck->halt || j >= ck->ncols || len > SX_CSV_MAX_FIELD, 0)) {
        odd_field(ck, j, len);
        return;
    }
    enum kind k = ck->cols[j].k;
    if ((k == K_EMPTY || k >= K_STR || !ck->na->typed_safe) && is_na(ck->na, s, len)) {
        put_missing(ck, j);
        return;
    }
    cell(ck, j, s, len);
}

/* libcsv's record callback. */
static void on_row(int c, void *data)
{
    struct chunk *ck = data;
    size_t got = ck->field;
    (void)c;
    ck->field = 0;
    if (ck->full)
        return;
    if (ck->in_fini) {
        ck->bad_end = 1;
        return;
    }
    if (ck->rc != SX_OK)
        return;
    size_t want = ck->L->ncols;
    if (ck->ragged) {
        chunk_fail(ck, SX_EPARSE, ck->err_field, "expected %zu fields, got %zu", want, got);
        return;
    }
    if (got != want) {
        chunk_fail(ck, SX_EPARSE, got, "expected %zu fields, got %zu", want, got);
        return;
    }
    ck->rows++;
    if (ck->L->opts->max_rows && ck->rows >= ck->L->opts->max_rows) {
        ck->full = 1;
        ck->halt = 1;
    }
}

static void chunk_clear(struct chunk *ck)
{
    if (ck->cols)
        for (size_t j = 0; j < ck->L->ncols; j++)
            ccol_free_storage(&ck->cols[j]);
    free(ck->cols);
    ck->cols = NULL;
}

/* Reset CK for a (new) parse with the loader's forced kinds. */
static int chunk_reset(struct chunk *ck)
{
    struct loader *L = ck->L;
    chunk_clear(ck);
    ck->rows = ck->field = 0;
    ck->infer_only = ck->bad_end = ck->aborted = ck->in_fini = ck->ragged = ck->halt = 0;
    ck->full = 0;
    ck->na = &L->na;
    ck->ncols = L->ncols;
    ck->rc = SX_OK;
    ck->err_msg[0] = '\0';
    ck->cols = calloc(L->ncols ? L->ncols : 1, sizeof *ck->cols);
    if (!ck->cols) {
        chunk_oom(ck, 0);
        return 0;
    }
    double est = (double)(ck->end - ck->start) / L->rec_bytes;
    ck->est_rows = (size_t)(est * 1.05) + 16;
    if (L->opts->max_rows && ck->est_rows > L->opts->max_rows)
        ck->est_rows = L->opts->max_rows;
    for (size_t j = 0; j < L->ncols; j++) {
        struct ccol *cc = &ck->cols[j];
        cc->k = L->force[j];
        cc->fixed = cc->k != K_EMPTY;
        if (cc->fixed && !materialize(ck, j, cc->k))
            return 0;
    }
    return 1;
}

static int cancelled(struct loader *L)
{
    return atomic_load_explicit(&L->cancel, memory_order_relaxed);
}

/* Parse chunk CK with libcsv; BUF holds READ_BUF bytes. */
static void parse_chunk(struct chunk *ck, char *buf)
{
    struct loader *L = ck->L;
    if (!chunk_reset(ck))
        return;
    struct csv_parser p;
    if (csv_init(&p, 0) != 0) {
        chunk_oom(ck, 0);
        return;
    }
    csv_set_delim(&p, L->delim);
    csv_set_blk_size(&p, 1u << 16);
    uint64_t off = ck->start;
    int last = ck->end == L->size;
    char last_byte = '\n';
    while (off < ck->end) {
        if (cancelled(L) || atomic_load_explicit(&L->stop_after, memory_order_relaxed) < ck->index) {
            ck->aborted = 1;
            break;
        }
        /* With max_rows, small reads: the rows wanted are near the start. */
        size_t bufsz = L->opts->max_rows ? SMALL_READ : READ_BUF;
        size_t want = ck->end - off < bufsz ? (size_t)(ck->end - off) : bufsz;
        ssize_t n = pread(L->fd, buf, want, (off_t)off);
        if (n <= 0) {
            chunk_fail(ck, SX_EIO, ck->field, "read error: %s",
                       n < 0 ? strerror(errno) : "file shrank while loading");
            break;
        }
        const char *nul = memchr(buf, '\0', (size_t)n);
        size_t feed = nul ? (size_t)(nul - buf) : (size_t)n;
        size_t rows0 = ck->rows;
        /* libcsv's quoted flag with a last byte other than a quote means
         * "inside a quoted field" (right after a quote it may have ended). */
        int plain = (!p.quoted || last_byte != '"') &&
                    spaces_plain((const unsigned char *)buf, feed, L->delim, p.quoted);
        last_byte = feed ? buf[feed - 1] : last_byte;
        csv_set_space_func(&p, plain ? NULL : no_space);
        if (csv_parse(&p, buf, feed, on_field, on_row, ck) != feed) {
            chunk_oom(ck, ck->field);
            break;
        }
        if (ck->rc != SX_OK)
            break;
        if (ck->full) {
            /* max_rows reached: what follows (even a NUL) is not read. */
            if (L->counting) {
                atomic_fetch_add_explicit(&L->bytes_done, (uint64_t)n, memory_order_relaxed);
                atomic_fetch_add_explicit(&L->rows_done, ck->rows - rows0, memory_order_relaxed);
            }
            break;
        }
        if (nul) {
            chunk_fail(ck, SX_EPARSE, ck->field, "NUL byte (expected text)");
            ck->err_by_off = 1;
            ck->err_off = off + feed;
            break;
        }
        if (p.entry_pos > SX_CSV_MAX_FIELD) {
            chunk_fail(ck, SX_ELIMIT, ck->field, "field longer than %u bytes%s",
                       SX_CSV_MAX_FIELD, p.quoted ? " (an unterminated quote?)" : "");
            break;
        }
        if (L->counting) {
            atomic_fetch_add_explicit(&L->bytes_done, (uint64_t)n, memory_order_relaxed);
            atomic_fetch_add_explicit(&L->rows_done, ck->rows - rows0, memory_order_relaxed);
        }
        off += (uint64_t)n;
    }
    if (ck->rc == SX_OK && !ck->aborted && !ck->full) {
        csv_set_opts(&p, CSV_STRICT | CSV_STRICT_FINI);
        csv_set_space_func(&p, no_space);
        ck->in_fini = !last;
        ck->halt |= ck->in_fini;
        if (csv_fini(&p, on_field, on_row, ck) != 0) {
            if (last)
                chunk_fail(ck, SX_EPARSE, ck->field,
                           "unterminated quoted field (expected a closing quote)");
            else
                ck->bad_end = 1;
        }
        ck->in_fini = 0;
        if (ck->bad_end) {
            size_t cur = atomic_load(&L->stop_after);
            while (ck->index < cur && !atomic_compare_exchange_weak(&L->stop_after, &cur, ck->index))
                ;
        }
    }
    csv_free(&p);
}

/* Count the quote characters of nominal range ITEM (PH_COUNT). */
static void count_range(struct loader *L, size_t item, char *buf)
{
    uint64_t q = 0;
    for (uint64_t off = L->bounds[item]; off < L->bounds[item + 1];) {
        if (cancelled(L))
            return;
        uint64_t left = L->bounds[item + 1] - off;
        size_t want = left < READ_BUF ? (size_t)left : READ_BUF;
        ssize_t n = pread(L->fd, buf, want, (off_t)off);
        if (n <= 0) {
            atomic_store(&L->count_failed, 1);
            return;
        }
        for (const char *p = buf, *e = buf + n; (p = memchr(p, '"', (size_t)(e - p))); p++)
            q++;
        off += (uint64_t)n;
    }
    L->quotes[item] = q;
}

static void concat_column(struct loader *L, size_t j);

static void *worker(void *arg)
{
    struct loader *L = arg;
    char *buf = L->phase == PH_CONCAT ? NULL : malloc(READ_BUF);
    for (;;) {
        size_t i = atomic_fetch_add(&L->next_item, 1);
        if (i >= L->nitems)
            break;
        if (L->phase == PH_COUNT) {
            if (buf)
                count_range(L, i, buf);
            else
                atomic_store(&L->count_failed, 1);
        } else if (L->phase == PH_PARSE) {
            struct chunk *ck = &L->chunks[i];
            if (buf)
                parse_chunk(ck, buf);
            else
                chunk_oom(ck, 0);
        } else {
            concat_column(L, i);
        }
    }
    free(buf);
    pthread_mutex_lock(&L->mu);
    L->running--;
    pthread_cond_signal(&L->cv);
    pthread_mutex_unlock(&L->mu);
    return NULL;
}

static void report_progress(struct loader *L)
{
    const struct sx_csv_opts *o = L->opts;
    if (!o->progress || cancelled(L))
        return;
    uint64_t done = L->data_start + atomic_load(&L->bytes_done);
    if (done > L->size)
        done = L->size;
    /* A second pass (after a bad cut) starts its count again; the caller
     * sees the bytes go forward only. */
    if (done < L->reported)
        done = L->reported;
    L->reported = done;
    if (o->progress(o->progress_ctx, done, L->size, atomic_load(&L->rows_done)) != 0)
        atomic_store(&L->cancel, 1);
}

/* Run the current phase's NITEMS items on up to L->threads threads while
 * this thread reports progress. */
static void run_phase(struct loader *L, size_t nitems)
{
    pthread_t tid[MAX_THREADS];
    size_t nt = L->threads < nitems ? L->threads : nitems, started = 0;
    L->nitems = nitems;
    atomic_store(&L->next_item, 0);
    L->running = nt;
    for (; started < nt; started++)
        if (pthread_create(&tid[started], NULL, worker, L) != 0)
            break;
    if (started < nt) {
        pthread_mutex_lock(&L->mu);
        L->running -= nt - started;
        pthread_mutex_unlock(&L->mu);
        if (started == 0) {
            /* No thread at all: do the work here. */
            L->running = 1;
            worker(L);
        }
    }
    pthread_mutex_lock(&L->mu);
    while (L->running > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += POLL_NS;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&L->cv, &L->mu, &ts);
        if (L->running > 0) {
            pthread_mutex_unlock(&L->mu);
            report_progress(L);
            pthread_mutex_lock(&L->mu);
        }
    }
    pthread_mutex_unlock(&L->mu);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

/* ---- positions for error messages ---- */

/* Newlines in [FROM, TO) of the file. */
static uint64_t count_newlines(struct loader *L, uint64_t from, uint64_t to)
{
    char *buf = malloc(READ_BUF);
    uint64_t nl = 0;
    if (!buf)
        return 0;
    for (uint64_t off = from; off < to;) {
        size_t want = to - off < READ_BUF ? (size_t)(to - off) : READ_BUF;
        ssize_t n = pread(L->fd, buf, want, (off_t)off);
        if (n <= 0)
            break;
        for (const char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
            nl++;
        off += (uint64_t)n;
    }
    free(buf);
    return nl;
}

/* Re-run libcsv's state machine (non-strict, nothing trimmed, CR and LF end
 * records, blank lines skipped) from START, a record boundary on physical
 * line LINE0. Stops at byte STOP (giving its line and 1-based field), or at
 * the start of field FIELD of record REC (counted from START), or at the end
 * of record REC when it has fewer fields (giving that line); returns 1 then,
 * and 0 when the data ended first (giving the last line). */
static int locate(struct loader *L, uint64_t start, uint64_t line0, size_t rec, size_t field,
                  uint64_t stop, uint64_t *line, size_t *col)
{
    enum { S_ROW, S_FIELD0, S_IN, S_QEND } st = S_ROW;
    int quoted = 0, hit = 1;
    uint64_t ln = line0;
    size_t r = 0, f = 0;
    unsigned char buf[1 << 16];
    const unsigned char delim = L->delim;
    for (uint64_t off = start; off < L->size;) {
        size_t want = L->size - off < sizeof buf ? (size_t)(L->size - off) : sizeof buf;
        ssize_t n = pread(L->fd, buf, want, (off_t)off);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            int term = c == '\r' || c == '\n';
            if (off + (uint64_t)i == stop)
                goto found;
            switch (st) {
            case S_ROW:
            case S_FIELD0:
                if (term && st == S_ROW)
                    break;
                if (r == rec && f == field)
                    goto found;
                if (term) {
                    f++;
                    goto row_end;
                }
                if (c == delim) {
                    f++;
                    st = S_FIELD0;
                } else {
                    quoted = c == '"';
                    st = S_IN;
                }
                break;
            case S_IN:
                if (c == '"') {
                    if (quoted)
                        st = S_QEND;
                } else if (!quoted && c == delim) {
                    f++;
                    st = S_FIELD0;
                } else if (!quoted && term) {
                    f++;
                    goto row_end;
                }
                break;
            case S_QEND:
                if (c == delim) {
                    f++;
                    st = S_FIELD0;
                } else if (term) {
                    f++;
                    goto row_end;
                } else {
                    st = S_IN;
                }
                break;
            }
            goto next;
        row_end:
            if (r == rec)
                goto found;
            r++;
            f = 0;
            st = S_ROW;
        next:
            if (c == '\n')
                ln++;
        }
        off += (uint64_t)n;
    }
    hit = 0;
found:
    *line = ln;
    *col = f + 1;
    return hit;
}

uint64_t sx_csv_record_line(const char *path, char delim, size_t rec)
{
    struct loader L = {.path = path, .delim = (unsigned char)delim};
    struct stat sb;
    struct sx_err err;
    unsigned char head[3];
    uint64_t line = 0;
    size_t col;

    if (sx_csv_open(path, &L.fd, &sb, &err) != SX_OK)
        return 0;
    L.size = (uint64_t)sb.st_size;
    if (pread(L.fd, head, 3, 0) == 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        L.bom = 3;
    if (!locate(&L, L.bom, 1, rec, 0, UINT64_MAX, &line, &col))
        line = 0;
    close(L.fd);
    return line;
}

/* Fill ERR from the error of chunk CK. */
static enum sx_status chunk_report(struct loader *L, struct chunk *ck, struct sx_err *err)
{
    uint64_t line;
    size_t col;
    uint64_t line0 = 1 + count_newlines(L, 0, ck->start);
    if (ck->err_by_off) {
        locate(L, ck->start, line0, SIZE_MAX, 0, ck->err_off, &line, &col);
    } else {
        locate(L, ck->start, line0, ck->err_rec, ck->err_field, UINT64_MAX, &line, &col);
        col = ck->err_field + 1;
    }
    return sx_err_set(err, ck->rc, "%s:%llu:%zu: %s", L->path, (unsigned long long)line, col,
                      ck->err_msg);
}

/* ---- header and delimiter ---- */

/* Pick the delimiter from the sample S[0..N) (TRUNC: the file goes on): the
 * first of , ; TAB | whose count outside quotes is the same and non-zero in
 * every complete record; failing that, the one matching the first record's
 * count most often; failing that, a comma. */
static unsigned char detect_delim(const char *s, size_t n, int trunc)
{
    static const unsigned char cand[4] = {',', ';', '\t', '|'};
    size_t first[4] = {0}, cur[4] = {0}, match[4] = {0};
    int consistent[4] = {1, 1, 1, 1};
    size_t records = 0, reclen = 0;
    int inq = 0;
    for (size_t i = 0; i <= n; i++) {
        int end = i == n;
        if (end && trunc && records > 0)
            break;                 /* an incomplete last record says nothing */
        unsigned char c = end ? '\n' : (unsigned char)s[i];
        if (c == '"') {
            inq = !inq;
        } else if (c == '\n' && (!inq || end)) {
            if (reclen > 0) {
                for (int k = 0; k < 4; k++) {
                    if (records == 0) {
                        first[k] = cur[k];
                        consistent[k] = cur[k] > 0;
                    } else if (cur[k] == first[k]) {
                        match[k]++;
                    } else {
                        consistent[k] = 0;
                    }
                }
                records++;
            }
            memset(cur, 0, sizeof cur);
            reclen = 0;
            continue;
        } else if (!inq) {
            for (int k = 0; k < 4; k++)
                cur[k] += c == cand[k];
        }
        if (c != '\r')
            reclen++;
    }
    for (int k = 0; k < 4; k++)
        if (records > 0 && consistent[k])
            return cand[k];
    int best = -1;
    for (int k = 0; k < 4; k++)
        if (first[k] > 0 && (best < 0 || match[k] > match[best]))
            best = k;
    return best >= 0 ? cand[best] : ',';
}

struct header {
    struct loader *L;
    char **names;
    size_t n, cap;
    int done;
    int oom;
};

static void hdr_field(void *s, size_t len, void *data)
{
    struct header *h = data;
    if (h->done || h->oom)
        return;
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 16;
        char **p = realloc(h->names, ncap * sizeof *p);
        if (!p) {
            h->oom = 1;
            return;
        }
        h->names = p;
        h->cap = ncap;
    }
    char *name = malloc(len + 1);
    if (!name) {
        h->oom = 1;
        return;
    }
    memcpy(name, s, len);
    name[len] = '\0';
    h->names[h->n++] = name;
}

static void hdr_row(int c, void *data)
{
    struct header *h = data;
    (void)c;
    h->done = 1;
}

/* Error at FIELD (0-based) of the header record. */
__attribute__((format(printf, 4, 5)))
static enum sx_status header_fail(struct loader *L, struct sx_err *err, size_t field,
                                  const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t line;
    size_t col;
    locate(L, L->bom, 1, 0, field, UINT64_MAX, &line, &col);
    return sx_err_set(err, SX_EPARSE, "%s:%llu:%zu: %s", L->path, (unsigned long long)line,
                      field + 1, msg);
}

/* Parse the header record (one byte at a time, to find where it ends) and
 * check its names. */
static enum sx_status read_header(struct loader *L, struct sx_err *err)
{
    struct header h = {.L = L};
    struct csv_parser p;
    enum sx_status rc = SX_OK;
    unsigned char buf[1 << 16];
    if (csv_init(&p, 0) != 0)
        return sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
    csv_set_delim(&p, L->delim);
    csv_set_space_func(&p, no_space);
    csv_set_blk_size(&p, 1u << 16);
    uint64_t off = L->bom;
    while (!h.done && off < L->size) {
        size_t want = L->size - off < sizeof buf ? (size_t)(L->size - off) : sizeof buf;
        ssize_t n = pread(L->fd, buf, want, (off_t)off);
        if (n <= 0) {
            rc = sx_err_set(err, SX_EIO, "%s: read error: %s", L->path,
                            n < 0 ? strerror(errno) : "file shrank while loading");
            goto out;
        }
        for (ssize_t i = 0; i < n && !h.done; i++) {
            if (buf[i] == '\0') {
                uint64_t line;
                size_t col;
                locate(L, L->bom, 1, SIZE_MAX, 0, off + (uint64_t)i, &line, &col);
                rc = sx_err_set(err, SX_EPARSE, "%s:%llu:%zu: NUL byte in the header",
                                L->path, (unsigned long long)line, col);
                goto out;
            }
            if (csv_parse(&p, buf + i, 1, hdr_field, hdr_row, &h) != 1 || h.oom) {
                rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
                goto out;
            }
            if (h.done)
                L->data_start = off + (uint64_t)i + 1;
            else if (p.entry_pos > SX_CSV_MAX_FIELD) {
                uint64_t line;
                size_t col;
                locate(L, L->bom, 1, 0, h.n, UINT64_MAX, &line, &col);
                rc = sx_err_set(err, SX_ELIMIT, "%s:%llu:%zu: field longer than %u bytes%s",
                                L->path, (unsigned long long)line, h.n + 1, SX_CSV_MAX_FIELD,
                                p.quoted ? " (an unterminated quote?)" : "");
                goto out;
            }
        }
        off += (uint64_t)n;
    }
    if (!h.done) {
        size_t open_field = h.n;
        csv_set_opts(&p, CSV_STRICT | CSV_STRICT_FINI);
        if (csv_fini(&p, hdr_field, hdr_row, &h) != 0) {
            uint64_t line;
            size_t col;
            locate(L, L->bom, 1, 0, open_field, UINT64_MAX, &line, &col);
            rc = sx_err_set(err, SX_EPARSE,
                            "%s:%llu:%zu: unterminated quoted field (expected a closing quote)",
                            L->path, (unsigned long long)line, open_field + 1);
            goto out;
        }
        if (h.oom) {
            rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
            goto out;
        }
        L->data_start = L->size;
    }
    if (h.n == 0) {
        uint64_t lines = count_newlines(L, 0, L->size);
        rc = sx_err_set(err, SX_EPARSE, "%s:%llu:1: empty file (expected a header row)",
                        L->path, (unsigned long long)(lines + 1));
        goto out;
    }
    L->names = h.names;
    L->ncols = h.n;
    h.names = NULL;
    h.n = 0;
    struct sx_dict *seen = sx_dict_new();
    if (!seen) {
        rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
        goto out;
    }
    for (size_t j = 0; j < L->ncols && rc == SX_OK; j++) {
        const char *name = L->names[j];
        size_t len = strlen(name);
        if (len == 0) {
            rc = header_fail(L, err, j, "empty column name in the header");
        } else if (!utf8_ok(name, len)) {
            rc = header_fail(L, err, j, "invalid UTF-8 in the header");
        } else {
            uint32_t before = seen->n;
            uint32_t code = sx_dict_intern(seen, name, len);
            if (code == UINT32_MAX)
                rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
            else if (code < before)
                rc = header_fail(L, err, j, "duplicate column name '%s' (also column %zu)",
                                 name, (size_t)code + 1);
        }
    }
    sx_dict_free(seen);
out:
    for (size_t j = 0; j < h.n; j++)
        free(h.names[j]);
    free(h.names);
    csv_free(&p);
    return rc;
}

/* Sample the start of the data: the delimiter (unless given) and the mean
 * record length. */
static enum sx_status sample(struct loader *L, struct sx_err *err)
{
    size_t n = L->size < SAMPLE_BYTES ? (size_t)L->size : SAMPLE_BYTES;
    char *buf = malloc(n ? n : 1);
    if (!buf)
        return sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
    ssize_t got = n ? pread(L->fd, buf, n, 0) : 0;
    if (got < 0 || (size_t)got != n) {
        free(buf);
        return sx_err_set(err, SX_EIO, "%s: read error: %s", L->path,
                          got < 0 ? strerror(errno) : "short read");
    }
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        L->bom = 3;
    if (!L->delim)
        L->delim = detect_delim(buf + L->bom, n - L->bom, L->size > n);
    /* A newline inside quotes in the sample: cut by quote parity. */
    int inq = 0;
    for (size_t i = L->bom; i < n && !L->quoted_nl; i++) {
        if (buf[i] == '"')
            inq = !inq;
        else if (buf[i] == '\n' && inq)
            L->quoted_nl = 1;
    }
    /* Mean bytes per line, after the first line. */
    const char *p = memchr(buf, '\n', n);
    size_t lines = 0;
    const char *q = p, *lastnl = p;
    while (q && (q = memchr(q + 1, '\n', (size_t)(buf + n - q - 1)))) {
        lines++;
        lastnl = q;
    }
    L->rec_bytes = lines ? (double)(lastnl - p) / (double)lines : 64.0;
    if (L->rec_bytes < 2)
        L->rec_bytes = 2;
    free(buf);
    return SX_OK;
}

/* ---- splitting ---- */

/* The first record boundary in [FROM, LIMIT): just after a newline with an
 * even number of quotes since the data start (PARITY: quotes before FROM;
 * -1: ignore quotes, take the first newline). 0 when there is none. */
static uint64_t find_cut(struct loader *L, uint64_t from, int parity, uint64_t limit, char *buf)
{
    int aware = parity >= 0;
    for (uint64_t off = from; off < limit;) {
        size_t want = limit - off < (1u << 16) ? (size_t)(limit - off) : (1u << 16);
        ssize_t n = pread(L->fd, buf, want, (off_t)off);
        if (n <= 0)
            return 0;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '"' && aware)
                parity ^= 1;
            else if (buf[i] == '\n' && parity <= 0)
                return off + (uint64_t)i + 1;
        }
        off += (uint64_t)n;
    }
    return 0;
}

static enum sx_status make_chunks(struct loader *L, const uint64_t *cuts, size_t ncuts,
                                  struct sx_err *err)
{
    L->chunks = calloc(ncuts + 1, sizeof *L->chunks);
    if (!L->chunks)
        return sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
    L->nchunks = ncuts + 1;
    for (size_t k = 0; k <= ncuts; k++) {
        struct chunk *ck = &L->chunks[k];
        ck->L = L;
        ck->index = k;
        ck->start = k == 0 ? L->data_start : cuts[k - 1];
        ck->end = k == ncuts ? L->size : cuts[k];
    }
    return SX_OK;
}

/* Cut the data part into chunks at record boundaries. With PARITY the
 * cuts follow the quote parity (quotes are counted in parallel first);
 * without, each cut is the first newline after its nominal point, a guess
 * that parse_chunks() verifies. */
static enum sx_status plan_chunks(struct loader *L, int parity, struct sx_err *err)
{
    uint64_t dbytes = L->size - L->data_start;
    if (L->threads <= 1 || dbytes < PAR_MIN_BYTES || L->opts->max_rows)
        return make_chunks(L, NULL, 0, err);
    enum sx_status rc = SX_OK;
    uint64_t *cuts = NULL;
    char *buf = NULL;
    L->bounds = malloc((MAX_CHUNKS + 1) * sizeof *L->bounds);
    L->quotes = calloc(MAX_CHUNKS, sizeof *L->quotes);
    cuts = malloc(MAX_CHUNKS * sizeof *cuts);
    buf = malloc(1u << 16);
    if (!L->bounds || !L->quotes || !cuts || !buf) {
        rc = sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
        goto out;
    }
    /* Guided sizes: each range is 1/(2T) of what is left (at least
     * CHUNK_MIN), so the chunks taken last are small and the threads
     * finish together. */
    size_t n = 0;
    uint64_t cur = L->data_start;
    L->bounds[0] = cur;
    while (cur < L->size) {
        uint64_t left = L->size - cur;
        uint64_t step = left / (2 * L->threads);
        if (step < CHUNK_MIN)
            step = CHUNK_MIN;
        if (left < step + CHUNK_MIN || n + 1 == MAX_CHUNKS)
            step = left;
        cur += step;
        L->bounds[++n] = cur;
    }
    if (parity) {
        L->phase = PH_COUNT;
        atomic_store(&L->count_failed, 0);
        run_phase(L, n);
        if (cancelled(L)) {
            rc = sx_err_set(err, SX_ECANCEL, "%s: load cancelled", L->path);
            goto out;
        }
    }
    size_t ncuts = 0;
    if (!parity || !atomic_load(&L->count_failed)) {
        uint64_t q = 0;
        for (size_t k = 1; k < n; k++) {
            q += L->quotes[k - 1];
            uint64_t cut = find_cut(L, L->bounds[k], parity ? (int)(q & 1) : -1,
                                    L->bounds[k + 1], buf);
            if (cut && cut < L->size && (ncuts == 0 || cut > cuts[ncuts - 1]))
                cuts[ncuts++] = cut;
        }
    }
    rc = make_chunks(L, cuts, ncuts, err);
out:
    free(L->bounds);
    free(L->quotes);
    L->bounds = L->quotes = NULL;
    free(cuts);
    free(buf);
    return rc;
}

/* ---- parsing phases ---- */

/* Parse every chunk in QUEUE order (their indices). SX_OK, or the error to
 * report; *FALLBACK is set when a chunk ended inside quotes. */
static enum sx_status parse_chunks(struct loader *L, int *fallback, struct sx_err *err)
{
    *fallback = 0;
    atomic_store(&L->stop_after, SIZE_MAX);
    L->phase = PH_PARSE;
    run_phase(L, L->nchunks);
    if (cancelled(L))
        return sx_err_set(err, SX_ECANCEL, "%s: load cancelled", L->path);
    for (size_t k = 0; k < L->nchunks; k++) {
        struct chunk *ck = &L->chunks[k];
        if (ck->rc != SX_OK)
            return chunk_report(L, ck, err);
        if (ck->bad_end) {
            *fallback = 1;
            return SX_OK;
        }
        if (ck->aborted)
            return sx_err_set(err, SX_EIO, "%s: chunk %zu stopped unexpectedly", L->path, k);
    }
    return SX_OK;
}

static void free_chunks(struct loader *L)
{
    for (size_t k = 0; k < L->nchunks; k++)
        chunk_clear(&L->chunks[k]);
    free(L->chunks);
    L->chunks = NULL;
    L->nchunks = 0;
}

/* A column of N missing cells of kind K. */
static struct sx_column *missing_column(const char *name, enum kind k, size_t n)
{
    struct sx_column *c = sx_col_new(name, kind_type(k));
    if (!c || sx_col_reserve(c, n ? n : 1) != SX_OK)
        goto fail;
    c->unit = k == K_SECS ? SX_SECONDS : SX_DAYS;
    if (k == K_TEXT) {
        for (size_t i = 0; i < n; i++)
            if (sx_col_push_missing(c) != SX_OK)
                goto fail;
    } else {
        size_t w = k == K_BOOL ? 1 : k == K_STR ? 4 : 8;
        if (n)
            memset(c->v.b, 0, n * w);
        c->len = n;
    }
    return c;
fail:
    sx_col_free(c);
    return NULL;
}

/* A category column as a text column (C is freed on success). */
static struct sx_column *category_to_text(struct sx_column *c)
{
    struct sx_column *t = sx_col_new(c->name, SX_TEXT);
    if (!t || sx_col_reserve(t, c->len ? c->len : 1) != SX_OK)
        goto fail;
    for (size_t i = 0; i < c->len; i++) {
        enum sx_status rc;
        if (sx_col_valid(c, i)) {
            uint32_t code = c->v.cat[i];
            rc = sx_col_push_str(t, c->dict->str[code], c->dict->len[code]);
        } else {
            rc = sx_col_push_missing(t);
        }
        if (rc != SX_OK)
            goto fail;
    }
    sx_col_free(c);
    return t;
fail:
    sx_col_free(t);
    return NULL;
}

/* Does the string column J hold at most half as many distinct values as
 * present cells, over all chunks? -1 when out of memory. */
static int few_distinct(struct loader *L, size_t j)
{
    uint64_t present = 0, sum = 0, most = 0;
    for (size_t k = 0; k < L->nchunks; k++) {
        struct ccol *cc = &L->chunks[k].cols[j];
        present += cc->present;
        uint64_t n = cc->c && cc->c->dict ? cc->c->dict->n : 0;
        sum += n;
        if (n > most)
            most = n;
    }
    if (sum * 2 <= present)
        return 1;
    if (most * 2 > present)
        return 0;
    struct sx_dict *all = sx_dict_new();
    if (!all)
        return -1;
    for (size_t k = 0; k < L->nchunks; k++) {
        struct sx_column *c = L->chunks[k].cols[j].c;
        if (!c || !c->dict)
            continue;
        for (uint32_t i = 0; i < c->dict->n; i++)
            if (sx_dict_intern(all, c->dict->str[i], c->dict->len[i]) == UINT32_MAX) {
                sx_dict_free(all);
                return -1;
            }
    }
    int few = (uint64_t)all->n * 2 <= present;
    sx_dict_free(all);
    return few;
}

/* Column J of every chunk, converted to its final kind and appended in
 * chunk order into L->joined[J] (PH_CONCAT; on error L->col_err[J]). Each
 * chunk's cells are freed as soon as they are copied. */
static void concat_column(struct loader *L, size_t j)
{
    enum kind want = L->want[j];
    struct sx_err *e = &L->col_err[j];
    struct sx_frame *dst = NULL;
    size_t total = 0;
    for (size_t k = 0; k < L->nchunks; k++)
        total += L->chunks[k].rows;
    for (size_t k = 0; k < L->nchunks; k++) {
        if (cancelled(L))
            goto fail;
        struct ccol *cc = &L->chunks[k].cols[j];
        struct sx_column *c = cc->c;
        cc->c = NULL;
        if (!c) {
            c = missing_column(L->names[j], want, L->chunks[k].rows);
        } else if (cc->k == K_INT && want == K_FLOAT) {
            convert_int_float(c);
        } else if (cc->k == K_DAYS && want == K_SECS) {
            convert_days_secs(c);
        } else if (cc->k == K_STR && want == K_TEXT) {
            struct sx_column *t = category_to_text(c);
            if (!t)
                sx_col_free(c);
            c = t;
        }
        if (!c) {
            sx_err_set(e, SX_ENOMEM, "%s: out of memory", L->path);
            goto fail;
        }
        struct sx_frame *part = sx_frame_new();
        if (!part || (!dst && sx_col_reserve(c, total ? total : 1) != SX_OK)) {
            sx_frame_free(part);
            sx_col_free(c);
            sx_err_set(e, SX_ENOMEM, "%s: out of memory", L->path);
            goto fail;
        }
        if (!dst)
            huge_pages(c);
        if (sx_frame_adopt(part, c, e) != SX_OK) {
            sx_frame_free(part);
            sx_col_free(c);
            goto fail;
        }
        if (!dst) {
            dst = part;
        } else {
            enum sx_status rc = sx_frame_append_move(dst, part, e);
            sx_frame_free(part);
            if (rc != SX_OK)
                goto fail;
        }
    }
    if (!dst) {
        struct sx_column *c = missing_column(L->names[j], want, 0);
        if (!c)
            sx_err_set(e, SX_ENOMEM, "%s: out of memory", L->path);
        L->joined[j] = c;
        return;
    }
    /* Take the one column out of its frame. */
    L->joined[j] = dst->cols[0];
    dst->ncols = 0;
    sx_frame_free(dst);
    return;
fail:
    if (e->code == SX_OK)
        sx_err_set(e, SX_ECANCEL, "%s: load cancelled", L->path);
    sx_frame_free(dst);
}

/* Join the chunks' kinds, parse again the chunks that need it, convert and
 * concatenate. Returns the frame or NULL (ERR filled). */
static struct sx_frame *assemble(struct loader *L, struct sx_err *err)
{
    size_t nc = L->ncols;
    enum kind *fin = calloc(nc ? nc : 1, sizeof *fin);
    unsigned char *as_text = calloc(nc ? nc : 1, 1);
    size_t *redo = calloc(L->nchunks ? L->nchunks : 1, sizeof *redo);
    struct sx_frame *out = NULL;
    if (!fin || !as_text || !redo) {
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
        goto fail;
    }
    for (size_t j = 0; j < nc; j++) {
        fin[j] = L->force[j];
        for (size_t k = 0; k < L->nchunks; k++)
            fin[j] = kind_join(fin[j], L->chunks[k].cols[j].k);
    }
    /* Chunks whose cells cannot be converted are parsed again, with every
     * column forced to its final kind. */
    size_t nredo = 0;
    for (size_t k = 0; k < L->nchunks; k++) {
        struct chunk *ck = &L->chunks[k];
        int again = ck->infer_only;
        for (size_t j = 0; j < nc && !again; j++)
            again = !kind_convertible(ck->cols[j].k, fin[j]) ||
                    (ck->cols[j].negzero && fin[j] == K_FLOAT);
        if (again)
            redo[nredo++] = k;
    }
    if (nredo) {
        for (size_t j = 0; j < nc; j++)
            L->force[j] = fin[j];
        /* Put the chunks to redo first, so the queue holds only them. */
        struct chunk *saved = L->chunks;
        size_t nsaved = L->nchunks;
        struct chunk *tmp = calloc(nredo, sizeof *tmp);
        if (!tmp) {
            sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
            goto fail;
        }
        for (size_t i = 0; i < nredo; i++) {
            chunk_clear(&saved[redo[i]]);
            tmp[i] = saved[redo[i]];
        }
        L->chunks = tmp;
        L->nchunks = nredo;
        L->counting = 0;
        int fallback = 0;
        enum sx_status rc = parse_chunks(L, &fallback, err);
        for (size_t i = 0; i < nredo; i++)
            saved[redo[i]] = tmp[i];
        free(tmp);
        L->chunks = saved;
        L->nchunks = nsaved;
        if (rc != SX_OK)
            goto fail;
        if (fallback) {
            sx_err_set(err, SX_EPARSE, "%s: chunk boundaries moved between passes", L->path);
            goto fail;
        }
    }
    /* Category or text. */
    for (size_t j = 0; j < nc; j++) {
        if (fin[j] != K_STR || L->explicit_[j])
            continue;
        int few = few_distinct(L, j);
        if (few < 0) {
            sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
            goto fail;
        }
        as_text[j] = !few;
    }
    /* Convert each chunk's columns and append them in order, one column
     * per item, in parallel. */
    L->want = fin;
    for (size_t j = 0; j < nc; j++)
        if (as_text[j])
            fin[j] = K_TEXT;
    L->joined = calloc(nc ? nc : 1, sizeof *L->joined);
    L->col_err = calloc(nc ? nc : 1, sizeof *L->col_err);
    if (!L->joined || !L->col_err) {
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
        goto fail;
    }
    L->phase = PH_CONCAT;
    run_phase(L, nc);
    if (cancelled(L)) {
        sx_err_set(err, SX_ECANCEL, "%s: load cancelled", L->path);
        goto fail;
    }
    for (size_t j = 0; j < nc; j++)
        if (!L->joined[j]) {
            if (err)
                *err = L->col_err[j];
            goto fail;
        }
    out = sx_frame_new();
    if (!out) {
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L->path);
        goto fail;
    }
    for (size_t j = 0; j < nc; j++) {
        if (sx_frame_adopt(out, L->joined[j], err) != SX_OK)
            goto fail;
        L->joined[j] = NULL;
    }
    free(fin);
    free(as_text);
    free(redo);
    return out;
fail:
    sx_frame_free(out);
    free(fin);
    free(as_text);
    free(redo);
    return NULL;
}

/* ---- entry point ---- */

static enum sx_status apply_types(struct loader *L, const struct sx_csv_opts *o, struct sx_err *err)
{
    for (size_t t = 0; t < o->ntypes; t++) {
        const struct sx_csv_coltype *ct = &o->types[t];
        size_t j = 0;
        while (j < L->ncols && (!ct->name || strcmp(L->names[j], ct->name) != 0))
            j++;
        if (j == L->ncols) {
            uint64_t line;
            size_t col;
            locate(L, L->bom, 1, 0, 0, UINT64_MAX, &line, &col);
            return sx_err_set(err, SX_ENOTFOUND,
                              "%s:%llu:1: no column named '%s' for the type %s given",
                              L->path, (unsigned long long)line, ct->name ? ct->name : "",
                              sx_type_name(ct->type));
        }
        enum kind k;
        switch (ct->type) {
        case SX_FLOAT: k = K_FLOAT; break;
        case SX_INT: k = K_INT; break;
        case SX_BOOL: k = K_BOOL; break;
        case SX_DATE: k = K_DAYS; break;
        case SX_CATEGORY: k = K_STR; break;
        case SX_TEXT: k = K_TEXT; break;
        default:
            return sx_err_set(err, SX_EINVAL, "%s: column '%s': invalid type %d", L->path,
                              ct->name, (int)ct->type);
        }
        L->force[j] = k;
        L->explicit_[j] = 1;
    }
    return SX_OK;
}

static size_t online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

enum sx_status sx_csv_open(const char *path, int *fd, struct stat *sb, struct sx_err *err)
{
    struct stat st;
    enum sx_status rc = SX_OK;

    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return sx_err_set(err, errno == ENOENT ? SX_ENOTFOUND : SX_EIO,
                          "%s:1:1: cannot open: %s", path, strerror(errno));
    if (fstat(*fd, &st) != 0)
        rc = sx_err_set(err, SX_EIO, "%s:1:1: cannot stat: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = sx_err_set(err, SX_EINVAL, "%s:1:1: is a directory, expected a CSV file", path);
    else if (!S_ISREG(st.st_mode))
        rc = sx_err_set(err, SX_EINVAL, "%s:1:1: not a regular file, expected a CSV file",
                        path);
    if (rc != SX_OK) {
        close(*fd);
        *fd = -1;
        return rc;
    }
    if (sb)
        *sb = st;
    return SX_OK;
}

struct sx_frame *sx_csv_load(const char *path, const struct sx_csv_opts *opts, char *out_delim,
                             struct sx_err *err)
{
    struct sx_csv_opts defaults;
    struct loader L;
    struct sx_frame *f = NULL;
    enum sx_status rc;
    int locks = 0;
    if (!opts) {
        sx_csv_opts_init(&defaults);
        opts = &defaults;
    }
    memset(&L, 0, sizeof L);
    L.fd = -1;
    L.path = path ? path : "";
    L.opts = opts;
    L.delim = (unsigned char)opts->delimiter;
    L.threads = opts->threads > 0 ? (size_t)opts->threads : online_cpus();
    if (L.threads > MAX_THREADS)
        L.threads = MAX_THREADS;
    atomic_init(&L.bytes_done, 0);
    atomic_init(&L.rows_done, 0);
    atomic_init(&L.cancel, 0);
    atomic_init(&L.stop_after, SIZE_MAX);
    atomic_init(&L.next_item, 0);
    atomic_init(&L.count_failed, 0);

    if (L.delim == '"' || L.delim == '\r' || L.delim == '\n') {
        sx_err_set(err, SX_EINVAL, "%s: invalid delimiter", L.path);
        goto out;
    }
    const char *const *na = opts->na ? opts->na : sx_csv_default_na;
    size_t nna = opts->na ? opts->nna : sx_csv_default_nna;
    if (natab_init(&L.na, na, nna) != 0) {
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L.path);
        goto out;
    }

    struct stat st;
    if (sx_csv_open(L.path, &L.fd, &st, err) != SX_OK)
        goto out;
    L.size = (uint64_t)st.st_size;

    pthread_condattr_t ca;
    if (pthread_mutex_init(&L.mu, NULL) != 0) {
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L.path);
        goto out;
    }
    if (pthread_condattr_init(&ca) != 0) {
        pthread_mutex_destroy(&L.mu);
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L.path);
        goto out;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int cv_rc = pthread_cond_init(&L.cv, &ca);
    pthread_condattr_destroy(&ca);
    if (cv_rc != 0) {
        pthread_mutex_destroy(&L.mu);
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L.path);
        goto out;
    }
    locks = 1;

    if ((rc = sample(&L, err)) != SX_OK)
        goto out;
    if (out_delim)
        *out_delim = (char)L.delim;
    if (L.size <= L.bom) {
        sx_err_set(err, SX_EPARSE, "%s:1:1: empty file (expected a header row)", L.path);
        goto out;
    }
    if ((rc = read_header(&L, err)) != SX_OK)
        goto out;
    L.force = calloc(L.ncols, sizeof *L.force);
    L.explicit_ = calloc(L.ncols, 1);
    if (!L.force || !L.explicit_) {
        sx_err_set(err, SX_ENOMEM, "%s: out of memory", L.path);
        goto out;
    }
    if ((rc = apply_types(&L, opts, err)) != SX_OK)
        goto out;

    report_progress(&L);
    if (cancelled(&L)) {
        sx_err_set(err, SX_ECANCEL, "%s: load cancelled", L.path);
        goto out;
    }
    if (L.data_start < L.size) {
        if ((rc = plan_chunks(&L, L.quoted_nl, err)) != SX_OK)
            goto out;
        int fallback = 0;
        L.counting = 1;
        rc = parse_chunks(&L, &fallback, err);
        if (rc == SX_OK && fallback && !L.quoted_nl) {
            /* A guessed cut was inside a quoted field: cut by parity. */
            free_chunks(&L);
            atomic_store(&L.bytes_done, 0);
            atomic_store(&L.rows_done, 0);
            if ((rc = plan_chunks(&L, 1, err)) != SX_OK)
                goto out;
            rc = parse_chunks(&L, &fallback, err);
        }
        if (rc == SX_OK && fallback) {
            /* A chunk ended inside quotes: the cuts were not record
             * boundaries. Parse the whole data part as one chunk. */
            free_chunks(&L);
            atomic_store(&L.bytes_done, 0);
            atomic_store(&L.rows_done, 0);
            if ((rc = make_chunks(&L, NULL, 0, err)) != SX_OK)
                goto out;
            rc = parse_chunks(&L, &fallback, err);
        }
        if (rc != SX_OK)
            goto out;
    }
    f = assemble(&L, err);
out:
    if (L.joined)
        for (size_t j = 0; j < L.ncols; j++)
            sx_col_free(L.joined[j]);
    free(L.joined);
    free(L.col_err);
    free_chunks(&L);
    if (L.names)
        for (size_t j = 0; j < L.ncols; j++)
            free(L.names[j]);
    free(L.names);
    free(L.force);
    free(L.explicit_);
    free(L.na.len);
    if (L.fd >= 0)
        close(L.fd);
    if (locks) {
        pthread_cond_destroy(&L.cv);
        pthread_mutex_destroy(&L.mu);
    }
    return f;
}
