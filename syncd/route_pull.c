/* route_pull.c - GET /api/v1/pull?cursor=N: what changed for an enumerator since a cursor */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

static int pull(http_req *r)
{
    const char *text = http_query(r, "cursor");
    long long cursor = 0;
    cJSON *doc = NULL;
    dt_err err;
    int rc;

    if (text) {
        char *end;
        errno = 0;
        cursor = strtoll(text, &end, 10);
        if (!isdigit((unsigned char)text[0]) || *end || errno || cursor < 0)
            return http_reply_error(r, 400, "cursor: expected a whole number, 0 at first");
    }
    rc = store_pull(http_store(r), http_user(r), cursor, http_config(r)->max_pull, &doc, &err);
    if (rc)
        return http_reply_dt(r, rc, &err);
    /* laptops enrolled before the key existed get it here */
    if (http_add_centre_key(r, doc)) {
        cJSON_Delete(doc);
        return http_reply_json(r, 503, NULL);
    }
    return http_reply_json(r, 200, doc);
}

const http_route route_pull = {
    .method = "GET",
    .pattern = "/api/v1/pull",
    .roles = HTTP_ROLE(ROLE_ENUMERATOR),
    .body = HTTP_BODY_NONE,
    .handler = pull,
};
