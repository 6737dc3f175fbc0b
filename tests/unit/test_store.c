/* test_store.c - syncd's central store on real SQLite files: users, forms, push and merge,
 * pull, review, checks
 *
 * Usage: test_store [DATA_DIR]   (default: $DT_TEST_DATA, else "tests/data")
 *
 * Every test opens a new store file in a temporary folder, with the Sơn La questionnaire
 * published and five users (two enumerators, a supervisor of commune 04012, a
 * statistician, an admin); answers come from DATA_DIR/answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "embedded.h"
#include "indicators.h"
#include "json.h"
#include "quality.h"
#include "store.h"
#include "store_fixture.h"

static void assert_case(fixture *fx, const char *case_id, const char *head, const char *status,
                        int conflict, int duplicate, int nrevs)
{
    cJSON *c = show(fx, case_id);

    assert_string_equal(str(c, "head_rev"), head);
    assert_string_equal(str(c, "status"), status);
    assert_int_equal(flag(c, "conflict"), conflict);
    assert_int_equal(flag(c, "duplicate"), duplicate);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "revisions")), nrevs);
    cJSON_Delete(c);
}

static int case_exists(fixture *fx, const char *case_id)
{
    cJSON *c = NULL;
    dt_err err;
    int rc = store_review_show(fx->s, &fx->admin, case_id, &c, &err);

    cJSON_Delete(c);
    assert_true(rc == DT_OK || rc == DT_ENOTFOUND);
    return rc == DT_OK;
}

/* ---- users and tokens */

static int count_user(void *ctx, const store_user *u, int revoked)
{
    int *n = ctx;
    if (!strcmp(u->name, "lo_van_minh"))
        *n = revoked ? 2 : 1;
    return 0;
}

static void test_store__a_token_finds_its_user_until_revoked(void **state)
{
    fixture *fx = *state;
    store_user u;
    char token[STORE_TOKEN_LEN + 1];
    dt_err err;
    int seen = 0;

    assert_int_equal(strlen(fx->token_a), STORE_TOKEN_LEN);
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_OK);
    assert_string_equal(u.name, "lo_van_minh");
    assert_int_equal(u.role, ROLE_ENUMERATOR);

    /* a token differing in one character, a short one, none */
    char other[STORE_TOKEN_LEN + 1];
    memcpy(other, fx->token_a, sizeof(other));
    other[0] = other[0] == 'a' ? 'b' : 'a';
    assert_int_equal(store_auth(fx->s, other, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_auth(fx->s, "abc", &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_auth(fx->s, "", &u, &err), DT_ENOTFOUND);

    assert_int_equal(store_user_add(fx->s, "lo_van_minh", ROLE_ENUMERATOR, "", token, &err),
                     DT_EINVAL);
    assert_non_null(strstr(err.msg, "already"));
    assert_int_equal(store_user_add(fx->s, "x", ROLE_ENUMERATOR, "04012", token, &err), DT_EINVAL);
    assert_int_equal(store_user_add(fx->s, "", ROLE_ENUMERATOR, "", token, &err), DT_EINVAL);
    assert_int_equal(store_user_add(fx->s, "s2", ROLE_SUPERVISOR, "04012,,1", token, &err),
                     DT_EINVAL);

    /* the supervisor's communes come back as given */
    assert_int_equal(
        store_user_add(fx->s, "Cầm Văn Sơn", ROLE_SUPERVISOR, "04012, 04045", token, &err), DT_OK);
    assert_int_equal(store_auth(fx->s, token, &u, &err), DT_OK);
    assert_string_equal(u.name, "Cầm Văn Sơn");
    assert_int_equal(u.role, ROLE_SUPERVISOR);
    assert_string_equal(u.communes, "04012,04045");

    assert_int_equal(store_user_list(fx->s, count_user, &seen, &err), DT_OK);
    assert_int_equal(seen, 1);
    assert_int_equal(store_user_revoke(fx->s, "lo_van_minh", &err), DT_OK);
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_user_list(fx->s, count_user, &seen, &err), DT_OK);
    assert_int_equal(seen, 2);
    assert_int_equal(store_user_revoke(fx->s, "nobody", &err), DT_ENOTFOUND);
}

static void test_store__users_and_tokens_survive_closing_the_store(void **state)
{
    fixture *fx = *state;
    store_user u;
    dt_err err;

    store_close(fx->s);
    fx->s = NULL;
    assert_int_equal(store_open(&fx->s, fx->path, &err), DT_OK);
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_OK);
    assert_string_equal(u.name, "lo_van_minh");
}

static void test_store__roles_have_names_both_ways(void **state)
{
    (void)state;
    for (int r = ROLE_ENUMERATOR; r <= ROLE_ADMIN; r++)
        assert_int_equal(store_role_parse(store_role_name((store_role)r)), r);
    assert_int_equal(store_role_parse("root"), -1);
    assert_string_equal(store_verdict_name(VERDICT_CONFLICT), "conflict");
}

/* ---- forms */

static void test_store__a_published_version_never_changes(void **state)
{
    fixture *fx = *state;
    cJSON *doc = cJSON_Parse(embed_forms_sonla_ict_household_json);
    errlist pr = {0};
    const form *got1, *got2;
    form *f = NULL;
    dt_err err;
    int added = -1;
    char *other;

    assert_int_equal(form_load_json(&f, doc, "embedded", &pr), DT_OK);
    assert_int_equal(
        store_form_publish(fx->s, embed_forms_sonla_ict_household_json, f, &added, &err), DT_OK);
    assert_int_equal(added, 0);
    other = cJSON_PrintUnformatted(doc); /* the same form, written differently */
    assert_int_equal(store_form_publish(fx->s, other, f, &added, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "new version"));

    assert_int_equal(store_form_get(fx->s, FORM, 1, &got1, &err), DT_OK);
    assert_int_equal(store_form_get(fx->s, FORM, 1, &got2, &err), DT_OK);
    assert_ptr_equal(got1, got2); /* loaded once */
    assert_int_equal(form_version(got1), 1);
    assert_int_equal(store_form_get(fx->s, FORM, 2, &got2, &err), DT_ENOTFOUND);
    assert_int_equal(store_form_latest(fx->s, NULL, &got2, &err), DT_OK);
    assert_ptr_equal(got1, got2);
    assert_int_equal(store_form_latest(fx->s, "other", &got2, &err), DT_ENOTFOUND);
    cJSON_free(other);
    form_free(f);
    cJSON_Delete(doc);
    errlist_free(&pr);
}

/* ---- push */

static void test_store__a_new_case_is_accepted_and_a_resend_is_a_duplicate(void **state)
{
    fixture *fx = *state;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_DUPLICATE, VERDICT_ACCEPTED);
    assert_case(fx, U(100), U(1), "finalized", 0, 0, 1);

    cJSON *c = show(fx, U(100));
    assert_string_equal(str(c, "enumerator"), "lo_van_minh");
    assert_string_equal(str(c, "commune_code"), "04012");
    assert_string_equal(str(c, "household"), "04012|Bản Áng|27");
    assert_string_equal(str(c, "outcome"), "complete");
    const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "revisions"), 0);
    assert_string_equal(str(r0, "received_by"), "lo_van_minh");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(r0, "answers"), "hh_number")
                         ->valueint,
                     27);
    cJSON_Delete(c);

    /* a refusal is a case too */
    push_one(fx, &fx->a,
             rev(U(2), U(101), NULL, "2026-11-29T10:00:00Z", answers("refusal"), "refusal"),
             VERDICT_ACCEPTED, 0);
}

static void test_store__a_known_rev_id_with_another_body_refuses_the_whole_batch(void **state)
{
    fixture *fx = *state;
    proto_push batch;
    store_result res[2];
    dt_err err;
    int status = 0;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    cJSON *revs[2] = {
        hh(U(2), U(200), NULL, "2026-11-29T09:30:00Z", "single_member"),
        hh(U(1), U(100), NULL, "2026-11-29T09:00:01Z", "household_4members"), /* not the same */
    };
    assert_int_equal(push(fx, &fx->a, revs, 2, &batch, res, &status, &err), DT_EINVAL);
    assert_int_equal(status, 409);
    assert_non_null(strstr(err.msg, U(1)));
    store_results_free(res, 2);
    proto_push_free(&batch);
    assert_false(case_exists(fx, U(200))); /* nothing of the batch was written */
    push_one(fx, &fx->a, hh(U(2), U(200), NULL, "2026-11-29T09:30:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
}

static void test_store__another_enumerators_case_refuses_the_whole_batch(void **state)
{
    fixture *fx = *state;
    proto_push batch;
    store_result res[2];
    dt_err err;
    int status = 0;

    push_one(fx, &fx->b, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    /* a valid new case first, then an edit of b's case: the new case is not kept either */
    cJSON *revs[2] = {
        hh(U(2), U(200), NULL, "2026-11-29T09:30:00Z", "single_member"),
        hh(U(3), U(100), U(1), "2026-11-29T10:00:00Z", "household_4members"),
    };
    assert_int_equal(push(fx, &fx->a, revs, 2, &batch, res, &status, &err), DT_EINVAL);
    assert_int_equal(status, 403);
    assert_non_null(strstr(err.msg, U(100)));
    store_results_free(res, 2);
    proto_push_free(&batch);
    assert_false(case_exists(fx, U(200)));
    assert_case(fx, U(100), U(1), "finalized", 0, 0, 1);

    /* the roles the HTTP layer keeps out are refused here too */
    cJSON *r = hh(U(4), U(400), NULL, "2026-11-29T09:30:00Z", "single_member");
    assert_int_equal(push(fx, &fx->sup, &r, 1, &batch, res, &status, &err), DT_EINVAL);
    assert_int_equal(status, 403);
    store_results_free(res, 1);
    proto_push_free(&batch);
}

static void test_store__invalid_revisions_are_rejected_with_every_problem(void **state)
{
    fixture *fx = *state;
    char *p;

    /* the engine: the household head is 12 */
    p = push_rejected(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "bad_head_age"));
    assert_non_null(strstr(p, "m_age: constraint: "));
    free(p);
    /* sending it again gives the same answer: a rejected revision is not stored */
    p = push_rejected(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "bad_head_age"));
    free(p);
    assert_false(case_exists(fx, U(100)));

    /* an answer the form cannot hold, and a missing required one: both are listed */
    cJSON *a = answers("household_4members");
    cJSON_ReplaceItemInObject(a, "signal", cJSON_CreateNumber(77));
    cJSON_DeleteItemFromObject(a, "resp_name");
    p = push_rejected(fx, &fx->a, rev(U(2), U(101), NULL, "2026-11-29T09:00:00Z", a, "complete"));
    assert_non_null(strstr(p, "signal: answer: "));
    assert_non_null(strstr(p, "resp_name: required: "));
    free(p);

    /* a form version this server does not have */
    cJSON *r = hh(U(3), U(102), NULL, "2026-11-29T09:00:00Z", "household_4members");
    cJSON_ReplaceItemInObject(r, "form_version", cJSON_CreateNumber(2));
    p = push_rejected(fx, &fx->a, r);
    assert_non_null(
        strstr(p, "form sonla_ict_household version 2 is not published on this server"));
    free(p);

    /* a parent nobody sent */
    p = push_rejected(fx, &fx->a,
                      hh(U(4), U(103), U(999), "2026-11-29T09:00:00Z", "household_4members"));
    assert_non_null(strstr(p, "parent_rev_id"));
    assert_non_null(strstr(p, "is unknown"));
    free(p);

    /* the outcome must say what the answers say */
    p = push_rejected(
        fx, &fx->a,
        rev(U(5), U(104), NULL, "2026-11-29T09:00:00Z", answers("refusal"), "complete"));
    assert_non_null(strstr(p, "outcome"));
    free(p);
}

static void
test_store__one_batch_mixes_verdicts_and_a_parent_may_come_in_the_same_batch(void **state)
{
    fixture *fx = *state;
    proto_push batch;
    store_result res[4];
    dt_err err;
    int status = 0;

    cJSON *revs[4] = {
        hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
        hh(U(2), U(100), U(1), "2026-11-29T09:10:00Z", "household_4members"),
        hh(U(3), U(101), NULL, "2026-11-29T09:20:00Z", "bad_head_age"),
        hh(U(4), U(101), U(3), "2026-11-29T09:30:00Z", "household_4members"), /* parent refused */
    };
    assert_int_equal(push(fx, &fx->a, revs, 4, &batch, res, &status, &err), DT_OK);
    assert_int_equal(res[0].verdict, VERDICT_ACCEPTED);
    assert_int_equal(res[1].verdict, VERDICT_ACCEPTED);
    assert_int_equal(res[2].verdict, VERDICT_REJECTED);
    assert_int_equal(res[3].verdict, VERDICT_REJECTED);
    assert_string_equal(res[3].rev_id, U(4));
    store_results_free(res, 4);
    proto_push_free(&batch);
    assert_case(fx, U(100), U(2), "finalized", 0, 0, 2);
}

static void test_store__an_edit_of_the_head_fast_forwards_even_after_a_rejection(void **state)
{
    fixture *fx = *state;
    dt_err err;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, hh(U(2), U(100), U(1), "2026-11-29T09:10:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    assert_case(fx, U(100), U(2), "finalized", 0, 0, 2);

    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_REJECT, "  ", NULL, &err),
                     DT_EINVAL);
    assert_int_equal(
        store_decide(fx->s, &fx->sup, U(100), DECIDE_REJECT, "Tuổi chủ hộ?", NULL, &err), DT_OK);
    assert_case(fx, U(100), U(2), "rejected", 0, 0, 2);
    push_one(fx, &fx->a, hh(U(3), U(100), U(2), "2026-11-30T08:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    assert_case(fx, U(100), U(3), "finalized", 0, 0, 3);
    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_OK);
    assert_case(fx, U(100), U(3), "approved", 0, 0, 3);

    cJSON *c = show(fx, U(100));
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "decisions");
    assert_int_equal(cJSON_GetArraySize(d), 2);
    assert_string_equal(str(cJSON_GetArrayItem(d, 0), "decision"), "rejected");
    assert_string_equal(str(cJSON_GetArrayItem(d, 0), "rev_id"), U(2));
    assert_string_equal(str(cJSON_GetArrayItem(d, 0), "by"), "sup_04012");
    assert_string_equal(str(cJSON_GetArrayItem(d, 1), "decision"), "approved");
    assert_string_equal(str(cJSON_GetArrayItem(d, 1), "rev_id"), U(3));
    cJSON_Delete(c);
}

/* A case with two children of its first revision: U(2) at 10:00 and U(3) at 11:00,
 * the later one first when swap. */
static void two_branches(fixture *fx, int swap)
{
    cJSON *early = hh(U(2), U(100), U(1), "2026-11-29T10:00:00Z", "household_4members");
    cJSON *late = hh(U(3), U(100), U(1), "2026-11-29T11:00:00Z", "household_4members");

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, swap ? late : early, VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, swap ? early : late, VERDICT_CONFLICT, 0);
}

static void
test_store__two_edits_of_one_parent_are_a_conflict_with_the_newest_tip_as_head(void **state)
{
    fixture *fx = *state;

    two_branches(fx, 0);
    assert_case(fx, U(100), U(3), "finalized", 1, 0, 3);
    /* a re-send of the conflicting revision is a duplicate that first was a conflict */
    push_one(fx, &fx->a, hh(U(3), U(100), U(1), "2026-11-29T11:00:00Z", "household_4members"),
             VERDICT_DUPLICATE, VERDICT_CONFLICT);
    /* a second first revision for the same case is a conflict too */
    push_one(fx, &fx->a, hh(U(4), U(100), NULL, "2026-11-29T08:00:00Z", "household_4members"),
             VERDICT_CONFLICT, 0);
    assert_case(fx, U(100), U(3), "finalized", 1, 0, 4);
}

static void test_store__the_conflict_head_does_not_depend_on_the_arrival_order(void **state)
{
    fixture *fx = *state;

    two_branches(fx, 1); /* the later one arrives first */
    assert_case(fx, U(100), U(3), "finalized", 1, 0, 3);
}

static void test_store__resolving_a_conflict_chooses_the_head_and_clears_the_flag(void **state)
{
    fixture *fx = *state;
    dt_err err;

    two_branches(fx, 0);
    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_EINVAL);
    assert_non_null(strstr(err.msg, "resolve"));
    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_RESOLVE, NULL, U(999), &err),
                     DT_EINVAL);
    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_RESOLVE, "", U(2), &err), DT_OK);
    assert_case(fx, U(100), U(2), "finalized", 0, 0, 3);
    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_OK);
    assert_case(fx, U(100), U(2), "approved", 0, 0, 3);
    /* an edit of the chosen head fast-forwards */
    push_one(fx, &fx->a, hh(U(5), U(100), U(2), "2026-11-30T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    assert_case(fx, U(100), U(5), "finalized", 0, 0, 4);
}

static void test_store__two_cases_of_one_household_are_both_flagged(void **state)
{
    fixture *fx = *state;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, hh(U(2), U(200), NULL, "2026-11-29T09:30:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
    assert_case(fx, U(100), U(1), "finalized", 0, 0, 1);
    push_one(fx, &fx->b, hh(U(3), U(300), NULL, "2026-11-29T10:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    assert_case(fx, U(100), U(1), "finalized", 0, 1, 1);
    assert_case(fx, U(300), U(3), "finalized", 0, 1, 1);
    assert_case(fx, U(200), U(2), "finalized", 0, 0, 1);

    /* a correction of the household number ends it for both */
    cJSON *a = answers("household_4members");
    cJSON_ReplaceItemInObject(a, "hh_number", cJSON_CreateNumber(28));
    push_one(fx, &fx->b, rev(U(4), U(300), U(3), "2026-11-29T11:00:00Z", a, "complete"),
             VERDICT_ACCEPTED, 0);
    assert_case(fx, U(100), U(1), "finalized", 0, 0, 1);
    assert_case(fx, U(300), U(4), "finalized", 0, 0, 2);

    cJSON *list = NULL;
    dt_err err;
    push_one(fx, &fx->b, hh(U(5), U(500), NULL, "2026-11-29T12:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    assert_int_equal(list_cases(fx->s, &fx->stat, "duplicate", NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON_Delete(list);
}

/* ---- pull */

static void test_store__a_case_shows_its_frame_and_its_quality_flags(void **state)
{
    fixture *fx = *state;
    cJSON *r = hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"), *c;
    qual_limits l;
    dt_err err;

    assign(fx, "MC-04012-001", fx->a.name);
    cJSON_ReplaceItemInObject(r, "assignment_id", cJSON_CreateString("MC-04012-001"));
    /* 60 s on its screens, at 22:00 in Sơn La */
    cJSON_ReplaceItemInObject(
        r, "paradata",
        cJSON_Parse(
            "{\"started_at\": \"2026-11-29T15:00:00Z\", \"seconds\": {\"resp_name\": 60}}"));
    push_one(fx, &fx->a, r, VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->a, hh(U(2), U(200), NULL, "2026-11-29T09:00:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
    c = show(fx, U(100));
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "frame");
    assert_string_equal(str(f, "label"), "MC-04012-001");
    assert_string_equal(str(f, "psu"), "04012-01");
    assert_true(cJSON_GetObjectItemCaseSensitive(f, "weight")->valuedouble == 152.5);
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(f, "prefill"), "commune_code"),
                        "04012");
    qual_defaults(&l);
    assert_int_equal(qual_review(fx->s, c, &l, &err), DT_OK);
    const cJSON *q = arr(c, "quality");
    assert_int_equal(cJSON_GetArraySize(q), 2);
    assert_string_equal(str(cJSON_GetArrayItem(q, 0), "flag"), "speeding");
    assert_string_equal(str(cJSON_GetArrayItem(q, 0), "reason"),
                        "interviewed in 1 minutes, under 10 for the household's size");
    assert_string_equal(str(cJSON_GetArrayItem(q, 1), "flag"), "night");
    assert_string_equal(str(cJSON_GetArrayItem(q, 1), "reason_vi"), "bắt đầu lúc 22h (ban đêm)");
    cJSON_Delete(c);
    /* no assignment: no frame; no times: not judged on them */
    c = show(fx, U(200));
    assert_null(cJSON_GetObjectItemCaseSensitive(c, "frame"));
    assert_int_equal(qual_review(fx->s, c, &l, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(arr(c, "quality")), 0);
    cJSON_Delete(c);
}

static void test_store__a_pull_brings_forms_and_only_my_assignments_and_decisions(void **state)
{
    fixture *fx = *state;
    cJSON *p = NULL;
    dt_err err;

    assign(fx, "MC-04012-001", fx->a.name);
    assign(fx, "MC-04012-002", fx->b.name);
    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0);
    push_one(fx, &fx->b, hh(U(2), U(200), NULL, "2026-11-29T09:00:00Z", "single_member"),
             VERDICT_ACCEPTED, 0);
    assert_int_equal(
        store_decide(fx->s, &fx->admin, U(100), DECIDE_REJECT, "Tuổi chủ hộ?", NULL, &err), DT_OK);
    assert_int_equal(store_decide(fx->s, &fx->admin, U(200), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_OK);

    assert_int_equal(store_pull(fx->s, &fx->a, 0, 500, &p, &err), DT_OK);
    assert_false(flag(p, "more"));
    assert_int_equal(cJSON_GetArraySize(arr(p, "forms")), 1);
    const cJSON *f = cJSON_GetArrayItem(arr(p, "forms"), 0);
    assert_string_equal(str(f, "form_id"), FORM);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "version")->valueint, 1);
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(f, "definition"), "questions")));
    assert_int_equal(cJSON_GetArraySize(arr(p, "assignments")), 1);
    const cJSON *as = cJSON_GetArrayItem(arr(p, "assignments"), 0);
    assert_string_equal(str(as, "assignment_id"), "MC-04012-001");
    assert_true(cJSON_GetObjectItemCaseSensitive(as, "weight")->valuedouble == 152.5);
    assert_string_equal(str(as, "psu"), "04012-01");
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(as, "prefill"), "commune_code"),
                        "04012");
    assert_int_equal(cJSON_GetArraySize(arr(p, "decisions")), 1);
    const cJSON *d = cJSON_GetArrayItem(arr(p, "decisions"), 0);
    assert_string_equal(str(d, "case_id"), U(100));
    assert_string_equal(str(d, "rev_id"), U(1));
    assert_string_equal(str(d, "decision"), "rejected");
    assert_string_equal(str(d, "comment"), "Tuổi chủ hộ?");
    assert_string_equal(str(d, "by"), "admin1");
    long long end = (long long)cJSON_GetObjectItemCaseSensitive(p, "cursor")->valuedouble;
    assert_true(end > 0);
    cJSON_Delete(p);

    /* nothing new: the same cursor back */
    assert_int_equal(store_pull(fx->s, &fx->a, end, 500, &p, &err), DT_OK);
    assert_int_equal((long long)cJSON_GetObjectItemCaseSensitive(p, "cursor")->valuedouble, end);
    assert_int_equal(cJSON_GetArraySize(arr(p, "forms")) +
                         cJSON_GetArraySize(arr(p, "assignments")) +
                         cJSON_GetArraySize(arr(p, "decisions")),
                     0);
    cJSON_Delete(p);

    /* b sees the form, its assignment and its approval, nothing of a's */
    assert_int_equal(store_pull(fx->s, &fx->b, 0, 500, &p, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(arr(p, "assignments")), 1);
    assert_string_equal(str(cJSON_GetArrayItem(arr(p, "assignments"), 0), "assignment_id"),
                        "MC-04012-002");
    assert_int_equal(cJSON_GetArraySize(arr(p, "decisions")), 1);
    assert_string_equal(str(cJSON_GetArrayItem(arr(p, "decisions"), 0), "case_id"), U(200));
    cJSON_Delete(p);
}

static void test_store__a_pull_comes_in_pages_that_follow_the_cursor(void **state)
{
    fixture *fx = *state;
    cJSON *p = NULL;
    dt_err err;
    long long cursor = 0;
    int pages = 0, got = 0;

    for (int i = 0; i < 5; i++) {
        char id[32];
        snprintf(id, sizeof(id), "MC-04012-%03d", i + 1);
        assign(fx, id, fx->a.name);
        assign(fx, "B-ONLY", fx->b.name); /* changes a must skip */
    }
    /* 1 form + 5 assignments for a: pages of 2 */
    for (;;) {
        assert_int_equal(store_pull(fx->s, &fx->a, cursor, 2, &p, &err), DT_OK);
        int n = cJSON_GetArraySize(arr(p, "forms")) + cJSON_GetArraySize(arr(p, "assignments"));
        long long next = (long long)cJSON_GetObjectItemCaseSensitive(p, "cursor")->valuedouble;
        int more = flag(p, "more");
        cJSON_Delete(p);
        pages++;
        got += n;
        assert_true(n <= 2);
        assert_true(next >= cursor);
        cursor = next;
        if (!more)
            break;
        assert_true(pages < 10);
    }
    assert_int_equal(got, 6);
    assert_int_equal(pages, 3);

    /* a reassigned household goes with it: a re-pull from 0 no longer brings it to a */
    store_assignment moved = {.assignment_id = "MC-04012-001",
                              .form_id = FORM,
                              .enumerator = fx->b.name,
                              .label = "x",
                              .prefill = "{}"};
    assert_int_equal(store_assign(fx->s, &moved, 1, &err), DT_OK);
    assert_int_equal(store_pull(fx->s, &fx->a, 0, 500, &p, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(arr(p, "assignments")), 4);
    cJSON_Delete(p);
    assert_int_equal(store_pull(fx->s, &fx->a, -1, 500, &p, &err), DT_EINVAL);
}

static void test_store__assignments_need_a_known_enumerator_and_go_in_whole(void **state)
{
    fixture *fx = *state;
    store_assignment two[2] = {
        {.assignment_id = "A1", .form_id = FORM, .enumerator = "lo_van_minh", .prefill = "{}"},
        {.assignment_id = "A2", .form_id = FORM, .enumerator = "nobody", .prefill = "{}"},
    };
    cJSON *p = NULL;
    dt_err err;

    assert_int_equal(store_assign(fx->s, two, 2, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "nobody"));
    two[1].enumerator = "sup_04012"; /* not an enumerator */
    assert_int_equal(store_assign(fx->s, two, 2, &err), DT_EINVAL);
    assert_int_equal(store_pull(fx->s, &fx->a, 0, 500, &p, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(arr(p, "assignments")), 0);
    cJSON_Delete(p);
}

/* ---- review */

static void test_store__a_supervisor_sees_only_the_cases_of_their_communes(void **state)
{
    fixture *fx = *state;
    cJSON *list = NULL, *c = NULL;
    dt_err err;

    push_one(fx, &fx->a, hh(U(1), U(100), NULL, "2026-11-29T09:00:00Z", "household_4members"),
             VERDICT_ACCEPTED, 0); /* 04012 */
    push_one(fx, &fx->b, hh(U(2), U(200), NULL, "2026-11-29T09:00:00Z", "single_member"),
             VERDICT_ACCEPTED, 0); /* 04045 */

    assert_int_equal(list_cases(fx->s, &fx->sup, NULL, NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_string_equal(str(cJSON_GetArrayItem(list, 0), "case_id"), U(100));
    cJSON_Delete(list);
    assert_int_equal(list_cases(fx->s, &fx->sup, NULL, "04045", &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
    assert_int_equal(store_review_show(fx->s, &fx->sup, U(200), &c, &err), DT_ENOTFOUND);
    assert_null(c);
    assert_int_equal(store_decide(fx->s, &fx->sup, U(200), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_ENOTFOUND);
    assert_int_equal(store_review_show(fx->s, &fx->sup, U(100), &c, &err), DT_OK);
    cJSON_Delete(c);

    assert_int_equal(list_cases(fx->s, &fx->stat, NULL, NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON_Delete(list);
    assert_int_equal(list_cases(fx->s, &fx->stat, NULL, "04045", &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 1);
    cJSON_Delete(list);
    assert_int_equal(list_cases(fx->s, &fx->admin, "approved", NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
    assert_int_equal(list_cases(fx->s, &fx->admin, "finalized", NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON_Delete(list);
    assert_int_equal(list_cases(fx->s, &fx->admin, "lost", NULL, &list, &err), DT_EINVAL);

    /* enumerators review nothing; statisticians look but do not decide */
    assert_int_equal(list_cases(fx->s, &fx->a, NULL, NULL, &list, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "forbidden"));
    assert_int_equal(store_review_show(fx->s, &fx->a, U(100), &c, &err), DT_EINVAL);
    assert_int_equal(store_decide(fx->s, &fx->a, U(100), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_EINVAL);
    assert_int_equal(store_decide(fx->s, &fx->stat, U(100), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_EINVAL);
    assert_int_equal(store_decide(fx->s, &fx->admin, U(999), DECIDE_APPROVE, NULL, NULL, &err),
                     DT_ENOTFOUND);
}

/* ---- threads */

typedef struct worker {
    fixture *fx;
    const store_user *u;
    int t;   /* which worker: its revisions and cases are numbered from 10000 * (t + 1) */
    int bad; /* pushes that did not go as expected */
} worker;

static void *work(void *arg)
{
    worker *w = arg;

    for (int i = 0; i < 10; i++) {
        int base = 10000 * (w->t + 1) + 10 * i;
        cJSON *revs[2] = {
            hh(U(base), U(base + 1), NULL, "2026-11-29T09:00:00Z", "household_4members"),
            hh(U(base + 2), U(base + 1), U(base), "2026-11-29T09:10:00Z", "household_4members"),
        };
        proto_push batch;
        store_result res[2];
        cJSON *p = NULL;
        dt_err err;
        int status = 0;
        if (push(w->fx, w->u, revs, 2, &batch, res, &status, &err) != DT_OK ||
            res[0].verdict != VERDICT_ACCEPTED || res[1].verdict != VERDICT_ACCEPTED)
            w->bad++;
        store_results_free(res, 2);
        proto_push_free(&batch);
        if (store_pull(w->fx->s, w->u, 0, 500, &p, &err) != DT_OK)
            w->bad++;
        cJSON_Delete(p);
    }
    return NULL;
}

static void test_store__threads_share_one_store(void **state)
{
    fixture *fx = *state;
    pthread_t th[4];
    worker w[4];
    cJSON *list = NULL;
    dt_err err;

    for (int t = 0; t < 4; t++) {
        w[t] = (worker){.fx = fx, .u = t % 2 ? &fx->b : &fx->a, .t = t};
        assert_int_equal(pthread_create(&th[t], NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(w[t].bad, 0);
    }
    assert_int_equal(list_cases(fx->s, &fx->stat, NULL, NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 40);
    cJSON_Delete(list);
    /* one household in 40 cases: all flagged */
    assert_int_equal(list_cases(fx->s, &fx->stat, "duplicate", NULL, &list, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(list), 40);
    cJSON_Delete(list);
}

/* ---- tokens checked from several threads (each has its own read-only connection) */

typedef struct auth_worker {
    fixture *fx;
    const char *token_b; /* another user's token, never revoked */
    pthread_barrier_t *step;
    int before, after_a, after_c, b; /* what store_auth returned */
    char name_b[STORE_NAME_MAX + 1];
} auth_worker;

static void *auth_around_revocations(void *arg)
{
    auth_worker *w = arg;
    store_user u;
    dt_err err;

    w->before = store_auth(w->fx->s, w->fx->token_a, &u, &err);
    pthread_barrier_wait(w->step); /* the main thread revokes meanwhile */
    pthread_barrier_wait(w->step);
    w->after_a = store_auth(w->fx->s, w->fx->token_a, &u, &err);
    w->b = store_auth(w->fx->s, w->token_b, &u, &err);
    snprintf(w->name_b, sizeof(w->name_b), "%s", u.name);
    pthread_barrier_wait(w->step); /* revoked by another process, like `syncd user revoke` */
    pthread_barrier_wait(w->step);
    w->after_c = store_auth(w->fx->s, w->token_b, &u, &err);
    return NULL;
}

/* The WAL file is removed when the last connection to the store closes: when it is still
 * there after store_close, a connection was left open. */
static void expect_no_connection_left(fixture *fx)
{
    char wal[1200];

    store_close(fx->s);
    fx->s = NULL;
    snprintf(wal, sizeof(wal), "%s-wal", fx->path);
    if (access(wal, F_OK) == 0)
        fail_msg("%s is still there after store_close: a connection was left open", wal);
}

static void test_store__a_revoked_token_stops_at_once_in_a_thread_that_used_it(void **state)
{
    fixture *fx = *state;
    char token_b[STORE_TOKEN_LEN + 1];
    pthread_barrier_t step;
    pthread_t th;
    store *cli = NULL;
    store_user u;
    dt_err err;

    assert_int_equal(store_user_add(fx->s, "vi_van_ba", ROLE_ENUMERATOR, "", token_b, &err), DT_OK);
    assert_int_equal(pthread_barrier_init(&step, NULL, 2), 0);
    auth_worker w = {.fx = fx, .token_b = token_b, .step = &step, .before = -99};
    assert_int_equal(pthread_create(&th, NULL, auth_around_revocations, &w), 0);

    pthread_barrier_wait(&step);
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_OK); /* this thread too */
    assert_int_equal(store_user_revoke(fx->s, "lo_van_minh", &err), DT_OK);
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_ENOTFOUND);
    pthread_barrier_wait(&step);

    pthread_barrier_wait(&step);
    assert_int_equal(store_open(&cli, fx->path, &err), DT_OK);
    assert_int_equal(store_user_revoke(cli, "vi_van_ba", &err), DT_OK);
    store_close(cli);
    assert_int_equal(store_auth(fx->s, token_b, &u, &err), DT_ENOTFOUND);
    pthread_barrier_wait(&step);

    pthread_join(th, NULL);
    pthread_barrier_destroy(&step);
    assert_int_equal(w.before, DT_OK);
    assert_int_equal(w.after_a, DT_ENOTFOUND);
    assert_int_equal(w.b, DT_OK);
    assert_string_equal(w.name_b, "vi_van_ba");
    assert_int_equal(w.after_c, DT_ENOTFOUND);
    expect_no_connection_left(fx);
}

typedef struct auth_load {
    fixture *fx;
    int bad; /* look-ups that did not answer as expected */
} auth_load;

static void *auth_many(void *arg)
{
    auth_load *l = arg;
    char other[STORE_TOKEN_LEN + 1];
    store_user u;
    dt_err err;

    memcpy(other, l->fx->token_a, sizeof(other));
    other[5] = other[5] == '0' ? '1' : '0';
    for (int i = 0; i < 300; i++) {
        if (store_auth(l->fx->s, l->fx->token_a, &u, &err) != DT_OK ||
            strcmp(u.name, "lo_van_minh") != 0 || u.role != ROLE_ENUMERATOR)
            l->bad++;
        if (store_auth(l->fx->s, other, &u, &err) != DT_ENOTFOUND || u.name[0])
            l->bad++;
    }
    return NULL;
}

static void test_store__tokens_are_checked_from_many_threads_while_others_write(void **state)
{
    fixture *fx = *state;
    char token[STORE_TOKEN_LEN + 1], name[32];
    pthread_t th[8];
    auth_load l[8];
    dt_err err;

    for (int t = 0; t < 8; t++) {
        l[t] = (auth_load){.fx = fx};
        assert_int_equal(pthread_create(&th[t], NULL, auth_many, &l[t]), 0);
    }
    /* commits meanwhile: a reader never waits for them, nor fails */
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "extra_%d", i);
        assert_int_equal(store_user_add(fx->s, name, ROLE_ENUMERATOR, "", token, &err), DT_OK);
    }
    for (int t = 0; t < 8; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(l[t].bad, 0);
    }
    /* the threads are gone: their connections were closed as they exited */
    expect_no_connection_left(fx);
}

typedef struct outliver {
    fixture *fx;
    pthread_barrier_t *step;
    int first, second;
} outliver;

static void *auth_across_reopen(void *arg)
{
    outliver *o = arg;
    store_user u;
    dt_err err;

    o->first = store_auth(o->fx->s, o->fx->token_a, &u, &err);
    pthread_barrier_wait(o->step); /* the store is closed and opened again */
    pthread_barrier_wait(o->step);
    o->second = store_auth(o->fx->s, o->fx->token_a, &u, &err);
    return NULL; /* exits after its first store is gone, holding a connection of the second */
}

static void test_store__a_thread_may_outlive_the_store_it_checked_tokens_in(void **state)
{
    fixture *fx = *state;
    pthread_barrier_t step;
    pthread_t th;
    store_user u;
    dt_err err;

    assert_int_equal(pthread_barrier_init(&step, NULL, 2), 0);
    outliver o = {.fx = fx, .step = &step, .first = -99, .second = -99};
    assert_int_equal(pthread_create(&th, NULL, auth_across_reopen, &o), 0);
    pthread_barrier_wait(&step);
    /* closes the thread's connection (and this thread's) while the thread lives on */
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_OK);
    expect_no_connection_left(fx);
    assert_int_equal(store_open(&fx->s, fx->path, &err), DT_OK);
    assert_int_equal(store_auth(fx->s, fx->token_a, &u, &err), DT_OK);
    pthread_barrier_wait(&step);
    pthread_join(th, NULL);
    pthread_barrier_destroy(&step);
    assert_int_equal(o.first, DT_OK);
    assert_int_equal(o.second, DT_OK);
    expect_no_connection_left(fx);
}

/* ---- health */

/* ---- indicators: the province computed alongside communes equals the province alone */

static void assert_same_value(const ind_value *a, const ind_value *b)
{
    assert_string_equal(a->code, b->code);
    assert_int_equal(a->defined, b->defined);
    assert_int_equal(a->n_num, b->n_num);
    assert_int_equal(a->n_units, b->n_units);
    assert_int_equal(a->n_households, b->n_households);
    assert_int_equal(a->ci_method, b->ci_method);
    if (!a->defined)
        return;
    assert_true(a->estimate == b->estimate && a->se == b->se);
    assert_true(a->ci_low == b->ci_low && a->ci_high == b->ci_high);
    assert_true(a->num_w == b->num_w && a->den_w == b->den_w && a->gap == b->gap);
}

static void compare_pair(fixture *fx, const char *status)
{
    ind_report *alone = NULL, *by = NULL, *prov = NULL;
    dt_err err;

    assert_int_equal(ind_compute(&alone, fx->s, IND_PROVINCE, status, &err), DT_OK);
    assert_int_equal(ind_compute_pair(&by, &prov, fx->s, IND_COMMUNE, status, &err), DT_OK);
    assert_int_equal(by->level, IND_COMMUNE);
    assert_true(by->ngroups >= 3 || alone->cases == 0);
    assert_int_equal(prov->ngroups, 1);
    assert_string_equal(prov->groups[0].name, alone->groups[0].name);
    assert_int_equal(prov->weighted, alone->weighted);
    assert_int_equal(prov->cases, alone->cases);
    assert_int_equal(prov->households, alone->households);
    assert_int_equal(prov->persons, alone->persons);
    assert_int_equal(prov->refusals, alone->refusals);
    assert_int_equal(prov->no_weight, alone->no_weight);
    assert_int_equal(prov->strata, alone->strata);
    assert_int_equal(prov->psus, alone->psus);
    assert_int_equal(prov->lonely_strata, alone->lonely_strata);
    assert_int_equal(prov->groups[0].households, alone->groups[0].households);
    for (int k = 0; k < IND_COUNT; k++)
        assert_same_value(&prov->groups[0].ind[k], &alone->groups[0].ind[k]);
    ind_report_free(alone);
    ind_report_free(by);
    ind_report_free(prov);
}

/* A household of district d, with or without fixed broadband, answering assignment asg. */
static cJSON *hh_in(int n, int d, int bb, const char *asg)
{
    cJSON *a = answers("household_4members"), *r;
    char commune[8];

    snprintf(commune, sizeof(commune), "%05d", d * 100 + n % 3);
    cJSON_ReplaceItemInObject(a, "district", cJSON_CreateNumber(d));
    cJSON_ReplaceItemInObject(a, "commune_code", cJSON_CreateString(commune));
    cJSON_ReplaceItemInObject(a, "hh_number", cJSON_CreateNumber(n));
    cJSON_ReplaceItemInObject(a, "fixed_bb", cJSON_CreateNumber(bb ? 1 : 2));
    if (!bb)
        cJSON_DeleteItemFromObject(a, "fixed_bb_type");
    r = rev(U(1000 + n), U(2000 + n), NULL, "2026-11-20T08:00:00Z", a, "complete");
    if (asg)
        cJSON_ReplaceItemInObject(r, "assignment_id", cJSON_CreateString(asg));
    return r;
}

static void test_store__the_province_beside_districts_equals_the_province_alone(void **state)
{
    fixture *fx = *state;
    static const int districts[] = {116, 118, 123};
    dt_err err;

    /* unweighted first */
    for (int n = 1; n <= 9; n++)
        push_one(fx, &fx->a, hh_in(n, districts[n % 3], n % 2, NULL), VERDICT_ACCEPTED,
                 VERDICT_ACCEPTED);
    compare_pair(fx, NULL);
    /* then households of a frame with weights, strata and PSUs (one stratum has one PSU) */
    for (int n = 10; n <= 21; n++) {
        char id[32], psu[32], stratum[8];
        int d = districts[n % 3];
        snprintf(id, sizeof(id), "A-%d", n);
        snprintf(stratum, sizeof(stratum), "%d", d);
        snprintf(psu, sizeof(psu), "%d-%d", d, d == 118 ? 1 : n % 2);
        store_assignment as = {.assignment_id = id,
                               .form_id = FORM,
                               .enumerator = fx->a.name,
                               .label = id,
                               .prefill = "{}",
                               .weight = 100.0 + 10 * n,
                               .has_weight = 1,
                               .stratum = stratum,
                               .psu = psu};
        if (store_assign(fx->s, &as, 1, &err) != DT_OK)
            fail_msg("store_assign: %s", err.msg);
        push_one(fx, &fx->a, hh_in(n, d, n % 3 != 0, id), VERDICT_ACCEPTED, VERDICT_ACCEPTED);
    }
    compare_pair(fx, NULL);
    compare_pair(fx, "approved"); /* none approved: every estimate undefined, alike */
}

static void test_store__a_healthy_store_passes_its_check_and_a_damaged_one_does_not(void **state)
{
    fixture *fx = *state;
    errlist pr = {0};
    sqlite3 *db = NULL;
    dt_err err;

    two_branches(fx, 0);
    assert_int_equal(store_decide(fx->s, &fx->sup, U(100), DECIDE_RESOLVE, "", U(3), &err), DT_OK);
    assert_int_equal(store_check(fx->s, &pr, &err), DT_OK);
    assert_int_equal(pr.n, 0);

    /* revisions are append-only, whoever writes */
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE revisions SET answers = '{}'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM revisions", NULL, NULL, NULL), SQLITE_OK);
    /* a head that is not a revision of its case */
    assert_int_equal(sqlite3_exec(db, "UPDATE cases SET head_rev = 'nope'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_check(fx->s, &pr, &err), DT_OK);
    assert_int_equal(pr.n, 1);
    assert_non_null(strstr(pr.items[0].msg, "head"));
    errlist_free(&pr);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(test_store__##name, setup, teardown)
        T(a_token_finds_its_user_until_revoked),
        T(users_and_tokens_survive_closing_the_store),
        T(roles_have_names_both_ways),
        T(a_published_version_never_changes),
        T(a_new_case_is_accepted_and_a_resend_is_a_duplicate),
        T(a_known_rev_id_with_another_body_refuses_the_whole_batch),
        T(another_enumerators_case_refuses_the_whole_batch),
        T(invalid_revisions_are_rejected_with_every_problem),
        T(one_batch_mixes_verdicts_and_a_parent_may_come_in_the_same_batch),
        T(an_edit_of_the_head_fast_forwards_even_after_a_rejection),
        T(two_edits_of_one_parent_are_a_conflict_with_the_newest_tip_as_head),
        T(the_conflict_head_does_not_depend_on_the_arrival_order),
        T(resolving_a_conflict_chooses_the_head_and_clears_the_flag),
        T(two_cases_of_one_household_are_both_flagged),
        T(a_case_shows_its_frame_and_its_quality_flags),
        T(a_pull_brings_forms_and_only_my_assignments_and_decisions),
        T(a_pull_comes_in_pages_that_follow_the_cursor),
        T(assignments_need_a_known_enumerator_and_go_in_whole),
        T(a_supervisor_sees_only_the_cases_of_their_communes),
        T(threads_share_one_store),
        T(a_revoked_token_stops_at_once_in_a_thread_that_used_it),
        T(tokens_are_checked_from_many_threads_while_others_write),
        T(a_thread_may_outlive_the_store_it_checked_tokens_in),
        T(the_province_beside_districts_equals_the_province_alone),
        T(a_healthy_store_passes_its_check_and_a_damaged_one_does_not),
#undef T
    };
    return fixture_run(argc, argv, "test_store", tests, sizeof(tests) / sizeof(tests[0]));
}
