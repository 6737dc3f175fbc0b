/* http.c - syncd's side of the HTTP server: who is calling (a bearer token, or the
 * dashboard's session cookie, checked against the store on every request) and what the
 * handlers answer from */
#include "http.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_MAX 256 /* longer Authorization values are refused without a look-up */

store *http_store(const http_req *r)
{
    return ((const syncd_app *)http_app(r))->s;
}

const syncd_config *http_config(const http_req *r)
{
    return &((const syncd_app *)http_app(r))->cfg;
}

const store_user *http_user(const http_req *r)
{
    /* http_caller does not change the record: it only hands out its address */
    return http_caller((http_req *)r);
}

/* The store's answer about the caller u: 0 known, else answered (503...) and -1. */
static int known(http_req *r, int rc, const dt_err *err, const store_user *u)
{
    if (rc) {
        http_reply_dt(r, rc, err);
        return -1;
    }
    http_authed(r, u->name, (int)u->role);
    return 0;
}

/* The bearer token against the store: 0 when the caller is known, else answered and -1. */
static int authenticate_bearer(http_req *r)
{
    store_user *u = http_caller(r);
    char token[TOKEN_MAX + 1];
    dt_err err;
    int rc;

    if (http_bearer(r, token, sizeof(token)))
        return -1;
    rc = store_auth(http_store(r), token, u, &err);
    sodium_memzero(token, sizeof(token));
    if (rc == DT_ENOTFOUND || rc == DT_EINVAL) {
        http_reply_error(r, 401, "unknown or revoked token");
        return -1;
    }
    return known(r, rc, &err, u);
}

/* A dashboard route: the session cookie, else a bearer token. Without either, pages go to
 * the sign-in page. 0 when the caller is known, else answered and -1. */
static int authenticate_session(http_req *r, const http_route *route)
{
    const char *cookie = http_cookie(r, SYNCD_SESSION_COOKIE);
    store_user *u = http_caller(r);
    dt_err err;
    int rc;

    if (http_header(r, "Authorization"))
        return authenticate_bearer(r);
    if (!cookie) {
        if (route->html)
            http_reply_redirect(r, "/signin", NULL);
        else
            http_reply_error(r, 401, "sign in first, or send 'Authorization: Bearer TOKEN'");
        return -1;
    }
    rc = store_session_auth(http_store(r), cookie, u, &err);
    if (rc == DT_ENOTFOUND) {
        /* ended, expired or revoked: forget the cookie and sign in again */
        if (route->html)
            http_reply_redirect(r, "/signin?ended=1", SYNCD_SESSION_COOKIE "=; Path=/; Max-Age=0");
        else
            http_reply_error(r, 401, "the session has ended: sign in again");
        return -1;
    }
    return known(r, rc, &err, u);
}

static int authenticate(http_req *r, const http_route *route, http_auth how)
{
    if (how == HTTP_AUTH_SESSION && route)
        return authenticate_session(r, route);
    return authenticate_bearer(r);
}

static const char *role_name(int role)
{
    return store_role_name((store_role)role);
}

int syncd_http_start(http_server **out, int *port_out, syncd_app *app,
                     const http_route *const *routes, int nroutes, dt_err *err)
{
    const syncd_config *c = &app->cfg;
    http_opts o = {
        .program = "syncd",
        .listen = c->listen,
        .max_body = c->max_body,
        .max_inflated = c->max_inflated,
        .memory_limit = c->memory_limit,
        .timeout = c->timeout,
        .threads = c->threads,
        .max_connections = c->max_connections,
        .tls_cert = app->tls_cert,
        .tls_key = app->tls_key,
        .routes = routes,
        .nroutes = nroutes,
        .app = app,
        .caller_size = sizeof(store_user),
        .authenticate = authenticate,
        .unknown_path_auth = HTTP_AUTH_BEARER,
        .role_name = role_name,
        .error_links = "<p><a href=\"/\">Bảng tiến độ / Dashboard</a> · <a href=\"/signin\">Đăng "
                       "nhập / Sign in</a></p>",
    };
    return http_start(out, port_out, &o, err);
}
