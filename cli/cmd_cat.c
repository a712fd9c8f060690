/* cli/cmd_cat.c: `sextant cat NAME|FILE.csv [-n N] [--csv|--json]`: the
 * rows of a CSV file or of a data set's (reloaded) source, typed: an
 * aligned table, RFC 4180 CSV or a JSON array of objects. CSV and JSON are
 * streamed row by row and are exact; the table is made safe for a
 * terminal. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

static const char help[] =
    "usage: sextant cat NAME[@VERSION]|FILE.csv [-n N] [--csv|--json]\n"
    "\n"
    "Print the rows of a CSV file, or of a data set (its source file is reloaded\n"
    "with the options it was imported with and must be unchanged), with their\n"
    "types applied.\n"
    "\n"
    "  -n, --rows N        the first N rows (default: 20 for the table, all rows\n"
    "                      for --csv and --json)\n"
    "  --csv               RFC 4180 CSV: comma-separated, fields holding a comma,\n"
    "                      quote, CR or LF quoted, missing cells empty, LF line ends\n"
    "  --json              a JSON array of objects, one per row: numbers, true/false,\n"
    "                      dates as \"YYYY-MM-DD\" strings, missing cells null\n"
    "  -h, --help          show this help\n";

/* V with at most 6 decimals, when that text reads back as V and %g would
 * not switch to an exponent: the shortest form, without snprintf/strtod.
 * Returns the length written to BUF (32 bytes), or 0 when V needs the
 * general path. */
static size_t short_decimal(double v, char *buf)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    for (int d = 0; d <= 6; d++) {
        double x = a * p10[d];
        if (x >= 9007199254740992.0)
            return 0;
        double r = nearbyint(x);
        if (r / p10[d] != a)
            continue;
        /* R / 10^D is correctly rounded to A, so the decimal R·10^-D reads back as A. */
        char digits[24], rev[24];
        uint64_t u = (uint64_t)r;
        int n = 0, o = 0;
        do {
            rev[n++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        for (int k = 0; k < n; k++)
            digits[k] = rev[n - 1 - k];
        if (v < 0)
            buf[o++] = '-';
        if (n <= d) {
            buf[o++] = '0';
            buf[o++] = '.';
            for (int z = 0; z < d - n; z++)
                buf[o++] = '0';
            memcpy(buf + o, digits, (size_t)n);
            o += n;
        } else {
            memcpy(buf + o, digits, (size_t)(n - d));
            o += n - d;
            if (d) {
                buf[o++] = '.';
                memcpy(buf + o, digits + n - d, (size_t)d);
                o += d;
            }
        }
        buf[o] = '\0';
        return (size_t)o;
    }
    return 0;
}

/* A float as text that reads back as the same double and as a float: the
 * shortest form, with ".0" added to whole numbers. BUF 40 bytes. */
static size_t float_text(double v, char *buf)
{
    size_t n = short_decimal(v, buf);
    if (!n)
        n = sx_num_format_double(v, buf);
    if (strspn(buf, "-0123456789") == n) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    return n;
}

/* The text of cell I of C for CSV: full strings, floats that read back as
 * floats. Returns a pointer to BUF or to the column's own string. */
static const char *cell_text(const struct sx_column *c, size_t i, char *buf, size_t size)
{
    if (!sx_col_valid(c, i))
        return "";
    if (c->type == SX_CATEGORY || c->type == SX_TEXT)
        return sx_col_str(c, i);
    if (c->type == SX_FLOAT && isfinite(c->v.f64[i]) && size >= 40) {
        float_text(c->v.f64[i], buf);
        return buf;
    }
    sx_col_format(c, i, buf, size);
    return buf;
}

static void csv_field(const char *s, FILE *fp)
{
    size_t plain = strcspn(s, ",\"\r\n");
    if (!s[plain]) {
        fwrite(s, 1, plain, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void write_csv(const struct sx_frame *f, size_t nrows)
{
    char buf[64];
    for (size_t j = 0; j < f->ncols; j++) {
        if (j)
            fputc(',', stdout);
        csv_field(f->cols[j]->name, stdout);
    }
    fputc('\n', stdout);
    for (size_t i = 0; i < nrows; i++) {
        for (size_t j = 0; j < f->ncols; j++) {
            if (j)
                fputc(',', stdout);
            csv_field(cell_text(f->cols[j], i, buf, sizeof buf), stdout);
        }
        fputc('\n', stdout);
    }
}

/* S as a JSON string (quotes included) on FP. S is valid UTF-8 (the loader
 * rejects anything else); control characters are escaped. */
static void json_str(const char *s, FILE *fp)
{
    fputc('"', fp);
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), fp);
        if (!*p)
            break;
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default: fprintf(fp, "\\u%04x", *p); break;
        }
        p++;
    }
    fputc('"', fp);
}

/* Cell I of C as a JSON value: floats in the shortest form that reads back
 * as the same double (always with a '.' or an exponent), NaN null,
 * infinities "inf"/"-inf", dates as strings, missing null. */
static void cell_json(const struct sx_column *c, size_t i, FILE *fp)
{
    char buf[64];
    if (!sx_col_valid(c, i)) {
        fputs("null", fp);
        return;
    }
    switch (c->type) {
    case SX_FLOAT: {
        double v = c->v.f64[i];
        if (isnan(v)) {
            fputs("null", fp);
        } else if (isinf(v)) {
            fputs(v < 0 ? "\"-inf\"" : "\"inf\"", fp);
        } else {
            float_text(v, buf);
            fputs(buf, fp);
        }
        return;
    }
    case SX_INT:
        fprintf(fp, "%lld", (long long)c->v.i64[i]);
        return;
    case SX_BOOL:
        fputs(c->v.b[i] ? "true" : "false", fp);
        return;
    case SX_DATE:
        sx_col_format(c, i, buf, sizeof buf);
        json_str(buf, fp);
        return;
    case SX_CATEGORY:
    case SX_TEXT:
        json_str(sx_col_str(c, i), fp);
        return;
    }
    fputs("null", fp);
}

/* One object per line inside one array, streamed: memory stays flat however
 * many rows there are. */
static void write_json(const struct sx_frame *f, size_t nrows)
{
    fputc('[', stdout);
    for (size_t i = 0; i < nrows; i++) {
        fputs(i ? ",\n{" : "\n{", stdout);
        for (size_t j = 0; j < f->ncols; j++) {
            if (j)
                fputc(',', stdout);
            json_str(f->cols[j]->name, stdout);
            fputc(':', stdout);
            cell_json(f->cols[j], i, stdout);
        }
        fputc('}', stdout);
    }
    fputs(nrows ? "\n]\n" : "]\n", stdout);
}

static void write_table(const struct sx_frame *f, size_t nrows)
{
    struct cli_table t;
    char buf[64];
    cli_table_init(&t, f->ncols, 32);
    for (size_t j = 0; j < f->ncols; j++) {
        if (f->cols[j]->type == SX_FLOAT || f->cols[j]->type == SX_INT)
            cli_table_right(&t, j);
        cli_table_add(&t, f->cols[j]->name);
    }
    for (size_t i = 0; i < nrows; i++)
        for (size_t j = 0; j < f->ncols; j++)
            cli_table_add(&t, cell_text(f->cols[j], i, buf, sizeof buf));
    cli_table_print(&t, stdout);
    cli_table_free(&t);
    if (nrows < f->nrows)
        printf("(%zu of %zu rows; -n N for more, --csv or --json for all)\n", nrows, f->nrows);
}

int cli_cmd_cat(struct cli *c, int argc, char **argv)
{
    enum { O_CSV = 256, O_JSON };
    static const struct option longopts[] = {
        {"rows", required_argument, NULL, 'n'},
        {"csv", no_argument, NULL, O_CSV},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt, format = 0;   /* 0 table, O_CSV, O_JSON */
    long long limit = -1;
    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":hn:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help);
        case 'n': {
            char *end;
            errno = 0;
            limit = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end || limit < 0)
                return cli_usage(c, "-n wants a number of rows (0 or more), got '%s'", optarg);
            break;
        }
        case O_CSV:
        case O_JSON:
            if (format && format != opt)
                return cli_usage(c, "--csv and --json exclude each other");
            format = opt;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (optind + 1 != argc)
        return cli_usage(c, optind >= argc ? "missing NAME or FILE" : "one NAME or FILE at a time");

    struct sx_frame *f = NULL;
    char *label = NULL;
    int rc = cli_load(c, argv[optind], NULL, 0, &f, &label);
    if (rc != CLI_EXIT_OK)
        return rc;
    size_t nrows = f->nrows;
    if (limit >= 0 && (unsigned long long)limit < nrows)
        nrows = (size_t)limit;
    else if (limit < 0 && format == 0 && nrows > 20)
        nrows = 20;
    if (format == O_CSV)
        write_csv(f, nrows);
    else if (format == O_JSON)
        write_json(f, nrows);
    else
        write_table(f, nrows);
    sx_frame_free(f);
    free(label);
    return cli_flush(CLI_EXIT_OK);
}
