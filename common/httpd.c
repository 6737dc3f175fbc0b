/* httpd.c - the programs' HTTP server (libmicrohttpd): bodies with caps, gzip both ways,
 * routing, authentication by the program's callback, JSON or HTML errors, a request log and a
 * graceful stop */
#include "httpd_int.h"
#include "buf.h"
#include "html.h"
#include "json.h"
#include "proto.h"
#include "uuid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DISCARD_SLACK (1024 * 1024) /* bytes read past a refused body before hanging up */
#define GZIP_MIN      256           /* smaller answers go as they are: gzip would not pay */

#define JSON_TYPE "application/json; charset=utf-8"
#define HTML_TYPE "text/html; charset=utf-8"

static const char oom_body[] =
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"out of memory: try again later\"}}";

/* ---- small helpers */

static const char *status_code_name(int status)
{
    switch (status) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 409:
        return "conflict";
    case 413:
        return "too_large";
    case 415:
        return "unsupported_media_type";
    case 503:
        return "unavailable";
    default:
        return "internal";
    }
}

/* Copies s into out (size bytes) keeping printable ASCII only, so that a request
 * cannot forge log lines or put bad UTF-8 into a message. */
static void sanitize(char *out, size_t size, const char *s)
{
    size_t i = 0;

    for (; s && *s && i + 1 < size; s++)
        out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    out[i] = '\0';
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static const char *header(const http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* 1 when [p, end) is blank-trimmed name, case-insensitively. */
static int token_is(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return (size_t)(end - p) == n && !strncasecmp(p, name, n);
}

/* 1 when an Accept-Encoding value accepts gzip: "gzip" or "x-gzip" among its codings,
 * without q=0. */
static int accepts_gzip(const char *v)
{
    while (v && *v) {
        const char *end = v + strcspn(v, ","), *semi = memchr(v, ';', (size_t)(end - v));
        const char *name_end = semi ? semi : end;

        if (token_is(v, name_end, "gzip") || token_is(v, name_end, "x-gzip")) {
            /* parameters: only q matters, and only whether it is zero */
            for (const char *q = semi; q && q < end;
                 q = memchr(q + 1, ';', (size_t)(end - q - 1))) {
                const char *p = q + 1;
                while (p < end && (*p == ' ' || *p == '\t'))
                    p++;
                if (end - p >= 2 && (*p == 'q' || *p == 'Q') && p[1] == '=') {
                    double w = strtod(p + 2, NULL);
                    return w > 0;
                }
            }
            return 1;
        }
        v = *end ? end + 1 : end;
    }
    return 0;
}

/* 1 when a Content-Type value is type (parameters such as charset allowed). */
static int is_type(const char *v, const char *type)
{
    size_t n;

    if (!v)
        return 0;
    while (*v == ' ' || *v == '\t')
        v++;
    n = strcspn(v, "; \t");
    return n == strlen(type) && !strncasecmp(v, type, n);
}

/* ---- answering */

/* Pages are self-contained: inline style and SVG, nothing fetched from anywhere, and no
 * script but the program's own file when it serves one (http_opts.page_scripts). */
#define PAGE_CSP                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "           \
    "frame-ancestors 'none'; base-uri 'none'"
#define PAGE_CSP_SCRIPTS                                                                           \
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src data:; form-action 'self'; "    \
    "frame-ancestors 'none'; base-uri 'none'; script-src 'self'; connect-src 'self'"

/* Every answer but an asset is never cached: it holds answers or a moment's state. */
#define NO_STORE "no-store"

static void add_headers(http_req *r, struct MHD_Response *resp, const char *ctype, int gz,
                        const char *cache)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (!strncmp(ctype, "text/html", 9)) {
        MHD_add_response_header(resp, "Content-Security-Policy",
                                r->srv->o.page_scripts ? PAGE_CSP_SCRIPTS : PAGE_CSP);
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
        /* "no-referrer" would make a browser post its forms with "Origin: null", refused */
        MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    }
    if (gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (r->srv->tls_cert) /* browsers then refuse plain HTTP to this host for a year */
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"dieutra\"");
    if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED && r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
    if (atomic_load(&r->srv->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

enum MHD_Result httpd_send(http_req *r, unsigned status, struct MHD_Response *resp)
{
    enum MHD_Result ok;

    if (r->deferred) {
        /* on a worker: MHD takes answers only from its own threads, once resumed */
        r->held = resp;
        r->held_status = status;
        return MHD_YES;
    }
    ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Queues the fixed out-of-memory answer, which needs no allocation of ours. */
static void queue_oom(http_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof(oom_body) - 1, (void *)oom_body, MHD_RESPMEM_PERSISTENT);

    if (!resp)
        return;
    r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
    add_headers(r, resp, JSON_TYPE, 0, NO_STORE);
    if (httpd_send(r, MHD_HTTP_SERVICE_UNAVAILABLE, resp) == MHD_YES) {
        r->queued = 1;
        r->bytes_out = sizeof(oom_body) - 1;
    }
}

/* Queues body (malloc'd, taken over; NULL means out of memory) of type ctype,
 * gzip-compressed when the client accepts it and it is worth it. */
static void queue_typed(http_req *r, int status, const char *ctype, char *body, const char *cache)
{
    struct MHD_Response *resp;
    size_t len;
    int gz = 0;

    if (r->queued) { /* a handler answered twice: the first answer stands */
        free(body);
        return;
    }
    if (!body) {
        queue_oom(r);
        return;
    }
    len = strlen(body);
    if (len >= GZIP_MIN && accepts_gzip(header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
        char *z = NULL;
        size_t zlen = 0;
        dt_err err;
        if (proto_gzip(&z, &zlen, body, len, &err)) {
            free(body);
            queue_oom(r);
            return;
        }
        free(body);
        body = z;
        len = zlen;
        gz = 1;
    }
    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        queue_oom(r);
        return;
    }
    r->status = status;
    add_headers(r, resp, ctype, gz, cache);
    if (httpd_send(r, (unsigned)status, resp) == MHD_YES) {
        r->queued = 1;
        r->bytes_out = len;
    }
}

static void queue(http_req *r, int status, char *body)
{
    queue_typed(r, status, JSON_TYPE, body, NO_STORE);
}

/* text escaped for HTML (malloc'd; NULL when out of memory). */
static char *html_escape(const char *text)
{
    buf b;

    buf_init(&b, 1u << 24);
    if (html_put(&b, text))
        return NULL;
    return buf_detach(&b);
}

/* An error as a small page for people, for the dashboard's routes. */
static void queue_error_page(http_req *r, int status, const char *msg)
{
    char *esc = html_escape(msg);
    char *page = NULL;
    size_t n;

    if (esc) {
        n = strlen(esc) + 1024 + (r->srv->error_links ? strlen(r->srv->error_links) : 0);
        page = malloc(n);
        if (page)
            snprintf(page, n,
                     "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
                     "<title>dieutra: %d</title><style>body{font-family:sans-serif;margin:2em}"
                     "</style></head><body><h1>%d</h1><p>%s</p>%s</body></html>\n",
                     status, status, esc, r->srv->error_links ? r->srv->error_links : "");
        free(esc);
    }
    queue_typed(r, status, HTML_TYPE, page, NO_STORE);
}

static int vreply_error(http_req *r, int status, const char *fmt, va_list ap)
{
    char msg[DT_ERR_MSG_MAX + 128];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (r->route && r->route->html)
        queue_error_page(r, status, msg);
    else
        queue(r, status, proto_error_body(status_code_name(status), msg));
    return 0;
}

int http_reply_error(http_req *r, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreply_error(r, status, fmt, ap);
    va_end(ap);
    return 0;
}

int http_reply_json(http_req *r, int status, cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;

    cJSON_Delete(doc);
    if (!text)
        return http_reply_error(r, 503, "out of memory: try again later");
    queue(r, status, text);
    return 0;
}

int http_reply_html(http_req *r, int status, char *html)
{
    queue_typed(r, status, HTML_TYPE, html, NO_STORE);
    return 0;
}

int http_reply_asset(http_req *r, const char *content_type, const char *text)
{
    /* its address carries its hash: a new binary's file is a new address */
    queue_typed(r, 200, content_type, strdup(text), "private, max-age=31536000, immutable");
    return 0;
}

int http_reply_redirect(http_req *r, const char *location, const char *set_cookie)
{
    struct MHD_Response *resp;

    if (r->queued)
        return 0;
    resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        queue_oom(r);
        return 0;
    }
    r->status = MHD_HTTP_SEE_OTHER;
    add_headers(r, resp, HTML_TYPE, 0, NO_STORE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    if (set_cookie)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, set_cookie);
    if (httpd_send(r, MHD_HTTP_SEE_OTHER, resp) == MHD_YES)
        r->queued = 1;
    return 0;
}

int http_reply_file(http_req *r, int fd, size_t size, const char *content_type,
                    const char *filename)
{
    struct MHD_Response *resp;
    char disposition[256], shown[128];

    if (r->queued) {
        close(fd);
        return 0;
    }
    resp = MHD_create_response_from_fd(size, fd); /* closes fd when destroyed, not on NULL */
    if (!resp) {
        close(fd);
        queue_oom(r);
        return 0;
    }
    sanitize(shown, sizeof(shown), filename);
    for (char *p = shown; *p; p++)
        if (*p == '"' || *p == '\\' || *p == '/')
            *p = '_';
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", shown);
    r->status = 200;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (atomic_load(&r->srv->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (httpd_send(r, MHD_HTTP_OK, resp) == MHD_YES) {
        r->queued = 1;
        r->bytes_out = size;
    }
    return 0;
}

int http_reply_dt(http_req *r, int code, const dt_err *err)
{
    switch (code) {
    case DT_EINVAL:
        return http_reply_error(r, 400, "%s", err->msg);
    case DT_ENOTFOUND:
        return http_reply_error(r, 404, "%s", err->msg);
    case DT_ECHANGED:
        return http_reply_error(r, 409, "%s", err->msg);
    case DT_ENOMEM:
        return http_reply_error(r, 503, "out of memory: try again later");
    default:
        return http_reply_error(r, 503, "the store could not do it: %s; try again later", err->msg);
    }
}

/* ---- for handlers */

void *http_app(const http_req *r)
{
    return r->srv->o.app;
}

void *http_caller(http_req *r)
{
    return r->caller;
}

void http_authed(http_req *r, const char *name, int role)
{
    r->who = name;
    r->role = role;
}

const char *http_param(const http_req *r, int i)
{
    return (i >= 0 && i < HTTP_MAX_PARAMS) ? r->params[i] : "";
}

const char *http_query(const http_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_cookie(const http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_header(const http_req *r, const char *name)
{
    return header(r, name);
}

/* Cuts the form body (application/x-www-form-urlencoded) into url-decoded fields. */
static void parse_form(http_req *r)
{
    size_t len;
    const char *body = http_body(r, &len);
    char *p;

    r->nform = 0;
    r->form_text = malloc(len + 1);
    if (!r->form_text)
        return;
    memcpy(r->form_text, body, len);
    r->form_text[len] = '\0';
    for (p = r->form_text; *p && r->nform < FORM_FIELDS;) {
        char *amp = p + strcspn(p, "&"), *eq;
        int last = *amp == '\0';
        *amp = '\0';
        eq = strchr(p, '=');
        if (eq) {
            *eq = '\0';
            for (char *q = p; *q; q++)
                if (*q == '+')
                    *q = ' ';
            for (char *q = eq + 1; *q; q++)
                if (*q == '+')
                    *q = ' ';
            MHD_http_unescape(p);
            MHD_http_unescape(eq + 1);
            r->form[r->nform].key = p;
            r->form[r->nform].value = eq + 1;
            r->nform++;
        }
        if (last)
            break;
        p = amp + 1;
    }
}

const char *http_form_nth(http_req *r, const char *key, int n)
{
    if (r->nform < 0)
        parse_form(r);
    for (int i = 0; i < r->nform; i++)
        if (!strcmp(r->form[i].key, key) && n-- == 0)
            return r->form[i].value;
    return NULL;
}

const char *http_form(http_req *r, const char *key)
{
    return http_form_nth(r, key, 0);
}

const char *http_body(const http_req *r, size_t *len)
{
    if (r->inflated) {
        *len = r->inflated_len;
        return r->inflated;
    }
    *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

const cJSON *http_body_json(http_req *r)
{
    size_t len;
    const char *text = http_body(r, &len);
    dt_err err;
    int rc;

    if (r->json)
        return r->json;
    if (len == 0) {
        r->json = cJSON_CreateObject();
        if (!r->json)
            http_reply_error(r, 503, "out of memory: try again later");
        return r->json;
    }
    rc = json_parse(&r->json, text, len, "body", &err);
    if (rc) {
        r->json = NULL;
        http_reply_dt(r, rc, &err);
        return NULL;
    }
    return r->json;
}

/* ---- routing */

/* 1 when path matches pattern, filling params with its {uuid} segments. A "." or ".."
 * segment, an empty one or a non-UUID where a UUID goes never matches. */
static int match(const char *pattern, const char *path, char params[][UUID_LEN + 1])
{
    int np = 0;

    if (!strcmp(pattern, "/")) /* the root has no segment */
        return !strcmp(path, "/");
    for (;;) {
        if (*pattern != '/' || *path != '/')
            return 0;
        pattern++;
        path++;
        size_t pl = strcspn(pattern, "/"), sl = strcspn(path, "/");
        if (pl == 6 && !strncmp(pattern, "{uuid}", 6)) {
            char id[UUID_LEN + 1];
            if (sl != UUID_LEN || np >= HTTP_MAX_PARAMS)
                return 0;
            memcpy(id, path, UUID_LEN);
            id[UUID_LEN] = '\0';
            if (!uuid_valid(id))
                return 0;
            memcpy(params[np++], id, UUID_LEN + 1);
        } else if (pl != sl || pl == 0 || strncmp(pattern, path, pl) != 0) {
            return 0;
        }
        pattern += pl;
        path += sl;
        if (!*pattern || !*path)
            return !*pattern && !*path;
    }
}

/* Picks the route for method and url: 0, or 404 / 405 (r->allow set). */
static int route(http_req *r, const char *url, const char *method)
{
    static const char *const allow_text[] = {"", "GET", "POST", "GET, POST"};
    int allow = 0, path_known = 0;

    for (int i = 0; i < r->srv->o.nroutes; i++) {
        const http_route *rt = r->srv->o.routes[i];
        char params[HTTP_MAX_PARAMS][UUID_LEN + 1];
        if (!match(rt->pattern, url, params))
            continue;
        path_known = 1;
        allow |= !strcmp(rt->method, "GET") ? 1 : 2;
        if (strcmp(rt->method, method) != 0)
            continue;
        r->route = rt;
        memcpy(r->params, params, sizeof(params));
        return 0;
    }
    if (!path_known)
        return 404;
    r->allow = allow_text[allow & 3];
    return 405;
}

/* ---- the request's life */

int http_bearer(http_req *r, char *token, size_t size)
{
    static const char token_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-._~+/=";
    const char *v = header(r, MHD_HTTP_HEADER_AUTHORIZATION), *tok;
    size_t n;

    if (!v) {
        http_reply_error(r, 401, "no token: send 'Authorization: Bearer TOKEN'");
        return -1;
    }
    while (*v == ' ')
        v++;
    if (strncasecmp(v, "Bearer ", 7) != 0) {
        http_reply_error(r, 401, "expected 'Authorization: Bearer TOKEN'");
        return -1;
    }
    tok = v + 7;
    while (*tok == ' ')
        tok++;
    n = strlen(tok);
    while (n && tok[n - 1] == ' ')
        n--;
    if (n == 0 || n >= size || strspn(tok, token_chars) < n) {
        http_reply_error(r, 401, "unknown or revoked token");
        return -1;
    }
    memcpy(token, tok, n);
    token[n] = '\0';
    return 0;
}

/* A form posted from another site is refused: the Origin a browser sends must be this
 * server (SameSite cookies already keep the session out of such a post). */
static int same_origin(const http_req *r)
{
    const char *origin = header(r, "Origin"), *host = header(r, MHD_HTTP_HEADER_HOST), *p;

    if (!origin)
        return 1; /* not a browser, or an old one: nothing to compare */
    p = strstr(origin, "://");
    return host && p && !strcmp(p + 3, host);
}

/* The first call, headers in: everything that can be refused before the body is. 0 to
 * go on, -1 when refused (answered, unless even that failed). */
static int begin(http_req *r, const char *url, const char *method)
{
    const char *clen, *te, *ctype, *cenc;
    int has_body, status;

    /* The API answers 401 before anything about its paths; the dashboard's pages know
     * their route first, to send a browser to the sign-in page. */
    status = route(r, url, method);
    if (status == 0 && r->route->auth != HTTP_AUTH_NONE) {
        if (r->srv->o.authenticate(r, r->route, r->route->auth))
            return -1;
    } else if (status != 0 && r->srv->o.unknown_path_auth != HTTP_AUTH_NONE) {
        if (r->srv->o.authenticate(r, NULL, r->srv->o.unknown_path_auth))
            return -1;
    }
    if (status == 404) {
        http_reply_error(r, 404, "no such resource: %s", r->path);
        return -1;
    }
    if (status == 405) {
        http_reply_error(r, 405, "%s is not allowed on %s (allowed: %s)", r->method, r->path,
                         r->allow);
        return -1;
    }
    if (r->route->auth != HTTP_AUTH_NONE && (!r->who || !(r->route->roles & HTTP_ROLE(r->role)))) {
        http_reply_error(r, 403, "a %s may not use %s %s",
                         r->who && r->srv->o.role_name ? r->srv->o.role_name(r->role) : "caller",
                         r->method, r->path);
        return -1;
    }
    if (r->route->body == HTTP_BODY_FORM && !same_origin(r)) {
        http_reply_error(r, 403, "this form was posted from another site");
        return -1;
    }
    clen = header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(clen, &end, 10);
        if (errno || *end || n > r->srv->o.max_body) {
            http_reply_error(r, 413, "the body is larger than %zu bytes", r->srv->o.max_body);
            return -1;
        }
    }
    te = header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    has_body = te || (clen && strcmp(clen, "0") != 0);
    if (!r->route->body || !has_body)
        return 0;
    ctype = header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!is_type(ctype, r->route->body == HTTP_BODY_FORM ? "application/x-www-form-urlencoded"
                                                         : "application/json")) {
        char shown[80];
        sanitize(shown, sizeof(shown), ctype ? ctype : "none");
        http_reply_error(r, 415, "the body must be %s (got %s)",
                         r->route->body == HTTP_BODY_FORM ? "application/x-www-form-urlencoded"
                                                          : "application/json",
                         shown);
        return -1;
    }
    cenc = header(r, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (cenc && !strcasecmp(cenc, "gzip")) {
        r->gzip_in = 1;
    } else if (cenc && *cenc && strcasecmp(cenc, "identity") != 0) {
        char shown[80];
        sanitize(shown, sizeof(shown), cenc);
        http_reply_error(r, 415, "unsupported Content-Encoding %s (use gzip or none)", shown);
        return -1;
    }
    return 0;
}

/* A piece of the body: kept while under the cap, dropped after. 0, or -1 to hang up
 * (far too much was sent). */
static int take(http_req *r, const char *data, size_t n)
{
    r->bytes_in += n;
    if (r->body_state != BODY_OK || !r->route || !r->route->body) {
        if (r->body_state == BODY_OK && r->bytes_in > r->srv->o.max_body) {
            buf_free(&r->body);
            r->body_state = BODY_TOO_LARGE;
        }
        return r->bytes_in > 2 * r->srv->o.max_body + DISCARD_SLACK ? -1 : 0;
    }
    switch (buf_append(&r->body, data, n)) {
    case DT_OK:
        return 0;
    case DT_EINVAL:
        r->body_state = BODY_TOO_LARGE;
        return 0;
    default:
        r->body_state = BODY_NOMEM;
        return 0;
    }
}

/* The whole request is in: undo gzip, then the route's handler. 1 when the handler was given
 * to a worker (the connection is suspended: r is the worker's until it resumes it), else 0. */
static int finish(http_req *r)
{
    dt_err err;
    int rc;

    if (!r->route) { /* refused in begin without an answer: not reached */
        http_reply_error(r, 500, "the request was refused");
        return 0;
    }
    if (r->body_state == BODY_TOO_LARGE) {
        http_reply_error(r, 413, "the body is larger than %zu bytes", r->srv->o.max_body);
        return 0;
    }
    if (r->body_state == BODY_NOMEM) {
        http_reply_error(r, 503, "out of memory: try again later");
        return 0;
    }
    if (r->route->body && r->body.len > 0 &&
        (r->gzip_in || proto_is_gzip(r->body.data, r->body.len))) {
        rc = proto_gunzip(&r->inflated, &r->inflated_len, r->body.data, r->body.len,
                          r->srv->o.max_inflated, &err);
        if (rc == DT_ERR) {
            http_reply_error(r, 413, "the body is larger than %zu bytes once decompressed",
                             r->srv->o.max_inflated);
            return 0;
        }
        if (rc == DT_EINVAL) {
            http_reply_error(r, 400, "the body is not valid gzip: %s", err.msg);
            return 0;
        }
        if (rc) {
            http_reply_error(r, 503, "out of memory: try again later");
            return 0;
        }
        buf_free(&r->body);
    }
    if (r->route->background && r->srv->jobs) {
        /* heavy work on a worker of lower priority: this thread goes back to its other
         * connections (a page is not kept waiting behind a push's validation) */
        r->deferred = 1;
        MHD_suspend_connection(r->conn);
        if (httpd_jobs_run(r->srv->jobs, r) == 0)
            return 1;
        r->deferred = 0;
        MHD_resume_connection(r->conn);
    }
    httpd_run_handler(r);
    return 0;
}

void httpd_run_handler(http_req *r)
{
    r->route->handler(r);
    if (!r->queued)
        http_reply_error(r, 500, "the server did not answer: please report this");
}

static void req_free(http_req *r)
{
    buf_free(&r->body);
    free(r->inflated);
    cJSON_Delete(r->json);
    if (r->form_text) {
        sodium_memzero(r->form_text, strlen(r->form_text)); /* it may hold a token */
        free(r->form_text);
    }
    free(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_server *h = cls;
    http_req *r = *con_cls;

    (void)version;
    if (!r) {
        const union MHD_ConnectionInfo *ci;
        r = calloc(1, sizeof(*r) + h->o.caller_size);
        if (!r) {
            struct MHD_Response *resp = MHD_create_response_from_buffer(
                sizeof(oom_body) - 1, (void *)oom_body, MHD_RESPMEM_PERSISTENT);
            enum MHD_Result ok = MHD_NO;
            if (resp) {
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
                ok = MHD_queue_response(conn, MHD_HTTP_SERVICE_UNAVAILABLE, resp);
                MHD_destroy_response(resp);
            }
            return ok;
        }
        *con_cls = r;
        atomic_fetch_add(&h->inflight, 1);
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        r->srv = h;
        r->conn = conn;
        r->nform = -1;
        buf_init(&r->body, h->o.max_body);
        sanitize(r->method, sizeof(r->method), method);
        sanitize(r->path, sizeof(r->path), url);
        snprintf(r->remote, sizeof(r->remote), "-");
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                          r->remote, sizeof(r->remote));
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                          r->remote, sizeof(r->remote));
        }
        if (begin(r, url, method) && !r->queued)
            return MHD_NO; /* not even the answer could be made: hang up */
        return MHD_YES;
    }
    if (r->resumed) { /* a worker ran the handler: its answer goes out from here */
        enum MHD_Result ok = MHD_NO;
        r->resumed = 0;
        r->deferred = 0;
        if (r->held) {
            ok = MHD_queue_response(conn, r->held_status, r->held);
            MHD_destroy_response(r->held);
            r->held = NULL;
        }
        return ok;
    }
    if (r->queued) { /* answered early: what still arrives is dropped */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        int rc = take(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rc ? MHD_NO : MHD_YES;
    }
    if (finish(r))
        return MHD_YES; /* suspended: not a word more about r here */
    return r->queued ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *h = cls;
    http_req *r = *con_cls;
    char when[32], line[1024];
    struct tm tm;
    time_t now = time(NULL);

    (void)conn;
    if (!r)
        return;
    *con_cls = NULL;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(line, sizeof(line), "%s %s %s %s %s %d in=%zu out=%zu %.1fms%s%s%s\n", when, r->remote,
             r->who ? r->who : "-", r->method, r->path, r->status, r->bytes_in, r->bytes_out,
             ms_since(&r->t0), r->note[0] ? " " : "", r->note,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? ""
             : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timed out)"
             : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " (shut down)"
             : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT    ? " (client went away)"
                                                             : " (aborted)");
    fputs(line, stderr);
    if (h->o.caller_size) /* it may hold a token's traces */
        sodium_memzero(r->caller, h->o.caller_size);
    req_free(r);
    atomic_fetch_sub(&h->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    const http_server *h = cls;
    char msg[512];
    size_t n;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "%s: http: %s\n", h->program, msg);
}

int http_is_tls(const http_req *r)
{
    return r->srv->tls_cert != NULL;
}

void http_log_note(http_req *r, const char *note)
{
    sanitize(r->note, sizeof(r->note), note);
}

static void server_free(http_server *h)
{
    if (!h)
        return;
    if (h->tls_key)
        sodium_memzero(h->tls_key, strlen(h->tls_key));
    free(h->tls_key);
    free(h->tls_cert);
    free(h->error_links);
    free(h);
}

/* ---- start and stop */

/* Parses "HOST:PORT" or "[V6]:PORT" (numeric addresses only) into ss. */
static int parse_listen(struct sockaddr_storage *ss, const char *listen, dt_err *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':'), *h = listen;
    size_t hl;
    struct addrinfo hints, *res = NULL;
    char *end;
    long port;
    int rc;

    if (!colon)
        goto bad;
    hl = (size_t)(colon - listen);
    if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
        h = listen + 1;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof(host))
        goto bad;
    memcpy(host, h, hl);
    host[hl] = '\0';
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port < 0 || port > 65535)
        goto bad;
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc || !res || res->ai_addrlen > sizeof(*ss)) {
        if (res)
            freeaddrinfo(res);
        goto bad;
    }
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return DT_OK;
bad:
    return err_set(err, DT_EINVAL,
                   "cannot listen on '%s': expected a numeric ADDRESS:PORT such as "
                   "127.0.0.1:8080 or [::1]:8080",
                   listen);
}

int http_start(http_server **out, int *port_out, const http_opts *o, dt_err *err)
{
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *info;
    http_server *h = NULL;
    unsigned int flags, threads = o->threads;
    long cores;

    *out = NULL;
    if (parse_listen(&ss, o->listen, err))
        return DT_EINVAL;
    if (!o->tls_cert != !o->tls_key)
        return err_set(err, DT_EINVAL, "TLS needs both a certificate and its key");
    if (o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return err_set(err, DT_EINVAL, "this libmicrohttpd was built without TLS");
    h = calloc(1, sizeof(*h));
    if (!h || (o->error_links && !(h->error_links = strdup(o->error_links))) ||
        (o->tls_cert &&
         (!(h->tls_cert = strdup(o->tls_cert)) || !(h->tls_key = strdup(o->tls_key))))) {
        server_free(h);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    h->o = *o;
    snprintf(h->program, sizeof(h->program), "%s", o->program ? o->program : "dieutra");
    snprintf(h->listen, sizeof(h->listen), "%s", o->listen);
    h->o.program = h->program;
    h->o.listen = h->listen;
    h->o.error_links = h->error_links;
    atomic_init(&h->inflight, 0);
    atomic_init(&h->stopping, 0);
    if (!threads) {
        cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (unsigned)(cores > 64 ? 64 : cores) : 1;
    }
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (httpd_jobs_start(&h->jobs, threads)) {
        server_free(h);
        return err_set(err, DT_ENOMEM, "cannot start the server's workers");
    }
    if (h->tls_cert) {
        dt_err terr;
        if (httpd_tls_use(h->tls_cert, h->tls_key, &terr)) {
            httpd_jobs_stop(h->jobs);
            server_free(h);
            return err_set(err, terr.code, "%s", terr.msg);
        }
        flags |= MHD_USE_TLS;
    }
    h->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
        h, /* first, so that it sees everything */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        o->memory_limit, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)o->max_connections,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        /* read only when TLS is on; MHD_OPTION_END ends the list otherwise */
        h->tls_cert ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, httpd_tls_retrieve,
        MHD_OPTION_END);
    if (!h->mhd) {
        int tls = h->tls_cert != NULL;
        httpd_jobs_stop(h->jobs);
        if (tls)
            httpd_tls_forget();
        server_free(h);
        return err_set(err, DT_EIO,
                       tls ? "cannot listen on %s with TLS (is the port in use?)"
                           : "cannot listen on %s (is the port in use, or another %s running?)",
                       o->listen, o->program ? o->program : "server");
    }
    info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = info ? info->port : 0;
    *out = h;
    return DT_OK;
}

void http_stop(http_server *h, unsigned grace_seconds)
{
    struct timespec t0, nap = {0, 20 * 1000 * 1000};
    MHD_socket fd;

    if (!h)
        return;
    atomic_store(&h->stopping, 1);
    fd = MHD_quiesce_daemon(h->mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&h->inflight) > 0 && ms_since(&t0) < grace_seconds * 1000.0)
        nanosleep(&nap, NULL);
    /* every suspended connection is resumed before the daemon stops */
    httpd_jobs_stop(h->jobs);
    MHD_stop_daemon(h->mhd);
    if (h->tls_cert)
        httpd_tls_forget();
    server_free(h);
}

int http_renew_tls(http_server *h, const char *cert_pem, const char *key_pem, dt_err *err)
{
    if (!h->tls_cert)
        return err_set(err, DT_EINVAL, "the server was not started with TLS");
    return httpd_tls_use(cert_pem, key_pem, err);
}

int http_listen_is_loopback(const char *listen)
{
    struct sockaddr_storage ss;
    dt_err err;

    if (parse_listen(&ss, listen, &err))
        return 0;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)(void *)&ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)(void *)&ss)->sin6_addr);
    return 0;
}
