/* laptop.c - a laptop talking to syncd as collector/net.c does (laptop.h) */
#include "laptop.h"
#include "err.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void pause_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- bytes on the wire: every header and body byte both ways, as curl sees them */

int laptop_wire(CURL *c, curl_infotype type, char *data, size_t n, void *ctx)
{
    wire *w = ctx;

    (void)c;
    (void)data;
    if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT)
        w->out += (long long)n;
    else if (type == CURLINFO_HEADER_IN || type == CURLINFO_DATA_IN)
        w->in += (long long)n;
    return 0;
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
    buf *b = ctx;
    size_t n = size * nmemb;

    return b && buf_append(b, p, n) != DT_OK ? 0 : n;
}

size_t laptop_drop(char *p, size_t size, size_t nmemb, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * nmemb;
}

/* ---- a laptop talking to syncd, with collector/net.c's options and headers */

void laptop_close(laptop *l)
{
    curl_easy_cleanup(l->c);
    curl_slist_free_all(l->get_h);
    curl_slist_free_all(l->post_h);
    memset(l, 0, sizeof(*l));
}

int laptop_open(laptop *l, int port, const char *token, int count)
{
    static const char *const common[] = {"Accept: application/json", "Accept-Encoding: gzip",
                                         "Expect:", NULL};
    static const char *const post[] = {"Content-Type: application/json", "Content-Encoding: gzip",
                                       NULL};
    char auth[160];

    memset(l, 0, sizeof(*l));
    snprintf(l->base, sizeof(l->base), "http://127.0.0.1:%d", port);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    l->count = count;
    if (!(l->c = curl_easy_init()))
        return -1;
    for (int k = 0; k < 2; k++) {
        struct curl_slist **h = k ? &l->post_h : &l->get_h, *t;
        if (!(*h = curl_slist_append(NULL, auth)))
            return -1;
        for (int i = 0; common[i]; i++) {
            if (!(t = curl_slist_append(*h, common[i])))
                return -1;
            *h = t;
        }
        for (int i = 0; k && post[i]; i++) {
            if (!(t = curl_slist_append(*h, post[i])))
                return -1;
            *h = t;
        }
    }
    return 0;
}

int laptop_open_tls(laptop *l, int port, const char *token, int count, const char *pin)
{
    int rc = laptop_open(l, port, token, count);

    snprintf(l->base, sizeof(l->base), "https://127.0.0.1:%d", port);
    l->pin = pin;
    return rc;
}

/* One attempt, as collector/net.c's attempt(). */
CURLcode laptop_attempt(laptop *l, const char *path, const char *body, size_t len, buf *answer,
                        long *status)
{
    CURL *c = l->c;
    char url[256];
    CURLcode cc;

    *status = 0;
    snprintf(url, sizeof(url), "%s%s", l->base, path);
    curl_easy_reset(c); /* keeps the live connection */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, body ? l->post_h : l->get_h);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dieutra-collector/" DT_VERSION);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, answer ? on_data : laptop_drop);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
    if (l->count) {
        curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, laptop_wire);
        curl_easy_setopt(c, CURLOPT_DEBUGDATA, &l->w);
        curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    }
    if (l->pin) { /* collector/net.c's options for a pinned server */
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, l->pin);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return cc;
}

/* A request with the collector's retries (5 tries, 1, 2, 4, 8 s apart) on a cut connection
 * or a 5xx. The answer's body (gzip as sent) goes to answer when not NULL. 0 with *status,
 * or -1 when it never got through (why in why). */
int laptop_request(laptop *l, const char *path, const char *body, size_t len, buf *answer,
                   long *status, char *why, size_t whylen)
{
    double wait = 1;

    for (int i = 1;; i++) {
        if (answer)
            buf_reset(answer);
        CURLcode cc = laptop_attempt(l, path, body, len, answer, status);
        if (cc == CURLE_OK && *status < 500)
            return 0;
        if (i >= 5) {
            if (cc == CURLE_OK)
                snprintf(why, whylen, "%s answered %ld after %d tries", path, *status, i);
            else
                snprintf(why, whylen, "%s: %s after %d tries", path, curl_easy_strerror(cc), i);
            return -1;
        }
        l->retries++;
        pause_s(wait);
        wait *= 2;
    }
}
