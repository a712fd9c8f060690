/* tui/job.c: background jobs. A job runs one function on a worker thread;
 * the worker reports progress and reads the cancel flag through atomics,
 * never touches curses, and leaves its result (status, error) for the main
 * thread, which polls sx_job_done() from a view's tick. The app keeps the
 * list of live jobs for the progress bar, for Esc/Ctrl-C and for scripted
 * runs, which wait for every job before the next script entry.
 * sx_job_start and sx_job_free are main-thread only. */
#include "shell.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sx_job {
    struct sx_app *app;
    char label[160];
    sx_job_fn fn;
    void *ctx;
    pthread_t thread;
    int started;
    atomic_uint_fast64_t done, total, rows;
    atomic_int cancelled;
    atomic_int finished;
    enum sx_status status;    /* valid once finished */
    struct sx_err err;
    double t0;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *job_main(void *arg)
{
    struct sx_job *job = arg;
    struct sx_err err = {0};
    enum sx_status rc = job->fn(job->ctx, job, &err);
    job->status = rc;
    job->err = err;
    if (rc != SX_OK && !job->err.msg[0])
        sx_err_set(&job->err, rc, "%s", sx_status_str(rc));
    atomic_store_explicit(&job->finished, 1, memory_order_release);
    return NULL;
}

static void list_remove(struct sx_app *app, struct sx_job *job)
{
    struct sx_job_list *l = &app->jobs;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i] == job) {
            memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
            l->n--;
            return;
        }
    }
}

struct sx_job *sx_job_start(struct sx_app *app, const char *label, sx_job_fn fn, void *ctx)
{
    struct sx_job *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->app = app;
    snprintf(job->label, sizeof job->label, "%s", label ? label : "working");
    job->fn = fn;
    job->ctx = ctx;
    job->t0 = now();
    struct sx_job_list *l = &app->jobs;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct sx_job **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(job);
            return NULL;
        }
        l->v = v;
        l->cap = cap;
    }
    if (pthread_create(&job->thread, NULL, job_main, job) != 0) {
        free(job);
        return NULL;
    }
    job->started = 1;
    l->v[l->n++] = job;
    return job;
}

void sx_job_progress(struct sx_job *job, uint64_t done, uint64_t total, uint64_t rows)
{
    atomic_store_explicit(&job->done, done, memory_order_relaxed);
    atomic_store_explicit(&job->total, total, memory_order_relaxed);
    atomic_store_explicit(&job->rows, rows, memory_order_relaxed);
}

int sx_job_cancelled(const struct sx_job *job)
{
    return atomic_load_explicit(&((struct sx_job *)job)->cancelled, memory_order_relaxed);
}

void sx_job_cancel(struct sx_job *job)
{
    atomic_store_explicit(&job->cancelled, 1, memory_order_relaxed);
}

int sx_job_done(const struct sx_job *job, enum sx_status *status, struct sx_err *err)
{
    if (!atomic_load_explicit(&((struct sx_job *)job)->finished, memory_order_acquire))
        return 0;
    if (status)
        *status = job->status;
    if (err)
        *err = job->err;
    return 1;
}

void sx_job_free(struct sx_job *job)
{
    if (!job)
        return;
    if (!atomic_load_explicit(&job->finished, memory_order_acquire))
        sx_job_cancel(job);
    if (job->started)
        pthread_join(job->thread, NULL);
    list_remove(job->app, job);
    free(job);
}

void sx_job_snapshot(const struct sx_job *job, uint64_t *done, uint64_t *total, uint64_t *rows,
                     double *elapsed, const char **label)
{
    struct sx_job *j = (struct sx_job *)job;
    *done = atomic_load_explicit(&j->done, memory_order_relaxed);
    *total = atomic_load_explicit(&j->total, memory_order_relaxed);
    *rows = atomic_load_explicit(&j->rows, memory_order_relaxed);
    *elapsed = now() - job->t0;
    *label = job->label;
}

int sx_app_busy(struct sx_app *app)
{
    return sx_app_busy_job(app) != NULL;
}

struct sx_job *sx_app_busy_job(struct sx_app *app)
{
    for (size_t i = app->jobs.n; i-- > 0;)
        if (!sx_job_done(app->jobs.v[i], NULL, NULL))
            return app->jobs.v[i];
    return NULL;
}
