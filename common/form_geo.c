/* form_geo.c - what a form says of its geography: which question holds the area unit, where
 * its code is, and which table of units places it in the levels above */
#include "form_int.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

/* "sonla_2025": a file name in schema/geography without its .csv */
static int valid_table_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* The question geography.KEY names: checked, or -1 with the problem added. */
static int geo_question(form *f, const cJSON *name, const char *key, errlist *pr)
{
    int q = cJSON_IsString(name) ? form_find(f, name->valuestring) : -1;

    if (!cJSON_IsString(name)) {
        errlist_add(pr, "form", key, "expected the name of a question");
        return -1;
    }
    if (q < 0) {
        errlist_add(pr, "form", key, "unknown question '%s'", name->valuestring);
        return -1;
    }
    if (f->qs[q].repeat >= 0 ||
        (f->qs[q].type != Q_TEXT && f->qs[q].type != Q_INTEGER && f->qs[q].type != Q_SELECT_ONE)) {
        errlist_add(pr, "form", key,
                    "'%s' must be a text, integer or select_one question outside any repeat",
                    f->qs[q].name);
        return -1;
    }
    return q;
}

/* A question every form had before the declaration, when it is a text outside the roster. */
static int undeclared(const form *f, const char *name)
{
    int q = form_find(f, name);

    return q >= 0 && f->qs[q].repeat < 0 && f->qs[q].type == Q_TEXT ? q : -1;
}

int form_load_geography(form *f, const cJSON *doc, errlist *pr)
{
    static const char *const keys[] = {"area", "area_code", "table", "locality", NULL};
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(doc, "geography"), *it;
    const cJSON *code, *table;
    int q;

    f->area_q = -1;
    f->area_attr = -1;
    f->locality_q = -1;
    if (!g) { /* forms written before the declaration: the names they all used */
        f->area_q = undeclared(f, "commune_code");
        f->locality_q = undeclared(f, "village");
        return DT_OK;
    }
    if (!cJSON_IsObject(g))
        return errlist_add(pr, "form", "geography", "expected an object") ? DT_ENOMEM : DT_OK;
    cJSON_ArrayForEach(it, g)
    {
        int known = 0;
        for (int k = 0; keys[k]; k++)
            known |= !strcmp(it->string, keys[k]);
        if (!known && errlist_add(pr, "form", "geography", "unknown key '%s'", it->string))
            return DT_ENOMEM;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(g, "locality")))
        f->locality_q = geo_question(f, it, "geography.locality", pr);
    if ((q = geo_question(f, cJSON_GetObjectItemCaseSensitive(g, "area"), "geography.area", pr)) <
        0)
        return DT_OK;
    f->area_q = q;
    code = cJSON_GetObjectItemCaseSensitive(g, "area_code");
    if (code) {
        const form_list *l = f->qs[q].list;
        for (int a = 0; l && cJSON_IsString(code) && a < l->nattrs; a++)
            if (!strcmp(l->attr_names[a], code->valuestring))
                f->area_attr = a;
        if (f->area_attr < 0 &&
            errlist_add(pr, "form", "geography.area_code",
                        "expected an attribute of the choices of '%s' (the unit's code)",
                        f->qs[q].name))
            return DT_ENOMEM;
    }
    table = cJSON_GetObjectItemCaseSensitive(g, "table");
    if (table) {
        if (!cJSON_IsString(table) || !valid_table_name(table->valuestring))
            return errlist_add(pr, "form", "geography.table",
                               "expected the name of a table of units, like \"sonla_2025\"")
                       ? DT_ENOMEM
                       : DT_OK;
        if (!(f->geo_table = strdup(table->valuestring)))
            return DT_ENOMEM;
    }
    return DT_OK;
}

int form_area(const form *f)
{
    return f->area_q;
}

int form_locality(const form *f)
{
    return f->locality_q;
}

const form_choice *form_area_choice(const form *f, const char *code)
{
    const form_list *l = f->area_q >= 0 ? f->qs[f->area_q].list : NULL;

    for (int i = 0; l && f->area_attr >= 0 && i < l->nchoices; i++)
        if (!strcmp(l->choices[i].attr[f->area_attr], code))
            return &l->choices[i];
    return NULL;
}

const char *form_geo_table(const form *f)
{
    return f->geo_table;
}

const char *form_area_code(const form *f, const val *v, char *out, size_t size)
{
    const form_question *q;

    out[0] = '\0';
    if (f->area_q < 0 || !v || !v->has)
        return out;
    q = &f->qs[f->area_q];
    if (q->type == Q_TEXT) {
        snprintf(out, size, "%s", v->str);
    } else if (q->type == Q_SELECT_ONE && f->area_attr >= 0) {
        const form_choice *c = form_choice_find(q->list, (long long)v->num);
        if (c)
            snprintf(out, size, "%s", c->attr[f->area_attr]);
    } else {
        snprintf(out, size, "%lld", (long long)v->num);
    }
    return out;
}
