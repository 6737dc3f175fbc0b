/* test_isess.c - the interview session (collector/isess.c) on a real collector database with
 * questionnaire version 2: opening (a missing case, a locked one, a finished one), answers
 * refused by type and by constraint, an answer that would hide others, jumps, saving and
 * resuming where it stopped, finishing, a roster's members added, reordered and removed; a
 * roster inside a roster on a form of its own (each member's phones, counted by the member's
 * answer; accounts)
 *
 * Usage: test_isess */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cstore.h"
#include "embedded.h"
#include "isess.h"
#include "uuid.h"

typedef struct fixture {
    cstore *cs;
    char dir[256], path[300];
    char case_id[UUID_LEN + 1];
} fixture;

/* A roster inside a roster: each member's phones (counted by the member's answer) and
 * accounts (open-ended). */
static const char nested_form[] =
    "{\"id\": \"nested\", \"version\": 1, \"languages\": [\"vi\"], \"title\": {\"vi\": \"x\"},"
    " \"questions\": ["
    "  {\"name\": \"hh_size\", \"type\": \"integer\", \"label\": {\"vi\": \"x\"},"
    "   \"constraint\": \". >= 1 and . <= 9\"},"
    "  {\"name\": \"members\", \"type\": \"repeat\", \"label\": {\"vi\": \"x\"},"
    "   \"repeat_count\": \"${hh_size}\", \"children\": ["
    "    {\"name\": \"m_name\", \"type\": \"text\", \"label\": {\"vi\": \"x\"}},"
    "    {\"name\": \"m_nphones\", \"type\": \"integer\", \"label\": {\"vi\": \"x\"},"
    "     \"constraint\": \". <= 3\"},"
    "    {\"name\": \"phones\", \"type\": \"repeat\", \"label\": {\"vi\": \"x\"},"
    "     \"repeat_count\": \"${m_nphones}\", \"children\": ["
    "      {\"name\": \"p_kind\", \"type\": \"integer\", \"label\": {\"vi\": \"x\"}}]},"
    "    {\"name\": \"accounts\", \"type\": \"repeat\", \"label\": {\"vi\": \"x\"}, \"children\": ["
    "      {\"name\": \"a_name\", \"type\": \"text\", \"label\": {\"vi\": \"x\"}}]}]}]}";

static int setup_form(void **state, const char *json, char *fid, int version)
{
    static char draft[] = "draft", empty[] = "{}", none[] = "";
    fixture *fx = calloc(1, sizeof(*fx));
    cJSON *doc = cJSON_Parse(json);
    errlist problems = {0};
    cstore_case c;
    form *f = NULL;
    char *enumerator = NULL, *device = NULL, now[32];
    dt_err err;
    int added;

    assert_non_null(fx);
    snprintf(fx->dir, sizeof(fx->dir), "%s/dt-isess-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof(fx->path), "%s/c.db", fx->dir);
    assert_int_equal(cstore_open(&fx->cs, fx->path, &err), DT_OK);
    assert_int_equal(cstore_set_meta(fx->cs, "enumerator", "Lò Văn Minh", &err), DT_OK);
    assert_int_equal(cstore_identity(fx->cs, &enumerator, &device, &err), DT_OK);
    assert_int_equal(form_load_json(&f, doc, "form", &problems), DT_OK);
    assert_int_equal(cstore_install_form(fx->cs, json, f, &added, &err), DT_OK);
    memset(&c, 0, sizeof(c));
    uuid_new(fx->case_id);
    cstore_now(now);
    c.case_id = fx->case_id;
    c.form_id = fid;
    c.form_version = version;
    c.enumerator = enumerator;
    c.device_id = device;
    c.status = draft;
    c.position = none;
    c.label = none;
    c.answers = empty;
    c.paradata = empty;
    c.created_at = now;
    assert_int_equal(cstore_case_create(fx->cs, &c, &err), DT_OK);
    free(enumerator);
    free(device);
    form_free(f);
    cJSON_Delete(doc);
    *state = fx;
    return 0;
}

static int setup(void **state)
{
    static char fid[] = "sonla_ict_household";
    return setup_form(state, embed_forms_sonla_ict_household_v2_json, fid, 2);
}

static int setup_nested(void **state)
{
    static char fid[] = "nested";
    return setup_form(state, nested_form, fid, 1);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[400];

    cstore_close(fx->cs);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static isess *open_ok(fixture *fx, is_start how)
{
    errlist problems = {0};
    is_failure why;
    isess *s = NULL;
    dt_err err;

    assert_int_equal(is_open(&s, fx->cs, fx->case_id, "vi", how, &why, &problems, &err), DT_OK);
    assert_int_equal(why.why, IS_FAIL_NONE);
    errlist_free(&problems);
    return s;
}

static const char *cur_name(const isess *s)
{
    return form_q(s->f, s->cur.q)->name;
}

/* Answers the current screen with text and moves on, as Enter does. */
static void answer_next(isess *s, const char *text)
{
    char msg[512];
    int hidden;
    eng_pos nx;
    dt_err err;

    assert_int_equal(is_answer(s, text, 1, 0, msg, sizeof(msg), &hidden), IS_KEPT);
    assert_true(is_next(s, &nx));
    is_go(s, nx);
    assert_int_equal(is_save(s, &err), DT_OK);
}

static void test_open_refused(void **state)
{
    fixture *fx = *state;
    errlist problems = {0};
    is_failure why;
    isess *s = open_ok(fx, IS_NEW), *again = NULL;
    char other[UUID_LEN + 1];
    dt_err err;

    assert_string_equal(cur_name(s), "commune");
    uuid_new(other);
    assert_int_equal(is_open(&again, fx->cs, other, "vi", IS_RESUME, &why, &problems, &err),
                     DT_ENOTFOUND);
    assert_null(again);
    assert_int_equal(why.why, IS_FAIL_NOT_FOUND);
    is_close(s);
    errlist_free(&problems);
}

static void test_answers_and_verdicts(void **state)
{
    fixture *fx = *state;
    isess *s = open_ok(fx, IS_NEW);
    char msg[512];
    int hidden;

    /* a letter for the commune's code: not a value of the type, nothing changes */
    assert_int_equal(is_answer(s, "abc", 1, 0, msg, sizeof(msg), &hidden), IS_BAD_TYPE);
    assert_false(eng_get(s->iv, s->cur)->has);
    /* a code of no unit (the retired 4012): not in the list */
    assert_int_equal(is_answer(s, "4012", 1, 0, msg, sizeof(msg), &hidden), IS_BAD_TYPE);
    answer_next(s, "3980");
    assert_string_equal(cur_name(s), "village");
    answer_next(s, "Bản Áng");
    answer_next(s, "27");
    answer_next(s, "Lò Văn Minh");
    assert_string_equal(cur_name(s), "consent");
    answer_next(s, "1");
    /* back to consent: a refusal now would hide what follows it once answered */
    answer_next(s, "1");
    assert_int_equal(is_jump(s, "consent"), IS_JUMPED);
    assert_string_equal(cur_name(s), "consent");
    assert_int_equal(is_answer(s, "2", 1, 0, msg, sizeof(msg), &hidden), IS_WOULD_HIDE);
    assert_true(hidden >= 1);
    assert_true(eng_get(s->iv, s->cur)->num == 1); /* unchanged until confirmed */
    assert_int_equal(is_answer(s, "2", 1, 1, msg, sizeof(msg), &hidden), IS_KEPT);
    assert_true(eng_get(s->iv, s->cur)->num == 2);
    /* jumps to a question not relevant now, and to none */
    assert_int_equal(is_jump(s, "fixed_bb"), IS_SKIPPED);
    assert_int_equal(is_jump(s, "no_such_question"), IS_NO_QUESTION);
    assert_int_equal(is_jump(s, "1"), IS_JUMPED);
    assert_string_equal(cur_name(s), "commune");
    assert_true(is_back(s) == 0); /* at the first screen */
    is_close(s);
}

/* The names of the members now, "An,Binh". */
static const char *names(isess *s, char *out, size_t size)
{
    int r = form_find(s->f, "members"), q = form_find(s->f, "m_name"), n;
    size_t len = 0;

    out[0] = '\0';
    n = eng_instances(s->iv, r);
    for (int k = 0; k < n; k++) {
        const val *v = eng_get(s->iv, (eng_pos){q, k});
        len += (size_t)snprintf(out + len, size - len, "%s%s", k ? "," : "", v->has ? v->str : "-");
    }
    return out;
}

static void test_roster_members(void **state)
{
    fixture *fx = *state;
    isess *s = open_ok(fx, IS_NEW);
    int r = form_find(s->f, "members"), size_q = form_find(s->f, "hh_size");
    char msg[512], got[256];
    dt_err err;

    assert_true(r >= 0);
    assert_int_equal(form_repeat_counter(s->f, r), size_q);
    assert_int_equal(is_roster_kind(s, r), IS_ROSTER_COUNTED);
    assert_int_equal(is_roster_kind(s, form_find(s->f, "hh_ict")), IS_ROSTER_FIXED);
    answer_next(s, "3980");
    answer_next(s, "Bản Áng");
    answer_next(s, "27");
    answer_next(s, "Lò Văn Minh");
    answer_next(s, "1");
    assert_int_equal(is_jump(s, "hh_size"), IS_JUMPED);
    answer_next(s, "2");
    assert_int_equal(is_jump(s, "members[1]/m_name"), IS_JUMPED);
    answer_next(s, "An");
    assert_int_equal(is_jump(s, "members[2]/m_name"), IS_JUMPED);
    answer_next(s, "Binh");
    /* adding: the size follows, the screen goes to the new member */
    assert_int_equal(is_member_add(s, r, 0, msg, sizeof(msg)), 2);
    assert_true(eng_get(s->iv, (eng_pos){size_q, 0})->num == 3);
    assert_string_equal(cur_name(s), "m_name");
    assert_int_equal(s->cur.inst, 2);
    answer_next(s, "Cuong");
    assert_string_equal(names(s, got, sizeof(got)), "An,Binh,Cuong");
    /* reordering: the members between slide */
    assert_int_equal(is_member_move(s, r, 0, 2, 0), DT_OK);
    assert_string_equal(names(s, got, sizeof(got)), "Cuong,An,Binh");
    assert_int_equal(is_member_move(s, r, 0, 0, 2), DT_OK);
    assert_string_equal(names(s, got, sizeof(got)), "An,Binh,Cuong");
    assert_int_equal(is_member_move(s, r, 0, 0, 3), DT_EINVAL); /* no fourth member */
    /* removing: every answer of theirs goes, the size follows */
    assert_int_equal(is_member_remove(s, r, 0, 0, msg, sizeof(msg)), DT_OK);
    assert_string_equal(names(s, got, sizeof(got)), "Binh,Cuong");
    assert_true(eng_get(s->iv, (eng_pos){size_q, 0})->num == 2);
    /* a member added again starts empty: nothing of the removed one comes back */
    assert_int_equal(is_member_add(s, r, 0, msg, sizeof(msg)), 2);
    assert_string_equal(names(s, got, sizeof(got)), "Binh,Cuong,-");
    assert_int_equal(is_member_remove(s, r, 0, 2, msg, sizeof(msg)), DT_OK);
    assert_int_equal(is_member_remove(s, r, 0, 0, msg, sizeof(msg)), DT_OK);
    /* the size's constraint holds: the last member stays, and says why */
    assert_int_equal(is_member_remove(s, r, 0, 0, msg, sizeof(msg)), DT_EINVAL);
    assert_non_null(strstr(msg, "từ 1 đến 30"));
    assert_string_equal(names(s, got, sizeof(got)), "Cuong");
    assert_int_equal(is_save(s, &err), DT_OK);
    is_close(s);
}

/* The place of the screen being answered: "members[1]/phones[2]/p_kind". */
static const char *cur_place(isess *s, char *out, size_t size)
{
    eng_pos_name(s->iv, s->cur, out, size);
    return out;
}

/* The phones' kinds of member k (from 0): "1,2". */
static const char *kinds(isess *s, int k, char *out, size_t size)
{
    int m = form_find(s->f, "members"), r = form_find(s->f, "phones");
    int q = form_find(s->f, "p_kind"), parent = eng_instance_slot(s->iv, m, 0, k), n;
    size_t len = 0;

    out[0] = '\0';
    n = eng_instances_in(s->iv, r, parent);
    for (int i = 0; i < n; i++) {
        const val *v = eng_get(s->iv, (eng_pos){q, eng_instance_slot(s->iv, r, parent, i)});
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", v->has ? v->str : "-");
    }
    return out;
}

static void test_nested_rosters(void **state)
{
    fixture *fx = *state;
    isess *s = open_ok(fx, IS_NEW);
    int members = form_find(s->f, "members"), phones = form_find(s->f, "phones");
    int accounts = form_find(s->f, "accounts"), nphones = form_find(s->f, "m_nphones"), m1;
    char msg[512], got[256];
    dt_err err;

    assert_int_equal(form_repeat_counter(s->f, phones), nphones); /* a member's own answer */
    assert_int_equal(is_roster_kind(s, phones), IS_ROSTER_COUNTED);
    assert_int_equal(is_roster_kind(s, accounts), IS_ROSTER_OPEN);
    assert_int_equal(is_roster_parent(s, phones), -1); /* not with a member */
    answer_next(s, "2");
    answer_next(s, "An");
    answer_next(s, "2");
    m1 = eng_instance_slot(s->iv, members, 0, 0);
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[1]/phones[1]/p_kind");
    assert_int_equal(is_roster_parent(s, members), 0);
    assert_int_equal(is_roster_parent(s, phones), m1);
    answer_next(s, "1");
    answer_next(s, "2");
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[1]/accounts");
    assert_int_equal(is_roster_parent(s, accounts), m1); /* its "add another?" place */
    /* a phone added: the member's count follows, the screen goes to it */
    assert_int_equal(is_member_add(s, phones, m1, msg, sizeof(msg)), 2);
    assert_true(eng_get(s->iv, (eng_pos){nphones, m1})->num == 3);
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[1]/phones[3]/p_kind");
    answer_next(s, "3");
    assert_string_equal(kinds(s, 0, got, sizeof(got)), "1,2,3");
    /* past the count's constraint: refused, and says why */
    assert_int_equal(is_member_add(s, phones, m1, msg, sizeof(msg)), DT_EINVAL);
    assert_true(msg[0] != '\0');
    assert_int_equal(is_member_move(s, phones, m1, 2, 0), DT_OK);
    assert_string_equal(kinds(s, 0, got, sizeof(got)), "3,1,2");
    assert_int_equal(is_member_remove(s, phones, m1, 1, msg, sizeof(msg)), DT_OK);
    assert_string_equal(kinds(s, 0, got, sizeof(got)), "3,2");
    assert_true(eng_get(s->iv, (eng_pos){nphones, m1})->num == 2);
    assert_int_equal(is_member_add(s, phones, m1, msg, sizeof(msg)), 2);
    assert_string_equal(kinds(s, 0, got, sizeof(got)), "3,2,-"); /* the removed one not back */
    assert_int_equal(is_member_remove(s, phones, m1, 2, msg, sizeof(msg)), DT_OK);
    /* an account, open-ended */
    assert_int_equal(is_member_add(s, accounts, m1, msg, sizeof(msg)), 0);
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[1]/accounts[1]/a_name");
    answer_next(s, "zalo");
    /* jumps by path, level by level */
    assert_int_equal(is_jump(s, "members[1]/phones[2]/p_kind"), IS_JUMPED);
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[1]/phones[2]/p_kind");
    assert_int_equal(is_jump(s, "members[1]/phones"), IS_JUMPED);
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[1]/phones[1]/p_kind");
    assert_int_equal(is_jump(s, "members[2]/phones[1]/p_kind"), IS_SKIPPED);
    assert_int_equal(is_jump(s, "members[1]/phones[3]/p_kind"), IS_SKIPPED);
    assert_int_equal(is_jump(s, "members[1]/no_such"), IS_NO_QUESTION);
    assert_int_equal(is_jump(s, "members[1/p_kind"), IS_NO_QUESTION);
    assert_int_equal(is_jump(s, "members[2]/m_name"), IS_JUMPED);
    answer_next(s, "Binh");
    assert_int_equal(is_roster_parent(s, phones), eng_instance_slot(s->iv, members, 0, 1));
    assert_int_equal(is_member_add(s, phones, is_roster_parent(s, phones), msg, sizeof(msg)), 0);
    assert_string_equal(cur_place(s, got, sizeof(got)), "members[2]/phones[1]/p_kind");
    answer_next(s, "9");
    /* the first member removed with their phones and account: Binh is the first, with hers */
    assert_int_equal(is_member_add(s, members, 0, msg, sizeof(msg)), 2);
    assert_int_equal(is_member_remove(s, members, 0, 0, msg, sizeof(msg)), DT_OK);
    assert_string_equal(kinds(s, 0, got, sizeof(got)), "9");
    {
        cJSON *j = eng_to_json(s->iv);
        char *text = cJSON_PrintUnformatted(j);
        assert_string_equal(text,
                            "{\"hh_size\":2,\"members\":[{\"m_name\":\"Binh\",\"m_nphones\":1,"
                            "\"phones\":[{\"p_kind\":9}],\"accounts\":[]},{\"phones\":[],"
                            "\"accounts\":[]}]}");
        cJSON_free(text);
        cJSON_Delete(j);
    }
    assert_int_equal(is_save(s, &err), DT_OK);
    is_close(s);
}

static void test_resume_and_finish(void **state)
{
    fixture *fx = *state;
    isess *s = open_ok(fx, IS_NEW);
    cstore_case c;
    char rev[UUID_LEN + 1], msg[512];
    int hidden;
    dt_err err;

    answer_next(s, "3646");
    answer_next(s, "Tổ dân phố 2");
    is_close(s); /* the laptop closes here: every accepted answer is committed */

    s = open_ok(fx, IS_RESUME);
    assert_string_equal(cur_name(s), "hh_number");
    assert_string_equal(eng_get(s->iv, (eng_pos){form_find(s->f, "village"), 0})->str,
                        "Tổ dân phố 2");
    answer_next(s, "4");
    answer_next(s, "Cầm Thị Ươi");
    /* consent not yet given: the interview cannot be finished, nothing is written */
    assert_true(is_problems(s) > 0);
    assert_int_equal(is_finalize(s, rev, &err), DT_EINVAL);
    assert_int_equal(is_answer(s, "2", 1, 0, msg, sizeof(msg), &hidden), IS_KEPT); /* refusal */
    assert_int_equal(is_finalize(s, rev, &err), DT_OK);
    assert_true(uuid_valid(rev));
    is_close(s);

    memset(&c, 0, sizeof(c));
    assert_int_equal(cstore_case_get(fx->cs, fx->case_id, &c, &err), DT_OK);
    assert_string_equal(c.status, "finalized");
    assert_string_equal(c.outcome, "refusal");
    assert_string_equal(c.head_rev, rev);
    cstore_case_free(&c);

    /* a finished case is not a draft: it opens only once reopened (collector edit) */
    {
        errlist problems = {0};
        is_failure why;
        isess *no = NULL;
        assert_int_equal(is_open(&no, fx->cs, fx->case_id, "vi", IS_RESUME, &why, &problems, &err),
                         DT_EINVAL);
        assert_int_equal(why.why, IS_FAIL_NOT_DRAFT);
        assert_string_equal(why.status, "finalized");
        errlist_free(&problems);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers_and_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_and_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roster_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_rosters, setup_nested, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
