/* geo_builtin.c - the tables of units the programs carry (schema/geography), by name */
#include "embedded.h"
#include "geo.h"

#include <string.h>

static const struct {
    const char *name, *units, *above;
} builtin[] = {
    {"sonla_2025", embed_geography_sonla_2025_csv, embed_geography_sonla_2025_above_csv},
};

const char *geo_builtin_name(int i)
{
    return i >= 0 && (size_t)i < sizeof(builtin) / sizeof(builtin[0]) ? builtin[i].name : NULL;
}

int geo_builtin(geo_table **out, const char *name, dt_err *err)
{
    errlist problems = {0};
    int rc;

    *out = NULL;
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        if (strcmp(builtin[i].name, name) != 0)
            continue;
        rc = geo_load(out, name, builtin[i].units, strlen(builtin[i].units), &problems, err);
        if (!rc)
            rc = geo_load_above(*out, name, builtin[i].above, strlen(builtin[i].above), &problems,
                                err);
        if (rc && problems.n) /* a table shipped broken: say its first problem */
            err_set(err, rc, "%s: %s: %s", problems.items[0].where, problems.items[0].what,
                    problems.items[0].msg);
        if (rc) {
            geo_free(*out);
            *out = NULL;
        }
        errlist_free(&problems);
        return rc;
    }
    return err_set(err, DT_ENOTFOUND,
                   "no table of units called '%s' (the programs carry: sonla_2025)", name);
}
