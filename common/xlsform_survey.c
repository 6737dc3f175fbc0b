/* xlsform_survey.c - the survey sheet's rows as the JSON form's questions: types (the question
 * type table's, select_one_from_file, or_other), columns, groups and repeats */
#include "csv.h"
#include "qtype.h"
#include "xlsform_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEPTH_MAX      32
#define FILE_LINES_MAX 100001 /* a choices file beside the form: its header and 100,000 choices */
#define OTHER_CODE     96     /* or_other's choice: "Khác (ghi rõ)", the code GSO forms give it */

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

static int is_yes(const char *v)
{
    return *v && truth(v) && !strcmp(truth(v), "yes");
}

static void add_texts(xf_build *b, cJSON *q, const xf_row *r, const char *key)
{
    cJSON *t = xf_texts(b->survey, r, key, b->L);
    if (t)
        cJSON_AddItemToObject(q, key, t);
}

/* A range's parameters, "start=0 end=5 step=0.5" (spaces, commas or semicolons between), as
 * the JSON form's object; what is not a number is the loader's to report. */
static void range_parameters(xf_build *b, cJSON *q, const char *text, const char *where)
{
    cJSON *p = cJSON_AddObjectToObject(q, "parameters");
    char key[32], val[64];
    const char *s = text;

    while (p && *s) {
        size_t n = strcspn(s, " ,;\t");
        const char *eq = memchr(s, '=', n);
        if (n && (!eq || eq == s || (size_t)(eq - s) >= sizeof(key) || n - (size_t)(eq - s) > 63)) {
            errlist_add(b->problems, where, "parameters",
                        "expected start=N end=N step=N, not '%.*s'", (int)n, s);
        } else if (n) {
            char *end;
            snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
            snprintf(val, sizeof(val), "%.*s", (int)(n - (size_t)(eq - s) - 1), eq + 1);
            double d = strtod(val, &end);
            if (*val && !*end)
                cJSON_AddNumberToObject(p, key, d);
            else
                cJSON_AddStringToObject(p, key, val);
        }
        s += n;
        s += strspn(s, " ,;\t");
    }
    if (!p)
        b->oom = 1;
}

static void data_for(xf_build *b, const char *text, const char *where);

/* The columns of a question row, beside its type and name. */
static void question_columns(xf_build *b, cJSON *q, const xf_row *r, int type, const char *where)
{
    const qtype *qt = qtype_of((form_type)type);
    const int *col = b->col;
    const char *req = xf_at(r, col[XC_REQUIRED]);
    int answers = (qt->flags & QT_ANSWER) != 0;

    if (qt->flags & (QT_ASKED | QT_CONTAINER))
        add_texts(b, q, r, "label");
    add_texts(b, q, r, "hint");
    if (answers && *req) {
        const char *yn = truth(req);
        if (!yn)
            xf_add_str(b, q, "required", req);
        else if (!strcmp(yn, "yes"))
            cJSON_AddTrueToObject(q, "required");
        if (!yn || !strcmp(yn, "yes"))
            add_texts(b, q, r, "required_message");
    }
    xf_add_str(b, q, "relevant", xf_at(r, col[XC_RELEVANT]));
    if (answers) {
        xf_add_str(b, q, "constraint", xf_at(r, col[XC_CONSTRAINT]));
        if (*xf_at(r, col[XC_CONSTRAINT]))
            add_texts(b, q, r, "constraint_message");
        xf_add_str(b, q, "choice_filter", xf_at(r, col[XC_CHOICE_FILTER]));
    }
    xf_add_str(b, q, "calculation", xf_at(r, col[XC_CALCULATION]));
    xf_add_str(b, q, "repeat_count", xf_at(r, col[XC_REPEAT_COUNT]));
    xf_add_str(b, q, "appearance", xf_at(r, col[XC_APPEARANCE]));
    /* Another type's parameters (randomize, capture-accuracy) say how a phone draws it: kept
     * in the workbook, nothing to check. */
    if ((qt->flags & QT_PARAMS) && *xf_at(r, col[XC_PARAMETERS]))
        range_parameters(b, q, xf_at(r, col[XC_PARAMETERS]), where);
    int dc = col[XC_DEFAULT];
    if (answers && dc >= 0 && r->cell[dc] && *r->cell[dc]) {
        if (r->isnum[dc])
            cJSON_AddNumberToObject(q, "default", strtod(r->cell[dc], NULL));
        else
            xf_add_str(b, q, "default", r->cell[dc]);
    }
    static const int exprs[] = {XC_RELEVANT, XC_CONSTRAINT,    XC_CALCULATION,
                                XC_REQUIRED, XC_CHOICE_FILTER, XC_REPEAT_COUNT};
    for (size_t k = 0; k < sizeof(exprs) / sizeof(exprs[0]); k++)
        if (strstr(xf_at(r, col[exprs[k]]), "pulldata"))
            data_for(b, xf_at(r, col[exprs[k]]), where);
    if (is_yes(xf_at(r, col[XC_IDENTIFIER])))
        cJSON_AddTrueToObject(q, "identifier");
    if (is_yes(xf_at(r, col[XC_READ_ONLY])))
        cJSON_AddTrueToObject(q, "read_only"); /* the loader says where it cannot be */
    if (*xf_at(r, col[XC_TRIGGER]))
        errlist_add(b->problems, where, "trigger",
                    "not supported: dieutra computes a calculation again whenever what it reads "
                    "changes, so a value cannot wait for a trigger");
}

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

/* ---- choices from a file beside the form: select_one_from_file communes.csv */

static int read_csv_table(xf_table *t, const char *path, const char *name, dt_err *err)
{
    csv_reader *cr = NULL;
    const char *const *f;
    int n, rc;

    if ((rc = csv_open(&cr, path, FILE_LINES_MAX, err)))
        return rc;
    t->sheet = name;
    t->ncols = csv_header(cr, &f);
    for (int c = 0; c < t->ncols; c++)
        if (!(t->head[c] = strdup(f[c])))
            rc = err_set(err, DT_ENOMEM, "out of memory");
    xf_table_index(t);
    while (!rc && (rc = csv_next(cr, &f, &n, err)) == 1) {
        xf_row *r = xf_table_add_row(t, csv_line(cr));
        rc = r ? 0 : err_set(err, DT_ENOMEM, "out of memory");
        for (int c = 0; c < n && !rc; c++)
            if (xf_keep(t, &r->cell[c], f[c]))
                rc = err_set(err, DT_ENOMEM, "out of memory");
    }
    csv_close(cr);
    return rc;
}

/* Reads file beside the workbook into t (which keeps file's name for its messages): 0, or -1
 * with the problem added to where's column and t freed. */
static int read_beside(xf_build *b, const char *file, xf_table *t, const char *where,
                       const char *column)
{
    char path[4352];
    dt_err err;

    snprintf(path, sizeof(path), "%s%s%s", b->dir, *b->dir ? "/" : "", file);
    if (read_csv_table(t, path, file, &err) == DT_OK)
        return 0;
    errlist_add(b->problems, where, column, "%s", err.msg);
    xf_table_free(t);
    return -1;
}

/* The list a file gives, named after it ("communes.csv": communes) into list; 0, or -1 with
 * the problem added. A file is read once however many questions name it. */
static int list_from_file(xf_build *b, const char *file, const char *where, char *list, size_t size)
{
    size_t n = strlen(file);
    xf_table t = {0};

    if (n < 5 || strcasecmp(file + n - 4, ".csv") || strchr(file, '/') || file[0] == '.') {
        errlist_add(b->problems, where, "type",
                    "'%s': dieutra reads choices from a .csv file beside the form (not .xml or "
                    ".geojson, and no folder)",
                    file);
        return -1;
    }
    snprintf(list, size, "%.*s", (int)(n - 4), file);
    for (char *p = list; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            *p = '_';
    if (cJSON_GetObjectItemCaseSensitive(b->lists, list))
        return 0;
    if (read_beside(b, file, &t, where, "type"))
        return -1;
    if (xf_column(&t, "name") < 0)
        errlist_add(b->problems, where, "type", "%s: the header needs a column name", file);
    else
        xf_choice_lists(b, &t, list);
    xf_table_free(&t);
    if (!cJSON_GetObjectItemCaseSensitive(b->lists, list) && !b->oom)
        cJSON_AddArrayToObject(b->lists, list); /* empty: the loader says so */
    return 0;
}

/* ---- pulldata('prices', ...): the table is the CSV beside the form, carried in the form */

/* The CSV file beside the workbook as "data".name: an array of rows (objects of text). */
static void data_table(xf_build *b, const char *name, const char *where)
{
    cJSON *data = cJSON_GetObjectItemCaseSensitive(b->doc, "data"), *rows, *o;
    char file[96];
    xf_table t = {0};

    if (data && cJSON_GetObjectItemCaseSensitive(data, name))
        return; /* read once however many expressions name it */
    snprintf(file, sizeof(file), "%s.csv", name);
    if (read_beside(b, file, &t, where, "pulldata"))
        return;
    if ((!data && !(data = cJSON_AddObjectToObject(b->doc, "data"))) ||
        !(rows = cJSON_AddArrayToObject(data, name))) {
        b->oom = 1;
        xf_table_free(&t);
        return;
    }
    for (long r = 0; r < t.nrows && !b->oom; r++) {
        if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(rows, o)) {
            cJSON_Delete(o);
            b->oom = 1;
            break;
        }
        for (int c = 0; c < t.ncols; c++)
            if (t.head[c] && t.rows[r].cell[c])
                xf_add_str(b, o, t.head[c], t.rows[r].cell[c]);
    }
    xf_table_free(&t);
}

/* The tables the pulldata() calls of an expression name, each read into the form. */
static void data_for(xf_build *b, const char *text, const char *where)
{
    for (const char *p = strstr(text, "pulldata"); p; p = strstr(p + 8, "pulldata")) {
        const char *q = p + 8;
        char name[64];
        q += strspn(q, " ");
        if (*q++ != '(')
            continue;
        q += strspn(q, " ");
        if (*q != '\'' && *q != '"')
            continue; /* not a table's name: the loader says so */
        size_t n = strcspn(q + 1, q[0] == '\'' ? "'" : "\"");
        if (!n || n >= sizeof(name) || memchr(q + 1, '/', n) || q[1] == '.')
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)n, q + 1);
        data_table(b, name, where);
    }
}

/* ---- or_other: "select_one L or_other" */

/* The list L with an "other" choice (OTHER_CODE) as list "L_or_other", made once. 0, or -1
 * with the problem added. */
static int list_with_other(xf_build *b, const char *list, const char *where, char *out, size_t size)
{
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(b->lists, list), *c;
    cJSON *copy, *other, *label;

    snprintf(out, size, "%s", list); /* an unknown list is the loader's to report */
    if (!src)
        return 0;
    snprintf(out, size, "%s_or_other", list);
    if (cJSON_GetObjectItemCaseSensitive(b->lists, out))
        return 0;
    cJSON_ArrayForEach(c, src)
    {
        if (cJSON_GetNumberValue(cJSON_GetObjectItem(c, "code")) == OTHER_CODE) {
            errlist_add(b->problems, where, "type",
                        "or_other adds the choice %d (other) to list '%s', which has a choice %d "
                        "already: add the other choice and its text question yourself",
                        OTHER_CODE, list, OTHER_CODE);
            return -1;
        }
    }
    if (!(copy = cJSON_Duplicate(src, 1)) || !(other = cJSON_CreateObject()) ||
        !cJSON_AddItemToArray(copy, other) || !cJSON_AddItemToObject(b->lists, out, copy)) {
        b->oom = 1;
        return -1;
    }
    cJSON_AddNumberToObject(other, "code", OTHER_CODE);
    label = cJSON_AddObjectToObject(other, "label");
    for (int i = 0; label && i < b->L->n; i++)
        cJSON_AddStringToObject(label, b->L->code[i],
                                !strcmp(b->L->code[i], "vi") ? "Khác" : "Other");
    return 0;
}

/* The text question that follows an or_other select: NAME_other, asked when other is picked. */
static cJSON *other_question(xf_build *b, const char *name, long num)
{
    cJSON *q = cJSON_CreateObject(), *label;
    char qname[96], rel[128];

    snprintf(qname, sizeof(qname), "%s_other", name);
    snprintf(rel, sizeof(rel), "selected(${%s}, %d)", name, OTHER_CODE);
    if (!q || xf_rows_add(b->rows, qname, num)) {
        b->oom = 1;
        return q;
    }
    xf_add_str(b, q, "name", qname);
    xf_add_str(b, q, "type", "text");
    label = cJSON_AddObjectToObject(q, "label");
    for (int i = 0; label && i < b->L->n; i++)
        cJSON_AddStringToObject(label, b->L->code[i],
                                !strcmp(b->L->code[i], "vi") ? "Ghi rõ khác:" : "Specify other.");
    xf_add_str(b, q, "relevant", rel);
    cJSON_AddTrueToObject(q, "required");
    return q;
}

/* ---- the rows */

/* A select's row: "select_one L", "select_multiple L or_other", "select_one_from_file F.csv",
 * "select_one_external L". Sets the type into q; returns the or_other question to follow, or
 * NULL. */
static cJSON *select_type(xf_build *b, cJSON *q, char word[3][64], int n, const char *name,
                          const xf_row *r, const char *where)
{
    char kind[64], list[80], full[160];
    int from_file = 0, other = 0;

    snprintf(kind, sizeof(kind), "%.63s", word[0]);
    for (char *p = kind; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strstr(kind, "_from_file") || strstr(kind, "_external")) {
        from_file = strstr(kind, "_from_file") != NULL;
        *strchr(kind + 7, '_') = '\0'; /* select_one, select_multiple */
    }
    if (n < 2) {
        errlist_add(b->problems, where, "type", "%s needs the name of its %s", word[0],
                    from_file ? "file" : "list");
        return NULL;
    }
    if (n == 3 && !strcasecmp(word[2], "or_other") && !from_file)
        other = 1;
    else if (n == 3)
        errlist_add(b->problems, where, "type", "'%s' after the list name", word[2]);
    snprintf(list, sizeof(list), "%s", word[1]);
    if (from_file && list_from_file(b, word[1], where, list, sizeof(list)))
        return NULL;
    if (other && list_with_other(b, word[1], where, list, sizeof(list)))
        return NULL;
    snprintf(full, sizeof(full), "%s %s", kind, list);
    xf_add_str(b, q, "type", full);
    question_columns(b, q, r, qtype_find(kind), where);
    return other && *name ? other_question(b, name, r->num) : NULL;
}

/* The first three words of type into word (each cut at 63 bytes); how many there are. */
static int split_words(const char *type, char word[3][64])
{
    const char *p = type;
    int n = 0;

    while (n < 3) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, " \t");
        if (!len)
            break;
        snprintf(word[n++], 64, "%.*s", (int)(len < 63 ? len : 63), p);
        p += len;
    }
    return n;
}

/* The names of the types a row can have, for the message that refuses another. */
static void type_names(char *out, size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    for (int t = 0; t < Q_NTYPES && n < size; t++) {
        const qtype *qt = qtype_of((form_type)t);
        if (qt->flags & QT_CONTAINER)
            continue;
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", qt->name);
    }
    if (n < size)
        snprintf(out + n, size - n, ", begin/end group, begin/end repeat");
}

/* The survey's columns by XC_: a thousand rows read each, so each is found once. */
static void find_columns(xf_build *b)
{
    static const char *const names[XC_N] = {
        [XC_TYPE] = "type",
        [XC_NAME] = "name",
        [XC_REQUIRED] = "required",
        [XC_RELEVANT] = "relevant",
        [XC_CONSTRAINT] = "constraint",
        [XC_CHOICE_FILTER] = "choice_filter",
        [XC_CALCULATION] = "calculation",
        [XC_REPEAT_COUNT] = "repeat_count",
        [XC_APPEARANCE] = "appearance",
        [XC_PARAMETERS] = "parameters",
        [XC_DEFAULT] = "default",
        [XC_IDENTIFIER] = "identifier",
        [XC_READ_ONLY] = "read_only",
        [XC_TRIGGER] = "trigger",
    };

    for (int c = 0; c < XC_N; c++)
        b->col[c] = xf_column(b->survey, names[c]);
}

void xf_questions(xf_build *b, long *i, cJSON *kids, const char *closing, int depth)
{
    const xf_table *t = b->survey;

    if (depth == 0)
        find_columns(b);
    for (; *i < t->nrows; (*i)++) {
        const xf_row *r = &t->rows[*i];
        char type[192], word[3][64] = {{0}}, where[64], lower[64];
        const char *name = xf_at(r, b->col[XC_NAME]);
        cJSON *follow = NULL;
        int n, plain;

        snprintf(where, sizeof(where), "survey row %ld", r->num);
        snprintf(type, sizeof(type), "%s", xf_at(r, b->col[XC_TYPE]));
        for (char *p = type; *p; p++)
            if (*p == '_' && (!strncasecmp(type, "begin", 5) || !strncasecmp(type, "end", 3)))
                *p = ' '; /* begin_group, end_repeat */
        n = split_words(type, word);
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
        snprintf(lower, sizeof(lower), "%s", word[0]);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        plain = qtype_find(lower);
        if (plain < 0 && in(word[0], metadata, sizeof(metadata) / sizeof(metadata[0])))
            continue;
        cJSON *q = cJSON_CreateObject();
        if (!q) {
            b->oom = 1;
            return;
        }
        if (!*name)
            errlist_add(b->problems, where, "name", "missing");
        xf_add_str(b, q, "name", name);
        if (*name && xf_rows_add(b->rows, name, r->num))
            b->oom = 1;
        if (!strcasecmp(word[0], "begin") &&
            (!strcasecmp(word[1], "group") || !strcasecmp(word[1], "repeat"))) {
            int kind = !strcasecmp(word[1], "group") ? Q_GROUP : Q_REPEAT;
            xf_add_str(b, q, "type", form_type_name(kind));
            question_columns(b, q, r, kind, where);
            cJSON *inner = cJSON_AddArrayToObject(q, "children");
            if (depth >= DEPTH_MAX)
                errlist_add(b->problems, where, "type", "groups nest deeper than %d", DEPTH_MAX);
            (*i)++;
            if (inner && depth < DEPTH_MAX)
                xf_questions(b, i, inner, form_type_name(kind), depth + 1);
            if (*i >= t->nrows)
                errlist_add(b->problems, where, "type", "begin %s without its end %s",
                            form_type_name(kind), form_type_name(kind));
        } else if (!strncmp(lower, "select_one", 10) || !strncmp(lower, "select_multiple", 15)) {
            follow = select_type(b, q, word, n, name, r, where);
        } else if (plain >= 0 && !qtype_container(plain) && n == 1) {
            xf_add_str(b, q, "type", lower);
            question_columns(b, q, r, plain, where);
        } else {
            char names[512];
            type_names(names, sizeof(names));
            errlist_add(b->problems, where, "type", "'%s' is not a type dieutra supports (%s)",
                        type, names);
        }
        cJSON_AddItemToArray(kids, q);
        if (follow)
            cJSON_AddItemToArray(kids, follow);
    }
}
