/* main.c - syncd: the central sync daemon (HTTP API, merge, review, exports) */
#include "version.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out, "syncd %s - the dieutra sync daemon\n\n", DT_VERSION);
    fprintf(out, "usage: syncd COMMAND [ARGS]\n\n"
                 "  --help      this text\n"
                 "  --version   versions of the program and its libraries\n\n"
                 "The HTTP service, users, review and exports arrive with their issues;\n"
                 "see docs/architecture.md.\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("syncd %s\n", DT_VERSION);
        printf("  sqlite %s, cJSON %s, libmicrohttpd %s\n", sqlite3_libversion(), cJSON_Version(),
               MHD_get_version());
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        help(stdout);
        return 0;
    }
    help(stderr);
    if (argc >= 2)
        fprintf(stderr, "syncd: unknown command '%s'\n", argv[1]);
    return 2;
}
