/* cmd_interview.c - `collector interview`: the terminal interview (placeholder being written) */
#include "cmd.h"

#include <stdio.h>

static int exec(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "collector interview: not ready yet\n");
    return EXIT_TROUBLE;
}

const cmd_entry cmd_interview = {
    .name = "interview",
    .args = "[--form ID] [--assignment ID] [--lang vi|en] [--resume UUID] [--db PATH]",
    .summary = "interview a household in the terminal",
    .exec = exec,
};
