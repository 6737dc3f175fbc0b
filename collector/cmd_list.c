/* cmd_list.c - `collector list`: the interviews on this laptop */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"

#include <stdio.h>
#include <string.h>

static const char *sync_state(const cstore_case *c)
{
    if (!strcmp(c->status, "draft"))
        return c->head_rev ? "editing" : "-";
    if (c->refused) /* it left the outbox but never reached the centre */
        return "refused";
    return c->pending ? "waiting" : "synced";
}

static int print_case(void *ctx, const cstore_case *c)
{
    int *n = ctx;

    if ((*n)++ == 0)
        printf("%-36s  %-9s  %-8s  %-7s  %-20s  %s\n", "INTERVIEW", "STATUS", "OUTCOME", "SYNC",
               "UPDATED (UTC)", "HOUSEHOLD");
    printf("%-36s  %-9s  %-8s  %-7s  %-20s  %s\n", c->case_id, c->status,
           c->outcome ? c->outcome : "-", sync_state(c), c->updated_at, c->label);
    if (c->comment[0])
        printf("%-36s  ! %s\n", "", c->comment);
    return 0;
}

static int exec(int argc, char **argv)
{
    static const char *const statuses[] = {"draft",    "finalized", "rejected",
                                           "approved", "synced",    NULL};
    const char *db = cli_take_db(&argc, argv), *status = NULL;
    cstore *cs;
    dt_err err;
    int n = 0, rc;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--status") && i + 1 < argc)
            status = argv[++i];
        else
            return cmd_usage(&cmd_list);
    }
    if (status) {
        int ok = 0;
        for (int i = 0; statuses[i]; i++)
            ok |= !strcmp(status, statuses[i]);
        if (!ok) {
            fprintf(stderr, "collector: --status is one of draft, finalized, rejected, approved, "
                            "synced\n");
            return EXIT_USAGE;
        }
    }
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = cstore_case_list(cs, status, print_case, &n, &err);
    if (rc)
        cli_error(&err);
    else if (n == 0)
        printf("no interviews%s%s\n", status ? " with status " : "", status ? status : "");
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_list = {
    .name = "list",
    .args = "[--status draft|finalized|rejected|approved|synced] [--db PATH]",
    .summary = "list the interviews on this laptop",
    .exec = exec,
};
