/* tui/keytiming.c: per-key latency and first-screen timing for the
 * benchmark (keytiming.h). */
#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static FILE *timing_file(struct sx_keytiming *kt)
{
    if (!kt->opened) {
        kt->opened = 1;
        const char *path = getenv("SEXTANT_KEY_TIMING");
        if (path && *path)
            kt->out = fopen(path, "w");
    }
    return kt->out;
}

void sx_keytiming_key(struct sx_app *app)
{
    struct sx_keytiming *kt = &app->timing;
    if (timing_file(kt)) {
        kt->key_at = mono();
        kt->key_read = 1;
    }
}

void sx_keytiming_drawn(struct sx_app *app)
{
    struct sx_keytiming *kt = &app->timing;
    FILE *fp = timing_file(kt);
    if (!fp)
        return;
    double t = mono();
    if (!kt->drawn) {
        kt->drawn = 1;
        fprintf(fp, "first-draw %.6f\n", t);
    }
    if (kt->pending) {
        fprintf(fp, "%s %.6f\n", kt->pending, t);
        kt->pending = NULL;
    }
    if (kt->key_read) {
        fprintf(fp, "key %.1f\n", (t - kt->key_at) * 1e6);
        kt->key_read = 0;
    }
    fflush(fp);
}

void sx_keytiming_mark(struct sx_app *app, const char *what)
{
    FILE *fp = timing_file(&app->timing);
    if (!fp)
        return;
    fprintf(fp, "%s %.6f\n", what, mono());
    fflush(fp);
}

void sx_keytiming_after_draw(struct sx_app *app, const char *what)
{
    if (timing_file(&app->timing))
        app->timing.pending = what;
}

void sx_keytiming_close(struct sx_app *app)
{
    if (app->timing.out)
        fclose(app->timing.out);
    app->timing.out = NULL;
}
