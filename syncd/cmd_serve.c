/* cmd_serve.c - `syncd serve`: the HTTP API of docs/protocol.md over the store, until a signal */
#include "cmd.h"
#include "config.h"
#include "http.h"
#include "json.h"
#include "store.h"
#include "tls.h"

#include <sodium.h>
#include <stdlib.h>
#include <time.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#define GRACE_MAX    30         /* seconds the requests in flight get to finish at a stop */
#define TLS_FILE_MAX (1u << 20) /* bytes of a certificate chain or key file */

/* Every route of the API; a new route is a file and a line here. */
static const http_route *const routes[] = {
    &route_push,          &route_pull,         &route_whoami,      &route_cases_list,
    &route_case_show,     &route_case_approve, &route_case_reject, &route_case_resolve,
    &route_case_distinct, &route_indicators,   &route_dashboard,   &route_signin_page,
    &route_signin,        &route_signout,      &route_export,      &route_cases_page,
    &route_case_page,     &route_case_decide,
};

#define NROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

static void free_secret(char *text)
{
    if (text)
        sodium_memzero(text, strlen(text));
    free(text);
}

/* Reads the config's certificate and key files (*cert and *key: the caller's to free, the key
 * with free_secret) and says which certificate it is: its pin and expiry. */
static int read_tls(const syncd_config *c, char **cert, char **key, dt_err *err)
{
    char pin[TLS_PIN_MAX], when[32];
    long long expires = 0;
    size_t len = 0;

    *cert = *key = NULL;
    if (file_read(cert, &len, c->tls_cert, TLS_FILE_MAX, err) ||
        tls_pin(*cert, len, pin, &expires, err) ||
        file_read(key, &len, c->tls_key, TLS_FILE_MAX, err)) {
        free(*cert);
        *cert = NULL;
        return err->code;
    }
    time_t t = (time_t)expires;
    tls_day(expires, when);
    fprintf(stderr, "syncd: TLS with %s, pin %s, expires %s%s\n", c->tls_cert, pin, when,
            t < time(NULL)                ? ": EXPIRED, laptops will refuse it"
            : t < time(NULL) + 30 * 86400 ? ": in less than 30 days, make a new one"
                                          : "");
    return DT_OK;
}

/* Reads the config's certificate and key for HTTPS into app (cert and key: the caller's to
 * free), or refuses plain HTTP on an address others can reach unless the config allows it.
 * 0, or the exit status. */
static int tls_setup(syncd_app *app, char **cert, char **key)
{
    const syncd_config *c = &app->cfg;
    dt_err err;

    *cert = *key = NULL;
    if (!c->tls_cert[0] && !c->tls_key[0]) {
        if (http_listen_is_loopback(c->listen))
            return 0;
        if (!c->allow_plain_http) {
            fprintf(stderr,
                    "syncd: refusing to listen on %s without TLS: tokens and answers would cross "
                    "the network in clear. Set tls_cert and tls_key (`syncd tls init` makes them), "
                    "or allow_plain_http = yes behind a TLS proxy on the same machine\n",
                    c->listen);
            return EXIT_USAGE;
        }
        fprintf(stderr,
                "syncd: WARNING: plain HTTP on %s (allow_plain_http = yes): only behind a "
                "TLS proxy on this machine\n",
                c->listen);
        return 0;
    }
    if (!c->tls_cert[0] || !c->tls_key[0]) {
        fprintf(stderr, "syncd: TLS needs both tls_cert and tls_key\n");
        return EXIT_USAGE;
    }
    if (read_tls(c, cert, key, &err)) {
        fprintf(stderr, "syncd: %s\n", err.msg);
        return EXIT_USAGE;
    }
    app->tls_cert = *cert;
    app->tls_key = *key;
    return 0;
}

/* SIGHUP: the config's certificate and key read again and presented from the next handshake
 * on; when they cannot be read or do not go together, the old ones stay. */
static void renew_tls(http_server *h, const syncd_config *c)
{
    char *cert = NULL, *key = NULL;
    dt_err err;

    if (!c->tls_cert[0]) {
        fprintf(stderr, "syncd: SIGHUP: no certificate to renew (plain HTTP)\n");
        return;
    }
    if (read_tls(c, &cert, &key, &err) || http_renew_tls(h, cert, key, &err))
        fprintf(stderr, "syncd: SIGHUP: the certificate was not renewed, the old one stays: %s\n",
                err.msg);
    else
        fprintf(stderr, "syncd: SIGHUP: certificate renewed for the next connections\n");
    free_secret(key);
    free(cert);
}

static int serve(int argc, char **argv)
{
    const char *db_arg = NULL, *listen_arg = NULL, *config_arg = NULL;
    char db[CONFIG_PATH_MAX], host[256];
    syncd_config cfg;
    sigset_t stop_signals;
    http_server *h = NULL;
    syncd_app app;
    store *s = NULL;
    dt_err err;
    int port = 0, sig = 0;
    size_t hl;
    long changed = 0;
    char *cert = NULL, *key = NULL;
    int rc;

    for (int i = 0; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--db")       ? &db_arg
                            : !strcmp(argv[i], "--listen") ? &listen_arg
                            : !strcmp(argv[i], "--config") ? &config_arg
                                                           : NULL;
        if (!slot || i + 1 >= argc)
            return cmd_usage(&cmd_serve);
        *slot = argv[++i];
    }
    config_defaults(&cfg);
    if (config_arg && config_load(&cfg, config_arg, &err)) {
        fprintf(stderr, "syncd: %s\n", err.msg);
        return err.code == DT_EINVAL ? EXIT_USAGE : EXIT_TROUBLE;
    }
    if (listen_arg && config_set(&cfg, "listen", listen_arg, &err)) {
        fprintf(stderr, "syncd: --%s\n", err.msg);
        return EXIT_USAGE;
    }
    if (config_db_path(db, sizeof(db), db_arg, cfg.db, &err)) {
        fprintf(stderr, "syncd: %s\n", err.msg);
        return EXIT_TROUBLE;
    }
    if (store_open(&s, db, &err)) {
        fprintf(stderr, "syncd: %s\n", err.msg);
        return EXIT_TROUBLE;
    }

    /* The server's threads inherit this mask: only the main thread takes the signals. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    store_set_quality(s, &cfg.quality);
    memset(&app, 0, sizeof(app));
    app.s = s;
    app.cfg = cfg;
    if ((rc = tls_setup(&app, &cert, &key))) {
        store_close(s);
        return rc;
    }
    rc = syncd_http_start(&h, &port, &app, routes, NROUTES, &err);
    free_secret(key);
    free(cert);
    if (rc) {
        fprintf(stderr, "syncd: %s\n", err.msg);
        store_close(s);
        return err.code == DT_EINVAL ? EXIT_USAGE : EXIT_TROUBLE;
    }
    hl = strcspn(cfg.listen, "");
    while (hl && cfg.listen[hl - 1] != ':')
        hl--;
    snprintf(host, sizeof(host), "%.*s", hl ? (int)hl - 1 : 0, cfg.listen);
    printf("syncd: listening on %s:%d, store %s%s\n", host, port, db,
           app.tls_cert ? ", HTTPS" : "");
    fflush(stdout);
    /* while requests are served: flags kept with other thresholds (or none, after the
     * migration to version 3) are computed again, a batch at a time */
    if (store_quality_refresh(s, 0, &changed, &err))
        fprintf(stderr, "syncd: the quality flags could not be recomputed: %s\n", err.msg);
    else if (changed)
        fprintf(stderr, "syncd: quality flags recomputed for %ld cases (new thresholds)\n",
                changed);

    for (;;) {
        if (sigwait(&stop_signals, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        renew_tls(h, &app.cfg);
    }
    fprintf(stderr, "syncd: %s: finishing the requests in flight, then stopping\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_stop(h, cfg.timeout < GRACE_MAX ? cfg.timeout : GRACE_MAX);
    store_close(s);
    fprintf(stderr, "syncd: stopped\n");
    return EXIT_OK;
}

const cmd_entry cmd_serve = {
    .name = "serve",
    .args = "[--db PATH] [--listen ADDRESS:PORT] [--config FILE]",
    .summary = "serves the sync API (default 127.0.0.1:8080) until SIGTERM; SIGHUP renews the "
               "certificate",
    .exec = serve,
};
