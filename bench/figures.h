/* figures.h - a benchmark figure measured against its baseline over repetitions: medians,
 * spreads, ratios, goals, and the JSON every bench program writes (read back by run-all) */
#ifndef BENCH_FIGURES_H
#define BENCH_FIGURES_H

#include <cjson/cJSON.h>

#define FIG_MAX_REPS 32

/* One measure, each repetition's value next to its baseline measured back to back. */
typedef struct figure {
    const char *key;      /* in the JSON */
    const char *label;    /* in the table */
    const char *unit;     /* "second" (a rate), "household" (bytes), "s", "ms", "MiB"... */
    const char *baseline; /* what it is compared with */
    const char *goal;     /* ">= 0.5", "<= 0.15" or NULL */
    double goal_ratio;
    int higher_better; /* a rate: more is better; a time or a size: less is */
    double v[FIG_MAX_REPS], b[FIG_MAX_REPS];
} figure;

double fig_median(const double *x, int n);

/* (max - min) / median: how much a figure moved across repetitions. */
double fig_spread(const double *x, int n);

/* The median of each repetition's value / baseline: steadier than the ratio of the medians
 * on a machine whose speed moves, since both sides of a repetition saw the same machine. */
double fig_ratio(const figure *f, int reps);

/* 1 when the figure has no goal or meets it. */
int fig_goal_met(const figure *f, double ratio);

/* The figure as the programs' JSON reports hold it: name, measure, unit, baseline_is, value,
 * baseline (medians), ratio, ratio_of_medians, goal and met, runs, baseline_runs, spread,
 * baseline_spread, reps, higher_better. NULL when out of memory. */
cJSON *fig_json(const figure *f, int reps);

/* A report's first members: {"benchmark": name, "date": "YYYY-MM-DD", "cores": N}, and an
 * empty "figures" array to add fig_json objects to. NULL when out of memory. */
cJSON *fig_report_new(const char *benchmark);

/* The JSON document in the file at path (a program's report), or NULL when it cannot be read
 * or parsed. Owned by the caller. */
cJSON *fig_read_json(const char *path);

/* A command-line number: s as a whole number in [lo, hi] into *out. 0, or -1 when it is not
 * one (every bench program reads its options so). */
int fig_parse_long(const char *s, long lo, long hi, long *out);

/* Writes doc, indented, to path and frees it. 0, or -1 with errno. */
int fig_report_write(cJSON *doc, const char *path);

#endif
