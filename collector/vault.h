/* vault.h - the laptop's data key: wrapped by a key derived from the enumerator's PIN
 * (Argon2id), the values it seals in SQLite through two SQL functions, and the session that
 * keeps it unlocked until logout (docs/security.md, "At rest on the laptop") */
#ifndef COLLECTOR_VAULT_H
#define COLLECTOR_VAULT_H

#include <sqlite3.h>
#include <stddef.h>

#include "err.h"

#define VAULT_KEY_BYTES     32
#define VAULT_SALT_BYTES    16
#define VAULT_PIN_MIN       6  /* characters: digits are allowed, a phrase is better */
#define VAULT_SESSION_HOURS 12 /* a working day: then the PIN is asked again */
#define VAULT_KDF_TEXT      96

/* How a PIN becomes the key that wraps the data key: kept in meta, not secret. */
typedef struct vault_kdf {
    unsigned char salt[VAULT_SALT_BYTES];
    unsigned long long ops;
    size_t mem;
} vault_kdf;

/* Fresh parameters: a random salt, Argon2id at libsodium's "moderate" limits (about half a
 * second and 256 MiB on a 2-core machine: an old laptop can, a thief's guesses cost). */
void vault_kdf_new(vault_kdf *k);
/* "argon2id13:OPS:MEM:SALT" (hex) into out (VAULT_KDF_TEXT bytes), and back: 0 or DT_EINVAL. */
void vault_kdf_text(const vault_kdf *k, char out[VAULT_KDF_TEXT]);
int vault_kdf_parse(const char *text, vault_kdf *k, dt_err *err);

/* The key-wrapping key of pin. kek points at VAULT_KEY_BYTES. */
int vault_derive(const vault_kdf *k, const char *pin, unsigned char *kek, dt_err *err);

/* The data key wrapped by kek, as hex (nonce then box) into *out (malloc'd, the caller frees);
 * unwrapping: 0, or DT_EINVAL when kek is not the one (a wrong PIN). */
int vault_wrap(const unsigned char *kek, const unsigned char *key, char **out, dt_err *err);
int vault_unwrap(const unsigned char *kek, const char *wrapped, unsigned char *key);

/* A fresh random data key into key. */
void vault_key_new(unsigned char *key);

/* Key memory: locked out of swap, wiped when freed (sodium_malloc). NULL when out of memory. */
unsigned char *vault_key_alloc(void);
void vault_key_free(unsigned char *key);

/* What the SQL functions seal with. key is NULL while the store is locked; sealed is 0 for a
 * store that has no PIN yet (values pass through as they are). Owned by the caller; must
 * outlive the connection. */
typedef struct vault_sql {
    unsigned char *key;
    int sealed;
} vault_sql;

/* Registers on db: dt_seal(text) -> a blob (a fresh nonce and the secretbox of the text),
 * dt_open(value) -> the text again (text as it is passes through: a store sealed later). Both
 * give NULL for NULL and fail with "the store is locked" without the key. Not usable from the
 * schema (triggers, views): only statements of the program. */
int vault_sql_register(sqlite3 *db, vault_sql *v, dt_err *err);

/* The session: the data key kept in $XDG_RUNTIME_DIR/dieutra (memory, private to the account,
 * gone at logout) for VAULT_SESSION_HOURS after the PIN was entered. id names the store
 * (vault_id in meta). load: 1 with key filled, 0 when there is none or it has expired. save
 * without a runtime folder does nothing (the PIN is asked each time). */
int vault_session_load(const char *id, unsigned char *key);
void vault_session_save(const char *id, const unsigned char *key);
void vault_session_forget(const char *id);

#endif
