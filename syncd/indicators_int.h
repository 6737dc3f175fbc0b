/* indicators_int.h - what indicators.c and indicators_out.c share */
#ifndef SYNCD_INDICATORS_INT_H
#define SYNCD_INDICATORS_INT_H

#include "indicators.h"
#include "controls.h"
#include "place.h"
#include "weight.h"

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

/* One completed household: a unit of the design. */
typedef struct ind_hh {
    double w;      /* its weight: the frame's, adjusted for nonresponse, calibrated; 0: none */
    double d;      /* before calibration */
    size_t psu;    /* index in the PSU map */
    long frame;    /* its row in the pass's frame (nonresponse), or -1 */
    int in;        /* 1 when the frame gave it a usable weight (a unit of the weighted design) */
    char *case_id; /* owned, only when the pass keeps the weights (pass.want) */
} ind_hh;

/* What one household adds to one group's indicators. */
typedef struct ind_rec {
    size_t hh;           /* index in the pass's households */
    uint32_t group;      /* in its target's report */
    uint8_t tgt;         /* the pass's target */
    int32_t y[IND_NEST]; /* T1-T3: 0/1; T4, T5: members counted */
    int32_t x[IND_NEST]; /* T1-T3: 1 (0 when unanswered); T4: members 15+; T5: members 5+ */
} ind_rec;

/* A report being made, and its groups by key. */
typedef struct ind_target {
    ind_report *r;
    ind_map groups; /* "key\x1fcategory" -> index in r->groups */
    size_t gcap;
} ind_target;

/* A domain (--by QUESTION): its categories as columns of controls.h. */
typedef struct ind_domain {
    ctl_totals cats;             /* one column per category, in the domain's order */
    int member;                  /* 1: the members are counted by category (T4, T5 only) */
    char *label[IND_DOMAIN_MAX]; /* owned: a choice's label, else the category as written */
    char question[128];          /* the question's name (--by's spec up to '=') */
} ind_domain;

typedef struct pass {
    ind_target t[2]; /* t[0] the report's level; t[1] the province when the level is another */
    int nt;
    ind_report *r; /* t[0].r */
    const form *f;
    placer *pl;      /* NULL when no household form is published */
    place_result at; /* where the current case lies */
    size_t ucap;     /* r->unplaced allocated */
    ind_map strata, psus;
    size_t *psu_stratum; /* by PSU index */
    size_t psu_cap;
    ind_hh *hh;
    size_t nhh, hcap;
    ind_rec *rec;
    size_t nrec, rcap;
    int any_weight;
    const ind_options *opt; /* never NULL */
    ind_map frame_ids;      /* the frame's assignment ids (nonresponse), by index into frame */
    ind_frame_hh *frame;
    size_t fcap;
    ind_domain *dom;   /* NULL when none */
    ind_weights *want; /* NULL, or where the households' weights go (ind_compute_weights) */
    /* calibration: the totals, each household's row of values (compressed sparse rows) */
    ctl_totals *ctl;
    double *cal_t;       /* the known totals, by column */
    size_t *xrow, *xcol; /* nhh + 1; the columns */
    double *xval;
    size_t nx, xcap;
    dt_err *err;
} pass;

/* The frame's households for the nonresponse adjustment (indicators_weight.c). */
int ind_read_frame(pass *p, store *s);
/* The case row is of a frame household: seen, responded when completed; h (NULL for a
 * refusal) remembers the row. */
void ind_frame_mark(pass *p, const store_case_row *row, int completed, ind_hh *h);
/* The households' weights adjusted for nonresponse, and the report's classes. */
int ind_adjust_nonresponse(pass *p);
void ind_frame_free(pass *p);

/* Calibration (indicators_cal.c): the totals file read against the form and the table of
 * units; each household's row, added as the cases are read; the weights calibrated (hh.d
 * keeps them before, hh.w after), the report's margins. */
int ind_cal_open(pass *p);
int ind_cal_row(pass *p, const cJSON *answers);
int ind_calibrate(pass *p);
/* The calibration's columns as wt_calibrate takes them (valid while p's rows do not grow). */
wt_matrix ind_cal_matrix(const pass *p);
/* Calibrates replicate r's weights w (nhh, before calibration) in place, g scratch (nhh);
 * an error says which replicate and margin. */
int ind_cal_replicate(pass *p, const wt_matrix *x, double *w, double *g, size_t r, size_t nrep);
void ind_cal_free(pass *p);

/* Domains (indicators_domain.c): --by QUESTION read against the form; each household's
 * category (household questions, urban_rural), or its members' (-1: in none). */
int ind_domain_open(pass *p);
int ind_domain_of(const pass *p, const cJSON *answers);
int ind_domain_member(const pass *p, const cJSON *member);
void ind_domain_free(pass *p);

/* A list of problems as one error: "prefix: where: what: message (N problems)", DT_EINVAL. */
int ind_first_problem(dt_err *err, const errlist *l, const char *prefix);

/* The estimates of every group of every target from the households (indicators_est.c); the
 * weights and replicates into p->want when it is there. */
int ind_estimate(pass *p);

/* The group of the current case (p->at) in target t, in category cat (-1: the whole group),
 * made when new. Returns its index or -1 (out of memory). */
long ind_group_of(pass *p, ind_target *t, int cat);

#endif
