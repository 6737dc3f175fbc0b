/* place.h - where a case lies in the units of today, whatever version it was taken on
 *
 * The units of today are those of the form's latest version: its geography names the table of
 * units (common/geo.h). A case taken on a version that asks for those units is where its
 * answer says. A case taken before (another table, or none) recorded a former unit: the table's
 * predecessors place it; a former unit that was split is settled by the frame (the case's own
 * assignment, else the village the frame puts in one of the candidates), otherwise the case is
 * ambiguous; a code no unit came from is unknown. Nothing is guessed. */
#ifndef SYNCD_PLACE_H
#define SYNCD_PLACE_H

#include "geo.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <stdio.h>

typedef enum place_how {
    PLACE_AS_RECORDED, /* the version asks for the units of today */
    PLACE_MAPPED,      /* a former unit that lies whole in one unit of today */
    PLACE_BY_FRAME,    /* a split former unit, settled by the frame */
    PLACE_AMBIGUOUS,   /* a split former unit the frame does not settle */
    PLACE_UNKNOWN,     /* no unit of today has that code or came from it (or no code) */
    PLACE_NO_TABLE,    /* the latest version declares no table of units */
} place_how;

#define PLACE_CANDS 8

typedef struct place_result {
    place_how how;
    char recorded[GEO_CODE_MAX * 4];    /* the area code as recorded; "" when unanswered */
    const char *recorded_name;          /* that unit's name in the table (a former unit's name
                                           then), or NULL when the table has none */
    const geo_unit *unit;               /* the unit of today, or NULL (not placed) */
    char districts[64];                 /* its former districts ("122+125"), or "" */
    char locality[256];                 /* the answer naming the village, or "" */
    const geo_unit *cands[PLACE_CANDS]; /* PLACE_AMBIGUOUS: where it may be */
    int ncands;
} place_result;

typedef struct placer placer;

/* Reads what placing form_id's cases needs: its latest version, that version's table of
 * units, and the frame. Returns 0 with *out owned by the caller (placer_close), or a DT_ code
 * with err (a declared table the programs do not carry is an error). */
int placer_open(placer **out, store *s, const char *form_id, dt_err *err);
void placer_close(placer *p);

/* The latest version (the units of today), and its table (NULL when it declares none). */
const form *placer_form(const placer *p);
const geo_table *placer_table(const placer *p);

/* Places one case (its row and parsed answers) into *out. Returns 0, or a DT_ code with err
 * (its version cannot be read). */
int placer_place(placer *p, const store_case_row *row, const cJSON *answers, place_result *out,
                 dt_err *err);

/* The same with the case's own version f already read (form_id and form_version of row):
 * reads nothing from the store, so several threads may place cases with one placer. */
void placer_place_form(const placer *p, const form *f, const store_case_row *row,
                       const cJSON *answers, place_result *out);

/* Places a bare area code whose version is not known (a progress row, a frame row): a unit of
 * today when the table has it, else a former unit through the predecessors. No frame is read:
 * a split former unit is PLACE_AMBIGUOUS with its candidates. */
void placer_place_code(const placer *p, const char *code, place_result *out);

/* A unit's name in language en (0 Vietnamese, 1 English): the latest version's label for it,
 * else the table's name. */
const char *placer_unit_name(const placer *p, const geo_unit *u, int en);

/* "122+125" as "Huyện Phù Yên + Huyện Mai Sơn" (en: English) into out; the codes themselves
 * where the table has no names. Returns out. */
const char *placer_districts_name(const placer *p, const char *districts, int en, char *out,
                                  size_t size);

/* One line: how many cases were placed each way (placed: indexed by place_how), into the
 * units of table ("sonla_2025"). */
void place_print_counts(FILE *fp, const char *table, const long placed[PLACE_NO_TABLE + 1]);

/* "as_recorded", "mapped", "by_frame", "ambiguous", "unknown", "no_table". */
const char *place_how_name(place_how h);

#endif
