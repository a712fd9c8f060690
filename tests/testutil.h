/* tests/testutil.h: helpers shared by the Criterion tests: temporary
 * directories and files, running the sextant binary and capturing what it
 * prints, finding Debian's python3 with pandas for reference values, and a
 * seeded pseudo-random generator for test data. Header-only so each test
 * binary stays one file. */
#ifndef SX_TESTUTIL_H
#define SX_TESTUTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp); caller frees the string. */
static inline char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (!base || !*base) base = "/tmp";
    if (asprintf(&path, "%s/sxtest.XXXXXX", base) < 0) cr_assert_fail("asprintf");
    cr_assert(mkdtemp(path), "mkdtemp: %s", strerror(errno));
    return path;
}

/* DIR/NAME as a new string. */
static inline char *tu_path(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0) cr_assert_fail("asprintf");
    return p;
}

/* Write LEN bytes of DATA to PATH (LEN (size_t)-1: strlen). */
static inline void tu_write(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    cr_assert(fp, "fopen %s: %s", path, strerror(errno));
    if (len == (size_t)-1) len = strlen(data);
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
}

/* The whole file at PATH as a NUL-terminated string (caller frees), or NULL. */
static inline char *tu_read(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!fp) return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            cr_assert(buf);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) break;
    }
    fclose(fp);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* Remove a directory tree (tests' own temporary directories only). */
static inline void tu_rmrf(const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
}

/* The sextant binary under test: $SEXTANT_BIN, else build/sextant. */
static inline const char *tu_bin(void)
{
    const char *b = getenv("SEXTANT_BIN");
    return (b && *b) ? b : "build/sextant";
}

struct tu_run {
    int status;               /* exit code, or 128 + signal */
    char *out, *err;          /* everything printed (caller frees via tu_run_free) */
};

static inline void tu_run_free(struct tu_run *r)
{
    free(r->out);
    free(r->err);
}

/* Run ARGV[0..] (NULL-terminated, argv[0] is the program) in directory CWD
 * (NULL: ours) with STDIN_PATH as stdin (NULL: /dev/null), capturing stdout
 * and stderr in temporary files. ENV is extra "K=V" strings (NULL-terminated
 * array, may be NULL). */
static inline struct tu_run tu_runv(const char *cwd, char *const env[],
                                    const char *stdin_path, char *const argv[])
{
    struct tu_run r = {0};
    char outp[] = "/tmp/sxout.XXXXXX", errp[] = "/tmp/sxerr.XXXXXX";
    int fo = mkstemp(outp), fe = mkstemp(errp);
    cr_assert(fo >= 0 && fe >= 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fi = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        if (fi < 0) _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        if (cwd && chdir(cwd) != 0) _exit(126);
        for (size_t i = 0; env && env[i]; i++) putenv(env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    cr_assert(waitpid(pid, &st, 0) == pid);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    close(fo);
    close(fe);
    r.out = tu_read(outp, NULL);
    r.err = tu_read(errp, NULL);
    unlink(outp);
    unlink(errp);
    return r;
}

/* tu_sextant and tu_sextant_env: ARG and AP's arguments up to a NULL. */
static inline struct tu_run tu_sextant_va(const char *cwd, char *const env[], const char *in,
                                          const char *arg, va_list ap)
{
    char *argv[64];
    size_t n = 0;
    char *bin = realpath(tu_bin(), NULL);
    cr_assert(bin, "sextant binary %s not found", tu_bin());
    argv[n++] = bin;
    for (const char *a = arg; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    argv[n] = NULL;
    struct tu_run r = tu_runv(cwd, env, in, argv);
    free(bin);
    return r;
}

/* Run the sextant binary with the given arguments (NULL-terminated) in CWD.
 * The binary path is made absolute so CWD may differ from ours. */
static inline struct tu_run tu_sextant(const char *cwd, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    struct tu_run r = tu_sextant_va(cwd, NULL, NULL, arg, ap);
    va_end(ap);
    return r;
}

/* The same with ENV (a NULL-terminated "K=V" list, may be NULL) added to
 * the environment and stdin from the file IN (may be NULL). */
static inline struct tu_run tu_sextant_env(const char *cwd, char *const env[], const char *in,
                                           const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    struct tu_run r = tu_sextant_va(cwd, env, in, arg, ap);
    va_end(ap);
    return r;
}

/* Debian's python3 when it can import every module in MODULES (space
 * separated, e.g. "pandas"); NULL otherwise. The pyenv python on PATH
 * usually lacks them, so /usr/bin/python3 is tried first. */
static inline const char *tu_python_with(const char *modules)
{
    static const char *const cands[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        char cmd[512];
        /* "import a b" is not valid Python: turn spaces between modules into commas. */
        char mods[256];
        snprintf(mods, sizeof mods, "%s", modules);
        for (char *p = mods; *p; p++) if (*p == ' ') *p = ',';
        snprintf(cmd, sizeof cmd, "%s -c 'import %s' >/dev/null 2>&1", cands[i], mods);
        if (system(cmd) == 0) return cands[i];
    }
    return NULL;
}

/* The python with scikit-learn 1.2 (Debian 12's), whose results the
 * reference scripts in tests/ref reproduce; else the test is skipped (and a
 * warning logged), WHY ("" or " (…)") added to the message when the
 * version differs. */
static inline const char *tu_sklearn_python(const char *why)
{
    const char *py = tu_python_with("sklearn numpy");
    if (!py) {
        cr_log_warn("SKIPPED: python3 with scikit-learn is not installed");
        cr_skip_test("python3 with scikit-learn is not installed");
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -c 'import sklearn,sys; sys.exit(0 if sklearn.__version__."
                              "startswith(\"1.2.\") else 1)'", py);
    if (system(cmd) != 0) {
        cr_log_warn("SKIPPED: scikit-learn is not 1.2.x%s", why);
        cr_skip_test("scikit-learn is not 1.2.x%s", why);
    }
    return py;
}

/* ---- deterministic test data: xorshift64*, one state per test binary
 * (and per test, as Criterion runs each in its own process). A test that
 * draws numbers seeds first, so its data does not depend on other tests. */

static inline uint64_t *tu_rng_state(void)
{
    static uint64_t state = 1;
    return &state;
}

/* Restart the sequence from seed S (0 is taken as 1: xorshift needs a
 * non-zero state). */
static inline void tu_rng_seed(uint64_t s)
{
    *tu_rng_state() = s ? s : 1;
}

/* The next 64 random bits. */
static inline uint64_t tu_rng(void)
{
    uint64_t *x = tu_rng_state();
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, N) (N > 0; the modulo bias is irrelevant for tests). */
static inline size_t tu_rnd(size_t n)
{
    return (size_t)(tu_rng() % n);
}

/* Uniform in [0, 1), with 53 random bits. */
static inline double tu_unif(void)
{
    return (double)(tu_rng() >> 11) * (1.0 / 9007199254740992.0);
}

#endif
