/* sconf.h - what syncd's commands share: finding and opening the store, reporting errors */
#ifndef SYNCD_SCONF_H
#define SYNCD_SCONF_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "store.h"

/* The user the command line acts as: an administrator called "admin" (whoever can run
 * syncd on the server's machine can read its database anyway). */
extern const store_user sconf_admin;

/* Removes every "--db PATH" from argv and returns the last PATH, or NULL. */
const char *sconf_take_db(int *argc, char **argv);

/* Removes "NAME VALUE" from argv and returns VALUE (NULL when absent); *bad is set to 1
 * when NAME is the last word (no value follows). */
const char *sconf_take_opt(int *argc, char **argv, const char *name, int *bad);

/* The store's path: config_db_path without a config file: given (--db), else
 * $DIEUTRA_SYNCD_DB, else /var/lib/dieutra/syncd.db when that folder can be written, else
 * $XDG_STATE_HOME/dieutra/syncd.db (~/.local/state/dieutra/syncd.db), whose folder is
 * made. */
int sconf_db_path(char *out, size_t size, const char *given, dt_err *err);

/* Finds and opens the store; on failure prints why and returns NULL. */
store *sconf_open(const char *given);

/* Prints "syncd: MESSAGE" on stderr. */
void sconf_error(const dt_err *err);

/* Prints s and a space, padded to width characters (not bytes: names are UTF-8). */
void sconf_column(const char *s, size_t width);

#endif
