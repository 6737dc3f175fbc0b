/* test_geo.c - the table of area units: Sơn La's shipped 2025 table holds together, former codes
 * are placed (whole, split, unknown), and a table that does not hold together is refused with
 * every problem named */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "form.h"
#include "frame.h"
#include "geo.h"
#include "value.h"

#include <cjson/cJSON.h>

#define HEADER "new_code,new_name,old_district_codes,old_units(code:name(type))\n"

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long n;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    data[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return data;
}

/* The shipped table: schema/geography/sonla_2025.csv, found from the test data folder. */
static geo_table *load_sonla(void)
{
    const char *data_dir = getenv("DT_TEST_DATA");
    char path[4096];
    errlist problems = {0};
    geo_table *t = NULL;
    dt_err err;
    size_t len;
    char *data;

    assert_non_null(data_dir);
    snprintf(path, sizeof(path), "%s/../../schema/geography/sonla_2025.csv", data_dir);
    data = slurp(path, &len);
    int rc = geo_load(&t, "sonla_2025.csv", data, len, &problems, &err);
    for (size_t i = 0; i < problems.n; i++)
        fprintf(stderr, "%s: %s: %s\n", problems.items[i].where, problems.items[i].what,
                problems.items[i].msg);
    assert_int_equal(rc, DT_OK);
    errlist_free(&problems);
    free(data);
    return t;
}

/* Loads text that must be refused; returns the problems (errlist_free) joined in one string. */
static char *refused(const char *text)
{
    errlist problems = {0};
    geo_table *t = NULL;
    dt_err err;
    static char all[8192];
    size_t at = 0;

    assert_int_equal(geo_load(&t, "t.csv", text, strlen(text), &problems, &err), DT_EINVAL);
    assert_null(t);
    all[0] = '\0';
    for (size_t i = 0; i < problems.n; i++)
        at += (size_t)snprintf(all + at, sizeof(all) - at, "%s | %s\n", problems.items[i].where,
                               problems.items[i].msg);
    errlist_free(&problems);
    return all;
}

static void test_geo__sonla_has_75_units_from_200_former_ones(void **state)
{
    geo_table *t = load_sonla();
    int wards = 0, communes = 0;

    (void)state;
    assert_int_equal(geo_count(t), 75);
    assert_int_equal(geo_former_count(t), 200);
    for (int i = 0; i < geo_count(t); i++) {
        const geo_unit *u = geo_at(t, i);
        wards += !strncmp(u->name, "Phường ", strlen("Phường "));
        communes += !strncmp(u->name, "Xã ", strlen("Xã "));
        assert_int_equal((int)strlen(u->code), 5);
        assert_true(u->ndistricts >= 1);
        /* the districts are the GSO's 116, 118-128 (there never was a 117) */
        for (int d = 0; d < u->ndistricts; d++) {
            int code = atoi(u->districts[d]);
            assert_true(code == 116 || (code >= 118 && code <= 128));
        }
    }
    assert_int_equal(wards, 8);
    assert_int_equal(communes, 67);
    geo_free(t);
}

static void test_geo__a_former_commune_is_placed_in_its_2025_unit(void **state)
{
    geo_table *t = load_sonla();
    const geo_unit *c[4];
    int n;

    (void)state;
    /* Xã Hua La (03676) went whole into Phường Chiềng Cơi (03670) */
    assert_int_equal(geo_place(t, "03676", c, 4, &n), GEO_PLACED);
    assert_int_equal(n, 1);
    assert_string_equal(c[0]->code, "03670");
    assert_string_equal(c[0]->name, "Phường Chiềng Cơi");
    /* a unit that kept its code is its own predecessor */
    assert_int_equal(geo_place(t, "03670", c, 4, &n), GEO_PLACED);
    assert_string_equal(c[0]->code, "03670");
    assert_ptr_equal(geo_find(t, "03670"), c[0]);
    /* a retired code is not a unit of today */
    assert_null(geo_find(t, "03676"));
    geo_free(t);
}

static void test_geo__a_split_former_commune_has_two_candidates(void **state)
{
    geo_table *t = load_sonla();
    const geo_unit *c[4];
    int n;

    (void)state;
    /* Xã Chiềng Hắc (04012) was split between Phường Mộc Châu and Xã Chiềng Hặc */
    assert_int_equal(geo_place(t, "04012", c, 4, &n), GEO_SPLIT);
    assert_int_equal(n, 2);
    assert_string_equal(c[0]->code, "03980");
    assert_string_equal(c[1]->code, "04078");
    /* Xã Mường Bằng (04111): Xã Mường Bang and Xã Chiềng Mung */
    assert_int_equal(geo_place(t, "04111", c, 4, &n), GEO_SPLIT);
    assert_int_equal(n, 2);
    assert_string_equal(c[0]->code, "03943");
    assert_string_equal(c[1]->code, "04123");
    geo_free(t);
}

static void test_geo__a_code_in_no_table_is_unknown(void **state)
{
    geo_table *t = load_sonla();
    const geo_unit *c[4];
    int n = 9;

    (void)state;
    assert_int_equal(geo_place(t, "99999", c, 4, &n), GEO_UNKNOWN);
    assert_int_equal(n, 0);
    assert_int_equal(geo_place(t, "", c, 4, &n), GEO_UNKNOWN);
    geo_free(t);
}

static void test_geo__a_unit_not_among_its_predecessors_is_refused(void **state)
{
    char *p = refused(HEADER "\"00001\",\"Xã A\",\"116\",\"00002:Xã B(full)\"\n");

    (void)state;
    assert_non_null(strstr(p, "t.csv: line 2"));
    assert_non_null(strstr(p, "00001 is not among its old_units"));
}

static void test_geo__a_former_unit_whole_in_two_units_is_refused(void **state)
{
    char *p = refused(HEADER "\"00001\",\"Xã A\",\"116\",\"00001:Xã A(full);00003:Xã C(full)\"\n"
                             "\"00002\",\"Xã B\",\"116\",\"00002:Xã B(full);00003:Xã C(full)\"\n");

    (void)state;
    assert_non_null(strstr(p, "former unit 00003 went whole into one unit and into another"));
}

static void test_geo__a_partial_unit_in_one_unit_only_is_refused(void **state)
{
    char *p =
        refused(HEADER "\"00001\",\"Xã A\",\"116\",\"00001:Xã A(full);00003:Xã C(partial)\"\n");

    (void)state;
    assert_non_null(strstr(p, "00003 is (partial) in one unit only"));
}

static void test_geo__bad_fields_are_each_named(void **state)
{
    char *p = refused(HEADER "\"0001x\",\"Xã A\",\"116\",\"00001:Xã A(full)\"\n"
                             "\"00002\",\"Xã B\",\"11a\",\"00002:Xã B(full)\"\n"
                             "\"00004\",\"Xã D\",\"116\",\"00004:Xã D(whole)\"\n"
                             "\"00005\",\"Xã E\",\"116\",\"00005 Xã E\"\n"
                             "\"00006\",\"Xã F\",\"116\",\"00006:Xã F(full)\"\n"
                             "\"00006\",\"Xã F\",\"116\",\"00006:Xã F(full)\"\n");

    (void)state;
    assert_non_null(strstr(p, "t.csv: line 2 | new_code: expected a code"));
    assert_non_null(strstr(p, "t.csv: line 3 | old_district_codes: '11a' is not a code"));
    assert_non_null(strstr(p, "t.csv: line 4 | old_units: '00004:Xã D(whole)': the part is"));
    assert_non_null(strstr(p, "t.csv: line 5 | old_units: '00005 Xã E' is not CODE:NAME"));
    assert_non_null(strstr(p, "this unit is listed twice"));
}

static void test_geo__a_file_without_the_columns_is_refused(void **state)
{
    char *p = refused("code,name\n\"00001\",\"Xã A\"\n");

    (void)state;
    assert_non_null(strstr(p, "the header has no column new_code"));
    assert_non_null(strstr(p, "the header has no column old_units(code:name(type))"));
}

/* Questionnaire version 2 asks for the unit of today: its list is the table's, code by code,
 * with the unit's own name in Vietnamese and the former districts beside each. */
static void test_geo__questionnaire_v2_lists_exactly_the_units_of_the_table(void **state)
{
    geo_table *t = load_sonla();
    const char *data_dir = getenv("DT_TEST_DATA");
    char path[4096];
    errlist problems = {0};
    form *f = NULL;
    const form_list *l;
    int q, unit_code = -1, districts = -1;

    (void)state;
    snprintf(path, sizeof(path), "%s/../../schema/forms/sonla_ict_household_v2.json", data_dir);
    assert_int_equal(form_load_file(&f, path, &problems), DT_OK);
    assert_int_equal(form_version(f), 2);
    assert_true(form_find(f, "district") < 0);
    assert_true((q = form_find(f, "commune")) >= 0);
    l = form_q(f, q)->list;
    assert_non_null(l);
    assert_int_equal(l->nchoices, geo_count(t));
    for (int a = 0; a < l->nattrs; a++) {
        if (!strcmp(l->attr_names[a], "unit_code"))
            unit_code = a;
        if (!strcmp(l->attr_names[a], "former_districts"))
            districts = a;
    }
    assert_true(unit_code >= 0 && districts >= 0);
    for (int i = 0; i < l->nchoices; i++) {
        const form_choice *c = &l->choices[i];
        const geo_unit *u = geo_find(t, c->attr[unit_code]);
        char joined[256] = "";
        assert_non_null(u);
        assert_int_equal(c->code, atoll(u->code));
        assert_string_equal(c->label[form_lang_index(f, "vi")], u->name);
        for (int d = 0; d < u->ndistricts; d++)
            snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", d ? "+" : "",
                     u->districts[d]);
        assert_string_equal(c->attr[districts], joined);
    }
    form_free(f);
    errlist_free(&problems);
    geo_free(t);
}

static form *load_form(const char *file)
{
    const char *data_dir = getenv("DT_TEST_DATA");
    char path[4096];
    errlist problems = {0};
    form *f = NULL;

    snprintf(path, sizeof(path), "%s/../../schema/forms/%s", data_dir, file);
    assert_int_equal(form_load_file(&f, path, &problems), DT_OK);
    errlist_free(&problems);
    return f;
}

static void test_geo__version_2_declares_its_area_and_gives_the_5_digit_code(void **state)
{
    form *f = load_form("sonla_ict_household_v2.json");
    val v = {.has = 1, .num = 3646};
    char code[64];

    (void)state;
    assert_int_equal(form_area(f), form_find(f, "commune"));
    assert_string_equal(form_geo_table(f), "sonla_2025");
    assert_string_equal(form_area_code(f, &v, code, sizeof(code)), "03646");
    v.has = 0;
    assert_string_equal(form_area_code(f, &v, code, sizeof(code)), "");
    form_free(f);
}

static void test_geo__a_form_without_the_declaration_has_its_commune_code(void **state)
{
    form *f = load_form("sonla_ict_household.json");
    val v = {.has = 1, .str = "04012", .len = 5};
    char code[64];

    (void)state;
    assert_int_equal(form_area(f), form_find(f, "commune_code"));
    assert_null(form_geo_table(f));
    assert_string_equal(form_area_code(f, &v, code, sizeof(code)), "04012");
    form_free(f);
}

/* The problems of a small form with the given "geography" (JSON text), joined. */
static char *geography_problems(const char *geography)
{
    static char all[4096];
    char text[2048];
    errlist problems = {0};
    form *f = NULL;
    size_t at = 0;
    cJSON *doc;

    snprintf(
        text, sizeof(text),
        "{\"id\": \"t\", \"version\": 1, \"languages\": [\"en\"], \"title\": {\"en\": \"T\"},"
        " \"choices\": {\"units\": [{\"code\": 1, \"label\": {\"en\": \"A\"}, \"unit\": \"01\"}]},"
        " \"geography\": %s, \"questions\": ["
        " {\"name\": \"u\", \"type\": \"select_one units\", \"label\": {\"en\": \"U\"}},"
        " {\"name\": \"n\", \"type\": \"note\", \"label\": {\"en\": \"N\"}},"
        " {\"name\": \"r\", \"type\": \"repeat\", \"label\": {\"en\": \"R\"}, \"children\": ["
        "  {\"name\": \"x\", \"type\": \"text\", \"label\": {\"en\": \"X\"}}]}]}",
        geography);
    assert_non_null(doc = cJSON_Parse(text));
    form_load_json(&f, doc, "t", &problems);
    all[0] = '\0';
    for (size_t i = 0; i < problems.n; i++)
        at += (size_t)snprintf(all + at, sizeof(all) - at, "%s: %s\n", problems.items[i].what,
                               problems.items[i].msg);
    form_free(f);
    errlist_free(&problems);
    cJSON_Delete(doc);
    return all;
}

static void test_geo__a_bad_geography_declaration_is_named(void **state)
{
    (void)state;
    assert_string_equal(geography_problems("{\"area\": \"u\", \"area_code\": \"unit\", "
                                           "\"table\": \"t_2025\"}"),
                        "");
    assert_non_null(strstr(geography_problems("{\"area\": \"nope\"}"),
                           "geography.area: unknown question 'nope'"));
    assert_non_null(strstr(geography_problems("{\"area\": \"x\"}"),
                           "'x' must be a text, integer or select_one question outside"));
    assert_non_null(strstr(geography_problems("{\"area\": \"n\"}"), "'n' must be a text"));
    assert_non_null(strstr(geography_problems("{\"area\": \"u\", \"area_code\": \"code\"}"),
                           "geography.area_code: expected an attribute of the choices of 'u'"));
    assert_non_null(strstr(geography_problems("{\"area\": \"u\", \"table\": \"../etc\"}"),
                           "geography.table: expected the name of a table of units"));
    assert_non_null(strstr(geography_problems("{\"area\": \"u\", \"levels\": 1}"),
                           "geography: unknown key 'levels'"));
    assert_non_null(strstr(geography_problems("[1]"), "geography: expected an object"));
}

/* The table the programs carry is the shipped file, with the names of the former districts. */
static void test_geo__the_built_in_table_names_the_former_districts(void **state)
{
    geo_table *t = NULL, *none = NULL, *file = load_sonla();
    const geo_unit *u;
    char d[64];
    dt_err err;

    (void)state;
    assert_int_equal(geo_builtin(&t, "sonla_2025", &err), DT_OK);
    assert_int_equal(geo_count(t), geo_count(file));
    assert_int_equal(geo_former_count(t), geo_former_count(file));
    for (int i = 0; i < geo_count(t); i++)
        assert_string_equal(geo_at(t, i)->code, geo_at(file, i)->code);
    assert_string_equal(geo_above_name(t, "123", 0), "Huyện Mộc Châu");
    assert_string_equal(geo_above_name(t, "116", 1), "Sơn La city");
    assert_null(geo_above_name(t, "117", 0)); /* 117 was never a district of Sơn La */
    u = geo_find(t, "03943");                 /* Xã Mường Bang: from Phù Yên and Mai Sơn */
    assert_non_null(u);
    assert_string_equal(geo_districts(u, d, sizeof(d)), "122+125");
    assert_string_equal(geo_districts(geo_find(t, "03646"), d, sizeof(d)), "116");
    assert_int_equal(geo_builtin(&none, "hanoi_2025", &err), DT_ENOTFOUND);
    assert_null(none);
    assert_non_null(strstr(err.msg, "hanoi_2025"));
    geo_free(file);
    geo_free(t);
}

/* A district a unit came from that has no name, or a name listed twice, is refused. */
static void test_geo__district_names_must_cover_the_table(void **state)
{
    const char *units = HEADER "\"1\",\"Xã A\",\"7+8\",\"1:Xã A(full)\"\n";
    errlist problems = {0};
    geo_table *t = NULL;
    dt_err err;
    int found = 0;

    (void)state;
    assert_int_equal(geo_load(&t, "t.csv", units, strlen(units), &problems, &err), DT_OK);
    const char *above = "code,name_vi,name_en\n7,Huyện Bảy,Seven district\n";
    assert_int_equal(geo_load_above(t, "a.csv", above, strlen(above), &problems, &err), DT_EINVAL);
    for (size_t i = 0; i < problems.n; i++)
        found |= strstr(problems.items[i].msg, "unit 1 came from 8") != NULL;
    assert_true(found);
    errlist_free(&problems);
    geo_free(t);
    assert_int_equal(geo_load(&t, "t.csv", units, strlen(units), &problems, &err), DT_OK);
    above = "code,name_vi,name_en\n7,A,\n7,B,\n8,C,\n";
    assert_int_equal(geo_load_above(t, "a.csv", above, strlen(above), &problems, &err), DT_EINVAL);
    assert_string_equal(problems.items[0].msg, "this unit is listed twice");
    assert_string_equal(geo_above_name(t, "7", 1), "A"); /* no English: the Vietnamese */
    errlist_free(&problems);
    geo_free(t);
}

/* A frame in 2025 units: a row naming a retired unit is refused with the unit it now belongs
 * to (or, for a split one, both candidates); a code in no table gets the list's message. */
static void test_geo__a_frame_row_with_a_retired_code_names_its_unit_of_today(void **state)
{
    form *f = load_form("sonla_ict_household_v2.json");
    char path[] = "/tmp/dieutra-frame-XXXXXX";
    int fd = mkstemp(path);
    const char *csv = "assignment_id,commune,village\n"
                      "A1,3980,Tiểu khu 3\n" /* Phường Mộc Châu: a unit of today */
                      "A2,03649,Tổ 1\n"      /* Phường Tô Hiệu (former): whole in 03646 */
                      "A3,4012,Bản Áng\n"    /* Xã Chiềng Hắc: split */
                      "A4,9999,Bản Pá\n";    /* in no table */
    errlist problems = {0};
    frame *fr = NULL;
    frame_row row;
    dt_err err;
    int got[4];

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
    close(fd);
    assert_int_equal(frame_open(&fr, path, f, &problems, &err), DT_OK);
    assert_int_equal(problems.n, 0);
    for (int i = 0; i < 4; i++)
        got[i] = frame_next(fr, &row, &problems, &err);
    assert_int_equal(frame_next(fr, &row, &problems, &err), 0);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 2);
    assert_int_equal(got[3], 2);
    assert_int_equal(problems.n, 3);
    assert_string_equal(problems.items[0].where, "line 3");
    assert_string_equal(problems.items[0].what, "commune");
    assert_non_null(strstr(problems.items[0].msg, "03649 Phường Tô Hiệu is a former unit"));
    assert_non_null(strstr(problems.items[0].msg, "now part of 03646 Phường Tô Hiệu"));
    assert_non_null(strstr(problems.items[1].msg, "04012 Xã Chiềng Hắc is a former unit"));
    assert_non_null(strstr(problems.items[1].msg, "split between 03980 Phường Mộc Châu and "
                                                  "04078 Xã Chiềng Hặc"));
    assert_non_null(strstr(problems.items[2].msg, "9999"));
    assert_null(strstr(problems.items[2].msg, "former"));
    frame_close(fr);
    errlist_free(&problems);
    unlink(path);
    form_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geo__sonla_has_75_units_from_200_former_ones),
        cmocka_unit_test(test_geo__a_former_commune_is_placed_in_its_2025_unit),
        cmocka_unit_test(test_geo__a_split_former_commune_has_two_candidates),
        cmocka_unit_test(test_geo__a_code_in_no_table_is_unknown),
        cmocka_unit_test(test_geo__a_unit_not_among_its_predecessors_is_refused),
        cmocka_unit_test(test_geo__a_former_unit_whole_in_two_units_is_refused),
        cmocka_unit_test(test_geo__a_partial_unit_in_one_unit_only_is_refused),
        cmocka_unit_test(test_geo__bad_fields_are_each_named),
        cmocka_unit_test(test_geo__a_file_without_the_columns_is_refused),
        cmocka_unit_test(test_geo__questionnaire_v2_lists_exactly_the_units_of_the_table),
        cmocka_unit_test(test_geo__version_2_declares_its_area_and_gives_the_5_digit_code),
        cmocka_unit_test(test_geo__a_form_without_the_declaration_has_its_commune_code),
        cmocka_unit_test(test_geo__a_bad_geography_declaration_is_named),
        cmocka_unit_test(test_geo__the_built_in_table_names_the_former_districts),
        cmocka_unit_test(test_geo__district_names_must_cover_the_table),
        cmocka_unit_test(test_geo__a_frame_row_with_a_retired_code_names_its_unit_of_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
