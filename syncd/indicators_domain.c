/* indicators_domain.c - a domain of the report (--by QUESTION): its categories read against
 * the form as the columns of syncd/controls.h (a select_one's choices, ranges of a number,
 * urban and rural from the unit of today), and the category of a household or a member */
#include "indicators_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Adds category code (label: its label, NULL for the code itself) to the domain. */
static int add_category(ind_domain *d, const form *f, const char *q, const char *code,
                        const char *label, errlist *problems)
{
    char where[96];

    if (d->cats.n == IND_DOMAIN_MAX)
        return errlist_add(problems, "--by", q, "more than %d categories", IND_DOMAIN_MAX);
    snprintf(where, sizeof(where), "--by %s", q);
    ctl_column *c = &d->cats.col[d->cats.n];
    int rc = ctl_column_make(c, f, q, code, problems, where);
    d->cats.n++; /* freed with the rest */
    if (rc || !(d->label[d->cats.n - 1] = strdup(label ? label : c->category)))
        return DT_ENOMEM;
    return 0;
}

/* The categories of spec "QUESTION", "QUESTION=A,B,C" (codes or ranges) or urban_rural. */
static int read_spec(ind_domain *d, const form *f, const char *spec, errlist *problems)
{
    char q[128];
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
    int rc = 0;

    if (n == 0 || n >= sizeof(q))
        return errlist_add(problems, "--by", "", "'%s': expected a question's name", spec);
    snprintf(q, sizeof(q), "%.*s", (int)n, spec);
    snprintf(d->question, sizeof(d->question), "%s", q);
    if (!strcmp(q, "households") || !strcmp(q, "persons") || !strcmp(q, "commune"))
        return errlist_add(problems, "--by", q,
                           "%s is not a domain: the levels are --by province, former-district "
                           "or commune",
                           q);
    if (!strcmp(q, CTL_URBAN_RURAL)) {
        if ((rc = add_category(d, f, q, "urban", "phường (ward)", problems)) ||
            (rc = add_category(d, f, q, "rural", "xã (commune)", problems)))
            return rc;
        d->member = 0;
        return 0;
    }
    int qi = form_find(f, q);
    const form_question *fq = qi >= 0 ? form_q(f, qi) : NULL;
    if (!fq)
        return errlist_add(problems, "--by", q,
                           "'%s' is not a question of %s, nor " CTL_URBAN_RURAL, q, form_id(f));
    if (fq && fq->type == Q_SELECT_ONE && !eq) {
        for (int i = 0; i < fq->list->nchoices && rc == 0; i++) {
            const form_choice *ch = &fq->list->choices[i];
            char code[32];
            snprintf(code, sizeof(code), "%lld", ch->code);
            rc = add_category(d, f, q, code, ch->label ? ch->label[0] : NULL, problems);
        }
    } else if (fq && (fq->type == Q_INTEGER || fq->type == Q_DECIMAL) && !eq) {
        return errlist_add(problems, "--by", q,
                           "%s is a number: name its ranges (--by %s=15-24,25-64,65+)", q, q);
    } else if (fq && fq->type == Q_TEXT && !eq) {
        return errlist_add(problems, "--by", q, "%s is a text: name its categories (--by %s=A,B)",
                           q, q);
    } else if (eq) {
        for (const char *c = eq + 1; *c && rc == 0;) {
            size_t len = strcspn(c, ",");
            char code[64];
            snprintf(code, sizeof(code), "%.*s", (int)(len < sizeof(code) ? len : sizeof(code) - 1),
                     c);
            rc = add_category(d, f, q, code, NULL, problems);
            c += len + (c[len] == ',');
        }
    } else {
        /* not a question, or a type no household is in one category of: ctl says which */
        rc = add_category(d, f, q, "", NULL, problems);
    }
    if (rc)
        return rc;
    for (size_t k = 0; k < d->cats.n; k++)
        d->member = d->cats.col[k].kind == CTL_MEMBER;
    if (d->cats.n == 0)
        return errlist_add(problems, "--by", q, "no category");
    return 0;
}

int ind_domain_open(pass *p)
{
    errlist problems = {0};
    ind_domain *d;
    int rc;

    if (!p->f)
        return err_set(p->err, DT_EINVAL, "--by %s: no form is published", p->opt->domain);
    if (!(d = p->dom = calloc(1, sizeof(*d))) ||
        !(d->cats.col = calloc(IND_DOMAIN_MAX, sizeof(*d->cats.col))))
        return err_set(p->err, DT_ENOMEM, "out of memory");
    rc = read_spec(d, p->f, p->opt->domain, &problems);
    if (rc == 0 && problems.n == 0 && d->cats.col[0].kind == CTL_AREA) {
        if (!(p->pl && placer_table(p->pl)))
            errlist_add(&problems, "--by", CTL_URBAN_RURAL,
                        "needs a table of units, and version %d of %s declares none",
                        form_version(p->f), form_id(p->f));
        else
            ctl_check_areas(placer_table(p->pl), &problems, "--by");
    }
    if (problems.n) {
        rc = ind_first_problem(p->err, &problems, NULL);
        errlist_free(&problems);
        return rc;
    }
    if (rc)
        return err_set(p->err, DT_ENOMEM, "out of memory");
    for (int t = 0; t < p->nt; t++)
        if (!(p->t[t].r->domain = strdup(d->question)) ||
            !(p->t[t].r->domain_ref = strdup(d->cats.col[0].category)))
            return err_set(p->err, DT_ENOMEM, "out of memory");
    return 0;
}

int ind_domain_of(const pass *p, const cJSON *answers)
{
    for (size_t k = 0; k < p->dom->cats.n; k++)
        if (ctl_value(&p->dom->cats.col[k], p->f, answers, p->at.unit) != 0)
            return (int)k;
    return -1;
}

int ind_domain_member(const pass *p, const cJSON *member)
{
    for (size_t k = 0; k < p->dom->cats.n; k++)
        if (ctl_member_in(&p->dom->cats.col[k], p->f, member))
            return (int)k;
    return -1;
}

void ind_domain_free(pass *p)
{
    if (!p->dom)
        return;
    for (size_t k = 0; k < p->dom->cats.n; k++)
        free(p->dom->label[k]);
    ctl_free(&p->dom->cats);
    free(p->dom);
}
