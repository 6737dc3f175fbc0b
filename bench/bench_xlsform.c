/* bench_xlsform.c - loading a 1,000-row XLSForm, beside loading the same form as JSON in the same
 * run (each repetition one after the other): both through xlsform_load, the path of `form
 * check`, `form install` and `syncd form publish`. Goal: under 100 ms and at most 3x the JSON.
 * The form is made here: ROWS questions (integers, texts, selects with constraints, relevance
 * and calculations, in groups and a repeat), written as an XLSForm by the tests' small writer,
 * converted to JSON once by the converter itself. */
#include "cmdline.h"
#include "figures.h"
#include "form.h"
#include "xlsform.h"
#include "xlsx_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COLS 9

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_printf(const char *fmt, int i, int j)
{
    char buf[256];

    snprintf(buf, sizeof(buf), fmt, i, j);
    return strdup(buf);
}

/* The survey sheet: a header and rows questions, in groups of 50, a repeat in the middle. */
static char **survey_cells(int rows, int *nrows)
{
    int cap = (rows + 64) * COLS, r = 0;
    char **c = calloc((size_t)cap, sizeof(*c));
    const char *head[COLS] = {"type",
                              "name",
                              "label::Tiếng Việt (vi)",
                              "label::English (en)",
                              "required",
                              "relevant",
                              "constraint",
                              "constraint_message::Tiếng Việt (vi)",
                              "calculation"};

    for (int k = 0; k < COLS; k++)
        c[k] = strdup(head[k]);
    r = 1;
    for (int i = 0; i < rows; i++) {
        char **row = c + r * COLS;
        if (i % 50 == 0 && i) {
            row[0] = strdup(i == rows / 2 ? "begin repeat" : "begin group");
            row[1] = dup_printf("g%d", i, 0);
            row[2] = dup_printf("Phần %d", i, 0);
            row[3] = dup_printf("Part %d", i, 0);
            row = c + ++r * COLS;
        }
        /* the relevance reads the question before, in the same part */
        switch (i % 4) {
        case 0:
            row[0] = strdup("integer");
            row[6] = strdup(". >= 0 and . <= 1000");
            row[7] = NULL; /* a message needs every language: left out */
            break;
        case 1:
            row[0] = strdup("select_one yesno");
            row[5] = dup_printf("${q%d} > 3", i - 1, 0);
            break;
        case 2:
            row[0] = strdup("text");
            break;
        default:
            row[0] = strdup("calculate");
            /* what it reads is in its own part (a repeat's questions stay inside it) */
            row[8] = (i - 3) / 50 == i / 50
                         ? dup_printf("if(${q%d} = 1, ${q%d} * 2, 0)", i - 2, i - 3)
                         : strdup("1");
            break;
        }
        row[1] = dup_printf("q%d", i, 0);
        if (i % 4 != 3) {
            row[2] = dup_printf("Câu hỏi số %d", i, 0);
            row[3] = dup_printf("Question %d", i, 0);
            row[4] = strdup("yes");
        }
        r++;
        if (i % 50 == 49 && i >= 50) {
            row = c + r++ * COLS;
            row[0] = strdup(i / 50 * 50 == rows / 2 ? "end repeat" : "end group");
        }
    }
    *nrows = r;
    return c;
}

/* Writes the form as Excel writes it (shared strings) at xlsx, with inline strings (as the tests'
 * writer does) at inline, and the JSON the converter makes of it at json. */
static int write_form(const char *xlsx, const char *inline_xlsx, const char *json, int rows)
{
    static const char *const choices[] = {"list_name",
                                          "name",
                                          "label::Tiếng Việt (vi)",
                                          "label::English (en)",
                                          "yesno",
                                          "1",
                                          "Có",
                                          "Yes",
                                          "yesno",
                                          "2",
                                          "Không",
                                          "No"};
    static const char *const settings[] = {
        "form_id",       "version", "form_title", "default_language",
        "bench_xlsform", "1",       "Bench",      "Tiếng Việt (vi)"};
    const char *names[] = {"survey", "choices", "settings"};
    int nrows = 0, rc;
    char **cells = survey_cells(rows, &nrows);
    char *sheets[3] = {xw_sheet((const char *const *)cells, nrows, COLS), xw_sheet(choices, 3, 4),
                       xw_sheet(settings, 2, 4)};
    errlist problems = {0};
    form *f = NULL;
    char *text = NULL;
    FILE *out;

    const char *const *all[3] = {(const char *const *)cells, choices, settings};
    int nr[3] = {nrows, 3, 2}, nc[3] = {COLS, 4, 4};
    rc = xw_workbook(inline_xlsx, names, sheets, 3) ||
         xw_workbook_shared(xlsx, names, all, nr, nc, 3);
    for (int i = 0; i < nrows * COLS; i++)
        free(cells[i]);
    free(cells);
    for (int i = 0; i < 3; i++)
        free(sheets[i]);
    if (rc == 0 && (rc = xlsform_load(&f, &text, xlsx, &problems)) != 0) {
        cmdline_problems(stderr, xlsx, &problems);
        rc = -1;
    }
    if (rc == 0 && (!(out = fopen(json, "w")) || fputs(text, out) < 0 || fclose(out) != 0))
        rc = -1;
    form_free(f);
    free(text);
    errlist_free(&problems);
    return rc;
}

/* Seconds for n loads of path. */
static double load(const char *path, int n)
{
    double t0 = now();

    for (int i = 0; i < n; i++) {
        errlist problems = {0};
        form *f = NULL;
        if (xlsform_load(&f, NULL, path, &problems)) {
            cmdline_problems(stderr, path, &problems);
            exit(1);
        }
        form_free(f);
        errlist_free(&problems);
    }
    return (now() - t0) / n;
}

int main(int argc, char **argv)
{
    int bad = 0;
    const char *json_out = cmdline_take(&argc, argv, "--json", &bad);
    int rows = argc > 1 ? atoi(argv[1]) : 1000, reps = argc > 2 ? atoi(argv[2]) : 7;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    char xlsx[512], inl[512], json[512];
    figure f = {.key = "xlsform_load",
                .label = "load a 1,000-row XLSForm",
                .unit = "ms",
                .baseline = "the same form as JSON",
                .goal = "<= 3",
                .goal_ratio = 3};
    figure g = {.key = "xlsform_load_inline",
                .label = "the same, every text an inline string",
                .unit = "ms",
                .baseline = "the same form as JSON"};

    if (bad || rows < 10 || reps < 1 || reps > FIG_MAX_REPS) {
        fprintf(stderr, "usage: bench_xlsform [ROWS] [REPS] [WORKDIR] [--json PATH]\n");
        return 2;
    }
    snprintf(xlsx, sizeof(xlsx), "%s/bench-form-%d.xlsx", dir, rows);
    snprintf(inl, sizeof(inl), "%s/bench-form-%d-inline.xlsx", dir, rows);
    snprintf(json, sizeof(json), "%s/bench-form-%d.json", dir, rows);
    if (write_form(xlsx, inl, json, rows)) {
        fprintf(stderr, "bench_xlsform: cannot make the form in %s\n", dir);
        return 1;
    }
    load(xlsx, 2); /* warm the page cache and the allocator */
    for (int r = 0; r < reps; r++) {
        f.b[r] = load(json, 5) * 1000;
        f.v[r] = load(xlsx, 5) * 1000;
        g.b[r] = f.b[r];
        g.v[r] = load(inl, 5) * 1000;
    }
    double ratio = fig_ratio(&f, reps), ms = fig_median(f.v, reps);
    printf("XLSForm benchmark: a form of %d rows, median of %d runs of 5 loads\n", rows, reps);
    printf("  %-40s %10.1f ms\n", "baseline: the same form as JSON", fig_median(f.b, reps));
    printf("  %-40s %10.1f ms   ratio %.2f (goal <= 3; under 100 ms: %s)\n",
           "the XLSForm as Excel writes it", ms, ratio, ms < 100 ? "met" : "NOT met");
    printf("  %-40s %10.1f ms   ratio %.2f\n", "the same, inline strings", fig_median(g.v, reps),
           fig_ratio(&g, reps));
    unlink(xlsx);
    unlink(inl);
    unlink(json);
    if (json_out) {
        cJSON *doc = fig_report_new("bench_xlsform"), *figs = cJSON_GetObjectItem(doc, "figures");
        if (!doc || !cJSON_AddItemToArray(figs, fig_json(&f, reps)) ||
            !cJSON_AddItemToArray(figs, fig_json(&g, reps)) || fig_report_write(doc, json_out)) {
            fprintf(stderr, "bench_xlsform: cannot write %s\n", json_out);
            return 1;
        }
    }
    return 0;
}
