/* test_qtype.c - the question type table and the types it brought: time, datetime, range,
 * acknowledge, hidden, each through the form loader, the value checks and the engine */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "engine.h"
#include "form.h"
#include "qtype.h"
#include "value.h"

#define TODAY 20300 /* 2025-07-31 */

/* A form in JSON written with ' for JSON quotes and ` for XPath's; every question shown gets a
 * label in vi. */
static form *load(const char *text, errlist *problems)
{
    char *s = strdup(text);
    form *f = NULL;
    cJSON *doc;
    char json[4096];

    for (char *p = s; *p; p++)
        *p = *p == '\'' ? '"' : *p == '`' ? '\'' : *p;
    snprintf(json, sizeof(json),
             "{\"id\": \"t\", \"version\": 1, \"languages\": [\"vi\"], \"title\": {\"vi\": \"T\"},"
             " \"choices\": {}, \"questions\": %s}",
             s);
    free(s);
    doc = cJSON_Parse(json);
    assert_non_null(doc);
    cJSON *q;
    cJSON_ArrayForEach(q, cJSON_GetObjectItem(doc, "questions"))
    {
        const char *t = cJSON_GetObjectItem(q, "type")->valuestring;
        if (strcmp(t, "calculate") && strcmp(t, "hidden"))
            cJSON_AddItemToObject(q, "label", cJSON_Parse("{\"vi\": \"?\"}"));
    }
    form_load_json(&f, doc, "t", problems);
    cJSON_Delete(doc);
    return f;
}

static form *load_ok(const char *text)
{
    errlist pr = {0};
    form *f = load(text, &pr);

    for (size_t i = 0; i < pr.n; i++)
        print_error("%s: %s: %s\n", pr.items[i].where, pr.items[i].what, pr.items[i].msg);
    assert_int_equal(pr.n, 0);
    assert_non_null(f);
    errlist_free(&pr);
    return f;
}

/* What value's text check makes of text for question q of f: the canonical text, or "!" and
 * the reason. */
static const char *typed(const form *f, const char *q, const char *text)
{
    static char out[512];
    val v = {0};
    char why[256] = "";

    if (val_from_text(&v, form_q(f, form_find(f, q)), text, why, sizeof(why)))
        snprintf(out, sizeof(out), "!%s", why);
    else
        snprintf(out, sizeof(out), "%s", v.has ? v.str : "");
    val_free(&v);
    return out;
}

static const char *from_json(const form *f, const char *q, const char *json)
{
    static char out[512];
    cJSON *j = cJSON_Parse(json);
    val v = {0};
    char why[256] = "";

    assert_non_null(j);
    if (val_from_json(&v, form_q(f, form_find(f, q)), j, why, sizeof(why)))
        snprintf(out, sizeof(out), "!%s", why);
    else
        snprintf(out, sizeof(out), "%s", v.has ? v.str : "");
    val_free(&v);
    cJSON_Delete(j);
    return out;
}

static void test_qtype__every_type_has_an_entry_found_by_its_name(void **state)
{
    (void)state;
    for (int t = 0; t < Q_NTYPES; t++) {
        const qtype *e = qtype_of((form_type)t);
        assert_non_null(e->name);
        assert_int_equal(qtype_find(e->name), t);
        assert_non_null(e->to_json);
        /* A type takes an answer exactly when it has the checks that make one. */
        assert_int_equal(!!(e->flags & QT_ANSWER), e->from_json != NULL);
        assert_int_equal(!!(e->flags & QT_ANSWER), e->from_text != NULL);
        /* What is shown has a way to be asked; what is hidden has none. */
        if (!(e->flags & QT_ASKED))
            assert_int_equal(e->input, QI_NONE);
    }
    assert_int_equal(qtype_find("select_one_from_file"), -1);
    assert_int_equal(qtype_find(""), -1);
}

static const char TYPES[] = "[{'name': 't', 'type': 'time'},"
                            " {'name': 'code', 'type': 'text', 'read_only': true,"
                            "  'default': '03980'},"
                            " {'name': 'dt', 'type': 'datetime'},"
                            " {'name': 'ok', 'type': 'acknowledge', 'required': true},"
                            " {'name': 'r', 'type': 'range',"
                            "  'parameters': {'start': 0, 'end': 5, 'step': 0.5}},"
                            " {'name': 'r10', 'type': 'range'},"
                            " {'name': 'h', 'type': 'hidden', 'default': 'wave 2'},"
                            " {'name': 'late', 'type': 'calculate',"
                            "  'calculation': 'if(${t} = `13:15:00`, 1, 0)'}]";

static void test_qtype__time_and_datetime_are_made_canonical(void **state)
{
    form *f = load_ok(TYPES);

    (void)state;
    assert_string_equal(typed(f, "t", "7:05"), "!enter a time as HH:MM (24-hour, e.g. 14:30)");
    assert_string_equal(typed(f, "t", "07:05"), "07:05:00");
    assert_string_equal(typed(f, "t", " 23:59:59 "), "23:59:59");
    assert_string_equal(typed(f, "t", "24:00"), "!enter a time as HH:MM (24-hour, e.g. 14:30)");
    assert_string_equal(typed(f, "t", "12:60"), "!enter a time as HH:MM (24-hour, e.g. 14:30)");
    assert_string_equal(from_json(f, "t", "\"14:30\""), "14:30:00");
    assert_string_equal(from_json(f, "t", "1430")[0] == '!' ? "!" : "", "!");
    assert_string_equal(typed(f, "dt", "25/03/2025 14:30"), "2025-03-25T14:30:00");
    assert_string_equal(typed(f, "dt", "2025-03-25T14:30:05"), "2025-03-25T14:30:05");
    assert_string_equal(from_json(f, "dt", "\"2025-03-25T08:00\""), "2025-03-25T08:00:00");
    assert_string_equal(from_json(f, "dt", "\"2025-03-25T08:00:00+07:00\"")[0] == '!' ? "!" : "",
                        "!");
    assert_string_equal(typed(f, "dt", "2025-02-30 10:00")[0] == '!' ? "!" : "", "!");
    assert_string_equal(from_json(f, "dt", "\"25/03/2025 08:00\"")[0] == '!' ? "!" : "", "!");
    form_free(f);
}

static void test_qtype__range_takes_its_parameters_and_odk_defaults(void **state)
{
    form *f = load_ok(TYPES);

    (void)state;
    assert_string_equal(typed(f, "r", "2,5"), "2.5");
    assert_string_equal(from_json(f, "r", "5"), "5");
    assert_string_equal(from_json(f, "r", "0"), "0");
    assert_string_equal(from_json(f, "r", "5.5"), "!expected a number from 0 to 5 in steps of 0.5");
    assert_string_equal(from_json(f, "r", "1.2"), "!expected a number from 0 to 5 in steps of 0.5");
    assert_string_equal(from_json(f, "r10", "10"), "10");
    assert_string_equal(from_json(f, "r10", "0"), "!expected a number from 1 to 10 in steps of 1");
    assert_string_equal(from_json(f, "r10", "\"3\""), "!expected a number");
    form_free(f);
}

static void test_qtype__acknowledge_and_hidden(void **state)
{
    form *f = load_ok(TYPES);

    (void)state;
    assert_string_equal(typed(f, "ok", "ok"), "OK");
    assert_string_equal(typed(f, "ok", "có"), "OK");
    assert_string_equal(typed(f, "ok", "no"), "!type OK to confirm");
    assert_string_equal(from_json(f, "ok", "\"OK\""), "OK");
    assert_string_equal(from_json(f, "ok", "true"), "OK");
    assert_string_equal(from_json(f, "ok", "\"yes\""), "!expected \"OK\"");
    assert_string_equal(from_json(f, "h", "\"wave 3\""), "wave 3");
    form_free(f);
}

/* The engine: a hidden question is never a screen but keeps its default and is written out;
 * an acknowledge is asked and required; a time reads as its text. */
static void test_qtype__the_engine_asks_what_is_shown_and_keeps_the_hidden(void **state)
{
    form *f = load_ok(TYPES);
    interview *iv = eng_new(f, TODAY, 0);
    eng_pos *sc, at = {form_find(f, "t"), 0};
    char msg[256];
    val v = {0};
    char why[128];
    int n;

    (void)state;
    assert_non_null(iv);
    assert_int_equal(eng_use_defaults(iv), 0); /* a new interview */
    n = eng_screens(iv, &sc);
    assert_int_equal(n, 6); /* t, code, dt, ok, r, r10: not h, not late */
    for (int i = 0; i < n; i++)
        assert_int_not_equal(sc[i].q, form_find(f, "h"));
    free(sc);
    assert_false(eng_check(iv, (eng_pos){form_find(f, "ok"), 0}, msg, sizeof(msg)));
    assert_int_equal(val_from_text(&v, form_q(f, at.q), "13:15", why, sizeof(why)), 0);
    assert_int_equal(eng_set_val(iv, at, &v), 0);
    assert_true(eng_get(iv, (eng_pos){form_find(f, "late"), 0})->num == 1);
    val_free(&v);

    cJSON *out = eng_to_json(iv);
    assert_non_null(out);
    assert_string_equal(cJSON_GetObjectItem(out, "h")->valuestring, "wave 2");
    assert_string_equal(cJSON_GetObjectItem(out, "t")->valuestring, "13:15:00");
    /* the read-only answer is its default's: the interview cannot change it */
    assert_string_equal(cJSON_GetObjectItem(out, "code")->valuestring, "03980");
    assert_int_equal(val_from_text(&v, form_q(f, form_find(f, "code")), "04078", why, sizeof(why)),
                     0);
    assert_int_equal(eng_set_val(iv, (eng_pos){form_find(f, "code"), 0}, &v), DT_EINVAL);
    val_free(&v);
    assert_string_equal(eng_get(iv, (eng_pos){form_find(f, "code"), 0})->str, "03980");
    /* an answers file (an assignment's prefill) gives it its value */
    errlist pr = {0};
    cJSON *pre = cJSON_Parse("{\"code\": \"04078\"}");
    assert_int_equal(eng_load_json(iv, pre, &pr), 0);
    cJSON_Delete(pre);
    assert_string_equal(eng_get(iv, (eng_pos){form_find(f, "code"), 0})->str, "04078");
    cJSON_Delete(out);
    eng_free(iv);
    form_free(f);
}

static void test_qtype__the_loader_says_what_a_type_cannot_have(void **state)
{
    static const struct {
        const char *form, *what, *msg;
    } bad[] = {
        {"[{'name': 'r', 'type': 'range', 'parameters': {'start': 1, 'stop': 3}}]", "parameters",
         "unknown parameter 'stop' (start, end, step)"},
        {"[{'name': 'r', 'type': 'range', 'parameters': {'step': 0}}]", "parameters",
         "step must be greater than 0"},
        {"[{'name': 'r', 'type': 'range', 'parameters': 'start=1'}]", "parameters",
         "expected {\"start\": N, \"end\": N, \"step\": N}"},
        {"[{'name': 'x', 'type': 'integer', 'parameters': {'start': 1}}]", "parameters",
         "only a range can have this column"},
        {"[{'name': 'x', 'type': 'time', 'default': '25:00'}]", "default",
         "expected a time as \"HH:MM\" or \"HH:MM:SS\" (24-hour)"},
        {"[{'name': 'x', 'type': 'integer list'}]", "type", "unknown type 'integer list'"},
        {"[{'name': 'x', 'type': 'calculate', 'calculation': '1', 'read_only': true}]", "read_only",
         "only a question that is asked can be read-only (this one is calculate)"},
        {"[{'name': 'x', 'type': 'text', 'read_only': true, 'required': '1 = 1'}]", "read_only",
         "a read-only question cannot be required: nobody answers it"},
        {"[{'name': 'x', 'type': 'select_one'}]", "type",
         "'select_one' needs a choice list: \"select_one LIST\""},
        {"[{'name': 'x', 'type': 'calculate', 'calculation': 'pulldata(`p`, `a`, `b`, 1)'}]",
         "calculation",
         "column 1: pulldata(): no table 'p' (a CSV file of that name beside the XLSForm, or "
         "the form's \"data\")"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errlist pr = {0};
        form *f = load(bad[i].form, &pr);
        assert_null(f);
        assert_true(pr.n >= 1);
        assert_string_equal(pr.items[0].what, bad[i].what);
        assert_string_equal(pr.items[0].msg, bad[i].msg);
        errlist_free(&pr);
    }
}

/* Rosters nest, four deep at most: a fifth is a problem on its question. */
static void test_qtype__repeats_nest_four_deep_at_most(void **state)
{
    const char *nest = "[{'name': 'a', 'type': 'repeat', 'children': ["
                       "{'name': 'b', 'type': 'repeat', 'children': ["
                       "{'name': 'c', 'type': 'repeat', 'children': ["
                       "{'name': 'd', 'type': 'repeat', 'children': ["
                       "{'name': 'e', 'type': 'repeat', 'children': ["
                       "{'name': 'x', 'type': 'calculate', 'calculation': '1'}]}]}]}]}]}]";
    errlist pr = {0};
    int found = 0;

    (void)state;
    assert_null(load(nest, &pr));
    for (size_t i = 0; i < pr.n; i++)
        found += !strcmp(pr.items[i].where, "e") && !strcmp(pr.items[i].what, "type") &&
                 !strcmp(pr.items[i].msg, "repeats nest at most 4 deep");
    assert_int_equal(found, 1);
    for (size_t i = 0; i < pr.n; i++) /* the four above are fine */
        assert_true(strcmp(pr.items[i].what, "type") || !strcmp(pr.items[i].where, "e"));
    errlist_free(&pr);
}

/* ODK's instance_name names an interview in lists; without it, the household key does. */
static void test_qtype__instance_name_names_the_interview(void **state)
{
    static const char *doc_text =
        "{\"id\": \"t\", \"version\": 1, \"languages\": [\"vi\"], \"title\": {\"vi\": \"T\"},"
        " \"instance_name\": \"concat('Hộ ', ${n}, ' · ', ${m_name})\","
        " \"questions\": [{\"name\": \"n\", \"type\": \"integer\", \"label\": {\"vi\": \"N\"}},"
        " {\"name\": \"members\", \"type\": \"repeat\", \"label\": {\"vi\": \"M\"},"
        " \"children\": [{\"name\": \"m_name\", \"type\": \"text\", \"label\": {\"vi\": "
        "\"T\"}}]}]}";
    cJSON *doc = cJSON_Parse(doc_text);
    errlist pr = {0};
    form *f = NULL;
    buf b;

    (void)state;
    assert_int_equal(form_load_json(&f, doc, "t", &pr), 0);
    interview *iv = eng_new(f, TODAY, 0);
    cJSON *a = cJSON_Parse("{\"n\": 4, \"members\": [{\"m_name\": \"Lò Văn Minh\"},"
                           " {\"m_name\": \"Cầm Thị Ươi\"}]}");
    assert_int_equal(eng_load_json(iv, a, &pr), 0);
    buf_init(&b, 1024);
    assert_int_equal(eng_household_label(&b, iv, 0), 0);
    assert_string_equal(b.data, "Hộ 4 · Lò Văn Minh"); /* a roster's first, as ODK's */
    buf_free(&b);
    cJSON_Delete(a);
    eng_free(iv);
    form_free(f);
    cJSON_ReplaceItemInObject(doc, "instance_name", cJSON_CreateString("concat(${x}"));
    assert_int_equal(form_load_json(&f, doc, "t", &pr), DT_EINVAL);
    assert_string_equal(pr.items[0].what, "instance_name");
    errlist_free(&pr);
    cJSON_Delete(doc);
}

/* pulldata()'s tables in the JSON form: numbers kept as their text, the first matching row. */
static void test_qtype__pulldata_reads_the_forms_tables(void **state)
{
    static const char *doc_text =
        "{\"id\": \"t\", \"version\": 1, \"languages\": [\"vi\"], \"title\": {\"vi\": \"T\"},"
        " \"data\": {\"prices\": [{\"code\": 1, \"price\": \"25000\"}, {\"code\": \"2\","
        " \"price\": 30000.5}, {\"code\": 1, \"price\": \"later\"}]},"
        " \"questions\": [{\"name\": \"c\", \"type\": \"integer\", \"label\": {\"vi\": \"C\"}},"
        " {\"name\": \"p\", \"type\": \"calculate\","
        " \"calculation\": \"pulldata('prices', 'price', 'code', ${c})\"}]}";
    cJSON *doc = cJSON_Parse(doc_text);
    errlist pr = {0};
    form *f = NULL;
    char why[64];
    val v = {0};

    (void)state;
    assert_non_null(doc);
    assert_int_equal(form_load_json(&f, doc, "t", &pr), 0);
    interview *iv = eng_new(f, TODAY, 0);
    eng_pos c = {form_find(f, "c"), 0}, p = {form_find(f, "p"), 0};
    assert_int_equal(val_from_text(&v, form_q(f, c.q), "1", why, sizeof(why)), 0);
    assert_int_equal(eng_set_val(iv, c, &v), 0);
    assert_string_equal(eng_get(iv, p)->str, "25000"); /* the first row of code 1 */
    assert_int_equal(val_from_text(&v, form_q(f, c.q), "2", why, sizeof(why)), 0);
    assert_int_equal(eng_set_val(iv, c, &v), 0);
    assert_string_equal(eng_get(iv, p)->str, "30000.5"); /* a number kept as its text */
    assert_int_equal(val_from_text(&v, form_q(f, c.q), "3", why, sizeof(why)), 0);
    assert_int_equal(eng_set_val(iv, c, &v), 0);
    assert_false(eng_get(iv, p)->has);
    val_free(&v);
    eng_free(iv);
    form_free(f);
    /* a row that is not an object, a cell that is neither text nor a number */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "data"), "prices",
                              cJSON_Parse("[{\"code\": 1, \"price\": [1]}]"));
    assert_int_equal(form_load_json(&f, doc, "t", &pr), DT_EINVAL);
    assert_string_equal(pr.items[0].where, "data.prices");
    assert_string_equal(pr.items[0].msg, "row 1: price: expected text or a number");
    errlist_free(&pr);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qtype__every_type_has_an_entry_found_by_its_name),
        cmocka_unit_test(test_qtype__time_and_datetime_are_made_canonical),
        cmocka_unit_test(test_qtype__range_takes_its_parameters_and_odk_defaults),
        cmocka_unit_test(test_qtype__acknowledge_and_hidden),
        cmocka_unit_test(test_qtype__the_engine_asks_what_is_shown_and_keeps_the_hidden),
        cmocka_unit_test(test_qtype__the_loader_says_what_a_type_cannot_have),
        cmocka_unit_test(test_qtype__pulldata_reads_the_forms_tables),
        cmocka_unit_test(test_qtype__instance_name_names_the_interview),
        cmocka_unit_test(test_qtype__repeats_nest_four_deep_at_most),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
