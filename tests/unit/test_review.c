/* test_review.c - the supervisors' review on real SQLite stores: quality flags kept on each
 * case at merge, the case list's filters, order and pages, and decisions refused when the
 * case moved since it was shown
 *
 * Usage: test_review [DATA_DIR]   (default: $DT_TEST_DATA, else "tests/data") */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quality.h"
#include "store.h"
#include "store_fixture.h"

/* A household of four interviewed in one minute, starting at 22:00 in Sơn La. */
static cJSON *hurried(const char *rev_id, const char *case_id, const char *parent)
{
    cJSON *r = hh(rev_id, case_id, parent, "2026-11-29T15:00:00Z", "household_4members");

    cJSON_ReplaceItemInObject(
        r, "paradata",
        cJSON_Parse(
            "{\"started_at\": \"2026-11-29T15:00:00Z\", \"seconds\": {\"resp_name\": 60}}"));
    return r;
}

/* The case ids that q lets through for u, joined by spaces, and how many in all. */
static void listed(fixture *fx, const store_user *u, const store_case_query *q, char *out,
                   size_t size, long *total)
{
    cJSON *list = NULL, *c;
    dt_err err;
    size_t o = 0;

    if (store_review_list(fx->s, u, q, total, &list, &err) != DT_OK)
        fail_msg("store_review_list: %s", err.msg);
    out[0] = '\0';
    cJSON_ArrayForEach(c, list)
    {
        const char *id = str(c, "case_id");
        o += (size_t)snprintf(out + o, size - o, "%s%d", o ? " " : "", atoi(id + 24));
    }
    cJSON_Delete(list);
}

static void test_review__flags_are_kept_on_the_case_when_it_arrives(void **state)
{
    fixture *fx = *state;
    store_case_query q = {.flag = "speeding"};
    char ids[256];
    long total = -1;
    cJSON *list = NULL;
    dt_err err;

    push_one(fx, &fx->a, hurried(U(1), U(100), NULL), VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, hh(U(2), U(200), NULL, "2026-11-29T09:00:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
    listed(fx, &fx->admin, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "100");
    assert_int_equal(total, 1);
    q.flag = "night";
    listed(fx, &fx->admin, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "100");
    q.flag = "edited";
    listed(fx, &fx->admin, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "");
    /* an edit after finishing: a second revision */
    push_one(fx, &fx->a, hh(U(3), U(200), U(2), "2026-11-30T09:00:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
    listed(fx, &fx->admin, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "200");
    /* the list says which flags a case has, and its village */
    q = (store_case_query){.search = U(100)};
    assert_int_equal(store_review_list(fx->s, &fx->admin, &q, NULL, &list, &err), DT_OK);
    const cJSON *c = cJSON_GetArrayItem(list, 0), *f = arr(c, "flags");
    assert_int_equal(cJSON_GetArraySize(f), 2);
    assert_string_equal(cJSON_GetArrayItem(f, 0)->valuestring, "speeding");
    assert_string_equal(cJSON_GetArrayItem(f, 1)->valuestring, "night");
    assert_string_equal(str(c, "locality"), "Bản Áng");
    cJSON_Delete(list);
    /* an unknown flag is an error that names it */
    q = (store_case_query){.flag = "sleepy"};
    assert_int_equal(store_review_list(fx->s, &fx->admin, &q, NULL, &list, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "flag 'sleepy'"));
}

static void test_review__new_thresholds_recompute_the_kept_flags(void **state)
{
    fixture *fx = *state;
    store_case_query q = {.flag = "speeding"};
    qual_limits l;
    char ids[256];
    long n = -1;
    dt_err err;

    push_one(fx, &fx->a, hurried(U(1), U(100), NULL), VERDICT_ACCEPTED, 0);
    qual_defaults(&l);
    store_set_quality(fx->s, &l);
    /* a new store recorded the defaults its flags were computed with: nothing to do */
    assert_int_equal(store_quality_refresh(fx->s, 0, &n, &err), DT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_quality_refresh(fx->s, 1, &n, &err), DT_OK);
    assert_int_equal(n, 1); /* forced: every case */
    l.base_seconds = 30;
    l.member_seconds = 0;
    store_set_quality(fx->s, &l);
    assert_int_equal(store_quality_refresh(fx->s, 0, &n, &err), DT_OK);
    assert_int_equal(n, 1);
    listed(fx, &fx->admin, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "");
    q.flag = "night";
    listed(fx, &fx->admin, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "100");
    /* the store keeps them: another program merging into it (an import) uses them too */
    store_close(fx->s);
    if (store_open(&fx->s, fx->path, &err) != DT_OK)
        fail_msg("store_open: %s", err.msg);
    push_one(fx, &fx->a, hurried(U(2), U(200), NULL), VERDICT_ACCEPTED, 0);
    q.flag = "speeding";
    listed(fx, &fx->admin, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "");
    assert_int_equal(store_quality_refresh(fx->s, 0, &n, &err), DT_OK);
    assert_int_equal(n, 0);
}

static void test_review__a_new_frame_row_recomputes_the_size_check(void **state)
{
    fixture *fx = *state;
    store_case_query q = {.flag = "size_frame"};
    store_assignment a = {.assignment_id = "MC-04012-001",
                          .form_id = FORM,
                          .enumerator = fx->a.name,
                          .label = "Hộ 27",
                          .prefill = "{\"commune_code\": \"04012\", \"hh_size\": 4}",
                          .commune_code = "04012"};
    cJSON *r = hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members");
    char ids[256];
    dt_err err;

    assert_int_equal(store_assign(fx->s, &a, 1, &err), DT_OK);
    cJSON_ReplaceItemInObject(r, "assignment_id", cJSON_CreateString("MC-04012-001"));
    push_one(fx, &fx->a, r, VERDICT_ACCEPTED, 0);
    listed(fx, &fx->admin, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "");
    /* the listing said 6 people live there: the interview found 4 */
    a.prefill = "{\"commune_code\": \"04012\", \"hh_size\": 6}";
    assert_int_equal(store_assign(fx->s, &a, 1, &err), DT_OK);
    listed(fx, &fx->admin, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "100");
}

/* A copy of household_4members, household number n, as case case_n's first revision. */
static cJSON *numbered(int rev_n, int case_n, int n)
{
    cJSON *r = hh(U(rev_n), U(case_n), NULL, "2026-11-29T09:00:00Z", "household_4members");

    cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(r, "answers"), "hh_number",
                              cJSON_CreateNumber(n));
    return r;
}

/* Seven cases of two enumerators over three days, the seventh in another commune. */
static void seven_cases(fixture *fx)
{
    static const char *const days[] = {"2026-11-27T09:00:00Z", "2026-11-28T09:00:00Z",
                                       "2026-11-29T09:00:00Z"};
    for (int i = 1; i <= 6; i++) {
        cJSON *r = numbered(i, 100 + i, i);
        cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "answers");
        cJSON_ReplaceItemInObject(r, "created_at", cJSON_CreateString(days[i % 3]));
        cJSON_ReplaceItemInObject(a, "village", cJSON_CreateString(i <= 2 ? "Bản Áng" : "Bản Mòn"));
        push_one(fx, i % 2 ? &fx->a : &fx->b, r, VERDICT_ACCEPTED, 0);
    }
    cJSON *r = hh(U(7), U(107), NULL, days[0], "single_member"); /* commune 04045 */
    push_one(fx, &fx->a, r, VERDICT_ACCEPTED, 0);
}

static void test_review__the_list_filters_sorts_and_pages(void **state)
{
    fixture *fx = *state;
    store_case_query q = {.sort = SORT_HOUSEHOLD, .ascending = 1};
    char ids[256];
    long total = -1;
    cJSON *list = NULL;
    dt_err err;

    seven_cases(fx);
    /* household keys sort as their text: "Bản Mòn" before "Bản Áng" */
    listed(fx, &fx->sup, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "103 104 105 106 101 102"); /* 107: another commune */
    assert_int_equal(total, 6);
    q.enumerator = fx->b.name;
    listed(fx, &fx->sup, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "104 106 102");
    q = (store_case_query){.locality = "Bản Áng", .sort = SORT_HOUSEHOLD, .ascending = 1};
    listed(fx, &fx->sup, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "101 102");
    q = (store_case_query){
        .from = "2026-11-28", .to = "2026-11-28", .sort = SORT_HOUSEHOLD, .ascending = 1};
    listed(fx, &fx->stat, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "104 101");
    q = (store_case_query){.from = "2026-11-29", .sort = SORT_HOUSEHOLD, .ascending = 0};
    listed(fx, &fx->stat, &q, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "102 105");
    /* pages: two at a time, the total stays */
    q = (store_case_query){.sort = SORT_HOUSEHOLD, .ascending = 1, .limit = 2, .offset = 2};
    listed(fx, &fx->stat, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "105 106");
    assert_int_equal(total, 7);
    q.offset = 6;
    listed(fx, &fx->stat, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "107");
    /* newest change first by default; the search finds a household by its key */
    q = (store_case_query){.search = "04012|Bản Mòn|5"};
    listed(fx, &fx->sup, &q, ids, sizeof(ids), &total);
    assert_string_equal(ids, "105");
    q = (store_case_query){.to = "29/11/2026"};
    assert_int_equal(store_review_list(fx->s, &fx->sup, &q, NULL, &list, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "to '29/11/2026'"));
    q = (store_case_query){0};
    assert_int_equal(store_review_list(fx->s, &fx->a, &q, NULL, &list, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "forbidden"));
}

/* How many decisions case_id has, as shown to the admin. */
static int decisions_of(fixture *fx, const char *case_id)
{
    cJSON *c = show(fx, case_id);
    int n = cJSON_GetArraySize(arr(c, "decisions"));

    cJSON_Delete(c);
    return n;
}

static void test_review__a_decision_on_a_case_that_moved_writes_nothing(void **state)
{
    fixture *fx = *state;
    store_decide_req q = {.case_id = U(100), .decision = DECIDE_APPROVE, .head = U(1)};
    cJSON *c;
    dt_err err;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    /* the enumerator corrected it after the page was drawn */
    push_one(fx, &fx->a, hh(U(2), U(100), U(1), "2026-11-29T10:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    assert_int_equal(store_decide_on(fx->s, &fx->sup, &q, &err), DT_ECHANGED);
    assert_non_null(strstr(err.msg, "changed since the page was drawn"));
    assert_int_equal(decisions_of(fx, U(100)), 0);
    /* shown again: now it goes through */
    q.head = U(2);
    assert_int_equal(store_decide_on(fx->s, &fx->sup, &q, &err), DT_OK);
    /* another supervisor's page, drawn before that approval, sends it back: refused */
    q = (store_decide_req){.case_id = U(100),
                           .decision = DECIDE_REJECT,
                           .comment = "Kiểm tra lại số người",
                           .head = U(2),
                           .decisions = 0};
    assert_int_equal(store_decide_on(fx->s, &fx->admin, &q, &err), DT_ECHANGED);
    c = show(fx, U(100));
    assert_string_equal(str(c, "status"), "approved");
    assert_int_equal(cJSON_GetArraySize(arr(c, "decisions")), 1);
    cJSON_Delete(c);
    q.decisions = 1;
    assert_int_equal(store_decide_on(fx->s, &fx->admin, &q, &err), DT_OK);
    assert_int_equal(decisions_of(fx, U(100)), 2);
}

static void test_review__statisticians_decide_only_when_the_config_says_so(void **state)
{
    fixture *fx = *state;
    store_decide_req q = {.case_id = U(100), .decision = DECIDE_APPROVE};
    dt_err err;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
    assert_int_equal(store_decide_on(fx->s, &fx->stat, &q, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "forbidden"));
    assert_int_equal(decisions_of(fx, U(100)), 0);
    q.statisticians = 1;
    assert_int_equal(store_decide_on(fx->s, &fx->stat, &q, &err), DT_OK);
    assert_int_equal(decisions_of(fx, U(100)), 1);
    /* enumerators never, whatever the config */
    assert_int_equal(store_decide_on(fx->s, &fx->a, &q, &err), DT_EINVAL);
}

static void test_review__not_a_duplicate_clears_the_pair_until_a_third_comes(void **state)
{
    fixture *fx = *state;
    store_decide_req q = {.case_id = U(100), .decision = DECIDE_DISTINCT, .comment = "hai anh em"};
    store_case_query dup = {.status = "duplicate", .sort = SORT_HOUSEHOLD, .ascending = 1};
    cJSON *p = NULL;
    char ids[256];
    dt_err err;

    push_one(fx, &fx->a, numbered(1, 100, 7), VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, numbered(2, 200, 8), VERDICT_ACCEPTED, 0);
    /* not flagged: refused, nothing written */
    q.case_id = U(200);
    assert_int_equal(store_decide_on(fx->s, &fx->sup, &q, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "not flagged as a possible duplicate"));
    q.case_id = U(100);
    push_one(fx, &fx->b, numbered(3, 300, 7), VERDICT_ACCEPTED, 0);
    listed(fx, &fx->sup, &dup, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "100 300");
    assert_int_equal(store_decide_on(fx->s, &fx->sup, &q, &err), DT_OK);
    listed(fx, &fx->sup, &dup, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "");
    cJSON *c = show(fx, U(100));
    const cJSON *d = cJSON_GetArrayItem(arr(c, "decisions"), 0);
    assert_string_equal(str(d, "decision"), "distinct");
    assert_string_equal(str(d, "by"), "sup_04012");
    assert_string_equal(str(c, "status"), "finalized"); /* still to be reviewed */
    cJSON_Delete(c);
    /* the centre's own: the enumerator's pull brings nothing */
    assert_int_equal(store_pull(fx->s, &fx->a, 0, 100, &p, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(arr(p, "decisions")), 0);
    cJSON_Delete(p);
    /* a third interview of the same household: all three flagged again */
    push_one(fx, &fx->b, numbered(5, 400, 7), VERDICT_ACCEPTED, 0);
    listed(fx, &fx->sup, &dup, ids, sizeof(ids), NULL);
    assert_string_equal(ids, "100 300 400");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(test_review__##name, setup, teardown)
        T(flags_are_kept_on_the_case_when_it_arrives),
        T(new_thresholds_recompute_the_kept_flags),
        T(a_new_frame_row_recomputes_the_size_check),
        T(the_list_filters_sorts_and_pages),
        T(a_decision_on_a_case_that_moved_writes_nothing),
        T(statisticians_decide_only_when_the_config_says_so),
        T(not_a_duplicate_clears_the_pair_until_a_third_comes),
#undef T
    };
    return fixture_run(argc, argv, "test_review", tests, sizeof(tests) / sizeof(tests[0]));
}
