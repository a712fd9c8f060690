/* tui/keytiming.h: SEXTANT_KEY_TIMING=FILE, the workbench's own stopwatch
 * for bench/bench_tui.c. When set, FILE receives one line per event:
 *   first-draw T    the first screen was pushed to the terminal
 *   rows T          a grid's first rows were pushed to the terminal
 *   loaded T        a grid's whole table arrived (its load job finished)
 *   key US          microseconds from reading a key to the end of the
 *                   refresh that shows its effect
 * T is CLOCK_MONOTONIC in seconds, comparable across processes. Without
 * the variable every call returns at once. Main thread only. */
#ifndef SX_KEYTIMING_H
#define SX_KEYTIMING_H

/* A key was read (app.c, before handling it). */
void sx_keytiming_key(void);
/* The screen was refreshed (app.c, after refresh()). */
void sx_keytiming_drawn(void);
/* Record event WHAT ("loaded") now. */
void sx_keytiming_mark(const char *what);
/* Record event WHAT (a static string) after the next refresh. */
void sx_keytiming_after_draw(const char *what);

#endif
