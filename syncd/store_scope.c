/* store_scope.c - who may see which cases: a supervisor's communes, widened to the former
 * units their areas were made from, so that cases taken before a reform stay in scope */
#include "geo.h"
#include "store_int.h"

#include <pthread.h>
#include <string.h>

#define MAX_TABLES 8

/* The tables the programs carry, loaded once for the process (read-only after). A table
 * that fails to load widens nothing: the scope is then the supervisor's codes as written. */
static geo_table *tables[MAX_TABLES];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void load_tables(void)
{
    const char *name;
    dt_err err;

    for (int i = 0, n = 0; n < MAX_TABLES && (name = geo_builtin_name(i)); i++)
        if (geo_builtin(&tables[n], name, &err) == DT_OK)
            n++;
}

/* Appends ",code" for code and, where code is a unit of today in a table, for every former
 * unit its area came from (wholly or in part: a split former commune is in the scope of the
 * supervisors of each of its halves, who see its cases until one of them decides). */
static void add_code(sqlite3_str *out, const char *code, size_t len)
{
    char c[GEO_CODE_MAX];
    const geo_unit *u;

    sqlite3_str_appendf(out, "%.*s,", (int)len, code);
    if (len >= sizeof(c))
        return;
    memcpy(c, code, len);
    c[len] = '\0';
    for (int t = 0; t < MAX_TABLES && tables[t]; t++)
        if ((u = geo_find(tables[t], c)))
            for (int p = 0; p < u->npreds; p++)
                if (strcmp(u->preds[p].code, c) != 0)
                    sqlite3_str_appendf(out, "%s,", u->preds[p].code);
}

int st_bind_scope(sqlite3_stmt *st, const store_user *u, dt_err *err)
{
    sqlite3_str *list;
    char *text;

    if (u->role == ROLE_ENUMERATOR)
        return err_set(err, DT_EINVAL, "forbidden: an enumerator cannot review cases (HTTP 403)");
    sqlite3_bind_int(st, 1, u->role != ROLE_SUPERVISOR);
    pthread_once(&tables_once, load_tables);
    list = sqlite3_str_new(NULL);
    sqlite3_str_appendchar(list, 1, ',');
    for (const char *p = u->communes; *p;) {
        size_t n = strcspn(p, ",");
        if (n)
            add_code(list, p, n);
        p += n + (p[n] == ',');
    }
    if (sqlite3_str_errcode(list)) {
        sqlite3_free(sqlite3_str_finish(list));
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    text = sqlite3_str_finish(list);
    if (sqlite3_bind_text(st, 2, text, -1, sqlite3_free) != SQLITE_OK)
        return err_set(err, DT_ENOMEM, "out of memory");
    return DT_OK;
}
