/* cmd_import.c - `syncd import FILE`: a bundle carried on a USB stick, merged exactly as a push */
#include "cmdline.h"
#include "cmd.h"
#include "sconf.h"
#include "seal.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct who {
    const char *name;
    store_user user;
    int found, revoked;
} who;

static int find_user(void *ctx, const store_user *u, int revoked)
{
    who *w = ctx;

    if (strcmp(u->name, w->name) != 0)
        return 0;
    w->user = *u;
    w->found = 1;
    w->revoked = revoked;
    return 1;
}

/* The bundle's revisions as a push batch: the same parser as the HTTP route. */
static int as_push(proto_push *out, const cJSON *doc, const cJSON *revs, dt_err *err)
{
    const cJSON *device = cJSON_GetObjectItemCaseSensitive(doc, "device_id");
    cJSON *body = cJSON_CreateObject();
    char *text = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!body ||
        !cJSON_AddItemToObject(body, "device_id",
                               cJSON_IsString(device) ? cJSON_CreateString(device->valuestring)
                                                      : cJSON_CreateNull()) ||
        !cJSON_AddItemReferenceToObject(body, "revisions", (cJSON *)revs) ||
        !(text = cJSON_PrintUnformatted(body))) {
        cJSON_Delete(body);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    cJSON_Delete(body);
    rc = proto_push_parse(out, text, strlen(text), cJSON_GetArraySize(revs), err);
    cJSON_free(text);
    return rc;
}

/* After a merge that reported an error: opens the store again (SQLite settles its log on the
 * way, as for the next program) and says how many of the bundle's revisions it holds, so that
 * nobody is told "lost" of what is stored. The batch is one transaction: all or none. */
static void say_what_is_stored(store **s, const char *db, const char *file, const proto_push *b)
{
    int stored = 0, one;
    dt_err err;

    store_close(*s);
    if (!(*s = sconf_open(db)))
        return;
    for (int i = 0; i < b->nrevs; i++) {
        if (store_revision_exists(*s, b->revs[i].rev_id, &one, &err)) {
            sconf_error(&err);
            return;
        }
        stored += one;
    }
    fprintf(stderr,
            "%s: %d of %d revisions are in the store after the error; importing the bundle "
            "again is safe (what is there is answered duplicate)\n",
            file, stored, b->nrevs);
}

static int exec(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *as = sconf_take_opt(&argc, argv, "--user", &bad);
    const char *file, *bundle_user = NULL;
    const cJSON *revs = NULL;
    cJSON *doc = NULL;
    proto_push batch = {0};
    store_result *results = NULL;
    store *s = NULL;
    who w = {0};
    dt_err err;
    int rc, status = EXIT_TROUBLE, http = 0, count[4] = {0};
    unsigned char pk[SEAL_KEY_BYTES], sk[SEAL_KEY_BYTES];

    if (bad || argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_import);
    file = argv[0];
    if (!(s = sconf_open(db)))
        goto cleanup;
    /* a laptop's bundle is sealed to this centre's key */
    if ((rc = store_centre_key(s, pk, sk, &err)) ||
        (rc = proto_bundle_read_sealed(file, pk, sk, &doc, &revs, &bundle_user, &err))) {
        sodium_memzero(sk, sizeof(sk));
        sconf_error(&err);
        status = cmdline_exit_status(rc);
        goto cleanup;
    }
    sodium_memzero(sk, sizeof(sk));
    w.name = as ? as : bundle_user;
    if ((rc = as_push(&batch, doc, revs, &err))) {
        fprintf(stderr, "%s: %s; nothing stored\n", file, err.msg);
        status = cmdline_exit_status(rc == DT_ERR ? DT_EINVAL : rc);
        goto cleanup;
    }
    if ((rc = store_user_list(s, find_user, &w, &err))) {
        sconf_error(&err);
        status = cmdline_exit_status(rc);
        goto cleanup;
    }
    if (!w.found || w.user.role != ROLE_ENUMERATOR) {
        fprintf(stderr,
                "%s: '%s' is not an enumerator on this server; nothing stored (add them with "
                "`syncd user add`, or name the enumerator with --user NAME)\n",
                file, w.name);
        status = EXIT_FAILED;
        goto cleanup;
    }
    if (w.revoked)
        fprintf(stderr, "%s: note: %s's token is revoked; what they recorded is still taken\n",
                file, w.name);
    if (batch.nrevs && !(results = calloc((size_t)batch.nrevs, sizeof(*results)))) {
        fprintf(stderr, "syncd: out of memory\n");
        goto cleanup;
    }
    rc = store_push(s, &w.user, &batch, results, &http, &err);
    if (rc) {
        fprintf(stderr, "%s: %s\n", file, err.msg);
        status = rc == DT_EINVAL ? EXIT_FAILED : cmdline_exit_status(rc);
        if (rc != DT_EINVAL)
            say_what_is_stored(&s, db, file, &batch);
        goto cleanup;
    }
    /* Said only after the commit: every line is a promise. */
    for (int i = 0; i < batch.nrevs; i++) {
        const store_result *r = &results[i];
        count[r->verdict]++;
        printf("%s (case %s): %s", r->rev_id, batch.revs[i].case_id,
               store_verdict_name(r->verdict));
        if (r->verdict == VERDICT_DUPLICATE)
            printf(" (first %s)", store_verdict_name(r->first));
        printf("\n");
        if (r->verdict == VERDICT_REJECTED) {
            char where[256];
            snprintf(where, sizeof(where), "%s: %s", file, r->rev_id);
            cmdline_problems(stdout, where, &r->problems);
        }
    }
    printf("%s: %d accepted, %d conflict%s, %d duplicate%s, %d rejected (as user %s)\n", file,
           count[VERDICT_ACCEPTED], count[VERDICT_CONFLICT],
           count[VERDICT_CONFLICT] == 1 ? "" : "s", count[VERDICT_DUPLICATE],
           count[VERDICT_DUPLICATE] == 1 ? "" : "s", count[VERDICT_REJECTED], w.name);
    status = count[VERDICT_REJECTED] ? EXIT_FAILED : EXIT_OK;
cleanup:
    if (results)
        store_results_free(results, batch.nrevs);
    free(results);
    proto_push_free(&batch);
    store_close(s);
    cJSON_Delete(doc);
    return status;
}

const cmd_entry cmd_import = {
    .name = "import",
    .args = "FILE [--user NAME] [--db PATH]",
    .summary = "merge a bundle (collector bundle export) exactly as a push",
    .exec = exec,
};
