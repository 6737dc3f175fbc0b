/* seal.h - sealed boxes to the centre's key (libsodium's crypto_box_seal): what a laptop can
 * send but not read (a USB bundle; the laptop's data key, for recovery), and the key's text */
#ifndef DT_SEAL_H
#define DT_SEAL_H

#include <stddef.h>

#include "err.h"

#define SEAL_KEY_BYTES 32          /* an X25519 public or secret key */
#define SEAL_KEY_TEXT  50          /* its text: "dtk1:" and base64 (44), with the NUL */
#define SEAL_MAGIC     "DTSEAL1\n" /* first bytes of a sealed file: readable in a hex dump */
#define SEAL_MAGIC_LEN 8

/* Makes a key pair for the centre. */
void seal_keypair(unsigned char pk[SEAL_KEY_BYTES], unsigned char sk[SEAL_KEY_BYTES]);

/* The text of a public key ("dtk1:" then standard base64) into out; parsing it back: 0, or
 * DT_EINVAL with a message that names what the text is not. */
void seal_key_text(const unsigned char pk[SEAL_KEY_BYTES], char out[SEAL_KEY_TEXT]);
int seal_key_parse(const char *text, unsigned char pk[SEAL_KEY_BYTES], dt_err *err);

/* Seals len bytes of in to pk: *out (malloc'd, the caller frees) is SEAL_MAGIC then the sealed
 * box; only the holder of pk's secret key opens it. */
int seal_to(const unsigned char pk[SEAL_KEY_BYTES], const void *in, size_t len, char **out,
            size_t *out_len, dt_err *err);

/* 1 when data starts as a sealed file does. */
int seal_is(const void *data, size_t len);

/* Opens what seal_to made with the key pair: *out (malloc'd, with a NUL after *out_len bytes,
 * the caller frees). DT_EINVAL when it is not sealed to this key or is damaged. */
int seal_open(const unsigned char pk[SEAL_KEY_BYTES], const unsigned char sk[SEAL_KEY_BYTES],
              const void *in, size_t len, char **out, size_t *out_len, dt_err *err);

#endif
