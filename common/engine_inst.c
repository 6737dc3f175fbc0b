/* engine_inst.c - where the answers of repeat instances live: slots, the instances of a repeat
 * within each instance of the one around it (rosters inside rosters), which are in use, the
 * sets an expression sees from elsewhere, and adding, moving, clearing instances */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ei_scope(const interview *iv, int q)
{
    return form_q(iv->f, q)->repeat;
}

int ei_init(interview *iv)
{
    int n = form_nquestions(iv->f);

    if (!(iv->reps = calloc((size_t)n, sizeof(eng_rep))))
        return DT_ENOMEM;
    for (int q = 0; q < n; q++) {
        if (form_q(iv->f, q)->type != Q_REPEAT)
            continue;
        eng_rep *rp = &iv->reps[q];
        rp->capslots = 1; /* as every question's storage starts */
        if (!(rp->par = calloc(1, sizeof(int))) || !(rp->pos = calloc(1, sizeof(int))) ||
            !(rp->dflt = calloc(1, 1)))
            return DT_ENOMEM;
    }
    return DT_OK;
}

void ei_free(interview *iv)
{
    for (int q = 0; iv->reps && q < form_nquestions(iv->f); q++) {
        eng_rep *rp = &iv->reps[q];
        for (int k = 0; k < rp->nkids; k++)
            free(rp->kids[k].slot);
        free(rp->kids);
        free(rp->par);
        free(rp->pos);
        free(rp->dflt);
    }
    free(iv->reps);
    free(iv->set);
}

eng_kids *ei_kids(interview *iv, int r, int p)
{
    eng_rep *rp = &iv->reps[r];

    if (p >= rp->nkids) {
        eng_kids *k = realloc(rp->kids, sizeof(*k) * (size_t)(p + 1));
        if (!k)
            return NULL;
        memset(k + rp->nkids, 0, sizeof(*k) * (size_t)(p + 1 - rp->nkids));
        rp->kids = k;
        rp->nkids = p + 1;
    }
    return &rp->kids[p];
}

/* Room for cap slots in repeat r: its own arrays and the answers of every question it holds
 * directly (a repeat inside it included: its relevance is per slot of r). */
static int grow_slots(interview *iv, int r, int cap)
{
    eng_rep *rp = &iv->reps[r];
    const form_question *rq = form_q(iv->f, r);
    int old = rp->capslots;
    int *par, *pos;
    unsigned char *dflt;

    if (!(par = realloc(rp->par, sizeof(int) * (size_t)cap)))
        return DT_ENOMEM;
    rp->par = par;
    if (!(pos = realloc(rp->pos, sizeof(int) * (size_t)cap)))
        return DT_ENOMEM;
    rp->pos = pos;
    if (!(dflt = realloc(rp->dflt, (size_t)cap)))
        return DT_ENOMEM;
    rp->dflt = dflt;
    for (int q = r + 1; q < rq->end; q++) {
        qstate *s = &iv->qs[q];
        if (ei_scope(iv, q) != r)
            continue;
        val *v = realloc(s->v, sizeof(val) * (size_t)cap);
        if (!v)
            return DT_ENOMEM;
        s->v = v;
        unsigned char *rel = realloc(s->rel, (size_t)cap);
        if (!rel)
            return DT_ENOMEM;
        s->rel = rel;
        memset(s->v + old, 0, sizeof(val) * (size_t)(cap - old));
        memset(s->rel + old, 0, (size_t)(cap - old));
    }
    rp->capslots = cap;
    return DT_OK;
}

int ei_ensure(interview *iv, int r, int p, int n)
{
    eng_rep *rp = &iv->reps[r];
    eng_kids *k = ei_kids(iv, r, p);

    if (!k)
        return DT_ENOMEM;
    if (n <= k->cap)
        return DT_OK;
    if (rp->nslots + (n - k->cap) > ENG_MAX_SLOTS)
        return DT_EINVAL;
    int *slot = realloc(k->slot, sizeof(int) * (size_t)n);
    if (!slot)
        return DT_ENOMEM;
    k->slot = slot;
    while (k->cap < n) {
        int s = rp->nslots;
        if (s == rp->capslots &&
            grow_slots(iv, r, rp->capslots * 2 > s + 1 ? rp->capslots * 2 : s + 1))
            return DT_ENOMEM;
        rp->par[s] = p;
        rp->pos[s] = k->cap;
        rp->dflt[s] = 0;
        rp->nslots++;
        k->slot[k->cap++] = s;
    }
    return DT_OK;
}

int ei_live(const interview *iv, int r, int s)
{
    while (r >= 0) {
        const eng_rep *rp = &iv->reps[r];
        if (s < 0 || s >= rp->nslots)
            return 0;
        int p = rp->par[s];
        if (p >= rp->nkids || rp->pos[s] >= rp->kids[p].n)
            return 0;
        r = ei_scope(iv, r);
        s = p;
    }
    return 1;
}

int ei_ancestor(const interview *iv, int r, int s, int anc)
{
    while (r >= 0 && r != anc) {
        s = iv->reps[r].par[s];
        r = ei_scope(iv, r);
    }
    return r == anc ? s : -1;
}

/* 1 when repeat a is r or encloses it. */
static int encloses(const interview *iv, int a, int r)
{
    if (a < 0)
        return 1;
    while (r >= 0 && r != a)
        r = ei_scope(iv, r);
    return r == a;
}

static int set_add(interview *iv, int s)
{
    if (iv->nset == iv->capset) {
        int cap = iv->capset ? iv->capset * 2 : 64;
        int *p = realloc(iv->set, sizeof(int) * (size_t)cap);
        if (!p)
            return DT_ENOMEM;
        iv->set = p;
        iv->capset = cap;
    }
    iv->set[iv->nset++] = s;
    return DT_OK;
}

/* The instances in use of the repeats chain[i..n) inside slot p of chain[i-1], in order. */
static int collect(interview *iv, const int *chain, int i, int n, int p)
{
    int r = chain[i];
    eng_kids *k;

    if (!iv->qs[r].rel[p])
        return DT_OK; /* the repeat is not asked in this instance */
    if (!(k = ei_kids(iv, r, p)))
        return DT_ENOMEM;
    for (int j = 0; j < k->n; j++) {
        int rc = i + 1 == n ? set_add(iv, k->slot[j]) : collect(iv, chain, i + 1, n, k->slot[j]);
        if (rc)
            return rc;
    }
    return DT_OK;
}

int ei_set(interview *iv, int r, int cr, int cs, const int **out)
{
    int chain[FORM_MAX_DEPTH_REPEATS], n = 0, a = cr, p;

    while (a == r || !encloses(iv, a, r)) /* the repeat both are inside (r's own: its parent) */
        a = ei_scope(iv, a);
    p = a < 0 ? 0 : ei_ancestor(iv, cr, cs, a);
    for (int x = r; x != a && n < FORM_MAX_DEPTH_REPEATS; x = ei_scope(iv, x))
        chain[n++] = x;
    for (int i = 0; i < n / 2; i++) { /* outermost first */
        int t = chain[i];
        chain[i] = chain[n - 1 - i];
        chain[n - 1 - i] = t;
    }
    if (n == 1) { /* the common case: the instances of one parent, as they are kept */
        eng_kids *k = ei_kids(iv, r, p);
        if (!k)
            return DT_ENOMEM;
        *out = k->slot;
        return iv->qs[r].rel[p] ? k->n : 0;
    }
    iv->nset = 0;
    if (collect(iv, chain, 0, n, p))
        return DT_ENOMEM;
    *out = iv->set;
    return iv->nset;
}

void ei_forget_given(interview *iv)
{
    for (int q = 0; q < form_nquestions(iv->f); q++)
        for (int k = 0; k < iv->reps[q].nkids; k++)
            iv->reps[q].kids[k].given = 0;
}

/* ---- the public API on instances */

/* The parent slot of repeat r's instances as a caller names it: 0 at the top. */
static int top_parent(const interview *iv, int r)
{
    return ei_scope(iv, r) < 0 ? 0 : -1;
}

/* 1 when parent names an instance of the repeat around r now in use (0 at the top). */
static int parent_ok(const interview *iv, int r, int parent)
{
    int s = ei_scope(iv, r);
    return s < 0 ? parent == 0 : ei_live(iv, s, parent);
}

int eng_instances_in(interview *iv, int r, int parent)
{
    eng_kids *k;

    if (form_q(iv->f, r)->type != Q_REPEAT || parent < 0)
        return 0;
    ei_fresh(iv);
    if (!parent_ok(iv, r, parent))
        return 0;
    if (!iv->qs[r].rel[parent] || !(k = ei_kids(iv, r, parent)))
        return 0;
    return k->n;
}

int eng_instances(interview *iv, int r)
{
    return eng_instances_in(iv, r, top_parent(iv, r));
}

int eng_instance_slot(interview *iv, int r, int parent, int k)
{
    eng_kids *kids;

    if (k < 0 || k >= eng_instances_in(iv, r, parent) || !(kids = ei_kids(iv, r, parent)))
        return -1;
    return kids->slot[k];
}

int eng_instance_position(const interview *iv, int r, int slot)
{
    return slot >= 0 && slot < iv->reps[r].nslots ? iv->reps[r].pos[slot] : -1;
}

int eng_instance_parent(const interview *iv, int r, int slot)
{
    return slot >= 0 && slot < iv->reps[r].nslots ? iv->reps[r].par[slot] : -1;
}

int eng_place_instance(const interview *iv, eng_pos at, int r)
{
    const form_question *fq;
    int rep, s;

    if (r < 0)
        return 0;
    if (at.q < 0 || at.q >= form_nquestions(iv->f))
        return -1;
    fq = form_q(iv->f, at.q);
    rep = fq->repeat;
    s = fq->type == Q_REPEAT ? ENG_ADD_PARENT(at.inst) : at.inst;
    while (rep >= 0 && rep != r) {
        if (s < 0 || s >= iv->reps[rep].nslots)
            return -1;
        s = iv->reps[rep].par[s];
        rep = ei_scope(iv, rep);
    }
    return rep == r && s >= 0 && s < iv->reps[r].nslots ? s : -1;
}

int eng_instances_all(interview *iv, int r, const int **out)
{
    *out = NULL;
    if (form_q(iv->f, r)->type != Q_REPEAT)
        return 0;
    ei_fresh(iv);
    return ei_set(iv, r, -1, 0, out);
}

int eng_add_instance_in(interview *iv, int r, int parent)
{
    const form_question *rq = form_q(iv->f, r);
    eng_kids *k;
    int rc;

    if (rq->type != Q_REPEAT || rq->repeat_count || parent < 0 || !parent_ok(iv, r, parent) ||
        !(k = ei_kids(iv, r, parent)))
        return DT_EINVAL;
    if (k->n >= FORM_MAX_INSTANCES)
        return DT_EINVAL;
    if ((rc = ei_ensure(iv, r, parent, k->n + 1)))
        return rc;
    k = ei_kids(iv, r, parent); /* ensure may have moved them */
    k->n++;
    if (iv->defaults && ei_defaults(iv, r, parent))
        return DT_ENOMEM;
    iv->dirty = 1;
    return k->slot[k->n - 1];
}

int eng_add_instance(interview *iv, int r)
{
    return eng_add_instance_in(iv, r, top_parent(iv, r));
}

/* Clears slot s of repeat r: its answers, and every instance of the repeats inside it. */
static void clear_slot(interview *iv, int r, int s)
{
    const form_question *rq = form_q(iv->f, r);

    for (int q = r + 1; q < rq->end; q++) {
        if (ei_scope(iv, q) != r)
            continue;
        val_free(&iv->qs[q].v[s]);
        if (form_q(iv->f, q)->type != Q_REPEAT || s >= iv->reps[q].nkids)
            continue;
        eng_kids *k = &iv->reps[q].kids[s];
        for (int j = 0; j < k->cap; j++)
            clear_slot(iv, q, k->slot[j]);
        k->n = k->given = 0;
    }
    iv->reps[r].dflt[s] = 0;
}

void eng_clear_instance(interview *iv, int r, int inst)
{
    if (form_q(iv->f, r)->type != Q_REPEAT || inst < 0 || inst >= iv->reps[r].nslots)
        return;
    clear_slot(iv, r, inst);
    iv->dirty = 1;
}

int eng_remove_instance_in(interview *iv, int r, int parent)
{
    const form_question *rq = form_q(iv->f, r);
    eng_kids *k;

    if (rq->type != Q_REPEAT || rq->repeat_count || parent < 0 || !parent_ok(iv, r, parent) ||
        parent >= iv->reps[r].nkids)
        return DT_EINVAL;
    k = &iv->reps[r].kids[parent];
    if (k->n == 0)
        return DT_EINVAL;
    clear_slot(iv, r, k->slot[k->n - 1]);
    k->n--;
    iv->dirty = 1;
    return DT_OK;
}

int eng_remove_instance(interview *iv, int r)
{
    return eng_remove_instance_in(iv, r, top_parent(iv, r));
}

/* Moves what slot a holds to slot b, for a slide of instances: the answers of r's own
 * questions, the flags, and the instances of the repeats inside (their parent is now b). */
static int take_slot(interview *iv, int r, const int *slots, int from, int to)
{
    const form_question *rq = form_q(iv->f, r);
    int step = from < to ? 1 : -1, top = slots[from] > slots[to] ? slots[from] : slots[to];

    /* every slot's kids made first: nothing moves unless everything can */
    for (int q = r + 1; q < rq->end; q++)
        if (ei_scope(iv, q) == r && form_q(iv->f, q)->type == Q_REPEAT && !ei_kids(iv, q, top))
            return DT_ENOMEM;
    for (int q = r + 1; q < rq->end; q++) {
        if (ei_scope(iv, q) != r)
            continue;
        val *v = iv->qs[q].v, moved = v[slots[from]];
        for (int i = from; i != to; i += step)
            v[slots[i]] = v[slots[i + step]];
        v[slots[to]] = moved;
        if (form_q(iv->f, q)->type != Q_REPEAT)
            continue;
        eng_rep *n = &iv->reps[q];
        eng_kids kmoved = n->kids[slots[from]];
        for (int i = from; i != to; i += step)
            n->kids[slots[i]] = n->kids[slots[i + step]];
        n->kids[slots[to]] = kmoved;
        for (int i = from;; i += step) { /* the instances inside name their new parent */
            eng_kids *k = &n->kids[slots[i]];
            for (int j = 0; j < k->cap; j++)
                n->par[k->slot[j]] = slots[i];
            if (i == to)
                break;
        }
    }
    unsigned char *d = iv->reps[r].dflt, dm = d[slots[from]];
    for (int i = from; i != to; i += step)
        d[slots[i]] = d[slots[i + step]];
    d[slots[to]] = dm;
    return DT_OK;
}

int eng_move_instance_in(interview *iv, int r, int parent, int from, int to)
{
    int n = eng_instances_in(iv, r, parent);

    if (form_q(iv->f, r)->type != Q_REPEAT || from < 0 || to < 0 || from >= n || to >= n)
        return DT_EINVAL;
    if (from == to)
        return DT_OK;
    if (take_slot(iv, r, iv->reps[r].kids[parent].slot, from, to))
        return DT_ENOMEM;
    iv->dirty = 1;
    return DT_OK;
}

int eng_move_instance(interview *iv, int r, int from, int to)
{
    return eng_move_instance_in(iv, r, top_parent(iv, r), from, to);
}

/* "members[2]/" for slot s of repeat r, and what encloses it, into out from n. */
static size_t path_of(const interview *iv, int r, int s, char *out, size_t size, size_t n)
{
    if (r < 0 || n >= size)
        return n;
    n = path_of(iv, ei_scope(iv, r), iv->reps[r].par[s], out, size, n);
    if (n < size) {
        int w =
            snprintf(out + n, size - n, "%s[%d]/", form_q(iv->f, r)->name, iv->reps[r].pos[s] + 1);
        n += w > 0 ? (size_t)w : 0;
    }
    return n;
}

void eng_pos_name(const interview *iv, eng_pos at, char *out, size_t size)
{
    const form_question *fq = form_q(iv->f, at.q);
    size_t n = 0;

    int slot = fq->type == Q_REPEAT ? ENG_ADD_PARENT(at.inst) : at.inst; /* a repeat's place */

    out[0] = '\0';
    if (fq->repeat >= 0 && slot >= 0 && slot < iv->reps[fq->repeat].nslots)
        n = path_of(iv, fq->repeat, slot, out, size, 0);
    if (n < size)
        snprintf(out + n, size - n, "%s", fq->name);
}
