/* route_whoami.c - GET /api/v1/whoami: who a token belongs to (collector enroll checks it) and
 * the centre's key the laptops seal to */
#include "http.h"
#include "seal.h"

#include <string.h>

int http_add_centre_key(http_req *r, cJSON *doc)
{
    unsigned char pk[SEAL_KEY_BYTES];
    char text[SEAL_KEY_TEXT];
    dt_err err;

    if (store_centre_key(http_store(r), pk, NULL, &err))
        return -1;
    seal_key_text(pk, text);
    return cJSON_AddStringToObject(doc, "centre_key", text) ? 0 : -1;
}

static int whoami(http_req *r)
{
    const store_user *u = http_user(r);
    cJSON *doc = cJSON_CreateObject(), *communes;
    const char *p = u->communes;

    if (!doc || !cJSON_AddStringToObject(doc, "user", u->name) ||
        !cJSON_AddStringToObject(doc, "role", store_role_name(u->role)) ||
        !(communes = cJSON_AddArrayToObject(doc, "communes")) || http_add_centre_key(r, doc))
        goto oom;
    while (*p) {
        size_t n = strcspn(p, ",");
        char code[sizeof(u->communes)];
        memcpy(code, p, n);
        code[n] = '\0';
        if (n && !cJSON_AddItemToArray(communes, cJSON_CreateString(code)))
            goto oom;
        p += n;
        if (*p == ',')
            p++;
    }
    return http_reply_json(r, 200, doc);
oom:
    cJSON_Delete(doc);
    return http_reply_json(r, 503, NULL);
}

const http_route route_whoami = {
    .method = "GET",
    .pattern = "/api/v1/whoami",
    .roles = HTTP_ANY_ROLE,
    .body = HTTP_BODY_NONE,
    .handler = whoami,
};
