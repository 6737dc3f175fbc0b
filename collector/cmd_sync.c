/* cmd_sync.c - `collector sync`: one sync (syncrun.c) on the terminal */
#include "cli.h"
#include "cmd.h"
#include "cmdline.h"
#include "syncrun.h"

#include <string.h>
#include <unistd.h>

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    cstore *cs;
    int quiet = 0, status;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            quiet = 1;
        else
            return cmd_usage(&cmd_sync);
    }
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    status = syncrun(cs, stdout, stderr, quiet, isatty(STDOUT_FILENO));
    cstore_close(cs);
    return status;
}

const cmd_entry cmd_sync = {
    .name = "sync",
    .args = "[--quiet] [--db PATH]",
    .summary = "send finished interviews to the server; receive forms, assignments, decisions",
    .exec = exec,
};
