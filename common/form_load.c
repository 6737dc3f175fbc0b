/* form_load.c - loading a form from JSON and checking everything a form author can get wrong */
#include "form_int.h"
#include "qtype.h"
#include "json.h"
#include "value.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    form *f;
    errlist *problems;
    unsigned char *bad_type; /* questions whose type was refused: no checks that need it */
    const cJSON **src;       /* the JSON object of each question */
    const form_list *filter; /* the list whose attributes bare names mean */
    int nomem;
} loader;

#define PROBLEM(L, where, what, ...)                                                               \
    do {                                                                                           \
        if (errlist_add((L)->problems, (where), (what), __VA_ARGS__))                              \
            (L)->nomem = 1;                                                                        \
    } while (0)

static char *dup(loader *L, const char *s)
{
    char *p = strdup(s);
    if (!p)
        L->nomem = 1;
    return p;
}

static int valid_name(const char *s)
{
    if (strlen(s) > FORM_NAME_MAX)
        return 0;
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    for (s++; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static int key_in(const char *key, const char *const *keys)
{
    for (; *keys; keys++)
        if (!strcmp(key, *keys))
            return 1;
    return 0;
}

/* JSON allows a key twice and cJSON would silently use the first: a form
 * that says "relevant" twice is refused instead. */
static void check_unique_keys(loader *L, const cJSON *obj, const char *where)
{
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = obj->child; b != a; b = b->next)
            if (!strcmp(a->string, b->string)) {
                PROBLEM(L, where, a->string, "given twice");
                break;
            }
}

static void check_keys(loader *L, const cJSON *obj, const char *const *keys, const char *where)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, obj)
    {
        if (!key_in(it->string, keys))
            PROBLEM(L, where, it->string, "unknown column (a typo?)");
    }
    check_unique_keys(L, obj, where);
}

/* Reads a per-language text object. Returns an array of nlangs strings, or
 * NULL when absent (a problem when required) or bad (always a problem). */
static char **texts(loader *L, const cJSON *obj, const char *key, int required, const char *where)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, key);
    const cJSON *it;
    form *f = L->f;
    char **out;
    int ok = 1;

    if (!t) {
        if (required)
            PROBLEM(L, where, key, "missing (needs a text for each of the form's languages)");
        return NULL;
    }
    if (!cJSON_IsObject(t)) {
        PROBLEM(L, where, key,
                "expected an object with one text per language, like {\"vi\": \"...\", \"en\": "
                "\"...\"}");
        return NULL;
    }
    cJSON_ArrayForEach(it, t)
    {
        if (form_lang_index(f, it->string) < 0) {
            PROBLEM(L, where, key, "language '%s' is not one of the form's languages", it->string);
            ok = 0;
        }
    }
    out = calloc((size_t)f->nlangs, sizeof(char *));
    if (!out) {
        L->nomem = 1;
        return NULL;
    }
    for (int i = 0; i < f->nlangs; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(t, f->langs[i]);
        if (!cJSON_IsString(s) || !s->valuestring[0]) {
            PROBLEM(L, where, key, "missing the '%s' text", f->langs[i]);
            ok = 0;
            continue;
        }
        out[i] = dup(L, s->valuestring);
    }
    if (!ok || L->nomem) {
        form_free_texts(out, f->nlangs);
        return NULL;
    }
    return out;
}

/* ---- top level */

static void load_languages(loader *L, const cJSON *doc)
{
    const cJSON *langs = cJSON_GetObjectItemCaseSensitive(doc, "languages");
    const cJSON *it;

    if (!cJSON_IsArray(langs) || cJSON_GetArraySize(langs) == 0) {
        PROBLEM(L, "form", "languages",
                "expected a non-empty array of language codes, like [\"vi\", \"en\"]");
        return;
    }
    cJSON_ArrayForEach(it, langs)
    {
        const char *s = cJSON_IsString(it) ? it->valuestring : NULL;
        size_t n = s ? strlen(s) : 0;
        int ok = n >= 2 && n <= 8;
        for (size_t i = 0; ok && i < n; i++)
            ok = islower((unsigned char)s[i]) || s[i] == '-';
        if (!ok) {
            PROBLEM(L, "form", "languages", "'%s' is not a language code like \"vi\"", s ? s : "?");
            continue;
        }
        if (form_lang_index(L->f, s) >= 0) {
            PROBLEM(L, "form", "languages", "'%s' is listed twice", s);
            continue;
        }
        if (L->f->nlangs == FORM_MAX_LANGS) {
            PROBLEM(L, "form", "languages", "more than %d languages", FORM_MAX_LANGS);
            return;
        }
        L->f->langs[L->f->nlangs++] = dup(L, s);
    }
}

static void load_header(loader *L, const cJSON *doc)
{
    static const char *const keys[] = {"id",          "version",   "languages", "title",
                                       "choices",     "questions", "refusal",   "household_key",
                                       "description", "geography", "data",      "instance_name",
                                       NULL};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
    long long v;

    check_keys(L, doc, keys, "form");
    if (!cJSON_IsString(id) || !id->valuestring[0]) {
        PROBLEM(L, "form", "id", "missing (a short name like \"sonla_ict_household\")");
    } else {
        int ok = 1;
        for (const char *s = id->valuestring; *s; s++)
            ok &= islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_';
        if (!ok)
            PROBLEM(L, "form", "id", "'%s': use only a-z, 0-9 and '_'", id->valuestring);
        L->f->id = dup(L, id->valuestring);
    }
    if (!json_get_int(ver, &v) || v < 1 || v > 1000000)
        PROBLEM(L, "form", "version", "expected a whole number from 1 up");
    else
        L->f->version = (int)v;
    load_languages(L, doc);
    if (L->f->nlangs)
        L->f->title = texts(L, doc, "title", 1, "form");
}

/* ---- choice lists */

static int attr_index(form_list *l, const char *name)
{
    for (int i = 0; i < l->nattrs; i++)
        if (!strcmp(l->attr_names[i], name))
            return i;
    return -1;
}

static void collect_attrs(loader *L, form_list *l, const cJSON *arr)
{
    const cJSON *c, *it;

    cJSON_ArrayForEach(c, arr)
    {
        if (!cJSON_IsObject(c))
            continue; /* reported by load_lists */
        cJSON_ArrayForEach(it, c)
        {
            if (!strcmp(it->string, "code") || !strcmp(it->string, "label") ||
                attr_index(l, it->string) >= 0)
                continue;
            char **names = realloc(l->attr_names, sizeof(char *) * (size_t)(l->nattrs + 1));
            if (!names) {
                L->nomem = 1;
                return;
            }
            l->attr_names = names;
            l->attr_names[l->nattrs++] = dup(L, it->string);
        }
    }
}

static void load_choice(loader *L, form_list *l, const cJSON *c, int number, const char *where)
{
    form_choice *ch = &l->choices[l->nchoices];
    long long code;
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(c, "code");

    if (!json_get_int(jc, &code)) {
        PROBLEM(L, where, "code", "choice %d: expected a whole-number code", number);
        return;
    }
    if (form_choice_find(l, code)) {
        PROBLEM(L, where, "code", "code %lld is used twice", code);
        return;
    }
    ch->code = code;
    ch->label = texts(L, c, "label", 1, where);
    ch->attr = calloc((size_t)(l->nattrs ? l->nattrs : 1), sizeof(char *));
    if (!ch->attr) {
        L->nomem = 1;
        return;
    }
    for (int i = 0; i < l->nattrs; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, l->attr_names[i]);
        char tmp[40] = "";
        if (cJSON_IsNumber(a))
            expr_format_number(a->valuedouble, tmp, sizeof(tmp));
        else if (a && !cJSON_IsString(a))
            PROBLEM(L, where, l->attr_names[i], "code %lld: expected text or a number", code);
        ch->attr[i] = dup(L, cJSON_IsString(a) ? a->valuestring : tmp);
    }
    if (ch->label)
        l->nchoices++;
    else
        form_free_texts(ch->attr, l->nattrs);
}

static void load_lists(loader *L, const cJSON *doc)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(doc, "choices");
    const cJSON *arr;
    form *f = L->f;

    if (!choices)
        return;
    if (!cJSON_IsObject(choices)) {
        PROBLEM(L, "form", "choices", "expected an object of choice lists");
        return;
    }
    check_unique_keys(L, choices, "choices");
    f->lists = calloc((size_t)cJSON_GetArraySize(choices) + 1, sizeof(form_list));
    if (!f->lists) {
        L->nomem = 1;
        return;
    }
    cJSON_ArrayForEach(arr, choices)
    {
        char where[160];
        const cJSON *c;
        form_list *l = &f->lists[f->nlists++];

        snprintf(where, sizeof(where), "choices.%s", arr->string);
        l->name = dup(L, arr->string);
        if (!valid_name(arr->string))
            PROBLEM(L, where, "", "list name must be letters, digits and '_'");
        if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
            PROBLEM(L, where, "", "expected a non-empty array of choices");
            continue;
        }
        l->choices = calloc((size_t)cJSON_GetArraySize(arr), sizeof(form_choice));
        if (!l->choices) {
            L->nomem = 1;
            return;
        }
        collect_attrs(L, l, arr);
        int number = 0;
        cJSON_ArrayForEach(c, arr)
        {
            number++;
            if (!cJSON_IsObject(c))
                PROBLEM(L, where, "", "each choice must be an object with a code and a label");
            else
                load_choice(L, l, c, number, where);
        }
    }
}

static const form_list *find_list(const form *f, const char *name)
{
    for (int i = 0; i < f->nlists; i++)
        if (!strcmp(f->lists[i].name, name))
            return &f->lists[i];
    return NULL;
}

/* ---- questions, pass 1: structure and names */

static int count_questions(const cJSON *arr, int depth)
{
    const cJSON *q;
    int n = 0;

    if (!cJSON_IsArray(arr) || depth > 32)
        return 0;
    cJSON_ArrayForEach(q, arr)
    {
        n++;
        n += count_questions(cJSON_GetObjectItemCaseSensitive(q, "children"), depth + 1);
    }
    return n;
}

static int parse_type(loader *L, form_question *q, const cJSON *jt, const char *where)
{
    const char *t = cJSON_IsString(jt) ? jt->valuestring : NULL;
    char word[32];
    size_t n;
    int type;

    if (!t) {
        PROBLEM(L, where, "type", "missing");
        return -1;
    }
    n = strcspn(t, " ");
    snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1), t);
    if ((type = qtype_find(word)) < 0 || (t[n] && !(qtype_of(type)->flags & QT_LIST))) {
        PROBLEM(L, where, "type", "unknown type '%s'", t);
        return -1;
    }
    q->type = (form_type)type;
    if (!(qtype_of(type)->flags & QT_LIST))
        return 0;
    const char *list = t + n;
    while (*list == ' ')
        list++;
    if (!*list) {
        PROBLEM(L, where, "type", "'%s' needs a choice list: \"%s LIST\"", word, word);
        return -1;
    }
    if (!(q->list = find_list(L->f, list))) {
        PROBLEM(L, where, "type", "unknown choice list '%s'", list);
        return -1;
    }
    return 0;
}

/* How many repeats r is inside, itself included (0 for -1: the top). */
static int repeat_depth(const form *f, int r)
{
    int d = 0;

    for (; r >= 0; r = f->qs[r].repeat)
        d++;
    return d;
}

static void flatten(loader *L, const cJSON *arr, int parent, int repeat, int depth)
{
    const cJSON *jq;
    form *f = L->f;

    cJSON_ArrayForEach(jq, arr)
    {
        int idx = f->nqs++;
        form_question *q = &f->qs[idx];
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(jq, "name");
        char where[160];

        q->index = idx;
        q->parent = parent;
        q->repeat = repeat;
        q->depth = depth;
        q->end = idx + 1;
        q->type = Q_NOTE;
        L->src[idx] = jq;
        if (cJSON_IsString(name) && valid_name(name->valuestring)) {
            q->name = dup(L, name->valuestring);
            snprintf(where, sizeof(where), "%s", name->valuestring);
        } else {
            snprintf(where, sizeof(where), "question %d", idx + 1);
            q->name = dup(L, where);
            if (!cJSON_IsObject(jq)) {
                PROBLEM(L, where, "", "expected an object");
                continue;
            }
            if (!name)
                PROBLEM(L, where, "name", "missing");
            else if (!cJSON_IsString(name))
                PROBLEM(L, where, "name", "expected a string");
            else
                PROBLEM(L, where, "name",
                        "'%.64s' is not a valid name (letters, digits and '_', at most %d bytes)",
                        name->valuestring, FORM_NAME_MAX);
        }
        if (parse_type(L, q, cJSON_GetObjectItemCaseSensitive(jq, "type"), where)) {
            q->type = Q_TEXT; /* keep checking the rest as if it were text */
            L->bad_type[idx] = 1;
        }
        const cJSON *kids = cJSON_GetObjectItemCaseSensitive(jq, "children");
        if (qtype_container(q->type)) {
            if (q->type == Q_REPEAT && repeat_depth(f, repeat) >= FORM_MAX_DEPTH_REPEATS)
                PROBLEM(L, where, "type", "repeats nest at most %d deep", FORM_MAX_DEPTH_REPEATS);
            if (!cJSON_IsArray(kids) || cJSON_GetArraySize(kids) == 0)
                PROBLEM(L, where, "children", "a %s needs at least one question in \"children\"",
                        form_type_name(q->type));
            else if (depth >= 32)
                PROBLEM(L, where, "children", "groups are nested too deeply");
            else
                flatten(L, kids, idx, q->type == Q_REPEAT ? idx : repeat, depth + 1);
            q->end = f->nqs;
        } else if (kids) {
            PROBLEM(L, where, "children", "only a group or a repeat has children");
        }
    }
}

/* ---- questions, pass 2: columns and expressions */

static int resolve(void *ctx, const char *name, size_t len, int bare)
{
    loader *L = ctx;
    char tmp[256];

    if (len >= sizeof(tmp))
        return -1;
    memcpy(tmp, name, len);
    tmp[len] = '\0';
    if (bare == EXPR_NAME_DATA)
        return form_data_find(L->f, tmp);
    if (bare)
        return L->filter ? attr_index((form_list *)L->filter, tmp) : -1;
    return form_find(L->f, tmp);
}

static expr *parse_column(loader *L, const cJSON *jq, const char *column, const form_question *q)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(jq, column);
    expr *e = NULL;
    dt_err err;

    if (!t)
        return NULL;
    if (!cJSON_IsString(t)) {
        PROBLEM(L, q->name, column, "expected an expression (a string)");
        return NULL;
    }
    L->filter = !strcmp(column, "choice_filter") ? q->list : NULL;
    if (expr_parse(&e, t->valuestring, resolve, L, &err)) {
        if (err.code == DT_ENOMEM)
            L->nomem = 1;
        PROBLEM(L, q->name, column, "%s", err.msg);
        return NULL;
    }
    if (expr_uses_dot(e) && strcmp(column, "constraint") != 0)
        PROBLEM(L, q->name, column, "'.' (this answer) can only be used in a constraint");
    size_t n;
    const int *refs = expr_refs(e, &n);
    for (size_t i = 0; i < n; i++) {
        const form_question *r = &L->f->qs[refs[i]];
        if (r->type == Q_GROUP || r->type == Q_NOTE)
            PROBLEM(L, q->name, column, "${%s} is a %s and has no value", r->name,
                    form_type_name(r->type));
    }
    return e;
}

static void only_for(loader *L, const cJSON *jq, const form_question *q, const char *column,
                     int allowed, const char *who)
{
    if (!allowed && cJSON_GetObjectItemCaseSensitive(jq, column))
        PROBLEM(L, q->name, column, "only %s can have this column", who);
}

static void load_required(loader *L, const cJSON *jq, form_question *q)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(jq, "required");

    if (!r)
        return;
    if (!qtype_answerable(q->type)) {
        PROBLEM(L, q->name, "required", "a %s cannot be required", form_type_name(q->type));
        return;
    }
    if (cJSON_IsBool(r))
        q->required = cJSON_IsTrue(r);
    else if (cJSON_IsString(r))
        q->required_if = parse_column(L, jq, "required", q);
    else
        PROBLEM(L, q->name, "required", "expected true, false or an expression");
}

static void load_default(loader *L, const cJSON *jq, form_question *q)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(jq, "default");
    char why[256];
    val v = {0};

    if (!d || L->bad_type[q->index])
        return;
    if (!qtype_answerable(q->type)) {
        PROBLEM(L, q->name, "default", "a %s cannot have a default", form_type_name(q->type));
        return;
    }
    if (val_from_json(&v, q, d, why, sizeof(why)))
        PROBLEM(L, q->name, "default", "%s", why);
    else if (!(q->default_value = cJSON_Duplicate(d, 1)))
        L->nomem = 1;
    val_free(&v);
}

/* A direct identifier is a text answer that names someone: what exports replace by a keyed
 * hash unless names are asked for (docs/exports.md). Another type holds no name to hide. */
static void load_identifier(loader *L, const cJSON *jq, form_question *q)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(jq, "identifier");

    if (!id)
        return;
    if (!cJSON_IsBool(id)) {
        PROBLEM(L, q->name, "identifier", "expected true or false");
        return;
    }
    q->identifier = cJSON_IsTrue(id);
    if (q->identifier && q->type != Q_TEXT && !L->bad_type[q->index])
        PROBLEM(L, q->name, "identifier",
                "only a question of type text can be an identifier (this one is %s)",
                form_type_name(q->type));
}

/* A range's parameters as ODK writes them, "start=1 end=10 step=1" (each optional: ODK's
 * defaults 1, 10 and 1), or the JSON object {"start": 1, "end": 10, "step": 1}. */
static void load_range(loader *L, const cJSON *jq, form_question *q)
{
    static const char *const names[] = {"start", "end", "step"};
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(jq, "parameters");

    q->range[0] = 1, q->range[1] = 10, q->range[2] = 1;
    if (!p)
        return;
    if (!cJSON_IsObject(p)) {
        PROBLEM(L, q->name, "parameters", "expected {\"start\": N, \"end\": N, \"step\": N}");
        return;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, p)
    {
        int k = 0;
        while (k < 3 && strcmp(c->string, names[k]))
            k++;
        if (k == 3)
            PROBLEM(L, q->name, "parameters", "unknown parameter '%s' (start, end, step)",
                    c->string);
        else if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
            PROBLEM(L, q->name, "parameters", "%s must be a number", c->string);
        else
            q->range[k] = c->valuedouble;
    }
    if (!(q->range[2] > 0))
        PROBLEM(L, q->name, "parameters", "step must be greater than 0");
}

/* A read-only question shows its value (a default, a prefill) and takes none from the
 * enumerator, so it cannot be required; only a question an interview asks can be one. */
static void load_read_only(loader *L, const cJSON *jq, form_question *q)
{
    const cJSON *ro = cJSON_GetObjectItemCaseSensitive(jq, "read_only");
    const qtype *qt = qtype_of(q->type);

    if (!ro)
        return;
    if (!cJSON_IsBool(ro)) {
        PROBLEM(L, q->name, "read_only", "expected true or false");
        return;
    }
    q->read_only = cJSON_IsTrue(ro);
    if (q->read_only && !((qt->flags & QT_ANSWER) && (qt->flags & QT_ASKED)))
        PROBLEM(L, q->name, "read_only",
                "only a question that is asked can be read-only (this "
                "one is %s)",
                form_type_name(q->type));
    else if (q->read_only && cJSON_GetObjectItemCaseSensitive(jq, "required") &&
             !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(jq, "required")))
        PROBLEM(L, q->name, "read_only",
                "a read-only question cannot be required: nobody "
                "answers it");
}

static void load_question(loader *L, form_question *q)
{
    static const char *const keys[] = {"name",
                                       "type",
                                       "label",
                                       "hint",
                                       "required",
                                       "required_message",
                                       "relevant",
                                       "constraint",
                                       "constraint_message",
                                       "calculation",
                                       "default",
                                       "choice_filter",
                                       "repeat_count",
                                       "children",
                                       "appearance",
                                       "identifier",
                                       "parameters",
                                       "read_only",
                                       NULL};
    const cJSON *jq = L->src[q->index];
    const qtype *qt = qtype_of(q->type);
    int sel = (qt->flags & QT_LIST) != 0;

    if (!cJSON_IsObject(jq))
        return;
    check_keys(L, jq, keys, q->name);
    q->label = texts(L, jq, "label", (qt->flags & (QT_ASKED | QT_CONTAINER)) != 0, q->name);
    q->hint = texts(L, jq, "hint", 0, q->name);
    q->required_msg = texts(L, jq, "required_message", 0, q->name);
    q->constraint_msg = texts(L, jq, "constraint_message", 0, q->name);
    load_read_only(L, jq, q);
    load_required(L, jq, q);
    load_default(L, jq, q);
    load_identifier(L, jq, q);
    q->relevant = parse_column(L, jq, "relevant", q);

    only_for(L, jq, q, "constraint", qtype_answerable(q->type), "a question that takes an answer");
    only_for(L, jq, q, "constraint_message", qtype_answerable(q->type),
             "a question that takes an answer");
    only_for(L, jq, q, "calculation", q->type == Q_CALCULATE, "a calculate");
    only_for(L, jq, q, "choice_filter", sel, "a select_one or select_multiple");
    only_for(L, jq, q, "repeat_count", q->type == Q_REPEAT, "a repeat");
    if (qtype_answerable(q->type))
        q->constraint = parse_column(L, jq, "constraint", q);
    if (q->type == Q_CALCULATE) {
        q->calculation = parse_column(L, jq, "calculation", q);
        if (!cJSON_GetObjectItemCaseSensitive(jq, "calculation"))
            PROBLEM(L, q->name, "calculation", "a calculate needs a calculation");
    }
    if (sel)
        q->choice_filter = parse_column(L, jq, "choice_filter", q);
    if (q->type == Q_REPEAT)
        q->repeat_count = parse_column(L, jq, "repeat_count", q);
    only_for(L, jq, q, "parameters", (qt->flags & QT_PARAMS) != 0, "a range");
    if (qt->flags & QT_PARAMS)
        load_range(L, jq, q);
}

static void check_duplicate_names(loader *L)
{
    form *f = L->f;

    for (int i = 1; i < f->nqs; i++) {
        const form_question *a = &f->qs[f->by_name[i - 1]], *b = &f->qs[f->by_name[i]];
        if (!strcmp(a->name, b->name))
            PROBLEM(L, b->name, "name", "the name is used by question %d and question %d",
                    a->index + 1, b->index + 1);
    }
}

/* ---- evaluation order and cycles */

typedef struct graph {
    int **deps; /* deps[q]: what q's relevance and value read */
    int *ndeps;
    unsigned char *mark; /* 0 new, 1 on the DFS stack, 2 done */
    int *stack;
    int depth;
} graph;

static void add_dep(loader *L, graph *g, int q, int d)
{
    for (int i = 0; i < g->ndeps[q]; i++)
        if (g->deps[q][i] == d)
            return;
    int *p = realloc(g->deps[q], sizeof(int) * (size_t)(g->ndeps[q] + 1));
    if (!p) {
        L->nomem = 1;
        return;
    }
    g->deps[q] = p;
    p[g->ndeps[q]++] = d;
}

static void add_expr_deps(loader *L, graph *g, int q, const expr *e)
{
    size_t n;
    const int *refs;

    if (!e)
        return;
    refs = expr_refs(e, &n);
    for (size_t i = 0; i < n; i++)
        add_dep(L, g, q, refs[i]);
}

static void report_cycle(loader *L, graph *g, int q)
{
    char path[1024];
    size_t o = 0;
    int start = g->depth - 1;

    while (start > 0 && g->stack[start] != q)
        start--;
    for (int i = start; i < g->depth && o < sizeof(path) - 1; i++)
        o += (size_t)snprintf(path + o, sizeof(path) - o, "%s -> ", L->f->qs[g->stack[i]].name);
    if (o < sizeof(path) - 1)
        snprintf(path + o, sizeof(path) - o, "%s", L->f->qs[q].name);
    PROBLEM(L, L->f->qs[q].name, "", "dependency cycle among relevant/calculation/repeat_count: %s",
            path);
}

static void visit(loader *L, graph *g, int q)
{
    if (g->mark[q] == 2)
        return;
    if (g->mark[q] == 1) {
        report_cycle(L, g, q);
        return;
    }
    g->mark[q] = 1;
    g->stack[g->depth++] = q;
    for (int i = 0; i < g->ndeps[q]; i++)
        visit(L, g, g->deps[q][i]);
    g->depth--;
    g->mark[q] = 2;
    L->f->order[L->f->norder++] = q;
}

static void build_order(loader *L)
{
    form *f = L->f;
    int n = f->nqs;
    graph g = {0};

    g.deps = calloc((size_t)n + 1, sizeof(int *));
    g.ndeps = calloc((size_t)n + 1, sizeof(int));
    g.mark = calloc((size_t)n + 1, 1);
    g.stack = calloc((size_t)n + 1, sizeof(int));
    f->order = calloc((size_t)n + 1, sizeof(int));
    if (!g.deps || !g.ndeps || !g.mark || !g.stack || !f->order) {
        L->nomem = 1;
        goto cleanup;
    }
    for (int q = 0; q < n; q++) {
        const form_question *fq = &f->qs[q];
        if (fq->parent >= 0)
            add_dep(L, &g, q, fq->parent);
        add_expr_deps(L, &g, q, fq->relevant);
        add_expr_deps(L, &g, q, fq->calculation);
        add_expr_deps(L, &g, q, fq->repeat_count);
    }
    for (int q = 0; q < n && !L->nomem; q++)
        visit(L, &g, q);
cleanup:
    for (int q = 0; g.deps && q < n; q++)
        free(g.deps[q]);
    free(g.deps);
    free(g.ndeps);
    free(g.mark);
    free(g.stack);
}

static int in_key(const form *f, int q)
{
    for (int k = 0; k < f->nhh_key; k++)
        if (f->hh_key[k] == q)
            return 1;
    return 0;
}

/* An expression of the whole form (key): parsed into *out, read at the top level. */
static void form_rule(loader *L, const cJSON *doc, const char *key, expr **out)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, key);
    dt_err err;

    if (!t)
        return;
    if (!cJSON_IsString(t))
        PROBLEM(L, "form", key, "expected an expression (a string)");
    else if (expr_parse(out, t->valuestring, resolve, L, &err))
        PROBLEM(L, "form", key, "%s", err.msg);
    else if (expr_uses_dot(*out))
        PROBLEM(L, "form", key, "'.' cannot be used here");
}

static void load_form_rules(loader *L, const cJSON *doc)
{
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(doc, "household_key");
    form *f = L->f;

    form_rule(L, doc, "refusal", &f->refusal);
    form_rule(L, doc, "instance_name", &f->instance_name);
    if (!key)
        return;
    if (!cJSON_IsArray(key) || cJSON_GetArraySize(key) == 0) {
        PROBLEM(L, "form", "household_key", "expected a non-empty array of question names");
        return;
    }
    f->hh_key = calloc((size_t)cJSON_GetArraySize(key), sizeof(int));
    if (!f->hh_key) {
        L->nomem = 1;
        return;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, key)
    {
        int q = cJSON_IsString(it) ? form_find(f, it->valuestring) : -1;
        if (q < 0)
            PROBLEM(L, "form", "household_key", "unknown question '%s'",
                    cJSON_IsString(it) ? it->valuestring : "?");
        else if (f->qs[q].repeat >= 0)
            PROBLEM(L, "form", "household_key", "'%s' must be a question outside any repeat",
                    f->qs[q].name);
        else if (!qtype_answerable(f->qs[q].type))
            PROBLEM(L, "form", "household_key", "'%s' is a %s, not a question with an answer",
                    f->qs[q].name, form_type_name(f->qs[q].type));
        else if (in_key(f, q))
            PROBLEM(L, "form", "household_key", "'%s' is listed twice", f->qs[q].name);
        else
            f->hh_key[f->nhh_key++] = q;
    }
}

int form_load_json(form **out, const cJSON *doc, const char *name, errlist *problems)
{
    loader L = {0};
    const cJSON *qs;
    size_t before = problems->n;
    int total;

    (void)name;
    *out = NULL;
    L.problems = problems;
    if (!cJSON_IsObject(doc)) {
        PROBLEM(&L, "form", "", "expected a JSON object");
        return DT_EINVAL;
    }
    L.f = calloc(1, sizeof(form));
    if (!L.f)
        return DT_ENOMEM;
    load_header(&L, doc);
    if (L.f->nlangs == 0)
        goto cleanup; /* every label check depends on the languages */
    load_lists(&L, doc);
    if (form_load_data(L.f, doc, problems) == DT_ENOMEM)
        L.nomem = 1;

    qs = cJSON_GetObjectItemCaseSensitive(doc, "questions");
    total = count_questions(qs, 0);
    if (!cJSON_IsArray(qs) || total == 0) {
        PROBLEM(&L, "form", "questions", "expected a non-empty array of questions");
        goto cleanup;
    }
    L.f->qs = calloc((size_t)total, sizeof(form_question));
    L.src = calloc((size_t)total, sizeof(cJSON *));
    L.bad_type = calloc((size_t)total, 1);
    if (!L.f->qs || !L.src || !L.bad_type) {
        L.nomem = 1;
        goto cleanup;
    }
    flatten(&L, qs, -1, -1, 0);
    if (L.nomem || form_index_names(L.f)) {
        L.nomem = 1;
        goto cleanup;
    }
    check_duplicate_names(&L);
    for (int i = 0; i < L.f->nqs; i++)
        load_question(&L, &L.f->qs[i]);
    load_form_rules(&L, doc);
    if (form_load_geography(L.f, doc, problems))
        L.nomem = 1;
    if (!L.nomem)
        build_order(&L); /* cycles are reported together with everything else */
cleanup:
    free(L.src);
    free(L.bad_type);
    if (L.nomem) {
        form_free(L.f);
        return DT_ENOMEM;
    }
    if (problems->n > before) {
        form_free(L.f);
        return DT_EINVAL;
    }
    *out = L.f;
    return DT_OK;
}

int form_load_file(form **out, const char *path, errlist *problems)
{
    cJSON *doc = NULL;
    dt_err err;
    int rc;

    *out = NULL;
    rc = json_load_file(&doc, path, FORM_MAX_FILE, &err);
    if (rc) {
        /* The message starts with the path; the caller prints the path itself. */
        errlist_add(problems, "form", "", "%s", err_after_prefix(err.msg, path));
        return rc;
    }
    rc = form_load_json(out, doc, path, problems);
    cJSON_Delete(doc);
    return rc;
}
