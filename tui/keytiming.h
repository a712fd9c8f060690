/* tui/keytiming.h: SEXTANT_KEY_TIMING=FILE, the workbench's own stopwatch
 * for bench/bench_tui.c. When set, FILE receives one line per event:
 *   first-draw T    the first screen was pushed to the terminal
 *   rows T          a grid's first rows were pushed to the terminal
 *   loaded T        a grid's whole table arrived (its load job finished)
 *   key US          microseconds from reading a key to the end of the
 *                   refresh that shows its effect
 * T is CLOCK_MONOTONIC in seconds, comparable across processes. Without
 * the variable every call returns at once. Main thread only; the state
 * lives in the app (app->timing). */
#ifndef SX_KEYTIMING_H
#define SX_KEYTIMING_H

#include <stdio.h>

struct sx_app;

/* The stopwatch's state (zeroed with the app: the file opens on first use). */
struct sx_keytiming {
    FILE *out;                /* SEXTANT_KEY_TIMING, or NULL */
    int opened;               /* the variable was looked at */
    int drawn;                /* first-draw was written */
    int key_read;             /* a key was read and awaits its refresh */
    double key_at;            /* when it was read */
    const char *pending;      /* an event to write after the next refresh */
};

/* A key was read (app.c, before handling it). */
void sx_keytiming_key(struct sx_app *app);
/* The screen was refreshed (app.c, after refresh()). */
void sx_keytiming_drawn(struct sx_app *app);
/* Record event WHAT ("loaded") now. */
void sx_keytiming_mark(struct sx_app *app, const char *what);
/* Record event WHAT (a static string) after the next refresh. */
void sx_keytiming_after_draw(struct sx_app *app, const char *what);
/* Close the file (at exit). */
void sx_keytiming_close(struct sx_app *app);

#endif
