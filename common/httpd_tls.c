/* httpd_tls.c - the certificate and key the server presents, swappable while it serves
 * (httpd_int.h): GnuTLS asks for them at every handshake through libmicrohttpd's certificate
 * callback, so that `syncd serve` renews them on SIGHUP without dropping a connection */
#include "httpd_int.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAIN 8 /* certificates of a chain presented */

/* One certificate chain with its key. Older ones are kept until the server stops: a
 * handshake that began with one may still be using it. */
typedef struct cred {
    gnutls_pcert_st chain[MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
    struct cred *older;
} cred;

/* GnuTLS's callback has no context argument: one TLS server per process. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cred *current;

static void cred_free(cred *c)
{
    while (c) {
        cred *older = c->older;
        for (unsigned i = 0; i < c->n; i++)
            gnutls_pcert_deinit(&c->chain[i]);
        gnutls_privkey_deinit(c->key);
        free(c);
        c = older;
    }
}

/* 1 when key is the private half of the certificate's public key. */
static int key_matches(gnutls_pcert_st *pc, gnutls_privkey_t key)
{
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
    int same = 0;

    if (gnutls_pubkey_init(&pub) == 0 && gnutls_pubkey_import_privkey(pub, key, 0, 0) == 0 &&
        gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) == 0 &&
        gnutls_pubkey_export2(pc->pubkey, GNUTLS_X509_FMT_DER, &b) == 0)
        same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
    gnutls_free(a.data);
    gnutls_free(b.data);
    gnutls_pubkey_deinit(pub);
    return same;
}

int httpd_tls_use(const char *cert_pem, const char *key_pem, dt_err *err)
{
    gnutls_datum_t cd = {(unsigned char *)cert_pem, (unsigned)strlen(cert_pem)};
    gnutls_datum_t kd = {(unsigned char *)key_pem, (unsigned)strlen(key_pem)};
    cred *c = calloc(1, sizeof(*c));
    int rc;

    if (!c)
        return err_set(err, DT_ENOMEM, "out of memory");
    c->n = MAX_CHAIN;
    if (gnutls_pcert_list_import_x509_raw(c->chain, &c->n, &cd, GNUTLS_X509_FMT_PEM, 0) < 0 ||
        c->n == 0) {
        c->n = 0;
        rc = err_set(err, DT_EINVAL, "the certificate is not PEM (or its chain is longer than %d)",
                     MAX_CHAIN);
        goto fail;
    }
    if (gnutls_privkey_init(&c->key) < 0 ||
        gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
        rc = err_set(err, DT_EINVAL, "the key is not a PEM private key (without a password)");
        goto fail;
    }
    if (!key_matches(&c->chain[0], c->key)) {
        rc = err_set(err, DT_EINVAL, "the key is not the certificate's");
        goto fail;
    }
    pthread_mutex_lock(&lock);
    c->older = current;
    current = c;
    pthread_mutex_unlock(&lock);
    return DT_OK;
fail:
    cred_free(c);
    return rc;
}

int httpd_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                       const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **chain,
                       unsigned int *n, gnutls_privkey_t *key)
{
    int rc = -1;

    (void)session;
    (void)req_ca_dn;
    (void)nreqs;
    (void)algos;
    (void)nalgos;
    pthread_mutex_lock(&lock);
    if (current) {
        *chain = current->chain;
        *n = current->n;
        *key = current->key;
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

void httpd_tls_forget(void)
{
    pthread_mutex_lock(&lock);
    cred_free(current);
    current = NULL;
    pthread_mutex_unlock(&lock);
}
