/* net.c - the collector's HTTP client (libcurl): bearer token, gzip bodies, timeouts for a weak
 * link, retries with exponential backoff, answers with a hard size cap */
#define _GNU_SOURCE /* strptime, timegm */
#include "net.h"
#include "buf.h"
#include "json.h"
#include "proto.h"
#include "version.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_URL 2048

struct net {
    net_conf conf;
    CURL *curl;         /* one handle: its connection is reused between requests */
    char base[MAX_URL]; /* base_url without a trailing '/' */
};

/* A whole number from the environment within [lo, hi], else def. */
static long env_long(const char *name, long def, long lo, long hi)
{
    const char *s = getenv(name);
    char *end;
    long v;

    if (!s || !*s)
        return def;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return def;
    return v;
}

void net_conf_init(net_conf *c, const char *base_url, const char *token)
{
    memset(c, 0, sizeof(*c));
    c->base_url = base_url;
    c->token = token;
    c->tries = (int)env_long(NET_TRIES_ENV, 5, 1, 20);
    c->retry_ms = env_long(NET_RETRY_ENV, 1000, 0, 600000);
    c->connect_timeout_s = 15;
    c->low_speed_bytes = 100;
    c->low_speed_time_s = 30;
    c->timeout_s = 300;
    c->max_answer = 16 * 1024 * 1024;
    c->max_inflated = PROTO_MAX_INFLATED;
    c->ca_file = getenv(NET_CA_ENV);
    if (c->ca_file && !*c->ca_file)
        c->ca_file = NULL;
}

int net_url_is_loopback(const char *url)
{
    const char *h = strstr(url, "://");

    h = h ? h + 3 : url;
    return !strncmp(h, "127.", 4) || !strncmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5);
}

int net_pin_valid(const char *pin)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    for (const char *p = pin;; p++) {
        if (strncmp(p, "sha256//", 8) != 0 || strspn(p + 8, b64) != 44)
            return 0;
        p += 8 + 44;
        if (!*p)
            return 1;
        if (*p != ';')
            return 0;
    }
}

void net_answer_free(net_answer *a)
{
    if (!a)
        return;
    free(a->body);
    memset(a, 0, sizeof(*a));
}

int net_open(net **out, const net_conf *c, dt_err *err)
{
    net *n;
    size_t len;

    *out = NULL;
    if (!c->base_url ||
        (strncmp(c->base_url, "http://", 7) != 0 && strncmp(c->base_url, "https://", 8) != 0))
        return err_set(err, DT_EINVAL,
                       "the server address must start with http:// or https:// (like "
                       "http://192.168.1.10:8080)");
    if (c->token && !strncmp(c->base_url, "http://", 7) && !net_url_is_loopback(c->base_url))
        return err_set(err, DT_EINVAL,
                       "refusing to send the token unencrypted to %s: anyone on the network could "
                       "read it; ask your supervisor for the server's https:// address",
                       c->base_url);
    if (c->pin && !net_pin_valid(c->pin))
        return err_set(err, DT_EINVAL,
                       "the pin '%.80s' is not one: it is written sha256// and 44 characters, as "
                       "`syncd tls init` printed it",
                       c->pin);
    len = strlen(c->base_url);
    while (len > 0 && c->base_url[len - 1] == '/')
        len--;
    if (len >= MAX_URL - 256)
        return err_set(err, DT_EINVAL, "the server address is too long");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(err, DT_ENOMEM, "cannot start libcurl (out of memory?)");
    n = calloc(1, sizeof(*n));
    if (!n || !(n->curl = curl_easy_init())) {
        free(n);
        curl_global_cleanup();
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    n->conf = *c;
    memcpy(n->base, c->base_url, len);
    n->base[len] = '\0';
    *out = n;
    return DT_OK;
}

void net_close(net *n)
{
    if (!n)
        return;
    curl_easy_cleanup(n->curl);
    free(n);
    curl_global_cleanup();
}

/* ---- one attempt */

typedef struct sink {
    buf b;
    int too_big;    /* the answer passed the cap: the transfer was stopped */
    CURL *curl;     /* for before_request */
    time_t expired; /* the pinned server's certificate ended then: nothing was sent */
} sink;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
    sink *s = ctx;
    size_t n = size * nmemb;

    if (buf_append(&s->b, p, n) != DT_OK) {
        s->too_big = 1;
        return 0; /* stops the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

/* The end of the validity of the server's certificate of a pinned connection, as OpenSSL's
 * libcurl gives it ("Expire date: Mar 11 11:08:19 2029 GMT"), or 0 when it says nothing (a
 * connection reused: checked when it was made). */
static time_t cert_expiry(CURL *c)
{
    struct curl_certinfo *ci = NULL;
    struct tm tm;

    if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return 0;
    for (struct curl_slist *e = ci->certinfo[0]; e; e = e->next)
        if (!strncmp(e->data, "Expire date:", 12)) {
            memset(&tm, 0, sizeof(tm));
            if (strptime(e->data + 12, " %b %d %H:%M:%S %Y GMT", &tm))
                return timegm(&tm);
        }
    return 0;
}

/* Called once the connection is made, before the request (and its token) is sent: a pinned
 * server whose certificate has expired gets nothing. */
static int before_request(void *ctx, char *ip, char *local_ip, int port, int local_port)
{
    sink *s = ctx;
    CURL *c = s->curl;
    time_t end = cert_expiry(c);

    (void)ip;
    (void)local_ip;
    (void)port;
    (void)local_port;
    if (end && end < time(NULL)) {
        s->expired = end;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

/* Failures worth another try: the link, not the request. */
static int transient(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

typedef struct request {
    const char *url;
    const char *body; /* NULL: GET */
    size_t len;
} request;

/* Runs one attempt. Returns the curl code; *status and the sink hold the answer. */
static CURLcode attempt(net *n, const request *r, sink *s, long *status, char *errbuf)
{
    CURL *c = n->curl;
    struct curl_slist *h = NULL, *t;
    char auth[512];
    CURLcode cc;

    *status = 0;
    errbuf[0] = '\0';
    s->curl = c;
    curl_easy_reset(c); /* keeps the live connection */
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", n->conf.token ? n->conf.token : "");
    static const char *const common[] = {"Accept: application/json", "Accept-Encoding: gzip",
                                         "Expect:", NULL};
    static const char *const post[] = {"Content-Type: application/json", "Content-Encoding: gzip",
                                       NULL};
    if (!(h = curl_slist_append(NULL, auth)))
        return CURLE_OUT_OF_MEMORY;
    for (int i = 0; common[i]; i++) {
        if (!(t = curl_slist_append(h, common[i])))
            goto nomem;
        h = t;
    }
    for (int i = 0; r->body && post[i]; i++) {
        if (!(t = curl_slist_append(h, post[i])))
            goto nomem;
        h = t;
    }
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* the token goes nowhere else */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dieutra-collector/" DT_VERSION);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, n->conf.connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, n->conf.low_speed_bytes);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, n->conf.low_speed_time_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, n->conf.timeout_s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    if (n->conf.ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, n->conf.ca_file);
    if (n->conf.pin) {
        /* the key is the server's identity: a self-signed certificate whose key is the
         * pinned one is this server, whatever the CAs say; its dates are checked below */
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, n->conf.pin);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
        curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, before_request);
        curl_easy_setopt(c, CURLOPT_PREREQDATA, s);
    }
    if (r->body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(h);
    /* The bearer token sat in a stack buffer: wipe it. */
    memset(auth, 0, sizeof(auth));
    return cc;
nomem:
    curl_slist_free_all(h);
    memset(auth, 0, sizeof(auth));
    return CURLE_OUT_OF_MEMORY;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Moves the sink's bytes into the answer, decompressing gzip under the cap. */
static int take_body(net *n, sink *s, net_answer *out, dt_err *err)
{
    size_t len = s->b.len; /* before detaching, which empties the buffer */
    char *raw = buf_detach(&s->b);

    if (!raw)
        return err_set(err, DT_ENOMEM, "out of memory");
    if (proto_is_gzip(raw, len)) {
        dt_err zerr;
        int rc = proto_gunzip(&out->body, &out->len, raw, len, n->conf.max_inflated, &zerr);
        free(raw);
        if (rc)
            return err_set(err, DT_EINVAL, "the server's answer cannot be read: %s", zerr.msg);
        return DT_OK;
    }
    out->body = raw;
    out->len = len;
    return DT_OK;
}

/* 1 when the answer is one whole JSON document (every answer of the API is). */
static int whole_json(const net_answer *a)
{
    cJSON *j = a->len ? cJSON_ParseWithLength(a->body, a->len) : NULL;
    int whole = j != NULL;

    cJSON_Delete(j);
    return whole;
}

/* The server could not be trusted: what the enumerator can do about it. Nothing was sent. */
static int tls_refused(net *n, CURLcode cc, time_t expired, const char *why, dt_err *err)
{
    char day[32];

    if (expired) {
        struct tm tm;
        gmtime_r(&expired, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
        return err_set(err, DT_EIO,
                       "%s: the server's certificate expired on %s: nothing was sent. Tell your "
                       "supervisor: the server needs a new certificate",
                       n->base, day);
    }
    if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        return err_set(err, DT_EIO,
                       "%s: this is not the server this laptop was enrolled with (its key is not "
                       "the pinned one): nothing was sent. Do not sync on this network; if the "
                       "server was given a new key, your supervisor gives you its new pin for "
                       "`collector enroll`",
                       n->base);
    return err_set(err, DT_EIO,
                   "%s: the server's certificate cannot be trusted (%s): nothing was sent. If your "
                   "office made its own certificate, enroll with its pin: collector enroll URL "
                   "TOKEN --pin sha256//... (your supervisor has it)",
                   n->base, why);
}

static int perform(net *n, net_answer *out, const request *r, dt_err *err)
{
    char errbuf[CURL_ERROR_SIZE];
    long wait = n->conf.retry_ms;
    int tries = n->conf.tries > 0 ? n->conf.tries : 1;

    memset(out, 0, sizeof(*out));
    for (int i = 1;; i++) {
        sink s = {{0}, 0, NULL, 0};
        long status = 0;
        char why[CURL_ERROR_SIZE + 64];
        CURLcode cc;

        buf_init(&s.b, n->conf.max_answer);
        cc = attempt(n, r, &s, &status, errbuf);
        out->tries = i;
        if (cc == CURLE_OUT_OF_MEMORY) {
            buf_free(&s.b);
            return err_set(err, DT_ENOMEM, "out of memory");
        }
        if (s.too_big) {
            buf_free(&s.b);
            return err_set(err, DT_EINVAL, "the server's answer is larger than %zu bytes: refused",
                           n->conf.max_answer);
        }
        if (cc == CURLE_OK) {
            int rc = take_body(n, &s, out, err); /* an empty answer gives "" */
            if (rc)
                return rc;
            out->status = status;
            if (status >= 200 && status < 300 && !whole_json(out)) {
                /* A cut in the headers leaves a body "until the connection closes" that
                 * HTTP cannot tell from a whole one: the JSON can. */
                snprintf(why, sizeof(why), "the answer was cut short");
                net_answer_free(out);
                out->tries = i;
                if (i >= tries)
                    return err_set(err, DT_EIO, "cannot reach %s: %s (%d tr%s)", n->base, why, i,
                                   i == 1 ? "y" : "ies");
            } else {
                if (status < 500 || i >= tries)
                    return DT_OK;
                snprintf(why, sizeof(why), "the server answered %ld", status);
                net_answer_free(out);
                out->tries = i;
            }
        } else {
            buf_free(&s.b);
            snprintf(why, sizeof(why), "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
            if (s.expired || cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
                cc == CURLE_PEER_FAILED_VERIFICATION)
                return tls_refused(n, cc, s.expired, why, err);
            if (!transient(cc))
                return err_set(err, DT_EIO, "%s: %s", n->base, why);
            if (i >= tries)
                return err_set(err, DT_EIO, "cannot reach %s: %s (%d tr%s)", n->base, why, i,
                               i == 1 ? "y" : "ies");
        }
        if (n->conf.on_retry)
            n->conf.on_retry(n->conf.ctx, why, (double)wait / 1000.0, i + 1, tries);
        else if (n->conf.verbose)
            fprintf(stderr, "collector: %s; trying again in %.1f s (try %d of %d)\n", why,
                    (double)wait / 1000.0, i + 1, tries);
        sleep_ms(wait);
        wait = wait > 60000 ? 120000 : wait * 2;
    }
}

static int make_url(net *n, char *url, const char *path, dt_err *err)
{
    if ((size_t)snprintf(url, MAX_URL, "%s%s", n->base, path) >= MAX_URL)
        return err_set(err, DT_EINVAL, "the request address is too long");
    return DT_OK;
}

int net_get(net *n, net_answer *out, const char *path, dt_err *err)
{
    char url[MAX_URL];
    request r = {url, NULL, 0};

    memset(out, 0, sizeof(*out));
    if (make_url(n, url, path, err))
        return DT_EINVAL;
    return perform(n, out, &r, err);
}

int net_post_json(net *n, net_answer *out, const char *path, const char *json, size_t len,
                  dt_err *err)
{
    char url[MAX_URL], *gz = NULL;
    size_t gz_len = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (make_url(n, url, path, err))
        return DT_EINVAL;
    if ((rc = proto_gzip(&gz, &gz_len, json, len, err)))
        return rc;
    request r = {url, gz, gz_len};
    rc = perform(n, out, &r, err);
    free(gz);
    return rc;
}

const char *net_error_message(const net_answer *a, char *out, size_t size)
{
    cJSON *doc = NULL;
    const cJSON *e, *m, *code;
    dt_err jerr;
    size_t o = 0;

    out[0] = '\0';
    if (!a->body || !a->len)
        return out;
    if (json_parse(&doc, a->body, a->len, "answer", &jerr) == DT_OK &&
        (e = cJSON_GetObjectItemCaseSensitive(doc, "error")) &&
        cJSON_IsString(m = cJSON_GetObjectItemCaseSensitive(e, "message"))) {
        code = cJSON_GetObjectItemCaseSensitive(e, "code");
        if (cJSON_IsString(code))
            snprintf(out, size, "%s (%s)", m->valuestring, code->valuestring);
        else
            snprintf(out, size, "%s", m->valuestring);
        cJSON_Delete(doc);
        return out;
    }
    cJSON_Delete(doc);
    /* Not ours (a proxy's page?): the start of it, printable bytes only. */
    for (size_t i = 0; i < a->len && o + 1 < size && i < 200; i++) {
        unsigned char ch = (unsigned char)a->body[i];
        out[o++] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : (ch < 0x20 ? '?' : (char)ch);
    }
    out[o] = '\0';
    return out;
}
