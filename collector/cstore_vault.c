/* cstore_vault.c - the local database's PIN, data key, centre key and recovery (cstore.h; the
 * design in docs/security.md) */
#include "cstore_int.h"
#include "db.h"
#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECOVERY_PREFIX "dtr1:" /* a data key given back by the centre */

/* Every column that may name a household or hold its answers: sealed. What stays in clear
 * (status, outcome, times, ids, the sample design, where an interview stopped) names no one. */
static const struct {
    const char *table, *column;
} sealed_columns[] = {
    {"assignments", "label"},      {"assignments", "prefill"}, {"cases", "answers"},
    {"cases", "paradata"},         {"cases", "label"},         {"cases", "comment"},
    {"revisions", "answers"},      {"revisions", "paradata"},  {"sync_rejections", "problems"},
    {"sync_decisions", "comment"},
};

int cstore_vault_load(cstore *cs, dt_err *err)
{
    char *kdf = NULL;
    int rc;

    free(cs->vault_id);
    cs->vault_id = NULL;
    if ((rc = cstore_get_meta(cs, "vault_kdf", &kdf, err)) ||
        (rc = cstore_get_meta(cs, "vault_id", &cs->vault_id, err)))
        goto cleanup;
    cs->vault.sealed = kdf != NULL;
    if (kdf && !cs->vault_id)
        rc = err_set(err, DT_EINVAL, "%s: the store's PIN settings (meta vault_id) are missing",
                     cs->path);
cleanup:
    free(kdf);
    return rc;
}

static int recovery_if_missing(cstore *cs, dt_err *err);

cstore_lockstate cstore_lock_state(const cstore *cs)
{
    if (!cs->vault.sealed)
        return CSTORE_PLAIN;
    return cs->vault.key ? CSTORE_OPEN : CSTORE_LOCKED;
}

/* Takes key (vault_key_alloc'd) as the store's data key. */
static void take_key(cstore *cs, unsigned char *key)
{
    vault_key_free(cs->vault.key);
    cs->vault.key = key;
}

int cstore_unlock_session(cstore *cs)
{
    unsigned char *key;
    dt_err err;

    if (cstore_lock_state(cs) != CSTORE_LOCKED)
        return cstore_lock_state(cs) == CSTORE_OPEN;
    if (!(key = vault_key_alloc()))
        return 0;
    if (!vault_session_load(cs->vault_id, key)) {
        vault_key_free(key);
        return 0;
    }
    take_key(cs, key);
    recovery_if_missing(cs, &err); /* kept next time if it cannot be now: not a reason to stop */
    return 1;
}

int cstore_unlock(cstore *cs, const char *pin, dt_err *err)
{
    unsigned char *kek = vault_key_alloc(), *key = vault_key_alloc();
    char *kdf_text = NULL, *wrapped = NULL;
    vault_kdf kdf;
    int rc;

    if (!kek || !key) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (!cs->vault.sealed) {
        rc =
            err_set(err, DT_EINVAL, "this laptop has no PIN yet: set one with `collector pin set`");
        goto cleanup;
    }
    if ((rc = cstore_get_meta(cs, "vault_kdf", &kdf_text, err)) ||
        (rc = cstore_get_meta(cs, "vault_wrapped", &wrapped, err)) ||
        (rc = vault_kdf_parse(kdf_text, &kdf, err)) || (rc = vault_derive(&kdf, pin, kek, err)))
        goto cleanup;
    if (vault_unwrap(kek, wrapped, key) != DT_OK) {
        rc = err_set(err, DT_EINVAL, "wrong PIN");
        goto cleanup;
    }
    vault_session_save(cs->vault_id, key);
    take_key(cs, key);
    key = NULL;
    rc = recovery_if_missing(cs, err);
cleanup:
    vault_key_free(kek);
    vault_key_free(key);
    free(kdf_text);
    free(wrapped);
    return rc;
}

void cstore_lock(cstore *cs)
{
    if (cs->vault_id)
        vault_session_forget(cs->vault_id);
    take_key(cs, NULL);
}

/* The data key sealed to the centre into meta vault_recovery, when the centre's key is known. */
static int keep_recovery(cstore *cs, dt_err *err)
{
    unsigned char pk[SEAL_KEY_BYTES];
    char *sealed = NULL, *b64 = NULL;
    size_t len = 0, b64_len;
    int rc = cstore_centre_key(cs, pk, err);

    if (rc == DT_ENOTFOUND)
        return DT_OK; /* kept when the key arrives (enrolment, a pull, setup --centre-key) */
    if (rc || !cs->vault.key)
        return rc;
    if ((rc = seal_to(pk, cs->vault.key, VAULT_KEY_BYTES, &sealed, &len, err)))
        return rc;
    b64_len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    if (!(b64 = malloc(b64_len)))
        rc = err_set(err, DT_ENOMEM, "out of memory");
    else {
        sodium_bin2base64(b64, b64_len, (unsigned char *)sealed, len,
                          sodium_base64_VARIANT_ORIGINAL);
        rc = cstore_set_meta(cs, "vault_recovery", b64, err);
    }
    free(sealed);
    free(b64);
    return rc;
}

/* The recovery for a centre key that came while the store was locked. */
static int recovery_if_missing(cstore *cs, dt_err *err)
{
    char *kept = NULL;
    int rc = cstore_get_meta(cs, "vault_recovery", &kept, err);

    if (rc == DT_OK && !kept)
        rc = keep_recovery(cs, err);
    free(kept);
    return rc;
}

/* Meta vault_kdf and vault_wrapped for pin and the data key in cs. */
static int wrap_for(cstore *cs, const char *pin, dt_err *err)
{
    unsigned char *kek = vault_key_alloc();
    char kdf_text[VAULT_KDF_TEXT], *wrapped = NULL;
    vault_kdf kdf;
    int rc;

    if (!kek)
        return err_set(err, DT_ENOMEM, "out of memory");
    vault_kdf_new(&kdf);
    vault_kdf_text(&kdf, kdf_text);
    if (!(rc = vault_derive(&kdf, pin, kek, err)) &&
        !(rc = vault_wrap(kek, cs->vault.key, &wrapped, err)) &&
        !(rc = cstore_set_meta(cs, "vault_kdf", kdf_text, err)))
        rc = cstore_set_meta(cs, "vault_wrapped", wrapped, err);
    vault_key_free(kek);
    free(wrapped);
    return rc;
}

/* Seals every value kept in clear. Revisions are append-only by their triggers: they are set
 * aside for this one rewrite (the same transaction puts them back, as the schema has them). */
static int seal_existing(cstore *cs, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char sql[256], *triggers = NULL;
    int rc;

    if ((rc = db_prepare(cs->db, &st,
                         "SELECT group_concat(sql, ';') || ';', group_concat('DROP TRIGGER ' || "
                         "name, ';') FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                         "'revisions'",
                         err)))
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
        rc = err_set(err, DT_EINVAL, "%s: the revisions' append-only triggers are missing",
                     cs->path);
        goto cleanup;
    }
    if (!(triggers = strdup(db_text(st, 0))) || (rc = db_exec(cs->db, db_text(st, 1), err)))
        goto cleanup;
    for (size_t i = 0; i < sizeof(sealed_columns) / sizeof(sealed_columns[0]); i++) {
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = dt_seal(%s) WHERE typeof(%s) = 'text'",
                 sealed_columns[i].table, sealed_columns[i].column, sealed_columns[i].column,
                 sealed_columns[i].column);
        if ((rc = db_exec(cs->db, sql, err)))
            goto cleanup;
    }
    if ((rc = db_exec(cs->db,
                      "UPDATE meta SET value = dt_seal(value) WHERE typeof(value) = 'text' AND "
                      "key IN " CSTORE_SEALED_META,
                      err)))
        goto cleanup;
    rc = db_exec(cs->db, triggers, err);
cleanup:
    if (!triggers && !rc)
        rc = err_set(err, DT_ENOMEM, "out of memory");
    sqlite3_finalize(st);
    free(triggers);
    return rc;
}

/* The data key's fingerprint (a keyed hash of a fixed text) in meta vault_check: keep (1) or
 * compare (0: DT_EINVAL when key is not the store's). */
static int key_check(cstore *cs, const unsigned char *key, int keep, dt_err *err)
{
    static const char what[] = "dieutra data key check";
    unsigned char sum[16];
    char hex[sizeof(sum) * 2 + 1], *kept = NULL;
    int rc;

    crypto_generichash(sum, sizeof(sum), (const unsigned char *)what, sizeof(what) - 1, key,
                       VAULT_KEY_BYTES);
    sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
    if (keep)
        return cstore_set_meta(cs, "vault_check", hex, err);
    if ((rc = cstore_get_meta(cs, "vault_check", &kept, err)))
        return rc;
    if (!kept || strcmp(kept, hex) != 0)
        rc = err_set(err, DT_EINVAL, "this recovery code is not this laptop's (another laptop's?)");
    free(kept);
    return rc;
}

/* A first PIN: a new data key, everything sealed, in one transaction. */
static int first_pin(cstore *cs, const char *pin, dt_err *err)
{
    unsigned char *key = vault_key_alloc(), id[8];
    char id_hex[sizeof(id) * 2 + 1];
    int rc;

    if (!key)
        return err_set(err, DT_ENOMEM, "out of memory");
    vault_key_new(key);
    randombytes_buf(id, sizeof(id));
    sodium_bin2hex(id_hex, sizeof(id_hex), id, sizeof(id));
    if ((rc = db_begin(cs->db, err))) {
        vault_key_free(key);
        return rc;
    }
    take_key(cs, key);
    cs->vault.sealed = 1;
    if ((rc = seal_existing(cs, err)) || (rc = cstore_set_meta(cs, "vault_id", id_hex, err)) ||
        (rc = key_check(cs, cs->vault.key, 1, err)) || (rc = wrap_for(cs, pin, err)) ||
        (rc = keep_recovery(cs, err)) || (rc = db_commit(cs->db, err))) {
        db_rollback(cs->db);
        take_key(cs, NULL);
        cs->vault.sealed = 0;
        return rc;
    }
    free(cs->vault_id);
    cs->vault_id = strdup(id_hex);
    if (!cs->vault_id)
        return err_set(err, DT_ENOMEM, "out of memory");
    vault_session_save(cs->vault_id, cs->vault.key);
    /* The old values may still sit in free pages and in the log: a new file without them. */
    return db_exec(cs->db, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE)", err);
}

int cstore_pin_set(cstore *cs, const char *pin, dt_err *err)
{
    int rc;

    if (!pin || strlen(pin) < VAULT_PIN_MIN)
        return err_set(err, DT_EINVAL, "a PIN has at least %d characters", VAULT_PIN_MIN);
    switch (cstore_lock_state(cs)) {
    case CSTORE_PLAIN:
        return first_pin(cs, pin, err);
    case CSTORE_LOCKED:
        return err_set(err, DT_EINVAL, "enter the PIN first (`collector unlock`), then change it");
    case CSTORE_OPEN:
        break;
    }
    if ((rc = db_begin(cs->db, err)))
        return rc;
    if ((rc = wrap_for(cs, pin, err)) || (rc = db_commit(cs->db, err)))
        db_rollback(cs->db);
    return rc;
}

int cstore_centre_key(cstore *cs, unsigned char *pk, dt_err *err)
{
    char *text = NULL;
    int rc = cstore_get_meta(cs, "centre_key", &text, err);

    if (rc == DT_OK && !text)
        rc = err_set(err, DT_ENOTFOUND,
                     "this laptop does not have the centre's key yet: enroll it (`collector "
                     "enroll`), or give it the key a supervisor prints with `syncd centre-key` "
                     "(`collector setup --centre-key KEY`)");
    else if (rc == DT_OK)
        rc = seal_key_parse(text, pk, err);
    free(text);
    return rc;
}

int cstore_centre_key_set(cstore *cs, const char *text, dt_err *err)
{
    unsigned char pk[SEAL_KEY_BYTES];
    char *old = NULL;
    int rc;

    if ((rc = seal_key_parse(text, pk, err)) || (rc = cstore_get_meta(cs, "centre_key", &old, err)))
        return rc;
    if (old && !strcmp(old, text)) {
        free(old);
        return DT_OK;
    }
    free(old);
    if ((rc = db_begin(cs->db, err)))
        return rc;
    if ((rc = cstore_set_meta(cs, "centre_key", text, err)) || (rc = keep_recovery(cs, err)) ||
        (rc = db_commit(cs->db, err)))
        db_rollback(cs->db);
    return rc;
}

int cstore_recovery_get(cstore *cs, char **out, size_t *len, dt_err *err)
{
    char *b64 = NULL;
    size_t cap;
    int rc = cstore_get_meta(cs, "vault_recovery", &b64, err);

    *out = NULL;
    *len = 0;
    if (rc == DT_OK && !b64)
        rc = err_set(err, DT_ENOTFOUND,
                     "this laptop has no recovery file: it never had the centre's key while its "
                     "PIN was entered (docs/security.md, A forgotten PIN)");
    if (rc)
        goto cleanup;
    cap = strlen(b64);
    if (!(*out = malloc(cap + 1))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (sodium_base642bin((unsigned char *)*out, cap, b64, cap, NULL, len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(*out);
        *out = NULL;
        rc = err_set(err, DT_EINVAL, "the store's recovery (meta vault_recovery) is damaged");
    }
cleanup:
    free(b64);
    return rc;
}

int cstore_recover(cstore *cs, const char *code, const char *new_pin, dt_err *err)
{
    unsigned char *key = vault_key_alloc();
    size_t n = 0;
    const char *end = NULL;
    int rc;

    if (!key)
        return err_set(err, DT_ENOMEM, "out of memory");
    if (!cs->vault.sealed || strncmp(code, RECOVERY_PREFIX, sizeof(RECOVERY_PREFIX) - 1) != 0 ||
        sodium_base642bin(key, VAULT_KEY_BYTES, code + sizeof(RECOVERY_PREFIX) - 1,
                          strlen(code + sizeof(RECOVERY_PREFIX) - 1), NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != VAULT_KEY_BYTES || *end) {
        vault_key_free(key);
        return err_set(err, DT_EINVAL,
                       "not a recovery code: \"%s\" then 44 characters, as `syncd recovery` prints "
                       "it",
                       RECOVERY_PREFIX);
    }
    /* a code that is not this laptop's key would seal new values unreadably */
    if ((rc = key_check(cs, key, 0, err))) {
        vault_key_free(key);
        return rc;
    }
    take_key(cs, key);
    if ((rc = cstore_pin_set(cs, new_pin, err))) {
        take_key(cs, NULL);
        return rc;
    }
    vault_session_save(cs->vault_id, cs->vault.key);
    return DT_OK;
}
