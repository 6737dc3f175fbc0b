/* weight.c - nonresponse weighting classes, calibration (R's grake), calibration residuals */
#include "weight.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- nonresponse */

/* The group of classes [first, last] (empty classes inside it included) as one. */
static void nr_group_sums(const wt_nr_class *c, size_t first, size_t last, size_t *resp, double *ws,
                          double *wr)
{
    *resp = 0;
    *ws = *wr = 0.0;
    for (size_t k = first; k <= last; k++) {
        *resp += c[k].responded;
        *ws += c[k].w_sampled;
        *wr += c[k].w_responded;
    }
}

static int nr_group_fails(const wt_nr_class *c, size_t first, size_t last, const wt_nr_rule *r)
{
    size_t resp;
    double ws, wr;

    nr_group_sums(c, first, last, &resp, &ws, &wr);
    if (resp < r->min_respondents || wr <= 0.0)
        return 1;
    return r->max_factor > 0.0 && ws / wr > r->max_factor;
}

int wt_nonresponse(double *w, wt_nr_class *cls, size_t ncls, const wt_nr_unit *u, size_t n,
                   const wt_nr_rule *rule)
{
    size_t *start = NULL, ng = 0, any = 0;

    memset(cls, 0, ncls * sizeof(*cls));
    for (size_t i = 0; i < n; i++) {
        if (u[i].cls >= ncls || !(u[i].d > 0.0) || !isfinite(u[i].d))
            return -1;
        wt_nr_class *c = &cls[u[i].cls];
        c->sampled++;
        c->w_sampled += u[i].d;
        if (u[i].responded) {
            c->responded++;
            c->w_responded += u[i].d;
            any++;
        }
    }
    if (!any || !(start = malloc((ncls + 1) * sizeof(*start))))
        return -1;
    /* Groups are runs of classes, each with one non-empty class to begin with (an empty
     * class joins the group before it; those before the first non-empty one, the first). */
    int has = 0;
    for (size_t k = 0; k < ncls; k++) {
        if (ng == 0 || (cls[k].sampled && has)) {
            start[ng++] = k;
            has = 0;
        }
        has |= cls[k].sampled > 0;
    }
    start[ng] = ncls;
    for (;;) {
        size_t bad = ng;
        for (size_t gi = 0; gi < ng && bad == ng; gi++)
            if (nr_group_fails(cls, start[gi], start[gi + 1] - 1, rule))
                bad = gi;
        if (bad == ng || ng == 1)
            break;
        /* merge bad with the next group, the last with the one before it */
        size_t drop = bad + 1 < ng ? bad + 1 : bad;
        memmove(&start[drop], &start[drop + 1], (ng - drop) * sizeof(*start));
        ng--;
    }
    for (size_t gi = 0; gi < ng; gi++) {
        size_t resp;
        double ws, wr;
        nr_group_sums(cls, start[gi], start[gi + 1] - 1, &resp, &ws, &wr);
        for (size_t k = start[gi]; k < start[gi + 1]; k++) {
            cls[k].into = start[gi];
            cls[k].factor = wr > 0.0 ? ws / wr : NAN;
            cls[k].rate = cls[k].w_sampled > 0.0 ? cls[k].w_responded / cls[k].w_sampled : NAN;
        }
    }
    for (size_t i = 0; i < n; i++)
        w[i] = u[i].responded ? u[i].d * cls[u[i].cls].factor : 0.0;
    free(start);
    return 0;
}

/* ---- a small symmetric solver */

/* Factors a symmetric positive semi-definite A (p x p, row-major, overwritten) as L L' in
 * its lower triangle by Cholesky, a column whose pivot vanishes against its own diagonal
 * being dependent on those before it (dep[j] = 1: its coefficient is 0; for a consistent
 * right-hand side, a solution: the fitted values and the calibrated weights do not depend on
 * which). Returns 0 or -1 (no memory). */
static int factor_psd(double *A, unsigned char *dep, size_t p)
{
    double *diag = malloc((p ? p : 1) * sizeof(*diag));

    if (!diag)
        return -1;
    for (size_t j = 0; j < p; j++)
        diag[j] = A[j * p + j];
    for (size_t j = 0; j < p; j++) {
        double s = A[j * p + j];
        dep[j] = 0;
        for (size_t k = 0; k < j; k++)
            if (!dep[k])
                s -= A[j * p + k] * A[j * p + k];
        if (!(s > 1e-10 * diag[j]) || diag[j] <= 0.0) {
            dep[j] = 1;
            continue;
        }
        A[j * p + j] = sqrt(s);
        for (size_t i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (size_t k = 0; k < j; k++)
                if (!dep[k])
                    t -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = t / A[j * p + j];
        }
    }
    free(diag);
    return 0;
}

/* Solves L L' s = b with factor_psd's L and dep; b becomes s. */
static void solve_factored(const double *L, const unsigned char *dep, double *b, size_t p)
{
    for (size_t j = 0; j < p; j++) { /* L y = b */
        if (dep[j]) {
            b[j] = 0.0;
            continue;
        }
        double t = b[j];
        for (size_t k = 0; k < j; k++)
            if (!dep[k])
                t -= L[j * p + k] * b[k];
        b[j] = t / L[j * p + j];
    }
    for (size_t j = p; j-- > 0;) { /* L' s = y */
        if (dep[j])
            continue;
        double t = b[j];
        for (size_t i = j + 1; i < p; i++)
            if (!dep[i])
                t -= L[i * p + j] * b[i];
        b[j] = t / L[j * p + j];
    }
}

/* Solves A s = b (A as factor_psd takes it, overwritten); b becomes s (NaN when memory runs
 * out). */
static void solve_psd(double *A, double *b, size_t p)
{
    unsigned char *dep = malloc(p ? p : 1);

    if (!dep || factor_psd(A, dep, p)) {
        for (size_t j = 0; j < p; j++)
            b[j] = NAN;
    } else
        solve_factored(A, dep, b, p);
    free(dep);
}

/* ---- calibration */

const char *wt_calfun_name(wt_calfun f)
{
    return f == WT_RAKING ? "raking" : f == WT_LOGIT ? "logit" : "linear";
}

int wt_calfun_parse(const char *name)
{
    for (int f = WT_LINEAR; f <= WT_LOGIT; f++)
        if (!strcmp(name, wt_calfun_name((wt_calfun)f)))
            return f;
    return -1;
}

/* g - 1 and its derivative at u, as R's cal.linear, cal.raking and cal.logit write them
 * (raking's derivative compares u, a logarithm, with the bounds less 1: R's, kept). */
static double cal_fm1(const wt_cal_opts *o, double u)
{
    double L = o->lower, U = o->upper;

    if (o->fn == WT_LINEAR)
        return fmin(fmax(u + 1.0, L), U) - 1.0;
    if (o->fn == WT_RAKING)
        return fmin(fmax(exp(u), L), U) - 1.0;
    double A = (U - L) / ((U - 1.0) * (1.0 - L)), e = exp(A * u);
    return (L * (U - 1.0) + U * (1.0 - L) * e) / (U - 1.0 + (1.0 - L) * e) - 1.0;
}

static double cal_df(const wt_cal_opts *o, double u)
{
    double L = o->lower, U = o->upper;

    if (o->fn == WT_LINEAR)
        return u < U - 1.0 && u > L - 1.0;
    if (o->fn == WT_RAKING)
        return u < U - 1.0 && u > L - 1.0 ? exp(u) : 0.0;
    double A = (U - L) / ((U - 1.0) * (1.0 - L)), e = exp(A * u), den = U - 1.0 + (1.0 - L) * e;
    return U * (1.0 - L) * e * A / den -
           (L * (U - 1.0) + U * (1.0 - L) * e) * ((1.0 - L) * e * A) / (den * den);
}

typedef struct cal {
    const double *d, *T;
    const wt_matrix *x;
    const wt_cal_opts *o;
    size_t n, np;
    const size_t *col; /* the columns kept, np of them */
    const long *kept;  /* by column of x: its index among the kept, or -1 */
    double *ww;        /* d, rescaled as R does when every total is far above the sample's */
    double *eta;       /* np */
    double *u;         /* n: x_i' eta */
    double *tmat;      /* np x np */
    double *step;      /* np */
} cal;

static void cal_predict(cal *c)
{
    const wt_matrix *x = c->x;

    for (size_t i = 0; i < c->n; i++) {
        double s = 0.0;
        for (size_t e = x->row[i]; e < x->row[i + 1]; e++)
            if (c->kept[x->col[e]] >= 0)
                s += x->val[e] * c->eta[c->kept[x->col[e]]];
        c->u[i] = s;
    }
}

/* misfit_k = T_k - sum_i ww_i x_ik g_i into out; the largest scaled one in *worst. */
static double cal_misfit(cal *c, double *out, size_t *worst)
{
    const wt_matrix *x = c->x;
    double big = -1.0;

    for (size_t k = 0; k < c->np; k++)
        out[k] = c->T[c->col[k]];
    for (size_t i = 0; i < c->n; i++) {
        double a = c->ww[i] * (1.0 + cal_fm1(c->o, c->u[i]));
        for (size_t e = x->row[i]; e < x->row[i + 1]; e++)
            if (c->kept[x->col[e]] >= 0)
                out[c->kept[x->col[e]]] -= a * x->val[e];
    }
    for (size_t k = 0; k < c->np; k++) {
        double m = fabs(out[k]) / (1.0 + fabs(c->T[c->col[k]]));
        if (!isfinite(m)) { /* a factor that is not a number: as far off as can be */
            *worst = c->col[k];
            return INFINITY;
        }
        if (m > big) {
            big = m;
            *worst = c->col[k];
        }
    }
    return big;
}

static int cal_finite(const cal *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!isfinite(cal_fm1(c->o, c->u[i])) || !isfinite(cal_df(c->o, c->u[i])))
            return 0;
    return 1;
}

/* Adds a * x_i x_i' (the kept columns) to the lower triangle of A (np x np). */
static void add_outer(double *A, size_t np, const wt_matrix *x, const long *kept, size_t i,
                      double a)
{
    for (size_t e = x->row[i]; e < x->row[i + 1]; e++) {
        long j = kept[x->col[e]];
        if (j < 0)
            continue;
        for (size_t f = x->row[i]; f < x->row[i + 1]; f++) {
            long k = kept[x->col[f]];
            if (k >= 0 && k <= j)
                A[(size_t)j * np + (size_t)k] += a * x->val[e] * x->val[f];
        }
    }
}

static void mirror(double *A, size_t np)
{
    for (size_t j = 0; j < np; j++)
        for (size_t k = 0; k < j; k++)
            A[k * np + j] = A[j * np + k];
}

/* One Newton step: eta += Tmat^+ misfit, halved while g or its derivative is not finite. */
static void cal_step(cal *c, int *iter)
{
    size_t np = c->np, worst = 0;

    memset(c->tmat, 0, np * np * sizeof(*c->tmat));
    for (size_t i = 0; i < c->n; i++) {
        double a = c->ww[i] * cal_df(c->o, c->u[i]);
        if (a != 0.0)
            add_outer(c->tmat, np, c->x, c->kept, i, a);
    }
    mirror(c->tmat, np);
    cal_misfit(c, c->step, &worst);
    solve_psd(c->tmat, c->step, np);
    for (size_t k = 0; k < np; k++)
        c->eta[k] += c->step[k];
    cal_predict(c);
    while (*iter < c->o->maxit && !cal_finite(c)) {
        (*iter)++;
        for (size_t k = 0; k < np; k++) {
            c->step[k] /= 2.0;
            c->eta[k] -= c->step[k];
        }
        cal_predict(c);
    }
}

static int cal_check(const double *d, const wt_matrix *x, const wt_cal_opts *o)
{
    if (o->fn == WT_LOGIT &&
        (!isfinite(o->lower) || !isfinite(o->upper) || !(o->lower < 1.0 && 1.0 < o->upper)))
        return -1;
    for (size_t i = 0; i < x->n; i++) /* 0: a unit a replicate leaves out */
        if (!(d[i] >= 0.0) || !isfinite(d[i]))
            return -1;
    for (size_t e = 0; e < x->row[x->n]; e++)
        if (x->col[e] >= x->p || !isfinite(x->val[e]))
            return -1;
    return 0;
}

int wt_calibrate(double *g, const double *d, const wt_matrix *x, const double *totals,
                 const wt_cal_opts *o, wt_cal_result *res)
{
    size_t n = x->n, p = x->p;
    cal c = {.d = d, .x = x, .T = totals, .o = o, .n = n};
    size_t *col = malloc((p ? p : 1) * sizeof(*col));
    long *kept = malloc((p ? p : 1) * sizeof(*kept));
    double *sample = calloc(p ? p : 1, sizeof(*sample)), scale = 0.0, scale_min = INFINITY;
    unsigned char *has = calloc(p ? p : 1, 1); /* a unit that counts has a value there */
    int iter = 1;

    memset(res, 0, sizeof(*res));
    res->status = WT_CAL_BAD;
    c.ww = malloc((n ? n : 1) * sizeof(*c.ww));
    c.u = calloc(n ? n : 1, sizeof(*c.u));
    c.eta = calloc(p ? p : 1, sizeof(*c.eta));
    c.step = malloc((p ? p : 1) * sizeof(*c.step));
    c.tmat = malloc((p ? p : 1) * (p ? p : 1) * sizeof(*c.tmat));
    if (!col || !kept || !sample || !has || !c.ww || !c.u || !c.eta || !c.step || !c.tmat ||
        cal_check(d, x, o))
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        for (size_t e = x->row[i]; e < x->row[i + 1]; e++) {
            sample[x->col[e]] += d[i] * x->val[e];
            has[x->col[e]] |= d[i] > 0.0 && x->val[e] != 0.0;
        }
    for (size_t j = 0; j < p; j++) {
        kept[j] = -1;
        if (!has[j] && totals[j] == 0.0)
            continue; /* no unit and nothing to reach: R drops the column */
        if (!has[j]) {
            res->status = WT_CAL_EMPTY;
            res->worst = j;
            goto cleanup;
        }
        kept[j] = (long)c.np;
        col[c.np++] = j;
        /* a column of signed values may add up to 0: then no rescaling (R's would divide
         * by 0) */
        double ratio = sample[j] != 0.0 ? totals[j] / sample[j] : -INFINITY;
        scale += ratio;
        scale_min = fmin(scale_min, ratio);
    }
    c.col = col;
    c.kept = kept;
    /* R: when every total is more than 20 times the sample's, the weights are scaled up by
     * the mean ratio first (and the bounds read after it). */
    scale = c.np && scale_min > 20.0 ? scale / (double)c.np : 1.0;
    for (size_t i = 0; i < n; i++)
        c.ww[i] = d[i] * scale;
    for (;;) {
        cal_step(&c, &iter);
        res->misfit = cal_misfit(&c, c.step, &res->worst);
        if (res->misfit < o->epsilon) {
            res->status = WT_CAL_OK;
            break;
        }
        if (++iter > o->maxit) {
            res->status = WT_CAL_NO_CONVERGE;
            break;
        }
    }
    res->iterations = iter;
    res->g_min = INFINITY;
    res->g_max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        g[i] = (1.0 + cal_fm1(o, c.u[i])) * scale;
        if (!isfinite(g[i])) /* the step halving ran out of steps */
            res->status = WT_CAL_NO_CONVERGE;
        if (d[i] > 0.0) { /* the factors some weight uses */
            res->g_min = fmin(res->g_min, g[i]);
            res->g_max = fmax(res->g_max, g[i]);
        }
    }
cleanup:
    free(col);
    free(kept);
    free(sample);
    free(has);
    free(c.ww);
    free(c.u);
    free(c.eta);
    free(c.step);
    free(c.tmat);
    return res->status == WT_CAL_OK ? 0 : -1;
}

int wt_ls_make(wt_ls *out, const double *d, const wt_matrix *x)
{
    size_t p = x->p;
    long *all = malloc((p ? p : 1) * sizeof(*all));

    memset(out, 0, sizeof(*out));
    out->p = p;
    out->L = calloc((p ? p : 1) * (p ? p : 1), sizeof(*out->L));
    out->dep = malloc(p ? p : 1);
    if (!all || !out->L || !out->dep)
        goto fail;
    for (size_t j = 0; j < p; j++)
        all[j] = (long)j;
    for (size_t at = 0; at < x->row[x->n]; at++)
        if (x->col[at] >= p)
            goto fail;
    for (size_t i = 0; i < x->n; i++)
        if (d[i] != 0.0)
            add_outer(out->L, p, x, all, i, d[i]);
    mirror(out->L, p);
    if (factor_psd(out->L, out->dep, p))
        goto fail;
    free(all);
    return 0;
fail:
    free(all);
    wt_ls_free(out);
    return -1;
}

void wt_ls_solve(const wt_ls *ls, double *b)
{
    solve_factored(ls->L, ls->dep, b, ls->p);
}

void wt_ls_free(wt_ls *ls)
{
    free(ls->L);
    free(ls->dep);
    ls->L = NULL;
    ls->dep = NULL;
}

int wt_cal_residuals(double *e, const double *z, const double *d, const wt_matrix *x)
{
    wt_ls ls;
    double *b = calloc(x->p ? x->p : 1, sizeof(*b));

    if (!b || wt_ls_make(&ls, d, x)) {
        free(b);
        return -1;
    }
    for (size_t i = 0; i < x->n; i++)
        for (size_t f = x->row[i]; f < x->row[i + 1]; f++)
            b[x->col[f]] += d[i] * x->val[f] * z[i];
    wt_ls_solve(&ls, b);
    for (size_t i = 0; i < x->n; i++) {
        double fit = 0.0;
        for (size_t f = x->row[i]; f < x->row[i + 1]; f++)
            fit += x->val[f] * b[x->col[f]];
        e[i] = z[i] - fit;
    }
    wt_ls_free(&ls);
    free(b);
    return 0;
}
