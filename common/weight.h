/* weight.h - the weights a statistics office publishes with: design weights adjusted for
 * nonresponse by weighting classes, then calibrated to totals known from outside the survey
 * (post-stratification, raking, linear or logit calibration with bounds on the factors, as
 * R's survey::calibrate computes them), and the residuals that give the linearized variance
 * of an estimate after calibration. Pure arithmetic: no I/O, no globals. The formulas and
 * their R equivalents: docs/indicators.md, "Weights". */
#ifndef DT_WEIGHT_H
#define DT_WEIGHT_H

#include <stddef.h>

/* ---- nonresponse: weighting classes */

/* One sampled unit (a household of the frame): its design weight, its class (an index the
 * caller chose: the stratum, or a cell of the columns the survey names) and whether it
 * responded (a completed interview). Refusals and households not reached are both
 * nonrespondents. */
typedef struct wt_nr_unit {
    double d;
    size_t cls;
    int responded;
} wt_nr_unit;

/* What happened to one class. */
typedef struct wt_nr_class {
    size_t sampled, responded; /* units */
    double w_sampled;          /* sum of d over its sampled units */
    double w_responded;        /* sum of d over its respondents */
    double rate;               /* weighted response rate w_responded / w_sampled; NaN when
                                  the class has no unit */
    size_t into;               /* the first class of the group it was collapsed into
                                  (itself when it stands alone) */
    double factor;             /* the adjustment its respondents' weights are multiplied by:
                                  1 / the group's weighted response rate */
} wt_nr_class;

/* The collapsing rule: a group of classes (first each class alone) with fewer than
 * min_respondents respondents or a factor above max_factor is merged with the next group in
 * class order (the previous one for the last group), and so on until every group passes or
 * one group is left. Empty classes (no unit) take no part. */
typedef struct wt_nr_rule {
    size_t min_respondents; /* e.g. 20 */
    double max_factor;      /* e.g. 2.0 (a response rate under 50 %); <= 0: no limit */
} wt_nr_rule;

/* Adjusts the design weights: w[i] = d * factor of its class for a respondent, 0 for a
 * nonrespondent. cls[] (ncls entries) receives each class's report. Returns 0, or -1 when a
 * unit's class is out of range, a weight is not positive, no unit responded, or memory
 * runs out. */
int wt_nonresponse(double *w, wt_nr_class *cls, size_t ncls, const wt_nr_unit *u, size_t n,
                   const wt_nr_rule *rule);

/* ---- calibration */

/* R's calibration functions (survey::cal.linear, cal.raking, cal.logit): the factor g as a
 * function of the linear predictor u: linear g = 1 + u (cut at the bounds), raking
 * g = exp(u) (the fixed point of iterative proportional fitting for categorical margins),
 * logit bounded in (lower, upper). */
typedef enum wt_calfun { WT_LINEAR, WT_RAKING, WT_LOGIT } wt_calfun;

/* The calibration columns of n units, p columns, by rows of their non-zero values (compressed
 * sparse rows: a household has a value in one column per margin, so a province's 300,000
 * households and 100 columns are a few million numbers): row i's values are val[row[i]] ..
 * val[row[i+1]-1] in columns col[..]. */
typedef struct wt_matrix {
    size_t n, p;
    const size_t *row; /* n + 1 */
    const size_t *col;
    const double *val;
} wt_matrix;

/* "linear", "raking", "logit"; wt_calfun_parse returns -1 for another name. */
const char *wt_calfun_name(wt_calfun f);
int wt_calfun_parse(const char *name);

typedef struct wt_cal_opts {
    wt_calfun fn;
    double lower, upper; /* bounds on g: -INFINITY/INFINITY for none (logit needs both,
                            lower < 1 < upper) */
    double epsilon;      /* stop when every |T_j - t_j| / (1 + |T_j|) < epsilon */
    int maxit;           /* Newton steps, e.g. 50 */
} wt_cal_opts;

typedef enum wt_cal_status {
    WT_CAL_OK,
    WT_CAL_EMPTY,       /* column worst has a known total but no sample unit has it */
    WT_CAL_NO_CONVERGE, /* maxit steps and column worst is still off by misfit */
    WT_CAL_BAD          /* bad arguments (a weight negative, logit without bounds) or no
                           memory */
} wt_cal_status;

typedef struct wt_cal_result {
    wt_cal_status status;
    int iterations;
    double misfit; /* the largest |T_j - t_j| / (1 + |T_j|) at the end */
    size_t worst;  /* its column */
    double g_min, g_max;
} wt_cal_result;

/* Calibrates: finds g[i] so that sum_i d_i g_i x_ij = totals[j] for every column j of x
 * (for categorical margins, 0/1 indicators; for persons counted in a household's weight, the
 * household's counts), by R's Newton iteration (survey:::grake;
 * collinear columns, such as two full sets of indicators, are fine when the totals agree).
 * Columns whose sample total and known total are both 0 are dropped, as R does. Fills res;
 * returns 0 when res->status is WT_CAL_OK, else -1. */
int wt_calibrate(double *g, const double *d, const wt_matrix *x, const double *totals,
                 const wt_cal_opts *o, wt_cal_result *res);

/* The weighted least squares of the calibration columns, factored once: for an estimate's
 * residuals after calibration (wt_cal_residuals), when many estimates share one design. */
typedef struct wt_ls {
    size_t p;
    double *L;          /* p x p, owned: the Cholesky factor of sum_i d_i x_i x_i' */
    unsigned char *dep; /* p, owned: 1 for a column dependent on those before it */
} wt_ls;

/* Factors sum_i d_i x_i x_i'. Returns 0, or -1 (no memory, or a column out of range) with
 * nothing to free. wt_ls_free frees what it made. */
int wt_ls_make(wt_ls *out, const double *d, const wt_matrix *x);
/* b (p values: sum_i d_i x_i z_i) becomes the coefficients (sum d_i x_i x_i')^+ b: a
 * dependent column's coefficient is 0. */
void wt_ls_solve(const wt_ls *ls, double *b);
void wt_ls_free(wt_ls *ls);

/* The residuals of z regressed on the calibration columns with the design weights:
 * e_i = z_i - x_i' b, b = (sum d_i x_i x_i')^+ sum d_i x_i z_i. An estimate's linearized
 * variance after calibration is the design's variance of the PSU totals of w_i e_i, w the
 * calibrated weights (what R's svyrecvar does with a calibrated design's qr). Returns 0 or
 * -1 (no memory, or a column out of range). e may be z. */
int wt_cal_residuals(double *e, const double *z, const double *d, const wt_matrix *x);

#endif
