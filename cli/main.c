/* cli/main.c: the sextant command: global options, the command table, and
 * dispatch. `sextant [--store PATH] [--help] [--version] COMMAND …`; each
 * command parses its own options. Exit codes: 0 ok, 1 user error (one line
 * on stderr), 2 usage error, 130 interrupted. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "../tui/launch.h"

/* The one list of commands: `sextant --help` is generated from it. */
static const struct cli_command commands[] = {
    {"init", cli_cmd_init, "create a store (.sextant/) in the working directory"},
    {"import", cli_cmd_import, "load a CSV file, profile it and record it as a data set"},
    {"datasets", cli_cmd_datasets, "list the data sets and their versions"},
    {"describe", cli_cmd_describe, "profile the columns of a data set or a CSV file"},
    {"cat", cli_cmd_cat, "print the rows of a data set or a CSV file, typed"},
    {"plot", cli_cmd_plot, "draw a chart of a data set or a CSV file with gnuplot"},
    {"features", cli_cmd_features, "feature sets: add, list, show, diff, fit, sql"},
    {"transform", cli_cmd_transform, "apply a fitted feature set to a data set or a CSV file"},
    {"train", cli_cmd_train, "train a model, evaluate it on a split, record the run"},
    {"sweep", cli_cmd_sweep, "train many trials over a grid or random params, mark the best"},
    {"metrics", cli_cmd_metrics, "evaluate existing predictions, overall and per group"},
    {"predict-run", cli_cmd_predict_run, "predict a CSV file with a recorded run's model"},
    {"import-mlflow", cli_cmd_import_mlflow, "import MLflow experiments and runs (mlruns/ or mlflow.db)"},
    {"run", cli_cmd_run, "start and end a run (scripts), show it, its model as SQL"},
    {"log", cli_cmd_log, "log params, metrics and tags to a run (one, or a batch)"},
    {"runs", cli_cmd_runs, "list the runs: filter, sort, as a table, JSON or CSV"},
    {"compare", cli_cmd_compare, "show two or more runs side by side"},
    {"comment", cli_cmd_comment, "add a comment to a run"},
    {"review", cli_cmd_review, "set a run's review status: reviewed or needs-work"},
    {"demo", cli_cmd_demo, "create a demo project with generated energy data"},
    {"version", cli_cmd_version, "print the version and the environment"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(void)
{
    fputs("usage: sextant [--store PATH] [--help] [--version] COMMAND [ARGS]\n"
          "       sextant [--store PATH] [--theme NAME] [--read-only]\n"
          "\n"
          "A terminal workbench for the machine-learning lifecycle. Without a\n"
          "COMMAND it opens the workbench.\n"
          "\n"
          "Commands:\n", stdout);
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-13s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  --store PATH  the store to use: a store.db, a .sextant directory or a\n"
          "                project directory holding one (default: $SEXTANT_STORE, else\n"
          "                .sextant/store.db found from the working directory upward)\n"
          "  --theme NAME  the workbench's colour theme (default, light,\n"
          "                high-contrast, mono, or a file)\n"
          "  --read-only   open the workbench without allowing writes\n"
          "  -h, --help    show this help\n"
          "  --version     print the version\n"
          "\n"
          "'sextant COMMAND --help' describes a command. Exit status: 0 success,\n"
          "1 error, 2 usage error, 130 interrupted.\n", stdout);
}

int main(int argc, char **argv)
{
    enum { O_STORE = 256, O_VERSION, O_THEME, O_READ_ONLY };
    static const struct option longopts[] = {
        {"store", required_argument, NULL, O_STORE},
        {"theme", required_argument, NULL, O_THEME},
        {"read-only", no_argument, NULL, O_READ_ONLY},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct cli c = {0};
    const char *theme = NULL;
    int read_only = 0;
    int opt;

    cli_text_locale();
    opterr = 0;
    /* '+': stop at the command; its options are its own. */
    while ((opt = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        switch (opt) {
        case O_STORE:
            if (!*optarg)
                return cli_usage(&c, "--store wants a path");
            c.store = optarg;
            break;
        case O_THEME:
            if (!*optarg)
                return cli_usage(&c, "--theme wants a name");
            theme = optarg;
            break;
        case O_READ_ONLY:
            read_only = 1;
            break;
        case 'h':
            print_help();
            return cli_flush(CLI_EXIT_OK);
        case O_VERSION:
            printf("sextant %s\n", SX_VERSION);
            return cli_flush(CLI_EXIT_OK);
        default:
            return cli_bad_option(&c, argv, opt);
        }
    }
    if (optind >= argc)
        return sx_tui_launch(c.store, theme, NULL, read_only);
    if (theme || read_only)
        return cli_usage(&c, "--theme and --read-only are for the workbench (no COMMAND)");
    const char *name = argv[optind];
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            c.cmd = commands[i].name;
            return commands[i].run(&c, argc - optind, argv + optind);
        }
    }
    return cli_usage(&c, "unknown command '%s'", name);
}
