/* cli.c - what every collector command shares: finding and opening the database */
#include "cli.h"
#include "cmdline.h"
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

cstore *cli_open(const char *given_db)
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
