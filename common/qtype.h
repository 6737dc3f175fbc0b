/* qtype.h - question types as one table: what each program needs to know about a type
 *
 * Every program reads a type through its entry here (the loader, the engine, both interviews,
 * review and exports), so that a new type is a line of the table and the small code that
 * checks its answers (qtype.c), not a case in a dozen switches. */
#ifndef DT_QTYPE_H
#define DT_QTYPE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "form.h"

struct val;

/* What a type is. */
enum {
    QT_ANSWER = 1 << 0,    /* takes an answer: required, default and constraint apply */
    QT_LIST = 1 << 1,      /* needs a choice list: "select_one LIST" */
    QT_CONTAINER = 1 << 2, /* a group or a repeat: holds questions */
    QT_ASKED = 1 << 3,     /* an interview stops at it (answerable and shown, or a note) */
    QT_NUMERIC = 1 << 4,   /* its answer is a number (range's parameters, sums) */
    QT_PARAMS = 1 << 5     /* reads the parameters column (range) */
};

/* What an expression reads in an answer of the type. */
typedef enum qt_expr {
    QE_STR,  /* the canonical text */
    QE_NUM,  /* the number */
    QE_DATE, /* days since 1970-01-01 */
    QE_CALC  /* a number when the result is one, else the text */
} qt_expr;

/* The columns an export makes of it. */
typedef enum qt_col {
    QC_NONE,    /* none: notes, groups, repeats */
    QC_INT,     /* one whole number */
    QC_NUM,     /* one number */
    QC_STR,     /* one string */
    QC_DATE,    /* one date */
    QC_CODE,    /* one code with the list's value labels */
    QC_CALC,    /* a number or a string, whatever the calculation gives */
    QC_CHOICES, /* one 0/1 column per choice of the list */
    QC_GEO      /* latitude, longitude, altitude, accuracy */
} qt_col;

/* How an interview asks it: both interviews draw one prompt per kind. */
typedef enum qt_input {
    QI_NONE,     /* not shown: calculate, hidden, group */
    QI_INTEGER,  /* a whole number */
    QI_DECIMAL,  /* a number */
    QI_TEXT,     /* free text */
    QI_ONE,      /* one of the choices */
    QI_MULTI,    /* any of the choices */
    QI_DATE,     /* a date */
    QI_TIME,     /* a time of day */
    QI_DATETIME, /* a date and a time */
    QI_GEO,      /* latitude and longitude */
    QI_RANGE,    /* a number between two bounds */
    QI_NOTE,     /* read, then go on */
    QI_ACK,      /* confirmed with OK */
    QI_REPEAT,   /* add another? */
    QI_NKINDS
} qt_input;

typedef struct qtype {
    const char *name; /* as written in a form; a QT_LIST type is followed by " LIST" */
    unsigned flags;   /* QT_* */
    qt_expr expr;
    qt_col col;
    qt_input input;
    const char *json_note; /* how the answer looks in JSON, for the codebook; "" when plain */
    /* The checks that make an answer canonical (value.h says what they promise); NULL for a
     * type that takes no answer. text is trimmed and not empty. */
    int (*from_json)(struct val *out, const form_question *q, const cJSON *j, char *why,
                     size_t whylen);
    int (*from_text)(struct val *out, const form_question *q, char *text, char *why, size_t whylen);
    cJSON *(*to_json)(const form_question *q, const struct val *v);
} qtype;

/* The entry of type t (every form_type has one). */
const qtype *qtype_of(form_type t);

/* The type called name (the word before a list's name), or -1. */
int qtype_find(const char *name);

/* How an interview asks question q: its type's input, a note's when q is read-only. */
qt_input qtype_input(const form_question *q);

/* Shorthands for the flags most callers ask about. */
int qtype_answerable(form_type t);
int qtype_container(form_type t);

#endif
