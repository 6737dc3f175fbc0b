/* fuzz_expr.c - fuzz target for form expressions: parse any text, evaluate what parses */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "expr.h"

/* ---- a small fake form, as in tests/unit/test_expr.c */

enum { R_AGE, R_NAME, R_NOTE, R_DOB, R_FRUITS, R_HH, R_VISIT, R_INCOME, R_MEMBER, NREFS };
enum { A_REGION = 100 };

static const char *const names[NREFS] = {
    "age", "name", "note", "dob", "fruits", "hh-size", "visit", "income", "member",
};
/* scalar answers; note is unanswered */
static const char *const answers[NREFS] = {
    [R_AGE] = "35",         [R_NAME] = "Lò Văn Minh",
    [R_DOB] = "2000-02-29", [R_FRUITS] = "apple mango  kiwi",
    [R_HH] = "4",
};
/* instances of the repeated questions: income has four (one unanswered), member none */
static const char *const income[] = {"100", "", "250", "-50.5"};

static int resolve(void *ctx, const char *name, size_t len, int bare)
{
    (void)ctx;
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

static void lookup(void *ctx, int ref, int bare, expr_val *out)
{
    (void)ctx;
    if (bare) {
        CHECK(ref == A_REGION);
        put_str(out, "north");
        return;
    }
    CHECK(ref >= 0 && ref < NREFS);
    memset(out, 0, sizeof(*out));
    if (ref == R_INCOME || ref == R_MEMBER) {
        out->kind = EXPR_SET;
        out->ref = ref;
        out->count = ref == R_INCOME ? 4 : 0;
    } else if (ref == R_VISIT) {
        out->kind = EXPR_DATE;
        out->num = 19880; /* 2024-06-06 */
    } else {
        put_str(out, answers[ref]);
    }
}

static void item(void *ctx, int ref, int i, expr_val *out)
{
    (void)ctx;
    /* only sets lookup returned, and only their instances */
    CHECK(ref == R_INCOME && i >= 0 && i < 4);
    put_str(out, income[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static expr_scratch *scratch;
    char *text = malloc(size + 1);
    expr *e = (expr *)&text;
    dt_err err;
    int rc;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (!scratch && !(scratch = expr_scratch_new()))
        abort();

    err_clear(&err);
    rc = expr_parse(&e, text, resolve, NULL, &err);
    if (rc != DT_OK) {
        CHECK(e == NULL);
        CHECK(rc == DT_EINVAL || rc == DT_ENOMEM);
        CHECK(rc != DT_EINVAL || strncmp(err.msg, "column ", 7) == 0);
        free(text);
        return 0;
    }
    CHECK(e != NULL && strcmp(expr_text(e), text) == 0);

    size_t nrefs = 0;
    const int *refs = expr_refs(e, &nrefs);
    for (size_t i = 0; i < nrefs; i++)
        CHECK(refs[i] >= 0 && refs[i] < NREFS);
    (void)expr_uses_dot(e);

    /* Evaluated as the answer to a question inside a repeat, and outside one. */
    for (int pass = 0; pass < 2; pass++) {
        expr_env env;
        expr_val v;
        size_t len = 0;

        memset(&env, 0, sizeof(env));
        env.lookup = lookup;
        env.item = item;
        put_str(&env.dot, pass ? "" : "Mường Lói 12");
        env.position = pass ? 0 : 3;
        env.today = 19889; /* 2024-06-15 */
        env.scratch = scratch;

        expr_eval(e, &env, &v);
        CHECK(v.kind == EXPR_STR || v.kind == EXPR_NUM || v.kind == EXPR_BOOL ||
              v.kind == EXPR_DATE || v.kind == EXPR_SET);
        const char *s = expr_to_string(&v, &env, &len);
        CHECK(s != NULL && strlen(s) == len);
        (void)expr_to_number(&v);
        (void)expr_to_bool(&v);
        (void)expr_eval_bool(e, &env);
        expr_scratch_reset(scratch);
    }
    expr_free(e);
    free(text);
    return 0;
}
