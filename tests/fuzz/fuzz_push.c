/* fuzz_push.c - fuzz target for a push body as syncd receives it: gunzip, parse, hash */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_check.h"
#include "json.h"
#include "proto.h"
#include "utf8.h"

/* Small, so that a fuzzer-made bomb is refused in microseconds; libFuzzer inputs are
 * 4 KiB by default, which inflate to at most ~4 MB. */
#define FUZZ_MAX_INFLATED (1024 * 1024)

/* Every error a request can produce becomes an error body: it must be JSON the collector
 * can read back. */
static void check_error_body(const dt_err *err)
{
    char *text = proto_error_body("bad_request", err->msg);
    cJSON *j = NULL;
    dt_err jerr;

    CHECK(err->msg[0] != '\0');
    if (!text)
        return; /* out of memory */
    CHECK(json_parse(&j, text, strlen(text), "error body", &jerr) == DT_OK);
    cJSON_Delete(j);
    cJSON_free(text);
}

/* syncd hashes from the texts it stores (json_print_compact), not by printing the revision
 * again: both ways must give the same bytes, hence the same hash, for any parsed body. */
static void check_fast_hash(const proto_rev *r, const char *want)
{
    char *answers = json_print_compact(r->answers), *paradata = json_print_compact(r->paradata);
    char *printed = cJSON_PrintUnformatted(r->answers);
    char got[65];

    if (answers && printed)
        CHECK(strcmp(answers, printed) == 0);
    if (answers && paradata && proto_rev_hash_texts(r, answers, paradata, got) == DT_OK)
        CHECK(strcmp(got, want) == 0);
    free(answers);
    free(paradata);
    cJSON_free(printed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    size_t len = size;
    char *inflated = NULL;
    proto_push push;
    dt_err err;
    int rc;

    if (proto_is_gzip(data, size)) {
        rc = proto_gunzip(&inflated, &len, data, size, FUZZ_MAX_INFLATED, &err);
        if (rc != DT_OK) {
            CHECK(rc == DT_EINVAL || rc == DT_ERR || rc == DT_ENOMEM);
            CHECK(inflated == NULL && len == 0);
            return 0;
        }
        CHECK(len <= FUZZ_MAX_INFLATED && inflated[len] == '\0');
        body = inflated;
    }

    rc = proto_push_parse(&push, body, len, PROTO_MAX_BATCH, &err);
    if (rc == DT_OK) {
        CHECK(push.doc && push.device_id && push.nrevs >= 0 && push.nrevs <= PROTO_MAX_BATCH);
        for (int i = 0; i < push.nrevs; i++) {
            const proto_rev *r = &push.revs[i];
            char h1[65], h2[65];
            CHECK(r->rev_id && r->case_id && r->form_id && r->author && r->device_id &&
                  r->created_at && r->outcome && r->answers && r->paradata && r->json);
            CHECK(r->form_version >= 1);
            proto_rev_hash(r, h1);
            proto_rev_hash(r, h2);
            CHECK(strlen(h1) == 64 && strcmp(h1, h2) == 0);
            check_fast_hash(r, h1);
            for (int k = 0; k < i; k++)
                CHECK(strcmp(push.revs[k].rev_id, r->rev_id) != 0);
        }
        proto_push_free(&push);
    } else {
        CHECK(rc == DT_EINVAL || rc == DT_ERR || rc == DT_ENOMEM);
        CHECK(push.doc == NULL && push.revs == NULL);
        check_error_body(&err);
    }
    free(inflated);
    return 0;
}
