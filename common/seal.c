/* seal.c - sealed boxes to the centre's key and the key's text (see seal.h) */
#include "seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PREFIX "dtk1:"

void seal_keypair(unsigned char pk[SEAL_KEY_BYTES], unsigned char sk[SEAL_KEY_BYTES])
{
    if (sodium_init() < 0)
        abort(); /* no source of randomness: nothing safe can be done */
    crypto_box_keypair(pk, sk);
}

void seal_key_text(const unsigned char pk[SEAL_KEY_BYTES], char out[SEAL_KEY_TEXT])
{
    memcpy(out, KEY_PREFIX, sizeof(KEY_PREFIX) - 1);
    sodium_bin2base64(out + sizeof(KEY_PREFIX) - 1, SEAL_KEY_TEXT - (sizeof(KEY_PREFIX) - 1), pk,
                      SEAL_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
}

int seal_key_parse(const char *text, unsigned char pk[SEAL_KEY_BYTES], dt_err *err)
{
    size_t n = 0;
    const char *end = NULL;

    if (!text || strncmp(text, KEY_PREFIX, sizeof(KEY_PREFIX) - 1) != 0)
        return err_set(err, DT_EINVAL, "not a centre key: it starts with \"%s\"", KEY_PREFIX);
    text += sizeof(KEY_PREFIX) - 1;
    if (sodium_base642bin(pk, SEAL_KEY_BYTES, text, strlen(text), NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != SEAL_KEY_BYTES || *end != '\0')
        return err_set(
            err, DT_EINVAL,
            "not a centre key: \"%s\" then 44 characters of base64 (as `syncd centre-key` "
            "prints it)",
            KEY_PREFIX);
    return DT_OK;
}

int seal_to(const unsigned char pk[SEAL_KEY_BYTES], const void *in, size_t len, char **out,
            size_t *out_len, dt_err *err)
{
    size_t n = SEAL_MAGIC_LEN + crypto_box_SEALBYTES + len;
    unsigned char *buf =
        len < (size_t)-1 - SEAL_MAGIC_LEN - crypto_box_SEALBYTES ? malloc(n) : NULL;

    *out = NULL;
    *out_len = 0;
    if (!buf)
        return err_set(err, DT_ENOMEM, "out of memory");
    if (sodium_init() < 0) {
        free(buf);
        return err_set(err, DT_ERR, "libsodium cannot start (no source of randomness)");
    }
    memcpy(buf, SEAL_MAGIC, SEAL_MAGIC_LEN);
    if (crypto_box_seal(buf + SEAL_MAGIC_LEN, in, len, pk) != 0) {
        free(buf);
        return err_set(err, DT_EINVAL, "the centre key cannot seal (is it a public key?)");
    }
    *out = (char *)buf;
    *out_len = n;
    return DT_OK;
}

int seal_is(const void *data, size_t len)
{
    return len >= SEAL_MAGIC_LEN && memcmp(data, SEAL_MAGIC, SEAL_MAGIC_LEN) == 0;
}

int seal_open(const unsigned char pk[SEAL_KEY_BYTES], const unsigned char sk[SEAL_KEY_BYTES],
              const void *in, size_t len, char **out, size_t *out_len, dt_err *err)
{
    const unsigned char *box = (const unsigned char *)in + SEAL_MAGIC_LEN;
    size_t n;
    char *buf;

    *out = NULL;
    *out_len = 0;
    if (!seal_is(in, len) || len < SEAL_MAGIC_LEN + crypto_box_SEALBYTES)
        return err_set(err, DT_EINVAL, "not sealed, or cut short");
    n = len - SEAL_MAGIC_LEN - crypto_box_SEALBYTES;
    if (!(buf = malloc(n + 1)))
        return err_set(err, DT_ENOMEM, "out of memory");
    if (crypto_box_seal_open((unsigned char *)buf, box, len - SEAL_MAGIC_LEN, pk, sk) != 0) {
        free(buf);
        return err_set(err, DT_EINVAL,
                       "sealed to another centre's key, or damaged: it cannot be opened here");
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return DT_OK;
}
