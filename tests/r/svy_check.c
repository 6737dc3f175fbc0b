/* svy_check.c - the weighting chain of common/ (weight.h, replicate.h, survey.h) on a design
 * R generated, printed for R to compare with its survey package (tests/r/primitives.R).
 *
 *   svy_check UNITS.csv TOTALS.csv MIN_RESPONDENTS MAX_FACTOR BOOT_REPS SEED BOOT_OUT.csv
 *
 * UNITS.csv: stratum, psu (indexes from 0, a PSU in one stratum), d (design weight),
 * responded (0/1), cls (nonresponse class from 0), y, x, then calibration columns c0...;
 * TOTALS.csv: one row, a known total per calibration column. Prints "key value" lines
 * (%.17g): the adjusted weights, the ratio y/x with its Taylor standard error on them,
 * after raking and after linear calibration (weights and residual-based errors), and by
 * JK1, JKn and bootstrap replicates (the raked ones recalibrated in each replicate);
 * BOOT_OUT.csv gets the bootstrap's factors per respondent, for R's svrepdesign. */
#include "csv.h"
#include "replicate.h"
#include "survey.h"
#include "weight.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNITS 100000
#define MAX_COLS  64

typedef struct data {
    size_t n, p, nstrata, npsu, ncls;
    size_t *stratum, *psu, *cls;
    int *responded;
    double *d, *y, *x, *c, T[MAX_COLS];
} data;

static void die(const char *what)
{
    fprintf(stderr, "svy_check: %s\n", what);
    exit(1);
}

static size_t grow_max(size_t have, size_t v)
{
    return v + 1 > have ? v + 1 : have;
}

static void read_units(data *D, const char *path)
{
    csv_reader *r;
    const char *const *f;
    dt_err err;
    int nf, rc;

    if (csv_open(&r, path, MAX_UNITS + 1, &err))
        die(err.msg);
    D->p = (size_t)csv_header(r, &f) - 7;
    if (D->p > MAX_COLS)
        die("too many calibration columns");
    D->stratum = calloc(MAX_UNITS, sizeof(size_t));
    D->psu = calloc(MAX_UNITS, sizeof(size_t));
    D->cls = calloc(MAX_UNITS, sizeof(size_t));
    D->responded = calloc(MAX_UNITS, sizeof(int));
    D->d = calloc(MAX_UNITS, sizeof(double));
    D->y = calloc(MAX_UNITS, sizeof(double));
    D->x = calloc(MAX_UNITS, sizeof(double));
    D->c = calloc((size_t)MAX_UNITS * (D->p ? D->p : 1), sizeof(double));
    if (!D->stratum || !D->psu || !D->cls || !D->responded || !D->d || !D->y || !D->x || !D->c)
        die("out of memory");
    while ((rc = csv_next(r, &f, &nf, &err)) == 1) {
        size_t i = D->n++;
        D->stratum[i] = strtoul(f[0], NULL, 10);
        D->psu[i] = strtoul(f[1], NULL, 10);
        D->d[i] = strtod(f[2], NULL);
        D->responded[i] = atoi(f[3]);
        D->cls[i] = strtoul(f[4], NULL, 10);
        D->y[i] = strtod(f[5], NULL);
        D->x[i] = strtod(f[6], NULL);
        for (size_t j = 0; j < D->p; j++)
            D->c[i * D->p + j] = strtod(f[7 + j], NULL);
        D->nstrata = grow_max(D->nstrata, D->stratum[i]);
        D->npsu = grow_max(D->npsu, D->psu[i]);
        D->ncls = grow_max(D->ncls, D->cls[i]);
    }
    if (rc < 0)
        die(err.msg);
    csv_close(r);
}

static void read_totals(data *D, const char *path)
{
    csv_reader *r;
    const char *const *f;
    dt_err err;
    int nf;

    if (csv_open(&r, path, 3, &err) || csv_next(r, &f, &nf, &err) != 1 || (size_t)nf != D->p)
        die("bad totals file");
    for (size_t j = 0; j < D->p; j++)
        D->T[j] = strtod(f[j], NULL);
    csv_close(r);
}

/* The respondents only: their stratum, PSU, weight, y, x and calibration row. */
typedef struct resp {
    size_t n;
    size_t *stratum, *psu;
    double *w, *y, *x, *c;
    wt_matrix m; /* c as sparse rows, for calibration */
    size_t *mrow, *mcol;
    double *mval;
} resp;

/* R->c (dense) as the sparse rows calibration reads, its zeros left out. */
static void sparse_rows(resp *R, size_t p)
{
    size_t nz = 0;

    R->mrow = malloc((R->n + 1) * sizeof(size_t));
    R->mcol = malloc((R->n * p + 1) * sizeof(size_t));
    R->mval = malloc((R->n * p + 1) * sizeof(double));
    if (!R->mrow || !R->mcol || !R->mval)
        die("out of memory");
    for (size_t i = 0; i < R->n; i++) {
        R->mrow[i] = nz;
        for (size_t j = 0; j < p; j++)
            if (R->c[i * p + j] != 0.0) {
                R->mcol[nz] = j;
                R->mval[nz++] = R->c[i * p + j];
            }
    }
    R->mrow[R->n] = nz;
    R->m = (wt_matrix){R->n, p, R->mrow, R->mcol, R->mval};
}

/* The ratio with weights w (n_units), its scores' PSU totals into t (npsu). */
static double ratio_scores(const resp *R, const double *w, double *z)
{
    double Y = 0, X = 0;

    for (size_t i = 0; i < R->n; i++) {
        Y += w[i] * R->y[i];
        X += w[i] * R->x[i];
    }
    for (size_t i = 0; z && i < R->n; i++)
        z[i] = (R->y[i] - Y / X * R->x[i]) / X;
    return Y / X;
}

/* The design variance of sum_i w_i s_i over PSUs. */
static double design_var(const data *D, const resp *R, const double *w, const double *s)
{
    double *t = calloc(D->npsu, sizeof(*t)), var = 0;
    size_t *npsu_h = calloc(D->nstrata, sizeof(*npsu_h)), *st = calloc(D->npsu, sizeof(*st));
    unsigned char *in = calloc(D->npsu, 1);

    if (!t || !npsu_h || !st || !in)
        die("out of memory");
    for (size_t i = 0; i < R->n; i++) {
        t[R->psu[i]] += w[i] * s[i];
        st[R->psu[i]] = R->stratum[i];
        if (!in[R->psu[i]]) {
            in[R->psu[i]] = 1;
            npsu_h[R->stratum[i]]++;
        }
    }
    svy_design des = {.nstrata = D->nstrata, .npsu = npsu_h, .lonely = SVY_LONELY_ADJUST};
    if (svy_variance(&var, NULL, &des, st, t, D->npsu))
        die("bad design");
    free(t);
    free(npsu_h);
    free(st);
    free(in);
    return var;
}

static void calibrated(const data *D, const resp *R, const wt_cal_opts *o, const char *name,
                       double *wcal)
{
    double *g = malloc(R->n * sizeof(*g)), *z = malloc(R->n * sizeof(*z));
    wt_cal_result res;

    if (!g || !z || wt_calibrate(g, R->w, &R->m, D->T, o, &res))
        die("calibration failed");
    for (size_t i = 0; i < R->n; i++)
        wcal[i] = R->w[i] * g[i];
    double r = ratio_scores(R, wcal, z);
    if (wt_cal_residuals(z, z, R->w, &R->m))
        die("out of memory");
    printf("%s_ratio %.17g\n%s_se %.17g\n", name, r, name, sqrt(design_var(D, R, wcal, z)));
    for (size_t i = 0; i < R->n; i++)
        printf("%s_w %zu %.17g\n", name, i, wcal[i]);
    free(g);
    free(z);
}

/* The replicates' ratios, with the raking redone in each when o is not NULL. */
static double replicate_se(const data *D, const resp *R, const rep_weights *rw,
                           const wt_cal_opts *o, double full)
{
    double *th = malloc(rw->nrep * sizeof(*th)), *wr = malloc(R->n * sizeof(*wr));
    double *g = malloc(R->n * sizeof(*g));
    wt_cal_result res;

    if (!th || !wr || !g)
        die("out of memory");
    for (size_t r = 0; r < rw->nrep; r++) {
        for (size_t i = 0; i < R->n; i++)
            wr[i] = R->w[i] * rw->mult[r * rw->npsu + R->psu[i]];
        if (o) {
            if (wt_calibrate(g, wr, &R->m, D->T, o, &res)) {
                fprintf(stderr, "svy_check: %s replicate %zu: status %d, column %zu, misfit %g\n",
                        rep_method_name(rw->method), r, res.status, res.worst, res.misfit);
                exit(1);
            }
            for (size_t i = 0; i < R->n; i++)
                wr[i] *= g[i];
        }
        th[r] = ratio_scores(R, wr, NULL);
    }
    double v = rep_variance(rw, th, full, 0, NULL);
    free(th);
    free(wr);
    free(g);
    return sqrt(v);
}

int main(int argc, char **argv)
{
    data D = {0};
    resp R = {0};

    if (argc != 8)
        die("usage: svy_check UNITS.csv TOTALS.csv MIN_RESP MAX_FACTOR REPS SEED BOOT_OUT.csv");
    read_units(&D, argv[1]);
    read_totals(&D, argv[2]);

    /* nonresponse */
    wt_nr_unit *u = malloc(D.n * sizeof(*u));
    wt_nr_class *cls = malloc(D.ncls * sizeof(*cls));
    double *w = malloc(D.n * sizeof(*w));
    wt_nr_rule rule = {.min_respondents = strtoul(argv[3], NULL, 10),
                       .max_factor = strtod(argv[4], NULL)};
    if (!u || !cls || !w)
        die("out of memory");
    for (size_t i = 0; i < D.n; i++)
        u[i] = (wt_nr_unit){D.d[i], D.cls[i], D.responded[i]};
    if (wt_nonresponse(w, cls, D.ncls, u, D.n, &rule))
        die("nonresponse adjustment failed");
    for (size_t k = 0; k < D.ncls; k++)
        printf("nr_factor %zu %.17g\nnr_into %zu %zu\n", k, cls[k].factor, k, cls[k].into);

    /* the respondents with their adjusted weights */
    R.stratum = malloc(D.n * sizeof(size_t));
    R.psu = malloc(D.n * sizeof(size_t));
    R.w = malloc(D.n * sizeof(double));
    R.y = malloc(D.n * sizeof(double));
    R.x = malloc(D.n * sizeof(double));
    R.c = malloc(D.n * (D.p ? D.p : 1) * sizeof(double));
    if (!R.stratum || !R.psu || !R.w || !R.y || !R.x || !R.c)
        die("out of memory");
    for (size_t i = 0; i < D.n; i++) {
        if (!D.responded[i])
            continue;
        size_t k = R.n++;
        R.stratum[k] = D.stratum[i];
        R.psu[k] = D.psu[i];
        R.w[k] = w[i];
        R.y[k] = D.y[i];
        R.x[k] = D.x[i];
        memcpy(&R.c[k * D.p], &D.c[i * D.p], D.p * sizeof(double));
    }
    sparse_rows(&R, D.p);
    for (size_t i = 0; i < R.n; i++)
        printf("nr_w %zu %.17g\n", i, R.w[i]);

    /* Taylor on the adjusted weights */
    double *z = malloc(R.n * sizeof(*z)), *wcal = malloc(R.n * sizeof(*wcal));
    if (!z || !wcal)
        die("out of memory");
    double r = ratio_scores(&R, R.w, z);
    printf("taylor_ratio %.17g\ntaylor_se %.17g\n", r, sqrt(design_var(&D, &R, R.w, z)));

    /* calibrated */
    const wt_cal_opts lin = {WT_LINEAR, -INFINITY, INFINITY, 1e-13, 100};
    const wt_cal_opts rak = {WT_RAKING, -INFINITY, INFINITY, 1e-13, 100};
    calibrated(&D, &R, &lin, "linear", wcal);
    calibrated(&D, &R, &rak, "raking", wcal);
    double raked = ratio_scores(&R, wcal, NULL);

    /* replicates, by PSU */
    size_t *ps = malloc(D.npsu * sizeof(*ps));
    if (!ps)
        die("out of memory");
    for (size_t i = 0; i < D.n; i++)
        ps[D.psu[i]] = D.stratum[i];
    rep_weights rw;
    const rep_method ms[] = {REP_JK1, REP_JKN, REP_BOOTSTRAP};
    for (size_t m = 0; m < 3; m++) {
        if (rep_make(&rw, ms[m], ps, D.npsu, D.nstrata, strtoul(argv[5], NULL, 10),
                     strtoull(argv[6], NULL, 10)))
            die("replicates failed");
        if (ms[m] == REP_BOOTSTRAP) {
            FILE *out = fopen(argv[7], "w");
            if (!out)
                die("cannot write the bootstrap's factors");
            for (size_t i = 0; i < R.n; i++)
                for (size_t k = 0; k < rw.nrep; k++)
                    fprintf(out, "%.17g%c", rw.mult[k * rw.npsu + R.psu[i]],
                            k + 1 < rw.nrep ? ',' : '\n');
            fclose(out);
        }
        printf("%s_se %.17g\n", rep_method_name(ms[m]), replicate_se(&D, &R, &rw, NULL, r));
        printf("%s_raking_se %.17g\n", rep_method_name(ms[m]),
               replicate_se(&D, &R, &rw, &rak, raked));
        rep_free(&rw);
    }
    void *owned[] = {u,     cls,   w,   z,   wcal,   ps,     R.stratum,  R.psu,
                     R.w,   R.y,   R.x, R.c, R.mrow, R.mcol, R.mval,     D.stratum,
                     D.psu, D.cls, D.d, D.y, D.x,    D.c,    D.responded};
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
        free(owned[i]);
    return 0;
}
