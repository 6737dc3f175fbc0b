/* cmd_form_install.c - `collector form install FILE`: add a questionnaire version */
#include "cli.h"
#include "cmd.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    char *text = NULL;
    cstore *cs = NULL;
    dt_err err;
    int status;

    if (argc != 1)
        return cmd_usage(&cmd_form_install);
    if (file_read(&text, NULL, argv[0], FORM_MAX_FILE, &err)) {
        cli_error(&err);
        return EXIT_FAILED;
    }
    if (!(cs = cli_open_locked(db))) {
        free(text);
        return EXIT_TROUBLE;
    }
    status = cmd_install_form_text(cs, text, argv[0]);
    cstore_close(cs);
    free(text);
    return status;
}

const cmd_entry cmd_form_install = {
    .name = "form install",
    .args = "FILE [--db PATH]",
    .summary = "install a questionnaire version on this laptop",
    .exec = exec,
};
