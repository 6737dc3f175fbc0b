/* cmd_assignments.c - `collector assignments`: the households to visit */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"

#include <stdio.h>

static int print_assignment(void *ctx, const cstore_assignment *a)
{
    int *n = ctx;
    const char *state = a->nfinal ? "done" : a->ncases ? "started" : "to visit";

    if ((*n)++ == 0)
        printf("%-16s  %-9s  %-8s  %s\n", "ASSIGNMENT", "STATE", "WEIGHT", "HOUSEHOLD");
    if (a->has_weight)
        printf("%-16s  %-9s  %-8.2f  %s\n", a->assignment_id, state, a->weight, a->label);
    else
        printf("%-16s  %-9s  %-8s  %s\n", a->assignment_id, state, "-", a->label);
    return 0;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    cstore *cs;
    dt_err err;
    int n = 0, rc;

    if (argc != 0)
        return cmd_usage(&cmd_assignments);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = cstore_assignment_list(cs, print_assignment, &n, &err);
    if (rc)
        cli_error(&err);
    else if (n == 0)
        printf("no assignments (load them with `collector assignments import FILE.csv`)\n");
    else
        printf("\nstart one with: collector interview --assignment ID\n");
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_assignments = {
    .name = "assignments",
    .args = "[--db PATH]",
    .summary = "list the households to visit",
    .exec = exec,
};
