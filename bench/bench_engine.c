/* bench_engine.c - complete interviews validated per second by the form engine, against
 * the cost of only parsing the same answers JSON (the floor any validator pays) */
#include "cmdline.h"
#include "engine.h"
#include "figures.h"
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

/* Generates the province's first n households as compact answers documents. */
static char **make_docs(int n, long *members)
{
    char **docs = calloc((size_t)n, sizeof(char *));
    synth_rng rng;

    if (!docs)
        return NULL;
    synth_seed(&rng, 20261129);
    for (int i = 0; i < n; i++) {
        cJSON *d = synth_household(&rng, i + 1);
        cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "answers"), "members");
        *members += cJSON_GetArraySize(m);
        docs[i] = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
        if (!docs[i]) {
            fprintf(stderr, "bench_engine: out of memory\n");
            exit(1);
        }
    }
    return docs;
}

static void write_report(const char *path, const figure *f, int n, int reps, double members)
{
    cJSON *doc = fig_report_new("bench_engine");
    cJSON *figs = cJSON_GetObjectItemCaseSensitive(doc, "figures");

    if (!doc || !cJSON_AddNumberToObject(doc, "households", n) ||
        !cJSON_AddNumberToObject(doc, "repetitions", reps) ||
        !cJSON_AddNumberToObject(doc, "members_per_household", members / n) ||
        !cJSON_AddItemToArray(figs, fig_json(f, reps)) || fig_report_write(doc, path)) {
        fprintf(stderr, "bench_engine: cannot write %s\n", path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    int bad = 0;
    const char *json = cmdline_take(&argc, argv, "--json", &bad);
    const char *form_path = argc > 1 ? argv[1] : "schema/forms/sonla_ict_household.json";
    int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 20000;
    int reps = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
    errlist problems = {0};
    form *f = NULL;
    char **docs;
    long members = 0;
    figure fig = {.key = "engine",
                  .label = "engine: interviews validated per second",
                  .unit = "second",
                  .baseline = "cJSON_Parse of the same answers documents only",
                  .higher_better = 1};

    if (bad || n <= 0 || reps <= 0 || reps > FIG_MAX_REPS) {
        fprintf(stderr,
                "usage: bench_engine [FORM] [HOUSEHOLDS] [REPETITIONS<=32] [--json PATH]\n");
        return 2;
    }
    if (form_load_file(&f, form_path, &problems)) {
        fprintf(stderr, "bench: cannot load %s\n", form_path);
        return 1;
    }
    if (!(docs = make_docs(n, &members))) {
        fprintf(stderr, "bench_engine: out of memory\n");
        return 1;
    }
    /* Back to back in each repetition, so that both sides of a ratio saw the same machine. */
    for (int r = 0; r < reps; r++) {
        fig.b[r] = n / run_parse(docs, n);
        fig.v[r] = n / run_engine(f, docs, n, 20786);
    }
    double mp = fig_median(fig.b, reps), me = fig_median(fig.v, reps);
    printf("engine benchmark: %d households (%.2f members each), median of %d runs\n", n,
           (double)members / n, reps);
    printf("  %-44s %12s %12s\n", "", "per second", "ratio");
    printf("  %-44s %12.0f %12s\n", "baseline: parse the answers JSON only", mp, "1.00");
    printf("  %-44s %12.0f %12.2f\n", "engine: parse, load, validate, serialise", me,
           fig_ratio(&fig, reps));
    printf("  (ratio: the median of each run's engine rate / parse rate; spread %.1f%% / %.1f%%; "
           "every household was valid)\n",
           100 * fig_spread(fig.v, reps), 100 * fig_spread(fig.b, reps));
    if (json)
        write_report(json, &fig, n, reps, (double)members);
    for (int i = 0; i < n; i++)
        cJSON_free(docs[i]);
    free(docs);
    form_free(f);
    errlist_free(&problems);
    return 0;
}
