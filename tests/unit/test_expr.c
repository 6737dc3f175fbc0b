/* test_expr.c - the XLSForm/ODK expression language: parsing, evaluation, errors */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expr.h"

/* ---- a fake form: a few questions, two repeated ones, one choice attribute */

enum { R_AGE, R_NAME, R_NOTE, R_DOB, R_FRUITS, R_PHONE, R_HH, R_VISIT, R_INCOME, R_MEMBER, NREFS };
enum { A_REGION = 100 };

typedef struct fake {
    const char *answer[NREFS];   /* scalar answers; NULL is unanswered */
    const char *items[NREFS][6]; /* instances of the repeated questions */
    int nitems[NREFS];
    const char *region; /* the bare choice attribute */
    int lookups;        /* how many times lookup was called */
    int last_bare;      /* the bare flag of the last lookup */
} fake;

static const char *const names[NREFS] = {
    "age", "name", "note", "dob", "fruits", "phone", "hh-size", "visit", "income", "member",
};

/* The answers every test starts from; note (R_NOTE) is unanswered. */
static const fake defaults = {
    .answer = {[R_AGE] = "35",
               [R_NAME] = "Lan",
               [R_DOB] = "2000-02-29",
               [R_FRUITS] = "apple mango  kiwi",
               [R_PHONE] = "0912345678",
               [R_HH] = "4"},
    .items = {[R_INCOME] = {"100", "", "250", "50"}},
    .nitems = {[R_INCOME] = 4},
    .region = "north",
};

static fake w;
static expr_env env;

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ${region} is unknown; region, bare, is the only choice attribute. */
static int fake_resolve(void *ctx, const char *name, size_t len, int bare)
{
    assert_ptr_equal(ctx, &w);
    if (bare == EXPR_NAME_DATA)
        return len == 6 && !memcmp(name, "prices", 6) ? 7 : -1;
    if (bare)
        return len == 6 && !memcmp(name, "region", 6) ? A_REGION : -1;
    for (int i = 0; i < NREFS; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], name, len))
            return i;
    return -1;
}

static void put_str(expr_val *out, const char *s)
{
    memset(out, 0, sizeof(*out));
    out->kind = EXPR_STR;
    out->str = s ? s : "";
    out->len = strlen(out->str);
}

static void fake_lookup(void *ctx, int ref, int bare, expr_val *out)
{
    fake *f = ctx;

    f->lookups++;
    f->last_bare = bare;
    if (bare) {
        assert_int_equal(ref, A_REGION);
        put_str(out, f->region);
        return;
    }
    assert_true(ref >= 0 && ref < NREFS);
    memset(out, 0, sizeof(*out));
    if (ref == R_INCOME || ref == R_MEMBER) {
        out->kind = EXPR_SET;
        out->ref = ref;
        out->count = f->nitems[ref];
    } else if (ref == R_VISIT) { /* a date question, typed by the engine */
        out->kind = EXPR_DATE;
        out->num = 19880; /* 2024-06-06 */
    } else {
        put_str(out, f->answer[ref]);
    }
}

static void fake_item(void *ctx, int ref, int i, expr_val *out)
{
    fake *f = ctx;

    assert_true(ref == R_INCOME || ref == R_MEMBER);
    put_str(out, i >= 0 && i < f->nitems[ref] ? f->items[ref][i] : "");
}

/* Table 7, "prices": the price of a good by its code. */
static const char *fake_pulldata(void *ctx, int ref, const char *col, const char *key_col,
                                 const char *key)
{
    (void)ctx;
    assert_int_equal(ref, 7);
    if (strcmp(col, "price") || strcmp(key_col, "code"))
        return NULL;
    return !strcmp(key, "35") ? "25000" : !strcmp(key, "4") ? "Bản Áng" : NULL;
}

/* A select's choice label as "LABEL code OF question". */
static void fake_choice_label(void *ctx, int ref, const char *code, size_t len, expr_val *out)
{
    static char label[64];

    (void)ctx;
    snprintf(label, sizeof(label), "LABEL %.*s OF %s", (int)len, code, names[ref]);
    put_str(out, label);
}

static int setup(void **state)
{
    (void)state;
    w = defaults;
    memset(&env, 0, sizeof(env));
    env.ctx = &w;
    env.lookup = fake_lookup;
    env.item = fake_item;
    env.choice_label = fake_choice_label;
    env.pulldata = fake_pulldata;
    put_str(&env.dot, "hello");
    env.position = 3;
    env.today = 19889; /* 2024-06-15 */
    env.scratch = expr_scratch_new();
    return env.scratch ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    expr_scratch_free(env.scratch);
    return 0;
}

/* ---- helpers: each parses, evaluates and frees one expression */

static expr *parse(const char *text)
{
    expr *e = NULL;
    dt_err err;

    err_clear(&err);
    if (expr_parse(&e, text, fake_resolve, &w, &err) != DT_OK)
        fail_msg("parsing \"%s\" failed: %s", text, err.msg);
    assert_non_null(e);
    return e;
}

static void check_num(const char *text, double want)
{
    expr *e = parse(text);
    expr_val v;

    expr_eval(e, &env, &v);
    double got = expr_to_number(&v);
    expr_free(e);
    if (isnan(want) ? !isnan(got) : got != want)
        fail_msg("%s: got %.17g, want %.17g", text, got, want);
}

static void check_bool(const char *text, int want)
{
    expr *e = parse(text);
    int got = expr_eval_bool(e, &env);

    expr_free(e);
    if (got != want)
        fail_msg("%s: got %s, want %s", text, got ? "true" : "false", want ? "true" : "false");
}

static void check_str(const char *text, const char *want)
{
    static char got[8192];
    expr *e = parse(text);
    expr_val v;
    size_t len;

    expr_eval(e, &env, &v);
    const char *s = expr_to_string(&v, &env, &len);
    assert_true(len < sizeof(got));
    memcpy(got, s, len + 1); /* with its NUL: the result must be a C string */
    expr_free(e);
    assert_int_equal(strlen(got), len);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", text, got, want);
}

static expr_kind kind_of(const char *text)
{
    expr *e = parse(text);
    expr_val v;

    expr_eval(e, &env, &v);
    expr_free(e);
    return v.kind;
}

static void check_error(const char *text, const char *want)
{
    expr *e = (expr *)&w; /* expr_parse must reset it to NULL */
    dt_err err;

    err_clear(&err);
    int rc = expr_parse(&e, text, fake_resolve, &w, &err);
    if (rc != DT_EINVAL)
        fail_msg("\"%s\": expected DT_EINVAL, got %d", text, rc);
    assert_null(e);
    assert_int_equal(err.code, DT_EINVAL);
    if (strcmp(err.msg, want) != 0)
        fail_msg("\"%s\": got \"%s\", want \"%s\"", text, err.msg, want);
}

/* Tables of cases, so that a test reads as a list of examples. */
typedef struct num_case {
    const char *text;
    double want;
} num_case;

typedef struct bool_case {
    const char *text;
    int want;
} bool_case;

typedef struct str_case {
    const char *text;
    const char *want;
} str_case;

/* Checks every case of a table with one of the check_ functions above. */
#define CHECK_ALL(check, cases)                                                                    \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < LEN(cases); i_++)                                                 \
            check(cases[i_].text, cases[i_].want);                                                 \
    } while (0)

/* ---- operators */

static void test_expr__arithmetic_operators_compute_numbers(void **state)
{
    static const num_case cases[] = {
        {"1 + 2", 3},          {"10 - 4", 6},           {"3 * 4", 12},    {"7 div 2", 3.5},
        {"${age} + 1", 36},    {"${hh-size}-1", 3},     {"'2' * '3'", 6}, {"true() + true()", 2},
        {"1 div 0", INFINITY}, {"-1 div 0", -INFINITY}, {"0 div 0", NAN},
    };
    static const num_case unary_and_mod[] = {
        {"-3 + 0", -3}, {"--3", 3},       {"-${age}", -35}, {"-2 - -3", 1},     {"-'abc'", NAN},
        {"7 mod 3", 1}, {"-7 mod 3", -1}, {"7 mod -3", 1},  {"5.5 mod 2", 1.5}, {"5 mod 0", NAN},
    };

    (void)state;
    CHECK_ALL(check_num, cases);
    CHECK_ALL(check_num, unary_and_mod); /* mod keeps the sign of the dividend */
    assert_int_equal(kind_of("1 + 2"), EXPR_NUM);
}

static void test_expr__comparisons_and_not_give_booleans(void **state)
{
    static const bool_case cases[] = {
        {"2 = 2", 1},       {"2 = 3", 0},        {"2 != 3", 1},           {"2 != 2", 0},
        {"2 < 3", 1},       {"3 < 3", 0},        {"3 <= 3", 1},           {"4 <= 3", 0},
        {"4 > 3", 1},       {"3 > 3", 0},        {"3 >= 3", 1},           {"2 >= 3", 0},
        {"true() = 1", 1},  {"false() = ''", 1}, {"true() = 'false'", 1}, {"true() > false()", 1},
        {"false() = 0", 1}, {"true() != 2", 0},  {"not(true())", 0},      {"not(0)", 1},
        {"not('')", 1},     {"not('false')", 0}, {"not(1 = 2)", 1},       {"true()", 1},
        {"false()", 0},
    };

    (void)state;
    CHECK_ALL(check_bool, cases);
    assert_int_equal(kind_of("2 < 3"), EXPR_BOOL);
}

static void test_expr__strings_are_equal_only_when_identical_but_order_as_numbers(void **state)
{
    static const bool_case cases[] = {
        {"'abc' = 'abc'", 1},  {"'abc' = 'ABC'", 0}, {"'abc' != 'abd'", 1}, {"\"x\" = 'x'", 1},
        {"'10.0' = 10", 1},    {"'10.0' = '10'", 0}, {"'abc' = 0", 0},      {"${age} = '35'", 1},
        {"${age} = 35.0", 1},  {"${age} > '9'", 1},  {"'2' < '10'", 1},     {"'abc' < 'abd'", 0},
        {"'abc' >= 'abc'", 0},
    };

    (void)state;
    CHECK_ALL(check_bool, cases);
}

static void test_expr__and_or_stop_evaluating_once_the_left_side_decides(void **state)
{
    static const bool_case cases[] = {
        {"true() and true()", 1},  {"true() and false()", 0}, {"false() and true()", 0},
        {"false() or false()", 0}, {"false() or true()", 1},  {"true() or false()", 1},
        {"1 and 'x'", 1},          {"1 and ''", 0},
    };

    (void)state;
    CHECK_ALL(check_bool, cases);
    assert_int_equal(kind_of("1 or 0"), EXPR_BOOL);
    w.lookups = 0;
    check_bool("1 = 2 and ${age} > 0", 0);
    check_bool("1 = 1 or ${age} > 0", 1);
    assert_int_equal(w.lookups, 0);
    check_bool("1 = 1 and ${age} > 0", 1);
    assert_int_equal(w.lookups, 1);
}

static void test_expr__operator_precedence_follows_xpath(void **state)
{
    static const num_case nums[] = {
        {"1 + 2 * 3", 7},   {"(1 + 2) * 3", 9}, {"10 - 4 - 3", 3}, {"12 div 2 div 3", 2},
        {"7 mod 4 * 2", 6}, {"1 + 7 mod 4", 4}, {"-2 * -3", 6},    {"2 + 3 * 4 - 10 div 5", 12},
    };
    static const bool_case bools[] = {
        {"2 + 3 > 4", 1},
        {"3 > 2 > 1", 0}, /* (3 > 2) > 1 is true() > 1 */
        {"1 = 2 < 3", 1}, /* 1 = (2 < 3) */
        {"1 = 1 or 1 = 2 and 1 = 2", 1},
        {"(1 = 1 or 1 = 2) and 1 = 2", 0},
    };

    (void)state;
    CHECK_ALL(check_num, nums);
    CHECK_ALL(check_bool, bools);
}

/* ---- empty answers (ODK: an unanswered question is the empty string) */

static void test_expr__empty_answer_compares_as_empty_string(void **state)
{
    static const bool_case cases[] = {
        {"${note} = ''", 1},  {"${note} != ''", 0},     {"${name} = ''", 0},
        {"${name} != ''", 1}, {"${note} = ${note}", 1}, {"${note} = 'x'", 0},
        {"${note}", 0},       {"not(${note})", 1},      {"${name}", 1},
    };
    expr *e = parse("${note}");
    expr_val v;

    (void)state;
    expr_eval(e, &env, &v);
    assert_int_equal(v.kind, EXPR_STR);
    assert_int_equal(v.len, 0);
    assert_string_equal(v.str, "");
    expr_free(e);
    CHECK_ALL(check_bool, cases);
    check_str("concat('a', ${note}, 'b')", "ab");
}

static void test_expr__numeric_comparison_with_empty_answer_is_false(void **state)
{
    static const bool_case cases[] = {
        {"${note} = 0", 0},  {"${note} < 5", 0},  {"${note} <= 5", 0},
        {"${note} > -1", 0}, {"${note} >= 0", 0}, {"${note} < ${note}", 0},
    };

    (void)state;
    CHECK_ALL(check_bool, cases);
    check_num("${note} + 1", NAN);
    check_str("${note} * 2", "NaN");
}

static void test_expr__not_equal_between_empty_answer_and_number_is_true(void **state)
{
    (void)state;
    check_bool("${note} != 0", 1);
    check_bool("0 != ${note}", 1);
    check_bool("${note} != '0'", 1);
}

/* ---- numbers */

static void test_expr__numbers_format_as_xpath_strings(void **state)
{
    static const str_case cases[] = {
        {"3", "3"},
        {"2.50", "2.5"},
        {"-0.25", "-0.25"},
        {"-0", "0"},
        {"1.10", "1.1"},
        {"0 div 0", "NaN"},
        {"1 div 0", "Infinity"},
        {"-1 div 0", "-Infinity"},
        {"123456789012345", "123456789012345"},
    };
    char out[32];

    (void)state;
    CHECK_ALL(check_str, cases);
    expr_format_number(-42, out, sizeof(out));
    assert_string_equal(out, "-42");
}

static void test_expr__large_and_small_numbers_format_in_plain_decimal(void **state)
{
    (void)state;
    /* XPath 1.0 string() never writes an exponent, and number() (which here
     * rightly refuses exponents) must read back what string() wrote. */
    check_str("1000000000000000", "1000000000000000");
    check_str("0.000001", "0.000001");
    check_str("-0.0000012", "-0.0000012");
    check_str("100000000000000000000", "100000000000000000000");
    check_num("number(string(1000000000000000))", 1e15);
}

static void test_expr__values_convert_to_numbers_and_booleans_with_xpath_rules(void **state)
{
    static const num_case nums[] = {
        {"number(' 12 ')", 12},  {"number('-3.5')", -3.5},   {"number('.5')", 0.5},
        {"number('5.')", 5},     {"number('1e3')", NAN},     {"number('+5')", NAN},
        {"number('0x10')", NAN}, {"number('1 2')", NAN},     {"number('--1')", NAN},
        {"number('-')", NAN},    {"number('')", NAN},        {"number(true())", 1},
        {"number(false())", 0},  {"number(${age}) * 2", 70},
    };
    static const struct {
        expr_val v;
        int want;
    } bools[] = {
        {{EXPR_NUM, NAN, NULL, 0, 0, 0}, 0},      {{EXPR_NUM, 0, NULL, 0, 0, 0}, 0},
        {{EXPR_NUM, -0.5, NULL, 0, 0, 0}, 1},     {{EXPR_BOOL, 1, NULL, 0, 0, 0}, 1},
        {{EXPR_STR, 0, "0", 1, 0, 0}, 1},         {{EXPR_STR, 0, "", 0, 0, 0}, 0},
        {{EXPR_SET, 0, NULL, 0, R_MEMBER, 0}, 0}, {{EXPR_SET, 0, NULL, 0, R_INCOME, 4}, 1},
    };
    expr_val v;

    (void)state;
    CHECK_ALL(check_num, nums);
    put_str(&v, "\t7\r\n");
    assert_true(expr_to_number(&v) == 7);
    for (size_t i = 0; i < LEN(bools); i++)
        if (expr_to_bool(&bools[i].v) != bools[i].want)
            fail_msg("case %zu: expr_to_bool gave %d", i, !bools[i].want);
}

/* ---- functions */

static void test_expr__selected_matches_whole_space_separated_choices(void **state)
{
    static const bool_case cases[] = {
        {"selected(${fruits}, 'mango')", 1}, {"selected(${fruits}, 'kiwi')", 1},
        {"selected(${fruits}, 'man')", 0},   {"selected(${fruits}, '')", 0},
        {"selected(${note}, 'a')", 0},       {"selected(12, '12')", 1},
    };

    (void)state;
    CHECK_ALL(check_bool, cases);
    check_num("count-selected(${fruits})", 3);
    check_num("count-selected(${note})", 0);
    check_num("count-selected('  a  ')", 1);
}

static void test_expr__string_functions_work_on_string_values(void **state)
{
    static const num_case lengths[] = {
        {"string-length('abc')", 3}, {"string-length('')", 0}, {"string-length(${note})", 0},
        {"string-length(12.5)", 4},  {"string-length(.)", 5},
    };
    static const bool_case matches[] = {
        {"contains('abc', 'bc')", 1},    {"contains('abc', 'bd')", 0},
        {"contains('abc', '')", 1},      {"contains('', 'a')", 0},
        {"contains(${note}, '')", 1},    {"starts-with('abc', 'ab')", 1},
        {"starts-with('ab', 'abc')", 0}, {"starts-with('abc', 'bc')", 0},
    };
    static const str_case strings[] = {
        {"string(true())", "true"}, {"string(false())", "false"},       {"string(${age})", "35"},
        {"string(-0.5)", "-0.5"},   {"string(${visit})", "2024-06-06"},
    };

    (void)state;
    CHECK_ALL(check_num, lengths);
    check_num("string-length('h\xc3\xa9llo')", 5); /* code points, not bytes */
    check_num("string-length('\xe1\xba\xa1i')", 2);
    CHECK_ALL(check_bool, matches);
    CHECK_ALL(check_str, strings);
    assert_int_equal(kind_of("string(1)"), EXPR_STR);
}

static void test_expr__regex_searches_unanchored_and_translates_perl_shorthands(void **state)
{
    static const bool_case literal[] = {
        {"regex('abc', 'b')", 1},    {"regex('abc', '^b')", 0},   {"regex(., 'l+o$')", 1},
        {"regex(${note}, '^$')", 1}, {"regex(']', '^[]a]$')", 1}, {"regex('a5', 'a\\\\d')", 0},
    };
    static const bool_case shorthand[] = {
        {"regex(${phone}, '^\\d{10}$')", 1}, {"regex('0912-45678', '^\\d{9}$')", 0},
        {"regex('abc', '^\\D+$')", 1},       {"regex('a b', 'a\\sb')", 1},
        {"regex('a b', '^\\S+$')", 0},       {"regex('Lan_2', '^\\w+$')", 1},
        {"regex('Lan-2', '^\\w+$')", 0},     {"regex('a-b', '\\W')", 1},
        {"regex('12 34', '^[\\d ]+$')", 1},  {"regex('a.b', '^a\\.b$')", 1},
        {"regex('axb', '^a\\.b$')", 0},      {"regex('a1', concat('^a', '\\d$'))", 1},
    };

    (void)state;
    CHECK_ALL(check_bool, literal);
    CHECK_ALL(check_bool, shorthand);
    check_bool("regex('(', concat('(', ''))", 0); /* computed and invalid: no match */
    assert_int_equal(kind_of("regex('a', 'a')"), EXPR_BOOL);
}

static void test_expr__regex_shorthand_after_posix_class_stays_in_bracket(void **state)
{
    (void)state;
    check_bool("regex('ab12', '^[[:alpha:]\\d]+$')", 1);
}

static void test_expr__if_and_coalesce_evaluate_only_the_value_they_return(void **state)
{
    static const str_case cases[] = {
        {"if(true(), 'y', 'n')", "y"},      {"if(${note}, 'y', 'n')", "n"},
        {"coalesce(${note}, 'x')", "x"},    {"coalesce(${name}, 'x')", "Lan"},
        {"coalesce(${note}, ${note})", ""}, {"coalesce(0, 5)", "0"},
    };

    (void)state;
    CHECK_ALL(check_str, cases);
    w.lookups = 0;
    check_num("if(${age} > 18, ${age}, 0)", 35);
    assert_int_equal(w.lookups, 2);
    check_str("if(1 = 1, 'a', ${name})", "a");
    check_str("coalesce('a', ${name})", "a");
    assert_int_equal(w.lookups, 2);
}

static void test_expr__int_truncates_and_round_rounds_to_places(void **state)
{
    static const num_case cases[] = {
        {"int(3.7)", 3},        {"int(-3.7)", -3},         {"int('12.9')", 12},
        {"int('')", NAN},       {"round(2.5)", 3},         {"round(2.4)", 2},
        {"round(-2.4)", -2},    {"round('')", NAN},        {"round(3.14159, 2)", 3.14},
        {"round(1, 'x')", NAN}, {"round(1234, -2)", 1200},
    };

    (void)state;
    CHECK_ALL(check_num, cases);
    check_str("int(-0.5)", "0");
}

static void test_expr__concat_joins_string_values_of_any_length(void **state)
{
    static char big[3001];

    (void)state;
    check_str("concat('a', 1, true(), ${note}, 2.5, ${name})", "a1true2.5Lan");
    check_str("concat('only')", "only");
    check_str("concat(date('2024-03-01'), '!')", "2024-03-01!");
    memset(big, 'x', 3000); /* two of these overflow the first 4 KiB scratch chunk */
    put_str(&env.dot, big);
    check_num("string-length(concat(., ., '!'))", 6001);
    expr_scratch_reset(env.scratch);
    check_str("concat('a', 'b')", "ab");
}

/* ---- dates */

static void test_expr__date_and_today_give_dates_as_days(void **state)
{
    static const str_case cases[] = {
        {"date('2023-02-29')", ""},     {"date(0)", "1970-01-01"}, {"date(19782.9)", "2024-02-29"},
        {"date(${dob})", "2000-02-29"}, {"today()", "2024-06-15"},
    };

    (void)state;
    CHECK_ALL(check_str, cases);
    assert_int_equal(kind_of("date('2024-02-29')"), EXPR_DATE);
    assert_int_equal(kind_of("today()"), EXPR_DATE);
    check_num("date('2024-02-29')", 19782);
    check_num("today()", 19889);
    env.today = 0;
    check_str("today()", "1970-01-01");
}

static const struct {
    const char *text;
    int days;
} calendar[] = {
    {"1970-01-01", 0},     {"1969-12-31", -1},      {"2000-02-29", 11016},   {"2024-02-29", 19782},
    {"2024-03-01", 19783}, {"0001-01-01", -719162}, {"9999-12-31", 2932896},
};

static void test_expr__parse_date_accepts_real_calendar_dates(void **state)
{
    int d = 12345;

    (void)state;
    for (size_t i = 0; i < LEN(calendar); i++)
        if (expr_parse_date(calendar[i].text, 10, &d) != 1 || d != calendar[i].days)
            fail_msg("\"%s\": got %d, want %d", calendar[i].text, d, calendar[i].days);
    assert_int_equal(expr_parse_date("2024-01-01T08:00", 10, &d), 1); /* reads 10 bytes */
    assert_int_equal(d, 19723);
}

static void test_expr__parse_date_rejects_impossible_or_malformed_dates(void **state)
{
    static const char *bad[] = {
        "2023-02-29", "1900-02-29",  "2100-02-29", "2024-04-31", "2024-13-01", "2024-00-10",
        "2024-01-00", "2024-01-32",  "0000-01-01", "2024/01/01", "2024-1-01",  "24-01-01",
        "2024-01-1x", "2024-01-011", "",           " 2024-01-1", "-024-01-01", "2024-0a-01",
    };
    int d;

    (void)state;
    for (size_t i = 0; i < LEN(bad); i++)
        if (expr_parse_date(bad[i], strlen(bad[i]), &d) != 0)
            fail_msg("\"%s\" was accepted as a date", bad[i]);
    assert_int_equal(expr_parse_date("2024-01-01", 9, &d), 0);
}

static void test_expr__format_date_writes_iso_dates_within_four_digit_years(void **state)
{
    char out[11];

    (void)state;
    for (size_t i = 0; i < LEN(calendar); i++) {
        expr_format_date(calendar[i].days, out);
        assert_string_equal(out, calendar[i].text);
    }
    expr_format_date(2932897, out); /* 10000-01-01 */
    assert_string_equal(out, "");
}

/* An empty or impossible date is NaN days, so that only != holds. */
static void test_expr__dates_compare_with_today_as_days(void **state)
{
    static const bool_case cases[] = {
        {"${dob} < today()", 1},        {"${dob} > today()", 0},
        {"today() >= ${dob}", 1},       {"${visit} < today()", 1},
        {"${note} < today()", 0},       {"${note} = today()", 0},
        {"${note} != today()", 1},      {"today() = '2024-06-15'", 1},
        {"today() != '2024-06-15'", 0}, {"'2024-06-16' <= today()", 0},
        {"'2023-02-29' < today()", 0},  {"${visit} = '2024-06-06'", 1},
    };

    (void)state;
    CHECK_ALL(check_bool, cases);
    check_num("today() - ${visit}", 9);
    check_num("today() - date('2024-06-01')", 14);
}

/* ---- repeats */

static void test_expr__repeated_question_is_a_set_whose_first_item_is_its_value(void **state)
{
    expr *e = parse("${income}");
    expr_val v;
    size_t len;

    (void)state;
    expr_eval(e, &env, &v);
    assert_int_equal(v.kind, EXPR_SET);
    assert_int_equal(v.ref, R_INCOME);
    assert_int_equal(v.count, 4);
    assert_string_equal(expr_to_string(&v, &env, &len), "100");
    assert_int_equal(len, 3);
    expr_free(e);
    check_bool("${income} = 100", 1);
    check_str("${member}", "");
    check_bool("${member} = ''", 1);
}

static void test_expr__repeat_functions_count_instances_and_skip_unanswered_ones(void **state)
{
    static const num_case cases[] = {
        {"count(${income})", 4},  {"count(${member})", 0}, {"count(${age})", 1},
        {"sum(${income})", 400},  {"sum(${member})", 0},   {"sum(${note})", 0},
        {"min(${income})", 50},   {"max(${income})", 250}, {"min(${income}, 10)", 10},
        {"min(3, 1, 2)", 1},      {"max(3, 1, 2)", 3},     {"min('', 4)", 4},
        {"max(${note})", NAN},    {"max(1, 'abc')", NAN},  {"min('abc', 1)", NAN},
        {"min(-1.5, '2')", -1.5},
    };

    (void)state;
    CHECK_ALL(check_num, cases);
    w.items[R_MEMBER][0] = "";
    w.items[R_MEMBER][1] = "";
    w.nitems[R_MEMBER] = 2;
    check_num("count(${member})", 2);
    check_num("sum(${member})", 0);
    check_num("max(${member})", NAN);
    w.items[R_INCOME][1] = "abc";
    check_num("sum(${income})", NAN);
    check_num("position(..)", 3);
    check_num("position()", 3);
    env.position = 0;
    check_num("position(..)", 0);
}

/* ---- names */

static void test_expr__bare_name_is_a_choice_attribute_and_dot_the_answer(void **state)
{
    (void)state;
    check_bool("region = 'north'", 1);
    assert_int_equal(w.last_bare, 1);
    check_bool("region = ${name}", 0);
    assert_int_equal(w.last_bare, 0);
    check_error("${region}", "column 1: unknown question '${region}'");
    check_str(".", "hello");
    put_str(&env.dot, "17");
    check_bool(". > 5", 1);
}

/* ---- parse errors */

static void test_expr__missing_close_paren_is_reported_at_its_column(void **state)
{
    static const str_case cases[] = {
        {"(1 + 2", "column 7: expected ')'"},
        {"((1) + 2 * (3)", "column 15: expected ')'"},
        {"concat('a', 'b'", "column 16: expected ')' or ',' in the arguments of concat()"},
        {"not(1 2)", "column 7: expected ')' or ',' in the arguments of not()"},
    };

    (void)state;
    CHECK_ALL(check_error, cases);
}

static void test_expr__unknown_function_or_name_is_reported_at_the_name(void **state)
{
    static const str_case cases[] = {
        {"foo(1)", "column 1: unknown function 'foo()'"},
        {"1 + frobnicate(2)", "column 5: unknown function 'frobnicate()'"},
        {"1 = zzz",
         "column 5: unknown name 'zzz' (questions are written ${name}; functions need '()')"},
    };

    (void)state;
    CHECK_ALL(check_error, cases);
}

static void test_expr__unknown_question_is_reported_when_resolver_refuses(void **state)
{
    expr *e = (expr *)&w;
    dt_err err;

    (void)state;
    check_error("${age} + ${nope}", "column 10: unknown question '${nope}'");
    assert_int_equal(expr_parse(&e, "${age}", NULL, NULL, &err), DT_EINVAL);
    assert_string_equal(err.msg, "column 1: unknown question '${age}'");
    assert_int_equal(expr_parse(&e, "(", fake_resolve, &w, NULL), DT_EINVAL); /* err NULL */
    assert_null(e);
    assert_int_equal(expr_parse(&e, "1 + 2", NULL, NULL, &err), DT_OK);
    expr_free(e);
}

static void test_expr__wrong_argument_count_is_reported_at_the_function(void **state)
{
    static const str_case cases[] = {
        {"if(1, 2)", "column 1: if() takes 3 argument(s), not 2"},
        {"round()", "column 1: round() takes 1 to 2 arguments, not 0"},
        {"round(1, 2, 3)", "column 1: round() takes 1 to 2 arguments, not 3"},
        {"concat()", "column 1: concat() takes at least 1 argument(s), not 0"},
        {"1 + today(1)", "column 5: today() takes 0 argument(s), not 1"},
        {"selected(${fruits})", "column 1: selected() takes 2 argument(s), not 1"},
    };
    char text[400], want[64];
    size_t o = 0;

    (void)state;
    CHECK_ALL(check_error, cases);
    o += (size_t)snprintf(text, sizeof(text), "concat(");
    for (int i = 1; i <= 64; i++)
        o += (size_t)snprintf(text + o, sizeof(text) - o, "%d,", i);
    snprintf(text + o, sizeof(text) - o, "65)");
    snprintf(want, sizeof(want), "column %zu: too many arguments", strlen(text));
    check_error(text, want);
    text[o - 1] = ')'; /* 64 arguments are fine */
    text[o] = '\0';
    check_str(text, "12345678910111213141516171819202122232425262728293031323334353637383940"
                    "414243444546474849505152535455565758596061626364");
}

static void test_expr__malformed_text_is_reported_at_its_column(void **state)
{
    static const str_case cases[] = {
        {"concat('abc", "column 8: string is not closed"},
        {"1 ! 2", "column 3: '!' must be followed by '=' (use not() for negation)"},
        {"1 # 2", "column 3: unexpected character '#'"},
        {"$age", "column 1: expected '{' after '$'"},
        {"${}", "column 3: expected a question name after '${'"},
        {"${age", "column 6: expected '}' to close '${'"},
        {"1.2.3", "column 1: malformed number '1.2.3'"},
        {"1 + ..", "column 5: '..' is only allowed in position(..)"},
        {"1 +", "column 4: unexpected end of expression"},
        {"1 + )", "column 5: expected a value"},
        {"and 1", "column 1: expected a value before 'and'"},
        {"2 * mod 3", "column 5: expected a value before 'mod'"},
    };

    (void)state;
    CHECK_ALL(check_error, cases);
}

static void test_expr__missing_operand_before_or_names_only_or(void **state)
{
    (void)state;
    check_error("1 or or 2", "column 6: expected a value before 'or'");
}

static void test_expr__trailing_text_and_empty_expressions_are_refused(void **state)
{
    static const str_case cases[] = {
        {"1 + 2 3", "column 7: unexpected text after the end of the expression"},
        {"${age})", "column 7: unexpected text after the end of the expression"},
        {"'a' 'b'", "column 5: unexpected text after the end of the expression"},
        {"", "column 1: expression is empty"},
        {"   ", "column 1: expression is empty"},
    };

    (void)state;
    CHECK_ALL(check_error, cases);
}

static void test_expr__too_deep_nesting_is_refused(void **state)
{
    char text[200];

    (void)state;
    memset(text, '(', 63); /* 63 levels of parentheses are fine, 64 are not */
    text[63] = '1';
    memset(text + 64, ')', 63);
    text[127] = '\0';
    check_num(text, 1);
    memmove(text + 1, text, 128);
    text[0] = '(';
    strcat(text, ")");
    check_error(text, "column 65: expression is nested too deeply");
    memset(text, '-', 63); /* so are 63 unary minuses */
    strcpy(text + 63, "1");
    check_num(text, -1);
    memset(text, '-', 64);
    strcpy(text + 64, "1");
    check_error(text, "column 64: expression is nested too deeply");
}

static void test_expr__long_operator_chain_evaluates_without_exhausting_the_stack(void **state)
{
    /* 32000 additions fit the 64 KiB limit on expression text and parse
     * iteratively. The parser's nesting limit exists to keep hostile forms
     * off the stack, so evaluation must not need a frame per operator. The
     * child runs with a 1 MiB stack, a common size for worker threads. */
    enum { TERMS = 32000 };
    char *text = malloc(2 * TERMS);
    struct rlimit rl;
    int status;

    (void)state;
    assert_non_null(text);
    for (int i = 0; i < TERMS; i++)
        memcpy(text + 2 * i, "1+", 2);
    text[2 * 200 - 1] = '\0'; /* a long but realistic chain must still work */
    check_num(text, 200);
    text[2 * 200 - 1] = '+';
    text[2 * TERMS - 1] = '\0';
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        expr *e;
        expr_val v;
        int fd = open("/dev/null", O_WRONLY); /* silence the sanitizer's report */
        if (fd >= 0)
            dup2(fd, 2);
        if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur > (1 << 20)) {
            rl.rlim_cur = 1 << 20;
            setrlimit(RLIMIT_STACK, &rl);
        }
        if (expr_parse(&e, text, NULL, NULL, NULL) != DT_OK)
            _exit(0); /* refusing it at parse time is fine too */
        expr_eval(e, &env, &v);
        _exit(v.kind == EXPR_NUM && v.num == TERMS ? 0 : 3);
    }
    free(text);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("evaluating a %d-term sum failed (signal %d)", TERMS,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void test_expr__invalid_regex_literal_is_a_parse_error(void **state)
{
    static const str_case cases[] = {
        {"regex(., '(')", "column 1: regex(): the pattern is not a valid regular expression"},
        {"${age} > 1 and regex(., 'a[')",
         "column 16: regex(): the pattern is not a valid regular expression"},
    };

    (void)state;
    CHECK_ALL(check_error, cases);
}

/* ---- analysis */

static void test_expr__refs_lists_each_question_once_in_order(void **state)
{
    static const char text[] = " ${age} + ${age} * ${dob} > ${age} and region = ${dob} ";
    size_t n = 99;
    expr *e = parse(text);
    const int *refs = expr_refs(e, &n);

    (void)state;
    assert_int_equal(n, 2);
    assert_int_equal(refs[0], R_AGE);
    assert_int_equal(refs[1], R_DOB);
    assert_string_equal(expr_text(e), text);
    expr_free(e);
    e = parse("region = 'north' and 1 + 2 = 3");
    expr_refs(e, &n);
    assert_int_equal(n, 0);
    expr_free(e);
}

static void test_expr__uses_dot_only_when_dot_appears(void **state)
{
    static const bool_case cases[] = {
        {". > 5", 1},  {"string-length(.) > 2", 1}, {"${age} > 5", 0}, {"position(..) = 1", 0},
        {".5 > 0", 0}, {"regex(., '^a')", 1},
    };

    (void)state;
    for (size_t i = 0; i < LEN(cases); i++) {
        expr *e = parse(cases[i].text);
        int got = expr_uses_dot(e);
        expr_free(e);
        if (got != cases[i].want)
            fail_msg("expr_uses_dot(\"%s\") = %d", cases[i].text, got);
    }
}

/* ---- the functions ODK forms use beyond the first set */

static void test_expr__substr_and_selected_at_count_characters_and_choices(void **state)
{
    static const str_case cases[] = {
        {"substr('Sơn La', 0, 3)", "Sơn"},
        {"substr('abcdef', 2)", "cdef"},
        {"substr('abc', 5)", ""},
        {"substr('abc', 2, 1)", ""},
        {"substr('abc', -2, 2)", "ab"},
        {"substr(${phone}, 0, 3)", "091"},
        {"selected-at(${fruits}, 0)", "apple"},
        {"selected-at(${fruits}, 2)", "kiwi"},
        {"selected-at(${fruits}, 3)", ""},
        {"selected-at(${fruits}, -1)", ""},
        {"selected-at(${fruits}, 0.5)", ""},
    };

    (void)state;
    CHECK_ALL(check_str, cases);
}

static void test_expr__dates_and_times_as_decimals_and_formatted(void **state)
{
    static const num_case nums[] = {
        {"decimal-date-time('1970-01-02T12:00:00')", 1.5},
        {"decimal-date-time('1970-01-02 06:00')", 1.25},
        {"decimal-date-time(${visit})", 19880},
        {"decimal-date-time('2024-06-06')", 19880},
        {"decimal-date-time('2024-02-30')", NAN},
        {"decimal-time('06:00')", 0.25},
        {"decimal-time('18:00:00')", 0.75},
        {"decimal-time('25:00')", NAN},
        {"decimal-time('6:00')", NAN},
    };
    static const str_case strs[] = {
        {"format-date(${visit}, '%d/%m/%Y')", "06/06/2024"},
        {"format-date('2024-06-06', '%e %b %y, %a')", "6 Jun 24, Thu"},
        {"format-date(${dob}, '%n/%Y')", "2/2000"},
        {"format-date-time('2024-06-06T14:05:09', '%H:%M:%S %h')", "14:05:09 14"},
        {"format-date('no date', '%Y')", ""},
        {"format-date(today(), '%Y-%m-%d %q')", "2024-06-15 %q"},
    };

    (void)state;
    CHECK_ALL(check_num, nums);
    CHECK_ALL(check_str, strs);
}

static void test_expr__once_choice_names_indexed_repeats_and_arithmetic(void **state)
{
    static const str_case strs[] = {
        {"once(${age})", "35"},
        {"jr:choice-name(${age}, '${fruits}')", "LABEL 35 OF fruits"},
        {"jr:choice-name(${note}, '${fruits}')", ""},
        {"indexed-repeat(${income}, ${member}, 3)", "250"},
        {"indexed-repeat(${income}, ${member}, 2)", ""},
        {"indexed-repeat(${income}, ${member}, 9)", ""},
        {"indexed-repeat(${income}, ${member}, 0)", ""},
    };
    static const num_case nums[] = {
        {"abs(-2.5)", 2.5},   {"floor(2.7)", 2},
        {"floor(-2.1)", -3},  {"ceiling(2.1)", 3},
        {"pow(2, 10)", 1024}, {"pow(${age}, 0)", 1},
        {"abs('x')", NAN},    {"indexed-repeat(${income}, ${member}, 1) + 1", 101},
    };

    (void)state;
    CHECK_ALL(check_str, strs);
    CHECK_ALL(check_num, nums);
    check_error("jr:choice-name(${age}, 'fruits')",
                "column 1: jr:choice-name() needs the select question as text in its second "
                "argument: jr:choice-name(${q}, '${q}')");
    check_error("jr:choice-name(${age}, '${nobody}')",
                "column 1: jr:choice-name() needs the select question as text in its second "
                "argument: jr:choice-name(${q}, '${q}')");
    check_error("indexed-repeat('x', ${member}, 1)",
                "column 1: indexed-repeat() reads a question of a repeat: "
                "indexed-repeat(${x}, ${repeat}, n)");
    check_error("jr:nothing(1)", "column 1: unknown function 'jr:nothing()'");
    check_str("pulldata('prices', 'price', 'code', ${age})", "25000");
    check_num("pulldata('prices', 'price', 'code', ${age}) * 2", 50000);
    check_str("pulldata('prices', 'price', 'code', ${hh-size})", "Bản Áng");
    check_str("pulldata('prices', 'price', 'code', 99)", "");
    check_str("pulldata('prices', 'weight', 'code', 35)", "");
    check_error("pulldata('nothere', 'price', 'code', 1)",
                "column 1: pulldata(): no table 'nothere' (a CSV file of that name beside the "
                "XLSForm, or the form's \"data\")");
    check_error("pulldata(${name}, 'price', 'code', 1)",
                "column 1: pulldata(): no table '' (a CSV file of that name beside the "
                "XLSForm, or the form's \"data\")");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_expr__arithmetic_operators_compute_numbers),
        T(test_expr__comparisons_and_not_give_booleans),
        T(test_expr__strings_are_equal_only_when_identical_but_order_as_numbers),
        T(test_expr__and_or_stop_evaluating_once_the_left_side_decides),
        T(test_expr__operator_precedence_follows_xpath),
        T(test_expr__empty_answer_compares_as_empty_string),
        T(test_expr__numeric_comparison_with_empty_answer_is_false),
        T(test_expr__not_equal_between_empty_answer_and_number_is_true),
        T(test_expr__numbers_format_as_xpath_strings),
        T(test_expr__large_and_small_numbers_format_in_plain_decimal),
        T(test_expr__values_convert_to_numbers_and_booleans_with_xpath_rules),
        T(test_expr__selected_matches_whole_space_separated_choices),
        T(test_expr__string_functions_work_on_string_values),
        T(test_expr__regex_searches_unanchored_and_translates_perl_shorthands),
        T(test_expr__regex_shorthand_after_posix_class_stays_in_bracket),
        T(test_expr__if_and_coalesce_evaluate_only_the_value_they_return),
        T(test_expr__int_truncates_and_round_rounds_to_places),
        T(test_expr__concat_joins_string_values_of_any_length),
        T(test_expr__date_and_today_give_dates_as_days),
        T(test_expr__parse_date_accepts_real_calendar_dates),
        T(test_expr__parse_date_rejects_impossible_or_malformed_dates),
        T(test_expr__format_date_writes_iso_dates_within_four_digit_years),
        T(test_expr__dates_compare_with_today_as_days),
        T(test_expr__repeated_question_is_a_set_whose_first_item_is_its_value),
        T(test_expr__repeat_functions_count_instances_and_skip_unanswered_ones),
        T(test_expr__bare_name_is_a_choice_attribute_and_dot_the_answer),
        T(test_expr__missing_close_paren_is_reported_at_its_column),
        T(test_expr__unknown_function_or_name_is_reported_at_the_name),
        T(test_expr__unknown_question_is_reported_when_resolver_refuses),
        T(test_expr__wrong_argument_count_is_reported_at_the_function),
        T(test_expr__malformed_text_is_reported_at_its_column),
        T(test_expr__missing_operand_before_or_names_only_or),
        T(test_expr__trailing_text_and_empty_expressions_are_refused),
        T(test_expr__too_deep_nesting_is_refused),
        T(test_expr__long_operator_chain_evaluates_without_exhausting_the_stack),
        T(test_expr__invalid_regex_literal_is_a_parse_error),
        T(test_expr__refs_lists_each_question_once_in_order),
        T(test_expr__uses_dot_only_when_dot_appears),
        T(test_expr__substr_and_selected_at_count_characters_and_choices),
        T(test_expr__dates_and_times_as_decimals_and_formatted),
        T(test_expr__once_choice_names_indexed_repeats_and_arithmetic),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
