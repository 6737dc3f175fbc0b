/* indicators_int.h - what indicators.c and indicators_out.c share */
#ifndef SYNCD_INDICATORS_INT_H
#define SYNCD_INDICATORS_INT_H

#include "indicators.h"
#include "place.h"

#include <stdint.h>

#define IND_NEST 5 /* T1..T5: the indicators that are estimated */

/* One indicator's definition: its code, labels, unit and the plan's 2025 target. */
typedef struct ind_def {
    const char *code, *label_vi, *label_en, *unit, *unit_kind;
    double target;
} ind_def;

extern const ind_def ind_defs[IND_COUNT];
extern const char ind_out_of_scope[]; /* T6's note */

/* A string -> index map (open addressing, FNV-1a): groups, strata, PSUs, frame rows. */
typedef struct ind_map {
    char **keys;    /* by index, owned */
    size_t n, kcap; /* keys used, allocated */
    size_t *slots;  /* index + 1, 0 = empty */
    size_t nslots;  /* a power of two */
} ind_map;

/* The index of key, added when new (*added 1); -1 when out of memory. */
long ind_map_put(ind_map *m, const char *key, int *added);
void ind_map_free(ind_map *m);
/* The index of key, or -1. */
long ind_map_get(const ind_map *m, const char *key);

/* The order of group and class keys: codes by value (numbers, shorter first), then text. */
int ind_key_cmp(const char *a, const char *b);

/* A household of the sample frame, for the nonresponse adjustment. */
typedef struct ind_frame_hh {
    double w;
    char *cls; /* its class key, owned */
    int seen, responded;
} ind_frame_hh;

/* One completed household: what it adds to each indicator's numerator and denominator. */
typedef struct hh_rec {
    size_t group;
    size_t psu;          /* index in the PSU map */
    double w;            /* the frame's weight; 0 when none (or not usable) */
    long frame;          /* its row in the pass's frame (nonresponse), or -1 */
    int32_t y[IND_NEST]; /* T1-T3: 0/1; T4, T5: members counted */
    int32_t x[IND_NEST]; /* T1-T3: 1 (0 when unanswered); T4: members 15+; T5: members 5+ */
} hh_rec;

typedef struct pass {
    ind_report *r;
    const form *f;
    placer *pl;      /* NULL when no household form is published */
    place_result at; /* where the current case lies */
    size_t ucap;     /* r->unplaced allocated */
    ind_map groups, strata, psus;
    size_t *psu_stratum; /* by PSU index */
    size_t psu_cap;
    size_t gcap;
    hh_rec *hh;
    size_t nhh, hcap;
    int any_weight;
    const ind_options *opt;
    ind_map frame_ids; /* the frame's assignment ids (nonresponse), by index into frame */
    ind_frame_hh *frame;
    size_t fcap;
    dt_err *err;
} pass;

/* The frame's households for the nonresponse adjustment (indicators_weight.c). */
int ind_read_frame(pass *p, store *s);
/* The case row is of a frame household: seen, responded when completed; h (NULL for a
 * refusal) remembers the row. */
void ind_frame_mark(pass *p, const store_case_row *row, int completed, hh_rec *h);
/* The households' weights adjusted for nonresponse, and the report's classes. */
int ind_adjust_nonresponse(pass *p);
void ind_frame_free(pass *p);

#endif
