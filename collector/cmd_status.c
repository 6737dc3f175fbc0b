/* cmd_status.c - `collector status`: what is done, what waits, what came back */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "csync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_rejected(void *ctx, const cstore_case *c)
{
    (void)ctx;
    printf("  %s  %s\n", c->case_id, c->label);
    printf("      ! %s\n", c->comment[0] ? c->comment : "(no comment)");
    return 0;
}

static int print_refusal(void *ctx, const csync_rejection *r)
{
    (void)ctx;
    printf("  %s  refused by the server (%s):\n", r->case_id, r->received_at);
    csync_print_problems(stdout, "      ! ", r->problems);
    return 0;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    char *enumerator = NULL, *device = NULL;
    cstore_counts n;
    cstore *cs;
    dt_err err;
    int rc;

    if (argc != 0)
        return cmd_usage(&cmd_status);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = cstore_identity(cs, &enumerator, &device, &err);
    if (rc == DT_OK)
        rc = cstore_counts_get(cs, &n, &err);
    if (rc) {
        cli_error(&err);
        goto cleanup;
    }
    printf("enumerator:           %s (device %.8s)\n", enumerator, device);
    csync_server srv = {0};
    dt_err serr;
    char *last = NULL;
    if (csync_server_get(cs, &srv, &serr) == DT_OK)
        printf("server:               %s as %s\n", srv.url, srv.user);
    else
        printf("server:               not enrolled (collector enroll URL TOKEN)\n");
    csync_server_free(&srv);
    if (cstore_get_meta(cs, "last_sync", &last, &serr) == DT_OK && last)
        printf("last sync:            %s\n", last);
    free(last);
    printf("drafts:               %d\n", n.drafts);
    printf("finalized:            %d\n", n.finalized);
    printf("waiting to be synced: %d revision%s\n", n.pending, n.pending == 1 ? "" : "s");
    printf("approved:             %d\n", n.approved);
    printf("sent back:            %d\n", n.rejected);
    printf("assignments:          %d, of which %d not done yet\n", n.assignments,
           n.assignments_open);
    if (n.rejected) {
        printf("\nsent back, by a supervisor or refused by the server (correct with `collector "
               "edit UUID`):\n");
        rc = cstore_case_list(cs, "rejected", print_rejected, NULL, &err);
        if (rc == DT_OK)
            rc = csync_rejections_list(cs, 1, NULL, print_refusal, NULL, &err);
        if (rc)
            cli_error(&err);
    }
cleanup:
    free(enumerator);
    free(device);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_status = {
    .name = "status",
    .args = "[--db PATH]",
    .summary = "drafts, finalized, waiting to sync, sent back",
    .exec = exec,
};
