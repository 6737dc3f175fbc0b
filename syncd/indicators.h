/* indicators.h - the province's 2025 digital-plan indicators T1-T6 from the store's cases:
 * estimates, 95% confidence intervals from the sample design, targets and gaps, by province,
 * district or commune; writers for JSON, a text table and CSV. Method: docs/indicators.md. */
#ifndef SYNCD_INDICATORS_H
#define SYNCD_INDICATORS_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "store.h"

/* The level the estimates are grouped by. */
typedef enum ind_level {
    IND_PROVINCE,        /* one group: the whole province */
    IND_FORMER_DISTRICT, /* one group per former district (before the reform), through the
                            table of units: a unit made from two is a group of its own */
    IND_COMMUNE          /* one group per unit of today (syncd/place.h) */
} ind_level;

/* "province", "former-district", "commune". */
const char *ind_level_name(ind_level l);
/* The level called name ("district" is read as "former-district"), or -1. */
int ind_level_parse(const char *name);

#define IND_UNPLACED_KEY "unplaced" /* the group of the cases no unit of today holds */

#define IND_COUNT 6 /* T1..T6, in this order: ind[0] is T1 */

/* How an interval was computed. */
typedef enum ind_ci_method {
    IND_CI_NONE,     /* no estimate (empty denominator) or not measurable (T6) */
    IND_CI_TAYLOR,   /* weighted; Taylor linearization of the ratio, strata and PSUs */
    IND_CI_BINOMIAL, /* unweighted; Wilson score interval on the units, no design */
    IND_CI_REPLICATE /* weighted; the variance from replicate weights (the report's
                        variance names the method; the calibration redone in each, the
                        nonresponse factors kept), the interval estimate +- 1.96 se */
} ind_ci_method;

/* "none", "taylor", "binomial", "replicate" (the JSON and CSV spelling). */
const char *ind_ci_method_name(ind_ci_method m);

/* One indicator in one group. Percentages are 0-100. When defined is 0 (no unit in the
 * denominator, or T6), estimate, se, ci_low, ci_high and gap are NaN (JSON null). */
typedef struct ind_value {
    const char *code;      /* "T1".."T6"; static */
    const char *label_vi;  /* "Hộ gia đình có băng rộng cố định"; static */
    const char *label_en;  /* "Households with fixed broadband"; static */
    const char *unit;      /* "% of households", "% of persons 15+", "% of persons 5+",
                              "% of GRDP"; static */
    const char *unit_kind; /* "household", "person", or "" (T6); static */
    double target;         /* the plan's 2025 target, % */
    int measurable;        /* 0 for T6: out of scope for a household survey */
    int defined;           /* 1 when there is an estimate */
    double estimate;       /* %: 100 * num_w / den_w */
    double se;             /* standard error, percentage points */
    double ci_low;         /* 95% CI, %, clamped to [0, 100] */
    double ci_high;
    double num_w;      /* weighted numerator (unweighted: a count) */
    double den_w;      /* weighted denominator (unweighted: a count) */
    long n_num;        /* units in the numerator, unweighted */
    long n_units;      /* units in the denominator, unweighted (households or persons) */
    long n_households; /* households behind it (those contributing to the denominator) */
    double gap;        /* target - estimate, percentage points: > 0 short of the target,
                          <= 0 reached */
    int weighted;      /* 1 when sample weights were used */
    ind_ci_method ci_method;
    /* weighted reports (else NaN): num_w is the estimated total (households with fixed
     * broadband, persons using the internet) */
    double total_se;                /* the total's standard error */
    double total_low, total_high;   /* its 95% interval, clamped at 0 */
    double deff;                    /* design effect: the variance over that of a simple
                                       random sample of the same households (R's deff) */
    double diff_ref, diff_ref_se;   /* a domain's estimate minus its reference category's in
                                       the same group, percentage points, and its se */
    double diff_prov, diff_prov_se; /* a commune's or district's estimate minus the
                                       province's (the same category), and its se */
    long reps_dropped;              /* replicate errors: replicates in which the group had no
                                       unit in the denominator, left out (R's na.omit) */
} ind_value;

/* How the weights are made before the estimates (docs/indicators.md, "Weights"). */
/* How the standard errors are computed in a weighted report. */
typedef enum ind_variance {
    IND_VAR_TAYLOR,   /* linearization (after calibration: its residuals, as R's calibrate) */
    IND_VAR_REPLICATE /* replicate weights: the calibration redone in each (the nonresponse
                         factors kept, as in the Taylor errors) */
} ind_variance;

typedef struct ind_options {
    const char *nonresponse; /* NULL: the frame's weights as they are; else the weighting
                                classes: "stratum" and/or questions the frame pre-fills,
                                comma-separated ("stratum,commune"), crossed */
    long min_respondents;    /* collapsing: a class needs this many; 0: 20 */
    double max_factor;       /* collapsing: and a factor at most this; 0: 2 */
    const char *calibrate;   /* NULL, or the totals file the weights are calibrated to
                                (docs/indicators.md, "Calibration") */
    int calfun;              /* wt_calfun (common/weight.h): linear (default), raking, logit */
    double lower, upper;     /* bounds on the calibration factors; 0: none */
    ind_variance variance;
    int replicates;          /* rep_method (common/replicate.h) for IND_VAR_REPLICATE */
    long reps;               /* bootstrap replicates; 0: 100 */
    unsigned long long seed; /* the bootstrap's seed; 0: 1 */
    const char *domain;      /* NULL, or --by's question: a select_one or a numeric question
                                with ranges ("m_age=15-24,25-64,65+"), of the household or of
                                its members, or urban_rural */
    errlist *problems;       /* NULL, or where every problem of the totals file goes (the
                                error then says how many) */
} ind_options;

#define IND_BOOTSTRAP_REPS 100
#define IND_DOMAIN_MAX     32 /* categories of a domain */

#define IND_NR_MIN_RESPONDENTS 20
#define IND_NR_MAX_FACTOR      2.0

/* One weighting class of the nonresponse adjustment. */
typedef struct ind_nr_class {
    char *key;               /* "123", or "123 × 4012" for crossed classes */
    long sampled, responded; /* households of the frame with a weight; completed */
    double rate;             /* weighted response rate, 0-1 */
    double factor;           /* the factor of its group */
    size_t into;             /* index of the first class of its group (itself alone) */
} ind_nr_class;

/* One group: the province, a district or a commune. */
typedef struct ind_group {
    char *key;              /* "" (province), former districts "123" or "122+125", a unit's code
                               "03646", or IND_UNPLACED_KEY */
    char *name;             /* "Tỉnh Sơn La", the district's or the unit's name (vi) */
    char *name_en;          /* the English name */
    char *former_districts; /* of a unit of today ("122+125"); "" otherwise */
    long cases;             /* cases of the group in the report (interviews + refusals) */
    long households;        /* completed interviews (non-refusals) */
    long persons;           /* roster members of those households */
    long refusals;          /* non-response: counted here, left out of every estimate */
    long no_weight;         /* weighted report: completed cases without a weight, left out */
    /* with a domain (--by QUESTION): one group per category of each key, after the key's
     * whole group; cases, households and persons are then the category's (refusals are
     * counted in the whole group: they answered nothing) */
    char *domain;      /* the category's code ("2", "15-24", "urban"); NULL: the whole group */
    char *domain_name; /* its label: "Nữ", "15-24" */
    int domain_index;  /* its place in the domain's order, -1 for the whole group */
    ind_value ind[IND_COUNT];
} ind_group;

/* One margin of a calibration: what the weights gave before and after. */
typedef struct ind_cal_margin {
    char *margin, *category;
    double total;  /* known */
    double before; /* the weights before calibration */
    double after;  /* after */
} ind_cal_margin;

/* A case the table of units cannot place: reported, never dropped (it counts in the province
 * and in the IND_UNPLACED_KEY group). */
typedef struct ind_unplaced {
    char *case_id;
    int form_version;
    const char *how;  /* "ambiguous" or "unknown"; static */
    char *recorded;   /* the area code as recorded; "" when none */
    char *candidates; /* ambiguous: the units it may be in, "03980 Phường Mộc Châu; ..." */
} ind_unplaced;

/* A whole report. Plain data: read it directly. */
typedef struct ind_report {
    ind_level level;
    char *status;            /* "approved" or "all" */
    char *form_id;           /* the form the cases answer ("" when there is none) */
    int weighted;            /* 1 when any completed case carries a sample weight: every
                                estimate is weighted and its CI from the design */
    ind_ci_method ci_method; /* IND_CI_TAYLOR when weighted, else IND_CI_BINOMIAL */
    const char *lonely_psu;  /* the rule for a stratum with one PSU: "adjust" (static) */
    long cases, households, persons, refusals; /* the whole province */
    long no_weight;       /* weighted: completed cases without a weight, left out */
    long design_fallback; /* cases whose stratum/PSU came from the answers (district;
                             commune_code + village) because the frame had none */
    long strata, psus;    /* weighted: strata and PSUs in the design */
    long lonely_strata;   /* weighted: strata with a single PSU (rule: lonely_psu) */
    long duplicates;      /* cases in the report flagged as possible duplicates (kept) */
    ind_group *groups;    /* by key: district codes, commune codes ascending */
    size_t ngroups;
    char *units;            /* the table of units of today ("sonla_2025"), "" when none */
    long placed[6];         /* cases by place_how (syncd/place.h): as recorded, mapped, ... */
    ind_unplaced *unplaced; /* the cases no unit of today holds, by case id */
    size_t nunplaced;
    /* nonresponse (nr_by NULL when the weights are the frame's as they are) */
    char *nr_by; /* the classes asked for: "stratum" */
    long nr_min; /* the collapsing rule used */
    double nr_max;
    long nr_sampled;     /* households of the frame with a weight */
    long nr_responded;   /* of them with a completed interview (of the status reported) */
    long nr_refused;     /* with a refusal and no completed interview */
    long nr_not_reached; /* with no case at all */
    ind_nr_class *nr;    /* by key, as the groups are ordered */
    size_t nnr;
    /* calibration (cal_file NULL when none) */
    char *cal_file;
    const char *cal_fn;          /* "linear", "raking", "logit" (static) */
    double cal_lower, cal_upper; /* bounds on the factors (-inf, inf: none) */
    int cal_iterations;
    double cal_misfit;           /* the largest relative misfit left */
    double cal_g_min, cal_g_max; /* the factors' range */
    ind_cal_margin *cal;
    size_t ncal;
    /* the standard errors: "taylor", "binomial" (unweighted), "jk1", "jkn", "bootstrap" */
    const char *variance;
    long reps;               /* replicates used, 0 for Taylor */
    unsigned long long seed; /* bootstrap */
    char *domain;            /* the --by question ("m_sex"), NULL when none */
    char *domain_ref;        /* its reference category (the first): diff_ref is against it */
} ind_report;

/* Computes T1-T6 over every case of the household form ("sonla_ict_household" when it is
 * published, else the only published form) whose status is status ("approved", or NULL
 * for all), grouped by level. Refusals (outcome "refusal") are counted as non-response and
 * left out of the estimates. A store with no form or no case gives a report with one empty
 * province group (province level) or no group (district, commune), every estimate
 * undefined. *out belongs to the caller (ind_report_free). Returns 0, DT_ENOMEM, or the
 * store's error (DT_EIO...). */
int ind_compute(ind_report **out, store *s, ind_level level, const char *status, dt_err *err);

/* ind_compute with the weights made as o says (NULL: the frame's as they are). A
 * nonresponse adjustment needs a frame with weights: DT_EINVAL with a message when the store
 * has none, or when a class names a question no household of the frame has. */
int ind_compute_opts(ind_report **out, store *s, ind_level level, const char *status,
                     const ind_options *o, dt_err *err);

/* ind_compute at level, and, when province is not NULL, the province's report too from the
 * same read of the store (a page showing both reads the store once). *province belongs to
 * the caller. */
int ind_compute_pair(ind_report **out, ind_report **province, store *s, ind_level level,
                     const char *status, dt_err *err);

/* Frees a report. Accepts NULL. */
void ind_report_free(ind_report *r);

/* Each completed household's weight as the report made it, and its replicate weights, for
 * the exports (docs/exports.md, "Weights"). */
typedef struct ind_weights {
    size_t n, nrep;
    char **case_id;     /* n, owned, in strcmp order */
    double *w;          /* n: the final weight; NaN for a household without a frame weight */
    double *rep;        /* n x nrep: household i's replicate r at rep[i * nrep + r] */
    const char *method; /* "jk1", "jkn", "bootstrap", NULL without replicates (static) */
    double scale;       /* the replicates' variance: scale * sum_r rscale[r] (t_r - mean)^2 */
    double *rscale;     /* nrep, owned */
    unsigned long long seed;
    char *how; /* one line: how the weights were made, owned */
} ind_weights;

/* The weights ind_compute_opts would use with o (NULL: the frame's) for the cases of status,
 * and, with o->variance IND_VAR_REPLICATE, the replicates. *out belongs to the caller
 * (ind_weights_free). DT_EINVAL when the store has no weights (or as ind_compute_opts). */
int ind_compute_weights(ind_weights *out, store *s, const char *status, const ind_options *o,
                        dt_err *err);
/* The index of case_id in w, or -1. */
long ind_weights_find(const ind_weights *w, const char *case_id);
void ind_weights_free(ind_weights *w);

/* The report as JSON: {"level", "status", "form_id", "weighted", "ci_method", "lonely_psu",
 * "cases", "households", "persons", "refusals", "no_weight", "design_fallback", "strata",
 * "psus", "lonely_strata", "duplicates", "groups": [{"key", "name", "name_en", "district", "cases",
 * "households", "persons", "refusals", "no_weight", "indicators": [{"code", "label_vi", "label_en",
 * "unit", "unit_kind", "target", "measurable", "estimate", "se", "ci_low", "ci_high",
 * "numerator", "denominator", "n_numerator", "n_units", "households", "gap", "weighted",
 * "ci_method", "note"}]}]}. NaN becomes null. *out belongs to the caller; DT_ENOMEM. */
int ind_report_json(cJSON **out, const ind_report *r, dt_err *err);

/* Writes the report as a text table for people (one block per group: code, indicator
 * "vi — en", estimate %, 95% CI, target, gap, n units, households; T6 as out of scope;
 * then refusals and the design note). Returns 0 or DT_EIO. */
int ind_report_table(FILE *fp, const ind_report *r, dt_err *err);

/* Writes the lines about the method: the design (weighted, strata, PSUs, the single-PSU
 * rule) or the binomial interval, cases left out, possible duplicates. */
void ind_report_note(FILE *fp, const ind_report *r);

/* Writes how the cases were placed in the units of today and every case not placed, with its
 * id (nothing when the form declares no table of units). Part of ind_report_note. */
void ind_report_placement(FILE *fp, const ind_report *r);

/* Writes the report as CSV (RFC 4180, UTF-8, header row), one row per group and
 * indicator: level, key, name, code, label_vi, label_en, unit, target, measurable,
 * estimate, se, ci_low, ci_high, numerator, denominator, n_numerator, n_units, households,
 * gap, weighted, ci_method, refusals. Empty fields where there is no value.
 * Returns 0 or DT_EIO. */
int ind_report_csv(FILE *fp, const ind_report *r, dt_err *err);

#endif
