/* cmd_form_publish.c - `syncd form publish FILE`: a questionnaire version for every enumerator */
#include "cmdline.h"
#include "cmd.h"
#include "form.h"
#include "json.h"
#include "sconf.h"
#include "xlsform.h"

#include <stdio.h>
#include <stdlib.h>

static int exec(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    errlist problems = {0};
    form *f = NULL;
    store *s = NULL;
    char *text = NULL;
    dt_err err;
    int rc, added = 0, status;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_form_publish);
    /* The same checks as `collector form check`: a form with a problem is never published. */
    rc = xlsform_load(&f, &text, argv[0], &problems);
    if (rc == DT_ENOMEM) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    if (rc) {
        cmdline_problems(stderr, argv[0], &problems);
        fprintf(stderr, "%s: %zu problem%s, not published\n", argv[0], problems.n,
                problems.n == 1 ? "" : "s");
        status = EXIT_FAILED;
        goto cleanup;
    }
    if (!(s = sconf_open(db))) {
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    rc = store_form_publish(s, text, f, &added, &err);
    if (rc) {
        sconf_error(&err);
        status = cmdline_exit_status(rc);
        goto cleanup;
    }
    if (added)
        printf("form %s version %d published: enumerators receive it on their next sync\n",
               form_id(f), form_version(f));
    else
        printf("form %s version %d was already published with this content: nothing changed\n",
               form_id(f), form_version(f));
    status = EXIT_OK;
cleanup:
    store_close(s);
    free(text);
    form_free(f);
    errlist_free(&problems);
    return status;
}

const cmd_entry cmd_form_publish = {
    .name = "form publish",
    .args = "FILE.json|FILE.xlsx [--db PATH]",
    .summary = "check a questionnaire (JSON, or an XLSForm) and publish it to every enumerator",
    .exec = exec,
};
