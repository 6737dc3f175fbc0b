/* http.h - syncd on the programs' HTTP server (common/httpd.h): its routes, the caller as a
 * store user (a bearer token or the dashboard's session cookie), and the store and settings
 * the handlers answer from. The protocol it serves is docs/protocol.md. */
#ifndef SYNCD_HTTP_H
#define SYNCD_HTTP_H

#include "config.h"
#include "httpd.h"
#include "store.h"

#define HTTP_ANY_ROLE                                                                              \
    (HTTP_ROLE(ROLE_ENUMERATOR) | HTTP_ROLE(ROLE_SUPERVISOR) | HTTP_ROLE(ROLE_STATISTICIAN) |      \
     HTTP_ROLE(ROLE_ADMIN))

#define SYNCD_SESSION_COOKIE "dieutra_session"

extern const http_route route_push;
extern const http_route route_pull;
extern const http_route route_whoami;
extern const http_route route_cases_list;
extern const http_route route_case_show;
extern const http_route route_case_approve;
extern const http_route route_case_reject;
extern const http_route route_case_resolve;
extern const http_route route_case_distinct;
extern const http_route route_indicators;
extern const http_route route_export;
extern const http_route route_dashboard;
extern const http_route route_cases_page;
extern const http_route route_case_page;
extern const http_route route_case_decide;
extern const http_route route_signin_page;
extern const http_route route_signin;
extern const http_route route_signout;

/* What syncd's handlers answer from: the store (the caller's) and the settings. */
typedef struct syncd_app {
    store *s;
    syncd_config cfg;
    const char *tls_cert, *tls_key; /* PEM text read from cfg's files, or NULL: plain HTTP */
} syncd_app;

/* Starts serving routes (nroutes of them) on app->cfg.listen with its limits; app stays the
 * caller's until http_stop. Returns as http_start. */
int syncd_http_start(http_server **out, int *port_out, syncd_app *app,
                     const http_route *const *routes, int nroutes, dt_err *err);

store *http_store(const http_req *r);
/* Adds "centre_key" (seal.h's text of the store's public key) to doc: 0, or -1 when it
 * cannot be read (the store's error) or out of memory. */
int http_add_centre_key(http_req *r, cJSON *doc);
const syncd_config *http_config(const http_req *r);
/* The caller, authenticated. */
const store_user *http_user(const http_req *r);

#endif
