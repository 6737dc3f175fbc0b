/* route_cases.c - the supervisors' review pages: the case list at /cases, a case at
 * /cases/UUID, and its decisions posted from there (docs/syncd.md, "Review in the browser").
 * Every decision goes through store_decide_on, as the CLI's and the API's do. */
#include "http.h"
#include "quality.h"
#include "review_case.h"
#include "review_list.h"
#include "review_query.h"
#include "uuid.h"

#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define READERS     (HTTP_ROLE(ROLE_SUPERVISOR) | HTTP_ROLE(ROLE_STATISTICIAN) | HTTP_ROLE(ROLE_ADMIN))
#define PAGE_ROWS   100         /* a page of the list, unless ?limit= says fewer or more */
#define PAGE_MAX    300         /* rows on one page at most */
#define COMMENT_MAX 2000        /* bytes in a decision's comment, as the API */
#define CSRF_LEN    64          /* hex characters */
#define PAGE_BYTES  (16u << 20) /* a page's HTML at most (a case of many revisions) */

/* The session's token for its forms: a keyed hash of the session's secret, so that a page of
 * another site (which cannot read the cookie) cannot make one. "" without a cookie: a bearer
 * token is never sent by a browser on its own. */
static void csrf_of(const http_req *r, char out[CSRF_LEN + 1])
{
    static const char what[] = "dieutra review forms v1";
    const char *cookie = http_cookie(r, SYNCD_SESSION_COOKIE);
    unsigned char h[CSRF_LEN / 2];
    size_t klen = cookie ? strlen(cookie) : 0;

    out[0] = '\0';
    if (!cookie || klen < crypto_generichash_KEYBYTES_MIN || klen > crypto_generichash_KEYBYTES_MAX)
        return;
    crypto_generichash(h, sizeof(h), (const unsigned char *)what, sizeof(what) - 1,
                       (const unsigned char *)cookie, klen);
    sodium_bin2hex(out, CSRF_LEN + 1, h, sizeof(h));
}

static int may_decide(const http_req *r)
{
    store_role role = http_user(r)->role;

    return role == ROLE_SUPERVISOR || role == ROLE_ADMIN ||
           (role == ROLE_STATISTICIAN && http_config(r)->statisticians_decide);
}

/* GET /cases: the list */
static int list_page(http_req *r)
{
    store_case_query q;
    rl_view v = {.user = http_user(r), .q = &q};
    cJSON *cases = NULL;
    buf b;
    dt_err err;
    int rc;

    buf_init(&b, PAGE_BYTES);
    if (rq_parse(r, &q, PAGE_MAX, &err))
        return http_reply_error(r, 400, "%s", err.msg);
    if (!http_query(r, "limit"))
        q.limit = PAGE_ROWS;
    if ((rc = store_review_list(http_store(r), http_user(r), &q, &v.total, &cases, &err)))
        return http_reply_dt(r, rc, &err);
    v.cases = cases;
    rc = rl_page(&b, &v);
    cJSON_Delete(cases);
    if (rc) {
        buf_free(&b);
        return http_reply_error(r, 503, "out of memory: try again later");
    }
    return http_reply_html(r, 200, buf_detach(&b));
}

/* Another case of the same household as kase, shown (NULL when none is in the user's scope). */
static cJSON *twin_of(http_req *r, const cJSON *kase)
{
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(kase, "household");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(kase, "case_id"), *c;
    store_case_query q = {.search = cJSON_IsString(key) ? key->valuestring : NULL, .limit = 20};
    cJSON *list = NULL, *twin = NULL;
    dt_err err;

    if (!q.search || !cJSON_IsString(id) ||
        store_review_list(http_store(r), http_user(r), &q, NULL, &list, &err))
        return NULL;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(c, "household");
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "case_id");
        /* the search finds the key inside longer ones too: the same key only */
        if (cJSON_IsString(h) && !strcmp(h->valuestring, q.search) && cJSON_IsString(cid) &&
            strcmp(cid->valuestring, id->valuestring) != 0) {
            store_review_show(http_store(r), http_user(r), cid->valuestring, &twin, &err);
            break;
        }
    }
    cJSON_Delete(list);
    return twin;
}

/* The case page, answered with status and message (NULL: none) above it. */
static int case_page(http_req *r, int status, const char *message, int ok)
{
    const char *case_id = http_param(r, 0);
    const char *a = http_query(r, "a"), *bq = http_query(r, "b");
    char csrf[CSRF_LEN + 1];
    rc_view v = {.user = http_user(r), .csrf = csrf, .message = message, .message_ok = ok};
    cJSON *kase = NULL, *twin = NULL;
    buf b;
    dt_err err;
    int rc;

    buf_init(&b, PAGE_BYTES);
    if ((a && !uuid_valid(a)) || (bq && !uuid_valid(bq)))
        return http_reply_error(r, 400, "a, b: expected the UUIDs of two revisions to compare");
    rc = store_review_show(http_store(r), http_user(r), case_id, &kase, &err);
    if (rc == DT_OK)
        rc = qual_review(http_store(r), kase, &http_config(r)->quality, &err);
    if (rc) {
        cJSON_Delete(kase);
        if (rc == DT_ENOTFOUND) /* another commune's, or none: the same answer */
            return http_reply_error(r, 404, "Không có phiếu này trong phạm vi của bạn · %s",
                                    err.msg);
        return http_reply_dt(r, rc, &err);
    }
    csrf_of(r, csrf);
    v.kase = kase;
    v.may_decide = may_decide(r);
    v.a = a;
    v.b = bq;
    v.f = qual_shown_form(http_store(r), kase); /* the labels of the head's form version */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(kase, "duplicate")))
        v.twin = twin = twin_of(r, kase);
    rc = rc_page(&b, &v);
    cJSON_Delete(kase);
    cJSON_Delete(twin);
    if (rc) {
        buf_free(&b);
        return http_reply_error(r, 503, "out of memory: try again later");
    }
    return http_reply_html(r, status, buf_detach(&b));
}

/* GET /cases/UUID[?a=REV&b=REV][&done=approved|rejected|resolved] */
static int case_get(http_req *r)
{
    static const char *const done[][2] = {
        {"approved", "Đã duyệt phiếu. · The case is approved."},
        {"rejected", "Đã trả lại: điều tra viên sẽ thấy lời nhắn khi đồng bộ. · Sent back: the "
                     "enumerator sees the comment on the next sync."},
        {"resolved", "Đã chọn bản giữ lại: máy kia sẽ nhận bản này khi đồng bộ. · Resolved: the "
                     "other laptop receives this version on its next sync."},
        {"distinct", "Đã ghi: không phải phiếu trùng. · Recorded: not a duplicate."},
    };
    const char *d = http_query(r, "done");

    for (size_t i = 0; d && i < sizeof(done) / sizeof(done[0]); i++)
        if (!strcmp(d, done[i][0]))
            return case_page(r, 200, done[i][1], 1);
    return case_page(r, 200, NULL, 0);
}

/* The decision posted, or -1. */
static int decision_of(const char *name)
{
    static const char *const names[] = {"approve", "reject", "resolve", "distinct"};

    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

/* POST /cases/UUID/decide: csrf, head, decisions, decision, comment, rev_id */
static int decide_post(http_req *r)
{
    static const char *const done[] = {"approved", "rejected", "resolved", "distinct"};
    const char *token = http_form(r, "csrf"), *decisions = http_form(r, "decisions");
    char csrf[CSRF_LEN + 1], where[64 + UUID_LEN];
    store_decide_req q = {.case_id = http_param(r, 0),
                          .comment = http_form(r, "comment"),
                          .rev_id = http_form(r, "rev_id"),
                          .head = http_form(r, "head"),
                          .statisticians = http_config(r)->statisticians_decide};
    int d = decision_of(http_form(r, "decision")), rc;
    dt_err err;

    csrf_of(r, csrf);
    if (*csrf && (!token || strlen(token) != CSRF_LEN || sodium_memcmp(token, csrf, CSRF_LEN)))
        return http_reply_error(r, 403,
                                "this form is not from this session's page: open the case again");
    if (!may_decide(r))
        return http_reply_error(r, 403, "forbidden: a %s cannot decide on cases",
                                store_role_name(http_user(r)->role));
    if (d < 0 || !q.head || !uuid_valid(q.head) || !decisions)
        return http_reply_error(r, 400, "the form is incomplete: open the case again");
    if (q.comment && strlen(q.comment) > COMMENT_MAX)
        return case_page(r, 400, "Lời nhắn quá dài · the comment is too long (2000 bytes)", 0);
    if (d == DECIDE_REJECT && (!q.comment || !*q.comment))
        return case_page(
            r, 400,
            "Hãy viết lời nhắn cho điều tra viên: cần sửa gì? · Write a comment for the "
            "enumerator: what must be checked?",
            0);
    q.decision = (store_decision)d;
    q.decisions = strtol(decisions, NULL, 10);
    if (d != DECIDE_RESOLVE)
        q.rev_id = NULL;
    rc = store_decide_on(http_store(r), http_user(r), &q, &err);
    if (rc == DT_ECHANGED)
        return case_page(
            r, 409,
            "Phiếu đã thay đổi từ khi trang này được mở (một phiên bản mới, hoặc quyết "
            "định của người khác): chưa ghi gì. Hãy xem lại. · The case changed since "
            "this page was drawn: nothing was recorded; look at it again.",
            0);
    if (rc == DT_EINVAL)
        return case_page(r, 400, err.msg, 0);
    if (rc)
        return http_reply_dt(r, rc, &err);
    snprintf(where, sizeof(where), "/cases/%s?done=%s", q.case_id, done[d]);
    return http_reply_redirect(r, where, NULL);
}

const http_route route_cases_page = {
    .method = "GET",
    .pattern = "/cases",
    .roles = READERS,
    .body = HTTP_BODY_NONE,
    .handler = list_page,
    .auth = HTTP_AUTH_SESSION,
    .html = 1,
};

const http_route route_case_page = {
    .method = "GET",
    .pattern = "/cases/{uuid}",
    .roles = READERS,
    .body = HTTP_BODY_NONE,
    .handler = case_get,
    .auth = HTTP_AUTH_SESSION,
    .html = 1,
};

const http_route route_case_decide = {
    .method = "POST",
    .pattern = "/cases/{uuid}/decide",
    .roles = READERS,
    .body = HTTP_BODY_FORM,
    .handler = decide_post,
    .auth = HTTP_AUTH_SESSION,
    .html = 1,
};
