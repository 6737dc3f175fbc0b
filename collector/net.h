/* net.h - the collector's HTTP client (libcurl): bearer token, gzip bodies, timeouts for a weak
 * link, retries with exponential backoff, answers with a hard size cap */
#ifndef COLLECTOR_NET_H
#define COLLECTOR_NET_H

#include <stddef.h>

#include "err.h"

#define NET_RETRY_ENV "DIEUTRA_SYNC_RETRY_MS" /* first wait between tries, in ms (tests: 10) */
#define NET_TRIES_ENV "DIEUTRA_SYNC_TRIES"    /* how many tries in all (1..20) */
#define NET_CA_ENV    "DIEUTRA_CA_FILE"       /* the CAs to trust instead of the system's */

/* How to talk to the server. net_conf_init fills the defaults; change fields after it. */
typedef struct net_conf {
    const char *base_url;   /* "http://127.0.0.1:8080": scheme, host, port, no path needed */
    const char *token;      /* the bearer token: sent, never printed */
    const char *pin;        /* "sha256//BASE64": the server's public key must be this one (a
                               self-signed certificate is then accepted, an expired one not);
                               NULL: the certificate is checked against the CAs */
    const char *ca_file;    /* PEM file of the CAs to trust instead of the system's, or NULL
                               ($DIEUTRA_CA_FILE by default: an office's own CA) */
    int tries;              /* attempts on a connection failure or a 5xx answer (5) */
    long retry_ms;          /* wait before the 2nd try, doubled for each next one (1000) */
    long connect_timeout_s; /* to set up the connection (15) */
    long low_speed_bytes;   /* an attempt slower than this many bytes/s ... (100) */
    long low_speed_time_s;  /* ... for this long is given up (30) */
    long timeout_s;         /* one attempt in all (300) */
    size_t max_answer;      /* bytes of an answer as received (16 MiB) */
    size_t max_inflated;    /* bytes of an answer once decompressed (PROTO_MAX_INFLATED) */
    int verbose;            /* 1: say on stderr when a try failed and when the next one is */
    /* When set, called instead of that message (why: what failed; wait_s: the pause before
     * try next of tries). */
    void (*on_retry)(void *ctx, const char *why, double wait_s, int next, int tries);
    void *ctx;
} net_conf;

/* Defaults for base_url and token, with NET_RETRY_ENV and NET_TRIES_ENV applied. */
void net_conf_init(net_conf *c, const char *base_url, const char *token);

/* One answer from the server. */
typedef struct net_answer {
    long status; /* the HTTP status */
    char *body;  /* owned, NUL-terminated, already decompressed ("" when none) */
    size_t len;  /* bytes in body */
    int tries;   /* attempts it took */
} net_answer;

void net_answer_free(net_answer *a);

/* A connection to one server (opaque): one libcurl handle, so that several requests reuse
 * the connection. Not shared between threads. */
typedef struct net net;

/* Sets up a client; c is copied (its strings must outlive the client). Returns 0,
 * DT_EINVAL (a URL that is not http:// or https://; a token to send over plain http:// to an
 * address other than the loopback; a pin not written sha256//BASE64) or DT_ENOMEM. */
int net_open(net **out, const net_conf *c, dt_err *err);
void net_close(net *n);

/* GET path (starting with "/", query included) or POST path with a JSON body (sent
 * gzip-compressed). Retries with backoff on a connection failure (cannot connect, timed
 * out, too slow, cut: a 2xx answer that is not one whole JSON document counts as cut) and
 * on a 5xx answer; never on 4xx. Returns 0 when the server
 * answered, whatever the status (a 5xx after the last try included: *out->status says);
 * DT_EIO when it could not be reached after every try (err says why); DT_EINVAL when the
 * answer was larger than the caps or not valid gzip; DT_ENOMEM. out is always safe to
 * net_answer_free. */
int net_get(net *n, net_answer *out, const char *path, dt_err *err);
int net_post_json(net *n, net_answer *out, const char *path, const char *json, size_t len,
                  dt_err *err);

/* 1 when url's host is the loopback (127.x.x.x, localhost, [::1]). */
int net_url_is_loopback(const char *url);
/* 1 when pin is one or more "sha256//" and 44 base64 characters, separated by ';'. */
int net_pin_valid(const char *pin);

/* The message of an error answer ({"error": {"code", "message"}}) into out, or the start
 * of the body when it is not one; "" when there is no body. Returns out. */
const char *net_error_message(const net_answer *a, char *out, size_t size);

#endif
