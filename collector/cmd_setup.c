/* cmd_setup.c - `collector setup`: who interviews on this laptop, and the questionnaire */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "embedded.h"
#include "display.h"
#include "json.h"
#include "xlsform.h"

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
    const char *db = cli_take_db(&argc, argv), *name = NULL, *form_path = NULL, *key = NULL;
    char *enumerator = NULL, *device = NULL, *text = NULL;
    cstore *cs = NULL;
    dt_err err;
    int status = EXIT_TROUBLE;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--enumerator") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--form") && i + 1 < argc)
            form_path = argv[++i];
        else if (!strcmp(argv[i], "--centre-key") && i + 1 < argc)
            key = argv[++i];
        else
            return cmd_usage(&cmd_setup);
    }
    if (!name || !*name)
        return cmd_usage(&cmd_setup);
    if (form_path) { /* a JSON form or an XLSForm, checked before anything is set */
        errlist problems = {0};
        form *f = NULL;
        int rc = xlsform_load(&f, &text, form_path, &problems);
        if (rc)
            cmdline_problems(stderr, form_path, &problems);
        form_free(f);
        errlist_free(&problems);
        if (rc)
            return rc == DT_ENOMEM ? EXIT_TROUBLE : EXIT_FAILED;
    }
    if (!(cs = cli_open_locked(db))) {
        free(text);
        return EXIT_TROUBLE;
    }
    /* a new laptop gets its PIN before it holds anything; one set up before asks for it */
    if (cstore_lock_state(cs) == CSTORE_PLAIN ? (status = cmd_pin_new(cs)) != EXIT_OK
                                              : cli_unlock(cs) != 0)
        goto cleanup;
    status = EXIT_TROUBLE;
    if (key && cstore_centre_key_set(cs, key, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    if (cstore_set_meta(cs, "enumerator", name, &err) ||
        cstore_identity(cs, &enumerator, &device, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    printf("enumerator: %s\ndevice:     %s\n", enumerator, device);
    /* the questionnaire in the units of today, unless the laptop is given another */
    status = text ? cmd_install_form_text(cs, text, form_path)
                  : cmd_install_form_text(cs, embed_forms_sonla_ict_household_v2_json,
                                          "sonla_ict_household_v2.json (built in)");
cleanup:
    free(text);
    free(enumerator);
    free(device);
    cstore_close(cs);
    return status;
}

const cmd_entry cmd_setup = {
    .name = "setup",
    .args = "--enumerator NAME [--form FILE.json|FILE.xlsx] [--centre-key KEY] [--db PATH]",
    .summary = "set who interviews on this laptop and its PIN; install the questionnaire "
               "(built in: version 2, the units of 1 July 2025)",
    .exec = exec,
};
