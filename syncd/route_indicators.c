/* route_indicators.c - GET /api/v1/indicators?by=province|district|commune&status=approved|all
 * [&domain=QUESTION]: T1-T6 with their 95% confidence intervals, as `syncd indicators --format
 * json` prints them (with `--by QUESTION` for a domain) */
#include "http.h"
#include "indicators.h"

#include <string.h>

static int indicators(http_req *r)
{
    const char *by = http_query(r, "by"), *status = http_query(r, "status");
    ind_options opt = {.domain = http_query(r, "domain")};
    ind_report *rep = NULL;
    cJSON *doc = NULL;
    dt_err err;
    int level, rc;

    level = ind_level_parse(by ? by : "province");
    if (level < 0)
        return http_reply_error(r, 400, "by: expected province, district or commune");
    if (!status)
        status = "approved";
    if (strcmp(status, "approved") && strcmp(status, "all"))
        return http_reply_error(r, 400, "status: expected approved or all");
    rc = ind_compute_opts(&rep, http_store(r), (ind_level)level,
                          strcmp(status, "all") ? status : NULL, &opt, &err);
    if (rc == 0)
        rc = ind_report_json(&doc, rep, &err);
    ind_report_free(rep);
    if (rc)
        return http_reply_dt(r, rc, &err);
    return http_reply_json(r, 200, doc);
}

/* Aggregates only, no case data: every reader of results may see the whole province. */
const http_route route_indicators = {
    .method = "GET",
    .pattern = "/api/v1/indicators",
    .roles = HTTP_ROLE(ROLE_STATISTICIAN) | HTTP_ROLE(ROLE_SUPERVISOR) | HTTP_ROLE(ROLE_ADMIN),
    .body = HTTP_BODY_NONE,
    .handler = indicators,
    .auth = HTTP_AUTH_SESSION, /* a signed-in browser may open the JSON too */
};
