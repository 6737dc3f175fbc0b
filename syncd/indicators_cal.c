/* indicators_cal.c - the report's weights calibrated to known totals: the totals file read
 * against the form and the table of units (syncd/controls.h), each household's values in its
 * columns as the cases are read, common/weight's wt_calibrate, the margins reported, and the
 * same calibration redone in each replicate */
#include "indicators_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_EPSILON 1e-7 /* R's calibrate() defaults */
#define CAL_MAXIT   50

/* The problems of a totals file: into the caller's list when it gave one, else the first. */
static int file_problems(pass *p, errlist *problems)
{
    const char *path = p->opt->calibrate;
    int rc;

    if (p->opt->problems) {
        errlist_extend(p->opt->problems, problems);
        rc = err_set(p->err, DT_EINVAL, "%s: %zu problem%s: nothing computed", path, problems->n,
                     problems->n == 1 ? "" : "s");
    } else
        rc = ind_first_problem(p->err, problems, path);
    errlist_free(problems);
    return rc;
}

int ind_cal_open(pass *p)
{
    errlist problems = {0};
    ind_report *r = p->r;
    int rc;

    if (!p->f)
        return err_set(p->err, DT_EINVAL, "--calibrate: no form is published");
    if (!(p->ctl = calloc(1, sizeof(*p->ctl))))
        return err_set(p->err, DT_ENOMEM, "out of memory");
    rc = ctl_read(p->ctl, p->opt->calibrate, p->f, p->pl ? placer_table(p->pl) : NULL, &problems,
                  p->err);
    if (problems.n)
        return file_problems(p, &problems);
    if (rc)
        return rc;
    p->xcap = 4096;
    p->xrow = calloc(1024, sizeof(*p->xrow));
    p->xcol = malloc(p->xcap * sizeof(*p->xcol));
    p->xval = malloc(p->xcap * sizeof(*p->xval));
    r->cal_file = strdup(p->opt->calibrate);
    r->cal_fn = wt_calfun_name((wt_calfun)p->opt->calfun);
    r->cal_lower = p->opt->lower > 0 ? p->opt->lower : -INFINITY;
    r->cal_upper = p->opt->upper > 0 ? p->opt->upper : INFINITY;
    p->cal_t = malloc((p->ctl->n ? p->ctl->n : 1) * sizeof(*p->cal_t));
    if (!p->xrow || !p->xcol || !p->xval || !r->cal_file || !p->cal_t)
        return err_set(p->err, DT_ENOMEM, "out of memory");
    for (size_t k = 0; k < p->ctl->n; k++)
        p->cal_t[k] = p->ctl->col[k].total;
    return 0;
}

int ind_cal_row(pass *p, const cJSON *answers)
{
    size_t n = p->ctl->n;

    if (p->nhh % 1024 == 0) { /* room for xrow[nhh] up to the next multiple */
        size_t *more = realloc(p->xrow, (p->nhh + 1024) * sizeof(*more));
        if (!more)
            return -1;
        p->xrow = more;
    }
    if (p->nx + n > p->xcap) {
        size_t cap = (p->nx + n) * 2;
        size_t *c = realloc(p->xcol, cap * sizeof(*c));
        if (!c)
            return -1;
        p->xcol = c;
        double *v = realloc(p->xval, cap * sizeof(*v));
        if (!v)
            return -1;
        p->xval = v;
        p->xcap = cap;
    }
    p->nx += ctl_row(p->ctl, p->f, answers, p->at.unit, &p->xcol[p->nx], &p->xval[p->nx]);
    p->xrow[p->nhh] = p->nx;
    return 0;
}

wt_matrix ind_cal_matrix(const pass *p)
{
    return (wt_matrix){.n = p->nhh, .p = p->ctl->n, .row = p->xrow, .col = p->xcol, .val = p->xval};
}

static wt_cal_opts cal_opts(const pass *p)
{
    return (wt_cal_opts){.fn = (wt_calfun)p->opt->calfun,
                         .lower = p->r->cal_lower,
                         .upper = p->r->cal_upper,
                         .epsilon = CAL_EPSILON,
                         .maxit = CAL_MAXIT};
}

/* What a failed calibration says: which margin, and what to do. */
static int cal_failed(const pass *p, const wt_cal_result *res, const char *which)
{
    const ctl_column *c = res->worst < p->ctl->n ? &p->ctl->col[res->worst] : NULL;
    const char *path = p->opt->calibrate;

    if (res->status == WT_CAL_BAD || !c)
        return err_set(p->err, DT_ENOMEM, "out of memory calibrating the weights");
    if (res->status == WT_CAL_EMPTY)
        return err_set(p->err, DT_EINVAL,
                       "%s: line %d: %s %s: no household of %s has it (known total %.10g): "
                       "leave it out or merge it with another category",
                       path, c->line, c->margin, c->category, which, c->total);
    if (!isfinite(p->r->cal_lower) && !isfinite(p->r->cal_upper))
        return err_set(p->err, DT_EINVAL,
                       "%s: line %d: the weights of %s cannot meet %s %s (known total %.10g) in "
                       "%d steps: still off by %.3g of it; the totals disagree with one another "
                       "or with the sample (check the margins that count the same households), "
                       "or merge categories",
                       path, c->line, which, c->margin, c->category, c->total, res->iterations,
                       res->misfit);
    return err_set(p->err, DT_EINVAL,
                   "%s: line %d: the weights of %s cannot meet %s %s (known total %.10g) "
                   "within the bounds [%g, %g] in %d steps: still off by %.3g of it; widen "
                   "the bounds (--bounds) or merge categories",
                   path, c->line, which, c->margin, c->category, c->total, p->r->cal_lower,
                   p->r->cal_upper, res->iterations, res->misfit);
}

/* The report's margins: the known totals, the weights' before and after. */
static int cal_report(pass *p, const wt_matrix *x, const double *d, const wt_cal_result *res)
{
    ind_report *r = p->r;

    r->cal_iterations = res->iterations;
    r->cal_misfit = res->misfit;
    r->cal_g_min = res->g_min;
    r->cal_g_max = res->g_max;
    if (!(r->cal = calloc(p->ctl->n ? p->ctl->n : 1, sizeof(*r->cal))))
        return -1;
    r->ncal = p->ctl->n;
    for (size_t k = 0; k < p->ctl->n; k++) {
        r->cal[k].margin = strdup(p->ctl->col[k].margin);
        r->cal[k].category = strdup(p->ctl->col[k].category);
        r->cal[k].total = p->ctl->col[k].total;
        if (!r->cal[k].margin || !r->cal[k].category)
            return -1;
    }
    for (size_t i = 0; i < x->n; i++)
        for (size_t f = x->row[i]; f < x->row[i + 1]; f++) {
            r->cal[x->col[f]].before += d[i] * x->val[f];
            r->cal[x->col[f]].after += p->hh[i].w * x->val[f];
        }
    return 0;
}

int ind_calibrate(pass *p)
{
    wt_matrix x = ind_cal_matrix(p);
    wt_cal_opts o = cal_opts(p);
    wt_cal_result res = {0};
    double *d = malloc((p->nhh ? p->nhh : 1) * sizeof(*d));
    double *g = malloc((p->nhh ? p->nhh : 1) * sizeof(*g));
    int rc = DT_ENOMEM;

    if (!p->any_weight) {
        rc = err_set(p->err, DT_EINVAL,
                     "--calibrate needs sample weights to start from: the frame gives none "
                     "(syncd assign import with a weight column)");
        goto cleanup;
    }
    if (!d || !g)
        goto cleanup;
    for (size_t i = 0; i < p->nhh; i++)
        d[i] = p->hh[i].in ? p->hh[i].d : 0.0;
    if (wt_calibrate(g, d, &x, p->cal_t, &o, &res)) {
        rc = cal_failed(p, &res, "the sample");
        goto cleanup;
    }
    for (size_t i = 0; i < p->nhh; i++)
        p->hh[i].w = d[i] * g[i];
    rc = cal_report(p, &x, d, &res) ? DT_ENOMEM : 0;
cleanup:
    if (rc == DT_ENOMEM)
        err_set(p->err, DT_ENOMEM, "out of memory calibrating the weights");
    free(d);
    free(g);
    return rc;
}

int ind_cal_replicate(pass *p, const wt_matrix *x, double *w, double *g, size_t r, size_t nrep)
{
    wt_cal_opts o = cal_opts(p);
    wt_cal_result res = {0};
    char which[64];
    int rc = 0;

    if (wt_calibrate(g, w, x, p->cal_t, &o, &res)) {
        snprintf(which, sizeof(which), "replicate %zu of %zu", r + 1, nrep);
        rc = cal_failed(p, &res, which);
    } else
        for (size_t i = 0; i < x->n; i++)
            w[i] *= g[i];
    return rc;
}

void ind_cal_free(pass *p)
{
    ctl_free(p->ctl);
    free(p->ctl);
    free(p->xrow);
    free(p->xcol);
    free(p->xval);
    free(p->cal_t);
}
