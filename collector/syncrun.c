/* syncrun.c - one sync: push the outbox to the server in batches, then pull forms,
 * assignments and supervisors' decisions (docs/protocol.md); what `collector sync` and the
 * page's Sync button both run */
#include "syncrun.h"
#include "cmdline.h"
#include "csync.h"
#include "json.h"
#include "net.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH     100                  /* revisions per push: half the server's cap */
#define BATCH_ENV "DIEUTRA_SYNC_BATCH" /* a smaller batch, for tests */
#define MAX_PULLS 100000               /* pulls in one sync: a server that never ends is a bug */

_Static_assert(BATCH <= PROTO_MAX_BATCH, "a push batch must fit the server's cap");

typedef struct sync_run {
    cstore *cs;
    net *n;
    const char *url;
    const char *device_id;
    int quiet;
    FILE *out;     /* what a person reads */
    FILE *err;     /* the problems */
    int tty;       /* progress bar on out */
    int total;     /* revisions in the outbox at the start */
    int sent;      /* of which answered */
    int bar_shown; /* the progress line needs ending */
    csync_push_counts push;
    csync_pull_counts pull;
    int unreachable; /* exit 3 */
    int refused;     /* exit 1: something was refused */
    int auth_failed; /* 401: nothing more to try */
    int pulled;      /* at least one pull answer was applied */
} sync_run;

static void fail(const sync_run *s, const dt_err *err)
{
    fprintf(s->err, "collector: %s\n", err->msg);
}

static void progress(sync_run *s)
{
    static const char hashes[] = "##############################";
    const int width = 30;
    int done = s->sent > s->total ? s->total : s->sent;
    int fill = s->total ? (int)((long long)done * width / s->total) : width;

    if (!s->tty || s->quiet)
        return;
    fprintf(s->out, "\rĐồng bộ / Syncing: [%.*s%*s] %d/%d revisions", fill, hashes, width - fill,
            "", done, s->total);
    fflush(s->out);
    s->bar_shown = 1;
}

/* Ends the progress line before anything else is printed. */
static void end_bar(sync_run *s)
{
    if (s->bar_shown) {
        fprintf(s->out, "\n");
        fflush(s->out);
        s->bar_shown = 0;
    }
}

static void say(void *ctx, const char *message)
{
    sync_run *s = ctx;

    end_bar(s);
    fprintf(s->out, "%s\n", message);
}

static void retrying(void *ctx, const char *why, double wait_s, int next, int tries)
{
    sync_run *s = ctx;

    if (s->quiet)
        return;
    end_bar(s);
    fprintf(s->err, "collector: %s; trying again in %.1f s (try %d of %d)\n", why, wait_s, next,
            tries);
}

static void no_connection(sync_run *s, const char *why)
{
    end_bar(s);
    fprintf(s->err,
            "collector: %s\nno connection: everything stays on this laptop, sync again "
            "later\n",
            why);
    s->unreachable = 1;
}

/* Says what a non-200 answer means. Returns 1 when syncing must stop altogether. */
static int refused(sync_run *s, const net_answer *a, const char *doing)
{
    char msg[600], why[800];

    net_error_message(a, msg, sizeof(msg));
    end_bar(s);
    if (a->status >= 500) {
        snprintf(why, sizeof(why), "%s: the server is unavailable (%ld%s%s)", doing, a->status,
                 msg[0] ? ": " : "", msg);
        no_connection(s, why);
        return 1;
    }
    s->refused = 1;
    if (a->status == 401) {
        fprintf(s->err,
                "collector: %s: the server does not accept this laptop's token any more "
                "(revoked, or replaced): ask your supervisor for a new one and run "
                "`collector enroll %s TOKEN`\n",
                doing, s->url);
        s->auth_failed = 1;
        return 1;
    }
    if (a->status == 403)
        fprintf(s->err,
                "collector: %s: the server refused (403: %s); is this laptop enrolled "
                "with the right enumerator's token?\n",
                doing, msg);
    else
        fprintf(s->err, "collector: %s: the server refused (%ld: %s)\n", doing, a->status, msg);
    return 0;
}

static const char *case_of(const cJSON *batch, const char *rev)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, batch)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "rev_id"));
        if (id && rev && !strcmp(id, rev))
            return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "case_id"));
    }
    return NULL;
}

/* Tells the enumerator about every refusal and conflict of a committed answer. */
static void report_results(sync_run *s, const cJSON *batch, const cJSON *results)
{
    const cJSON *res;

    cJSON_ArrayForEach(res, results)
    {
        const char *rev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "rev_id"));
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "status"));
        const char *case_id = case_of(batch, rev);

        if (!st || !case_id)
            continue;
        if (!strcmp(st, "rejected")) {
            cstore_case c;
            dt_err err;
            int have = cstore_case_get(s->cs, case_id, &c, &err) == DT_OK;
            end_bar(s);
            fprintf(s->out, "refused by the server: interview %s%s%s%s (revision %.8s):\n", case_id,
                    have && c.label[0] ? " (" : "", have ? c.label : "",
                    have && c.label[0] ? ")" : "", rev);
            csync_print_problems(s->out, "    ", cJSON_GetObjectItemCaseSensitive(res, "problems"));
            fprintf(s->out, "    correct it with `collector edit %s`, then sync again\n", case_id);
            if (have)
                cstore_case_free(&c);
        } else if (!strcmp(st, "conflict")) {
            end_bar(s);
            fprintf(s->out,
                    "conflict: interview %s was also changed on another device; both versions "
                    "are kept and your supervisor will choose\n",
                    case_id);
        }
    }
}

/* Sends one batch. Returns 0 and fills *done (revisions answered or to skip) on an answer;
 * -1 to stop pushing (said why); *smaller when the batch was too large. */
static int push_batch(sync_run *s, cJSON *revs, int nrevs, int *smaller)
{
    cJSON *body = cJSON_CreateObject(), *doc = NULL;
    char *text = NULL;
    net_answer a = {0};
    dt_err err;
    int rc = -1;

    *smaller = 0;
    if (!body || !cJSON_AddStringToObject(body, "device_id", s->device_id) ||
        !cJSON_AddItemReferenceToObject(body, "revisions", revs) ||
        !(text = cJSON_PrintUnformatted(body))) {
        end_bar(s);
        fprintf(s->err, "collector: out of memory\n");
        s->refused = 1;
        goto cleanup;
    }
    int nrc = net_post_json(s->n, &a, "/api/v1/push", text, strlen(text), &err);
    if (nrc == DT_EIO) {
        no_connection(s, err.msg);
        goto cleanup;
    }
    if (nrc) {
        end_bar(s);
        fail(s, &err);
        s->refused = 1;
        goto cleanup;
    }
    if (a.status == 413 && nrevs > 1) {
        *smaller = 1;
        rc = 0;
        goto cleanup;
    }
    if (a.status != 200) {
        char doing[96];
        snprintf(doing, sizeof(doing), "sending %d revision%s", nrevs, nrevs == 1 ? "" : "s");
        refused(s, &a, doing);
        goto cleanup;
    }
    const cJSON *results;
    if (json_parse(&doc, a.body, a.len, "the server's answer", &err) ||
        !cJSON_IsArray(results = cJSON_GetObjectItemCaseSensitive(doc, "results"))) {
        end_bar(s);
        fprintf(s->err,
                "collector: the server's answer to a push cannot be read (%s); nothing "
                "was cleared from the outbox\n",
                doc ? "no results list" : err.msg);
        s->refused = 1;
        goto cleanup;
    }
    int before = s->push.unanswered;
    if (csync_push_apply(s->cs, revs, results, &s->push, &err)) {
        end_bar(s);
        fail(s, &err);
        s->refused = 1;
        goto cleanup;
    }
    report_results(s, revs, results);
    if (s->push.unanswered > before) {
        end_bar(s);
        fprintf(s->err,
                "collector: the server did not answer for %d revision%s: they stay in "
                "the outbox for the next sync\n",
                s->push.unanswered - before, s->push.unanswered - before == 1 ? "" : "s");
    }
    rc = 0;
cleanup:
    net_answer_free(&a);
    cJSON_Delete(doc);
    cJSON_free(text);
    cJSON_Delete(body); /* the revisions were only referenced */
    return rc;
}

/* Pushes the outbox, oldest first. Returns -1 when syncing must stop. */
static int push_all(sync_run *s, int batch)
{
    long long after = 0;
    dt_err err;

    if (csync_outbox_count(s->cs, &s->total, &err)) {
        fail(s, &err);
        s->refused = 1;
        return -1;
    }
    if (s->total == 0)
        return 0;
    progress(s);
    for (;;) {
        cJSON *revs = cJSON_CreateArray();
        long long next = after;
        int n = 0, smaller = 0;

        if (!revs || csync_outbox_batch(s->cs, &next, batch, revs, &n, &err)) {
            cJSON_Delete(revs);
            end_bar(s);
            if (revs)
                fail(s, &err);
            else
                fprintf(s->err, "collector: out of memory\n");
            s->refused = 1;
            return -1;
        }
        if (n == 0) {
            cJSON_Delete(revs);
            break;
        }
        int rc = push_batch(s, revs, n, &smaller);
        cJSON_Delete(revs);
        if (rc)
            return s->unreachable || s->refused ? -1 : 0;
        if (smaller) {
            batch = batch / 2 > 0 ? batch / 2 : 1;
            continue;
        }
        after = next;
        s->sent += n;
        if (s->sent > s->total)
            s->total = s->sent; /* finalized meanwhile in another window */
        progress(s);
    }
    end_bar(s);
    return 0;
}

static int pull_all(sync_run *s)
{
    long long cursor = 0;
    dt_err err;

    if (csync_cursor_get(s->cs, &cursor, &err)) {
        fail(s, &err);
        s->refused = 1;
        return -1;
    }
    for (int i = 0; i < MAX_PULLS; i++) {
        char path[64];
        net_answer a = {0};
        cJSON *doc = NULL;
        long long next = 0;
        int more = 0, rc;

        snprintf(path, sizeof(path), "/api/v1/pull?cursor=%lld", cursor);
        rc = net_get(s->n, &a, path, &err);
        if (rc == DT_EIO) {
            no_connection(s, err.msg);
            return -1;
        }
        if (rc) {
            fail(s, &err);
            s->refused = 1;
            return -1;
        }
        if (a.status != 200) {
            refused(s, &a, "receiving changes");
            net_answer_free(&a);
            return -1;
        }
        rc = json_parse(&doc, a.body, a.len, "the server's pull answer", &err);
        net_answer_free(&a);
        if (rc == DT_OK)
            rc = csync_pull_apply(s->cs, doc, &next, &more, &s->pull, say, s, &err);
        cJSON_Delete(doc);
        if (rc) {
            fail(s, &err);
            s->refused = 1;
            return -1;
        }
        s->pulled = 1;
        if (!more)
            return 0;
        if (next <= cursor) {
            fprintf(s->err,
                    "collector: the server says there is more to receive but its cursor "
                    "did not move (%lld): stopped; tell your supervisor\n",
                    next);
            s->refused = 1;
            return -1;
        }
        cursor = next;
    }
    return 0;
}

static void summary(const sync_run *s)
{
    if (s->quiet)
        return;
    if (s->total == 0 && !s->unreachable)
        fprintf(s->out, "pushed: nothing was waiting\n");
    else if (s->sent > 0)
        fprintf(s->out, "pushed: accepted %d, duplicate %d, conflict %d, rejected %d\n",
                s->push.accepted, s->push.duplicate, s->push.conflict, s->push.rejected);
    if (!s->pulled)
        return;
    fprintf(s->out, "pulled: forms %d, assignments %d, decisions %d", s->pull.forms,
            s->pull.assignments, s->pull.decisions);
    if (s->pull.skipped)
        fprintf(s->out, ", skipped %d (see above)", s->pull.skipped);
    fprintf(s->out, "\n");
}

int syncrun(cstore *cs, FILE *out, FILE *errs, int quiet, int tty)
{
    const char *env = getenv(BATCH_ENV);
    csync_server srv = {0};
    char *device = NULL;
    sync_run s;
    net_conf conf;
    dt_err err;
    int status = EXIT_TROUBLE, batch = BATCH;

    memset(&s, 0, sizeof(s));
    s.cs = cs;
    s.out = out;
    s.err = errs;
    s.quiet = quiet;
    s.tty = tty;
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (!*end && v >= 1 && v <= BATCH)
            batch = (int)v;
    }
    if (csync_server_get(s.cs, &srv, &err) || cstore_get_meta(s.cs, "device_id", &device, &err)) {
        fail(&s, &err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    s.url = srv.url;
    s.device_id = device ? device : "";
    net_conf_init(&conf, srv.url, srv.token);
    conf.pin = srv.pin;
    conf.on_retry = retrying;
    conf.ctx = &s;
    if (net_open(&s.n, &conf, &err)) {
        fail(&s, &err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    push_all(&s, batch);
    /* Pull even after a refused batch (decisions may say what to fix), but not without a
     * connection or a valid token. */
    if (!s.unreachable && !s.auth_failed && pull_all(&s) == 0 && !s.refused) {
        char now[32];
        cstore_now(now);
        if (cstore_set_meta(s.cs, "last_sync", now, &err))
            fail(&s, &err);
    }
    end_bar(&s);
    summary(&s);
    if (!s.quiet || s.push.unanswered) {
        int left = 0;
        if (csync_outbox_count(s.cs, &left, &err) == DT_OK && left > 0)
            fprintf(s.out, "waiting to be synced: %d revision%s\n", left, left == 1 ? "" : "s");
    }
    status = s.unreachable ? EXIT_TROUBLE : s.refused || s.push.rejected ? EXIT_FAILED : EXIT_OK;
cleanup:
    free(device);
    csync_server_free(&srv);
    net_close(s.n);
    return status;
}
