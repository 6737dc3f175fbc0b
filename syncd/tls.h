/* tls.h - syncd's own certificate for a provincial office without a public CA: a key and a
 * self-signed certificate made here (GnuTLS), and the public-key pin that laptops check
 * (`collector enroll --pin sha256//...`, libcurl's CURLOPT_PINNEDPUBLICKEY) */
#ifndef SYNCD_TLS_H
#define SYNCD_TLS_H

#include <stddef.h>

#include "err.h"

#define TLS_PIN_MAX 64 /* "sha256//" and the base64 of 32 bytes, with its NUL */

/* Makes a P-256 key (key_path, mode 0600) and a certificate for it, self-signed, valid from
 * now for days days, for hosts (names and IP addresses, comma-separated: the first is its
 * common name), in PEM; neither file may exist. Writes the pin to pin (TLS_PIN_MAX bytes).
 * DT_EINVAL for bad hosts or days, DT_EIO when a file cannot be written. */
int tls_make_selfsigned(const char *key_path, const char *cert_path, const char *hosts, int days,
                        char *pin, dt_err *err);

/* The pin of a PEM certificate's public key ("sha256//BASE64"), and its expiry (seconds since
 * 1970) when not NULL. DT_EINVAL when it is not a certificate. */
int tls_pin(const char *cert_pem, size_t len, char *pin, long long *expires, dt_err *err);

/* A time (seconds since 1970) as its day, "2029-03-11" (out: 11 bytes), UTC. */
void tls_day(long long t, char *out);

#endif
