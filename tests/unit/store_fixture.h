/* store_fixture.h - what the store's unit tests share: a new store file per test with the Sơn
 * La questionnaire published and five users (two enumerators, a supervisor of commune 04012, a
 * statistician, an admin), revisions built from DATA_DIR/answers, pushes through the real
 * store_push (tests/unit/test_store.c, tests/unit/test_review.c). */
#ifndef TESTS_STORE_FIXTURE_H
#define TESTS_STORE_FIXTURE_H

#include <cjson/cJSON.h>

#include "proto.h"
#include "store.h"

extern const char *data_dir; /* DATA_DIR: set by main */
extern char tmp_dir[1024];   /* where each test's store goes: made by main */

/* A store with its users, for one test. */
typedef struct fixture {
    store *s;
    char path[1100];
    store_user a, b, sup, stat, admin; /* a, b: enumerators; sup: commune 04012 */
    char token_a[STORE_TOKEN_LEN + 1];
} fixture;

#define FORM   "sonla_ict_household"
#define DEVICE "21498b6e-0000-4000-8000-000000000000"

/* A UUID made from a small number: U(1) = "00000000-0000-4000-8000-000000000001". */
const char *U(int n);
void fill_user(store_user *u, const char *name, store_role role, const char *communes);
void publish_default(store *s);
/* cmocka's setup and teardown: a fixture in *state. */
int setup(void **state);
int teardown(void **state);

/* The "answers" object of DATA_DIR/answers/name.json (owned by the caller). */
cJSON *answers(const char *name);
/* A revision on the wire; takes ownership of ans. */
cJSON *rev(const char *rev_id, const char *case_id, const char *parent, const char *created_at,
           cJSON *ans, const char *outcome);
/* A complete household's revision. */
cJSON *hh(const char *rev_id, const char *case_id, const char *parent, const char *created_at,
          const char *answers_name);
/* Pushes revs[0..n) (consumed) as user u: store_push's code; free results with
 * store_results_free and *batch with proto_push_free. */
int push(fixture *fx, const store_user *u, cJSON **revs, int n, proto_push *batch,
         store_result *results, int *status, dt_err *err);
/* Pushes one revision that must get verdict v (and, for a duplicate, first). */
void push_one(fixture *fx, const store_user *u, cJSON *r, store_verdict v, store_verdict first);
/* The problems of one rejected revision, joined as "where: what: message" lines (freed by
 * the caller). */
char *push_rejected(fixture *fx, const store_user *u, cJSON *r);
/* The cases u sees with status and commune (either NULL), every page. */
int list_cases(store *s, const store_user *u, const char *status, const char *commune, cJSON **out,
               dt_err *err);
/* The case as review_show gives it to the admin (owned by the caller). */
cJSON *show(fixture *fx, const char *case_id);
/* A member: a string (or NULL), a true boolean, an array (asserted). */
const char *str(const cJSON *o, const char *key);
int flag(const cJSON *o, const char *key);
const cJSON *arr(const cJSON *o, const char *key);
/* Adds assignment id of commune 04012 (weight 152.5, stratum 123, PSU 04012-01) for
 * enumerator. */
void assign(fixture *fx, const char *id, const char *enumerator);

struct CMUnitTest;
/* A test program's main: DATA_DIR from argv[1] or $DT_TEST_DATA, a temporary folder for the
 * stores, the n tests run as group name. */
int fixture_run(int argc, char **argv, const char *name, const struct CMUnitTest *tests, size_t n);

#endif
