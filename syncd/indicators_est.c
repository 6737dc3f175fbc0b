/* indicators_est.c - the estimates of a pass's groups: per group and indicator the ratio and
 * the total, their standard errors by linearization (after calibration, of its residuals) or
 * from replicate weights, the design effect, and the differences from the domain's reference
 * category and from the province. Formulas: docs/indicators.md. */
#include "indicators_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replicate.h"
#include "survey.h"

#define NEST IND_NEST
#define NONE SIZE_MAX

/* The design: the PSUs holding a household with a weight, their strata made compact. */
typedef struct design {
    size_t nd, ns;
    size_t *of_psu;  /* the pass's PSU index -> the design's, NONE when outside */
    size_t *stratum; /* by design PSU */
    size_t *npsu_h;  /* by stratum */
    svy_design sd;
} design;

typedef struct est {
    pass *p;
    design d;
    size_t G, off[2]; /* groups of every target; the first global index of each */
    size_t *start, *order;
    int cal;
    wt_ls ls;
    size_t *mrow, *mcol; /* by design PSU: sum of w_i x_i over its households (sparse) */
    double *mval;
    double *rhs;
    double *tz, *ty; /* nd: a group's PSU totals of the ratio's and the total's scores */
    double *prov_z;  /* the province's groups' ratio scores: (1 + ncat) x NEST x nd */
    double *ref_z;   /* the current key's reference category's: NEST x nd */
    size_t ref_gg;   /* its global index, NONE */
    rep_weights rw;
    double *theta, *tot; /* (gg * NEST + k) * nrep + r */
    double *col;         /* nrep */
    size_t *pos;         /* p->want: a household's row there */
} est;

static ind_group *group_at(const est *e, size_t gg, int *tgt)
{
    int t = gg >= e->off[1] && e->p->nt == 2;
    if (tgt)
        *tgt = t;
    return &e->p->t[t].r->groups[gg - e->off[t]];
}

/* ---- the groups in order */

typedef struct sorting {
    ind_group g;
    size_t old;
} sorting;

static int by_key(const void *pa, const void *pb)
{
    const ind_group *a = &((const sorting *)pa)->g, *b = &((const sorting *)pb)->g;
    int c = ind_key_cmp(a->key, b->key);
    if (c)
        return c;
    return (a->domain_index > b->domain_index) - (a->domain_index < b->domain_index);
}

/* Each target's groups by key, each key's whole group before its categories in the domain's
 * order; the records follow. */
static int sort_groups(pass *p)
{
    for (int t = 0; t < p->nt; t++) {
        ind_report *r = p->t[t].r;
        size_t n = r->ngroups;
        sorting *s = malloc((n ? n : 1) * sizeof(*s));
        size_t *to = malloc((n ? n : 1) * sizeof(*to));
        if (!s || !to) {
            free(s);
            free(to);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            s[i] = (sorting){r->groups[i], i};
        qsort(s, n, sizeof(*s), by_key);
        for (size_t i = 0; i < n; i++) {
            r->groups[i] = s[i].g;
            to[s[i].old] = i;
        }
        for (size_t i = 0; i < p->nrec; i++)
            if (p->rec[i].tgt == t)
                p->rec[i].group = (uint32_t)to[p->rec[i].group];
        free(s);
        free(to);
    }
    return 0;
}

/* ---- the design */

static int design_make(design *d, const pass *p)
{
    size_t npsu = p->psus.n, nstrata = p->strata.n;
    size_t *sx = malloc((nstrata ? nstrata : 1) * sizeof(*sx));

    memset(d, 0, sizeof(*d));
    d->of_psu = malloc((npsu ? npsu : 1) * sizeof(*d->of_psu));
    d->stratum = malloc((npsu ? npsu : 1) * sizeof(*d->stratum));
    d->npsu_h = calloc(nstrata ? nstrata : 1, sizeof(*d->npsu_h));
    if (!sx || !d->of_psu || !d->stratum || !d->npsu_h) {
        free(sx);
        return -1;
    }
    for (size_t j = 0; j < npsu; j++)
        d->of_psu[j] = NONE;
    for (size_t h = 0; h < nstrata; h++)
        sx[h] = NONE;
    for (size_t i = 0; i < p->nhh; i++) {
        const ind_hh *h = &p->hh[i];
        if (!h->in || d->of_psu[h->psu] != NONE)
            continue;
        size_t st = p->psu_stratum[h->psu];
        if (sx[st] == NONE)
            sx[st] = d->ns++;
        d->of_psu[h->psu] = d->nd;
        d->stratum[d->nd++] = sx[st];
        d->npsu_h[sx[st]]++;
    }
    d->sd = (svy_design){.nstrata = d->ns, .npsu = d->npsu_h, .lonely = SVY_LONELY_ADJUST};
    free(sx);
    return 0;
}

static void design_free(design *d)
{
    free(d->of_psu);
    free(d->stratum);
    free(d->npsu_h);
}

/* ---- calibration: the PSU sums of w_i x_i, what the residuals' fitted part needs */

static int cal_prepare(est *e)
{
    pass *p = e->p;
    wt_matrix x = ind_cal_matrix(p);
    size_t nd = e->d.nd, np = x.p;
    size_t *first = calloc(nd + 1, sizeof(*first)),
           *next = malloc((p->nhh ? p->nhh : 1) * sizeof(*next));
    size_t *seen = malloc((np ? np : 1) * sizeof(*seen)),
           *cols = malloc((np ? np : 1) * sizeof(*cols));
    double *acc = calloc(np ? np : 1, sizeof(*acc));
    double *d = malloc((p->nhh ? p->nhh : 1) * sizeof(*d));
    size_t cap = nd * 4 + 16, n = 0;
    int rc = -1;

    e->cal = 1;
    e->mrow = calloc(nd + 1, sizeof(*e->mrow));
    e->mcol = malloc(cap * sizeof(*e->mcol));
    e->mval = malloc(cap * sizeof(*e->mval));
    e->rhs = malloc((np ? np : 1) * sizeof(*e->rhs));
    if (!first || !next || !seen || !cols || !acc || !d || !e->mrow || !e->mcol || !e->mval ||
        !e->rhs)
        goto done;
    for (size_t i = 0; i < p->nhh; i++)
        d[i] = p->hh[i].in ? p->hh[i].d : 0.0;
    if (wt_ls_make(&e->ls, d, &x))
        goto done;
    /* households by design PSU: a list per PSU (first[j] is 1 + the first household) */
    for (size_t i = p->nhh; i-- > 0;) {
        size_t j = p->hh[i].in ? e->d.of_psu[p->hh[i].psu] : NONE;
        if (j == NONE)
            continue;
        next[i] = first[j];
        first[j] = i + 1;
    }
    for (size_t c = 0; c < np; c++)
        seen[c] = NONE;
    for (size_t j = 0; j < nd; j++) {
        size_t nc = 0;
        for (size_t i1 = first[j]; i1; i1 = next[i1 - 1]) {
            size_t i = i1 - 1;
            for (size_t f = x.row[i]; f < x.row[i + 1]; f++) {
                size_t c = x.col[f];
                if (seen[c] != j) {
                    seen[c] = j;
                    acc[c] = 0.0;
                    cols[nc++] = c;
                }
                acc[c] += p->hh[i].w * x.val[f];
            }
        }
        if (n + nc > cap) {
            size_t ncap = (n + nc) * 2;
            size_t *mc = realloc(e->mcol, ncap * sizeof(*mc));
            if (!mc)
                goto done;
            e->mcol = mc;
            double *mv = realloc(e->mval, ncap * sizeof(*mv));
            if (!mv)
                goto done;
            e->mval = mv;
            cap = ncap;
        }
        for (size_t q = 0; q < nc; q++) {
            e->mcol[n] = cols[q];
            e->mval[n++] = acc[cols[q]];
        }
        e->mrow[j + 1] = n;
    }
    rc = 0;
done:
    free(first);
    free(next);
    free(seen);
    free(cols);
    free(acc);
    free(d);
    return rc;
}

/* ---- one group and indicator */

typedef struct sums {
    double Y, X, W; /* sums of w y, w x, w over its households with a weight */
    double wz2;     /* sum of w z^2, z the ratio's score */
    long n;         /* its households with a weight */
    long n_num, n_units, n_hh;
} sums;

static void group_sums(const est *e, size_t gg, int k, sums *s)
{
    const pass *p = e->p;

    memset(s, 0, sizeof(*s));
    for (size_t o = e->start[gg]; o < e->start[gg + 1]; o++) {
        const ind_rec *c = &p->rec[e->order[o]];
        const ind_hh *h = &p->hh[c->hh];
        if (!h->in)
            continue;
        s->Y += h->w * c->y[k];
        s->X += h->w * c->x[k];
        s->W += h->w;
        s->n++;
        s->n_num += c->y[k];
        s->n_units += c->x[k];
        s->n_hh += c->x[k] > 0;
    }
}

/* The PSU totals (design order) into t of w s, s the ratio's score (y - R x) / X or, when
 * total, y; after calibration, of the residuals (what is left of s once the calibration's
 * columns have explained it). Returns the sum of w s^2 (for the design effect). */
static double scores(est *e, size_t gg, int k, const sums *s, int total, double *t)
{
    const pass *p = e->p;
    double R = s->Y / s->X, wz2 = 0.0;
    int cal = e->cal;
    size_t np = cal ? e->ls.p : 0;

    memset(t, 0, e->d.nd * sizeof(*t));
    if (cal)
        memset(e->rhs, 0, np * sizeof(*e->rhs));
    for (size_t o = e->start[gg]; o < e->start[gg + 1]; o++) {
        const ind_rec *c = &p->rec[e->order[o]];
        const ind_hh *h = &p->hh[c->hh];
        if (!h->in)
            continue;
        double z = total ? c->y[k] : (c->y[k] - R * c->x[k]) / s->X;
        t[e->d.of_psu[h->psu]] += h->w * z;
        wz2 += h->w * z * z;
        if (cal)
            for (size_t f = p->xrow[c->hh]; f < p->xrow[c->hh + 1]; f++)
                e->rhs[p->xcol[f]] += h->d * p->xval[f] * z;
    }
    if (cal) {
        wt_ls_solve(&e->ls, e->rhs);
        for (size_t j = 0; j < e->d.nd; j++)
            for (size_t f = e->mrow[j]; f < e->mrow[j + 1]; f++)
                t[j] -= e->mval[f] * e->rhs[e->mcol[f]];
    }
    return wz2;
}

static double variance(const est *e, const double *t)
{
    double v = NAN;

    if (svy_variance(&v, NULL, &e->d.sd, e->d.stratum, t, e->d.nd))
        return NAN; /* the design is made from the same households: cannot happen */
    return v;
}

/* The variance of the difference of two groups' ratios from their scores. */
static double diff_variance(const est *e, const double *a, const double *b, double *tmp)
{
    for (size_t j = 0; j < e->d.nd; j++)
        tmp[j] = a[j] - b[j];
    return variance(e, tmp);
}

/* The replicates' variance of a group's ratio (total 0) or total, or of the difference of
 * two groups' ratios (b != NONE). */
static double rep_var(est *e, size_t a, size_t b, int k, int total, double full, size_t *dropped)
{
    size_t nrep = e->rw.nrep;
    const double *ta = &(total ? e->tot : e->theta)[(a * NEST + k) * nrep];

    if (b == NONE)
        return rep_variance(&e->rw, ta, full, 0, dropped);
    const double *tb = &e->theta[(b * NEST + k) * nrep];
    for (size_t r = 0; r < nrep; r++)
        e->col[r] = ta[r] - tb[r];
    return rep_variance(&e->rw, e->col, full, 0, dropped);
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void set_undefined(ind_value *v)
{
    v->defined = 0;
    v->estimate = v->se = v->ci_low = v->ci_high = v->gap = NAN;
    v->total_se = v->total_low = v->total_high = v->deff = NAN;
    v->diff_ref = v->diff_ref_se = v->diff_prov = v->diff_prov_se = NAN;
}

static void init_values(ind_group *g)
{
    for (int k = 0; k < IND_COUNT; k++) {
        ind_value *v = &g->ind[k];
        memset(v, 0, sizeof(*v));
        v->code = ind_defs[k].code;
        v->label_vi = ind_defs[k].label_vi;
        v->label_en = ind_defs[k].label_en;
        v->unit = ind_defs[k].unit;
        v->unit_kind = ind_defs[k].unit_kind;
        v->target = ind_defs[k].target;
        v->measurable = k < NEST;
        v->ci_method = IND_CI_NONE;
        set_undefined(v);
    }
}

static void put_ratio(ind_value *v, double r, double se, ind_ci_method m)
{
    v->defined = 1;
    v->ci_method = m;
    v->estimate = 100.0 * r;
    v->se = 100.0 * se;
    v->ci_low = 100.0 * clamp(r - SVY_Z95 * se, 0.0, 1.0);
    v->ci_high = 100.0 * clamp(r + SVY_Z95 * se, 0.0, 1.0);
    v->gap = v->target - v->estimate;
}

/* The province's group of the same category as g (global index), or NONE. */
static size_t prov_of(const est *e, const ind_group *g, int tgt)
{
    if (e->p->nt < 2 || tgt == 1)
        return NONE;
    const ind_report *pr = e->p->t[1].r;
    for (size_t i = 0; i < pr->ngroups; i++)
        if (pr->groups[i].domain_index == g->domain_index)
            return e->off[1] + i;
    return NONE;
}

/* Group gg's estimate k minus group b's, and its se (b's ratio scores bz for Taylor), when
 * both are defined. */
static void difference(est *e, size_t gg, size_t b, int k, const double *bz, double *d, double *se)
{
    const ind_value *v = &group_at(e, gg, NULL)->ind[k], *w = &group_at(e, b, NULL)->ind[k];

    if (!v->defined || !w->defined)
        return;
    *d = v->estimate - w->estimate;
    double var =
        e->rw.nrep ? rep_var(e, gg, b, k, 0, *d / 100.0, NULL) : diff_variance(e, e->tz, bz, e->ty);
    *se = 100.0 * sqrt(var);
}

/* A weighted group: every indicator. */
static void weighted_group(est *e, size_t gg)
{
    int tgt;
    ind_group *g = group_at(e, gg, &tgt);
    int rep = e->p->opt->variance == IND_VAR_REPLICATE;
    size_t pv = prov_of(e, g, tgt), nd = e->d.nd;
    int is_ref = g->domain_index == 0;
    int has_ref = g->domain_index > 0 && e->ref_gg != NONE &&
                  !strcmp(group_at(e, e->ref_gg, NULL)->key, g->key);
    ind_ci_method m = rep ? IND_CI_REPLICATE : IND_CI_TAYLOR;
    double *keep = tgt == 1 ? &e->prov_z[(size_t)(g->domain_index + 1) * NEST * nd] : NULL;

    for (int k = 0; k < NEST; k++) {
        ind_value *v = &g->ind[k];
        sums s;
        group_sums(e, gg, k, &s);
        v->weighted = 1;
        v->n_num = s.n_num;
        v->n_units = s.n_units;
        v->n_households = s.n_hh;
        v->num_w = s.Y;
        v->den_w = s.X;
        if (!(s.X > 0.0))
            continue;
        double R = s.Y / s.X;
        size_t dropped = 0;
        double wz2 = scores(e, gg, k, &s, 0, e->tz);
        double var = rep ? rep_var(e, gg, NONE, k, 0, R, &dropped) : variance(e, e->tz);
        put_ratio(v, R, sqrt(var), m);
        v->reps_dropped = (long)dropped;
        double vsrs = s.n > 1 ? wz2 * (s.W - (double)s.n) / (double)(s.n - 1) : NAN;
        v->deff = vsrs > 0.0 ? var / vsrs : NAN;
        if (!rep)
            scores(e, gg, k, &s, 1, e->ty);
        double tvar = rep ? rep_var(e, gg, NONE, k, 1, s.Y, NULL) : variance(e, e->ty);
        v->total_se = sqrt(tvar);
        v->total_low = isfinite(tvar) ? fmax(0.0, s.Y - SVY_Z95 * v->total_se) : NAN;
        v->total_high = s.Y + SVY_Z95 * v->total_se;
        if (keep)
            memcpy(&keep[(size_t)k * nd], e->tz, nd * sizeof(*e->tz));
        if (is_ref)
            memcpy(&e->ref_z[(size_t)k * nd], e->tz, nd * sizeof(*e->tz));
        if (has_ref)
            difference(e, gg, e->ref_gg, k, &e->ref_z[(size_t)k * nd], &v->diff_ref,
                       &v->diff_ref_se);
        if (pv != NONE)
            difference(e, gg, pv, k,
                       &e->prov_z[((size_t)(g->domain_index + 1) * NEST + (size_t)k) * nd],
                       &v->diff_prov, &v->diff_prov_se);
    }
    if (is_ref)
        e->ref_gg = gg;
}

static void unweighted_group(est *e, size_t gg)
{
    ind_group *g = group_at(e, gg, NULL);

    for (int k = 0; k < NEST; k++) {
        ind_value *v = &g->ind[k];
        svy_estimate b;
        for (size_t o = e->start[gg]; o < e->start[gg + 1]; o++) {
            const ind_rec *c = &e->p->rec[e->order[o]];
            v->n_num += c->y[k];
            v->n_units += c->x[k];
            v->n_households += c->x[k] > 0;
        }
        v->num_w = (double)v->n_num;
        v->den_w = (double)v->n_units;
        svy_binomial(&b, (double)v->n_num, (double)v->n_units);
        if (b.defined) {
            put_ratio(v, b.r, b.se, IND_CI_BINOMIAL);
            v->ci_low = 100.0 * b.lo; /* Wilson's, not the normal one */
            v->ci_high = 100.0 * b.hi;
        }
    }
}

/* ---- the weights kept for the exports */

typedef struct by_case {
    const char *id;
    size_t i;
} by_case;

static int case_cmp(const void *a, const void *b)
{
    return strcmp(((const by_case *)a)->id, ((const by_case *)b)->id);
}

/* The households' final weights in case order into p->want; e->pos says where each went. */
static int keep_weights(est *e)
{
    pass *p = e->p;
    ind_weights *k = p->want;
    size_t n = p->nhh;
    by_case *o = malloc((n ? n : 1) * sizeof(*o));

    e->pos = malloc((n ? n : 1) * sizeof(*e->pos));
    k->case_id = calloc(n ? n : 1, sizeof(*k->case_id));
    k->w = malloc((n ? n : 1) * sizeof(*k->w));
    if (!o || !e->pos || !k->case_id || !k->w) {
        free(o);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        o[i] = (by_case){p->hh[i].case_id, i};
    qsort(o, n, sizeof(*o), case_cmp);
    for (size_t j = 0; j < n; j++) {
        const ind_hh *h = &p->hh[o[j].i];
        e->pos[o[j].i] = j;
        k->case_id[j] = h->case_id; /* moved: the pass no longer frees it */
        p->hh[o[j].i].case_id = NULL;
        k->w[j] = h->in ? h->w : NAN;
    }
    k->n = n;
    free(o);
    return 0;
}

static int keep_replicates(est *e)
{
    ind_weights *k = e->p->want;
    size_t nrep = e->rw.nrep;

    k->nrep = nrep;
    k->method = rep_method_name(e->rw.method);
    k->scale = e->rw.scale;
    k->seed = e->rw.method == REP_BOOTSTRAP ? (e->p->opt->seed ? e->p->opt->seed : 1) : 0;
    k->rscale = malloc((nrep ? nrep : 1) * sizeof(*k->rscale));
    k->rep = malloc((k->n ? k->n : 1) * (nrep ? nrep : 1) * sizeof(*k->rep));
    if (!k->rscale || !k->rep)
        return -1;
    memcpy(k->rscale, e->rw.rscale, nrep * sizeof(*k->rscale));
    return 0;
}

/* ---- replicates */

/* The replicates' factors and the arrays of their estimates. */
static int rep_setup(est *e)
{
    pass *p = e->p;
    const ind_options *o = p->opt;
    size_t G = e->G;

    if (o->replicates == REP_JK1 && e->d.ns > 1)
        return err_set(p->err, DT_EINVAL,
                       "--replicates jk1 deletes one PSU at a time from the whole sample, and "
                       "this design has %zu strata: use jkn (R's as.svrepdesign refuses JK1 on "
                       "a stratified design too)",
                       e->d.ns);
    if (o->replicates == REP_JK1 && e->d.nd < 2)
        return err_set(p->err, DT_EINVAL, "--replicates jk1: the design has %zu PSU", e->d.nd);
    if (rep_make(&e->rw, (rep_method)o->replicates, e->d.stratum, e->d.nd, e->d.ns,
                 (size_t)(o->reps > 0 ? o->reps : IND_BOOTSTRAP_REPS), o->seed ? o->seed : 1))
        return DT_ENOMEM; /* the design is one rep_make takes */
    size_t nrep = e->rw.nrep;
    e->theta = malloc(G * NEST * nrep * sizeof(*e->theta));
    e->tot = malloc(G * NEST * nrep * sizeof(*e->tot));
    e->col = malloc(nrep * sizeof(*e->col));
    if (!e->theta || !e->tot || !e->col || (p->want && keep_replicates(e)))
        return DT_ENOMEM;
    return 0;
}

/* Replicate r: its weights into w (calibrated again when the report is), kept for the
 * export, and every group's ratio and total. */
static int rep_one(est *e, size_t r, double *w, double *g, const size_t *grp, double *Y, double *X)
{
    pass *p = e->p;
    size_t nrep = e->rw.nrep, G = e->G;
    const double *mult = &e->rw.mult[r * e->d.nd];
    int rc;

    for (size_t i = 0; i < p->nhh; i++)
        w[i] = p->hh[i].in ? p->hh[i].d * mult[e->d.of_psu[p->hh[i].psu]] : 0.0;
    if (p->ctl) {
        wt_matrix x = ind_cal_matrix(p);
        if ((rc = ind_cal_replicate(p, &x, w, g, r, nrep)))
            return rc;
    }
    for (size_t i = 0; p->want && i < p->nhh; i++)
        p->want->rep[e->pos[i] * nrep + r] = p->hh[i].in ? w[i] : NAN;
    memset(Y, 0, G * NEST * sizeof(*Y));
    memset(X, 0, G * NEST * sizeof(*X));
    for (size_t i = 0; i < p->nrec; i++) {
        const ind_rec *c = &p->rec[i];
        double wi = w[c->hh];
        if (wi == 0.0)
            continue;
        for (int k = 0; k < NEST; k++) {
            Y[grp[i] * NEST + (size_t)k] += wi * c->y[k];
            X[grp[i] * NEST + (size_t)k] += wi * c->x[k];
        }
    }
    for (size_t q = 0; q < G * NEST; q++) {
        e->theta[q * nrep + r] = Y[q] / X[q]; /* 0/0 when the group has no unit in it */
        e->tot[q * nrep + r] = Y[q];
    }
    return 0;
}

/* Every replicate. Sets the error's message itself. */
static int replicates(est *e)
{
    pass *p = e->p;
    size_t G = e->G, n = p->nhh ? p->nhh : 1;
    double *w = malloc(n * sizeof(*w)), *g = malloc(n * sizeof(*g));
    double *Y = malloc(G * NEST * sizeof(*Y)), *X = malloc(G * NEST * sizeof(*X));
    size_t *grp = malloc((p->nrec ? p->nrec : 1) * sizeof(*grp));
    int rc = !w || !g || !Y || !X || !grp ? DT_ENOMEM : rep_setup(e);

    for (size_t i = 0; rc == 0 && i < p->nrec; i++)
        grp[i] = e->off[p->rec[i].tgt] + p->rec[i].group;
    for (size_t r = 0; rc == 0 && r < e->rw.nrep; r++)
        rc = rep_one(e, r, w, g, grp, Y, X);
    if (rc == DT_ENOMEM)
        err_set(p->err, DT_ENOMEM, "out of memory computing replicate weights");
    free(w);
    free(g);
    free(Y);
    free(X);
    free(grp);
    return rc;
}

/* ---- the whole */

static const char *variance_name(const pass *p, int weighted)
{
    if (!weighted)
        return "binomial";
    if (p->opt->variance == IND_VAR_REPLICATE)
        return rep_method_name((rep_method)p->opt->replicates);
    return "taylor";
}

static void report_design(const est *e, ind_report *r, int weighted)
{
    const pass *p = e->p;

    r->weighted = weighted;
    r->ci_method = !weighted                               ? IND_CI_BINOMIAL
                   : p->opt->variance == IND_VAR_REPLICATE ? IND_CI_REPLICATE
                                                           : IND_CI_TAYLOR;
    r->variance = variance_name(p, weighted);
    r->reps = weighted && p->opt->variance == IND_VAR_REPLICATE ? (long)e->rw.nrep : 0;
    r->seed =
        r->reps && p->opt->replicates == REP_BOOTSTRAP ? (p->opt->seed ? p->opt->seed : 1) : 0;
    if (!weighted)
        return;
    r->psus = (long)e->d.nd;
    r->strata = (long)e->d.ns;
    for (size_t h = 0; h < e->d.ns; h++)
        r->lonely_strata += e->d.npsu_h[h] == 1;
}

/* The records by global group (a counting sort); the groups' no_weight. */
static int order_records(est *e)
{
    pass *p = e->p;
    size_t *fill = calloc(e->G + 1, sizeof(*fill));

    e->start = calloc(e->G + 1, sizeof(*e->start));
    e->order = malloc((p->nrec ? p->nrec : 1) * sizeof(*e->order));
    if (!fill || !e->start || !e->order) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < p->nrec; i++)
        e->start[e->off[p->rec[i].tgt] + p->rec[i].group + 1]++;
    for (size_t gg = 0; gg < e->G; gg++)
        e->start[gg + 1] += e->start[gg];
    for (size_t i = 0; i < p->nrec; i++) {
        size_t gg = e->off[p->rec[i].tgt] + p->rec[i].group;
        e->order[e->start[gg] + fill[gg]++] = i;
        if (p->any_weight && !p->hh[p->rec[i].hh].in) {
            ind_group *g = group_at(e, gg, NULL);
            g->no_weight++;
            p->t[p->rec[i].tgt].r->no_weight += g->domain_index < 0;
        }
    }
    free(fill);
    return 0;
}

static void est_free(est *e)
{
    design_free(&e->d);
    free(e->start);
    free(e->order);
    if (e->cal)
        wt_ls_free(&e->ls);
    free(e->mrow);
    free(e->mcol);
    free(e->mval);
    free(e->rhs);
    free(e->tz);
    free(e->ty);
    free(e->prov_z);
    free(e->ref_z);
    rep_free(&e->rw);
    free(e->theta);
    free(e->tot);
    free(e->col);
    free(e->pos);
}

int ind_estimate(pass *p)
{
    est e = {.p = p, .ref_gg = NONE};
    int weighted = p->any_weight, rc = DT_ENOMEM;
    size_t ncat = p->dom ? p->dom->cats.n : 0;

    if (!weighted && p->opt->variance == IND_VAR_REPLICATE)
        return err_set(p->err, DT_EINVAL,
                       "--variance replicate needs sample weights: the frame gives none "
                       "(syncd assign import with weight, stratum and psu columns)");
    if (sort_groups(p) || design_make(&e.d, p))
        goto cleanup;
    e.off[0] = 0;
    e.off[1] = p->t[0].r->ngroups;
    e.G = e.off[1] + (p->nt == 2 ? p->t[1].r->ngroups : 0);
    if (order_records(&e))
        goto cleanup;
    for (size_t gg = 0; gg < e.G; gg++)
        init_values(group_at(&e, gg, NULL));
    if (weighted) {
        size_t nd = e.d.nd ? e.d.nd : 1;
        e.tz = malloc(nd * sizeof(*e.tz));
        e.ty = malloc(nd * sizeof(*e.ty));
        e.prov_z = malloc((1 + ncat) * NEST * nd * sizeof(*e.prov_z));
        e.ref_z = malloc(NEST * nd * sizeof(*e.ref_z));
        if (!e.tz || !e.ty || !e.prov_z || !e.ref_z)
            goto cleanup;
        /* replicates carry the calibration themselves: no residuals then */
        if (p->ctl && p->opt->variance != IND_VAR_REPLICATE && cal_prepare(&e))
            goto cleanup;
        if (p->want && keep_weights(&e))
            goto cleanup;
        if (p->opt->variance == IND_VAR_REPLICATE && (rc = replicates(&e)))
            goto said;
        for (int t = p->nt - 1; t >= 0; t--) { /* the province first: others differ from it */
            e.ref_gg = NONE;
            for (size_t i = 0; i < p->t[t].r->ngroups; i++)
                weighted_group(&e, e.off[t] + i);
        }
    } else {
        for (size_t gg = 0; gg < e.G; gg++)
            unweighted_group(&e, gg);
    }
    for (int t = 0; t < p->nt; t++)
        report_design(&e, p->t[t].r, weighted);
    rc = 0;
cleanup:
    if (rc == DT_ENOMEM)
        err_set(p->err, DT_ENOMEM, "out of memory computing the indicators");
said:
    est_free(&e);
    return rc;
}
