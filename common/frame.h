/* frame.h - sample frames: CSV files of the households to visit, read against a form */
#ifndef DT_FRAME_H
#define DT_FRAME_H

#include "err.h"
#include "form.h"

/* A frame file being read (opaque). Columns: assignment_id (required), enumerator,
 * weight, stratum, psu, label, form_id, and any question of the form outside the roster,
 * whose value pre-fills the interview. */
typedef struct frame frame;

/* One household of the frame. Valid until the next frame_next or frame_close. */
typedef struct frame_row {
    const char *assignment_id;
    const char *enumerator;   /* "" when the file has no such column */
    const char *label;        /* the label column, else the household key ("04012 / Bản Áng
                                 / 27"), else the assignment id */
    const char *stratum;      /* NULL when empty */
    const char *psu;          /* NULL when empty */
    const char *commune_code; /* the pre-filled area unit's code (form_area), or NULL */
    const char *prefill;      /* JSON object of the pre-filled answers */
    double weight;            /* when has_weight */
    int has_weight;
    int line; /* where the record starts in the file */
} frame_row;

/* Opens path and maps its header onto form f. Problems with the header (an unknown
 * column, no assignment_id) go to problems as "line 1: COLUMN: message"; the file can
 * still be read to find the problems of its rows. Errors (cannot read, out of memory):
 * DT_ codes with err. *out owned by the caller (frame_close). */
int frame_open(frame **out, const char *path, const form *f, errlist *problems, dt_err *err);

/* 1 when the file has a column called name. */
int frame_has_column(const frame *fr, const char *name);

/* Reads the next household. Values are read as an enumerator would type them
 * (val_from_text) and pre-filled answers must pass their constraints. Returns 1 with row
 * filled when the row is good, 2 when it had problems (each added to problems as
 * "line N: column: message"), 0 at the end, or a negative DT_ code with err. */
int frame_next(frame *fr, frame_row *row, errlist *problems, dt_err *err);

void frame_close(frame *fr);

#endif
