/* route_review.c - supervisor review: list and show cases, approve, reject, resolve a conflict */
#include "http.h"
#include "quality.h"
#include "review_query.h"
#include "uuid.h"

#include <string.h>

#define READERS (HTTP_ROLE(ROLE_SUPERVISOR) | HTTP_ROLE(ROLE_ADMIN) | HTTP_ROLE(ROLE_STATISTICIAN))
/* statisticians too: the store refuses them unless the config lets them decide */
#define REVIEWERS   READERS
#define COMMENT_MAX 2000 /* bytes in a decision's comment */
#define LIST_LIMIT  500  /* cases in one answer at most */

/* GET /api/v1/cases?status=&commune=&enumerator=&village=&from=&to=&flag=&q=&sort=&order=
 * &offset=&limit=: {"cases": [...], "total", "offset", "limit"} */
static int list(http_req *r)
{
    store_case_query q;
    cJSON *cases = NULL, *doc;
    long total = 0;
    dt_err err;
    int rc;

    if (rq_parse(r, &q, LIST_LIMIT, &err))
        return http_reply_error(r, 400, "%s", err.msg);
    rc = store_review_list(http_store(r), http_user(r), &q, &total, &cases, &err);
    if (rc)
        return http_reply_dt(r, rc, &err);
    doc = cJSON_CreateObject();
    if (!doc || !cJSON_AddItemToObject(doc, "cases", cases)) {
        cJSON_Delete(cases);
        cJSON_Delete(doc);
        return http_reply_json(r, 503, NULL);
    }
    if (!cJSON_AddNumberToObject(doc, "total", (double)total) ||
        !cJSON_AddNumberToObject(doc, "offset", q.offset) ||
        !cJSON_AddNumberToObject(doc, "limit", q.limit)) {
        cJSON_Delete(doc);
        return http_reply_json(r, 503, NULL);
    }
    return http_reply_json(r, 200, doc);
}

/* GET /api/v1/cases/UUID: the case with its revisions, decisions, frame and quality flags */
static int show(http_req *r)
{
    cJSON *doc = NULL;
    dt_err err;
    int rc = store_review_show(http_store(r), http_user(r), http_param(r, 0), &doc, &err);

    if (rc == DT_OK && (rc = qual_review(http_store(r), doc, &http_config(r)->quality, &err)))
        cJSON_Delete(doc);
    if (rc)
        return http_reply_dt(r, rc, &err);
    return http_reply_json(r, 200, doc);
}

/* A string member of the body: NULL when absent or null; answers 400 and sets *bad when
 * it is something else or longer than max. */
static const char *body_string(http_req *r, const cJSON *body, const char *key, size_t max,
                               int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);

    *bad = 0;
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
        *bad = 1;
        http_reply_error(r, 400, "%s: expected a string of at most %zu bytes", key, max);
        return NULL;
    }
    return v->valuestring;
}

static int decide(http_req *r, store_decision d)
{
    static const char *const done[] = {"approved", "rejected", "resolved", "distinct"};
    const cJSON *body = http_body_json(r), *v;
    const char *comment = NULL, *rev_id = NULL;
    store_decide_req q = {0};
    cJSON *doc;
    dt_err err;
    int rc, bad;

    if (!body)
        return 0; /* answered */
    if (http_user(r)->role == ROLE_STATISTICIAN && !http_config(r)->statisticians_decide)
        return http_reply_error(r, 403,
                                "forbidden: statisticians read cases; deciding is for supervisors "
                                "(unless review_statisticians = yes in the config)");
    if (!cJSON_IsObject(body))
        return http_reply_error(r, 400, "body: expected an object");
    cJSON_ArrayForEach(v, body)
    {
        if (strcmp(v->string, "comment") != 0 && strcmp(v->string, "rev_id") != 0 &&
            strcmp(v->string, "head") != 0 && strcmp(v->string, "decisions") != 0)
            return http_reply_error(r, 400, "body.%.64s: unknown field", v->string);
    }
    comment = body_string(r, body, "comment", COMMENT_MAX, &bad);
    if (bad)
        return 0;
    rev_id = body_string(r, body, "rev_id", UUID_LEN, &bad);
    if (bad)
        return 0;
    if (d == DECIDE_REJECT && (!comment || !*comment))
        return http_reply_error(r, 400, "comment: say what the enumerator must check");
    if (d == DECIDE_RESOLVE && (!rev_id || !uuid_valid(rev_id)))
        return http_reply_error(r, 400, "rev_id: expected the UUID of the revision to keep");
    if (d != DECIDE_RESOLVE && rev_id)
        return http_reply_error(r, 400, "rev_id: only for resolve");
    q.case_id = http_param(r, 0);
    q.decision = d;
    q.comment = comment;
    q.rev_id = rev_id;
    q.head = body_string(r, body, "head", UUID_LEN, &bad);
    if (bad)
        return 0;
    v = cJSON_GetObjectItemCaseSensitive(body, "decisions");
    if (q.head && (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9))
        return http_reply_error(r, 400,
                                "decisions: with head, the number of decisions the case had when "
                                "it was shown");
    q.decisions = q.head ? (long)v->valuedouble : 0;
    q.statisticians = http_config(r)->statisticians_decide;
    rc = store_decide_on(http_store(r), http_user(r), &q, &err);
    if (rc)
        return http_reply_dt(r, rc, &err);
    doc = cJSON_CreateObject();
    if (doc && (!cJSON_AddStringToObject(doc, "case_id", http_param(r, 0)) ||
                !cJSON_AddStringToObject(doc, "decision", done[d]))) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    return http_reply_json(r, 200, doc);
}

static int approve(http_req *r)
{
    return decide(r, DECIDE_APPROVE);
}

static int reject(http_req *r)
{
    return decide(r, DECIDE_REJECT);
}

static int resolve(http_req *r)
{
    return decide(r, DECIDE_RESOLVE);
}

static int distinct(http_req *r)
{
    return decide(r, DECIDE_DISTINCT);
}

const http_route route_cases_list = {
    .method = "GET",
    .pattern = "/api/v1/cases",
    .roles = READERS,
    .body = HTTP_BODY_NONE,
    .handler = list,
};

const http_route route_case_show = {
    .method = "GET",
    .pattern = "/api/v1/cases/{uuid}",
    .roles = READERS,
    .body = HTTP_BODY_NONE,
    .handler = show,
};

const http_route route_case_approve = {
    .method = "POST",
    .pattern = "/api/v1/cases/{uuid}/approve",
    .roles = REVIEWERS,
    .body = HTTP_BODY_JSON,
    .handler = approve,
};

const http_route route_case_reject = {
    .method = "POST",
    .pattern = "/api/v1/cases/{uuid}/reject",
    .roles = REVIEWERS,
    .body = HTTP_BODY_JSON,
    .handler = reject,
};

const http_route route_case_resolve = {
    .method = "POST",
    .pattern = "/api/v1/cases/{uuid}/resolve",
    .roles = REVIEWERS,
    .body = HTTP_BODY_JSON,
    .handler = resolve,
};

const http_route route_case_distinct = {
    .method = "POST",
    .pattern = "/api/v1/cases/{uuid}/distinct",
    .roles = REVIEWERS,
    .body = HTTP_BODY_JSON,
    .handler = distinct,
};
