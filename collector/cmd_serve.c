/* cmd_serve.c - `collector serve`: the interview in a browser, on the loopback only, until
 * Ctrl-C or SIGTERM */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "ui.h"
#include "web.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* A page of the user's own (0600) that sends the browser to the first address: the
 * secret is never on a command line, where another account would read it in ps. Its path
 * in path (size bytes), or "" when it could not be written. */
static void write_opener(char *path, size_t size, int port, const char *secret)
{
    const char *dir = getenv("XDG_RUNTIME_DIR");
    char page[512];
    int fd, n;

    path[0] = '\0';
    if (!dir || !*dir)
        return;
    snprintf(path, size, "%s/dieutra-collector-open.html", dir);
    n = snprintf(page, sizeof(page),
                 "<!DOCTYPE html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
                 "content=\"0;url=http://127.0.0.1:%d/open?k=%s\"><title>dieutra</title>\n",
                 port, secret);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (fd < 0 || write(fd, page, (size_t)n) != n) {
        if (fd >= 0)
            close(fd);
        unlink(path);
        path[0] = '\0';
        return;
    }
    close(fd);
}

/* Where a desktop is (a display and xdg-open), opens the first address in the browser. */
static void open_browser(char *opener, size_t size, int port, const char *secret)
{
    char *args[] = {"xdg-open", opener, NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;

    opener[0] = '\0';
    if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
        return;
    write_opener(opener, size, port, secret);
    if (!opener[0])
        return;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    /* not waited for: some xdg-open stay until the browser closes */
    if (posix_spawnp(&pid, "xdg-open", &fa, NULL, args, environ) != 0) {
        unlink(opener);
        opener[0] = '\0';
    }
    posix_spawn_file_actions_destroy(&fa);
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *listen = "127.0.0.1:0", *lang_code = NULL;
    char secret[WEB_SECRET_LEN + 1], opener[1024];
    int no_open = 0;
    sigset_t stop;
    http_server *srv = NULL;
    web_app *app = NULL;
    cstore *cs;
    dt_err err;
    int port, lang, sig;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--no-open")) {
            no_open = 1;
            continue;
        }
        const char **slot = !strcmp(argv[i], "--listen") ? &listen
                            : !strcmp(argv[i], "--lang") ? &lang_code
                                                         : NULL;
        if (!slot || i + 1 >= argc)
            return cmd_usage(&cmd_serve);
        *slot = argv[++i];
    }
    if ((lang = ui_lang_parse(lang_code)) < 0) {
        fprintf(stderr, "collector: --lang: expected vi or en, not '%s'\n", lang_code);
        return EXIT_USAGE;
    }
    if (!(cs = cli_open_locked(db)))
        return EXIT_TROUBLE;
    /* the PIN: this session's, or $DIEUTRA_PIN; else the page asks for it */
    if ((cstore_lock_state(cs) != CSTORE_LOCKED || getenv(PIN_ENV) || cstore_unlock_session(cs)) &&
        cli_unlock(cs)) {
        cstore_close(cs);
        return EXIT_TROUBLE;
    }
    /* the server's thread inherits the mask: only this thread takes the signals */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (web_start(&app, &srv, &port, secret, cs, listen, lang, &err)) {
        cli_error(&err);
        cstore_close(cs);
        return err.code == DT_EINVAL ? EXIT_USAGE : EXIT_TROUBLE;
    }
    printf("collector: open http://127.0.0.1:%d/open?k=%s in the browser "
           "(Ctrl-C stops; every answer is saved as it is given)\n",
           port, secret);
    fflush(stdout);
    opener[0] = '\0';
    if (!no_open)
        open_browser(opener, sizeof(opener), port, secret);
    while (sigwait(&stop, &sig) != 0)
        ;
    if (opener[0]) {
        unlink(opener);
        while (waitpid(-1, NULL, WNOHANG) > 0) /* xdg-open, done by now */
            ;
    }
    web_stop(app, srv);
    cstore_close(cs);
    fprintf(stderr, "collector: stopped\n");
    return EXIT_OK;
}

const cmd_entry cmd_serve = {
    .name = "serve",
    .args = "[--listen 127.0.0.1:PORT] [--lang vi|en] [--no-open] [--db PATH]",
    .summary = "the interview in a browser on this laptop",
    .exec = exec,
};
