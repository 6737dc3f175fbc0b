/* http.h - syncd's HTTP server (libmicrohttpd): bodies with caps, gzip both ways, bearer
 * auth, a routing table of one entry per route file, JSON errors, a request log, and a
 * graceful stop. The protocol it serves is docs/protocol.md. */
#ifndef SYNCD_HTTP_H
#define SYNCD_HTTP_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* One request being answered; only the accessors below look inside. */
typedef struct http_req http_req;
/* A running server. */
typedef struct http_server http_server;

#define HTTP_ROLE(r) (1u << (r)) /* a bit of http_route.roles */
#define HTTP_ANY_ROLE                                                                              \
    (HTTP_ROLE(ROLE_ENUMERATOR) | HTTP_ROLE(ROLE_SUPERVISOR) | HTTP_ROLE(ROLE_STATISTICIAN) |      \
     HTTP_ROLE(ROLE_ADMIN))
#define HTTP_MAX_PARAMS 4 /* {uuid} placeholders in one pattern */

/* A handler answers with one of the http_reply functions and returns 0; returning
 * without a reply answers 500. */
typedef int (*http_handler)(http_req *r);

/* How a route's caller proves who they are. */
typedef enum http_auth {
    HTTP_AUTH_BEARER,  /* Authorization: Bearer TOKEN (the API; 401 JSON without it) */
    HTTP_AUTH_SESSION, /* the dashboard's session cookie, or a bearer token; pages without
                          either are sent to the sign-in page (303) */
    HTTP_AUTH_NONE     /* nobody in particular: the sign-in page itself */
} http_auth;

/* What a route takes as its body. */
typedef enum http_body_kind {
    HTTP_BODY_NONE, /* nothing (a body sent anyway is read and dropped) */
    HTTP_BODY_JSON, /* application/json, gzip undone */
    HTTP_BODY_FORM  /* application/x-www-form-urlencoded (an HTML form) */
} http_body_kind;

/* One route: each route file exports entries, cmd_serve.c lists them in a table. */
typedef struct http_route {
    const char *method;   /* "GET" or "POST" */
    const char *pattern;  /* "/api/v1/cases/{uuid}/approve": {uuid} matches one UUID segment */
    unsigned roles;       /* HTTP_ROLE bits of the roles allowed (others: 403) */
    http_body_kind body;  /* what the body must be */
    http_handler handler; /* called once the whole body is in */
    http_auth auth;       /* HTTP_AUTH_BEARER unless said */
    int html;             /* 1: errors are answered as HTML pages, not JSON */
} http_route;

extern const http_route route_push;
extern const http_route route_pull;
extern const http_route route_whoami;
extern const http_route route_cases_list;
extern const http_route route_case_show;
extern const http_route route_case_approve;
extern const http_route route_case_reject;
extern const http_route route_case_resolve;
extern const http_route route_indicators;
extern const http_route route_export;
extern const http_route route_dashboard;
extern const http_route route_signin_page;
extern const http_route route_signin;
extern const http_route route_signout;

/* Starts serving routes (nroutes of them) on cfg->listen with the limits of cfg, using
 * the store s (which stays the caller's). *port_out is the port bound (the real one
 * when cfg->listen asked for port 0). Returns 0, DT_EINVAL (a bad listen address) or
 * DT_EIO (cannot listen: err says why). */
int http_start(http_server **out, int *port_out, const syncd_config *cfg, store *s,
               const http_route *const *routes, int nroutes, dt_err *err);

/* Stops accepting connections, lets the requests in flight finish (waiting at most
 * grace_seconds), then closes every connection and frees the server. Accepts NULL. */
void http_stop(http_server *h, unsigned grace_seconds);

/* ---- for handlers */

store *http_store(const http_req *r);
const syncd_config *http_config(const http_req *r);
/* The caller, authenticated. */
const store_user *http_user(const http_req *r);
/* The i-th {uuid} of the route's pattern, checked with uuid_valid. */
const char *http_param(const http_req *r, int i);
/* A query string argument, or NULL. */
const char *http_query(const http_req *r, const char *key);
/* A cookie sent with the request, or NULL. */
const char *http_cookie(const http_req *r, const char *name);
/* A request header, or NULL. */
const char *http_header(const http_req *r, const char *name);
/* A field of an HTML form body (HTTP_BODY_FORM), url-decoded, or NULL. The first 8 fields
 * are kept. */
const char *http_form(http_req *r, const char *key);
/* The body, decompressed and NUL-terminated (empty when there was none). */
const char *http_body(const http_req *r, size_t *len);

/* The body parsed as JSON (UTF-8 checked); an empty body gives an empty object. On
 * a bad body this answers 400 itself and returns NULL (503 when out of memory). The
 * document is freed with the request. */
const cJSON *http_body_json(http_req *r);

/* Answers status with doc (taken over and freed, even on failure; NULL means out of
 * memory: 503). Returns 0. */
int http_reply_json(http_req *r, int status, cJSON *doc);
/* Answers status with {"error": {"code", "message"}}, the code named after status. */
int http_reply_error(http_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers 200 with size bytes read from fd (taken over: closed with the request, even on
 * failure), streamed as they are sent, never compressed (send compressed files). The
 * content type and the file name offered to the browser (Content-Disposition:
 * attachment) are copied. Returns 0. */
int http_reply_file(http_req *r, int fd, size_t size, const char *content_type,
                    const char *filename);
/* Answers status with an HTML page (html: malloc'd, taken over; NULL: out of memory). */
int http_reply_html(http_req *r, int status, char *html);
/* Answers 303 See Other to location (a path of this server); set_cookie, when not NULL,
 * is sent as a Set-Cookie header. */
int http_reply_redirect(http_req *r, const char *location, const char *set_cookie);

/* Answers an error from the store or a parser: DT_EINVAL 400, DT_ENOTFOUND 404,
 * anything else 503 (out of memory, the store is busy, the disk is full). */
int http_reply_dt(http_req *r, int code, const dt_err *err);

#endif
