/* cli/rows.c: rows of a frame out as text, shared by `sextant cat`,
 * `sextant transform` and `sextant predict-run`: RFC 4180 CSV (to a stream,
 * or atomically to a file) and a JSON array of objects, both streamed row
 * by row and exact (floats in the shortest form that reads back as the same
 * double), and the text of one cell. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "num.h"

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

const char *cli_cell_text(const struct sx_column *c, size_t i, char *buf, size_t size)
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

void cli_write_csv(const struct sx_frame *f, size_t nrows, FILE *fp)
{
    char buf[64];
    for (size_t j = 0; j < f->ncols; j++) {
        if (j)
            fputc(',', fp);
        csv_field(f->cols[j]->name, fp);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < nrows; i++) {
        for (size_t j = 0; j < f->ncols; j++) {
            if (j)
                fputc(',', fp);
            csv_field(cli_cell_text(f->cols[j], i, buf, sizeof buf), fp);
        }
        fputc('\n', fp);
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
void cli_write_json(const struct sx_frame *f, size_t nrows, FILE *fp)
{
    fputc('[', fp);
    for (size_t i = 0; i < nrows; i++) {
        fputs(i ? ",\n{" : "\n{", fp);
        for (size_t j = 0; j < f->ncols; j++) {
            if (j)
                fputc(',', fp);
            json_str(f->cols[j]->name, fp);
            fputc(':', fp);
            cell_json(f->cols[j], i, fp);
        }
        fputc('}', fp);
    }
    fputs(nrows ? "\n]\n" : "]\n", fp);
}

int cli_write_csv_file(const char *path, const struct sx_frame *f)
{
    char *tmp = cli_xmalloc(strlen(path) + 16);
    int fd, rc = CLI_EXIT_OK;
    FILE *fp;
    mode_t mask;

    sprintf(tmp, "%s.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0) {
        rc = cli_fail("%s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    /* mkstemp makes the file 0600; give it what a new file would get. */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(fp = fdopen(fd, "w"))) {
        rc = cli_fail("%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    cli_write_csv(f, f->nrows, fp);
    if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
        int e = errno ? errno : EIO;
        fclose(fp);
        unlink(tmp);
        free(tmp);
        return cli_fail("%s: %s", path, strerror(e));
    }
    if (fclose(fp) != 0) {
        rc = cli_fail("%s: %s", path, strerror(errno));
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = cli_fail("%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}
