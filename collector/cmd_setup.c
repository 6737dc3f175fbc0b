/* cmd_setup.c - `collector setup`: who interviews on this laptop, and the questionnaire */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "embedded.h"
#include "display.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Installs a form from its text; name is for messages. Prints what happened. */
int cmd_install_form_text(cstore *cs, const char *text, const char *name)
{
    cJSON *doc = NULL;
    errlist problems = {0};
    form *f = NULL;
    dt_err err;
    int added = 0, rc;

    rc = json_parse(&doc, text, strlen(text), name, &err);
    if (rc) {
        cli_error(&err);
        return EXIT_FAILED;
    }
    rc = form_load_json(&f, doc, name, &problems);
    if (rc) {
        cmdline_problems(stderr, name, &problems);
        goto cleanup;
    }
    rc = cstore_install_form(cs, text, f, &added, &err);
    if (rc)
        cli_error(&err);
    else
        printf("form %s version %d: %s\n", form_id(f), form_version(f),
               added ? "installed" : "already installed");
cleanup:
    form_free(f);
    cJSON_Delete(doc);
    errlist_free(&problems);
    return rc ? cmdline_exit_status(rc) : EXIT_OK;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *name = NULL;
    char *enumerator = NULL, *device = NULL;
    cstore *cs = NULL;
    dt_err err;
    int status = EXIT_TROUBLE;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--enumerator") && i + 1 < argc)
            name = argv[++i];
        else
            return cmd_usage(&cmd_setup);
    }
    if (!name || !*name)
        return cmd_usage(&cmd_setup);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    if (cstore_set_meta(cs, "enumerator", name, &err) ||
        cstore_identity(cs, &enumerator, &device, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    printf("enumerator: %s\ndevice:     %s\n", enumerator, device);
    status = cmd_install_form_text(cs, embed_forms_sonla_ict_household_json,
                                   "sonla_ict_household.json (built in)");
cleanup:
    free(enumerator);
    free(device);
    cstore_close(cs);
    return status;
}

const cmd_entry cmd_setup = {
    .name = "setup",
    .args = "--enumerator NAME [--db PATH]",
    .summary = "set who interviews on this laptop; install the questionnaire",
    .exec = exec,
};
