/* config.c - syncd's settings: defaults, a small key=value file, and where the store lives */
#include "config.h"
#include "cmdline.h"
#include "proto.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_DB_DIR "/var/lib/dieutra"
#define LINE_MAX_LEN  4096

void config_defaults(syncd_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    c->max_body = PROTO_MAX_BODY;
    c->max_inflated = PROTO_MAX_INFLATED;
    c->max_batch = PROTO_MAX_BATCH;
    c->max_pull = PROTO_MAX_PULL;
    c->timeout = 60;
    c->memory_limit = 64 * 1024;
    c->threads = 0;
    c->max_connections = 1024;
    qual_defaults(&c->quality);
}

/* "+7", "-3", "+5:30": the field's offset from UTC, in minutes. */
static int parse_offset(int *out, const char *text, dt_err *err)
{
    int h = 0, m = 0, sign = text[0] == '-' ? -1 : 1;
    char tail;

    if ((text[0] == '+' || text[0] == '-') &&
        (sscanf(text + 1, "%2d:%2d%c", &h, &m, &tail) == 2 ||
         (sscanf(text + 1, "%2d%c", &h, &tail) == 1 && !strchr(text, ':'))) &&
        h <= 14 && m >= 0 && m < 60) {
        *out = sign * (h * 60 + m);
        return DT_OK;
    }
    return err_set(err, DT_EINVAL,
                   "quality_utc_offset: '%s' is not an offset from UTC like +7 or +5:30", text);
}

/* A whole number in [min, max], with an optional K, M or G suffix (powers of 1024)
 * when sizes is set. */
static int parse_number(unsigned long long *out, const char *key, const char *text,
                        unsigned long long min, unsigned long long max, int sizes, dt_err *err)
{
    unsigned long long v, mult = 1;
    char *end;

    if (!isdigit((unsigned char)text[0]))
        goto bad;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno)
        goto bad;
    if (sizes && *end) {
        switch (*end) {
        case 'K':
        case 'k':
            mult = 1024ULL;
            break;
        case 'M':
        case 'm':
            mult = 1024ULL * 1024;
            break;
        case 'G':
        case 'g':
            mult = 1024ULL * 1024 * 1024;
            break;
        default:
            goto bad;
        }
        end++;
    }
    if (*end || v > max / mult || v * mult < min || v * mult > max)
        goto bad;
    *out = v * mult;
    return DT_OK;
bad:
    return err_set(err, DT_EINVAL, "%s: '%s' is not a %s between %llu and %llu", key, text,
                   sizes ? "size (bytes, or with K, M, G)" : "whole number", min, max);
}

int config_set(syncd_config *c, const char *key, const char *value, dt_err *err)
{
    unsigned long long v;

    if (!strcmp(key, "listen")) {
        if (!*value || strlen(value) >= sizeof(c->listen))
            return err_set(err, DT_EINVAL, "listen: expected ADDRESS:PORT, like 127.0.0.1:8080");
        snprintf(c->listen, sizeof(c->listen), "%s", value);
        return DT_OK;
    }
    if (!strcmp(key, "db")) {
        if (strlen(value) >= sizeof(c->db))
            return err_set(err, DT_EINVAL, "db: the path is too long");
        snprintf(c->db, sizeof(c->db), "%s", value);
        return DT_OK;
    }
#define NUMBER(name, field, type, min, max, sizes)                                                 \
    if (!strcmp(key, name)) {                                                                      \
        if (parse_number(&v, key, value, min, max, sizes, err))                                    \
            return DT_EINVAL;                                                                      \
        c->field = (type)v;                                                                        \
        return DT_OK;                                                                              \
    }
    NUMBER("max_body", max_body, size_t, 1024, 1024ULL * 1024 * 1024, 1)
    NUMBER("max_inflated", max_inflated, size_t, 1024, 4ULL * 1024 * 1024 * 1024, 1)
    NUMBER("max_batch", max_batch, int, 1, 100000, 0)
    NUMBER("max_pull", max_pull, int, 1, 100000, 0)
    NUMBER("timeout", timeout, unsigned, 1, 86400, 0)
    NUMBER("memory_limit", memory_limit, size_t, 16 * 1024, 64ULL * 1024 * 1024, 1)
    NUMBER("threads", threads, unsigned, 0, 1024, 0)
    NUMBER("max_connections", max_connections, unsigned, 1, 100000, 0)
    NUMBER("quality_base_seconds", quality.base_seconds, double, 0, 86400, 0)
    NUMBER("quality_member_seconds", quality.member_seconds, double, 0, 86400, 0)
    NUMBER("quality_night_start", quality.night_start, int, 0, 23, 0)
    NUMBER("quality_night_end", quality.night_end, int, 0, 23, 0)
    NUMBER("quality_fast_min_screens", quality.fast_min_screens, int, 1, 100000, 0)
    if (!strcmp(key, "quality_fast_ms")) { /* a quick answer: shown under this */
        if (parse_number(&v, key, value, 1, 60000, 0, err))
            return DT_EINVAL;
        c->quality.fast_seconds = (double)v / 1000;
        return DT_OK;
    }
    if (!strcmp(key, "quality_fast_percent")) { /* a flag past this share of quick answers */
        if (parse_number(&v, key, value, 1, 100, 0, err))
            return DT_EINVAL;
        c->quality.fast_share = (double)v / 100;
        return DT_OK;
    }
    if (!strcmp(key, "quality_utc_offset"))
        return parse_offset(&c->quality.utc_offset_minutes, value, err);
    if (!strcmp(key, "tls_cert") || !strcmp(key, "tls_key")) {
        char *to = !strcmp(key, "tls_cert") ? c->tls_cert : c->tls_key;
        if (strlen(value) >= CONFIG_PATH_MAX)
            return err_set(err, DT_EINVAL, "%s: the path is too long", key);
        snprintf(to, CONFIG_PATH_MAX, "%s", value);
        return DT_OK;
    }
    if (!strcmp(key, "allow_plain_http")) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return err_set(err, DT_EINVAL, "allow_plain_http: expected yes or no, not '%s'", value);
        c->allow_plain_http = !strcmp(value, "yes");
        return DT_OK;
    }
    if (!strcmp(key, "review_statisticians")) { /* may statisticians decide on cases? */
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return err_set(err, DT_EINVAL, "review_statisticians: expected yes or no, not '%s'",
                           value);
        c->statisticians_decide = !strcmp(value, "yes");
        return DT_OK;
    }
#undef NUMBER
    return err_set(err, DT_EINVAL,
                   "unknown setting '%s' (known: listen, db, max_body, max_inflated, max_batch, "
                   "max_pull, timeout, memory_limit, threads, max_connections, "
                   "quality_base_seconds, quality_member_seconds, quality_night_start, "
                   "quality_night_end, quality_utc_offset, quality_fast_ms, quality_fast_percent, "
                   "quality_fast_min_screens, review_statisticians, tls_cert, tls_key, "
                   "allow_plain_http)",
                   key);
}

/* Strips leading and trailing blanks in place. */
static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    *e = '\0';
    return s;
}

int config_load(syncd_config *c, const char *path, dt_err *err)
{
    FILE *f = fopen(path, "r");
    char line[LINE_MAX_LEN];
    int lineno = 0, rc = DT_OK;

    if (!f)
        return err_set(err, DT_EIO, "%s: cannot read: %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        char *s, *eq, *key, *value;
        dt_err e;

        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = err_set(err, DT_EINVAL, "%s: line %d: too long", path, lineno);
            goto cleanup;
        }
        s = trim(line);
        if (!*s || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (!eq) {
            rc = err_set(err, DT_EINVAL, "%s: line %d: expected 'key = value'", path, lineno);
            goto cleanup;
        }
        *eq = '\0';
        key = trim(s);
        value = trim(eq + 1);
        if (config_set(c, key, value, &e)) {
            rc = err_set(err, DT_EINVAL, "%s: line %d: %s", path, lineno, e.msg);
            goto cleanup;
        }
    }
    if (ferror(f))
        rc = err_set(err, DT_EIO, "%s: cannot read: %s", path, strerror(errno));
cleanup:
    fclose(f);
    return rc;
}

static int copy_path(char *out, size_t size, const char *path, dt_err *err)
{
    if ((size_t)snprintf(out, size, "%s", path) >= size)
        return err_set(err, DT_EINVAL, "the store path is too long: %.100s...", path);
    return DT_OK;
}

int config_db_path(char *out, size_t size, const char *given, const char *configured, dt_err *err)
{
    const char *env = getenv(CONFIG_DB_ENV), *state = getenv("XDG_STATE_HOME"),
               *home = getenv("HOME");
    char dir[CONFIG_PATH_MAX];

    if (given && *given)
        return copy_path(out, size, given, err);
    if (env && *env)
        return copy_path(out, size, env, err);
    if (configured && *configured)
        return copy_path(out, size, configured, err);
    if (access(SYSTEM_DB_DIR, W_OK) == 0)
        return copy_path(out, size, SYSTEM_DB_DIR "/syncd.db", err);
    if (state && *state == '/')
        snprintf(dir, sizeof(dir), "%s/dieutra", state);
    else if (home && *home == '/')
        snprintf(dir, sizeof(dir), "%s/.local/state/dieutra", home);
    else
        return err_set(err, DT_EINVAL, "no store given: use --db PATH or set %s", CONFIG_DB_ENV);
    if (cmdline_mkdirs(dir, err))
        return DT_EIO;
    if ((size_t)snprintf(out, size, "%s/syncd.db", dir) >= size)
        return err_set(err, DT_EINVAL, "the store path is too long");
    return DT_OK;
}
