/* replicate.h - replicate weights for a stratified sample of PSUs: the delete-one jackknife
 * over all PSUs (JK1) or within strata (JKn), and the Rao-Wu bootstrap (n_h - 1 PSUs drawn
 * with replacement in each stratum), with the variance of an estimate from its replicates,
 * as R's survey::as.svrepdesign types "JK1", "JKn" and "subbootstrap" define them. Pure
 * arithmetic and a seeded generator of its own: the same seed gives the same weights on
 * every machine. Formulas: docs/indicators.md, "Replicate weights". */
#ifndef DT_REPLICATE_H
#define DT_REPLICATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum rep_method { REP_JK1, REP_JKN, REP_BOOTSTRAP } rep_method;

/* "jk1", "jkn", "bootstrap"; rep_method_parse returns -1 for another name. */
const char *rep_method_name(rep_method m);
int rep_method_parse(const char *name);

/* A set of replicates: replicate r multiplies the weight of every unit of PSU k by
 * mult[r * npsu + k]. The variance of an estimate theta with replicates theta_r is
 *   scale * sum_r rscale[r] (theta_r - c)^2,
 * c the mean of the replicates (R's default, survey.replicates.mse = FALSE) or theta. */
typedef struct rep_weights {
    rep_method method;
    size_t nrep, npsu;
    double *mult;   /* nrep x npsu, owned */
    double scale;   /* JK1 (n-1)/n; JKn 1; bootstrap 1/(nrep-1) */
    double *rscale; /* nrep, owned: JKn (n_h-1)/n_h of the replicate's stratum; else 1 */
    size_t lonely;  /* strata with a single PSU met (see rep_make) */
} rep_weights;

/* Makes the replicates of a design of npsu PSUs, PSU k in stratum psu_stratum[k] (<
 * nstrata). JK1: one replicate per PSU, the strata ignored. JKn: one per PSU of each stratum
 * with two or more, and for a stratum with a single PSU R's "adjust" replicate (its PSU
 * dropped, every other PSU's weight times S/(S-1) for S strata, rscale (S-1)/S). Bootstrap:
 * nrep replicates from seed; a stratum with a single PSU keeps factor 1 in every replicate
 * (it adds nothing to the variance: R's subbootstrap cannot take one). Returns 0, or -1
 * (bad design: a stratum out of range, JK1 with one PSU, a bootstrap with fewer than 2
 * replicates; or no memory). rep_free frees what it made. */
int rep_make(rep_weights *out, rep_method m, const size_t *psu_stratum, size_t npsu, size_t nstrata,
             size_t nrep, uint64_t seed);
void rep_free(rep_weights *rw);

/* The variance from the replicates' estimates theta_r (nrep of them); mse 1 centres them at
 * theta, 0 at their mean. A replicate whose estimate is not a number (a domain with no unit in
 * it: 0/0) is left out, the scale unchanged, as R's svrVar does with its default na.omit;
 * *dropped (when not NULL) says how many. NaN when every one is. */
double rep_variance(const rep_weights *rw, const double *theta_r, double theta, int mse,
                    size_t *dropped);

#endif
