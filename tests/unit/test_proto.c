/* test_proto.c - the sync protocol's shared pieces: revisions, their hash, push batches (gzip and
 * bundles: test_proto_files.c) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <zlib.h>

#include "json.h"
#include "proto.h"
#include "utf8.h"

#include "proto_fixtures.h"

/* ---- a revision as the collector sends it */

static const char good_rev[] = GOOD_REV_WITH(REV);
static const char good_answers[] = "{\"hh_size\":4,\"head_name\":\"Lò Thị Hoa\"}";
static const char good_paradata[] = "{\"duration_s\":912}";

/* The good revision with field set to value_json, or removed when value_json is NULL. */
static cJSON *rev_with(const char *field, const char *value_json)
{
    cJSON *j = parse_json(good_rev);

    if (!value_json) {
        cJSON_DeleteItemFromObjectCaseSensitive(j, field);
        return j;
    }
    cJSON *v = parse_json(value_json);
    if (cJSON_GetObjectItemCaseSensitive(j, field))
        cJSON_ReplaceItemInObjectCaseSensitive(j, field, v);
    else
        cJSON_AddItemToObject(j, field, v);
    return j;
}

static void expect_rev_ok(cJSON *j)
{
    proto_rev r;
    dt_err err;

    err_clear(&err);
    if (proto_rev_parse(&r, j, "revisions[3]", &err) != DT_OK) {
        char *text = cJSON_PrintUnformatted(j);
        fail_msg("refused %s: %s", text, err.msg);
    }
}

/* Parses the revision and checks it is refused with a message starting with want. */
static void expect_rev_refused(cJSON *j, const char *want)
{
    proto_rev r;
    dt_err err;
    char *text = cJSON_PrintUnformatted(j);
    int rc;

    err_clear(&err);
    rc = proto_rev_parse(&r, j, "revisions[3]", &err);
    cJSON_Delete(j);
    if (rc != DT_EINVAL)
        fail_msg("%s: expected DT_EINVAL (\"%s\"), got %d", text, want, rc);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("%s: got \"%s\", want \"%s...\"", text, err.msg, want);
    cJSON_free(text);
}

static void expect_field_refused(const char *field, const char *value_json, const char *want)
{
    expect_rev_refused(rev_with(field, value_json), want);
}

static void expect_field_ok(const char *field, const char *value_json)
{
    cJSON *j = rev_with(field, value_json);

    expect_rev_ok(j);
    cJSON_Delete(j);
}

/* ---- proto_rev_parse */

static void test_proto__good_revision_parses_into_every_field(void **state)
{
    cJSON *j = parse_json(good_rev);
    proto_rev r;
    dt_err err;

    (void)state;
    err_clear(&err);
    assert_int_equal(proto_rev_parse(&r, j, "revisions[0]", &err), DT_OK);
    assert_string_equal(r.rev_id, REV);
    assert_string_equal(r.case_id, CASE);
    assert_null(r.parent_rev_id);
    assert_string_equal(r.form_id, "sonla_ict_household");
    assert_int_equal(r.form_version, 1);
    assert_string_equal(r.author, "Lò Văn Minh");
    assert_string_equal(r.device_id, DEV);
    assert_string_equal(r.created_at, "2026-11-29T09:25:56Z");
    assert_string_equal(r.outcome, "complete");
    assert_string_equal(r.assignment_id, "MC-04012-001");
    assert_true(cJSON_IsObject(r.answers));
    assert_int_equal(cJSON_GetObjectItem(r.answers, "hh_size")->valueint, 4);
    assert_true(cJSON_IsObject(r.paradata));
    assert_ptr_equal(r.json, j);
    cJSON_Delete(j);
}

static void test_proto__each_missing_required_field_is_named(void **state)
{
    static const char *const required[] = {"rev_id",  "case_id",   "form_id",    "form_version",
                                           "author",  "device_id", "created_at", "outcome",
                                           "answers", "paradata"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < LEN(required); i++) {
        snprintf(want, sizeof(want), "revisions[3].%s: expected ", required[i]);
        expect_field_refused(required[i], NULL, want);
    }
}

static void test_proto__parent_and_assignment_may_be_null_or_absent(void **state)
{
    (void)state;
    expect_field_ok("parent_rev_id", NULL);
    expect_field_ok("parent_rev_id", "null");
    expect_field_ok("parent_rev_id", "\"" REV2 "\"");
    expect_field_ok("assignment_id", NULL);
    expect_field_ok("assignment_id", "null");
    expect_field_ok("outcome", "\"refusal\"");
    expect_field_ok("answers", "{}");
    expect_field_ok("paradata", "{}");
}

static void test_proto__fields_of_the_wrong_type_are_named(void **state)
{
    static const char *const strings[] = {"rev_id",     "case_id", "parent_rev_id",
                                          "form_id",    "author",  "device_id",
                                          "created_at", "outcome", "assignment_id"};
    static const char *const wrong[] = {"5", "true", "[]", "{}", "[\"" REV "\"]"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < LEN(strings); i++)
        for (size_t k = 0; k < LEN(wrong); k++) {
            snprintf(want, sizeof(want), "revisions[3].%s: expected a non-empty string",
                     strings[i]);
            expect_field_refused(strings[i], wrong[k], want);
        }
    /* null is "absent" only where the field is optional */
    expect_field_refused("rev_id", "null", "revisions[3].rev_id: expected a non-empty string");
    expect_field_refused("author", "null", "revisions[3].author: expected a non-empty string");
    expect_field_refused("answers", "[]", "revisions[3].answers: expected an object");
    expect_field_refused("answers", "\"{}\"", "revisions[3].answers: expected an object");
    expect_field_refused("answers", "null", "revisions[3].answers: expected an object");
    expect_field_refused("paradata", "7", "revisions[3].paradata: expected an object");
    expect_field_refused("form_version", "\"1\"",
                         "revisions[3].form_version: expected a whole number from 1");
    expect_field_refused("form_version", "true",
                         "revisions[3].form_version: expected a whole number from 1");
    expect_field_refused("form_version", "null",
                         "revisions[3].form_version: expected a whole number from 1");
}

static void test_proto__ids_that_are_not_uuids_are_refused(void **state)
{
    static const char *const fields[] = {"rev_id", "case_id", "parent_rev_id", "device_id"};
    static const char *const bad_ids[] = {
        "\"3f0c2a4e1b2c4d5e8f90a1b2c3d4e5f6\"",       /* no dashes */
        "\"3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f\"",    /* one short */
        "\"3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f60\"",  /* one long */
        "\"3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5fg\"",   /* not hex */
        "\"3F0C2A4E-1B2C-4D5E-8F90-A1B2C3D4E5F6\"",   /* upper case: one spelling per id */
        "\" 3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f\"",   /* white space */
        "\"3f0c2a4e_1b2c_4d5e_8f90_a1b2c3d4e5f6\"",   /* wrong separators */
        "\"{3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6}\"", /* braces */
        "\"not a uuid\"",
    };
    char want[128];

    (void)state;
    for (size_t i = 0; i < LEN(fields); i++)
        for (size_t k = 0; k < LEN(bad_ids); k++) {
            snprintf(want, sizeof(want), "revisions[3].%s: expected a UUID", fields[i]);
            expect_field_refused(fields[i], bad_ids[k], want);
        }
}

static void test_proto__empty_strings_are_refused_even_where_null_is_allowed(void **state)
{
    (void)state;
    expect_field_refused("author", "\"\"", "revisions[3].author: expected a non-empty string");
    expect_field_refused("form_id", "\"\"", "revisions[3].form_id: expected a non-empty string");
    expect_field_refused("assignment_id", "\"\"",
                         "revisions[3].assignment_id: expected a non-empty string");
    expect_field_refused("parent_rev_id", "\"\"",
                         "revisions[3].parent_rev_id: expected a non-empty string");
}

/* A JSON string of n copies of unit. */
static char *json_string_of(const char *unit, size_t n)
{
    size_t ul = strlen(unit);
    char *s = malloc(n * ul + 3);

    assert_non_null(s);
    s[0] = '"';
    for (size_t i = 0; i < n; i++)
        memcpy(s + 1 + i * ul, unit, ul);
    s[1 + n * ul] = '"';
    s[2 + n * ul] = '\0';
    return s;
}

static void test_proto__strings_longer_than_200_bytes_are_refused(void **state)
{
    static const char *const fields[] = {"form_id", "author", "created_at", "assignment_id"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < LEN(fields); i++) {
        char *ok = json_string_of("x", 200), *too_long = json_string_of("x", 201);
        snprintf(want, sizeof(want), "revisions[3].%s: longer than 200 bytes", fields[i]);
        if (strcmp(fields[i], "created_at") != 0) /* 200 x's are no timestamp */
            expect_field_ok(fields[i], ok);
        expect_field_refused(fields[i], too_long, want);
        free(ok);
        free(too_long);
    }
    /* Bytes, not characters: "ộ" is three bytes, so 67 of them are 201 bytes. */
    char *vi_ok = json_string_of("ộ", 66), *vi_long = json_string_of("ộ", 67);
    expect_field_ok("author", vi_ok);
    expect_field_refused("author", vi_long, "revisions[3].author: longer than 200 bytes");
    free(vi_ok);
    free(vi_long);
}

static void test_proto__unknown_field_is_named(void **state)
{
    (void)state;
    expect_field_refused("colour", "\"red\"", "revisions[3].colour: unknown field");
    expect_field_refused("Rev_id", "\"" REV "\"", "revisions[3].Rev_id: unknown field");
    /* weight, stratum and PSU come from syncd's own sample frame, never from the wire */
    expect_field_refused("weight", "152.5", "revisions[3].weight: unknown field");
}

static void test_proto__outcome_must_be_complete_or_refusal(void **state)
{
    static const char *const bad_outcomes[] = {"\"done\"", "\"Complete\"", "\"complete \"",
                                               "\"refused\"", "\"partial\""};

    (void)state;
    for (size_t i = 0; i < LEN(bad_outcomes); i++)
        expect_field_refused("outcome", bad_outcomes[i],
                             "revisions[3].outcome: expected \"complete\" or \"refusal\"");
}

static void test_proto__form_version_must_be_a_whole_number_from_1(void **state)
{
    static const char *const bad_versions[] = {"0", "-1", "1.5", "1000001", "1e300", "-0"};

    (void)state;
    for (size_t i = 0; i < LEN(bad_versions); i++)
        expect_field_refused("form_version", bad_versions[i],
                             "revisions[3].form_version: expected a whole number from 1");
    expect_field_ok("form_version", "1000000");
    expect_field_ok("form_version", "2.0");
}

static void test_proto__a_revision_cannot_be_its_own_parent(void **state)
{
    (void)state;
    expect_field_refused("parent_rev_id", "\"" REV "\"",
                         "revisions[3].parent_rev_id: a revision cannot be its own parent");
}

static void test_proto__a_revision_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    expect_rev_refused(parse_json("[]"), "revisions[3]: expected a revision object");
    expect_rev_refused(parse_json("null"), "revisions[3]: expected a revision object");
    expect_rev_refused(parse_json("\"" REV "\""), "revisions[3]: expected a revision object");
}

/* docs/protocol.md: "created_at": "2026-11-29T09:25:56Z"; syncd orders branch tips by it,
 * as text, so a free-form date would pick the wrong head. */
static void test_proto__created_at_must_be_a_utc_timestamp(void **state)
{
    static const char *const bad_times[] = {"\"yesterday\"", "\"29/11/2026 09:25\"",
                                            "\"2026-11-29 09:25:56\"", "\"2026-13-45T99:99:99Z\""};

    (void)state;
    for (size_t i = 0; i < LEN(bad_times); i++)
        expect_field_refused("created_at", bad_times[i], "revisions[3].created_at: ");
}

/* ---- proto_rev_build */

static void test_proto__built_revision_parses_back_to_the_same_fields(void **state)
{
    proto_rev in = {.rev_id = REV,
                    .case_id = CASE,
                    .parent_rev_id = REV2,
                    .form_id = "sonla_ict_household",
                    .form_version = 3,
                    .author = "Lò Văn Minh",
                    .device_id = DEV,
                    .created_at = "2026-11-29T09:25:56Z",
                    .outcome = "refusal",
                    .assignment_id = NULL};
    proto_rev out;
    dt_err err;
    cJSON *j, *want_answers = parse_json(good_answers);

    (void)state;
    j = proto_rev_build(&in, good_answers, good_paradata);
    assert_non_null(j);
    err_clear(&err);
    if (proto_rev_parse(&out, j, "built", &err) != DT_OK)
        fail_msg("a built revision is refused: %s", err.msg);
    assert_string_equal(out.rev_id, in.rev_id);
    assert_string_equal(out.case_id, in.case_id);
    assert_string_equal(out.parent_rev_id, in.parent_rev_id);
    assert_string_equal(out.form_id, in.form_id);
    assert_int_equal(out.form_version, in.form_version);
    assert_string_equal(out.author, in.author);
    assert_string_equal(out.device_id, in.device_id);
    assert_string_equal(out.created_at, in.created_at);
    assert_string_equal(out.outcome, in.outcome);
    assert_null(out.assignment_id);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "assignment_id"))); /* sent as null */
    assert_true(cJSON_Compare(out.answers, want_answers, 1));
    cJSON_Delete(want_answers);
    cJSON_Delete(j);

    /* A first revision: parent null, assignment given. */
    in.parent_rev_id = NULL;
    in.assignment_id = "MC-04012-001";
    j = proto_rev_build(&in, "{}", "{}");
    assert_non_null(j);
    assert_int_equal(proto_rev_parse(&out, j, "built", &err), DT_OK);
    assert_null(out.parent_rev_id);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "parent_rev_id")));
    assert_string_equal(out.assignment_id, "MC-04012-001");
    cJSON_Delete(j);
}

static void test_proto__build_refuses_answers_that_are_not_a_json_object(void **state)
{
    proto_rev in = {.rev_id = REV,
                    .case_id = CASE,
                    .form_id = "f",
                    .form_version = 1,
                    .author = "a",
                    .device_id = DEV,
                    .created_at = "2026-11-29T09:25:56Z",
                    .outcome = "complete"};

    (void)state;
    assert_null(proto_rev_build(&in, "[]", "{}"));
    assert_null(proto_rev_build(&in, "{\"a\":", "{}"));
    assert_null(proto_rev_build(&in, "{}", "not json"));
    assert_null(proto_rev_build(&in, "{}", "5"));
    assert_null(proto_rev_build(&in, "", "{}"));
}

/* ---- proto_rev_hash */

static void hash_of(const char *text, char *out)
{
    cJSON *j = parse_json(text);
    proto_rev r;
    dt_err err;

    if (proto_rev_parse(&r, j, "r", &err) != DT_OK)
        fail_msg("test bug: %s", err.msg);
    proto_rev_hash(&r, out);
    cJSON_Delete(j);
}

static void test_proto__hash_is_stable_for_the_same_content(void **state)
{
    char a[65], b[65], c[65], d[65];
    cJSON *pretty_j = parse_json(good_rev);
    char *pretty = cJSON_Print(pretty_j); /* same content, other white space */

    (void)state;
    hash_of(good_rev, a);
    hash_of(good_rev, b);
    hash_of(pretty, c);
    assert_int_equal(strlen(a), 64);
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_equal(a, b);
    assert_string_equal(a, c);

    /* built by the collector from its parts, with the same key order */
    proto_rev in = {.rev_id = REV,
                    .case_id = CASE,
                    .form_id = "sonla_ict_household",
                    .form_version = 1,
                    .author = "Lò Văn Minh",
                    .device_id = DEV,
                    .created_at = "2026-11-29T09:25:56Z",
                    .outcome = "complete",
                    .assignment_id = "MC-04012-001"};
    cJSON *built = proto_rev_build(&in, good_answers, good_paradata);
    proto_rev r;
    dt_err err;
    assert_non_null(built);
    assert_int_equal(proto_rev_parse(&r, built, "r", &err), DT_OK);
    proto_rev_hash(&r, d);
    assert_string_equal(a, d);
    cJSON_Delete(built);
    cJSON_free(pretty);
    cJSON_Delete(pretty_j);
}

static void test_proto__hash_differs_when_an_answer_or_field_changes(void **state)
{
    static const struct {
        const char *field, *value;
    } changes[] = {
        {"answers", "{\"hh_size\":5,\"head_name\":\"Lò Thị Hoa\"}"},
        {"answers", "{\"hh_size\":4,\"head_name\":\"Lò Thị Hòa\"}"},
        {"answers", "{\"hh_size\":4,\"head_name\":\"Lò Thị Hoa\",\"extra\":null}"},
        {"paradata", "{\"duration_s\":913}"},
        {"author", "\"Lò Văn Mình\""},
        {"outcome", "\"refusal\""},
        {"parent_rev_id", "\"" REV2 "\""},
        {"form_version", "2"},
    };
    char base[65], h[65];

    (void)state;
    hash_of(good_rev, base);
    for (size_t i = 0; i < LEN(changes); i++) {
        cJSON *j = rev_with(changes[i].field, changes[i].value);
        char *text = cJSON_PrintUnformatted(j);
        hash_of(text, h);
        if (!strcmp(h, base))
            fail_msg("changing %s to %s keeps the hash", changes[i].field, changes[i].value);
        cJSON_free(text);
        cJSON_Delete(j);
    }
}

/* ---- json_print_compact, and proto_rev_hash_texts with its texts */

/* Fails unless json_print_compact gives exactly what cJSON_PrintUnformatted gives (both
 * NULL included). */
static void expect_same_print(const cJSON *item, const char *what)
{
    char *want = cJSON_PrintUnformatted(item);
    char *got = json_print_compact(item);

    if (!want != !got)
        fail_msg("%s: cJSON gives %.300s, json_print_compact %.300s", what, want ? want : "NULL",
                 got ? got : "NULL");
    if (want && strcmp(want, got) != 0)
        fail_msg("%s: cJSON prints %.300s, json_print_compact %.300s", what, want, got);
    cJSON_free(want);
    free(got);
}

/* expect_same_print for item and everything inside it. */
static void expect_same_print_deep(const cJSON *item, const char *what)
{
    expect_same_print(item, what);
    for (const cJSON *c = item->child; c; c = c->next)
        expect_same_print_deep(c, what);
}

/* The fuzz corpus next to the test data (DT_TEST_DATA is tests/data). */
static const char *corpus_dir(const char *name)
{
    static char path[1100];
    const char *data = getenv("DT_TEST_DATA");

    snprintf(path, sizeof(path), "%s/../fuzz/corpus/%s", data && *data ? data : "tests/data", name);
    return path;
}

/* Each file of a corpus folder: parsed (gunzipped first when it is gzip) and, whether it
 * parses or not, its text as a string and as a key. Returns how many documents parsed. */
static int print_corpus(const char *name, int *files)
{
    const char *dir = corpus_dir(name);
    DIR *d = opendir(dir);
    struct dirent *de;
    int parsed = 0;

    if (!d)
        fail_msg("cannot open %s (is DT_TEST_DATA tests/data?)", dir);
    while ((de = readdir(d))) {
        char path[1400], *raw = NULL, *plain = NULL;
        size_t raw_len = 0, plain_len = 0;
        dt_err err;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        assert_int_equal(file_read(&raw, &raw_len, path, 64 * MIB, &err), DT_OK);
        (*files)++;
        if (proto_is_gzip(raw, raw_len) &&
            proto_gunzip(&plain, &plain_len, raw, raw_len, 8 * MIB, &err) != DT_OK)
            plain = NULL;
        const char *text = plain ? plain : raw;
        size_t len = plain ? plain_len : raw_len;
        cJSON *doc = cJSON_ParseWithLength(text, len);
        if (doc) {
            expect_same_print_deep(doc, path);
            parsed++;
        }
        cJSON_Delete(doc);
        cJSON *s = cJSON_CreateString(text), *o = cJSON_CreateObject();
        assert_non_null(s);
        assert_non_null(o);
        expect_same_print(s, path);
        assert_non_null(cJSON_AddNumberToObject(o, text, 0.1));
        expect_same_print(o, path);
        cJSON_Delete(s);
        cJSON_Delete(o);
        free(plain);
        free(raw);
    }
    closedir(d);
    return parsed;
}

static void test_proto__compact_print_is_cjsons_over_the_fuzz_corpus(void **state)
{
    int files = 0, parsed;

    (void)state;
    parsed = print_corpus("push", &files);
    parsed += print_corpus("expr", &files);
    /* the corpus has some 40 push bodies, most of them JSON */
    assert_true(files >= 40);
    assert_true(parsed >= 20);
}

static void expect_same_number(double d)
{
    char what[64];
    cJSON *n = cJSON_CreateNumber(d), *a = cJSON_CreateArray();

    assert_non_null(n);
    assert_non_null(a);
    snprintf(what, sizeof(what), "%.17g", d);
    expect_same_print(n, what);
    cJSON_AddItemToArray(a, n);
    expect_same_print(a, what);
    cJSON_Delete(a);
}

/* A fixed sequence of 64-bit numbers (xorshift64*). */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void test_proto__compact_print_writes_numbers_as_cjson_does(void **state)
{
    static const double tricky[] = {0.1,
                                    -0.5,
                                    1e-7,
                                    123456789.125,
                                    2147483648.0,
                                    -2147483649.0,
                                    1e300,
                                    1e-300,
                                    0.30000000000000004,
                                    -0.0,
                                    0.0,
                                    12.345,
                                    999999999.999,
                                    1e9,
                                    1e9 - 0.001,
                                    1e9 + 0.5,
                                    0.001,
                                    0.0005,
                                    0.0001,
                                    1e-4,
                                    0.7,
                                    1.005,
                                    2.675,
                                    100.5,
                                    1234567.8,
                                    1.0 / 3,
                                    2.0 / 3,
                                    0.1 + 0.2,
                                    1e15,
                                    1e15 - 1,
                                    1e15 + 1,
                                    1e16,
                                    9007199254740992.0,
                                    9007199254740993.0,
                                    18446744073709551616.0,
                                    1e21,
                                    1e22,
                                    123e-20,
                                    -1e-7,
                                    999999999.9995,
                                    0.015,
                                    7.0,
                                    -7.0,
                                    2147483647.0,
                                    -2147483648.0,
                                    DBL_MAX,
                                    -DBL_MAX,
                                    DBL_MIN,
                                    4.9406564584124654e-324,
                                    DBL_EPSILON,
                                    3.14159265358979,
                                    912.4,
                                    0.3,
                                    45.6,
                                    1e-5,
                                    123456.789,
                                    5e-324,
                                    1e308};
    static const char parsed[] = "[0.1,-0.5,1e-7,123456789.125,2147483648,-2147483649,1e300,"
                                 "1e-300,0.30000000000000004,-0.0,-0,12.345,999999999.999,1e9,"
                                 "1E+2,1.5e1,0.000001,100000000000000000000000,1e400,-1e400]";
    static const double scale[] = {1, 10, 100, 1000, 10000, 100000};
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    cJSON *doc;

    (void)state;
    for (size_t i = 0; i < LEN(tricky); i++) {
        expect_same_number(tricky[i]);
        expect_same_number(nextafter(tricky[i], INFINITY));
        expect_same_number(nextafter(tricky[i], -INFINITY));
    }
    expect_same_number(NAN);
    expect_same_number(-NAN);
    expect_same_number(INFINITY);
    expect_same_number(-INFINITY);
    doc = parse_json(parsed);
    expect_same_print_deep(doc, parsed);
    cJSON_Delete(doc);

    for (int i = 0; i < 40000; i++) {
        uint64_t r = next_random(&seed), bits = next_random(&seed);
        int p = (int)(r % 6), digits = 1 + (int)((r >> 8) % 15);
        double k = (double)(next_random(&seed) % (uint64_t)pow(10, digits)), d, any;
        /* k / 10^p: the paradata's tenths and the like, and past the fast paths */
        d = k / scale[p];
        if (r & (1 << 20))
            d = -d;
        expect_same_number(d);
        expect_same_number(nextafter(d, INFINITY));
        /* any bit pattern: NaNs, infinities, subnormals, everything in between */
        memcpy(&any, &bits, sizeof(any));
        expect_same_number(any);
        /* whole numbers of any size */
        expect_same_number(ldexp((double)(bits >> 11), (int)(r % 64) - 53));
    }
}

static void test_proto__compact_print_escapes_strings_as_cjson_does(void **state)
{
    static const char *const strings[] = {"",
                                          "plain",
                                          "Lò Thị Hoa",
                                          "Sơn La: Mường La, Thuận Châu",
                                          "\"quoted\"",
                                          "back\\slash",
                                          "a/b",
                                          "\b\f\n\r\t",
                                          "\x01\x02\x1f\x7f",
                                          "tab\tin",
                                          "end\n",
                                          "\xff\xfe invalid",
                                          "\xc3\x28",
                                          "\xe2\x82\xac euro",
                                          "\xf0\x9f\x98\x80 emoji",
                                          "{\"not\":\"json\"}",
                                          "\\u0000",
                                          "'single'"};
    cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray(), *s, *raw;
    char all[256];

    (void)state;
    assert_non_null(o);
    assert_non_null(a);
    for (size_t i = 0; i < LEN(strings); i++) {
        s = cJSON_CreateString(strings[i]);
        expect_same_print(s, strings[i]);
        cJSON_AddItemToArray(a, s);
        cJSON_AddStringToObject(o, strings[i], strings[i]); /* as keys too */
    }
    /* every byte but NUL, alone and all together */
    for (int c = 1; c < 256; c++) {
        char one[2] = {(char)c, 0};
        s = cJSON_CreateString(one);
        expect_same_print(s, "one byte");
        cJSON_Delete(s);
        all[c - 1] = (char)c;
    }
    all[255] = '\0';
    cJSON_AddStringToObject(o, all, all);
    expect_same_print(a, "array of strings");
    expect_same_print(o, "object with strings as keys");

    /* the other kinds, references, empty containers, nesting */
    cJSON *mix = parse_json("{\"t\":true,\"f\":false,\"n\":null,\"e\":[],\"o\":{},"
                            "\"deep\":[[[{\"a\":[1,2.5,{\"b\":\"c\"}]}]]],\"\":\"empty key\"}");
    cJSON_AddItemToObject(mix, "raw", cJSON_CreateRaw("{\"raw\": [1, 2]}"));
    cJSON_AddItemReferenceToObject(mix, "ref", cJSON_GetObjectItem(mix, "deep"));
    cJSON_AddItemToObject(mix, "const", cJSON_CreateStringReference("by reference"));
    expect_same_print_deep(mix, "kinds");
    cJSON_Delete(mix);

    /* what cJSON cannot print: both give NULL */
    expect_same_print(NULL, "NULL");
    raw = cJSON_CreateRaw("x");
    cJSON_free(raw->valuestring);
    raw->valuestring = NULL;
    cJSON *wrap = cJSON_CreateArray();
    cJSON_AddItemToArray(wrap, raw);
    expect_same_print(wrap, "raw without text");
    cJSON_Delete(wrap);
    s = cJSON_CreateNull();
    s->type = cJSON_Invalid;
    expect_same_print(s, "invalid item");
    cJSON_Delete(s);
    /* a string item without text prints as "" */
    s = cJSON_CreateString("x");
    cJSON_free(s->valuestring);
    s->valuestring = NULL;
    expect_same_print(s, "string without text");
    cJSON_Delete(s);

    cJSON_Delete(a);
    cJSON_Delete(o);
}

/* proto_rev_hash_texts with r's own texts gives proto_rev_hash. */
static void expect_same_hash(const proto_rev *r, const char *what)
{
    char want[65], got[65];
    char *answers = json_print_compact(r->answers), *paradata = json_print_compact(r->paradata);

    assert_non_null(answers);
    assert_non_null(paradata);
    proto_rev_hash(r, want);
    memset(got, 0, sizeof(got));
    assert_int_equal(proto_rev_hash_texts(r, answers, paradata, got), DT_OK);
    if (strcmp(want, got) != 0)
        fail_msg("%s: proto_rev_hash %s, proto_rev_hash_texts %s", what, want, got);
    /* and the texts given are what is hashed */
    assert_int_equal(proto_rev_hash_texts(r, "{}", paradata, got), DT_OK);
    if (!strcmp(want, got) && strcmp(answers, "{}") != 0)
        fail_msg("%s: the answers text given is not hashed", what);
    free(answers);
    free(paradata);
}

static void expect_same_hash_of(const char *text)
{
    cJSON *j = parse_json(text);
    proto_rev r;
    dt_err err;

    if (proto_rev_parse(&r, j, "r", &err) != DT_OK)
        fail_msg("test bug: %s: %s", err.msg, text);
    expect_same_hash(&r, text);
    cJSON_Delete(j);
}

static void test_proto__hash_from_texts_is_the_hash_of_the_revision(void **state)
{
    static const char *const bodies[] = {"one_revision.json",    "parent_and_child.json",
                                         "escaped_unicode.json", "pretty_printed.json",
                                         "duplicate_keys.json",  "deep_answers.json"};
    int hashed = 0;

    (void)state;
    expect_same_hash_of(good_rev);
    /* other key orders, null and absent optional fields, a parent */
    expect_same_hash_of("{\"answers\":{\"a\":1},\"paradata\":{},\"rev_id\":\"" REV
                        "\",\"case_id\":\"" CASE "\",\"form_id\":\"f\",\"form_version\":3,"
                        "\"author\":\"x\",\"device_id\":\"" DEV "\",\"created_at\":"
                        "\"2026-11-29T09:25:56Z\",\"outcome\":\"refusal\"}");
    expect_same_hash_of(
        "{\"rev_id\":\"" REV "\",\"paradata\":{\"screens\":[[\"hh_size\",12.3],"
        "[\"m_age\",0.5],[\"x\",1e-7]],\"t\":912.4},\"case_id\":\"" CASE
        "\",\"parent_rev_id\":\"" REV2 "\",\"form_id\":\"f\",\"form_version\":1,"
        "\"author\":\"Cầm \\\"Văn\\\" Sơn\\n\",\"device_id\":\"" DEV
        "\",\"created_at\":\"2026-11-29T09:25:56Z\",\"outcome\":\"complete\","
        "\"assignment_id\":null,\"answers\":{\"note\":\"tab\\there\\u0001\","
        "\"members\":[{\"m_name\":\"Lò Thị Hoa\",\"m_age\":41,\"w\":0.30000000000000004}],"
        "\"devices\":[\"phone\",\"tv\"],\"income\":123456789.125}}");
    /* "answers" twice: the first is r->answers, the second is printed as it stands */
    expect_same_hash_of("{\"rev_id\":\"" REV "\",\"case_id\":\"" CASE "\",\"form_id\":\"f\","
                        "\"form_version\":1,\"author\":\"x\",\"device_id\":\"" DEV "\","
                        "\"created_at\":\"2026-11-29T09:25:56Z\",\"outcome\":\"complete\","
                        "\"answers\":{\"a\":1},\"paradata\":{\"p\":2},\"answers\":{\"a\":2},"
                        "\"paradata\":{\"p\":0.1}}");

    /* built by the collector */
    proto_rev in = {.rev_id = REV,
                    .case_id = CASE,
                    .form_id = "sonla_ict_household",
                    .form_version = 1,
                    .author = "Lò Văn Minh",
                    .device_id = DEV,
                    .created_at = "2026-11-29T09:25:56Z",
                    .outcome = "complete"};
    cJSON *built = proto_rev_build(&in, good_answers, "{\"screens\":[0.1,2.5,912.4,-0.0]}");
    proto_rev r;
    dt_err err;
    assert_non_null(built);
    assert_int_equal(proto_rev_parse(&r, built, "r", &err), DT_OK);
    expect_same_hash(&r, "built");
    cJSON_Delete(built);

    /* every revision of the corpus's push bodies */
    for (size_t i = 0; i < LEN(bodies); i++) {
        char path[1200], *text = NULL;
        size_t len = 0;
        proto_push p;
        snprintf(path, sizeof(path), "%s/%s", corpus_dir("push"), bodies[i]);
        assert_int_equal(file_read(&text, &len, path, MIB, &err), DT_OK);
        if (proto_push_parse(&p, text, len, PROTO_MAX_BATCH, &err) == DT_OK) {
            for (int k = 0; k < p.nrevs; k++, hashed++)
                expect_same_hash(&p.revs[k], path);
            proto_push_free(&p);
        }
        free(text);
    }
    assert_true(hashed >= 3);
}

/* ---- proto_push_parse */

/* A push body of n good revisions with distinct rev_ids; owned by the caller. */
static char *push_body(int n)
{
    cJSON *body = cJSON_CreateObject(), *revs = cJSON_AddArrayToObject(body, "revisions");
    char id[40];

    cJSON_AddStringToObject(body, "device_id", DEV);
    for (int i = 0; i < n; i++) {
        cJSON *r = parse_json(good_rev);
        snprintf(id, sizeof(id), "3f0c2a4e-1b2c-4d5e-8f90-%012x", (unsigned)i);
        cJSON_ReplaceItemInObject(r, "rev_id", cJSON_CreateString(id));
        cJSON_AddItemToArray(revs, r);
    }
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    assert_non_null(text);
    return text;
}

/* Parses text (copied to a buffer of exactly its length, no NUL after it). */
static int push_parse(proto_push *p, const char *text, int max, dt_err *err)
{
    size_t len = strlen(text);
    char *exact = malloc(len ? len : 1);
    int rc;

    assert_non_null(exact);
    memcpy(exact, text, len);
    err_clear(err);
    rc = proto_push_parse(p, exact, len, max, err);
    free(exact);
    return rc;
}

static void expect_push_refused(const char *text, int code, const char *want)
{
    proto_push p;
    dt_err err;
    int rc = push_parse(&p, text, PROTO_MAX_BATCH, &err);

    if (rc != code)
        fail_msg("%.200s: expected %d, got %d (%s)", text, code, rc, err.msg);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("%.200s: got \"%s\", want \"%s...\"", text, err.msg, want);
    assert_null(p.doc);
    assert_null(p.revs);
    proto_push_free(&p); /* harmless after a failure */
}

static void test_proto__push_with_revisions_parses_and_keeps_their_order(void **state)
{
    char *body = push_body(3);
    proto_push p;
    dt_err err;

    (void)state;
    if (push_parse(&p, body, PROTO_MAX_BATCH, &err) != DT_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(p.device_id, DEV);
    assert_int_equal(p.nrevs, 3);
    assert_string_equal(p.revs[0].rev_id, "3f0c2a4e-1b2c-4d5e-8f90-000000000000");
    assert_string_equal(p.revs[2].rev_id, "3f0c2a4e-1b2c-4d5e-8f90-000000000002");
    assert_string_equal(p.revs[1].author, "Lò Văn Minh");
    proto_push_free(&p);
    assert_null(p.doc);
    proto_push_free(&p);
    proto_push_free(NULL);
    cJSON_free(body);

    assert_int_equal(
        push_parse(&p, "{\"device_id\":\"" DEV "\",\"revisions\":[]}", PROTO_MAX_BATCH, &err),
        DT_OK);
    assert_int_equal(p.nrevs, 0);
    proto_push_free(&p);

    assert_int_equal(push_parse(&p, " \n{\"revisions\":[],\"device_id\":\"" DEV "\"}\r\n\t",
                                PROTO_MAX_BATCH, &err),
                     DT_OK);
    proto_push_free(&p);
}

static void test_proto__push_that_is_not_json_is_refused_with_where(void **state)
{
    (void)state;
    expect_push_refused("", DT_EINVAL, "body: line 1, column 1: malformed JSON");
    expect_push_refused("{\"device_id\": ", DT_EINVAL, "body: line 1");
    expect_push_refused("{\n\"device_id\": x}", DT_EINVAL,
                        "body: line 2, column 14: malformed JSON");
    expect_push_refused("{\"device_id\":\"" DEV "\",\"revisions\":[]} {}", DT_EINVAL,
                        "body: line 1, column 69: unexpected text after the JSON");
    expect_push_refused("{\"device_id\":\"\xc3\x28\",\"revisions\":[]}", DT_EINVAL,
                        "body: line 1, column 15: text is not valid UTF-8");
    expect_push_refused("{\"device_id\":\"\xc0\xaf\",\"revisions\":[]}", DT_EINVAL,
                        "body: line 1, column 15: text is not valid UTF-8");
}

static void test_proto__push_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    expect_push_refused("[]", DT_EINVAL, "body: expected a JSON object");
    expect_push_refused("\"push\"", DT_EINVAL, "body: expected a JSON object");
    expect_push_refused("null", DT_EINVAL, "body: expected a JSON object");
    expect_push_refused("42", DT_EINVAL, "body: expected a JSON object");
}

static void test_proto__push_without_a_good_device_id_is_refused(void **state)
{
    (void)state;
    expect_push_refused("{\"revisions\":[]}", DT_EINVAL,
                        "body.device_id: expected a non-empty string");
    expect_push_refused("{\"device_id\":null,\"revisions\":[]}", DT_EINVAL,
                        "body.device_id: expected a non-empty string");
    expect_push_refused("{\"device_id\":7,\"revisions\":[]}", DT_EINVAL,
                        "body.device_id: expected a non-empty string");
    expect_push_refused("{\"device_id\":\"tablet-7\",\"revisions\":[]}", DT_EINVAL,
                        "body.device_id: expected a UUID");
}

static void test_proto__push_revisions_must_be_an_array(void **state)
{
    (void)state;
    expect_push_refused("{\"device_id\":\"" DEV "\"}", DT_EINVAL,
                        "body.revisions: expected an array");
    expect_push_refused("{\"device_id\":\"" DEV "\",\"revisions\":{}}", DT_EINVAL,
                        "body.revisions: expected an array");
    expect_push_refused("{\"device_id\":\"" DEV "\",\"revisions\":" GOOD_REV_WITH(REV) "}",
                        DT_EINVAL, "body.revisions: expected an array");
    expect_push_refused("{\"device_id\":\"" DEV "\",\"revisions\":null}", DT_EINVAL,
                        "body.revisions: expected an array");
}

static void test_proto__push_with_too_many_revisions_is_err_not_einval(void **state)
{
    char *at_limit = push_body(PROTO_MAX_BATCH), *over = push_body(PROTO_MAX_BATCH + 1);
    proto_push p;
    dt_err err;

    (void)state;
    assert_int_equal(push_parse(&p, at_limit, PROTO_MAX_BATCH, &err), DT_OK);
    assert_int_equal(p.nrevs, PROTO_MAX_BATCH);
    proto_push_free(&p);
    /* DT_ERR: the HTTP layer answers 413, not 400 */
    expect_push_refused(over, DT_ERR, "body.revisions: 201 revisions, more than the limit of 200");
    /* the count is checked before the revisions, so even empty objects get 413 */
    assert_int_equal(push_parse(&p, "{\"device_id\":\"" DEV "\",\"revisions\":[{},{}]}", 1, &err),
                     DT_ERR);
    cJSON_free(at_limit);
    cJSON_free(over);
}

static void test_proto__push_error_names_the_revision_and_field(void **state)
{
    (void)state;
    char *text = push_body(5);
    cJSON *doc = parse_json(text);
    cJSON *r3 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "revisions"), 3);
    cJSON_ReplaceItemInObject(r3, "rev_id", cJSON_CreateString("3f0c"));
    char *bad = cJSON_PrintUnformatted(doc);
    expect_push_refused(bad, DT_EINVAL, "body.revisions[3].rev_id: expected a UUID");
    cJSON_free(bad);

    cJSON_ReplaceItemInObject(r3, "rev_id", cJSON_CreateString(REV2));
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "revisions"), 4),
                              "outcome", cJSON_CreateString("done"));
    bad = cJSON_PrintUnformatted(doc);
    expect_push_refused(bad, DT_EINVAL,
                        "body.revisions[4].outcome: expected \"complete\" or \"refusal\"");
    cJSON_free(bad);

    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(doc, "revisions"), 1, cJSON_CreateArray());
    bad = cJSON_PrintUnformatted(doc);
    expect_push_refused(bad, DT_EINVAL, "body.revisions[1]: expected a revision object");
    cJSON_free(bad);
    cJSON_Delete(doc);
    cJSON_free(text);
}

static void test_proto__push_with_a_rev_id_twice_is_refused(void **state)
{
    (void)state;
    expect_push_refused("{\"device_id\":\"" DEV "\",\"revisions\":[" GOOD_REV_WITH(
                            REV) "," GOOD_REV_WITH(REV2) "," GOOD_REV_WITH(REV) "]}",
                        DT_EINVAL, "body.revisions[2].rev_id: given twice in the batch");
}

/* An error message echoes names the client chose; cut to fit, it must still be UTF-8,
 * or the error body syncd answers with is not JSON the collector can read. */
static void test_proto__error_message_about_a_long_field_name_stays_valid_utf8(void **state)
{
    (void)state;
    for (int lead = 0; lead < 3; lead++) {
        char name[1024] = "";
        size_t n = 0;
        for (int i = 0; i < lead; i++)
            name[n++] = 'a';
        for (int i = 0; i < 300; i++) {
            memcpy(name + n, "ộ", 3);
            n += 3;
        }
        name[n] = '\0';
        char body[2048];
        snprintf(body, sizeof(body), "{\"device_id\":\"" DEV "\",\"revisions\":[{\"%s\":1}]}",
                 name);
        proto_push p;
        dt_err err;
        assert_int_equal(push_parse(&p, body, PROTO_MAX_BATCH, &err), DT_EINVAL);
        size_t bad_at = 0;
        if (!utf8_valid(err.msg, strlen(err.msg), &bad_at))
            fail_msg("%d leading bytes: the message is not UTF-8 at byte %zu of %zu", lead, bad_at,
                     strlen(err.msg));
        char *eb = proto_error_body("bad_request", err.msg);
        cJSON *j = NULL;
        dt_err jerr;
        assert_non_null(eb);
        if (json_parse(&j, eb, strlen(eb), "error body", &jerr) != DT_OK)
            fail_msg("the error body is not JSON: %s", jerr.msg);
        cJSON_Delete(j);
        cJSON_free(eb);
    }
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_proto__good_revision_parses_into_every_field),
        T(test_proto__each_missing_required_field_is_named),
        T(test_proto__parent_and_assignment_may_be_null_or_absent),
        T(test_proto__fields_of_the_wrong_type_are_named),
        T(test_proto__ids_that_are_not_uuids_are_refused),
        T(test_proto__empty_strings_are_refused_even_where_null_is_allowed),
        T(test_proto__strings_longer_than_200_bytes_are_refused),
        T(test_proto__unknown_field_is_named),
        T(test_proto__outcome_must_be_complete_or_refusal),
        T(test_proto__form_version_must_be_a_whole_number_from_1),
        T(test_proto__a_revision_cannot_be_its_own_parent),
        T(test_proto__a_revision_that_is_not_an_object_is_refused),
        T(test_proto__created_at_must_be_a_utc_timestamp),
        T(test_proto__built_revision_parses_back_to_the_same_fields),
        T(test_proto__build_refuses_answers_that_are_not_a_json_object),
        T(test_proto__hash_is_stable_for_the_same_content),
        T(test_proto__hash_differs_when_an_answer_or_field_changes),
        T(test_proto__compact_print_is_cjsons_over_the_fuzz_corpus),
        T(test_proto__compact_print_writes_numbers_as_cjson_does),
        T(test_proto__compact_print_escapes_strings_as_cjson_does),
        T(test_proto__hash_from_texts_is_the_hash_of_the_revision),
        T(test_proto__push_with_revisions_parses_and_keeps_their_order),
        T(test_proto__push_that_is_not_json_is_refused_with_where),
        T(test_proto__push_that_is_not_an_object_is_refused),
        T(test_proto__push_without_a_good_device_id_is_refused),
        T(test_proto__push_revisions_must_be_an_array),
        T(test_proto__push_with_too_many_revisions_is_err_not_einval),
        T(test_proto__push_error_names_the_revision_and_field),
        T(test_proto__push_with_a_rev_id_twice_is_refused),
        T(test_proto__error_message_about_a_long_field_name_stays_valid_utf8),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
