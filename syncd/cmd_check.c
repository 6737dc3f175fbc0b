/* cmd_check.c - `syncd check`: is the central store whole and consistent? */
#include "cmdline.h"
#include "cmd.h"
#include "sconf.h"

#include <stdio.h>

static int exec(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    errlist problems = {0};
    store *s;
    dt_err err;
    int rc;

    if (argc != 0)
        return cmd_usage(&cmd_check);
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_check(s, &problems, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        errlist_free(&problems);
        return cmdline_exit_status(rc);
    }
    for (size_t i = 0; i < problems.n; i++)
        printf("problem: %s: %s\n", problems.items[i].what, problems.items[i].msg);
    printf("%s\n", problems.n ? "the store has problems" : "ok");
    rc = problems.n ? EXIT_FAILED : EXIT_OK;
    errlist_free(&problems);
    return rc;
}

const cmd_entry cmd_check = {
    .name = "check",
    .args = "[--db PATH]",
    .summary = "check the central store (integrity and invariants)",
    .exec = exec,
};
