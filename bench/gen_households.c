/* gen_households.c - writes N synthetic Sơn La households as one JSON array of answers
 * documents (with case ids), for load tests, fault tests and benchmarks */
#include "synth.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    int version = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 1;
    synth_rng rng;

    if (n <= 0 || version < 1 || version > 2) {
        fprintf(stderr, "usage: gen_households N [SEED [FORM_VERSION (1 or 2)]]\n");
        return 2;
    }
    synth_seed(&rng, seed);
    printf("[\n");
    for (long i = 0; i < n; i++) {
        char id[UUID_LEN + 1];
        cJSON *doc = synth_household_version(&rng, i + 1, version);
        uuid_new(id);
        cJSON_AddStringToObject(doc, "case_id", id);
        char *text = cJSON_PrintUnformatted(doc);
        if (!text) {
            fprintf(stderr, "gen_households: out of memory\n");
            return 1;
        }
        printf("%s%s\n", text, i + 1 < n ? "," : "");
        cJSON_free(text);
        cJSON_Delete(doc);
    }
    printf("]\n");
    return 0;
}
