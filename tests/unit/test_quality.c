/* test_quality.c - the quality flags of an interview (syncd/quality.c): each flag raised by
 * the case that should raise it and not by its neighbour on the other side of the limit,
 * with its figures and its reason in both languages; the thresholds from the config file
 *
 * Usage: test_quality */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "quality.h"

/* The flags of a case of answers and paradata (JSON texts), the frame's prefill. */
static int check(const char *answers, const char *para, const char *prefill, int revisions,
                 int duplicate, int refusal, qual_flag *out)
{
    qual_limits l;
    cJSON *a = cJSON_Parse(answers), *p = para ? cJSON_Parse(para) : NULL;
    cJSON *f = prefill ? cJSON_Parse(prefill) : NULL;
    qual_case c = {.answers = a,
                   .paradata = p,
                   .prefill = f,
                   .size_question = "hh_size",
                   .roster = "members",
                   .refusal = refusal,
                   .revisions = revisions,
                   .duplicate = duplicate};
    int n;

    assert_non_null(a);
    qual_defaults(&l);
    n = qual_check(&l, &c, out);
    cJSON_Delete(a);
    cJSON_Delete(p);
    cJSON_Delete(f);
    return n;
}

static const char *FOUR = "{\"hh_size\": 4, \"members\": [{}, {}, {}, {}]}";

static void test_a_good_interview_has_no_flag(void **state)
{
    qual_flag f[QUAL_COUNT];

    (void)state;
    /* 4 members: at least 240 + 4 x 90 = 600 s; 12 screens, 2 quick; 10:00 in Sơn La */
    assert_int_equal(check(FOUR,
                           "{\"started_at\": \"2026-11-29T03:00:00Z\", \"seconds\": {\"a\": 100, "
                           "\"b\": 100, \"c\": 100, \"d\": 100, \"e\": 100, \"f\": 50, \"g\": 20, "
                           "\"h\": 20, \"i\": 5, \"j\": 5, \"k\": 0.5, \"l\": 0.5}}",
                           "{\"hh_size\": 4}", 1, 0, 0, f),
                     0);
}

static void test_speeding_depends_on_the_household_size(void **state)
{
    qual_flag f[QUAL_COUNT];
    char why[256];

    (void)state;
    /* 590 s for four members: under 600 */
    assert_int_equal(check(FOUR, "{\"seconds\": {\"a\": 590}}", NULL, 1, 0, 0, f), 1);
    assert_int_equal(f[0].kind, QUAL_SPEEDING);
    assert_true(f[0].value > 9.8 && f[0].value < 9.9);
    assert_true(f[0].limit == 10);
    qual_reason(why, sizeof(why), &f[0], 1);
    assert_string_equal(why, "phỏng vấn 10 phút, ít hơn 10 phút cho số thành viên của hộ");
    /* the same time for one member is enough (240 + 90 = 330 s) */
    assert_int_equal(check("{\"hh_size\": 1, \"members\": [{}]}", "{\"seconds\": {\"a\": 590}}",
                           NULL, 1, 0, 0, f),
                     0);
    /* a refusal is short by nature; a case without times (imported) is not judged */
    assert_int_equal(check(FOUR, "{\"seconds\": {\"a\": 30}}", NULL, 1, 0, 1, f), 0);
    assert_int_equal(check(FOUR, "{}", NULL, 1, 0, 0, f), 0);
}

static void test_night_is_in_the_field_s_time_zone(void **state)
{
    qual_flag f[QUAL_COUNT];
    char why[256];

    (void)state;
    /* 14:30 UTC is 21:30 in Sơn La; 22:59 UTC is 05:59; 23:00 UTC is 06:00 */
    assert_int_equal(check(FOUR, "{\"started_at\": \"2026-11-29T14:30:00Z\"}", NULL, 1, 0, 0, f),
                     1);
    assert_int_equal(f[0].kind, QUAL_NIGHT);
    assert_true(f[0].value == 21);
    qual_reason(why, sizeof(why), &f[0], 0);
    assert_string_equal(why, "started at 21:00 (night)");
    assert_int_equal(check(FOUR, "{\"started_at\": \"2026-11-29T22:59:00Z\"}", NULL, 1, 0, 0, f),
                     1);
    assert_int_equal(check(FOUR, "{\"started_at\": \"2026-11-29T23:00:00Z\"}", NULL, 1, 0, 0, f),
                     0);
    assert_int_equal(check(FOUR, "{\"started_at\": \"2026-11-29T13:59:59Z\"}", NULL, 1, 0, 0, f),
                     0);
    assert_int_equal(check(FOUR, "{\"started_at\": \"not a time\"}", NULL, 1, 0, 0, f), 0);
}

static void test_fast_answers_need_enough_screens(void **state)
{
    qual_flag f[QUAL_COUNT];
    char para[1024];
    int n = 0;

    (void)state;
    /* 10 screens, 6 under a second, and 700 s on one: more than half are quick */
    n += snprintf(para, sizeof(para), "{\"seconds\": {\"x\": 700");
    for (int i = 0; i < 9; i++)
        n += snprintf(para + n, sizeof(para) - (size_t)n, ", \"q%d\": %s", i, i < 6 ? "0.4" : "3");
    snprintf(para + n, sizeof(para) - (size_t)n, "}}");
    assert_int_equal(check(FOUR, para, NULL, 1, 0, 0, f), 1);
    assert_int_equal(f[0].kind, QUAL_FAST_ANSWERS);
    assert_true(f[0].value == 0.6);
    /* 9 screens, 6 quick: too few to judge */
    assert_int_equal(check(FOUR,
                           "{\"seconds\": {\"x\": 700, \"a\": 0.1, \"b\": 0.1, \"c\": 0.1, \"d\": "
                           "0.1, \"e\": 0.1, \"f\": 0.1, \"g\": 3, \"h\": 3}}",
                           NULL, 1, 0, 0, f),
                     0);
}

static void test_edited_size_and_duplicate(void **state)
{
    qual_flag f[QUAL_COUNT];
    char why[256];

    (void)state;
    assert_int_equal(check(FOUR, NULL, "{\"hh_size\": 5}", 2, 1, 0, f), 3);
    assert_int_equal(f[0].kind, QUAL_EDITED);
    assert_int_equal(f[1].kind, QUAL_SIZE_FRAME);
    assert_true(f[1].value == 4 && f[1].limit == 5);
    qual_reason(why, sizeof(why), &f[1], 1);
    assert_string_equal(why, "hộ có 4 người, danh sách mẫu ghi 5");
    assert_int_equal(f[2].kind, QUAL_DUPLICATE);
    /* a frame without the size says nothing about it */
    assert_int_equal(check(FOUR, NULL, "{\"village\": \"Bản Áng\"}", 1, 0, 0, f), 0);
    assert_string_equal(qual_name(QUAL_SIZE_FRAME), "size_frame");
    assert_int_equal(qual_parse("fast_answers"), QUAL_FAST_ANSWERS);
    assert_int_equal(qual_parse("slow"), -1);
}

static void test_the_thresholds_come_from_the_config_file(void **state)
{
    syncd_config c;
    dt_err err;

    (void)state;
    config_defaults(&c);
    assert_true(c.quality.base_seconds == 240 && c.quality.utc_offset_minutes == 420);
    assert_int_equal(config_set(&c, "quality_base_seconds", "300", &err), DT_OK);
    assert_int_equal(config_set(&c, "quality_night_start", "22", &err), DT_OK);
    assert_int_equal(config_set(&c, "quality_utc_offset", "+5:30", &err), DT_OK);
    assert_int_equal(c.quality.utc_offset_minutes, 330);
    assert_int_equal(config_set(&c, "quality_utc_offset", "-3", &err), DT_OK);
    assert_int_equal(c.quality.utc_offset_minutes, -180);
    assert_int_equal(config_set(&c, "quality_fast_ms", "800", &err), DT_OK);
    assert_int_equal(config_set(&c, "quality_fast_percent", "40", &err), DT_OK);
    assert_true(c.quality.base_seconds == 300 && c.quality.night_start == 22 &&
                c.quality.fast_seconds == 0.8 && c.quality.fast_share == 0.4);
    /* what is wrong is said, naming the key; nothing changes */
    assert_int_equal(config_set(&c, "quality_night_end", "24", &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "quality_night_end"));
    assert_int_equal(config_set(&c, "quality_utc_offset", "7", &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "like +7"));
    assert_int_equal(config_set(&c, "quality_utc_offset", "+7h", &err), DT_EINVAL);
    assert_int_equal(config_set(&c, "quality_fast_percent", "0", &err), DT_EINVAL);
    assert_int_equal(c.quality.utc_offset_minutes, -180);
    assert_true(c.quality.fast_share == 0.4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_interview_has_no_flag),
        cmocka_unit_test(test_speeding_depends_on_the_household_size),
        cmocka_unit_test(test_night_is_in_the_field_s_time_zone),
        cmocka_unit_test(test_fast_answers_need_enough_screens),
        cmocka_unit_test(test_edited_size_and_duplicate),
        cmocka_unit_test(test_the_thresholds_come_from_the_config_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
