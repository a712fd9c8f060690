/* cli/cmd_log.c: `sextant log param|metric|tag|batch`: log to a run from a
 * training script, cheaply enough to call once per epoch (one short
 * transaction per call; nothing heavy at start-up).
 *   log param|metric|tag [RUN] KEY VALUE [--step N]
 *   log batch [RUN] < FILE
 * RUN defaults to $SEXTANT_RUN: the operands are counted, so `log metric
 * loss 0.5` (two operands) takes the run from the environment and `log
 * metric RUN loss 0.5` (three) names it. Options are parsed by hand so
 * that negative values (`log metric loss -0.5`) are operands. */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "runs.h"

static const char help_log[] =
    "usage: sextant log param|metric|tag [RUN] KEY VALUE [--step N]\n"
    "       sextant log batch [RUN] < FILE\n"
    "\n"
    "Log to a run (see `sextant run start`). RUN is a run's id or its first 8 or\n"
    "more characters; when it is left out, $SEXTANT_RUN names the run.\n"
    "\n"
    "  param KEY VALUE     a param: logging it again is allowed only with the same\n"
    "                      value\n"
    "  metric KEY VALUE    a metric point (a number, or nan) at step N (default 0),\n"
    "                      timed now; the run's latest value of KEY is the point\n"
    "                      with the largest step, then the latest time\n"
    "  tag KEY VALUE       a tag: overwrites an earlier value\n"
    "  batch               read stdin, one item a line: `metric KEY VALUE [STEP]`,\n"
    "                      `param KEY VALUE` or `tag KEY VALUE` (fields separated by\n"
    "                      spaces or tabs; a param or tag value is the rest of the\n"
    "                      line; blank lines and lines starting with # are skipped),\n"
    "                      all written in one transaction: a malformed line is\n"
    "                      reported as stdin:LINE:COL and nothing is written\n"
    "\n"
    "Keys: 1 to 250 bytes of UTF-8 without control characters. Param values: at\n"
    "most 6000 bytes; tag values at most 65536. Negative numbers are operands;\n"
    "other operands starting with '-' follow `--`.\n"
    "\n"
    "  --step N            the metric's step (metric only; an integer)\n"
    "  -h, --help          show this help\n";

/* Whether S is a number as an operand may be ("-0.5", "-inf"). */
static int is_number(const char *s)
{
    double d;
    return sx_num_parse_double(s, strlen(s), &d) || strcasecmp(s, "-nan") == 0;
}

/* Parse a metric VALUE operand. */
static int parse_value(const struct cli *c, const char *s, double *out)
{
    if (sx_num_parse_double(s, strlen(s), out))
        return CLI_EXIT_OK;
    if (strcasecmp(s, "nan") == 0 || strcasecmp(s, "-nan") == 0) {
        *out = NAN;
        return CLI_EXIT_OK;
    }
    return cli_usage(c, "VALUE wants a number (or nan), got '%s'", s);
}

static int parse_step(const struct cli *c, const char *s, int64_t *out)
{
    if (sx_num_parse_int(s, strlen(s), out))
        return CLI_EXIT_OK;
    return cli_usage(c, "--step wants an integer, got '%s'", s);
}

/* Open the store for writing and resolve RUN. The last connection to
 * close would checkpoint the WAL into the database and delete it (two
 * fsyncs, and the next call creates the WAL again with two more): a call
 * per epoch leaves that to SQLite's automatic checkpoints instead. */
static int open_run(const struct cli *c, const char *run, struct sx_store **st,
                    char id[SX_UUID_LEN])
{
    int rc = cli_store_open(c, 0, st);
    if (rc != CLI_EXIT_OK)
        return rc;
    sqlite3_db_config(sx_store_db(*st), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    if ((rc = cli_run_resolve(*st, run, id)) != CLI_EXIT_OK) {
        sx_store_close(*st);
        *st = NULL;
    }
    return rc;
}

static int log_one(const struct cli *c, enum sx_log_kind kind, int argc, char **argv)
{
    const char *ops[4];
    int nops = 0, dashdash = 0, rc;
    int64_t step = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!dashdash && strcmp(a, "--") == 0) {
            dashdash = 1;
        } else if (!dashdash && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            return cli_help(help_log);
        } else if (!dashdash && (strcmp(a, "--step") == 0 || strncmp(a, "--step=", 7) == 0)) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return cli_usage(c, "option '--step' needs a value");
            if (kind != SX_LOG_METRIC)
                return cli_usage(c, "--step is for metrics");
            if ((rc = parse_step(c, v, &step)) != CLI_EXIT_OK)
                return rc;
        } else if (!dashdash && a[0] == '-' && a[1] && !is_number(a)) {
            return cli_usage(c, "unknown option '%s'", a);
        } else {
            if (nops == 3)
                return cli_usage(c, "unexpected argument '%s'", a);
            ops[nops++] = a;
        }
    }
    const char *run;
    if (nops == 3) {
        run = ops[0];
    } else if (nops == 2) {
        if (!(run = cli_run_env()))
            return cli_usage(c, "wants RUN KEY VALUE (or KEY VALUE with SEXTANT_RUN in the "
                             "environment)");
    } else {
        return cli_usage(c, "wants [RUN] KEY VALUE");
    }
    struct sx_log_item it = {0};
    it.kind = kind;
    it.key = ops[nops - 2];
    it.step = step;
    if (kind == SX_LOG_METRIC) {
        if ((rc = parse_value(c, ops[nops - 1], &it.number)) != CLI_EXIT_OK)
            return rc;
    } else {
        it.value = ops[nops - 1];
    }

    struct sx_store *st;
    struct sx_err err;
    char id[SX_UUID_LEN];
    if ((rc = open_run(c, run, &st, id)) != CLI_EXIT_OK)
        return rc;
    if (sx_runs_log(st, id, &it, 1, &err) != SX_OK)
        rc = cli_fail_err(&err);
    sx_store_close(st);
    return rc;
}

/* All of stdin in *BUF (NUL-terminated); *LEN its length. */
static int read_stdin(char **buf, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = cli_xmalloc(cap);
    for (;;) {
        if (cap - n < 4096) {
            cap *= 2;
            b = cli_xrealloc(b, cap);
        }
        size_t got = fread(b + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        int e = errno;
        free(b);
        return cli_fail("stdin: %s", strerror(e ? e : EIO));
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return CLI_EXIT_OK;
}

/* `log batch` parses on one thread while it writes on another: the parser
 * hands over chunks of items; the writer adds each to one open transaction
 * (sx_runs_log_add) and commits at the end. A malformed line stops both
 * and rolls back: nothing of the batch is written. */
#define CHUNK_ITEMS 65536

struct chunk {
    struct chunk *next;
    struct sx_log_item *items;
    size_t n;
};

struct feed {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail;
    int done;                   /* the parser finished or failed */
    int stop;                   /* the writer gave up: stop parsing */
    size_t bad;                 /* 0, or the 1-based line that failed */
    struct sx_err err;
    char *buf, *end;
};

static void feed_put(struct feed *f, struct chunk *c)
{
    pthread_mutex_lock(&f->mu);
    if (f->tail)
        f->tail->next = c;
    else
        f->head = c;
    f->tail = c;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static void *parser(void *arg)
{
    struct feed *f = arg;
    size_t line = 0;
    char *p = f->buf;
    while (p < f->end) {
        struct chunk *c = cli_xmalloc(sizeof *c);
        c->next = NULL;
        c->n = 0;
        c->items = cli_xmalloc(CHUNK_ITEMS * sizeof *c->items);
        while (c->n < CHUNK_ITEMS && p < f->end) {
            char *nl = memchr(p, '\n', (size_t)(f->end - p));
            char *next = nl ? nl + 1 : f->end;
            int skip;
            if (nl)
                *nl = '\0';
            line++;
            /* a metric with the key of the line before needs no check here
             * (the store checks every item again before writing) */
            const struct sx_log_item *it = &c->items[c->n], *before = c->n ? it - 1 : NULL;
            if (sx_runs_parse_log_line(p, &c->items[c->n], &skip, &f->err) != SX_OK ||
                (!skip && !(it->kind == SX_LOG_METRIC && before && before->kind == SX_LOG_METRIC &&
                            strcmp(before->key, it->key) == 0) &&
                 sx_runs_item_check(it, &f->err) != SX_OK)) {
                free(c->items);
                free(c);
                pthread_mutex_lock(&f->mu);
                f->bad = line;
                goto done;
            }
            if (!skip)
                c->n++;
            p = next;
        }
        feed_put(f, c);
        pthread_mutex_lock(&f->mu);
        int stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
    }
    pthread_mutex_lock(&f->mu);
done:
    f->done = 1;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* The next chunk, NULL when the parser is done (or failed). */
static struct chunk *feed_take(struct feed *f)
{
    pthread_mutex_lock(&f->mu);
    while (!f->head && !f->done && !f->bad)
        pthread_cond_wait(&f->cv, &f->mu);
    struct chunk *c = f->bad ? NULL : f->head;
    if (c && !(f->head = c->next))
        f->tail = NULL;
    pthread_mutex_unlock(&f->mu);
    return c;
}

static void chunk_free(struct chunk *c)
{
    if (c) {
        free(c->items);
        free(c);
    }
}

/* Stop the parser, wait for it, and free what it left. */
static void feed_end(struct feed *f, pthread_t tid)
{
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_mutex_unlock(&f->mu);
    pthread_join(tid, NULL);
    for (struct chunk *c = f->head, *n; c; c = n) {
        n = c->next;
        chunk_free(c);
    }
    f->head = f->tail = NULL;
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
}

static int log_batch(struct cli *c, int argc, char **argv)
{
    const char *run = NULL;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return cli_help(help_log);
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(c, "unknown option '%s'", argv[i]);
        if (run)
            return cli_usage(c, "unexpected argument '%s'", argv[i]);
        run = argv[i];
    }
    if (!run && !(run = cli_run_env()))
        return cli_usage(c, "wants RUN (or SEXTANT_RUN in the environment)");

    char *buf = NULL;
    size_t len = 0;
    if ((rc = read_stdin(&buf, &len)) != CLI_EXIT_OK)
        return rc;
    if (memchr(buf, '\0', len)) {
        free(buf);
        return cli_fail("stdin: a NUL byte in the input");
    }
    struct feed f;
    memset(&f, 0, sizeof f);
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    f.buf = buf;
    f.end = buf + len;
    pthread_t tid;
    if (pthread_create(&tid, NULL, parser, &f) != 0) {
        free(buf);
        return cli_fail("cannot start a thread");
    }

    struct sx_store *st = NULL;
    struct sx_runs_logger *lg = NULL;
    struct sx_err err;
    char id[SX_UUID_LEN];
    if ((rc = open_run(c, run, &st, id)) == CLI_EXIT_OK) {
        if (sx_runs_log_begin(st, id, &lg, &err) != SX_OK)
            rc = cli_fail_err(&err);
    }
    for (struct chunk *ch; rc == CLI_EXIT_OK && (ch = feed_take(&f));) {
        if (sx_runs_log_add(lg, ch->items, ch->n, &err) != SX_OK)
            rc = cli_fail_err(&err);
        chunk_free(ch);
    }
    if (rc == CLI_EXIT_OK && f.bad)
        rc = cli_fail("stdin:%zu:%s", f.bad, f.err.msg);
    if (lg) {
        if (rc == CLI_EXIT_OK && sx_runs_log_commit(lg, &err) != SX_OK)
            rc = cli_fail_err(&err);
        else if (rc != CLI_EXIT_OK)
            sx_runs_log_abort(lg);
    }
    feed_end(&f, tid);
    sx_store_close(st);
    free(buf);
    return rc;
}

static int log_param(struct cli *c, int argc, char **argv)
{
    return log_one(c, SX_LOG_PARAM, argc, argv);
}

static int log_metric(struct cli *c, int argc, char **argv)
{
    return log_one(c, SX_LOG_METRIC, argc, argv);
}

static int log_tag(struct cli *c, int argc, char **argv)
{
    return log_one(c, SX_LOG_TAG, argc, argv);
}

static const struct cli_sub subs[] = {
    {"param", "log param", log_param},
    {"metric", "log metric", log_metric},
    {"tag", "log tag", log_tag},
    {"batch", "log batch", log_batch},
};

int cli_cmd_log(struct cli *c, int argc, char **argv)
{
    return cli_dispatch(c, argc, argv, subs, sizeof subs / sizeof subs[0], help_log);
}
