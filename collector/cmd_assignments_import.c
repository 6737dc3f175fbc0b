/* cmd_assignments_import.c - `collector assignments import FILE.csv` (placeholder) */
#include "cmd.h"

#include <stdio.h>

static int exec(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "collector assignments import: not ready yet\n");
    return EXIT_TROUBLE;
}

const cmd_entry cmd_assignments_import = {
    .name = "assignments import",
    .args = "FILE.csv [--db PATH]",
    .summary = "load the households to visit from a CSV file",
    .exec = exec,
};
