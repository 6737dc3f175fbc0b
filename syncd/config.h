/* config.h - syncd's settings: defaults, a small key=value file, and where the store lives */
#ifndef SYNCD_CONFIG_H
#define SYNCD_CONFIG_H

#include <stddef.h>

#include "err.h"
#include "quality.h"

#define CONFIG_DB_ENV   "DIEUTRA_SYNCD_DB" /* overrides the default store path */
#define CONFIG_PATH_MAX 4096

/* What `syncd serve` runs with. config_defaults gives the protocol's defaults
 * (docs/protocol.md); a file and the command line override them. */
typedef struct syncd_config {
    char listen[256];         /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    char db[CONFIG_PATH_MAX]; /* the store; "" means the default rule (config_db_path) */
    size_t max_body;          /* bytes of a request body as sent (413 past it) */
    size_t max_inflated;      /* bytes of a body once decompressed (413 past it) */
    int max_batch;            /* revisions in one push (413 past it) */
    int max_pull;             /* changes in one pull answer */
    unsigned timeout;         /* seconds a connection may stay idle */
    size_t memory_limit;      /* bytes libmicrohttpd may use per connection (headers, reads) */
    unsigned threads;         /* worker threads; 0: one per core */
    unsigned max_connections; /* open connections at once */
    qual_limits quality;      /* the quality flags' thresholds (quality_* keys) */
    int statisticians_decide; /* review_statisticians = yes: statisticians approve and send back */
    char tls_cert[CONFIG_PATH_MAX]; /* the certificate (PEM) for HTTPS, or "" */
    char tls_key[CONFIG_PATH_MAX];  /* its key (PEM), or "" */
    int allow_plain_http; /* allow_plain_http = yes: plain HTTP on an address other than loopback */
} syncd_config;

/* Fills c with the defaults: 127.0.0.1:8080, the protocol's limits, 60 s. */
void config_defaults(syncd_config *c);

/* Sets one setting from its text, as written in a config file. Sizes take a K, M or G
 * suffix ("8M"). Unknown key or bad value: DT_EINVAL with a message naming the key. */
int config_set(syncd_config *c, const char *key, const char *value, dt_err *err);

/* Reads a config file: one `key = value` a line, `#` starts a comment line, blank lines
 * are ignored. Every error names the file and line. Returns 0, DT_EIO (cannot read) or
 * DT_EINVAL (a bad line; c may be partly changed). */
int config_load(syncd_config *c, const char *path, dt_err *err);

/* The store path: given (--db) if not NULL or empty, else $DIEUTRA_SYNCD_DB, else
 * configured (the config file's `db`) if not empty, else /var/lib/dieutra/syncd.db when
 * that folder is writable, else $XDG_STATE_HOME/dieutra/syncd.db or
 * ~/.local/state/dieutra/syncd.db (the folder is created). Returns 0, DT_EINVAL (no
 * home, path too long) or DT_EIO (cannot create the folder). */
int config_db_path(char *out, size_t size, const char *given, const char *configured, dt_err *err);

#endif
