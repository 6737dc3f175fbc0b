/* xlsform.c - an XLSForm workbook as the JSON form (see xlsform.h). The sheets are read into
 * tables of text first (a header row, then rows by their number), then each row becomes a
 * question or a choice; what the JSON form then checks (names, expressions, cycles) is the
 * loader's, named back by row. */
#include "xlsform.h"
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

#define COLS_MAX  256
#define LANGS_MAX 8
#define DEPTH_MAX 32

/* ---- a sheet as a table of texts */

typedef struct row {
    long num;                      /* as Excel shows it */
    char *cell[COLS_MAX];          /* by column, NULL when empty */
    unsigned char isnum[COLS_MAX]; /* 1: a number cell (not a date): its text is a number */
} row;

typedef struct table {
    const char *sheet;
    char *head[COLS_MAX]; /* the header row's texts, trimmed */
    int ncols;
    row *rows;
    long nrows, cap;
} table;

typedef struct reading {
    table *t;
    const char *file;
    errlist *problems;
    long head_row; /* the first row that holds something: the header */
} reading;

static void table_free(table *t)
{
    for (int c = 0; c < COLS_MAX; c++)
        free(t->head[c]);
    for (long r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) /* cells are kept under a header only */
            free(t->rows[r].cell[c]);
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

/* A date serial (days since 1899-12-30) as "YYYY-MM-DD" into out. */
static void serial_date(double serial, char *out, size_t size)
{
    time_t t = (time_t)((floor(serial) - 25569.0) * 86400.0);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
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
    table *t = rd->t;
    char where[96], date[16], *text;
    const char *v = c->text;

    snprintf(where, sizeof(where), "%s row %ld", t->sheet, c->row);
    if (c->col > COLS_MAX)
        return errlist_add(rd->problems, where, "", "more than %d columns", COLS_MAX);
    if (c->kind == XLSX_NO_VALUE)
        return errlist_add(rd->problems, where, "",
                           "a formula saved without its value (%s): open "
                           "the file in a spreadsheet and save it again",
                           c->text);
    if (c->kind == XLSX_ERROR)
        return errlist_add(rd->problems, where, "", "the cell holds an error (%s)", c->text);
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
        trim(t->head[c->col - 1]);
        if (c->col > t->ncols)
            t->ncols = c->col;
        return 0;
    }
    if (c->col > t->ncols) /* a column without a header: nothing reads it */
        return 0;
    if (!t->nrows || t->rows[t->nrows - 1].num != c->row) {
        if (t->nrows == t->cap) {
            long cap = t->cap ? t->cap * 2 : 64;
            row *more = realloc(t->rows, (size_t)cap * sizeof(*more));
            if (!more)
                return DT_ENOMEM;
            t->rows = more;
            t->cap = cap;
        }
        memset(&t->rows[t->nrows], 0, sizeof(row));
        t->rows[t->nrows++].num = c->row;
    }
    if (!(text = strdup(v)))
        return DT_ENOMEM;
    t->rows[t->nrows - 1].cell[c->col - 1] = text;
    t->rows[t->nrows - 1].isnum[c->col - 1] = c->kind == XLSX_NUMBER && !c->is_date;
    return 0;
}

/* Reads sheet name into t; 0 when there is none (t stays empty), DT_ENOMEM or the reader's. */
static int read_table(xlsx *x, const char *name, table *t, const char *file, errlist *problems,
                      dt_err *err)
{
    reading rd = {.t = t, .file = file, .problems = problems};
    int i = xlsx_sheet_find(x, name), rc;

    t->sheet = name;
    if (i < 0)
        return 0;
    rc = xlsx_sheet_read(x, i, take_cell, &rd, err);
    if (rc == DT_ENOMEM)
        err_set(err, DT_ENOMEM, "out of memory");
    return rc;
}

/* The column whose header is name (case-insensitive), or -1. */
static int column(const table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (t->head[c] && !strcasecmp(t->head[c], name))
            return c;
    return -1;
}

/* The trimmed text of row r's column name, or "" (never NULL). */
static const char *get(const table *t, const row *r, const char *name)
{
    int c = column(t, name);
    return c >= 0 && r->cell[c] ? trim(r->cell[c]) : "";
}

/* ---- languages: label::Tiếng Việt (vi), label::en, label */

typedef struct langs {
    char code[LANGS_MAX][16];
    int n;
    int deflt; /* the language of columns without one */
} langs;

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

static int lang_add(langs *L, const char *code)
{
    for (int i = 0; i < L->n; i++)
        if (!strcmp(L->code[i], code))
            return i;
    if (L->n == LANGS_MAX)
        return -1;
    snprintf(L->code[L->n], sizeof(L->code[0]), "%s", code);
    return L->n++;
}

/* The form's languages from every "X::LANG" header of survey and choices; the default
 * language (settings) first. */
static void find_langs(langs *L, const table *survey, const table *choices, const char *deflt)
{
    const table *ts[] = {survey, choices};
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
static cJSON *texts(const table *t, const row *r, const char *base, const langs *L)
{
    cJSON *o = NULL;

    for (int c = 0; c < t->ncols; c++) {
        const char *h = t->head[c], *v = r->cell[c] ? trim(r->cell[c]) : "";
        char code[16];
        size_t bl = strlen(base);
        if (!h || !*v || strncasecmp(h, base, bl) != 0)
            continue;
        if (h[bl] == '\0')
            snprintf(code, sizeof(code), "%s", L->code[L->deflt]);
        else if (!strncmp(h + bl, "::", 2))
            lang_code(h + bl + 2, code, sizeof(code));
        else
            continue;
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
    long n;
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

static int rows_add(xlsform_rows *rows, const char *name, long num)
{
    char **n = realloc(rows->name, (size_t)(rows->n + 1) * sizeof(*n));
    long *r;

    if (!n)
        return DT_ENOMEM;
    rows->name = n;
    if (!(r = realloc(rows->row, (size_t)(rows->n + 1) * sizeof(*r))))
        return DT_ENOMEM;
    rows->row = r;
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

typedef struct build {
    const table *survey, *choices;
    const langs *L;
    errlist *problems;
    xlsform_rows *rows;
    int oom;
} build;

/* "yes", "true", "true()", "1": true; "no", "false", "": false; NULL: an expression. */
static const char *truth(const char *v)
{
    static const char *const yes[] = {"yes", "true", "true()", "1"};
    static const char *const no[] = {"no", "false", "false()", "0", ""};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcasecmp(v, yes[i]))
            return "yes";
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (!strcasecmp(v, no[i]))
            return "no";
    return NULL;
}

static void add_str(build *b, cJSON *q, const char *key, const char *v)
{
    if (*v && !cJSON_AddStringToObject(q, key, v))
        b->oom = 1;
}

static void add_texts(build *b, cJSON *q, const row *r, const char *key)
{
    cJSON *t = texts(b->survey, r, key, b->L);
    if (t)
        cJSON_AddItemToObject(q, key, t);
}

/* The columns of a question row, beside its type and name. */
static void question_columns(build *b, cJSON *q, const row *r, const char *type)
{
    const table *t = b->survey;
    const char *req = get(t, r, "required"), *ro = get(t, r, "read_only");
    int answers = strcmp(type, "note") && strcmp(type, "calculate") && strcmp(type, "group") &&
                  strcmp(type, "repeat");

    if (strcmp(type, "calculate") != 0)
        add_texts(b, q, r, "label");
    add_texts(b, q, r, "hint");
    if (answers && *req) {
        const char *yn = truth(req);
        if (!yn)
            add_str(b, q, "required", req);
        else if (!strcmp(yn, "yes"))
            cJSON_AddTrueToObject(q, "required");
        if (!yn || !strcmp(yn, "yes"))
            add_texts(b, q, r, "required_message");
    }
    add_str(b, q, "relevant", get(t, r, "relevant"));
    if (answers) {
        add_str(b, q, "constraint", get(t, r, "constraint"));
        if (*get(t, r, "constraint"))
            add_texts(b, q, r, "constraint_message");
        add_str(b, q, "choice_filter", get(t, r, "choice_filter"));
    }
    add_str(b, q, "calculation", get(t, r, "calculation"));
    add_str(b, q, "repeat_count", get(t, r, "repeat_count"));
    add_str(b, q, "appearance", get(t, r, "appearance"));
    int dc = column(t, "default");
    if (answers && dc >= 0 && r->cell[dc] && *trim(r->cell[dc])) {
        if (r->isnum[dc])
            cJSON_AddNumberToObject(q, "default", strtod(r->cell[dc], NULL));
        else
            add_str(b, q, "default", trim(r->cell[dc]));
    }
    const char *id = get(t, r, "identifier");
    if (*id && truth(id) && !strcmp(truth(id), "yes"))
        cJSON_AddTrueToObject(q, "identifier");
    if (*ro && truth(ro) && !strcmp(truth(ro), "yes") && answers) {
        char where[64];
        snprintf(where, sizeof(where), "survey row %ld", r->num);
        errlist_add(b->problems, where, "read_only",
                    "a read-only question is not supported yet: use a calculate, or a note "
                    "that shows the value");
    }
}

/* The types dieutra reads, as XLSForm writes them ("select_one yesno"). */
static const char *const plain_types[] = {"integer",  "decimal", "text",     "date",
                                          "geopoint", "note",    "calculate"};
/* Metadata the collector records by itself (paradata): the rows are not questions. */
static const char *const metadata[] = {"start",        "end",         "today",
                                       "deviceid",     "username",    "simserial",
                                       "subscriberid", "phonenumber", "audit"};

static int in(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(v, list[i]))
            return 1;
    return 0;
}

/* The questions from survey row *i on, into kids, until the end of the group or repeat that
 * began before (closing: "group" or "repeat"; NULL at the top). */
static void questions(build *b, long *i, cJSON *kids, const char *closing, int depth)
{
    const table *t = b->survey;

    for (; *i < t->nrows; (*i)++) {
        const row *r = &t->rows[*i];
        char type[128], word[2][64] = {{0}}, where[64], extra[64] = "";
        const char *name = get(t, r, "name");
        int n;

        snprintf(where, sizeof(where), "survey row %ld", r->num);
        snprintf(type, sizeof(type), "%s", get(t, r, "type"));
        for (char *p = type; *p; p++)
            if (*p == '_' && (!strncasecmp(type, "begin", 5) || !strncasecmp(type, "end", 3)))
                *p = ' '; /* begin_group, end_repeat */
        n = sscanf(type, "%63s %63s %63s", word[0], word[1], extra);
        if (n <= 0) {
            if (*name)
                errlist_add(b->problems, where, "type", "missing");
            continue;
        }
        if (!strcasecmp(word[0], "end")) {
            if (!closing || strcasecmp(word[1], closing) != 0)
                errlist_add(b->problems, where, "type", "'%s' without its begin %s", type,
                            n > 1 ? word[1] : "group");
            else
                return;
            continue;
        }
        if (in(word[0], metadata, sizeof(metadata) / sizeof(metadata[0])))
            continue;
        cJSON *q = cJSON_CreateObject();
        if (!q) {
            b->oom = 1;
            return;
        }
        if (!*name)
            errlist_add(b->problems, where, "name", "missing");
        add_str(b, q, "name", name);
        if (*name && rows_add(b->rows, name, r->num))
            b->oom = 1;
        if (!strcasecmp(word[0], "begin") &&
            (!strcasecmp(word[1], "group") || !strcasecmp(word[1], "repeat"))) {
            char kind[8];
            snprintf(kind, sizeof(kind), "%s", !strcasecmp(word[1], "group") ? "group" : "repeat");
            add_str(b, q, "type", kind);
            question_columns(b, q, r, kind);
            cJSON *inner = cJSON_AddArrayToObject(q, "children");
            if (depth >= DEPTH_MAX)
                errlist_add(b->problems, where, "type", "groups nest deeper than %d", DEPTH_MAX);
            (*i)++;
            if (inner && depth < DEPTH_MAX)
                questions(b, i, inner, kind, depth + 1);
            if (*i >= t->nrows)
                errlist_add(b->problems, where, "type", "begin %s without its end %s", kind, kind);
        } else if ((!strcasecmp(word[0], "select_one") ||
                    !strcasecmp(word[0], "select_multiple"))) {
            char full[160];
            if (n < 2)
                errlist_add(b->problems, where, "type", "%s needs the name of its list", word[0]);
            if (n == 3 && !strcasecmp(extra, "or_other"))
                errlist_add(b->problems, where, "type",
                            "or_other is not supported yet: add an 'other' choice and a text "
                            "question relevant to it");
            else if (n == 3)
                errlist_add(b->problems, where, "type", "'%s' after the list name", extra);
            snprintf(full, sizeof(full), "%s %s", word[0], word[1]);
            for (char *p = full; *p && *p != ' '; p++)
                *p = (char)tolower((unsigned char)*p);
            add_str(b, q, "type", full);
            question_columns(b, q, r, word[0]);
        } else if (in(word[0], plain_types, sizeof(plain_types) / sizeof(plain_types[0])) &&
                   n == 1) {
            for (char *p = word[0]; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            add_str(b, q, "type", word[0]);
            question_columns(b, q, r, word[0]);
        } else {
            errlist_add(b->problems, where, "type",
                        "'%s' is not a type dieutra supports (integer, decimal, text, "
                        "select_one, select_multiple, date, geopoint, note, calculate, groups "
                        "and repeats)",
                        type);
        }
        cJSON_AddItemToArray(kids, q);
    }
}

/* The choices sheet as lists of choices; a choice's other columns are its attributes. */
static cJSON *choice_lists(build *b)
{
    const table *t = b->choices;
    cJSON *lists = cJSON_CreateObject();

    if (!lists)
        return NULL;
    for (long i = 0; i < t->nrows; i++) {
        const row *r = &t->rows[i];
        const char *list = get(t, r, "list_name"), *name = get(t, r, "name");
        char where[64], *end;
        long long code = strtoll(name, &end, 10);
        cJSON *arr, *c;

        if (!*list && !*name)
            continue;
        snprintf(where, sizeof(where), "choices row %ld", r->num);
        if (!*list) {
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
        if (!(arr = cJSON_GetObjectItemCaseSensitive(lists, list)))
            arr = cJSON_AddArrayToObject(lists, list);
        if (!arr || !(c = cJSON_CreateObject())) {
            b->oom = 1;
            break;
        }
        cJSON_AddNumberToObject(c, "code", (double)code);
        cJSON *label = texts(t, r, "label", b->L);
        if (label)
            cJSON_AddItemToObject(c, "label", label);
        for (int k = 0; k < t->ncols; k++) {
            const char *h = t->head[k], *v = r->cell[k] ? trim(r->cell[k]) : "";
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
    return lists;
}

/* dieutra's own settings columns: refusal, household_key (names apart by spaces or commas),
 * geography_area, geography_area_code, geography_table, geography_locality (form-format.md). */
static void dieutra_settings(build *b, const table *s, const row *r, cJSON *doc)
{
    const char *key = get(s, r, "household_key"), *area = get(s, r, "geography_area");

    add_str(b, doc, "refusal", get(s, r, "refusal"));
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
        add_str(b, g, "area", area);
        add_str(b, g, "area_code", get(s, r, "geography_area_code"));
        add_str(b, g, "table", get(s, r, "geography_table"));
        add_str(b, g, "locality", get(s, r, "geography_locality"));
    }
}

/* The settings sheet's first row: id, version, title. */
static void settings(build *b, const table *s, cJSON *doc, const char *file)
{
    const row *r = s->nrows ? &s->rows[0] : NULL;
    const char *id = r ? get(s, r, "form_id") : "", *version = r ? get(s, r, "version") : "";
    const char *title = r ? get(s, r, "form_title") : "";
    char where[64], *end, idbuf[128];
    long long v = strtoll(version, &end, 10);

    snprintf(where, sizeof(where), "settings row %ld", r ? r->num : 2L);
    if (!*id) { /* XLSForm names the form after its file then */
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        snprintf(idbuf, sizeof(idbuf), "%.*s", (int)strcspn(base, "."), base);
        id = idbuf;
    }
    add_str(b, doc, "id", id);
    if (!*version)
        errlist_add(b->problems, where, "version",
                    "missing: every version of a questionnaire has its own number");
    else if (*end || v < 1)
        errlist_add(b->problems, where, "version", "expected a whole number from 1, not '%s'",
                    version);
    else
        cJSON_AddNumberToObject(doc, "version", (double)v);
    cJSON *codes = cJSON_AddArrayToObject(doc, "languages");
    cJSON *given = r ? texts(s, r, "form_title", b->L) : NULL;
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
    table survey = {0}, choices = {0}, sets = {0};
    xlsx *x = NULL;
    langs L = {0};
    cJSON *doc = NULL;
    xlsform_rows *rows = calloc(1, sizeof(*rows));
    build b = {.survey = &survey, .choices = &choices, .L = &L, .problems = problems, .rows = rows};
    size_t before = problems->n;
    long i = 0;
    int rc;

    *out = NULL;
    *rows_out = NULL;
    if (!rows)
        return err_set(err, DT_ENOMEM, "out of memory");
    if ((rc = xlsx_open(&x, path, err)) ||
        (rc = read_table(x, "survey", &survey, path, problems, err)) ||
        (rc = read_table(x, "choices", &choices, path, problems, err)) ||
        (rc = read_table(x, "settings", &sets, path, problems, err)))
        goto cleanup;
    if (xlsx_sheet_find(x, "survey") < 0) {
        errlist_add(problems, "survey", "", "the workbook has no sheet named survey (it has %s%s)",
                    xlsx_sheet_name(x, 0), xlsx_sheet_count(x) > 1 ? ", ..." : "");
        rc = DT_EINVAL;
        goto cleanup;
    }
    if (column(&survey, "type") < 0 || column(&survey, "name") < 0)
        errlist_add(problems, "survey row 1", "", "the header needs the columns type and name");
    find_langs(&L, &survey, &choices,
               sets.nrows ? get(&sets, &sets.rows[0], "default_language") : "");
    if (!(doc = cJSON_CreateObject())) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    settings(&b, &sets, doc, path);
    cJSON *lists = choice_lists(&b);
    if (lists && cJSON_GetArraySize(lists) > 0)
        cJSON_AddItemToObject(doc, "choices", lists);
    else
        cJSON_Delete(lists);
    cJSON *qs = cJSON_AddArrayToObject(doc, "questions");
    if (qs)
        questions(&b, &i, qs, NULL, 0);
    if (b.oom || !qs)
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
    table_free(&survey);
    table_free(&choices);
    table_free(&sets);
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
    if (!xlsform_is(path))
        return load_json_file(out, json, path, problems);
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
