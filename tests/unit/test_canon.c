/* test_canon.c - RFC 8785 canonical JSON: the RFC's own examples (its sample object, the
 * property sorting of its section 3.2.3, numbers of its appendix B), ECMAScript's number
 * forms at their edges, and what the scheme refuses */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"

/* The canonical form of the JSON text in, into out; the function's return. */
static int canon_text(const char *in, char *out, size_t size, dt_err *err)
{
    cJSON *v = cJSON_Parse(in);
    buf b;

    assert_non_null(v);
    buf_init(&b, 1 << 20);
    int rc = canon_append(&b, v, err);
    snprintf(out, size, "%s", rc == 0 && b.data ? b.data : "");
    buf_free(&b);
    cJSON_Delete(v);
    return rc;
}

static void same_canon(const char *in, const char *want)
{
    char got[4096];
    dt_err err;

    assert_int_equal(canon_text(in, got, sizeof(got), &err), 0);
    assert_string_equal(got, want);
}

/* RFC 8785 section 3.2.2's sample: members sorted, numbers and strings in their forms. */
static void test_canon__the_rfc_sample(void **state)
{
    (void)state;
    same_canon(
        "{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],"
        " \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
        " \"literals\": [null, true, false]}",
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,"
        "1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* Section 3.2.3: names by UTF-16 code units, so U+1F600 (a surrogate pair, D83D) comes
 * before U+FB33 though its UTF-8 bytes sort after. */
static void test_canon__members_in_utf16_order(void **state)
{
    (void)state;
    same_canon("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": "
               "\"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": "
               "\"Emoji: Grinning Face\", \"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small "
               "Letter O With Diaeresis\"}",
               "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
               "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro "
               "Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew "
               "Letter Dalet With Dagesh\"}");
    same_canon("{\"z\": {\"z\": 1, \"a\": 2}, \"a\": [3, {\"b\": [], \"a\": {}}]}",
               "{\"a\":[3,{\"a\":{},\"b\":[]}],\"z\":{\"a\":2,\"z\":1}}");
}

static void number_is(double d, const char *want)
{
    char got[40];

    assert_int_equal(canon_number(got, sizeof(got), d), 0);
    assert_string_equal(got, want);
}

/* Appendix B and ECMAScript's thresholds: 21 digits before the exponent form, 6 zeros after
 * the point, the shortest digits that read back. */
static void test_canon__numbers_as_ecmascript_writes_them(void **state)
{
    (void)state;
    number_is(0.0, "0");
    number_is(-0.0, "0");
    number_is(5e-324, "5e-324");
    number_is(-5e-324, "-5e-324");
    number_is(DBL_MAX, "1.7976931348623157e+308");
    number_is(-DBL_MAX, "-1.7976931348623157e+308");
    number_is(9007199254740992.0, "9007199254740992");
    number_is(-9007199254740992.0, "-9007199254740992");
    number_is(295147905179352830000.0, "295147905179352830000");
    number_is(1e21, "1e+21");
    number_is(999999999999999900000.0, "999999999999999900000");
    number_is(1e-6, "0.000001");
    number_is(1e-7, "1e-7");
    number_is(1.5e-7, "1.5e-7");
    number_is(0.1, "0.1");
    number_is(0.1 + 0.2, "0.30000000000000004");
    number_is(100, "100");
    number_is(123.456, "123.456");
    number_is(1e23, "1e+23");
    number_is(5e22, "5e+22");
    number_is(4.5, "4.5");
    number_is(333333333.33333329, "333333333.3333333");
    /* every one reads back as itself */
    const double some[] = {0.1, 1.0 / 3, 2.0 / 3, 1e-300, 123456789012345680.0, 3.14159, 1e100};
    for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
        char t[40];
        assert_int_equal(canon_number(t, sizeof(t), some[i]), 0);
        assert_true(strtod(t, NULL) == some[i]);
    }
    char t[40];
    assert_int_equal(canon_number(t, sizeof(t), NAN), -1);
    assert_int_equal(canon_number(t, sizeof(t), INFINITY), -1);
}

/* The same value written two ways gives the same bytes; what RFC 8785 does not take is
 * refused with where it is. */
static void test_canon__one_value_one_text_and_what_is_refused(void **state)
{
    (void)state;
    char a[256], b[256];
    dt_err err;

    assert_int_equal(canon_text("{\"b\": 1.0, \"a\": [\"x\\u0041\", 2e0]}", a, sizeof(a), &err), 0);
    assert_int_equal(canon_text("{ \"a\" : [ \"xA\" , 2 ] , \"b\" : 1 }", b, sizeof(b), &err), 0);
    assert_string_equal(a, b);
    assert_string_equal(a, "{\"a\":[\"xA\",2],\"b\":1}");
    assert_int_equal(canon_text("{\"a\": {\"k\": 1, \"k\": 2}}", a, sizeof(a), &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "$.a.k: a name given twice in one object"));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "n", cJSON_CreateArray());
    cJSON_AddItemToArray(cJSON_GetObjectItem(o, "n"), cJSON_CreateNumber(NAN));
    buf out;
    buf_init(&out, 1 << 10);
    assert_int_equal(canon_append(&out, o, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "$.n[0]: a number that is not finite"));
    buf_free(&out);
    cJSON_Delete(o);
    /* a buffer too small is said, not cut */
    cJSON *big = cJSON_Parse("[\"0123456789\", \"0123456789\"]");
    buf_init(&out, 8);
    assert_int_equal(canon_append(&out, big, &err), DT_ENOMEM);
    buf_free(&out);
    cJSON_Delete(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canon__the_rfc_sample),
        cmocka_unit_test(test_canon__members_in_utf16_order),
        cmocka_unit_test(test_canon__numbers_as_ecmascript_writes_them),
        cmocka_unit_test(test_canon__one_value_one_text_and_what_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
