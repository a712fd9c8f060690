/* tui/keytiming.c: per-key latency and first-screen timing for the
 * benchmark (keytiming.h). */
#include "keytiming.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static FILE *out;
static int opened;
static int drawn;
static double key_at = -1;
static const char *pending;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static FILE *timing_file(void)
{
    if (!opened) {
        opened = 1;
        const char *path = getenv("SEXTANT_KEY_TIMING");
        if (path && *path)
            out = fopen(path, "w");
    }
    return out;
}

void sx_keytiming_key(void)
{
    if (timing_file())
        key_at = mono();
}

void sx_keytiming_drawn(void)
{
    FILE *fp = timing_file();
    if (!fp)
        return;
    double t = mono();
    if (!drawn) {
        drawn = 1;
        fprintf(fp, "first-draw %.6f\n", t);
    }
    if (pending) {
        fprintf(fp, "%s %.6f\n", pending, t);
        pending = NULL;
    }
    if (key_at >= 0) {
        fprintf(fp, "key %.1f\n", (t - key_at) * 1e6);
        key_at = -1;
    }
    fflush(fp);
}

void sx_keytiming_mark(const char *what)
{
    FILE *fp = timing_file();
    if (!fp)
        return;
    fprintf(fp, "%s %.6f\n", what, mono());
    fflush(fp);
}

void sx_keytiming_after_draw(const char *what)
{
    if (timing_file())
        pending = what;
}
