/* cmd_user.c - `syncd user add|list|revoke`: who may use syncd, and their tokens */
#include "cmdline.h"
#include "cmd.h"
#include "sconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *role_name = sconf_take_opt(&argc, argv, "--role", &bad);
    const char *communes = sconf_take_opt(&argc, argv, "--communes", &bad);
    char token[STORE_TOKEN_LEN + 1];
    store *s;
    dt_err err;
    int role, rc;

    if (bad || argc != 1 || argv[0][0] == '-' || !role_name)
        return cmd_usage(&cmd_user_add);
    if ((role = store_role_parse(role_name)) < 0) {
        fprintf(stderr,
                "syncd: role '%s': expected enumerator, supervisor, statistician or admin\n",
                role_name);
        return EXIT_USAGE;
    }
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_user_add(s, argv[0], (store_role)role, communes ? communes : "", token, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    printf("user '%s' added as %s", argv[0], role_name);
    if (communes && *communes)
        printf(" (communes %s)", communes);
    printf("\ntoken (shown once, keep it safe): %s\n", token);
    if (role == ROLE_SUPERVISOR && !(communes && *communes))
        fprintf(stderr, "syncd: note: this supervisor has no communes yet, and sees no case\n");
    return EXIT_OK;
}

static int print_user(void *ctx, const store_user *u, int revoked)
{
    int *n = ctx;

    if ((*n)++ == 0)
        printf("%-32s %-12s %-24s %s\n", "NAME", "ROLE", "COMMUNES", "TOKEN");
    sconf_column(u->name, 32);
    sconf_column(store_role_name(u->role), 12);
    sconf_column(u->communes[0] ? u->communes : "-", 24);
    printf("%s\n", revoked ? "revoked" : "active");
    return 0;
}

static int list(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    store *s;
    dt_err err;
    int rc, n = 0;

    if (argc != 0)
        return cmd_usage(&cmd_user_list);
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_user_list(s, print_user, &n, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    if (n == 0)
        printf("no users yet: add one with `syncd user add NAME --role ROLE`\n");
    return EXIT_OK;
}

static int revoke(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    store *s;
    dt_err err;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_user_revoke);
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_user_revoke(s, argv[0], &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    printf("user '%s': token revoked (their data stays)\n", argv[0]);
    return EXIT_OK;
}

/* A one-time sign-in link: what an administrator sends a supervisor, and what a test or
 * the demo opens in a browser without typing a token. */
static int make_link(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *minutes_arg = sconf_take_opt(&argc, argv, "--minutes", &bad);
    const char *url = sconf_take_opt(&argc, argv, "--url", &bad);
    char secret[STORE_SESSION_LEN + 1], *end = NULL;
    long minutes = 15;
    size_t ul;
    store *s;
    dt_err err;
    int rc;

    if (bad || argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_user_link);
    if (minutes_arg) {
        minutes = strtol(minutes_arg, &end, 10);
        if (*end || minutes < 1 || minutes > 7 * 24 * 60) {
            fprintf(stderr, "syncd: --minutes '%s': expected a whole number from 1 to 10080\n",
                    minutes_arg);
            return EXIT_USAGE;
        }
    }
    if (!url)
        url = "http://127.0.0.1:8080";
    ul = strlen(url);
    while (ul && url[ul - 1] == '/')
        ul--;
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_session_new(s, argv[0], SESSION_LINK, minutes * 60, secret, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    printf("%.*s/signin?code=%s\n", (int)ul, url, secret);
    fprintf(stderr, "syncd: a sign-in link for '%s', good once within %ld minutes\n", argv[0],
            minutes);
    return EXIT_OK;
}

const cmd_entry cmd_user_add = {
    .name = "user add",
    .args = "NAME --role ROLE [--communes C1,C2] [--db PATH]",
    .summary = "add a user and print their token once",
    .exec = add,
};

const cmd_entry cmd_user_list = {
    .name = "user list",
    .args = "[--db PATH]",
    .summary = "list the users, their roles and communes",
    .exec = list,
};

const cmd_entry cmd_user_revoke = {
    .name = "user revoke",
    .args = "NAME [--db PATH]",
    .summary = "stop a user's token from working",
    .exec = revoke,
};

const cmd_entry cmd_user_link = {
    .name = "user link",
    .args = "NAME [--minutes M] [--url http://HOST:PORT] [--db PATH]",
    .summary = "print a one-time sign-in link to the dashboard",
    .exec = make_link,
};
