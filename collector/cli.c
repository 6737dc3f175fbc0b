/* cli.c - what every collector command shares: finding and opening the database */
#include "cli.h"
#include "cmdline.h"
#include "cmd.h"
#include "vault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>

const char *cli_take_db(int *argc, char **argv)
{
    return cmdline_take(argc, argv, "--db", NULL);
}

int cli_db_path(char *out, size_t size, const char *given, dt_err *err)
{
    const char *env = getenv(DB_ENV), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char dir[4096];

    if (given && *given) {
        snprintf(out, size, "%s", given);
        return DT_OK;
    }
    if (env && *env) {
        snprintf(out, size, "%s", env);
        return DT_OK;
    }
    if (xdg && *xdg == '/')
        snprintf(dir, sizeof(dir), "%s/dieutra", xdg);
    else if (home && *home)
        snprintf(dir, sizeof(dir), "%s/.local/share/dieutra", home);
    else
        return err_set(err, DT_EINVAL, "no database given: use --db PATH or set %s", DB_ENV);
    if (cmdline_mkdirs(dir, err))
        return DT_EIO;
    if ((size_t)snprintf(out, size, "%s/collector.db", dir) >= size)
        return err_set(err, DT_EINVAL, "the database path is too long");
    return DT_OK;
}

void cli_error(const dt_err *err)
{
    fprintf(stderr, "collector: %s\n", err->msg);
}

cstore *cli_open_locked(const char *given_db)
{
    char path[4096];
    dt_err err;
    cstore *cs = NULL;

    if (cli_db_path(path, sizeof(path), given_db, &err) || cstore_open(&cs, path, &err)) {
        cli_error(&err);
        return NULL;
    }
    return cs;
}

/* Reads a line from the terminal with echo off into out; 0, or -1 without a terminal. */
static int read_tty(const char *prompt, char *out, size_t size)
{
    FILE *tty = fopen("/dev/tty", "r+");
    struct termios old, quiet;
    int ok, echo_off;

    if (!tty)
        return -1;
    fputs(prompt, tty);
    fflush(tty);
    echo_off = tcgetattr(fileno(tty), &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    ok = fgets(out, (int)size, tty) != NULL;
    if (echo_off)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int cli_read_pin(const char *prompt, char *out, size_t size)
{
    const char *env = getenv(PIN_ENV);

    if (env && *env) {
        snprintf(out, size, "%s", env);
        return 0;
    }
    return read_tty(prompt, out, size);
}

int cli_new_pin(char *out, size_t size)
{
    char again[CLI_PIN_MAX];

    if (getenv(PIN_ENV) && *getenv(PIN_ENV))
        return cli_read_pin("", out, size);
    for (int tries = 0; tries < 3; tries++) {
        if (read_tty("New PIN (at least 6 characters; Mã PIN mới): ", out, size) ||
            read_tty("The same PIN again (Nhập lại): ", again, sizeof(again)))
            break;
        if (strlen(out) < VAULT_PIN_MIN)
            fprintf(stderr, "collector: a PIN has at least %d characters\n", VAULT_PIN_MIN);
        else if (strcmp(out, again) != 0)
            fprintf(stderr, "collector: the two PINs differ\n");
        else {
            sodium_memzero(again, sizeof(again));
            return 0;
        }
    }
    sodium_memzero(again, sizeof(again));
    fprintf(stderr, "collector: no PIN given: a PIN is typed in a terminal, or given in $%s\n",
            PIN_ENV);
    return -1;
}

int cli_unlock(cstore *cs)
{
    char pin[CLI_PIN_MAX];
    dt_err err;
    int rc = DT_EINVAL;

    if (cstore_lock_state(cs) == CSTORE_PLAIN) {
        fprintf(stderr, "collector: warning: the interviews on this laptop are not encrypted: set "
                        "a PIN with `collector pin set`\n");
        return 0;
    }
    if (cstore_unlock_session(cs))
        return 0;
    for (int tries = 0; tries < 3; tries++) {
        if (cli_read_pin("PIN (Mã PIN): ", pin, sizeof(pin))) {
            fprintf(stderr,
                    "collector: the interviews are locked: enter the enumerator's PIN "
                    "with `collector unlock` in a terminal (or give it in $%s)\n",
                    PIN_ENV);
            break;
        }
        rc = cstore_unlock(cs, pin, &err);
        sodium_memzero(pin, sizeof(pin));
        if (rc == DT_OK)
            return 0;
        cli_error(&err);
        if (rc != DT_EINVAL || getenv(PIN_ENV))
            break; /* the same PIN again would fail the same way */
    }
    return -1;
}

cstore *cli_open(const char *given_db)
{
    cstore *cs = cli_open_locked(given_db);

    if (cs && cli_unlock(cs)) {
        cstore_close(cs);
        return NULL;
    }
    return cs;
}
