/* cmd_form_install.c - `collector form install FILE`: add a questionnaire version */
#include "cli.h"
#include "cmd.h"
#include "json.h"
#include "xlsform.h"

#include <stdio.h>
#include <stdlib.h>

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    char *text = NULL;
    cstore *cs = NULL;
    errlist problems = {0};
    form *f = NULL;
    int status, rc;

    if (argc != 1)
        return cmd_usage(&cmd_form_install);
    if ((rc = xlsform_load(&f, &text, argv[0], &problems))) {
        cmdline_problems(stderr, argv[0], &problems);
        errlist_free(&problems);
        return rc == DT_ENOMEM ? EXIT_TROUBLE : EXIT_FAILED;
    }
    form_free(f);
    errlist_free(&problems);
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
    .args = "FILE.json|FILE.xlsx [--db PATH]",
    .summary = "install a questionnaire version (JSON, or an XLSForm) on this laptop",
    .exec = exec,
};
