/* cmd_edit.c - `collector edit UUID`: reopen a finalized or sent-back interview */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "ui.h"

#include <stdio.h>
#include <string.h>

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *id = NULL, *lang_code = NULL;
    cstore *cs;
    dt_err err;
    int lang, status;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--lang") && i + 1 < argc)
            lang_code = argv[++i];
        else if (!id && argv[i][0] != '-')
            id = argv[i];
        else
            return cmd_usage(&cmd_edit);
    }
    if (!id)
        return cmd_usage(&cmd_edit);
    if ((lang = ui_lang_parse(lang_code)) < 0) {
        fprintf(stderr, "collector: --lang is vi or en\n");
        return EXIT_USAGE;
    }
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    /* The old revisions stay as they are; finishing the edit adds one whose parent is
     * the current head. */
    if (cstore_case_reopen(cs, id, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
    } else {
        status = ui_run_interview(cs, id, lang, UI_START_EDIT);
    }
    cstore_close(cs);
    return status;
}

const cmd_entry cmd_edit = {
    .name = "edit",
    .args = "UUID [--lang vi|en] [--db PATH]",
    .summary = "reopen a finalized or sent-back interview; finishing adds a revision",
    .exec = exec,
};
