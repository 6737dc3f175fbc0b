/* cmd_bundle_export.c - `collector bundle export FILE`: the outbox as a file for a USB stick,
 * for communes with no connection at all (docs/protocol.md, Bundles) */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "csync.h"
#include "proto.h"
#include "seal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK 500 /* revisions read from the outbox at a time */

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *file;
    char *enumerator = NULL, *device = NULL, *user = NULL;
    cJSON *revs = NULL;
    long long after = 0;
    unsigned char centre[SEAL_KEY_BYTES];
    cstore *cs;
    dt_err err;
    int total = 0, n, rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_bundle_export);
    file = argv[0];
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    /* sealed to the centre: the stick can be lost or copied, and only syncd opens it */
    if ((rc = cstore_centre_key(cs, centre, &err)) ||
        (rc = cstore_identity(cs, &enumerator, &device, &err)) ||
        (rc = cstore_get_meta(cs, "server_user", &user, &err)))
        goto fail;
    if (!(revs = cJSON_CreateArray())) {
        rc = err_set(&err, DT_ENOMEM, "out of memory");
        goto fail;
    }
    do {
        if ((rc = csync_outbox_batch(cs, &after, CHUNK, revs, &n, &err)))
            goto fail;
        total += n;
    } while (n > 0);
    /* Interviews are personal data: the bundle is readable by its owner only (where the
     * stick's file system keeps modes at all). */
    umask(077);
    if ((rc = proto_bundle_write_sealed(file, user && *user ? user : enumerator, device, revs,
                                        centre, &err)))
        goto fail;
    printf("%d revision%s written to %s, sealed to the centre's key (user %s, device %.8s)\n",
           total, total == 1 ? "" : "s", file, user && *user ? user : enumerator, device);
    if (total == 0)
        printf("the outbox is empty: the bundle holds nothing\n");
    else
        printf("they stay in the outbox until a network sync acknowledges them: importing them "
               "twice, or syncing them later, is harmless\n");
    if (!user || !*user)
        printf("note: this laptop is not enrolled: the bundle names the enumerator \"%s\"; the "
               "centre must import it for the matching user\n",
               enumerator);
    goto cleanup;
fail:
    cli_error(&err);
cleanup:
    cJSON_Delete(revs);
    free(enumerator);
    free(device);
    free(user);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_bundle_export = {
    .name = "bundle export",
    .args = "FILE [--db PATH]",
    .summary = "write the interviews waiting to be synced to FILE (for a USB stick)",
    .exec = exec,
};
