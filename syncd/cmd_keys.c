/* cmd_keys.c - `syncd centre-key`, `syncd recovery FILE`: the key laptops seal their bundles and
 * recovery files to, and opening a laptop's recovery file after a forgotten PIN
 * (docs/security.md) */
#include "cmd.h"
#include "json.h"
#include "sconf.h"
#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECOVERY_MAX   4096 /* bytes of a recovery file: a sealed key is 88 */
#define DATA_KEY_BYTES 32

static int centre_key(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    unsigned char pk[SEAL_KEY_BYTES];
    char text[SEAL_KEY_TEXT];
    store *s;
    dt_err err;
    int rc;

    if (argc != 0)
        return cmd_usage(&cmd_centre_key);
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    if ((rc = store_centre_key(s, pk, NULL, &err)) == DT_OK) {
        seal_key_text(pk, text);
        printf("%s\n", text);
    } else
        sconf_error(&err);
    store_close(s);
    return cmdline_exit_status(rc);
}

static int recovery(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    unsigned char pk[SEAL_KEY_BYTES], sk[SEAL_KEY_BYTES];
    char *raw = NULL, *key = NULL, code[8 + 48];
    size_t raw_len = 0, key_len = 0;
    store *s = NULL;
    dt_err err;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_recovery);
    if ((rc = file_read(&raw, &raw_len, argv[0], RECOVERY_MAX, &err)))
        goto fail;
    if (!(s = sconf_open(db))) {
        free(raw);
        return EXIT_TROUBLE;
    }
    if ((rc = store_centre_key(s, pk, sk, &err)) ||
        (rc = seal_open(pk, sk, raw, raw_len, &key, &key_len, &err)))
        goto fail;
    if (key_len != DATA_KEY_BYTES) {
        rc = err_set(&err, DT_EINVAL, "not a laptop's recovery file (collector pin recovery)");
        goto fail;
    }
    memcpy(code, "dtr1:", 5);
    sodium_bin2base64(code + 5, sizeof(code) - 5, (unsigned char *)key, key_len,
                      sodium_base64_VARIANT_ORIGINAL);
    printf("%s\n", code);
    fprintf(stderr, "syncd: give this code to the enumerator, in person or by phone, for "
                    "`collector pin reset CODE`: whoever has it can read that laptop\n");
    goto cleanup;
fail:
    fprintf(stderr, "syncd: %s: %s\n", argv[0], err.msg);
cleanup:
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(code, sizeof(code));
    if (key)
        sodium_memzero(key, key_len);
    free(key);
    free(raw);
    store_close(s);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_centre_key = {
    .name = "centre-key",
    .args = "[--db PATH]",
    .summary = "print the key laptops seal their USB bundles to (collector setup --centre-key)",
    .exec = centre_key,
};

const cmd_entry cmd_recovery = {
    .name = "recovery",
    .args = "FILE [--db PATH]",
    .summary = "open a laptop's recovery file (forgotten PIN): print the code for collector pin "
               "reset",
    .exec = recovery,
};
