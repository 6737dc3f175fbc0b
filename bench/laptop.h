/* laptop.h - a laptop talking to syncd for the benchmarks: libcurl with collector/net.c's
 * options and headers, a kept connection, the collector's retries, and the bytes on the wire
 * counted both ways when asked */
#ifndef BENCH_LAPTOP_H
#define BENCH_LAPTOP_H

#include <curl/curl.h>
#include <stddef.h>

#include "buf.h"

/* Every header and body byte both ways, as curl sees them. */
typedef struct wire {
    long long out, in;
} wire;

typedef struct laptop {
    CURL *c;
    struct curl_slist *get_h;  /* Authorization, Accept, Accept-Encoding, Expect */
    struct curl_slist *post_h; /* the same and Content-Type, Content-Encoding */
    char base[64];             /* http://127.0.0.1:PORT */
    wire w;                    /* counted when count is set */
    int count;
    long retries;    /* 5xx answers and cut connections tried again, as the collector does */
    const char *pin; /* HTTPS: the server's key pin, as an enrolled collector checks it */
} laptop;

/* A laptop with token for the syncd on 127.0.0.1:port; count: add up the bytes in l->w.
 * 0, or -1 when out of memory (close it anyway). */
int laptop_open(laptop *l, int port, const char *token, int count);
void laptop_close(laptop *l);
/* The same over HTTPS to a server whose key is pin ("sha256//..."), as `collector enroll --pin`
 * makes a laptop check it. pin must outlive the laptop. */
int laptop_open_tls(laptop *l, int port, const char *token, int count, const char *pin);

/* One attempt of a request, no retries (what laptop_request tries). */
CURLcode laptop_attempt(laptop *l, const char *path, const char *body, size_t len, buf *answer,
                        long *status);

/* libcurl callbacks for other clients: a write function that drops what it gets, and a
 * debug function that adds the bytes both ways to the wire its data points to. */
size_t laptop_drop(char *p, size_t size, size_t nmemb, void *ctx);
int laptop_wire(CURL *c, curl_infotype type, char *data, size_t n, void *ctx);

/* A request with the collector's retries (5 tries, 1, 2, 4, 8 s apart) on a cut connection
 * or a 5xx: a POST of body (len bytes, gzip JSON) or, body NULL, a GET. The answer's body
 * goes to answer when not NULL. 0 with *status, or -1 when it never got through (why in
 * why). */
int laptop_request(laptop *l, const char *path, const char *body, size_t len, buf *answer,
                   long *status, char *why, size_t whylen);

#endif
