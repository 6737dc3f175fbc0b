/* route_push.c - POST /api/v1/push: a batch of revisions from an enumerator's outbox */
#include "http.h"
#include "proto.h"

#include <stdlib.h>

/* {"results": [{"rev_id", "status", "first"?, "problems"?: [{"where", "what", "message"}]}]} */
static cJSON *results_json(const store_result *res, int n)
{
    cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "results");

    if (!doc || !arr)
        goto oom;
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o) ||
            !cJSON_AddStringToObject(o, "rev_id", res[i].rev_id) ||
            !cJSON_AddStringToObject(o, "status", store_verdict_name(res[i].verdict)))
            goto oom;
        if (res[i].verdict == VERDICT_DUPLICATE &&
            !cJSON_AddStringToObject(o, "first", store_verdict_name(res[i].first)))
            goto oom;
        if (res[i].verdict == VERDICT_REJECTED) {
            cJSON *probs = cJSON_AddArrayToObject(o, "problems");
            if (!probs)
                goto oom;
            for (size_t k = 0; k < res[i].problems.n; k++) {
                const err_item *it = &res[i].problems.items[k];
                cJSON *p = cJSON_CreateObject();
                if (!p || !cJSON_AddItemToArray(probs, p) ||
                    !cJSON_AddStringToObject(p, "where", it->where ? it->where : "") ||
                    !cJSON_AddStringToObject(p, "what", it->what ? it->what : "") ||
                    !cJSON_AddStringToObject(p, "message", it->msg ? it->msg : ""))
                    goto oom;
            }
        }
    }
    return doc;
oom:
    cJSON_Delete(doc);
    return NULL;
}

static int push(http_req *r)
{
    const syncd_config *cfg = http_config(r);
    proto_push p = {0};
    store_result *res = NULL;
    size_t len;
    const char *body = http_body(r, &len);
    dt_err err;
    int rc, status = 0;

    rc = proto_push_parse(&p, body, len, cfg->max_batch, &err);
    if (rc == DT_ERR) {
        http_reply_error(r, 413, "%s (at most %d revisions in one push)", err.msg, cfg->max_batch);
        goto cleanup;
    }
    if (rc) {
        http_reply_dt(r, rc, &err);
        goto cleanup;
    }
    res = calloc(p.nrevs ? (size_t)p.nrevs : 1, sizeof(*res));
    if (!res) {
        http_reply_error(r, 503, "out of memory: try again later");
        goto cleanup;
    }
    rc = store_push(http_store(r), http_user(r), &p, res, &status, &err);
    if (rc && status >= 400 && status < 500) {
        http_reply_error(r, status, "%s", err.msg);
        goto cleanup;
    }
    if (rc) {
        http_reply_error(r, 503, "the push was not stored: %s; send it again later", err.msg);
        goto cleanup;
    }
    http_reply_json(r, 200, results_json(res, p.nrevs));
cleanup:
    if (res)
        store_results_free(res, p.nrevs);
    free(res);
    proto_push_free(&p);
    return 0;
}

const http_route route_push = {
    .method = "POST",
    .pattern = "/api/v1/push",
    .roles = HTTP_ROLE(ROLE_ENUMERATOR),
    .body = HTTP_BODY_JSON,
    .handler = push,
    .background = 1, /* validation with the engine: seconds for a big batch */
};
