/* httpd.h - the programs' HTTP server (libmicrohttpd): bodies with caps, gzip both ways, a
 * routing table of one entry per route, authentication by the program's callback, JSON or
 * HTML error replies, a request log, and a graceful stop. syncd serves the sync protocol on
 * it (docs/protocol.md), the collector its interview page. Linked as the dt_httpd library,
 * so that programs without a server do not carry libmicrohttpd. */
#ifndef DT_HTTPD_H
#define DT_HTTPD_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"

/* One request being answered; only the accessors below look inside. */
typedef struct http_req http_req;
/* A running server. */
typedef struct http_server http_server;

#define HTTP_ROLE(r)    (1u << (r)) /* a bit of http_route.roles for the program's role r */
#define HTTP_MAX_PARAMS 4           /* {uuid} placeholders in one pattern */

/* A handler answers with one of the http_reply functions and returns 0; returning
 * without a reply answers 500. */
typedef int (*http_handler)(http_req *r);

/* How a route's caller proves who they are; what each means is the program's
 * authenticate callback (http_opts), the server only skips it for HTTP_AUTH_NONE. */
typedef enum http_auth {
    HTTP_AUTH_BEARER,  /* Authorization: Bearer TOKEN (an API) */
    HTTP_AUTH_SESSION, /* a session cookie (pages), or whatever the program also takes */
    HTTP_AUTH_NONE     /* nobody in particular: a sign-in page */
} http_auth;

/* What a route takes as its body. */
typedef enum http_body_kind {
    HTTP_BODY_NONE, /* nothing (a body sent anyway is read and dropped) */
    HTTP_BODY_JSON, /* application/json, gzip undone */
    HTTP_BODY_FORM  /* application/x-www-form-urlencoded (an HTML form; same origin only) */
} http_body_kind;

/* One route: each route file exports entries, the program lists them in a table. */
typedef struct http_route {
    const char *method;   /* "GET" or "POST" */
    const char *pattern;  /* "/api/v1/cases/{uuid}/approve": {uuid} matches one UUID segment */
    unsigned roles;       /* HTTP_ROLE bits of the roles allowed (others: 403) */
    http_body_kind body;  /* what the body must be */
    http_handler handler; /* called once the whole body is in */
    http_auth auth;       /* HTTP_AUTH_BEARER unless said */
    int html;             /* 1: errors are answered as HTML pages, not JSON */
    int background;       /* 1: heavy work (a push, an export): the handler runs on a worker of
                             lower priority, the connection suspended, so that the server's
                             threads keep answering the others */
} http_route;

/* What a program starts a server with. */
typedef struct http_opts {
    const char *program;      /* names the server's lines in the log: "syncd" */
    const char *listen;       /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    size_t max_body;          /* bytes of a request body as sent (413 past it) */
    size_t max_inflated;      /* bytes of a body once decompressed (413 past it) */
    size_t memory_limit;      /* bytes libmicrohttpd may use per connection */
    unsigned timeout;         /* seconds a connection may stay idle */
    unsigned threads;         /* worker threads; 0: one per core */
    unsigned max_connections; /* open connections at once */
    const char *tls_cert;     /* PEM text of the certificate (chain) and of its key: both set, */
    const char *tls_key;      /* HTTPS only, with Strict-Transport-Security on every answer */
    const http_route *const *routes;
    int nroutes;
    void *app; /* the program's, given back by http_app */
    /* Bytes of the caller's record each request carries for authenticate to fill
     * (http_caller), zeroed. */
    size_t caller_size;
    /* Who is calling a route whose auth is not HTTP_AUTH_NONE (route, how), or a path of no
     * route (NULL, unknown_path_auth): 0 with http_authed called, or -1 once it has answered
     * (401, a redirect to a sign-in page...). */
    int (*authenticate)(http_req *r, const http_route *route, http_auth how);
    /* A path of no route is first authenticated this way (an API answers 401 before saying
     * what exists); HTTP_AUTH_NONE answers 404 at once. */
    http_auth unknown_path_auth;
    /* The name of a role, for the 403 message. */
    const char *(*role_name)(int role);
    /* 1: pages may run the program's own script files (script-src 'self'); else none. */
    int page_scripts;
    /* HTML after an error page's message ("<p><a href=\"/\">Home</a></p>"), or NULL. */
    const char *error_links;
} http_opts;

/* Starts serving o->routes on o->listen (o and its strings are copied; routes and app stay
 * the caller's). *port_out is the port bound (the real one when o->listen asked for port
 * 0). Returns 0, DT_EINVAL (a bad listen address) or DT_EIO (cannot listen: err says
 * why). */
int http_start(http_server **out, int *port_out, const http_opts *o, dt_err *err);

/* Stops accepting connections, lets the requests in flight finish (waiting at most
 * grace_seconds), then closes every connection and frees the server. Accepts NULL. */
void http_stop(http_server *h, unsigned grace_seconds);

/* ---- for authenticate callbacks */

/* The caller's record (http_opts.caller_size bytes, zeroed, freed with the request). */
void *http_caller(http_req *r);
/* The caller is known: their name (kept, not copied: point into http_caller) for the log,
 * and their role for the route's roles. */
void http_authed(http_req *r, const char *name, int role);
/* The token of an "Authorization: Bearer TOKEN" header, copied into token (size bytes,
 * letters, digits and -._~+/= only): 0, or -1 after answering 401 (none, malformed, too
 * long: "unknown or revoked token"). */
int http_bearer(http_req *r, char *token, size_t size);

/* ---- for handlers */

void *http_app(const http_req *r);
/* The i-th {uuid} of the route's pattern, checked with uuid_valid. */
const char *http_param(const http_req *r, int i);
/* A query string argument, or NULL. */
const char *http_query(const http_req *r, const char *key);
/* A cookie sent with the request, or NULL. */
const char *http_cookie(const http_req *r, const char *name);
/* A request header, or NULL. */
const char *http_header(const http_req *r, const char *name);
/* 1 when the request came over TLS (the server speaks HTTPS): cookies go with Secure. */
int http_is_tls(const http_req *r);
/* Adds note to the request's line in the log, after its time: what the line alone would not
 * say (an export with names of people). Printable ASCII is kept, at most HTTP_NOTE_MAX bytes;
 * a second note replaces the first. */
#define HTTP_NOTE_MAX 63
void http_log_note(http_req *r, const char *note);

/* Presents a new certificate chain and key (PEM) from the next handshake on, to a server
 * started with TLS; connections already made keep theirs. DT_EINVAL, and the old ones kept,
 * when they cannot be read or the key is not the certificate's. */
int http_renew_tls(http_server *h, const char *cert_pem, const char *key_pem, dt_err *err);

/* 1 when listen ("ADDRESS:PORT") is a loopback address (127.0.0.0/8, ::1), 0 otherwise. */
int http_listen_is_loopback(const char *listen);

/* A field of an HTML form body (HTTP_BODY_FORM), url-decoded, or NULL. The first 64 fields
 * are kept. */
const char *http_form(http_req *r, const char *key);
/* The n-th (from 0) field called key (the boxes ticked of a list), or NULL. */
const char *http_form_nth(http_req *r, const char *key, int n);
/* The body, decompressed and NUL-terminated (empty when there was none). */
const char *http_body(const http_req *r, size_t *len);

/* The body parsed as JSON (UTF-8 checked); an empty body gives an empty object. On
 * a bad body this answers 400 itself and returns NULL (503 when out of memory). The
 * document is freed with the request. */
const cJSON *http_body_json(http_req *r);

/* Answers status with doc (taken over and freed, even on failure; NULL means out of
 * memory: 503). Returns 0. */
int http_reply_json(http_req *r, int status, cJSON *doc);
/* Answers status with {"error": {"code", "message"}}, the code named after status (an HTML
 * page on a route with html set). */
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
/* Answers 200 with a file built into the program (text, copied), cached by the browser for
 * a year: its address must change with its content (a hash in the query). */
int http_reply_asset(http_req *r, const char *content_type, const char *text);
/* Answers 303 See Other to location (a path of this server); set_cookie, when not NULL,
 * is sent as a Set-Cookie header. */
int http_reply_redirect(http_req *r, const char *location, const char *set_cookie);

/* Answers an error from the store or a parser: DT_EINVAL 400, DT_ENOTFOUND 404,
 * anything else 503 (out of memory, the store is busy, the disk is full). */
int http_reply_dt(http_req *r, int code, const dt_err *err);

#endif
