/* form.c - the form model: accessors and freeing (loading is in form_load.c) */
#include "form_int.h"
#include "qtype.h"

#include <stdlib.h>
#include <string.h>

const expr *form_instance_name(const form *f)
{
    return f->instance_name;
}

const char *form_type_name(form_type t)
{
    return (unsigned)t < Q_NTYPES ? qtype_of(t)->name : "?";
}

void form_free_texts(char **t, int n)
{
    if (!t)
        return;
    for (int i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

static void free_question(form_question *q, int nlangs)
{
    free(q->name);
    form_free_texts(q->label, nlangs);
    form_free_texts(q->hint, nlangs);
    form_free_texts(q->constraint_msg, nlangs);
    form_free_texts(q->required_msg, nlangs);
    expr_free(q->required_if);
    expr_free(q->relevant);
    expr_free(q->constraint);
    expr_free(q->calculation);
    expr_free(q->repeat_count);
    expr_free(q->choice_filter);
    cJSON_Delete(q->default_value);
}

static void free_list(form_list *l, int nlangs)
{
    for (int i = 0; i < l->nchoices; i++) {
        form_free_texts(l->choices[i].label, nlangs);
        form_free_texts(l->choices[i].attr, l->nattrs);
    }
    free(l->choices);
    form_free_texts(l->attr_names, l->nattrs);
    free(l->name);
}

void form_free(form *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nqs; i++)
        free_question(&f->qs[i], f->nlangs);
    free(f->qs);
    for (int i = 0; i < f->nlists; i++)
        free_list(&f->lists[i], f->nlangs);
    free(f->lists);
    form_free_texts(f->title, f->nlangs);
    for (int i = 0; i < f->nlangs; i++)
        free(f->langs[i]);
    free(f->id);
    free(f->by_name);
    free(f->order);
    free(f->hh_key);
    free(f->geo_table);
    form_free_data(f);
    expr_free(f->refusal);
    expr_free(f->instance_name);
    free(f);
}

static const form *sort_form; /* qsort has no context argument in C11 */

static int by_name_cmp(const void *a, const void *b)
{
    return strcmp(sort_form->qs[*(const int *)a].name, sort_form->qs[*(const int *)b].name);
}

int form_index_names(form *f)
{
    f->by_name = malloc(sizeof(int) * (size_t)(f->nqs ? f->nqs : 1));
    if (!f->by_name)
        return DT_ENOMEM;
    for (int i = 0; i < f->nqs; i++)
        f->by_name[i] = i;
    /* Loading happens on one thread (forms are immutable afterwards), so the
     * static comparison context is safe. */
    sort_form = f;
    qsort(f->by_name, (size_t)f->nqs, sizeof(int), by_name_cmp);
    sort_form = NULL;
    return DT_OK;
}

int form_find(const form *f, const char *name)
{
    int lo = 0, hi = f->nqs - 1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(name, f->qs[f->by_name[mid]].name);
        if (c == 0)
            return f->by_name[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

const char *form_id(const form *f)
{
    return f->id;
}

int form_version(const form *f)
{
    return f->version;
}

const char *form_title(const form *f, int lang)
{
    return f->title[lang];
}

const expr *form_refusal(const form *f)
{
    return f->refusal;
}

const int *form_household_key(const form *f, int *n)
{
    *n = f->nhh_key;
    return f->hh_key;
}

int form_repeats_around(const form *f, int q, int *out)
{
    int n = 0;

    for (int r = form_q(f, q)->repeat; r >= 0; r = form_q(f, r)->repeat)
        n++;
    if (n > FORM_MAX_DEPTH_REPEATS) /* the loader refuses deeper: a bug */
        n = FORM_MAX_DEPTH_REPEATS;
    for (int r = form_q(f, q)->repeat, k = n; r >= 0 && k > 0; r = form_q(f, r)->repeat)
        out[--k] = r;
    return n;
}

int form_repeat_counter(const form *f, int r)
{
    const form_question *rq = form_q(f, r);
    const form_question *q;
    const char *t;
    const int *refs;
    size_t n, len;

    if (rq->type != Q_REPEAT || !rq->repeat_count)
        return -1;
    refs = expr_refs(rq->repeat_count, &n);
    if (n != 1)
        return -1;
    q = form_q(f, refs[0]);
    if (q->type != Q_INTEGER || q->repeat != rq->repeat)
        return -1;
    /* exactly "${name}", spaces around allowed: anything more is a rule, not a count */
    for (t = expr_text(rq->repeat_count); *t == ' '; t++)
        ;
    len = strlen(q->name);
    if (strncmp(t, "${", 2) || strncmp(t + 2, q->name, len) || t[2 + len] != '}')
        return -1;
    for (t += 3 + len; *t == ' '; t++)
        ;
    return *t ? -1 : refs[0];
}

int form_nlangs(const form *f)
{
    return f->nlangs;
}

const char *form_lang(const form *f, int i)
{
    return f->langs[i];
}

int form_lang_index(const form *f, const char *code)
{
    for (int i = 0; i < f->nlangs; i++)
        if (!strcmp(f->langs[i], code))
            return i;
    return -1;
}

int form_nquestions(const form *f)
{
    return f->nqs;
}

const form_question *form_q(const form *f, int i)
{
    return &f->qs[i];
}

int form_nlists(const form *f)
{
    return f->nlists;
}

const form_list *form_list_at(const form *f, int i)
{
    return &f->lists[i];
}

const form_choice *form_choice_find(const form_list *l, long long code)
{
    for (int i = 0; i < l->nchoices; i++)
        if (l->choices[i].code == code)
            return &l->choices[i];
    return NULL;
}

const int *form_eval_order(const form *f, int *n)
{
    *n = f->norder;
    return f->order;
}
