/* form_data.c - the tables a form carries for pulldata(): "data" in the JSON form, each a CSV
 * the XLSForm had beside it (docs/form-format.md), looked up by a key column */
#include "form_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_MAX_TABLES 32
#define DATA_MAX_ROWS   100000

static int col_of(const form_data *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c], name))
            return c;
    return -1;
}

/* The row's value of a column as text: a string as it is, a number as JSON prints it. */
static char *cell_text(const cJSON *v)
{
    char tmp[64];

    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        expr_format_number(v->valuedouble, tmp, sizeof(tmp));
        return strdup(tmp);
    }
    return NULL;
}

/* The columns of table t: every key its rows use, in the order met. */
static int table_columns(form_data *t, const cJSON *rows)
{
    const cJSON *r, *c;

    cJSON_ArrayForEach(r, rows) cJSON_ArrayForEach(c, r)
    {
        if (col_of(t, c->string) >= 0)
            continue;
        char **cols = realloc(t->cols, sizeof(char *) * (size_t)(t->ncols + 1));
        if (!cols)
            return DT_ENOMEM;
        t->cols = cols;
        if (!(t->cols[t->ncols] = strdup(c->string)))
            return DT_ENOMEM;
        t->ncols++;
    }
    return DT_OK;
}

static int load_table(form_data *t, const cJSON *rows, const char *where, errlist *pr)
{
    const cJSON *r, *c;
    int k = 0, rc;

    if (!cJSON_IsArray(rows))
        return errlist_add(pr, where, "data", "expected an array of rows (objects)");
    if (cJSON_GetArraySize(rows) > DATA_MAX_ROWS)
        return errlist_add(pr, where, "data", "more than %d rows", DATA_MAX_ROWS);
    cJSON_ArrayForEach(r, rows)
    {
        if (!cJSON_IsObject(r))
            return errlist_add(pr, where, "data", "row %d: expected an object", k + 1);
        cJSON_ArrayForEach(c, r) if (!cJSON_IsString(c) && !cJSON_IsNumber(c)) return errlist_add(
            pr, where, "data", "row %d: %s: expected text or a number", k + 1, c->string);
        k++;
    }
    if ((rc = table_columns(t, rows)))
        return rc;
    t->nrows = k;
    if (!(t->cells = calloc((size_t)k * (size_t)(t->ncols ? t->ncols : 1), sizeof(char *))))
        return DT_ENOMEM;
    k = 0;
    cJSON_ArrayForEach(r, rows)
    {
        cJSON_ArrayForEach(c, r) if (!(t->cells[k * t->ncols + col_of(t, c->string)] =
                                           cell_text(c))) return DT_ENOMEM;
        k++;
    }
    return DT_OK;
}

int form_load_data(form *f, const cJSON *doc, errlist *pr)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data"), *t;
    int rc;

    if (!data)
        return DT_OK;
    if (!cJSON_IsObject(data))
        return errlist_add(pr, "form", "data", "expected an object of tables by name");
    if (cJSON_GetArraySize(data) > DATA_MAX_TABLES)
        return errlist_add(pr, "form", "data", "more than %d tables", DATA_MAX_TABLES);
    if (!(f->data = calloc((size_t)cJSON_GetArraySize(data) + 1, sizeof(form_data))))
        return DT_ENOMEM;
    cJSON_ArrayForEach(t, data)
    {
        char where[96];
        form_data *d = &f->data[f->ndata++];
        snprintf(where, sizeof(where), "data.%.64s", t->string);
        if (!(d->name = strdup(t->string)))
            return DT_ENOMEM;
        if ((rc = load_table(d, t, where, pr)))
            return rc;
    }
    return DT_OK;
}

void form_free_data(form *f)
{
    for (int i = 0; i < f->ndata; i++) {
        form_data *t = &f->data[i];
        for (int k = 0; t->cells && k < t->nrows * t->ncols; k++)
            free(t->cells[k]);
        for (int c = 0; c < t->ncols; c++)
            free(t->cols[c]);
        free(t->cells);
        free(t->cols);
        free(t->name);
    }
    free(f->data);
}

int form_data_find(const form *f, const char *name)
{
    for (int i = 0; i < f->ndata; i++)
        if (!strcmp(f->data[i].name, name))
            return i;
    return -1;
}

const char *form_data_lookup(const form *f, int table, const char *col, const char *key_col,
                             const char *key)
{
    const form_data *t;
    int c, k;

    if (table < 0 || table >= f->ndata)
        return NULL;
    t = &f->data[table];
    if ((c = col_of(t, col)) < 0 || (k = col_of(t, key_col)) < 0)
        return NULL;
    for (int r = 0; r < t->nrows; r++) { /* the first row whose key matches, as ODK's */
        const char *v = t->cells[r * t->ncols + k];
        if (v && !strcmp(v, key))
            return t->cells[r * t->ncols + c] ? t->cells[r * t->ncols + c] : "";
    }
    return NULL;
}
