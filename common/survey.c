/* survey.c - the ratio estimator, its Taylor-linearization variance, the Wilson interval */
#include "survey.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *svy_lonely_name(svy_lonely l)
{
    return l == SVY_LONELY_CERTAINTY ? "certainty" : "adjust";
}

static double clamp01(double v)
{
    if (v < 0.0)
        return 0.0;
    if (v > 1.0)
        return 1.0;
    return v;
}

static void undefined(svy_estimate *out)
{
    out->defined = 0;
    out->r = out->se = out->lo = out->hi = NAN;
}

int svy_variance(double *var, size_t *lonely, const svy_design *d, const size_t *stratum,
                 const double *t, size_t n)
{
    double *sz = calloc(d->nstrata ? d->nstrata : 1, sizeof(*sz));
    double *szz = calloc(d->nstrata ? d->nstrata : 1, sizeof(*szz));
    size_t *listed = calloc(d->nstrata ? d->nstrata : 1, sizeof(*listed));
    double v = 0.0;
    size_t single = 0;
    int rc = -1;

    if (!sz || !szz || !listed)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        size_t h = stratum[i];
        if (h >= d->nstrata)
            goto cleanup;
        sz[h] += t[i];
        szz[h] += t[i] * t[i];
        listed[h]++;
    }
    for (size_t h = 0; h < d->nstrata; h++)
        if (listed[h] > d->npsu[h])
            goto cleanup;
    for (size_t h = 0; h < d->nstrata; h++) {
        double nh = (double)d->npsu[h];
        if (d->npsu[h] == 0)
            continue;
        if (d->npsu[h] == 1) {
            single++;
            /* adjust: centred at the population mean of the scores, which is 0 (R's
             * survey::onestrat leaves a lonely PSU's total uncentred), factor 1 */
            if (d->lonely == SVY_LONELY_ADJUST)
                v += sz[h] * sz[h];
            continue;
        }
        /* sum_i (t_i - tbar)^2 = sum t^2 - (sum t)^2 / n_h, with the unlisted zeros */
        double ss = szz[h] - sz[h] * sz[h] / nh;
        if (ss < 0.0)
            ss = 0.0; /* rounding */
        v += nh / (nh - 1.0) * ss;
    }
    *var = v;
    if (lonely)
        *lonely = single;
    rc = 0;
cleanup:
    free(sz);
    free(szz);
    free(listed);
    return rc;
}

int svy_ratio_psu(svy_estimate *out, const svy_design *d, const svy_psu *p, size_t n)
{
    double *z = NULL, Y = 0.0, X = 0.0, var = 0.0;
    size_t *stratum = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    undefined(out);
    for (size_t i = 0; i < n; i++) {
        if (p[i].stratum >= d->nstrata)
            return -1;
        Y += p[i].y;
        X += p[i].x;
    }
    out->y = Y;
    out->x = X;
    if (d->nstrata == 0 || X == 0.0)
        return 0;
    z = malloc((n ? n : 1) * sizeof(*z));
    stratum = malloc((n ? n : 1) * sizeof(*stratum));
    if (!z || !stratum)
        goto cleanup;
    /* z_i = (Y_i - R X_i) / X for each listed PSU; unlisted ones are 0 */
    double R = Y / X;
    for (size_t i = 0; i < n; i++) {
        z[i] = (p[i].y - R * p[i].x) / X;
        stratum[i] = p[i].stratum;
    }
    if (svy_variance(&var, &out->lonely_strata, d, stratum, z, n))
        goto cleanup;
    out->defined = 1;
    out->r = R;
    out->se = sqrt(var);
    out->lo = clamp01(R - SVY_Z95 * out->se);
    out->hi = clamp01(R + SVY_Z95 * out->se);
    rc = 0;

cleanup:
    free(z);
    free(stratum);
    return rc;
}

/* Maps arbitrary size_t indexes to 0..k-1 in order of first appearance. */
typedef struct index_map {
    size_t *keys;
    size_t n, cap;
} index_map;

static long map_get(index_map *m, size_t key, int add)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->keys[i] == key)
            return (long)i;
    if (!add)
        return -1;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        size_t *k = realloc(m->keys, cap * sizeof(*k));
        if (!k)
            return -2;
        m->keys = k;
        m->cap = cap;
    }
    m->keys[m->n] = key;
    return (long)m->n++;
}

int svy_ratio_units(svy_estimate *out, const svy_unit *u, size_t n, svy_lonely lonely)
{
    index_map strata = {0}, psus = {0};
    svy_psu *p = NULL;
    size_t *npsu = NULL;
    size_t cap = 0;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    undefined(out);
    for (size_t i = 0; i < n; i++) {
        if (!(u[i].w > 0.0))
            goto cleanup;
        long h = map_get(&strata, u[i].stratum, 1);
        long j = map_get(&psus, u[i].psu, 1);
        if (h < 0 || j < 0)
            goto cleanup;
        if ((size_t)j >= cap) {
            size_t ncap = cap ? cap * 2 : 16;
            while (ncap <= (size_t)j)
                ncap *= 2;
            svy_psu *np = realloc(p, ncap * sizeof(*np));
            if (!np)
                goto cleanup;
            p = np;
            cap = ncap;
        }
    }
    /* Second pass: the first one numbered strata and PSUs and sized the array; now sum,
     * checking that each PSU stays in one stratum. */
    for (size_t j = 0; j < psus.n; j++) {
        p[j].stratum = (size_t)-1;
        p[j].y = p[j].x = 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)map_get(&strata, u[i].stratum, 0);
        size_t j = (size_t)map_get(&psus, u[i].psu, 0);
        if (p[j].stratum == (size_t)-1)
            p[j].stratum = h;
        else if (p[j].stratum != h)
            goto cleanup;
        p[j].y += u[i].w * u[i].y;
        p[j].x += u[i].w * u[i].x;
    }
    npsu = calloc(strata.n ? strata.n : 1, sizeof(*npsu));
    if (!npsu)
        goto cleanup;
    for (size_t j = 0; j < psus.n; j++)
        npsu[p[j].stratum]++;
    svy_design d = {.nstrata = strata.n, .npsu = npsu, .lonely = lonely};
    rc = svy_ratio_psu(out, &d, p, psus.n);

cleanup:
    free(strata.keys);
    free(psus.keys);
    free(p);
    free(npsu);
    return rc;
}

int svy_binomial(svy_estimate *out, double k, double n)
{
    memset(out, 0, sizeof(*out));
    undefined(out);
    if (k < 0.0 || k > n)
        return -1;
    out->y = k;
    out->x = n;
    if (n <= 0.0)
        return 0;
    double p = k / n, z = SVY_Z95, z2 = z * z;
    double denom = 1.0 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    out->defined = 1;
    out->r = p;
    out->se = sqrt(p * (1.0 - p) / n);
    out->lo = clamp01(centre - half);
    out->hi = clamp01(centre + half);
    return 0;
}
