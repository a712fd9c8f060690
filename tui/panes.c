/* tui/panes.c: the panes of the workbench, in the order of the top bar and
 * the number keys. Each pane is one file (tui/pane_NAME.c); a pane that
 * arrives with a later issue adds its row here. */
#include "data.h"
#include "epane.h"
#include "fpane.h"

const struct sx_pane_ops *const sx_panes[] = {
    &sx_pane_data,
    &sx_pane_features,
    &sx_pane_experiments,
};
const size_t sx_npanes = sizeof sx_panes / sizeof sx_panes[0];
