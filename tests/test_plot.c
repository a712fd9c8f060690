/* tests/test_plot.c: charts through gnuplot (core/plot and `sextant
 * plot`): sx_plot_quote on hostile text and what gnuplot reads back from
 * it, the chart argument grammar, histogram bins against numpy, scatter
 * sampling, line means per date and group, the dumb terminal parser on
 * synthetic, captured and live gnuplot output, tics of time axes, errors
 * and restarts of the co-process, PNG/SVG export, and end to end through
 * the binary: headers and category values built to run commands (the
 * marker files must not appear, the SVG holds the text inert), CLI errors,
 * and a PATH without gnuplot. gnuplot (gnuplot-nox) is a test dependency
 * installed by scripts/deps.sh. */
#include "testcli.h"

#include <math.h>

#include "frame.h"
#include "plot.h"

static void setup(void)
{
    unsetenv("SEXTANT_STORE");
}

TestSuite(plot, .init = setup, .timeout = 120);

/* ---- helpers ---- */

static struct sx_frame *frame_new(void)
{
    struct sx_frame *f = sx_frame_new();
    cr_assert(f);
    return f;
}

static struct sx_column *col_add(struct sx_frame *f, const char *name, enum sx_type t)
{
    struct sx_err err;
    struct sx_column *c = sx_frame_add(f, name, t, &err);
    cr_assert(c, "%s", err.msg);
    return c;
}

static void frame_done(struct sx_frame *f)
{
    struct sx_err err;
    cr_assert_eq(sx_frame_sync(f, &err), SX_OK, "%s", err.msg);
}

static void push_str(struct sx_column *c, const char *s)
{
    cr_assert_eq(s ? sx_col_push_str(c, s, strlen(s)) : sx_col_push_missing(c), SX_OK);
}

static struct sx_plot *gp_open(void)
{
    struct sx_plot *p = NULL;
    struct sx_err err;
    cr_assert_eq(sx_plot_open(&p, &err), SX_OK, "gnuplot (gnuplot-nox) is needed: %s", err.msg);
    return p;
}

/* The numbers of the first datablock of SCRIPT, one row per line ("" for
 * the blank lines between data sets), as a new string. */
static char *datablock(const char *script)
{
    const char *start = strstr(script, "$d << EOD\n");
    cr_assert(start, "no datablock in %s", script);
    start += strlen("$d << EOD\n");
    const char *end = strstr(start, "EOD\n");
    cr_assert(end);
    return strndup(start, (size_t)(end - start));
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- sx_plot_quote ---- */

static void quote_is(const char *in, const char *want)
{
    char *q = sx_plot_quote(in);
    cr_assert(q);
    cr_assert_str_eq(q, want, "quote(%s)", in ? in : "NULL");
    free(q);
}

Test(plot, quote_rules)
{
    quote_is("price", "'price'");
    quote_is(NULL, "''");
    quote_is("", "''");
    quote_is("Bob's run", "'Bob''s run'");
    /* gnuplot reads '' as a quote only after another character: a quote
     * at the start or after a quote is joined on as "'". */
    quote_is("''", "\"'\".\"'\"");
    quote_is("'a''b", "\"'\".'a'''.\"'\".'b'");
    quote_is("end''", "'end'''.\"'\"");
    quote_is("`touch /tmp/X`", "'`touch /tmp/X`'");
    quote_is("$(touch /tmp/X)", "'$(touch /tmp/X)'");
    quote_is("'; system(\"touch X\"); '", "\"'\".'; system(\"touch X\"); '''");
    quote_is("a\"b", "'a\"b'");
    quote_is("a\\nb", "'a\\nb'");             /* backslashes stay: no escapes in '' */
    quote_is("x\\", "'x\\'");
    quote_is("a\r\nb\tc", "'a  b c'");
    quote_is("red\x1b[31mtext", "'red [31mtext'");
    quote_is("del\x7f", "'del '");
    quote_is("c1\xc2\x85next", "'c1 next'");     /* U+0085 NEL */
    quote_is("rtl\xe2\x80\xaeoverride", "'rtl override'");   /* U+202E */
    quote_is("ls\xe2\x80\xa8ps", "'ls ps'");     /* U+2028 */
    quote_is("bad\xff\xfe utf8", "'bad?? utf8'");
    quote_is("over\xc0\xaflong", "'over??long'");
    quote_is("caf\xc3\xa9 \xe5\x8c\x97\xe4\xba\xac \xf0\x9f\x94\xa5", "'caf\xc3\xa9 \xe5\x8c\x97\xe4\xba\xac \xf0\x9f\x94\xa5'");
    quote_is("@macro", "'@macro'");
}

/* gnuplot reads each quoted string back as the sanitised text and runs
 * nothing: backquotes, $(…), system(), macros, quote-break attempts,
 * quotes at the start and in runs, a trailing backslash. */
Test(plot, quote_reads_back_inert_in_gnuplot)
{
    char *dir = tu_tmpdir();
    char *m1 = tu_path(dir, "m1"), *m2 = tu_path(dir, "m2"), *m3 = tu_path(dir, "m3"),
         *m4 = tu_path(dir, "m4");
    enum { NTEXTS = 13 };
    char *texts[NTEXTS];
    cr_assert(asprintf(&texts[0], "`touch %s`", m1) > 0);
    cr_assert(asprintf(&texts[1], "'; system(\"touch %s\"); '", m2) > 0);
    cr_assert(asprintf(&texts[2], "$(touch %s)", m3) > 0);
    cr_assert(asprintf(&texts[3], "x' . system('touch %s') . '\n@y", m4) > 0);
    cr_assert(asprintf(&texts[4], "''x;system(\"touch %s\");#", m4) > 0);
    texts[5] = strdup("line1\r\nline2\x1b[2J");
    texts[6] = strdup("caf\xc3\xa9 it's");
    texts[7] = strdup("'");
    texts[8] = strdup("''");
    texts[9] = strdup("'lead");
    texts[10] = strdup("a''''b'");
    texts[11] = strdup("end\\");
    texts[12] = strdup("");
    struct sx_plot *p = gp_open();
    struct sx_err err;
    for (size_t i = 0; i < NTEXTS; i++) {
        char *q = sx_plot_quote(texts[i]);
        char *script = NULL, *out = NULL;
        cr_assert(asprintf(&script, "y = 'touch %s'\nset print '-'\nprint %s\n", m4, q) > 0);
        cr_assert_eq(sx_plot_run(p, script, 0, &out, NULL, &err), SX_OK, "%s: %s", texts[i],
                     err.msg);
        /* What gnuplot printed is the text with control characters as spaces. */
        char expect[512];
        snprintf(expect, sizeof expect, "%s\n", texts[i]);
        for (char *c = expect; *c && c[1]; c++)
            if (*c == '\n' || *c == '\r' || *c == '\x1b')
                *c = ' ';
        cr_assert_str_eq(out, expect, "quoted as %s", q);
        free(out);
        free(script);
        free(q);
    }
    sx_plot_close(p);
    cr_assert(!file_exists(m1) && !file_exists(m2) && !file_exists(m3) && !file_exists(m4),
              "a marker file appeared");
    for (size_t i = 0; i < NTEXTS; i++)
        free(texts[i]);
    tu_rmrf(dir);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    free(dir);
}

/* ---- the argument grammar ---- */

static struct sx_frame *grammar_frame(void)
{
    struct sx_frame *f = frame_new();
    struct sx_column *a = col_add(f, "price", SX_FLOAT);
    struct sx_column *b = col_add(f, "customer segment", SX_CATEGORY);
    struct sx_column *c = col_add(f, "it's \"odd\"", SX_FLOAT);
    struct sx_column *d = col_add(f, "by", SX_INT);
    struct sx_column *e = col_add(f, "two\nlines", SX_FLOAT);
    cr_assert_eq(sx_col_push_f64(a, 1), SX_OK);
    push_str(b, "x");
    cr_assert_eq(sx_col_push_f64(c, 2), SX_OK);
    cr_assert_eq(sx_col_push_i64(d, 3), SX_OK);
    cr_assert_eq(sx_col_push_f64(e, 4), SX_OK);
    frame_done(f);
    return f;
}

Test(plot, spec_grammar)
{
    struct sx_frame *f = grammar_frame();
    struct sx_plot_spec s;
    struct sx_err err;
    cr_assert_eq(sx_plot_spec_parse(f, NULL, "hist price", &s, &err), SX_OK, "%s", err.msg);
    cr_assert(s.kind == SX_PLOT_HIST && s.x == 0 && s.by == -1);
    cr_assert_eq(sx_plot_spec_parse(f, NULL, "  hist   price  by 'customer segment' ", &s, &err),
                 SX_OK, "%s", err.msg);
    cr_assert(s.x == 0 && s.by == 1);
    cr_assert_eq(sx_plot_spec_parse(f, NULL, "scatter \"it's \"\"odd\"\"\" price", &s, &err),
                 SX_OK, "%s", err.msg);
    cr_assert(s.kind == SX_PLOT_SCATTER && s.x == 2 && s.y == 0);
    /* sx_plot_word output is one word, even with a control character. */
    char *q1 = sx_plot_word("it's \"odd\""), *q2 = sx_plot_word("two\nlines");
    char args[256];
    snprintf(args, sizeof args, "line %s %s by by", q1, q2);
    cr_assert_eq(sx_plot_spec_parse(f, NULL, args, &s, &err), SX_OK, "%s: %s", args, err.msg);
    cr_assert(s.kind == SX_PLOT_LINE && s.x == 2 && s.y == 4 && s.by == 3);
    free(q1);
    free(q2);
    /* "hist " and exactly a column's name, as `.` passes it. */
    cr_assert_eq(sx_plot_spec_parse(f, NULL, "hist it's \"odd\"", &s, &err), SX_OK, "%s", err.msg);
    cr_assert(s.kind == SX_PLOT_HIST && s.x == 2 && s.by == -1);
    cr_assert_eq(sx_plot_spec_parse(f, NULL, "hist customer segment", &s, &err), SX_OK, "%s",
                 err.msg);
    cr_assert_eq(s.x, 1);
    /* A typed name matches a header whose control characters it shows as spaces. */
    cr_assert_eq(sx_plot_spec_parse(f, NULL, "hist 'two lines'", &s, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(s.x, 4);
    /* Display names replace the frame's. */
    const char *names[] = {"cost", "segment", "o", "b", "t"};
    cr_assert_eq(sx_plot_spec_parse(f, names, "hist cost by segment", &s, &err), SX_OK);
    cr_assert(s.x == 0 && s.by == 1);
    cr_assert_eq(sx_plot_spec_parse(f, names, "hist price", &s, &err), SX_ENOTFOUND);

    static const struct {
        const char *args;
        enum sx_status rc;
        const char *msg;
    } bad[] = {
        {"", SX_EINVAL, "which chart"},
        {"pie price", SX_EINVAL, "unknown chart kind 'pie'"},
        {"hist", SX_EINVAL, "hist needs a column"},
        {"scatter price", SX_EINVAL, "two columns"},
        {"hist nope", SX_ENOTFOUND, "no column named 'nope'"},
        {"hist price by nope", SX_ENOTFOUND, "no column named 'nope'"},
        {"hist price extra", SX_EINVAL, "unexpected 'extra'"},
        {"hist price by", SX_EINVAL, "unexpected 'by'"},
        {"hist 'price", SX_EINVAL, "unterminated"},
        {"a b c d e f g h i", SX_EINVAL, "too many words"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(sx_plot_spec_parse(f, NULL, bad[i].args, &s, &err), bad[i].rc, "%s",
                     bad[i].args);
        cr_assert(strstr(err.msg, bad[i].msg), "%s: %s", bad[i].args, err.msg);
    }
    sx_frame_free(f);
}

/* ---- histograms ---- */

static struct sx_plot_chart *chart_ok(const struct sx_frame *f, const size_t *rows, size_t n,
                                      const struct sx_plot_spec *s)
{
    struct sx_err err;
    struct sx_plot_chart *c = sx_plot_chart_new(f, rows, n, NULL, s, &err);
    cr_assert(c, "%s", err.msg);
    return c;
}

Test(plot, hist_bins_by_hand)
{
    struct sx_frame *f = frame_new();
    struct sx_column *x = col_add(f, "x", SX_INT);
    for (int v = 0; v <= 10; v++)
        cr_assert_eq(sx_col_push_i64(x, v), SX_OK);
    cr_assert_eq(sx_col_push_missing(x), SX_OK);
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_HIST, .x = 0, .by = -1, .bins = 5};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    cr_assert_eq(c->nbins, 5);
    static const double edges[] = {0, 2, 4, 6, 8, 10};
    static const uint64_t counts[] = {2, 2, 2, 2, 3};   /* 10 falls in the last, closed bin */
    for (size_t i = 0; i <= 5; i++)
        cr_assert_eq(c->edges[i], edges[i]);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(c->counts[i], counts[i], "bin %zu", i);
    cr_assert_eq(c->rows, 11);
    cr_assert_eq(c->nseries, 1);
    cr_assert_null(c->series[0]);
    cr_assert_str_eq(c->title, "count of x");
    char *db = datablock(c->script);
    cr_assert_str_eq(db, "1 2\n3 2\n5 2\n7 2\n9 3\n");
    free(db);
    sx_plot_chart_free(c);

    /* Only the rows asked for, in any order. */
    size_t rows[] = {10, 9, 0};
    s.bins = 2;
    c = chart_ok(f, rows, 3, &s);
    cr_assert_eq(c->edges[0], 0);
    cr_assert_eq(c->edges[2], 10);
    cr_assert_eq(c->counts[0], 1);
    cr_assert_eq(c->counts[1], 2);
    sx_plot_chart_free(c);
    sx_frame_free(f);
}

/* Edges and counts against numpy.histogram(bins=20), bit for bit. */
Test(plot, hist_matches_numpy)
{
    const char *py = tu_python_with("numpy");
    if (!py)
        cr_skip_test("Debian's python3 with numpy is not installed");
    struct sx_frame *f = frame_new();
    struct sx_column *x = col_add(f, "v", SX_FLOAT);
    char *dir = tu_tmpdir(), *vals = tu_path(dir, "v.txt");
    FILE *fp = fopen(vals, "w");
    cr_assert(fp);
    uint64_t st = 88172645463325252ull;
    for (int i = 0; i < 5000; i++) {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        double v = (double)(st % 1000003) / 997.0 - 300.0;
        if (i % 97 == 0)
            v = -300.0 + 0.1 * (i % 7);   /* repeated values near the minimum */
        cr_assert_eq(sx_col_push_f64(x, v), SX_OK);
        fprintf(fp, "%.17g\n", v);
    }
    fclose(fp);
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_HIST, .x = 0, .by = -1};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    cr_assert_eq(c->nbins, SX_PLOT_DEFAULT_BINS);

    char *cmd = NULL;
    cr_assert(asprintf(&cmd,
                       "%s -c 'import numpy as np\n"
                       "v = np.loadtxt(\"%s\")\n"
                       "c, e = np.histogram(v, bins=20)\n"
                       "print(\" \".join(repr(float(x)) for x in e))\n"
                       "print(\" \".join(str(int(x)) for x in c))'",
                       py, vals) > 0);
    FILE *pp = popen(cmd, "r");
    cr_assert(pp);
    for (size_t i = 0; i <= 20; i++) {
        double e;
        cr_assert_eq(fscanf(pp, "%lf", &e), 1);
        cr_assert_eq(c->edges[i], e, "edge %zu: %.17g vs numpy %.17g", i, c->edges[i], e);
    }
    for (size_t i = 0; i < 20; i++) {
        unsigned long long n;
        cr_assert_eq(fscanf(pp, "%llu", &n), 1);
        cr_assert_eq(c->counts[i], n, "bin %zu: %llu vs numpy %llu", i,
                     (unsigned long long)c->counts[i], n);
    }
    cr_assert_eq(pclose(pp), 0);
    free(cmd);
    sx_plot_chart_free(c);

    /* One distinct value: numpy widens the range by 0.5 each way. */
    struct sx_frame *g = frame_new();
    struct sx_column *y = col_add(g, "y", SX_FLOAT);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sx_col_push_f64(y, 3.0), SX_OK);
    frame_done(g);
    c = chart_ok(g, NULL, 0, &s);
    cr_assert_eq(c->edges[0], 2.5);
    cr_assert_eq(c->edges[20], 3.5);
    cr_assert_eq(c->counts[10], 3);   /* numpy: bin [3.0, 3.05) */
    sx_plot_chart_free(c);
    sx_frame_free(g);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(vals);
    free(dir);
}

Test(plot, hist_by_groups)
{
    struct sx_frame *f = frame_new();
    struct sx_column *x = col_add(f, "x", SX_FLOAT);
    struct sx_column *g = col_add(f, "region", SX_CATEGORY);
    struct sx_column *n = col_add(f, "year", SX_INT);
    static const struct {
        double x;
        const char *g;
        int64_t year;
    } rows[] = {
        {0, "west", 2019}, {1, "east", 2020}, {2, "west", 2019}, {3, NULL, 9},
        {4, "east", 2020}, {4, "west", 10}, {NAN, "north", 2019},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cr_assert_eq(sx_col_push_f64(x, rows[i].x), SX_OK);
        push_str(g, rows[i].g);
        cr_assert_eq(sx_col_push_i64(n, rows[i].year), SX_OK);
    }
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_HIST, .x = 0, .by = 1, .bins = 2};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    /* "north" has no number to count: no series; the missing region row is out. */
    cr_assert_eq(c->nseries, 2);
    cr_assert_str_eq(c->series[0], "east");
    cr_assert_str_eq(c->series[1], "west");
    cr_assert_eq(c->edges[0], 0);
    cr_assert_eq(c->edges[2], 4);
    cr_assert_eq(c->counts[0], 1);   /* east: 1 | 4 */
    cr_assert_eq(c->counts[1], 1);
    cr_assert_eq(c->counts[2], 1);   /* west: 0 | 2, 4 */
    cr_assert_eq(c->counts[3], 2);
    cr_assert_eq(c->rows, 5);
    cr_assert_str_eq(c->title, "count of x by region");
    cr_assert(strstr(c->script, "set key"));
    cr_assert(strstr(c->plot_image, "title 'east' noenhanced"));
    cr_assert(strstr(c->plot_image, "title 'west' noenhanced"));
    char *db = datablock(c->script);
    cr_assert_str_eq(db, "1 1 1\n3 1 2\n");
    free(db);
    sx_plot_chart_free(c);

    /* Int groups sort by number: 9 < 10 < 2019 < 2020. */
    s.by = 2;
    c = chart_ok(f, NULL, 0, &s);
    cr_assert_eq(c->nseries, 4);
    cr_assert_str_eq(c->series[0], "9");
    cr_assert_str_eq(c->series[1], "10");
    cr_assert_str_eq(c->series[2], "2019");
    cr_assert_str_eq(c->series[3], "2020");
    sx_plot_chart_free(c);
    sx_frame_free(f);
}

Test(plot, chart_type_errors)
{
    struct sx_frame *f = frame_new();
    struct sx_column *x = col_add(f, "x", SX_FLOAT);
    struct sx_column *t = col_add(f, "name", SX_TEXT);
    struct sx_column *m = col_add(f, "empty", SX_FLOAT);
    struct sx_column *u = col_add(f, "id", SX_INT);
    for (int i = 0; i < 40; i++) {
        cr_assert_eq(sx_col_push_f64(x, i), SX_OK);
        char buf[16];
        snprintf(buf, sizeof buf, "n%d", i);
        push_str(t, buf);
        cr_assert_eq(sx_col_push_missing(m), SX_OK);
        cr_assert_eq(sx_col_push_i64(u, i), SX_OK);
    }
    frame_done(f);
    struct sx_err err;
    static const struct {
        struct sx_plot_spec s;
        enum sx_status rc;
        const char *msg;
    } cases[] = {
        {{.kind = SX_PLOT_HIST, .x = 1, .by = -1}, SX_ETYPE, "hist needs a numeric or date column; 'name' is text"},
        {{.kind = SX_PLOT_SCATTER, .x = 0, .y = 1, .by = -1}, SX_ETYPE, "numeric Y column; 'name' is text"},
        {{.kind = SX_PLOT_LINE, .x = 1, .y = 0, .by = -1}, SX_ETYPE, "line needs a date"},
        {{.kind = SX_PLOT_HIST, .x = 0, .by = 0}, SX_ETYPE, "by needs a category, text, bool or int column; 'x' is float"},
        {{.kind = SX_PLOT_HIST, .x = 2, .by = -1}, SX_EINVAL, "'empty' has no values to plot"},
        {{.kind = SX_PLOT_SCATTER, .x = 0, .y = 2, .by = -1}, SX_EINVAL, "no row has both"},
        {{.kind = SX_PLOT_HIST, .x = 0, .by = 1}, SX_ELIMIT, "more than 16 distinct values"},
        {{.kind = SX_PLOT_HIST, .x = 0, .by = 3}, SX_ELIMIT, "'id' has more than 16"},
        {{.kind = SX_PLOT_HIST, .x = 9, .by = -1}, SX_EINVAL, "out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sx_plot_chart *c = sx_plot_chart_new(f, NULL, 0, NULL, &cases[i].s, &err);
        cr_assert_null(c, "case %zu", i);
        cr_assert_eq(err.code, cases[i].rc, "case %zu: %s", i, err.msg);
        cr_assert(strstr(err.msg, cases[i].msg), "case %zu: %s", i, err.msg);
    }
    sx_frame_free(f);
}

/* ---- scatter and line ---- */

Test(plot, scatter_sample_is_even_and_deterministic)
{
    struct sx_frame *f = frame_new();
    struct sx_column *x = col_add(f, "x", SX_FLOAT);
    struct sx_column *y = col_add(f, "y", SX_INT);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(i % 10 == 5 ? sx_col_push_missing(x) : sx_col_push_f64(x, i), SX_OK);
        cr_assert_eq(sx_col_push_i64(y, 2 * i), SX_OK);
    }
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_SCATTER, .x = 0, .y = 1, .by = -1, .max_points = 9};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    cr_assert_eq(c->rows, 900);
    cr_assert_eq(c->plotted, 9);
    /* Complete rows k*100 for k = 0..8 (positions 0, 100, … of 900). */
    char *db = datablock(c->script);
    cr_assert_str_eq(db, "0 0\n111 222\n222 444\n333 666\n444 888\n556 1112\n667 1334\n"
                         "778 1556\n889 1778\n");
    cr_assert_str_eq(c->title, "y vs x (sample of 9 of 900 rows)");
    struct sx_plot_chart *again = chart_ok(f, NULL, 0, &s);
    cr_assert_str_eq(again->script, c->script);
    sx_plot_chart_free(again);
    free(db);
    sx_plot_chart_free(c);

    /* Small frames are plotted whole. */
    s.max_points = 0;
    c = chart_ok(f, NULL, 0, &s);
    cr_assert_eq(c->plotted, 900);
    cr_assert_str_eq(c->title, "y vs x");
    cr_assert(strstr(c->plot_text, "pt '*'"));
    sx_plot_chart_free(c);
    sx_frame_free(f);
}

Test(plot, line_means_per_date_and_group)
{
    struct sx_frame *f = frame_new();
    struct sx_column *d = col_add(f, "date", SX_DATE);
    struct sx_column *y = col_add(f, "demand", SX_FLOAT);
    struct sx_column *g = col_add(f, "region", SX_TEXT);
    static const struct {
        int64_t day;
        double y;
        const char *g;
    } rows[] = {
        {2, 10, "b"}, {1, 1, "a"}, {1, 3, "a"}, {2, 5, "a"}, {1, 7, "b"}, {2, 20, "b"}, {1, 9, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cr_assert_eq(sx_col_push_i64(d, rows[i].day), SX_OK);
        cr_assert_eq(sx_col_push_f64(y, rows[i].y), SX_OK);
        push_str(g, rows[i].g);
    }
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_LINE, .x = 0, .y = 1, .by = 2};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    cr_assert_eq(c->nseries, 2);
    cr_assert_str_eq(c->series[0], "a");
    cr_assert_str_eq(c->series[1], "b");
    cr_assert(c->xtime && c->xdays);
    cr_assert_eq(c->plotted, 4);
    cr_assert_eq(c->rows, 6);
    /* Dates as seconds; data sets in series order, two blank lines apart. */
    char *db = datablock(c->script);
    cr_assert_str_eq(db, "86400 2\n172800 5\n\n\n86400 7\n172800 15\n");
    free(db);
    cr_assert_str_eq(c->title, "mean demand per date by region");
    cr_assert(strstr(c->plot_text, "$d index 0 using 1:2 with lines title 'a' noenhanced"));
    cr_assert(strstr(c->plot_text, "$d index 1 using 1:2 with lines title 'b' noenhanced"));
    sx_plot_chart_free(c);

    s.by = -1;
    c = chart_ok(f, NULL, 0, &s);
    db = datablock(c->script);
    cr_assert_str_eq(db, "86400 5\n172800 11.666666666666666\n");
    free(db);
    cr_assert(strstr(c->script, "unset key"));
    sx_plot_chart_free(c);
    sx_frame_free(f);
}

/* ---- the dumb terminal parser ---- */

static const char *cell(const struct sx_plot_grid *g, int x, int y)
{
    return g->cells[y * g->w + x].ch;
}

Test(plot, grid_parse_synthetic)
{
    static const char text[] =
        "\f\x1b[0;39mab\x1b[38;5;128mc\x1b[0;39md\x1b[1me\x1b[22m\n"
        "\x1b[31mx\x1b[94my\x1b[38;2;255;0;0mz\x1b[39m\x1b[2Jw\x1b(Bv\n"
        "caf\xc3\xa9\xe5\x8c\x97\xff\x07t\x1b]0;title\x07\r!\n"
        "0123456789\n"
        "row beyond the grid\n";
    struct sx_plot_grid g;
    struct sx_err err;
    cr_assert_eq(sx_plot_grid_parse(text, sizeof text - 1, 8, 4, &g, &err), SX_OK);
    cr_assert_eq(g.w, 8);
    cr_assert_eq(g.h, 4);
    cr_assert_str_eq(cell(&g, 0, 0), "a");
    cr_assert_eq(g.cells[0].color, SX_PLOT_COLOR_DEFAULT);
    cr_assert_str_eq(cell(&g, 2, 0), "c");
    cr_assert_eq(g.cells[2].color, 128);
    cr_assert_eq(g.cells[3].color, SX_PLOT_COLOR_DEFAULT);
    cr_assert_eq(g.cells[4].bold, 1);
    cr_assert_str_eq(cell(&g, 5, 0), " ");             /* padding */
    cr_assert_eq(g.cells[g.w + 0].color, 1);           /* 31: red */
    cr_assert_eq(g.cells[g.w + 1].color, 12);          /* 94: bright blue */
    cr_assert_eq(g.cells[g.w + 2].color, 196);         /* 38;2;255;0;0 */
    cr_assert_str_eq(cell(&g, 3, 1), "w");             /* ESC[2J dropped */
    cr_assert_str_eq(cell(&g, 4, 1), "v");             /* ESC ( B dropped */
    cr_assert_str_eq(cell(&g, 0, 2), "!");             /* CR went back to column 0 */
    cr_assert_str_eq(cell(&g, 3, 2), "\xc3\xa9");
    cr_assert_str_eq(cell(&g, 4, 2), "\xe5\x8c\x97");
    cr_assert_str_eq(cell(&g, 5, 2), "?");             /* invalid byte */
    cr_assert_str_eq(cell(&g, 6, 2), "t");             /* BEL dropped */
    cr_assert_str_eq(cell(&g, 7, 3), "7");             /* cut at the width */
    for (int i = 0; i < g.w * g.h; i++)
        cr_assert(!strchr(g.cells[i].ch, '\x1b') && g.cells[i].ch[0] != '\f');
    sx_plot_grid_free(&g);
}

/* Output captured from gnuplot 5.4.4 (`set terminal dumb size 40,10
 * ansi256`, two lines titled a and b): the text and the palette colours of
 * the key samples and the lines land in the right cells. */
Test(plot, grid_parse_captured_output)
{
    static const char captured[] =
        "\f\x1b[0;39m                                        \n"
        "\x1b[0;39m            \x1b[0;39ma \x1b[38;5;128m+-----+\x1b[0;39mb \x1b[38;5;36m+-----+          \n"
        "\x1b[0;39m   \x1b[0;39m 3 +-----------------------------+   \n"
        "\x1b[0;39m \x1b[0;39m 2.5 |-\x1b[38;5;36m---   \x1b[0;39m+  \x1b[38;5;128m--- \x1b[0;39m+   \x1b[38;5;128m-------- \x1b[0;39m+-|   \n"
        "\x1b[0;39m   \x1b[0;39m 2 |-+  \x1b[38;5;36m---\x1b[38;5;128m---                -\x1b[38;5;36m--\x1b[0;39m|   \n"
        "\x1b[0;39m      \x1b[0;39m|    \x1b[38;5;128m---\x1b[38;5;36m---            -----  \x1b[0;39m|   \n"
        "\x1b[0;39m \x1b[0;39m 1.5 |-\x1b[38;5;128m---   \x1b[0;39m+  \x1b[38;5;36m--- \x1b[0;39m+  \x1b[38;5;36m-----\x1b[0;39m+    +-|   \n"
        "\x1b[0;39m   \x1b[0;39m 1 +-----------------------------+   \n"
        "\x1b[0;39m     \x1b[0;39m 1      1.5     2      2.5     3   \n"
        "\x1b[0;39m                                        \n"
        "\x1b[0;39;49m";
    static const char *const text[10] = {
        "                                        ",
        "            a +-----+b +-----+          ",
        "    3 +-----------------------------+   ",
        "  2.5 |----   +  --- +   -------- +-|   ",
        "    2 |-+  ------                ---|   ",
        "      |    ------            -----  |   ",
        "  1.5 |----   +  --- +  -----+    +-|   ",
        "    1 +-----------------------------+   ",
        "      1      1.5     2      2.5     3   ",
        "                                        ",
    };
    struct sx_plot_grid g;
    struct sx_err err;
    cr_assert_eq(sx_plot_grid_parse(captured, sizeof captured - 1, 40, 10, &g, &err), SX_OK);
    for (int y = 0; y < 10; y++) {
        char line[64] = "";
        for (int x = 0; x < 40; x++)
            strcat(line, cell(&g, x, y));
        cr_assert_str_eq(line, text[y], "row %d", y);
    }
    cr_assert_eq(g.cells[1 * 40 + 12].color, SX_PLOT_COLOR_DEFAULT);   /* "a" */
    for (int x = 14; x <= 20; x++)
        cr_assert_eq(g.cells[1 * 40 + x].color, 128, "key sample a, column %d", x);
    for (int x = 23; x <= 29; x++)
        cr_assert_eq(g.cells[1 * 40 + x].color, 36, "key sample b, column %d", x);
    cr_assert_eq(g.cells[3 * 40 + 7].color, SX_PLOT_COLOR_DEFAULT);    /* the tic */
    cr_assert_eq(g.cells[3 * 40 + 8].color, 36);                        /* line b */
    cr_assert_eq(g.cells[4 * 40 + 14].color, 128);                      /* line a */
    cr_assert_eq(g.cells[2 * 40 + 6].color, SX_PLOT_COLOR_DEFAULT);    /* the border */
    sx_plot_grid_free(&g);
}

/* Real gnuplot output, coloured: a frame, the title, the key, colours. */
Test(plot, grid_parse_real_output)
{
    struct sx_frame *f = frame_new();
    struct sx_column *x = col_add(f, "temperature", SX_FLOAT);
    struct sx_column *g = col_add(f, "season", SX_CATEGORY);
    for (int i = 0; i < 200; i++) {
        cr_assert_eq(sx_col_push_f64(x, (i * 37) % 101), SX_OK);
        push_str(g, i % 2 ? "summer" : "winter");
    }
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_HIST, .x = 0, .by = 1};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    struct sx_plot *p = gp_open();
    struct sx_plot_grid gr;
    struct sx_err err;
    cr_assert_eq(sx_plot_render_text(p, c, 60, 22, 1, &gr, &err), SX_OK, "%s", err.msg);
    cr_assert_eq(gr.w, 60);
    cr_assert_eq(gr.h, 22);
    char rows[22][256];
    int coloured = 0, corners = 0;
    for (int y = 0; y < gr.h; y++) {
        rows[y][0] = '\0';
        for (int xx = 0; xx < gr.w; xx++) {
            const struct sx_plot_cell *cl = &gr.cells[y * gr.w + xx];
            cr_assert(cl->ch[0] != '\x1b' && cl->ch[0] != '\f');
            strcat(rows[y], cl->ch);
            coloured += cl->color > 15;
        }
        corners += strstr(rows[y], "+---") != NULL;
    }
    int title = 0, key = 0;
    for (int y = 0; y < gr.h; y++) {
        title += strstr(rows[y], "count of temperature by season") != NULL;
        key += strstr(rows[y], "summer") != NULL && strstr(rows[y], "winter") != NULL;
    }
    cr_assert_eq(title, 1);
    cr_assert_eq(key, 1);
    cr_assert_geq(corners, 2, "the plot border");
    cr_assert_gt(coloured, 10, "series drawn in palette colours");
    sx_plot_grid_free(&gr);

    /* Mono: no colours at all. */
    cr_assert_eq(sx_plot_render_text(p, c, 60, 22, 0, &gr, &err), SX_OK, "%s", err.msg);
    for (int i = 0; i < gr.w * gr.h; i++)
        cr_assert_eq(gr.cells[i].color, SX_PLOT_COLOR_DEFAULT);
    sx_plot_grid_free(&gr);
    /* Short charts give their rows to the plot: no title under 20 rows,
     * no key and no x label under 12. */
    static const struct {
        int h, title, key, xlabel;
    } shorts[] = {{19, 0, 1, 1}, {11, 0, 0, 0}};
    for (size_t k = 0; k < 2; k++) {
        cr_assert_eq(sx_plot_render_text(p, c, 60, shorts[k].h, 0, &gr, &err), SX_OK, "%s",
                     err.msg);
        int t = 0, ky = 0, xl = 0;
        for (int y = 0; y < gr.h; y++) {
            char line[256] = "";
            for (int xx = 0; xx < gr.w; xx++)
                strcat(line, gr.cells[y * gr.w + xx].ch);
            t += strstr(line, "count of") != NULL;
            ky += strstr(line, "summer") != NULL;
            xl += strstr(line, "temperature") != NULL;
        }
        cr_assert_eq(t, shorts[k].title, "height %d", shorts[k].h);
        cr_assert_eq(ky, shorts[k].key, "height %d", shorts[k].h);
        cr_assert_eq(xl, shorts[k].xlabel, "height %d", shorts[k].h);
        sx_plot_grid_free(&gr);
    }
    cr_assert_eq(sx_plot_render_text(p, c, 10, 15, 0, &gr, &err), SX_EINVAL);
    sx_plot_close(p);
    sx_plot_chart_free(c);
    sx_frame_free(f);
}

/* The text of row Y of G (ASCII cells). */
static void grid_row(const struct sx_plot_grid *g, int y, char *out, size_t size)
{
    out[0] = '\0';
    for (int x = 0; x < g->w && strlen(out) + 5 < size; x++)
        strcat(out, g->cells[y * g->w + x].ch);
}

/* Whether some row of G contains every one of WANT (NULL-terminated). */
static int grid_row_has(const struct sx_plot_grid *g, const char *const *want)
{
    for (int y = 0; y < g->h; y++) {
        char row[1024];
        grid_row(g, y, row, sizeof row);
        int all = 1;
        for (size_t i = 0; want[i]; i++)
            all &= strstr(row, want[i]) != NULL;
        if (all)
            return 1;
    }
    return 0;
}

/* Time axes get tics on calendar or clock boundaries, labelled to fit. */
Test(plot, time_axis_tics)
{
    struct sx_plot *p = gp_open();
    struct sx_err err;
    struct sx_plot_grid g;
    static const struct {
        enum sx_date_unit unit;
        int64_t start, step;
        int n;
        const char *want[4];
    } cases[] = {
        /* 2018-01-01 .. about 2022-12: years */
        {SX_DAYS, 17532, 1, 1800, {"2018", "2020", "2022", NULL}},
        /* 2018-01-01 .. 2018-06-29: months */
        {SX_DAYS, 17532, 1, 180, {"2018-02", "2018-04", "2018-06", NULL}},
        /* 2020-01-01 00:00 .. 20:00: clock hours */
        {SX_SECONDS, 1577836800, 600, 121, {"03:00", "06:00", "18:00", NULL}},
        /* 2020-01-01 23:00 .. 2020-01-02 20:00: hours with the day */
        {SX_SECONDS, 1577919600, 900, 85, {"01-02 00:00", "01-02 12:00", NULL, NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sx_frame *f = frame_new();
        struct sx_column *d = col_add(f, "when", SX_DATE);
        struct sx_column *y = col_add(f, "v", SX_FLOAT);
        d->unit = cases[i].unit;
        for (int k = 0; k < cases[i].n; k++) {
            cr_assert_eq(sx_col_push_i64(d, cases[i].start + k * cases[i].step), SX_OK);
            cr_assert_eq(sx_col_push_f64(y, k % 7), SX_OK);
        }
        frame_done(f);
        struct sx_plot_spec s = {.kind = SX_PLOT_LINE, .x = 0, .y = 1, .by = -1};
        struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
        cr_assert(c->xtime);
        cr_assert_eq(sx_plot_render_text(p, c, 80, 25, 0, &g, &err), SX_OK, "%s", err.msg);
        cr_assert(grid_row_has(&g, cases[i].want), "case %zu: tics %s …", i, cases[i].want[0]);
        sx_plot_grid_free(&g);
        sx_plot_chart_free(c);
        sx_frame_free(f);
    }
    sx_plot_close(p);
}

/* ---- the co-process ---- */

Test(plot, run_errors_and_restart)
{
    struct sx_plot *p = gp_open();
    struct sx_err err;
    cr_assert(strncmp(sx_plot_version(p), "5.", 2) == 0 || sx_plot_version(p)[0] > '5');
    char *out = NULL;
    cr_assert_eq(sx_plot_run(p, "set bogusoption\n", 0, &out, NULL, &err), SX_EINVAL);
    cr_assert_null(out);
    cr_assert(strncmp(err.msg, "gnuplot: ", 9) == 0, "%s", err.msg);
    cr_assert(strcasestr(err.msg, "unrecognized option"), "%s", err.msg);
    /* Warnings are not errors; the same process answers again. */
    cr_assert_eq(sx_plot_run(p, "set terminal dumb\nset output '/dev/null'\n$w << EOD\n1 1\nEOD\nplot $w\n"
                                "set print '-'\nprint 6*7\n", 0, &out, NULL, &err),
                 SX_OK, "%s", err.msg);
    cr_assert_str_eq(out, "42\n");
    free(out);
    /* gnuplot exits: reported, and the next call starts a new one. */
    cr_assert_eq(sx_plot_run(p, "exit\n", 5000, NULL, NULL, &err), SX_EIO);
    cr_assert(strstr(err.msg, "exited"), "%s", err.msg);
    cr_assert_eq(sx_plot_run(p, "set print '-'\nprint 'again'\n", 0, &out, NULL, &err), SX_OK,
                 "%s", err.msg);
    cr_assert_str_eq(out, "again\n");
    free(out);
    /* A script that never ends is cut off. */
    cr_assert_eq(sx_plot_run(p, "pause 30\n", 500, NULL, NULL, &err), SX_EIO);
    cr_assert(strstr(err.msg, "did not finish"), "%s", err.msg);
    cr_assert_eq(sx_plot_run(p, "set print '-'\nprint 1\n", 0, &out, NULL, &err), SX_OK);
    free(out);
    /* A big script (more than a pipe holds) goes through. */
    size_t n = 200000;
    char *big = malloc(n * 12 + 64);
    size_t o = 0;
    o += (size_t)sprintf(big, "$big << EOD\n");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(big + o, "%zu\n", i);
    sprintf(big + o, "EOD\nset print '-'\nprint |$big|\n");
    cr_assert_eq(sx_plot_run(p, big, 0, &out, NULL, &err), SX_OK, "%s", err.msg);
    cr_assert_str_eq(out, "200000\n");
    free(out);
    free(big);
    sx_plot_close(p);
}

Test(plot, no_gnuplot_on_path)
{
    char *dir = tu_tmpdir();
    char *old = strdup(getenv("PATH") ? getenv("PATH") : "");
    setenv("PATH", dir, 1);
    struct sx_plot *p = NULL;
    struct sx_err err;
    cr_assert_eq(sx_plot_open(&p, &err), SX_ENOTFOUND);
    cr_assert_null(p);
    cr_assert_str_eq(err.msg, "gnuplot is not installed");
    setenv("PATH", old, 1);
    /* SEXTANT_GNUPLOT names the program instead. */
    setenv("SEXTANT_GNUPLOT", "sextant-no-such-gnuplot", 1);
    cr_assert_eq(sx_plot_open(&p, &err), SX_ENOTFOUND);
    cr_assert_str_eq(err.msg, "gnuplot is not installed");
    setenv("SEXTANT_GNUPLOT", "/bin/false", 1);   /* runs, but is no gnuplot */
    cr_assert_neq(sx_plot_open(&p, &err), SX_OK);
    cr_assert_null(p);
    unsetenv("SEXTANT_GNUPLOT");
    cr_assert_eq(sx_plot_open(&p, &err), SX_OK, "%s", err.msg);
    sx_plot_close(p);
    free(old);
    tu_rmrf(dir);
    free(dir);
}

Test(plot, export_png_and_svg)
{
    struct sx_frame *f = frame_new();
    struct sx_column *d = col_add(f, "day", SX_DATE);
    struct sx_column *y = col_add(f, "v", SX_FLOAT);
    for (int i = 0; i < 800; i++) {
        cr_assert_eq(sx_col_push_i64(d, 17532 + i), SX_OK);   /* 2018-01-01 … */
        cr_assert_eq(sx_col_push_f64(y, sin(i / 30.0)), SX_OK);
    }
    frame_done(f);
    struct sx_plot_spec s = {.kind = SX_PLOT_LINE, .x = 0, .y = 1, .by = -1};
    struct sx_plot_chart *c = chart_ok(f, NULL, 0, &s);
    struct sx_plot *p = gp_open();
    struct sx_err err;
    char *dir = tu_tmpdir(), *png = tu_path(dir, "a.png"), *svg = tu_path(dir, "it's.svg");
    cr_assert_eq(sx_plot_export(p, c, SX_PLOT_PNG, png, &err), SX_OK, "%s", err.msg);
    size_t len;
    char *data = tu_read(png, &len);
    cr_assert(data && len > 1000 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(data);
    cr_assert_eq(sx_plot_export(p, c, SX_PLOT_SVG, svg, &err), SX_OK, "%s", err.msg);
    data = tu_read(svg, NULL);
    cr_assert(data && strstr(data, "<svg") && strstr(data, "mean v per day"));
    /* Calendar tics: the first of each year or of months, as dates. */
    cr_assert(strstr(data, ">2018-07<") || strstr(data, ">2019<"), "time tics in %.200s", data);
    free(data);
    /* Bad paths fail with their own message and leave nothing. */
    char *missing = tu_path(dir, "no/such/dir.png");
    cr_assert_eq(sx_plot_export(p, c, SX_PLOT_PNG, missing, &err), SX_EIO);
    cr_assert(strstr(err.msg, "No such file"), "%s", err.msg);
    cr_assert_eq(sx_plot_export(p, c, SX_PLOT_PNG, "a\nb.png", &err), SX_EINVAL);
    cr_assert_eq(sx_plot_export(p, c, SX_PLOT_PNG, "", &err), SX_EINVAL);
    /* A relative path starting with '|' is a file name, never a pipe. */
    char cwd[4096];
    cr_assert(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(dir), 0);
    cr_assert_eq(sx_plot_export(p, c, SX_PLOT_SVG, "|touch piped", &err), SX_OK, "%s", err.msg);
    cr_assert(file_exists("|touch piped"));
    cr_assert(!file_exists("piped"));
    cr_assert_eq(chdir(cwd), 0);
    sx_plot_close(p);
    sx_plot_chart_free(c);
    sx_frame_free(f);
    tu_rmrf(dir);
    free(missing);
    free(png);
    free(svg);
    free(dir);
}

/* ---- `sextant plot` ---- */

/* A CSV whose header and category values try to run commands: backquotes,
 * a quote break into system(), $(…), double quotes, newlines, escapes. */
static char *hostile_csv(const char *dir)
{
    char *csv = tu_path(dir, "hostile.csv"), *text = NULL;
    cr_assert(asprintf(&text,
                       "\"n`touch %s/X1`\",\"g'; system(\"\"touch %s/X2\"\"); '\",day\n"
                       "1,\"`touch %s/X3`\",2020-01-01\n"
                       "2,\"a\"\"b <&> c\",2020-01-02\n"
                       "3,\"line1\nline2\",2020-01-03\n"
                       "4,$(touch %s/X4),2020-01-04\n"
                       "5,\"esc\x1b[2Jx\",2020-01-05\n"
                       "6,\"`touch %s/X3`\",2020-01-05\n",
                       dir, dir, dir, dir, dir) > 0);
    tu_write(csv, text, (size_t)-1);
    free(text);
    return csv;
}

static void assert_no_markers(const char *dir)
{
    for (int i = 1; i <= 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "X%d", i);
        char *m = tu_path(dir, name);
        cr_assert(!file_exists(m), "%s exists: something ran", m);
        free(m);
    }
}

Test(plot, cli_injection)
{
    char *dir = tu_tmpdir(), *csv = hostile_csv(dir), *svg = tu_path(dir, "out.svg");
    char *xcol = NULL, *gcol = NULL;
    cr_assert(asprintf(&xcol, "n`touch %s/X1`", dir) > 0);
    cr_assert(asprintf(&gcol, "g'; system(\"touch %s/X2\"); '", dir) > 0);

    struct tu_run r = tu_sextant(dir, "plot", csv, "--kind", "hist", "--x", xcol, "--by", gcol,
                                 "--svg", svg, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert_str_eq(r.err, "");
    tu_run_free(&r);
    char *data = tu_read(svg, NULL);
    cr_assert(data);
    /* The labels are there as text, XML-escaped where needed. */
    char *want = NULL;
    cr_assert(asprintf(&want, "<text>`touch %s/X3`</text>", dir) > 0);
    cr_assert(strstr(data, want), "%s", want);
    free(want);
    cr_assert(strstr(data, "<text>a\"b &lt;&amp;> c</text>"));
    cr_assert(strstr(data, "<text>line1 line2</text>"));
    cr_assert(strstr(data, "<text>esc [2Jx</text>"));
    cr_assert(asprintf(&want, "<text>$(touch %s/X4)</text>", dir) > 0);
    cr_assert(strstr(data, want), "%s", want);
    free(want);
    cr_assert(asprintf(&want, "count of n`touch %s/X1` by g'; system(\"touch %s/X2\"); '", dir,
                       dir) > 0);
    cr_assert(strstr(data, want), "title %s", want);
    free(want);
    cr_assert(!strchr(data, '\x1b'));
    free(data);

    r = tu_sextant(dir, "plot", csv, "--kind", "hist", "--x", xcol, "--by", gcol, "--text", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "a\"b <&> c"));
    cr_assert(strstr(r.out, "line1 line2"));
    cr_assert(!strchr(r.out, '\x1b') && !strchr(r.out, '\r') && !strchr(r.out, '\f'));
    tu_run_free(&r);

    r = tu_sextant(dir, "plot", csv, "--kind", "line", "--x", "day", "--y", xcol, "--by", gcol,
                   "--text", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "line1 line2"));
    tu_run_free(&r);

    r = tu_sextant(dir, "plot", csv, "--kind", "scatter", "--x", "day", "--y", xcol, "--by", gcol,
                   "--png", svg, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_no_markers(dir);
    tu_rmrf(dir);
    free(xcol);
    free(gcol);
    free(csv);
    free(svg);
    free(dir);
}

/* One line on stderr and exit 1. */
static void one_line_failure(struct tu_run r, const char *want)
{
    cr_assert_eq(r.status, 1, "%s: status %d %s", want, r.status, r.err);
    cr_assert(strstr(r.err, want), "want '%s' in: %s", want, r.err);
    size_t nl = 0;
    for (const char *p = r.err; *p; p++)
        nl += *p == '\n';
    cr_assert_eq(nl, 1, "one line: %s", r.err);
    cr_assert_str_eq(r.out, "");
    tu_run_free(&r);
}

Test(plot, cli_errors)
{
    char *dir = tu_tmpdir(), *csv = tu_path(dir, "d.csv");
    tu_write(csv, "x,name,when\n1,a,2020-01-01\n2,b,2020-01-02\n3,a,2020-01-03\n", (size_t)-1);
    one_line_failure(tu_sextant(dir, "plot", csv, "--kind", "hist", "--x", "nope", "--text", NULL),
                     "no column named 'nope'");
    one_line_failure(tu_sextant(dir, "plot", csv, "--kind", "hist", "--x", "name", "--text", NULL),
                     "hist needs a numeric or date column; 'name' is ");
    one_line_failure(tu_sextant(dir, "plot", csv, "--kind", "scatter", "--x", "x", "--y", "name",
                                "--text", NULL),
                     "numeric Y column");
    one_line_failure(tu_sextant(dir, "plot", csv, "--kind", "hist", "--x", "x", "--by", "when",
                                "--text", NULL),
                     "by needs a category");
    one_line_failure(tu_sextant(dir, "plot", "missing.csv", "--kind", "hist", "--x", "x", "--text",
                                NULL),
                     "missing.csv");
    char *bad = tu_path(dir, "no/dir/x.svg");
    one_line_failure(tu_sextant(dir, "plot", csv, "--kind", "hist", "--x", "x", "--svg", bad, NULL),
                     "No such file or directory");
    free(bad);

    /* Usage errors: exit 2. */
    static const char *const usage[][10] = {
        {"--kind", "hist", "--x", "x", NULL},
        {"--kind", "hist", "--x", "x", "--text", "--svg", "a.svg", NULL},
        {"--x", "x", "--text", NULL},
        {"--kind", "pie", "--x", "x", "--text", NULL},
        {"--kind", "scatter", "--x", "x", "--text", NULL},
        {"--kind", "hist", "--x", "x", "--y", "x", "--text", NULL},
        {"--kind", "hist", "--text", NULL},
    };
    for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++) {
        char *argv[16];
        size_t n = 0;
        argv[n++] = realpath(tu_bin(), NULL);
        argv[n++] = "plot";
        argv[n++] = csv;
        for (size_t k = 0; usage[i][k]; k++)
            argv[n++] = (char *)usage[i][k];
        argv[n] = NULL;
        struct tu_run r = tu_runv(dir, NULL, NULL, argv);
        cr_assert_eq(r.status, 2, "case %zu: %d %s", i, r.status, r.err);
        cr_assert(strstr(r.err, "try 'sextant plot --help'"), "%s", r.err);
        tu_run_free(&r);
        free(argv[0]);
    }
    struct tu_run r = tu_sextant(dir, "plot", "--help", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "usage: sextant plot", 19) == 0);
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}

Test(plot, cli_without_gnuplot)
{
    char *dir = tu_tmpdir(), *csv = tu_path(dir, "d.csv"), *png = tu_path(dir, "a.png");
    tu_write(csv, "x\n1\n2\n", (size_t)-1);
    char *path = NULL;
    cr_assert(asprintf(&path, "PATH=%s", dir) > 0);   /* a directory without gnuplot */
    char *env[] = {path, NULL};
    char *bin = realpath(tu_bin(), NULL);
    char *argv1[] = {bin, "plot", csv, "--kind", "hist", "--x", "x", "--text", NULL};
    one_line_failure(tu_runv(dir, env, NULL, argv1), "sextant: gnuplot is not installed");
    char *argv2[] = {bin, "plot", csv, "--kind", "hist", "--x", "x", "--png", png, NULL};
    one_line_failure(tu_runv(dir, env, NULL, argv2), "gnuplot is not installed");
    cr_assert(!file_exists(png));
    free(bin);
    free(path);
    tu_rmrf(dir);
    free(png);
    free(csv);
    free(dir);
}

/* --text on the demo data: a stored data set reloaded from its source,
 * drawn at 80x25 when stdout is not a terminal. */
Test(plot, cli_text_from_dataset)
{
    char *dir = tc_new_project(), *csv = tu_path(dir, "energy.csv");
    tc_write_demo(csv, 3000);
    struct tu_run r = tu_sextant(dir, "import", csv, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sextant(dir, "plot", "energy", "--kind", "hist", "--x", "temperature", "--text", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t lines = 0, widest = 0, cur = 0;
    for (const char *p = r.out; *p; p++) {
        if (*p == '\n') {
            lines++;
            widest = cur > widest ? cur : widest;
            cur = 0;
        } else {
            cur++;
        }
    }
    cr_assert_eq(lines, 25);
    cr_assert_leq(widest, 80);
    cr_assert(strstr(r.out, "count of temperature"));
    cr_assert(strstr(r.out, "+-----"));
    tu_run_free(&r);
    r = tu_sextant(dir, "plot", "energy", "--kind", "line", "--x", "date", "--y", "demand",
                   "--by", "region", "--text", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "mean demand per date by region"));
    cr_assert(strstr(r.out, "central"));
    tu_run_free(&r);
    tu_rmrf(dir);
    free(csv);
    free(dir);
}
