/* core/plot.c: charts of a frame through gnuplot as a co-process (see
 * plot.h). The numbers (histogram bins, scatter samples, means per date)
 * are computed here in C; gnuplot only draws them. It runs with fork +
 * execvp (never a shell) and pipes on all three standard streams, read
 * with poll(). User text enters a script only through sx_plot_quote() and
 * data only as %.17g numbers in datablocks. No curses, no printing. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"
#include "hash.h"
#include "strbuf.h"

/* A number as gnuplot reads it back exactly. */
static void sb_num(struct sx_sb *b, double v)
{
    sx_sb_printf(b, "%.17g", v);
}

/* User text as a quoted gnuplot string. */
static void sb_quoted(struct sx_sb *b, const char *s)
{
    char *q = sx_plot_quote(s);
    if (!q) {
        b->oom = 1;
        return;
    }
    sx_sb_puts(b, q);
    free(q);
}

/* ---- quoting ---- */

/* Length of the valid UTF-8 sequence at S (at most AVAIL bytes) and its
 * code point in *CP; 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Characters that must not reach a terminal or a label as themselves:
 * C0, DEL, C1, line and paragraph separators, bidi controls. */
static int is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 ||
           cp == 0x2029 || (cp >= 0x200E && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

char *sx_plot_quote(const char *s)
{
    struct sx_sb b = {0};
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    int open = 0, after_quote = 0;   /* a piece is open; its last character is ' */
    size_t piece = 0;                /* characters in the open piece */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp), outlen = len;
        const char *ch = (const char *)p + i;
        if (len == 0) {              /* an invalid byte */
            ch = "?";
            len = outlen = 1;
            cp = '?';
        } else if (is_control(cp)) {
            ch = " ";
            outlen = 1;
            cp = ' ';
        }
        i += len;
        if (cp == '\'' && open && piece > 0 && !after_quote) {
            sx_sb_put(&b, "''", 2);
            piece++;
            after_quote = 1;
            continue;
        }
        if (cp == '\'') {
            /* gnuplot's scanner reads '' as a quote only after another
             * character: a quote opening a piece or following a quote is
             * joined on as the constant "'" instead. */
            if (open)
                sx_sb_put(&b, "'", 1);
            if (b.len)
                sx_sb_put(&b, ".", 1);
            sx_sb_put(&b, "\"'\"", 3);
            open = 0;
            continue;
        }
        if (!open) {
            if (b.len)
                sx_sb_put(&b, ".", 1);
            sx_sb_put(&b, "'", 1);
            open = 1;
            piece = 0;
        }
        sx_sb_put(&b, ch, outlen);
        piece++;
        after_quote = 0;
    }
    if (open)
        sx_sb_put(&b, "'", 1);
    if (!b.len)
        sx_sb_put(&b, "''", 2);
    return sx_sb_take(&b);
}

char *sx_plot_word(const char *name)
{
    struct sx_sb b = {0};
    sx_sb_put(&b, "'", 1);
    for (const char *p = name ? name : ""; *p; p++) {
        sx_sb_put(&b, p, 1);
        if (*p == '\'')
            sx_sb_put(&b, "'", 1);
    }
    sx_sb_put(&b, "'", 1);
    return sx_sb_take(&b);
}

/* ---- names ---- */

static const char *const kind_names[] = {"hist", "scatter", "line"};
static const char *const format_names[] = {"png", "svg"};

const char *sx_plot_kind_name(enum sx_plot_kind k)
{
    return (unsigned)k < 3 ? kind_names[k] : "?";
}

enum sx_status sx_plot_kind_parse(const char *s, enum sx_plot_kind *out, struct sx_err *err)
{
    for (int i = 0; i < 3; i++) {
        if (s && strcmp(s, kind_names[i]) == 0) {
            *out = (enum sx_plot_kind)i;
            return SX_OK;
        }
    }
    return sx_err_set(err, SX_EINVAL, "unknown chart kind '%s' (hist, scatter or line)",
                      s ? s : "");
}

const char *sx_plot_format_name(enum sx_plot_format f)
{
    return (unsigned)f < 2 ? format_names[f] : "?";
}

enum sx_status sx_plot_format_parse(const char *s, enum sx_plot_format *out, struct sx_err *err)
{
    for (int i = 0; i < 2; i++) {
        if (s && strcmp(s, format_names[i]) == 0) {
            *out = (enum sx_plot_format)i;
            return SX_OK;
        }
    }
    return sx_err_set(err, SX_EINVAL, "unknown image format '%s' (png or svg)", s ? s : "");
}

static const char *col_name(const struct sx_frame *f, const char *const *names, size_t i)
{
    return names && names[i] ? names[i] : f->cols[i]->name;
}

/* ---- parsing `:plot` arguments ---- */

#define MAX_WORDS 8

/* Split ARGS into at most MAX_WORDS words (new strings in W, count in *N).
 * A word in '...' or "..." may hold spaces, and its quote character
 * doubled stands for itself: sx_plot_word() output reads back as one
 * word. */
static enum sx_status split_words(const char *args, char **w, size_t *n, struct sx_err *err)
{
    const char *p = args ? args : "";
    *n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return SX_OK;
        if (*n == MAX_WORDS)
            return sx_err_set(err, SX_EINVAL, "too many words in the chart arguments");
        char *word = malloc(strlen(p) + 1);
        if (!word)
            return sx_err_set(err, SX_ENOMEM, "out of memory");
        size_t len = 0;
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            for (;;) {
                if (!*p) {
                    free(word);
                    return sx_err_set(err, SX_EINVAL, "unterminated %c in the chart arguments", q);
                }
                if (*p == q) {
                    if (p[1] != q)
                        break;
                    p++;
                }
                word[len++] = *p++;
            }
            p++;
        } else {
            while (*p && *p != ' ' && *p != '\t')
                word[len++] = *p++;
        }
        word[len] = '\0';
        w[(*n)++] = word;
    }
}

/* Column NAME among the display names; a name whose control characters
 * were turned into spaces on the way (sx_plot_quote) still matches. */
static enum sx_status find_col(const struct sx_frame *f, const char *const *names,
                               const char *name, size_t *out, struct sx_err *err)
{
    for (size_t i = 0; i < f->ncols; i++) {
        if (strcmp(col_name(f, names, i), name) == 0) {
            *out = i;
            return SX_OK;
        }
    }
    char *want = sx_plot_quote(name);
    if (!want)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    long hit = -1;
    for (size_t i = 0; i < f->ncols && hit < 0; i++) {
        char *q = sx_plot_quote(col_name(f, names, i));
        if (q && strcmp(q, want) == 0)
            hit = (long)i;
        free(q);
    }
    free(want);
    if (hit >= 0) {
        *out = (size_t)hit;
        return SX_OK;
    }
    return sx_err_set(err, SX_ENOTFOUND, "no column named '%s'", name);
}

enum sx_status sx_plot_spec_parse(const struct sx_frame *f, const char *const *names,
                                  const char *args, struct sx_plot_spec *spec,
                                  struct sx_err *err)
{
    char *w[MAX_WORDS];
    size_t n = 0;
    enum sx_status rc = split_words(args, w, &n, err);
    memset(spec, 0, sizeof *spec);
    spec->by = -1;
    if (rc != SX_OK)
        goto out;
    static const char usage[] =
        "hist COL [by COL] | scatter X Y [by COL] | line DATECOL Y [by COL]";
    if (n == 0) {
        rc = sx_err_set(err, SX_EINVAL, "which chart? %s", usage);
        goto out;
    }
    if ((rc = sx_plot_kind_parse(w[0], &spec->kind, err)) != SX_OK)
        goto out;
    const char *lead = args + strspn(args, " \t");
    if (strncmp(lead, "hist", 4) == 0 && (lead[4] == ' ' || lead[4] == '\t')) {
        /* "hist NAME" where NAME, spaces and quotes included, is a column. */
        const char *rest = lead + 4 + strspn(lead + 4, " \t");
        for (size_t i = 0; *rest && i < f->ncols; i++) {
            if (strcmp(col_name(f, names, i), rest) == 0) {
                spec->x = i;
                goto out;
            }
        }
    }
    size_t ncols = spec->kind == SX_PLOT_HIST ? 1 : 2;
    if (n < 1 + ncols) {
        rc = sx_err_set(err, SX_EINVAL, "%s needs %s", w[0],
                        ncols == 1 ? "a column: hist COL [by COL]"
                                   : spec->kind == SX_PLOT_SCATTER ? "two columns: scatter X Y [by COL]"
                                                                   : "two columns: line DATECOL Y [by COL]");
        goto out;
    }
    if ((rc = find_col(f, names, w[1], &spec->x, err)) != SX_OK)
        goto out;
    if (ncols == 2 && (rc = find_col(f, names, w[2], &spec->y, err)) != SX_OK)
        goto out;
    size_t i = 1 + ncols;
    if (i < n) {
        if (strcmp(w[i], "by") != 0 || i + 2 != n) {
            rc = sx_err_set(err, SX_EINVAL, "unexpected '%s': %s", w[i], usage);
            goto out;
        }
        size_t by;
        if ((rc = find_col(f, names, w[i + 1], &by, err)) != SX_OK)
            goto out;
        spec->by = (long)by;
    }
out:
    for (size_t k = 0; k < n; k++)
        free(w[k]);
    return rc;
}

/* ---- groups of a `by` column ---- */

#define GID_NONE 0xFFu

struct glabel {
    char *label;
    double num;               /* INT and BOOL sort by number */
    int numeric;
    uint32_t code;            /* CATEGORY: the dictionary code */
    uint32_t first;           /* provisional index before sorting */
};

struct groups {
    size_t n;
    struct glabel *g;         /* sorted */
    uint8_t *gid;             /* per row position: index into g, or GID_NONE */
};

static void groups_free(struct groups *gr)
{
    for (size_t i = 0; i < gr->n; i++)
        free(gr->g[i].label);
    free(gr->g);
    free(gr->gid);
    memset(gr, 0, sizeof *gr);
}

static int glabel_cmp(const void *a, const void *b)
{
    const struct glabel *x = a, *y = b;
    if (x->numeric)
        return (x->num > y->num) - (x->num < y->num);
    return strcmp(x->label, y->label);
}

static int row_gid_key(const struct sx_column *c, size_t r, char *buf, size_t size,
                       const char **label, double *num)
{
    if (!sx_col_valid(c, r))
        return 0;
    if (c->type == SX_TEXT) {
        *label = sx_col_str(c, r);
        *num = 0;
    } else {
        sx_col_format(c, r, buf, size);
        *label = buf;
        *num = sx_col_num(c, r);
    }
    return 1;
}

/* Group the rows ROWS[0..N) (NULL: 0..N) by column C. */
static enum sx_status groups_build(const struct sx_column *c, const char *cname,
                                   const size_t *rows, size_t n, struct groups *gr,
                                   struct sx_err *err)
{
    memset(gr, 0, sizeof *gr);
    if (c->type != SX_CATEGORY && c->type != SX_TEXT && c->type != SX_BOOL && c->type != SX_INT)
        return sx_err_set(err, SX_ETYPE,
                          "by needs a category, text, bool or int column; '%s' is %s", cname,
                          sx_type_name(c->type));
    if (!(gr->gid = malloc(n ? n : 1)) ||
        !(gr->g = calloc(SX_PLOT_MAX_GROUPS + 1, sizeof *gr->g)))
        goto oom;
    if (c->type == SX_CATEGORY) {
        uint32_t dn = c->dict->n;
        uint32_t *map = malloc((dn ? dn : 1) * sizeof *map);
        if (!map)
            goto oom;
        for (uint32_t i = 0; i < dn; i++)
            map[i] = UINT32_MAX;
        size_t used = 0;
        for (size_t k = 0; k < n; k++) {
            size_t r = rows ? rows[k] : k;
            if (!sx_col_valid(c, r))
                continue;
            uint32_t code = c->v.cat[r];
            if (map[code] == UINT32_MAX) {
                map[code] = 0;
                if (used < SX_PLOT_MAX_GROUPS)
                    gr->g[used].code = code;
                used++;
            }
        }
        if (used > SX_PLOT_MAX_GROUPS) {
            free(map);
            groups_free(gr);
            return sx_err_set(err, SX_ELIMIT, "'%s' has %zu distinct values; a chart shows at most %d series",
                              cname, used, SX_PLOT_MAX_GROUPS);
        }
        gr->n = used;
        for (size_t i = 0; i < used; i++) {
            if (!(gr->g[i].label = strdup(c->dict->str[gr->g[i].code]))) {
                free(map);
                goto oom;
            }
        }
        qsort(gr->g, used, sizeof *gr->g, glabel_cmp);
        for (size_t i = 0; i < used; i++)
            map[gr->g[i].code] = (uint32_t)i;
        for (size_t k = 0; k < n; k++) {
            size_t r = rows ? rows[k] : k;
            gr->gid[k] = sx_col_valid(c, r) ? (uint8_t)map[c->v.cat[r]] : GID_NONE;
        }
        free(map);
        return SX_OK;
    }
    /* Text, bool, int: a short list searched linearly (at most 17 entries). */
    int numeric = c->type != SX_TEXT;
    char buf[64];
    for (size_t k = 0; k < n; k++) {
        size_t r = rows ? rows[k] : k;
        const char *label;
        double num;
        if (!row_gid_key(c, r, buf, sizeof buf, &label, &num)) {
            gr->gid[k] = GID_NONE;
            continue;
        }
        size_t i;
        for (i = 0; i < gr->n; i++) {
            if (numeric ? gr->g[i].num == num : strcmp(gr->g[i].label, label) == 0)
                break;
        }
        if (i == gr->n) {
            if (gr->n == SX_PLOT_MAX_GROUPS) {
                groups_free(gr);
                return sx_err_set(err, SX_ELIMIT,
                                  "'%s' has more than %d distinct values; a chart shows at most %d series",
                                  cname, SX_PLOT_MAX_GROUPS, SX_PLOT_MAX_GROUPS);
            }
            if (!(gr->g[i].label = strdup(label)))
                goto oom;
            gr->g[i].num = num;
            gr->g[i].numeric = numeric;
            gr->g[i].first = (uint32_t)i;
            gr->n++;
        }
        gr->gid[k] = (uint8_t)i;
    }
    qsort(gr->g, gr->n, sizeof *gr->g, glabel_cmp);
    uint8_t perm[SX_PLOT_MAX_GROUPS];
    for (size_t i = 0; i < gr->n; i++)
        perm[gr->g[i].first] = (uint8_t)i;
    for (size_t k = 0; k < n; k++)
        if (gr->gid[k] != GID_NONE)
            gr->gid[k] = perm[gr->gid[k]];
    return SX_OK;
oom:
    groups_free(gr);
    return sx_err_set(err, SX_ENOMEM, "out of memory");
}

/* ---- charts ---- */

void sx_plot_chart_free(struct sx_plot_chart *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->xlabel);
    free(c->ylabel);
    for (size_t i = 0; i < c->nseries; i++)
        free(c->series[i]);
    free(c->series);
    free(c->edges);
    free(c->counts);
    free(c->script);
    free(c->plot_text);
    free(c->plot_image);
    free(c);
}

/* The value of column C at row R as an x/y coordinate (dates in seconds);
 * 0 when missing or not finite. */
static int coord(const struct sx_column *c, size_t r, double *v)
{
    if (!sx_col_valid(c, r))
        return 0;
    double x = sx_col_num(c, r);
    if (c->type == SX_DATE && c->unit == SX_DAYS)
        x *= 86400.0;
    if (!isfinite(x))
        return 0;
    *v = x;
    return 1;
}

static int is_number_type(enum sx_type t)
{
    return t == SX_FLOAT || t == SX_INT || t == SX_BOOL;
}

/* numpy's histogram_bin_edges over [MN, MX] with NB bins (STATS.md
 * section 6): linspace edges, a degenerate range widened by 0.5. */
static void hist_edges(double mn, double mx, size_t nb, double *e)
{
    double lo = mn, hi = mx;
    if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
    }
    double delta = hi - lo, step = delta / (double)nb;
    for (size_t i = 0; i < nb; i++)
        e[i] = step == 0 ? (double)i / (double)nb * delta + lo : (double)i * step + lo;
    e[nb] = hi;
}

/* The bin of V among edges E[0..NB]: E[i] <= V < E[i+1], the last closed. */
static size_t hist_bin(const double *e, size_t nb, double v)
{
    size_t a = 1, b = nb;    /* count of inner edges e[1..nb-1] <= v */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (e[mid] <= v)
            a = mid + 1;
        else
            b = mid;
    }
    return a - 1 < nb ? a - 1 : nb - 1;
}

/* Series names from the groups kept (KEEP[g] != 0), in order. */
static enum sx_status take_series(struct sx_plot_chart *c, struct groups *gr, const uint8_t *keep,
                                  uint8_t *remap, struct sx_err *err)
{
    size_t n = 0;
    for (size_t g = 0; g < gr->n; g++)
        n += keep[g] != 0;
    if (!(c->series = calloc(n ? n : 1, sizeof *c->series)))
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    c->nseries = 0;
    for (size_t g = 0; g < gr->n; g++) {
        if (!keep[g]) {
            remap[g] = GID_NONE;
            continue;
        }
        remap[g] = (uint8_t)c->nseries;
        c->series[c->nseries++] = gr->g[g].label;
        gr->g[g].label = NULL;
    }
    return SX_OK;
}

static enum sx_status single_series(struct sx_plot_chart *c, struct sx_err *err)
{
    if (!(c->series = calloc(1, sizeof *c->series)))
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    c->nseries = 1;
    return SX_OK;
}

/* Settings every chart shares: titles, key. */
static void common_settings(struct sx_sb *b, const struct sx_plot_chart *c)
{
    sx_sb_puts(b, "set title ");
    sb_quoted(b, c->title);
    sx_sb_puts(b, " noenhanced\nset xlabel ");
    sb_quoted(b, c->xlabel);
    sx_sb_puts(b, " noenhanced\nset ylabel ");
    sb_quoted(b, c->ylabel);
    sx_sb_puts(b, " noenhanced\n");
    if (c->nseries > 1 || c->series[0])
        sx_sb_puts(b, "set key outside top center horizontal width 2 noenhanced\n");
    else
        sx_sb_puts(b, "unset key\n");
}

/* ` title 'SERIES' noenhanced` or ` notitle`. */
static void series_title(struct sx_sb *b, const struct sx_plot_chart *c, size_t s)
{
    if (c->series[s]) {
        sx_sb_puts(b, " title ");
        sb_quoted(b, c->series[s]);
        sx_sb_puts(b, " noenhanced");
    } else {
        sx_sb_puts(b, " notitle");
    }
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

static enum sx_status build_hist(struct sx_plot_chart *c, const struct sx_frame *f,
                                 const size_t *rows, size_t n, const char *const *names,
                                 const struct sx_plot_spec *spec, struct groups *gr,
                                 struct sx_err *err)
{
    const struct sx_column *x = f->cols[spec->x];
    const char *xn = col_name(f, names, spec->x);
    size_t nb = spec->bins ? spec->bins : SX_PLOT_DEFAULT_BINS;
    if (nb > SX_PLOT_MAX_BINS)
        return sx_err_set(err, SX_EINVAL, "at most %d bins", SX_PLOT_MAX_BINS);
    if (!is_number_type(x->type) && x->type != SX_DATE)
        return sx_err_set(err, SX_ETYPE, "hist needs a numeric or date column; '%s' is %s", xn,
                          sx_type_name(x->type));
    double mn = INFINITY, mx = -INFINITY, v;
    for (size_t k = 0; k < n; k++) {
        if ((gr->gid && gr->gid[k] == GID_NONE) || !coord(x, rows ? rows[k] : k, &v))
            continue;
        if (v < mn)
            mn = v;
        if (v > mx)
            mx = v;
    }
    if (mn > mx)
        return sx_err_set(err, SX_EINVAL, "'%s' has no values to plot", xn);
    size_t ng = gr->gid ? gr->n : 1;
    c->nbins = nb;
    if (!(c->edges = malloc((nb + 1) * sizeof *c->edges)))
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    uint64_t *cnt = calloc(ng * nb, sizeof *cnt);
    uint64_t *tot = calloc(ng, sizeof *tot);
    if (!cnt || !tot) {
        free(cnt);
        free(tot);
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    hist_edges(mn, mx, nb, c->edges);
    for (size_t k = 0; k < n; k++) {
        size_t g = gr->gid ? gr->gid[k] : 0;
        if (g == GID_NONE || !coord(x, rows ? rows[k] : k, &v))
            continue;
        cnt[g * nb + hist_bin(c->edges, nb, v)]++;
        tot[g]++;
        c->rows++;
    }
    enum sx_status rc = SX_OK;
    if (gr->gid) {
        uint8_t keep[SX_PLOT_MAX_GROUPS], remap[SX_PLOT_MAX_GROUPS];
        for (size_t g = 0; g < gr->n; g++)
            keep[g] = tot[g] > 0;
        if ((rc = take_series(c, gr, keep, remap, err)) != SX_OK)
            goto out;
        if (!(c->counts = calloc(c->nseries * nb, sizeof *c->counts))) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t g = 0; g < gr->n; g++)
            if (remap[g] != GID_NONE)
                memcpy(c->counts + (size_t)remap[g] * nb, cnt + g * nb, nb * sizeof *cnt);
    } else {
        if ((rc = single_series(c, err)) != SX_OK)
            goto out;
        c->counts = cnt;
        cnt = NULL;
    }
    c->plotted = c->rows;
    c->xtime = x->type == SX_DATE;
    c->xdays = c->xtime && x->unit == SX_DAYS;
    c->xmin = c->edges[0];
    c->xmax = c->edges[nb];
    const char *byn = spec->by >= 0 ? col_name(f, names, (size_t)spec->by) : NULL;
    c->title = byn ? str_printf("count of %s by %s", xn, byn) : str_printf("count of %s", xn);
    c->xlabel = strdup(xn);
    c->ylabel = strdup("count");
    if (!c->title || !c->xlabel || !c->ylabel) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }

    /* The datablock: bin centre, then one count per series. */
    struct sx_sb b = {0};
    sx_sb_puts(&b, "$d << EOD\n");
    for (size_t i = 0; i < nb; i++) {
        sb_num(&b, c->edges[i] / 2 + c->edges[i + 1] / 2);
        for (size_t s = 0; s < c->nseries; s++)
            sx_sb_printf(&b, " %llu", (unsigned long long)c->counts[s * nb + i]);
        sx_sb_puts(&b, "\n");
    }
    sx_sb_puts(&b, "EOD\n");
    common_settings(&b, c);
    uint64_t top = 0;
    for (size_t i = 0; i < c->nseries * nb; i++)
        if (c->counts[i] > top)
            top = c->counts[i];
    if (top <= 10)
        sx_sb_puts(&b, "set ytics 1\n");   /* counts: no tics between integers */
    sx_sb_puts(&b, "set style fill solid 0.5 border\nset yrange [0:*]\nset xrange [");
    sb_num(&b, c->edges[0]);
    sx_sb_puts(&b, ":");
    sb_num(&b, c->edges[nb]);
    sx_sb_puts(&b, "]\n");
    c->script = sx_sb_take(&b);

    /* Images: the series' boxes side by side inside each bin. Text: one
     * box outline per bin, or one step outline per series (narrow boxes
     * of several series would not fit in character cells). */
    double bw = (c->edges[nb] - c->edges[0]) / (double)nb;
    double w = bw / (double)c->nseries;
    sx_sb_puts(&b, "plot");
    for (size_t s = 0; s < c->nseries; s++) {
        double off = ((double)s - (double)(c->nseries - 1) / 2.0) * w;
        sx_sb_puts(&b, s ? ", $d using ($1+(" : " $d using ($1+(");
        sb_num(&b, off);
        sx_sb_printf(&b, ")):%zu:(", s + 2);
        sb_num(&b, w);
        sx_sb_puts(&b, ") with boxes");
        series_title(&b, c, s);
    }
    sx_sb_puts(&b, "\n");
    c->plot_image = sx_sb_take(&b);
    if (c->nseries == 1) {
        c->plot_text = c->plot_image ? strdup(c->plot_image) : NULL;
    } else {
        sx_sb_puts(&b, "plot");
        for (size_t s = 0; s < c->nseries; s++) {
            sx_sb_printf(&b, "%s $d using 1:%zu with histeps", s ? "," : "", s + 2);
            series_title(&b, c, s);
        }
        sx_sb_puts(&b, "\n");
        c->plot_text = sx_sb_take(&b);
    }
    if (!c->script || !c->plot_text || !c->plot_image)
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
out:
    free(cnt);
    free(tot);
    return rc;
}

/* Point characters of the dumb terminal, one per series. */
static const char point_chars[SX_PLOT_MAX_GROUPS + 1] = "*+xo#@%&=~^:!?/$";

static enum sx_status build_scatter(struct sx_plot_chart *c, const struct sx_frame *f,
                                    const size_t *rows, size_t n, const char *const *names,
                                    const struct sx_plot_spec *spec, struct groups *gr,
                                    struct sx_err *err)
{
    const struct sx_column *x = f->cols[spec->x], *y = f->cols[spec->y];
    const char *xn = col_name(f, names, spec->x), *yn = col_name(f, names, spec->y);
    if (!is_number_type(x->type) && x->type != SX_DATE)
        return sx_err_set(err, SX_ETYPE, "scatter needs a numeric or date X column; '%s' is %s",
                          xn, sx_type_name(x->type));
    if (!is_number_type(y->type))
        return sx_err_set(err, SX_ETYPE, "scatter needs a numeric Y column; '%s' is %s", yn,
                          sx_type_name(y->type));
    size_t cap = spec->max_points ? spec->max_points : SX_PLOT_DEFAULT_POINTS;
    double vx, vy;
    uint64_t m = 0;
    for (size_t k = 0; k < n; k++) {
        size_t r = rows ? rows[k] : k;
        if ((gr->gid && gr->gid[k] == GID_NONE) || !coord(x, r, &vx) || !coord(y, r, &vy))
            continue;
        m++;
    }
    if (m == 0)
        return sx_err_set(err, SX_EINVAL, "no row has both '%s' and '%s' to plot", xn, yn);
    size_t take = m > cap ? cap : (size_t)m;
    /* The sample: the complete rows at positions floor(i * m / take). */
    size_t *pick = malloc(take * sizeof *pick);
    uint8_t *pg = malloc(take);
    if (!pick || !pg) {
        free(pick);
        free(pg);
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    uint64_t j = 0;
    size_t next = 0;
    for (size_t k = 0; k < n && next < take; k++) {
        size_t r = rows ? rows[k] : k;
        if ((gr->gid && gr->gid[k] == GID_NONE) || !coord(x, r, &vx) || !coord(y, r, &vy))
            continue;
        uint64_t want = (uint64_t)((unsigned __int128)next * m / take);
        if (j == want) {
            pick[next] = r;
            pg[next] = gr->gid ? gr->gid[k] : 0;
            next++;
        }
        j++;
    }
    c->rows = m;
    c->plotted = take;
    enum sx_status rc = SX_OK;
    if (gr->gid) {
        uint8_t keep[SX_PLOT_MAX_GROUPS] = {0}, remap[SX_PLOT_MAX_GROUPS];
        for (size_t i = 0; i < take; i++)
            keep[pg[i]] = 1;
        if ((rc = take_series(c, gr, keep, remap, err)) != SX_OK)
            goto out;
        for (size_t i = 0; i < take; i++)
            pg[i] = remap[pg[i]];
    } else if ((rc = single_series(c, err)) != SX_OK) {
        goto out;
    }
    c->xtime = x->type == SX_DATE;
    c->xdays = c->xtime && x->unit == SX_DAYS;
    c->xmin = INFINITY;
    c->xmax = -INFINITY;
    const char *byn = spec->by >= 0 ? col_name(f, names, (size_t)spec->by) : NULL;
    char sample[96] = "";
    if (take < m)
        snprintf(sample, sizeof sample, " (sample of %zu of %llu rows)", take,
                 (unsigned long long)m);
    c->title = byn ? str_printf("%s vs %s by %s%s", yn, xn, byn, sample)
                   : str_printf("%s vs %s%s", yn, xn, sample);
    c->xlabel = strdup(xn);
    c->ylabel = strdup(yn);
    if (!c->title || !c->xlabel || !c->ylabel) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    /* One data set per series, separated by two blank lines (`index`). */
    struct sx_sb b = {0};
    sx_sb_puts(&b, "$d << EOD\n");
    for (size_t s = 0; s < c->nseries; s++) {
        if (s)
            sx_sb_puts(&b, "\n\n");
        for (size_t i = 0; i < take; i++) {
            if (pg[i] != s)
                continue;
            coord(x, pick[i], &vx);
            coord(y, pick[i], &vy);
            if (vx < c->xmin)
                c->xmin = vx;
            if (vx > c->xmax)
                c->xmax = vx;
            sb_num(&b, vx);
            sx_sb_puts(&b, " ");
            sb_num(&b, vy);
            sx_sb_puts(&b, "\n");
        }
    }
    sx_sb_puts(&b, "EOD\n");
    common_settings(&b, c);
    c->script = sx_sb_take(&b);
    for (int image = 0; image < 2; image++) {
        sx_sb_puts(&b, "plot");
        for (size_t s = 0; s < c->nseries; s++) {
            sx_sb_printf(&b, "%s $d index %zu using 1:2 with points", s ? "," : "", s);
            if (image)
                sx_sb_puts(&b, " pt 7 ps 0.4");
            else
                sx_sb_printf(&b, " pt '%c'", point_chars[s]);
            series_title(&b, c, s);
        }
        sx_sb_puts(&b, "\n");
        if (image)
            c->plot_image = sx_sb_take(&b);
        else
            c->plot_text = sx_sb_take(&b);
    }
    if (!c->script || !c->plot_text || !c->plot_image)
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
out:
    free(pick);
    free(pg);
    return rc;
}

struct gxy {
    double x, y;
    uint32_t g;
};

/* Sums and counts of y per (group, x): open addressing, linear probing. */
struct gsum_slot {
    double x, sum;
    uint64_t count;           /* 0: empty */
    uint32_t g;
};

struct gsum {
    struct gsum_slot *slot;
    size_t cap, n;            /* cap: a power of two (0 before the first add) */
};

static size_t gsum_hash(uint32_t g, double x, size_t mask)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits ^= (uint64_t)g * 0x9E3779B97F4A7C15ull;
    bits ^= bits >> 33;
    bits *= 0xFF51AFD7ED558CCDull;
    bits ^= bits >> 33;
    return (size_t)bits & mask;
}

/* Add Y to the entry of (G, X); -1 when out of memory. */
static int gsum_add(struct gsum *t, uint32_t g, double x, double y)
{
    x += 0.0;                 /* -0.0 and 0.0 are one key */
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        struct gsum_slot *s = calloc(cap, sizeof *s);
        if (!s)
            return -1;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slot[i].count)
                continue;
            size_t h = gsum_hash(t->slot[i].g, t->slot[i].x, cap - 1);
            while (s[h].count)
                h = (h + 1) & (cap - 1);
            s[h] = t->slot[i];
        }
        free(t->slot);
        t->slot = s;
        t->cap = cap;
    }
    size_t h = gsum_hash(g, x, t->cap - 1);
    while (t->slot[h].count && (t->slot[h].g != g || t->slot[h].x != x))
        h = (h + 1) & (t->cap - 1);
    struct gsum_slot *s = &t->slot[h];
    if (!s->count) {
        s->g = g;
        s->x = x;
        t->n++;
    }
    s->sum += y;
    s->count++;
    return 0;
}

static int gxy_cmp(const void *a, const void *b)
{
    const struct gxy *p = a, *q = b;
    if (p->g != q->g)
        return p->g < q->g ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

static enum sx_status build_line(struct sx_plot_chart *c, const struct sx_frame *f,
                                 const size_t *rows, size_t n, const char *const *names,
                                 const struct sx_plot_spec *spec, struct groups *gr,
                                 struct sx_err *err)
{
    const struct sx_column *x = f->cols[spec->x], *y = f->cols[spec->y];
    const char *xn = col_name(f, names, spec->x), *yn = col_name(f, names, spec->y);
    if (!is_number_type(x->type) && x->type != SX_DATE)
        return sx_err_set(err, SX_ETYPE, "line needs a date (or numeric) X column; '%s' is %s",
                          xn, sx_type_name(x->type));
    if (!is_number_type(y->type))
        return sx_err_set(err, SX_ETYPE, "line needs a numeric Y column; '%s' is %s", yn,
                          sx_type_name(y->type));
    /* Sum and count per (group, x) in a hash table, in row order; then
     * only the distinct keys (dates x groups, usually few) are sorted. */
    struct gsum sums = {0};
    struct gxy *p = NULL;
    size_t m = 0, nm = 0;
    enum sx_status rc = SX_OK;
    for (size_t k = 0; k < n; k++) {
        size_t r = rows ? rows[k] : k;
        double vx, vy;
        if ((gr->gid && gr->gid[k] == GID_NONE) || !coord(x, r, &vx) || !coord(y, r, &vy))
            continue;
        if (gsum_add(&sums, gr->gid ? gr->gid[k] : 0, vx, vy)) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory");
            goto out;
        }
        m++;
    }
    if (m == 0) {
        rc = sx_err_set(err, SX_EINVAL, "no row has both '%s' and '%s' to plot", xn, yn);
        goto out;
    }
    if (!(p = malloc(sums.n * sizeof *p))) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < sums.cap; i++) {
        const struct gsum_slot *s = &sums.slot[i];
        if (!s->count)
            continue;
        p[nm].g = s->g;
        p[nm].x = s->x;
        p[nm].y = s->sum / (double)s->count;
        nm++;
    }
    qsort(p, nm, sizeof *p, gxy_cmp);
    c->rows = m;
    c->plotted = nm;
    if (gr->gid) {
        uint8_t keep[SX_PLOT_MAX_GROUPS] = {0}, remap[SX_PLOT_MAX_GROUPS];
        for (size_t i = 0; i < nm; i++)
            keep[p[i].g] = 1;
        if ((rc = take_series(c, gr, keep, remap, err)) != SX_OK)
            goto out;
        for (size_t i = 0; i < nm; i++)
            p[i].g = remap[p[i].g];
    } else if ((rc = single_series(c, err)) != SX_OK) {
        goto out;
    }
    c->xtime = x->type == SX_DATE;
    c->xdays = c->xtime && x->unit == SX_DAYS;
    c->xmin = INFINITY;
    c->xmax = -INFINITY;
    for (size_t i = 0; i < nm; i++) {
        if (p[i].x < c->xmin)
            c->xmin = p[i].x;
        if (p[i].x > c->xmax)
            c->xmax = p[i].x;
    }
    const char *byn = spec->by >= 0 ? col_name(f, names, (size_t)spec->by) : NULL;
    c->title = byn ? str_printf("mean %s per %s by %s", yn, xn, byn)
                   : str_printf("mean %s per %s", yn, xn);
    c->xlabel = strdup(xn);
    c->ylabel = str_printf("mean %s", yn);
    if (!c->title || !c->xlabel || !c->ylabel) {
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
        goto out;
    }
    /* Sorted by group then x: the data sets come out in series order. */
    struct sx_sb b = {0};
    sx_sb_puts(&b, "$d << EOD\n");
    for (size_t i = 0; i < nm; i++) {
        if (i && p[i].g != p[i - 1].g)
            sx_sb_puts(&b, "\n\n");
        sb_num(&b, p[i].x);
        sx_sb_puts(&b, " ");
        sb_num(&b, p[i].y);
        sx_sb_puts(&b, "\n");
    }
    sx_sb_puts(&b, "EOD\n");
    common_settings(&b, c);
    sx_sb_puts(&b, "set autoscale xfix\n");
    c->script = sx_sb_take(&b);
    for (int image = 0; image < 2; image++) {
        sx_sb_puts(&b, "plot");
        for (size_t s = 0; s < c->nseries; s++) {
            sx_sb_printf(&b, "%s $d index %zu using 1:2 with lines", s ? "," : "", s);
            if (image)
                sx_sb_puts(&b, " lw 1.5");
            series_title(&b, c, s);
        }
        sx_sb_puts(&b, "\n");
        if (image)
            c->plot_image = sx_sb_take(&b);
        else
            c->plot_text = sx_sb_take(&b);
    }
    if (!c->script || !c->plot_text || !c->plot_image)
        rc = sx_err_set(err, SX_ENOMEM, "out of memory");
out:
    free(sums.slot);
    free(p);
    return rc;
}

struct sx_plot_chart *sx_plot_chart_new(const struct sx_frame *f, const size_t *rows,
                                        size_t nrows, const char *const *names,
                                        const struct sx_plot_spec *spec, struct sx_err *err)
{
    size_t n = rows ? nrows : f->nrows;
    if (spec->x >= f->ncols || (spec->kind != SX_PLOT_HIST && spec->y >= f->ncols) ||
        (spec->by >= 0 && (size_t)spec->by >= f->ncols) || (unsigned)spec->kind > SX_PLOT_LINE) {
        sx_err_set(err, SX_EINVAL, "chart: column index out of range");
        return NULL;
    }
    struct sx_plot_chart *c = calloc(1, sizeof *c);
    if (!c) {
        sx_err_set(err, SX_ENOMEM, "out of memory");
        return NULL;
    }
    c->kind = spec->kind;
    struct groups gr = {0};
    enum sx_status rc = SX_OK;
    if (spec->by >= 0)
        rc = groups_build(f->cols[spec->by], col_name(f, names, (size_t)spec->by), rows, n, &gr,
                          err);
    if (rc == SX_OK) {
        switch (spec->kind) {
        case SX_PLOT_HIST: rc = build_hist(c, f, rows, n, names, spec, &gr, err); break;
        case SX_PLOT_SCATTER: rc = build_scatter(c, f, rows, n, names, spec, &gr, err); break;
        case SX_PLOT_LINE: rc = build_line(c, f, rows, n, names, spec, &gr, err); break;
        }
    }
    groups_free(&gr);
    if (rc != SX_OK) {
        sx_plot_chart_free(c);
        return NULL;
    }
    return c;
}

struct sx_plot_chart *sx_plot_lines_new(const char *title, const char *xlabel,
                                        const char *ylabel, size_t nseries,
                                        const char *const *names, const double *const *x,
                                        const double *const *y, const size_t *n,
                                        struct sx_err *err)
{
    if (nseries == 0 || nseries > SX_PLOT_MAX_GROUPS) {
        sx_err_set(err, SX_EINVAL, "a line chart takes 1 to %d series, not %zu",
                   SX_PLOT_MAX_GROUPS, nseries);
        return NULL;
    }
    struct sx_plot_chart *c = calloc(1, sizeof *c);
    size_t *kept = calloc(nseries, sizeof *kept);
    struct sx_sb b = {0};
    if (!c || !kept || !(c->series = calloc(nseries, sizeof *c->series)))
        goto oom;
    c->kind = SX_PLOT_LINE;
    c->nseries = nseries;
    c->xmin = INFINITY;
    c->xmax = -INFINITY;
    if (!(c->title = strdup(title ? title : "")) || !(c->xlabel = strdup(xlabel ? xlabel : "")) ||
        !(c->ylabel = strdup(ylabel ? ylabel : "")))
        goto oom;
    for (size_t s = 0; s < nseries; s++)
        if (names && names[s] && !(c->series[s] = strdup(names[s])))
            goto oom;
    /* one data block index per series; an empty series still gets its
     * index (a single NaN point gnuplot skips) so the indices line up */
    sx_sb_puts(&b, "$d << EOD\n");
    for (size_t s = 0; s < nseries; s++) {
        if (s)
            sx_sb_puts(&b, "\n\n");
        for (size_t i = 0; i < n[s]; i++) {
            if (!isfinite(x[s][i]) || !isfinite(y[s][i]))
                continue;
            sb_num(&b, x[s][i]);
            sx_sb_puts(&b, " ");
            sb_num(&b, y[s][i]);
            sx_sb_puts(&b, "\n");
            kept[s]++;
            c->rows++;
            if (x[s][i] < c->xmin)
                c->xmin = x[s][i];
            if (x[s][i] > c->xmax)
                c->xmax = x[s][i];
        }
        if (!kept[s])
            sx_sb_puts(&b, "NaN NaN\n");
    }
    sx_sb_puts(&b, "EOD\n");
    if (c->rows == 0) {
        free(sx_sb_take(&b));
        sx_err_set(err, SX_EINVAL, "nothing to plot: no series has a point");
        sx_plot_chart_free(c);
        free(kept);
        return NULL;
    }
    c->plotted = c->rows;
    common_settings(&b, c);
    if (c->xmin < c->xmax)
        sx_sb_puts(&b, "set autoscale xfix\n");
    else
        sx_sb_printf(&b, "set xrange [%.17g:%.17g]\n", c->xmin - 1, c->xmax + 1);
    if (!(c->script = sx_sb_take(&b)))
        goto oom;
    for (int image = 0; image < 2; image++) {
        sx_sb_puts(&b, "plot");
        for (size_t s = 0; s < nseries; s++) {
            sx_sb_printf(&b, "%s $d index %zu using 1:2 with %s", s ? "," : "", s,
                         kept[s] == 1 ? "points" : "lines");
            if (image && kept[s] != 1)
                sx_sb_puts(&b, " lw 1.5");
            series_title(&b, c, s);
        }
        sx_sb_puts(&b, "\n");
        if (image)
            c->plot_image = sx_sb_take(&b);
        else
            c->plot_text = sx_sb_take(&b);
    }
    if (!c->plot_text || !c->plot_image)
        goto oom;
    free(kept);
    return c;
oom:
    free(sx_sb_take(&b));
    sx_plot_chart_free(c);
    free(kept);
    sx_err_set(err, SX_ENOMEM, "out of memory");
    return NULL;
}

/* ---- time axis tics, at calendar boundaries ---- */

/* Floor division and modulo for possibly negative A (B > 0). */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && a < 0);
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Day of the first day of month index MI (year * 12 + month - 1). */
static int64_t month_day(int64_t mi)
{
    return sx_date_from_ymd(floor_div(mi, 12), (int)floor_mod(mi, 12) + 1, 1);
}

/* Calendar steps: UNIT 0 days, 1 months, 2 years; STEP of them. The first
 * day >= D that starts such a period, periods aligned to multiples of STEP
 * (weeks start on Monday). */
static int64_t period_start(int64_t d, int unit, int step)
{
    int64_t y;
    int m, dd;
    if (unit == 0) {
        int64_t off = step == 7 ? 4 : 0;     /* 1970-01-05 was a Monday */
        int64_t r = floor_mod(d - off, step);
        return r ? d + (step - r) : d;
    }
    sx_date_to_ymd(d, &y, &m, &dd);
    if (unit == 1) {
        int64_t mi = y * 12 + (m - 1) + (dd > 1);
        int64_t r = floor_mod(mi, step);
        return month_day(r ? mi + (step - r) : mi);
    }
    y += m > 1 || dd > 1;
    int64_t r = floor_mod(y, step);
    return sx_date_from_ymd(r ? y + (step - r) : y, 1, 1);
}

/* The start of the period after the one starting on day D. */
static int64_t period_next(int64_t d, int unit, int step)
{
    int64_t y;
    int m, dd;
    if (unit == 0)
        return d + step;
    sx_date_to_ymd(d, &y, &m, &dd);
    if (unit == 1)
        return month_day(y * 12 + (m - 1) + step);
    return sx_date_from_ymd(y + step, 1, 1);
}

/* A tic label for second S: FMT 0 "HH:MM:SS", 1 "HH:MM", 2 "MM-DD HH:MM",
 * 3 "YYYY-MM-DD" (midnight) or "YYYY-MM-DD HH:MM". BUF 32 bytes. */
static void clock_label(int64_t s, int fmt, char *buf)
{
    char full[32];
    sx_datetime_format(s, full);              /* YYYY-MM-DD HH:MM:SS */
    static const struct {
        int off, len;
    } cut[] = {{11, 8}, {11, 5}, {5, 11}, {0, 16}};
    if (fmt == 3 && floor_mod(s, 86400) == 0)
        snprintf(buf, 32, "%.10s", full);
    else
        snprintf(buf, 32, "%.*s", cut[fmt].len, full + cut[fmt].off);
}

/* `set xtics (...)` for a time axis over [LO, HI] seconds on a chart COLS
 * characters wide: the finest calendar step whose labels fit (days,
 * months, years; below two days, clock steps from a second to a day). */
static void time_tics(struct sx_sb *b, double lo, double hi, int cols)
{
    static const struct {
        int unit, step, width;
    } steps[] = {
        {0, 1, 10}, {0, 2, 10}, {0, 7, 10}, {1, 1, 7}, {1, 2, 7}, {1, 3, 7}, {1, 6, 7},
        {2, 1, 4}, {2, 2, 4}, {2, 5, 4}, {2, 10, 4}, {2, 20, 4}, {2, 50, 4}, {2, 100, 4},
        {2, 200, 4}, {2, 500, 4}, {2, 1000, 4},
    };
    static const int64_t clock[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
                                    3600, 7200, 10800, 21600, 43200, 86400};
    if (!isfinite(lo) || !isfinite(hi) || hi - lo > 1e13)
        return;
    int usable = cols - 12, n = 0;
    char buf[32];
    sx_sb_puts(b, "set xtics (");
    if (hi - lo >= 2 * 86400.0) {
        int64_t dlo = (int64_t)ceil(lo / 86400.0), dhi = (int64_t)floor(hi / 86400.0);
        size_t pick = sizeof steps / sizeof steps[0] - 1;
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
            int nmax = usable / (steps[i].width + 3);
            if (nmax < 2)
                nmax = 2;
            int count = 0;
            for (int64_t d = period_start(dlo, steps[i].unit, steps[i].step);
                 d <= dhi && count <= nmax; d = period_next(d, steps[i].unit, steps[i].step))
                count++;
            if (count <= nmax) {
                pick = i;
                break;
            }
        }
        for (int64_t d = period_start(dlo, steps[pick].unit, steps[pick].step); d <= dhi;
             d = period_next(d, steps[pick].unit, steps[pick].step)) {
            sx_date_format(d, buf);
            buf[steps[pick].width] = '\0';
            sx_sb_puts(b, n++ ? ", " : "");
            sb_quoted(b, buf);
            sx_sb_puts(b, " ");
            sb_num(b, (double)d * 86400.0);
        }
    } else if (hi > lo) {
        int64_t slo = (int64_t)ceil(lo), shi = (int64_t)floor(hi);
        int days = floor_div(slo, 86400) != floor_div(shi, 86400);
        size_t pick = sizeof clock / sizeof clock[0] - 1;
        int fmt = 1;
        for (size_t i = 0; i < sizeof clock / sizeof clock[0]; i++) {
            int f = clock[i] < 60 ? 0 : days ? 2 : 1;
            int nmax = usable / ((f == 0 ? 8 : f == 1 ? 5 : 11) + 3);
            if (nmax < 2)
                nmax = 2;
            int64_t count = floor_div(shi, clock[i]) + floor_div(-slo, clock[i]) + 1;
            if (count <= nmax) {
                pick = i;
                fmt = f;
                break;
            }
        }
        for (int64_t k = -floor_div(-slo, clock[pick]); k * clock[pick] <= shi; k++) {
            clock_label(k * clock[pick], fmt, buf);
            sx_sb_puts(b, n++ ? ", " : "");
            sb_quoted(b, buf);
            sx_sb_puts(b, " ");
            sb_num(b, (double)(k * clock[pick]));
        }
    }
    if (n == 0) {
        /* No step boundary inside the range (a single instant): label it. */
        clock_label((int64_t)floor(lo), 3, buf);
        sb_quoted(b, buf);
        sx_sb_puts(b, " ");
        sb_num(b, lo);
    }
    sx_sb_puts(b, ")\n");
}

/* ---- the co-process ---- */

struct sx_plot {
    pid_t pid;                /* 0 when not running */
    int in, out, errfd;       /* our ends of its stdin, stdout, stderr */
    char version[32];
    int major, minor;
    char marker[64];          /* "SX-END <uuid>" */
};

/* Close our end of gnuplot's stdin and wait for it: at once with SIGKILL
 * when KILL_IT, else after EOF has had a second to end it. */
static void proc_reap(struct sx_plot *p, int kill_it)
{
    if (p->in >= 0)
        close(p->in);
    p->in = -1;
    if (p->pid > 0) {
        int st, gone = 0;
        for (int i = 0; !kill_it && i < 100 && !gone; i++) {
            pid_t w = waitpid(p->pid, &st, WNOHANG);
            if (w == p->pid || (w < 0 && errno != EINTR)) {
                gone = 1;
            } else {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
        }
        if (!gone) {
            kill(p->pid, SIGKILL);
            while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
                ;
        }
    }
    p->pid = 0;
    if (p->out >= 0)
        close(p->out);
    if (p->errfd >= 0)
        close(p->errfd);
    p->out = p->errfd = -1;
}

static void close_pair(int fd[2])
{
    if (fd[0] >= 0)
        close(fd[0]);
    if (fd[1] >= 0)
        close(fd[1]);
}

/* In the child: make FD its descriptor TO, open across exec (a pipe end
 * that already is TO, when the parent had TO closed, only loses its
 * close-on-exec flag). Async-signal-safe. */
static int child_fd(int fd, int to)
{
    return fd == to ? fcntl(to, F_SETFD, 0) : dup2(fd, to);
}

/* Fork and exec gnuplot. */
static enum sx_status proc_start(struct sx_plot *p, struct sx_err *err)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1}, ex[2] = {-1, -1};
    const char *prog = getenv("SEXTANT_GNUPLOT");
    char *const argv[] = {(char *)(prog && *prog ? prog : "gnuplot"), "-d", NULL};
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC) ||
        pipe2(ex, O_CLOEXEC)) {
        int e = errno;
        close_pair(in);
        close_pair(out);
        close_pair(er);
        close_pair(ex);
        return sx_err_set(err, SX_EIO, "gnuplot: pipe: %s", strerror(e));
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close_pair(in);
        close_pair(out);
        close_pair(er);
        close_pair(ex);
        return sx_err_set(err, SX_EIO, "gnuplot: fork: %s", strerror(e));
    }
    if (pid == 0) {
        /* The child: only async-signal-safe calls until exec. Its own
         * process group keeps the terminal's Ctrl-C away from it. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        if (child_fd(in[0], 0) < 0 || child_fd(out[1], 1) < 0 || child_fd(er[1], 2) < 0) {
            int e = errno;
            (void)!write(ex[1], &e, sizeof e);
            _exit(127);
        }
        execvp(argv[0], argv);
        int e = errno;
        (void)!write(ex[1], &e, sizeof e);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(er[1]);
    close(ex[1]);
    int e = 0;
    ssize_t got;
    while ((got = read(ex[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(ex[0]);
    if (got > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        close(in[1]);
        close(out[0]);
        close(er[0]);
        if (e == ENOENT || e == ENOTDIR || e == EACCES)
            return sx_err_set(err, SX_ENOTFOUND, "gnuplot is not installed");
        return sx_err_set(err, SX_EIO, "gnuplot: cannot run it: %s", strerror(e));
    }
    p->pid = pid;
    p->in = in[1];
    p->out = out[0];
    p->errfd = er[0];
    fcntl(p->in, F_SETFL, fcntl(p->in, F_GETFL) | O_NONBLOCK);
    fcntl(p->out, F_SETFL, fcntl(p->out, F_GETFL) | O_NONBLOCK);
    fcntl(p->errfd, F_SETFL, fcntl(p->errfd, F_GETFL) | O_NONBLOCK);
    return SX_OK;
}

/* gnuplot's stderr text without echoed commands, caret lines, blank lines
 * and warnings, lines joined with "; "; empty when only warnings. */
static void error_text(const char *e, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    while (*e) {
        const char *eol = strchr(e, '\n');
        size_t len = eol ? (size_t)(eol - e) : strlen(e);
        const char *s = e, *end = e + len;
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            end--;
        size_t l = (size_t)(end - s);
        int skip = l == 0 || strncmp(s, "gnuplot>", 8) == 0 || (l == 1 && *s == '^') ||
                   memmem(s, l, "arning:", 7) != NULL;
        if (!skip && n + 3 < size) {
            if (n) {
                memcpy(out + n, "; ", 2);
                n += 2;
            }
            size_t c = l < size - n - 1 ? l : size - n - 1;
            memcpy(out + n, s, c);
            n += c;
            out[n] = '\0';
        }
        e += len + (eol != NULL);
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append what FD has to B; returns 0 on EOF, -1 on error, 1 otherwise. */
static int drain(int fd, struct sx_sb *b)
{
    char buf[65536];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0) {
            sx_sb_put(b, buf, (size_t)got);
            continue;
        }
        if (got == 0)
            return 0;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
    }
}

/* The start of the line that ends with MARKER and a newline in B, or -1.
 * *FROM is where to search next time (output arrives in pieces). */
static long find_marker(const struct sx_sb *b, const char *marker, size_t *from)
{
    size_t ml = strlen(marker);
    const char *hit = b->len > *from ? memmem(b->s + *from, b->len - *from, marker, ml) : NULL;
    for (; hit; hit = memmem(hit + 1, b->len - (size_t)(hit + 1 - b->s), marker, ml)) {
        size_t pos = (size_t)(hit - b->s);
        if (pos + ml >= b->len) {
            *from = pos;          /* the newline has not arrived yet */
            return -1;
        }
        if (b->s[pos + ml] == '\n') {
            size_t ls = pos;
            while (ls > 0 && b->s[ls - 1] != '\n')
                ls--;
            return (long)ls;
        }
    }
    *from = b->len > ml ? b->len - ml : 0;
    return -1;
}

enum sx_status sx_plot_run(struct sx_plot *p, const char *script, int timeout_ms, char **out,
                           size_t *outlen, struct sx_err *err)
{
    if (out)
        *out = NULL;
    if (outlen)
        *outlen = 0;
    if (p->pid <= 0) {
        enum sx_status rc = proc_start(p, err);
        if (rc != SX_OK)
            return rc;
    }
    if (timeout_ms <= 0)
        timeout_ms = 60000;
    struct sx_sb in = {0}, ob = {0}, eb = {0};
    sx_sb_puts(&in, script);
    if (in.len && in.s[in.len - 1] != '\n')
        sx_sb_puts(&in, "\n");
    sx_sb_puts(&in, "set print '-'\nprint '");
    sx_sb_puts(&in, p->marker);
    sx_sb_puts(&in, "'\n");
    sx_sb_put(&ob, "", 0);
    sx_sb_put(&eb, "", 0);
    if (in.oom || ob.oom || eb.oom) {
        free(in.s);
        free(ob.s);
        free(eb.s);
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    }

    /* A write to a dead gnuplot must give EPIPE here, not kill us. */
    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    int pipe_was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    int got_epipe = 0;

    enum sx_status rc = SX_OK;
    size_t sent = 0, from = 0;
    long end = -1;
    int64_t deadline = now_ms() + timeout_ms;
    int dead = 0;
    while (end < 0) {
        struct pollfd fds[3];
        int nf = 0, iw = -1;
        fds[nf].fd = p->out;
        fds[nf++].events = POLLIN;
        fds[nf].fd = p->errfd;
        fds[nf++].events = POLLIN;
        if (sent < in.len && p->in >= 0) {
            iw = nf;
            fds[nf].fd = p->in;
            fds[nf++].events = POLLOUT;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            rc = sx_err_set(err, SX_EIO, "gnuplot did not finish within %d s", timeout_ms / 1000);
            dead = 2;
            break;
        }
        int pr = poll(fds, (nfds_t)nf, (int)left);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            rc = sx_err_set(err, SX_EIO, "gnuplot: poll: %s", strerror(errno));
            dead = 2;
            break;
        }
        if (iw >= 0 && (fds[iw].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(p->in, in.s + sent, in.len - sent);
            if (w > 0) {
                sent += (size_t)w;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                got_epipe = errno == EPIPE;
                close(p->in);   /* gnuplot is gone; read what it said */
                p->in = -1;
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            drain(p->errfd, &eb);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            int d = drain(p->out, &ob);
            end = find_marker(&ob, p->marker, &from);
            if (end < 0 && d <= 0) {
                drain(p->errfd, &eb);
                char msg[400];
                error_text(eb.s ? eb.s : "", msg, sizeof msg);
                rc = sx_err_set(err, SX_EIO, "gnuplot exited unexpectedly%s%s", *msg ? ": " : "",
                                msg);
                dead = 1;
                break;
            }
        }
        if (ob.oom || eb.oom) {
            rc = sx_err_set(err, SX_ENOMEM, "out of memory");
            dead = 2;
            break;
        }
    }
    if (end >= 0) {
        /* Everything gnuplot wrote on stderr before the marker is in the pipe. */
        drain(p->errfd, &eb);
        char msg[400];
        error_text(eb.s ? eb.s : "", msg, sizeof msg);
        if (*msg)
            rc = sx_err_set(err, SX_EINVAL, "gnuplot: %s", msg);
    }
    if (got_epipe && !pipe_was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (dead)
        proc_reap(p, 1);
    if (rc == SX_OK && out) {
        ob.len = (size_t)end;
        ob.s[ob.len] = '\0';
        *out = ob.s;
        ob.s = NULL;
        if (outlen)
            *outlen = (size_t)end;
    }
    free(in.s);
    free(ob.s);
    free(eb.s);
    return rc;
}

enum sx_status sx_plot_open(struct sx_plot **out, struct sx_err *err)
{
    *out = NULL;
    enum sx_status rc = sx_hash_init(err);
    if (rc != SX_OK)
        return rc;
    struct sx_plot *p = calloc(1, sizeof *p);
    if (!p)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    p->in = p->out = p->errfd = -1;
    char uuid[SX_UUID_LEN];
    sx_uuid(uuid);
    snprintf(p->marker, sizeof p->marker, "SX-END %s", uuid);
    char *ver = NULL;
    /* The version, and the two quoting rules sx_plot_quote() relies on: a
     * doubled quote inside single quotes, a backslash taken literally. */
    rc = sx_plot_run(p,
                     "set print '-'\n"
                     "print sprintf('%g.%s', GPVAL_VERSION, GPVAL_PATCHLEVEL)\n"
                     "print 'a''b\\'.\"'\"\n",
                     10000, &ver, NULL, err);
    if (rc != SX_OK) {
        sx_plot_close(p);
        return rc;
    }
    char *nl = strchr(ver, '\n');
    int quoting = nl && strcmp(nl + 1, "a'b\\'\n") == 0;
    if (nl)
        *nl = '\0';
    snprintf(p->version, sizeof p->version, "%s", ver);
    free(ver);
    if (sscanf(p->version, "%d.%d", &p->major, &p->minor) != 2 || p->major < 5 || !quoting) {
        rc = sx_err_set(err, SX_ENOTFOUND, "gnuplot 5 or later is needed (found '%s')",
                        p->version);
        sx_plot_close(p);
        return rc;
    }
    *out = p;
    return SX_OK;
}

void sx_plot_close(struct sx_plot *p)
{
    if (!p)
        return;
    proc_reap(p, 0);
    free(p);
}

const char *sx_plot_version(const struct sx_plot *p)
{
    return p->version;
}

/* The commands that start every chart script. */
static void preamble(struct sx_sb *b, const struct sx_plot *p)
{
    sx_sb_puts(b, p->major > 5 || (p->major == 5 && p->minor >= 2) ? "reset session\n" : "reset\n");
    sx_sb_puts(b, "set encoding utf8\n");
}

/* ---- parsing the dumb terminal ---- */

void sx_plot_grid_free(struct sx_plot_grid *g)
{
    if (!g)
        return;
    free(g->cells);
    g->cells = NULL;
    g->w = g->h = 0;
}

static void apply_sgr(const int *par, int np, int16_t *color, uint8_t *bold)
{
    if (np == 0) {
        *color = SX_PLOT_COLOR_DEFAULT;
        *bold = 0;
        return;
    }
    for (int i = 0; i < np; i++) {
        int v = par[i];
        if (v == 0) {
            *color = SX_PLOT_COLOR_DEFAULT;
            *bold = 0;
        } else if (v == 1) {
            *bold = 1;
        } else if (v == 22) {
            *bold = 0;
        } else if (v == 39) {
            *color = SX_PLOT_COLOR_DEFAULT;
        } else if (v >= 30 && v <= 37) {
            *color = (int16_t)(v - 30);
        } else if (v >= 90 && v <= 97) {
            *color = (int16_t)(v - 90 + 8);
        } else if ((v == 38 || v == 48) && i + 1 < np) {
            /* 38;5;N (palette) or 38;2;R;G;B (nearest of the 6x6x6 cube). */
            if (par[i + 1] == 5 && i + 2 < np) {
                if (v == 38 && par[i + 2] >= 0 && par[i + 2] <= 255)
                    *color = (int16_t)par[i + 2];
                i += 2;
            } else if (par[i + 1] == 2 && i + 4 < np) {
                if (v == 38) {
                    int q[3];
                    for (int k = 0; k < 3; k++) {
                        int c = par[i + 2 + k] < 0 ? 0 : par[i + 2 + k] > 255 ? 255 : par[i + 2 + k];
                        q[k] = c < 48 ? 0 : c < 115 ? 1 : (c - 35) / 40;
                    }
                    *color = (int16_t)(16 + 36 * q[0] + 6 * q[1] + q[2]);
                }
                i += 4;
            } else {
                i += 1;
            }
        }
    }
}

enum sx_status sx_plot_grid_parse(const char *text, size_t len, int w, int h,
                                  struct sx_plot_grid *g, struct sx_err *err)
{
    memset(g, 0, sizeof *g);
    if (w <= 0 || h <= 0 || w > 10000 || h > 10000)
        return sx_err_set(err, SX_EINVAL, "chart size %dx%d out of range", w, h);
    g->cells = calloc((size_t)w * (size_t)h, sizeof *g->cells);
    if (!g->cells)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    g->w = w;
    g->h = h;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        g->cells[i].ch[0] = ' ';
        g->cells[i].color = SX_PLOT_COLOR_DEFAULT;
    }
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    int x = 0, y = 0;
    int16_t color = SX_PLOT_COLOR_DEFAULT;
    uint8_t bold = 0;
    while (i < len && s[i] == '\f')
        i++;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '\033') {
            i++;
            if (i < len && s[i] == '[') {
                /* CSI: parameters, intermediates, a final byte. */
                int par[16], np = 0, cur = -1;
                i++;
                while (i < len && s[i] >= 0x30 && s[i] <= 0x3F) {
                    if (s[i] >= '0' && s[i] <= '9') {
                        if (cur < 0)
                            cur = 0;
                        if (cur < 100000)
                            cur = cur * 10 + (s[i] - '0');
                    } else if (s[i] == ';') {
                        if (np < 16)
                            par[np++] = cur < 0 ? 0 : cur;
                        cur = -1;
                    }
                    i++;
                }
                if (cur >= 0 && np < 16)
                    par[np++] = cur;
                while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
                    i++;
                if (i < len) {
                    if (s[i] == 'm')
                        apply_sgr(par, np, &color, &bold);
                    i++;
                }
            } else if (i < len && s[i] == ']') {
                /* OSC: up to BEL or ESC \ */
                while (i < len && s[i] != '\a' && !(s[i] == '\033' && i + 1 < len && s[i + 1] == '\\'))
                    i++;
                i += i < len && s[i] == '\033' ? 2 : 1;
            } else {
                /* Other escapes: intermediate bytes, then a final byte. */
                while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
                    i++;
                if (i < len)
                    i++;
            }
            continue;
        }
        if (c == '\n') {
            y++;
            x = 0;
            i++;
            continue;
        }
        if (c == '\r') {
            x = 0;
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = utf8_decode(s + i, len - i, &cp);
        const char *ch = (const char *)s + i;
        if (l == 0) {
            ch = "?";
            l = 1;
            cp = '?';
            i++;
        } else {
            i += l;
        }
        if (is_control(cp))
            continue;
        if (x < w && y < h) {
            struct sx_plot_cell *cell = &g->cells[(size_t)y * (size_t)w + (size_t)x];
            memcpy(cell->ch, ch, l);
            cell->ch[l] = '\0';
            cell->color = color;
            cell->bold = bold;
        }
        x++;
    }
    return SX_OK;
}

/* ---- rendering and export ---- */

enum sx_status sx_plot_render_text(struct sx_plot *p, const struct sx_plot_chart *c, int w,
                                   int h, int color, struct sx_plot_grid *g, struct sx_err *err)
{
    memset(g, 0, sizeof *g);
    if (w < 20 || h < 6 || w > 1000 || h > 500)
        return sx_err_set(err, SX_EINVAL, "a text chart needs 20x6 to 1000x500 characters, not %dx%d",
                          w, h);
    struct sx_sb b = {0};
    preamble(&b, p);
    sx_sb_printf(&b, "set terminal dumb size %d,%d noenhanced %s\nset output\n", w, h,
              color ? "ansi256" : "mono");
    sx_sb_puts(&b, c->script);
    /* A y label is drawn level, left of the tic labels, and collides with
     * them; the title names the y axis instead. Short charts give their
     * rows to the plot: no title below 20 rows, no x label and no key
     * below 12 (the series keep their colours or characters). */
    sx_sb_puts(&b, "unset ylabel\n");
    if (h < 20)
        sx_sb_puts(&b, "unset title\n");
    if (h < 12)
        sx_sb_puts(&b, "unset xlabel\nunset key\n");
    if (c->xtime)
        time_tics(&b, c->xmin, c->xmax, w);
    sx_sb_puts(&b, c->plot_text);
    char *script = sx_sb_take(&b);
    if (!script)
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    char *out = NULL;
    size_t len = 0;
    enum sx_status rc = sx_plot_run(p, script, 0, &out, &len, err);
    free(script);
    if (rc == SX_OK)
        rc = sx_plot_grid_parse(out, len, w, h, g, err);
    free(out);
    return rc;
}

enum sx_status sx_plot_export(struct sx_plot *p, const struct sx_plot_chart *c,
                              enum sx_plot_format fmt, const char *path, struct sx_err *err)
{
    if (!path || !*path)
        return sx_err_set(err, SX_EINVAL, "export needs a file name");
    for (const unsigned char *s = (const unsigned char *)path; *s; s++)
        if (*s < 0x20 || *s == 0x7F)
            return sx_err_set(err, SX_EINVAL, "the file name holds a control character");
    if ((unsigned)fmt > SX_PLOT_SVG)
        return sx_err_set(err, SX_EINVAL, "unknown image format");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
    close(fd);
    struct sx_sb b = {0};
    preamble(&b, p);
    if (fmt == SX_PLOT_PNG)
        sx_sb_puts(&b, "set terminal pngcairo size 1000,600 noenhanced\n");
    else
        sx_sb_puts(&b, "set terminal svg size 1000,600 noenhanced\n");
    sx_sb_puts(&b, "set output ");
    if (path[0] == '/') {
        sb_quoted(&b, path);
    } else {
        /* gnuplot's working directory is the one it started in: give it
         * ours, which also keeps a leading '|' from meaning a pipe. */
        char *cwd = getcwd(NULL, 0), *abs = cwd ? str_printf("%s/%s", cwd, path) : NULL;
        if (!abs)
            b.oom = 1;
        sb_quoted(&b, abs);
        free(abs);
        free(cwd);
    }
    sx_sb_puts(&b, "\n");
    sx_sb_puts(&b, c->script);
    if (c->xtime)
        time_tics(&b, c->xmin, c->xmax, 110);
    sx_sb_puts(&b, c->plot_image);
    sx_sb_puts(&b, "unset output\n");
    char *script = sx_sb_take(&b);
    if (!script) {
        unlink(path);
        return sx_err_set(err, SX_ENOMEM, "out of memory");
    }
    enum sx_status rc = sx_plot_run(p, script, 0, NULL, NULL, err);
    free(script);
    struct stat sb_;
    if (rc == SX_OK && (stat(path, &sb_) != 0 || sb_.st_size == 0))
        rc = sx_err_set(err, SX_EIO, "%s: gnuplot wrote nothing", path);
    if (rc != SX_OK)
        unlink(path);
    return rc;
}
