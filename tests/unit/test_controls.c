/* test_controls.c - calibration totals files read against the Sơn La questionnaire, and a
 * household's values in their columns */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controls.h"

static form *F;
static geo_table *UNITS; /* the province's 2025 units */

static int setup(void **state)
{
    (void)state;
    char path[4096];
    errlist problems = {0};
    const char *data = getenv("DT_TEST_DATA");

    snprintf(path, sizeof(path), "%s/../../schema/forms/sonla_ict_household.json",
             data ? data : "tests/data");
    int rc = form_load_file(&F, path, &problems);
    errlist_free(&problems);
    dt_err err;
    return rc || geo_builtin(&UNITS, "sonla_2025", &err);
}

static int teardown(void **state)
{
    (void)state;
    form_free(F);
    geo_free(UNITS);
    return 0;
}

/* Reads text as a totals file; its problems joined by " | " into out. */
static int read_text(ctl_totals *t, const char *text, char *out, size_t size)
{
    char path[] = "/tmp/dieutra-test.controls.XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    errlist problems = {0};
    dt_err err;
    size_t n = 0;

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    int rc = ctl_read(t, path, F, UNITS, &problems, &err);
    out[0] = '\0';
    for (size_t i = 0; i < problems.n && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s: %s: %s", i ? " | " : "",
                              problems.items[i].where, problems.items[i].what,
                              problems.items[i].msg);
    errlist_free(&problems);
    unlink(path);
    return rc;
}

static void test_controls__each_kind_of_margin_reads_and_counts_a_household(void **state)
{
    (void)state;
    ctl_totals t;
    char msg[1024];
    const char *text = "margin,category,total\n"
                       "households,,1000\n"
                       "persons,,4200\n"
                       "commune,03646,300\n"
                       "district,118,450\n"
                       "m_sex,1,2050\n"
                       "m_sex,2,2150\n"
                       "m_age,15-24,800\n"
                       "m_age,65+,300\n";

    assert_int_equal(read_text(&t, text, msg, sizeof(msg)), 0);
    assert_int_equal(t.n, 8);
    assert_int_equal(t.col[2].kind, CTL_COMMUNE);
    assert_int_equal(t.col[3].kind, CTL_QUESTION);
    assert_int_equal(t.col[4].kind, CTL_MEMBER);
    assert_true(t.col[6].range);

    cJSON *a = cJSON_Parse("{\"district\": 118, \"members\": ["
                           "{\"m_sex\": 1, \"m_age\": 70}, {\"m_sex\": 2, \"m_age\": 20},"
                           "{\"m_sex\": 2, \"m_age\": \"15\"}]}");
    size_t cols[8];
    double vals[8];
    geo_unit ward = {.code = "03646", .name = "Phường Tô Hiệu"};
    geo_unit commune = {.code = "04012", .name = "Xã Mường Bú"};
    size_t n = ctl_row(&t, F, a, &ward, cols, vals);
    /* households 1, persons 3, commune 1, district 1, men 1, women 2, 15-24: 2, 65+: 1 */
    const double want[8] = {1, 3, 1, 1, 1, 2, 2, 1};
    assert_int_equal(n, 8);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(cols[k], k);
        assert_true(vals[k] == want[k]);
    }
    /* another commune, another district: those columns are left out */
    n = ctl_row(&t, F, a, &commune, cols, vals);
    assert_int_equal(n, 7);
    /* urban_rural: the ward is urban, the commune rural; a unit not placed is neither */
    ctl_column urban;
    errlist problems = {0};
    assert_int_equal(ctl_column_make(&urban, F, " urban_rural", "urban ", &problems, "here"), 0);
    assert_int_equal((int)problems.n, 0);
    assert_int_equal(urban.kind, CTL_AREA);
    assert_true(ctl_value(&urban, F, a, &ward) == 1.0);
    assert_true(ctl_value(&urban, F, a, &commune) == 0.0);
    assert_true(ctl_value(&urban, F, a, NULL) == 0.0);
    ctl_column bad;
    assert_int_equal(ctl_column_make(&bad, F, "urban_rural", "town", &problems, "there"), 0);
    assert_int_equal((int)problems.n, 1);
    errlist_free(&problems);
    free(bad.margin);
    free(bad.category);
    free(urban.margin);
    free(urban.category);

    cJSON_Delete(a);
    ctl_free(&t);
}

static void test_controls__every_problem_is_said_by_line(void **state)
{
    (void)state;
    ctl_totals t;
    char msg[2048];
    const char *text = "margin,category,total\n"
                       "nosuch,1,10\n"
                       "m_sex,7,10\n"
                       "m_epay,1,10\n"
                       "m_age,old,10\n"
                       "district,118,-3\n"
                       "households,x,5\n"
                       "district,118,4\n"
                       "commune,99999,3\n";

    assert_int_equal(read_text(&t, text, msg, sizeof(msg)), DT_EINVAL);
    assert_non_null(
        strstr(msg, "line 9: category: 99999 is not a unit of today in the table of units"));
    /* a margin that is none is no full margin either */
    assert_null(strstr(msg, "nosuch adds up"));
    assert_non_null(strstr(msg, "line 2: margin: 'nosuch' is not households, persons, commune"));
    assert_non_null(strstr(msg, "line 3: category: '7' is not a choice of m_sex (list sex)"));
    assert_non_null(strstr(msg, "line 4: margin: m_epay is a select_multiple"));
    assert_non_null(strstr(msg, "line 5: category: 'old' is not a number or a range"));
    assert_non_null(strstr(msg, "line 6: total: '-3' is not a number of at least 0"));
    assert_non_null(strstr(msg, "line 7: category: households takes no category"));
    assert_non_null(strstr(msg, "line 8: : district 118 is given twice (line 6 too)"));
    assert_int_equal(t.n, 0); /* nothing kept */
}

/* A full margin (every sex) adding up to other persons than "persons": said before any
 * calibration tries. */
static void test_controls__full_margins_must_agree(void **state)
{
    (void)state;
    ctl_totals t;
    char msg[1024];

    assert_int_equal(read_text(&t,
                               "margin,category,total\npersons,,4200\nm_sex,1,2000\nm_sex,2,2100\n",
                               msg, sizeof(msg)),
                     DT_EINVAL);
    assert_non_null(strstr(msg, "margin m_sex adds up to 4100 persons, margin persons (line 2) to "
                                "4200: the weights cannot meet both"));
    assert_int_equal(read_text(&t, "margin,category,total\nm_sex,1,2100\n", msg, sizeof(msg)), 0);
    ctl_free(&t); /* one sex alone is not a full margin: nothing to compare */
    assert_int_equal(read_text(&t, "total,margin\n", msg, sizeof(msg)), DT_EINVAL);
    assert_non_null(strstr(msg, "line 1: category: the header needs a column category"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls__each_kind_of_margin_reads_and_counts_a_household),
        cmocka_unit_test(test_controls__every_problem_is_said_by_line),
        cmocka_unit_test(test_controls__full_margins_must_agree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
