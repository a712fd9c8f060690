/* cli/cmd_features.c: `sextant features SUBCOMMAND …`: feature sets in the
 * store (core/featstore.h) and their fits (core/features.h).
 *   features add NAME SPEC_FILE        parse, then record a version
 *   features list [--json]             the feature sets
 *   features show NAME[@vN] [--json]   spec, versions, fits and parameters
 *   features diff NAME@vA NAME@vB      unified diff of the normalised specs
 *   features fit NAME[@vN] DATASET[@V]|FILE.csv     fit and record
 *   features sql FIT_ID [--dialect D] [--mode M] [--table NAME]
 * `sextant transform` (cli/cmd_transform.c) applies a fit. The diff is our
 * own: a longest-common-subsequence table over the lines that differ,
 * printed as GNU diff's unified format with three lines of context. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "featstore.h"
#include "features.h"
#include "hash.h"
#include "json.h"

/* Spec files larger than this are refused before they are read whole. */
#define SPEC_FILE_MAX (1u << 20)
/* The diff's table (cells of 4 bytes) for the lines between the common
 * head and tail of two specs may have at most this many cells. */
#define DIFF_MAX_CELLS (16u << 20)
#define DIFF_CONTEXT 3

static const char help_features[] =
    "usage: sextant features SUBCOMMAND [ARGS]\n"
    "\n"
    "Feature sets: a text spec of statements (derived columns, filters and fitted\n"
    "transforms), versioned by the hash of its normalised text, fitted on a data\n"
    "set and applied with `sextant transform`.\n"
    "\n"
    "Subcommands:\n"
    "  add NAME SPEC_FILE                  record SPEC_FILE as a version of NAME\n"
    "  list [--json]                       the feature sets\n"
    "  show NAME[@vN] [--json]             a version: spec, versions, fits\n"
    "  diff NAME@vA NAME@vB                unified diff of two normalised specs\n"
    "  fit NAME[@vN] DATASET[@V]|FILE.csv  fit a version and record the fit\n"
    "  sql FIT_ID [--dialect D] [--mode M] [--table NAME]\n"
    "                                      the fit as one SQL SELECT\n"
    "\n"
    "'sextant features SUBCOMMAND --help' describes one.\n"
    "  -h, --help          show this help\n";

static const char help_add[] =
    "usage: sextant features add NAME SPEC_FILE\n"
    "\n"
    "Parse SPEC_FILE and record it as the next version of feature set NAME\n"
    "(created when new), then print NAME@vN. A spec whose normalised text\n"
    "(comments and blank lines removed, whitespace collapsed) equals that of a\n"
    "version of NAME already stored is that version: nothing is written. A spec\n"
    "that does not parse is reported as SPEC_FILE:LINE:COL: what, with the line\n"
    "and a caret under the column, and nothing is stored.\n"
    "\n"
    "NAME: letters, digits, '_', '-' and '.', at most 128 characters.\n"
    "\n"
    "  -h, --help          show this help\n";

static const char help_list[] =
    "usage: sextant features list [--json]\n"
    "\n"
    "List the feature sets: name, number of versions, the latest version and its\n"
    "spec hash (first 12 hex digits), fits of all versions, author and time of\n"
    "the latest version.\n"
    "\n"
    "  --json              a JSON array of {\"name\",\"versions\",\"latest\",\n"
    "                      \"latest_version\",\"spec_hash\",\"fits\",\"author\",\n"
    "                      \"created_at\",\"updated_at\"}\n"
    "  -h, --help          show this help\n";

static const char help_show[] =
    "usage: sextant features show NAME[@vN] [--json]\n"
    "\n"
    "Show a version of a feature set (default: the latest; vN or N names one):\n"
    "its spec as written, every version of the set, and the fits of this\n"
    "version with the data each was fitted on and its fitted parameters.\n"
    "\n"
    "  --json              {\"name\",\"version\",\"id\",\"spec_hash\",\"author\",\n"
    "                      \"created_at\",\"spec\",\"normalized\",\"versions\":[{\"version\",\n"
    "                      \"id\",\"spec_hash\",\"author\",\"created_at\",\"fits\"}…],\n"
    "                      \"fits\":[{\"id\",\"dataset\":{\"id\",\"name\",\"version\"}|null,\n"
    "                      \"source_path\",\"data_hash\",\"rows\",\"author\",\"created_at\",\n"
    "                      \"params\":{…}}…]}\n"
    "  -h, --help          show this help\n";

static const char help_diff[] =
    "usage: sextant features diff NAME@vA NAME@vB\n"
    "\n"
    "Print the differences between the normalised specs of two versions (of one\n"
    "feature set or of two) as a unified diff with three lines of context:\n"
    "--- and +++ name the versions, each hunk starts with @@ -A,N +B,M @@.\n"
    "Identical specs print nothing. The exit status is 0 either way.\n"
    "\n"
    "  -h, --help          show this help\n";

static const char help_fit[] =
    "usage: sextant features fit NAME[@vN] DATASET[@V]|FILE.csv\n"
    "\n"
    "Fit a version of a feature set (default: the latest) on a data set version\n"
    "(its source file is reloaded and must still have the content hash recorded\n"
    "at import) or on a CSV file (hashed, then loaded with inferred types), in\n"
    "training mode (filters apply), and record the fit: its parameters, the data\n"
    "it was fitted on and its content hash, author and time. Prints the fit's id.\n"
    "Every fit is recorded, even of the same version on the same data.\n"
    "\n"
    "  -h, --help          show this help\n";

static const char help_sql[] =
    "usage: sextant features sql FIT_ID [--dialect D] [--mode M] [--table NAME]\n"
    "\n"
    "Print one SQL SELECT that computes the fit's output columns from a table\n"
    "with the source columns, for a warehouse engine to run at scale. FIT_ID is\n"
    "the fit's id or its first 8 or more characters.\n"
    "\n"
    "  --dialect D         sqlite (default), postgres, duckdb or spark\n"
    "  --mode M            inference (default: every row) or train (the spec's\n"
    "                      filters become a WHERE clause)\n"
    "  --table NAME        the input table (default: the name of the data set the\n"
    "                      fit was fitted on, or \"input\" for a CSV file)\n"
    "  -h, --help          show this help\n";

/* ---- small helpers ---- */

static char *dump_compact(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) |
                              JSON_ENCODE_ANY);
    if (!s) {
        fputs("sextant: out of memory\n", stderr);
        exit(CLI_EXIT_FAIL);
    }
    return s;
}

/* Print RAW through cli_inert, then END. */
static void put_inert(const char *raw, const char *end, FILE *fp)
{
    char *safe = cli_inert(raw);
    fputs(safe, fp);
    fputs(end, fp);
    free(safe);
}

int cli_mode_parse(const struct cli *c, const char *s, enum sx_fmode *out)
{
    if (strcmp(s, "train") == 0)
        *out = SX_FMODE_TRAIN;
    else if (strcmp(s, "inference") == 0)
        *out = SX_FMODE_INFERENCE;
    else
        return cli_usage(c, "--mode wants train or inference, got '%s'", s);
    return CLI_EXIT_OK;
}

int cli_fit_open(const struct cli *c, const char *id, struct sx_ffit_record *rec,
                 struct sx_fspec **spec, struct sx_ffit **fit)
{
    struct sx_store *st;
    struct sx_err err;
    int rc;

    memset(rec, 0, sizeof *rec);
    *spec = NULL;
    *fit = NULL;
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_featstore_fit_get(st, id, rec, &err) != SX_OK ||
        sx_featstore_fit_load(st, rec, spec, fit, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        sx_ffit_record_clear(rec);
    }
    sx_store_close(st);
    return rc;
}

/* ---- add ---- */

/* The whole of PATH as a NUL-terminated string in *OUT (caller frees).
 * Refuses directories, files over SPEC_FILE_MAX, NUL bytes and invalid
 * UTF-8 (reported at PATH:LINE:COL). Prints errors. */
static int read_spec_file(const char *path, char **out)
{
    struct stat sb;
    FILE *fp;
    char *buf;
    size_t n;

    *out = NULL;
    if (!(fp = fopen(path, "rb")))
        return cli_fail("%s: %s", path, strerror(errno));
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(fp);
        return cli_fail("%s: %s", path, S_ISDIR(sb.st_mode) ? "is a directory, expected a "
                        "spec file" : "not a regular file");
    }
    if ((uint64_t)sb.st_size > SPEC_FILE_MAX) {
        fclose(fp);
        return cli_fail("%s: %lld bytes: a spec file may have at most %u", path,
                        (long long)sb.st_size, SPEC_FILE_MAX);
    }
    buf = cli_xmalloc(SPEC_FILE_MAX + 2);
    n = fread(buf, 1, SPEC_FILE_MAX + 1, fp);
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        free(buf);
        return cli_fail("%s: %s", path, strerror(e ? e : EIO));
    }
    fclose(fp);
    if (n > SPEC_FILE_MAX) {
        free(buf);
        return cli_fail("%s: a spec file may have at most %u bytes", path, SPEC_FILE_MAX);
    }
    buf[n] = '\0';
    /* Position of the first NUL byte or invalid UTF-8 sequence. */
    int line = 1, col = 1;
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)buf[i];
        size_t len = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3
                   : (ch & 0xf8) == 0xf0 ? 4 : 0;
        int ok = len && i + len <= n && ch != 0;
        uint32_t cp = len == 1 ? ch : len == 2 ? ch & 0x1fu : len == 3 ? ch & 0x0fu : ch & 0x07u;
        for (size_t k = 1; ok && k < len; k++) {
            if (((unsigned char)buf[i + k] & 0xc0) != 0x80)
                ok = 0;
            cp = (cp << 6) | ((unsigned char)buf[i + k] & 0x3fu);
        }
        if (ok && len > 1)
            ok = cp >= (len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u) && cp <= 0x10ffff &&
                 !(cp >= 0xd800 && cp <= 0xdfff);
        if (!ok) {
            free(buf);
            return cli_fail("%s:%d:%d: %s", path, line, col,
                            ch == 0 ? "a NUL byte in the spec" : "not valid UTF-8");
        }
        if (ch == '\n') {
            line++;
            col = 1;
        } else {
            col += (int)len;        /* columns count bytes, as the spec parser's do */
        }
        i += len;
    }
    *out = buf;
    return CLI_EXIT_OK;
}

/* Report a spec that does not parse: "PATH:LINE:COL: what", then the line
 * and a caret under COL, on stderr. */
static int spec_error(const char *path, const char *text, const struct sx_err *err, int line,
                      int col)
{
    const char *msg = err->msg;
    int l = 0, k = 0, used = 0;

    /* core writes "LINE:COL: what"; name the file in front of it. */
    if (sscanf(msg, "%d:%d: %n", &l, &k, &used) == 2 && used > 0) {
        if (line <= 0)
            line = l;
        if (col <= 0)
            col = k;
        cli_fail("%s:%d:%d: %s", path, line, col, msg + used);
    } else if (line > 0) {
        cli_fail("%s:%d:%d: %s", path, line, col > 0 ? col : 1, msg);
    } else {
        cli_fail("%s: %s", path, msg);
    }
    if (line <= 0)
        return CLI_EXIT_FAIL;
    const char *p = text;
    for (int i = 1; i < line && p; i++)
        if ((p = strchr(p, '\n')))
            p++;
    if (!p)
        return CLI_EXIT_FAIL;
    size_t len = strcspn(p, "\n");
    char *src = cli_xmalloc(len + 1), caret[2 * SX_EXPR_MAX_LEN + 64];
    memcpy(src, p, len);
    src[len] = '\0';
    if (len && src[len - 1] == '\r')
        src[len - 1] = '\0';
    sx_expr_caret(src, col > 0 ? col : 1, caret, sizeof caret);
    /* The source line may hold anything: show it inert, line by line. */
    for (char *q = caret; *q;) {
        size_t m = strcspn(q, "\n");
        char save = q[m];
        q[m] = '\0';
        put_inert(q, "\n", stderr);
        q[m] = save;
        q += m + (save ? 1 : 0);
    }
    free(src);
    return CLI_EXIT_FAIL;
}

static int cmd_add(struct cli *c, int argc, char **argv)
{
    struct sx_fversion v;
    struct sx_store *st = NULL;
    struct sx_fspec *spec = NULL;
    struct sx_err err;
    char *text = NULL;
    int rc, line = 0, col = 0;

    if (cli_simple_options(c, argc, argv, help_add, NULL, &rc))
        return rc;
    if (argc - optind < 2)
        return cli_usage(c, "wants NAME and SPEC_FILE");
    if (argc - optind > 2)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 2]);
    const char *name = argv[optind], *path = argv[optind + 1];
    if (sx_fset_name_check(name, &err) != SX_OK)
        return cli_fail_err(&err);
    if ((rc = read_spec_file(path, &text)) != CLI_EXIT_OK)
        return rc;
    if (!(spec = sx_fspec_parse(text, &err, &line, &col))) {
        rc = err.code == SX_ENOMEM ? cli_fail_err(&err) : spec_error(path, text, &err, line, col);
        free(text);
        return rc;
    }
    if ((rc = cli_store_open(c, 0, &st)) == CLI_EXIT_OK) {
        if (sx_featstore_add(st, name, text, spec, &v, NULL, &err) == SX_OK) {
            printf("%s@v%d\n", v.name, v.version);
            sx_fversion_clear(&v);
        } else {
            rc = cli_fail_err(&err);
        }
        sx_store_close(st);
    }
    sx_fspec_free(spec);
    free(text);
    return cli_flush(rc);
}

/* ---- list ---- */

static int cmd_list(struct cli *c, int argc, char **argv)
{
    struct sx_store *st;
    struct sx_fset *list = NULL;
    struct sx_err err;
    size_t n = 0;
    int as_json, rc;

    if (cli_simple_options(c, argc, argv, help_list, &as_json, &rc))
        return rc;
    if (optind != argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_featstore_list(st, &list, &n, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        sx_store_close(st);
        return rc;
    }
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct sx_fset *f = &list[i];
            char latest[SX_FSET_NAME_MAX + 16];
            json_t *o = json_object();
            snprintf(latest, sizeof latest, "%s@v%d", f->name, f->latest.version);
            sx_json_set(o, "name", json_string(f->name));
            sx_json_set(o, "versions", json_integer(f->nversions));
            sx_json_set(o, "latest", json_string(latest));
            sx_json_set(o, "latest_version", json_integer(f->latest.version));
            sx_json_set(o, "spec_hash", json_string(f->latest.hash));
            sx_json_set(o, "fits", json_integer(f->nfits));
            sx_json_set(o, "author", json_string(f->latest.author));
            sx_json_set(o, "created_at", json_string(f->created_at));
            sx_json_set(o, "updated_at", json_string(f->latest.created_at));
            json_array_append_new(arr, o);
        }
        sx_json_dump(arr, stdout, 0);
        json_decref(arr);
    } else if (n == 0) {
        fputs("no feature sets yet: sextant features add NAME SPEC_FILE\n", stdout);
    } else {
        static const char *const head[] = {"NAME", "VERSIONS", "LATEST", "HASH", "FITS",
                                           "AUTHOR", "UPDATED"};
        struct cli_table t;
        cli_table_init(&t, 7, 48);
        cli_table_right(&t, 1);
        cli_table_right(&t, 4);
        for (size_t i = 0; i < 7; i++)
            cli_table_add(&t, head[i]);
        for (size_t i = 0; i < n; i++) {
            const struct sx_fset *f = &list[i];
            cli_table_add(&t, f->name);
            cli_table_addf(&t, "%d", f->nversions);
            cli_table_addf(&t, "v%d", f->latest.version);
            cli_table_addf(&t, "%.12s", f->latest.hash);
            cli_table_addf(&t, "%d", f->nfits);
            cli_table_add(&t, f->latest.author);
            cli_table_add(&t, f->latest.created_at);
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
    }
    sx_fset_list_free(list, n);
    sx_store_close(st);
    return cli_flush(CLI_EXIT_OK);
}

/* ---- show ---- */

/* *OUT: the number of fits of version V; -1 with ERR on error. */
static int count_fits(struct sx_store *st, const struct sx_fversion *v, size_t *out,
                      struct sx_err *err)
{
    struct sx_ffit_record *fits = NULL;
    size_t n = 0;
    if (sx_featstore_fits(st, v->id, &fits, &n, err) != SX_OK)
        return -1;
    sx_ffit_record_list_free(fits, n);
    *out = n;
    return 0;
}

static json_t *fit_json(const struct sx_ffit_record *r)
{
    json_t *o = json_object(), *params = json_loads(r->params_json, 0, NULL);
    sx_json_set(o, "id", json_string(r->id));
    if (r->dataset_id[0]) {
        json_t *d = json_object();
        sx_json_set(d, "id", json_string(r->dataset_id));
        sx_json_set(d, "name", json_string(r->dataset_name));
        sx_json_set(d, "version", json_integer(r->dataset_version));
        sx_json_set(o, "dataset", d);
    } else {
        sx_json_set(o, "dataset", json_null());
    }
    sx_json_set(o, "source_path", json_string(r->source_path));
    sx_json_set(o, "data_hash", json_string(r->data_hash));
    sx_json_set(o, "rows", json_integer((json_int_t)r->rows));
    sx_json_set(o, "author", json_string(r->author));
    sx_json_set(o, "created_at", json_string(r->created_at));
    sx_json_set(o, "params", params ? params : json_null());
    return o;
}

/* VAL as text for a "key=value" list: strings bare, the rest compact JSON.
 * New string. */
static char *value_text(const json_t *val)
{
    return json_is_string(val) ? cli_xstrdup(json_string_value(val)) : dump_compact(val);
}

/* The members of object O but SKIP, as "key=value, …" on one line after
 * INDENT; objects and arrays of objects are left to the caller. */
static void print_pairs(const json_t *o, const char *indent, const char *const *skip)
{
    const char *key;
    json_t *val;
    int first = 1;

    json_object_foreach((json_t *)o, key, val) {
        int skipped = 0;
        for (size_t i = 0; skip && skip[i]; i++)
            skipped |= strcmp(key, skip[i]) == 0;
        if (skipped)
            continue;
        char *t = value_text(val);
        fputs(first ? indent : ", ", stdout);
        put_inert(key, "=", stdout);
        put_inert(t, "", stdout);
        free(t);
        first = 0;
    }
    if (!first)
        fputc('\n', stdout);
}

/* Is V an object whose members are all objects, or an array of objects? */
static int is_table(const json_t *v)
{
    const char *k;
    json_t *m;
    size_t i;

    if (json_is_object(v) && json_object_size(v) > 0) {
        json_object_foreach((json_t *)v, k, m)
            if (!json_is_object(m))
                return 0;
        return 1;
    }
    if (json_is_array(v) && json_array_size(v) > 0) {
        json_array_foreach(v, i, m)
            if (!json_is_object(m))
                return 0;
        return 1;
    }
    return 0;
}

/* Line LINE (1-based) of TEXT without its leading blanks, into BUF. */
static void spec_line(const char *text, long line, char *buf, size_t size)
{
    const char *p = text;
    for (long i = 1; i < line && p; i++)
        if ((p = strchr(p, '\n')))
            p++;
    buf[0] = '\0';
    if (!p || line < 1)
        return;
    p += strspn(p, " \t");
    size_t n = strcspn(p, "\r\n");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* A fitted step: the spec statement it came from, its scalar parameters on
 * one line, then one line per column (objects of objects) or per element
 * (arrays of objects). */
static void print_step(const json_t *step, const char *spec_text)
{
    const char *op = json_string_value(json_object_get(step, "op"));
    json_t *line = json_object_get(step, "line");
    char stmt[512];
    const char *key;
    json_t *val;

    spec_line(spec_text, json_is_integer(line) ? (long)json_integer_value(line) : 0, stmt,
              sizeof stmt);
    if (json_is_integer(line))
        printf("      line %-3lld ", (long long)json_integer_value(line));
    else
        fputs("      ", stdout);
    put_inert(stmt[0] ? stmt : op ? op : "?", "\n", stdout);

    /* Scalars (and arrays of numbers) first, on one line. */
    const char **skip = cli_xmalloc((json_object_size(step) + 3) * sizeof *skip);
    size_t ns = 0;
    skip[ns++] = "op";
    skip[ns++] = "line";
    json_object_foreach((json_t *)step, key, val)
        if (is_table(val))
            skip[ns++] = key;
    skip[ns] = NULL;
    print_pairs(step, "           ", skip);
    free(skip);

    json_object_foreach((json_t *)step, key, val) {
        if (!is_table(val))
            continue;
        if (json_is_object(val)) {
            const char *col;
            json_t *params;
            json_object_foreach(val, col, params) {
                char indent[300];
                char *safe = cli_inert(col);
                snprintf(indent, sizeof indent, "           %s: ", safe);
                free(safe);
                print_pairs(params, indent, NULL);
            }
        } else {
            size_t i;
            json_t *el;
            printf("           ");
            put_inert(key, ":\n", stdout);
            json_array_foreach(val, i, el)
                print_pairs(el, "             ", NULL);
        }
    }
}

static void print_fit(const struct sx_ffit_record *r, const char *spec_text)
{
    json_t *params = json_loads(r->params_json, 0, NULL), *steps;

    printf("  %s\n", r->id);
    printf("    data     ");
    if (r->dataset_id[0]) {
        put_inert(r->dataset_name, "", stdout);
        printf("@%d", r->dataset_version);
    } else {
        put_inert(r->source_path, "", stdout);
    }
    printf(" (%llu rows, hash %.12s)\n", (unsigned long long)r->rows, r->data_hash);
    printf("    fitted   ");
    put_inert(r->created_at, " by ", stdout);
    put_inert(r->author, "\n", stdout);
    steps = params ? json_object_get(params, "steps") : NULL;
    if (json_is_array(steps)) {
        printf("    steps\n");
        for (size_t k = 0; k < json_array_size(steps); k++)
            print_step(json_array_get(steps, k), spec_text);
    }
    json_t *outs = params ? json_object_get(params, "outputs") : NULL;
    if (json_is_array(outs)) {
        printf("    outputs  ");
        for (size_t k = 0; k < json_array_size(outs); k++) {
            json_t *o = json_array_get(outs, k);
            const char *nm = json_string_value(json_object_get(o, "name"));
            const char *ty = json_string_value(json_object_get(o, "type"));
            put_inert(nm ? nm : "?", "", stdout);
            if (ty)
                printf(" (%s)", ty);
            fputs(k + 1 < json_array_size(outs) ? ", " : "\n", stdout);
        }
        if (json_array_size(outs) == 0)
            fputs("(none)\n", stdout);
    }
    json_decref(params);
}

static int cmd_show(struct cli *c, int argc, char **argv)
{
    struct sx_store *st;
    struct sx_fversion v, *vers = NULL;
    struct sx_ffit_record *fits = NULL;
    size_t nv = 0, nf = 0, *vfits = NULL;
    struct sx_err err;
    char name[SX_FSET_NAME_MAX + 1];
    int as_json, rc, version;

    if (cli_simple_options(c, argc, argv, help_show, &as_json, &rc))
        return rc;
    if (argc - optind != 1)
        return cli_usage(c, optind >= argc ? "missing NAME[@vN]" : "one NAME[@vN] at a time");
    if (sx_fset_ref_parse(argv[optind], name, sizeof name, &version, &err) != SX_OK)
        return cli_fail_err(&err);
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    memset(&v, 0, sizeof v);
    if (sx_featstore_get_version(st, name, version, &v, &err) != SX_OK ||
        sx_featstore_versions(st, name, &vers, &nv, &err) != SX_OK ||
        sx_featstore_fits(st, v.id, &fits, &nf, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    vfits = cli_xmalloc(nv * sizeof *vfits);
    for (size_t i = 0; i < nv; i++)
        if (count_fits(st, &vers[i], &vfits[i], &err) != 0) {
            rc = cli_fail_err(&err);
            goto out;
        }
    if (as_json) {
        json_t *o = json_object(), *va = json_array(), *fa = json_array();
        sx_json_set(o, "name", json_string(v.name));
        sx_json_set(o, "version", json_integer(v.version));
        sx_json_set(o, "id", json_string(v.id));
        sx_json_set(o, "spec_hash", json_string(v.hash));
        sx_json_set(o, "author", json_string(v.author));
        sx_json_set(o, "created_at", json_string(v.created_at));
        sx_json_set(o, "spec", json_string(v.spec_text));
        sx_json_set(o, "normalized", json_string(v.normalized));
        for (size_t i = 0; i < nv; i++) {
            json_t *e = json_object();
            sx_json_set(e, "version", json_integer(vers[i].version));
            sx_json_set(e, "id", json_string(vers[i].id));
            sx_json_set(e, "spec_hash", json_string(vers[i].hash));
            sx_json_set(e, "author", json_string(vers[i].author));
            sx_json_set(e, "created_at", json_string(vers[i].created_at));
            sx_json_set(e, "fits", json_integer((json_int_t)vfits[i]));
            json_array_append_new(va, e);
        }
        for (size_t i = 0; i < nf; i++)
            json_array_append_new(fa, fit_json(&fits[i]));
        sx_json_set(o, "versions", va);
        sx_json_set(o, "fits", fa);
        sx_json_dump(o, stdout, 0);
        json_decref(o);
    } else {
        printf("%s@v%d\n", v.name, v.version);
        printf("  id       %s\n  hash     %s\n  created  ", v.id, v.hash);
        put_inert(v.created_at, " by ", stdout);
        put_inert(v.author, "\n", stdout);
        printf("\nspec\n");
        for (const char *p = v.spec_text; *p;) {
            size_t m = strcspn(p, "\n");
            char *ln = cli_xmalloc(m + 1);
            memcpy(ln, p, m);
            ln[m] = '\0';
            fputs(m ? "  " : "", stdout);
            put_inert(ln, "\n", stdout);
            free(ln);
            p += m + (p[m] ? 1 : 0);
        }
        printf("\nversions\n");
        for (size_t i = 0; i < nv; i++) {
            printf("  %s v%-3d %.12s  %zu fit%s  ", vers[i].version == v.version ? "*" : " ",
                   vers[i].version, vers[i].hash, vfits[i], vfits[i] == 1 ? " " : "s");
            put_inert(vers[i].created_at, " ", stdout);
            put_inert(vers[i].author, "\n", stdout);
        }
        printf("\nfits of v%d\n", v.version);
        if (nf == 0)
            printf("  none yet: sextant features fit %s@v%d DATASET|FILE.csv\n", v.name,
                   v.version);
        for (size_t i = 0; i < nf; i++)
            print_fit(&fits[i], v.spec_text);
    }
    rc = CLI_EXIT_OK;
out:
    free(vfits);
    sx_ffit_record_list_free(fits, nf);
    sx_fversion_list_free(vers, nv);
    sx_fversion_clear(&v);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- diff ---- */

struct lines {
    char **v;
    size_t n;
};

/* TEXT split at '\n' (a final newline ends the last line). */
static void split_lines(const char *text, struct lines *l)
{
    size_t cap = 16;
    l->n = 0;
    l->v = cli_xmalloc(cap * sizeof *l->v);
    for (const char *p = text; *p;) {
        size_t m = strcspn(p, "\n");
        if (l->n == cap) {
            cap *= 2;
            l->v = cli_xrealloc(l->v, cap * sizeof *l->v);
        }
        l->v[l->n] = cli_xmalloc(m + 1);
        memcpy(l->v[l->n], p, m);
        l->v[l->n][m] = '\0';
        l->n++;
        p += m + (p[m] ? 1 : 0);
    }
}

static void free_lines(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* One edit: '=' keeps line A of a (and B of b), '-' drops line A, '+'
 * inserts line B. */
struct edit {
    char op;
    size_t a, b;
};

/* The shortest edit script from A to B: the common head and tail, and
 * between them a longest common subsequence (LCS lengths of the suffixes,
 * walked forward, deletions before insertions). Returns the number of
 * edits in *OUT (new array), or -1 when the table would be too large. */
static long diff_lines(const struct lines *a, const struct lines *b, struct edit **out)
{
    size_t head = 0, tail = 0, n, m, k = 0;
    struct edit *e = cli_xmalloc((a->n + b->n + 1) * sizeof *e);

    while (head < a->n && head < b->n && strcmp(a->v[head], b->v[head]) == 0)
        head++;
    while (tail < a->n - head && tail < b->n - head &&
           strcmp(a->v[a->n - 1 - tail], b->v[b->n - 1 - tail]) == 0)
        tail++;
    n = a->n - head - tail;
    m = b->n - head - tail;
    if (n && m && (n + 1) > DIFF_MAX_CELLS / (m + 1)) {
        free(e);
        return -1;
    }
    for (size_t i = 0; i < head; i++)
        e[k++] = (struct edit){'=', i, i};
    uint32_t *L = cli_xmalloc((n + 1) * (m + 1) * sizeof *L);
#define AT(i, j) L[(i) * (m + 1) + (j)]
    for (size_t i = n + 1; i-- > 0;)
        for (size_t j = m + 1; j-- > 0;) {
            if (i == n || j == m)
                AT(i, j) = 0;
            else if (strcmp(a->v[head + i], b->v[head + j]) == 0)
                AT(i, j) = AT(i + 1, j + 1) + 1;
            else
                AT(i, j) = AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
        }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && strcmp(a->v[head + i], b->v[head + j]) == 0) {
            e[k++] = (struct edit){'=', head + i, head + j};
            i++;
            j++;
        } else if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1))) {
            e[k++] = (struct edit){'-', head + i, head + j};
            i++;
        } else {
            e[k++] = (struct edit){'+', head + i, head + j};
            j++;
        }
    }
#undef AT
    free(L);
    for (size_t t = 0; t < tail; t++)
        e[k++] = (struct edit){'=', head + n + t, head + m + t};
    *out = e;
    return (long)k;
}

/* "START,COUNT" of a hunk side as GNU diff writes it: BEFORE lines precede
 * the hunk; an empty side names the line before it. */
static void hunk_range(size_t before, size_t count, char *buf, size_t size)
{
    if (count == 1)
        snprintf(buf, size, "%zu", before + 1);
    else
        snprintf(buf, size, "%zu,%zu", count ? before + 1 : before, count);
}

/* Print the unified diff of the edits E[0..N) between A and B. */
static void print_unified(const struct lines *a, const struct lines *b, const struct edit *e,
                          size_t n, const char *la, const char *lb)
{
    size_t i = 0;
    int any = 0;

    while (i < n) {
        while (i < n && e[i].op == '=')
            i++;
        if (i == n)
            break;
        /* A hunk: from CONTEXT lines before this change to CONTEXT after the
         * last change that is at most 2*CONTEXT kept lines further. */
        size_t start = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0, end = i, last = i;
        for (size_t j = i; j < n; j++) {
            if (e[j].op != '=') {
                last = j;
            } else if (j - last > 2 * DIFF_CONTEXT) {
                break;
            }
        }
        end = last + 1 + DIFF_CONTEXT < n ? last + 1 + DIFF_CONTEXT : n;
        size_t ca = 0, cb = 0;
        for (size_t j = start; j < end; j++) {
            ca += e[j].op != '+';
            cb += e[j].op != '-';
        }
        char ra[48], rb[48];
        hunk_range(e[start].a, ca, ra, sizeof ra);
        hunk_range(e[start].b, cb, rb, sizeof rb);
        if (!any) {
            printf("--- %s\n+++ %s\n", la, lb);
            any = 1;
        }
        printf("@@ -%s +%s @@\n", ra, rb);
        for (size_t j = start; j < end; j++) {
            char mark[2] = {e[j].op == '=' ? ' ' : e[j].op, '\0'};
            fputs(mark, stdout);
            put_inert(e[j].op == '+' ? b->v[e[j].b] : a->v[e[j].a], "\n", stdout);
        }
        i = end;
    }
}

static int cmd_diff(struct cli *c, int argc, char **argv)
{
    struct sx_store *st;
    struct sx_fversion va, vb;
    struct sx_err err;
    int rc;

    if (cli_simple_options(c, argc, argv, help_diff, NULL, &rc))
        return rc;
    if (argc - optind < 2)
        return cli_usage(c, "wants two versions: NAME@vA NAME@vB");
    if (argc - optind > 2)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 2]);
    char na[SX_FSET_NAME_MAX + 1], nb[SX_FSET_NAME_MAX + 1];
    int xa, xb;
    if (sx_fset_ref_parse(argv[optind], na, sizeof na, &xa, &err) != SX_OK ||
        sx_fset_ref_parse(argv[optind + 1], nb, sizeof nb, &xb, &err) != SX_OK)
        return cli_fail_err(&err);
    if ((rc = cli_store_open(c, SX_STORE_READONLY, &st)) != CLI_EXIT_OK)
        return rc;
    memset(&va, 0, sizeof va);
    memset(&vb, 0, sizeof vb);
    if (sx_featstore_get_version(st, na, xa, &va, &err) != SX_OK ||
        sx_featstore_get_version(st, nb, xb, &vb, &err) != SX_OK) {
        rc = cli_fail_err(&err);
    } else {
        struct lines la, lb;
        struct edit *e = NULL;
        char ha[SX_FSET_NAME_MAX + 16], hb[SX_FSET_NAME_MAX + 16];
        split_lines(va.normalized, &la);
        split_lines(vb.normalized, &lb);
        long ne = diff_lines(&la, &lb, &e);
        if (ne < 0) {
            rc = cli_fail("%s@v%d and %s@v%d differ in too many lines (%zu and %zu) to diff",
                          va.name, va.version, vb.name, vb.version, la.n, lb.n);
        } else {
            snprintf(ha, sizeof ha, "%s@v%d", va.name, va.version);
            snprintf(hb, sizeof hb, "%s@v%d", vb.name, vb.version);
            print_unified(&la, &lb, e, (size_t)ne, ha, hb);
        }
        free(e);
        free_lines(&la);
        free_lines(&lb);
    }
    sx_fversion_clear(&va);
    sx_fversion_clear(&vb);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- fit ---- */

int cli_features_fit(const struct cli *c, struct sx_store *st, const struct sx_fversion *v,
                     const struct sx_dataset *ds, const char *file,
                     struct sx_ffit_record *out)
{
    struct sx_fspec *spec = NULL;
    struct sx_ffit *fit = NULL;
    struct sx_frame *f = NULL;
    struct sx_err err;
    char hash[SX_HASH_HEX], *abs = NULL, *params = NULL;
    struct stat before, after;
    json_t *pj = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (!(spec = sx_fspec_parse(v->spec_text, &err, NULL, NULL)))
        return cli_fail("%s@v%d: the stored spec does not parse: %s", v->name, v->version,
                        err.msg);
    if (ds) {
        rc = cli_load_dataset(ds, NULL, 0, &f);
    } else {
        char *label = NULL;
        /* Hash, load, and make sure the file did not change in between. */
        if (stat(file, &before) != 0) {
            rc = cli_fail("%s:1:1: cannot open: %s", file, strerror(errno));
            goto out;
        }
        if (sx_hash_file(file, hash, NULL, &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }
        rc = cli_load(c, file, NULL, 0, &f, &label);
        free(label);
        if (rc == CLI_EXIT_OK &&
            (stat(file, &after) != 0 || after.st_size != before.st_size ||
             after.st_ino != before.st_ino || after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
             after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)) {
            rc = cli_fail("%s: the file changed while it was read; try again", file);
            goto out;
        }
        if (!(abs = realpath(file, NULL)))
            abs = cli_xstrdup(file);
    }
    if (rc != CLI_EXIT_OK)
        goto out;
    if (!(fit = sx_features_fit(spec, f, &err))) {
        rc = cli_fail("%s@v%d on %s: %s", v->name, v->version,
                      ds ? ds->name : file, err.msg);
        goto out;
    }
    if (!(pj = sx_ffit_json(fit))) {
        rc = cli_fail("out of memory");
        goto out;
    }
    params = dump_compact(pj);
    struct sx_ffit_new in = {
        .version_id = v->id,
        .dataset = ds,
        .source_path = abs,
        .data_hash = ds ? NULL : hash,
        .rows = f->nrows,
        .params_json = params,
    };
    if (cli_sigint) {
        rc = cli_interrupted_exit();
        goto out;
    }
    if (sx_featstore_fit_put(st, &in, out, &err) != SX_OK)
        rc = cli_fail_err(&err);
out:
    free(params);
    json_decref(pj);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    if (f)
        sx_frame_free(f);
    free(abs);
    return rc;
}

static int cmd_fit(struct cli *c, int argc, char **argv)
{
    struct sx_store *st = NULL;
    struct sx_fversion v;
    struct sx_dataset ds;
    struct sx_ffit_record rec;
    struct sx_err err;
    int rc, is_file;

    if (cli_simple_options(c, argc, argv, help_fit, NULL, &rc))
        return rc;
    if (argc - optind < 2)
        return cli_usage(c, "wants NAME[@vN] and DATASET[@V]|FILE.csv");
    if (argc - optind > 2)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 2]);
    const char *ref = argv[optind], *src = argv[optind + 1];
    char name[SX_FSET_NAME_MAX + 1];
    int version;
    if (sx_fset_ref_parse(ref, name, sizeof name, &version, &err) != SX_OK)
        return cli_fail_err(&err);
    memset(&ds, 0, sizeof ds);
    memset(&v, 0, sizeof v);
    is_file = cli_is_file_arg(src);
    if (!is_file) {
        char dname[SX_DATASET_NAME_MAX + 1];
        int dv;
        if (sx_dataset_ref_parse(src, dname, sizeof dname, &dv, &err) != SX_OK)
            return cli_fail_err(&err);
    }
    if ((rc = cli_store_open(c, 0, &st)) != CLI_EXIT_OK)
        return rc;
    if (sx_featstore_get_version(st, name, version, &v, &err) != SX_OK ||
        (!is_file && sx_dataset_find(st, src, &ds, &err) != SX_OK)) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if ((rc = cli_features_fit(c, st, &v, is_file ? NULL : &ds, is_file ? src : NULL, &rec)) ==
        CLI_EXIT_OK) {
        printf("%s\n", rec.id);
        sx_ffit_record_clear(&rec);
    }
out:
    sx_dataset_clear(&ds);
    sx_fversion_clear(&v);
    sx_store_close(st);
    return cli_flush(rc);
}

/* ---- sql ---- */

static int cmd_sql(struct cli *c, int argc, char **argv)
{
    enum { O_DIALECT = 256, O_MODE, O_TABLE };
    static const struct option longopts[] = {
        {"dialect", required_argument, NULL, O_DIALECT},
        {"mode", required_argument, NULL, O_MODE},
        {"table", required_argument, NULL, O_TABLE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum sx_sql_dialect dialect = SX_SQL_SQLITE;
    enum sx_fmode mode = SX_FMODE_INFERENCE;
    const char *table = NULL;
    struct sx_ffit_record rec;
    struct sx_fspec *spec;
    struct sx_ffit *fit;
    struct sx_err err;
    int opt, rc;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            return cli_help(help_sql);
        case O_DIALECT:
            if (sx_sql_dialect_parse(optarg, &dialect, &err) != SX_OK)
                return cli_usage(c, "%s", err.msg);
            break;
        case O_MODE:
            if ((rc = cli_mode_parse(c, optarg, &mode)) != CLI_EXIT_OK)
                return rc;
            break;
        case O_TABLE:
            if (!*optarg)
                return cli_usage(c, "--table wants a name");
            table = optarg;
            break;
        default:
            return cli_bad_option(c, argv, opt);
        }
    }
    if (argc - optind != 1)
        return cli_usage(c, optind >= argc ? "missing FIT_ID" : "one FIT_ID at a time");
    if ((rc = cli_fit_open(c, argv[optind], &rec, &spec, &fit)) != CLI_EXIT_OK)
        return rc;
    if (!table)
        table = rec.dataset_name[0] ? rec.dataset_name : "input";
    char *sql = sx_features_sql(fit, mode, dialect, table, &err);
    if (sql)
        cli_put_text(sql);
    else
        rc = cli_fail_err(&err);
    free(sql);
    sx_ffit_free(fit);
    sx_fspec_free(spec);
    sx_ffit_record_clear(&rec);
    return cli_flush(rc);
}

/* ---- dispatch ---- */

static const struct cli_sub subs[] = {
    {"add", "features add", cmd_add},
    {"list", "features list", cmd_list},
    {"show", "features show", cmd_show},
    {"diff", "features diff", cmd_diff},
    {"fit", "features fit", cmd_fit},
    {"sql", "features sql", cmd_sql},
};

int cli_cmd_features(struct cli *c, int argc, char **argv)
{
    return cli_dispatch(c, argc, argv, subs, sizeof subs / sizeof subs[0], help_features);
}
