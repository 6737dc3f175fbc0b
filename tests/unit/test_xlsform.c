/* test_xlsform.c - common/xlsform.c: XLSForms written here (tests/unit/xlsx_writer.c) become the
 * JSON form the loader reads, with languages from label::NAME (code) columns, groups and repeats,
 * choices and their attributes, settings; and every problem of a broken one at once, named by
 * its sheet and row as Excel shows them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expr.h"
#include "form.h"
#include "xlsform.h"
#include "xlsx_writer.h"

static char dir[] = "/tmp/dieutra-xlsform.XXXXXX";

#define SURVEY_COLS 8
/* The header row of the survey sheets here. */
#define HEAD                                                                                       \
    "type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "required", "constraint",     \
        "constraint_message::Tiếng Việt (vi)", "constraint_message::English (en)"

/* One line per row, as the sheet shows it. */
/* clang-format off */
static const char *const survey[] = {
    HEAD,
    /* 2 */ "start", "start", NULL, NULL, NULL, NULL, NULL, NULL,
    /* 3 */ "select_one yesno", "consent", "Đồng ý?", "Consent?", "yes", NULL, NULL, NULL,
    /* 4 */ "begin_group", "hh", "Hộ", "Household", NULL, NULL, NULL, NULL,
    /* 5 */ "integer", "hh_size", "Số người", "Members", "true()", ". >= 1 and . <= 30",
            "Từ 1 đến 30", "From 1 to 30",
    /* 6 */ "end_group", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    /* 7 */ "begin repeat", "members", "Thành viên", "Members", NULL, NULL, NULL, NULL,
    /* 8 */ "text", "m_name", "Tên", "Name", "yes", NULL, NULL, NULL,
    /* 9 */ "select_one sex", "m_sex", "Giới tính", "Sex", NULL, NULL, NULL, NULL,
    /* 10 */ "end repeat", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    /* 11 */ "decimal", "income", "Thu nhập", "Income", NULL, NULL, NULL, NULL,
    /* 12 */ "note", "bye", "Cảm ơn", "Thank you", NULL, NULL, NULL, NULL,
};
#define CHOICE_COLS 5
static const char *const choices[] = {
    "list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)", "group",
    "yesno", "1", "Có", "Yes", NULL,
    "yesno", "2", "Không", "No", NULL,
    "sex", "1", "Nam", "Male", "m",
    "sex", "2", "Nữ", "Female", "f",
};
static const char *const settings[] = {
    "form_id", "version", "form_title", "default_language",
    "demo_hh", "3", "Điều tra thử", "Tiếng Việt (vi)",
};
/* clang-format on */

/* Writes a workbook of survey (nrows x SURVEY_COLS), choices and settings at dir/name. */
static const char *workbook(const char *name, const char *const *s, int srows)
{
    static char path[256];
    const char *names[] = {"survey", "choices", "settings"};
    char *sheets[3] = {xw_sheet(s, srows, SURVEY_COLS), xw_sheet(choices, 5, CHOICE_COLS),
                       xw_sheet(settings, 2, 4)};

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
    assert_int_equal(xw_workbook(path, names, sheets, 3), 0);
    for (int i = 0; i < 3; i++)
        free(sheets[i]);
    return path;
}

static void show(const errlist *p)
{
    for (size_t i = 0; i < p->n; i++)
        fprintf(stderr, "  %s: %s: %s\n", p->items[i].where, p->items[i].what, p->items[i].msg);
}

static void test_xlsform__a_form_reads_as_the_json_form(void **state)
{
    const char *path = workbook("good.xlsx", survey, 12);
    errlist problems = {0};
    xlsform_rows *rows = NULL;
    cJSON *doc = NULL;
    form *f = NULL;
    dt_err err;

    (void)state;
    if (xlsform_read(path, &doc, &rows, &problems, &err)) {
        show(&problems);
        fail_msg("xlsform_read: %s", err.msg);
    }
    if (form_load_json(&f, doc, "good.xlsx", &problems)) {
        char *text = cJSON_Print(doc);
        fprintf(stderr, "%s\n", text);
        free(text);
        show(&problems);
        fail();
    }
    assert_string_equal(form_id(f), "demo_hh");
    assert_int_equal(form_version(f), 3);
    const cJSON *langs = cJSON_GetObjectItem(doc, "languages");
    assert_int_equal(cJSON_GetArraySize(langs), 2);
    assert_string_equal(cJSON_GetArrayItem(langs, 0)->valuestring, "vi"); /* the default first */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "title"), "vi")->valuestring,
                        "Điều tra thử");
    /* start is paradata, not a question; the group and the repeat hold their rows */
    const cJSON *qs = cJSON_GetObjectItem(doc, "questions");
    assert_int_equal(cJSON_GetArraySize(qs), 5);
    const cJSON *consent = cJSON_GetArrayItem(qs, 0);
    assert_string_equal(cJSON_GetObjectItem(consent, "type")->valuestring, "select_one yesno");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(consent, "required")));
    const cJSON *size =
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(qs, 1), "children"), 0);
    assert_string_equal(cJSON_GetObjectItem(size, "constraint")->valuestring, ". >= 1 and . <= 30");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(size, "constraint_message"), "en")->valuestring,
        "From 1 to 30");
    const cJSON *members = cJSON_GetArrayItem(qs, 2);
    assert_string_equal(cJSON_GetObjectItem(members, "type")->valuestring, "repeat");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(members, "children")), 2);
    /* a choice's other columns are its attributes */
    const cJSON *sex = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "choices"), "sex");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(sex, 1), "group")->valuestring, "f");
    form_free(f);
    cJSON_Delete(doc);
    xlsform_rows_free(rows);
    errlist_free(&problems);
}

/* The problem whose where and what are these, with want in its message. */
static void has_problem(const errlist *p, const char *where, const char *what, const char *want)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->items[i].where, where) && !strcmp(p->items[i].what, what) &&
            strstr(p->items[i].msg, want))
            return;
    show(p);
    fail_msg("no problem %s: %s: ...%s...", where, what, want);
}

static void test_xlsform__every_problem_at_once_by_row(void **state)
{
    /* clang-format off */
    const char *bad[] = {
        HEAD,
        /* 2 */ "image", "photo", "Ảnh", "Photo", NULL, NULL, NULL, NULL,
        /* 3 */ "select_one_from_file communes.xml", "commune", "Xã", "Commune", NULL, NULL, NULL, NULL,
        /* 4 */ "end group", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        /* 5 */ "integer", "age", "Tuổi", "Age", NULL, "=1+1", NULL, NULL,
        /* 6 */ "integer", NULL, "Tuổi", "Age", NULL, NULL, NULL, NULL,
    };
    /* clang-format on */
    const char *path = workbook("bad.xlsx", bad, 6);
    errlist problems = {0};
    xlsform_rows *rows = NULL;
    cJSON *doc = NULL;
    dt_err err;

    (void)state;
    assert_int_equal(xlsform_read(path, &doc, &rows, &problems, &err), DT_EINVAL);
    assert_null(doc);
    has_problem(&problems, "survey row 2", "type", "'image' is not a type dieutra supports");
    has_problem(&problems, "survey row 3", "type", "from a .csv file beside the form");
    has_problem(&problems, "survey row 4", "type", "without its begin group");
    has_problem(&problems, "survey row 5", "", "a formula saved without its value");
    has_problem(&problems, "survey row 6", "name", "missing");
    errlist_free(&problems);
}

static void test_xlsform__the_loaders_problems_are_named_by_row(void **state)
{
    /* clang-format off */
    const char *bad[] = {
        HEAD,
        /* 2 */ "integer", "age", "Tuổi", "Age", NULL, ". < (120", NULL, NULL,
        /* 3 */ "text", "who", "Ai", NULL, NULL, NULL, NULL, NULL,
    };
    /* clang-format on */
    const char *path = workbook("loader.xlsx", bad, 3);
    errlist problems = {0};
    xlsform_rows *rows = NULL;
    cJSON *doc = NULL;
    form *f = NULL;
    dt_err err;

    (void)state;
    assert_int_equal(xlsform_read(path, &doc, &rows, &problems, &err), 0);
    assert_int_not_equal(form_load_json(&f, doc, "loader.xlsx", &problems), 0);
    assert_int_equal(xlsform_name_rows(&problems, rows), 0);
    has_problem(&problems, "survey row 2 (age)", "constraint", "column");
    has_problem(&problems, "survey row 3 (who)", "label", "'en'");
    cJSON_Delete(doc);
    xlsform_rows_free(rows);
    errlist_free(&problems);
}

/* The types of xlsform.org a household survey uses beyond the first ones, each with an answer
 * that passes and one that fails through the model the workbook becomes. */
static void test_xlsform__the_types_odk_forms_use(void **state)
{
    /* clang-format off */
    const char *const rows[] = {
        "type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "parameters", "default",
        "time", "t", "Giờ", "Time", NULL, NULL,
        "datetime", "dt", "Lúc", "At", NULL, NULL,
        "acknowledge", "ok", "Đồng ý", "Agree", NULL, NULL,
        "hidden", "wave", NULL, NULL, NULL, "w2",
        "range", "score", "Điểm", "Score", "start=0 end=10 step=2", NULL,
        "select_one yesno or_other", "consent", "Đồng ý?", "Consent?", NULL, NULL,
        "select_one_from_file villages.csv", "village", "Bản", "Village", NULL, NULL,
        "select_one_external ward", "ward", "Phường", "Ward", NULL, NULL,
    };
    const char *const ext[] = {
        "list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)",
        "ward", "3", "Chiềng Lề", "Chieng Le",
    };
    /* clang-format on */
    const char *names[] = {"survey", "choices", "settings", "external_choices"};
    char *sheets[4] = {xw_sheet(rows, 9, 6), xw_sheet(choices, 5, CHOICE_COLS),
                       xw_sheet(settings, 2, 4), xw_sheet(ext, 2, 4)};
    char path[256], csv[256];
    errlist problems = {0};
    xlsform_rows *xr = NULL;
    cJSON *doc = NULL;
    form *f = NULL;
    dt_err err;
    FILE *fp;

    (void)state;
    snprintf(path, sizeof(path), "%s/types.xlsx", dir);
    snprintf(csv, sizeof(csv), "%s/villages.csv", dir);
    assert_int_equal(xw_workbook(path, names, sheets, 4), 0);
    for (int i = 0; i < 4; i++)
        free(sheets[i]);
    assert_non_null(fp = fopen(csv, "w"));
    fputs("\xEF\xBB\xBFname,label::Tiếng Việt (vi),label::English (en),commune\r\n"
          "11,Bản Mòng,Ban Mong,03980\r\n12,Bản Hụm,Ban Hum,03980\r\n",
          fp);
    fclose(fp);
    if (xlsform_read(path, &doc, &xr, &problems, &err) ||
        form_load_json(&f, doc, "types.xlsx", &problems)) {
        show(&problems);
        fail();
    }
    assert_int_equal(form_q(f, form_find(f, "t"))->type, Q_TIME);
    assert_int_equal(form_q(f, form_find(f, "dt"))->type, Q_DATETIME);
    assert_int_equal(form_q(f, form_find(f, "ok"))->type, Q_ACKNOWLEDGE);
    assert_int_equal(form_q(f, form_find(f, "wave"))->type, Q_HIDDEN);
    assert_string_equal(form_q(f, form_find(f, "wave"))->default_value->valuestring, "w2");
    const form_question *score = form_q(f, form_find(f, "score"));
    assert_int_equal(score->type, Q_RANGE);
    assert_true(score->range[0] == 0 && score->range[1] == 10 && score->range[2] == 2);
    /* or_other: the list with 96 "other" and the text question asked when it is picked */
    const form_question *consent = form_q(f, form_find(f, "consent"));
    assert_string_equal(consent->list->name, "yesno_or_other");
    assert_string_equal(form_choice_find(consent->list, 96)->label[0], "Khác");
    assert_string_equal(form_choice_find(consent->list, 96)->label[1], "Other");
    const form_question *other = form_q(f, form_find(f, "consent_other"));
    assert_int_equal(other->type, Q_TEXT);
    assert_string_equal(expr_text(other->relevant), "selected(${consent}, 96)");
    assert_int_equal(form_find(f, "consent_other"), form_find(f, "consent") + 1);
    /* the file's list, its extra column an attribute kept as text */
    const form_question *village = form_q(f, form_find(f, "village"));
    assert_string_equal(village->list->name, "villages");
    assert_int_equal(village->list->nchoices, 2);
    assert_string_equal(form_choice_find(village->list, 12)->label[0], "Bản Hụm");
    assert_string_equal(village->list->attr_names[0], "commune");
    assert_string_equal(form_choice_find(village->list, 12)->attr[0], "03980");
    assert_string_equal(form_q(f, form_find(f, "ward"))->list->name, "ward");
    form_free(f);
    cJSON_Delete(doc);
    xlsform_rows_free(xr);
    errlist_free(&problems);

    /* Without the file beside it, the row says which file it could not read. */
    unlink(csv);
    assert_int_equal(xlsform_read(path, &doc, &xr, &problems, &err), DT_EINVAL);
    has_problem(&problems, "survey row 8", "type", "villages.csv");
    errlist_free(&problems);
}

/* What dieutra does not do is an error on its row, never a silent skip. */
static void test_xlsform__columns_dieutra_cannot_honour(void **state)
{
    /* clang-format off */
    const char *const rows[] = {
        "type", "name", "label", "trigger", "read_only", "parameters",
        "integer", "age", "Age", NULL, NULL, NULL,
        "calculate", "stamp", NULL, "${age}", NULL, NULL,
        "text", "id", "Id", NULL, "yes", "start=1",
        "range", "r", "R", NULL, NULL, "start=1 stop=3",
        "range", "s", "S", NULL, NULL, "start",
        "select_one yesno or_other", "again", "Again", NULL, NULL, NULL,
    };
    const char *const lists[] = {
        "list_name", "name", "label",
        "yesno", "1", "Yes",
        "yesno", "96", "Other",
    };
    /* clang-format on */
    const char *names[] = {"survey", "choices", "settings"};
    char *sheets[3] = {xw_sheet(rows, 7, 6), xw_sheet(lists, 3, 3), xw_sheet(settings, 2, 4)};
    char path[256];
    errlist problems = {0};
    xlsform_rows *xr = NULL;
    cJSON *doc = NULL;
    form *f = NULL;
    dt_err err;

    (void)state;
    snprintf(path, sizeof(path), "%s/cannot.xlsx", dir);
    assert_int_equal(xw_workbook(path, names, sheets, 3), 0);
    free(sheets[0]);
    assert_int_equal(xlsform_read(path, &doc, &xr, &problems, &err), DT_EINVAL);
    has_problem(&problems, "survey row 3", "trigger", "cannot wait for a trigger");
    has_problem(&problems, "survey row 6", "parameters", "expected start=N end=N step=N");
    has_problem(&problems, "survey row 7", "type", "which has a choice 96 already");
    errlist_free(&problems);
    /* the parameter the loader does not know, and a read-only question that is required,
     * named by their rows; a read-only one alone is fine */
    const char *const one[] = {"type",  "name", "label", "required", "read_only", "parameters",
                               "range", "r",    "R",     NULL,       NULL,        "start=1 stop=3",
                               "text",  "id",   "Id",    "yes",      "yes",       NULL,
                               "text",  "code", "Code",  NULL,       "yes",       NULL};
    sheets[0] = xw_sheet(one, 4, 6);
    unlink(path);
    assert_int_equal(xw_workbook(path, names, sheets, 3), 0);
    for (int i = 0; i < 3; i++)
        free(sheets[i]);
    if (xlsform_read(path, &doc, &xr, &problems, &err)) {
        show(&problems);
        fail();
    }
    assert_int_not_equal(form_load_json(&f, doc, "cannot.xlsx", &problems), 0);
    assert_int_equal(xlsform_name_rows(&problems, xr), 0);
    has_problem(&problems, "survey row 2 (r)", "parameters", "unknown parameter 'stop'");
    has_problem(&problems, "survey row 3 (id)", "read_only", "cannot be required");
    assert_int_equal(problems.n, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questions"), 2), "read_only")));
    cJSON_Delete(doc);
    xlsform_rows_free(xr);
    errlist_free(&problems);
}

/* A merged range reads as its first cell and empty others: a problem, never a guess. */
static void test_xlsform__merged_cells_are_a_problem(void **state)
{
    /* clang-format off */
    const char *const rows[] = {
        HEAD,
        "select_one yesno", "a", "A?", "A?", NULL, NULL, NULL, NULL,
        NULL, "b", "B?", "B?", NULL, NULL, NULL, NULL,
    };
    /* clang-format on */
    const char *names[] = {"survey", "choices", "settings"};
    char *sheet = xw_sheet(rows, 3, SURVEY_COLS), *merged;
    const char *end = "</sheetData></worksheet>";
    char path[256];
    errlist problems = {0};
    xlsform_rows *xr = NULL;
    cJSON *doc = NULL;
    dt_err err;

    (void)state;
    assert_non_null(merged = malloc(strlen(sheet) + 128));
    snprintf(merged, strlen(sheet) + 128,
             "%.*s</sheetData><mergeCells count=\"1\"><mergeCell "
             "ref=\"A2:A3\"/></mergeCells></worksheet>",
             (int)(strlen(sheet) - strlen(end)), sheet);
    char *sheets[3] = {merged, xw_sheet(choices, 5, CHOICE_COLS), xw_sheet(settings, 2, 4)};
    snprintf(path, sizeof(path), "%s/merged.xlsx", dir);
    assert_int_equal(xw_workbook(path, names, sheets, 3), 0);
    for (int i = 0; i < 3; i++)
        free(sheets[i]);
    free(sheet);
    assert_int_equal(xlsform_read(path, &doc, &xr, &problems, &err), DT_EINVAL);
    has_problem(&problems, "survey row 2", "", "cells A2:A3 are merged");
    errlist_free(&problems);
}

static void test_xlsform__no_survey_sheet(void **state)
{
    const char *names[] = {"Sheet1"};
    const char *cells[] = {"type", "name"};
    char *sheets[1] = {xw_sheet(cells, 1, 2)};
    char path[256];
    errlist problems = {0};
    xlsform_rows *rows = NULL;
    cJSON *doc = NULL;
    dt_err err;

    (void)state;
    snprintf(path, sizeof(path), "%s/none.xlsx", dir);
    assert_int_equal(xw_workbook(path, names, sheets, 1), 0);
    free(sheets[0]);
    assert_int_equal(xlsform_read(path, &doc, &rows, &problems, &err), DT_EINVAL);
    has_problem(&problems, "survey", "", "no sheet named survey (it has Sheet1)");
    errlist_free(&problems);
}

static int setup(void **state)
{
    (void)state;
    return xw_tmpdir(dir);
}

static int teardown(void **state)
{
    (void)state;
    return xw_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsform__a_form_reads_as_the_json_form),
        cmocka_unit_test(test_xlsform__every_problem_at_once_by_row),
        cmocka_unit_test(test_xlsform__the_loaders_problems_are_named_by_row),
        cmocka_unit_test(test_xlsform__the_types_odk_forms_use),
        cmocka_unit_test(test_xlsform__columns_dieutra_cannot_honour),
        cmocka_unit_test(test_xlsform__merged_cells_are_a_problem),
        cmocka_unit_test(test_xlsform__no_survey_sheet),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
