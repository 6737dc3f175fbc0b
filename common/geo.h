/* geo.h - a table of area units and their predecessors: where an area code recorded before a
 * reform of the units lies in the units of today
 *
 * The table is a CSV file, one row per unit of today:
 *
 *   new_code,new_name,old_district_codes,old_units(code:name(type))
 *   "03943","Xã Mường Bang","122+125","03934:Xã Mường Lang(full);...;04111:Xã Mường Bằng(partial)"
 *
 * old_district_codes: the units of the level above, as it was before the reform, that the area
 * came from ('+'-separated); old_units: the former units it was made from, each whole ("full")
 * or in part ("partial": a former unit split between several units of today). Nothing in it is
 * specific to one province or one reform: when the units change again, a new table is written
 * (docs/geography.md). */
#ifndef DT_GEO_H
#define DT_GEO_H

#include <stddef.h>

#include "err.h"

#define GEO_CODE_MAX 16 /* bytes of a code, with its NUL */

typedef struct geo_pred {
    char code[GEO_CODE_MAX]; /* the former unit */
    char *name;              /* its name then */
    int partial;             /* 1: only part of it went into this unit */
} geo_pred;

typedef struct geo_unit {
    char code[GEO_CODE_MAX];
    char *name;
    char (*districts)[GEO_CODE_MAX]; /* the former units of the level above */
    int ndistricts;
    geo_pred *preds;
    int npreds;
} geo_unit;

typedef struct geo_table geo_table;

/* Reads a table from data[0..len) (name is used in messages) and checks that it holds
 * together: codes of 1-15 digits, each unit among its own predecessors, no unit twice, and
 * every former unit either whole in exactly one unit or in part in two or more (never both,
 * never with two names). Every problem goes to problems ("NAME: line N"). Returns 0 with *out
 * owned by the caller (geo_free), DT_EINVAL when there were problems, or DT_ENOMEM. */
int geo_load(geo_table **out, const char *name, const char *data, size_t len, errlist *problems,
             dt_err *err);
void geo_free(geo_table *t);

/* The units of today, in the table's order. */
int geo_count(const geo_table *t);
const geo_unit *geo_at(const geo_table *t, int i);

/* The unit of today with that code, or NULL. */
const geo_unit *geo_find(const geo_table *t, const char *code);

/* 1 when u is urban (a ward, "Phường", or a town, "Thị trấn"), 0 when rural (a commune, "Xã"),
 * -1 when its name says neither: since the 2025 reform a province's units of today are
 * communes and wards, and the ward is the urban unit. */
int geo_urban(const geo_unit *u);

/* How many distinct former units (of the level of the units) the table names. */
int geo_former_count(const geo_table *t);

typedef enum geo_place_result {
    GEO_PLACED,  /* the former unit lies whole in one unit of today */
    GEO_SPLIT,   /* it was split: which unit depends on where in it the household lives */
    GEO_UNKNOWN, /* no unit of today came from it */
} geo_place_result;

/* Where a code recorded before the reform lies now: GEO_PLACED with cands[0] the unit,
 * GEO_SPLIT with the candidates in cands[0..*ncands), at most max (the table's order), or
 * GEO_UNKNOWN with *ncands 0. */
geo_place_result geo_place(const geo_table *t, const char *former_code, const geo_unit **cands,
                           int max, int *ncands);

/* Names the former units of the level above (the districts before 2025) from a CSV of
 * code,name_vi,name_en (name is used in messages). Every former unit a unit of the table came
 * from must be named. Returns 0, DT_EINVAL with problems, or DT_ENOMEM. */
int geo_load_above(geo_table *t, const char *name, const char *data, size_t len, errlist *problems,
                   dt_err *err);

/* The name of a former unit of the level above, Vietnamese (en 0) or English, or NULL. */
const char *geo_above_name(const geo_table *t, const char *code, int en);

/* The name of former unit code as u lists it among its predecessors, or NULL. */
const char *geo_pred_name(const geo_unit *u, const char *code);

/* u's former units of the level above joined by '+' ("122+125") into out; returns out. */
const char *geo_districts(const geo_unit *u, char *out, size_t size);

/* A table the programs carry (schema/geography/NAME.csv with NAME_above.csv), loaded and
 * checked. Returns 0 with *out owned by the caller, DT_ENOTFOUND when no table has that name, or
 * another DT_ code with err. */
int geo_builtin(geo_table **out, const char *name, dt_err *err);
/* The name of the i-th table the programs carry, or NULL past the last. */
const char *geo_builtin_name(int i);

#endif
