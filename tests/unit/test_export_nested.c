/* test_export_nested.c - a roster inside a roster through the centre: a household pushed with
 * members and each member's plots, re-validated by the store (the engine), exported as CSV with
 * one file per level, each row carrying the numbers of the instances around it (Survey
 * Solutions' way: merge plots on case_id, member and plot).
 *
 * Usage: test_export_nested DATA_DIR */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "json.h"
#include "store_fixture.h"

static const char nested_form[] =
    "{\"id\": \"nested_test\", \"version\": 1, \"languages\": [\"vi\"], \"title\": {\"vi\": \"x\"},"
    " \"choices\": {},"
    " \"questions\": ["
    "  {\"name\": \"hh_no\", \"type\": \"integer\", \"label\": {\"vi\": \"x\"}},"
    "  {\"name\": \"members\", \"type\": \"repeat\", \"label\": {\"vi\": \"x\"}, \"children\": ["
    "   {\"name\": \"m_name\", \"type\": \"text\", \"label\": {\"vi\": \"x\"}},"
    "   {\"name\": \"m_nplots\", \"type\": \"integer\", \"label\": {\"vi\": \"x\"}},"
    "   {\"name\": \"plots\", \"type\": \"repeat\", \"label\": {\"vi\": \"x\"},"
    "    \"repeat_count\": \"${m_nplots}\", \"children\": ["
    "     {\"name\": \"p_area\", \"type\": \"decimal\", \"label\": {\"vi\": \"x\"},"
    "      \"constraint\": \". > 0\"}"
    "    ]},"
    "   {\"name\": \"m_area\", \"type\": \"calculate\", \"calculation\": \"sum(${p_area})\"}"
    "  ]}"
    " ]}";

static void publish_nested(fixture *fx)
{
    cJSON *doc = cJSON_Parse(nested_form);
    errlist pr = {0};
    form *f = NULL;
    dt_err err;
    int added = -1;

    assert_int_equal(form_load_json(&f, doc, "nested", &pr), DT_OK);
    assert_int_equal(store_form_publish(fx->s, nested_form, f, &added, &err), DT_OK);
    form_free(f);
    cJSON_Delete(doc);
}

static void test_export_nested__one_file_per_level_with_the_parents_numbers(void **state)
{
    fixture *fx = *state;
    char dir[1200], path[1300], *text = NULL;
    exp_options o = {.format = EXP_CSV, .out_dir = dir, .threads = 1};
    exp_summary sum;
    dt_err err;

    publish_nested(fx);
    cJSON *r = rev(U(1), U(100), NULL, "2026-12-07T09:00:00Z",
                   cJSON_Parse("{\"hh_no\": 7, \"members\": [{\"m_name\": \"Lan\", \"m_nplots\": 2,"
                               " \"plots\": [{\"p_area\": 3}, {\"p_area\": 1.5}]}, {\"m_name\":"
                               " \"Minh\", \"m_nplots\": 1, \"plots\": [{\"p_area\": 4}]}]}"),
                   "complete");
    cJSON_ReplaceItemInObject(r, "form_id", cJSON_CreateString("nested_test"));
    push_one(fx, &fx->a, r, VERDICT_ACCEPTED, VERDICT_ACCEPTED);
    /* a plot the engine refuses: the centre re-validates the level inside */
    r = rev(U(2), U(101), NULL, "2026-12-07T09:10:00Z",
            cJSON_Parse("{\"hh_no\": 8, \"members\": [{\"m_name\": \"Hoa\", \"m_nplots\": 1,"
                        " \"plots\": [{\"p_area\": 0}]}]}"),
            "complete");
    cJSON_ReplaceItemInObject(r, "form_id", cJSON_CreateString("nested_test"));
    char *why = push_rejected(fx, &fx->a, r);
    assert_non_null(strstr(why, "members[1]/plots[1]/p_area: constraint"));
    free(why);

    snprintf(dir, sizeof(dir), "%s.export", fx->path);
    o.form_id = "nested_test";
    if (exp_run(fx->s, &o, &sum, &err))
        fail_msg("export: %s", err.msg);
    snprintf(path, sizeof(path), "%s/plots.csv", dir);
    assert_int_equal(file_read(&text, NULL, path, 1 << 20, &err), 0);
    assert_string_equal(text, "case_id,member,plot,p_area\r\n" /* */
                              "00000000-0000-4000-8000-000000000100,1,1,3\r\n"
                              "00000000-0000-4000-8000-000000000100,1,2,1.5\r\n"
                              "00000000-0000-4000-8000-000000000100,2,1,4\r\n");
    free(text);
    snprintf(path, sizeof(path), "%s/members.csv", dir);
    assert_int_equal(file_read(&text, NULL, path, 1 << 20, &err), 0);
    assert_string_equal(text, "case_id,member,m_name,m_nplots,m_area\r\n"
                              "00000000-0000-4000-8000-000000000100,1,Lan,2,4.5\r\n"
                              "00000000-0000-4000-8000-000000000100,2,Minh,1,4\r\n");
    free(text);
    /* the codebook says what places a plot's row */
    snprintf(path, sizeof(path), "%s/codebook.csv", dir);
    assert_int_equal(file_read(&text, NULL, path, 1 << 20, &err), 0);
    assert_non_null(strstr(text, "plots.csv,member,Số thứ tự trong danh sách (x),integer"));
    assert_non_null(strstr(text, "plots.csv,plot,Số thứ tự trong danh sách (x),integer"));
    free(text);
    /* JSON Lines: the plots inside their member, the codebook's path to them */
    o.format = EXP_JSON;
    o.out_dir = dir;
    if (exp_run(fx->s, &o, &sum, &err))
        fail_msg("export: %s", err.msg);
    snprintf(path, sizeof(path), "%s/households.jsonl", dir);
    assert_int_equal(file_read(&text, NULL, path, 1 << 20, &err), 0);
    assert_non_null(strstr(text, "\"plots\":[{\"p_area\":3},{\"p_area\":1.5}]"));
    free(text);
    snprintf(path, sizeof(path), "%s/codebook.csv", dir);
    assert_int_equal(file_read(&text, NULL, path, 1 << 20, &err), 0);
    assert_non_null(strstr(text, "answers.members[].plots[].p_area"));
    free(text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_export_nested__one_file_per_level_with_the_parents_numbers, setup, teardown),
    };
    return fixture_run(argc, argv, "export_nested", tests, sizeof(tests) / sizeof(tests[0]));
}
