/* survey.h - design-based estimation: a ratio estimator with its Taylor-linearization
 * variance for a stratified sample of PSUs drawn with replacement within strata, and the
 * Wilson binomial interval when there is no design. Pure arithmetic: no I/O, no globals.
 * The method and its checks by hand: docs/indicators.md, tests/unit/test_survey.c. */
#ifndef DT_SURVEY_H
#define DT_SURVEY_H

#include <stddef.h>

/* The normal quantile of a two-sided 95% interval. */
#define SVY_Z95 1.96

/* What a stratum with a single PSU contributes to the variance (its own stratum mean
 * cannot be estimated). */
typedef enum svy_lonely {
    SVY_LONELY_ADJUST,   /* its total centred at 0, the population mean of a score, not
                            at its stratum mean, with factor 1 (R survey "adjust"; for a
                            ratio or a mean, whose scores' grand mean is 0, Stata's
                            "centered" too) */
    SVY_LONELY_CERTAINTY /* contributes 0, as if taken with certainty (R "certainty") */
} svy_lonely;

/* "adjust" or "certainty". */
const char *svy_lonely_name(svy_lonely l);

/* One unit (a household): its weight, and what it adds to the numerator (y) and the
 * denominator (x) of the ratio. stratum and psu are small indexes chosen by the caller;
 * a PSU index means the same PSU wherever it appears and must stay in one stratum. */
typedef struct svy_unit {
    double w;       /* sampling weight, > 0 */
    double y;       /* numerator value: 0/1 for a household, a count for persons */
    double x;       /* denominator value: 1 for a household, a count for persons */
    size_t stratum; /* stratum index */
    size_t psu;     /* PSU index */
} svy_unit;

/* One PSU's weighted totals: sum of w*y and w*x over its units (in the domain). */
typedef struct svy_psu {
    size_t stratum; /* < design's nstrata */
    double y;       /* sum of w*y */
    double x;       /* sum of w*x */
} svy_psu;

/* The sample's design as the variance needs it: how many PSUs each stratum has in the
 * whole sample (not only in a domain: PSUs not listed count as zeros, which is how a
 * domain's variance is computed). */
typedef struct svy_design {
    size_t nstrata;
    const size_t *npsu; /* npsu[h]: PSUs of stratum h in the sample, >= 1 */
    svy_lonely lonely;
} svy_design;

/* An estimate of a ratio (a proportion when y <= x), on the 0-1 scale. */
typedef struct svy_estimate {
    int defined; /* 0 when the weighted denominator is 0: nothing below means anything */
    double r;    /* sum w*y / sum w*x */
    double se;   /* standard error */
    double lo;   /* 95% interval, clamped to [0, 1] */
    double hi;
    double y;             /* sum w*y */
    double x;             /* sum w*x */
    size_t lonely_strata; /* strata with a single PSU met (handled by the design's rule) */
} svy_estimate;

/* The ratio and its Taylor-linearization variance from PSU totals:
 *   R = Y / X,  z_i = (Y_i - R X_i) / X,
 *   var = sum_h n_h/(n_h-1) sum_i (z_hi - zbar_h)^2    (i over the n_h PSUs of stratum h,
 *                                                       the unlisted ones as z = 0),
 * a single-PSU stratum as d->lonely says; interval R +- 1.96 se clamped to [0, 1].
 * p lists PSUs with their totals (several entries for the same PSU are not allowed: sum
 * them first; entries with y = x = 0 may be left out). Returns 0, or -1 when an entry's
 * stratum is out of range or a stratum lists more PSUs than d->npsu says. */
int svy_ratio_psu(svy_estimate *out, const svy_design *d, const svy_psu *p, size_t n);

/* The design's variance of a total from its PSU totals t[i] (PSU i in stratum[i]; the
 * PSUs not listed count as zeros), the formula svy_ratio_psu applies to its scores z:
 *   var = sum_h n_h/(n_h-1) sum_i (t_hi - tbar_h)^2,
 * a single-PSU stratum as d->lonely says (adjust: its total centred at 0, the population
 * mean of a score, as R's survey 4 does: for a ratio's z the mean over the sample's PSUs is 0
 * too). For a calibrated estimate, t are the PSU sums of w_i e_i (weight.h). *lonely, when
 * not NULL, receives the strata with a single PSU. Returns 0, or -1 as svy_ratio_psu. */
int svy_variance(double *var, size_t *lonely, const svy_design *d, const size_t *stratum,
                 const double *t, size_t n);

/* The same from units: sums them into PSUs, takes the strata and PSUs present as the
 * design. Returns 0, or -1 when a weight is not positive, a PSU appears in two strata,
 * or memory runs out. */
int svy_ratio_units(svy_estimate *out, const svy_unit *u, size_t n, svy_lonely lonely);

/* The unweighted proportion k/n with the Wilson score interval at 95% (no design: the
 * units are treated as a simple random sample); se is the binomial sqrt(p(1-p)/n).
 * n = 0: defined 0. Returns 0, or -1 when k > n. */
int svy_binomial(svy_estimate *out, double k, double n);

#endif
