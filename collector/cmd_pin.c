/* cmd_pin.c - `collector unlock`, `lock`, `pin set`, `pin recovery FILE`, `pin reset CODE`: the
 * enumerator's PIN and what is done when it is forgotten (docs/security.md) */
#include "cli.h"
#include "cmd.h"
#include "cmdline.h"
#include "vault.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Only --db: no other argument. */
static cstore *open_plain(int argc, char **argv, const cmd_entry *c, int unlock)
{
    const char *db = cli_take_db(&argc, argv);

    if (argc != 0) {
        cmd_usage(c);
        return NULL;
    }
    return unlock ? cli_open(db) : cli_open_locked(db);
}

static int unlock_exec(int argc, char **argv)
{
    cstore *cs = open_plain(argc, argv, &cmd_unlock, 1);

    if (!cs)
        return argc ? EXIT_USAGE : EXIT_FAILED;
    if (cstore_lock_state(cs) == CSTORE_OPEN)
        printf("unlocked until logout, `collector lock`, or %d hours\n", VAULT_SESSION_HOURS);
    cstore_close(cs);
    return EXIT_OK;
}

static int lock_exec(int argc, char **argv)
{
    cstore *cs = open_plain(argc, argv, &cmd_lock, 0);

    if (!cs)
        return argc ? EXIT_USAGE : EXIT_FAILED;
    cstore_lock(cs);
    printf("locked: the next program asks for the PIN\n");
    cstore_close(cs);
    return EXIT_OK;
}

/* Sets a new PIN on cs (unlocked or without one); prints what happened. */
int cmd_pin_new(cstore *cs)
{
    char pin[CLI_PIN_MAX];
    int was_plain = cstore_lock_state(cs) == CSTORE_PLAIN;
    dt_err err;
    int rc;

    if (cli_new_pin(pin, sizeof(pin)))
        return EXIT_FAILED;
    rc = cstore_pin_set(cs, pin, &err);
    sodium_memzero(pin, sizeof(pin));
    if (rc) {
        cli_error(&err);
        return cmdline_exit_status(rc);
    }
    printf(was_plain ? "PIN set: the interviews on this laptop are encrypted\n" : "PIN changed\n");
    return EXIT_OK;
}

static int pin_set_exec(int argc, char **argv)
{
    cstore *cs = open_plain(argc, argv, &cmd_pin_set, 0);
    int status;

    if (!cs)
        return argc ? EXIT_USAGE : EXIT_FAILED;
    status =
        cstore_lock_state(cs) == CSTORE_LOCKED && cli_unlock(cs) ? EXIT_FAILED : cmd_pin_new(cs);
    cstore_close(cs);
    return status;
}

static int recovery_exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    char *sealed = NULL;
    size_t len = 0;
    cstore *cs = NULL;
    dt_err err;
    FILE *f = NULL;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_pin_recovery);
    if (!(cs = cli_open_locked(db)))
        return EXIT_FAILED;
    if ((rc = cstore_recovery_get(cs, &sealed, &len, &err)))
        goto fail;
    umask(077);
    if (!(f = fopen(argv[0], "wb")) || fwrite(sealed, 1, len, f) != len || fflush(f)) {
        rc = err_set(&err, DT_EIO, "%s: cannot write the recovery file", argv[0]);
        goto fail;
    }
    printf("written to %s: the laptop's key, sealed to the centre. A supervisor opens it with "
           "`syncd recovery %s` and gives back a code for `collector pin reset CODE`\n",
           argv[0], argv[0]);
    goto cleanup;
fail:
    cli_error(&err);
cleanup:
    if (f)
        fclose(f);
    free(sealed);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

static int reset_exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    char pin[CLI_PIN_MAX];
    cstore *cs;
    dt_err err;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_pin_reset);
    if (!(cs = cli_open_locked(db)))
        return EXIT_FAILED;
    if (cli_new_pin(pin, sizeof(pin))) {
        cstore_close(cs);
        return EXIT_FAILED;
    }
    rc = cstore_recover(cs, argv[0], pin, &err);
    sodium_memzero(pin, sizeof(pin));
    if (rc)
        cli_error(&err);
    else
        printf("new PIN set: nothing on this laptop was lost\n");
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_unlock = {
    .name = "unlock",
    .args = "[--db PATH]",
    .summary = "enter the PIN once for this session (until logout or 12 hours)",
    .exec = unlock_exec,
};

const cmd_entry cmd_lock = {
    .name = "lock",
    .args = "[--db PATH]",
    .summary = "end the session: the next program asks for the PIN",
    .exec = lock_exec,
};

const cmd_entry cmd_pin_set = {
    .name = "pin set",
    .args = "[--db PATH]",
    .summary = "set or change the PIN (a laptop without one: encrypt its interviews)",
    .exec = pin_set_exec,
};

const cmd_entry cmd_pin_recovery = {
    .name = "pin recovery",
    .args = "FILE [--db PATH]",
    .summary = "a forgotten PIN: write the laptop's key, sealed to the centre, to FILE",
    .exec = recovery_exec,
};

const cmd_entry cmd_pin_reset = {
    .name = "pin reset",
    .args = "CODE [--db PATH]",
    .summary = "a forgotten PIN: the centre's code from `syncd recovery`, then a new PIN",
    .exec = reset_exec,
};
