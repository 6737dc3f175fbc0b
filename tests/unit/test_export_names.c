/* test_export_names.c - names of people in exports (syncd/export_names.c), on real stores: the
 * store's key kept once, the pseudonyms and what they ignore, the questions marked (and the
 * calculations that read them), the JSON answers replaced at any depth
 *
 * Usage: test_export_names */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "export_int.h"

/* A form with a name in the household and one in the roster, a calculation that copies the
 * roster's name and another that reads that one. */
static const char form_text[] =
    "{\"id\": \"names_test\", \"version\": 1, \"languages\": [\"vi\", \"en\"],"
    " \"title\": {\"vi\": \"x\", \"en\": \"x\"}, \"choices\": {},"
    " \"questions\": ["
    "  {\"name\": \"resp_name\", \"type\": \"text\", \"label\": {\"vi\": \"x\", \"en\": \"x\"},"
    "   \"identifier\": true},"
    "  {\"name\": \"note_txt\", \"type\": \"text\", \"label\": {\"vi\": \"x\", \"en\": \"x\"}},"
    "  {\"name\": \"n\", \"type\": \"integer\", \"label\": {\"vi\": \"x\", \"en\": \"x\"}},"
    "  {\"name\": \"people\", \"type\": \"repeat\", \"label\": {\"vi\": \"x\", \"en\": \"x\"},"
    "   \"repeat_count\": \"${n}\", \"children\": ["
    "    {\"name\": \"p_name\", \"type\": \"text\", \"label\": {\"vi\": \"x\", \"en\": \"x\"},"
    "     \"identifier\": true},"
    "    {\"name\": \"p_age\", \"type\": \"integer\", \"label\": {\"vi\": \"x\", \"en\": \"x\"}},"
    "    {\"name\": \"p_tag\", \"type\": \"calculate\","
    "     \"calculation\": \"concat(${p_name}, '#', position(..))\"},"
    "    {\"name\": \"p_tag2\", \"type\": \"calculate\", \"calculation\": \"concat('<', "
    "${p_tag})\"},"
    "    {\"name\": \"p_older\", \"type\": \"calculate\", \"calculation\": \"${p_age} + 1\"}"
    "   ]}"
    " ]}";

typedef struct fixture {
    store *s;
    form *f;
    exp_options o;
    exp_summary sum;
    exp_ctx x;
    char dir[256], path[300];
} fixture;

static store *open_store(const char *path)
{
    store *s = NULL;
    dt_err err;

    if (store_open(&s, path, &err) != DT_OK)
        fail_msg("%s: %s", path, err.msg);
    return s;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    cJSON *doc = cJSON_Parse(form_text);
    errlist pr = {0};

    assert_non_null(fx);
    assert_non_null(doc);
    snprintf(fx->dir, sizeof(fx->dir), "%s/dt-names-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof(fx->path), "%s/syncd.db", fx->dir);
    fx->s = open_store(fx->path);
    assert_int_equal(form_load_json(&fx->f, doc, "names_test", &pr), DT_OK);
    cJSON_Delete(doc);
    errlist_free(&pr);
    fx->x.s = fx->s;
    fx->x.o = &fx->o;
    fx->x.sum = &fx->sum;
    fx->x.f = fx->f;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[400];

    exp_names_end(&fx->x);
    form_free(fx->f);
    store_close(fx->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static void begin(fixture *fx)
{
    dt_err err;

    if (exp_names_begin(&fx->x, &err) != DT_OK)
        fail_msg("exp_names_begin: %s", err.msg);
}

/* The pseudonym of s, in a static buffer of one of four. */
static const char *pn(fixture *fx, const char *s)
{
    static char ring[4][EXP_PN_SIZE];
    static int next;
    char *out = ring[next++ % 4];

    exp_pseudonym(&fx->x, s, strlen(s), out);
    return out;
}

static void test_export_names__a_pseudonym_is_pn_and_16_hex_digits(void **state)
{
    fixture *fx = *state;
    const char *p;

    begin(fx);
    p = pn(fx, "Lò Văn Minh");
    assert_int_equal(strlen(p), 19);
    assert_int_equal(strncmp(p, "pn_", 3), 0);
    assert_int_equal(strspn(p + 3, "0123456789abcdef"), 16);
}

static void test_export_names__outer_spaces_inner_runs_and_ascii_case_do_not_count(void **state)
{
    fixture *fx = *state;
    const char *want;

    begin(fx);
    want = pn(fx, "lo van minh");
    assert_string_equal(pn(fx, "Lo Van Minh"), want);
    assert_string_equal(pn(fx, "  LO  VAN\tminh \n"), want);
    assert_string_equal(pn(fx, "lo van\r\nminh"), want);
    /* No Unicode case folding: Ò is not ò. */
    assert_string_not_equal(pn(fx, "LÒ VĂN MINH"), pn(fx, "lò văn minh"));
}

static void test_export_names__different_names_get_different_pseudonyms(void **state)
{
    fixture *fx = *state;

    begin(fx);
    assert_string_not_equal(pn(fx, "Lò Văn Minh"), pn(fx, "Lò Văn Mình"));
    assert_string_not_equal(pn(fx, "lovanminh"), pn(fx, "lo van minh"));
    assert_string_not_equal(pn(fx, "a"), pn(fx, "b"));
}

static void test_export_names__an_empty_name_stays_empty(void **state)
{
    fixture *fx = *state;
    char out[EXP_PN_SIZE] = "x";

    begin(fx);
    assert_int_equal(exp_pseudonym(&fx->x, "", 0, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(exp_pseudonym(&fx->x, " \t\n ", 4, out), 0);
    assert_string_equal(out, "");
}

/* A long text goes through the hash in pieces: the same as whole, whatever the pieces. */
static void test_export_names__a_long_text_is_hashed_whole(void **state)
{
    fixture *fx = *state;
    char *a = malloc(FORM_TEXT_MAX + 1), *b = malloc(2 * FORM_TEXT_MAX + 1);
    char pa[EXP_PN_SIZE], pb[EXP_PN_SIZE];
    size_t nb = 0;

    assert_non_null(a);
    assert_non_null(b);
    begin(fx);
    for (size_t i = 0; i < FORM_TEXT_MAX; i++)
        a[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    for (size_t i = 0; i < FORM_TEXT_MAX; i++) {
        b[nb++] = a[i] == ' ' ? ' ' : (char)(a[i] - 'a' + 'A');
        if (a[i] == ' ')
            b[nb++] = ' '; /* a run of two */
    }
    exp_pseudonym(&fx->x, a, FORM_TEXT_MAX, pa);
    exp_pseudonym(&fx->x, b, nb, pb);
    assert_string_equal(pa, pb);
    a[FORM_TEXT_MAX - 1] = 'z' + 1;
    exp_pseudonym(&fx->x, a, FORM_TEXT_MAX, pb);
    assert_string_not_equal(pa, pb);
    free(a);
    free(b);
}

static void test_export_names__a_store_keeps_its_key_and_another_store_has_its_own(void **state)
{
    fixture *fx = *state;
    unsigned char k1[STORE_PSEUDONYM_KEY_BYTES], k2[STORE_PSEUDONYM_KEY_BYTES];
    unsigned char k3[STORE_PSEUDONYM_KEY_BYTES];
    char path[320], first[EXP_PN_SIZE];
    store *other;
    dt_err err;

    assert_int_equal(store_pseudonym_key(fx->s, k1, &err), DT_OK);
    assert_int_equal(store_pseudonym_key(fx->s, k2, &err), DT_OK);
    assert_memory_equal(k1, k2, sizeof(k1));
    /* kept in the file: the same after the store is opened again */
    store_close(fx->s);
    fx->s = fx->x.s = open_store(fx->path);
    assert_int_equal(store_pseudonym_key(fx->s, k2, &err), DT_OK);
    assert_memory_equal(k1, k2, sizeof(k1));
    begin(fx);
    snprintf(first, sizeof(first), "%s", pn(fx, "Lò Văn Minh"));
    exp_names_end(&fx->x);

    snprintf(path, sizeof(path), "%s/other.db", fx->dir);
    other = open_store(path);
    assert_int_equal(store_pseudonym_key(other, k3, &err), DT_OK);
    assert_memory_not_equal(k1, k3, sizeof(k1));
    fx->x.s = other;
    begin(fx);
    assert_string_not_equal(pn(fx, "Lò Văn Minh"), first);
    exp_names_end(&fx->x);
    fx->x.s = fx->s;
    store_close(other);
}

/* A key that is not 64 hex digits stops the export: no pseudonyms from a key nobody made. */
static void test_export_names__a_damaged_key_is_an_error(void **state)
{
    fixture *fx = *state;
    unsigned char k[STORE_PSEUDONYM_KEY_BYTES];
    sqlite3 *db = NULL;
    dt_err err;

    assert_int_equal(store_pseudonym_key(fx->s, k, &err), DT_OK);
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE settings SET value = 'abc' WHERE key = 'pseudonym_key'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_pseudonym_key(fx->s, k, &err), DT_EIO);
    assert_non_null(strstr(err.msg, "pseudonym key (settings 'pseudonym_key') is damaged"));
    assert_int_equal(exp_names_begin(&fx->x, &err), DT_EIO);
}

static void
test_export_names__the_marked_questions_and_the_calculations_that_read_them(void **state)
{
    fixture *fx = *state;

    begin(fx);
    for (int q = 0; q < form_nquestions(fx->f); q++) {
        const char *name = form_q(fx->f, q)->name;
        int want = !strcmp(name, "resp_name") || !strcmp(name, "p_name") ||
                   !strcmp(name, "p_tag") || !strcmp(name, "p_tag2");
        assert_int_equal(fx->x.names[q], want);
    }
    assert_string_equal(fx->sum.names, "resp_name, p_name, p_tag, p_tag2");
    assert_int_equal(fx->x.pseudonymise, 1);
    assert_int_equal(fx->sum.names_hashed, 1);
    assert_non_null(exp_names_note(&fx->x, form_find(fx->f, "p_name")));
    assert_null(exp_names_note(&fx->x, form_find(fx->f, "p_older")));
}

static void test_export_names__json_answers_are_replaced_at_any_depth(void **state)
{
    fixture *fx = *state;
    exp_vmap vm = {.version = 1, .f = fx->f};
    cJSON *a = cJSON_Parse("{\"resp_name\": \" Lò Văn Minh \", \"note_txt\": \"Lò Văn Minh\","
                           " \"n\": 2, \"people\": ["
                           "  {\"p_name\": \"Lò Văn Minh\", \"p_age\": 40, \"p_tag\": \"Lò Văn "
                           "Minh#1\", \"p_tag2\": \"<Lò Văn Minh#1\", \"p_older\": 41},"
                           "  {\"p_name\": \"\", \"p_age\": 3}]}");
    char *text;

    assert_non_null(a);
    begin(fx);
    assert_int_equal(exp_names_version(&fx->x, &vm), 0);
    assert_int_equal(exp_names_json(&fx->x, &vm, a), DT_OK);
    text = cJSON_PrintUnformatted(a);
    /* the identifiers and what reads them: pseudonyms; a note is the form author's to mark */
    assert_string_equal(cJSON_GetObjectItem(a, "resp_name")->valuestring, pn(fx, "Lò Văn Minh"));
    assert_string_equal(cJSON_GetObjectItem(a, "note_txt")->valuestring, "Lò Văn Minh");
    cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "people"), 0);
    cJSON *p1 = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "people"), 1);
    assert_string_equal(cJSON_GetObjectItem(p0, "p_name")->valuestring, pn(fx, "Lò Văn Minh"));
    assert_string_equal(cJSON_GetObjectItem(p0, "p_tag")->valuestring, pn(fx, "Lò Văn Minh#1"));
    assert_string_equal(cJSON_GetObjectItem(p0, "p_tag2")->valuestring, pn(fx, "<Lò Văn Minh#1"));
    assert_int_equal(cJSON_GetObjectItem(p0, "p_older")->valueint, 41);
    assert_string_equal(cJSON_GetObjectItem(p1, "p_name")->valuestring, "");
    /* the keys keep their order */
    assert_non_null(strstr(text, "{\"resp_name\":\"pn_"));
    assert_non_null(strstr(text, "\"p_age\":40,\"p_tag\":\"pn_"));
    cJSON_free(text);
    cJSON_Delete(a);
    free(vm.names);
}

static void test_export_names__with_names_nothing_is_replaced(void **state)
{
    fixture *fx = *state;
    exp_vmap vm = {.version = 1, .f = fx->f};
    cJSON *a = cJSON_Parse("{\"resp_name\": \"Lò Văn Minh\", \"people\": [{\"p_name\": \"A\"}]}");
    char *before = cJSON_PrintUnformatted(a), *after;

    fx->o.with_names = 1;
    begin(fx);
    assert_int_equal(fx->x.pseudonymise, 0);
    assert_int_equal(fx->sum.names_hashed, 0);
    assert_string_equal(fx->sum.names, "resp_name, p_name, p_tag, p_tag2");
    assert_int_equal(exp_names_version(&fx->x, &vm), 0);
    assert_int_equal(exp_names_json(&fx->x, &vm, a), DT_OK);
    after = cJSON_PrintUnformatted(a);
    assert_string_equal(after, before);
    cJSON_free(before);
    cJSON_free(after);
    cJSON_Delete(a);
    free(vm.names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(test_export_names__##name, setup, teardown)
        T(a_pseudonym_is_pn_and_16_hex_digits),
        T(outer_spaces_inner_runs_and_ascii_case_do_not_count),
        T(different_names_get_different_pseudonyms),
        T(an_empty_name_stays_empty),
        T(a_long_text_is_hashed_whole),
        T(a_store_keeps_its_key_and_another_store_has_its_own),
        T(a_damaged_key_is_an_error),
        T(the_marked_questions_and_the_calculations_that_read_them),
        T(json_answers_are_replaced_at_any_depth),
        T(with_names_nothing_is_replaced),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
