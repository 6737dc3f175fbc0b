/* httpd_int.h - the inside of the programs' HTTP server, shared by httpd.c and httpd_jobs.c */
#ifndef DT_HTTPD_INT_H
#define DT_HTTPD_INT_H

#include "httpd.h"
#include "buf.h"
#include "uuid.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#define PATH_LOG_MAX 200 /* bytes of a path kept for the log and messages */
#define FORM_FIELDS  64  /* fields of an HTML form body kept (the boxes of a list) */

typedef struct httpd_jobs httpd_jobs;

struct http_server {
    struct MHD_Daemon *mhd;
    http_opts o;                   /* a copy: the limits, the callbacks */
    char program[32], listen[256]; /* o's strings, copied */
    char *error_links;             /* o's, copied, or NULL */
    char *tls_cert, *tls_key;      /* o's, copied (the key wiped when freed), or NULL */
    atomic_int inflight;           /* requests between their first call and completion */
    atomic_int stopping;           /* set by http_stop: answers close their connection */
    httpd_jobs *jobs;              /* the background routes' workers (httpd_jobs.c) */
};

enum body_state {
    BODY_OK,        /* accumulating (or none) */
    BODY_TOO_LARGE, /* passed max_body: the rest is read and dropped */
    BODY_NOMEM      /* out of memory while accumulating */
};

struct http_req {
    http_server *srv;
    struct MHD_Connection *conn;
    const http_route *route;
    char params[HTTP_MAX_PARAMS][UUID_LEN + 1]; /* the {uuid} segments */
    const char *who; /* the caller's name once authed (in caller), or NULL */
    int role;        /* and their role */
    buf body;        /* the body as received, capped at max_body */
    size_t bytes_in; /* body bytes received (also those dropped) */
    enum body_state body_state;
    int gzip_in;    /* Content-Encoding: gzip */
    char *inflated; /* the decompressed body, or NULL */
    size_t inflated_len;
    cJSON *json; /* http_body_json's document */
    struct {
        char *key, *value; /* url-decoded, in place in form_text */
    } form[FORM_FIELDS];
    int nform;         /* -1 until the form body is parsed */
    char *form_text;   /* a copy of the form body, cut into the fields */
    int queued;        /* a response was queued */
    int status;        /* its status */
    size_t bytes_out;  /* its body's size as sent */
    const char *allow; /* 405: the Allow header */
    char method[16];
    char path[PATH_LOG_MAX + 1];  /* sanitized, for the log */
    char note[HTTP_NOTE_MAX + 1]; /* http_log_note's, sanitized, or "" */
    char remote[INET6_ADDRSTRLEN + 1];
    struct timespec t0;
    /* a background route (httpd_jobs.c): its handler runs on a worker while the connection is
     * suspended; the answer it makes is held until the connection is resumed */
    int deferred;              /* the handler runs on a worker: answers are held */
    int resumed;               /* the worker is done: the held answer goes out */
    struct MHD_Response *held; /* that answer, owned until queued */
    unsigned held_status;
    struct http_req *next_job; /* the workers' queue */
    max_align_t caller[];      /* http_opts.caller_size bytes for the program's record */
};

/* Queues resp (taken over) as r's answer with status, or, while r's handler runs on a worker,
 * holds it until the connection is resumed. MHD_YES when it will be sent. */
enum MHD_Result httpd_send(http_req *r, unsigned status, struct MHD_Response *resp);

/* Runs r's route's handler (and answers 500 when it did not answer). */
void httpd_run_handler(http_req *r);

/* The background routes' workers (httpd_jobs.c): threads at a lower priority than the
 * server's, so that a page is answered while pushes are validated. */
int httpd_jobs_start(httpd_jobs **out, unsigned threads);
/* Runs r's handler on a worker: the connection is suspended until it is done. -1 when the
 * queue is stopping (r is then left alone). */
int httpd_jobs_run(httpd_jobs *j, http_req *r);
/* Lets the queued and running handlers finish, then stops the workers. Accepts NULL. */
void httpd_jobs_stop(httpd_jobs *j);

/* The certificate chain and key presented (httpd_tls.c), one TLS server per process:
 * httpd_tls_use checks and installs them (the key must be the certificate's), the next
 * handshakes get them through httpd_tls_retrieve (libmicrohttpd's certificate callback);
 * httpd_tls_forget frees them all once the server has stopped. */
#include <gnutls/abstract.h>
int httpd_tls_use(const char *cert_pem, const char *key_pem, dt_err *err);
int httpd_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                       const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **chain,
                       unsigned int *n, gnutls_privkey_t *key);
void httpd_tls_forget(void);

#endif
