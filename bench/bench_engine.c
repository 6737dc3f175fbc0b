/* bench_engine.c - complete interviews validated per second by the form engine, against
 * the cost of only parsing the same answers JSON (the floor any validator pays) */
#include "engine.h"
#include "synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Parses every document: the baseline. Returns seconds. */
static double run_parse(char **docs, int n)
{
    double t0 = now();

    for (int i = 0; i < n; i++) {
        cJSON *d = cJSON_Parse(docs[i]);
        if (!d) {
            fprintf(stderr, "bench: a generated document does not parse\n");
            exit(1);
        }
        cJSON_Delete(d);
    }
    return now() - t0;
}

/* Parses, loads, validates and re-serialises every document, as syncd will
 * for each upload. Returns seconds; exits when a household is invalid. */
static double run_engine(const form *f, char **docs, int n, int today)
{
    double t0 = now();

    for (int i = 0; i < n; i++) {
        errlist issues = {0};
        cJSON *d = cJSON_Parse(docs[i]);
        interview *iv = eng_new(f, today, 0);
        if (!d || !iv || eng_load_document(iv, d, &issues) || eng_validate(iv, &issues) != 0) {
            fprintf(stderr, "bench: household %d is not valid:\n", i + 1);
            for (size_t k = 0; k < issues.n; k++)
                fprintf(stderr, "  %s: %s: %s\n", issues.items[k].where, issues.items[k].what,
                        issues.items[k].msg);
            fprintf(stderr, "%s\n", docs[i]);
            exit(1);
        }
        cJSON *out = eng_to_json(iv);
        cJSON_Delete(out);
        eng_free(iv);
        cJSON_Delete(d);
        errlist_free(&issues);
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *form_path = argc > 1 ? argv[1] : "schema/forms/sonla_ict_household.json";
    int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 20000;
    int reps = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
    errlist problems = {0};
    form *f = NULL;
    synth_rng rng;
    char **docs;
    double tp[32], te[32];
    long members = 0;

    if (n <= 0 || reps <= 0 || reps > 32) {
        fprintf(stderr, "usage: bench_engine [FORM] [HOUSEHOLDS] [REPETITIONS<=32]\n");
        return 2;
    }
    if (form_load_file(&f, form_path, &problems)) {
        fprintf(stderr, "bench: cannot load %s\n", form_path);
        return 1;
    }
    docs = calloc((size_t)n, sizeof(char *));
    synth_seed(&rng, 20261129);
    for (int i = 0; i < n; i++) {
        cJSON *d = synth_household(&rng, i + 1);
        cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "answers"), "members");
        members += cJSON_GetArraySize(m);
        docs[i] = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
    }
    for (int r = 0; r < reps; r++) {
        tp[r] = run_parse(docs, n);
        te[r] = run_engine(f, docs, n, 20786);
    }
    qsort(tp, (size_t)reps, sizeof(double), cmp_double);
    qsort(te, (size_t)reps, sizeof(double), cmp_double);
    double mp = tp[reps / 2], me = te[reps / 2];
    printf("engine benchmark: %d households (%.2f members each), median of %d runs\n", n,
           (double)members / n, reps);
    printf("  %-44s %12s %12s\n", "", "per second", "ratio");
    printf("  %-44s %12.0f %12s\n", "baseline: parse the answers JSON only", n / mp, "1.00");
    printf("  %-44s %12.0f %12.2f\n", "engine: parse, load, validate, serialise", n / me, mp / me);
    printf("  (ratio = baseline time / engine time; every household was valid)\n");
    for (int i = 0; i < n; i++)
        cJSON_free(docs[i]);
    free(docs);
    form_free(f);
    errlist_free(&problems);
    return 0;
}
