/* tests/test_plot_lines.c: sx_plot_lines_new (core/plot.h), the
 * multi-series line chart the Experiments pane draws metric histories
 * with: one data block index per series with the numbers at full
 * precision, non-finite points left out, a one-point series drawn as a
 * point, run names that try to break out of their quotes kept inert, the
 * errors, and a live render through gnuplot's dumb terminal (gnuplot is a
 * test dependency installed by scripts/deps.sh). */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "plot.h"

TestSuite(plot_lines);

static struct sx_plot_chart *two_series(const char *const *names, struct sx_err *err)
{
    static const double x0[] = {0, 1, 2, 3}, y0[] = {4.5, 3.25, NAN, 0.1};
    static const double x1[] = {0}, y1[] = {2.0 / 3.0};
    const double *xs[] = {x0, x1}, *ys[] = {y0, y1};
    size_t n[] = {4, 1};
    return sx_plot_lines_new("rmse by step", "step", "rmse", 2, names, xs, ys, n, err);
}

Test(plot_lines, data_blocks_and_series)
{
    struct sx_err err = {0};
    const char *names[] = {"ols", "ridge"};
    struct sx_plot_chart *c = two_series(names, &err);
    cr_assert(c, "%s", err.msg);
    cr_expect_eq(c->kind, SX_PLOT_LINE);
    cr_expect_eq(c->nseries, 2);
    cr_expect_eq(c->rows, 4, "the NaN point is left out: %llu", (unsigned long long)c->rows);
    cr_expect_eq(c->xmin, 0);
    cr_expect_eq(c->xmax, 3);
    /* series 0, a blank line pair, series 1; numbers as %.17g */
    cr_expect(strstr(c->script, "$d << EOD\n0 4.5\n1 3.25\n3 0.10000000000000001\n\n\n"
                                "0 0.66666666666666663\nEOD\n"), "%s", c->script);
    cr_expect(strstr(c->plot_text, "$d index 0 using 1:2 with lines title 'ols' noenhanced"),
              "%s", c->plot_text);
    cr_expect(strstr(c->plot_text, "$d index 1 using 1:2 with points title 'ridge' noenhanced"),
              "%s", c->plot_text);
    cr_expect(strstr(c->script, "set title 'rmse by step' noenhanced"), "%s", c->script);
    sx_plot_chart_free(c);
}

Test(plot_lines, hostile_names_stay_quoted)
{
    struct sx_err err = {0};
    const char *names[] = {"a'b`touch /tmp/x`", "line\nbreak; system 'id'"};
    struct sx_plot_chart *c = two_series(names, &err);
    cr_assert(c, "%s", err.msg);
    cr_expect(strstr(c->plot_text, "title 'a''b`touch /tmp/x`' noenhanced"), "%s",
              c->plot_text);
    cr_expect(strstr(c->plot_text, "title 'line break; system ''id''' noenhanced"), "%s",
              c->plot_text);
    cr_expect(!strchr(c->plot_text, '\n') || strchr(c->plot_text, '\n')[1] == '\0',
              "one plot line: %s", c->plot_text);
    sx_plot_chart_free(c);
}

Test(plot_lines, empty_series_keep_their_index)
{
    struct sx_err err = {0};
    static const double x0[] = {NAN}, y0[] = {1};
    static const double x1[] = {1, 2}, y1[] = {5, 6};
    const double *xs[] = {x0, x1}, *ys[] = {y0, y1};
    size_t n[] = {1, 2};
    struct sx_plot_chart *c = sx_plot_lines_new("t", "x", "y", 2, NULL, xs, ys, n, &err);
    cr_assert(c, "%s", err.msg);
    cr_expect(strstr(c->script, "$d << EOD\nNaN NaN\n\n\n1 5\n2 6\nEOD\n"), "%s", c->script);
    cr_expect(strstr(c->plot_text, "index 1 using 1:2 with lines notitle"), "%s", c->plot_text);
    sx_plot_chart_free(c);
}

Test(plot_lines, errors)
{
    struct sx_err err = {0};
    static const double x[] = {NAN}, y[] = {NAN};
    const double *xs[] = {x}, *ys[] = {y};
    size_t n[] = {1};
    cr_expect_null(sx_plot_lines_new("t", "x", "y", 1, NULL, xs, ys, n, &err));
    cr_expect_eq(err.code, SX_EINVAL);
    cr_expect(strstr(err.msg, "nothing to plot"), "%s", err.msg);
    err = (struct sx_err){0};
    cr_expect_null(sx_plot_lines_new("t", "x", "y", 0, NULL, xs, ys, n, &err));
    cr_expect_eq(err.code, SX_EINVAL);
    err = (struct sx_err){0};
    cr_expect_null(sx_plot_lines_new("t", "x", "y", SX_PLOT_MAX_GROUPS + 1, NULL, xs, ys, n,
                                     &err));
    cr_expect_eq(err.code, SX_EINVAL);
}

Test(plot_lines, renders_with_gnuplot)
{
    struct sx_err err = {0};
    struct sx_plot *p = NULL;
    if (sx_plot_open(&p, &err) != SX_OK)
        cr_skip_test("gnuplot: %s", err.msg);
    const char *names[] = {"ols", "ridge"};
    struct sx_plot_chart *c = two_series(names, &err);
    cr_assert(c, "%s", err.msg);
    struct sx_plot_grid g = {0};
    cr_assert_eq(sx_plot_render_text(p, c, 60, 20, 0, &g, &err), SX_OK, "%s", err.msg);
    cr_expect_eq(g.w, 60);
    cr_expect_eq(g.h, 20);
    /* the key names both series somewhere on the chart */
    char *text = calloc((size_t)g.w * (size_t)g.h * 5 + 1, 1);
    cr_assert(text);
    for (int i = 0; i < g.w * g.h; i++)
        strcat(text, g.cells[i].ch);
    cr_expect(strstr(text, "ols"), "%s", text);
    cr_expect(strstr(text, "ridge"), "%s", text);
    free(text);
    sx_plot_grid_free(&g);
    sx_plot_chart_free(c);
    sx_plot_close(p);
}
