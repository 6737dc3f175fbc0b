/* controls.c - a calibration totals file read against the household form; a household's
 * values in its columns */
#include "controls.h"
#include "csv.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading */

static char *trimmed(const char *s)
{
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static int number(const char *s, double *out)
{
    char *end;

    *out = strtod(s, &end);
    return *s && !*end && isfinite(*out);
}

/* The category of a numeric question: "7", "15-24" or "65+". 0 when it is none of these. */
static int numeric_category(ctl_column *c)
{
    const char *s = c->category, *dash = strchr(s + (*s == '-'), '-');
    size_t n = strlen(s);
    char lo[64];

    if (n && s[n - 1] == '+' && n < sizeof(lo)) {
        snprintf(lo, sizeof(lo), "%.*s", (int)(n - 1), s);
        c->range = 1;
        c->hi = INFINITY;
        return number(lo, &c->lo);
    }
    if (dash && (size_t)(dash - s) < sizeof(lo)) {
        snprintf(lo, sizeof(lo), "%.*s", (int)(dash - s), s);
        c->range = 1;
        return number(lo, &c->lo) && number(dash + 1, &c->hi) && c->lo <= c->hi;
    }
    c->range = 0;
    return number(s, &c->lo) && (c->hi = c->lo, 1);
}

/* The margin's kind and question; a problem added when it is none of those allowed. */
static int margin_of(ctl_column *c, const form *f, errlist *problems, const char *where)
{
    static const struct {
        const char *name;
        ctl_kind kind;
    } fixed[] = {{"households", CTL_HOUSEHOLDS},
                 {"persons", CTL_PERSONS},
                 {"commune", CTL_COMMUNE},
                 {CTL_URBAN_RURAL, CTL_AREA}};

    c->q = -1;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (!strcmp(c->margin, fixed[i].name)) {
            c->kind = fixed[i].kind;
            return 0;
        }
    int q = form_find(f, c->margin);
    const form_question *fq = q >= 0 ? form_q(f, q) : NULL;
    c->kind = CTL_NONE; /* until it is found to be one */
    if (!fq)
        return errlist_add(problems, where, "margin",
                           "'%s' is not households, persons, commune, " CTL_URBAN_RURAL
                           " or a question of %s",
                           c->margin, form_id(f));
    if (fq->type != Q_SELECT_ONE && fq->type != Q_INTEGER && fq->type != Q_DECIMAL &&
        fq->type != Q_TEXT)
        return errlist_add(problems, where, "margin",
                           "%s is a %s: a margin is a select_one, integer, decimal or text "
                           "question (a household or person is in one category of it)",
                           c->margin, form_type_name(fq->type));
    if (fq->repeat >= 0 && form_q(f, fq->repeat)->repeat >= 0)
        return errlist_add(problems, where, "margin",
                           "%s is in a roster inside a roster: a margin counts households or "
                           "their members",
                           c->margin);
    c->q = q;
    c->kind = fq->repeat >= 0 ? CTL_MEMBER : CTL_QUESTION;
    c->numeric = fq->type != Q_TEXT;
    if (c->numeric && !numeric_category(c))
        return errlist_add(problems, where, "category",
                           "'%s' is not a number or a range (15-24, 65+) of %s", c->category,
                           c->margin);
    if (fq->type == Q_SELECT_ONE &&
        (c->range || c->lo != floor(c->lo) || !form_choice_find(fq->list, (long long)c->lo)))
        return errlist_add(problems, where, "category", "'%s' is not a choice of %s (list %s)",
                           c->category, c->margin, fq->list->name);
    return 0;
}

int ctl_column_make(ctl_column *c, const form *f, const char *margin, const char *category,
                    errlist *problems, const char *where)
{
    memset(c, 0, sizeof(*c));
    c->margin = trimmed(margin);
    c->category = trimmed(category);
    if (!c->margin || !c->category)
        return DT_ENOMEM;
    size_t before = problems->n;
    margin_of(c, f, problems, where);
    if (problems->n > before)
        return 0;
    if ((c->kind == CTL_HOUSEHOLDS || c->kind == CTL_PERSONS) && c->category[0])
        errlist_add(problems, where, "category", "%s takes no category (leave it empty)",
                    c->margin);
    if (c->kind == CTL_COMMUNE && !c->category[0])
        errlist_add(problems, where, "category", "the commune's code is missing");
    if (c->kind == CTL_AREA && strcmp(c->category, "urban") && strcmp(c->category, "rural"))
        errlist_add(problems, where, "category",
                    "'%s': " CTL_URBAN_RURAL " is urban (a ward) or rural (a commune)",
                    c->category);
    return 0;
}

void ctl_check_areas(const geo_table *t, errlist *problems, const char *where)
{
    for (int i = 0; i < geo_count(t); i++)
        if (geo_urban(geo_at(t, i)) < 0)
            errlist_add(problems, where, CTL_URBAN_RURAL,
                        "unit %s %s is neither a ward (Phường) nor a commune (Xã) by its name: "
                        "it would be in neither category",
                        geo_at(t, i)->code, geo_at(t, i)->name);
}

/* A commune is a unit of today; commune and urban_rural need a table of units. */
static void check_unit(const ctl_column *c, const form *f, const geo_table *units,
                       errlist *problems, const char *where)
{
    if (c->kind != CTL_COMMUNE && c->kind != CTL_AREA)
        return;
    if (!units)
        errlist_add(problems, where, "margin",
                    "%s needs a table of units, and version %d of %s declares none", c->margin,
                    form_version(f), form_id(f));
    else if (c->kind == CTL_COMMUNE && c->category[0] && !geo_find(units, c->category))
        errlist_add(problems, where, "category", "%s is not a unit of today in %s", c->category,
                    form_geo_table(f) ? form_geo_table(f) : "the table of units");
    else if (c->kind == CTL_AREA && !strcmp(c->category, "urban"))
        ctl_check_areas(units, problems, where);
}

static int add_row(ctl_totals *t, const char *const *fld, const int *at, int line, const form *f,
                   const geo_table *units, errlist *problems, size_t *cap)
{
    char where[32];
    ctl_column *c;

    snprintf(where, sizeof(where), "line %d", line);
    if (t->n == CTL_MAX_COLUMNS)
        return errlist_add(problems, where, "", "more than %d totals", CTL_MAX_COLUMNS);
    if (t->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        ctl_column *more = realloc(t->col, ncap * sizeof(*more));
        if (!more)
            return DT_ENOMEM;
        t->col = more;
        *cap = ncap;
    }
    c = &t->col[t->n];
    t->n++; /* ctl_free frees what was made */
    if (ctl_column_make(c, f, fld[at[0]], fld[at[1]], problems, where))
        return DT_ENOMEM;
    c->line = line;
    check_unit(c, f, units, problems, where);
    char *tot = trimmed(fld[at[2]]);
    if (!tot)
        return DT_ENOMEM;
    if (!number(tot, &c->total) || c->total < 0)
        errlist_add(problems, where, "total", "'%s' is not a number of at least 0", tot);
    free(tot);
    for (size_t k = 0; k + 1 < t->n; k++)
        if (!strcmp(t->col[k].margin, c->margin) && !strcmp(t->col[k].category, c->category))
            errlist_add(problems, where, "", "%s %s is given twice (line %d too)", c->margin,
                        c->category, t->col[k].line);
    return 0;
}

/* A select_one margin that lists every choice of its question, as full margins: their
 * totals must add up to the households (or persons) of every other full margin. */
static int is_full(const ctl_totals *t, const form *f, size_t k, double *sum)
{
    const ctl_column *c = &t->col[k];

    *sum = 0;
    if (c->kind == CTL_NONE)
        return 0;
    if (c->kind == CTL_HOUSEHOLDS || c->kind == CTL_PERSONS) {
        *sum = c->total;
        return 1;
    }
    if (c->q < 0 || form_q(f, c->q)->type != Q_SELECT_ONE)
        return 0;
    const form_list *l = form_q(f, c->q)->list;
    for (int i = 0; i < l->nchoices; i++) {
        int found = 0;
        for (size_t j = 0; j < t->n && !found; j++)
            if (t->col[j].q == c->q && t->col[j].lo == (double)l->choices[i].code) {
                *sum += t->col[j].total;
                found = 1;
            }
        if (!found)
            return 0;
    }
    return 1;
}

static void check_full(const ctl_totals *t, const form *f, errlist *problems)
{
    for (int persons = 0; persons < 2; persons++) {
        const ctl_column *first = NULL;
        double first_sum = 0, sum;
        for (size_t k = 0; k < t->n; k++) {
            const ctl_column *c = &t->col[k];
            int of_persons = c->kind == CTL_PERSONS || c->kind == CTL_MEMBER;
            int seen_before = 0;
            for (size_t j = 0; j < k; j++)
                seen_before |= !strcmp(t->col[j].margin, c->margin);
            if (of_persons != persons || seen_before || !is_full(t, f, k, &sum))
                continue;
            if (!first) {
                first = c;
                first_sum = sum;
            } else if (fabs(sum - first_sum) > 1e-9 * fmax(1.0, fabs(first_sum))) {
                char where[32];
                snprintf(where, sizeof(where), "line %d", c->line);
                errlist_add(problems, where, "total",
                            "margin %s adds up to %.10g %s, margin %s (line %d) to %.10g: "
                            "the weights cannot meet both",
                            c->margin, sum, persons ? "persons" : "households", first->margin,
                            first->line, first_sum);
            }
        }
    }
}

int ctl_read(ctl_totals *out, const char *path, const form *f, const geo_table *units,
             errlist *problems, dt_err *err)
{
    static const char *const names[] = {"margin", "category", "total"};
    csv_reader *r = NULL;
    const char *const *fld;
    size_t before = problems->n, cap = 0;
    int at[3], nf, rc;

    memset(out, 0, sizeof(*out));
    if ((rc = csv_open(&r, path, CTL_MAX_COLUMNS + 2, err)))
        return rc;
    nf = csv_header(r, &fld);
    for (int i = 0; i < 3; i++)
        if ((at[i] = csv_column(fld, nf, names[i])) < 0)
            errlist_add(problems, "line 1", names[i], "the header needs a column %s", names[i]);
    if (problems->n > before) {
        csv_close(r);
        return DT_EINVAL;
    }
    while ((rc = csv_next(r, &fld, &nf, err)) == 1)
        if ((rc = add_row(out, fld, at, csv_line(r), f, units, problems, &cap))) {
            rc = err_set(err, DT_ENOMEM, "out of memory");
            break;
        }
    csv_close(r);
    if (rc < 0) {
        ctl_free(out);
        return rc;
    }
    if (out->n == 0)
        errlist_add(problems, "line 2", "", "no totals in the file");
    check_full(out, f, problems);
    if (problems->n > before) {
        ctl_free(out);
        return DT_EINVAL;
    }
    return DT_OK;
}

void ctl_free(ctl_totals *t)
{
    for (size_t k = 0; t && k < t->n; k++) {
        free(t->col[k].margin);
        free(t->col[k].category);
    }
    if (t) {
        free(t->col);
        memset(t, 0, sizeof(*t));
    }
}

/* ---- a household's values */

/* Whether answer v is in column c's category. */
static int in_category(const ctl_column *c, const cJSON *v)
{
    if (!v)
        return 0;
    double d;

    if (c->numeric) {
        if (cJSON_IsNumber(v))
            d = v->valuedouble;
        else if (!cJSON_IsString(v) || !number(v->valuestring, &d))
            return 0;
        return d >= c->lo && d <= c->hi;
    }
    return cJSON_IsString(v) && !strcmp(v->valuestring, c->category);
}

/* The household's members: the instances of the form's first roster at the top. */
static double members(const form *f, const cJSON *answers)
{
    for (int q = 0; q < form_nquestions(f); q++)
        if (form_q(f, q)->type == Q_REPEAT && form_q(f, q)->repeat < 0)
            return cJSON_GetArraySize(
                cJSON_GetObjectItemCaseSensitive(answers, form_q(f, q)->name));
    return 0;
}

int ctl_member_in(const ctl_column *c, const form *f, const cJSON *member)
{
    return in_category(c, cJSON_GetObjectItemCaseSensitive(member, form_q(f, c->q)->name));
}

double ctl_value(const ctl_column *c, const form *f, const cJSON *answers, const geo_unit *unit)
{
    double v = 0;

    switch (c->kind) {
    case CTL_HOUSEHOLDS:
        return 1;
    case CTL_PERSONS:
        return members(f, answers);
    case CTL_COMMUNE:
        return unit && !strcmp(unit->code, c->category);
    case CTL_AREA:
        return unit && geo_urban(unit) == !strcmp(c->category, "urban");
    case CTL_QUESTION:
        return in_category(c, cJSON_GetObjectItemCaseSensitive(answers, form_q(f, c->q)->name));
    case CTL_NONE:
        return 0;
    case CTL_MEMBER:
        break;
    }
    const form_question *fq = form_q(f, c->q);
    const cJSON *roster = cJSON_GetObjectItemCaseSensitive(answers, form_q(f, fq->repeat)->name);
    const cJSON *m;
    cJSON_ArrayForEach(m, roster) v += ctl_member_in(c, f, m);
    return v;
}

size_t ctl_row(const ctl_totals *t, const form *f, const cJSON *answers, const geo_unit *unit,
               size_t *cols, double *vals)
{
    size_t n = 0;

    for (size_t k = 0; k < t->n; k++) {
        double v = ctl_value(&t->col[k], f, answers, unit);
        if (v != 0) {
            cols[n] = k;
            vals[n++] = v;
        }
    }
    return n;
}
