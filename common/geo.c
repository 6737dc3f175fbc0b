/* geo.c - a table of area units and their predecessors */
#include "geo.h"

#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEO_MAX_LINES 200000

/* One former unit as a unit of today names it: the index sorted by code that geo_place and
 * the checks read. */
typedef struct geo_former {
    const char *code;
    const char *name;
    int unit; /* index into units */
    int partial;
} geo_former;

typedef struct geo_above {
    char code[GEO_CODE_MAX];
    char *name[2]; /* vi, en */
} geo_above;

struct geo_table {
    geo_unit *units;
    int n, cap;
    int *by_code;       /* unit indexes sorted by code */
    geo_former *former; /* every (former unit, unit of today) pair, sorted by former code */
    int nformer;
    int ndistinct;    /* distinct former codes */
    geo_above *above; /* names of the former units of the level above */
    int nabove;
};

static int valid_code(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= GEO_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void unit_free(geo_unit *u)
{
    free(u->name);
    free(u->districts);
    for (int i = 0; i < u->npreds; i++)
        free(u->preds[i].name);
    free(u->preds);
}

void geo_free(geo_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        unit_free(&t->units[i]);
    free(t->units);
    free(t->by_code);
    free(t->former);
    for (int i = 0; i < t->nabove; i++) {
        free(t->above[i].name[0]);
        free(t->above[i].name[1]);
    }
    free(t->above);
    free(t);
}

/* "122+125" into u->districts; 0, or -1 with the problem added. */
static int parse_districts(geo_unit *u, const char *text, errlist *pr, const char *where)
{
    const char *p = text;

    if (!*text)
        return 0;
    for (;;) {
        size_t len = strcspn(p, "+");
        void *grown = realloc(u->districts, (size_t)(u->ndistricts + 1) * GEO_CODE_MAX);
        if (!grown)
            return DT_ENOMEM;
        u->districts = grown;
        if (len == 0 || len >= GEO_CODE_MAX) {
            errlist_add(pr, where, text, "old_district_codes: expected codes joined by '+'");
            return DT_ERR;
        }
        memcpy(u->districts[u->ndistricts], p, len);
        u->districts[u->ndistricts][len] = '\0';
        if (!valid_code(u->districts[u->ndistricts])) {
            errlist_add(pr, where, text, "old_district_codes: '%s' is not a code",
                        u->districts[u->ndistricts]);
            return DT_ERR;
        }
        u->ndistricts++;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* One "CODE:NAME(full|partial)" item of old_units, len bytes at item. */
static int parse_pred(geo_unit *u, const char *item, size_t len, errlist *pr, const char *where)
{
    const char *colon = memchr(item, ':', len), *open = NULL;
    geo_pred *grown, *g;
    size_t clen;

    for (size_t i = len; i > 0; i--)
        if (item[i - 1] == '(') {
            open = item + i - 1;
            break;
        }
    if (!colon || !open || open < colon || item[len - 1] != ')') {
        errlist_add(pr, where, "", "old_units: '%.*s' is not CODE:NAME(full) or (partial)",
                    (int)len, item);
        return DT_ERR;
    }
    if (!(grown = realloc(u->preds, (size_t)(u->npreds + 1) * sizeof(*grown))))
        return DT_ENOMEM;
    u->preds = grown;
    g = &u->preds[u->npreds];
    memset(g, 0, sizeof(*g));
    clen = (size_t)(colon - item);
    if (clen >= GEO_CODE_MAX) {
        errlist_add(pr, where, "", "old_units: '%.*s': the code is too long", (int)len, item);
        return DT_ERR;
    }
    memcpy(g->code, item, clen);
    g->code[clen] = '\0';
    if (!(g->name = strndup(colon + 1, (size_t)(open - colon - 1))))
        return DT_ENOMEM;
    u->npreds++;
    size_t tlen = (size_t)(item + len - 1 - open - 1);
    if (!valid_code(g->code) || !*g->name) {
        errlist_add(pr, where, "", "old_units: '%.*s': expected a code and a name", (int)len, item);
        return DT_ERR;
    }
    if (tlen == 4 && !memcmp(open + 1, "full", 4))
        g->partial = 0;
    else if (tlen == 7 && !memcmp(open + 1, "partial", 7))
        g->partial = 1;
    else {
        errlist_add(pr, where, "", "old_units: '%.*s': the part is (full) or (partial)", (int)len,
                    item);
        return DT_ERR;
    }
    return 0;
}

static int parse_row(geo_table *t, const char *const *f, const int *col, errlist *pr,
                     const char *where)
{
    geo_unit *u;
    int rc = 0, own = 0;

    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        geo_unit *grown = realloc(t->units, (size_t)cap * sizeof(*grown));
        if (!grown)
            return DT_ENOMEM;
        t->units = grown;
        t->cap = cap;
    }
    u = &t->units[t->n];
    memset(u, 0, sizeof(*u));
    t->n++;
    if (!valid_code(f[col[0]])) {
        errlist_add(pr, where, f[col[0]], "new_code: expected a code of 1-15 digits");
        return DT_ERR;
    }
    strcpy(u->code, f[col[0]]);
    if (!(u->name = strdup(f[col[1]])))
        return DT_ENOMEM;
    if (!*u->name)
        errlist_add(pr, where, u->code, "new_name: empty");
    if ((rc = parse_districts(u, f[col[2]], pr, where)) == DT_ENOMEM)
        return rc;
    for (const char *p = f[col[3]]; *p;) {
        size_t len = strcspn(p, ";");
        if (len && (rc = parse_pred(u, p, len, pr, where)) == DT_ENOMEM)
            return rc;
        p += len + (p[len] == ';');
    }
    for (int i = 0; i < u->npreds; i++)
        own |= !strcmp(u->preds[i].code, u->code);
    if (!own)
        errlist_add(pr, where, u->code,
                    "a unit keeps the code of one of the units it was made from: %s is not "
                    "among its old_units",
                    u->code);
    return 0;
}

static const geo_table *sort_table; /* qsort has no context argument */

static int by_unit_code(const void *a, const void *b)
{
    return strcmp(sort_table->units[*(const int *)a].code, sort_table->units[*(const int *)b].code);
}

static int by_former_code(const void *a, const void *b)
{
    const geo_former *x = a, *y = b;
    int c = strcmp(x->code, y->code);

    return c ? c : x->unit - y->unit;
}

/* The indexes, and the checks that need them: no unit twice, each former unit whole in one
 * unit or in part in several, under one name. */
static int index_table(geo_table *t, const char *name, errlist *pr)
{
    int k = 0;

    t->by_code = malloc((size_t)(t->n ? t->n : 1) * sizeof(int));
    for (int i = 0; i < t->n; i++)
        t->nformer += t->units[i].npreds;
    t->former = malloc((size_t)(t->nformer ? t->nformer : 1) * sizeof(*t->former));
    if (!t->by_code || !t->former)
        return DT_ENOMEM;
    for (int i = 0; i < t->n; i++) {
        t->by_code[i] = i;
        for (int j = 0; j < t->units[i].npreds; j++) {
            const geo_pred *g = &t->units[i].preds[j];
            t->former[k++] = (geo_former){g->code, g->name, i, g->partial};
        }
    }
    sort_table = t;
    qsort(t->by_code, (size_t)t->n, sizeof(int), by_unit_code);
    qsort(t->former, (size_t)t->nformer, sizeof(*t->former), by_former_code);
    for (int i = 1; i < t->n; i++)
        if (!strcmp(t->units[t->by_code[i]].code, t->units[t->by_code[i - 1]].code))
            errlist_add(pr, name, t->units[t->by_code[i]].code, "this unit is listed twice");
    for (int i = 0; i < t->nformer;) {
        int j = i, partial = 0, whole = 0;
        while (j < t->nformer && !strcmp(t->former[j].code, t->former[i].code)) {
            partial += t->former[j].partial;
            whole += !t->former[j].partial;
            if (strcmp(t->former[j].name, t->former[i].name) != 0)
                errlist_add(pr, name, t->former[i].code, "a former unit with two names: %s, %s",
                            t->former[i].name, t->former[j].name);
            j++;
        }
        if (whole > 1 || (whole && partial))
            errlist_add(pr, name, t->former[i].code,
                        "former unit %s went whole into one unit and into another too",
                        t->former[i].code);
        else if (partial == 1)
            errlist_add(pr, name, t->former[i].code,
                        "former unit %s is (partial) in one unit only: where is the rest?",
                        t->former[i].code);
        t->ndistinct++;
        i = j;
    }
    return 0;
}

int geo_load(geo_table **out, const char *name, const char *data, size_t len, errlist *problems,
             dt_err *err)
{
    static const char *const cols[] = {"new_code", "new_name", "old_district_codes",
                                       "old_units(code:name(type))"};
    csv_reader *r = NULL;
    geo_table *t = calloc(1, sizeof(*t));
    const char *const *f;
    size_t before = problems->n;
    int col[4], nf, rc;
    char where[512];

    *out = NULL;
    if (!t)
        return err_set(err, DT_ENOMEM, "out of memory");
    if ((rc = csv_open_mem(&r, name, data, len, GEO_MAX_LINES, err)))
        goto fail;
    nf = csv_header(r, &f);
    for (int i = 0; i < 4; i++)
        if ((col[i] = csv_column(f, nf, cols[i])) < 0)
            errlist_add(problems, name, "", "the header has no column %s", cols[i]);
    if (problems->n > before) {
        rc = err_set(err, DT_EINVAL, "%s: not a table of units", name);
        goto fail;
    }
    while ((rc = csv_next(r, &f, &nf, err)) == 1) {
        snprintf(where, sizeof(where), "%s: line %d", name, csv_line(r));
        if ((rc = parse_row(t, f, col, problems, where)) == DT_ENOMEM)
            break;
    }
    if (rc < 0) { /* out of memory, or the file is not CSV (err says where) */
        if (rc == DT_ENOMEM)
            err_set(err, DT_ENOMEM, "out of memory");
        goto fail;
    }
    if (index_table(t, name, problems)) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto fail;
    }
    if (problems->n > before) {
        rc = err_set(err, DT_EINVAL, "%s: %zu problem%s", name, problems->n - before,
                     problems->n - before == 1 ? "" : "s");
        goto fail;
    }
    csv_close(r);
    *out = t;
    return DT_OK;
fail:
    csv_close(r);
    geo_free(t);
    return rc ? rc : DT_EINVAL;
}

int geo_count(const geo_table *t)
{
    return t->n;
}

const geo_unit *geo_at(const geo_table *t, int i)
{
    return i >= 0 && i < t->n ? &t->units[i] : NULL;
}

int geo_former_count(const geo_table *t)
{
    return t->ndistinct;
}

const geo_unit *geo_find(const geo_table *t, const char *code)
{
    int lo = 0, hi = t->n - 1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(t->units[t->by_code[mid]].code, code);
        if (c == 0)
            return &t->units[t->by_code[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

geo_place_result geo_place(const geo_table *t, const char *former_code, const geo_unit **cands,
                           int max, int *ncands)
{
    int lo = 0, hi = t->nformer;

    *ncands = 0;
    while (lo < hi) { /* the first pair with this code */
        int mid = lo + (hi - lo) / 2;
        if (strcmp(t->former[mid].code, former_code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (int i = lo; i < t->nformer && !strcmp(t->former[i].code, former_code); i++)
        if (*ncands < max)
            cands[(*ncands)++] = &t->units[t->former[i].unit];
    if (*ncands == 0)
        return GEO_UNKNOWN;
    return t->former[lo].partial ? GEO_SPLIT : GEO_PLACED;
}

/* One row of the names of the level above; 0 (a problem is added to pr) or DT_ENOMEM. */
static int above_row(geo_table *t, const char *const *f, const int *col, errlist *pr,
                     const char *where)
{
    geo_above *grown, *a;

    if (!valid_code(f[col[0]])) {
        errlist_add(pr, where, f[col[0]], "code: expected a code of 1-15 digits");
        return 0;
    }
    if (geo_above_name(t, f[col[0]], 0)) {
        errlist_add(pr, where, f[col[0]], "this unit is listed twice");
        return 0;
    }
    if (!(grown = realloc(t->above, (size_t)(t->nabove + 1) * sizeof(*grown))))
        return DT_ENOMEM;
    t->above = grown;
    a = &t->above[t->nabove];
    memset(a, 0, sizeof(*a));
    strcpy(a->code, f[col[0]]);
    t->nabove++;
    a->name[0] = strdup(f[col[1]]);
    a->name[1] = strdup(*f[col[2]] ? f[col[2]] : f[col[1]]);
    if (!a->name[0] || !a->name[1])
        return DT_ENOMEM;
    if (!*a->name[0])
        errlist_add(pr, where, a->code, "name_vi: empty");
    return 0;
}

int geo_load_above(geo_table *t, const char *name, const char *data, size_t len, errlist *problems,
                   dt_err *err)
{
    static const char *const cols[] = {"code", "name_vi", "name_en"};
    csv_reader *r = NULL;
    const char *const *f;
    size_t before = problems->n;
    int col[3], nf, rc;
    char where[512];

    if ((rc = csv_open_mem(&r, name, data, len, GEO_MAX_LINES, err)))
        return rc;
    nf = csv_header(r, &f);
    for (int i = 0; i < 3; i++)
        if ((col[i] = csv_column(f, nf, cols[i])) < 0)
            errlist_add(problems, name, "", "the header has no column %s", cols[i]);
    while (problems->n == before && (rc = csv_next(r, &f, &nf, err)) == 1) {
        snprintf(where, sizeof(where), "%s: line %d", name, csv_line(r));
        if ((rc = above_row(t, f, col, problems, where)) == DT_ENOMEM)
            break;
    }
    for (int i = 0; rc >= 0 && i < t->n; i++)
        for (int d = 0; d < t->units[i].ndistricts; d++)
            if (!geo_above_name(t, t->units[i].districts[d], 0))
                errlist_add(problems, name, t->units[i].districts[d],
                            "unit %s came from %s, which has no name here", t->units[i].code,
                            t->units[i].districts[d]);
    csv_close(r);
    if (rc == DT_ENOMEM)
        return err_set(err, DT_ENOMEM, "out of memory");
    if (rc < 0)
        return rc;
    if (problems->n > before)
        return err_set(err, DT_EINVAL, "%s: %zu problem%s", name, problems->n - before,
                       problems->n - before == 1 ? "" : "s");
    return DT_OK;
}

const char *geo_above_name(const geo_table *t, const char *code, int en)
{
    for (int i = 0; i < t->nabove; i++)
        if (!strcmp(t->above[i].code, code))
            return t->above[i].name[en ? 1 : 0];
    return NULL;
}

const char *geo_pred_name(const geo_unit *u, const char *code)
{
    for (int i = 0; i < u->npreds; i++)
        if (!strcmp(u->preds[i].code, code))
            return u->preds[i].name;
    return NULL;
}

const char *geo_districts(const geo_unit *u, char *out, size_t size)
{
    size_t at = 0;

    out[0] = '\0';
    for (int d = 0; d < u->ndistricts && at < size; d++) {
        int n = snprintf(out + at, size - at, "%s%s", d ? "+" : "", u->districts[d]);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    return out;
}

int geo_urban(const geo_unit *u)
{
    static const char *const urban[] = {"Phường ", "Thị trấn "};
    const char *n = u && u->name ? u->name : "";

    for (size_t i = 0; i < sizeof(urban) / sizeof(urban[0]); i++)
        if (!strncmp(n, urban[i], strlen(urban[i])))
            return 1;
    return strncmp(n, "Xã ", strlen("Xã ")) ? -1 : 0;
}
