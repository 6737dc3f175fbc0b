/* cmd_enroll.c - `collector enroll URL TOKEN`: check an enumerator's token with the server and
 * keep it on this laptop */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "csync.h"
#include "json.h"
#include "net.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TOKEN 256

/* Reads the token from the first line of stdin ("-" on the command line keeps it out of the
 * shell's history and the process list). */
static int read_token(char *out, size_t size)
{
    size_t len;

    if (!fgets(out, (int)size, stdin))
        return -1;
    len = strcspn(out, "\r\n");
    out[len] = '\0';
    return 0;
}

/* A token is printable ASCII without spaces: anything else was pasted wrong. */
static int token_ok(const char *t)
{
    size_t n = strlen(t);

    if (n == 0 || n > MAX_TOKEN - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] <= ' ' || t[i] > '~')
            return 0;
    return 1;
}

/* The database holds the token: only its owner may read it (the file and its WAL and
 * shared-memory files). */
static void make_private(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", NULL};
    char p[4200];

    for (int i = 0; suffixes[i]; i++) {
        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        if (chmod(p, 0600) != 0 && errno != ENOENT)
            fprintf(stderr,
                    "collector: warning: cannot make %s private (%s): keep this laptop's "
                    "account to yourself\n",
                    p, strerror(errno));
    }
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    int no_pin = 0;
    const char *pin = cmdline_take(&argc, argv, "--pin", &no_pin);
    char path[4096], url[1024], token[MAX_TOKEN + 2], msg[600];
    char *enumerator = NULL;
    const char *user, *role;
    cstore *cs = NULL;
    net *n = NULL;
    net_conf conf;
    net_answer ans = {0};
    cJSON *doc = NULL;
    dt_err err;
    int status = EXIT_TROUBLE, reset = 0, rc;
    size_t len;

    if (argc != 2 || no_pin)
        return cmd_usage(&cmd_enroll);
    if (pin && !net_pin_valid(pin)) {
        fprintf(stderr,
                "collector: --pin '%.80s': expected sha256// and 44 characters, as the "
                "server's `syncd tls init` printed it\n",
                pin);
        return EXIT_USAGE;
    }
    if (pin && strncmp(argv[0], "https://", 8) != 0) {
        fprintf(stderr, "collector: --pin is for an https:// address\n");
        return EXIT_USAGE;
    }
    len = strlen(argv[0]);
    while (len > 0 && argv[0][len - 1] == '/')
        len--;
    if (len == 0 || len >= sizeof(url)) {
        fprintf(stderr, "collector: the server address is empty or too long\n");
        return EXIT_USAGE;
    }
    memcpy(url, argv[0], len);
    url[len] = '\0';
    if (!strcmp(argv[1], "-")) {
        if (read_token(token, sizeof(token))) {
            fprintf(stderr, "collector: no token on standard input\n");
            return EXIT_USAGE;
        }
    } else {
        snprintf(token, sizeof(token), "%s", argv[1]);
        /* Out of the process list from now on. */
        memset(argv[1], 'x', strlen(argv[1]));
    }
    if (!token_ok(token)) {
        fprintf(stderr, "collector: that token has spaces or other characters a token never "
                        "has: copy it again, exactly as it was given\n");
        status = EXIT_USAGE;
        goto cleanup;
    }

    umask(077); /* a database made now is private from the start */
    if (cli_db_path(path, sizeof(path), db, &err) || cstore_open(&cs, path, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    /* a laptop with a PIN seals its key to the centre's as it gets it: the PIN is asked */
    if (cstore_lock_state(cs) == CSTORE_LOCKED && cli_unlock(cs))
        goto cleanup;
    net_conf_init(&conf, url, token);
    conf.pin = pin;
    conf.verbose = 1;
    if (net_open(&n, &conf, &err)) {
        cli_error(&err);
        status = err.code == DT_EINVAL ? EXIT_USAGE : EXIT_TROUBLE;
        goto cleanup;
    }
    rc = net_get(n, &ans, "/api/v1/whoami", &err);
    if (rc == DT_EIO) {
        fprintf(stderr,
                "collector: no connection to the server: %s\ncheck the address and the "
                "network, then enroll again\n",
                err.msg);
        goto cleanup;
    }
    if (rc) {
        cli_error(&err);
        goto cleanup;
    }
    if (ans.status == 401) {
        fprintf(stderr,
                "collector: %s does not accept this token: it was mistyped, or it was "
                "revoked; ask your supervisor for a new one\n",
                url);
        status = EXIT_FAILED;
        goto cleanup;
    }
    if (ans.status != 200) {
        fprintf(stderr, "collector: %s answered %ld: %s\n", url, ans.status,
                net_error_message(&ans, msg, sizeof(msg)));
        status = ans.status >= 500 ? EXIT_TROUBLE : EXIT_FAILED;
        goto cleanup;
    }
    if (json_parse(&doc, ans.body, ans.len, "the server's answer", &err) ||
        !(user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "user"))) ||
        !(role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "role")))) {
        fprintf(stderr,
                "collector: %s is not a dieutra server, or an incompatible one (no user "
                "and role in its answer to /api/v1/whoami)\n",
                url);
        status = EXIT_FAILED;
        goto cleanup;
    }
    if (strcmp(role, "enumerator") != 0) {
        fprintf(stderr,
                "collector: this token belongs to %s, who is a%s %s on the server: the "
                "collector needs an enumerator's token; nothing was changed\n",
                user, strchr("aeiou", role[0]) ? "n" : "", role);
        status = EXIT_FAILED;
        goto cleanup;
    }
    if (csync_enroll(cs, url, token, user, pin, &reset, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    /* what the laptop seals its bundles and its recovery to (a server older than the key
     * sends none: setup --centre-key gives it) */
    const char *centre = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "centre_key"));
    if (centre && cstore_centre_key_set(cs, centre, &err)) {
        cli_error(&err);
        status = cmdline_exit_status(err.code);
        goto cleanup;
    }
    make_private(path);
    printf("enrolled on %s as %s (enumerator)\n", url, user);
    if (!reset)
        printf("same server and user as before: the next sync goes on where the last one "
               "stopped\n");
    if (pin)
        printf("the server's key is pinned (%s): a server with another key is refused\n", pin);
    if (cstore_get_meta(cs, "enumerator", &enumerator, &err) == DT_OK && !enumerator)
        printf("next: collector setup --enumerator \"YOUR NAME\"\n");
    status = EXIT_OK;
cleanup:
    sodium_memzero(token, sizeof(token));
    free(enumerator);
    cJSON_Delete(doc);
    net_answer_free(&ans);
    net_close(n);
    cstore_close(cs);
    return status;
}

const cmd_entry cmd_enroll = {
    .name = "enroll",
    .args = "URL TOKEN|- [--pin sha256//...] [--db PATH]",
    .summary = "check an enumerator's token with the server and keep it (- reads it from stdin)",
    .exec = exec,
};
