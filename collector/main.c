/* main.c - collector: the enumerator's offline program; dispatches to one file per subcommand */
#include "cmd.h"
#include "cmdline.h"
#include "version.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const cmd_entry *const commands[] = {
    &cmd_setup,        &cmd_interview,    &cmd_list,          &cmd_show,
    &cmd_edit,         &cmd_import,       &cmd_status,        &cmd_serve,
    &cmd_enroll,       &cmd_sync,         &cmd_bundle_export, &cmd_assignments_import,
    &cmd_assignments,  &cmd_form_check,   &cmd_form_simulate, &cmd_form_install,
    &cmd_form_convert, &cmd_check,        &cmd_unlock,        &cmd_lock,
    &cmd_pin_set,      &cmd_pin_recovery, &cmd_pin_reset,     &cmd_query,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int cmd_usage(const cmd_entry *c)
{
    fprintf(stderr, "usage: collector %s %s\n", c->name, c->args);
    return EXIT_USAGE;
}

static void help(FILE *out)
{
    fprintf(out, "collector %s - offline household interviews for dieutra\n\n", DT_VERSION);
    fprintf(out, "usage: collector COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-16s %-28s %s\n", commands[i]->name, commands[i]->args,
                commands[i]->summary);
    fprintf(out, "\n  --help           this text\n  --version        versions of the "
                 "program and its libraries\n\nManual: docs/cli.md\n");
}

static void version(void)
{
    printf("collector %s\n", DT_VERSION);
    printf("  sqlite %s, cJSON %s, %s\n", sqlite3_libversion(), cJSON_Version(), curl_version());
}

int main(int argc, char **argv)
{
    umask(077); /* the database, its log, bundles: private to the enumerator's account */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        version();
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        int n = cmdline_words(commands[i]->name, argc - 1, argv + 1);
        if (n)
            return commands[i]->exec(argc - 1 - n, argv + 1 + n);
    }
    fprintf(stderr, "collector: unknown command '%s' (see collector --help)\n", argv[1]);
    return EXIT_USAGE;
}
