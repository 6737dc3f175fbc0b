/* replicate.c - jackknife and Rao-Wu bootstrap replicate weights, their variance */
#include "replicate.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *rep_method_name(rep_method m)
{
    return m == REP_JK1 ? "jk1" : m == REP_JKN ? "jkn" : "bootstrap";
}

int rep_method_parse(const char *name)
{
    for (int m = REP_JK1; m <= REP_BOOTSTRAP; m++)
        if (!strcmp(name, rep_method_name((rep_method)m)))
            return m;
    return -1;
}

/* ---- the generator: xoshiro256** seeded through splitmix64 (Blackman and Vigna), written
 * out here so that a seed means the same weights everywhere */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* A uniform integer in [0, n), n >= 1, without the bias of a plain modulo. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;

    do
        v = rng_next(r);
    while (v >= limit);
    return v % n;
}

/* ---- making them */

static int rep_alloc(rep_weights *rw, size_t nrep, size_t npsu)
{
    size_t cells = nrep * npsu;

    if ((npsu && nrep > SIZE_MAX / npsu / sizeof(double)) || nrep > SIZE_MAX / sizeof(double))
        return -1; /* a size no allocation can hold */
    rw->nrep = nrep;
    rw->npsu = npsu;
    rw->mult = malloc((cells ? cells : 1) * sizeof(*rw->mult));
    rw->rscale = malloc((nrep ? nrep : 1) * sizeof(*rw->rscale));
    if (!rw->mult || !rw->rscale)
        return -1;
    for (size_t i = 0; i < nrep * npsu; i++)
        rw->mult[i] = 1.0;
    for (size_t r = 0; r < nrep; r++)
        rw->rscale[r] = 1.0;
    return 0;
}

static int make_jk1(rep_weights *rw, size_t npsu)
{
    double n = (double)npsu;

    if (npsu < 2 || rep_alloc(rw, npsu, npsu))
        return -1;
    for (size_t r = 0; r < npsu; r++)
        for (size_t k = 0; k < npsu; k++)
            rw->mult[r * npsu + k] = k == r ? 0.0 : n / (n - 1.0);
    rw->scale = (n - 1.0) / n;
    return 0;
}

/* One replicate per PSU of a stratum with two or more; one per single-PSU stratum. */
static int make_jkn(rep_weights *rw, const size_t *ps, size_t npsu, const size_t *nh,
                    size_t nstrata)
{
    size_t nrep = 0, S = 0, r = 0;

    for (size_t h = 0; h < nstrata; h++) {
        nrep += nh[h];
        S += nh[h] > 0;
    }
    if (nrep == 0 || rep_alloc(rw, nrep, npsu))
        return -1;
    rw->scale = 1.0;
    for (size_t h = 0; h < nstrata; h++) {
        if (nh[h] == 0)
            continue;
        if (nh[h] == 1) {
            if (S < 2)
                return -1; /* a single PSU in a single stratum: no variance to estimate */
            rw->lonely++;
            for (size_t k = 0; k < npsu; k++)
                rw->mult[r * npsu + k] = ps[k] == h ? 0.0 : (double)S / (double)(S - 1);
            rw->rscale[r++] = (double)(S - 1) / (double)S;
            continue;
        }
        double n = (double)nh[h];
        for (size_t drop = 0; drop < npsu; drop++) {
            if (ps[drop] != h)
                continue;
            for (size_t k = 0; k < npsu; k++)
                if (ps[k] == h)
                    rw->mult[r * npsu + k] = k == drop ? 0.0 : n / (n - 1.0);
            rw->rscale[r++] = (n - 1.0) / n;
        }
    }
    return 0;
}

static int make_boot(rep_weights *rw, const size_t *ps, size_t npsu, const size_t *nh,
                     size_t nstrata, size_t nrep, uint64_t seed)
{
    size_t *members = malloc((npsu ? npsu : 1) * sizeof(*members));
    rng g;
    int rc = -1;

    for (int i = 0; i < 4; i++)
        g.s[i] = splitmix64(&seed);
    if (!members || nrep < 2 || rep_alloc(rw, nrep, npsu))
        goto cleanup;
    rw->scale = 1.0 / (double)(nrep - 1);
    for (size_t h = 0; h < nstrata; h++)
        rw->lonely += nh[h] == 1;
    for (size_t r = 0; r < nrep; r++) {
        double *m = &rw->mult[r * npsu];
        for (size_t h = 0; h < nstrata; h++) {
            size_t n = 0;
            if (nh[h] < 2)
                continue;
            for (size_t k = 0; k < npsu; k++)
                if (ps[k] == h) {
                    members[n++] = k;
                    m[k] = 0.0;
                }
            double f = (double)n / (double)(n - 1);
            for (size_t draw = 0; draw + 1 < n; draw++)
                m[members[rng_below(&g, n)]] += f;
        }
    }
    rc = 0;
cleanup:
    free(members);
    return rc;
}

int rep_make(rep_weights *out, rep_method m, const size_t *psu_stratum, size_t npsu, size_t nstrata,
             size_t nrep, uint64_t seed)
{
    size_t *nh = calloc(nstrata ? nstrata : 1, sizeof(*nh));
    int rc = -1;

    memset(out, 0, sizeof(*out));
    out->method = m;
    if (!nh)
        return -1;
    for (size_t k = 0; k < npsu; k++) {
        if (psu_stratum[k] >= nstrata)
            goto cleanup;
        nh[psu_stratum[k]]++;
    }
    if (m == REP_JK1)
        rc = make_jk1(out, npsu);
    else if (m == REP_JKN)
        rc = make_jkn(out, psu_stratum, npsu, nh, nstrata);
    else
        rc = make_boot(out, psu_stratum, npsu, nh, nstrata, nrep, seed);
cleanup:
    free(nh);
    if (rc)
        rep_free(out);
    return rc;
}

void rep_free(rep_weights *rw)
{
    if (!rw)
        return;
    free(rw->mult);
    free(rw->rscale);
    rw->mult = rw->rscale = NULL;
    rw->nrep = rw->npsu = 0;
}

double rep_variance(const rep_weights *rw, const double *theta_r, double theta, int mse,
                    size_t *dropped)
{
    double c = theta, v = 0.0;
    size_t kept = 0;

    if (!mse) {
        double s = 0.0;
        size_t n = 0;
        for (size_t r = 0; r < rw->nrep; r++)
            if (rw->rscale[r] > 0.0 && isfinite(theta_r[r])) {
                s += theta_r[r];
                n++;
            }
        c = n ? s / (double)n : NAN;
    }
    for (size_t r = 0; r < rw->nrep; r++)
        if (isfinite(theta_r[r])) {
            v += rw->rscale[r] * (theta_r[r] - c) * (theta_r[r] - c);
            kept++;
        }
    if (dropped)
        *dropped = rw->nrep - kept;
    return kept ? v * rw->scale : NAN;
}
