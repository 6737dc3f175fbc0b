/* synth.h - a synthetic Sơn La province: realistic households, every one valid against the
 * questionnaire */
#ifndef BENCH_SYNTH_H
#define BENCH_SYNTH_H

#include <stdint.h>
#include <cjson/cJSON.h>

/* A small deterministic generator (xorshift64*), so a seed gives the same
 * province on every machine. */
typedef struct synth_rng {
    uint64_t s;
} synth_rng;

void synth_seed(synth_rng *r, uint64_t seed);

/* Uniform integer in [lo, hi]. */
int synth_int(synth_rng *r, int lo, int hi);

/* 1 with probability p. */
int synth_chance(synth_rng *r, double p);

/* Builds the answers document of household number n (1-based) of the
 * sonla_ict_household form, version 1: {"form_id", "form_version", "answers"}, in a real
 * former commune of the province.
 * About 2% are refusals. Returns NULL when out of memory; the caller owns
 * the result. */
cJSON *synth_household(synth_rng *r, long n);

/* The same household in version 1 or 2 of the form: version 1 records a former commune
 * (code and name, from the table of units' predecessors, so a few are in a split one) and its
 * district; version 2 the unit of 1 July 2025. */
cJSON *synth_household_version(synth_rng *r, long n, int version);

#endif
