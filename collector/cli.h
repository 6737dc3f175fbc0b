/* cli.h - what every collector command shares: finding and opening the database, identity */
#ifndef COLLECTOR_CLI_H
#define COLLECTOR_CLI_H

#include "cstore.h"

#define DB_ENV "DIEUTRA_DB" /* overrides the default database path */

/* Removes "--db PATH" from argv (shifting the rest), so commands parse only their own
 * options. Returns the path given, or NULL. */
const char *cli_take_db(int *argc, char **argv);

/* The database path: --db, else $DIEUTRA_DB, else $XDG_DATA_HOME/dieutra/collector.db
 * (default ~/.local/share/dieutra/collector.db), creating the folder. Writes into out. */
int cli_db_path(char *out, size_t size, const char *given, dt_err *err);

/* Opens the database for a command, printing the error and returning NULL on
 * failure. */
cstore *cli_open(const char *given_db);

/* Prints "collector: MESSAGE" on stderr. */
void cli_error(const dt_err *err);

#endif
