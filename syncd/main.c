/* main.c - syncd: the central sync daemon; dispatches to one file per subcommand */
#include "cmd.h"
#include "cmdline.h"
#include "version.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const cmd_entry *const commands[] = {
    &cmd_serve,          &cmd_user_add,        &cmd_user_list,     &cmd_user_revoke,
    &cmd_user_link,      &cmd_form_publish,    &cmd_assign_import, &cmd_review_list,
    &cmd_review_show,    &cmd_review_approve,  &cmd_review_reject, &cmd_review_resolve,
    &cmd_review_quality, &cmd_review_distinct, &cmd_tls_init,      &cmd_tls_pin,
    &cmd_import,         &cmd_export,          &cmd_indicators,    &cmd_check,
    &cmd_centre_key,     &cmd_recovery,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int cmd_usage(const cmd_entry *c)
{
    fprintf(stderr, "usage: syncd %s %s\n", c->name, c->args);
    return EXIT_USAGE;
}

static void help(FILE *out)
{
    fprintf(out, "syncd %s - the dieutra sync daemon\n\nusage: syncd COMMAND [ARGS]\n\n",
            DT_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-16s %-40s %s\n", commands[i]->name, commands[i]->args,
                commands[i]->summary);
    fprintf(out, "\n  --help           this text\n  --version        versions of the program and "
                 "its libraries\n\nManual: docs/syncd.md, protocol: docs/protocol.md\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("syncd %s\n", DT_VERSION);
        printf("  sqlite %s, cJSON %s, libmicrohttpd %s\n", sqlite3_libversion(), cJSON_Version(),
               MHD_get_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        int n = cmdline_words(commands[i]->name, argc - 1, argv + 1);
        if (n)
            return commands[i]->exec(argc - 1 - n, argv + 1 + n);
    }
    fprintf(stderr, "syncd: unknown command '%s' (see syncd --help)\n", argv[1]);
    return EXIT_USAGE;
}
