/* store_secret.c - the store's own secrets, kept in its settings: the key of the pseudonyms
 * that replace names of people in exports, the key pair laptops seal to */
#include "store_int.h"

#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The secret kept in settings under name (hex), made from fresh (n bytes) the first time: when
 * another process got here first, its secret stays and both read that one. A new one would
 * undo what the old one made (pseudonyms, sealed bundles), so nothing replaces it. */
static int kept_secret(store *s, const char *name, const char *what, const unsigned char *fresh,
                       size_t n, unsigned char *out, dt_err *err)
{
    char hex[2 * STORE_SECRET_MAX + 1], doing[96];
    sqlite3_stmt *st = NULL;
    size_t got = 0;
    int rc;

    sodium_bin2hex(hex, 2 * n + 1, fresh, n);
    snprintf(doing, sizeof(doing), "keeping the store's %s", what);
    st_lock(s);
    rc = db_prepare(
        s->db, &st,
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING", err);
    if (rc)
        goto cleanup;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, hex);
    rc = st_run(s, st, err, doing);
    st = NULL;
    if (rc || (rc = db_prepare(s->db, &st, "SELECT value FROM settings WHERE key = ?1", err)))
        goto cleanup;
    db_bind_text(st, 1, name);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, doing);
        goto cleanup;
    }
    const char *kept = rc == SQLITE_ROW ? db_text(st, 0) : ""; /* none: removed meanwhile */
    if (strlen(kept) != 2 * n ||
        sodium_hex2bin(out, n, kept, strlen(kept), NULL, &got, NULL) != 0 || got != n)
        rc = err_set(err, DT_EIO,
                     "the store's %s (settings '%s') is damaged: it must be %zu hex digits; "
                     "restore the store from a backup (docs/exports.md)",
                     what, name, 2 * n);
    else
        rc = DT_OK;
cleanup:
    sqlite3_finalize(st);
    st_unlock(s);
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

int store_pseudonym_key(store *s, unsigned char out[STORE_PSEUDONYM_KEY_BYTES], dt_err *err)
{
    unsigned char fresh[STORE_PSEUDONYM_KEY_BYTES];
    int rc;

    randombytes_buf(fresh, sizeof(fresh));
    rc = kept_secret(s, "pseudonym_key", "pseudonym key", fresh, sizeof(fresh), out, err);
    sodium_memzero(fresh, sizeof(fresh));
    return rc;
}

int store_centre_key(store *s, unsigned char *pk, unsigned char *sk, dt_err *err)
{
    unsigned char fresh[2 * SEAL_KEY_BYTES], kept[2 * SEAL_KEY_BYTES];
    int rc, known;

    st_lock(s);
    known = s->centre_pk_known;
    if (known)
        memcpy(pk, s->centre_pk, SEAL_KEY_BYTES);
    st_unlock(s);
    if (known && !sk)
        return DT_OK;
    seal_keypair(fresh, fresh + SEAL_KEY_BYTES);
    rc = kept_secret(s, "centre_key", "centre key", fresh, sizeof(fresh), kept, err);
    if (rc == DT_OK) {
        memcpy(pk, kept, SEAL_KEY_BYTES);
        st_lock(s);
        memcpy(s->centre_pk, kept, SEAL_KEY_BYTES);
        s->centre_pk_known = 1;
        st_unlock(s);
        if (sk)
            memcpy(sk, kept + SEAL_KEY_BYTES, SEAL_KEY_BYTES);
    }
    sodium_memzero(fresh, sizeof(fresh));
    sodium_memzero(kept, sizeof(kept));
    return rc;
}
