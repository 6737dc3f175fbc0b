/* cmd_indicators.c - placeholder: being written */
#include "cmd.h"

#include <stdio.h>

static int todo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "syncd: not ready yet\n");
    return EXIT_TROUBLE;
}

const cmd_entry cmd_indicators = {
    .name = "indicators",
    .args = "",
    .summary = "(being written)",
    .exec = todo,
};
