/* cstore_int.h - the local database's insides, shared by cstore.c and cstore_vault.c only */
#ifndef COLLECTOR_CSTORE_INT_H
#define COLLECTOR_CSTORE_INT_H

#include "cstore.h"
#include "vault.h"

struct cstore {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *save; /* the statement every answer goes through: prepared once */
    vault_sql vault;    /* the data key while unlocked; read by dt_seal() and dt_open() */
    char *vault_id;     /* names the store's session; NULL until a PIN is set */
};

/* The settings sealed like the interviews: the token would let a thief push and pull as the
 * enumerator. An SQL list, for "key IN ...". */
#define CSTORE_SEALED_META "('token')"

/* Reads whether the store has a PIN (meta vault_kdf) into cs->vault.sealed and its id. */
int cstore_vault_load(cstore *cs, dt_err *err);

#endif
