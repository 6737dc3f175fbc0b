/* proto_fixtures.h - what the protocol's unit tests share: ids, a good revision as the
 * collector sends it, small helpers (included by test_proto.c and test_proto_files.c) */
#ifndef TEST_PROTO_FIXTURES_H
#define TEST_PROTO_FIXTURES_H

#define REV  "3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6"
#define REV2 "77aa0b1c-2d3e-4f50-8192-a3b4c5d6e7f8"
#define CASE "9cba0e1f-2a3b-4c5d-9e6f-708192a3b4c5"
#define DEV  "21498b6e-5f4e-4a3b-8c2d-1e0f9a8b7c6d"

/* Its keys in the order proto_rev_build writes them, so that both print the same. */
#define GOOD_REV_WITH(rev_id)                                                                      \
    "{\"rev_id\":\"" rev_id "\",\"case_id\":\"" CASE "\",\"parent_rev_id\":null,"                  \
    "\"form_id\":\"sonla_ict_household\",\"form_version\":1,\"author\":\"Lò Văn Minh\","         \
    "\"device_id\":\"" DEV "\",\"created_at\":\"2026-11-29T09:25:56Z\","                           \
    "\"outcome\":\"complete\",\"assignment_id\":\"MC-04012-001\","                                 \
    "\"answers\":{\"hh_size\":4,\"head_name\":\"Lò Thị Hoa\"},\"paradata\":{\"duration_s\":912}}"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIB    ((size_t)1024 * 1024)

static inline cJSON *parse_json(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    if (!j)
        fail_msg("test bug: not JSON: %s", text);
    return j;
}

#endif
