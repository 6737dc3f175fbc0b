/* indicators_int.h - what indicators.c and indicators_out.c share */
#ifndef SYNCD_INDICATORS_INT_H
#define SYNCD_INDICATORS_INT_H

#include "indicators.h"

#define IND_NEST 5 /* T1..T5: the indicators that are estimated */

/* One indicator's definition: its code, labels, unit and the plan's 2025 target. */
typedef struct ind_def {
    const char *code, *label_vi, *label_en, *unit, *unit_kind;
    double target;
} ind_def;

extern const ind_def ind_defs[IND_COUNT];
extern const char ind_out_of_scope[]; /* T6's note */

#endif
