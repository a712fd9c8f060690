/* tui/launch.h: the one entry into the workbench that cli/ uses. It does
 * not include curses.h, so cli/ stays curses-free (STYLE.md section 6). */
#ifndef SX_LAUNCH_H
#define SX_LAUNCH_H

/* Run the workbench (see sx_tui_main in tui/tui.h). STORE, THEME and
 * OPEN_FILE may be NULL. Returns a process exit code. */
int sx_tui_launch(const char *store, const char *theme, const char *open_file, int read_only);

#endif
