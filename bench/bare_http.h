/* bare_http.h - bare libmicrohttpd servers the sync benchmark compares syncd with: a small JSON
 * answer, and an OpenRosa submission endpoint */
#ifndef BENCH_BARE_HTTP_H
#define BENCH_BARE_HTTP_H

typedef struct bare_http bare_http; /* opaque */

typedef enum bare_kind {
    BARE_JSON,    /* any GET: 200 with a small JSON body, what an empty endpoint costs */
    BARE_OPENROSA /* POST .../submission (multipart/form-data with xml_submission_file):
                     an OpenRosa 201 with its small XML body; HEAD .../submission: 204 */
} bare_kind;

/* Starts a server on 127.0.0.1 (an ephemeral port, written to *port) with syncd's thread
 * model: an internal polling thread pool of one thread per core, epoll, the same
 * connection timeout, memory and connection limits. Returns 0, or -1 with a message on
 * stderr. *out is owned by the caller (bare_http_stop). */
int bare_http_start(bare_http **out, int *port, bare_kind kind);

/* Requests answered with a success status so far, and those refused (*refused: a
 * submission without an XML part, an unknown path). */
long bare_http_count(bare_http *h, long *refused);

/* Stops the server and frees it. Accepts NULL. */
void bare_http_stop(bare_http *h);

#endif
