/* cmd_tls.c - `syncd tls init|pin`: a key and a self-signed certificate for a provincial office
 * without a public CA, and the pin the laptops check (docs/security.md) */
#include "cmd.h"
#include "json.h"
#include "sconf.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CERT_MAX (64 * 1024) /* bytes of a certificate file read */

static int init(int argc, char **argv)
{
    int bad = 0;
    const char *hosts = sconf_take_opt(&argc, argv, "--host", &bad);
    const char *days_arg = sconf_take_opt(&argc, argv, "--days", &bad);
    const char *out = sconf_take_opt(&argc, argv, "--out", &bad);
    char key[4200], cert[4200], pin[TLS_PIN_MAX];
    char *end = NULL;
    long days = days_arg ? strtol(days_arg, &end, 10) : 825;
    dt_err err;
    int rc;

    if (bad || argc != 0 || !hosts || (days_arg && *end))
        return cmd_usage(&cmd_tls_init);
    snprintf(key, sizeof(key), "%s/syncd.key", out ? out : ".");
    snprintf(cert, sizeof(cert), "%s/syncd.crt", out ? out : ".");
    if ((rc = tls_make_selfsigned(key, cert, hosts, (int)(days > 100000 ? 0 : days), pin, &err))) {
        fprintf(stderr, "syncd: %s\n", err.msg);
        return rc == DT_EINVAL ? EXIT_USAGE : EXIT_TROUBLE;
    }
    printf("key:         %s (only on this server: whoever has it can be this server)\n", key);
    printf("certificate: %s, for %s, %ld days\n", cert, hosts, days);
    printf("pin:         %s\n\n", pin);
    printf("In serve's config file:\n  tls_cert = %s\n  tls_key = %s\n", cert, key);
    printf("On each laptop:\n  collector enroll https://%.*s:8443/ TOKEN --pin %s\n",
           (int)strcspn(hosts, ","), hosts, pin);
    return EXIT_OK;
}

static int pin_cmd(int argc, char **argv)
{
    char *text = NULL, pin[TLS_PIN_MAX], when[32];
    size_t len = 0;
    long long expires = 0;
    dt_err err;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_tls_pin);
    if ((rc = file_read(&text, &len, argv[0], CERT_MAX, &err)) == DT_OK)
        rc = tls_pin(text, len, pin, &expires, &err);
    free(text);
    if (rc) {
        fprintf(stderr, "syncd: %s: %s\n", argv[0], err.msg);
        return rc == DT_EINVAL ? EXIT_FAILED : EXIT_TROUBLE;
    }
    time_t t = (time_t)expires;
    tls_day(expires, when);
    printf("%s\n", pin);
    fprintf(stderr, "syncd: %s expires on %s%s\n", argv[0], when,
            t < time(NULL) ? " (it has expired: make a new one)" : "");
    return EXIT_OK;
}

const cmd_entry cmd_tls_init = {
    .name = "tls init",
    .args = "--host NAME[,ADDRESS...] [--days N] [--out DIR]",
    .summary =
        "a key and a self-signed certificate for serve (default 825 days, here), and its pin",
    .exec = init,
};

const cmd_entry cmd_tls_pin = {
    .name = "tls pin",
    .args = "CERT.pem",
    .summary = "the pin laptops check for a certificate (sha256//...), and when it expires",
    .exec = pin_cmd,
};
