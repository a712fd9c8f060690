/* core/par.h: independent tasks run on the online CPUs, shared by the
 * passes over rows of core/models.c and core/features_fit.c. Internal to
 * core/. */
#ifndef SX_PAR_H
#define SX_PAR_H

#include <stddef.h>

#define SX_PAR_MAX_THREADS 16   /* threads of one run at the most */

/* Run FN(CTX, t) for every t in 0..NTASKS-1, taken in turn by up to
 * SX_PAR_MAX_THREADS threads (as many as there are online CPUs, no more
 * than tasks; the calling thread is one of them), or by the calling thread
 * alone when PARALLEL is 0. Tasks must not depend on each other; returns
 * when all are done. A thread that cannot be started leaves its share to
 * the others. */
void sx_par_run(size_t ntasks, int parallel, void (*fn)(void *ctx, size_t task), void *ctx);

#endif
