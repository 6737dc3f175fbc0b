/* cmd_edit.c - `collector edit UUID` (placeholder until the interview screens land) */
#include "cmd.h"

#include <stdio.h>

static int exec(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "collector edit: not ready yet\n");
    return EXIT_TROUBLE;
}

const cmd_entry cmd_edit = {
    .name = "edit",
    .args = "UUID [--lang vi|en] [--db PATH]",
    .summary = "reopen a finalized or rejected interview; finishing adds a revision",
    .exec = exec,
};
