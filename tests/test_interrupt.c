/* tests/test_interrupt.c: interrupting `sextant import` of a large
 * generated file. SIGINT at several points must end with exit 130,
 * "sextant: interrupted" and the store as it was; SIGKILL at several points
 * (and the moment the write-ahead log starts growing) must leave a store
 * that passes PRAGMA integrity_check and holds either exactly the data sets
 * it held before or those plus the complete new one. */
#include "testcli.h"

#include <signal.h>
#include <time.h>

/* About 40 MB: long enough to hit every phase of an import on purpose. */
#define BIG_ROWS 500000

static void setup(void)
{
    unsetenv("SEXTANT_STORE");
}

TestSuite(interrupt, .init = setup, .timeout = 300);

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A project whose store already holds one small data set, plus the big
 * file BIG in it. */
struct fixture {
    char *dir, *big, *before;
};

static struct fixture fixture_new(void)
{
    struct fixture fx;
    fx.dir = tc_project_with_dataset("small");
    fx.big = tu_path(fx.dir, "big.csv");
    tc_write_demo(fx.big, BIG_ROWS);
    fx.before = tc_datasets_json(fx.dir);
    return fx;
}

static void fixture_free(struct fixture *fx)
{
    tu_rmrf(fx->dir);
    free(fx->dir);
    free(fx->big);
    free(fx->before);
}

/* Start `sextant import BIG` in DIR; its stdout and stderr go to files
 * OUT and ERR (in DIR). */
static pid_t start_import(const char *dir, const char *big)
{
    char *bin = realpath(tu_bin(), NULL);
    cr_assert(bin, "sextant binary %s not found", tu_bin());
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        int fo = open("import.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open("import.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0)
            _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execl(bin, bin, "import", big, (char *)NULL);
        _exit(127);
    }
    free(bin);
    return pid;
}

/* Wait until PID has a SIGINT handler installed (SigCgt in /proc), so a
 * SIGINT tests our handler and not the default action. */
static void wait_for_handler(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    double t0 = now_s();
    while (now_s() - t0 < 10.0) {
        FILE *fp = fopen(path, "r");
        char line[256];
        unsigned long long mask = 0;
        int found = 0;
        while (fp && fgets(line, sizeof line, fp))
            if (sscanf(line, "SigCgt: %llx", &mask) == 1)
                found = 1;
        if (fp)
            fclose(fp);
        if (found && (mask & (1ull << (SIGINT - 1))))
            return;
        sleep_s(0.0005);
    }
    cr_assert_fail("sextant never installed its SIGINT handler");
}

static int wait_status(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return st;
}

/* Wall time of a complete import of BIG into a scratch store (the faster
 * of two, so that fractions of it fall inside later imports). */
static double full_import_time(const char *big)
{
    double best = 0.0;
    for (int i = 0; i < 2; i++) {
        char *dir = tc_new_project();
        double t0 = now_s();
        pid_t pid = start_import(dir, big);
        int st = wait_status(pid);
        double t = now_s() - t0;
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a full import fails");
        tu_rmrf(dir);
        free(dir);
        if (i == 0 || t < best)
            best = t;
    }
    return best;
}

static char *read_in(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    char *s = tu_read(p, NULL);
    free(p);
    cr_assert(s);
    return s;
}

Test(interrupt, sigint_leaves_store_unchanged)
{
    struct fixture fx = fixture_new();
    double t = full_import_time(fx.big);
    static const double at[] = {0.0, 0.05, 0.2, 0.4};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        pid_t pid = start_import(fx.dir, fx.big);
        wait_for_handler(pid);
        sleep_s(t * at[i]);
        cr_assert_eq(kill(pid, SIGINT), 0);
        int st = wait_status(pid);
        char *err = read_in(fx.dir, "import.err"), *out = read_in(fx.dir, "import.out");
        cr_assert(WIFEXITED(st), "killed by a signal at %.2f of %.2fs", at[i], t);
        cr_assert_eq(WEXITSTATUS(st), 130, "at %.2f of %.2fs: exit %d, %s%s", at[i], t,
                     WEXITSTATUS(st), out, err);
        cr_assert_str_eq(err, "sextant: interrupted\n");
        cr_assert_str_eq(out, "");
        free(err);
        free(out);
        tc_assert_store_unchanged(fx.dir, fx.before);
    }
    fixture_free(&fx);
}

/* After a kill: integrity ok and either unchanged or with big@1 complete.
 * Returns 1 when big@1 is there. */
static int consistent_after_kill(const struct fixture *fx)
{
    char *ok = tc_integrity(fx->dir);
    cr_assert_str_eq(ok, "ok");
    free(ok);
    char *after = tc_datasets_json(fx->dir);
    int grown = strcmp(after, fx->before) != 0;
    if (grown) {
        json_t *j = tc_parse_json(after), *b = tc_parse_json(fx->before);
        cr_assert_eq(json_array_size(j), json_array_size(b) + 1, "%s", after);
        int seen = 0;
        for (size_t i = 0; i < json_array_size(j); i++) {
            json_t *d = json_array_get(j, i);
            if (strcmp(json_string_value(json_object_get(d, "name")), "big") == 0) {
                cr_assert_eq(json_integer_value(json_object_get(d, "version")), 1);
                cr_assert_eq(json_integer_value(json_object_get(d, "rows")), BIG_ROWS);
                seen = 1;
            }
        }
        cr_assert(seen, "%s", after);
        json_decref(j);
        json_decref(b);
    }
    free(after);
    return grown;
}

Test(interrupt, sigkill_keeps_store_consistent)
{
    struct fixture fx = fixture_new();
    double t = full_import_time(fx.big);

    /* Killed while hashing, loading or profiling: nothing was written. */
    static const double at[] = {0.02, 0.1, 0.25, 0.4};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        pid_t pid = start_import(fx.dir, fx.big);
        wait_for_handler(pid);
        sleep_s(t * at[i]);
        cr_assert_eq(kill(pid, SIGKILL), 0);
        int st = wait_status(pid);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                  "the import ended before the kill at %.2f of %.2fs", at[i], t);
        tc_assert_store_unchanged(fx.dir, fx.before);
    }

    /* Killed the moment the write transaction reaches the WAL. */
    char *wal = tu_path(fx.dir, ".sextant/store.db-wal");
    int grown = 0;
    for (int attempt = 0; attempt < 3 && !grown; attempt++) {
        struct stat sb, first;
        int had = stat(wal, &first) == 0;
        pid_t pid = start_import(fx.dir, fx.big);
        int st, done = 0;
        double t0 = now_s();
        while (now_s() - t0 < 60.0) {
            if (stat(wal, &sb) == 0 && sb.st_size > 0
                && (!had || sb.st_size != first.st_size
                    || sb.st_mtim.tv_sec != first.st_mtim.tv_sec
                    || sb.st_mtim.tv_nsec != first.st_mtim.tv_nsec))
                break;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                done = 1;
                break;
            }
            sleep_s(0.0002);
        }
        if (!done) {
            kill(pid, SIGKILL);
            st = wait_status(pid);
        }
        grown = consistent_after_kill(&fx);
        cr_log_info("WAL kill attempt %d: %s, data set %s", attempt + 1,
                    done ? "the import finished first" : "killed during the write",
                    grown ? "committed" : "absent");
    }
    free(wal);

    /* The store still works: the import completes (or is already there). */
    struct tu_run r = tu_sextant(fx.dir, "import", fx.big, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "big@1\n");
    tu_run_free(&r);
    cr_assert_eq(consistent_after_kill(&fx), 1);
    fixture_free(&fx);
}
