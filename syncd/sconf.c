/* sconf.c - what syncd's commands share: finding and opening the store, reporting errors */
#include "sconf.h"
#include "cmd.h"
#include "config.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

const store_user sconf_admin = {.name = "admin", .role = ROLE_ADMIN, .communes = ""};

const char *sconf_take_opt(int *argc, char **argv, const char *name, int *bad)
{
    const char *value = NULL;

    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], name) != 0)
            continue;
        if (i + 1 >= *argc) {
            if (bad)
                *bad = 1;
            *argc = i;
            break;
        }
        value = argv[i + 1];
        for (int k = i; k + 2 <= *argc; k++)
            argv[k] = argv[k + 2];
        *argc -= 2;
        i--;
    }
    return value;
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

int sconf_status(int code)
{
    switch (code) {
    case DT_OK:
        return EXIT_OK;
    case DT_EINVAL:
    case DT_ENOTFOUND:
        return EXIT_FAILED;
    default:
        return EXIT_TROUBLE;
    }
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

void sconf_problems(FILE *out, const char *file, const errlist *problems)
{
    for (size_t i = 0; i < problems->n; i++) {
        const err_item *it = &problems->items[i];
        if (it->what[0])
            fprintf(out, "%s: %s: %s: %s\n", file, it->where, it->what, it->msg);
        else
            fprintf(out, "%s: %s: %s\n", file, it->where, it->msg);
    }
}

void sconf_column(const char *s, size_t width)
{
    size_t n = utf8_length(s, strlen(s));

    fputs(s, stdout);
    for (; n < width; n++)
        putchar(' ');
    putchar(' ');
}
