/* core/par.c: independent tasks run on the online CPUs (core/par.h): the
 * threads take task numbers from one atomic counter until none is left. */
#include "par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

struct par {
    void (*fn)(void *ctx, size_t task);
    void *ctx;
    size_t n;
    atomic_size_t next;
};

static void *par_main(void *arg)
{
    struct par *p = arg;
    for (;;) {
        size_t t = atomic_fetch_add(&p->next, 1);
        if (t >= p->n)
            break;
        p->fn(p->ctx, t);
    }
    return NULL;
}

void sx_par_run(size_t ntasks, int parallel, void (*fn)(void *ctx, size_t task), void *ctx)
{
    struct par p = {.fn = fn, .ctx = ctx, .n = ntasks};
    atomic_init(&p.next, 0);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = ncpu > 1 ? (size_t)ncpu : 1;
    if (nt > SX_PAR_MAX_THREADS)
        nt = SX_PAR_MAX_THREADS;
    if (nt > ntasks)
        nt = ntasks;
    if (!parallel)
        nt = 1;
    pthread_t th[SX_PAR_MAX_THREADS];
    size_t started = 0;
    for (size_t i = 1; i < nt; i++) {
        if (pthread_create(&th[started], NULL, par_main, &p) != 0)
            break;
        started++;
    }
    par_main(&p);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}
