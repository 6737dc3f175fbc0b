/* sconf.c - what syncd's commands share: finding and opening the store, reporting errors */
#include "cmdline.h"
#include "sconf.h"
#include "cmdline.h"
#include "cmd.h"
#include "config.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

const store_user sconf_admin = {.name = "admin", .role = ROLE_ADMIN, .communes = ""};

const char *sconf_take_opt(int *argc, char **argv, const char *name, int *bad)
{
    return cmdline_take(argc, argv, name, bad);
}

const char *sconf_take_db(int *argc, char **argv)
{
    return sconf_take_opt(argc, argv, "--db", NULL);
}

int sconf_db_path(char *out, size_t size, const char *given, dt_err *err)
{
    /* One rule for the server and the commands (config.h); the commands read no config
     * file, so a server whose file sets `db` is reached with --db or $DIEUTRA_SYNCD_DB. */
    return config_db_path(out, size, given, NULL, err);
}

void sconf_error(const dt_err *err)
{
    fprintf(stderr, "syncd: %s\n", err->msg);
}

store *sconf_open(const char *given)
{
    char path[4096];
    dt_err err;
    store *s = NULL;

    if (sconf_db_path(path, sizeof(path), given, &err) || store_open(&s, path, &err)) {
        sconf_error(&err);
        return NULL;
    }
    return s;
}

void sconf_column(const char *s, size_t width)
{
    size_t n = utf8_length(s, strlen(s));

    fputs(s, stdout);
    for (; n < width; n++)
        putchar(' ');
    putchar(' ');
}
