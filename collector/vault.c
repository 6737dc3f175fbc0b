/* vault.c - the laptop's data key, its wrapping by the PIN, sealed values and the session (see
 * vault.h) */
#include "vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VALUE_MAGIC     "DV\1" /* a sealed value: magic, nonce, box */
#define VALUE_MAGIC_LEN 3
#define WRAPPED_BYTES   (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + VAULT_KEY_BYTES)

void vault_kdf_new(vault_kdf *k)
{
    randombytes_buf(k->salt, sizeof(k->salt));
    k->ops = crypto_pwhash_OPSLIMIT_MODERATE;
    k->mem = crypto_pwhash_MEMLIMIT_MODERATE;
}

void vault_kdf_text(const vault_kdf *k, char out[VAULT_KDF_TEXT])
{
    char salt[VAULT_SALT_BYTES * 2 + 1];

    sodium_bin2hex(salt, sizeof(salt), k->salt, sizeof(k->salt));
    snprintf(out, VAULT_KDF_TEXT, "argon2id13:%llu:%zu:%s", k->ops, k->mem, salt);
}

int vault_kdf_parse(const char *text, vault_kdf *k, dt_err *err)
{
    char salt[VAULT_SALT_BYTES * 2 + 2];
    size_t n = 0;

    if (!text || sscanf(text, "argon2id13:%llu:%zu:%33s", &k->ops, &k->mem, salt) != 3 ||
        sodium_hex2bin(k->salt, sizeof(k->salt), salt, strlen(salt), NULL, &n, NULL) != 0 ||
        n != sizeof(k->salt) || k->ops < crypto_pwhash_OPSLIMIT_MIN ||
        k->mem < crypto_pwhash_MEMLIMIT_MIN)
        return err_set(err, DT_EINVAL, "the store's PIN settings (meta vault_kdf) are damaged");
    return DT_OK;
}

int vault_derive(const vault_kdf *k, const char *pin, unsigned char *kek, dt_err *err)
{
    if (crypto_pwhash(kek, VAULT_KEY_BYTES, pin, strlen(pin), k->salt, k->ops, k->mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(err, DT_ENOMEM, "not enough memory to check the PIN (%zu MiB needed)",
                       k->mem >> 20);
    return DT_OK;
}

int vault_wrap(const unsigned char *kek, const unsigned char *key, char **out, dt_err *err)
{
    unsigned char box[WRAPPED_BYTES];
    char *hex = malloc(WRAPPED_BYTES * 2 + 1);

    *out = NULL;
    if (!hex)
        return err_set(err, DT_ENOMEM, "out of memory");
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, key, VAULT_KEY_BYTES, box, kek);
    sodium_bin2hex(hex, WRAPPED_BYTES * 2 + 1, box, sizeof(box));
    *out = hex;
    return DT_OK;
}

int vault_unwrap(const unsigned char *kek, const char *wrapped, unsigned char *key)
{
    unsigned char box[WRAPPED_BYTES];
    size_t n = 0;

    if (!wrapped ||
        sodium_hex2bin(box, sizeof(box), wrapped, strlen(wrapped), NULL, &n, NULL) != 0 ||
        n != sizeof(box))
        return DT_EINVAL;
    if (crypto_secretbox_open_easy(key, box + crypto_secretbox_NONCEBYTES,
                                   sizeof(box) - crypto_secretbox_NONCEBYTES, box, kek) != 0)
        return DT_EINVAL;
    return DT_OK;
}

void vault_key_new(unsigned char *key)
{
    crypto_secretbox_keygen(key);
}

unsigned char *vault_key_alloc(void)
{
    return sodium_malloc(VAULT_KEY_BYTES);
}

void vault_key_free(unsigned char *key)
{
    if (key)
        sodium_free(key);
}

/* ---- values in SQL */

static void sql_seal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    vault_sql *v = sqlite3_user_data(ctx);
    const unsigned char *text = sqlite3_value_text(argv[0]);
    int len = sqlite3_value_bytes(argv[0]);
    size_t n;
    unsigned char *out;

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (!v->sealed) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    if (!v->key) {
        sqlite3_result_error(ctx, "the store is locked: the enumerator's PIN is needed", -1);
        return;
    }
    if (!text) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    n = VALUE_MAGIC_LEN + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + (size_t)len;
    if (!(out = sqlite3_malloc64(n))) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    memcpy(out, VALUE_MAGIC, VALUE_MAGIC_LEN);
    randombytes_buf(out + VALUE_MAGIC_LEN, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + VALUE_MAGIC_LEN + crypto_secretbox_NONCEBYTES, text, (size_t)len,
                          out + VALUE_MAGIC_LEN, v->key);
    sqlite3_result_blob64(ctx, out, n, sqlite3_free);
}

static void sql_open(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    vault_sql *v = sqlite3_user_data(ctx);
    const unsigned char *in;
    const size_t head = VALUE_MAGIC_LEN + crypto_secretbox_NONCEBYTES;
    size_t len, n;
    char *out;

    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_value(ctx, argv[0]); /* NULL, or text written before the PIN */
        return;
    }
    in = sqlite3_value_blob(argv[0]);
    len = (size_t)sqlite3_value_bytes(argv[0]);
    if (!v->key) {
        sqlite3_result_error(ctx, "the store is locked: the enumerator's PIN is needed", -1);
        return;
    }
    if (len < head + crypto_secretbox_MACBYTES || memcmp(in, VALUE_MAGIC, VALUE_MAGIC_LEN) != 0) {
        sqlite3_result_error(ctx, "a sealed value is damaged (not one the collector wrote)", -1);
        return;
    }
    n = len - head - crypto_secretbox_MACBYTES;
    if (!(out = sqlite3_malloc64(n + 1))) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (crypto_secretbox_open_easy((unsigned char *)out, in + head, len - head,
                                   in + VALUE_MAGIC_LEN, v->key) != 0) {
        sqlite3_free(out);
        sqlite3_result_error(ctx, "a sealed value is damaged, or sealed with another key", -1);
        return;
    }
    out[n] = '\0';
    sqlite3_result_text64(ctx, out, n, sqlite3_free, SQLITE_UTF8);
}

int vault_sql_register(sqlite3 *db, vault_sql *v, dt_err *err)
{
    if (sodium_init() < 0)
        return err_set(err, DT_ERR, "libsodium cannot start (no source of randomness)");
    if (sqlite3_create_function(db, "dt_seal", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, v, sql_seal,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "dt_open", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, v, sql_open,
                                NULL, NULL) != SQLITE_OK)
        return err_set(err, DT_ERR, "cannot register the store's sealing: %s", sqlite3_errmsg(db));
    return DT_OK;
}

/* ---- the session */

/* The session file of id into out; 0, or -1 without a private runtime folder. */
static int session_path(const char *id, char *out, size_t size)
{
    const char *run = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    char dir[4096];

    if (!run || *run != '/' || !id || strspn(id, "0123456789abcdef") != strlen(id))
        return -1;
    /* only a folder of this account that nobody else can read may hold the key */
    if (stat(run, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
        return -1;
    snprintf(dir, sizeof(dir), "%s/dieutra", run);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
        return -1;
    if ((size_t)snprintf(out, size, "%s/vault-%s", dir, id) >= size)
        return -1;
    return 0;
}

typedef struct session_file {
    uint64_t expires; /* seconds since 1970 */
    unsigned char key[VAULT_KEY_BYTES];
} session_file;

int vault_session_load(const char *id, unsigned char *key)
{
    char path[4200];
    session_file f;
    int fd, found = 0;

    if (session_path(id, path, sizeof(path)) || (fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0)
        return 0;
    if (read(fd, &f, sizeof(f)) == (ssize_t)sizeof(f)) {
        if (f.expires > (uint64_t)time(NULL)) {
            memcpy(key, f.key, VAULT_KEY_BYTES);
            found = 1;
        }
    }
    close(fd);
    sodium_memzero(&f, sizeof(f));
    if (!found)
        unlink(path);
    return found;
}

void vault_session_save(const char *id, const unsigned char *key)
{
    char path[4200], tmp[4300];
    session_file f;
    int fd;

    if (session_path(id, path, sizeof(path)))
        return;
    snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
    f.expires = (uint64_t)time(NULL) + VAULT_SESSION_HOURS * 3600u;
    memcpy(f.key, key, VAULT_KEY_BYTES);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        int ok = write(fd, &f, sizeof(f)) == (ssize_t)sizeof(f);
        close(fd);
        if (!ok || rename(tmp, path) != 0)
            unlink(tmp);
    }
    sodium_memzero(&f, sizeof(f));
}

void vault_session_forget(const char *id)
{
    char path[4200];

    if (session_path(id, path, sizeof(path)) == 0)
        unlink(path);
}
