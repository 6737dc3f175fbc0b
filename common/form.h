/* form.h - questionnaires: the model of a form and its loader (XLSForm semantics in JSON) */
#ifndef DT_FORM_H
#define DT_FORM_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "expr.h"

#define FORM_MAX_FILE          (4 * 1024 * 1024) /* a form file larger than this is refused */
#define FORM_MAX_LANGS         8
#define FORM_MAX_INSTANCES     200   /* members of one roster, an upper bound on repeat_count */
#define FORM_MAX_DEPTH_REPEATS 4     /* repeats inside repeats: a roster of plots of members... */
#define FORM_TEXT_MAX          65536 /* bytes in one text answer */
#define FORM_NAME_MAX          32    /* bytes in a question name: Stata's limit for a variable */

typedef struct form form; /* opaque; immutable once loaded, safe to share between threads */

typedef enum form_type {
    Q_INTEGER,
    Q_DECIMAL,
    Q_TEXT,
    Q_SELECT_ONE,
    Q_SELECT_MULTIPLE,
    Q_DATE,
    Q_GEOPOINT,
    Q_NOTE,
    Q_CALCULATE,
    Q_GROUP,
    Q_REPEAT,
    Q_TIME,
    Q_DATETIME,
    Q_ACKNOWLEDGE,
    Q_HIDDEN,
    Q_RANGE,
    Q_NTYPES /* not a type: their number (qtype.h has what each is) */
} form_type;

/* One choice of a list. */
typedef struct form_choice {
    long long code; /* the numeric code statisticians see */
    char **label;   /* one per form language, owned by the form */
    char **attr;    /* one per list attribute (form_list.attr_names); "" when absent */
} form_choice;

/* A choice list ("yesno", "district"). */
typedef struct form_list {
    char *name;
    form_choice *choices;
    int nchoices;
    char **attr_names; /* extra columns of the choices, used by choice_filter */
    int nattrs;
} form_list;

/* One question, group or repeat, in document order. Read-only to users. */
typedef struct form_question {
    char *name;
    form_type type;
    int index;             /* position in document order */
    int parent;            /* enclosing group or repeat, -1 at the top */
    int repeat;            /* innermost enclosing repeat, -1 when none */
    int depth;             /* 0 at the top */
    int end;               /* groups and repeats: children are (index, end) */
    char **label;          /* one per language; NULL for calculate */
    char **hint;           /* one per language, or NULL */
    char **constraint_msg; /* one per language, or NULL */
    char **required_msg;   /* one per language, or NULL */
    int required;          /* 1 when always required */
    expr *required_if;     /* a required expression, or NULL */
    expr *relevant;        /* NULL: always relevant (when the parent is) */
    expr *constraint;      /* uses "." for the answer, or NULL */
    expr *calculation;     /* calculate only */
    expr *repeat_count;    /* repeat only; NULL: open-ended */
    expr *choice_filter;   /* select only; bare names are choice attributes */
    const form_list *list; /* select_one / select_multiple */
    cJSON *default_value;  /* a literal default, owned, or NULL */
    int identifier;        /* 1: a direct identifier (a person's name): exports hash it */
    double range[3];       /* range only: start, end, step (the parameters column) */
    int read_only;         /* 1: shown with its value (a default, a prefill), never answered */
} form_question;

/* Loads and checks a form file. On success *out is owned by the caller
 * (form_free). When the form is bad, returns DT_EINVAL and every problem is
 * in problems (where = question name or "form" or "choices.LIST", what = the
 * column); when the file cannot be read or parsed, the single problem is in
 * problems as well. */
int form_load_file(form **out, const char *path, errlist *problems);

/* The same from a parsed document; name is used in messages only. */
int form_load_json(form **out, const cJSON *doc, const char *name, errlist *problems);

/* Frees f. Accepts NULL. */
void form_free(form *f);

const char *form_id(const form *f);
int form_version(const form *f);
/* The expression that says an interview is a refusal (form key "refusal"),
 * or NULL when the form has none. */
const expr *form_refusal(const form *f);

/* The expression that names an interview in lists (form key "instance_name", ODK's), or
 * NULL: then the household key's answers name it. */
const expr *form_instance_name(const form *f);

/* The top-level questions that identify a household (form key
 * "household_key"), for duplicate detection; *n receives their number. */
const int *form_household_key(const form *f, int *n);

/* The form's geography ("geography" in docs/form-format.md). form_area: the question that
 * holds the household's area unit (the supervisors' scope, the frame's commune), or -1; a form
 * without the declaration has its question "commune_code", as every form had before it.
 * form_geo_table: the table of units that places the area in the levels above, or NULL.
 * form_area_code: the unit's code in an answer v to that question (the text; for a select_one,
 * the choice attribute the form names, else the code), written to out; "" when unanswered. */
struct val;
int form_area(const form *f);
/* form_locality: the question naming the place within the unit (the village), which places a
 * household of a split former unit through the frame; "village" when undeclared; or -1.
 * form_area_choice: the area question's choice whose code attribute is code, or NULL. */
int form_locality(const form *f);
const form_choice *form_area_choice(const form *f, const char *code);
const char *form_geo_table(const form *f);
const char *form_area_code(const form *f, const struct val *v, char *out, size_t size);

/* The form's title in language lang (an index). */
const char *form_title(const form *f, int lang);

/* The integer question beside repeat r (outside repeats, or in the repeat around it) whose
 * answer is r's count when its repeat_count is exactly "${that}" (the household size for
 * the members, a member's number of phones for their phones), else -1 (an open-ended
 * repeat or a count computed by a rule). */
int form_repeat_counter(const form *f, int r);

/* The repeats question q is inside (q itself left out when it is one), outermost first, into
 * out (room for FORM_MAX_DEPTH_REPEATS): their number. p_kind: members, phones. */
int form_repeats_around(const form *f, int q, int *out);
int form_nlangs(const form *f);
const char *form_lang(const form *f, int i);
/* Index of language code, or -1. */
int form_lang_index(const form *f, const char *code);

int form_nquestions(const form *f);
const form_question *form_q(const form *f, int i);
/* Index of the question called name, or -1. */
int form_find(const form *f, const char *name);

int form_nlists(const form *f);
const form_list *form_list_at(const form *f, int i);
/* The choice of list l with the given code, or NULL. */
const form_choice *form_choice_find(const form_list *l, long long code);

/* The order in which relevance and calculations must be evaluated: every
 * question appears after everything its expressions read. */
const int *form_eval_order(const form *f, int *n);

/* pulldata()'s tables: the index of the one called name, or -1; and the value of column col
 * in its first row whose key_col is key, or NULL when there is none (or no such column). */
int form_data_find(const form *f, const char *name);
const char *form_data_lookup(const form *f, int table, const char *col, const char *key_col,
                             const char *key);

/* The type's name as written in a form ("select_one", "integer"). */
const char *form_type_name(form_type t);

#endif
