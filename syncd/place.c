/* place.c - where a case lies in the units of today */
#include "place.h"

#include "value.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A name of the frame (a village, an assignment id) and the unit of today it is in. */
typedef struct named_unit {
    char *name; /* owned */
    const geo_unit *unit;
} named_unit;

typedef struct named_list {
    named_unit *v;
    size_t n, cap;
} named_list;

struct placer {
    store *s;
    const form *today;                /* owned by the store */
    geo_table *table;                 /* owned; NULL when today's version declares none */
    named_list villages, assignments; /* sorted by name */
    int en;                           /* today's English labels, or -1 */
    int vi;
};

const char *place_how_name(place_how h)
{
    static const char *const names[] = {"as_recorded", "mapped",  "by_frame",
                                        "ambiguous",   "unknown", "no_table"};
    return h >= PLACE_AS_RECORDED && h <= PLACE_NO_TABLE ? names[h] : "unknown";
}

void place_print_counts(FILE *fp, const char *table, const long placed[PLACE_NO_TABLE + 1])
{
    fprintf(fp,
            "Units of today (%s): %ld case%s recorded in them, %ld placed from a former unit, "
            "%ld by the frame's village; %ld ambiguous, %ld unknown.\n",
            table, placed[PLACE_AS_RECORDED], placed[PLACE_AS_RECORDED] == 1 ? "" : "s",
            placed[PLACE_MAPPED], placed[PLACE_BY_FRAME], placed[PLACE_AMBIGUOUS],
            placed[PLACE_UNKNOWN]);
}

/* A village as the frame and the answers write it, compared without case (ASCII) and with
 * runs of spaces as one: "Bản  Áng " is "bản áng". out holds at least strlen(s) + 1 bytes. */
static void fold(const char *s, char *out)
{
    size_t n = 0;

    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            if (n && out[n - 1] != ' ')
                out[n++] = ' ';
            continue;
        }
        out[n++] = (char)tolower((unsigned char)*s);
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static int named_add(named_list *l, const char *name, const geo_unit *u)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        named_unit *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return DT_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n].name = strdup(name)))
        return DT_ENOMEM;
    l->v[l->n++].unit = u;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const named_unit *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->unit->code, y->unit->code);
}

/* The first entry called name, or NULL. */
static const named_unit *named_find(const named_list *l, const char *name)
{
    size_t lo = 0, hi = l->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(l->v[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && !strcmp(l->v[lo].name, name) ? &l->v[lo] : NULL;
}

static void named_free(named_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
}

/* A text answer, or a number written as text, of the top-level question q; "" when none. */
static void answer_text(const form *f, int q, const cJSON *answers, char *out, size_t size)
{
    const cJSON *v = q >= 0 ? cJSON_GetObjectItemCaseSensitive(answers, form_q(f, q)->name) : NULL;

    out[0] = '\0';
    if (cJSON_IsString(v))
        snprintf(out, size, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(out, size, "%.0f", v->valuedouble);
}

/* Each assignment whose unit is one of today: by its id, and its village. */
static int add_assignment(void *ctx, const store_frame_row *row)
{
    placer *p = ctx;
    const geo_unit *u = geo_find(p->table, row->commune_code);
    char village[512], folded[512];
    cJSON *prefill;
    int rc;

    if (!u)
        return 0;
    if ((rc = named_add(&p->assignments, row->assignment_id, u)))
        return rc;
    if (!(prefill = cJSON_Parse(row->prefill)))
        return 0; /* the store only keeps prefills it wrote: nothing to read a village from */
    answer_text(p->today, form_locality(p->today), prefill, village, sizeof(village));
    cJSON_Delete(prefill);
    fold(village, folded);
    return folded[0] ? named_add(&p->villages, folded, u) : 0;
}

/* Sorted, each (village, unit) once. */
static void settle(named_list *l)
{
    size_t k = 0;

    if (l->n)
        qsort(l->v, l->n, sizeof(*l->v), by_name);
    for (size_t i = 0; i < l->n; i++) {
        if (k && !strcmp(l->v[k - 1].name, l->v[i].name) && l->v[k - 1].unit == l->v[i].unit) {
            free(l->v[i].name);
            continue;
        }
        l->v[k++] = l->v[i];
    }
    l->n = k;
}

int placer_open(placer **out, store *s, const char *form_id, dt_err *err)
{
    placer *p = calloc(1, sizeof(*p));
    int rc;

    *out = NULL;
    if (!p)
        return err_set(err, DT_ENOMEM, "out of memory");
    p->s = s;
    if ((rc = store_form_latest(s, form_id, &p->today, err)))
        goto fail;
    p->vi = form_lang_index(p->today, "vi");
    p->en = form_lang_index(p->today, "en");
    if (p->vi < 0)
        p->vi = 0;
    if (p->en < 0)
        p->en = p->vi;
    if (form_geo_table(p->today)) {
        if ((rc = geo_builtin(&p->table, form_geo_table(p->today), err)))
            goto fail;
        if ((rc = store_each_assignment(s, form_id, add_assignment, p, err)))
            goto fail;
        settle(&p->assignments);
        settle(&p->villages);
    }
    *out = p;
    return 0;
fail:
    if (rc == DT_ENOMEM)
        err_set(err, DT_ENOMEM, "out of memory reading the frame");
    placer_close(p);
    return rc;
}

void placer_close(placer *p)
{
    if (!p)
        return;
    geo_free(p->table);
    named_free(&p->villages);
    named_free(&p->assignments);
    free(p);
}

const form *placer_form(const placer *p)
{
    return p->today;
}

const geo_table *placer_table(const placer *p)
{
    return p->table;
}

/* The area code a case recorded, through its own version's declaration. */
static void recorded_code(const form *f, const cJSON *answers, char *out, size_t size)
{
    int q = form_area(f);
    const cJSON *j = q >= 0 ? cJSON_GetObjectItemCaseSensitive(answers, form_q(f, q)->name) : NULL;
    char why[128];
    val v = {0};

    out[0] = '\0';
    if (j && !val_from_json(&v, form_q(f, q), j, why, sizeof(why)))
        form_area_code(f, &v, out, size);
    val_free(&v);
}

/* A split former unit: the case's assignment, else its village, when the frame puts it in
 * exactly one of the candidates. */
static const geo_unit *by_frame(const placer *p, const store_case_row *row, const place_result *r)
{
    const named_unit *a =
        row->assignment_id ? named_find(&p->assignments, row->assignment_id) : NULL;
    const geo_unit *found = NULL;
    char folded[sizeof(r->locality)];

    for (int i = 0; a && i < r->ncands; i++)
        if (r->cands[i] == a->unit)
            return a->unit;
    fold(r->locality, folded);
    if (!folded[0])
        return NULL;
    for (const named_unit *v = named_find(&p->villages, folded);
         v && v < p->villages.v + p->villages.n && !strcmp(v->name, folded); v++)
        for (int i = 0; i < r->ncands; i++)
            if (r->cands[i] == v->unit) {
                if (found && found != v->unit)
                    return NULL; /* a village of that name in two candidates */
                found = v->unit;
            }
    return found;
}

int placer_place(placer *p, const store_case_row *row, const cJSON *answers, place_result *out,
                 dt_err *err)
{
    const form *f = p->today;
    int rc;

    if (row->form_version != form_version(p->today) &&
        (rc = store_form_get(p->s, row->form_id, row->form_version, &f, err))) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    placer_place_form(p, f, row, answers, out);
    return 0;
}

/* A former unit's name, as the first unit of today it went into lists it. */
static const char *former_name(const place_result *r)
{
    const geo_unit *u = r->unit ? r->unit : r->ncands ? r->cands[0] : NULL;

    return u ? geo_pred_name(u, r->recorded) : NULL;
}

void placer_place_form(const placer *p, const form *f, const store_case_row *row,
                       const cJSON *answers, place_result *out)
{
    const char *table;

    memset(out, 0, sizeof(*out));
    recorded_code(f, answers, out->recorded, sizeof(out->recorded));
    answer_text(f, form_locality(f), answers, out->locality, sizeof(out->locality));
    if (!p->table) {
        out->how = PLACE_NO_TABLE;
        return;
    }
    table = form_geo_table(f);
    if (table && !strcmp(table, form_geo_table(p->today))) {
        out->unit = geo_find(p->table, out->recorded);
        out->how = out->unit ? PLACE_AS_RECORDED : PLACE_UNKNOWN;
        out->recorded_name = out->unit ? out->unit->name : NULL;
    } else {
        switch (geo_place(p->table, out->recorded, out->cands, PLACE_CANDS, &out->ncands)) {
        case GEO_PLACED:
            out->unit = out->cands[0];
            out->how = PLACE_MAPPED;
            break;
        case GEO_SPLIT:
            out->unit = by_frame(p, row, out);
            out->how = out->unit ? PLACE_BY_FRAME : PLACE_AMBIGUOUS;
            break;
        default:
            out->how = PLACE_UNKNOWN;
        }
        out->recorded_name = former_name(out);
    }
    if (out->unit) {
        out->ncands = 0;
        geo_districts(out->unit, out->districts, sizeof(out->districts));
    }
}

void placer_place_code(const placer *p, const char *code, place_result *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->recorded, sizeof(out->recorded), "%s", code);
    if (!p->table) {
        out->how = PLACE_NO_TABLE;
        return;
    }
    if ((out->unit = geo_find(p->table, code))) {
        out->how = PLACE_AS_RECORDED;
        out->recorded_name = out->unit->name;
    } else {
        switch (geo_place(p->table, code, out->cands, PLACE_CANDS, &out->ncands)) {
        case GEO_PLACED:
            out->unit = out->cands[0];
            out->recorded_name = former_name(out);
            out->ncands = 0;
            out->how = PLACE_MAPPED;
            break;
        case GEO_SPLIT:
            out->recorded_name = former_name(out);
            out->how = PLACE_AMBIGUOUS;
            break;
        default:
            out->how = PLACE_UNKNOWN;
        }
    }
    if (out->unit)
        geo_districts(out->unit, out->districts, sizeof(out->districts));
}

const char *placer_unit_name(const placer *p, const geo_unit *u, int en)
{
    const form_choice *c = form_area_choice(p->today, u->code);

    return c ? c->label[en ? p->en : p->vi] : u->name;
}

const char *placer_districts_name(const placer *p, const char *districts, int en, char *out,
                                  size_t size)
{
    size_t at = 0;
    const char *s = districts;

    out[0] = '\0';
    while (*s && at < size) {
        char code[GEO_CODE_MAX];
        size_t len = strcspn(s, "+");
        const char *name;
        int n;

        snprintf(code, sizeof(code), "%.*s", (int)(len < sizeof(code) ? len : 0), s);
        name = p->table ? geo_above_name(p->table, code, en) : NULL;
        n = snprintf(out + at, size - at, "%s%s", at ? " + " : "", name ? name : code);
        if (n < 0)
            break;
        at += (size_t)n;
        s += len + (s[len] == '+');
    }
    return out;
}
