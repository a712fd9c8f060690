/* cli/text.c: untrusted text (column names, cells, file names) made inert
 * for a terminal, display widths in columns, and the aligned tables the
 * text output of datasets, describe and cat is printed with.
 *
 * Inert means: no byte that a terminal interprets. C0 controls and DEL
 * become \xNN (\n, \r, \t as such), C1 controls, bidirectional overrides
 * and the Unicode line separators become \uNNNN, and bytes that are not
 * valid UTF-8 become \xNN. Everything else is passed through unchanged. */
#include "cli.h"

#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void cli_text_locale(void)
{
    /* Only the character type: numbers keep the C locale's '.' */
    if (!setlocale(LC_CTYPE, "") || MB_CUR_MAX == 1)
        setlocale(LC_CTYPE, "C.UTF-8");
}

/* Decode one UTF-8 character at S (N bytes available). Returns its length
 * and sets *CP, or 0 when the bytes are not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((s[0] & 0xe0) == 0xc0) { len = 2; v = s[0] & 0x1f; min = 0x80; }
    else if ((s[0] & 0xf0) == 0xe0) { len = 3; v = s[0] & 0x0f; min = 0x800; }
    else if ((s[0] & 0xf8) == 0xf0) { len = 4; v = s[0] & 0x07; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static int dangerous(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f)          /* C1 controls (CSI is 0x9b) */
        || (cp >= 0x200e && cp <= 0x200f)      /* LRM, RLM */
        || (cp >= 0x2028 && cp <= 0x202e)      /* line/paragraph separators, bidi embeddings */
        || (cp >= 0x2066 && cp <= 0x2069)      /* bidi isolates */
        || cp == 0xfeff;                       /* zero-width no-break space / BOM */
}

struct sbuf {
    char *p;
    size_t n, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 64;
        b->p = cli_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

char *cli_inert(const char *s)
{
    struct sbuf b = {0};
    sb_put(&b, "", 0);
    if (!s)
        return b.p;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(u + i, n - i, &cp);
        char esc[16];
        if (len == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", u[i]);
            sb_put(&b, esc, strlen(esc));
            i++;
            continue;
        }
        if (cp == '\n') sb_put(&b, "\\n", 2);
        else if (cp == '\r') sb_put(&b, "\\r", 2);
        else if (cp == '\t') sb_put(&b, "\\t", 2);
        else if (cp < 0x20 || cp == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02X", cp);
            sb_put(&b, esc, strlen(esc));
        } else if (dangerous(cp)) {
            snprintf(esc, sizeof esc, "\\u%04X", cp);
            sb_put(&b, esc, strlen(esc));
        } else
            sb_put(&b, s + i, len);
        i += len;
    }
    return b.p;
}

static size_t cp_width(uint32_t cp)
{
    if (cp < 0x80)
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : (size_t)w;
}

/* The longest prefix of S that is at most BUDGET columns wide, in bytes
 * (never splitting a character); *WIDTH receives its width. A byte that is
 * not valid UTF-8 counts as one column. */
static size_t prefix_within(const char *s, size_t budget, size_t *width)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, w = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(u + i, n - i, &cp);
        if (len == 0) {
            len = 1;
            cp = '?';
        }
        size_t cw = cp_width(cp);
        if (w + cw > budget)
            break;
        w += cw;
        i += len;
    }
    *width = w;
    return i;
}

size_t cli_width(const char *s)
{
    size_t w;
    prefix_within(s, SIZE_MAX, &w);
    return w;
}

char *cli_fit(const char *s, size_t maxw)
{
    if (maxw == 0 || cli_width(s) <= maxw)
        return cli_xstrdup(s);
    int utf8 = MB_CUR_MAX > 1;
    const char *ell = utf8 ? "\xe2\x80\xa6" : "~";   /* … */
    size_t w, i = prefix_within(s, maxw > 1 ? maxw - 1 : 0, &w);
    struct sbuf b = {0};
    sb_put(&b, s, i);
    sb_put(&b, ell, strlen(ell));
    return b.p;
}

const char *cli_size(uint64_t bytes, char *buf)
{
    static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1000.0 && u < 4) {
        v /= 1000.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%llu B", (unsigned long long)bytes);
    else
        snprintf(buf, 32, "%.1f %s", v, unit[u]);
    return buf;
}

/* ---- tables ---- */

void cli_table_init(struct cli_table *t, size_t ncols, size_t maxw)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->maxw = maxw;
    t->right = cli_xmalloc(ncols);
    memset(t->right, 0, ncols);
}

void cli_table_right(struct cli_table *t, size_t col)
{
    if (col < t->ncols)
        t->right[col] = 1;
}

void cli_table_add(struct cli_table *t, const char *raw)
{
    char *safe = cli_inert(raw);
    char *fit = cli_fit(safe, t->maxw);
    free(safe);
    if (t->ncells == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->cells = cli_xrealloc(t->cells, t->cap * sizeof *t->cells);
    }
    t->cells[t->ncells++] = fit;
}

void cli_table_addf(struct cli_table *t, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_table_add(t, buf);
}

void cli_table_print(const struct cli_table *t, FILE *fp)
{
    if (t->ncols == 0)
        return;
    size_t nrows = t->ncells / t->ncols;
    size_t *w = cli_xmalloc(t->ncols * sizeof *w);
    size_t *cw = cli_xmalloc(t->ncells * sizeof *cw + 1);
    for (size_t c = 0; c < t->ncols; c++)
        w[c] = 0;
    for (size_t i = 0; i < nrows * t->ncols; i++) {
        cw[i] = cli_width(t->cells[i]);
        if (cw[i] > w[i % t->ncols])
            w[i % t->ncols] = cw[i];
    }
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            size_t i = r * t->ncols + c, pad = w[c] - cw[i];
            int last = c + 1 == t->ncols;
            if (c)
                fputs("  ", fp);
            if (t->right[c])
                fprintf(fp, "%*s", (int)pad, "");
            fputs(t->cells[i], fp);
            if (!t->right[c] && !last)
                fprintf(fp, "%*s", (int)pad, "");
        }
        fputc('\n', fp);
    }
    free(cw);
    free(w);
}

void cli_table_free(struct cli_table *t)
{
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->right);
    memset(t, 0, sizeof *t);
}
