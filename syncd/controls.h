/* controls.h - the totals known from outside the survey that the weights are calibrated to
 * (docs/indicators.md, "Calibration"): a CSV file of margin, category, total, read against
 * the household form, and each household's values in its columns. */
#ifndef SYNCD_CONTROLS_H
#define SYNCD_CONTROLS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "form.h"
#include "geo.h"

#define CTL_MAX_COLUMNS 1000 /* rows of a totals file */
#define CTL_URBAN_RURAL "urban_rural"

/* What a column counts in a household. */
typedef enum ctl_kind {
    CTL_HOUSEHOLDS, /* margin "households": every household, 1 */
    CTL_PERSONS,    /* margin "persons": its members */
    CTL_COMMUNE,    /* margin "commune": 1 in the unit of today whose code is the category */
    CTL_QUESTION,   /* a household question: 1 when its answer is the category (or in it) */
    CTL_MEMBER,     /* a member question: the members whose answer is the category (or in it) */
    CTL_AREA,       /* margin CTL_URBAN_RURAL: 1 when the household's unit of today is a ward
                       (category "urban") or a commune ("rural") */
    CTL_NONE        /* a margin that is none of these (a problem was said): counts nothing */
} ctl_kind;

typedef struct ctl_column {
    ctl_kind kind;
    char *margin, *category; /* as written, trimmed */
    int q;                   /* the question (CTL_QUESTION, CTL_MEMBER), else -1 */
    int range;               /* 1: a numeric range "15-24" (both included) or "65+" */
    double lo, hi;           /* the range, or the category's number (lo = hi) */
    int numeric;             /* 1 when the answer is compared as a number */
    double total;
    int line; /* in the file */
} ctl_column;

typedef struct ctl_totals {
    ctl_column *col;
    size_t n;
} ctl_totals;

/* Reads the totals file at path (header margin,category,total; a margin is households,
 * persons, commune, urban_rural, or a question of f outside a roster or in the top roster,
 * select_one, integer, decimal or text) into *out. units is the form's table of units (NULL
 * when it declares none): a commune must be one of its units, and commune and urban_rural
 * margins need it. Every problem at once in problems as "line N:
 * column: message" (an unknown margin, a category that is not one of the question's
 * choices, a total that is not a number >= 0, a margin and category given twice, full
 * margins that disagree on the number of households or persons): DT_EINVAL. Other errors
 * (cannot read, no memory) with err. ctl_free frees *out. */
int ctl_read(ctl_totals *out, const char *path, const form *f, const geo_table *units,
             errlist *problems, dt_err *err);
void ctl_free(ctl_totals *t);

/* Makes column c of margin and category (trimmed) as a totals file's row would be read, its
 * problems added to problems at where (a margin that is none: CTL_NONE); c->total is 0. Returns 0
 * (problems or none) or DT_ENOMEM; c's strings are then owned (freed as ctl_free frees a file's).
 */
int ctl_column_make(ctl_column *c, const form *f, const char *margin, const char *category,
                    errlist *problems, const char *where);

/* Every unit of t is a ward or a commune by its name (urban_rural): a problem at where for
 * each that is neither. */
void ctl_check_areas(const geo_table *t, errlist *problems, const char *where);

/* One household's value in column c: answers are its head revision's, unit its unit of
 * today (NULL when not placed). */
double ctl_value(const ctl_column *c, const form *f, const cJSON *answers, const geo_unit *unit);

/* Whether a member (one instance of the roster) is in c's category (c of CTL_MEMBER). */
int ctl_member_in(const ctl_column *c, const form *f, const cJSON *member);

/* One household's non-zero values (ctl_value of each column). Writes up to t->n (column,
 * value) pairs into cols and vals; returns how many. */
size_t ctl_row(const ctl_totals *t, const form *f, const cJSON *answers, const geo_unit *unit,
               size_t *cols, double *vals);

#endif
