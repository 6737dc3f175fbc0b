/* tls.c - syncd's own certificate (tls.h) */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOSTS 16

static int gtls(dt_err *err, int rc, const char *doing)
{
    return rc < 0 ? err_set(err, DT_ERR, "%s: %s", doing, gnutls_strerror(rc)) : DT_OK;
}

/* Writes data to a new file (refused when it exists) with mode. */
static int write_new(const char *path, const gnutls_datum_t *data, mode_t mode, dt_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t off = 0;

    if (fd < 0)
        return err_set(err, DT_EIO, "%s: %s%s", path, strerror(errno),
                       errno == EEXIST ? " (remove it first: a key is never overwritten)" : "");
    while (off < data->size) {
        ssize_t n = write(fd, data->data + off, data->size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return err_set(err, DT_EIO, "%s: %s", path, strerror(e));
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return err_set(err, DT_EIO, "%s: %s", path, strerror(errno));
    }
    return DT_OK;
}

/* The pin of a certificate's public key. */
static int pin_of(gnutls_x509_crt_t crt, char *pin, dt_err *err)
{
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t spki = {NULL, 0};
    unsigned char h[crypto_hash_sha256_BYTES];
    int rc;

    if ((rc = gtls(err, gnutls_pubkey_init(&pub), "a public key")) ||
        (rc = gtls(err, gnutls_pubkey_import_x509(pub, crt, 0), "the certificate's key")) ||
        (rc = gtls(err, gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki), "its pin")))
        goto cleanup;
    crypto_hash_sha256(h, spki.data, spki.size);
    memcpy(pin, "sha256//", 8);
    sodium_bin2base64(pin + 8, TLS_PIN_MAX - 8, h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
cleanup:
    gnutls_free(spki.data);
    gnutls_pubkey_deinit(pub);
    return rc;
}

/* Names and addresses of hosts into the certificate (the first also its common name). */
static int add_hosts(gnutls_x509_crt_t crt, const char *hosts, dt_err *err)
{
    char name[256];
    int n = 0, rc;

    for (const char *p = hosts; *p;) {
        size_t len = strcspn(p, ",");
        unsigned char addr[16];
        if (len == 0 || len >= sizeof(name) || ++n > MAX_HOSTS)
            return err_set(err, DT_EINVAL,
                           "--host: expected up to %d names or addresses, comma-separated",
                           MAX_HOSTS);
        memcpy(name, p, len);
        name[len] = '\0';
        if (n == 1 && (rc = gtls(err,
                                 gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                               name, (unsigned)len),
                                 "the certificate's name")))
            return rc;
        if (inet_pton(AF_INET, name, addr) == 1)
            rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, addr, 4,
                                                      GNUTLS_FSAN_APPEND);
        else if (inet_pton(AF_INET6, name, addr) == 1)
            rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, addr, 16,
                                                      GNUTLS_FSAN_APPEND);
        else if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
                 len)
            rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name, (unsigned)len,
                                                      GNUTLS_FSAN_APPEND);
        else
            return err_set(err, DT_EINVAL, "--host: '%s' is neither a host name nor an address",
                           name);
        if ((rc = gtls(err, rc, "the certificate's names")))
            return rc;
        p += len + (p[len] == ',');
    }
    return n ? DT_OK : err_set(err, DT_EINVAL, "--host: say the server's name or address");
}

int tls_make_selfsigned(const char *key_path, const char *cert_path, const char *hosts, int days,
                        char *pin, dt_err *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kpem = {NULL, 0}, cpem = {NULL, 0};
    unsigned char serial[16];
    time_t now = time(NULL);
    int rc;

    if (days < 1 || days > 3650)
        return err_set(err, DT_EINVAL, "--days: expected 1 to 3650");
    if (sodium_init() < 0)
        return err_set(err, DT_ERR, "libsodium cannot start");
    randombytes_buf(serial, sizeof(serial));
    serial[0] &= 0x7f; /* a positive serial number */
    if ((rc = gtls(err, gnutls_x509_privkey_init(&key), "a key")) ||
        (rc = gtls(err,
                   gnutls_x509_privkey_generate(
                       key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                   "making the key")) ||
        (rc = gtls(err, gnutls_x509_crt_init(&crt), "a certificate")) ||
        (rc = gtls(err, gnutls_x509_crt_set_version(crt, 3), "the certificate")) ||
        (rc = gtls(err, gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "its serial")) ||
        (rc = gtls(err, gnutls_x509_crt_set_activation_time(crt, now - 300), "its start")) ||
        (rc = gtls(err, gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400),
                   "its end")) ||
        (rc = add_hosts(crt, hosts, err)) ||
        (rc = gtls(err, gnutls_x509_crt_set_key(crt, key), "its key")) ||
        (rc = gtls(err, gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "its constraints")) ||
        (rc = gtls(err, gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                   "its usage")) ||
        (rc = gtls(err, gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                   "its purpose")) ||
        (rc =
             gtls(err, gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "signing it")) ||
        (rc = gtls(err, gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem),
                   "the key's text")) ||
        (rc = gtls(err, gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem),
                   "the certificate's text")) ||
        (rc = pin_of(crt, pin, err)))
        goto cleanup;
    if ((rc = write_new(key_path, &kpem, 0600, err)))
        goto cleanup;
    if ((rc = write_new(cert_path, &cpem, 0644, err)))
        unlink(key_path); /* a key without its certificate would be refused next time */
cleanup:
    if (kpem.data)
        sodium_memzero(kpem.data, kpem.size);
    gnutls_free(kpem.data);
    gnutls_free(cpem.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return rc;
}

int tls_pin(const char *cert_pem, size_t len, char *pin, long long *expires, dt_err *err)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = {(unsigned char *)cert_pem, (unsigned)len};
    int rc;

    if ((rc = gtls(err, gnutls_x509_crt_init(&crt), "a certificate")))
        return rc;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
        gnutls_x509_crt_deinit(crt);
        return err_set(err, DT_EINVAL, "not a PEM certificate");
    }
    rc = pin_of(crt, pin, err);
    if (rc == DT_OK && expires)
        *expires = (long long)gnutls_x509_crt_get_expiration_time(crt);
    gnutls_x509_crt_deinit(crt);
    return rc;
}

void tls_day(long long t, char *out)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
