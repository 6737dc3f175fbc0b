/* cmd_form_convert.c - `collector form convert FILE.xlsx`: an XLSForm as the JSON form, checked
 * first, on standard output */
#include "cmd.h"
#include "cmdline.h"
#include "form.h"
#include "xlsform.h"

#include <stdio.h>
#include <stdlib.h>

static int exec(int argc, char **argv)
{
    errlist problems = {0};
    char *json = NULL;
    form *f = NULL;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_form_convert);
    if (!xlsform_is(argv[0])) {
        fprintf(stderr,
                "collector: %s: an XLSForm is a .xlsx file (a JSON form needs no "
                "converting)\n",
                argv[0]);
        return EXIT_USAGE;
    }
    rc = xlsform_load(&f, &json, argv[0], &problems);
    if (rc) {
        cmdline_problems(stderr, argv[0], &problems);
        fprintf(stderr, "%s: %zu problem%s, not converted\n", argv[0], problems.n,
                problems.n == 1 ? "" : "s");
    } else {
        fputs(json, stdout); /* exactly the text install and publish keep */
        fprintf(stderr, "%s: form %s version %d converted\n", argv[0], form_id(f), form_version(f));
    }
    free(json);
    form_free(f);
    errlist_free(&problems);
    return rc == DT_ENOMEM ? EXIT_TROUBLE : rc ? EXIT_FAILED : EXIT_OK;
}

const cmd_entry cmd_form_convert = {
    .name = "form convert",
    .args = "FILE.xlsx",
    .summary = "an XLSForm as the JSON form, checked, on standard output",
    .exec = exec,
};
