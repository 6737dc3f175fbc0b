/* cmd_serve.c - `collector serve`: the interview in a browser, on the loopback only, until
 * Ctrl-C or SIGTERM */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "ui.h"
#include "web.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *listen = "127.0.0.1:0", *lang_code = NULL;
    char secret[WEB_SECRET_LEN + 1];
    sigset_t stop;
    http_server *srv = NULL;
    web_app *app = NULL;
    cstore *cs;
    dt_err err;
    int port, lang, sig;

    for (int i = 0; i < argc; i++) {
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
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
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
    while (sigwait(&stop, &sig) != 0)
        ;
    web_stop(app, srv);
    cstore_close(cs);
    fprintf(stderr, "collector: stopped\n");
    return EXIT_OK;
}

const cmd_entry cmd_serve = {
    .name = "serve",
    .args = "[--listen 127.0.0.1:PORT] [--lang vi|en] [--db PATH]",
    .summary = "the interview in a browser on this laptop",
    .exec = exec,
};
