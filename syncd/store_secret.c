/* store_secret.c - the store's own secrets, kept in its settings: the key of the pseudonyms
 * that replace names of people in exports */
#include "store_int.h"

#include <sodium.h>
#include <string.h>

int store_pseudonym_key(store *s, unsigned char out[STORE_PSEUDONYM_KEY_BYTES], dt_err *err)
{
    unsigned char fresh[STORE_PSEUDONYM_KEY_BYTES];
    char hex[2 * STORE_PSEUDONYM_KEY_BYTES + 1];
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc;

    randombytes_buf(fresh, sizeof(fresh));
    sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
    st_lock(s);
    /* Made once for the store's life: when another process got here first, its key stays and
     * both read that one. A new key would make every pseudonym new, so nothing replaces it. */
    rc = db_prepare(s->db, &st,
                    "INSERT INTO settings (key, value) VALUES ('pseudonym_key', ?) "
                    "ON CONFLICT (key) DO NOTHING",
                    err);
    if (rc)
        goto cleanup;
    db_bind_text(st, 1, hex);
    rc = st_run(s, st, err, "keeping the exports' pseudonym key");
    st = NULL;
    if (rc || (rc = db_prepare(s->db, &st, "SELECT value FROM settings WHERE key = 'pseudonym_key'",
                               err)))
        goto cleanup;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "reading the exports' pseudonym key");
        goto cleanup;
    }
    const char *kept = rc == SQLITE_ROW ? db_text(st, 0) : ""; /* none: removed meanwhile */
    if (strlen(kept) != 2 * STORE_PSEUDONYM_KEY_BYTES ||
        sodium_hex2bin(out, STORE_PSEUDONYM_KEY_BYTES, kept, strlen(kept), NULL, &n, NULL) != 0 ||
        n != STORE_PSEUDONYM_KEY_BYTES)
        rc = err_set(err, DT_EIO,
                     "the store's pseudonym key (settings 'pseudonym_key') is damaged: it must "
                     "be %d hex digits; restore the store from a backup (docs/exports.md)",
                     2 * STORE_PSEUDONYM_KEY_BYTES);
    else
        rc = DT_OK;
cleanup:
    sqlite3_finalize(st);
    st_unlock(s);
    sodium_memzero(fresh, sizeof(fresh));
    sodium_memzero(hex, sizeof(hex));
    return rc;
}
