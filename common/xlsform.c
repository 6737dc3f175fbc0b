/* xlsform.c - an XLSForm workbook as the JSON form (see xlsform.h). The sheets are read into
 * tables of text first (a header row, then rows by their number), then each row becomes a
 * question or a choice; what the JSON form then checks (names, expressions, cycles) is the
 * loader's, named back by row. */
#include "xlsform_int.h"
#include "form.h"
#include "json.h"
#include "xlsx.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- a sheet as a table of texts */

typedef struct reading {
    xf_table *t;
    const char *file;
    errlist *problems;
    long head_row; /* the first row that holds something: the header */
} reading;

void xf_table_free(xf_table *t)
{
    for (int c = 0; c < XF_COLS_MAX; c++)
        free(t->head[c]);
    while (t->mem) {
        xf_chunk *next = t->mem->next;
        free(t->mem);
        t->mem = next;
    }
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

/* n bytes from t's chunks (zeroed), aligned for pointers; NULL when out of memory. A sheet's
 * ten thousand cells are a few allocations, not one each (bench_xlsform). */
static void *table_alloc(xf_table *t, size_t n)
{
    xf_chunk *c = t->mem;

    n = (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
    if (!c || c->size - c->used < n) {
        size_t size = n > 60000 ? n : 60000;
        if (!(c = calloc(1, sizeof(*c) + size)))
            return NULL;
        c->size = size;
        c->next = t->mem;
        t->mem = c;
    }
    c->used += n;
    return c->data + c->used - n;
}

xf_row *xf_table_add_row(xf_table *t, long num)
{
    xf_row *r;

    if (t->nrows == t->cap) {
        long cap = t->cap ? t->cap * 2 : 64;
        xf_row *more = realloc(t->rows, (size_t)cap * sizeof(*more));
        if (!more)
            return NULL;
        t->rows = more;
        t->cap = cap;
    }
    r = &t->rows[t->nrows];
    /* One block: the cells' pointers, then their number flags. */
    if (!(r->cell = table_alloc(t, (size_t)(t->ncols ? t->ncols : 1) * (sizeof(char *) + 1))))
        return NULL;
    r->isnum = (unsigned char *)(r->cell + (t->ncols ? t->ncols : 1));
    r->num = num;
    t->nrows++;
    return r;
}

/* A date serial (days since 1899-12-30) as "YYYY-MM-DD" into out. */
static void serial_date(double serial, char *out, size_t size)
{
    time_t t = (time_t)((floor(serial) - 25569.0) * 86400.0);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

int xf_keep(xf_table *t, char **cell, const char *v)
{
    size_t n;

    while (isspace((unsigned char)*v))
        v++;
    n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (n) {
        if (!(*cell = table_alloc(t, n + 1)))
            return DT_ENOMEM;
        memcpy(*cell, v, n); /* the chunk is zeroed: the NUL is there */
    }
    return 0;
}

/* Leading and trailing spaces off (in place). */
static char *trim(char *s)
{
    size_t n = strlen(s);

    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static int take_cell(void *ctx, const xlsx_cell *c)
{
    reading *rd = ctx;
    xf_table *t = rd->t;
    char where[96], date[16];
    const char *v = c->text;

    if (c->col > XF_COLS_MAX || c->kind == XLSX_NO_VALUE || c->kind == XLSX_ERROR ||
        c->kind == XLSX_MERGED) {
        snprintf(where, sizeof(where), "%s row %ld", t->sheet, c->row);
        if (c->kind == XLSX_MERGED)
            return errlist_add(rd->problems, where, "",
                               "cells %s are merged: only the first holds a value, the others "
                               "read as empty; unmerge them and fill each cell",
                               c->text);
        if (c->col > XF_COLS_MAX)
            return errlist_add(rd->problems, where, "", "more than %d columns", XF_COLS_MAX);
        if (c->kind == XLSX_NO_VALUE)
            return errlist_add(rd->problems, where, "",
                               "a formula saved without its value (%s): open "
                               "the file in a spreadsheet and save it again",
                               c->text);
        return errlist_add(rd->problems, where, "", "the cell holds an error (%s)", c->text);
    }
    if (c->kind == XLSX_BOOL)
        v = c->num ? "true" : "false";
    else if (c->kind == XLSX_NUMBER && c->is_date) {
        serial_date(c->num, date, sizeof(date));
        v = date;
    }
    if (!rd->head_row)
        rd->head_row = c->row;
    if (c->row == rd->head_row) {
        if (!(t->head[c->col - 1] = strdup(v)))
            return DT_ENOMEM;
        char *h = t->head[c->col - 1];
        memmove(h, trim(h), strlen(trim(h)) + 1);
        if (c->col > t->ncols)
            t->ncols = c->col;
        return 0;
    }
    if (c->col > t->ncols) /* a column without a header: nothing reads it */
        return 0;
    if ((!t->nrows || t->rows[t->nrows - 1].num != c->row) && !xf_table_add_row(t, c->row))
        return DT_ENOMEM;
    if (xf_keep(t, &t->rows[t->nrows - 1].cell[c->col - 1], v))
        return DT_ENOMEM;
    t->rows[t->nrows - 1].isnum[c->col - 1] = c->kind == XLSX_NUMBER && !c->is_date;
    return 0;
}

/* Reads sheet name into t; 0 when there is none (t stays empty), DT_ENOMEM or the reader's. */
static int read_table(xlsx *x, const char *name, xf_table *t, const char *file, errlist *problems,
                      dt_err *err)
{
    reading rd = {.t = t, .file = file, .problems = problems};
    int i = xlsx_sheet_find(x, name), rc;

    t->sheet = name;
    if (i < 0)
        return 0;
    rc = xlsx_sheet_read(x, i, take_cell, &rd, err);
    xf_table_index(t);
    if (rc == DT_ENOMEM)
        err_set(err, DT_ENOMEM, "out of memory");
    return rc;
}

/* FNV-1a of name, case-folded, as an index slot. */
static unsigned slot_of(const char *name)
{
    unsigned h = 2166136261u;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ (unsigned)tolower(*p)) * 16777619u;
    return h % XF_INDEX;
}

static void lang_code(const char *name, char *out, size_t size);

void xf_table_index(xf_table *t)
{
    memset(t->index, 0, sizeof(t->index));
    for (int c = t->ncols - 1; c >= 0; c--) { /* the first of equal headers wins */
        if (!t->head[c])
            continue;
        const char *sep = strstr(t->head[c], "::");
        size_t base = sep ? (size_t)(sep - t->head[c]) : strlen(t->head[c]);
        t->base_len[c] = (unsigned char)(base < 255 ? base : 255);
        t->lang[c][0] = '\0';
        if (sep)
            lang_code(sep + 2, t->lang[c], sizeof(t->lang[c]));
        unsigned k = slot_of(t->head[c]);
        while (t->index[k] && strcasecmp(t->head[t->index[k] - 1], t->head[c]))
            k = (k + 1) % XF_INDEX;
        t->index[k] = (short)(c + 1);
    }
}

/* Every row reads its columns by name: one lookup in the index instead of a compare per
 * column (bench_xlsform). */
int xf_column(const xf_table *t, const char *name)
{
    for (unsigned k = slot_of(name); t->index[k]; k = (k + 1) % XF_INDEX)
        if (!strcasecmp(t->head[t->index[k] - 1], name))
            return t->index[k] - 1;
    return -1;
}

/* The trimmed text of row r's column name, or "" (never NULL). */
const char *xf_get(const xf_table *t, const xf_row *r, const char *name)
{
    return xf_at(r, xf_column(t, name));
}

const char *xf_at(const xf_row *r, int c)
{
    return c >= 0 && r->cell[c] ? r->cell[c] : "";
}

void xf_add_str(xf_build *b, cJSON *q, const char *key, const char *v)
{
    if (*v && !cJSON_AddStringToObject(q, key, v))
        b->oom = 1;
}

/* ---- languages: label::Tiếng Việt (vi), label::en, label */

/* The language code of "Tiếng Việt (vi)" ("vi"), or of "en" itself, into out. */
static void lang_code(const char *name, char *out, size_t size)
{
    const char *open = strrchr(name, '('), *close = strrchr(name, ')');

    if (open && close > open + 1)
        snprintf(out, size, "%.*s", (int)(close - open - 1), open + 1);
    else
        snprintf(out, size, "%s", name);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

static int lang_add(xf_langs *L, const char *code)
{
    for (int i = 0; i < L->n; i++)
        if (!strcmp(L->code[i], code))
            return i;
    if (L->n == XF_LANGS_MAX)
        return -1;
    snprintf(L->code[L->n], sizeof(L->code[0]), "%s", code);
    return L->n++;
}

/* The form's languages from every "X::LANG" header of survey and choices; the default
 * language (settings) first. */
static void find_langs(xf_langs *L, const xf_table *survey, const xf_table *choices,
                       const char *deflt)
{
    const xf_table *ts[] = {survey, choices};
    char code[16];

    if (*deflt) {
        lang_code(deflt, code, sizeof(code));
        lang_add(L, code);
    }
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < ts[k]->ncols; c++) {
            const char *h = ts[k]->head[c], *sep = h ? strstr(h, "::") : NULL;
            if (sep) {
                lang_code(sep + 2, code, sizeof(code));
                lang_add(L, code);
            }
        }
    if (L->n == 0)
        lang_add(L, "en"); /* a form in one language that does not say which */
    L->deflt = 0;
}

/* The texts of column base ("label") of a row: {"vi": ..., "en": ...}, or NULL when none. */
cJSON *xf_texts(const xf_table *t, const xf_row *r, const char *base, const xf_langs *L)
{
    cJSON *o = NULL;

    size_t bl = strlen(base);

    for (int c = 0; c < t->ncols; c++) {
        const char *h = t->head[c], *v = r->cell[c];
        if (!h || !v || !*v || t->base_len[c] != bl || strncasecmp(h, base, bl) != 0)
            continue;
        const char *code = t->lang[c][0] ? t->lang[c] : L->code[L->deflt];
        if (!o && !(o = cJSON_CreateObject()))
            return NULL;
        if (!cJSON_GetObjectItemCaseSensitive(o, code))
            cJSON_AddStringToObject(o, code, v);
    }
    return o;
}

/* ---- rows as questions */

struct xlsform_rows {
    char **name;
    long *row;
    long n, cap;
};

void xlsform_rows_free(xlsform_rows *rows)
{
    if (!rows)
        return;
    for (long i = 0; i < rows->n; i++)
        free(rows->name[i]);
    free(rows->name);
    free(rows->row);
    free(rows);
}

int xf_rows_add(xlsform_rows *rows, const char *name, long num)
{
    if (rows->n == rows->cap) {
        long cap = rows->cap ? rows->cap * 2 : 64;
        char **n = realloc(rows->name, (size_t)cap * sizeof(*n));
        long *r;
        if (!n)
            return DT_ENOMEM;
        rows->name = n;
        if (!(r = realloc(rows->row, (size_t)cap * sizeof(*r))))
            return DT_ENOMEM;
        rows->row = r;
        rows->cap = cap;
    }
    if (!(rows->name[rows->n] = strdup(name)))
        return DT_ENOMEM;
    rows->row[rows->n++] = num;
    return 0;
}

int xlsform_name_rows(errlist *problems, const xlsform_rows *rows)
{
    for (size_t i = 0; i < problems->n; i++)
        for (long k = 0; k < rows->n; k++)
            if (!strcmp(problems->items[i].where, rows->name[k])) {
                char where[256], *copy;
                snprintf(where, sizeof(where), "survey row %ld (%s)", rows->row[k], rows->name[k]);
                if (!(copy = strdup(where)))
                    return DT_ENOMEM;
                free(problems->items[i].where);
                problems->items[i].where = copy;
                break;
            }
    return 0;
}

void xf_choice_lists(xf_build *b, const xf_table *t, const char *list)
{
    for (long i = 0; i < t->nrows && !b->oom; i++) {
        const xf_row *r = &t->rows[i];
        const char *l = list ? list : xf_get(t, r, "list_name"), *name = xf_get(t, r, "name");
        char where[160], *end;
        long long code = strtoll(name, &end, 10);
        cJSON *arr, *c;

        if (!*l && !*name)
            continue;
        snprintf(where, sizeof(where), "%s %s %ld", t->sheet, list ? "line" : "row", r->num);
        if (!*l) {
            errlist_add(b->problems, where, "list_name", "missing");
            continue;
        }
        if (!*name || *end) {
            errlist_add(b->problems, where, "name",
                        "dieutra codes choices with whole numbers, which statisticians get with "
                        "the labels ('%s' is not one)",
                        name);
            continue;
        }
        if (!(arr = cJSON_GetObjectItemCaseSensitive(b->lists, l)))
            arr = cJSON_AddArrayToObject(b->lists, l);
        if (!arr || !(c = cJSON_CreateObject())) {
            b->oom = 1;
            break;
        }
        cJSON_AddNumberToObject(c, "code", (double)code);
        cJSON *label = xf_texts(t, r, "label", b->L);
        if (label)
            cJSON_AddItemToObject(c, "label", label);
        for (int k = 0; k < t->ncols; k++) {
            const char *h = t->head[k], *v = r->cell[k] ? r->cell[k] : "";
            if (!h || !*v || !strcasecmp(h, "list_name") || !strcasecmp(h, "name") ||
                !strncasecmp(h, "label", 5) || !strncasecmp(h, "image", 5) ||
                !strncasecmp(h, "media", 5) || !strncasecmp(h, "audio", 5))
                continue;
            /* a number cell is a number; a text cell stays text ("03980" keeps its zero) */
            if (r->isnum[k])
                cJSON_AddNumberToObject(c, h, strtod(v, NULL));
            else
                cJSON_AddStringToObject(c, h, v);
        }
        cJSON_AddItemToArray(arr, c);
    }
}

/* dieutra's own settings columns: refusal, household_key (names apart by spaces or commas),
 * geography_area, geography_area_code, geography_table, geography_locality (form-format.md). */
static void dieutra_settings(xf_build *b, const xf_table *s, const xf_row *r, cJSON *doc)
{
    const char *key = xf_get(s, r, "household_key"), *area = xf_get(s, r, "geography_area");

    xf_add_str(b, doc, "refusal", xf_get(s, r, "refusal"));
    xf_add_str(b, doc, "instance_name", xf_get(s, r, "instance_name"));
    if (*key) {
        cJSON *names = cJSON_AddArrayToObject(doc, "household_key");
        char word[128];
        for (const char *p = key; names && *p;) {
            size_t n = strcspn(p, " ,");
            if (n && n < sizeof(word)) {
                snprintf(word, sizeof(word), "%.*s", (int)n, p);
                cJSON_AddItemToArray(names, cJSON_CreateString(word));
            }
            p += n;
            p += strspn(p, " ,");
        }
    }
    if (*area) {
        cJSON *g = cJSON_AddObjectToObject(doc, "geography");
        if (!g) {
            b->oom = 1;
            return;
        }
        xf_add_str(b, g, "area", area);
        xf_add_str(b, g, "area_code", xf_get(s, r, "geography_area_code"));
        xf_add_str(b, g, "table", xf_get(s, r, "geography_table"));
        xf_add_str(b, g, "locality", xf_get(s, r, "geography_locality"));
    }
}

/* The settings sheet's first row: id, version, title. */
static void settings(xf_build *b, const xf_table *s, cJSON *doc, const char *file)
{
    const xf_row *r = s->nrows ? &s->rows[0] : NULL;
    const char *id = r ? xf_get(s, r, "form_id") : "", *version = r ? xf_get(s, r, "version") : "";
    const char *title = r ? xf_get(s, r, "form_title") : "";
    char where[64], *end, idbuf[128];
    long long v = strtoll(version, &end, 10);

    snprintf(where, sizeof(where), "settings row %ld", r ? r->num : 2L);
    if (!*id) { /* XLSForm names the form after its file then */
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        snprintf(idbuf, sizeof(idbuf), "%.*s", (int)strcspn(base, "."), base);
        id = idbuf;
    }
    xf_add_str(b, doc, "id", id);
    if (!*version)
        errlist_add(b->problems, where, "version",
                    "missing: every version of a questionnaire has its own number");
    else if (*end || v < 1)
        errlist_add(b->problems, where, "version", "expected a whole number from 1, not '%s'",
                    version);
    else
        cJSON_AddNumberToObject(doc, "version", (double)v);
    cJSON *codes = cJSON_AddArrayToObject(doc, "languages");
    cJSON *given = r ? xf_texts(s, r, "form_title", b->L) : NULL;
    cJSON *t = cJSON_AddObjectToObject(doc, "title");
    for (int i = 0; codes && t && i < b->L->n; i++) {
        const char *own = cJSON_GetStringValue(cJSON_GetObjectItem(given, b->L->code[i]));
        cJSON_AddItemToArray(codes, cJSON_CreateString(b->L->code[i]));
        cJSON_AddStringToObject(t, b->L->code[i], own ? own : *title ? title : id);
    }
    cJSON_Delete(given);
    if (r)
        dieutra_settings(b, s, r, doc);
}

int xlsform_read(const char *path, cJSON **out, xlsform_rows **rows_out, errlist *problems,
                 dt_err *err)
{
    xf_table survey = {0}, choices = {0}, sets = {0}, external = {0};
    xlsx *x = NULL;
    xf_langs L = {0};
    cJSON *doc = NULL;
    xlsform_rows *rows = calloc(1, sizeof(*rows));
    char dir[4096];
    xf_build b = {.survey = &survey,
                  .choices = &choices,
                  .L = &L,
                  .dir = dir,
                  .problems = problems,
                  .rows = rows};
    size_t before = problems->n;
    long i = 0;
    int rc;

    *out = NULL;
    *rows_out = NULL;
    if (!rows)
        return err_set(err, DT_ENOMEM, "out of memory");
    snprintf(dir, sizeof(dir), "%.*s", strrchr(path, '/') ? (int)(strrchr(path, '/') - path) : 0,
             path);
    if ((rc = xlsx_open(&x, path, err)) ||
        (rc = read_table(x, "survey", &survey, path, problems, err)) ||
        (rc = read_table(x, "choices", &choices, path, problems, err)) ||
        (rc = read_table(x, "settings", &sets, path, problems, err)) ||
        (rc = read_table(x, "external_choices", &external, path, problems, err)))
        goto cleanup;
    if (xlsx_sheet_find(x, "survey") < 0) {
        errlist_add(problems, "survey", "", "the workbook has no sheet named survey (it has %s%s)",
                    xlsx_sheet_name(x, 0), xlsx_sheet_count(x) > 1 ? ", ..." : "");
        rc = DT_EINVAL;
        goto cleanup;
    }
    if (xf_column(&survey, "type") < 0 || xf_column(&survey, "name") < 0)
        errlist_add(problems, "survey row 1", "", "the header needs the columns type and name");
    find_langs(&L, &survey, &choices,
               sets.nrows ? xf_get(&sets, &sets.rows[0], "default_language") : "");
    if (!(doc = cJSON_CreateObject())) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    settings(&b, &sets, doc, path);
    /* The lists before the questions, as a form file has them; those of files beside the
     * workbook join as the questions name them. */
    if ((b.lists = cJSON_AddObjectToObject(doc, "choices"))) {
        xf_choice_lists(&b, &choices, NULL);
        xf_choice_lists(&b, &external, NULL);
    }
    cJSON *qs = cJSON_AddArrayToObject(doc, "questions");
    b.doc = doc;
    if (qs && b.lists)
        xf_questions(&b, &i, qs, NULL, 0);
    if (b.lists && cJSON_GetArraySize(b.lists) == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "choices");
    if (b.oom || !qs || !b.lists)
        rc = err_set(err, DT_ENOMEM, "out of memory");
    else if (problems->n > before)
        rc = DT_EINVAL;
cleanup:
    if (rc == DT_EINVAL && problems->n == before)
        errlist_add(problems, "form", "", "%s", err_after_prefix(err->msg, path));
    if (rc) {
        cJSON_Delete(doc);
        xlsform_rows_free(rows);
    } else {
        *out = doc;
        *rows_out = rows;
    }
    xf_table_free(&survey);
    xf_table_free(&choices);
    xf_table_free(&sets);
    xf_table_free(&external);
    xlsx_close(x);
    return rc;
}

int xlsform_is(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !strcasecmp(path + n - 5, ".xlsx");
}

/* The JSON form file at path (form_load_file), and its text when json is not NULL. */
static int load_json_file(form **out, char **json, const char *path, errlist *problems)
{
    dt_err err;
    int rc = form_load_file(out, path, problems);

    if (rc == DT_OK && json && (rc = file_read(json, NULL, path, FORM_MAX_FILE, &err))) {
        errlist_add(problems, "form", "", "%s", err_after_prefix(err.msg, path));
        form_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The form's JSON text as a file holds it: indented, a newline at the end (malloc'd). */
static char *json_text(const cJSON *doc)
{
    char *text = cJSON_Print(doc), *file;
    size_t n;

    if (!text)
        return NULL;
    n = strlen(text);
    if ((file = malloc(n + 2))) {
        memcpy(file, text, n);
        memcpy(file + n, "\n", 2);
    }
    cJSON_free(text);
    return file;
}

int xlsform_load(form **out, char **json, const char *path, errlist *problems)
{
    xlsform_rows *rows = NULL;
    cJSON *doc = NULL;
    dt_err err;
    int rc;

    *out = NULL;
    if (json)
        *json = NULL;
    if (!xlsform_is(path)) {
        return load_json_file(out, json, path, problems);
    }
    rc = xlsform_read(path, &doc, &rows, problems, &err);
    if (rc && rc != DT_EINVAL)
        errlist_add(problems, "form", "", "%s", err_after_prefix(err.msg, path));
    if (rc)
        return rc;
    rc = form_load_json(out, doc, path, problems);
    if (rc == DT_EINVAL && xlsform_name_rows(problems, rows))
        rc = DT_ENOMEM;
    if (rc == DT_OK && json && !(*json = json_text(doc))) {
        form_free(*out);
        *out = NULL;
        rc = DT_ENOMEM;
    }
    cJSON_Delete(doc);
    xlsform_rows_free(rows);
    return rc;
}
