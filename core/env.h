/* core/env.h: the environment a run happens in: versions of sextant, the
 * compiler, libc and every library, gnuplot if present, OS and host. */
#ifndef SX_ENV_H
#define SX_ENV_H

#include <jansson.h>

#include "err.h"

struct sx_env {
    char sextant[32];
    char compiler[128];
    char libc[32];
    char sqlite[32];
    char gsl[32];
    char ncurses[32];
    char libcsv[32];
    char libsodium[32];
    char jansson[32];
    char gnuplot[64];         /* "" when gnuplot is not installed */
    char os[160];             /* uname: sysname release version */
    char arch[32];
    char host[128];
};

/* Fill E. Runs `gnuplot --version` (no shell) when gnuplot is on PATH. */
enum sx_status sx_env_capture(struct sx_env *e, struct sx_err *err);
/* {"sextant":…,"compiler":…,"libc":…,"sqlite":…,"gsl":…,"ncurses":…,
 *  "libcsv":…,"libsodium":…,"jansson":…,"gnuplot":…|null,"os":…,"arch":…,
 *  "host":…}. New reference. */
json_t *sx_env_json(const struct sx_env *e);

#endif
