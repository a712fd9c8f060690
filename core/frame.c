/* core/frame.c: the in-memory table (typed columns with validity bitmaps),
 * category dictionaries, and the frame operations built on them: append,
 * slice, select, take, filter and a stable multi-key sort.
 *
 * Invariants kept by every function here:
 *   - a column's buffers hold CAP cells (TEXT offsets CAP + 1), the bitmap
 *     (CAP + 63) / 64 words, and every bit at or past LEN is zero;
 *   - the value slot of a missing cell is zero; a missing TEXT cell holds
 *     no bytes (off[i] == off[i + 1]);
 *   - TEXT offsets start at off[0] == 0 once the offsets exist. */
#include "frame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "num.h"

/* ---- types ---- */

static const char *const type_names[SX_TYPE_COUNT] = {
    "float", "int", "bool", "date", "category", "text",
};

const char *sx_type_name(enum sx_type t)
{
    if ((int)t < 0 || t >= SX_TYPE_COUNT)
        return "unknown";
    return type_names[t];
}

enum sx_status sx_type_parse(const char *name, enum sx_type *out, struct sx_err *err)
{
    for (int t = 0; name && t < SX_TYPE_COUNT; t++) {
        if (strcmp(name, type_names[t]) == 0) {
            *out = (enum sx_type)t;
            return SX_OK;
        }
    }
    return sx_err_set(err, SX_EINVAL,
                      "unknown type '%s' (expected float, int, bool, date, category or text)",
                      name ? name : "");
}

int sx_type_is_numeric(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_BOOL || t == SX_DATE;
}

/* ---- dictionaries ---- */

/* A wyhash-style hash: 64x64->128 multiply folding, 16 bytes per step. */
static inline uint64_t mix64(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

#define H_P0 0xa0761d6478bd642full
#define H_P1 0xe7037ed1a0b428dbull
#define H_P2 0x8ebc6af09c88c6e3ull

static inline uint64_t hash_bytes(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t seed = H_P0 ^ (uint64_t)len;
    uint64_t a, b;
    size_t n = len;
    while (n > 16) {
        seed = mix64(load64(p) ^ H_P1, load64(p + 8) ^ seed);
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        a = load64(p);
        b = load64(p + n - 8);
    } else if (n >= 4) {
        a = load32(p);
        b = load32(p + n - 4);
    } else if (n > 0) {
        a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
        b = 0;
    } else {
        a = b = 0;
    }
    return mix64(H_P1 ^ (uint64_t)len, mix64(a ^ H_P1, b ^ seed ^ H_P2));
}

struct sx_dict *sx_dict_new(void)
{
    return calloc(1, sizeof(struct sx_dict));
}

/* Free every string and buffer; D becomes an empty dictionary. */
static void dict_clear(struct sx_dict *d)
{
    for (uint32_t i = 0; i < d->n; i++)
        free(d->str[i]);
    free(d->str);
    free(d->len);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

void sx_dict_free(struct sx_dict *d)
{
    if (!d)
        return;
    dict_clear(d);
    free(d);
}

/* Probe for S: its code, or UINT32_MAX with *POS at the empty slot. */
static inline uint32_t dict_probe(const struct sx_dict *d, const char *s, size_t len,
                                  uint64_t h, uint32_t *pos)
{
    uint32_t mask = d->nslots - 1;
    uint32_t i = (uint32_t)h & mask;
    for (;;) {
        uint32_t slot = d->slots[i];
        if (slot == 0) {
            *pos = i;
            return UINT32_MAX;
        }
        uint32_t code = slot - 1;
        if (d->len[code] == len && memcmp(d->str[code], s, len) == 0)
            return code;
        i = (i + 1) & mask;
    }
}

/* Rebuild the slot table with NSLOTS slots from the first d->n entries. */
static int dict_rehash(struct sx_dict *d, uint32_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    uint32_t mask = nslots - 1;
    for (uint32_t c = 0; c < d->n; c++) {
        uint32_t i = (uint32_t)hash_bytes(d->str[c], d->len[c]) & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = c + 1;
    }
    return 0;
}

/* Drop the entries with codes >= N (undo of interning). */
static void dict_truncate(struct sx_dict *d, uint32_t n)
{
    if (n >= d->n)
        return;
    for (uint32_t i = n; i < d->n; i++)
        free(d->str[i]);
    d->n = n;
    /* Slot positions depend on insertion history; rebuild in place. */
    memset(d->slots, 0, (size_t)d->nslots * sizeof *d->slots);
    uint32_t mask = d->nslots - 1;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t i = (uint32_t)hash_bytes(d->str[c], d->len[c]) & mask;
        while (d->slots[i])
            i = (i + 1) & mask;
        d->slots[i] = c + 1;
    }
}

uint32_t sx_dict_find(const struct sx_dict *d, const char *s, size_t len)
{
    uint32_t pos;
    if (!d || d->nslots == 0 || len >= UINT32_MAX)
        return UINT32_MAX;
    return dict_probe(d, s, len, hash_bytes(s, len), &pos);
}

/* Largest table: 2^31 slots, so at most 2^30 entries at load 0.5. */
#define DICT_MAX_SLOTS 0x80000000u

uint32_t sx_dict_intern(struct sx_dict *d, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    uint32_t pos = 0;
    if (d->nslots) {
        uint32_t code = dict_probe(d, s, len, h, &pos);
        if (code != UINT32_MAX)
            return code;
    }
    if (len >= UINT32_MAX)
        return UINT32_MAX;
    /* New entry: keep the load factor at or below 0.5. */
    if ((uint64_t)(d->n + 1) * 2 > d->nslots) {
        if (d->nslots >= DICT_MAX_SLOTS)
            return UINT32_MAX;
        if (dict_rehash(d, d->nslots ? d->nslots * 2 : 16) != 0)
            return UINT32_MAX;
        dict_probe(d, s, len, h, &pos);
    }
    if (d->n == d->cap) {
        uint32_t ncap = d->cap ? d->cap * 2 : 8;
        char **str = realloc(d->str, (size_t)ncap * sizeof *str);
        if (!str)
            return UINT32_MAX;
        d->str = str;
        uint32_t *lens = realloc(d->len, (size_t)ncap * sizeof *lens);
        if (!lens)
            return UINT32_MAX;
        d->len = lens;
        d->cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, s, len);
    copy[len] = '\0';
    uint32_t code = d->n++;
    d->str[code] = copy;
    d->len[code] = (uint32_t)len;
    d->slots[pos] = code + 1;
    return code;
}

/* A deep copy of D with the same codes; NULL when out of memory. */
static struct sx_dict *dict_clone(const struct sx_dict *d)
{
    struct sx_dict *c = sx_dict_new();
    if (!c)
        return NULL;
    if (d->n == 0 && d->nslots == 0)
        return c;
    c->str = malloc((size_t)(d->cap ? d->cap : 1) * sizeof *c->str);
    c->len = malloc((size_t)(d->cap ? d->cap : 1) * sizeof *c->len);
    c->slots = malloc((size_t)d->nslots * sizeof *c->slots);
    if (!c->str || !c->len || !c->slots)
        goto fail;
    c->cap = d->cap;
    c->nslots = d->nslots;
    memcpy(c->slots, d->slots, (size_t)d->nslots * sizeof *c->slots);
    memcpy(c->len, d->len, (size_t)d->n * sizeof *c->len);
    for (uint32_t i = 0; i < d->n; i++) {
        c->str[i] = malloc((size_t)d->len[i] + 1);
        if (!c->str[i])
            goto fail;
        memcpy(c->str[i], d->str[i], (size_t)d->len[i] + 1);
        c->n = i + 1;
    }
    return c;
fail:
    sx_dict_free(c);
    return NULL;
}

static size_t dict_bytes(const struct sx_dict *d)
{
    size_t b = sizeof *d + (size_t)d->cap * (sizeof *d->str + sizeof *d->len) +
               (size_t)d->nslots * sizeof *d->slots;
    for (uint32_t i = 0; i < d->n; i++)
        b += (size_t)d->len[i] + 1;
    return b;
}

/* ---- columns ---- */

/* Bytes per value slot. */
static size_t type_width(enum sx_type t)
{
    switch (t) {
    case SX_BOOL: return 1;
    case SX_CATEGORY: return 4;
    default: return 8;
    }
}

static void *col_data(const struct sx_column *c)
{
    switch (c->type) {
    case SX_FLOAT: return c->v.f64;
    case SX_INT:
    case SX_DATE: return c->v.i64;
    case SX_BOOL: return c->v.b;
    case SX_CATEGORY: return c->v.cat;
    case SX_TEXT: return c->v.off;
    }
    return NULL;
}

static void col_set_data(struct sx_column *c, void *p)
{
    switch (c->type) {
    case SX_FLOAT: c->v.f64 = p; break;
    case SX_INT:
    case SX_DATE: c->v.i64 = p; break;
    case SX_BOOL: c->v.b = p; break;
    case SX_CATEGORY: c->v.cat = p; break;
    case SX_TEXT: c->v.off = p; break;
    }
}

static inline size_t bit_words(size_t bits)
{
    return (bits + 63) >> 6;
}

static inline void bit_set(uint64_t *w, size_t i)
{
    w[i >> 6] |= (uint64_t)1 << (i & 63);
}

struct sx_column *sx_col_new(const char *name, enum sx_type type)
{
    if ((int)type < 0 || type >= SX_TYPE_COUNT)
        return NULL;
    struct sx_column *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->type = type;
    c->unit = SX_DAYS;
    c->name = strdup(name ? name : "");
    if (!c->name)
        goto fail;
    if (type == SX_CATEGORY && !(c->dict = sx_dict_new()))
        goto fail;
    return c;
fail:
    free(c->name);
    free(c);
    return NULL;
}

/* Free the buffers and the dictionary's entries; C keeps its name and type
 * and becomes an empty column. */
static void col_clear(struct sx_column *c)
{
    free(col_data(c));
    col_set_data(c, NULL);
    free(c->valid);
    c->valid = NULL;
    free(c->text);
    c->text = NULL;
    c->len = c->cap = 0;
    c->text_len = c->text_cap = 0;
    if (c->dict)
        dict_clear(c->dict);
}

void sx_col_free(struct sx_column *c)
{
    if (!c)
        return;
    col_clear(c);
    sx_dict_free(c->dict);
    free(c->name);
    free(c);
}

/* Set the capacity to exactly NCAP cells (NCAP > cap). On failure the
 * column keeps its cells and its capacity. */
static enum sx_status col_grow_to(struct sx_column *c, size_t ncap)
{
    size_t w = type_width(c->type);
    size_t slots = ncap + (c->type == SX_TEXT ? 1 : 0);
    if (ncap >= (SIZE_MAX >> 4) / w)
        return SX_ENOMEM;
    void *old = col_data(c);
    void *p = realloc(old, slots * w);
    if (!p)
        return SX_ENOMEM;
    col_set_data(c, p);
    if (c->type == SX_TEXT && !old)
        c->v.off[0] = 0;
    size_t ow = bit_words(c->cap), nw = bit_words(ncap);
    if (nw > ow) {
        uint64_t *v = realloc(c->valid, nw * sizeof *v);
        if (!v)
            return SX_ENOMEM;
        memset(v + ow, 0, (nw - ow) * sizeof *v);
        c->valid = v;
    }
    c->cap = ncap;
    return SX_OK;
}

/* Room for NEED cells, growing geometrically. */
static inline enum sx_status col_need(struct sx_column *c, size_t need)
{
    if (need <= c->cap)
        return SX_OK;
    size_t ncap = c->cap + c->cap / 2;
    if (ncap < 16)
        ncap = 16;
    if (ncap < need)
        ncap = need;
    return col_grow_to(c, ncap);
}

/* Room for NEED bytes in a TEXT column's arena, growing geometrically. */
static enum sx_status text_need(struct sx_column *c, size_t need)
{
    if (need <= c->text_cap)
        return SX_OK;
    size_t ncap = c->text_cap + c->text_cap / 2;
    if (ncap < 64)
        ncap = 64;
    if (ncap < need)
        ncap = need;
    char *t = realloc(c->text, ncap);
    if (!t)
        return SX_ENOMEM;
    c->text = t;
    c->text_cap = ncap;
    return SX_OK;
}

enum sx_status sx_col_reserve(struct sx_column *c, size_t n)
{
    if (n <= c->cap)
        return SX_OK;
    return col_grow_to(c, n);
}

/* Append N missing cells (room must exist). */
static void col_fill_missing(struct sx_column *c, size_t n)
{
    if (n == 0)
        return;
    if (c->type == SX_TEXT) {
        for (size_t i = 0; i < n; i++)
            c->v.off[c->len + 1 + i] = c->text_len;
    } else {
        size_t w = type_width(c->type);
        memset((char *)col_data(c) + c->len * w, 0, n * w);
    }
    c->len += n;
}

enum sx_status sx_col_push_missing(struct sx_column *c)
{
    if (col_need(c, c->len + 1) != SX_OK)
        return SX_ENOMEM;
    /* Callers that write cells directly may have left this bit set. */
    c->valid[c->len >> 6] &= ~((uint64_t)1 << (c->len & 63));
    col_fill_missing(c, 1);
    return SX_OK;
}

enum sx_status sx_col_push_f64(struct sx_column *c, double v)
{
    if (c->type != SX_FLOAT)
        return SX_EINVAL;
    if (c->len == c->cap && col_need(c, c->len + 1) != SX_OK)
        return SX_ENOMEM;
    c->v.f64[c->len] = v;
    bit_set(c->valid, c->len);
    c->len++;
    return SX_OK;
}

enum sx_status sx_col_push_i64(struct sx_column *c, int64_t v)
{
    if (c->type != SX_INT && c->type != SX_DATE)
        return SX_EINVAL;
    if (c->len == c->cap && col_need(c, c->len + 1) != SX_OK)
        return SX_ENOMEM;
    c->v.i64[c->len] = v;
    bit_set(c->valid, c->len);
    c->len++;
    return SX_OK;
}

enum sx_status sx_col_push_bool(struct sx_column *c, int v)
{
    if (c->type != SX_BOOL)
        return SX_EINVAL;
    if (c->len == c->cap && col_need(c, c->len + 1) != SX_OK)
        return SX_ENOMEM;
    c->v.b[c->len] = v ? 1 : 0;
    bit_set(c->valid, c->len);
    c->len++;
    return SX_OK;
}

enum sx_status sx_col_push_code(struct sx_column *c, uint32_t code)
{
    if (c->type != SX_CATEGORY || code >= c->dict->n)
        return SX_EINVAL;
    if (c->len == c->cap && col_need(c, c->len + 1) != SX_OK)
        return SX_ENOMEM;
    c->v.cat[c->len] = code;
    bit_set(c->valid, c->len);
    c->len++;
    return SX_OK;
}

enum sx_status sx_col_push_str(struct sx_column *c, const char *s, size_t len)
{
    if (c->type == SX_CATEGORY) {
        /* Make room first so a failure leaves the dictionary unchanged. */
        if (c->len == c->cap && col_need(c, c->len + 1) != SX_OK)
            return SX_ENOMEM;
        uint32_t code = sx_dict_intern(c->dict, s, len);
        if (code == UINT32_MAX)
            return SX_ENOMEM;
        c->v.cat[c->len] = code;
        bit_set(c->valid, c->len);
        c->len++;
        return SX_OK;
    }
    if (c->type != SX_TEXT)
        return SX_EINVAL;
    if (len > SIZE_MAX - c->text_len - 1)
        return SX_ENOMEM;
    if (col_need(c, c->len + 1) != SX_OK || text_need(c, c->text_len + len + 1) != SX_OK)
        return SX_ENOMEM;
    if (len)
        memcpy(c->text + c->text_len, s, len);
    c->text[c->text_len + len] = '\0';
    c->text_len += len + 1;
    c->v.off[c->len + 1] = c->text_len;
    bit_set(c->valid, c->len);
    c->len++;
    return SX_OK;
}

const char *sx_col_str(const struct sx_column *c, size_t i)
{
    if (i >= c->len || !sx_col_valid(c, i))
        return NULL;
    if (c->type == SX_CATEGORY)
        return c->dict->str[c->v.cat[i]];
    if (c->type == SX_TEXT)
        return c->text + c->v.off[i];
    return NULL;
}

double sx_col_num(const struct sx_column *c, size_t i)
{
    if (i >= c->len || !sx_col_valid(c, i))
        return NAN;
    switch (c->type) {
    case SX_FLOAT: return c->v.f64[i];
    case SX_INT:
    case SX_DATE: return (double)c->v.i64[i];
    case SX_BOOL: return c->v.b[i];
    default: return NAN;
    }
}

/* Copy LEN bytes of S into BUF (SIZE > 0), truncating to SIZE - 1 bytes
 * without splitting a UTF-8 sequence. */
static size_t copy_trunc(char *buf, size_t size, const char *s, size_t len)
{
    size_t n = len;
    if (n >= size) {
        n = size - 1;
        /* s[n] is the first byte left out: while it continues a sequence,
         * the sequence it belongs to started inside the kept part. */
        size_t back = 0;
        while (back < 3 && n - back > 0 && ((unsigned char)s[n - back] & 0xC0) == 0x80)
            back++;
        if (((unsigned char)s[n - back] & 0xC0) != 0x80)
            n -= back;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
}

size_t sx_col_format(const struct sx_column *c, size_t i, char *buf, size_t size)
{
    char tmp[40];
    size_t n;
    if (size == 0)
        return 0;
    if (i >= c->len || !sx_col_valid(c, i)) {
        buf[0] = '\0';
        return 0;
    }
    switch (c->type) {
    case SX_FLOAT:
        n = sx_num_format_double(c->v.f64[i], tmp);
        return copy_trunc(buf, size, tmp, n);
    case SX_INT:
        n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)c->v.i64[i]);
        return copy_trunc(buf, size, tmp, n);
    case SX_BOOL:
        return copy_trunc(buf, size, c->v.b[i] ? "true" : "false", c->v.b[i] ? 4 : 5);
    case SX_DATE:
        n = c->unit == SX_SECONDS ? sx_datetime_format(c->v.i64[i], tmp)
                                  : sx_date_format(c->v.i64[i], tmp);
        return copy_trunc(buf, size, tmp, n);
    case SX_CATEGORY: {
        uint32_t code = c->v.cat[i];
        return copy_trunc(buf, size, c->dict->str[code], c->dict->len[code]);
    }
    case SX_TEXT:
        return copy_trunc(buf, size, c->text + c->v.off[i],
                          (size_t)(c->v.off[i + 1] - c->v.off[i] - 1));
    }
    buf[0] = '\0';
    return 0;
}

size_t sx_col_bytes(const struct sx_column *c)
{
    if (!c)
        return 0;
    size_t b = sizeof *c + strlen(c->name) + 1;
    if (col_data(c))
        b += (c->cap + (c->type == SX_TEXT ? 1 : 0)) * type_width(c->type);
    if (c->valid)
        b += bit_words(c->cap) * sizeof *c->valid;
    b += c->text_cap;
    if (c->dict)
        b += dict_bytes(c->dict);
    return b;
}

/* ---- bitmaps ---- */

/* Copy N bits of SRC starting at bit FROM (SRC holds SRC_BITS bits) into
 * DST starting at bit AT. DST's bits at and past AT must be zero and DST
 * must hold AT + N bits. Bits of SRC past FROM + N are ignored. */
static void bits_copy(uint64_t *dst, size_t at, const uint64_t *src, size_t src_bits,
                      size_t from, size_t n)
{
    if (n == 0)
        return;
    size_t nw = bit_words(n), sw = bit_words(src_bits), dw = bit_words(at + n);
    size_t fw = from >> 6, fs = from & 63;
    size_t aw = at >> 6, as = at & 63;
    uint64_t last_mask = (n & 63) ? (((uint64_t)1 << (n & 63)) - 1) : ~(uint64_t)0;
    for (size_t k = 0; k < nw; k++) {
        /* The k-th 64 bits of the range. */
        uint64_t s = src[fw + k] >> fs;
        if (fs && fw + k + 1 < sw)
            s |= src[fw + k + 1] << (64 - fs);
        if (k == nw - 1)
            s &= last_mask;
        if (as == 0) {
            dst[aw + k] = s;
        } else {
            dst[aw + k] |= s << as;
            if (aw + k + 1 < dw)
                dst[aw + k + 1] = s >> (64 - as);
        }
    }
}

/* ---- frames ---- */

struct sx_frame *sx_frame_new(void)
{
    return calloc(1, sizeof(struct sx_frame));
}

void sx_frame_free(struct sx_frame *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ncols; i++)
        sx_col_free(f->cols[i]);
    free(f->cols);
    free(f);
}

static int frame_room(struct sx_frame *f, size_t need)
{
    if (need <= f->cap)
        return 0;
    size_t ncap = f->cap ? f->cap * 2 : 8;
    if (ncap < need)
        ncap = need;
    struct sx_column **cols = realloc(f->cols, ncap * sizeof *cols);
    if (!cols)
        return -1;
    f->cols = cols;
    f->cap = ncap;
    return 0;
}

long sx_frame_find(const struct sx_frame *f, const char *name)
{
    for (size_t i = 0; i < f->ncols; i++)
        if (strcmp(f->cols[i]->name, name) == 0)
            return (long)i;
    return -1;
}

static enum sx_status check_name(const struct sx_frame *f, const char *name,
                                 struct sx_err *err)
{
    if (!name || !*name)
        return sx_err_set(err, SX_EINVAL, "empty column name");
    if (sx_frame_find(f, name) >= 0)
        return sx_err_set(err, SX_EEXIST, "duplicate column name '%s'", name);
    return SX_OK;
}

struct sx_column *sx_frame_add(struct sx_frame *f, const char *name,
                               enum sx_type type, struct sx_err *err)
{
    if (check_name(f, name, err) != SX_OK)
        return NULL;
    if ((int)type < 0 || type >= SX_TYPE_COUNT) {
        sx_err_set(err, SX_EINVAL, "column '%s': invalid type %d", name, (int)type);
        return NULL;
    }
    struct sx_column *c = sx_col_new(name, type);
    if (!c || frame_room(f, f->ncols + 1) != 0 ||
        (f->nrows && sx_col_reserve(c, f->nrows) != SX_OK)) {
        sx_col_free(c);
        sx_err_set(err, SX_ENOMEM, "column '%s': out of memory", name);
        return NULL;
    }
    col_fill_missing(c, f->nrows);
    f->cols[f->ncols++] = c;
    return c;
}

enum sx_status sx_frame_adopt(struct sx_frame *f, struct sx_column *c, struct sx_err *err)
{
    if (!c)
        return sx_err_set(err, SX_EINVAL, "no column to adopt");
    enum sx_status rc = check_name(f, c->name, err);
    if (rc != SX_OK)
        return rc;
    if (f->ncols > 0 && c->len != f->nrows)
        return sx_err_set(err, SX_EINVAL, "column '%s' has %zu rows, the frame %zu",
                          c->name, c->len, f->nrows);
    if (frame_room(f, f->ncols + 1) != 0)
        return sx_err_set(err, SX_ENOMEM, "column '%s': out of memory", c->name);
    if (f->ncols == 0)
        f->nrows = c->len;
    f->cols[f->ncols++] = c;
    return SX_OK;
}

enum sx_status sx_frame_sync(struct sx_frame *f, struct sx_err *err)
{
    if (f->ncols == 0)
        return SX_OK;
    size_t n = f->cols[0]->len;
    for (size_t i = 1; i < f->ncols; i++)
        if (f->cols[i]->len != n)
            return sx_err_set(err, SX_EINVAL,
                              "column '%s' has %zu rows but column '%s' has %zu",
                              f->cols[i]->name, f->cols[i]->len, f->cols[0]->name, n);
    f->nrows = n;
    return SX_OK;
}

size_t sx_frame_bytes(const struct sx_frame *f)
{
    size_t b = sizeof *f + f->cap * sizeof *f->cols;
    for (size_t i = 0; i < f->ncols; i++)
        b += sx_col_bytes(f->cols[i]);
    return b;
}

/* ---- append ---- */

static enum sx_status check_same_schema(const struct sx_frame *dst,
                                        const struct sx_frame *src, struct sx_err *err)
{
    if (dst->ncols != src->ncols)
        return sx_err_set(err, SX_EINVAL, "cannot append: %zu columns onto %zu",
                          src->ncols, dst->ncols);
    for (size_t j = 0; j < dst->ncols; j++) {
        const struct sx_column *d = dst->cols[j], *s = src->cols[j];
        if (strcmp(d->name, s->name) != 0)
            return sx_err_set(err, SX_EINVAL, "cannot append: column %zu is '%s', not '%s'",
                              j + 1, s->name, d->name);
        if (d->type != s->type)
            return sx_err_set(err, SX_EINVAL, "cannot append: column '%s' is %s, not %s",
                              d->name, sx_type_name(s->type), sx_type_name(d->type));
        if (d->type == SX_DATE && d->unit != s->unit)
            return sx_err_set(err, SX_EINVAL,
                              "cannot append: column '%s' mixes dates and timestamps",
                              d->name);
    }
    for (size_t j = 0; j < dst->ncols; j++) {
        if (dst->cols[j]->len != dst->nrows || src->cols[j]->len != src->nrows)
            return sx_err_set(err, SX_EINVAL,
                              "cannot append: column '%s' is out of sync with its frame",
                              dst->cols[j]->name);
    }
    return SX_OK;
}

/* Append every row of column S to column D (capacity reserved); MAP remaps
 * category codes. */
static void col_append_rows(struct sx_column *d, const struct sx_column *s, const uint32_t *map)
{
    size_t dn = d->len, n = s->len;
    size_t w = type_width(d->type);
    if (n == 0)
        return;
    switch (d->type) {
    case SX_FLOAT:
    case SX_INT:
    case SX_DATE:
    case SX_BOOL:
        memcpy((char *)col_data(d) + dn * w, col_data(s), n * w);
        break;
    case SX_CATEGORY:
        for (size_t i = 0; i < n; i++)
            d->v.cat[dn + i] = sx_col_valid(s, i) ? map[s->v.cat[i]] : 0;
        break;
    case SX_TEXT: {
        uint64_t base = d->text_len;
        for (size_t i = 0; i < n; i++)
            d->v.off[dn + 1 + i] = base + s->v.off[i + 1];
        if (s->text_len)
            memcpy(d->text + base, s->text, s->text_len);
        d->text_len += s->text_len;
        break;
    }
    }
    bits_copy(d->valid, dn, s->valid, n, 0, n);
    d->len = dn + n;
}

static struct sx_frame *frame_range(const struct sx_frame *f, size_t start, size_t n,
                                    struct sx_err *err);

static enum sx_status frame_append(struct sx_frame *dst, struct sx_frame *src, int move,
                                   struct sx_err *err)
{
    if (dst == src) {
        if (move)
            return sx_err_set(err, SX_EINVAL, "cannot move a frame into itself");
        struct sx_frame *copy = frame_range(src, 0, src->nrows, err);
        if (!copy)
            return err ? err->code : SX_ENOMEM;
        enum sx_status rc = frame_append(dst, copy, 1, err);
        sx_frame_free(copy);
        return rc;
    }
    enum sx_status rc = check_same_schema(dst, src, err);
    if (rc != SX_OK)
        return rc;
    size_t dn = dst->nrows, n = src->nrows, nc = dst->ncols;
    if (n > SIZE_MAX / 16 - dn)
        return sx_err_set(err, SX_ENOMEM, "cannot append: too many rows");
    if (nc == 0) {
        dst->nrows = dn + n;
        if (move)
            src->nrows = 0;
        return SX_OK;
    }
    uint32_t **maps = calloc(nc, sizeof *maps);
    uint32_t *oldn = calloc(nc, sizeof *oldn);
    size_t ncat = 0;
    if (!maps || !oldn)
        goto nomem;
    /* 1. Everything that can fail before anything changes: remap tables
     * and capacity (extra capacity is not a visible change). */
    for (size_t j = 0; j < nc; j++) {
        struct sx_column *d = dst->cols[j], *s = src->cols[j];
        if (d->type == SX_CATEGORY) {
            oldn[j] = d->dict->n;
            maps[j] = malloc(((size_t)s->dict->n + 1) * sizeof **maps);
            if (!maps[j])
                goto nomem;
            memset(maps[j], 0xff, ((size_t)s->dict->n + 1) * sizeof **maps);
        }
        if (n && col_need(d, dn + n) != SX_OK)
            goto nomem;
        if (d->type == SX_TEXT && text_need(d, d->text_len + s->text_len) != SX_OK)
            goto nomem;
    }
    /* 2. Intern SRC's categories into DST in SRC's row order (so DST's
     * dictionary stays in first-seen order); undo on failure. */
    for (size_t j = 0; j < nc; j++) {
        struct sx_column *d = dst->cols[j], *s = src->cols[j];
        if (d->type != SX_CATEGORY)
            continue;
        ncat = j + 1;
        uint32_t *map = maps[j], left = s->dict->n;
        for (size_t i = 0; i < n && left; i++) {
            if (!sx_col_valid(s, i))
                continue;
            uint32_t code = s->v.cat[i];
            if (map[code] != UINT32_MAX)
                continue;
            map[code] = sx_dict_intern(d->dict, s->dict->str[code], s->dict->len[code]);
            if (map[code] == UINT32_MAX)
                goto nomem;
            left--;
        }
    }
    /* 3. Copy; nothing fails from here on. */
    for (size_t j = 0; j < nc; j++) {
        col_append_rows(dst->cols[j], src->cols[j], maps[j]);
        if (move)
            col_clear(src->cols[j]);
    }
    dst->nrows = dn + n;
    if (move)
        src->nrows = 0;
    for (size_t j = 0; j < nc; j++)
        free(maps[j]);
    free(maps);
    free(oldn);
    return SX_OK;
nomem:
    for (size_t j = 0; j < ncat; j++)
        if (dst->cols[j]->type == SX_CATEGORY)
            dict_truncate(dst->cols[j]->dict, oldn[j]);
    if (maps)
        for (size_t j = 0; j < nc; j++)
            free(maps[j]);
    free(maps);
    free(oldn);
    return sx_err_set(err, SX_ENOMEM, "cannot append: out of memory");
}

enum sx_status sx_frame_append(struct sx_frame *dst, const struct sx_frame *src,
                               struct sx_err *err)
{
    /* Not moving: SRC is only read. */
    return frame_append(dst, (struct sx_frame *)src, 0, err);
}

enum sx_status sx_frame_append_move(struct sx_frame *dst, struct sx_frame *src,
                                    struct sx_err *err)
{
    return frame_append(dst, src, 1, err);
}

/* ---- new frames from old: slice, select, take, filter ---- */

/* An empty column like S (name, type, unit, a copy of the dictionary) with
 * room for N cells and TEXT_BYTES bytes of text. */
static struct sx_column *col_like(const struct sx_column *s, size_t n, size_t text_bytes)
{
    struct sx_column *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->type = s->type;
    c->unit = s->unit;
    if (!(c->name = strdup(s->name)))
        goto fail;
    if (s->type == SX_CATEGORY && !(c->dict = dict_clone(s->dict)))
        goto fail;
    if (col_grow_to(c, n ? n : 1) != SX_OK)
        goto fail;
    if (text_bytes && text_need(c, text_bytes) != SX_OK)
        goto fail;
    return c;
fail:
    sx_col_free(c);
    return NULL;
}

/* Rows START .. START+N-1 of S as a new column. */
static struct sx_column *col_range(const struct sx_column *s, size_t start, size_t n)
{
    size_t tb = s->type == SX_TEXT && n ? s->v.off[start + n] - s->v.off[start] : 0;
    struct sx_column *c = col_like(s, n, tb);
    if (!c || n == 0)
        return c;
    size_t w = type_width(s->type);
    if (s->type == SX_TEXT) {
        uint64_t base = s->v.off[start];
        for (size_t i = 0; i < n; i++)
            c->v.off[i + 1] = s->v.off[start + i + 1] - base;
        if (tb)
            memcpy(c->text, s->text + base, tb);
        c->text_len = tb;
    } else {
        memcpy(col_data(c), (const char *)col_data(s) + start * w, n * w);
    }
    bits_copy(c->valid, 0, s->valid, s->len, start, n);
    c->len = n;
    return c;
}

/* Rows ROWS[0..N-1] of S (in range) as a new column. */
static struct sx_column *col_gather(const struct sx_column *s, const size_t *rows, size_t n)
{
    size_t tb = 0;
    if (s->type == SX_TEXT)
        for (size_t i = 0; i < n; i++)
            tb += s->v.off[rows[i] + 1] - s->v.off[rows[i]];
    struct sx_column *c = col_like(s, n, tb);
    if (!c || n == 0)
        return c;
    switch (s->type) {
    case SX_FLOAT:
        for (size_t i = 0; i < n; i++)
            c->v.f64[i] = s->v.f64[rows[i]];
        break;
    case SX_INT:
    case SX_DATE:
        for (size_t i = 0; i < n; i++)
            c->v.i64[i] = s->v.i64[rows[i]];
        break;
    case SX_BOOL:
        for (size_t i = 0; i < n; i++)
            c->v.b[i] = s->v.b[rows[i]];
        break;
    case SX_CATEGORY:
        for (size_t i = 0; i < n; i++)
            c->v.cat[i] = s->v.cat[rows[i]];
        break;
    case SX_TEXT: {
        uint64_t at = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t a = s->v.off[rows[i]], b = s->v.off[rows[i] + 1];
            if (b > a) {
                memcpy(c->text + at, s->text + a, b - a);
                at += b - a;
            }
            c->v.off[i + 1] = at;
        }
        c->text_len = at;
        break;
    }
    }
    uint64_t word = 0;
    for (size_t i = 0; i < n; i++) {
        word |= (uint64_t)sx_col_valid(s, rows[i]) << (i & 63);
        if ((i & 63) == 63) {
            c->valid[i >> 6] = word;
            word = 0;
        }
    }
    if (n & 63)
        c->valid[n >> 6] = word;
    c->len = n;
    return c;
}

enum build_kind { BUILD_RANGE, BUILD_GATHER };

/* A new frame of N rows from the columns COLS[0..NC-1] of F (NULL: all, in
 * order): rows START.. (BUILD_RANGE) or ROWS[0..N-1] (BUILD_GATHER). */
static struct sx_frame *frame_build(const struct sx_frame *f, const size_t *cols, size_t nc,
                                    enum build_kind kind, size_t start, const size_t *rows,
                                    size_t n, struct sx_err *err)
{
    struct sx_frame *out = sx_frame_new();
    if (!out || frame_room(out, nc ? nc : 1) != 0)
        goto nomem;
    for (size_t j = 0; j < nc; j++) {
        const struct sx_column *s = f->cols[cols ? cols[j] : j];
        struct sx_column *c = kind == BUILD_RANGE ? col_range(s, start, n)
                                                  : col_gather(s, rows, n);
        if (!c)
            goto nomem;
        out->cols[out->ncols++] = c;
    }
    out->nrows = n;
    return out;
nomem:
    sx_frame_free(out);
    sx_err_set(err, SX_ENOMEM, "out of memory copying %zu rows", n);
    return NULL;
}

static struct sx_frame *frame_range(const struct sx_frame *f, size_t start, size_t n,
                                    struct sx_err *err)
{
    return frame_build(f, NULL, f->ncols, BUILD_RANGE, start, NULL, n, err);
}

struct sx_frame *sx_frame_slice(const struct sx_frame *f, size_t start, size_t n,
                                struct sx_err *err)
{
    if (start > f->nrows)
        start = f->nrows;
    if (n > f->nrows - start)
        n = f->nrows - start;
    return frame_range(f, start, n, err);
}

struct sx_frame *sx_frame_select(const struct sx_frame *f, const size_t *cols, size_t n,
                                 struct sx_err *err)
{
    for (size_t j = 0; j < n; j++) {
        if (cols[j] >= f->ncols) {
            sx_err_set(err, SX_EINVAL, "column index %zu out of range (%zu columns)",
                       cols[j], f->ncols);
            return NULL;
        }
        for (size_t k = 0; k < j; k++)
            if (cols[k] == cols[j]) {
                sx_err_set(err, SX_EINVAL, "column '%s' selected twice",
                           f->cols[cols[j]]->name);
                return NULL;
            }
    }
    return frame_build(f, cols, n, BUILD_RANGE, 0, NULL, f->nrows, err);
}

struct sx_frame *sx_frame_take(const struct sx_frame *f, const size_t *rows, size_t n,
                               struct sx_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= f->nrows) {
            sx_err_set(err, SX_EINVAL, "row index %zu out of range (%zu rows)", rows[i],
                       f->nrows);
            return NULL;
        }
    return frame_build(f, NULL, f->ncols, BUILD_GATHER, 0, rows, n, err);
}

struct sx_frame *sx_frame_filter(const struct sx_frame *f, const uint8_t *mask,
                                 struct sx_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nrows; i++)
        n += mask[i] != 0;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows) {
        sx_err_set(err, SX_ENOMEM, "out of memory filtering %zu rows", f->nrows);
        return NULL;
    }
    for (size_t i = 0, k = 0; i < f->nrows; i++)
        if (mask[i])
            rows[k++] = i;
    struct sx_frame *out = frame_build(f, NULL, f->ncols, BUILD_GATHER, 0, rows, n, err);
    free(rows);
    return out;
}

/* ---- sort ----
 *
 * Keys are applied last to first, each as a stable sort of the current
 * order, so the result is the stable sort by all keys. A key is encoded as
 * one uint64 per row whose order agrees with the key's order, and a stable
 * LSD radix sort (skipping constant bytes) orders rows by it. Where the
 * encoding ties values the key tells apart, that is fixed in place: text
 * (only its first 8 bytes are encoded) by merge-sorting each run of equal
 * encodings, ints and dates (the extreme value shares its code with
 * missing) by a stable partition of that last run. Small frames are merge
 * sorted by the full comparison directly. */

struct prep_key {
    const struct sx_column *c;
    uint32_t *rank;   /* CATEGORY: rank[code] in strcmp order */
    int desc;
};

static int cmp_code_str(const void *a, const void *b, void *ctx)
{
    const char *const *str = ctx;
    return strcmp(str[*(const uint32_t *)a], str[*(const uint32_t *)b]);
}

/* Rank of every code of D in strcmp order (equal strings share a rank). */
static uint32_t *dict_ranks(const struct sx_dict *d)
{
    size_t n = d->n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
    if (!order || !rank) {
        free(order);
        free(rank);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_code_str, d->str);
    uint32_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(d->str[order[i]], d->str[order[i - 1]]) != 0)
            r++;
        rank[order[i]] = r;
    }
    free(order);
    return rank;
}

static inline int cmp3(double a, double b)
{
    return (a > b) - (a < b);
}

static int cmp_rows(const struct prep_key *k, size_t nk, size_t i, size_t j)
{
    for (size_t q = 0; q < nk; q++) {
        const struct sx_column *c = k[q].c;
        int vi = sx_col_valid(c, i), vj = sx_col_valid(c, j);
        if (!vi || !vj) {
            if (vi != vj)
                return vi ? -1 : 1;   /* missing last in either direction */
            continue;
        }
        int r = 0;
        switch (c->type) {
        case SX_FLOAT: {
            double a = c->v.f64[i], b = c->v.f64[j];
            int an = isnan(a), bn = isnan(b);
            if (an || bn) {
                if (an != bn)
                    return an ? 1 : -1;   /* NaN after numbers, either direction */
                continue;
            }
            r = cmp3(a, b);
            break;
        }
        case SX_INT:
        case SX_DATE: {
            int64_t a = c->v.i64[i], b = c->v.i64[j];
            r = (a > b) - (a < b);
            break;
        }
        case SX_BOOL:
            r = (int)c->v.b[i] - (int)c->v.b[j];
            break;
        case SX_CATEGORY: {
            uint32_t a = k[q].rank[c->v.cat[i]], b = k[q].rank[c->v.cat[j]];
            r = (a > b) - (a < b);
            break;
        }
        case SX_TEXT:
            r = strcmp(c->text + c->v.off[i], c->text + c->v.off[j]);
            r = (r > 0) - (r < 0);
            break;
        }
        if (r)
            return k[q].desc ? -r : r;
    }
    return 0;
}

static void msort(size_t *a, size_t *tmp, size_t n, const struct prep_key *k, size_t nk)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            size_t x = a[i], j = i;
            while (j > 0 && cmp_rows(k, nk, a[j - 1], x) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    msort(a, tmp, h, k, nk);
    msort(a + h, tmp, n - h, k, nk);
    if (cmp_rows(k, nk, a[h - 1], a[h]) <= 0)
        return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        a[o++] = cmp_rows(k, nk, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
    while (i < h)
        a[o++] = tmp[i++];
}

/* Order-preserving encoding of a present float: -0.0 and 0.0 agree. */
static inline uint64_t enc_f64(double v)
{
    uint64_t u;
    if (v == 0)
        v = 0;
    memcpy(&u, &v, 8);
    return (u >> 63) ? ~u : (u | ((uint64_t)1 << 63));
}

#define ENC_MISSING UINT64_MAX
#define ENC_NAN (UINT64_MAX - 1)

/* KEY[i] = the encoding of row ORDER[i] for key K: missing cells last,
 * NaN just before them. One-to-one for floats (-0.0 and 0.0 agree), bools
 * and categories; ints and dates share ENC_MISSING with one extreme value;
 * text keeps its first 8 bytes. */
static void encode_key(const struct prep_key *k, const size_t *order, uint64_t *key, size_t n)
{
    const struct sx_column *c = k->c;
    for (size_t p = 0; p < n; p++) {
        size_t i = order[p];
        if (!sx_col_valid(c, i)) {
            key[p] = ENC_MISSING;
            continue;
        }
        uint64_t u = 0;
        switch (c->type) {
        case SX_FLOAT:
            if (isnan(c->v.f64[i])) {
                key[p] = ENC_NAN;
                continue;
            }
            u = enc_f64(c->v.f64[i]);
            break;
        case SX_INT:
        case SX_DATE:
            u = (uint64_t)c->v.i64[i] ^ ((uint64_t)1 << 63);
            break;
        case SX_BOOL:
            u = c->v.b[i];
            break;
        case SX_CATEGORY:
            u = k->rank[c->v.cat[i]];
            break;
        case SX_TEXT: {
            const unsigned char *s = (const unsigned char *)c->text + c->v.off[i];
            size_t len = strnlen((const char *)s, 8);
            for (size_t b = 0; b < 8; b++)
                u = (u << 8) | (b < len ? s[b] : 0);
            break;
        }
        }
        if (k->desc) {
            /* Reverse the order without reaching ENC_MISSING where the
             * encoding is one-to-one (floats never encode to 0). */
            if (c->type == SX_BOOL)
                u = 1 - u;
            else if (c->type == SX_CATEGORY)
                u = UINT32_MAX - u;
            else
                u = ~u;
        }
        key[p] = u;
    }
}

/* Stable LSD radix sort of (KEY, IDX) pairs; the result ends in *KEY and
 * *IDX (the buffers may be swapped with KEY2 / IDX2). */
static void radix_sort(uint64_t **key, size_t **idx, uint64_t **key2, size_t **idx2, size_t n)
{
    enum { nb = 8 };
    size_t count[nb][256];
    memset(count, 0, sizeof count);
    const uint64_t *k = *key;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = k[i];
        for (size_t b = 0; b < nb; b++)
            count[b][(v >> (8 * b)) & 0xff]++;
    }
    for (size_t b = 0; b < nb; b++) {
        size_t *cnt = count[b];
        int trivial = 0;
        for (int x = 0; x < 256; x++)
            if (cnt[x] == n) {
                trivial = 1;
                break;
            }
        if (trivial)
            continue;
        size_t sum = 0;
        for (int x = 0; x < 256; x++) {
            size_t t = cnt[x];
            cnt[x] = sum;
            sum += t;
        }
        uint64_t *ks = *key, *kd = *key2;
        size_t *is = *idx, *id = *idx2;
        unsigned sh = (unsigned)(8 * b);
        for (size_t i = 0; i < n; i++) {
            size_t p = cnt[(ks[i] >> sh) & 0xff]++;
            kd[p] = ks[i];
            id[p] = is[i];
        }
        *key = kd;
        *key2 = ks;
        *idx = id;
        *idx2 = is;
    }
}

/* Stable sort of ORDER[0..N-1] by key K alone (TMP, KA and KB hold N
 * entries; the buffers may be swapped). */
static void sort_by_key(const struct prep_key *k, size_t **order, size_t **tmp,
                        uint64_t **ka, uint64_t **kb, size_t n)
{
    encode_key(k, *order, *ka, n);
    radix_sort(ka, order, kb, tmp, n);
    size_t *o = *order;
    const uint64_t *key = *ka;
    enum sx_type t = k->c->type;
    if (t == SX_TEXT) {
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && key[j] == key[i])
                j++;
            if (j - i > 1)
                msort(o + i, *tmp, j - i, k, 1);
            i = j;
        }
    } else if (t == SX_INT || t == SX_DATE) {
        /* The last run may mix the extreme value (present) with missing
         * cells: present first, each side in its current order. */
        size_t i = n;
        while (i > 0 && key[i - 1] == ENC_MISSING)
            i--;
        size_t np = 0, nm = 0;
        size_t *miss = *tmp;
        for (size_t p = i; p < n; p++) {
            if (sx_col_valid(k->c, o[p]))
                o[i + np++] = o[p];
            else
                miss[nm++] = o[p];
        }
        memcpy(o + i + np, miss, nm * sizeof *o);
    }
}

size_t *sx_frame_sort_index(const struct sx_frame *f, const struct sx_sort_key *keys,
                            size_t nkeys, struct sx_err *err)
{
    size_t n = f->nrows;
    struct prep_key *pk = NULL;
    size_t *a = NULL, *b = NULL;
    uint64_t *ka = NULL, *kb = NULL;
    for (size_t q = 0; q < nkeys; q++)
        if (keys[q].col >= f->ncols) {
            sx_err_set(err, SX_EINVAL, "sort key column %zu out of range (%zu columns)",
                       keys[q].col, f->ncols);
            return NULL;
        }
    a = malloc((n ? n : 1) * sizeof *a);
    pk = calloc(nkeys ? nkeys : 1, sizeof *pk);
    if (!a || !pk)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    for (size_t q = 0; q < nkeys; q++) {
        pk[q].c = f->cols[keys[q].col];
        pk[q].desc = keys[q].descending != 0;
        if (pk[q].c->type == SX_CATEGORY && !(pk[q].rank = dict_ranks(pk[q].c->dict)))
            goto nomem;
    }
    if (nkeys == 0 || n < 2)
        goto done;
    b = malloc(n * sizeof *b);
    if (!b)
        goto nomem;
    if (n < 64) {
        msort(a, b, n, pk, nkeys);
        goto done;
    }
    ka = malloc(n * sizeof *ka);
    kb = malloc(n * sizeof *kb);
    if (!ka || !kb)
        goto nomem;
    for (size_t q = nkeys; q-- > 0;)
        sort_by_key(&pk[q], &a, &b, &ka, &kb, n);
done:
    for (size_t q = 0; q < nkeys; q++)
        free(pk[q].rank);
    free(pk);
    free(b);
    free(ka);
    free(kb);
    return a;
nomem:
    if (pk)
        for (size_t q = 0; q < nkeys; q++)
            free(pk[q].rank);
    free(pk);
    free(a);
    free(b);
    free(ka);
    free(kb);
    sx_err_set(err, SX_ENOMEM, "out of memory sorting %zu rows", n);
    return NULL;
}

struct sx_frame *sx_frame_sort(const struct sx_frame *f, const struct sx_sort_key *keys,
                               size_t nkeys, struct sx_err *err)
{
    size_t *order = sx_frame_sort_index(f, keys, nkeys, err);
    if (!order)
        return NULL;
    struct sx_frame *out = frame_build(f, NULL, f->ncols, BUILD_GATHER, 0, order, f->nrows, err);
    free(order);
    return out;
}
