/* cmd_export.c - placeholder: being written */
#include "cmd.h"

#include <stdio.h>

static int todo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "syncd: not ready yet\n");
    return EXIT_TROUBLE;
}

const cmd_entry cmd_export = {
    .name = "export",
    .args = "",
    .summary = "(being written)",
    .exec = todo,
};
