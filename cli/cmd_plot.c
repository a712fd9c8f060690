/* cli/cmd_plot.c: `sextant plot NAME|FILE.csv --kind hist|scatter|line
 * --x COL [--y COL] [--by COL] (--png PATH | --svg PATH | --text)`: the
 * workbench's charts for scripts. The rows come from a CSV file or a data
 * set's reloaded source; core/plot computes the chart and draws it with
 * one gnuplot process for this invocation: an image file, or the dumb
 * terminal's text (mono) on stdout at the terminal's size (80x25 when
 * stdout is not a terminal). */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "plot.h"

static const char help[] =
    "usage: sextant plot NAME[@VERSION]|FILE.csv --kind hist|scatter|line --x COL\n"
    "                    [--y COL] [--by COL] (--png PATH | --svg PATH | --text)\n"
    "\n"
    "Draw a chart of a data set (its source file is reloaded and must be\n"
    "unchanged) or of a CSV file with gnuplot, which must be installed.\n"
    "\n"
    "  --kind hist         histogram of --x (numeric or date) in 20 equal-width\n"
    "                      bins, one series per value of --by\n"
    "  --kind scatter      --y against --x; at most 20000 rows, evenly spaced,\n"
    "                      when there are more\n"
    "  --kind line         the mean of --y per value of --x (a date), one line per\n"
    "                      value of --by\n"
    "  --x COL, --y COL    the columns to plot (--y for scatter and line)\n"
    "  --by COL            one series per value of COL (category, text, bool or\n"
    "                      int; at most 16 values)\n"
    "  --png PATH          write a 1000x600 PNG image to PATH\n"
    "  --svg PATH          write a 1000x600 SVG image to PATH\n"
    "  --text              print the chart as text: the terminal's size, or 80x25\n"
    "  -h, --help          show this help\n";

/* The text chart's size: the terminal's, less a line for the prompt. */
static void text_size(int *w, int *h)
{
    struct winsize ws;
    *w = 80;
    *h = 25;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
        ws.ws_row > 1) {
        *w = ws.ws_col > 1000 ? 1000 : ws.ws_col;
        *h = ws.ws_row - 1 > 500 ? 500 : ws.ws_row - 1;
    }
    if (*w < 20)
        *w = 20;
    if (*h < 6)
        *h = 6;
}

/* Print grid G, each line without its trailing spaces. */
static void print_grid(const struct sx_plot_grid *g)
{
    for (int y = 0; y < g->h; y++) {
        int last = -1;
        for (int x = 0; x < g->w; x++)
            if (strcmp(g->cells[y * g->w + x].ch, " ") != 0)
                last = x;
        for (int x = 0; x <= last; x++)
            fputs(g->cells[y * g->w + x].ch, stdout);
        putchar('\n');
    }
}

static int column(const struct sx_frame *f, const char *label, const char *name, size_t *out)
{
    long i = sx_frame_find(f, name);
    if (i < 0)
        return cli_fail("%s: no column named '%s'", label, name);
    *out = (size_t)i;
    return CLI_EXIT_OK;
}

int cli_cmd_plot(struct cli *c, int argc, char **argv)
{
    enum { O_KIND = 256, O_X, O_Y, O_BY, O_PNG, O_SVG, O_TEXT };
    static const struct option longopts[] = {
        {"kind", required_argument, NULL, O_KIND},
        {"x", required_argument, NULL, O_X},
        {"y", required_argument, NULL, O_Y},
        {"by", required_argument, NULL, O_BY},
        {"png", required_argument, NULL, O_PNG},
        {"svg", required_argument, NULL, O_SVG},
        {"text", no_argument, NULL, O_TEXT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *kind = NULL, *xname = NULL, *yname = NULL, *byname = NULL, *path = NULL;
    int opt, outputs = 0, text = 0;
    enum sx_plot_format fmt = SX_PLOT_PNG;
    struct sx_err err;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(help);
        case O_KIND: kind = optarg; break;
        case O_X: xname = optarg; break;
        case O_Y: yname = optarg; break;
        case O_BY: byname = optarg; break;
        case O_PNG: fmt = SX_PLOT_PNG; path = optarg; outputs++; break;
        case O_SVG: fmt = SX_PLOT_SVG; path = optarg; outputs++; break;
        case O_TEXT: text = 1; outputs++; break;
        default: return cli_bad_option(c, argv, opt);
        }
    }
    if (optind + 1 != argc)
        return cli_usage(c, optind >= argc ? "missing NAME or FILE" : "one NAME or FILE at a time");
    struct sx_plot_spec spec = {.by = -1};
    if (!kind)
        return cli_usage(c, "missing --kind hist|scatter|line");
    if (sx_plot_kind_parse(kind, &spec.kind, &err) != SX_OK)
        return cli_usage(c, "%s", err.msg);
    if (!xname)
        return cli_usage(c, "missing --x COL");
    if (spec.kind == SX_PLOT_HIST && yname)
        return cli_usage(c, "--y does not apply to a histogram");
    if (spec.kind != SX_PLOT_HIST && !yname)
        return cli_usage(c, "%s needs --y COL", kind);
    if (outputs != 1)
        return cli_usage(c, outputs ? "one of --png, --svg and --text, not several"
                                    : "missing --png PATH, --svg PATH or --text");
    if (path && !*path)
        return cli_usage(c, "--%s wants a path", sx_plot_format_name(fmt));

    struct sx_frame *f = NULL;
    struct sx_plot_chart *chart = NULL;
    struct sx_plot *gp = NULL;
    char *label = NULL;
    int rc = cli_load(c, argv[optind], NULL, 0, &f, &label);
    if (rc != CLI_EXIT_OK)
        goto out;
    if ((rc = column(f, label, xname, &spec.x)) != CLI_EXIT_OK ||
        (yname && (rc = column(f, label, yname, &spec.y)) != CLI_EXIT_OK))
        goto out;
    if (byname) {
        size_t by = 0;
        if ((rc = column(f, label, byname, &by)) != CLI_EXIT_OK)
            goto out;
        spec.by = (long)by;
    }
    if (!(chart = sx_plot_chart_new(f, NULL, 0, NULL, &spec, &err))) {
        rc = cli_fail("%s: %s", label, err.msg);
        goto out;
    }
    if (sx_plot_open(&gp, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    if (text) {
        struct sx_plot_grid g;
        int w, h;
        text_size(&w, &h);
        if (sx_plot_render_text(gp, chart, w, h, 0, &g, &err) != SX_OK) {
            rc = cli_fail_err(&err);
            goto out;
        }
        print_grid(&g);
        sx_plot_grid_free(&g);
    } else if (sx_plot_export(gp, chart, fmt, path, &err) != SX_OK) {
        rc = cli_fail_err(&err);
        goto out;
    }
    rc = CLI_EXIT_OK;
out:
    sx_plot_close(gp);
    sx_plot_chart_free(chart);
    sx_frame_free(f);
    free(label);
    return cli_flush(rc);
}
