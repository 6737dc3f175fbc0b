/* engine_int.h - the inside of an interview, shared by engine.c (relevance, calculations,
 * checks, navigation, answers in and out) and engine_inst.c (where the answers of repeat
 * instances live, nested ones included) */
#ifndef DT_ENGINE_INT_H
#define DT_ENGINE_INT_H

#include "engine.h"

/* Slots of one repeat across all its parents: past this the answers are refused (a hostile
 * upload of rosters inside rosters would otherwise take the centre's memory). */
#define ENG_MAX_SLOTS 10000

typedef struct qstate {
    val *v;             /* one per slot of the question's repeat (one outside repeats) */
    unsigned char *rel; /* relevance, likewise */
} qstate;

/* The instances of a repeat within one instance of its enclosing repeat (the only one, at the
 * top). */
typedef struct eng_kids {
    int *slot; /* by position: the slots kept (cap), the first n in use */
    int n, cap;
    int given; /* instances an answers file gave (checked against repeat_count) */
    int want;  /* instances repeat_count asked for (more than n: past ENG_MAX_SLOTS) */
} eng_kids;

/* A repeat's instances. An instance is a slot: where its questions keep their answers. A
 * slot never changes its place among its siblings (moving an instance moves its answers), so
 * that at the top a slot is its instance's position. */
typedef struct eng_rep {
    int *par;            /* per slot: the enclosing repeat's slot holding it (0 at the top) */
    int *pos;            /* per slot: its position among its siblings */
    unsigned char *dflt; /* per slot: it got its defaults */
    int nslots, capslots;
    eng_kids *kids; /* per slot of the enclosing repeat (one at the top) */
    int nkids;
} eng_rep;

struct interview {
    const form *f;
    int today;
    int lang;
    qstate *qs;    /* one per question */
    eng_rep *reps; /* one per question; used for repeats */
    int defaults;  /* apply defaults to new instances */
    int dirty;     /* answers changed since the last recompute */
    expr_scratch *scratch;
    int ctx_repeat;                /* the repeat the current evaluation is inside, or -1 */
    int ctx_inst;                  /* its slot */
    const form_choice *ctx_choice; /* for bare names in a choice_filter */
    int *set;                      /* the slots of the last set of instances (ei_set) */
    int nset, capset;
};

/* The repeat whose slots hold q's answers, or -1. */
int ei_scope(const interview *iv, int q);
/* The instances of repeat r in slot p of its enclosing repeat (0 at the top); NULL when out of
 * memory (p past every slot is a bug). */
eng_kids *ei_kids(interview *iv, int r, int p);
/* At least n instances kept for r in p (new ones empty). 0, DT_ENOMEM, or DT_EINVAL past
 * ENG_MAX_SLOTS. */
int ei_ensure(interview *iv, int r, int p, int n);
/* 1 when slot s of repeat r is in use: within its siblings' count, and its parents too. */
int ei_live(const interview *iv, int r, int s);
/* The slot of repeat anc holding slot s of repeat r (r itself or one it is inside), or -1
 * when anc does not enclose r. */
int ei_ancestor(const interview *iv, int r, int s, int anc);
/* The instances of repeat r seen from slot cs of repeat cr (-1: the top): those inside the
 * instances they share, in document order. *out points into iv (valid until the next call)
 * or into r's kids. Returns their number, or DT_ENOMEM. */
int ei_set(interview *iv, int r, int cr, int cs, const int **out);
/* Resets every count an answers file gave. */
void ei_forget_given(interview *iv);
/* engine.c: recomputes when answers changed; gives the new instances of r in p their defaults
 * when the interview uses them. */
void ei_fresh(interview *iv);
int ei_defaults(interview *iv, int r, int p);

/* Storage: made with the interview, freed with it. */
int ei_init(interview *iv);
void ei_free(interview *iv);

#endif
