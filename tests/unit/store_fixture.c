/* store_fixture.c - what the store's unit tests share (store_fixture.h) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embedded.h"
#include "json.h"
#include "store_fixture.h"

const char *data_dir = "tests/data";
char tmp_dir[1024];

/* A UUID made from a small number: U(1) = "00000000-0000-4000-8000-000000000001". */
const char *U(int n)
{
    static _Thread_local char ring[16][40]; /* the threads test calls it at once */
    static _Thread_local int next;
    char *out = ring[next++ % 16];

    snprintf(out, 40, "00000000-0000-4000-8000-%012d", n);
    return out;
}

/* ---- setup */

void fill_user(store_user *u, const char *name, store_role role, const char *communes)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s", name);
    u->role = role;
    snprintf(u->communes, sizeof(u->communes), "%s", communes);
}

void publish_default(store *s)
{
    cJSON *doc = cJSON_Parse(embed_forms_sonla_ict_household_json);
    errlist pr = {0};
    form *f = NULL;
    dt_err err;
    int added = -1;

    assert_non_null(doc);
    assert_int_equal(form_load_json(&f, doc, "embedded", &pr), DT_OK);
    assert_int_equal(store_form_publish(s, embed_forms_sonla_ict_household_json, f, &added, &err),
                     DT_OK);
    assert_int_equal(added, 1);
    form_free(f);
    cJSON_Delete(doc);
    errlist_free(&pr);
}

int setup(void **state)
{
    static int n;
    fixture *fx = calloc(1, sizeof(*fx));
    char token[STORE_TOKEN_LEN + 1];
    dt_err err;

    assert_non_null(fx);
    snprintf(fx->path, sizeof(fx->path), "%s/store%d.db", tmp_dir, ++n);
    if (store_open(&fx->s, fx->path, &err) != DT_OK)
        fail_msg("store_open: %s", err.msg);
    fill_user(&fx->a, "lo_van_minh", ROLE_ENUMERATOR, "");
    fill_user(&fx->b, "cam_thi_uoi", ROLE_ENUMERATOR, "");
    fill_user(&fx->sup, "sup_04012", ROLE_SUPERVISOR, "04012");
    fill_user(&fx->stat, "stat1", ROLE_STATISTICIAN, "");
    fill_user(&fx->admin, "admin1", ROLE_ADMIN, "");
    assert_int_equal(store_user_add(fx->s, fx->a.name, ROLE_ENUMERATOR, "", fx->token_a, &err),
                     DT_OK);
    assert_int_equal(store_user_add(fx->s, fx->b.name, ROLE_ENUMERATOR, "", token, &err), DT_OK);
    assert_int_equal(store_user_add(fx->s, fx->sup.name, ROLE_SUPERVISOR, "04012", token, &err),
                     DT_OK);
    assert_int_equal(store_user_add(fx->s, fx->stat.name, ROLE_STATISTICIAN, "", token, &err),
                     DT_OK);
    assert_int_equal(store_user_add(fx->s, fx->admin.name, ROLE_ADMIN, "", token, &err), DT_OK);
    publish_default(fx->s);
    *state = fx;
    return 0;
}

int teardown(void **state)
{
    fixture *fx = *state;
    char side[1200];

    store_close(fx->s);
    unlink(fx->path);
    snprintf(side, sizeof(side), "%s-wal", fx->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", fx->path);
    unlink(side);
    free(fx);
    return 0;
}

/* ---- building pushes */

/* The "answers" object of DATA_DIR/answers/name.json (owned by the caller). */
cJSON *answers(const char *name)
{
    char path[2048];
    cJSON *doc = NULL, *a;
    dt_err err;

    snprintf(path, sizeof(path), "%s/answers/%s.json", data_dir, name);
    if (json_load_file(&doc, path, 1 << 20, &err) != DT_OK)
        fail_msg("%s", err.msg);
    a = cJSON_DetachItemFromObject(doc, "answers");
    cJSON_Delete(doc);
    assert_non_null(a);
    return a;
}

/* A revision on the wire; takes ownership of ans. */
cJSON *rev(const char *rev_id, const char *case_id, const char *parent, const char *created_at,
           cJSON *ans, const char *outcome)
{
    cJSON *r = cJSON_CreateObject();

    cJSON_AddStringToObject(r, "rev_id", rev_id);
    cJSON_AddStringToObject(r, "case_id", case_id);
    if (parent)
        cJSON_AddStringToObject(r, "parent_rev_id", parent);
    else
        cJSON_AddNullToObject(r, "parent_rev_id");
    cJSON_AddStringToObject(r, "form_id", FORM);
    cJSON_AddNumberToObject(r, "form_version", 1);
    cJSON_AddStringToObject(r, "author", "Lò Văn Minh");
    cJSON_AddStringToObject(r, "device_id", DEVICE);
    cJSON_AddStringToObject(r, "created_at", created_at);
    cJSON_AddStringToObject(r, "outcome", outcome);
    cJSON_AddNullToObject(r, "assignment_id");
    cJSON_AddItemToObject(r, "answers", ans);
    cJSON_AddItemToObject(r, "paradata", cJSON_CreateObject());
    return r;
}

/* A complete household's revision. */
cJSON *hh(const char *rev_id, const char *case_id, const char *parent, const char *created_at,
          const char *answers_name)
{
    return rev(rev_id, case_id, parent, created_at, answers(answers_name), "complete");
}

/* Pushes revs[0..n) (consumed) as user u. Returns store_push's code; results (n entries)
 * must be freed with store_results_free. The parsed batch is kept in *batch for the
 * results' rev_id pointers; free with proto_push_free. */
int push(fixture *fx, const store_user *u, cJSON **revs, int n, proto_push *batch,
         store_result *results, int *status, dt_err *err)
{
    cJSON *body = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(body, "revisions");
    char *text;

    cJSON_AddStringToObject(body, "device_id", DEVICE);
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, revs[i]);
    text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    assert_non_null(text);
    if (proto_push_parse(batch, text, strlen(text), PROTO_MAX_BATCH, err) != DT_OK)
        fail_msg("proto_push_parse: %s", err->msg);
    free(text);
    assert_int_equal(batch->nrevs, n);
    return store_push(fx->s, u, batch, results, status, err);
}

/* Pushes one revision that must get verdict v (and, for a duplicate, first). */
void push_one(fixture *fx, const store_user *u, cJSON *r, store_verdict v, store_verdict first)
{
    proto_push batch;
    store_result res[1];
    dt_err err;
    int status = 0;

    if (push(fx, u, &r, 1, &batch, res, &status, &err) != DT_OK)
        fail_msg("push: %d %s", status, err.msg);
    assert_int_equal(status, 200);
    if (res[0].verdict != v) {
        for (size_t i = 0; i < res[0].problems.n; i++)
            fprintf(stderr, "  %s: %s: %s\n", res[0].problems.items[i].where,
                    res[0].problems.items[i].what, res[0].problems.items[i].msg);
        fail_msg("%s: %s, expected %s", res[0].rev_id, store_verdict_name(res[0].verdict),
                 store_verdict_name(v));
    }
    if (v == VERDICT_DUPLICATE)
        assert_int_equal(res[0].first, first);
    if (v != VERDICT_REJECTED)
        assert_int_equal(res[0].problems.n, 0);
    store_results_free(res, 1);
    proto_push_free(&batch);
}

/* The problems of one rejected revision, joined as "where: what: message" lines. */
char *push_rejected(fixture *fx, const store_user *u, cJSON *r)
{
    proto_push batch;
    store_result res[1];
    dt_err err;
    int status = 0;
    char *out = calloc(1, 65536);
    size_t o = 0;

    assert_non_null(out);
    assert_int_equal(push(fx, u, &r, 1, &batch, res, &status, &err), DT_OK);
    assert_int_equal(res[0].verdict, VERDICT_REJECTED);
    assert_true(res[0].problems.n > 0);
    for (size_t i = 0; i < res[0].problems.n && o < 60000; i++)
        o += (size_t)snprintf(out + o, 65536 - o, "%s: %s: %s\n", res[0].problems.items[i].where,
                              res[0].problems.items[i].what, res[0].problems.items[i].msg);
    store_results_free(res, 1);
    proto_push_free(&batch);
    return out;
}

/* The cases u sees with status and commune (either NULL), every page. */
int list_cases(store *s, const store_user *u, const char *status, const char *commune, cJSON **out,
               dt_err *err)
{
    store_case_query q = {
        .status = status, .commune = commune, .sort = SORT_COMMUNE, .ascending = 1};
    return store_review_list(s, u, &q, NULL, out, err);
}

/* The case as review_show gives it to the admin (owned by the caller). */
cJSON *show(fixture *fx, const char *case_id)
{
    cJSON *c = NULL;
    dt_err err;

    if (store_review_show(fx->s, &fx->admin, case_id, &c, &err) != DT_OK)
        fail_msg("show %s: %s", case_id, err.msg);
    return c;
}

const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int flag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

const cJSON *arr(const cJSON *o, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsArray(a));
    return a;
}

void assign(fixture *fx, const char *id, const char *enumerator)
{
    store_assignment a = {.assignment_id = id,
                          .form_id = FORM,
                          .enumerator = enumerator,
                          .label = id,
                          .prefill = "{\"commune_code\": \"04012\"}",
                          .commune_code = "04012",
                          .weight = 152.5,
                          .has_weight = 1,
                          .stratum = "123",
                          .psu = "04012-01"};
    dt_err err;

    if (store_assign(fx->s, &a, 1, &err) != DT_OK)
        fail_msg("store_assign: %s", err.msg);
}

int fixture_run(int argc, char **argv, const char *name, const struct CMUnitTest *tests, size_t n)
{
    const char *env = getenv("DT_TEST_DATA");
    const char *tmp = getenv("TMPDIR");
    int rc;

    if (argc > 1)
        data_dir = argv[1];
    else if (env && *env)
        data_dir = env;
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
    rmdir(tmp_dir);
    return rc;
}
