/* quality.h - the quality flags of an interview, computed at the centre from its head
 * revision: what supervisors lean on to find bad interviews (too short for the household's
 * size, at night, answered faster than one can read, edited after it was finished, a size
 * that differs from the frame's, a possible duplicate). Pure: no store, no clock; the same
 * case and limits always give the same flags (docs/syncd.md, "Quality flags"). */
#ifndef SYNCD_QUALITY_H
#define SYNCD_QUALITY_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"

typedef enum qual_kind {
    QUAL_SPEEDING,     /* shorter than base + per member × members */
    QUAL_NIGHT,        /* started at night, in the field's time zone */
    QUAL_FAST_ANSWERS, /* too many screens answered under a second or so */
    QUAL_EDITED,       /* edited after it was finished (more than one revision) */
    QUAL_SIZE_FRAME,   /* the household's size differs from the frame's */
    QUAL_DUPLICATE,    /* another case has the same household key */
    QUAL_COUNT
} qual_kind;

/* The thresholds (the config file's quality_* keys; qual_defaults gives the documented
 * defaults). */
typedef struct qual_limits {
    double base_seconds;    /* speeding: a complete interview shorter than */
    double member_seconds;  /* ... base_seconds + member_seconds × members */
    int night_start;        /* night: started at or after this local hour ... */
    int night_end;          /* ... or before this one (21 and 6: 21:00 to 05:59) */
    int utc_offset_minutes; /* the field's time zone (+420: Vietnam) */
    double fast_seconds;    /* an answer shown for less than this is quick */
    double fast_share;      /* a flag when more than this share of timed screens are quick */
    int fast_min_screens;   /* ... out of at least this many */
} qual_limits;

void qual_defaults(qual_limits *l);

/* What a case's flags are computed from (all but answers may be NULL or 0). */
typedef struct qual_case {
    const cJSON *answers;      /* the head revision's */
    const cJSON *paradata;     /* the head revision's: "seconds", "started_at" */
    const cJSON *prefill;      /* the frame's pre-filled answers for its assignment */
    const char *size_question; /* the household's size ("hh_size") */
    const char *roster;        /* the members' roster ("members") */
    int refusal;               /* the outcome is a refusal: no speeding, no size check */
    int revisions;             /* revisions of the case */
    int duplicate;             /* the store's duplicate flag */
} qual_case;

/* One flag and its figures: speeding (minutes taken, the minimum), night (the local hour
 * started), fast answers (the share quick, the limit), edited (revisions), size (answered,
 * the frame's), duplicate (none). */
typedef struct qual_flag {
    qual_kind kind;
    double value, limit;
} qual_flag;

/* The flags of c under l into out (QUAL_COUNT entries at most), in qual_kind order: their
 * number. */
int qual_check(const qual_limits *l, const qual_case *c, qual_flag *out);

/* The flag's name in the API and the filters: "speeding", "night", "fast_answers",
 * "edited", "size_frame", "duplicate". */
const char *qual_name(qual_kind k);
/* The flag's short name for a page, in Vietnamese (vi set) or English. */
const char *qual_label(qual_kind k, int vi);
/* The kind called name, or -1. */
int qual_parse(const char *name);

/* Why, for a person, in Vietnamese (vi set) or English, into out. */
void qual_reason(char *out, size_t size, const qual_flag *f, int vi);

struct form;
/* The flags of c as bits (1u << kind), with c's roster and size question taken from f (the
 * roster counted by a question); QUAL_DUPLICATE is left out, the store keeps that flag on
 * its own. What the store keeps on each case for the lists' filters. */
unsigned qual_bits(const qual_limits *l, const struct form *f, qual_case *c);

/* Adds "quality": [{"flag", "value", "limit", "reason", "reason_vi"}] (and their names as
 * "flags", in place of the ones the store kept) to a case as
 * store_review_show gives it (its head revision's answers and paradata, its revisions,
 * its duplicate flag, its frame's prefill), f its head's form version (the roster counted
 * by a question is the household's members). 0, or DT_ENOMEM. */
int qual_annotate(cJSON *shown, const struct form *f, const qual_limits *l);

struct store;
/* The form version of a shown case's head revision, loaded by the store (its own), or NULL
 * when it cannot be loaded. */
const struct form *qual_shown_form(struct store *s, const cJSON *shown);

/* The same with the case's form version read from the store: 0, or DT_ENOMEM with err. */
int qual_review(struct store *s, cJSON *shown, const qual_limits *l, dt_err *err);

#endif
