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

#define PIN_ENV     "DIEUTRA_PIN" /* the PIN for scripts and tests; people type it */
#define CLI_PIN_MAX 256

/* Opens the database for a command and unlocks it (the session, else the PIN: $DIEUTRA_PIN or
 * typed, three tries), printing the error and returning NULL on failure. A store without a PIN
 * opens with a warning. */
cstore *cli_open(const char *given_db);
/* The same without unlocking: for what reads nothing sealed (setup, forms, the PIN itself). */
cstore *cli_open_locked(const char *given_db);

/* Unlocks cs as cli_open does: 0, or -1 with the reason printed. */
int cli_unlock(cstore *cs);

/* A PIN: $DIEUTRA_PIN, else typed after prompt on the terminal without echo: 0, or -1 without
 * either. cli_new_pin asks for a new one twice (and checks its length). */
int cli_read_pin(const char *prompt, char *out, size_t size);
int cli_new_pin(char *out, size_t size);

/* Prints "collector: MESSAGE" on stderr. */
void cli_error(const dt_err *err);

#endif
