/* test_engine.c - the interview engine: relevance, repeats, calculations, checks, navigation */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "form.h"
#include "value.h"

#define TODAY 19844 /* 2024-05-01 */
#define FEB29 19782 /* 2024-02-29 */
#define VI    0
#define EN    1

#define REQUIRED_VI "Câu hỏi này bắt buộc phải trả lời."
#define LATLON      "latitude must be within -90..90 and longitude within -180..180"

/* ---- the forms, written with ' for JSON quotes and ` for XPath string quotes.
 * load_form() adds the id, version, languages (vi, en), title and every label. */

static const char FORM_SKIP[] =
    "{'choices': {'yesno': [{'code': 1}, {'code': 2}]},"
    " 'questions': ["
    "  {'name': 'consent', 'type': 'select_one yesno', 'required': true},"
    "  {'name': 'hh', 'type': 'group', 'relevant': '${consent} = 1', 'children': ["
    "    {'name': 'phone', 'type': 'select_one yesno', 'required': true},"
    "    {'name': 'n_phones', 'type': 'integer', 'relevant': '${phone} = 1', 'required': true,"
    "     'constraint': '. >= 1 and . <= 20'},"
    "    {'name': 'why_many', 'type': 'text', 'relevant': '${many} = 1', 'required': true},"
    "    {'name': 'many', 'type': 'calculate', 'calculation': 'if(${double_phones} > 10, 1, 0)'},"
    "    {'name': 'double_phones', 'type': 'calculate', 'calculation': '${n_phones} * 2'}"
    "  ]},"
    "  {'name': 'remark', 'type': 'text'}"
    " ]}";

static const char FORM_CHECKS[] =
    "{'choices': {'yesno': [{'code': 1}, {'code': 2}],"
    "  'district': [{'code': 116}, {'code': 118}],"
    "  'commune': [{'code': 1, 'district': 116}, {'code': 2, 'district': 116},"
    "              {'code': 3, 'district': 118}],"
    "  'epay': [{'code': 1}, {'code': 2}, {'code': 9}]},"
    " 'questions': ["
    "  {'name': 'age', 'type': 'integer', 'required': true,"
    "   'required_message': {'vi': 'Hãy nhập tuổi.', 'en': 'Please enter the age.'},"
    "   'constraint': '. >= 0 and . <= 120',"
    "   'constraint_message': {'vi': 'Tuổi phải từ 0 đến 120.',"
    "                          'en': 'The age must be 0 to 120.'}},"
    "  {'name': 'phone', 'type': 'select_one yesno', 'required': true},"
    "  {'name': 'phone_no', 'type': 'text', 'required': '${phone} = 1',"
    "   'constraint': 'regex(., `^0[0-9]{9}$`)'},"
    "  {'name': 'district', 'type': 'select_one district'},"
    "  {'name': 'commune', 'type': 'select_one commune',"
    "   'choice_filter': 'district = ${district}'},"
    "  {'name': 'epay', 'type': 'select_multiple epay',"
    "   'constraint': 'not(selected(., 9) and count-selected(.) > 1)',"
    "   'constraint_message': {'vi': 'Chọn Không có thì không chọn gì khác.',"
    "                          'en': 'None excludes the other choices.'}}"
    " ]}";

static const char FORM_TYPES[] =
    "{'choices': {'yesno': [{'code': 1}, {'code': 2}],"
    "  'fruit': [{'code': 1}, {'code': 2}, {'code': 3}]},"
    " 'questions': ["
    "  {'name': 'n', 'type': 'integer'},"
    "  {'name': 'x', 'type': 'decimal'},"
    "  {'name': 't', 'type': 'text'},"
    "  {'name': 'one', 'type': 'select_one yesno'},"
    "  {'name': 'many', 'type': 'select_multiple fruit'},"
    "  {'name': 'd', 'type': 'date'},"
    "  {'name': 'gps', 'type': 'geopoint'},"
    "  {'name': 'info', 'type': 'note'},"
    "  {'name': 'visits', 'type': 'repeat', 'children': [{'name': 'v_date', 'type': 'date'}]},"
    "  {'name': 'c_sum', 'type': 'calculate', 'calculation': '${n} + ${x}'},"
    "  {'name': 'c_text', 'type': 'calculate', 'calculation': 'concat(${t}, ${n})'},"
    "  {'name': 'c_today', 'type': 'calculate', 'calculation': 'today()'},"
    "  {'name': 'c_days', 'type': 'calculate', 'calculation': 'today() - ${d}'}"
    " ]}";

static const char FORM_HH[] =
    "{'refusal': '${consent} = 2',"
    " 'choices': {'yesno': [{'code': 1}, {'code': 2}]},"
    " 'questions': ["
    "  {'name': 'consent', 'type': 'select_one yesno', 'required': true},"
    "  {'name': 'hh', 'type': 'group', 'relevant': '${consent} = 1', 'children': ["
    "   {'name': 'hh_size', 'type': 'integer', 'required': true,"
    "    'constraint': '. >= 1 and . <= 30'},"
    "   {'name': 'members', 'type': 'repeat', 'repeat_count': '${hh_size}', 'children': ["
    "     {'name': 'm_name', 'type': 'text', 'required': true},"
    "     {'name': 'm_age', 'type': 'integer', 'required': true},"
    "     {'name': 'm_adult', 'type': 'calculate', 'calculation': 'if(${m_age} >= 15, 1, 0)'},"
    "     {'name': 'm_label', 'type': 'calculate',"
    "      'calculation': 'concat(position(..), `/`, count(${members}), ` `, ${m_name})'},"
    "     {'name': 'm_work', 'type': 'select_one yesno', 'required': true,"
    "      'relevant': '${m_age} >= 15'}"
    "   ]},"
    "   {'name': 'n_adults', 'type': 'calculate', 'calculation': 'sum(${m_adult})'},"
    "   {'name': 'n_members', 'type': 'calculate', 'calculation': 'count(${members})'},"
    "   {'name': 'total_age', 'type': 'calculate', 'calculation': 'sum(${m_age})'},"
    "   {'name': 'head', 'type': 'calculate', 'calculation': '${m_name}'},"
    "   {'name': 'thanks', 'type': 'note'}"
    "  ]},"
    "  {'name': 'end', 'type': 'note'}"
    " ]}";

/* The functions that read a roster from outside by index and a choice's label. */
static const char FORM_INDEXED[] =
    "{'choices': {'rel': [{'code': 1}, {'code': 2}, {'code': 3}]},"
    " 'questions': ["
    "  {'name': 'n', 'type': 'integer'},"
    "  {'name': 'members', 'type': 'repeat', 'repeat_count': '${n}', 'children': ["
    "    {'name': 'm_age', 'type': 'integer'},"
    "    {'name': 'm_rel', 'type': 'select_one rel'},"
    "    {'name': 'm_rel_name', 'type': 'calculate',"
    "     'calculation': 'jr:choice-name(${m_rel}, `${m_rel}`)'},"
    "    {'name': 'older_than_first', 'type': 'calculate',"
    "     'calculation': 'if(${m_age} > indexed-repeat(${m_age}, ${members}, 1), 1, 0)'}"
    "  ]},"
    "  {'name': 'second_age', 'type': 'calculate',"
    "   'calculation': 'indexed-repeat(${m_age}, ${members}, 2)'},"
    "  {'name': 'first_rel', 'type': 'calculate',"
    "   'calculation': 'jr:choice-name(indexed-repeat(${m_rel}, ${members}, 1), `${m_rel}`)'}"
    " ]}";

/* A roster inside a roster: each member's plots, counted by the member's answer, and an
 * open-ended list of phones; what reads across the levels. */
static const char FORM_NESTED[] =
    "{'choices': {'crop': [{'code': 1}, {'code': 2}]},"
    " 'questions': ["
    "  {'name': 'members', 'type': 'repeat', 'children': ["
    "    {'name': 'm_name', 'type': 'text', 'required': true},"
    "    {'name': 'm_nplots', 'type': 'integer'},"
    "    {'name': 'plots', 'type': 'repeat', 'repeat_count': '${m_nplots}', 'children': ["
    "      {'name': 'p_area', 'type': 'decimal', 'required': true, 'constraint': '. > 0'},"
    "      {'name': 'p_crop', 'type': 'select_one crop'},"
    "      {'name': 'p_owner', 'type': 'calculate', 'calculation': 'concat(${m_name}, `#`,"
    "       position(..))'},"
    "      {'name': 'p_share', 'type': 'calculate', 'calculation': 'round(${p_area} div"
    "       ${m_area}, 2)'}"
    "    ]},"
    "    {'name': 'm_area', 'type': 'calculate', 'calculation': 'sum(${p_area})'},"
    "    {'name': 'm_count', 'type': 'calculate', 'calculation': 'count(${plots})'},"
    "    {'name': 'phones', 'type': 'repeat', 'children': ["
    "      {'name': 'ph_number', 'type': 'text'}"
    "    ]}"
    "  ]},"
    "  {'name': 'total_area', 'type': 'calculate', 'calculation': 'sum(${p_area})'},"
    "  {'name': 'n_plots', 'type': 'calculate', 'calculation': 'count(${plots})'},"
    "  {'name': 'bye', 'type': 'note'}"
    " ]}";

static const char FORM_PLOTS[] =
    "{'choices': {'crop': [{'code': 1}, {'code': 2}]},"
    " 'questions': ["
    "  {'name': 'farmer', 'type': 'text', 'default': 'Lò Văn A'},"
    "  {'name': 'plots', 'type': 'repeat', 'children': ["
    "    {'name': 'p_area', 'type': 'decimal', 'required': true},"
    "    {'name': 'p_crop', 'type': 'select_one crop', 'default': 2}"
    "  ]},"
    "  {'name': 'n_plots', 'type': 'calculate', 'calculation': 'count(${plots})'},"
    "  {'name': 'done', 'type': 'note'}"
    " ]}";

/* ---- the world of one test, freed by teardown even when an assertion fails */

static form *F;
static interview *IV;
static errlist E;

static int teardown(void **state)
{
    (void)state;
    eng_free(IV);
    form_free(F);
    errlist_free(&E);
    IV = NULL;
    F = NULL;
    return 0;
}

/* ' becomes ", ` becomes ' (see the forms above). */
static char *unquote(const char *s)
{
    char *p = strdup(s);

    assert_non_null(p);
    for (char *c = p; *c; c++)
        *c = *c == '\'' ? '"' : *c == '`' ? '\'' : *c;
    return p;
}

static cJSON *parse(const char *text)
{
    char *t = unquote(text);
    cJSON *j = cJSON_Parse(t);

    free(t);
    assert_non_null(j);
    return j;
}

static void add_text(cJSON *obj, const char *key, const char *text)
{
    cJSON *t = cJSON_AddObjectToObject(obj, key);

    assert_non_null(t);
    cJSON_AddStringToObject(t, "vi", text);
    cJSON_AddStringToObject(t, "en", text);
}

static void add_labels(cJSON *questions)
{
    cJSON *q;

    cJSON_ArrayForEach(q, questions)
    {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(q, "type");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(q, "name");
        if (!cJSON_HasObjectItem(q, "label") && strcmp(type->valuestring, "calculate") != 0)
            add_text(q, "label", name->valuestring);
        add_labels(cJSON_GetObjectItemCaseSensitive(q, "children"));
    }
}

static form *load_form(const char *text)
{
    cJSON *doc = parse(text), *lists = cJSON_GetObjectItemCaseSensitive(doc, "choices"), *list, *c;
    const char *langs[] = {"vi", "en"};
    form *f = NULL;
    errlist problems = {0};

    cJSON_AddStringToObject(doc, "id", "test_form");
    cJSON_AddNumberToObject(doc, "version", 3);
    cJSON_AddItemToObject(doc, "languages", cJSON_CreateStringArray(langs, 2));
    add_text(doc, "title", "Test");
    cJSON_ArrayForEach(list, lists)
    {
        cJSON_ArrayForEach(c, list)
        {
            char code[32];
            snprintf(code, sizeof(code), "choice %d",
                     cJSON_GetObjectItemCaseSensitive(c, "code")->valueint);
            add_text(c, "label", code);
        }
    }
    add_labels(cJSON_GetObjectItemCaseSensitive(doc, "questions"));
    int rc = form_load_json(&f, doc, "test", &problems);
    for (size_t i = 0; i < problems.n; i++)
        print_error("form: %s: %s: %s\n", problems.items[i].where, problems.items[i].what,
                    problems.items[i].msg);
    cJSON_Delete(doc);
    errlist_free(&problems);
    assert_int_equal(rc, 0);
    return f;
}

static void start(const char *form_text, int lang)
{
    F = load_form(form_text);
    IV = eng_new(F, TODAY, lang);
    assert_non_null(IV);
}

/* A new interview on the same form. */
static void restart(int today, int lang)
{
    eng_free(IV);
    IV = eng_new(F, today, lang);
    assert_non_null(IV);
}

static int q(const char *name)
{
    int i = form_find(F, name);

    assert_true(i >= 0);
    return i;
}

static eng_pos at(const char *name, int inst)
{
    eng_pos p = {q(name), inst};
    return p;
}

static void set(const char *name, int inst, const char *text)
{
    char why[256] = "";

    if (eng_set_text(IV, at(name, inst), text, why, sizeof(why)) != 0)
        fail_msg("setting %s[%d] to '%s': %s", name, inst, text, why);
    eng_recompute(IV); /* engine.h: callers recompute after setting an answer */
}

/* The text of an answer, "" when unanswered. */
static const char *get(const char *name, int inst)
{
    const val *v = eng_get(IV, at(name, inst));
    return v->has ? v->str : "";
}

static int relevant(const char *name, int inst)
{
    return eng_relevant(IV, at(name, inst));
}

static char *json_text(interview *iv)
{
    cJSON *j = eng_to_json(iv);
    char *s;

    assert_non_null(j);
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    assert_non_null(s);
    return s;
}

static void assert_json(const char *expected)
{
    char *got = json_text(IV), *want = unquote(expected);
    int same = strcmp(got, want) == 0;

    if (!same)
        print_error("got      %s\nexpected %s\n", got, want);
    free(got);
    free(want);
    assert_true(same);
}

/* eng_to_json, eng_load_json of that into a new interview, eng_to_json again: the same text. */
static void assert_round_trip(void)
{
    char *first = json_text(IV), *second;
    cJSON *j = cJSON_Parse(first);
    interview *copy = eng_new(F, TODAY, EN);
    errlist problems = {0};

    assert_int_equal(eng_load_json(copy, j, &problems), 0);
    cJSON_Delete(j);
    second = json_text(copy);
    eng_free(copy);
    assert_int_equal(problems.n, 0);
    assert_string_equal(second, first);
    free(first);
    free(second);
}

static int load(const char *answers)
{
    cJSON *j = parse(answers);
    int rc = eng_load_json(IV, j, &E);

    cJSON_Delete(j);
    return rc;
}

static int validate(void)
{
    errlist_free(&E);
    return eng_validate(IV, &E);
}

static void assert_item(const errlist *l, size_t i, const char *where, const char *what,
                        const char *msg)
{
    if (i >= l->n)
        fail_msg("expected a problem #%zu at %s, have only %zu", i, where, l->n);
    assert_string_equal(l->items[i].where, where);
    assert_string_equal(l->items[i].what, what);
    assert_string_equal(l->items[i].msg, msg);
}

static void assert_problem(size_t i, const char *where, const char *what, const char *msg)
{
    assert_item(&E, i, where, what, msg);
}

/* eng_check at one place: "" when fine, else the message. */
static const char *check(const char *name, int inst)
{
    static char msg[512];

    msg[0] = '\0';
    if (eng_check(IV, at(name, inst), msg, sizeof(msg)))
        return "";
    return msg;
}

static void pos_text(eng_pos p, char *out, size_t size)
{
    if (form_q(F, p.q)->type == Q_REPEAT) { /* "add another?" */
        char repeat[96];
        eng_pos_name(IV, p, repeat, sizeof(repeat));
        snprintf(out, size, "%.96s[%d]?", repeat, ENG_ADD_COUNT(p.inst) % 1000 + 1);
    } else
        eng_pos_name(IV, p, out, size);
}

/* The screens met going forward from the start, space-separated; *last gets the last one. */
static void path_forward(char *out, size_t size, eng_pos *last)
{
    eng_pos cur = {-1, 0}, next;
    size_t o = 0;

    out[0] = '\0';
    for (int guard = 0; eng_next(IV, cur, &next); guard++) {
        char name[128];
        assert_true(guard < 100);
        pos_text(next, name, sizeof(name));
        o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " " : "", name);
        cur = next;
    }
    *last = cur;
}

/* The screens met going back from `from` (excluded) to the start. */
static void path_backward(char *out, size_t size, eng_pos from)
{
    eng_pos cur = from, prev;
    size_t o = 0;

    out[0] = '\0';
    for (int guard = 0; eng_prev(IV, cur, &prev); guard++) {
        char name[128];
        assert_true(guard < 100);
        pos_text(prev, name, sizeof(name));
        o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " " : "", name);
        cur = prev;
    }
}

/* The screen after (forward) or before a place, as path_forward names it; "" at the end. */
static const char *step(int forward, const char *name, int inst)
{
    static char out[128];
    eng_pos p;

    out[0] = '\0';
    if (forward ? eng_next(IV, at(name, inst), &p) : eng_prev(IV, at(name, inst), &p))
        pos_text(p, out, sizeof(out));
    return out;
}

static void fill_household(void)
{
    set("consent", 0, "1");
    set("hh_size", 0, "3");
    set("m_name", 0, "Lan");
    set("m_age", 0, "40");
    set("m_work", 0, "1");
    set("m_name", 1, "Minh");
    set("m_age", 1, "8");
    set("m_name", 2, "Hoa");
    set("m_age", 2, "70");
    set("m_work", 2, "2");
}

static const char HH_JSON[] =
    "{'consent':1,'hh_size':3,'members':["
    "{'m_name':'Lan','m_age':40,'m_adult':1,'m_label':'1/3 Lan','m_work':1},"
    "{'m_name':'Minh','m_age':8,'m_adult':0,'m_label':'2/3 Minh'},"
    "{'m_name':'Hoa','m_age':70,'m_adult':1,'m_label':'3/3 Hoa','m_work':2}],"
    "'n_adults':2,'n_members':3,'total_age':118,'head':'Lan'}";

static const char HH2_JSON[] = /* the same with hh_size 2 */
    "{'consent':1,'hh_size':2,'members':["
    "{'m_name':'Lan','m_age':40,'m_adult':1,'m_label':'1/2 Lan','m_work':1},"
    "{'m_name':'Minh','m_age':8,'m_adult':0,'m_label':'2/2 Minh'}],"
    "'n_adults':1,'n_members':2,'total_age':48,'head':'Lan'}";

/* ---- skip logic */

static void test_engine__relevant_shows_a_question_only_when_its_condition_holds(void **state)
{
    (void)state;
    start(FORM_SKIP, VI);
    set("consent", 0, "1");
    assert_false(relevant("n_phones", 0)); /* phone unanswered */
    set("phone", 0, "2");
    assert_false(relevant("n_phones", 0));
    set("phone", 0, "1");
    assert_true(relevant("n_phones", 0));
    assert_true(relevant("remark", 0));
}

static void test_engine__group_relevance_hides_its_children(void **state)
{
    (void)state;
    start(FORM_SKIP, VI);
    set("consent", 0, "1");
    set("phone", 0, "1");
    assert_true(relevant("hh", 0));
    assert_true(relevant("n_phones", 0));
    set("consent", 0, "2");
    assert_false(relevant("hh", 0));
    assert_false(relevant("phone", 0));
    assert_false(relevant("n_phones", 0)); /* its own condition still holds */
    assert_true(relevant("remark", 0));
}

static void test_engine__non_relevant_answers_are_not_exported_nor_validated(void **state)
{
    (void)state;
    start(FORM_SKIP, EN);
    set("consent", 0, "1");
    set("phone", 0, "1");
    set("n_phones", 0, "50");
    assert_int_equal(validate(), 2);
    assert_problem(0, "n_phones", "constraint", "This answer is not valid.");
    assert_problem(1, "why_many", "required", "This question requires an answer.");
    assert_json("{'consent':1,'phone':1,'n_phones':50,'many':1,'double_phones':100}");

    set("phone", 0, "2"); /* n_phones and why_many drop out */
    assert_int_equal(validate(), 0);
    assert_json("{'consent':1,'phone':2,'many':0}");
    assert_string_equal(get("n_phones", 0), "50"); /* kept, should it become relevant again */

    set("consent", 0, "2");
    assert_int_equal(validate(), 0);
    assert_json("{'consent':2}");
}

static void test_engine__relevance_can_depend_on_a_calculation_later_in_the_form(void **state)
{
    (void)state;
    start(FORM_SKIP, EN);
    /* why_many reads many, which reads double_phones: both come after it. */
    set("consent", 0, "1");
    set("phone", 0, "1");
    set("n_phones", 0, "5");
    assert_string_equal(get("double_phones", 0), "10");
    assert_string_equal(get("many", 0), "0");
    assert_false(relevant("why_many", 0));
    set("n_phones", 0, "6");
    assert_string_equal(get("many", 0), "1");
    assert_true(relevant("why_many", 0));
    assert_int_equal(validate(), 1);
    assert_problem(0, "why_many", "required", "This question requires an answer.");
}

/* ---- required, constraints, choices */

static void test_engine__required_uses_the_forms_message_in_the_chosen_language(void **state)
{
    (void)state;
    start(FORM_CHECKS, VI);
    assert_string_equal(check("age", 0), "Hãy nhập tuổi.");
    restart(TODAY, EN);
    assert_string_equal(check("age", 0), "Please enter the age.");
    set("age", 0, "30");
    assert_string_equal(check("age", 0), "");
}

static void test_engine__required_as_an_expression_applies_only_when_it_is_true(void **state)
{
    (void)state;
    start(FORM_CHECKS, EN);
    assert_string_equal(check("phone_no", 0), "");
    set("phone", 0, "2");
    assert_string_equal(check("phone_no", 0), "");
    set("phone", 0, "1");
    assert_string_equal(check("phone_no", 0), "This question requires an answer.");
    set("phone_no", 0, "0912345678");
    assert_string_equal(check("phone_no", 0), "");
}

static void test_engine__constraint_messages_follow_the_language(void **state)
{
    (void)state;
    start(FORM_CHECKS, VI);
    set("age", 0, "130");
    assert_string_equal(check("age", 0), "Tuổi phải từ 0 đến 120.");
    restart(TODAY, EN);
    set("age", 0, "130");
    assert_string_equal(check("age", 0), "The age must be 0 to 120.");
    set("age", 0, "120");
    assert_string_equal(check("age", 0), "");
}

static void test_engine__without_a_message_the_engine_says_its_own_in_the_language(void **state)
{
    (void)state;
    start(FORM_CHECKS, VI);
    set("phone_no", 0, "12345");
    assert_string_equal(check("phone", 0), REQUIRED_VI);
    assert_string_equal(check("phone_no", 0), "Câu trả lời không hợp lệ.");
    restart(TODAY, EN);
    set("phone_no", 0, "12345");
    assert_string_equal(check("phone", 0), "This question requires an answer.");
    assert_string_equal(check("phone_no", 0), "This answer is not valid.");
}

static void test_engine__choice_filter_allows_only_the_communes_of_the_district(void **state)
{
    (void)state;
    start(FORM_CHECKS, EN);
    set("age", 0, "30");
    set("phone", 0, "2");
    set("district", 0, "116");
    set("commune", 0, "2");
    assert_string_equal(check("commune", 0), "");
    set("commune", 0, "3"); /* a commune of district 118 */
    assert_string_equal(check("commune", 0), "This choice is not allowed here.");
    assert_int_equal(validate(), 1);
    assert_problem(0, "commune", "choice", "This choice is not allowed here.");
    set("district", 0, "118");
    assert_int_equal(validate(), 0);
    restart(TODAY, VI);
    set("district", 0, "118");
    set("commune", 0, "1");
    assert_string_equal(check("commune", 0), "Lựa chọn này không được phép ở đây.");
}

static void test_engine__none_excludes_the_other_choices_of_a_select_multiple(void **state)
{
    (void)state;
    start(FORM_CHECKS, EN);
    set("epay", 0, "9");
    assert_string_equal(check("epay", 0), "");
    set("epay", 0, "1 2");
    assert_string_equal(check("epay", 0), "");
    set("epay", 0, "1 9");
    assert_string_equal(check("epay", 0), "None excludes the other choices.");
    restart(TODAY, VI);
    set("epay", 0, "9,2");
    assert_string_equal(get("epay", 0), "2 9");
    assert_string_equal(check("epay", 0), "Chọn Không có thì không chọn gì khác.");
}

/* ---- calculations */

static void test_engine__calculations_give_numbers_strings_and_today(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("n", 0, "3");
    assert_string_equal(get("c_today", 0), "2024-05-01");
    assert_string_equal(get("c_sum", 0), ""); /* 3 + NaN: NaN is no answer */
    set("x", 0, "1,5");
    set("t", 0, "Lan");
    set("d", 0, "2024-02-29");
    assert_string_equal(get("c_sum", 0), "4.5");
    assert_true(eng_get(IV, at("c_sum", 0))->num == 4.5);
    assert_string_equal(get("c_text", 0), "Lan3");
    assert_string_equal(get("c_days", 0), "62");
    assert_json("{'n':3,'x':1.5,'t':'Lan','d':'2024-02-29','visits':[],'c_sum':4.5,"
                "'c_text':'Lan3','c_today':'2024-05-01','c_days':62}");
    restart(FEB29, EN); /* today() is the day given to eng_new */
    set("d", 0, "2024-02-01");
    assert_string_equal(get("c_today", 0), "2024-02-29");
    assert_string_equal(get("c_days", 0), "28");
}

/* ---- repeats */

static void test_engine__repeat_count_gives_the_number_of_members_and_no_more(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    set("consent", 0, "1");
    assert_int_equal(eng_instances(IV, q("members")), 0);
    set("hh_size", 0, "3");
    assert_int_equal(eng_instances(IV, q("members")), 3);
    assert_true(relevant("m_name", 2));
    assert_false(relevant("m_name", 3));
    /* Only an open-ended repeat takes eng_add_instance / eng_remove_instance. */
    assert_int_equal(eng_add_instance(IV, q("members")), DT_EINVAL);
    assert_int_equal(eng_remove_instance(IV, q("members")), DT_EINVAL);
    assert_int_equal(eng_add_instance(IV, q("hh_size")), DT_EINVAL);
    assert_int_equal(eng_instances(IV, q("members")), 3);
    set("consent", 0, "2"); /* the group around the roster drops out */
    assert_int_equal(eng_instances(IV, q("members")), 0);
    assert_false(relevant("m_name", 0));
}

static void test_engine__indexed_repeat_and_choice_names_read_the_roster(void **state)
{
    (void)state;
    start(FORM_INDEXED, EN);
    set("n", 0, "3");
    set("m_age", 0, "40");
    set("m_age", 1, "12");
    set("m_age", 2, "70");
    set("m_rel", 0, "2");
    assert_string_equal(get("second_age", 0), "12");
    assert_string_equal(get("first_rel", 0),
                        "choice 2"); /* its label in the interview's language */
    assert_string_equal(get("m_rel_name", 0), "choice 2");
    assert_string_equal(get("m_rel_name", 1), ""); /* unanswered: no label */
    assert_string_equal(get("older_than_first", 2), "1");
    assert_string_equal(get("older_than_first", 1), "0");
    set("n", 0, "1"); /* the second member gone: what read it is empty */
    assert_string_equal(get("second_age", 0), "");
}

/* Rosters inside rosters: answers in and out as nested arrays, places named by their path,
 * what each level reads of the others, counts per member, moves carrying the plots. */
static void test_engine__a_roster_inside_a_roster(void **state)
{
    static const char ANSWERS[] =
        "{'members':[{'m_name':'Lan','m_nplots':2,'plots':[{'p_area':3,'p_crop':1},"
        "{'p_area':1}],'phones':[{'ph_number':'0912'}]},"
        "{'m_name':'Minh','m_nplots':1,'plots':[{'p_area':4,'p_crop':2}]}]}";
    cJSON *j = parse(ANSWERS);
    errlist pr = {0};
    char where[128];
    int members, plots, phones, s;

    (void)state;
    start(FORM_NESTED, EN);
    members = q("members"), plots = q("plots"), phones = q("phones");
    assert_int_equal(eng_load_json(IV, j, &pr), 0);
    cJSON_Delete(j);
    assert_int_equal(eng_instances(IV, members), 2);
    assert_int_equal(eng_instances_in(IV, plots, 0), 2);
    assert_int_equal(eng_instances_in(IV, plots, 1), 1);
    assert_int_equal(eng_instances_in(IV, phones, 1), 0);
    /* the household sees every plot; a member, theirs; a plot, its member */
    assert_string_equal(get("total_area", 0), "8");
    assert_string_equal(get("n_plots", 0), "3");
    assert_string_equal(get("m_area", 0), "4");
    assert_string_equal(get("m_area", 1), "4");
    assert_string_equal(get("m_count", 0), "2");
    s = eng_instance_slot(IV, plots, 1, 0); /* Minh's plot */
    assert_true(s >= 0);
    assert_int_equal(eng_instance_position(IV, plots, s), 0);
    assert_string_equal(get("p_owner", s), "Minh#1");
    assert_string_equal(get("p_owner", eng_instance_slot(IV, plots, 0, 1)), "Lan#2");
    assert_string_equal(get("p_share", eng_instance_slot(IV, plots, 0, 0)), "0.75");
    eng_pos_name(IV, (eng_pos){q("p_area"), s}, where, sizeof(where));
    assert_string_equal(where, "members[2]/plots[1]/p_area");
    assert_json("{'members':[{'m_name':'Lan','m_nplots':2,'plots':[{'p_area':3,'p_crop':1,"
                "'p_owner':'Lan#1','p_share':0.75},{'p_area':1,'p_owner':'Lan#2','p_share':0.25}],"
                "'m_area':4,'m_count':2,'phones':[{'ph_number':'0912'}]},{'m_name':'Minh',"
                "'m_nplots':1,'plots':[{'p_area':4,'p_crop':2,'p_owner':'Minh#1','p_share':1}],"
                "'m_area':4,'m_count':1,'phones':[]}],'total_area':8,'n_plots':3}");
    assert_round_trip();

    /* a plot off its constraint is named by its path; a member's count caps their plots */
    set("p_area", s, "0");
    assert_int_equal(eng_validate(IV, &pr), 1);
    assert_string_equal(pr.items[0].where, "members[2]/plots[1]/p_area");
    assert_string_equal(pr.items[0].what, "constraint");
    errlist_free(&pr);
    set("p_area", s, "4");
    set("m_nplots", 0, "1");
    assert_string_equal(get("total_area", 0), "7");
    assert_string_equal(get("n_plots", 0), "2");
    set("m_nplots", 0, "2"); /* back: the hidden plot kept its answers */
    assert_string_equal(get("total_area", 0), "8");

    /* the screens: each member's questions, then their plots, then the phones' "add another?" */
    char path[2048];
    eng_pos last;
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "members[1]/m_name members[1]/m_nplots members[1]/plots[1]/p_area "
                              "members[1]/plots[1]/p_crop members[1]/plots[2]/p_area "
                              "members[1]/plots[2]/p_crop members[1]/phones[1]/ph_number "
                              "members[1]/phones[2]? members[2]/m_name members[2]/m_nplots "
                              "members[2]/plots[1]/p_area members[2]/plots[1]/p_crop "
                              "members[2]/phones[1]? members[3]? bye");
    /* adding a phone to Minh, then next: the new phone's number */
    eng_pos add = {phones, ENG_ADD_PLACE(1, 0)};
    int k = eng_add_instance_in(IV, phones, 1);
    assert_true(k >= 0);
    eng_pos nx;
    assert_true(eng_next(IV, add, &nx));
    assert_int_equal(nx.q, q("ph_number"));
    assert_int_equal(nx.inst, k);
    set("ph_number", k, "0988");

    /* Minh moved first: his plots and phone go with him */
    assert_int_equal(eng_move_instance(IV, members, 1, 0), DT_OK);
    assert_json("{'members':[{'m_name':'Minh','m_nplots':1,'plots':[{'p_area':4,'p_crop':2,"
                "'p_owner':'Minh#1','p_share':1}],'m_area':4,'m_count':1,'phones':[{'ph_number':"
                "'0988'}]},{'m_name':'Lan','m_nplots':2,'plots':[{'p_area':3,'p_crop':1,"
                "'p_owner':'Lan#1','p_share':0.75},{'p_area':1,'p_owner':'Lan#2','p_share':0.25}],"
                "'m_area':4,'m_count':2,'phones':[{'ph_number':'0912'}]}],'total_area':8,"
                "'n_plots':3}");
    /* a top-level roster has one parent: others are refused, not read past */
    assert_int_equal(eng_instances_in(IV, members, 3), 0);
    assert_int_equal(eng_add_instance_in(IV, members, 2), DT_EINVAL);
    assert_int_equal(eng_add_instance_in(IV, phones, 7), DT_EINVAL); /* no such member */
    eng_pos far;
    assert_false(eng_next(IV, (eng_pos){q("m_name"), 40}, &far) && far.q == q("m_name"));
    /* the add-another place of a member's phones is named after that member */
    eng_pos_name(IV, (eng_pos){phones, ENG_ADD_PLACE(1, 1)}, where, sizeof(where));
    assert_string_equal(where, "members[2]/phones");
    /* removing the last member takes their plots and phones */
    assert_int_equal(eng_remove_instance(IV, members), DT_OK);
    assert_string_equal(get("total_area", 0), "4");
    assert_int_equal(eng_add_instance(IV, members), 1);
    assert_int_equal(eng_instances_in(IV, phones, 1), 0);
}

/* What an answers file gets wrong inside a roster inside a roster, named by its path. */
static void test_engine__nested_answers_are_checked_where_they_are(void **state)
{
    static const struct {
        const char *answers, *where, *msg;
    } bad[] = {
        {"{'members':[{'m_name':'Lan','m_nplots':1,'plots':[{'p_area':'x'}]}]}",
         "members[1]/plots[1]/p_area", "expected a number"},
        {"{'members':[{'m_name':'Lan','m_nplots':1,'plots':[{'m_name':'x'}]}]}",
         "members[1]/plots[1]/m_name", "question is not part of this repeat"},
        {"{'members':[{'m_name':'Lan','p_area':2}]}", "members[1]/p_area",
         "question is not part of this repeat"},
        {"{'members':[{'m_name':'Lan','plots':{'p_area':2}}]}", "members[1]/plots",
         "expected an array of objects, one per instance"},
    };

    (void)state;
    start(FORM_NESTED, EN);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        interview *iv = eng_new(F, TODAY, EN);
        cJSON *j = parse(bad[i].answers);
        errlist pr = {0};
        assert_int_equal(eng_load_json(iv, j, &pr), DT_EINVAL);
        assert_string_equal(pr.items[0].where, bad[i].where);
        assert_string_equal(pr.items[0].msg, bad[i].msg);
        errlist_free(&pr);
        cJSON_Delete(j);
        eng_free(iv);
    }
    /* more plots than the member's count: a problem of that member's plots */
    interview *iv = eng_new(F, TODAY, EN);
    cJSON *j = parse("{'members':[{'m_name':'Lan','m_nplots':1,'plots':[{'p_area':1},"
                     "{'p_area':2}]}]}");
    errlist pr = {0};
    assert_int_equal(eng_load_json(iv, j, &pr), 0);
    assert_int_equal(eng_validate(iv, &pr), 1);
    assert_string_equal(pr.items[0].where, "members[1]/plots");
    assert_string_equal(pr.items[0].what, "repeat");
    errlist_free(&pr);
    /* the member cleared: what the file gave is forgotten with its plots */
    eng_clear_instance(iv, form_find(F, "members"), 0);
    assert_int_equal(eng_validate(iv, &pr), 1); /* m_name is required */
    assert_string_equal(pr.items[0].what, "required");
    errlist_free(&pr);
    cJSON_Delete(j);
    eng_free(iv);
}

static void test_engine__age_inside_the_roster_is_this_members_age(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    fill_household();
    assert_string_equal(get("m_adult", 0), "1");
    assert_string_equal(get("m_adult", 1), "0");
    assert_string_equal(get("m_adult", 2), "1");
    assert_true(relevant("m_work", 0));
    assert_false(relevant("m_work", 1));
    assert_true(relevant("m_work", 2));
    set("m_age", 1, "15");
    assert_true(relevant("m_work", 1));
    assert_string_equal(get("m_adult", 1), "1");
}

static void test_engine__count_sum_and_position_over_the_roster(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    fill_household();
    /* from outside */
    assert_string_equal(get("n_adults", 0), "2");
    assert_string_equal(get("n_members", 0), "3");
    assert_string_equal(get("total_age", 0), "118");
    assert_string_equal(get("head", 0), "Lan"); /* a bare repeated name: the first member */
    /* from inside */
    assert_string_equal(get("m_label", 0), "1/3 Lan");
    assert_string_equal(get("m_label", 1), "2/3 Minh");
    assert_string_equal(get("m_label", 2), "3/3 Hoa");
    assert_json(HH_JSON);
}

static void test_engine__shrinking_the_roster_keeps_hidden_members_out_of_the_json(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    fill_household();
    set("hh_size", 0, "2");
    assert_int_equal(eng_instances(IV, q("members")), 2);
    assert_string_equal(get("n_members", 0), "2");
    assert_string_equal(get("total_age", 0), "48");
    assert_string_equal(get("m_name", 2), "Hoa"); /* kept */
    assert_json(HH2_JSON);
    assert_int_equal(validate(), 0);
    set("hh_size", 0, "3"); /* growing back brings Hoa back */
    assert_json(HH_JSON);
    set("hh_size", 0, "4");
    assert_int_equal(validate(), 2);
    assert_problem(0, "members[4]/m_name", "required", "This question requires an answer.");
    assert_problem(1, "members[4]/m_age", "required", "This question requires an answer.");
}

static void test_engine__more_members_than_repeat_count_is_a_repeat_issue(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    assert_int_equal(load("{'consent':1,'hh_size':2,'members':["
                          "{'m_name':'Lan','m_age':40,'m_work':1},"
                          "{'m_name':'Minh','m_age':8},"
                          "{'m_age':70}]}"),
                     0);
    assert_int_equal(E.n, 0);
    assert_int_equal(eng_instances(IV, q("members")), 2);
    assert_int_equal(validate(), 1); /* the third member's missing name is not checked */
    assert_problem(0, "members", "repeat",
                   "answers were given for 3 instances but repeat_count gives 2");
    assert_json(HH2_JSON);
}

static void test_engine__set_text_refuses_a_member_that_is_not_in_use(void **state)
{
    char why[256] = "";

    (void)state;
    start(FORM_HH, EN);
    set("consent", 0, "1");
    set("hh_size", 0, "3");
    /* Members 4 and 5 do not exist: both must be refused alike (an answer
     * slipped into member 4 would turn up once hh_size says 4). */
    assert_int_equal(eng_set_text(IV, at("m_name", 4), "Khoa", why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, "no such question");
    why[0] = '\0';
    assert_int_equal(eng_set_text(IV, at("m_name", 3), "Khoa", why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, "no such question");
}

/* ---- loading answers */

static void test_engine__load_json_reports_each_bad_answer_with_where_and_what(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    assert_int_equal(load("{'n':'12','x':true,'t':5,'one':7,'many':[1,4],'nope':1,"
                          "'v_date':'2024-01-01','d':'2023-02-29','gps':[21.3],'info':'x',"
                          "'visits':[{'v_date':'01/02/2024'}]}"),
                     DT_EINVAL);
    assert_int_equal(E.n, 11);
    assert_problem(0, "n", "answer", "expected a whole number");
    assert_problem(1, "x", "answer", "expected a number");
    assert_problem(2, "t", "answer", "expected text (a JSON string)");
    assert_problem(3, "one", "answer", "code 7 is not in list 'yesno'");
    assert_problem(4, "many", "answer", "code 4 is not in list 'fruit'");
    assert_problem(5, "nope", "answer", "unknown question");
    assert_problem(6, "v_date", "answer", "question belongs inside its repeat");
    assert_problem(7, "d", "answer", "expected a date as \"YYYY-MM-DD\"");
    assert_problem(8, "gps", "answer",
                   "expected [latitude, longitude] or [lat, lon, alt, accuracy]");
    assert_problem(9, "info", "answer", "takes no answer");
    assert_problem(10, "visits[1]/v_date", "answer", "expected a date as \"YYYY-MM-DD\"");
}

static void test_engine__load_json_keeps_the_good_answers_beside_the_bad(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    assert_int_equal(load("{'n':4,'gps':[91,105.8],'t':'Lan'}"), DT_EINVAL);
    assert_int_equal(E.n, 1);
    assert_problem(0, "gps", "answer", LATLON);
    assert_string_equal(get("n", 0), "4");
    assert_string_equal(get("t", 0), "Lan");
    assert_string_equal(get("gps", 0), "");
    errlist_free(&E);
    assert_int_equal(load("{'gps':[21.3,103.9,700,-1]}"), DT_EINVAL);
    assert_problem(0, "gps", "answer", "accuracy must not be negative");
}

static void test_engine__load_json_reports_unknown_names_in_a_repeat_as_answers(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    /* As at the top level: where is the place, what is "answer" (engine.h). */
    assert_int_equal(load("{'visits':[{'v_date':'2024-01-01'},{'nope':1,'n':2}]}"), DT_EINVAL);
    assert_int_equal(E.n, 2);
    assert_problem(0, "visits[2]/nope", "answer", "unknown question");
    assert_problem(1, "visits[2]/n", "answer", "question is not part of this repeat");
    assert_string_equal(get("v_date", 0), "2024-01-01");
}

static void test_engine__load_json_wants_an_object_and_arrays_of_objects(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    assert_int_equal(load("[1]"), DT_EINVAL);
    assert_problem(0, "answers", "", "expected an object of answers");
    errlist_free(&E);
    assert_int_equal(load("{'visits':{'v_date':'2024-01-01'}}"), DT_EINVAL);
    assert_problem(0, "visits", "answer", "expected an array of objects, one per instance");
    errlist_free(&E);
    assert_int_equal(load("{'visits':[3]}"), DT_EINVAL);
    assert_problem(0, "visits[1]", "answer", "expected an object of answers");
}

static void test_engine__load_json_ignores_given_calculations_and_recomputes_them(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    assert_int_equal(load("{'n':1,'x':2,'c_sum':99,'c_today':'1999-01-01'}"), 0);
    eng_recompute(IV);
    assert_string_equal(get("c_sum", 0), "3");
    assert_string_equal(get("c_today", 0), "2024-05-01");
    assert_json("{'n':1,'x':2,'visits':[],'c_sum':3,'c_text':'1','c_today':'2024-05-01'}");
}

static void test_engine__get_sees_the_calculations_right_after_load_json(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    /* engine.h: recomputing is done by every function that reads state; only
     * eng_set_val asks the caller to call eng_recompute. */
    assert_int_equal(load("{'n':1,'x':2}"), 0);
    assert_string_equal(get("c_sum", 0), "3");
}

/* ---- typed text */

static void assert_refused(const char *name, const char *text, const char *reason)
{
    char why[256] = "";
    const val *before = eng_get(IV, at(name, 0));
    char *keep = before->has ? strdup(before->str) : NULL;

    assert_int_equal(eng_set_text(IV, at(name, 0), text, why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, reason);
    assert_string_equal(get(name, 0), keep ? keep : ""); /* unchanged */
    free(keep);
}

static void test_engine__set_text_reads_whole_numbers(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("n", 0, " 42 ");
    assert_string_equal(get("n", 0), "42");
    assert_true(eng_get(IV, at("n", 0))->num == 42);
    set("n", 0, "-7");
    assert_string_equal(get("n", 0), "-7");
    assert_refused("n", "4.5", "enter a whole number");
    assert_refused("n", "1,5", "enter a whole number");
    assert_refused("n", "abc", "enter a whole number");
    set("n", 0, "  ");
    assert_false(eng_get(IV, at("n", 0))->has);
}

static void test_engine__set_text_reads_decimals_with_a_point_or_a_comma(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("x", 0, "1,5");
    assert_string_equal(get("x", 0), "1.5");
    assert_true(eng_get(IV, at("x", 0))->num == 1.5);
    set("x", 0, "-0.25");
    assert_string_equal(get("x", 0), "-0.25");
    set("x", 0, "3");
    assert_string_equal(get("x", 0), "3");
    assert_refused("x", "1e5", "enter a number");
    assert_refused("x", "1,2,3", "enter a number");
}

static void test_engine__set_text_reads_text_and_single_choices(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("t", 0, "  Lò Thị Hoa ");
    assert_string_equal(get("t", 0), "Lò Thị Hoa");
    set("one", 0, "2");
    assert_string_equal(get("one", 0), "2");
    assert_refused("one", "3", "code 3 is not in list 'yesno'");
    assert_refused("one", "yes", "enter the number of a choice");
    assert_refused("t", "\xff", "text is not valid UTF-8 (byte 1)");
}

static void test_engine__set_text_reads_multiple_choices_with_spaces_or_commas(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("many", 0, "1 3");
    assert_string_equal(get("many", 0), "1 3");
    set("many", 0, "2");
    set("many", 0, "1,3");
    assert_string_equal(get("many", 0), "1 3");
    set("many", 0, "3, 1");
    assert_string_equal(get("many", 0), "1 3"); /* list order */
    assert_refused("many", "1 4", "code 4 is not in list 'fruit'");
    assert_refused("many", "1 1", "code 1 is chosen twice");
    assert_refused("many", "1 x", "enter the numbers of the choices, separated by spaces");
    assert_json("{'many':[1,3],'visits':[],'c_today':'2024-05-01'}");
}

static void test_engine__set_text_reads_dates_two_ways_and_refuses_impossible_ones(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("d", 0, "2024-02-29");
    assert_string_equal(get("d", 0), "2024-02-29");
    assert_true(eng_get(IV, at("d", 0))->num == FEB29);
    set("d", 0, "01/01/2024");
    assert_string_equal(get("d", 0), "2024-01-01");
    set("d", 0, "29/02/2024");
    assert_string_equal(get("d", 0), "2024-02-29");
    assert_true(eng_get(IV, at("d", 0))->num == FEB29);
    assert_refused("d", "2023-02-29", "enter a date as YYYY-MM-DD or DD/MM/YYYY");
    assert_refused("d", "29/02/2023", "enter a date as YYYY-MM-DD or DD/MM/YYYY");
    assert_refused("d", "2024-13-01", "enter a date as YYYY-MM-DD or DD/MM/YYYY");
    assert_refused("d", "2024-2-29", "enter a date as YYYY-MM-DD or DD/MM/YYYY");
}

static void test_engine__set_text_reads_geopoints(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    set("gps", 0, "21.3 103.9");
    assert_string_equal(get("gps", 0), "21.3000000 103.9000000");
    set("gps", 0, "21.3256 103.9188 650 5");
    assert_string_equal(get("gps", 0), "21.3256000 103.9188000 650.0 5.0");
    assert_refused("gps", "21.3", "enter latitude and longitude separated by a space");
    assert_refused("gps", "21.3,103.9", "enter latitude and longitude separated by a space");
    assert_refused("gps", "21.3 103.9 650", "enter latitude and longitude separated by a space");
    assert_refused("gps", "-91 103.9", LATLON);
    assert_refused("gps", "21.3 181", LATLON);
    assert_refused("gps", "21.3 103.9 650 -2", "accuracy must not be negative");
    assert_json("{'gps':[21.3256,103.9188,650,5],'visits':[],'c_today':'2024-05-01'}");
}

static void test_engine__set_text_refuses_notes_calculations_and_unknown_places(void **state)
{
    char why[256] = "";
    eng_pos nowhere = {-1, 0};

    (void)state;
    start(FORM_TYPES, EN);
    assert_int_equal(eng_set_text(IV, at("info", 0), "x", why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, "a note takes no answer");
    assert_int_equal(eng_set_text(IV, at("c_sum", 0), "1", why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, "a calculate takes no answer");
    assert_int_equal(eng_set_text(IV, nowhere, "1", why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, "no such question");
    assert_int_equal(eng_set_text(IV, at("n", 1), "1", why, sizeof(why)), DT_EINVAL);
    assert_string_equal(why, "no such question");
}

/* ---- navigation */

static void test_engine__next_and_prev_walk_a_household_of_three_and_back(void **state)
{
    char path[2048];
    eng_pos last, p, before_start = {-1, 0};

    (void)state;
    start(FORM_HH, EN);
    fill_household();
    path_forward(path, sizeof(path), &last);
    /* No calculations, no m_work for 8-year-old Minh. */
    assert_string_equal(path, "consent hh_size "
                              "members[1]/m_name members[1]/m_age members[1]/m_work "
                              "members[2]/m_name members[2]/m_age "
                              "members[3]/m_name members[3]/m_age members[3]/m_work "
                              "thanks end");
    assert_false(eng_next(IV, last, &p));
    path_backward(path, sizeof(path), last);
    assert_string_equal(path, "thanks members[3]/m_work members[3]/m_age members[3]/m_name "
                              "members[2]/m_age members[2]/m_name "
                              "members[1]/m_work members[1]/m_age members[1]/m_name "
                              "hh_size consent");
    assert_false(eng_prev(IV, before_start, &p));
}

static void test_engine__next_steps_into_the_next_member_and_out_of_the_last(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    fill_household();
    assert_string_equal(step(1, "hh_size", 0), "members[1]/m_name");
    assert_string_equal(step(1, "m_work", 0), "members[2]/m_name");
    assert_string_equal(step(1, "m_age", 1), "members[3]/m_name"); /* Minh is 8: no m_work */
    assert_string_equal(step(1, "m_work", 2), "thanks");
    assert_string_equal(step(1, "end", 0), "");
    assert_string_equal(step(0, "thanks", 0), "members[3]/m_work");
    assert_string_equal(step(0, "m_name", 2), "members[2]/m_age");
    assert_string_equal(step(0, "m_name", 0), "hh_size");
    assert_string_equal(step(0, "consent", 0), "");
}

static void test_engine__navigation_skips_what_became_non_relevant(void **state)
{
    char path[2048];
    eng_pos last;

    (void)state;
    start(FORM_HH, EN);
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "consent end");
    set("consent", 0, "1");
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "consent hh_size thanks end");
    fill_household();
    set("consent", 0, "2");
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "consent end");
}

static void test_engine__an_open_ended_repeat_asks_to_add_another_after_each_instance(void **state)
{
    char path[2048];
    eng_pos last;
    int r;

    (void)state;
    start(FORM_PLOTS, EN);
    r = q("plots");
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "farmer plots[1]? done");
    assert_int_equal(eng_add_instance(IV, r), 0);
    assert_int_equal(eng_add_instance(IV, r), 1);
    assert_int_equal(eng_instances(IV, r), 2);
    set("p_area", 0, "1,5");
    set("p_area", 1, "0.5");
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "farmer plots[1]/p_area plots[1]/p_crop "
                              "plots[2]/p_area plots[2]/p_crop plots[3]? done");
    path_backward(path, sizeof(path), last);
    assert_string_equal(path, "plots[3]? plots[2]/p_crop plots[2]/p_area "
                              "plots[1]/p_crop plots[1]/p_area farmer");
    assert_string_equal(get("n_plots", 0), "2");
    assert_json("{'plots':[{'p_area':1.5},{'p_area':0.5}],'n_plots':2}");
}

static void test_engine__an_instance_moves_with_every_answer(void **state)
{
    int r;

    (void)state;
    start(FORM_PLOTS, EN);
    r = q("plots");
    for (int i = 0; i < 3; i++)
        assert_int_equal(eng_add_instance(IV, r), i);
    set("p_area", 0, "1");
    set("p_area", 1, "2");
    set("p_area", 2, "3");
    assert_int_equal(eng_move_instance(IV, r, 2, 0), DT_OK);
    assert_json("{'plots':[{'p_area':3},{'p_area':1},{'p_area':2}],'n_plots':3}");
    assert_int_equal(eng_move_instance(IV, r, 0, 2), DT_OK);
    assert_json("{'plots':[{'p_area':1},{'p_area':2},{'p_area':3}],'n_plots':3}");
    assert_int_equal(eng_move_instance(IV, r, 1, 3), DT_EINVAL); /* not in use */
    assert_int_equal(eng_move_instance(IV, q("farmer"), 0, 1), DT_EINVAL);
    eng_clear_instance(IV, r, 1);
    assert_json("{'plots':[{'p_area':1},{},{'p_area':3}],'n_plots':3}");
    /* an open-ended repeat has no counting question */
    assert_int_equal(form_repeat_counter(eng_form(IV), r), -1);
}

static void test_engine__next_after_adding_an_instance_enters_it(void **state)
{
    (void)state;
    start(FORM_PLOTS, EN);
    assert_string_equal(step(1, "farmer", 0), "plots[1]?");
    /* "Add a plot?" - yes: the next screen is the new plot's first question. */
    assert_int_equal(eng_add_instance(IV, q("plots")), 0);
    assert_string_equal(step(1, "plots", 0), "plots[1]/p_area");
}

static void test_engine__removing_the_last_instance_drops_its_answers(void **state)
{
    char path[2048];
    eng_pos last;
    int r;

    (void)state;
    start(FORM_PLOTS, EN);
    r = q("plots");
    assert_int_equal(eng_add_instance(IV, r), 0);
    assert_int_equal(eng_add_instance(IV, r), 1);
    set("p_area", 0, "2");
    set("p_area", 1, "3");
    assert_int_equal(eng_remove_instance(IV, r), 0);
    assert_int_equal(eng_instances(IV, r), 1);
    assert_json("{'plots':[{'p_area':2}],'n_plots':1}");
    path_forward(path, sizeof(path), &last);
    assert_string_equal(path, "farmer plots[1]/p_area plots[1]/p_crop plots[2]? done");
    assert_int_equal(eng_add_instance(IV, r), 1);
    assert_string_equal(get("p_area", 1), ""); /* a fresh plot, not the removed one */
    assert_int_equal(validate(), 1);
    assert_problem(0, "plots[2]/p_area", "required", "This question requires an answer.");
    assert_int_equal(eng_remove_instance(IV, r), 0);
    assert_int_equal(eng_remove_instance(IV, r), 0);
    assert_int_equal(eng_remove_instance(IV, r), DT_EINVAL);
    assert_int_equal(eng_instances(IV, r), 0);
}

/* ---- refusal, defaults */

static void test_engine__is_refusal_follows_the_forms_refusal_expression(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    assert_false(eng_is_refusal(IV));
    set("consent", 0, "2");
    assert_true(eng_is_refusal(IV));
    set("consent", 0, "1");
    assert_false(eng_is_refusal(IV));
    eng_free(IV);
    form_free(F);
    IV = NULL;
    start(FORM_PLOTS, EN); /* a form without a refusal expression */
    assert_false(eng_is_refusal(IV));
}

static void test_engine__defaults_fill_a_new_interview_and_each_new_instance(void **state)
{
    int r;

    (void)state;
    start(FORM_PLOTS, EN);
    r = q("plots");
    assert_int_equal(eng_add_instance(IV, r), 0);
    assert_string_equal(get("farmer", 0), ""); /* no defaults unless asked */
    assert_string_equal(get("p_crop", 0), "");
    assert_int_equal(eng_remove_instance(IV, r), 0);

    assert_int_equal(eng_use_defaults(IV), 0);
    assert_string_equal(get("farmer", 0), "Lò Văn A");
    assert_int_equal(eng_add_instance(IV, r), 0);
    assert_int_equal(eng_add_instance(IV, r), 1);
    assert_string_equal(get("p_crop", 0), "2");
    assert_string_equal(get("p_crop", 1), "2");
    set("farmer", 0, "Lò Văn B");
    assert_int_equal(eng_use_defaults(IV), 0);
    assert_string_equal(get("farmer", 0), "Lò Văn B"); /* answers are never overwritten */
}

static void test_engine__an_imported_answer_file_gets_no_defaults(void **state)
{
    (void)state;
    start(FORM_PLOTS, EN);
    assert_int_equal(load("{'farmer':'Quàng Văn C','plots':[{'p_area':1},{'p_area':2}]}"), 0);
    assert_string_equal(get("p_crop", 0), "");
    /* Defaults go into new instances only: the imported plots stay as given. */
    assert_int_equal(eng_use_defaults(IV), 0);
    assert_int_equal(eng_add_instance(IV, q("plots")), 2);
    assert_string_equal(get("p_crop", 2), "2");
    assert_string_equal(get("p_crop", 0), "");
    assert_string_equal(get("p_crop", 1), "");
}

/* ---- round trip, determinism */

static void test_engine__to_json_then_load_json_gives_the_same_json(void **state)
{
    (void)state;
    start(FORM_HH, EN);
    fill_household();
    assert_round_trip();
    set("hh_size", 0, "2"); /* with a hidden member */
    assert_round_trip();
    set("consent", 0, "2");
    assert_round_trip();
}

static void test_engine__every_type_survives_the_round_trip(void **state)
{
    (void)state;
    start(FORM_TYPES, EN);
    assert_int_equal(load("{'n':-3,'x':0.125,'t':'Điện Biên','one':2,'many':[1,2,3],"
                          "'d':'2024-02-29','gps':[21.3256,103.9188,650.5,4.5],"
                          "'visits':[{'v_date':'2024-01-31'},{}]}"),
                     0);
    assert_round_trip();
    assert_json("{'n':-3,'x':0.125,'t':'Điện Biên','one':2,'many':[1,2,3],'d':'2024-02-29',"
                "'gps':[21.3256,103.9188,650.5,4.5],'visits':[{'v_date':'2024-01-31'},{}],"
                "'c_sum':-2.875,'c_text':'Điện Biên-3','c_today':'2024-05-01','c_days':62}");
}

static void test_engine__validating_the_same_answers_twice_gives_the_same_issues(void **state)
{
    errlist again = {0}, other = {0};
    interview *copy;
    cJSON *j;
    int n;

    (void)state;
    start(FORM_HH, VI);
    set("consent", 0, "1");
    set("hh_size", 0, "2");
    set("m_name", 0, "Lan");
    set("m_age", 0, "30");
    n = validate();
    assert_int_equal(n, 3);
    assert_problem(0, "members[2]/m_name", "required", REQUIRED_VI);
    assert_problem(1, "members[2]/m_age", "required", REQUIRED_VI);
    assert_problem(2, "members[1]/m_work", "required", REQUIRED_VI);
    assert_int_equal(eng_validate(IV, &again), n);
    j = eng_to_json(IV);
    copy = eng_new(F, TODAY, VI);
    assert_int_equal(eng_load_json(copy, j, &other), 0);
    cJSON_Delete(j);
    assert_int_equal(eng_validate(copy, &other), n);
    eng_free(copy);
    for (int i = 0; i < n; i++) {
        assert_item(&again, (size_t)i, E.items[i].where, E.items[i].what, E.items[i].msg);
        assert_item(&other, (size_t)i, E.items[i].where, E.items[i].what, E.items[i].msg);
    }
    errlist_free(&again);
    errlist_free(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_teardown(test_engine__##name, teardown)
        T(relevant_shows_a_question_only_when_its_condition_holds),
        T(group_relevance_hides_its_children),
        T(non_relevant_answers_are_not_exported_nor_validated),
        T(relevance_can_depend_on_a_calculation_later_in_the_form),
        T(required_uses_the_forms_message_in_the_chosen_language),
        T(required_as_an_expression_applies_only_when_it_is_true),
        T(constraint_messages_follow_the_language),
        T(without_a_message_the_engine_says_its_own_in_the_language),
        T(choice_filter_allows_only_the_communes_of_the_district),
        T(none_excludes_the_other_choices_of_a_select_multiple),
        T(calculations_give_numbers_strings_and_today),
        T(repeat_count_gives_the_number_of_members_and_no_more),
        T(indexed_repeat_and_choice_names_read_the_roster),
        T(a_roster_inside_a_roster),
        T(nested_answers_are_checked_where_they_are),
        T(age_inside_the_roster_is_this_members_age),
        T(count_sum_and_position_over_the_roster),
        T(shrinking_the_roster_keeps_hidden_members_out_of_the_json),
        T(more_members_than_repeat_count_is_a_repeat_issue),
        T(set_text_refuses_a_member_that_is_not_in_use),
        T(load_json_reports_each_bad_answer_with_where_and_what),
        T(load_json_keeps_the_good_answers_beside_the_bad),
        T(load_json_reports_unknown_names_in_a_repeat_as_answers),
        T(load_json_wants_an_object_and_arrays_of_objects),
        T(load_json_ignores_given_calculations_and_recomputes_them),
        T(get_sees_the_calculations_right_after_load_json),
        T(set_text_reads_whole_numbers),
        T(set_text_reads_decimals_with_a_point_or_a_comma),
        T(set_text_reads_text_and_single_choices),
        T(set_text_reads_multiple_choices_with_spaces_or_commas),
        T(set_text_reads_dates_two_ways_and_refuses_impossible_ones),
        T(set_text_reads_geopoints),
        T(set_text_refuses_notes_calculations_and_unknown_places),
        T(next_and_prev_walk_a_household_of_three_and_back),
        T(next_steps_into_the_next_member_and_out_of_the_last),
        T(navigation_skips_what_became_non_relevant),
        T(an_open_ended_repeat_asks_to_add_another_after_each_instance),
        T(an_instance_moves_with_every_answer),
        T(next_after_adding_an_instance_enters_it),
        T(removing_the_last_instance_drops_its_answers),
        T(is_refusal_follows_the_forms_refusal_expression),
        T(defaults_fill_a_new_interview_and_each_new_instance),
        T(an_imported_answer_file_gets_no_defaults),
        T(to_json_then_load_json_gives_the_same_json),
        T(every_type_survives_the_round_trip),
        T(validating_the_same_answers_twice_gives_the_same_issues),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
