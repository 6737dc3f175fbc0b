/* cmd_weights.c - the weighting options `syncd indicators` and `syncd export --weights` share:
 * nonresponse classes, calibration to known totals, the variance and its replicates */
#include "cmd.h"
#include "indicators.h"
#include "replicate.h"
#include "sconf.h"
#include "weight.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* text as a number in [lo, hi] into *out (a whole number when lo is a whole number and the
 * text has no point); 0 when it is not one. */
static int number_in(const char *text, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(text, &end);

    if (end == text || *end || !isfinite(v) || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* --calibrate's companions. 0, or EXIT_USAGE with a message. */
static int read_calibration(const char *calfun, const char *bounds, ind_options *opt)
{
    if ((calfun || bounds) && !opt->calibrate) {
        fprintf(stderr, "syncd: --calfun and --bounds go with --calibrate\n");
        return EXIT_USAGE;
    }
    opt->calfun = calfun ? wt_calfun_parse(calfun) : WT_LINEAR;
    if (opt->calfun < 0) {
        fprintf(stderr, "syncd: --calfun %s: expected linear, raking or logit\n", calfun);
        return EXIT_USAGE;
    }
    if (bounds) {
        char lo[64];
        const char *comma = strchr(bounds, ',');
        if (!comma || (size_t)(comma - bounds) >= sizeof(lo)) {
            fprintf(stderr, "syncd: --bounds %s: expected LOWER,UPPER (0.5,2)\n", bounds);
            return EXIT_USAGE;
        }
        snprintf(lo, sizeof(lo), "%.*s", (int)(comma - bounds), bounds);
        if (!number_in(lo, 1e-9, 1, &opt->lower) || !number_in(comma + 1, 1, 1e9, &opt->upper)) {
            fprintf(stderr,
                    "syncd: --bounds %s: expected a lower bound in (0, 1] and an upper "
                    "bound of at least 1\n",
                    bounds);
            return EXIT_USAGE;
        }
    }
    if (opt->calfun == WT_LOGIT && (!bounds || !(opt->lower < 1 && opt->upper > 1))) {
        fprintf(stderr, "syncd: --calfun logit needs --bounds LOWER,UPPER with LOWER < 1 < "
                        "UPPER\n");
        return EXIT_USAGE;
    }
    return 0;
}

/* --variance and the replicates'. 0, or EXIT_USAGE with a message. */
static int read_variance(const char *variance, const char *method, const char *reps,
                         const char *seed, ind_options *opt)
{
    double d;

    if (variance && strcmp(variance, "taylor") && strcmp(variance, "replicate")) {
        fprintf(stderr, "syncd: --variance %s: expected taylor or replicate\n", variance);
        return EXIT_USAGE;
    }
    opt->variance = variance && !strcmp(variance, "replicate") ? IND_VAR_REPLICATE : IND_VAR_TAYLOR;
    if ((method || reps || seed) && opt->variance != IND_VAR_REPLICATE) {
        fprintf(stderr, "syncd: --replicates, --reps and --seed go with --variance replicate\n");
        return EXIT_USAGE;
    }
    opt->replicates = method ? rep_method_parse(method) : REP_JKN;
    if (opt->replicates < 0) {
        fprintf(stderr, "syncd: --replicates %s: expected jk1, jkn or bootstrap\n", method);
        return EXIT_USAGE;
    }
    if ((reps || seed) && opt->replicates != REP_BOOTSTRAP) {
        fprintf(stderr, "syncd: --reps and --seed go with --replicates bootstrap (a jackknife "
                        "has one replicate per PSU)\n");
        return EXIT_USAGE;
    }
    if (reps && (!number_in(reps, 2, 100000, &d) || d != floor(d))) {
        fprintf(stderr, "syncd: --reps %s: expected a whole number from 2 to 100000\n", reps);
        return EXIT_USAGE;
    }
    opt->reps = reps ? (long)d : 0;
    if (seed && (!number_in(seed, 1, 9007199254740992.0, &d) || d != floor(d))) {
        fprintf(stderr, "syncd: --seed %s: expected a whole number from 1\n", seed);
        return EXIT_USAGE;
    }
    opt->seed = seed ? (unsigned long long)d : 0;
    return 0;
}

/* --nonresponse's companions. 0, or EXIT_USAGE with a message. */
static int read_nonresponse(const char *min_resp, const char *max_factor, ind_options *opt)
{
    double d = 0;

    if ((min_resp || max_factor) && !opt->nonresponse) {
        fprintf(stderr, "syncd: --min-respondents and --max-factor go with --nonresponse\n");
        return EXIT_USAGE;
    }
    if (min_resp && (!number_in(min_resp, 1, 1e6, &d) || d != floor(d))) {
        fprintf(stderr, "syncd: --min-respondents %s: expected a whole number from 1\n", min_resp);
        return EXIT_USAGE;
    }
    opt->min_respondents = min_resp ? (long)d : 0;
    if (max_factor && !number_in(max_factor, 1, 1e6, &opt->max_factor)) {
        fprintf(stderr, "syncd: --max-factor %s: expected a number of at least 1\n", max_factor);
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_weight_options(int *argc, char **argv, ind_options *opt)
{
    int bad = 0;
    const char *min_resp, *max_factor, *calfun, *bounds, *variance, *method, *reps, *seed;

    opt->nonresponse = sconf_take_opt(argc, argv, "--nonresponse", &bad);
    min_resp = sconf_take_opt(argc, argv, "--min-respondents", &bad);
    max_factor = sconf_take_opt(argc, argv, "--max-factor", &bad);
    opt->calibrate = sconf_take_opt(argc, argv, "--calibrate", &bad);
    calfun = sconf_take_opt(argc, argv, "--calfun", &bad);
    bounds = sconf_take_opt(argc, argv, "--bounds", &bad);
    variance = sconf_take_opt(argc, argv, "--variance", &bad);
    method = sconf_take_opt(argc, argv, "--replicates", &bad);
    reps = sconf_take_opt(argc, argv, "--reps", &bad);
    seed = sconf_take_opt(argc, argv, "--seed", &bad);
    if (bad) {
        fprintf(stderr, "syncd: a weighting option without its value\n");
        return EXIT_USAGE;
    }
    int rc = read_nonresponse(min_resp, max_factor, opt);
    if (!rc)
        rc = read_calibration(calfun, bounds, opt);
    if (!rc)
        rc = read_variance(variance, method, reps, seed, opt);
    return rc;
}
