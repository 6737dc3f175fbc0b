/* bare_http.c - bare libmicrohttpd servers for the sync benchmark's baselines: a small JSON
 * answer (HTTP overhead) and an OpenRosa submission endpoint (wire bytes) */
#include "bare_http.h"
#include "buf.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUBMISSION_MAX (10 * 1024 * 1024) /* what ODK Central accepts by default */

static const char json_body[] = "{\"user\":\"bench01\",\"role\":\"enumerator\",\"communes\":[]}";
/* ODK Central's answer to a submission, shortened to its essentials. */
static const char openrosa_body[] =
    "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\" items=\"0\">"
    "<message nature=\"\">full submission upload was successful!</message>"
    "</OpenRosaResponse>";

struct bare_http {
    struct MHD_Daemon *mhd;
    bare_kind kind;
    struct MHD_Response *ok;      /* made once, queued for every request */
    struct MHD_Response *nothing; /* 204 for HEAD /submission */
    struct MHD_Response *refuse;  /* 400 or 404 */
    atomic_long answered;
    atomic_long refused;
};

typedef struct upload {
    int submission; /* POST /submission */
    buf body;       /* what arrived, capped */
} upload;

/* 1 for an OpenRosa submission path: ".../submission" (ODK Central puts the project and an
 * app user's key before it). */
static int is_submission(const char *url)
{
    size_t n = strlen(url);

    return n >= 11 && !strcmp(url + n - 11, "/submission");
}

static enum MHD_Result answer(bare_http *h, struct MHD_Connection *conn, unsigned status,
                              struct MHD_Response *resp)
{
    if (status < 300)
        atomic_fetch_add(&h->answered, 1);
    else
        atomic_fetch_add(&h->refused, 1);
    return MHD_queue_response(conn, status, resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    bare_http *h = cls;
    upload *u = *con_cls;

    (void)version;
    if (!u) {
        if (!(u = calloc(1, sizeof(*u))))
            return MHD_NO;
        u->submission =
            h->kind == BARE_OPENROSA && is_submission(url) && !strcmp(method, MHD_HTTP_METHOD_POST);
        buf_init(&u->body, SUBMISSION_MAX);
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size) {
        if (u->submission)
            buf_append(&u->body, data, *data_size); /* past the cap: refused below */
        *data_size = 0;
        return MHD_YES;
    }
    if (h->kind == BARE_JSON)
        return answer(h, conn, MHD_HTTP_OK, h->ok);
    if (is_submission(url) && !strcmp(method, MHD_HTTP_METHOD_HEAD))
        return answer(h, conn, MHD_HTTP_NO_CONTENT, h->nothing);
    if (!u->submission)
        return answer(h, conn, MHD_HTTP_NOT_FOUND, h->refuse);
    /* Checked as a server must before it stores anything: the XML part is there, and the
     * instance is whole. */
    const char *ct =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || strncmp(ct, "multipart/form-data", 19) != 0 || !u->body.data ||
        !strstr(u->body.data, "name=\"xml_submission_file\"") || !strstr(u->body.data, "</meta>"))
        return answer(h, conn, MHD_HTTP_BAD_REQUEST, h->refuse);
    return answer(h, conn, MHD_HTTP_CREATED, h->ok);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    upload *u = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (u) {
        buf_free(&u->body);
        free(u);
        *con_cls = NULL;
    }
}

static struct MHD_Response *fixed(const char *body, const char *type, int openrosa)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);

    if (!r)
        return NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (openrosa)
        MHD_add_response_header(r, "X-OpenRosa-Version", "1.0");
    return r;
}

void bare_http_stop(bare_http *h)
{
    if (!h)
        return;
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    if (h->ok)
        MHD_destroy_response(h->ok);
    if (h->nothing)
        MHD_destroy_response(h->nothing);
    if (h->refuse)
        MHD_destroy_response(h->refuse);
    free(h);
}

int bare_http_start(bare_http **out, int *port, bare_kind kind)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    bare_http *h = calloc(1, sizeof(*h));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cores > 0 ? (unsigned)(cores > 64 ? 64 : cores) : 1;

    *out = NULL;
    if (!h)
        return -1;
    h->kind = kind;
    atomic_init(&h->answered, 0);
    atomic_init(&h->refused, 0);
    if (kind == BARE_JSON)
        h->ok = fixed(json_body, "application/json; charset=utf-8", 0);
    else
        h->ok = fixed(openrosa_body, "text/xml; charset=utf-8", 1);
    h->nothing = fixed("", "text/plain", 1);
    h->refuse = fixed("refused\n", "text/plain", 0);
    if (!h->ok || !h->nothing || !h->refuse) {
        bare_http_stop(h);
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    /* syncd's flags and limits (syncd/http.c, syncd/config.c defaults). */
    h->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    if (!h->mhd) {
        fprintf(stderr, "bench_sync: cannot start a bare libmicrohttpd server on 127.0.0.1\n");
        bare_http_stop(h);
        return -1;
    }
    info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    if (!*port) {
        fprintf(stderr, "bench_sync: the bare server has no port\n");
        bare_http_stop(h);
        return -1;
    }
    *out = h;
    return 0;
}

long bare_http_count(bare_http *h, long *refused)
{
    *refused = atomic_load(&h->refused);
    return atomic_load(&h->answered);
}
